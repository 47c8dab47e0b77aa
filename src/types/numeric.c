/*
 * types/numeric.c - NUMERIC arithmetic (see numeric.h for the contract).
 *
 * Every operation works on sign and magnitude: magnitudes are widened to
 * 256 bits (numeric_wide.h) where a product or a scale shift could pass 128
 * bits, and finish() stores a result in the fast form when it fits 38 digits,
 * else in the big form (numeric_big.c). An operand in the big form goes to
 * numeric_big.c directly. Rounding half away from zero on a magnitude only
 * needs the first dropped digit, so every rounding divides by 10^(k-1), looks
 * at the last digit and divides by 10.
 */
#include "types/numeric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/compare.h"
#include "types/numeric_big.h"
#include "types/numeric_wide.h"
#include "util/assert.h"

#define E19 ((__int128)10000000000000000000ULL)
static const __int128 POW10[39] = {
    1,
    10,
    100,
    1000,
    10000,
    100000,
    1000000,
    10000000,
    100000000,
    1000000000,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
    E19,
    E19 * 10,
    E19 * 100,
    E19 * 1000,
    E19 * 10000,
    E19 * 100000,
    E19 * 1000000,
    E19 * 10000000,
    E19 * 100000000,
    E19 * 1000000000,
    E19 * 10000000000LL,
    E19 * 100000000000LL,
    E19 * 1000000000000LL,
    E19 * 10000000000000LL,
    E19 * 100000000000000LL,
    E19 * 1000000000000000LL,
    E19 * 10000000000000000LL,
    E19 * 100000000000000000LL,
    E19 * 1000000000000000000LL,
    E19 *E19,
};

__int128 numeric_pow10(int n)
{
    ST_ASSERT(n >= 0 && n <= 38);
    return POW10[n];
}

static U256 pow10_wide(int n)
{
    if (n <= 38) {
        return u256_from((u128)POW10[n]);
    }
    return u256_mul(u256_from((u128)POW10[38]), (u128)POW10[n - 38]);
}

static u128 magnitude(__int128 coef)
{
    return coef < 0 ? (u128)0 - (u128)coef : (u128)coef;
}

int numeric_digit_count(__int128 coef)
{
    u128 mag = magnitude(coef);
    int digits = 1;
    while (digits < 39 && mag >= (u128)POW10[digits]) {
        digits++;
    }
    return digits;
}

/* v / 10^k, rounded half away from zero (v is a magnitude). */
static U256 div_round_pow10(U256 v, int k)
{
    if (k <= 0) {
        return v;
    }
    if (k > 77) {
        return u256_from(0);
    }
    U256 q, r;
    if (k > 1) {
        u256_divmod(v, pow10_wide(k - 1), &q, &r);
        v = q;
    }
    u256_divmod(v, u256_from(10), &q, &r);
    if (r.lo >= 5) {
        q = u256_add(q, u256_from(1));
    }
    return q;
}

static U256 div_trunc_pow10(U256 v, int k)
{
    if (k <= 0) {
        return v;
    }
    if (k > 77) {
        return u256_from(0);
    }
    U256 q, r;
    u256_divmod(v, pow10_wide(k), &q, &r);
    return q;
}

static int overflow_error(Error *err)
{
    return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
}

/* Builds the result sign * mag * 10^-scale: the fast form when it fits, else
 * the big form (exact). */
static int finish(bool negative, U256 mag, int scale, Decimal *out, Error *err)
{
    if (scale >= 0 && scale <= DECIMAL_SCALE_MAX && mag.hi == 0 && mag.lo < (u128)POW10[38]) {
        __int128 coef = (__int128)mag.lo;
        out->coef = negative ? -coef : coef;
        out->scale = (int16_t)scale;
        out->flags = DECIMAL_FINITE;
        return STRATA_OK;
    }
    return big_store_wide(negative, mag, scale, out, err);
}

static Decimal special(uint8_t flags)
{
    Decimal d = {{0}, 0, flags};
    return d;
}

static bool is_big(const Decimal *d)
{
    return d->flags == DECIMAL_BIG;
}

/* Sign of a finite or infinite value: -1, 0, 1. */
static int sign_of(const Decimal *d)
{
    if (d->flags == DECIMAL_POS_INF) {
        return 1;
    }
    if (d->flags == DECIMAL_NEG_INF) {
        return -1;
    }
    return big_sign(d);
}

