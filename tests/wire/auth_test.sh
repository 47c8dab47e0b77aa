#!/usr/bin/env bash
# tests/wire/auth_test.sh - authentication at the protocol level
# (tests/wire/pgwire.py speaks SCRAM-SHA-256 itself) against roles created
# with SQL (issue 5): a right password logs in, a wrong one gets 28P01, an
# unknown role 28000, a NOLOGIN role 28000, a role without a password or
# with an expired one 28P01, all answered after the failure delay and logged
# (never with a password); ALTER ROLE PASSWORD / RENAME / DROP ROLE take
# effect for the next login; a non-superuser gets 42501 for role DDL; hba
# rules from a file (reject, per-role trust, address ranges); the unix socket
# trusts but still needs a known role; malformed SASL messages get 08P01; the
# database file holds verifiers, never a password; --auth-file is refused
# and --import-roles migrates a roles file; --database and CONNECT on the database
# decide who may connect; and the server refuses to start
# with a broken rule file, or with TCP trust on a non-loopback address.
# Needs only python3.
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
start_server --hba-file "$WIRE_DIR/hba" || { wire_summary; exit 1; }

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

# Roles created with SQL, over the unix socket as the bootstrap superuser
# (named after the OS user, as initdb names it).
import os, pwd
owner = pwd.getpwuid(os.geteuid()).pw_name
su = Conn(port, host=directory, user=owner)
rows, err, _ = su.query("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
result("bootstrap superuser named after the OS user", rows == [[owner, "t"]] and err is None,
       (rows, err))
result("ParameterStatus is_superuser on for the superuser", su.params.get("is_superuser") == "on",
       su.params)
# SET SESSION AUTHORIZATION reports session_authorization and is_superuser, as PostgreSQL
rows, err, _ = su.query("CREATE ROLE plain")
rows, err, _ = su.query("SET SESSION AUTHORIZATION plain")
result("SET SESSION AUTHORIZATION sends ParameterStatus",
       err is None and su.params.get("session_authorization") == "plain"
       and su.params.get("is_superuser") == "off", (err, su.params))
rows, err, _ = su.query("RESET SESSION AUTHORIZATION")
result("RESET SESSION AUTHORIZATION sends ParameterStatus",
       err is None and su.params.get("session_authorization") == owner
       and su.params.get("is_superuser") == "on", (err, su.params))
rows, err, _ = su.query("DROP ROLE plain")
for sql in ["CREATE ROLE dora LOGIN PASSWORD 'dora-pw'",
            "CREATE ROLE nolog PASSWORD 'nolog-pw'",
            "CREATE ROLE nopw LOGIN",
            "CREATE ROLE old LOGIN PASSWORD 'old-pw' VALID UNTIL '2001-01-01'"]:
    rows, err, _ = su.query(sql)
    result("SQL: " + sql.split(" PASSWORD")[0], err is None, err)

def login_error(user, password):
    ok, fields = login(user, password)
    return None if ok else (fields or {}).get("C")

result("role created with SQL logs in over TCP", login_error("dora", "dora-pw") is None)
result("its wrong password is 28P01", login_error("dora", "nope") == "28P01")
result("NOLOGIN role is 28000", login_error("nolog", "nolog-pw") == "28000")
ok, fields = login("nolog", "nolog-pw")
result("NOLOGIN message", fields and "not permitted to log in" in fields.get("M", ""), fields)
result("role without a password is 28P01", login_error("nopw", "") == "28P01")
result("expired password (VALID UNTIL) is 28P01", login_error("old", "old-pw") == "28P01")

dora = Conn(port, user="dora", password="dora-pw")
rows, err, _ = dora.query("SELECT current_user, session_user")
result("current_user is the login role", rows == [["dora", "dora"]], rows)
result("ParameterStatus is_superuser off", dora.params.get("is_superuser") == "off", dora.params)
result("ParameterStatus session_authorization at startup",
       dora.params.get("session_authorization") == "dora", dora.params)
rows, err, _ = dora.query("CREATE ROLE eve")
result("non-superuser CREATE ROLE is 42501", err and err.get("C") == "42501", err)
rows, err, _ = dora.query("SELECT rolpassword FROM pg_authid")
result("non-superuser reading pg_authid is 42501", err and err.get("C") == "42501", err)
rows, err, _ = dora.query("ALTER ROLE dora PASSWORD 'dora-pw2'")
result("a role changes its own password", err is None, err)
dora.close()
result("old password no longer works", login_error("dora", "dora-pw") == "28P01")
result("new password works", login_error("dora", "dora-pw2") is None)

rows, err, _ = su.query("ALTER ROLE dora RENAME TO dorothy")
result("ALTER ROLE RENAME", err is None, err)
result("renamed role logs in with its password", login_error("dorothy", "dora-pw2") is None)
rows, err, _ = su.query("ALTER ROLE nolog LOGIN")
result("ALTER ROLE LOGIN", err is None and login_error("nolog", "nolog-pw") is None, err)
rows, err, _ = su.query("DROP ROLE dorothy")
result("DROP ROLE", err is None, err)
result("dropped role is 28000", login_error("dorothy", "dora-pw2") == "28000")
rows, err, _ = su.query('DROP ROLE "%s"' % owner)
result("bootstrap superuser cannot be dropped", err and err.get("C") in ("55006", "2BP01"), err)
su.close()

# The unix socket trusts, but the role must exist.
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
count_results "$output"
grep -q "auth script finished" <<<"$output" || fail "auth script ran to the end"
check_output "failed logins logged" 'authentication failed for user "mallory"' cat "$WIRE_DIR/server.log"
stop_server

for password in 'correct horse' 'battery staple' 'dora-pw' 'nolog-pw' 'old-pw'; do
    if grep -q "$password" "$WIRE_DIR/server.log"; then
        fail "server log holds no password ($password)"
    else
        pass "server log holds no password ($password)"
    fi
done
check_output "log says why a login failed" "not permitted to log in" cat "$WIRE_DIR/server.log"
# The database file (and its WAL) holds verifiers, never a password.
if grep -a -q 'SCRAM-SHA-256\$4096:' "$WIRE_DIR"/db*; then
    pass "database file holds SCRAM verifiers"
else
    fail "database file holds SCRAM verifiers" "$(ls -la "$WIRE_DIR")"
fi
for password in 'correct horse' 'battery staple' 'dora-pw' 'nolog-pw' 'old-pw'; do
    if grep -a -q "$password" "$WIRE_DIR"/db*; then
        fail "database file holds no password ($password)"
    else
        pass "database file holds no password ($password)"
    fi
done

# The roles file of earlier versions: refused, and imported once instead.
check_output "--auth-file is refused with a hint" "--import-roles" \
    "$SERVER_BIN" --no-socket --listen "127.0.0.1:$(free_port)" --auth-file "$WIRE_DIR/roles" "$WIRE_DIR/db"
verifier=$("$SERVER_BIN" --make-verifier frank 'frank-pw' | sed -n "s/.*PASSWORD '\(.*\)';/\1/p")
{ echo "# old roles file"; echo "frank:$verifier"; echo "alice:$verifier"; } >"$WIRE_DIR/roles"
check_output "--import-roles imports" "imported 2 roles" \
    "$SERVER_BIN" --import-roles "$WIRE_DIR/roles" "$WIRE_DIR/db"
echo "mallory:SCRAM-SHA-256\$4096:bad" >"$WIRE_DIR/bad_roles"
check_output "--import-roles refuses a broken file" "invalid SCRAM verifier" \
    "$SERVER_BIN" --import-roles "$WIRE_DIR/bad_roles" "$WIRE_DIR/db"
start_server --hba-file "$WIRE_DIR/hba" || { wire_summary; exit 1; }
output=$(PYTHONPATH=tests/wire "$PYTHON" - "$WIRE_PORT" <<'EOF' 2>&1
import sys
from pgwire import Conn, ServerError
port = int(sys.argv[1])
for user in ("frank", "alice"):
    try:
        c = Conn(port, user=user, password="frank-pw")
        rows, err, _ = c.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = current_user")
        print(("ok   " if rows == [["t"]] else "FAIL ") + "imported role %s logs in" % user)
    except ServerError as e:
        print("FAIL imported role %s logs in: %r" % (user, e.fields))
try:
    Conn(port, user="mallory", password="x")
    print("FAIL broken import left nothing")
except ServerError as e:
    print(("ok   " if e.fields.get("C") == "28000" else "FAIL ") + "broken import left nothing")
EOF
)
count_results "$output"
stop_server

# --database: the one name clients may ask for (3D000 for others, after the login
# as PostgreSQL checks it), current_database() and pg_database name it; CONNECT on
# the database (PUBLIC holds it until revoked) is checked at every login, never
# for a superuser.
start_server --hba-file "$WIRE_DIR/hba" --database shop || { wire_summary; exit 1; }
output=$(PYTHONPATH=tests/wire "$PYTHON" - "$WIRE_PORT" "$WIRE_DIR" <<'EOF' 2>&1
import os, pwd, sys
from pgwire import Conn, ServerError
port, directory = int(sys.argv[1]), sys.argv[2]
owner = pwd.getpwuid(os.geteuid()).pw_name

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + repr(detail)))

