/*
 * api/api_test.c - end-to-end tests of the public C API (include/strata.h):
 * open/close, exec, prepare/bind/step and every column accessor, command tags,
 * errors with SQLSTATE, positions, detail and hint, transactions, savepoints,
 * the failed-transaction state, settings, SQL-level PREPARE/EXECUTE, COPY,
 * system views, persistence across reopen, two connections in two threads
 * (snapshot isolation), a second process (STRATA_BUSY) and busy timeouts.
 *
 * Goal: every behaviour a client relies on is pinned here, independent of the
 * shell and the sqllogictest runner.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api/api_int.h" /* strata_db.stmt_cache_hits */
#include "api/ddl_int.h" /* api_ddl_view_uses */
#include "strata.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static char temp_dir[256];

static const char *temp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", temp_dir, name);
    return path;
}

static int run(strata_db *db, const char *sql)
{
    int rc = strata_exec(db, sql, NULL, NULL);
    if (rc != STRATA_OK) {
        fprintf(stderr, "  [%s] %s (%s)\n", sql, strata_errmsg(db), strata_sqlstate(db));
    }
    return rc;
}

/* First column of the first row as text ("<null>" for NULL, "<none>" for no row). */
static const char *query1(strata_db *db, const char *sql)
{
    static char out[1024];
    strata_stmt *stmt = NULL;
    snprintf(out, sizeof(out), "<error %s>", "prepare");
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        snprintf(out, sizeof(out), "<error %s>", strata_sqlstate(db));
        return out;
    }
    int rc = strata_step(stmt);
    if (rc == STRATA_ROW) {
        const char *text = strata_column_text(stmt, 0);
        snprintf(out, sizeof(out), "%s", text != NULL ? text : "<null>");
    } else if (rc == STRATA_DONE) {
        snprintf(out, sizeof(out), "<none>");
    } else {
        snprintf(out, sizeof(out), "<error %s>", strata_sqlstate(db));
    }
    strata_finalize(stmt);
    return out;
}

static int count_rows(strata_db *db, const char *sql)
{
    strata_stmt *stmt = NULL;
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        return -1;
    }
    int n = 0, rc;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        n++;
    }
    strata_finalize(stmt);
    return rc == STRATA_DONE ? n : -1;
}

/* Runs one statement to the end and copies its command tag. */
static const char *tag_of(strata_db *db, const char *sql)
{
    static char tag[128];
    strata_stmt *stmt = NULL;
    snprintf(tag, sizeof(tag), "<error>");
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        return tag;
    }
    int rc;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
    }
    if (rc == STRATA_DONE && strata_command_tag(stmt) != NULL) {
        snprintf(tag, sizeof(tag), "%s", strata_command_tag(stmt));
    }
    strata_finalize(stmt);
    return tag;
}

static void test_open_close(void)
{
    CHECK(strata_libversion() != NULL && strata_libversion()[0] != '\0');
    CHECK_EQ_INT(strata_close(NULL), STRATA_OK);
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "00000");
    CHECK_EQ_INT(strata_txn_state(db), 0);
    CHECK_EQ_INT(strata_close(db), STRATA_OK);
    /* Without CREATE a missing file cannot be opened; the handle still reports why. */
    int rc = strata_open_v2(temp_path("missing.db"), &db, STRATA_OPEN_READWRITE);
    CHECK_EQ_INT(rc, STRATA_CANTOPEN);
    CHECK(db != NULL && strlen(strata_errmsg(db)) > 0);
    strata_close(db);
    /* Two ":memory:" databases are private. */
    strata_db *a, *b;
    REQUIRE(strata_open(":memory:", &a) == STRATA_OK);
    REQUIRE(strata_open(":memory:", &b) == STRATA_OK);
    CHECK_EQ_INT(run(a, "CREATE TABLE only_a (x int)"), STRATA_OK);
    CHECK_EQ_STR(query1(b, "SELECT * FROM only_a"), "<error 42P01>");
    /* Close with an unfinalized statement is refused. */
    strata_stmt *stmt;
    REQUIRE(strata_prepare(a, "SELECT 1", -1, &stmt, NULL) == STRATA_OK);
    CHECK_EQ_INT(strata_close(a), STRATA_BUSY);
    strata_finalize(stmt);
    CHECK_EQ_INT(strata_close(a), STRATA_OK);
    strata_close(b);
}

static void test_tags_and_changes(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    CHECK_EQ_STR(tag_of(db, "CREATE TABLE t (a int PRIMARY KEY, b text)"), "CREATE TABLE");
    CHECK_EQ_STR(tag_of(db, "INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')"), "INSERT 0 3");
    CHECK_EQ_INT(strata_changes(db), 3);
    CHECK_EQ_STR(tag_of(db, "UPDATE t SET b = 'w' WHERE a = 2"), "UPDATE 1");
    CHECK_EQ_STR(tag_of(db, "DELETE FROM t WHERE a >= 2"), "DELETE 2");
    CHECK_EQ_INT(strata_changes(db), 2);
    CHECK_EQ_STR(tag_of(db, "SELECT * FROM t"), "SELECT 1");
    CHECK_EQ_STR(tag_of(db, "CREATE INDEX ON t (b)"), "CREATE INDEX");
    CHECK_EQ_STR(tag_of(db, "CREATE VIEW v AS SELECT b FROM t"), "CREATE VIEW");
    CHECK_EQ_STR(tag_of(db, "BEGIN"), "BEGIN");
    CHECK_EQ_STR(tag_of(db, "SAVEPOINT s"), "SAVEPOINT");
    CHECK_EQ_STR(tag_of(db, "RELEASE s"), "RELEASE");
    CHECK_EQ_STR(tag_of(db, "COMMIT"), "COMMIT");
    CHECK_EQ_STR(tag_of(db, "SET work_mem = '8MB'"), "SET");
    CHECK_EQ_STR(tag_of(db, "TRUNCATE t"), "TRUNCATE TABLE");
    CHECK_EQ_STR(tag_of(db, "ALTER TABLE t ADD COLUMN c int"), "ALTER TABLE");
    CHECK_EQ_STR(tag_of(db, "DROP VIEW v"), "DROP VIEW");
    CHECK_EQ_STR(tag_of(db, "DROP TABLE t"), "DROP TABLE");
    CHECK_EQ_STR(tag_of(db, "CREATE SCHEMA s"), "CREATE SCHEMA");
    strata_close(db);
}

static void test_columns_of_every_type(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE v (i2 smallint, i4 int, i8 bigint, f8 float8, n numeric(6,2), "
                    "t text, b bool, y bytea, d date, z int)") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO v VALUES (-2, 40000, 9000000000, 2.5, 12.30, 'héllo', true, "
                    "'\\x00ff41', '2024-02-29', NULL)") == STRATA_OK);
    strata_stmt *stmt;
    REQUIRE(strata_prepare(db, "SELECT * FROM v", -1, &stmt, NULL) == STRATA_OK);
    REQUIRE(stmt != NULL);
    CHECK_EQ_INT(strata_column_count(stmt), 10);
    CHECK_EQ_STR(strata_column_name(stmt, 2), "i8");
    CHECK_EQ_STR(strata_column_type_name(stmt, 1), "integer");
    CHECK_EQ_INT(strata_column_type_oid(stmt, 1), 23);
    CHECK_EQ_STR(strata_column_type_name(stmt, 4), "numeric(6,2)");
    CHECK(strata_column_name(stmt, 10) == NULL);
    REQUIRE(strata_step(stmt) == STRATA_ROW);
    CHECK_EQ_INT(strata_column_type(stmt, 0), STRATA_INTEGER);
    CHECK_EQ_INT(strata_column_int64(stmt, 0), -2);
    CHECK_EQ_INT(strata_column_int64(stmt, 2), 9000000000LL);
    CHECK_EQ_INT(strata_column_type(stmt, 3), STRATA_FLOAT);
    CHECK(strata_column_double(stmt, 3) == 2.5);
    CHECK_EQ_INT(strata_column_type(stmt, 4), STRATA_TEXT);
    CHECK_EQ_STR(strata_column_text(stmt, 4), "12.30");
    CHECK(strata_column_double(stmt, 4) == 12.3);
    CHECK_EQ_STR(strata_column_text(stmt, 5), "héllo");
    CHECK_EQ_INT(strata_column_bytes(stmt, 5), 6);
    CHECK_EQ_INT(strata_column_type(stmt, 6), STRATA_INTEGER);
    CHECK_EQ_INT(strata_column_int64(stmt, 6), 1);
    CHECK_EQ_STR(strata_column_text(stmt, 6), "t");
    CHECK_EQ_INT(strata_column_type(stmt, 7), STRATA_BLOB);
    CHECK_EQ_INT(strata_column_bytes(stmt, 7), 3);
    const unsigned char *blob = strata_column_blob(stmt, 7);
    CHECK(blob != NULL && blob[0] == 0x00 && blob[1] == 0xff && blob[2] == 'A');
    CHECK_EQ_STR(strata_column_text(stmt, 7), "\\x00ff41");
    CHECK_EQ_STR(strata_column_text(stmt, 8), "2024-02-29");
    CHECK_EQ_INT(strata_column_type(stmt, 9), STRATA_NULL);
    CHECK(strata_column_text(stmt, 9) == NULL);
    CHECK_EQ_INT(strata_column_is_null(stmt, 9), 1);
    CHECK_EQ_INT(strata_column_int64(stmt, 9), 0);
    CHECK_EQ_INT(strata_step(stmt), STRATA_DONE);
    CHECK_EQ_STR(strata_command_tag(stmt), "SELECT 1");
    strata_finalize(stmt);
    strata_close(db);
}

static void test_bind_and_reset(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE p (a int, b text, c float8, d bytea, e date)") == STRATA_OK);
    strata_stmt *ins;
    REQUIRE(strata_prepare(db, "INSERT INTO p VALUES ($1, $2, $3, $4, $5)", -1, &ins, NULL) ==
            STRATA_OK);
    CHECK_EQ_INT(strata_bind_parameter_count(ins), 5);
    for (int k = 0; k < 10; k++) {
        char text[16];
        snprintf(text, sizeof(text), "row%d", k);
        CHECK_EQ_INT(strata_bind_int64(ins, 1, k), STRATA_OK);
        CHECK_EQ_INT(strata_bind_text(ins, 2, text, -1), STRATA_OK);
        CHECK_EQ_INT(strata_bind_double(ins, 3, k / 4.0), STRATA_OK);
        CHECK_EQ_INT(strata_bind_blob(ins, 4, "\x01\x02", 2), STRATA_OK);
        CHECK_EQ_INT(strata_bind_text(ins, 5, "2024-01-31", -1), STRATA_OK);
        CHECK_EQ_INT(strata_step(ins), STRATA_DONE);
        CHECK_EQ_INT(strata_reset(ins), STRATA_OK);
    }
    CHECK_EQ_INT(strata_clear_bindings(ins), STRATA_OK);
    CHECK_EQ_INT(strata_step(ins), STRATA_DONE); /* all NULL */
    CHECK(strata_bind_int64(ins, 0, 1) != STRATA_OK);
    strata_finalize(ins);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM p"), 11);
    strata_stmt *sel;
    REQUIRE(strata_prepare(db, "SELECT b, e FROM p WHERE a = $1", -1, &sel, NULL) == STRATA_OK);
    CHECK_EQ_INT(strata_bind_int64(sel, 1, 7), STRATA_OK);
    REQUIRE(strata_step(sel) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(sel, 0), "row7");
    CHECK_EQ_STR(strata_column_text(sel, 1), "2024-01-31");
    strata_reset(sel);
    CHECK_EQ_INT(strata_bind_text(sel, 1, "3", -1), STRATA_OK);
    REQUIRE(strata_step(sel) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(sel, 0), "row3");
    strata_finalize(sel);
    /* prepare returns the tail; whitespace-only input gives no statement. */
    const char *tail = NULL;
    strata_stmt *first;
    const char *two = "SELECT 1; SELECT 2";
    REQUIRE(strata_prepare(db, two, -1, &first, &tail) == STRATA_OK);
    CHECK(tail != NULL && strcmp(tail, " SELECT 2") == 0);
    strata_finalize(first);
    strata_stmt *none = (strata_stmt *)1;
    CHECK_EQ_INT(strata_prepare(db, "  -- nothing\n ", -1, &none, &tail), STRATA_OK);
    CHECK(none == NULL);
    strata_close(db);
}

/* Runs a prepared statement with one bound integer and joins the first column
 * of its rows with ','; "<error SQLSTATE>" when it fails. Leaves it reset. */
