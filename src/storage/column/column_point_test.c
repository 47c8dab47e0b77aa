/*
 * storage/column/column_point_test.c - goal: a fetch by row id (column_point.c)
 * returns exactly what was stored, for every encoding a point read handles in
 * place (constant, plain, FOR, delta, run-length, dictionary, for_patched,
 * delta_blocked) and the ones it decodes whole (delta with a width, delta2,
 * Gorilla), with no NULLs, some NULLs, all NULLs and edge values (INT64_MIN/MAX,
 * NaN, -0.0, infinities), read a few rows per fetch (in place) and a whole group
 * in one fetch (the switch to a whole decode after SEGPOINT_DECODE_AFTER reads);
 * delta_blocked groups of 65,536 values with exception lists of several KB; a
 * fetch cache holding 360 groups, and right after changes between read txns.
 * One row group per data shape; the test checks the shapes reached the
 * encodings it means to cover. Randomized: prints its seed, replay with STRATA_SEED.
 */
#include <math.h>
#include <string.h>

#include "storage/column/column_am_int.h"
#include "storage/vfs/vfs.h"
#include "util/mem.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

enum { COLS = 3, GROUP_ROWS = 4096, SHAPES = 11, NULL_PATTERNS = 4, FETCH_IDS = 13 };

static uint64_t rng;
static const SqlType types[COLS] = {{TYPE_INT8, -1}, {TYPE_FLOAT8, -1}, {TYPE_BOOL, -1}};
static const char *const names[COLS] = {"v", "f", "b"};

/* One group's model: values and NULL flags per column. */
typedef struct Group {
    int64_t v[GROUP_ROWS];
    double f[GROUP_ROWS];
    bool b[GROUP_ROWS];
    bool is_null[COLS][GROUP_ROWS];
} Group;

static int64_t int_shape(int shape, int row, int64_t *state)
{
    uint64_t r = test_rand(&rng);
    switch (shape) {
    case 0: /* constant */
        return -42;
    case 1: /* full 64-bit range: plain */
        return row % 97 == 0 ? (row % 2 ? INT64_MAX : INT64_MIN) : (int64_t)r;
    case 2: /* small: FOR */
        return 1000 + (int64_t)(r % 5000);
    case 3: /* sequential: delta of width 0 */
        return INT64_MIN / 2 + row * 3;
    case 4: /* increasing by random steps: delta with a width */
        *state += (int64_t)(r % 1000);
        return *state;
    case 5: /* long runs: rle */
        return (row / 700) * 1000003LL;
    case 6: /* few distinct, far apart: dictionary */
        return (int64_t)(r % 5) * 1000000000000LL - INT64_MAX / 3;
    case 7: /* small with outliers at both ends: for_patched */
        if (row % 301 == 5) {
            return row % 2 ? INT64_MAX - row : INT64_MIN + row;
        }
        return 7000 + (int64_t)(r % 200);
    case 8: /* seconds of a day in time order, wrapping: delta_blocked */
        *state += (int64_t)(r % 40);
        if (*state >= 86400) {
            *state -= 86400;
        }
        return *state;
    case 9: /* quadratic: delta-of-delta */
        return (int64_t)row * row * 5;
    default: /* a key plus a jump every 300 rows, and rare wild values: delta_blocked */
        if (row % 997 == 11) {
            return (int64_t)r;
        }
        return 50000000 + (row / 300) * 123456789LL + row % 300;
    }
}

static double float_shape(int shape, int row)
{
    static const double edges[] = {0.0, -0.0, 1.0 / 0.0, -1.0 / 0.0, 1e-308, -1e308};
    uint64_t r = test_rand(&rng);
    switch (shape % 5) {
    case 0:
        return 2.5;
    case 1:
        return row % 53 == 0 ? (row % 2 ? NAN : edges[r % 6]) : (double)(int64_t)r / 3.0;
    case 2:
        return edges[r % 6];
    case 3:
        return (double)(row / 900) * 0.25;
    default:
        return (double)row * 0.5; /* Gorilla */
    }
}

