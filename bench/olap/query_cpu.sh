#!/usr/bin/env bash
# bench/olap/query_cpu.sh - CPU milliseconds per run of the star queries on one strata
# database, measured with `perf stat -e task-clock` around the strata shell (N runs of a
# query in one process, minus a process that only opens the database), so the figure is
# less sensitive than wall time to other jobs on a shared machine.
#
#   bench/olap/query_cpu.sh DB [FACT_TABLE]
# Env: N (3 runs per query)  QS ("01 02 03 04 05 06 07 08": query numbers)
#      STRATA (build/release/strata)  SET (extra setting, e.g. "SET enable_vectorize = off")
# FACT_TABLE renames fact_page_views in the queries (e.g. a row-table copy made with
# CREATE TABLE fact_row AS SELECT * FROM fact_page_views), to compare physical designs.
# Needs perf (linux-perf). Prints "qNN ms" lines.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DB="$1"; FACT="${2:-fact_page_views}"
N="${N:-3}"; QS="${QS:-01 02 03 04 05 06 07 08}"
STRATA="${STRATA:-$ROOT/build/release/strata}"
QUERIES="${STAR_SHARED:-$(cd "$ROOT/../shared/bench/olap" && pwd)}/star_queries.sql"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# One file per default-dialect query block (variants marked [sqlite]/[duckdb] skipped).
python3 - "$QUERIES" "$WORK" "$FACT" <<'EOF'
import re, sys
text, out, fact = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
for block in re.split(r'^-- query: ', text, flags=re.M)[1:]:
    name = block.split('\n', 1)[0].strip()
    if '[' in name:
        continue
    body = '\n'.join(l for l in block.split('\n')[1:] if not l.startswith('--'))
    open(f'{out}/{name[:3]}.sql', 'w').write(body.strip().replace('fact_page_views', fact) + '\n')
EOF
cpu_ms() {
    perf stat -x, -e task-clock "$STRATA" -q -c "SET work_mem = '1GB'" ${SET:+-c "$SET"} "$@" "$DB" \
        2>&1 >/dev/null | grep task-clock | cut -d, -f1
}
base=$(cpu_ms)
for q in $QS; do
    args=()
    for _ in $(seq "$N"); do args+=(-f "$WORK/q$q.sql"); done
    total=$(cpu_ms "${args[@]}")
    python3 -c "print('q$q', round(($total - $base) / $N, 1))"
done