static const char *rows_of(strata_db *db, strata_stmt *stmt, int64_t value)
{
    static char out[512];
    out[0] = '\0';
    strata_reset(stmt);
    strata_bind_int64(stmt, 1, value);
    int rc;
    size_t len = 0;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        const char *text = strata_column_text(stmt, 0);
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", len > 0 ? "," : "",
                                text != NULL ? text : "<null>");
    }
    if (rc != STRATA_DONE) {
        snprintf(out, sizeof(out), "<error %s>", strata_sqlstate(db));
    }
    strata_reset(stmt);
    return out;
}

/* A kept executor whose operators run on batches (a sort / top-N, a LIMIT and hash
 * join probes over scans, vec_sort.c / vec_limit.c / vec_probe.c): each re-execution starts them
 * from their state as built, with this execution's parameters. */
/* numeric parameters past 38 digits (issue 3): bound from text and from a
 * double, rebound, reset and cleared; each owns its bytes (ASan checks). */
static void test_bind_big_numeric(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE n (v numeric)") == STRATA_OK);
    strata_stmt *ins;
    REQUIRE(strata_prepare(db, "INSERT INTO n VALUES ($1::numeric * 2)", -1, &ins, NULL) ==
            STRATA_OK);
    const char *values[] = {"123456789012345678901234567890123456789012345.5", "1e-50", "7",
                            "-99999999999999999999999999999999999999999"};
    for (int k = 0; k < 4; k++) {
        CHECK_EQ_INT(strata_bind_text(ins, 1, values[k], -1), STRATA_OK);
        CHECK_EQ_INT(strata_bind_text(ins, 1, values[k], -1), STRATA_OK); /* rebind frees */
        CHECK_EQ_INT(strata_step(ins), STRATA_DONE);
        CHECK_EQ_INT(strata_reset(ins), STRATA_OK);
    }
    CHECK_EQ_INT(strata_bind_double(ins, 1, 1e300), STRATA_OK);
    CHECK_EQ_INT(strata_step(ins), STRATA_DONE);
    CHECK_EQ_INT(strata_clear_bindings(ins), STRATA_OK);
    strata_finalize(ins);
    strata_stmt *sel;
    REQUIRE(strata_prepare(db, "SELECT v FROM n ORDER BY v", -1, &sel, NULL) == STRATA_OK);
    const char *expected[] = {"-199999999999999999999999999999999999999998",
                              "0.00000000000000000000000000000000000000000000000002", "14",
                              "246913578024691357802469135780246913578024691.0"};
    for (int k = 0; k < 4; k++) {
        REQUIRE(strata_step(sel) == STRATA_ROW);
        CHECK_EQ_STR(strata_column_text(sel, 0), expected[k]);
    }
    REQUIRE(strata_step(sel) == STRATA_ROW);
    CHECK_EQ_INT((int)strlen(strata_column_text(sel, 0)), 301); /* 2e300 */
    CHECK(strata_column_double(sel, 0) == 2e300);
    CHECK_EQ_INT(strata_step(sel), STRATA_DONE);
    strata_finalize(sel);
    strata_close(db);
}

static void test_prepared_reuse_batches(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE x (a int PRIMARY KEY, c int);"
                    "INSERT INTO x SELECT g, g % 100 FROM generate_series(1, 5000) g;"
                    "CREATE TABLE y (a int PRIMARY KEY, b text);"
                    "INSERT INTO y SELECT g, 'y' || g FROM generate_series(0, 99) g") ==
            STRATA_OK);
    strata_stmt *top, *probe;
    REQUIRE(strata_prepare(db, "SELECT a FROM x WHERE c <> $1 ORDER BY c DESC, a LIMIT 3", -1, &top,
                           NULL) == STRATA_OK);
    REQUIRE(strata_prepare(db,
                           "SELECT y.b FROM x JOIN y ON x.c = y.a WHERE x.a > $1 AND x.a <= $1 + 3",
                           -1, &probe, NULL) == STRATA_OK);
    for (int round = 0; round < 3; round++) {
        CHECK_EQ_STR(rows_of(db, top, 7), "99,199,299");
        CHECK_EQ_STR(rows_of(db, top, 99), "98,198,298");
        CHECK_EQ_STR(rows_of(db, probe, 98), "y0,y1,y99");
        CHECK_EQ_STR(rows_of(db, probe, 4998), "y0,y99");
    }
    /* Stopped after one row, then run again. */
    strata_bind_int64(top, 1, 99);
    REQUIRE(strata_step(top) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(top, 0), "98");
    CHECK_EQ_STR(rows_of(db, top, 98), "99,199,299");
    /* LIMIT / OFFSET on batches (vec_limit.c), over a batch sort, and an anti join
     * probing with batches: the counts are evaluated again per execution. */
    strata_stmt *limit, *sorted, *anti;
    REQUIRE(strata_prepare(db, "SELECT a FROM x WHERE c > $1 LIMIT 3 OFFSET $1", -1, &limit,
                           NULL) == STRATA_OK);
    REQUIRE(strata_prepare(db, "SELECT a FROM x ORDER BY c DESC, a LIMIT 2 OFFSET $1", -1,
                           &sorted, NULL) == STRATA_OK);
    REQUIRE(strata_prepare(db,
                           "SELECT count(*) FROM x WHERE c NOT IN (SELECT a FROM y WHERE a > $1)",
                           -1, &anti, NULL) == STRATA_OK);
    for (int round = 0; round < 3; round++) {
        CHECK_EQ_STR(rows_of(db, limit, 20), "41,42,43");
        CHECK_EQ_STR(rows_of(db, limit, 0), "1,2,3");
        CHECK_EQ_STR(rows_of(db, limit, 98), "");
        CHECK_EQ_STR(rows_of(db, limit, -1), "<error 2201X>");
        CHECK_EQ_STR(rows_of(db, sorted, 1), "199,299");
        CHECK_EQ_STR(rows_of(db, sorted, 49), "4999,98");
        CHECK_EQ_STR(rows_of(db, anti, 90), "4550");
        CHECK_EQ_STR(rows_of(db, anti, 97), "4900");
    }
    strata_bind_int64(limit, 1, 20);
    REQUIRE(strata_step(limit) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(limit, 0), "41");
    CHECK_EQ_STR(rows_of(db, limit, 21), "43,44,45");
    strata_finalize(limit);
    strata_finalize(sorted);
    strata_finalize(anti);
    strata_finalize(top);
    strata_finalize(probe);
    strata_close(db);
}

/* A prepared statement keeps its executor between executions (issue 2): every
 * way its plan or its state can go stale must give the same results as a
 * statement prepared afresh. */
static void test_prepared_reuse(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE t (a int PRIMARY KEY, b text, c int);"
                    "INSERT INTO t SELECT g, 'v' || g, g % 3 FROM generate_series(1, 50) g") ==
            STRATA_OK);
    strata_stmt *point, *range, *ins;
    REQUIRE(strata_prepare(db, "SELECT b FROM t WHERE a = $1", -1, &point, NULL) == STRATA_OK);
    REQUIRE(strata_prepare(db, "SELECT a FROM t WHERE a BETWEEN $1 AND $1 + 3 ORDER BY a", -1,
                           &range, NULL) == STRATA_OK);
    REQUIRE(strata_prepare(db, "INSERT INTO t VALUES ($1, $2, $3)", -1, &ins, NULL) == STRATA_OK);
    /* Different values, and the same parameter bound as text, as an integer and NULL. */
    CHECK_EQ_STR(rows_of(db, point, 7), "v7");
    CHECK_EQ_STR(rows_of(db, point, 8), "v8");
    CHECK_EQ_STR(rows_of(db, point, 99), "");
    strata_bind_text(point, 1, "12", -1);
    REQUIRE(strata_step(point) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(point, 0), "v12");
    strata_reset(point);
    strata_bind_null(point, 1);
    CHECK_EQ_INT(strata_step(point), STRATA_DONE);
    strata_reset(point);
    CHECK(strata_bind_text(point, 1, "x", -1) != STRATA_OK); /* converted when bound */
    CHECK_EQ_STR(strata_sqlstate(db), "22P02");
    CHECK_EQ_INT(strata_step(point), STRATA_ERROR);
    CHECK_EQ_STR(strata_sqlstate(db), "22P02");
    CHECK_EQ_STR(rows_of(db, point, 9), "v9");
    /* Stopped after one row, then run again from the start. */
    strata_bind_int64(range, 1, 10);
    REQUIRE(strata_step(range) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(range, 0), "10");
    CHECK_EQ_STR(rows_of(db, range, 20), "20,21,22,23");
    CHECK_EQ_STR(rows_of(db, range, 48), "48,49,50");
    /* A failed INSERT (duplicate key, then NOT NULL), then successful ones. */
    for (int round = 0; round < 3; round++) {
        strata_bind_int64(ins, 1, round == 0 ? 5 : 100 + round);
        strata_bind_text(ins, 2, round == 1 ? NULL : "new", -1);
        strata_bind_int64(ins, 3, 1);
        CHECK_EQ_INT(strata_step(ins), (round == 0 ? STRATA_CONSTRAINT : STRATA_DONE));
        if (round == 0) {
            CHECK_EQ_STR(strata_sqlstate(db), "23505");
        }
        strata_reset(ins);
    }
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM t"), "52");
    CHECK_EQ_STR(rows_of(db, point, 102), "new");
    /* DDL: an index, then the table dropped and made again with other rows. */
    REQUIRE(run(db, "CREATE INDEX t_c ON t (c)") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, point, 3), "v3");
    REQUIRE(run(db, "DROP TABLE t; CREATE TABLE t (a int PRIMARY KEY, b text, c int);"
                    "INSERT INTO t VALUES (3, 'again', 0), (4, 'four', 0)") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, point, 3), "again");
    CHECK_EQ_STR(rows_of(db, range, 1), "3,4");
    strata_bind_int64(ins, 1, 5);
    strata_bind_text(ins, 2, "five", -1);
    strata_bind_int64(ins, 3, 0);
    CHECK_EQ_INT(strata_step(ins), STRATA_DONE);
    strata_reset(ins);
    CHECK_EQ_STR(rows_of(db, range, 2), "3,4,5");
    /* A column added: the statement is planned again and sees it. */
    REQUIRE(run(db, "ALTER TABLE t ADD COLUMN d int DEFAULT 7") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, point, 4), "four");
    /* Settings the executor is built with (vectorized projection, work_mem). */
    REQUIRE(run(db, "SET enable_vectorize = off") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, range, 3), "3,4,5");
    REQUIRE(run(db, "RESET enable_vectorize; SET work_mem = '1MB'") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, range, 4), "4,5");
    /* Inside a transaction block, and after it rolled back. */
    REQUIRE(run(db, "BEGIN; DELETE FROM t WHERE a = 4") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, range, 3), "3,5");
    REQUIRE(run(db, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, range, 3), "3,4,5");
    /* Roles: the plan was checked for the superuser; a role without SELECT is
     * refused, one given SELECT is let through, and ALTER ROLE counts too. */
    REQUIRE(run(db, "CREATE ROLE reader; CREATE ROLE boss SUPERUSER") == STRATA_OK);
    REQUIRE(run(db, "SET SESSION AUTHORIZATION reader") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, point, 3), "<error 42501>");
    REQUIRE(run(db, "RESET SESSION AUTHORIZATION; GRANT SELECT ON t TO reader;"
                    "SET SESSION AUTHORIZATION reader") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, point, 3), "again");
    REQUIRE(run(db, "RESET SESSION AUTHORIZATION; SET SESSION AUTHORIZATION boss") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, point, 5), "five");
    REQUIRE(run(db, "ALTER ROLE boss NOSUPERUSER") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, point, 5), "<error 42501>");
    REQUIRE(run(db, "RESET SESSION AUTHORIZATION") == STRATA_OK);
    CHECK_EQ_STR(rows_of(db, point, 5), "five");
    strata_finalize(point);
    strata_finalize(range);
    strata_finalize(ins);
    strata_close(db);
}

