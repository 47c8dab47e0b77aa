# tests/sql/select/vec_setop_gen.py - writes vec_distinct.test, vec_setop.test and
# vec_window.test (DISTINCT, set operations and window functions on batches, exec/vec_distinct.c,
# vec_setop.c, vec_window.c, issue 3) from a PostgreSQL 15 server's answers: each query's rows,
# or its SQLSTATE for `statement error`. Every query is written twice, after SET
# enable_vectorize = on and = off. EXPLAIN records (strata's own plans) are in the EXTRA lists.
#   PGHOST=... PGPORT=... /usr/bin/python3 tests/sql/select/vec_setop_gen.py tests/sql
import os, sys, psycopg2

conn = psycopg2.connect(host=os.environ.get('PGHOST'), port=os.environ.get('PGPORT', '5432'),
                        user=os.environ.get('PGUSER', 'postgres'), dbname='postgres')
conn.autocommit = True
cur = conn.cursor()


def fmt(v):
    if v is None:
        return 'NULL'
    if isinstance(v, bool):
        return 't' if v else 'f'
    s = str(v)
    if isinstance(v, float) and s.endswith('.0'):
        s = s[:-2]  # PostgreSQL prints 2 and -0, Python 2.0 and -0.0
    return '(empty)' if s == '' else s


def render(title, q, sort='nosort'):
    try:
        cur.execute(q)
        rows = cur.fetchall()
        types = 'T' * len(cur.description)
        body = '\n'.join(fmt(r[i]) for r in rows for i in range(len(types)))
        return "# %s\nquery %s %s\n%s\n----\n%s\n" % (title, types, sort, q, body)
    except psycopg2.Error as e:
        return "# %s\nstatement error %s\n%s\n" % (title, e.pgcode, q)


def write(path, header, setup, queries, extra):
    for table in reversed([s.split()[2] for s in setup if s.startswith('CREATE TABLE')]):
        cur.execute("DROP TABLE IF EXISTS %s" % table)
    for s in setup:
        cur.execute(s)
    out = [header]
    out += ["statement ok\n%s\n" % s for s in setup]
    for mode in ['on', 'off']:
        out.append("statement ok\nSET enable_vectorize = %s\n" % mode)
        for q in queries:
            if q[0] == 'SET':
                cur.execute(q[1])
                out.append("statement ok\n%s\n" % q[1])
            else:
                out.append(render(*q))
        cur.execute("RESET work_mem")
        out.append("statement ok\nRESET work_mem\n")
    out.append("statement ok\nSET enable_vectorize = on\n")
    out += extra
    open(path, 'w').write('\n'.join(out))


SETUP = [
    "CREATE TABLE va AS SELECT g AS id, CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 7) % 23 END AS k, "
    "CASE WHEN g % 13 = 0 THEN NULL ELSE 't' || (g % 37) END AS t, "
    "CASE WHEN g % 17 = 0 THEN NULL ELSE ((g % 9) - 4) / 2.0 END::float8 AS f, "
    "((g % 5) * 1.5)::numeric(8,2) AS n, g % 3 = 0 AS b FROM generate_series(1, 6000) g",
    "CREATE TABLE vb AS SELECT g AS id, CASE WHEN g % 7 = 0 THEN NULL ELSE (g * 5) % 29 END AS k, "
    "CASE WHEN g % 19 = 0 THEN NULL ELSE 't' || (g % 41) END AS t, "
    "((g % 4) * 1.5)::numeric(8,1) AS n FROM generate_series(1, 4500) g",
]

