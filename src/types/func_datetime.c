/*
 * types/func_datetime.c - date/time operators and functions (now,
 * date_part/extract, date_trunc, make_*, age, to_char, to_timestamp,
 * to_date, justify_*, isfinite) and generate_series.
 *
 * now() and current_timestamp are the transaction start (FuncContext), so
 * they are STABLE; clock_timestamp() reads the wall clock and is VOLATILE.
 */
#include <math.h>
#include <string.h>

#include "types/datetime.h"
#include "types/func_int.h"
#include "types/numeric.h"

static void ts_result(Value *result, TypeId type, int64_t v)
{
    *result = value_i64(type, v);
}

static void interval_result(Value *result, Interval iv)
{
    memset(result, 0, sizeof *result);
    result->type = sql_type(TYPE_INTERVAL);
    result->iv = iv;
}

FN(date_plus_int)
{
    int64_t d;
    int rc = date_add_days(args[0].i64, args[1].i64, &d, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_DATE, d);
    }
    return rc;
}

FN(int_plus_date)
{
    Value swapped[2] = {args[1], args[0]};
    return date_plus_int(swapped, 2, result, ctx, err);
}

FN(date_minus_int)
{
    int64_t d;
    int rc = date_add_days(args[0].i64, -args[1].i64, &d, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_DATE, d);
    }
    return rc;
}

FN(date_minus_date)
{
    if (!DATETIME_IS_FINITE(args[0].i64) || !DATETIME_IS_FINITE(args[1].i64)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "cannot subtract infinite dates");
    }
    return func_int_result(args[0].i64 - args[1].i64, TYPE_INT4, result, err);
}

static int64_t as_timestamp(const Value *v)
{
    return v->type.id == TYPE_DATE ? date_to_timestamp(v->i64) : v->i64;
}

