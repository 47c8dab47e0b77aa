#!/usr/bin/env bash
# tests/wire/load_test.sh - 200 concurrent connections doing a mixed banking
# workload against strata-server for a bounded time and request count, then
# invariant checks (issue 5). Loopback only.
#
# tests/wire/load.py (psycopg2) does the work: `setup` creates accounts,
# ledger and events; `run` opens every connection before any client starts,
# then runs transfers in explicit transactions, balance reads, consistent
# snapshot reads, autocommit inserts, explicit rollbacks, deliberate errors
# (each must return its SQLSTATE) and transactions abandoned by a dropped
# socket or a Terminate mid-transaction; `verify` checks that the balances
# still sum to the initial total, the ledger is double-entry, every
# acknowledged commit is there and nothing rolled back is, and
# SELECT strata_check() is ok. The server is then stopped with SIGTERM
# (it must exit 0), started again on the same file, and `verify` runs again:
# acknowledged commits survive the restart. STRATA_TEST_QUICK=1 (sanitizer
# build) uses 50 clients.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init load_test
PY=$(python_with psycopg2) || skip_test "python3 with psycopg2 is not installed"

CLIENTS=200
SECONDS_MAX=4
REQUESTS=100
if [ -n "${STRATA_TEST_QUICK:-}" ]; then
    CLIENTS=50
    SECONDS_MAX=3
    REQUESTS=40
fi
# Twice as many slots as clients: a client that drops its connection
# reconnects at once, possibly before the server has freed the old slot.
SERVER_OPTS=(--trust --max-connections $((CLIENTS * 2)) --busy-timeout 2000)

# count_lines OUTPUT: adds the driver's "ok"/"FAIL" lines to the totals.
count_lines() {
    local out=$1 line
    while IFS= read -r line; do
        case "$line" in
            "ok   "*) pass "${line#ok   }" ;;
            "FAIL "*) fail "${line#FAIL }" ;;
            *) echo "$line" ;;
        esac
    done <<<"$out"
}

make_role bank
start_server "${SERVER_OPTS[@]}" || { wire_summary; exit 1; }
out=$("$PY" tests/wire/load.py setup --port "$WIRE_PORT" --accounts 100 --initial 1000 2>&1)
if [ $? -eq 0 ]; then pass "setup"; else fail "setup" "$out"; fi

out=$(timeout 300 "$PY" tests/wire/load.py run --port "$WIRE_PORT" --clients $CLIENTS \
    --seconds $SECONDS_MAX --requests $REQUESTS --seed "${STRATA_SEED:-1}" \
    --state "$WIRE_DIR/state.json" 2>&1)
status=$?
count_lines "$out"
if [ $status -eq 0 ]; then pass "run exits 0"; else fail "run exits 0" "status $status"; fi

count_lines "$("$PY" tests/wire/load.py verify --port "$WIRE_PORT" --state "$WIRE_DIR/state.json" 2>&1)"
check_output "server still answers" "42" "$PY" -c "
import psycopg2
c = psycopg2.connect(host='127.0.0.1', port=$WIRE_PORT, user='bank', dbname='strata')
cur = c.cursor(); cur.execute('SELECT 40 + 2'); print(cur.fetchone()[0])"

if stop_server TERM; then pass "SIGTERM: server exits 0"; else fail "SIGTERM: server exits 0"; fi
if grep -qiE "AddressSanitizer|runtime error|LeakSanitizer" "$WIRE_DIR/server.log"; then
    fail "no sanitizer report" "$(grep -iE -A5 "Sanitizer|runtime error" "$WIRE_DIR/server.log" | head -30)"
fi

echo "-- after a restart on the same file"
start_server "${SERVER_OPTS[@]}" || { wire_summary; exit 1; }
count_lines "$("$PY" tests/wire/load.py verify --port "$WIRE_PORT" --state "$WIRE_DIR/state.json" 2>&1)"
wire_summary
