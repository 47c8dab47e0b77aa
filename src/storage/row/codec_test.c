/*
 * storage/row/codec_test.c - the key and row codecs: randomized round trips
 * over every type (edge values: INT64_MIN/MAX, -0.0, NaN, infinities, empty
 * strings, strings with 0x00 bytes, numerics of many scales), NULL patterns,
 * and for keys: memcmp order of encodings == a reference SQL comparison
 * written here, with ASC and DESC columns. Damaged inputs must give
 * STRATA_CORRUPT, never a crash.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "storage/row/keycodec.h"
#include "storage/row/rowcodec.h"
#include "types/numeric.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

#define USECS_PER_DAY INT64_C(86400000000)

static const TypeId ALL_TYPES[] = {
    TYPE_BOOL, TYPE_INT2, TYPE_INT4, TYPE_INT8, TYPE_FLOAT4, TYPE_FLOAT8, TYPE_NUMERIC,
    TYPE_TEXT, TYPE_VARCHAR, TYPE_BPCHAR, TYPE_BYTEA, TYPE_DATE, TYPE_TIME, TYPE_TIMESTAMP,
    TYPE_TIMESTAMPTZ, TYPE_INTERVAL, TYPE_UUID, TYPE_JSON, TYPE_JSONB,
};
#define TYPE_TOTAL ((int)(sizeof ALL_TYPES / sizeof ALL_TYPES[0]))

static bool quick(void)
{
    const char *env = getenv("STRATA_TEST_QUICK");
    return env != NULL && *env != '\0' && *env != '0';
}

static __int128 pow10_i128(int exponent)
{
    __int128 value = 1;
    while (exponent-- > 0) {
        value *= 10;
    }
    return value;
}

/* Random value of a type. `small` keeps numerics comparable by the reference
 * (|coef| < 10^18, scale <= 18) and draws from small pools so ties are common. */
static Value random_value(TypeId type, uint64_t *rng, Arena *arena, bool small)
{
    Value value = {0};
    value.type = sql_type(type);
    if (test_rand(rng) % 8 == 0) {
        value.is_null = true;
        return value;
    }
    uint64_t pick = test_rand(rng);
    switch (type_phys(type)) {
    case PHYS_BOOL:
        value.b = pick & 1;
        break;
    case PHYS_I64: {
        static const int64_t edges[] = {INT64_MIN, INT64_MAX, 0, -1, 1, INT64_MIN + 1, 255, 256};
        value.i64 = pick % 4 == 0 ? edges[(pick >> 8) % 8]
                                  : (pick % 4 == 1 ? (int64_t)(pick >> 3) % 20 - 10
                                                   : (int64_t)test_rand(rng));
        break;
    }
    case PHYS_F64: {
        static const double edges[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1.5, -1.5, 1e308,
                                       -1e-308, 5e-324};
        if (pick % 3 == 0) {
            value.f64 = edges[(pick >> 8) % 10];
        } else if (pick % 3 == 1) {
            value.f64 = (double)((int64_t)(pick >> 8) % 7 - 3) / 2;
        } else {
            uint64_t bits = test_rand(rng);
            memcpy(&value.f64, &bits, 8);
        }
        break;
    }
    case PHYS_DECIMAL: {
        uint64_t mode = pick % 10;
        if (mode == 0) {
            value.dec.flags = (uint8_t)(1 + (pick >> 8) % 3);
            break;
        }
        int max_digits = small ? 18 : 38;
        int digits = (int)((pick >> 8) % (uint64_t)(max_digits + 1));
        __int128 coef = 0;
        for (int pos = 0; pos < digits; pos++) {
            coef = coef * 10 + (__int128)(test_rand(rng) % 10);
        }
        if (mode < 4) {
            coef = (__int128)(test_rand(rng) % 5) * pow10_i128((int)(test_rand(rng) % 4));
        }
        value.dec.coef = (pick >> 16) & 1 ? -coef : coef;
        value.dec.scale = (int16_t)(test_rand(rng) % (uint64_t)((small ? 18 : 38) + 1));
        break;
    }
    case PHYS_STRING: {
        bool is_long = !small && pick % 7 == 0;
        size_t len = pick % 5 == 0 ? 0
                     : is_long     ? 100 + test_rand(rng) % 400
                                   : test_rand(rng) % 12;
        char *text = arena_alloc(arena, len + 1);
        for (size_t pos = 0; pos < len; pos++) {
            uint64_t byte = test_rand(rng) % 6;
            text[pos] = byte == 0 ? 0 : (byte == 1 ? (char)0xFF : (char)('a' + byte));
        }
        value.str.ptr = text;
        value.str.len = (uint32_t)len;
        break;
    }
    case PHYS_INTERVAL:
        value.iv.months = (int32_t)(test_rand(rng) % 5) - 2;
        value.iv.days = (int32_t)(test_rand(rng) % 61) - 30;
        value.iv.micros = pick % 3 == 0 ? (int64_t)(test_rand(rng) % 3) * USECS_PER_DAY
                                        : (int64_t)(test_rand(rng) % 2000001) - 1000000;
        break;
    case PHYS_UUID:
        for (int pos = 0; pos < 16; pos++) {
            value.uuid.bytes[pos] = (uint8_t)(test_rand(rng) % 3 * 127);
        }
        break;
    }
    return value;
}

