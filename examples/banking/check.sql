-- examples/banking/check.sql - the invariants of the banking ledger. Each
-- "-- check: NAME" block is one query returning one boolean (run.sh runs them
-- one by one; psql -f runs them all and prints t/f).

-- check: double-entry-sum-is-zero
-- Every debit has its credit: the signed sum over the whole ledger is zero.
SELECT sum(CASE WHEN transaction_type = 'credit' THEN amount
                WHEN transaction_type = 'debit' THEN -amount END) = 0
FROM transactions;

-- check: every-transfer-has-both-legs
-- A transfer is exactly one debit and one credit of the same amount on two
-- different accounts; a half-written transfer would show up here.
SELECT NOT EXISTS (
    SELECT transfer_id
    FROM transactions
    GROUP BY transfer_id
    HAVING count(*) <> 2
        OR count(DISTINCT account_id) <> 2
        OR sum(CASE WHEN transaction_type = 'credit' THEN 1 ELSE 0 END) <> 1
        OR sum(CASE WHEN transaction_type = 'credit' THEN amount ELSE -amount END) <> 0
);

-- check: running-balance-matches-ledger
-- The controlled denormalization: each stored running_balance equals the sum
-- of the account's signed amounts up to and including that row.
SELECT NOT EXISTS (
    SELECT 1
    FROM (SELECT running_balance,
                 sum(CASE WHEN transaction_type = 'credit' THEN amount ELSE -amount END)
                     OVER (PARTITION BY account_id ORDER BY transaction_id) AS ledger_balance
          FROM transactions) t
    WHERE running_balance <> ledger_balance
);

-- check: current-balance-is-latest-running-balance
-- The book's balance query (SUM with CASE) agrees with the running balance of
-- each account's most recent transaction.
SELECT NOT EXISTS (
    SELECT 1
    FROM (SELECT account_id,
                 SUM(CASE WHEN transaction_type = 'credit' THEN amount
                          WHEN transaction_type = 'debit' THEN -amount END) AS balance,
                 max(transaction_id) AS last_id
          FROM transactions
          GROUP BY account_id) b
    JOIN transactions t ON t.transaction_id = b.last_id
    WHERE t.running_balance <> b.balance
);

-- check: no-stored-balance-column
-- The normalized design keeps no balance on accounts.
SELECT count(*) = 0
FROM information_schema.columns
WHERE table_name = 'accounts' AND column_name LIKE '%balance%';
