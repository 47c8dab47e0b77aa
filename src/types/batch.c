/*
 * types/batch.c - Batch construction and value access (see batch.h).
 */
#include "types/batch.h"

#include <string.h>

#include "util/assert.h"

static Batch *create(Arena *arena, const SqlType *types, int column_count, int capacity,
                     bool zero)
{
    if (capacity <= 0) {
        capacity = BATCH_CAPACITY;
    }
    Arena *own = arena_create(arena, 0, "batch");
    if (own == NULL) {
        return NULL;
    }
    Batch *batch = arena_zalloc(arena, sizeof *batch);
    Vector *columns = arena_zalloc(arena, sizeof(Vector) * (size_t)(column_count > 0 ? column_count : 1));
    if (batch == NULL || columns == NULL) {
        return NULL;
    }
    batch->column_count = column_count;
    batch->capacity = capacity;
    batch->columns = columns;
    batch->arena = own;
    for (int col = 0; col < column_count; col++) {
        columns[col].type = types[col];
        size_t width = (size_t)phys_width(type_phys(types[col].id));
        size_t bytes = width * (size_t)capacity;
        columns[col].data = zero ? arena_zalloc(arena, bytes) : arena_alloc(arena, bytes);
        if (columns[col].data == NULL) {
            return NULL;
        }
    }
    return batch;
}

Batch *batch_create(Arena *arena, const SqlType *types, int column_count, int capacity)
{
    return create(arena, types, column_count, capacity, true);
}

Batch *batch_create_unzeroed(Arena *arena, const SqlType *types, int column_count, int capacity)
{
    return create(arena, types, column_count, capacity, false);
}

void batch_reset(Batch *batch)
{
    batch->row_count = 0;
    batch->selection = NULL;
    batch->selected_count = 0;
    for (int col = 0; col < batch->column_count; col++) {
        batch->columns[col].nulls = NULL;
    }
    arena_reset(batch->arena);
}

bool batch_set_null(Batch *batch, int column, int row)
{
    Vector *vector = &batch->columns[column];
    if (vector->nulls == NULL) {
        vector->nulls = arena_zalloc(batch->arena, (size_t)batch->capacity);
        if (vector->nulls == NULL) {
            return false;
        }
    }
    vector->nulls[row] = 1;
    size_t width = (size_t)phys_width(type_phys(vector->type.id));
    memset((char *)vector->data + width * (size_t)row, 0, width);
    return true;
}

void batch_get_value(const Batch *batch, int column, int row, Value *out)
{
    const Vector *vector = &batch->columns[column];
    memset(out, 0, sizeof *out);
    out->type = vector->type;
    if (vector_is_null(vector, row)) {
        out->is_null = true;
        return;
    }
    switch (type_phys(vector->type.id)) {
    case PHYS_BOOL:
        out->b = vector->b[row];
        break;
    case PHYS_I64:
        out->i64 = vector->i64[row];
        break;
    case PHYS_F64:
        out->f64 = vector->f64[row];
        break;
    case PHYS_DECIMAL:
        out->dec = vector->dec[row];
        break;
    case PHYS_STRING:
        out->str = vector->str[row];
        break;
    case PHYS_INTERVAL:
        out->iv = vector->iv[row];
        break;
    case PHYS_UUID:
        out->uuid = vector->uuid[row];
        break;
    }
}

bool batch_set_value(Batch *batch, int column, int row, const Value *value)
{
    Vector *vector = &batch->columns[column];
    ST_ASSERT(row < batch->capacity);
    if (value->is_null) {
        return batch_set_null(batch, column, row);
    }
    if (vector->nulls != NULL) {
        vector->nulls[row] = 0;
    }
    switch (type_phys(vector->type.id)) {
    case PHYS_BOOL:
        vector->b[row] = value->b;
        break;
    case PHYS_I64:
        vector->i64[row] = value->i64;
        break;
    case PHYS_F64:
        vector->f64[row] = value->f64;
        break;
    case PHYS_DECIMAL:
        vector->dec[row] = value->dec;
        if (value->dec.flags == DECIMAL_BIG && value->dec.big.len > 0) {
            /* a big numeric's bytes are copied like a string's */
            uint8_t *copy = arena_memdup(batch->arena, value->dec.big.mag, value->dec.big.len);
            if (copy == NULL) {
                return false;
            }
            vector->dec[row].big.mag = copy;
        }
        break;
    case PHYS_STRING: {
        char *copy = NULL;
        if (value->str.len > 0) {
            /* One byte more for a NUL (batch.h): the C API hands text out as is. */
            copy = arena_alloc(batch->arena, (size_t)value->str.len + 1);
            if (copy == NULL) {
                return false;
            }
            memcpy(copy, value->str.ptr, value->str.len);
            copy[value->str.len] = '\0';
        }
        vector->str[row].ptr = copy != NULL ? copy : "";
        vector->str[row].len = value->str.len;
        break;
    }
    case PHYS_INTERVAL:
        vector->iv[row] = value->iv;
        break;
    case PHYS_UUID:
        vector->uuid[row] = value->uuid;
        break;
    }
    return true;
}

bool batch_append_row(Batch *batch, const Value *values)
{
    if (batch->row_count >= batch->capacity) {
        return false;
    }
    int row = batch->row_count;
    for (int col = 0; col < batch->column_count; col++) {
        if (!batch_set_value(batch, col, row, &values[col])) {
            return false;
        }
    }
    batch->row_count++;
    return true;
}

bool batch_append_row_borrowed(Batch *batch, const Value *values)
{
    if (batch->row_count >= batch->capacity) {
        return false;
    }
    int row = batch->row_count;
    for (int col = 0; col < batch->column_count; col++) {
        Vector *vector = &batch->columns[col];
        if (values[col].is_null || type_phys(vector->type.id) != PHYS_STRING) {
            if (!batch_set_value(batch, col, row, &values[col])) {
                return false;
            }
            continue;
        }
        if (vector->nulls != NULL) {
            vector->nulls[row] = 0;
        }
        vector->str[row].ptr = values[col].str.len > 0 ? values[col].str.ptr : "";
        vector->str[row].len = values[col].str.len;
    }
    batch->row_count++;
    return true;
}

bool batch_compact_into(const Batch *src, Batch *dst)
{
    ST_ASSERT(src->column_count == dst->column_count);
    int count = batch_active_count(src);
    if (dst->row_count + count > dst->capacity) {
        return false;
    }
    Value value;
    for (int i = 0; i < count; i++) {
        int row = batch_active_row(src, i);
        for (int col = 0; col < src->column_count; col++) {
            batch_get_value(src, col, row, &value);
            if (!batch_set_value(dst, col, dst->row_count, &value)) {
                return false;
            }
        }
        dst->row_count++;
    }
    return true;
}
