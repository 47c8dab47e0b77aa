/*
 * types/numeric_big.c - NUMERIC beyond 38 digits on GMP integers (see
 * numeric_big.h for the contract, types.h invariant 1a for the big form).
 *
 * A value is an exact integer coefficient and a decimal scale, so add, sub,
 * mul, mod, div() and the integer operations are exact GMP operations after
 * aligning the scales; division, sqrt and negative integer powers compute
 * one exact quotient or integer root and round it half away from zero, the
 * way PostgreSQL rounds. GMP allocates its temporaries with malloc and frees
 * them before each function returns; results are copied into an arena.
 */
#include "types/numeric_big.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/assert.h"

/* The thread's arena for results in the big form (numeric_set_arena). */
_Thread_local Arena *numeric_thread_arena;

Arena *big_current_arena(void)
{
    return numeric_thread_arena;
}

static int overflow_error(Error *err)
{
    return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
}

void big_init(BigNum *n)
{
    mpz_init(n->coef);
    n->scale = 0;
}

void big_clear(BigNum *n)
{
    mpz_clear(n->coef);
}

static void set_u128(mpz_t z, u128 v)
{
    mpz_set_ui(z, (unsigned long)(uint64_t)(v >> 64));
    mpz_mul_2exp(z, z, 64);
    mpz_add_ui(z, z, (unsigned long)(uint64_t)v);
}

void big_load(BigNum *n, const Decimal *d)
{
    if (d->flags == DECIMAL_BIG) {
        mpz_import(n->coef, d->big.len, -1, 1, 0, 0, d->big.mag);
        if (d->big.negative) {
            mpz_neg(n->coef, n->coef);
        }
    } else {
        u128 mag = d->coef < 0 ? (u128)0 - (u128)d->coef : (u128)d->coef;
        set_u128(n->coef, mag);
        if (d->coef < 0) {
            mpz_neg(n->coef, n->coef);
        }
    }
    n->scale = d->scale;
}

static void pow10_set(mpz_t z, int64_t k)
{
    mpz_ui_pow_ui(z, 10, (unsigned long)k);
}

int64_t big_digit_count(const mpz_t z)
{
    if (mpz_sgn(z) == 0) {
        return 1;
    }
    int64_t digits = (int64_t)mpz_sizeinbase(z, 10); /* exact or one too many */
    mpz_t bound;
    mpz_init(bound);
    pow10_set(bound, digits - 1);
    if (mpz_cmpabs(z, bound) < 0) {
        digits--;
    }
    mpz_clear(bound);
    return digits;
}

/* q = round or trunc(num / den), both signs allowed; half away from zero. */
static void divide_rounded(mpz_t q, const mpz_t num, const mpz_t den, bool do_round)
{
    /* q may alias num or den: take the sign first */
    bool negative = (mpz_sgn(num) < 0) != (mpz_sgn(den) < 0);
    mpz_t r, divisor;
    mpz_init(r);
    mpz_init_set(divisor, den);
    mpz_tdiv_qr(q, r, num, divisor);
    if (do_round && mpz_sgn(r) != 0) {
        mpz_mul_2exp(r, r, 1);
        if (mpz_cmpabs(r, divisor) >= 0) {
            if (negative) {
                mpz_sub_ui(q, q, 1);
            } else {
                mpz_add_ui(q, q, 1);
            }
        }
    }
    mpz_clear(r);
    mpz_clear(divisor);
}

void big_rescale(BigNum *n, int64_t scale, bool do_round)
{
    mpz_t factor;
    mpz_init(factor);
    if (scale >= n->scale) {
        pow10_set(factor, scale - n->scale);
        mpz_mul(n->coef, n->coef, factor);
    } else {
        pow10_set(factor, n->scale - scale);
        divide_rounded(n->coef, n->coef, factor, do_round);
    }
    n->scale = scale;
    mpz_clear(factor);
}

/* Whether |z| < 10^38 (the fast form's coefficient bound). */
static bool fits_fast(const mpz_t z)
{
    if (mpz_sizeinbase(z, 2) > 127) {
        return false;
    }
    return big_digit_count(z) <= DECIMAL_FAST_DIGITS_MAX;
}

static u128 get_u128(const mpz_t z)
{
    uint8_t bytes[16] = {0};
    size_t count = 0;
    mpz_export(bytes, &count, -1, 1, 0, 0, z);
    u128 v = 0;
    for (int pos = 15; pos >= 0; pos--) {
        v = (v << 8) | bytes[pos];
    }
    return v;
}

