-- bench/sqlexec/schema.sql - the row-operator workload of issue 3 (sort, top-N, row hash
-- join): t (ROWS rows: an integer key in scrambled order, a grouping integer, a float and
-- a short text) and d (a tenth as many rows, joined on t.g), once as row tables (t_row,
-- d_row) and once as column tables (t_col, d_col). ROWS is replaced by query_cpu.sh.
CREATE TABLE t_col (id bigint, x integer, g integer, f double precision, s text) USING column;
INSERT INTO t_col SELECT g, (g::bigint * 7919 % 1000003)::int, g % (ROWS / 10), (g % 1000) / 7.0,
    md5(g::text) FROM generate_series(1, ROWS) g;
CREATE TABLE d_col (g integer, name text, w integer) USING column;
INSERT INTO d_col SELECT g, 'n' || (g % 100), g % 13 FROM generate_series(0, ROWS / 10 - 1) g;
CREATE TABLE t_row (id bigint, x integer, g integer, f double precision, s text) USING row;
INSERT INTO t_row SELECT * FROM t_col;
CREATE TABLE d_row (g integer, name text, w integer) USING row;
INSERT INTO d_row SELECT * FROM d_col;
