/*
 * storage/column/column_am_test.c - goal: the column access method behaves
 * like an in-memory model of the table under random bulk loads, buffered
 * inserts, deletes, updates, merges, compactions and rolled-back
 * transactions (full scans, projected and filtered scans, fetch by row id);
 * zone maps skip row groups (counted); primary keys reject duplicates with
 * 23505; a damaged segment is STRATA_CORRUPT naming table and column; a
 * crash at any write leaves the last acknowledged commit.
 * Randomized: prints its seed, replay with STRATA_SEED.
 */
#include <string.h>

#include "storage/column/column_am_int.h"
#include "storage/vfs/vfs.h"
#include "storage/vfs/vfs_fault.h"
#include "util/mem.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

enum { COLS = 4, GROUP_ROWS = 64 };

static uint64_t rng;
static const SqlType types[COLS] = {{TYPE_INT8, -1}, {TYPE_INT8, -1}, {TYPE_TEXT, -1}, {TYPE_FLOAT8, -1}};
static const char *const names[COLS] = {"id", "a", "b", "c"};
static const int key_columns[1] = {0};

typedef struct MRow {
    uint64_t rownum;
    bool live;
    int64_t id;
    bool a_null, b_null;
    int64_t a;
    char b[8];
    uint32_t b_len;
    double c;
} MRow;

typedef struct Model {
    MRow *rows;
    int count, capacity;
    uint64_t next_rownum;
    int64_t next_id;
} Model;

static void model_copy(Model *dst, const Model *src)
{
    if (dst->capacity < src->count) {
        mem_free(dst->rows);
        dst->capacity = src->capacity;
        dst->rows = mem_alloc(sizeof(MRow) * (size_t)dst->capacity);
    }
    if (src->count > 0) {
        memcpy(dst->rows, src->rows, sizeof(MRow) * (size_t)src->count);
    }
    dst->count = src->count;
    dst->next_rownum = src->next_rownum;
    dst->next_id = src->next_id;
}

static MRow *model_add(Model *model)
{
    if (model->count == model->capacity) {
        model->capacity = model->capacity * 2 + 64;
        model->rows = mem_realloc(model->rows, sizeof(MRow) * (size_t)model->capacity);
    }
    MRow *row = &model->rows[model->count++];
    memset(row, 0, sizeof *row);
    row->rownum = model->next_rownum++;
    row->live = true;
    return row;
}

static void random_row(Model *model, MRow *row)
{
    row->id = model->next_id++;
    row->a_null = test_rand(&rng) % 5 == 0;
    row->a = row->a_null ? 0 : (int64_t)(test_rand(&rng) % 100);
    row->b_null = test_rand(&rng) % 10 == 0;
    row->b_len = row->b_null ? 0 : (uint32_t)(test_rand(&rng) % 4);
    for (uint32_t pos = 0; pos < row->b_len; pos++) {
        row->b[pos] = (char)(test_rand(&rng) % 3); /* includes 0x00 */
    }
    row->c = (double)(int64_t)test_rand(&rng) / 7.0;
}

static void row_to_values(const MRow *row, Value *values)
{
    values[0] = value_i64(TYPE_INT8, row->id);
    values[1] = row->a_null ? value_null(types[1]) : value_i64(TYPE_INT8, row->a);
    values[2] = row->b_null ? value_null(types[2]) : value_str(TYPE_TEXT, row->b, row->b_len);
    values[3] = value_f64(row->c);
}

typedef struct Env {
    Pager *pager;
    TableDesc desc;
    Arena *arena;
} Env;

static void desc_init(TableDesc *desc, bool with_key, uint64_t root)
{
    memset(desc, 0, sizeof *desc);
    desc->table_id = 1;
    desc->name = "t";
    desc->column_count = COLS;
    desc->column_types = types;
    desc->column_names = names;
    desc->key_count = with_key ? 1 : 0;
    desc->key_columns = key_columns;
    desc->storage_root = root;
}

static Pager *open_pager(Vfs *vfs, Error *err)
{
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = vfs;
    opts.cache_pages = 64;
    opts.wal_autocheckpoint_pages = 64;
    Pager *pager = NULL;
    return pager_open("col.db", &opts, &pager, err) == STRATA_OK ? pager : NULL;
}

/* Creates the table in its own transaction; the root goes to meta slot 1. */
static bool env_create(Env *env, bool with_key, Error *err)
{
    PagerTxn *txn;
    desc_init(&env->desc, with_key, 0);
    if (pager_begin(env->pager, true, &txn, err) != STRATA_OK) {
        return false;
    }
    if (column_am()->create(txn, &env->desc, err) != STRATA_OK ||
        pager_set_meta(txn, 1, env->desc.storage_root, err) != STRATA_OK) {
        pager_rollback(txn);
        return false;
    }
    return pager_commit(txn, err) == STRATA_OK;
}

