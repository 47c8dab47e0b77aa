/*
 * types/cast.c - casts between SQL types (see cast.h for the table).
 *
 * cast_lookup is the one source of which casts exist and in which context;
 * value_cast first asks it, then converts: string <-> anything goes through
 * the input/output functions (value_io.h), the numeric ladder through exact
 * conversions with range checks, datetimes through datetime.h.
 */
#include "types/cast.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "types/array.h"
#include "types/datetime.h"
#include "types/jsonb.h"
#include "types/numeric.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

static int numeric_rank(TypeId id)
{
    switch (id) {
    case TYPE_INT2:
        return 0;
    case TYPE_INT4:
        return 1;
    case TYPE_INT8:
        return 2;
    case TYPE_NUMERIC:
        return 3;
    case TYPE_FLOAT4:
        return 4;
    case TYPE_FLOAT8:
        return 5;
    default:
        return -1;
    }
}

static bool is_text_like(TypeId id)
{
    return id == TYPE_TEXT || id == TYPE_VARCHAR || id == TYPE_BPCHAR;
}

CastKind cast_lookup(TypeId from, TypeId to)
{
    if (from == to || from == TYPE_UNKNOWN) {
        return CAST_IMPLICIT;
    }
    if (to == TYPE_UNKNOWN) {
        return CAST_NONE;
    }
    if (is_text_like(from) && is_text_like(to)) {
        return CAST_IMPLICIT;
    }
    if (is_text_like(to)) {
        return CAST_ASSIGNMENT; /* output function */
    }
    if (is_text_like(from)) {
        return CAST_EXPLICIT; /* input function */
    }
    if (type_vector_array(from) == to || type_vector_array(to) == from) {
        /* int2vector -> int2[] is binary (implicit), int2[] -> int2vector assignment */
        return type_vector_array(from) == to ? CAST_IMPLICIT : CAST_ASSIGNMENT;
    }
    if (type_is_array(from) || type_is_array(to)) {
        /* array coercion: the element cast decides (PostgreSQL's array_map) */
        return type_is_array(from) && type_is_array(to)
                   ? cast_lookup(type_array_elem(from), type_array_elem(to))
                   : CAST_NONE;
    }
    if (to == TYPE_OID) {
        return type_is_integer(from) ? CAST_IMPLICIT : CAST_NONE;
    }
    if (from == TYPE_OID) {
        /* PostgreSQL's oid -> bigint is an assignment cast; strata's catalog
         * functions (pg_get_indexdef, format_type, ...) take their oids as
         * bigint, so it is implicit here */
        return to == TYPE_INT8 ? CAST_IMPLICIT : to == TYPE_INT4 ? CAST_ASSIGNMENT : CAST_NONE;
    }
    int rank_from = numeric_rank(from), rank_to = numeric_rank(to);
    if (rank_from >= 0 && rank_to >= 0) {
        return rank_from < rank_to ? CAST_IMPLICIT : CAST_ASSIGNMENT;
    }
    if ((from == TYPE_BOOL && to == TYPE_INT4) || (from == TYPE_INT4 && to == TYPE_BOOL)) {
        return CAST_EXPLICIT;
    }
    switch (from) {
    case TYPE_DATE:
        return (to == TYPE_TIMESTAMP || to == TYPE_TIMESTAMPTZ) ? CAST_IMPLICIT : CAST_NONE;
    case TYPE_TIMESTAMP:
        return to == TYPE_TIMESTAMPTZ                 ? CAST_IMPLICIT
               : (to == TYPE_DATE || to == TYPE_TIME) ? CAST_ASSIGNMENT
                                                      : CAST_NONE;
    case TYPE_TIMESTAMPTZ:
        return (to == TYPE_TIMESTAMP || to == TYPE_DATE || to == TYPE_TIME) ? CAST_ASSIGNMENT
                                                                            : CAST_NONE;
    case TYPE_TIME:
        return to == TYPE_INTERVAL ? CAST_IMPLICIT : CAST_NONE;
    case TYPE_INTERVAL:
        return to == TYPE_TIME ? CAST_ASSIGNMENT : CAST_NONE;
    case TYPE_JSON:
        return to == TYPE_JSONB ? CAST_ASSIGNMENT : CAST_NONE;
    case TYPE_JSONB:
        if (to == TYPE_JSON) {
            return CAST_ASSIGNMENT;
        }
        return (to == TYPE_BOOL || rank_to >= 0) ? CAST_EXPLICIT : CAST_NONE;
    default:
        return CAST_NONE;
    }
}

static const char *int_type_word(TypeId id)
{
    return id == TYPE_INT2 ? "smallint" : id == TYPE_INT4 ? "integer" : "bigint";
}

