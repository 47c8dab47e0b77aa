-- examples/inventory/check.sql - the invariants of the inventory case study.
-- Each "-- check: NAME" block is one query returning one boolean.

-- check: never-oversold
-- The atomic UPDATE ... WHERE quantity >= n never lets stock go negative.
SELECT NOT EXISTS (SELECT 1 FROM inventory WHERE quantity < 0);

-- check: reservations-equal-stock-decrease
-- Every unit that left the shelf is a recorded reservation, and vice versa.
SELECT NOT EXISTS (
    SELECT 1
    FROM inventory i
    JOIN (SELECT product_id, sum(quantity) AS received
          FROM stock_receipts GROUP BY product_id) r ON r.product_id = i.product_id
    LEFT JOIN (SELECT product_id, sum(quantity) AS reserved
               FROM reservations GROUP BY product_id) s ON s.product_id = i.product_id
    WHERE r.received - i.quantity <> COALESCE(s.reserved, 0)
);

-- check: order-keeps-snapshot
-- The order still shows the name and price at the time it was placed ...
SELECT count(*) = 2
FROM order_items
WHERE order_id = 5001
  AND ((product_id = 4 AND product_name = 'Oxford shirt' AND unit_price = 49.90
        AND line_total = 99.80)
    OR (product_id = 6 AND product_name = 'Designing Data-Intensive Applications'
        AND unit_price = 45.50 AND line_total = 45.50));

-- check: catalog-changed-after-order
-- ... although the catalog has moved on since.
SELECT count(*) = 2
FROM products p
JOIN order_items oi ON oi.product_id = p.product_id AND oi.order_id = 5001
WHERE p.name <> oi.product_name OR p.base_price <> oi.unit_price;

-- check: order-total-is-sum-of-lines
SELECT o.total_amount = 145.30 AND o.total_amount = (SELECT sum(line_total) FROM order_items WHERE order_id = 5001)
FROM orders o
WHERE o.order_id = 5001;

-- check: jsonb-attribute-query
-- 16GB laptops: product 1 and every generated product with g % 3 = 1.
SELECT count(*) = 1 + (SELECT count(*) FROM generate_series(100, 2099) AS g WHERE g % 3 = 1)
FROM products
WHERE attributes->>'ram' = '16GB';