/* timestamp(+tz) +/- interval; the timestamp is args[ts_index]. */
static int ts_interval(const Value *ts, const Interval *iv, bool negate, TypeId result_type,
                       Value *result, FuncContext *ctx, Error *err)
{
    Interval delta = *iv;
    if (negate) {
        int rc = interval_neg(iv, &delta, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    int64_t out;
    int rc = result_type == TYPE_TIMESTAMPTZ
                 ? timestamptz_add_interval(as_timestamp(ts), &delta, ctx->timezone, &out, err)
                 : timestamp_add_interval(as_timestamp(ts), &delta, &out, err);
    if (rc == STRATA_OK) {
        ts_result(result, result_type, out);
    }
    return rc;
}

FN(ts_plus_interval)
{
    return ts_interval(&args[0], &args[1].iv, false, TYPE_TIMESTAMP, result, ctx, err);
}
FN(interval_plus_ts)
{
    return ts_interval(&args[1], &args[0].iv, false, TYPE_TIMESTAMP, result, ctx, err);
}
FN(ts_minus_interval)
{
    return ts_interval(&args[0], &args[1].iv, true, TYPE_TIMESTAMP, result, ctx, err);
}
FN(tstz_plus_interval)
{
    return ts_interval(&args[0], &args[1].iv, false, TYPE_TIMESTAMPTZ, result, ctx, err);
}
FN(interval_plus_tstz)
{
    return ts_interval(&args[1], &args[0].iv, false, TYPE_TIMESTAMPTZ, result, ctx, err);
}
FN(tstz_minus_interval)
{
    return ts_interval(&args[0], &args[1].iv, true, TYPE_TIMESTAMPTZ, result, ctx, err);
}

FN(date_plus_time)
{
    const Value *d = args[0].type.id == TYPE_DATE ? &args[0] : &args[1];
    const Value *t = args[0].type.id == TYPE_DATE ? &args[1] : &args[0];
    if (!DATETIME_IS_FINITE(d->i64)) {
        ts_result(result, TYPE_TIMESTAMP, d->i64);
        return STRATA_OK;
    }
    ts_result(result, TYPE_TIMESTAMP, date_to_timestamp(d->i64) + t->i64);
    return STRATA_OK;
}

FN(ts_minus_ts)
{
    Interval iv;
    int rc = timestamp_diff(args[0].i64, args[1].i64, &iv, err);
    if (rc == STRATA_OK) {
        interval_result(result, iv);
    }
    return rc;
}

static int64_t wrap_time(int64_t t)
{
    t %= USECS_PER_DAY;
    return t < 0 ? t + USECS_PER_DAY : t;
}

FN(time_plus_interval)
{
    ts_result(result, TYPE_TIME, wrap_time(args[0].i64 + args[1].iv.micros));
    return STRATA_OK;
}
FN(interval_plus_time)
{
    ts_result(result, TYPE_TIME, wrap_time(args[1].i64 + args[0].iv.micros));
    return STRATA_OK;
}
FN(time_minus_interval)
{
    ts_result(result, TYPE_TIME, wrap_time(args[0].i64 - args[1].iv.micros));
    return STRATA_OK;
}

FN(time_minus_time)
{
    Interval iv = {0, 0, args[0].i64 - args[1].i64};
    interval_result(result, iv);
    return STRATA_OK;
}

#define INTERVAL_BINARY(fname, call)                                                               \
    FN(fname)                                                                                      \
    {                                                                                              \
        Interval iv;                                                                               \
        int rc = call;                                                                             \
        if (rc == STRATA_OK) {                                                                     \
            interval_result(result, iv);                                                           \
        }                                                                                          \
        return rc;                                                                                 \
    }
INTERVAL_BINARY(interval_plus, interval_add(&args[0].iv, &args[1].iv, &iv, err))
INTERVAL_BINARY(interval_minus, interval_sub(&args[0].iv, &args[1].iv, &iv, err))
INTERVAL_BINARY(interval_negate, interval_neg(&args[0].iv, &iv, err))
INTERVAL_BINARY(interval_times, interval_mul(&args[0].iv, args[1].f64, &iv, err))
INTERVAL_BINARY(times_interval, interval_mul(&args[1].iv, args[0].f64, &iv, err))
INTERVAL_BINARY(interval_divide, interval_div(&args[0].iv, args[1].f64, &iv, err))

FN(justify_hours_fn)
{
    Interval iv;
    interval_justify_hours(&args[0].iv, &iv);
    interval_result(result, iv);
    return STRATA_OK;
}
FN(justify_days_fn)
{
    Interval iv;
    interval_justify_days(&args[0].iv, &iv);
    interval_result(result, iv);
    return STRATA_OK;
}
FN(justify_interval_fn)
{
    Interval iv;
    interval_justify_interval(&args[0].iv, &iv);
    interval_result(result, iv);
    return STRATA_OK;
}

FN(now_fn)
{
    ts_result(result, TYPE_TIMESTAMPTZ, ctx->txn_start_micros);
    return STRATA_OK;
}
FN(statement_timestamp_fn)
{
    ts_result(result, TYPE_TIMESTAMPTZ, ctx->statement_start_micros);
    return STRATA_OK;
}
FN(clock_timestamp_fn)
{
    ts_result(result, TYPE_TIMESTAMPTZ, datetime_now_micros());
    return STRATA_OK;
}

FN(current_date_fn)
{
    int64_t local, day;
    int rc = timestamptz_to_timestamp(ctx->txn_start_micros, ctx->timezone, &local, err);
    if (rc == STRATA_OK) {
        rc = timestamp_to_date(local, &day, err);
    }
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_DATE, day);
    }
    return rc;
}

FN(localtimestamp_fn)
{
    int64_t local;
    int rc = timestamptz_to_timestamp(ctx->txn_start_micros, ctx->timezone, &local, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_TIMESTAMP, local);
    }
    return rc;
}

FN(localtime_fn)
{
    int64_t local;
    int rc = timestamptz_to_timestamp(ctx->txn_start_micros, ctx->timezone, &local, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_TIME, timestamp_to_time(local));
    }
    return rc;
}

static const char *field_name(const Value *v, FuncContext *ctx)
{
    return arena_strndup(ctx->arena, v->str.ptr, v->str.len);
}

FN(extract_fn)
{
    const char *field = field_name(&args[0], ctx);
    if (field == NULL) {
        return func_nomem(ctx, err);
    }
    Decimal d;
    int rc = datetime_extract(field, &args[1], ctx->timezone, &d, err);
    if (rc == STRATA_OK) {
        memset(result, 0, sizeof *result);
        result->type = sql_type(TYPE_NUMERIC);
        result->dec = d;
    }
    return rc;
}