int cast_i64_to_int(int64_t value, TypeId target, int64_t *out, Error *err)
{
    bool ok = target == TYPE_INT2   ? (value >= INT16_MIN && value <= INT16_MAX)
              : target == TYPE_INT4 ? (value >= INT32_MIN && value <= INT32_MAX)
                                    : true;
    if (!ok) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                         int_type_word(target));
    }
    *out = value;
    return STRATA_OK;
}

int cast_f64_to_int(double value, TypeId target, int64_t *out, Error *err)
{
    double rounded = rint(value); /* round half to even, as PostgreSQL */
    /* 2^63 is exactly representable; anything >= it does not fit int64. */
    if (isnan(rounded) || rounded < -9223372036854775808.0 || rounded >= 9223372036854775808.0) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                         int_type_word(target));
    }
    return cast_i64_to_int((int64_t)rounded, target, out, err);
}

static int to_integer(const Value *in, TypeId target, int64_t *out, Error *err)
{
    switch (in->type.id) {
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        return cast_f64_to_int(in->f64, target, out, err);
    case TYPE_NUMERIC: {
        int64_t v;
        int rc = numeric_to_i64(&in->dec, &v, err);
        if (rc != STRATA_OK) {
            if (error_is_set(err) && strcmp(err->sqlstate, "22003") == 0) {
                return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                                 int_type_word(target));
            }
            if (in->dec.flags == DECIMAL_NAN) {
                return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot convert NaN to %s",
                                 int_type_word(target));
            }
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot convert infinity to %s",
                             int_type_word(target));
        }
        return cast_i64_to_int(v, target, out, err);
    }
    case TYPE_BOOL:
        *out = in->b ? 1 : 0;
        return STRATA_OK;
    default:
        return cast_i64_to_int(in->i64, target, out, err);
    }
}

static int to_float(const Value *in, TypeId target, double *out, Error *err)
{
    double v;
    switch (in->type.id) {
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        v = in->f64;
        break;
    case TYPE_NUMERIC:
        return numeric_to_float(&in->dec, target == TYPE_FLOAT4, out, err);
    default:
        v = (double)in->i64;
        break;
    }
    if (target == TYPE_FLOAT4) {
        float f = (float)v;
        if (isinf(f) && !isinf(v)) {
            return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                             "value out of range: overflow");
        }
        if (f == 0 && v != 0) {
            return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                             "value out of range: underflow");
        }
        v = (double)f;
    }
    *out = v;
    return STRATA_OK;
}

static int to_numeric(const Value *in, Decimal *out, Error *err)
{
    switch (in->type.id) {
    case TYPE_FLOAT4: {
        /* PostgreSQL converts float4 with FLT_DIG (6) significant digits. */
        char buf[64];
        int n = snprintf(buf, sizeof buf, "%.6g", in->f64);
        if (isnan(in->f64) || isinf(in->f64)) {
            return numeric_from_double(in->f64, out, err);
        }
        return numeric_parse(buf, (size_t)n, out, err);
    }
    case TYPE_FLOAT8:
        return numeric_from_double(in->f64, out, err);
    case TYPE_NUMERIC:
        *out = in->dec;
        return STRATA_OK;
    default:
        numeric_from_i64(in->i64, out);
        return STRATA_OK;
    }
}