DISTINCT_HEADER = """# vec_distinct.test - SELECT DISTINCT over a batch input (exec/vec_distinct.c, issue 3): the
# key columns of each scan batch are hashed a batch at a time. Every query runs with
# enable_vectorize on and off, with the same expected rows, from PostgreSQL 15
# (tests/sql/select/vec_setop_gen.py writes this file): NULLs, text, floats (-0 and 0),
# numerics, expressions in the select list, quals, ORDER BY and LIMIT above, DISTINCT ON,
# and the spill past a small work_mem (the batch-wise set handed over to the partitions).
"""
DISTINCT_QUERIES = [
    ("one integer column with NULLs", "SELECT DISTINCT k FROM va ORDER BY k"),
    ("two columns, text with NULLs: count and digest",
     "SELECT count(*), md5(string_agg(coalesce(k::text, '-') || ':' || coalesce(t, '-'), ',' ORDER BY k, t)) "
     "FROM (SELECT DISTINCT k, t FROM va) s"),
    ("floats: -0 and 0 are one value", "SELECT DISTINCT f * 0 AS z FROM va ORDER BY 1"),
    ("floats and NULLs", "SELECT DISTINCT f FROM va ORDER BY 1 NULLS FIRST"),
    ("numeric and boolean", "SELECT DISTINCT n, b FROM va ORDER BY n, b"),
    ("expressions in the select list", "SELECT DISTINCT k % 5 AS m, upper(t) AS u FROM va WHERE k < 4 ORDER BY 1, 2"),
    ("a qual, every row distinct", "SELECT count(*) FROM (SELECT DISTINCT id, k FROM va WHERE id % 3 = 1) s"),
    ("DISTINCT in a subquery expression (no spill there)",
     "SELECT (SELECT count(*) FROM (SELECT DISTINCT k, t FROM va) s), (SELECT max(m) FROM (SELECT DISTINCT k % 4 AS m FROM va) s)"),
    ("DISTINCT of projected strings handed out row by row",
     "SELECT DISTINCT upper(t) AS u, k % 2 AS m FROM va WHERE id < 500", 'rowsort'),
    ("DISTINCT under a LIMIT", "SELECT count(*) FROM (SELECT DISTINCT t FROM va LIMIT 10) s"),
    ("DISTINCT ON", "SELECT DISTINCT ON (k) k, id FROM va ORDER BY k, id DESC"),
    ("DISTINCT in a subquery feeding a join",
     "SELECT count(*), sum(vb.id) FROM (SELECT DISTINCT k FROM va) d JOIN vb ON vb.k = d.k"),
    ('SET', "SET work_mem = '64kB'"),
    ("past work_mem: spilled partitions",
     "SELECT count(*), sum(id), sum(length(t)), min(t), max(t) "
     "FROM (SELECT DISTINCT id, t FROM va UNION ALL SELECT DISTINCT id, t FROM vb) s"),
    ("past work_mem: every row distinct, then repeats",
     "SELECT count(*), min(x), max(x) FROM (SELECT DISTINCT id % 5000 AS x, k FROM va) s"),
]
DISTINCT_EXTRA = [
    "# EXPLAIN: the DISTINCT reads batches\nquery T nosort\nEXPLAIN SELECT DISTINCT k, t FROM va\n----\n"
    "HashAggregate  (rows=6000)\n  Batch Mode: on\n  ->  Seq Scan on va  (rows=6000)\n",
    "# DISTINCT ON stays on rows (over the batch sort)\nquery T nosort\nEXPLAIN SELECT DISTINCT ON (k) k FROM va ORDER BY k\n----\n"
    "Unique  (rows=6000)\n  ->  Sort  (rows=6000)\n        Sort Key: k, k\n        Batch Mode: on\n        ->  Seq Scan on va  (rows=6000)\n",
]

