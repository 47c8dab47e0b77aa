/*
 * storage/row/rowcodec.c - the row encoding (format in rowcodec.h).
 *
 * Decoding walks the fields once, recording where each column starts, then
 * materializes only the requested columns. Every length is checked against
 * the buffer: rows come from disk.
 */
#include "storage/row/rowcodec.h"

#include <string.h>

#include "types/batch.h"
#include "types/numeric.h"
#include "util/assert.h"
#include "util/limits.h"
#include "util/varint.h"

/* Reads a LEB128 varint of at most max_bytes at data[pos..len); its byte count, 0 when it
 * does not end inside the buffer or within max_bytes. */
static size_t get_varint(const uint8_t *data, size_t len, size_t pos, int max_bytes,
                         uint64_t *value)
{
    *value = 0;
    for (int count = 0; count < max_bytes && pos + (size_t)count < len; count++) {
        uint8_t byte = data[pos + (size_t)count];
        *value |= (uint64_t)(byte & 0x7F) << (7 * count);
        if ((byte & 0x80) == 0) {
            return (size_t)count + 1;
        }
    }
    return 0;
}

static void put_le(uint8_t *out, uint64_t value, int bytes)
{
    for (int pos = 0; pos < bytes; pos++) {
        out[pos] = (uint8_t)(value >> (8 * pos));
    }
}

static uint64_t get_le(const uint8_t *in, int bytes)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bytes == 8) {
        uint64_t word;
        memcpy(&word, in, 8);
        return word;
    }
#endif
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
        return varint_put(out, zigzag_encode(value->i64));
    case PHYS_F64: {
        uint64_t bits;
        memcpy(&bits, &value->f64, 8);
        put_le(out, bits, 8);
        return 8;
    }
    case PHYS_DECIMAL:
        return numeric_serialize(&value->dec, out); /* 19 bytes, more for a big value */
    case PHYS_STRING: {
        size_t len = varint_put(out, value->str.len);
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
    size_t size = 1 + ROWCODEC_VARINT_MAX + bitmap;
    for (int col = 0; col < count; col++) {
        if (!values[col].is_null) {
            PhysKind kind = type_phys(values[col].type.id);
            size += kind == PHYS_STRING    ? 10 + (size_t)values[col].str.len
                    : kind == PHYS_I64     ? ROWCODEC_VARINT_MAX
                    : kind == PHYS_DECIMAL ? numeric_serialized_size(&values[col].dec)
                                           : phys_serialized_size(kind);
        }
    }
    uint8_t *buf = arena_alloc(arena, size);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    buf[0] = ROWCODEC_FORMAT_V2;
    size_t bitmap_at = 1 + varint_put(buf + 1, (uint64_t)count);
    memset(buf + bitmap_at, 0, bitmap); /* only the NULL bitmap needs zeros */
    size_t len = bitmap_at + bitmap;
    for (int col = 0; col < count; col++) {
        if (values[col].is_null) {
            buf[bitmap_at + col / 8] |= (uint8_t)(1u << (col % 8));
        } else {
            len += encode_field(&values[col], buf + len);
        }
    }
    *out = buf;
    *out_len = len;
    return STRATA_OK;
}

/* A field's bytes at most (0 for a NULL), for a vector cell. */
static size_t cell_size_max(const Vector *v, PhysKind kind, int row)
{
    switch (kind) {
    case PHYS_BOOL:
        return 1;
    case PHYS_I64:
        return ROWCODEC_VARINT_MAX;
    case PHYS_STRING:
        return 10 + (size_t)v->str[row].len;
    case PHYS_DECIMAL:
        return numeric_serialized_size(&v->dec[row]);
    default:
        return phys_serialized_size(kind);
    }
}

