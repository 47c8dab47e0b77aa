/*
 * storage/btree/btree_int.h - private to src/storage/btree/: the page format
 * and the helpers shared by btree_*.c. Never include from outside the folder.
 *
 * Page format (bytes [0, PAGE_USABLE_SIZE) of a pager page; integers are
 * little-endian):
 *
 *   offset size  field
 *   0      1     type: BT_PAGE_LEAF_COMPACT 0x0C (leaf, written since issue 6),
 *                BT_PAGE_LEAF 0x0B (leaf of format 1: still read, converted to
 *                0x0C when next rebuilt), BT_PAGE_INTERIOR 0x0A (0 = never valid)
 *   1      1     reserved, 0
 *   2      2     cell_count
 *   4      2     content_start: cells occupy [content_start, PAGE_USABLE_SIZE)
 *                with no gaps (pages are rewritten compactly on every change)
 *   6      2     reserved, 0
 *   8      4     right child pgno (interior), 0 (leaf)
 *   12     4     reserved, 0
 *   16     2*n   cell pointer array: u16 offset of cell i, in key order
 *   ...          free space
 *   content_start .. PAGE_USABLE_SIZE   cells
 *
 * Leaf cell (0x0C): varint key_len | varint (value_len << 1 | overflow) | key | value
 *                (LEB128 varints: 1-2 and 1-5 bytes; a 9-byte key and a 30-byte
 *                value take a 2-byte header where format 1 took 7)
 * Leaf cell (0x0B): u16 key_len | u8 flags | u32 value_len | key | value
 *                In both: overflow (0x0B: flags bit 0, BT_CELL_OVERFLOW) means
 *                instead of the value, a u32 pgno of the first overflow page
 *                holding all value_len bytes.
 * Interior cell: u16 key_len | u32 child pgno | key
 *
 * An interior page with n cells has n + 1 children: cell i's child holds the
 * keys k with key(i-1) <= k < key(i); the right child holds k >= key(n-1).
 * An interior page may have 0 cells (one child, the right one).
 *
 * Overflow page:  u8 type BT_PAGE_OVERFLOW 0x0F | 3 reserved | u32 next pgno
 *                 (0 = last) | u32 bytes used | data (BT_OVERFLOW_CAPACITY bytes)
 *
 * Invariants
 *   1. Cell pointers are inside [content_start, PAGE_USABLE_SIZE) and the cells
 *      they name tile that area exactly (checked on every read).
 *   2. Every cell is at most BT_CELL_MAX bytes, so a split of an over-full page
 *      into two always fits.
 */
#ifndef STRATA_STORAGE_BTREE_INT_H
#define STRATA_STORAGE_BTREE_INT_H

#include <string.h>

#include "storage/btree/btree.h"

enum {
    BT_PAGE_INTERIOR = 0x0A,
    BT_PAGE_LEAF = 0x0B,
    BT_PAGE_LEAF_COMPACT = 0x0C,
    BT_PAGE_OVERFLOW = 0x0F,
    BT_CELL_OVERFLOW = 0x01,
    BT_HEADER_SIZE = 16,
    BT_LEAF_CELL_HEADER = 7,     /* format 1 leaf cells; the most a compact header takes */
    BT_INTERIOR_CELL_HEADER = 6,
    BT_OVERFLOW_HEADER = 12,
    BT_OVERFLOW_CAPACITY = PAGE_USABLE_SIZE - 12,
    /* A quarter of the cell area minus a pointer: four cells always fit. */
    BT_CELL_MAX = (PAGE_USABLE_SIZE - 16) / 4 - 2,
    BT_DEPTH_MAX = 32,
    /* More cells than this cannot fit (smallest leaf cell: 7 bytes + pointer). */
    BT_CELLS_MAX = (PAGE_USABLE_SIZE - 16) / 8 + 1,
};

_Static_assert(BTREE_KEY_MAX + BT_LEAF_CELL_HEADER + 4 <= BT_CELL_MAX, "keys must fit a cell");

