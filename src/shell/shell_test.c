/*
 * shell/shell_test.c - the shell's pure parts: the statement splitter, psql's
 * output layouts, psql's error layout, \copy argument parsing and CSV
 * splitting.
 *
 * Goal: scripts and people rely on the shell cutting statements exactly
 * where psql would and printing what psql prints; the expected texts below
 * were taken from psql 15.
 */
#include "shell/shell.h"
#include "util/test.h"

#include <string.h>

TEST_MAIN_GLOBALS

enum { OUTPUT_BYTES = 8192 };

/* Feeds text and collects what comes out, as "S:stmt" / "M:meta" joined by '|'. */
static void split_all(const char *text, char *out, size_t out_size)
{
    Splitter splitter;
    shell_splitter_init(&splitter);
    shell_splitter_feed(&splitter, text, strlen(text));
    out[0] = '\0';
    const char *piece;
    SplitResult result;
    while ((result = shell_splitter_next(&splitter, &piece)) != SPLIT_NEED_MORE) {
        size_t used = strlen(out);
        snprintf(out + used, out_size - used, "%s%s:%s", used > 0 ? "|" : "",
                 result == SPLIT_STATEMENT ? "S" : "M", piece);
    }
    if (shell_splitter_take_rest(&splitter, &piece)) {
        size_t used = strlen(out);
        snprintf(out + used, out_size - used, "%sR:%s", used > 0 ? "|" : "", piece);
    }
    shell_splitter_free(&splitter);
}

static void check_split(const char *text, const char *expected)
{
    char out[OUTPUT_BYTES];
    split_all(text, out, sizeof out);
    CHECK_EQ_STR(out, expected);
}

static void test_split_statements(void)
{
    check_split("select 1; select 2;\n", "S:select 1;|S:select 2;");
    check_split("  \n select\n 1\n;\n", "S:select\n 1\n;");
    check_split("select ';' ; select 'it''s;';", "S:select ';' ;|S:select 'it''s;';");
    check_split("select E'a\\';b'; x", "S:select E'a\\';b';|R:x");
    check_split("select e'\\\\'; y;", "S:select e'\\\\';|S:y;");
    check_split("select \"a;b\" from t;", "S:select \"a;b\" from t;");
    check_split("select $$a;b$$, $fn$ $$; $fn$;", "S:select $$a;b$$, $fn$ $$; $fn$;");
    check_split("select a$b; c;", "S:select a$b;|S:c;");
    check_split("select $1; ", "S:select $1;");
    check_split("-- lead; comment\nselect 1; -- trailing; comment\n", "S:select 1;");
    check_split("/* a; /* nested; */ still; */ select 1;",
                "S:/* a; /* nested; */ still; */ select 1;");
    check_split("create rule r as on insert to t do (select 1; select 2);",
                "S:create rule r as on insert to t do (select 1; select 2);");
    check_split(";;  ; select 1;", "S:select 1;");
}

static void test_split_meta_commands(void)
{
    check_split("\\x\nselect 1;\n", "M:\\x|S:select 1;");
    check_split("select 1 \\g\n", "M:\\g|R:select 1 ");
    check_split("select '\\x';\n", "S:select '\\x';");
    check_split("\\pset null '(null)'\n\\q\n", "M:\\pset null '(null)'|M:\\q");
}

static void test_split_partial_state(void)
{
    Splitter splitter;
    shell_splitter_init(&splitter);
    const char *piece;
    CHECK(!shell_splitter_has_partial(&splitter));
    shell_splitter_feed(&splitter, "select 'abc\n", 12);
    CHECK_EQ_INT(shell_splitter_next(&splitter, &piece), SPLIT_NEED_MORE);
    CHECK(shell_splitter_has_partial(&splitter));
    CHECK_EQ_INT(splitter.state, SPLIT_SINGLE_QUOTE);
    shell_splitter_feed(&splitter, "def';\n", 6);
    CHECK_EQ_INT(shell_splitter_next(&splitter, &piece), SPLIT_STATEMENT);
    CHECK_EQ_STR(piece, "select 'abc\ndef';");
    shell_splitter_feed(&splitter, "select 1\n", 9);
    shell_splitter_next(&splitter, &piece);
    CHECK(shell_splitter_has_partial(&splitter));
    shell_splitter_clear(&splitter);
    CHECK(!shell_splitter_has_partial(&splitter));
    CHECK(shell_split_is_blank("  -- x\n /* y */ \n"));
    CHECK(!shell_split_is_blank(" -- x\n z"));
    shell_splitter_free(&splitter);
}

