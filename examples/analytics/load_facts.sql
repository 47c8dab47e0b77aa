-- examples/analytics/load_facts.sql - the fact load: each raw event gets the
-- surrogate key of the dim_user version that was valid on the day it happened
-- (a point-in-time join on the natural key), and its date key.

INSERT INTO fact_page_views (view_id, user_key, page_key, device_key, date_key,
                             session_id, load_time_ms, is_bounce)
SELECT s.view_id, du.user_key, s.page_key, s.device_key, dd.date_key,
       s.session_id, s.load_time_ms, s.is_bounce
FROM staging_page_views s
JOIN dim_date dd ON dd.full_date = s.viewed_on
JOIN dim_user du ON du.user_id = s.user_id
                AND s.viewed_on >= du.valid_from
                AND (du.valid_to IS NULL OR s.viewed_on < du.valid_to);
