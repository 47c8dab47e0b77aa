-- examples/analytics/rollup.sql - the book's pre-aggregated rollup: daily
-- active users per platform and country, built by the nightly job from the
-- facts (country as it was on the day, through the fact's user_key).

CREATE TABLE daily_active_users (
    date_key     integer NOT NULL,
    platform     varchar(20) NOT NULL,
    country      varchar(50) NOT NULL,
    active_users integer NOT NULL,
    PRIMARY KEY (date_key, platform, country)
);

INSERT INTO daily_active_users (date_key, platform, country, active_users)
SELECT f.date_key, dd.device_type, du.country, COUNT(DISTINCT du.user_id)
FROM fact_page_views f
JOIN dim_device dd ON dd.device_key = f.device_key
JOIN dim_user du ON du.user_key = f.user_key
GROUP BY f.date_key, dd.device_type, du.country;