/* ---- The reference SQL comparison ---------------------------------------------- */

static int sign_of(long double diff) { return diff < 0 ? -1 : (diff > 0 ? 1 : 0); }

static int compare_decimal(const Decimal *a, const Decimal *b)
{
    /* Order: -inf < finite < +inf < NaN. */
    int rank_a = a->flags == DECIMAL_NEG_INF ? 0 : a->flags == DECIMAL_FINITE ? 1
                 : a->flags == DECIMAL_POS_INF ? 2 : 3;
    int rank_b = b->flags == DECIMAL_NEG_INF ? 0 : b->flags == DECIMAL_FINITE ? 1
                 : b->flags == DECIMAL_POS_INF ? 2 : 3;
    if (rank_a != rank_b || rank_a != 1) {
        return rank_a < rank_b ? -1 : (rank_a > rank_b ? 1 : 0);
    }
    __int128 left = a->coef * pow10_i128(18 - a->scale);
    __int128 right = b->coef * pow10_i128(18 - b->scale);
    return left < right ? -1 : (left > right ? 1 : 0);
}

static int compare_double(double a, double b)
{
    if (isnan(a) || isnan(b)) {
        return isnan(a) && isnan(b) ? 0 : (isnan(a) ? 1 : -1);
    }
    return sign_of((long double)a - (long double)b);
}

static int compare_value(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null) {
        return a->is_null == b->is_null ? 0 : (a->is_null ? 1 : -1);
    }
    switch (type_phys(a->type.id)) {
    case PHYS_BOOL:
        return (int)a->b - (int)b->b;
    case PHYS_I64:
        return a->i64 < b->i64 ? -1 : (a->i64 > b->i64 ? 1 : 0);
    case PHYS_F64:
        return compare_double(a->f64, b->f64);
    case PHYS_DECIMAL:
        return compare_decimal(&a->dec, &b->dec);
    case PHYS_STRING: {
        uint32_t common = a->str.len < b->str.len ? a->str.len : b->str.len;
        int cmp = common ? memcmp(a->str.ptr, b->str.ptr, common) : 0;
        if (cmp != 0) {
            return cmp < 0 ? -1 : 1;
        }
        return a->str.len < b->str.len ? -1 : (a->str.len > b->str.len ? 1 : 0);
    }
    case PHYS_INTERVAL: {
        __int128 span_a = a->iv.micros + ((__int128)a->iv.months * 30 + a->iv.days) * USECS_PER_DAY;
        __int128 span_b = b->iv.micros + ((__int128)b->iv.months * 30 + b->iv.days) * USECS_PER_DAY;
        return span_a < span_b ? -1 : (span_a > span_b ? 1 : 0);
    }
    case PHYS_UUID: {
        int cmp = memcmp(a->uuid.bytes, b->uuid.bytes, 16);
        return cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
    }
    }
    return 0;
}

