#!/usr/bin/env bash
# tests/wire/extended_test.sh - the extended query protocol message by message
# (tests/wire/pgwire.py, no driver in between): Parse/Bind/Describe/Execute/
# Sync/Flush/Close, named and unnamed statements and portals, row limits with
# PortalSuspended, a named portal kept across Sync inside a transaction,
# ParameterDescription, binary parameters and results (int2/int4/int8/float4/
# float8/bool/bytea/text), skip-until-Sync after an error, EmptyQueryResponse,
# duplicate and missing names, ReadyForQuery's transaction status, and text
# parameters of enum and domain columns.
# Needs only python3.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init extended_test
PYTHON=$(python_with socket) || skip_test "python3 is not installed"
make_role tester
start_server --trust || { wire_summary; exit 1; }

output=$(PYTHONPATH=tests/wire "$PYTHON" - "$WIRE_PORT" <<'EOF' 2>&1
import struct, sys
from pgwire import (Conn, parse_fields, parse_msg, bind_msg, describe_msg, execute_msg,
                    close_msg, send_batch, read_all, data_rows)

port = int(sys.argv[1])
c = Conn(port)

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + repr(detail)))

def kinds(messages):
    return "".join(kind for kind, _ in messages)

def error_code(messages):
    for kind, body in messages:
        if kind == "E":
            return parse_fields(body).get("C")
    return None

def row_description(messages):
    for kind, body in messages:
        if kind == "T":
            count = struct.unpack("!H", body[:2])[0]
            at, columns = 2, []
            for _ in range(count):
                end = body.index(b"\0", at)
                name = body[at:end].decode()
                at = end + 1
                table, attnum, oid, length, typmod, fmt = struct.unpack("!IhIhih", body[at:at + 18])
                at += 18
                columns.append((name, oid, fmt))
            return columns
    return None

rows, err, _ = c.query("CREATE TABLE ext (id integer PRIMARY KEY, label text)")
rows, err, _ = c.query("INSERT INTO ext VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e')")
result("setup", err is None, err)

send_batch(c, [parse_msg("", "SELECT $1::integer + 1 AS n, $2::text AS t"),
               bind_msg("", "", ["41", "x"]), describe_msg("P", ""), execute_msg("")])
m = read_all(c)
result("unnamed statement: message sequence", kinds(m) == "12TDCZ", kinds(m))
result("unnamed statement: row", data_rows(m) == [[b"42", b"x"]], data_rows(m))
result("unnamed statement: column types", row_description(m) == [("n", 23, 0), ("t", 25, 0)],
       row_description(m))

send_batch(c, [parse_msg("s1", "SELECT id, label FROM ext WHERE id > $1 ORDER BY id", [23]),
               describe_msg("S", "s1")])
m = read_all(c)
param_desc = [body for kind, body in m if kind == "t"]
result("describe statement: ParameterDescription",
       param_desc == [struct.pack("!HI", 1, 23)], param_desc)
result("describe statement: RowDescription", kinds(m) == "1tTZ", kinds(m))

send_batch(c, [bind_msg("p1", "s1", [struct.pack("!i", 1)], [1], [1, 0]),
               execute_msg("p1", 2)], sync=False)
c.send(b"H")
m = []
while len(m) < 4:
    m.append(c.read())
result("row limit: PortalSuspended after 2 rows (Flush)", kinds(m) == "2DDs", kinds(m))
result("row limit: binary int4 column",
       data_rows(m) == [[struct.pack("!i", 2), b"b"], [struct.pack("!i", 3), b"c"]], data_rows(m))
send_batch(c, [execute_msg("p1", 0)])
m = read_all(c)
result("row limit: the rest, then CommandComplete", kinds(m) == "DDCZ" and
       data_rows(m)[-1] == [struct.pack("!i", 5), b"e"], (kinds(m), data_rows(m)))

send_batch(c, [parse_msg("bin", "SELECT 1::smallint, 2::integer, 3::bigint, 2.5::real, "
                                "1.5::double precision, true, '\\x01ff'::bytea, 'h\u00e9'::text"),
               bind_msg("", "bin", result_formats=[1]), execute_msg("")])
m = read_all(c)
expected = [struct.pack("!h", 1), struct.pack("!i", 2), struct.pack("!q", 3), struct.pack("!f", 2.5),
            struct.pack("!d", 1.5), b"\x01", b"\x01\xff", "h\u00e9".encode()]
