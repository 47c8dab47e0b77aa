/*
 * types/pg_binary.c - PostgreSQL's binary send / receive formats (the byte
 * layouts are in pg_binary.h).
 *
 * Sending appends to a Buf that grows in the caller's arena; receiving reads
 * through a Cursor that knows where its bytes end, so every read is checked
 * (invariant 1 of pg_binary.h).
 */
#include "types/pg_binary.h"

#include <stdio.h>
#include <string.h>

#include "types/array.h"
#include "types/datetime.h"
#include "types/jsonb.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/limits.h"

/* PostgreSQL's numeric sign words and limits (numeric.c). */
enum {
    NUMERIC_SIGN_POS = 0x0000,
    NUMERIC_SIGN_NEG = 0x4000,
    NUMERIC_SIGN_NAN = 0xC000,
    NUMERIC_SIGN_PINF = 0xD000,
    NUMERIC_SIGN_NINF = 0xF000,
    NUMERIC_DSCALE_MASK = 0x3FFF,
    NUMERIC_DIGITS_MAX = 3000, /* NUMERIC_MAX_PRECISION + NUMERIC_MAX_RESULT_SCALE */
};

/* The range of dates and timestamps (PostgreSQL's IS_VALID_DATE /
 * IS_VALID_TIMESTAMP; the same as datetime.c's). */
#define PG_DATE_MIN (-2451545)
#define PG_DATE_MAX INT64_C(2145031948)
#define PG_TIMESTAMP_MIN (INT64_C(-211813488000000000))
#define PG_TIMESTAMP_END (INT64_C(9223371331200000000))

/* ---- sending ---- */

typedef struct Buf {
    uint8_t *data;
    size_t len, cap;
    Arena *arena;
    bool failed;
} Buf;