/* ---- conversions ---- */

void numeric_from_i64(int64_t value, Decimal *out)
{
    out->coef = value;
    out->scale = 0;
    out->flags = DECIMAL_FINITE;
}

int numeric_from_double(double value, Decimal *out, Error *err)
{
    if (isnan(value)) {
        *out = special(DECIMAL_NAN);
        return STRATA_OK;
    }
    if (isinf(value)) {
        *out = special(value > 0 ? DECIMAL_POS_INF : DECIMAL_NEG_INF);
        return STRATA_OK;
    }
    char buf[64];
    int length = snprintf(buf, sizeof buf, "%.15g", value);
    return numeric_parse(buf, (size_t)length, out, err);
}

int numeric_to_i64(const Decimal *d, int64_t *out, Error *err)
{
    if (d->flags == DECIMAL_NAN) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot convert NaN to bigint");
    }
    if (d->flags != DECIMAL_FINITE && d->flags != DECIMAL_BIG) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot convert infinity to bigint");
    }
    if (is_big(d)) {
        return big_to_i64(d, out, err);
    }
    U256 mag = div_round_pow10(u256_from(magnitude(d->coef)), d->scale);
    u128 limit = d->coef < 0 ? (u128)1 << 63 : ((u128)1 << 63) - 1;
    if (mag.hi != 0 || mag.lo > limit) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    }
    *out = d->coef < 0 ? (int64_t)(0 - (uint64_t)mag.lo) : (int64_t)mag.lo;
    return STRATA_OK;
}

double numeric_to_double(const Decimal *d)
{
    switch (d->flags) {
    case DECIMAL_NAN:
        return NAN;
    case DECIMAL_POS_INF:
        return INFINITY;
    case DECIMAL_NEG_INF:
        return -INFINITY;
    case DECIMAL_BIG:
        return big_to_double(d);
    default:
        break;
    }
    static const double EXACT_POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                           1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                           1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    u128 mag = magnitude(d->coef);
    /* Both operands exact in a double: one IEEE division is correctly rounded,
     * the same double strtod would give. */
    if (mag < ((u128)1 << 53) && d->scale <= 22) {
        double v = (double)(uint64_t)mag / EXACT_POW10[d->scale];
        return d->coef < 0 ? -v : v;
    }
    char buf[NUMERIC_TEXT_MAX];
    numeric_format(d, buf);
    return strtod(buf, NULL);
}

static bool ascii_ieq(const char *a, size_t a_len, const char *lit)
{
    size_t n = strlen(lit);
    if (a_len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != lit[i]) {
            return false;
        }
    }
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int syntax_error(const char *text, size_t length, Error *err)
{
    return error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                     "invalid input syntax for type numeric: \"%.*s\"", (int)length, text);
}

/* Converts the digit string digits[0..count) (no leading zeros) times
 * 10^-scale into out: the fast form when it fits, else the big form. */
static int digits_to_decimal(bool negative, const char *digits, int64_t count, int64_t scale,
                             Decimal *out, Error *err)
{
    if (count <= 38 && scale >= 0 && scale <= DECIMAL_SCALE_MAX && count - scale <= 38) {
        __int128 coef = 0;
        for (int64_t i = 0; i < count; i++) {
            coef = coef * 10 + (digits[i] - '0');
        }
        *out = numeric_make(negative ? -coef : coef, (int)scale);
        return STRATA_OK;
    }
    if (count == 0) {
        /* zero with more than 38 fraction digits keeps its scale (0.000...0) */
        return numeric_from_digits(false, "0", 1, scale < 0 ? 0 : scale, NULL, out, err);
    }
    return numeric_from_digits(negative, digits, (size_t)count, scale, NULL, out, err);
}

/* Reads an exponent "e[+-]digits" at text[*pos..end); false on bad syntax. */
static bool parse_exponent(const char *text, size_t *pos, size_t end, int64_t *exponent)
{
    size_t at = *pos + 1;
    bool negative = false;
    if (at < end && (text[at] == '+' || text[at] == '-')) {
        negative = text[at] == '-';
        at++;
    }
    if (at >= end || text[at] < '0' || text[at] > '9') {
        return false;
    }
    int64_t value = 0;
    for (; at < end && text[at] >= '0' && text[at] <= '9'; at++) {
        if (value < 100000000) {
            value = value * 10 + (text[at] - '0'); /* past 10^8 it overflows anyway */
        }
    }
    *exponent = negative ? -value : value;
    *pos = at;
    return true;
}

