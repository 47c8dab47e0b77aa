/*
 * types/numeric_math.c - NUMERIC sqrt, exp, ln, log and power (see numeric.h).
 *
 * Result scales follow PostgreSQL (NUMERIC_MIN_SIG_DIGITS significant digits
 * at least, never fewer fraction digits than the inputs):
 *   sqrt   16 - sweight, sweight = (nbase weight + 1) * 2 - 1
 *   exp    16 - trunc(x * log10(e))
 *   ln     16 - trunc(log10(|ln x|)); log10 and log(b, x) likewise on the result
 *   power  integer exponent: max(16, scales of the inputs); otherwise
 *          16 - trunc(y * log10(|x|))
 * sqrt and integer powers are computed exactly (on 256-bit integers, or GMP
 * through numeric_big.c when they pass them; scales up to 1000 as
 * PostgreSQL); the others in long double, then rounded to the result scale
 * (about 18 correct significant digits, scale at most 38, results below
 * 10^38).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/numeric.h"
#include "types/numeric_big.h"
#include "types/numeric_wide.h"

static u128 magnitude(__int128 coef)
{
    return coef < 0 ? (u128)0 - (u128)coef : (u128)coef;
}

/* The scale of a long double result: PostgreSQL's rule, at most 38 (past
 * that the digits would not be the function's). */
static int clamp_scale(int scale, int minimum)
{
    if (scale < minimum) {
        scale = minimum;
    }
    if (scale < 0) {
        scale = 0;
    }
    return scale > DECIMAL_SCALE_MAX ? DECIMAL_SCALE_MAX : scale;
}

/* The scale of an exact result (sqrt, integer power): at most
 * NUMERIC_DISPLAY_SCALE_MAX, as PostgreSQL. */
static int clamp_exact_scale(int scale, int minimum)
{
    if (scale < minimum) {
        scale = minimum;
    }
    if (scale < 0) {
        scale = 0;
    }
    return scale > NUMERIC_DISPLAY_SCALE_MAX ? NUMERIC_DISPLAY_SCALE_MAX : scale;
}

/* Converts a long double to a Decimal with scale digits (fewer if the integer
 * part needs the room). */
static int from_long_double(long double value, int scale, Decimal *out, Error *err)
{
    if (isnan(value)) {
        *out = numeric_nan();
        return STRATA_OK;
    }
    if (isinf(value) || fabsl(value) >= 1e38L) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                         "value overflows numeric format");
    }
    char buf[128];
    int length = snprintf(buf, sizeof buf, "%.*Lf", scale, value);
    int rc = numeric_parse(buf, (size_t)length, out, err);
    if (rc == STRATA_OK && out->scale < scale) {
        Decimal widened;
        /* Keep PostgreSQL's display scale when the digits fit. */
        if (numeric_rescale(out, scale, &widened, NULL) == STRATA_OK) {
            *out = widened;
        }
    }
    return rc;
}

static long double to_long_double(const Decimal *d)
{
    if (numeric_is_big(d)) {
        return big_to_long_double(d);
    }
    if (d->flags != DECIMAL_FINITE) {
        return (long double)numeric_to_double(d);
    }
    char buf[NUMERIC_TEXT_MAX];
    numeric_format(d, buf);
    return strtold(buf, NULL);
}

/* Integer square root of a 256-bit value (bit-by-bit method). */
static U256 isqrt_wide(U256 n)
{
    U256 result = {0, 0};
    int top = u256_top_bit(n);
    if (top < 0) {
        return result;
    }
    U256 bit = {0, 0};
    int shift = top & ~1;
    if (shift >= 128) {
        bit.hi = (u128)1 << (shift - 128);
    } else {
        bit.lo = (u128)1 << shift;
    }
    while (!u256_is_zero(bit)) {
        U256 trial = u256_add(result, bit);
        /* result >>= 1 */
        U256 half = {result.hi >> 1, (result.lo >> 1) | (result.hi << 127)};
        if (u256_cmp(n, trial) >= 0) {
            n = u256_sub(n, trial);
            result = u256_add(half, bit);
        } else {
            result = half;
        }
        U256 next = {bit.hi >> 2, (bit.lo >> 2) | (bit.hi << 126)};
        bit = next;
    }
    return result;
}

