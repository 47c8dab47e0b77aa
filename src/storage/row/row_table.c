/*
 * storage/row/row_table.c - the "row" table access method: a B+tree
 * clustered by the primary key (or a hidden row number), rows encoded by
 * rowcodec. Layout and metadata entry: row_am.h.
 *
 * Invariants
 *   1. Every row's key = keycodec(primary key columns) (or of its hidden row
 *      number) and the row count (the table's counter slot in the header page
 *      if it has one, else its metadata entry; see meta_write) equals the
 *      number of rows; both change in the same pager transaction.
 *   2. Scans never return the metadata entry (bounds start at ROW_KEY_FLOOR).
 *
 * Scans hold a btree cursor (a copy of one leaf, no pins), so they are
 * invalidated by writes to the same table; the executor materializes row ids
 * before it updates or deletes (btree.h).
 */
#include <stdio.h>
#include <string.h>

#include "storage/row/row_int.h"
#include "storage/row/rowcodec.h"
#include "util/assert.h"

static const uint8_t META_KEY[1] = {0x00};
static const uint8_t ROW_KEY_FLOOR[1] = {KEYCODEC_NOT_NULL};
enum { META_FORMAT = 1, META_SIZE = 17 };

typedef struct RowMeta {
    uint64_t row_count;
    uint64_t next_row_number;
} RowMeta;

static Pgno table_root(const TableDesc *desc) { return (Pgno)desc->storage_root; }

static uint64_t get_u64_le(const uint8_t *in)
{
    uint64_t value = 0;
    for (int pos = 7; pos >= 0; pos--) {
        value = (value << 8) | in[pos];
    }
    return value;
}

static void put_u64_le(uint8_t *out, uint64_t value)
{
    for (int pos = 0; pos < 8; pos++) {
        out[pos] = (uint8_t)(value >> (8 * pos));
    }
}

/* scratch: an arena for the value's copy, or NULL to use a temporary one
 * (creating and destroying it was a tenth of a one-row INSERT). *leaf (may be
 * NULL): the leaf holding the entry, for meta_write's in-place update. */
static int meta_read(PagerTxn *txn, const TableDesc *desc, RowMeta *meta, Arena *scratch,
                     Pgno *leaf, Error *err)
{
    /* The header page's counter slot, when the table has one, holds the
     * current values and the entry is stale (see meta_write). */
    uint64_t values[2];
    if (pager_counter_get(txn, table_root(desc), values)) {
        meta->row_count = values[0];
        meta->next_row_number = values[1];
        if (leaf != NULL) {
            *leaf = PGNO_NONE;
        }
        return STRATA_OK;
    }
    uint8_t buf[META_SIZE];
    Arena *arena = scratch != NULL ? scratch : arena_create(NULL, 0, "row meta");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    const uint8_t *value = NULL;
    size_t len = 0;
    bool found = false;
    int rc = btree_get_leaf(txn, table_root(desc), META_KEY, 1, arena, &value, &len, &found, leaf,
                            err);
    if (rc == STRATA_OK && (!found || len != META_SIZE || value[0] != META_FORMAT)) {
        rc = error_corrupt(err, "table \"%s\" has no valid metadata entry (root page %u)",
                           desc->name, table_root(desc));
    }
    if (rc == STRATA_OK) {
        memcpy(buf, value, META_SIZE);
        meta->row_count = get_u64_le(buf + 1);
        meta->next_row_number = get_u64_le(buf + 9);
    }
    if (scratch == NULL) {
        arena_destroy(arena);
    }
    return rc;
}

/* leaf: PGNO_NONE, or meta_read's leaf when the tree had only inserts since
 * (btree_replace_at's precondition): then the entry is rewritten in that page
 * without a second descent, a fifth of a one-row INSERT. */
static int meta_write_entry(PagerTxn *txn, const TableDesc *desc, const RowMeta *meta, Pgno leaf,
                            Error *err)
{
    uint8_t buf[META_SIZE];
    buf[0] = META_FORMAT;
    put_u64_le(buf + 1, meta->row_count);
    put_u64_le(buf + 9, meta->next_row_number);
    if (leaf != PGNO_NONE) {
        bool done = false;
        int rc = btree_replace_at(txn, leaf, META_KEY, 1, buf, META_SIZE, &done, err);
        if (rc != STRATA_OK || done) {
            return rc;
        }
    }
    return btree_insert(txn, table_root(desc), META_KEY, 1, buf, META_SIZE, BTREE_INSERT_UPSERT,
                        NULL, err);
}

