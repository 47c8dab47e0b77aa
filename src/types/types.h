/*
 * types/types.h - SQL types and the in-memory representation of values.
 *
 * This is one half of the Batch contract (see batch.h): every layer agrees on
 * how a value of each SQL type looks in memory. Semantics (parsing, output,
 * casts, arithmetic, comparison) live in the other headers of types/.
 *
 * Physical kinds (what a Vector holds per row, and the union member of Value):
 *   PHYS_BOOL      bool      boolean
 *   PHYS_I64       int64_t   smallint, integer, bigint (range checked by the logical type),
 *                            date (days since 2000-01-01), time (microseconds since midnight),
 *                            timestamp / timestamptz (microseconds since 2000-01-01 00:00 UTC,
 *                            PostgreSQL's epoch)
 *   PHYS_F64       double    real (rounded to float on store), double precision
 *   PHYS_DECIMAL   Decimal   numeric: exact, 128-bit coefficient and a scale
 *   PHYS_STRING    StrRef    text, varchar, char (blank-padded), bytea (raw bytes),
 *                            json (text), jsonb (strata's binary jsonb encoding)
 *   PHYS_INTERVAL  Interval  interval (months, days, microseconds, as PostgreSQL)
 *   PHYS_UUID      Uuid      uuid (16 bytes, network order)
 *   PHYS_STRING    StrRef    arrays (int4[], text[], ...: the encoding of array.h)
 *
 * Invariants
 *   1. A Decimal with flags == 0 is the finite number coef * 10^-scale,
 *      0 <= scale <= DECIMAL_SCALE_MAX, |coef| < 10^38 (the fast form).
 *   1a. A Decimal with flags == DECIMAL_BIG is a finite number that does not
 *      fit the fast form: big.mag[0..len) is the magnitude of the coefficient,
 *      little-endian base 256 with no high zero byte, big.negative its sign;
 *      value = +-mag * 10^-scale, 0 <= scale <= NUMERIC_DSCALE_MAX (16383).
 *      A value that fits the fast form is always in it (types/numeric.h).
 *      The bytes are borrowed like a StrRef's: whoever keeps a Value past the
 *      life of its arena copies them (numeric_copy).
 *   2. StrRef bytes are not NUL-terminated; len is the byte length.
 *   3. typmod is -1 when the type has no modifier.
 */
#ifndef STRATA_TYPES_TYPES_H
#define STRATA_TYPES_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TypeId {
    TYPE_UNKNOWN = 0, /* an untyped literal or NULL whose type is not resolved yet */
    TYPE_BOOL,
    TYPE_INT2,
    TYPE_INT4,
    TYPE_INT8,
    TYPE_FLOAT4,
    TYPE_FLOAT8,
    TYPE_NUMERIC,
    TYPE_TEXT,
    TYPE_VARCHAR,
    TYPE_BPCHAR,
    TYPE_BYTEA,
    TYPE_DATE,
    TYPE_TIME,
    TYPE_TIMESTAMP,
    TYPE_TIMESTAMPTZ,
    TYPE_INTERVAL,
    TYPE_UUID,
    TYPE_JSON,
    TYPE_JSONB,
    /* One-dimensional arrays, one per element type above, in the same order
     * (type_array_of / type_array_elem rely on it). Physically PHYS_STRING:
     * the encoding of types/array.h. The typmod is the element's. */
    TYPE_BOOL_ARRAY,
    TYPE_INT2_ARRAY,
    TYPE_INT4_ARRAY,
    TYPE_INT8_ARRAY,
    TYPE_FLOAT4_ARRAY,
    TYPE_FLOAT8_ARRAY,
    TYPE_NUMERIC_ARRAY,
    TYPE_TEXT_ARRAY,
    TYPE_VARCHAR_ARRAY,
    TYPE_BPCHAR_ARRAY,
    TYPE_BYTEA_ARRAY,
    TYPE_DATE_ARRAY,
    TYPE_TIME_ARRAY,
    TYPE_TIMESTAMP_ARRAY,
    TYPE_TIMESTAMPTZ_ARRAY,
    TYPE_INTERVAL_ARRAY,
    TYPE_UUID_ARRAY,
    TYPE_JSON_ARRAY,
    TYPE_JSONB_ARRAY,
    /* PostgreSQL's int2vector and oidvector (pg_index.indkey, pg_proc.proargtypes):
     * physically the encoding of int2[] / bigint[] (strata's oids are bigint),
     * written as space-separated numbers and subscripted from 0. Not arrays for
     * type_is_array; type_vector_array gives the array type they coerce to. */
    TYPE_INT2VECTOR,
    TYPE_OIDVECTOR,
    /* A value of a user-defined enum type (CREATE TYPE ... AS ENUM); the typmod
     * is the enum type's catalog id (its pg_type oid). Physically PHYS_STRING:
     * the label's sort key as 16 hex digits, then the label (types/enumtype.h),
     * so bytewise order is declaration order and output needs no catalog. */
    TYPE_ENUM,
    /* PostgreSQL's oid (26): an unsigned 32-bit object identifier, physically
     * PHYS_I64 holding 0 .. 4294967295 (so int64 order is oid order). The
     * catalog views' oid columns have this type, as drivers that introspect
     * types (asyncpg) expect. oid[] (1028) is an array type like the ones
     * above, though out of their arithmetic order (type_array_of / _elem
     * name it). Both come after the older ids: persisted numbers unchanged. */
    TYPE_OID,
    TYPE_OID_ARRAY,
    /* An array of a user-defined enum type (mood[]): like the arrays above,
     * its typmod is the element's, here the enum type's catalog id. Its
     * pg_type oid is user_type_array_oid of that id (typeinfo.h). After
     * the older ids, so persisted numbers are unchanged. */
    TYPE_ENUM_ARRAY,
    TYPE_COUNT
} TypeId;

