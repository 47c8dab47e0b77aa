#!/usr/bin/env bash
# bench/wire/run.sh - strata serve against PostgreSQL 15 over the wire, side by side
# in one run (issue 5).
#
#   bench/wire/run.sh [all|tpcb|micro]          (default all)
#   QUICK=1 bench/wire/run.sh                   smoke test: scale 1, 20,000 rows, short runs
#
# Starts a throwaway PostgreSQL 15 (initdb in a mktemp directory, 127.0.0.1 only,
# fsync = on, synchronous_commit = on, full_page_writes = on, the settings of
# ../shared/bench/oltp/run.sh) and strata-server (default synchronous = full, i.e.
# every COMMIT fdatasyncs the WAL before it is acknowledged, synchronous_commit = on),
# both on loopback TCP ports, both databases in the same mktemp directory (same disk).
# Then per repetition, engines interleaved:
#   1. the fsync probes (../shared/bench/oltp/fsync_lat.c, 8 KiB + fdatasync, overwriting
#      a preallocated file as PostgreSQL's WAL does, and appending as strata's WAL does);
#   2. pgbench TPC-B-like: -i -s SCALE, -M prepared -c 1 and -c 2 for TPCB_SECONDS
#      (../shared/bench/oltp/pg_runner.py --tpcb), PostgreSQL then strata;
#   3. oltp-micro over the wire (pg_runner.py: psql load, every operation through
#      pgbench -M prepared -c 1 with the shared scripts), PostgreSQL then strata.
# strata is driven by the same pg_runner.py through strata_pg_runner.py (which only
# skips CREATE/DROP DATABASE and relabels the engine). Results: JSON lines in
# $OUT/{disk,tpcb,oltp}.jsonl and the shared summarize.py table in $OUT/summary.md.
#
# Environment: RUNS (1), SCALE (10), TPCB_SECONDS (30), ROWS (1000000),
# LOAD_VIA (copy: COPY FROM STDIN; exec: the spec's row-by-row load), MICRO_ARGS
# (pg_runner count options, default "--upd 5000 --ins 5000 --delins 5000"), SCRATCH_BASE
# (where both databases go, default $TMPDIR or /tmp; /dev/shm takes the disk out), OUT, PGBIN
# (/usr/lib/postgresql/15/bin), STRATA_BUILD (build/release), SHARED, STRATA_SHARED_BUFFERS
# (1GB: strata's page cache, the same memory as PostgreSQL's shared_buffers; every strata
# client session sets it through PGOPTIONS, and the pool belongs to the database).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SHARED=${SHARED:-$(cd "$root/../shared/bench/oltp" && pwd)}
WHAT=${1:-all}
RUNS=${RUNS:-1}
SCALE=${SCALE:-10}
TPCB_SECONDS=${TPCB_SECONDS:-30}
ROWS=${ROWS:-1000000}
LOAD_VIA=${LOAD_VIA:-copy}
OUT=${OUT:-$here/results/$(date +%Y%m%d-%H%M)}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
BUILD=${STRATA_BUILD:-$root/build/release}
DATA=$here/data
PY=${PYTHON:-python3}
# The spec's counts, except 5,000 (not 20,000) durable single-row commits per
# write op, to keep one repetition near 10 minutes; MICRO_ARGS overrides.
read -r -a COUNTS <<<"${MICRO_ARGS:---upd 5000 --ins 5000 --delins 5000}"
if [ -n "${QUICK:-}" ]; then
    SCALE=1
    TPCB_SECONDS=3
    ROWS=20000
    COUNTS=(--point 2000 --selk 1000 --range 500 --upd 500 --ins 500 --delins 500 --mix-seconds 2)
fi
mkdir -p "$OUT" "$DATA/bin"
log() { echo "[wire/run.sh] $*" >&2; }

make -C "$root" -s -j2 all >/dev/null
cc -O2 -g -std=gnu11 -D_GNU_SOURCE -I"$SHARED" -o "$DATA/bin/fsync_lat" "$SHARED/fsync_lat.c"
cc -O2 -g -std=gnu11 -D_GNU_SOURCE -I"$SHARED" -o "$DATA/bin/sbgen" "$SHARED/sbgen.c"
STRATA_VERSION="strata $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src || echo +dirty)"
export STRATA_VERSION

SCRATCH=$(mktemp -d "${SCRATCH_BASE:-${TMPDIR:-/tmp}}/strata-wirebench.XXXXXX")
PG_PID=
STRATA_PID=
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_start() {
    PG_PORT=$(free_port)
    mkdir -p "$SCRATCH/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$SCRATCH" "$SCRATCH/pg"
    as_pg "$PGBIN/initdb" -D "$SCRATCH/pg/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
    cat >> "$SCRATCH/pg/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SCRATCH/pg'
shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
    as_pg "$PGBIN/pg_ctl" -D "$SCRATCH/pg/data" -l "$SCRATCH/pg/server.log" -w -t 120 start >/dev/null
    PG_PID=$(head -1 "$SCRATCH/pg/data/postmaster.pid")
    # pg_runner.py --tpcb reads pg_settings through its default database "oltp".
    psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE oltp"
    log "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (pid $PG_PID)"
}

