/*
 * storage/column/column_int.h - private to src/storage/column/: decoded
 * columns, segment encodings and zone maps, row-group I/O. Never include from
 * outside the folder (STYLE.md section 2).
 *
 * Invariants
 *   1. A ColumnData of count rows holds count value slots of its kind
 *      (phys_width bytes each); a NULL slot is zeroed and never read.
 *   2. Segment bytes produced by colseg_encode() decode with colseg_decode()
 *      to the identical ColumnData (bit for bit for floats, NaN payloads and
 *      -0 included); every byte read from disk is validated first.
 *   3. Zone maps are bounds, never exact claims: min <= every non-NULL value <=
 *      max in the order of colzone_compare(), when has_min / has_max.
 *
 * Threads: pure functions and per-transaction state; no shared mutable state
 * except the row-group size knob (column_set_row_group_rows, tests only).
 * Formats: src/storage/column/README.md.
 */
#ifndef STRATA_STORAGE_COLUMN_INT_H
#define STRATA_STORAGE_COLUMN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "storage/column/column.h"
#include "storage/tam.h"
#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

/* ---- Encodings -------------------------------------------------------------------- */

typedef enum ColumnEncoding {
    COLENC_PLAIN = 0,      /* values one after another (strings: lengths, then bytes) */
    COLENC_CONSTANT = 1,   /* one value for every non-NULL row */
    COLENC_DICT = 2,       /* distinct values + bit-packed codes */
    COLENC_RLE = 3,        /* run lengths + one value per run */
    COLENC_FOR = 4,        /* int64: minimum + bit-packed offsets (frame of reference) */
    COLENC_DELTA = 5,      /* int64: first + bit-packed deltas over their minimum */
    COLENC_DELTA2 = 6,     /* int64: first, first delta, bit-packed delta-of-deltas */
    COLENC_GORILLA = 7,    /* float64: XOR with the previous value (Gorilla, VLDB 2015) */
    COLENC_DEC_SCALED = 8, /* numeric: one scale, int64 coefficients through an int64 encoding */
    COLENC_FOR_PATCHED = 9,   /* int64: frame of reference with exceptions (column_patch.c) */
    COLENC_DELTA_PATCHED = 10, /* int64: first + deltas through COLENC_FOR_PATCHED's layout */
    COLENC_DELTA_BLOCKED = 11, /* int64: COLENC_DELTA_PATCHED + a checkpoint every
                                * COLPATCH_CHECKPOINT_ROWS values (read in place) */
    COLENC_REF_DIFF = 12,  /* int64 without NULLs: u16 column, u8 inner encoding, the
                            * differences to that column's values through it */
    COLENC_COUNT
} ColumnEncoding;

typedef enum ColumnCompression {
    COLCOMP_NONE = 0,
    COLCOMP_LZ4 = 1,
    COLCOMP_ZSTD = 2,
} ColumnCompression;

/* Name of an encoding for benchmarks and EXPLAIN ("delta", ...). */
const char *colenc_name(int encoding);

/* Bits needed for value (0 for 0). */
static inline int bits_for(uint64_t value)
{
    return value == 0 ? 0 : 64 - __builtin_clzll(value);
}

/* Bit packing, least significant bit first: count values of width (0..64) bits
 * to or from (count * width + 7) / 8 bytes (column_encode.c). */
void colbits_pack(uint8_t *out, const uint64_t *values, size_t count, int width);
void colbits_unpack(const uint8_t *in, uint64_t *values, size_t count, int width);

/* ---- Patched frame of reference (column_patch.c) ----------------------------------
 * Bit packing where a few values do not fit the width (Zukowski et al., "Super-Scalar
 * RAM-CPU Cache Compression", ICDE 2006, PFOR): every value is stored as the low
 * `width` bits of value - base, the exceptions (value < base or value - base >=
 * 2^width) once more in full after the packed bits. Layout:
 *   u64 base  u8 width  varint exception count  packed bits (count values)
 *   per exception: varint gap (position - previous position - 1; the first:
 *   its position), varint zigzag((int64)(value - base))
 * All arithmetic wraps modulo 2^64, so every int64 sequence round-trips. */
typedef struct ColPatchPlan {
    uint64_t base;
    int width;
    uint32_t exceptions;
    size_t bytes;           /* the encoded size; SIZE_MAX: not planned (quick) */
} ColPatchPlan;

/* Chooses base and width for the smallest encoding of values[0..count). quick:
 * skip (bytes = SIZE_MAX) when a sample shows exceptions cannot pay. */