/* Prints table with options into out (NUL-terminated). */
static void render_table(const PrintOptions *options, const ResultTable *table, const char *title,
                         const char *const *footers, int footer_count, bool show_row_count,
                         char *out, size_t out_size)
{
    memset(out, 0, out_size);
    FILE *file = fmemopen(out, out_size - 1, "w");
    shell_print_table(file, options, table, title, footers, footer_count, show_row_count);
    fclose(file);
}

static ResultTable *sample_table(void)
{
    const char *names[] = {"a", "bb", "ccc", "d"};
    bool is_numeric[] = {true, false, false, false};
    ResultTable *table = shell_result_create(4, names, is_numeric);
    const char *row1[] = {"1", "x", "two\nlines", "z"};
    const char *row2[] = {"22", NULL, "", NULL};
    shell_result_add_row(table, row1);
    shell_result_add_row(table, row2);
    return table;
}

static void test_print_aligned(void)
{
    char out[OUTPUT_BYTES];
    PrintOptions options = {0};
    options.null_text = "";
    ResultTable *table = sample_table();
    REQUIRE(table != NULL);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, " a  | bb |  ccc  | d \n"
                      "----+----+-------+---\n"
                      "  1 | x  | two  +| z\n"
                      "    |    | lines | \n"
                      " 22 |    |       | \n"
                      "(2 rows)\n\n");
    const char *footers[] = {"Indexes:", "    \"t_pkey\" PRIMARY KEY, btree (a)"};
    options.null_text = "(null)";
    render_table(&options, table, "Table \"public.t\"", footers, 2, false, out, sizeof out);
    CHECK_EQ_STR(out, "       Table \"public.t\"\n"
                      " a  |   bb   |  ccc  |   d    \n"
                      "----+--------+-------+--------\n"
                      "  1 | x      | two  +| z\n"
                      "    |        | lines | \n"
                      " 22 | (null) |       | (null)\n"
                      "Indexes:\n"
                      "    \"t_pkey\" PRIMARY KEY, btree (a)\n\n");
    options.tuples_only = true;
    options.null_text = "";
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK(strncmp(out, "  1 | x  | two  +| z\n", 21) == 0);
    shell_result_free(table);
}

static void test_print_one_row_and_empty(void)
{
    char out[OUTPUT_BYTES];
    PrintOptions options = {0};
    const char *names[] = {"a"};
    bool is_numeric[] = {true};
    ResultTable *table = shell_result_create(1, names, is_numeric);
    REQUIRE(table != NULL);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, " a \n---\n(0 rows)\n\n");
    const char *row[] = {"1"};
    shell_result_add_row(table, row);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, " a \n---\n 1\n(1 row)\n\n");
    options.expanded = EXPANDED_ON;
    shell_result_free(table);
    table = shell_result_create(1, names, is_numeric);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "(0 rows)\n\n");
    shell_result_free(table);
}

static void test_print_expanded(void)
{
    char out[OUTPUT_BYTES];
    PrintOptions options = {0};
    options.expanded = EXPANDED_ON;
    ResultTable *table = sample_table();
    REQUIRE(table != NULL);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "-[ RECORD 1 ]\n"
                      "a   | 1\n"
                      "bb  | x\n"
                      "ccc | two  +\n"
                      "    | lines\n"
                      "d   | z\n"
                      "-[ RECORD 2 ]\n"
                      "a   | 22\n"
                      "bb  | \n"
                      "ccc | \n"
                      "d   | \n\n");
    shell_result_free(table);
    const char *names[] = {"aaaaaaaaaaaaaaaaaaa", "b"};
    table = shell_result_create(2, names, NULL);
    const char *row[] = {"1", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
    shell_result_add_row(table, row);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "-[ RECORD 1 ]-------+---------------------------------\n"
                      "aaaaaaaaaaaaaaaaaaa | 1\n"
                      "b                   | xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n");
    shell_result_free(table);
    const char *short_names[] = {"a", "b"};
    table = shell_result_create(2, short_names, NULL);
    shell_result_add_row(table, row);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "-[ RECORD 1 ]-----------------------\n"
                      "a | 1\n"
                      "b | xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n");
    shell_result_free(table);
}