result("binary results", data_rows(m) == [expected], (kinds(m), data_rows(m), error_code(m)))

send_batch(c, [parse_msg("", "SELECT $1::bigint * 2, $2::double precision, $3::boolean, "
                             "$4::bytea, $5::text", [20, 701, 16, 17, 25]),
               bind_msg("", "", [struct.pack("!q", 1 << 40), struct.pack("!d", 0.25), b"\x01",
                                 b"\x00\x10", b"txt"], [1]),
               execute_msg("")])
m = read_all(c)
result("binary parameters", data_rows(m) == [[str(2 << 40).encode(), b"0.25", b"t", b"\\x0010",
                                               b"txt"]], (data_rows(m), error_code(m)))

send_batch(c, [parse_msg("", "SELEC 1"), bind_msg("", ""), execute_msg("")])
m = read_all(c)
result("error skips to Sync", kinds(m) == "EZ" and error_code(m) == "42601", (kinds(m), error_code(m)))
send_batch(c, [parse_msg("", "SELECT 'after'"), bind_msg("", ""), execute_msg("")])
m = read_all(c)
result("next batch after the error works", data_rows(m) == [[b"after"]], kinds(m))

send_batch(c, [parse_msg("", ""), bind_msg("", ""), describe_msg("P", ""), execute_msg("")])
m = read_all(c)
result("empty query: NoData, EmptyQueryResponse", kinds(m) == "12nIZ", kinds(m))

send_batch(c, [parse_msg("s1", "SELECT 1")])
m = read_all(c)
result("duplicate statement name: 42P05", error_code(m) == "42P05", kinds(m))
send_batch(c, [close_msg("S", "s1"), close_msg("P", "p1"), close_msg("S", "never-existed"),
               bind_msg("", "s1", [b"1"])])
m = read_all(c)
result("close, then bind to the closed statement: 26000",
       kinds(m).startswith("333E") and error_code(m) == "26000", kinds(m))
send_batch(c, [execute_msg("nope")])
m = read_all(c)
result("execute a missing portal: 34000", error_code(m) == "34000", kinds(m))
send_batch(c, [parse_msg("", "SELECT 1; SELECT 2")])
m = read_all(c)
result("several commands in one Parse: 42601", error_code(m) == "42601", kinds(m))
send_batch(c, [parse_msg("", "SELECT $1::integer"), bind_msg("", "", [b"1", b"2"])])
m = read_all(c)
result("wrong parameter count: 08P01", error_code(m) == "08P01", kinds(m))

send_batch(c, [parse_msg("", "BEGIN"), bind_msg("", ""), execute_msg("")])
m = read_all(c)
result("BEGIN: ReadyForQuery T", c.status == "T", kinds(m))
send_batch(c, [parse_msg("cur", "SELECT id FROM ext ORDER BY id"), bind_msg("c1", "cur"),
               execute_msg("c1", 1)])
m = read_all(c)
result("named portal: first row", kinds(m) == "12DsZ", kinds(m))
send_batch(c, [execute_msg("c1", 2)])
m = read_all(c)
result("named portal survives Sync inside a transaction",
       data_rows(m) == [[b"2"], [b"3"]], (kinds(m), data_rows(m)))
send_batch(c, [parse_msg("", "SELECT * FROM missing_table"), bind_msg("", ""), execute_msg("")])
m = read_all(c)
result("error in transaction: ReadyForQuery E", c.status == "E", kinds(m))
send_batch(c, [parse_msg("", "ROLLBACK"), bind_msg("", ""), execute_msg("")])
m = read_all(c)
result("ROLLBACK: ReadyForQuery I", c.status == "I", kinds(m))
send_batch(c, [execute_msg("c1", 1)])
m = read_all(c)
result("portals end with the transaction", error_code(m) == "34000", kinds(m))
rows, err, _ = c.query("SELECT count(*) FROM ext")
result("simple query after extended messages", rows == [["5"]], (rows, err))

# Index paths with $n (issue 3): the feed and cursor-pagination queries read
# the index in order; a derived table (no index) gives the expected rows.
rows, err, _ = c.query("CREATE TABLE feed (id integer PRIMARY KEY, user_id integer, created_at integer)")
rows, err2, _ = c.query("INSERT INTO feed SELECT g, g % 20, (g * 37) % 1009 FROM generate_series(1, 1000) g")
rows, err3, _ = c.query("CREATE INDEX feed_user_created ON feed (user_id, created_at)")
result("feed setup", (err, err2, err3) == (None, None, None), (err, err2, err3))

