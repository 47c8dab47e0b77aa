#!/usr/bin/env bash
# tests/wire/hostile_test.sh - hostile and broken clients: random bytes before
# and after start-up, truncated messages, huge length prefixes, oversized
# startup packets, unknown message types, a client that never finishes
# start-up (authentication timeout), and a client that vanishes inside a
# transaction. Each must cost only its own connection: a well-behaved session
# opened before keeps working, new sessions connect, the server stays up, and
# the vanished client's writes are rolled back. Randomized parts print their
# seed (STRATA_SEED replays). Needs only python3.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init hostile_test
PYTHON=$(python_with socket) || skip_test "python3 is not installed"

make_role tester
start_server --trust --auth-timeout 2 --busy-timeout 20000 || { wire_summary; exit 1; }

run_py() {
    PYTHONPATH=tests/wire "$PYTHON" - "$WIRE_PORT" "$@"
}

output=$(run_py "${STRATA_SEED:-}" "${STRATA_TEST_QUICK:-}" <<'EOF' 2>&1
import os, random, socket, struct, sys, time
from pgwire import Conn, ServerError

port = int(sys.argv[1])
seed = int(sys.argv[2]) if sys.argv[2] else int.from_bytes(os.urandom(6), "big")
rounds = 20 if sys.argv[3] else 100
print("hostile_test: seed %d (replay with STRATA_SEED=%d)" % (seed, seed))
rng = random.Random(seed)

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))

def closes_with_error(sock_data, expect_code=None, after_startup=False):
    c = Conn(port) if after_startup else Conn(port, connect_only=True)
    try:
        c.send_raw(sock_data)
        c.sock.shutdown(socket.SHUT_WR)
    except OSError:
        return True, None
    fields = c.closed_by_server()
    c.sock.close()
    if expect_code is None:
        return True, fields
    return fields is not None and fields.get("C") == expect_code, fields

good = Conn(port)
rows, err, _ = good.query("CREATE TABLE victims (id integer, note text)")
result("setup table", err is None, err)
rows, err, _ = good.query("INSERT INTO victims VALUES (1, 'kept')")
result("setup row", err is None, err)

ok, fields = closes_with_error(struct.pack("!I", 0x7fffffff) + b"\0\0\0\0", "08P01")
result("huge startup length", ok, fields)
ok, fields = closes_with_error(struct.pack("!I", 3), "08P01")
result("startup length below minimum", ok, fields)
ok, fields = closes_with_error(struct.pack("!II", 20, 196608) + b"user\0abc\0xyz")
result("truncated startup packet then close", ok, fields)
body = struct.pack("!I", 196608) + b"user\0bob\0database"
ok, fields = closes_with_error(struct.pack("!I", len(body) + 4) + body, "08P01")
result("startup without terminator", ok, fields)
ok, fields = closes_with_error(struct.pack("!II", 8, 7 << 16), "0A000")
result("unsupported protocol version", ok, fields)
ok, fields = closes_with_error(b"Q" + struct.pack("!I", 0x7ffffff0) + b"select", "08P01", True)
result("huge message length after startup", ok, fields)
ok, fields = closes_with_error(b"Q" + struct.pack("!I", 2), "08P01", True)
result("message length below 4", ok, fields)
ok, fields = closes_with_error(b"Q" + struct.pack("!I", 9) + b"selec", None, True)
result("truncated message then close", ok, fields)
ok, fields = closes_with_error(b"\x01" + struct.pack("!I", 4), "08P01", True)
result("unknown message type", ok, fields)
ok, fields = closes_with_error(b"Q" + struct.pack("!I", 8) + b"abcd", "08P01", True)
result("query without terminator", ok, fields)
ok, fields = closes_with_error(b"P" + struct.pack("!I", 9) + b"\0x\0\xff\xff", "08P01", True)
result("parse with negative parameter count", ok, fields)

copy_start = b"Q" + struct.pack("!I", 4 + 24) + b"COPY victims FROM STDIN\0"
ok, fields = closes_with_error(copy_start + b"d" + struct.pack("!I", 0x7ffffff0), "08P01", True)
result("huge CopyData length during COPY FROM", ok, fields)
ok, fields = closes_with_error(copy_start + b"d" + struct.pack("!I", 10) + b"2\tx\n", None, True)
result("truncated CopyData then close", ok, fields)

# Errors inside the extended protocol are ERRORs, not FATAL: skip to Sync.
c = Conn(port)
c.send(b"B", b"\0nosuch\0" + struct.pack("!HHH", 0, 0, 0))
c.send(b"E", b"\0" + struct.pack("!I", 0))
c.send(b"S")
rows, err, _ = c.read_until_ready()
result("bind to a missing statement is an error", err is not None and err.get("C") == "26000", err)
rows, err, _ = c.query("SELECT count(*) FROM victims")
result("session continues after the error", err is None and rows == [["1"]], (rows, err))
c.close()

survivors = 0
for round_index in range(rounds):
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
    after = rng.random() < 0.5
    try:
        ok, fields = closes_with_error(data, None, after)
        survivors += 1
    except (EOFError, OSError, ServerError):
        survivors += 1
result("random byte streams (%d)" % rounds, survivors == rounds)

# Mutated valid messages after start-up.
valid = [b"Q" + struct.pack("!I", 13) + b"SELECT 1\0",
         b"P" + struct.pack("!I", 16) + b"\0SELECT 1\0\0\0",
         b"B" + struct.pack("!I", 12) + b"\0\0\0\0\0\0\0\0",
         b"D" + struct.pack("!I", 6) + b"S\0", b"S" + struct.pack("!I", 4)]
for round_index in range(rounds):
    message = bytearray(rng.choice(valid))
    for _ in range(rng.randrange(1, 4)):
        message[rng.randrange(len(message))] = rng.randrange(256)
    try:
        closes_with_error(bytes(message) + b"X\0\0\0\x04", None, True)
    except (EOFError, OSError, ServerError):
        pass

# A client that never finishes start-up is cut off by the authentication timeout.
s = socket.create_connection(("127.0.0.1", port), timeout=20)
s.sendall(struct.pack("!I", 40))
started = time.time()
data = s.recv(1000)
while data and time.time() - started < 15:
    more = s.recv(1000)
    if not more:
        break
    data += more
result("authentication timeout closes the connection", b"timeout" in data, data)
s.close()

# A client that vanishes mid-transaction: its row is rolled back and its
# write lock released (the insert below waits for it, then succeeds).
v = Conn(port)
rows, err, _ = v.query("BEGIN; INSERT INTO victims VALUES (2, 'vanished')")
result("vanishing client wrote", err is None and v.status == "T", (err, v.status))
v.sock.close()
rows, err, _ = good.query("INSERT INTO victims VALUES (3, 'after')")
result("write lock released after disconnect", err is None, err)
rows, err, _ = good.query("SELECT id FROM victims ORDER BY id")
result("vanished client's row rolled back", rows == [["1"], ["3"]], (rows, err))

# The first session and new sessions still work.
rows, err, _ = good.query("SELECT note FROM victims WHERE id = 1")
result("existing session still served", rows == [["kept"]], (rows, err))
fresh = Conn(port)
rows, err, _ = fresh.query("SELECT 41 + 1")
result("new session served", rows == [["42"]], (rows, err))
EOF
)
count_results "$output"
if ! grep -q "new session served" <<<"$output"; then
    fail "hostile script ran to the end"
fi
if kill -0 "$WIRE_PID" 2>/dev/null; then pass "server still running"; else fail "server still running"; fi
stop_server
check "server exits cleanly on SIGTERM" true
wire_summary
