/*
 * storage/btree/btree_search.c - descending from the root to a leaf, and
 * exact-key lookup.
 *
 * A descent never trusts the tree's shape: more than BT_DEPTH_MAX levels (a
 * cycle of child pointers, for instance) is reported as corruption.
 * See src/storage/btree/README.md.
 */
#include "storage/btree/btree_int.h"

int bt_descend(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, BtPath *path,
               Error *err)
{
    return bt_descend_leaf(txn, root, key, key_len, path, NULL, NULL, err);
}

/* bt_child_index, trying the right child first: one comparison with the
 * page's last key instead of a binary search when key is past it. */
static int child_index_append(const uint8_t *page, const uint8_t *key, size_t key_len)
{
    int count = bt_count(page);
    if (count > 0) {
        size_t last_len;
        const uint8_t *last = bt_key_at(page, count - 1, &last_len);
        if (btree_key_compare(last, last_len, key, key_len) <= 0) {
            return count;
        }
    }
    return bt_child_index(page, key, key_len);
}

static int descend(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, bool append,
                   BtPath *path, Page **leaf, const uint8_t **leaf_data, Error *err);

int bt_descend_leaf(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, BtPath *path,
                    Page **leaf, const uint8_t **leaf_data, Error *err)
{
    return descend(txn, root, key, key_len, false, path, leaf, leaf_data, err);
}

int bt_descend_leaf_append(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len,
                           BtPath *path, Page **leaf, const uint8_t **leaf_data, Error *err)
{
    return descend(txn, root, key, key_len, true, path, leaf, leaf_data, err);
}

static int descend(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, bool append,
                   BtPath *path, Page **leaf, const uint8_t **leaf_data, Error *err)
{
    Pgno pgno = root;
    path->depth = 0;
    path->rightmost = true;
    for (;;) {
        if (path->depth >= BT_DEPTH_MAX) {
            return error_corrupt(err, "btree rooted at page %u is deeper than %d levels", root,
                                 BT_DEPTH_MAX);
        }
        Page *page = NULL;
        const uint8_t *data = NULL;
        int rc = bt_page_get(txn, pgno, &page, &data, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int level = path->depth++;
        path->pgno[level] = pgno;
        path->index[level] = 0;
        if (bt_is_leaf(data)) {
            if (leaf != NULL) {
                *leaf = page;
                *leaf_data = data;
            } else {
                pager_unpin(page);
            }
            return STRATA_OK;
        }
        int index = append ? child_index_append(data, key, key_len)
                           : bt_child_index(data, key, key_len);
        path->index[level] = index;
        if (index != bt_count(data)) {
            path->rightmost = false;
        }
        pgno = bt_child_at(data, index);
        pager_unpin(page);
    }
}

int btree_get(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, Arena *arena,
              const uint8_t **value_out, size_t *value_len_out, bool *found, Error *err)
{
    return btree_get_leaf(txn, root, key, key_len, arena, value_out, value_len_out, found, NULL,
                          err);
}

int btree_get_leaf(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, Arena *arena,
                   const uint8_t **value_out, size_t *value_len_out, bool *found, Pgno *leaf_out,
                   Error *err)
{
    BtPath path;
    *found = false;
    Page *page = NULL;
    const uint8_t *data = NULL;
    int rc = bt_descend_leaf(txn, root, key, key_len, &path, &page, &data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (leaf_out != NULL) {
        *leaf_out = path.pgno[path.depth - 1];
    }
    int index = bt_lower_bound(data, key, key_len);
    size_t cell_key_len = 0;
    if (index < bt_count(data)) {
        const uint8_t *cell_key = bt_key_at(data, index, &cell_key_len);
        *found = btree_key_compare(cell_key, cell_key_len, key, key_len) == 0;
    }
    if (!*found || value_out == NULL) {
        pager_unpin(page);
        return STRATA_OK;
    }
    const uint8_t *cell = bt_cell(data, index);
    BtLeafCell parsed;
    bt_leaf_parse(data, cell, &parsed);
    const uint8_t *value = cell + parsed.header + parsed.key_len;
    size_t value_len = parsed.value_len;
    uint8_t *copy = arena_alloc(arena, value_len > 0 ? value_len : 1);
    if (copy == NULL) {
        pager_unpin(page);
        return arena_error(arena, err);
    }
    if (parsed.overflow) {
        Pgno head = bt_get32(value);
        pager_unpin(page);
        rc = bt_overflow_read(txn, head, value_len, copy, err);
    } else {
        memcpy(copy, value, value_len);
        pager_unpin(page);
    }
    *value_out = copy;
    *value_len_out = value_len;
    return rc;
}