static bool buf_reserve(Buf *b, size_t more)
{
    if (b->failed) {
        return false;
    }
    if (b->len + more <= b->cap) {
        return true;
    }
    size_t cap = b->cap ? b->cap * 2 : 64;
    while (cap < b->len + more) {
        cap *= 2;
    }
    uint8_t *grown = arena_alloc(b->arena, cap);
    if (grown == NULL) {
        b->failed = true;
        return false;
    }
    if (b->len > 0) {
        memcpy(grown, b->data, b->len);
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

static void buf_write(Buf *b, const void *bytes, size_t n)
{
    if (n > 0 && buf_reserve(b, n)) {
        memcpy(b->data + b->len, bytes, n);
        b->len += n;
    }
}

static void put_be(Buf *b, uint64_t value, int bytes)
{
    uint8_t out[8];
    for (int k = 0; k < bytes; k++) {
        out[k] = (uint8_t)(value >> (8 * (bytes - 1 - k)));
    }
    buf_write(b, out, (size_t)bytes);
}

static void patch_be32(Buf *b, size_t at, uint32_t value)
{
    if (!b->failed) {
        for (int k = 0; k < 4; k++) {
            b->data[at + (size_t)k] = (uint8_t)(value >> (8 * (3 - k)));
        }
    }
}

/* Numeric from its text form ("-12.340", "NaN", "Infinity"): the digits
 * before and after the point are grouped in fours away from the point. */
static void send_numeric_text(Buf *b, const char *text, size_t len)
{
    if (len > 0 && (text[0] == 'N' || text[0] == 'I' || (len > 1 && text[1] == 'I'))) {
        uint16_t sign = text[0] == 'N' ? NUMERIC_SIGN_NAN
                        : text[0] == '-' ? NUMERIC_SIGN_NINF
                                         : NUMERIC_SIGN_PINF;
        put_be(b, 0, 2);
        put_be(b, 0, 2);
        put_be(b, sign, 2);
        /* PostgreSQL 15 sends 32 as the dscale of the infinities (the bits of
         * its header word below the sign), 0 for NaN. */
        put_be(b, sign == NUMERIC_SIGN_NAN ? 0 : 0x20, 2);
        return;
    }
    bool negative = len > 0 && text[0] == '-';
    size_t start = negative ? 1 : 0;
    size_t point = start;
    while (point < len && text[point] != '.') {
        point++;
    }
    size_t frac_start = point < len ? point + 1 : len;
    size_t dscale = len - frac_start;
    while (start < point && text[start] == '0') {
        start++; /* leading zeros of the integer part */
    }
    size_t int_digits = point - start;
    size_t int_groups = (int_digits + 3) / 4;
    size_t frac_groups = (dscale + 3) / 4;
    size_t total = int_groups + frac_groups;
    uint16_t *groups = arena_alloc(b->arena, sizeof(uint16_t) * (total + 1));
    if (groups == NULL) {
        b->failed = true;
        return;
    }
    long int_padding = (long)(int_groups * 4 - int_digits); /* zeros before the first digit */
    for (size_t group = 0; group < total; group++) {
        int value = 0;
        for (size_t k = 0; k < 4; k++) {
            /* the decimal digit at this place, or 0 where the number has none */
            long place = group < int_groups ? (long)(group * 4 + k) - int_padding
                                            : (long)((group - int_groups) * 4 + k);
            char ch = '0';
            if (group < int_groups && place >= 0) {
                ch = text[start + (size_t)place];
            } else if (group >= int_groups && (size_t)place < dscale) {
                ch = text[frac_start + (size_t)place];
            }
            value = value * 10 + (ch - '0');
        }
        groups[group] = (uint16_t)value;
    }
    size_t first = 0, end = total;
    while (first < end && groups[first] == 0) {
        first++;
    }
    while (end > first && groups[end - 1] == 0) {
        end--;
    }
    int weight = first < end ? (int)int_groups - 1 - (int)first : 0;
    put_be(b, (uint64_t)(end - first), 2);
    put_be(b, (uint64_t)(int64_t)weight, 2);
    put_be(b, first < end && negative ? NUMERIC_SIGN_NEG : NUMERIC_SIGN_POS, 2);
    put_be(b, (uint64_t)dscale, 2);
    for (size_t group = first; group < end; group++) {
        put_be(b, groups[group], 2);
    }
}

static int send_value(const Value *v, Buf *b, Error *err);

/* Element oid as PostgreSQL names it (an oidvector's elements are oids, an
 * enum array's its enum type). */
static uint32_t element_oid(TypeId array_type, SqlType elem)
{
    return array_type == TYPE_OIDVECTOR ? 26 : type_value_oid(elem);
}

static int send_array(const Value *v, Buf *b, Error *err)
{
    TypeId array_id = v->type.id;
    bool is_vector = type_vector_array(array_id) != TYPE_COUNT;
    SqlType array_type = {is_vector ? type_vector_array(array_id) : array_id, v->type.typmod};
    ArrayReader reader;
    if (!array_reader_init(&reader, array_type, v->str)) {
        return error_set(err, SQLSTATE_DATA_CORRUPTED, "array value is corrupted");
    }
    bool has_nulls = false;
    for (uint32_t index = 0; index < reader.count && reader.nulls != NULL; index++) {
        has_nulls = has_nulls || (reader.nulls[index / 8] >> (index % 8) & 1) != 0;
    }
    int ndims = is_vector ? 1 : reader.ndims;
    put_be(b, (uint64_t)ndims, 4);
    put_be(b, has_nulls, 4);
    put_be(b, element_oid(array_id, reader.elem), 4);
    for (int dim = 0; dim < ndims; dim++) {
        put_be(b, is_vector ? reader.count : reader.dims[dim], 4);
        put_be(b, is_vector ? 0 : 1, 4);
    }
    Value item;
    while (array_reader_next(&reader, &item)) {
        if (item.is_null) {
            put_be(b, UINT32_MAX, 4);
            continue;
        }
        size_t at = b->len;
        put_be(b, 0, 4);
        if (array_id == TYPE_OIDVECTOR) {
            put_be(b, (uint64_t)item.i64, 4);
        } else {
            int rc = send_value(&item, b, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        patch_be32(b, at, (uint32_t)(b->len - at - 4));
    }
    if (reader.is_corrupt) {
        return error_set(err, SQLSTATE_DATA_CORRUPTED, "array value is corrupted");
    }
    return STRATA_OK;
}

/* Types sent as their text output (numeric first converted below). */
static int send_text_form(const Value *v, Buf *b, Error *err)
{
    StrRef text;
    int rc = value_format(v, b->arena, &text, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (v->type.id == TYPE_NUMERIC) {
        send_numeric_text(b, text.ptr, text.len);
    } else {
        if (v->type.id == TYPE_JSONB) {
            put_be(b, 1, 1); /* jsonb's version byte */
        }
        buf_write(b, text.ptr, text.len);
    }
    return STRATA_OK;
}

static int send_value(const Value *v, Buf *b, Error *err)
{
    switch (v->type.id) {
    case TYPE_BOOL:
        put_be(b, v->b ? 1 : 0, 1);
        return STRATA_OK;
    case TYPE_INT2:
        put_be(b, (uint64_t)v->i64, 2);
        return STRATA_OK;
    case TYPE_INT4:
    case TYPE_OID:
        put_be(b, (uint64_t)v->i64, 4);
        return STRATA_OK;
    case TYPE_INT8:
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        put_be(b, (uint64_t)v->i64, 8);
        return STRATA_OK;
    case TYPE_DATE: {
        int64_t days = v->i64;
        int32_t out = days == DATETIME_NOBEGIN ? INT32_MIN
                      : days == DATETIME_NOEND ? INT32_MAX
                                               : (int32_t)days;
        put_be(b, (uint32_t)out, 4);
        return STRATA_OK;
    }
    case TYPE_FLOAT4: {
        float value = (float)v->f64;
        uint32_t bits;
        memcpy(&bits, &value, 4);
        put_be(b, bits, 4);
        return STRATA_OK;
    }
    case TYPE_FLOAT8: {
        uint64_t bits;
        memcpy(&bits, &v->f64, 8);
        put_be(b, bits, 8);
        return STRATA_OK;
    }
    case TYPE_INTERVAL:
        put_be(b, (uint64_t)v->iv.micros, 8);
        put_be(b, (uint32_t)v->iv.days, 4);
        put_be(b, (uint32_t)v->iv.months, 4);
        return STRATA_OK;
    case TYPE_UUID:
        buf_write(b, v->uuid.bytes, 16);
        return STRATA_OK;
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_BYTEA:
    case TYPE_JSON:
    case TYPE_UNKNOWN:
        buf_write(b, v->str.ptr, v->str.len);
        return STRATA_OK;
    case TYPE_NUMERIC:
    case TYPE_JSONB:
    case TYPE_ENUM:
        return send_text_form(v, b, err);
    default:
        if (type_is_array(v->type.id) || type_vector_array(v->type.id) != TYPE_COUNT) {
            return send_array(v, b, err);
        }
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "binary output format is not supported for this type");
    }
}

bool pg_binary_can_send(TypeId id)
{
    return id > TYPE_UNKNOWN && id < TYPE_COUNT;
}

bool pg_binary_can_recv(TypeId id)
{
    return pg_binary_can_send(id);
}

int pg_binary_send(const Value *v, Arena *arena, StrRef *out, Error *err)
{
    Buf b = {.arena = arena};
    int rc = send_value(v, &b, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (b.failed) {
        return arena_error(arena, err);
    }
    *out = (StrRef){b.data != NULL ? (const char *)b.data : "", (uint32_t)b.len};
    return STRATA_OK;
}

/* ---- receiving ---- */

typedef struct Cursor {
    const uint8_t *at, *end;
} Cursor;

static int short_data(Error *err)
{
    return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "insufficient data left in message");
}

static int bad_binary(Error *err, const char *message)
{
    return error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION, "%s", message);
}

/* Reads a big-endian integer of bytes (1..8) bytes, sign-extended. */
static int get_be(Cursor *c, int bytes, int64_t *out, Error *err)
{
    if ((size_t)(c->end - c->at) < (size_t)bytes) {
        return short_data(err);
    }
    uint64_t value = 0;
    for (int k = 0; k < bytes; k++) {
        value = value << 8 | c->at[k];
    }
    if (bytes < 8 && (c->at[0] & 0x80) != 0) {
        value |= ~UINT64_C(0) << (bytes * 8);
    }
    c->at += bytes;
    *out = (int64_t)value;
    return STRATA_OK;
}

/* PostgreSQL's UTF-8 check of received text: 22021 naming the bad bytes. */
static int check_utf8(const uint8_t *bytes, size_t length, Error *err)
{
    size_t pos = 0;
    while (pos < length) {
        uint8_t lead = bytes[pos];
        size_t size = lead == 0 ? 0 : lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2
                                  : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 0;
        uint32_t code = size == 2 ? lead & 0x1Fu : size == 3 ? lead & 0x0Fu : lead & 0x07u;
        bool is_valid = size > 0 && size <= length - pos;
        for (size_t k = 1; is_valid && k < size; k++) {
            is_valid = (bytes[pos + k] & 0xC0) == 0x80;
            code = code << 6 | (bytes[pos + k] & 0x3Fu);
        }
        if (is_valid && size > 1) {
            uint32_t min = size == 2 ? 0x80 : size == 3 ? 0x800 : 0x10000;
            is_valid = code >= min && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF);
        }
        if (!is_valid) {
            size_t shown = size > 0 ? size : 1;
            shown = shown > length - pos ? length - pos : shown;
            char listed[32] = "";
            size_t used = 0;
            for (size_t k = 0; k < shown; k++) {
                used += (size_t)snprintf(listed + used, sizeof listed - used, "%s0x%02x",
                                         k > 0 ? " " : "", bytes[pos + k]);
            }
            return error_set(err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                             "invalid byte sequence for encoding \"UTF8\": %s", listed);
        }
        pos += size;
    }
    return STRATA_OK;
}

/* numeric_recv: the digits become numeric text with dscale fraction digits
 * (digits beyond dscale are cut, as PostgreSQL's trunc_var), read by numeric
 * input (so the engine's precision rules apply). */
static int recv_numeric(SqlType type, Cursor *c, Arena *arena, Value *out, Error *err)
{
    int64_t ndigits = 0, weight = 0, sign = 0, dscale = 0;
    int rc = get_be(c, 2, &ndigits, err);
    rc = rc == STRATA_OK ? get_be(c, 2, &weight, err) : rc;
    rc = rc == STRATA_OK ? get_be(c, 2, &sign, err) : rc;
    rc = rc == STRATA_OK ? get_be(c, 2, &dscale, err) : rc;
    if (rc != STRATA_OK) {
        return rc;
    }
    if (ndigits < 0 || ndigits > NUMERIC_DIGITS_MAX) {
        return bad_binary(err, "invalid length in external \"numeric\" value");
    }
    sign &= 0xFFFF;
    if (sign != NUMERIC_SIGN_POS && sign != NUMERIC_SIGN_NEG && sign != NUMERIC_SIGN_NAN &&
        sign != NUMERIC_SIGN_PINF && sign != NUMERIC_SIGN_NINF) {
        return bad_binary(err, "invalid sign in external \"numeric\" value");
    }
    if ((dscale & NUMERIC_DSCALE_MASK) != dscale) {
        return bad_binary(err, "invalid scale in external \"numeric\" value");
    }
    int16_t *digits = arena_alloc(arena, sizeof(int16_t) * (size_t)(ndigits + 1));
    if (digits == NULL) {
        return arena_error(arena, err);
    }
    for (int64_t index = 0; index < ndigits; index++) {
        int64_t digit = 0;
        if ((rc = get_be(c, 2, &digit, err)) != STRATA_OK) {
            return rc;
        }
        if (digit < 0 || digit >= 10000) {
            return bad_binary(err, "invalid digit in external \"numeric\" value");
        }
        digits[index] = (int16_t)digit;
    }
    const char *special = sign == NUMERIC_SIGN_NAN    ? "NaN"
                          : sign == NUMERIC_SIGN_PINF ? "Infinity"
                          : sign == NUMERIC_SIGN_NINF ? "-Infinity"
                                                      : NULL;
    if (special != NULL) {
        rc = value_parse(sql_type(TYPE_NUMERIC), special, strlen(special), arena, out, err);
    } else {
        /* Decimal places 4 * weight + 3 (the first digit's top) down to -dscale. */
        int64_t top = weight >= 0 ? 4 * weight + 3 : 0;
        size_t size = (size_t)(top + 1 + dscale + 3);
        char *text = arena_alloc(arena, size);
        if (text == NULL) {
            return arena_error(arena, err);
        }
        size_t len = 0;
        if (sign == NUMERIC_SIGN_NEG) {
            text[len++] = '-';
        }
        size_t first_digit = len;
        for (int64_t place = top; place >= -dscale; place--) {
            if (place == -1) {
                text[len++] = '.';
            }
            int64_t group = place >= 0 ? place / 4 : -((-place + 3) / 4);
            int64_t index = weight - group;
            int digit = 0;
            if (index >= 0 && index < ndigits) {
                int value = digits[index];
                for (int64_t k = place - 4 * group; k > 0; k--) {
                    value /= 10;
                }
                digit = value % 10;
            }
            if (digit == 0 && place > 0 && len == first_digit) {
                continue; /* a leading zero */
            }
            text[len++] = (char)('0' + digit);
        }
        rc = value_parse(sql_type(TYPE_NUMERIC), text, len, arena, out, err);
    }
    if (rc == STRATA_OK && type.typmod >= 0) {
        rc = value_apply_typmod(out, type, false, arena, err);
    }
    return rc;
}

static int recv_value(SqlType type, Cursor *c, Arena *arena, Value *out, Error *err);

typedef struct ArrayHeader {
    int64_t ndims, flags, elem_oid;
    uint32_t dims[ARRAY_DIMS_MAX];
    int64_t count;
} ArrayHeader;

static int recv_array_header(TypeId elem, Cursor *c, ArrayHeader *h, Error *err)
{
    int rc = get_be(c, 4, &h->ndims, err);
    rc = rc == STRATA_OK ? get_be(c, 4, &h->flags, err) : rc;
    rc = rc == STRATA_OK ? get_be(c, 4, &h->elem_oid, err) : rc;
    if (rc != STRATA_OK) {
        return rc;
    }
    if (h->ndims < 0) {
        return error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                         "invalid number of dimensions: %lld", (long long)h->ndims);
    }
    if (h->ndims > ARRAY_DIMS_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "number of array dimensions (%lld) exceeds the maximum allowed (%d)",
                         (long long)h->ndims, ARRAY_DIMS_MAX);
    }
    if (h->flags != 0 && h->flags != 1) {
        return bad_binary(err, "invalid array flags");
    }
    /* As PostgreSQL: an element type outside the built-in range (user types
     * are >= 10000 there) is read as the expected one. */
    if ((uint32_t)h->elem_oid != type_oid(elem) && (uint32_t)h->elem_oid < 10000) {
        TypeId given;
        return error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                         "binary data has array element type %u (%s) instead of expected %u (%s)",
                         (uint32_t)h->elem_oid,
                         type_from_oid((uint32_t)h->elem_oid, &given) ? type_id_name(given) : "???",
                         type_oid(elem), type_id_name(elem));
    }
    h->count = h->ndims > 0 ? 1 : 0;
    bool has_other_bound = false;
    for (int64_t dim = 0; dim < h->ndims; dim++) {
        int64_t length = 0, lower = 0;
        rc = get_be(c, 4, &length, err);
        rc = rc == STRATA_OK ? get_be(c, 4, &lower, err) : rc;
        if (rc != STRATA_OK) {
            return rc;
        }
        if (length < 0 || (length > 0 && h->count > LIMIT_ARRAY_ELEMENTS / length)) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                             "array size exceeds the maximum allowed (%d)", LIMIT_ARRAY_ELEMENTS);
        }
        if (lower + length - 1 > INT32_MAX) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                             "array upper bound is too large");
        }
        has_other_bound = has_other_bound || lower != 1;
        h->dims[dim] = (uint32_t)length;
        h->count *= length;
    }
    if (h->count > 0 && has_other_bound) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "array lower bounds other than 1 are not supported");
    }
    return STRATA_OK;
}

