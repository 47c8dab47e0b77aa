/*
 * types/value_io_test.c - text input/output of every type against
 * PostgreSQL 15's answers, plus round trips and typmod rules.
 *
 * value_io_cases.inc holds {type name, input, expected output or
 * "ERR:<sqlstate>"} captured from a PostgreSQL 15 server (TimeZone UTC).
 * Type names go through type_from_name, so the names are tested too.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "types/compare.h"
#include "types/datetime.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

typedef struct IoCase {
    const char *type, *input, *expected;
} IoCase;

static const IoCase CASES[] = {
#include "types/value_io_cases.inc"
};

static Arena *arena;

/* "numeric(5,2)" -> name "numeric", mods {5, 2} */
static int resolve(const char *text, SqlType *out, Error *err)
{
    char name[64];
    int32_t mods[2];
    int mod_count = 0;
    const char *paren = strchr(text, '(');
    size_t n = paren ? (size_t)(paren - text) : strlen(text);
    memcpy(name, text, n);
    name[n] = '\0';
    if (paren) {
        mods[mod_count++] = atoi(paren + 1);
        const char *comma = strchr(paren, ',');
        if (comma) {
            mods[mod_count++] = atoi(comma + 1);
        }
    }
    return type_from_name(name, mods, mod_count, out, err);
}

static void test_postgres_cases(void)
{
    int mismatches = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const IoCase *c = &CASES[i];
        SqlType type;
        Error err;
        error_clear(&err);
        REQUIRE(resolve(c->type, &type, &err) == STRATA_OK);
        Value v;
        char got[600];
        /* The cases were captured with '...'::type, an explicit cast: strings
         * longer than char(n)/varchar(n) are truncated rather than rejected. */
        bool explicit_string =
            (type.id == TYPE_VARCHAR || type.id == TYPE_BPCHAR) && type.typmod >= 0;
        int rc = value_parse(explicit_string ? sql_type(type.id) : type, c->input, strlen(c->input),
                             arena, &v, &err);
        if (rc == STRATA_OK && explicit_string) {
            rc = value_apply_typmod(&v, type, true, arena, &err);
        }
        if (rc != STRATA_OK) {
            snprintf(got, sizeof got, "ERR:%s", err.sqlstate);
        } else {
            StrRef text;
            if (value_format(&v, arena, &text, &err) != STRATA_OK) {
                snprintf(got, sizeof got, "FORMAT-ERR:%s", err.message);
            } else {
                snprintf(got, sizeof got, "%.*s", (int)text.len, text.ptr);
            }
        }
        if (strcmp(got, c->expected) != 0) {
            mismatches++;
            fprintf(stderr, "  %s '%s': got '%s', want '%s' (%s)\n", c->type, c->input, got,
                    c->expected, err.message);
            test_current_failed = 1;
        }
    }
    printf("value_io_test: %zu PostgreSQL cases, %d mismatches\n", sizeof CASES / sizeof CASES[0],
           mismatches);
}

static void test_messages(void)
{
    Error err;
    Value v;
    error_clear(&err);
    CHECK(value_parse(sql_type(TYPE_INT4), "99999999999", 11, arena, &v, &err) != STRATA_OK);
    CHECK_EQ_STR(err.message, "value \"99999999999\" is out of range for type integer");
    CHECK(value_parse(sql_type(TYPE_INT4), "abc", 3, arena, &v, &err) != STRATA_OK);
    CHECK_EQ_STR(err.message, "invalid input syntax for type integer: \"abc\"");
    CHECK(value_parse(sql_type_mod(TYPE_VARCHAR, 3), "abcd", 4, arena, &v, &err) != STRATA_OK);
    CHECK_EQ_STR(err.message, "value too long for type character varying(3)");
    CHECK_EQ_STR(err.sqlstate, "22001");
    CHECK(value_parse(sql_type_mod(TYPE_NUMERIC, (5 << 16) | 2), "1234.5", 6, arena, &v, &err) !=
          STRATA_OK);
    CHECK_EQ_STR(err.message, "numeric field overflow");
    CHECK(value_parse(sql_type(TYPE_JSONB), "{\"a\" 1}", 7, arena, &v, &err) != STRATA_OK);
    CHECK_EQ_STR(err.message, "invalid input syntax for type json");
    CHECK_EQ_STR(err.detail, "Expected \":\", but found \"1\".");
    CHECK(value_parse(sql_type(TYPE_JSONB), "[1,2", 4, arena, &v, &err) != STRATA_OK);
    CHECK_EQ_STR(err.detail, "The input string ended unexpectedly.");
    CHECK(value_parse(sql_type(TYPE_JSONB), "abc", 3, arena, &v, &err) != STRATA_OK);
    CHECK_EQ_STR(err.detail, "Token \"abc\" is invalid.");
    CHECK(value_parse(sql_type(TYPE_BOOL), "maybe", 5, arena, &v, &err) != STRATA_OK);
    CHECK_EQ_STR(err.message, "invalid input syntax for type boolean: \"maybe\"");
}

