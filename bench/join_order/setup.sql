-- bench/join_order/setup.sql - data for the join-order and decorrelation
-- measurements (src/plan/README.md "Measurements"): the 8-way join of
-- tests/sql/join/join_order.test at 10x, and a TPC-H Q4-like orders /
-- lineitem pair.
CREATE TABLE hub (id integer PRIMARY KEY, grp integer);
INSERT INTO hub SELECT g, 0 FROM generate_series(1, 100000) AS g;
CREATE TABLE fan (id integer, g integer);
INSERT INTO fan SELECT g, 0 FROM generate_series(1, 20) AS g;
CREATE TABLE sel (id integer, label text);
INSERT INTO sel SELECT g, 'label' || g FROM generate_series(1, 50) AS g;
CREATE TABLE m1 (hid integer, v integer);
INSERT INTO m1 SELECT g, g FROM generate_series(1, 1000) AS g;
CREATE TABLE m2 (hid integer, v integer);
INSERT INTO m2 SELECT g, g * 2 FROM generate_series(1, 1000) AS g;
CREATE TABLE m3 (hid integer, v integer);
INSERT INTO m3 SELECT g, g * 3 FROM generate_series(1, 1000) AS g;
CREATE TABLE m4 (hid integer, v integer);
INSERT INTO m4 SELECT g, g * 4 FROM generate_series(1, 1000) AS g;
CREATE TABLE m5 (hid integer, v integer);
INSERT INTO m5 SELECT g, g * 5 FROM generate_series(1, 1000) AS g;
CREATE TABLE orders (o_orderkey integer PRIMARY KEY, o_date date, o_priority text);
INSERT INTO orders SELECT g, DATE '2024-01-01' + (g % 730), 'p' || (g % 5) FROM generate_series(1, 50000) AS g;
CREATE TABLE lineitem (l_orderkey integer, l_linenumber integer, l_commitdate date, l_receiptdate date,
                       PRIMARY KEY (l_orderkey, l_linenumber));
INSERT INTO lineitem SELECT g / 4 + 1, g % 4, DATE '2024-01-01' + (g % 700), DATE '2024-01-01' + (g % 700) + (g % 7) - 3
  FROM generate_series(0, 199999) AS g;
ANALYZE;
