/*
 * storage/btree/btree_build.c - bottom-up construction of a tree from
 * entries that arrive in strictly increasing key order (CREATE INDEX).
 *
 * Inserting sorted entries one by one still descends from the root and
 * rewrites a leaf per entry. Here every level keeps one page under
 * construction in memory: cells are appended to it until the next one would
 * pass the fill target, then the page is written to a newly allocated page
 * and a (separator, child) pair goes to the level above, which fills the same
 * way. Leaf separators are the shortest prefix of the new page's first key
 * that is greater than the previous page's last key (as a leaf split makes
 * them). At the end the top page's bytes are copied into the root, whose page
 * number never changes (btree.h invariant 1), and the top page is freed.
 *
 * Pages come out compact (btree_int.h invariant 1) and all leaves are at the
 * same depth (btree.h invariant 3), so btree_check accepts the result; leaves
 * are filled to BT_BUILD_FILL_PERCENT of the cell area, leaving room for later
 * inserts before a page must split (PostgreSQL's nbtree leaves 10% too).
 * See src/storage/btree/README.md.
 */
#include "storage/btree/btree_int.h"

#include "util/assert.h"
#include "util/mem.h"

enum { BT_BUILD_FILL_PERCENT = 90 };

/* One level's page under construction. */
typedef struct BuildLevel {
    uint8_t page[PAGE_USABLE_SIZE];
    int type;
    bool has_pending;           /* interior: a child waiting for its upper bound */
    Pgno pending;               /* interior: that child (the right child if the page ends) */
    bool has_low;               /* the page's lower bound, pushed up with it */
    uint8_t low[BTREE_KEY_MAX];
    size_t low_len;
} BuildLevel;

typedef struct Builder {
    PagerTxn *txn;
    BuildLevel *levels[BT_DEPTH_MAX];
    int level_count;
    uint8_t last_key[BTREE_KEY_MAX];
    size_t last_len;
    bool has_last;
    uint8_t cell[BT_CELL_MAX];          /* the leaf cell being added */
    uint8_t interior_cell[BT_CELL_MAX]; /* separate: a leaf flush adds one meanwhile */
} Builder;

static size_t page_free(const uint8_t *page)
{
    return bt_get16(page + 4) - BT_HEADER_SIZE - 2 * (size_t)bt_count(page);
}

static size_t page_used(const uint8_t *page)
{
    return PAGE_USABLE_SIZE - BT_HEADER_SIZE - page_free(page);
}

static void page_append(uint8_t *page, const uint8_t *cell, size_t size)
{
    int count = bt_count(page);
    size_t content = bt_get16(page + 4) - size;
    memcpy(page + content, cell, size);
    bt_put16(page + BT_HEADER_SIZE + 2 * count, (uint32_t)content);
    bt_put16(page + 2, (uint32_t)count + 1);
    bt_put16(page + 4, (uint32_t)content);
}

static int level_get(Builder *b, int level, BuildLevel **out, Error *err)
{
    if (level >= BT_DEPTH_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "btree deeper than %d levels",
                         BT_DEPTH_MAX);
    }
    while (b->level_count <= level) {
        BuildLevel *fresh = mem_zalloc(sizeof *fresh);
        if (fresh == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        fresh->type = b->level_count == 0 ? BT_PAGE_LEAF_COMPACT : BT_PAGE_INTERIOR;
        bt_page_init(fresh->page, fresh->type);
        b->levels[b->level_count++] = fresh;
    }
    *out = b->levels[level];
    return STRATA_OK;
}

