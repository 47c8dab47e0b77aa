#!/usr/bin/env bash
# bench/wire/wal_strace.sh - where a strata server's WAL and file fsyncs happen during
# pgbench TPC-B (the walperf measurements in bench/README.md, "WAL reuse and the
# checkpointer thread").
#
#   bench/wire/wal_strace.sh STRATA_BUILD_DIR [SECONDS (8)] [CLIENTS (1)]
#
# Starts BUILD/strata-server on a fresh database in a mktemp directory under /tmp,
# runs `pgbench -i -s 10`, attaches `strace -f -e pwrite64,fdatasync,ftruncate,openat`
# and runs `pgbench -M prepared -c CLIENTS -T SECONDS`, then prints: the WAL's
# fdatasyncs after its last open, how many followed a write past the file's end (its
# size at that open is taken from the ftruncate of the previous close, or 0 if the WAL
# was deleted), WAL truncations during the run, and the WAL's and the database file's
# fdatasyncs per thread (a session thread does the commits' WAL fdatasyncs).
set -euo pipefail
B=$1 S=${2:-8} C=${3:-1}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
D=$(mktemp -d /tmp/strata-walstrace.XXXXXX)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
"$B/strata" -q -c "CREATE ROLE postgres SUPERUSER LOGIN" "$D/s.db" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$B/strata-server" --listen "127.0.0.1:$PORT" --no-socket --trust "$D/s.db" >"$D/log" 2>&1 &
SP=$!
until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do sleep 0.05; done
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
"$PGBIN/pgbench" -i -s 10 -q oltp 2>&1 | tail -1
strace -f -p "$SP" -e trace=pwrite64,fdatasync,ftruncate,openat -T -o "$D/strace" 2>/dev/null &
STP=$!
sleep 1
"$PGBIN/pgbench" -M prepared -c "$C" -j "$C" -T "$S" oltp 2>&1 | grep -E "^tps"
kill "$STP"; sleep 0.5
python3 - "$D/strace" <<'PY'
import collections, re, sys
wal_fd = None; size = None; last_truncate = 0
syncs = extending = truncates = 0; pending = False
db_fds = set(); db_syncs = collections.Counter(); wal_syncs = collections.Counter()
for line in open(sys.argv[1]):
    m = re.match(r'(\d+)\s+openat\(.*"([^"]+)".*= (\d+)', line)
    if m:
        fd = int(m.group(3))
        if m.group(2).endswith('-wal'):
            wal_fd, size = fd, last_truncate
            syncs = extending = truncates = 0; pending = False; wal_syncs.clear()
        else:
            db_fds.add(fd)
            if fd == wal_fd: wal_fd = None
        continue
    m = re.match(r'(\d+)\s+(pwrite64|fdatasync|ftruncate)\((\d+)(.*)', line)
    if not m: continue
    tid, call, fd, rest = m.group(1), m.group(2), int(m.group(3)), m.group(4)
    if call == 'ftruncate':
        t = re.match(r', (\d+)\)', rest)
        if t: last_truncate = int(t.group(1))
        if fd == wal_fd: truncates += 1; size = last_truncate
        continue
    if fd == wal_fd:
        if call == 'pwrite64':
            w = re.search(r', (\d+), (\d+)\) +=', rest)
            if w and int(w.group(1)) + int(w.group(2)) > size:
                pending = True; size = int(w.group(1)) + int(w.group(2))
        else:
            syncs += 1; wal_syncs[tid] += 1
            if pending: extending += 1; pending = False
    elif fd in db_fds and call == 'fdatasync':
        db_syncs[tid] += 1
print(f"WAL fdatasyncs after its last open: {syncs}, after a write past the file's end: "
      f"{extending}; WAL truncations: {truncates}")
print("WAL fdatasyncs per thread id:", dict(wal_syncs))
print("database file fdatasyncs per thread id:", dict(db_syncs))
PY
