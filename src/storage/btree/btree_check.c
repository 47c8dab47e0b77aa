/*
 * storage/btree/btree_check.c - the integrity check, and counting and
 * estimating the keys in a range for the optimizer.
 *
 * btree_check walks the whole tree holding pins along the current path only,
 * carries the key bounds each parent imposes on a child, and marks every page
 * it visits (tree and overflow pages) in a bitmap so a page reachable twice
 * (a cycle or a shared child) is reported. See src/storage/btree/README.md.
 */
#include "storage/btree/btree_int.h"

#include "util/mem.h"

typedef struct CheckState {
    PagerTxn *txn;
    uint8_t *seen;          /* one bit per page of the database */
    Pgno page_count;
    int leaf_depth;         /* -1 until the first leaf */
    BTreeCheckStats stats;
} CheckState;

typedef struct Bound {
    const uint8_t *key;     /* NULL = unbounded */
    size_t len;
} Bound;

static int mark_seen(CheckState *state, Pgno pgno, Error *err)
{
    if (pgno == PGNO_NONE || pgno >= state->page_count) {
        return error_corrupt(err, "btree refers to page %u outside the database (%u pages)", pgno,
                             state->page_count);
    }
    uint8_t bit = (uint8_t)(1u << (pgno & 7));
    if (state->seen[pgno >> 3] & bit) {
        return error_corrupt(err, "btree page %u is reachable twice", pgno);
    }
    state->seen[pgno >> 3] |= bit;
    return STRATA_OK;
}

