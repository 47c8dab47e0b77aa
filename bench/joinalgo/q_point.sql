-- one order and its customer (primary-key lookup of the inner side)
SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = 42;
