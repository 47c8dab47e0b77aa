-- bench/vecexec/queries.sql - the measured queries; LI is replaced by li_row / li_col.
-- query: q1 (TPC-H Q1 shape: grouped, expression arguments)
SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice),
    sum(l_extendedprice * (1 - l_discount)), sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)),
    avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*)
FROM LI WHERE l_shipdate <= date '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY 1, 2;
-- query: q6 (TPC-H Q6 shape: range quals, one expression sum)
SELECT sum(l_extendedprice * l_discount) FROM LI
WHERE l_shipdate >= date '1994-01-01' AND l_shipdate < date '1995-01-01'
  AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24;
-- query: qf (an expression qual with no kernel shape, count FILTER)
SELECT count(*), count(*) FILTER (WHERE l_tax * 2 > 0.1) FROM LI
WHERE l_extendedprice * (1 - l_discount) > 5000 AND l_returnflag <> 'A';
-- query: qp (a plain projection of expressions over a filtered scan: about 364K rows out)
SELECT l_orderkey, l_extendedprice * (1 - l_discount), l_quantity + 1 FROM LI
WHERE l_discount > 0.08;