void colpatch_plan(Arena *arena, const int64_t *values, uint32_t count, bool quick,
                   ColPatchPlan *plan);

/* Writes values in plan's layout: exactly plan->bytes bytes to out (scratch
 * from arena). False when out of memory. */
bool colpatch_write(Arena *arena, const int64_t *values, uint32_t count,
                    const ColPatchPlan *plan, uint8_t *out);

/* Reads count values from in[0..avail) into values (scratch from arena);
 * returns the bytes consumed, 0 when the bytes are malformed or short. */
size_t colpatch_read(Arena *arena, const uint8_t *in, size_t avail, int64_t *values,
                     uint32_t count);

/* Parses the next exception of a patched layout's list for a point reader:
 * in[0..avail) holds the exceptions (after the packed bits) of count values,
 * *pos the next byte, *next the lowest position the exception may have (0 at
 * the start). Sets *row and *residual (value - base, wrapping); false when
 * malformed (a gap past count, a short or overlong varint). */
bool colpatch_next_exception(const uint8_t *in, size_t avail, size_t *pos, uint64_t *next,
                             uint32_t count, uint32_t *row, uint64_t *residual);

/* A walk over a patched layout's exception list (for a point reader that sums
 * the exceptions of one block): pos the next byte, next the lowest position the
 * next exception may have, done the exceptions passed. Zero = the list's start. */
typedef struct ColPatchWalk {
    size_t pos;
    uint64_t next;
    uint32_t done;
} ColPatchWalk;

/* Adds to *sum the residuals of the exceptions at positions [from, to), walking
 * from *walk (which must not be past from: restart with a zeroed walk) and
 * leaving it at the first exception at or past to. Exceptions before from are
 * passed four at a time when their gaps and residuals are one byte each. in,
 * avail, count and exception_count as for colpatch_next_exception. False when
 * malformed or when in[0..avail) ends inside an exception: *walk and *sum then
 * stand just before that exception (a reader holding only a piece of the list
 * reads on from walk->pos). */
bool colpatch_exceptions_sum(const uint8_t *in, size_t avail, uint32_t count,
                             uint32_t exception_count, ColPatchWalk *walk, uint64_t from,
                             uint64_t to, uint64_t *sum);

/* ---- Checkpoints of COLENC_DELTA_BLOCKED ---------------------------------------
 * A delta encoding must add up every difference before a position to read it; a
 * checkpoint (the value itself) every COLPATCH_CHECKPOINT_ROWS values bounds that
 * to one block (a point read unpacks at most that many differences). Layout,
 * between the first value and the patched differences:
 *   varint interval K (a multiple of 8, so a block's packed bits start on a byte)
 *   varint checkpoint count C = (count - 1) / K
 *   C varints zigzag((int64)(value[c * K] - first)), c = 1 .. C */
#define COLPATCH_CHECKPOINT_ROWS 256u
#define COLPATCH_CHECKPOINT_ROWS_MAX 65536u
_Static_assert(COLPATCH_CHECKPOINT_ROWS_MAX / 8 <= UINT16_MAX, "checkpoint marks are 16 bits");

/* Bytes of the checkpoint block for values[0..count) (count >= 1). */
size_t colpatch_checkpoints_size(const int64_t *values, uint32_t count);
/* Writes it to out (colpatch_checkpoints_size bytes); returns the bytes written. */
size_t colpatch_checkpoints_write(const int64_t *values, uint32_t count, uint8_t *out);
/* Parses a checkpoint block of count values (count >= 1) from in[0..avail): *interval
 * gets K, checkpoints (when not NULL, room for count / 8 + 1 entries) the C values
 * relative to the first (wrapping); returns the bytes consumed, 0 when malformed. */
size_t colpatch_checkpoints_read(const uint8_t *in, size_t avail, uint32_t count,
                                 uint32_t *interval, uint64_t *checkpoints,
                                 uint32_t *checkpoint_count);

/* As colpatch_checkpoints_read without decoding them: returns the bytes used
 * (0 when malformed) and in *values_at where the checkpoint varints start;
 * colpatch_checkpoint_at decodes checkpoint index (0-based) from there. A
 * point read needs one per block it reads (star q10: one row per group).
 * marks (NULL, or room for (avail - *values_at) / 8 + 1 entries) gets per 8-byte
 * word of the checkpoints, from *values_at, how many varints end before it
 * (*mark_count words), so colpatch_checkpoint_at starts at the word of its
 * checkpoint instead of skipping every varint before it (NULL / 0: from the start).
 * A mark is 16 bits: a group has at most COLPATCH_CHECKPOINT_ROWS_MAX / 8
 * checkpoints (an interval is at least 8), and a fetch cache keeps the marks of
 * every group it holds. */