int big_store(BigNum *n, Arena *arena, Decimal *out, Error *err)
{
    if (n->scale < 0) {
        big_rescale(n, 0, false);
    }
    if (n->scale <= DECIMAL_SCALE_MAX && fits_fast(n->coef)) {
        __int128 coef = (__int128)get_u128(n->coef);
        *out = numeric_make(mpz_sgn(n->coef) < 0 ? -coef : coef, (int)n->scale);
        return STRATA_OK;
    }
    if (n->scale > NUMERIC_DSCALE_MAX ||
        big_digit_count(n->coef) - n->scale > NUMERIC_WEIGHT_DIGITS_MAX) {
        return overflow_error(err);
    }
    if (arena == NULL) {
        arena = numeric_thread_arena;
    }
    if (arena == NULL) {
        return overflow_error(err);
    }
    size_t len = mpz_sgn(n->coef) == 0 ? 0 : (mpz_sizeinbase(n->coef, 2) + 7) / 8;
    uint8_t *mag = arena_alloc(arena, len ? len : 1);
    if (mag == NULL) {
        return arena_error(arena, err);
    }
    size_t count = 0;
    if (len > 0) {
        mpz_export(mag, &count, -1, 1, 0, 0, n->coef);
    }
    ST_ASSERT(count == len);
    memset(out, 0, sizeof *out);
    out->big.mag = mag;
    out->big.len = (uint32_t)len;
    out->big.negative = mpz_sgn(n->coef) < 0;
    out->scale = (int16_t)n->scale;
    out->flags = DECIMAL_BIG;
    return STRATA_OK;
}

int big_store_wide(bool negative, U256 mag, int scale, Decimal *out, Error *err)
{
    BigNum n;
    big_init(&n);
    set_u128(n.coef, mag.hi);
    mpz_mul_2exp(n.coef, n.coef, 128);
    mpz_t low;
    mpz_init(low);
    set_u128(low, mag.lo);
    mpz_add(n.coef, n.coef, low);
    mpz_clear(low);
    if (negative) {
        mpz_neg(n.coef, n.coef);
    }
    n.scale = scale;
    int rc = big_store(&n, NULL, out, err);
    big_clear(&n);
    return rc;
}

/* Loads a and b aligned to the larger scale. */
static void load_aligned(BigNum *x, BigNum *y, const Decimal *a, const Decimal *b)
{
    big_load(x, a);
    big_load(y, b);
    int64_t scale = x->scale > y->scale ? x->scale : y->scale;
    big_rescale(x, scale, false);
    big_rescale(y, scale, false);
}

int big_add(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    BigNum x, y;
    big_init(&x);
    big_init(&y);
    load_aligned(&x, &y, a, b);
    mpz_add(x.coef, x.coef, y.coef);
    int rc = big_store(&x, NULL, out, err);
    big_clear(&x);
    big_clear(&y);
    return rc;
}

int big_mul(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    BigNum x, y;
    big_init(&x);
    big_init(&y);
    big_load(&x, a);
    big_load(&y, b);
    mpz_mul(x.coef, x.coef, y.coef);
    x.scale += y.scale;
    if (x.scale > NUMERIC_DSCALE_MAX) {
        big_rescale(&x, NUMERIC_DSCALE_MAX, true); /* as PostgreSQL's mul_var */
    }
    int rc = big_store(&x, NULL, out, err);
    big_clear(&x);
    big_clear(&y);
    return rc;
}

int big_div_scale(const Decimal *a, const Decimal *b, int scale, Decimal *out, Error *err)
{
    BigNum x, y;
    big_init(&x);
    big_init(&y);
    big_load(&x, a);
    big_load(&y, b);
    /* a / b * 10^scale = x.coef * 10^(scale - x.scale + y.scale) / y.coef */
    int64_t shift = scale - x.scale + y.scale;
    mpz_t factor;
    mpz_init(factor);
    pow10_set(factor, shift >= 0 ? shift : -shift);
    if (shift >= 0) {
        mpz_mul(x.coef, x.coef, factor);
    } else {
        mpz_mul(y.coef, y.coef, factor);
    }
    divide_rounded(x.coef, x.coef, y.coef, true);
    x.scale = scale;
    int rc = big_store(&x, NULL, out, err);
    mpz_clear(factor);
    big_clear(&x);
    big_clear(&y);
    return rc;
}

