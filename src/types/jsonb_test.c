/*
 * types/jsonb_test.c - the binary jsonb format: ordering and pretty output
 * against PostgreSQL 15 (jsonb_cases.inc), randomized documents for round
 * trips, containment and hash/equality properties, and corrupted encodings
 * that must be rejected without crashing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/array.h"
#include "types/jsonb.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

#include "types/jsonb_cases.inc"

static Arena *arena;

static StrRef parse(const char *text)
{
    StrRef out = {NULL, 0};
    Error err;
    if (jsonb_parse(text, strlen(text), arena, &out, &err) != STRATA_OK) {
        fprintf(stderr, "  parse failed: %s: %s %s\n", text, err.message, err.detail);
        test_current_failed = 1;
        out.ptr = "\0";
        out.len = 1;
    }
    return out;
}

static void test_postgres_order(void)
{
    size_t n = sizeof ORDERED / sizeof ORDERED[0];
    for (size_t i = 0; i + 1 < n; i++) {
        StrRef a = parse(ORDERED[i]), b = parse(ORDERED[i + 1]);
        int c = jsonb_compare(a, b);
        bool equal_numbers = strcmp(ORDERED[i], "1.50") == 0 || strcmp(ORDERED[i], "1.5") == 0;
        if (!(c < 0 || (c == 0 && equal_numbers))) {
            fprintf(stderr, "  order: %s !< %s\n", ORDERED[i], ORDERED[i + 1]);
            test_current_failed = 1;
        }
        CHECK(jsonb_compare(b, a) == -c);
    }
}

static void test_postgres_pretty(void)
{
    for (size_t i = 0; i < sizeof PRETTY / sizeof PRETTY[0]; i++) {
        StrRef v = parse(PRETTY[i][0]), out;
        Error err;
        REQUIRE(jsonb_format_pretty(v, arena, &out, &err) == STRATA_OK);
        CHECK_EQ_STR(arena_strndup(arena, out.ptr, out.len), PRETTY[i][1]);
    }
}

/* Random JSON text generator. */
static void gen(uint64_t *state, char *buf, size_t *len, size_t cap, int depth)
{
    static const char *const SCALARS[] = {"null",
                                          "true",
                                          "false",
                                          "0",
                                          "-1",
                                          "1.50",
                                          "1e2",
                                          "3.25e-1",
                                          "\"\"",
                                          "\"x\"",
                                          "\"a\\\"b\"",
                                          "\"\\u00e9\"",
                                          "12345678901234567890123456789012345678901234"};
    static const char *const KEYS[] = {"a", "b", "aa", "key", "", "é", "a"};
    int choice = (int)(test_rand(state) % (depth > 3 ? 1 : 4));
    if (*len + 64 > cap) {
        choice = 0;
    }
    if (choice == 0 || choice == 3) {
        const char *s = SCALARS[test_rand(state) % (sizeof SCALARS / sizeof SCALARS[0])];
        size_t n = strlen(s);
        memcpy(buf + *len, s, n);
        *len += n;
        return;
    }
    bool object = choice == 2;
    buf[(*len)++] = object ? '{' : '[';
    int count = (int)(test_rand(state) % 5);
    for (int i = 0; i < count; i++) {
        if (i > 0) {
            buf[(*len)++] = ',';
        }
        if (object) {
            *len += (size_t)snprintf(buf + *len, cap - *len, "\"%s\":", KEYS[test_rand(state) % 7]);
        }
        gen(state, buf, len, cap, depth + 1);
    }
    buf[(*len)++] = object ? '}' : ']';
}

