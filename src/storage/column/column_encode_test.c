/*
 * storage/column/column_encode_test.c - goal: every encoding round-trips
 * every physical kind exactly (NaN payloads, -0, infinities, numeric scales,
 * empty strings and strings with 0x00, extreme integers) under every NULL
 * pattern (the patched encodings too); the chooser picks the encoding each
 * data shape is made for; zone
 * maps bound the data; a damaged segment is reported as corruption.
 * Randomized: prints its seed, replay with STRATA_SEED.
 */
#include <math.h>
#include <string.h>

#include "storage/column/column_int.h"
#include "util/checksum.h"
#include "util/mem.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static uint64_t rng;
static Arena *arena;

static const PhysKind kinds[] = {PHYS_BOOL, PHYS_I64, PHYS_F64, PHYS_DECIMAL,
                                 PHYS_STRING, PHYS_INTERVAL, PHYS_UUID};

enum { SHAPE_RANDOM, SHAPE_LOWCARD, SHAPE_SORTED, SHAPE_CONSTANT, SHAPE_RUNS, SHAPE_EDGE, SHAPE_COUNT };
enum { NULLS_NO, NULLS_EVERY, NULLS_RANDOM, NULLS_RUNS, NULLS_PATTERNS };

static const int64_t edge_ints[] = {INT64_MIN, INT64_MAX, 0, -1, 1, INT64_MIN + 1, INT64_MAX - 1};

static double edge_double(uint64_t pick)
{
    static const double values[] = {0.0, -0.0, INFINITY, -INFINITY, 1e308, -1e-308, 5e-324, 1.5};
    if (pick % 10 == 8) {
        uint64_t bits = 0x7ff8000000000000ULL | (pick >> 8 & 0xfffff); /* NaN with a payload */
        double nan_value;
        memcpy(&nan_value, &bits, 8);
        return nan_value;
    }
    if (pick % 10 == 9) {
        return NAN;
    }
    return values[pick % 8];
}

static uint64_t hash_mix(uint64_t a, uint64_t b)
{
    uint64_t state = a ^ (b * 0x9e3779b97f4a7c15ULL);
    return test_rand(&state);
}

/* Fills one value slot; `i` is the row, `base` a per-column random. */
static void make_value(PhysKind kind, int shape, uint32_t row, uint64_t base, uint8_t *slot)
{
    uint64_t r = test_rand(&rng);
    uint64_t pick = shape == SHAPE_CONSTANT ? base
                    : shape == SHAPE_LOWCARD ? hash_mix(base, r % 7)
                    : shape == SHAPE_RUNS    ? hash_mix(base, row / 37)
                    : shape == SHAPE_SORTED  ? base + row * 3 + (r % 3)
                                             : r;
    switch (kind) {
    case PHYS_BOOL:
        *(bool *)slot = shape == SHAPE_SORTED ? row > 100 : (pick & 1) != 0;
        break;
    case PHYS_I64:
        *(int64_t *)slot = shape == SHAPE_EDGE ? edge_ints[r % 7] : (int64_t)pick;
        break;
    case PHYS_F64:
        *(double *)slot = shape == SHAPE_EDGE ? edge_double(r)
                          : shape == SHAPE_SORTED ? (double)pick
                                                  : (double)(int64_t)pick / 1024.0;
        break;
    case PHYS_DECIMAL: {
        Decimal *dec = (Decimal *)slot;
        memset(dec, 0, sizeof *dec);
        dec->coef = shape == SHAPE_EDGE ? (__int128)(int64_t)pick * (__int128)INT64_MAX : (int64_t)(pick % 1000000007);
        dec->scale = (int16_t)(shape == SHAPE_EDGE ? r % 39 : 2);
        dec->flags = shape == SHAPE_EDGE && r % 5 == 0 ? (uint8_t)(r % 4) : DECIMAL_FINITE;
        if (dec->flags != DECIMAL_FINITE) {
            dec->coef = 0;
            dec->scale = 0;
        }
        break;
    }
    case PHYS_STRING: {
        uint32_t len = shape == SHAPE_EDGE ? (uint32_t)(r % 4 == 0 ? 0 : r % 200) : (uint32_t)(pick % 12);
        char *text = arena_alloc(arena, len + 1);
        for (uint32_t pos = 0; pos < len; pos++) {
            text[pos] = shape == SHAPE_EDGE ? (char)(test_rand(&rng) & 0xff) : (char)('a' + (pick >> (pos % 8 * 4)) % 26);
        }
        if (len > 2 && shape == SHAPE_EDGE) {
            text[1] = '\0';
        }
        StrRef str = {text, len};
        memcpy(slot, &str, sizeof str);
        break;
    }
    case PHYS_INTERVAL: {
        Interval iv = {(int32_t)pick, (int32_t)(pick >> 32), (int64_t)(pick * 31)};
        memcpy(slot, &iv, sizeof iv);
        break;
    }
    case PHYS_UUID:
        for (int byte = 0; byte < 16; byte++) {
            slot[byte] = (uint8_t)(pick >> (byte % 8 * 8));
        }
        break;
    }
}