int numeric_parse(const char *text, size_t length, Decimal *out, Error *err)
{
    size_t pos = 0, end = length;
    while (pos < end && is_space(text[pos])) {
        pos++;
    }
    while (end > pos && is_space(text[end - 1])) {
        end--;
    }
    bool negative = false;
    size_t body = pos;
    if (pos < end && (text[pos] == '+' || text[pos] == '-')) {
        negative = text[pos] == '-';
        pos++;
    }
    if (ascii_ieq(text + body, end - body, "nan")) {
        *out = special(DECIMAL_NAN);
        return STRATA_OK;
    }
    if (ascii_ieq(text + pos, end - pos, "infinity") || ascii_ieq(text + pos, end - pos, "inf")) {
        *out = special(negative ? DECIMAL_NEG_INF : DECIMAL_POS_INF);
        return STRATA_OK;
    }
    size_t digits_start = pos;
    int64_t count = 0, frac_count = 0;
    bool seen_point = false, seen_digit = false;
    for (; pos < end; pos++) {
        char c = text[pos];
        if (c >= '0' && c <= '9') {
            seen_digit = true;
            frac_count += seen_point;
            count += count > 0 || c != '0'; /* leading zeros carry no value */
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    size_t digits_end = pos;
    if (!seen_digit) {
        return syntax_error(text, length, err);
    }
    int64_t exponent = 0;
    if (pos < end && (text[pos] == 'e' || text[pos] == 'E') &&
        !parse_exponent(text, &pos, end, &exponent)) {
        return syntax_error(text, length, err);
    }
    if (pos != end) {
        return syntax_error(text, length, err);
    }
    char small[128];
    char *digits = small;
    if (count > (int64_t)sizeof small) {
        Arena *arena = numeric_set_arena(NULL);
        numeric_set_arena(arena);
        digits = arena != NULL ? arena_alloc(arena, (size_t)count) : NULL;
        if (digits == NULL) {
            return arena != NULL ? arena_error(arena, err) : overflow_error(err);
        }
    }
    int64_t kept = 0;
    for (size_t at = digits_start; at < digits_end; at++) {
        if (text[at] != '.' && (kept > 0 || text[at] != '0')) {
            digits[kept++] = text[at];
        }
    }
    return digits_to_decimal(negative, digits, count, frac_count - exponent, out, err);
}

int numeric_format(const Decimal *d, char *buf)
{
    switch (d->flags) {
    case DECIMAL_NAN:
        return (int)(strcpy(buf, "NaN"), 3);
    case DECIMAL_POS_INF:
        return (int)(strcpy(buf, "Infinity"), 8);
    case DECIMAL_NEG_INF:
        return (int)(strcpy(buf, "-Infinity"), 9);
    case DECIMAL_BIG:
        return big_format(d, buf);
    default:
        break;
    }
    char digits[48];
    int count = 0;
    u128 mag = magnitude(d->coef);
    do {
        digits[count++] = (char)('0' + (int)(mag % 10));
        mag /= 10;
    } while (mag != 0);
    int scale = d->scale;
    while (count <= scale) {
        digits[count++] = '0';
    }
    int length = 0;
    if (d->coef < 0) {
        buf[length++] = '-';
    }
    for (int i = count - 1; i >= 0; i--) {
        buf[length++] = digits[i];
        if (i == scale && scale > 0) {
            buf[length++] = '.';
        }
    }
    buf[length] = '\0';
    return length;
}

/* ---- arithmetic ---- */

static int add_finite(const Decimal *a, __int128 b_coef, int b_scale, Decimal *out, Error *err)
{
    int scale = a->scale > b_scale ? a->scale : b_scale;
    __int128 x, y, sum;
    if (!__builtin_mul_overflow(a->coef, POW10[scale - a->scale], &x) &&
        !__builtin_mul_overflow(b_coef, POW10[scale - b_scale], &y) &&
        !__builtin_add_overflow(x, y, &sum) && magnitude(sum) < (u128)POW10[38]) {
        *out = numeric_make(sum, scale);
        return STRATA_OK;
    }
    U256 ma = u256_mul(u256_from(magnitude(a->coef)), (u128)POW10[scale - a->scale]);
    U256 mb = u256_mul(u256_from(magnitude(b_coef)), (u128)POW10[scale - b_scale]);
    bool a_negative = a->coef < 0, b_negative = b_coef < 0;
    if (a_negative == b_negative) {
        return finish(a_negative, u256_add(ma, mb), scale, out, err);
    }
    if (u256_cmp(ma, mb) >= 0) {
        return finish(a_negative, u256_sub(ma, mb), scale, out, err);
    }
    return finish(b_negative, u256_sub(mb, ma), scale, out, err);
}

int numeric_add(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    if (a->flags == DECIMAL_FINITE && b->flags == DECIMAL_FINITE) {
        return add_finite(a, b->coef, b->scale, out, err);
    }
    if (numeric_is_finite(a) && numeric_is_finite(b)) {
        return big_add(a, b, out, err);
    }
    if (a->flags == DECIMAL_NAN || b->flags == DECIMAL_NAN) {
        *out = special(DECIMAL_NAN);
    } else if (!numeric_is_finite(a) && !numeric_is_finite(b) && a->flags != b->flags) {
        *out = special(DECIMAL_NAN); /* inf + -inf */
    } else {
        *out = special(!numeric_is_finite(a) ? a->flags : b->flags);
    }
    return STRATA_OK;
}

int numeric_add_arena(const Decimal *a, const Decimal *b, Decimal *out, Arena *arena, Error *err)
{
    __int128 sum;
    if (a->flags == DECIMAL_FINITE && b->flags == DECIMAL_FINITE && a->scale == b->scale &&
        !__builtin_add_overflow(a->coef, b->coef, &sum) && magnitude(sum) < (u128)POW10[38]) {
        *out = numeric_make(sum, a->scale);
        return STRATA_OK;
    }
    Arena *previous = numeric_set_arena(arena);
    int rc = numeric_add(a, b, out, err);
    numeric_set_arena(previous);
    return rc;
}

int numeric_sub(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    Decimal negated;
    numeric_neg(b, &negated);
    return numeric_add(a, &negated, out, err);
}

int numeric_mul(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    if (!numeric_is_finite(a) || !numeric_is_finite(b)) {
        if (a->flags == DECIMAL_NAN || b->flags == DECIMAL_NAN) {
            *out = special(DECIMAL_NAN);
            return STRATA_OK;
        }
        int sign = sign_of(a) * sign_of(b);
        *out = sign == 0 ? special(DECIMAL_NAN)
                         : special(sign > 0 ? DECIMAL_POS_INF : DECIMAL_NEG_INF);
        return STRATA_OK;
    }
    if (is_big(a) || is_big(b) || a->scale + b->scale > NUMERIC_DSCALE_MAX) {
        return big_mul(a, b, out, err);
    }
    int scale = a->scale + b->scale;
    __int128 product;
    if (scale <= DECIMAL_SCALE_MAX && !__builtin_mul_overflow(a->coef, b->coef, &product) &&
        magnitude(product) < (u128)POW10[38]) {
        *out = numeric_make(product, scale);
        return STRATA_OK;
    }
    U256 mag = u256_mul128(magnitude(a->coef), magnitude(b->coef));
    return finish((a->coef < 0) != (b->coef < 0), mag, scale, out, err);
}

/* Decimal exponent of the leading digit of a nonzero finite value. */
static int leading_exponent(const Decimal *d)
{
    if (is_big(d)) {
        return (int)big_leading_exponent(d);
    }
    return numeric_digit_count(d->coef) - 1 - d->scale;
}

static int floor_div(int a, int b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* PostgreSQL's weight (base-10000 digit position) and first base-10000 digit. */
static void nbase_weight(const Decimal *d, int *weight, int *first_digit)
{
    if (is_big(d) && big_sign(d) != 0) {
        big_nbase_weight(d, weight, first_digit);
        return;
    }
    if (sign_of(d) == 0) {
        *weight = 0;
        *first_digit = 0;
        return;
    }
    int w = floor_div(leading_exponent(d), 4);
    int shift = -d->scale - 4 * w; /* value / 10000^w = coef * 10^shift */
    u128 mag = magnitude(d->coef);
    if (shift >= 0) {
        mag *= (u128)POW10[shift];
    } else {
        mag /= (u128)POW10[-shift > 38 ? 38 : -shift];
    }
    *weight = w;
    *first_digit = (int)(mag % 10000);
}

static int division_by_zero(Error *err)
{
    return error_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
}

/* |a| / |b| rounded to scale digits, both finite, b nonzero. */
static int div_finite(const Decimal *a, const Decimal *b, int scale, Decimal *out, Error *err)
{
    if (is_big(a) || is_big(b)) {
        return big_div_scale(a, b, scale, out, err);
    }
    bool negative = (a->coef < 0) != (b->coef < 0);
    if (a->coef == 0) {
        return finish(false, u256_from(0), scale, out, err);
    }
    /* A quotient within 38 digits keeps the widened dividend within 256 bits;
     * a longer one is computed in the big form. */
    int quotient_int_digits = leading_exponent(a) - leading_exponent(b) + 1;
    if (scale > 38 - quotient_int_digits) {
        return big_div_scale(a, b, scale, out, err);
    }
    int shift = scale - a->scale + b->scale + 1; /* one extra digit to round with */
    U256 dividend = u256_from(magnitude(a->coef));
    if (shift >= 0) {
        dividend = u256_mul(u256_mul(dividend, (u128)POW10[shift > 38 ? 38 : shift]),
                            (u128)POW10[shift > 38 ? shift - 38 : 0]);
    } else {
        dividend = div_trunc_pow10(dividend, -shift);
    }
    U256 q, r;
    u256_divmod(dividend, u256_from(magnitude(b->coef)), &q, &r);
    U256 rounded;
    u256_divmod(q, u256_from(10), &rounded, &r);
    if (r.lo >= 5) {
        rounded = u256_add(rounded, u256_from(1));
    }
    return finish(negative, rounded, scale, out, err);
}

static bool div_special(const Decimal *a, const Decimal *b, Decimal *out, Error *err, int *rc)
{
    if (numeric_is_finite(a) && numeric_is_finite(b)) {
        if (sign_of(b) == 0) {
            *rc = division_by_zero(err);
            return true;
        }
        return false;
    }
    *rc = STRATA_OK;
    if (a->flags == DECIMAL_NAN || b->flags == DECIMAL_NAN) {
        *out = special(DECIMAL_NAN);
    } else if (!numeric_is_finite(b)) {
        *out = !numeric_is_finite(a) ? special(DECIMAL_NAN) : numeric_make(0, 0);
    } else if (sign_of(b) == 0) {
        *rc = division_by_zero(err);
    } else {
        int sign = sign_of(a) * sign_of(b);
        *out = special(sign > 0 ? DECIMAL_POS_INF : DECIMAL_NEG_INF);
    }
    return true;
}

int numeric_div(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    int rc;
    if (div_special(a, b, out, err, &rc)) {
        return rc;
    }
    int weight1, first1, weight2, first2;
    nbase_weight(a, &weight1, &first1);
    nbase_weight(b, &weight2, &first2);
    int qweight = weight1 - weight2;
    if (first1 <= first2) {
        qweight--;
    }
    int scale = NUMERIC_MIN_SIG_DIGITS - qweight * 4;
    if (scale < a->scale) {
        scale = a->scale;
    }
    if (scale < b->scale) {
        scale = b->scale;
    }
    if (scale < 0) {
        scale = 0;
    }
    if (scale > NUMERIC_DISPLAY_SCALE_MAX) {
        scale = NUMERIC_DISPLAY_SCALE_MAX;
    }
    return div_finite(a, b, scale, out, err);
}

int numeric_div_scale(const Decimal *a, const Decimal *b, int scale, Decimal *out, Error *err)
{
    int rc;
    if (div_special(a, b, out, err, &rc)) {
        return rc;
    }
    if (scale > NUMERIC_DSCALE_MAX) {
        scale = NUMERIC_DSCALE_MAX;
    }
    return div_finite(a, b, scale < 0 ? 0 : scale, out, err);
}

/* Aligns two finite values to the larger scale as 256-bit magnitudes. */
static int align(const Decimal *a, const Decimal *b, U256 *ma, U256 *mb)
{
    int scale = a->scale > b->scale ? a->scale : b->scale;
    *ma = u256_mul(u256_from(magnitude(a->coef)), (u128)POW10[scale - a->scale]);
    *mb = u256_mul(u256_from(magnitude(b->coef)), (u128)POW10[scale - b->scale]);
    return scale;
}

int numeric_mod(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    if (numeric_is_finite(b) && sign_of(b) == 0 && a->flags != DECIMAL_NAN) {
        return division_by_zero(err);
    }
    if (!numeric_is_finite(a) || !numeric_is_finite(b)) {
        if (a->flags == DECIMAL_NAN || b->flags == DECIMAL_NAN || !numeric_is_finite(a)) {
            *out = special(DECIMAL_NAN);
        } else {
            *out = *a; /* x % inf = x */
        }
        return STRATA_OK;
    }
    if (is_big(a) || is_big(b)) {
        return big_mod(a, b, out, err);
    }
    U256 ma, mb, q, r;
    int scale = align(a, b, &ma, &mb);
    u256_divmod(ma, mb, &q, &r);
    return finish(a->coef < 0, r, scale, out, err);
}

int numeric_div_trunc(const Decimal *a, const Decimal *b, Decimal *out, Error *err)
{
    int rc;
    if (div_special(a, b, out, err, &rc)) {
        return rc;
    }
    if (is_big(a) || is_big(b)) {
        return big_div_trunc(a, b, out, err);
    }
    U256 ma, mb, q, r;
    align(a, b, &ma, &mb);
    u256_divmod(ma, mb, &q, &r);
    return finish((a->coef < 0) != (b->coef < 0), q, 0, out, err);
}

void numeric_neg(const Decimal *a, Decimal *out)
{
    *out = *a;
    if (a->flags == DECIMAL_POS_INF) {
        out->flags = DECIMAL_NEG_INF;
    } else if (a->flags == DECIMAL_NEG_INF) {
        out->flags = DECIMAL_POS_INF;
    } else if (a->flags == DECIMAL_FINITE) {
        out->coef = -a->coef;
    } else if (a->flags == DECIMAL_BIG) {
        out->big.negative = !a->big.negative && a->big.len > 0;
    }
}

void numeric_abs(const Decimal *a, Decimal *out)
{
    *out = *a;
    if (a->flags == DECIMAL_NEG_INF) {
        out->flags = DECIMAL_POS_INF;
    } else if (a->flags == DECIMAL_FINITE && a->coef < 0) {
        out->coef = -a->coef;
    } else if (a->flags == DECIMAL_BIG) {
        out->big.negative = false;
    }
}

/* PostgreSQL's NUMERIC_MAX_RESULT_SCALE: round(x, s) clamps s to +-2000. */
#define ROUND_SCALE_MAX 2000

static int round_or_trunc(const Decimal *a, int scale, bool do_round, Decimal *out, Error *err)
{
    if (!numeric_is_finite(a)) {
        *out = *a;
        return STRATA_OK;
    }
    if (scale > ROUND_SCALE_MAX) {
        scale = ROUND_SCALE_MAX;
    }
    if (scale < -ROUND_SCALE_MAX) {
        scale = -ROUND_SCALE_MAX;
    }
    if (is_big(a) || scale > DECIMAL_SCALE_MAX || scale < -77) {
        return big_round(a, scale, do_round, out, err);
    }
    U256 mag = u256_from(magnitude(a->coef));
    if (scale >= a->scale) {
        return finish(a->coef < 0, u256_mul(mag, (u128)POW10[scale - a->scale]), scale, out, err);
    }
    int drop = a->scale - scale;
    mag = do_round ? div_round_pow10(mag, drop) : div_trunc_pow10(mag, drop);
    if (scale >= 0) {
        return finish(a->coef < 0, mag, scale, out, err);
    }
    return finish(a->coef < 0 && !u256_is_zero(mag), mag, scale, out, err);
}

int numeric_round(const Decimal *a, int scale, Decimal *out, Error *err)
{
    return round_or_trunc(a, scale, true, out, err);
}

int numeric_trunc(const Decimal *a, int scale, Decimal *out, Error *err)
{
    return round_or_trunc(a, scale, false, out, err);
}

static int ceil_floor(const Decimal *a, bool is_ceil, Decimal *out, Error *err)
{
    if (!numeric_is_finite(a)) {
        *out = *a;
        return STRATA_OK;
    }
    if (is_big(a)) {
        return big_ceil_floor(a, is_ceil, out, err);
    }
    __int128 unit = POW10[a->scale];
    __int128 quotient = a->coef / unit, remainder = a->coef % unit;
    if (remainder != 0 && is_ceil && a->coef > 0) {
        quotient++;
    } else if (remainder != 0 && !is_ceil && a->coef < 0) {
        quotient--;
    }
    (void)err;
    *out = numeric_make(quotient, 0);
    return STRATA_OK;
}

int numeric_ceil(const Decimal *a, Decimal *out, Error *err)
{
    return ceil_floor(a, true, out, err);
}
int numeric_floor(const Decimal *a, Decimal *out, Error *err)
{
    return ceil_floor(a, false, out, err);
}

void numeric_sign(const Decimal *a, Decimal *out)
{
    if (a->flags == DECIMAL_NAN) {
        *out = special(DECIMAL_NAN);
        return;
    }
    *out = numeric_make(sign_of(a), 0);
}

int numeric_rescale(const Decimal *a, int scale, Decimal *out, Error *err)
{
    return round_or_trunc(a, scale, true, out, err);
}

int numeric_apply_typmod(Decimal *d, int32_t typmod, Error *err)
{
    if (typmod < 0) {
        return STRATA_OK;
    }
    int precision = (typmod >> 16) & 0xffff, scale = typmod & 0xffff;
    if (!numeric_is_finite(d)) {
        if (d->flags == DECIMAL_NAN) {
            return STRATA_OK;
        }
        error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        return error_detail(err,
                            "A field with precision %d, scale %d cannot hold an infinite value.",
                            precision, scale);
    }
    Decimal rounded;
    int rc = numeric_round(d, scale, &rounded, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (sign_of(&rounded) != 0 && numeric_coef_digits(&rounded) > precision) {
        error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        if (precision - scale == 0) {
            return error_detail(
                err,
                "A field with precision %d, scale %d must round to an absolute value less than 1.",
                precision, scale);
        }
        return error_detail(
            err,
            "A field with precision %d, scale %d must round to an absolute value less than 10^%d.",
            precision, scale, precision - scale);
    }
    *d = rounded;
    return STRATA_OK;
}

void numeric_normalize(const Decimal *a, Decimal *out)
{
    *out = *a;
    if (a->flags == DECIMAL_BIG) {
        big_normalize(a, out);
        return;
    }
    if (a->flags != DECIMAL_FINITE) {
        return;
    }
    if (out->coef == 0) {
        out->scale = 0;
        return;
    }
    while (out->scale > 0 && out->coef % 10 == 0) {
        out->coef /= 10;
        out->scale--;
    }
}

static int special_rank(const Decimal *d)
{
    switch (d->flags) {
    case DECIMAL_NEG_INF:
        return 0;
    case DECIMAL_POS_INF:
        return 2;
    case DECIMAL_NAN:
        return 3;
    default:
        return 1;
    }
}

int numeric_compare(const Decimal *a, const Decimal *b)
{
    int ra = special_rank(a), rb = special_rank(b);
    if (ra != rb || ra != 1) {
        return ra < rb ? -1 : (ra > rb ? 1 : 0);
    }
    if (is_big(a) || is_big(b)) {
        return big_compare(a, b);
    }
    if (a->scale == b->scale) {
        return a->coef < b->coef ? -1 : (a->coef > b->coef ? 1 : 0);
    }
    int sa = sign_of(a), sb = sign_of(b);
    if (sa != sb) {
        return sa < sb ? -1 : 1;
    }
    U256 ma, mb;
    align(a, b, &ma, &mb);
    int c = u256_cmp(ma, mb);
    return sa < 0 ? -c : c;
}

uint64_t numeric_hash(const Decimal *d)
{
    /* Hash by double value so integers, numerics and floats that compare equal
     * hash equal (see compare.h). */
    return hash_f64(numeric_to_double(d));
}