SETOP_HEADER = """# vec_setop.test - UNION / INTERSECT / EXCEPT [ALL] over batch inputs (exec/vec_setop.c) and
# UNION ALL passing batches through to the operators above (vec_project.c), issue 3. Every
# query runs with enable_vectorize on and off, with the same expected rows, from PostgreSQL
# 15 (tests/sql/select/vec_setop_gen.py writes this file): duplicates and NULLs, ALL
# counts, text and numeric columns (1.5 and 1.50 are one value; the left input's spelling
# is kept), nested set operations (a row input on one side), ORDER BY / LIMIT over UNION
# ALL, and aggregates over UNION ALL.
"""
SETOP_QUERIES = [
    ("UNION: duplicates and NULLs removed",
     "SELECT count(*), md5(string_agg(coalesce(k::text, '-') || coalesce(t, '-'), ',' ORDER BY k, t)) "
     "FROM (SELECT k, t FROM va UNION SELECT k, t FROM vb) s"),
    ("INTERSECT", "SELECT k FROM va INTERSECT SELECT k FROM vb ORDER BY 1"),
    ("INTERSECT ALL: the smaller count of each value",
     "SELECT k, count(*) FROM (SELECT k FROM va INTERSECT ALL SELECT k FROM vb) s GROUP BY k ORDER BY k"),
    ("EXCEPT", "SELECT t FROM va EXCEPT SELECT t FROM vb ORDER BY 1"),
    ("EXCEPT ALL: right copies cancel left ones",
     "SELECT k, count(*) FROM (SELECT k FROM va EXCEPT ALL SELECT k FROM vb WHERE id < 3000) s GROUP BY k ORDER BY k"),
    ("numeric spellings: the left input's", "SELECT n FROM va INTERSECT SELECT n FROM vb ORDER BY 1"),
    ("numeric spellings under UNION", "SELECT n FROM vb UNION SELECT n FROM va ORDER BY 1"),
    ("expressions and quals on both sides",
     "SELECT k % 4 AS m, upper(t) AS u FROM va WHERE id < 500 UNION SELECT k % 3, upper(t) FROM vb WHERE id > 4000 ORDER BY 1, 2"),
    ("nested: a set operation as one input",
     "SELECT count(*), sum(k) FROM ((SELECT k, t FROM va UNION SELECT k, t FROM vb) EXCEPT SELECT k, t FROM va WHERE id % 2 = 0) s"),
    ("three-way UNION ALL under ORDER BY and LIMIT",
     "SELECT id, k FROM va WHERE k = 3 UNION ALL SELECT id, k FROM vb WHERE k = 3 UNION ALL SELECT id, k FROM va WHERE k IS NULL ORDER BY id DESC, k LIMIT 7"),
    ("UNION ALL under LIMIT and OFFSET", "SELECT count(*), sum(id) FROM (SELECT id FROM va UNION ALL SELECT id FROM vb LIMIT 100 OFFSET 5950) s"),
    ("an aggregate over UNION ALL",
     "SELECT count(*), count(k), sum(k), min(t), max(t) FROM (SELECT k, t FROM va UNION ALL SELECT k, t FROM vb) s"),
    ("GROUP BY over UNION ALL",
     "SELECT k, count(*) FROM (SELECT k FROM va UNION ALL SELECT k FROM vb) s GROUP BY k ORDER BY k LIMIT 5"),
    ("DISTINCT over UNION ALL", "SELECT DISTINCT t FROM (SELECT t FROM va UNION ALL SELECT t FROM vb) s ORDER BY 1 LIMIT 6"),
    ("string results of projections handed out row by row (no sort above)",
     "SELECT upper(t) || k AS u FROM va WHERE id < 300 UNION SELECT lower(t) || 'x' FROM vb WHERE id < 200", 'rowsort'),
    ("EXCEPT ALL of projections, row by row",
     "SELECT upper(t) AS u FROM va WHERE id < 400 EXCEPT ALL SELECT upper(t) FROM vb WHERE id < 300", 'rowsort'),
    ("a set operation inside a subquery expression",
     "SELECT (SELECT count(*) FROM (SELECT k, t FROM va INTERSECT SELECT k, t FROM vb) s), (SELECT count(*) FROM (SELECT t FROM va EXCEPT SELECT t FROM vb) s)"),
    ("INTERSECT with an empty side", "SELECT k FROM va INTERSECT SELECT k FROM vb WHERE id < 0"),
    ("EXCEPT with an empty side", "SELECT count(*) FROM (SELECT k FROM va WHERE id < 100 EXCEPT SELECT k FROM vb WHERE id < 0) s"),
    ("an error in one input", "SELECT 1 / (k - k) FROM va UNION SELECT k FROM vb"),
]
SETOP_EXTRA = [
    "# EXPLAIN: a set operation reads batches\nquery T nosort\nEXPLAIN SELECT k FROM va INTERSECT SELECT k FROM vb\n----\n"
    "HashSetOp  (rows=10500)\n  Batch Mode: on\n  ->  Seq Scan on va  (rows=6000)\n  ->  Seq Scan on vb  (rows=4500)\n",
    "# EXPLAIN: a sort over UNION ALL of scans reads their batches\nquery T nosort\n"
    "EXPLAIN SELECT k FROM va UNION ALL SELECT k FROM vb ORDER BY 1\n----\n"
    "Sort  (rows=10500)\n  Sort Key: va.k\n  Batch Mode: on\n  ->  Append  (rows=10500)\n        ->  Seq Scan on va  (rows=6000)\n        ->  Seq Scan on vb  (rows=4500)\n",
]

