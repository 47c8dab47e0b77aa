# tests/sql/select/vec_expr_gen.py - writes vec_expr.test from a PostgreSQL 15 server's
# answers to its queries (each query's rows, or its SQLSTATE for `statement error`).
#   PGHOST=... PGPORT=... /usr/bin/python3 tests/sql/select/vec_expr_gen.py tests/sql/select/vec_expr.test
import os, psycopg2, sys
conn=psycopg2.connect(host=os.environ.get('PGHOST'),port=os.environ.get('PGPORT', '5432'),
                      user=os.environ.get('PGUSER', 'postgres'),dbname='postgres')
conn.autocommit=True
cur=conn.cursor()
setup=[
"CREATE TABLE ve (id integer, a integer, b integer, c bigint, d double precision, s text, flag boolean, e smallint)",
"INSERT INTO ve SELECT g, CASE WHEN g = 10 THEN 2000000000 WHEN g % 97 = 0 THEN NULL ELSE g END, CASE WHEN g % 89 = 0 THEN NULL ELSE g % 50 END, g * 100000000000, CASE WHEN g % 53 = 0 THEN NULL ELSE g / 8.0 END, CASE WHEN g % 61 = 0 THEN NULL ELSE 'k' || (g % 13) END, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 3 = 0 END, g % 300 FROM generate_series(1, 10000) g",
]
queries=[
("TPC-H Q6 shape: BETWEEN kernels, arithmetic in the qual and in sum()",
 "SELECT sum(d * a), count(*) FROM ve WHERE b BETWEEN 5 AND 20 AND d < 900 AND a + 2 > 100"),
("TPC-H Q1 shape: grouped, expression arguments with mixed types",
 "SELECT s, sum(a), sum(a::int8 * (100 - b)), avg(d * (1 + b)), count(*) FROM ve WHERE d <= 1000 GROUP BY s ORDER BY s"),
("OR / NOT with NULLs (three-valued logic)",
 "SELECT count(*) FROM ve WHERE (d > 100 OR s IS NULL) AND NOT flag"),
("a conjunct guarding a division: no error",
 "SELECT count(*), sum(a) FROM ve WHERE b <> 0 AND a / b > 10"),
("CASE guarding a division, count(*) FILTER with LIKE prefix and IS NULL",
 "SELECT sum(CASE WHEN b <> 0 THEN a / b END), count(*) FILTER (WHERE s LIKE 'k1%'), count(*) FILTER (WHERE flag IS NULL OR a IS NULL) FROM ve"),
("COALESCE, text <>",
 "SELECT count(*) FROM ve WHERE coalesce(a, -1) + coalesce(b, 0) > 5000 AND s <> 'k3'"),
("casts between numeric types",
 "SELECT count(*), sum(a::int8 * 3) FROM ve WHERE a::int8 * 3000000000 > 9000000000000"),
("float to int cast, smallint arithmetic",
 "SELECT sum(d::int4), sum(e * 2), sum(e::float8 / 7) FROM ve WHERE e < 100"),
("IN and NOT IN lists of constants, and a list holding NULL (three-valued)",
 "SELECT count(*), count(*) FILTER (WHERE a NOT IN (1, 2, NULL)), count(*) FILTER (WHERE b IN (7, NULL)) FROM ve WHERE s IN ('k1', 'k2', 'k12') AND b NOT IN (1, 2, 3)"),
("NOT of AND with NULL operands",
 "SELECT count(*) FROM ve WHERE NOT (a > 5000 AND d IS NULL)"),
("group key that is an expression",
 "SELECT b % 3, count(*), sum(e) FROM ve GROUP BY b % 3 ORDER BY 1"),
("group keys that are text and boolean expressions",
 "SELECT s || '!', d > 600, count(*), sum(e) FROM ve GROUP BY 1, 2 ORDER BY 1, 2"),
("an error in a group key expression after an earlier row's overflow in an argument: the overflow",
 "SELECT a / b, sum(a * 100000) FROM ve GROUP BY 1"),
("an error in a group key expression",
 "SELECT a / (b - b), count(*) FROM ve GROUP BY 1"),
("projection of expressions over a filtered scan",
 "SELECT id, a + b, d * 2, coalesce(s, 'none'), CASE WHEN flag THEN 'y' WHEN NOT flag THEN 'n' END FROM ve WHERE id % 1000 = 7 ORDER BY id"),
("text = and LIKE prefix in the qual, IS NOT NULL",
 "SELECT count(*), min(id), max(id) FROM ve WHERE (s = 'k12' OR s LIKE 'k1%') AND d IS NOT NULL"),
("plain projection over a filtered scan (batch-wise Project), scan order",
 "SELECT id, a + b, coalesce(s, 'none'), d * 2, CASE WHEN flag THEN 'y' WHEN NOT flag THEN 'n' END FROM ve WHERE id % 1000 = 7"),
("plain projection with a function without a kernel and casts",
 "SELECT upper(s) || '-' || id, a::int8 * 3, (d * 8)::int4 FROM ve WHERE id < 5 OR id > 9997"),
("projection errors: the first failing row, and in it the first target (overflow before division)",
 "SELECT a + 2147483647, a / (b - b) FROM ve"),
("projection errors: the division is the first target",
 "SELECT a / (b - b), a + 2147483647 FROM ve"),
("a LIMIT stops before the row that would fail (its batch is evaluated, the error is not raised)",
 "SELECT count(*), max(id) FROM (SELECT id FROM ve WHERE 100000 / (id - 9000) < 0 LIMIT 8999) s"),
("the first failing row decides the error: row 10 overflows a * 100000 before row 50 divides by zero",
 "SELECT count(*) FROM ve WHERE a / b > 0 AND a * 100000 > 0"),
("the same in aggregate arguments: row 10's overflow, not row 50's division",
 "SELECT sum(a / b), sum(a * 100000) FROM ve"),
("a division by zero in an aggregate argument",
 "SELECT sum(a / b) FROM ve"),
("smallint overflow",
 "SELECT count(*) FROM ve WHERE e * e > 0"),
("float division by zero",
 "SELECT count(*) FROM ve WHERE d / (b - b) > 0"),
("float overflow",
 "SELECT sum(d * 1e308::float8) FROM ve"),
("bigint overflow",
 "SELECT count(*) FROM ve WHERE c * 100000000 > 0"),
]
for s in setup:
    cur.execute("DROP TABLE IF EXISTS ve")
    break
