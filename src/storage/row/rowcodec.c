/*
 * storage/row/rowcodec.c - the row encoding (format in rowcodec.h).
 *
 * Decoding walks the fields once, recording where each column starts, then
 * materializes only the requested columns. Every length is checked against
 * the buffer: rows come from disk.
 */
#include "storage/row/rowcodec.h"

#include <string.h>

#include "util/limits.h"

static size_t put_varint(uint8_t *out, uint64_t value)
{
    size_t len = 0;
    while (value >= 0x80) {
        out[len++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    out[len++] = (uint8_t)value;
    return len;
}

static void put_le(uint8_t *out, uint64_t value, int bytes)
{
    for (int pos = 0; pos < bytes; pos++) {
        out[pos] = (uint8_t)(value >> (8 * pos));
    }
}

static uint64_t get_le(const uint8_t *in, int bytes)
{
    uint64_t value = 0;
    for (int pos = 0; pos < bytes; pos++) {
        value |= (uint64_t)in[pos] << (8 * pos);
    }
    return value;
}

static size_t encode_field(const Value *value, uint8_t *out)
{
    switch (type_phys(value->type.id)) {
    case PHYS_BOOL:
        out[0] = value->b ? 1 : 0;
        return 1;
    case PHYS_I64:
        put_le(out, (uint64_t)value->i64, 8);
        return 8;
    case PHYS_F64: {
        uint64_t bits;
        memcpy(&bits, &value->f64, 8);
        put_le(out, bits, 8);
        return 8;
    }
    case PHYS_DECIMAL: {
        unsigned __int128 coef = (unsigned __int128)value->dec.coef;
        put_le(out, (uint64_t)coef, 8);
        put_le(out + 8, (uint64_t)(coef >> 64), 8);
        put_le(out + 16, (uint16_t)value->dec.scale, 2);
        out[18] = value->dec.flags;
        return 19;
    }
    case PHYS_STRING: {
        size_t len = put_varint(out, value->str.len);
        if (value->str.len > 0) {
            memcpy(out + len, value->str.ptr, value->str.len);
        }
        return len + value->str.len;
    }
    case PHYS_INTERVAL:
        put_le(out, (uint32_t)value->iv.months, 4);
        put_le(out + 4, (uint32_t)value->iv.days, 4);
        put_le(out + 8, (uint64_t)value->iv.micros, 8);
        return 16;
    case PHYS_UUID:
        memcpy(out, value->uuid.bytes, 16);
        return 16;
    }
    return 0;
}

int rowcodec_encode(Arena *arena, const Value *values, int count, uint8_t **out,
                    size_t *out_len, Error *err)
{
    if (count > LIMIT_COLUMNS) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "tables can have at most %d columns", LIMIT_COLUMNS);
    }
    size_t bitmap = ((size_t)count + 7) / 8;
    size_t size = 3 + bitmap;
    for (int col = 0; col < count; col++) {
        if (!values[col].is_null) {
            PhysKind kind = type_phys(values[col].type.id);
            size += kind == PHYS_STRING ? 10 + (size_t)values[col].str.len : phys_serialized_size(kind);
        }
    }
    uint8_t *buf = arena_zalloc(arena, size);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    buf[0] = ROWCODEC_FORMAT_V1;
    put_le(buf + 1, (uint64_t)count, 2);
    size_t len = 3 + bitmap;
    for (int col = 0; col < count; col++) {
        if (values[col].is_null) {
            buf[3 + col / 8] |= (uint8_t)(1u << (col % 8));
        } else {
            len += encode_field(&values[col], buf + len);
        }
    }
    *out = buf;
    *out_len = len;
    return STRATA_OK;
}

/* Length of the field at data[pos..len) of the given kind, or 0 when it does
 * not fit. Inlined into both decode loops: as a call it cost as much as the
 * walk it serves (a range scan decodes every row it returns). */
__attribute__((always_inline)) static inline size_t
field_size(const uint8_t *data, size_t len, size_t pos, PhysKind kind, size_t *header)
{
    *header = 0;
    if (kind != PHYS_STRING) {
        size_t width = phys_serialized_size(kind);
        return pos + width <= len ? width : 0;
    }
    uint64_t value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (pos + *header >= len) {
            return 0;
        }
        uint8_t byte = data[pos + (*header)++];
        value |= (uint64_t)(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) {
            if (value > UINT32_MAX || value > len - pos - *header) {
                return 0;
            }
            return *header + (size_t)value;
        }
    }
    return 0;
}

