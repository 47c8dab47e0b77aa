/*
 * types/numeric.h - NUMERIC arithmetic on Decimal, with PostgreSQL's semantics.
 *
 * A Decimal has two finite forms (types.h): the fast form, coef * 10^-scale
 * with a 128-bit |coef| < 10^38 and 0 <= scale <= 38, and the big form
 * (DECIMAL_BIG: an arbitrary magnitude in borrowed bytes, scale up to 16383)
 * for every value that does not fit the fast form; plus NaN / +Infinity /
 * -Infinity (flags). Every operation tries the fast form first and goes
 * through GMP (numeric_big.c) only when an operand is big or the exact result
 * would not fit, then normalizes the result back to the fast form when it fits.
 * Limits are PostgreSQL's: 131072 digits before the point, 16383 after
 * (22003 `value overflows numeric format` beyond).
 *
 * Result scales follow PostgreSQL: add/sub take the larger scale, mul the sum
 * of the scales, div PostgreSQL's select_div_scale rule (at least 16
 * significant digits, at least the scales of the inputs, at most 1000),
 * sqrt/exp/ln/power their own rules.
 *
 * Memory: a result in the big form is allocated in the thread's numeric arena
 * (numeric_set_arena), which the value-level entry points install (func_invoke,
 * aggregates, value_cast, value_parse, value_apply_typmod); without one, a
 * result that needs the big form is 22003 as before big values existed.
 *
 * Exactness: add, sub, mul, div, mod, round, trunc, ceil, floor, sqrt and
 * integer powers are exact (correctly rounded to the result scale). exp, ln,
 * log and non-integer powers go through long double (about 18 significant
 * digits) and are then rounded to the result scale; their last digits may
 * differ from PostgreSQL's, and results past 38 digits are 22003.
 *
 * Special values: NaN = NaN, NaN sorts above +Infinity; arithmetic follows
 * PostgreSQL 14+ (Infinity - Infinity = NaN, x / Infinity = 0, ...).
 *
 * Threads: pure functions apart from the thread-local arena pointer.
 * See src/types/README.md.
 */
#ifndef STRATA_TYPES_NUMERIC_H
#define STRATA_TYPES_NUMERIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

/* Longest text numeric_format writes for a value that is not in the big
 * form, with the NUL: sign, 38 digits, point, up to 38 leading fraction zeros.
 * numeric_text_size gives the size for any value. */
#define NUMERIC_TEXT_MAX 96

/* PostgreSQL's limits: digits before the point, digits after it (dscale),
 * the largest scale a division or a function picks by itself. */
#define NUMERIC_WEIGHT_DIGITS_MAX 131072
#define NUMERIC_DSCALE_MAX 16383
#define NUMERIC_DISPLAY_SCALE_MAX 1000

/* The scale PostgreSQL's division uses at least (NUMERIC_MIN_SIG_DIGITS). */
#define NUMERIC_MIN_SIG_DIGITS 16

static inline Decimal numeric_nan(void)
{
    Decimal d = {{0}, 0, DECIMAL_NAN};
    return d;
}
static inline Decimal numeric_make(__int128 coef, int scale)
{
    Decimal d = {{coef}, (int16_t)scale, DECIMAL_FINITE};
    return d;
}
static inline bool numeric_is_finite(const Decimal *d)
{
    return d->flags == DECIMAL_FINITE || d->flags == DECIMAL_BIG;
}
static inline bool numeric_is_big(const Decimal *d)
{
    return d->flags == DECIMAL_BIG;
}

/* The arena big results of this thread's numeric_* calls live in. The default
 * TLS model: initial-exec (one fs-relative access, 4% fewer instructions on
 * sum/avg over 1M rows) made libstrata.so fail to load with dlopen ("cannot
 * allocate memory in static TLS block": Python's ctypes, language bindings). */
extern _Thread_local Arena *numeric_thread_arena;

/* Installs the arena big results of this thread's numeric_* calls live in;
 * returns the previous one (restore it when done). NULL = none. */
static inline Arena *numeric_set_arena(Arena *arena)
{
    Arena *previous = numeric_thread_arena;
    numeric_thread_arena = arena;
    return previous;
}

/* *out = *in with the bytes of a big value copied into arena (53200 when it
 * is exhausted); other values are copied as they are. out may alias in. */
