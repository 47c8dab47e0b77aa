#!/usr/bin/env bash
# tests/shell/shell_test.sh - the strata shell end to end, as scripts use it.
#
# Goal: everything a script can rely on: -c and -f in order, stdin driven
# statement by statement through a pipe (a coprocess writes one statement and
# reads its result before writing the next), --csv, -t/-A, exit codes 0/1/3,
# psql's error layout (LINE n: and the caret), \d, \copy round trips, \x,
# notices on stderr and the database's roles.
# Run by tools/run-tests with STRATA_BUILD set to the build directory; ends
# with "shell_test: N passed, N failed".
set -u
BUILD=${STRATA_BUILD:-build/release}
STRATA="$BUILD/strata"
# Absolute, since some tests run in their own directory.
[ -d "$BUILD" ] && STRATA="$(cd "$BUILD" && pwd)/strata"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/strata-shell-test.XXXXXX")
trap 'tmux kill-session -t "strata-shell-test-$$" 2>/dev/null; rm -rf "$WORK"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; for line in "$@"; do echo "  $line"; done; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
    if [ "$2" == "$3" ]; then ok; else fail "$1" "expected: $(printf '%q' "$2")" "got:      $(printf '%q' "$3")"; fi
}
# expect_has NAME NEEDLE HAYSTACK
expect_has() {
    if [[ "$3" == *"$2"* ]]; then ok; else fail "$1" "missing: $(printf '%q' "$2")" "in:      $(printf '%q' "$3")"; fi
}

if [ ! -x "$STRATA" ]; then
    echo "shell_test: $STRATA not built"
    echo "shell_test: 0 passed, 1 failed"
    exit 1
fi

test_version_and_help() {
    local out rc
    out=$("$STRATA" --version); rc=$?
    expect_eq "version exit" 0 "$rc"
    expect_has "version text" "strata " "$out"
    out=$("$STRATA" --help); rc=$?
    expect_eq "help exit" 0 "$rc"
    expect_has "help lists -c" "--command" "$out"
    "$STRATA" --no-such-option >/dev/null 2>&1; rc=$?
    expect_eq "bad option exits 1" 1 "$rc"
}

test_command_options() {
    local out
    out=$("$STRATA" :memory: -c "CREATE TABLE t (a integer, b text)" \
          -c "INSERT INTO t VALUES (1, 'one'), (22, 'twenty-two')" \
          -c "SELECT a, b FROM t ORDER BY a" 2>&1)
    expect_eq "-c in order" "CREATE TABLE
INSERT 0 2
 a  |     b      
----+------------
  1 | one
 22 | twenty-two
(2 rows)" "$out"
    out=$("$STRATA" -q :memory: -c "CREATE TABLE t (a integer); INSERT INTO t VALUES (5); SELECT a FROM t" 2>&1)
    expect_eq "-c with several statements, -q" " a 
---
 5
(1 row)" "$out"
}

test_file_option() {
    local out
    printf 'CREATE TABLE f (x integer);\nINSERT INTO f VALUES (1);\nINSERT INTO f\n  VALUES (2);\nSELECT count(*) AS n FROM f;\n' > "$WORK/a.sql"
    printf 'SELECT 40 + 2 AS answer\n' > "$WORK/b.sql"
    out=$("$STRATA" -t -A :memory: -f "$WORK/a.sql" -c "SELECT 7" -f "$WORK/b.sql" 2>&1)
    expect_eq "-f, -c, -f in order with -t -A" "2
7
42" "$out"
}

test_output_formats() {
    local out
    out=$("$STRATA" --csv :memory: -c "SELECT 1 AS a, 'x,y' AS b, NULL AS c, 'q\"' AS d" 2>&1)
    expect_eq "--csv" 'a,b,c,d
1,"x,y",,"q"""' "$out"
    out=$("$STRATA" -t :memory: -c "SELECT 1 AS a, 'x' AS b" 2>&1)
    expect_eq "-t" " 1 | x" "$out"
    out=$("$STRATA" -A -F ';' :memory: -c "SELECT 1 AS a, 'x' AS b" 2>&1)
    expect_eq "-A -F" "a;b
1;x
(1 row)" "$out"
    out=$("$STRATA" :memory: -c '\x' -c "SELECT 1 AS a, 'two' AS bb" 2>&1)
    expect_eq "\\x" "Expanded display is on.
-[ RECORD 1 ]
a  | 1
bb | two" "$out"
    out=$("$STRATA" -q :memory: -c '\pset null (null)' -c "SELECT NULL AS n" 2>&1)
    expect_eq "\\pset null" "   n    
--------
 (null)
(1 row)" "$out"
}