/* Aligned and expanded output expand tabs to the next multiple of 8 characters of the line, as
 * psql does (expected output from psql 15); unaligned output keeps them. */
static void test_print_tabs(void)
{
    char out[OUTPUT_BYTES];
    PrintOptions options = {0};
    const char *names[] = {"x", "y", "z"};
    ResultTable *table = shell_result_create(3, names, NULL);
    REQUIRE(table != NULL);
    const char *row[] = {"a\tb", "abcdefghi\tz", "q\n\tr"};
    shell_result_add_row(table, row);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "     x     |         y         |     z     \n"
                      "-----------+-------------------+-----------\n"
                      " a       b | abcdefghi       z | q        +\n"
                      "           |                   |         r\n"
                      "(1 row)\n\n");
    shell_result_free(table);
    table = shell_result_create(1, names, NULL);
    REQUIRE(table != NULL);
    shell_result_add_row(table, row);
    options.expanded = EXPANDED_ON;
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "-[ RECORD 1 ]\nx | a       b\n\n");
    options.expanded = EXPANDED_OFF;
    options.format = FORMAT_UNALIGNED;
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "x\na\tb\n(1 row)\n");
    shell_result_free(table);
}

static void test_print_unaligned_and_csv(void)
{
    char out[OUTPUT_BYTES];
    PrintOptions options = {0};
    options.format = FORMAT_UNALIGNED;
    options.field_separator = "|";
    const char *names[] = {"a", "b", "c", "d", "e"};
    ResultTable *table = shell_result_create(5, names, NULL);
    REQUIRE(table != NULL);
    const char *row[] = {"1", "x,y", NULL, "", "q\""};
    shell_result_add_row(table, row);
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "a|b|c|d|e\n1|x,y|||q\"\n(1 row)\n");
    options.format = FORMAT_CSV;
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "a,b,c,d,e\n1,\"x,y\",,,\"q\"\"\"\n");
    options.tuples_only = true;
    render_table(&options, table, NULL, NULL, 0, true, out, sizeof out);
    CHECK_EQ_STR(out, "1,\"x,y\",,,\"q\"\"\"\n");
    shell_result_free(table);
}

static void render_error(const char *prefix, const char *message, int position,
                         const char *statement, bool is_verbose, char *out, size_t out_size)
{
    memset(out, 0, out_size);
    FILE *file = fmemopen(out, out_size - 1, "w");
    shell_print_error(file, prefix, message, "42601", "Some detail.", "", position, statement,
                      is_verbose);
    fclose(file);
}