FN(date_part_fn)
{
    int rc = extract_fn(args, arg_count, result, ctx, err);
    if (rc == STRATA_OK) {
        double v = numeric_to_double(&result->dec);
        *result = value_f64(v);
    }
    return rc;
}

FN(date_trunc_fn)
{
    const char *field = field_name(&args[0], ctx);
    if (field == NULL) {
        return func_nomem(ctx, err);
    }
    if (args[1].type.id == TYPE_INTERVAL) {
        Interval iv;
        int rc = interval_trunc(field, &args[1].iv, &iv, err);
        if (rc == STRATA_OK) {
            interval_result(result, iv);
        }
        return rc;
    }
    bool with_tz = args[1].type.id == TYPE_TIMESTAMPTZ;
    int64_t out;
    int rc = timestamp_trunc(field, args[1].i64, with_tz, ctx->timezone, &out, err);
    if (rc == STRATA_OK) {
        ts_result(result, args[1].type.id, out);
    }
    return rc;
}

FN(date_trunc_zone_fn)
{
    const char *field = field_name(&args[0], ctx);
    const char *zone = arena_strndup(ctx->arena, args[2].str.ptr, args[2].str.len);
    if (field == NULL || zone == NULL) {
        return func_nomem(ctx, err);
    }
    int64_t out;
    int rc = timestamp_trunc(field, args[1].i64, true, zone, &out, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_TIMESTAMPTZ, out);
    }
    return rc;
}

/* date_bin(stride, source, origin): the start of the stride-wide bin that
 * holds source, bins aligned on origin (PostgreSQL 14). */
FN(date_bin_fn)
{
    const Interval *stride = &args[0].iv;
    if (stride->months != 0) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "timestamps cannot be binned into intervals containing months or years");
    }
    int64_t width = (int64_t)stride->days * USECS_PER_DAY + stride->micros;
    if (width <= 0) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "stride must be greater than zero");
    }
    int64_t source = args[1].i64, origin = args[2].i64;
    if (!DATETIME_IS_FINITE(source) || !DATETIME_IS_FINITE(origin)) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "timestamps cannot be binned into infinite intervals");
    }
    int64_t delta;
    if (__builtin_sub_overflow(source, origin, &delta)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "interval out of range");
    }
    int64_t bins = delta / width;
    if (delta % width < 0) {
        bins--; /* floor, so sources before the origin fall into earlier bins */
    }
    ts_result(result, args[1].type.id, origin + bins * width);
    return STRATA_OK;
}

FN(make_date_fn)
{
    int64_t d;
    int rc = datetime_make_date(args[0].i64, args[1].i64, args[2].i64, &d, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_DATE, d);
    }
    return rc;
}

FN(make_time_fn)
{
    int64_t t;
    int rc = datetime_make_time(args[0].i64, args[1].i64, args[2].f64, &t, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_TIME, t);
    }
    return rc;
}

FN(make_timestamp_fn)
{
    int64_t ts;
    int rc = datetime_make_timestamp(args[0].i64, args[1].i64, args[2].i64, args[3].i64,
                                     args[4].i64, args[5].f64, &ts, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_TIMESTAMP, ts);
    }
    return rc;
}

FN(make_timestamptz_fn)
{
    int64_t ts;
    int rc = datetime_make_timestamp(args[0].i64, args[1].i64, args[2].i64, args[3].i64,
                                     args[4].i64, args[5].f64, &ts, err);
    if (rc == STRATA_OK) {
        rc = timestamp_to_timestamptz(ts, ctx->timezone, &ts, err);
    }
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_TIMESTAMPTZ, ts);
    }
    return rc;
}

FN(make_timestamptz_zone_fn)
{
    int64_t ts;
    const char *zone = arena_strndup(ctx->arena, args[6].str.ptr, args[6].str.len);
    if (zone == NULL) {
        return func_nomem(ctx, err);
    }
    int rc = datetime_make_timestamp(args[0].i64, args[1].i64, args[2].i64, args[3].i64,
                                     args[4].i64, args[5].f64, &ts, err);
    if (rc == STRATA_OK) {
        rc = tz_at_time_zone(zone, ts, false, &ts, err);
    }
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_TIMESTAMPTZ, ts);
    }
    return rc;
}

