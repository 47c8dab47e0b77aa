/*
 * types/func_math.c - mathematical functions (abs, ceil, floor, round, trunc,
 * sign, sqrt, cbrt, exp, ln, log, power, mod, div, pi, degrees, radians,
 * trigonometry, random, width_bucket, gcd, lcm, factorial).
 *
 * float8 and numeric overloads follow PostgreSQL's (round(int) resolves to
 * round(double precision) because float8 is the preferred numeric type).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "types/cast.h"
#include "types/func_int.h"
#include "types/numeric.h"

static void numeric_result(Value *result, Decimal d)
{
    memset(result, 0, sizeof *result);
    result->type = sql_type(TYPE_NUMERIC);
    result->dec = d;
}

static int float_checked(double v, Value *result, Error *err)
{
    if (isinf(v)) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    }
    *result = value_f64(v);
    return STRATA_OK;
}

FN(abs_int)
{
    if (args[0].i64 == INT64_MIN) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    }
    return func_int_result(args[0].i64 < 0 ? -args[0].i64 : args[0].i64, args[0].type.id, result,
                           err);
}

FN(abs_float)
{
    *result = value_f64(fabs(args[0].f64));
    result->type = args[0].type;
    return STRATA_OK;
}

FN(abs_numeric)
{
    Decimal d;
    numeric_abs(&args[0].dec, &d);
    numeric_result(result, d);
    return STRATA_OK;
}

#define FLOAT_UNARY(fname, expr)                                                                   \
    FN(fname)                                                                                      \
    {                                                                                              \
        double x = args[0].f64;                                                                    \
        *result = value_f64(expr);                                                                 \
        return STRATA_OK;                                                                          \
    }
FLOAT_UNARY(ceil_float, ceil(x))
FLOAT_UNARY(floor_float, floor(x))
FLOAT_UNARY(round_float, rint(x)) /* half to even, as PostgreSQL */
FLOAT_UNARY(trunc_float, trunc(x))
FLOAT_UNARY(sign_float, x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0))
FLOAT_UNARY(cbrt_float, cbrt(x))
FLOAT_UNARY(degrees_float, x *(180.0 / M_PI))
FLOAT_UNARY(radians_float, x *(M_PI / 180.0))
FLOAT_UNARY(sin_float, sin(x))
FLOAT_UNARY(cos_float, cos(x))
FLOAT_UNARY(tan_float, tan(x))
FLOAT_UNARY(atan_float, atan(x))
FLOAT_UNARY(cot_float, 1.0 / tan(x))

FN(asin_float)
{
    double x = args[0].f64;
    if (x < -1 || x > 1) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "input is out of range");
    }
    *result = value_f64(asin(x));
    return STRATA_OK;
}

FN(acos_float)
{
    double x = args[0].f64;
    if (x < -1 || x > 1) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "input is out of range");
    }
    *result = value_f64(acos(x));
    return STRATA_OK;
}

FN(atan2_float)
{
    *result = value_f64(atan2(args[0].f64, args[1].f64));
    return STRATA_OK;
}

FN(sqrt_float)
{
    if (args[0].f64 < 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                         "cannot take square root of a negative number");
    }
    *result = value_f64(sqrt(args[0].f64));
    return STRATA_OK;
}

FN(exp_float)
{
    double r = exp(args[0].f64);
    if (isinf(r) && !isinf(args[0].f64)) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    }
    *result = value_f64(r);
    return STRATA_OK;
}

static int log_check(double x, Error *err)
{
    if (x == 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of zero");
    }
    if (x < 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_LOG,
                         "cannot take logarithm of a negative number");
    }
    return STRATA_OK;
}

FN(ln_float)
{
    int rc = log_check(args[0].f64, err);
    if (rc == STRATA_OK) {
        *result = value_f64(log(args[0].f64));
    }
    return rc;
}

FN(log10_float)
{
    int rc = log_check(args[0].f64, err);
    if (rc == STRATA_OK) {
        *result = value_f64(log10(args[0].f64));
    }
    return rc;
}

