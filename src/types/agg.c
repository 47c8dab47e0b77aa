/*
 * types/agg.c - the aggregate registry and the built-in aggregates (see agg.h
 * for the calling protocol and result types).
 *
 * States are plain structs of fixed size; variable-length parts (strings,
 * value lists) live in ctx->arena and are reached through pointers in the
 * state. Exact aggregates (sum/avg/variance over integers and numeric) use
 * Decimal arithmetic, so they follow PostgreSQL's numeric result scales.
 */
#include "types/agg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/array.h"
#include "types/cast.h"
#include "types/compare.h"
#include "types/datetime.h"
#include "types/jsonb.h"
#include "types/numeric.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

/* ---- helpers ---- */

static int copy_value(const Value *in, Value *out, FuncContext *ctx, Error *err)
{
    *out = *in;
    if (!in->is_null && type_phys(in->type.id) == PHYS_STRING) {
        char *copy = arena_memdup(ctx->arena, in->str.ptr, in->str.len ? in->str.len : 1);
        if (copy == NULL) {
            return arena_error(ctx->arena, err);
        }
        out->str.ptr = copy;
    }
    if (!in->is_null && type_phys(in->type.id) == PHYS_DECIMAL) {
        return numeric_copy(&in->dec, ctx->arena, &out->dec, err);
    }
    return STRATA_OK;
}

typedef struct ValueList {
    Value *items;
    int64_t count, cap;
} ValueList;

static int list_push(ValueList *list, const Value *v, FuncContext *ctx, Error *err)
{
    if (list->count == list->cap) {
        int64_t cap = list->cap ? list->cap * 2 : 16;
        Value *items = arena_realloc(ctx->arena, list->items, sizeof(Value) * (size_t)list->cap,
                                     sizeof(Value) * (size_t)cap);
        if (items == NULL) {
            return arena_error(ctx->arena, err);
        }
        list->items = items;
        list->cap = cap;
    }
    return copy_value(v, &list->items[list->count++], ctx, err);
}

static int list_append_all(ValueList *list, const ValueList *other, FuncContext *ctx, Error *err)
{
    for (int64_t i = 0; i < other->count; i++) {
        int rc = list_push(list, &other->items[i], ctx, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static void numeric_out(Value *result, Decimal d)
{
    memset(result, 0, sizeof *result);
    result->type = sql_type(TYPE_NUMERIC);
    result->dec = d;
}

static Decimal to_decimal(const Value *v)
{
    if (v->type.id == TYPE_NUMERIC) {
        return v->dec;
    }
    Decimal d;
    numeric_from_i64(v->i64, &d);
    return d;
}

/* ---- count ---- */

typedef struct CountState {
    int64_t count;
} CountState;

static void count_init(void *state, const AggMatch *m)
{
    (void)m;
    ((CountState *)state)->count = 0;
}
static int count_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    ((CountState *)state)->count++;
    return STRATA_OK;
}
static int count_combine(void *state, const void *other, FuncContext *ctx, Error *err)
{
    ((CountState *)state)->count += ((const CountState *)other)->count;
    return STRATA_OK;
}
static int count_final(const void *state, const Value *d, int n, Value *result, FuncContext *ctx,
                       Error *err)
{
    *result = value_i64(TYPE_INT8, ((const CountState *)state)->count);
    return STRATA_OK;
}

/* ---- sum / avg ---- */

typedef struct SumState {
    int64_t count;
    int64_t i64; /* sum(int2/int4) */
    Decimal dec; /* sum(int8/numeric), avg(integers/numeric) */
    double f64, f64_compensation;
    Interval iv;
    TypeId input;
} SumState;

static void sum_init(void *state, const AggMatch *m)
{
    SumState *s = state;
    memset(s, 0, sizeof *s);
    s->dec = numeric_make(0, 0);
    s->input = m->arg_targets[0].id;
}

static int sum_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    SumState *s = state;
    s->count++;
    switch (s->input) {
    case TYPE_INT2:
    case TYPE_INT4:
        /* int8 accumulator, as PostgreSQL's int4_sum: overflow only past bigint */
        if (__builtin_add_overflow(s->i64, args[0].i64, &s->i64)) {
            return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
        }
        return STRATA_OK;
    case TYPE_INT8:
    case TYPE_NUMERIC: {
        Decimal d = to_decimal(&args[0]);
        return numeric_add_arena(&s->dec, &d, &s->dec, ctx->arena, err);
    }
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        s->f64 += args[0].f64;
        return STRATA_OK;
    case TYPE_INTERVAL:
        return interval_add(&s->iv, &args[0].iv, &s->iv, err);
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "sum over unexpected type");
    }
}

static int sum_combine(void *state, const void *other_state, FuncContext *ctx, Error *err)
{
    SumState *s = state;
    const SumState *o = other_state;
    s->count += o->count;
    if (__builtin_add_overflow(s->i64, o->i64, &s->i64)) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
    }
    s->f64 += o->f64;
    int rc = numeric_add(&s->dec, &o->dec, &s->dec, err);
    return rc != STRATA_OK ? rc : interval_add(&s->iv, &o->iv, &s->iv, err);
}

