-- bench/vecexec/schema.sql - a lineitem-shaped table (TPC-H Q1 / Q6 columns), ROWS rows,
-- once as a row table (li_row) and once as a column table (li_col). ROWS is replaced by
-- query_cpu.sh.
CREATE TABLE li_col (l_orderkey bigint, l_quantity integer, l_extendedprice double precision,
    l_discount double precision, l_tax double precision, l_returnflag text, l_linestatus text,
    l_shipdate date) USING column;
INSERT INTO li_col SELECT g, 1 + g % 50, 900 + (g % 100000) / 10.0, (g % 11) / 100.0,
    (g % 9) / 100.0, CASE g % 3 WHEN 0 THEN 'A' WHEN 1 THEN 'N' ELSE 'R' END,
    CASE WHEN g % 2 = 0 THEN 'F' ELSE 'O' END, date '1992-01-01' + (g % 2500)
    FROM generate_series(1, ROWS) g;
CREATE TABLE li_row (l_orderkey bigint, l_quantity integer, l_extendedprice double precision,
    l_discount double precision, l_tax double precision, l_returnflag text, l_linestatus text,
    l_shipdate date) USING row;
INSERT INTO li_row SELECT * FROM li_col;