int big_mod(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    BigNum x, y;
    big_init(&x);
    big_init(&y);
    load_aligned(&x, &y, a, b);
    mpz_tdiv_r(x.coef, x.coef, y.coef);
    int rc = big_store(&x, NULL, out, err);
    big_clear(&x);
    big_clear(&y);
    return rc;
}

int big_div_trunc(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    BigNum x, y;
    big_init(&x);
    big_init(&y);
    load_aligned(&x, &y, a, b);
    mpz_tdiv_q(x.coef, x.coef, y.coef);
    x.scale = 0;
    int rc = big_store(&x, NULL, out, err);
    big_clear(&x);
    big_clear(&y);
    return rc;
}

int big_round(const Decimal *a, int scale, bool do_round, Decimal *out, Error *err)
{
    BigNum x;
    big_init(&x);
    big_load(&x, a);
    big_rescale(&x, scale, do_round);
    int rc = big_store(&x, NULL, out, err); /* a negative scale becomes 0 */
    big_clear(&x);
    return rc;
}

int big_ceil_floor(const Decimal *a, bool is_ceil, Decimal *out, Error *err)
{
    BigNum x;
    big_init(&x);
    big_load(&x, a);
    mpz_t unit;
    mpz_init(unit);
    pow10_set(unit, x.scale);
    if (is_ceil) {
        mpz_cdiv_q(x.coef, x.coef, unit);
    } else {
        mpz_fdiv_q(x.coef, x.coef, unit);
    }
    x.scale = 0;
    int rc = big_store(&x, NULL, out, err);
    mpz_clear(unit);
    big_clear(&x);
    return rc;
}

void big_normalize(const Decimal *a, Decimal *out)
{
    BigNum x;
    big_init(&x);
    big_load(&x, a);
    if (mpz_sgn(x.coef) == 0) {
        x.scale = 0;
    }
    while (x.scale > 0 && mpz_divisible_ui_p(x.coef, 10)) {
        mpz_divexact_ui(x.coef, x.coef, 10);
        x.scale--;
    }
    Decimal result;
    /* Fewer digits than a: the bytes fit where a's are, but a's are borrowed,
     * so a result that stays big needs the arena; without one keep a. */
    if (big_store(&x, NULL, &result, NULL) == STRATA_OK) {
        *out = result;
    } else {
        *out = *a;
    }
    big_clear(&x);
}

int big_shift_round(const Decimal *a, int64_t exponent, int scale, Decimal *out, Error *err)
{
    BigNum x;
    big_init(&x);
    big_load(&x, a);
    x.scale += exponent;
    big_rescale(&x, scale, true);
    int rc = big_store(&x, NULL, out, err);
    big_clear(&x);
    return rc;
}

int big_sign(const Decimal *d)
{
    if (d->flags == DECIMAL_BIG) {
        return d->big.len == 0 ? 0 : (d->big.negative ? -1 : 1);
    }
    return d->coef > 0 ? 1 : (d->coef < 0 ? -1 : 0);
}

int big_compare(const Decimal *a, const Decimal *b)
{
    int sa = big_sign(a), sb = big_sign(b);
    if (sa != sb) {
        return sa < sb ? -1 : 1;
    }
    BigNum x, y;
    big_init(&x);
    big_init(&y);
    load_aligned(&x, &y, a, b);
    int c = mpz_cmp(x.coef, y.coef);
    big_clear(&x);
    big_clear(&y);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int64_t big_leading_exponent(const Decimal *d)
{
    BigNum x;
    big_init(&x);
    big_load(&x, d);
    int64_t exponent = big_digit_count(x.coef) - 1 - x.scale;
    big_clear(&x);
    return exponent;
}

void big_nbase_weight(const Decimal *d, int *weight, int *first_digit)
{
    int64_t exponent = big_leading_exponent(d);
    int64_t w = exponent >= 0 ? exponent / 4 : -((-exponent + 3) / 4);
    BigNum x;
    big_init(&x);
    big_load(&x, d);
    mpz_abs(x.coef, x.coef);
    big_rescale(&x, -4 * w, false); /* |d| / 10000^w, truncated */
    *weight = (int)w;
    *first_digit = (int)mpz_fdiv_ui(x.coef, 10000);
    big_clear(&x);
}

int big_to_i64(const Decimal *d, int64_t *out, Error *err)
{
    BigNum x;
    big_init(&x);
    big_load(&x, d);
    big_rescale(&x, 0, true);
    bool fits = mpz_fits_slong_p(x.coef) && sizeof(long) == sizeof(int64_t);
    if (fits) {
        *out = (int64_t)mpz_get_si(x.coef);
    }
    big_clear(&x);
    if (!fits) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    }
    return STRATA_OK;
}