static inline uint16_t bt_get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t bt_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void bt_put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void bt_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline int bt_type(const uint8_t *page) { return page[0]; }
static inline bool bt_type_is_leaf(int type)
{
    return type == BT_PAGE_LEAF_COMPACT || type == BT_PAGE_LEAF;
}
static inline bool bt_is_leaf(const uint8_t *page) { return bt_type_is_leaf(page[0]); }
static inline int bt_count(const uint8_t *page) { return bt_get16(page + 2); }
static inline Pgno bt_right(const uint8_t *page) { return bt_get32(page + 8); }
static inline const uint8_t *bt_cell(const uint8_t *page, int index)
{
    return page + bt_get16(page + BT_HEADER_SIZE + 2 * index);
}

/* ---- Leaf cells ---- */

/* A leaf cell's header, parsed. */
typedef struct BtLeafCell {
    size_t header;      /* bytes before the key */
    size_t key_len;
    uint32_t value_len;
    bool overflow;
} BtLeafCell;

static inline size_t bt_varint_size(uint64_t value)
{
    size_t len = 1;
    while (value >= 0x80) {
        value >>= 7;
        len++;
    }
    return len;
}

/* Header bytes of a compact leaf cell. */
static inline size_t bt_leaf_header_size(size_t key_len, size_t value_len)
{
    return bt_varint_size(key_len) + bt_varint_size((uint64_t)value_len << 1);
}

/* Writes a compact leaf cell header; returns its size. */
static inline size_t bt_leaf_header_write(uint8_t *cell, size_t key_len, size_t value_len,
                                          bool overflow)
{
    size_t pos = 0;
    uint64_t fields[2] = {key_len, ((uint64_t)value_len << 1) | (overflow ? 1u : 0u)};
    for (int field = 0; field < 2; field++) {
        uint64_t value = fields[field];
        while (value >= 0x80) {
            cell[pos++] = (uint8_t)(value | 0x80);
            value >>= 7;
        }
        cell[pos++] = (uint8_t)value;
    }
    return pos;
}

/* Parses the header of a cell of a leaf of the given type. The page was
 * validated (bt_page_validate), so the varints end inside it. */
static inline void bt_leaf_parse_type(int type, const uint8_t *cell, BtLeafCell *out)
{
    if (type == BT_PAGE_LEAF) {
        out->key_len = bt_get16(cell);
        out->overflow = (cell[2] & BT_CELL_OVERFLOW) != 0;
        out->value_len = bt_get32(cell + 3);
        out->header = BT_LEAF_CELL_HEADER;
        return;
    }
    size_t pos = 0;
    uint64_t fields[2];
    for (int field = 0; field < 2; field++) {
        uint64_t value = 0;
        for (int shift = 0;; shift += 7) {
            uint8_t byte = cell[pos++];
            value |= (uint64_t)(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) {
                break;
            }
        }
        fields[field] = value;
    }
    out->key_len = (size_t)fields[0];
    out->overflow = (fields[1] & 1) != 0;
    out->value_len = (uint32_t)(fields[1] >> 1);
    out->header = pos;
}

static inline void bt_leaf_parse(const uint8_t *page, const uint8_t *cell, BtLeafCell *out)
{
    bt_leaf_parse_type(bt_type(page), cell, out);
}

/* Cell accessors (the page was validated, so lengths are inside the page). */
static inline size_t bt_cell_key_len(const uint8_t *cell) { return bt_get16(cell); } /* interior */
static inline const uint8_t *bt_interior_key(const uint8_t *cell)
{
    return cell + BT_INTERIOR_CELL_HEADER;
}
static inline Pgno bt_interior_child(const uint8_t *cell) { return bt_get32(cell + 2); }
static inline const uint8_t *bt_leaf_key(const uint8_t *page, const uint8_t *cell, size_t *len)
{
    BtLeafCell parsed;
    bt_leaf_parse(page, cell, &parsed);
    *len = parsed.key_len;
    return cell + parsed.header;
}
static inline bool bt_leaf_is_overflow(const uint8_t *page, const uint8_t *cell)
{
    BtLeafCell parsed;
    bt_leaf_parse(page, cell, &parsed);
    return parsed.overflow;
}
static inline uint32_t bt_leaf_value_len(const uint8_t *page, const uint8_t *cell)
{
    BtLeafCell parsed;
    bt_leaf_parse(page, cell, &parsed);
    return parsed.value_len;
}
/* The value bytes (or, when overflow, the u32 first overflow page). */
static inline const uint8_t *bt_leaf_value(const uint8_t *page, const uint8_t *cell)
{
    BtLeafCell parsed;
    bt_leaf_parse(page, cell, &parsed);
    return cell + parsed.header + parsed.key_len;
}

