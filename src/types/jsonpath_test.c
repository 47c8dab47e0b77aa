/*
 * types/jsonpath_test.c - the jsonpath parser and evaluator: results of
 * paths over documents as PostgreSQL 15 answers them (captured by hand from
 * a PostgreSQL 15 server with jsonb_path_query_array / the error's
 * SQLSTATE), syntax errors, the nesting limit, silent mode, and random
 * mutations of valid paths that must parse or fail with an error, never
 * crash, and evaluate without crashing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/jsonb.h"
#include "types/jsonpath.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static Arena *arena;

typedef struct Case {
    const char *doc;
    const char *path;
    const char *expected; /* jsonb_path_query_array's output, or the SQLSTATE */
} Case;

static const Case CASES[] = {
    {"{\"a\": {\"b\": [1, 2, {\"c\": 3}]}}", "$.a.b[2].c", "[3]"},
    {"{\"a\": 1, \"b\": \"x\", \"c\": [1, 2]}", "$.*", "[1, \"x\", [1, 2]]"},
    {"[1, 2, 3, 4, 5]", "$[1 to 3, last, 0]", "[2, 3, 4, 5, 1]"},
    {"[1, 2, 3, 4]", "$[last - 1]", "[3]"},
    {"[1, 2, 3, 4]", "$[1.7]", "[2]"},
    {"[1, 2, 3]", "lax $[5]", "[]"},
    {"{\"a\": 1}", "lax $[0].a", "[1]"},
    {"{\"a\": {\"b\": [1, 2]}}", "$.**",
     "[{\"a\": {\"b\": [1, 2]}}, {\"b\": [1, 2]}, [1, 2], 1, 2]"},
    {"{\"a\": [{\"b\": 1}, {\"b\": 2}, [{\"b\": 3}]]}", "lax $.a.b", "[1, 2]"},
    {"[1, \"a\", null, true, {}, []]", "$[*].type()",
     "[\"number\", \"string\", \"null\", \"boolean\", \"object\", \"array\"]"},
    {"[1, 2, 3]", "$.size()", "[3]"},
    {"[-1.5, 2.5]", "$[*].floor()", "[-2, 2]"},
    {"[\"1.5e1\", 2]", "$[*].double()", "[15, 2]"},
    {"[1, 2, 3]", "$[*] ? (@ >= 2)", "[2, 3]"},
    {"[1, 2, 3]", "- $[*]", "[-1, -2, -3]"},
    {"{\"a\": 1.50}", "$.a * 2", "[3.00]"},
    {"7", "$ / 2", "[3.5000000000000000]"},
    {"7", "$ % 3", "[1]"},
    {"{\"a\": 1}", "$.a == \"1\"", "[null]"},
    {"{\"a\": 1}", "$.a > 5 || $.a < 2", "[true]"},
    {"[1, \"a\", null]", "$[*] ? (@ != null)", "[1, \"a\"]"},
    {"[1, \"a\", true]", "$[*] ? ((@ > 0) is unknown)", "[\"a\", true]"},
    {"[\"abc\", \"xbc\", \"ABD\"]", "$[*] ? (@ like_regex \"^a\" flag \"i\")",
     "[\"abc\", \"ABD\"]"},
    {"[\"abc\", \"xbc\", \"ab\"]", "$[*] ? (@ starts with \"ab\")", "[\"abc\", \"ab\"]"},
    {"{\"a\": [1, 2], \"b\": []}", "$.* ? (exists(@[*] ? (@ > 1)))", "[2]"},
    {"[\"b\", \"ab\", \"abc\"]", "$[*] ? (@ > \"ab\")", "[\"b\", \"abc\"]"},
    {"{\"a b\": 1, \"$c\": 2}", "$.\"a b\" + $.\"$c\"", "[3]"},
    {"1", "1e2", "[100]"},
    {"1", "strict $.a", "2203A"},
    {"{}", "strict $.a", "2203A"},
    {"1", "strict $[0]", "22039"},
    {"[1]", "strict $[1]", "22033"},
    {"1", "strict $.*", "2203C"},
    {"[1, 2]", "$ + 1", "22038"},
    {"1", "1 / 0", "22012"},
    {"\"x\"", "- $", "2203B"},
    {"{}", "$x", "42704"},
    {"{\"a\": 1}", "strict $.size()", "22039"},
    {"\"a\"", "$.double()", "22036"},
    {"[1, 2]", "$[\"a\"]", "22033"},
};

