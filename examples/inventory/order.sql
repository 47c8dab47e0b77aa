-- examples/inventory/order.sql - an order snapshots what was bought, then the
-- catalog changes. The order must keep the name and price it was placed at.

BEGIN;
INSERT INTO orders (order_id, customer_id, status, total_amount)
VALUES (5001, 42, 'placed', 0);
INSERT INTO order_items (order_id, product_id, product_name, unit_price, quantity, line_total)
SELECT 5001, p.product_id, p.name, p.base_price, q.quantity, p.base_price * q.quantity
FROM products p
JOIN (VALUES (4, 2), (6, 1)) AS q (product_id, quantity) ON q.product_id = p.product_id;
UPDATE orders
SET total_amount = (SELECT sum(line_total) FROM order_items WHERE order_id = 5001)
WHERE order_id = 5001;
COMMIT;

-- Later: a product is renamed and repriced, another goes on sale.
UPDATE products SET name = 'Oxford shirt (slim fit)', base_price = 54.90 WHERE product_id = 4;
UPDATE products SET base_price = round(base_price * 0.8, 2) WHERE product_id = 6;
