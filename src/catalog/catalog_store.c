/*
 * catalog/catalog_store.c - the strata_catalog system table: bootstrap, load,
 * row writes for catalog edits, and sequence counters.
 *
 * The system table is a row-store table (TableAm "row") with the columns
 *   id int8 (primary key), kind int4 (CatObjectKind), data bytea (record)
 * whose storage root is pager meta slot CATALOG_META_ROOT. Every write goes
 * through the caller's write transaction, so DDL commits or rolls back with
 * it (and savepoints undo it).
 *
 * Threads: every function runs in the thread of its transaction.
 * See src/catalog/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "catalog/edit.h"
#include "util/assert.h"

static const SqlType system_types[3] = {{TYPE_INT8, -1}, {TYPE_INT4, -1}, {TYPE_BYTEA, -1}};
static const char *const system_names[3] = {"id", "kind", "data"};
static const bool system_not_null[3] = {true, true, true};
static const int system_key[1] = {0};

const TableDesc *cat_system_desc(uint64_t storage_root, TableDesc *out)
{
    memset(out, 0, sizeof(*out));
    out->table_id = CAT_ID_SYSTEM_TABLE;
    out->name = "strata_catalog";
    out->column_count = 3;
    out->column_types = system_types;
    out->column_names = system_names;
    out->column_not_null = system_not_null;
    out->key_count = 1;
    out->key_columns = system_key;
    out->storage_root = storage_root;
    return out;
}

static int system_am(const TableAm **am, Error *err)
{
    *am = tam_lookup("row");
    if (*am == NULL) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR,
                         "table access method \"row\" is not available");
    }
    return STRATA_OK;
}

uint64_t catalog_disk_version(PagerTxn *txn)
{
    uint64_t v = 0;
    pager_get_meta(txn, CATALOG_META_VERSION, &v);
    return v;
}

bool catalog_needs_bootstrap(PagerTxn *txn)
{
    uint64_t root = 0;
    pager_get_meta(txn, CATALOG_META_ROOT, &root);
    return root == 0;
}

/* ---- row access ---------------------------------------------------------------- */

static int system_desc_of(PagerTxn *txn, TableDesc *desc, Error *err)
{
    uint64_t root = 0;
    pager_get_meta(txn, CATALOG_META_ROOT, &root);
    if (root == 0) {
        return error_corrupt(err, "database has no catalog root");
    }
    cat_system_desc(root, desc);
    return STRATA_OK;
}