static bool null_at(int pattern, int row)
{
    switch (pattern) {
    case 0:
        return false;
    case 1:
        return test_rand(&rng) % 7 == 0;
    case 2:
        return true;
    default: /* only the first and last rows are values */
        return row != 0 && row != GROUP_ROWS - 1;
    }
}

static void fill_group(Group *group, int shape, int pattern)
{
    int64_t state = 0;
    for (int row = 0; row < GROUP_ROWS; row++) {
        group->v[row] = int_shape(shape, row, &state);
        group->f[row] = float_shape(shape, row);
        group->b[row] = shape % 3 == 0 ? true
                         : (shape % 3 == 1 ? (row / 500) % 2 != 0 : test_rand(&rng) % 2 != 0);
        for (int col = 0; col < COLS; col++) {
            /* Column 0 alone gets the pattern for patterns 1 and 3 on odd shapes, so
             * some groups have NULLs in one column only. */
            group->is_null[col][row] = null_at(col == 0 || shape % 2 == 0 ? pattern : 0, row);
        }
    }
}

static Batch *group_batch(Arena *arena, const Group *group)
{
    Batch *batch = batch_create(arena, types, COLS, GROUP_ROWS);
    for (int row = 0; row < GROUP_ROWS; row++) {
        Value values[COLS] = {value_i64(TYPE_INT8, group->v[row]), value_f64(group->f[row]),
                              value_bool(group->b[row])};
        for (int col = 0; col < COLS; col++) {
            if (group->is_null[col][row]) {
                values[col] = value_null(types[col]);
            }
        }
        batch_append_row(batch, values);
    }
    return batch;
}

static bool same_value(const Group *group, int col, int row, const Vector *vector, int at)
{
    bool is_null = vector_is_null(vector, at);
    if (is_null != group->is_null[col][row]) {
        return false;
    }
    if (is_null) {
        return true;
    }
    switch (col) {
    case 0:
        return vector->i64[at] == group->v[row];
    case 1:
        return memcmp(&vector->f64[at], &group->f[row], sizeof(double)) == 0;
    default:
        return vector->b[at] == group->b[row];
    }
}

/* Fetches rows[0..count) (row numbers) of group and compares every column,
 * the columns asked for in a rotated order; through the fetch cache *cache
 * (kept under cache_arena) when cache is not NULL. */
static bool fetch_check(PagerTxn *txn, const TableDesc *desc, Arena *parent, const Group *group,
                        uint64_t first_rownum, const int *rows, int count, void **cache,
                        Arena *cache_arena)
{
    Arena *arena = arena_create(parent, 0, "fetch");
    StrRef *ids = arena_alloc(arena, sizeof *ids * (size_t)count);
    uint8_t *bytes = arena_alloc(arena, 8 * (size_t)count);
    for (int index = 0; index < count; index++) {
        col_put_be64(bytes + 8 * index, first_rownum + (uint64_t)rows[index]);
        ids[index] = (StrRef){(const char *)bytes + 8 * index, 8};
    }
    int rotate = rows[0] % COLS;
    int cols[COLS];
    SqlType out_types[COLS];
    for (int index = 0; index < COLS; index++) {
        cols[index] = (index + rotate) % COLS;
        out_types[index] = types[cols[index]];
    }
    Batch *batch = batch_create(arena, out_types, COLS, count);
    Error err;
    int rc = cache != NULL ? tam_fetch_cached(column_am(), txn, desc, cache, cache_arena, ids,
                                              count, cols, COLS, false, batch, &err)
                           : column_am()->fetch(txn, desc, ids, count, cols, COLS, false, batch,
                                                &err);
    bool ok = rc == STRATA_OK && batch->row_count == count;
    for (int index = 0; ok && index < count; index++) {
        for (int out = 0; ok && out < COLS; out++) {
            ok = same_value(group, cols[out], rows[index], &batch->columns[out], index);
            if (!ok) {
                fprintf(stderr, "  row %d column %s differs\n", rows[index], names[cols[out]]);
            }
        }
    }
    if (!ok && batch->row_count != count) {
        fprintf(stderr, "  fetch: %d rows of %d (%s)\n", batch->row_count, count, err.message);
    }
    arena_destroy(arena);
    return ok;
}

