/*
 * storage/btree/btree.h - a B+tree of byte-string keys and values on pager pages.
 *
 * Used by the row store (clustered tables: key = encoded primary key, value =
 * encoded row) and by the btree index method (key = encoded index key + row
 * id). Keys compare with memcmp, then by length (a proper prefix sorts
 * first); storage/row/keycodec.h makes SQL values memcomparable.
 *
 * Invariants
 *   1. A tree is named by its root page number, which never changes from
 *      btree_create() to btree_destroy(): a root split moves the root's
 *      contents into two new children and keeps the root page.
 *   2. Keys are unique within a tree and at most BTREE_KEY_MAX bytes (longer:
 *      SQLSTATE 54000 "index row size exceeds maximum"); values up to
 *      BTREE_VALUE_MAX bytes; values too large to sit in a page live on
 *      overflow page chains.
 *   3. Every page read is validated (type, cell offsets and sizes inside the
 *      page); a bad page is STRATA_CORRUPT naming the page, never a crash.
 *   4. Deletion is lazy: pages may be underfull; a leaf that becomes empty is
 *      freed and unlinked from its parent (cascading up); a root interior page
 *      left with one child absorbs that child. Freed pages go to the pager's
 *      freelist.
 *
 * Cursors: a cursor keeps a private copy of its current leaf and the page
 * numbers of the path above it, and holds no page pins between calls. Any
 * write to the tree (insert, delete, destroy, clear) INVALIDATES every open
 * cursor on it: reading one stays memory-safe but may return stale or
 * skipped entries. Callers that write while scanning (the executor's UPDATE
 * and DELETE) must first materialize the row ids, then write.
 *
 * Threads: everything runs on the thread of its PagerTxn. Writes need a
 * write transaction. See src/storage/btree/README.md.
 */
#ifndef STRATA_STORAGE_BTREE_H
#define STRATA_STORAGE_BTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/pager/pager.h"
#include "util/arena.h"
#include "util/error.h"

/* Longest key: about a quarter of a page, so every page holds at least four
 * cells and a split always succeeds (PostgreSQL: "index row size exceeds maximum"). */
#define BTREE_KEY_MAX 2000
/* Longest value (util/limits.h LIMIT_VALUE_BYTES). */
#define BTREE_VALUE_MAX (1024u * 1024 * 1024)

/* Creates an empty tree (one empty leaf page); *root_out is its permanent root. */
int btree_create(PagerTxn *txn, Pgno *root_out, Error *err);

/* Frees every page of the tree, the root and overflow chains included. */
int btree_destroy(PagerTxn *txn, Pgno root, Error *err);

/* Removes every entry, keeping the root page (as an empty leaf). */
int btree_clear(PagerTxn *txn, Pgno root, Error *err);

/* Source of entries for btree_build: sets *key and *value (borrowed until the
 * next call) or *done = true after the last one. */
typedef int (*BTreeBuildNext)(void *ctx, const uint8_t **key, size_t *key_len,
                              const uint8_t **value, size_t *value_len, bool *done, Error *err);

/* Fills the empty tree at root bottom-up from entries in strictly increasing
 * key order (btree_build.c): leaves 90% full, interior pages full, the root
 * page kept. A key out of order or a non-empty tree -> XX000; key too long ->
 * 54000. On error the tree holds no usable content: roll the txn back. */
int btree_build(PagerTxn *txn, Pgno root, BTreeBuildNext next, void *ctx, Error *err);

typedef enum BTreeInsertMode {
    BTREE_INSERT_NEW,     /* fail (*existed = true, nothing changed) if the key exists */
    BTREE_INSERT_UPSERT,  /* replace the value if the key exists, else insert */
} BTreeInsertMode;

/* Inserts key -> value. existed (may be NULL) tells whether the key was
 * already present. Key too long: STRATA_ERROR with SQLSTATE 54000; value
 * over BTREE_VALUE_MAX: 54000. */
int btree_insert(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len,
                 const uint8_t *value, size_t value_len, BTreeInsertMode mode, bool *existed,
                 Error *err);

/* One entry of btree_insert_run: key and value, borrowed for the call. */
typedef struct BTreeEntry {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
} BTreeEntry;

/* Inserts entries[0..count) in order with BTREE_INSERT_NEW, with the same
 * result as count btree_insert calls, and stops at the first entry whose key
 * exists: *inserted (required) is how many went in before it or an error
 * (entries[*inserted] is the existing key when STRATA_OK and *inserted <
 * count). Runs of keys that increase past every key of the tree (a hidden row
 * number, a bulk load in key order) go into the rightmost leaf with one
 * descent per leaf instead of one per entry; anything else takes btree_insert. */
int btree_insert_run(PagerTxn *txn, Pgno root, const BTreeEntry *entries, int count,
                     int *inserted, Error *err);

/* Deletes key; *found (may be NULL) tells whether it existed (missing is not an error). */
int btree_delete(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, bool *found,
                 Error *err);

/* Looks key up. *found says whether it exists; if so and value_out is not
 * NULL, the whole value is copied into arena (*value_out arena-owned). */
int btree_get(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, Arena *arena,
              const uint8_t **value_out, size_t *value_len_out, bool *found, Error *err);