static ColumnData make_column(PhysKind kind, uint32_t count, int shape, int null_pattern)
{
    ColumnData col = {kind, count, NULL, NULL};
    size_t width = (size_t)phys_width(kind);
    col.values = arena_zalloc(arena, width * count + 1);
    if (null_pattern != NULLS_NO) {
        col.nulls = arena_zalloc(arena, count + 1);
    }
    uint64_t base = test_rand(&rng);
    for (uint32_t row = 0; row < count; row++) {
        bool is_null = null_pattern == NULLS_EVERY ||
                       (null_pattern == NULLS_RANDOM && test_rand(&rng) % 3 == 0) ||
                       (null_pattern == NULLS_RUNS && (row / 50) % 2 == 1);
        if (is_null) {
            col.nulls[row] = 1;
        } else {
            make_value(kind, shape, row, base, (uint8_t *)col.values + width * row);
        }
    }
    return col;
}

static bool same_slot(PhysKind kind, const uint8_t *a, const uint8_t *b)
{
    if (kind == PHYS_STRING) {
        const StrRef *x = (const StrRef *)a, *y = (const StrRef *)b;
        return x->len == y->len && (x->len == 0 || memcmp(x->ptr, y->ptr, x->len) == 0);
    }
    if (kind == PHYS_DECIMAL) {
        const Decimal *x = (const Decimal *)a, *y = (const Decimal *)b;
        return x->coef == y->coef && x->scale == y->scale && x->flags == y->flags;
    }
    if (kind == PHYS_BOOL) {
        return *(const bool *)a == *(const bool *)b;
    }
    return memcmp(a, b, (size_t)phys_width(kind)) == 0;
}

static bool same_column(const ColumnData *a, const ColumnData *b)
{
    size_t width = (size_t)phys_width(a->kind);
    for (uint32_t row = 0; row < a->count; row++) {
        bool null_a = a->nulls != NULL && a->nulls[row], null_b = b->nulls != NULL && b->nulls[row];
        if (null_a != null_b) {
            return false;
        }
        if (!null_a && !same_slot(a->kind, (const uint8_t *)a->values + width * row,
                                  (const uint8_t *)b->values + width * row)) {
            return false;
        }
    }
    return a->count == b->count;
}

/* Zone map invariant: every non-NULL value lies within [min, max]. */
static bool zone_bounds(const ColumnData *col, const ZoneMap *zone)
{
    size_t width = (size_t)phys_width(col->kind);
    uint32_t nulls = 0;
    for (uint32_t row = 0; row < col->count; row++) {
        if (col->nulls != NULL && col->nulls[row]) {
            nulls++;
            continue;
        }
        Value value = {0};
        memcpy(&value.b, (const uint8_t *)col->values + width * row, width);
        if ((zone->has_min && colzone_compare(col->kind, &value, &zone->min) < 0) ||
            (zone->has_max && colzone_compare(col->kind, &value, &zone->max) > 0)) {
            return false;
        }
    }
    return nulls == zone->null_count;
}