FN(pow_float)
{
    double x = args[0].f64, y = args[1].f64;
    if (x == 0 && y < 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                         "zero raised to a negative power is undefined");
    }
    if (x < 0 && floor(y) != y && !isinf(y)) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                         "a negative number raised to a non-integer power yields a complex result");
    }
    return float_checked(pow(x, y), result, err);
}

FN(pi_fn)
{
    *result = value_f64(M_PI);
    return STRATA_OK;
}

#define NUMERIC_UNARY(fname, call)                                                                 \
    FN(fname)                                                                                      \
    {                                                                                              \
        Decimal d;                                                                                 \
        int rc = call;                                                                             \
        if (rc == STRATA_OK) {                                                                     \
            numeric_result(result, d);                                                             \
        }                                                                                          \
        return rc;                                                                                 \
    }
NUMERIC_UNARY(ceil_numeric, numeric_ceil(&args[0].dec, &d, err))
NUMERIC_UNARY(floor_numeric, numeric_floor(&args[0].dec, &d, err))
NUMERIC_UNARY(round_numeric, numeric_round(&args[0].dec, 0, &d, err))
NUMERIC_UNARY(trunc_numeric, numeric_trunc(&args[0].dec, 0, &d, err))
NUMERIC_UNARY(sqrt_numeric, numeric_sqrt(&args[0].dec, &d, err))
NUMERIC_UNARY(exp_numeric, numeric_exp(&args[0].dec, &d, err))
NUMERIC_UNARY(ln_numeric, numeric_ln(&args[0].dec, &d, err))
NUMERIC_UNARY(log10_numeric, numeric_log10(&args[0].dec, &d, err))
NUMERIC_UNARY(log_numeric, numeric_log(&args[0].dec, &args[1].dec, &d, err))
NUMERIC_UNARY(pow_numeric, numeric_power(&args[0].dec, &args[1].dec, &d, err))
NUMERIC_UNARY(mod_numeric, numeric_mod(&args[0].dec, &args[1].dec, &d, err))
NUMERIC_UNARY(div_numeric, numeric_div_trunc(&args[0].dec, &args[1].dec, &d, err))
NUMERIC_UNARY(round_numeric_scale, numeric_round(&args[0].dec,
                                                 (int)(args[1].i64 > 1000    ? 1000
                                                       : args[1].i64 < -1000 ? -1000
                                                                             : args[1].i64),
                                                 &d, err))
NUMERIC_UNARY(trunc_numeric_scale, numeric_trunc(&args[0].dec,
                                                 (int)(args[1].i64 > 1000    ? 1000
                                                       : args[1].i64 < -1000 ? -1000
                                                                             : args[1].i64),
                                                 &d, err))

FN(sign_numeric)
{
    Decimal d;
    numeric_sign(&args[0].dec, &d);
    numeric_result(result, d);
    return STRATA_OK;
}

FN(mod_int)
{
    if (args[1].i64 == 0) {
        return error_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
    }
    int64_t r = args[1].i64 == -1 ? 0 : args[0].i64 % args[1].i64;
    TypeId t = args[0].type.id > args[1].type.id ? args[0].type.id : args[1].type.id;
    return func_int_result(r, t, result, err);
}

