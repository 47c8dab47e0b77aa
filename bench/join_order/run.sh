#!/usr/bin/env bash
# bench/join_order/run.sh STRATA_BINARY [DB] - CPU time of each query
# (perf stat task-clock, 5 runs) against the data of setup.sql, built into
# DB (default /tmp/join_order.db) on first use. Compare two builds by running
# this for each, interleaved. See src/plan/README.md ("Measurements").
set -eu
BIN=$1
DB=${2:-/tmp/join_order.db}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$DB" ] || "$BIN" "$DB" -f "$HERE/setup.sql" > /dev/null
for q in q8 q4 q4not; do
    ms=$(perf stat -r 5 -e task-clock -x, "$BIN" "$DB" -f "$HERE/$q.sql" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}')
    echo "$q task-clock ${ms} ms"
done
