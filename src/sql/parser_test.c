/*
 * sql/parser_test.c - unit tests of the SQL front end: lexer, parser, deparser.
 *
 * Goal: every construct the parser accepts parses into the expected tree and
 * survives the deparse fixed point (parse -> deparse -> parse -> deparse gives
 * the same text twice); syntax errors carry PostgreSQL's message, SQLSTATE and
 * character position; limits give 54000 / 54001; and no input, however broken,
 * makes the parser do anything but return OK or an error with a SQLSTATE
 * (randomized: random bytes, token soups, truncated and mutated statements;
 * the seed is printed, STRATA_SEED replays it, STRATA_TEST_QUICK=1 shrinks it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/parser.h"
#include "sql/parser_int.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static Arena *arena;

static Stmt *parse_one(const char *sql)
{
    Stmt *stmt = NULL;
    Error err;
    int rc = sql_parse_one(sql, strlen(sql), arena, &stmt, &err);
    if (rc != STRATA_OK) {
        fprintf(stderr, "  unexpected error for: %s\n    %s: %s (position %d)\n", sql, err.sqlstate,
                err.message, err.position);
        return NULL;
    }
    return stmt;
}

/* Parses, deparses, parses the text and deparses again; both texts must match. */
static bool roundtrip(const char *sql)
{
    Stmt *stmt = parse_one(sql);
    if (stmt == NULL) {
        return false;
    }
    char *first = sql_deparse_stmt(stmt, arena);
    if (first == NULL) {
        return false;
    }
    Stmt *again = NULL;
    Error err;
    if (sql_parse_one(first, strlen(first), arena, &again, &err) != STRATA_OK) {
        fprintf(stderr, "  deparsed text does not parse: %s\n    from: %s\n    %s (position %d)\n",
                first, sql, err.message, err.position);
        return false;
    }
    char *second = sql_deparse_stmt(again, arena);
    if (second == NULL || strcmp(first, second) != 0) {
        fprintf(stderr, "  not a fixed point for: %s\n    %s\n    %s\n", sql, first,
                second != NULL ? second : "(null)");
        return false;
    }
    return true;
}

static char *deparsed(const char *sql)
{
    Stmt *stmt = parse_one(sql);
    return stmt == NULL ? "(error)" : sql_deparse_stmt(stmt, arena);
}

/* The first select-list expression of a SELECT. */
static Node *select_expr(const char *sql)
{
    Stmt *stmt = parse_one(sql);
    if (stmt == NULL || stmt->tag != N_SELECT_STMT) {
        return NULL;
    }
    SelectStmt *select = (SelectStmt *)stmt;
    if (select->targets.count == 0) {
        return NULL;
    }
    return ((ResTarget *)select->targets.items[0])->val;
}

static char *expr_text(const char *expr_sql)
{
    Node *expr;
    Error err;
    if (sql_parse_expr(expr_sql, strlen(expr_sql), arena, &expr, &err) != STRATA_OK) {
        fprintf(stderr, "  expression error: %s: %s\n", expr_sql, err.message);
        return "(error)";
    }
    return sql_deparse_expr(expr, arena);
}

static void check_error(const char *sql, const char *sqlstate, const char *message, int position)
{
    StmtList *list;
    Error err;
    int rc = sql_parse(sql, strlen(sql), arena, &list, &err);
    if (rc == STRATA_OK) {
        fprintf(stderr, "  expected an error for: %s\n", sql);
        test_current_failed = 1;
        return;
    }
    if (strcmp(err.sqlstate, sqlstate) != 0 || strcmp(err.message, message) != 0 ||
        (position >= 0 && err.position != position)) {
        fprintf(stderr, "  for: %s\n    got %s \"%s\" at %d\n    want %s \"%s\" at %d\n", sql,
                err.sqlstate, err.message, err.position, sqlstate, message, position);
        test_current_failed = 1;
    }
}

/* ---------------------------------------------------------------- */

static void test_keyword_list(void)
{
    CHECK(keyword_list_is_sorted());
    CHECK(keyword_lookup("select", 6) == KW_SELECT);
    CHECK(keyword_lookup("date", 4) == KW_NONE);
    CHECK(keyword_category(keyword_lookup("key", 3)) == KEYWORD_UNRESERVED);
    CHECK(keyword_category(keyword_lookup("value", 5)) == KEYWORD_UNRESERVED);
    CHECK(keyword_category(keyword_lookup("name", 4)) == KEYWORD_UNRESERVED);
    CHECK(keyword_category(keyword_lookup("user", 4)) == KEYWORD_RESERVED);
    CHECK(keyword_category(keyword_lookup("order", 5)) == KEYWORD_RESERVED);
    CHECK(keyword_category(keyword_lookup("left", 4)) == KEYWORD_TYPE_FUNC_NAME);
    CHECK(keyword_category(keyword_lookup("int", 3)) == KEYWORD_COL_NAME);
}

static const char *const select_cases[] = {
    "SELECT 1",
    "SELECT",
    "SELECT ALL a FROM t",
    "SELECT DISTINCT a, b FROM t",
    "SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b DESC",
    "SELECT * FROM t",
    "SELECT t.*, u.a FROM t, u",
    "SELECT s.t.a FROM s.t",
    "SELECT a AS x, b y, c \"Quoted Alias\" FROM t AS tt",
    "SELECT a FROM t tt(x, y)",
    "SELECT key, value, name, date, type FROM t",
    "SELECT \"select\", \"user\" FROM \"table\"",
    "SELECT a FROM t1 CROSS JOIN t2",
    "SELECT a FROM t1 JOIN t2 ON t1.a = t2.a",
    "SELECT a FROM t1 INNER JOIN t2 ON t1.a = t2.a",
    "SELECT a FROM t1 LEFT JOIN t2 ON t1.a = t2.a LEFT OUTER JOIN t3 USING (a)",
    "SELECT a FROM t1 RIGHT OUTER JOIN t2 USING (a, b)",
    "SELECT a FROM t1 FULL JOIN t2 ON true",
    "SELECT a FROM t1 NATURAL JOIN t2",
    "SELECT a FROM t1 NATURAL LEFT JOIN t2",
    "SELECT a FROM t1 JOIN t2 JOIN t3 ON t2.a = t3.a ON t1.a = t2.a",
    "SELECT a FROM (t1 JOIN t2 ON t1.a = t2.a) AS j",
    "SELECT a FROM t1 JOIN t2 USING (a) AS j",
    "SELECT a FROM (SELECT 1 AS a) s",
    "SELECT a FROM (SELECT 1 AS a) AS s(b)",
    "SELECT * FROM t, LATERAL (SELECT t.a) s",
    "SELECT * FROM generate_series(1, 10) g",
    "SELECT * FROM generate_series(1, 10) AS g(x)",
    "SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(x, n)",
    "SELECT * FROM t, LATERAL unnest(t.arr) u",
    "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(a, b)",
    "SELECT * FROM ONLY t",
    "SELECT a FROM t WHERE a > 1 AND b < 2 OR c = 3",
    "SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1",
    "SELECT a FROM t GROUP BY ROLLUP (a, b)",
    "SELECT a FROM t GROUP BY CUBE (a, (b, c))",
    "SELECT a FROM t GROUP BY GROUPING SETS ((a), (b), ())",
    "SELECT a FROM t GROUP BY DISTINCT a, b",
    "SELECT grouping(a) FROM t GROUP BY ROLLUP (a)",
    "SELECT sum(a) OVER w FROM t WINDOW w AS (PARTITION BY b ORDER BY c)",
    "SELECT sum(a) OVER (w ROWS UNBOUNDED PRECEDING) FROM t WINDOW w AS (ORDER BY c)",
    "SELECT 1 UNION SELECT 2",
    "SELECT 1 UNION ALL SELECT 2 UNION DISTINCT SELECT 3",
    "SELECT 1 INTERSECT SELECT 2",
    "SELECT 1 EXCEPT ALL SELECT 2",
    "(SELECT 1) UNION (SELECT 2) ORDER BY 1 LIMIT 1",
    "(SELECT 1 ORDER BY 1 LIMIT 1) UNION ALL (SELECT 2)",
    "SELECT a FROM t ORDER BY a ASC NULLS FIRST, b DESC NULLS LAST",
    "SELECT a FROM t LIMIT 10 OFFSET 5",
    "SELECT a FROM t OFFSET 5 LIMIT 10",
    "SELECT a FROM t LIMIT ALL",
    "SELECT a FROM t OFFSET 5 ROWS FETCH FIRST 3 ROWS ONLY",
    "SELECT a FROM t FETCH NEXT ROW ONLY",
    "SELECT a FROM t ORDER BY a FETCH FIRST 2 ROWS WITH TIES",
    "SELECT a FROM t FOR UPDATE",
    "SELECT a FROM t FOR SHARE OF t NOWAIT",
    "SELECT a FROM t FOR NO KEY UPDATE SKIP LOCKED",
    "SELECT a FROM t FOR KEY SHARE",
    "VALUES (1, 2), (3, 4)",
    "VALUES (1) ORDER BY 1",
    "TABLE t",
    "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r",
    "WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT * FROM a, b",
    "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
    "SELECT (SELECT 1) + 1, ((SELECT 2)), ((SELECT 3) + 1)",
    "SELECT ((SELECT 1), 2)",
    "SELECT 1 FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)",
    "SELECT 1 FROM t WHERE a IN (SELECT a FROM u) AND b NOT IN (SELECT b FROM u)",
    "SELECT 1 FROM t WHERE a IN (1, 2, 3) AND b NOT IN (4, 5)",
    "SELECT 1 FROM t WHERE a = ANY (SELECT a FROM u) AND b > ALL (SELECT b FROM u)",
    "SELECT 1 FROM t WHERE a = SOME (SELECT a FROM u)",
    "SELECT 1 FROM t WHERE a = ANY (ARRAY[1, 2]) AND b <> ALL ('{1,2}'::int4[])",
    "SELECT ARRAY(SELECT a FROM t)",
    "SELECT 1 FROM t1 WHERE (a, b) IN (SELECT a, b FROM t2)",
    "SELECT * FROM t WHERE (a, b) < (1, 2) AND ROW(a, b) = ROW(3, 4)",
    "SELECT count(*), count(DISTINCT a), sum(a ORDER BY b), string_agg(a, ',' ORDER BY a DESC)",
    "SELECT count(*) FILTER (WHERE a > 1) FROM t",
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a) FROM t",
    "SELECT rank() OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT "
    "ROW)",
    "SELECT sum(a) OVER (ORDER BY b RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES)",
    "SELECT sum(a) OVER (ORDER BY b GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE "
    "CURRENT ROW)",
    "SELECT sum(a) OVER (ROWS 3 PRECEDING EXCLUDE GROUP), sum(a) OVER (ROWS CURRENT ROW EXCLUDE NO "
    "OTHERS)",
    "SELECT pg_catalog.lower('A'), public.f(1, 2)",
    "SELECT left('abc', 1), right('abc', 1)",
    "SELECT concat_ws(',', VARIADIC ARRAY['a', 'b'])",
    "SELECT * FROM t1, t2 WHERE t1.a = t2.a",
    "SELECT 1 FROM t AS x WHERE x.a IS NOT NULL",
    "SELECT a FROM t WHERE a::text LIKE 'x%' ESCAPE '!'",
    "SELECT FROM t",
};