int numeric_copy(const Decimal *in, Arena *arena, Decimal *out, Error *err);

/* Bytes numeric_format needs for d, with the NUL. */
size_t numeric_text_size(const Decimal *d);

/* Significant digits for codecs: |d| = digits[0..count) * 10^-scale with no
 * leading zeros ("0" for zero), ASCII, NUL-terminated, in arena. d finite. */
int numeric_digits(const Decimal *d, Arena *arena, char **digits, size_t *count, int *scale,
                   Error *err);

/* numeric_digits into a caller's buffer of numeric_text_size(d) bytes; returns
 * the digit count. */
size_t numeric_digits_into(const Decimal *d, char *buf, int *scale);

/* The inverse of numeric_digits: +-digits[0..count) * 10^-scale (digits may
 * have leading zeros); a big result lives in arena (NULL = the thread's
 * numeric arena). 22003 past PostgreSQL's limits. */
int numeric_from_digits(bool negative, const char *digits, size_t count, int64_t scale,
                        Arena *arena, Decimal *out, Error *err);

/* A big value read from disk or the wire: magnitude bytes (little-endian, no
 * high zero byte), sign and scale. False when they are not the canonical big
 * form of a value (a value that fits the fast form, a scale past 16383). The
 * bytes are borrowed. */
bool numeric_big_from_bytes(const uint8_t *mag, size_t len, bool negative, int scale,
                            Decimal *out);
static inline bool numeric_is_nan(const Decimal *d)
{
    return d->flags == DECIMAL_NAN;
}

/* The serialized form (row codec, arrays, column segments, sort runs, the
 * catalog): 19 bytes, the coefficient (i128 LE), the scale (i16 LE), the flags
 * (u8). A big value (flags 4, a tag older readers never wrote) puts its
 * magnitude length (u32 LE) and sign (u8, 1 = negative) where the coefficient
 * goes, zero-filled, and its magnitude bytes after the 19. */
#define NUMERIC_SERIALIZED_FIXED 19
size_t numeric_serialized_size(const Decimal *d);
/* Writes numeric_serialized_size(d) bytes; returns that size. */
size_t numeric_serialize(const Decimal *d, uint8_t *out);
/* Reads one value from in[0..avail): the bytes consumed, 0 when short or not
 * a valid value (bytes from disk are input). A big value's magnitude is
 * borrowed from in. */
size_t numeric_deserialize(const uint8_t *in, size_t avail, Decimal *out);

/* 10^n for 0 <= n <= 38. */
__int128 numeric_pow10(int n);

/* Conversions. numeric_from_double: 22003 `cannot convert NaN to ...` never;
 * NaN/inf map to the special values; finite doubles keep 15 significant digits
 * (PostgreSQL's float8 -> numeric uses the float's %.15g text). */
void numeric_from_i64(int64_t value, Decimal *out);
int numeric_from_double(double value, Decimal *out, Error *err);
/* Rounds half away from zero; 22003 `bigint out of range` when it does not fit,
 * 0A000 `cannot convert NaN to bigint` / `cannot convert infinity to bigint`. */
int numeric_to_i64(const Decimal *d, int64_t *out, Error *err);
double numeric_to_double(const Decimal *d);
/* The numeric -> float8 / float4 cast: 22003 `"<text>" is out of range for
 * type double precision` (or real) when a big value overflows or underflows
 * to zero, as PostgreSQL's float8in of the numeric's text. */
int numeric_to_float(const Decimal *d, bool is_float4, double *out, Error *err);

/* Parses PostgreSQL numeric input: whitespace, sign, digits, point, exponent,
 * NaN, [+-]Infinity / inf. 22P02 `invalid input syntax for type numeric: "x"`;
 * 22003 `value overflows numeric format` past 131072 integer digits or 16383
 * fraction digits (or when a value needs the big form and no numeric arena is
 * installed). */
int numeric_parse(const char *text, size_t length, Decimal *out, Error *err);

/* Writes PostgreSQL's output ("-12.340", "NaN", "Infinity") NUL-terminated into
 * buf (NUMERIC_TEXT_MAX bytes, numeric_text_size(d) for a big value); returns
 * the length. */
int numeric_format(const Decimal *d, char *buf);

/* Arithmetic; each returns STRATA_OK or an error (22003 overflow as above,
 * 22012 `division by zero`). out may alias an input. */
