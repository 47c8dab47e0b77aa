/*
 * storage/column/column_point.c - reading single row positions of a segment,
 * for fetches by row id (an index scan over a column table, issue 6 q10).
 *
 * A fetch of a few rows per row group must not decode whole segments: at
 * 65,536 rows a group, decoding five columns to return one row costs about a
 * million value unpacks. So a segment is opened once per group (its 32-byte
 * header and encoding parameters read and checked), and each position of an
 * in-place encoding is then a few bytes read from one stream page:
 *
 *   encoding   kinds                how a position is read
 *   constant   int64, bool, f64     the one value
 *   plain      int64, bool, f64     8 bytes at index * 8
 *   for        int64, bool          minimum + width bits at index * width
 *   delta      int64, bool          first + index * minimum delta (width 0 only)
 *   dictionary int64, bool, f64     entry[width-bit code at index * width]
 *   rle        int64, bool, f64     binary search of the run ends (runs read at open,
 *                                   when the body is at most POINT_RLE_BYTES_MAX)
 *   for_patched   int64, bool       base + width bits at index; only a packed 0 can be
 *                                   an exception: then the exception list (read in
 *                                   pieces from a kept walk position, never kept)
 *   delta_blocked int64, bool       the block's checkpoint + its packed differences
 *                                   before index (or back from the next checkpoint:
 *                                   the nearer end), four values per load, + that
 *                                   side's exceptions when a packed 0 lies there
 *
 * "index" is the position among non-NULL values: with a NULL bitmap, the
 * bitmap is read once and counted per 64-row block. Every other segment
 * (strings, numerics, Gorilla, delta-of-delta, long run lists, delta
 * with a width, delta_patched without checkpoints, exception lists over
 * POINT_RLE_BYTES_MAX, and lz4/zstd segments whose body passes
 * POINT_COMPRESSED_BYTES_MAX) is decoded whole on first use and kept; a
 * smaller compressed segment is decompressed once and read in memory. An
 * in-place segment read more than SEGPOINT_DECODE_AFTER times is decoded whole
 * too (a DELETE of many rows in one group: one decode, not thousands of page
 * lookups).
 *
 * Invariants
 *   1. The format is README.md's "Segment format"; this file reads it and
 *      never writes it. Header fields are validated like colseg_decode does;
 *      dictionary codes and packed ranges are bounds-checked per read.
 *   2. In-place reads do not verify the segment checksum (that would read the
 *      whole segment); the pager verifies every page's checksum when it reads
 *      the page from disk, which covers the bytes read here. A whole decode
 *      verifies the segment checksum as a scan does.
 *
 * Threads: the PagerTxn's thread.
 */
#include <string.h>

#include "storage/column/column_am_int.h"

#define POINT_SEGMENT_MAGIC 0x47455343u   /* "CSEG", README.md "Segment format" */
#define POINT_DICT_MAX 16384u             /* the encoder's dictionary cap */
#define POINT_PARAMS_MAX 32u              /* bytes of encoding parameters read at open */
#define POINT_RLE_BYTES_MAX 65536u        /* longer run lists are decoded whole */
#define POINT_COMPRESSED_BYTES_MAX 65536u /* larger compressed bodies are decoded whole */

/* COLENC_DELTA_BLOCKED: one block's packed differences (8 bytes of room past them:
 * packed_sum loads 8 bytes per value), and the values of widths above 56. Point
 * reads only take segments of COLPATCH_CHECKPOINT_ROWS values per block. */
#define BLOCK_SCRATCH_BYTES (COLPATCH_CHECKPOINT_ROWS * 8 + 8)
typedef struct BlockScratch {
    uint8_t bytes[BLOCK_SCRATCH_BYTES];
    uint64_t values[COLPATCH_CHECKPOINT_ROWS + 1];
} BlockScratch;
/* COLENC_DELTA_BLOCKED's checkpoints as open_checkpoints guesses their length for a
 * full group (two varints and up to 10 bytes a checkpoint), skipped in a scratch on
 * the stack so that only the bytes used are kept. */
#define CHECKPOINT_SCRATCH_BYTES                                                                   \
    (20 + (COLUMN_ROW_GROUP_ROWS - 1) / COLPATCH_CHECKPOINT_ROWS * 10 + 1)
enum { POINT_NULLS_NONE = 0, POINT_NULLS_ALL = 1, POINT_NULLS_BITMAP = 2 };

static PhysKind seg_phys(const TableDesc *desc, int seg)
{
    return seg == desc->column_count ? PHYS_I64 : type_phys(desc->column_types[seg].id);
}

static int point_corrupt(const TableDesc *desc, const GroupDesc *group, int seg, const char *why,
                         Error *err)
{
    const char *column = seg < desc->column_count && desc->column_names != NULL
                             ? desc->column_names[seg]
                             : "(row numbers)";
    return error_corrupt(err,
                         "segment of column \"%s\" in row group at row %llu of column table "
                         "\"%s\" is corrupted: %s",
                         column, (unsigned long long)group->first_rownum, desc->name, why);
}

