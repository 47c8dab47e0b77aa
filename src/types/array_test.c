/*
 * types/array_test.c - array text input/output, ordering, hashing and the
 * encoding's robustness (issue 3).
 *
 * The input/output cases are PostgreSQL 15's answers (checked against a
 * PostgreSQL 15 server: output text, or the SQLSTATE of the error); random
 * arrays of every element kind must survive encode -> format -> parse ->
 * compare; damaged encodings must give XX001 or stop a reader, never crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/array.h"
#include "types/compare.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static Arena *arena;

typedef struct IoCase {
    const char *type, *input, *expected; /* expected: output text or "ERR:<sqlstate>" */
} IoCase;

static const IoCase CASES[] = {
    {"int[]", "{1,2,3}", "{1,2,3}"},
    {"int[]", "  { 1 ,\t2 }  ", "{1,2}"},
    {"int[]", "{}", "{}"},
    {"int[]", "{NULL,null,NuLl}", "{NULL,NULL,NULL}"},
    {"text[]", "{\"NULL\",\"\",\"a b\"}", "{\"NULL\",\"\",\"a b\"}"},
    {"text[]", "{a\\,b,c\\ ,\\\"}", "{\"a,b\",\"c \",\"\\\"\"}"},
    {"text[]", "{\"back\\\\slash\",\"{x}\",\"q\\\"q\"}", "{\"back\\\\slash\",\"{x}\",\"q\\\"q\"}"},
    {"text[]", "{  spaced out  ,x}", "{\"spaced out\",x}"},
    {"text[]", "{\"\t\"}", "{\"\t\"}"},
    {"varchar[]", "{é,ü}", "{é,ü}"},
    {"numeric[]", "{1.50,-0.0,NaN,1e3}", "{1.50,0.0,NaN,1000}"},
    {"float8[]", "{1e300,-Infinity,0.1}", "{1e+300,-Infinity,0.1}"},
    {"bool[]", "{t,FALSE,yes,0}", "{t,f,t,f}"},
    {"date[]", "{2024-02-29,-infinity}", "{2024-02-29,-infinity}"},
    {"timestamp[]", "{\"2024-01-02 03:04:05.5\"}", "{\"2024-01-02 03:04:05.5\"}"},
    {"interval[]", "{\"1 day 02:00:00\"}", "{\"1 day 02:00:00\"}"},
    {"uuid[]", "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"},
    {"bytea[]", "{\"\\\\x00ff\"}", "{\"\\\\x00ff\"}"},
    {"jsonb[]", "{\"{\\\"b\\\": 1, \\\"a\\\": [true]}\"}",
     "{\"{\\\"a\\\": [true], \\\"b\\\": 1}\"}"},
    {"int[]", "{1,x}", "ERR:22P02"},
    {"int[]", "{99999999999}", "ERR:22003"},
    {"int2[]", "{40000}", "ERR:22003"},
    {"int[]", "{1,2", "ERR:22P02"},
    {"int[]", "1,2}", "ERR:22P02"},
    {"int[]", "", "ERR:22P02"},
    {"int[]", "{1,}", "ERR:22P02"},
    {"int[]", "{,1}", "ERR:22P02"},
    {"int[]", "{,}", "ERR:22P02"},
    {"int[]", "{1}x", "ERR:22P02"},
    {"text[]", "{a\"b\"}", "ERR:22P02"},
    {"text[]", "{\"a}", "ERR:22P02"},
    {"text[]", "{a\\", "ERR:22P02"},
    {"text[]", "{a b c", "ERR:22P02"},
    {"varchar(2)[]", "{abc}", "ERR:22001"}, /* the input function, as INSERT: a cast truncates */
    {"date[]", "{2024-02-30}", "ERR:22008"},
    /* multi-dimensional input and output, with PostgreSQL's checks */
    {"int[]", "{{1,2},{3,4}}", "{{1,2},{3,4}}"},
    {"int[]", " { { {1} , {2} } , { {3} , {4} } } ", "{{{1},{2}},{{3},{4}}}"},
    {"text[]", "{{a,\"b c\"},{NULL,\"\"}}", "{{a,\"b c\"},{NULL,\"\"}}"},
    {"int[]", "{{1,2},{3}}", "ERR:22P02"},
    {"int[]", "{{1,2},3}", "ERR:22P02"},
    {"int[]", "{1,{2}}", "ERR:22P02"},
    {"int[]", "{{}}", "ERR:22P02"},
    {"int[]", "{{{{{{{1}}}}}}}", "ERR:54000"},
    /* PostgreSQL accepts this; strata's arrays have lower bound 1 */
    {"int[]", "[0:1]={1,2}", "ERR:0A000"},
    {"int[]", "[1:x]={1}", "ERR:22P02"},
};