/* colbits_unpack gives back what colbits_pack packed, for every width and counts
 * that end inside a group of eight values, with no byte read past the packed ones
 * (the input is copied to an exactly sized buffer, so ASan would see an over-read). */
static void test_bit_packing(void)
{
    enum { MAX = 1000 };
    uint64_t *values = mem_alloc(sizeof *values * MAX);
    uint64_t *back = mem_alloc(sizeof *back * (MAX + 1));
    uint8_t *packed = mem_alloc(MAX * 8 + 8);
    bool ok = true;
    for (int width = 1; ok && width <= 64; width++) {
        for (size_t count = 0; ok && count <= MAX; count += count < 40 ? 1 : 97) {
            uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
            for (size_t row = 0; row < count; row++) {
                values[row] = test_rand(&rng) & mask;
            }
            size_t bytes = (count * (size_t)width + 7) / 8;
            memset(packed, 0, bytes + 8);
            colbits_pack(packed, values, count, width);
            uint8_t *exact = mem_alloc(bytes + 1);
            memcpy(exact, packed, bytes);
            back[count] = 12345;
            colbits_unpack(exact, back, count, width);
            mem_free(exact);
            ok = memcmp(values, back, count * sizeof *values) == 0 && back[count] == 12345;
            if (!ok) {
                fprintf(stderr, "  width %d, count %zu\n", width, count);
            }
        }
    }
    CHECK(ok);
    mem_free(packed);
    mem_free(back);
    mem_free(values);
}

static void test_round_trips(void)
{
    int rounds = getenv("STRATA_TEST_QUICK") != NULL ? 3 : 12;
    int checked = 0;
    for (int round = 0; round < rounds; round++) {
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            for (int shape = 0; shape < SHAPE_COUNT; shape++) {
                for (int nulls = 0; nulls < NULLS_PATTERNS; nulls++) {
                    uint32_t count = (round < 3 ? (uint32_t)round : (uint32_t)(test_rand(&rng) % 3000));
                    arena_reset(arena);
                    ColumnData col = make_column(kinds[k], count, shape, nulls);
                    for (int force = -1; force < COLENC_COUNT; force++) {
                        EncodedSegment seg;
                        Error err;
                        int rc = colseg_encode(arena, &col, force, &seg, &err);
                        if (rc != STRATA_OK) {
                            CHECK(force >= 0); /* the chooser always finds one */
                            continue;
                        }
                        ColumnData back;
                        rc = colseg_decode(arena, seg.bytes, seg.len, kinds[k], count, "test segment",
                                           &back, &err);
                        if (rc != STRATA_OK || !same_column(&col, &back)) {
                            fprintf(stderr, "  kind %d shape %d nulls %d count %u force %d (%s): %s\n",
                                    kinds[k], shape, nulls, count, force, colenc_name(seg.encoding),
                                    rc != STRATA_OK ? err.message : "values differ");
                            CHECK(false);
                            return;
                        }
                        CHECK(zone_bounds(&col, &seg.zone));
                        checked++;
                    }
                }
            }
        }
    }
    printf("column_encode_test: %d round trips checked\n", checked);
}

/* Encodes count int64 values from gen and returns the chosen encoding. */
static int chosen_int(const int64_t *values, uint32_t count)
{
    ColumnData col = {PHYS_I64, count, NULL, (void *)values};
    EncodedSegment seg;
    Error err;
    return colseg_encode(arena, &col, -1, &seg, &err) == STRATA_OK ? seg.encoding : -1;
}

