/*
 * storage/column/column.h - the column store table access method ("column",
 * CREATE TABLE ... USING column).
 *
 * Rows live in immutable row groups (up to a fixed number of rows, default
 * COLUMN_ROW_GROUP_ROWS) where each column is one compressed segment with a
 * zone map; small inserts go to a write buffer (a B+tree of rows) that is
 * merged into a row group when it reaches a row group's size, on bulk loads
 * and on maintain(). Deletes set bits in a per-row-group delete vector; an
 * update is a delete plus an insert; maintain() compacts row groups with many
 * deletes. Everything is on pager pages under one B+tree (the table's
 * storage_root), so the WAL, transactions and recovery cover it.
 *
 * Row ids: the row's permanent 64-bit row number, 8 bytes big-endian. It
 * never changes while the row lives (merges and compactions keep it), so
 * secondary indexes stay valid; an UPDATE gives the row a new number (the new
 * ids go to new_row_ids_out).
 *
 * Primary keys: uniqueness is enforced inside the access method by a key ->
 * row id map in the same B+tree (23505, constraint "<table>_pkey").
 *
 * Threads: every call runs on the thread of its PagerTxn.
 * See src/storage/column/README.md and docs/column-store.md.
 */
#ifndef STRATA_STORAGE_COLUMN_H
#define STRATA_STORAGE_COLUMN_H

#include <stdint.h>

#include "storage/tam.h"

/* Default rows per row group (measured: docs/column-store.md). */
#define COLUMN_ROW_GROUP_ROWS 65536u

/* The "column" table access method (static storage, never freed). */
const TableAm *column_am(void);

/* Counters of one scan, for EXPLAIN ANALYZE and tests. */
typedef struct ColumnScanCounters {
    uint64_t row_groups_scanned;   /* row groups whose segments were read */
    uint64_t row_groups_skipped;   /* row groups skipped by zone maps or dictionaries */
    uint64_t segment_bytes_read;   /* stored segment bytes read */
    uint64_t buffer_rows_read;     /* rows read from the write buffer */
} ColumnScanCounters;

/* Copies the counters of a scan begun by column_am()'s scan_begin (scan must
 * come from this access method). */
void column_scan_counters(const TableScan *scan, ColumnScanCounters *out);

/* Rows per row group for tables created after the call (0 = back to the
 * default); a table keeps the size it was created with. For tests and
 * benchmarks; not thread-safe against concurrent creates. */
void column_set_row_group_rows(uint32_t rows);

/* Encoding of column `column` (table column index) in row group `group_index`
 * (0-based, in row-number order), for tests and benchmarks: *encoding gets a
 * ColumnEncoding, *stored_bytes the segment size. Missing: STRATA_ERROR. */
int column_segment_info(PagerTxn *txn, const TableDesc *desc, uint32_t group_index, int column,
                        int *encoding, uint64_t *stored_bytes, Error *err);

/* Row groups kept by a fetch cache of this method (the *cache of fetch_cached;
 * NULL: 0), for tests and benchmarks. */
int column_fetch_cache_groups(const void *cache);

/* Name of an encoding number ("plain", "constant", "dictionary", ...). */
const char *column_encoding_name(int encoding);

#endif
