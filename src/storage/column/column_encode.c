/*
 * storage/column/column_encode.c - column segments: the encodings, the
 * chooser that picks one from the data, general compression over the result,
 * and the framed, checksummed segment format (README.md, "Segment format").
 *
 * Values are encoded densely (NULL rows are described by the null section
 * and take no value slot). Integer-like data (int64, bool, scaled numeric)
 * goes through the int64 chooser (constant, frame of reference, delta,
 * delta-of-delta, run-length, dictionary, plain), estimated by formula from
 * one pass of statistics; everything else through the generic chooser over
 * serialized values (constant, dictionary, run-length, plain, and Gorilla XOR
 * for doubles, measured by a trial encoding).
 *
 * Invariants: column_int.h 2 (exact round trip) and 3 (zone maps are bounds).
 * Every byte of a segment is input when decoding: lengths, widths, codes and
 * run lengths are checked, then the checksum; failures are STRATA_CORRUPT.
 * Threads: pure functions.
 */
#include <lz4.h>
#include <math.h>
#include <string.h>
#include <zstd.h>

#include "storage/column/column_int.h"
#include "types/numeric.h"
#include "util/assert.h"
#include "util/checksum.h"
#include "util/varint.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "segment values are stored little-endian");

#define SEGMENT_MAGIC 0x47455343u /* "CSEG" */
#define DICT_DISTINCT_MAX 16384u  /* larger dictionaries rarely beat bit packing */
#define LINEAR_COUNT_BITS 65536u  /* distinct estimate beyond the dictionary cap */
#define COMPRESS_MIN_BYTES 128u

enum { NULLS_NONE = 0, NULLS_ALL = 1, NULLS_BITMAP = 2 };

/* ---- Growable byte buffer in an arena -------------------------------------------- */

typedef struct Buf {
    Arena *arena;
    uint8_t *data;
    size_t len, cap;
    bool failed;
} Buf;

static uint8_t *buf_reserve(Buf *buf, size_t extra)
{
    if (buf->failed) {
        return NULL;
    }
    if (buf->len + extra > buf->cap) {
        size_t cap = buf->cap < 256 ? 256 : buf->cap;
        while (cap < buf->len + extra) {
            cap *= 2;
        }
        uint8_t *data = arena_realloc(buf->arena, buf->data, buf->cap, cap);
        if (data == NULL) {
            buf->failed = true;
            return NULL;
        }
        buf->data = data;
        buf->cap = cap;
    }
    return buf->data + buf->len;
}

static void buf_put(Buf *buf, const void *bytes, size_t len)
{
    uint8_t *out = buf_reserve(buf, len);
    if (out != NULL && len > 0) {
        memcpy(out, bytes, len);
        buf->len += len;
    }
}

static void buf_u8(Buf *buf, uint8_t value) { buf_put(buf, &value, 1); }

static void buf_u64(Buf *buf, uint64_t value)
{
    uint8_t bytes[8];
    col_put_u64(bytes, value);
    buf_put(buf, bytes, 8);
}

static void buf_varint(Buf *buf, uint64_t value)
{
    uint8_t bytes[VARINT_MAX_BYTES];
    buf_put(buf, bytes, varint_put(bytes, value));
}

/* ---- Bounds-checked reader --------------------------------------------------------- */

typedef struct Rd {
    const uint8_t *data;
    size_t len, pos;
    bool bad;
} Rd;

static const uint8_t *rd_bytes(Rd *rd, size_t len)
{
    if (rd->bad || len > rd->len - rd->pos) {
        rd->bad = true;
        return NULL;
    }
    const uint8_t *out = rd->data + rd->pos;
    rd->pos += len;
    return out;
}

static uint8_t rd_u8(Rd *rd)
{
    const uint8_t *p = rd_bytes(rd, 1);
    return p != NULL ? p[0] : 0;
}

static uint64_t rd_u64(Rd *rd)
{
    const uint8_t *p = rd_bytes(rd, 8);
    return p != NULL ? col_get_u64(p) : 0;
}

static uint64_t rd_varint(Rd *rd)
{
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t byte = rd_u8(rd);
        if (rd->bad) {
            return 0;
        }
        value |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            return value;
        }
    }
    rd->bad = true;
    return 0;
}

/* ---- Bit packing (LSB first) ----------------------------------------------------- */