static int sum_final(const void *state, const Value *d, int n, Value *result, FuncContext *ctx,
                     Error *err)
{
    const SumState *s = state;
    if (s->count == 0) {
        *result = value_null(sql_type(TYPE_UNKNOWN));
        return STRATA_OK;
    }
    switch (s->input) {
    case TYPE_INT2:
    case TYPE_INT4:
        *result = value_i64(TYPE_INT8, s->i64);
        return STRATA_OK;
    case TYPE_INT8:
    case TYPE_NUMERIC:
        numeric_out(result, s->dec);
        return STRATA_OK;
    case TYPE_FLOAT4:
        *result = value_f64((double)(float)s->f64);
        result->type = sql_type(TYPE_FLOAT4);
        return STRATA_OK;
    case TYPE_FLOAT8:
        *result = value_f64(s->f64);
        return STRATA_OK;
    default:
        memset(result, 0, sizeof *result);
        result->type = sql_type(TYPE_INTERVAL);
        result->iv = s->iv;
        return STRATA_OK;
    }
}

static int avg_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    SumState *s = state;
    if (type_is_integer(s->input) || s->input == TYPE_NUMERIC) {
        s->count++;
        Decimal d = to_decimal(&args[0]);
        return numeric_add_arena(&s->dec, &d, &s->dec, ctx->arena, err);
    }
    return sum_step(state, args, ctx, err);
}

static int avg_final(const void *state, const Value *d, int n, Value *result, FuncContext *ctx,
                     Error *err)
{
    const SumState *s = state;
    if (s->count == 0) {
        *result = value_null(sql_type(TYPE_UNKNOWN));
        return STRATA_OK;
    }
    if (type_is_integer(s->input) || s->input == TYPE_NUMERIC) {
        Decimal count = numeric_make(s->count, 0), q;
        int rc = numeric_div(&s->dec, &count, &q, err);
        if (rc == STRATA_OK) {
            numeric_out(result, q);
        }
        return rc;
    }
    if (s->input == TYPE_INTERVAL) {
        memset(result, 0, sizeof *result);
        result->type = sql_type(TYPE_INTERVAL);
        return interval_div(&s->iv, (double)s->count, &result->iv, err);
    }
    *result = value_f64(s->f64 / (double)s->count);
    return STRATA_OK;
}

/* ---- min / max ---- */

typedef struct MinMaxState {
    bool has_value;
    Value value;
} MinMaxState;

static void minmax_init(void *state, const AggMatch *m)
{
    memset(state, 0, sizeof(MinMaxState));
}

static int minmax_update(MinMaxState *s, const Value *v, int sign, FuncContext *ctx, Error *err)
{
    if (!s->has_value || value_compare(v, &s->value) * sign > 0) {
        s->has_value = true;
        return copy_value(v, &s->value, ctx, err);
    }
    return STRATA_OK;
}

static int min_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    return minmax_update(state, &args[0], -1, ctx, err);
}
static int max_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    return minmax_update(state, &args[0], 1, ctx, err);
}

static int min_combine(void *state, const void *other, FuncContext *ctx, Error *err)
{
    const MinMaxState *o = other;
    return o->has_value ? minmax_update(state, &o->value, -1, ctx, err) : STRATA_OK;
}

static int max_combine(void *state, const void *other, FuncContext *ctx, Error *err)
{
    const MinMaxState *o = other;
    return o->has_value ? minmax_update(state, &o->value, 1, ctx, err) : STRATA_OK;
}

static int minmax_final(const void *state, const Value *d, int n, Value *result, FuncContext *ctx,
                        Error *err)
{
    const MinMaxState *s = state;
    *result = s->has_value ? s->value : value_null(sql_type(TYPE_UNKNOWN));
    return STRATA_OK;
}

/* ---- bool_and / bool_or ---- */

typedef struct BoolState {
    bool has_value, value;
} BoolState;

static void bool_and_init(void *state, const AggMatch *m)
{
    *(BoolState *)state = (BoolState){false, true};
}
static void bool_or_init(void *state, const AggMatch *m)
{
    *(BoolState *)state = (BoolState){false, false};
}

static int bool_and_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    BoolState *s = state;
    s->has_value = true;
    s->value = s->value && args[0].b;
    return STRATA_OK;
}

static int bool_or_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    BoolState *s = state;
    s->has_value = true;
    s->value = s->value || args[0].b;
    return STRATA_OK;
}

static int bool_and_combine(void *state, const void *other, FuncContext *ctx, Error *err)
{
    BoolState *s = state;
    const BoolState *o = other;
    if (o->has_value) {
        s->value = (s->has_value ? s->value : true) && o->value;
        s->has_value = true;
    }
    return STRATA_OK;
}