static const char *const expr_cases[] = {
    "SELECT 1 + 2 * 3 - 4 / 5 % 6 ^ 7",
    "SELECT -a, +b, - -1, -(1), @ -5, |/ 16",
    "SELECT a || b || 'c', a -> 'k', a ->> 'k', a #> '{a}', a #>> '{a}'",
    "SELECT a @> b, a <@ b, a ? 'k', a ?| b, a ?& b, a ~ 'x', a !~ 'x', a ~* 'x', a !~* 'x'",
    "SELECT a OPERATOR(pg_catalog.+) b, OPERATOR(pg_catalog.-) a",
    "SELECT a BETWEEN 1 AND 2, a NOT BETWEEN 1 AND 2, a BETWEEN SYMMETRIC 2 AND 1",
    "SELECT a LIKE 'x', a NOT LIKE 'x', a ILIKE 'x', a NOT ILIKE 'x' ESCAPE '#'",
    "SELECT a SIMILAR TO 'x', a NOT SIMILAR TO 'x' ESCAPE '\\'",
    "SELECT a IS NULL, a IS NOT NULL, a ISNULL, a NOTNULL",
    "SELECT a IS TRUE, a IS NOT TRUE, a IS FALSE, a IS NOT FALSE, a IS UNKNOWN, a IS NOT UNKNOWN",
    "SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b",
    "SELECT NOT a, NOT NOT a, a AND NOT b",
    "SELECT a < b, a > b, a <= b, a >= b, a <> b, a != b, a = b",
    "SELECT CASE WHEN a > 0 THEN 'p' WHEN a < 0 THEN 'n' ELSE 'z' END",
    "SELECT CASE a WHEN 1 THEN 'one' END",
    "SELECT COALESCE(a, b, 0), NULLIF(a, 0), GREATEST(1, 2, 3), LEAST(a, b)",
    "SELECT CAST(a AS integer), a::bigint, '1'::numeric(10, 2), CAST('x' AS varchar(3))",
    "SELECT a::double precision, a::character varying(5), a::char(3), a::character(2), a::bpchar",
    "SELECT a::int, a::int4, a::smallint, a::int2, a::int8, a::real, a::float4, a::float, "
    "a::float8, a::float(10), a::float(30)",
    "SELECT a::decimal(5, 1), a::boolean, a::bool, a::bytea, a::date, a::time, a::time without "
    "time zone",
    "SELECT a::timestamp(3), a::timestamp with time zone, a::timestamp without time zone, "
    "a::timestamptz, a::timetz",
    "SELECT a::interval, a::uuid, a::json, a::jsonb, a::text[], a::int4[][], a::integer ARRAY, "
    "a::pg_catalog.int4",
    "SELECT a::bit(3), a::bit varying(5), a::national character varying(4), a::serial",
    "SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00', TIMESTAMPTZ '2024-01-01', TIME "
    "'12:00'",
    "SELECT INTERVAL '1 day', INTERVAL '3' HOUR, INTERVAL '1-2' YEAR TO MONTH, INTERVAL '1' "
    "SECOND(3)",
    "SELECT timestamp with time zone '2024-01-01', double precision '1.5', int '5', boolean 'true'",
    "SELECT uuid 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', jsonb '{\"a\": 1}'",
    "SELECT $1, $2::int, $10",
    "SELECT 'it''s', E'a\\nb\\tc\\\\', $$dollar 'quoted'$$, $tag$x$y$tag$, U&'\\0041'",
    "SELECT B'0101', X'1F', b'1', x'ff'",
    "SELECT TRUE, FALSE, NULL",
    "SELECT 1, 1.5, .5, 1e10, 1.5E-3, 2147483648, 9223372036854775808",
    "SELECT ARRAY[1, 2, 3], ARRAY[[1, 2], [3, 4]], ARRAY[]::int4[]",
    "SELECT a[1], a[1:2], a[:2], a[2:], (a)[1], f(x)[1]",
    "SELECT (a).b, (f(x)).*, (t.c).d",
    "SELECT EXTRACT(year FROM d), EXTRACT('epoch' FROM d)",
    "SELECT SUBSTRING(s FROM 2 FOR 3), SUBSTRING(s FROM 2), SUBSTRING(s FOR 3), substring(s, 1, 2)",
    "SELECT POSITION('b' IN s), TRIM(s), TRIM(BOTH 'x' FROM s), TRIM(LEADING FROM s), "
    "TRIM(TRAILING 'y' FROM s)",
    "SELECT OVERLAY(s PLACING 'x' FROM 2 FOR 1), OVERLAY(s PLACING 'x' FROM 2)",
    "SELECT CURRENT_DATE, CURRENT_TIMESTAMP, CURRENT_TIME, LOCALTIMESTAMP, LOCALTIME, "
    "CURRENT_TIMESTAMP(3)",
    "SELECT CURRENT_USER, SESSION_USER, USER, CURRENT_ROLE, CURRENT_SCHEMA, CURRENT_CATALOG, "
    "current_schema()",
    "SELECT ts AT TIME ZONE 'UTC', ts AT TIME ZONE 'UTC' AT TIME ZONE 'CET'",
    "SELECT a COLLATE \"C\", a COLLATE pg_catalog.\"default\" < b",
    "SELECT ROW(1, 2), ROW(), (1, 2, 3), ROW(1)",
    "SELECT a = ANY ('{1}'), a < ALL (ARRAY[1])",
    "SELECT -2147483648, -9223372036854775808, - 5, -1.5, -(-1)",
    "SELECT 1 - -1, 2 * -3, a-1, a--comment\n, 1",
    "SELECT f(*), f(), f(DISTINCT a, b)",
    "SELECT make_interval(days => 1, hours := 2), f(1, \"select\" => 2)",
    "SELECT (a + b) * c, a + (b * c), (a OR b) AND c",
    "SELECT EXISTS (SELECT 1) AND NOT EXISTS (SELECT 2)",
    "SELECT 1 WHERE (SELECT count(*) FROM t) > 0",
};

static const char *const dml_cases[] = {
    "INSERT INTO t VALUES (1, 2)",
    "INSERT INTO t1 VALUES(1,2),(3,4)",
    "INSERT INTO t (a, b) VALUES (1, DEFAULT), (DEFAULT, 2)",
    "INSERT INTO s.t AS x (a) SELECT a FROM u WHERE a > 1",
    "INSERT INTO t DEFAULT VALUES",
    "INSERT INTO t (SELECT * FROM u)",
    "INSERT INTO t SELECT 1 UNION SELECT 2",
    "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING",
    "INSERT INTO t VALUES (1) ON CONFLICT (a) DO NOTHING",
    "INSERT INTO t VALUES (1, 2) ON CONFLICT (a, (lower(b))) WHERE a > 0 DO UPDATE SET b = "
    "EXCLUDED.b, c = DEFAULT WHERE t.b <> EXCLUDED.b",
    "INSERT INTO t VALUES (1, 2) ON CONFLICT ON CONSTRAINT t_pkey DO UPDATE SET (a, b) = "
    "(EXCLUDED.a, 1)",
    "INSERT INTO t VALUES (1) RETURNING *",
    "INSERT INTO t VALUES (1) RETURNING a, b AS bee",
    "INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1)",
    "WITH x AS (SELECT 1 AS a) INSERT INTO t SELECT a FROM x",
    "UPDATE t SET a = 1",
    "UPDATE t SET a = a + 1, b = DEFAULT WHERE c > 0 RETURNING a",
    "UPDATE t AS x SET a = u.a FROM u WHERE x.id = u.id",
    "UPDATE t x SET (a, b) = (1, DEFAULT)",
    "UPDATE t SET (a, b) = (SELECT 1, 2)",
    "UPDATE t SET (a, b) = ROW(1, 2)",
    "UPDATE ONLY t SET a = 1",
    "WITH x AS (SELECT 1) UPDATE t SET a = 1",
    "DELETE FROM t",
    "DELETE FROM t WHERE a = 1 RETURNING *",
    "DELETE FROM t AS x USING u WHERE x.a = u.a",
    "DELETE FROM t x WHERE x.a = 1",
    "WITH x AS (SELECT 1) DELETE FROM t WHERE a IN (SELECT * FROM x)",
};

