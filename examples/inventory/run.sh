#!/usr/bin/env bash
# examples/inventory/run.sh - the e-commerce inventory case study, end to end.
#
#   1. schema.sql: products (JSONB attributes, expression index on ram),
#      inventory, stock receipts, reservations, orders and order items;
#      catalog.sql: 2,000 generated products.
#   2. WORKERS background sessions each try RESERVATIONS reservations of 1-3
#      units of the three scarce products (10 units each; demand exceeds
#      supply), each one transaction (values bound client-side):
#        BEGIN;
#        UPDATE inventory SET quantity = quantity - $n
#          WHERE product_id = $id AND quantity >= $n RETURNING quantity;
#        -- a row came back: record the reservation and COMMIT; else ROLLBACK
#      and log every reservation they were told succeeded.
#   3. order.sql: an order snapshots product name and price; the catalog then
#      changes.
#   4. check.sql, plus: the acknowledged reservations are exactly those
#      recorded; some reservations were refused (the guard was exercised);
#      the JSONB query uses the expression index (EXPLAIN names it).
#
# Usage: examples/inventory/run.sh (see ../lib.sh for EX_CLIENT=psql).
set -u
source "$(dirname "$0")/../lib.sh"
ex_setup inventory

if [ "${STRATA_TEST_QUICK:-0}" = 1 ]; then
    WORKERS=3 RESERVATIONS=8
else
    WORKERS=4 RESERVATIONS=12
fi
HOT_PRODUCTS=(1 2 7)

# reserve_sql PRODUCT UNITS - the book's atomic decrement, with the values
# bound client-side (as psycopg2 does); the same statement prepared on the
# server is checked separately (prepared-reserve-returns-quantity).
reserve_sql() {
    echo "UPDATE inventory SET quantity = quantity - $2"
    echo "WHERE product_id = $1 AND quantity >= $2 RETURNING quantity;"
}

worker() {
    local n=$1 k product units left
    RANDOM=$((EX_SEED + n))
    if ! ex_sess_open_wait "w$n"; then
        echo "worker $n could not open a session: $EX_OUT" >>"$EX_WORK/errors"
        return
    fi
    for ((k = 1; k <= RESERVATIONS; k++)); do
        product=${HOT_PRODUCTS[$((RANDOM % 3))]}
        units=$((RANDOM % 3 + 1))
        ex_sess_run "w$n" "BEGIN;
$(reserve_sql "$product" "$units")" || { echo "worker $n: $EX_OUT" >>"$EX_WORK/errors"; return; }
        if ex_has_error "$EX_OUT"; then
            echo "worker $n: reserve: $EX_OUT" >>"$EX_WORK/errors"
            ex_sess_run "w$n" "ROLLBACK;"
            continue
        fi
        left=$EX_OUT
        if [ -z "$left" ]; then
            ex_sess_run "w$n" "ROLLBACK;"
            echo "w$n-$k $product $units" >>"$EX_WORK/refused"
            continue
        fi
        if [[ ! $left =~ ^-?[0-9]+$ ]]; then
            echo "worker $n: unexpected RETURNING output: $left" >>"$EX_WORK/errors"
            ex_sess_run "w$n" "ROLLBACK;"
            continue
        fi
        [ "$left" -lt 0 ] && echo "worker $n: RETURNING quantity $left < 0" >>"$EX_WORK/errors"
        ex_sess_run "w$n" "INSERT INTO reservations (product_id, quantity, client)
VALUES ($product, $units, 'w$n-$k');
COMMIT;"
        if ex_has_error "$EX_OUT"; then
            echo "worker $n: record: $EX_OUT" >>"$EX_WORK/errors"
        else
            echo "w$n-$k $product $units" >>"$EX_WORK/acks"
        fi
    done
    ex_sess_close "w$n"
}

ex_step schema "$EX_DIR/schema.sql"
ex_step catalog "$EX_DIR/catalog.sql"
# PostgreSQL casts an untyped literal default to the column's type.
ex_check jsonb-untyped-default "CREATE TABLE product_drafts (
    draft_id   integer PRIMARY KEY,
    attributes jsonb NOT NULL DEFAULT '{}'
);
INSERT INTO product_drafts (draft_id) VALUES (1);
INSERT INTO product_drafts (draft_id, attributes) VALUES (2, '{\"ram\": \"8GB\"}');
SELECT count(*) = 2 AND bool_and(jsonb_typeof(attributes) = 'object') FROM product_drafts;"
# The same decrement as a server-side prepared statement, as the book writes
# it with $n and $id (rolled back: product 3 keeps its 10 units).
out=$(ex_query "PREPARE reserve(bigint, integer) AS
UPDATE inventory SET quantity = quantity - \$2
WHERE product_id = \$1 AND quantity >= \$2
RETURNING quantity;
BEGIN;
EXECUTE reserve(3, 4);
ROLLBACK;")
ex_expect_eq prepared-reserve-returns-quantity 6 "$out"

pids=()
for ((n = 1; n <= WORKERS; n++)); do
    worker "$n" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
if [ -s "$EX_WORK/errors" ]; then
    ex_fail reservations-ran "workers reported errors" "$(cat "$EX_WORK/errors")"
else
    ex_ok reservations-ran
fi
acked=$(cat "$EX_WORK/acks" 2>/dev/null | wc -l)
refused=$(cat "$EX_WORK/refused" 2>/dev/null | wc -l)
echo "inventory: $acked reservations acknowledged, $refused refused for lack of stock"
if [ "$refused" -gt 0 ] && [ "$acked" -gt 0 ]; then
    ex_ok demand-exceeded-supply
else
    ex_fail demand-exceeded-supply \
        "$acked acknowledged, $refused refused: the guard was not exercised"
fi

ex_step order "$EX_DIR/order.sql"
ex_check_file "$EX_DIR/check.sql"

out=$(ex_query "SELECT client FROM reservations")
if [ $? -eq 0 ]; then
    ex_expect_eq acknowledged-reservations-recorded \
        "$(cut -d' ' -f1 "$EX_WORK/acks" 2>/dev/null | LC_ALL=C sort)" \
        "$(echo "$out" | LC_ALL=C sort)"
else
    ex_fail acknowledged-reservations-recorded "$out"
fi

out=$(ex_query "SELECT product_id, name FROM products WHERE attributes->>'ram' = '64GB'")
ex_expect_eq jsonb-selective-query "2|Workstation 17" "$out"
# The plan must scan idx_products_ram with the lookup as its index condition
# (PostgreSQL may show it as a Bitmap Index Scan; both print this Index Cond).
out=$(ex_query "EXPLAIN SELECT product_id, name FROM products WHERE attributes->>'ram' = '64GB'")
if [ $? -eq 0 ] && grep -Eq "Index Scan using idx_products_ram on products|Bitmap Index Scan on idx_products_ram" <<<"$out" &&
    grep -Fq "Index Cond: ((attributes ->> 'ram'::text) = '64GB'::text)" <<<"$out"; then
    ex_ok explain-uses-expression-index
else
    ex_fail explain-uses-expression-index "EXPLAIN does not scan idx_products_ram on the lookup" "$out"
fi
ex_done