/* Whether (kind, encoding) is read in place; false = decode whole. */
static bool in_place(PhysKind kind, int encoding)
{
    bool is_int = kind == PHYS_I64 || kind == PHYS_BOOL;
    switch (encoding) {
    case COLENC_CONSTANT:
    case COLENC_PLAIN:
    case COLENC_DICT:
    case COLENC_RLE:
        return is_int || kind == PHYS_F64;
    case COLENC_FOR:
    case COLENC_DELTA:
    case COLENC_FOR_PATCHED:
    case COLENC_DELTA_BLOCKED:
        return is_int;
    default:
        return false;
    }
}

static int decode_whole(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                        int seg, SegPoint *point, uint64_t *bytes_read, Error *err)
{
    int rc = colgroup_read_segment(txn, desc, arena, group, seg, &point->decoded, bytes_read, err);
    point->is_decoded = rc == STRATA_OK;
    point->is_open = rc == STRATA_OK;
    return rc;
}

/* Reads [at, at + len) of the segment: from the pages, or from the
 * decompressed body of a compressed segment. */
static int point_read(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group,
                      const SegPoint *point, uint64_t at, uint32_t len, uint8_t *out, Error *err)
{
    if (point->body == NULL && at >= point->prefix_at &&
        at + len <= point->prefix_at + point->prefix_len) {
        memcpy(out, point->prefix + (at - point->prefix_at), len);
        return STRATA_OK;
    }
    if (point->body == NULL) {
        return colgroup_stream_read(txn, desc, group, at, len, out, err);
    }
    if (at < point->body_at || at + len > point->values_end) {
        return error_corrupt(err, "column table \"%s\" is corrupted: read past a segment",
                             desc->name);
    }
    memcpy(out, point->body + (at - point->body_at), len);
    return STRATA_OK;
}