static int compare_tuple(const Value *a, const Value *b, const bool *descending, int count)
{
    for (int col = 0; col < count; col++) {
        int cmp = compare_value(&a[col], &b[col]);
        if (cmp != 0) {
            return descending[col] ? -cmp : cmp;
        }
    }
    return 0;
}

static int compare_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    size_t common = a_len < b_len ? a_len : b_len;
    int cmp = common ? memcmp(a, b, common) : 0;
    if (cmp != 0) {
        return cmp < 0 ? -1 : 1;
    }
    return a_len < b_len ? -1 : (a_len > b_len ? 1 : 0);
}

/* Exact equality for the row codec (floats bitwise, numerics by coef and scale). */
static bool identical(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null) {
        return a->is_null == b->is_null;
    }
    switch (type_phys(a->type.id)) {
    case PHYS_F64:
        return memcmp(&a->f64, &b->f64, 8) == 0;
    case PHYS_DECIMAL:
        return a->dec.flags == b->dec.flags &&
               (a->dec.flags != DECIMAL_FINITE ||
                (a->dec.coef == b->dec.coef && a->dec.scale == b->dec.scale));
    case PHYS_INTERVAL:
        return a->iv.months == b->iv.months && a->iv.days == b->iv.days &&
               a->iv.micros == b->iv.micros;
    default:
        return compare_value(a, b) == 0;
    }
}

/* ---- Tests --------------------------------------------------------------------- */

static void test_key_order(void)
{
    uint64_t rng = test_seed("codec_test key order");
    Arena *arena = arena_create(NULL, 0, "key order");
    Error err;
    int rounds = quick() ? 200 : 2000;
    for (int round = 0; round < rounds && !test_current_failed; round++) {
        int count = 1 + (int)(test_rand(&rng) % 3);
        TypeId types[3];
        SqlType sql_types[3];
        bool descending[3];
        for (int col = 0; col < count; col++) {
            types[col] = ALL_TYPES[test_rand(&rng) % TYPE_TOTAL];
            sql_types[col] = sql_type(types[col]);
            descending[col] = test_rand(&rng) % 3 == 0;
        }
        Value tuples[40][3];
        uint8_t *keys[40];
        size_t key_lens[40];
        for (int row = 0; row < 40; row++) {
            for (int col = 0; col < count; col++) {
                tuples[row][col] = random_value(types[col], &rng, arena, true);
            }
            REQUIRE(keycodec_encode(arena, tuples[row], descending, count, NULL, 0, &keys[row],
                                    &key_lens[row], &err) == STRATA_OK);
            /* Round trip: decoded values compare equal, and consume the whole key. */
            Value decoded[3];
            size_t consumed = 0;
            REQUIRE(keycodec_decode(keys[row], key_lens[row], sql_types, descending, count, arena,
                                    decoded, &consumed, &err) == STRATA_OK);
            CHECK_EQ_INT(consumed, key_lens[row]);
            for (int col = 0; col < count; col++) {
                CHECK(compare_value(&decoded[col], &tuples[row][col]) == 0);
                if (keycodec_is_lossless(types[col])) {
                    CHECK(identical(&decoded[col], &tuples[row][col]));
                }
            }
            size_t skipped = 0;
            CHECK(keycodec_skip(keys[row], key_lens[row], sql_types, descending, count, &skipped,
                                &err) == STRATA_OK);
            CHECK_EQ_INT(skipped, key_lens[row]);
        }
        for (int a = 0; a < 40; a++) {
            for (int b = 0; b < 40; b++) {
                int expected = compare_tuple(tuples[a], tuples[b], descending, count);
                int got = compare_bytes(keys[a], key_lens[a], keys[b], key_lens[b]);
                if (expected != got) {
                    fprintf(stderr, "  order mismatch: round %d rows %d %d: expected %d got %d\n",
                            round, a, b, expected, got);
                    test_current_failed = 1;
                    break;
                }
            }
        }
        arena_reset(arena);
    }
    arena_destroy(arena);
}

/* A numeric of either form: 1 to 90 random digits, scale 0..60, sometimes
 * negative, sometimes an exponent past the key codec's 16-bit one. */
