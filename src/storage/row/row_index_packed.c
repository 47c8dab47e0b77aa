/*
 * storage/row/row_index_packed.c - format 2 of the "btree" index method: entries
 * packed into blocks, for non-unique indexes without INCLUDE columns (issue 6).
 *
 * An entry is still keycodec(key columns) + row id (row_index.c); the B+tree
 * holds blocks of consecutive entries instead of one cell per entry:
 *
 *   B+tree key   = the block's first entry, whole
 *   B+tree value = the other entries, each coded against the one before it:
 *     varint h:
 *       h & 1 = 0, same key, row id + d: h >> 1 = d >= 1 (the row ids have
 *         the same length and differ only in their last 8 bytes, read as a
 *         big-endian number: a posting list of delta-coded row ids)
 *       h & 3 = 1, next key: h >> 2 = d >= 1 added to the key's last 8 bytes
 *         (same length, same leading bytes: integer keys), then varint the
 *         row id's last 8 bytes (same length and leading bytes as before)
 *         XOR the previous row id's high 32 of them
 *       h & 3 = 3, any: h >> 2 = bytes shared with the previous key, varint
 *         suffix length, suffix, varint bytes shared with the previous row
 *         id, varint suffix length, suffix
 *
 * In the star benchmark's fact_user_idx a user's next view costs 2-3 bytes
 * (same key: the row-id step) and a new user key about four (next key), where
 * format 1 spent 23.5 bytes an entry. Blocks are at most packed_block_bytes
 * (512) of value and 64 entries; a larger one splits in two B+tree entries,
 * like a PostgreSQL posting list split. Seeks find the block by its first entry
 * (B+tree LE) and decode it (packed_decode materializes every entry, so scans
 * move inside a block by index, in either direction).
 *
 * Invariants
 *   1. Entries strictly increase within a block and across blocks; a block's
 *      B+tree key is its first entry; no block is empty.
 *   2. Every decoded block is validated (lengths, varints, shared prefixes,
 *      arithmetic that would wrap, the order of 'any' entries), else
 *      STRATA_CORRUPT.
 */
#include <string.h>

#include "storage/row/row_int.h"
#include "util/assert.h"
#include "util/varint.h"

/* A block holds at most 512 coded bytes and 64 entries: a seek decodes one
 * block, so the entry cap bounds its cost where entries code small (OLTP
 * select_k on a 1M-row table: 17k instructions a decode at 190 entries). */
enum { PACKED_BLOCK_BYTES = 512, PACKED_BLOCK_ENTRIES = 64, ENTRY_COPY_BYTES = 32 };

/* Kind 1 stores a row id's tail XOR the previous tail's high half: a row
 * table's integer key is sign-flipped (0x80000000_0001E240 for 123456), so
 * the absolute tail would take ten varint bytes where this takes three. */
#define ROW_TAIL_HIGH UINT64_C(0xFFFFFFFF00000000)

static size_t packed_block_bytes = PACKED_BLOCK_BYTES;

void btree_index_set_block_bytes(size_t bytes)
{
    packed_block_bytes = bytes > 0 ? bytes : PACKED_BLOCK_BYTES;
}

size_t packed_block_limit(void) { return packed_block_bytes; }

/* ---- Blocks of materialized entries ------------------------------------------------ */

static bool block_reserve(PackedBlock *block, int count, size_t bytes)
{
    if ((size_t)count + 1 > block->entry_capacity) {
        size_t capacity = block->entry_capacity ? block->entry_capacity : 64;
        while (capacity < (size_t)count + 1) {
            capacity *= 2;
        }
        uint32_t *offsets = arena_alloc(block->arena, sizeof(uint32_t) * capacity);
        uint16_t *key_lens = arena_alloc(block->arena, sizeof(uint16_t) * capacity);
        if (offsets == NULL || key_lens == NULL) {
            return false;
        }
        if (block->count > 0) {
            memcpy(offsets, block->offsets, sizeof(uint32_t) * ((size_t)block->count + 1));
            memcpy(key_lens, block->key_lens, sizeof(uint16_t) * (size_t)block->count);
        }
        block->offsets = offsets;
        block->key_lens = key_lens;
        block->entry_capacity = capacity;
    }
    if (bytes > block->byte_capacity) {
        size_t capacity = block->byte_capacity ? block->byte_capacity : 4096;
        while (capacity < bytes) {
            capacity *= 2;
        }
        /* + ENTRY_COPY_BYTES: an entry is copied with fixed-size moves (entry_copy). */
        uint8_t *data = arena_alloc(block->arena, capacity + ENTRY_COPY_BYTES);
        if (data == NULL) {
            return false;
        }
        if (block->count > 0) {
            memcpy(data, block->bytes, block->offsets[block->count]);
        }
        block->bytes = data;
        block->byte_capacity = capacity;
    }
    return true;
}