static void test_random_documents(void)
{
    uint64_t state = test_seed("jsonb_test");
    int rounds = getenv("STRATA_TEST_QUICK") ? 2000 : 20000;
    char text[8192];
    for (int round = 0; round < rounds; round++) {
        size_t len = 0;
        gen(&state, text, &len, sizeof text - 1, 0);
        text[len] = '\0';
        Error err;
        StrRef v, out, again;
        if (jsonb_parse(text, len, arena, &v, &err) != STRATA_OK) {
            fprintf(stderr, "  generated document rejected: %s (%s)\n", text, err.detail);
            test_current_failed = 1;
            continue;
        }
        REQUIRE(jsonb_validate(v, &err) == STRATA_OK);
        REQUIRE(jsonb_format(v, arena, &out, &err) == STRATA_OK);
        REQUIRE(jsonb_parse(out.ptr, out.len, arena, &again, &err) == STRATA_OK);
        /* normalized output parses back to the identical encoding */
        CHECK(again.len == v.len && memcmp(again.ptr, v.ptr, v.len) == 0);
        CHECK(jsonb_compare(v, again) == 0 && jsonb_hash(v) == jsonb_hash(again));
        CHECK(jsonb_contains(v, v));
        CHECK(json_validate(text, len, &err) == STRATA_OK);
        /* An object contains each of its single pairs. */
        if (jsonb_kind(v) == JSONB_OBJECT && jsonb_length(v) > 0) {
            StrRef key = jsonb_object_key_at(v, 0), value = jsonb_object_value_at(v, 0), single;
            REQUIRE(jsonb_build_object_from(&key, &value, 1, arena, &single, &err) == STRATA_OK);
            CHECK(jsonb_contains(v, single));
            CHECK(jsonb_exists(v, key.ptr, key.len));
        }
        /* Flipping bytes must give a validation error or a valid value, never a crash. */
        char *copy = arena_memdup(arena, v.ptr, v.len);
        copy[test_rand(&state) % v.len] ^= (char)(1 + test_rand(&state) % 255);
        StrRef damaged = {copy, v.len};
        if (jsonb_validate(damaged, &err) == STRATA_OK) {
            CHECK(jsonb_format(damaged, arena, &out, &err) == STRATA_OK);
        } else {
            CHECK_EQ_STR(err.sqlstate, "22P03");
        }
        if (round % 256 == 0) {
            arena_reset(arena);
        }
    }
}

/* Operators that build new values always produce valid encodings, and
 * obey simple laws: a || b contains b's pairs when both are objects; deleting
 * a key removes it; jsonb_set then #> reads the value back. */
static void test_random_operations(void)
{
    uint64_t state = test_seed("jsonb_test operations");
    int rounds = getenv("STRATA_TEST_QUICK") ? 1000 : 10000;
    char text_a[4096], text_b[4096];
    for (int round = 0; round < rounds; round++) {
        size_t la = 0, lb = 0;
        gen(&state, text_a, &la, sizeof text_a - 1, 0);
        gen(&state, text_b, &lb, sizeof text_b - 1, 0);
        Error err;
        StrRef a, b, out, got;
        if (jsonb_parse(text_a, la, arena, &a, &err) != STRATA_OK) {
            fprintf(stderr, "  a rejected: %.*s (%s %s)\n", (int)la, text_a, err.message,
                    err.detail);
            test_current_failed = 1;
            return;
        }
        if (jsonb_parse(text_b, lb, arena, &b, &err) != STRATA_OK) {
            fprintf(stderr, "  b rejected: %.*s (%s)\n", (int)lb, text_b, err.detail);
            test_current_failed = 1;
            return;
        }
        REQUIRE(jsonb_concat(a, b, arena, &out, &err) == STRATA_OK);
        CHECK(jsonb_validate(out, &err) == STRATA_OK);
        if (jsonb_kind(a) == JSONB_OBJECT && jsonb_kind(b) == JSONB_OBJECT) {
            CHECK(jsonb_contains(out, b));
        }
        if (jsonb_kind(a) == JSONB_OBJECT && jsonb_length(a) > 0) {
            StrRef key = jsonb_object_key_at(a, 0);
            REQUIRE(jsonb_delete_key(a, key.ptr, key.len, arena, &out, &err) == STRATA_OK);
            CHECK(jsonb_validate(out, &err) == STRATA_OK);
            CHECK(!jsonb_exists(out, key.ptr, key.len));
            CHECK(jsonb_length(out) == jsonb_length(a) - 1);
            REQUIRE(jsonb_set_path(a, &key, 1, b, true, arena, &out, &err) == STRATA_OK);
            CHECK(jsonb_validate(out, &err) == STRATA_OK);
            REQUIRE(jsonb_path_get(out, &key, 1, &got));
            CHECK(jsonb_compare(got, b) == 0);
        }
        if (jsonb_kind(a) == JSONB_ARRAY && jsonb_length(a) > 0) {
            REQUIRE(jsonb_delete_index(a, -1, arena, &out, &err) == STRATA_OK);
            CHECK(jsonb_validate(out, &err) == STRATA_OK &&
                  jsonb_length(out) == jsonb_length(a) - 1);
        }
        if (jsonb_kind(a) == JSONB_OBJECT || jsonb_kind(a) == JSONB_ARRAY) {
            REQUIRE(jsonb_strip_nulls(a, arena, &out, &err) == STRATA_OK);
            CHECK(jsonb_validate(out, &err) == STRATA_OK);
        }
        CHECK((jsonb_compare(a, b) < 0) == (jsonb_compare(b, a) > 0));
        if (jsonb_compare(a, b) == 0) {
            CHECK(jsonb_hash(a) == jsonb_hash(b));
        }
        if (round % 128 == 0) {
            arena_reset(arena);
        }
    }
}