int rowcodec_encode_batch_row(Arena *arena, const Batch *batch, const SqlType *types, int count,
                              int row, uint8_t **out, size_t *out_len, Error *err)
{
    ST_ASSERT(count <= batch->column_count);
    if (count > LIMIT_COLUMNS) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "tables can have at most %d columns", LIMIT_COLUMNS);
    }
    uint8_t kinds[LIMIT_COLUMNS]; /* PhysKind per column */
    size_t bitmap = ((size_t)count + 7) / 8;
    size_t size = 1 + ROWCODEC_VARINT_MAX + bitmap;
    for (int col = 0; col < count; col++) {
        const Vector *v = &batch->columns[col];
        kinds[col] = type_phys(types[col].id);
        ST_ASSERT(kinds[col] == type_phys(v->type.id));
        size += vector_is_null(v, row) ? 0 : cell_size_max(v, kinds[col], row);
    }
    uint8_t *buf = arena_alloc(arena, size);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    buf[0] = ROWCODEC_FORMAT_V2;
    size_t bitmap_at = 1 + varint_put(buf + 1, (uint64_t)count);
    memset(buf + bitmap_at, 0, bitmap);
    size_t len = bitmap_at + bitmap;
    for (int col = 0; col < count; col++) {
        const Vector *v = &batch->columns[col];
        if (vector_is_null(v, row)) {
            buf[bitmap_at + col / 8] |= (uint8_t)(1u << (col % 8));
        } else if (kinds[col] == PHYS_I64) {
            len += varint_put(buf + len, zigzag_encode(v->i64[row]));
        } else if (kinds[col] == PHYS_STRING) {
            StrRef str = v->str[row];
            len += varint_put(buf + len, str.len);
            if (str.len > 0) {
                memcpy(buf + len, str.ptr, str.len);
            }
            len += str.len;
        } else {
            Value value;
            batch_get_value(batch, col, row, &value);
            value.type = types[col];
            len += encode_field(&value, buf + len);
        }
    }
    *out = buf;
    *out_len = len;
    return STRATA_OK;
}

/* Length of the field at data[pos..len) of the given kind, or 0 when it does not fit.
 * Format 2 integers are varints: *header = their length, the whole field. */