static int recv_array(SqlType type, Cursor *c, Arena *arena, Value *out, Error *err)
{
    TypeId elem = type_array_elem(type.id);
    ArrayHeader h;
    int rc = recv_array_header(elem, c, &h, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* Each element takes at least its 4-byte length: a count the bytes cannot
     * hold is refused before allocating for it. */
    if (h.count > (c->end - c->at) / 4) {
        return short_data(err);
    }
    Value *items = arena_alloc(arena, sizeof(Value) * (size_t)(h.count + 1));
    if (items == NULL) {
        return arena_error(arena, err);
    }
    SqlType elem_type = sql_type_mod(elem, type.typmod);
    for (int64_t index = 0; index < h.count; index++) {
        int64_t length = 0;
        if ((rc = get_be(c, 4, &length, err)) != STRATA_OK) {
            return rc;
        }
        if (length == -1) {
            items[index] = value_null(elem_type);
            continue;
        }
        if (length < -1 || length > c->end - c->at) {
            /* PostgreSQL's array_recv says so with 22P03 (not pq_getmsg's 08P01) */
            return bad_binary(err, "insufficient data left in message");
        }
        Cursor field = {c->at, c->at + length};
        c->at += length;
        if ((rc = recv_value(elem_type, &field, arena, &items[index], err)) != STRATA_OK) {
            return rc;
        }
        if (field.at != field.end) {
            return error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                             "improper binary format in array element %lld",
                             (long long)index + 1);
        }
    }
    out->type = type;
    out->is_null = false;
    return array_encode_dims(elem, items, h.count, h.count > 0 ? (int)h.ndims : 0, h.dims, arena,
                             &out->str, err);
}

