# tests/sql/select/vec_limit_gen.py - writes vec_limit.test (LIMIT / OFFSET and sorts over
# joins and aggregates on batches) and ../join/vec_semi.test (semi, anti, right and full
# probes on batches) from a PostgreSQL 15 server's answers: each query's rows, or its
# SQLSTATE for `statement error`. Every query is written twice, after SET enable_vectorize
# = on and = off. EXPLAIN records (strata's own plans) are kept in the EXTRA lists below.
#   PGHOST=... PGPORT=... /usr/bin/python3 tests/sql/select/vec_limit_gen.py tests/sql
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
        out += [render(*q) for q in queries]
    out.append("statement ok\nSET enable_vectorize = on\n")
    out += extra
    open(path, 'w').write('\n'.join(out))


LIMIT_HEADER = """# vec_limit.test - LIMIT / OFFSET / FETCH FIRST over a batch input (exec/vec_limit.c) and
# sorts whose input is a join or an aggregate (exec/vec_sort.c over packed batches), issue 3.
# Every query runs with enable_vectorize on and off, with the same expected rows, from
# PostgreSQL 15 (tests/sql/select/vec_limit_gen.py writes this file): OFFSET across batches,
# kernel and batch-expression quals, projections, LIMIT 0 / NULL, OFFSET past the end, FETCH
# FIRST, LIMIT in a subquery, errors of rows past the LIMIT (not raised) and of skipped OFFSET
# rows (raised), negative counts, LIMIT / OFFSET over sorts (top-N and full), sorts over
# inner, left and semi joins and over aggregates.
"""
LIMIT_SETUP = [
    "CREATE TABLE vl AS SELECT g AS id, CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 7919) % 1009 END AS k, "
    "CASE WHEN g % 13 = 0 THEN NULL ELSE 'v' || (g % 97) END AS t, g % 5 AS five FROM generate_series(1, 7000) g",
    "CREATE TABLE vd AS SELECT g AS k, 'd' || (g % 7) AS name, CASE WHEN g % 9 = 0 THEN NULL ELSE g % 4 END AS w "
    "FROM generate_series(0, 1008, 3) g",
    "INSERT INTO vd SELECT k, 'dup' || (k % 5), 5 FROM vd WHERE k % 45 = 0",
]
LIMIT_QUERIES = [
    ("LIMIT and OFFSET across batches over a kernel-filtered scan",
     "SELECT id, k, t FROM vl WHERE five = 2 LIMIT 4 OFFSET 500"),
    ("expressions in the select list (a batch-wise projection)",
     "SELECT id, k + 1, upper(t), coalesce(t, '-') || five FROM vl WHERE k > 500 LIMIT 5 OFFSET 3000"),
    ("a qual that is not a kernel",
     "SELECT id FROM vl WHERE k % 7 = 3 AND t LIKE 'v1%' LIMIT 6 OFFSET 20"),
    ("OFFSET alone, to the end",
     "SELECT id, k FROM vl WHERE id > 6900 OFFSET 95"),
    ("OFFSET past the end",
     "SELECT id FROM vl OFFSET 7000"),
    ("LIMIT 0",
     "SELECT id FROM vl LIMIT 0"),
    ("LIMIT 0 over a sort: the input is not run (its error is not raised)",
     "SELECT id, 10 / (id - id) FROM vl ORDER BY 2 LIMIT 0"),
    ("a LIMIT over a sort whose input fails",
     "SELECT id, 10 / (id - id) FROM vl ORDER BY 2 LIMIT 1"),
    ("LIMIT NULL is no limit, in a subquery",
     "SELECT count(*), min(id), max(id) FROM (SELECT id FROM vl WHERE five = 1 LIMIT NULL OFFSET 3) s"),
    ("OFFSET n ROWS FETCH FIRST m ROWS ONLY",
     "SELECT id, t FROM vl WHERE k IS NULL OFFSET 10 ROWS FETCH FIRST 3 ROWS ONLY"),
    ("FETCH FIRST ROW ONLY",
     "SELECT id FROM vl WHERE k < 5 FETCH FIRST ROW ONLY"),
    ("a LIMIT in a subquery: its rows go up one at a time",
     "SELECT count(*), sum(id), min(id), max(id) FROM (SELECT id FROM vl WHERE k > 900 LIMIT 300 OFFSET 100) s"),
    ("LIMIT and OFFSET expressions",
     "SELECT id FROM vl LIMIT 2 + 1 OFFSET 10 * 10"),
    ("a select-list error in a row past the LIMIT is not raised",
     "SELECT id, 1000 / (id - 4000) FROM vl WHERE five = 0 LIMIT 3 OFFSET 790"),
    ("a select-list error in a skipped OFFSET row is raised",
     "SELECT id, 1000 / (id - 4000) FROM vl WHERE five = 0 LIMIT 1 OFFSET 805"),
    ("a qual error in a row past the LIMIT is not raised",
     "SELECT id FROM vl WHERE 1000 / (id - 5000) <> 7 LIMIT 10 OFFSET 4980"),
    ("the same qual raises its error within the LIMIT",
     "SELECT id FROM vl WHERE 1000 / (id - 5000) <> 7 LIMIT 30 OFFSET 4980"),
    ("a negative LIMIT",
     "SELECT id FROM vl LIMIT -1"),
    ("a negative OFFSET",
     "SELECT id FROM vl WHERE five = 3 OFFSET -1"),
    ("top-N with an OFFSET over a sort",
     "SELECT id, k FROM vl ORDER BY k DESC NULLS LAST, id LIMIT 4 OFFSET 2990"),
    ("a sort key that is not selected (a projection over the LIMIT)",
     "SELECT id FROM vl ORDER BY t, k, id LIMIT 3 OFFSET 4000"),
    ("OFFSET without LIMIT over a full sort",
     "SELECT id FROM vl ORDER BY k, id OFFSET 6995"),
    ("a sort over an inner join, LIMIT and OFFSET",
     "SELECT vl.id, vd.name FROM vl JOIN vd ON vl.k = vd.k ORDER BY vd.name, vl.id LIMIT 5 OFFSET 100"),
    ("the order of a whole sort over a join",
     "SELECT count(*), md5(string_agg(id::text || ':' || name, ',')) FROM "
     "(SELECT vl.id, vd.name FROM vl JOIN vd ON vl.k = vd.k ORDER BY vd.name DESC, vl.id) s"),
    ("a sort over a left join with NULLs",
     "SELECT vl.id, vd.w FROM vl LEFT JOIN vd ON vl.k = vd.k WHERE vl.id < 300 ORDER BY vd.w NULLS FIRST, vl.id DESC LIMIT 6"),
    ("a sort over an aggregate",
     "SELECT k % 10, count(*), min(id) FROM vl GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 4"),
    ("a sort over an aggregate over a join",
     "SELECT vd.name, count(*), sum(vl.id) FROM vl JOIN vd ON vl.k = vd.k GROUP BY vd.name ORDER BY 3 DESC LIMIT 3"),
    ("a sort over a semi join",
     "SELECT id FROM vl WHERE EXISTS (SELECT 1 FROM vd WHERE vd.k = vl.k) ORDER BY k DESC, id LIMIT 4 OFFSET 7"),
    ("the order of a whole sort over an aggregate, text keys",
     "SELECT count(*), md5(string_agg(t || '=' || c, ',')) FROM "
     "(SELECT t, count(*) AS c FROM vl GROUP BY t ORDER BY c, t NULLS FIRST) s"),
]
LIMIT_EXTRA = ["""# Which operators run on batches: EXPLAIN says so under the Limit and the Sort.
query T nosort
EXPLAIN SELECT id, k + 1 FROM vl WHERE five = 2 LIMIT 4 OFFSET 500
----
Limit  (rows=10)
  Batch Mode: on
  ->  Seq Scan on vl  (rows=35)
        Filter: (five = 2)
""", """# EXPLAIN ANALYZE: the scan stops at the rows the LIMIT takes (OFFSET included).
query T nosort
EXPLAIN ANALYZE SELECT id FROM vl WHERE five = 2 LIMIT 4 OFFSET 500
----
Limit  (rows=10) (actual rows=4 loops=1)
  Batch Mode: on
  ->  Seq Scan on vl  (rows=35) (actual rows=504 loops=1)
        Filter: (five = 2)
""", """# A volatile select list reads rows.
query T nosort
EXPLAIN SELECT id, random() FROM vl LIMIT 3
----
Limit  (rows=10)
  ->  Seq Scan on vl  (rows=7000)
""", """query T nosort
EXPLAIN SELECT vd.name, count(*) FROM vl JOIN vd ON vl.k = vd.k GROUP BY vd.name ORDER BY 2 DESC LIMIT 3
----
Limit  (rows=10)
  ->  Sort  (rows=1260)
        Sort Key: count(*) DESC
        Batch Mode: on
        ->  HashAggregate  (rows=1260)
              Group Key: vd.name
              ->  Hash Join  (rows=12600)
                    Hash Cond: (vl.k = vd.k)
                    Batch Mode: probe
                    ->  Seq Scan on vl  (rows=7000)
                    ->  Seq Scan on vd  (rows=360)
"""]