/* The values go into the table's counter slot in the header page (the commit
 * writes that page anyway when anything in it changed), so an INSERT or DELETE
 * no longer rewrites the leaf holding the entry: with rows appended at the
 * right end of a big table, that leaf was a second page per commit. Only when
 * every slot is taken (PAGER_COUNTER_SLOTS tables) is the entry itself kept
 * up to date, as before. A slot, once taken, stays until the table is dropped
 * (or a new table gets the same root page), so for a given table exactly one
 * of the two is current: the slot if there is one. */
static int meta_write(PagerTxn *txn, const TableDesc *desc, const RowMeta *meta, Pgno leaf,
                      Error *err)
{
    uint64_t values[2] = {meta->row_count, meta->next_row_number};
    bool stored = false;
    int rc = pager_counter_set(txn, table_root(desc), values, &stored, err);
    if (rc != STRATA_OK || stored) {
        return rc;
    }
    return meta_write_entry(txn, desc, meta, leaf, err);
}

static int row_create(PagerTxn *txn, TableDesc *desc, Error *err)
{
    Pgno root = PGNO_NONE;
    int rc = btree_create(txn, &root, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    desc->storage_root = root;
    /* A dropped table's slot would otherwise speak for this root page. */
    rc = pager_counter_drop(txn, root, err);
    RowMeta meta = {0, 1};
    return rc != STRATA_OK ? rc : meta_write_entry(txn, desc, &meta, PGNO_NONE, err);
}

static int row_drop(PagerTxn *txn, const TableDesc *desc, Error *err)
{
    int rc = pager_counter_drop(txn, table_root(desc), err);
    return rc != STRATA_OK ? rc : btree_destroy(txn, table_root(desc), err);
}

static int row_truncate(PagerTxn *txn, const TableDesc *desc, Error *err)
{
    RowMeta meta;
    int rc = meta_read(txn, desc, &meta, NULL, NULL, err);
    if (rc == STRATA_OK) {
        rc = btree_clear(txn, table_root(desc), err);
    }
    if (rc == STRATA_OK) {
        /* btree_clear took the entry too: the tree keeps one (stale while a
         * counter slot holds the values, and then never read). */
        meta.row_count = 0;
        rc = meta_write_entry(txn, desc, &meta, PGNO_NONE, err);
    }
    if (rc == STRATA_OK) {
        rc = meta_write(txn, desc, &meta, PGNO_NONE, err);
    }
    return rc;
}

/* ---- Row values ---------------------------------------------------------------- */

/* Whether the table's primary-key columns are left out of the row value (stored
 * NULL there) and read back from the key: when every key column is of an
 * integer kind (integers, dates, times, timestamps: keycodec gives them back
 * exactly) and there are at most ROW_KEY_FROM_KEY_MAX of them. Saves the
 * key's bytes a second time in every row (issue 6). Rows written before kept
 * the values; reading takes the key's either way. */
enum { ROW_KEY_FROM_KEY_MAX = 8 };

static bool key_columns_from_key(const TableDesc *desc)
{
    if (desc->key_count == 0 || desc->key_count > ROW_KEY_FROM_KEY_MAX) {
        return false;
    }
    for (int index = 0; index < desc->key_count; index++) {
        if (type_phys(desc->column_types[desc->key_columns[index]].id) != PHYS_I64) {
            return false;
        }
    }
    return true;
}

/* rowcodec of the row as stored: key columns NULL when key_columns_from_key. */
static int encode_row(Arena *arena, const TableDesc *desc, const Value *values, uint8_t **out,
                      size_t *out_len, Error *err)
{
    if (!key_columns_from_key(desc)) {
        return rowcodec_encode(arena, values, desc->column_count, out, out_len, err);
    }
    Value on_stack[16];
    Value *stored = desc->column_count <= 16
                        ? on_stack
                        : arena_alloc(arena, sizeof(Value) * (size_t)desc->column_count);
    if (stored == NULL) {
        return arena_error(arena, err);
    }
    memcpy(stored, values, sizeof(Value) * (size_t)desc->column_count);
    for (int index = 0; index < desc->key_count; index++) {
        int col = desc->key_columns[index];
        stored[col] = value_null(desc->column_types[col]);
    }
    return rowcodec_encode(arena, stored, desc->column_count, out, out_len, err);
}

/* Overwrites the projected key columns of values (decoded from the row value)
 * with the key's, when key_columns_from_key. */
static int key_columns_fill(const TableDesc *desc, const int *columns, int column_count,
                            const uint8_t *key, size_t key_len, Value *values, Error *err)
{
    if (!key_columns_from_key(desc)) {
        return STRATA_OK;
    }
    SqlType types[ROW_KEY_FROM_KEY_MAX];
    Value key_values[ROW_KEY_FROM_KEY_MAX];
    bool decoded = false;
    for (int col = 0; col < column_count; col++) {
        for (int index = 0; index < desc->key_count; index++) {
            if (columns[col] != desc->key_columns[index]) {
                continue;
            }
            if (!decoded) {
                for (int k = 0; k < desc->key_count; k++) {
                    types[k] = desc->column_types[desc->key_columns[k]];
                }
                /* Integer kinds only: nothing is allocated, so no arena. */
                int rc = keycodec_decode(key, key_len, types, NULL, desc->key_count, NULL,
                                         key_values, NULL, err);
                if (rc != STRATA_OK) {
                    return rc;
                }
                decoded = true;
            }
            values[col] = key_values[index];
        }
    }
    return STRATA_OK;
}

/* ---- Keys ---------------------------------------------------------------------- */

/* The clustering key of a row given as values[column_count]. */
static int row_key(Arena *arena, const TableDesc *desc, const Value *values, uint64_t row_number,
                   uint8_t **key, size_t *key_len, Error *err)
{
    bool one_integer = desc->key_count == 1 &&
                       type_phys(desc->column_types[desc->key_columns[0]].id) == PHYS_I64 &&
                       !values[desc->key_columns[0]].is_null;
    if (desc->key_count == 0 || one_integer) {
        /* keycodec of one integer kind (keycodec.h: NOT NULL, then the value
         * with its sign bit flipped, big-endian), written directly: the
         * general encoder was a fifth of a row's insert. */
        uint8_t *out = arena_alloc(arena, 9);
        if (out == NULL) {
            return arena_error(arena, err);
        }
        uint64_t number = one_integer ? (uint64_t)values[desc->key_columns[0]].i64 : row_number;
        uint64_t big = __builtin_bswap64(number ^ (UINT64_C(1) << 63));
        out[0] = KEYCODEC_NOT_NULL;
        memcpy(out + 1, &big, 8);
        *key = out;
        *key_len = 9;
        return STRATA_OK;
    }
    Value *key_values = arena_alloc(arena, sizeof(Value) * (size_t)desc->key_count);
    if (key_values == NULL) {
        return arena_error(arena, err);
    }
    for (int index = 0; index < desc->key_count; index++) {
        int col = desc->key_columns[index];
        if (values[col].is_null) {
            error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                      "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                      desc->column_names != NULL ? desc->column_names[col] : "?", desc->name);
            snprintf(err->table_name, sizeof err->table_name, "%s", desc->name);
            return err->code;
        }
        key_values[index] = values[col];
    }
    int rc = keycodec_encode(arena, key_values, NULL, desc->key_count, NULL, 0, key, key_len, err);
    if (rc == STRATA_OK && *key_len > BTREE_KEY_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "index row size %zu exceeds maximum %d for index \"%s_pkey\"", *key_len,
                         BTREE_KEY_MAX, desc->name);
    }
    return rc;
}