/* int2vector / oidvector (PostgreSQL's int2vectorrecv / oidvectorrecv): an
 * array of int2 / oid elements, one dimension, lower bound 0, no NULLs
 * (22P03 `invalid int2vector data` otherwise), kept as the int2[] / bigint[]
 * encoding the vector types have. */
static int recv_vector(SqlType type, Cursor *c, Arena *arena, Value *out, Error *err)
{
    bool is_oid = type.id == TYPE_OIDVECTOR;
    TypeId elem = is_oid ? TYPE_OID : TYPE_INT2;
    const char *invalid = is_oid ? "invalid oidvector data" : "invalid int2vector data";
    int64_t ndims = 0, flags = 0, elem_oid = 0, length = 0, lower = 0;
    int rc = get_be(c, 4, &ndims, err);
    rc = rc == STRATA_OK ? get_be(c, 4, &flags, err) : rc;
    rc = rc == STRATA_OK ? get_be(c, 4, &elem_oid, err) : rc;
    if (rc != STRATA_OK) {
        return rc;
    }
    if (flags != 0 && flags != 1) {
        return bad_binary(err, "invalid array flags");
    }
    if ((uint32_t)elem_oid != type_oid(elem) && (uint32_t)elem_oid < 10000) {
        TypeId given;
        return error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                         "binary data has array element type %u (%s) instead of expected %u (%s)",
                         (uint32_t)elem_oid,
                         type_from_oid((uint32_t)elem_oid, &given) ? type_id_name(given) : "???",
                         type_oid(elem), type_id_name(elem));
    }
    if (ndims != 1) {
        return bad_binary(err, invalid);
    }
    rc = get_be(c, 4, &length, err);
    rc = rc == STRATA_OK ? get_be(c, 4, &lower, err) : rc;
    if (rc != STRATA_OK) {
        return rc;
    }
    if (length < 0 || length > LIMIT_ARRAY_ELEMENTS) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "array size exceeds the maximum allowed (%d)", LIMIT_ARRAY_ELEMENTS);
    }
    if (length == 0 || lower != 0) {
        return bad_binary(err, invalid); /* an empty one has no dimension in PostgreSQL */
    }
    if (length > (c->end - c->at) / 4) {
        return short_data(err);
    }
    Value *items = arena_alloc(arena, sizeof(Value) * (size_t)(length + 1));
    if (items == NULL) {
        return arena_error(arena, err);
    }
    for (int64_t index = 0; index < length; index++) {
        int64_t size = 0;
        if ((rc = get_be(c, 4, &size, err)) != STRATA_OK) {
            return rc;
        }
        if (size == -1) {
            return bad_binary(err, invalid);
        }
        if (size < -1 || size > c->end - c->at) {
            return bad_binary(err, "insufficient data left in message");
        }
        Cursor field = {c->at, c->at + size};
        c->at += size;
        if ((rc = recv_value(sql_type(elem), &field, arena, &items[index], err)) != STRATA_OK) {
            return rc;
        }
        if (field.at != field.end) {
            return error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                             "improper binary format in array element %lld",
                             (long long)index + 1);
        }
        items[index].type = sql_type(is_oid ? TYPE_INT8 : TYPE_INT2);
    }
    TypeId stored = type_array_elem(type_vector_array(type.id));
    uint32_t dims[1] = {(uint32_t)length};
    out->type = sql_type(type.id);
    out->is_null = false;
    return array_encode_dims(stored, items, length, 1, dims, arena, &out->str, err);
}