static Batch *rows_batch(Arena *arena, const MRow *rows, int count)
{
    Batch *batch = batch_create(arena, types, COLS, count > 0 ? count : 1);
    Value values[COLS];
    for (int index = 0; index < count; index++) {
        row_to_values(&rows[index], values);
        batch_append_row(batch, values);
    }
    return batch;
}

/* Scans with projection [0..3] + row id (and optional filter), returns rows read. */
static int scan_rows(Env *env, PagerTxn *txn, const ScanFilter *filter, MRow *out, int out_max,
                     ColumnScanCounters *counters, Error *err)
{
    static const int all[COLS] = {0, 1, 2, 3};
    ScanSpec spec = {all, COLS, true, NULL, false, filter, filter != NULL ? 1 : 0, false, NULL, NULL};
    Arena *arena = arena_create(env->arena, 0, "scan");
    TableScan *scan;
    int got = 0;
    if (column_am()->scan_begin(txn, &env->desc, &spec, arena, &scan, err) != STRATA_OK) {
        arena_destroy(arena);
        return -1;
    }
    SqlType out_types[COLS + 1] = {types[0], types[1], types[2], types[3], {TYPE_BYTEA, -1}};
    Batch *batch = batch_create(arena, out_types, COLS + 1, 37);
    for (;;) {
        if (column_am()->scan_next(scan, batch, err) != STRATA_OK) {
            got = -1;
            break;
        }
        if (batch->row_count == 0) {
            break;
        }
        for (int row = 0; row < batch->row_count && got < out_max; row++) {
            MRow *m = &out[got++];
            memset(m, 0, sizeof *m);
            m->live = true;
            m->id = batch->columns[0].i64[row];
            m->a_null = vector_is_null(&batch->columns[1], row);
            m->a = batch->columns[1].i64[row];
            m->b_null = vector_is_null(&batch->columns[2], row);
            StrRef b = batch->columns[2].str[row];
            m->b_len = b.len < sizeof m->b ? b.len : (uint32_t)sizeof m->b;
            if (m->b_len > 0) {
                memcpy(m->b, b.ptr, m->b_len);
            }
            m->c = batch->columns[3].f64[row];
            m->rownum = col_get_be64((const uint8_t *)batch->columns[4].str[row].ptr);
        }
    }
    if (counters != NULL) {
        column_scan_counters(scan, counters);
    }
    column_am()->scan_end(scan);
    arena_destroy(arena);
    return got;
}

static bool same_row(const MRow *a, const MRow *b)
{
    return a->rownum == b->rownum && a->id == b->id && a->a_null == b->a_null &&
           (a->a_null || a->a == b->a) && a->b_null == b->b_null &&
           (a->b_null || (a->b_len == b->b_len && memcmp(a->b, b->b, a->b_len) == 0)) &&
           memcmp(&a->c, &b->c, 8) == 0;
}

static bool filter_match(const MRow *row, const ScanFilter *filter)
{
    if (filter == NULL) {
        return true;
    }
    if (filter->op == FILTER_IS_NULL) {
        return row->a_null;
    }
    if (row->a_null) {
        return false;
    }
    int64_t v = filter->values[0].i64;
    switch (filter->op) {
    case FILTER_EQ:
        return row->a == v;
    case FILTER_NE:
        return row->a != v;
    case FILTER_LT:
        return row->a < v;
    case FILTER_GE:
        return row->a >= v;
    case FILTER_IN:
        return row->a == v || row->a == filter->values[1].i64;
    default:
        return true;
    }
}

/* Compares a scan (with filter) against the model; returns false on mismatch. */
static bool verify(Env *env, PagerTxn *txn, const Model *model, const ScanFilter *filter, const char *what)
{
    Error err;
    MRow *got = mem_alloc(sizeof(MRow) * (size_t)(model->count + 1));
    int count = scan_rows(env, txn, filter, got, model->count + 1, NULL, &err);
    bool ok = count >= 0;
    int at = 0;
    for (int index = 0; ok && index < model->count; index++) {
        const MRow *m = &model->rows[index];
        if (!m->live || !filter_match(m, filter)) {
            continue;
        }
        ok = at < count && same_row(m, &got[at]);
        if (!ok && at < count) {
            fprintf(stderr, "  row %d: model rownum %llu id %lld a %lld/%d b %u/%d | got rownum %llu id %lld a %lld/%d b %u/%d\n", at,
                    (unsigned long long)m->rownum, (long long)m->id, (long long)m->a, m->a_null, m->b_len, m->b_null,
                    (unsigned long long)got[at].rownum, (long long)got[at].id, (long long)got[at].a, got[at].a_null,
                    got[at].b_len, got[at].b_null);
        }
        at++;
    }
    ok = ok && at == count;
    if (!ok) {
        fprintf(stderr, "  %s: scan mismatch (got %d rows, model %d matching; %s)\n", what, count, at,
                count < 0 ? err.message : "");
    }
    mem_free(got);
    return ok;
}