/* Finds the row id of key id (row_id->len == 0 if absent); row data copied into a. */
static int find_row(PagerTxn *txn, uint64_t id, Arena *a, StrRef *row_id, StrRef *data, Error *err)
{
    const TableAm *am;
    TableDesc desc;
    int rc = system_am(&am, err);
    if (rc == STRATA_OK) {
        rc = system_desc_of(txn, &desc, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    row_id->ptr = NULL;
    row_id->len = 0;
    Value key = value_i64(TYPE_INT8, (int64_t)id);
    KeyRange range = {.low = &key,
                      .low_count = 1,
                      .low_inclusive = true,
                      .high = &key,
                      .high_count = 1,
                      .high_inclusive = true};
    static const int cols[2] = {0, 2};
    ScanSpec spec = {.columns = cols, .column_count = 2, .want_row_id = true, .range = &range};
    SqlType types[3] = {{TYPE_INT8, -1}, {TYPE_BYTEA, -1}, {TYPE_BYTEA, -1}};
    Batch *batch = batch_create(a, types, 3, 16);
    if (batch == NULL) {
        return arena_error(a, err);
    }
    TableScan *scan;
    rc = tam_scan_begin(am, txn, &desc, &spec, a, &scan, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    while ((rc = tam_scan_next(am, scan, batch, err)) == STRATA_OK && batch->row_count > 0) {
        for (int k = 0; k < batch_active_count(batch); k++) {
            int row = batch_active_row(batch, k);
            if ((uint64_t)batch->columns[0].i64[row] != id) {
                continue;
            }
            StrRef rid = batch->columns[2].str[row];
            StrRef d = batch->columns[1].str[row];
            row_id->ptr = cat_copy_bytes(a, rid.ptr, rid.len);
            row_id->len = rid.len;
            if (data != NULL) {
                data->ptr = cat_copy_bytes(a, d.ptr, d.len);
                data->len = d.len;
            }
        }
    }
    tam_scan_end(am, scan);
    if (rc == STRATA_OK && arena_failed(a)) {
        rc = arena_error(a, err);
    }
    return rc;
}

static int write_row(PagerTxn *txn, uint64_t id, int kind, const uint8_t *data, size_t size,
                     Arena *a, Error *err)
{
    const TableAm *am;
    TableDesc desc;
    int rc = system_am(&am, err);
    if (rc == STRATA_OK) {
        rc = system_desc_of(txn, &desc, err);
    }
    StrRef row_id;
    if (rc == STRATA_OK) {
        rc = find_row(txn, id, a, &row_id, NULL, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Batch *batch = batch_create(a, system_types, 3, 1);
    if (batch == NULL) {
        return arena_error(a, err);
    }
    Value row[3] = {value_i64(TYPE_INT8, (int64_t)id), value_i64(TYPE_INT4, kind),
                    value_str(TYPE_BYTEA, (const char *)data, (uint32_t)size)};
    if (!batch_append_row(batch, row)) {
        return arena_error(a, err);
    }
    if (row_id.len > 0) {
        return tam_update(am, txn, &desc, &row_id, batch, NULL, a, err);
    }
    return tam_insert(am, txn, &desc, batch, NULL, a, err);
}

static int delete_row(PagerTxn *txn, uint64_t id, Arena *a, Error *err)
{
    const TableAm *am;
    TableDesc desc;
    int rc = system_am(&am, err);
    if (rc == STRATA_OK) {
        rc = system_desc_of(txn, &desc, err);
    }
    StrRef row_id;
    if (rc == STRATA_OK) {
        rc = find_row(txn, id, a, &row_id, NULL, err);
    }
    if (rc != STRATA_OK || row_id.len == 0) {
        return rc;
    }
    return tam_delete(am, txn, &desc, &row_id, 1, err);
}

int cat_store_put(PagerTxn *txn, uint64_t id, int kind, const uint8_t *data, size_t size,
                  Error *err)
{
    Arena *a = arena_create(NULL, 0, "catalog write");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = write_row(txn, id, kind, data, size, a, err);
    arena_destroy(a);
    return rc;
}

int cat_store_delete(PagerTxn *txn, uint64_t id, Error *err)
{
    Arena *a = arena_create(NULL, 0, "catalog write");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = delete_row(txn, id, a, err);
    arena_destroy(a);
    return rc;
}

/* ---- bootstrap and load --------------------------------------------------------- */

int catalog_bootstrap(PagerTxn *txn, Error *err)
{
    const TableAm *am;
    int rc = system_am(&am, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    TableDesc desc;
    cat_system_desc(0, &desc);
    rc = tam_create(am, txn, &desc, err);
    if (rc == STRATA_OK) {
        rc = pager_set_meta(txn, CATALOG_META_ROOT, desc.storage_root, err);
    }
    if (rc == STRATA_OK) {
        rc = pager_set_meta(txn, CATALOG_META_VERSION, 1, err);
    }
    if (rc == STRATA_OK) {
        rc = pager_set_meta(txn, CATALOG_META_NEXT_ID, CAT_FIRST_USER_ID, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Arena *a = arena_create(NULL, 0, "catalog bootstrap");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    CatSchema public_schema = {.id = CAT_ID_PUBLIC, .name = "public", .is_builtin = true};
    size_t size;
    uint8_t *data = cat_encode_schema(&public_schema, a, &size);
    rc = data == NULL ? arena_error(a, err)
                      : write_row(txn, CAT_ID_PUBLIC, CAT_OBJ_SCHEMA, data, size, a, err);
    arena_destroy(a);
    return rc;
}

typedef struct ObjectVec {
    CatObject *items;
    int count;
    int capacity;
} ObjectVec;

static int load_rows(PagerTxn *txn, Arena *a, ObjectVec *vec, Error *err)
{
    const TableAm *am;
    TableDesc desc;
    int rc = system_am(&am, err);
    if (rc == STRATA_OK) {
        rc = system_desc_of(txn, &desc, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    static const int cols[3] = {0, 1, 2};
    ScanSpec spec = {.columns = cols, .column_count = 3};
    Batch *batch = batch_create(a, system_types, 3, 0);
    TableScan *scan;
    if (batch == NULL) {
        return arena_error(a, err);
    }
    rc = tam_scan_begin(am, txn, &desc, &spec, a, &scan, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    while ((rc = tam_scan_next(am, scan, batch, err)) == STRATA_OK && batch->row_count > 0) {
        for (int k = 0; k < batch_active_count(batch); k++) {
            int row = batch_active_row(batch, k);
            int kind = (int)batch->columns[1].i64[row];
            if (kind == CAT_OBJ_SEQ_VALUE) {
                continue;
            }
            if (vec->count == vec->capacity) {
                int cap = vec->capacity ? vec->capacity * 2 : 64;
                CatObject *grown =
                    arena_realloc(a, vec->items, sizeof(CatObject) * (size_t)vec->capacity,
                                  sizeof(CatObject) * (size_t)cap);
                if (grown == NULL) {
                    rc = arena_error(a, err);
                    break;
                }
                vec->items = grown;
                vec->capacity = cap;
            }
            StrRef d = batch->columns[2].str[row];
            CatObject *o = &vec->items[vec->count++];
            o->id = (uint64_t)batch->columns[0].i64[row];
            o->kind = kind;
            o->data = cat_copy_bytes(a, d.ptr, d.len);
            o->size_bytes = d.len;
            if (o->data == NULL) {
                rc = arena_error(a, err);
                break;
            }
        }
        if (rc != STRATA_OK) {
            break;
        }
    }
    tam_scan_end(am, scan);
    return rc;
}

int catalog_load(PagerTxn *txn, Catalog **out, Error *err)
{
    *out = NULL;
    Arena *a = arena_create(NULL, 0, "catalog load");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    ObjectVec vec = {0};
    int rc = load_rows(txn, a, &vec, err);
    if (rc == STRATA_OK) {
        rc = catalog_build(vec.items, vec.count, catalog_disk_version(txn), out, err);
    }
    arena_destroy(a);
    return rc;
}

/* ---- sequences ------------------------------------------------------------------ */

/* Counter row: i64 last_value, u8 is_called. */
int catalog_sequence_get(PagerTxn *txn, const CatSequence *s, int64_t *last_value, bool *is_called,
                         Error *err)
{
    Arena *a = arena_create(NULL, 0, "sequence");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    StrRef row_id, data;
    int rc = find_row(txn, s->id | CAT_SEQ_VALUE_BIT, a, &row_id, &data, err);
    if (rc == STRATA_OK) {
        if (row_id.len == 0) {
            *last_value = s->start;
            *is_called = false;
        } else if (data.len != 9) {
            rc = error_corrupt(err, "counter of sequence \"%s\" is corrupt", s->name);
        } else {
            uint64_t v = 0;
            for (int b = 7; b >= 0; b--) {
                v = v << 8 | (uint8_t)data.ptr[b];
            }
            *last_value = (int64_t)v;
            *is_called = data.ptr[8] != 0;
        }
    }
    arena_destroy(a);
    return rc;
}

int catalog_sequence_set(PagerTxn *txn, const CatSequence *s, int64_t last_value, bool is_called,
                         Error *err)
{
    uint8_t data[9];
    uint64_t v = (uint64_t)last_value;
    for (int b = 0; b < 8; b++) {
        data[b] = (uint8_t)(v >> (8 * b));
    }
    data[8] = is_called;
    return cat_store_put(txn, s->id | CAT_SEQ_VALUE_BIT, CAT_OBJ_SEQ_VALUE, data, 9, err);
}

int catalog_sequence_step(const CatSequence *s, int64_t last, bool called, int64_t *out, Error *err)
{
    int64_t next = last;
    if (called) {
        if (__builtin_add_overflow(last, s->increment, &next) ||
            (s->increment > 0 && next > s->max_value) ||
            (s->increment < 0 && next < s->min_value)) {
            if (!s->cycle) {
                return error_set(err, SQLSTATE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                                 "nextval: reached %s value of sequence \"%s\" (%lld)",
                                 s->increment > 0 ? "maximum" : "minimum", s->name,
                                 (long long)(s->increment > 0 ? s->max_value : s->min_value));
            }
            next = s->increment > 0 ? s->min_value : s->max_value;
        }
    }
    *out = next;
    return STRATA_OK;
}

int catalog_sequence_next(PagerTxn *txn, const CatSequence *s, int64_t *out, Error *err)
{
    int64_t last, next;
    bool called;
    int rc = catalog_sequence_get(txn, s, &last, &called, err);
    if (rc == STRATA_OK) {
        rc = catalog_sequence_step(s, last, called, &next, err);
    }
    if (rc == STRATA_OK) {
        rc = catalog_sequence_set(txn, s, next, true, err);
    }
    if (rc == STRATA_OK) {
        *out = next;
    }
    return rc;
}

int catalog_sequence_drop_counter(PagerTxn *txn, const CatSequence *s, Error *err)
{
    return cat_store_delete(txn, s->id | CAT_SEQ_VALUE_BIT, err);
}
