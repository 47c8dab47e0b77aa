#!/usr/bin/env bash
# bench/wire/micro_instructions.sh - user-space instructions per transaction of
# strata-server on one oltp-micro op over the wire (callgrind), a figure that does not
# depend on the machine's load (bench/README.md, "oltp-micro over the wire, ninth
# session": the page-0 frame of an INSERT).
#
#   bench/wire/micro_instructions.sh [STRATA_BUILD_DIR (build/release)]
#     env: OP (insert; or update_nonidx, delete_insert), ROWS (20000), COUNT (1000),
#          WARMUP (200), SERVER_ENV (extra environment for the server, e.g. X=1)
#
# Loads ROWS sbtest rows (COPY, CREATE INDEX k_1) with the plain server, restarts it
# under valgrind --tool=callgrind, runs WARMUP transactions of the shared pgbench
# script, zeroes the counters (callgrind_control -z), runs COUNT more and dumps: the
# total over COUNT is the server's cost per transaction (session thread, checkpointer
# and all). Prints the total, the per-transaction figure and the dump's path
# (callgrind_annotate --inclusive=yes FILE for the breakdown).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$root/build/release}" && pwd)
SHARED=${SHARED:-$(cd "$root/../shared/bench/oltp" && pwd)}
OP=${OP:-insert} ROWS=${ROWS:-20000} COUNT=${COUNT:-1000} WARMUP=${WARMUP:-200}
D=$(mktemp -d /tmp/strata-microinstr.XXXXXX)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null || true; rm -f "$D"/db*; }
trap cleanup EXIT
cc -O2 -std=gnu11 -D_GNU_SOURCE -I"$SHARED" -o "$D/sbgen" "$SHARED/sbgen.c"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
serve() { env ${SERVER_ENV:-X=1} "$@" "$B/strata-server" --listen "127.0.0.1:$port" --no-socket \
    --trust "$D/db" >>"$D/log" 2>&1 & SP=$!; }
wait_up() { until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.2; done; }
sql() { psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

"$B/strata" -q -c "CREATE ROLE postgres SUPERUSER LOGIN" "$D/db" >/dev/null
serve
wait_up
sql -c "CREATE TABLE sbtest (id BIGINT PRIMARY KEY, k INT NOT NULL, c CHAR(120), pad CHAR(60))"
"$D/sbgen" copy "$ROWS" | sql -c "COPY sbtest (id, k, c, pad) FROM STDIN"
sql -c "CREATE INDEX k_1 ON sbtest(k)" -c "CHECKPOINT"
kill "$SP"
wait "$SP" || true
serve valgrind --tool=callgrind --callgrind-out-file="$D/callgrind.out"
wait_up
case $OP in update_nonidx) seed=5 ;; delete_insert) seed=8 ;; *) seed=7 ;; esac
bench() {
    pgbench -n -M prepared -c 1 -j 1 -t "$1" -f "$SHARED/pgbench/$OP.sql" -D x="$2" \
        -D n="$ROWS" -D i="$3" -h 127.0.0.1 -p "$port" -U postgres postgres >/dev/null
}
bench "$WARMUP" $((seed + 100)) 0
callgrind_control -z "$SP" >/dev/null
bench "$COUNT" "$seed" "$WARMUP"
callgrind_control -d "$SP" >/dev/null
sleep 1
dump=$(ls -t "$D"/callgrind.out* | head -1)
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$OP: $total instructions over $COUNT transactions, $((total / COUNT)) per transaction ($dump)"