static int duplicate_key_error(Arena *arena, const TableDesc *desc, const Value *values,
                               Error *err)
{
    Value *key_values = arena_alloc(arena, sizeof(Value) * (size_t)desc->key_count);
    const char **names = arena_alloc(arena, sizeof(char *) * (size_t)desc->key_count);
    if (key_values == NULL || names == NULL) {
        return arena_error(arena, err);
    }
    for (int index = 0; index < desc->key_count; index++) {
        int col = desc->key_columns[index];
        key_values[index] = values[col];
        names[index] = desc->column_names != NULL ? desc->column_names[col] : "?";
    }
    error_set(err, SQLSTATE_UNIQUE_VIOLATION,
              "duplicate key value violates unique constraint \"%s_pkey\"", desc->name);
    error_detail(err, "Key (%s)=%s already exists.",
                 row_format_names(arena, names, desc->key_count),
                 row_format_values(arena, key_values, desc->key_count));
    snprintf(err->table_name, sizeof err->table_name, "%s", desc->name);
    snprintf(err->constraint_name, sizeof err->constraint_name, "%s_pkey", desc->name);
    return err->code;
}

/* Reads active row `row` of batch into values[column_count], typed as the table. */
static void batch_row_values(const TableDesc *desc, const Batch *rows, int row, Value *values)
{
    for (int col = 0; col < desc->column_count; col++) {
        batch_get_value(rows, col, row, &values[col]);
        values[col].type = desc->column_types[col];
    }
}

/* Rows encoded before they go to btree_insert_run together: bounds the
 * scratch arena (keys and encoded rows of one run) while one descent serves
 * a whole leaf of appended rows. */