static const char *const ddl_cases[] = {
    "CREATE TABLE t1(a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER)",
    "CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL, price numeric(10, 2) DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS s.t (a int NULL UNIQUE, b bigserial, c smallserial)",
    "CREATE TEMP TABLE t (a int)",
    "CREATE TEMPORARY TABLE t (a int)",
    "CREATE UNLOGGED TABLE t (a int)",
    "CREATE TABLE t (a int CHECK (a > 0), b int CONSTRAINT b_pos CHECK (b > 0) NO INHERIT)",
    "CREATE TABLE t (a int REFERENCES u, b int REFERENCES u (id) ON DELETE CASCADE ON UPDATE SET "
    "NULL)",
    "CREATE TABLE t (a int REFERENCES u (id) ON DELETE RESTRICT ON UPDATE NO ACTION, b int "
    "REFERENCES v ON DELETE SET DEFAULT)",
    "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, b int GENERATED BY DEFAULT AS IDENTITY "
    "(START WITH 10 INCREMENT BY 2))",
    "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
    "CREATE TABLE t (a text COLLATE \"C\", b varchar(10) COLLATE pg_catalog.\"default\")",
    "CREATE TABLE t (a int, b int, PRIMARY KEY (a, b), UNIQUE (b), CHECK (a < b))",
    "CREATE TABLE t (a int, CONSTRAINT t_pk PRIMARY KEY (a) INCLUDE (b), CONSTRAINT t_fk FOREIGN "
    "KEY (a) REFERENCES u (x) ON DELETE CASCADE)",
    "CREATE TABLE t (a int UNIQUE NULLS NOT DISTINCT, b int, UNIQUE NULLS NOT DISTINCT (b))",
    "CREATE TABLE t (a int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED)",
    "CREATE TABLE t (LIKE u INCLUDING ALL, extra int)",
    "CREATE TABLE t (a int) USING column",
    "CREATE TABLE t (ts timestamptz, v float8) PARTITION BY RANGE (ts)",
    "CREATE TABLE t (a int, b text) PARTITION BY LIST (b)",
    "CREATE TABLE t (a int) PARTITION BY HASH (a) USING row WITH (fillfactor = 70)",
    "CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false)",
    "CREATE TABLE t AS SELECT * FROM u",
    "CREATE TABLE t (x, y) AS SELECT 1, 2 WITH NO DATA",
    "CREATE TABLE t USING column AS SELECT 1 WITH DATA",
    "CREATE TABLE key (key int, value text, name text, date date)",
    "CREATE TABLE t ()",
    "CREATE TEMP TABLE t (a int) ON COMMIT DROP",
    "CREATE TEMP TABLE t (a int) ON COMMIT DELETE ROWS",
    "CREATE TEMPORARY TABLE t (a int) ON COMMIT PRESERVE ROWS",
    "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    "CREATE TABLE m_low PARTITION OF m FOR VALUES FROM (MINVALUE, 0) TO (10, MAXVALUE)",
    "CREATE TABLE m_eu PARTITION OF m (CONSTRAINT c CHECK (a > 0), b WITH OPTIONS NOT NULL) FOR "
    "VALUES IN ('de', 'fr')",
    "CREATE TABLE m_h0 PARTITION OF m FOR VALUES WITH (MODULUS 4, REMAINDER 0) USING column",
    "CREATE TABLE m_other PARTITION OF m DEFAULT PARTITION BY RANGE (ts)",
    "ALTER TABLE m ATTACH PARTITION m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    "ALTER TABLE m ATTACH PARTITION s.m_rest DEFAULT",
    "ALTER TABLE m DETACH PARTITION m_2024",
    "CREATE INDEX idx ON t(a DESC, b)",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx ON t USING btree (a ASC NULLS LAST, (a + b), lower(c))",
    "CREATE INDEX CONCURRENTLY ON t (a) INCLUDE (b, c) WHERE a > 0",
    "CREATE INDEX idx ON t (a text_pattern_ops) WITH (fillfactor = 50)",
    "CREATE INDEX idx ON t USING fts (body)",
    "DROP TABLE t",
    "DROP TABLE IF EXISTS t, s.u CASCADE",
    "DROP INDEX CONCURRENTLY IF EXISTS idx RESTRICT",
    "DROP VIEW IF EXISTS v",
    "DROP MATERIALIZED VIEW mv",
    "DROP SCHEMA s CASCADE",
    "DROP SEQUENCE seq",
    "DROP ROLE IF EXISTS alice, bob",
    "DROP USER carol",
    "CREATE VIEW v AS SELECT a FROM t",
    "CREATE OR REPLACE TEMP VIEW v (x, y) AS SELECT a, b FROM t WITH LOCAL CHECK OPTION",
    "CREATE VIEW v WITH (security_barrier) AS SELECT 1 WITH CHECK OPTION",
    "CREATE MATERIALIZED VIEW mv AS SELECT a, count(*) FROM t GROUP BY a",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS mv (a) AS SELECT 1 WITH NO DATA",
    "REFRESH MATERIALIZED VIEW mv",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY s.mv WITH NO DATA",
    "CREATE SCHEMA s",
    "CREATE SCHEMA IF NOT EXISTS s AUTHORIZATION alice",
    "CREATE SCHEMA AUTHORIZATION alice",
    "CREATE SEQUENCE seq",
    "CREATE SEQUENCE IF NOT EXISTS seq AS bigint INCREMENT BY 2 MINVALUE 1 NO MAXVALUE START WITH "
    "5 CACHE 10 CYCLE OWNED BY t.a",
    "CREATE TEMP SEQUENCE seq INCREMENT -1 NO MINVALUE MAXVALUE 100 NO CYCLE OWNED BY NONE",
    "ALTER SEQUENCE seq RESTART WITH 1",
    "ALTER SEQUENCE IF EXISTS seq INCREMENT BY 5 RESTART",
    "ALTER TABLE t ADD COLUMN c int",
    "ALTER TABLE t ADD c int NOT NULL DEFAULT 0",
    "ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c int",
    "ALTER TABLE t DROP COLUMN c",
    "ALTER TABLE t DROP c CASCADE, DROP COLUMN IF EXISTS d RESTRICT",
    "ALTER TABLE t RENAME COLUMN a TO b",
    "ALTER TABLE t RENAME a TO b",
    "ALTER TABLE t RENAME TO u",
    "ALTER TABLE t RENAME CONSTRAINT c1 TO c2",
    "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)",
    "ALTER TABLE t ADD PRIMARY KEY (a), ADD UNIQUE (b)",
    "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (b) ON DELETE CASCADE",
    "ALTER TABLE t DROP CONSTRAINT c",
    "ALTER TABLE t DROP CONSTRAINT IF EXISTS c CASCADE",
    "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1 + 1",
    "ALTER TABLE t ALTER a DROP DEFAULT, ALTER a SET NOT NULL, ALTER b DROP NOT NULL",
    "ALTER TABLE t ALTER COLUMN a TYPE bigint",
    "ALTER TABLE t ALTER COLUMN a SET DATA TYPE text COLLATE \"C\" USING a::text",
    "ALTER TABLE t SET ACCESS METHOD column",
    "ALTER TABLE t SET SCHEMA s",
    "ALTER TABLE t OWNER TO alice",
    "ALTER TABLE t SET (fillfactor = 50), RESET (autovacuum_enabled)",
    "ALTER INDEX idx RENAME TO idx2",
    "ALTER INDEX IF EXISTS idx SET (fillfactor = 70)",
    "ALTER VIEW v RENAME TO w",
    "ALTER MATERIALIZED VIEW mv RENAME COLUMN a TO b",
    "ALTER SEQUENCE seq RENAME TO seq2",
    "TRUNCATE t",
    "TRUNCATE TABLE ONLY t, u RESTART IDENTITY CASCADE",
    "TRUNCATE t CONTINUE IDENTITY RESTRICT",
    "CREATE ROLE alice",
    "CREATE ROLE alice WITH LOGIN SUPERUSER PASSWORD 'secret' CONNECTION LIMIT 5 VALID UNTIL "
    "'2030-01-01'",
    "CREATE USER bob NOLOGIN NOSUPERUSER CREATEDB NOCREATEROLE INHERIT IN ROLE admins, staff",
    "CREATE ROLE r ENCRYPTED PASSWORD 'x' ROLE a ADMIN b",
    "CREATE USER u WITH PASSWORD NULL",
    "ALTER ROLE alice WITH NOLOGIN",
    "ALTER USER alice PASSWORD 'new'",
    "ALTER ROLE alice RENAME TO alicia",
    "COMMENT ON TABLE t IS 'a table'",
    "COMMENT ON COLUMN t.a IS 'a column'",
    "COMMENT ON INDEX idx IS NULL",
    "COMMENT ON CONSTRAINT c ON t IS 'it''s'",
    "COMMENT ON MATERIALIZED VIEW mv IS 'x'",
    "COMMENT ON SCHEMA s IS 'x'",
    "GRANT SELECT ON t TO alice",
    "GRANT SELECT, INSERT (a, b), UPDATE ON TABLE t, u TO alice, GROUP staff WITH GRANT OPTION",
    "GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO PUBLIC",
    "GRANT USAGE ON SCHEMA s TO bob",
    "GRANT admins TO alice WITH ADMIN OPTION",
    "REVOKE ALL ON t FROM alice CASCADE",
    "REVOKE GRANT OPTION FOR SELECT ON t FROM bob",
    "REVOKE admins FROM alice",
    "REVOKE ADMIN OPTION FOR admins FROM alice GRANTED BY CURRENT_USER",
    "GRANT ALL (a, b) ON t TO alice GRANTED BY bob",
};