/* Every row of the group: a few ids per fetch in random order, then all at once;
 * with a fetch cache (a read txn), each fetch of a few ids twice, as a kept
 * statement's executions do. */
static bool check_group(PagerTxn *txn, const TableDesc *desc, Arena *arena, const Group *group,
                        uint64_t first_rownum, void **cache, Arena *cache_arena)
{
    int *order = mem_alloc(sizeof *order * GROUP_ROWS);
    for (int row = 0; row < GROUP_ROWS; row++) {
        order[row] = row;
    }
    for (int row = GROUP_ROWS - 1; row > 0; row--) {
        int other = (int)(test_rand(&rng) % (uint64_t)(row + 1)), keep = order[row];
        order[row] = order[other];
        order[other] = keep;
    }
    bool ok = true;
    for (int at = 0; ok && at < GROUP_ROWS; at += FETCH_IDS) {
        int count = GROUP_ROWS - at < FETCH_IDS ? GROUP_ROWS - at : FETCH_IDS;
        for (int pass = 0; ok && pass < (cache != NULL ? 2 : 1); pass++) {
            ok = fetch_check(txn, desc, arena, group, first_rownum, order + at, count, cache,
                             cache_arena);
        }
    }
    ok = ok && fetch_check(txn, desc, arena, group, first_rownum, order, GROUP_ROWS, cache,
                           cache_arena);
    mem_free(order);
    return ok;
}

static void test_point_reads(void)
{
    column_set_row_group_rows(GROUP_ROWS);
    Error err;
    Arena *arena = arena_create(NULL, 0, "point test");
    Vfs *mem = vfs_memory_create();
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = mem;
    Pager *pager = NULL;
    REQUIRE(pager_open("point.db", &opts, &pager, &err) == STRATA_OK);
    TableDesc desc;
    memset(&desc, 0, sizeof desc);
    desc.table_id = 1;
    desc.name = "t";
    desc.column_count = COLS;
    desc.column_types = types;
    desc.column_names = names;
    PagerTxn *txn;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(column_am()->create(txn, &desc, &err) == STRATA_OK);
    bool seen[COLENC_COUNT] = {false};
    Group *groups = mem_alloc(sizeof *groups * SHAPES * NULL_PATTERNS);
    uint32_t group_index = 0;
    for (int shape = 0; shape < SHAPES; shape++) {
        for (int pattern = 0; pattern < NULL_PATTERNS; pattern++, group_index++) {
            Group *group = &groups[group_index];
            fill_group(group, shape, pattern);
            Arena *load = arena_create(arena, 0, "load");
            REQUIRE(column_am()->bulk_load(txn, &desc, group_batch(load, group), &err) == STRATA_OK);
            arena_destroy(load);
            for (int col = 0; col < COLS; col++) {
                int encoding;
                uint64_t bytes;
                REQUIRE(column_segment_info(txn, &desc, group_index, col, &encoding, &bytes, &err) ==
                        STRATA_OK);
                seen[encoding] = true;
            }
            bool ok = check_group(txn, &desc, arena, group, (uint64_t)group_index * GROUP_ROWS + 1,
                                  NULL, NULL);
            if (!ok) {
                fprintf(stderr, "  shape %d, NULL pattern %d\n", shape, pattern);
            }
            CHECK(ok);
        }
    }
    static const int wanted[] = {COLENC_PLAIN,       COLENC_CONSTANT,     COLENC_DICT,
                                 COLENC_RLE,         COLENC_FOR,          COLENC_DELTA,
                                 COLENC_DELTA2,      COLENC_GORILLA,      COLENC_FOR_PATCHED,
                                 COLENC_DELTA_BLOCKED};
    for (size_t index = 0; index < sizeof wanted / sizeof wanted[0]; index++) {
        if (!seen[wanted[index]]) {
            fprintf(stderr, "  no segment was encoded %s\n", colenc_name(wanted[index]));
        }
        CHECK(seen[wanted[index]]);
    }
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    /* Every group again through one fetch cache in a read txn (an index scan of a
     * kept statement): groups of every encoding kept side by side, each read twice. */
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    Arena *cache_arena = arena_create(arena, 0, "fetch cache owner");
    void *cache = NULL;
    for (uint32_t index = 0; index < group_index; index++) {
        bool ok = check_group(txn, &desc, arena, &groups[index],
                              (uint64_t)index * GROUP_ROWS + 1, &cache, cache_arena);
        if (!ok) {
            fprintf(stderr, "  cached fetch, group %u\n", index);
        }
        CHECK(ok);
    }
    CHECK(cache != NULL);
    pager_rollback(txn);
    mem_free(groups);
    pager_close(pager, &err);
    vfs_destroy(mem);
    arena_destroy(arena);
    column_set_row_group_rows(0);
}

