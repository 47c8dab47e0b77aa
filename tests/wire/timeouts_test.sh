#!/usr/bin/env bash
# tests/wire/timeouts_test.sh - PostgreSQL's session timeouts through strata serve:
# idle_in_transaction_session_timeout ends a session left idle inside a transaction
# block (FATAL 25P03, its work rolled back; idle outside a block, and busy inside
# one, are not ended), and lock_timeout ends a wait for the write lock (55P03)
# while the other session's transaction is unaffected. Needs python3-psycopg2.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init timeouts_test
PYTHON=$(python_with psycopg2) || skip_test "python3 with psycopg2 is not installed"
start_server || { wire_summary; exit 1; }

output=$("$PYTHON" - "$WIRE_PORT" "$WIRE_DIR" <<'EOF' 2>&1
import sys, time
import psycopg2

port, directory = int(sys.argv[1]), sys.argv[2]

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + repr(detail)))

def connect():
    c = psycopg2.connect(host=directory, port=port, dbname="strata")  # the socket: trust
    c.autocommit = True
    return c

setup = connect()
setup.cursor().execute("CREATE TABLE t (id int PRIMARY KEY, v int)")
setup.cursor().execute("INSERT INTO t VALUES (1, 0)")

# idle inside a transaction block: ended, its insert rolled back
a = connect()
cur = a.cursor()
cur.execute("SET idle_in_transaction_session_timeout = '300ms'")
cur.execute("BEGIN")
cur.execute("INSERT INTO t VALUES (2, 2)")
time.sleep(1.0)
try:
    cur.execute("SELECT 1")
    result("idle in a transaction ends the session", False, "the query ran")
except psycopg2.Error as e:
    # libpq reports the FATAL, or only the closed socket when the query it sent
    # reached a connection already closed (the psql check below sees the FATAL)
    result("idle in a transaction ends the session", e.pgcode == "25P03" or
           "idle-in-transaction timeout" in str(e) or "closed the connection" in str(e),
           (e.pgcode, str(e)))
check = setup.cursor()
check.execute("SELECT count(*) FROM t WHERE id = 2")
result("its work is rolled back", check.fetchone()[0] == 0)

# idle outside a block, and a statement longer than the timeout inside one: kept
b = connect()
cur = b.cursor()
cur.execute("SET idle_in_transaction_session_timeout = '300ms'")
time.sleep(0.8)
cur.execute("SELECT 2")
result("idle outside a transaction is not ended", cur.fetchone()[0] == 2)
cur.execute("BEGIN")
cur.execute("SELECT pg_sleep(0.8)")
cur.execute("UPDATE t SET v = 5 WHERE id = 1")
cur.execute("COMMIT")
check.execute("SELECT v FROM t WHERE id = 1")
result("a busy transaction is not ended", check.fetchone()[0] == 5)

# lock_timeout: a writer waiting for another's transaction gives up with 55P03
holder = connect()
hcur = holder.cursor()
hcur.execute("BEGIN")
hcur.execute("UPDATE t SET v = 6 WHERE id = 1")
waiter = connect()
wcur = waiter.cursor()
wcur.execute("SET lock_timeout = '200ms'")
started = time.monotonic()
try:
    wcur.execute("UPDATE t SET v = 7 WHERE id = 1")
    result("lock_timeout ends the wait", False, "the update ran")
except psycopg2.Error as e:
    result("lock_timeout ends the wait", e.pgcode == "55P03" and "lock timeout" in str(e),
           (e.pgcode, str(e)))
hcur.execute("COMMIT")
check.execute("SELECT v FROM t WHERE id = 1")
result("the holder's transaction commits", check.fetchone()[0] == 6)
wcur.execute("UPDATE t SET v = 8 WHERE id = 1")
check.execute("SELECT v FROM t WHERE id = 1")
result("the waiter writes once the lock is free", check.fetchone()[0] == 8)
print("done")
EOF
)
count_results "$output"
grep -q "^done" <<<"$output" || fail "timeouts script ran to the end"

if command -v psql >/dev/null 2>&1; then
    check_output "psql sees FATAL 25P03 after idling in a transaction" \
        "FATAL:  25P03: terminating connection due to idle-in-transaction timeout" \
        psql -X -h "$WIRE_DIR" -p "$WIRE_PORT" -d strata -v VERBOSITY=verbose \
        -c "SET idle_in_transaction_session_timeout = '200ms'" -c "BEGIN" -c "SELECT pg_sleep(0)" \
        -c "\\! sleep 0.7" -c "SELECT 1"
fi
wire_summary
