#!/usr/bin/env bash
# bench/sqlexec/vecwin.sh BEFORE_STRATA AFTER_STRATA [DB] - CPU of DISTINCT, UNION and window
# functions over 1M rows (row and column tables), before and after exec/vec_distinct.c,
# vec_setop.c and vec_window.c: task-clock (CPU ms) from `perf stat`, three runs each, the two
# binaries interleaved; the median is printed (the hardware instruction counter is not
# available on the benchmark VM). The database is built once with AFTER_STRATA.
# CALLGRIND=1: instructions instead (valgrind --tool=callgrind, one run each, millions,
# including the shell's start and the database's open: `SELECT 1` is printed first).
set -eu
before=$1 after=$2 db=${3:-/tmp/vecwin_bench.db}
if [ ! -f "$db" ]; then
    "$after" "$db" -c "
CREATE TABLE r (id int, g int, x int, t int, s text);
INSERT INTO r SELECT i, i % 10000, ((i::bigint * 7919) % 1000003)::int, i, 'v' || (i % 10000)
FROM generate_series(1, 1000000) i;
CREATE TABLE c (id int, g int, x int, t int, s text) USING column;
INSERT INTO c SELECT * FROM r;
ANALYZE;" >/dev/null
fi
queries=(
    "distinct|SELECT count(*) FROM (SELECT DISTINCT g FROM TBL) q"
    "union|SELECT count(*) FROM (SELECT g, x FROM TBL WHERE id <= 500000 UNION SELECT g, x FROM TBL WHERE id > 500000) q"
    "row_number|SELECT count(*), sum(rn) FROM (SELECT row_number() OVER (PARTITION BY g ORDER BY x) rn FROM TBL) q"
    "sum_rows|SELECT sum(s) FROM (SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) s FROM TBL) q"
)
if [ "${CALLGRIND:-0}" = 1 ]; then
    instr() { # binary sql -> millions of instructions
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" "$db" -c "$2" 2>&1 >/dev/null |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | awk '{ printf "%d", $1 / 1e6 }'
    }
    printf '%-11s %-6s %12s %12s %7s\n' query table before_Minstr after_Minstr ratio
    printf '%-11s %-6s %12s %12s\n' open - "$(instr "$before" 'SELECT 1')" "$(instr "$after" 'SELECT 1')"
    for entry in "${queries[@]}"; do
        name=${entry%%|*} sql=${entry#*|}
        for tbl in r c; do
            q="SET work_mem = '2GB'; ${sql//TBL/$tbl};"
            b=$(instr "$before" "$q") a=$(instr "$after" "$q")
            printf '%-11s %-6s %12s %12s %7.2f\n' "$name" "$tbl" "$b" "$a" "$(echo "$a / $b" | bc -l)"
        done
    done
    exit 0
fi
printf '%-11s %-6s %10s %10s %7s\n' query table before_ms after_ms ratio
for entry in "${queries[@]}"; do
    name=${entry%%|*} sql=${entry#*|}
    for tbl in r c; do
        q="SET work_mem = '2GB'; ${sql//TBL/$tbl};"
        b=() a=()
        for run in 1 2 3; do
            for bin in "$before" "$after"; do
                out=$(perf stat -x, -e task-clock "$bin" "$db" -c "$q" 2>&1 >/dev/null)
                ms=$(echo "$out" | grep ',task-clock' | cut -d, -f1)
                if [ "$bin" = "$before" ]; then b+=("${ms%.*}"); else a+=("${ms%.*}"); fi
            done
        done
        mb=$(printf '%s\n' "${b[@]}" | sort -n | sed -n 2p)
        ma=$(printf '%s\n' "${a[@]}" | sort -n | sed -n 2p)
        printf '%-11s %-6s %10s %10s %7.2f\n' "$name" "$tbl" "$mb" "$ma" "$(echo "$ma / $mb" | bc -l)"
    done
done