/* Fetches random ids (live and dead) and checks exactly the live ones come back;
 * through colscan_fetch_cached with *cache (kept under cache_arena across the
 * test's transactions) when cache is not NULL. */
static bool verify_fetch(Env *env, PagerTxn *txn, const Model *model, void **cache,
                         Arena *cache_arena)
{
    if (model->count == 0) {
        return true;
    }
    enum { N = 16 };
    StrRef ids[N];
    uint8_t bytes[N][8];
    const MRow *picked[N];
    for (int index = 0; index < N; index++) {
        picked[index] = &model->rows[test_rand(&rng) % (uint64_t)model->count];
        col_put_be64(bytes[index], picked[index]->rownum);
        ids[index] = (StrRef){(const char *)bytes[index], 8};
    }
    /* Every column, out of table order: the point reads of column_point.c
     * (bit-packed, dictionary, run-length, constant, compressed, NULL bitmaps). */
    static const int cols[COLS] = {2, 0, 3, 1};
    SqlType out_types[COLS + 1] = {types[2], types[0], types[3], types[1], {TYPE_BYTEA, -1}};
    Arena *arena = arena_create(env->arena, 0, "fetch");
    Batch *batch = batch_create(arena, out_types, COLS + 1, N);
    Error err;
    bool ok = (cache != NULL ? tam_fetch_cached(column_am(), txn, &env->desc, cache, cache_arena,
                                                ids, N, cols, COLS, true, batch, &err)
                             : column_am()->fetch(txn, &env->desc, ids, N, cols, COLS, true,
                                                  batch, &err)) == STRATA_OK;
    int at = 0;
    for (int index = 0; ok && index < N; index++) {
        const MRow *want = picked[index];
        if (!want->live) {
            continue;
        }
        StrRef b = batch->columns[0].str[at];
        ok = at < batch->row_count && batch->columns[1].i64[at] == want->id &&
             col_get_be64((const uint8_t *)batch->columns[4].str[at].ptr) == want->rownum &&
             memcmp(&batch->columns[2].f64[at], &want->c, sizeof want->c) == 0 &&
             vector_is_null(&batch->columns[3], at) == want->a_null &&
             (want->a_null || batch->columns[3].i64[at] == want->a) &&
             vector_is_null(&batch->columns[0], at) == want->b_null &&
             (want->b_null || (b.len == want->b_len && memcmp(b.ptr, want->b, b.len) == 0));
        at++;
    }
    ok = ok && at == batch->row_count;
    if (!ok) {
        fprintf(stderr, "  fetch mismatch (%d expected, %d got)\n", at, batch->row_count);
    }
    arena_destroy(arena);
    return ok;
}

