/*
 * slt/slt_test.c - the sqllogictest record parser and value rendering.
 *
 * Goal: the runner measures the SQL engine, so these rules must be exactly
 * the corpus's (../shared/slt/README.md): comment and CRLF handling, record
 * separation, conditions, query headers, hash lines, I/R/T rendering (R ties
 * away from zero, I truncation, per-byte '@'), sort modes and MD5 hashing.
 */
#include "slt/slt.h"
#include "util/test.h"

#include <string.h>

#include "strata.h"

TEST_MAIN_GLOBALS

/* Parses text into records (at most max); returns how many. */
static int parse_all(Arena *arena, const char *source, SltRecord *records, int max)
{
    size_t length = strlen(source);
    char *text = arena_alloc(arena, length + 1);
    memcpy(text, source, length + 1);
    SltParser parser;
    slt_parser_init(&parser, text, length);
    int count = 0;
    while (count < max && slt_parser_next(&parser, arena, &records[count])) {
        count++;
    }
    return count;
}

static void test_parse_statements_and_comments(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    SltRecord records[8];
    const char *text = "# leading comment\r\n"
                       "statement ok\r\n"
                       "CREATE TABLE t1(a INTEGER,\r\n"
                       "# a comment inside a record does not split it\r\n"
                       " b INTEGER)\r\n"
                       "\r\n"
                       "   \t\r\n"
                       "statement error\n"
                       "INSERT INTO nope VALUES(1)\n";
    int count = parse_all(arena, text, records, 8);
    REQUIRE(count == 2);
    CHECK_EQ_INT(records[0].kind, SLT_RECORD_STATEMENT);
    CHECK(!records[0].expect_error);
    CHECK_EQ_INT(records[0].line, 2);
    CHECK_EQ_STR(records[0].sql, "CREATE TABLE t1(a INTEGER,\n b INTEGER)");
    CHECK_EQ_INT(records[1].kind, SLT_RECORD_STATEMENT);
    CHECK(records[1].expect_error);
    CHECK_EQ_INT(records[1].line, 8);
    CHECK_EQ_STR(records[1].sql, "INSERT INTO nope VALUES(1)");
    CHECK_EQ_STR(records[1].expected_sqlstate, "");
    CHECK(records[1].expected_message == NULL);
    arena_destroy(arena);
}

/* strata's extensions of statement error: a SQLSTATE (five digits and capitals with a
 * digit), then text the message must contain; a five-letter word is message text. */
static void test_parse_error_expectations(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    SltRecord records[4];
    const char *text = "statement error 42P01\nSELECT * FROM nope\n\n"
                       "statement error 42P01 relation \"nope\" does not exist  \nSELECT * FROM nope\n\n"
                       "statement error RANGE with offset needs one key\nSELECT 1\n\n"
                       "statement error cannot change view \"v\"\nDELETE FROM v\n";
    int count = parse_all(arena, text, records, 4);
    REQUIRE(count == 4);
    CHECK_EQ_STR(records[0].expected_sqlstate, "42P01");
    CHECK(records[0].expected_message == NULL);
    CHECK_EQ_STR(records[1].expected_sqlstate, "42P01");
    CHECK_EQ_STR(records[1].expected_message, "relation \"nope\" does not exist");
    CHECK_EQ_STR(records[2].expected_sqlstate, "");
    CHECK_EQ_STR(records[2].expected_message, "RANGE with offset needs one key");
    CHECK_EQ_STR(records[3].expected_message, "cannot change view \"v\"");
    arena_destroy(arena);
}

