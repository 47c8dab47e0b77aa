#!/usr/bin/env bash
# bench/olap/run.sh - side-by-side run of the star-schema workload (../shared/bench/olap) on
# strata, DuckDB (1 and 2 threads, the shared duckrun.mjs), SQLite and PostgreSQL (the shared
# run_sql.py), all in one run (one RUN_ID, engines one after the other on the same data), then the shared
# summarize.py with ratios to duckdb/t1.
#
#   bench/olap/run.sh [ENGINES...]      ENGINES default: strata duckdb sqlite
#                                       (also: postgres, strata-row)
# Env: FACTS (200000)  USERS (10000 when FACTS < 20M, else the generator's 1M)  RUNS (3)
#      SLOW (20 s)  TIMEOUT (300 s per query)  STRATA_BUILD (build/olap)  RUN_ID
#      STRATA_WORK_MEM (1GB: the row operators' hash joins needed it at 2M facts (53200 with
#      the default 64MB); the column fact table's pipeline ran all ten queries at 20M facts
#      with the defaults too (run olap20m); the PostgreSQL peer runs with 256MB, DuckDB with
#      80% of RAM)
#      STRATA_SHARED_BUFFERS (1GB: the buffer pool, as the SQLite peer's cache_size of 1 GiB;
#      the default 32MB pool re-reads the 1M-row user dimension from the OS in every query)
#      STRATA_SKIP_BUILD=1 reuses data/libstrata.so from the previous run (same engine build)
#      STRATA_T1 (1: after the default pass "strata", which may use both cores, the queries
#      again as "strata/t1" with max_parallel_workers_per_gather = 0; 0 skips it)
#      SKIP_LOAD=1 queries the databases of the previous run (strata, strata-row, sqlite) without
#      loading them again when they exist (the 20M-fact loads take minutes)
#      --only q10,q03 (after the engines): only the queries whose names start so
#      BENCH_PGPORT (5435)  BENCH_PGDATA (data/pgdata): postgres is a throw-away server started
#      and stopped here with the shared pg_bench.sh (its settings: shared_buffers 2GB,
#      work_mem 256MB, max_parallel_workers_per_gather 2 = both cores, fsync off)
# strata-row: the same data with the fact table stored as rows (star_schema_strata.sql with
# `USING row` for the fact table) and the row-store indexes of the shared star_indexes.sql
# (fact(date_key), fact(user_key)), engine names strata-row and strata-row/t1, its own
# database data/star-F-uU/star-row.strata: issue 6's column-vs-row comparison
# (`run.sh strata strata-row` puts both side by side in one summary).
# Output: bench/olap/results/star-<RUN_ID>.jsonl and .md (the summary table).
#
# Nothing is written to ../shared: data, the generator, the DuckDB peer's npm install (in a
# writable copy of the shared olap folder) and the databases go to the git-ignored
# bench/olap/data/. The strata runner loads libstrata through ctypes; the build's
# libstrata.so also holds the shell's objects (it does not dlopen: undefined
# shell_read_line), so a library of the engine's objects is linked here into data/.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="${STAR_SHARED:-$(cd "$ROOT/../shared/bench/olap" && pwd)}"
PY="${PYTHON:-/usr/bin/python3}"
FACTS="${FACTS:-200000}"; RUNS="${RUNS:-3}"; SLOW="${SLOW:-20}"; TIMEOUT="${TIMEOUT:-300}"
if [ "$FACTS" -lt 20000000 ]; then USERS="${USERS:-10000}"; else USERS="${USERS:-1000000}"; fi
BUILD="${STRATA_BUILD:-build/olap}"
RUN_ID="${RUN_ID:-$(date -u +%Y%m%dT%H%M%S)}"
DATA="$HERE/data/star-$FACTS-u$USERS"; PEER="$HERE/data/peer"; OUT="$HERE/results/star-$RUN_ID.jsonl"
ENGINE_ARGS=(); ONLY_ARGS=()
while [ $# -gt 0 ]; do
    case $1 in
    --only) ONLY="$2"; shift 2 ;;
    *) ENGINE_ARGS+=("$1"); shift ;;
    esac
