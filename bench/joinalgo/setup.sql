-- bench/joinalgo/setup.sql - the book's customers and orders at 1M customers:
-- index nested loops into a big indexed table, foreign-key checks through the
-- referencing side's index.
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, region integer);
INSERT INTO customers SELECT g, 'customer ' || g, g % 50 FROM generate_series(1, 1000000) AS g;
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers (id), amount integer);
INSERT INTO orders SELECT g, (g * 7919) % 1000000 + 1, g % 1000 FROM generate_series(1, 200000) AS g;
CREATE INDEX orders_customer ON orders (customer_id);
ANALYZE;
