-- examples/analytics/schema.sql - the star schema of the book's chapter 9:
-- a page-view fact table and its date, user, page and device dimensions.
-- dim_user is a slowly changing dimension of type 2: a change closes the
-- current row (valid_to, is_current = false) and opens a new one under a new
-- surrogate key, so each fact keeps the attributes that were true when it
-- happened. Raw events arrive in staging_page_views with natural keys and are
-- loaded into the fact table by a point-in-time join (load_facts.sql).

CREATE TABLE dim_date (
    date_key    integer PRIMARY KEY,      -- yyyymmdd
    full_date   date NOT NULL UNIQUE,
    year        integer NOT NULL,
    quarter     integer NOT NULL,
    month       integer NOT NULL,
    month_name  varchar(20) NOT NULL,
    week        integer NOT NULL,
    day_of_week integer NOT NULL,         -- 0 = Sunday, as extract(dow)
    day_name    varchar(20) NOT NULL,
    is_weekend  boolean NOT NULL,
    is_holiday  boolean NOT NULL DEFAULT false
);

CREATE TABLE dim_user (
    user_key   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- surrogate key
    user_id    integer NOT NULL,                                  -- natural key (not unique)
    name       varchar(100) NOT NULL,
    country    varchar(50) NOT NULL,
    tier       varchar(20) NOT NULL,
    valid_from date NOT NULL,
    valid_to   date,                                              -- NULL for the current row
    is_current boolean NOT NULL
);
CREATE INDEX dim_user_natural_idx ON dim_user (user_id, valid_from);

CREATE TABLE dim_page (
    page_key  integer PRIMARY KEY,
    page_name varchar(100) NOT NULL,
    page_url  varchar(500) NOT NULL,
    section   varchar(50) NOT NULL
);

CREATE TABLE dim_device (
    device_key  integer PRIMARY KEY,
    device_type varchar(20) NOT NULL,
    os          varchar(30) NOT NULL
);

CREATE TABLE fact_page_views (
    view_id      bigint PRIMARY KEY,
    user_key     integer NOT NULL REFERENCES dim_user,
    page_key     integer NOT NULL REFERENCES dim_page,
    device_key   integer NOT NULL REFERENCES dim_device,
    date_key     integer NOT NULL REFERENCES dim_date,
    session_id   varchar(50) NOT NULL,   -- a degenerate dimension
    load_time_ms integer NOT NULL,
    is_bounce    boolean NOT NULL
);

CREATE TABLE staging_page_views (
    view_id      bigint PRIMARY KEY,
    user_id      integer NOT NULL,
    viewed_on    date NOT NULL,
    page_key     integer NOT NULL,
    device_key   integer NOT NULL,
    session_id   varchar(50) NOT NULL,
    load_time_ms integer NOT NULL,
    is_bounce    boolean NOT NULL
);

-- The date dimension, generated, with its deliberate redundancy (month_name
-- next to month, day_name next to day_of_week).
INSERT INTO dim_date (date_key, full_date, year, quarter, month, month_name, week,
                      day_of_week, day_name, is_weekend, is_holiday)
SELECT to_char(d, 'YYYYMMDD')::integer,
       d::date,
       extract(year FROM d)::integer,
       extract(quarter FROM d)::integer,
       extract(month FROM d)::integer,
       trim(to_char(d, 'Month')),
       extract(week FROM d)::integer,
       extract(dow FROM d)::integer,
       trim(to_char(d, 'Day')),
       extract(dow FROM d) IN (0, 6),
       d::date IN (date '2024-01-01', date '2024-01-15', date '2024-02-19')
FROM generate_series(timestamp '2024-01-01', timestamp '2024-02-29', interval '1 day') AS d;

INSERT INTO dim_page (page_key, page_name, page_url, section) VALUES
    (1, 'Home', '/', 'main'),
    (2, 'Pricing', '/pricing', 'sales'),
    (3, 'Docs', '/docs', 'support'),
    (4, 'Blog', '/blog', 'content'),
    (5, 'Signup', '/signup', 'sales'),
    (6, 'Login', '/login', 'main'),
    (7, 'Dashboard', '/app', 'product'),
    (8, 'Settings', '/app/settings', 'product');

INSERT INTO dim_device (device_key, device_type, os) VALUES
    (1, 'desktop', 'Windows'), (2, 'desktop', 'macOS'), (3, 'mobile', 'iOS'),
    (4, 'mobile', 'Android'), (5, 'tablet', 'iPadOS'), (6, 'tablet', 'Android');