static const char *const utility_cases[] = {
    "BEGIN",
    "BEGIN WORK",
    "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY",
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE DEFERRABLE",
    "BEGIN ISOLATION LEVEL READ COMMITTED",
    "BEGIN ISOLATION LEVEL READ UNCOMMITTED NOT DEFERRABLE",
    "START TRANSACTION",
    "START TRANSACTION READ ONLY",
    "COMMIT",
    "COMMIT WORK",
    "COMMIT TRANSACTION AND CHAIN",
    "END",
    "END TRANSACTION",
    "ROLLBACK",
    "ROLLBACK AND NO CHAIN",
    "ABORT",
    "SAVEPOINT sp1",
    "RELEASE sp1",
    "RELEASE SAVEPOINT sp1",
    "ROLLBACK TO sp1",
    "ROLLBACK TO SAVEPOINT sp1",
    "ROLLBACK WORK TO SAVEPOINT sp1",
    "SET search_path TO public, s",
    "SET search_path = 'public'",
    "SET SESSION work_mem = '64MB'",
    "SET LOCAL statement_timeout TO 1000",
    "SET extra_float_digits = -3",
    "SET enable_seqscan TO off",
    "SET enable_seqscan = on",
    "SET bool_setting = true",
    "SET x TO DEFAULT",
    "SET TIME ZONE 'UTC'",
    "SET TIME ZONE LOCAL",
    "SET LOCAL TIME ZONE DEFAULT",
    "SET my.custom_var = 'x'",
    "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
    "SET TRANSACTION READ ONLY",
    "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
    "SET SCHEMA 'public'",
    "SET NAMES 'UTF8'",
    "SET ROLE alice",
    "SET SESSION AUTHORIZATION DEFAULT",
    "SHOW search_path",
    "SHOW ALL",
    "SHOW TIME ZONE",
    "SHOW TRANSACTION ISOLATION LEVEL",
    "SHOW my.custom_var",
    "RESET search_path",
    "RESET ALL",
    "RESET TIME ZONE",
    "PREPARE q AS SELECT 1",
    "PREPARE q (int, text) AS SELECT * FROM t WHERE a = $1 AND b = $2",
    "PREPARE ins (int) AS INSERT INTO t VALUES ($1)",
    "PREPARE upd AS UPDATE t SET a = 1",
    "PREPARE del AS DELETE FROM t",
    "EXECUTE q",
    "EXECUTE q (1, 'x')",
    "DEALLOCATE q",
    "DEALLOCATE PREPARE q",
    "DEALLOCATE ALL",
    "DEALLOCATE PREPARE ALL",
    "EXPLAIN SELECT 1",
    "EXPLAIN ANALYZE SELECT 1",
    "EXPLAIN ANALYZE VERBOSE SELECT * FROM t",
    "EXPLAIN VERBOSE SELECT 1",
    "EXPLAIN (ANALYZE, FORMAT TEXT, COSTS false, BUFFERS) SELECT * FROM t",
    "EXPLAIN (FORMAT JSON) INSERT INTO t VALUES (1)",
    "EXPLAIN (SELECT 1)",
    "EXPLAIN EXECUTE q",
    "COPY t FROM STDIN",
    "COPY t (a, b) FROM '/tmp/x.csv' WITH (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', "
    "ESCAPE '\"', NULL 'x')",
    "COPY t FROM STDIN (FORMAT csv, HEADER)",
    "COPY t TO STDOUT",
    "COPY t TO '/tmp/out' CSV HEADER DELIMITER ','",
    "COPY t FROM STDIN WITH CSV HEADER QUOTE AS '\"' NULL AS ''",
    "COPY t FROM STDIN DELIMITER '|' FORCE NOT NULL a, b",
    "COPY t TO STDOUT CSV FORCE QUOTE *",
    "COPY t TO STDOUT (FORMAT csv, FORCE_QUOTE (a, b))",
    "COPY BINARY t TO '/tmp/b'",
    "COPY (SELECT * FROM t WHERE a > 1) TO STDOUT WITH (FORMAT csv)",
    "COPY t FROM PROGRAM 'cat x' WITH (FORMAT text)",
    "COPY t FROM STDIN WHERE a > 1",
    "ANALYZE",
    "ANALYZE t",
    "ANALYZE VERBOSE t (a, b), u",
    "ANALYSE t",
    "VACUUM",
    "VACUUM FULL t",
    "VACUUM FULL FREEZE VERBOSE ANALYZE t",
    "VACUUM (VERBOSE, ANALYZE) t",
    "CHECKPOINT",
    "DISCARD ALL",
    "DISCARD PLANS",
    "DISCARD TEMP",
    "LISTEN chan",
    "UNLISTEN chan",
    "UNLISTEN *",
    "NOTIFY chan",
    "NOTIFY chan, 'payload'",
};

static void run_roundtrips(const char *const *cases, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        CHECK(roundtrip(cases[index]));
    }
}

static void test_select_statements(void)
{
    run_roundtrips(select_cases, sizeof(select_cases) / sizeof(select_cases[0]));
}

static void test_expressions(void)
{
    run_roundtrips(expr_cases, sizeof(expr_cases) / sizeof(expr_cases[0]));
}

static void test_dml(void)
{
    run_roundtrips(dml_cases, sizeof(dml_cases) / sizeof(dml_cases[0]));
}

static void test_ddl(void)
{
    run_roundtrips(ddl_cases, sizeof(ddl_cases) / sizeof(ddl_cases[0]));
}

static void test_utility(void)
{
    run_roundtrips(utility_cases, sizeof(utility_cases) / sizeof(utility_cases[0]));
}

/* ---------------- tree shapes ---------------- */

static void test_precedence(void)
{
    CHECK_EQ_STR(expr_text("1 + 2 * 3"), "(1 + (2 * 3))");
    CHECK_EQ_STR(expr_text("1 - 2 - 3"), "((1 - 2) - 3)");
    CHECK_EQ_STR(expr_text("2 ^ 3 ^ 2"), "((2 ^ 3) ^ 2)");
    CHECK_EQ_STR(expr_text("-2 ^ 2"), "(-2 ^ 2)");
    CHECK_EQ_STR(expr_text("- a ^ 2"), "((- a) ^ 2)");
    CHECK_EQ_STR(expr_text("a OR b AND c"), "(a OR (b AND c))");
    CHECK_EQ_STR(expr_text("a AND b AND c OR d"), "((a AND b AND c) OR d)");
    CHECK_EQ_STR(expr_text("NOT a = b"), "(NOT (a = b))");
    CHECK_EQ_STR(expr_text("NOT a AND b"), "((NOT a) AND b)");
    CHECK_EQ_STR(expr_text("a = b IS NULL"), "((a = b) IS NULL)");
    CHECK_EQ_STR(expr_text("a || b = c"), "((a || b) = c)");
    CHECK_EQ_STR(expr_text("a + b || c"), "((a + b) || c)");
    CHECK_EQ_STR(expr_text("a || b + c"), "(a || (b + c))");
    CHECK_EQ_STR(expr_text("a BETWEEN 1 AND 2 AND b"), "((a BETWEEN 1 AND 2) AND b)");
    CHECK_EQ_STR(expr_text("a NOT BETWEEN b + 1 AND c * 2"), "(a NOT BETWEEN (b + 1) AND (c * 2))");
    CHECK_EQ_STR(expr_text("a LIKE b || 'x'"), "(a LIKE (b || 'x'))");
    CHECK_EQ_STR(expr_text("a < b AND c LIKE d"), "((a < b) AND (c LIKE d))");
    CHECK_EQ_STR(expr_text("a::int + 1"), "(a::int4 + 1)");
    CHECK_EQ_STR(expr_text("-a::int"), "(- a::int4)");
    CHECK_EQ_STR(expr_text("(a + 1)::text"), "(a + 1)::text");
    CHECK_EQ_STR(expr_text("a IS DISTINCT FROM b = c"), "(a IS DISTINCT FROM (b = c))");
    CHECK_EQ_STR(expr_text("~ a + b"), "(~ (a + b))");
    CHECK_EQ_STR(expr_text("a AT TIME ZONE 'UTC' + b"), "((a AT TIME ZONE 'UTC') + b)");
    CHECK_EQ_STR(expr_text("x NOT IN (1, 2)"), "(x NOT IN (1, 2))");
    CHECK_EQ_STR(expr_text("x NOT IN (SELECT 1)"), "(NOT (x IN (SELECT 1)))");
    CHECK_EQ_STR(expr_text("a != b"), "(a <> b)");
    CHECK_EQ_STR(expr_text("a=-1"), "(a = -1)");
    CHECK_EQ_STR(expr_text("a*-1"), "(a * -1)");
    CHECK_EQ_STR(expr_text("CAST(-1 AS int)"), "CAST(-1 AS int4)");
    CHECK_EQ_STR(expr_text("(-1)::int"), "(-1)::int4");
    CHECK_EQ_STR(expr_text("+ 5"), "(+ 5)");
    /* set operations: INTERSECT binds tighter, UNION/EXCEPT associate left */
    CHECK_EQ_STR(deparsed("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3"),
                 "(SELECT 1) UNION ((SELECT 2) INTERSECT (SELECT 3))");
    CHECK_EQ_STR(deparsed("SELECT 1 EXCEPT SELECT 2 UNION SELECT 3"),
                 "((SELECT 1) EXCEPT (SELECT 2)) UNION (SELECT 3)");
    CHECK_EQ_STR(deparsed("SELECT 1 INTERSECT SELECT 2 UNION ALL SELECT 3 ORDER BY 1"),
                 "((SELECT 1) INTERSECT (SELECT 2)) UNION ALL (SELECT 3) ORDER BY 1");
    CHECK_EQ_STR(deparsed("SELECT a FROM t1, t2 CROSS JOIN t3 LEFT JOIN t4 ON x"),
                 "SELECT a FROM t1, ((t2 CROSS JOIN t3) LEFT JOIN t4 ON x)");
}