static void test_errors(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    CHECK_EQ_INT(run(db, "SELEC 1"), STRATA_ERROR);
    CHECK_EQ_STR(strata_sqlstate(db), "42601");
    CHECK_EQ_INT(strata_error_position(db), 1);
    strata_exec(db, "SELECT * FROM nosuch", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "42P01");
    CHECK_EQ_STR(strata_errmsg(db), "relation \"nosuch\" does not exist");
    CHECK_EQ_INT(strata_error_position(db), 15);
    strata_exec(db, "CREATE TABLE d (a int, a text)", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "42701");
    CHECK_EQ_STR(strata_errmsg(db), "column \"a\" specified more than once");
    strata_exec(db, "CREATE TABLE m (a int PRIMARY KEY, b int PRIMARY KEY)", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "42P16");
    CHECK_EQ_STR(strata_errmsg(db), "multiple primary keys for table \"m\" are not allowed");
    REQUIRE(run(db, "CREATE TABLE t (a int PRIMARY KEY)") == STRATA_OK);
    strata_exec(db, "CREATE TABLE t (b int)", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "42P07");
    CHECK_EQ_STR(strata_errmsg(db), "relation \"t\" already exists");
    REQUIRE(run(db, "CREATE VIEW v AS SELECT a FROM t") == STRATA_OK);
    strata_exec(db, "DROP TABLE t", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "2BP01");
    CHECK_EQ_STR(strata_errmsg(db), "cannot drop table t because other objects depend on it");
    CHECK_EQ_STR(strata_errdetail(db), "view v depends on table t");
    CHECK_EQ_STR(strata_errhint(db), "Use DROP ... CASCADE to drop the dependent objects too.");
    /* NOT NULL and CHECK violations show the row, as PostgreSQL (values from
     * psql against PostgreSQL 15) */
    REQUIRE(run(db, "CREATE TABLE fr (id int PRIMARY KEY, name text NOT NULL, n numeric(6,2) "
                    "CHECK (n > 0), d date)") == STRATA_OK);
    strata_exec(db, "INSERT INTO fr VALUES (1, NULL, 1.5, '2024-02-29')", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "23502");
    CHECK_EQ_STR(strata_errdetail(db), "Failing row contains (1, null, 1.50, 2024-02-29).");
    strata_exec(db, "INSERT INTO fr VALUES (2, repeat('ab', 40), -1)", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "23514");
    CHECK_EQ_STR(strata_errdetail(db), "Failing row contains (2, abababababababababababababababababab"
                                       "abababababababababababababab..., -1.00, null).");
    strata_exec(db, "DROP TABLE v", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "42809");
    CHECK_EQ_STR(strata_errmsg(db), "\"v\" is not a table");
    strata_exec(db, "DROP INDEX nope", NULL, NULL);
    CHECK_EQ_STR(strata_sqlstate(db), "42704");
    CHECK_EQ_STR(strata_errmsg(db), "index \"nope\" does not exist");
    CHECK_EQ_INT(run(db, "INSERT INTO t VALUES (1)"), STRATA_OK);
    CHECK_EQ_INT(strata_exec(db, "INSERT INTO t VALUES (1)", NULL, NULL), STRATA_CONSTRAINT);
    CHECK_EQ_STR(strata_sqlstate(db), "23505");
    CHECK_EQ_INT(run(db, "SELECT 1"), STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "00000");
    strata_close(db);
}