void packed_block_init(PackedBlock *block, Arena *arena)
{
    memset(block, 0, sizeof *block);
    block->arena = arena;
}

void packed_block_clear(PackedBlock *block) { block->count = 0; }

int packed_block_append(PackedBlock *block, const uint8_t *entry, size_t entry_len,
                        size_t key_len, Error *err)
{
    size_t used = block->count > 0 ? block->offsets[block->count] : 0;
    if (!block_reserve(block, block->count + 1, used + entry_len)) {
        return arena_error(block->arena, err);
    }
    if (block->count == 0) {
        block->offsets[0] = 0;
    }
    memcpy(block->bytes + used, entry, entry_len);
    block->key_lens[block->count] = (uint16_t)key_len;
    block->count++;
    block->offsets[block->count] = (uint32_t)(used + entry_len);
    return STRATA_OK;
}

/* Inserts an entry at position at (shifting the rest). */
static int block_insert_at(PackedBlock *block, int at, const uint8_t *entry, size_t entry_len,
                           size_t key_len, Error *err)
{
    size_t used = block->offsets[block->count];
    if (!block_reserve(block, block->count + 1, used + entry_len)) {
        return arena_error(block->arena, err);
    }
    size_t start = block->offsets[at];
    memmove(block->bytes + start + entry_len, block->bytes + start, used - start);
    memcpy(block->bytes + start, entry, entry_len);
    for (int pos = block->count; pos >= at; pos--) {
        block->offsets[pos + 1] = block->offsets[pos] + (uint32_t)entry_len;
    }
    memmove(block->key_lens + at + 1, block->key_lens + at,
            sizeof(uint16_t) * (size_t)(block->count - at));
    block->key_lens[at] = (uint16_t)key_len;
    block->count++;
    return STRATA_OK;
}

static void block_remove_at(PackedBlock *block, int at)
{
    size_t start = block->offsets[at], end = block->offsets[at + 1];
    size_t used = block->offsets[block->count];
    memmove(block->bytes + start, block->bytes + end, used - end);
    for (int pos = at + 1; pos <= block->count; pos++) {
        block->offsets[pos - 1] = block->offsets[pos] - (uint32_t)(end - start);
    }
    memmove(block->key_lens + at, block->key_lens + at + 1,
            sizeof(uint16_t) * (size_t)(block->count - at - 1));
    block->count--;
}

/* Index of the first entry >= key (count when none). */
int packed_block_lower_bound(const PackedBlock *block, const uint8_t *key, size_t key_len)
{
    int low = 0, high = block->count;
    while (low < high) {
        int mid = low + (high - low) / 2;
        size_t len;
        const uint8_t *entry = packed_block_entry(block, mid, &len);
        if (btree_key_compare(entry, len, key, key_len) < 0) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

/* ---- Entry coding ------------------------------------------------------------------ */

/* The last min(8, len) bytes as a big-endian number. */
static inline uint64_t tail_get(const uint8_t *bytes, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len >= 8) {
        uint64_t word;
        memcpy(&word, bytes + len - 8, 8);
        return __builtin_bswap64(word);
    }
#endif
    size_t width = len < 8 ? len : 8;
    uint64_t value = 0;
    for (size_t at = len - width; at < len; at++) {
        value = value << 8 | bytes[at];
    }
    return value;
}

static inline void tail_put(uint8_t *bytes, size_t len, uint64_t value)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len >= 8) {
        uint64_t word = __builtin_bswap64(value);
        memcpy(bytes + len - 8, &word, 8);
        return;
    }
