#!/usr/bin/env bash
# bench/wire/commit_io.sh - what one durable oltp-micro transaction costs each server in
# write and sync system calls, over the wire: strata serve against PostgreSQL 15, the
# same pgbench script on the same rows. Counts, not rates, so a loaded machine and a
# moody disk do not change them (bench/README.md, "oltp-micro over the wire").
#
#   bench/wire/commit_io.sh [STRATA_BUILD_DIR (build/release)]
#     env: OPS ("insert update_nonidx delete_insert"), ROWS (100000), COUNT (2000),
#          PGBIN (/usr/lib/postgresql/15/bin), SHARED (../shared/bench/oltp)
#
# Starts a throwaway PostgreSQL 15 (run.sh's settings: fsync, synchronous_commit and
# full_page_writes on, shared_buffers 1GB) and strata-server (synchronous full), both in
# one mktemp directory under /tmp, loads ROWS sbtest rows into each (COPY, then CREATE
# INDEX k_1, VACUUM ANALYZE, CHECKPOINT), then per op and engine attaches `strace -f -y`
# to every process of the server and runs `pgbench -n -M prepared -c 1 -t COUNT` with
# the shared script. Per transaction it prints: WAL write calls and bytes, WAL syncs
# and the median time in one, data-file writes, bytes and syncs (checkpoints, and for
# strata the WAL's zero fill, which is WAL bytes written ahead of the commits), and
# pgbench's tps under strace (strace slows every call: read it as a relative figure).
# The engines take turns going first from one op to the next (OPS may repeat an op).
# TRACE=0: no strace, only each turn's tps and average latency (an interleaved A/B).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$root/build/release}" && pwd)
SHARED=${SHARED:-$(cd "$root/../shared/bench/oltp" && pwd)}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
OPS=${OPS:-insert update_nonidx delete_insert}
ROWS=${ROWS:-100000}
COUNT=${COUNT:-2000}
D=$(mktemp -d /tmp/strata-commitio.XXXXXX)
chmod 755 "$D"
SP=
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    [ -n "$SP" ] && kill "$SP" 2>/dev/null
    [ -f "$D/pg/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$D/pg/data" -m fast -w stop >/dev/null
    wait 2>/dev/null
    rm -rf "$D"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cc -O2 -std=gnu11 -D_GNU_SOURCE -I"$SHARED" -o "$D/sbgen" "$SHARED/sbgen.c"

PG_PORT=$(port)
mkdir -p "$D/pg"
[ "$(id -u)" = 0 ] && chown postgres "$D/pg"
as_pg "$PGBIN/initdb" -D "$D/pg/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
cat >>"$D/pg/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$D/pg'
shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
as_pg "$PGBIN/pg_ctl" -D "$D/pg/data" -l "$D/pg/log" -w start >/dev/null

ST_PORT=$(port)
"$B/strata" -q -c "CREATE ROLE postgres SUPERUSER LOGIN" "$D/strata.db" >/dev/null
"$B/strata-server" --listen "127.0.0.1:$ST_PORT" --no-socket --trust "$D/strata.db" \
    >"$D/strata.log" 2>&1 &
SP=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$ST_PORT") 2>/dev/null; do sleep 0.05; done

# strata's page cache: the same memory as PostgreSQL's shared_buffers (run.sh does the same)
strata_env() { PGOPTIONS="-c shared_buffers=${STRATA_SHARED_BUFFERS:-1GB}" "$@"; }
load() {
    local p=$1
    psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE TABLE sbtest (id BIGINT PRIMARY KEY, k INT NOT NULL, c CHAR(120), pad CHAR(60))"
    "$D/sbgen" copy "$ROWS" | psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 -c "COPY sbtest (id, k, c, pad) FROM STDIN"
    psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE INDEX k_1 ON sbtest(k)" -c "VACUUM ANALYZE sbtest" -c "CHECKPOINT"
}
load "$PG_PORT"
strata_env load "$ST_PORT"

seed_of() { case $1 in update_nonidx) echo 5 ;; insert) echo 7 ;; delete_insert) echo 8 ;; *) echo 9 ;; esac; }
pids_of() {
    if [ "$1" = postgres ]; then
        local pm
        pm=$(head -1 "$D/pg/data/postmaster.pid")
        echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"
    else
        echo "$SP"
    fi
}

