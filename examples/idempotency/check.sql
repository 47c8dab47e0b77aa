-- examples/idempotency/check.sql - invariants of the idempotency case study.
-- Each "-- check: NAME" block is one query returning one boolean.

-- check: one-order-per-key
SELECT count(*) = count(DISTINCT idempotency_key) FROM orders;

-- check: every-key-has-its-order
-- Each recorded key has a result naming the one order made for it.
SELECT NOT EXISTS (
    SELECT 1
    FROM idempotency_keys k
    LEFT JOIN orders o ON o.idempotency_key = k.key
    WHERE o.order_id IS NULL
       OR k.result IS NULL
       OR (k.result->>'order_id')::bigint <> o.order_id
);

-- check: wallets-charged-once
-- Each wallet lost exactly the amounts of its orders (all started at 1000).
SELECT NOT EXISTS (
    SELECT 1
    FROM wallets w
    LEFT JOIN (SELECT customer_id, sum(amount) AS spent FROM orders GROUP BY customer_id) o
           ON o.customer_id = w.customer_id
    WHERE w.balance <> 1000.00 - COALESCE(o.spent, 0)
);
