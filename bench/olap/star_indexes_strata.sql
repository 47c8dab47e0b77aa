-- bench/olap/star_indexes_strata.sql - secondary indexes for strata's star schema.
-- The shared star_indexes.sql gives row stores fact(date_key) and fact(user_key). Our fact
-- table is a column table: like DuckDB, it gets none (zone maps on date_key skip row groups,
-- and the data is loaded in time order). Dimensions are clustered on their primary keys.
-- query: fact_date
SELECT 1;
-- query: fact_user
SELECT 1;