static int to_text(const Value *in, TypeId target, const char *timezone, Arena *arena, Value *out,
                   Error *err)
{
    StrRef text;
    if (in->type.id == TYPE_BOOL) {
        /* bool::text is 'true' / 'false' (boolout gives t / f). */
        text.ptr = in->b ? "true" : "false";
        text.len = in->b ? 4 : 5;
    } else if (in->type.id == TYPE_BPCHAR && target != TYPE_BPCHAR) {
        text = in->str;
        while (text.len > 0 && text.ptr[text.len - 1] == ' ') {
            text.len--;
        }
    } else {
        int rc = value_format_tz(in, timezone, arena, &text, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    *out = value_str(target, text.ptr, text.len);
    return STRATA_OK;
}

static int datetime_convert(const Value *in, TypeId target, const char *timezone, Value *out,
                            Error *err)
{
    TypeId from = in->type.id;
    int64_t v = in->i64;
    switch (target) {
    case TYPE_TIMESTAMP:
        if (from == TYPE_DATE) {
            out->i64 = date_to_timestamp(v);
            return STRATA_OK;
        }
        return timestamptz_to_timestamp(v, timezone, &out->i64, err);
    case TYPE_TIMESTAMPTZ:
        return timestamp_to_timestamptz(from == TYPE_DATE ? date_to_timestamp(v) : v, timezone,
                                        &out->i64, err);
    case TYPE_DATE:
        if (from == TYPE_TIMESTAMPTZ) {
            int rc = timestamptz_to_timestamp(v, timezone, &v, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        return timestamp_to_date(v, &out->i64, err);
    case TYPE_TIME:
        if (from == TYPE_INTERVAL) {
            int64_t t = in->iv.micros % USECS_PER_DAY;
            out->i64 = t < 0 ? t + USECS_PER_DAY : t;
            return STRATA_OK;
        }
        if (!DATETIME_IS_FINITE(v)) {
            return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        }
        if (from == TYPE_TIMESTAMPTZ) {
            int rc = timestamptz_to_timestamp(v, timezone, &v, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        out->i64 = timestamp_to_time(v);
        return STRATA_OK;
    case TYPE_INTERVAL:
        out->iv.months = 0;
        out->iv.days = 0;
        out->iv.micros = v;
        return STRATA_OK;
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "missing datetime conversion");
    }
}

static int from_jsonb(const Value *in, TypeId target, Arena *arena, Value *out, Error *err)
{
    JsonbKind kind = jsonb_kind(in->str);
    if (target == TYPE_JSON) {
        StrRef text;
        int rc = jsonb_format(in->str, arena, &text, err);
        out->str = text;
        return rc;
    }
    if (target == TYPE_BOOL && (kind == JSONB_TRUE || kind == JSONB_FALSE)) {
        out->b = kind == JSONB_TRUE;
        return STRATA_OK;
    }
    if (target != TYPE_BOOL && kind == JSONB_NUMBER) {
        StrRef text;
        bool is_null;
        int rc = jsonb_to_text(in->str, arena, &text, &is_null, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        Value parsed;
        rc = value_parse(sql_type(TYPE_NUMERIC), text.ptr, text.len, arena, &parsed, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (target == TYPE_NUMERIC) {
            out->dec = parsed.dec;
            return STRATA_OK;
        }
        if (target == TYPE_FLOAT4 || target == TYPE_FLOAT8) {
            return to_float(&parsed, target, &out->f64, err);
        }
        return to_integer(&parsed, target, &out->i64, err);
    }
    static const char *const KIND_NAMES[] = {"null",   "boolean", "boolean", "numeric",
                                             "string", "array",   "object"};
    return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot cast jsonb %s to type %s",
                     KIND_NAMES[kind], type_id_name(target));
}

/* Casts between oid and the integers, as PostgreSQL's: int2 and int4 to oid
 * and oid to int4 are binary (negatives wrap to and from their unsigned
 * 32-bit form), int8 to oid checks the range. */
static int oid_convert(const Value *in, TypeId target, int64_t *out, Error *err)
{
    if (target == TYPE_OID) {
        if (in->type.id == TYPE_INT8 && (in->i64 < 0 || in->i64 > (int64_t)UINT32_MAX)) {
            return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range");
        }
        *out = (int64_t)(uint32_t)in->i64;
        return STRATA_OK;
    }
    *out = target == TYPE_INT4 ? (int64_t)(int32_t)(uint32_t)in->i64 : in->i64;
    return STRATA_OK;
}

static int convert(const Value *in, TypeId target, const char *timezone, Arena *arena, Value *out,
                   Error *err)
{
    TypeId from = in->type.id;
    if (from == target) {
        *out = *in;
        return STRATA_OK;
    }
    if (is_text_like(target) || (target == TYPE_UNKNOWN)) {
        return to_text(in, target, timezone, arena, out, err);
    }
    if (is_text_like(from) || from == TYPE_UNKNOWN) {
        StrRef text = in->str;
        if (from == TYPE_BPCHAR) {
            while (text.len > 0 && text.ptr[text.len - 1] == ' ') {
                text.len--;
            }
        }
        return value_parse_tz(sql_type(target), text.ptr, text.len, timezone, arena, out, err);
    }
    if (type_vector_array(from) == target || type_vector_array(target) == from) {
        *out = *in; /* the same encoding */
        out->type = sql_type(target);
        return STRATA_OK;
    }
    if (type_is_array(from)) {
        return array_cast(in, sql_type(target), CAST_EXPLICIT, timezone, arena, out, err);
    }
    memset(out, 0, sizeof *out);
    out->type = sql_type(target);
    if (target == TYPE_OID || from == TYPE_OID) {
        return oid_convert(in, target, &out->i64, err);
    }
    if (from == TYPE_JSONB || from == TYPE_JSON) {
        if (from == TYPE_JSON) {
            return jsonb_parse(in->str.ptr, in->str.len, arena, &out->str, err);
        }
        return from_jsonb(in, target, arena, out, err);
    }
    if (numeric_rank(target) >= 0 || target == TYPE_BOOL) {
        if (target == TYPE_BOOL) {
            out->b = in->i64 != 0;
            return STRATA_OK;
        }
        if (type_is_integer(target)) {
            return to_integer(in, target, &out->i64, err);
        }
        if (target == TYPE_NUMERIC) {
            return to_numeric(in, &out->dec, err);
        }
        return to_float(in, target, &out->f64, err);
    }
    return datetime_convert(in, target, timezone, out, err);
}

/* A cast to an enum type: a label read by enum_in, or a value of the same
 * enum (42846 for another enum, as PostgreSQL has no such cast). */
static int to_enum(const Value *in, SqlType target, const char *timezone, Arena *arena, Value *out,
                   Error *err)
{
    if (in->type.id == TYPE_ENUM) {
        if (in->type.typmod >= 0 && target.typmod >= 0 && in->type.typmod != target.typmod) {
            return error_set(err, SQLSTATE_CANNOT_COERCE, "cannot cast type %s to %s",
                             type_name(in->type, arena), type_name(target, arena));
        }
        *out = *in;
        out->type = target;
        return STRATA_OK;
    }
    StrRef text = in->str;
    if (in->type.id == TYPE_BPCHAR) {
        while (text.len > 0 && text.ptr[text.len - 1] == ' ') {
            text.len--;
        }
    }
    return value_parse_tz(target, text.ptr, text.len, timezone, arena, out, err);
}

/* A cast to an array of an enum: as to_enum, element by element (the
 * elements' encoding needs the enum's id, the target's typmod). */
static int to_enum_array(const Value *in, SqlType target, CastContext context,
                         const char *timezone, Arena *arena, Value *out, Error *err)
{
    if (in->type.id == TYPE_ENUM_ARRAY && (in->type.typmod == target.typmod || target.typmod < 0 ||
                                           in->type.typmod < 0)) {
        *out = *in;
        out->type = in->type.typmod >= 0 && target.typmod < 0 ? in->type : target;
        return STRATA_OK;
    }
    if (type_is_array(in->type.id)) {
        return array_cast(in, target, context, timezone, arena, out, err);
    }
    StrRef text = in->str;
    if (in->type.id == TYPE_BPCHAR) {
        while (text.len > 0 && text.ptr[text.len - 1] == ' ') {
            text.len--;
        }
    }
    return value_parse_tz(target, text.ptr, text.len, timezone, arena, out, err);
}

int value_cast(const Value *in, SqlType target, CastContext context, Arena *arena, Value *out,
               Error *err)
{
    return value_cast_tz(in, target, context, NULL, arena, out, err);
}

static int cast_value(const Value *in, SqlType target, CastContext context, const char *timezone,
                      Arena *arena, Value *out, Error *err);

int value_cast_tz(const Value *in, SqlType target, CastContext context, const char *timezone,
                  Arena *arena, Value *out, Error *err)
{
    if (arena == NULL) {
        return cast_value(in, target, context, timezone, arena, out, err);
    }
    Arena *previous = numeric_set_arena(arena); /* a big numeric result lives in arena */
    int rc = cast_value(in, target, context, timezone, arena, out, err);
    numeric_set_arena(previous);
    return rc;
}

static int cast_value(const Value *in, SqlType target, CastContext context, const char *timezone,
                      Arena *arena, Value *out, Error *err)
{
    if (in->is_null) {
        *out = value_null(target);
        return STRATA_OK;
    }
    if (in->type.id == target.id && target.id != TYPE_ENUM && target.id != TYPE_ENUM_ARRAY) {
        /* The same type (an INSERT's bpchar parameter into a CHAR(n) column):
         * only the typmod can change the value (convert() copies it as is). */
        Value same = *in;
        same.type = sql_type(target.id);
        int rc = value_apply_typmod(&same, target, context == CAST_EXPLICIT, arena, err);
        if (rc == STRATA_OK) {
            *out = same;
        }
        return rc;
    }
    CastKind kind = cast_lookup(in->type.id, target.id);
    if (kind == CAST_NONE || kind > context) {
        return error_set(err, SQLSTATE_CANNOT_COERCE, "cannot cast type %s to %s",
                         type_name(in->type, arena), type_name(target, arena));
    }
    Value converted;
    int rc;
    if (target.id == TYPE_ENUM) {
        /* the label's encoding needs the enum's id (the typmod), which
         * convert() does not carry */
        rc = to_enum(in, target, timezone, arena, out, err);
        return rc;
    }
    if (target.id == TYPE_ENUM_ARRAY) {
        return to_enum_array(in, target, context, timezone, arena, out, err);
    }
    rc = convert(in, target.id, timezone, arena, &converted, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    converted.is_null = false;
    converted.type = sql_type(target.id);
    rc = value_apply_typmod(&converted, target, context == CAST_EXPLICIT, arena, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *out = converted;
    return STRATA_OK;
}
