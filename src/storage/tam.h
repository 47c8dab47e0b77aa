/*
 * storage/tam.h - the table access method contract (DESIGN.md, contract 2),
 * and the smaller index method contract beside it.
 *
 * A table's physical model (row store, column store, LSM, time series) is an
 * access method: a TableAm of callbacks. The executor and the catalog use only
 * the tam_* / index_am_* wrappers below, never a particular access method, so
 * a new physical model plugs in without special cases above storage/.
 *
 * Transactions: every call takes the PagerTxn of the statement's transaction;
 * all access methods write through the one pager and its WAL, so a
 * transaction that touches tables of several kinds commits atomically.
 *
 * Row identity: every row has a row id, an opaque byte string chosen by the
 * access method (the row store: the memcomparable encoding of the primary
 * key, or of a hidden 64-bit row number for tables without one). Row ids
 * come out of scans (ScanSpec.want_row_id) and inserts, and go into fetch,
 * update and delete. They stay valid until the row is deleted or its key
 * changes.
 *
 * Persistent state: an access method keeps its storage reachable from one
 * 64-bit root (e.g. a B+tree root page number) that the catalog stores in
 * TableDesc.storage_root. The root never changes after create (an access
 * method that needs more keeps its own directory under that root).
 *
 * Batches: scans fill caller-owned batches (types/batch.h) whose columns are
 * the projection, in order, plus the row id as a last TYPE_BYTEA column when
 * asked. Strings in a produced batch live in the batch's arena.
 *
 * Threads: a scan or call belongs to the thread of its transaction.
 * Registration: tam_register() asserts every required callback is set.
 */
#ifndef STRATA_STORAGE_TAM_H
#define STRATA_STORAGE_TAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "storage/pager/pager.h"
#include "types/batch.h"
#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

/* What an access method is told about a table (filled by the catalog). */
typedef struct TableDesc {
    uint64_t table_id;
    const char *name;             /* for error messages */
    int column_count;
    const SqlType *column_types;  /* column_count entries */
    const char *const *column_names;
    const bool *column_not_null;  /* may be NULL */
    int key_count;                /* clustering (primary) key columns; 0 = hidden row number */
    const int *key_columns;       /* column indexes of the key, in key order */
    uint64_t storage_root;        /* set by create, then persisted by the catalog */
} TableDesc;

/* A range on the clustering key (or an index key): prefixes of key values.
 * low_count/high_count = 0 means unbounded on that side. */
typedef struct KeyRange {
    const Value *low;
    int low_count;
    bool low_inclusive;
    const Value *high;
    int high_count;
    bool high_inclusive;
} KeyRange;

typedef enum FilterOp {
    FILTER_EQ, FILTER_NE, FILTER_LT, FILTER_LE, FILTER_GT, FILTER_GE,
    FILTER_IS_NULL, FILTER_IS_NOT_NULL, FILTER_IN,
} FilterOp;

/* "column op constant(s)": a pushed-down predicate. Filters are hints: an
 * access method may use them to skip data (zone maps, dictionary codes) and
 * may still return rows that fail them; the executor re-checks. */
typedef struct ScanFilter {
    int column;
    FilterOp op;
    const Value *values;  /* 1 value, or value_count for FILTER_IN */
    int value_count;
} ScanFilter;

typedef struct ScanSpec {
    const int *columns;       /* projection: table column indexes in output order */
    int column_count;
    bool want_row_id;         /* append the row id as a last TYPE_BYTEA column */
    const KeyRange *range;    /* on the clustering key; NULL = whole table */
    bool reverse;             /* descending key order */
    const ScanFilter *filters;
    int filter_count;
    bool filters_skip_only;   /* filters only skip row groups (zone maps); the caller
                                 re-checks every row, so the method need not */
    /* Parallel scan (the column method only; NULL = read everything): scans of
     * one table on one snapshot sharing a claim split its row groups, each read
     * by the scan that claims it, and the write buffer last. A batch then holds
     * the rows of one claim only, whose ticket (the group's position among the
     * table's groups; the buffer: their count) goes to *claim_ticket. */
    struct ScanClaim *claim;
    uint64_t *claim_ticket;
} ScanSpec;

/* Shared by the scans of one parallel scan (ScanSpec.claim): next ticket to
 * hand out; zero it before the scans begin. Storing SCAN_CLAIM_STOP ends every
 * scan at its next row group (a failed or cancelled worker). */
typedef struct ScanClaim {
    _Atomic uint64_t next;
} ScanClaim;

#define SCAN_CLAIM_STOP (UINT64_C(1) << 62)

typedef struct TableStats {
    uint64_t row_count;       /* exact or estimated */
    uint64_t bytes_on_disk;
    bool row_count_is_exact;
} TableStats;

typedef struct TableScan TableScan;   /* defined by each access method */