static void test_literals(void)
{
    Const *c = (Const *)select_expr("SELECT 2147483647");
    REQUIRE(c != NULL && c->tag == N_CONST);
    CHECK(c->kind == CONST_INTEGER && c->int_class == INT_CLASS_INT4 && c->int_value == 2147483647);
    c = (Const *)select_expr("SELECT 2147483648");
    CHECK(c->int_class == INT_CLASS_INT8 && c->int_value == 2147483648LL);
    c = (Const *)select_expr("SELECT -2147483648");
    CHECK(c->tag == N_CONST && c->int_class == INT_CLASS_INT4 && c->int_value == INT32_MIN);
    c = (Const *)select_expr("SELECT 9223372036854775807");
    CHECK(c->int_class == INT_CLASS_INT8 && c->int_value == INT64_MAX);
    c = (Const *)select_expr("SELECT -9223372036854775808");
    CHECK(c->int_class == INT_CLASS_INT8 && c->int_value == INT64_MIN);
    c = (Const *)select_expr("SELECT 9223372036854775808");
    CHECK(c->int_class == INT_CLASS_NUMERIC);
    CHECK_EQ_STR(c->text, "9223372036854775808");
    c = (Const *)select_expr("SELECT 00012");
    CHECK(c->int_class == INT_CLASS_INT4 && c->int_value == 12);
    CHECK_EQ_STR(c->text, "00012");
    c = (Const *)select_expr("SELECT 1.50");
    CHECK(c->kind == CONST_NUMERIC);
    CHECK_EQ_STR(c->text, "1.50");
    c = (Const *)select_expr("SELECT 1e10");
    CHECK(c->kind == CONST_NUMERIC);
    CHECK_EQ_STR(c->text, "1e10");
    c = (Const *)select_expr("SELECT -.5");
    CHECK(c->kind == CONST_NUMERIC);
    CHECK_EQ_STR(c->text, "-.5");
    c = (Const *)select_expr("SELECT 'it''s'");
    CHECK(c->kind == CONST_STRING);
    CHECK_EQ_STR(c->text, "it's");
    c = (Const *)select_expr("SELECT 'a\\nb'");
    CHECK_EQ_STR(c->text, "a\\nb");
    c = (Const *)select_expr("SELECT E'a\\nb\\x41\\101\\u00e9\\''");
    CHECK_EQ_STR(c->text, "a\nbAA\xc3\xa9'");
    c = (Const *)select_expr("SELECT U&'d\\0061t\\+000061'");
    CHECK_EQ_STR(c->text, "data");
    c = (Const *)select_expr("SELECT $$a'b$$");
    CHECK_EQ_STR(c->text, "a'b");
    c = (Const *)select_expr("SELECT $x$ $$ $x$");
    CHECK_EQ_STR(c->text, " $$ ");
    c = (Const *)select_expr("SELECT 'a'\n  'b'");
    CHECK_EQ_STR(c->text, "ab");
    c = (Const *)select_expr("SELECT B'0101'");
    CHECK(c->kind == CONST_BIT_STRING);
    CHECK_EQ_STR(c->text, "0101");
    c = (Const *)select_expr("SELECT X'1f'");
    CHECK(c->kind == CONST_HEX_STRING);
    c = (Const *)select_expr("SELECT TRUE");
    CHECK(c->kind == CONST_BOOL && c->bool_value);
    c = (Const *)select_expr("SELECT NULL");
    CHECK(c->kind == CONST_NULL);
    Param *param = (Param *)select_expr("SELECT $12");
    CHECK(param->tag == N_PARAM && param->number == 12);
    Cast *cast = (Cast *)select_expr("SELECT DATE '2024-01-01'");
    REQUIRE(cast != NULL && cast->tag == N_CAST);
    CHECK(cast->syntax == CAST_SYNTAX_PREFIX);
    CHECK_EQ_STR(cast->type->name, "date");
    cast = (Cast *)select_expr("SELECT INTERVAL '3' HOUR TO SECOND");
    CHECK(cast->type->interval_fields == (INTERVAL_HOUR | INTERVAL_MINUTE | INTERVAL_SECOND));
}

static const char *cast_type(const char *sql)
{
    Cast *cast = (Cast *)select_expr(sql);
    if (cast == NULL || cast->tag != N_CAST) {
        return "(none)";
    }
    return sql_deparse_expr((Node *)cast->type, arena);
}

static void test_type_names(void)
{
    CHECK_EQ_STR(cast_type("SELECT a::integer"), "int4");
    CHECK_EQ_STR(cast_type("SELECT a::int"), "int4");
    CHECK_EQ_STR(cast_type("SELECT a::smallint"), "int2");
    CHECK_EQ_STR(cast_type("SELECT a::bigint"), "int8");
    CHECK_EQ_STR(cast_type("SELECT a::real"), "float4");
    CHECK_EQ_STR(cast_type("SELECT a::float"), "float8");
    CHECK_EQ_STR(cast_type("SELECT a::float(24)"), "float4");
    CHECK_EQ_STR(cast_type("SELECT a::float(25)"), "float8");
    CHECK_EQ_STR(cast_type("SELECT a::double precision"), "float8");
    CHECK_EQ_STR(cast_type("SELECT a::decimal(10,2)"), "numeric(10, 2)");
    CHECK_EQ_STR(cast_type("SELECT a::boolean"), "bool");
    CHECK_EQ_STR(cast_type("SELECT a::char"), "bpchar(1)");
    CHECK_EQ_STR(cast_type("SELECT a::character(5)"), "bpchar(5)");
    CHECK_EQ_STR(cast_type("SELECT a::character varying(5)"), "varchar(5)");
    CHECK_EQ_STR(cast_type("SELECT a::varchar"), "varchar");
    CHECK_EQ_STR(cast_type("SELECT a::timestamp with time zone"), "timestamptz");
    CHECK_EQ_STR(cast_type("SELECT a::timestamp(3) without time zone"), "timestamp(3)");
    CHECK_EQ_STR(cast_type("SELECT a::time with time zone"), "timetz");
    CHECK_EQ_STR(cast_type("SELECT a::serial"), "serial4");
    CHECK_EQ_STR(cast_type("SELECT a::bigserial"), "serial8");
    CHECK_EQ_STR(cast_type("SELECT a::int[]"), "int4[]");
    CHECK_EQ_STR(cast_type("SELECT a::text[3][4]"), "text[][]");
    CHECK_EQ_STR(cast_type("SELECT a::bit"), "bit(1)");
    CHECK_EQ_STR(cast_type("SELECT a::bit varying"), "varbit");
    CHECK_EQ_STR(cast_type("SELECT a::\"MyType\""), "\"MyType\"");
    check_error("SELECT a::float(0)", "22023", "precision for type float must be at least 1 bit",
                17);
    check_error("SELECT a::float(54)", "22023",
                "precision for type float must be less than 54 bits", 17);
}

static void test_identifiers(void)
{
    ColumnRef *ref = (ColumnRef *)select_expr("SELECT MyCol");
    REQUIRE(ref != NULL && ref->tag == N_COLUMN_REF);
    CHECK_EQ_STR(ref->fields.items[0], "mycol");
    ref = (ColumnRef *)select_expr("SELECT \"MyCol\"");
    CHECK_EQ_STR(ref->fields.items[0], "MyCol");
    ref = (ColumnRef *)select_expr("SELECT \"a\"\"b\"");
    CHECK_EQ_STR(ref->fields.items[0], "a\"b");
    ref = (ColumnRef *)select_expr("SELECT S.T.C");
    CHECK(ref->fields.count == 3);
    CHECK_EQ_STR(ref->fields.items[2], "c");
    ref = (ColumnRef *)select_expr("SELECT t.*");
    CHECK(ref->is_star && ref->fields.count == 1);
    /* identifiers longer than 63 bytes are truncated */
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT %s",
             "a123456789b123456789c123456789d123456789e123456789f123456789g123456789");
    ref = (ColumnRef *)select_expr(sql);
    CHECK(strlen(ref->fields.items[0]) == LIMIT_IDENTIFIER_BYTES);
    /* keywords usable as names, reserved ones not */
    CHECK(parse_one("SELECT key, value, name FROM key") != NULL);
    CHECK(
        parse_one(
            "CREATE TABLE t (key int, value int, name text, date date, type int, position int)") !=
        NULL);
    check_error("SELECT select FROM t", "42601", "syntax error at or near \"select\"", 8);
    check_error("CREATE TABLE user (a int)", "42601", "syntax error at or near \"user\"", 14);
    check_error("CREATE TABLE t (order int)", "42601", "syntax error at or near \"order\"", 17);
    check_error("SELECT a FROM table", "42601", "syntax error at or near \"table\"", 15);
    CHECK(parse_one("SELECT \"order\" FROM \"table\"") != NULL);
    CHECK_EQ_STR(sql_quote_identifier("order", arena), "\"order\"");
    CHECK_EQ_STR(sql_quote_identifier("Mixed", arena), "\"Mixed\"");
    CHECK_EQ_STR(sql_quote_identifier("plain_1", arena), "plain_1");
    CHECK_EQ_STR(sql_quote_identifier("key", arena), "key");
    CHECK_EQ_STR(sql_quote_identifier("left", arena), "\"left\"");
}