static const char *run(const char *doc_text, const char *path_text, bool silent)
{
    Error err;
    StrRef doc, array, text;
    JsonPath *path;
    JsonPathItems items;
    bool failed;
    if (jsonb_parse(doc_text, strlen(doc_text), arena, &doc, &err) != STRATA_OK) {
        return "bad document";
    }
    if (jsonpath_parse(path_text, strlen(path_text), arena, &path, &err) != STRATA_OK ||
        jsonpath_eval(path, doc, (StrRef){0}, silent, arena, &items, &failed, &err) != STRATA_OK) {
        return arena_strdup(arena, err.sqlstate);
    }
    if (jsonb_build_array_from(items.items, items.count, arena, &array, &err) != STRATA_OK ||
        jsonb_format(array, arena, &text, &err) != STRATA_OK) {
        return "format failed";
    }
    return arena_strndup(arena, text.ptr, text.len);
}

static void test_postgres_results(void)
{
    for (size_t index = 0; index < sizeof CASES / sizeof CASES[0]; index++) {
        const Case *c = &CASES[index];
        const char *got = run(c->doc, c->path, false);
        if (strcmp(got, c->expected) != 0) {
            fprintf(stderr, "  %s over %s: got %s, want %s\n", c->path, c->doc, got, c->expected);
            test_current_failed = 1;
        }
        /* silent: the path's own errors become an empty result */
        bool is_error = c->expected[0] != '[';
        bool suppressed = is_error && strcmp(c->expected, "42704") != 0;
        CHECK_EQ_STR(run(c->doc, c->path, true), suppressed ? "[]" : c->expected);
    }
}

static void test_syntax_errors(void)
{
    static const char *const BAD[][3] = {
        {"$.a[", "42601", "syntax error at end of jsonpath input"},
        {"$ ? (@.a = 1)", "42601", "syntax error at or near \"=\" of jsonpath input"},
        {"@.a", "42601", "@ is not allowed in root expressions"},
        {"last", "42601", "LAST is allowed only in array subscripts"},
        {"", "22P02", "invalid input syntax for type jsonpath: \"\""},
        {"$ $", "42601", "syntax error at or near \"$\" of jsonpath input"},
        {"\"abc", "42601", "unexpected end of quoted string at end of jsonpath input"},
        {"$ ? (@)", "42601", "syntax error at or near \")\" of jsonpath input"},
        {"$.nosuchmethod()", "42601", "syntax error at or near \"(\" of jsonpath input"},
    };
    for (size_t index = 0; index < sizeof BAD / sizeof BAD[0]; index++) {
        Error err;
        JsonPath *path;
        CHECK(jsonpath_parse(BAD[index][0], strlen(BAD[index][0]), arena, &path, &err) !=
              STRATA_OK);
        CHECK_EQ_STR(err.sqlstate, BAD[index][1]);
        CHECK_EQ_STR(err.message, BAD[index][2]);
    }
}