static int bool_or_combine(void *state, const void *other, FuncContext *ctx, Error *err)
{
    BoolState *s = state;
    const BoolState *o = other;
    if (o->has_value) {
        s->value = (s->has_value && s->value) || o->value;
        s->has_value = true;
    }
    return STRATA_OK;
}

static int bool_final(const void *state, const Value *d, int n, Value *result, FuncContext *ctx,
                      Error *err)
{
    const BoolState *s = state;
    *result = s->has_value ? value_bool(s->value) : value_null(sql_type(TYPE_BOOL));
    return STRATA_OK;
}

/* ---- string_agg / array_agg ---- */

typedef struct TextState {
    bool has_value;
    char *data;
    size_t length, cap;
} TextState;

static void text_init(void *state, const AggMatch *m)
{
    memset(state, 0, sizeof(TextState));
}

static int text_put(TextState *s, const char *p, size_t n, FuncContext *ctx, Error *err)
{
    if (s->length + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        while (cap < s->length + n + 1) {
            cap *= 2;
        }
        char *data = arena_realloc(ctx->arena, s->data, s->cap, cap);
        if (data == NULL) {
            return arena_error(ctx->arena, err);
        }
        s->data = data;
        s->cap = cap;
    }
    memcpy(s->data + s->length, p, n);
    s->length += n;
    return STRATA_OK;
}

static int string_agg_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    TextState *s = state;
    if (args[0].is_null) {
        return STRATA_OK;
    }
    if (s->has_value && !args[1].is_null) {
        int rc = text_put(s, args[1].str.ptr, args[1].str.len, ctx, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    s->has_value = true;
    return text_put(s, args[0].str.ptr, args[0].str.len, ctx, err);
}

static int string_agg_combine(void *state, const void *other, FuncContext *ctx, Error *err)
{
    /* Partial states keep no delimiter for their first value; a combined
     * string_agg therefore needs the delimiter, which combine does not have:
     * strata runs string_agg without parallel partial states. */
    TextState *s = state;
    const TextState *o = other;
    if (!o->has_value) {
        return STRATA_OK;
    }
    s->has_value = true;
    return text_put(s, o->data, o->length, ctx, err);
}

static int text_final(const void *state, const Value *d, int n, Value *result, FuncContext *ctx,
                      Error *err)
{
    const TextState *s = state;
    if (!s->has_value) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    *result = value_str(TYPE_TEXT, s->length ? s->data : "", (uint32_t)s->length);
    return STRATA_OK;
}

typedef struct ListState {
    ValueList list;
} ListState;

static void list_init(void *state, const AggMatch *m)
{
    memset(state, 0, sizeof(ListState));
}

static int list_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    return list_push(&((ListState *)state)->list, &args[0], ctx, err);
}

static int list_combine(void *state, const void *other, FuncContext *ctx, Error *err)
{
    return list_append_all(&((ListState *)state)->list, &((const ListState *)other)->list, ctx,
                           err);
}

static int array_agg_final(const void *state, const Value *d, int n, Value *result,
                           FuncContext *ctx, Error *err)
{
    const ValueList *list = &((const ListState *)state)->list;
    if (list->count == 0) {
        *result = value_null(sql_type(TYPE_TEXT_ARRAY));
        return STRATA_OK;
    }
    TypeId elem = TYPE_TEXT;
    for (int64_t i = 0; i < list->count; i++) {
        if (list->items[i].type.id != TYPE_UNKNOWN) {
            elem = list->items[i].type.id;
            break;
        }
    }
    if (type_is_array(elem)) {
        /* array_agg(anyarray): the arrays stacked into one more dimension */
        StrRef out;
        int rc = array_accumulate(elem, list->items, list->count, ctx->arena, &out, err);
        if (rc == STRATA_OK) {
            *result = value_str(elem, out.ptr, out.len);
        }
        return rc;
    }
    StrRef out;
    int rc = array_encode(elem, list->items, list->count, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        *result = value_str(type_array_of(elem), out.ptr, out.len);
    }
    return rc;
}

