#!/usr/bin/env bash
# tests/wire/psql_test.sh - scripted psql sessions against strata-server: the
# unix socket with trust, TCP with SCRAM-SHA-256 passwords (right, wrong,
# unknown role), CREATE/INSERT/SELECT, several statements in one Query,
# errors with SQLSTATEs and positions, transaction states, COPY through psql,
# TLS when openssl is available, the refusal to trust TCP on a
# non-loopback address, roles created with SQL (login, wrong password,
# NOLOGIN, 42501, DROP ROLE), notices (NoticeResponse) as psql shows them, and
# enum and domain types in \dT+, \dD and \d TABLE.
# Needs psql (postgresql-client).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init psql_test
command -v psql >/dev/null 2>&1 || skip_test "psql is not installed"

make_role alice 'pencil s3cret'
start_server || { wire_summary; exit 1; }

local_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$WIRE_DIR" -p "$WIRE_PORT" -U alice -d strata "$@"; }
tcp_psql() { PGPASSWORD='pencil s3cret' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$WIRE_PORT" -U alice -d strata "$@"; }

check "unix socket: create table" local_psql -c "CREATE TABLE items (id integer PRIMARY KEY, name text, price double precision)"
check "unix socket: insert" local_psql -c "INSERT INTO items VALUES (1, 'apple', 1.5), (2, 'pear', 2.25), (3, NULL, 0)"
check_output "unix socket: select" "1|apple|1.5
2|pear|2.25" local_psql -At -c "SELECT id, name, price FROM items ORDER BY id"
check "create index" local_psql -c "CREATE INDEX items_name ON items (name)"
check_output "\\dt lists the table" " public | items | table | alice" local_psql -c '\dt'
check_output "\\dt hides the system views" "(1 row)" local_psql -c '\dt'
check_output "\\d lists relations" " public | items | table | alice" local_psql -c '\d'
check_output "\\di lists the indexes" " public | items_name | index | alice | items
 public | items_pkey | index | alice | items
(2 rows)" local_psql -c '\di'
check_output "format_type of the columns" "integer
text
double precision" local_psql -At -c "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'items' ORDER BY a.attnum"
# \d TABLE / \d+ TABLE / \d INDEX: psql 15's own catalog queries (ARRAY(subquery),
# = ANY(array), pg_constraint, pg_policy, pg_inherits, ...). Each expected text
# is what PostgreSQL 15 prints for the same tables, except the access method
# (strata's row store is "row", PostgreSQL's heap).
check "create a table with constraints" local_psql -c "CREATE TABLE orders (id integer PRIMARY KEY, item integer NOT NULL REFERENCES items (id) ON DELETE CASCADE, qty integer DEFAULT 1 CHECK (qty > 0), tags text[], note varchar(20), UNIQUE (item, note))"
check_output "\\d TABLE: columns, types, defaults, indexes, constraints" 'Table "public.orders"
 Column |         Type          | Collation | Nullable | Default 
--------+-----------------------+-----------+----------+---------
 id     | integer               |           | not null | 
 item   | integer               |           | not null | 
 qty    | integer               |           |          | 1
 tags   | text[]                |           |          | 
 note   | character varying(20) |           |          | 
Indexes:
    "orders_pkey" PRIMARY KEY, btree (id)
    "orders_item_note_key" UNIQUE CONSTRAINT, btree (item, note)
Check constraints:
    "orders_qty_check" CHECK (qty > 0)
Foreign-key constraints:
    "orders_item_fkey" FOREIGN KEY (item) REFERENCES items(id) ON DELETE CASCADE' local_psql -c '\d orders'
check_output "\\d+ TABLE: storage and referencing tables" ' Column |       Type       | Collation | Nullable | Default | Storage  | Compression | Stats target | Description 
--------+------------------+-----------+----------+---------+----------+-------------+--------------+-------------
 id     | integer          |           | not null |         | plain    |             |              | 
 name   | text             |           |          |         | extended |             |              | 
 price  | double precision |           |          |         | plain    |             |              | 
Indexes:
    "items_pkey" PRIMARY KEY, btree (id)
    "items_name" btree (name)
Referenced by:
    TABLE "orders" CONSTRAINT "orders_item_fkey" FOREIGN KEY (item) REFERENCES items(id) ON DELETE CASCADE
Access method: row' local_psql -c '\d+ items'
check_output "\\d INDEX" '        Index "public.orders_item_note_key"
 Column |         Type          | Key? | Definition 
--------+-----------------------+------+------------
 item   | integer               | yes  | item
 note   | character varying(20) | yes  | note
unique, btree, for table "public.orders"' local_psql -c '\d orders_item_note_key'
check "create a view" local_psql -c "CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 2"
check_output "\\d+ VIEW: columns and definition (strata keeps the SQL as written)" ' id     | integer |           |          |         | plain    | 
 name   | text    |           |          |         | extended | 
View definition:
SELECT id, name FROM items WHERE price < 2' local_psql -c '\d+ cheap'
check_output "arrays over the wire" "{1,2,3}|integer[]|2|t" local_psql -At -c "SELECT ARRAY[1,2,3], pg_typeof(ARRAY[1]), (ARRAY[1,2,3])[2], 2 = ANY(ARRAY[1,2])"
check_output "tcp scram: select" "3" tcp_psql -At -c "SELECT count(*) FROM items"
check_output "tcp scram: wrong password" 'password authentication failed for user "alice"' \
    env PGPASSWORD=wrong psql -X -h 127.0.0.1 -p "$WIRE_PORT" -U alice -d strata -c "SELECT 1"
check_output "tcp scram: unknown role" 'role "mallory" does not exist' \
    env PGPASSWORD=x psql -X -h 127.0.0.1 -p "$WIRE_PORT" -U mallory -d strata -c "SELECT 1"
check_output "failed logins are logged" 'authentication failed for user "alice"' cat "$WIRE_DIR/server.log"

check_output "server_version parameter" "(strata " local_psql -c '\echo :SERVER_VERSION_NAME'
check_output "several statements in one query" "1
two" local_psql -At -c "SELECT 1; SELECT 'two'"
check_output "one query is one implicit transaction" "0" local_psql -At -v ON_ERROR_STOP=0 \
    -c "INSERT INTO items VALUES (50, 'gone', 0); SELECT 1/0" -c "SELECT count(*) FROM items WHERE id = 50"
check_output "error shows SQLSTATE" "ERROR:  42P01" local_psql -v VERBOSITY=verbose -c "SELECT * FROM missing_table"
check_output "syntax error has a position" "LINE 1: SELECT 1; SELEC 2" local_psql -c "SELECT 1; SELEC 2"
check_output "unique violation SQLSTATE" "23505" local_psql -v VERBOSITY=verbose -c "INSERT INTO items VALUES (1, 'dup', 0)"

check_output "rollback discards" "3" local_psql -At <<'EOF'
BEGIN;
INSERT INTO items VALUES (10, 'temp', 1);
ROLLBACK;
SELECT count(*) FROM items;
EOF
check_output "failed transaction state" "25P02" psql -X -h "$WIRE_DIR" -p "$WIRE_PORT" -U alice -d strata -v VERBOSITY=verbose <<'EOF'
BEGIN;
SELECT * FROM missing_table;
SELECT 1;
ROLLBACK;
EOF
check_output "commit keeps" "4" local_psql -At <<'EOF'
BEGIN;
INSERT INTO items VALUES (4, 'plum', 3);
COMMIT;
SELECT count(*) FROM items;
EOF

printf '5\tkiwi\t4.5\n6\t\\N\t5\n' >"$WIRE_DIR/rows.tsv"
check_output "copy from stdin (text)" "COPY 2" local_psql -c "\\copy items FROM '$WIRE_DIR/rows.tsv'" -c "SELECT 'COPY ' || count(*) FROM items WHERE id IN (5, 6)"
# Rows longer than the COPY statement overwrite the message buffer that held
# the Query string: the statement text after COPY (psql's \copy sends
# "COPY items FROM STDIN " with a trailing space) must survive (issue 5).
long=$(printf 'x%.0s' $(seq 1 300))
printf '50\t%s\t1\n51\t%s\t2\n' "$long" "$long" >"$WIRE_DIR/long.tsv"
check "copy from stdin (rows longer than the query)" local_psql -c "\\copy items FROM '$WIRE_DIR/long.tsv'"
check_output "copy in a multi-statement query, then a SELECT" "count=2" local_psql -At \
    -c "COPY items FROM STDIN; SELECT 'count=' || count(*) FROM items WHERE id IN (52, 53)" \
    <<<"52	$long	1
53	$long	2
\."
check_output "long rows loaded" "4|300" local_psql -At \
    -c "SELECT count(*), min(length(name)) FROM items WHERE id BETWEEN 50 AND 53"
local_psql -c "DELETE FROM items WHERE id BETWEEN 50 AND 53" >/dev/null
printf 'id,name,price\n7,"fig, dried",1\n8,"",2\n' >"$WIRE_DIR/rows.csv"
check "copy from stdin (csv, header)" local_psql -c "\\copy items (id, name, price) FROM '$WIRE_DIR/rows.csv' WITH (FORMAT csv, HEADER)"
check_output "copy to stdout (csv)" '7,"fig, dried",1
8,"",2' local_psql -c "COPY (SELECT id, name, price FROM items WHERE id >= 7 ORDER BY id) TO STDOUT WITH (FORMAT csv)"
check_output "copy to stdout (text, null)" '6	\N	5' local_psql -c "COPY (SELECT id, name, price FROM items WHERE id = 6) TO STDOUT"
printf '9\tbad\tnot-a-number\n' >"$WIRE_DIR/bad.tsv"
# A COPY FROM STDIN followed by more statements in the same Query message: the
# CopyData messages must not overwrite the statements still to run.
check_output "copy from stdin, then more statements in one query" "2 rows, then 42" \
    sh -c "printf '60\\tcopied\\t1\\n61\\tcopied\\t2\\n\\\\.\\n' | psql -X -q -At -v ON_ERROR_STOP=1 -h '$WIRE_DIR' -p '$WIRE_PORT' -U alice -d strata -c \"COPY items FROM STDIN; SELECT count(*) || ' rows, then ' || 42 FROM items WHERE name = 'copied'\""
check_output "failed copy leaves nothing" "0" local_psql -At -v ON_ERROR_STOP=0 -c "\\copy items FROM '$WIRE_DIR/bad.tsv'" -c "SELECT count(*) FROM items WHERE id = 9"

# Roles created with SQL (issue 5), by the bootstrap superuser (named after
# the OS user) over the unix socket; logins over TCP with psql.
owner=$(id -un)
su_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$WIRE_DIR" -p "$WIRE_PORT" -U "$owner" -d strata "$@"; }
check "superuser creates roles with SQL" su_psql \
    -c "CREATE ROLE carl LOGIN PASSWORD 'carl pw'" -c "CREATE ROLE quiet PASSWORD 'quiet pw'"
check_output "new role logs in over TCP" "carl|f" \
    env PGPASSWORD='carl pw' psql -X -At -h 127.0.0.1 -p "$WIRE_PORT" -U carl -d strata \
    -c "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
check_output "new role: wrong password refused" 'password authentication failed for user "carl"' \
    env PGPASSWORD='nope' psql -X -h 127.0.0.1 -p "$WIRE_PORT" -U carl -d strata -c "SELECT 1"
check_output "NOLOGIN role is refused" 'role "quiet" is not permitted to log in' \
    env PGPASSWORD='quiet pw' psql -X -h 127.0.0.1 -p "$WIRE_PORT" -U quiet -d strata -c "SELECT 1"
check_output "non-superuser CREATE ROLE is 42501" "42501" \
    env PGPASSWORD='carl pw' psql -X -h 127.0.0.1 -p "$WIRE_PORT" -U carl -d strata -v VERBOSITY=verbose -c "CREATE ROLE x"
check "DROP ROLE" su_psql -c "DROP ROLE carl"
check_output "dropped role is refused" 'role "carl" does not exist' \
    env PGPASSWORD='carl pw' psql -X -h 127.0.0.1 -p "$WIRE_PORT" -U carl -d strata -c "SELECT 1"

# NoticeResponse: psql prints notices (with the SQLSTATE when verbose).
check_output "notice reaches psql" 'NOTICE:  table "missing" does not exist, skipping' \
    local_psql -c "DROP TABLE IF EXISTS missing"
check_output "notice has its SQLSTATE" 'NOTICE:  00000: role "ghost" does not exist, skipping' \
    su_psql -v VERBOSITY=verbose -c "DROP ROLE IF EXISTS ghost"
check_output "warning has severity and SQLSTATE" 'WARNING:  25P01: there is no transaction in progress' \
    local_psql -v VERBOSITY=verbose -c "COMMIT"

# DROP ... CASCADE: one NOTICE for what it drops besides its targets, with a DETAIL
# line per object when there are several (NoticeResponse field D); PostgreSQL 15's text
check "cascade fixtures" su_psql -c "CREATE TABLE ct (id integer PRIMARY KEY, x integer)" \
    -c "CREATE VIEW cv1 AS SELECT id FROM ct" -c "CREATE VIEW cv2 AS SELECT x FROM ct" \
    -c "CREATE TABLE cr (id integer REFERENCES ct (id))" -c "CREATE SCHEMA cs" \
    -c "CREATE TABLE cs.sa (i integer)" -c "CREATE TABLE cs.sb (i integer)" \
    -c "CREATE VIEW cs.sc AS SELECT * FROM cs.sa" -c "CREATE TABLE cu (a integer)" \
    -c "CREATE VIEW cw AS SELECT a FROM cu"
check_output "DROP TABLE CASCADE: one notice with a DETAIL" "NOTICE:  drop cascades to 3 other objects
DETAIL:  drop cascades to view cv1
drop cascades to view cv2
drop cascades to constraint cr_id_fkey on table cr" su_psql -c "DROP TABLE ct CASCADE"
check_output "DROP SCHEMA CASCADE: qualified names, each object once" "NOTICE:  drop cascades to 3 other objects
DETAIL:  drop cascades to table cs.sa
drop cascades to table cs.sb
drop cascades to view cs.sc" su_psql -c "DROP SCHEMA cs CASCADE"
check_output "DROP CASCADE of one object: no DETAIL" "NOTICE:  drop cascades to view cw" \
    su_psql -c "DROP TABLE cu CASCADE"

# partitioned tables: psql's \d reads pg_class.relkind 'p'; COPY routes rows
check "partitioned table" local_psql -c "CREATE TABLE pm (id integer, region text) PARTITION BY LIST (region)" \
    -c "CREATE TABLE pm_eu PARTITION OF pm FOR VALUES IN ('de', 'fr')" -c "CREATE TABLE pm_rest PARTITION OF pm DEFAULT"
check_output "\\d lists a partitioned table" " public | pm      | partitioned table | alice" local_psql -c '\d'
printf '1\tde\n2\tus\n3\tfr\n' > "$WIRE_DIR/pm.tsv"
check_output "copy routes rows to partitions" "2|1" local_psql -At -c "\\copy pm FROM '$WIRE_DIR/pm.tsv'" \
    -c "SELECT (SELECT count(*) FROM pm_eu), (SELECT count(*) FROM pm_rest)"
check_output "\\d of a partitioned table" "Partition key: LIST (region)
Number of partitions: 2 (Use \\d+ to list them.)" local_psql -c '\d pm'
check_output "\\d+ of a partition shows its constraint" "Partition of: pm FOR VALUES IN ('de', 'fr')
Partition constraint: ((region IS NOT NULL) AND (region = ANY (ARRAY['de'::text, 'fr'::text])))" \
    local_psql -c '\d+ pm_eu'
check_output "\\du lists the roles" "Superuser, Create role, Create DB, Replication, Bypass RLS" \
    local_psql -c '\du'
# the predefined role pg_database_owner owns public (PostgreSQL 15's \dn) and cannot log in
check_output "\\dn: public is owned by pg_database_owner" " public | pg_database_owner" \
    local_psql -c '\dn'
check_output "pg_database_owner cannot log in" 'role "pg_database_owner" is not permitted to log in' \
    psql -X -h "$WIRE_DIR" -p "$WIRE_PORT" -U pg_database_owner -d strata -c "SELECT 1"
# role membership: \du's "Member of" (pg_auth_members), SET ROLE over the wire
check "GRANT role TO role" su_psql -c "CREATE ROLE readers" -c "GRANT readers TO quiet" \
    -c "GRANT readers TO alice"
check_output "\\du shows what a role is a member of" "Cannot login | {readers}" local_psql -c '\du quiet'
check_output "SET ROLE changes current_user, not session_user" "readers|alice" \
    local_psql -At -c "SET ROLE readers" -c "SELECT current_user, session_user"
local_psql -c "CREATE TABLE cstore (id bigint, k integer) USING column" \
    -c "INSERT INTO cstore SELECT g, 7 FROM generate_series(1, 70000) AS g" >/dev/null
check_output "column table storage through pg_catalog.strata_column_storage" \
    "k|1|constant|262144" local_psql -At -c "SELECT attname, row_groups, encodings, raw_bytes \
    FROM strata_column_storage WHERE relname = 'cstore' ORDER BY attnum"
check_output "\\d+ of a column table: access method" "Access method: column" local_psql -c '\d+ cstore'

# TEMP tables live in each session's own schema pg_temp_N, as in PostgreSQL: two
# sessions may use the same temporary name at the same time and neither sees the
# other's. Session A waits (psql's \!) until B has made its own table.
wait_file() { local n=0; while [ ! -f "$1" ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done; }
rm -f "$WIRE_DIR/a_ready" "$WIRE_DIR/b_done"
local_psql -At -c "CREATE TEMP TABLE scratch (v text)" -c "INSERT INTO scratch VALUES ('from a')" \
    -c "\\! touch '$WIRE_DIR/a_ready'" \
    -c "\\! n=0; while [ ! -f '$WIRE_DIR/b_done' ] && [ \$n -lt 600 ]; do sleep 0.05; n=\$((n+1)); done" \
    -c "SELECT v FROM scratch" -c "SELECT v FROM pg_temp.scratch" >"$WIRE_DIR/a.out" 2>&1 &
a_pid=$!
wait_file "$WIRE_DIR/a_ready"
check_output "temp table: another session's schema exists" "1" \
    local_psql -At -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pg_temp_%'"
check_output "temp table: invisible to another session" 'relation "scratch" does not exist' \
    local_psql -c "SELECT * FROM scratch"
check_output "temp table: same name in a second session" "from b
from b
pg_temp_" local_psql -At -c "CREATE TEMP TABLE scratch (v text)" -c "INSERT INTO scratch VALUES ('from b')" \
    -c "SELECT v FROM scratch" -c "SELECT v FROM pg_temp.scratch" -c "\\dt scratch"
check_output "temp table: another session's is not visible (\\dt)" "1|0" local_psql -At \
    -c "SELECT count(*), count(*) FILTER (WHERE pg_table_is_visible(oid)) FROM pg_class WHERE relname = 'scratch'"
check_output "CREATE TEMP TABLE in a permanent schema is 42P16" "42P16" \
    local_psql -v VERBOSITY=verbose -c "CREATE TEMP TABLE public.nope (v int)"
touch "$WIRE_DIR/b_done"
wait "$a_pid"
check_output "temp table: each session reads its own rows" "from a
from a" cat "$WIRE_DIR/a.out"
check_output "temp schemas are dropped with their sessions" "0" \
    local_psql -At -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pg_temp_%'"
# A crash leaves a session's temporary schema in the file: the next server drops it.
rm -f "$WIRE_DIR/a_ready"
local_psql -c "CREATE TEMP TABLE doomed (v int)" -c "\\! touch '$WIRE_DIR/a_ready'" \
    -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
doomed_pid=$!
wait_file "$WIRE_DIR/a_ready"
stop_server KILL
wait "$doomed_pid" 2>/dev/null
start_server
check_output "temp schemas of a crashed server are dropped" "0|0" local_psql -At \
    -c "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pg_temp_%'), (SELECT count(*) FROM pg_class WHERE relname = 'doomed')"
check_output "pg_sleep ends at statement_timeout" "canceling statement due to statement timeout" \
    local_psql -c "SET statement_timeout = 100" -c "SELECT pg_sleep(10)"

# \dT, \df, \ds and \d SEQUENCE: psql 15's queries over pg_type, pg_proc,
# pg_sequence and pg_depend; each expected text is PostgreSQL 15's for the
# same objects (no user types or functions: empty lists, as there).
check "sequences" local_psql -c "CREATE SEQUENCE seq_a START 5" -c "CREATE TABLE serials (id serial PRIMARY KEY, n integer GENERATED ALWAYS AS IDENTITY)"
check_output "\\dT lists no user types" "     List of data types
 Schema | Name | Description 
--------+------+-------------
(0 rows)" local_psql -c '\dT'
check_output "\\df lists no user functions" " Schema | Name | Result data type | Argument data types | Type 
--------+------+------------------+---------------------+------
(0 rows)" local_psql -c '\df'
check_output "\\df PATTERN finds built-in functions" " pg_catalog | concat | text             | VARIADIC \"any\"      | func
(1 row)" local_psql -c '\df concat'
check_output "\\ds lists the sequences" " public | seq_a          | sequence | alice
 public | serials_id_seq | sequence | alice
 public | serials_n_seq  | sequence | alice
(3 rows)" local_psql -c '\ds'
check_output "\\d SEQUENCE" 'Sequence "public.seq_a"
  Type  | Start | Minimum |       Maximum       | Increment | Cycles? | Cache 
--------+-------+---------+---------------------+-----------+---------+-------
 bigint |     5 |       1 | 9223372036854775807 |         1 | no      |     1' local_psql -c '\d seq_a'
check_output "\\d SEQUENCE of a serial column" ' integer |     1 |       1 | 2147483647 |         1 | no      |     1
Owned by: public.serials.id' local_psql -c '\d serials_id_seq'
check_output "\\d SEQUENCE of an identity column" 'Sequence for identity column: public.serials.n' local_psql -c '\d serials_n_seq'

# enum and domain types through psql 15's \dT+, \dD and \d TABLE (pg_type,
# pg_enum, pg_constraint.contypid, format_type); expected texts are
# PostgreSQL 15's for the same objects, owner aside
check "enum and domain types" local_psql -c "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')" \
    -c "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)" \
    -c "CREATE TABLE feelings (id posint PRIMARY KEY, m mood NOT NULL DEFAULT 'ok')"
check_output "\\dT+ lists an enum's labels" " public | mood | mood          | 4    | sad     +|" local_psql -c '\dT+ mood'
check_output "\\dT+ lists an enum's second label" "        |      |               |      | ok      +|" local_psql -c '\dT+ mood'
check_output "\\dT+ lists an enum's last label" "        |      |               |      | happy    |" local_psql -c '\dT+ mood'
check_output "\\dD lists a domain with its CHECK" " Schema |  Name  |  Type   | Collation | Nullable | Default |       Check       
--------+--------+---------+-----------+----------+---------+-------------------
 public | posint | integer |           |          |         | CHECK (VALUE > 0)
(1 row)" local_psql -c '\dD'
check_output "\\d TABLE shows enum and domain column types" " id     | posint |           | not null |" local_psql -c '\d feelings'
check_output "\\d TABLE shows an enum column" " m      | mood   |           | not null |" local_psql -c '\d feelings'
check "an enum array column" local_psql -c "CREATE TABLE diary (ms mood[], n int)" \
    -c "INSERT INTO diary VALUES ('{sad,ok}', 1)"
check_output "\\d TABLE shows an enum array column (PostgreSQL 15's text)" ' ms     | mood[]  |           |          | 
 n      | integer |           |          | ' local_psql -c '\d diary'
check_output "enum arrays over the wire" "{sad,ok}|t|mood[]" \
    local_psql -At -c "SELECT ms, 'ok' = ANY (ms), pg_typeof(ms) FROM diary"
check_output "enum input error over the wire" 'invalid input value for enum mood: "meh"' \
    local_psql -c "INSERT INTO feelings VALUES (1, 'meh')"
check_output "domain check error over the wire" 'value for domain posint violates check constraint "posint_check"' \
    local_psql -c "INSERT INTO feelings VALUES (0, 'ok')"

# inet_client_addr() and friends: the TCP connection's ends, NULL over the
# Unix socket (as PostgreSQL); txid_current() is one id per transaction
check_output "inet functions over TCP" "127.0.0.1|127.0.0.1|$WIRE_PORT|t" tcp_psql -At \
    -c "SELECT inet_client_addr(), inet_server_addr(), inet_server_port(), inet_client_port() > 0"
check_output "inet functions over the Unix socket are NULL" "t|t|t|t" local_psql -At \
    -c "SELECT inet_client_addr() IS NULL, inet_server_addr() IS NULL, inet_server_port() IS NULL, inet_client_port() IS NULL"
check_output "txid_current: one per transaction, increasing" "t|t" local_psql -At \
    -c "BEGIN" -c "CREATE TEMP TABLE x AS SELECT txid_current() AS id" \
    -c "SELECT (SELECT id FROM x) = pg_current_xact_id(), (SELECT id FROM x) = txid_current()" \
    -c "COMMIT" -c "SELECT txid_current() > (SELECT id FROM x)" -c "DROP TABLE x"

stop_server
check_output "refuses trust on a non-loopback address" "refusing to start" \
    "$SERVER_BIN" --listen "0.0.0.0:$(free_port)" --no-socket --trust "$WIRE_DIR/db"

if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
        -keyout "$WIRE_DIR/key.pem" -out "$WIRE_DIR/cert.pem" >/dev/null 2>&1; then
    start_server --ssl-cert "$WIRE_DIR/cert.pem" --ssl-key "$WIRE_DIR/key.pem"
    check_output "tls: sslmode=require" "SSL connection" \
        env PGPASSWORD='pencil s3cret' psql -X "host=127.0.0.1 port=$WIRE_PORT user=alice dbname=strata sslmode=require" -c '\conninfo'
    check_output "tls: query" "4" \
        env PGPASSWORD='pencil s3cret' psql -X -At "host=127.0.0.1 port=$WIRE_PORT user=alice dbname=strata sslmode=require" -c "SELECT count(*) FROM items WHERE id <= 4"
    stop_server
else
    echo "SKIP tls checks: openssl could not make a certificate"
fi

wire_summary