static Value random_wide_numeric(uint64_t *rng, Arena *arena)
{
    char text[200];
    size_t length = 0;
    if (test_rand(rng) % 2) {
        text[length++] = '-';
    }
    int digits = 1 + (int)(test_rand(rng) % 90);
    for (int k = 0; k < digits; k++) {
        text[length++] = (char)('0' + test_rand(rng) % (k < 3 ? 3 : 10)); /* ties are likely */
    }
    int exponent = (int)(test_rand(rng) % 121) - 60;
    if (test_rand(rng) % 16 == 0) {
        exponent = 32760 + (int)(test_rand(rng) % 40); /* around the escape at 0x7FFF */
    }
    length += (size_t)snprintf(text + length, sizeof text - length, "e%d", exponent);
    Value value = {0};
    value.type = sql_type(TYPE_NUMERIC);
    Error err;
    Arena *previous = numeric_set_arena(arena);
    CHECK(numeric_parse(text, length, &value.dec, &err) == STRATA_OK);
    numeric_set_arena(previous);
    return value;
}

/* Numerics past 38 digits among 128-bit ones (issue 3): key order is numeric
 * order, keys and rows decode to equal values. */
static void test_key_order_big_numeric(void)
{
    uint64_t rng = test_seed("codec_test big numeric");
    Arena *arena = arena_create(NULL, 0, "big numeric keys");
    Error err;
    SqlType type = sql_type(TYPE_NUMERIC);
    int rounds = quick() ? 20 : 200, big_count = 0;
    for (int round = 0; round < rounds && !test_current_failed; round++) {
        bool descending = round % 2 == 1;
        Value values[30];
        uint8_t *keys[30];
        size_t key_lens[30];
        for (int row = 0; row < 30; row++) {
            values[row] = random_wide_numeric(&rng, arena);
            big_count += numeric_is_big(&values[row].dec);
            REQUIRE(keycodec_encode(arena, &values[row], &descending, 1, NULL, 0, &keys[row],
                                    &key_lens[row], &err) == STRATA_OK);
            Value decoded;
            size_t consumed = 0;
            REQUIRE(keycodec_decode(keys[row], key_lens[row], &type, &descending, 1, arena,
                                    &decoded, &consumed, &err) == STRATA_OK);
            CHECK_EQ_INT(consumed, key_lens[row]);
            CHECK(numeric_compare(&decoded.dec, &values[row].dec) == 0);
            uint8_t *bytes;
            size_t length;
            REQUIRE(rowcodec_encode(arena, &values[row], 1, &bytes, &length, &err) == STRATA_OK);
            int column = 0;
            REQUIRE(rowcodec_decode(bytes, length, &type, 1, &column, 1, &decoded, &err) ==
                    STRATA_OK);
            CHECK(numeric_compare(&decoded.dec, &values[row].dec) == 0);
            CHECK_EQ_INT(decoded.dec.scale, values[row].dec.scale);
            /* a damaged big field is corruption, never a crash */
            if (numeric_is_big(&values[row].dec)) {
                CHECK(rowcodec_decode(bytes, length - 1, &type, 1, &column, 1, &decoded, &err) ==
                      STRATA_CORRUPT);
            }
        }
        for (int a = 0; a < 30; a++) {
            for (int b = 0; b < 30; b++) {
                int expected = numeric_compare(&values[a].dec, &values[b].dec);
                expected = descending ? -expected : expected;
                int got = compare_bytes(keys[a], key_lens[a], keys[b], key_lens[b]);
                if (expected != got) {
                    fprintf(stderr, "  order mismatch: round %d rows %d %d: expected %d got %d\n",
                            round, a, b, expected, got);
                    test_current_failed = 1;
                }
            }
        }
        arena_reset(arena);
    }
    CHECK(big_count > rounds * 10); /* the big form was exercised */
    arena_destroy(arena);
}

static Value decimal_value(__int128 coef, int scale)
{
    Value value = {0};
    value.type = sql_type(TYPE_NUMERIC);
    value.dec.coef = coef;
    value.dec.scale = (int16_t)scale;
    return value;
}