static void test_type_names(void)
{
    static const struct {
        const char *name;
        int32_t mods[2];
        int mod_count;
        const char *display;
    } NAMES[] = {
        {"int", {0}, 0, "integer"},
        {"INT8", {0}, 0, "bigint"},
        {"smallint", {0}, 0, "smallint"},
        {"float", {10}, 1, "real"},
        {"float", {30}, 1, "double precision"},
        {"float", {0}, 0, "double precision"},
        {"double precision", {0}, 0, "double precision"},
        {"decimal", {10, 2}, 2, "numeric(10,2)"},
        {"numeric", {7}, 1, "numeric(7,0)"},
        {"varchar", {10}, 1, "character varying(10)"},
        {"character varying", {0}, 0, "character varying"},
        {"char", {0}, 0, "character(1)"},
        {"character", {4}, 1, "character(4)"},
        {"timestamptz", {0}, 0, "timestamp with time zone"},
        {"timestamp", {3}, 1, "timestamp(3) without time zone"},
        {"timestamp without time zone", {0}, 0, "timestamp without time zone"},
        {"time", {0}, 0, "time without time zone"},
        {"bool", {0}, 0, "boolean"},
        {"jsonb", {0}, 0, "jsonb"},
    };
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        SqlType t;
        Error err;
        REQUIRE(type_from_name(NAMES[i].name, NAMES[i].mods, NAMES[i].mod_count, &t, &err) ==
                STRATA_OK);
        CHECK_EQ_STR(type_name(t, arena), NAMES[i].display);
    }
    SqlType t;
    Error err;
    CHECK(type_from_name("foo", NULL, 0, &t, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "42704");
    CHECK_EQ_STR(err.message, "type \"foo\" does not exist");
    int32_t bad[2] = {1001, 2}; /* precision up to 1000, as PostgreSQL */
    CHECK(type_from_name("numeric", bad, 2, &t, &err) != STRATA_OK);
    CHECK_EQ_STR(err.message, "NUMERIC precision 1001 must be between 1 and 1000");
    int32_t wide[2] = {1000, 2};
    CHECK(type_from_name("numeric", wide, 2, &t, &err) == STRATA_OK);
    CHECK_EQ_INT(type_oid(TYPE_INT4), 23);
    CHECK_EQ_INT(type_oid(TYPE_JSONB), 3802);
    CHECK_EQ_INT(type_oid(TYPE_UNKNOWN), 705);
    CHECK(type_category(TYPE_TIMESTAMPTZ) == TYPCAT_DATETIME);
    CHECK(type_is_preferred(TYPE_FLOAT8) && !type_is_preferred(TYPE_NUMERIC));
}

