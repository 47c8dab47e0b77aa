-- bench/olap/star_indexes_strata.sql - secondary indexes for strata's star schema.
-- The shared star_indexes.sql gives row stores fact(date_key) and fact(user_key). Our fact
-- table is a column table: no date index (zone maps on date_key skip row groups, and the data
-- is loaded in time order), but the user index, as in the shared file: q10 (one user's
-- history) is a point query through it - the index gives row ids and the column store reads
-- only those rows' positions (docs/analytics.md). q01-q09 do not use it (star joins and scans
-- run in the vectorized pipeline). Dimensions are clustered on their primary keys.
-- query: fact_date
SELECT 1;
-- query: fact_user
CREATE INDEX fact_user_idx ON fact_page_views (user_key);
