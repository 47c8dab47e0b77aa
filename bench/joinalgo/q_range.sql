-- 100 orders and their customers
SELECT count(*), max(c.name) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id BETWEEN 1000 AND 1099;