static void test_parse_queries(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    SltRecord records[8];
    const char *text = "skipif MySQL # not portable\n"
                       "onlyif sqlite\n"
                       "query IT rowsort label-7\n"
                       "SELECT a, b\n"
                       "FROM t1\n"
                       "----\n"
                       "1\n"
                       "x y\n"
                       "\n"
                       "query R valuesort\n"
                       "SELECT 1\n"
                       "----\n"
                       "30 values hashing to 0123456789abcdef0123456789abcdef\n"
                       "\n"
                       "query I\n"
                       "SELECT 1 WHERE false\n"
                       "\n"
                       "hash-threshold 20\n"
                       "\n"
                       "halt\n";
    int count = parse_all(arena, text, records, 8);
    REQUIRE(count == 5);
    SltRecord *query = &records[0];
    CHECK_EQ_INT(query->kind, SLT_RECORD_QUERY);
    CHECK_EQ_INT(query->condition_count, 2);
    CHECK(query->conditions[0].is_skipif);
    CHECK_EQ_STR(query->conditions[0].engine, "MySQL");
    CHECK(!query->conditions[1].is_skipif);
    CHECK_EQ_STR(query->types, "IT");
    CHECK_EQ_INT(query->column_count, 2);
    CHECK_EQ_INT(query->sort, SLT_SORT_ROW);
    CHECK_EQ_STR(query->label, "label-7");
    CHECK_EQ_STR(query->sql, "SELECT a, b\nFROM t1");
    REQUIRE(query->expected_count == 2);
    CHECK_EQ_STR(query->expected[1], "x y");
    CHECK(!query->expected_is_hash);
    CHECK_EQ_INT(records[1].sort, SLT_SORT_VALUE);
    CHECK(records[1].label == NULL);
    CHECK(records[1].expected_is_hash);
    CHECK_EQ_INT(records[1].hash_value_count, 30);
    CHECK_EQ_STR(records[1].hash, "0123456789abcdef0123456789abcdef");
    CHECK_EQ_INT(records[2].expected_count, 0);
    CHECK_EQ_STR(records[2].sql, "SELECT 1 WHERE false");
    CHECK_EQ_INT(records[3].kind, SLT_RECORD_HASH_THRESHOLD);
    CHECK_EQ_INT(records[3].threshold, 20);
    CHECK_EQ_INT(records[4].kind, SLT_RECORD_HALT);
    arena_destroy(arena);
}

static void test_parse_invalid_records(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    SltRecord records[8];
    const char *text = "frobnicate now\n\nquery X\nSELECT 1\n\nstatement maybe\nSELECT 1\n\n"
                       "query I sideways\nSELECT 1\n\nskipif mysql\n";
    int count = parse_all(arena, text, records, 8);
    REQUIRE(count == 5);
    for (int index = 0; index < count; index++) {
        CHECK_EQ_INT(records[index].kind, SLT_RECORD_INVALID);
        CHECK(records[index].message[0] != '\0');
    }
    CHECK(strstr(records[0].message, "frobnicate") != NULL);
    arena_destroy(arena);
}

static void test_conditions(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    SltRecord records[4];
    const char *text = "skipif postgresql # PostgreSQL requires AS\nstatement ok\nSELECT 1\n\n"
                       "onlyif mysql\nstatement ok\nSELECT 1\n\n"
                       "onlyif PostgreSQL\nskipif mssql\nstatement ok\nSELECT 1\n\n"
                       "statement ok\nSELECT 1\n";
    REQUIRE(parse_all(arena, text, records, 4) == 4);
    CHECK(slt_record_is_skipped(&records[0], "postgresql"));
    CHECK(!slt_record_is_skipped(&records[0], "pgdialect"));
    CHECK(slt_record_is_skipped(&records[1], "postgresql"));
    CHECK(!slt_record_is_skipped(&records[1], "MYSQL"));
    CHECK(!slt_record_is_skipped(&records[2], "postgresql"));
    CHECK(slt_record_is_skipped(&records[2], "mssql"));
    CHECK(!slt_record_is_skipped(&records[3], "postgresql"));
    arena_destroy(arena);
}

static void check_real(double value, const char *expected)
{
    char out[512];
    slt_format_real(value, out, sizeof out);
    CHECK_EQ_STR(out, expected);
}

static void test_format_real(void)
{
    check_real(2.0625, "2.063");    /* an exact tie: away from zero, not to even */
    check_real(-2.0625, "-2.063");
    check_real(0.1875, "0.188");
    check_real(0.1235, "0.123");    /* binary value just below the tie */
    check_real(0.9995, "1.000");    /* just above: carries into the integer */
    check_real(1.0005, "1.000");
    check_real(99.9999, "100.000");
    check_real(0.0, "0.000");
    check_real(-0.0, "0.000");
    check_real(-0.0001, "-0.000");
    check_real(2.5, "2.500");
    check_real(-9223372036854775808.0, "-9223372036854776000.000");
    check_real(1e20, "100000000000000000000.000");
    check_real(123456.789, "123456.789");
}

static const char *render(Arena *arena, char letter, int kind, int64_t integer, double real,
                          const char *text)
{
    SltValue value = {kind, integer, real, text, text != NULL ? strlen(text) : 0};
    return slt_render_value(arena, letter, &value);
}

