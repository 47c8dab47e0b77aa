# tests/sql/types/numeric_big_gen.py - writes numeric_big.test from a PostgreSQL 15 server's
# answers to its queries (each query's rows as text, or its SQLSTATE and message for errors).
#   PGHOST=... PGPORT=... /usr/bin/python3 tests/sql/types/numeric_big_gen.py tests/sql/types/numeric_big.test
# "USING column" is dropped from the statements sent to PostgreSQL (strata-only clause).
import os, sys
import psycopg2, psycopg2.extensions

conn = psycopg2.connect(host=os.environ.get('PGHOST'), port=os.environ.get('PGPORT', '5432'),
                        user=os.environ.get('PGUSER', 'postgres'), dbname='postgres')
conn.autocommit = True
# every value as PostgreSQL's text output
for oid in (16, 20, 21, 23, 700, 701, 1700, 25, 1043, 1231, 3802, 114, 1007, 1009):
    psycopg2.extensions.register_type(
        psycopg2.extensions.new_type((oid,), 'RAW%d' % oid, lambda v, c: v), conn)
cur = conn.cursor()

setup = [
    "CREATE TABLE nb (id integer PRIMARY KEY, v numeric)",
    "INSERT INTO nb VALUES (1, 1.5), (2, -2.25), (3, 123456789012345678901234567890123456789012345.678),"
    " (4, -98765432109876543210987654321098765432109876543210), (5, 0.000000000000000000000000000000000000000000012),"
    " (6, -0.0000000000000000000000000000000000000000000000034), (7, 1.50000000000000000000000000000000000000000000000),"
    " (8, 99999999999999999999999999999999999999), (9, 100000000000000000000000000000000000000), (10, 0),"
    " (11, 1e100), (12, -1e100), (13, NULL), (14, 'NaN'), (15, 'Infinity'), (16, 12)",
    "CREATE INDEX nb_v ON nb (v)",
    "CREATE TABLE nk (k numeric PRIMARY KEY, label text)",
    "INSERT INTO nk SELECT v, 'row ' || id FROM nb WHERE id NOT IN (7, 13)",
    "CREATE TABLE nt (a numeric(60,10), b numeric(1000, 500))",
    "CREATE TABLE ncol (id integer, v numeric) USING column",
    "INSERT INTO ncol SELECT g, CASE WHEN g % 3 = 0 THEN (10::numeric ^ 45) * g + 0.5 WHEN g % 3 = 1 THEN g * 1.25 ELSE -g END FROM generate_series(1, 70000) g",
]