/* One random operation on the table and the model. */
static int random_op(Env *env, PagerTxn *txn, Model *model, Error *err)
{
    const TableAm *am = column_am();
    Arena *arena = arena_create(env->arena, 0, "op");
    int rc = STRATA_OK;
    int kind = (int)(test_rand(&rng) % 10);
    if (kind <= 1) { /* bulk load */
        int count = (int)(test_rand(&rng) % 200);
        MRow *rows = arena_alloc(arena, sizeof(MRow) * (size_t)(count + 1));
        for (int index = 0; index < count; index++) {
            MRow *m = model_add(model);
            random_row(model, m);
            rows[index] = *m;
        }
        rc = am->bulk_load(txn, &env->desc, rows_batch(arena, rows, count), err);
    } else if (kind <= 4) { /* small insert */
        int count = 1 + (int)(test_rand(&rng) % 4);
        MRow rows[4];
        StrRef ids[4];
        for (int index = 0; index < count; index++) {
            MRow *m = model_add(model);
            random_row(model, m);
            rows[index] = *m;
        }
        rc = am->insert(txn, &env->desc, rows_batch(arena, rows, count), ids, arena, err);
        for (int index = 0; rc == STRATA_OK && index < count; index++) {
            if (ids[index].len != 8 || col_get_be64((const uint8_t *)ids[index].ptr) != rows[index].rownum) {
                rc = error_set(err, SQLSTATE_INTERNAL_ERROR, "insert returned an unexpected row id");
            }
        }
    } else if (kind <= 7 && model->count > 0) { /* delete or update a few live rows */
        int count = 1 + (int)(test_rand(&rng) % 8);
        StrRef ids[8];
        uint8_t bytes[8][8];
        MRow fresh[8];
        int used = 0;
        for (int tries = 0; tries < 30 && used < count; tries++) {
            MRow *m = &model->rows[test_rand(&rng) % (uint64_t)model->count];
            bool dup = false;
            for (int index = 0; index < used; index++) {
                dup |= col_get_be64(bytes[index]) == m->rownum;
            }
            if (!m->live || dup) {
                continue;
            }
            col_put_be64(bytes[used], m->rownum);
            ids[used] = (StrRef){(const char *)bytes[used], 8};
            m->live = false;
            used++;
        }
        if (kind == 7) {
            StrRef new_ids[8];
            for (int index = 0; index < used; index++) {
                MRow *m = model_add(model);
                random_row(model, m);
                fresh[index] = *m;
            }
            rc = am->update(txn, &env->desc, ids, rows_batch(arena, fresh, used), new_ids, arena, err);
        } else {
            rc = am->delete_rows(txn, &env->desc, ids, used, err);
        }
    } else { /* maintain: merge the buffer, compact */
        rc = am->maintain(txn, &env->desc, err);
    }
    arena_destroy(arena);
    return rc;
}

static void test_model(void)
{
    column_set_row_group_rows(GROUP_ROWS);
    Env env = {0};
    Error err;
    env.arena = arena_create(NULL, 0, "column_am_test");
    Vfs *mem = vfs_memory_create();
    env.pager = open_pager(mem, &err);
    REQUIRE(env.pager != NULL);
    REQUIRE(env_create(&env, true, &err));
    Model model = {0}, work = {0};
    model.next_rownum = 1;
    /* The fetch cache of an index scan kept across executions: groups kept for one
     * snapshot must never serve another (maintain() rewrites groups under the same
     * row numbers). */
    Arena *cache_arena = arena_create(env.arena, 0, "fetch cache owner");
    void *cache = NULL;
    int txns = getenv("STRATA_TEST_QUICK") != NULL ? 60 : 300;
    for (int t = 0; t < txns; t++) {
        PagerTxn *txn;
        REQUIRE(pager_begin(env.pager, true, &txn, &err) == STRATA_OK);
        model_copy(&work, &model);
        int ops = 1 + (int)(test_rand(&rng) % 4);
        int rc = STRATA_OK;
        for (int op = 0; op < ops && rc == STRATA_OK; op++) {
            rc = random_op(&env, txn, &work, &err);
        }
        if (rc != STRATA_OK) {
            fprintf(stderr, "  txn %d: %s\n", t, err.message);
            CHECK(false);
            pager_rollback(txn);
            break;
        }
        CHECK(verify(&env, txn, &work, NULL, "inside txn"));
        CHECK(verify_fetch(&env, txn, &work, &cache, cache_arena)); /* a write txn: no cache */
        if (test_rand(&rng) % 5 == 0) {
            pager_rollback(txn); /* the model keeps its state */
            work.next_rownum = model.next_rownum;
        } else {
            REQUIRE(pager_commit(txn, &err) == STRATA_OK);
            model_copy(&model, &work);
        }
        REQUIRE(pager_begin(env.pager, false, &txn, &err) == STRATA_OK);
        Value values[2] = {value_i64(TYPE_INT8, (int64_t)(test_rand(&rng) % 100)),
                           value_i64(TYPE_INT8, (int64_t)(test_rand(&rng) % 100))};
        static const FilterOp ops_list[] = {FILTER_EQ, FILTER_NE, FILTER_LT, FILTER_GE, FILTER_IN, FILTER_IS_NULL};
        ScanFilter filter = {1, ops_list[test_rand(&rng) % 6], values, 2};
        bool ok = verify(&env, txn, &model, NULL, "after commit") &&
                  verify(&env, txn, &model, &filter, "filtered") &&
                  verify_fetch(&env, txn, &model, NULL, NULL) &&
                  verify_fetch(&env, txn, &model, &cache, cache_arena) &&
                  verify_fetch(&env, txn, &model, &cache, cache_arena);
        TableStats stats;
        CHECK(column_am()->stats(txn, &env.desc, &stats, &err) == STRATA_OK);
        int live = 0;
        for (int index = 0; index < model.count; index++) {
            live += model.rows[index].live;
        }
        CHECK_EQ_INT(stats.row_count, live);
        pager_rollback(txn);
        if (!ok) {
            fprintf(stderr, "  after txn %d\n", t);
            CHECK(false);
            break;
        }
    }
    mem_free(model.rows);
    mem_free(work.rows);
    pager_close(env.pager, &err);
    vfs_destroy(mem);
    arena_destroy(env.arena);
}

