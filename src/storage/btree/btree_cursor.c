/*
 * storage/btree/btree_cursor.c - cursors: seek, step forward and backward,
 * read keys and values.
 *
 * A cursor holds its current leaf plus the path of page numbers and child
 * indexes above it. In a read transaction it keeps the leaf pinned and reads
 * it in place (page memory cannot change under a read snapshot); the pin is
 * released when the cursor moves to another leaf, runs off the end, seeks
 * again or is closed (or, for a cursor never closed, when the transaction
 * ends). In a write transaction, where a write can swap page memory, it reads
 * a private copy of the leaf and holds no pin between calls. Either way a
 * write to the tree makes the path stale, which is why btree.h declares
 * cursors invalidated by writes.
 * Stepping past the end of a leaf climbs the path to the nearest level with
 * a further child and descends along the edge.
 * See src/storage/btree/README.md.
 */
#include "storage/btree/btree_int.h"

struct BTreeCursor {
    PagerTxn *txn;
    Pgno root;
    BtPath path;           /* path.pgno[path.depth - 1] is the current leaf */
    int index;             /* entry index in the leaf */
    bool valid;
    const uint8_t *leaf;   /* the pinned page's data (read txn) or copy (write txn) */
    Page *pin;             /* the leaf's pin in a read txn, else NULL */
    uint8_t copy[PAGE_SIZE];
};

int btree_cursor_open(PagerTxn *txn, Pgno root, Arena *arena, BTreeCursor **out, Error *err)
{
    BTreeCursor *cursor = arena_alloc(arena, sizeof *cursor);
    if (cursor == NULL) {
        return arena_error(arena, err);
    }
    cursor->txn = txn;
    cursor->root = root;
    cursor->path.depth = 0;
    cursor->index = 0;
    cursor->valid = false;
    cursor->leaf = NULL;
    cursor->pin = NULL;
    *out = cursor;
    return STRATA_OK;
}

/* Drops the pin on the current leaf, if any; the cursor must not read it after. */
static void release_leaf(BTreeCursor *cursor)
{
    if (cursor->pin != NULL) {
        pager_unpin(cursor->pin);
        cursor->pin = NULL;
        cursor->leaf = NULL;
    }
}

void btree_cursor_close(BTreeCursor *cursor)
{
    if (cursor != NULL) {
        cursor->valid = false;
        release_leaf(cursor);
    }
}

bool btree_cursor_valid(const BTreeCursor *cursor) { return cursor->valid; }

/* Makes the pinned leaf page the cursor's current leaf and takes over its pin:
 * a read txn keeps the pin and reads in place; a write txn copies and unpins. */
static void load_leaf(BTreeCursor *cursor, Page *page, const uint8_t *data)
{
    release_leaf(cursor);
    if (!pager_txn_is_write(cursor->txn)) {
        cursor->pin = page;
        cursor->leaf = data;
        return;
    }
    memcpy(cursor->copy, data, PAGE_USABLE_SIZE);
    pager_unpin(page);
    cursor->leaf = cursor->copy;
}

/* From page pgno at path level `level`, follows the leftmost (or rightmost)
 * children down to a leaf and positions on its first (or last) entry. */
static int descend_edge(BTreeCursor *cursor, int level, Pgno pgno, bool leftmost, Error *err)
{
    for (;;) {
        if (level >= BT_DEPTH_MAX) {
            return error_corrupt(err, "btree rooted at page %u is deeper than %d levels",
                                 cursor->root, BT_DEPTH_MAX);
        }
        Page *page = NULL;
        const uint8_t *data = NULL;
        int rc = bt_page_get(cursor->txn, pgno, &page, &data, err);
        if (rc != STRATA_OK) {
            cursor->valid = false;
            return rc;
        }
        cursor->path.pgno[level] = pgno;
        int count = bt_count(data);
        if (bt_is_leaf(data)) {
            load_leaf(cursor, page, data);
            cursor->path.depth = level + 1;
            cursor->index = leftmost ? 0 : count - 1;
            cursor->valid = true;
            return STRATA_OK;
        }
        int index = leftmost ? 0 : count;
        cursor->path.index[level] = index;
        pgno = bt_child_at(data, index);
        pager_unpin(page);
        level++;
    }
}