static void test_errors(void)
{
    static const struct {
        const char *text, *detail;
    } BAD[] = {
        {"{\"a\": 1", "The input string ended unexpectedly."},
        {"[1,2", "The input string ended unexpectedly."},
        {"abc", "Token \"abc\" is invalid."},
        {"{\"a\" 1}", "Expected \":\", but found \"1\"."},
        {"[1,]", "Expected JSON value, but found \"]\"."},
        {"01", "Token \"01\" is invalid."},
        {"", "The input string ended unexpectedly."},
        {"{\"a\":1}x", "Token \"x\" is invalid."},
        {"[1 2]", "Expected \",\" or \"]\", but found \"2\"."},
        {"{\"a\":1,}", "Expected string, but found \"}\"."},
        {"{1:2}", "Expected string or \"}\", but found \"1\"."},
        {"\"abc", "Token \"\"abc\" is invalid."},
        {"tru", "Token \"tru\" is invalid."},
        {"-", "Token \"-\" is invalid."},
        {"1.", "Token \"1.\" is invalid."},
        {"\"\\ud83d\"", "Unicode low surrogate must follow a high surrogate."},
        {"\"\\ud83d\\ud83d\"", "Unicode high surrogate must not follow a high surrogate."},
        {"\"\\x\"", "Escape sequence \"\\x\" is invalid."},
        {"[1}", "Expected \",\" or \"]\", but found \"}\"."},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        StrRef out;
        Error err;
        error_clear(&err);
        CHECK(jsonb_parse(BAD[i].text, strlen(BAD[i].text), arena, &out, &err) != STRATA_OK);
        CHECK_EQ_STR(err.sqlstate, "22P02");
        if (strcmp(err.detail, BAD[i].detail) != 0) {
            fprintf(stderr, "  detail for %s: got '%s', want '%s'\n", BAD[i].text, err.detail,
                    BAD[i].detail);
            test_current_failed = 1;
        }
    }
    /* Deep nesting is a clean error, not a stack overflow. */
    size_t depth = 100000;
    char *deep = arena_alloc(arena, depth + 1);
    memset(deep, '[', depth);
    StrRef out;
    Error err;
    CHECK(jsonb_parse(deep, depth, arena, &out, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "54001");
}

static void test_paths(void)
{
    StrRef doc = parse("{\"a\": {\"b\": [10, 20, {\"c\": \"x\"}]}}"), out, *path;
    int count;
    Error err;
    REQUIRE(text_array_parse("{a,b,2,c}", 9, arena, &path, &count, &err) == STRATA_OK);
    CHECK_EQ_INT(count, 4);
    REQUIRE(jsonb_path_get(doc, path, count, &out));
    CHECK(jsonb_kind(out) == JSONB_STRING);
    REQUIRE(text_array_parse("{a,\"b\",-2}", 10, arena, &path, &count, &err) == STRATA_OK);
    REQUIRE(jsonb_path_get(doc, path, count, &out));
    StrRef text;
    bool is_null;
    REQUIRE(jsonb_to_text(out, arena, &text, &is_null, &err) == STRATA_OK);
    CHECK(text.len == 2 && memcmp(text.ptr, "20", 2) == 0);
    CHECK(text_array_parse("a,b", 3, arena, &path, &count, &err) != STRATA_OK);
    StrRef elems[3] = {{"a", 1}, {"b c", 3}, {"", 0}};
    REQUIRE(text_array_format(elems, NULL, 3, arena, &text, &err) == STRATA_OK);
    CHECK_EQ_STR(arena_strndup(arena, text.ptr, text.len), "{a,\"b c\",\"\"}");
}

int main(void)
{
    arena = arena_create(NULL, 0, "jsonb_test");
    TEST_RUN(test_postgres_order);
    TEST_RUN(test_postgres_pretty);
    TEST_RUN(test_random_documents);
    TEST_RUN(test_random_operations);
    TEST_RUN(test_errors);
    TEST_RUN(test_paths);
    arena_destroy(arena);
    return test_summary("jsonb_test");
}
