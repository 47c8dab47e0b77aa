/*
 * storage/row/row_index.c - the "btree" index method: entries keycodec(key
 * columns, per-column direction) + row id -> rowcodec(INCLUDE columns).
 *
 * Invariants
 *   1. Entry keys are unique: the row id suffix tells equal index keys apart.
 *   2. In a unique index, at most one entry per key-column tuple whose values
 *      are all non-NULL (NULLs never conflict, PostgreSQL's NULLS DISTINCT).
 *
 * Ranges (KeyRange) are prefixes of the key columns in index order: for a
 * DESC column "low" is the larger value (see docs/tam.md).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/row/row_int.h"
#include "storage/row/rowcodec.h"
#include "util/mem.h"

static const uint8_t INDEX_KEY_FLOOR[1] = {0x01};

static Pgno index_root(const IndexDesc *desc) { return (Pgno)(desc->storage_root & 0xFFFFFFFFu); }

/* Format 2 (packed blocks, row_index_packed.c): non-unique indexes without
 * INCLUDE columns created since issue 6. Older ones stay format 1. */
static bool index_is_packed(const IndexDesc *desc)
{
    return (desc->storage_root & INDEX_FORMAT_PACKED) != 0;
}

static int index_create(PagerTxn *txn, IndexDesc *desc, Error *err)
{
    Pgno root = PGNO_NONE;
    int rc = btree_create(txn, &root, err);
    if (rc == STRATA_OK) {
        desc->storage_root = root;
        if (!desc->unique && desc->include_count == 0) {
            desc->storage_root |= INDEX_FORMAT_PACKED;
        }
    }
    return rc;
}

static int index_drop(PagerTxn *txn, const IndexDesc *desc, Error *err)
{
    return btree_destroy(txn, index_root(desc), err);
}

static int index_truncate(PagerTxn *txn, const IndexDesc *desc, Error *err)
{
    return btree_clear(txn, index_root(desc), err);
}

/* Values typed as the index declares them. */
static Value *typed_keys(Arena *arena, const IndexDesc *desc, const Value *keys)
{
    Value *typed = arena_alloc(arena, sizeof(Value) * (size_t)(desc->key_count + 1));
    if (typed != NULL) {
        for (int col = 0; col < desc->key_count; col++) {
            typed[col] = keys[col];
            typed[col].type = desc->key_types[col];
        }
    }
    return typed;
}

static int unique_violation(Arena *arena, const IndexDesc *desc, const Value *keys, Error *err)
{
    error_set(err, SQLSTATE_UNIQUE_VIOLATION,
              "duplicate key value violates unique constraint \"%s\"", desc->name);
    error_detail(err, "Key (%s)=%s already exists.",
                 row_format_names(arena, desc->key_names, desc->key_count),
                 row_format_values(arena, keys, desc->key_count));
    snprintf(err->constraint_name, sizeof err->constraint_name, "%s", desc->name);
    return err->code;
}

/* Does an entry with exactly these key columns exist? */
static int key_exists(PagerTxn *txn, const IndexDesc *desc, Arena *arena, const uint8_t *prefix,
                      size_t prefix_len, bool *exists, Error *err)
{
    BTreeCursor *cursor = NULL;
    int rc = btree_cursor_open(txn, index_root(desc), arena, &cursor, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_seek(cursor, prefix, prefix_len, BTREE_SEEK_GE, err);
    }
    *exists = rc == STRATA_OK && btree_cursor_valid(cursor) &&
              btree_cursor_key_has_prefix(cursor, prefix, prefix_len);
    return rc;
}

