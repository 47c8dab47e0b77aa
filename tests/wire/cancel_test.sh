#!/usr/bin/env bash
# tests/wire/cancel_test.sh - interrupting work: a CancelRequest (matching
# BackendKeyData) stops a running query with 57014 and the session goes on; a
# wrong key cancels nothing; statement_timeout (startup option) stops a long
# query; --max-connections refuses the extra session with 53300; SIGTERM ends
# sessions with 57P01, the server exits 0, and an open transaction is rolled
# back (checked after a restart on the same file). Needs only python3.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init cancel_test
PYTHON=$(python_with socket) || skip_test "python3 is not installed"

make_role tester
start_server --trust --max-connections 4 || { wire_summary; exit 1; }

# A query that runs for minutes unless interrupted.
LONG_QUERY="WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < 2000000000) SELECT count(*) FROM counter"

output=$(PYTHONPATH=tests/wire "$PYTHON" - "$WIRE_PORT" "$LONG_QUERY" <<'EOF' 2>&1
import select, sys, time
from pgwire import Conn, ServerError, cancel

port, long_query = int(sys.argv[1]), sys.argv[2]

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))

def wait_readable(conn, seconds):
    return bool(select.select([conn.sock], [], [], seconds)[0])

# Cancel: resend the request until the query stops (the first may arrive
# before the query started executing); bounded at 60 s.
c = Conn(port)
result("backend key data received", c.pid is not None and c.key is not None)
c.send(b"Q", long_query.encode() + b"\0")
cancel(port, c.pid, c.key ^ 0x5a5a5a5a)   # wrong key: ignored

stopped = False
for attempt in range(600):
    if wait_readable(c, 0.1):
        stopped = True
        break
    cancel(port, c.pid, c.key)
rows, err, _ = c.read_until_ready() if stopped else ([], None, [])
result("cancel request stops the query", err is not None and err.get("C") == "57014", err)
rows, err, _ = c.query("SELECT 7")
result("session usable after cancel", rows == [["7"]], (rows, err))
c.close()

# statement_timeout from the startup options.
t = Conn(port, options="-c statement_timeout=300")
started = time.time()
rows, err, _ = t.query(long_query)
result("statement_timeout stops the query",
       err is not None and err.get("C") == "57014" and "timeout" in err.get("M", ""), err)
rows, err, _ = t.query("SELECT 8")
result("session usable after timeout", rows == [["8"]], (rows, err))
t.close()

# max-connections 4: the fifth session is refused with 53300.
sessions = [Conn(port) for _ in range(4)]
try:
    Conn(port)
    result("fifth session refused", False, "connected")
except ServerError as e:
    result("fifth session refused", e.fields.get("C") == "53300", e.fields)
for s in sessions:
    s.close()

EOF
)
count_results "$output"

# SIGTERM with a session inside a transaction: the session gets 57P01, the
# server exits 0, and after a restart only the committed row is there.
PYTHONPATH=tests/wire "$PYTHON" - "$WIRE_PORT" "$WIRE_DIR/ready" >"$WIRE_DIR/term.out" 2>&1 <<'EOF' &
import sys, time
from pgwire import Conn, ServerError
port, marker = int(sys.argv[1]), sys.argv[2]
s = None
for attempt in range(100):   # sessions closed above free their slots asynchronously
    try:
        s = Conn(port)
        break
    except ServerError:
        time.sleep(0.05)
rows, err, _ = s.query("CREATE TABLE shutdown_check (id integer)")
rows, err, _ = s.query("INSERT INTO shutdown_check VALUES (1)")
print("ok   committed row" if err is None else "FAIL committed row: %s" % (err,), flush=True)
rows, err, _ = s.query("BEGIN; INSERT INTO shutdown_check VALUES (2)")
print("ok   open transaction" if err is None and s.status == "T"
      else "FAIL open transaction: %s" % (err,), flush=True)
open(marker, "w").close()
fields = s.closed_by_server()
print("ok   session ended with 57P01 on SIGTERM" if fields and fields.get("C") == "57P01"
      else "FAIL session ended with 57P01 on SIGTERM: %s" % (fields,), flush=True)
EOF
client=$!
for _ in $(seq 1 400); do
    [ -e "$WIRE_DIR/ready" ] && break
    kill -0 "$client" 2>/dev/null || break
    sleep 0.05
done
if [ -e "$WIRE_DIR/ready" ]; then pass "client reached the open transaction"; else fail "client reached the open transaction"; fi
stop_server TERM
status=$?
if [ "$status" -eq 0 ]; then pass "server exit status 0 after SIGTERM"; else fail "server exit status 0 after SIGTERM" "status $status"; fi
wait "$client"
count_results "$(cat "$WIRE_DIR/term.out")"

start_server --trust || { wire_summary; exit 1; }
output=$(PYTHONPATH=tests/wire "$PYTHON" - "$WIRE_PORT" <<'EOF' 2>&1
import sys
from pgwire import Conn
c = Conn(int(sys.argv[1]))
rows, err, _ = c.query("SELECT id FROM shutdown_check ORDER BY id")
print("ok   open transaction rolled back at shutdown" if rows == [["1"]]
      else "FAIL open transaction rolled back at shutdown: %s %s" % (rows, err))
EOF
)
count_results "$output"
wire_summary