/* delta_blocked segments of full groups (65,536 values) whose exception lists
 * run to several KB, so that a read walks the list in many pieces (column_point.c
 * walk_list): deltas of 3 to 15 bits (around the four-values-a-load sum's limit
 * of 14), a quarter of them 0 (a packed 0 may be an exception), one in 60 an
 * exception (large, or negative as time_key's daily wrap). Rows are read through
 * one fetch cache in a read txn (kept groups: the walk restarts where the last
 * read's walk started) and without one, in random order, ascending and repeated,
 * and compared with the model. */
static void test_blocked_exceptions(void)
{
    enum { ROWS = 65536, WIDTHS = 4, READS = 3000 };
    static const int widths[WIDTHS] = {3, 9, 14, 15};
    static const SqlType one_type[1] = {{TYPE_INT8, -1}};
    static const char *const one_name[1] = {"k"};
    Error err;
    Arena *arena = arena_create(NULL, 0, "blocked test");
    Vfs *mem = vfs_memory_create();
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = mem;
    Pager *pager = NULL;
    REQUIRE(pager_open("blocked.db", &opts, &pager, &err) == STRATA_OK);
    TableDesc desc;
    memset(&desc, 0, sizeof desc);
    desc.table_id = 2;
    desc.name = "b";
    desc.column_count = 1;
    desc.column_types = one_type;
    desc.column_names = one_name;
    int64_t *model = mem_alloc(sizeof *model * ROWS * WIDTHS);
    PagerTxn *txn;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(column_am()->create(txn, &desc, &err) == STRATA_OK);
    for (int group = 0; group < WIDTHS; group++) {
        int64_t *values = model + (size_t)group * ROWS, value = 1000;
        Arena *load = arena_create(arena, 0, "load");
        Batch *batch = batch_create(load, one_type, 1, ROWS);
        for (int row = 0; row < ROWS; row++) {
            uint64_t r = test_rand(&rng);
            value += r % 4 == 0    ? 0
                     : r % 60 == 1 ? (r % 3 == 0 ? -50000 : 100000 + (int64_t)(r >> 40))
                                   : 1 + (int64_t)((r >> 8) % ((1ULL << widths[group]) - 1));
            values[row] = value;
            Value v = value_i64(TYPE_INT8, value);
            batch_append_row(batch, &v);
        }
        REQUIRE(column_am()->bulk_load(txn, &desc, batch, &err) == STRATA_OK);
        arena_destroy(load);
        int encoding;
        uint64_t bytes;
        REQUIRE(column_segment_info(txn, &desc, (uint32_t)group, 0, &encoding, &bytes, &err) ==
                STRATA_OK);
        CHECK(encoding == COLENC_DELTA_BLOCKED);
    }
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    Arena *cache_arena = arena_create(arena, 0, "fetch cache owner");
    void *cache = NULL;
    int *rows = mem_alloc(sizeof *rows * READS);
    bool ok = true;
    for (int round = 0; ok && round < 4; round++) {
        /* Rounds 0 and 2 random, 1 ascending, 3 the same rows as round 2. */
        for (int read = 0; round != 3 && read < READS; read++) {
            rows[read] = round == 1 ? (int)((uint64_t)read * ROWS * WIDTHS / READS)
                                    : (int)(test_rand(&rng) % (ROWS * WIDTHS));
        }
        for (int read = 0; ok && read < READS; read++) {
            Arena *fetch = arena_create(arena, 0, "fetch");
            uint8_t id[8];
            col_put_be64(id, (uint64_t)rows[read] + 1);
            StrRef ids[1] = {{(const char *)id, 8}};
            int col = 0;
            Batch *out = batch_create(fetch, one_type, 1, 1);
            int rc = read % 2 == 0 ? tam_fetch_cached(column_am(), txn, &desc, &cache, cache_arena,
                                                      ids, 1, &col, 1, false, out, &err)
                                   : column_am()->fetch(txn, &desc, ids, 1, &col, 1, false, out,
                                                        &err);
            ok = rc == STRATA_OK && out->row_count == 1 &&
                 out->columns[0].i64[0] == model[rows[read]];
            if (!ok) {
                fprintf(stderr, "  round %d: row %d of group %d (width %d) differs\n", round,
                        rows[read] % ROWS, rows[read] / ROWS, widths[rows[read] / ROWS]);
            }
            arena_destroy(fetch);
        }
    }
    CHECK(ok);
    pager_rollback(txn);
    mem_free(rows);
    mem_free(model);
    pager_close(pager, &err);
    vfs_destroy(mem);
    arena_destroy(arena);
}