static void test_structure(void)
{
    SelectStmt *select =
        (SelectStmt *)parse_one("SELECT a, b AS x FROM t1 JOIN t2 USING (id) WHERE a > 1");
    REQUIRE(select != NULL && select->tag == N_SELECT_STMT);
    CHECK_EQ_INT(select->targets.count, 2);
    CHECK_EQ_STR(((ResTarget *)select->targets.items[1])->name, "x");
    REQUIRE(select->from.count == 1);
    JoinExpr *join = (JoinExpr *)select->from.items[0];
    CHECK(join->tag == N_JOIN_EXPR && join->kind == JOIN_INNER && join->using_columns.count == 1);
    CHECK(select->where->tag == N_OP_EXPR);

    InsertStmt *insert =
        (InsertStmt *)parse_one("INSERT INTO t (a, b) VALUES (1, DEFAULT) RETURNING a");
    REQUIRE(insert != NULL && insert->tag == N_INSERT_STMT);
    CHECK_EQ_INT(insert->columns.count, 2);
    REQUIRE(insert->select != NULL && insert->select->values_lists.count == 1);
    RowExpr *row = (RowExpr *)insert->select->values_lists.items[0];
    CHECK(row->args.items[1]->tag == N_DEFAULT);
    CHECK_EQ_INT(insert->returning.count, 1);

    CreateTableStmt *create = (CreateTableStmt *)parse_one(
        "CREATE TABLE s.t (id int PRIMARY KEY, v text NOT NULL DEFAULT 'x', FOREIGN KEY (id) "
        "REFERENCES u (id) ON DELETE CASCADE) USING column PARTITION BY RANGE (id)");
    REQUIRE(create != NULL && create->tag == N_CREATE_TABLE_STMT);
    CHECK_EQ_STR(create->relation->schema, "s");
    CHECK_EQ_INT(create->elements.count, 3);
    ColumnDef *column = (ColumnDef *)create->elements.items[1];
    CHECK_EQ_STR(column->type->name, "text");
    CHECK_EQ_INT(column->constraints.count, 2);
    Constraint *fk = (Constraint *)create->elements.items[2];
    CHECK(fk->kind == CONSTRAINT_FOREIGN && fk->on_delete == FK_ACTION_CASCADE);
    CHECK_EQ_STR(create->access_method, "column");
    CHECK(create->partition != NULL && create->partition->strategy == PARTITION_RANGE);

    CreateViewStmt *view = (CreateViewStmt *)parse_one("CREATE VIEW v AS SELECT a  FROM t ;");
    REQUIRE(view != NULL);
    CHECK_EQ_STR(view->query_text, "SELECT a  FROM t");

    CopyStmt *copy = (CopyStmt *)parse_one("COPY t FROM STDIN CSV HEADER DELIMITER ';'");
    REQUIRE(copy != NULL && copy->options.count == 3);
    CHECK_EQ_STR(((DefElem *)copy->options.items[0])->word, "csv");
    CHECK_EQ_STR(((DefElem *)copy->options.items[1])->name, "header");
    CHECK_EQ_STR(((DefElem *)copy->options.items[2])->name, "delimiter");

    TransactionStmt *txn = (TransactionStmt *)parse_one("BEGIN ISOLATION LEVEL REPEATABLE READ");
    REQUIRE(txn != NULL && txn->options.count == 1);
    CHECK_EQ_STR(((DefElem *)txn->options.items[0])->word, "repeatable read");

    SetStmt *set = (SetStmt *)parse_one("SET TIME ZONE 'UTC'");
    REQUIRE(set != NULL);
    CHECK_EQ_STR(set->name, "timezone");

    ExplainStmt *explain = (ExplainStmt *)parse_one("EXPLAIN ANALYZE SELECT 1");
    REQUIRE(explain != NULL && explain->options.count == 1);
    CHECK(explain->query->tag == N_SELECT_STMT);

    create = (CreateTableStmt *)parse_one(
        "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (MINVALUE) TO ('2025-01-01')");
    REQUIRE(create != NULL && create->partition_of != NULL && create->bound != NULL);
    CHECK_EQ_STR(create->partition_of->name, "m");
    CHECK(create->bound->strategy == PARTITION_RANGE && create->bound->lower.count == 1);
    CHECK(create->bound->lower.items[0]->tag == N_COLUMN_REF);
    create = (CreateTableStmt *)parse_one(
        "CREATE TABLE h PARTITION OF m FOR VALUES WITH (REMAINDER 1, MODULUS 3)");
    REQUIRE(create != NULL && create->bound != NULL);
    CHECK(create->bound->modulus == 3 && create->bound->remainder == 1);
    check_error("CREATE TABLE h PARTITION OF m FOR VALUES WITH (MODULUS 3)", "42601",
                "syntax error at or near \")\"", 57);
    FuncCall *call = (FuncCall *)select_expr("SELECT f(a => 1)");
    REQUIRE(call != NULL && call->tag == N_FUNC_CALL && call->args.count == 1);
    CHECK(call->args.items[0]->tag == N_NAMED_ARG);
    CHECK_EQ_STR(((NamedArgExpr *)call->args.items[0])->name, "a");

    /* VALUES in FROM, function in FROM */
    select =
        (SelectStmt *)parse_one("SELECT * FROM generate_series(1,10) AS g(x), (VALUES (1)) v(a)");
    REQUIRE(select != NULL && select->from.count == 2);
    CHECK(select->from.items[0]->tag == N_RANGE_FUNCTION);
    CHECK(select->from.items[1]->tag == N_RANGE_SUBSELECT);
    RangeFunction *range = (RangeFunction *)select->from.items[0];
    CHECK(range->alias->columns.count == 1 && range->column_defs.count == 0);

    /* column definition lists: [AS] [name] (col type, ...) */
    select = (SelectStmt *)parse_one(
        "SELECT * FROM f(x) AS r(a int, b varchar(3)), g(y) s(c), h(z) AS (d text[])");
    REQUIRE(select != NULL && select->from.count == 3);
    range = (RangeFunction *)select->from.items[0];
    CHECK_EQ_STR(range->alias->name, "r");
    CHECK(range->alias->columns.count == 0 && range->column_defs.count == 2);
    CHECK_EQ_STR(((ColumnDef *)range->column_defs.items[1])->name, "b");
    range = (RangeFunction *)select->from.items[1];
    CHECK(range->alias->columns.count == 1 && range->column_defs.count == 0);
    range = (RangeFunction *)select->from.items[2];
    CHECK(range->alias == NULL && range->column_defs.count == 1);
    check_error("SELECT * FROM f(x) AS r(a int,)", "42601", "syntax error at or near \")\"", 31);
}

static void test_locations(void)
{
    const char *sql = "SELECT a, bb + 1 FROM t WHERE c = 'x'";
    SelectStmt *select = (SelectStmt *)parse_one(sql);
    REQUIRE(select != NULL);
    CHECK_EQ_INT(select->location, 0);
    CHECK_EQ_INT(select->targets.items[0]->location, 7);
    ResTarget *second = (ResTarget *)select->targets.items[1];
    CHECK_EQ_INT(second->location, 10);
    CHECK_EQ_INT(((OpExpr *)second->val)->left->location, 10);
    CHECK_EQ_INT(second->val->location, 13); /* the operator's token */
    CHECK_EQ_INT(select->from.items[0]->location, 22);
    /* UTF-8: positions count characters */
    const char *utf8 = "SELECT '\xc3\xa9\xc3\xa9', zz";
    select = (SelectStmt *)parse_one(utf8);
    REQUIRE(select != NULL);
    int byte_offset = select->targets.items[1]->location;
    CHECK_EQ_INT(byte_offset, 15);
    CHECK_EQ_INT(sql_char_position(utf8, byte_offset), 14);
    CHECK_EQ_INT(sql_char_position(utf8, -1), 0);
    /* statement ranges */
    StmtList *list;
    Error err;
    const char *multi = "  SELECT 1 ;; INSERT INTO t VALUES (1);\n-- c\nSELECT 2";
    REQUIRE(sql_parse(multi, strlen(multi), arena, &list, &err) == STRATA_OK);
    REQUIRE(list->count == 3);
    CHECK_EQ_INT(list->ranges[0].start, 2);
    CHECK_EQ_INT(list->ranges[0].end, 10);
    CHECK_EQ_INT(list->ranges[1].start, 14);
    CHECK_EQ_INT(list->ranges[1].end, 38);
    CHECK_EQ_INT(list->ranges[2].start, 45);
    CHECK_EQ_INT(list->ranges[2].end, 53);
    REQUIRE(sql_parse("", 0, arena, &list, &err) == STRATA_OK);
    CHECK_EQ_INT(list->count, 0);
    REQUIRE(sql_parse(" ; -- x\n ;", 10, arena, &list, &err) == STRATA_OK);
    CHECK_EQ_INT(list->count, 0);
    /* not NUL-terminated input */
    char buffer[16];
    memcpy(buffer, "SELECT 1XXXXXXXX", 16);
    REQUIRE(sql_parse(buffer, 8, arena, &list, &err) == STRATA_OK);
    CHECK_EQ_INT(list->count, 1);
}

/* ---------------- errors ---------------- */