static void test_key_edges(void)
{
    Arena *arena = arena_create(NULL, 0, "key edges");
    Error err;
    uint8_t *a, *b;
    size_t a_len, b_len;
    /* 1.0 and 1.00 (and 1) encode identically; -0.0 and 0.0 too. */
    Value one_a = decimal_value(10, 1), one_b = decimal_value(100, 2), one_c = decimal_value(1, 0);
    keycodec_encode(arena, &one_a, NULL, 1, NULL, 0, &a, &a_len, &err);
    keycodec_encode(arena, &one_b, NULL, 1, NULL, 0, &b, &b_len, &err);
    CHECK(compare_bytes(a, a_len, b, b_len) == 0);
    keycodec_encode(arena, &one_c, NULL, 1, NULL, 0, &b, &b_len, &err);
    CHECK(compare_bytes(a, a_len, b, b_len) == 0);
    Value zero = value_f64(0.0), minus_zero = value_f64(-0.0);
    keycodec_encode(arena, &zero, NULL, 1, NULL, 0, &a, &a_len, &err);
    keycodec_encode(arena, &minus_zero, NULL, 1, NULL, 0, &b, &b_len, &err);
    CHECK(compare_bytes(a, a_len, b, b_len) == 0);
    /* Largest numerics round trip. */
    __int128 max = pow10_i128(38) - 1;
    int scales[] = {0, 1, 19, 37, 38};
    for (int pos = 0; pos < 5; pos++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            Value value = decimal_value(sign * max, scales[pos]);
            Value decoded;
            SqlType type = sql_type(TYPE_NUMERIC);
            REQUIRE(keycodec_encode(arena, &value, NULL, 1, NULL, 0, &a, &a_len, &err) ==
                    STRATA_OK);
            REQUIRE(keycodec_decode(a, a_len, &type, NULL, 1, arena, &decoded, NULL, &err) ==
                    STRATA_OK);
            CHECK(identical(&decoded, &value));
        }
    }
    /* "a" < "ab" < "b", and "a\0" sorts between "a" and "ab". */
    Value text_a = value_str(TYPE_TEXT, "a", 1), text_a0 = value_str(TYPE_TEXT, "a\0", 2);
    Value text_ab = value_str(TYPE_TEXT, "ab", 2);
    uint8_t *c;
    size_t c_len;
    keycodec_encode(arena, &text_a, NULL, 1, NULL, 0, &a, &a_len, &err);
    keycodec_encode(arena, &text_a0, NULL, 1, NULL, 0, &b, &b_len, &err);
    keycodec_encode(arena, &text_ab, NULL, 1, NULL, 0, &c, &c_len, &err);
    CHECK(compare_bytes(a, a_len, b, b_len) < 0);
    CHECK(compare_bytes(b, b_len, c, c_len) < 0);
    /* Prefix successor. */
    uint8_t succ[4];
    size_t succ_len;
    CHECK(keycodec_prefix_successor((const uint8_t *)"\x01\x02\xff", 3, succ, &succ_len));
    CHECK(succ_len == 2 && succ[0] == 1 && succ[1] == 3);
    CHECK(!keycodec_prefix_successor((const uint8_t *)"\xff\xff", 2, succ, &succ_len));
    /* Malformed keys: truncations and garbage are CORRUPT, never a crash. */
    SqlType types[3] = {sql_type(TYPE_TEXT), sql_type(TYPE_NUMERIC), sql_type(TYPE_INT8)};
    Value values[3] = {text_ab, decimal_value(-12345, 2), value_i64(TYPE_INT8, 7)};
    REQUIRE(keycodec_encode(arena, values, NULL, 3, NULL, 0, &a, &a_len, &err) == STRATA_OK);
    Value decoded[3];
    for (size_t cut = 0; cut < a_len; cut++) {
        CHECK(keycodec_decode(a, cut, types, NULL, 3, arena, decoded, NULL, &err) ==
              STRATA_CORRUPT);
    }
    uint64_t rng = 99;
    for (int round = 0; round < 2000; round++) {
        uint8_t junk[24];
        for (size_t pos = 0; pos < sizeof junk; pos++) {
            junk[pos] = (uint8_t)test_rand(&rng);
        }
        int rc = keycodec_decode(junk, test_rand(&rng) % sizeof junk, types, NULL, 3, arena,
                                 decoded, NULL, &err);
        CHECK(rc == STRATA_OK || rc == STRATA_CORRUPT);
    }
    arena_destroy(arena);
}