#endif
    size_t width = len < 8 ? len : 8;
    for (size_t at = len; at > len - width; at--) {
        bytes[at - 1] = (uint8_t)value;
        value >>= 8;
    }
}

/* Largest value the last min(8, len) bytes can hold. */
static uint64_t tail_max(size_t len) { return len >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * len)) - 1; }

/* memcmp(a, b, len) == 0, inline for the short strings of integer keys. */
static inline bool bytes_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len > 16) {
        return memcmp(a, b, len) == 0;
    }
    for (size_t at = 0; at < len; at++) {
        if (a[at] != b[at]) {
            return false;
        }
    }
    return true;
}

/* Same length and the same bytes before the last 8: the two differ as numbers. */
static inline bool tail_comparable(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    if (a_len != b_len || a_len == 0) {
        return false;
    }
    size_t lead = a_len > 8 ? a_len - 8 : 0;
    return bytes_equal(a, b, lead);
}

static size_t shared_prefix(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    size_t limit = a_len < b_len ? a_len : b_len, at = 0;
    while (at < limit && a[at] == b[at]) {
        at++;
    }
    return at;
}

/* Codes entry (key part kp/kl, row id rp/rl) after the previous one into out
 * (NULL: only measures); returns its size. */
static size_t code_entry(const uint8_t *prev_key, size_t prev_key_len, const uint8_t *prev_row,
                         size_t prev_row_len, const uint8_t *key, size_t key_len,
                         const uint8_t *row, size_t row_len, uint8_t *out)
{
    uint8_t scratch[32];
    bool same_key = key_len == prev_key_len && bytes_equal(key, prev_key, key_len);
    if (tail_comparable(row, row_len, prev_row, prev_row_len)) {
        uint64_t row_tail = tail_get(row, row_len);
        uint64_t prev_tail = tail_get(prev_row, prev_row_len);
        if (same_key && row_tail > prev_tail && (row_tail - prev_tail) <= (UINT64_MAX >> 1)) {
            uint64_t h = (row_tail - prev_tail) << 1;
            return varint_put(out != NULL ? out : scratch, h);
        }
        if (!same_key && tail_comparable(key, key_len, prev_key, prev_key_len)) {
            uint64_t delta = tail_get(key, key_len) - tail_get(prev_key, prev_key_len);
            if (delta <= (UINT64_MAX >> 2)) {
                uint8_t *dst = out != NULL ? out : scratch;
                size_t pos = varint_put(dst, delta << 2 | 1);
                pos += varint_put(out != NULL ? dst + pos : scratch,
                                  row_tail ^ (prev_tail & ROW_TAIL_HIGH));
                return pos;
            }
        }
    }
    size_t key_shared = shared_prefix(key, key_len, prev_key, prev_key_len);
    size_t row_shared = shared_prefix(row, row_len, prev_row, prev_row_len);
    size_t size = varint_size((uint64_t)key_shared << 2 | 3) + varint_size(key_len - key_shared) +
                  (key_len - key_shared) + varint_size(row_shared) +
                  varint_size(row_len - row_shared) + (row_len - row_shared);
    if (out != NULL) {
        size_t pos = varint_put(out, (uint64_t)key_shared << 2 | 3);
        pos += varint_put(out + pos, key_len - key_shared);
        memcpy(out + pos, key + key_shared, key_len - key_shared);
        pos += key_len - key_shared;
        pos += varint_put(out + pos, row_shared);
        pos += varint_put(out + pos, row_len - row_shared);
        memcpy(out + pos, row + row_shared, row_len - row_shared);
    }
    return size;
}

size_t packed_pair_size(const PackedBlock *block, int prev_at, int at)
{
    size_t prev_len, len;
    const uint8_t *prev = packed_block_entry(block, prev_at, &prev_len);
    const uint8_t *entry = packed_block_entry(block, at, &len);
    size_t prev_key = block->key_lens[prev_at], key = block->key_lens[at];
    return code_entry(prev, prev_key, prev + prev_key, prev_len - prev_key, entry, key,
                      entry + key, len - key, NULL);
}