/* What a scan has read so far, for EXPLAIN ANALYZE (TableAm.scan_counters). */
typedef struct TableScanCounters {
    uint64_t row_groups_scanned;  /* row groups (or similar units) read */
    uint64_t row_groups_skipped;  /* units skipped without reading (zone maps) */
    uint64_t bytes_read;          /* stored bytes read */
} TableScanCounters;

/* How a table's columns are stored, for \d+ and pg_catalog.strata_column_storage
 * (TableAm.storage_info). */
typedef struct ColumnStorageInfo {
    const char *encodings; /* e.g. "rle+lz4" or "for x28, dictionary x2" (arena) */
    uint64_t stored_bytes; /* bytes on disk (compressed segments) */
    uint64_t raw_bytes;    /* the non-NULL values at their type's width (text: its bytes) */
} ColumnStorageInfo;

typedef struct TableStorageInfo {
    uint64_t row_groups;
    uint64_t buffered_rows;     /* rows not yet in a row group (write buffer) */
    ColumnStorageInfo *columns; /* desc->column_count entries (arena) */
} TableStorageInfo;

typedef struct TableAm {
    const char *name;   /* "row", "column", ... as in CREATE TABLE ... USING name */
    /* True if scan_begin honours ScanSpec.range and .reverse exactly and
     * scans return rows in clustering-key order (descending when reverse):
     * the planner then skips a Sort on the key and reads key IN lists as
     * one range per value. False: range and reverse are hints. */
    bool scans_in_key_order;
    /* True if scan_begin honours ScanSpec.claim (scans sharing a claim split the
     * table between them: parallel runs, exec/vec_parallel.c); false: no parallel run. */
    bool scans_share_claims;

    /* Creates empty storage for desc; sets desc->storage_root. */
    int (*create)(PagerTxn *txn, TableDesc *desc, Error *err);
    /* Frees all storage of the table. */
    int (*drop)(PagerTxn *txn, const TableDesc *desc, Error *err);
    /* Removes every row, keeping storage_root. */
    int (*truncate)(PagerTxn *txn, const TableDesc *desc, Error *err);

    /* Starts a scan; state lives in arena (a query arena). */
    int (*scan_begin)(PagerTxn *txn, const TableDesc *desc, const ScanSpec *spec, Arena *arena,
                      TableScan **out, Error *err);
    /* Fills out (reset by the callee) with up to out->capacity rows; row_count 0 = end. */
    int (*scan_next)(TableScan *scan, Batch *out, Error *err);
    void (*scan_end)(TableScan *scan);

    /* Appends to out the rows with the given ids (missing ids are skipped),
     * projected to columns (+ row id when want_row_id). */
    int (*fetch)(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                 const int *columns, int column_count, bool want_row_id, Batch *out, Error *err);

    /* Optional (NULL = callers use fetch): fetch with a cache the caller keeps
     * for this table across calls (an index scan, and every execution of a kept
     * statement). *cache is NULL at first; the method allocates it under arena,
     * which must outlive every call with it (its memory goes with arena). The
     * method keeps there only what it can check is still valid for the txn it
     * is called with (the column store: each row group's opened segments, for
     * read-only txns of one snapshot of one database). */
    int (*fetch_cached)(PagerTxn *txn, const TableDesc *desc, void **cache, Arena *arena,
                        const StrRef *row_ids, int count, const int *columns, int column_count,
                        bool want_row_id, Batch *out, Error *err);

    /* Optional (NULL = not supported): the rows whose clustering key, a single
     * integer column, is one of keys[0..count) (strictly ascending), projected
     * to columns (ascending table columns) and appended to out until it is full;
     * *consumed = the keys looked up (missing keys are skipped). A multi-key
     * lookup for a join that needs a few of a large table's rows (issue 6). */
    int (*fetch_int_keys)(PagerTxn *txn, const TableDesc *desc, const int64_t *keys, int count,
                          const int *columns, int column_count, Batch *out, int *consumed,
                          Error *err);

    /* Inserts the active rows of rows (all columns, in table order). If
     * row_ids_out is not NULL it receives one id per inserted row (arena memory).
     * The method may also leave the rows' working memory in arena (the row
     * store does for a few rows), so a caller inserting row by row passes a
     * per-row arena.
     * A duplicate clustering key fails with SQLSTATE 23505 and inserts nothing
     * more (the statement is rolled back by the caller via a savepoint). */
    int (*insert)(PagerTxn *txn, const TableDesc *desc, const Batch *rows, StrRef *row_ids_out,
                  Arena *arena, Error *err);
    /* Replaces the rows with the given ids by the active rows of new_rows (all
     * columns). If the clustering key changes the row id changes; the new ids
     * go to new_row_ids_out when not NULL. */
    int (*update)(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, const Batch *new_rows,
                  StrRef *new_row_ids_out, Arena *arena, Error *err);
    /* Deletes the rows with the given ids (missing ids are an error: XX000). */
    int (*delete_rows)(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                       Error *err);

    /* Optional (NULL = use insert): a faster path for large sorted or unsorted loads. */
    int (*bulk_load)(PagerTxn *txn, const TableDesc *desc, const Batch *rows, Error *err);

    /* Statistics for the optimizer. */
    int (*stats)(PagerTxn *txn, const TableDesc *desc, TableStats *out, Error *err);

    /* Optional maintenance (NULL = nothing to do): compaction, merging write buffers. */
    int (*maintain)(PagerTxn *txn, const TableDesc *desc, Error *err);

    /* Optional (NULL = none): the counters of a scan begun by this method,
     * at any point before scan_end. */
    void (*scan_counters)(const TableScan *scan, TableScanCounters *out);

    /* Optional (NULL = none): for plain EXPLAIN, the units a scan with spec
     * would read and skip by its filters, from metadata alone (zone maps;
     * no data is read), in row_groups_scanned / row_groups_skipped. */
    int (*scan_preview)(PagerTxn *txn, const TableDesc *desc, const ScanSpec *spec,
                        TableScanCounters *out, Error *err);

    /* Optional (NULL = not a columnar layout): per-column encodings and sizes of
     * the stored row groups, into arena. Reads every segment header (and string
     * segments whole, for their raw size): for \d+, not for queries. */
    int (*storage_info)(PagerTxn *txn, const TableDesc *desc, Arena *arena, TableStorageInfo *out,
                        Error *err);
} TableAm;