static void test_depth_limit(void)
{
    enum { DEPTH = 5000 };
    char *text = arena_alloc(arena, DEPTH * 2 + 2);
    REQUIRE(text != NULL);
    for (int level = 0; level < DEPTH; level++) {
        text[level] = '(';
        text[DEPTH + 1 + level] = ')';
    }
    text[DEPTH] = '1';
    Error err;
    JsonPath *path;
    CHECK(jsonpath_parse(text, DEPTH * 2 + 1, arena, &path, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "54001");
}

static void test_vars(void)
{
    Error err;
    StrRef doc, vars, bad_vars;
    JsonPath *path;
    JsonPathItems items;
    bool failed;
    const char *path_text = "$.a[*] ? (@ > $min)";
    REQUIRE(jsonb_parse("{\"a\": [1, 2, 3]}", 16, arena, &doc, &err) == STRATA_OK);
    REQUIRE(jsonb_parse("{\"min\": 1}", 10, arena, &vars, &err) == STRATA_OK);
    REQUIRE(jsonb_parse("[1]", 3, arena, &bad_vars, &err) == STRATA_OK);
    REQUIRE(jsonpath_parse(path_text, strlen(path_text), arena, &path, &err) == STRATA_OK);
    REQUIRE(jsonpath_eval(path, doc, vars, false, arena, &items, &failed, &err) == STRATA_OK);
    CHECK(items.count == 2 && !failed);
    CHECK(jsonpath_eval(path, doc, bad_vars, true, arena, &items, &failed, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "22023");
}

/* The statement cache: a text seen before gives the same parsed path (the text's
 * bytes are the key, not its address), a failed parse is not kept, and texts past
 * JSONPATH_CACHE_SIZE are parsed every time. */
static void test_cache(void)
{
    Error err;
    JsonPath *first, *again, *other;
    JsonPathCache *cache = jsonpath_cache_new(arena);
    REQUIRE(cache != NULL);
    char text[32], copy[32];
    strcpy(text, "$.a ? (@ > 5)");
    strcpy(copy, text);
    REQUIRE(jsonpath_parse_cached(cache, text, strlen(text), arena, &first, &err) == STRATA_OK);
    text[0] = 'x'; /* the cache keeps its own copy of the text */
    REQUIRE(jsonpath_parse_cached(cache, copy, strlen(copy), arena, &again, &err) == STRATA_OK);
    CHECK(again == first);
    CHECK(jsonpath_parse_cached(cache, "$.a ? (", 7, arena, &other, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "42601");
    CHECK(jsonpath_parse_cached(cache, "$.a ? (", 7, arena, &other, &err) != STRATA_OK);
    for (int k = 0; k < JSONPATH_CACHE_SIZE + 2; k++) {
        snprintf(text, sizeof text, "$[%d]", k);
        REQUIRE(jsonpath_parse_cached(cache, text, strlen(text), arena, &first, &err) == STRATA_OK);
        REQUIRE(jsonpath_parse_cached(cache, text, strlen(text), arena, &again, &err) == STRATA_OK);
        /* 1 + k entries after this text: kept while that is within the size */
        CHECK((again == first) == (k + 1 < JSONPATH_CACHE_SIZE));
    }
    REQUIRE(jsonpath_parse_cached(NULL, copy, strlen(copy), arena, &first, &err) == STRATA_OK);
}

/* Mutated paths: parse or fail cleanly, and evaluate without crashing. */
static void test_random_mutations(void)
{
    static const char *const SEEDS[] = {
        "$.a.b[2].c",
        "$[1 to 3, last]",
        "$ ? (@.price > 10 && @.tag == \"x\")",
        "$.** ? (@ == 1)",
        "strict $.a[*] ? (exists(@.b) || !(@.c like_regex \"^x\" flag \"i\"))",
        "-$.a * 2 + 1",
        "$.a.size().type()",
        "($.a == 1) is unknown",
        "$\"v\" starts with \"x\"",
    };
    const char *alphabet = "$@.[]()?*!&|=<>+-/%\"\\ 0123456789abcxlast,";
    uint64_t seed = test_seed("jsonpath_test");
    StrRef doc;
    Error err;
    const char *doc_text =
        "{\"a\": [{\"b\": 1, \"c\": \"xy\"}, [1, 2], 3], \"price\": 20, \"tag\": \"x\"}";
    REQUIRE(jsonb_parse(doc_text, strlen(doc_text), arena, &doc, &err) == STRATA_OK);
    int rounds = getenv("STRATA_TEST_QUICK") ? 2000 : 20000, parsed = 0;
    for (int round = 0; round < rounds; round++) {
        const char *base = SEEDS[test_rand(&seed) % (sizeof SEEDS / sizeof SEEDS[0])];
        char text[128];
        size_t length = strlen(base);
        memcpy(text, base, length);
        for (int edit = 0, edits = 1 + (int)(test_rand(&seed) % 3); edit < edits; edit++) {
            size_t at = length > 0 ? test_rand(&seed) % length : 0;
            text[at] = alphabet[test_rand(&seed) % strlen(alphabet)];
        }
        JsonPath *path;
        JsonPathItems items;
        bool failed;
        if (jsonpath_parse(text, length, arena, &path, &err) != STRATA_OK) {
            CHECK(strcmp(err.sqlstate, "42601") == 0 || strcmp(err.sqlstate, "22P02") == 0);
            continue;
        }
        parsed++;
        (void)jsonpath_eval(path, doc, (StrRef){0}, round % 2 == 0, arena, &items, &failed, &err);
        if (round % 256 == 0) {
            arena_reset(arena);
            REQUIRE(jsonb_parse(doc_text, strlen(doc_text), arena, &doc, &err) == STRATA_OK);
        }
    }
    CHECK(parsed > 0);
}

int main(void)
{
    arena = arena_create(NULL, 0, "jsonpath_test");
    TEST_RUN(test_postgres_results);
    TEST_RUN(test_syntax_errors);
    TEST_RUN(test_depth_limit);
    TEST_RUN(test_vars);
    TEST_RUN(test_cache);
    TEST_RUN(test_random_mutations);
    arena_destroy(arena);
    return test_summary("jsonpath_test");
}