size_t packed_entry_size(const PackedBlock *block, int at)
{
    size_t prev_len, len;
    const uint8_t *prev = packed_block_entry(block, at - 1, &prev_len);
    const uint8_t *entry = packed_block_entry(block, at, &len);
    size_t prev_key = block->key_lens[at - 1], key = block->key_lens[at];
    return code_entry(prev, prev_key, prev + prev_key, prev_len - prev_key, entry, key,
                      entry + key, len - key, NULL);
}

/* Codes entry at after entry at - 1 into out (room for its bytes and four
 * varints); returns the coded size. */
static size_t packed_pair_code(const PackedBlock *block, int at, uint8_t *out)
{
    size_t prev_len, len;
    const uint8_t *prev = packed_block_entry(block, at - 1, &prev_len);
    const uint8_t *entry = packed_block_entry(block, at, &len);
    size_t prev_key = block->key_lens[at - 1], key = block->key_lens[at];
    return code_entry(prev, prev_key, prev + prev_key, prev_len - prev_key, entry, key,
                      entry + key, len - key, out);
}

int packed_encode(const PackedBlock *block, int from, int to, Arena *arena, uint8_t **value_out,
                  size_t *value_len_out, Error *err)
{
    /* One pass into room for the worst case: a coded entry takes at most its
     * own bytes plus four varints. */
    size_t bound = block->offsets[to] - block->offsets[from] + (size_t)(to - from) * 40;
    uint8_t *value = arena_alloc(arena, bound + 1);
    if (value == NULL) {
        return arena_error(arena, err);
    }
    size_t pos = 0;
    for (int at = from + 1; at < to; at++) {
        size_t prev_len, len;
        const uint8_t *prev = packed_block_entry(block, at - 1, &prev_len);
        const uint8_t *entry = packed_block_entry(block, at, &len);
        size_t prev_key = block->key_lens[at - 1], key = block->key_lens[at];
        pos += code_entry(prev, prev_key, prev + prev_key, prev_len - prev_key, entry, key,
                          entry + key, len - key, value + pos);
    }
    ST_ASSERT(pos <= bound);
    *value_out = value;
    *value_len_out = pos;
    return STRATA_OK;
}

/* Copies the previous entry (just before entry) into entry: short ones as two
 * fixed 16-byte moves, loaded before stored (the ranges overlap when the entry
 * is shorter; bytes past len are scratch the next entry overwrites). */
static inline void entry_copy(uint8_t *entry, const uint8_t *prev, size_t len)
{
    if (len <= ENTRY_COPY_BYTES) {
        uint8_t words[ENTRY_COPY_BYTES];
        memcpy(words, prev, ENTRY_COPY_BYTES);
        memcpy(entry, words, ENTRY_COPY_BYTES);
    } else {
        memcpy(entry, prev, len);
    }
}

/* Room for one more entry of len bytes (the fast path of decoding). */
static inline bool block_has_room(const PackedBlock *block, size_t len)
{
    return (size_t)block->count + 2 <= block->entry_capacity &&
           block->offsets[block->count] + len <= block->byte_capacity;
}

