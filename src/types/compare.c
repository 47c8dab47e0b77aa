/*
 * types/compare.c - ordering, equality and hashing of values (see compare.h).
 *
 * Numeric-category values hash by their double value (hash_f64), which is the
 * one representation every integer, numeric and float that can compare equal
 * maps to identically; strings hash with XXH3 of their bytes (bpchar without
 * trailing blanks); dates hash as the timestamp of their midnight.
 */
#include "types/compare.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

#include "types/array.h"
#include "types/datetime.h"
#include "types/jsonb.h"
#include "types/numeric.h"
#include "types/typeinfo.h"

int compare_f64(double a, double b)
{
    if (isnan(a)) {
        return isnan(b) ? 0 : 1;
    }
    if (isnan(b)) {
        return -1;
    }
    return a < b ? -1 : (a > b ? 1 : 0);
}

int compare_bytes(const char *a, uint32_t a_len, const char *b, uint32_t b_len)
{
    uint32_t n = a_len < b_len ? a_len : b_len;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) {
        return c < 0 ? -1 : 1;
    }
    return a_len < b_len ? -1 : (a_len > b_len ? 1 : 0);
}

static uint32_t bpchar_length(const char *s, uint32_t len)
{
    while (len > 0 && s[len - 1] == ' ') {
        len--;
    }
    return len;
}

int compare_bpchar(const char *a, uint32_t a_len, const char *b, uint32_t b_len)
{
    return compare_bytes(a, bpchar_length(a, a_len), b, bpchar_length(b, b_len));
}

static bool is_float(TypeId id)
{
    return id == TYPE_FLOAT4 || id == TYPE_FLOAT8;
}

static double as_double(const Value *v)
{
    if (is_float(v->type.id)) {
        return v->f64;
    }
    if (v->type.id == TYPE_NUMERIC) {
        return numeric_to_double(&v->dec);
    }
    return (double)v->i64;
}

static Decimal as_decimal(const Value *v)
{
    if (v->type.id == TYPE_NUMERIC) {
        return v->dec;
    }
    Decimal d;
    numeric_from_i64(v->i64, &d);
    return d;
}

static int compare_numeric_category(const Value *a, const Value *b)
{
    TypeId ta = a->type.id, tb = b->type.id;
    if ((type_is_integer(ta) || ta == TYPE_OID) && (type_is_integer(tb) || tb == TYPE_OID)) {
        return a->i64 < b->i64 ? -1 : (a->i64 > b->i64 ? 1 : 0);
    }
    if (is_float(ta) || is_float(tb)) {
        return compare_f64(as_double(a), as_double(b));
    }
    Decimal da = as_decimal(a), db = as_decimal(b);
    return numeric_compare(&da, &db);
}

static int64_t as_timestamp(const Value *v)
{
    return v->type.id == TYPE_DATE ? date_to_timestamp(v->i64) : v->i64;
}

static int compare_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : (a > b ? 1 : 0);
}

static int compare_strings(const Value *a, const Value *b)
{
    bool a_bpchar = a->type.id == TYPE_BPCHAR, b_bpchar = b->type.id == TYPE_BPCHAR;
    uint32_t a_len = a_bpchar ? bpchar_length(a->str.ptr, a->str.len) : a->str.len;
    uint32_t b_len = b_bpchar ? bpchar_length(b->str.ptr, b->str.len) : b->str.len;
    return compare_bytes(a->str.ptr, a_len, b->str.ptr, b_len);
}

