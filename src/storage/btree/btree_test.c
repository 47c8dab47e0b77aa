/*
 * storage/btree/btree_test.c - the B+tree against a sorted in-memory model,
 * plus directed tests: root split keeps the root, sequential loads fill
 * pages (one by one and through btree_insert_run), in-place replacement at a leaf hint, 64 MiB overflow values,
 * corrupted pages are detected, limits.
 *
 * The model test runs long random sequences of insert / upsert / delete / get
 * / forward and backward range scans with random key and value sizes
 * (overflow values included), committing or rolling back the pager
 * transaction after each phase (the model is restored on rollback), and runs
 * btree_check after each phase. Seeds: util/test.h test_seed.
 */
#include "storage/btree/btree.h"

#include <stdlib.h>
#include <string.h>

#include "storage/btree/btree_int.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static bool quick(void)
{
    const char *env = getenv("STRATA_TEST_QUICK");
    return env != NULL && *env != '\0' && *env != '0';
}

static Pager *open_pager(void)
{
    Pager *pager = NULL;
    Error err;
    error_clear(&err);
    if (pager_open(":memory:", NULL, &pager, &err) != STRATA_OK) {
        fprintf(stderr, "pager_open: %s\n", err.message);
        return NULL;
    }
    return pager;
}

/* ---- The model ----------------------------------------------------------------- */

typedef struct Entry {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
} Entry;

typedef struct Model {
    Entry *entries;
    size_t count, capacity;
} Model;

static size_t model_find(const Model *model, const uint8_t *key, size_t key_len, bool *found)
{
    size_t low = 0, high = model->count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        int cmp = btree_key_compare(model->entries[mid].key, model->entries[mid].key_len, key,
                                    key_len);
        if (cmp < 0) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    *found = low < model->count &&
             btree_key_compare(model->entries[low].key, model->entries[low].key_len, key,
                               key_len) == 0;
    return low;
}

static void model_put(Model *model, Entry entry)
{
    bool found;
    size_t index = model_find(model, entry.key, entry.key_len, &found);
    if (found) {
        model->entries[index] = entry;
        return;
    }
    if (model->count == model->capacity) {
        model->capacity = model->capacity ? model->capacity * 2 : 256;
        model->entries = realloc(model->entries, model->capacity * sizeof(Entry));
    }
    memmove(&model->entries[index + 1], &model->entries[index],
            (model->count - index) * sizeof(Entry));
    model->entries[index] = entry;
    model->count++;
}

static void model_remove(Model *model, size_t index)
{
    memmove(&model->entries[index], &model->entries[index + 1],
            (model->count - index - 1) * sizeof(Entry));
    model->count--;
}

static void model_copy(Model *dst, const Model *src)
{
    if (dst->capacity < src->count) {
        dst->capacity = src->count + 16;
        dst->entries = realloc(dst->entries, dst->capacity * sizeof(Entry));
    }
    if (src->count > 0) {
        memcpy(dst->entries, src->entries, src->count * sizeof(Entry));
    }
    dst->count = src->count;
}

static uint8_t *random_key(Arena *arena, uint64_t *rng, size_t *len)
{
    uint64_t shape = test_rand(rng) % 100;
    size_t key_len = shape < 80   ? test_rand(rng) % 12
                     : shape < 98 ? test_rand(rng) % 200
                                  : test_rand(rng) % BTREE_KEY_MAX;
    uint8_t *key = arena_alloc(arena, key_len + 1);
    for (size_t pos = 0; pos < key_len; pos++) {
        /* A small alphabet makes shared prefixes and collisions common. */
        key[pos] = (uint8_t)(pos < 3 ? test_rand(rng) % 4 : test_rand(rng) % 256);
    }
    *len = key_len;
    return key;
}

static uint8_t *random_value(Arena *arena, uint64_t *rng, size_t *len)
{
    uint64_t shape = test_rand(rng) % 100;
    size_t value_len = shape < 85 ? test_rand(rng) % 64
                                  : (shape < 95 ? test_rand(rng) % 3000 : test_rand(rng) % 40000);
    uint8_t *value = arena_alloc(arena, value_len + 1);
    uint8_t seed = (uint8_t)test_rand(rng);
    for (size_t pos = 0; pos < value_len; pos++) {
        value[pos] = (uint8_t)(seed + pos * 7);
    }
    *len = value_len;
    return value;
}

static bool same_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

/* Scans up to `limit` entries from a random key in either direction and compares. */
static void check_scan(PagerTxn *txn, Pgno root, const Model *model, Arena *arena, uint64_t *rng)
{
    Error err;
    size_t key_len;
    uint8_t *key = random_key(arena, rng, &key_len);
    BTreeSeekOp op = (BTreeSeekOp)(test_rand(rng) % 4);
    bool forward = op == BTREE_SEEK_GE || op == BTREE_SEEK_GT;
    BTreeCursor *cursor = NULL;
    REQUIRE(btree_cursor_open(txn, root, arena, &cursor, &err) == STRATA_OK);
    int rc = btree_cursor_seek(cursor, key, key_len, op, &err);
    REQUIRE(rc == STRATA_OK);
    bool found;
    size_t index = model_find(model, key, key_len, &found);
    long position = (long)index;
    if (op == BTREE_SEEK_GT && found) {
        position++;
    } else if (op == BTREE_SEEK_LE) {
        position = found ? position : position - 1;
    } else if (op == BTREE_SEEK_LT) {
        position--;
    }
    for (int step = 0; step < 60; step++) {
        bool model_valid = position >= 0 && position < (long)model->count;
        CHECK(btree_cursor_valid(cursor) == model_valid);
        if (!model_valid || !btree_cursor_valid(cursor)) {
            return;
        }
        const Entry *entry = &model->entries[position];
        size_t got_len;
        const uint8_t *got = btree_cursor_key(cursor, &got_len);
        CHECK(same_bytes(got, got_len, entry->key, entry->key_len));
        CHECK_EQ_INT(btree_cursor_value_size(cursor), entry->value_len);
        if (step < 3) {
            const uint8_t *value;
            size_t value_len;
            REQUIRE(btree_cursor_value(cursor, arena, &value, &value_len, &err) == STRATA_OK);
            CHECK(same_bytes(value, value_len, entry->value, entry->value_len));
        }
        rc = forward ? btree_cursor_next(cursor, &err) : btree_cursor_prev(cursor, &err);
        REQUIRE(rc == STRATA_OK);
        position += forward ? 1 : -1;
    }
}