done
ENGINES="${ENGINE_ARGS[*]:-strata duckdb sqlite}"
if [ -n "${ONLY:-}" ]; then
    names=$(grep -o '^-- query: [^ ]*' "$SHARED/star_queries.sql" | awk '{print $3}' | sort -u |
        grep -E "^($(echo "$ONLY" | tr ',' '|'))" | paste -sd, || true)
    [ -n "$names" ] || { echo "--only $ONLY: no such query" >&2; exit 2; }
    ONLY_ARGS=(--only "$names")
fi
# Runs the load command after $1 (the database it makes), unless SKIP_LOAD=1 and $1 exists.
load() {
    if [ "${SKIP_LOAD:-0}" = 1 ] && [ -s "$1" ]; then
        echo "SKIP_LOAD: querying $1 as it is" >&2
    else
        shift; "$@"
    fi
}
mkdir -p "$HERE/data" "$HERE/results" "$DATA" "$PEER"

# Data: the shared generator, compiled into data/.
[ -x "$HERE/data/gen_star" ] || gcc -O2 -o "$HERE/data/gen_star" "$SHARED/gen_star.c" -lm
if [ ! -s "$DATA/fact_page_views.csv" ]; then
    "$HERE/data/gen_star" "$DATA" --facts "$FACTS" --users "$USERS"
fi