size_t colpatch_checkpoints_skip(const uint8_t *in, size_t avail, uint32_t count,
                                 uint32_t *interval, uint32_t *checkpoint_count,
                                 size_t *values_at, uint16_t *marks, uint32_t *mark_count);
bool colpatch_checkpoint_at(const uint8_t *in, size_t avail, size_t values_at,
                            const uint16_t *marks, uint32_t mark_count, uint32_t index,
                            uint64_t *out);

/* A decoded column (or a slice of one): invariant 1. */
typedef struct ColumnData {
    PhysKind kind;
    uint32_t count;
    uint8_t *nulls;   /* NULL = no NULLs; else count bytes, 1 = NULL */
    void *values;     /* count * phys_width(kind) bytes */
} ColumnData;

/* Per-segment statistics (zone map). */
typedef struct ZoneMap {
    bool has_min, has_max;
    Value min, max;         /* strings borrowed from the segment's arena */
    uint32_t null_count;
    uint32_t distinct;      /* estimate (exact up to the dictionary cap) */
} ZoneMap;

/* An encoded segment. */
typedef struct EncodedSegment {
    uint8_t *bytes;         /* arena-owned: header + stored body */
    size_t len;
    int encoding;
    int compression;
    size_t raw_body_len;    /* body size before compression (bytes-per-value reporting) */
    ZoneMap zone;
} EncodedSegment;

/* Header bytes before a segment's body (format in README.md). */
#define COLSEG_HEADER_BYTES 32
/* Longest string kept whole in a zone map; longer ones keep a prefix as min
 * and drop max (a prefix is a lower bound, never an upper bound). */
#define COLZONE_STRING_MAX 64

/* Encodes col, choosing the encoding from the data (force_encoding >= 0 forces
 * one, for tests; STRATA_ERROR if it does not apply). bytes live in arena. */
int colseg_encode(Arena *arena, const ColumnData *col, int force_encoding, EncodedSegment *out,
                  Error *err);

/* Validates and decodes a segment of kind / count rows into out (arena).
 * Bad bytes -> STRATA_CORRUPT; the message names what (the caller names the
 * table and segment: what is "column \"a\" of row group 3 of table \"t\""). */
int colseg_decode(Arena *arena, const uint8_t *bytes, size_t len, PhysKind kind, uint32_t count,
                  const char *what, ColumnData *out, Error *err);

/* As colseg_decode; a COLENC_REF_DIFF segment decodes to its differences and
 * *ref_column (-1 otherwise) names the column whose values the caller must add
 * (colgroup_read_segment). colseg_decode rejects such a segment (XX001). */
int colseg_decode_ref(Arena *arena, const uint8_t *bytes, size_t len, PhysKind kind,
                      uint32_t count, const char *what, ColumnData *out, int *ref_column,
                      Error *err);

/* Encodes col (int64, no NULLs) as its differences to ref (int64, no NULLs,
 * column ref_column of the same group); the zone map is zone (col's own). */
int colseg_encode_ref(Arena *arena, const ColumnData *col, const ColumnData *ref, int ref_column,
                      const ZoneMap *zone, EncodedSegment *out, Error *err);

/* Validates a segment (header, checksum) and returns its body decompressed:
 * *body points into bytes or into arena. For reads of single positions. */
int colseg_body(Arena *arena, const uint8_t *bytes, size_t len, PhysKind kind, uint32_t count,
                const char *what, const uint8_t **body, size_t *body_len, Error *err);

/* Reads the encoding byte of a validated header (for tests and benchmarks). */
int colseg_encoding_of(const uint8_t *bytes, size_t len);

/* Total order of non-NULL values of one physical kind as SQL orders them:
 * floats with NaN above +Infinity and -0 = 0, numeric by value, strings
 * bytewise (C collation), intervals by their span. */
int colzone_compare(PhysKind kind, const Value *a, const Value *b);

/* True if rows of a segment with zone map zone may satisfy filter (whose
 * constants have kind's physical kind; others must be screened out before). */
bool colzone_may_match(PhysKind kind, const ZoneMap *zone, uint32_t row_count,
                       const ScanFilter *filter);

