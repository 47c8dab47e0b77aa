/*
 * storage/row/row_int.h - private to src/storage/row/: key ranges as byte
 * bounds, and formatting keys for error details. Never include from outside.
 */
#ifndef STRATA_STORAGE_ROW_INT_H
#define STRATA_STORAGE_ROW_INT_H

#include "storage/btree/btree.h"
#include "storage/row/keycodec.h"
#include "storage/row/row_am.h"

/* A KeyRange turned into encoded bounds: keys k with low <= k < high. */
typedef struct KeyBounds {
    const uint8_t *low;      /* inclusive; never NULL */
    size_t low_len;
    const uint8_t *high;     /* exclusive; NULL = unbounded */
    size_t high_len;
    bool is_empty;           /* nothing can match */
} KeyBounds;

/* Encodes range (NULL = everything) over the leading key columns with their
 * directions (descending may be NULL). floor is the smallest key the scan may
 * return (skips private entries). Bounds live in arena. */
int row_bounds_make(Arena *arena, const KeyRange *range, const bool *descending,
                    const uint8_t *floor, size_t floor_len, KeyBounds *out, Error *err);

/* Positions cursor on the first entry within bounds in scan order. */
int row_bounds_start(BTreeCursor *cursor, const KeyBounds *bounds, bool reverse, Error *err);

/* True while the cursor's current key is within bounds (cursor must be valid). A
 * forward scan (reverse false) started at the low bound checks only the high one. */
bool row_bounds_contain(const KeyBounds *bounds, const BTreeCursor *cursor, bool reverse);

/* "(v1, v2)": values formatted for a 23505 detail (arena string). */
const char *row_format_values(Arena *arena, const Value *values, int count);

/* "a, b": names joined (arena string); "?" for missing names. */
const char *row_format_names(Arena *arena, const char *const *names, int count);

#endif