void colbits_pack(uint8_t *out, const uint64_t *values, size_t count, int width)
{
    if (width == 0) {
        return;
    }
    uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
    unsigned __int128 acc = 0;
    int held = 0;
    size_t pos = 0;
    for (size_t row = 0; row < count; row++) {
        acc |= (unsigned __int128)(values[row] & mask) << held;
        held += width;
        while (held >= 8) {
            out[pos++] = (uint8_t)acc;
            acc >>= 8;
            held -= 8;
        }
    }
    if (held > 0) {
        out[pos++] = (uint8_t)acc;
    }
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Values [0, returned) of width bits (a constant where inlined): eight values are width
 * bytes, so each value's byte offset and shift within a group of eight are constants
 * (one load, shift, mask and store a value; the loop below recomputes them). Stops
 * where a group's last 8-byte load would pass in_bytes. */
static inline __attribute__((always_inline)) size_t unpack_groups(const uint8_t *in,
                                                                   uint64_t *values,
                                                                   size_t count,
                                                                   size_t in_bytes,
                                                                   const int width)
{
    const uint64_t mask = (1ULL << width) - 1;
    size_t row = 0;
    for (; row + 8 <= count && row / 8 * (size_t)width + (size_t)(7 * width) / 8 + 8 <= in_bytes;
         row += 8) {
        const uint8_t *group = in + row / 8 * (size_t)width;
#pragma GCC unroll 8
        for (int value = 0; value < 8; value++) {
            uint64_t word;
            memcpy(&word, group + (value * width) / 8, 8);
            values[row + (size_t)value] = (word >> ((value * width) % 8)) & mask;
        }
    }
    return row;
}

#define UNPACK_CASE(w)                                                                          \
    case w:                                                                                     \
        return unpack_groups(in, values, count, in_bytes, w);

/* unpack_groups for widths 1 to 32 (codes, small integers: the scans' common case). */
static size_t unpack_fixed_width(const uint8_t *in, uint64_t *values, size_t count,
                                 size_t in_bytes, int width)
{
    switch (width) {
        UNPACK_CASE(1) UNPACK_CASE(2) UNPACK_CASE(3) UNPACK_CASE(4) UNPACK_CASE(5)
        UNPACK_CASE(6) UNPACK_CASE(7) UNPACK_CASE(8) UNPACK_CASE(9) UNPACK_CASE(10)
        UNPACK_CASE(11) UNPACK_CASE(12) UNPACK_CASE(13) UNPACK_CASE(14) UNPACK_CASE(15)
        UNPACK_CASE(16) UNPACK_CASE(17) UNPACK_CASE(18) UNPACK_CASE(19) UNPACK_CASE(20)
        UNPACK_CASE(21) UNPACK_CASE(22) UNPACK_CASE(23) UNPACK_CASE(24) UNPACK_CASE(25)
        UNPACK_CASE(26) UNPACK_CASE(27) UNPACK_CASE(28) UNPACK_CASE(29) UNPACK_CASE(30)
        UNPACK_CASE(31) UNPACK_CASE(32)
    default:
        return 0;
    }
}
#undef UNPACK_CASE
#endif

void colbits_unpack(const uint8_t *in, uint64_t *values, size_t count, int width)
{
    if (width == 0) {
        memset(values, 0, count * sizeof *values);
        return;
    }
    uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
    size_t first_slow = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (width <= 56) {
        /* One unaligned 8-byte load per value while 8 bytes remain in the input. */
        size_t in_bytes = (count * (size_t)width + 7) / 8;
        first_slow = unpack_fixed_width(in, values, count, in_bytes, width);
        size_t bit = first_slow * (size_t)width;
        for (; first_slow < count && bit / 8 + 8 <= in_bytes; first_slow++, bit += (size_t)width) {
            uint64_t word;
            memcpy(&word, in + bit / 8, 8);
            values[first_slow] = (word >> (bit % 8)) & mask;
        }
    }
#endif
    unsigned __int128 acc = 0;
    int held = 0;
    size_t pos = first_slow * (size_t)width / 8;
    if (first_slow * (size_t)width % 8 != 0) {
        acc = in[pos++] >> (first_slow * (size_t)width % 8);
        held = 8 - (int)(first_slow * (size_t)width % 8);
    }
    for (size_t row = first_slow; row < count; row++) {
        while (held < width) {
            acc |= (unsigned __int128)in[pos++] << held;
            held += 8;
        }
        values[row] = (uint64_t)acc & mask;
        acc >>= width;
        held -= width;
    }
}

static void bits_pack(Buf *buf, const uint64_t *values, size_t count, int width)
{
    size_t bytes = (count * (size_t)width + 7) / 8;
    uint8_t *out = buf_reserve(buf, bytes);
    if (out == NULL || width == 0) {
        return;
    }
    colbits_pack(out, values, count, width);
    buf->len += bytes;
}

/* Unpacks count values of width bits; false if the input is short. */
static bool bits_unpack(Rd *rd, uint64_t *values, size_t count, int width)
{
    if (width < 0 || width > 64) {
        rd->bad = true;
        return false;
    }
    if (width == 0) {
        memset(values, 0, count * sizeof *values);
        return true;
    }
    const uint8_t *in = rd_bytes(rd, (count * (size_t)width + 7) / 8);
    if (in == NULL) {
        return false;
    }
    colbits_unpack(in, values, count, width);
    return true;
}

/* ---- Serialized values (the generic encodings' unit) ------------------------------ */

/* A dense view of m non-NULL values as byte strings. */
typedef struct ValueView {
    uint32_t count;
    const uint8_t **ptr;
    uint32_t *len;
} ValueView;

static void decimal_to_bytes(const Decimal *dec, uint8_t out[19])
{
    memcpy(out, &dec->coef, 16);
    memcpy(out + 16, &dec->scale, 2);
    out[18] = dec->flags;
}

/* Whether any of the dense decimals is big (types.h DECIMAL_BIG): their
 * entries are then numeric_serialize's variable-length form. */
static bool any_big_decimal(const void *dense, uint32_t count)
{
    for (uint32_t row = 0; row < count; row++) {
        if (((const Decimal *)dense)[row].flags == DECIMAL_BIG) {
            return true;
        }
    }
    return false;
}

static void decimal_from_bytes(const uint8_t in[19], Decimal *dec)
{
    memset(dec, 0, sizeof *dec);
    memcpy(&dec->coef, in, 16);
    memcpy(&dec->scale, in + 16, 2);
    dec->flags = in[18];
}

/* Builds the view of the dense values (slots of phys_width). */
static bool view_build(Arena *arena, PhysKind kind, const void *dense, uint32_t count,
                       ValueView *view)
{
    view->count = count;
    view->ptr = arena_alloc(arena, sizeof *view->ptr * (count + 1));
    view->len = arena_alloc(arena, sizeof *view->len * (count + 1));
    size_t decimal_bytes = 19 * (size_t)count + 1;
    bool has_big = kind == PHYS_DECIMAL && any_big_decimal(dense, count);
    for (uint32_t row = 0; has_big && row < count; row++) {
        decimal_bytes += ((const Decimal *)dense)[row].flags == DECIMAL_BIG
                             ? ((const Decimal *)dense)[row].big.len
                             : 0;
    }
    uint8_t *decimals = kind == PHYS_DECIMAL ? arena_alloc(arena, decimal_bytes) : NULL;
    if (view->ptr == NULL || view->len == NULL || (kind == PHYS_DECIMAL && decimals == NULL)) {
        return false;
    }
    size_t decimal_at = 0;
    size_t width = (size_t)phys_width(kind);
    for (uint32_t row = 0; row < count; row++) {
        const uint8_t *slot = (const uint8_t *)dense + width * row;
        if (kind == PHYS_STRING) {
            const StrRef *str = (const StrRef *)slot;
            view->ptr[row] = (const uint8_t *)str->ptr;
            view->len[row] = str->len;
        } else if (kind == PHYS_DECIMAL && has_big) {
            view->ptr[row] = decimals + decimal_at;
            view->len[row] = (uint32_t)numeric_serialize((const Decimal *)slot, decimals + decimal_at);
            decimal_at += view->len[row];
        } else if (kind == PHYS_DECIMAL) {
            decimal_to_bytes((const Decimal *)slot, decimals + 19 * (size_t)row);
            view->ptr[row] = decimals + 19 * (size_t)row;
            view->len[row] = 19;
        } else {
            view->ptr[row] = slot;
            view->len[row] = (uint32_t)phys_serialized_size(kind);
        }
    }
    return true;
}

static void put_entry(Buf *buf, PhysKind kind, const uint8_t *ptr, uint32_t len)
{
    if (kind == PHYS_STRING) {
        buf_varint(buf, len);
    }
    buf_put(buf, ptr, len);
}

/* Reads one serialized value into a dense slot; strings borrow from rd. */
static void get_entry(Rd *rd, PhysKind kind, uint8_t *slot)
{
    if (kind == PHYS_STRING) {
        uint64_t len = rd_varint(rd);
        const uint8_t *bytes = rd_bytes(rd, len);
        StrRef str = {(const char *)(bytes != NULL ? bytes : (const uint8_t *)""),
                      bytes != NULL ? (uint32_t)len : 0};
        memcpy(slot, &str, sizeof str);
        return;
    }
    if (kind == PHYS_DECIMAL && rd->pos + 19 <= rd->len && rd->data[rd->pos + 18] == DECIMAL_BIG) {
        /* a big value: 19 bytes then its magnitude (numeric_serialize) */
        size_t used = numeric_deserialize(rd->data + rd->pos, rd->len - rd->pos, (Decimal *)slot);
        if (used == 0) {
            rd->bad = true;
            return;
        }
        rd->pos += used;
        return;
    }
    const uint8_t *bytes = rd_bytes(rd, phys_serialized_size(kind));
    if (bytes == NULL) {
        return;
    }
    if (kind == PHYS_DECIMAL) {
        decimal_from_bytes(bytes, (Decimal *)slot);
    } else if (kind == PHYS_BOOL) {
        *(bool *)slot = bytes[0] != 0;
    } else {
        memcpy(slot, bytes, phys_serialized_size(kind));
    }
}

/* ---- Distinct values and runs ------------------------------------------------------ */

typedef struct Distinct {
    uint32_t count;          /* exact distinct count, valid while !overflowed */
    bool overflowed;
    uint32_t *first_row;     /* dictionary entry -> first row holding it */
    uint32_t *codes;         /* row -> dictionary entry (when !overflowed) */
    uint32_t estimate;
} Distinct;

static bool same(const ValueView *view, uint32_t a, uint32_t b)
{
    if (view->len[a] == 8 && view->len[b] == 8) {
        /* Integers and doubles: one load each instead of a memcmp call (the
         * probes of distinct_build were a tenth of a column COPY's cycles). */
        uint64_t x, y;
        memcpy(&x, view->ptr[a], 8);
        memcpy(&y, view->ptr[b], 8);
        return x == y;
    }
    return view->len[a] == view->len[b] && memcmp(view->ptr[a], view->ptr[b], view->len[a]) == 0;
}

/* Exact distinct values up to DICT_DISTINCT_MAX (open addressing), plus a
 * linear-counting estimate (Whang et al. 1990) beyond it. */
static bool distinct_build(Arena *arena, const ValueView *view, Distinct *out)
{
    memset(out, 0, sizeof *out);
    uint32_t slots = 1;
    while (slots < 2 * (view->count < DICT_DISTINCT_MAX ? view->count : DICT_DISTINCT_MAX) + 2) {
        slots *= 2;
    }
    uint32_t *table = arena_alloc(arena, sizeof *table * slots);
    uint8_t *bitmap = arena_zalloc(arena, LINEAR_COUNT_BITS / 8);
    out->first_row = arena_alloc(arena, sizeof *out->first_row * (DICT_DISTINCT_MAX + 1));
    out->codes = arena_alloc(arena, sizeof *out->codes * (view->count + 1));
    if (table == NULL || bitmap == NULL || out->first_row == NULL || out->codes == NULL) {
        return false;
    }
    memset(table, 0xff, sizeof *table * slots);
    for (uint32_t row = 0; row < view->count; row++) {
        uint64_t hash = hash_bytes(view->ptr[row], view->len[row]);
        bitmap[(hash >> 3) % (LINEAR_COUNT_BITS / 8)] |= (uint8_t)(1u << (hash & 7));
        if (out->overflowed) {
            continue;
        }
        uint32_t slot = (uint32_t)(hash >> 20) & (slots - 1);
        while (table[slot] != UINT32_MAX && !same(view, out->first_row[table[slot]], row)) {
            slot = (slot + 1) & (slots - 1);
        }
        if (table[slot] == UINT32_MAX) {
            if (out->count == DICT_DISTINCT_MAX) {
                out->overflowed = true;
                continue;
            }
            out->first_row[out->count] = row;
            table[slot] = out->count++;
        }
        out->codes[row] = table[slot];
    }
    if (!out->overflowed) {
        out->estimate = out->count;
    } else {
        uint32_t zeros = 0;
        for (uint32_t byte = 0; byte < LINEAR_COUNT_BITS / 8; byte++) {
            zeros += 8 - (uint32_t)__builtin_popcount(bitmap[byte]);
        }
        double estimate = zeros == 0 ? (double)view->count
                                     : -(double)LINEAR_COUNT_BITS *
                                           log((double)zeros / LINEAR_COUNT_BITS);
        out->estimate = estimate > view->count ? view->count : (uint32_t)estimate;
        if (out->estimate < DICT_DISTINCT_MAX) {
            out->estimate = DICT_DISTINCT_MAX;
        }
    }
    return true;
}

static uint32_t run_count(const ValueView *view)
{
    uint32_t runs = view->count > 0 ? 1 : 0;
    for (uint32_t row = 1; row < view->count; row++) {
        runs += !same(view, row - 1, row);
    }
    return runs;
}

/* ---- Generic encodings over serialized values --------------------------------------- */

static void enc_plain(Buf *buf, PhysKind kind, const ValueView *view)
{
    if (kind == PHYS_STRING) {
        for (uint32_t row = 0; row < view->count; row++) {
            buf_varint(buf, view->len[row]);
        }
    }
    for (uint32_t row = 0; row < view->count; row++) {
        buf_put(buf, view->ptr[row], view->len[row]);
    }
}

static void enc_dict(Arena *arena, Buf *buf, PhysKind kind, const ValueView *view,
                     const Distinct *distinct)
{
    buf_varint(buf, distinct->count);
    for (uint32_t entry = 0; entry < distinct->count; entry++) {
        uint32_t row = distinct->first_row[entry];
        put_entry(buf, kind, view->ptr[row], view->len[row]);
    }
    int width = bits_for(distinct->count > 0 ? distinct->count - 1 : 0);
    buf_u8(buf, (uint8_t)width);
    uint64_t *codes = arena_alloc(arena, sizeof *codes * (view->count + 1));
    if (codes == NULL) {
        buf->failed = true;
        return;
    }
    for (uint32_t row = 0; row < view->count; row++) {
        codes[row] = distinct->codes[row];
    }
    bits_pack(buf, codes, view->count, width);
}

static void enc_rle(Buf *buf, PhysKind kind, const ValueView *view)
{
    buf_varint(buf, run_count(view));
    uint32_t start = 0;
    for (uint32_t row = 1; row <= view->count; row++) {
        if (row == view->count || !same(view, start, row)) {
            buf_varint(buf, row - start);
            put_entry(buf, kind, view->ptr[start], view->len[start]);
            start = row;
        }
    }
}

/* Decodes a generic encoding of count dense values into slots. */
static void dec_generic(Arena *arena, Rd *rd, PhysKind kind, int encoding, uint8_t *slots,
                        uint32_t count)
{
    size_t width = (size_t)phys_width(kind);
    if (encoding == COLENC_PLAIN && kind == PHYS_STRING) {
        uint64_t *lens = arena_alloc(arena, sizeof *lens * (count + 1));
        if (lens == NULL) {
            rd->bad = true;
            return;
        }
        for (uint32_t row = 0; row < count; row++) {
            lens[row] = rd_varint(rd);
        }
        for (uint32_t row = 0; row < count && !rd->bad; row++) {
            const uint8_t *bytes = rd_bytes(rd, lens[row]);
            StrRef str = {bytes != NULL ? (const char *)bytes : "", (uint32_t)lens[row]};
            memcpy(slots + width * row, &str, sizeof str);
        }
    } else if (encoding == COLENC_PLAIN) {
        for (uint32_t row = 0; row < count && !rd->bad; row++) {
            get_entry(rd, kind, slots + width * row);
        }
    } else if (encoding == COLENC_CONSTANT) {
        get_entry(rd, kind, slots);
        for (uint32_t row = 1; row < count && !rd->bad; row++) {
            memcpy(slots + width * row, slots, width);
        }
    } else if (encoding == COLENC_DICT) {
        uint64_t entries = rd_varint(rd);
        if (entries > DICT_DISTINCT_MAX || (entries == 0 && count > 0)) {
            rd->bad = true;
            return;
        }
        uint8_t *dict = arena_alloc(arena, width * (size_t)(entries + 1));
        uint64_t *codes = arena_alloc(arena, sizeof *codes * (count + 1));
        if (dict == NULL || codes == NULL) {
            rd->bad = true;
            return;
        }
        for (uint64_t entry = 0; entry < entries && !rd->bad; entry++) {
            get_entry(rd, kind, dict + width * entry);
        }
        if (!bits_unpack(rd, codes, count, rd_u8(rd))) {
            return;
        }
        uint64_t bad = 0;
        if (width == 16) {
            /* Strings (StrRef), intervals, uuids (q06's referrer): two 8-byte copies
             * per row, not a memcpy of a run-time size (28 instructions a row). */
            for (uint32_t row = 0; row < count; row++) {
                uint64_t code = codes[row] < entries ? codes[row] : 0;
                bad |= codes[row] >= entries;
                uint64_t pair[2];
                memcpy(pair, dict + 16 * code, 16);
                memcpy(slots + 16 * (size_t)row, pair, 16);
            }
        } else if (width == 8) {
            for (uint32_t row = 0; row < count; row++) {
                uint64_t code = codes[row] < entries ? codes[row] : 0;
                bad |= codes[row] >= entries;
                uint64_t word;
                memcpy(&word, dict + 8 * code, 8);
                memcpy(slots + 8 * (size_t)row, &word, 8);
            }
        } else {
            for (uint32_t row = 0; row < count && !bad; row++) {
                bad |= codes[row] >= entries;
                if (!bad) {
                    memcpy(slots + width * row, dict + width * codes[row], width);
                }
            }
        }
        if (bad) {
            rd->bad = true;
            return;
        }
    } else if (encoding == COLENC_RLE) {
        uint64_t runs = rd_varint(rd);
        uint32_t row = 0;
        for (uint64_t run = 0; run < runs && !rd->bad; run++) {
            uint64_t len = rd_varint(rd);
            if (len == 0 || len > count - row) {
                rd->bad = true;
                return;
            }
            get_entry(rd, kind, slots + width * row);
            if (width == sizeof(uint64_t)) {
                /* Integers and doubles (q02's date_key runs): a store per row, not a memcpy call. */
                uint64_t word;
                memcpy(&word, slots + width * row, sizeof word);
                uint64_t *to = (uint64_t *)(void *)(slots + width * row);
                for (uint64_t rep = 1; rep < len; rep++) {
                    to[rep] = word;
                }
            } else {
                for (uint64_t rep = 1; rep < len; rep++) {
                    memcpy(slots + width * (row + rep), slots + width * row, width);
                }
            }
            row += (uint32_t)len;
        }
        if (row != count) {
            rd->bad = true;
        }
    } else {
        rd->bad = true;
    }
}

/* ---- int64 encodings ------------------------------------------------------------- */

typedef struct IntStats {
    int64_t min, max;
    bool delta_ok, delta2_ok;
    int64_t delta_min, delta_max, dod_min, dod_max;
} IntStats;

static void int_stats(const int64_t *values, uint32_t count, IntStats *st)
{
    memset(st, 0, sizeof *st);
    st->delta_ok = count >= 2;
    st->delta2_ok = count >= 3;
    if (count == 0) {
        return;
    }
    st->min = st->max = values[0];
    __int128 prev_delta = 0;
    for (uint32_t row = 0; row < count; row++) {
        int64_t value = values[row];
        st->min = value < st->min ? value : st->min;
        st->max = value > st->max ? value : st->max;
        if (row == 0) {
            continue;
        }
        __int128 delta = (__int128)value - values[row - 1];
        if (delta < INT64_MIN || delta > INT64_MAX) {
            st->delta_ok = st->delta2_ok = false;
        }
        if (row == 1 || delta < st->delta_min) {
            st->delta_min = (int64_t)delta;
        }
        if (row == 1 || delta > st->delta_max) {
            st->delta_max = (int64_t)delta;
        }
        if (row >= 2) {
            __int128 dod = delta - prev_delta;
            if (dod < INT64_MIN || dod > INT64_MAX) {
                st->delta2_ok = false;
            }
            if (row == 2 || dod < st->dod_min) {
                st->dod_min = (int64_t)dod;
            }
            if (row == 2 || dod > st->dod_max) {
                st->dod_max = (int64_t)dod;
            }
        }
        prev_delta = delta;
    }
}

static uint64_t span(int64_t low, int64_t high) { return (uint64_t)high - (uint64_t)low; }

static size_t packed_size(size_t count, int width) { return (count * (size_t)width + 7) / 8; }

/* Picks the smallest int64 encoding by estimate; ties go to the earlier (simpler) one. */
static int int_choose(const ValueView *view, const IntStats *st, const Distinct *distinct,
                      uint32_t runs, const ColPatchPlan *patched, const ColPatchPlan *deltas,
                      size_t checkpoint_bytes, size_t *estimate)
{
    uint32_t count = view->count;
    size_t best_size = 8 * (size_t)count + 1;
    int best = COLENC_PLAIN;
#define CONSIDER(enc, size)                 \
    do {                                    \
        size_t size_ = (size);              \
        if (size_ < best_size) {            \
            best_size = size_;              \
            best = (enc);                   \
        }                                   \
    } while (0)
    if (count > 0 && !distinct->overflowed && distinct->count == 1) {
        CONSIDER(COLENC_CONSTANT, 8);
    }
    if (st->delta_ok) {
        CONSIDER(COLENC_DELTA, 17 + packed_size(count - 1, bits_for(span(st->delta_min, st->delta_max))));
    }
    CONSIDER(COLENC_FOR, 9 + packed_size(count, bits_for(span(st->min, st->max))));
    if (st->delta2_ok) {
        CONSIDER(COLENC_DELTA2, 25 + packed_size(count - 2, bits_for(span(st->dod_min, st->dod_max))));
    }
    CONSIDER(COLENC_RLE, 5 + (size_t)runs * (8 + varint_size(count / (runs > 0 ? runs : 1))));
    if (!distinct->overflowed && distinct->count > 0) {
        CONSIDER(COLENC_DICT, 5 + 8 * (size_t)distinct->count +
                                  packed_size(count, bits_for(distinct->count - 1)));
    }
    /* Last: with no exception they cost a little more than FOR and delta. */
    if (patched->bytes != SIZE_MAX) {
        CONSIDER(COLENC_FOR_PATCHED, patched->bytes);
    }
    /* Patched deltas are written with checkpoints (COLENC_DELTA_BLOCKED), so a
     * fetch by row id reads one block, not the whole prefix (issue 6 q10); the
     * checkpoint-free COLENC_DELTA_PATCHED is still read, and written when forced. */
    if (count >= 2 && deltas->bytes != SIZE_MAX) {
        CONSIDER(COLENC_DELTA_BLOCKED, 8 + checkpoint_bytes + deltas->bytes);
    }
#undef CONSIDER
    *estimate = best_size;
    return best;
}

static bool enc_int(Arena *arena, Buf *buf, const int64_t *values, uint32_t count, int encoding,
                    const IntStats *st)
{
    uint64_t *packed = arena_alloc(arena, sizeof *packed * (count + 1));
    if (packed == NULL) {
        return false;
    }
    if (encoding == COLENC_FOR) {
        buf_u64(buf, (uint64_t)st->min);
        int width = bits_for(span(st->min, st->max));
        buf_u8(buf, (uint8_t)width);
        for (uint32_t row = 0; row < count; row++) {
            packed[row] = (uint64_t)values[row] - (uint64_t)st->min;
        }
        bits_pack(buf, packed, count, width);
    } else if (encoding == COLENC_DELTA) {
        buf_u64(buf, (uint64_t)values[0]);
        buf_u64(buf, (uint64_t)st->delta_min);
        int width = bits_for(span(st->delta_min, st->delta_max));
        buf_u8(buf, (uint8_t)width);
        for (uint32_t row = 1; row < count; row++) {
            uint64_t delta = (uint64_t)values[row] - (uint64_t)values[row - 1];
            packed[row - 1] = delta - (uint64_t)st->delta_min;
        }
        bits_pack(buf, packed, count - 1, width);
    } else if (encoding == COLENC_DELTA2) {
        uint64_t first_delta = (uint64_t)values[1] - (uint64_t)values[0];
        buf_u64(buf, (uint64_t)values[0]);
        buf_u64(buf, first_delta);
        buf_u64(buf, (uint64_t)st->dod_min);
        int width = bits_for(span(st->dod_min, st->dod_max));
        buf_u8(buf, (uint8_t)width);
        uint64_t prev = first_delta;
        for (uint32_t row = 2; row < count; row++) {
            uint64_t delta = (uint64_t)values[row] - (uint64_t)values[row - 1];
            packed[row - 2] = delta - prev - (uint64_t)st->dod_min;
            prev = delta;
        }
        bits_pack(buf, packed, count - 2, width);
    } else {
        return false;
    }
    return !buf->failed;
}

static void dec_patched(Arena *arena, Rd *rd, int encoding, int64_t *values, uint32_t count);

static void dec_int(Arena *arena, Rd *rd, int encoding, int64_t *values, uint32_t count)
{
    /* The bit-packed encodings unpack straight into values, then rebase in place. */
    uint64_t *packed = (uint64_t *)values;
    if (encoding == COLENC_FOR) {
        uint64_t base = rd_u64(rd);
        if (!bits_unpack(rd, packed, count, rd_u8(rd))) {
            return;
        }
        for (uint32_t row = 0; row < count; row++) {
            values[row] = (int64_t)(base + packed[row]);
        }
    } else if (encoding == COLENC_DELTA) {
        if (count < 2) {
            rd->bad = true;
            return;
        }
        uint64_t current = rd_u64(rd);
        uint64_t delta_min = rd_u64(rd);
        if (!bits_unpack(rd, packed + 1, count - 1, rd_u8(rd))) {
            return;
        }
        values[0] = (int64_t)current;
        for (uint32_t row = 1; row < count; row++) {
            current += packed[row] + delta_min;
            values[row] = (int64_t)current;
        }
    } else if (encoding == COLENC_DELTA2) {
        if (count < 3) {
            rd->bad = true;
            return;
        }
        uint64_t current = rd_u64(rd);
        uint64_t delta = rd_u64(rd);
        uint64_t dod_min = rd_u64(rd);
        if (!bits_unpack(rd, packed + 2, count - 2, rd_u8(rd))) {
            return;
        }
        values[0] = (int64_t)current;
        current += delta;
        values[1] = (int64_t)current;
        for (uint32_t row = 2; row < count; row++) {
            delta += packed[row] + dod_min;
            current += delta;
            values[row] = (int64_t)current;
        }
    } else if (encoding == COLENC_FOR_PATCHED || encoding == COLENC_DELTA_PATCHED ||
               encoding == COLENC_DELTA_BLOCKED) {
        dec_patched(arena, rd, encoding, values, count);
    } else {
        dec_generic(arena, rd, PHYS_I64, encoding, (uint8_t *)values, count);
    }
}

/* COLENC_FOR_PATCHED / COLENC_DELTA_PATCHED / COLENC_DELTA_BLOCKED: [u64 first value
 * when delta] [checkpoints when blocked] + the patched layout (column_int.h) of the
 * values or of their wrapping differences. */
static bool enc_patched(Arena *arena, Buf *buf, const int64_t *values, const int64_t *deltas,
                        uint32_t count, int encoding, const ColPatchPlan *plan)
{
    const int64_t *input = values;
    uint32_t input_count = count;
    if (encoding != COLENC_FOR_PATCHED) {
        buf_u64(buf, (uint64_t)values[0]);
        input = deltas;
        input_count = count - 1;
    }
    if (encoding == COLENC_DELTA_BLOCKED) {
        uint8_t *marks = buf_reserve(buf, colpatch_checkpoints_size(values, count));
        if (marks == NULL) {
            buf->failed = true;
            return false;
        }
        buf->len += colpatch_checkpoints_write(values, count, marks);
    }
    uint8_t *out = buf_reserve(buf, plan->bytes);
    if (out == NULL || !colpatch_write(arena, input, input_count, plan, out)) {
        buf->failed = true;
        return false;
    }
    buf->len += plan->bytes;
    return true;
}

static void dec_patched(Arena *arena, Rd *rd, int encoding, int64_t *values, uint32_t count)
{
    bool delta = encoding != COLENC_FOR_PATCHED;
    if (count == 0) {
        rd->bad = true;
        return;
    }
    uint64_t current = delta ? rd_u64(rd) : 0;
    if (rd->bad) {
        return;
    }
    uint64_t *marks = NULL;
    uint32_t interval = 0, mark_count = 0;
    if (encoding == COLENC_DELTA_BLOCKED) {
        marks = arena_alloc(arena, sizeof *marks * ((size_t)count / 8 + 1));
        size_t used = marks == NULL ? 0
                                    : colpatch_checkpoints_read(rd->data + rd->pos, rd->len - rd->pos,
                                                                count, &interval, marks, &mark_count);
        if (used == 0) {
            rd->bad = true;
            return;
        }
        rd->pos += used;
    }
    size_t used = colpatch_read(arena, rd->data + rd->pos, rd->len - rd->pos,
                                values + (delta ? 1 : 0), count - (delta ? 1 : 0));
    if (used == 0) {
        rd->bad = true;
        return;
    }
    rd->pos += used;
    if (delta) {
        values[0] = (int64_t)current;
        for (uint32_t row = 1; row < count; row++) {
            current += (uint64_t)values[row];
            values[row] = (int64_t)current;
        }
    }
    /* The checkpoints must agree with the sums, or point reads and scans would
     * disagree on the same segment. */
    for (uint32_t mark = 0; mark < mark_count; mark++) {
        uint64_t at = (uint64_t)(mark + 1) * interval;
        if ((uint64_t)values[at] - (uint64_t)values[0] != marks[mark]) {
            rd->bad = true;
            return;
        }
    }
}

/* Wrapping differences of consecutive values (count - 1 of them), or NULL. */
static int64_t *int_deltas(Arena *arena, const int64_t *values, uint32_t count)
{
    int64_t *deltas = arena_alloc(arena, sizeof *deltas * ((size_t)count + 1));
    for (uint32_t row = 1; deltas != NULL && row < count; row++) {
        deltas[row - 1] = (int64_t)((uint64_t)values[row] - (uint64_t)values[row - 1]);
    }
    return deltas;
}

/* Encodes dense int64 values with the chosen (or forced) encoding. */
static int int_encode(Arena *arena, Buf *buf, const int64_t *values, uint32_t count, int force,
                      uint32_t *distinct_out)
{
    ValueView view;
    Distinct distinct;
    IntStats st;
    int64_t *deltas = int_deltas(arena, values, count);
    if (deltas == NULL || !view_build(arena, PHYS_I64, values, count, &view) ||
        !distinct_build(arena, &view, &distinct)) {
        return -1;
    }
    int_stats(values, count, &st);
    ColPatchPlan patched, patched_deltas;
    bool quick = force != COLENC_FOR_PATCHED && force != COLENC_DELTA_PATCHED &&
                 force != COLENC_DELTA_BLOCKED;
    colpatch_plan(arena, values, count, quick, &patched);
    colpatch_plan(arena, deltas, count > 0 ? count - 1 : 0, quick, &patched_deltas);
    size_t estimate;
    size_t checkpoint_bytes = count >= 2 ? colpatch_checkpoints_size(values, count) : 0;
    int encoding = int_choose(&view, &st, &distinct, run_count(&view), &patched, &patched_deltas,
                              checkpoint_bytes, &estimate);
    if (force >= 0) {
        encoding = force;
    }
    *distinct_out = distinct.estimate;
    switch (encoding) {
    case COLENC_PLAIN:
        enc_plain(buf, PHYS_I64, &view);
        break;
    case COLENC_CONSTANT:
        if (count == 0 || distinct.overflowed || distinct.count != 1) {
            return -1;
        }
        buf_u64(buf, (uint64_t)values[0]);
        break;
    case COLENC_DICT:
        if (distinct.overflowed) {
            return -1;
        }
        enc_dict(arena, buf, PHYS_I64, &view, &distinct);
        break;
    case COLENC_RLE:
        enc_rle(buf, PHYS_I64, &view);
        break;
    case COLENC_FOR:
    case COLENC_DELTA:
    case COLENC_DELTA2:
        if ((encoding == COLENC_DELTA && !st.delta_ok) || (encoding == COLENC_DELTA2 && !st.delta2_ok)) {
            return -1;
        }
        if (!enc_int(arena, buf, values, count, encoding, &st)) {
            return -1;
        }
        break;
    case COLENC_FOR_PATCHED:
    case COLENC_DELTA_PATCHED:
    case COLENC_DELTA_BLOCKED:
        if (count == 0 || !enc_patched(arena, buf, values, deltas, count, encoding,
                                       encoding == COLENC_FOR_PATCHED ? &patched
                                                                      : &patched_deltas)) {
            return -1;
        }
        break;
    default:
        return -1;
    }
    return buf->failed ? -1 : encoding;
}

/* ---- Gorilla XOR for doubles ----------------------------------------------------- */

typedef struct BitWriter {
    Buf *buf;
    unsigned __int128 acc;
    int held;
} BitWriter;

static void bw_put(BitWriter *bw, uint64_t value, int width)
{
    if (width == 0) {
        return;
    }
    uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
    bw->acc |= (unsigned __int128)(value & mask) << bw->held;
    bw->held += width;
    while (bw->held >= 8) {
        buf_u8(bw->buf, (uint8_t)bw->acc);
        bw->acc >>= 8;
        bw->held -= 8;
    }
}

static void bw_flush(BitWriter *bw)
{
    if (bw->held > 0) {
        buf_u8(bw->buf, (uint8_t)bw->acc);
    }
    bw->acc = 0;
    bw->held = 0;
}

typedef struct BitReader {
    Rd *rd;
    unsigned __int128 acc;
    int held;
} BitReader;

static uint64_t br_get(BitReader *br, int width)
{
    if (width == 0) {
        return 0;
    }
    while (br->held < width) {
        br->acc |= (unsigned __int128)rd_u8(br->rd) << br->held;
        br->held += 8;
    }
    uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
    uint64_t value = (uint64_t)br->acc & mask;
    br->acc >>= width;
    br->held -= width;
    return value;
}

/* Control bits: 0 = same as previous; 10 = meaningful bits fit the previous
 * window; 11 = new window (6 bits leading zeros, 6 bits length - 1). */
static void enc_gorilla(Buf *buf, const double *values, uint32_t count)
{
    BitWriter bw = {buf, 0, 0};
    uint64_t prev = 0;
    int lead = -1, trail = 0;
    for (uint32_t row = 0; row < count; row++) {
        uint64_t bits;
        memcpy(&bits, &values[row], 8);
        if (row == 0) {
            bw_put(&bw, bits, 64);
            prev = bits;
            continue;
        }
        uint64_t x = bits ^ prev;
        prev = bits;
        if (x == 0) {
            bw_put(&bw, 0, 1);
            continue;
        }
        int new_lead = __builtin_clzll(x), new_trail = __builtin_ctzll(x);
        if (new_lead > 63) {
            new_lead = 63;
        }
        if (lead >= 0 && new_lead >= lead && new_trail >= trail) {
            bw_put(&bw, 1, 2); /* bits "1","0" LSB first */
            bw_put(&bw, x >> trail, 64 - lead - trail);
        } else {
            lead = new_lead;
            trail = new_trail;
            int meaningful = 64 - lead - trail;
            bw_put(&bw, 3, 2);
            bw_put(&bw, (uint64_t)lead, 6);
            bw_put(&bw, (uint64_t)(meaningful - 1), 6);
            bw_put(&bw, x >> trail, meaningful);
        }
    }
    bw_flush(&bw);
}

static void dec_gorilla(Rd *rd, double *values, uint32_t count)
{
    BitReader br = {rd, 0, 0};
    uint64_t prev = 0;
    int lead = -1, trail = 0;
    for (uint32_t row = 0; row < count && !rd->bad; row++) {
        if (row == 0) {
            prev = br_get(&br, 64);
        } else if (br_get(&br, 1) != 0) {
            if (br_get(&br, 1) != 0) {
                lead = (int)br_get(&br, 6);
                int meaningful = (int)br_get(&br, 6) + 1;
                trail = 64 - lead - meaningful;
                if (trail < 0) {
                    rd->bad = true;
                    return;
                }
            } else if (lead < 0) {
                rd->bad = true;
                return;
            }
            prev ^= br_get(&br, 64 - lead - trail) << trail;
        }
        memcpy(&values[row], &prev, 8);
    }
}

/* ---- Zone maps --------------------------------------------------------------------- */

static int cmp_f64(double a, double b)
{
    bool a_nan = isnan(a), b_nan = isnan(b);
    if (a_nan || b_nan) {
        return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
    }
    return a < b ? -1 : (a > b ? 1 : 0);
}

static int sign_of(__int128 value) { return value < 0 ? -1 : (value > 0 ? 1 : 0); }

/* Numeric order: -inf < finite < +inf < NaN; finite by value across scales. */
static int cmp_decimal(const Decimal *a, const Decimal *b)
{
    if (a->flags == DECIMAL_BIG || b->flags == DECIMAL_BIG) {
        return numeric_compare(a, b);
    }
    static const int rank[4] = {1, 3, 2, 0}; /* FINITE, NAN, POS_INF, NEG_INF */
    int ra = a->flags < 4 ? rank[a->flags] : 1, rb = b->flags < 4 ? rank[b->flags] : 1;
    if (ra != 1 || rb != 1) {
        return ra < rb ? -1 : (ra > rb ? 1 : 0);
    }
    int sa = sign_of(a->coef), sb = sign_of(b->coef);
    if (sa != sb) {
        return sa < sb ? -1 : 1;
    }
    __int128 x = a->coef, y = b->coef;
    int scale_x = a->scale, scale_y = b->scale;
    /* Scale the one with fewer digits after the point up; if that overflows its
     * magnitude is larger than anything representable, so the order is known. */
    while (scale_x < scale_y) {
        if (x > ((__int128)1 << 120) || x < -((__int128)1 << 120)) {
            return sa;
        }
        x *= 10;
        scale_x++;
    }
    while (scale_y < scale_x) {
        if (y > ((__int128)1 << 120) || y < -((__int128)1 << 120)) {
            return -sa;
        }
        y *= 10;
        scale_y++;
    }
    return x < y ? -1 : (x > y ? 1 : 0);
}

int colzone_compare(PhysKind kind, const Value *a, const Value *b)
{
    switch (kind) {
    case PHYS_BOOL:
        return (int)a->b - (int)b->b;
    case PHYS_I64:
        return a->i64 < b->i64 ? -1 : (a->i64 > b->i64 ? 1 : 0);
    case PHYS_F64:
        return cmp_f64(a->f64, b->f64);
    case PHYS_DECIMAL:
        return cmp_decimal(&a->dec, &b->dec);
    case PHYS_STRING: {
        uint32_t len = a->str.len < b->str.len ? a->str.len : b->str.len;
        int c = len > 0 ? memcmp(a->str.ptr, b->str.ptr, len) : 0;
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
        return a->str.len < b->str.len ? -1 : (a->str.len > b->str.len ? 1 : 0);
    }
    case PHYS_INTERVAL: {
        __int128 x = ((__int128)a->iv.months * 30 + a->iv.days) * 86400000000LL + a->iv.micros;
        __int128 y = ((__int128)b->iv.months * 30 + b->iv.days) * 86400000000LL + b->iv.micros;
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    case PHYS_UUID: {
        int c = memcmp(a->uuid.bytes, b->uuid.bytes, 16);
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    }
    return 0;
}

static void slot_to_value(PhysKind kind, const uint8_t *slot, Value *out)
{
    memset(out, 0, sizeof *out);
    memcpy(&out->b, slot, (size_t)phys_width(kind));
}

/* min / max over dense values; strings are truncated (then max is dropped). */
static void zone_build(PhysKind kind, const uint8_t *dense, uint32_t count, ZoneMap *zone)
{
    size_t width = (size_t)phys_width(kind);
    if (count == 0) {
        return;
    }
    Value value;
    slot_to_value(kind, dense, &zone->min);
    zone->max = zone->min;
    if (kind == PHYS_I64) {
        /* The same order as colzone_compare, without a call per value. */
        const int64_t *ints = (const int64_t *)dense;
        for (uint32_t row = 1; row < count; row++) {
            zone->min.i64 = ints[row] < zone->min.i64 ? ints[row] : zone->min.i64;
            zone->max.i64 = ints[row] > zone->max.i64 ? ints[row] : zone->max.i64;
        }
    } else {
        for (uint32_t row = 1; row < count; row++) {
            slot_to_value(kind, dense + width * row, &value);
            if (colzone_compare(kind, &value, &zone->min) < 0) {
                zone->min = value;
            }
            if (colzone_compare(kind, &value, &zone->max) > 0) {
                zone->max = value;
            }
        }
    }
    zone->has_min = zone->has_max = true;
    if (kind == PHYS_STRING) {
        if (zone->min.str.len > COLZONE_STRING_MAX) {
            zone->min.str.len = COLZONE_STRING_MAX;
        }
        if (zone->max.str.len > COLZONE_STRING_MAX) {
            zone->has_max = false;
            zone->max.str.len = 0;
        }
    }
}

size_t colzone_value_size(PhysKind kind, const Value *value)
{
    if (kind == PHYS_DECIMAL) {
        return numeric_serialized_size(&value->dec);
    }
    return kind == PHYS_STRING ? 2 + value->str.len : phys_serialized_size(kind);
}

size_t colzone_value_write(PhysKind kind, const Value *value, uint8_t *out)
{
    if (kind == PHYS_STRING) {
        out[0] = (uint8_t)value->str.len;
        out[1] = (uint8_t)(value->str.len >> 8);
        if (value->str.len > 0) {
            memcpy(out + 2, value->str.ptr, value->str.len);
        }
        return 2 + value->str.len;
    }
    if (kind == PHYS_DECIMAL) {
        return numeric_serialize(&value->dec, out);
    } else if (kind == PHYS_BOOL) {
        out[0] = value->b ? 1 : 0;
    } else {
        memcpy(out, &value->b, phys_serialized_size(kind));
    }
    return phys_serialized_size(kind);
}

size_t colzone_value_read(PhysKind kind, const uint8_t *in, size_t avail, Value *out)
{
    memset(out, 0, sizeof *out);
    if (kind == PHYS_STRING) {
        if (avail < 2) {
            return 0;
        }
        uint32_t len = (uint32_t)in[0] | ((uint32_t)in[1] << 8);
        if (len > COLZONE_STRING_MAX || len > avail - 2) {
            return 0;
        }
        out->str.ptr = (const char *)in + 2;
        out->str.len = len;
        return 2 + len;
    }
    if (avail < phys_serialized_size(kind)) {
        return 0;
    }
    Rd rd = {in, avail, 0, false};
    get_entry(&rd, kind, (uint8_t *)&out->b);
    return rd.bad ? 0 : rd.pos;
}

bool colzone_may_match(PhysKind kind, const ZoneMap *zone, uint32_t row_count,
                       const ScanFilter *filter)
{
    bool all_null = zone->null_count >= row_count;
    if (filter->op == FILTER_IS_NULL) {
        return zone->null_count > 0;
    }
    if (filter->op == FILTER_IS_NOT_NULL) {
        return !all_null;
    }
    if (all_null) {
        return false; /* a comparison with NULL is never true */
    }
    if (!zone->has_min || !zone->has_max) {
        return true;
    }
    int count = filter->op == FILTER_IN ? filter->value_count : 1;
    for (int index = 0; index < count; index++) {
        const Value *value = &filter->values[index];
        if (value->is_null) {
            continue;
        }
        int vs_min = colzone_compare(kind, value, &zone->min);
        int vs_max = colzone_compare(kind, value, &zone->max);
        switch (filter->op) {
        case FILTER_EQ:
        case FILTER_IN:
            if (vs_min >= 0 && vs_max <= 0) {
                return true;
            }
            break;
        case FILTER_NE:
            return !(vs_min == 0 && vs_max == 0);
        case FILTER_LT:
            return vs_min > 0;
        case FILTER_LE:
            return vs_min >= 0;
        case FILTER_GT:
            return vs_max < 0;
        case FILTER_GE:
            return vs_max <= 0;
        default:
            return true;
        }
    }
    return false;
}

/* ---- The chooser and the segment frame ---------------------------------------------- */

static const char *const encoding_names[COLENC_COUNT] = {
    "plain", "constant", "dictionary", "rle", "for", "delta", "delta2", "gorilla", "dec_scaled",
    "for_patched", "delta_patched", "delta_blocked", "ref_diff",
};

const char *colenc_name(int encoding)
{
    return encoding >= 0 && encoding < COLENC_COUNT ? encoding_names[encoding] : "?";
}

/* Numeric coefficients as int64 when every value is finite, shares one scale
 * and fits; NULL otherwise. */
static int64_t *decimal_as_ints(Arena *arena, const Decimal *values, uint32_t count, int16_t *scale)
{
    if (count == 0) {
        return NULL;
    }
    int64_t *ints = arena_alloc(arena, sizeof *ints * count);
    if (ints == NULL) {
        return NULL;
    }
    *scale = values[0].scale;
    for (uint32_t row = 0; row < count; row++) {
        if (values[row].flags != DECIMAL_FINITE || values[row].scale != *scale ||
            values[row].coef < INT64_MIN || values[row].coef > INT64_MAX) {
            return NULL;
        }
        ints[row] = (int64_t)values[row].coef;
    }
    return ints;
}

/* Generic chooser: estimates for constant / dictionary / RLE / plain (and a
 * trial Gorilla encoding for doubles, a trial scaled encoding for numerics). */
static int generic_encode(Arena *arena, Buf *buf, PhysKind kind, const uint8_t *dense,
                          uint32_t count, int force, uint32_t *distinct_out)
{
    ValueView view;
    Distinct distinct;
    if (!view_build(arena, kind, dense, count, &view) || !distinct_build(arena, &view, &distinct)) {
        return -1;
    }
    *distinct_out = distinct.estimate;
    size_t plain = 0, dict_entries = 0, rle = 0;
    uint32_t runs = 0;
    for (uint32_t row = 0; row < count; row++) {
        size_t size = view.len[row] + (kind == PHYS_STRING ? varint_size(view.len[row]) : 0);
        plain += size;
        if (!distinct.overflowed && distinct.first_row[distinct.codes[row]] == row) {
            dict_entries += size;
        }
        if (row == 0 || !same(&view, row - 1, row)) {
            runs++;
            rle += size + 2;
        }
    }
    int best = COLENC_PLAIN;
    size_t best_size = plain;
    if (count > 0 && !distinct.overflowed && distinct.count == 1) {
        best = COLENC_CONSTANT;
        best_size = dict_entries;
    }
    if (rle < best_size) {
        best = COLENC_RLE;
        best_size = rle;
    }
    if (!distinct.overflowed && distinct.count > 0) {
        size_t dict = dict_entries + 4 + packed_size(count, bits_for(distinct.count - 1));
        if (dict < best_size) {
            best = COLENC_DICT;
            best_size = dict;
        }
    }
    Buf trial = {arena, NULL, 0, 0, false};
    int16_t scale = 0;
    int64_t *ints = kind == PHYS_DECIMAL ? decimal_as_ints(arena, (const Decimal *)dense, count, &scale) : NULL;
    if ((force < 0 && best != COLENC_CONSTANT) || force == COLENC_GORILLA || force == COLENC_DEC_SCALED) {
        if (kind == PHYS_F64 && count > 0 && (force < 0 || force == COLENC_GORILLA)) {
            enc_gorilla(&trial, (const double *)dense, count);
            if (trial.failed) {
                return -1;
            }
            if (trial.len < best_size || force == COLENC_GORILLA) {
                best = COLENC_GORILLA;
                best_size = trial.len;
            }
        } else if (ints != NULL && (force < 0 || force == COLENC_DEC_SCALED)) {
            uint8_t head[2];
            memcpy(head, &scale, 2);
            buf_put(&trial, head, 2);
            uint32_t ignored;
            size_t mark = trial.len;
            buf_u8(&trial, 0);
            int inner = int_encode(arena, &trial, ints, count, -1, &ignored);
            if (inner < 0) {
                return -1;
            }
            trial.data[mark] = (uint8_t)inner;
            if (trial.len < best_size || force == COLENC_DEC_SCALED) {
                best = COLENC_DEC_SCALED;
                best_size = trial.len;
            }
        }
    }
    if (force >= 0) {
        if ((force == COLENC_GORILLA || force == COLENC_DEC_SCALED) && best != force) {
            return -1;
        }
        if ((force == COLENC_CONSTANT && (distinct.overflowed || distinct.count != 1)) ||
            (force == COLENC_DICT && distinct.overflowed) || force >= COLENC_COUNT ||
            (force >= COLENC_FOR && force <= COLENC_DELTA2) || force == COLENC_FOR_PATCHED ||
            force == COLENC_DELTA_PATCHED || force == COLENC_DELTA_BLOCKED) {
            return -1;
        }
        best = force;
    }
    switch (best) {
    case COLENC_PLAIN:
        enc_plain(buf, kind, &view);
        break;
    case COLENC_CONSTANT:
        put_entry(buf, kind, view.ptr[0], view.len[0]);
        break;
    case COLENC_DICT:
        enc_dict(arena, buf, kind, &view, &distinct);
        break;
    case COLENC_RLE:
        enc_rle(buf, kind, &view);
        break;
    default: /* Gorilla or scaled numeric: the trial is the encoding */
        buf_put(buf, trial.data, trial.len);
        break;
    }
    return buf->failed ? -1 : best;
}

/* Dense copy of the non-NULL values of col (col->values itself when no NULLs). */
static const uint8_t *dense_values(Arena *arena, const ColumnData *col, uint32_t null_count)
{
    if (null_count == 0) {
        return col->values;
    }
    size_t width = (size_t)phys_width(col->kind);
    uint8_t *dense = arena_alloc(arena, width * (col->count - null_count) + 1);
    if (dense == NULL) {
        return NULL;
    }
    size_t out = 0;
    for (uint32_t row = 0; row < col->count; row++) {
        if (!col->nulls[row]) {
            memcpy(dense + width * out++, (const uint8_t *)col->values + width * row, width);
        }
    }
    return dense;
}

/* Encodes the dense values into body (after the null section). */
static int encode_values(Arena *arena, Buf *body, PhysKind kind, const uint8_t *dense,
                         uint32_t count, int force, uint32_t *distinct)
{
    if (kind == PHYS_I64) {
        return int_encode(arena, body, (const int64_t *)dense, count, force, distinct);
    }
    if (kind == PHYS_BOOL) {
        int64_t *ints = arena_alloc(arena, sizeof *ints * (count + 1));
        if (ints == NULL) {
            return -1;
        }
        for (uint32_t row = 0; row < count; row++) {
            ints[row] = ((const bool *)dense)[row] ? 1 : 0;
        }
        return int_encode(arena, body, ints, count, force, distinct);
    }
    return generic_encode(arena, body, kind, dense, count, force, distinct);
}

/* General compression where it pays (saves an eighth at least): zstd for
 * strings (text compresses), lz4 for the rest (fast to decode). */
static int compress_body(Arena *arena, PhysKind kind, const Buf *body, uint8_t **out, size_t *out_len)
{
    *out = body->data;
    *out_len = body->len;
    if (body->len < COMPRESS_MIN_BYTES || body->len > (size_t)INT32_MAX) {
        return COLCOMP_NONE;
    }
    if (kind == PHYS_STRING) {
        size_t bound = ZSTD_compressBound(body->len);
        uint8_t *dst = arena_alloc(arena, bound);
        if (dst == NULL) {
            return COLCOMP_NONE;
        }
        size_t len = ZSTD_compress(dst, bound, body->data, body->len, 1);
        if (!ZSTD_isError(len) && len < body->len - body->len / 8) {
            *out = dst;
            *out_len = len;
            return COLCOMP_ZSTD;
        }
        return COLCOMP_NONE;
    }
    int bound = LZ4_compressBound((int)body->len);
    uint8_t *dst = arena_alloc(arena, (size_t)bound);
    if (dst == NULL) {
        return COLCOMP_NONE;
    }
    int len = LZ4_compress_default((const char *)body->data, (char *)dst, (int)body->len, bound);
    if (len > 0 && (size_t)len < body->len - body->len / 8) {
        *out = dst;
        *out_len = (size_t)len;
        return COLCOMP_LZ4;
    }
    return COLCOMP_NONE;
}

/* Compresses body and writes the segment frame (header + stored body) into out. */
static int segment_frame(Arena *arena, const ColumnData *col, int encoding, int null_mode,
                         uint32_t null_count, const Buf *body, EncodedSegment *out, Error *err)
{
    uint8_t *stored;
    size_t stored_len;
    int compression = compress_body(arena, col->kind, body, &stored, &stored_len);
    uint8_t *bytes = arena_alloc(arena, COLSEG_HEADER_BYTES + stored_len);
    if (bytes == NULL) {
        return arena_error(arena, err);
    }
    col_put_u32(bytes, SEGMENT_MAGIC);
    bytes[4] = (uint8_t)col->kind;
    bytes[5] = (uint8_t)encoding;
    bytes[6] = (uint8_t)compression;
    bytes[7] = (uint8_t)null_mode;
    col_put_u32(bytes + 8, col->count);
    col_put_u32(bytes + 12, null_count);
    col_put_u32(bytes + 16, (uint32_t)body->len);
    col_put_u32(bytes + 20, (uint32_t)stored_len);
    if (stored_len > 0) {
        memcpy(bytes + COLSEG_HEADER_BYTES, stored, stored_len);
    }
    col_put_u64(bytes + 24, checksum64(bytes + COLSEG_HEADER_BYTES, stored_len, checksum64(bytes, 24, 0)));
    out->bytes = bytes;
    out->len = COLSEG_HEADER_BYTES + stored_len;
    out->encoding = encoding;
    out->compression = compression;
    out->raw_body_len = body->len;
    return STRATA_OK;
}

int colseg_encode(Arena *arena, const ColumnData *col, int force_encoding, EncodedSegment *out,
                  Error *err)
{
    memset(out, 0, sizeof *out);
    if (force_encoding == COLENC_REF_DIFF) {
        /* Needs a second column: colseg_encode_ref. */
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "encoding %s does not apply to this column",
                         colenc_name(force_encoding));
    }
    uint32_t null_count = 0;
    for (uint32_t row = 0; col->nulls != NULL && row < col->count; row++) {
        null_count += col->nulls[row] != 0;
    }
    int null_mode = null_count == 0 ? NULLS_NONE : (null_count == col->count ? NULLS_ALL : NULLS_BITMAP);
    Buf body = {arena, NULL, 0, 0, false};
    if (null_mode == NULLS_BITMAP) {
        uint8_t *bits = buf_reserve(&body, (col->count + 7) / 8);
        if (bits != NULL) {
            memset(bits, 0, (col->count + 7) / 8);
            for (uint32_t row = 0; row < col->count; row++) {
                bits[row / 8] |= (uint8_t)((col->nulls[row] != 0) << (row % 8));
            }
            body.len += (col->count + 7) / 8;
        }
    }
    uint32_t values = col->count - null_count;
    const uint8_t *dense = dense_values(arena, col, null_count);
    if (dense == NULL || body.failed) {
        return arena_error(arena, err);
    }
    uint32_t distinct = 0;
    int encoding = COLENC_CONSTANT;
    if (values > 0) {
        encoding = encode_values(arena, &body, col->kind, dense, values, force_encoding, &distinct);
    }
    if (encoding < 0) {
        if (arena_failed(arena)) {
            return arena_error(arena, err);
        }
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "encoding %s does not apply to this column",
                         colenc_name(force_encoding));
    }
    int rc = segment_frame(arena, col, encoding, null_mode, null_count, &body, out, err);
    if (rc == STRATA_OK) {
        out->zone.null_count = null_count;
        out->zone.distinct = distinct;
        zone_build(col->kind, dense, values, &out->zone);
    }
    return rc;
}

/* Residuals of an int64 column over a reference column: the wrapping
 * difference, so every pair of int64 values round-trips. */
int colseg_encode_ref(Arena *arena, const ColumnData *col, const ColumnData *ref, int ref_column,
                      const ZoneMap *zone, EncodedSegment *out, Error *err)
{
    ST_ASSERT(col->kind == PHYS_I64 && ref->kind == PHYS_I64 && col->nulls == NULL &&
              ref->nulls == NULL && col->count == ref->count && col->count > 0);
    memset(out, 0, sizeof *out);
    const int64_t *values = col->values, *base = ref->values;
    int64_t *residuals = arena_alloc(arena, sizeof *residuals * col->count);
    Buf body = {arena, NULL, 0, 0, false};
    if (residuals == NULL) {
        return arena_error(arena, err);
    }
    for (uint32_t row = 0; row < col->count; row++) {
        residuals[row] = (int64_t)((uint64_t)values[row] - (uint64_t)base[row]);
    }
    uint8_t head[3] = {(uint8_t)ref_column, (uint8_t)(ref_column >> 8), 0};
    buf_put(&body, head, 3);
    uint32_t distinct = 0;
    int inner = int_encode(arena, &body, residuals, col->count, -1, &distinct);
    if (inner < 0 || body.failed) {
        return arena_error(arena, err);
    }
    body.data[2] = (uint8_t)inner;
    int rc = segment_frame(arena, col, COLENC_REF_DIFF, NULLS_NONE, 0, &body, out, err);
    if (rc == STRATA_OK) {
        out->zone = *zone;
    }
    return rc;
}

int colseg_encoding_of(const uint8_t *bytes, size_t len)
{
    return len >= COLSEG_HEADER_BYTES ? bytes[5] : -1;
}

/* Checks the frame and returns the decompressed body in *body. */
static int segment_open(Arena *arena, const uint8_t *bytes, size_t len, PhysKind kind,
                        uint32_t count, const char *what, Rd *body, Error *err)
{
    if (len < COLSEG_HEADER_BYTES || col_get_u32(bytes) != SEGMENT_MAGIC) {
        return error_corrupt(err, "%s is corrupted: bad segment header", what);
    }
    uint32_t stored_len = col_get_u32(bytes + 20), raw_len = col_get_u32(bytes + 16);
    if (bytes[4] != kind || col_get_u32(bytes + 8) != count || stored_len != len - COLSEG_HEADER_BYTES ||
        col_get_u32(bytes + 12) > count || bytes[5] >= COLENC_COUNT || bytes[7] > NULLS_BITMAP) {
        return error_corrupt(err, "%s is corrupted: segment header does not match its row group", what);
    }
    uint64_t sum = checksum64(bytes + COLSEG_HEADER_BYTES, stored_len, checksum64(bytes, 24, 0));
    if (sum != col_get_u64(bytes + 24)) {
        return error_corrupt(err, "%s is corrupted: segment checksum mismatch", what);
    }
    const uint8_t *stored = bytes + COLSEG_HEADER_BYTES;
    body->data = stored;
    body->len = stored_len;
    body->pos = 0;
    body->bad = false;
    if (bytes[6] == COLCOMP_NONE) {
        return raw_len == stored_len ? STRATA_OK
                                     : error_corrupt(err, "%s is corrupted: bad segment length", what);
    }
    uint8_t *raw = arena_alloc(arena, (size_t)raw_len + 1);
    if (raw == NULL) {
        return arena_error(arena, err);
    }
    bool ok = false;
    if (bytes[6] == COLCOMP_LZ4 && raw_len <= INT32_MAX && stored_len <= INT32_MAX) {
        ok = LZ4_decompress_safe((const char *)stored, (char *)raw, (int)stored_len, (int)raw_len) ==
             (int)raw_len;
    } else if (bytes[6] == COLCOMP_ZSTD) {
        size_t got = ZSTD_decompress(raw, raw_len, stored, stored_len);
        ok = !ZSTD_isError(got) && got == raw_len;
    }
    if (!ok) {
        return error_corrupt(err, "%s is corrupted: segment does not decompress", what);
    }
    body->data = raw;
    body->len = raw_len;
    return STRATA_OK;
}

int colseg_body(Arena *arena, const uint8_t *bytes, size_t len, PhysKind kind, uint32_t count,
                const char *what, const uint8_t **body, size_t *body_len, Error *err)
{
    Rd rd;
    int rc = segment_open(arena, bytes, len, kind, count, what, &rd, err);
    *body = rd.data;
    *body_len = rc == STRATA_OK ? rd.len : 0;
    return rc;
}

/* Decodes count dense values of the segment's encoding into dense slots. */
static void decode_values(Arena *arena, Rd *rd, PhysKind kind, int encoding, uint8_t *dense,
                          uint32_t count)
{
    if (kind == PHYS_I64) {
        dec_int(arena, rd, encoding, (int64_t *)dense, count);
    } else if (kind == PHYS_BOOL) {
        int64_t *ints = arena_alloc(arena, sizeof *ints * (count + 1));
        if (ints == NULL) {
            rd->bad = true;
            return;
        }
        dec_int(arena, rd, encoding, ints, count);
        for (uint32_t row = 0; row < count; row++) {
            ((bool *)dense)[row] = ints[row] != 0;
        }
    } else if (encoding == COLENC_GORILLA && kind == PHYS_F64) {
        dec_gorilla(rd, (double *)dense, count);
    } else if (encoding == COLENC_DEC_SCALED && kind == PHYS_DECIMAL) {
        int16_t scale;
        const uint8_t *head = rd_bytes(rd, 2);
        int inner = rd_u8(rd);
        int64_t *ints = arena_alloc(arena, sizeof *ints * (count + 1));
        if (head == NULL || ints == NULL || inner == COLENC_DEC_SCALED || inner == COLENC_GORILLA) {
            rd->bad = true;
            return;
        }
        memcpy(&scale, head, 2);
        dec_int(arena, rd, inner, ints, count);
        for (uint32_t row = 0; row < count; row++) {
            Decimal *dec = (Decimal *)dense + row;
            memset(dec, 0, sizeof *dec);
            dec->coef = ints[row];
            dec->scale = scale;
        }
    } else if (encoding >= COLENC_FOR) {
        rd->bad = true;
    } else {
        dec_generic(arena, rd, kind, encoding, dense, count);
    }
}

int colseg_decode(Arena *arena, const uint8_t *bytes, size_t len, PhysKind kind, uint32_t count,
                  const char *what, ColumnData *out, Error *err)
{
    return colseg_decode_ref(arena, bytes, len, kind, count, what, out, NULL, err);
}

int colseg_decode_ref(Arena *arena, const uint8_t *bytes, size_t len, PhysKind kind,
                      uint32_t count, const char *what, ColumnData *out, int *ref_column,
                      Error *err)
{
    Rd rd;
    int rc = segment_open(arena, bytes, len, kind, count, what, &rd, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t width = (size_t)phys_width(kind);
    uint32_t null_count = col_get_u32(bytes + 12);
    int null_mode = bytes[7];
    out->kind = kind;
    out->count = count;
    out->nulls = NULL;
    /* Integers, doubles and strings without NULLs: decode_values writes every value (or
     * fails), no need to zero (a string group of 65,536 rows: 1 MB, q06's referrer). */
    out->values = null_count == 0 && (kind == PHYS_I64 || kind == PHYS_F64 || kind == PHYS_STRING)
                      ? arena_alloc(arena, width * count + 1)
                      : arena_zalloc(arena, width * count + 1);
    if (out->values == NULL) {
        return arena_error(arena, err);
    }
    if (null_mode != NULLS_NONE) {
        out->nulls = arena_alloc(arena, count + 1);
        if (out->nulls == NULL) {
            return arena_error(arena, err);
        }
        const uint8_t *bits = null_mode == NULLS_BITMAP ? rd_bytes(&rd, (count + 7) / 8) : NULL;
        uint32_t seen = 0;
        for (uint32_t row = 0; row < count; row++) {
            out->nulls[row] = null_mode == NULLS_ALL ? 1 : (bits != NULL && ((bits[row / 8] >> (row % 8)) & 1));
            seen += out->nulls[row];
        }
        if (seen != null_count) {
            return error_corrupt(err, "%s is corrupted: null count mismatch", what);
        }
    } else if (null_count != 0) {
        return error_corrupt(err, "%s is corrupted: null count mismatch", what);
    }
    uint32_t values = count - null_count;
    uint8_t *dense = null_count == 0 ? out->values : arena_zalloc(arena, width * values + 1);
    if (dense == NULL) {
        return arena_error(arena, err);
    }
    int encoding = bytes[5];
    if (ref_column != NULL) {
        *ref_column = -1;
    }
    if (encoding == COLENC_REF_DIFF) {
        /* Residuals over another column: the caller adds that column. */
        const uint8_t *head = rd_bytes(&rd, 3);
        if (kind != PHYS_I64 || null_count != 0 || values == 0 || ref_column == NULL ||
            head == NULL || head[2] == COLENC_REF_DIFF || head[2] == COLENC_GORILLA ||
            head[2] == COLENC_DEC_SCALED || head[2] >= COLENC_COUNT) {
            return error_corrupt(err, "%s is corrupted: bad %s data", what,
                                 colenc_name(encoding));
        }
        *ref_column = head[0] | head[1] << 8;
        encoding = head[2];
    }
    if (values > 0) {
        decode_values(arena, &rd, kind, encoding, dense, values);
    }
    if (rd.bad || rd.pos != rd.len) {
        return arena_failed(arena) ? arena_error(arena, err)
                                   : error_corrupt(err, "%s is corrupted: bad %s data", what,
                                                   colenc_name(bytes[5]));
    }
    if (null_count != 0) {
        size_t in = 0;
        for (uint32_t row = 0; row < count; row++) {
            if (!out->nulls[row]) {
                memcpy((uint8_t *)out->values + width * row, dense + width * in++, width);
            }
        }
    }
    return STRATA_OK;
}