/* Zone map value (de)serialization for row-group descriptors: returns bytes
 * written / consumed (0 on malformed input for read). Strings borrowed from in. */
size_t colzone_value_write(PhysKind kind, const Value *value, uint8_t *out);
size_t colzone_value_size(PhysKind kind, const Value *value);
size_t colzone_value_read(PhysKind kind, const uint8_t *in, size_t avail, Value *out);

/* ---- Small byte helpers shared by the folder ------------------------------------- */

static inline void col_put_u32(uint8_t *out, uint32_t value)
{
    for (int pos = 0; pos < 4; pos++) {
        out[pos] = (uint8_t)(value >> (8 * pos));
    }
}
static inline void col_put_u64(uint8_t *out, uint64_t value)
{
    for (int pos = 0; pos < 8; pos++) {
        out[pos] = (uint8_t)(value >> (8 * pos));
    }
}
/* Little-endian loads: one unaligned load on a little-endian host (the byte loop
 * was not merged at -O2 and was most of a row-group descriptor's parse). */
static inline uint32_t col_get_u32(const uint8_t *in)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t value;
    memcpy(&value, in, sizeof value);
    return value;
#else
    uint32_t value = 0;
    for (int pos = 0; pos < 4; pos++) {
        value |= (uint32_t)in[pos] << (8 * pos);
    }
    return value;
#endif
}
static inline uint64_t col_get_u64(const uint8_t *in)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t value;
    memcpy(&value, in, sizeof value);
    return value;
#else
    uint64_t value = 0;
    for (int pos = 0; pos < 8; pos++) {
        value |= (uint64_t)in[pos] << (8 * pos);
    }
    return value;
#endif
}
static inline void col_put_be64(uint8_t *out, uint64_t value)
{
    for (int pos = 0; pos < 8; pos++) {
        out[pos] = (uint8_t)(value >> (56 - 8 * pos));
    }
}
static inline uint64_t col_get_be64(const uint8_t *in)
{
    uint64_t value = 0;
    for (int pos = 0; pos < 8; pos++) {
        value = (value << 8) | in[pos];
    }
    return value;
}

/* ---- Keys of the table's B+tree (README.md, "Directory") -------------------------- */

enum {
    COLKEY_META = 0x00,     /* 0x00: the ColumnMeta record */
    COLKEY_GROUP = 0x01,    /* 0x01 + first row number (u64 BE): row-group descriptor */
    COLKEY_DELETES = 0x02,  /* 0x02 + first row number (u64 BE): delete vector */
    COLKEY_BUFFER = 0x03,   /* 0x03 + row number (u64 BE): rowcodec of a buffered row */
    COLKEY_PKEY = 0x04,     /* 0x04 + keycodec(primary key): row number (u64 BE) */
};
#define COLKEY_NUM_BYTES 9

static inline void colkey_num(uint8_t out[COLKEY_NUM_BYTES], int tag, uint64_t number)
{
    out[0] = (uint8_t)tag;
    col_put_be64(out + 1, number);
}

/* The table's counters, stored under COLKEY_META (format in README.md). */
typedef struct ColumnMeta {
    uint32_t row_group_rows;
    uint64_t next_rownum;   /* row numbers start at 1 */
    uint64_t live_rows;
    uint64_t buffer_rows;
    uint64_t group_count;
    uint64_t segment_bytes; /* stored bytes of all row groups' streams */
} ColumnMeta;

/* A bulk load's remainder of at least row_group_rows / COLUMN_BULK_TAIL_FRACTION
 * rows becomes a (smaller) row group instead of going to the write buffer. */
#define COLUMN_BULK_TAIL_FRACTION 4u

int colmeta_load(PagerTxn *txn, const TableDesc *desc, ColumnMeta *out, Error *err);
int colmeta_store(PagerTxn *txn, const TableDesc *desc, const ColumnMeta *meta, Error *err);

/* Where a segment lies in its group's stream and how it is stored: what a point
 * read keeps of a descriptor entry (16 bytes; the zone map, 128 bytes, is apart in
 * GroupDesc.zones, so a fetch cache holds every group a point query touches). */
typedef struct SegmentRef {
    uint64_t offset;        /* in the row group's byte stream */
    uint32_t length;
    uint8_t encoding, compression;
} SegmentRef;

/* A parsed row-group descriptor; segs[column_count] is the row-number segment. */
/* The last few stream pages a row fetch read, kept pinned (their headers
 * checked once), so a fetch's many small reads of one group (segment headers,
 * parameters, packed values) go to the pager once per page. */
