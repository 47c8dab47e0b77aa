-- examples/inventory/catalog.sql - a catalog of 2,000 generated laptops, so
-- that an index on a JSONB attribute is worth using, with 100 units of each.

INSERT INTO products (product_id, name, category, base_price, attributes)
SELECT g, 'Laptop model ' || g, 'laptop', 500 + (g % 50) * 20,
       ('{"ram": "' || CASE g % 3 WHEN 0 THEN '8GB' WHEN 1 THEN '16GB' ELSE '32GB' END
        || '", "storage": "' || CASE g % 3 WHEN 0 THEN '256GB' WHEN 1 THEN '512GB' ELSE '1TB' END
        || '"}')::jsonb
FROM generate_series(100, 2099) AS g;

INSERT INTO stock_receipts (product_id, quantity)
SELECT product_id, 100 FROM products WHERE product_id >= 100;

INSERT INTO inventory (product_id, quantity)
SELECT product_id, 100 FROM products WHERE product_id >= 100;

ANALYZE products;