static void test_chooser(void)
{
    enum { N = 20000 };
    arena_reset(arena);
    int64_t *v = arena_alloc(arena, sizeof *v * N);
    for (int row = 0; row < N; row++) {
        v[row] = 1000000 + row * 7 + (int64_t)(test_rand(&rng) % 3); /* sorted, small gaps */
    }
    CHECK_EQ_INT(chosen_int(v, N), COLENC_DELTA);
    for (int row = 0; row < N; row++) {
        v[row] = 42;
    }
    CHECK_EQ_INT(chosen_int(v, N), COLENC_CONSTANT);
    uint64_t base = test_rand(&rng);
    for (int row = 0; row < N; row++) {
        v[row] = (int64_t)hash_mix(base, test_rand(&rng) % 10); /* 10 wide values */
    }
    CHECK_EQ_INT(chosen_int(v, N), COLENC_DICT);
    for (int row = 0; row < N; row++) {
        v[row] = (int64_t)hash_mix(base, (uint64_t)row / 1000); /* long runs of wide values */
    }
    CHECK_EQ_INT(chosen_int(v, N), COLENC_RLE);
    for (int row = 0; row < N; row++) {
        v[row] = -5000 + (int64_t)(test_rand(&rng) % 100000); /* random in a small range */
    }
    CHECK_EQ_INT(chosen_int(v, N), COLENC_FOR);
    for (int row = 0; row < N; row++) {
        v[row] = (int64_t)row * row; /* accelerating: constant second difference */
    }
    CHECK_EQ_INT(chosen_int(v, N), COLENC_DELTA2);

    double *d = arena_alloc(arena, sizeof *d * N);
    for (int row = 0; row < N; row++) {
        d[row] = 1000.0 + row;
    }
    ColumnData doubles = {PHYS_F64, N, NULL, d};
    EncodedSegment seg;
    Error err;
    REQUIRE(colseg_encode(arena, &doubles, -1, &seg, &err) == STRATA_OK);
    CHECK_EQ_INT(seg.encoding, COLENC_GORILLA);

    Decimal *dec = arena_zalloc(arena, sizeof *dec * N);
    for (int row = 0; row < N; row++) {
        dec[row].coef = 1999 + row; /* 19.99, 20.00, ... */
        dec[row].scale = 2;
    }
    ColumnData decimals = {PHYS_DECIMAL, N, NULL, dec};
    REQUIRE(colseg_encode(arena, &decimals, -1, &seg, &err) == STRATA_OK);
    CHECK_EQ_INT(seg.encoding, COLENC_DEC_SCALED);
    CHECK(seg.len < N); /* under a byte per value */

    static const char *const words[] = {"red", "green", "blue", "yellow"};
    StrRef *s = arena_alloc(arena, sizeof *s * N);
    for (int row = 0; row < N; row++) {
        const char *w = words[test_rand(&rng) % 4];
        s[row] = (StrRef){w, (uint32_t)strlen(w)};
    }
    ColumnData strings = {PHYS_STRING, N, NULL, s};
    REQUIRE(colseg_encode(arena, &strings, -1, &seg, &err) == STRATA_OK);
    CHECK_EQ_INT(seg.encoding, COLENC_DICT);
    for (int row = 0; row < N; row++) {
        s[row] = (StrRef){"same", 4};
    }
    REQUIRE(colseg_encode(arena, &strings, -1, &seg, &err) == STRATA_OK);
    CHECK_EQ_INT(seg.encoding, COLENC_CONSTANT);
    for (int row = 0; row < N; row++) {
        s[row].ptr = arena_sprintf(arena, "user-%d-%llu", row, (unsigned long long)test_rand(&rng));
        s[row].len = (uint32_t)strlen(s[row].ptr);
    }
    REQUIRE(colseg_encode(arena, &strings, -1, &seg, &err) == STRATA_OK);
    CHECK_EQ_INT(seg.encoding, COLENC_PLAIN);
    CHECK_EQ_INT(seg.compression, COLCOMP_ZSTD);
}

