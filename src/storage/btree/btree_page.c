/*
 * storage/btree/btree_page.c - page validation, in-page search, overflow
 * chains, and the whole-tree operations (create, destroy, clear).
 *
 * Every tree page goes through bt_page_get(), which validates it before any
 * other code looks at it (btree_int.h invariant 1), so the rest of the B+tree
 * may trust offsets and lengths. See src/storage/btree/README.md.
 */
#include "storage/btree/btree_int.h"

#include "util/assert.h"

int btree_key_compare(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    size_t common = a_len < b_len ? a_len : b_len;
    int cmp = common > 0 ? memcmp(a, b, common) : 0;
    if (cmp != 0) {
        return cmp;
    }
    return a_len < b_len ? -1 : (a_len > b_len ? 1 : 0);
}

size_t bt_cell_size(const uint8_t *page, const uint8_t *cell)
{
    if (!bt_is_leaf(page)) {
        return BT_INTERIOR_CELL_HEADER + bt_cell_key_len(cell);
    }
    BtLeafCell parsed;
    bt_leaf_parse(page, cell, &parsed);
    return parsed.header + parsed.key_len + (parsed.overflow ? 4 : parsed.value_len);
}

/* Reads a compact leaf cell header at page[offset..) without passing the page
 * end; false when it does, or when a varint is longer than its field allows. */
static bool compact_header_checked(const uint8_t *page, size_t offset, BtLeafCell *out)
{
    size_t pos = offset;
    uint64_t fields[2];
    static const int max_bytes[2] = {2, 5};
    for (int field = 0; field < 2; field++) {
        uint64_t value = 0;
        bool ended = false;
        for (int byte_index = 0; byte_index < max_bytes[field] && pos < PAGE_USABLE_SIZE;
             byte_index++) {
            uint8_t byte = page[pos++];
            value |= (uint64_t)(byte & 0x7F) << (7 * byte_index);
            if ((byte & 0x80) == 0) {
                ended = true;
                break;
            }
        }
        if (!ended) {
            return false;
        }
        fields[field] = value;
    }
    out->key_len = (size_t)fields[0];
    out->overflow = (fields[1] & 1) != 0;
    out->value_len = (uint32_t)(fields[1] >> 1);
    out->header = pos - offset;
    return (fields[1] >> 1) <= UINT32_MAX;
}

/* Size of the cell at offset, or 0 when its header or body would leave the page. */
static size_t cell_size_checked(const uint8_t *page, size_t offset)
{
    const uint8_t *cell = page + offset;
    int type = bt_type(page);
    BtLeafCell parsed = {0};
    if (type == BT_PAGE_LEAF_COMPACT) {
        if (!compact_header_checked(page, offset, &parsed)) {
            return 0;
        }
    } else {
        size_t header = type == BT_PAGE_LEAF ? BT_LEAF_CELL_HEADER : BT_INTERIOR_CELL_HEADER;
        if (offset + header > PAGE_USABLE_SIZE) {
            return 0;
        }
        if (type == BT_PAGE_LEAF && (cell[2] & ~BT_CELL_OVERFLOW) != 0) {
            return 0;
        }
        if (type == BT_PAGE_LEAF) {
            bt_leaf_parse(page, cell, &parsed);
        } else {
            parsed.header = header;
            parsed.key_len = bt_cell_key_len(cell);
        }
    }
    if (parsed.key_len > BTREE_KEY_MAX) {
        return 0;
    }
    size_t size = parsed.header + parsed.key_len;
    if (type != BT_PAGE_INTERIOR) {
        size += parsed.overflow ? 4 : parsed.value_len;
        if (!parsed.overflow && parsed.value_len > BT_CELL_MAX) {
            return 0;
        }
    }
    if (size > BT_CELL_MAX || offset + size > PAGE_USABLE_SIZE) {
        return 0;
    }
    return size;
}