__attribute__((always_inline)) static inline size_t field_size(const uint8_t *data, size_t len, size_t pos, PhysKind kind,
                                int format, size_t *header)
{
    *header = 0;
    if (kind == PHYS_I64 && format == ROWCODEC_FORMAT_V2) {
        uint64_t ignored;
        *header = get_varint(data, len, pos, ROWCODEC_VARINT_MAX, &ignored);
        return *header;
    }
    if (kind == PHYS_DECIMAL && pos + NUMERIC_SERIALIZED_FIXED <= len &&
        data[pos + NUMERIC_SERIALIZED_FIXED - 1] == DECIMAL_BIG) {
        /* a big numeric: its magnitude follows the 19 bytes (numeric.h) */
        Decimal ignored;
        return numeric_deserialize(data + pos, len - pos, &ignored);
    }
    if (kind != PHYS_STRING) {
        size_t width = phys_serialized_size(kind);
        return pos + width <= len ? width : 0;
    }
    if (pos < len && data[pos] < 0x80) {
        /* A string under 128 bytes: a one-byte length. */
        *header = 1;
        return data[pos] <= len - pos - 1 ? 1 + (size_t)data[pos] : 0;
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

__attribute__((always_inline)) static inline void decode_field(const uint8_t *field, size_t header, size_t size, PhysKind kind,
                                int format, Value *out)
{
    switch (kind) {
    case PHYS_BOOL:
        out->b = field[0] != 0;
        break;
    case PHYS_I64:
        if (format == ROWCODEC_FORMAT_V2) {
            uint64_t value;
            get_varint(field, size, 0, ROWCODEC_VARINT_MAX, &value);
            out->i64 = zigzag_decode(value);
        } else {
            out->i64 = (int64_t)get_le(field, 8);
        }
        break;
    case PHYS_F64: {
        uint64_t bits = get_le(field, 8);
        memcpy(&out->f64, &bits, 8);
        break;
    }
    case PHYS_DECIMAL: {
        if (field[18] == DECIMAL_BIG) {
            numeric_deserialize(field, size, &out->dec); /* checked by field_size */
            break;
        }
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

/* The row's format, stored column count and null bitmap offset. */
static int row_header(const uint8_t *data, size_t len, int type_count, int *format, int *stored,
                      size_t *bitmap_at, Error *err)
{
    *format = len > 0 ? data[0] : 0;
    uint64_t stored64 = 0;
    *bitmap_at = 0;
    if (*format == ROWCODEC_FORMAT_V1 && len >= 3) {
        stored64 = get_le(data + 1, 2);
        *bitmap_at = 3;
    } else if (*format == ROWCODEC_FORMAT_V2) {
        size_t count_len = get_varint(data, len, 1, 3, &stored64);
        *bitmap_at = count_len > 0 ? 1 + count_len : 0;
    }
    if (*bitmap_at == 0) {
        return error_corrupt(err, "row has an unknown format (%zu bytes, format 0x%02x)", len,
                             (unsigned)*format);
    }
    size_t bitmap = ((size_t)stored64 + 7) / 8;
    if (stored64 > (uint64_t)type_count || *bitmap_at + bitmap > len) {
        return error_corrupt(err, "row has %llu columns, its table %d",
                             (unsigned long long)stored64, type_count);
    }
    *stored = (int)stored64;
    return STRATA_OK;
}

int rowcodec_decode(const uint8_t *data, size_t len, const SqlType *types, int type_count,
                    const int *columns, int column_count, Value *out, Error *err)
{
    int format, stored;
    size_t bitmap_at;
    int rc = row_header(data, len, type_count, &format, &stored, &bitmap_at, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t bitmap = ((size_t)stored + 7) / 8;
    int wanted_max = -1;
    bool ascending = true;
    for (int out_col = 0; out_col < column_count; out_col++) {
        memset(&out[out_col], 0, sizeof out[out_col]);
        out[out_col].type = types[columns[out_col]];
        out[out_col].is_null = true;
        ascending = ascending && columns[out_col] > wanted_max;
        if (columns[out_col] > wanted_max) {
            wanted_max = columns[out_col];
        }
    }
    size_t pos = bitmap_at + bitmap;
    if (ascending) {
        /* Ascending projections (a scan's usual case) walk the wanted columns in step. */
        int next = 0;
        for (int col = 0; col < stored && next < column_count; col++) {
            if (data[bitmap_at + col / 8] & (1u << (col % 8))) {
                next += columns[next] == col;
                continue;
            }
            PhysKind kind = type_phys(types[col].id);
            size_t header;
            size_t size = field_size(data, len, pos, kind, format, &header);
            if (size == 0) {
                return error_corrupt(err, "row field %d runs past the end of the row", col + 1);
            }
            if (columns[next] == col) {
                out[next].is_null = false;
                decode_field(data + pos, header, size, kind, format, &out[next]);
                next++;
            }
            pos += size;
        }
        return STRATA_OK;
    }
    for (int col = 0; col < stored && col <= wanted_max; col++) {
        if (data[bitmap_at + col / 8] & (1u << (col % 8))) {
            continue;
        }
        PhysKind kind = type_phys(types[col].id);
        size_t header;
        size_t size = field_size(data, len, pos, kind, format, &header);
        if (size == 0) {
            return error_corrupt(err, "row field %d runs past the end of the row", col + 1);
        }
        for (int out_col = 0; out_col < column_count; out_col++) {
            if (columns[out_col] == col) {
                out[out_col].is_null = false;
                decode_field(data + pos, header, size, kind, format, &out[out_col]);
            }
        }
        pos += size;
    }
    return STRATA_OK;
}

/* The format 2 header of a row with fewer than 128 columns (every table of a
 * few columns): format byte, one-byte count, bitmap. False sends the caller to
 * row_header, which also diagnoses corruption. */
static inline bool row_header_fast(const uint8_t *data, size_t len, int type_count, int *stored,
                                   size_t *bitmap_at)
{
    if (len < 2 || data[0] != ROWCODEC_FORMAT_V2 || data[1] >= 0x80 || data[1] > type_count ||
        2 + ((size_t)data[1] + 7) / 8 > len) {
        return false;
    }
    *stored = data[1];
    *bitmap_at = 2;
    return true;
}

/* Marks row NULL in vector (batch_set_null without the call). */
static inline bool vector_set_null(Batch *out, Vector *vector, PhysKind kind, int row)
{
    if (vector->nulls == NULL) {
        vector->nulls = arena_zalloc(out->arena, (size_t)out->capacity);
        if (vector->nulls == NULL) {
            return false;
        }
    }
    vector->nulls[row] = 1;
    size_t width = (size_t)phys_width(kind);
    memset((char *)vector->data + width * (size_t)row, 0, width);
    return true;
}

/* A string field into the batch: copied into its arena with a NUL after it (batch.h). */
static inline bool vector_set_string(Batch *out, Vector *vector, const uint8_t *bytes, size_t len,
                                     int row)
{
    char *copy = arena_alloc(out->arena, len + 1);
    if (copy == NULL) {
        return false;
    }
    memcpy(copy, bytes, len);
    copy[len] = '\0';
    vector->str[row].ptr = copy;
    vector->str[row].len = (uint32_t)len;
    return true;
}

/* Whether output column `next` is left to the caller. */
static inline bool skipped(uint64_t skip, int next)
{
    return next < 64 && ((skip >> next) & 1) != 0;
}

/* rowcodec_decode_batch, leaving the output columns in skip alone. */
static int decode_batch_skip(const uint8_t *data, size_t len, const SqlType *types,
                             int type_count, const int *columns, int column_count, uint64_t skip,
                             Batch *out, int row, Error *err)
{
    int format = ROWCODEC_FORMAT_V2, stored;
    size_t bitmap_at;
    if (!row_header_fast(data, len, type_count, &stored, &bitmap_at)) {
        int rc = row_header(data, len, type_count, &format, &stored, &bitmap_at, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    size_t pos = bitmap_at + ((size_t)stored + 7) / 8;
    int next = 0;
    for (int col = 0; col < stored && next < column_count; col++) {
        bool wanted = columns[next] == col;
        bool is_null = (data[bitmap_at + col / 8] & (1u << (col % 8))) != 0;
        PhysKind kind = type_phys(types[col].id);
        if (is_null) {
            if (wanted && !skipped(skip, next) &&
                !vector_set_null(out, &out->columns[next], kind, row)) {
                return arena_error(out->arena, err);
            }
            next += wanted;
            continue;
        }
        size_t header, size;
        if (kind == PHYS_I64 && format == ROWCODEC_FORMAT_V2 && pos < len && data[pos] < 0x80) {
            header = size = 1; /* a one-byte varint: an integer in -64..63 */
        } else if (kind == PHYS_STRING && pos < len && data[pos] < 0x80 &&
                   data[pos] <= len - pos - 1) {
            header = 1;
            size = 1 + (size_t)data[pos];
        } else {
            size = field_size(data, len, pos, kind, format, &header);
        }
        if (size == 0) {
            return error_corrupt(err, "row field %d runs past the end of the row", col + 1);
        }
        if (wanted && !skipped(skip, next)) {
            Vector *vector = &out->columns[next];
            if (vector->nulls != NULL) {
                vector->nulls[row] = 0;
            }
            if (kind == PHYS_I64 && type_phys(vector->type.id) == PHYS_I64) {
                Value value = {.type = types[col]};
                decode_field(data + pos, header, size, kind, format, &value);
                vector->i64[row] = value.i64;
            } else if (kind == PHYS_STRING && type_phys(vector->type.id) == PHYS_STRING) {
                if (!vector_set_string(out, vector, data + pos + header, size - header, row)) {
                    return arena_error(out->arena, err);
                }
            } else {
                Value value = {.type = types[col]};
                decode_field(data + pos, header, size, kind, format, &value);
                if (!batch_set_value(out, next, row, &value)) {
                    return arena_error(out->arena, err);
                }
            }
        }
        next += wanted;
        pos += size;
    }
    for (; next < column_count; next++) {
        /* Columns the row does not store (added later) read as NULL. */
        if (!skipped(skip, next) && !batch_set_null(out, next, row)) {
            return arena_error(out->arena, err);
        }
    }
    return STRATA_OK;
}

int rowcodec_decode_batch(const uint8_t *data, size_t len, const SqlType *types, int type_count,
                          const int *columns, int column_count, Batch *out, int row, Error *err)
{
    return decode_batch_skip(data, len, types, type_count, columns, column_count, 0, out, row,
                             err);
}

/* Plan ops: how a stored column's field is stepped over or read. */
enum {
    OP_SKIP_INT,    /* int64 kinds, format 2 varint, not wanted */
    OP_SKIP_STRING, /* a string, not wanted */
    OP_INT,         /* int64 kinds into an int64 vector */
    OP_STRING,      /* a string into a string vector */
    OP_GENERIC,     /* anything else: field_size / decode_field / batch_set_value */
};

int rowcodec_plan_init(Arena *arena, const SqlType *types, int type_count, const int *columns,
                       int column_count, uint64_t skip, RowcodecPlan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->types = types;
    plan->type_count = type_count;
    plan->column_count = column_count;
    plan->walk_count = column_count > 0 ? columns[column_count - 1] + 1 : 0;
    plan->op = arena_alloc(arena, (size_t)plan->walk_count + 1);
    plan->out = arena_alloc(arena, sizeof(int) * ((size_t)plan->walk_count + 1));
    if (plan->op == NULL || plan->out == NULL) {
        return STRATA_NOMEM;
    }
    int next = 0;
    for (int col = 0; col < plan->walk_count; col++) {
        PhysKind kind = type_phys(types[col].id);
        bool wanted = next < column_count && columns[next] == col;
        plan->out[col] = wanted && !skipped(skip, next) ? next : -1;
        next += wanted;
        if (plan->out[col] < 0) {
            plan->op[col] = kind == PHYS_I64      ? OP_SKIP_INT
                            : kind == PHYS_STRING ? OP_SKIP_STRING
                                                  : OP_GENERIC;
        } else {
            plan->op[col] = kind == PHYS_I64      ? OP_INT
                            : kind == PHYS_STRING ? OP_STRING
                                                  : OP_GENERIC;
        }
    }
    return STRATA_OK;
}

/* The general path of one field of a planned decode (other kinds, long
 * varints and strings, format 1 rows). */
static int plan_field_slow(const uint8_t *data, size_t len, size_t *pos, int col, int out_col,
                           int format, const RowcodecPlan *plan, Batch *out, int row, Error *err)
{
    PhysKind kind = type_phys(plan->types[col].id);
    if (kind == PHYS_DECIMAL && *pos + NUMERIC_SERIALIZED_FIXED <= len &&
        data[*pos + NUMERIC_SERIALIZED_FIXED - 1] != DECIMAL_BIG &&
        (out_col < 0 || type_phys(out->columns[out_col].type.id) == PHYS_DECIMAL)) {
        /* a 128-bit numeric straight into its vector: the common case, kept
         * as cheap as before values past 38 digits had their own form */
        if (out_col >= 0) {
            Vector *vector = &out->columns[out_col];
            Value value = {.type = plan->types[col]};
            decode_field(data + *pos, 0, NUMERIC_SERIALIZED_FIXED, kind, format, &value);
            vector->dec[row] = value.dec;
            if (vector->nulls != NULL) {
                vector->nulls[row] = 0;
            }
        }
        *pos += NUMERIC_SERIALIZED_FIXED;
        return STRATA_OK;
    }
    size_t header;
    size_t size = field_size(data, len, *pos, kind, format, &header);
    if (size == 0) {
        return error_corrupt(err, "row field %d runs past the end of the row", col + 1);
    }
    if (out_col >= 0) {
        Vector *vector = &out->columns[out_col];
        Value value = {.type = plan->types[col]};
        decode_field(data + *pos, header, size, kind, format, &value);
        if (kind == PHYS_I64 && type_phys(vector->type.id) == PHYS_I64) {
            vector->i64[row] = value.i64;
            if (vector->nulls != NULL) {
                vector->nulls[row] = 0;
            }
        } else if (!batch_set_value(out, out_col, row, &value)) {
            return arena_error(out->arena, err);
        }
    }
    *pos += size;
    return STRATA_OK;
}

/* Columns the row does not store (added later) read as NULL. */
static int plan_trailing_nulls(const RowcodecPlan *plan, int walk, Batch *out, int row,
                               Error *err)
{
    for (int col = walk; col < plan->walk_count; col++) {
        if (plan->out[col] >= 0 && !batch_set_null(out, plan->out[col], row)) {
            return arena_error(out->arena, err);
        }
    }
    return STRATA_OK;
}

/* The fields of a format 2 row of at most 64 columns: the NULL bitmap read as
 * one word, one-byte varints and lengths handled inline (dimension rows are
 * short strings and small integers), anything else by plan_field_slow. */
static int decode_plan_v2(const uint8_t *data, size_t len, const RowcodecPlan *plan, int walk,
                          const uint8_t *bitmap, size_t pos, Batch *out, int row, Error *err)
{
    uint64_t nulls = 0;
    for (int byte = 0; byte < (walk + 7) / 8; byte++) {
        nulls |= (uint64_t)bitmap[byte] << (8 * byte);
    }
    const uint8_t *ops = plan->op;
    const int *outs = plan->out;
    for (int col = 0; col < walk; col++, nulls >>= 1) {
        int out_col = outs[col];
        if (nulls & 1) {
            if (out_col >= 0 && !vector_set_null(out, &out->columns[out_col],
                                                 type_phys(plan->types[col].id), row)) {
                return arena_error(out->arena, err);
            }
            continue;
        }
        uint8_t first = pos < len ? data[pos] : 0x80;
        uint8_t op = ops[col];
        if (first < 0x80) {
            if (op == OP_SKIP_INT) {
                pos++;
                continue;
            }
            if (op == OP_SKIP_STRING && first <= len - pos - 1) {
                pos += 1 + (size_t)first;
                continue;
            }
            if (op == OP_INT) {
                Vector *vector = &out->columns[out_col];
                vector->i64[row] = zigzag_decode(first);
                if (vector->nulls != NULL) {
                    vector->nulls[row] = 0;
                }
                pos++;
                continue;
            }
            if (op == OP_STRING && first <= len - pos - 1) {
                Vector *vector = &out->columns[out_col];
                if (vector->nulls != NULL) {
                    vector->nulls[row] = 0;
                }
                if (!vector_set_string(out, vector, data + pos + 1, first, row)) {
                    return arena_error(out->arena, err);
                }
                pos += 1 + (size_t)first;
                continue;
            }
        } else if (op == OP_INT || op == OP_SKIP_INT) {
            /* a varint of two bytes or more (ints from 64 up); one that runs
             * past the row falls through to plan_field_slow's error */
            uint64_t value;
            size_t size = get_varint(data, len, pos, ROWCODEC_VARINT_MAX, &value);
            if (size > 0) {
                if (op == OP_INT) {
                    Vector *vector = &out->columns[out_col];
                    vector->i64[row] = zigzag_decode(value);
                    if (vector->nulls != NULL) {
                        vector->nulls[row] = 0;
                    }
                }
                pos += size;
                continue;
            }
        }
        int rc = plan_field_slow(data, len, &pos, col, out_col, ROWCODEC_FORMAT_V2, plan, out,
                                 row, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int rowcodec_decode_plan(const uint8_t *data, size_t len, const RowcodecPlan *plan, Batch *out,
                         int row, Error *err)
{
    int format = ROWCODEC_FORMAT_V2, stored;
    size_t bitmap_at;
    if (!row_header_fast(data, len, plan->type_count, &stored, &bitmap_at)) {
        int rc = row_header(data, len, plan->type_count, &format, &stored, &bitmap_at, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    size_t pos = bitmap_at + ((size_t)stored + 7) / 8;
    int walk = stored < plan->walk_count ? stored : plan->walk_count;
    const uint8_t *bitmap = data + bitmap_at;
    if (format == ROWCODEC_FORMAT_V2 && stored <= 64) {
        int rc = decode_plan_v2(data, len, plan, walk, bitmap, pos, out, row, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        return plan_trailing_nulls(plan, walk, out, row, err);
    }
    for (int col = 0; col < walk; col++) {
        int out_col = plan->out[col];
        if (bitmap[(unsigned)col >> 3] & (1u << ((unsigned)col & 7))) {
            if (out_col >= 0 && !vector_set_null(out, &out->columns[out_col],
                                                 type_phys(plan->types[col].id), row)) {
                return arena_error(out->arena, err);
            }
            continue;
        }
        uint8_t first = pos < len ? data[pos] : 0x80;
        uint8_t op = format == ROWCODEC_FORMAT_V2 || (plan->op[col] != OP_SKIP_INT &&
                                                      plan->op[col] != OP_INT)
                         ? plan->op[col]
                         : OP_GENERIC;
        if (op == OP_SKIP_INT && first < 0x80) {
            pos++;
            continue;
        }
        if (op == OP_SKIP_STRING && first < 0x80 && first <= len - pos - 1) {
            pos += 1 + (size_t)first;
            continue;
        }
        if (op == OP_INT && first < 0x80) {
            Vector *vector = &out->columns[out_col];
            vector->i64[row] = zigzag_decode(first);
            if (vector->nulls != NULL) {
                vector->nulls[row] = 0;
            }
            pos++;
            continue;
        }
        if (op == OP_STRING && first < 0x80 && first <= len - pos - 1) {
            Vector *vector = &out->columns[out_col];
            if (vector->nulls != NULL) {
                vector->nulls[row] = 0;
            }
            if (!vector_set_string(out, vector, data + pos + 1, first, row)) {
                return arena_error(out->arena, err);
            }
            pos += 1 + (size_t)first;
            continue;
        }
        int rc = plan_field_slow(data, len, &pos, col, out_col, format, plan, out, row, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return plan_trailing_nulls(plan, walk, out, row, err);
}
