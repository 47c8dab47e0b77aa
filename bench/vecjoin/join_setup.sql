-- bench/vecjoin/join_setup.sql - a 1,000,000-row table joined to a 100,000-row one (row tables).
CREATE TABLE big (id int PRIMARY KEY, dk int, qty int, price float8, note text);
INSERT INTO big SELECT g, (g::bigint * 7919 % 100000)::int, g % 50, (g % 1000) / 10.0, 'n' || (g % 97) FROM generate_series(1, 1000000) g;
CREATE TABLE dim (dk int PRIMARY KEY, region text, grp int);
INSERT INTO dim SELECT g, 'r' || (g % 25), g % 1000 FROM generate_series(0, 99999) g;
ANALYZE;