static void test_render_values(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    CHECK_EQ_STR(render(arena, 'I', STRATA_NULL, 0, 0, NULL), "NULL");
    CHECK_EQ_STR(render(arena, 'T', STRATA_NULL, 0, 0, NULL), "NULL");
    CHECK_EQ_STR(render(arena, 'I', STRATA_INTEGER, -42, 0, "-42"), "-42");
    CHECK_EQ_STR(render(arena, 'I', STRATA_FLOAT, 0, 0.5, "0.5"), "0");
    CHECK_EQ_STR(render(arena, 'I', STRATA_FLOAT, 0, -1.7, "-1.7"), "-1");
    CHECK_EQ_STR(render(arena, 'I', STRATA_FLOAT, 0, 1e30, "1e30"), "9223372036854775807");
    CHECK_EQ_STR(render(arena, 'I', STRATA_TEXT, 0, 0, "12abc"), "12");
    CHECK_EQ_STR(render(arena, 'I', STRATA_TEXT, 0, 0, "-3.9000"), "-3");
    CHECK_EQ_STR(render(arena, 'I', STRATA_TEXT, 0, 0, "abc"), "0");
    CHECK_EQ_STR(render(arena, 'I', STRATA_TEXT, 0, 0, "99999999999999999999"),
                 "9223372036854775807");
    CHECK_EQ_STR(render(arena, 'R', STRATA_INTEGER, 7, 0, "7"), "7.000");
    CHECK_EQ_STR(render(arena, 'R', STRATA_TEXT, 0, 0, "2.0625"), "2.063");
    CHECK_EQ_STR(render(arena, 'R', STRATA_TEXT, 0, 0, "x"), "0.000");
    CHECK_EQ_STR(render(arena, 'R', STRATA_FLOAT, 0, -1.5, "-1.5"), "-1.500");
    CHECK_EQ_STR(render(arena, 'T', STRATA_TEXT, 0, 0, ""), "(empty)");
    CHECK_EQ_STR(render(arena, 'T', STRATA_TEXT, 0, 0, "a\tb~\x7f"), "a@b~@");
    CHECK_EQ_STR(render(arena, 'T', STRATA_TEXT, 0, 0, "caf\xc3\xa9"), "caf@@");
    CHECK_EQ_STR(render(arena, 'T', STRATA_INTEGER, 5, 0, "5"), "5");
    CHECK_EQ_INT(slt_text_leading_integer("  +17 apples"), 17);
    CHECK_EQ_INT(slt_text_leading_integer("-9223372036854775808"), INT64_MIN);
    CHECK_EQ_INT(slt_real_truncate(-2.99), -2);
    arena_destroy(arena);
}

static void test_sort_and_hash(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    char *rows[] = {"9", "b", "10", "a", "10", "0"};
    REQUIRE(slt_sort_values(arena, rows, 6, 2, SLT_SORT_ROW));
    const char *sorted_rows[] = {"10", "0", "10", "a", "9", "b"};
    for (int index = 0; index < 6; index++) {
        CHECK_EQ_STR(rows[index], sorted_rows[index]);
    }
    char *values[] = {"9", "b", "10", "a"};
    REQUIRE(slt_sort_values(arena, values, 4, 2, SLT_SORT_VALUE));
    CHECK_EQ_STR(values[0], "10");
    CHECK_EQ_STR(values[1], "9");
    CHECK_EQ_STR(values[3], "b");
    char *untouched[] = {"z", "a"};
    REQUIRE(slt_sort_values(arena, untouched, 2, 1, SLT_SORT_NONE));
    CHECK_EQ_STR(untouched[0], "z");
    char hash[SLT_MD5_HEX_SIZE];
    slt_md5_values(NULL, 0, hash);
    CHECK_EQ_STR(hash, "d41d8cd98f00b204e9800998ecf8427e");
    char *three[] = {"1", "2", "3"};
    slt_md5_values(three, 3, hash);
    CHECK_EQ_STR(hash, "c0710d6b4f15dfa88f600b0e6b624077");
    arena_destroy(arena);
}

int main(void)
{
    TEST_RUN(test_parse_statements_and_comments);
    TEST_RUN(test_parse_error_expectations);
    TEST_RUN(test_parse_queries);
    TEST_RUN(test_parse_invalid_records);
    TEST_RUN(test_conditions);
    TEST_RUN(test_format_real);
    TEST_RUN(test_render_values);
    TEST_RUN(test_sort_and_hash);
    return test_summary("slt_test");
}
