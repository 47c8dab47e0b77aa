/*
 * storage/btree/btree_delete.c - deletion with the lazy strategy of btree.h
 * invariant 4.
 *
 * Pages may become underfull; only a leaf that becomes empty is freed and
 * unlinked from its parent. An interior page that loses its last child is
 * freed in turn. A root interior page with no cells left (one child) absorbs
 * that child, so the tree shrinks back in height. Not merging underfull
 * neighbours keeps deletion simple and cheap; a workload that deletes most
 * keys of a range still gets its pages back once they empty completely.
 * See src/storage/btree/README.md.
 */
#include "storage/btree/btree_int.h"

#include "util/mem.h"

typedef struct CellList {
    uint8_t scratch[PAGE_SIZE]; /* copy of the page being rewritten */
} CellList;

/* Rewrites page pgno (already copied to list->scratch) without cell `skip`,
 * with right child `right`. */
static int rewrite_without(PagerTxn *txn, Pgno pgno, CellList *list, int skip, Pgno right,
                           Error *err)
{
    const uint8_t *old = list->scratch;
    int count = bt_count(old);
    Page *page = NULL;
    int rc = pager_get(txn, pgno, &page, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t *data = NULL;
    rc = pager_write(txn, page, &data, err);
    if (rc != STRATA_OK) {
        pager_unpin(page);
        return rc;
    }
    int type = bt_type(old);
    bt_page_init(data, type);
    size_t content = PAGE_USABLE_SIZE;
    int out = 0;
    for (int index = 0; index < count; index++) {
        if (index == skip) {
            continue;
        }
        const uint8_t *cell = bt_cell(old, index);
        size_t size = bt_cell_size(old, cell);
        content -= size;
        memcpy(data + content, cell, size);
        bt_put16(data + BT_HEADER_SIZE + 2 * out, (uint32_t)content);
        out++;
    }
    bt_put16(data + 2, (uint32_t)out);
    bt_put16(data + 4, (uint32_t)content);
    bt_put32(data + 8, type == BT_PAGE_INTERIOR ? right : 0);
    pager_unpin(page);
    return STRATA_OK;
}

static int load_page(PagerTxn *txn, Pgno pgno, CellList *list, Error *err)
{
    Page *page = NULL;
    const uint8_t *data = NULL;
    int rc = bt_page_get(txn, pgno, &page, &data, err);
    if (rc == STRATA_OK) {
        memcpy(list->scratch, data, PAGE_USABLE_SIZE);
        pager_unpin(page);
    }
    return rc;
}

/* Makes pgno an empty leaf (used for the root). */
static int make_empty_leaf(PagerTxn *txn, Pgno pgno, Error *err)
{
    Page *page = NULL;
    int rc = pager_get(txn, pgno, &page, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t *data = NULL;
    rc = pager_write(txn, page, &data, err);
    if (rc == STRATA_OK) {
        bt_page_init(data, BT_PAGE_LEAF_COMPACT);
    }
    pager_unpin(page);
    return rc;
}

/* The child at path->index[level] of page path->pgno[level] is gone: unlink it. */
static int remove_child(PagerTxn *txn, const BtPath *path, int level, CellList *list, Error *err)
{
    for (;;) {
        Pgno pgno = path->pgno[level];
        int rc = load_page(txn, pgno, list, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int count = bt_count(list->scratch);
        int index = path->index[level];
        if (bt_is_leaf(list->scratch) || index > count) {
            return error_corrupt(err, "btree page %u changed shape during a delete", pgno);
        }
        if (count > 0) {
            if (index < count) {
                return rewrite_without(txn, pgno, list, index, bt_right(list->scratch), err);
            }
            /* The right child went: the last cell's child becomes the right child. */
            Pgno right = bt_interior_child(bt_cell(list->scratch, count - 1));
            return rewrite_without(txn, pgno, list, count - 1, right, err);
        }
        if (level == 0) {
            return make_empty_leaf(txn, pgno, err);
        }
        rc = pager_free(txn, pgno, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        level--;
    }
}

/* While the root is an interior page with a single child, pull that child up. */
static int collapse_root(PagerTxn *txn, Pgno root, Error *err)
{
    for (int round = 0; round < BT_DEPTH_MAX; round++) {
        Page *page = NULL;
        const uint8_t *data = NULL;
        int rc = bt_page_get(txn, root, &page, &data, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (bt_is_leaf(data) || bt_count(data) > 0) {
            pager_unpin(page);
            return STRATA_OK;
        }
        Pgno child_pgno = bt_right(data);
        Page *child = NULL;
        const uint8_t *child_data = NULL;
        rc = bt_page_get(txn, child_pgno, &child, &child_data, err);
        if (rc != STRATA_OK) {
            pager_unpin(page);
            return rc;
        }
        uint8_t *writable = NULL;
        rc = pager_write(txn, page, &writable, err);
        if (rc == STRATA_OK) {
            memcpy(writable, child_data, PAGE_USABLE_SIZE);
        }
        pager_unpin(child);
        pager_unpin(page);
        if (rc == STRATA_OK) {
            rc = pager_free(txn, child_pgno, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int btree_delete(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, bool *found,
                 Error *err)
{
    bool is_found = false;
    BtPath path;
    Page *leaf_page = NULL;
    const uint8_t *leaf_data = NULL;
    int rc = bt_descend_leaf(txn, root, key, key_len, &path, &leaf_page, &leaf_data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    CellList *list = mem_alloc(sizeof *list);
    if (list == NULL) {
        pager_unpin(leaf_page);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int level = path.depth - 1;
    Pgno leaf = path.pgno[level];
    memcpy(list->scratch, leaf_data, PAGE_USABLE_SIZE);
    pager_unpin(leaf_page);
    int index = bt_lower_bound(list->scratch, key, key_len);
    if (index < bt_count(list->scratch)) {
        size_t len;
        const uint8_t *cell_key = bt_key_at(list->scratch, index, &len);
        is_found = btree_key_compare(cell_key, len, key, key_len) == 0;
    }
    if (!is_found) {
        goto out_free_list;
    }
    const uint8_t *cell = bt_cell(list->scratch, index);
    if (bt_leaf_is_overflow(list->scratch, cell)) {
        rc = bt_overflow_free(txn, bt_get32(bt_leaf_value(list->scratch, cell)),
                              bt_leaf_value_len(list->scratch, cell), err);
        if (rc != STRATA_OK) {
            goto out_free_list;
        }
    }
    if (bt_count(list->scratch) > 1 || level == 0) {
        rc = rewrite_without(txn, leaf, list, index, PGNO_NONE, err);
    } else {
        rc = pager_free(txn, leaf, err);
        if (rc == STRATA_OK) {
            rc = remove_child(txn, &path, level - 1, list, err);
        }
        if (rc == STRATA_OK) {
            rc = collapse_root(txn, root, err);
        }
    }
out_free_list:
    mem_free(list);
    if (found != NULL) {
        *found = is_found;
    }
    return rc;
}
