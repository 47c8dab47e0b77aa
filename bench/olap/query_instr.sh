#!/usr/bin/env bash
# bench/olap/query_instr.sh - instructions per warm run of star queries on one strata
# database, counted by valgrind's callgrind (deterministic, unlike time on a shared
# machine): one thread, work_mem and shared_buffers 1GB as run.sh, then
# (instructions of 3 runs in one process - those of 1 run) / 2, so opening the database
# and the first (cold) run drop out.
#
#   bench/olap/query_instr.sh DB [QUERY_NUMBERS]      e.g. ... star.strata "01 02 06"
# Env: STRATA (build/release/strata). Needs valgrind. Prints "qNN instructions" lines.
# A query that writes (q09) changes the database: measure it on a copy.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DB="$1"; QS="${2:-01 02 03 04 05 06 07 08}"
STRATA="${STRATA:-$ROOT/build/release/strata}"
QUERIES="${STAR_SHARED:-$(cd "$ROOT/../shared/bench/olap" && pwd)}/star_queries.sql"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# One file per default-dialect query block (variants marked [sqlite]/[duckdb] skipped).
python3 - "$QUERIES" "$WORK" <<'EOF'
import re, sys
text, out = open(sys.argv[1]).read(), sys.argv[2]
for block in re.split(r'^-- query: ', text, flags=re.M)[1:]:
    name = block.split('\n', 1)[0].strip()
    if '[' in name:
        continue
    body = '\n'.join(l for l in block.split('\n')[1:] if not l.startswith('--'))
    open(f'{out}/{name[:3]}.sql', 'w').write(body.strip() + '\n')
EOF
instructions() {
    local q=$1 n=$2 args=()
    for _ in $(seq "$n"); do args+=(-f "$WORK/q$q.sql"); done
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$STRATA" -q \
        -c "SET work_mem = '1GB'" -c "SET shared_buffers = '1GB'" \
        -c "SET max_parallel_workers_per_gather = 0" "${args[@]}" "$DB" 2>&1 >/dev/null |
        awk '/refs:/ {gsub(",", "", $NF); print $NF}'
}
for q in $QS; do
    one=$(instructions "$q" 1)
    three=$(instructions "$q" 3)
    echo "q$q $(( (three - one) / 2 ))"
done