static uint64_t random_next(FuncContext *ctx)
{
    static __thread uint64_t fallback;
    uint64_t *state = ctx->random_state;
    if (state == NULL) {
        if (fallback == 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            fallback =
                (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)&ts;
        }
        state = &fallback;
    }
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

FN(random_fn)
{
    *result = value_f64((double)(random_next(ctx) >> 11) * (1.0 / 9007199254740992.0));
    return STRATA_OK;
}

/* pg_sleep(seconds): sleeps in slices of at most 10 ms, so a cancel request or
 * statement_timeout ends it (57014). Returns NULL (PostgreSQL's void prints as
 * an empty value). */
/* pg_stat_force_next_flush(): PostgreSQL reports a backend's statistics at
 * most once a second unless this is called; strata's counters are current at
 * the end of each statement, so there is nothing to force. */
FN(pg_stat_force_next_flush_fn)
{
    (void)args;
    (void)arg_count;
    (void)ctx;
    (void)err;
    *result = value_null(sql_type(TYPE_TEXT));
    return STRATA_OK;
}

FN(pg_sleep_fn)
{
    (void)arg_count;
    double left = args[0].f64;
    while (left > 0 && !isnan(left)) {
        if (ctx->interrupt != NULL && *ctx->interrupt) {
            return error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to user request");
        }
        double slice = left < 0.01 ? left : 0.01;
        struct timespec ts = {0, (long)(slice * 1e9)};
        nanosleep(&ts, NULL);
        left -= slice;
    }
    *result = value_null(sql_type(TYPE_TEXT));
    return STRATA_OK;
}

FN(gen_random_uuid_fn)
{
    memset(result, 0, sizeof *result);
    result->type = sql_type(TYPE_UUID);
    uint64_t a = random_next(ctx), b = random_next(ctx);
    memcpy(result->uuid.bytes, &a, 8);
    memcpy(result->uuid.bytes + 8, &b, 8);
    result->uuid.bytes[6] = (uint8_t)((result->uuid.bytes[6] & 0x0f) | 0x40); /* version 4 */
    result->uuid.bytes[8] = (uint8_t)((result->uuid.bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return STRATA_OK;
}

FN(width_bucket_float)
{
    double x = args[0].f64, low = args[1].f64, high = args[2].f64;
    int64_t count = args[3].i64;
    if (count <= 0) {
        return error_set(err, "2201G", "count must be greater than zero");
    }
    if (low == high || isnan(x) || isnan(low) || isnan(high)) {
        return error_set(err, "2201G", "lower bound cannot equal upper bound");
    }
    int64_t bucket;
    if (low < high) {
        bucket = x < low     ? 0
                 : x >= high ? count + 1
                             : (int64_t)((x - low) / (high - low) * (double)count) + 1;
    } else {
        bucket = x > low     ? 0
                 : x <= high ? count + 1
                             : (int64_t)((low - x) / (low - high) * (double)count) + 1;
    }
    if (bucket > count + 1) {
        bucket = count + 1;
    }
    return func_int_result(bucket, TYPE_INT4, result, err);
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

FN(gcd_int)
{
    TypeId t = args[0].type.id;
    if ((args[0].i64 == INT64_MIN && (args[1].i64 == 0 || args[1].i64 == INT64_MIN)) ||
        (args[1].i64 == INT64_MIN && args[0].i64 == 0)) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                         t == TYPE_INT4 ? "integer" : "bigint");
    }
    return func_int_result(gcd64(args[0].i64, args[1].i64), t, result, err);
}

FN(lcm_int)
{
    TypeId t = args[0].type.id;
    if (args[0].i64 == 0 || args[1].i64 == 0) {
        return func_int_result(0, t, result, err);
    }
    int64_t g = gcd64(args[0].i64, args[1].i64), r;
    if (__builtin_mul_overflow(args[0].i64 / g, args[1].i64, &r) || r == INT64_MIN) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                         t == TYPE_INT4 ? "integer" : "bigint");
    }
    return func_int_result(r < 0 ? -r : r, t, result, err);
}