static void test_error_layout(void)
{
    char out[OUTPUT_BYTES];
    render_error(NULL, "syntax error at or near \"selec\"", 1, "selec 1", false, out, sizeof out);
    CHECK_EQ_STR(out, "ERROR:  syntax error at or near \"selec\"\n"
                      "LINE 1: selec 1\n"
                      "        ^\n"
                      "DETAIL:  Some detail.\n");
    render_error("strata:f.sql:2: ", "column \"nosuchcol\" does not exist", 12,
                 "select 1,\n nosuchcol from t", true, out, sizeof out);
    CHECK_EQ_STR(out, "strata:f.sql:2: ERROR:  42601: column \"nosuchcol\" does not exist\n"
                      "LINE 2:  nosuchcol from t\n"
                      "         ^\n"
                      "DETAIL:  Some detail.\n");
    const char *long_statement =
        "select * from (select 1) as x where 1 = "
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"
        "  and 2=2 and 3=3 and 4=4 and 5=5 and 6=6";
    render_error(NULL, "invalid input", 41, long_statement, false, out, sizeof out);
    CHECK(strstr(out, "LINE 1: select * from (select 1) as x where 1 = 'aaaaaaaaaaaaaaaaaaa...\n"
                      "                                                ^\n") != NULL);
    const char *wide = "select 1111111111,2222222222,3333333333,4444444444,5555555555,"
                       "6666666666,7777777777,8888888888,nosuchcol,9999999999,1010101010,12121212";
    render_error(NULL, "bad", 96, wide, false, out, sizeof out);
    CHECK(strstr(out, "LINE 1: ...44444,5555555555,6666666666,7777777777,8888888888,nosuchcol,...\n"
                      "                                                             ^\n") != NULL);
    char narrower[256];
    snprintf(narrower, sizeof narrower, "%.104s", wide);
    render_error(NULL, "bad", 96, narrower, false, out, sizeof out);
    CHECK(strstr(out, "LINE 1: ...444444,5555555555,6666666666,7777777777,8888888888,nosuchcol\n"
                      "                                                              ^\n") != NULL);
}

static void test_copy_parse(void)
{
    CopySpec spec;
    char error[256];
    REQUIRE(shell_copy_parse("t from 'data.csv' with (format csv, header true, null 'NA')",
                             &spec, error, sizeof error));
    CHECK_EQ_STR(spec.relation, "t");
    CHECK(spec.is_from);
    CHECK_EQ_INT(spec.target, COPY_FILE);
    CHECK_EQ_STR(spec.path, "data.csv");
    CHECK(spec.is_csv);
    CHECK(spec.has_header);
    CHECK_EQ_INT(spec.delimiter, ',');
    CHECK_EQ_STR(spec.null_text, "NA");
    REQUIRE(shell_copy_parse("public.\"My T\" (a, \"b c\") to stdout", &spec, error, sizeof error));
    CHECK_EQ_STR(spec.relation, "public.\"My T\"");
    CHECK_EQ_STR(spec.columns, "(a, \"b c\")");
    CHECK(!spec.is_from);
    CHECK_EQ_INT(spec.target, COPY_STDOUT);
    CHECK(!spec.is_csv);
    CHECK_EQ_INT(spec.delimiter, '\t');
    CHECK_EQ_STR(spec.null_text, "\\N");
    REQUIRE(shell_copy_parse("(select 1, ')') to '/tmp/x' csv header delimiter ';'", &spec,
                             error, sizeof error));
    CHECK(spec.is_query);
    CHECK_EQ_STR(spec.relation, "select 1, ')'");
    CHECK(spec.is_csv);
    CHECK(spec.has_header);
    CHECK_EQ_INT(spec.delimiter, ';');
    REQUIRE(shell_copy_parse("t from stdin", &spec, error, sizeof error));
    CHECK_EQ_INT(spec.target, COPY_STDIN);
    REQUIRE(shell_copy_parse("t from 'stdin'", &spec, error, sizeof error));
    CHECK_EQ_INT(spec.target, COPY_FILE);
    CHECK(!shell_copy_parse("t sideways 'x'", &spec, error, sizeof error));
    CHECK(strstr(error, "FROM or TO") != NULL);
    CHECK(!shell_copy_parse("", &spec, error, sizeof error));
    CHECK(!shell_copy_parse("(select 1) from 'x'", &spec, error, sizeof error));
    CHECK(!shell_copy_parse("t from 'x' with (format binary)", &spec, error, sizeof error));
}

int main(void)
{
    TEST_RUN(test_split_statements);
    TEST_RUN(test_split_meta_commands);
    TEST_RUN(test_split_partial_state);
    TEST_RUN(test_print_aligned);
    TEST_RUN(test_print_one_row_and_empty);
    TEST_RUN(test_print_expanded);
    TEST_RUN(test_print_tabs);
    TEST_RUN(test_print_unaligned_and_csv);
    TEST_RUN(test_error_layout);
    TEST_RUN(test_copy_parse);
    return test_summary("shell_test");
}
