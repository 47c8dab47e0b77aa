-- query: join_agg
SELECT d.region, count(*), sum(b.qty), avg(b.price) FROM big b JOIN dim d ON b.dk = d.dk GROUP BY d.region ORDER BY 1 LIMIT 5;
-- query: join_agg_filtered
SELECT d.grp, count(*), sum(b.qty) FROM big b JOIN dim d ON b.dk = d.dk WHERE b.qty < 40 GROUP BY d.grp ORDER BY 1 LIMIT 3;
-- query: semi_agg
SELECT b.qty, count(*), sum(b.id) FROM big b WHERE EXISTS (SELECT 1 FROM dim d WHERE d.dk = b.dk AND d.grp < 500) GROUP BY b.qty ORDER BY 1 LIMIT 3;
-- query: anti_agg
SELECT count(*), sum(b.qty) FROM big b WHERE NOT EXISTS (SELECT 1 FROM dim d WHERE d.dk = b.dk AND d.grp < 500);
-- query: left_agg
SELECT d.region, count(*), count(d.dk), sum(b.qty) FROM big b LEFT JOIN (SELECT * FROM dim WHERE grp < 600) d ON b.dk = d.dk GROUP BY d.region ORDER BY 1 NULLS FIRST LIMIT 3;
