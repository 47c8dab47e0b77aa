/*
 * storage/column/column_am_int.h - private to src/storage/column/: what the
 * write side (column_write.c) and the read side (column_read.c) of the
 * access method share: row sets, the row locator, the primary-key map and
 * the scan callbacks. Never include from outside the folder.
 *
 * Invariants: see column_write.c (buffer and row-number rules) and
 * column_read.c (scan order and counters).
 * Threads: the PagerTxn's thread.
 */
#ifndef STRATA_STORAGE_COLUMN_AM_INT_H
#define STRATA_STORAGE_COLUMN_AM_INT_H

#include "storage/column/column_int.h"

/* Rows gathered column by column (strings copied into arena) before a row
 * group is written. */
typedef struct RowSet {
    const TableDesc *desc;
    Arena *arena;
    uint32_t count, capacity;
    ColumnData *cols;     /* desc->column_count */
    int64_t *rownums;
} RowSet;

/* False when memory runs out (arena_failed(arena) then tells). */
bool rowset_init(RowSet *rs, Arena *arena, const TableDesc *desc, uint32_t capacity);
bool rowset_add(RowSet *rs, const Value *values, int64_t rownum);

/* Row `row` of a decoded column as a Value of type (strings borrowed). */
void colcol_get(const ColumnData *col, uint32_t row, SqlType type, Value *out);

/* The group after *at: the first whose first row number is >= *at. */
int colgroup_next(PagerTxn *txn, const TableDesc *desc, Arena *arena, const uint64_t *at,
                  GroupDesc *out, bool *found, Error *err);

/* Finds rows by number, caching the last row group it found (fetch,
 * delete): each needed segment of that group is opened once and read by
 * position (column_point.c), so a lookup never decodes a whole group. */
typedef struct ColLocator {
    PagerTxn *txn;
    const TableDesc *desc;
    Arena *arena;          /* the locator's own (root) arena */
    Arena *group_arena;    /* the cached group: reset when it changes */
    Arena *row_arena;      /* values of the last colloc_row: reset per call */
    Arena *find_arena;     /* a group's descriptor bytes while it is parsed: reset per group */
    bool has_group;
    GroupDesc group;
    StreamMemo memo;       /* the cached group's pinned stream pages */
    const int64_t *rownums_or_null; /* NULL when the group is dense (offset computed) */
    DeleteVector dv;
    bool dv_dirty;
    SegPoint **points;     /* desc->column_count + 1: segments read by position, NULL until
                            * read (each in group_arena) */
    int *used_points;      /* indexes of the non-NULL points of the cached group */
    int used_point_count;
    uint32_t lookups;      /* colloc_row calls so far */
    bool has_buffer_floor;
    uint64_t buffer_floor; /* row numbers below it are never in the write buffer */
    uint64_t deletes_floor; /* groups starting below it have no delete vector */
    const int *key_columns;
    int key_column_count;
    int64_t last_offset;   /* offset of the last row found in the cached group */
    struct ColFetchCache *cache; /* NULL, or the groups kept across calls (colscan_fetch_cached) */
    uint32_t epoch;        /* the cache's call count: a kept segment's reads restart per call */
    bool group_is_kept;    /* with a cache: the current group is in it */
    Arena *passing_arena;  /* with a cache: the current group's when not kept (under arena) */
} ColLocator;

int colloc_open(ColLocator *loc, PagerTxn *txn, const TableDesc *desc, Error *err);
/* Looks rownum up: *found false when it does not exist or is deleted. On
 * success *out holds the requested columns (row_arena, valid until the next
 * call) and *in_buffer tells where the row lives. */
int colloc_row(ColLocator *loc, uint64_t rownum, const int *columns, int column_count, Value **out,
               bool *in_buffer, bool *found, Error *err);
/* Marks the row last found by colloc_row (in a row group) deleted. */
int colloc_mark_deleted(ColLocator *loc, uint64_t rownum, Error *err);
/* Stores a modified delete vector. */
int colloc_flush(ColLocator *loc, Error *err);
void colloc_close(ColLocator *loc);

/* Primary-key map: key -> row number; insert fails with 23505 on a duplicate. */
int colpkey_insert(PagerTxn *txn, const TableDesc *desc, Arena *arena, const Value *row,
                   uint64_t rownum, Error *err);
int colpkey_delete(PagerTxn *txn, const TableDesc *desc, Arena *arena, const Value *row, Error *err);

/* Decodes a buffered row's projected columns (strings borrowed from bytes). */
int colbuf_decode(const TableDesc *desc, const uint8_t *bytes, size_t len, const int *columns,
                  int column_count, Value *out, Error *err);
/* Merges buffered rows into row groups: whole groups only, or all of them. */
int colbuf_merge(PagerTxn *txn, const TableDesc *desc, ColumnMeta *meta, bool all, Error *err);

/* The read callbacks of the TableAm (column_read.c). */
int colscan_begin(PagerTxn *txn, const TableDesc *desc, const ScanSpec *spec, Arena *arena,
                  TableScan **out, Error *err);
int colscan_next(TableScan *scan, Batch *out, Error *err);
void colscan_end(TableScan *scan);
void colscan_counters(const TableScan *scan, TableScanCounters *out);
int colscan_preview(PagerTxn *txn, const TableDesc *desc, const ScanSpec *spec,
                    TableScanCounters *out, Error *err);
int colscan_storage_info(PagerTxn *txn, const TableDesc *desc, Arena *arena, TableStorageInfo *out,
                         Error *err);
int colscan_fetch(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                  const int *columns, int column_count, bool want_row_id, Batch *out, Error *err);
int colscan_fetch_cached(PagerTxn *txn, const TableDesc *desc, void **cache, Arena *arena,
                         const StrRef *row_ids, int count, const int *columns, int column_count,
                         bool want_row_id, Batch *out, Error *err);

#endif