static void random_op(PagerTxn *txn, Pgno root, Model *model, Arena *arena, uint64_t *rng)
{
    Error err;
    uint64_t kind = test_rand(rng) % 100;
    size_t key_len, value_len;
    const uint8_t *key;
    if (kind < 30 && model->count > 0 && test_rand(rng) % 2) {
        const Entry *entry = &model->entries[test_rand(rng) % model->count];
        key = entry->key;
        key_len = entry->key_len;
    } else {
        key = random_key(arena, rng, &key_len);
    }
    bool found;
    size_t index = model_find(model, key, key_len, &found);
    if (kind < 45) {
        const uint8_t *value = random_value(arena, rng, &value_len);
        bool existed = false;
        BTreeInsertMode mode = kind < 25 ? BTREE_INSERT_NEW : BTREE_INSERT_UPSERT;
        int rc = btree_insert(txn, root, key, key_len, value, value_len, mode, &existed, &err);
        REQUIRE(rc == STRATA_OK);
        CHECK(existed == found);
        if (mode == BTREE_INSERT_UPSERT || !found) {
            Entry entry = {key, key_len, value, value_len};
            model_put(model, entry);
        }
    } else if (kind < 70) {
        bool deleted = false;
        REQUIRE(btree_delete(txn, root, key, key_len, &deleted, &err) == STRATA_OK);
        CHECK(deleted == found);
        if (found) {
            model_remove(model, index);
        }
    } else if (kind < 90) {
        const uint8_t *value = NULL;
        bool got = false;
        REQUIRE(btree_get(txn, root, key, key_len, arena, &value, &value_len, &got, &err) ==
                STRATA_OK);
        CHECK(got == found);
        if (got && found) {
            const Entry *entry = &model->entries[index];
            CHECK(same_bytes(value, value_len, entry->value, entry->value_len));
        }
    } else {
        check_scan(txn, root, model, arena, rng);
    }
}

/* A key just past the model's largest (or a random one): what a hidden row
 * number or a load in key order appends. */
static uint8_t *key_after(Arena *arena, const Model *model, uint64_t *rng, size_t *len)
{
    if (model->count == 0 || test_rand(rng) % 8 == 0) {
        return random_key(arena, rng, len);
    }
    const Entry *last = &model->entries[model->count - 1];
    size_t key_len = last->key_len < BTREE_KEY_MAX ? last->key_len + 1 : last->key_len;
    uint8_t *key = arena_alloc(arena, key_len + 1);
    memcpy(key, last->key, last->key_len);
    if (key_len > last->key_len) {
        key[last->key_len] = (uint8_t)test_rand(rng);
    } else {
        return random_key(arena, rng, len);
    }
    *len = key_len;
    return key;
}

/* btree_insert_run against the model: runs of keys mostly past the end (the
 * append path), with random keys, existing keys, keys out of order and
 * overflow values mixed in; it must stop at the first existing key, with
 * everything before it inserted, exactly as btree_insert one by one. */
static void run_op(PagerTxn *txn, Pgno root, Model *model, Arena *arena, uint64_t *rng)
{
    Error err;
    int count = (int)(test_rand(rng) % 300) + 1;
    BTreeEntry *entries = arena_alloc(arena, sizeof(BTreeEntry) * (size_t)count);
    Model shadow = {0};
    model_copy(&shadow, model);
    int expected = count;
    for (int at = 0; at < count; at++) {
        BTreeEntry *e = &entries[at];
        uint64_t shape = test_rand(rng) % 100;
        if (shape < 3 && shadow.count > 0) {
            const Entry *old = &shadow.entries[test_rand(rng) % shadow.count];
            e->key = old->key;
            e->key_len = old->key_len;
        } else if (shape < 10) {
            e->key = random_key(arena, rng, &e->key_len);
        } else {
            e->key = key_after(arena, &shadow, rng, &e->key_len);
        }
        e->value = random_value(arena, rng, &e->value_len);
        bool found;
        model_find(&shadow, e->key, e->key_len, &found);
        if (found && expected == count) {
            expected = at;
        }
        if (!found) {
            Entry entry = {e->key, e->key_len, e->value, e->value_len};
            model_put(&shadow, entry);
        }
    }
    int inserted = -1;
    REQUIRE(btree_insert_run(txn, root, entries, count, &inserted, &err) == STRATA_OK);
    CHECK_EQ_INT(inserted, expected);
    for (int at = 0; at < inserted && at < count; at++) {
        Entry entry = {entries[at].key, entries[at].key_len, entries[at].value,
                       entries[at].value_len};
        model_put(model, entry);
    }
    free(shadow.entries);
}

static void check_whole(PagerTxn *txn, Pgno root, const Model *model)
{
    Error err;
    BTreeCheckStats stats;
    int rc = btree_check(txn, root, &stats, &err);
    if (rc != STRATA_OK) {
        fprintf(stderr, "  btree_check: %s\n", err.message);
    }
    CHECK(rc == STRATA_OK);
    CHECK_EQ_INT(stats.key_count, model->count);
    uint64_t counted = 0;
    CHECK(btree_count_range(txn, root, NULL, 0, NULL, 0, &counted, &err) == STRATA_OK);
    CHECK_EQ_INT(counted, model->count);
}