/* Loads `groups` row groups of GROUP_ROWS rows with a = row number (sorted). */
static bool load_sorted(Env *env, int groups, Error *err)
{
    PagerTxn *txn;
    if (pager_begin(env->pager, true, &txn, err) != STRATA_OK) {
        return false;
    }
    int count = groups * GROUP_ROWS;
    MRow *rows = mem_alloc(sizeof(MRow) * (size_t)count);
    for (int index = 0; index < count; index++) {
        memset(&rows[index], 0, sizeof rows[index]);
        rows[index].id = index;
        rows[index].a = index;
        rows[index].c = index;
    }
    Arena *arena = arena_create(env->arena, 0, "load");
    int rc = column_am()->bulk_load(txn, &env->desc, rows_batch(arena, rows, count), err);
    arena_destroy(arena);
    mem_free(rows);
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return false;
    }
    return pager_commit(txn, err) == STRATA_OK;
}

static void test_zone_skipping_and_keys(void)
{
    column_set_row_group_rows(GROUP_ROWS);
    Env env = {0};
    Error err;
    env.arena = arena_create(NULL, 0, "zone");
    Vfs *mem = vfs_memory_create();
    env.pager = open_pager(mem, &err);
    REQUIRE(env.pager != NULL);
    REQUIRE(env_create(&env, true, &err));
    REQUIRE(load_sorted(&env, 20, &err));
    PagerTxn *txn;
    REQUIRE(pager_begin(env.pager, true, &txn, &err) == STRATA_OK);
    MRow *out = mem_alloc(sizeof(MRow) * 20 * GROUP_ROWS);
    Value limit = value_i64(TYPE_INT8, 100);
    ScanFilter lt = {1, FILTER_LT, &limit, 1};
    ColumnScanCounters counters;
    CHECK_EQ_INT(scan_rows(&env, txn, &lt, out, 20 * GROUP_ROWS, &counters, &err), 100);
    CHECK_EQ_INT(counters.row_groups_scanned, 2);
    CHECK_EQ_INT(counters.row_groups_skipped, 18);
    Value in[2] = {value_i64(TYPE_INT8, 5), value_i64(TYPE_INT8, 1000)};
    ScanFilter fin = {1, FILTER_IN, in, 2};
    CHECK_EQ_INT(scan_rows(&env, txn, &fin, out, 20 * GROUP_ROWS, &counters, &err), 2);
    CHECK_EQ_INT(counters.row_groups_scanned, 2);
    ScanFilter isnull = {1, FILTER_IS_NULL, NULL, 0};
    CHECK_EQ_INT(scan_rows(&env, txn, &isnull, out, 20 * GROUP_ROWS, &counters, &err), 0);
    CHECK_EQ_INT(counters.row_groups_scanned, 0);
    CHECK(counters.segment_bytes_read == 0);
    /* A filter whose constant has another comparison family is ignored, not misapplied. */
    Value text = value_str(TYPE_TEXT, "5", 1);
    ScanFilter odd = {1, FILTER_EQ, &text, 1};
    CHECK_EQ_INT(scan_rows(&env, txn, &odd, out, 20 * GROUP_ROWS, &counters, &err), 20 * GROUP_ROWS);
    /* Duplicate primary key: 23505 naming t_pkey. */
    MRow dup = {0};
    dup.id = 7;
    Arena *arena = arena_create(env.arena, 0, "dup");
    int rc = column_am()->insert(txn, &env.desc, rows_batch(arena, &dup, 1), NULL, arena, &err);
    CHECK_EQ_INT(rc, STRATA_CONSTRAINT);
    CHECK_EQ_STR(err.sqlstate, "23505");
    CHECK(strstr(err.message, "\"t_pkey\"") != NULL);
    CHECK(strstr(err.detail, "Key (id)=(7) already exists.") != NULL);
    /* Key range: 10 <= id < 20 via the scan's KeyRange. */
    Value low = value_i64(TYPE_INT8, 10), high = value_i64(TYPE_INT8, 20);
    KeyRange range = {&low, 1, true, &high, 1, false};
    static const int cols[1] = {0};
    ScanSpec spec = {cols, 1, false, &range, false, NULL, 0, false, NULL, NULL};
    TableScan *scan;
    REQUIRE(column_am()->scan_begin(txn, &env.desc, &spec, arena, &scan, &err) == STRATA_OK);
    Batch *batch = batch_create(arena, types, 1, 0);
    int total = 0;
    while (column_am()->scan_next(scan, batch, &err) == STRATA_OK && batch->row_count > 0) {
        for (int row = 0; row < batch->row_count; row++) {
            CHECK(batch->columns[0].i64[row] >= 10 && batch->columns[0].i64[row] < 20);
        }
        total += batch->row_count;
    }
    column_scan_counters(scan, &counters);
    CHECK_EQ_INT(total, 10);
    CHECK_EQ_INT(counters.row_groups_scanned, 1);
    column_am()->scan_end(scan);
    arena_destroy(arena);
    mem_free(out);
    pager_rollback(txn);
    pager_close(env.pager, &err);
    vfs_destroy(mem);
    arena_destroy(env.arena);
}

