#!/usr/bin/env bash
# bench/vecjoin/run.sh - CPU milliseconds per run of aggregates over joins of row tables
# (branch vecjoin): a 1M x 100K join with GROUP BY (inner, filtered, semi, anti, left) and a
# TPC-H Q3-shaped query, with `perf stat -e task-clock` around the strata shell (N runs of
# a query in one process, minus a process that only opens the database). Builds the two
# databases in DIR on first use.
#
#   bench/vecjoin/run.sh DIR [STRATA...]      (default: build/release/strata)
# Env: N (3 runs per query). Several binaries are measured interleaved, query by query.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DIR="$1"; shift
BINS=("$@"); [ ${#BINS[@]} -gt 0 ] || BINS=("$ROOT/build/release/strata")
N="${N:-3}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DIR"
[ -f "$DIR/join.strata" ] || "${BINS[0]}" -q "$DIR/join.strata" -f "$HERE/join_setup.sql" >/dev/null
[ -f "$DIR/q3.strata" ] || "${BINS[0]}" -q "$DIR/q3.strata" -f "$HERE/q3_setup.sql" >/dev/null
split() { # one file per "-- query: NAME" block of $1
    python3 - "$1" "$WORK" <<'PY'
import re, sys
text, out = open(sys.argv[1]).read(), sys.argv[2]
for block in re.split(r'^-- query: ', text, flags=re.M)[1:]:
    name, body = block.split('\n', 1)
    open(f'{out}/{name.strip()}.sql', 'w').write(body.strip() + '\n')
PY
}
cpu_ms() { # binary db [files...]
    local bin="$1" db="$2"; shift 2
    perf stat -x, -e task-clock "$bin" -q -c "SET work_mem = '256MB'" "$@" "$db" 2>&1 >/dev/null |
        grep task-clock | cut -d, -f1
}
run() { # db queries.sql
    split "$2"
    for f in $(python3 -c "import re,sys; print(' '.join(m.strip() for m in re.findall(r'^-- query: (.*)$', open(sys.argv[1]).read(), re.M)))" "$2"); do
        for bin in "${BINS[@]}"; do
            args=()
            for _ in $(seq "$N"); do args+=(-f "$WORK/$f.sql"); done
            base=$(cpu_ms "$bin" "$1")
            total=$(cpu_ms "$bin" "$1" "${args[@]}")
            python3 -c "print('$f', '$bin', round(($total - $base) / $N, 1))"
        done
    done
}
run "$DIR/join.strata" "$HERE/join_queries.sql"
run "$DIR/q3.strata" "$HERE/q3_queries.sql"