_Static_assert(TYPE_JSONB_ARRAY - TYPE_BOOL_ARRAY == TYPE_JSONB - TYPE_BOOL,
               "one array type per element type, in the same order");

/* Pseudo types (PostgreSQL's anyelement / anyarray): parameter and result
 * types of polymorphic functions and aggregates (func.h), never the type of
 * a value. */
#define TYPE_ANYELEMENT ((TypeId)(TYPE_COUNT + 1))
#define TYPE_ANYARRAY ((TypeId)(TYPE_COUNT + 2))

/* True for the array types. */
static inline bool type_is_array(TypeId id)
{
    return (id >= TYPE_BOOL_ARRAY && id <= TYPE_JSONB_ARRAY) || id == TYPE_OID_ARRAY ||
           id == TYPE_ENUM_ARRAY;
}

/* The array type a vector type (int2vector, oidvector) has the encoding of and
 * coerces to implicitly; TYPE_COUNT for every other type. */
static inline TypeId type_vector_array(TypeId id)
{
    return id == TYPE_INT2VECTOR   ? TYPE_INT2_ARRAY
           : id == TYPE_OIDVECTOR ? TYPE_INT8_ARRAY
                                  : TYPE_COUNT;
}

/* The element type of an array type (precondition: type_is_array(id)). */
static inline TypeId type_array_elem(TypeId id)
{
    return id == TYPE_OID_ARRAY    ? TYPE_OID
           : id == TYPE_ENUM_ARRAY ? TYPE_ENUM
                                   : (TypeId)(id - TYPE_BOOL_ARRAY + TYPE_BOOL);
}

/* The array type of an element type; TYPE_UNKNOWN elements give text[];
 * arrays of arrays do not exist (TYPE_COUNT is returned: callers check). */
static inline TypeId type_array_of(TypeId elem)
{
    if (elem == TYPE_UNKNOWN) {
        return TYPE_TEXT_ARRAY;
    }
    if (elem == TYPE_OID) {
        return TYPE_OID_ARRAY;
    }
    if (elem == TYPE_ENUM) {
        return TYPE_ENUM_ARRAY;
    }
    return elem >= TYPE_BOOL && elem <= TYPE_JSONB ? (TypeId)(elem - TYPE_BOOL + TYPE_BOOL_ARRAY)
                                                   : TYPE_COUNT;
}

/* A SQL type with its modifier: varchar(n)/char(n): n characters;
 * numeric(p,s): (p << 16) | s; timestamp(p)/time(p)/interval: precision;
 * -1 = none. */
typedef struct SqlType {
    TypeId id;
    int32_t typmod;
} SqlType;

typedef enum PhysKind {
    PHYS_BOOL,
    PHYS_I64,
    PHYS_F64,
    PHYS_DECIMAL,
    PHYS_STRING,
    PHYS_INTERVAL,
    PHYS_UUID,
} PhysKind;

/* numeric(p,s): p at most 1000, as PostgreSQL's NUMERIC_MAX_PRECISION. */
#define DECIMAL_PRECISION_MAX 1000
/* The fast form's limits: 38 digits, scale 0..38. */
#define DECIMAL_FAST_DIGITS_MAX 38
#define DECIMAL_SCALE_MAX 38

