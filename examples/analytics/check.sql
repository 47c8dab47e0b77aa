-- examples/analytics/check.sql - invariants of the analytics case study.
-- Each "-- check: NAME" block is one query returning one boolean.

-- check: scd2-one-current-row-per-user
SELECT NOT EXISTS (
    SELECT user_id FROM dim_user GROUP BY user_id
    HAVING sum(CASE WHEN is_current THEN 1 ELSE 0 END) <> 1
);

-- check: scd2-current-means-open
-- A row is current exactly when its validity has no end.
SELECT NOT EXISTS (
    SELECT 1 FROM dim_user WHERE is_current <> (valid_to IS NULL)
);

-- check: scd2-periods-contiguous
-- Each version ends where the next begins: no gaps, no overlaps.
SELECT NOT EXISTS (
    SELECT 1
    FROM (SELECT valid_from, valid_to,
                 lead(valid_from) OVER (PARTITION BY user_id ORDER BY valid_from) AS next_from
          FROM dim_user) v
    WHERE v.next_from IS DISTINCT FROM v.valid_to
       OR v.valid_to <= v.valid_from
);

-- check: every-staged-view-loaded-once
SELECT (SELECT count(*) FROM fact_page_views) = (SELECT count(*) FROM staging_page_views)
   AND NOT EXISTS (SELECT view_id FROM staging_page_views
                   EXCEPT SELECT view_id FROM fact_page_views);

-- check: facts-point-to-the-version-valid-that-day
SELECT NOT EXISTS (
    SELECT 1
    FROM fact_page_views f
    JOIN dim_date d ON d.date_key = f.date_key
    JOIN dim_user u ON u.user_key = f.user_key
    JOIN staging_page_views s ON s.view_id = f.view_id
    WHERE u.user_id <> s.user_id
       OR d.full_date < u.valid_from
       OR (u.valid_to IS NOT NULL AND d.full_date >= u.valid_to)
);

-- check: date-dimension-redundancy-consistent
-- The stored month_name, day_name and is_weekend agree with full_date.
SELECT count(*) = 60 AND bool_and(month_name = trim(to_char(full_date, 'Month'))
                              AND day_name = trim(to_char(full_date, 'Day'))
                              AND is_weekend = (extract(dow FROM full_date) IN (0, 6))
                              AND date_key = to_char(full_date, 'YYYYMMDD')::integer)
FROM dim_date;