for e in $ENGINES; do
    case $e in
    strata)
        if [ "${STRATA_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$HERE/data/libstrata.so" ]; then
            (cd "$ROOT" && make -j2 BUILD="$BUILD" lib >/dev/null)
            objs=$(find "$ROOT/$BUILD/obj/src" -name '*.o' ! -path '*/shell/*' ! -path '*/server/*' \
                ! -path '*/slt/*' ! -name '*_test.o' ! -name '*_main.o')
            # shellcheck disable=SC2086
            cc -shared -o "$HERE/data/libstrata.so" $objs -lxxhash -lzstd -llz4 -lssl -lcrypto -lgmp -lpthread -lm
        fi
        load "$DATA/star.strata" "$PY" "$HERE/run_strata.py" load --manifest "$SHARED/star.json" --data "$DATA" \
            --db "$DATA/star.strata" --lib "$HERE/data/libstrata.so" --out "$OUT" --run-id "$RUN_ID"
        "$PY" "$HERE/run_strata.py" query --manifest "$SHARED/star.json" --db "$DATA/star.strata" \
            --lib "$HERE/data/libstrata.so" --runs "$RUNS" --slow "$SLOW" --timeout "$TIMEOUT" \
            --set "work_mem=${STRATA_WORK_MEM:-1GB}" --set "shared_buffers=${STRATA_SHARED_BUFFERS:-1GB}" \
            "${ONLY_ARGS[@]}" --out "$OUT" --run-id "$RUN_ID"
        if [ "${STRATA_T1:-1}" = 1 ]; then
            # The same queries on one thread (no parallel pipeline workers): "strata/t1".
            "$PY" "$HERE/run_strata.py" query --manifest "$SHARED/star.json" --db "$DATA/star.strata" \
                --lib "$HERE/data/libstrata.so" --runs "$RUNS" --slow "$SLOW" --timeout "$TIMEOUT" \
                --set "work_mem=${STRATA_WORK_MEM:-1GB}" --set "shared_buffers=${STRATA_SHARED_BUFFERS:-1GB}" \
                --set max_parallel_workers_per_gather=0 --engine strata/t1 \
                "${ONLY_ARGS[@]}" --out "$OUT" --run-id "$RUN_ID"
        fi ;;
    strata-row)
        # The fact table as rows (same data, row-store indexes): issue 6's column-vs-row ratio.
        [ -f "$HERE/data/libstrata.so" ] || { echo "strata-row: run strata first (data/libstrata.so)" >&2; exit 2; }
        sed 's/^) USING column;/) USING row;/' "$HERE/star_schema_strata.sql" > "$HERE/data/star_schema_strata_row.sql"
        load "$DATA/star-row.strata" "$PY" "$HERE/run_strata.py" load --manifest "$SHARED/star.json" --data "$DATA" \
            --schema "$HERE/data/star_schema_strata_row.sql" --indexes "$SHARED/star_indexes.sql" \
            --fact-table row --engine strata-row \
            --db "$DATA/star-row.strata" --lib "$HERE/data/libstrata.so" --out "$OUT" --run-id "$RUN_ID"
        for pass in default t1; do
            extra=(); name=strata-row
            [ $pass = t1 ] && { extra=(--set max_parallel_workers_per_gather=0); name=strata-row/t1; }
            [ $pass = t1 ] && [ "${STRATA_T1:-1}" != 1 ] && continue
            "$PY" "$HERE/run_strata.py" query --manifest "$SHARED/star.json" --db "$DATA/star-row.strata" \
                --lib "$HERE/data/libstrata.so" --runs "$RUNS" --slow "$SLOW" --timeout "$TIMEOUT" \
                --set "work_mem=${STRATA_WORK_MEM:-1GB}" --set "shared_buffers=${STRATA_SHARED_BUFFERS:-1GB}" \
                "${extra[@]}" --fact-table row --engine "$name" "${ONLY_ARGS[@]}" --out "$OUT" --run-id "$RUN_ID"
        done ;;
    duckdb)
        for f in package.json duckrun.mjs star.json star_schema.sql star_indexes.sql star_queries.sql; do
            cp -f "$SHARED/$f" "$PEER/$f"; chmod u+w "$PEER/$f"
        done
        [ -d "$PEER/node_modules/@duckdb/node-api" ] || (cd "$PEER" && npm install --no-audit --no-fund >/dev/null)
        rm -f "$DATA/star.duckdb" "$DATA/star.duckdb.wal"
        (cd "$PEER" && node duckrun.mjs load --manifest star.json --data "$DATA" --db "$DATA/star.duckdb" \
            --threads 2 --out "$OUT" --run-id "$RUN_ID")
        for t in 1 2; do
            (cd "$PEER" && node duckrun.mjs query --manifest star.json --db "$DATA/star.duckdb" --threads $t \
                --runs "$RUNS" --slow "$SLOW" "${ONLY_ARGS[@]}" --out "$OUT" --run-id "$RUN_ID")
        done ;;
    sqlite)
        load "$DATA/star.sqlite" "$PY" "$SHARED/run_sql.py" load --engine sqlite --manifest "$SHARED/star.json" --data "$DATA" \
            --db "$DATA/star.sqlite" --out "$OUT" --run-id "$RUN_ID"
        "$PY" "$SHARED/run_sql.py" query --engine sqlite --manifest "$SHARED/star.json" --db "$DATA/star.sqlite" \
            --runs "$RUNS" --slow "$SLOW" --timeout "$TIMEOUT" "${ONLY_ARGS[@]}" --out "$OUT" --run-id "$RUN_ID" ;;
    postgres)
        # A throw-away server (the shared pg_bench.sh) under data/pgdata, stopped afterwards.
        export BENCH_PGPORT="${BENCH_PGPORT:-5435}" BENCH_PGDATA="${BENCH_PGDATA:-$HERE/data/pgdata}"
        (cd "$SHARED" && bash ./pg_bench.sh start)
        trap '(cd "$SHARED" && bash ./pg_bench.sh stop) || true' EXIT
        DSN="host=127.0.0.1 port=$BENCH_PGPORT user=postgres dbname=bench_star"
        psql -h 127.0.0.1 -p "$BENCH_PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bench_star'" \
            | grep -q 1 || psql -h 127.0.0.1 -p "$BENCH_PGPORT" -U postgres -qc "CREATE DATABASE bench_star"
        "$PY" "$SHARED/run_sql.py" load --engine postgres --manifest "$SHARED/star.json" --data "$DATA" \
            --dsn "$DSN" --out "$OUT" --run-id "$RUN_ID"
        "$PY" "$SHARED/run_sql.py" query --engine postgres --manifest "$SHARED/star.json" --dsn "$DSN" \
            --runs "$RUNS" --slow "$SLOW" --timeout "$TIMEOUT" "${ONLY_ARGS[@]}" --out "$OUT" --run-id "$RUN_ID"
        (cd "$SHARED" && bash ./pg_bench.sh stop); trap - EXIT ;;
    *) echo "unknown engine $e (strata strata-row duckdb sqlite postgres)" >&2; exit 2 ;;
    esac
done
"$PY" "$SHARED/summarize.py" "$OUT" --ratio-to duckdb/t1 | tee "${OUT%.jsonl}.md"
echo "results: $OUT"