FN(factorial_fn)
{
    int64_t n = args[0].i64;
    if (n < 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "factorial of a negative number is undefined");
    }
    Decimal acc = numeric_make(1, 0);
    for (int64_t i = 2; i <= n; i++) {
        Decimal factor = numeric_make(i, 0);
        int rc = numeric_mul(&acc, &factor, &acc, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    numeric_result(result, acc);
    return STRATA_OK;
}

FN(scale_fn)
{
    if (!numeric_is_finite(&args[0].dec)) {
        *result = value_null(sql_type(TYPE_INT4));
        return STRATA_OK;
    }
    result_int(result, TYPE_INT4, args[0].dec.scale);
    return STRATA_OK;
}

FN(num_nulls_fn)
{
    int64_t nulls = 0;
    for (int i = 0; i < arg_count; i++) {
        nulls += args[i].is_null;
    }
    result_int(result, TYPE_INT4, nulls);
    return STRATA_OK;
}

FN(num_nonnulls_fn)
{
    int64_t count = 0;
    for (int i = 0; i < arg_count; i++) {
        count += !args[i].is_null;
    }
    result_int(result, TYPE_INT4, count);
    return STRATA_OK;
}

FN(trim_scale_fn)
{
    Decimal d;
    numeric_normalize(&args[0].dec, &d);
    numeric_result(result, d);
    return STRATA_OK;
}

FN(min_scale_fn)
{
    if (!numeric_is_finite(&args[0].dec)) {
        *result = value_null(sql_type(TYPE_INT4));
        return STRATA_OK;
    }
    Decimal d;
    numeric_normalize(&args[0].dec, &d);
    result_int(result, TYPE_INT4, d.scale);
    return STRATA_OK;
}

#define COUNT_NULLS(nm, fn_)                                                                       \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION, .arg_count = 0, .variadic = FUNC_VARIADIC_ANY,     \
        .result_type = TYPE_INT4, .fn = fn_, .strict = false, .volatility = VOLATILITY_IMMUTABLE   \
    }