static void test_transactions(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE t (a int)") == STRATA_OK);
    REQUIRE(run(db, "BEGIN") == STRATA_OK);
    CHECK_EQ_INT(strata_txn_state(db), 1);
    REQUIRE(run(db, "INSERT INTO t VALUES (1)") == STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM t"), 1);
    REQUIRE(run(db, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_INT(strata_txn_state(db), 0);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM t"), 0);
    REQUIRE(run(db, "BEGIN; INSERT INTO t VALUES (2); COMMIT") == STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM t"), 1);
    /* DDL is transactional too. */
    REQUIRE(run(db, "BEGIN; CREATE TABLE u (x int); INSERT INTO u VALUES (1)") == STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM u"), 1);
    REQUIRE(run(db, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT * FROM u"), "<error 42P01>");
    /* The failed-transaction state. */
    REQUIRE(run(db, "BEGIN") == STRATA_OK);
    CHECK(strata_exec(db, "SELECT * FROM nosuch", NULL, NULL) != STRATA_OK);
    CHECK_EQ_INT(strata_txn_state(db), 2);
    CHECK(strata_exec(db, "SELECT 1", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "25P02");
    CHECK_EQ_STR(strata_errmsg(db),
                 "current transaction is aborted, commands ignored until end of transaction block");
    CHECK_EQ_STR(tag_of(db, "COMMIT"), "ROLLBACK");
    CHECK_EQ_INT(strata_txn_state(db), 0);
    /* Warnings as PostgreSQL. */
    strata_notices_clear(db);
    CHECK_EQ_STR(tag_of(db, "COMMIT"), "COMMIT");
    CHECK(strata_notice_count(db) == 1 &&
          strcmp(strata_notice(db, 0), "WARNING:  there is no transaction in progress") == 0);
    strata_notices_clear(db);
    REQUIRE(run(db, "BEGIN; BEGIN") == STRATA_OK);
    CHECK(strata_notice_count(db) == 1 &&
          strcmp(strata_notice(db, 0), "WARNING:  there is already a transaction in progress") ==
              0);
    REQUIRE(run(db, "ROLLBACK") == STRATA_OK);
    /* Isolation level syntax is accepted. */
    CHECK_EQ_INT(run(db, "BEGIN ISOLATION LEVEL READ COMMITTED; COMMIT"), STRATA_OK);
    CHECK_EQ_INT(run(db, "START TRANSACTION ISOLATION LEVEL REPEATABLE READ; COMMIT"), STRATA_OK);
    strata_close(db);
}

/* Notices carry severity, SQLSTATE and message (strata.h); strata_set_user
 * switches the connection's role (what the wire server does after a login). */
static void test_notices_and_users(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    strata_notices_clear(db);
    REQUIRE(run(db, "DROP TABLE IF EXISTS missing; COMMIT") == STRATA_OK);
    CHECK_EQ_INT(strata_notice_count(db), 2);
    CHECK_EQ_STR(strata_notice_severity(db, 0), "NOTICE");
    CHECK_EQ_STR(strata_notice_sqlstate(db, 0), "00000");
    CHECK_EQ_STR(strata_notice_message(db, 0), "table \"missing\" does not exist, skipping");
    CHECK_EQ_STR(strata_notice(db, 0), "NOTICE:  table \"missing\" does not exist, skipping");
    CHECK_EQ_STR(strata_notice_severity(db, 1), "WARNING");
    CHECK_EQ_STR(strata_notice_sqlstate(db, 1), "25P01");
    CHECK(strata_notice_message(db, 2) == NULL && strata_notice_sqlstate(db, -1) == NULL);
    CHECK(strata_notice_detail(db, 0) == NULL && strata_notice_hint(db, 0) == NULL);
    strata_notices_clear(db);
    CHECK_EQ_INT(strata_notice_count(db), 0);

    /* DROP ... CASCADE: one notice, the objects in its DETAIL (PostgreSQL 15's text) */
    REQUIRE(run(db, "CREATE TABLE t (a int); CREATE VIEW v1 AS SELECT a FROM t; "
                    "CREATE VIEW v2 AS SELECT a FROM t; CREATE TABLE u (a int); "
                    "CREATE VIEW w AS SELECT a FROM u") == STRATA_OK);
    strata_notices_clear(db);
    REQUIRE(run(db, "DROP TABLE t CASCADE") == STRATA_OK);
    CHECK_EQ_INT(strata_notice_count(db), 1);
    CHECK_EQ_STR(strata_notice(db, 0), "NOTICE:  drop cascades to 2 other objects");
    CHECK_EQ_STR(strata_notice_detail(db, 0),
                 "drop cascades to view v1\ndrop cascades to view v2");
    CHECK(strata_notice_hint(db, 0) == NULL && strata_notice_detail(db, 1) == NULL);
    strata_notices_clear(db);
    REQUIRE(run(db, "DROP TABLE u CASCADE") == STRATA_OK);
    CHECK_EQ_INT(strata_notice_count(db), 1);
    CHECK_EQ_STR(strata_notice(db, 0), "NOTICE:  drop cascades to view w");
    CHECK(strata_notice_detail(db, 0) == NULL);
    strata_notices_clear(db);
    /* past 100 objects the DETAIL counts the rest */
    REQUIRE(run(db, "CREATE TABLE big (a int)") == STRATA_OK);
    for (int view = 1; view <= 101; view++) {
        char sql[80];
        snprintf(sql, sizeof sql, "CREATE VIEW bv%d AS SELECT a FROM big", view);
        REQUIRE(run(db, sql) == STRATA_OK);
    }
    strata_notices_clear(db);
    REQUIRE(run(db, "DROP TABLE big CASCADE") == STRATA_OK);
    CHECK_EQ_INT(strata_notice_count(db), 1);
    CHECK_EQ_STR(strata_notice_message(db, 0), "drop cascades to 101 other objects");
    const char *detail = strata_notice_detail(db, 0);
    CHECK(detail != NULL && strncmp(detail, "drop cascades to view bv1\n", 26) == 0);
    const char *tail = "drop cascades to view bv100\nand 1 other object (see server log for list)";
    CHECK(detail != NULL && strlen(detail) > strlen(tail) &&
          strcmp(detail + strlen(detail) - strlen(tail), tail) == 0);
    strata_notices_clear(db);

    REQUIRE(run(db, "CREATE ROLE worker LOGIN PASSWORD 'pw'; CREATE ROLE other") == STRATA_OK);
    CHECK_EQ_INT(strata_set_user(db, "nobody"), STRATA_ERROR);
    CHECK_EQ_STR(strata_sqlstate(db), "28000");
    REQUIRE(strata_set_user(db, "worker") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT current_user || ',' || session_user"), "worker,worker");
    CHECK_EQ_STR(query1(db, "SHOW is_superuser"), "off");
    CHECK(strata_exec(db, "CREATE ROLE x", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "42501");
    /* A non-superuser login cannot switch with SET SESSION AUTHORIZATION. */
    CHECK(strata_exec(db, "SET SESSION AUTHORIZATION other", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "42501");
    CHECK(strata_exec(db, "SET SESSION AUTHORIZATION DEFAULT", NULL, NULL) == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT current_user"), "worker");
    strata_close(db);
}

static void test_savepoints(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE t (a int)") == STRATA_OK);
    REQUIRE(run(db, "BEGIN; SAVEPOINT early; INSERT INTO t VALUES (1); SAVEPOINT s1; "
                    "INSERT INTO t VALUES (2)") == STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM t"), 2);
    REQUIRE(run(db, "ROLLBACK TO s1") == STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM t"), 1);
    /* An error, then ROLLBACK TO leaves the failed state. */
    CHECK(strata_exec(db, "INSERT INTO nosuch VALUES (1)", NULL, NULL) != STRATA_OK);
    CHECK_EQ_INT(strata_txn_state(db), 2);
    REQUIRE(run(db, "ROLLBACK TO s1") == STRATA_OK);
    CHECK_EQ_INT(strata_txn_state(db), 1);
    REQUIRE(run(db, "INSERT INTO t VALUES (3); RELEASE s1") == STRATA_OK);
    CHECK(strata_exec(db, "ROLLBACK TO s1", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "3B001");
    REQUIRE(run(db, "ROLLBACK") == STRATA_OK);
    /* A savepoint taken while the transaction was still read-only. */
    REQUIRE(run(db, "BEGIN; SAVEPOINT r; INSERT INTO t VALUES (9); ROLLBACK TO r; COMMIT") ==
            STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM t"), 0);
    /* DDL under a savepoint. */
    REQUIRE(run(db, "BEGIN; SAVEPOINT d; CREATE TABLE gone (x int); ROLLBACK TO d; "
                    "CREATE TABLE kept (y int); COMMIT") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT * FROM gone"), "<error 42P01>");
    CHECK_EQ_STR(query1(db, "SELECT * FROM kept"), "<none>");
    CHECK(strata_exec(db, "SAVEPOINT x", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "25P01");
    strata_close(db);
}

static void test_settings_and_prepared(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SHOW work_mem"), "64MB");
    CHECK_EQ_STR(query1(db, "SHOW TimeZone"), "UTC");
    CHECK_EQ_STR(query1(db, "SHOW transaction_isolation"), "serializable");
    REQUIRE(run(db, "SET work_mem = '16MB'; SET application_name = 'apitest'") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SHOW work_mem"), "16MB");
    REQUIRE(run(db, "RESET work_mem") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SHOW work_mem"), "64MB");
    CHECK(strata_exec(db, "SET nosuch = 1", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "42704");
    CHECK_EQ_STR(strata_errmsg(db), "unrecognized configuration parameter \"nosuch\"");
    CHECK(strata_exec(db, "SET client_encoding = 'LATIN1'", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(query1(db, "SHOW standard_conforming_strings"), "on");
    REQUIRE(run(db, "CREATE TABLE t (a int, b text)") == STRATA_OK);
    REQUIRE(run(db, "PREPARE ins (int, text) AS INSERT INTO t VALUES ($1, $2)") == STRATA_OK);
    REQUIRE(run(db, "EXECUTE ins(1, 'one'); EXECUTE ins(2, 'two')") == STRATA_OK);
    REQUIRE(run(db, "PREPARE q AS SELECT b FROM t WHERE a = $1") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "EXECUTE q(2)"), "two");
    CHECK(strata_exec(db, "PREPARE q AS SELECT 1", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "42P05");
    REQUIRE(run(db, "DEALLOCATE q") == STRATA_OK);
    CHECK(strata_exec(db, "EXECUTE q(1)", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "26000");
    strata_close(db);
}

/* Columns of a statement, or -1 when it does not prepare. */
static int column_count_of(strata_db *db, const char *sql)
{
    strata_stmt *stmt = NULL;
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        return -1;
    }
    int n = strata_column_count(stmt);
    strata_finalize(stmt);
    return n;
}

/* The statement cache: a planned statement finalized and prepared again from the
 * same text is taken from the cache, planned again after DDL, SET and role
 * changes, and gives the results a fresh statement gives. */
static void test_statement_cache(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    CHECK_EQ_INT(strata_statement_cache(db, -1), 16);
    REQUIRE(run(db, "CREATE TABLE t (id int PRIMARY KEY, v int);"
                    "INSERT INTO t SELECT g, g * 10 FROM generate_series(1, 2000) g") == STRATA_OK);
    const char *point = "SELECT v FROM t WHERE id = 7";
    uint64_t hits = db->stmt_cache_hits;
    CHECK_EQ_STR(query1(db, point), "70");
    CHECK_EQ_STR(query1(db, point), "70");
    CHECK_EQ_STR(query1(db, point), "70");
    CHECK_EQ_INT((int)(db->stmt_cache_hits - hits), 2);
    REQUIRE(run(db, "UPDATE t SET v = 71 WHERE id = 7") == STRATA_OK);
    CHECK_EQ_STR(query1(db, point), "71");

    /* DDL: ALTER TABLE changes the result columns, DROP makes the text fail at
     * prepare as a fresh statement does, CREATE INDEX changes the plan. */
    CHECK_EQ_INT(column_count_of(db, "SELECT * FROM t"), 2);
    REQUIRE(run(db, "ALTER TABLE t ADD COLUMN w text DEFAULT 'x'") == STRATA_OK);
    hits = db->stmt_cache_hits;
    CHECK_EQ_INT(column_count_of(db, "SELECT * FROM t"), 3);
    CHECK_EQ_INT((int)(db->stmt_cache_hits - hits), 1);
    CHECK_EQ_STR(query1(db, "SELECT w FROM t WHERE id = 3"), "x");
    const char *explain = "EXPLAIN SELECT id FROM t WHERE v = 50";
    CHECK(strncmp(query1(db, explain), "Seq Scan on t", 13) == 0);
    REQUIRE(run(db, "CREATE INDEX t_v ON t (v)") == STRATA_OK);
    CHECK(strncmp(query1(db, explain), "Index Scan using t_v on t", 25) == 0);
    REQUIRE(run(db, "DROP INDEX t_v") == STRATA_OK);
    CHECK(strncmp(query1(db, explain), "Seq Scan on t", 13) == 0);
    REQUIRE(run(db, "CREATE TABLE d (a int); INSERT INTO d VALUES (1)") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT a FROM d"), "1");
    REQUIRE(run(db, "DROP TABLE d") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT a FROM d"), "<error 42P01>");
    REQUIRE(run(db, "CREATE TABLE d (b int, a text); INSERT INTO d VALUES (2, 'two')") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT a FROM d"), "two");

    /* search_path and TimeZone: SET plans the text again. A statement prepared
     * before the SET and stepped after it is planned again too. */
    REQUIRE(run(db, "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.x (s text);"
                    "CREATE TABLE b.x (s text); INSERT INTO a.x VALUES ('in a');"
                    "INSERT INTO b.x VALUES ('in b'); SET search_path = a") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT s FROM x"), "in a");
    strata_stmt *early = NULL;
    REQUIRE(strata_prepare(db, "SELECT s FROM x", -1, &early, NULL) == STRATA_OK);
    REQUIRE(run(db, "PREPARE px AS SELECT s FROM x") == STRATA_OK);
    REQUIRE(run(db, "SET search_path = b") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT s FROM x"), "in b");
    CHECK_EQ_STR(query1(db, "EXECUTE px"), "in b");
    REQUIRE(strata_step(early) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(early, 0), "in b");
    strata_finalize(early);
    REQUIRE(run(db, "DEALLOCATE px; RESET search_path") == STRATA_OK);
    const char *stamp = "SELECT '2024-01-01 00:00:00+00'::timestamptz::text";
    CHECK_EQ_STR(query1(db, stamp), "2024-01-01 00:00:00+00");
    REQUIRE(run(db, "SET TimeZone = 'Europe/Paris'") == STRATA_OK);
    CHECK_EQ_STR(query1(db, stamp), "2024-01-01 01:00:00+01");
    REQUIRE(run(db, "RESET TimeZone") == STRATA_OK);

    /* A runtime-only setting (statement_timeout, synchronous_commit, ...) re-plans
     * nothing, yet takes effect at once; a SET to the current value is no change;
     * a setting a plan may read (work_mem, search_path, ...) re-plans the statement. */
    strata_stmt *held = NULL;
    REQUIRE(strata_prepare(db, point, -1, &held, NULL) == STRATA_OK);
    REQUIRE(strata_step(held) == STRATA_ROW);
    REQUIRE(strata_reset(held) == STRATA_OK);
    uint64_t made_at = held->plan_generation, generation = db->settings.generation;
    CHECK(held->kept != NULL);
    REQUIRE(run(db, "SET statement_timeout = '5s'; SET synchronous_commit = off;"
                    "SET application_name = 'walcommit'") == STRATA_OK);
    CHECK(db->settings.generation > generation);
    CHECK(db->settings.plan_generation == made_at);
    REQUIRE(strata_step(held) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(held, 0), "71");
    CHECK(held->plan_generation == made_at);
    CHECK(held->kept != NULL);
    REQUIRE(strata_reset(held) == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SHOW statement_timeout"), "5s");
    CHECK_EQ_STR(query1(db, "SELECT current_setting('application_name')"), "walcommit");
    REQUIRE(run(db, "SET statement_timeout = '1ms'") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM generate_series(1, 20000000)"),
                 "<error 57014>");
    REQUIRE(run(db, "RESET statement_timeout; RESET synchronous_commit; RESET application_name")
            == STRATA_OK);
    generation = db->settings.generation;
    REQUIRE(run(db, "SET TimeZone = 'UTC'") == STRATA_OK); /* its value already */
    CHECK(db->settings.generation == generation);
    REQUIRE(run(db, "SET work_mem = '8MB'") == STRATA_OK);
    CHECK(db->settings.plan_generation > made_at);
    REQUIRE(strata_step(held) == STRATA_ROW);
    CHECK(held->plan_generation == db->settings.plan_generation);
    strata_finalize(held);
    REQUIRE(run(db, "RESET work_mem") == STRATA_OK);

    /* Role changes: privileges are checked for the role that runs the text. */
    REQUIRE(run(db, "CREATE ROLE clerk; CREATE TABLE secret (n int); INSERT INTO secret VALUES (5)")
            == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT n FROM secret"), "5");
    REQUIRE(run(db, "SET ROLE clerk") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT n FROM secret"), "<error 42501>");
    REQUIRE(run(db, "RESET ROLE") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT n FROM secret"), "5");

    /* Failed statements: an execution error comes again from the cached statement;
     * text that fails to parse or plan is never kept; in a failed block a cached
     * statement fails with 25P02. */
    const char *divide = "SELECT 1 / (v - 71) FROM t WHERE id = 7";
    CHECK_EQ_STR(query1(db, divide), "<error 22012>");
    hits = db->stmt_cache_hits;
    CHECK_EQ_STR(query1(db, divide), "<error 22012>");
    CHECK_EQ_INT((int)(db->stmt_cache_hits - hits), 1);
    REQUIRE(run(db, "UPDATE t SET v = 72 WHERE id = 7") == STRATA_OK);
    CHECK_EQ_STR(query1(db, divide), "1");
    hits = db->stmt_cache_hits;
    CHECK_EQ_STR(query1(db, "SELEC 1"), "<error 42601>");
    CHECK_EQ_STR(query1(db, "SELEC 1"), "<error 42601>");
    CHECK_EQ_STR(query1(db, "SELECT nosuch FROM t"), "<error 42703>");
    CHECK_EQ_STR(query1(db, "SELECT nosuch FROM t"), "<error 42703>");
    CHECK_EQ_INT((int)(db->stmt_cache_hits - hits), 0);
    REQUIRE(run(db, "BEGIN") == STRATA_OK);
    CHECK(strata_exec(db, "SELECT 1 / 0", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(query1(db, point), "<error 25P02>");
    REQUIRE(run(db, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_STR(query1(db, point), "72");

    /* Multi-statement strings: each statement is kept by its own text; a key
     * ending in ';' serves any text that starts with it, one without only the
     * same text. */
    REQUIRE(run(db, "CREATE TABLE m (n int)") == STRATA_OK);
    const char *two = "INSERT INTO m VALUES (1); INSERT INTO m VALUES (2)";
    REQUIRE(run(db, two) == STRATA_OK);
    hits = db->stmt_cache_hits;
    REQUIRE(run(db, two) == STRATA_OK);
    CHECK_EQ_INT((int)(db->stmt_cache_hits - hits), 2);
    CHECK_EQ_STR(query1(db, "SELECT count(*) || ':' || sum(n) FROM m"), "4:6");
    CHECK_EQ_STR(query1(db, "SELECT 1"), "1");
    CHECK_EQ_STR(query1(db, "SELECT 1 + 1"), "2");
    CHECK_EQ_STR(query1(db, "SELECT 1;"), "1");
    strata_stmt *first = NULL;
    const char *tail = NULL;
    const char *text = "SELECT 1; SELECT 3";
    REQUIRE(strata_prepare(db, text, -1, &first, &tail) == STRATA_OK);
    CHECK(tail == text + 9);
    REQUIRE(strata_step(first) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(first, 0), "1");
    /* the same text twice at once: the second is prepared afresh */
    strata_stmt *second = NULL;
    REQUIRE(strata_prepare(db, text, -1, &second, NULL) == STRATA_OK);
    REQUIRE(strata_step(second) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(second, 0), "1");
    strata_finalize(first);
    strata_finalize(second);
    CHECK_EQ_STR(query1(db, tail), "3");

    /* Bound parameters do not survive finalize: unbound is NULL. */
    strata_stmt *param = NULL;
    REQUIRE(strata_prepare(db, "SELECT $1::int + 1", -1, &param, NULL) == STRATA_OK);
    REQUIRE(strata_bind_int64(param, 1, 5) == STRATA_OK);
    REQUIRE(strata_step(param) == STRATA_ROW);
    CHECK_EQ_STR(strata_column_text(param, 0), "6");
    strata_finalize(param);
    CHECK_EQ_STR(query1(db, "SELECT $1::int + 1"), "<null>");

    /* DISCARD PLANS empties the cache; a size of 0 turns it off; a size of 2
     * evicts the least recently used. */
    CHECK_EQ_STR(query1(db, point), "72");
    REQUIRE(run(db, "DISCARD PLANS") == STRATA_OK);
    hits = db->stmt_cache_hits;
    CHECK_EQ_STR(query1(db, point), "72");
    CHECK_EQ_INT((int)(db->stmt_cache_hits - hits), 0);
    CHECK_EQ_INT(strata_statement_cache(db, 0), 16);
    CHECK_EQ_STR(query1(db, point), "72");
    CHECK_EQ_STR(query1(db, point), "72");
    CHECK_EQ_INT((int)(db->stmt_cache_hits - hits), 0);
    CHECK_EQ_INT(strata_statement_cache(db, 2), 0);
    CHECK_EQ_STR(query1(db, "SELECT v FROM t WHERE id = 1"), "10");
    CHECK_EQ_STR(query1(db, "SELECT v FROM t WHERE id = 2"), "20");
    CHECK_EQ_STR(query1(db, "SELECT v FROM t WHERE id = 3"), "30");
    CHECK_EQ_STR(query1(db, "SELECT v FROM t WHERE id = 1"), "10"); /* evicted */
    CHECK_EQ_STR(query1(db, "SELECT v FROM t WHERE id = 3"), "30"); /* kept */
    CHECK_EQ_INT((int)(db->stmt_cache_hits - hits), 1);
    CHECK_EQ_INT(strata_close(db), STRATA_OK); /* kept statements are no live ones */
}

static void test_copy(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE c (id int PRIMARY KEY, name text, score numeric(5,1))") ==
            STRATA_OK);
    FILE *f = fopen(temp_path("in.csv"), "w");
    REQUIRE(f != NULL);
    fputs("id,name,score\n1,alice,1.5\n2,\"bob, jr\",\n3,\"quote \"\"q\"\"\",2\n", f);
    fclose(f);
    char sql[1024];
    snprintf(sql, sizeof(sql), "COPY c FROM '%s' WITH (FORMAT csv, HEADER)", temp_path("in.csv"));
    CHECK_EQ_STR(tag_of(db, sql), "COPY 3");
    CHECK_EQ_STR(query1(db, "SELECT name FROM c WHERE id = 3"), "quote \"q\"");
    CHECK_EQ_STR(query1(db, "SELECT score FROM c WHERE id = 2"), "<null>");
    /* A bad row loads nothing and names its line. */
    f = fopen(temp_path("bad.txt"), "w");
    REQUIRE(f != NULL);
    fputs("10\tok\t1\n11\tok\t2\n12\tbad\tnot_a_number\n", f);
    fclose(f);
    snprintf(sql, sizeof(sql), "COPY c FROM '%s'", temp_path("bad.txt"));
    CHECK(strata_exec(db, sql, NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "22P02");
    CHECK(strstr(strata_errdetail(db), "line 3, column score") != NULL);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM c"), 3);
    /* Text format round trip through COPY TO. */
    snprintf(sql, sizeof(sql), "COPY c TO '%s'", temp_path("out.txt"));
    CHECK_EQ_STR(tag_of(db, sql), "COPY 3");
    REQUIRE(run(db, "CREATE TABLE c2 (id int, name text, score numeric(5,1))") == STRATA_OK);
    snprintf(sql, sizeof(sql), "COPY c2 FROM '%s'", temp_path("out.txt"));
    CHECK_EQ_STR(tag_of(db, sql), "COPY 3");
    CHECK_EQ_STR(query1(db, "SELECT name FROM c2 WHERE id = 2"), "bob, jr");
    strata_close(db);
}

/* Runs a COPY ... FROM STDIN, feeding data in pieces of `piece` bytes; returns
 * strata_copy_end's code (or the first failing put's). */
static int copy_in(strata_db *db, const char *sql, const char *data, int piece)
{
    strata_stmt *stmt = NULL;
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        return -1;
    }
    int rc = strata_step(stmt);
    if (rc != STRATA_COPY_IN) {
        strata_finalize(stmt);
        return rc;
    }
    int length = (int)strlen(data);
    for (int at = 0; at < length && rc == STRATA_COPY_IN; at += piece) {
        int n = length - at < piece ? length - at : piece;
        if (strata_copy_put(stmt, data + at, n) != STRATA_OK) {
            rc = strata_errcode(db);
        }
    }
    if (rc == STRATA_COPY_IN) {
        rc = strata_copy_end(stmt, NULL);
    }
    strata_finalize(stmt);
    return rc;
}

/* COPY TO STDOUT gathered into out; returns the final code. */
static int copy_out(strata_db *db, const char *sql, char *out, size_t size)
{
    strata_stmt *stmt = NULL;
    out[0] = '\0';
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        return -1;
    }
    int rc = strata_step(stmt);
    if (rc != STRATA_COPY_OUT) {
        strata_finalize(stmt);
        return rc;
    }
    const char *data;
    int length;
    size_t used = 0;
    while ((rc = strata_copy_get(stmt, &data, &length)) == STRATA_ROW) {
        if (used + (size_t)length < size) {
            memcpy(out + used, data, (size_t)length);
            used += (size_t)length;
            out[used] = '\0';
        }
    }
    strata_finalize(stmt);
    return rc;
}

static void test_copy_stdin_stdout(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE s (id int PRIMARY KEY, name text, score numeric(5,1))") ==
            STRATA_OK);
    /* Records split across puts at every byte, in text and CSV (a quoted newline). */
    const char *text = "1\talice\t1.5\n2\tbob\\tjr\t\\N\n";
    CHECK_EQ_INT(copy_in(db, "COPY s FROM STDIN", text, 1), STRATA_DONE);
    CHECK_EQ_INT((int)strata_changes(db), 2);
    const char *csv = "id,name,score\n3,\"two\nlines, \"\"q\"\"\",2\n4,,\n5,last,3";
    CHECK_EQ_INT(copy_in(db, "COPY s FROM STDIN WITH (FORMAT csv, HEADER)", csv, 3), STRATA_DONE);
    CHECK_EQ_STR(query1(db, "SELECT name FROM s WHERE id = 2"), "bob\tjr");
    CHECK_EQ_STR(query1(db, "SELECT name FROM s WHERE id = 3"), "two\nlines, \"q\"");
    CHECK_EQ_STR(query1(db, "SELECT name FROM s WHERE id = 4"), "<null>");
    CHECK_EQ_STR(query1(db, "SELECT score FROM s WHERE id = 5"), "3.0");
    /* "\." ends the data; what follows is ignored. */
    CHECK_EQ_INT(copy_in(db, "COPY s (id, name) FROM STDIN", "6\tsix\n\\.\n7\tseven\n", 64),
                 STRATA_DONE);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM s"), "6");
    /* A bad record loads nothing of its COPY, names line and column. */
    CHECK(copy_in(db, "COPY s FROM STDIN", "10\tok\t1\n11\tbad\tx\n", 4) != STRATA_DONE);
    CHECK_EQ_STR(strata_sqlstate(db), "22P02");
    CHECK(strstr(strata_errdetail(db), "line 2, column score") != NULL);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM s"), "6");
    /* A duplicate key fails at the end (the last chunk is inserted there). */
    CHECK(copy_in(db, "COPY s FROM STDIN", "20\ta\t1\n1\tdup\t1\n", 100) != STRATA_DONE);
    CHECK_EQ_STR(strata_sqlstate(db), "23505");
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM s"), "6");
    /* Abandoned (strata_copy_end with a reason, finalize, reset): nothing loaded. */
    strata_stmt *stmt = NULL;
    REQUIRE(strata_prepare(db, "COPY s FROM STDIN", -1, &stmt, NULL) == STRATA_OK);
    CHECK_EQ_INT(strata_step(stmt), STRATA_COPY_IN);
    CHECK_EQ_INT(strata_step(stmt), STRATA_MISUSE);
    CHECK_EQ_INT(strata_copy_put(stmt, "30\tx\t1\n", 8), STRATA_OK);
    CHECK(strata_copy_end(stmt, "client gave up") != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "57014");
    CHECK(strstr(strata_errmsg(db), "client gave up") != NULL);
    REQUIRE(strata_reset(stmt) == STRATA_OK);
    CHECK_EQ_INT(strata_step(stmt), STRATA_COPY_IN);
    CHECK_EQ_INT(strata_copy_put(stmt, "31\tx\t1\n", 8), STRATA_OK);
    REQUIRE(strata_reset(stmt) == STRATA_OK);
    CHECK_EQ_INT(strata_step(stmt), STRATA_COPY_IN);
    CHECK_EQ_INT(strata_copy_put(stmt, "32\tx\t1\n", 8), STRATA_OK);
    strata_finalize(stmt);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM s WHERE id >= 30"), "0");
    /* Inside a transaction block: the COPY is part of it. */
    REQUIRE(run(db, "BEGIN") == STRATA_OK);
    CHECK_EQ_INT(copy_in(db, "COPY s (id) FROM STDIN", "40\n41\n", 100), STRATA_DONE);
    REQUIRE(run(db, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM s WHERE id >= 40"), "0");
    /* strata_exec cannot feed data: an error, nothing loaded. */
    CHECK(strata_exec(db, "COPY s FROM STDIN", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "57014");
    /* COPY TO STDOUT in both formats, a header, a query, and back in. */
    char out[4096];
    CHECK_EQ_INT(copy_out(db, "COPY (SELECT id, name FROM s WHERE id IN (2, 3) ORDER BY id) "
                              "TO STDOUT WITH (FORMAT csv, HEADER)",
                          out, sizeof out),
                 STRATA_DONE);
    CHECK_EQ_STR(out, "id,name\n2,bob\tjr\n3,\"two\nlines, \"\"q\"\"\"\n");
    CHECK_EQ_INT(copy_out(db, "COPY s TO STDOUT", out, sizeof out), STRATA_DONE);
    CHECK(strstr(out, "2\tbob\\tjr\t\\N\n") != NULL);
    REQUIRE(run(db, "CREATE TABLE s2 (id int, name text, score numeric(5,1))") == STRATA_OK);
    CHECK_EQ_INT(copy_in(db, "COPY s2 FROM STDIN", out, 7), STRATA_DONE);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM s2"), "6");
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM (SELECT * FROM s EXCEPT SELECT * FROM s2) d"),
                 "0");
    strata_close(db);
}

/* COPY ... (FORMAT binary) through strata_copy_get / strata_copy_put (issue 5):
 * the stream starts with PostgreSQL's PGCOPY header and ends with the -1
 * trailer; fed back one byte per put (rows span puts) it loads the same rows;
 * a damaged stream loads nothing. Then strata_column_pg_binary and
 * strata_bind_pg_binary on numeric and int4[] values. */
static void test_copy_binary(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE b (id int, n numeric, t text, d date, a int[])") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO b VALUES (1, 12.340, 'x', '2024-02-29', '{1,NULL}'), "
                    "(2, NULL, NULL, NULL, NULL), (3, 'NaN', '', '-infinity', '{}')") == STRATA_OK);
    strata_stmt *stmt = NULL;
    REQUIRE(strata_prepare(db, "COPY (SELECT * FROM b ORDER BY id) TO STDOUT (FORMAT binary)",
                           -1, &stmt, NULL) == STRATA_OK);
    REQUIRE(strata_step(stmt) == STRATA_COPY_OUT);
    char file[4096];
    size_t used = 0;
    const char *data;
    int length, rc;
    while ((rc = strata_copy_get(stmt, &data, &length)) == STRATA_ROW && used + length < 4096) {
        memcpy(file + used, data, (size_t)length);
        used += (size_t)length;
    }
    CHECK_EQ_INT(rc, STRATA_DONE);
    CHECK_EQ_STR(strata_command_tag(stmt), "COPY 3");
    strata_finalize(stmt);
    REQUIRE(used > 21);
    CHECK(memcmp(file, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0\0\5", 21) == 0);
    CHECK(memcmp(file + used - 2, "\377\377", 2) == 0);
    REQUIRE(run(db, "CREATE TABLE b2 (id int, n numeric, t text, d date, a int[])") == STRATA_OK);
    REQUIRE(strata_prepare(db, "COPY b2 FROM STDIN (FORMAT binary)", -1, &stmt, NULL) ==
            STRATA_OK);
    REQUIRE(strata_step(stmt) == STRATA_COPY_IN);
    for (size_t at = 0; at < used; at++) {
        CHECK_EQ_INT(strata_copy_put(stmt, file + at, 1), STRATA_OK);
    }
    CHECK_EQ_INT(strata_copy_end(stmt, NULL), STRATA_DONE);
    strata_finalize(stmt);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM (SELECT * FROM b EXCEPT SELECT * FROM b2) d"),
                 "0");
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM b2"), "3");
    /* the last row cut short: 22P04, nothing of it loaded */
    REQUIRE(strata_prepare(db, "COPY b2 FROM STDIN (FORMAT binary)", -1, &stmt, NULL) ==
            STRATA_OK);
    REQUIRE(strata_step(stmt) == STRATA_COPY_IN);
    CHECK_EQ_INT(strata_copy_put(stmt, file, (int)used - 6), STRATA_OK);
    CHECK(strata_copy_end(stmt, NULL) != STRATA_DONE);
    CHECK_EQ_STR(strata_sqlstate(db), "22P04");
    CHECK_EQ_STR(strata_errmsg(db), "unexpected EOF in COPY data");
    strata_finalize(stmt);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM b2"), "3");
    /* damaged files: each COPY loads or fails with a SQLSTATE, never crashes */
    uint64_t state = test_seed("api_test binary COPY damage");
    for (int round = 0; round < 300; round++) {
        char damaged[4096];
        memcpy(damaged, file, used);
        for (int flips = 1 + (int)(test_rand(&state) % 4); flips > 0; flips--) {
            damaged[test_rand(&state) % used] = (char)test_rand(&state);
        }
        size_t size = test_rand(&state) % 4 == 0 ? test_rand(&state) % used : used;
        REQUIRE(strata_prepare(db, "COPY b2 FROM STDIN (FORMAT binary)", -1, &stmt, NULL) ==
                STRATA_OK);
        REQUIRE(strata_step(stmt) == STRATA_COPY_IN);
        rc = strata_copy_put(stmt, damaged, (int)size);
        rc = rc == STRATA_OK ? strata_copy_end(stmt, NULL) : rc;
        CHECK(rc == STRATA_DONE || strlen(strata_sqlstate(db)) == 5);
        strata_finalize(stmt);
    }
    REQUIRE(run(db, "DELETE FROM b2 WHERE id > 3 OR id < 1 OR id IS NULL") == STRATA_OK);
    /* binary columns and parameters */
    REQUIRE(strata_prepare(db, "SELECT n, a FROM b WHERE id = $1", -1, &stmt, NULL) == STRATA_OK);
    CHECK_EQ_INT(strata_bind_parameter_type_oid(stmt, 1), 23);
    CHECK_EQ_INT(strata_bind_pg_binary(stmt, 1, 0, "\0\0\0\1", 4), STRATA_OK);
    REQUIRE(strata_step(stmt) == STRATA_ROW);
    const void *bytes;
    CHECK_EQ_INT(strata_column_pg_binary(stmt, 0, &bytes, &length), STRATA_OK);
    CHECK(length == 12 && memcmp(bytes, "\0\2\0\0\0\0\0\3\0\x0c\x0d\x48", 12) == 0);
    CHECK_EQ_INT(strata_column_pg_binary(stmt, 1, &bytes, &length), STRATA_OK);
    CHECK_EQ_INT(length, 12 + 8 + 4 + 4 + 4);
    strata_reset(stmt);
    CHECK_EQ_INT(strata_bind_pg_binary(stmt, 1, 23, "\0\0\2", 3), STRATA_ERROR);
    CHECK_EQ_STR(strata_sqlstate(db), "08P01");
    CHECK_EQ_INT(strata_bind_pg_binary(stmt, 1, 23, "\0\0\0\2", 4), STRATA_OK);
    REQUIRE(strata_step(stmt) == STRATA_ROW);
    CHECK_EQ_INT(strata_column_pg_binary(stmt, 0, &bytes, &length), STRATA_OK);
    CHECK(bytes == NULL);
    strata_finalize(stmt);
    strata_close(db);
}

/* COPY into a column table with no index or constraint takes the direct path
 * (whole row groups through TableAm.bulk_load, issue 6); so does the same file
 * into a row table without a primary key (a batch per TableAm.bulk_load call).
 * Both must hold the same rows; a NULL in a NOT NULL column is 23502 and the
 * statement loads nothing. */
static void test_copy_column_bulk(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE cb (id bigint NOT NULL, k int, t text) USING column") == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE cr (id bigint NOT NULL, k int, t text)") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO cb VALUES (0, 0, 'buffered')") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO cr VALUES (0, 0, 'buffered')") == STRATA_OK);
    FILE *f = fopen(temp_path("bulk.csv"), "w");
    REQUIRE(f != NULL);
    fputs("id,k,t\n", f);
    for (int row = 1; row <= 140000; row++) {
        if (row % 10 == 0) {
            fprintf(f, "%d,,\"q,%d\"\n", row, row % 3);
        } else {
            fprintf(f, "%d,%d,x%d\n", row, row % 7, row % 5);
        }
    }
    fclose(f);
    char sql[1024];
    snprintf(sql, sizeof(sql), "COPY cb FROM '%s' WITH (FORMAT csv, HEADER)", temp_path("bulk.csv"));
    CHECK_EQ_STR(tag_of(db, sql), "COPY 140000");
    snprintf(sql, sizeof(sql), "COPY cr FROM '%s' WITH (FORMAT csv, HEADER)", temp_path("bulk.csv"));
    CHECK_EQ_STR(tag_of(db, sql), "COPY 140000");
    const char *summary = "SELECT count(*) || ' ' || count(k) || ' ' || sum(id) || ' ' || sum(k) || ' ' || "
                          "sum(id * k) || ' ' || count(DISTINCT t) || ' ' || sum(length(t) * id) FROM ";
    char row_sql[512], col_sql[512];
    snprintf(row_sql, sizeof(row_sql), "%scr", summary);
    snprintf(col_sql, sizeof(col_sql), "%scb", summary);
    char expected[256];
    snprintf(expected, sizeof(expected), "%s", query1(db, row_sql));
    /* Computed independently (Python) from the generator above. */
    CHECK_EQ_STR(expected, "140001 126001 9800070000 378000 26460420000 9 20580210000");
    CHECK_EQ_STR(query1(db, col_sql), expected);
    /* Rows come back in load order: the buffered row first, then the file's. */
    CHECK_EQ_STR(query1(db, "SELECT string_agg(id::text, ',') FROM (SELECT id FROM cb LIMIT 3) s"),
                 "0,1,2");
    /* A NULL for a NOT NULL column in the last row: 23502 naming the line, nothing loaded. */
    f = fopen(temp_path("bulk_bad.csv"), "w");
    REQUIRE(f != NULL);
    for (int row = 1; row <= 70000; row++) {
        fprintf(f, "%d,1,y\n", row);
    }
    fputs(",1,y\n", f);
    fclose(f);
    snprintf(sql, sizeof(sql), "COPY cb FROM '%s' WITH (FORMAT csv)", temp_path("bulk_bad.csv"));
    CHECK(strata_exec(db, sql, NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "23502");
    CHECK(strstr(strata_errdetail(db), "line 70001") != NULL);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM cb"), "140001");
    strata_close(db);
}

/* COPY into a row table whose only constraints are NOT NULL and the primary
 * key takes the direct path (TableAm.bulk_load, issue 6); a CHECK constraint or
 * a secondary index sends it through planned INSERTs. Both paths must give the
 * same rows and the same errors: 23505 for a duplicate key (in the file or
 * against a stored row), 23502 for a NULL, nothing loaded after an error. */
static void test_copy_row_bulk(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE rb (id int PRIMARY KEY, k int, t text NOT NULL, d date)") ==
            STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE rp (id int PRIMARY KEY, k int, t text NOT NULL, d date, "
                    "CHECK (k >= 0))") == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE ri (id int, t text)") == STRATA_OK);
    REQUIRE(run(db, "CREATE INDEX ri_t ON ri (t)") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO rb VALUES (0, 0, 'stored', '2000-01-01')") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO rp VALUES (0, 0, 'stored', '2000-01-01')") == STRATA_OK);
    FILE *f = fopen(temp_path("rbulk.csv"), "w");
    REQUIRE(f != NULL);
    fputs("id,k,t,d\n", f);
    /* Keys in a scattered order (7919 is prime to 140000: a permutation of 1..140000). */
    for (int row = 0; row < 140000; row++) {
        int id = (int)((long long)row * 7919 % 140000) + 1;
        if (id % 10 == 0) {
            fprintf(f, "%d,,\"q,%d\",\n", id, id % 3);
        } else {
            fprintf(f, "%d,%d,x%d,2024-%02d-%02d\n", id, id % 7, id % 5, id % 12 + 1, id % 28 + 1);
        }
    }
    fclose(f);
    char sql[1024];
    snprintf(sql, sizeof(sql), "COPY rb FROM '%s' WITH (FORMAT csv, HEADER)", temp_path("rbulk.csv"));
    CHECK_EQ_STR(tag_of(db, sql), "COPY 140000");
    snprintf(sql, sizeof(sql), "COPY rp FROM '%s' WITH (FORMAT csv, HEADER)", temp_path("rbulk.csv"));
    CHECK_EQ_STR(tag_of(db, sql), "COPY 140000");
    const char *summary = "SELECT count(*) || ' ' || count(k) || ' ' || sum(id) || ' ' || "
                          "sum(id * k) || ' ' || count(DISTINCT t) || ' ' || count(d) || ' ' || "
                          "max(d) FROM ";
    char query[512];
    snprintf(query, sizeof(query), "%srp", summary);
    char expected[256];
    snprintf(expected, sizeof(expected), "%s", query1(db, query));
    /* sum(id) = 140000 * 140001 / 2; 14,000 ids divisible by 10 have no k and no d. */
    CHECK(strncmp(expected, "140001 126001 9800070000 ", 25) == 0);
    snprintf(query, sizeof(query), "%srb", summary);
    CHECK_EQ_STR(query1(db, query), expected);
    CHECK_EQ_STR(query1(db, "SELECT t || ' ' || d FROM rb WHERE id = 123457"), "x2 2024-02-06");
    CHECK_EQ_STR(query1(db, "SELECT string_agg(id::text, ',') FROM (SELECT id FROM rb LIMIT 3) s"),
                 "0,1,2");
    /* Errors: a key of the file against a stored row, a key twice in the file, a NULL. */
    const char *bad[][2] = {{"200001,1,a,\n0,1,b,\n", "23505"},
                            {"200001,1,a,\n200002,1,b,\n200001,1,c,\n", "23505"},
                            {"200001,1,a,\n200002,1,,\n", "23502"}};
    for (int k = 0; k < 3; k++) {
        for (int table = 0; table < 2; table++) {
            f = fopen(temp_path("rbad.csv"), "w");
            REQUIRE(f != NULL);
            fputs(bad[k][0], f);
            fclose(f);
            snprintf(sql, sizeof(sql), "COPY %s FROM '%s' WITH (FORMAT csv)", table ? "rp" : "rb",
                     temp_path("rbad.csv"));
            CHECK(strata_exec(db, sql, NULL, NULL) != STRATA_OK);
            CHECK_EQ_STR(strata_sqlstate(db), bad[k][1]);
        }
    }
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM rb WHERE id > 140000"), "0");
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM rp WHERE id > 140000"), "0");
    /* The CHECK constraint is enforced (planned path). */
    f = fopen(temp_path("rbad.csv"), "w");
    REQUIRE(f != NULL);
    fputs("300000,-1,a,\n", f);
    fclose(f);
    snprintf(sql, sizeof(sql), "COPY rp FROM '%s' WITH (FORMAT csv)", temp_path("rbad.csv"));
    CHECK(strata_exec(db, sql, NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "23514");
    /* A secondary index gets its entries (planned path). */
    snprintf(sql, sizeof(sql), "COPY ri FROM '%s' WITH (FORMAT csv, HEADER)", temp_path("out.csv"));
    f = fopen(temp_path("out.csv"), "w");
    REQUIRE(f != NULL);
    fputs("id,t\n1,a\n2,b\n3,a\n", f);
    fclose(f);
    CHECK_EQ_STR(tag_of(db, sql), "COPY 3");
    CHECK_EQ_STR(query1(db, "SELECT string_agg(id::text, ',' ORDER BY id) FROM ri WHERE t = 'a'"),
                 "1,3");
    CHECK_EQ_STR(query1(db, "SELECT strata_check()"), "ok");
    strata_close(db);
}

static void test_system_views_and_check(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE s (a int PRIMARY KEY, b varchar(10) NOT NULL UNIQUE)") ==
            STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM information_schema.columns WHERE table_name = 's'"),
                 2);
    CHECK_EQ_STR(
        query1(db,
               "SELECT indexname FROM pg_indexes WHERE tablename = 's' AND indexname <> 's_pkey'"),
        "s_b_key");
    CHECK_EQ_STR(
        query1(db, "SELECT table_type FROM information_schema.tables WHERE table_name = 's'"),
        "BASE TABLE");
    CHECK_EQ_STR(query1(db, "SELECT setting FROM pg_settings WHERE name = 'work_mem'"), "64MB");
    REQUIRE(run(db, "INSERT INTO s VALUES (1, 'x'), (2, 'y')") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 's'"), "2");
    CHECK_EQ_STR(query1(db, "SELECT strata_check()"), "ok");
    /* pg_stat_statements: literals become $n, so both calls count together. */
    REQUIRE(run(db, "SELECT a FROM s WHERE b = 'x'; SELECT a FROM s WHERE b = 'y'") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT calls FROM pg_stat_statements "
                            "WHERE query = 'SELECT a FROM s WHERE b = $1'"),
                 "2");
    REQUIRE(run(db, "ANALYZE s") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT reltuples FROM pg_class WHERE relname = 's'"), "2");
    /* EXPLAIN (ANALYZE, TIMING): each node's first-row and total time, and the
     * statement's; the figures vary, so only their form is checked. */
    const char *line = query1(db, "EXPLAIN (ANALYZE, TIMING) SELECT * FROM s WHERE b > 'a'");
    double first = -1, total = -1;
    CHECK(sscanf(line, "Seq Scan on s  (rows=%*d) (actual time=%lf..%lf rows=2 loops=1)", &first,
                 &total) == 2);
    CHECK(first >= 0 && total >= first);
    strata_stmt *stmt = NULL;
    REQUIRE(strata_prepare(db, "EXPLAIN (ANALYZE, TIMING) SELECT * FROM s", -1, &stmt, NULL) ==
            STRATA_OK);
    char last[256] = "";
    while (strata_step(stmt) == STRATA_ROW) {
        const char *text = strata_column_text(stmt, 0);
        CHECK(text != NULL && (strncmp(text, "Execution Time: ", 16) == 0 ||
                               strstr(text, "(actual time=") != NULL));
        snprintf(last, sizeof(last), "%s", text != NULL ? text : "");
    }
    CHECK(strncmp(last, "Execution Time: ", 16) == 0);
    strata_finalize(stmt);
    /* Result column names as PostgreSQL's FigureColname: the outer cast's type names a
     * cast of a literal or of another cast; a column's name wins. */
    REQUIRE(strata_prepare(db, "SELECT (date '2024-03-15')::timestamp, '1'::int::text, "
                               "x::int::text, 2::int FROM (SELECT 1 x) s",
                           -1, &stmt, NULL) == STRATA_OK);
    CHECK_EQ_STR(strata_column_name(stmt, 0), "timestamp");
    CHECK_EQ_STR(strata_column_name(stmt, 1), "text");
    CHECK_EQ_STR(strata_column_name(stmt, 2), "x");
    CHECK_EQ_STR(strata_column_name(stmt, 3), "int4");
    strata_finalize(stmt);
    strata_close(db);
}

static void test_persistence(void)
{
    const char *path = temp_path("persist.db");
    strata_db *db;
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    REQUIRE(
        run(db,
            "CREATE TABLE p (id serial PRIMARY KEY, v text DEFAULT 'd', CHECK (length(v) < 10))") ==
        STRATA_OK);
    REQUIRE(run(db, "CREATE INDEX p_v ON p (v); CREATE VIEW pv AS SELECT v FROM p") == STRATA_OK);
    REQUIRE(run(db, "CREATE MATERIALIZED VIEW pm AS SELECT count(*) AS n FROM p; "
                    "CREATE MATERIALIZED VIEW pe AS SELECT 1 AS one WITH NO DATA") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO p (v) VALUES ('a'), ('b'); INSERT INTO p DEFAULT VALUES") ==
            STRATA_OK);
    /* TEMP objects do not outlive their connection. */
    REQUIRE(run(db, "CREATE TEMP TABLE scratch (x int); INSERT INTO scratch VALUES (1)") ==
            STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM scratch"), 1);
    strata_close(db);
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM pv"), 3);
    /* materialized views keep their rows, query and populated state */
    CHECK_EQ_STR(query1(db, "SELECT n FROM pm"), "0");
    CHECK_EQ_STR(query1(db, "SELECT one FROM pe"), "<error 55000>");
    REQUIRE(run(db, "REFRESH MATERIALIZED VIEW pm; REFRESH MATERIALIZED VIEW pe") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT n FROM pm"), "3");
    CHECK_EQ_STR(query1(db, "SELECT one FROM pe"), "1");
    CHECK_EQ_STR(query1(db, "SELECT * FROM scratch"), "<error 42P01>");
    CHECK_EQ_STR(query1(db, "SELECT v FROM p WHERE id = 3"), "d");
    REQUIRE(run(db, "INSERT INTO p (v) VALUES ('c')") == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT id FROM p WHERE v = 'c'"), "4");
    CHECK(strata_exec(db, "INSERT INTO p (v) VALUES ('much too long')", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "23514");
    CHECK_EQ_STR(query1(db, "SELECT strata_check()"), "ok");
    /* While open the WAL exists; the last close checkpoints it and deletes it, so a
     * closed database is its one file (docs/storage.md). */
    char wal[1024];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    CHECK(access(wal, F_OK) == 0);
    strata_close(db);
    CHECK(access(wal, F_OK) != 0);
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM p"), "4");
    strata_close(db);
}

/* Arrays of an enum (catfix 1) survive closing and reopening the file: the
 * column's type (TYPE_ENUM_ARRAY with the enum's id) is in the table record. */
static void test_enum_arrays(void)
{
    const char *path = temp_path("enum_arrays.db");
    strata_db *db;
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); "
                    "CREATE TABLE diary (id int, moods mood[]); "
                    "INSERT INTO diary VALUES (1, '{sad,ok}'), (2, '{happy}')") == STRATA_OK);
    strata_close(db);
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT moods FROM diary WHERE id = 1"), "{sad,ok}");
    CHECK_EQ_STR(query1(db, "SELECT pg_typeof(moods) FROM diary WHERE id = 1"), "mood[]");
    CHECK_EQ_STR(query1(db, "SELECT string_agg(id::text, ',' ORDER BY id) FROM diary "
                            "WHERE 'happy' = ANY (moods)"),
                 "2");
    CHECK(strata_exec(db, "INSERT INTO diary VALUES (3, '{meh}')", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "22P02");
    REQUIRE(run(db, "ALTER TABLE diary ADD COLUMN extra mood[] DEFAULT '{ok}'") == STRATA_OK);
    strata_close(db);
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT extra[1] || '/' || moods[2] FROM diary WHERE id = 1"),
                 "ok/ok");
    CHECK_EQ_STR(query1(db, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                            "WHERE attrelid = 'diary'::regclass AND attname = 'extra'"),
                 "mood[]");
    CHECK_EQ_STR(query1(db, "SELECT strata_check()"), "ok");
    strata_close(db);
}

/* A view's dependencies (catfix 4): recorded ones are exact; a view whose
 * record has none (made by an earlier version) is matched by the names in its
 * text, as before, so old databases keep refusing what they refused. */
static void test_view_dependencies(void)
{
    CatColumn columns[2] = {{.name = "id"}, {.name = "price"}};
    CatTable public_items = {.id = 16400, .schema = "public", .name = "items",
                             .column_count = 2, .columns = columns};
    CatTable s_items = {.id = 16401, .schema = "s", .name = "items",
                        .column_count = 2, .columns = columns};
    CatTable legacy = {.id = 16402, .kind = CAT_VIEW, .view_sql = "SELECT id FROM s.items"};
    CHECK(api_ddl_view_uses(&legacy, &s_items, NULL));
    CHECK(api_ddl_view_uses(&legacy, &s_items, "id"));
    CHECK(!api_ddl_view_uses(&legacy, &s_items, "price"));
    CHECK(api_ddl_view_uses(&legacy, &public_items, NULL)); /* the text cannot tell */
    const CatDependency deps[] = {{.object_id = 16401}, {.object_id = 16401, .column = "id"},
                                  {.object_id = 16500, .is_type = true}};
    CatTable exact = legacy;
    exact.has_deps = true;
    exact.deps = deps;
    exact.dep_count = 3;
    CHECK(api_ddl_view_uses(&exact, &s_items, NULL));
    CHECK(api_ddl_view_uses(&exact, &s_items, "id"));
    CHECK(!api_ddl_view_uses(&exact, &s_items, "price"));
    CHECK(!api_ddl_view_uses(&exact, &public_items, NULL));
    CHECK(api_ddl_view_uses_type(&exact, 16500));
    CHECK(!api_ddl_view_uses_type(&legacy, 16500));
    /* and through SQL: a view created now reads only s.items */
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE SCHEMA s; CREATE TABLE s.items (id int); CREATE TABLE items (id int); "
                    "CREATE VIEW v AS SELECT id FROM s.items") == STRATA_OK);
    REQUIRE(run(db, "DROP TABLE items") == STRATA_OK);
    CHECK(strata_exec(db, "DROP TABLE s.items", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(db), "2BP01");
    strata_close(db);
}

typedef struct Writer {
    const char *path;
    int rc;
} Writer;

static void *writer_thread(void *arg)
{
    Writer *w = arg;
    strata_db *db;
    w->rc = strata_open(w->path, &db);
    if (w->rc == STRATA_OK) {
        w->rc = strata_exec(db, "INSERT INTO snap VALUES (100), (101)", NULL, NULL);
    }
    strata_close(db);
    return NULL;
}

static void test_two_threads_snapshot(void)
{
    const char *path = temp_path("threads.db");
    strata_db *reader;
    REQUIRE(strata_open(path, &reader) == STRATA_OK);
    REQUIRE(run(reader, "CREATE TABLE snap (a int); INSERT INTO snap VALUES (1), (2)") ==
            STRATA_OK);
    REQUIRE(run(reader, "BEGIN") == STRATA_OK);
    CHECK_EQ_INT(count_rows(reader, "SELECT * FROM snap"), 2);
    Writer w = {.path = path};
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, writer_thread, &w) == 0);
    pthread_join(thread, NULL);
    CHECK_EQ_INT(w.rc, STRATA_OK);
    /* The open transaction keeps its snapshot ... */
    CHECK_EQ_INT(count_rows(reader, "SELECT * FROM snap"), 2);
    /* ... and cannot write on it: 40001. */
    CHECK(strata_exec(reader, "INSERT INTO snap VALUES (3)", NULL, NULL) != STRATA_OK);
    CHECK_EQ_STR(strata_sqlstate(reader), "40001");
    REQUIRE(run(reader, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_INT(count_rows(reader, "SELECT * FROM snap"), 4);
    strata_close(reader);
}

typedef struct Worker {
    const char *path;
    int id;
    int ops;
    int failures;
} Worker;

/* Each worker writes its own rows; a DDL worker creates and drops tables at
 * the same time, so catalog versions change under the writers. */
static void *stress_worker(void *arg)
{
    Worker *w = arg;
    strata_db *db;
    if (strata_open(w->path, &db) != STRATA_OK) {
        w->failures++;
        strata_close(db);
        return NULL;
    }
    strata_busy_timeout(db, 60000);
    char sql[256];
    for (int op = 0; op < w->ops; op++) {
        int rc;
        if (w->id == 0) {
            snprintf(sql, sizeof(sql), "CREATE TABLE ddl_%d (x int); DROP TABLE ddl_%d", op, op);
            rc = strata_exec(db, sql, NULL, NULL);
        } else {
            snprintf(sql, sizeof(sql),
                     "BEGIN; INSERT INTO shared VALUES (%d, %d); INSERT INTO shared VALUES (%d, "
                     "%d); COMMIT",
                     w->id, 2 * op, w->id, 2 * op + 1);
            rc = strata_exec(db, sql, NULL, NULL);
        }
        if (rc != STRATA_OK) {
            fprintf(stderr, "  worker %d: %s (%s)\n", w->id, strata_errmsg(db),
                    strata_sqlstate(db));
            w->failures++;
            strata_exec(db, "ROLLBACK", NULL, NULL);
        }
        if (count_rows(db, "SELECT * FROM shared WHERE w = 1") < 0) {
            w->failures++;
        }
    }
    strata_close(db);
    return NULL;
}

static void test_threads_stress(void)
{
    const char *path = temp_path("stress.db");
    strata_db *db;
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE shared (w int, n int, PRIMARY KEY (w, n))") == STRATA_OK);
    int ops = getenv("STRATA_TEST_QUICK") ? 10 : 40;
    enum { WORKERS = 4 };
    pthread_t threads[WORKERS];
    Worker workers[WORKERS];
    for (int k = 0; k < WORKERS; k++) {
        workers[k] = (Worker){.path = path, .id = k, .ops = ops};
        REQUIRE(pthread_create(&threads[k], NULL, stress_worker, &workers[k]) == 0);
    }
    for (int k = 0; k < WORKERS; k++) {
        pthread_join(threads[k], NULL);
        CHECK_EQ_INT(workers[k].failures, 0);
    }
    CHECK_EQ_INT(count_rows(db, "SELECT * FROM shared"), (WORKERS - 1) * ops * 2);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM information_schema.tables "
                            "WHERE table_name LIKE 'ddl%'"),
                 "0");
    CHECK_EQ_STR(query1(db, "SELECT strata_check()"), "ok");
    strata_close(db);
}

static void test_busy_timeout(void)
{
    const char *path = temp_path("busy.db");
    strata_db *a, *b;
    REQUIRE(strata_open(path, &a) == STRATA_OK);
    REQUIRE(strata_open(path, &b) == STRATA_OK);
    REQUIRE(run(a, "CREATE TABLE w (x int)") == STRATA_OK);
    REQUIRE(run(a, "BEGIN; INSERT INTO w VALUES (1)") == STRATA_OK);
    CHECK_EQ_INT(strata_busy_timeout(b, 20), STRATA_OK);
    CHECK_EQ_INT(strata_exec(b, "INSERT INTO w VALUES (2)", NULL, NULL), STRATA_BUSY);
    CHECK_EQ_STR(strata_sqlstate(b), "55P03");
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    CHECK_EQ_INT(run(b, "INSERT INTO w VALUES (2)"), STRATA_OK);
    CHECK_EQ_INT(count_rows(a, "SELECT * FROM w"), 2);
    strata_close(a);
    strata_close(b);
}

/* Statistics are kept per connection and added to the database's when the
 * connection has no transaction after a statement (and on ROLLBACK): another
 * connection sees a block's counts once it ends, as PostgreSQL reports them at
 * transaction end; the connection itself sees its own at once. */
static void test_stats_pending(void)
{
    const char *path = temp_path("stats.db");
    strata_db *a, *b;
    REQUIRE(strata_open(path, &a) == STRATA_OK);
    REQUIRE(strata_open(path, &b) == STRATA_OK);
    REQUIRE(run(a, "CREATE TABLE acct (id int PRIMARY KEY, bal int);"
                   "INSERT INTO acct SELECT g, 0 FROM generate_series(1, 20) g") == STRATA_OK);
    const char *upd = "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'acct'";
    const char *calls = "SELECT calls FROM pg_stat_statements "
                        "WHERE query = 'UPDATE acct SET bal = bal + $1 WHERE id = $2'";
    CHECK_EQ_STR(query1(b, upd), "0");
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = 1;"
                   "UPDATE acct SET bal = bal + 2 WHERE id = 2") == STRATA_OK);
    CHECK_EQ_STR(query1(b, upd), "0");      /* not yet reported */
    CHECK_EQ_STR(query1(a, upd), "2");      /* its own */
    REQUIRE(run(a, "UPDATE acct SET bal = bal + 3 WHERE id = 3; COMMIT") == STRATA_OK);
    CHECK_EQ_STR(query1(b, upd), "3");
    CHECK_EQ_STR(query1(b, calls), "3");
    /* a rolled-back block's work counts too (PostgreSQL's n_tup_upd does) */
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = 0 WHERE id < 6; ROLLBACK") == STRATA_OK);
    CHECK_EQ_STR(query1(b, upd), "8");
    /* more distinct statements and tables in one block than the pending
     * arrays hold: flushed when full, nothing lost */
    REQUIRE(run(a, "BEGIN") == STRATA_OK);
    for (int table = 0; table < 12; table++) {
        char sql[160];
        snprintf(sql, sizeof sql, "CREATE TABLE p%d (x int); INSERT INTO p%d VALUES (1), (2);"
                                  "UPDATE p%d SET x = x + %d", table, table, table, table);
        REQUIRE(run(a, sql) == STRATA_OK);
    }
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "SELECT sum(n_tup_ins) || '/' || sum(n_tup_upd) FROM pg_stat_user_tables "
                           "WHERE relname LIKE 'p%'"),
                 "24/24");
    /* a point select in autocommit: counted at once */
    const char *scans = "SELECT idx_scan FROM pg_stat_user_tables WHERE relname = 'acct'";
    long before = atol(query1(b, scans));
    CHECK_EQ_STR(query1(a, "SELECT bal FROM acct WHERE id = 3"), "3");
    CHECK_EQ_INT(atol(query1(b, scans)) - before, 1);
    strata_close(a);
    strata_close(b);
}

static void test_second_process_busy(void)
{
    const char *path = temp_path("process.db");
    strata_db *db;
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE x (a int)") == STRATA_OK);
    fflush(NULL);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        strata_db *other;
        int rc = strata_open(path, &other);
        strata_close(other);
        _exit(rc == STRATA_BUSY ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    strata_close(db);
}

/* A table of n rows, so that a cross join of it with itself runs long. */
static void fill_numbers(strata_db *db, int n)
{
    run(db, "CREATE TABLE nums (n int)");
    strata_stmt *ins = NULL;
    run(db, "BEGIN");
    if (strata_prepare(db, "INSERT INTO nums VALUES ($1)", -1, &ins, NULL) == STRATA_OK) {
        for (int k = 0; k < n; k++) {
            strata_bind_int64(ins, 1, k);
            strata_step(ins);
            strata_reset(ins);
        }
    }
    strata_finalize(ins);
    run(db, "COMMIT");
}

/* Scans check for interrupts at every batch (2048 rows): a table of several
 * batches gives them several chances. */
static const char *long_query = "SELECT n FROM nums";

static void test_interrupt(void)
{
    strata_db *db;
    REQUIRE(strata_open(":memory:", &db) == STRATA_OK);
    fill_numbers(db, 5 * 2048);
    strata_stmt *stmt = NULL;
    if (strata_prepare(db, long_query, -1, &stmt, NULL) != STRATA_OK ||
        strata_step(stmt) != STRATA_ROW) {
        CHECK(!"the long query starts");
        strata_finalize(stmt);
        strata_close(db);
        return;
    }
    strata_interrupt(db);
    int rc, steps = 0;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        steps++;
    }
    CHECK_EQ_INT(rc, STRATA_INTERRUPT);
    CHECK(steps < 5 * 2048 - 1);
    CHECK_EQ_STR(strata_sqlstate(db), "57014");
    CHECK_EQ_STR(strata_errmsg(db), "canceling statement due to user request");
    strata_finalize(stmt);
    /* The next statement runs normally. */
    CHECK_EQ_STR(query1(db, "SELECT 1"), "1");
    CHECK_EQ_INT(count_rows(db, long_query), 5 * 2048);
    /* statement_timeout: the statement outlives its 1 ms by sleeping between
     * rows, so the watchdog has fired before the scan's last batch. */
    REQUIRE(run(db, "SET statement_timeout = '1ms'") == STRATA_OK);
    REQUIRE(strata_prepare(db, long_query, -1, &stmt, NULL) == STRATA_OK);
    steps = 0;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        if (++steps % 500 == 0) {
            struct timespec pause = {0, 2000000};
            nanosleep(&pause, NULL);
        }
    }
    CHECK_EQ_INT(rc, STRATA_INTERRUPT);
    CHECK_EQ_STR(strata_sqlstate(db), "57014");
    CHECK_EQ_STR(strata_errmsg(db), "canceling statement due to statement timeout");
    strata_finalize(stmt);
    REQUIRE(run(db, "RESET statement_timeout") == STRATA_OK);
    CHECK_EQ_INT(count_rows(db, long_query), 5 * 2048);
    strata_close(db);
}

/* Partitioned tables: run-time pruning with $n (a generic plan whose
 * partition scans are skipped at executor start, EXPLAIN's "Subplans
 * Removed"), and partitions that survive closing and reopening the file. */
static void test_partitions(void)
{
    strata_db *db;
    REQUIRE(strata_open(temp_path("partitions.db"), &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts)") == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO "
                    "('2024-02-01')") == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2024-02-01') TO "
                    "('2024-03-01') USING column") == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE m3 PARTITION OF m FOR VALUES FROM ('2024-03-01') TO "
                    "('2024-04-01')") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO m SELECT g, date '2024-01-01' + g FROM "
                    "generate_series(0, 90) AS g") == STRATA_OK);
    strata_stmt *count;
    REQUIRE(strata_prepare(db, "SELECT count(*) FROM m WHERE ts >= $1", -1, &count, NULL) ==
            STRATA_OK);
    const char *days[] = {"2024-02-10", "2024-03-10", "2023-12-31", "2024-05-01"};
    const char *want[] = {"51", "22", "91", "0"};
    for (int k = 0; k < 4; k++) {
        CHECK_EQ_INT(strata_bind_text(count, 1, days[k], -1), STRATA_OK);
        REQUIRE(strata_step(count) == STRATA_ROW);
        CHECK_EQ_STR(strata_column_text(count, 0), want[k]);
        strata_reset(count);
    }
    strata_finalize(count);
    strata_stmt *explain;
    REQUIRE(strata_prepare(db, "EXPLAIN SELECT count(*) FROM m WHERE ts >= $1", -1, &explain,
                           NULL) == STRATA_OK);
    CHECK_EQ_INT(strata_bind_text(explain, 1, "2024-03-10", -1), STRATA_OK);
    char plan[2048] = "";
    while (strata_step(explain) == STRATA_ROW) {
        const char *line = strata_column_text(explain, 0);
        strncat(plan, line != NULL ? line : "", sizeof(plan) - strlen(plan) - 2);
        strncat(plan, "\n", sizeof(plan) - strlen(plan) - 1);
    }
    strata_finalize(explain);
    CHECK(strstr(plan, "Subplans Removed: 2") != NULL);
    CHECK(strstr(plan, "Seq Scan on m3") != NULL);
    CHECK(strstr(plan, "Seq Scan on m1") == NULL);
    strata_close(db);
    REQUIRE(strata_open(temp_path("partitions.db"), &db) == STRATA_OK);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM m"), "91");
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM m2"), "29");
    CHECK_EQ_STR(query1(db, "SELECT string_agg(relname || ':' || relpartbound, ';') FROM "
                            "pg_class WHERE relispartition"),
                 "m1:FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');"
                 "m2:FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');"
                 "m3:FOR VALUES FROM ('2024-03-01') TO ('2024-04-01')");
    CHECK_EQ_STR(query1(db, "INSERT INTO m VALUES (1, '2024-04-01')"), "<error 23514>");
    /* COPY into the parent routes each row; a row outside every bound fails
     * the whole COPY. */
    FILE *f = fopen(temp_path("m.txt"), "w");
    REQUIRE(f != NULL);
    fputs("200\t2024-01-20\n201\t2024-03-20\n", f);
    fclose(f);
    char sql[600];
    snprintf(sql, sizeof(sql), "COPY m FROM '%s'", temp_path("m.txt"));
    CHECK_EQ_STR(tag_of(db, sql), "COPY 2");
    CHECK_EQ_STR(query1(db, "SELECT string_agg(id::text, ',' ORDER BY id) FROM m3 WHERE id > 100"),
                 "201");
    f = fopen(temp_path("m_bad.txt"), "w");
    REQUIRE(f != NULL);
    fputs("300\t2024-01-20\n301\t2030-01-01\n", f);
    fclose(f);
    snprintf(sql, sizeof(sql), "COPY m FROM '%s'", temp_path("m_bad.txt"));
    CHECK_EQ_STR(query1(db, sql), "<error 23514>");
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM m WHERE id >= 300"), "0");
    strata_close(db);
}

int main(void)
{
    snprintf(temp_dir, sizeof(temp_dir), "/tmp/strata_api_test_XXXXXX");
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    TEST_RUN(test_open_close);
    TEST_RUN(test_tags_and_changes);
    TEST_RUN(test_columns_of_every_type);
    TEST_RUN(test_bind_and_reset);
    TEST_RUN(test_bind_big_numeric);
    TEST_RUN(test_prepared_reuse);
    TEST_RUN(test_prepared_reuse_batches);
    TEST_RUN(test_errors);
    TEST_RUN(test_transactions);
    TEST_RUN(test_notices_and_users);
    TEST_RUN(test_savepoints);
    TEST_RUN(test_settings_and_prepared);
    TEST_RUN(test_copy);
    TEST_RUN(test_copy_stdin_stdout);
    TEST_RUN(test_copy_binary);
    TEST_RUN(test_copy_column_bulk);
    TEST_RUN(test_copy_row_bulk);
    TEST_RUN(test_system_views_and_check);
    TEST_RUN(test_persistence);
    TEST_RUN(test_enum_arrays);
    TEST_RUN(test_view_dependencies);
    TEST_RUN(test_two_threads_snapshot);
    TEST_RUN(test_busy_timeout);
    TEST_RUN(test_stats_pending);
    TEST_RUN(test_threads_stress);
    TEST_RUN(test_second_process_busy);
    TEST_RUN(test_interrupt);
    TEST_RUN(test_partitions);
    TEST_RUN(test_statement_cache);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", temp_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", temp_dir);
    }
    return test_summary("api_test");
}