/* Registers an access method under am->name (asserts every required callback
 * is set). Built-in methods register themselves on first use of tam_lookup. */
void tam_register(const TableAm *am);
/* Finds an access method by name; NULL if unknown. */
const TableAm *tam_lookup(const char *name);

static inline int tam_create(const TableAm *am, PagerTxn *txn, TableDesc *desc, Error *err)
{ return am->create(txn, desc, err); }
static inline int tam_drop(const TableAm *am, PagerTxn *txn, const TableDesc *desc, Error *err)
{ return am->drop(txn, desc, err); }
static inline int tam_truncate(const TableAm *am, PagerTxn *txn, const TableDesc *desc, Error *err)
{ return am->truncate(txn, desc, err); }
static inline int tam_scan_begin(const TableAm *am, PagerTxn *txn, const TableDesc *desc,
                                 const ScanSpec *spec, Arena *arena, TableScan **out, Error *err)
{ return am->scan_begin(txn, desc, spec, arena, out, err); }
static inline int tam_scan_next(const TableAm *am, TableScan *scan, Batch *out, Error *err)
{ return am->scan_next(scan, out, err); }
static inline void tam_scan_end(const TableAm *am, TableScan *scan)
{ am->scan_end(scan); }
/* False if the method keeps no scan counters. */
static inline bool tam_scan_counters(const TableAm *am, const TableScan *scan, TableScanCounters *out)
{
    if (am->scan_counters == NULL) {
        return false;
    }
    am->scan_counters(scan, out);
    return true;
}
/* False (nothing written) if the method has no scan_preview. */
static inline bool tam_scan_preview(const TableAm *am, PagerTxn *txn, const TableDesc *desc,
                                    const ScanSpec *spec, TableScanCounters *out, int *rc,
                                    Error *err)
{
    if (am->scan_preview == NULL) {
        return false;
    }
    *rc = am->scan_preview(txn, desc, spec, out, err);
    return true;
}
static inline int tam_fetch_int_keys(const TableAm *am, PagerTxn *txn, const TableDesc *desc,
                                     const int64_t *keys, int count, const int *columns,
                                     int column_count, Batch *out, int *consumed, Error *err)
{ return am->fetch_int_keys(txn, desc, keys, count, columns, column_count, out, consumed, err); }
static inline int tam_fetch(const TableAm *am, PagerTxn *txn, const TableDesc *desc,
                            const StrRef *row_ids, int count, const int *columns, int column_count,
                            bool want_row_id, Batch *out, Error *err)
{ return am->fetch(txn, desc, row_ids, count, columns, column_count, want_row_id, out, err); }
static inline int tam_fetch_cached(const TableAm *am, PagerTxn *txn, const TableDesc *desc,
                                   void **cache, Arena *arena, const StrRef *row_ids, int count,
                                   const int *columns, int column_count, bool want_row_id,
                                   Batch *out, Error *err)
{
    return am->fetch_cached != NULL
               ? am->fetch_cached(txn, desc, cache, arena, row_ids, count, columns, column_count,
                                  want_row_id, out, err)
               : am->fetch(txn, desc, row_ids, count, columns, column_count, want_row_id, out, err);
}
static inline int tam_insert(const TableAm *am, PagerTxn *txn, const TableDesc *desc,
                             const Batch *rows, StrRef *row_ids_out, Arena *arena, Error *err)
{ return am->insert(txn, desc, rows, row_ids_out, arena, err); }
static inline int tam_update(const TableAm *am, PagerTxn *txn, const TableDesc *desc,
                             const StrRef *row_ids, const Batch *new_rows, StrRef *new_row_ids_out,
                             Arena *arena, Error *err)
{ return am->update(txn, desc, row_ids, new_rows, new_row_ids_out, arena, err); }
static inline int tam_delete(const TableAm *am, PagerTxn *txn, const TableDesc *desc,
                             const StrRef *row_ids, int count, Error *err)
{ return am->delete_rows(txn, desc, row_ids, count, err); }
static inline int tam_stats(const TableAm *am, PagerTxn *txn, const TableDesc *desc, TableStats *out,
                            Error *err)
{ return am->stats(txn, desc, out, err); }