/* Moves to the next (forward) or previous leaf; clears valid at either end. */
static int step_leaf(BTreeCursor *cursor, bool forward, Error *err)
{
    for (int level = cursor->path.depth - 2; level >= 0; level--) {
        Page *page = NULL;
        const uint8_t *data = NULL;
        int rc = bt_page_get(cursor->txn, cursor->path.pgno[level], &page, &data, err);
        if (rc != STRATA_OK) {
            cursor->valid = false;
            return rc;
        }
        int count = bt_count(data);
        int index = cursor->path.index[level];
        if (bt_is_leaf(data) || index < 0 || index > count) {
            pager_unpin(page);
            cursor->valid = false;
            return error_corrupt(err, "btree page %u changed under a cursor",
                                 cursor->path.pgno[level]);
        }
        if ((forward && index == count) || (!forward && index == 0)) {
            pager_unpin(page);
            continue;
        }
        index += forward ? 1 : -1;
        cursor->path.index[level] = index;
        Pgno child = bt_child_at(data, index);
        pager_unpin(page);
        return descend_edge(cursor, level + 1, child, forward, err);
    }
    cursor->valid = false;
    release_leaf(cursor);
    return STRATA_OK;
}

/* Makes sure the cursor is on an entry, stepping over empty leaves. */
static int settle(BTreeCursor *cursor, bool forward, Error *err)
{
    while (cursor->valid && (cursor->index < 0 || cursor->index >= bt_count(cursor->leaf))) {
        int rc = step_leaf(cursor, forward, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int btree_cursor_first(BTreeCursor *cursor, Error *err)
{
    int rc = descend_edge(cursor, 0, cursor->root, true, err);
    return rc != STRATA_OK ? rc : settle(cursor, true, err);
}

int btree_cursor_last(BTreeCursor *cursor, Error *err)
{
    int rc = descend_edge(cursor, 0, cursor->root, false, err);
    return rc != STRATA_OK ? rc : settle(cursor, false, err);
}

int btree_cursor_seek(BTreeCursor *cursor, const uint8_t *key, size_t key_len, BTreeSeekOp op,
                      Error *err)
{
    cursor->valid = false;
    release_leaf(cursor);
    Page *page = NULL;
    const uint8_t *data = NULL;
    int rc = bt_descend_leaf(cursor->txn, cursor->root, key, key_len, &cursor->path, &page,
                             &data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    load_leaf(cursor, page, data);
    cursor->valid = true;
    switch (op) {
    case BTREE_SEEK_GE:
        cursor->index = bt_lower_bound(cursor->leaf, key, key_len);
        break;
    case BTREE_SEEK_GT:
        cursor->index = bt_upper_bound(cursor->leaf, key, key_len);
        break;
    case BTREE_SEEK_LE:
        cursor->index = bt_upper_bound(cursor->leaf, key, key_len) - 1;
        break;
    case BTREE_SEEK_LT:
        cursor->index = bt_lower_bound(cursor->leaf, key, key_len) - 1;
        break;
    }
    return settle(cursor, op == BTREE_SEEK_GE || op == BTREE_SEEK_GT, err);
}

/* The last 8 bytes of a key, as a big-endian number (memcmp order). */
static inline uint64_t key_tail_u64(const uint8_t *key, size_t len)
{
    uint64_t word;
    memcpy(&word, key + len - 8, 8);
    return __builtin_bswap64(word);
}

/* Where key is in a leaf whose keys are consecutive numbers (an integer
 * primary key without gaps, as keycodec encodes it): first and last key as
 * long as key, sharing all but their last 8 bytes, last minus first count - 1.
 * Then key's position is its distance from the first, and the key found
 * there must be key itself (a key of another length in between could shift
 * it: then -1, as for any other leaf, and the caller searches). A key at or
 * below the first is at 0. */
static int dense_index(const uint8_t *leaf, int count, const uint8_t *key, size_t key_len,
                       const uint8_t *last, size_t last_len)
{
    size_t first_len;
    const uint8_t *first = bt_key_at(leaf, 0, &first_len);
    if (key_len < 8 || key_len > 16 || first_len != key_len || last_len != key_len ||
        memcmp(first, last, key_len - 8) != 0 || memcmp(first, key, key_len - 8) != 0) {
        return -1;
    }
    uint64_t low = key_tail_u64(first, key_len);
    uint64_t want = key_tail_u64(key, key_len);
    if (key_tail_u64(last, key_len) - low != (uint64_t)count - 1) {
        return -1;
    }
    if (want <= low) {
        return 0;
    }
    int index = (int)(want - low);
    size_t found_len;
    const uint8_t *found = bt_key_at(leaf, index, &found_len);
    return found_len == key_len && memcmp(found, key, key_len) == 0 ? index : -1;
}

int btree_cursor_seek_ahead(BTreeCursor *cursor, const uint8_t *key, size_t key_len,
                            Error *err)
{
    if (cursor->valid && cursor->leaf != NULL) {
        int count = bt_count(cursor->leaf);
        size_t last_len;
        const uint8_t *last = count > 0 ? bt_key_at(cursor->leaf, count - 1, &last_len) : NULL;
        if (last != NULL && cursor->index >= 0 && cursor->index < count &&
            btree_key_compare(key, key_len, last, last_len) <= 0) {
            /* Consecutive integer keys (a surrogate key's leaves): no search.
             * key <= last, so the index is inside the leaf. */
            int dense = dense_index(cursor->leaf, count, key, key_len, last, last_len);
            if (dense >= 0) {
                cursor->index = dense > cursor->index ? dense : cursor->index;
                return STRATA_OK;
            }
            /* Between the current entry and the leaf's last: a search of this leaf. */
            int low = cursor->index, high = count - 1;
            while (low < high) {
                int mid = low + (high - low) / 2;
                size_t mid_len;
                const uint8_t *mid_key = bt_key_at(cursor->leaf, mid, &mid_len);
                if (btree_key_compare(mid_key, mid_len, key, key_len) < 0) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            cursor->index = low;
            return STRATA_OK;
        }
    }
    return btree_cursor_seek(cursor, key, key_len, BTREE_SEEK_GE, err);
}

int btree_cursor_next(BTreeCursor *cursor, Error *err)
{
    if (!cursor->valid) {
        return STRATA_OK;
    }
    cursor->index++;
    return settle(cursor, true, err);
}

int btree_cursor_prev(BTreeCursor *cursor, Error *err)
{
    if (!cursor->valid) {
        return STRATA_OK;
    }
    cursor->index--;
    return settle(cursor, false, err);
}

const uint8_t *btree_cursor_key(const BTreeCursor *cursor, size_t *key_len)
{
    const uint8_t *cell = bt_cell(cursor->leaf, cursor->index);
    return bt_leaf_key(cursor->leaf, cell, key_len);
}

bool btree_cursor_key_has_prefix(const BTreeCursor *cursor, const uint8_t *prefix,
                                 size_t prefix_len)
{
    size_t key_len;
    const uint8_t *key = btree_cursor_key(cursor, &key_len);
    return key_len >= prefix_len && (prefix_len == 0 || memcmp(key, prefix, prefix_len) == 0);
}

size_t btree_cursor_value_size(const BTreeCursor *cursor)
{
    return bt_leaf_value_len(cursor->leaf, bt_cell(cursor->leaf, cursor->index));
}

int btree_cursor_value(BTreeCursor *cursor, Arena *arena, const uint8_t **value_out,
                       size_t *value_len_out, Error *err)
{
    const uint8_t *cell = bt_cell(cursor->leaf, cursor->index);
    BtLeafCell parsed;
    bt_leaf_parse(cursor->leaf, cell, &parsed);
    size_t value_len = parsed.value_len;
    const uint8_t *value = cell + parsed.header + parsed.key_len;
    *value_len_out = value_len;
    if (!parsed.overflow) {
        *value_out = value;
        return STRATA_OK;
    }
    uint8_t *copy = arena_alloc(arena, value_len);
    if (copy == NULL) {
        return arena_error(arena, err);
    }
    *value_out = copy;
    return bt_overflow_read(cursor->txn, bt_get32(value), value_len, copy, err);
}
