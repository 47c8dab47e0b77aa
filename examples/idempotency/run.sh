#!/usr/bin/env bash
# examples/idempotency/run.sh - the idempotency-key case study, end to end.
#
# One request (POST /orders with an Idempotency-Key) is one transaction:
#   BEGIN;
#   INSERT INTO idempotency_keys (key, request) VALUES ($key, $request)
#       ON CONFLICT (key) DO NOTHING RETURNING key;
#   -- a row came back: first time. Make the order, debit the wallet, store
#   -- the result, COMMIT, answer "created" with the new order id.
#   -- nothing came back: a replay. ROLLBACK and answer the stored result.
#
#   1. One key replayed REPLAYS times in a row by one client.
#   2. WORKERS background sessions each send every one of KEYS keys twice, in
#      their own random order, at the same time.
#   3. Checks: one order per key; exactly one "created" answer per key; every
#      answer for a key names the same order, the one in the database; each
#      wallet was charged once per key (and matches the amounts computed here).
#
# Usage: examples/idempotency/run.sh (see ../lib.sh for EX_CLIENT=psql).
set -u
source "$(dirname "$0")/../lib.sh"
ex_setup idempotency

if [ "${STRATA_TEST_QUICK:-0}" = 1 ]; then
    WORKERS=3 KEYS=5 REPLAYS=5
else
    WORKERS=4 KEYS=8 REPLAYS=10
fi

customer_of() { echo $(($1 % 3 + 1)); }
amount_of() { echo "$(($1 + 10)).50"; }

# request SESSION KEY_NUMBER - handles one request; appends "key answer
# order_id" to $EX_WORK/answers. Retries the transaction on SQLSTATE 40001.
request() {
    local sess=$1 n=$2 key="order-key-$2" customer amount order_id tries
    customer=$(customer_of "$n")
    amount=$(amount_of "$n")
    for ((tries = 0; tries < 100; tries++)); do
        ex_sess_run "$sess" "BEGIN;
INSERT INTO idempotency_keys (key, request)
VALUES ('$key', '{\"customer_id\": $customer, \"amount\": $amount}')
ON CONFLICT (key) DO NOTHING
RETURNING key;" || { echo "$sess: $EX_OUT" >>"$EX_WORK/errors"; return 1; }
        if ex_has_error "$EX_OUT"; then
            ex_sess_run "$sess" "ROLLBACK;"
            grep -q 'could not serialize\|40001' <<<"$EX_OUT" && continue
            echo "$sess: $key: $EX_OUT" >>"$EX_WORK/errors"
            return 1
        fi
        if [ "$EX_OUT" = "$key" ]; then
            ex_sess_run "$sess" "INSERT INTO orders (idempotency_key, customer_id, amount)
VALUES ('$key', $customer, $amount)
RETURNING order_id;"
            order_id=$EX_OUT
            if ex_has_error "$order_id" || [[ ! $order_id =~ ^[0-9]+$ ]]; then
                ex_sess_run "$sess" "ROLLBACK;"
                echo "$sess: $key: order: $order_id" >>"$EX_WORK/errors"
                return 1
            fi
            ex_sess_run "$sess" "UPDATE wallets SET balance = balance - $amount
WHERE customer_id = $customer;
UPDATE idempotency_keys SET result = '{\"order_id\": $order_id, \"status\": \"created\"}'
WHERE key = '$key';
COMMIT;"
            if ex_has_error "$EX_OUT"; then
                grep -q 'could not serialize\|40001' <<<"$EX_OUT" && continue
                echo "$sess: $key: commit: $EX_OUT" >>"$EX_WORK/errors"
                return 1
            fi
            echo "$key created $order_id" >>"$EX_WORK/answers"
            return 0
        fi
        ex_sess_run "$sess" "ROLLBACK;
SELECT result->>'order_id' FROM idempotency_keys WHERE key = '$key';"
        if ex_has_error "$EX_OUT" || [[ ! $EX_OUT =~ ^[0-9]+$ ]]; then
            echo "$sess: $key: replay: $EX_OUT" >>"$EX_WORK/errors"
            return 1
        fi
        echo "$key replayed $EX_OUT" >>"$EX_WORK/answers"
        return 0
    done
    echo "$sess: $key: still 40001 after 100 tries" >>"$EX_WORK/errors"
}

worker() {
    local n=$1 k order
    RANDOM=$((EX_SEED + n))
    if ! ex_sess_open_wait "w$n"; then
        echo "worker $n could not open a session: $EX_OUT" >>"$EX_WORK/errors"
        return
    fi
    # Every key twice, shuffled.
    order=$(for ((k = 1; k <= KEYS; k++)); do echo "$RANDOM $k"; echo "$RANDOM $k"; done |
            sort -n | cut -d' ' -f2)
    for k in $order; do
        request "w$n" "$k" || break
    done
    ex_sess_close "w$n"
}

ex_step schema "$EX_DIR/schema.sql"

# 1. Sequential replays of key 0.
if ex_sess_open client; then
    for ((r = 0; r < REPLAYS; r++)); do request client 0 || break; done
    ex_sess_close client
else
    echo "client: $EX_OUT" >>"$EX_WORK/errors"
fi
answers=$(grep '^order-key-0 ' "$EX_WORK/answers" 2>/dev/null)
if [ "$(grep -c ' created ' <<<"$answers")" -eq 1 ] &&
   [ "$(wc -l <<<"$answers")" -eq "$REPLAYS" ] &&
   [ "$(cut -d' ' -f3 <<<"$answers" | sort -u | wc -l)" -eq 1 ]; then
    ex_ok sequential-replays-one-effect
else
    ex_fail sequential-replays-one-effect "answers for order-key-0:" "$answers" \
        "$(cat "$EX_WORK/errors" 2>/dev/null)"
fi

# 2. Concurrent replays.
pids=()
for ((n = 1; n <= WORKERS; n++)); do
    worker "$n" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
if [ -s "$EX_WORK/errors" ]; then
    ex_fail requests-answered "errors:" "$(cat "$EX_WORK/errors")"
else
    ex_ok requests-answered
fi
total=$(cat "$EX_WORK/answers" 2>/dev/null | wc -l)
created=$(grep -c ' created ' "$EX_WORK/answers" 2>/dev/null)
echo "idempotency: $total requests answered, $created created"
ex_expect_eq one-created-answer-per-key "$((KEYS + 1))" "$created"

# Every answer for a key names the order the database holds for that key.
out=$(ex_query "SELECT idempotency_key, order_id FROM orders")
if [ $? -eq 0 ]; then
    ex_expect_eq answers-name-the-stored-order \
        "$(echo "$out" | tr '|' ' ' | LC_ALL=C sort)" \
        "$(awk '{print $1, $3}' "$EX_WORK/answers" 2>/dev/null | LC_ALL=C sort -u)"
else
    ex_fail answers-name-the-stored-order "$out"
fi

ex_check_file "$EX_DIR/check.sql"

# Wallet balances computed here from the keys alone (integer cents).
expected=$(for ((k = 0; k <= KEYS; k++)); do echo "$(customer_of $k) $(amount_of $k)"; done |
    awk '{ split($2, p, "."); spent[$1] += p[1] * 100 + p[2] }
         END { for (c = 1; c <= 3; c++) { v = 100000 - spent[c];
               printf "%d|%d.%02d\n", c, int(v / 100), v % 100 } }')
ex_expect_eq wallets-match-keys "$expected" \
    "$(ex_query "SELECT customer_id, balance FROM wallets ORDER BY customer_id")"
ex_done