/* ---- Index methods --------------------------------------------------------------- */

typedef struct IndexDesc {
    uint64_t index_id;
    const char *name;
    int key_count;
    const SqlType *key_types;
    const bool *key_descending;   /* may be NULL = all ascending */
    int include_count;            /* covering (INCLUDE) columns stored with the entry */
    const SqlType *include_types;
    bool unique;                  /* NULLs never conflict (PostgreSQL's NULLS DISTINCT) */
    uint64_t storage_root;
    /* Added after the first version, optional: key column names for the 23505
     * detail "Key (a, b)=(1, 2) already exists."; NULL prints "?" for each. */
    const char *const *key_names;
} IndexDesc;

typedef struct IndexScan IndexScan;
typedef struct IndexBuild IndexBuild; /* defined by each index method */

typedef struct IndexAm {
    const char *name;  /* "btree" */
    int (*create)(PagerTxn *txn, IndexDesc *desc, Error *err);
    int (*drop)(PagerTxn *txn, const IndexDesc *desc, Error *err);
    int (*truncate)(PagerTxn *txn, const IndexDesc *desc, Error *err);
    /* Adds an entry. keys[key_count], includes[include_count] (may be NULL when
     * include_count is 0). Unique index with all keys non-NULL already present:
     * SQLSTATE 23505, naming the index. */
    int (*insert)(PagerTxn *txn, const IndexDesc *desc, const Value *keys, const Value *includes,
                  StrRef row_id, Error *err);
    /* Removes the entry (keys, row_id); a missing entry is XX002 (index corrupted). */
    int (*delete_entry)(PagerTxn *txn, const IndexDesc *desc, const Value *keys, StrRef row_id,
                        Error *err);
    /* Entries whose key is in range, in key order (reverse = descending). The
     * output batch columns: key columns, include columns, then the row id (TYPE_BYTEA). */
    int (*scan_begin)(PagerTxn *txn, const IndexDesc *desc, const KeyRange *range, bool reverse,
                      Arena *arena, IndexScan **out, Error *err);
    int (*scan_next)(IndexScan *scan, Batch *out, Error *err);
    void (*scan_end)(IndexScan *scan);
    /* Estimated entries in range (for the optimizer); may be rough. */
    int (*estimate)(PagerTxn *txn, const IndexDesc *desc, const KeyRange *range, uint64_t *out,
                    Error *err);
    /* Optional (NULL = never): true if scans return key column `key` exactly
     * as it was inserted (not only an equal-comparing value), so an
     * index-only scan may answer a query from the entries alone (PostgreSQL's
     * amcanreturn). INCLUDE columns are always returned exactly. */
    bool (*can_return)(const IndexDesc *desc, int key);
    /* Optional (all three or none; NULL: the caller inserts entry by entry).
     * Building a non-unique index over existing rows (CREATE INDEX): build_begin
     * starts a build, build_add takes one entry with insert's arguments (it may
     * only buffer it), build_finish writes whatever is buffered (write = true)
     * or discards it, and frees the build; call it exactly once per build_begin,
     * also after a failed build_add. Until build_finish returns, the index may
     * lack entries already added. The method may use memory for the buffered
     * entries up to a bound of its own, writing in between. workers: extra
     * threads the build may use to sort (0: the caller's thread alone); the
     * index written is the same either way. */
    int (*build_begin)(PagerTxn *txn, const IndexDesc *desc, int workers, IndexBuild **out,
                       Error *err);
    int (*build_add)(IndexBuild *build, const Value *keys, const Value *includes, StrRef row_id,
                     Error *err);
    int (*build_finish)(IndexBuild *build, bool write, Error *err);
} IndexAm;

void index_am_register(const IndexAm *am);
const IndexAm *index_am_lookup(const char *name);

#endif