static int nbase_weight_of(const Decimal *d)
{
    if (numeric_is_big(d)) {
        int weight, first_digit;
        big_nbase_weight(d, &weight, &first_digit);
        return weight;
    }
    if (d->coef == 0) {
        return 0;
    }
    int exponent = numeric_digit_count(d->coef) - 1 - d->scale;
    return exponent >= 0 ? exponent / 4 : -((-exponent + 3) / 4);
}

int numeric_sqrt(const Decimal *a, Decimal *out, Error *err)
{
    if (a->flags == DECIMAL_NAN || a->flags == DECIMAL_POS_INF) {
        *out = *a;
        return STRATA_OK;
    }
    if (a->flags == DECIMAL_NEG_INF || big_sign(a) < 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                         "cannot take square root of a negative number");
    }
    int sweight = (nbase_weight_of(a) + 1) * 4 / 2 - 1;
    int scale = clamp_exact_scale(16 - sweight, a->scale);
    if (numeric_is_big(a)) {
        return big_sqrt(a, scale, out, err);
    }
    /* The root's integer digits plus scale must stay within 37, so that the
     * radicand (with two extra digits for rounding) stays below 10^77. */
    int root_int_digits = (numeric_digit_count(a->coef) - a->scale + 1) / 2;
    if (root_int_digits < 1) {
        root_int_digits = 1;
    }
    if (scale > 37 - root_int_digits) {
        return big_sqrt(a, scale, out, err);
    }
    /* sqrt(coef * 10^-s) * 10^(scale+1) = sqrt(coef * 10^(2 scale + 2 - s)) */
    int shift = 2 * scale + 2 - a->scale;
    U256 radicand = u256_from(magnitude(a->coef));
    if (shift >= 0) {
        radicand = u256_mul(u256_mul(radicand, (u128)numeric_pow10(shift > 38 ? 38 : shift)),
                            (u128)numeric_pow10(shift > 38 ? shift - 38 : 0));
    } else {
        U256 q, r;
        u256_divmod(radicand, u256_from((u128)numeric_pow10(-shift)), &q, &r);
        radicand = q;
    }
    U256 root = isqrt_wide(radicand), q, r;
    u256_divmod(root, u256_from(10), &q, &r);
    if (r.lo >= 5) {
        q = u256_add(q, u256_from(1));
    }
    *out = numeric_make((__int128)q.lo, scale);
    return STRATA_OK;
}

int numeric_exp(const Decimal *a, Decimal *out, Error *err)
{
    if (a->flags == DECIMAL_NAN || a->flags == DECIMAL_POS_INF) {
        *out = *a;
        return STRATA_OK;
    }
    if (a->flags == DECIMAL_NEG_INF) {
        *out = numeric_make(0, 0);
        return STRATA_OK;
    }
    long double x = to_long_double(a);
    if (x > 87.0L) { /* e^88 > 10^38 */
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                         "value overflows numeric format");
    }
    int digits = (int)(x * 0.434294481903252L);
    return from_long_double(expl(x), clamp_scale(16 - digits, a->scale), out, err);
}

static int log_argument_check(const Decimal *a, Error *err)
{
    if (a->flags == DECIMAL_NEG_INF || (numeric_is_finite(a) && big_sign(a) < 0)) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_LOG,
                         "cannot take logarithm of a negative number");
    }
    if (numeric_is_finite(a) && big_sign(a) == 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of zero");
    }
    return STRATA_OK;
}

static int result_scale_for(long double result, int minimum)
{
    int weight = result == 0 ? 0 : (int)log10l(fabsl(result));
    return clamp_scale(16 - weight, minimum);
}

int numeric_ln(const Decimal *a, Decimal *out, Error *err)
{
    int rc = log_argument_check(a, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!numeric_is_finite(a)) {
        *out = *a;
        return STRATA_OK;
    }
    long double result = logl(to_long_double(a));
    return from_long_double(result, result_scale_for(result, a->scale), out, err);
}

int numeric_log10(const Decimal *a, Decimal *out, Error *err)
{
    int rc = log_argument_check(a, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!numeric_is_finite(a)) {
        *out = *a;
        return STRATA_OK;
    }
    long double result = log10l(to_long_double(a));
    return from_long_double(result, result_scale_for(result, a->scale), out, err);
}