FN(make_interval_fn)
{
    /* make_interval(years, months, weeks, days, hours, mins, secs) */
    double months = (double)args[0].i64 * 12 + (double)args[1].i64;
    double days = (double)args[2].i64 * 7 + (double)args[3].i64;
    double micros = (double)args[4].i64 * 3600e6 + (double)args[5].i64 * 60e6 + args[6].f64 * 1e6;
    if (fabs(months) > INT32_MAX || fabs(days) > INT32_MAX || fabs(micros) > 9.2e18 ||
        isnan(micros)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "interval out of range");
    }
    Interval iv = {(int32_t)months, (int32_t)days, (int64_t)llround(micros)};
    interval_result(result, iv);
    return STRATA_OK;
}

FN(age2_fn)
{
    Interval iv;
    int64_t a = args[0].i64, b = args[1].i64;
    if (args[0].type.id == TYPE_TIMESTAMPTZ) {
        int rc = timestamptz_to_timestamp(a, ctx->timezone, &a, err);
        if (rc == STRATA_OK) {
            rc = timestamptz_to_timestamp(b, ctx->timezone, &b, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    int rc = timestamp_age(a, b, &iv, err);
    if (rc == STRATA_OK) {
        interval_result(result, iv);
    }
    return rc;
}

FN(age1_fn)
{
    /* age(ts) = age(current_date at midnight, ts) */
    Value today;
    int rc = current_date_fn(NULL, 0, &today, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Value pair[2];
    pair[0] = value_i64(args[0].type.id, date_to_timestamp(today.i64));
    if (args[0].type.id == TYPE_TIMESTAMPTZ) {
        rc = timestamp_to_timestamptz(pair[0].i64, ctx->timezone, &pair[0].i64, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    pair[1] = args[0];
    return age2_fn(pair, 2, result, ctx, err);
}

FN(to_char_fn)
{
    StrRef out;
    int rc = datetime_to_char(&args[0], args[1].str.ptr, args[1].str.len, ctx->timezone, ctx->arena,
                              &out, err);
    if (rc == STRATA_OK) {
        result_text(result, out.ptr, out.len);
    }
    return rc;
}

/* AT TIME ZONE, bound as timezone(zone, value) as in PostgreSQL. */
FN(timezone_text_fn)
{
    const char *zone = arena_strndup(ctx->arena, args[0].str.ptr, args[0].str.len);
    if (zone == NULL) {
        return func_nomem(ctx, err);
    }
    bool to_local = args[1].type.id == TYPE_TIMESTAMPTZ;
    int64_t out;
    int rc = tz_at_time_zone(zone, args[1].i64, to_local, &out, err);
    if (rc == STRATA_OK) {
        ts_result(result, to_local ? TYPE_TIMESTAMP : TYPE_TIMESTAMPTZ, out);
    }
    return rc;
}

FN(timezone_interval_fn)
{
    if (args[0].iv.months != 0 || args[0].iv.days != 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "interval time zone \"%s\" must not include months or days", "interval");
    }
    bool to_local = args[1].type.id == TYPE_TIMESTAMPTZ;
    int64_t v = args[1].i64;
    if (DATETIME_IS_FINITE(v)) {
        v = to_local ? v + args[0].iv.micros : v - args[0].iv.micros;
    }
    ts_result(result, to_local ? TYPE_TIMESTAMP : TYPE_TIMESTAMPTZ, v);
    return STRATA_OK;
}

FN(to_char_number_fn)
{
    Decimal d;
    if (args[0].type.id == TYPE_NUMERIC) {
        d = args[0].dec;
    } else if (args[0].type.id == TYPE_FLOAT8 || args[0].type.id == TYPE_FLOAT4) {
        int rc = numeric_from_double(args[0].f64, &d, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    } else {
        numeric_from_i64(args[0].i64, &d);
    }
    size_t cap = (size_t)args[1].str.len * 4 + 64;
    char *buf = arena_alloc(ctx->arena, cap);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    int n = numeric_to_char(&d, args[1].str.ptr, args[1].str.len, buf, cap);
    result_text(result, buf, (size_t)n);
    return STRATA_OK;
}

FN(to_number_fn)
{
    Decimal d;
    int rc = numeric_from_char(args[0].str.ptr, args[0].str.len, args[1].str.ptr, args[1].str.len,
                               &d, err);
    if (rc == STRATA_OK) {
        memset(result, 0, sizeof *result);
        result->type = sql_type(TYPE_NUMERIC);
        result->dec = d;
    }
    return rc;
}

FN(to_timestamp_fmt_fn)
{
    int64_t ts;
    int rc = datetime_to_timestamp(args[0].str.ptr, args[0].str.len, args[1].str.ptr,
                                   args[1].str.len, ctx->timezone, &ts, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_TIMESTAMPTZ, ts);
    }
    return rc;
}

FN(to_timestamp_epoch_fn)
{
    double seconds = args[0].f64;
    if (isnan(seconds)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp cannot be NaN");
    }
    if (isinf(seconds)) {
        ts_result(result, TYPE_TIMESTAMPTZ, seconds > 0 ? DATETIME_NOEND : DATETIME_NOBEGIN);
        return STRATA_OK;
    }
    double micros = round((seconds - (double)POSTGRES_EPOCH_DAYS * 86400.0) * 1e6);
    if (micros < -2.1e17 || micros > 9.2e18) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"%g\"",
                         seconds);
    }
    ts_result(result, TYPE_TIMESTAMPTZ, (int64_t)micros);
    return STRATA_OK;
}

FN(to_date_fn)
{
    int64_t d;
    int rc = datetime_to_date(args[0].str.ptr, args[0].str.len, args[1].str.ptr, args[1].str.len,
                              &d, err);
    if (rc == STRATA_OK) {
        ts_result(result, TYPE_DATE, d);
    }
    return rc;
}

FN(isfinite_fn)
{
    if (args[0].type.id == TYPE_INTERVAL) {
        *result = value_bool(true);
    } else {
        *result = value_bool(DATETIME_IS_FINITE(args[0].i64));
    }
    return STRATA_OK;
}

/* ---- generate_series ---- */

typedef struct SeriesState {
    bool started, done;
    Value current;
    Arena *arena; /* the first call's (long-lived) arena: a big numeric current lives there */
} SeriesState;

static int series_step(const Value *args, int arg_count, void **state, Value *row, bool *has_row,
                       FuncContext *ctx, Error *err)
{
    SeriesState *s = *state;
    if (s == NULL) {
        s = arena_zalloc(ctx->arena, sizeof *s);
        if (s == NULL) {
            return func_nomem(ctx, err);
        }
        *state = s;
        s->current = args[0];
        s->arena = ctx->arena;
        for (int i = 0; i < arg_count; i++) {
            if (args[i].is_null) {
                s->done = true;
            }
        }
    }
    *has_row = false;
    if (s->done) {
        return STRATA_OK;
    }
    TypeId type = args[0].type.id;
    int direction;
    Value step;
    if (type == TYPE_TIMESTAMP || type == TYPE_TIMESTAMPTZ) {
        step = args[2];
        __int128 span = interval_span(&step.iv);
        if (span == 0) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
        }
        direction = span > 0 ? 1 : -1;
    } else if (type == TYPE_NUMERIC) {
        step = arg_count > 2 ? args[2]
                             : (Value){.type = sql_type(TYPE_NUMERIC), .dec = numeric_make(1, 0)};
        Decimal zero = numeric_make(0, 0);
        int step_sign = numeric_compare(&step.dec, &zero);
        if (!numeric_is_finite(&step.dec) || step_sign == 0) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             numeric_is_finite(&step.dec) ? "step size cannot equal zero"
                                                          : "step size cannot be NaN");
        }
        direction = step_sign > 0 ? 1 : -1;
    } else {
        step = arg_count > 2 ? args[2] : value_i64(type, 1);
        if (step.i64 == 0) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "step size cannot equal zero");
        }
        direction = step.i64 > 0 ? 1 : -1;
    }
    int c;
    if (type == TYPE_NUMERIC) {
        c = numeric_compare(&s->current.dec, &args[1].dec);
    } else {
        c = s->current.i64 < args[1].i64 ? -1 : (s->current.i64 > args[1].i64 ? 1 : 0);
    }
    if ((direction > 0 && c > 0) || (direction < 0 && c < 0)) {
        s->done = true;
        return STRATA_OK;
    }
    *row = s->current;
    row->type = sql_type(type);
    *has_row = true;
    int rc = STRATA_OK;
    if (type == TYPE_TIMESTAMP) {
        rc = timestamp_add_interval(s->current.i64, &step.iv, &s->current.i64, err);
    } else if (type == TYPE_TIMESTAMPTZ) {
        rc =
            timestamptz_add_interval(s->current.i64, &step.iv, ctx->timezone, &s->current.i64, err);
    } else if (type == TYPE_NUMERIC) {
        rc = numeric_add_arena(&s->current.dec, &step.dec, &s->current.dec, s->arena, err);
    } else if (__builtin_add_overflow(s->current.i64, step.i64, &s->current.i64) ||
               (type == TYPE_INT4 && (s->current.i64 > INT32_MAX || s->current.i64 < INT32_MIN))) {
        s->done = true; /* the next value would overflow: the series ends here */
    }
    if (rc != STRATA_OK) {
        s->done = true;
        rc = STRATA_OK; /* past the representable range: stop, as PostgreSQL does */
    }
    return rc;
}

