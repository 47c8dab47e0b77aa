/*
 * types/batch.h - the Batch: the unit of data between access methods and
 * operators (DESIGN.md, contract 1).
 *
 * A Batch is a set of typed column vectors of the same length (row_count, at
 * most its capacity, normally BATCH_CAPACITY), an optional NULL mask per
 * vector and an optional selection vector. Access methods produce batches;
 * every executor operator consumes and produces batches. A point query gives
 * a batch of one row.
 *
 * Invariants
 *   1. columns[c].data has room for capacity rows of the column's physical kind.
 *   2. columns[c].nulls is NULL (no NULLs in this batch) or holds capacity bytes,
 *      1 = NULL. The data slot of a NULL row holds zeros and must not be read.
 *   3. selection == NULL means rows 0..row_count-1 are all active; otherwise
 *      selection[0..selected_count-1] are the active row indexes, strictly
 *      increasing, each < row_count.
 *   4. String data (StrRef) of a batch is owned by batch->arena (reset by
 *      batch_reset) unless the producer documents a longer lifetime.
 *
 * Threads: a batch belongs to one thread.
 */
#ifndef STRATA_TYPES_BATCH_H
#define STRATA_TYPES_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"

#define BATCH_CAPACITY 2048
_Static_assert(BATCH_CAPACITY <= UINT16_MAX + 1, "selection entries are uint16_t");

typedef struct Vector {
    SqlType type;
    uint8_t *nulls; /* NULL = no NULLs; else one byte per row, 1 = NULL */
    union {
        void *data;
        bool *b;
        int64_t *i64;
        double *f64;
        Decimal *dec;
        StrRef *str;
        Interval *iv;
        Uuid *uuid;
    };
} Vector;

typedef struct Batch {
    int column_count;
    int capacity;
    int row_count;
    Vector *columns;
    uint16_t *selection;  /* NULL = all rows active */
    int selected_count;
    Arena *arena;         /* owns string data; child of the arena given to batch_create */
} Batch;

/* Creates a batch of the given column types with room for capacity rows
 * (0 = BATCH_CAPACITY). Everything lives in a child arena of arena.
 * Returns NULL when memory runs out (arena_failed(arena) is then true). */
Batch *batch_create(Arena *arena, const SqlType *types, int column_count, int capacity);

/* As batch_create, but the data vectors are not zeroed (zeroing a full batch
 * costs more than a point query's whole lookup). Only for batches whose rows
 * are all written through batch_set_value / batch_set_null / batch_append_row
 * before being read, which keeps invariant 2. */
Batch *batch_create_unzeroed(Arena *arena, const SqlType *types, int column_count, int capacity);

/* Empties the batch: row_count 0, no selection, no NULL masks, string arena reset. */
void batch_reset(Batch *batch);

/* Number of active rows (selected_count if a selection is set, else row_count). */
static inline int batch_active_count(const Batch *batch)
{
    return batch->selection != NULL ? batch->selected_count : batch->row_count;
}

/* Row index of the i-th active row. */
static inline int batch_active_row(const Batch *batch, int i)
{
    return batch->selection != NULL ? batch->selection[i] : i;
}

static inline bool vector_is_null(const Vector *vector, int row)
{
    return vector->nulls != NULL && vector->nulls[row] != 0;
}

/* Marks row NULL, allocating the mask from the batch arena on first use.
 * Returns false when memory runs out. */
bool batch_set_null(Batch *batch, int column, int row);

/* Reads row `row` of column `column` as a Value (strings borrowed from the batch). */
void batch_get_value(const Batch *batch, int column, int row, Value *out);

/* Writes value into row `row` of column `column`; string bytes are copied into
 * the batch arena, followed by a NUL byte not counted in the length (so the C
 * API hands text out of its result batch without another copy). The value's
 * physical kind must match the column's. Returns false when memory runs out. */
bool batch_set_value(Batch *batch, int column, int row, const Value *value);

/* Appends one row (values[column_count]) at row_count. Returns false when the
 * batch is full or memory runs out. */
bool batch_append_row(Batch *batch, const Value *values);

/* As batch_append_row, but string values are not copied: the batch borrows
 * the bytes (not NUL-terminated), which must outlive every read of the row.
 * For a row handed straight to an access method (an INSERT's one row). */
bool batch_append_row_borrowed(Batch *batch, const Value *values);

/* Copies active rows into a compact batch without selection (dst must have the
 * same column types and room). Strings are copied into dst's arena. */
bool batch_compact_into(const Batch *src, Batch *dst);

#endif