#define STREAM_MEMO_PAGES 4
typedef struct StreamMemo {
    uint32_t index[STREAM_MEMO_PAGES]; /* page index in the group's stream */
    Page *page[STREAM_MEMO_PAGES];     /* pinned */
    int count, next;                   /* next: the entry replaced next */
} StreamMemo;

/* Unpins the memo's pages and empties it. */
void colgroup_memo_release(StreamMemo *memo);

typedef struct GroupDesc {
    uint64_t first_rownum, last_rownum;
    uint32_t row_count;
    uint32_t column_count;
    uint32_t page_count;
    uint64_t stream_bytes;
    SegmentRef *segs;
    ZoneMap *zones;   /* zones[seg] of segs[seg]; NULL when parsed for a fetch (colgroup_find) */
    Pgno *pages;
    StreamMemo *memo; /* NULL (scans), or the locator's for this group (set by the caller) */
} GroupDesc;

/* Payload bytes per stream page (after the 8-byte page header). */
#define COLPAGE_HEADER_BYTES 8
#define COLPAGE_PAYLOAD (PAGE_USABLE_SIZE - COLPAGE_HEADER_BYTES)

/* Encodes and writes one row group of count rows (cols[desc->column_count],
 * rownums strictly increasing) and its descriptor. *stream_bytes_out gets its
 * stored size. Scratch memory from arena. */
int colgroup_write(PagerTxn *txn, const TableDesc *desc, Arena *arena, const ColumnData *cols,
                   const int64_t *rownums, uint32_t count, uint64_t *stream_bytes_out, Error *err);

/* Validates and parses descriptor bytes (borrowed into out). */
int colgroup_parse(const TableDesc *desc, Arena *arena, const uint8_t *bytes, size_t len,
                   GroupDesc *out, Error *err);

/* Reads and decodes segment seg (0..column_count, the last = row numbers) of
 * group into out (arena); adds the stored bytes read to *bytes_read. */
int colgroup_read_segment(PagerTxn *txn, const TableDesc *desc, Arena *arena,
                          const GroupDesc *group, int seg, ColumnData *out, uint64_t *bytes_read,
                          Error *err);

/* Copies stream bytes [offset, offset + len) of the group (a range past the
 * stream's end is STRATA_CORRUPT). For reads of single positions. */
int colgroup_stream_read(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group,
                         uint64_t offset, uint32_t len, uint8_t *out_bytes, Error *err);

/* A segment read one row position at a time (column_point.c), for fetches by
 * row id: FOR, plain, constant, dictionary, run-length and width-0 delta
 * segments of int64 / bool / float64 columns are read in place (a few bytes
 * from one page; a small lz4/zstd segment is decompressed once); any other
 * segment, or one read often (SEGPOINT_DECODE_AFTER reads), is decoded whole
 * once and kept. Zeroed = not opened yet; lives as long as the arena given to
 * colpoint_get (reset with the group). */
/* What a SegPoint of a patched encoding (for_patched, delta_blocked) reads by:
 * apart, so the readers of other segments (a fetch cache keeps one per segment
 * read of every group) do not carry it. */
#define SEGPATCH_WALK_STARTS 4
typedef struct SegPatch {
    /* Where the exception list starts and the count of packed values. The list is
     * not kept: `walk` reads the pieces it passes from the segment (its positions
     * are the list's own, from exceptions_at). */
    uint64_t exceptions_at;
    uint32_t packed_count;
    uint32_t exception_count;
    /* COLENC_DELTA_BLOCKED: value[c * interval] - first for c = 1.. (a block's
     * packed differences are read into a scratch of the read, not kept). */
    const uint8_t *checkpoint_bytes;   /* colpatch_checkpoints_skip's input */
    size_t checkpoint_bytes_len, checkpoint_values_at;
    uint16_t *checkpoint_marks;        /* colpatch_checkpoints_skip's word marks */
    uint32_t checkpoint_mark_count;
    uint32_t checkpoint_count;
    uint32_t checkpoint_interval;
    ColPatchWalk walk; /* through the exception list (ascending reads continue it) */
    /* Where the last SEGPATCH_WALK_STARTS reads' walks reached their first position
     * (exceptions_sum), so that a kept group read at the same few positions every
     * execution walks no exception before them. */
    ColPatchWalk starts[SEGPATCH_WALK_STARTS];
    uint32_t starts_next; /* the entry replaced next */
} SegPatch;