static int index_insert(PagerTxn *txn, const IndexDesc *desc, const Value *keys,
                        const Value *includes, StrRef row_id, Error *err)
{
    Arena *arena = arena_create(NULL, 0, "index insert");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    Value *typed = typed_keys(arena, desc, keys);
    uint8_t *key = NULL, *value = NULL;
    size_t key_len = 0, value_len = 0, prefix_len = 0;
    int rc = typed != NULL ? keycodec_encode(arena, typed, desc->key_descending, desc->key_count,
                                             (const uint8_t *)row_id.ptr, row_id.len, &key,
                                             &key_len, err)
                           : arena_error(arena, err);
    prefix_len = key_len - row_id.len;
    if (rc == STRATA_OK && key_len > BTREE_KEY_MAX) {
        rc = error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                       "index row size %zu exceeds maximum %d for index \"%s\"", key_len,
                       BTREE_KEY_MAX, desc->name);
    }
    if (rc == STRATA_OK && desc->unique) {
        bool has_null = false;
        for (int col = 0; col < desc->key_count; col++) {
            has_null = has_null || keys[col].is_null;
        }
        bool exists = false;
        if (!has_null) {
            rc = key_exists(txn, desc, arena, key, prefix_len, &exists, err);
        }
        if (rc == STRATA_OK && exists) {
            rc = unique_violation(arena, desc, typed, err);
        }
    }
    if (rc == STRATA_OK && desc->include_count > 0) {
        Value *typed_includes = arena_alloc(arena, sizeof(Value) * (size_t)desc->include_count);
        if (typed_includes == NULL) {
            rc = arena_error(arena, err);
        } else {
            for (int col = 0; col < desc->include_count; col++) {
                typed_includes[col] = includes[col];
                typed_includes[col].type = desc->include_types[col];
            }
            rc = rowcodec_encode(arena, typed_includes, desc->include_count, &value, &value_len,
                                 err);
        }
    }
    bool existed = false;
    if (rc == STRATA_OK && index_is_packed(desc)) {
        rc = packed_insert(txn, index_root(desc), desc, key, key_len, prefix_len, arena, err);
    } else if (rc == STRATA_OK) {
        rc = btree_insert(txn, index_root(desc), key, key_len, value, value_len,
                          BTREE_INSERT_UPSERT, &existed, err);
    }
    arena_destroy(arena);
    return rc;
}

static int index_delete_entry(PagerTxn *txn, const IndexDesc *desc, const Value *keys,
                              StrRef row_id, Error *err)
{
    Arena *arena = arena_create(NULL, 0, "index delete");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    Value *typed = typed_keys(arena, desc, keys);
    uint8_t *key = NULL;
    size_t key_len = 0;
    int rc = typed != NULL ? keycodec_encode(arena, typed, desc->key_descending, desc->key_count,
                                             (const uint8_t *)row_id.ptr, row_id.len, &key,
                                             &key_len, err)
                           : arena_error(arena, err);
    bool found = false;
    if (rc == STRATA_OK && index_is_packed(desc)) {
        rc = packed_delete(txn, index_root(desc), desc, key, key_len, arena, &found, err);
    } else if (rc == STRATA_OK) {
        rc = btree_delete(txn, index_root(desc), key, key_len, &found, err);
    }
    if (rc == STRATA_OK && !found) {
        rc = error_set(err, SQLSTATE_INDEX_CORRUPTED,
                       "index \"%s\" has no entry for the row being removed", desc->name);
    }
    arena_destroy(arena);
    return rc;
}

/* ---- Scans --------------------------------------------------------------------- */

struct IndexScan {
    PagerTxn *txn;
    const IndexDesc *desc;
    KeyBounds bounds;
    BTreeCursor *cursor;
    bool reverse;
    bool started;
    Value *values;       /* key_count + include_count */
    int *include_columns;
    Arena *scratch;
    /* Format 2: the cursor's block, decoded, and the position in it. */
    bool packed;
    bool on_entry;       /* block/pos name an entry */
    PackedBlock block;
    int pos;
    uint8_t *boundary;   /* BTREE_KEY_MAX bytes: the entry next to the block left */
};