queries = [
    ("arithmetic past 38 digits", [
        "SELECT 2::numeric ^ 200",
        "SELECT 10::numeric ^ 50",
        "SELECT factorial(40), factorial(60)",
        "SELECT 1e300::float8::numeric = 1e300, (1e300::float8::numeric)::float8",
        "SELECT 123456789012345678901234567890 * 987654321098765432109876543210",
        "SELECT 99999999999999999999999999999999999999 + 1, -99999999999999999999999999999999999999 - 1",
        "SELECT 1e40::numeric - 1, 1e40::numeric + 0.001",
        "SELECT 1::numeric / 3e-50",
        "SELECT 1e60::numeric / 7, 22::numeric / 7e40",
        "SELECT 2::numeric ^ 130 / 3, (2::numeric ^ 130) % 1000007, div(2::numeric ^ 130, 1000007)",
        "SELECT mod(-(10::numeric ^ 45) - 7, 10::numeric ^ 20 + 3), (10::numeric ^ 45 + 0.123) % 1",
        "SELECT 0.1::numeric ^ 50, 1.5::numeric ^ 100",
        "SELECT power(2::numeric, -100), power(7::numeric, 45), power(-3::numeric, 91)",
        "SELECT 1.000000000000000000000000000000000000000000001 * 1.000000000000000000000000000000000000000000001",
        "SELECT 0.00000000000000000000001 * 0.00000000000000000000001",
        "SELECT -(10::numeric ^ 45), abs(-(10::numeric ^ 45)), sign(-(10::numeric ^ 45)), sign(1e-50::numeric)",
    ]),
    ("round, trunc, ceil, floor, sqrt, scale", [
        "SELECT round(123456789012345678901234567890123456789.5), round(-123456789012345678901234567890123456789.5)",
        "SELECT round(1.23456789012345678901234567890123456789012345, 40), trunc(1.23456789012345678901234567890123456789012345, 41)",
        "SELECT round(10::numeric ^ 45 + 12345, -4), trunc(-(10::numeric ^ 45) - 12345, -3)",
        "SELECT round(1.5, 50), round(2.5::numeric, 45)",
        "SELECT ceil(10::numeric ^ 40 + 0.1), floor(-(10::numeric ^ 40) - 0.1), ceil(-(10::numeric ^ 40) - 0.9)",
        "SELECT sqrt(10::numeric ^ 60), sqrt(2::numeric ^ 101), sqrt(1e-60::numeric)",
        "SELECT scale(1e-50::numeric), scale(2::numeric ^ 200), trim_scale(1.50000000000000000000000000000000000000000000000)",
        "SELECT min_scale(0.000000000000000000000000000000000000000000120)",
    ]),
    ("text input and output", [
        "SELECT '1e-50'::numeric, '-1.5e45'::numeric, '  0.000000000000000000000000000000000000000000000000  '::numeric",
        "SELECT '123456789012345678901234567890123456789012345678901234567890.123456789012345678901234567890'::numeric",
        "SELECT length('1e131071'::numeric::text), length('1e-16383'::numeric::text)",
        "SELECT (10::numeric ^ 45)::text, ('-' || repeat('9', 60))::numeric + 1",
    ]),
    ("casts", [
        "SELECT (10::numeric ^ 18 * 9)::int8, (2::numeric ^ 70)::float8, (2::numeric ^ 70)::float4",
        "SELECT 1e-50::numeric::float8, (-(10::numeric ^ 300))::float8",
        "SELECT 1e308::float8::numeric = 1e308, (-1.5e-300)::float8::numeric > -1",
        "SELECT (10::numeric ^ 45)::int4",
    ]),
    ("typmods up to precision 1000", [
        "SELECT 12345678901234567890123456789012345678901234567890.123::numeric(60,10)",
        "SELECT 1e20::numeric(60,10), (-1.00000000000000000000000000000000000000000000000005)::numeric(60,49)",
        "SELECT 1e50::numeric(60,10)",
        "SELECT 123.456::numeric(1000,999)",
        "SELECT 0.5::numeric(1000,998)",
        "SELECT 1::numeric(1001, 0)",
    ]),
    ("rows with big values in a row table (row codec), its index and primary key", [
        "INSERT INTO nt VALUES (12345678901234567890123456789012345678901234567890.0123456789, 1.5), (-1, 0.333333333333333333333333333333333333333333333333333333)",
        "INSERT INTO nt VALUES (1e50, 1)",
        "SELECT a, length(b::text), b > 1.4 FROM nt ORDER BY a",
        "SELECT id, v FROM nb ORDER BY v, id",
        "SELECT id, v FROM nb ORDER BY v DESC NULLS LAST, id",
        "SELECT id FROM nb WHERE v > 1e40 ORDER BY id",
        "SELECT id FROM nb WHERE v BETWEEN -1e60 AND 0 ORDER BY id",
        "SELECT id FROM nb WHERE v = 1.5 ORDER BY id",
        "SELECT k, label FROM nk WHERE k >= 99999999999999999999999999999999999999 ORDER BY k",
        "SELECT label FROM nk WHERE k = 0.000000000000000000000000000000000000000000012",
        "INSERT INTO nk VALUES (1.50000000000000000000000000000000000000000000000, 'dup')",
        "UPDATE nb SET v = v * 10::numeric ^ 30 WHERE id IN (1, 2)",
        "SELECT id, v FROM nb WHERE id IN (1, 2) ORDER BY id",
        "UPDATE nb SET v = v / 10::numeric ^ 30 WHERE id IN (1, 2)",
    ]),
    ("grouping, distinct, joins: equal values in either form are one", [
        "SELECT trim_scale(v), count(*) FROM (SELECT v FROM nb UNION ALL SELECT v FROM nb WHERE id < 8) s GROUP BY v ORDER BY v",
        "SELECT count(DISTINCT v) FROM nb",
        "SELECT a.id, b.id FROM nb a JOIN nb b ON a.v = b.v WHERE a.id < b.id ORDER BY 1, 2",
        "SELECT v, count(*) FROM (VALUES (1.5), (1.500000000000000000000000000000000000000000000), (2::numeric ^ 130), (2::numeric ^ 130 + 0.000), (1.5000)) t(v) GROUP BY v ORDER BY v",
    ]),
    ("aggregates", [
        "SELECT sum(v), min(v), max(v), count(v) FROM nb WHERE id <= 12",
        "SELECT avg(v) FROM nb WHERE id <= 12",
        "SELECT sum(x), avg(x) FROM (VALUES (1e40), (2.5), (-3e39)) t(x)",
        "SELECT stddev(x), variance(x) FROM (VALUES (1e20), (2e20), (4e20)) t(x)",
        "SELECT var_pop(x), stddev_pop(x) FROM (VALUES (10::numeric ^ 40), (10::numeric ^ 40 + 2)) t(x)",
        "SELECT sum(g * 10::numeric ^ 40), avg(g * 10::numeric ^ 40) FROM generate_series(1, 1000) g",
    ]),
    ("a column table with a row group of big and small values", [
        "SELECT count(*), sum(v), min(v), max(v) FROM ncol",
        "SELECT count(*), sum(v) FROM ncol WHERE v > 10::numeric ^ 49",
        "SELECT id, v FROM ncol WHERE id IN (3, 4, 5, 69999) ORDER BY id",
        "SELECT v FROM ncol ORDER BY v DESC LIMIT 3",
        "SELECT id % 3, count(*), sum(v) FROM ncol GROUP BY 1 ORDER BY 1",
    ]),
    ("errors", [
        "SELECT 10::numeric ^ 131072",
        "SELECT '1e131072'::numeric",
        "SELECT '1e-16384'::numeric",
        "SELECT (10::numeric ^ 310)::float8",
        "SELECT 1e-400::numeric::float8",
        "SELECT 1e50::numeric::float4",
        "SELECT (-1e-50)::numeric::float4",
        "SELECT (10::numeric ^ 40)::int8",
        "SELECT (2::numeric ^ 200) / 0",
        "SELECT 'x1e50'::numeric",
    ]),
    ("set-returning functions, arrays, jsonb, ordered-set aggregates", [
        "SELECT * FROM generate_series(10::numeric ^ 40, 10::numeric ^ 40 + 2)",
        "SELECT * FROM generate_series(-1e-45::numeric, 1e-45, 1e-45)",
        "SELECT array[2::numeric ^ 130, 1.5], (array[2::numeric ^ 130, 1.5])[1] + 1",
        "SELECT x FROM unnest(array[10::numeric ^ 40, -1.5e-45, 7]) x ORDER BY x",
        "SELECT to_jsonb(2::numeric ^ 130), ('{\"a\": 123456789012345678901234567890123456789012}'::jsonb ->> 'a')::numeric + 1",
        "SELECT string_agg(x::text, ',' ORDER BY x), percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM (VALUES (10::numeric ^ 40), (1), (-(10::numeric ^ 45))) t(x)",
        "SELECT greatest(1e40::numeric, 5), least(-1e40::numeric, 5), 1e40::numeric BETWEEN 1e39 AND 1e41",
    ]),
    ("to_char", [
        "SELECT to_char(10::numeric ^ 45, '9.999EEEE'), to_char(-(2::numeric ^ 200), '9.99EEEE'), to_char(10::numeric ^ 45, '999')",
        "SELECT to_char(1e-50::numeric, '9.9EEEE')",
    ]),
]

