#!/usr/bin/env bash
# bench/oltp/run.sh - oltp-micro on strata and SQLite, side by side in one run.
#
#   bench/oltp/run.sh            RUNS=3 repetitions, engines interleaved in each
#   QUICK=1 RUNS=1 bench/oltp/run.sh   a smoke test (20,000 rows, small counts)
#
# Builds strata (make), the strata runner (strata_runner.c, public C API) and the
# shared SQLite runner and fsync probe (../shared/bench/oltp, compiled here because
# shared/ may be read-only), then per repetition: fsync probes (overwrite, append), SQLite,
# strata (whose update_paired op measures durable commits and both probes in alternating
# rounds, the steadier comparison on a disk whose fsync rate swings).
# Results: one JSON object per line in $OUT/oltp.jsonl, and a median/min-max table
# with per-run ratios from the shared summarize.py in $OUT/summary.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SHARED=${SHARED:-$(cd "$root/../shared/bench/oltp" && pwd)}
RUNS=${RUNS:-3}
ROWS=${ROWS:-1000000}
OUT=${OUT:-$here/results/$(date +%Y%m%d-%H%M)}
DATA=${DATA:-$here/data}
mkdir -p "$OUT" "$DATA/bin"

if [ -n "${QUICK:-}" ]; then
    ROWS=${QUICK_ROWS:-20000}
    COUNTS=(--point 2000 --selk 1000 --range 500 --upd 500 --ins 500 --delins 500 --mix-seconds 2)
else
    COUNTS=()
fi

make -C "$root" -s -j2 all
CFLAGS="-O2 -g -std=gnu11 -D_GNU_SOURCE"
cc $CFLAGS -I"$SHARED" -I"$root/include" -o "$DATA/bin/strata_runner" "$here/strata_runner.c" \
    "$root/build/release/libstrata.a" -lxxhash -lzstd -llz4 -lcrypto -lgmp -lpthread -lm
cc $CFLAGS -I"$SHARED" -o "$DATA/bin/sqlite_runner" "$SHARED/sqlite_runner.c" -lsqlite3
cc $CFLAGS -I"$SHARED" -o "$DATA/bin/fsync_lat" "$SHARED/fsync_lat.c"

for run in $(seq 1 "$RUNS"); do
    echo "[run.sh] repetition $run/$RUNS" >&2
    "$DATA/bin/fsync_lat" "$DATA/fsync.probe" 2000 8192 fdatasync overwrite >> "$OUT/disk.jsonl" || true; rm -f "$DATA/fsync.probe"
    "$DATA/bin/fsync_lat" "$DATA/fsync.probe" 2000 8192 fdatasync append >> "$OUT/disk.jsonl" || true; rm -f "$DATA/fsync.probe"
    "$DATA/bin/sqlite_runner" -d "$DATA/sqlite.db" -N "$ROWS" -r "$run" ${COUNTS[@]+"${COUNTS[@]}"} >> "$OUT/oltp.jsonl"
    rm -f "$DATA/sqlite.db" "$DATA/sqlite.db-wal" "$DATA/sqlite.db-shm"
    "$DATA/bin/strata_runner" -d "$DATA/strata.db" -N "$ROWS" -r "$run" --concurrent 2-4 \
        ${COUNTS[@]+"${COUNTS[@]}"} >> "$OUT/oltp.jsonl"
    rm -f "$DATA/strata.db" "$DATA/strata.db-wal"
done
python3 "$SHARED/tools/summarize.py" "$OUT/oltp.jsonl" | tee "$OUT/summary.md"