def login(user, database):
    try:
        c = Conn(port, host=directory, user=user, database=database)
        rows, err, _ = c.query("SELECT current_database(), (SELECT datname FROM pg_database)")
        c.close()
        return rows, None
    except ServerError as e:
        return None, e.fields

su = Conn(port, host=directory, user=owner, database="shop")
for sql in ("CREATE ROLE gina LOGIN", "CREATE ROLE hal LOGIN"):
    rows, err, _ = su.query(sql)
    result(sql, err is None, err)
rows, fields = login("gina", "shop")
result("--database: its name logs in and names the database", rows == [["shop", "shop"]],
       (rows, fields))
rows, fields = login("gina", "other")
result("--database: another name is FATAL 3D000", rows is None and fields.get("C") == "3D000"
       and fields.get("S") == "FATAL" and 'database "other" does not exist' in fields.get("M", ""),
       fields)
rows, err, _ = su.query("REVOKE CONNECT ON DATABASE shop FROM PUBLIC")
result("REVOKE CONNECT ... FROM PUBLIC", err is None, err)
rows, fields = login("gina", "shop")
result("without CONNECT a login is FATAL 42501", rows is None and fields.get("C") == "42501"
       and "permission denied for database" in fields.get("M", "")
       and fields.get("D") == "User does not have CONNECT privilege.", fields)