static int jsonb_agg_final(const void *state, const Value *d, int n, Value *result,
                           FuncContext *ctx, Error *err)
{
    const ValueList *list = &((const ListState *)state)->list;
    if (list->count == 0) {
        *result = value_null(sql_type(TYPE_JSONB));
        return STRATA_OK;
    }
    StrRef *items = arena_alloc(ctx->arena, sizeof(StrRef) * (size_t)list->count);
    if (items == NULL) {
        return arena_error(ctx->arena, err);
    }
    for (int64_t i = 0; i < list->count; i++) {
        int rc = jsonb_from_value(&list->items[i], ctx->timezone, ctx->arena, &items[i], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    StrRef out;
    int rc = jsonb_build_array_from(items, (int)list->count, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        *result = value_str(TYPE_JSONB, out.ptr, out.len);
    }
    return rc;
}

/* json_agg / json_object_agg: json text, PostgreSQL's spacing. */
static int json_list_final(const ValueList *list, bool object, Value *result, FuncContext *ctx,
                           Error *err)
{
    size_t total = 4;
    StrRef *parts = arena_alloc(ctx->arena, sizeof(StrRef) * (size_t)(list->count + 1));
    if (parts == NULL) {
        return arena_error(ctx->arena, err);
    }
    for (int64_t i = 0; i < list->count; i++) {
        int rc;
        if (object && i % 2 == 0) {
            StrRef key;
            rc = value_format_tz(&list->items[i], ctx->timezone, ctx->arena, &key, err);
            if (rc == STRATA_OK) {
                size_t cap = (size_t)key.len * 6 + 3, length = 0;
                char *buf = arena_alloc(ctx->arena, cap);
                if (buf == NULL) {
                    return arena_error(ctx->arena, err);
                }
                json_quote(key.ptr, key.len, buf, &length, cap);
                parts[i].ptr = buf;
                parts[i].len = (uint32_t)length;
            }
        } else {
            rc = json_from_value(&list->items[i], ctx->timezone, ctx->arena, &parts[i], err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        total += parts[i].len + 4;
    }
    char *buf = arena_alloc(ctx->arena, total + 4);
    if (buf == NULL) {
        return arena_error(ctx->arena, err);
    }
    size_t n = 0;
    buf[n++] = object ? '{' : '[';
    if (object) {
        buf[n++] = ' ';
    }
    for (int64_t i = 0; i < list->count; i++) {
        if (i > 0) {
            const char *sep = object && i % 2 == 1 ? " : " : ", ";
            memcpy(buf + n, sep, strlen(sep));
            n += strlen(sep);
        }
        memcpy(buf + n, parts[i].ptr, parts[i].len);
        n += parts[i].len;
    }
    if (object) {
        buf[n++] = ' ';
    }
    buf[n++] = object ? '}' : ']';
    *result = value_str(TYPE_JSON, buf, (uint32_t)n);
    return STRATA_OK;
}

static int json_agg_final(const void *state, const Value *d, int n, Value *result, FuncContext *ctx,
                          Error *err)
{
    const ValueList *list = &((const ListState *)state)->list;
    if (list->count == 0) {
        *result = value_null(sql_type(TYPE_JSON));
        return STRATA_OK;
    }
    return json_list_final(list, false, result, ctx, err);
}

static int json_object_agg_final(const void *state, const Value *d, int n, Value *result,
                                 FuncContext *ctx, Error *err)
{
    const ValueList *list = &((const ListState *)state)->list;
    if (list->count == 0) {
        *result = value_null(sql_type(TYPE_JSON));
        return STRATA_OK;
    }
    return json_list_final(list, true, result, ctx, err);
}

/* jsonb_object_agg keeps key and value side by side in one list. */
static int object_agg_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    if (args[0].is_null) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "field name must not be null");
    }
    int rc = list_push(&((ListState *)state)->list, &args[0], ctx, err);
    return rc != STRATA_OK ? rc : list_push(&((ListState *)state)->list, &args[1], ctx, err);
}

static int object_agg_final(const void *state, const Value *d, int n, Value *result,
                            FuncContext *ctx, Error *err)
{
    const ValueList *list = &((const ListState *)state)->list;
    int64_t pairs = list->count / 2;
    if (pairs == 0) {
        *result = value_null(sql_type(TYPE_JSONB));
        return STRATA_OK;
    }
    StrRef *keys = arena_alloc(ctx->arena, sizeof(StrRef) * (size_t)pairs);
    StrRef *values = arena_alloc(ctx->arena, sizeof(StrRef) * (size_t)pairs);
    if (keys == NULL || values == NULL) {
        return arena_error(ctx->arena, err);
    }
    for (int64_t i = 0; i < pairs; i++) {
        int rc = value_format_tz(&list->items[2 * i], ctx->timezone, ctx->arena, &keys[i], err);
        if (rc == STRATA_OK) {
            rc = jsonb_from_value(&list->items[2 * i + 1], ctx->timezone, ctx->arena, &values[i],
                                  err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    StrRef out;
    int rc = jsonb_build_object_from(keys, values, (int)pairs, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        *result = value_str(TYPE_JSONB, out.ptr, out.len);
    }
    return rc;
}

/* ---- variance family ---- */

typedef struct StatState {
    int64_t count;
    Decimal sum, sum_squares; /* exact inputs */
    double sx, sxx;           /* float inputs (Youngs-Cramer, as PostgreSQL) */
    TypeId input;
} StatState;

static void stat_init(void *state, const AggMatch *m)
{
    StatState *s = state;
    memset(s, 0, sizeof *s);
    s->sum = numeric_make(0, 0);
    s->sum_squares = numeric_make(0, 0);
    s->input = m->arg_targets[0].id;
}

static bool stat_is_float(const StatState *s)
{
    return s->input == TYPE_FLOAT4 || s->input == TYPE_FLOAT8;
}

static int stat_step(void *state, const Value *args, FuncContext *ctx, Error *err)
{
    StatState *s = state;
    s->count++;
    if (stat_is_float(s)) {
        double x = args[0].f64;
        s->sx += x;
        if (s->count > 1) {
            double tmp = x * (double)s->count - s->sx;
            s->sxx += tmp * tmp / ((double)s->count * (double)(s->count - 1));
        } else {
            s->sxx = 0;
        }
        return STRATA_OK;
    }
    Decimal x = to_decimal(&args[0]), square;
    Arena *previous = numeric_set_arena(ctx->arena); /* big sums live with the state */
    int rc = numeric_add(&s->sum, &x, &s->sum, err);
    if (rc == STRATA_OK) {
        rc = numeric_mul(&x, &x, &square, err);
    }
    if (rc == STRATA_OK) {
        rc = numeric_add(&s->sum_squares, &square, &s->sum_squares, err);
    }
    numeric_set_arena(previous);
    return rc;
}

static int stat_combine(void *state, const void *other_state, FuncContext *ctx, Error *err)
{
    StatState *s = state;
    const StatState *o = other_state;
    if (o->count == 0) {
        return STRATA_OK;
    }
    if (s->count == 0) {
        *s = *o;
        return STRATA_OK;
    }
    if (stat_is_float(s)) {
        double n1 = (double)s->count, n2 = (double)o->count, n = n1 + n2;
        double tmp = s->sx / n1 - o->sx / n2;
        s->sxx = s->sxx + o->sxx + n1 * n2 * tmp * tmp / n;
        s->sx += o->sx;
        s->count += o->count;
        return STRATA_OK;
    }
    s->count += o->count;
    int rc = numeric_add(&s->sum, &o->sum, &s->sum, err);
    return rc != STRATA_OK ? rc
                           : numeric_add(&s->sum_squares, &o->sum_squares, &s->sum_squares, err);
}

/* variance = (N * sum(x^2) - sum(x)^2) / (N * (N - 1 or N)), PostgreSQL's formula. */
static int stat_final_common(const StatState *s, bool sample, bool root, Value *result, Error *err)
{
    int64_t min_count = sample ? 2 : 1;
    if (s->count < min_count) {
        *result = value_null(sql_type(stat_is_float(s) ? TYPE_FLOAT8 : TYPE_NUMERIC));
        return STRATA_OK;
    }
    if (stat_is_float(s)) {
        double variance = s->sxx / (double)(sample ? s->count - 1 : s->count);
        *result = value_f64(root ? sqrt(variance) : variance);
        return STRATA_OK;
    }
    Decimal n = numeric_make(s->count, 0), numerator, square, denominator, variance;
    int rc = numeric_mul(&n, &s->sum_squares, &numerator, err);
    if (rc == STRATA_OK) {
        rc = numeric_mul(&s->sum, &s->sum, &square, err);
    }
    if (rc == STRATA_OK) {
        rc = numeric_sub(&numerator, &square, &numerator, err);
    }
    Decimal n_minus = numeric_make(sample ? s->count - 1 : s->count, 0);
    if (rc == STRATA_OK) {
        rc = numeric_mul(&n, &n_minus, &denominator, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Decimal zero = numeric_make(0, 0);
    if (numeric_compare(&numerator, &zero) <= 0) {
        /* All inputs equal: PostgreSQL returns a plain 0 (scale 0). */
        numeric_out(result, numeric_make(0, 0));
        return STRATA_OK;
    }
    rc = numeric_div(&numerator, &denominator, &variance, err);
    if (rc == STRATA_OK && root) {
        int scale = variance.scale;
        Decimal r;
        rc = numeric_sqrt(&variance, &r, err);
        if (rc == STRATA_OK) {
            rc = numeric_round(&r, scale, &variance, err);
        }
    }
    if (rc == STRATA_OK) {
        numeric_out(result, variance);
    }
    return rc;
}

#define STAT_FINAL(fname, sample, root)                                                            \
    static int fname(const void *state, const Value *d, int n, Value *result, FuncContext *ctx,    \
                     Error *err)                                                                   \
    {                                                                                              \
        return stat_final_common(state, sample, root, result, err);                                \
    }
STAT_FINAL(var_samp_final, true, false)
STAT_FINAL(var_pop_final, false, false)
STAT_FINAL(stddev_samp_final, true, true)
STAT_FINAL(stddev_pop_final, false, true)

/* ---- ordered-set: percentile_cont, percentile_disc, mode ---- */

static int check_fraction(const Value *direct, Error *err)
{
    double f = direct->f64;
    if (isnan(f) || f < 0 || f > 1) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                         "percentile value %g is not between 0 and 1", f);
    }
    return STRATA_OK;
}

static int percentile_cont_final(const void *state, const Value *direct, int direct_count,
                                 Value *result, FuncContext *ctx, Error *err)
{
    const ValueList *list = &((const ListState *)state)->list;
    if (direct_count < 1 || direct[0].is_null || list->count == 0) {
        *result = value_null(sql_type(TYPE_FLOAT8));
        return STRATA_OK;
    }
    int rc = check_fraction(&direct[0], err);
    if (rc != STRATA_OK) {
        return rc;
    }
    double position = direct[0].f64 * (double)(list->count - 1);
    int64_t lo = (int64_t)floor(position), hi = (int64_t)ceil(position);
    const Value *a = &list->items[lo], *b = &list->items[hi];
    double fraction = position - (double)lo;
    if (a->type.id == TYPE_INTERVAL) {
        Interval diff, scaled;
        memset(result, 0, sizeof *result);
        result->type = sql_type(TYPE_INTERVAL);
        rc = interval_sub(&b->iv, &a->iv, &diff, err);
        if (rc == STRATA_OK) {
            rc = interval_mul(&diff, fraction, &scaled, err);
        }
        if (rc == STRATA_OK) {
            rc = interval_add(&a->iv, &scaled, &result->iv, err);
        }
        return rc;
    }
    *result = value_f64(a->f64 + fraction * (b->f64 - a->f64));
    return STRATA_OK;
}

static int percentile_disc_final(const void *state, const Value *direct, int direct_count,
                                 Value *result, FuncContext *ctx, Error *err)
{
    const ValueList *list = &((const ListState *)state)->list;
    if (direct_count < 1 || direct[0].is_null || list->count == 0) {
        *result = value_null(sql_type(TYPE_UNKNOWN));
        return STRATA_OK;
    }
    int rc = check_fraction(&direct[0], err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int64_t index = (int64_t)ceil(direct[0].f64 * (double)list->count) - 1;
    if (index < 0) {
        index = 0;
    }
    *result = list->items[index];
    return STRATA_OK;
}

static int mode_final(const void *state, const Value *direct, int direct_count, Value *result,
                      FuncContext *ctx, Error *err)
{
    const ValueList *list = &((const ListState *)state)->list;
    if (list->count == 0) {
        *result = value_null(sql_type(TYPE_UNKNOWN));
        return STRATA_OK;
    }
    int64_t best = 0, best_run = 0, run_start = 0;
    for (int64_t i = 1; i <= list->count; i++) {
        if (i == list->count || !value_equal(&list->items[i], &list->items[run_start])) {
            if (i - run_start > best_run) {
                best_run = i - run_start;
                best = run_start;
            }
            run_start = i;
        }
    }
    *result = list->items[best];
    return STRATA_OK;
}

/* ---- the table ---- */

#define A(id) TYPE_##id
#define AGG(nm, res, st, init_, step_, combine_, final_, strict_, ...)                             \
    {                                                                                              \
        .name = nm, .arg_count = sizeof((TypeId[]){__VA_ARGS__}) / sizeof(TypeId),                 \
        .arg_types = {__VA_ARGS__}, .result_type = res, .state_size = sizeof(st),                  \
        .strict = strict_, .init = init_, .step = step_, .combine = combine_, .final = final_      \
    }
#define ORDERED(nm, res, sort, final_)                                                             \
    {                                                                                              \
        .name = nm, .arg_count = 1, .arg_types = {sort}, .result_type = res,                       \
        .state_size = sizeof(ListState), .strict = true, .is_ordered_set = true,                   \
        .direct_arg_count = 1, .direct_arg_types = {A(FLOAT8)}, .init = list_init,                 \
        .step = list_step, .combine = NULL, .final = final_                                        \
    }

#define SUM_AVG(type, sum_result, avg_result)                                                      \
    AGG("sum", sum_result, SumState, sum_init, sum_step, sum_combine, sum_final, true, type),      \
        AGG("avg", avg_result, SumState, sum_init, avg_step, sum_combine, avg_final, true, type)

#define STATS(type, res)                                                                           \
    AGG("variance", res, StatState, stat_init, stat_step, stat_combine, var_samp_final, true,      \
        type),                                                                                     \
        AGG("var_samp", res, StatState, stat_init, stat_step, stat_combine, var_samp_final, true,  \
            type),                                                                                 \
        AGG("var_pop", res, StatState, stat_init, stat_step, stat_combine, var_pop_final, true,    \
            type),                                                                                 \
        AGG("stddev", res, StatState, stat_init, stat_step, stat_combine, stddev_samp_final, true, \
            type),                                                                                 \
        AGG("stddev_samp", res, StatState, stat_init, stat_step, stat_combine, stddev_samp_final,  \
            true, type),                                                                           \
        AGG("stddev_pop", res, StatState, stat_init, stat_step, stat_combine, stddev_pop_final,    \
            true, type)

static const AggDef AGGS[] = {
    {.name = "count",
     .arg_count = 0,
     .result_type = A(INT8),
     .state_size = sizeof(CountState),
     .strict = false,
     .init = count_init,
     .step = count_step,
     .combine = count_combine,
     .final = count_final},
    AGG("count", A(INT8), CountState, count_init, count_step, count_combine, count_final, true,
        A(UNKNOWN)),
    SUM_AVG(A(INT2), A(INT8), A(NUMERIC)),
    SUM_AVG(A(INT4), A(INT8), A(NUMERIC)),
    SUM_AVG(A(INT8), A(NUMERIC), A(NUMERIC)),
    SUM_AVG(A(NUMERIC), A(NUMERIC), A(NUMERIC)),
    SUM_AVG(A(FLOAT4), A(FLOAT4), A(FLOAT8)),
    SUM_AVG(A(FLOAT8), A(FLOAT8), A(FLOAT8)),
    SUM_AVG(A(INTERVAL), A(INTERVAL), A(INTERVAL)),
    AGG("min", A(UNKNOWN), MinMaxState, minmax_init, min_step, min_combine, minmax_final, true,
        A(UNKNOWN)),
    AGG("max", A(UNKNOWN), MinMaxState, minmax_init, max_step, max_combine, minmax_final, true,
        A(UNKNOWN)),
    AGG("bool_and", A(BOOL), BoolState, bool_and_init, bool_and_step, bool_and_combine, bool_final,
        true, A(BOOL)),
    AGG("every", A(BOOL), BoolState, bool_and_init, bool_and_step, bool_and_combine, bool_final,
        true, A(BOOL)),
    AGG("bool_or", A(BOOL), BoolState, bool_or_init, bool_or_step, bool_or_combine, bool_final,
        true, A(BOOL)),
    AGG("string_agg", A(TEXT), TextState, text_init, string_agg_step, string_agg_combine,
        text_final, false, A(TEXT), A(TEXT)),
    AGG("array_agg", A(ANYARRAY), ListState, list_init, list_step, list_combine, array_agg_final,
        false, A(UNKNOWN)),
    AGG("jsonb_agg", A(JSONB), ListState, list_init, list_step, list_combine, jsonb_agg_final,
        false, A(UNKNOWN)),
    AGG("jsonb_object_agg", A(JSONB), ListState, list_init, object_agg_step, list_combine,
        object_agg_final, false, A(UNKNOWN), A(UNKNOWN)),
    AGG("json_agg", A(JSON), ListState, list_init, list_step, list_combine, json_agg_final, false,
        A(UNKNOWN)),
    AGG("json_object_agg", A(JSON), ListState, list_init, object_agg_step, list_combine,
        json_object_agg_final, false, A(UNKNOWN), A(UNKNOWN)),
    STATS(A(INT2), A(NUMERIC)),
    STATS(A(INT4), A(NUMERIC)),
    STATS(A(INT8), A(NUMERIC)),
    STATS(A(NUMERIC), A(NUMERIC)),
    STATS(A(FLOAT4), A(FLOAT8)),
    STATS(A(FLOAT8), A(FLOAT8)),
    ORDERED("percentile_cont", A(FLOAT8), A(FLOAT8), percentile_cont_final),
    ORDERED("percentile_cont", A(INTERVAL), A(INTERVAL), percentile_cont_final),
    ORDERED("percentile_disc", A(UNKNOWN), A(UNKNOWN), percentile_disc_final),
    {.name = "mode",
     .arg_count = 1,
     .arg_types = {A(UNKNOWN)},
     .result_type = A(UNKNOWN),
     .state_size = sizeof(ListState),
     .strict = true,
     .is_ordered_set = true,
     .direct_arg_count = 0,
     .init = list_init,
     .step = list_step,
     .combine = NULL,
     .final = mode_final},
};

#define AGG_COUNT ((int)(sizeof AGGS / sizeof AGGS[0]))

bool agg_name_exists(const char *name)
{
    for (int i = 0; i < AGG_COUNT; i++) {
        if (strcmp(AGGS[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

bool agg_is_ordered_set(const char *name)
{
    for (int i = 0; i < AGG_COUNT; i++) {
        if (strcmp(AGGS[i].name, name) == 0) {
            return AGGS[i].is_ordered_set;
        }
    }
    return false;
}

static bool accepts(TypeId param, TypeId arg, bool *is_exact)
{
    *is_exact = param == arg;
    if (param == TYPE_UNKNOWN) {
        *is_exact = arg != TYPE_UNKNOWN;
        return true;
    }
    return arg == param || arg == TYPE_UNKNOWN || cast_lookup(arg, param) == CAST_IMPLICIT;
}

/* Picks the definition: exact match, else the single implicit candidate, else
 * the one with most exact then most preferred parameters (as func.c). */
static const AggDef *choose(const char *name, bool ordered, const SqlType *types, int count,
                            int *found)
{
    const AggDef *best = NULL;
    int best_exact = -1, best_preferred = -1, ties = 0;
    *found = 0;
    for (int i = 0; i < AGG_COUNT; i++) {
        const AggDef *d = &AGGS[i];
        if (strcmp(d->name, name) != 0 || d->arg_count != count || d->is_ordered_set != ordered) {
            continue;
        }
        int exact_count = 0, preferred = 0;
        bool ok = true;
        for (int a = 0; a < count && ok; a++) {
            bool is_exact;
            ok = accepts(d->arg_types[a], types[a].id, &is_exact);
            exact_count += is_exact;
            preferred +=
                !is_exact && d->arg_types[a] != TYPE_UNKNOWN && type_is_preferred(d->arg_types[a]);
        }
        if (!ok) {
            continue;
        }
        *found = 1;
        if (exact_count > best_exact || (exact_count == best_exact && preferred > best_preferred)) {
            best = d;
            best_exact = exact_count;
            best_preferred = preferred;
            ties = 0;
        } else if (exact_count == best_exact && preferred == best_preferred) {
            ties++;
        }
    }
    if (best != NULL && ties > 0) {
        *found = -1;
    }
    return best;
}

static int resolve_error(const char *name, const SqlType *types, int count, int found, Error *err)
{
    char signature[300];
    size_t n = 0;
    signature[0] = '\0';
    for (int a = 0; a < count && n < sizeof signature; a++) {
        n += (size_t)snprintf(signature + n, sizeof signature - n, "%s%s", a ? ", " : "",
                              type_id_name(types[a].id));
    }
    if (count == 0 && strcmp(name, "count") == 0) {
        snprintf(signature, sizeof signature, "*");
    }
    if (found < 0) {
        error_set(err, SQLSTATE_AMBIGUOUS_FUNCTION, "function %s(%s) is not unique", name,
                  signature);
        return error_hint(err, "Could not choose a best candidate function. You might need to add "
                               "explicit type casts.");
    }
    error_set(err, SQLSTATE_UNDEFINED_FUNCTION, "function %s(%s) does not exist", name, signature);
    return error_hint(err, "No function matches the given name and argument types. You might need "
                           "to add explicit type casts.");
}

static void fill(const AggDef *d, const SqlType *types, int count, AggMatch *out)
{
    memset(out, 0, sizeof *out);
    out->def = d;
    out->arg_count = count;
    for (int a = 0; a < count; a++) {
        TypeId p = d->arg_types[a];
        if (p == TYPE_UNKNOWN) {
            out->arg_targets[a] = types[a].id == TYPE_UNKNOWN ? sql_type(TYPE_TEXT) : types[a];
        } else {
            out->arg_targets[a] = p == types[a].id ? types[a] : sql_type(p);
        }
    }
    out->result_type =
        d->result_type == TYPE_UNKNOWN ? out->arg_targets[0] : sql_type(d->result_type);
    if (d->result_type == TYPE_ANYARRAY) {
        out->result_type = sql_type_mod(type_array_of(out->arg_targets[0].id),
                                        out->arg_targets[0].typmod);
    }
}

int agg_resolve(const char *name, const SqlType *arg_types, int arg_count, bool distinct,
                AggMatch *out, Error *err)
{
    (void)distinct;
    int found;
    if (arg_count > AGG_PARAMS_MAX) {
        return resolve_error(name, arg_types, arg_count, 0, err);
    }
    const AggDef *d = choose(name, false, arg_types, arg_count, &found);
    if (found != 1) {
        return resolve_error(name, arg_types, arg_count, found, err);
    }
    fill(d, arg_types, arg_count, out);
    if (d->result_type == TYPE_ANYARRAY && type_is_array(out->arg_targets[0].id)) {
        if (strcmp(d->name, "array_agg") != 0) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "multidimensional arrays are not supported");
        }
        /* array_agg(anyarray): the arrays stacked into one more dimension */
        out->result_type = out->arg_targets[0];
    }
    bool needs_order = strcmp(d->name, "min") == 0 || strcmp(d->name, "max") == 0;
    if (needs_order && !type_is_comparable(out->arg_targets[0].id)) {
        return resolve_error(name, arg_types, arg_count, 0, err);
    }
    return STRATA_OK;
}

int agg_resolve_ordered_set(const char *name, const SqlType *direct_types, int direct_count,
                            SqlType sort_type, AggMatch *out, Error *err)
{
    int found;
    const AggDef *d = choose(name, true, &sort_type, 1, &found);
    if (found != 1 || d->direct_arg_count != direct_count) {
        return resolve_error(name, direct_types, direct_count, found < 0 ? -1 : 0, err);
    }
    if (direct_count == 1 &&
        !(direct_types[0].id == TYPE_FLOAT8 || direct_types[0].id == TYPE_UNKNOWN ||
          cast_lookup(direct_types[0].id, TYPE_FLOAT8) == CAST_IMPLICIT)) {
        return resolve_error(name, direct_types, direct_count, 0, err);
    }
    fill(d, &sort_type, 1, out);
    out->direct_arg_count = direct_count;
    if (direct_count == 1) {
        out->direct_targets[0] = sql_type(TYPE_FLOAT8);
    }
    return STRATA_OK;
}

int agg_final(const AggMatch *m, const void *state, const Value *direct_args, int direct_count,
              Value *result, FuncContext *ctx, Error *err)
{
    Arena *previous = numeric_set_arena(ctx->arena);
    int rc = m->def->final(state, direct_args, direct_count, result, ctx, err);
    numeric_set_arena(previous);
    if (rc == STRATA_OK) {
        result->type = m->result_type;
    }
    return rc;
}