/* format(parse(x)) == x for random canonical values of several types. */
static void test_round_trips(void)
{
    uint64_t state = test_seed("value_io_test");
    int rounds = getenv("STRATA_TEST_QUICK") ? 5000 : 50000;
    for (int round = 0; round < rounds; round++) {
        Value v = {0};
        switch (test_rand(&state) % 6) {
        case 0:
            v = value_i64(TYPE_INT8, (int64_t)test_rand(&state));
            break;
        case 1: {
            uint64_t bits = test_rand(&state);
            double d;
            memcpy(&d, &bits, sizeof d);
            if (isnan(d)) {
                d = 1.5;
            }
            v = value_f64(d);
            break;
        }
        case 2:
            v = value_i64(TYPE_DATE, (int64_t)(test_rand(&state) % 4000000) - 2000000);
            break;
        case 3:
            v = value_i64(TYPE_TIMESTAMP,
                          (int64_t)(test_rand(&state) % (uint64_t)6e17) - (int64_t)2e17);
            break;
        case 4:
            v.type = sql_type(TYPE_INTERVAL);
            v.iv.months = (int32_t)(test_rand(&state) % 20000) - 10000;
            v.iv.days = (int32_t)(test_rand(&state) % 2000) - 1000;
            v.iv.micros = (int64_t)(test_rand(&state) % (uint64_t)1e15) - (int64_t)5e14;
            break;
        case 5:
            v.type = sql_type(TYPE_UUID);
            for (int i = 0; i < 16; i++) {
                v.uuid.bytes[i] = (uint8_t)test_rand(&state);
            }
            break;
        }
        StrRef text;
        Error err;
        REQUIRE(value_format(&v, arena, &text, &err) == STRATA_OK);
        Value back;
        if (value_parse(v.type, text.ptr, text.len, arena, &back, &err) != STRATA_OK) {
            fprintf(stderr, "  round trip parse failed: %s '%.*s': %s\n", type_id_name(v.type.id),
                    (int)text.len, text.ptr, err.message);
            test_current_failed = 1;
            continue;
        }
        bool same = v.type.id == TYPE_INTERVAL
                        ? (v.iv.months == back.iv.months && v.iv.days == back.iv.days &&
                           v.iv.micros == back.iv.micros)
                        : value_compare(&v, &back) == 0;
        if (!same) {
            fprintf(stderr, "  round trip mismatch: %s '%.*s'\n", type_id_name(v.type.id),
                    (int)text.len, text.ptr);
            test_current_failed = 1;
        }
        if (round % 64 == 0) {
            arena_reset(arena);
        }
    }
}

static void test_float_format(void)
{
    char buf[40];
    float8_format(0.1, buf);
    CHECK_EQ_STR(buf, "0.1");
    float8_format(1e100, buf);
    CHECK_EQ_STR(buf, "1e+100");
    float8_format(123456789012345.0, buf);
    CHECK_EQ_STR(buf, "123456789012345");
    float8_format(1234567890123456.0, buf);
    CHECK_EQ_STR(buf, "1.234567890123456e+15");
    float8_format(-0.0001, buf);
    CHECK_EQ_STR(buf, "-0.0001");
    float8_format(0.00001, buf);
    CHECK_EQ_STR(buf, "1e-05");
    float4_format((double)0.1f, buf);
    CHECK_EQ_STR(buf, "0.1");
    float4_format(1e6, buf);
    CHECK_EQ_STR(buf, "1e+06");
}

/* Random byte strings (biased towards characters that matter to the
 * parsers) into every type's input function: an error or a value, never a
 * crash; accepted values must format and re-parse. */