#define SEGPOINT_PREFIX_BYTES 96
typedef struct SegPoint {
    bool is_open;
    bool is_decoded; /* decoded holds the whole column */
    ColumnData decoded;
    int encoding;
    int null_mode;
    uint32_t null_count;
    const uint8_t *null_bits; /* NULL bitmap (bit set = NULL) when null_mode is 2 */
    uint32_t *nonnull_before; /* non-NULL rows before each 64-row block (bitmap only) */
    uint64_t values_at;       /* stream offset of the encoded values (packed, plain, constant) */
    uint64_t values_end;      /* stream offset just past the segment */
    uint64_t base, step;      /* FOR minimum / delta first value and minimum delta */
    int width;                /* bits per packed value */
    const uint64_t *dict;     /* dictionary entries, or each run's value (8-byte kinds) */
    uint64_t dict_count;      /* entries, or runs */
    const uint64_t *run_ends; /* rle: dense index just past each run */
    const uint8_t *body;      /* compressed segment: its body decompressed, read from memory;
                               * offsets stay stream offsets as if it were stored raw */
    uint64_t body_at;         /* stream offset of the body's first byte */
    uint32_t reads;
    uint32_t reads_epoch; /* ColLocator.epoch of the call that counted reads (fetch cache) */
    SegPatch *patch; /* patched encodings (for_patched, delta_blocked), else NULL */
    /* The segment's first SEGPOINT_PREFIX_BYTES (header, parameters), read once
     * at open; reads inside them are served from here. Kept after the open only
     * when that is the whole segment (else NULL, prefix_len 0). */
    uint64_t prefix_at;
    uint32_t prefix_len;
    const uint8_t *prefix;
} SegPoint;

#define SEGPOINT_DECODE_AFTER 512

/* Row `row` of segment `seg` of group into *out (type `type`; strings borrowed
 * from arena). Opens point on first use (header validated; in-place reads rely
 * on the pager's page checksums, a whole decode on the segment's). The stored
 * bytes of whole decodes are added to *bytes_read when not NULL. */
int colpoint_get(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                 int seg, SegPoint *point, uint32_t row, SqlType type, Value *out,
                 uint64_t *bytes_read, Error *err);

/* Row numbers of the group (computed when the group is dense). */
int colgroup_rownums(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                     const int64_t **out, Error *err);

/* Frees the group's pages and removes its descriptor and delete vector. */
int colgroup_remove(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group, Error *err);

/* Delete vector of a group: bits[row_count bits], deleted = set bits. */
typedef struct DeleteVector {
    uint64_t first_rownum;
    uint32_t row_count;
    uint32_t deleted;
    uint8_t *bits;          /* NULL: no row deleted (coldel_mark allocates) */
} DeleteVector;

/* Loads (all zero when absent) / stores a group's delete vector. */
int coldel_load(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                DeleteVector *out, Error *err);
int coldel_store(PagerTxn *txn, const TableDesc *desc, Arena *arena, const DeleteVector *dv,
                 Error *err);

static inline bool coldel_is_deleted(const DeleteVector *dv, uint32_t row)
{
    return dv->bits != NULL && ((dv->bits[row / 8] >> (row % 8)) & 1);
}

/* Sets row's bit (a new bitmap from arena when there was none); false when out of memory. */
static inline bool coldel_mark(Arena *arena, DeleteVector *dv, uint32_t row)
{
    if (dv->bits == NULL) {
        dv->bits = arena_zalloc(arena, (dv->row_count + 7) / 8 + 1);
        if (dv->bits == NULL) {
            return false;
        }
    }
    dv->bits[row / 8] |= (uint8_t)(1u << (row % 8));
    dv->deleted++;
    return true;
}

/* Finds the group holding rownum (descriptor parsed into arena); *found false
 * if no group's range holds it. */
int colgroup_find(PagerTxn *txn, const TableDesc *desc, Arena *arena, uint64_t rownum,
                  GroupDesc *out, bool *found, Error *err);
/* A copy of group's segment list and page numbers in arena (the rest by value):
 * what a point read keeps of a descriptor found in scratch memory. STRATA_NOMEM
 * when arena cannot hold it. */
int colgroup_copy(Arena *arena, const GroupDesc *group, GroupDesc *out);

/* Index of rownum within the group's rows, or -1. rownums may be NULL for a
 * dense group (consecutive row numbers): the index is then computed. */
int64_t colgroup_offset_of(const GroupDesc *group, const int64_t *rownums, uint64_t rownum);

#endif