static void test_model(void)
{
    uint64_t rng = test_seed("btree_test model");
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Arena *arena = arena_create(NULL, 0, "btree model test");
    Model model = {0}, committed = {0};
    Error err;
    PagerTxn *txn = NULL;
    Pgno root = PGNO_NONE;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    int phases = quick() ? 12 : 60;
    for (int phase = 0; phase < phases && !test_current_failed; phase++) {
        REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
        int ops = (int)(test_rand(&rng) % (phase % 5 == 4 ? 3000 : 400)) + 1;
        for (int op = 0; op < ops && !test_current_failed; op++) {
            if (test_rand(&rng) % 40 == 0) {
                run_op(txn, root, &model, arena, &rng);
            } else {
                random_op(txn, root, &model, arena, &rng);
            }
        }
        check_whole(txn, root, &model);
        if (test_rand(&rng) % 10 < 7) {
            REQUIRE(pager_commit(txn, &err) == STRATA_OK);
            model_copy(&committed, &model);
        } else {
            pager_rollback(txn);
            model_copy(&model, &committed);
        }
        REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
        check_whole(txn, root, &model);
        pager_rollback(txn);
    }
    /* Delete everything: the tree must shrink back to an empty root leaf. */
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    while (model.count > 0) {
        bool found = false;
        Entry *entry = &model.entries[test_rand(&rng) % model.count];
        REQUIRE(btree_delete(txn, root, entry->key, entry->key_len, &found, &err) == STRATA_OK);
        CHECK(found);
        model_remove(&model, (size_t)(entry - model.entries));
    }
    BTreeCheckStats stats;
    CHECK(btree_check(txn, root, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.depth, 1);
    CHECK_EQ_INT(stats.key_count, 0);
    REQUIRE(btree_destroy(txn, root, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    free(model.entries);
    free(committed.entries);
    arena_destroy(arena);
    pager_close(pager, &err);
}

static void put_u64_be(uint8_t *out, uint64_t value)
{
    for (int pos = 7; pos >= 0; pos--) {
        out[pos] = (uint8_t)value;
        value >>= 8;
    }
}

/* Sequential appends: root pgno stays, leaves end up nearly full. */
static void test_root_split_and_bulk_fill(void)
{
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Error err;
    PagerTxn *txn = NULL;
    Pgno root = PGNO_NONE;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    Pgno original_root = root;
    uint8_t value[100];
    memset(value, 'v', sizeof value);
    int key_total = 20000;
    for (int row = 0; row < key_total; row++) {
        uint8_t key[8];
        put_u64_be(key, (uint64_t)row);
        REQUIRE(btree_insert(txn, root, key, 8, value, sizeof value, BTREE_INSERT_NEW, NULL,
                             &err) == STRATA_OK);
    }
    BTreeCheckStats stats;
    REQUIRE(btree_check(txn, original_root, &stats, &err) == STRATA_OK);
    CHECK(stats.depth >= 2);
    CHECK_EQ_INT(stats.key_count, key_total);
    size_t cell_bytes = bt_leaf_header_size(8, sizeof value) + 8 + sizeof value + 2;
    size_t per_page = (PAGE_USABLE_SIZE - BT_HEADER_SIZE) / cell_bytes;
    uint64_t ideal = (uint64_t)(key_total + per_page - 1) / per_page;
    printf("  sequential load: %llu leaves (ideal %llu), depth %d\n",
           (unsigned long long)stats.leaf_pages, (unsigned long long)ideal, stats.depth);
    CHECK(stats.leaf_pages <= ideal + ideal / 20 + 1);
    /* Estimates: whole range and half of it, within a factor of two. */
    uint64_t estimate = 0;
    CHECK(btree_estimate_range(txn, root, NULL, 0, NULL, 0, &estimate, &err) == STRATA_OK);
    CHECK(estimate >= (uint64_t)key_total / 2 && estimate <= (uint64_t)key_total * 2);
    uint8_t low[8], high[8];
    put_u64_be(low, 5000);
    put_u64_be(high, 15000);
    CHECK(btree_estimate_range(txn, root, low, 8, high, 8, &estimate, &err) == STRATA_OK);
    CHECK(estimate >= 5000 && estimate <= 20000);
    put_u64_be(high, 5010);
    CHECK(btree_estimate_range(txn, root, low, 8, high, 8, &estimate, &err) == STRATA_OK);
    CHECK(estimate <= 200);
    uint64_t pages = 0;
    CHECK(btree_estimate_pages(txn, root, &pages, &err) == STRATA_OK);
    uint64_t actual = stats.leaf_pages + stats.interior_pages;
    CHECK(pages >= actual / 2 && pages <= actual * 2);
    /* The same keys through btree_insert_run, 256 at a time (a row table's
     * INSERT ... SELECT): as full, and the same keys. */
    REQUIRE(btree_clear(txn, root, &err) == STRATA_OK);
    uint8_t (*run_keys)[8] = malloc(sizeof *run_keys * (size_t)key_total);
    BTreeEntry run[256];
    for (int first = 0; first < key_total; first += 256) {
        int count = key_total - first < 256 ? key_total - first : 256;
        for (int at = 0; at < count; at++) {
            put_u64_be(run_keys[first + at], (uint64_t)(first + at));
            run[at] = (BTreeEntry){run_keys[first + at], 8, value, sizeof value};
        }
        int inserted = 0;
        REQUIRE(btree_insert_run(txn, root, run, count, &inserted, &err) == STRATA_OK);
        CHECK_EQ_INT(inserted, count);
    }
    BTreeCheckStats run_stats;
    REQUIRE(btree_check(txn, original_root, &run_stats, &err) == STRATA_OK);
    CHECK_EQ_INT(run_stats.key_count, key_total);
    CHECK(run_stats.leaf_pages <= ideal + ideal / 20 + 1);
    /* A run meeting an existing key stops there. */
    put_u64_be(run_keys[0], (uint64_t)key_total);
    put_u64_be(run_keys[1], 7);
    run[0] = (BTreeEntry){run_keys[0], 8, value, sizeof value};
    run[1] = (BTreeEntry){run_keys[1], 8, value, sizeof value};
    int stopped = -1;
    REQUIRE(btree_insert_run(txn, root, run, 2, &stopped, &err) == STRATA_OK);
    CHECK_EQ_INT(stopped, 1);
    REQUIRE(btree_check(txn, original_root, &run_stats, &err) == STRATA_OK);
    CHECK_EQ_INT(run_stats.key_count, key_total + 1);
    free(run_keys);
    /* Reverse sequential inserts and a clear keep the root too. */
    REQUIRE(btree_clear(txn, root, &err) == STRATA_OK);
    for (int row = key_total; row > 0; row--) {
        uint8_t key[8];
        put_u64_be(key, (uint64_t)row);
        REQUIRE(btree_insert(txn, root, key, 8, value, sizeof value, BTREE_INSERT_NEW, NULL,
                             &err) == STRATA_OK);
    }
    REQUIRE(btree_check(txn, root, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.key_count, key_total);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    pager_close(pager, &err);
}

/* The append split (a key past the end of a full rightmost leaf starts a new
 * leaf; the parent gets the separator in place): long keys sharing a 56-byte
 * prefix make long separators, so interior pages fill and split too (the
 * general path), and some values go to overflow chains. Every key must read
 * back with its value, the tree must check, the leaves must be full, and an
 * insert inside the tree, then more appends, must keep it so. Half the keys go
 * in through btree_insert, the rest through btree_insert_run. */
static void append_key(uint8_t *key, uint64_t row)
{
    memset(key, 'p', 56);
    put_u64_be(key + 56, row);
}

static size_t append_value_len(uint64_t row)
{
    return row % 997 == 5 ? 5000 : 200 + row % 50;
}

static void append_value(uint8_t *value, uint64_t row)
{
    size_t len = append_value_len(row);
    for (size_t pos = 0; pos < len; pos++) {
        value[pos] = (uint8_t)(row * 7 + pos);
    }
}

static void check_append_tree(PagerTxn *txn, Pgno root, uint64_t rows, uint64_t skip)
{
    BTreeCheckStats stats;
    Error err;
    REQUIRE(btree_check(txn, root, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.key_count, (int64_t)rows);
    CHECK(stats.depth >= 3);
    Arena *arena = arena_create(NULL, 0, "append test");
    uint8_t key[64], expect[5000];
    for (uint64_t row = 0; row < rows + (skip != 0); row++) {
        if (row == skip && skip != 0) {
            continue;
        }
        append_key(key, row);
        append_value(expect, row);
        const uint8_t *value = NULL;
        size_t len = 0;
        bool found = false;
        REQUIRE(btree_get(txn, root, key, 64, arena, &value, &len, &found, &err) == STRATA_OK);
        CHECK(found && len == append_value_len(row) && memcmp(value, expect, len) == 0);
        arena_reset(arena);
    }
    arena_destroy(arena);
}

static void test_append_split(void)
{
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Error err;
    PagerTxn *txn = NULL;
    Pgno root = PGNO_NONE;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    uint64_t rows = quick() ? 6000 : 30000, half = rows / 2;
    static uint8_t keys[256][64], values[256][5000];
    uint8_t key[64], value[5000];
    for (uint64_t row = 0; row < half; row++) {
        append_key(key, row);
        append_value(value, row);
        REQUIRE(btree_insert(txn, root, key, 64, value, append_value_len(row), BTREE_INSERT_NEW,
                             NULL, &err) == STRATA_OK);
    }
    for (uint64_t first = half; first < rows; first += 256) {
        BTreeEntry run[256];
        int count = rows - first < 256 ? (int)(rows - first) : 256;
        for (int at = 0; at < count; at++) {
            append_key(keys[at], first + (uint64_t)at);
            append_value(values[at], first + (uint64_t)at);
            run[at] = (BTreeEntry){keys[at], 64, values[at], append_value_len(first + (uint64_t)at)};
        }
        int inserted = 0;
        REQUIRE(btree_insert_run(txn, root, run, count, &inserted, &err) == STRATA_OK);
        CHECK_EQ_INT(inserted, count);
    }
    BTreeCheckStats stats;
    REQUIRE(btree_check(txn, root, &stats, &err) == STRATA_OK);
    /* Full leaves: about as many as the bytes of the in-page cells need. */
    size_t cell_bytes = 0;
    for (uint64_t row = 0; row < rows; row++) {
        size_t len = append_value_len(row) > 2000 ? 4 : append_value_len(row);
        cell_bytes += bt_leaf_header_size(64, len) + 64 + len + 2;
    }
    uint64_t ideal = cell_bytes / (PAGE_USABLE_SIZE - BT_HEADER_SIZE) + 1;
    printf("  append split: %llu leaves (ideal %llu), %llu interior, depth %d\n",
           (unsigned long long)stats.leaf_pages, (unsigned long long)ideal,
           (unsigned long long)stats.interior_pages, stats.depth);
    CHECK(stats.leaf_pages <= ideal + ideal / 20 + 1);
    CHECK(stats.interior_pages >= 2);
    /* A key inside the tree (deleted and put back), then more appends. */
    append_key(key, 17);
    REQUIRE(btree_delete(txn, root, key, 64, NULL, &err) == STRATA_OK);
    check_append_tree(txn, root, rows - 1, 17);
    append_value(value, 17);
    REQUIRE(btree_insert(txn, root, key, 64, value, append_value_len(17), BTREE_INSERT_NEW, NULL,
                         &err) == STRATA_OK);
    for (uint64_t row = rows; row < rows + 500; row++) {
        append_key(key, row);
        append_value(value, row);
        REQUIRE(btree_insert(txn, root, key, 64, value, append_value_len(row), BTREE_INSERT_NEW,
                             NULL, &err) == STRATA_OK);
    }
    check_append_tree(txn, root, rows + 500, 0);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    pager_close(pager, &err);
}

/* btree_replace_at: with the leaf btree_get_leaf gave, a same-size value is
 * replaced in place; a different size, a missing key, and a hint that stopped
 * being a leaf (the root split under inserts) change nothing and say so. */
static void test_replace_at(void)
{
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Error err;
    PagerTxn *txn = NULL;
    Pgno root = PGNO_NONE, leaf = PGNO_NONE;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "replace_at");
    REQUIRE(arena != NULL);
    const uint8_t key[1] = {0x00}, other[2] = {0x01, 0x02};
    REQUIRE(btree_insert(txn, root, key, 1, (const uint8_t *)"aaaa", 4, BTREE_INSERT_NEW, NULL,
                         &err) == STRATA_OK);
    const uint8_t *value = NULL;
    size_t len = 0;
    bool found = false, done = false;
    REQUIRE(btree_get_leaf(txn, root, key, 1, arena, &value, &len, &found, &leaf, &err) ==
            STRATA_OK);
    CHECK(found);
    CHECK(leaf == root);
    REQUIRE(btree_replace_at(txn, leaf, key, 1, (const uint8_t *)"bbbb", 4, &done, &err) ==
            STRATA_OK);
    CHECK(done);
    REQUIRE(btree_get(txn, root, key, 1, arena, &value, &len, &found, &err) == STRATA_OK);
    CHECK(found && len == 4 && memcmp(value, "bbbb", 4) == 0);
    REQUIRE(btree_replace_at(txn, leaf, key, 1, (const uint8_t *)"ccc", 3, &done, &err) ==
            STRATA_OK);
    CHECK(!done);
    REQUIRE(btree_replace_at(txn, leaf, other, 2, (const uint8_t *)"cccc", 4, &done, &err) ==
            STRATA_OK);
    CHECK(!done);
    REQUIRE(btree_get(txn, root, other, 2, arena, &value, &len, &found, &err) == STRATA_OK);
    CHECK(!found);
    uint8_t big[100];
    memset(big, 'v', sizeof big);
    for (int row = 1; row <= 2000; row++) {
        uint8_t row_key[8];
        put_u64_be(row_key, (uint64_t)row);
        REQUIRE(btree_insert(txn, root, row_key, 8, big, sizeof big, BTREE_INSERT_NEW, NULL,
                             &err) == STRATA_OK);
    }
    REQUIRE(btree_replace_at(txn, leaf, key, 1, (const uint8_t *)"dddd", 4, &done, &err) ==
            STRATA_OK);
    CHECK(!done); /* the root is interior now */
    REQUIRE(btree_get_leaf(txn, root, key, 1, arena, &value, &len, &found, &leaf, &err) ==
            STRATA_OK);
    CHECK(found && leaf != root && memcmp(value, "bbbb", 4) == 0);
    REQUIRE(btree_replace_at(txn, leaf, key, 1, (const uint8_t *)"eeee", 4, &done, &err) ==
            STRATA_OK);
    CHECK(done);
    REQUIRE(btree_get(txn, root, key, 1, arena, &value, &len, &found, &err) == STRATA_OK);
    CHECK(found && len == 4 && memcmp(value, "eeee", 4) == 0);
    BTreeCheckStats stats;
    REQUIRE(btree_check(txn, root, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.key_count, 2001);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    arena_destroy(arena);
    pager_close(pager, &err);
}

typedef struct BuildFeed {
    const Model *model;
    size_t next;
} BuildFeed;

static int feed_next(void *ctx, const uint8_t **key, size_t *key_len, const uint8_t **value,
                     size_t *value_len, bool *done, Error *err)
{
    BuildFeed *feed = ctx;
    *done = feed->next >= feed->model->count;
    if (!*done) {
        const Entry *entry = &feed->model->entries[feed->next++];
        *key = entry->key;
        *key_len = entry->key_len;
        *value = entry->value;
        *value_len = entry->value_len;
    }
    return STRATA_OK;
}

/* btree_build from a sorted model (random key and value sizes, overflow values
 * included) gives a tree that passes btree_check with the model's entries and
 * scans, gets and later random operations agree with the model; sizes 0, 1, a
 * few pages and many levels; out-of-order input is refused. */
static void test_bulk_build(void)
{
    uint64_t rng = test_seed("btree_test build");
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Arena *arena = arena_create(NULL, 0, "btree build test");
    Error err;
    size_t sizes[] = {0, 1, 300, quick() ? 3000 : 30000};
    for (size_t round = 0; round < sizeof sizes / sizeof sizes[0]; round++) {
        Model model = {0};
        while (model.count < sizes[round]) {
            Entry entry;
            entry.key = random_key(arena, &rng, &entry.key_len);
            entry.value = random_value(arena, &rng, &entry.value_len);
            model_put(&model, entry);
        }
        PagerTxn *txn = NULL;
        Pgno root = PGNO_NONE;
        REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
        REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
        BuildFeed feed = {&model, 0};
        REQUIRE(btree_build(txn, root, feed_next, &feed, &err) == STRATA_OK);
        check_whole(txn, root, &model);
        BTreeCheckStats stats;
        REQUIRE(btree_check(txn, root, &stats, &err) == STRATA_OK);
        printf("  build %zu entries: %llu leaves, %llu interior, depth %d\n", model.count,
               (unsigned long long)stats.leaf_pages, (unsigned long long)stats.interior_pages,
               stats.depth);
        for (int op = 0; op < 2000; op++) {
            random_op(txn, root, &model, arena, &rng);
        }
        check_whole(txn, root, &model);
        REQUIRE(pager_commit(txn, &err) == STRATA_OK);
        free(model.entries);
    }
    /* A non-empty tree or keys out of order: XX000. */
    PagerTxn *txn = NULL;
    Pgno root = PGNO_NONE;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    Entry backwards[2] = {{(const uint8_t *)"b", 1, NULL, 0}, {(const uint8_t *)"a", 1, NULL, 0}};
    Model bad = {backwards, 2, 2};
    BuildFeed feed = {&bad, 0};
    CHECK(btree_build(txn, root, feed_next, &feed, &err) == STRATA_ERROR);
    CHECK_EQ_STR(err.sqlstate, "XX000");
    pager_rollback(txn);
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    REQUIRE(btree_insert(txn, root, (const uint8_t *)"x", 1, NULL, 0, BTREE_INSERT_NEW, NULL,
                         &err) == STRATA_OK);
    Model one = {backwards, 1, 1};
    feed = (BuildFeed){&one, 0};
    CHECK(btree_build(txn, root, feed_next, &feed, &err) == STRATA_ERROR);
    pager_rollback(txn);
    arena_destroy(arena);
    pager_close(pager, &err);
}

static void test_big_value(void)
{
    if (quick()) {
        return;
    }
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Error err;
    PagerTxn *txn = NULL;
    Pgno root = PGNO_NONE;
    size_t size = 64u * 1024 * 1024;
    uint8_t *big = malloc(size);
    REQUIRE(big != NULL);
    for (size_t pos = 0; pos < size; pos++) {
        big[pos] = (uint8_t)(pos * 131 + (pos >> 13));
    }
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    REQUIRE(btree_insert(txn, root, (const uint8_t *)"big", 3, big, size, BTREE_INSERT_NEW, NULL,
                         &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    Pgno pages_after_insert = 0;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    pages_after_insert = pager_page_count(txn);
    Arena *arena = arena_create(NULL, 0, "big");
    const uint8_t *value = NULL;
    size_t value_len = 0;
    bool found = false;
    REQUIRE(btree_get(txn, root, (const uint8_t *)"big", 3, arena, &value, &value_len, &found,
                      &err) == STRATA_OK);
    CHECK(found);
    CHECK(value_len == size && memcmp(value, big, size) == 0);
    BTreeCheckStats stats;
    CHECK(btree_check(txn, root, &stats, &err) == STRATA_OK);
    CHECK(stats.overflow_pages == bt_overflow_pages(size));
    REQUIRE(btree_delete(txn, root, (const uint8_t *)"big", 3, &found, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    /* The freed chain is reused: the file does not grow for a second copy. */
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_insert(txn, root, (const uint8_t *)"big2", 4, big, size, BTREE_INSERT_NEW, NULL,
                         &err) == STRATA_OK);
    CHECK(pager_page_count(txn) <= pages_after_insert + 2);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    arena_destroy(arena);
    free(big);
    pager_close(pager, &err);
}

/* Builds a two-level tree, commits, and returns the pgno of a leaf. */
static Pgno build_small_tree(Pager *pager, Pgno *root)
{
    Error err;
    PagerTxn *txn = NULL;
    if (pager_begin(pager, true, &txn, &err) != STRATA_OK || btree_create(txn, root, &err)) {
        return PGNO_NONE;
    }
    uint8_t value[300];
    memset(value, 'x', sizeof value);
    for (int row = 0; row < 200; row++) {
        uint8_t key[8];
        put_u64_be(key, (uint64_t)row * 3);
        btree_insert(txn, *root, key, 8, value, sizeof value, BTREE_INSERT_NEW, NULL, &err);
    }
    uint8_t big[20000];
    memset(big, 'b', sizeof big);
    btree_insert(txn, *root, (const uint8_t *)"\xff", 1, big, sizeof big, BTREE_INSERT_NEW, NULL,
                 &err);
    BtPath path;
    uint8_t key[8];
    put_u64_be(key, 30);
    bt_descend(txn, *root, key, 8, &path, &err);
    if (pager_commit(txn, &err) != STRATA_OK || path.depth < 2) {
        return PGNO_NONE;
    }
    return path.pgno[path.depth - 1];
}

/* Applies a scribble to page pgno, then expects get and check to report corruption. */
static void expect_corrupt(Pager *pager, Pgno root, Pgno pgno, size_t offset, uint8_t byte)
{
    Error err;
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    Page *page = NULL;
    REQUIRE(pager_get(txn, pgno, &page, &err) == STRATA_OK);
    uint8_t *data = NULL;
    REQUIRE(pager_write(txn, page, &data, &err) == STRATA_OK);
    data[offset] = byte;
    pager_unpin(page);
    uint8_t key[8];
    put_u64_be(key, 30);
    Arena *arena = arena_create(NULL, 0, "corrupt");
    const uint8_t *value;
    size_t value_len;
    bool found;
    int rc = btree_get(txn, root, key, 8, arena, &value, &value_len, &found, &err);
    int rc_big = btree_get(txn, root, (const uint8_t *)"\xff", 1, arena, &value, &value_len,
                           &found, &err);
    CHECK(rc == STRATA_CORRUPT || rc_big == STRATA_CORRUPT);
    error_clear(&err);
    CHECK(btree_check(txn, root, NULL, &err) == STRATA_CORRUPT);
    CHECK(strstr(err.message, "page") != NULL);
    BTreeCursor *cursor = NULL;
    btree_cursor_open(txn, root, arena, &cursor, &err);
    rc = btree_cursor_first(cursor, &err);
    while (rc == STRATA_OK && btree_cursor_valid(cursor)) {
        rc = btree_cursor_next(cursor, &err);
    }
    arena_destroy(arena);
    pager_rollback(txn);
}

static void test_corruption_detected(void)
{
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Pgno root = PGNO_NONE;
    Pgno leaf = build_small_tree(pager, &root);
    REQUIRE(leaf != PGNO_NONE);
    expect_corrupt(pager, root, leaf, 0, 0x77);                       /* page type */
    expect_corrupt(pager, root, leaf, BT_HEADER_SIZE + 1, 0xff);      /* cell pointer */
    expect_corrupt(pager, root, leaf, 2, 0xff);                       /* cell count */
    expect_corrupt(pager, root, root, 8, 0);                          /* right child */
    expect_corrupt(pager, root, root, 0, BT_PAGE_LEAF);               /* interior as leaf */
    /* A value length that runs past the page. */
    Error err;
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    Page *page = NULL;
    REQUIRE(pager_get(txn, leaf, &page, &err) == STRATA_OK);
    size_t cell_offset = bt_get16(page_data(page) + BT_HEADER_SIZE);
    pager_unpin(page);
    /* Last page of the big value's overflow chain. */
    BtPath path;
    bt_descend(txn, root, (const uint8_t *)"\xff", 1, &path, &err);
    REQUIRE(pager_get(txn, path.pgno[path.depth - 1], &page, &err) == STRATA_OK);
    const uint8_t *last_leaf = page_data(page);
    int last = bt_count(last_leaf) - 1;
    Pgno overflow = bt_get32(bt_leaf_value(last_leaf, bt_cell(last_leaf, last)));
    pager_unpin(page);
    pager_rollback(txn);
    expect_corrupt(pager, root, leaf, cell_offset + 1, 0x7f); /* value length varint */
    expect_corrupt(pager, root, overflow, 0, BT_PAGE_LEAF);
    expect_corrupt(pager, root, overflow, 9, 0x30);
    pager_close(pager, &err);
}

static void test_limits(void)
{
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Error err;
    PagerTxn *txn = NULL;
    Pgno root;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    uint8_t key[BTREE_KEY_MAX + 1];
    memset(key, 'k', sizeof key);
    CHECK(btree_insert(txn, root, key, sizeof key, NULL, 0, BTREE_INSERT_NEW, NULL, &err) ==
          STRATA_ERROR);
    CHECK_EQ_STR(err.sqlstate, "54000");
    /* Maximum-size keys with maximum inline values still split fine. */
    uint8_t value[BT_CELL_MAX];
    memset(value, 'v', sizeof value);
    for (int row = 0; row < 200; row++) {
        put_u64_be(key, (uint64_t)(row * 7919 % 200));
        size_t value_len =
            (size_t)(row % 3 == 0 ? 0
                                  : BT_CELL_MAX - bt_leaf_header_size(BTREE_KEY_MAX, BT_CELL_MAX) -
                                        BTREE_KEY_MAX);
        REQUIRE(btree_insert(txn, root, key, BTREE_KEY_MAX, value, value_len, BTREE_INSERT_UPSERT,
                             NULL, &err) == STRATA_OK);
    }
    BTreeCheckStats stats;
    CHECK(btree_check(txn, root, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.key_count, 200);
    CHECK_EQ_INT(stats.overflow_pages, 0);
    REQUIRE(btree_destroy(txn, root, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    pager_close(pager, &err);
}

/* Rewrites the leaf pgno in format 1 (type 0x0B, 7-byte cell headers), as
 * databases written before the compact leaves (issue 6) hold it. */
static void leaf_to_format1(PagerTxn *txn, Pgno pgno)
{
    Error err;
    Page *page = NULL;
    REQUIRE(pager_get(txn, pgno, &page, &err) == STRATA_OK);
    uint8_t copy[PAGE_SIZE];
    memcpy(copy, page_data(page), PAGE_USABLE_SIZE);
    REQUIRE(bt_type(copy) == BT_PAGE_LEAF_COMPACT);
    uint8_t *data = NULL;
    REQUIRE(pager_write(txn, page, &data, &err) == STRATA_OK);
    bt_page_init(data, BT_PAGE_LEAF);
    size_t content = PAGE_USABLE_SIZE;
    int count = bt_count(copy);
    for (int index = 0; index < count; index++) {
        BtLeafCell cell;
        const uint8_t *old = bt_cell(copy, index);
        bt_leaf_parse(copy, old, &cell);
        size_t body = cell.key_len + (cell.overflow ? 4 : cell.value_len);
        content -= BT_LEAF_CELL_HEADER + body;
        bt_put16(data + content, (uint32_t)cell.key_len);
        data[content + 2] = cell.overflow ? BT_CELL_OVERFLOW : 0;
        bt_put32(data + content + 3, cell.value_len);
        memcpy(data + content + BT_LEAF_CELL_HEADER, old + cell.header, body);
        bt_put16(data + BT_HEADER_SIZE + 2 * index, (uint32_t)content);
    }
    bt_put16(data + 2, (uint32_t)count);
    bt_put16(data + 4, (uint32_t)content);
    pager_unpin(page);
}

/* Checks that keys 0..total-1 except `missing` hold value(key) of value_len(key) bytes. */
static void check_values(PagerTxn *txn, Pgno root, int total, int missing)
{
    Error err;
    Arena *arena = arena_create(NULL, 0, "values");
    for (int row = 0; row < total; row++) {
        uint8_t key[8];
        put_u64_be(key, (uint64_t)row);
        const uint8_t *value;
        size_t value_len;
        bool found = false;
        REQUIRE(btree_get(txn, root, key, 8, arena, &value, &value_len, &found, &err) ==
                STRATA_OK);
        size_t expected = row == 7 ? 20000 : (size_t)(row % 50);
        CHECK(found == (row != missing));
        CHECK(!found || (value_len == expected && (expected == 0 || value[expected - 1] ==
                                                                      (uint8_t)row)));
    }
    arena_destroy(arena);
}

/* Leaves of format 1 (fixed 7-byte cell headers, type 0x0B) are read, deleted
 * from in place, and rewritten compact (0x0C) when a change rebuilds them. */
static void test_format1_leaves(void)
{
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Error err;
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    Pgno root = PGNO_NONE;
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    static uint8_t value[20000];
    for (int row = 0; row < 400; row++) {
        uint8_t key[8];
        put_u64_be(key, (uint64_t)row);
        size_t len = row == 7 ? sizeof value : (size_t)(row % 50); /* key 7 overflows */
        memset(value, row, len);
        REQUIRE(btree_insert(txn, root, key, 8, value, len, BTREE_INSERT_NEW, NULL, &err) ==
                STRATA_OK);
        if (row == 19) {
            leaf_to_format1(txn, root); /* a one-leaf tree of 20 keys */
            REQUIRE(btree_check(txn, root, NULL, &err) == STRATA_OK);
            check_values(txn, root, 20, -1);
            put_u64_be(key, 5);
            bool found = false;
            REQUIRE(btree_delete(txn, root, key, 8, &found, &err) == STRATA_OK);
            CHECK(found);
            Page *page = NULL;
            REQUIRE(pager_get(txn, root, &page, &err) == STRATA_OK);
            CHECK_EQ_INT(bt_type(page_data(page)), BT_PAGE_LEAF);
            pager_unpin(page);
            check_values(txn, root, 20, 5);
            memset(value, 5, 5);
            REQUIRE(btree_insert(txn, root, key, 8, value, 5, BTREE_INSERT_NEW, NULL, &err) ==
                    STRATA_OK);
            REQUIRE(pager_get(txn, root, &page, &err) == STRATA_OK);
            CHECK_EQ_INT(bt_type(page_data(page)), BT_PAGE_LEAF_COMPACT); /* rebuilt */
            pager_unpin(page);
            leaf_to_format1(txn, root); /* the splits below start from format 1 again */
        }
    }
    BTreeCheckStats stats;
    REQUIRE(btree_check(txn, root, &stats, &err) == STRATA_OK);
    CHECK_EQ_INT(stats.key_count, 400);
    CHECK(stats.depth >= 2);
    check_values(txn, root, 400, -1);
    BtPath path;
    uint8_t first[8];
    put_u64_be(first, 0);
    REQUIRE(bt_descend(txn, root, first, 8, &path, &err) == STRATA_OK);
    Page *page = NULL;
    REQUIRE(pager_get(txn, path.pgno[path.depth - 1], &page, &err) == STRATA_OK);
    CHECK_EQ_INT(bt_type(page_data(page)), BT_PAGE_LEAF_COMPACT);
    pager_unpin(page);
    pager_rollback(txn);
    pager_close(pager, &err);
}

/* btree_cursor_seek_ahead lands on the first key >= the wanted one, as
 * btree_cursor_seek(GE) does: over leaves of consecutive 9-byte integer keys
 * (found by distance from the first key), leaves with gaps, and leaves where
 * a longer key sits between two integers (which must not fool the distance). */
static void test_seek_ahead(void)
{
    uint64_t rng = test_seed("btree_test seek ahead");
    Pager *pager = open_pager();
    REQUIRE(pager != NULL);
    Error err;
    PagerTxn *txn = NULL;
    Pgno root = PGNO_NONE;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(btree_create(txn, &root, &err) == STRATA_OK);
    uint8_t value[40];
    memset(value, 'v', sizeof value);
    for (uint64_t number = 1; number <= 30000; number++) {
        uint8_t key[10];
        key[0] = 0x01;
        put_u64_be(key + 1, number);
        /* gaps after 10,000; past 20,000 a 10-byte key in place of every 13th
         * number (as many keys as consecutive numbers: the distance is wrong) */
        if ((number > 10000 && number <= 20000 && number % 7 == 0) ||
            (number > 20000 && number % 13 == 1)) {
            continue;
        }
        REQUIRE(btree_insert(txn, root, key, 9, value, sizeof value, BTREE_INSERT_NEW, NULL,
                             &err) == STRATA_OK);
        if (number > 20000 && number % 13 == 0) {
            key[9] = 0x55;
            REQUIRE(btree_insert(txn, root, key, 10, value, sizeof value, BTREE_INSERT_NEW, NULL,
                                 &err) == STRATA_OK);
        }
    }
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    Arena *arena = arena_create(NULL, 0, "seek ahead");
    BTreeCursor *ahead = NULL, *seek = NULL;
    REQUIRE(btree_cursor_open(txn, root, arena, &ahead, &err) == STRATA_OK);
    REQUIRE(btree_cursor_open(txn, root, arena, &seek, &err) == STRATA_OK);
    uint64_t want = 0;
    int checked = 0;
    while (want < 30005 && !test_current_failed) {
        want += 1 + test_rand(&rng) % 9;
        uint8_t key[9];
        key[0] = 0x01;
        put_u64_be(key + 1, want);
        REQUIRE(btree_cursor_seek_ahead(ahead, key, 9, &err) == STRATA_OK);
        REQUIRE(btree_cursor_seek(seek, key, 9, BTREE_SEEK_GE, &err) == STRATA_OK);
        CHECK(btree_cursor_valid(ahead) == btree_cursor_valid(seek));
        if (btree_cursor_valid(ahead) && btree_cursor_valid(seek)) {
            size_t a_len, s_len;
            const uint8_t *a = btree_cursor_key(ahead, &a_len);
            const uint8_t *b = btree_cursor_key(seek, &s_len);
            CHECK(same_bytes(a, a_len, b, s_len));
            checked++;
        }
    }
    CHECK(checked > 1000);
    btree_cursor_close(ahead);
    btree_cursor_close(seek);
    pager_rollback(txn);
    arena_destroy(arena);
    pager_close(pager, &err);
}

int main(void)
{
    TEST_RUN(test_model);
    TEST_RUN(test_root_split_and_bulk_fill);
    TEST_RUN(test_append_split);
    TEST_RUN(test_replace_at);
    TEST_RUN(test_seek_ahead);
    TEST_RUN(test_bulk_build);
    TEST_RUN(test_big_value);
    TEST_RUN(test_corruption_detected);
    TEST_RUN(test_format1_leaves);
    TEST_RUN(test_limits);
    return test_summary("btree_test");
}
