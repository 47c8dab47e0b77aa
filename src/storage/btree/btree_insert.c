/*
 * storage/btree/btree_insert.c - insertion, page splits and root splits.
 *
 * A page is changed by building the list of cells it should hold and
 * rewriting it compactly (write_cells). When the list does not fit, the page
 * splits: the left part stays in the page, the right part goes to a new page,
 * and a separator plus the new child go into the parent, which may split in
 * turn. The root splits by moving both halves into two new pages, so the
 * root page number never changes (btree.h invariant 1).
 *
 * Bulk loading: when a page on the rightmost path overflows because a key was
 * appended at its end, the split happens at the insertion point, so sequential
 * loads leave full pages behind instead of half-full ones.
 * See src/storage/btree/README.md.
 */
#include "storage/btree/btree_int.h"

#include "util/assert.h"
#include "util/mem.h"

typedef struct CellRef {
    const uint8_t *ptr;
    size_t size;
} CellRef;

/* Everything one split step needs; lives on the inserting thread's stack. */
typedef struct SplitWork {
    uint8_t scratch[PAGE_SIZE];       /* copy of the page being rebuilt */
    uint8_t converted[PAGE_SIZE];     /* its cells in compact form, when it was a format 1 leaf */
    CellRef cells[BT_CELLS_MAX + 2];
    int cell_count;
    Pgno right;                        /* right child for interior pages */
    int type;
    int insert_index;                  /* where the new cell went (-1: replaced) */
    uint8_t new_cell[BT_CELL_MAX];
    uint8_t changed_cell[BT_CELL_MAX];
    uint8_t sep[BTREE_KEY_MAX];
    size_t sep_len;
} SplitWork;

static const uint8_t *cell_key(int type, const uint8_t *cell, size_t *len)
{
    if (bt_type_is_leaf(type)) {
        BtLeafCell parsed;
        bt_leaf_parse_type(type, cell, &parsed);
        *len = parsed.key_len;
        return cell + parsed.header;
    }
    *len = bt_cell_key_len(cell);
    return bt_interior_key(cell);
}

static size_t cells_bytes(const CellRef *cells, int count)
{
    size_t total = 0;
    for (int index = 0; index < count; index++) {
        total += cells[index].size + 2;
    }
    return total;
}

static bool cells_fit(const CellRef *cells, int count)
{
    return cells_bytes(cells, count) <= PAGE_USABLE_SIZE - BT_HEADER_SIZE;
}

static void write_cells(uint8_t *data, int type, const CellRef *cells, int count, Pgno right)
{
    bt_page_init(data, type);
    size_t content = PAGE_USABLE_SIZE;
    for (int index = 0; index < count; index++) {
        content -= cells[index].size;
        memcpy(data + content, cells[index].ptr, cells[index].size);
        bt_put16(data + BT_HEADER_SIZE + 2 * index, (uint32_t)content);
    }
    bt_put16(data + 2, (uint32_t)count);
    bt_put16(data + 4, (uint32_t)content);
    bt_put32(data + 8, type == BT_PAGE_INTERIOR ? right : 0);
}