/* The key of cell index of a leaf or interior page. */
static inline const uint8_t *bt_key_at(const uint8_t *page, int index, size_t *len)
{
    const uint8_t *cell = bt_cell(page, index);
    if (bt_is_leaf(page)) {
        return bt_leaf_key(page, cell, len);
    }
    *len = bt_cell_key_len(cell);
    return bt_interior_key(cell);
}

/* Child pointer index of an interior page (index == count: the right child). */
static inline Pgno bt_child_at(const uint8_t *page, int index)
{
    return index == bt_count(page) ? bt_right(page) : bt_interior_child(bt_cell(page, index));
}

/* Size in bytes of a cell of a validated page. */
size_t bt_cell_size(const uint8_t *page, const uint8_t *cell);

/* Checks a leaf or interior page's header and cells (invariant 1).
 * Bad page -> STRATA_CORRUPT naming pgno. */
int bt_page_validate(const uint8_t *page, Pgno pgno, Error *err);

/* Pins pgno and validates it as a tree page. On error nothing is pinned. */
int bt_page_get(PagerTxn *txn, Pgno pgno, Page **out, const uint8_t **data, Error *err);

/* Index of the first cell whose key is >= key (lower) or > key (upper). */
int bt_lower_bound(const uint8_t *page, const uint8_t *key, size_t key_len);
int bt_upper_bound(const uint8_t *page, const uint8_t *key, size_t key_len);

/* Which child of an interior page may hold key: the number of cells whose key <= key. */
static inline int bt_child_index(const uint8_t *page, const uint8_t *key, size_t key_len)
{
    return bt_upper_bound(page, key, key_len);
}

/* The way from the root to the leaf that may hold a key (btree_search.c).
 * pgno[0] is the root, pgno[depth-1] the leaf; index[level] is the child
 * index taken at interior level `level`. rightmost: every step took the right child. */
typedef struct BtPath {
    Pgno pgno[BT_DEPTH_MAX];
    int index[BT_DEPTH_MAX];
    int depth;
    bool rightmost;
} BtPath;

int bt_descend(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, BtPath *path,
               Error *err);
/* As bt_descend, but the leaf stays pinned: *leaf and *leaf_data as from
 * bt_page_get (the caller unpins), so the caller does not fetch it again. */
int bt_descend_leaf(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, BtPath *path,
                    Page **leaf, const uint8_t **leaf_data, Error *err);

/* bt_descend_leaf for a key that is likely past the tree's last key (a run
 * of appends): each interior page is compared with its last key first. The
 * same path; only the search order differs. */
int bt_descend_leaf_append(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len,
                           BtPath *path, Page **leaf, const uint8_t **leaf_data, Error *err);

/* Builds a compact leaf cell (at most BT_CELL_MAX bytes) in cell; a value too
 * large for the page goes to a new overflow chain (btree_insert.c). */
int bt_build_leaf_cell(PagerTxn *txn, const uint8_t *key, size_t key_len, const uint8_t *value,
                       size_t value_len, uint8_t *cell, size_t *size_out, Error *err);
/* Overflow chains (btree_page.c). */
int bt_overflow_write(PagerTxn *txn, const uint8_t *value, size_t value_len, Pgno *head_out,
                      Error *err);
int bt_overflow_read(PagerTxn *txn, Pgno head, size_t value_len, uint8_t *out, Error *err);
int bt_overflow_free(PagerTxn *txn, Pgno head, size_t value_len, Error *err);
/* Pages needed for value_len bytes. */
static inline size_t bt_overflow_pages(size_t value_len)
{
    return (value_len + BT_OVERFLOW_CAPACITY - 1) / BT_OVERFLOW_CAPACITY;
}

/* Frees a whole subtree (overflow chains included); keeps the page itself when keep_page. */
int bt_free_subtree(PagerTxn *txn, Pgno pgno, int depth, bool keep_page, Error *err);

/* Writes an empty page of the given type. */
static inline void bt_page_init(uint8_t *page, int type)
{
    memset(page, 0, PAGE_USABLE_SIZE);
    page[0] = (uint8_t)type;
    bt_put16(page + 4, PAGE_USABLE_SIZE);
}

#endif