enum { ROW_INSERT_RUN_MAX = 256 };

/* Up to this many rows, row_insert encodes in the caller's arena (no scratch
 * arena of its own): the caller's memory grows by their keys and encoded rows. */
enum { ROW_INSERT_IN_CALLER_MAX = 8 };

/* Encodes up to run rows from batch position `first` into entries (keys and
 * values in scratch); *ready is how many succeeded. A row that fails (NULL
 * key, size limit) leaves its error in row_err and stops the run there. */
static int encode_run(const TableDesc *desc, const Batch *rows, int first, int run,
                      uint64_t next_row_number, Value *values, BTreeEntry *entries,
                      Arena *scratch, int *ready, Error *row_err)
{
    int rc = STRATA_OK;
    int at = 0;
    /* Rows whose stored form keeps every column are encoded from the vectors;
     * a table without a key (hidden row numbers) then reads no Value at all. */
    bool from_vectors = !key_columns_from_key(desc);
    for (; at < run; at++) {
        int row = batch_active_row(rows, first + at);
        if (desc->key_count > 0 || !from_vectors) {
            batch_row_values(desc, rows, row, values);
        }
        uint8_t *key, *encoded;
        size_t key_len, encoded_len;
        rc = row_key(scratch, desc, values, next_row_number + (uint64_t)at, &key, &key_len,
                     row_err);
        if (rc == STRATA_OK && from_vectors) {
            rc = rowcodec_encode_batch_row(scratch, rows, desc->column_types, desc->column_count,
                                           row, &encoded, &encoded_len, row_err);
        } else if (rc == STRATA_OK) {
            rc = encode_row(scratch, desc, values, &encoded, &encoded_len, row_err);
        }
        if (rc != STRATA_OK) {
            break;
        }
        entries[at] = (BTreeEntry){key, key_len, encoded, encoded_len};
    }
    *ready = at;
    return rc;
}

/* Inserts the batch's rows in runs: the rows of a run are encoded, then
 * handed to btree_insert_run (one descent per leaf for keys appended past the
 * end: hidden row numbers, a load in key order). Rows before a failing one
 * are inserted first, so the result and the first error are those of
 * inserting row by row. */
static int row_insert(PagerTxn *txn, const TableDesc *desc, const Batch *rows, StrRef *row_ids_out,
                      Arena *arena, Error *err)
{
    RowMeta meta;
    Pgno meta_leaf = PGNO_NONE;
    int active = batch_active_count(rows);
    /* A few rows (an INSERT statement's one row) are encoded in the caller's
     * arena, which the row ids go to anyway: creating and destroying a scratch
     * arena per call was a twentieth of a one-row INSERT. */
    bool own_scratch = active > ROW_INSERT_IN_CALLER_MAX;
    Arena *scratch = own_scratch ? arena_create(arena, 0, "row insert") : arena;
    int rc = scratch != NULL ? meta_read(txn, desc, &meta, scratch, &meta_leaf, err)
                             : arena_error(arena, err);
    if (rc != STRATA_OK) {
        if (own_scratch) {
            arena_destroy(scratch);
        }
        return rc;
    }
    /* values and entries must not live in scratch: scratch is reset after every run. */
    Value *values = arena_alloc(arena, sizeof(Value) * (size_t)desc->column_count);
    BTreeEntry *entries = arena_alloc(
        arena, sizeof(BTreeEntry) * (size_t)(active < ROW_INSERT_RUN_MAX ? active + 1
                                                                         : ROW_INSERT_RUN_MAX));
    if (values == NULL || entries == NULL) {
        if (own_scratch) {
            arena_destroy(scratch);
        }
        return arena_error(arena, err);
    }
    for (int first = 0; first < active && rc == STRATA_OK;) {
        int run = active - first < ROW_INSERT_RUN_MAX ? active - first : ROW_INSERT_RUN_MAX;
        int ready = 0, inserted = 0;
        Error row_err;
        error_clear(&row_err);
        int row_rc = encode_run(desc, rows, first, run, meta.next_row_number, values, entries,
                                scratch, &ready, &row_err);
        rc = btree_insert_run(txn, table_root(desc), entries, ready, &inserted, err);
        meta.row_count += (uint64_t)inserted;
        if (desc->key_count == 0) {
            meta.next_row_number += (uint64_t)inserted;
        }
        for (int at = 0; row_ids_out != NULL && at < inserted && rc == STRATA_OK; at++) {
            StrRef *id = &row_ids_out[first + at];
            id->len = (uint32_t)entries[at].key_len;
            id->ptr = own_scratch ? arena_memdup(arena, entries[at].key, entries[at].key_len)
                                  : entries[at].key;
            if (id->ptr == NULL) {
                rc = arena_error(arena, err);
            }
        }
        if (rc == STRATA_OK && inserted < ready) {
            batch_row_values(desc, rows, batch_active_row(rows, first + inserted), values);
            rc = duplicate_key_error(scratch, desc, values, err);
        } else if (rc == STRATA_OK && row_rc != STRATA_OK) {
            error_copy(err, &row_err);
            rc = row_rc;
        }
        first += run;
        if (own_scratch) {
            arena_reset(scratch);
        }
    }
    if (own_scratch) {
        arena_destroy(scratch);
    }
    /* The count covers the rows inserted before a failure too; the caller's
     * savepoint rollback undoes both together. */
    int meta_rc = meta_write(txn, desc, &meta, meta_leaf, rc == STRATA_OK ? err : NULL);
    return rc != STRATA_OK ? rc : meta_rc;
}