def run_pg(sql):
    return sql.replace(" USING column", "")

out = ["""# tests/sql/types/numeric_big.test
# NUMERIC beyond 38 digits (issue 3): arithmetic, casts, text I/O, typmods up
# to precision 1000 with PostgreSQL's errors, aggregates, ORDER BY / index /
# primary key / GROUP BY / DISTINCT / join over mixed 128-bit and big values,
# a column table whose row group holds both forms. Expected results from
# PostgreSQL 15 (numeric_big_gen.py beside this file writes this file).
"""]
for s in setup:
    cur.execute(run_pg(s))
    out.append("statement ok\n%s\n" % s)
for title, qs in queries:
    out.append("# %s\n" % title)
    for q in qs:
        try:
            cur.execute(run_pg(q))
            if cur.description is None:
                out.append("statement ok\n%s\n" % q)
                continue
            rows = cur.fetchall()
            types = 'T' * len(cur.description)
            body = '\n'.join('NULL' if r[i] is None else str(r[i]) for r in rows
                             for i in range(len(types)))
            out.append("query %s nosort\n%s\n----\n%s\n" % (types, q, body))
        except psycopg2.Error as e:
            msg = e.pgerror.splitlines()[0].replace('ERROR:  ', '')
            out.append("statement error %s %s\n%s\n" % (e.pgcode, msg, q))
for s in ["DROP TABLE nb", "DROP TABLE nk", "DROP TABLE nt", "DROP TABLE ncol"]:
    cur.execute(s)
open(sys.argv[1], 'w').write('\n'.join(out))