/* Text-like types: the rest of the bytes, UTF-8, typmod applied. */
static int recv_text(SqlType type, Cursor *c, Arena *arena, Value *out, Error *err)
{
    size_t length = (size_t)(c->end - c->at);
    const uint8_t *bytes = c->at;
    c->at = c->end;
    if (type.id == TYPE_JSONB) {
        if (length == 0) {
            return short_data(err);
        }
        if (bytes[0] != 1) {
            return error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                             "unsupported jsonb version number %d", bytes[0]);
        }
        bytes++;
        length--;
    }
    int rc = check_utf8(bytes, length, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (type.id == TYPE_JSONB || type.id == TYPE_JSON || type.id == TYPE_ENUM) {
        return value_parse(type, (const char *)bytes, length, arena, out, err);
    }
    char *copy = arena_alloc(arena, length + 1);
    if (copy == NULL) {
        return arena_error(arena, err);
    }
    memcpy(copy, bytes, length);
    copy[length] = '\0';
    *out = value_str(type.id, copy, (uint32_t)length);
    out->type = type;
    return type.typmod >= 0 ? value_apply_typmod(out, type, false, arena, err) : STRATA_OK;
}

static int range_error(const char *what, Error *err)
{
    return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "%s out of range", what);
}

/* Fixed-size types whose value is one integer. */
static int recv_integer(SqlType type, Cursor *c, Arena *arena, Value *out, Error *err)
{
    int bytes = type.id == TYPE_INT2                                               ? 2
                : type.id == TYPE_INT4 || type.id == TYPE_DATE || type.id == TYPE_OID ? 4
                                                                                       : 8;
    int64_t value = 0;
    int rc = get_be(c, bytes, &value, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (type.id == TYPE_OID) {
        value = (int64_t)(uint32_t)value; /* unsigned */
    } else if (type.id == TYPE_DATE) {
        value = value == INT32_MIN ? DATETIME_NOBEGIN : value == INT32_MAX ? DATETIME_NOEND : value;
        if (DATETIME_IS_FINITE(value) && (value < PG_DATE_MIN || value > PG_DATE_MAX)) {
            return range_error("date", err);
        }
    } else if (type.id == TYPE_TIME && (value < 0 || value > USECS_PER_DAY)) {
        return range_error("time", err);
    } else if ((type.id == TYPE_TIMESTAMP || type.id == TYPE_TIMESTAMPTZ) &&
               DATETIME_IS_FINITE(value) &&
               (value < PG_TIMESTAMP_MIN || value >= PG_TIMESTAMP_END)) {
        return range_error("timestamp", err);
    }
    *out = value_i64(type.id, value);
    out->type = type;
    if (type.typmod >= 0 && (type.id == TYPE_TIME || type.id == TYPE_TIMESTAMP ||
                             type.id == TYPE_TIMESTAMPTZ)) {
        return value_apply_typmod(out, type, false, arena, err);
    }
    return STRATA_OK;
}

static int recv_value(SqlType type, Cursor *c, Arena *arena, Value *out, Error *err)
{
    int64_t word = 0;
    int rc;
    switch (type.id) {
    case TYPE_BOOL:
        if ((rc = get_be(c, 1, &word, err)) == STRATA_OK) {
            *out = value_bool(word != 0);
        }
        return rc;
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_OID:
    case TYPE_DATE:
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        return recv_integer(type, c, arena, out, err);
    case TYPE_FLOAT4:
    case TYPE_FLOAT8: {
        int bytes = type.id == TYPE_FLOAT4 ? 4 : 8;
        if ((rc = get_be(c, bytes, &word, err)) != STRATA_OK) {
            return rc;
        }
        double value;
        if (bytes == 4) {
            uint32_t bits = (uint32_t)word;
            float small;
            memcpy(&small, &bits, 4);
            value = small;
        } else {
            memcpy(&value, &word, 8);
        }
        *out = value_f64(value);
        out->type = type;
        return STRATA_OK;
    }
    case TYPE_INTERVAL: {
        int64_t days = 0, months = 0;
        rc = get_be(c, 8, &word, err);
        rc = rc == STRATA_OK ? get_be(c, 4, &days, err) : rc;
        rc = rc == STRATA_OK ? get_be(c, 4, &months, err) : rc;
        if (rc == STRATA_OK) {
            *out = (Value){.type = type};
            out->iv = (Interval){(int32_t)months, (int32_t)days, word};
        }
        return rc;
    }
    case TYPE_UUID:
        if (c->end - c->at < 16) {
            return short_data(err);
        }
        *out = (Value){.type = type};
        memcpy(out->uuid.bytes, c->at, 16);
        c->at += 16;
        return STRATA_OK;
    case TYPE_BYTEA: {
        size_t length = (size_t)(c->end - c->at);
        char *copy = arena_alloc(arena, length + 1);
        if (copy == NULL) {
            return arena_error(arena, err);
        }
        memcpy(copy, c->at, length);
        copy[length] = '\0';
        c->at = c->end;
        *out = value_str(TYPE_BYTEA, copy, (uint32_t)length);
        return STRATA_OK;
    }
    case TYPE_NUMERIC:
        return recv_numeric(type, c, arena, out, err);
    case TYPE_UNKNOWN:
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_JSON:
    case TYPE_JSONB:
    case TYPE_ENUM:
        return recv_text(type, c, arena, out, err);
    default:
        if (type_is_array(type.id)) {
            return recv_array(type, c, arena, out, err);
        }
        if (type_vector_array(type.id) != TYPE_COUNT) {
            return recv_vector(type, c, arena, out, err);
        }
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "binary input format is not supported for type %s",
                         type_id_name(type.id));
    }
}

int pg_binary_recv(SqlType type, const uint8_t *data, size_t length, Arena *arena, Value *out,
                   Error *err)
{
    Cursor c = {data, data + length};
    int rc = recv_value(type, &c, arena, out, err);
    if (rc == STRATA_OK && c.at != c.end) {
        return bad_binary(err, "incorrect binary data format");
    }
    return rc;
}