WINDOW_HEADER = """# vec_window.test - window functions over a batch input (exec/vec_window.c, issue 3): the input
# is sorted through the batch sort and each partition computed at once. Every query runs
# with enable_vectorize on and off, with the same expected rows, from PostgreSQL 15
# (tests/sql/select/vec_setop_gen.py writes this file): ranking functions with ties, NULL
# partition and order keys, lag / lead with offsets and defaults, first / last_value,
# aggregates over the default frame (peers), growing, sliding and following ROWS frames,
# ntile, DESC / NULLS FIRST, text and float keys, and the row operator's fallbacks (RANGE
# offsets, EXCLUDE, nth_value, several windows, frame errors).
"""
DIG = "md5(string_agg(%s, ',' ORDER BY id))"
WINDOW_QUERIES = [
    ("ranking with ties (peers on k)",
     "SELECT count(*), " + DIG % "concat_ws(':', id, rk, dr, pr, cd)" + " FROM (SELECT id, rank() OVER w rk, dense_rank() OVER w dr, "
     "round(percent_rank() OVER w * 1000) pr, round(cume_dist() OVER w * 1000) cd FROM va WINDOW w AS (PARTITION BY t ORDER BY k)) s"),
    ("row_number over a unique order, NULL partitions",
     "SELECT " + DIG % "concat_ws(':', id, rn)" + " FROM (SELECT id, row_number() OVER (PARTITION BY k ORDER BY f DESC NULLS FIRST, id) rn FROM va) s"),
    ("the first rows, in the window's order",
     "SELECT id, k, row_number() OVER w, rank() OVER w, lag(id) OVER w, lead(id, 2, -1) OVER w, first_value(id) OVER w, last_value(id) OVER w "
     "FROM va WHERE id < 60 WINDOW w AS (PARTITION BY k % 3 ORDER BY k NULLS FIRST, id)"),
    ("lag / lead with offsets and defaults",
     "SELECT " + DIG % "concat_ws(':', id, a, b, c, d)" + " FROM (SELECT id, lag(t) OVER w a, lead(k, 3) OVER w b, lag(k, 0) OVER w c, "
     "lead(k, 2, -1) OVER w d FROM va WINDOW w AS (PARTITION BY b ORDER BY id)) s"),
    ("lag with a NULL offset", "SELECT count(*), count(l) FROM (SELECT lag(id, NULL) OVER (ORDER BY id) l FROM va) s"),
    ("aggregates over the default frame: peers share the value",
     "SELECT " + DIG % "concat_ws(':', id, s, a, c, cs, mi, ma)" + " FROM (SELECT id, sum(k) OVER w s, round(avg(k) OVER w, 6) a, count(k) OVER w c, "
     "count(*) OVER w cs, min(t) OVER w mi, max(f) OVER w ma FROM va WINDOW w AS (PARTITION BY id % 7 ORDER BY k)) s"),
    ("aggregates over whole partitions (no ORDER BY)",
     "SELECT " + DIG % "concat_ws(':', id, s, c, mi)" + " FROM (SELECT id, sum(n) OVER (PARTITION BY k) s, count(t) OVER (PARTITION BY k) c, "
     "min(id) OVER (PARTITION BY k) mi FROM va) s"),
    ("a sliding ROWS frame: sum and count of integers with NULLs",
     "SELECT sum(s), count(s), " + DIG % "concat_ws(':', id, s, c)" + " FROM (SELECT id, sum(k) OVER w s, count(k) OVER w c FROM va "
     "WINDOW w AS (ORDER BY id ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)) s"),
    ("sliding frames: avg, min, max, sum of numeric and float",
     "SELECT " + DIG % "concat_ws(':', id, a, mi, ma, sn, sf)" + " FROM (SELECT id, round(avg(k) OVER w, 6) a, min(t) OVER w mi, max(k) OVER w ma, "
     "sum(n) OVER w sn, sum(f) OVER w sf FROM va WINDOW w AS (PARTITION BY id % 4 ORDER BY id ROWS BETWEEN 3 PRECEDING AND 2 FOLLOWING)) s"),
    ("frames after the current row, and to the end",
     "SELECT " + DIG % "concat_ws(':', id, a, b, c, d)" + " FROM (SELECT id, sum(k) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 5 FOLLOWING) a, "
     "count(*) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) b, "
     "first_value(k) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING) c, "
     "last_value(t) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 4 PRECEDING) d FROM va WHERE id < 2500) s"),
    ("a growing ROWS frame and RANGE to the end",
     "SELECT " + DIG % "concat_ws(':', id, a, b)" + " FROM (SELECT id, sum(k) OVER (PARTITION BY t ORDER BY id ROWS UNBOUNDED PRECEDING) a, "
     "sum(k) OVER (PARTITION BY t ORDER BY id RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) b FROM va) s"),
    ("RANGE CURRENT ROW frames over peers",
     "SELECT " + DIG % "concat_ws(':', id, a, b)" + " FROM (SELECT id, count(*) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND CURRENT ROW) a, "
     "sum(id) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) b FROM va) s"),
    ("ntile", "SELECT nt, count(*), min(id), max(id) FROM (SELECT id, ntile(7) OVER (PARTITION BY b ORDER BY id) nt FROM va) s GROUP BY nt ORDER BY nt"),
    ("ntile(NULL)", "SELECT count(nt) FROM (SELECT ntile(NULL) OVER (ORDER BY id) nt FROM va) s"),
    ("ntile(0) is an error", "SELECT ntile(0) OVER (ORDER BY id) FROM va"),
    ("a negative frame offset is an error", "SELECT sum(k) OVER (ORDER BY id ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM va"),
    ("a text order key with NULLs, DESC",
     "SELECT " + DIG % "concat_ws(':', id, r, s)" + " FROM (SELECT id, rank() OVER (ORDER BY t DESC) r, sum(id) OVER (ORDER BY t DESC) s FROM va) s"),
    ("a qual and expressions below the window",
     "SELECT " + DIG % "concat_ws(':', id, r, s)" + " FROM (SELECT id, row_number() OVER (PARTITION BY m ORDER BY id) r, sum(m) OVER (PARTITION BY m ORDER BY id) s "
     "FROM (SELECT id, k % 4 AS m FROM va WHERE t LIKE 't1%') q) s"),
    ("a window over a join (its rows copied into the batch sort)",
     "SELECT md5(string_agg(concat_ws(':', id, r, s), ',' ORDER BY id, r)) FROM (SELECT va.id, rank() OVER (PARTITION BY vb.k ORDER BY va.id) r, "
     "sum(vb.id) OVER (PARTITION BY vb.k ORDER BY va.id ROWS 2 PRECEDING) s FROM va JOIN vb ON va.id = vb.id * 2) s"),
    ("a window over an aggregate",
     "SELECT k, c, rank() OVER (ORDER BY c DESC), sum(c) OVER (ORDER BY k NULLS FIRST) FROM (SELECT k, count(*) c FROM va GROUP BY k) s ORDER BY k NULLS FIRST"),
    ("fallback: RANGE with offsets",
     "SELECT " + DIG % "concat_ws(':', id, s)" + " FROM (SELECT id, sum(k) OVER (ORDER BY id RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING) s FROM va) s"),
    ("fallback: EXCLUDE and nth_value",
     "SELECT " + DIG % "concat_ws(':', id, s, v)" + " FROM (SELECT id, sum(k) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING EXCLUDE CURRENT ROW) s, "
     "nth_value(k, 2) OVER (ORDER BY id) v FROM va) s"),
    ("fallback: two windows",
     "SELECT " + DIG % "concat_ws(':', id, a, b)" + " FROM (SELECT id, row_number() OVER (ORDER BY id DESC) a, sum(k) OVER (PARTITION BY t ORDER BY id) b FROM va) s"),
    ("an empty input", "SELECT row_number() OVER (ORDER BY id), sum(k) OVER (ORDER BY id ROWS 3 PRECEDING) FROM va WHERE id < 0"),
    ("sum of integers past bigint is numeric in PostgreSQL, bigint overflow here for int8 inputs: int4 only",
     "SELECT max(s) FROM (SELECT sum(k * 100000) OVER (ORDER BY id ROWS BETWEEN 1000 PRECEDING AND CURRENT ROW) s FROM va) s"),
]
WINDOW_EXTRA = [
    "# EXPLAIN: the window reads batches\nquery T nosort\nEXPLAIN SELECT row_number() OVER (PARTITION BY k ORDER BY id) FROM va\n----\n"
    "WindowAgg  (rows=6000)\n  Batch Mode: on\n  ->  Seq Scan on va  (rows=6000)\n",
    "# EXPLAIN: a window over a join\nquery T nosort\nEXPLAIN SELECT rank() OVER (PARTITION BY vb.k ORDER BY va.id) FROM va JOIN vb ON va.id = vb.id\n----\n"
    "WindowAgg  (rows=135000)\n  Batch Mode: on\n  ->  Hash Join  (rows=135000)\n        Hash Cond: (va.id = vb.id)\n        Batch Mode: probe\n"
    "        ->  Seq Scan on va  (rows=6000)\n        ->  Seq Scan on vb  (rows=4500)\n",
    "# EXPLAIN: EXCLUDE keeps the row operator\nquery T nosort\nEXPLAIN SELECT sum(k) OVER (ORDER BY id ROWS 2 PRECEDING EXCLUDE TIES) FROM va\n----\n"
    "WindowAgg  (rows=6000)\n  ->  Seq Scan on va  (rows=6000)\n",
]

base = sys.argv[1] if len(sys.argv) > 1 else 'tests/sql'
write(base + '/select/vec_distinct.test', DISTINCT_HEADER, SETUP, DISTINCT_QUERIES, DISTINCT_EXTRA)
write(base + '/select/vec_setop.test', SETOP_HEADER, SETUP, SETOP_QUERIES, SETOP_EXTRA)
write(base + '/select/vec_window.test', WINDOW_HEADER, SETUP, WINDOW_QUERIES, WINDOW_EXTRA)
