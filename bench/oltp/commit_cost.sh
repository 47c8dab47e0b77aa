#!/usr/bin/env bash
# bench/oltp/commit_cost.sh - what a durable commit writes: WAL writes, WAL bytes and
# fdatasyncs per commit on the commit path, and the checkpoint work behind it, counted
# with strace (stable on a loaded machine, unlike ops/s). Table rows for bench/README.md.
#
#   bench/oltp/commit_cost.sh [BUILD_DIR (build/release)]
#
# C API (bench/oltp/strata_runner.c on a ROWS-row sbtest, 100,000 by default, loaded once
# and copied per op): durable update_nonidx, insert and delete_insert, COUNT commits each
# (1,000), and update_nonidx with 2 and 4 writer threads (group commit). Wire: `strata-server`, `pgbench -i -s 1`, then `pgbench -M prepared -t COUNT`
# of TPC-B under strace (COUNT transactions). Columns: see commit_cost.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$root/build/release}" && pwd)
SHARED=${SHARED:-$(cd "$root/../shared/bench/oltp" && pwd)}
ROWS=${ROWS:-100000}
COUNT=${COUNT:-1000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
D=$(mktemp -d /tmp/strata-commitcost.XXXXXX)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$D"; echo "$D" >&2; }
trap cleanup EXIT
cc -O2 -g -std=gnu11 -D_GNU_SOURCE -I"$SHARED" -I"$root/include" -o "$D/strata_runner" \
    "$here/strata_runner.c" "$B/libstrata.a" -lxxhash -lzstd -llz4 -lcrypto -lgmp -lpthread -lm
TRACE="strace -f -qq -e trace=openat,close,pwrite64,write,fdatasync,fsync"
echo "| op | WAL writes | WAL bytes | WAL fdatasyncs | checkpoint bytes | database fsyncs | WAL fill bytes |"
echo "|---|---:|---:|---:|---:|---:|---:|"
"$D/strata_runner" -d "$D/base.db" -N "$ROWS" --ops load --concurrent 1 >/dev/null
for op in update_durable insert delete_insert; do
    cp "$D/base.db" "$D/op.db"
    $TRACE -o "$D/strace.$op" "$D/strata_runner" -d "$D/op.db" -N "$ROWS" --reuse --ops "$op" \
        --upd "$COUNT" --ins "$COUNT" --delins "$COUNT" --concurrent 1 >/dev/null
    python3 "$here/commit_cost.py" "$D/strace.$op" "$COUNT" "C API $op"
    rm -f "$D/op.db" "$D/op.db-wal"
done
# Group commit: 2 and 4 writer threads (one connection each) of durable UPDATEs;
# fewer WAL fdatasyncs than commits = commits sharing an fsync (strace slows every
# syscall, so the sharing differs from an untraced run; the counts are what is stable).
for c in 2 4; do
    cp "$D/base.db" "$D/op.db"
    $TRACE -o "$D/strace.c$c" "$D/strata_runner" -d "$D/op.db" -N "$ROWS" --reuse \
        --ops update_concurrent --upd "$COUNT" --concurrent "$c" >/dev/null
    python3 "$here/commit_cost.py" "$D/strace.c$c" "$COUNT" "C API update_nonidx_c$c"
    rm -f "$D/op.db" "$D/op.db-wal"
done
if [ -x "$PGBIN/pgbench" ]; then
    "$B/strata" -q -c "CREATE ROLE postgres SUPERUSER LOGIN" "$D/s.db" >/dev/null
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$B/strata-server" --listen "127.0.0.1:$PORT" --no-socket --trust "$D/s.db" >"$D/log" 2>&1 &
    SP=$!
    until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do sleep 0.05; done
    export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
    "$PGBIN/pgbench" -i -s 1 -q oltp >/dev/null 2>&1
    $TRACE -p "$SP" -o "$D/strace.tpcb" &
    STP=$!
    sleep 1
    for f in /proc/"$SP"/fd/*; do echo "${f##*/} $(readlink "$f")"; done > "$D/fdmap"
    "$PGBIN/pgbench" -M prepared -c 1 -t "$COUNT" oltp >/dev/null 2>&1
    sleep 0.5
    kill "$STP"; wait "$STP" 2>/dev/null || true
    python3 "$here/commit_cost.py" "$D/strace.tpcb" "$COUNT" "wire TPC-B (pgbench -t)" "$D/fdmap"
fi