/* Pins pgno writable and rewrites it with cells. */
static int rewrite_page(PagerTxn *txn, Pgno pgno, int type, const CellRef *cells, int count,
                        Pgno right, Error *err)
{
    Page *page = NULL;
    int rc = pager_get(txn, pgno, &page, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t *data = NULL;
    rc = pager_write(txn, page, &data, err);
    if (rc == STRATA_OK) {
        write_cells(data, type, cells, count, right);
        page_mark_validated(page); /* well-formed by construction */
    }
    pager_unpin(page);
    return rc;
}

static int new_page(PagerTxn *txn, int type, const CellRef *cells, int count, Pgno right,
                    Pgno *pgno_out, Error *err)
{
    Page *page = NULL;
    int rc = pager_alloc(txn, &page, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t *data = NULL;
    rc = pager_write(txn, page, &data, err);
    if (rc == STRATA_OK) {
        write_cells(data, type, cells, count, right);
        page_mark_validated(page);
        *pgno_out = page_pgno(page);
    }
    pager_unpin(page);
    return rc;
}

/* Rewrites the cells of a format 1 leaf (work->scratch) in compact form into
 * work->converted: every rebuilt leaf is written compact (a compact header is
 * never longer than the 7 bytes of format 1, so they fit). */
static void convert_cells(SplitWork *work)
{
    size_t at = 0;
    for (int index = 0; index < work->cell_count; index++) {
        const uint8_t *cell = work->cells[index].ptr;
        BtLeafCell parsed;
        bt_leaf_parse_type(BT_PAGE_LEAF, cell, &parsed);
        uint8_t *out = work->converted + at;
        size_t header = bt_leaf_header_write(out, parsed.key_len, parsed.value_len, parsed.overflow);
        size_t body = work->cells[index].size - parsed.header;
        memcpy(out + header, cell + parsed.header, body);
        work->cells[index].ptr = out;
        work->cells[index].size = header + body;
        at += header + body;
    }
    work->type = BT_PAGE_LEAF_COMPACT;
}

/* Loads pgno into work->scratch and lists its cells. */
static int load_cells(PagerTxn *txn, Pgno pgno, SplitWork *work, Error *err)
{
    Page *page = NULL;
    const uint8_t *data = NULL;
    int rc = bt_page_get(txn, pgno, &page, &data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    memcpy(work->scratch, data, PAGE_USABLE_SIZE);
    pager_unpin(page);
    work->type = bt_type(work->scratch);
    work->right = bt_right(work->scratch);
    work->cell_count = bt_count(work->scratch);
    for (int index = 0; index < work->cell_count; index++) {
        const uint8_t *cell = bt_cell(work->scratch, index);
        work->cells[index].ptr = cell;
        work->cells[index].size = bt_cell_size(work->scratch, cell);
    }
    if (work->type == BT_PAGE_LEAF) {
        convert_cells(work);
    }
    return STRATA_OK;
}

static void insert_cell(SplitWork *work, int index, const uint8_t *cell, size_t size)
{
    memmove(&work->cells[index + 1], &work->cells[index],
            sizeof(CellRef) * (size_t)(work->cell_count - index));
    work->cells[index].ptr = cell;
    work->cells[index].size = size;
    work->cell_count++;
    work->insert_index = index;
}

/* Split point k: leaf -> left [0,k), right [k,n); interior -> left [0,k),
 * cell k goes up, right (k,n). */
static int choose_split(const SplitWork *work, bool append)
{
    int count = work->cell_count;
    bool is_leaf = bt_type_is_leaf(work->type);
    if (append && work->insert_index == count - 1 && count >= 2 &&
        cells_fit(work->cells, count - 1)) {
        return count - 1;
    }
    size_t half = cells_bytes(work->cells, count) / 2;
    size_t acc = 0;
    int split = 0;
    while (split < count - 1 && acc + (work->cells[split].size + 2) / 2 < half) {
        acc += work->cells[split].size + 2;
        split++;
    }
    if (is_leaf && split == 0) {
        split = 1;
    }
    if (is_leaf && split >= count) {
        split = count - 1;
    }
    return split;
}

/* Separator between the halves of a leaf split: the shortest prefix of the
 * right half's first key that is still greater than the left half's last key. */
static void leaf_separator(SplitWork *work, int split)
{
    size_t left_len, right_len;
    const uint8_t *left = cell_key(work->type, work->cells[split - 1].ptr, &left_len);
    const uint8_t *right = cell_key(work->type, work->cells[split].ptr, &right_len);
    size_t common = 0;
    while (common < left_len && common < right_len && left[common] == right[common]) {
        common++;
    }
    ST_ASSERT(common < right_len);
    work->sep_len = common + 1;
    memcpy(work->sep, right, work->sep_len);
}

/* Splits the cell list of path level `level`. The left half stays in that
 * page (or, for the root, moves to a new page); *right_out is the new right page. */
static int split_level(PagerTxn *txn, const BtPath *path, int level, SplitWork *work,
                       Pgno *left_out, Pgno *right_out, Error *err)
{
    bool append = path->rightmost;
    int split = choose_split(work, append);
    int type = work->type;
    const CellRef *cells = work->cells;
    int count = work->cell_count;
    Pgno left_right = PGNO_NONE;
    int right_start = split;
    if (bt_type_is_leaf(type)) {
        leaf_separator(work, split);
    } else {
        size_t len;
        const uint8_t *key = cell_key(type, cells[split].ptr, &len);
        memcpy(work->sep, key, len);
        work->sep_len = len;
        left_right = bt_interior_child(cells[split].ptr);
        right_start = split + 1;
    }
    int rc = new_page(txn, type, cells + right_start, count - right_start, work->right, right_out,
                      err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (level > 0) {
        *left_out = path->pgno[level];
        return rewrite_page(txn, *left_out, type, cells, split, left_right, err);
    }
    rc = new_page(txn, type, cells, split, left_right, left_out, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* The root keeps its number and becomes an interior page over both halves. */
    uint8_t *cell = work->new_cell;
    bt_put16(cell, (uint32_t)work->sep_len);
    bt_put32(cell + 2, *left_out);
    memcpy(cell + BT_INTERIOR_CELL_HEADER, work->sep, work->sep_len);
    CellRef root_cell = {cell, BT_INTERIOR_CELL_HEADER + work->sep_len};
    return rewrite_page(txn, path->pgno[0], BT_PAGE_INTERIOR, &root_cell, 1, *right_out, err);
}

/* Writes work's cell list into path level `level`, splitting upward as needed. */
static int store_level(PagerTxn *txn, const BtPath *path, int level, SplitWork *work, Error *err)
{
    for (;;) {
        if (cells_fit(work->cells, work->cell_count)) {
            return rewrite_page(txn, path->pgno[level], work->type, work->cells, work->cell_count,
                                work->right, err);
        }
        Pgno left = PGNO_NONE, right = PGNO_NONE;
        int rc = split_level(txn, path, level, work, &left, &right, err);
        if (rc != STRATA_OK || level == 0) {
            return rc;
        }
        /* Parent: the pointer that led to `left` now leads to `right`, and a
         * new cell (separator, left) goes in front of it. */
        level--;
        size_t sep_len = work->sep_len;
        uint8_t sep[BTREE_KEY_MAX];
        memcpy(sep, work->sep, sep_len);
        rc = load_cells(txn, path->pgno[level], work, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int index = path->index[level];
        if (work->type != BT_PAGE_INTERIOR || index > work->cell_count) {
            return error_corrupt(err, "btree page %u changed shape during an insert",
                                 path->pgno[level]);
        }
        if (index == work->cell_count) {
            work->right = right;
        } else {
            memcpy(work->changed_cell, work->cells[index].ptr, work->cells[index].size);
            bt_put32(work->changed_cell + 2, right);
            work->cells[index].ptr = work->changed_cell;
        }
        bt_put16(work->new_cell, (uint32_t)sep_len);
        bt_put32(work->new_cell + 2, left);
        memcpy(work->new_cell + BT_INTERIOR_CELL_HEADER, sep, sep_len);
        insert_cell(work, index, work->new_cell, BT_INTERIOR_CELL_HEADER + sep_len);
    }
}

int bt_build_leaf_cell(PagerTxn *txn, const uint8_t *key, size_t key_len, const uint8_t *value,
                       size_t value_len, uint8_t *cell, size_t *size_out, Error *err)
{
    size_t header = bt_leaf_header_size(key_len, value_len);
    if (header + key_len + value_len <= BT_CELL_MAX) {
        bt_leaf_header_write(cell, key_len, value_len, false);
        memcpy(cell + header, key, key_len);
        if (value_len > 0) {
            memcpy(cell + header + key_len, value, value_len);
        }
        *size_out = header + key_len + value_len;
        return STRATA_OK;
    }
    Pgno head = PGNO_NONE;
    int rc = bt_overflow_write(txn, value, value_len, &head, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    bt_leaf_header_write(cell, key_len, value_len, true);
    memcpy(cell + header, key, key_len);
    bt_put32(cell + header + key_len, head);
    *size_out = header + key_len + 4;
    return STRATA_OK;
}

/* The common case without a rebuild: the new cell fits the leaf's free space,
 * or replaces a cell (of any size the free space allows), so it is written in place. The page stays
 * compact (invariant 1 of btree_int.h): a new cell goes just below
 * content_start and the pointer array grows by one slot, so the cells still tile
 * [content_start, PAGE_USABLE_SIZE) exactly; only their physical order differs
 * from key order, which nothing relies on. Rebuilding the page instead (load,
 * list and rewrite every cell) was the largest cost of a bulk load and of a
 * single-row UPDATE. *done = false: nothing was changed, take the general path. */
/* page/data: the leaf, pinned (bt_descend_leaf); unpinned here. */
static int insert_in_place(PagerTxn *txn, Page *page, const uint8_t *data, const uint8_t *key,
                           size_t key_len, const uint8_t *value, size_t value_len,
                           BTreeInsertMode mode, bool *existed, bool *done, Error *err)
{
    *done = false;
    size_t header = bt_leaf_header_size(key_len, value_len);
    size_t size = header + key_len + value_len;
    if (size > BT_CELL_MAX) {
        pager_unpin(page);
        return STRATA_OK;
    }
    int rc;
    if (bt_type(data) != BT_PAGE_LEAF_COMPACT) {
        pager_unpin(page); /* a format 1 leaf: the rebuild converts it */
        return STRATA_OK;
    }
    int count = bt_count(data);
    int index = bt_lower_bound(data, key, key_len);
    size_t old_offset = 0;
    if (index < count) {
        size_t len;
        const uint8_t *found_key = bt_key_at(data, index, &len);
        if (btree_key_compare(found_key, len, key, key_len) == 0) {
            old_offset = bt_get16(data + BT_HEADER_SIZE + 2 * index);
        }
    }
    size_t content = bt_get16(data + 4);
    size_t free_bytes = content - BT_HEADER_SIZE - 2 * (size_t)count;
    size_t old_size = old_offset != 0 && mode != BTREE_INSERT_NEW &&
                              !bt_leaf_is_overflow(data, data + old_offset)
                          ? bt_cell_size(data, data + old_offset)
                          : 0;
    bool replace_fits = old_size > 0 && (size <= old_size || size - old_size <= free_bytes);
    bool fits = old_offset != 0 ? mode == BTREE_INSERT_NEW || replace_fits
                                : size + 2 <= free_bytes;
    if (!fits) {
        pager_unpin(page);
        return STRATA_OK;
    }
    if (existed != NULL) {
        *existed = old_offset != 0;
    }
    *done = true;
    if (old_offset != 0 && mode == BTREE_INSERT_NEW) {
        pager_unpin(page);
        return STRATA_OK;
    }
    uint8_t *out = NULL;
    rc = pager_write(txn, page, &out, err);
    if (rc == STRATA_OK) {
        uint8_t *cell = out + old_offset;
        if (old_offset != 0 && size != old_size) {
            /* A value of another size (an UPDATE whose integers grew a digit):
             * the cells from content_start up to the old one move by the
             * difference and the new cell ends where the old one did, so the
             * cells still tile the content area. One memmove and a pass over
             * the slots, instead of the rebuild of the whole leaf. */
            size_t moved_to = content + old_size - size;
            memmove(out + moved_to, out + content, old_offset - content);
            for (int slot = 0; slot < count; slot++) {
                uint8_t *at = out + BT_HEADER_SIZE + 2 * slot;
                size_t offset = bt_get16(at);
                if (offset < old_offset) {
                    bt_put16(at, (uint32_t)(offset + old_size - size));
                }
            }
            size_t new_offset = old_offset + old_size - size;
            bt_put16(out + BT_HEADER_SIZE + 2 * index, (uint32_t)new_offset);
            bt_put16(out + 4, (uint32_t)moved_to);
            cell = out + new_offset;
        }
        if (old_offset == 0) {
            content -= size;
            cell = out + content;
            uint8_t *slot = out + BT_HEADER_SIZE + 2 * index;
            memmove(slot + 2, slot, 2 * (size_t)(count - index));
            bt_put16(slot, (uint32_t)content);
            bt_put16(out + 2, (uint32_t)count + 1);
            bt_put16(out + 4, (uint32_t)content);
        }
        bt_leaf_header_write(cell, key_len, value_len, false);
        memcpy(cell + header, key, key_len);
        if (value_len > 0) {
            memcpy(cell + header + key_len, value, value_len);
        }
        /* The leaf passed bt_page_get's check and the edit keeps the cells
         * tiling the content area: without the memo the next pin of every
         * page a transaction wrote walked all its cells again (17% of a TPC-B
         * transaction's server instructions). */
        page_mark_validated(page);
    }
    pager_unpin(page);
    return rc;
}

int btree_replace_at(PagerTxn *txn, Pgno leaf, const uint8_t *key, size_t key_len,
                     const uint8_t *value, size_t value_len, bool *done, Error *err)
{
    *done = false;
    Page *page = NULL;
    const uint8_t *data = NULL;
    int rc = bt_page_get(txn, leaf, &page, &data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int index = bt_is_leaf(data) ? bt_lower_bound(data, key, key_len) : bt_count(data);
    size_t offset = 0;
    if (index < bt_count(data)) {
        size_t len;
        const uint8_t *found_key = bt_key_at(data, index, &len);
        const uint8_t *cell = bt_cell(data, index);
        if (btree_key_compare(found_key, len, key, key_len) == 0 &&
            !bt_leaf_is_overflow(data, cell) && bt_leaf_value_len(data, cell) == value_len) {
            offset = (size_t)(bt_leaf_value(data, cell) - data);
        }
    }
    uint8_t *out = NULL;
    if (offset != 0 && (rc = pager_write(txn, page, &out, err)) == STRATA_OK) {
        memcpy(out + offset, value, value_len);
        page_mark_validated(page); /* checked by bt_page_get; same-size value */
        *done = true;
    }
    pager_unpin(page);
    return rc;
}

static int insert_descended(PagerTxn *txn, const BtPath *path_in, Page *leaf,
                            const uint8_t *leaf_data, const uint8_t *key, size_t key_len,
                            const uint8_t *value, size_t value_len, BTreeInsertMode mode,
                            bool *existed, Error *err);

int btree_insert(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len,
                 const uint8_t *value, size_t value_len, BTreeInsertMode mode, bool *existed,
                 Error *err)
{
    if (key_len > BTREE_KEY_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "index row size %zu exceeds maximum %d", key_len, BTREE_KEY_MAX);
    }
    if (value_len > BTREE_VALUE_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "row size %zu exceeds maximum %u", value_len, BTREE_VALUE_MAX);
    }
    BtPath path;
    Page *leaf = NULL;
    const uint8_t *leaf_data = NULL;
    int rc = bt_descend_leaf(txn, root, key, key_len, &path, &leaf, &leaf_data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return insert_descended(txn, &path, leaf, leaf_data, key, key_len, value, value_len, mode,
                            existed, err);
}

/* The append split (SQLite's balance_quick): a key past the end of the
 * rightmost leaf that does not fit there starts a new rightmost leaf holding
 * just that entry, and the parent gets the separator appended in place. The
 * tree comes out as the general split makes it for an append (choose_split
 * keeps every old cell on the left), but the full leaf is neither copied nor
 * rewritten and the parent is not rebuilt: that was two page rebuilds per
 * leaf of a bulk load in key order. *done = false (nothing changed): the
 * parent is the root leaf, is full, or the key is not past the end. */
static int append_split(PagerTxn *txn, const BtPath *path, const uint8_t *key, size_t key_len,
                        const uint8_t *value, size_t value_len, bool *done, Error *err)
{
    *done = false;
    if (!path->rightmost || path->depth < 2) {
        return STRATA_OK;
    }
    Pgno leaf_pgno = path->pgno[path->depth - 1], parent_pgno = path->pgno[path->depth - 2];
    Page *page = NULL;
    const uint8_t *data = NULL;
    int rc = bt_page_get(txn, leaf_pgno, &page, &data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t sep[BTREE_KEY_MAX + 1];
    size_t sep_len = 0;
    int cells = bt_count(data);
    if (bt_type(data) == BT_PAGE_LEAF_COMPACT && cells > 0) {
        size_t last_len;
        const uint8_t *last = bt_key_at(data, cells - 1, &last_len);
        if (btree_key_compare(key, key_len, last, last_len) > 0) {
            /* The shortest prefix of key above the leaf's last key (leaf_separator). */
            while (sep_len < last_len && sep_len < key_len && last[sep_len] == key[sep_len]) {
                sep_len++;
            }
            sep_len++;
            memcpy(sep, key, sep_len);
        }
    }
    pager_unpin(page);
    if (sep_len == 0 || (rc = bt_page_get(txn, parent_pgno, &page, &data, err)) != STRATA_OK) {
        return rc;
    }
    size_t cell_size = BT_INTERIOR_CELL_HEADER + sep_len;
    size_t content = bt_get16(data + 4);
    int count = bt_count(data);
    bool fits = bt_type(data) == BT_PAGE_INTERIOR && bt_right(data) == leaf_pgno &&
                content >= BT_HEADER_SIZE + 2 * (size_t)count + cell_size + 2;
    pager_unpin(page);
    if (!fits) {
        return STRATA_OK;
    }
    uint8_t cell[BT_CELL_MAX];
    size_t size = 0;
    Pgno right = PGNO_NONE;
    if ((rc = bt_build_leaf_cell(txn, key, key_len, value, value_len, cell, &size, err)) !=
            STRATA_OK ||
        (rc = new_page(txn, BT_PAGE_LEAF_COMPACT, &(CellRef){cell, size}, 1, PGNO_NONE, &right,
                       err)) != STRATA_OK ||
        (rc = bt_page_get(txn, parent_pgno, &page, &data, err)) != STRATA_OK) {
        return rc;
    }
    uint8_t *out = NULL;
    if ((rc = pager_write(txn, page, &out, err)) == STRATA_OK) {
        /* The separator cell (sep, old leaf) goes last; the new leaf becomes
         * the right child. The cells still tile the content area. */
        content -= cell_size;
        bt_put16(out + content, (uint32_t)sep_len);
        bt_put32(out + content + 2, leaf_pgno);
        memcpy(out + content + BT_INTERIOR_CELL_HEADER, sep, sep_len);
        bt_put16(out + BT_HEADER_SIZE + 2 * count, (uint32_t)content);
        bt_put16(out + 2, (uint32_t)count + 1);
        bt_put16(out + 4, (uint32_t)content);
        bt_put32(out + 8, right);
        page_mark_validated(page);
        *done = true;
    }
    pager_unpin(page);
    return rc;
}

/* btree_insert after its descent: path leads to leaf (pinned, data; unpinned here). */
static int insert_descended(PagerTxn *txn, const BtPath *path_in, Page *leaf,
                            const uint8_t *leaf_data, const uint8_t *key, size_t key_len,
                            const uint8_t *value, size_t value_len, BTreeInsertMode mode,
                            bool *existed, Error *err)
{
    BtPath path = *path_in;
    bool done = false;
    int rc = insert_in_place(txn, leaf, leaf_data, key, key_len, value, value_len, mode, existed,
                         &done, err);
    if (rc == STRATA_OK && !done) {
        rc = append_split(txn, &path, key, key_len, value, value_len, &done, err);
        if (done && existed != NULL) {
            *existed = false;
        }
    }
    if (rc != STRATA_OK || done) {
        return rc;
    }
    SplitWork *work = mem_alloc(sizeof *work);
    if (work == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int level = path.depth - 1;
    rc = load_cells(txn, path.pgno[level], work, err);
    if (rc != STRATA_OK) {
        goto out_free_work;
    }
    int index = bt_lower_bound(work->scratch, key, key_len);
    bool found = false;
    if (index < work->cell_count) {
        size_t len;
        const uint8_t *found_key = bt_key_at(work->scratch, index, &len);
        found = btree_key_compare(found_key, len, key, key_len) == 0;
    }
    if (existed != NULL) {
        *existed = found;
    }
    if (found && mode == BTREE_INSERT_NEW) {
        goto out_free_work;
    }
    if (found) {
        BtLeafCell old;
        bt_leaf_parse_type(work->type, work->cells[index].ptr, &old);
        if (old.overflow) {
            rc = bt_overflow_free(txn, bt_get32(work->cells[index].ptr + old.header + old.key_len),
                                  old.value_len, err);
            if (rc != STRATA_OK) {
                goto out_free_work;
            }
        }
        work->cell_count--;
        memmove(&work->cells[index], &work->cells[index + 1],
                sizeof(CellRef) * (size_t)(work->cell_count - index));
    }
    size_t size = 0;
    rc = bt_build_leaf_cell(txn, key, key_len, value, value_len, work->new_cell, &size, err);
    if (rc != STRATA_OK) {
        goto out_free_work;
    }
    insert_cell(work, index, work->new_cell, size);
    rc = store_level(txn, &path, level, work, err);
out_free_work:
    mem_free(work);
    return rc;
}

/* Appends entries[from..count) to the end of the rightmost leaf `data` (pinned
 * as page) while each key is greater than the one before and its cell fits
 * the free space and needs no overflow chain; *appended is how many went in.
 * The leaf is rightmost, so no separator bounds its keys from above. */
static int append_in_place(PagerTxn *txn, Page *page, const uint8_t *data,
                           const BTreeEntry *entries, int from, int count, int *appended,
                           Error *err)
{
    *appended = 0;
    int cells = bt_count(data);
    if (bt_type(data) != BT_PAGE_LEAF_COMPACT || cells == 0) {
        return STRATA_OK;
    }
    size_t last_len;
    const uint8_t *last = bt_key_at(data, cells - 1, &last_len);
    size_t content = bt_get16(data + 4);
    uint8_t *out = NULL;
    int at = from;
    for (; at < count; at++) {
        const BTreeEntry *e = &entries[at];
        size_t header = bt_leaf_header_size(e->key_len, e->value_len);
        size_t size = header + e->key_len + e->value_len;
        if (e->key_len > BTREE_KEY_MAX || size > BT_CELL_MAX ||
            size + 2 > content - BT_HEADER_SIZE - 2 * (size_t)cells ||
            btree_key_compare(e->key, e->key_len, last, last_len) <= 0) {
            break;
        }
        if (out == NULL) {
            int rc = pager_write(txn, page, &out, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            /* The writable copy may be another buffer than data. */
            last = bt_key_at(out, cells - 1, &last_len);
        }
        content -= size;
        uint8_t *cell = out + content;
        bt_leaf_header_write(cell, e->key_len, e->value_len, false);
        memcpy(cell + header, e->key, e->key_len);
        if (e->value_len > 0) {
            memcpy(cell + header + e->key_len, e->value, e->value_len);
        }
        bt_put16(out + BT_HEADER_SIZE + 2 * cells, (uint32_t)content);
        cells++;
        last = e->key;
        last_len = e->key_len;
    }
    if (out != NULL) {
        bt_put16(out + 2, (uint32_t)cells);
        bt_put16(out + 4, (uint32_t)content);
    }
    *appended = at - from;
    return STRATA_OK;
}

int btree_insert_run(PagerTxn *txn, Pgno root, const BTreeEntry *entries, int count,
                     int *inserted, Error *err)
{
    *inserted = 0;
    int at = 0;
    while (at < count) {
        BtPath path;
        Page *leaf = NULL;
        const uint8_t *data = NULL;
        int rc = bt_descend_leaf_append(txn, root, entries[at].key, entries[at].key_len, &path,
                                        &leaf, &data, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int appended = 0;
        if (path.rightmost) {
            rc = append_in_place(txn, leaf, data, entries, at, count, &appended, err);
        }
        if (rc != STRATA_OK || appended > 0) {
            pager_unpin(leaf);
            if (rc != STRATA_OK) {
                return rc;
            }
            at += appended;
            *inserted = at;
            continue;
        }
        /* The general path for one entry (a split, an overflow value, a key
         * inside the tree), from this descent; the next descent finds the new
         * rightmost leaf. */
        const BTreeEntry *e = &entries[at];
        if (e->key_len > BTREE_KEY_MAX || e->value_len > BTREE_VALUE_MAX) {
            pager_unpin(leaf);
            return btree_insert(txn, root, e->key, e->key_len, e->value, e->value_len,
                                BTREE_INSERT_NEW, NULL, err);
        }
        bool existed = false;
        rc = insert_descended(txn, &path, leaf, data, e->key, e->key_len, e->value, e->value_len,
                              BTREE_INSERT_NEW, &existed, err);
        if (rc != STRATA_OK || existed) {
            return rc;
        }
        *inserted = ++at;
    }
    return STRATA_OK;
}
