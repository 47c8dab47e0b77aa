-- 20 customers and their orders through the secondary index, LEFT JOIN
SELECT c.id, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.id BETWEEN 5000 AND 5019 GROUP BY c.id;