if [ "${TRACE:-1}" = 0 ]; then
    echo "| op | engine | tps | latency average |"
    echo "|---|---|---:|---:|"
else
    echo "| op | engine | tps (strace) | WAL writes | WAL KiB | WAL syncs | sync p50 us | data writes | data KiB | data syncs |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
fi
engines="postgres strata"
round=0
for op in $OPS; do
    round=$((round + 1))
    for engine in $engines; do
        p=$PG_PORT
        [ "$engine" = strata ] && p=$ST_PORT
        run=()
        [ "$engine" = strata ] && run=(strata_env)
        bench() {
            "${run[@]}" pgbench -n -M prepared -c 1 -j 1 -t "$COUNT" -f "$SHARED/pgbench/$op.sql" \
                -D x="$(seed_of "$op")" -D n="$ROWS" -D i=$(((round - 1) * COUNT)) \
                -h 127.0.0.1 -p "$p" -U postgres postgres 2>&1
        }
        if [ "${TRACE:-1}" = 0 ]; then
            # rates only, no strace: tps and average latency per turn
            bench | awk -v op="$op" -v e="$engine" '/^latency average/ {lat = $4}
                /^tps/ {printf "| %s | %s | %.0f | %s ms |\n", op, e, $3, lat}'
            continue
        fi
        args=()
        for pid in $(pids_of "$engine"); do args+=(-p "$pid"); done
        strace -f -qq -y -T -e trace=pwrite64,pwritev,write,fdatasync,fsync,sync_file_range \
            -o "$D/trace.$engine.$op" "${args[@]}" &
        trace_pid=$!
        sleep 1
        tps=$(bench | awk '/^tps/ {print $3}')
        sleep 1
        kill "$trace_pid"
        wait "$trace_pid" 2>/dev/null || true
        python3 - "$D/trace.$engine.$op" "$COUNT" "$op" "$engine" "$tps" <<'PY'
import re, statistics, sys
path, count, op, engine, tps = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
wal = {"writes": 0, "bytes": 0, "syncs": 0}
data = {"writes": 0, "bytes": 0, "syncs": 0}
sync_us = []
for line in open(path):
    m = re.match(r'\d+\s+(\w+)\((\d+)<([^>]*)>(.*)\)\s+=\s+(-?\d+)\s+<([\d.]+)>', line)
    if not m:
        continue
    call, name, rest, result, secs = m.group(1), m.group(3), m.group(4), int(m.group(5)), float(m.group(6))
    if name.startswith(("socket:", "pipe:", "/dev/")) or name.endswith(".log") or "/pg_stat" in name:
        continue
    is_wal = name.endswith("-wal") or "/pg_wal/" in name
    kind = wal if is_wal else data
    if call in ("fdatasync", "fsync", "sync_file_range"):
        kind["syncs"] += 1
        if is_wal:
            sync_us.append(secs * 1e6)
    else:
        kind["writes"] += 1
        kind["bytes"] += max(result, 0)
per = lambda v: v / count
p50 = statistics.median(sync_us) if sync_us else 0
print(f"| {op} | {engine} | {tps} | {per(wal['writes']):.2f} | {per(wal['bytes'])/1024:.1f} | "
      f"{per(wal['syncs']):.2f} | {p50:.0f} | {per(data['writes']):.2f} | "
      f"{per(data['bytes'])/1024:.1f} | {per(data['syncs']):.3f} |")
PY
    done
    # the disk's speed drifts over minutes: alternate which engine goes first
    engines=$(echo "$engines" | awk '{print $2, $1}')
done
