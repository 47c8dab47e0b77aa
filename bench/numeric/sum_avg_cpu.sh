#!/bin/sh
# bench/numeric/sum_avg_cpu.sh - instructions (callgrind) of sum(v), avg(v) over 1,000,000
# numeric(12,2) rows, a row table and a column table: the 128-bit fast path of NUMERIC that
# values past 38 digits must not slow down (issue 3). Instructions, not seconds: the machine
# is shared. Usage: bench/numeric/sum_avg_cpu.sh [STRATA_BINARY] (default build/release/strata).
set -eu
STRATA=${1:-build/release/strata}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
"$STRATA" "$DIR/bench.db" -c "CREATE TABLE t (id int, v numeric(12,2))" \
    -c "INSERT INTO t SELECT g, (g % 100000) * 1.37 FROM generate_series(1, 1000000) g" \
    -c "CREATE TABLE tc (id int, v numeric(12,2)) USING column" \
    -c "INSERT INTO tc SELECT * FROM t" >/dev/null
for table in t tc; do
    valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.out" "$STRATA" "$DIR/bench.db" \
        -c "SELECT sum(v), avg(v) FROM $table" 2>&1 | sed -n 's/.*Collected : /'"$table"' instructions: /p'
done
