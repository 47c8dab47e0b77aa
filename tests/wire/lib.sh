# tests/wire/lib.sh - shared helpers for the wire-protocol script tests
# (sourced by tests/wire/*_test.sh; not a test itself).
#
# Each test: source this file, call wire_init NAME, start_server [options],
# run checks with check / check_output, and end with wire_summary, which
# prints the closing "NAME: N passed, N failed" line. The server runs on a
# free loopback port with its socket and database in a mktemp directory, and
# the EXIT trap always stops it. Nothing here installs anything: a test whose
# client is missing calls skip_test, which prints a SKIP line and a 0/0 summary.

WIRE_NAME=wire
WIRE_PASSED=0
WIRE_FAILED=0
WIRE_DIR=
WIRE_PID=
WIRE_PORT=

wire_init() {
    WIRE_NAME=$1
    BUILD=${STRATA_BUILD:-build/release}
    SERVER_BIN=${STRATA_SERVER:-$BUILD/strata-server}
    WIRE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-wire.XXXXXX")
    trap wire_cleanup EXIT
}

wire_cleanup() {
    stop_server
    if [ -n "$WIRE_DIR" ] && [ -z "${KEEP_WIRE_DIR:-}" ]; then
        rm -rf "$WIRE_DIR"
    fi
}

skip_test() {
    echo "SKIP $WIRE_NAME: $1"
    echo "$WIRE_NAME: 0 passed, 0 failed"
    exit 0
}

pass() { WIRE_PASSED=$((WIRE_PASSED + 1)); echo "ok   $1"; }
fail() { WIRE_FAILED=$((WIRE_FAILED + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | head -30; }

# check NAME COMMAND...: passes if the command exits 0.
check() {
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# check_output NAME EXPECTED COMMAND...: passes if the command's output
# (stdout and stderr) contains EXPECTED.
check_output() {
    local name=$1 expected=$2; shift 2
    local out
    out=$("$@" 2>&1)
    if [[ "$out" == *"$expected"* ]]; then pass "$name"; else fail "$name" "expected: $expected
got: $out"; fi
}

# Prints a client script's output and counts its "ok   " and "FAIL " lines.
count_results() {
    echo "$1"
    while IFS= read -r line; do
        case "$line" in
        "ok   "*) WIRE_PASSED=$((WIRE_PASSED + 1)) ;;
        "FAIL "*) WIRE_FAILED=$((WIRE_FAILED + 1)) ;;
        esac
    done <<<"$1"
}

wire_summary() {
    echo "$WIRE_NAME: $WIRE_PASSED passed, $WIRE_FAILED failed"
    [ "$WIRE_FAILED" -eq 0 ]
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 30000))
    fi
}

# start_server [options...]: starts strata-server on a free port with the
# database $WIRE_DIR/db and waits (bounded) until it accepts connections.
start_server() {
    if [ ! -x "$SERVER_BIN" ]; then
        fail "server binary $SERVER_BIN exists"
        return 1
    fi
    WIRE_PORT=$(free_port)
    "$SERVER_BIN" --listen "127.0.0.1:$WIRE_PORT" --socket "$WIRE_DIR" \
        --auth-fail-delay 50 "$@" "$WIRE_DIR/db" >>"$WIRE_DIR/server.log" 2>&1 &
    WIRE_PID=$!
    wait_for_server
}

wait_for_server() {
    local tries=0
    while [ $tries -lt 200 ]; do
        if ! kill -0 "$WIRE_PID" 2>/dev/null; then
            fail "server started" "$(cat "$WIRE_DIR/server.log")"
            WIRE_PID=
            return 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$WIRE_PORT") 2>/dev/null; then
            return 0
        fi
        sleep 0.05
        tries=$((tries + 1))
    done
    fail "server accepts connections" "$(cat "$WIRE_DIR/server.log")"
    return 1
}

# stop_server [SIGNAL]: stops the server and waits for it; returns its status.
stop_server() {
    local status=0
    if [ -n "$WIRE_PID" ]; then
        kill "-${1:-TERM}" "$WIRE_PID" 2>/dev/null
        wait "$WIRE_PID" 2>/dev/null
        status=$?
        WIRE_PID=
    fi
    return $status
}

# sql_offline SQL: runs SQL on $WIRE_DIR/db with the strata shell, as the
# database's bootstrap superuser (only while no server holds the file).
sql_offline() {
    "${STRATA_SHELL:-$BUILD/strata}" "$WIRE_DIR/db" -c "$1"
}

# make_role NAME [PASSWORD]: CREATE ROLE NAME LOGIN [PASSWORD '...'] in the
# test database, before start_server (roles live in the database), with CREATE on
# the public schema: since PostgreSQL 15 only the database owner creates there
# unless granted, and these roles stand for an application's owner.
make_role() {
    if [ $# -ge 2 ]; then
        sql_offline "CREATE ROLE \"$1\" LOGIN PASSWORD '$2'" >/dev/null
    else
        sql_offline "CREATE ROLE \"$1\" LOGIN" >/dev/null
    fi
    sql_offline "GRANT CREATE ON SCHEMA public TO \"$1\"" >/dev/null
}

# Finds a python3 that can import the given module (CI installs Debian's
# python3-psycopg2 for /usr/bin/python3; PATH may hold another python3).
python_with() {
    local candidate
    for candidate in python3 /usr/bin/python3; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import $1" 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