static void test_row_round_trip(void)
{
    uint64_t rng = test_seed("codec_test rows");
    Arena *arena = arena_create(NULL, 0, "rows");
    Error err;
    int rounds = quick() ? 300 : 3000;
    for (int round = 0; round < rounds && !test_current_failed; round++) {
        int count = 1 + (int)(test_rand(&rng) % 30);
        SqlType types[30];
        Value values[30];
        for (int col = 0; col < count; col++) {
            types[col] = sql_type(ALL_TYPES[test_rand(&rng) % TYPE_TOTAL]);
            values[col] = random_value(types[col].id, &rng, arena, false);
        }
        uint8_t *row;
        size_t row_len;
        REQUIRE(rowcodec_encode(arena, values, count, &row, &row_len, &err) == STRATA_OK);
        int columns[30];
        Value decoded[30];
        for (int col = 0; col < count; col++) {
            columns[col] = col;
        }
        REQUIRE(rowcodec_decode(row, row_len, types, count, columns, count, decoded, &err) ==
                STRATA_OK);
        for (int col = 0; col < count; col++) {
            CHECK(identical(&decoded[col], &values[col]));
        }
        /* A random projection, in random order with repeats. */
        int projected = 1 + (int)(test_rand(&rng) % (uint64_t)count);
        for (int out = 0; out < projected; out++) {
            columns[out] = (int)(test_rand(&rng) % (uint64_t)count);
        }
        REQUIRE(rowcodec_decode(row, row_len, types, count, columns, projected, decoded, &err) ==
                STRATA_OK);
        for (int out = 0; out < projected; out++) {
            CHECK(identical(&decoded[out], &values[columns[out]]));
        }
        /* A random increasing subset (the scans' shape: decode_ascending),
         * ending in a column the row predates (NULL). */
        SqlType wide[31];
        memcpy(wide, types, sizeof(SqlType) * (size_t)count);
        wide[count] = sql_type(TYPE_TEXT);
        projected = 0;
        for (int col = 0; col < count; col++) {
            if (test_rand(&rng) % 2 == 0) {
                columns[projected++] = col;
            }
        }
        columns[projected++] = count;
        REQUIRE(rowcodec_decode(row, row_len, wide, count + 1, columns, projected, decoded,
                                &err) == STRATA_OK);
        for (int out = 0; out + 1 < projected; out++) {
            CHECK(identical(&decoded[out], &values[columns[out]]));
        }
        CHECK(decoded[projected - 1].is_null);
        /* A table that gained columns reads them as NULL. */
        SqlType wider[31];
        memcpy(wider, types, sizeof(SqlType) * (size_t)count);
        wider[count] = sql_type(TYPE_INT8);
        columns[0] = count;
        REQUIRE(rowcodec_decode(row, row_len, wider, count + 1, columns, 1, decoded, &err) ==
                STRATA_OK);
        CHECK(decoded[0].is_null);
        /* More stored columns than the table has: CORRUPT. */
        CHECK(rowcodec_decode(row, row_len, types, count - 1, columns, 0, decoded, &err) ==
              STRATA_CORRUPT);
        /* Truncations and flipped bytes: OK or CORRUPT, never out of bounds. */
        for (int col = 0; col < count; col++) {
            columns[col] = col;
        }
        size_t cut = test_rand(&rng) % row_len;
        int rc = rowcodec_decode(row, cut, types, count, columns, count, decoded, &err);
        CHECK(rc == STRATA_OK || rc == STRATA_CORRUPT);
        row[test_rand(&rng) % row_len] ^= (uint8_t)(1 + test_rand(&rng) % 255);
        rc = rowcodec_decode(row, row_len, types, count, columns, count, decoded, &err);
        CHECK(rc == STRATA_OK || rc == STRATA_CORRUPT);
        arena_reset(arena);
    }
    arena_destroy(arena);
}