int packed_decode(const uint8_t *first, size_t first_len, size_t first_key_len,
                  const uint8_t *value, size_t value_len, PackedBlock *block, Error *err)
{
    packed_block_clear(block);
    if (first_key_len > first_len || first_len > BTREE_KEY_MAX) {
        return error_corrupt(err, "index block has a bad first entry (%zu bytes)", first_len);
    }
    /* Every coded entry takes a byte at least: reserve for the numeric kinds
     * (entries as long as the first) up front; the general kind may grow it. */
    size_t bytes = first_len * (value_len + 1);
    if (!block_reserve(block, (int)value_len + 1, bytes < (64u << 10) ? bytes : (64u << 10))) {
        return arena_error(block->arena, err);
    }
    int rc = packed_block_append(block, first, first_len, first_key_len, err);
    block->coded_bytes = value_len;
    size_t pos = 0;
    while (rc == STRATA_OK && pos < value_len) {
        size_t prev_len = block->offsets[block->count] - block->offsets[block->count - 1];
        size_t prev_key = block->key_lens[block->count - 1];
        size_t prev_row = prev_len - prev_key;
        uint64_t h, field = 0;
        if (!varint_get(value, value_len, &pos, &h)) {
            return error_corrupt(err, "index block has a truncated entry");
        }
        int kind = (h & 1) == 0 ? 0 : (int)(h & 3);
        if (kind != 3) {
            /* Numeric kinds: the previous entry with new tails, written in place. */
            uint64_t delta = kind == 0 ? h >> 1 : h >> 2;
            if (kind == 1 && !varint_get(value, value_len, &pos, &field)) {
                return error_corrupt(err, "index block has a truncated entry");
            }
            if (!block_has_room(block, prev_len) &&
                !block_reserve(block, block->count + 1, block->offsets[block->count] + prev_len)) {
                return arena_error(block->arena, err);
            }
            const uint8_t *prev = block->bytes + block->offsets[block->count - 1];
            uint8_t *entry = block->bytes + block->offsets[block->count];
            if (kind == 0) {
                uint64_t tail = tail_get(prev + prev_key, prev_row);
                if (delta == 0 || prev_row == 0 || delta > tail_max(prev_row) - tail) {
                    return error_corrupt(err, "index block has a bad row id step");
                }
                entry_copy(entry, prev, prev_len);
                tail_put(entry + prev_key, prev_row, tail + delta);
            } else {
                uint64_t tail = tail_get(prev, prev_key);
                if (delta == 0 || prev_key == 0 || prev_row == 0 ||
                    delta > tail_max(prev_key) - tail ||
                    (field ^ (tail_get(prev + prev_key, prev_row) & ROW_TAIL_HIGH)) >
                        tail_max(prev_row)) {
                    return error_corrupt(err, "index block has a bad key step");
                }
                entry_copy(entry, prev, prev_len);
                tail_put(entry, prev_key, tail + delta);
                tail_put(entry + prev_key, prev_row,
                         field ^ (tail_get(prev + prev_key, prev_row) & ROW_TAIL_HIGH));
            }
            block->key_lens[block->count] = (uint16_t)prev_key;
            block->count++;
            block->offsets[block->count] = block->offsets[block->count - 1] + (uint32_t)prev_len;
            continue;
        }
        /* Kind 3: shared prefixes + suffixes. */
        uint8_t entry[BTREE_KEY_MAX];
        const uint8_t *prev = block->bytes + block->offsets[block->count - 1];
        uint64_t key_shared = h >> 2, key_suffix, row_shared, row_suffix;
        if (!varint_get(value, value_len, &pos, &key_suffix) || key_shared > prev_key ||
            key_suffix > value_len - pos || key_shared + key_suffix > BTREE_KEY_MAX) {
            return error_corrupt(err, "index block has a bad key prefix");
        }
        size_t key_len = (size_t)(key_shared + key_suffix);
        memcpy(entry, prev, (size_t)key_shared);
        memcpy(entry + key_shared, value + pos, (size_t)key_suffix);
        pos += (size_t)key_suffix;
        if (!varint_get(value, value_len, &pos, &row_shared) ||
            !varint_get(value, value_len, &pos, &row_suffix) || row_shared > prev_row ||
            row_suffix > value_len - pos || key_len + row_shared + row_suffix > BTREE_KEY_MAX) {
            return error_corrupt(err, "index block has a bad row id prefix");
        }
        memcpy(entry + key_len, prev + prev_key, (size_t)row_shared);
        memcpy(entry + key_len + row_shared, value + pos, (size_t)row_suffix);
        pos += (size_t)row_suffix;
        size_t len = key_len + (size_t)(row_shared + row_suffix);
        if (btree_key_compare(prev, prev_len, entry, len) >= 0) {
            return error_corrupt(err, "index block entries are out of order");
        }
        rc = packed_block_append(block, entry, len, key_len, err);
    }
    return rc;
}

/* ---- Maintenance ------------------------------------------------------------------- */