/* NULL bitmap: read once, with non-NULL counts per 64-row block. */
static int open_nulls(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                      int seg, SegPoint *point, uint64_t at, Error *err)
{
    uint32_t count = group->row_count, bytes = (count + 7) / 8, blocks = (count + 63) / 64;
    uint8_t *bits = arena_zalloc(arena, (size_t)blocks * 8 + 8);
    uint32_t *before = arena_alloc(arena, sizeof *before * ((size_t)blocks + 1));
    if (bits == NULL || before == NULL) {
        return arena_error(arena, err);
    }
    int rc = point_read(txn, desc, group, point, at, bytes, bits, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint32_t nulls = 0;
    for (uint32_t block = 0; block < blocks; block++) {
        uint64_t word;
        memcpy(&word, bits + (size_t)block * 8, 8);
        if (block == blocks - 1 && count % 64 != 0) {
            word &= (1ULL << (count % 64)) - 1;
        }
        before[block] = block * 64 - nulls;
        nulls += (uint32_t)__builtin_popcountll(word);
    }
    if (nulls != point->null_count) {
        return point_corrupt(desc, group, seg, "null count mismatch", err);
    }
    point->null_bits = bits;
    point->nonnull_before = before;
    return STRATA_OK;
}

static uint64_t params_u64(const uint8_t *params, size_t *pos)
{
    uint64_t value = col_get_u64(params + *pos);
    *pos += 8;
    return value;
}

/* Dictionary: varint entry count, 8-byte entries, then u8 code width. */
static int open_dict(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                     int seg, SegPoint *point, uint64_t at, const uint8_t *params, size_t avail,
                     Error *err)
{
    uint64_t entries = 0;
    size_t pos = 0;
    for (int shift = 0; pos < avail && shift < 64; shift += 7) {
        uint8_t byte = params[pos++];
        entries |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            break;
        }
    }
    uint64_t dict_at = at + pos;
    if (entries == 0 || entries > POINT_DICT_MAX || dict_at + entries * 8 + 1 > point->values_end) {
        return point_corrupt(desc, group, seg, "bad dictionary", err);
    }
    uint64_t *dict = arena_alloc(arena, (size_t)entries * 8 + 8);
    if (dict == NULL) {
        return arena_error(arena, err);
    }
    uint8_t width;
    int rc =
        point_read(txn, desc, group, point, dict_at, (uint32_t)(entries * 8), (uint8_t *)dict, err);
    if (rc == STRATA_OK) {
        rc = point_read(txn, desc, group, point, dict_at + entries * 8, 1, &width, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    for (uint64_t entry = 0; entry < entries; entry++) {
        dict[entry] = col_get_u64((const uint8_t *)&dict[entry]);
    }
    point->dict = dict;
    point->dict_count = entries;
    point->width = width;
    point->values_at = dict_at + entries * 8 + 1;
    return STRATA_OK;
}

static bool rle_varint(const uint8_t *in, size_t len, size_t *pos, uint64_t *out)
{
    *out = 0;
    for (int shift = 0; *pos < len && shift < 64; shift += 7) {
        uint8_t byte = in[(*pos)++];
        *out |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            return true;
        }
    }
    return false;
}

/* Run-length: varint run count, then per run a varint length and an 8-byte
 * value. The runs become (end index, value) pairs; positions binary-search them. */
static int open_rle(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                    int seg, SegPoint *point, uint64_t at, Error *err)
{
    size_t len = (size_t)(point->values_end - at);
    uint8_t *body = arena_alloc(arena, len + 1);
    if (body == NULL) {
        return arena_error(arena, err);
    }
    int rc = point_read(txn, desc, group, point, at, (uint32_t)len, body, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t pos = 0;
    uint64_t runs, dense = group->row_count - point->null_count, total = 0;
    if (!rle_varint(body, len, &pos, &runs) || runs == 0 || runs > dense) {
        return point_corrupt(desc, group, seg, "bad rle data", err);
    }
    uint64_t *ends = arena_alloc(arena, sizeof *ends * (size_t)runs);
    uint64_t *values = arena_alloc(arena, sizeof *values * (size_t)runs);
    if (ends == NULL || values == NULL) {
        return arena_error(arena, err);
    }
    for (uint64_t run = 0; run < runs; run++) {
        uint64_t run_len;
        if (!rle_varint(body, len, &pos, &run_len) || run_len == 0 || run_len > dense - total ||
            len - pos < 8) {
            return point_corrupt(desc, group, seg, "bad rle data", err);
        }
        total += run_len;
        ends[run] = total;
        values[run] = col_get_u64(body + pos);
        pos += 8;
    }
    if (total != dense || pos != len) {
        return point_corrupt(desc, group, seg, "bad rle data", err);
    }
    point->run_ends = ends;
    point->dict = values;
    point->dict_count = runs;
    point->values_at = point->values_end;
    return STRATA_OK;
}

/* COLENC_DELTA_BLOCKED: the first value (kept in step) and the checkpoints, read
 * for the default interval (a block of another interval: *whole, decoded whole). */
static int open_checkpoints(PagerTxn *txn, const TableDesc *desc, Arena *arena,
                            const GroupDesc *group, int seg, SegPoint *point, uint64_t *at,
                            uint64_t dense, bool *whole, Error *err)
{
    uint8_t first[8];
    uint64_t guess = (dense - 1) / COLPATCH_CHECKPOINT_ROWS;
    uint64_t left = point->values_end - *at;
    if (left < 8) {
        return point_corrupt(desc, group, seg, "segment too short", err);
    }
    uint64_t len = left - 8 < 20 + guess * 10 ? left - 8 : 20 + guess * 10;
    /* The guessed checkpoint bytes are skipped in a scratch on the stack when they
     * fit (always for groups of COLUMN_ROW_GROUP_ROWS), so only the bytes and word
     * marks used are kept (a fetch cache keeps them for every group: star time_key,
     * 1.2 KB instead of 3.9 KB). */
    uint8_t scratch[CHECKPOINT_SCRATCH_BYTES];
    bool in_scratch = len <= CHECKPOINT_SCRATCH_BYTES - 1;
    uint8_t *bytes = in_scratch ? scratch : arena_alloc(arena, (size_t)len + 1);
    uint16_t scratch_marks[CHECKPOINT_SCRATCH_BYTES / 8 + 1];
    uint16_t *marks =
        in_scratch ? scratch_marks : arena_alloc(arena, sizeof *marks * ((size_t)len / 8 + 1));
    if (bytes == NULL || marks == NULL) {
        return arena_error(arena, err);
    }
    int rc = point_read(txn, desc, group, point, *at, 8, first, err);
    if (rc == STRATA_OK) {
        rc = point_read(txn, desc, group, point, *at + 8, (uint32_t)len, bytes, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    uint32_t interval = 0, count = 0, mark_count = 0;
    size_t values_at = 0;
    size_t used = colpatch_checkpoints_skip(bytes, (size_t)len, (uint32_t)dense, &interval, &count,
                                            &values_at, marks, &mark_count);
    if (used == 0 || interval != COLPATCH_CHECKPOINT_ROWS) {
        *whole = true;
        return STRATA_OK;
    }
    if (in_scratch) {
        /* 8 bytes past the used ones: skip_varints reads words while they fit in avail. */
        uint8_t *kept = arena_alloc(arena, used + 8);
        uint16_t *kept_marks = arena_alloc(arena, sizeof *marks * ((size_t)mark_count + 1));
        if (kept == NULL || kept_marks == NULL) {
            return arena_error(arena, err);
        }
        memcpy(kept, bytes, used);
        memset(kept + used, 0, 8);
        memcpy(kept_marks, marks, sizeof *marks * (size_t)mark_count);
        bytes = kept;
        marks = kept_marks;
    }
    point->step = col_get_u64(first);
    point->patch->checkpoint_bytes = bytes;
    point->patch->checkpoint_bytes_len = used;
    point->patch->checkpoint_values_at = values_at;
    point->patch->checkpoint_marks = marks;
    point->patch->checkpoint_mark_count = mark_count;
    point->patch->checkpoint_count = count;
    point->patch->checkpoint_interval = interval;
    *at += 8 + used;
    return STRATA_OK;
}

/* Patched layouts (column_patch.c): [first value, checkpoints] u64 base, u8
 * width, varint exception count, packed bits, then the exceptions, which reads
 * walk in pieces (walk_list; a list longer than POINT_RLE_BYTES_MAX: *whole). */
static int open_patched(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                        int seg, SegPoint *point, uint64_t at, bool *whole, Error *err)
{
    uint64_t dense = group->row_count - point->null_count;
    if (dense == 0) {
        return point_corrupt(desc, group, seg, "empty patched segment", err);
    }
    point->patch = arena_zalloc(arena, sizeof *point->patch);
    if (point->patch == NULL) {
        return arena_error(arena, err);
    }
    bool blocked = point->encoding == COLENC_DELTA_BLOCKED;
    int rc = blocked ? open_checkpoints(txn, desc, arena, group, seg, point, &at, dense, whole, err)
                     : STRATA_OK;
    if (rc != STRATA_OK || *whole) {
        return rc;
    }
    uint8_t params[20] = {0};
    uint64_t left = point->values_end - at;
    size_t avail = left < sizeof params ? (size_t)left : sizeof params, pos = 9;
    rc = point_read(txn, desc, group, point, at, (uint32_t)avail, params, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint64_t exceptions = 0;
    bool ended = false;
    for (int shift = 0; pos < avail && shift < 64 && !ended; shift += 7) {
        exceptions |= (uint64_t)(params[pos] & 0x7f) << shift;
        ended = (params[pos++] & 0x80) == 0;
    }
    uint64_t packed_count = blocked ? dense - 1 : dense;
    if (avail < 10 || !ended || params[8] > 64 || exceptions > packed_count) {
        return point_corrupt(desc, group, seg, "bad patched parameters", err);
    }
    point->base = col_get_u64(params);
    point->width = params[8];
    point->values_at = at + pos;
    uint64_t exceptions_at = point->values_at + (packed_count * (uint64_t)point->width + 7) / 8;
    if (exceptions_at > point->values_end) {
        return point_corrupt(desc, group, seg, "encoded values longer than the segment", err);
    }
    if (point->values_end - exceptions_at > POINT_RLE_BYTES_MAX) {
        *whole = true;
        return STRATA_OK;
    }
    if (exceptions == 0 && exceptions_at != point->values_end) {
        return point_corrupt(desc, group, seg, "bad exception list", err);
    }
    point->patch->exceptions_at = exceptions_at;
    point->patch->exception_count = (uint32_t)exceptions;
    point->patch->packed_count = (uint32_t)packed_count;
    /* Both walk the list only when a packed value they use is 0 (an exception's
     * bits are 0, so any other value is no exception): a value equal to the base
     * is rare in a long-tailed column, and the list can be thousands of entries,
     * parsed from a known walk position (gaps) up to the position read. */
    return STRATA_OK;
}

/* Reads the encoding's parameters after the NULL bitmap; checks that the
 * encoded values fit in the segment. */
static int open_params(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                       int seg, SegPoint *point, uint64_t at, bool *whole, Error *err)
{
    if (point->encoding == COLENC_FOR_PATCHED || point->encoding == COLENC_DELTA_BLOCKED) {
        return open_patched(txn, desc, arena, group, seg, point, at, whole, err);
    }
    uint8_t params[POINT_PARAMS_MAX] = {0};
    uint64_t left = point->values_end - at;
    size_t avail = left < POINT_PARAMS_MAX ? (size_t)left : POINT_PARAMS_MAX;
    int rc = point_read(txn, desc, group, point, at, (uint32_t)avail, params, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (point->encoding == COLENC_DICT) {
        return open_dict(txn, desc, arena, group, seg, point, at, params, avail, err);
    }
    if (point->encoding == COLENC_RLE) {
        return open_rle(txn, desc, arena, group, seg, point, at, err);
    }
    size_t pos = 0, need = point->encoding == COLENC_FOR     ? 9
                           : point->encoding == COLENC_DELTA ? 17
                                                             : 0;
    if (avail < need) {
        return point_corrupt(desc, group, seg, "segment too short", err);
    }
    if (point->encoding == COLENC_FOR) {
        point->base = params_u64(params, &pos);
        point->width = params[pos++];
    } else if (point->encoding == COLENC_DELTA) {
        point->base = params_u64(params, &pos);
        point->step = params_u64(params, &pos);
        point->width = params[pos++];
    }
    point->values_at = at + pos;
    return STRATA_OK;
}

/* A small compressed segment: read whole, checksum verified, body
 * decompressed once; positions are then read from memory. */
static int open_compressed(PagerTxn *txn, const TableDesc *desc, Arena *arena,
                           const GroupDesc *group, int seg, SegPoint *point, uint64_t *bytes_read,
                           Error *err)
{
    const SegmentRef *ref = &group->segs[seg];
    uint8_t *bytes = arena_alloc(arena, (size_t)ref->length + 1);
    if (bytes == NULL) {
        return arena_error(arena, err);
    }
    int rc = colgroup_stream_read(txn, desc, group, ref->offset, ref->length, bytes, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (bytes_read != NULL) {
        *bytes_read += ref->length;
    }
    const uint8_t *body;
    size_t body_len;
    rc = colseg_body(arena, bytes, ref->length, seg_phys(desc, seg), group->row_count, desc->name,
                     &body, &body_len, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    point->body = body;
    point->body_at = ref->offset + COLSEG_HEADER_BYTES;
    point->values_end = point->body_at + body_len;
    return STRATA_OK;
}

/* point_open with point->prefix read (into the caller's scratch). */
static int open_segment(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                        int seg, SegPoint *point, uint64_t *bytes_read, Error *err)
{
    const SegmentRef *ref = &group->segs[seg];
    PhysKind kind = seg_phys(desc, seg);
    const uint8_t *header = point->prefix;
    uint32_t stored_len = col_get_u32(header + 20);
    if (col_get_u32(header) != POINT_SEGMENT_MAGIC || header[4] != kind ||
        col_get_u32(header + 8) != group->row_count ||
        stored_len != ref->length - COLSEG_HEADER_BYTES ||
        col_get_u32(header + 12) > group->row_count || header[5] >= COLENC_COUNT ||
        header[7] > POINT_NULLS_BITMAP) {
        return point_corrupt(desc, group, seg, "segment header does not match its row group", err);
    }
    point->encoding = header[5];
    point->null_mode = header[7];
    point->null_count = col_get_u32(header + 12);
    /* The delta encoding is read in place only when every delta is the same
     * (width 0: sequential ids); otherwise a position needs the prefix sum. */
    if (!in_place(kind, point->encoding) || point->null_mode == POINT_NULLS_ALL ||
        (header[6] != COLCOMP_NONE && col_get_u32(header + 16) > POINT_COMPRESSED_BYTES_MAX) ||
        (point->encoding == COLENC_RLE && col_get_u32(header + 16) > POINT_RLE_BYTES_MAX)) {
        return decode_whole(txn, desc, arena, group, seg, point, bytes_read, err);
    }
    if (point->null_mode == POINT_NULLS_NONE && point->null_count != 0) {
        return point_corrupt(desc, group, seg, "null count mismatch", err);
    }
    uint64_t at = ref->offset + COLSEG_HEADER_BYTES;
    point->values_end = ref->offset + ref->length;
    int rc = STRATA_OK;
    if (header[6] != COLCOMP_NONE) {
        rc = open_compressed(txn, desc, arena, group, seg, point, bytes_read, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (point->null_mode == POINT_NULLS_BITMAP) {
        rc = open_nulls(txn, desc, arena, group, seg, point, at, err);
        at += (group->row_count + 7) / 8;
    }
    bool whole = false;
    if (rc == STRATA_OK) {
        rc = open_params(txn, desc, arena, group, seg, point, at, &whole, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (whole || point->width > 64 || (point->encoding == COLENC_DELTA && point->width != 0)) {
        return decode_whole(txn, desc, arena, group, seg, point, bytes_read, err);
    }
    uint64_t dense = group->row_count - point->null_count;
    uint64_t size = point->encoding == COLENC_CONSTANT ? 8
                    : point->encoding == COLENC_PLAIN  ? dense * 8
                                                       : (dense * (uint64_t)point->width + 7) / 8;
    if (point->encoding == COLENC_DELTA || point->encoding == COLENC_RLE ||
        point->encoding == COLENC_FOR_PATCHED || point->encoding == COLENC_DELTA_BLOCKED) {
        size = 0; /* checked when opened */
    }
    if (point->values_at + size > point->values_end) {
        return point_corrupt(desc, group, seg, "encoded values longer than the segment", err);
    }
    point->is_open = true;
    return STRATA_OK;
}

static int point_open(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                      int seg, SegPoint *point, uint64_t *bytes_read, Error *err)
{
    const SegmentRef *ref = &group->segs[seg];
    if (ref->length < COLSEG_HEADER_BYTES) {
        return point_corrupt(desc, group, seg, "bad segment header", err);
    }
    /* The header and the bytes after it (the encoding's parameters, a short
     * NULL bitmap or the whole of a small segment) in one read, into a scratch:
     * the reads while opening are served from it. */
    uint8_t prefix[SEGPOINT_PREFIX_BYTES];
    uint32_t prefix_len = ref->length < SEGPOINT_PREFIX_BYTES ? ref->length : SEGPOINT_PREFIX_BYTES;
    int rc = colgroup_stream_read(txn, desc, group, ref->offset, prefix_len, prefix, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    point->prefix = prefix;
    point->prefix_at = ref->offset;
    point->prefix_len = prefix_len;
    rc = open_segment(txn, desc, arena, group, seg, point, bytes_read, err);
    /* Kept only when it holds the whole segment (a constant, a tiny segment):
     * otherwise a later read rarely falls in it, and a fetch cache keeps every
     * group's readers. */
    point->prefix = NULL;
    point->prefix_len = 0;
    if (rc == STRATA_OK && !point->is_decoded && point->body == NULL && prefix_len == ref->length) {
        point->prefix = arena_memdup(arena, prefix, prefix_len);
        if (point->prefix == NULL) {
            return arena_error(arena, err);
        }
        point->prefix_len = prefix_len;
    }
    return rc;
}

/* The exception list is read in pieces by walk_list: the first piece of a walk
 * small (a block's exceptions, star time_key: a few per 256 values, two or three
 * bytes each, from where the last read's walk started), the next ones larger (a
 * walk from the list's start). */
#define EXCEPTION_PIECE_FIRST_BYTES 64u
#define EXCEPTION_PIECE_BYTES 512u
typedef struct ExceptionPiece {
    uint64_t start; /* offset in the list */
    uint32_t len;   /* 0: none read yet */
    uint8_t bytes[EXCEPTION_PIECE_BYTES];
} ExceptionPiece;

/* colpatch_exceptions_sum over the exception list of a patched segment from
 * point->patch->walk, the list read from the segment a piece at a time (piece: the last
 * one read, reused while the walk is inside it). The list is never kept: a fetch
 * cache keeps every group's readers, and a star time_key segment's list is
 * 0.7-4.8 KB. Adds the residuals at [from, to) to *sum. */
static int walk_list(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group, int seg,
                     SegPoint *point, ExceptionPiece *piece, uint64_t from, uint64_t to,
                     uint64_t *sum, Error *err)
{
    uint64_t list_len = point->values_end - point->patch->exceptions_at;
    ColPatchWalk *walk = &point->patch->walk;
    bool fresh =
        piece->len == 0 || walk->pos < piece->start || walk->pos >= piece->start + piece->len;
    for (;;) {
        if (walk->pos > list_len) {
            return point_corrupt(desc, group, seg, "bad exception list", err);
        }
        if (fresh) {
            uint64_t left = list_len - walk->pos;
            uint32_t want = piece->len == 0 ? EXCEPTION_PIECE_FIRST_BYTES : EXCEPTION_PIECE_BYTES;
            piece->start = walk->pos;
            piece->len = left < want ? (uint32_t)left : want;
            int rc = point_read(txn, desc, group, point, point->patch->exceptions_at + piece->start,
                                piece->len, piece->bytes, err);
            if (rc != STRATA_OK) {
                piece->len = 0;
                return rc;
            }
        }
        size_t skip = (size_t)(walk->pos - piece->start);
        ColPatchWalk in_piece = {0, walk->next, walk->done};
        bool ended = colpatch_exceptions_sum(
            piece->bytes + skip, piece->len - skip, point->patch->packed_count,
            point->patch->exception_count, &in_piece, from, to, sum);
        walk->pos += in_piece.pos;
        walk->next = in_piece.next;
        walk->done = in_piece.done;
        if (ended) {
            return STRATA_OK;
        }
        /* Stopped inside an exception: at the list's end, or after a fresh piece
         * of 64 bytes or more in which no exception passed (one takes at most 20
         * bytes), the list is malformed; else the next piece starts there. */
        if (piece->start + piece->len == list_len || (fresh && in_piece.pos == 0)) {
            return point_corrupt(desc, group, seg, "bad exception list", err);
        }
        fresh = true;
    }
}

/* Adds to *sum the residuals of the exceptions at [from, to). The walk starts
 * from the nearest point before from that it knows: where it is, one of the
 * starts of the last reads (a kept segment read at the same few positions every
 * execution, in any order, walks no exception before them), or the list's start;
 * where it reaches from becomes one of those starts. */
static int exceptions_sum(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group, int seg,
                          SegPoint *point, uint64_t from, uint64_t to, uint64_t *sum, Error *err)
{
    SegPatch *patch = point->patch;
    ExceptionPiece piece;
    piece.len = 0;
    if (patch->walk.next > from) {
        memset(&patch->walk, 0, sizeof patch->walk);
    }
    for (int entry = 0; entry < SEGPATCH_WALK_STARTS; entry++) {
        const ColPatchWalk *start = &patch->starts[entry];
        if (start->next <= from && start->pos > patch->walk.pos) {
            patch->walk = *start; /* further along the list, still before from */
        }
    }
    uint64_t none = 0;
    int rc = walk_list(txn, desc, group, seg, point, &piece, from, from, &none, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* A walk state's byte position fixes the rest of it. */
    bool is_known = false;
    for (int entry = 0; !is_known && entry < SEGPATCH_WALK_STARTS; entry++) {
        is_known = patch->starts[entry].pos == patch->walk.pos;
    }
    if (!is_known) {
        patch->starts[patch->starts_next] = patch->walk;
        patch->starts_next = (patch->starts_next + 1) % SEGPATCH_WALK_STARTS;
    }
    return walk_list(txn, desc, group, seg, point, &piece, from, to, sum, err);
}

/* The width-bit value at index of the packed values. */
static int packed_at(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group,
                     const SegPoint *point, uint64_t index, uint64_t *out, Error *err)
{
    if (point->width == 0) {
        *out = 0;
        return STRATA_OK;
    }
    uint64_t bit = index * (uint64_t)point->width;
    uint64_t at = point->values_at + bit / 8;
    uint32_t len = (uint32_t)((bit % 8 + (uint64_t)point->width + 7) / 8);
    if (at + len > point->values_end) {
        len = (uint32_t)(point->values_end - at);
    }
    uint8_t bytes[16] = {0};
    int rc = point_read(txn, desc, group, point, at, len, bytes, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint64_t mask = point->width == 64 ? ~0ULL : (1ULL << point->width) - 1;
    uint64_t shift = bit % 8, low = col_get_u64(bytes);
    /* Two 8-byte loads, the second only when the value passes the first word
     * (a byte loop into 128 bits was 250 instructions a read). */
    uint64_t value = shift + (uint64_t)point->width <= 64
                         ? low >> shift
                         : (low >> shift) | (col_get_u64(bytes + 8) << (64 - shift));
    *out = value & mask;
    return STRATA_OK;
}

/* packed_sum's loop for widths 1-14, four values per 8-byte load, added pairwise
 * inside the word (two lanes of 2 * width bits cannot carry into each other);
 * inlined for each width so that its shifts and masks are constants. */
static inline __attribute__((always_inline)) uint64_t
sum_by_four(const uint8_t *bytes, uint64_t width, uint64_t *row_io, uint64_t to, bool *has_zero)
{
    /* Lanes of width bits: pairs selects lanes 0 and 2, high each lane's top bit. */
    uint64_t lane = (1ULL << width) - 1, four = (1ULL << (4 * width)) - 1;
    uint64_t pairs = lane | (lane << (2 * width)), wide = (1ULL << (2 * width)) - 1;
    uint64_t high =
        (1ULL << (width - 1)) * (1 | 1ULL << width | 1ULL << (2 * width) | 1ULL << (3 * width));
    uint64_t low = four & ~high, sum = 0, row = *row_io, nonzero = high;
    for (; row + 4 <= to; row += 4) {
        uint64_t bit = row * width; /* bit % 8 + 4 * width <= 63 */
        uint64_t word = (col_get_u64(bytes + bit / 8) >> (bit % 8)) & four;
        uint64_t two = (word & pairs) + ((word >> width) & pairs);
        sum += (two & wide) + (two >> (2 * width));
        /* A lane's top bit ends set when any of its bits is (no carry leaves it). */
        nonzero &= ((word & low) + low) | word;
    }
    *row_io = row;
    *has_zero = nonzero != high;
    return sum;
}

/* The sum of the block's packed values [from, to) (read into block->bytes), and
 * whether one of them is 0 (maybe an exception). Star time_key (7-9 bits) summed
 * about 128 values a read at nine instructions each with one load per value. */
static uint64_t packed_sum(const SegPoint *point, BlockScratch *block, uint64_t from, uint64_t to,
                           bool *has_zero)
{
    uint64_t sum = 0, row = from;
    bool zero = false;
    uint64_t width = (uint64_t)point->width;
    const uint8_t *bytes = block->bytes;
    switch (width) {
    case 0:
        *has_zero = from < to;
        return 0;
    default:
        break;
        /* clang-format off */
#define SUM_BY_FOUR(w)                                                                             \
    case w:                                                                                        \
        sum = sum_by_four(bytes, w, &row, to, &zero);                                              \
        break;
    SUM_BY_FOUR(1) SUM_BY_FOUR(2) SUM_BY_FOUR(3) SUM_BY_FOUR(4) SUM_BY_FOUR(5) SUM_BY_FOUR(6)
    SUM_BY_FOUR(7) SUM_BY_FOUR(8) SUM_BY_FOUR(9) SUM_BY_FOUR(10) SUM_BY_FOUR(11) SUM_BY_FOUR(12)
    SUM_BY_FOUR(13) SUM_BY_FOUR(14)
#undef SUM_BY_FOUR
        /* clang-format on */
    }
    if (width <= 56) {
        /* One 8-byte load per value: block_bytes has 8 bytes of room past the block. */
        uint64_t mask = (1ULL << width) - 1;
        for (; row < to; row++) {
            uint64_t bit = row * width;
            uint64_t packed = (col_get_u64(bytes + bit / 8) >> (bit % 8)) & mask;
            sum += packed;
            zero |= packed == 0;
        }
    } else {
        colbits_unpack(bytes, block->values, (size_t)to, (int)width);
        for (; row < to; row++) {
            sum += block->values[row];
            zero |= block->values[row] == 0;
        }
    }
    *has_zero = zero;
    return sum;
}

/* The value at position count of block from one end of the block, without the
 * exceptions of the packed values summed: from its checkpoint forwards over
 * [0, count), or (from_next) back from the next checkpoint over [count, interval).
 * *has_zero: a packed 0 lies in that range (an exception's bits are 0). */
static int block_side(const TableDesc *desc, const GroupDesc *group, int seg, const SegPoint *point,
                      BlockScratch *scratch, uint64_t block, uint64_t count, uint64_t mark,
                      bool from_next, uint64_t *out, bool *has_zero, Error *err)
{
    uint64_t interval = point->patch->checkpoint_interval;
    if (!from_next) {
        uint64_t before = packed_sum(point, scratch, 0, count, has_zero);
        *out = point->step + mark + before + count * point->base;
        return STRATA_OK;
    }
    uint64_t after = packed_sum(point, scratch, count, interval, has_zero);
    uint64_t next_mark;
    if (!colpatch_checkpoint_at(point->patch->checkpoint_bytes, point->patch->checkpoint_bytes_len,
                                point->patch->checkpoint_values_at, point->patch->checkpoint_marks,
                                point->patch->checkpoint_mark_count, (uint32_t)block, &next_mark)) {
        return point_corrupt(desc, group, seg, "bad checkpoint", err);
    }
    *out = point->step + next_mark - after - (interval - count) * point->base;
    return STRATA_OK;
}

/* COLENC_DELTA_BLOCKED: the checkpoint of index's block plus the block's
 * differences before index, or the next checkpoint minus the differences from
 * index on when index lies in the block's second half. When a packed 0 (which
 * may be an exception) lies on that side, the side's exceptions are added from
 * the exception list (walk_list reads the piece it needs; trying the other side
 * first paid off for one star time_key read in seven: its values are 0 often). */
static int blocked_at(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group, int seg,
                      SegPoint *point, uint64_t index, uint64_t *out, Error *err)
{
    BlockScratch scratch; /* the block's packed bits: scratch, so no group keeps it */
    uint64_t interval = point->patch->checkpoint_interval;
    uint64_t block = index / interval;
    uint64_t start = block * interval, count = index - start;
    uint64_t mark = 0;
    if (block > 0 && (block > point->patch->checkpoint_count ||
                      !colpatch_checkpoint_at(
                          point->patch->checkpoint_bytes, point->patch->checkpoint_bytes_len,
                          point->patch->checkpoint_values_at, point->patch->checkpoint_marks,
                          point->patch->checkpoint_mark_count, (uint32_t)(block - 1), &mark))) {
        return point_corrupt(desc, group, seg, "bad checkpoint", err);
    }
    if (count == 0) {
        *out = point->step + mark;
        return STRATA_OK;
    }
    bool from_next = block < point->patch->checkpoint_count && 2 * count > interval;
    int rc = STRATA_OK;
    if (point->width > 0) {
        /* start is a multiple of 8 values, so the block starts on a byte; the
         * bytes of the side summed are read where they lie in the block (all of
         * them for widths past 56, which are unpacked from the block's start). */
        uint64_t first_byte =
            from_next && point->width <= 56 ? count * (uint64_t)point->width / 8 : 0;
        uint64_t end_byte = ((from_next ? interval : count) * (uint64_t)point->width + 7) / 8;
        uint64_t at = point->values_at + start * (uint64_t)point->width / 8 + first_byte;
        rc = point_read(txn, desc, group, point, at, (uint32_t)(end_byte - first_byte),
                        scratch.bytes + first_byte, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    bool has_zero;
    rc = block_side(desc, group, seg, point, &scratch, block, count, mark, from_next, out,
                    &has_zero, err);
    if (rc != STRATA_OK || !has_zero || point->patch->exception_count == 0) {
        return rc;
    }
    /* The side's exceptions: their packed bits are 0, so their residuals are
     * added (before index) or taken off (from index on). */
    uint64_t residuals = 0;
    rc = from_next ? exceptions_sum(txn, desc, group, seg, point, index, start + interval,
                                    &residuals, err)
                   : exceptions_sum(txn, desc, group, seg, point, start, index, &residuals, err);
    *out = from_next ? *out - residuals : *out + residuals;
    return rc;
}

/* The 8-byte value (int64 or float64 bits) at dense index. */
static int bits_at(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                   int seg, SegPoint *point, uint64_t index, uint64_t *out, Error *err)
{
    uint8_t bytes[8];
    int rc = STRATA_OK;
    switch (point->encoding) {
    case COLENC_CONSTANT:
    case COLENC_PLAIN:
        rc = point_read(txn, desc, group, point,
                        point->values_at + (point->encoding == COLENC_PLAIN ? index * 8 : 0), 8,
                        bytes, err);
        *out = col_get_u64(bytes);
        return rc;
    case COLENC_FOR:
        rc = packed_at(txn, desc, group, point, index, out, err);
        *out += point->base;
        return rc;
    case COLENC_DELTA:
        *out = point->base + index * point->step;
        return STRATA_OK;
    case COLENC_FOR_PATCHED: {
        rc = packed_at(txn, desc, group, point, index, out, err);
        if (rc != STRATA_OK || *out != 0 || point->patch->exception_count == 0) {
            *out += point->base;
            return rc;
        }
        /* An exception's packed bits are 0: the residual of one at index, if any. */
        uint64_t residual = 0;
        rc = exceptions_sum(txn, desc, group, seg, point, index, index + 1, &residual, err);
        *out = point->base + residual;
        return rc;
    }
    case COLENC_DELTA_BLOCKED:
        return blocked_at(txn, desc, group, seg, point, index, out, err);
    case COLENC_RLE: {
        uint64_t low = 0, high = point->dict_count - 1;
        while (low < high) {
            uint64_t mid = low + (high - low) / 2;
            if (point->run_ends[mid] > index) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        *out = point->dict[low];
        return STRATA_OK;
    }
    default: /* COLENC_DICT */
        rc = packed_at(txn, desc, group, point, index, out, err);
        if (rc == STRATA_OK && *out >= point->dict_count) {
            return point_corrupt(desc, group, seg, "bad dictionary code", err);
        }
        *out = rc == STRATA_OK ? point->dict[*out] : 0;
        return rc;
    }
}

int colpoint_get(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                 int seg, SegPoint *point, uint32_t row, SqlType type, Value *out,
                 uint64_t *bytes_read, Error *err)
{
    int rc = STRATA_OK;
    if (!point->is_open) {
        rc = point_open(txn, desc, arena, group, seg, point, bytes_read, err);
    } else if (!point->is_decoded && ++point->reads > SEGPOINT_DECODE_AFTER) {
        rc = decode_whole(txn, desc, arena, group, seg, point, bytes_read, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (point->is_decoded) {
        colcol_get(&point->decoded, row, type, out);
        return STRATA_OK;
    }
    memset(out, 0, sizeof *out);
    out->type = type;
    uint64_t index = row;
    if (point->null_bits != NULL) {
        uint64_t word;
        memcpy(&word, point->null_bits + (size_t)(row / 64) * 8, 8);
        if ((word >> (row % 64)) & 1) {
            out->is_null = true;
            return STRATA_OK;
        }
        uint64_t below = row % 64 == 0 ? 0 : word & ((1ULL << (row % 64)) - 1);
        index =
            point->nonnull_before[row / 64] + (row % 64) - (uint64_t)__builtin_popcountll(below);
    }
    uint64_t bits;
    rc = bits_at(txn, desc, arena, group, seg, point, index, &bits, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    PhysKind kind = seg_phys(desc, seg);
    if (kind == PHYS_BOOL) {
        out->b = bits != 0;
    } else if (kind == PHYS_F64) {
        memcpy(&out->f64, &bits, 8);
    } else {
        out->i64 = (int64_t)bits;
    }
    return STRATA_OK;
}
