#!/usr/bin/env bash
# bench/wire/ab.sh - A/B of two strata-server binaries on pgbench TPC-B-like,
# interleaved, databases on tmpfs (so the disk's noise stays out and what is
# measured is the server and the engine's locking).
#
#   bench/wire/ab.sh OLD_BINARY NEW_BINARY        (env: CLIENTS=2 SCALE=1 SECONDS_EACH=10 REPS=4
#                                                  AB_DIR=/dev/shm)
#
# Starts both servers on free loopback ports with fresh databases in AB_DIR
# (default /dev/shm; a directory on disk, e.g. AB_DIR=/tmp, measures durability),
# runs `pgbench -i -q -s SCALE` on each, then REPS rounds of
# `pgbench -M prepared -c CLIENTS -j CLIENTS -T SECONDS_EACH`, old then new, and
# prints one line per run and the per-round ratio new/old.
set -euo pipefail
old=$1 new=$2
CLIENTS=${CLIENTS:-2} SCALE=${SCALE:-1} SECONDS_EACH=${SECONDS_EACH:-10} REPS=${REPS:-4}
dir=$(mktemp -d "${AB_DIR:-/dev/shm}/strata-ab.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; rm -rf "$dir"; }
trap cleanup EXIT
port_of() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
for bin in "$old" "$new"; do
    port=$(port_of)
    mkdir -p "$dir/$port"
    # roles live in the database (bin is a strata-server; the shell sits beside it)
    "$(dirname "$bin")/strata" -q -c "CREATE ROLE ab SUPERUSER LOGIN" "$dir/$port/db" >/dev/null 2>&1
    "$bin" --listen "127.0.0.1:$port" --no-socket --trust "$dir/$port/db" >"$dir/$port/log" 2>&1 &
    pids+=($!)
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.05; done
    pgbench -h 127.0.0.1 -p "$port" -U ab -i -q -s "$SCALE" ab >/dev/null 2>&1
    ports+=("$port")
done
for rep in $(seq 1 "$REPS"); do
    tps=()
    for at in 0 1; do
        tps+=("$(pgbench -h 127.0.0.1 -p "${ports[$at]}" -U ab -M prepared -c "$CLIENTS" -j "$CLIENTS" \
            -T "$SECONDS_EACH" ab 2>&1 | sed -nE 's/^tps = ([0-9.]+).*/\1/p')")
    done
    echo "round $rep: old ${tps[0]} tps, new ${tps[1]} tps, new/old $(python3 -c "print(round(${tps[1]}/${tps[0]}, 2))")"
done