test_exit_codes() {
    local out rc
    "$STRATA" :memory: -c "SELEC 1" -c "SELECT 1" >/dev/null 2>&1; rc=$?
    expect_eq "error without ON_ERROR_STOP exits 0" 0 "$rc"
    out=$("$STRATA" -v ON_ERROR_STOP=1 -t -A :memory: -c "SELECT 1" -c "SELEC 2" -c "SELECT 3" 2>/dev/null); rc=$?
    expect_eq "ON_ERROR_STOP exits 3" 3 "$rc"
    expect_eq "ON_ERROR_STOP stops at the first error" "1" "$out"
    out=$(printf 'SELECT 1;\nSELEC 2;\nSELECT 3;\n' | "$STRATA" --set ON_ERROR_STOP=on -t -A :memory: 2>/dev/null); rc=$?
    expect_eq "ON_ERROR_STOP on stdin exits 3" 3 "$rc"
    expect_eq "ON_ERROR_STOP on stdin stops" "1" "$out"
    "$STRATA" :memory: -f "$WORK/does-not-exist.sql" >/dev/null 2>&1; rc=$?
    expect_eq "unreadable -f file exits 1" 1 "$rc"
}

test_error_layout() {
    local out
    out=$("$STRATA" :memory: -c "SELEC 1" 2>&1 >/dev/null)
    expect_has "syntax error starts ERROR:" "ERROR:  " "$out"
    expect_has "syntax error LINE and caret" "LINE 1: SELEC 1
        ^" "$out"
    out=$("$STRATA" :memory: -c "SELECT 1,
 nosuchcol FROM nosuchtable" 2>&1 >/dev/null)
    expect_has "second-line error position" "LINE 2:  nosuchcol FROM nosuchtable" "$out"
    out=$(printf 'SELECT 1;\nSELECT * FROM nosuchtable;\n' | "$STRATA" -v VERBOSITY=verbose :memory: 2>&1 >/dev/null)
    expect_has "stdin error prefix" "strata:<stdin>:2: ERROR:  42P01: " "$out"
    out=$("$STRATA" :memory: -c "CREATE TABLE u (id int, v text, w int)" \
          -c "CREATE UNIQUE INDEX u_vw ON u (v, w)" -c "CREATE UNIQUE INDEX u_lv ON u (lower(v))" \
          -c "INSERT INTO u VALUES (1, 'a', 1)" -c "INSERT INTO u VALUES (2, 'a', 1)" \
          -c "INSERT INTO u VALUES (3, 'A', 2)" 2>&1 >/dev/null)
    expect_has "unique index detail names its columns" "DETAIL:  Key (v, w)=(a, 1) already exists." "$out"
    expect_has "unique index detail names its expression" "DETAIL:  Key (lower(v))=(a) already exists." "$out"
}

# A coprocess shell: write one statement, read its whole result, then the
# next. Each read needs the previous statement's output before the next
# statement exists, so this fails if the shell waits for the end of input.
test_stdin_statement_by_statement() {
    local line out="" rc
    coproc SHELLPROC { "$STRATA" -A :memory: 2>&1; }
    echo "CREATE TABLE p (v integer);" >&"${SHELLPROC[1]}"
    read -r -t 20 line <&"${SHELLPROC[0]}"; out+="$line;"
    echo "INSERT INTO p VALUES (41);" >&"${SHELLPROC[1]}"
    read -r -t 20 line <&"${SHELLPROC[0]}"; out+="$line;"
    echo "SELECT v + 1 AS r FROM p;" >&"${SHELLPROC[1]}"
    for _ in 1 2 3; do read -r -t 20 line <&"${SHELLPROC[0]}"; out+="$line;"; done
    printf 'SELECT\n  v\n  FROM p;\n' >&"${SHELLPROC[1]}"
    for _ in 1 2 3; do read -r -t 20 line <&"${SHELLPROC[0]}"; out+="$line;"; done
    exec {SHELLPROC[1]}>&-
    wait "$SHELLPROC_PID"; rc=$?
    expect_eq "coprocess results arrive one statement at a time" \
        "CREATE TABLE;INSERT 0 1;r;42;(1 row);v;41;(1 row);" "$out"
    expect_eq "coprocess exit" 0 "$rc"
}

test_describe() {
    local out
    out=$("$STRATA" :memory: -q -c "CREATE TABLE d (id integer PRIMARY KEY, name text NOT NULL)" \
          -c "CREATE INDEX d_name ON d (name)" -c '\d d' 2>&1)
    expect_has "\\d title" 'Table "public.d"' "$out"
    expect_has "\\d columns header" " Column |" "$out"
    expect_has "\\d id column" " id     | integer" "$out"
    expect_has "\\d not null" "not null" "$out"
    expect_has "\\d indexes" "Indexes:" "$out"
    expect_has "\\d index name" '"d_name"' "$out"
    out=$("$STRATA" :memory: -q -c "CREATE TABLE g (a int GENERATED ALWAYS AS IDENTITY, b bigint GENERATED BY DEFAULT AS IDENTITY)" -c '\d g' 2>&1)
    expect_has "\\d identity always" " a      | integer | not null | generated always as identity" "$out"
    expect_has "\\d identity by default" " b      | bigint  | not null | generated by default as identity" "$out"
    out=$("$STRATA" :memory: -q -c "CREATE TABLE d (id integer)" -c "CREATE VIEW dv AS SELECT id FROM d" -c '\d' 2>&1)
    expect_has "\\d lists relations" "List of relations" "$out"
    expect_has "\\d lists the table" " public | d    | table" "$out"
    expect_has "\\d lists the view" " public | dv   | view" "$out"
    # types as psql names them (format_type), not information_schema's data_type
    out=$("$STRATA" :memory: -q -c "CREATE TYPE mood AS ENUM ('sad', 'ok')" \
          -c "CREATE TABLE e (m mood, ms mood[], v varchar(3))" -c '\d e' 2>&1)
    expect_has "\d enum column" " m      | mood                 |" "$out"
    expect_has "\d enum array column" " ms     | mood[]               |" "$out"
    expect_has "\d varchar(n) column" " v      | character varying(3) |" "$out"
    out=$("$STRATA" :memory: -q -c '\d nosuch' 2>&1)
    expect_has "\\d of a missing relation" 'Did not find any relation named "nosuch".' "$out"
    local part="CREATE TABLE m (id integer, ts date) PARTITION BY RANGE (ts)"
    local p1="CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')"
    local p2="CREATE TABLE m2 PARTITION OF m DEFAULT"
    out=$("$STRATA" :memory: -q -c "$part" -c "$p1" -c "$p2" -c '\d m' -c '\d m1' 2>&1)
    expect_has "\\d of a partitioned table" 'Partitioned table "public.m"' "$out"
    expect_has "\\d partition key" "Partition key: RANGE (ts)" "$out"
    expect_has "\\d partitions" "Partitions: m1 FOR VALUES FROM ('2024-01-01') TO ('2024-02-01'),
            m2 DEFAULT" "$out"
    expect_has "\\d of a partition" "Partition of: m FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')" "$out"
    # \d+ of a column table: per-column encoding and sizes (70,000 rows: one row group
    # of 65,536, the rest in the write buffer); of a row table: the access method only.
    out=$("$STRATA" :memory: -q -c "CREATE TABLE cs (id bigint, k integer, t text) USING column" \
          -c "INSERT INTO cs SELECT g, 7, 'ab' FROM generate_series(1, 70000) AS g" \
          -c "CREATE TABLE rs (id integer)" -c '\d+ cs' -c '\d+ rs' -c '\d cs' 2>&1)
    expect_has "\\d+ storage columns" "| Encoding | Compressed bytes | Raw bytes" "$out"
    expect_has "\\d+ constant column, raw bytes at the type's width" \
        " k      | integer |          |         | constant |" "$out"
    expect_has "\\d+ raw bytes of an int4 column" "|    262144" "$out"
    expect_has "\\d+ raw bytes of a text column" "|    131072" "$out"
    expect_has "\\d+ column table footers" "Access method: column
Row groups: 1, rows in the write buffer: 4464" "$out"
    expect_has "\\d+ row table footer" 'Table "public.rs"
 Column |  Type   | Nullable | Default 
--------+---------+----------+---------
 id     | integer |          | 
Access method: row' "$out"
    expect_eq "\\d without + shows no storage (the output's last lines)" ' Column |  Type   | Nullable | Default 
--------+---------+----------+---------
 id     | bigint  |          | 
 k      | integer |          | 
 t      | text    |          | ' "$(tail -n 5 <<< "$out")"
}

test_copy_round_trip() {
    local out
    printf 'id,name,note\n1,alice,"a, quoted ""note"""\n2,bob,\n3,"multi\nline",plain\n' > "$WORK/in.csv"
    out=$("$STRATA" -q "$WORK/copy.db" \
          -c "CREATE TABLE c (id integer, name text, note text)" \
          -c "\\copy c from '$WORK/in.csv' with (format csv, header true)" \
          -c "\\copy c to '$WORK/out.csv' with (format csv, header true)" \
          -c "\\copy c (id, name) to '$WORK/out.txt'" \
          -c "CREATE TABLE c2 (id integer, name text, note text)" \
          -c "\\copy c2 from '$WORK/out.csv' csv header" \
          -c "SELECT count(*) FROM c2 WHERE note IS NULL" \
          -c "SELECT count(*) FROM (SELECT * FROM c EXCEPT SELECT * FROM c2) AS diff" 2>&1)
    expect_eq "\\copy csv round trip" " count 
-------
     1
(1 row)

 count 
-------
     0
(1 row)" "$out"
    expect_eq "\\copy csv output" "$(cat "$WORK/in.csv")" "$(cat "$WORK/out.csv")"
    expect_eq "\\copy text output" '1	alice
2	bob
3	multi\nline' "$(cat "$WORK/out.txt")"
    out=$(printf 'CREATE TABLE s (a integer, b text);\n\\copy s from stdin\n1\tx\n2\t\\N\n\\.\nSELECT count(b) AS with_b, count(*) AS all_rows FROM s;\n' \
          | "$STRATA" -A -t :memory: 2>&1)
    expect_eq "\\copy from stdin" "1|2" "$out"
    out=$(printf 'CREATE TABLE s (a integer);\n\\copy s from stdin\nnot a number\n\\.\nSELECT count(*) FROM s;\n' \
          | "$STRATA" -A -t :memory: 2>/dev/null)
    expect_eq "\\copy error rolls back and skips the data" "0" "$out"
    # SQL COPY ... FROM stdin with inline data, as pg_dump writes it, and TO STDOUT.
    out=$(printf 'CREATE TABLE d (a integer, b text);\nCOPY d (a, b) FROM stdin;\n1\tone\n2\t\\N\n\\.\nCOPY d TO STDOUT WITH (FORMAT csv, HEADER);\nCOPY d FROM stdin;\n3\tok\n4\tx\ty\n\\.\nSELECT count(*) FROM d;\n' \
          | "$STRATA" :memory: 2>&1)
    expect_eq "COPY FROM stdin inline data, COPY TO STDOUT" 'CREATE TABLE
COPY 2
a,b
1,one
2,
COPY 2
strata:<stdin>:10: ERROR:  extra data after last expected column
DETAIL:  COPY d, line 2: "4xy"
 count 
-------
     2
(1 row)' "$out"
    # A row a constraint refuses: the error names its line, not the first line of the
    # rows inserted with it (an index makes COPY insert through the executor).
    out=$(printf 'CREATE TABLE cv (id integer, v integer CHECK (v > 0));
CREATE INDEX cv_v ON cv (v);
COPY cv FROM stdin;
1	5
2	6
3	-1
4	7
\\.
' \
          | "$STRATA" :memory: 2>&1 | grep -A1 DETAIL)
    expect_eq "COPY constraint error names the failing line" 'DETAIL:  Failing row contains (3, -1).
COPY cv, line 3' "$out"
}

test_database_file() {
    local out
    (cd "$WORK" && "$STRATA" -q -c "CREATE TABLE k (v integer)" -c "INSERT INTO k VALUES (7)") >/dev/null 2>&1
    out=$(cd "$WORK" && "$STRATA" -t -A -c "SELECT v FROM k" 2>&1)
    expect_eq "default strata.db persists" "7" "$out"
    expect_eq "strata.db created in the current directory" "yes" "$([ -e "$WORK/strata.db" ] && echo yes)"
}

test_meta_commands() {
    local out
    out=$("$STRATA" :memory: -c '\conninfo' 2>&1)
    expect_has "\\conninfo" 'connected to database ":memory:"' "$out"
    out=$("$STRATA" :memory: -c '\?' 2>&1)
    expect_has "\\? help" '\copy' "$out"
    out=$("$STRATA" :memory: -c '\h SELECT' 2>&1)
    expect_has "\\h SELECT" "SELECT [ DISTINCT ]" "$out"
    printf 'SELECT 11 AS eleven;\n' > "$WORK/inc.sql"
    out=$("$STRATA" -t -A :memory: -c "\\i $WORK/inc.sql" 2>&1)
    expect_eq "\\i" "11" "$out"
    out=$(printf '\\o %s\nSELECT 5;\n\\o\nSELECT 6;\n' "$WORK/o.txt" | "$STRATA" -t -A :memory: 2>&1)
    expect_eq "\\o back to stdout" "6" "$out"
    expect_eq "\\o to a file" "5" "$(cat "$WORK/o.txt")"
    out=$("$STRATA" :memory: -c '\nosuchcommand' 2>&1)
    expect_has "unknown meta command" 'invalid command \nosuchcommand' "$out"
    out=$("$STRATA" :memory: -c '\timing on' -c 'SELECT 1' 2>&1)
    expect_has "\\timing" "Time: " "$out"
}

# Interactive use through tmux (skipped when tmux is missing): the prompt
# follows the transaction state, Ctrl-C cancels a running statement and, at
# the prompt, clears the typed input. Waits poll the screen for the expected
# text (up to 20 s each), they never sleep a fixed time.
wait_screen() { # SESSION TEXT
    local tries=0
    while [ $tries -lt 200 ]; do
        if tmux capture-pane -t "$1" -p 2>/dev/null | grep -qF -- "$2"; then return 0; fi
        tries=$((tries + 1)); sleep 0.1
    done
    return 1
}
wait_screen_briefly() { # SESSION TEXT: up to 1 s
    local tries=0
    while [ $tries -lt 10 ]; do
        if tmux capture-pane -t "$1" -p 2>/dev/null | grep -qF -- "$2"; then return 0; fi
        tries=$((tries + 1)); sleep 0.1
    done
    return 1
}
type_line() { tmux send-keys -t "$1" -l "$2"; tmux send-keys -t "$1" Enter; }

test_interactive() {
    if ! command -v tmux >/dev/null 2>&1; then
        echo "note: tmux not installed; interactive checks skipped"; return
    fi
    local session="strata-shell-test-$$"
    mkdir -p "$WORK/home"
    tmux new-session -d -s "$session" -x 120 -y 40 "HOME='$WORK/home' '$STRATA' :memory:"
    if wait_screen "$session" "strata=>"; then ok; else fail "interactive prompt"; fi
    type_line "$session" 'BEGIN\;'
    if wait_screen "$session" "strata=*>"; then ok; else fail "prompt inside a transaction"; fi
    type_line "$session" "SELECT 'unfinished"
    if wait_screen "$session" "strata->"; then ok; else fail "continuation prompt"; fi
    tmux send-keys -t "$session" C-c
    type_line "$session" 'SELECT count(*) FROM generate_series(1, 2000000000) AS g\;'
    wait_screen "$session" "generate_series(1, 2000000000)"
    # Ctrl-C until the cancel shows: one sent before the statement starts
    # running only clears an empty prompt, so repeating is harmless.
    local attempt=0 cancelled=0
    while [ $attempt -lt 20 ] && [ $cancelled -eq 0 ]; do
        tmux send-keys -t "$session" C-c
        if wait_screen_briefly "$session" "canceling statement"; then cancelled=1; fi
        attempt=$((attempt + 1))
    done
    if [ $cancelled -eq 1 ]; then ok; else fail "Ctrl-C cancels a statement" "$(tmux capture-pane -t "$session" -p)"; fi
    if wait_screen "$session" "strata=!>"; then ok; else fail "prompt in a failed transaction"; fi
    type_line "$session" 'ROLLBACK\;'
    type_line "$session" '\q'
    local tries=0
    while tmux has-session -t "$session" 2>/dev/null && [ $tries -lt 200 ]; do
        tries=$((tries + 1)); sleep 0.1
    done
    if tmux has-session -t "$session" 2>/dev/null; then
        fail "\\q leaves the shell"; tmux kill-session -t "$session"
    else
        ok
    fi
    if grep -q "ROLLBACK" "$WORK/home/.strata_history" 2>/dev/null; then ok; else fail "history saved"; fi
}

# Notices go to stderr as psql prints them, before the command tag, with the
# file:line prefix under -f; roles (issue 5): the bootstrap superuser is
# named after the OS user, persists with the file and cannot be dropped.
test_notices_and_roles() {
    local out err
    out=$("$STRATA" :memory: -c "DROP TABLE IF EXISTS missing" -c "COMMIT" 2>"$WORK/notice.err")
    err=$(cat "$WORK/notice.err")
    expect_eq "notices on stderr" 'NOTICE:  table "missing" does not exist, skipping
WARNING:  there is no transaction in progress' "$err"
    expect_eq "tags on stdout" "DROP TABLE
COMMIT" "$out"
    out=$("$STRATA" :memory: -c "DROP TABLE IF EXISTS missing" 2>&1)
    expect_eq "notice before the tag" 'NOTICE:  table "missing" does not exist, skipping
DROP TABLE' "$out"
    printf 'SELECT 1;\nDROP VIEW IF EXISTS v;\n' >"$WORK/notice.sql"
    out=$("$STRATA" :memory: -f "$WORK/notice.sql" 2>&1 >/dev/null)
    expect_has "notice prefix under -f" "notice.sql:2: NOTICE:  view \"v\" does not exist, skipping" "$out"
    out=$("$STRATA" :memory: -v VERBOSITY=verbose -c "COMMIT" 2>&1 >/dev/null)
    expect_eq "notice SQLSTATE when verbose" "WARNING:  25P01: there is no transaction in progress" "$out"
    out=$("$STRATA" :memory: -c "CREATE TABLE t (a int); CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW v2 AS SELECT a FROM t" \
          -c "DROP TABLE t CASCADE" 2>&1 >/dev/null)
    expect_eq "notice with its DETAIL lines, as psql" "NOTICE:  drop cascades to 2 other objects
DETAIL:  drop cascades to view v1
drop cascades to view v2" "$out"
    local owner
    owner=$(id -un)
    out=$("$STRATA" "$WORK/roles.db" -At -c "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user" \
          -c "CREATE ROLE admin SUPERUSER LOGIN PASSWORD 'admin pw'" 2>&1)
    expect_eq "bootstrap superuser is the OS user" "$owner|t" "$out"
    out=$("$STRATA" "$WORK/roles.db" -At -c "SELECT string_agg(rolname, ',' ORDER BY oid) FROM pg_roles" \
          -c "SET SESSION AUTHORIZATION admin" -c "DROP ROLE \"$owner\"" 2>&1)
    expect_eq "roles persist (with the predefined pg_database_owner); bootstrap role cannot be dropped" "$owner,pg_database_owner,admin
ERROR:  cannot drop role $owner because it is required by the database system" "$out"
    if grep -a -q "admin pw" "$WORK"/roles.db*; then fail "no plaintext password in the file"; else ok; fi
}

test_version_and_help
test_notices_and_roles
test_command_options
test_file_option
test_output_formats
test_exit_codes
test_error_layout
test_stdin_statement_by_statement
test_describe
test_copy_round_trip
test_database_file
test_meta_commands
test_interactive

echo "shell_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