/* As btree_get, and *leaf_out (may be NULL) is the leaf the key is (or would
 * be) in: a hint for btree_replace_at. */
int btree_get_leaf(PagerTxn *txn, Pgno root, const uint8_t *key, size_t key_len, Arena *arena,
                   const uint8_t **value_out, size_t *value_len_out, bool *found, Pgno *leaf_out,
                   Error *err);

/* Replaces the value of key in place in page leaf, when that page is a leaf
 * holding key with a value of exactly value_len bytes stored in the page (not
 * on overflow pages): one page access instead of a descent. Otherwise nothing
 * changes and *done is false: the caller then uses btree_insert.
 * Precondition: leaf came from btree_get_leaf on the same tree in this
 * transaction, and nothing since deleted from, cleared or destroyed the tree
 * (inserts never free a leaf, and a key is in at most one leaf, so a leaf
 * still holding key is where key lives). */
int btree_replace_at(PagerTxn *txn, Pgno leaf, const uint8_t *key, size_t key_len,
                     const uint8_t *value, size_t value_len, bool *done, Error *err);

/* memcmp order, then shorter first. */
int btree_key_compare(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

/* ---- Cursors ------------------------------------------------------------------- */

typedef struct BTreeCursor BTreeCursor;

typedef enum BTreeSeekOp {
    BTREE_SEEK_GE,  /* first key >= k */
    BTREE_SEEK_GT,  /* first key > k */
    BTREE_SEEK_LE,  /* last key <= k (for reverse scans) */
    BTREE_SEEK_LT,  /* last key < k */
} BTreeSeekOp;

/* Opens an unpositioned cursor; it lives in arena (no pins are held, so
 * btree_cursor_close is optional bookkeeping). */
int btree_cursor_open(PagerTxn *txn, Pgno root, Arena *arena, BTreeCursor **out, Error *err);
void btree_cursor_close(BTreeCursor *cursor);

/* Positioning. Afterwards btree_cursor_valid() says whether the cursor is on
 * an entry (false = ran off either end). key may be NULL with key_len 0. */
int btree_cursor_first(BTreeCursor *cursor, Error *err);
int btree_cursor_last(BTreeCursor *cursor, Error *err);
int btree_cursor_seek(BTreeCursor *cursor, const uint8_t *key, size_t key_len, BTreeSeekOp op,
                      Error *err);
/* As btree_cursor_seek(BTREE_SEEK_GE) for a key at or after the cursor's
 * current entry: searched in the current leaf when the key is not past its
 * last entry, else from the root (sorted multi-key lookups: issue 6). */
int btree_cursor_seek_ahead(BTreeCursor *cursor, const uint8_t *key, size_t key_len,
                            Error *err);
int btree_cursor_next(BTreeCursor *cursor, Error *err);
int btree_cursor_prev(BTreeCursor *cursor, Error *err);
bool btree_cursor_valid(const BTreeCursor *cursor);

/* The current key: borrowed until the cursor moves. Cursor must be valid. */
const uint8_t *btree_cursor_key(const BTreeCursor *cursor, size_t *key_len);
/* True if the current key starts with prefix. */
bool btree_cursor_key_has_prefix(const BTreeCursor *cursor, const uint8_t *prefix,
                                 size_t prefix_len);
/* Length of the current value. */
size_t btree_cursor_value_size(const BTreeCursor *cursor);
/* The current value, whole. An inline value is borrowed (until the cursor
 * moves); an overflow value is read into arena (arena-owned). */
int btree_cursor_value(BTreeCursor *cursor, Arena *arena, const uint8_t **value_out,
                       size_t *value_len_out, Error *err);

/* ---- Counting and checking ----------------------------------------------------- */

/* Estimated number of keys k with low <= k < high (low NULL = from the start,
 * high NULL = to the end), by descending to both bounds: exact when both land
 * in the same leaf, otherwise interpolated from the fan-out seen on the way. */
int btree_estimate_range(PagerTxn *txn, Pgno root, const uint8_t *low, size_t low_len,
                         const uint8_t *high, size_t high_len, uint64_t *out, Error *err);

/* Exact number of keys in [low, high) (same NULL conventions), by walking. */
int btree_count_range(PagerTxn *txn, Pgno root, const uint8_t *low, size_t low_len,
                      const uint8_t *high, size_t high_len, uint64_t *out, Error *err);

/* Estimated pages of the tree (interior and leaf, not overflow), from the
 * fan-out along the leftmost path: cheap, for the optimizer's size statistics. */
int btree_estimate_pages(PagerTxn *txn, Pgno root, uint64_t *out, Error *err);

typedef struct BTreeCheckStats {
    uint64_t key_count;
    uint64_t leaf_pages, interior_pages, overflow_pages;
    int depth;                  /* 1 = the root is a leaf */
} BTreeCheckStats;

/* Integrity check of the whole tree: page types and layouts, key order within
 * and across pages, parent/child key bounds, equal leaf depth, overflow chains,
 * no page reachable twice. First problem -> STRATA_CORRUPT naming the page.
 * stats may be NULL. */
int btree_check(PagerTxn *txn, Pgno root, BTreeCheckStats *stats, Error *err);

#endif
