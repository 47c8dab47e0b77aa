-- examples/idempotency/schema.sql - idempotency keys (book, chapter 18):
-- POST /orders carries an Idempotency-Key; the server records the key, and
-- its result, in the same transaction as the effect (an order that debits a
-- wallet), so a retried request finds the key and returns the stored result
-- instead of charging twice.

CREATE TABLE wallets (
    customer_id bigint PRIMARY KEY,
    balance     numeric(12,2) NOT NULL
);

CREATE TABLE idempotency_keys (
    key        varchar(100) PRIMARY KEY,
    request    jsonb NOT NULL,
    result     jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours'
);

-- Deliberately no UNIQUE on orders.idempotency_key: the key table alone must
-- keep the effect single, and the checker counts duplicates.
CREATE TABLE orders (
    order_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key varchar(100) NOT NULL,
    customer_id     bigint NOT NULL REFERENCES wallets,
    amount          numeric(12,2) NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

INSERT INTO wallets (customer_id, balance) VALUES (1, 1000.00), (2, 1000.00), (3, 1000.00);
