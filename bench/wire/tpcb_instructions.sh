#!/usr/bin/env bash
# bench/wire/tpcb_instructions.sh - instructions per TPC-B transaction on the server side:
# strata-server under valgrind --tool=callgrind, pgbench -M prepared -c 1 -t N for two N,
# (Ir(N2) - Ir(N1)) / (N2 - N1), so start-up and shutdown cancel out. Stable on a loaded
# machine (valgrind counts instructions; this VM exposes no hardware counters to perf).
#
#   bench/wire/tpcb_instructions.sh [BUILD_DIR (build/release)] [N1 (50)] [N2 (550)]
#
# The database (pgbench -i -s SCALE, default 10) is made once in $DIR (default a mktemp
# directory; set DIR to keep it for an A/B of two builds on the same data).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$root/build/release}" && pwd)
N1=${2:-50}
N2=${3:-550}
SCALE=${SCALE:-10}
DIR=${DIR:-$(mktemp -d /tmp/strata-tpcbins.XXXXXX)}
mkdir -p "$DIR"
export PGOPTIONS="-c shared_buffers=1GB"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; exit 1; }
if [ ! -e "$DIR/strata.db" ]; then
    "$B/strata" -q -c "CREATE ROLE postgres SUPERUSER LOGIN" "$DIR/strata.db" >/dev/null
    P=$(port)
    "$B/strata-server" --listen "127.0.0.1:$P" --no-socket --trust "$DIR/strata.db" >"$DIR/init.log" 2>&1 &
    SP=$!
    wait_port "$P"
    pgbench -i -q -s "$SCALE" -h 127.0.0.1 -p "$P" -U postgres postgres >/dev/null 2>&1
    kill -INT $SP; wait $SP || true
fi
ir() {
    local n=$1 P
    P=$(port)
    valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.$n.out" "$B/strata-server" \
        --listen "127.0.0.1:$P" --no-socket --trust "$DIR/strata.db" >"$DIR/cg.$n.log" 2>&1 &
    local sp=$!
    wait_port "$P"
    pgbench -n -M prepared -c 1 -j 1 -t "$n" -h 127.0.0.1 -p "$P" -U postgres postgres >/dev/null 2>&1
    kill -INT $sp; wait $sp || true
    awk '/^summary:/ {print $2}' "$DIR/cg.$n.out"
}
a=$(ir "$N1")
b=$(ir "$N2")
echo "instructions per TPC-B transaction: $(( (b - a) / (N2 - N1) )) (Ir $a at $N1, $b at $N2; $B, $DIR)"