SEMI_HEADER = """# vec_semi.test - semi and anti joins (EXISTS, NOT EXISTS, IN, NOT IN decorrelated) and
# RIGHT / FULL hash joins whose probe side reads the scan's batches (exec/vec_probe.c, issue
# 3). Every query runs with enable_vectorize on (batch probe) and off (row probe), with the
# same expected rows, from PostgreSQL 15 (tests/sql/select/vec_limit_gen.py writes this
# file): NULL probe and build keys, duplicate build keys, two keys, text keys, NOT IN with
# and without a NULL in the subquery and over an empty one, filters on both sides, unmatched
# build rows of RIGHT / FULL joins, a residual condition on a FULL join.
"""
SEMI_SETUP = [
    "CREATE TABLE sf AS SELECT g AS id, CASE WHEN g % 9 = 0 THEN NULL ELSE g % 400 END AS k, g % 4 AS k2, "
    "'s' || (g % 50) AS t FROM generate_series(1, 6000) g",
    "CREATE TABLE sd AS SELECT g * 2 AS k, g % 4 AS k2, 's' || (g % 20) AS t, g % 3 AS w FROM generate_series(0, 250) g",
    "INSERT INTO sd SELECT k, k2 + 1, t, 7 FROM sd WHERE k % 10 = 0",
    "CREATE TABLE sn AS SELECT k FROM sd UNION ALL SELECT NULL",
]
SEMI_QUERIES = [
    ("EXISTS on one key (duplicate build keys, NULL probe keys)",
     "SELECT count(*), sum(id), min(id), max(id) FROM sf WHERE EXISTS (SELECT 1 FROM sd WHERE sd.k = sf.k)"),
    ("NOT EXISTS: NULL probe keys have no match",
     "SELECT count(*), sum(id), count(k) FROM sf WHERE NOT EXISTS (SELECT 1 FROM sd WHERE sd.k = sf.k)"),
    ("IN (subquery)",
     "SELECT count(*), sum(id) FROM sf WHERE k IN (SELECT k FROM sd WHERE w = 1)"),
    ("NOT IN over a subquery holding a NULL: no row",
     "SELECT count(*) FROM sf WHERE k NOT IN (SELECT k FROM sn)"),
    ("NOT IN without NULLs: NULL probe keys are not returned",
     "SELECT count(*), sum(id), count(k) FROM sf WHERE k NOT IN (SELECT k FROM sn WHERE k IS NOT NULL)"),
    ("NOT IN over an empty subquery: every row, NULL keys too",
     "SELECT count(*), sum(id) FROM sf WHERE k NOT IN (SELECT k FROM sd WHERE w > 100)"),
    ("EXISTS on two keys with a filtered build side",
     "SELECT count(*), sum(id) FROM sf WHERE EXISTS (SELECT 1 FROM sd WHERE sd.k = sf.k AND sd.k2 = sf.k2 AND sd.w > 0)"),
    ("NOT EXISTS on two keys with a probe-side filter",
     "SELECT count(*), sum(id) FROM sf WHERE id % 3 = 0 AND NOT EXISTS (SELECT 1 FROM sd WHERE sd.k = sf.k AND sd.k2 = sf.k2)"),
    ("EXISTS on a text key",
     "SELECT count(*), sum(id) FROM sf WHERE EXISTS (SELECT 1 FROM sd WHERE sd.t = sf.t AND sd.w = 2)"),
    ("the rows of a semi join, ordered",
     "SELECT id, k FROM sf WHERE k IN (SELECT k FROM sd WHERE w = 7) ORDER BY k DESC, id LIMIT 6 OFFSET 40"),
    ("the rows of an anti join, ordered",
     "SELECT id, t FROM sf WHERE NOT EXISTS (SELECT 1 FROM sd WHERE sd.k = sf.k) ORDER BY id DESC LIMIT 5"),
    ("RIGHT JOIN: unmatched build rows after the probe",
     "SELECT count(*), count(sf.id), count(sd.k), sum(sf.id), sum(sd.k) FROM sf RIGHT JOIN sd ON sf.k = sd.k"),
    ("FULL JOIN: unmatched rows of both sides",
     "SELECT count(*), count(sf.id), count(sd.k), sum(sf.id), sum(sd.k) FROM sf FULL JOIN sd ON sf.k = sd.k"),
    ("FULL JOIN with a residual condition",
     "SELECT count(*), count(sf.id), count(sd.k), sum(sf.id) FROM sf FULL JOIN sd ON sf.k = sd.k AND sf.id % 2 = 0"),
    ("RIGHT JOIN grouped on the build side",
     "SELECT sd.k, sd.w, count(sf.id) FROM sf RIGHT JOIN sd ON sf.k = sd.k AND sf.k2 = sd.k2 "
     "GROUP BY sd.k, sd.w ORDER BY 3, 1, 2 LIMIT 6"),
    ("FULL JOIN rows, ordered",
     "SELECT sf.id, sd.k FROM sf FULL JOIN sd ON sf.k = sd.k AND sf.id < 500 ORDER BY sf.id NULLS FIRST, sd.k LIMIT 5 OFFSET 230"),
]
SEMI_EXTRA = ["""# EXPLAIN names the joins that probe with batches.
query T nosort
EXPLAIN SELECT count(*) FROM sf WHERE EXISTS (SELECT 1 FROM sd WHERE sd.k = sf.k)
----
Aggregate  (rows=1)
  ->  Hash Semi Join  (rows=6000)
        Hash Cond: (sf.k = sd.k)
        Batch Mode: probe
        ->  Seq Scan on sf  (rows=6000)
        ->  Seq Scan on sd  (rows=302)
""", """query T nosort
EXPLAIN SELECT count(*) FROM sf WHERE k NOT IN (SELECT k FROM sn)
----
Aggregate  (rows=1)
  ->  Hash Anti Join  (rows=1)
        Hash Cond: (sf.k = sn.k)
        Batch Mode: probe
        ->  Seq Scan on sf  (rows=6000)
        ->  Seq Scan on sn  (rows=303)
""", """query T nosort
EXPLAIN SELECT count(*) FROM sf FULL JOIN sd ON sf.k = sd.k
----
Aggregate  (rows=1)
  ->  Hash Full Join  (rows=6000)
        Hash Cond: (sf.k = sd.k)
        Batch Mode: probe
        ->  Seq Scan on sf  (rows=6000)
        ->  Seq Scan on sd  (rows=302)
"""]

root = sys.argv[1]
write(root + '/select/vec_limit.test', LIMIT_HEADER, LIMIT_SETUP, LIMIT_QUERIES, LIMIT_EXTRA)
write(root + '/join/vec_semi.test', SEMI_HEADER, SEMI_SETUP, SEMI_QUERIES, SEMI_EXTRA)