__attribute__((always_inline)) static inline void
decode_field(const uint8_t *field, size_t header, size_t size, PhysKind kind, Value *out)
{
    switch (kind) {
    case PHYS_BOOL:
        out->b = field[0] != 0;
        break;
    case PHYS_I64:
        out->i64 = (int64_t)get_le(field, 8);
        break;
    case PHYS_F64: {
        uint64_t bits = get_le(field, 8);
        memcpy(&out->f64, &bits, 8);
        break;
    }
    case PHYS_DECIMAL: {
        unsigned __int128 coef = (unsigned __int128)get_le(field + 8, 8) << 64;
        coef |= get_le(field, 8);
        out->dec.coef = (__int128)coef;
        out->dec.scale = (int16_t)get_le(field + 16, 2);
        out->dec.flags = field[18];
        break;
    }
    case PHYS_STRING:
        out->str.ptr = (const char *)field + header;
        out->str.len = (uint32_t)(size - header);
        break;
    case PHYS_INTERVAL:
        out->iv.months = (int32_t)get_le(field, 4);
        out->iv.days = (int32_t)get_le(field + 4, 4);
        out->iv.micros = (int64_t)get_le(field + 8, 8);
        break;
    case PHYS_UUID:
        memcpy(out->uuid.bytes, field, 16);
        break;
    }
}

/* rowcodec_decode's common case, columns in increasing order (scans ask for
 * them so): one walk over the fields, matching the next wanted column,
 * instead of searching the wanted list at every field. out[] is set to NULLs. */
static int decode_ascending(const uint8_t *data, size_t len, size_t pos, int stored,
                            const SqlType *types, const int *columns, int column_count, Value *out,
                            Error *err)
{
    int want = 0;
    for (int col = 0; col < stored && want < column_count; col++) {
        bool is_wanted = columns[want] == col;
        if (data[3 + col / 8] & (1u << (col % 8))) {
            want += is_wanted;
            continue;
        }
        PhysKind kind = type_phys(types[col].id);
        size_t header;
        size_t size = field_size(data, len, pos, kind, &header);
        if (size == 0) {
            return error_corrupt(err, "row field %d runs past the end of the row", col + 1);
        }
        if (is_wanted) {
            out[want].is_null = false;
            decode_field(data + pos, header, size, kind, &out[want]);
            want++;
        }
        pos += size;
    }
    return STRATA_OK;
}

int rowcodec_decode(const uint8_t *data, size_t len, const SqlType *types, int type_count,
                    const int *columns, int column_count, Value *out, Error *err)
{
    if (len < 3 || data[0] != ROWCODEC_FORMAT_V1) {
        return error_corrupt(err, "row has an unknown format (%zu bytes, format 0x%02x)", len,
                             len > 0 ? data[0] : 0);
    }
    int stored = (int)get_le(data + 1, 2);
    size_t bitmap = ((size_t)stored + 7) / 8;
    if (stored > type_count || 3 + bitmap > len) {
        return error_corrupt(err, "row has %d columns, its table %d", stored, type_count);
    }
    int wanted_max = -1;
    bool ascending = true;
    for (int out_col = 0; out_col < column_count; out_col++) {
        out[out_col] = value_null(types[columns[out_col]]);
        ascending = ascending && columns[out_col] > wanted_max;
        if (columns[out_col] > wanted_max) {
            wanted_max = columns[out_col];
        }
    }
    size_t pos = 3 + bitmap;
    if (ascending) {
        return decode_ascending(data, len, pos, stored, types, columns, column_count, out, err);
    }
    for (int col = 0; col < stored && col <= wanted_max; col++) {
        if (data[3 + col / 8] & (1u << (col % 8))) {
            continue;
        }
        PhysKind kind = type_phys(types[col].id);
        size_t header;
        size_t size = field_size(data, len, pos, kind, &header);
        if (size == 0) {
            return error_corrupt(err, "row field %d runs past the end of the row", col + 1);
        }
        for (int out_col = 0; out_col < column_count; out_col++) {
            if (columns[out_col] == col) {
                out[out_col].is_null = false;
                decode_field(data + pos, header, size, kind, &out[out_col]);
            }
        }
        pos += size;
    }
    return STRATA_OK;
}
