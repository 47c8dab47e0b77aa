-- bench/vecjoin/q3_setup.sql - TPC-H Q3-shaped tables (row tables): 30K customers, 300K orders, 1.2M lineitems.
CREATE TABLE customer (c_custkey int PRIMARY KEY, c_mktsegment text, c_name text);
INSERT INTO customer SELECT g, (ARRAY['BUILDING','AUTOMOBILE','MACHINERY','HOUSEHOLD','FURNITURE'])[1 + g % 5], 'Customer#' || g FROM generate_series(1, 30000) g;
CREATE TABLE orders (o_orderkey int PRIMARY KEY, o_custkey int, o_orderdate date, o_shippriority int);
INSERT INTO orders SELECT g, 1 + (g::bigint * 7919 % 30000)::int, DATE '1992-01-01' + (g % 2400), 0 FROM generate_series(1, 300000) g;
CREATE TABLE lineitem (l_id int PRIMARY KEY, l_orderkey int, l_extendedprice numeric(12,2), l_discount numeric(4,2), l_shipdate date);
INSERT INTO lineitem SELECT g, 1 + (g / 4) % 300000, 900 + (g % 10000) / 10.0, (g % 11) / 100.0, DATE '1992-01-02' + ((g / 4) % 2400) + g % 30 FROM generate_series(1, 1200000) g;
ANALYZE;
