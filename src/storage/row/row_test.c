/*
 * storage/row/row_test.c - the "row" table access method and the "btree"
 * index method against in-memory models.
 *
 * Row TAM: random insert / update (key kept or changed) / delete / scan
 * (projection, row ids, reverse, primary-key prefix ranges) / fetch, with a
 * primary key of one column, a composite key, and none (hidden row number),
 * over all types with NULLs; statements that fail (23505) are undone with a
 * pager savepoint, transactions commit or roll back. Index AM: unique
 * violations, NULLs never conflict, range scans in both directions over
 * composite prefixes with a DESC column, INCLUDE columns, estimates.
 * Crash: power loss at every Nth write (fault VFS) leaves a table whose rows,
 * metadata count and B+tree agree with some committed state.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/btree/btree.h"
#include "storage/row/keycodec.h"
#include "storage/row/row_am.h"
#include "storage/row/rowcodec.h"
#include "storage/vfs/vfs.h"
#include "storage/vfs/vfs_fault.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static bool quick(void)
{
    const char *env = getenv("STRATA_TEST_QUICK");
    return env != NULL && *env != '\0' && *env != '0';
}

/* ---- Values -------------------------------------------------------------------- */

static Value random_value(SqlType type, uint64_t *rng, Arena *arena, bool allow_null, int domain)
{
    Value value = {0};
    value.type = type;
    if (allow_null && test_rand(rng) % 6 == 0) {
        value.is_null = true;
        return value;
    }
    uint64_t pick = test_rand(rng) % (uint64_t)domain;
    switch (type_phys(type.id)) {
    case PHYS_BOOL:
        value.b = pick & 1;
        break;
    case PHYS_I64:
        value.i64 = (int64_t)pick - domain / 2;
        break;
    case PHYS_F64:
        value.f64 = (double)pick / 4 - 3;
        break;
    case PHYS_DECIMAL:
        value.dec.coef = (__int128)pick * 10 - 50;
        value.dec.scale = (int16_t)(pick % 3);
        break;
    case PHYS_STRING: {
        size_t len = test_rand(rng) % 4 == 0 ? 3000 + pick : pick % 7;
        char *text = arena_alloc(arena, len + 1);
        for (size_t pos = 0; pos < len; pos++) {
            text[pos] = (char)(pos % 5 == 4 ? 0 : 'a' + (pick + pos) % 3);
        }
        value.str.ptr = text;
        value.str.len = (uint32_t)len;
        if (test_rand(rng) % 2) {
            value.str.len = (uint32_t)(pick % 4);
        }
        break;
    }
    case PHYS_INTERVAL:
        value.iv.days = (int32_t)pick;
        value.iv.micros = (int64_t)pick * 1000;
        value.iv.months = (int32_t)(pick % 2);
        break;
    case PHYS_UUID:
        memset(value.uuid.bytes, (int)pick, 16);
        break;
    }
    return value;
}

static bool same_value(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null) {
        return a->is_null == b->is_null;
    }
    switch (type_phys(a->type.id)) {
    case PHYS_BOOL:
        return a->b == b->b;
    case PHYS_I64:
        return a->i64 == b->i64;
    case PHYS_F64:
        return memcmp(&a->f64, &b->f64, 8) == 0;
    case PHYS_DECIMAL:
        return a->dec.coef == b->dec.coef && a->dec.scale == b->dec.scale &&
               a->dec.flags == b->dec.flags;
    case PHYS_STRING:
        return a->str.len == b->str.len &&
               (a->str.len == 0 || memcmp(a->str.ptr, b->str.ptr, a->str.len) == 0);
    case PHYS_INTERVAL:
        return memcmp(&a->iv, &b->iv, sizeof a->iv) == 0;
    case PHYS_UUID:
        return memcmp(a->uuid.bytes, b->uuid.bytes, 16) == 0;
    }
    return false;
}

static int compare_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    return btree_key_compare(a, a_len, b, b_len);
}

/* ---- The table model ----------------------------------------------------------- */

enum { COLS = 10, MODEL_MAX = 4096 };

static const SqlType TABLE_TYPES[COLS] = {
    {TYPE_INT8, -1}, {TYPE_TEXT, -1}, {TYPE_INT4, -1}, {TYPE_NUMERIC, -1}, {TYPE_BOOL, -1},
    {TYPE_FLOAT8, -1}, {TYPE_TIMESTAMP, -1}, {TYPE_INTERVAL, -1}, {TYPE_UUID, -1},
    {TYPE_BYTEA, -1},
};
static const char *const TABLE_NAMES[COLS] = {"id", "name", "n", "amount", "flag",
                                              "f", "ts", "span", "u", "data"};

typedef struct ModelRow {
    Value values[COLS];
    uint8_t *key;      /* the row id */
    size_t key_len;
} ModelRow;

typedef struct TableModel {
    ModelRow rows[MODEL_MAX];
    int count;
} TableModel;

static int model_find(const TableModel *model, const uint8_t *key, size_t key_len)
{
    for (int row = 0; row < model->count; row++) {
        if (compare_bytes(model->rows[row].key, model->rows[row].key_len, key, key_len) == 0) {
            return row;
        }
    }
    return -1;
}

static int compare_rows(const void *a, const void *b)
{
    const ModelRow *left = a, *right = b;
    return compare_bytes(left->key, left->key_len, right->key, right->key_len);
}

/* The model's key for a row of a table with a primary key. */
static void model_key(const TableDesc *desc, const Value *values, Arena *arena, uint8_t **key,
                      size_t *key_len)
{
    Value key_values[COLS];
    for (int index = 0; index < desc->key_count; index++) {
        key_values[index] = values[desc->key_columns[index]];
    }
    Error err;
    keycodec_encode(arena, key_values, NULL, desc->key_count, NULL, 0, key, key_len, &err);
}

static Batch *rows_batch(Arena *arena, Value rows[][COLS], int count)
{
    Batch *batch = batch_create(arena, TABLE_TYPES, COLS, count);
    for (int row = 0; row < count; row++) {
        batch_append_row(batch, rows[row]);
    }
    return batch;
}

/* Full comparison of the table with the model: forward and reverse scans with
 * a random projection and row ids, stats, btree_check. */