/* Parallel scans (ScanSpec.claim): two scans of one snapshot sharing a claim,
 * called alternately, read every row exactly once between them, each batch
 * from one claim (a row group, or the write buffer last) whose ticket they
 * report; a zone-map filter still skips groups; SCAN_CLAIM_STOP ends both. */
static void test_parallel_claim(void)
{
    enum { GROUPS = 7, BUFFERED = 10 };
    column_set_row_group_rows(GROUP_ROWS);
    Env env = {0};
    Error err;
    env.arena = arena_create(NULL, 0, "claim");
    Vfs *mem = vfs_memory_create();
    env.pager = open_pager(mem, &err);
    REQUIRE(env.pager != NULL);
    REQUIRE(env_create(&env, false, &err));
    REQUIRE(load_sorted(&env, GROUPS, &err));
    PagerTxn *txn;
    REQUIRE(pager_begin(env.pager, true, &txn, &err) == STRATA_OK);
    Arena *arena = arena_create(env.arena, 0, "claim scans");
    MRow extra[BUFFERED];
    memset(extra, 0, sizeof extra);
    for (int index = 0; index < BUFFERED; index++) {
        extra[index].id = GROUPS * GROUP_ROWS + index;
    }
    REQUIRE(column_am()->insert(txn, &env.desc, rows_batch(arena, extra, BUFFERED), NULL, arena,
                                &err) == STRATA_OK);
    static const int cols[1] = {0};
    int total = GROUPS * GROUP_ROWS + BUFFERED;
    for (int round = 0; round < 3; round++) {
        /* round 1: ids >= 3 * GROUP_ROWS only (zone maps skip three groups);
         * round 2: the claim is stopped before the first call. */
        Value low = value_i64(TYPE_INT8, 3 * GROUP_ROWS);
        ScanFilter ge = {0, FILTER_GE, &low, 1};
        ScanClaim claim;
        atomic_store(&claim.next, round == 2 ? SCAN_CLAIM_STOP : 0);
        uint64_t tickets[2];
        TableScan *scans[2];
        Batch *batches[2];
        for (int s = 0; s < 2; s++) {
            ScanSpec spec = {cols, 1, false, NULL, false, round == 1 ? &ge : NULL, round == 1,
                             round == 1, &claim, &tickets[s]};
            REQUIRE(column_am()->scan_begin(txn, &env.desc, &spec, arena, &scans[s], &err) ==
                    STRATA_OK);
            batches[s] = batch_create(arena, types, 1, 0);
        }
        uint8_t *seen = mem_zalloc((size_t)total);
        bool done[2] = {false, false};
        int rows = 0;
        for (int turn = 0; !done[0] || !done[1]; turn = 1 - turn) {
            if (done[turn]) {
                continue;
            }
            REQUIRE(column_am()->scan_next(scans[turn], batches[turn], &err) == STRATA_OK);
            Batch *b = batches[turn];
            done[turn] = b->row_count == 0;
            for (int row = 0; row < b->row_count; row++) {
                int64_t id = b->columns[0].i64[row];
                REQUIRE(id >= 0 && id < total);
                CHECK(seen[id]++ == 0);
                CHECK_EQ_INT(tickets[turn], id / GROUP_ROWS); /* the buffer: ticket GROUPS */
                rows++;
            }
        }
        int expected = round == 0 ? total : round == 1 ? total - 3 * GROUP_ROWS : 0;
        for (int id = 0; id < total && round < 2; id++) {
            CHECK(seen[id] == (round == 0 || id >= 3 * GROUP_ROWS));
        }
        CHECK_EQ_INT(rows, expected);
        mem_free(seen);
        for (int s = 0; s < 2; s++) {
            column_am()->scan_end(scans[s]);
        }
    }
    arena_destroy(arena);
    pager_rollback(txn);
    pager_close(env.pager, &err);
    vfs_destroy(mem);
    arena_destroy(env.arena);
}

