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
-- query: limitsort (top-N with an OFFSET)
SELECT id, x, s FROM T ORDER BY x LIMIT 100 OFFSET 10000;
-- query: joinsort (a sort over a hash join, top-N)
SELECT T.id, T.x, D.name FROM T JOIN D ON T.g = D.g WHERE D.w < 7 ORDER BY D.name, T.x LIMIT 100;
-- query: aggsort (a full sort over a grouped aggregate)
SELECT g, count(*), sum(x) FROM T GROUP BY g ORDER BY 3 DESC, g;
-- query: semi (EXISTS decorrelated into a semi join)
SELECT count(*), sum(T.x) FROM T WHERE EXISTS (SELECT 1 FROM D WHERE D.g = T.g AND D.w < 7);
-- query: anti (NOT EXISTS decorrelated into an anti join)
SELECT count(*), sum(T.x) FROM T WHERE NOT EXISTS (SELECT 1 FROM D WHERE D.g = T.g AND D.w < 7);
-- query: full (FULL JOIN: unmatched rows of both sides)
SELECT count(*), count(T.id), count(D.g) FROM T FULL JOIN D ON T.x = D.g;