static SqlType array_type(const char *name)
{
    SqlType type;
    Error err;
    char elem[64];
    int32_t mods[1];
    int mod_count = 0;
    snprintf(elem, sizeof elem, "%s", name);
    char *paren = strchr(elem, '(');
    if (paren != NULL) {
        mods[mod_count++] = (int32_t)strtol(paren + 1, NULL, 10);
        snprintf(paren, sizeof elem - (size_t)(paren - elem), "[]");
    }
    if (type_from_name(elem, mods, mod_count, &type, &err) != STRATA_OK ||
        !type_is_array(type.id)) {
        fprintf(stderr, "  type %s: not an array type\n", name);
        test_current_failed = 1;
        return sql_type(TYPE_TEXT_ARRAY);
    }
    return type;
}

static void test_postgres_cases(void)
{
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        const IoCase *c = &CASES[k];
        SqlType type = array_type(c->type);
        Value v;
        Error err;
        char got[512];
        if (value_parse(type, c->input, strlen(c->input), arena, &v, &err) != STRATA_OK) {
            snprintf(got, sizeof got, "ERR:%s", err.sqlstate);
        } else {
            StrRef out;
            REQUIRE(value_format(&v, arena, &out, &err) == STRATA_OK);
            snprintf(got, sizeof got, "%.*s", (int)out.len, out.ptr);
        }
        if (strcmp(got, c->expected) != 0) {
            fprintf(stderr, "  %s '%s': expected %s, got %s\n", c->type, c->input, c->expected,
                    got);
            test_current_failed = 1;
        }
    }
}

static Value parse(const char *type, const char *text)
{
    Value v;
    Error err;
    if (value_parse(array_type(type), text, strlen(text), arena, &v, &err) != STRATA_OK) {
        fprintf(stderr, "  %s '%s': %s\n", type, text, err.message);
        test_current_failed = 1;
        return value_null(array_type(type));
    }
    return v;
}

/* PostgreSQL's btree order: elements, NULL after values, then length. */
static void test_order_and_hash(void)
{
    static const char *const ASCENDING[] = {"{}",       "{1}", "{1,2}",    "{1,2,0}", "{1,3}",
                                            "{1,NULL}", "{2}", "{2,NULL}", "{NULL}"};
    int n = (int)(sizeof ASCENDING / sizeof ASCENDING[0]);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            Value a = parse("int[]", ASCENDING[i]), b = parse("int[]", ASCENDING[j]);
            int c = value_compare(&a, &b);
            if ((c < 0 ? -1 : c > 0 ? 1 : 0) != (i < j ? -1 : i > j ? 1 : 0)) {
                fprintf(stderr, "  compare %s %s = %d\n", ASCENDING[i], ASCENDING[j], c);
                test_current_failed = 1;
            }
        }
    }
    Value empty = parse("int[]", "{}"), null1 = parse("int[]", "{NULL}");
    Value one = parse("int[]", "{1}"), two = parse("int[]", "{2}");
    CHECK(value_compare(&empty, &null1) < 0);
    CHECK(value_compare(&null1, &one) > 0);
    CHECK(value_compare(&null1, &two) > 0);
    /* equal values hash alike, across numeric scales */
    Value x = parse("numeric[]", "{1.0,NULL,2}"), y = parse("numeric[]", "{1.000,NULL,2.0}");
    CHECK(value_compare(&x, &y) == 0);
    CHECK(value_hash(&x) == value_hash(&y));
    Value z = parse("numeric[]", "{1.0,NULL}");
    CHECK(value_compare(&z, &x) < 0);
    Value s1 = parse("text[]", "{b}"), s2 = parse("text[]", "{a,z}");
    CHECK(value_compare(&s1, &s2) > 0);
}

/* Random arrays of every element type: format -> parse gives an equal value. */
static void test_round_trips(void)
{
    static const char *const ELEMENTS[] = {
        "1", "-7", "0", "1.5", "t", "2024-01-02", "x y", "\"q\\\"\"", "\"\"", "NULL", "12:34:56"};
    static const char *const TYPES[] = {"int[]",  "int8[]", "numeric[]", "float8[]",
                                        "text[]", "bool[]", "date[]",    "time[]"};
    uint64_t state = test_seed("array_test round trips");
    int rounds = getenv("STRATA_TEST_QUICK") ? 2000 : 20000;
    for (int round = 0; round < rounds; round++) {
        const char *type = TYPES[test_rand(&state) % (sizeof TYPES / sizeof TYPES[0])];
        char text[512];
        size_t len = 0;
        text[len++] = '{';
        int count = (int)(test_rand(&state) % 6);
        for (int k = 0; k < count; k++) {
            const char *e = ELEMENTS[test_rand(&state) % (sizeof ELEMENTS / sizeof ELEMENTS[0])];
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", k ? "," : "", e);
        }
        text[len++] = '}';
        Value v, back;
        Error err;
        if (value_parse(array_type(type), text, len, arena, &v, &err) != STRATA_OK) {
            continue; /* an element the type does not take */
        }
        StrRef out;
        REQUIRE(value_format(&v, arena, &out, &err) == STRATA_OK);
        if (value_parse(v.type, out.ptr, out.len, arena, &back, &err) != STRATA_OK ||
            value_compare(&v, &back) != 0 || value_hash(&v) != value_hash(&back)) {
            fprintf(stderr, "  %s '%.*s' -> '%.*s' does not round trip\n", type, (int)len, text,
                    (int)out.len, out.ptr);
            test_current_failed = 1;
        }
        if (round % 256 == 0) {
            arena_reset(arena);
        }
    }
}