enum {
    DECIMAL_FINITE = 0,
    DECIMAL_NAN = 1,
    DECIMAL_POS_INF = 2,
    DECIMAL_NEG_INF = 3,
    DECIMAL_BIG = 4, /* finite, beyond the fast form: see invariant 1a */
};

typedef struct Decimal {
    union {
        __int128 coef; /* DECIMAL_FINITE */
        struct {
            const uint8_t *mag;
            uint32_t len;
            bool negative;
        } big; /* DECIMAL_BIG */
    };
    int16_t scale;
    uint8_t flags; /* DECIMAL_FINITE, _NAN, _POS_INF, _NEG_INF, _BIG */
} Decimal;

typedef struct StrRef {
    const char *ptr;
    uint32_t len;
} StrRef;

typedef struct Interval {
    int32_t months;
    int32_t days;
    int64_t micros;
} Interval;

typedef struct Uuid {
    uint8_t bytes[16];
} Uuid;

/* One value of any type: constants, parameters, row-at-a-time evaluation.
 * String data is borrowed from whatever arena or page produced it. */
typedef struct Value {
    SqlType type;
    bool is_null;
    union {
        bool b;
        int64_t i64;
        double f64;
        Decimal dec;
        StrRef str;
        Interval iv;
        Uuid uuid;
    };
} Value;

/* The physical kind of a type id (TYPE_UNKNOWN is PHYS_STRING: its text).
 * Inline: it is called per value in every batch copy. */
static inline PhysKind type_phys(TypeId id)
{
    switch (id) {
    case TYPE_BOOL:
        return PHYS_BOOL;
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_DATE:
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
    case TYPE_OID:
        return PHYS_I64;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        return PHYS_F64;
    case TYPE_NUMERIC:
        return PHYS_DECIMAL;
    case TYPE_INTERVAL:
        return PHYS_INTERVAL;
    case TYPE_UUID:
        return PHYS_UUID;
    case TYPE_UNKNOWN:
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_BYTEA:
    case TYPE_JSON:
    case TYPE_JSONB:
    default: /* arrays, TYPE_COUNT */
        return PHYS_STRING;
    }
    return PHYS_STRING;
}

/* Bytes per row of a vector of the given physical kind. */
static inline int phys_width(PhysKind kind)
{
    switch (kind) {
    case PHYS_BOOL:
        return (int)sizeof(bool);
    case PHYS_I64:
        return (int)sizeof(int64_t);
    case PHYS_F64:
        return (int)sizeof(double);
    case PHYS_DECIMAL:
        return (int)sizeof(Decimal);
    case PHYS_STRING:
        return (int)sizeof(StrRef);
    case PHYS_INTERVAL:
        return (int)sizeof(Interval);
    case PHYS_UUID:
        return (int)sizeof(Uuid);
    }
    return 0;
}

/* Bytes of a value of a fixed-width kind in the serialized forms (row codec,
 * column segments, array elements): bool 1, int64 and float 8, numeric 19
 * (i128 coefficient, i16 scale, u8 flags), interval and uuid 16; 0 for strings,
 * whose length each form encodes its own way. */
static inline size_t phys_serialized_size(PhysKind kind)
{
    switch (kind) {
    case PHYS_BOOL:
        return 1;
    case PHYS_I64:
    case PHYS_F64:
        return 8;
    case PHYS_DECIMAL:
        return 19;
    case PHYS_INTERVAL:
    case PHYS_UUID:
        return 16;
    case PHYS_STRING:
        return 0;
    }
    return 0;
}

static inline SqlType sql_type(TypeId id) { SqlType t = {id, -1}; return t; }
static inline SqlType sql_type_mod(TypeId id, int32_t typmod) { SqlType t = {id, typmod}; return t; }

static inline Value value_null(SqlType type) { Value v = {0}; v.type = type; v.is_null = true; return v; }
static inline Value value_bool(bool b) { Value v = {0}; v.type = sql_type(TYPE_BOOL); v.b = b; return v; }
static inline Value value_i64(TypeId id, int64_t i) { Value v = {0}; v.type = sql_type(id); v.i64 = i; return v; }
static inline Value value_f64(double f) { Value v = {0}; v.type = sql_type(TYPE_FLOAT8); v.f64 = f; return v; }
static inline Value value_str(TypeId id, const char *ptr, uint32_t len)
{
    Value v = {0};
    v.type = sql_type(id);
    v.str.ptr = ptr;
    v.str.len = len;
    return v;
}

#endif