/* Writes block entries [from, to) as one B+tree entry (an upsert). */
static int write_block(PagerTxn *txn, Pgno root, const PackedBlock *block, int from, int to,
                       Arena *arena, Error *err)
{
    uint8_t *value = NULL;
    size_t value_len = 0, first_len;
    int rc = packed_encode(block, from, to, arena, &value, &value_len, err);
    const uint8_t *first = packed_block_entry(block, from, &first_len);
    if (rc == STRATA_OK) {
        rc = btree_insert(txn, root, first, first_len, value, value_len, BTREE_INSERT_UPSERT,
                          NULL, err);
    }
    return rc;
}

/* Positions cursor on the block that holds (or would hold) entry: the last
 * block whose first entry <= entry, else the first block. Decodes it into
 * block; *found_block false when the tree is empty. *block_key (arena copy)
 * is the block's B+tree key. */
static int load_block_for(PagerTxn *txn, Pgno root, const IndexDesc *desc, const uint8_t *entry,
                          size_t entry_len, Arena *arena, PackedBlock *block, bool *found_block,
                          uint8_t **block_key, size_t *block_key_len, Error *err)
{
    BTreeCursor *cursor = NULL;
    int rc = btree_cursor_open(txn, root, arena, &cursor, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_seek(cursor, entry, entry_len, BTREE_SEEK_LE, err);
    }
    if (rc == STRATA_OK && !btree_cursor_valid(cursor)) {
        rc = btree_cursor_first(cursor, err);
    }
    *found_block = rc == STRATA_OK && btree_cursor_valid(cursor);
    if (rc != STRATA_OK || !*found_block) {
        btree_cursor_close(cursor);
        return rc;
    }
    size_t key_len;
    const uint8_t *key = btree_cursor_key(cursor, &key_len);
    *block_key = arena_alloc(arena, key_len + 1);
    if (*block_key == NULL) {
        btree_cursor_close(cursor);
        return arena_error(arena, err);
    }
    memcpy(*block_key, key, key_len);
    *block_key_len = key_len;
    rc = packed_decode_cursor(cursor, desc, arena, block, err);
    btree_cursor_close(cursor);
    return rc;
}

int packed_decode_cursor(BTreeCursor *cursor, const IndexDesc *desc, Arena *arena,
                         PackedBlock *block, Error *err)
{
    size_t key_len, key_part = 0, value_len;
    const uint8_t *key = btree_cursor_key(cursor, &key_len), *value;
    int rc = keycodec_skip(key, key_len, desc->key_types, desc->key_descending, desc->key_count,
                           &key_part, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_value(cursor, arena, &value, &value_len, err);
    }
    if (rc == STRATA_OK) {
        rc = packed_decode(key, key_len, key_part, value, value_len, block, err);
    }
    return rc;
}