static const FuncDef DEFS[] = {
    COUNT_NULLS("num_nulls", num_nulls_fn),
    COUNT_NULLS("num_nonnulls", num_nonnulls_fn),
    F("trim_scale", T(NUMERIC), trim_scale_fn, T(NUMERIC)),
    F("min_scale", T(INT4), min_scale_fn, T(NUMERIC)),
    F("abs", T(INT2), abs_int, T(INT2)),
    F("abs", T(INT4), abs_int, T(INT4)),
    F("abs", T(INT8), abs_int, T(INT8)),
    F("abs", T(FLOAT4), abs_float, T(FLOAT4)),
    F("abs", T(FLOAT8), abs_float, T(FLOAT8)),
    F("abs", T(NUMERIC), abs_numeric, T(NUMERIC)),
    F("ceil", T(FLOAT8), ceil_float, T(FLOAT8)),
    F("ceil", T(NUMERIC), ceil_numeric, T(NUMERIC)),
    F("ceiling", T(FLOAT8), ceil_float, T(FLOAT8)),
    F("ceiling", T(NUMERIC), ceil_numeric, T(NUMERIC)),
    F("floor", T(FLOAT8), floor_float, T(FLOAT8)),
    F("floor", T(NUMERIC), floor_numeric, T(NUMERIC)),
    F("round", T(FLOAT8), round_float, T(FLOAT8)),
    F("round", T(NUMERIC), round_numeric, T(NUMERIC)),
    F("round", T(NUMERIC), round_numeric_scale, T(NUMERIC), T(INT4)),
    F("trunc", T(FLOAT8), trunc_float, T(FLOAT8)),
    F("trunc", T(NUMERIC), trunc_numeric, T(NUMERIC)),
    F("trunc", T(NUMERIC), trunc_numeric_scale, T(NUMERIC), T(INT4)),
    F("sign", T(FLOAT8), sign_float, T(FLOAT8)),
    F("sign", T(NUMERIC), sign_numeric, T(NUMERIC)),
    F("sqrt", T(FLOAT8), sqrt_float, T(FLOAT8)),
    PREFIX("|/", T(FLOAT8), sqrt_float, T(FLOAT8)),
    PREFIX("||/", T(FLOAT8), cbrt_float, T(FLOAT8)),
    PREFIX("@", T(INT2), abs_int, T(INT2)),
    PREFIX("@", T(INT4), abs_int, T(INT4)),
    PREFIX("@", T(INT8), abs_int, T(INT8)),
    PREFIX("@", T(FLOAT4), abs_float, T(FLOAT4)),
    PREFIX("@", T(FLOAT8), abs_float, T(FLOAT8)),
    PREFIX("@", T(NUMERIC), abs_numeric, T(NUMERIC)),
    F("sqrt", T(NUMERIC), sqrt_numeric, T(NUMERIC)),
    F("cbrt", T(FLOAT8), cbrt_float, T(FLOAT8)),
    F("exp", T(FLOAT8), exp_float, T(FLOAT8)),
    F("exp", T(NUMERIC), exp_numeric, T(NUMERIC)),
    F("ln", T(FLOAT8), ln_float, T(FLOAT8)),
    F("ln", T(NUMERIC), ln_numeric, T(NUMERIC)),
    F("log", T(FLOAT8), log10_float, T(FLOAT8)),
    F("log", T(NUMERIC), log10_numeric, T(NUMERIC)),
    F("log10", T(FLOAT8), log10_float, T(FLOAT8)),
    F("log10", T(NUMERIC), log10_numeric, T(NUMERIC)),
    F("log", T(NUMERIC), log_numeric, T(NUMERIC), T(NUMERIC)),
    F("power", T(FLOAT8), pow_float, T(FLOAT8), T(FLOAT8)),
    F("power", T(NUMERIC), pow_numeric, T(NUMERIC), T(NUMERIC)),
    F("pow", T(FLOAT8), pow_float, T(FLOAT8), T(FLOAT8)),
    F("pow", T(NUMERIC), pow_numeric, T(NUMERIC), T(NUMERIC)),
    F("mod", T(INT2), mod_int, T(INT2), T(INT2)),
    F("mod", T(INT4), mod_int, T(INT4), T(INT4)),
    F("mod", T(INT8), mod_int, T(INT8), T(INT8)),
    F("mod", T(NUMERIC), mod_numeric, T(NUMERIC), T(NUMERIC)),
    F("div", T(NUMERIC), div_numeric, T(NUMERIC), T(NUMERIC)),
    F0("pi", T(FLOAT8), pi_fn, VOLATILITY_IMMUTABLE),
    F("degrees", T(FLOAT8), degrees_float, T(FLOAT8)),
    F("radians", T(FLOAT8), radians_float, T(FLOAT8)),
    F("sin", T(FLOAT8), sin_float, T(FLOAT8)),
    F("cos", T(FLOAT8), cos_float, T(FLOAT8)),
    F("tan", T(FLOAT8), tan_float, T(FLOAT8)),
    F("cot", T(FLOAT8), cot_float, T(FLOAT8)),
    F("asin", T(FLOAT8), asin_float, T(FLOAT8)),
    F("acos", T(FLOAT8), acos_float, T(FLOAT8)),
    F("atan", T(FLOAT8), atan_float, T(FLOAT8)),
    F("atan2", T(FLOAT8), atan2_float, T(FLOAT8), T(FLOAT8)),
    F0("random", T(FLOAT8), random_fn, VOLATILITY_VOLATILE),
    F0("gen_random_uuid", T(UUID), gen_random_uuid_fn, VOLATILITY_VOLATILE),
    DEF("pg_sleep", FUNC_KIND_FUNCTION, T(TEXT), pg_sleep_fn, VOLATILITY_VOLATILE, T(FLOAT8)),
    F0("pg_stat_force_next_flush", T(TEXT), pg_stat_force_next_flush_fn, VOLATILITY_VOLATILE),
    F("width_bucket", T(INT4), width_bucket_float, T(FLOAT8), T(FLOAT8), T(FLOAT8), T(INT4)),
    F("gcd", T(INT4), gcd_int, T(INT4), T(INT4)),
    F("gcd", T(INT8), gcd_int, T(INT8), T(INT8)),
    F("lcm", T(INT4), lcm_int, T(INT4), T(INT4)),
    F("lcm", T(INT8), lcm_int, T(INT8), T(INT8)),
    F("factorial", T(NUMERIC), factorial_fn, T(INT8)),
    F("scale", T(INT4), scale_fn, T(NUMERIC)),
};

const FuncDef *func_defs_math(int *count)
{
    *count = (int)(sizeof DEFS / sizeof DEFS[0]);
    return DEFS;
}
