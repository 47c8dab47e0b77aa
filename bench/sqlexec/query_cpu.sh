#!/usr/bin/env bash
# bench/sqlexec/query_cpu.sh - CPU cost of sorts, top-N, LIMIT, hash joins (inner, semi,
# anti, full) and sorts over joins and aggregates
# (queries.sql) over row tables and column tables, enable_vectorize on and off:
# `perf stat -e instructions,task-clock` around bench/vecexec/fetch_rows.c (the C API
# reading every value) running a query N times in one process, minus a process that only
# opens the database.
#
#   bench/sqlexec/query_cpu.sh [DB]
# Env: ROWS (1000000; used when DB does not exist yet: created from schema.sql)
#      N (3 runs per query)  STRATA (build/release/strata)  QS ("topn sort sortexpr join limit
#      limitsort joinsort aggsort semi anti full")
#      MODES ("on off")  TABLES ("row col")
# Prints "query table vectorize ms [Minstr] rows checksum" per query (instructions only
# where the machine has hardware counters).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ROWS="${ROWS:-1000000}"; N="${N:-3}"; QS="${QS:-topn sort sortexpr join limit limitsort joinsort aggsort semi anti full}"
MODES="${MODES:-on off}"; TABLES="${TABLES:-row col}"
STRATA="${STRATA:-$ROOT/build/release/strata}"
DB="${1:-$HERE/data/s-$ROWS.db}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ ! -e "$DB" ]; then
    mkdir -p "$(dirname "$DB")"
    sed "s/ROWS/$ROWS/g" "$HERE/schema.sql" > "$WORK/schema.sql"
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
cc -O2 -I"$ROOT/include" "$ROOT/bench/vecexec/fetch_rows.c" "$(dirname "$STRATA")/libstrata.a" \
    -lxxhash -lzstd -llz4 -lssl -lcrypto -lgmp -lpthread -lm -o "$WORK/fetch_rows"
measure() { # SETTING QUERY RUNS; prints "task_clock_ms instructions"
    perf stat -x, -e instructions,task-clock "$WORK/fetch_rows" "$DB" "$1" "$2" "$3" \
        2>&1 >/dev/null | awk -F, '/instructions/ {i=$1} /task-clock/ {t=$1} END {gsub(/ /, "_", i); print t, i}'
}
read -r base_ms base_ins < <(measure "SET work_mem = '1GB'" "SELECT 1" 0)
for q in $QS; do
    for t in $TABLES; do
        sed -e "s/\bT\b/t_$t/g" -e "s/\bD\b/d_$t/g" "$WORK/$q.sql" > "$WORK/$q-$t.sql"
        for m in $MODES; do
            set="SET enable_vectorize = $m; SET work_mem = '1GB'"
            read -r ms ins < <(measure "$set" "$(cat "$WORK/$q-$t.sql")" "$N")
            sum="$("$WORK/fetch_rows" "$DB" "$set" "$(cat "$WORK/$q-$t.sql")" 1 | tail -1)"
            python3 - "$q $t $m" "$ms" "$base_ms" "$ins" "$base_ins" "$N" "$sum" <<'PY'
import sys
label, ms, base_ms, ins, base_ins, n, total = sys.argv[1:]
line = f"{label} {round((float(ms) - float(base_ms)) / int(n), 1)} ms"
if ins[:1].isdigit() and base_ins[:1].isdigit():
    line += f" {round((int(ins) - int(base_ins)) / int(n) / 1e6, 1)} Minstr"
print(line, '|', total)
PY
        done
    done
done
