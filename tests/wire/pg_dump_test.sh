#!/usr/bin/env bash
# tests/wire/pg_dump_test.sh - a plain pg_dump of a PostgreSQL 15 database loads into
# strata, through the shell and through psql against strata serve, and reads back
# what PostgreSQL reads back.
#
# fixtures/shop.pg_dump.sql is `pg_dump` 15.18 of a small shop schema (serial and
# identity columns, foreign keys with CASCADE, INCLUDE / partial / expression indexes,
# a view, a materialized view, a second schema, a sequence, a comment, jsonb, COPY
# data with a tab and a backslash), as pg_dump writes it: \restrict, SET lines for
# settings, set_config('search_path', '', false), sequences tied to columns with
# OWNED BY and nextval('...'::regclass) defaults, ALTER COLUMN ... ADD GENERATED
# ... AS IDENTITY, setval, OWNER TO postgres. fixtures/shop.expected is what
# PostgreSQL 15.18's `psql -X -q -A -t -f fixtures/shop.check.sql` printed for a
# database restored from that dump (error lines without psql's file:line prefix).
# The only errors the load may print are for OWNER TO a role strata does not have
# (PostgreSQL says the same when the role is missing).
# Ends with "pg_dump_test: N passed, N failed".
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
wire_init pg_dump_test
FIX="$here/fixtures"
SHELL_BIN=${STRATA_SHELL:-$BUILD/strata}
strip_prefix() { sed -E 's/^[a-z]+:[^:]*:[0-9]+: //'; }

# 1. the strata shell
load_errors=$("$SHELL_BIN" -q "$WIRE_DIR/shell.db" < "$FIX/shop.pg_dump.sql" 2>&1 >/dev/null |
              grep -v 'role "postgres" does not exist')
if [ -z "$load_errors" ]; then pass "shell: the dump loads"; else fail "shell: the dump loads" "$load_errors"; fi
got=$("$SHELL_BIN" -q -A -t "$WIRE_DIR/shell.db" < "$FIX/shop.check.sql" 2>&1 | strip_prefix)
if [ "$got" == "$(cat "$FIX/shop.expected")" ]; then pass "shell: reads back what PostgreSQL does"
else fail "shell: reads back what PostgreSQL does" "$(diff <(echo "$got") "$FIX/shop.expected")"; fi
got=$("$SHELL_BIN" -A -t "$WIRE_DIR/shell.db" -c "SELECT strata_check()" 2>&1)
if [ "$got" == "ok" ]; then pass "shell: integrity check"; else fail "shell: integrity check" "$got"; fi

# 2. psql against strata serve
if ! command -v psql >/dev/null 2>&1; then
    echo "SKIP psql leg: psql not installed"
    wire_summary
    exit $?
fi
start_server || { wire_summary; exit 1; }
export PGHOST=127.0.0.1 PGPORT=$WIRE_PORT PGDATABASE=strata PGUSER=$(id -un)
# (a psql older than 15.14 does not know \restrict; that is the client's message)
load_errors=$(psql -X -q -h "$WIRE_DIR" -f "$FIX/shop.pg_dump.sql" 2>&1 >/dev/null |
              grep -v 'role "postgres" does not exist' | grep -v -E 'invalid command \\(un)?restrict|Try \\\? for help')
if [ -z "$load_errors" ]; then pass "psql: the dump loads"; else fail "psql: the dump loads" "$load_errors"; fi
got=$(psql -X -q -A -t -h "$WIRE_DIR" -f "$FIX/shop.check.sql" 2>&1 | strip_prefix)
if [ "$got" == "$(cat "$FIX/shop.expected")" ]; then pass "psql: reads back what PostgreSQL does"
else fail "psql: reads back what PostgreSQL does" "$(diff <(echo "$got") "$FIX/shop.expected")"; fi
stop_server
wire_summary
