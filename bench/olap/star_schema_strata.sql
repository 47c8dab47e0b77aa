-- bench/olap/star_schema_strata.sql - strata's physical design of the shared star schema
-- (../../../shared/bench/olap/star_schema.sql): the same logical tables, the fact table
-- USING column (scanned by few columns over many rows), dimensions as row tables
-- (clustered B+tree on the primary key, point lookups in joins).
-- One statement per block.  See SPEC.md for column semantics.
-- query: drop_agg
DROP TABLE IF EXISTS agg_daily_page_device;
-- query: drop_fact
DROP TABLE IF EXISTS fact_page_views;
-- query: drop_date
DROP TABLE IF EXISTS dim_date;
-- query: drop_user
DROP TABLE IF EXISTS dim_user;
-- query: drop_page
DROP TABLE IF EXISTS dim_page;
-- query: drop_device
DROP TABLE IF EXISTS dim_device;
-- query: dim_date
CREATE TABLE dim_date (
  date_key     INTEGER PRIMARY KEY,   -- yyyymmdd
  full_date    DATE NOT NULL,
  year         SMALLINT NOT NULL,
  quarter      SMALLINT NOT NULL,
  month        SMALLINT NOT NULL,
  month_name   TEXT NOT NULL,
  day_of_month SMALLINT NOT NULL,
  day_of_week  SMALLINT NOT NULL,     -- ISO: 1 = Monday
  day_name     TEXT NOT NULL,
  is_weekend   SMALLINT NOT NULL      -- 0/1
);
-- query: dim_user
CREATE TABLE dim_user (
  user_key    INTEGER PRIMARY KEY,
  user_id     TEXT NOT NULL,
  country     TEXT NOT NULL,          -- ISO 3166 alpha-2
  tier        TEXT NOT NULL,          -- free/basic/premium
  signup_date DATE NOT NULL
);
-- query: dim_page
CREATE TABLE dim_page (
  page_key  INTEGER PRIMARY KEY,
  url       TEXT NOT NULL,
  category  TEXT NOT NULL,
  page_type TEXT NOT NULL
);
-- query: dim_device
CREATE TABLE dim_device (
  device_key  INTEGER PRIMARY KEY,
  device_type TEXT NOT NULL,          -- mobile/desktop/tablet
  os          TEXT NOT NULL,
  browser     TEXT NOT NULL
);
-- query: fact_page_views
CREATE TABLE fact_page_views (
  view_id      BIGINT NOT NULL,       -- 1..N, in time order
  user_key     INTEGER NOT NULL,
  page_key     INTEGER NOT NULL,
  device_key   INTEGER NOT NULL,
  date_key     INTEGER NOT NULL,
  time_key     INTEGER NOT NULL,      -- second of day 0..86399
  session_id   BIGINT NOT NULL,
  referrer     TEXT NOT NULL,
  load_time_ms INTEGER NOT NULL,
  is_bounce    BOOLEAN NOT NULL
) USING column;
-- query: agg_daily_page_device
CREATE TABLE agg_daily_page_device (
  date_key      INTEGER NOT NULL,
  page_key      INTEGER NOT NULL,
  device_type   TEXT NOT NULL,
  views         BIGINT NOT NULL,
  bounces       BIGINT NOT NULL,
  total_load_ms BIGINT NOT NULL
);