/* Fetches column 0 (int8) of row number rownum through *cache (or without one)
 * and compares it with want (INT64_MIN: the row must be gone). */
static bool fetch_one_check(PagerTxn *txn, const TableDesc *desc, Arena *parent, void **cache,
                            Arena *cache_arena, uint64_t rownum, int64_t want)
{
    Arena *arena = arena_create(parent, 0, "fetch");
    uint8_t id[8];
    col_put_be64(id, rownum);
    StrRef ids[1] = {{(const char *)id, 8}};
    int col = 0;
    static const SqlType one_type[1] = {{TYPE_INT8, -1}};
    Batch *out = batch_create(arena, one_type, 1, 1);
    Error err;
    int rc = cache != NULL ? tam_fetch_cached(column_am(), txn, desc, cache, cache_arena, ids, 1,
                                              &col, 1, false, out, &err)
                           : column_am()->fetch(txn, desc, ids, 1, &col, 1, false, out, &err);
    bool ok = rc == STRATA_OK && (want == INT64_MIN ? out->row_count == 0
                                                    : out->row_count == 1 &&
                                                          out->columns[0].i64[0] == want);
    if (!ok) {
        fprintf(stderr, "  row %llu: rc %d, %d rows\n", (unsigned long long)rownum, rc,
                out->row_count);
    }
    arena_destroy(arena);
    return ok;
}

/* A fetch cache keeps every group of a point query over many row groups (issue 6
 * star q10 at 20M facts: 120 groups; at the start of branch q10fit a group took
 * 10 KB of the cache's 512 KB and 52 were kept; this test's groups kept 257 of
 * 360 then): 360 groups of 256 rows of six columns, a delta_blocked one read one
 * row per group (as an index scan does), twice; then after a DELETE, an UPDATE
 * (the row moves to the write buffer) and an INSERT committed between two read
 * txns, the same cache returns the new rows. */
