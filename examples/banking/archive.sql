-- examples/banking/archive.sql - the book's archiving strategy: old ledger rows
-- go to a table partitioned by posting date, one partition per quarter, so a
-- quarter can later be detached and archived as a whole.

CREATE TABLE transactions_archive (
    transaction_id   bigint NOT NULL,
    transfer_id      text NOT NULL,
    account_id       bigint NOT NULL,
    transaction_type text NOT NULL,
    amount           numeric(12,2) NOT NULL,
    running_balance  numeric(14,2) NOT NULL,
    posted_at        timestamptz NOT NULL
) PARTITION BY RANGE (posted_at);

CREATE TABLE transactions_2024_q1 PARTITION OF transactions_archive
    FOR VALUES FROM ('2024-01-01') TO ('2024-04-01');
CREATE TABLE transactions_2024_q2 PARTITION OF transactions_archive
    FOR VALUES FROM ('2024-04-01') TO ('2024-07-01');

-- The opening deposits, posted on both sides of the quarter boundary: both
-- legs of a transfer on the same day (odd transfer numbers on 31 March).
INSERT INTO transactions_archive
SELECT transaction_id, transfer_id, account_id, transaction_type, amount, running_balance,
       timestamptz '2024-03-31 12:00:00+00'
           + (substr(transfer_id, 6)::integer % 2) * interval '1 day'
FROM transactions
WHERE transfer_id LIKE 'open-%';