/* Patched frame of reference (issue 6): chosen for the shapes it is made for,
 * smaller than plain bit packing there, exact on edge values, and its reader
 * rejects malformed bytes (the segment checksum does not cover a writer bug). */
static void test_patched(void)
{
    enum { N = 20000 };
    arena_reset(arena);
    int64_t *v = arena_alloc(arena, sizeof *v * N);
    /* Seconds of the day, increasing, wrapping at midnight (the star fact table's
     * time_key): deltas are small except at each wrap. */
    int64_t second = 0;
    for (int row = 0; row < N; row++) {
        second += (int64_t)(test_rand(&rng) % 60);
        if (second >= 86400) {
            second -= 86400;
        }
        v[row] = second;
    }
    ColumnData col = {PHYS_I64, N, NULL, v};
    EncodedSegment seg, forced;
    Error err;
    REQUIRE(colseg_encode(arena, &col, -1, &seg, &err) == STRATA_OK);
    CHECK_EQ_INT(seg.encoding, COLENC_DELTA_BLOCKED);
    REQUIRE(colseg_encode(arena, &col, COLENC_FOR, &forced, &err) == STRATA_OK);
    CHECK(seg.raw_body_len * 2 < forced.raw_body_len); /* 6-bit deltas against 17-bit values */
    /* Small values with rare huge outliers, and rare values below the rest. */
    for (int row = 0; row < N; row++) {
        v[row] = 1000 + (int64_t)(test_rand(&rng) % 1000);
        if (row % 997 == 0) {
            v[row] = row % 2 ? INT64_MAX - row : INT64_MIN + row;
        }
    }
    REQUIRE(colseg_encode(arena, &col, -1, &seg, &err) == STRATA_OK);
    CHECK_EQ_INT(seg.encoding, COLENC_FOR_PATCHED);
    CHECK(seg.raw_body_len < (size_t)N * 2);
    ColumnData back;
    REQUIRE(colseg_decode(arena, seg.bytes, seg.len, PHYS_I64, N, "t", &back, &err) == STRATA_OK);
    CHECK(memcmp(back.values, v, sizeof *v * N) == 0);
    /* The reader on hand-made bytes: base 10, width 2, 1 exception, 4 values. */
    int64_t out[4];
    uint8_t good[] = {10, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0x1B, 2, 200, 1};
    /* packed 3,2,1,0 -> 0b00011011; exception: gap 2 (position 2), zigzag 200 = +100 */
    CHECK_EQ_INT((int)colpatch_read(arena, good, sizeof good, out, 4), (int)sizeof good);
    CHECK(out[0] == 13 && out[1] == 12 && out[2] == 110 && out[3] == 10);
    CHECK_EQ_INT((int)colpatch_read(arena, good, sizeof good - 1, out, 4), 0); /* cut varint */
    CHECK_EQ_INT((int)colpatch_read(arena, good, 10, out, 4), 0);              /* cut bits */
    uint8_t bad[sizeof good];
    memcpy(bad, good, sizeof good);
    bad[11] = 4; /* exception past the last value */
    CHECK_EQ_INT((int)colpatch_read(arena, bad, sizeof bad, out, 4), 0);
    memcpy(bad, good, sizeof good);
    bad[9] = 5; /* more exceptions than values */
    CHECK_EQ_INT((int)colpatch_read(arena, bad, sizeof bad, out, 4), 0);
    memcpy(bad, good, sizeof good);
    bad[8] = 65; /* width over 64 */
    CHECK_EQ_INT((int)colpatch_read(arena, bad, sizeof bad, out, 4), 0);
}