/* A bulk load's remainder of at least a quarter group becomes a smaller row
 * group (a COPY's last batch, issue 6); a smaller one stays in the write
 * buffer, and the next bulk load takes the buffered rows first. Without a
 * primary key the rows are copied into the group a column at a time. */
static void bulk_tail_run(bool with_key)
{
    column_set_row_group_rows(GROUP_ROWS);
    Env env = {0};
    Error err;
    env.arena = arena_create(NULL, 0, "tail");
    Vfs *mem = vfs_memory_create();
    env.pager = open_pager(mem, &err);
    REQUIRE(env.pager != NULL);
    REQUIRE(env_create(&env, with_key, &err));
    Model model = {0};
    model.next_rownum = 1;
    /* rows loaded, then the expected groups and buffered rows after the load */
    static const int steps[][3] = {{GROUP_ROWS + GROUP_ROWS / 2, 2, 0},
                                   {GROUP_ROWS + GROUP_ROWS / 8, 3, GROUP_ROWS / 8},
                                   {GROUP_ROWS / 4 - GROUP_ROWS / 8, 4, 0},
                                   {GROUP_ROWS / 4 - 1, 4, GROUP_ROWS / 4 - 1}};
    for (int step = 0; step < 4; step++) {
        PagerTxn *txn;
        REQUIRE(pager_begin(env.pager, true, &txn, &err) == STRATA_OK);
        Arena *arena = arena_create(env.arena, 0, "load");
        int count = steps[step][0];
        MRow *rows = arena_alloc(arena, sizeof(MRow) * (size_t)count);
        for (int index = 0; index < count; index++) {
            MRow *m = model_add(&model);
            random_row(&model, m);
            rows[index] = *m;
        }
        REQUIRE(column_am()->bulk_load(txn, &env.desc, rows_batch(arena, rows, count), &err) ==
                STRATA_OK);
        ColumnMeta meta;
        REQUIRE(colmeta_load(txn, &env.desc, &meta, &err) == STRATA_OK);
        CHECK_EQ_INT((int)meta.group_count, steps[step][1]);
        CHECK_EQ_INT((int)meta.buffer_rows, steps[step][2]);
        CHECK(verify(&env, txn, &model, NULL, "bulk tail"));
        REQUIRE(pager_commit(txn, &err) == STRATA_OK);
        arena_destroy(arena);
    }
    mem_free(model.rows);
    pager_close(env.pager, &err);
    vfs_destroy(mem);
    arena_destroy(env.arena);
}

static void test_bulk_tail(void)
{
    bulk_tail_run(true);
    bulk_tail_run(false);
}

static void test_corrupt_segment(void)
{
    column_set_row_group_rows(GROUP_ROWS);
    Env env = {0};
    Error err;
    env.arena = arena_create(NULL, 0, "corrupt");
    Vfs *mem = vfs_memory_create();
    env.pager = open_pager(mem, &err);
    REQUIRE(env.pager != NULL);
    REQUIRE(env_create(&env, false, &err));
    REQUIRE(load_sorted(&env, 2, &err));
    PagerTxn *txn;
    REQUIRE(pager_begin(env.pager, true, &txn, &err) == STRATA_OK);
    GroupDesc group;
    bool found;
    uint64_t at = 0;
    REQUIRE(colgroup_next(txn, &env.desc, env.arena, &at, &group, &found, &err) == STRATA_OK && found);
    /* Damage a byte inside column "a"'s segment body, through the pager. */
    uint64_t offset = group.segs[1].offset + group.segs[1].length - 1;
    Page *page;
    uint8_t *data;
    REQUIRE(pager_get(txn, group.pages[offset / COLPAGE_PAYLOAD], &page, &err) == STRATA_OK);
    REQUIRE(pager_write(txn, page, &data, &err) == STRATA_OK);
    data[COLPAGE_HEADER_BYTES + offset % COLPAGE_PAYLOAD] ^= 0x5a;
    pager_unpin(page);
    MRow *out = mem_alloc(sizeof(MRow) * 4 * GROUP_ROWS);
    CHECK_EQ_INT(scan_rows(&env, txn, NULL, out, 4 * GROUP_ROWS, NULL, &err), -1);
    CHECK_EQ_INT(err.code, STRATA_CORRUPT);
    CHECK(strstr(err.message, "column \"a\"") != NULL && strstr(err.message, "table \"t\"") != NULL);
    mem_free(out);
    pager_rollback(txn);
    pager_close(env.pager, &err);
    vfs_destroy(mem);
    arena_destroy(env.arena);
}