/* Writes bytes to a new page; *pgno_out is its number. */
static int write_page(PagerTxn *txn, const uint8_t *bytes, Pgno *pgno_out, Error *err)
{
    Page *page = NULL;
    int rc = pager_alloc(txn, &page, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t *data = NULL;
    rc = pager_write(txn, page, &data, err);
    if (rc == STRATA_OK) {
        memcpy(data, bytes, PAGE_USABLE_SIZE);
        page_mark_validated(page);
        *pgno_out = page_pgno(page);
    }
    pager_unpin(page);
    return rc;
}

static int add_child(Builder *b, int level, const uint8_t *sep, size_t sep_len, bool has_sep,
                     Pgno child, Error *err);

/* Writes level's page out and hands it to the level above; the level starts
 * a new, empty page whose lower bound is next_low. */
static int flush_level(Builder *b, int level, const uint8_t *next_low, size_t next_low_len,
                       Error *err)
{
    BuildLevel *l = b->levels[level];
    if (l->type == BT_PAGE_INTERIOR) {
        bt_put32(l->page + 8, l->pending);
        l->has_pending = false;
    }
    Pgno pgno = PGNO_NONE;
    int rc = write_page(b->txn, l->page, &pgno, err);
    if (rc == STRATA_OK) {
        rc = add_child(b, level + 1, l->low, l->low_len, l->has_low, pgno, err);
    }
    /* add_child may have grown b->levels, never moved this level. */
    bt_page_init(l->page, l->type);
    l->has_low = next_low != NULL;
    if (next_low != NULL) {
        memcpy(l->low, next_low, next_low_len);
        l->low_len = next_low_len;
    }
    return rc;
}

/* Adds child (whose keys are >= sep; the level's first child has no sep) to
 * the interior level `level`. */
static int add_child(Builder *b, int level, const uint8_t *sep, size_t sep_len, bool has_sep,
                     Pgno child, Error *err)
{
    BuildLevel *l = NULL;
    int rc = level_get(b, level, &l, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!l->has_pending) {
        l->pending = child;
        l->has_pending = true;
        l->has_low = has_sep;
        if (has_sep) {
            memcpy(l->low, sep, sep_len);
            l->low_len = sep_len;
        }
        return STRATA_OK;
    }
    ST_ASSERT(has_sep);
    size_t size = BT_INTERIOR_CELL_HEADER + sep_len;
    if (size + 2 > page_free(l->page)) {
        /* The pending child becomes this page's right child; child starts
         * the next page, whose lower bound is sep. */
        rc = flush_level(b, level, sep, sep_len, err);
        l->pending = child;
        l->has_pending = true;
        return rc;
    }
    uint8_t *cell = b->interior_cell;
    bt_put16(cell, (uint32_t)sep_len);
    bt_put32(cell + 2, l->pending);
    memcpy(cell + BT_INTERIOR_CELL_HEADER, sep, sep_len);
    page_append(l->page, cell, size);
    l->pending = child;
    return STRATA_OK;
}

static int add_entry(Builder *b, const uint8_t *key, size_t key_len, const uint8_t *value,
                     size_t value_len, Error *err)
{
    if (key_len > BTREE_KEY_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "index row size %zu exceeds maximum %d", key_len, BTREE_KEY_MAX);
    }
    if (b->has_last && btree_key_compare(b->last_key, b->last_len, key, key_len) >= 0) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR,
                         "btree build: keys out of order or duplicated");
    }
    BuildLevel *leaf = NULL;
    int rc = level_get(b, 0, &leaf, err);
    size_t size = 0;
    if (rc == STRATA_OK) {
        rc = bt_build_leaf_cell(b->txn, key, key_len, value, value_len, b->cell, &size, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t target = (PAGE_USABLE_SIZE - BT_HEADER_SIZE) * BT_BUILD_FILL_PERCENT / 100;
    if (bt_count(leaf->page) > 0 && page_used(leaf->page) + size + 2 > target) {
        /* Separator: the shortest prefix of key greater than the last key. */
        size_t common = 0;
        while (common < b->last_len && common < key_len && b->last_key[common] == key[common]) {
            common++;
        }
        rc = flush_level(b, 0, key, common + 1, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    page_append(leaf->page, b->cell, size);
    memcpy(b->last_key, key, key_len);
    b->last_len = key_len;
    b->has_last = true;
    return STRATA_OK;
}

/* Flushes every level bottom-up; the last page written is the top, copied
 * into the root. */
static int finish(Builder *b, Pgno root, Error *err)
{
    int rc = STRATA_OK;
    Pgno top = PGNO_NONE;
    for (int level = 0; level < b->level_count && rc == STRATA_OK; level++) {
        BuildLevel *l = b->levels[level];
        bool is_top = level == b->level_count - 1;
        if (is_top && l->type == BT_PAGE_INTERIOR && bt_count(l->page) == 0) {
            /* One child and nothing else: that child is the top page. */
            top = l->pending;
            break;
        }
        if (is_top) {
            if (l->type == BT_PAGE_INTERIOR) {
                bt_put32(l->page + 8, l->pending);
            }
            rc = write_page(b->txn, l->page, &top, err);
            break;
        }
        rc = flush_level(b, level, NULL, 0, err);
    }
    if (rc != STRATA_OK || top == PGNO_NONE) {
        return rc;
    }
    Page *src = NULL, *dst = NULL;
    const uint8_t *bytes = NULL;
    uint8_t *data = NULL;
    rc = bt_page_get(b->txn, top, &src, &bytes, err);
    if (rc == STRATA_OK) {
        rc = pager_get(b->txn, root, &dst, err);
        if (rc == STRATA_OK) {
            rc = pager_write(b->txn, dst, &data, err);
            if (rc == STRATA_OK) {
                memcpy(data, bytes, PAGE_USABLE_SIZE);
            }
            pager_unpin(dst);
        }
        pager_unpin(src);
    }
    return rc == STRATA_OK ? pager_free(b->txn, top, err) : rc;
}

int btree_build(PagerTxn *txn, Pgno root, BTreeBuildNext next, void *ctx, Error *err)
{
    Builder *b = mem_zalloc(sizeof *b);
    if (b == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    b->txn = txn;
    Page *page = NULL;
    const uint8_t *data = NULL;
    int rc = bt_page_get(txn, root, &page, &data, err);
    if (rc == STRATA_OK) {
        if (!bt_is_leaf(data) || bt_count(data) != 0) {
            rc = error_set(err, SQLSTATE_INTERNAL_ERROR, "btree build: tree %u is not empty",
                           root);
        }
        pager_unpin(page);
    }
    for (;;) {
        const uint8_t *key = NULL, *value = NULL;
        size_t key_len = 0, value_len = 0;
        bool done = false;
        if (rc == STRATA_OK) {
            rc = next(ctx, &key, &key_len, &value, &value_len, &done, err);
        }
        if (rc != STRATA_OK || done) {
            break;
        }
        rc = add_entry(b, key, key_len, value, value_len, err);
    }
    if (rc == STRATA_OK && b->level_count > 0) {
        rc = finish(b, root, err);
    }
    for (int level = 0; level < b->level_count; level++) {
        mem_free(b->levels[level]);
    }
    mem_free(b);
    return rc;
}
