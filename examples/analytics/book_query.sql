-- examples/analytics/book_query.sql - the book's question, verbatim: "How many
-- page views did we have from US users on mobile devices in January 2024,
-- broken down by page?"
SELECT dp.page_name, COUNT(*) as view_count FROM fact_page_views f JOIN dim_user du ON f.user_key = du.user_key JOIN dim_device dd ON f.device_key = dd.device_key JOIN dim_date ddate ON f.date_key = ddate.date_key JOIN dim_page dp ON f.page_key = dp.page_key WHERE du.country = 'US' AND dd.device_type = 'mobile' AND ddate.year = 2024 AND ddate.month = 1 GROUP BY dp.page_name ORDER BY view_count DESC