static void test_syntax_errors(void)
{
    check_error("SELECT * FORM t", "42601", "syntax error at or near \"FORM\"", 10);
    check_error("SELECT * FROM", "42601", "syntax error at end of input", 14);
    check_error("SELECT * FROM   ", "42601", "syntax error at end of input", 17);
    check_error("SELECT 1 +", "42601", "syntax error at end of input", 11);
    check_error("SELECT (1", "42601", "syntax error at end of input", 10);
    check_error("SELECT 1)", "42601", "syntax error at or near \")\"", 9);
    check_error("SELEC 1", "42601", "syntax error at or near \"SELEC\"", 1);
    check_error("SELECT 1; SELEC 2", "42601", "syntax error at or near \"SELEC\"", 11);
    check_error("SELECT * FROM t WHERE", "42601", "syntax error at end of input", 22);
    check_error("SELECT * FROM t WHERE a = ;", "42601", "syntax error at or near \";\"", 27);
    check_error("SELECT a < b < c", "42601", "syntax error at or near \"<\"", 14);
    check_error("SELECT a = b = c", "42601", "syntax error at or near \"=\"", 14);
    check_error("SELECT a IS NULL IS NULL", "42601", "syntax error at or near \"IS\"", 18);
    check_error("SELECT 'abc", "42601", "unterminated quoted string at or near \"'abc\"", 8);
    check_error("SELECT \"abc", "42601", "unterminated quoted identifier at or near \"\"abc\"", 8);
    check_error("SELECT $$abc", "42601", "unterminated dollar-quoted string at or near \"$$abc\"",
                8);
    check_error("SELECT 1 /* x", "42601", "unterminated /* comment at or near \"/* x\"", 10);
    check_error("SELECT \"\"", "42601", "zero-length delimited identifier at or near \"\"\"\"", 8);
    check_error("SELECT 1 FROM t WHERE a = 'x' GROUP", "42601", "syntax error at end of input", 36);
    /* a bare word after an expression is a column alias, as in PostgreSQL */
    check_error("SELECT 1 FORM t", "42601", "syntax error at or near \"t\"", 15);
    check_error("SELECT '\xc3\xa9', * FORM t", "42601", "syntax error at or near \"FORM\"", 15);
    check_error("SELECT 1 LIMIT 1, 2", "42601", "LIMIT #,# syntax is not supported", 10);
    /* object kinds strata lacks are 0A000 naming the kind, not a syntax error */
    check_error("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", "0A000",
                "CREATE FUNCTION is not supported", 8);
    check_error("CREATE OR REPLACE FUNCTION f() RETURNS int", "0A000",
                "CREATE FUNCTION is not supported", 19);
    check_error("CREATE TRIGGER t AFTER INSERT ON x", "0A000", "CREATE TRIGGER is not supported", 8);
    check_error("CREATE CONSTRAINT TRIGGER t", "0A000", "CREATE CONSTRAINT TRIGGER is not supported",
                8);
    check_error("CREATE CONSTRAINT t", "42601", "syntax error at or near \"CONSTRAINT\"", 8);
    check_error("DO $$ BEGIN END $$", "0A000", "DO is not supported", 1);
    check_error("CALL p()", "0A000", "CALL is not supported", 1);
    check_error("SELECT 1 ORDER BY 1 LIMIT 1 LIMIT 2", "42601", "syntax error at or near \"LIMIT\"",
                29);
    check_error("SELECT 1 OFFSET 1 LIMIT 1 OFFSET 2", "42601", "syntax error at or near \"OFFSET\"",
                27);
    check_error("(SELECT 1 LIMIT 1) LIMIT 2", "42601", "multiple LIMIT clauses not allowed", 26);
    check_error("(SELECT 1 LIMIT 1) FETCH FIRST 2 ROWS ONLY", "42601",
                "multiple LIMIT clauses not allowed", 32);
    check_error("(SELECT 1 OFFSET 1) OFFSET 2", "42601", "multiple OFFSET clauses not allowed", 28);
    check_error("(SELECT 1 ORDER BY 1) ORDER BY 1", "42601",
                "multiple ORDER BY clauses not allowed", 32);
    check_error("WITH a AS (SELECT 1) (WITH b AS (SELECT 2) SELECT 3)", "42601",
                "multiple WITH clauses not allowed", 1);
    check_error("SELECT B'012'", "22P02", "\"2\" is not a valid binary digit", 8);
    check_error("SELECT X'1G'", "22P02", "\"G\" is not a valid hexadecimal digit", 8);
    check_error("SELECT E'\\u12'", "22025", "invalid Unicode escape at or near \"E'\\u12'\"", 8);
    check_error("SELECT E'\\000'", "22021", "invalid byte sequence for encoding \"UTF8\": 0x00", 8);
    check_error("SELECT E'\\xc3'", "22021", "invalid byte sequence for encoding \"UTF8\": 0xc3", 8);
    check_error("SELECT 'a\xff'", "22021", "invalid byte sequence for encoding \"UTF8\": 0xff", 0);
    check_error("SELECT '\xe2\x82'", "22021",
                "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82 0x27", 0);
    check_error("SELECT '\xed\xa0\x80'", "22021",
                "invalid byte sequence for encoding \"UTF8\": 0xed 0xa0 0x80", 0);
    {
        StmtList *nul_list;
        Error nul_err;
        CHECK(sql_parse("SELECT '\0'", 11, arena, &nul_list, &nul_err) != STRATA_OK);
        CHECK_EQ_STR(nul_err.message, "invalid byte sequence for encoding \"UTF8\": 0x00");
    }
    Const *accented = (Const *)select_expr("SELECT E'\\xc3\\xa9'");
    CHECK(accented != NULL && strcmp(accented->text, "\xc3\xa9") == 0);
    check_error("SELECT 1 \\ 2", "42601", "syntax error at or near \"\\\"", 10);
    check_error("SELECT 1 FROM t WHERE x IN ()", "42601", "syntax error at or near \")\"", 29);
    check_error("INSERT INTO t VALUES", "42601", "syntax error at end of input", 21);
    check_error("CREATE TABLE t (a)", "42601", "syntax error at or near \")\"", 18);
    check_error("UPDATE t SET a", "42601", "syntax error at end of input", 15);
    check_error("DROP TABLE", "42601", "syntax error at end of input", 11);
    check_error("SELECT (SELECT * FORM t)", "42601", "syntax error at or near \"FORM\"", 18);
    check_error("SELECT ((SELECT * FORM t) + 1)", "42601", "syntax error at or near \"FORM\"", 19);
    check_error("SELECT 1 FROM (SELECT * FORM t) s", "42601", "syntax error at or near \"FORM\"",
                25);
    check_error("SELECT $99999999", "42601", "parameter number too large", 8);
    check_error("SELECT 1 'abc", "42601", "unterminated quoted string at or near \"'abc\"", 10);
    check_error("SELECT 'a' 'b'", "42601", "syntax error at or near \"'b'\"", 12);
    check_error("SELECT f(x) OVER", "42601", "syntax error at end of input", 17);
    Stmt *stmt;
    Error err;
    CHECK(sql_parse_one("SELECT 1; SELECT 2", 18, arena, &stmt, &err) == STRATA_ERROR);
    CHECK_EQ_STR(err.sqlstate, "42601");
    CHECK(sql_parse_one("", 0, arena, &stmt, &err) == STRATA_ERROR);
    CHECK_EQ_STR(err.message, "syntax error at end of input");
}