static void verify_table(PagerTxn *txn, const TableAm *am, const TableDesc *desc,
                         TableModel *model, Arena *arena, uint64_t *rng)
{
    Error err;
    qsort(model->rows, (size_t)model->count, sizeof(ModelRow), compare_rows);
    int columns[COLS];
    int column_count = 1 + (int)(test_rand(rng) % COLS);
    SqlType types[COLS + 1];
    for (int col = 0; col < column_count; col++) {
        columns[col] = (int)(test_rand(rng) % COLS);
        types[col] = TABLE_TYPES[columns[col]];
    }
    types[column_count] = sql_type(TYPE_BYTEA);
    for (int reverse = 0; reverse <= 1; reverse++) {
        ScanSpec spec = {columns, column_count, true, NULL, reverse != 0, NULL, 0, false, NULL, NULL};
        TableScan *scan = NULL;
        REQUIRE(tam_scan_begin(am, txn, desc, &spec, arena, &scan, &err) == STRATA_OK);
        Batch *batch = batch_create(arena, types, column_count + 1, 7 + (int)(test_rand(rng) % 50));
        int seen = 0;
        for (;;) {
            int rc = tam_scan_next(am, scan, batch, &err);
            if (rc != STRATA_OK) {
                fprintf(stderr, "  scan: %s\n", err.message);
            }
            REQUIRE(rc == STRATA_OK);
            if (batch->row_count == 0) {
                break;
            }
            for (int row = 0; row < batch->row_count && seen < model->count; row++, seen++) {
                const ModelRow *expect = &model->rows[reverse ? model->count - 1 - seen : seen];
                for (int col = 0; col < column_count; col++) {
                    Value got;
                    batch_get_value(batch, col, row, &got);
                    CHECK(same_value(&got, &expect->values[columns[col]]));
                }
                Value id;
                batch_get_value(batch, column_count, row, &id);
                CHECK(compare_bytes((const uint8_t *)id.str.ptr, id.str.len, expect->key,
                                    expect->key_len) == 0);
            }
        }
        CHECK_EQ_INT(seen, model->count);
        tam_scan_end(am, scan);
    }
    TableStats stats;
    REQUIRE(tam_stats(am, txn, desc, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.row_count, model->count);
    CHECK(stats.row_count_is_exact && stats.bytes_on_disk >= PAGE_SIZE);
    BTreeCheckStats check;
    CHECK(btree_check(txn, (Pgno)desc->storage_root, &check, &err) == STRATA_OK);
    CHECK_EQ_INT(check.key_count, model->count + 1);
}

/* A range scan on the primary key prefix, compared with the model. */
static void verify_range(PagerTxn *txn, const TableAm *am, const TableDesc *desc,
                         TableModel *model, Arena *arena, uint64_t *rng)
{
    Error err;
    Value low[2], high[2];
    KeyRange range = {low, (int)(test_rand(rng) % (uint64_t)(desc->key_count + 1)),
                      test_rand(rng) % 2 == 0, high,
                      (int)(test_rand(rng) % (uint64_t)(desc->key_count + 1)),
                      test_rand(rng) % 2 == 0};
    for (int index = 0; index < desc->key_count; index++) {
        SqlType type = TABLE_TYPES[desc->key_columns[index]];
        low[index] = random_value(type, rng, arena, false, 12);
        high[index] = random_value(type, rng, arena, false, 12);
    }
    uint8_t *low_key, *high_key;
    size_t low_len, high_len;
    keycodec_encode(arena, low, NULL, range.low_count, NULL, 0, &low_key, &low_len, &err);
    keycodec_encode(arena, high, NULL, range.high_count, NULL, 0, &high_key, &high_len, &err);
    bool reverse = test_rand(rng) % 2;
    int expected[MODEL_MAX];
    int expected_count = 0;
    for (int row = 0; row < model->count; row++) {
        const ModelRow *model_row = &model->rows[row];
        size_t prefix_len;
        Error skip_err;
        SqlType key_types[2];
        for (int index = 0; index < desc->key_count; index++) {
            key_types[index] = TABLE_TYPES[desc->key_columns[index]];
        }
        bool ok = true;
        if (range.low_count > 0) {
            keycodec_skip(model_row->key, model_row->key_len, key_types, NULL, range.low_count,
                          &prefix_len, &skip_err);
            int cmp = compare_bytes(model_row->key, prefix_len, low_key, low_len);
            ok = ok && (range.low_inclusive ? cmp >= 0 : cmp > 0);
        }
        if (range.high_count > 0) {
            keycodec_skip(model_row->key, model_row->key_len, key_types, NULL, range.high_count,
                          &prefix_len, &skip_err);
            int cmp = compare_bytes(model_row->key, prefix_len, high_key, high_len);
            ok = ok && (range.high_inclusive ? cmp <= 0 : cmp < 0);
        }
        if (ok) {
            expected[expected_count++] = row;
        }
    }
    int columns[1] = {1};
    SqlType types[2] = {TABLE_TYPES[1], sql_type(TYPE_BYTEA)};
    ScanSpec spec = {columns, 1, true, &range, reverse, NULL, 0, false, NULL, NULL};
    TableScan *scan = NULL;
    REQUIRE(tam_scan_begin(am, txn, desc, &spec, arena, &scan, &err) == STRATA_OK);
    Batch *batch = batch_create(arena, types, 2, 16);
    int seen = 0;
    for (;;) {
        REQUIRE(tam_scan_next(am, scan, batch, &err) == STRATA_OK);
        if (batch->row_count == 0) {
            break;
        }
        for (int row = 0; row < batch->row_count; row++, seen++) {
            if (seen >= expected_count) {
                continue;
            }
            const ModelRow *expect =
                &model->rows[expected[reverse ? expected_count - 1 - seen : seen]];
            Value id;
            batch_get_value(batch, 1, row, &id);
            CHECK(compare_bytes((const uint8_t *)id.str.ptr, id.str.len, expect->key,
                                expect->key_len) == 0);
        }
    }
    CHECK_EQ_INT(seen, expected_count);
    tam_scan_end(am, scan);
}

/* One statement: insert a few rows; a duplicate key undoes the statement. */
static void step_insert(PagerTxn *txn, const TableAm *am, const TableDesc *desc,
                        TableModel *model, Arena *arena, uint64_t *rng, int domain)
{
    Error err;
    Value rows[8][COLS];
    int count = 1 + (int)(test_rand(rng) % 8);
    if (model->count + count >= MODEL_MAX) {
        return;
    }
    uint8_t *keys[8];
    size_t key_lens[8];
    int expect_rc = STRATA_OK;
    const char *expect_state = "00000";
    for (int row = 0; row < count; row++) {
        for (int col = 0; col < COLS; col++) {
            bool is_key = false;
            for (int index = 0; index < desc->key_count; index++) {
                is_key = is_key || desc->key_columns[index] == col;
            }
            rows[row][col] = random_value(TABLE_TYPES[col], rng, arena, !is_key,
                                          is_key ? domain : 1000);
        }
        if (desc->key_count > 0 && expect_rc == STRATA_OK) {
            model_key(desc, rows[row], arena, &keys[row], &key_lens[row]);
            bool dup = model_find(model, keys[row], key_lens[row]) >= 0;
            for (int prev = 0; prev < row; prev++) {
                dup = dup || compare_bytes(keys[prev], key_lens[prev], keys[row],
                                           key_lens[row]) == 0;
            }
            if (key_lens[row] > BTREE_KEY_MAX) {
                expect_rc = STRATA_ERROR;
                expect_state = "54000";
            } else if (dup) {
                expect_rc = STRATA_CONSTRAINT;
                expect_state = "23505";
            }
        }
    }
    uint32_t savepoint;
    REQUIRE(pager_savepoint(txn, &savepoint, &err) == STRATA_OK);
    StrRef ids[8];
    int rc = tam_insert(am, txn, desc, rows_batch(arena, rows, count), ids, arena, &err);
    CHECK_EQ_INT(rc, expect_rc);
    if (rc != STRATA_OK) {
        CHECK_EQ_STR(err.sqlstate, expect_state);
        CHECK(strstr(err.message, "_pkey\"") != NULL);
        CHECK(rc != STRATA_CONSTRAINT || strncmp(err.detail, "Key (", 5) == 0);
        REQUIRE(pager_rollback_to(txn, savepoint, &err) == STRATA_OK);
        pager_release_savepoint(txn, savepoint);
        return;
    }
    pager_release_savepoint(txn, savepoint);
    for (int row = 0; row < count; row++) {
        ModelRow *model_row = &model->rows[model->count++];
        memcpy(model_row->values, rows[row], sizeof rows[row]);
        model_row->key = (uint8_t *)ids[row].ptr;
        model_row->key_len = ids[row].len;
        if (desc->key_count > 0) {
            CHECK(compare_bytes(keys[row], key_lens[row], model_row->key, model_row->key_len) == 0);
        }
    }
}

static void step_update(PagerTxn *txn, const TableAm *am, const TableDesc *desc,
                        TableModel *model, Arena *arena, uint64_t *rng, int domain)
{
    if (model->count == 0) {
        return;
    }
    Error err;
    int target = (int)(test_rand(rng) % (uint64_t)model->count);
    Value row[1][COLS];
    memcpy(row[0], model->rows[target].values, sizeof row[0]);
    int col = (int)(test_rand(rng) % COLS);
    bool is_key = false;
    for (int index = 0; index < desc->key_count; index++) {
        is_key = is_key || desc->key_columns[index] == col;
    }
    row[0][col] = random_value(TABLE_TYPES[col], rng, arena, !is_key, is_key ? domain : 1000);
    uint8_t *new_key = model->rows[target].key;
    size_t new_len = model->rows[target].key_len;
    if (desc->key_count > 0) {
        model_key(desc, row[0], arena, &new_key, &new_len);
    }
    int other = model_find(model, new_key, new_len);
    bool expect_dup = other >= 0 && other != target;
    bool expect_long = new_len > BTREE_KEY_MAX;
    uint32_t savepoint;
    REQUIRE(pager_savepoint(txn, &savepoint, &err) == STRATA_OK);
    StrRef new_id;
    StrRef old_id = {(const char *)model->rows[target].key, (uint32_t)model->rows[target].key_len};
    int rc = tam_update(am, txn, desc, &old_id, rows_batch(arena, row, 1), &new_id, arena, &err);
    CHECK(rc == (expect_long ? STRATA_ERROR : expect_dup ? STRATA_CONSTRAINT : STRATA_OK));
    if (rc != STRATA_OK) {
        REQUIRE(pager_rollback_to(txn, savepoint, &err) == STRATA_OK);
    } else {
        memcpy(model->rows[target].values, row[0], sizeof row[0]);
        model->rows[target].key = (uint8_t *)new_id.ptr;
        model->rows[target].key_len = new_id.len;
        CHECK(compare_bytes(new_key, new_len, (const uint8_t *)new_id.ptr, new_id.len) == 0);
    }
    pager_release_savepoint(txn, savepoint);
}

static void step_delete_and_fetch(PagerTxn *txn, const TableAm *am, const TableDesc *desc,
                                  TableModel *model, Arena *arena, uint64_t *rng)
{
    Error err;
    if (model->count == 0) {
        return;
    }
    /* Fetch a few ids (one made up) before deleting one of them. */
    StrRef ids[4];
    int targets[3];
    for (int index = 0; index < 3; index++) {
        targets[index] = (int)(test_rand(rng) % (uint64_t)model->count);
        ids[index].ptr = (const char *)model->rows[targets[index]].key;
        ids[index].len = (uint32_t)model->rows[targets[index]].key_len;
    }
    ids[3].ptr = "\x01\xff\xff";
    ids[3].len = 3;
    int columns[3] = {2, 0, 1};
    SqlType types[4] = {TABLE_TYPES[2], TABLE_TYPES[0], TABLE_TYPES[1], sql_type(TYPE_BYTEA)};
    Batch *batch = batch_create(arena, types, 4, 8);
    REQUIRE(tam_fetch(am, txn, desc, ids, 4, columns, 3, true, batch, &err) == STRATA_OK);
    REQUIRE(batch->row_count == 3);
    for (int row = 0; row < 3; row++) {
        for (int col = 0; col < 3; col++) {
            Value got;
            batch_get_value(batch, col, row, &got);
            CHECK(same_value(&got, &model->rows[targets[row]].values[columns[col]]));
        }
    }
    REQUIRE(tam_delete(am, txn, desc, ids, 1, &err) == STRATA_OK);
    model->rows[targets[0]] = model->rows[--model->count];
    /* Deleting it again: XX000, nothing changes after the savepoint rollback. */
    uint32_t savepoint;
    REQUIRE(pager_savepoint(txn, &savepoint, &err) == STRATA_OK);
    CHECK(tam_delete(am, txn, desc, ids, 1, &err) == STRATA_ERROR);
    CHECK_EQ_STR(err.sqlstate, "XX000");
    REQUIRE(pager_rollback_to(txn, savepoint, &err) == STRATA_OK);
    pager_release_savepoint(txn, savepoint);
}

/* Fills every counter slot of the header page with keys no table has, so the
 * table keeps its row count in its metadata entry (what a format 1 file does,
 * and the fallback past PAGER_COUNTER_SLOTS tables); set: take or free them. */
static void set_dummy_counter_slots(PagerTxn *txn, bool take)
{
    Error err;
    for (Pgno key = 0x7fff0000u; key < 0x7fff0000u + PAGER_COUNTER_SLOTS; key++) {
        uint64_t values[2] = {key, key};
        bool stored = false;
        if (take) {
            REQUIRE(pager_counter_set(txn, key, values, &stored, &err) == STRATA_OK);
        } else {
            REQUIRE(pager_counter_drop(txn, key, &err) == STRATA_OK);
        }
    }
}

/* With slots_full, the run starts with every counter slot taken and frees them
 * halfway: the count moves from the metadata entry to a slot mid-run. */
static bool slots_full;

static void run_table_model(const char *name, int key_count, const int *key_columns)
{
    char label[64];
    snprintf(label, sizeof label, "row_test table %s", name);
    uint64_t rng = test_seed(label);
    const TableAm *am = tam_lookup("row");
    REQUIRE(am != NULL);
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "row model");
    TableModel *model = calloc(2, sizeof(TableModel));
    TableModel *committed = model + 1;
    TableDesc desc = {1, name, COLS, TABLE_TYPES, TABLE_NAMES, NULL, key_count, key_columns, 0};
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    if (slots_full) {
        set_dummy_counter_slots(txn, true);
    }
    REQUIRE(tam_create(am, txn, &desc, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    int phases = quick() ? 6 : 60;
    int domain = key_count == 1 ? 300 : 8;
    for (int phase = 0; phase < phases && !test_current_failed; phase++) {
        REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
        uint64_t values[2];
        bool has_slot = pager_counter_get(txn, (Pgno)desc.storage_root, values);
        CHECK(!(slots_full && phase <= phases / 2) || !has_slot);
        if (slots_full && phase == phases / 2) {
            set_dummy_counter_slots(txn, false);
            REQUIRE(pager_commit(txn, &err) == STRATA_OK);
            REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
        }
        int steps = 20 + (int)(test_rand(&rng) % 80);
        for (int step = 0; step < steps && !test_current_failed; step++) {
            uint64_t kind = test_rand(&rng) % 10;
            if (kind < 5) {
                step_insert(txn, am, &desc, model, arena, &rng, domain);
            } else if (kind < 7) {
                step_update(txn, am, &desc, model, arena, &rng, domain);
            } else if (kind < 8) {
                step_delete_and_fetch(txn, am, &desc, model, arena, &rng);
            } else if (key_count > 0) {
                qsort(model->rows, (size_t)model->count, sizeof(ModelRow), compare_rows);
                verify_range(txn, am, &desc, model, arena, &rng);
            }
        }
        verify_table(txn, am, &desc, model, arena, &rng);
        if (test_rand(&rng) % 4 != 0) {
            REQUIRE(pager_commit(txn, &err) == STRATA_OK);
            memcpy(committed, model, sizeof *model);
        } else {
            pager_rollback(txn);
            memcpy(model, committed, sizeof *model);
        }
    }
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    verify_table(txn, am, &desc, model, arena, &rng);
    REQUIRE(tam_truncate(am, txn, &desc, &err) == STRATA_OK);
    uint64_t values[2];
    CHECK(pager_counter_get(txn, (Pgno)desc.storage_root, values) && values[0] == 0);
    model->count = 0;
    verify_table(txn, am, &desc, model, arena, &rng);
    REQUIRE(tam_drop(am, txn, &desc, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    free(model);
    arena_destroy(arena);
    pager_close(pager, &err);
}

static void test_table_single_key(void)
{
    static const int key[] = {0};
    run_table_model("single", 1, key);
}

static void test_table_composite_key(void)
{
    static const int key[] = {1, 2};
    run_table_model("composite", 2, key);
}

static void test_table_hidden_key(void) { run_table_model("hidden", 0, NULL); }

/* The row count in the metadata entry (all counter slots taken), then in a
 * slot once they are freed: exact throughout, rollbacks and savepoint
 * rollbacks included (verify_table compares it with the model). */
static void test_table_counter_slots_full(void)
{
    static const int key[1] = {0};
    slots_full = true;
    run_table_model("slots full", 1, key);
    slots_full = false;
}

static void test_duplicate_message(void)
{
    const TableAm *am = tam_lookup("row");
    CHECK(tam_lookup("nope") == NULL);
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "dup");
    static const int key[] = {0};
    TableDesc desc = {1, "t", COLS, TABLE_TYPES, TABLE_NAMES, NULL, 1, key, 0};
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(tam_create(am, txn, &desc, &err) == STRATA_OK);
    Value rows[1][COLS];
    for (int col = 0; col < COLS; col++) {
        rows[0][col] = value_null(TABLE_TYPES[col]);
    }
    rows[0][0] = value_i64(TYPE_INT8, 1);
    REQUIRE(tam_insert(am, txn, &desc, rows_batch(arena, rows, 1), NULL, arena, &err) == STRATA_OK);
    CHECK(tam_insert(am, txn, &desc, rows_batch(arena, rows, 1), NULL, arena, &err) ==
          STRATA_CONSTRAINT);
    CHECK_EQ_STR(err.message, "duplicate key value violates unique constraint \"t_pkey\"");
    CHECK_EQ_STR(err.detail, "Key (id)=(1) already exists.");
    rows[0][0] = value_null(TABLE_TYPES[0]);
    CHECK(tam_insert(am, txn, &desc, rows_batch(arena, rows, 1), NULL, arena, &err) ==
          STRATA_CONSTRAINT);
    CHECK_EQ_STR(err.sqlstate, "23502");
    pager_rollback(txn);
    arena_destroy(arena);
    pager_close(pager, &err);
}

/* A batch of 700 rows goes in as runs (row_insert, btree_insert_run): the rows
 * before a duplicate key (row 500) or a NULL key (row 300 of the next batch)
 * stay inserted, with the row-by-row error and the metadata count, and the
 * row ids returned are the keys. */
static void test_insert_runs(void)
{
    const TableAm *am = tam_lookup("row");
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "runs");
    static const int key[] = {0};
    TableDesc desc = {1, "t", COLS, TABLE_TYPES, TABLE_NAMES, NULL, 1, key, 0};
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(tam_create(am, txn, &desc, &err) == STRATA_OK);
    enum { ROWS = 700 };
    Value (*rows)[COLS] = arena_alloc(arena, sizeof(Value) * COLS * ROWS);
    for (int row = 0; row < ROWS; row++) {
        for (int col = 0; col < COLS; col++) {
            rows[row][col] = value_null(TABLE_TYPES[col]);
        }
        rows[row][0] = value_i64(TYPE_INT8, row == 500 ? 10 : row);
    }
    StrRef *ids = arena_alloc(arena, sizeof(StrRef) * ROWS);
    CHECK(tam_insert(am, txn, &desc, rows_batch(arena, rows, ROWS), ids, arena, &err) ==
          STRATA_CONSTRAINT);
    CHECK_EQ_STR(err.detail, "Key (id)=(10) already exists.");
    TableStats stats;
    REQUIRE(tam_stats(am, txn, &desc, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.row_count, 500);
    uint8_t *expected_key;
    size_t expected_len;
    model_key(&desc, rows[499], arena, &expected_key, &expected_len);
    CHECK(compare_bytes((const uint8_t *)ids[499].ptr, ids[499].len, expected_key, expected_len) == 0);
    for (int row = 0; row < ROWS; row++) {
        rows[row][0] = row == 300 ? value_null(TABLE_TYPES[0]) : value_i64(TYPE_INT8, 1000 + row);
    }
    error_clear(&err);
    CHECK(tam_insert(am, txn, &desc, rows_batch(arena, rows, ROWS), NULL, arena, &err) ==
          STRATA_CONSTRAINT);
    CHECK_EQ_STR(err.sqlstate, "23502");
    REQUIRE(tam_stats(am, txn, &desc, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.row_count, 800);
    BTreeCheckStats check;
    REQUIRE(btree_check(txn, (Pgno)desc.storage_root, &check, &err) == STRATA_OK);
    CHECK_EQ_INT(check.key_count, 801); /* and the metadata entry */
    /* Without a primary key the row ids are keycodec's int8 row numbers 1, 2, ... */
    TableDesc hidden = {2, "h", COLS, TABLE_TYPES, TABLE_NAMES, NULL, 0, NULL, 0};
    REQUIRE(tam_create(am, txn, &hidden, &err) == STRATA_OK);
    REQUIRE(tam_insert(am, txn, &hidden, rows_batch(arena, rows, 3), ids, arena, &err) ==
            STRATA_OK);
    for (int row = 0; row < 3; row++) {
        Value number = value_i64(TYPE_INT8, row + 1);
        uint8_t *want;
        size_t want_len;
        REQUIRE(keycodec_encode(arena, &number, NULL, 1, NULL, 0, &want, &want_len, &err) ==
                STRATA_OK);
        CHECK(compare_bytes((const uint8_t *)ids[row].ptr, ids[row].len, want, want_len) == 0);
    }
    pager_rollback(txn);
    arena_destroy(arena);
    pager_close(pager, &err);
}

/* An integer primary key is kept once, in the B+tree key: the row value holds
 * NULL there and scans and fetches read the key's value (issue 6); a row that
 * still has the value (written before) reads the same. */
static void test_key_columns_from_key(void)
{
    const TableAm *am = tam_lookup("row");
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "keyed");
    static const int key[] = {0};
    TableDesc desc = {1, "t", COLS, TABLE_TYPES, TABLE_NAMES, NULL, 1, key, 0};
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(tam_create(am, txn, &desc, &err) == STRATA_OK);
    Value rows[1][COLS];
    for (int col = 0; col < COLS; col++) {
        rows[0][col] = value_null(TABLE_TYPES[col]);
    }
    rows[0][0] = value_i64(TYPE_INT8, 42);
    rows[0][2] = value_i64(TYPE_INT4, -5);
    REQUIRE(tam_insert(am, txn, &desc, rows_batch(arena, rows, 1), NULL, arena, &err) == STRATA_OK);
    uint8_t *key42;
    size_t key42_len;
    REQUIRE(keycodec_encode(arena, &rows[0][0], NULL, 1, NULL, 0, &key42, &key42_len, &err) ==
            STRATA_OK);
    const uint8_t *stored;
    size_t stored_len;
    bool found = false;
    REQUIRE(btree_get(txn, (Pgno)desc.storage_root, key42, key42_len, arena, &stored, &stored_len,
                      &found, &err) == STRATA_OK);
    REQUIRE(found);
    int all[COLS];
    Value decoded[COLS];
    for (int col = 0; col < COLS; col++) {
        all[col] = col;
    }
    REQUIRE(rowcodec_decode(stored, stored_len, TABLE_TYPES, COLS, all, COLS, decoded, &err) ==
            STRATA_OK);
    CHECK(decoded[0].is_null);
    CHECK(!decoded[2].is_null && decoded[2].i64 == -5);
    /* A row written with the key column in its value, as before. */
    rows[0][0] = value_i64(TYPE_INT8, 7);
    uint8_t *key7, *value7;
    size_t key7_len, value7_len;
    REQUIRE(keycodec_encode(arena, &rows[0][0], NULL, 1, NULL, 0, &key7, &key7_len, &err) ==
            STRATA_OK);
    REQUIRE(rowcodec_encode(arena, rows[0], COLS, &value7, &value7_len, &err) == STRATA_OK);
    REQUIRE(btree_insert(txn, (Pgno)desc.storage_root, key7, key7_len, value7, value7_len,
                         BTREE_INSERT_NEW, NULL, &err) == STRATA_OK);
    /* Scan projecting (n, id): 7 then 42, both with n = -5. */
    static const int projection[2] = {2, 0};
    ScanSpec spec = {projection, 2, false, NULL, false, NULL, 0, false, NULL, NULL};
    TableScan *scan;
    REQUIRE(tam_scan_begin(am, txn, &desc, &spec, arena, &scan, &err) == STRATA_OK);
    SqlType out_types[2] = {TABLE_TYPES[2], TABLE_TYPES[0]};
    Batch *out = batch_create(arena, out_types, 2, 16);
    REQUIRE(tam_scan_next(am, scan, out, &err) == STRATA_OK);
    REQUIRE(out->row_count == 2);
    CHECK(out->columns[1].i64[0] == 7 && out->columns[1].i64[1] == 42);
    CHECK(out->columns[0].i64[0] == -5 && out->columns[0].i64[1] == -5);
    tam_scan_end(am, scan);
    /* Fetch by row id gives the key's value too. */
    StrRef id = {(const char *)key42, (uint32_t)key42_len};
    batch_reset(out);
    REQUIRE(tam_fetch(am, txn, &desc, &id, 1, projection, 2, false, out, &err) == STRATA_OK);
    REQUIRE(out->row_count == 1);
    CHECK(out->columns[1].i64[0] == 42);
    pager_rollback(txn);
    arena_destroy(arena);
    pager_close(pager, &err);
}

/* fetch_int_keys (issue 6's lazy dimension builds): sorted key lists with
 * present and absent keys across many leaves, looked up through a small
 * output batch (several calls, *consumed adding up), in both projection
 * shapes, against the rows that were inserted. */
static void test_fetch_int_keys(void)
{
    const TableAm *am = tam_lookup("row");
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "fetch keys");
    static const int key[] = {0};
    TableDesc desc = {1, "t", COLS, TABLE_TYPES, TABLE_NAMES, NULL, 1, key, 0};
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(tam_create(am, txn, &desc, &err) == STRATA_OK);
    /* Rows with the even keys -4000 .. 3998: id, name 'k<id>', n = 3 * id. */
    enum { ROWS = 4000 };
    static Value rows[ROWS][COLS];
    for (int row = 0; row < ROWS; row++) {
        int64_t id = 2 * (int64_t)row - ROWS;
        for (int col = 0; col < COLS; col++) {
            rows[row][col] = value_null(TABLE_TYPES[col]);
        }
        char *name = arena_alloc(arena, 16);
        int len = snprintf(name, 16, "k%lld", (long long)id);
        rows[row][0] = value_i64(TYPE_INT8, id);
        rows[row][1] = value_str(TYPE_TEXT, name, (uint32_t)len);
        rows[row][2] = value_i64(TYPE_INT4, 3 * id);
    }
    REQUIRE(tam_insert(am, txn, &desc, rows_batch(arena, rows, ROWS), NULL, arena, &err) ==
            STRATA_OK);
    uint64_t rng = test_seed("fetch_int_keys");
    static int64_t keys[2 * ROWS + 8];
    for (int round = 0; round < 20; round++) {
        /* Ascending keys from -4100 up with random gaps: even ones present, odd absent. */
        int count = 0;
        for (int64_t k = -ROWS - 100 + (int64_t)(test_rand(&rng) % 5); k < ROWS + 100 &&
                                                                        count < 2 * ROWS;
             k += 1 + (int64_t)(test_rand(&rng) % (round % 4 == 0 ? 2 : 40))) {
            keys[count++] = k;
        }
        static const int ascending[3] = {0, 1, 2}, mixed[2] = {2, 0};
        bool asc = round % 2 == 0;
        const int *projection = asc ? ascending : mixed;
        int width = asc ? 3 : 2;
        SqlType out_types[3];
        for (int col = 0; col < width; col++) {
            out_types[col] = TABLE_TYPES[projection[col]];
        }
        Batch *out = batch_create(arena, out_types, width, 64);
        int done = 0, matched = 0;
        while (done < count) {
            int consumed = 0;
            batch_reset(out);
            REQUIRE(tam_fetch_int_keys(am, txn, &desc, keys + done, count - done, projection,
                                       width, out, &consumed, &err) == STRATA_OK);
            REQUIRE(consumed > 0 && consumed <= count - done);
            /* Exactly the present keys among those consumed, in order. */
            int at = 0;
            for (int index = done; index < done + consumed; index++) {
                int64_t k = keys[index];
                if (k < -ROWS || k >= ROWS || (k & 1) != 0) {
                    continue;
                }
                REQUIRE(at < out->row_count);
                int id_col = asc ? 0 : 1, n_col = asc ? 2 : 0;
                CHECK(out->columns[id_col].i64[at] == k);
                CHECK(out->columns[n_col].i64[at] == 3 * k);
                if (asc) {
                    char name[16];
                    int len = snprintf(name, sizeof name, "k%lld", (long long)k);
                    CHECK(out->columns[1].str[at].len == (uint32_t)len &&
                          memcmp(out->columns[1].str[at].ptr, name, (size_t)len) == 0);
                }
                at++;
            }
            CHECK(at == out->row_count);
            matched += at;
            done += consumed;
        }
        CHECK(matched > 0);
    }
    /* A table without an integer key has no such lookup. */
    TableDesc hidden = desc;
    hidden.key_count = 0;
    int consumed = 0;
    Batch *out = batch_create(arena, TABLE_TYPES, 1, 4);
    CHECK(tam_fetch_int_keys(am, txn, &hidden, keys, 1, key, 1, out, &consumed, &err) != STRATA_OK);
    pager_rollback(txn);
    arena_destroy(arena);
    pager_close(pager, &err);
}

/* ---- The index model ----------------------------------------------------------- */

typedef struct IndexEntry {
    Value keys[2];
    Value include;
    uint8_t row_id[8];
    uint8_t *entry;       /* keycodec(keys) + row id, for ordering */
    size_t entry_len;
    size_t prefix_len;
} IndexEntry;

static const SqlType INDEX_KEY_TYPES[2] = {{TYPE_INT4, -1}, {TYPE_TEXT, -1}};
static const bool INDEX_DESC[2] = {false, true};
static const SqlType INDEX_INCLUDE_TYPES[1] = {{TYPE_INT8, -1}};
static const char *const INDEX_KEY_NAMES[2] = {"a", "b"};

static int compare_entries(const void *a, const void *b)
{
    const IndexEntry *left = a, *right = b;
    return compare_bytes(left->entry, left->entry_len, right->entry, right->entry_len);
}

static void verify_index_range(PagerTxn *txn, const IndexAm *am, const IndexDesc *desc,
                               IndexEntry *entries, int count, Arena *arena, uint64_t *rng)
{
    Error err;
    qsort(entries, (size_t)count, sizeof(IndexEntry), compare_entries);
    Value low[2], high[2];
    for (int col = 0; col < 2; col++) {
        low[col] = random_value(INDEX_KEY_TYPES[col], rng, arena, true, 10);
        high[col] = random_value(INDEX_KEY_TYPES[col], rng, arena, true, 10);
    }
    KeyRange range = {low, (int)(test_rand(rng) % 3), test_rand(rng) % 2 == 0,
                      high, (int)(test_rand(rng) % 3), test_rand(rng) % 2 == 0};
    uint8_t *low_key, *high_key;
    size_t low_len, high_len;
    keycodec_encode(arena, low, INDEX_DESC, range.low_count, NULL, 0, &low_key, &low_len, &err);
    keycodec_encode(arena, high, INDEX_DESC, range.high_count, NULL, 0, &high_key, &high_len, &err);
    int expected[MODEL_MAX];
    int expected_count = 0;
    for (int index = 0; index < count; index++) {
        const IndexEntry *entry = &entries[index];
        size_t prefix;
        bool ok = true;
        if (range.low_count > 0) {
            keycodec_skip(entry->entry, entry->entry_len, INDEX_KEY_TYPES, INDEX_DESC,
                          range.low_count, &prefix, &err);
            int cmp = compare_bytes(entry->entry, prefix, low_key, low_len);
            ok = ok && (range.low_inclusive ? cmp >= 0 : cmp > 0);
        }
        if (range.high_count > 0) {
            keycodec_skip(entry->entry, entry->entry_len, INDEX_KEY_TYPES, INDEX_DESC,
                          range.high_count, &prefix, &err);
            int cmp = compare_bytes(entry->entry, prefix, high_key, high_len);
            ok = ok && (range.high_inclusive ? cmp <= 0 : cmp < 0);
        }
        if (ok) {
            expected[expected_count++] = index;
        }
    }
    bool reverse = test_rand(rng) % 2;
    IndexScan *scan = NULL;
    REQUIRE(am->scan_begin(txn, desc, &range, reverse, arena, &scan, &err) == STRATA_OK);
    SqlType types[4] = {INDEX_KEY_TYPES[0], INDEX_KEY_TYPES[1], INDEX_INCLUDE_TYPES[0],
                        sql_type(TYPE_BYTEA)};
    Batch *batch = batch_create(arena, types, 4, 5);
    int seen = 0;
    for (;;) {
        REQUIRE(am->scan_next(scan, batch, &err) == STRATA_OK);
        if (batch->row_count == 0) {
            break;
        }
        for (int row = 0; row < batch->row_count; row++, seen++) {
            if (seen >= expected_count) {
                continue;
            }
            int position = reverse ? expected_count - 1 - seen : seen;
            const IndexEntry *expect = &entries[expected[position]];
            Value got;
            for (int col = 0; col < 2; col++) {
                batch_get_value(batch, col, row, &got);
                CHECK(same_value(&got, &expect->keys[col]));
            }
            batch_get_value(batch, 2, row, &got);
            CHECK(same_value(&got, &expect->include));
            batch_get_value(batch, 3, row, &got);
            CHECK(got.str.len == 8 && memcmp(got.str.ptr, expect->row_id, 8) == 0);
        }
    }
    CHECK_EQ_INT(seen, expected_count);
    am->scan_end(scan);
    uint64_t estimate = 0;
    CHECK(am->estimate(txn, desc, &range, &estimate, &err) == STRATA_OK);
    CHECK(expected_count == 0 || estimate > 0 || count > 500);
}

static void run_index_model(bool unique)
{
    uint64_t rng = test_seed(unique ? "row_test unique index" : "row_test index");
    const IndexAm *am = index_am_lookup("btree");
    REQUIRE(am != NULL);
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "index model");
    IndexDesc desc = {7, "t_a_b_idx", 2, INDEX_KEY_TYPES, INDEX_DESC, 1, INDEX_INCLUDE_TYPES,
                      unique, 0, INDEX_KEY_NAMES};
    IndexEntry *entries = calloc(MODEL_MAX, sizeof(IndexEntry));
    int count = 0;
    uint64_t next_row = 1;
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(am->create(txn, &desc, &err) == STRATA_OK);
    int steps = quick() ? 600 : 8000;
    for (int step = 0; step < steps && !test_current_failed; step++) {
        uint64_t kind = test_rand(&rng) % 10;
        if (kind < 6 && count < MODEL_MAX) {
            IndexEntry *entry = &entries[count];
            for (int col = 0; col < 2; col++) {
                entry->keys[col] = random_value(INDEX_KEY_TYPES[col], &rng, arena, true, 10);
            }
            entry->include = random_value(INDEX_INCLUDE_TYPES[0], &rng, arena, true, 1000);
            for (int pos = 0; pos < 8; pos++) {
                entry->row_id[pos] = (uint8_t)(next_row >> (56 - 8 * pos));
            }
            next_row++;
            keycodec_encode(arena, entry->keys, INDEX_DESC, 2, entry->row_id, 8, &entry->entry,
                            &entry->entry_len, &err);
            entry->prefix_len = entry->entry_len - 8;
            bool conflict = false;
            if (unique && !entry->keys[0].is_null && !entry->keys[1].is_null) {
                for (int other = 0; other < count; other++) {
                    conflict = conflict ||
                               (entries[other].prefix_len == entry->prefix_len &&
                                memcmp(entries[other].entry, entry->entry, entry->prefix_len) == 0);
                }
            }
            StrRef row_id = {(const char *)entry->row_id, 8};
            int rc = am->insert(txn, &desc, entry->keys, &entry->include, row_id, &err);
            bool too_long = entry->entry_len > BTREE_KEY_MAX;
            CHECK(rc == (too_long ? STRATA_ERROR : conflict ? STRATA_CONSTRAINT : STRATA_OK));
            if (too_long) {
                CHECK_EQ_STR(err.sqlstate, "54000");
                continue;
            }
            if (rc == STRATA_CONSTRAINT) {
                CHECK_EQ_STR(err.message,
                             "duplicate key value violates unique constraint \"t_a_b_idx\"");
                CHECK(strncmp(err.detail, "Key (a, b)=(", 12) == 0);
            } else if (rc == STRATA_OK) {
                count++;
            }
        } else if (kind < 8 && count > 0) {
            int target = (int)(test_rand(&rng) % (uint64_t)count);
            StrRef row_id = {(const char *)entries[target].row_id, 8};
            REQUIRE(am->delete_entry(txn, &desc, entries[target].keys, row_id, &err) == STRATA_OK);
            CHECK(am->delete_entry(txn, &desc, entries[target].keys, row_id, &err) ==
                  STRATA_CORRUPT);
            CHECK_EQ_STR(err.sqlstate, "XX002");
            entries[target] = entries[--count];
        } else {
            verify_index_range(txn, am, &desc, entries, count, arena, &rng);
        }
    }
    BTreeCheckStats stats;
    CHECK(btree_check(txn, (Pgno)desc.storage_root, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.key_count, count);
    REQUIRE(am->drop(txn, &desc, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    free(entries);
    arena_destroy(arena);
    pager_close(pager, &err);
}

/* Builds the index over entries through build_add/build_finish with the given
 * in-memory budget, sort workers and run size from which a run is sorted in
 * two halves; *leaves gets its leaf count. Checks every entry is there, in key
 * order (sorted), with its INCLUDE value. */
static void build_index_with(Pager *pager, const IndexEntry *entries, const IndexEntry *sorted,
                             int count, size_t bytes, int workers, size_t parallel_min,
                             uint64_t *leaves)
{
    const IndexAm *am = index_am_lookup("btree");
    Error err;
    IndexDesc desc = {8, "t_build_idx", 2, INDEX_KEY_TYPES, INDEX_DESC, 1, INDEX_INCLUDE_TYPES,
                      false, 0, INDEX_KEY_NAMES};
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(am->create(txn, &desc, &err) == STRATA_OK);
    btree_index_set_build_bytes(bytes);
    btree_index_set_build_parallel_min(parallel_min);
    IndexBuild *build = NULL;
    REQUIRE(am->build_begin(txn, &desc, workers, &build, &err) == STRATA_OK);
    for (int index = 0; index < count; index++) {
        StrRef row_id = {(const char *)entries[index].row_id, 8};
        REQUIRE(am->build_add(build, entries[index].keys, &entries[index].include, row_id, &err) ==
                STRATA_OK);
    }
    REQUIRE(am->build_finish(build, true, &err) == STRATA_OK);
    btree_index_set_build_bytes(0);
    btree_index_set_build_parallel_min(0);
    BTreeCheckStats stats;
    CHECK(btree_check(txn, (Pgno)desc.storage_root, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.key_count, count);
    /* The sorted model against a full scan of the tree. */
    Arena *arena = arena_create(NULL, 0, "build check");
    BTreeCursor *cursor = NULL;
    REQUIRE(btree_cursor_open(txn, (Pgno)desc.storage_root, arena, &cursor, &err) == STRATA_OK);
    REQUIRE(btree_cursor_first(cursor, &err) == STRATA_OK);
    int at = 0;
    for (; btree_cursor_valid(cursor) && at < count; at++) {
        size_t key_len, value_len;
        const uint8_t *key = btree_cursor_key(cursor, &key_len);
        const uint8_t *value = NULL;
        CHECK(btree_cursor_value(cursor, arena, &value, &value_len, &err) == STRATA_OK);
        Value include;
        int column = 0;
        CHECK(key_len == sorted[at].entry_len && memcmp(key, sorted[at].entry, key_len) == 0);
        CHECK(rowcodec_decode(value, value_len, INDEX_INCLUDE_TYPES, 1, &column, 1, &include,
                              &err) == STRATA_OK);
        CHECK(include.is_null == sorted[at].include.is_null &&
              (include.is_null || include.i64 == sorted[at].include.i64));
        REQUIRE(btree_cursor_next(cursor, &err) == STRATA_OK);
    }
    CHECK_EQ_INT(at, count);
    CHECK(!btree_cursor_valid(cursor));
    btree_cursor_close(cursor);
    arena_destroy(arena);
    pager_rollback(txn);
    *leaves = stats.leaf_pages;
}

/* CREATE INDEX over more entries than one in-memory run: the runs go to a
 * temporary file and are merged into one bottom-up build, so the tree is the
 * one a single run gives (same leaves), not one whose later runs were inserted
 * into the built tree and split its leaves. */
static void test_index_build_runs(void)
{
    uint64_t rng = test_seed("row_test index build runs");
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "index build runs");
    int count = quick() ? 3000 : 20000;
    IndexEntry *entries = calloc((size_t)count, sizeof(IndexEntry));
    for (int index = 0; index < count; index++) {
        IndexEntry *entry = &entries[index];
        entry->keys[0] = random_value(INDEX_KEY_TYPES[0], &rng, arena, true, 5000);
        entry->keys[1] = random_value(INDEX_KEY_TYPES[1], &rng, arena, true, 3);
        if (!entry->keys[1].is_null && entry->keys[1].str.len > 40) {
            entry->keys[1].str.len = 40; /* random_value's long strings pass BTREE_KEY_MAX */
        }
        entry->include = random_value(INDEX_INCLUDE_TYPES[0], &rng, arena, true, 1000);
        for (int pos = 0; pos < 8; pos++) {
            entry->row_id[pos] = (uint8_t)((uint64_t)(index + 1) >> (56 - 8 * pos));
        }
        keycodec_encode(arena, entry->keys, INDEX_DESC, 2, entry->row_id, 8, &entry->entry,
                        &entry->entry_len, &err);
    }
    IndexEntry *sorted = calloc((size_t)count, sizeof(IndexEntry));
    memcpy(sorted, entries, sizeof(IndexEntry) * (size_t)count);
    qsort(sorted, (size_t)count, sizeof(IndexEntry), compare_entries);
    /* Entries are added in random key order, so every run spans the key space. */
    uint64_t one_run = 0, many_runs = 0;
    build_index_with(pager, entries, sorted, count, 1u << 30, 0, 0, &one_run);
    build_index_with(pager, entries, sorted, count, 16384, 0, 0, &many_runs);
    CHECK(one_run > 0);
    CHECK_EQ_INT(many_runs, one_run);
    /* Runs sorted in two halves by two threads and merged as they are
     * written: the same entries in the same order (checked against sorted)
     * and the same leaves, with the run size below, at and around the point
     * where the halves begin, in one run and in many. */
    size_t mins[] = {2, 3, (size_t)count - 1, (size_t)count, (size_t)count + 1};
    for (size_t at = 0; at < sizeof(mins) / sizeof(mins[0]) && !test_current_failed; at++) {
        uint64_t parallel = 0;
        build_index_with(pager, entries, sorted, count, 1u << 30, 1, mins[at], &parallel);
        CHECK_EQ_INT(parallel, one_run);
        build_index_with(pager, entries, sorted, count, 16384, 1, mins[at], &parallel);
        CHECK_EQ_INT(parallel, one_run);
    }

    free(sorted);
    free(entries);
    arena_destroy(arena);
    pager_close(pager, &err);
}

static void test_index_plain(void) { run_index_model(false); }
static void test_index_unique(void) { run_index_model(true); }

/* ---- Format 2: packed blocks ------------------------------------------------------ */

/* A model entry of a packed index: keys, row id, and keycodec(keys) + row id. */
typedef struct PackedModelEntry {
    Value keys[2];
    uint8_t row_id[9];
    size_t row_id_len;
    uint8_t *entry;
    size_t entry_len;
} PackedModelEntry;

static int compare_packed(const void *a, const void *b)
{
    const PackedModelEntry *left = a, *right = b;
    return compare_bytes(left->entry, left->entry_len, right->entry, right->entry_len);
}

/* Scans range (random prefixes of the key columns, either direction) and
 * compares every entry, re-encoded, with the sorted model; checks the
 * estimate (exact for ranges of at most 3 entries, 0 exactly when empty). */
static void verify_packed_range(PagerTxn *txn, const IndexAm *am, const IndexDesc *desc,
                                PackedModelEntry *entries, int count, int domain, Arena *arena,
                                uint64_t *rng)
{
    Error err;
    int key_count = desc->key_count;
    qsort(entries, (size_t)count, sizeof(PackedModelEntry), compare_packed);
    Value low[2], high[2];
    for (int col = 0; col < key_count; col++) {
        low[col] = random_value(desc->key_types[col], rng, arena, true, domain);
        high[col] = random_value(desc->key_types[col], rng, arena, true, domain);
    }
    KeyRange range = {low, (int)(test_rand(rng) % (uint64_t)(key_count + 1)),
                      test_rand(rng) % 2 == 0, high,
                      (int)(test_rand(rng) % (uint64_t)(key_count + 1)), test_rand(rng) % 2 == 0};
    uint8_t *low_key, *high_key;
    size_t low_len, high_len;
    keycodec_encode(arena, low, desc->key_descending, range.low_count, NULL, 0, &low_key,
                    &low_len, &err);
    keycodec_encode(arena, high, desc->key_descending, range.high_count, NULL, 0, &high_key,
                    &high_len, &err);
    int *expected = malloc(sizeof(int) * (size_t)(count + 1));
    int expected_count = 0;
    for (int index = 0; index < count; index++) {
        const PackedModelEntry *entry = &entries[index];
        size_t prefix;
        bool ok = true;
        if (range.low_count > 0) {
            keycodec_skip(entry->entry, entry->entry_len, desc->key_types, desc->key_descending,
                          range.low_count, &prefix, &err);
            int cmp = compare_bytes(entry->entry, prefix, low_key, low_len);
            ok = ok && (range.low_inclusive ? cmp >= 0 : cmp > 0);
        }
        if (range.high_count > 0) {
            keycodec_skip(entry->entry, entry->entry_len, desc->key_types, desc->key_descending,
                          range.high_count, &prefix, &err);
            int cmp = compare_bytes(entry->entry, prefix, high_key, high_len);
            ok = ok && (range.high_inclusive ? cmp <= 0 : cmp < 0);
        }
        if (ok) {
            expected[expected_count++] = index;
        }
    }
    bool reverse = test_rand(rng) % 2;
    IndexScan *scan = NULL;
    REQUIRE(am->scan_begin(txn, desc, &range, reverse, arena, &scan, &err) == STRATA_OK);
    SqlType types[3] = {desc->key_types[0], key_count > 1 ? desc->key_types[1] : sql_type(TYPE_BYTEA),
                        sql_type(TYPE_BYTEA)};
    if (key_count == 1) {
        types[1] = sql_type(TYPE_BYTEA);
    }
    Batch *batch = batch_create(arena, types, key_count + 1, 7);
    int seen = 0;
    for (;;) {
        REQUIRE(am->scan_next(scan, batch, &err) == STRATA_OK);
        if (batch->row_count == 0) {
            break;
        }
        for (int row = 0; row < batch->row_count; row++, seen++) {
            if (seen >= expected_count) {
                continue;
            }
            int position = reverse ? expected_count - 1 - seen : seen;
            const PackedModelEntry *expect = &entries[expected[position]];
            Value got[2], id;
            for (int col = 0; col < key_count; col++) {
                batch_get_value(batch, col, row, &got[col]);
                CHECK(same_value(&got[col], &expect->keys[col]));
            }
            batch_get_value(batch, key_count, row, &id);
            CHECK(id.str.len == expect->row_id_len &&
                  memcmp(id.str.ptr, expect->row_id, expect->row_id_len) == 0);
        }
    }
    CHECK_EQ_INT(seen, expected_count);
    am->scan_end(scan);
    uint64_t estimate = 0;
    CHECK(am->estimate(txn, desc, &range, &estimate, &err) == STRATA_OK);
    CHECK((estimate == 0) == (expected_count == 0));
    if (expected_count <= 3) {
        CHECK_EQ_INT(estimate, expected_count);
    }
    free(expected);
}

/* Counts the index's entries by a full scan (what strata check does). */
static int packed_scan_count(PagerTxn *txn, const IndexAm *am, const IndexDesc *desc,
                             Arena *arena, Error *err)
{
    KeyRange all = {0};
    IndexScan *scan = NULL;
    int rc = am->scan_begin(txn, desc, &all, false, arena, &scan, err);
    if (rc != STRATA_OK) {
        return -1;
    }
    SqlType types[3] = {desc->key_types[0], desc->key_types[desc->key_count - 1],
                        sql_type(TYPE_BYTEA)};
    types[desc->key_count] = sql_type(TYPE_BYTEA);
    Batch *batch = batch_create(arena, types, desc->key_count + 1, 64);
    int count = 0;
    while ((rc = am->scan_next(scan, batch, err)) == STRATA_OK && batch->row_count > 0) {
        count += batch->row_count;
    }
    am->scan_end(scan);
    return rc == STRATA_OK ? count : -1;
}

static const SqlType PACKED_INT_TYPES[1] = {{TYPE_INT4, -1}};

/* Random inserts, deletes and range scans against a sorted model, on one
 * integer key (row ids of 8 bytes, and of 9 like a row table's integer
 * primary key: the numeric kinds) and on (int4, text DESC) (the general
 * kind), with blocks of block_bytes (small: many splits). */
static void run_packed_model(const char *name, bool two_keys, size_t block_bytes, int domain)
{
    uint64_t rng = test_seed(name);
    const IndexAm *am = index_am_lookup("btree");
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "packed model");
    IndexDesc desc = {9, "t_packed_idx", two_keys ? 2 : 1,
                      two_keys ? INDEX_KEY_TYPES : PACKED_INT_TYPES, two_keys ? INDEX_DESC : NULL,
                      0, NULL, false, 0, INDEX_KEY_NAMES};
    int capacity = quick() ? 3000 : 20000;
    PackedModelEntry *entries = calloc((size_t)capacity, sizeof(PackedModelEntry));
    int count = 0;
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(am->create(txn, &desc, &err) == STRATA_OK);
    CHECK((desc.storage_root >> 32) == 1); /* format 2 */
    btree_index_set_block_bytes(block_bytes);
    int steps = quick() ? 3000 : 25000;
    size_t row_id_len = test_rand(&rng) % 2 ? 8 : 9;
    for (int step = 0; step < steps && !test_current_failed; step++) {
        uint64_t kind = test_rand(&rng) % 20;
        if (kind < 13 && count < capacity) {
            PackedModelEntry *entry = &entries[count];
            for (int col = 0; col < desc.key_count; col++) {
                entry->keys[col] = random_value(desc.key_types[col], &rng, arena, true, domain);
                if (col == 1 && !entry->keys[1].is_null && entry->keys[1].str.len > 30) {
                    entry->keys[1].str.len = 30;
                }
            }
            /* Row ids: mostly increasing (appends), sometimes anywhere. */
            uint64_t row = test_rand(&rng) % 4 == 0 ? test_rand(&rng) % 100000
                                                    : 100000 + (uint64_t)step * 3;
            entry->row_id_len = row_id_len;
            entry->row_id[0] = 0x05;
            for (int pos = 0; pos < 8; pos++) {
                entry->row_id[row_id_len - 8 + (size_t)pos] = (uint8_t)(row >> (56 - 8 * pos));
            }
            keycodec_encode(arena, entry->keys, desc.key_descending, desc.key_count,
                            entry->row_id, row_id_len, &entry->entry, &entry->entry_len, &err);
            bool duplicate = false;
            for (int other = 0; other < count && !duplicate; other++) {
                duplicate = compare_packed(&entries[other], entry) == 0;
            }
            StrRef row_id = {(const char *)entry->row_id, row_id_len};
            REQUIRE(am->insert(txn, &desc, entry->keys, NULL, row_id, &err) == STRATA_OK);
            if (!duplicate) {
                count++;
            }
        } else if (kind < 18 && count > 0) {
            int target = (int)(test_rand(&rng) % (uint64_t)count);
            StrRef row_id = {(const char *)entries[target].row_id, entries[target].row_id_len};
            REQUIRE(am->delete_entry(txn, &desc, entries[target].keys, row_id, &err) == STRATA_OK);
            CHECK(am->delete_entry(txn, &desc, entries[target].keys, row_id, &err) ==
                  STRATA_CORRUPT);
            CHECK_EQ_STR(err.sqlstate, "XX002");
            entries[target] = entries[--count];
        } else {
            verify_packed_range(txn, am, &desc, entries, count, domain, arena, &rng);
        }
    }
    CHECK(btree_check(txn, (Pgno)desc.storage_root, NULL, &err) == STRATA_OK);
    CHECK_EQ_INT(packed_scan_count(txn, am, &desc, arena, &err), count);
    /* CREATE INDEX of the same entries: a bottom-up build of blocks, one run
     * and many (merged from the temporary file), gives the same scan. */
    for (int pass = 0; pass < 2 && !test_current_failed; pass++) {
        IndexDesc built = desc;
        built.index_id = 10;
        REQUIRE(am->create(txn, &built, &err) == STRATA_OK);
        btree_index_set_build_bytes(pass == 0 ? 0 : 4096);
        btree_index_set_build_parallel_min(pass == 0 ? 0 : 3); /* pass 1: two threads */
        IndexBuild *build = NULL;
        REQUIRE(am->build_begin(txn, &built, pass, &build, &err) == STRATA_OK);
        for (int index = 0; index < count; index++) {
            StrRef row_id = {(const char *)entries[index].row_id, entries[index].row_id_len};
            REQUIRE(am->build_add(build, entries[index].keys, NULL, row_id, &err) == STRATA_OK);
        }
        REQUIRE(am->build_finish(build, true, &err) == STRATA_OK);
        btree_index_set_build_bytes(0);
        btree_index_set_build_parallel_min(0);
        CHECK(btree_check(txn, (Pgno)built.storage_root, NULL, &err) == STRATA_OK);
        CHECK_EQ_INT(packed_scan_count(txn, am, &built, arena, &err), count);
        for (int check = 0; check < 20; check++) {
            verify_packed_range(txn, am, &built, entries, count, domain, arena, &rng);
        }
        REQUIRE(am->drop(txn, &built, &err) == STRATA_OK);
    }
    btree_index_set_block_bytes(0);
    REQUIRE(am->drop(txn, &desc, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    free(entries);
    arena_destroy(arena);
    pager_close(pager, &err);
}

static void test_packed_int_small_blocks(void)
{
    run_packed_model("row_test packed int small", false, 24, 200);
}
static void test_packed_int(void) { run_packed_model("row_test packed int", false, 0, 3000); }
static void test_packed_two_keys(void)
{
    run_packed_model("row_test packed two keys", true, 40, 10);
}

/* A non-unique index without INCLUDE columns written before format 2 (its
 * storage_root has no format bits) is still read and maintained entry by
 * entry; a format-2 index is several times smaller. */
static void test_packed_format1_still_read(void)
{
    const IndexAm *am = index_am_lookup("btree");
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "format 1");
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    IndexDesc old = {11, "t_old_idx", 1, PACKED_INT_TYPES, NULL, 0, NULL, false, 0, NULL};
    IndexDesc packed = old;
    REQUIRE(am->create(txn, &old, &err) == STRATA_OK);
    REQUIRE(am->create(txn, &packed, &err) == STRATA_OK);
    old.storage_root &= 0xFFFFFFFFu; /* as a catalog of an older strata has it */
    enum { ROWS = 20000 };
    for (int row = 0; row < ROWS; row++) {
        Value key = value_i64(TYPE_INT4, (row * 7919) % 5000);
        uint8_t id[8];
        for (int pos = 0; pos < 8; pos++) {
            id[pos] = (uint8_t)((uint64_t)row >> (56 - 8 * pos));
        }
        StrRef row_id = {(const char *)id, 8};
        REQUIRE(am->insert(txn, &old, &key, NULL, row_id, &err) == STRATA_OK);
        REQUIRE(am->insert(txn, &packed, &key, NULL, row_id, &err) == STRATA_OK);
    }
    BTreeCheckStats old_stats, packed_stats;
    CHECK(btree_check(txn, (Pgno)old.storage_root, &old_stats, &err) == STRATA_OK);
    CHECK(btree_check(txn, (Pgno)packed.storage_root, &packed_stats, &err) == STRATA_OK);
    CHECK_EQ_INT(old_stats.key_count, ROWS); /* one B+tree entry per index entry */
    CHECK(packed_stats.key_count < ROWS / 10);
    CHECK(packed_stats.leaf_pages * 3 < old_stats.leaf_pages);
    CHECK_EQ_INT(packed_scan_count(txn, am, &old, arena, &err), ROWS);
    CHECK_EQ_INT(packed_scan_count(txn, am, &packed, arena, &err), ROWS);
    /* Key 42's entries, the same from both. */
    Value key = value_i64(TYPE_INT4, 42);
    KeyRange range = {&key, 1, true, &key, 1, true};
    uint64_t estimates[2];
    int counts[2];
    const IndexDesc *descs[2] = {&old, &packed};
    for (int which = 0; which < 2; which++) {
        IndexScan *scan = NULL;
        REQUIRE(am->scan_begin(txn, descs[which], &range, false, arena, &scan, &err) == STRATA_OK);
        SqlType types[2] = {PACKED_INT_TYPES[0], sql_type(TYPE_BYTEA)};
        Batch *batch = batch_create(arena, types, 2, 100);
        counts[which] = 0;
        while (am->scan_next(scan, batch, &err) == STRATA_OK && batch->row_count > 0) {
            for (int row = 0; row < batch->row_count; row++) {
                Value got;
                batch_get_value(batch, 0, row, &got);
                CHECK_EQ_INT(got.i64, 42);
            }
            counts[which] += batch->row_count;
        }
        am->scan_end(scan);
        CHECK(am->estimate(txn, descs[which], &range, &estimates[which], &err) == STRATA_OK);
    }
    CHECK_EQ_INT(counts[0], ROWS / 5000);
    CHECK_EQ_INT(counts[1], ROWS / 5000);
    CHECK_EQ_INT(estimates[1], ROWS / 5000);
    pager_rollback(txn);
    arena_destroy(arena);
    pager_close(pager, &err);
}

/* Power loss at every Nth write while transactions insert into and delete
 * from a packed index with small blocks (blocks split and merge away in
 * every transaction): after recovery the tree checks, a scan reads every
 * block in order, and the entries are those of whole transactions. */
static void test_packed_crash(void)
{
    const IndexAm *am = index_am_lookup("btree");
    Error err;
    int txns = quick() ? 6 : 16;
    enum { PER_TXN = 60 };
    uint64_t total_writes = 0;
    int crash_points = 0;
    btree_index_set_block_bytes(32);
    for (uint64_t crash_at = 0;; crash_at += quick() && total_writes > 40 ? 5 : 1) {
        Vfs *mem = vfs_memory_create();
        Vfs *fault = vfs_fault_create(mem, NULL);
        PagerOptions opts;
        pager_options_default(&opts);
        opts.vfs = fault;
        opts.cache_pages = 16;
        Pager *pager = NULL;
        Arena *arena = arena_create(NULL, 0, "packed crash");
        REQUIRE(pager_open("packed.db", &opts, &pager, &err) == STRATA_OK);
        IndexDesc desc = {12, "t_crash_idx", 1, PACKED_INT_TYPES, NULL, 0, NULL, false, 0, NULL};
        PagerTxn *txn = NULL;
        REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
        REQUIRE(am->create(txn, &desc, &err) == STRATA_OK);
        REQUIRE(pager_commit(txn, &err) == STRATA_OK);
        FaultConfig config = {.crash_at_write = crash_at};
        vfs_fault_configure(fault, &config);
        int acked = 0;
        for (int t = 0; t < txns; t++) {
            if (pager_begin(pager, true, &txn, &err) != STRATA_OK) {
                break;
            }
            int rc = STRATA_OK;
            /* Insert PER_TXN entries over 20 keys, then delete every third. */
            for (int at = 0; at < PER_TXN && rc == STRATA_OK; at++) {
                uint64_t row = (uint64_t)t * PER_TXN + (uint64_t)at;
                Value key = value_i64(TYPE_INT4, (int64_t)(row * 13 % 20));
                uint8_t id[8];
                for (int pos = 0; pos < 8; pos++) {
                    id[pos] = (uint8_t)(row >> (56 - 8 * pos));
                }
                rc = am->insert(txn, &desc, &key, NULL, (StrRef){(const char *)id, 8}, &err);
            }
            for (int at = 0; at < PER_TXN && rc == STRATA_OK; at += 3) {
                uint64_t row = (uint64_t)t * PER_TXN + (uint64_t)at;
                Value key = value_i64(TYPE_INT4, (int64_t)(row * 13 % 20));
                uint8_t id[8];
                for (int pos = 0; pos < 8; pos++) {
                    id[pos] = (uint8_t)(row >> (56 - 8 * pos));
                }
                rc = am->delete_entry(txn, &desc, &key, (StrRef){(const char *)id, 8}, &err);
            }
            if (rc != STRATA_OK) {
                pager_rollback(txn);
                break;
            }
            rc = pager_commit(txn, &err);
            FaultStats stats;
            vfs_fault_stats(fault, &stats);
            if (rc != STRATA_OK) {
                break;
            }
            if (!stats.crashed) {
                acked = t + 1;
            }
        }
        FaultStats stats;
        vfs_fault_stats(fault, &stats);
        if (crash_at == 0) {
            total_writes = stats.writes;
        }
        pager_close(pager, &err);
        vfs_memory_crash(mem);
        opts.vfs = mem;
        REQUIRE(pager_open("packed.db", &opts, &pager, &err) == STRATA_OK);
        REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
        CHECK(btree_check(txn, (Pgno)desc.storage_root, NULL, &err) == STRATA_OK);
        int entries = packed_scan_count(txn, am, &desc, arena, &err);
        int kept = PER_TXN - (PER_TXN + 2) / 3;
        CHECK(entries >= acked * kept);
        CHECK(entries % kept == 0);
        pager_rollback(txn);
        pager_close(pager, &err);
        vfs_destroy(fault);
        vfs_destroy(mem);
        arena_destroy(arena);
        crash_points++;
        if (test_current_failed || (crash_at > 0 && crash_at > total_writes)) {
            break;
        }
    }
    btree_index_set_block_bytes(0);
    printf("  packed crash test: %d crash points over %llu writes\n", crash_points,
           (unsigned long long)total_writes);
    CHECK(crash_points > 3);
}

/* ---- Crash --------------------------------------------------------------------- */

/* Inserts 40 rows per transaction into a hidden-key table; returns the number
 * of transactions that committed before the (simulated) power loss. */
static int crash_workload(Pager *pager, Vfs *fault, const TableDesc *desc, Arena *arena, int txns)
{
    const TableAm *am = tam_lookup("row");
    Error err;
    int acked = 0;
    char filler[200];
    memset(filler, 'f', sizeof filler);
    for (int t = 0; t < txns; t++) {
        PagerTxn *txn = NULL;
        if (pager_begin(pager, true, &txn, &err) != STRATA_OK) {
            break;
        }
        Value rows[40][COLS];
        for (int row = 0; row < 40; row++) {
            for (int col = 0; col < COLS; col++) {
                rows[row][col] = value_null(TABLE_TYPES[col]);
            }
            rows[row][0] = value_i64(TYPE_INT8, t);
            rows[row][1] = value_str(TYPE_TEXT, filler, 200);
        }
        int rc = tam_insert(am, txn, desc, rows_batch(arena, rows, 40), NULL, arena, &err);
        if (rc != STRATA_OK) {
            pager_rollback(txn);
            break;
        }
        rc = pager_commit(txn, &err);
        FaultStats stats;
        vfs_fault_stats(fault, &stats);
        if (rc != STRATA_OK) {
            break;
        }
        if (!stats.crashed) {
            acked = t + 1;
        }
    }
    return acked;
}

/* torn: the crash write lands torn (whole 512-byte sectors of a prefix), else
 * it is dropped; either way every later write is lost. */
static void run_crash_consistency(bool torn)
{
    const TableAm *am = tam_lookup("row");
    Error err;
    int txns = quick() ? 6 : 20;
    uint64_t total_writes = 0;
    int crash_points = 0;
    /* Quick runs step over write numbers, unless there are few (a commit's
     * frames go out in one write). */
    for (uint64_t crash_at = 0;; crash_at += quick() && total_writes > 40 ? 7 : 1) {
        Vfs *mem = vfs_memory_create();
        Vfs *fault = vfs_fault_create(mem, NULL);
        PagerOptions opts;
        pager_options_default(&opts);
        opts.vfs = fault;
        opts.cache_pages = 16;
        Pager *pager = NULL;
        Arena *arena = arena_create(NULL, 0, "crash");
        REQUIRE(pager_open("crash.db", &opts, &pager, &err) == STRATA_OK);
        TableDesc desc = {1, "c", COLS, TABLE_TYPES, TABLE_NAMES, NULL, 0, NULL, 0};
        PagerTxn *txn = NULL;
        REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
        REQUIRE(tam_create(am, txn, &desc, &err) == STRATA_OK);
        REQUIRE(pager_commit(txn, &err) == STRATA_OK);
        FaultConfig config = {.crash_at_write = torn ? 0 : crash_at,
                              .torn_write_at = torn ? crash_at : 0,
                              .seed = crash_at};
        vfs_fault_configure(fault, &config);
        int acked = crash_workload(pager, fault, &desc, arena, txns);
        FaultStats stats;
        vfs_fault_stats(fault, &stats);
        if (crash_at == 0) {
            total_writes = stats.writes;
        }
        pager_close(pager, &err);
        vfs_memory_crash(mem);
        opts.vfs = mem;
        REQUIRE(pager_open("crash.db", &opts, &pager, &err) == STRATA_OK);
        REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
        TableStats table_stats;
        REQUIRE(tam_stats(am, txn, &desc, &table_stats, &err) == STRATA_OK);
        BTreeCheckStats check;
        CHECK(btree_check(txn, (Pgno)desc.storage_root, &check, &err) == STRATA_OK);
        /* Committed work survives; the count matches the rows; whole txns only. */
        CHECK(table_stats.row_count >= (uint64_t)acked * 40);
        CHECK(table_stats.row_count % 40 == 0);
        CHECK_EQ_INT(check.key_count, table_stats.row_count + 1);
        pager_rollback(txn);
        pager_close(pager, &err);
        vfs_destroy(fault);
        vfs_destroy(mem);
        arena_destroy(arena);
        crash_points++;
        if (test_current_failed || (crash_at > 0 && crash_at > total_writes)) {
            break;
        }
    }
    printf("  crash test%s: %d crash points over %llu writes\n", torn ? " (torn)" : "",
           crash_points, (unsigned long long)total_writes);
    CHECK(crash_points > 3);
}

/* Power loss at every write of 20 committed 40-row inserts (the row count in
 * a counter slot of the header page): committed rows survive, whole
 * transactions only, and the count equals the rows; also with the crash write
 * torn (the WAL's torn tail is discarded by recovery). */
static void test_crash_consistency(void)
{
    run_crash_consistency(false);
    run_crash_consistency(true);
}

int main(void)
{
    TEST_RUN(test_duplicate_message);
    TEST_RUN(test_insert_runs);
    TEST_RUN(test_key_columns_from_key);
    TEST_RUN(test_fetch_int_keys);
    TEST_RUN(test_table_single_key);
    TEST_RUN(test_table_composite_key);
    TEST_RUN(test_table_hidden_key);
    TEST_RUN(test_table_counter_slots_full);
    TEST_RUN(test_index_plain);
    TEST_RUN(test_index_unique);
    TEST_RUN(test_index_build_runs);
    TEST_RUN(test_crash_consistency);
    TEST_RUN(test_packed_int_small_blocks);
    TEST_RUN(test_packed_int);
    TEST_RUN(test_packed_two_keys);
    TEST_RUN(test_packed_format1_still_read);
    TEST_RUN(test_packed_crash);
    return test_summary("row_test");
}
