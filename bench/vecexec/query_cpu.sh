#!/usr/bin/env bash
# bench/vecexec/query_cpu.sh - CPU cost of the vectorized executor's queries (TPC-H Q1 and
# Q6 shapes, an expression qual, a plain projection) on a row table and a column table,
# enable_vectorize on and off: `perf stat -e instructions,task-clock` around fetch_rows.c
# (the C API reading every value, no formatting) running a query N times in one process,
# minus a process that only opens the database.
#
#   bench/vecexec/query_cpu.sh [DB]
# Env: ROWS (2000000; used when DB does not exist yet: it is created from schema.sql)
#      N (3 runs per query)  STRATA (build/release/strata)  QS ("q1 q6 qf qp")
#      MODES ("on off")  TABLES ("li_row li_col")
# Prints "query table vectorize ms [Minstr]" per run of one query (instructions only where
# the machine has hardware counters).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ROWS="${ROWS:-2000000}"; N="${N:-3}"; QS="${QS:-q1 q6 qf qp}"
MODES="${MODES:-on off}"; TABLES="${TABLES:-li_row li_col}"
STRATA="${STRATA:-$ROOT/build/release/strata}"
DB="${1:-$HERE/data/li-$ROWS.db}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ ! -e "$DB" ]; then
    mkdir -p "$(dirname "$DB")"
    sed "s/ROWS/$ROWS/" "$HERE/schema.sql" > "$WORK/schema.sql"
    "$STRATA" -q -f "$WORK/schema.sql" "$DB" >/dev/null
fi
python3 - "$HERE/queries.sql" "$WORK" <<'PY'
import re, sys
text, out = open(sys.argv[1]).read(), sys.argv[2]
for block in re.split(r'^-- query: ', text, flags=re.M)[1:]:
    name = block.split()[0]
    body = '\n'.join(l for l in block.split('\n')[1:] if not l.startswith('--'))
    open(f'{out}/{name}.sql', 'w').write(body.strip() + '\n')
PY
cc -O2 -I"$ROOT/include" "$HERE/fetch_rows.c" "$(dirname "$STRATA")/libstrata.a" \
    -lxxhash -lzstd -llz4 -lssl -lcrypto -lgmp -lpthread -lm -o "$WORK/fetch_rows"
measure() { # SETTING QUERY RUNS; prints "task_clock_ms instructions"
    perf stat -x, -e instructions,task-clock "$WORK/fetch_rows" "$DB" "$1" "$2" "$3" \
        2>&1 >/dev/null | awk -F, '/instructions/ {i=$1} /task-clock/ {t=$1} END {gsub(/ /, "_", i); print t, i}'
}
read -r base_ms base_ins < <(measure "SET work_mem = '1GB'" "SELECT 1" 0)
for q in $QS; do
    for t in $TABLES; do
        sed "s/\bLI\b/$t/g" "$WORK/$q.sql" > "$WORK/$q-$t.sql"
        for m in $MODES; do
            read -r ms ins < <(measure "SET enable_vectorize = $m; SET work_mem = '1GB'" "$(cat "$WORK/$q-$t.sql")" "$N")
            python3 - "$q $t $m" "$ms" "$base_ms" "$ins" "$base_ins" "$N" <<'PY'
import sys
label, ms, base_ms, ins, base_ins, n = sys.argv[1:]
line = f"{label} {round((float(ms) - float(base_ms)) / int(n), 1)} ms"
if ins[:1].isdigit() and base_ins[:1].isdigit():
    line += f" {round((int(ins) - int(base_ins)) / int(n) / 1e6, 1)} Minstr"
print(line)
PY
        done
    done
done