static void test_limits(void)
{
    /* expression nesting beyond LIMIT_EXPRESSION_DEPTH */
    int depth = LIMIT_EXPRESSION_DEPTH + 50;
    char *deep = arena_alloc(arena, (size_t)depth * 2 + 16);
    REQUIRE(deep != NULL);
    strcpy(deep, "SELECT ");
    size_t used = strlen(deep);
    for (int level = 0; level < depth; level++) {
        deep[used++] = '(';
    }
    deep[used++] = '1';
    for (int level = 0; level < depth; level++) {
        deep[used++] = ')';
    }
    deep[used] = '\0';
    StmtList *list;
    Error err;
    CHECK(sql_parse(deep, used, arena, &list, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "54001");
    CHECK_EQ_STR(err.message, "stack depth limit exceeded");
    /* unary chains and NOT chains */
    char *chain = arena_alloc(arena, (size_t)depth * 4 + 16);
    REQUIRE(chain != NULL);
    strcpy(chain, "SELECT ");
    for (int level = 0; level < depth; level++) {
        strcat(chain, "NOT ");
    }
    strcat(chain, "a");
    CHECK(sql_parse(chain, strlen(chain), arena, &list, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "54001");
    /* nested subqueries */
    size_t size = (size_t)depth * 16 + 32;
    char *nested = arena_alloc(arena, size);
    REQUIRE(nested != NULL);
    strcpy(nested, "SELECT ");
    for (int level = 0; level < depth; level++) {
        strcat(nested, "(SELECT ");
    }
    strcat(nested, "1");
    for (int level = 0; level < depth; level++) {
        strcat(nested, ")");
    }
    CHECK(sql_parse(nested, strlen(nested), arena, &list, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "54001");
    /* long left-deep chains count as nesting too: the binder recurses through them */
    static const char *const links[] = {" + 1", "::int4", " UNION SELECT 1", " CROSS JOIN t"};
    static const char *const heads[] = {"SELECT 1", "SELECT 1", "SELECT 1", "SELECT * FROM t"};
    for (int kind = 0; kind < 4; kind++) {
        for (int pass = 0; pass < 2; pass++) {
            int count = pass == 0 ? LIMIT_EXPRESSION_DEPTH / 2 : LIMIT_EXPRESSION_DEPTH + 10;
            size_t chain_size = strlen(heads[kind]) + (size_t)count * strlen(links[kind]) + 1;
            char *text = arena_alloc(arena, chain_size);
            REQUIRE(text != NULL);
            strcpy(text, heads[kind]);
            size_t text_used = strlen(text);
            for (int link = 0; link < count; link++) {
                memcpy(text + text_used, links[kind], strlen(links[kind]));
                text_used += strlen(links[kind]);
            }
            text[text_used] = '\0';
            int chain_rc = sql_parse(text, text_used, arena, &list, &err);
            if (pass == 0) {
                CHECK(chain_rc == STRATA_OK);
                CHECK(chain_rc != STRATA_OK || sql_deparse_stmt(list->items[0], arena) != NULL);
            } else {
                CHECK(chain_rc != STRATA_OK);
                CHECK_EQ_STR(err.sqlstate, "54001");
            }
        }
    }
    /* AND / OR lists are flat and may be long */
    size_t and_size = (size_t)depth * 10 + 32;
    char *ands = arena_alloc(arena, and_size);
    REQUIRE(ands != NULL);
    strcpy(ands, "SELECT a");
    for (int level = 0; level < depth; level++) {
        strcat(ands, " AND a");
    }
    CHECK(sql_parse(ands, strlen(ands), arena, &list, &err) == STRATA_OK);
    /* backtracking stays linear: nested type modifiers and parenthesized queries
     * inside expressions (each level once cost a re-read of everything inside) */
    {
        static const char *const nests[][3] = {
            {"SELECT ", " numeric(", " x"},
            {"SELECT ", " varchar(5, ", " 1"},
            {"SELECT ", "(", "(SELECT 1) + 1"},
            {"SELECT * FROM ", "(", "(SELECT 1) s CROSS JOIN t"},
        };
        for (size_t nest = 0; nest < sizeof(nests) / sizeof(nests[0]); nest++) {
            size_t nest_size = 64 + 400 * 16;
            char *text = arena_alloc(arena, nest_size);
            REQUIRE(text != NULL);
            strcpy(text, nests[nest][0]);
            for (int level = 0; level < 400; level++) {
                strcat(text, nests[nest][1]);
            }
            strcat(text, nests[nest][2]);
            /* errors are fine; only the time matters (2^400 steps never end) */
            (void)sql_parse(text, strlen(text), arena, &list, &err);
        }
    }
    /* moderate nesting is fine */
    CHECK(parse_one("SELECT ((((((((((1))))))))))") != NULL);
    /* statement size */
    size_t big = (size_t)LIMIT_STATEMENT_BYTES + 1;
    char *huge = mem_alloc(big);
    REQUIRE(huge != NULL);
    memset(huge, ' ', big);
    memcpy(huge, "SELECT 1", 8);
    CHECK(sql_parse(huge, big, arena, &list, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "54000");
    mem_free(huge);
    /* many string literals: memory stays proportional to the input (each literal
     * once allocated the rest of the input; 20000 of them needed gigabytes) */
    {
        int rows = 20000;
        size_t text_size = (size_t)rows * 16 + 64;
        char *text = mem_alloc(text_size);
        REQUIRE(text != NULL);
        size_t text_used = (size_t)snprintf(text, text_size, "INSERT INTO t VALUES ('x')");
        for (int row = 1; row < rows; row++) {
            text_used +=
                (size_t)snprintf(text + text_used, text_size - text_used, ", ('r%d')", row);
        }
        Arena *bounded = arena_create(NULL, 64u * 1024 * 1024, "bounded");
        REQUIRE(bounded != NULL);
        CHECK(sql_parse(text, text_used, bounded, &list, &err) == STRATA_OK);
        arena_destroy(bounded);
        mem_free(text);
    }
    /* an arena with a small budget fails with 53200, not a crash */
    Arena *small = arena_create(NULL, 4096, "small");
    REQUIRE(small != NULL);
    int rc = sql_parse(nested, strlen(nested), small, &list, &err);
    CHECK(rc == STRATA_NOMEM);
    CHECK_EQ_STR(err.sqlstate, "53200");
    arena_destroy(small);
}

static void test_statement_complete(void)
{
    size_t end = 0;
    CHECK(!sql_statement_complete("SELECT 1", 8, &end));
    CHECK(sql_statement_complete("SELECT 1;", 9, &end) && end == 9);
    CHECK(sql_statement_complete("SELECT 1; SELECT 2;", 19, &end) && end == 9);
    const char *quoted = "SELECT ';' || \"a;b\";";
    CHECK(sql_statement_complete(quoted, strlen(quoted), &end) && end == strlen(quoted));
    const char *open_string = "SELECT 'abc;";
    CHECK(!sql_statement_complete(open_string, strlen(open_string), &end));
    const char *escape = "SELECT E'it\\'s;' ;";
    CHECK(sql_statement_complete(escape, strlen(escape), &end) && end == strlen(escape));
    const char *standard = "SELECT 'a\\'; x";
    CHECK(sql_statement_complete(standard, strlen(standard), &end) && end == 12);
    const char *dollar = "SELECT $f$ ; $$ ; $f$;";
    CHECK(sql_statement_complete(dollar, strlen(dollar), &end) && end == strlen(dollar));
    const char *open_dollar = "SELECT $$ ;";
    CHECK(!sql_statement_complete(open_dollar, strlen(open_dollar), &end));
    const char *param = "SELECT $1; x";
    CHECK(sql_statement_complete(param, strlen(param), &end) && end == 10);
    const char *line_comment = "SELECT 1 -- ;\n";
    CHECK(!sql_statement_complete(line_comment, strlen(line_comment), &end));
    const char *block = "SELECT /* /* ; */ ; */ 1;";
    CHECK(sql_statement_complete(block, strlen(block), &end) && end == strlen(block));
    const char *open_block = "SELECT /* ; ";
    CHECK(!sql_statement_complete(open_block, strlen(open_block), &end));
    const char *parens = "SELECT (1;";
    CHECK(sql_statement_complete(parens, strlen(parens), &end) && end == strlen(parens));
    const char *ident_dollar = "SELECT a$b$ ; x";
    CHECK(sql_statement_complete(ident_dollar, strlen(ident_dollar), &end) && end == 13);
}

/* ---------------- randomized robustness ---------------- */

static void expect_ok_or_error(const char *sql, size_t length)
{
    Arena *scratch = arena_create(NULL, 64u * 1024 * 1024, "fuzz");
    if (scratch == NULL) {
        return;
    }
    StmtList *list = NULL;
    Error err;
    int rc = sql_parse(sql, length, scratch, &list, &err);
    if (rc == STRATA_OK) {
        CHECK(list != NULL);
        for (int index = 0; list != NULL && index < list->count; index++) {
            /* whatever parses also survives the deparse fixed point */
            char *first = sql_deparse_stmt(list->items[index], scratch);
            Stmt *again = NULL;
            char *second = NULL;
            if (first != NULL &&
                sql_parse_one(first, strlen(first), scratch, &again, &err) == STRATA_OK) {
                second = sql_deparse_stmt(again, scratch);
            }
            if (first == NULL || second == NULL || strcmp(first, second) != 0) {
                fprintf(stderr, "  fixed point failed for %.*s\n    %s\n    %s\n", (int)length, sql,
                        first != NULL ? first : "(null)", second != NULL ? second : err.message);
                test_current_failed = 1;
            }
        }
    } else {
        bool valid = strlen(err.sqlstate) == 5 && strcmp(err.sqlstate, "00000") != 0 &&
                     err.message[0] != '\0';
        if (!valid) {
            fprintf(stderr, "  bad error for input of %zu bytes: rc %d sqlstate %s\n", length, rc,
                    err.sqlstate);
        }
        CHECK(valid);
        CHECK(err.position >= 0);
    }
    arena_destroy(scratch);
}

static const char *const fuzz_tokens[] = {
    "SELECT",   "FROM",    "WHERE",     "(",           ")",       ",",       ";",      "*",
    "a",        "t",       "1",         "'x'",         "+",       "-",       "=",      "<",
    "AND",      "OR",      "NOT",       "IN",          "BETWEEN", "CASE",    "WHEN",   "THEN",
    "ELSE",     "END",     "JOIN",      "ON",          "USING",   "GROUP",   "BY",     "ORDER",
    "LIMIT",    "UNION",   "ALL",       "INSERT",      "INTO",    "VALUES",  "UPDATE", "SET",
    "DELETE",   "CREATE",  "TABLE",     "INDEX",       "DROP",    "ALTER",   "ADD",    "COLUMN",
    "::",       "int",     "[",         "]",           ".",       "$1",      "NULL",   "IS",
    "DISTINCT", "OVER",    "PARTITION", "WITH",        "AS",      "EXISTS",  "ANY",    "ARRAY",
    "ROW",      "CAST",    "E'\\n'",    "$$x$$",       "\"Q\"",   "LIKE",    "ESCAPE", "INTERVAL",
    "'1 day'",  "DEFAULT", "RETURNING", "ON CONFLICT", "DO",      "NOTHING", "COPY",   "EXPLAIN",
    "BEGIN",    "COMMIT",  "VIEW",      "OFFSET",      "FETCH",   "FIRST",   "ROWS",   "ONLY",
    "FOR",
};

static const char *const fuzz_seeds[] = {
    "SELECT a, count(*) FROM t1 JOIN t2 USING (id) WHERE a > 1 GROUP BY a HAVING count(*) > 2 "
    "ORDER BY 1 LIMIT 5",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
    "INSERT INTO t (a, b) VALUES (1, 'x'), (2, DEFAULT) ON CONFLICT (a) DO UPDATE SET b = "
    "EXCLUDED.b RETURNING *",
    "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL DEFAULT 'x' CHECK (v <> ''), FOREIGN KEY "
    "(id) REFERENCES u)",
    "SELECT CASE WHEN a IS NULL THEN E'\\x41' ELSE $$b$$ END, ARRAY[1,2][1], x::numeric(5,2) FROM "
    "t",
    "UPDATE t SET (a, b) = (SELECT 1, 2) WHERE c IN (1, 2, 3) AND d BETWEEN 1 AND 2",
    "SELECT sum(a) OVER (PARTITION BY b ORDER BY c ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM "
    "t",
    "COPY t (a) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')",
};

static void test_fuzz(void)
{
    uint64_t state = test_seed("parser_test fuzz");
    const char *quick = getenv("STRATA_TEST_QUICK");
    int rounds = (quick != NULL && strcmp(quick, "1") == 0) ? 1500 : 20000;
    char buffer[512];
    for (int round = 0; round < rounds; round++) {
        int mode = (int)(test_rand(&state) % 4);
        size_t length = 0;
        if (mode == 0) {
            /* random bytes, biased towards SQL punctuation */
            length = test_rand(&state) % 200;
            static const char alphabet[] =
                "()[],;:.'\"$-+*/<>=!~@#%^&|`?eEbBxXuU&0123456789 \n\t\\_aZ";
            for (size_t index = 0; index < length; index++) {
                uint64_t r = test_rand(&state);
                /* mostly ASCII: most high bytes stop at the encoding check */
                buffer[index] =
                    (r & 7) != 0 ? alphabet[(r >> 3) % (sizeof(alphabet) - 1)] : (char)(r >> 8);
            }
        } else if (mode == 1) {
            /* token soup */
            int count = (int)(test_rand(&state) % 30);
            for (int token = 0; token < count; token++) {
                const char *text =
                    fuzz_tokens[test_rand(&state) % (sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]))];
                size_t text_length = strlen(text);
                if (length + text_length + 1 >= sizeof(buffer)) {
                    break;
                }
                memcpy(buffer + length, text, text_length);
                length += text_length;
                buffer[length++] = ' ';
            }
        } else {
            /* truncation (mode 2) or mutation (mode 3) of a valid statement */
            const char *seed =
                fuzz_seeds[test_rand(&state) % (sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]))];
            size_t seed_length = strlen(seed);
            memcpy(buffer, seed, seed_length);
            length = seed_length;
            if (mode == 2) {
                length = test_rand(&state) % (seed_length + 1);
            } else {
                int edits = 1 + (int)(test_rand(&state) % 4);
                for (int edit = 0; edit < edits; edit++) {
                    size_t at = test_rand(&state) % seed_length;
                    buffer[at] = (char)(test_rand(&state) & 0xff);
                }
            }
        }
        expect_ok_or_error(buffer, length);
        size_t end;
        (void)sql_statement_complete(buffer, length, &end);
        if (test_current_failed) {
            fprintf(stderr, "  fuzz round %d (mode %d) failed\n", round, mode);
            return;
        }
    }
}

int main(void)
{
    arena = arena_create(NULL, 0, "parser_test");
    if (arena == NULL) {
        return 1;
    }
    TEST_RUN(test_keyword_list);
    TEST_RUN(test_select_statements);
    TEST_RUN(test_expressions);
    TEST_RUN(test_dml);
    TEST_RUN(test_ddl);
    TEST_RUN(test_utility);
    TEST_RUN(test_precedence);
    TEST_RUN(test_literals);
    TEST_RUN(test_type_names);
    TEST_RUN(test_identifiers);
    TEST_RUN(test_structure);
    TEST_RUN(test_locations);
    TEST_RUN(test_syntax_errors);
    TEST_RUN(test_limits);
    TEST_RUN(test_statement_complete);
    TEST_RUN(test_fuzz);
    arena_destroy(arena);
    return test_summary("parser_test");
}