int bt_page_validate(const uint8_t *page, Pgno pgno, Error *err)
{
    int type = bt_type(page);
    if (!bt_type_is_leaf(type) && type != BT_PAGE_INTERIOR) {
        return error_corrupt(err, "btree page %u has unknown type 0x%02x", pgno, type);
    }
    int count = bt_count(page);
    size_t content_start = bt_get16(page + 4);
    if (count > BT_CELLS_MAX || (size_t)BT_HEADER_SIZE + 2 * (size_t)count > content_start ||
        content_start > PAGE_USABLE_SIZE) {
        return error_corrupt(err, "btree page %u has a bad header (cells %d, content at %zu)",
                             pgno, count, content_start);
    }
    if (bt_type_is_leaf(type) && bt_right(page) != 0) {
        return error_corrupt(err, "btree leaf page %u has a child pointer", pgno);
    }
    if (type == BT_PAGE_INTERIOR && bt_right(page) == PGNO_NONE) {
        return error_corrupt(err, "btree interior page %u has no right child", pgno);
    }
    size_t total = 0;
    for (int index = 0; index < count; index++) {
        size_t offset = bt_get16(page + BT_HEADER_SIZE + 2 * index);
        size_t size = offset >= content_start ? cell_size_checked(page, offset) : 0;
        if (size == 0) {
            return error_corrupt(err, "btree page %u has a bad cell %d at offset %zu", pgno,
                                 index, offset);
        }
        if (type == BT_PAGE_INTERIOR && bt_interior_child(page + offset) == PGNO_NONE) {
            return error_corrupt(err, "btree page %u cell %d has no child", pgno, index);
        }
        total += size;
    }
    if (total != PAGE_USABLE_SIZE - content_start) {
        return error_corrupt(err, "btree page %u: cells cover %zu bytes, content area has %zu",
                             pgno, total, PAGE_USABLE_SIZE - content_start);
    }
    return STRATA_OK;
}

