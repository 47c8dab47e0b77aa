#!/usr/bin/env bash
# bench/wire/tpcb_callgrind.sh - instructions the server spends per TPC-B
# transaction (deterministic, unlike the clock on a shared machine).
#
#   bench/wire/tpcb_callgrind.sh [SERVER_BINARY] [TRANSACTIONS]
#       (defaults: build/release/strata-server, 2000; env OUT=dir for the profile)
#
# Runs strata-server under valgrind --tool=callgrind on a fresh database in /dev/shm,
# `pgbench -i -s 1`, 1,000 warm-up transactions (`-M prepared -c 1`), zeroes the
# counters (callgrind_control -z), runs TRANSACTIONS more, dumps, and prints the
# total divided by TRANSACTIONS. The profile (OUT/tpcb.callgrind.*) can be read with
# callgrind_annotate --inclusive=yes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
server=${1:-$root/build/release/strata-server}
count=${2:-2000}
out=${OUT:-$(mktemp -d)}
dir=$(mktemp -d /dev/shm/strata-tpcb-cg.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
"$(dirname "$server")/strata" -q -c "CREATE ROLE postgres SUPERUSER LOGIN" "$dir/db" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --callgrind-out-file="$out/tpcb.callgrind" "$server" \
    --listen "127.0.0.1:$port" --no-socket --trust "$dir/db" >"$dir/log" 2>&1 &
pid=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.2; done
pgb() { pgbench -h 127.0.0.1 -p "$port" -U postgres "$@" postgres >>"$dir/pgbench.log" 2>&1; }
pgb -i -s 1
pgb -n -M prepared -c 1 -t 1000
callgrind_control -z "$pid" >/dev/null
pgb -n -M prepared -c 1 -t "$count"
callgrind_control -d "$pid" >/dev/null
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
profile=$(ls -t "$out"/tpcb.callgrind.* | head -1)
total=$(grep -h "^summary:\|^totals:" "$profile" | head -1 | awk '{print $2}')
echo "$total instructions for $count transactions: $((total / count)) per transaction ($profile)"
