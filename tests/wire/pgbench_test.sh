#!/usr/bin/env bash
# tests/wire/pgbench_test.sh - pgbench against strata-server: `pgbench -i -s 1`
# (DDL, COPY FROM STDIN of 100,000 accounts, primary keys) then
# `pgbench -T 5 -c 2 -M prepared` (two concurrent sessions running the
# TPC-B-like script through the extended protocol), checking that no
# client aborted and that the balances still add up (serialization failures,
# 40001, are possible with two writers and are only reported). Needs pgbench
# (postgresql-contrib). Before running, the test asks the engine for the SQL
# pgbench sends; if the engine cannot run it yet, the test is skipped with
# the engine's error (the server is not what is missing then).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init pgbench_test
command -v pgbench >/dev/null 2>&1 || skip_test "pgbench is not installed"
command -v psql >/dev/null 2>&1 || skip_test "psql is not installed"

make_role bench
start_server --trust || { wire_summary; exit 1; }
export PGHOST=127.0.0.1 PGPORT=$WIRE_PORT PGUSER=bench PGDATABASE=strata

probe=$(psql -X -q -v ON_ERROR_STOP=1 2>&1 <<'EOF'
create table probe_t(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);
begin;
truncate table probe_t;
insert into probe_t(tid,bid,tbalance) values (1,1,0);
copy probe_t from stdin with (freeze on);
2	1	0	\N
\.
commit;
vacuum analyze probe_t;
alter table probe_t add primary key (tid);
update probe_t set tbalance = tbalance + 1 where tid = 1;
drop table if exists probe_t, probe_missing;
EOF
)
if [ $? -ne 0 ]; then
    skip_test "the engine cannot run pgbench's SQL yet: $(echo "$probe" | head -3 | tr '\n' ' ')"
fi

init_output=$(pgbench -i -s 1 2>&1)
init_status=$?
if [ $init_status -eq 0 ]; then pass "pgbench -i -s 1"; else fail "pgbench -i -s 1" "$init_output"; fi
check_output "accounts loaded" "100000" psql -X -At -c "SELECT count(*) FROM pgbench_accounts"

if [ $init_status -eq 0 ]; then
    run_output=$(pgbench -T 5 -c 2 -M prepared 2>&1)
    run_status=$?
    if [ $run_status -eq 0 ]; then pass "pgbench -T 5 -c 2 -M prepared"; else fail "pgbench -T 5 -c 2 -M prepared" "$run_output"; fi
    echo "$run_output" | grep -E "tps|processed|failed"
    processed=$(echo "$run_output" | sed -nE 's/.*number of transactions actually processed: ([0-9]+).*/\1/p')
    if [ "${processed:-0}" -gt 0 ]; then pass "transactions processed ($processed)"; else fail "transactions processed" "$run_output"; fi
    # strata is SERIALIZABLE: a transaction that ran beside another writer
    # commits only if replaying it returns what its client saw, else fails
    # with 40001 (two TPC-B transactions on the same account), which pgbench
    # counts as a failed transaction (not an aborted client). Report them;
    # require only that no client aborted (exit status) and that the data is
    # consistent.
    echo "$run_output" | grep -E "number of failed transactions" || true
    # Every transaction adds the same delta to one branch, teller and account.
    check_output "balances add up" "t" psql -X -At -c \
        "SELECT (SELECT sum(bbalance) FROM pgbench_branches) = (SELECT sum(abalance) FROM pgbench_accounts)
            AND (SELECT sum(tbalance) FROM pgbench_tellers) = (SELECT coalesce(sum(delta), 0) FROM pgbench_history)"
fi
wire_summary
