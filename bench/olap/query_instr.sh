#!/usr/bin/env bash
# bench/olap/query_instr.sh - instructions per warm run of star queries on one strata
# database, counted by valgrind's callgrind (deterministic, unlike time on a shared
# machine): one thread, work_mem and shared_buffers 1GB as run.sh's strata/t1, the
# queries run by query_runs.c (the C API, as run_strata.py) with callgrind collecting
# only inside its run_query (--toggle-collect), so opening the database, the settings
# and a query's untimed `-- pre:` lines (q09's DELETE) are not counted; then
# (instructions of 3 runs in one process - those of 1 run) / 2, so the first (cold)
# run drops out too.
#
#   bench/olap/query_instr.sh DB [QUERY_NUMBERS]      e.g. ... star.strata "01 02 06"
# Env: STRATA_BUILD (build/release, or an absolute path: where libstrata.so is). Needs valgrind.
# Prints "qNN instructions" lines. q09 writes (DELETE + INSERT): measure it on a copy.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DB="$1"; QS="${2:-01 02 03 04 05 06 07 08 09}"
BUILD="$(cd "$ROOT" && cd "${STRATA_BUILD:-build/release}" && pwd)"
QUERIES="${STAR_SHARED:-$(cd "$ROOT/../shared/bench/olap" && pwd)}/star_queries.sql"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cc -O2 -g -I"$ROOT/include" -o "$WORK/query_runs" "$HERE/query_runs.c" -L"$BUILD" -lstrata \
    -Wl,-rpath,"$BUILD"
# One file per default-dialect query block (variants marked [sqlite]/[duckdb] skipped),
# its `-- pre:` lines joined into qNN.pre.
python3 - "$QUERIES" "$WORK" <<'EOF'
import re, sys
text, out = open(sys.argv[1]).read(), sys.argv[2]
for block in re.split(r'^-- query: ', text, flags=re.M)[1:]:
    name = block.split('\n', 1)[0].strip()
    if '[' in name:
        continue
    lines = block.split('\n')[1:]
    pre = [re.sub(r'^--\s*pre:\s*', '', l) for l in lines if re.match(r'--\s*pre:', l)]
    body = '\n'.join(l for l in lines if not l.startswith('--'))
    open(f'{out}/{name[:3]}.sql', 'w').write(body.strip() + '\n')
    open(f'{out}/{name[:3]}.pre', 'w').write('; '.join(pre))
EOF
instructions() {
    local q=$1 n=$2
    valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect=run_query \
        "$WORK/query_runs" "$DB" "$n" "$WORK/q$q.sql" "$(cat "$WORK/q$q.pre")" 2>&1 >/dev/null |
        awk '/Collected :/ {print $NF}'
}
for q in $QS; do
    one=$(instructions "$q" 1)
    three=$(instructions "$q" 3)
    echo "q$q $(( (three - one) / 2 ))"
done