/* "digitsE-scale" in GMP-allocated memory; the caller frees it with free_text. */
static char *scientific_text(const Decimal *d, size_t *size)
{
    BigNum x;
    big_init(&x);
    big_load(&x, d);
    *size = mpz_sizeinbase(x.coef, 10) + 32;
    void *(*alloc)(size_t);
    mp_get_memory_functions(&alloc, NULL, NULL);
    char *text = alloc(*size);
    mpz_get_str(text, 10, x.coef);
    size_t length = strlen(text);
    snprintf(text + length, *size - length, "e%lld", (long long)-x.scale);
    big_clear(&x);
    return text;
}

static void free_text(char *text, size_t size)
{
    void (*release)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &release);
    release(text, size);
}

double big_to_double(const Decimal *d)
{
    size_t size;
    char *text = scientific_text(d, &size);
    double v = strtod(text, NULL); /* correctly rounded, like float8in */
    free_text(text, size);
    return v;
}

int numeric_to_float(const Decimal *d, bool is_float4, double *out, Error *err)
{
    double v = numeric_to_double(d);
    if (d->flags != DECIMAL_BIG) {
        *out = is_float4 ? (double)(float)v : v; /* within 10^38: no overflow */
        return STRATA_OK;
    }
    double rounded = is_float4 ? (double)(float)v : v;
    if (!isinf(rounded) && (rounded != 0 || d->big.len == 0)) {
        *out = rounded;
        return STRATA_OK;
    }
    /* PostgreSQL reads the numeric's text with float8in / float4in */
    size_t size = numeric_text_size(d);
    void *(*alloc)(size_t);
    mp_get_memory_functions(&alloc, NULL, NULL);
    char *text = alloc(size);
    numeric_format(d, text);
    error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "\"%s\" is out of range for type %s",
              text, is_float4 ? "real" : "double precision");
    free_text(text, size);
    return STRATA_ERROR;
}

long double big_to_long_double(const Decimal *d)
{
    size_t size;
    char *text = scientific_text(d, &size);
    long double v = strtold(text, NULL);
    free_text(text, size);
    return v;
}

int big_sqrt(const Decimal *a, int scale, Decimal *out, Error *err)
{
    BigNum x;
    big_init(&x);
    big_load(&x, a);
    /* floor(sqrt(a) * 10^(scale+1)) = isqrt(floor(a * 10^(2 scale + 2))): one
     * exact extra digit decides the rounding. */
    big_rescale(&x, 2 * (int64_t)scale + 2, false);
    mpz_sqrt(x.coef, x.coef);
    mpz_t ten;
    mpz_init_set_ui(ten, 10);
    divide_rounded(x.coef, x.coef, ten, true);
    mpz_clear(ten);
    x.scale = scale;
    int rc = big_store(&x, NULL, out, err);
    big_clear(&x);
    return rc;
}

int big_power_int(const Decimal *a, int64_t exponent, int scale, Decimal *out, Error *err)
{
    BigNum x;
    big_init(&x);
    big_load(&x, a);
    uint64_t n = exponent < 0 ? (uint64_t)0 - (uint64_t)exponent : (uint64_t)exponent;
    int64_t digits = big_digit_count(x.coef);
    /* The exact power has about n * digits digits: refuse what could not be
     * a valid result (or its reciprocal) long before GMP runs out of memory. */
    int64_t leading = digits - 1 - x.scale;
    if (mpz_sgn(x.coef) != 0 && n > 0 &&
        ((exponent > 0 && leading >= 0 && (double)n * (double)leading > NUMERIC_WEIGHT_DIGITS_MAX) ||
         (double)n * (double)digits > 4e6)) {
        big_clear(&x);
        return overflow_error(err);
    }
    mpz_pow_ui(x.coef, x.coef, (unsigned long)n);
    x.scale *= (int64_t)n;
    int rc;
    if (exponent >= 0) {
        big_rescale(&x, scale, true);
    } else {
        /* 1 / (coef * 10^-s) = 10^s / coef, to scale digits */
        mpz_t numerator;
        mpz_init(numerator);
        pow10_set(numerator, x.scale + scale);
        divide_rounded(x.coef, numerator, x.coef, true);
        mpz_clear(numerator);
        x.scale = scale;
    }
    rc = big_store(&x, NULL, out, err);
    big_clear(&x);
    return rc;
}