def run_params(sql, params):
    send_batch(c, [parse_msg("", sql), bind_msg("", "", params), execute_msg("")])
    m = read_all(c)
    return data_rows(m), error_code(m)

feed = "SELECT id, created_at FROM %s WHERE user_id = $1 ORDER BY created_at DESC LIMIT 5"
got = run_params(feed % "feed", ["7"])
want = run_params(feed % "(SELECT * FROM feed OFFSET 0) f", ["7"])
result("feed query with $1 through the index", got == want and len(got[0]) == 5, (got, want))
rows, err, _ = c.query("EXPLAIN " + (feed % "feed").replace("$1", "7"))
result("feed query: backward index scan, no Sort",
       rows is not None and "Backward using feed_user_created" in rows[1][0] and
       not any("Sort" in r[0] for r in rows), (rows, err))
page = ("SELECT id, created_at FROM %s WHERE user_id = $1 AND (user_id, created_at) < ($2, $3) "
        "ORDER BY created_at DESC LIMIT 4")
for params in (["7", "7", "500"], ["7", "8", None], ["7", "7", None]):
    got = run_params(page % "feed", params)
    want = run_params(page % "(SELECT * FROM feed OFFSET 0) f", params)
    result("cursor page %s" % params, got == want and got[1] is None, (got, want))
# enum and domain columns with text parameters: the label is read against the
# enum's labels (22P02 for another), the domain's CHECK applies (23514), and the
# enum parameter compares in declaration order; PostgreSQL 15's answers
for sql in ("CREATE TYPE pmood AS ENUM ('sad', 'ok', 'happy')",
            "CREATE DOMAIN ppos AS integer CHECK (VALUE > 0)",
            "CREATE TABLE pe (id int, m pmood, p ppos)"):
    rows, err, _ = c.query(sql)
    result("enum/domain setup: " + sql[:20], err is None, err)
codes = [run_params("INSERT INTO pe VALUES ($1, $2, $3)", params)[1]
         for params in (["1", "ok", "3"], ["2", "bad", "1"], ["3", "sad", "-1"], ["4", "happy", "2"])]
result("enum and domain parameters: 22P02, 23514", codes == [None, "22P02", "23514", None], codes)
got = run_params("SELECT id, m FROM pe WHERE m >= $1 ORDER BY m DESC", ["ok"])
result("enum parameter compares in declaration order",
       got == ([[b"4", b"happy"], [b"1", b"ok"]], None), got)
# A prepared statement run again and again (its executor is kept between
# executions, issue 2): portals with a row limit left suspended, then bound
# again with other values; a failed execution; DDL and new rows in between.
# PostgreSQL 15's answers.
send_batch(c, [parse_msg("again", "SELECT id FROM ext WHERE id >= $1 ORDER BY id")])
m = read_all(c)
def again(value, *limits):
    msgs = [bind_msg("", "again", [value])] + [execute_msg("", n) for n in limits]
    send_batch(c, msgs)
    m = read_all(c)
    return kinds(m), [r[0] for r in data_rows(m)], error_code(m)
got = [again(b"2", 2), again(b"1", 0), again(b"4", 1, 0), again(b"x", 0), again(b"3", 0)]
result("re-executed with row limits, after an error",
       got == [("2DDsZ", [b"2", b"3"], None), ("2DDDDDCZ", [b"1", b"2", b"3", b"4", b"5"], None),
               ("2DsDCZ", [b"4", b"5"], None), ("EZ", [], "22P02"),
               ("2DDDCZ", [b"3", b"4", b"5"], None)], got)
rows, err, _ = c.query("ALTER TABLE ext ADD COLUMN extra integer")
rows, err2, _ = c.query("INSERT INTO ext VALUES (6, 'f', 1)")
got = [again(b"5", 1, 1), again(b"5", 0)]
result("re-executed after ALTER TABLE and an INSERT",
       (err, err2) == (None, None) and
       got == [("2DsDsZ", [b"5", b"6"], None), ("2DDCZ", [b"5", b"6"], None)], (err, err2, got))
print("extended script finished")
EOF
)
count_results "$output"
grep -q "extended script finished" <<<"$output" || fail "extended script ran to the end"
wire_summary