strata_start() {
    STRATA_PORT=$(free_port)
    # roles live in the database: the benchmark's clients log in as postgres
    [ -e "$SCRATCH/strata.db" ] ||
        "$BUILD/strata" -q -c "CREATE ROLE postgres SUPERUSER LOGIN" "$SCRATCH/strata.db" >/dev/null
    "$BUILD/strata-server" --listen "127.0.0.1:$STRATA_PORT" --no-socket --trust \
        "$SCRATCH/strata.db" >"$SCRATCH/strata.log" 2>&1 &
    STRATA_PID=$!
    local tries=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$STRATA_PORT") 2>/dev/null; do
        tries=$((tries + 1))
        if [ $tries -gt 200 ] || ! kill -0 "$STRATA_PID" 2>/dev/null; then
            cat "$SCRATCH/strata.log" >&2
            exit 1
        fi
        sleep 0.05
    done
    log "$STRATA_VERSION on 127.0.0.1:$STRATA_PORT (pid $STRATA_PID)"
}

cleanup() {
    if [ -n "$STRATA_PID" ]; then
        kill -TERM "$STRATA_PID" 2>/dev/null || true
        wait "$STRATA_PID" 2>/dev/null || true
    fi
    if [ -n "$PG_PID" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$SCRATCH/pg/data" -m fast -w -t 120 stop >/dev/null ||
            kill -TERM "$PG_PID" 2>/dev/null || true
    fi
    rm -rf "$SCRATCH" "$DATA"/pgb_* "$DATA/fsync.probe"
}
trap cleanup EXIT

pg_runner() { "$PY" "$SHARED/pg_runner.py" --host 127.0.0.1 --port "$PG_PORT" --workdir "$DATA" \
    --sbgen "$DATA/bin/sbgen" "$@"; }
strata_runner() { PGOPTIONS="-c shared_buffers=${STRATA_SHARED_BUFFERS:-1GB}" "$PY" "$here/strata_pg_runner.py" --shared "$SHARED" --host 127.0.0.1 \
    --port "$STRATA_PORT" --workdir "$DATA" --sbgen "$DATA/bin/sbgen" "$@"; }

# Both probes: PostgreSQL overwrites preallocated WAL segments, strata appends
# to its WAL file, and on some disks (this VM's) the two differ by 10x.
run_fsync() {
    local mode
    for mode in overwrite append; do
        "$DATA/bin/fsync_lat" "$SCRATCH/fsync.probe" 2000 8192 fdatasync $mode |
            sed "s/}\$/,\"run\":$1}/" >> "$OUT/disk.jsonl"
        rm -f "$SCRATCH/fsync.probe"
        tail -1 "$OUT/disk.jsonl" >&2
    done
}

run_tpcb() {
    log "TPC-B run $1: postgres"
    pg_runner --tpcb -r "$1" --scale "$SCALE" --tpcb-seconds "$TPCB_SECONDS" >> "$OUT/tpcb.jsonl"
    log "TPC-B run $1: strata"
    strata_runner --tpcb -r "$1" --scale "$SCALE" --tpcb-seconds "$TPCB_SECONDS" >> "$OUT/tpcb.jsonl"
}

run_micro() {
    log "oltp-micro run $1: postgres"
    pg_runner -N "$ROWS" -r "$1" --no-copy --load-via "$LOAD_VIA" ${COUNTS[@]+"${COUNTS[@]}"} \
        >> "$OUT/oltp.jsonl"
    psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d oltp -c "DROP TABLE sbtest"
    log "oltp-micro run $1: strata"
    strata_runner -N "$ROWS" -r "$1" --no-copy --load-via "$LOAD_VIA" ${COUNTS[@]+"${COUNTS[@]}"} \
        >> "$OUT/oltp.jsonl"
    psql -X -q -h 127.0.0.1 -p "$STRATA_PORT" -U postgres -d oltp -c "DROP TABLE sbtest"
}

pg_start
strata_start
for run in $(seq 1 "$RUNS"); do
    run_fsync "$run"
    case "$WHAT" in
        all) run_tpcb "$run"; run_micro "$run" ;;
        tpcb) run_tpcb "$run" ;;
        micro) run_micro "$run" ;;
        *) echo "usage: $0 [all|tpcb|micro]" >&2; exit 2 ;;
    esac
    run_fsync "$run"
done
"$PY" "$SHARED/tools/summarize.py" "$OUT"/*.jsonl > "$OUT/summary.md" || true
cat "$OUT/summary.md"
log "results in $OUT"
