-- bench/sqlexec/queries.sql - the measured queries; T and D are replaced by t_row/d_row or
-- t_col/d_col.
-- query: topn (top-N over a whole table)
SELECT id, x, s FROM T ORDER BY x LIMIT 100;
-- query: sort (a full sort of every row, three columns out)
SELECT id, x, f FROM T ORDER BY x;
-- query: sortexpr (projection of expressions over a filtered scan, sorted)
SELECT id, x + 1, f * 2 FROM T WHERE g < 50000 ORDER BY f, id;
-- query: join (hash join of the two tables, grouped above)
SELECT D.name, count(*), sum(T.f) FROM T JOIN D ON T.g = D.g WHERE D.w < 7 GROUP BY D.name;
-- query: limit (LIMIT / OFFSET over a filtered scan)
SELECT id, s FROM T WHERE x % 3 = 0 LIMIT 100 OFFSET 100000;