int packed_insert(PagerTxn *txn, Pgno root, const IndexDesc *desc, const uint8_t *entry,
                  size_t entry_len, size_t key_len, Arena *arena, Error *err)
{
    PackedBlock block;
    packed_block_init(&block, arena);
    bool found_block = false;
    uint8_t *block_key = NULL;
    size_t block_key_len = 0;
    int rc = load_block_for(txn, root, desc, entry, entry_len, arena, &block, &found_block,
                            &block_key, &block_key_len, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!found_block) {
        return btree_insert(txn, root, entry, entry_len, NULL, 0, BTREE_INSERT_UPSERT, NULL, err);
    }
    int at = packed_block_lower_bound(&block, entry, entry_len);
    if (at < block.count) {
        size_t len;
        const uint8_t *there = packed_block_entry(&block, at, &len);
        if (btree_key_compare(there, len, entry, entry_len) == 0) {
            return STRATA_OK; /* already there (format 1 upserted too) */
        }
    }
    rc = block_insert_at(&block, at, entry, entry_len, key_len, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* The coded size after the insert, from the block's: the new entry's code,
     * and its successor's code against it instead of against the predecessor. */
    size_t bytes = block.coded_bytes;
    if (at == 0) {
        bytes += packed_entry_size(&block, 1);
    } else if (at == block.count - 1) {
        bytes += packed_entry_size(&block, at);
    } else {
        bytes += packed_entry_size(&block, at) + packed_entry_size(&block, at + 1);
        bytes -= packed_pair_size(&block, at - 1, at + 1);
    }
    if (rc == STRATA_OK && at == 0) {
        /* A new first entry: the block's B+tree key changes. */
        rc = btree_delete(txn, root, block_key, block_key_len, NULL, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if ((bytes <= packed_block_bytes && block.count <= PACKED_BLOCK_ENTRIES) || block.count < 2) {
        return write_block(txn, root, &block, 0, block.count, arena, err);
    }
    /* Split: an entry appended at the end starts the new block (sequential
     * inserts leave full blocks), otherwise halves by coded bytes. */
    int split = block.count - 1;
    if (at != block.count - 1) {
        size_t half = 0;
        split = 1;
        while (split < block.count - 1 && half < bytes / 2 && split < block.count / 2 + 1) {
            half += packed_entry_size(&block, split);
            split++;
        }
    }
    rc = write_block(txn, root, &block, 0, split, arena, err);
    if (rc == STRATA_OK) {
        rc = write_block(txn, root, &block, split, block.count, arena, err);
    }
    return rc;
}

int packed_delete(PagerTxn *txn, Pgno root, const IndexDesc *desc, const uint8_t *entry,
                  size_t entry_len, Arena *arena, bool *found, Error *err)
{
    PackedBlock block;
    packed_block_init(&block, arena);
    bool found_block = false;
    uint8_t *block_key = NULL;
    size_t block_key_len = 0;
    *found = false;
    int rc = load_block_for(txn, root, desc, entry, entry_len, arena, &block, &found_block,
                            &block_key, &block_key_len, err);
    if (rc != STRATA_OK || !found_block) {
        return rc;
    }
    int at = packed_block_lower_bound(&block, entry, entry_len);
    size_t len = 0;
    const uint8_t *there = at < block.count ? packed_block_entry(&block, at, &len) : NULL;
    if (there == NULL || btree_key_compare(there, len, entry, entry_len) != 0) {
        return STRATA_OK;
    }
    *found = true;
    block_remove_at(&block, at);
    if (at == 0 || block.count == 0) {
        rc = btree_delete(txn, root, block_key, block_key_len, NULL, err);
    }
    if (rc == STRATA_OK && block.count > 0) {
        rc = write_block(txn, root, &block, 0, block.count, arena, err);
    }
    return rc;
}

/* ---- Bottom-up builds: sorted entries in, blocks out ------------------------------- */

static int packed_packer_pull(PackedPacker *p, Error *err);

int packed_packer_next(void *ctx, const uint8_t **key, size_t *key_len, const uint8_t **value,
                       size_t *value_len, bool *done, Error *err)
{
    PackedPacker *p = ctx;
    *done = false;
    arena_reset(p->out_arena);
    int rc = STRATA_OK;
    if (p->block.count == 0 && !p->source_done) {
        /* First call: nothing pending yet. */
        rc = packed_packer_pull(p, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (p->block.count == 0) {
        *done = true;
        return STRATA_OK;
    }
    /* The block holds its first entry; add entries while the coded bytes fit,
     * coding each as it comes (what packed_encode would give): room for a
     * full block and one more entry at its worst (its bytes and four varints). */
    uint8_t *coded = arena_alloc(p->out_arena, packed_block_bytes + BTREE_KEY_MAX + 64);
    if (coded == NULL) {
        return arena_error(p->out_arena, err);
    }
    size_t bytes = 0;
    for (;;) {
        rc = packed_packer_pull(p, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (p->source_done) {
            break;
        }
        size_t size = packed_pair_code(&p->block, p->block.count - 1, coded + bytes);
        if (bytes + size > packed_block_bytes || p->block.count > PACKED_BLOCK_ENTRIES) {
            break; /* the last entry starts the next block */
        }
        bytes += size;
    }
    int end = p->source_done ? p->block.count : p->block.count - 1;
    size_t coded_len = bytes, first_len;
    const uint8_t *first = packed_block_entry(&p->block, 0, &first_len);
    uint8_t *first_copy = arena_alloc(p->out_arena, first_len + 1);
    if (first_copy == NULL) {
        return arena_error(p->out_arena, err);
    }
    memcpy(first_copy, first, first_len);
    /* Keep the entry that did not fit as the next block's first. */
    size_t rest_len = 0, rest_key = 0;
    const uint8_t *rest = NULL;
    if (end < p->block.count) {
        rest = packed_block_entry(&p->block, end, &rest_len);
        rest_key = p->block.key_lens[end];
        uint8_t *copy = arena_alloc(p->out_arena, rest_len + 1);
        if (copy == NULL) {
            return arena_error(p->out_arena, err);
        }
        memcpy(copy, rest, rest_len);
        rest = copy;
    }
    packed_block_clear(&p->block);
    if (rest != NULL) {
        rc = packed_block_append(&p->block, rest, rest_len, rest_key, err);
    }
    *key = first_copy;
    *key_len = first_len;
    *value = coded;
    *value_len = coded_len;
    return rc;
}

/* Reads the next source entry into the block (sets source_done at the end). */
static int packed_packer_pull(PackedPacker *p, Error *err)
{
    const uint8_t *key, *value;
    size_t key_len, value_len, key_part = 0;
    bool done = false;
    int rc = p->source(p->source_ctx, &key, &key_len, &value, &value_len, &done, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (done) {
        p->source_done = true;
        return STRATA_OK;
    }
    if (p->source_key_part != NULL) {
        key_part = p->source_key_part(p->source_ctx);
    } else {
        rc = keycodec_skip(key, key_len, p->desc->key_types, p->desc->key_descending,
                           p->desc->key_count, &key_part, err);
    }
    if (rc == STRATA_OK && p->block.count > 0) {
        size_t prev_len;
        const uint8_t *prev = packed_block_entry(&p->block, p->block.count - 1, &prev_len);
        if (btree_key_compare(prev, prev_len, key, key_len) >= 0) {
            rc = error_set(err, SQLSTATE_INTERNAL_ERROR, "index build entries out of order");
        }
    }
    if (rc == STRATA_OK) {
        rc = packed_block_append(&p->block, key, key_len, key_part, err);
    }
    return rc;
}

/* ---- Estimates --------------------------------------------------------------------- */

/* Entries in [low, high): exact when the range spans at most a few blocks,
 * otherwise the B+tree's block estimate times the entries per block seen. */
int packed_estimate(PagerTxn *txn, Pgno root, const IndexDesc *desc, const KeyBounds *bounds,
                    uint64_t *out, Error *err)
{
    enum { EXACT_BLOCKS = 4 };
    *out = 0;
    if (bounds->is_empty) {
        return STRATA_OK;
    }
    Arena *arena = arena_create(NULL, 0, "index estimate");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    PackedBlock block;
    packed_block_init(&block, arena);
    BTreeCursor *cursor = NULL;
    int rc = btree_cursor_open(txn, root, arena, &cursor, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_seek(cursor, bounds->low, bounds->low_len, BTREE_SEEK_LE, err);
    }
    if (rc == STRATA_OK && !btree_cursor_valid(cursor)) {
        rc = btree_cursor_first(cursor, err);
    }
    uint64_t count = 0, seen_entries = 0;
    int blocks = 0;
    bool finished = false;
    while (rc == STRATA_OK && btree_cursor_valid(cursor) && blocks < EXACT_BLOCKS && !finished) {
        rc = packed_decode_cursor(cursor, desc, arena, &block, err);
        if (rc != STRATA_OK) {
            break;
        }
        blocks++;
        seen_entries += (uint64_t)block.count;
        int from = packed_block_lower_bound(&block, bounds->low, bounds->low_len);
        int to = bounds->high != NULL
                     ? packed_block_lower_bound(&block, bounds->high, bounds->high_len)
                     : block.count;
        if (to > from) {
            count += (uint64_t)(to - from);
        }
        finished = to < block.count;
        rc = btree_cursor_next(cursor, err);
    }
    if (rc == STRATA_OK && !finished && btree_cursor_valid(cursor)) {
        /* More blocks: scale the B+tree's estimate of blocks left in range. */
        size_t key_len;
        const uint8_t *key = btree_cursor_key(cursor, &key_len);
        uint64_t more = 0;
        rc = btree_estimate_range(txn, root, key, key_len, bounds->high, bounds->high_len, &more,
                                  err);
        count += more * (seen_entries / (uint64_t)blocks);
    }
    arena_destroy(arena);
    *out = count;
    return rc;
}
