/*
 * storage/row/row_int.h - private to src/storage/row/: key ranges as byte
 * bounds, and formatting keys for error details. Never include from outside.
 */
#ifndef STRATA_STORAGE_ROW_INT_H
#define STRATA_STORAGE_ROW_INT_H

#include "storage/btree/btree.h"
#include "storage/row/keycodec.h"
#include "storage/row/row_am.h"

/* A KeyRange turned into encoded bounds: keys k with low <= k < high. */
typedef struct KeyBounds {
    const uint8_t *low;      /* inclusive; never NULL */
    size_t low_len;
    const uint8_t *high;     /* exclusive; NULL = unbounded */
    size_t high_len;
    bool is_empty;           /* nothing can match */
} KeyBounds;

/* Encodes range (NULL = everything) over the leading key columns with their
 * directions (descending may be NULL). floor is the smallest key the scan may
 * return (skips private entries). Bounds live in arena. */
int row_bounds_make(Arena *arena, const KeyRange *range, const bool *descending,
                    const uint8_t *floor, size_t floor_len, KeyBounds *out, Error *err);

/* Positions cursor on the first entry within bounds in scan order. */
int row_bounds_start(BTreeCursor *cursor, const KeyBounds *bounds, bool reverse, Error *err);

/* True while the cursor's current key is within bounds (cursor must be valid). A
 * forward scan (reverse false) started at the low bound checks only the high one. */
bool row_bounds_contain(const KeyBounds *bounds, const BTreeCursor *cursor, bool reverse);

/* "(v1, v2)": values formatted for a 23505 detail (arena string). */
const char *row_format_values(Arena *arena, const Value *values, int count);

/* "a, b": names joined (arena string); "?" for missing names. */
const char *row_format_names(Arena *arena, const char *const *names, int count);

/* ---- Sorted runs of index entries in a temporary file (row_index_runs.c) ----
 * An index build that outgrows memory writes each sorted run with
 * index_runs_add (entries in increasing key order) + index_runs_end_run, then
 * index_runs_merge_begin and index_runs_next (a BTreeBuildNext over runs)
 * give every entry of every run in key order. Errors: 53100, 58030, 53200. */
typedef struct IndexRuns IndexRuns;
int index_runs_open(IndexRuns **out, Error *err);
int index_runs_add(IndexRuns *runs, const uint8_t *key, size_t key_len, const uint8_t *value,
                   size_t value_len, Error *err);
int index_runs_end_run(IndexRuns *runs, Error *err);
int index_runs_count(const IndexRuns *runs);
int index_runs_merge_begin(IndexRuns *runs, Error *err);
int index_runs_next(void *ctx, const uint8_t **key, size_t *key_len, const uint8_t **value,
                    size_t *value_len, bool *done, Error *err);
/* Closes the file and frees everything (runs may be NULL). */
void index_runs_close(IndexRuns *runs);

/* ---- Format 2 of the btree index: packed blocks (row_index_packed.c) ----
 * Non-unique indexes without INCLUDE columns keep blocks of entries: B+tree
 * key = the block's first entry, value = the others coded against their
 * predecessor. A format-2 index's IndexDesc.storage_root carries
 * INDEX_FORMAT_PACKED in its high 32 bits (format 1 indexes: 0). */
#define INDEX_FORMAT_PACKED (UINT64_C(1) << 32)

/* Entries of one block, materialized (entry = key part + row id). */
typedef struct PackedBlock {
    Arena *arena;            /* where the arrays grow */
    uint8_t *bytes;          /* entries, one after another */
    uint32_t *offsets;       /* count + 1 offsets into bytes */
    uint16_t *key_lens;      /* per entry: bytes of the key part (row id follows) */
    int count;
    size_t entry_capacity, byte_capacity;
    size_t coded_bytes;      /* the B+tree value's length when decoded */
} PackedBlock;

static inline const uint8_t *packed_block_entry(const PackedBlock *block, int at, size_t *len)
{
    *len = block->offsets[at + 1] - block->offsets[at];
    return block->bytes + block->offsets[at];
}

void packed_block_init(PackedBlock *block, Arena *arena);
void packed_block_clear(PackedBlock *block);
int packed_block_append(PackedBlock *block, const uint8_t *entry, size_t entry_len,
                        size_t key_len, Error *err);
int packed_block_lower_bound(const PackedBlock *block, const uint8_t *key, size_t key_len);
/* Coded bytes of entry at (> 0) after entry at - 1. */
size_t packed_entry_size(const PackedBlock *block, int at);
/* Coded bytes of entry at after entry prev_at (not necessarily adjacent). */
size_t packed_pair_size(const PackedBlock *block, int prev_at, int at);
/* B+tree value of entries [from, to) (the first is the B+tree key), in arena. */
int packed_encode(const PackedBlock *block, int from, int to, Arena *arena, uint8_t **value_out,
                  size_t *value_len_out, Error *err);
/* Decodes (and validates) a block: first entry (its key part first_key_len
 * bytes) + value. Bad bytes -> STRATA_CORRUPT. */
int packed_decode(const uint8_t *first, size_t first_len, size_t first_key_len,
                  const uint8_t *value, size_t value_len, PackedBlock *block, Error *err);
/* Decodes the block under a valid B+tree cursor (overflow values read into arena). */
int packed_decode_cursor(BTreeCursor *cursor, const IndexDesc *desc, Arena *arena,
                         PackedBlock *block, Error *err);
/* Adds entry (key part key_len bytes; an existing equal entry is left alone)
 * and removes one (*found false when missing); scratch memory from arena. */
int packed_insert(PagerTxn *txn, Pgno root, const IndexDesc *desc, const uint8_t *entry,
                  size_t entry_len, size_t key_len, Arena *arena, Error *err);
int packed_delete(PagerTxn *txn, Pgno root, const IndexDesc *desc, const uint8_t *entry,
                  size_t entry_len, Arena *arena, bool *found, Error *err);
/* Entries in bounds: exact over the first few blocks, then extrapolated. */
int packed_estimate(PagerTxn *txn, Pgno root, const IndexDesc *desc, const KeyBounds *bounds,
                    uint64_t *out, Error *err);
/* Most value bytes of a block (a test knob may lower it). */
size_t packed_block_limit(void);

/* A BTreeBuildNext turning sorted entries (source) into blocks. */
typedef struct PackedPacker {
    BTreeBuildNext source;
    void *source_ctx;
    /* Or NULL: the key part's length (the entry less its row id) of the entry
     * source gave last; without it the packer decodes the key to find it. */
    size_t (*source_key_part)(void *source_ctx);
    const IndexDesc *desc;
    PackedBlock block;       /* pending entries (its arena lives for the build) */
    Arena *out_arena;        /* the block handed out last (reset on each call) */
    bool source_done;
} PackedPacker;
int packed_packer_next(void *ctx, const uint8_t **key, size_t *key_len, const uint8_t **value,
                       size_t *value_len, bool *done, Error *err);

#endif