static void test_garbage(void)
{
    static const char ALPHABET[] = "0123456789+-.eE:/ TtZz\\x{}[]\",aAbBpPmMyYdDhHsS@-\xc3\xa9";
    uint64_t state = test_seed("value_io_test garbage");
    int rounds = getenv("STRATA_TEST_QUICK") ? 20000 : 200000;
    char text[40];
    for (int round = 0; round < rounds; round++) {
        TypeId type = (TypeId)(1 + test_rand(&state) % (TYPE_COUNT - 1));
        size_t len = test_rand(&state) % sizeof text;
        for (size_t i = 0; i < len; i++) {
            text[i] = (test_rand(&state) % 8 == 0)
                          ? (char)test_rand(&state)
                          : ALPHABET[test_rand(&state) % (sizeof ALPHABET - 1)];
        }
        Value v, back;
        Error err;
        if (value_parse(sql_type(type), text, len, arena, &v, &err) == STRATA_OK) {
            StrRef out;
            REQUIRE(value_format(&v, arena, &out, &err) == STRATA_OK);
            if (value_parse(sql_type(type), out.ptr, out.len, arena, &back, &err) != STRATA_OK) {
                fprintf(stderr, "  %s: '%.*s' formatted as '%.*s' does not parse back: %s\n",
                        type_id_name(type), (int)len, text, (int)out.len, out.ptr, err.message);
                test_current_failed = 1;
            }
        } else if (strcmp(err.sqlstate, "00000") == 0 || strlen(err.sqlstate) != 5) {
            fprintf(stderr, "  %s: '%.*s' failed without a SQLSTATE (%s)\n", type_id_name(type),
                    (int)len, text, err.sqlstate);
            test_current_failed = 1;
        }
        if (round % 256 == 0) {
            arena_reset(arena);
        }
    }
}

/* utf8_char_count (eight bytes at a time, summed in chunks of 255 words)
 * against a byte-by-byte count, on random bytes of every length up to 40 at
 * every alignment, some up to 4,500 bytes (several chunks), and a run of
 * continuation bytes long enough to fill every per-byte sum of a chunk. */
static void test_utf8_char_count(void)
{
    uint64_t rng = test_seed("value_io utf8");
    static char buf[4600];
    for (int round = 0; round < 2000; round++) {
        size_t length = (size_t)(test_rand(&rng) % (round % 10 == 0 ? 4500 : 41));
        size_t start = (size_t)(test_rand(&rng) % 8);
        for (size_t at = 0; at < length; at++) {
            buf[start + at] = (char)(test_rand(&rng) & 0xff);
        }
        int64_t naive = 0;
        for (size_t at = 0; at < length; at++) {
            naive += ((unsigned char)buf[start + at] & 0xC0) != 0x80;
        }
        CHECK_EQ_INT(utf8_char_count(buf + start, length), naive);
    }
    CHECK_EQ_INT(utf8_char_count("h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac", 13), 8);
    memset(buf, 0x80, 4100);
    buf[0] = 'a';
    CHECK_EQ_INT(utf8_char_count(buf, 4100), 1);
}

/* Integer output (value_format's own digit loop) against printf, on the
 * extremes and random values of every magnitude. */
static void test_integer_format(void)
{
    uint64_t rng = test_seed("value_io integers");
    int64_t fixed[] = {0, 1, -1, 9, 10, -10, 99, 100, INT64_MAX, INT64_MIN, INT64_MIN + 1,
                       32767, -32768, 2147483647, -2147483648LL};
    for (int round = 0; round < 2000 + 15; round++) {
        int64_t n = round < 15 ? fixed[round]
                               : (int64_t)(test_rand(&rng) >> (test_rand(&rng) % 64));
        if (round >= 15 && test_rand(&rng) % 2 == 0) {
            n = -n;
        }
        Value v = value_i64(TYPE_INT8, n);
        StrRef text;
        Error err;
        REQUIRE(value_format(&v, arena, &text, &err) == STRATA_OK);
        char expect[32];
        int length = snprintf(expect, sizeof expect, "%lld", (long long)n);
        CHECK_EQ_INT((int64_t)text.len, length);
        CHECK(memcmp(text.ptr, expect, (size_t)length) == 0);
    }
}

int main(void)
{
    arena = arena_create(NULL, 0, "value_io_test");
    TEST_RUN(test_postgres_cases);
    TEST_RUN(test_utf8_char_count);
    TEST_RUN(test_messages);
    TEST_RUN(test_type_names);
    TEST_RUN(test_float_format);
    TEST_RUN(test_integer_format);
    TEST_RUN(test_round_trips);
    TEST_RUN(test_garbage);
    arena_destroy(arena);
    return test_summary("value_io_test");
}