for s in setup: cur.execute(s)
def fmt(v, t):
    if v is None: return 'NULL'
    if isinstance(v, bool): return 't' if v else 'f'
    if t=='R': return '%.3f'%float(v)
    if t=='I': return str(int(v))
    return str(v)
out=[]
out.append("""# tests/sql/select/vec_expr.test
# The batch expression evaluator (src/exec/vec_expr.c, issue 3): scan quals,
# aggregate arguments and FILTERs evaluated batch-wise. Every query runs with
# SET enable_vectorize = on, then off (eval.c row by row), with the same
# expected results, taken from PostgreSQL 15 on the same data: arithmetic
# errors (22003, 22012) including which one when several rows would fail (the
# first failing row's), NULL logic, mixed integer / float / smallint types.
# The table has no USING clause, so the suite's --default-am column run
# covers column tables (the vectorized aggregate pipeline) too.
""")
for s in setup:
    out.append("statement ok\n%s\n"%s)
for mode in ['on','off']:
    out.append("statement ok\nSET enable_vectorize = %s\n"%mode)
    for (title,q) in queries:
        try:
            cur.execute(q)
            rows=cur.fetchall()
            types=''
            for d in cur.description:
                oid=d.type_code
                types+= 'R' if oid in (700,701,1700) and not q.startswith("SELECT count(*), sum(a::int8") else ('I' if oid in (20,21,23,1700) else 'T')
            # numeric sums of integers print as integers
            tl=[]
            for i,d in enumerate(cur.description):
                oid=d.type_code
                if oid==1700:
                    vals=[r[i] for r in rows if r[i] is not None]
                    tl.append('I' if all(v==int(v) for v in vals) and not q.startswith("SELECT s, sum(a), sum(a * (100 - b)), avg") or i!=3 and all(v==int(v) for v in vals) else 'R')
                elif oid in (700,701): tl.append('R')
                elif oid in (20,21,23): tl.append('I')
                else: tl.append('T')
            types=''.join(tl)
            body='\n'.join(fmt(r[i],types[i]) for r in rows for i in range(len(types)))
            out.append("# %s\nquery %s nosort\n%s\n----\n%s\n"%(title,types,q,body))
        except psycopg2.Error as e:
            out.append("# %s\nstatement error %s\n%s\n"%(title,e.pgcode,q))
            print(mode, title, e.pgcode, e.pgerror.splitlines()[0], file=sys.stderr)
out.append("statement ok\nSET enable_vectorize = on\n")
open(sys.argv[1],'w').write('\n'.join(out))