/* Format 2 (varint integers) has the documented bytes; format 1 rows, written
 * before it, still decode; malformed varints are CORRUPT (issue 6). */
static void test_row_formats(void)
{
    Arena *arena = arena_create(NULL, 0, "formats");
    Error err;
    SqlType types[4] = {sql_type(TYPE_INT4), sql_type(TYPE_INT8), sql_type(TYPE_TEXT),
                        sql_type(TYPE_DATE)};
    Value values[4] = {value_i64(TYPE_INT4, -1), value_i64(TYPE_INT8, 300),
                       value_str(TYPE_TEXT, "ab", 2), value_null(types[3])};
    uint8_t *row;
    size_t row_len;
    REQUIRE(rowcodec_encode(arena, values, 4, &row, &row_len, &err) == STRATA_OK);
    /* format, count, bitmap (column 3 NULL), zigzag(-1) = 1, zigzag(300) = 600 = 0xD8 0x04,
     * "ab" with its length. */
    static const uint8_t v2[] = {0x02, 0x04, 0x08, 0x01, 0xD8, 0x04, 0x02, 'a', 'b'};
    CHECK_EQ_INT((int)row_len, (int)sizeof v2);
    CHECK(row_len == sizeof v2 && memcmp(row, v2, sizeof v2) == 0);
    int columns[4] = {0, 1, 2, 3};
    Value decoded[4];
    static const uint8_t v1[] = {0x01, 0x04, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                 0xFF, 0xFF, 0x2C, 0x01, 0, 0, 0, 0, 0, 0, 0x02, 'a', 'b'};
    const uint8_t *both[2] = {v2, v1};
    size_t lengths[2] = {sizeof v2, sizeof v1};
    for (int format = 0; format < 2; format++) {
        REQUIRE(rowcodec_decode(both[format], lengths[format], types, 4, columns, 4, decoded,
                                &err) == STRATA_OK);
        for (int col = 0; col < 4; col++) {
            CHECK(identical(&decoded[col], &values[col]));
        }
    }
    /* An unterminated varint, a column count past the end, an unknown format. */
    static const uint8_t long_int[] = {0x02, 0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                       0x80, 0x80, 0x80, 0x80, 0x01};
    static const uint8_t cut_count[] = {0x02, 0x80};
    static const uint8_t unknown[] = {0x03, 0x01, 0x00, 0x01};
    CHECK(rowcodec_decode(long_int, sizeof long_int, types, 4, columns, 1, decoded, &err) ==
          STRATA_CORRUPT);
    CHECK(rowcodec_decode(long_int, 4, types, 4, columns, 1, decoded, &err) == STRATA_CORRUPT);
    CHECK(rowcodec_decode(cut_count, sizeof cut_count, types, 4, columns, 1, decoded, &err) ==
          STRATA_CORRUPT);
    CHECK(rowcodec_decode(unknown, sizeof unknown, types, 4, columns, 1, decoded, &err) ==
          STRATA_CORRUPT);
    arena_destroy(arena);
}

/* rowcodec_decode_batch (a scan's ascending projection straight into a
 * batch row) gives the values rowcodec_decode gives, NULLs for columns the
 * row does not store, and OK or CORRUPT for damaged rows. */
