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

/* ---- Sorted runs of index entries in a temporary file (row_index_runs.c) ----
 * An index build that outgrows memory writes each sorted run with
 * index_runs_add (entries in increasing key order) + index_runs_end_run, then
 * index_runs_merge_begin and index_runs_next (a BTreeBuildNext over runs)
 * give every entry of every run in key order. Errors: 53100, 58030, 53200. */
typedef struct IndexRuns IndexRuns;
int index_runs_open(IndexRuns **out, Error *err);
int index_runs_add(IndexRuns *runs, const uint8_t *key, size_t key_len, const uint8_t *value,
                   size_t value_len, Error *err);
int index_runs_end_run(IndexRuns *runs, Error *err);
int index_runs_count(const IndexRuns *runs);
int index_runs_merge_begin(IndexRuns *runs, Error *err);
int index_runs_next(void *ctx, const uint8_t **key, size_t *key_len, const uint8_t **value,
                    size_t *value_len, bool *done, Error *err);
/* Closes the file and frees everything (runs may be NULL). */
void index_runs_close(IndexRuns *runs);

#endif