static void test_corruption(void)
{
    arena_reset(arena);
    ColumnData col = make_column(PHYS_I64, 1000, SHAPE_RANDOM, NULLS_RANDOM);
    EncodedSegment seg;
    Error err;
    REQUIRE(colseg_encode(arena, &col, -1, &seg, &err) == STRATA_OK);
    int detected = 0, positions = 0;
    for (size_t pos = 0; pos < seg.len; pos += 1 + seg.len / 64) {
        uint8_t *copy = arena_memdup(arena, seg.bytes, seg.len);
        copy[pos] ^= 0x10;
        ColumnData back;
        int rc = colseg_decode(arena, copy, seg.len, PHYS_I64, 1000, "column \"a\" of test", &back, &err);
        positions++;
        if (rc == STRATA_CORRUPT && strstr(err.message, "column \"a\" of test") != NULL) {
            detected++;
        }
    }
    CHECK_EQ_INT(detected, positions);
    ColumnData back;
    CHECK(colseg_decode(arena, seg.bytes, seg.len - 1, PHYS_I64, 1000, "t", &back, &err) == STRATA_CORRUPT);
    CHECK(colseg_decode(arena, seg.bytes, seg.len, PHYS_I64, 999, "t", &back, &err) == STRATA_CORRUPT);
    CHECK(colseg_decode(arena, seg.bytes, seg.len, PHYS_F64, 1000, "t", &back, &err) == STRATA_CORRUPT);
}

static void test_zone_filters(void)
{
    ZoneMap zone;
    memset(&zone, 0, sizeof zone);
    zone.has_min = zone.has_max = true;
    zone.min.i64 = 10;
    zone.max.i64 = 20;
    Value v = value_i64(TYPE_INT8, 5);
    ScanFilter f = {0, FILTER_EQ, &v, 1};
    CHECK(!colzone_may_match(PHYS_I64, &zone, 100, &f));
    v.i64 = 15;
    CHECK(colzone_may_match(PHYS_I64, &zone, 100, &f));
    f.op = FILTER_GT;
    v.i64 = 20;
    CHECK(!colzone_may_match(PHYS_I64, &zone, 100, &f));
    f.op = FILTER_GE;
    CHECK(colzone_may_match(PHYS_I64, &zone, 100, &f));
    f.op = FILTER_LT;
    v.i64 = 10;
    CHECK(!colzone_may_match(PHYS_I64, &zone, 100, &f));
    f.op = FILTER_IS_NULL;
    CHECK(!colzone_may_match(PHYS_I64, &zone, 100, &f));
    Value in[2] = {value_i64(TYPE_INT8, 1), value_i64(TYPE_INT8, 30)};
    ScanFilter fin = {0, FILTER_IN, in, 2};
    CHECK(!colzone_may_match(PHYS_I64, &zone, 100, &fin));
    in[1].i64 = 12;
    CHECK(colzone_may_match(PHYS_I64, &zone, 100, &fin));
    Value nan = value_f64(NAN), inf = value_f64(INFINITY), zero = value_f64(0.0), neg = value_f64(-0.0);
    CHECK(colzone_compare(PHYS_F64, &nan, &inf) > 0);
    CHECK(colzone_compare(PHYS_F64, &zero, &neg) == 0);
    Value a = {0}, b = {0};
    a.dec.coef = 100;
    a.dec.scale = 2; /* 1.00 */
    b.dec.coef = 1;  /* 1 */
    CHECK(colzone_compare(PHYS_DECIMAL, &a, &b) == 0);
    b.dec.coef = 2;
    CHECK(colzone_compare(PHYS_DECIMAL, &a, &b) < 0);
}

int main(void)
{
    rng = test_seed("column_encode_test");
    arena = arena_create(NULL, 0, "column_encode_test");
    TEST_RUN(test_bit_packing);
    TEST_RUN(test_round_trips);
    TEST_RUN(test_chooser);
    TEST_RUN(test_patched);
    TEST_RUN(test_corruption);
    TEST_RUN(test_zone_filters);
    arena_destroy(arena);
    return test_summary("column_encode_test");
}