int numeric_log(const Decimal *base, const Decimal *a, Decimal *out, Error *err)
{
    int rc = log_argument_check(base, err);
    if (rc == STRATA_OK) {
        rc = log_argument_check(a, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (base->flags == DECIMAL_NAN || a->flags == DECIMAL_NAN) {
        *out = numeric_nan();
        return STRATA_OK;
    }
    long double ln_base = logl(to_long_double(base));
    if (ln_base == 0) {
        return error_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
    }
    long double result = logl(to_long_double(a)) / ln_base;
    int minimum = base->scale > a->scale ? base->scale : a->scale;
    return from_long_double(result, result_scale_for(result, minimum), out, err);
}

/* coef^n exactly when it fits 256 bits; false otherwise. */
static bool power_exact(u128 base, int64_t n, U256 *out)
{
    U256 result = u256_from(1);
    for (int64_t i = 0; i < n; i++) {
        if (u256_mul_overflows(result, base)) {
            return false;
        }
        result = u256_mul(result, base);
        if (result.hi >> 120 != 0) {
            return false;
        }
    }
    *out = result;
    return true;
}

static int power_integer(const Decimal *a, int64_t n, int exp_scale, Decimal *out, Error *err)
{
    int scale = clamp_exact_scale(16, a->scale > exp_scale ? a->scale : exp_scale);
    if (big_sign(a) == 0) {
        if (n < 0) {
            return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                             "zero raised to a negative power is undefined");
        }
        return numeric_rescale(&(Decimal){{n == 0 ? 1 : 0}, 0, DECIMAL_FINITE}, scale, out, err);
    }
    int64_t count = n < 0 ? -n : n;
    U256 exact;
    int64_t exact_scale = (int64_t)a->scale * count;
    if (numeric_is_big(a)) {
        return big_power_int(a, n, scale, out, err);
    }
    if (count <= 256 && exact_scale <= 76 && power_exact(magnitude(a->coef), count, &exact) &&
        exact.hi == 0 && exact.lo < (u128)numeric_pow10(38)) {
        bool negative = a->coef < 0 && (count & 1);
        Decimal value =
            numeric_make(negative ? -(__int128)exact.lo : (__int128)exact.lo, (int)exact_scale);
        if (exact_scale > DECIMAL_SCALE_MAX) {
            return big_power_int(a, n, scale, out, err);
        }
        if (n >= 0) {
            return numeric_rescale(&value, scale, out, err);
        }
        Decimal one = numeric_make(1, 0);
        return numeric_div_scale(&one, &value, scale, out, err);
    }
    return big_power_int(a, n, scale, out, err);
}

int numeric_power(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    if (a->flags == DECIMAL_NAN || b->flags == DECIMAL_NAN) {
        /* PostgreSQL: 1 ^ NaN = 1 and NaN ^ 0 = 1. */
        if ((a->flags == DECIMAL_FINITE && a->coef == numeric_pow10(a->scale)) ||
            (b->flags == DECIMAL_FINITE && b->coef == 0)) {
            *out = numeric_make(1, 0);
            return numeric_rescale(out, 16, out, err);
        }
        *out = numeric_nan();
        return STRATA_OK;
    }
    if (!numeric_is_finite(a) || !numeric_is_finite(b)) {
        double r = pow(numeric_to_double(a), numeric_to_double(b));
        return numeric_from_double(r, out, err);
    }
    Decimal integral;
    int64_t exponent;
    if (numeric_trunc(b, 0, &integral, NULL) == STRATA_OK && numeric_compare(&integral, b) == 0 &&
        numeric_to_i64(&integral, &exponent, NULL) == STRATA_OK && exponent > -1000000 &&
        exponent < 1000000) {
        return power_integer(a, exponent, b->scale, out, err);
    }
    if (big_sign(a) == 0) {
        if (big_sign(b) < 0) {
            return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                             "zero raised to a negative power is undefined");
        }
        return numeric_rescale(&(Decimal){{0}, 0, DECIMAL_FINITE}, 16, out, err);
    }
    if (big_sign(a) < 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                         "a negative number raised to a non-integer power yields a complex result");
    }
    long double x = to_long_double(a), y = to_long_double(b);
    long double estimate = y * log10l(x);
    if (estimate >= 38) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                         "value overflows numeric format");
    }
    int minimum = a->scale > b->scale ? a->scale : b->scale;
    return from_long_double(powl(x, y), clamp_scale(16 - (int)estimate, minimum), out, err);
}