int value_compare(const Value *a, const Value *b)
{
    TypeId ta = a->type.id, tb = b->type.id;
    TypeCategory ca = type_category(ta), cb = type_category(tb);
    if (ca == TYPCAT_NUMERIC && cb == TYPCAT_NUMERIC) {
        return compare_numeric_category(a, b);
    }
    if (type_is_string(ta) && type_is_string(tb)) {
        return compare_strings(a, b);
    }
    if (type_is_array(ta)) {
        return array_compare(a->type, a->str, b->str);
    }
    if (type_vector_array(ta) != TYPE_COUNT) {
        return array_compare(sql_type(type_vector_array(ta)), a->str, b->str);
    }
    if (ta == TYPE_ENUM) {
        /* the sort key leads the bytes (enumtype.h) */
        return compare_bytes(a->str.ptr, a->str.len, b->str.ptr, b->str.len);
    }
    switch (ta) {
    case TYPE_BOOL:
        return (int)a->b - (int)b->b;
    case TYPE_DATE:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        if (ta == tb) {
            return compare_i64(a->i64, b->i64);
        }
        return compare_i64(as_timestamp(a), as_timestamp(b));
    case TYPE_TIME:
        return compare_i64(a->i64, b->i64);
    case TYPE_INTERVAL: {
        __int128 sa = interval_span(&a->iv), sb = interval_span(&b->iv);
        return sa < sb ? -1 : (sa > sb ? 1 : 0);
    }
    case TYPE_UUID: {
        int c = memcmp(a->uuid.bytes, b->uuid.bytes, 16);
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TYPE_JSONB:
        return jsonb_compare(a->str, b->str);
    default:
        return compare_bytes(a->str.ptr, a->str.len, b->str.ptr, b->str.len);
    }
}

bool value_equal(const Value *a, const Value *b)
{
    TypeId ta = a->type.id, tb = b->type.id;
    if (ta == tb && (ta == TYPE_TEXT || ta == TYPE_VARCHAR || ta == TYPE_BYTEA)) {
        return a->str.len == b->str.len && memcmp(a->str.ptr, b->str.ptr, a->str.len) == 0;
    }
    if (ta == tb && type_phys(ta) == PHYS_I64) {
        return a->i64 == b->i64;
    }
    return value_compare(a, b) == 0;
}

int value_compare_nulls(const Value *a, const Value *b, bool nulls_first)
{
    if (a->is_null || b->is_null) {
        if (a->is_null && b->is_null) {
            return 0;
        }
        int c = a->is_null ? 1 : -1;
        return nulls_first ? -c : c;
    }
    return value_compare(a, b);
}

uint64_t hash_f64(double v)
{
    if (v == 0) {
        v = 0; /* -0 and 0 */
    }
    if (isnan(v)) {
        return 0x7ff8dead7ff8deadULL;
    }
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return hash_u64(bits);
}

static uint64_t hash_i64(int64_t v)
{
    uint64_t x = (uint64_t)v;
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dULL;
    x ^= x >> 33;
    return x;
}

uint64_t value_hash(const Value *v)
{
    if (v->is_null) {
        return 0x9e3779b97f4a7c15ULL;
    }
    if (type_is_array(v->type.id)) {
        return array_hash(v->type, v->str);
    }
    if (type_vector_array(v->type.id) != TYPE_COUNT) {
        return array_hash(sql_type(type_vector_array(v->type.id)), v->str);
    }
    switch (v->type.id) {
    case TYPE_BOOL:
        return hash_i64(v->b ? 1 : 0);
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_OID:
        return hash_f64((double)v->i64);
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        return hash_f64(v->f64);
    case TYPE_NUMERIC:
        return numeric_hash(&v->dec);
    case TYPE_DATE:
        return hash_i64(date_to_timestamp(v->i64));
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        return hash_i64(v->i64);
    case TYPE_INTERVAL: {
        __int128 span = interval_span(&v->iv);
        return hash_combine(hash_i64((int64_t)span), hash_i64((int64_t)(span >> 64)));
    }
    case TYPE_UUID:
        return XXH3_64bits(v->uuid.bytes, 16);
    case TYPE_JSONB:
        return jsonb_hash(v->str);
    case TYPE_BPCHAR:
        return XXH3_64bits(v->str.ptr, bpchar_length(v->str.ptr, v->str.len));
    default:
        return XXH3_64bits(v->str.ptr, v->str.len);
    }
}