static int row_bulk_load(PagerTxn *txn, const TableDesc *desc, const Batch *rows, Error *err)
{
    /* Increasing keys take the B+tree's append split (full pages); nothing
     * else to do differently yet. */
    Arena *arena = arena_create(NULL, 0, "row bulk load");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = row_insert(txn, desc, rows, NULL, arena, err);
    arena_destroy(arena);
    return rc;
}

static int row_update(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids,
                      const Batch *new_rows, StrRef *new_row_ids_out, Arena *arena, Error *err)
{
    Value *values = arena_alloc(arena, sizeof(Value) * (size_t)desc->column_count);
    if (values == NULL) {
        return arena_error(arena, err);
    }
    int active = batch_active_count(new_rows);
    Pgno root = table_root(desc);
    for (int index = 0; index < active; index++) {
        batch_row_values(desc, new_rows, batch_active_row(new_rows, index), values);
        const uint8_t *old_key = (const uint8_t *)row_ids[index].ptr;
        size_t old_len = row_ids[index].len;
        uint8_t *key = (uint8_t *)old_key, *encoded;
        size_t key_len = old_len, encoded_len;
        int rc = STRATA_OK;
        if (desc->key_count > 0) {
            rc = row_key(arena, desc, values, 0, &key, &key_len, err);
        }
        if (rc == STRATA_OK) {
            rc = encode_row(arena, desc, values, &encoded, &encoded_len, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        bool same_key = btree_key_compare(key, key_len, old_key, old_len) == 0;
        bool found = false;
        if (same_key) {
            rc = btree_insert(txn, root, key, key_len, encoded, encoded_len, BTREE_INSERT_UPSERT,
                              &found, err);
        } else {
            rc = btree_delete(txn, root, old_key, old_len, &found, err);
            bool existed = false;
            if (rc == STRATA_OK && found) {
                rc = btree_insert(txn, root, key, key_len, encoded, encoded_len, BTREE_INSERT_NEW,
                                  &existed, err);
            }
            if (rc == STRATA_OK && existed) {
                return duplicate_key_error(arena, desc, values, err);
            }
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!found) {
            return error_set(err, SQLSTATE_INTERNAL_ERROR,
                             "row to update in table \"%s\" does not exist", desc->name);
        }
        if (new_row_ids_out != NULL) {
            new_row_ids_out[index].ptr = (const char *)key;
            new_row_ids_out[index].len = (uint32_t)key_len;
        }
    }
    return STRATA_OK;
}

static int row_delete(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                      Error *err)
{
    RowMeta meta;
    int rc = meta_read(txn, desc, &meta, NULL, NULL, err);
    for (int index = 0; index < count && rc == STRATA_OK; index++) {
        bool found = false;
        const uint8_t *key = (const uint8_t *)row_ids[index].ptr;
        if (row_ids[index].len == 0 || key[0] == META_KEY[0]) {
            found = false;
        } else {
            rc = btree_delete(txn, table_root(desc), key, row_ids[index].len, &found, err);
        }
        if (rc == STRATA_OK && !found) {
            rc = error_set(err, SQLSTATE_INTERNAL_ERROR,
                           "row to delete in table \"%s\" does not exist", desc->name);
        }
        if (rc == STRATA_OK) {
            meta.row_count--;
        }
    }
    if (rc == STRATA_OK) {
        rc = meta_write(txn, desc, &meta, PGNO_NONE, err);
    }
    return rc;
}

static int row_stats(PagerTxn *txn, const TableDesc *desc, TableStats *out, Error *err)
{
    RowMeta meta;
    int rc = meta_read(txn, desc, &meta, NULL, NULL, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint64_t pages = 0;
    rc = btree_estimate_pages(txn, table_root(desc), &pages, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    memset(out, 0, sizeof *out);
    out->row_count = meta.row_count;
    out->row_count_is_exact = true;
    out->bytes_on_disk = pages * PAGE_SIZE;   /* estimated; overflow pages not counted */
    return STRATA_OK;
}

/* ---- Scans and fetch ----------------------------------------------------------- */

/* How a projection is decoded, worked out once per scan or fetch instead of
 * per row (issue 6: the per-row checks were a quarter of a 1M-row dimension
 * build's instructions). */
typedef struct RowShape {
    bool ascending;    /* columns strictly ascending: decoded straight into the batch */
    bool key_from_key; /* key_columns_from_key(desc) */
    bool fast_keys;    /* ascending, key_from_key and every key output below 64: the
                        * value decoder skips them (skip) and key_index fills them */
    uint64_t skip;     /* output columns the key fills */
    int key_index[ROW_KEY_FROM_KEY_MAX]; /* per key column: its output column, or -1 */
    bool planned;      /* ascending, and the key columns are either stored or fast_keys */
    RowcodecPlan plan; /* when planned */
} RowShape;

struct TableScan {
    PagerTxn *txn;
    const TableDesc *desc;
    int *columns;
    int column_count;
    bool want_row_id;
    bool reverse;
    bool started;
    KeyBounds bounds;
    BTreeCursor *cursor;
    Value *values;
    Arena *scratch;      /* overflow values of the current batch */
    RowShape shape;
};

static bool columns_ascending(const int *columns, int column_count)
{
    for (int col = 1; col < column_count; col++) {
        if (columns[col] <= columns[col - 1]) {
            return false;
        }
    }
    return true;
}

static int row_shape_init(Arena *arena, const TableDesc *desc, const int *columns,
                          int column_count, RowShape *shape, Error *err)
{
    memset(shape, 0, sizeof *shape);
    shape->ascending = columns_ascending(columns, column_count);
    shape->key_from_key = key_columns_from_key(desc);
    shape->fast_keys = shape->ascending && shape->key_from_key;
    for (int index = 0; index < ROW_KEY_FROM_KEY_MAX; index++) {
        shape->key_index[index] = -1;
    }
    for (int col = 0; col < column_count && shape->key_from_key; col++) {
        for (int index = 0; index < desc->key_count; index++) {
            if (columns[col] != desc->key_columns[index]) {
                continue;
            }
            shape->key_index[index] = col;
            shape->fast_keys &= col < 64;
            shape->skip |= col < 64 ? UINT64_C(1) << col : 0;
        }
    }
    shape->planned = shape->ascending && (!shape->key_from_key || shape->fast_keys);
    if (shape->planned &&
        rowcodec_plan_init(arena, desc->column_types, desc->column_count, columns, column_count,
                           shape->skip, &shape->plan) != STRATA_OK) {
        return arena_error(arena, err);
    }
    return STRATA_OK;
}

/* Key column `index` of an integer-kind key (keycodec: marker, then 8 bytes
 * big-endian with the sign flipped); false when the bytes are not that. */
static inline bool key_int_at(const uint8_t *key, size_t key_len, int index, int64_t *out)
{
    size_t at = (size_t)index * 9;
    if (at + 9 > key_len || key[at] != KEYCODEC_NOT_NULL) {
        return false;
    }
    uint64_t big;
    memcpy(&big, key + at + 1, 8);
    *out = (int64_t)(__builtin_bswap64(big) ^ (UINT64_C(1) << 63));
    return true;
}

/* A planned projection: the value decoder leaves the key's outputs (when the
 * key columns come from the key), then each is read from the key. */
static int emit_fast(const TableDesc *desc, const RowShape *shape, const int *columns,
                     int column_count, const uint8_t *key, size_t key_len, const uint8_t *encoded,
                     size_t encoded_len, Batch *out, Error *err)
{
    int row = out->row_count;
    int rc = rowcodec_decode_plan(encoded, encoded_len, &shape->plan, out, row, err);
    for (int index = 0; index < desc->key_count && rc == STRATA_OK; index++) {
        int col = shape->key_index[index];
        int64_t value;
        if (col < 0) {
            continue;
        }
        if (!key_int_at(key, key_len, index, &value)) {
            return error_corrupt(err, "malformed key: column %d at byte %d", index + 1,
                                 index * 9);
        }
        Vector *vector = &out->columns[col];
        vector->i64[row] = value;
        if (vector->nulls != NULL) {
            vector->nulls[row] = 0;
        }
    }
    return rc;
}

/* Appends the row (key, encoded value) to out, projected. */
static int emit_row(const TableDesc *desc, const RowShape *shape, const int *columns,
                    int column_count, bool want_row_id, const uint8_t *key, size_t key_len,
                    const uint8_t *encoded, size_t encoded_len, Value *values, Batch *out,
                    Error *err)
{
    int row = out->row_count;
    int rc;
    if (shape->planned) {
        rc = emit_fast(desc, shape, columns, column_count, key, key_len, encoded, encoded_len,
                       out, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    } else if (shape->ascending) {
        /* A scan's usual projection: decoded straight into the batch; integer key
         * columns, which the stored value holds as NULL, come from the key. */
        rc = rowcodec_decode_batch(encoded, encoded_len, desc->column_types, desc->column_count,
                                   columns, column_count, out, row, err);
        if (rc == STRATA_OK && shape->key_from_key) {
            rc = key_columns_fill(desc, columns, column_count, key, key_len, values, err);
            for (int col = 0; col < column_count && rc == STRATA_OK; col++) {
                for (int k = 0; k < desc->key_count; k++) {
                    if (columns[col] == desc->key_columns[k] &&
                        !batch_set_value(out, col, row, &values[col])) {
                        return arena_error(out->arena, err);
                    }
                }
            }
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    } else {
        rc = rowcodec_decode(encoded, encoded_len, desc->column_types, desc->column_count,
                             columns, column_count, values, err);
        if (rc == STRATA_OK) {
            rc = key_columns_fill(desc, columns, column_count, key, key_len, values, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        for (int col = 0; col < column_count; col++) {
            if (!batch_set_value(out, col, row, &values[col])) {
                return arena_error(out->arena, err);
            }
        }
    }
    if (want_row_id) {
        Value id = value_str(TYPE_BYTEA, (const char *)key, (uint32_t)key_len);
        if (!batch_set_value(out, column_count, row, &id)) {
            return arena_error(out->arena, err);
        }
    }
    out->row_count++;
    return STRATA_OK;
}

static int row_scan_begin(PagerTxn *txn, const TableDesc *desc, const ScanSpec *spec,
                          Arena *arena, TableScan **out, Error *err)
{
    TableScan *scan = arena_zalloc(arena, sizeof *scan);
    if (scan == NULL) {
        return arena_error(arena, err);
    }
    scan->txn = txn;
    scan->desc = desc;
    scan->column_count = spec->column_count;
    scan->columns = arena_alloc(arena, sizeof(int) * (size_t)(spec->column_count + 1));
    if (scan->columns != NULL && spec->column_count > 0) {
        memcpy(scan->columns, spec->columns, sizeof(int) * (size_t)spec->column_count);
    }
    scan->values = arena_alloc(arena, sizeof(Value) * (size_t)(spec->column_count + 1));
    scan->scratch = arena_create(arena, 0, "row scan");
    scan->want_row_id = spec->want_row_id;
    scan->reverse = spec->reverse;
    int rc = row_shape_init(arena, desc, spec->columns, spec->column_count, &scan->shape, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (scan->columns == NULL || scan->values == NULL || scan->scratch == NULL) {
        return arena_error(arena, err);
    }
    /* Ranges apply to the primary key; a table with a hidden row number has none. */
    const KeyRange *range = desc->key_count > 0 ? spec->range : NULL;
    rc = row_bounds_make(arena, range, NULL, ROW_KEY_FLOOR, 1, &scan->bounds, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_open(txn, table_root(desc), arena, &scan->cursor, err);
    }
    if (rc == STRATA_OK) {
        *out = scan;
    }
    return rc;
}

static int row_scan_next(TableScan *scan, Batch *out, Error *err)
{
    batch_reset(out);
    arena_reset(scan->scratch);
    int rc = STRATA_OK;
    if (!scan->started) {
        scan->started = true;
        rc = row_bounds_start(scan->cursor, &scan->bounds, scan->reverse, err);
    }
    while (rc == STRATA_OK && out->row_count < out->capacity && btree_cursor_valid(scan->cursor) &&
           row_bounds_contain(&scan->bounds, scan->cursor, scan->reverse)) {
        size_t key_len, encoded_len;
        const uint8_t *key = btree_cursor_key(scan->cursor, &key_len);
        const uint8_t *encoded;
        rc = btree_cursor_value(scan->cursor, scan->scratch, &encoded, &encoded_len, err);
        if (rc == STRATA_OK) {
            rc = emit_row(scan->desc, &scan->shape, scan->columns, scan->column_count,
                          scan->want_row_id, key, key_len, encoded, encoded_len, scan->values,
                          out, err);
        }
        if (rc == STRATA_OK) {
            rc = scan->reverse ? btree_cursor_prev(scan->cursor, err)
                               : btree_cursor_next(scan->cursor, err);
        }
    }
    return rc;
}

static void row_scan_end(TableScan *scan)
{
    if (scan != NULL) {
        btree_cursor_close(scan->cursor);
    }
}

static int row_fetch(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                     const int *columns, int column_count, bool want_row_id, Batch *out, Error *err)
{
    Arena *arena = arena_create(NULL, 0, "row fetch");
    Value *values = arena != NULL ? arena_alloc(arena, sizeof(Value) * (size_t)(column_count + 1))
                                  : NULL;
    if (values == NULL) {
        arena_destroy(arena);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    RowShape shape;
    int rc = row_shape_init(arena, desc, columns, column_count, &shape, err);
    for (int index = 0; index < count && rc == STRATA_OK; index++) {
        const uint8_t *key = (const uint8_t *)row_ids[index].ptr;
        size_t key_len = row_ids[index].len;
        if (key_len == 0 || key[0] == META_KEY[0]) {
            continue;
        }
        const uint8_t *encoded = NULL;
        size_t encoded_len = 0;
        bool found = false;
        rc = btree_get(txn, table_root(desc), key, key_len, arena, &encoded, &encoded_len, &found,
                       err);
        if (rc != STRATA_OK || !found) {
            continue;
        }
        if (out->row_count >= out->capacity) {
            rc = error_set(err, SQLSTATE_INTERNAL_ERROR, "fetch output batch is full");
            break;
        }
        rc = emit_row(desc, &shape, columns, column_count, want_row_id, key, key_len, encoded,
                      encoded_len, values, out, err);
    }
    arena_destroy(arena);
    return rc;
}

static int row_fetch_int_keys(PagerTxn *txn, const TableDesc *desc, const int64_t *keys,
                              int count, const int *columns, int column_count, Batch *out,
                              int *consumed, Error *err)
{
    *consumed = 0;
    if (desc->key_count != 1 || type_phys(desc->column_types[desc->key_columns[0]].id) != PHYS_I64) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "table \"%s\" has no integer key",
                         desc->name);
    }
    Arena *arena = arena_create(NULL, 0, "row fetch keys");
    Value *values = arena != NULL ? arena_alloc(arena, sizeof(Value) * (size_t)(column_count + 1))
                                  : NULL;
    if (values == NULL) {
        arena_destroy(arena);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    RowShape shape;
    BTreeCursor *cursor = NULL;
    int rc = row_shape_init(arena, desc, columns, column_count, &shape, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_open(txn, table_root(desc), arena, &cursor, err);
    }
    int at = 0;
    for (; at < count && rc == STRATA_OK && out->row_count < out->capacity; at++) {
        /* keycodec of one integer: the marker, then big-endian with the sign flipped. */
        uint8_t want[9];
        uint64_t big = __builtin_bswap64((uint64_t)keys[at] ^ (UINT64_C(1) << 63));
        want[0] = KEYCODEC_NOT_NULL;
        memcpy(want + 1, &big, 8);
        rc = btree_cursor_seek_ahead(cursor, want, sizeof want, err);
        if (rc != STRATA_OK || !btree_cursor_valid(cursor)) {
            at = rc == STRATA_OK ? count : at;
            break;
        }
        size_t key_len, encoded_len;
        const uint8_t *key = btree_cursor_key(cursor, &key_len);
        const uint8_t *encoded;
        if (key_len != sizeof want || memcmp(key, want, sizeof want) != 0) {
            continue;
        }
        rc = btree_cursor_value(cursor, arena, &encoded, &encoded_len, err);
        if (rc == STRATA_OK) {
            rc = emit_row(desc, &shape, columns, column_count, false, key, key_len, encoded,
                          encoded_len, values, out, err);
        }
    }
    btree_cursor_close(cursor);
    arena_destroy(arena);
    *consumed = at;
    return rc;
}

static const TableAm ROW_TABLE_AM = {
    .name = "row",
    .scans_in_key_order = true,
    .create = row_create,
    .drop = row_drop,
    .truncate = row_truncate,
    .scan_begin = row_scan_begin,
    .scan_next = row_scan_next,
    .scan_end = row_scan_end,
    .fetch = row_fetch,
    .fetch_int_keys = row_fetch_int_keys,
    .insert = row_insert,
    .update = row_update,
    .delete_rows = row_delete,
    .bulk_load = row_bulk_load,
    .stats = row_stats,
    .maintain = NULL,
};

const TableAm *row_table_am(void) { return &ROW_TABLE_AM; }