/* ---- public helpers for codecs and copies (numeric.h) ---- */

int numeric_copy(const Decimal *in, Arena *arena, Decimal *out, Error *err)
{
    *out = *in;
    if (in->flags != DECIMAL_BIG || in->big.len == 0) {
        return STRATA_OK;
    }
    uint8_t *mag = arena_memdup(arena, in->big.mag, in->big.len);
    if (mag == NULL) {
        return arena_error(arena, err);
    }
    out->big.mag = mag;
    return STRATA_OK;
}

size_t numeric_text_size(const Decimal *d)
{
    if (d->flags != DECIMAL_BIG) {
        return NUMERIC_TEXT_MAX;
    }
    /* sign, at most 2.41 digits per byte plus one, "0.", leading zeros, NUL,
     * with room to spare for short magnitudes */
    return (size_t)d->big.len * 5 / 2 + (size_t)d->scale + 16;
}

int64_t numeric_coef_digits(const Decimal *d)
{
    if (d->flags != DECIMAL_BIG) {
        return numeric_digit_count(d->coef);
    }
    BigNum x;
    big_init(&x);
    big_load(&x, d);
    int64_t digits = big_digit_count(x.coef);
    big_clear(&x);
    return digits;
}

/* Writes the big value d as PostgreSQL prints it into buf
 * (numeric_text_size(d) bytes); returns the length. */
int big_format(const Decimal *d, char *buf)
{
    BigNum x;
    big_init(&x);
    big_load(&x, d);
    mpz_abs(x.coef, x.coef);
    size_t length = 0;
    if (d->big.negative && d->big.len > 0) {
        buf[length++] = '-';
    }
    /* The digits go after room for the leading zeros, then move into place. */
    char *digits = buf + length + (size_t)d->scale + 2;
    mpz_get_str(digits, 10, x.coef);
    size_t count = strlen(digits);
    size_t scale = (size_t)d->scale;
    if (count <= scale) {
        size_t zeros = scale - count;
        memmove(buf + length + 2 + zeros, digits, count + 1);
        buf[length] = '0';
        buf[length + 1] = '.';
        memset(buf + length + 2, '0', zeros);
        length += 2 + scale;
    } else {
        size_t int_count = count - scale;
        memmove(buf + length, digits, int_count);
        if (scale > 0) {
            buf[length + int_count] = '.';
            memmove(buf + length + int_count + 1, digits + int_count, scale);
            length += int_count + 1 + scale;
        } else {
            length += int_count;
        }
    }
    buf[length] = '\0';
    big_clear(&x);
    return (int)length;
}

int numeric_digits(const Decimal *d, Arena *arena, char **digits, size_t *count, int *scale,
                   Error *err)
{
    BigNum x;
    big_init(&x);
    big_load(&x, d);
    mpz_abs(x.coef, x.coef);
    char *text = arena_alloc(arena, mpz_sizeinbase(x.coef, 10) + 2);
    if (text == NULL) {
        big_clear(&x);
        return arena_error(arena, err);
    }
    mpz_get_str(text, 10, x.coef);
    *digits = text;
    *count = strlen(text);
    *scale = (int)x.scale;
    big_clear(&x);
    return STRATA_OK;
}

size_t numeric_digits_into(const Decimal *d, char *buf, int *scale)
{
    BigNum x;
    big_init(&x);
    big_load(&x, d);
    mpz_abs(x.coef, x.coef);
    mpz_get_str(buf, 10, x.coef);
    *scale = (int)x.scale;
    big_clear(&x);
    return strlen(buf);
}

