#!/usr/bin/env bash
# tests/wire/auth_test.sh - authentication at the protocol level
# (tests/wire/pgwire.py speaks SCRAM-SHA-256 itself): a right password logs
# in, a wrong one gets 28P01, an unknown role 28000, both answered after the
# failure delay and logged; hba rules from a file (reject, per-role trust,
# address ranges); the unix socket trusts but still needs a known role when a
# roles file is given; malformed SASL messages get 08P01; and the server
# refuses to start with a broken roles or rule file, or with TCP trust on a
# non-loopback address. Needs only python3.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init auth_test
PYTHON=$(python_with socket) || skip_test "python3 is not installed"

make_role alice 'correct horse'
make_role bob 'battery staple'
cat >"$WIRE_DIR/hba" <<'EOF'
# rules for the test
local all trust
host  bob   127.0.0.0/8  trust
host  carol all          reject
host  all   10.0.0.0/8   trust
host  all   127.0.0.1/32 scram-sha-256
EOF
start_server --auth-file "$WIRE_DIR/roles" --hba-file "$WIRE_DIR/hba" || { wire_summary; exit 1; }

output=$(PYTHONPATH=tests/wire "$PYTHON" - "$WIRE_PORT" "$WIRE_DIR" <<'EOF' 2>&1
import socket, struct, sys
from pgwire import Conn, ServerError

port, directory = int(sys.argv[1]), sys.argv[2]

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + repr(detail)))

def login(user, password=None):
    try:
        c = Conn(port, user=user, password=password)
        rows, err, _ = c.query("SELECT 'in'")
        c.close()
        return rows == [["in"]], None
    except ServerError as e:
        return False, e.fields

ok, fields = login("alice", "correct horse")
result("scram: right password", ok, fields)
ok, fields = login("alice", "wrong horse")
result("scram: wrong password is 28P01", not ok and fields and fields.get("C") == "28P01"
       and fields.get("S") == "FATAL", fields)
ok, fields = login("mallory", "x")
result("unknown role is 28000", not ok and fields and fields.get("C") == "28000", fields)
ok, fields = login("bob")
result("hba: per-role trust rule", ok, fields)
ok, fields = login("carol", "x")
result("hba: reject rule is 28000", not ok and fields and fields.get("C") == "28000", fields)

# The unix socket trusts, but the role must exist when a roles file is given.
def unix_login(user):
    s = socket.socket(socket.AF_UNIX)
    s.connect("%s/.s.PGSQL.%d" % (directory, port))
    body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0\0"
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
        if b"Z\0\0\0\x05" in data:
            break
    s.close()
    return data
data = unix_login("alice")
result("unix socket: trust for a known role", b"R\0\0\0\x08\0\0\0\0" in data, data[:40])
data = unix_login("nobody")
result("unix socket: unknown role is 28000", b"C28000" in data, data[:80])

# Malformed SASL: wrong mechanism, garbage client-first.
c = Conn(port, connect_only=True)
body = struct.pack("!I", 196608) + b"user\0alice\0\0"
c.send_raw(struct.pack("!I", len(body) + 4) + body)
kind, payload = c.read()
c.send(b"p", b"PLAIN\0" + struct.pack("!I", 3) + b"abc")
fields = c.closed_by_server()
result("unknown SASL mechanism is 08P01", fields and fields.get("C") == "08P01", fields)
c = Conn(port, connect_only=True)
c.send_raw(struct.pack("!I", len(body) + 4) + body)
kind, payload = c.read()
first = b"garbage"
c.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first)
fields = c.closed_by_server()
result("malformed client-first is 08P01", fields and fields.get("C") == "08P01", fields)
c = Conn(port, connect_only=True)
c.send_raw(struct.pack("!I", len(body) + 4) + body)
kind, payload = c.read()
c.send(b"Q", b"SELECT 1\0")
fields = c.closed_by_server()
result("query instead of a password is 08P01", fields and fields.get("C") == "08P01", fields)
print("auth script finished")
EOF
)
echo "$output"
while IFS= read -r line; do
    case "$line" in
    "ok   "*) WIRE_PASSED=$((WIRE_PASSED + 1)) ;;
    "FAIL "*) WIRE_FAILED=$((WIRE_FAILED + 1)) ;;
    esac
done <<<"$output"
grep -q "auth script finished" <<<"$output" || fail "auth script ran to the end"
check_output "failed logins logged" 'authentication failed for user "mallory"' cat "$WIRE_DIR/server.log"
stop_server

echo "alice:SCRAM-SHA-256\$4096:bad" >"$WIRE_DIR/bad_roles"
check_output "broken roles file stops start-up" "invalid SCRAM verifier" \
    "$SERVER_BIN" --no-socket --listen "127.0.0.1:$(free_port)" --auth-file "$WIRE_DIR/bad_roles" "$WIRE_DIR/db"
echo "host all 10.0.0.0/40 trust" >"$WIRE_DIR/bad_hba"
check_output "broken rule file stops start-up" "line 1" \
    "$SERVER_BIN" --no-socket --listen "127.0.0.1:$(free_port)" --hba-file "$WIRE_DIR/bad_hba" "$WIRE_DIR/db"
check_output "TCP trust rule on a non-loopback address refused" "refusing to start" \
    "$SERVER_BIN" --no-socket --listen "0.0.0.0:$(free_port)" --hba-file "$WIRE_DIR/hba" "$WIRE_DIR/db"
wire_summary