static int index_scan_begin(PagerTxn *txn, const IndexDesc *desc, const KeyRange *range,
                            bool reverse, Arena *arena, IndexScan **out, Error *err)
{
    IndexScan *scan = arena_zalloc(arena, sizeof *scan);
    if (scan == NULL) {
        return arena_error(arena, err);
    }
    int value_count = desc->key_count + desc->include_count;
    scan->txn = txn;
    scan->desc = desc;
    scan->reverse = reverse;
    scan->values = arena_alloc(arena, sizeof(Value) * (size_t)(value_count + 1));
    scan->include_columns = arena_alloc(arena, sizeof(int) * (size_t)(desc->include_count + 1));
    scan->scratch = arena_create(arena, 0, "index scan");
    if (scan->values == NULL || scan->include_columns == NULL || scan->scratch == NULL) {
        return arena_error(arena, err);
    }
    for (int col = 0; col < desc->include_count; col++) {
        scan->include_columns[col] = col;
    }
    int rc = row_bounds_make(arena, range, desc->key_descending, INDEX_KEY_FLOOR, 1, &scan->bounds,
                             err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_open(txn, index_root(desc), arena, &scan->cursor, err);
    }
    if (rc == STRATA_OK && index_is_packed(desc)) {
        scan->packed = true;
        packed_block_init(&scan->block, arena);
        scan->boundary = arena_alloc(arena, BTREE_KEY_MAX);
        if (scan->boundary == NULL) {
            rc = arena_error(arena, err);
        }
    }
    if (rc == STRATA_OK) {
        *out = scan;
    }
    return rc;
}

