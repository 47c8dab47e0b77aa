#!/usr/bin/env bash
# tests/wire/sysbench_test.sh - sysbench 1.0 (`oltp_read_write`, pgsql
# driver, libpq) against strata-server (issue 5).
#
# prepare (CREATE TABLE with SERIAL and DEFAULT '0', multi-row INSERTs,
# CREATE INDEX), then three bounded runs:
#   1. one thread, a fixed number of events, prepared statements
#      (--db-ps-mode=auto): every transaction must commit, with zero ignored
#      errors and zero reconnects;
#   2. the same through the simple query protocol (--db-ps-mode=disable);
#   3. two threads for a fixed number of events: strata commits a write
#      transaction only if replaying it on the newest commit returns what its
#      client saw (docs/storage.md, speculative write transactions) and fails
#      it with 40001 otherwise, which sysbench counts as an "ignored error" and
#      retries (frequent on these small tables); the run must still finish
#      every event without a reconnect or a FATAL.
# After each run the tables must hold exactly --table-size rows (each
# transaction deletes one row and inserts it back, so a half-applied
# transaction would change the count) and the ids must be 1..N. Finally
# `cleanup` must drop the tables. Needs sysbench and psql; SKIP otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init sysbench_test
command -v sysbench >/dev/null 2>&1 || skip_test "sysbench is not installed"
command -v psql >/dev/null 2>&1 || skip_test "psql is not installed"

TABLES=2
ROWS=1000
EVENTS=300
if [ -n "${STRATA_TEST_QUICK:-}" ]; then
    ROWS=300
    EVENTS=60
fi

make_role sbtest
start_server --trust || { wire_summary; exit 1; }
export PGHOST=127.0.0.1 PGPORT=$WIRE_PORT PGUSER=sbtest PGDATABASE=strata
sb() {
    sysbench oltp_read_write --db-driver=pgsql --pgsql-host=127.0.0.1 \
        --pgsql-port="$WIRE_PORT" --pgsql-user=sbtest --pgsql-db=strata \
        --tables=$TABLES --table-size=$ROWS "$@"
}
sql() { psql -X -At -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

# check_tables NAME: every table has ids 1..ROWS exactly once.
check_tables() {
    local t out
    for t in $(seq 1 $TABLES); do
        out=$(sql "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM sbtest$t")
        if [ "$out" = "$ROWS|$ROWS|1|$ROWS" ]; then
            pass "$1: sbtest$t holds ids 1..$ROWS"
        else
            fail "$1: sbtest$t holds ids 1..$ROWS" "got: $out"
        fi
    done
}

# check_run NAME OUTPUT STATUS MAX_IGNORED: exit 0, every event done, no
# reconnect, and at most MAX_IGNORED ignored errors ("any" = no bound).
check_run() {
    local name=$1 out=$2 status=$3 max_ignored=$4
    local txns ignored reconnects
    txns=$(echo "$out" | sed -nE 's/^ *transactions: *([0-9]+).*/\1/p')
    ignored=$(echo "$out" | sed -nE 's/^ *ignored errors: *([0-9]+).*/\1/p')
    reconnects=$(echo "$out" | sed -nE 's/^ *reconnects: *([0-9]+).*/\1/p')
    echo "$name: transactions=${txns:-?} ignored_errors=${ignored:-?} reconnects=${reconnects:-?}"
    if [ "$status" -eq 0 ] && ! echo "$out" | grep -q FATAL; then
        pass "$name: exit 0, no FATAL"
    else
        fail "$name: exit 0, no FATAL" "$(echo "$out" | cut -c1-300 | tail -20)"
    fi
    if [ "${txns:-0}" -eq "$EVENTS" ]; then pass "$name: $EVENTS transactions"; else
        fail "$name: $EVENTS transactions" "got ${txns:-none}"; fi
    if [ "${reconnects:-1}" -eq 0 ]; then pass "$name: no reconnects"; else
        fail "$name: no reconnects" "got ${reconnects:-none}"; fi
    if [ "$max_ignored" = any ] || [ "${ignored:-1}" -le "$max_ignored" ]; then
        pass "$name: ignored errors ${ignored:-?} (allowed: $max_ignored)"
    else
        fail "$name: ignored errors ${ignored:-?} (allowed: $max_ignored)"
    fi
}

out=$(sb prepare 2>&1)
status=$?
if [ $status -eq 0 ] && ! echo "$out" | grep -q FATAL; then pass "sysbench prepare"; else
    fail "sysbench prepare" "$(echo "$out" | cut -c1-300 | tail -10)"; fi
check_tables "after prepare"
check_output "secondary index k_1 exists" "k_1" sql \
    "SELECT indexname FROM pg_indexes WHERE tablename = 'sbtest1' ORDER BY 1"
# Column defaults resolved against the column type: k INTEGER DEFAULT '0'.
check_output "DEFAULT '0' on an integer column" "0|" sql \
    "INSERT INTO sbtest1 (c, pad) VALUES ('x', 'y') RETURNING k, id = $((ROWS + 1))"
check_output "extra row removed" "DELETE 1" psql -X -c "DELETE FROM sbtest1 WHERE id > $ROWS"

out=$(sb --threads=1 --events=$EVENTS --time=0 --db-ps-mode=auto run 2>&1)
check_run "run, 1 thread, prepared" "$out" $? 0
check_tables "after the prepared run"

out=$(sb --threads=1 --events=$EVENTS --time=0 --db-ps-mode=disable run 2>&1)
check_run "run, 1 thread, simple protocol" "$out" $? 0
check_tables "after the simple-protocol run"

out=$(sb --threads=2 --events=$EVENTS --time=0 run 2>&1)
check_run "run, 2 threads" "$out" $? any
check_tables "after the 2-thread run"

out=$(sb cleanup 2>&1)
if [ $? -eq 0 ]; then pass "sysbench cleanup"; else fail "sysbench cleanup" "$out"; fi
check_output "tables dropped" "0" sql \
    "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'sbtest%'"
check_output "server still answers" "1" sql "SELECT 1"
wire_summary