static int check_overflow(CheckState *state, Pgno leaf, const uint8_t *leaf_data,
                          const uint8_t *cell, Error *err)
{
    BtLeafCell parsed;
    bt_leaf_parse(leaf_data, cell, &parsed);
    size_t value_len = parsed.value_len;
    /* The writer's rule: inline when the whole cell fits (its header as written). */
    size_t header = bt_type(leaf_data) == BT_PAGE_LEAF ? BT_LEAF_CELL_HEADER
                                                  : bt_leaf_header_size(parsed.key_len, value_len);
    if (value_len + header + parsed.key_len <= BT_CELL_MAX) {
        return error_corrupt(err, "btree page %u: a %zu-byte value is on overflow pages", leaf,
                             value_len);
    }
    Pgno pgno = bt_get32(bt_leaf_value(leaf_data, cell));
    size_t page_total = bt_overflow_pages(value_len);
    for (size_t index = 0; index < page_total; index++) {
        int rc = mark_seen(state, pgno, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        Page *page = NULL;
        rc = pager_get(state->txn, pgno, &page, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        const uint8_t *data = page_data(page);
        int type = data[0];
        Pgno next = bt_get32(data + 4);
        pager_unpin(page);
        if (type != BT_PAGE_OVERFLOW) {
            return error_corrupt(err, "page %u in an overflow chain has type 0x%02x", pgno, type);
        }
        state->stats.overflow_pages++;
        if ((next == PGNO_NONE) != (index + 1 == page_total)) {
            return error_corrupt(err, "overflow chain from btree page %u has the wrong length",
                                 leaf);
        }
        pgno = next;
    }
    /* Lengths of each page are verified by reading the chain. */
    return bt_overflow_read(state->txn, bt_get32(bt_leaf_value(leaf_data, cell)), value_len, NULL,
                            err);
}

static int check_keys(const uint8_t *data, Pgno pgno, Bound low, Bound high, Error *err)
{
    int count = bt_count(data);
    for (int index = 0; index < count; index++) {
        size_t len;
        const uint8_t *key = bt_key_at(data, index, &len);
        if (index > 0) {
            size_t prev_len;
            const uint8_t *prev = bt_key_at(data, index - 1, &prev_len);
            if (btree_key_compare(prev, prev_len, key, len) >= 0) {
                return error_corrupt(err, "btree page %u: keys %d and %d are out of order", pgno,
                                     index - 1, index);
            }
        }
        if ((low.key != NULL && btree_key_compare(key, len, low.key, low.len) < 0) ||
            (high.key != NULL && btree_key_compare(key, len, high.key, high.len) >= 0)) {
            return error_corrupt(err, "btree page %u: key %d is outside its parent's bounds", pgno,
                                 index);
        }
    }
    return STRATA_OK;
}

static int check_page(CheckState *state, Pgno pgno, int depth, Bound low, Bound high, Error *err)
{
    if (depth > BT_DEPTH_MAX) {
        return error_corrupt(err, "btree page %u is deeper than %d levels", pgno, BT_DEPTH_MAX);
    }
    int rc = mark_seen(state, pgno, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Page *page = NULL;
    const uint8_t *data = NULL;
    rc = bt_page_get(state->txn, pgno, &page, &data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* The layout again, whatever bt_page_get's memo says: pages edited in
     * place keep the memo, and this is where a bad edit must show. */
    rc = bt_page_validate(data, pgno, err);
    if (rc == STRATA_OK) {
        rc = check_keys(data, pgno, low, high, err);
    }
    int count = bt_count(data);
    if (rc == STRATA_OK && bt_is_leaf(data)) {
        state->stats.leaf_pages++;
        state->stats.key_count += (uint64_t)count;
        if (state->leaf_depth < 0) {
            state->leaf_depth = depth;
        } else if (state->leaf_depth != depth) {
            rc = error_corrupt(err, "btree leaf page %u is at depth %d, others at %d", pgno,
                               depth, state->leaf_depth);
        }
        if (depth > 1 && count == 0 && rc == STRATA_OK) {
            rc = error_corrupt(err, "btree leaf page %u is empty", pgno);
        }
        for (int index = 0; index < count && rc == STRATA_OK; index++) {
            const uint8_t *cell = bt_cell(data, index);
            if (bt_leaf_is_overflow(data, cell)) {
                rc = check_overflow(state, pgno, data, cell, err);
            }
        }
    } else if (rc == STRATA_OK) {
        state->stats.interior_pages++;
        for (int index = 0; index <= count && rc == STRATA_OK; index++) {
            Bound child_low = low, child_high = high;
            if (index > 0) {
                child_low.key = bt_key_at(data, index - 1, &child_low.len);
            }
            if (index < count) {
                child_high.key = bt_key_at(data, index, &child_high.len);
            }
            rc = check_page(state, bt_child_at(data, index), depth + 1, child_low, child_high, err);
        }
    }
    pager_unpin(page);
    return rc;
}

int btree_check(PagerTxn *txn, Pgno root, BTreeCheckStats *stats, Error *err)
{
    CheckState state = {0};
    state.txn = txn;
    state.page_count = pager_page_count(txn);
    state.leaf_depth = -1;
    state.seen = mem_zalloc((size_t)state.page_count / 8 + 1);
    if (state.seen == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    Bound none = {NULL, 0};
    int rc = check_page(&state, root, 1, none, none, err);
    mem_free(state.seen);
    state.stats.depth = state.leaf_depth;
    if (stats != NULL) {
        *stats = state.stats;
    }
    return rc;
}

/* ---- Counting ------------------------------------------------------------------ */

typedef struct Position {
    double fraction;     /* where key falls in the tree, 0..1 */
    double total;        /* entries implied by the fan-out along the way */
    Pgno leaf;
    int leaf_index;
} Position;

static int locate(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, Position *pos,
                  Error *err)
{
    double width = 1.0;
    Pgno pgno = root;
    pos->fraction = 0.0;
    pos->total = 1.0;
    for (int depth = 0; depth < BT_DEPTH_MAX; depth++) {
        Page *page = NULL;
        const uint8_t *data = NULL;
        int rc = bt_page_get(txn, pgno, &page, &data, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int count = bt_count(data);
        if (bt_is_leaf(data)) {
            int index = key != NULL ? bt_lower_bound(data, key, key_len) : count;
            int slots = count > 0 ? count : 1;
            pos->fraction += width * (double)index / slots;
            pos->total *= count;
            pos->leaf = pgno;
            pos->leaf_index = index;
            pager_unpin(page);
            return STRATA_OK;
        }
        int index = key != NULL ? bt_child_index(data, key, key_len) : count;
        pos->fraction += width * (double)index / (count + 1);
        width /= count + 1;
        pos->total *= count + 1;
        pgno = bt_child_at(data, index);
        pager_unpin(page);
    }
    return error_corrupt(err, "btree rooted at page %u is deeper than %d levels", root,
                         BT_DEPTH_MAX);
}

int btree_estimate_range(PagerTxn *txn, Pgno root, const uint8_t *low, size_t low_len,
                         const uint8_t *high, size_t high_len, uint64_t *out, Error *err)
{
    static const uint8_t empty[1];
    Position from, to;
    int rc = locate(txn, root, low != NULL ? low : empty, low != NULL ? low_len : 0, &from, err);
    if (rc == STRATA_OK) {
        rc = locate(txn, root, high, high_len, &to, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (from.leaf == to.leaf) {
        *out = to.leaf_index > from.leaf_index ? (uint64_t)(to.leaf_index - from.leaf_index) : 0;
        return STRATA_OK;
    }
    double estimate = (to.fraction - from.fraction) * (from.total + to.total) / 2.0;
    *out = estimate > 0 ? (uint64_t)(estimate + 0.5) : 0;
    return STRATA_OK;
}

int btree_count_range(PagerTxn *txn, Pgno root, const uint8_t *low, size_t low_len,
                      const uint8_t *high, size_t high_len, uint64_t *out, Error *err)
{
    Arena *arena = arena_create(NULL, 0, "btree count");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    BTreeCursor *cursor = NULL;
    uint64_t count = 0;
    int rc = btree_cursor_open(txn, root, arena, &cursor, err);
    if (rc == STRATA_OK) {
        rc = low != NULL ? btree_cursor_seek(cursor, low, low_len, BTREE_SEEK_GE, err)
                         : btree_cursor_first(cursor, err);
    }
    while (rc == STRATA_OK && btree_cursor_valid(cursor)) {
        size_t key_len;
        const uint8_t *key = btree_cursor_key(cursor, &key_len);
        if (high != NULL && btree_key_compare(key, key_len, high, high_len) >= 0) {
            break;
        }
        count++;
        rc = btree_cursor_next(cursor, err);
    }
    arena_destroy(arena);
    *out = count;
    return rc;
}

int btree_estimate_pages(PagerTxn *txn, Pgno root, uint64_t *out, Error *err)
{
    double level_pages = 1.0, total = 0.0;
    Pgno pgno = root;
    for (int depth = 0; depth < BT_DEPTH_MAX; depth++) {
        Page *page = NULL;
        const uint8_t *data = NULL;
        int rc = bt_page_get(txn, pgno, &page, &data, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        total += level_pages;
        bool is_leaf = bt_is_leaf(data);
        level_pages *= bt_count(data) + 1;
        pgno = is_leaf ? PGNO_NONE : bt_child_at(data, 0);
        pager_unpin(page);
        if (is_leaf) {
            *out = (uint64_t)total;
            return STRATA_OK;
        }
    }
    return error_corrupt(err, "btree rooted at page %u is deeper than %d levels", root,
                         BT_DEPTH_MAX);
}