/* Decodes an entry (key = keycodec + row id) into row `row` of out. */
static int emit_entry(IndexScan *scan, const uint8_t *key, size_t key_len, Batch *out, Error *err)
{
    const IndexDesc *desc = scan->desc;
    size_t consumed = 0;
    int rc = keycodec_decode(key, key_len, desc->key_types, desc->key_descending, desc->key_count,
                             scan->scratch, scan->values, &consumed, err);
    if (rc == STRATA_OK && desc->include_count > 0) {
        const uint8_t *value;
        size_t value_len;
        rc = btree_cursor_value(scan->cursor, scan->scratch, &value, &value_len, err);
        if (rc == STRATA_OK) {
            rc = rowcodec_decode(value, value_len, desc->include_types, desc->include_count,
                                 scan->include_columns, desc->include_count,
                                 scan->values + desc->key_count, err);
        }
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    int row = out->row_count;
    int value_count = desc->key_count + desc->include_count;
    for (int col = 0; col < value_count; col++) {
        if (!batch_set_value(out, col, row, &scan->values[col])) {
            return arena_error(out->arena, err);
        }
    }
    Value id = value_str(TYPE_BYTEA, (const char *)key + consumed, (uint32_t)(key_len - consumed));
    if (!batch_set_value(out, value_count, row, &id)) {
        return arena_error(out->arena, err);
    }
    out->row_count++;
    return STRATA_OK;
}

/* ---- Format 2 scans: entries of decoded blocks ---- */

static int packed_load(IndexScan *scan, Error *err)
{
    return packed_decode_cursor(scan->cursor, scan->desc, scan->scratch, &scan->block, err);
}

/* Moves to the next entry in scan order, decoding the next block when the
 * current one is done; blocks must continue the order (strata check reads
 * every index through a scan). */
static int packed_step(IndexScan *scan, Error *err)
{
    scan->pos += scan->reverse ? -1 : 1;
    if (scan->pos >= 0 && scan->pos < scan->block.count) {
        return STRATA_OK;
    }
    size_t boundary_len;
    const uint8_t *edge = packed_block_entry(&scan->block, scan->reverse ? 0 : scan->block.count - 1,
                                             &boundary_len);
    memcpy(scan->boundary, edge, boundary_len);
    int rc = scan->reverse ? btree_cursor_prev(scan->cursor, err)
                           : btree_cursor_next(scan->cursor, err);
    scan->on_entry = rc == STRATA_OK && btree_cursor_valid(scan->cursor);
    if (!scan->on_entry) {
        return rc;
    }
    rc = packed_load(scan, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    scan->pos = scan->reverse ? scan->block.count - 1 : 0;
    size_t len;
    const uint8_t *next = packed_block_entry(&scan->block, scan->pos, &len);
    int order = btree_key_compare(scan->boundary, boundary_len, next, len);
    if (scan->reverse ? order <= 0 : order >= 0) {
        return error_corrupt(err, "index \"%s\" has blocks out of order", scan->desc->name);
    }
    return STRATA_OK;
}

static int packed_start(IndexScan *scan, Error *err)
{
    const KeyBounds *bounds = &scan->bounds;
    scan->on_entry = false;
    if (bounds->is_empty) {
        return STRATA_OK;
    }
    int rc;
    if (!scan->reverse) {
        rc = btree_cursor_seek(scan->cursor, bounds->low, bounds->low_len, BTREE_SEEK_LE, err);
        if (rc == STRATA_OK && !btree_cursor_valid(scan->cursor)) {
            rc = btree_cursor_first(scan->cursor, err);
        }
    } else if (bounds->high != NULL) {
        rc = btree_cursor_seek(scan->cursor, bounds->high, bounds->high_len, BTREE_SEEK_LT, err);
    } else {
        rc = btree_cursor_last(scan->cursor, err);
    }
    if (rc != STRATA_OK || !btree_cursor_valid(scan->cursor)) {
        return rc;
    }
    rc = packed_load(scan, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    scan->on_entry = true;
    if (!scan->reverse) {
        scan->pos = packed_block_lower_bound(&scan->block, bounds->low, bounds->low_len) - 1;
    } else {
        scan->pos = bounds->high != NULL
                        ? packed_block_lower_bound(&scan->block, bounds->high, bounds->high_len)
                        : scan->block.count;
    }
    return packed_step(scan, err);
}

static bool packed_contains(const IndexScan *scan, const uint8_t *key, size_t len)
{
    const KeyBounds *bounds = &scan->bounds;
    if (scan->reverse && btree_key_compare(key, len, bounds->low, bounds->low_len) < 0) {
        return false;
    }
    return bounds->high == NULL || btree_key_compare(key, len, bounds->high, bounds->high_len) < 0;
}

static int packed_scan_next(IndexScan *scan, Batch *out, Error *err)
{
    int rc = STRATA_OK;
    if (!scan->started) {
        scan->started = true;
        rc = packed_start(scan, err);
    }
    while (rc == STRATA_OK && out->row_count < out->capacity && scan->on_entry) {
        size_t len;
        const uint8_t *entry = packed_block_entry(&scan->block, scan->pos, &len);
        if (!packed_contains(scan, entry, len)) {
            scan->on_entry = false;
            break;
        }
        rc = emit_entry(scan, entry, len, out, err);
        if (rc == STRATA_OK) {
            rc = packed_step(scan, err);
        }
    }
    return rc;
}

static int index_scan_next(IndexScan *scan, Batch *out, Error *err)
{
    batch_reset(out);
    arena_reset(scan->scratch);
    if (scan->packed) {
        /* The block's arrays live in the scan's arena; scratch only holds
         * decoded strings and overflow values. */
        return packed_scan_next(scan, out, err);
    }
    int rc = STRATA_OK;
    if (!scan->started) {
        scan->started = true;
        rc = row_bounds_start(scan->cursor, &scan->bounds, scan->reverse, err);
    }
    while (rc == STRATA_OK && out->row_count < out->capacity && btree_cursor_valid(scan->cursor) &&
           row_bounds_contain(&scan->bounds, scan->cursor, scan->reverse)) {
        size_t key_len;
        const uint8_t *key = btree_cursor_key(scan->cursor, &key_len);
        rc = emit_entry(scan, key, key_len, out, err);
        if (rc == STRATA_OK) {
            rc = scan->reverse ? btree_cursor_prev(scan->cursor, err)
                               : btree_cursor_next(scan->cursor, err);
        }
    }
    return rc;
}

static void index_scan_end(IndexScan *scan)
{
    if (scan != NULL) {
        btree_cursor_close(scan->cursor);
    }
}

static int index_estimate(PagerTxn *txn, const IndexDesc *desc, const KeyRange *range,
                          uint64_t *out, Error *err)
{
    Arena *arena = arena_create(NULL, 0, "index estimate");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    KeyBounds bounds;
    int rc = row_bounds_make(arena, range, desc->key_descending, INDEX_KEY_FLOOR, 1, &bounds, err);
    *out = 0;
    if (rc == STRATA_OK && !bounds.is_empty && index_is_packed(desc)) {
        rc = packed_estimate(txn, index_root(desc), desc, &bounds, out, err);
    } else if (rc == STRATA_OK && !bounds.is_empty) {
        rc = btree_estimate_range(txn, index_root(desc), bounds.low, bounds.low_len, bounds.high,
                                  bounds.high_len, out, err);
    }
    arena_destroy(arena);
    return rc;
}

/* The key codec decodes every type but the lossy ones (keycodec.h) exactly. */
static bool index_can_return(const IndexDesc *desc, int key)
{
    return key >= 0 && key < desc->key_count && keycodec_is_lossless(desc->key_types[key].id);
}

/* ---- CREATE INDEX: sort, then build bottom-up --------------------------------------- */

/* Bytes of encoded entries buffered before a sorted run is written: about
 * 1.6 million entries of a one-integer index. */
enum { INDEX_BUILD_BYTES_MAX = 64 << 20 };

static size_t build_bytes_max = INDEX_BUILD_BYTES_MAX;

void btree_index_set_build_bytes(size_t bytes)
{
    build_bytes_max = bytes > 0 ? bytes : INDEX_BUILD_BYTES_MAX;
}

typedef struct BuildEntry {
    uint64_t prefix[2]; /* the key's first 16 bytes as two big-endian words,
                         * zero-padded: most comparisons end here */
    const uint8_t *key, *value;
    uint16_t key_len;   /* at most BTREE_KEY_MAX */
    uint16_t key_part;  /* the key's length less the row id's */
    uint32_t value_len;
} BuildEntry;
_Static_assert(BTREE_KEY_MAX <= UINT16_MAX, "BuildEntry key lengths are 16 bits");

struct IndexBuild {
    PagerTxn *txn;
    const IndexDesc *desc;
    Arena *arena;          /* the buffered entries' bytes */
    BuildEntry *entries;
    size_t count, capacity, bytes;
    bool tree_is_empty;    /* the next run may be built bottom-up */
    int workers;           /* extra threads for sorting a run (build_begin) */
    size_t split;          /* entries[0, split) and [split, count) are each sorted */
    size_t next, next_high; /* the merge's positions in the two halves */
    const BuildEntry *taken; /* the entry build_next gave last */
    IndexRuns *runs;       /* sorted runs spilled so far (empty tree only), or NULL */
    Arena *pack_arena;     /* format 2: the packer's blocks, and inserts' scratch */
};

/* btree_build over sorted entries from source; format 2 packs them into blocks.
 * key_part: source's, or NULL (PackedPacker). */
static int build_tree(IndexBuild *b, BTreeBuildNext source, void *source_ctx,
                      size_t (*key_part)(void *source_ctx), Error *err)
{
    if (!index_is_packed(b->desc)) {
        return btree_build(b->txn, index_root(b->desc), source, source_ctx, err);
    }
    arena_reset(b->pack_arena);
    PackedPacker packer = {.source = source, .source_ctx = source_ctx,
                           .source_key_part = key_part, .desc = b->desc};
    packed_block_init(&packer.block, b->pack_arena);
    packer.out_arena = arena_create(b->pack_arena, 0, "index blocks");
    if (packer.out_arena == NULL) {
        return arena_error(b->pack_arena, err);
    }
    return btree_build(b->txn, index_root(b->desc), packed_packer_next, &packer, err);
}

/* One entry into a tree that was not empty. */
static int build_insert(IndexBuild *b, const BuildEntry *entry, Error *err)
{
    if (!index_is_packed(b->desc)) {
        return btree_insert(b->txn, index_root(b->desc), entry->key, entry->key_len, entry->value,
                            entry->value_len, BTREE_INSERT_UPSERT, NULL, err);
    }
    size_t key_part = 0;
    arena_reset(b->pack_arena);
    int rc = keycodec_skip(entry->key, entry->key_len, b->desc->key_types,
                           b->desc->key_descending, b->desc->key_count, &key_part, err);
    if (rc == STRATA_OK) {
        rc = packed_insert(b->txn, index_root(b->desc), b->desc, entry->key, entry->key_len,
                           key_part, b->pack_arena, err);
    }
    return rc;
}

static int index_build_begin(PagerTxn *txn, const IndexDesc *desc, int workers,
                             IndexBuild **out, Error *err)
{
    IndexBuild *b = mem_zalloc(sizeof *b);
    Arena *arena = arena_create(NULL, 0, "index build");
    Arena *pack_arena = arena_create(NULL, 0, "index build blocks");
    BTreeCursor *cursor = NULL;
    int rc = b == NULL || arena == NULL || pack_arena == NULL
                 ? error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory")
                                        : btree_cursor_open(txn, index_root(desc), arena, &cursor,
                                                            err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_first(cursor, err);
    }
    if (rc != STRATA_OK) {
        arena_destroy(arena);
        arena_destroy(pack_arena);
        mem_free(b);
        return rc;
    }
    b->tree_is_empty = !btree_cursor_valid(cursor);
    btree_cursor_close(cursor);
    arena_reset(arena);
    b->txn = txn;
    b->desc = desc;
    b->workers = workers;
    b->arena = arena;
    b->pack_arena = pack_arena;
    *out = b;
    return STRATA_OK;
}

static int build_entry_compare(const void *a, const void *b)
{
    const BuildEntry *x = a, *y = b;
    for (int word = 0; word < 2; word++) {
        if (x->prefix[word] != y->prefix[word]) {
            return x->prefix[word] < y->prefix[word] ? -1 : 1;
        }
    }
    return btree_key_compare(x->key, x->key_len, y->key, y->key_len);
}

/* The next entry in key order, merging the run's two sorted halves (keys are
 * unique: they end in the row id), or NULL after the last. */
static const BuildEntry *build_take(IndexBuild *b)
{
    bool low = b->next < b->split, high = b->next_high < b->count;
    if (low && high) {
        low = build_entry_compare(&b->entries[b->next], &b->entries[b->next_high]) < 0;
    }
    if (low) {
        return &b->entries[b->next++];
    }
    return high ? &b->entries[b->next_high++] : NULL;
}

static int build_next(void *ctx, const uint8_t **key, size_t *key_len, const uint8_t **value,
                      size_t *value_len, bool *done, Error *err)
{
    IndexBuild *b = ctx;
    const BuildEntry *entry = build_take(b);
    b->taken = entry;
    *done = entry == NULL;
    if (!*done) {
        *key = entry->key;
        *key_len = entry->key_len;
        *value = entry->value;
        *value_len = entry->value_len;
    }
    return STRATA_OK;
}

static size_t build_key_part(void *ctx)
{
    const IndexBuild *b = ctx;
    return b->taken->key_part;
}

/* Sorts entries by key: an LSD radix sort on the 16-byte prefix (16-bit
 * digits, least significant first, a pass skipped when every entry has the
 * same digit), then qsort of each run of equal prefixes. glibc's qsort alone was a third of a
 * one-integer CREATE INDEX (a merge sort moving 32-byte entries through an
 * indirect comparison). Small runs, or no memory for the scratch arrays: qsort. */
static void sort_entries(BuildEntry *entries, size_t count)
{
    enum { DIGIT_BITS = 16, BUCKETS = 1 << DIGIT_BITS, RADIX_MIN = 4096 };
    if (count < 2) {
        return;
    }
    BuildEntry *scratch = count >= RADIX_MIN ? mem_alloc(count * sizeof(BuildEntry)) : NULL;
    size_t *buckets = scratch != NULL ? mem_alloc(BUCKETS * sizeof(size_t)) : NULL;
    if (buckets == NULL) {
        mem_free(scratch);
        qsort(entries, count, sizeof(BuildEntry), build_entry_compare);
        return;
    }
    BuildEntry *src = entries, *dst = scratch;
    for (int pass = 0; pass < 128 / DIGIT_BITS; pass++) {
        int word = 1 - pass / (64 / DIGIT_BITS);
        int shift = (pass % (64 / DIGIT_BITS)) * DIGIT_BITS;
        memset(buckets, 0, BUCKETS * sizeof(size_t));
        for (size_t at = 0; at < count; at++) {
            buckets[(src[at].prefix[word] >> shift) & (BUCKETS - 1)]++;
        }
        if (buckets[(src[0].prefix[word] >> shift) & (BUCKETS - 1)] == count) {
            continue;
        }
        size_t offset = 0;
        for (size_t digit = 0; digit < BUCKETS; digit++) {
            size_t n = buckets[digit];
            buckets[digit] = offset;
            offset += n;
        }
        for (size_t at = 0; at < count; at++) {
            dst[buckets[(src[at].prefix[word] >> shift) & (BUCKETS - 1)]++] = src[at];
        }
        BuildEntry *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != entries) {
        memcpy(entries, src, count * sizeof(BuildEntry));
    }
    mem_free(buckets);
    mem_free(scratch);
    for (size_t start = 0; start < count;) {
        size_t end = start + 1;
        while (end < count && entries[end].prefix[0] == entries[start].prefix[0] &&
               entries[end].prefix[1] == entries[start].prefix[1]) {
            end++;
        }
        if (end - start > 1) {
            qsort(entries + start, end - start, sizeof(BuildEntry), build_entry_compare);
        }
        start = end;
    }
}

/* Runs of at least this many entries are sorted in two halves, the second in
 * a thread of its own, when the build has a worker; the halves are merged as
 * the run is written (build_take). */
enum { INDEX_BUILD_PARALLEL_MIN = 1 << 16 };

static size_t parallel_min = INDEX_BUILD_PARALLEL_MIN;

void btree_index_set_build_parallel_min(size_t count)
{
    parallel_min = count > 0 ? count : INDEX_BUILD_PARALLEL_MIN;
}

typedef struct SortHalf {
    BuildEntry *entries;
    size_t count;
} SortHalf;

static void *sort_half_main(void *arg)
{
    SortHalf *half = arg;
    sort_entries(half->entries, half->count);
    return NULL;
}

/* Sorts the buffered run: whole, or its halves side by side (no thread to be
 * had: one after the other). Sets the merge's positions. */
static void sort_run(IndexBuild *b)
{
    b->split = b->count;
    if (b->workers > 0 && b->count >= parallel_min && b->count >= 2) {
        b->split = b->count / 2;
        SortHalf high = {b->entries + b->split, b->count - b->split};
        pthread_t thread;
        bool started = pthread_create(&thread, NULL, sort_half_main, &high) == 0;
        sort_entries(b->entries, b->split);
        if (started) {
            pthread_join(thread, NULL);
        } else {
            sort_entries(high.entries, high.count);
        }
    } else {
        sort_entries(b->entries, b->count);
    }
    b->next = 0;
    b->next_high = b->split;
}

/* Writes the sorted buffered run to the temporary file; at the end, merges
 * every run into one bottom-up build. */
static int spill_run(IndexBuild *b, bool last, Error *err)
{
    int rc = b->runs == NULL ? index_runs_open(&b->runs, err) : STRATA_OK;
    for (const BuildEntry *entry = build_take(b); entry != NULL && rc == STRATA_OK;
         entry = build_take(b)) {
        rc = index_runs_add(b->runs, entry->key, entry->key_len, entry->value, entry->value_len,
                            err);
    }
    if (rc == STRATA_OK) {
        rc = index_runs_end_run(b->runs, err);
    }
    if (rc == STRATA_OK && last) {
        rc = index_runs_merge_begin(b->runs, err);
        if (rc == STRATA_OK) {
            rc = build_tree(b, index_runs_next, b->runs, NULL, err);
        }
        b->tree_is_empty = false;
    }
    return rc;
}

/* Sorts the buffered run and writes it: into an empty tree bottom-up (a run
 * that is not the last goes to the temporary file, and the runs are merged
 * into one build at the end: inserting a later run into the built tree split
 * its leaves in halves), else by insertion in key order (each insert then
 * finds its leaf cached). */
static int build_flush(IndexBuild *b, bool last, Error *err)
{
    sort_run(b);
    int rc = STRATA_OK;
    if (b->tree_is_empty && (!last || b->runs != NULL)) {
        rc = spill_run(b, last, err);
    } else if (b->tree_is_empty && b->count > 0) {
        rc = build_tree(b, build_next, b, build_key_part, err);
        b->tree_is_empty = false;
    } else {
        for (const BuildEntry *entry = build_take(b); entry != NULL && rc == STRATA_OK;
             entry = build_take(b)) {
            rc = build_insert(b, entry, err);
        }
    }
    b->count = 0;
    b->bytes = 0;
    arena_reset(b->arena);
    return rc;
}

/* Eight bytes as a big-endian word: comparing words compares the bytes. */
static inline uint64_t load_be64(const uint8_t *bytes)
{
    uint64_t word;
    memcpy(&word, bytes, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(word);
#else
    return word;
#endif
}

static int index_build_add(IndexBuild *b, const Value *keys, const Value *includes, StrRef row_id,
                           Error *err)
{
    const IndexDesc *desc = b->desc;
    Value typed[64];
    if (desc->key_count > 64 || desc->include_count > 64) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "index has too many columns");
    }
    for (int col = 0; col < desc->key_count; col++) {
        typed[col] = keys[col];
        typed[col].type = desc->key_types[col];
    }
    uint8_t *key = NULL, *value = NULL;
    size_t key_len = 0, value_len = 0;
    int rc = keycodec_encode(b->arena, typed, desc->key_descending, desc->key_count,
                             (const uint8_t *)row_id.ptr, row_id.len, &key, &key_len, err);
    if (rc == STRATA_OK && key_len > BTREE_KEY_MAX) {
        rc = error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                       "index row size %zu exceeds maximum %d for index \"%s\"", key_len,
                       BTREE_KEY_MAX, desc->name);
    }
    if (rc == STRATA_OK && desc->include_count > 0) {
        for (int col = 0; col < desc->include_count; col++) {
            typed[col] = includes[col];
            typed[col].type = desc->include_types[col];
        }
        rc = rowcodec_encode(b->arena, typed, desc->include_count, &value, &value_len, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (b->count == b->capacity) {
        size_t capacity = b->capacity ? b->capacity * 2 : 4096;
        BuildEntry *grown = mem_realloc(b->entries, capacity * sizeof(BuildEntry));
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        b->entries = grown;
        b->capacity = capacity;
    }
    BuildEntry *entry = &b->entries[b->count++];
    for (size_t word = 0; word < 2; word++) {
        uint64_t bits = 0;
        if (key_len >= word * 8 + 8) {
            bits = load_be64(key + word * 8);
        } else {
            for (size_t at = word * 8; at < word * 8 + 8; at++) {
                bits = bits << 8 | (at < key_len ? key[at] : 0);
            }
        }
        entry->prefix[word] = bits;
    }
    entry->key = key;
    entry->value = value;
    entry->key_len = (uint16_t)key_len;
    entry->key_part = (uint16_t)(key_len - row_id.len);
    entry->value_len = (uint32_t)value_len;
    b->bytes += key_len + value_len + sizeof(BuildEntry);
    return b->bytes >= build_bytes_max ? build_flush(b, false, err) : STRATA_OK;
}

static int index_build_finish(IndexBuild *b, bool write, Error *err)
{
    int rc = write ? build_flush(b, true, err) : STRATA_OK;
    index_runs_close(b->runs);
    arena_destroy(b->arena);
    arena_destroy(b->pack_arena);
    mem_free(b->entries);
    mem_free(b);
    return rc;
}

static const IndexAm BTREE_INDEX_AM = {
    .name = "btree",
    .create = index_create,
    .drop = index_drop,
    .truncate = index_truncate,
    .insert = index_insert,
    .delete_entry = index_delete_entry,
    .scan_begin = index_scan_begin,
    .scan_next = index_scan_next,
    .scan_end = index_scan_end,
    .estimate = index_estimate,
    .can_return = index_can_return,
    .build_begin = index_build_begin,
    .build_add = index_build_add,
    .build_finish = index_build_finish,
};

const IndexAm *btree_index_am(void) { return &BTREE_INDEX_AM; }