int numeric_add(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
int numeric_sub(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
/* numeric_add with a big result in arena: the aggregates' per-row sum, whose
 * common case (two 128-bit values of one scale) costs no arena switch. */
int numeric_add_arena(const Decimal *a, const Decimal *b, Decimal *out, Arena *arena, Error *err);
int numeric_mul(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
int numeric_div(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
/* Division with an explicit result scale (rounded half away from zero). */
int numeric_div_scale(const Decimal *a, const Decimal *b, int scale, Decimal *out, Error *err);
/* Remainder with the sign of a (PostgreSQL's numeric %, mod()). */
int numeric_mod(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
/* Integer quotient truncated toward zero (PostgreSQL's div()). */
int numeric_div_trunc(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
void numeric_neg(const Decimal *a, Decimal *out);
void numeric_abs(const Decimal *a, Decimal *out);
/* round(x, s) half away from zero; s may be negative (round(1234, -2) = 1200);
 * the result has scale max(s, 0). trunc likewise toward zero. */
int numeric_round(const Decimal *a, int scale, Decimal *out, Error *err);
int numeric_trunc(const Decimal *a, int scale, Decimal *out, Error *err);
int numeric_ceil(const Decimal *a, Decimal *out, Error *err);
int numeric_floor(const Decimal *a, Decimal *out, Error *err);
/* -1, 0, 1 (NaN gives NaN, as PostgreSQL). */
void numeric_sign(const Decimal *a, Decimal *out);
/* 2201F `cannot take square root of a negative number`. */
int numeric_sqrt(const Decimal *a, Decimal *out, Error *err);
int numeric_exp(const Decimal *a, Decimal *out, Error *err);
/* 2201E `cannot take logarithm of zero` / `... of a negative number`. */
int numeric_ln(const Decimal *a, Decimal *out, Error *err);
int numeric_log10(const Decimal *a, Decimal *out, Error *err);
int numeric_log(const Decimal *base, const Decimal *a, Decimal *out, Error *err);
/* 2201F `zero raised to a negative power is undefined`, `a negative number
 * raised to a non-integer power yields a complex result`. */
int numeric_power(const Decimal *a, const Decimal *b, Decimal *out, Error *err);

/* Changes the scale (rounding half away from zero when reducing). */
int numeric_rescale(const Decimal *a, int scale, Decimal *out, Error *err);

/* Applies numeric(p,s): rounds to s digits, then 22003 `numeric field overflow`
 * (detail `A field with precision 5, scale 2 must round to an absolute value
 * less than 10^3.`) if the integer part has more than p - s digits.
 * typmod -1 leaves d unchanged. */
int numeric_apply_typmod(Decimal *d, int32_t typmod, Error *err);

/* Removes trailing fraction zeros (1.500 -> 1.5); the scale never goes below 0. */
void numeric_normalize(const Decimal *a, Decimal *out);

/* Total order: NaN greatest, then +Infinity; -Infinity least; 1.0 == 1.00. */
int numeric_compare(const Decimal *a, const Decimal *b);

/* Hash equal for equal values whatever their scales (1.0 and 1.00); an
 * integral value hashes as the int64 of the same value (see compare.h). */
uint64_t numeric_hash(const Decimal *d);

/* to_char(number, format): digit places 9 and 0, . or D, , or G, S, MI, PL,
 * SG, EEEE, FM, other characters copied (PostgreSQL's numeric templates,
 * without V, TH, RN and L). Writes a NUL-terminated string of at most cap
 * bytes into buf and returns its length. */
int numeric_to_char(const Decimal *value, const char *format, size_t format_length, char *buf,
                    size_t cap);

/* to_number(text, format): reads the number the way the format lays it out
 * (9/0 digit places, . or D, S/MI signs, a leading sign or blank in the sign
 * place; group separators and literals consume one character each), as
 * PostgreSQL does. 22P02 when no digit is found. */
int numeric_from_char(const char *text, size_t length, const char *format, size_t format_length,
                      Decimal *out, Error *err);

/* Number of digits of |coef| (0 has 1 digit). */
int numeric_digit_count(__int128 coef);

/* Number of digits of the coefficient of a finite value of either form. */
int64_t numeric_coef_digits(const Decimal *d);

#endif