static void test_cache_many_groups(void)
{
    enum { GROUPS = 360, ROWS = 256, WIDTH = 6 };
    static const SqlType six_types[WIDTH] = {{TYPE_INT8, -1}, {TYPE_INT8, -1}, {TYPE_INT8, -1},
                                             {TYPE_INT8, -1}, {TYPE_INT8, -1}, {TYPE_INT8, -1}};
    static const char *const six_names[WIDTH] = {"k", "a", "b", "c", "d", "e"};
    column_set_row_group_rows(ROWS);
    Error err;
    Arena *arena = arena_create(NULL, 0, "many groups test");
    Vfs *mem = vfs_memory_create();
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = mem;
    Pager *pager = NULL;
    REQUIRE(pager_open("many.db", &opts, &pager, &err) == STRATA_OK);
    TableDesc desc;
    memset(&desc, 0, sizeof desc);
    desc.table_id = 3;
    desc.name = "m";
    desc.column_count = WIDTH;
    desc.column_types = six_types;
    desc.column_names = six_names;
    int64_t *model = mem_alloc(sizeof *model * GROUPS * ROWS);
    PagerTxn *txn;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(column_am()->create(txn, &desc, &err) == STRATA_OK);
    Arena *load = arena_create(arena, 0, "load");
    Batch *batch = batch_create(load, six_types, WIDTH, GROUPS * ROWS);
    int64_t value = 0;
    for (int row = 0; row < GROUPS * ROWS; row++) {
        uint64_t r = test_rand(&rng);
        value += r % 3 == 0 ? 0 : r % 50 == 1 ? 70000 : (int64_t)(r % 200);
        model[row] = value;
        Value values[WIDTH];
        for (int col = 0; col < WIDTH; col++) {
            values[col] = value_i64(TYPE_INT8, col == 0 ? value : row % (col * 1000));
        }
        batch_append_row(batch, values);
    }
    REQUIRE(column_am()->bulk_load(txn, &desc, batch, &err) == STRATA_OK);
    arena_destroy(load);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    Arena *cache_arena = arena_create(arena, 0, "fetch cache owner");
    void *cache = NULL;
    uint64_t picked[GROUPS];
    for (int group = 0; group < GROUPS; group++) {
        picked[group] = (uint64_t)group * ROWS + test_rand(&rng) % ROWS;
    }
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    bool ok = true;
    for (int pass = 0; pass < 2; pass++) {
        for (int group = 0; ok && group < GROUPS; group++) {
            ok = fetch_one_check(txn, &desc, arena, &cache, cache_arena, picked[group] + 1,
                                 model[picked[group]]);
        }
    }
    CHECK(ok);
    if (column_fetch_cache_groups(cache) != GROUPS) {
        fprintf(stderr, "  the cache kept %d of %d groups\n", column_fetch_cache_groups(cache),
                GROUPS);
    }
    CHECK(column_fetch_cache_groups(cache) == GROUPS);
    pager_rollback(txn);
    /* Between two read txns: group 7's row deleted, group 8's updated, a row inserted. */
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    uint8_t id[2][8];
    col_put_be64(id[0], picked[7] + 1);
    col_put_be64(id[1], picked[8] + 1);
    StrRef gone = {(const char *)id[0], 8}, moved = {(const char *)id[1], 8};
    REQUIRE(column_am()->delete_rows(txn, &desc, &gone, 1, &err) == STRATA_OK);
    Arena *change = arena_create(arena, 0, "change");
    Batch *rows = batch_create(change, six_types, WIDTH, 1);
    Value values[WIDTH];
    for (int col = 0; col < WIDTH; col++) {
        values[col] = value_i64(TYPE_INT8, -5);
    }
    batch_append_row(rows, values);
    StrRef moved_to;
    REQUIRE(column_am()->update(txn, &desc, &moved, rows, &moved_to, change, &err) == STRATA_OK);
    uint64_t moved_rownum = col_get_be64((const uint8_t *)moved_to.ptr);
    Batch *added = batch_create(change, six_types, WIDTH, 1);
    for (int col = 0; col < WIDTH; col++) {
        values[col] = value_i64(TYPE_INT8, 99);
    }
    batch_append_row(added, values);
    StrRef added_id;
    REQUIRE(column_am()->insert(txn, &desc, added, &added_id, change, &err) == STRATA_OK);
    uint64_t added_rownum = col_get_be64((const uint8_t *)added_id.ptr);
    arena_destroy(change);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    for (int pass = 0; pass < 2; pass++) {
        for (int group = 0; ok && group < GROUPS; group++) {
            int64_t want = group == 7 || group == 8 ? INT64_MIN : model[picked[group]];
            ok = fetch_one_check(txn, &desc, arena, &cache, cache_arena, picked[group] + 1, want);
        }
        ok = ok && fetch_one_check(txn, &desc, arena, &cache, cache_arena, moved_rownum, -5) &&
             fetch_one_check(txn, &desc, arena, &cache, cache_arena, added_rownum, 99);
    }
    CHECK(ok);
    pager_rollback(txn);
    mem_free(model);
    pager_close(pager, &err);
    vfs_destroy(mem);
    arena_destroy(arena);
    column_set_row_group_rows(0);
}