#define SERIES(res, ...)                                                                           \
    {                                                                                              \
        .name = "generate_series", .kind = FUNC_KIND_FUNCTION,                                     \
        .arg_count = sizeof((TypeId[]){__VA_ARGS__}) / sizeof(TypeId), .arg_types = {__VA_ARGS__}, \
        .result_type = res, .set_fn = series_step, .strict = true,                                 \
        .volatility = VOLATILITY_IMMUTABLE                                                         \
    }

#define STABLE_F(nm, res, fn_, ...)                                                                \
    DEF(nm, FUNC_KIND_FUNCTION, res, fn_, VOLATILITY_STABLE, __VA_ARGS__)

static const FuncDef DEFS[] = {
    OP("+", T(DATE), date_plus_int, T(DATE), T(INT4)),
    OP("+", T(DATE), int_plus_date, T(INT4), T(DATE)),
    OP("-", T(DATE), date_minus_int, T(DATE), T(INT4)),
    OP("-", T(INT4), date_minus_date, T(DATE), T(DATE)),
    OP("+", T(TIMESTAMP), ts_plus_interval, T(DATE), T(INTERVAL)),
    OP("+", T(TIMESTAMP), interval_plus_ts, T(INTERVAL), T(DATE)),
    OP("-", T(TIMESTAMP), ts_minus_interval, T(DATE), T(INTERVAL)),
    OP("+", T(TIMESTAMP), date_plus_time, T(DATE), T(TIME)),
    OP("+", T(TIMESTAMP), date_plus_time, T(TIME), T(DATE)),
    OP("+", T(TIMESTAMP), ts_plus_interval, T(TIMESTAMP), T(INTERVAL)),
    OP("+", T(TIMESTAMP), interval_plus_ts, T(INTERVAL), T(TIMESTAMP)),
    OP("-", T(TIMESTAMP), ts_minus_interval, T(TIMESTAMP), T(INTERVAL)),
    DEF("+", FUNC_KIND_OPERATOR_INFIX, T(TIMESTAMPTZ), tstz_plus_interval, VOLATILITY_STABLE,
        T(TIMESTAMPTZ), T(INTERVAL)),
    DEF("+", FUNC_KIND_OPERATOR_INFIX, T(TIMESTAMPTZ), interval_plus_tstz, VOLATILITY_STABLE,
        T(INTERVAL), T(TIMESTAMPTZ)),
    DEF("-", FUNC_KIND_OPERATOR_INFIX, T(TIMESTAMPTZ), tstz_minus_interval, VOLATILITY_STABLE,
        T(TIMESTAMPTZ), T(INTERVAL)),
    OP("-", T(INTERVAL), ts_minus_ts, T(TIMESTAMP), T(TIMESTAMP)),
    OP("-", T(INTERVAL), ts_minus_ts, T(TIMESTAMPTZ), T(TIMESTAMPTZ)),
    OP("+", T(TIME), time_plus_interval, T(TIME), T(INTERVAL)),
    OP("+", T(TIME), interval_plus_time, T(INTERVAL), T(TIME)),
    OP("-", T(TIME), time_minus_interval, T(TIME), T(INTERVAL)),
    OP("-", T(INTERVAL), time_minus_time, T(TIME), T(TIME)),
    OP("+", T(INTERVAL), interval_plus, T(INTERVAL), T(INTERVAL)),
    OP("-", T(INTERVAL), interval_minus, T(INTERVAL), T(INTERVAL)),
    PREFIX("-", T(INTERVAL), interval_negate, T(INTERVAL)),
    OP("*", T(INTERVAL), interval_times, T(INTERVAL), T(FLOAT8)),
    OP("*", T(INTERVAL), times_interval, T(FLOAT8), T(INTERVAL)),
    OP("/", T(INTERVAL), interval_divide, T(INTERVAL), T(FLOAT8)),
    F("justify_hours", T(INTERVAL), justify_hours_fn, T(INTERVAL)),
    F("justify_days", T(INTERVAL), justify_days_fn, T(INTERVAL)),
    F("justify_interval", T(INTERVAL), justify_interval_fn, T(INTERVAL)),
    F0("now", T(TIMESTAMPTZ), now_fn, VOLATILITY_STABLE),
    F0("current_timestamp", T(TIMESTAMPTZ), now_fn, VOLATILITY_STABLE),
    F0("transaction_timestamp", T(TIMESTAMPTZ), now_fn, VOLATILITY_STABLE),
    F0("statement_timestamp", T(TIMESTAMPTZ), statement_timestamp_fn, VOLATILITY_STABLE),
    F0("clock_timestamp", T(TIMESTAMPTZ), clock_timestamp_fn, VOLATILITY_VOLATILE),
    F0("current_date", T(DATE), current_date_fn, VOLATILITY_STABLE),
    F0("localtimestamp", T(TIMESTAMP), localtimestamp_fn, VOLATILITY_STABLE),
    F0("localtime", T(TIME), localtime_fn, VOLATILITY_STABLE),
    F0("current_time", T(TIME), localtime_fn, VOLATILITY_STABLE),
    F("extract", T(NUMERIC), extract_fn, T(TEXT), T(DATE)),
    F("extract", T(NUMERIC), extract_fn, T(TEXT), T(TIME)),
    F("extract", T(NUMERIC), extract_fn, T(TEXT), T(TIMESTAMP)),
    STABLE_F("extract", T(NUMERIC), extract_fn, T(TEXT), T(TIMESTAMPTZ)),
    F("extract", T(NUMERIC), extract_fn, T(TEXT), T(INTERVAL)),
    F("date_part", T(FLOAT8), date_part_fn, T(TEXT), T(DATE)),
    F("date_part", T(FLOAT8), date_part_fn, T(TEXT), T(TIME)),
    F("date_part", T(FLOAT8), date_part_fn, T(TEXT), T(TIMESTAMP)),
    STABLE_F("date_part", T(FLOAT8), date_part_fn, T(TEXT), T(TIMESTAMPTZ)),
    F("date_part", T(FLOAT8), date_part_fn, T(TEXT), T(INTERVAL)),
    F("date_trunc", T(TIMESTAMP), date_trunc_fn, T(TEXT), T(TIMESTAMP)),
    STABLE_F("date_trunc", T(TIMESTAMPTZ), date_trunc_fn, T(TEXT), T(TIMESTAMPTZ)),
    F("date_trunc", T(INTERVAL), date_trunc_fn, T(TEXT), T(INTERVAL)),
    F("date_trunc", T(TIMESTAMPTZ), date_trunc_zone_fn, T(TEXT), T(TIMESTAMPTZ), T(TEXT)),
    F("date_bin", T(TIMESTAMP), date_bin_fn, T(INTERVAL), T(TIMESTAMP), T(TIMESTAMP)),
    F("date_bin", T(TIMESTAMPTZ), date_bin_fn, T(INTERVAL), T(TIMESTAMPTZ), T(TIMESTAMPTZ)),
    {.name = "make_timestamptz",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 7,
     .arg_types = {T(INT4), T(INT4), T(INT4), T(INT4), T(INT4), T(FLOAT8), T(TEXT)},
     .result_type = T(TIMESTAMPTZ),
     .fn = make_timestamptz_zone_fn,
     .strict = true,
     .volatility = VOLATILITY_STABLE},
    F("make_date", T(DATE), make_date_fn, T(INT4), T(INT4), T(INT4)),
    F("make_time", T(TIME), make_time_fn, T(INT4), T(INT4), T(FLOAT8)),
    F("make_timestamp", T(TIMESTAMP), make_timestamp_fn, T(INT4), T(INT4), T(INT4), T(INT4),
      T(INT4), T(FLOAT8)),
    STABLE_F("make_timestamptz", T(TIMESTAMPTZ), make_timestamptz_fn, T(INT4), T(INT4), T(INT4),
             T(INT4), T(INT4), T(FLOAT8)),
    {.name = "make_interval",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 7,
     .arg_types = {T(INT4), T(INT4), T(INT4), T(INT4), T(INT4), T(INT4), T(FLOAT8)},
     .result_type = T(INTERVAL),
     .fn = make_interval_fn,
     .strict = true,
     .volatility = VOLATILITY_IMMUTABLE},
    F("age", T(INTERVAL), age2_fn, T(TIMESTAMP), T(TIMESTAMP)),
    STABLE_F("age", T(INTERVAL), age2_fn, T(TIMESTAMPTZ), T(TIMESTAMPTZ)),
    STABLE_F("age", T(INTERVAL), age1_fn, T(TIMESTAMP)),
    STABLE_F("age", T(INTERVAL), age1_fn, T(TIMESTAMPTZ)),
    F("to_char", T(TEXT), to_char_fn, T(TIMESTAMP), T(TEXT)),
    STABLE_F("to_char", T(TEXT), to_char_fn, T(TIMESTAMPTZ), T(TEXT)),
    F("to_char", T(TEXT), to_char_fn, T(INTERVAL), T(TEXT)),
    F("timezone", T(TIMESTAMP), timezone_text_fn, T(TEXT), T(TIMESTAMPTZ)),
    F("timezone", T(TIMESTAMPTZ), timezone_text_fn, T(TEXT), T(TIMESTAMP)),
    F("timezone", T(TIMESTAMP), timezone_interval_fn, T(INTERVAL), T(TIMESTAMPTZ)),
    F("timezone", T(TIMESTAMPTZ), timezone_interval_fn, T(INTERVAL), T(TIMESTAMP)),
    F("to_number", T(NUMERIC), to_number_fn, T(TEXT), T(TEXT)),
    F("to_char", T(TEXT), to_char_number_fn, T(NUMERIC), T(TEXT)),
    F("to_char", T(TEXT), to_char_number_fn, T(INT4), T(TEXT)),
    F("to_char", T(TEXT), to_char_number_fn, T(INT8), T(TEXT)),
    F("to_char", T(TEXT), to_char_number_fn, T(FLOAT8), T(TEXT)),
    STABLE_F("to_timestamp", T(TIMESTAMPTZ), to_timestamp_fmt_fn, T(TEXT), T(TEXT)),
    F("to_timestamp", T(TIMESTAMPTZ), to_timestamp_epoch_fn, T(FLOAT8)),
    STABLE_F("to_date", T(DATE), to_date_fn, T(TEXT), T(TEXT)),
    F("isfinite", T(BOOL), isfinite_fn, T(DATE)),
    F("isfinite", T(BOOL), isfinite_fn, T(TIMESTAMP)),
    F("isfinite", T(BOOL), isfinite_fn, T(TIMESTAMPTZ)),
    F("isfinite", T(BOOL), isfinite_fn, T(INTERVAL)),
    SERIES(T(INT4), T(INT4), T(INT4)),
    SERIES(T(INT4), T(INT4), T(INT4), T(INT4)),
    SERIES(T(INT8), T(INT8), T(INT8)),
    SERIES(T(INT8), T(INT8), T(INT8), T(INT8)),
    SERIES(T(NUMERIC), T(NUMERIC), T(NUMERIC)),
    SERIES(T(NUMERIC), T(NUMERIC), T(NUMERIC), T(NUMERIC)),
    SERIES(T(TIMESTAMP), T(TIMESTAMP), T(TIMESTAMP), T(INTERVAL)),
    SERIES(T(TIMESTAMPTZ), T(TIMESTAMPTZ), T(TIMESTAMPTZ), T(INTERVAL)),
};

const FuncDef *func_defs_datetime(int *count)
{
    *count = (int)(sizeof DEFS / sizeof DEFS[0]);
    return DEFS;
}