int numeric_from_digits(bool negative, const char *digits, size_t count, int64_t scale,
                        Arena *arena, Decimal *out, Error *err)
{
    while (count > 1 && digits[0] == '0') {
        digits++;
        count--;
    }
    if ((int64_t)count - scale > NUMERIC_WEIGHT_DIGITS_MAX + 1 || scale > NUMERIC_DSCALE_MAX) {
        return overflow_error(err);
    }
    BigNum x;
    big_init(&x);
    for (size_t pos = 0; pos < count;) {
        uint64_t chunk = 0, unit = 1;
        for (int k = 0; k < 18 && pos < count; k++, pos++) {
            chunk = chunk * 10 + (uint64_t)(digits[pos] - '0');
            unit *= 10;
        }
        mpz_mul_ui(x.coef, x.coef, (unsigned long)unit);
        mpz_add_ui(x.coef, x.coef, (unsigned long)chunk);
    }
    if (negative) {
        mpz_neg(x.coef, x.coef);
    }
    x.scale = scale;
    int rc = big_store(&x, arena, out, err);
    big_clear(&x);
    return rc;
}

bool numeric_big_from_bytes(const uint8_t *mag, size_t len, bool negative, int scale,
                            Decimal *out)
{
    if (scale < 0 || scale > NUMERIC_DSCALE_MAX || len > UINT32_MAX ||
        (len > 0 && mag[len - 1] == 0)) {
        return false;
    }
    memset(out, 0, sizeof *out);
    out->big.mag = mag;
    out->big.len = (uint32_t)len;
    out->big.negative = negative && len > 0;
    out->scale = (int16_t)scale;
    out->flags = DECIMAL_BIG;
    BigNum x;
    big_init(&x);
    big_load(&x, out);
    bool canonical = !(scale <= DECIMAL_SCALE_MAX && fits_fast(x.coef)) &&
                     big_digit_count(x.coef) - scale <= NUMERIC_WEIGHT_DIGITS_MAX;
    big_clear(&x);
    return canonical;
}

/* ---- the serialized form (numeric.h) ---- */

size_t numeric_serialized_size(const Decimal *d)
{
    return NUMERIC_SERIALIZED_FIXED + (d->flags == DECIMAL_BIG ? d->big.len : 0);
}

size_t numeric_serialize(const Decimal *d, uint8_t *out)
{
    memset(out, 0, NUMERIC_SERIALIZED_FIXED);
    if (d->flags == DECIMAL_BIG) {
        for (int pos = 0; pos < 4; pos++) {
            out[pos] = (uint8_t)(d->big.len >> (8 * pos));
        }
        out[4] = d->big.negative ? 1 : 0;
        if (d->big.len > 0) {
            memcpy(out + NUMERIC_SERIALIZED_FIXED, d->big.mag, d->big.len);
        }
    } else {
        unsigned __int128 coef = (unsigned __int128)d->coef;
        for (int pos = 0; pos < 16; pos++) {
            out[pos] = (uint8_t)(coef >> (8 * pos));
        }
    }
    out[16] = (uint8_t)((uint16_t)d->scale & 0xff);
    out[17] = (uint8_t)((uint16_t)d->scale >> 8);
    out[18] = d->flags;
    return numeric_serialized_size(d);
}

size_t numeric_deserialize(const uint8_t *in, size_t avail, Decimal *out)
{
    if (avail < NUMERIC_SERIALIZED_FIXED) {
        return 0;
    }
    int scale = (int16_t)(uint16_t)(in[16] | in[17] << 8);
    uint8_t flags = in[18];
    if (flags == DECIMAL_BIG) {
        uint32_t len = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
                       (uint32_t)in[3] << 24;
        if (in[4] > 1 || len > avail - NUMERIC_SERIALIZED_FIXED ||
            !numeric_big_from_bytes(in + NUMERIC_SERIALIZED_FIXED, len, in[4] == 1, scale, out)) {
            return 0;
        }
        return NUMERIC_SERIALIZED_FIXED + len;
    }
    unsigned __int128 coef = 0;
    for (int pos = 15; pos >= 0; pos--) {
        coef = coef << 8 | in[pos];
    }
    memset(out, 0, sizeof *out);
    out->coef = (__int128)coef;
    out->scale = (int16_t)scale;
    out->flags = flags;
    /* numeric arithmetic trusts types.h invariant 1: check it */
    __int128 limit = (__int128)10000000000000000000ULL * 10000000000000000000ULL;
    bool valid = scale >= 0 && scale <= DECIMAL_SCALE_MAX && flags <= DECIMAL_NEG_INF &&
                 out->coef < limit && out->coef > -limit;
    return valid ? NUMERIC_SERIALIZED_FIXED : 0;
}