/* Every prefix and random byte flips of valid encodings: decoding fails with
 * XX001 or succeeds, compare and hash terminate, nothing reads out of bounds
 * (the sanitizer build checks the last part). */
static void test_damaged_encodings(void)
{
    Value v = parse("text[]", "{alpha,NULL,\"b c\",\"\",delta}");
    Value w = parse("numeric[]", "{1.5,NULL,-2}");
    const Value *samples[] = {&v, &w};
    uint64_t state = test_seed("array_test damage");
    for (size_t s = 0; s < 2; s++) {
        const Value *good = samples[s];
        for (uint32_t cut = 0; cut < good->str.len; cut++) {
            Value bad = *good;
            bad.str.len = cut;
            Value *items;
            int count;
            Error err;
            int rc = array_decode(bad.type, bad.str, arena, &items, &count, &err);
            CHECK(rc != STRATA_OK && strcmp(err.sqlstate, "XX001") == 0);
            (void)value_compare(&bad, good);
            (void)value_hash(&bad);
        }
        for (int round = 0; round < 2000; round++) {
            char *copy = arena_memdup(arena, good->str.ptr, good->str.len);
            REQUIRE(copy != NULL);
            copy[test_rand(&state) % good->str.len] = (char)test_rand(&state);
            Value bad = *good;
            bad.str.ptr = copy;
            Value *items;
            int count;
            Error err;
            if (array_decode(bad.type, bad.str, arena, &items, &count, &err) != STRATA_OK) {
                CHECK(strcmp(err.sqlstate, "XX001") == 0);
            }
            (void)value_compare(&bad, good);
            (void)value_hash(&bad);
        }
    }
    arena_reset(arena); /* the samples live in the arena too */
}

static void test_type_names(void)
{
    SqlType t;
    Error err;
    int32_t mods[1] = {10};
    CHECK(type_from_name("_int4", NULL, 0, &t, &err) == STRATA_OK && t.id == TYPE_INT4_ARRAY);
    CHECK(type_from_name("integer[]", NULL, 0, &t, &err) == STRATA_OK && t.id == TYPE_INT4_ARRAY);
    CHECK(type_from_name("varchar[]", mods, 1, &t, &err) == STRATA_OK &&
          t.id == TYPE_VARCHAR_ARRAY && t.typmod == 10);
    CHECK_EQ_STR(type_name(t, arena), "character varying(10)[]");
    CHECK_EQ_STR(type_id_name(TYPE_TIMESTAMPTZ_ARRAY), "timestamp with time zone[]");
    CHECK(type_oid(TYPE_INT4_ARRAY) == 1007 && type_oid(TYPE_TEXT_ARRAY) == 1009);
    CHECK(type_oid(TYPE_INT8_ARRAY) == 1016 && type_oid(TYPE_FLOAT8_ARRAY) == 1022);
    CHECK(type_oid(TYPE_BOOL_ARRAY) == 1000 && type_oid(TYPE_VARCHAR_ARRAY) == 1015);
    CHECK(type_oid(TYPE_NUMERIC_ARRAY) == 1231);
    CHECK(type_from_name("_nosuch", NULL, 0, &t, &err) != STRATA_OK &&
          strcmp(err.sqlstate, "42704") == 0);
    for (int id = TYPE_BOOL; id <= TYPE_JSONB; id++) {
        CHECK(type_array_elem(type_array_of((TypeId)id)) == (TypeId)id);
        CHECK(type_category(type_array_of((TypeId)id)) == TYPCAT_ARRAY);
    }
}

int main(void)
{
    arena = arena_create(NULL, 0, "array_test");
    TEST_RUN(test_postgres_cases);
    TEST_RUN(test_order_and_hash);
    TEST_RUN(test_round_trips);
    TEST_RUN(test_damaged_encodings);
    TEST_RUN(test_type_names);
    arena_destroy(arena);
    return test_summary("array_test");
}