/* colpatch_checkpoint_at from the word marks of colpatch_checkpoints_skip finds
 * every checkpoint colpatch_checkpoints_read decodes, for checkpoint varints of
 * 1 to 10 bytes in random mixes (a varint then often straddles a word). */
static void test_checkpoint_marks(void)
{
    enum { VALUES = 65536 };
    int64_t *values = mem_alloc(sizeof *values * VALUES);
    uint8_t *bytes = mem_alloc(VALUES * 2);
    uint64_t *truth = mem_alloc(sizeof *truth * (VALUES / 8 + 1));
    uint16_t *marks = mem_alloc(sizeof *marks * (VALUES / 4 + 1));
    for (int round = 0; round < 40; round++) {
        uint32_t count = 1 + (uint32_t)(test_rand(&rng) % VALUES);
        int max_bits = 1 + (int)(test_rand(&rng) % 64);
        for (uint32_t row = 0; row < count; row++) {
            int bits = 1 + (int)(test_rand(&rng) % (uint64_t)max_bits);
            uint64_t r = test_rand(&rng);
            values[row] = (int64_t)(bits == 64 ? r : r & ((1ULL << bits) - 1));
        }
        size_t len = colpatch_checkpoints_write(values, count, bytes);
        CHECK(len == colpatch_checkpoints_size(values, count));
        uint32_t interval = 0, stored = 0, skip_interval = 0, skip_stored = 0, mark_count = 0;
        size_t values_at = 0;
        CHECK(colpatch_checkpoints_read(bytes, len, count, &interval, truth, &stored) == len);
        CHECK(colpatch_checkpoints_skip(bytes, len, count, &skip_interval, &skip_stored,
                                        &values_at, marks, &mark_count) == len);
        CHECK(skip_interval == interval && skip_stored == stored);
        CHECK(mark_count <= (len - values_at) / 8 + 1);
        bool ok = true;
        for (uint32_t index = 0; ok && index < stored; index++) {
            uint64_t marked = 0, plain = 0;
            ok = colpatch_checkpoint_at(bytes, len, values_at, marks, mark_count, index, &marked) &&
                 colpatch_checkpoint_at(bytes, len, values_at, NULL, 0, index, &plain) &&
                 marked == truth[index] && plain == truth[index];
            if (!ok) {
                fprintf(stderr, "  round %d: checkpoint %u of %u\n", round, index, stored);
            }
        }
        CHECK(ok);
        uint64_t past;
        CHECK(!colpatch_checkpoint_at(bytes, len, values_at, marks, mark_count, stored, &past));
    }
    mem_free(marks);
    mem_free(truth);
    mem_free(bytes);
    mem_free(values);
}

int main(void)
{
    rng = test_seed("column_point_test");
    TEST_RUN(test_point_reads);
    TEST_RUN(test_checkpoint_marks);
    TEST_RUN(test_blocked_exceptions);
    TEST_RUN(test_cache_many_groups);
    return test_summary("column_point_test");
}
