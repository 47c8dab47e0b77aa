-- deleting 20 customers without orders: NO ACTION looks for referencing orders
BEGIN;
DELETE FROM customers WHERE id BETWEEN 2 AND 21 AND id NOT IN (SELECT customer_id FROM orders WHERE customer_id BETWEEN 2 AND 21);
ROLLBACK;