rows, fields = login(owner, "shop")
result("a superuser needs no CONNECT", rows == [["shop", "shop"]], (rows, fields))
rows, err, _ = su.query("GRANT CONNECT ON DATABASE shop TO gina")
rows, fields = login("gina", "shop")
result("GRANT CONNECT lets the role in", rows == [["shop", "shop"]], (rows, fields))
rows, fields = login("hal", "shop")
result("others stay out", rows is None and fields.get("C") == "42501", fields)
rows, err, _ = su.query("GRANT ALL ON DATABASE shop TO PUBLIC")
rows, fields = login("hal", "shop")
result("GRANT ALL ... TO PUBLIC lets everyone in", rows == [["shop", "shop"]], (rows, fields))
print("database script finished")
EOF
)
count_results "$output"
grep -q "database script finished" <<<"$output" || fail "database script ran to the end"
stop_server

echo "host all 10.0.0.0/40 trust" >"$WIRE_DIR/bad_hba"
check_output "broken rule file stops start-up" "line 1" \
    "$SERVER_BIN" --no-socket --listen "127.0.0.1:$(free_port)" --hba-file "$WIRE_DIR/bad_hba" "$WIRE_DIR/db"
check_output "TCP trust rule on a non-loopback address refused" "refusing to start" \
    "$SERVER_BIN" --no-socket --listen "0.0.0.0:$(free_port)" --hba-file "$WIRE_DIR/hba" "$WIRE_DIR/db"
check_output "--trust on a non-loopback address refused" "refusing to start" \
    "$SERVER_BIN" --no-socket --listen "0.0.0.0:$(free_port)" --trust "$WIRE_DIR/db"
# The default rules (trust on the socket, SCRAM on TCP) may listen anywhere:
# the server must start (it is stopped at once).
port=$(free_port)
"$SERVER_BIN" --no-socket --listen "0.0.0.0:$port" "$WIRE_DIR/db" >"$WIRE_DIR/any.log" 2>&1 &
any_pid=$!
tries=0
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || [ $tries -ge 200 ]; do
    sleep 0.05; tries=$((tries + 1))
done
if kill -0 "$any_pid" 2>/dev/null && [ $tries -lt 200 ]; then
    pass "default rules start on a non-loopback address"
else
    fail "default rules start on a non-loopback address" "$(cat "$WIRE_DIR/any.log")"
fi
kill "$any_pid" 2>/dev/null; wait "$any_pid" 2>/dev/null
wire_summary
