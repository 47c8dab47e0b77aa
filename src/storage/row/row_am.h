/*
 * storage/row/row_am.h - the row store table access method ("row") and the
 * btree index method ("btree"), both on storage/btree.
 *
 * Row store: a table is one B+tree clustered by its primary key: key =
 * keycodec(primary key columns, ascending), value = rowcodec(all columns).
 * Without a primary key (TableDesc.key_count 0) the key is keycodec of a
 * hidden int8 row number. The row id handed to the executor is the B+tree key.
 * The exact row count and the next hidden row number (updated in the same
 * transaction as the rows) live in the table's counter slot of the header page
 * (pager_counter_set, keyed by the root page); one private entry with the
 * one-byte key 0x00 (no keycodec output starts with 0x00) holds the same
 * (format byte 1, u64 LE count, u64 LE next row number) and is current only
 * while the table has no slot (a format 1 file, or every slot taken).
 *
 * Btree index: entry key = keycodec(key columns, with their DESC flags) +
 * the row id bytes (so entries are unique even in a non-unique index); entry
 * value = rowcodec(INCLUDE columns). Unique indexes reject a second entry
 * whose key columns are all non-NULL and equal (PostgreSQL's NULLS DISTINCT).
 *
 * Both register themselves through storage/tam.c on the first tam_lookup /
 * index_am_lookup; the executor reaches them only through tam.h.
 * Threads: every call runs on the thread of its PagerTxn.
 * See src/storage/row/README.md and docs/tam.md.
 */
#ifndef STRATA_STORAGE_ROW_AM_H
#define STRATA_STORAGE_ROW_AM_H

#include "storage/tam.h"

/* The "row" table access method (static storage, never freed). */
const TableAm *row_table_am(void);

/* The "btree" index method (static storage, never freed). */
const IndexAm *btree_index_am(void);

/* Bytes of entries an index build sorts in memory before it writes them out as
 * a run (0 = back to the default, 64 MiB). For tests; not thread-safe against
 * builds running at the same time. */
void btree_index_set_build_bytes(size_t bytes);

/* Entries in a run from which a build with a worker sorts the run's halves in
 * two threads (0 = back to the default, 65,536). For tests, as above. */
void btree_index_set_build_parallel_min(size_t count);

/* Most coded bytes of a packed block of a format-2 index (0 = back to the
 * default, 512). For tests: small blocks split often. Not thread-safe. */
void btree_index_set_block_bytes(size_t bytes);

#endif