static void test_row_decode_batch(void)
{
    uint64_t rng = test_seed("codec_test decode_batch");
    Arena *arena = arena_create(NULL, 0, "rows");
    Error err;
    int rounds = quick() ? 300 : 3000;
    for (int round = 0; round < rounds && !test_current_failed; round++) {
        int count = 1 + (int)(test_rand(&rng) % 30);
        SqlType types[31];
        Value values[30];
        for (int col = 0; col < count; col++) {
            types[col] = sql_type(ALL_TYPES[test_rand(&rng) % TYPE_TOTAL]);
            values[col] = random_value(types[col].id, &rng, arena, false);
        }
        types[count] = sql_type(TYPE_INT8); /* added after the row was written */
        uint8_t *row;
        size_t row_len;
        REQUIRE(rowcodec_encode(arena, values, count, &row, &row_len, &err) == STRATA_OK);
        int columns[31], projected = 0;
        SqlType out_types[31];
        for (int col = 0; col <= count; col++) {
            if (test_rand(&rng) % 2 == 0 || (col == count && projected == 0)) {
                out_types[projected] = types[col];
                columns[projected++] = col;
            }
        }
        Batch *batch = batch_create(arena, out_types, projected, 0);
        REQUIRE(batch != NULL);
        int at = (int)(test_rand(&rng) % (uint64_t)batch->capacity);
        REQUIRE(rowcodec_decode_batch(row, row_len, types, count + 1, columns, projected, batch,
                                      at, &err) == STRATA_OK);
        for (int out = 0; out < projected; out++) {
            Value got;
            batch_get_value(batch, out, at, &got);
            if (columns[out] == count) {
                CHECK(got.is_null);
            } else {
                CHECK(identical(&got, &values[columns[out]]));
            }
        }
        /* More stored columns than the table has: CORRUPT. */
        CHECK(rowcodec_decode_batch(row, row_len, types, count - 1, columns, 0, batch, at, &err) ==
              STRATA_CORRUPT);
        /* Truncations and flipped bytes: OK or CORRUPT, never out of bounds. */
        size_t cut = test_rand(&rng) % row_len;
        int rc = rowcodec_decode_batch(row, cut, types, count + 1, columns, projected, batch, at,
                                       &err);
        CHECK(rc == STRATA_OK || rc == STRATA_CORRUPT);
        row[test_rand(&rng) % row_len] ^= (uint8_t)(1 + test_rand(&rng) % 255);
        rc = rowcodec_decode_batch(row, row_len, types, count + 1, columns, projected, batch, at,
                                   &err);
        CHECK(rc == STRATA_OK || rc == STRATA_CORRUPT);
        arena_reset(arena);
    }
    arena_destroy(arena);
}

/* rowcodec_encode_batch_row against rowcodec_encode of the same Values: random
 * rows of every type (NULLs, edge integers, big numerics, long strings) put into
 * a random row of a batch with a selection vector, the same bytes. */
static void test_row_encode_batch(void)
{
    uint64_t rng = test_seed("codec_test encode_batch");
    Arena *arena = arena_create(NULL, 0, "rows");
    Error err;
    int rounds = quick() ? 300 : 3000;
    for (int round = 0; round < rounds && !test_current_failed; round++) {
        int count = 1 + (int)(test_rand(&rng) % 30);
        SqlType types[31];
        Value values[30];
        for (int col = 0; col < count; col++) {
            types[col] = sql_type(ALL_TYPES[test_rand(&rng) % TYPE_TOTAL]);
            values[col] = random_value(types[col].id, &rng, arena, test_rand(&rng) % 2 == 0);
        }
        /* One more vector than the row has: only [0, count) is encoded. */
        types[count] = sql_type(TYPE_TEXT);
        Batch *batch = batch_create(arena, types, count + 1, 0);
        REQUIRE(batch != NULL);
        int at = (int)(test_rand(&rng) % (uint64_t)batch->capacity);
        for (int col = 0; col < count; col++) {
            REQUIRE(batch_set_value(batch, col, at, &values[col]));
        }
        REQUIRE(batch_set_null(batch, count, at));
        uint8_t *want, *got;
        size_t want_len, got_len;
        REQUIRE(rowcodec_encode(arena, values, count, &want, &want_len, &err) == STRATA_OK);
        REQUIRE(rowcodec_encode_batch_row(arena, batch, types, count, at, &got, &got_len, &err) ==
                STRATA_OK);
        CHECK(got_len == want_len && memcmp(got, want, want_len) == 0);
        arena_reset(arena);
    }
    arena_destroy(arena);
}

int main(void)
{
    TEST_RUN(test_key_order);
    TEST_RUN(test_key_edges);
    TEST_RUN(test_key_order_big_numeric);
    TEST_RUN(test_row_round_trip);
    TEST_RUN(test_row_formats);
    TEST_RUN(test_row_decode_batch);
    TEST_RUN(test_row_encode_batch);
    return test_summary("codec_test");
}