int bt_page_get(PagerTxn *txn, Pgno pgno, Page **out, const uint8_t **data, Error *err)
{
    Page *page = NULL;
    int rc = pager_get(txn, pgno, &page, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* An image is checked once (a full check walks every cell: it was 20% of
     * a point select's and 10% of a bulk load's cycles when done on every
     * descent); the pager drops the memo when anything but us changes it. */
    if (!page_is_validated(page)) {
        rc = bt_page_validate(page_data(page), pgno, err);
        if (rc != STRATA_OK) {
            pager_unpin(page);
            return rc;
        }
        page_mark_validated(page);
    }
    *out = page;
    *data = page_data(page);
    return STRATA_OK;
}

int bt_lower_bound(const uint8_t *page, const uint8_t *key, size_t key_len)
{
    int low = 0, high = bt_count(page);
    while (low < high) {
        int mid = low + (high - low) / 2;
        size_t mid_len;
        const uint8_t *mid_key = bt_key_at(page, mid, &mid_len);
        if (btree_key_compare(mid_key, mid_len, key, key_len) < 0) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

int bt_upper_bound(const uint8_t *page, const uint8_t *key, size_t key_len)
{
    int low = 0, high = bt_count(page);
    while (low < high) {
        int mid = low + (high - low) / 2;
        size_t mid_len;
        const uint8_t *mid_key = bt_key_at(page, mid, &mid_len);
        if (btree_key_compare(mid_key, mid_len, key, key_len) <= 0) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

/* ---- Overflow chains ----------------------------------------------------------- */

int bt_overflow_write(PagerTxn *txn, const uint8_t *value, size_t value_len, Pgno *head_out,
                      Error *err)
{
    /* Written back to front so each page can name its already allocated successor. */
    size_t page_count = bt_overflow_pages(value_len);
    Pgno next = PGNO_NONE;
    for (size_t index = page_count; index-- > 0;) {
        Page *page = NULL;
        int rc = pager_alloc(txn, &page, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        uint8_t *data = NULL;
        rc = pager_write(txn, page, &data, err);
        if (rc != STRATA_OK) {
            pager_unpin(page);
            return rc;
        }
        size_t offset = index * BT_OVERFLOW_CAPACITY;
        size_t used = value_len - offset < BT_OVERFLOW_CAPACITY ? value_len - offset
                                                                 : BT_OVERFLOW_CAPACITY;
        memset(data, 0, BT_OVERFLOW_HEADER);
        data[0] = BT_PAGE_OVERFLOW;
        bt_put32(data + 4, next);
        bt_put32(data + 8, (uint32_t)used);
        memcpy(data + BT_OVERFLOW_HEADER, value + offset, used);
        next = page_pgno(page);
        pager_unpin(page);
    }
    *head_out = next;
    return STRATA_OK;
}

/* Walks a chain; copies into out when not NULL, frees pages when do_free. */
static int overflow_walk(PagerTxn *txn, Pgno head, size_t value_len, uint8_t *out, bool do_free,
                         Error *err)
{
    size_t expected_pages = bt_overflow_pages(value_len);
    size_t offset = 0;
    Pgno pgno = head;
    for (size_t index = 0; index < expected_pages; index++) {
        Page *page = NULL;
        if (pgno == PGNO_NONE) {
            return error_corrupt(err, "overflow chain ends early after %zu pages", index);
        }
        int rc = pager_get(txn, pgno, &page, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        const uint8_t *data = page_data(page);
        size_t used = bt_get32(data + 8);
        size_t want = value_len - offset < BT_OVERFLOW_CAPACITY ? value_len - offset
                                                                 : BT_OVERFLOW_CAPACITY;
        if (data[0] != BT_PAGE_OVERFLOW || used != want) {
            pager_unpin(page);
            return error_corrupt(err, "overflow page %u is damaged (type 0x%02x, %zu bytes)",
                                 pgno, data[0], used);
        }
        if (out != NULL) {
            memcpy(out + offset, data + BT_OVERFLOW_HEADER, used);
        }
        offset += used;
        Pgno next = bt_get32(data + 4);
        pager_unpin(page);
        if (do_free) {
            rc = pager_free(txn, pgno, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        pgno = next;
    }
    if (pgno != PGNO_NONE) {
        return error_corrupt(err, "overflow chain is longer than its value (%zu bytes)", value_len);
    }
    return STRATA_OK;
}

int bt_overflow_read(PagerTxn *txn, Pgno head, size_t value_len, uint8_t *out, Error *err)
{
    return overflow_walk(txn, head, value_len, out, false, err);
}

int bt_overflow_free(PagerTxn *txn, Pgno head, size_t value_len, Error *err)
{
    return overflow_walk(txn, head, value_len, NULL, true, err);
}

/* ---- Whole trees --------------------------------------------------------------- */

int btree_create(PagerTxn *txn, Pgno *root_out, Error *err)
{
    Page *page = NULL;
    int rc = pager_alloc(txn, &page, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t *data = NULL;
    rc = pager_write(txn, page, &data, err);
    if (rc == STRATA_OK) {
        bt_page_init(data, BT_PAGE_LEAF_COMPACT);
        *root_out = page_pgno(page);
    }
    pager_unpin(page);
    return rc;
}

int bt_free_subtree(PagerTxn *txn, Pgno pgno, int depth, bool keep_page, Error *err)
{
    if (depth > BT_DEPTH_MAX) {
        return error_corrupt(err, "btree page %u is deeper than %d levels", pgno, BT_DEPTH_MAX);
    }
    Page *page = NULL;
    const uint8_t *data = NULL;
    int rc = bt_page_get(txn, pgno, &page, &data, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int count = bt_count(data);
    bool is_leaf = bt_is_leaf(data);
    for (int index = 0; index <= count && rc == STRATA_OK; index++) {
        if (is_leaf) {
            if (index == count) {
                break;
            }
            const uint8_t *cell = bt_cell(data, index);
            BtLeafCell parsed;
            bt_leaf_parse(data, cell, &parsed);
            if (parsed.overflow) {
                rc = bt_overflow_free(txn, bt_get32(cell + parsed.header + parsed.key_len),
                                      parsed.value_len, err);
            }
        } else {
            rc = bt_free_subtree(txn, bt_child_at(data, index), depth + 1, false, err);
        }
    }
    if (rc == STRATA_OK && keep_page) {
        uint8_t *writable = NULL;
        rc = pager_write(txn, page, &writable, err);
        if (rc == STRATA_OK) {
            bt_page_init(writable, BT_PAGE_LEAF_COMPACT);
        }
    }
    pager_unpin(page);
    if (rc == STRATA_OK && !keep_page) {
        rc = pager_free(txn, pgno, err);
    }
    return rc;
}

int btree_destroy(PagerTxn *txn, Pgno root, Error *err)
{
    return bt_free_subtree(txn, root, 0, false, err);
}

int btree_clear(PagerTxn *txn, Pgno root, Error *err)
{
    return bt_free_subtree(txn, root, 0, true, err);
}