/* Runs the deterministic workload's transactions 1..txns on env (model
 * states recorded per txn when states != NULL). Returns the last acked txn. */
static int crash_workload(Env *env, Vfs *fault, uint64_t seed, int txns, Model *states)
{
    Model model = {0};
    model.next_rownum = 1;
    int acked = 0;
    for (int t = 1; t <= txns; t++) {
        rng = seed * 7919 + (uint64_t)t;
        model.next_id = t * 100000;
        PagerTxn *txn;
        Error err;
        if (pager_begin(env->pager, true, &txn, &err) != STRATA_OK) {
            break;
        }
        int rc = STRATA_OK;
        for (int op = 0; op < 3 && rc == STRATA_OK; op++) {
            rc = random_op(env, txn, &model, &err);
        }
        if (rc != STRATA_OK) {
            pager_rollback(txn);
            break;
        }
        if (pager_commit(txn, &err) != STRATA_OK) {
            break;
        }
        FaultStats stats;
        vfs_fault_stats(fault, &stats);
        if (!stats.crashed) {
            acked = t;
        }
        if (states != NULL) {
            model_copy(&states[t], &model);
        }
    }
    mem_free(model.rows);
    return acked;
}

static void test_crash(void)
{
    column_set_row_group_rows(GROUP_ROWS);
    uint64_t seed = rng;
    int txns = 12;
    Model states[13];
    memset(states, 0, sizeof states);
    uint64_t total_writes = 0;
    int step = getenv("STRATA_TEST_QUICK") != NULL ? 17 : 5;
    for (uint64_t n = 0;; n += step) {
        Vfs *mem = vfs_memory_create();
        Vfs *fault = vfs_fault_create(mem, NULL);
        Env env = {0};
        Error err;
        env.arena = arena_create(NULL, 0, "crash");
        env.pager = open_pager(fault, &err);
        REQUIRE(env.pager != NULL);
        REQUIRE(env_create(&env, true, &err));
        FaultConfig config = {.crash_at_write = n};
        vfs_fault_configure(fault, &config);
        int acked = crash_workload(&env, fault, seed, txns, n == 0 ? states : NULL);
        FaultStats stats;
        vfs_fault_stats(fault, &stats);
        if (n == 0) {
            total_writes = stats.writes;
        }
        pager_close(env.pager, &err);
        vfs_memory_crash(mem);
        env.pager = open_pager(fault, &err);
        vfs_fault_configure(fault, NULL);
        bool ok = env.pager != NULL;
        PagerTxn *txn = NULL;
        uint64_t root = 0;
        ok = ok && pager_begin(env.pager, false, &txn, &err) == STRATA_OK;
        ok = ok && pager_get_meta(txn, 1, &root) == STRATA_OK;
        desc_init(&env.desc, true, root);
        /* The state is the last acked commit or (if its commit record made it) the next. */
        bool matches = false;
        for (int t = acked; ok && t <= txns && t <= acked + 1 && !matches; t++) {
            matches = t == 0 ? true : verify(&env, txn, &states[t], NULL, "after crash");
        }
        if (!ok || !matches) {
            fprintf(stderr, "  crash at write %llu (acked %d): %s\n", (unsigned long long)n, acked,
                    ok ? "state differs" : err.message);
            CHECK(false);
        }
        pager_rollback(txn);
        pager_close(env.pager, &err);
        vfs_destroy(fault);
        vfs_destroy(mem);
        arena_destroy(env.arena);
        if (!ok || !matches || (n > 0 && n > total_writes)) {
            break;
        }
        if (n == 0) {
            n = 1 - (uint64_t)step; /* then 1, 1 + step, ... */
        }
    }
    printf("column_am_test: crash points up to %llu writes checked\n", (unsigned long long)total_writes);
    for (int t = 0; t <= txns; t++) {
        mem_free(states[t].rows);
    }
}

int main(void)
{
    rng = test_seed("column_am_test");
    TEST_RUN(test_model);
    TEST_RUN(test_zone_skipping_and_keys);
    TEST_RUN(test_bulk_tail);
    TEST_RUN(test_parallel_claim);
    TEST_RUN(test_corrupt_segment);
    TEST_RUN(test_crash);
    column_set_row_group_rows(0);
    return test_summary("column_am_test");
}
