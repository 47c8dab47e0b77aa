#!/usr/bin/env bash
# bench/oltp/read_cost.sh - instructions per point_select and per range_select (100 rows
# by primary key) for strata and SQLite, counted with callgrind (stable on a loaded
# machine, unlike ops/s). Both runners are the ones bench/oltp/run.sh uses, with their
# settings (1 GiB pool / cache_size); each loads ROWS rows (200,000 by default) outside
# the counted region, then COUNT operations run with collection toggled on only inside
# the read loop (strata: do_read; SQLite: do_point_select / do_range_select), so the
# figure is the loop's instructions / COUNT (each op's key draw and clock reads included
# on both sides).
#
#   bench/oltp/read_cost.sh [BUILD_DIR (build/release)]     ROWS=200000 COUNT=2000
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$root/build/release}" && pwd)
SHARED=${SHARED:-$(cd "$root/../shared/bench/oltp" 2>/dev/null && pwd || echo /work/shared/bench/oltp)}
ROWS=${ROWS:-200000}
COUNT=${COUNT:-2000}
D=$(mktemp -d /tmp/strata-readcost.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$D"' EXIT
CFLAGS="-O2 -g -std=gnu11 -D_GNU_SOURCE"
cc $CFLAGS -I"$SHARED" -I"$root/include" -o "$D/strata_runner" "$here/strata_runner.c" \
    "$B/libstrata.a" -lxxhash -lzstd -llz4 -lcrypto -lgmp -lpthread -lm
# -fno-inline keeps SQLite's toggle functions (static, called once) out of line; it applies
# to the runner's own code only, not to libsqlite3.
cc $CFLAGS -fno-inline -I"$SHARED" -o "$D/sqlite_runner" "$SHARED/sqlite_runner.c" -lsqlite3
# Loads once per engine; the counted runs reuse the loaded file.
"$D/strata_runner" -d "$D/s.db" -N "$ROWS" --ops load --concurrent 1 >/dev/null 2>&1
"$D/sqlite_runner" -d "$D/q.db" -N "$ROWS" --ops load >/dev/null 2>&1
per_op() { # callgrind out file -> instructions per op
    awk -v n="$COUNT" '/^(summary|totals):/ { t = $2 } END { printf "%.0f", t / n }' "$1"
}
echo "| op (${ROWS} rows, ${COUNT} ops) | strata Ir/op | SQLite Ir/op | strata/SQLite |"
echo "|---|---:|---:|---:|"
for op in point_select range_select; do
    case $op in
        point_select) sf=do_point_select; args=(--point "$COUNT") ;;
        range_select) sf=do_range_select; args=(--range "$COUNT") ;;
    esac
    valgrind --tool=callgrind --callgrind-out-file="$D/cg.s.$op" --toggle-collect=do_read \
        "$D/strata_runner" -d "$D/s.db" -N "$ROWS" --reuse --concurrent 1 --ops "$op" \
        "${args[@]}" >/dev/null 2>"$D/vg.s.$op"
    valgrind --tool=callgrind --callgrind-out-file="$D/cg.q.$op" --toggle-collect="$sf" \
        "$D/sqlite_runner" -d "$D/q.db" -N "$ROWS" --no-load --ops "$op" \
        "${args[@]}" >/dev/null 2>"$D/vg.q.$op"
    s=$(per_op "$D/cg.s.$op"); q=$(per_op "$D/cg.q.$op")
    echo "| $op | $s | $q | $(awk -v a="$s" -v b="$q" 'BEGIN { printf "%.2f", a / b }') |"
done
[ -z "${KEEP:-}" ] || echo "callgrind files kept in $D" >&2
