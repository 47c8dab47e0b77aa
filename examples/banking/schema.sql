-- examples/banking/schema.sql - the normalized banking ledger (book, chapter 5):
-- customers, accounts and an append-only transactions ledger. There is no
-- balance column anywhere: a balance is derived from the ledger. The one
-- controlled denormalization is transactions.running_balance, the balance
-- of the account right after that row, which the checker recomputes.
--
-- Double entry: every movement of money is a transfer with two legs, a debit
-- on one account and a credit on another, written in one transaction and
-- sharing a transfer_id. Money enters customer accounts from the bank's own
-- cash account (account 1), so the signed sum over the whole ledger is zero.

CREATE TABLE customers (
    customer_id   bigint PRIMARY KEY,
    name          text NOT NULL,
    address       text,
    phone         text,
    date_of_birth date,
    tax_id        text UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    account_id   bigint PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers,
    account_type text NOT NULL CHECK (account_type IN ('checking', 'savings', 'loan', 'cash')),
    currency     char(3) NOT NULL DEFAULT 'USD',
    opened_at    timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    status       text NOT NULL DEFAULT 'open'
);

CREATE TABLE transactions (
    transaction_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transfer_id      text NOT NULL,
    account_id       bigint NOT NULL REFERENCES accounts,
    transaction_type text NOT NULL CHECK (transaction_type IN ('credit', 'debit')),
    amount           numeric(12,2) NOT NULL CHECK (amount > 0),
    running_balance  numeric(14,2) NOT NULL,
    description      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    posted_at        timestamptz
);

-- The latest row of an account (for its running balance) is one index probe.
CREATE INDEX transactions_account_idx ON transactions (account_id, transaction_id);

INSERT INTO customers (customer_id, name, address, phone, date_of_birth, tax_id) VALUES
    (1, 'Example Bank (own books)', '1 Ledger Street', NULL, NULL, 'BANK-0001'),
    (2, 'Ada Lovelace', '12 St James''s Square', '555-0102', '1815-12-10', 'T-100002'),
    (3, 'Charles Babbage', '1 Dorset Street', '555-0103', '1791-12-26', 'T-100003'),
    (4, 'Grace Hopper', '7 Navy Yard', '555-0104', '1906-12-09', 'T-100004'),
    (5, 'Edsger Dijkstra', '3 Nuenen Lane', '555-0105', '1930-05-11', 'T-100005');

INSERT INTO accounts (account_id, customer_id, account_type) VALUES
    (1, 1, 'cash'),
    (2, 2, 'checking'), (3, 2, 'savings'),
    (4, 3, 'checking'), (5, 3, 'savings'),
    (6, 4, 'checking'), (7, 4, 'savings'),
    (8, 5, 'checking'), (9, 5, 'savings');

-- Opening deposits: each is a transfer from the bank's cash account, both
-- legs in one transaction, running balances computed from the previous row.
BEGIN;
INSERT INTO transactions (transfer_id, account_id, transaction_type, amount, running_balance, description)
SELECT 'open-' || a.account_id, 1, 'debit', 1000.00, -1000.00 * a.account_id + 1000.00, 'opening deposit'
FROM accounts a WHERE a.account_id > 1 ORDER BY a.account_id;
INSERT INTO transactions (transfer_id, account_id, transaction_type, amount, running_balance, description)
SELECT 'open-' || a.account_id, a.account_id, 'credit', 1000.00, 1000.00, 'opening deposit'
FROM accounts a WHERE a.account_id > 1 ORDER BY a.account_id;
COMMIT;
