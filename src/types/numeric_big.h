/*
 * types/numeric_big.h - private to types/: NUMERIC beyond the fast form, on GMP.
 *
 * The fast form (a 128-bit coefficient, scale 0..38) covers almost every
 * value; numeric.c tries it first and calls these functions when an operand is
 * DECIMAL_BIG or the exact result would not fit 38 digits. Each computes the
 * exact value with GMP integers (a coefficient and a decimal scale), rounds
 * it to PostgreSQL's result scale and hands it to big_store, which puts a
 * value that fits back into the fast form (invariant 1a of types.h).
 *
 * Invariants
 *   1. Operands are finite (DECIMAL_FINITE or DECIMAL_BIG); callers handle
 *      NaN and the infinities first.
 *   2. Results live in the thread's numeric arena (numeric_set_arena); with
 *      none installed a result that needs the big form is 22003 `value
 *      overflows numeric format`, strata's behaviour before big values.
 *
 * Threads: pure functions apart from the thread-local arena pointer.
 * See src/types/README.md ("NUMERIC").
 */
#ifndef STRATA_TYPES_NUMERIC_BIG_H
#define STRATA_TYPES_NUMERIC_BIG_H

#include <gmp.h>

#include "types/numeric.h"
#include "types/numeric_wide.h"

/* A finite value coef * 10^-scale (scale may be negative while computing). */
typedef struct BigNum {
    mpz_t coef;
    int64_t scale;
} BigNum;

/* The thread's numeric arena (numeric_set_arena); NULL when none. */
Arena *big_current_arena(void);
/* round(a * 10^-exponent, scale): to_char's EEEE mantissa. */
int big_shift_round(const Decimal *a, int64_t exponent, int scale, Decimal *out, Error *err);

void big_init(BigNum *n);
void big_clear(BigNum *n);
/* Loads a finite Decimal (either form). */
void big_load(BigNum *n, const Decimal *d);
/* Rounds (half away from zero) or truncates n to scale digits; a larger scale
 * pads with zeros. */
void big_rescale(BigNum *n, int64_t scale, bool do_round);
/* Normalizes n into out: the fast form when it fits, else the big form in
 * arena (NULL = the thread's numeric arena). 22003 when the value passes
 * PostgreSQL's limits (131072 integer digits, scale 16383) or no arena. */
int big_store(BigNum *n, Arena *arena, Decimal *out, Error *err);
/* The fast path's 256-bit overflow: sign * mag * 10^-scale. */
int big_store_wide(bool negative, U256 mag, int scale, Decimal *out, Error *err);
/* Decimal digits of |coef| (0 has 1). */
int64_t big_digit_count(const mpz_t z);

int big_add(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
int big_mul(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
/* a / b rounded to scale (b nonzero). */
int big_div_scale(const Decimal *a, const Decimal *b, int scale, Decimal *out, Error *err);
/* Remainder (sign of a) and truncated quotient (b nonzero). */
int big_mod(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
int big_div_trunc(const Decimal *a, const Decimal *b, Decimal *out, Error *err);
int big_round(const Decimal *a, int scale, bool do_round, Decimal *out, Error *err);
int big_ceil_floor(const Decimal *a, bool is_ceil, Decimal *out, Error *err);
int big_compare(const Decimal *a, const Decimal *b);
int big_sign(const Decimal *d);
/* Trailing fraction zeros removed (numeric_normalize). */
void big_normalize(const Decimal *a, Decimal *out);
/* PostgreSQL's base-10000 weight and first digit of a nonzero value. */
void big_nbase_weight(const Decimal *d, int *weight, int *first_digit);
/* Decimal exponent of the leading digit of a nonzero value. */
int64_t big_leading_exponent(const Decimal *d);
int big_to_i64(const Decimal *d, int64_t *out, Error *err);
double big_to_double(const Decimal *d);
long double big_to_long_double(const Decimal *d);
/* sqrt rounded to scale (a >= 0). */
int big_sqrt(const Decimal *a, int scale, Decimal *out, Error *err);
/* a ^ exponent rounded to scale (a nonzero when exponent < 0). */
int big_power_int(const Decimal *a, int64_t exponent, int scale, Decimal *out, Error *err);
/* Writes a big value as PostgreSQL prints it (numeric_text_size bytes). */
int big_format(const Decimal *d, char *buf);

#endif
