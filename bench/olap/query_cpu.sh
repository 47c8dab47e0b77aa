#!/usr/bin/env bash
# bench/olap/query_cpu.sh - CPU milliseconds of the star queries on one or more strata
# databases, a process's first run and its warm runs reported apart, the same runs on
# every database: issue 6's column-vs-row comparison (bench/README.md).
#
#   bench/olap/query_cpu.sh DB [DB...]      e.g. ... star.strata star-row.strata
# Env: N (3: warm runs after the first)  QS ("01 02 03 04 05 06 07 08 09")  ROUNDS (1)
#      STRATA_BUILD (build/release, or an absolute path: where libstrata.so is)
#      SET (settings run once per process; default run.sh's strata/t1: work_mem and
#      shared_buffers 1GB, max_parallel_workers_per_gather = 0)
#      FACT (renames fact_page_views in the queries, e.g. a row-table copy made with
#      CREATE TABLE fact_row AS SELECT * FROM fact_page_views)
# Each query runs 1 + N times in a fresh process per database (query_runs.c, through the
# C API as run_strata.py does), getrusage around each run: "first" is run 1 (it reads the
# database's pages from the OS into the pool and faults in the memory it touches),
# "warm" the median of runs 2..N+1. A query's `-- pre:` lines (q09's DELETE) run untimed
# before every run. Databases alternate within a query and queries within a round, so
# both sides see the same machine load. With two or more databases each later one's
# figures are also given as a ratio to the first's (DB_k / DB_1: for column then row,
# how many times faster the column table is). q09 writes: run it on copies.
# Prints lines "qNN DB first_ms F warm_ms W first_faults A warm_faults B" and
# "qNN ratio DB_k/DB_1 first Rx warm Rx".
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
[ $# -ge 1 ] || { echo "usage: query_cpu.sh DB [DB...]" >&2; exit 2; }
N="${N:-3}"; QS="${QS:-01 02 03 04 05 06 07 08 09}"; ROUNDS="${ROUNDS:-1}"
FACT="${FACT:-fact_page_views}"
BUILD="$(cd "$ROOT" && cd "${STRATA_BUILD:-build/release}" && pwd)"
SETTINGS="${SET:-SET work_mem = '1GB'; SET shared_buffers = '1GB'; SET max_parallel_workers_per_gather = 0}"
QUERIES="${STAR_SHARED:-$(cd "$ROOT/../shared/bench/olap" && pwd)}/star_queries.sql"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cc -O2 -I"$ROOT/include" -o "$WORK/query_runs" "$HERE/query_runs.c" -L"$BUILD" -lstrata \
    -Wl,-rpath,"$BUILD"
# One file per default-dialect query block (variants marked [sqlite]/[duckdb] skipped),
# its `-- pre:` lines joined into qNN.pre.
python3 - "$QUERIES" "$WORK" "$FACT" <<'EOF'
import re, sys
text, out, fact = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
for block in re.split(r'^-- query: ', text, flags=re.M)[1:]:
    name = block.split('\n', 1)[0].strip()
    if '[' in name:
        continue
    lines = block.split('\n')[1:]
    pre = [re.sub(r'^--\s*pre:\s*', '', l) for l in lines if re.match(r'--\s*pre:', l)]
    body = '\n'.join(l for l in lines if not l.startswith('--'))
    open(f'{out}/{name[:3]}.sql', 'w').write(body.strip().replace('fact_page_views', fact) + '\n')
    open(f'{out}/{name[:3]}.pre', 'w').write('; '.join(pre).replace('fact_page_views', fact))
EOF
for round in $(seq "$ROUNDS"); do
    for q in $QS; do
        index=0
        for db in "$@"; do
            index=$((index + 1))
            "$WORK/query_runs" "$db" $((N + 1)) "$WORK/q$q.sql" "$(cat "$WORK/q$q.pre")" \
                "$SETTINGS" > "$WORK/r$round-q$q-$index"
        done
        python3 - "$WORK" "$round" "$q" "$@" <<'EOF'
import statistics, sys, os
work, rnd, q, dbs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
figures = []
for index, db in enumerate(dbs, 1):
    runs = [l.split() for l in open(f'{work}/r{rnd}-q{q}-{index}')]
    cpu = [float(r[3]) for r in runs]
    faults = [int(r[5]) for r in runs]
    warm = statistics.median(cpu[1:]) if len(cpu) > 1 else float('nan')
    warm_faults = int(statistics.median(faults[1:])) if len(faults) > 1 else 0
    figures.append((cpu[0], warm))
    print(f'q{q} {os.path.basename(db)} first_ms {cpu[0]:.1f} warm_ms {warm:.1f} '
          f'first_faults {faults[0]} warm_faults {warm_faults}')
for index, db in enumerate(dbs[1:], 2):
    first, warm = figures[index - 1]
    print(f'q{q} ratio {os.path.basename(db)}/{os.path.basename(dbs[0])} '
          f'first {first / figures[0][0]:.1f}x warm {warm / figures[0][1]:.1f}x')
EOF
    done
done
