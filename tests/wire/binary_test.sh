#!/usr/bin/env bash
# tests/wire/binary_test.sh - PostgreSQL's binary format over the wire
# (issue 5) with the clients that use it: psycopg 3 (cursor(binary=True),
# %b parameters, COPY ... (FORMAT binary) with write_row / rows) and asyncpg
# (binary for every type it knows, copy_records_to_table, copy_from_table).
# Every type's values fetched in binary must equal the text protocol's;
# binary parameters must give the values their text forms give; bad binary
# parameters and COPY files get PostgreSQL's SQLSTATEs and load nothing.
# Raw bytes of values clients cannot represent (infinite dates) are PostgreSQL
# 15's. Needs python3-psycopg (asyncpg checks are skipped without
# python3-asyncpg).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init binary_test
PYTHON=$(python_with psycopg) || skip_test "python3 with psycopg (3) is not installed"

make_role app 'app-pw'
sql_offline "ALTER ROLE app SUPERUSER" >/dev/null
start_server || { wire_summary; exit 1; }

output=$("$PYTHON" - "$WIRE_PORT" "$WIRE_DIR" <<'EOF' 2>&1
import asyncio, datetime, decimal, io, sys, uuid
import psycopg
from psycopg import pq
from psycopg.types.json import Jsonb

port, directory = int(sys.argv[1]), sys.argv[2]

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + repr(detail)[:600]))

def attempt(name, fn):
    try:
        ok, detail = fn()
    except Exception as e:  # any exception is a failed check, reported with its text
        ok, detail = False, "%s: %s" % (type(e).__name__, e)
    result(name, ok, detail)

conn = psycopg.connect(host="127.0.0.1", port=port, user="app", password="app-pw",
                       dbname="strata", autocommit=True)

# Every type strata has, with edge values; NULL in each column of a second row.
EXPRESSIONS = [
    "true", "32767::int2", "(-2147483648)::int4", "9223372036854775807::int8",
    "1.5::float4", "'-Infinity'::float8", "0.1::float8",
    "12.340::numeric", "(-0.00001234)::numeric", "'NaN'::numeric", "'Infinity'::numeric",
    "123456789012345678901234567890.12345678::numeric", "0.00::numeric", "10000::numeric",
    "'héllo\tworld'::text", "'x'::varchar(3)", "'ab'::char(4)", "'\\x00ff'::bytea",
    "date '2024-02-29'", "date '0001-01-01'", "time '23:59:59.999999'",
    "timestamp '2024-01-02 03:04:05.678'", "timestamptz '1999-12-31 23:59:59+05:30'",
    "interval '1 year 2 mons -3 days 04:05:06.7'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
    "'{\"a\": [1, 2.50, null]}'::jsonb", "'[1, \"x\"]'::json",
    "ARRAY[1, NULL, 3]::int4[]", "ARRAY[[1, 2], [3, 4]]::int8[]", "'{}'::int4[]",
    "ARRAY['a', 'b c', NULL, '']::text[]", "ARRAY[1.50, NULL, 'NaN']::numeric[]",
    "ARRAY[date '2024-01-01']", "ARRAY[timestamptz '2024-01-01 00:00:00+00']",
    "ARRAY[interval '1 day']", "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]",
    "ARRAY[true, NULL]", "ARRAY['\\x01'::bytea]", "ARRAY['{\"a\": 1}'::jsonb]",
    "ARRAY[0.5::float8]", "ARRAY[time '01:02:03']", "ARRAY['x'::varchar]",
]

def same(a, b):
    # NaN is not equal to itself in Python: compare such values by their text
    return a == b or repr(a) == repr(b)

def fetch(binary, sql, params=None):
    cur = conn.cursor(binary=binary)
    cur.execute(sql, params)
    return cur.fetchall(), [cur.pgresult.fformat(k) for k in range(cur.pgresult.nfields)]

def every_type():
    sql = "SELECT " + ", ".join(EXPRESSIONS)
    text_rows, text_formats = fetch(False, sql)
    binary_rows, binary_formats = fetch(True, sql)
    bad = [(EXPRESSIONS[k], text_rows[0][k], binary_rows[0][k])
           for k in range(len(EXPRESSIONS)) if not same(text_rows[0][k], binary_rows[0][k])]
    ok = (not bad and set(text_formats) == {0} and set(binary_formats) == {1}
          and len(binary_rows[0]) == len(EXPRESSIONS))
    return ok, (bad, text_formats, binary_formats)
attempt("every type: binary results equal the text protocol's", every_type)

def nulls():
    sql = "SELECT " + ", ".join("CASE WHEN false THEN %s END" % e for e in EXPRESSIONS)
    rows, formats = fetch(True, sql)
    return rows == [tuple([None] * len(EXPRESSIONS))] and set(formats) == {1}, rows
attempt("NULL of every type in binary", nulls)

def raw(sql, params=(), types=None, formats=None):
    res = conn.pgconn.exec_params(sql.encode(), list(params), types, formats, result_format=1)
    return res

def raw_bytes():
    # PostgreSQL 15's bytes for values Python cannot hold
    res = raw("SELECT 'infinity'::date, '-infinity'::timestamptz, '-Infinity'::numeric")
    got = [res.get_value(0, k).hex() for k in range(3)]
    want = ["7fffffff", "8000000000000000", "00000000f0000020"]
    return got == want, got
attempt("infinite dates, timestamps, numerics: PostgreSQL's bytes", raw_bytes)

PARAMS = [
    ("numeric", decimal.Decimal("-123456789.000123")), ("numeric", decimal.Decimal("NaN")),
    ("numeric", decimal.Decimal("0.0001")), ("date", datetime.date(1999, 12, 31)),
    ("time", datetime.time(12, 34, 56, 789)),
    ("timestamp", datetime.datetime(2024, 1, 2, 3, 4, 5, 600000)),
    ("timestamptz", datetime.datetime(2020, 6, 1, 12, 0, tzinfo=datetime.timezone.utc)),
    ("interval", datetime.timedelta(days=-3, microseconds=5)),
    ("uuid", uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
    ("int4[]", [1, None, 3]), ("text[]", ["a", None, "b c"]),
    ("numeric[]", [decimal.Decimal("1.5"), None]), ("date[]", [datetime.date(2001, 2, 3)]),
    ("int8", 2**62), ("float8", 0.1), ("bytea", b"\x00\xff"), ("bool", False),
]

def binary_params():
    bad = []
    cur = conn.cursor()
    for type_name, value in PARAMS:
        cur.execute("SELECT (%%b::%s)::text, (%%t::%s)::text" % (type_name, type_name),
                    (value, value))
        b, t = cur.fetchone()
        if b != t:
            bad.append((type_name, value, b, t))
    return not bad, bad
attempt("binary parameters give the values their text forms give", binary_params)

def big_numerics():
    # numerics past 38 digits both ways in binary; a bound one is owned by the
    # parameter slot (the server once freed arena bytes: a crash)
    big = decimal.Decimal("123456789012345678901234567890123456789012.5")
    cur = conn.cursor(binary=True)
    cur.execute("SELECT %b::numeric * 3, 2::numeric ^ 200, -%b::numeric", (big, big))
    got = cur.fetchone()
    want = (decimal.Decimal("370370367037037036703703703670370370367037.5"),
            decimal.Decimal(2 ** 200), big.copy_negate())
    return got[0] == want[0] and got[1] == want[1] and got[2] == want[2], got
attempt("numerics past 38 digits in binary, results and parameters", big_numerics)

def undeclared_param():
    # no type given: the engine's inferred type (ParameterDescription) decides
    cur = conn.cursor()
    cur.execute("CREATE TABLE inferred (n numeric, d date)")
    cur.execute("INSERT INTO inferred VALUES (%b, %b)",
                (decimal.Decimal("2.50"), datetime.date(2020, 1, 2)))
    cur.execute("SELECT n::text, d::text FROM inferred")
    row = cur.fetchone()
    return row == ("2.50", "2020-01-02"), row
attempt("binary parameters of inferred types", undeclared_param)

def text_and_enum_params():
    # binary text is read as untyped text, so it converts to the type it is used as
    cur = conn.cursor()
    cur.execute("CREATE TYPE mood AS ENUM ('ok', 'sad')")
    cur.execute("CREATE TABLE moods (m mood)")
    got = []
    for sql, data, oid in [("SELECT ($1::int4 + 1)::text", b"41", 25),
                           ("INSERT INTO moods VALUES ($1)", b"sad", 0),
                           ("SELECT count(*)::text FROM moods WHERE m = $1", b"sad", 0),
                           ("SELECT $1::varchar(2)", "é".encode(), 1043)]:
        res = conn.pgconn.exec_params(sql.encode(), [data], [oid], [1], result_format=0)
        got.append(res.get_value(0, 0) if res.ntuples else res.status)
    return got == [b"42", pq.ExecStatus.COMMAND_OK, b"1", "é".encode()], got
attempt("binary text parameters convert like text ones (int, enum)", text_and_enum_params)

def bad_params():
    cases = [
        ("SELECT $1::numeric", bytes.fromhex("00010000000000002710"), 1700, "22P03",
         'invalid digit in external "numeric" value'),
        ("SELECT $1::int4", bytes.fromhex("0000000100"), 23, "22P03",
         "incorrect binary data format in bind parameter 1"),
        ("SELECT $1::date", bytes.fromhex("0000000100"), 1082, "22P03",
         "incorrect binary data format in bind parameter 1"),
        ("SELECT $1::int4[]", bytes.fromhex("000000010000000200000017"), 1007, "22P03",
         "invalid array flags"),
        ("SELECT $1::int4[]", bytes.fromhex("0000000100000000000000190000000100000001"), 1007,
         "42804", "binary data has array element type 25 (text) instead of expected 23 (integer)"),
        ("SELECT $1::time", bytes.fromhex("000000141dd76001"), 1083, "22008", "time out of range"),
        ("SELECT $1::text", b"a\xffb", 25, "22021", None),
    ]
    bad = []
    for sql, data, oid, state, message in cases:
        res = raw(sql, [data], [oid], [1])
        got = (res.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
        text = (res.error_field(pq.DiagnosticField.MESSAGE_PRIMARY) or b"").decode()
        if got != state or (message is not None and text != message):
            bad.append((sql, got, text))
    cur = conn.cursor()
    cur.execute("SELECT 1")  # the connection still works
    return not bad and cur.fetchone() == (1,), bad
attempt("bad binary parameters: PostgreSQL's errors", bad_params)

def vector_params():
    # int2vector / oidvector receive (pg_index.indkey, pg_proc.proargtypes): PostgreSQL 15's
    # results and errors for the same bytes
    h = lambda text: bytes.fromhex(text.replace(" ", ""))
    cases = [
        ("int2vector", 22, "00000001 00000000 00000015 00000003 00000000 00000002 0002"
         " 00000002 0001 00000002 0004", "2 1 4"),
        ("int2vector", 22, "00000001 00000000 00000015 00000000 00000000",
         ("22P03", "invalid int2vector data")),
        ("int2vector", 22, "00000001 00000000 00000015 00000001 00000001 00000002 0002",
         ("22P03", "invalid int2vector data")),
        ("int2vector", 22, "00000001 00000001 00000015 00000002 00000000 00000002 0002 ffffffff",
         ("22P03", "invalid int2vector data")),
        ("int2vector", 22, "00000001 00000000 00000017 00000001 00000000 00000004 00000002",
         ("42804", "binary data has array element type 23 (integer) instead of expected 21 "
                   "(smallint)")),
        ("int2vector", 22, "00000001 00000000 00000015 00000001 00000000 00000004 00000002",
         ("22P03", "improper binary format in array element 1")),
        ("oidvector", 30, "00000001 00000000 0000001a 00000002 00000000 00000004 ffffffff"
         " 00000004 00000017", "4294967295 23"),
        ("oidvector", 30, "00000001 00000000 00000014 00000001 00000000 00000008 0000000000000017",
         ("42804", "binary data has array element type 20 (bigint) instead of expected 26 (oid)")),
        ("oidvector", 30, "00000001 00000000 0000001a 00000001 00000000 00000004 000000",
         ("22P03", "insufficient data left in message")),
    ]
    bad = []
    for type_name, oid, data, want in cases:
        res = raw("SELECT $1::%s::text, $1::%s" % (type_name, type_name), [h(data)], [oid], [1])
        if res.status == pq.ExecStatus.TUPLES_OK:
            # sent back in binary: the bytes received
            got = (res.get_value(0, 0).decode(), res.get_value(0, 1) == h(data))
            ok = got == (want, True)
        else:
            got = tuple((res.error_field(f) or b"").decode() for f in
                        (pq.DiagnosticField.SQLSTATE, pq.DiagnosticField.MESSAGE_PRIMARY))
            ok = got == want
        if not ok:
            bad.append((type_name, data, got, want))
    return not bad, bad
attempt("int2vector / oidvector binary parameters: PostgreSQL's results and errors", vector_params)

COPY_TYPES = ["int4", "numeric", "text", "date", "timestamptz", "interval", "uuid", "int4[]",
              "jsonb", "bytea"]
COPY_ROWS = [
    (1, decimal.Decimal("1.50"), "x\ty", datetime.date(2020, 1, 2),
     datetime.datetime(2021, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc),
     datetime.timedelta(days=1, seconds=2), uuid.UUID(int=7), [1, None], Jsonb({"k": [1]}),
     b"\x00"),
    (2, None, None, None, None, None, None, None, None, None),
]

def copy_binary():
    cur = conn.cursor()
    cur.execute("CREATE TABLE cb (a int4, b numeric, c text, d date, e timestamptz, "
                "f interval, g uuid, h int4[], i jsonb, j bytea)")
    with cur.copy("COPY cb FROM STDIN (FORMAT binary)") as copy:
        copy.set_types(COPY_TYPES)
        for row in COPY_ROWS:
            copy.write_row(row)
    cur.execute("SELECT * FROM cb ORDER BY a")
    loaded = cur.fetchall()
    with cur.copy("COPY cb TO STDOUT (FORMAT binary)") as copy:
        copy.set_types(COPY_TYPES)
        out = sorted(copy.rows(), key=lambda r: r[0])
    with cur.copy("COPY (SELECT a, c FROM cb ORDER BY a) TO STDOUT (FORMAT binary)") as copy:
        copy.set_types(["int4", "text"])
        query_rows = list(copy.rows())
    want = [tuple(v.obj if isinstance(v, Jsonb) else v for v in row) for row in COPY_ROWS]
    ok = (loaded == want and out == want
          and query_rows == [(1, "x\ty"), (2, None)])
    return ok, (loaded, out, query_rows)
attempt("COPY (FORMAT binary) write_row and rows round trip", copy_binary)

def copy_bytes_like_postgres():
    cur = conn.cursor()
    with cur.copy("COPY (SELECT 1::int4 AS a, NULL::text AS b) TO STDOUT (FORMAT binary)") as copy:
        chunks = [bytes(b) for b in copy]
    # PostgreSQL 15: header with the first row, the trailer in its own CopyData
    want = [bytes.fromhex("5047434f50590aff0d0a00" "00000000" "00000000"
                          "0002" "00000004" "00000001" "ffffffff"), bytes.fromhex("ffff")]
    return chunks == want, chunks
attempt("COPY TO STDOUT binary messages as PostgreSQL's", copy_bytes_like_postgres)

def copy_legacy_binary():
    # the pre-9.0 spellings PostgreSQL still accepts: COPY BINARY t, ... BINARY, WITH BINARY;
    # bytes and errors as PostgreSQL 15's
    cur = conn.cursor()
    cur.execute("CREATE TABLE lb (a int4, b text)")
    cur.execute("INSERT INTO lb VALUES (1, 'x'), (2, NULL)")
    want = bytes.fromhex("5047434f50590aff0d0a00" "00000000" "00000000" "0002" "00000004" "00000001"
                         "00000001" "78" "0002" "00000004" "00000002" "ffffffff" "ffff")
    bad = []
    for sql, expected in [
            ("COPY lb TO STDOUT BINARY", want), ("COPY lb TO STDOUT WITH BINARY", want),
            ("COPY BINARY lb TO STDOUT", want),
            ("COPY (SELECT a FROM lb ORDER BY a) TO STDOUT WITH BINARY",
             bytes.fromhex("5047434f50590aff0d0a00" "00000000" "00000000" "0001" "00000004"
                           "00000001" "0001" "00000004" "00000002" "ffff")),
            ("COPY BINARY (SELECT 1) TO STDOUT", ("42601", 'syntax error at or near "("')),
            ("COPY lb TO STDOUT (binary)", ("42601", 'option "binary" not recognized'))]:
        try:
            with cur.copy(sql) as copy:
                got = b"".join(bytes(b) for b in copy)
        except psycopg.Error as e:
            got = (e.sqlstate, e.diag.message_primary)
        if got != expected:
            bad.append((sql, got))
    statuses = []
    for sql in ["COPY lb FROM STDIN BINARY", "COPY lb FROM STDIN WITH BINARY",
                "COPY BINARY lb (a, b) FROM STDIN"]:
        with cur.copy(sql) as copy:
            copy.write(want)
        statuses.append(cur.statusmessage)
    cur.execute("SELECT count(*), count(b), sum(a) FROM lb")
    counts = cur.fetchone()
    ok = not bad and statuses == ["COPY 2"] * 3 and counts == (8, 4, 12)
    return ok, (bad, statuses, counts)
attempt("legacy COPY ... BINARY spellings both ways", copy_legacy_binary)

def copy_file():
    cur = conn.cursor()
    path = directory + "/cb.bin"
    cur.execute("COPY cb TO '%s' (FORMAT binary)" % path)
    cur.execute("CREATE TABLE cb2 (a int4, b numeric, c text, d date, e timestamptz, "
                "f interval, g uuid, h int4[], i jsonb, j bytea)")
    cur.execute("COPY cb2 FROM '%s' (FORMAT binary)" % path)
    cur.execute("SELECT * FROM cb2 ORDER BY a")
    rows = cur.fetchall()
    with open(path, "rb") as f:
        data = f.read()
    want = [tuple(v.obj if isinstance(v, Jsonb) else v for v in row) for row in COPY_ROWS]
    return rows == want and data.startswith(b"PGCOPY\n\xff\r\n\0") and \
        data.endswith(b"\xff\xff"), rows
attempt("COPY binary to a file and back", copy_file)

def copy_errors():
    cur = conn.cursor()
    cur.execute("CREATE TABLE ce (a int4, b text)")
    header = b"PGCOPY\n\xff\r\n\0" + bytes(8)
    row = bytes.fromhex("0002" "00000004" "00000001" "00000001") + b"x"
    cases = [
        (b"PGCOPY\n\xff\r\n\1" + bytes(8) + b"\xff\xff", "22P04",
         "COPY file signature not recognized"),
        (header + bytes.fromhex("0001" "00000004" "00000001") + b"\xff\xff", "22P04",
         "row field count is 1, expected 2"),
        (b"PGCOPY\n\xff\r\n\0" + bytes.fromhex("00010000") + bytes(4), "22P04",
         "invalid COPY file header (WITH OIDS)"),
        (header + row + row[:5], "22P04", "unexpected EOF in COPY data"),
        (header + row + b"\xff\xff" + row, "22P04", "received copy data after EOF marker"),
        (header + bytes.fromhex("0002" "00000002" "0001" "ffffffff"), "08P01",
         "insufficient data left in message"),
        (header + bytes.fromhex("0002" "00000005" "0000000100" "ffffffff"), "22P03",
         "incorrect binary data format"),
        (header + row + bytes.fromhex("0002" "fffffffe"), "22P04", "invalid field size"),
    ]
    bad = []
    for data, state, message in cases:
        try:
            with cur.copy("COPY ce FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
            bad.append((message, "no error"))
        except psycopg.Error as e:
            if e.sqlstate != state or e.diag.message_primary != message:
                bad.append((message, e.sqlstate, e.diag.message_primary))
    cur.execute("SELECT count(*) FROM ce")
    count = cur.fetchone()[0]
    with cur.copy("COPY ce FROM STDIN (FORMAT binary)") as copy:
        copy.write(header + row + row + b"\xff\xff")
    cur.execute("SELECT count(*), min(b) FROM ce")
    after = cur.fetchone()
    return not bad and count == 0 and after == (2, "x"), (bad, count, after)
attempt("bad COPY files: PostgreSQL's errors, nothing loaded", copy_errors)

try:
    import asyncpg
except ImportError:
    asyncpg = None
    print("note: asyncpg not installed, its checks skipped")

async def asyncpg_checks():
    c = await asyncpg.connect(host="127.0.0.1", port=port, user="app", password="app-pw",
                              database="strata")
    # arrays other than text[] and oid[] need asyncpg's catalog introspection (oid columns);
    # asyncpg 0.27 reads numeric infinities as 0E-32 (from PostgreSQL 15 as well)
    scalars = [e for e in EXPRESSIONS
               if "Infinity'::numeric" not in e and "jsonb]" not in e] + [
        "ARRAY['a', NULL]::text[]", "ARRAY[4294967295::oid, NULL]", "26::oid"]
    row = await c.fetchrow("SELECT " + ", ".join(scalars))
    got = list(row.values())
    text_rows, _ = fetch(False, "SELECT " + ", ".join(scalars))
    want = list(text_rows[0])
    # asyncpg returns json / jsonb as text, psycopg decodes them
    import json
    got = [json.loads(g) if scalars[k].endswith("json") or scalars[k].endswith("jsonb") else g
           for k, g in enumerate(got)]
    bad = [(scalars[k], got[k], want[k]) for k in range(len(scalars)) if not same(got[k], want[k])]
    result("asyncpg: every type in binary equals the text protocol's", not bad, bad)
    values = await c.fetchrow("SELECT $1::numeric, $2::date, $3::timestamptz, $4::interval, "
                              "$5::uuid, $6::time, $7::text[]",
                              decimal.Decimal("-1.000001"), datetime.date(1, 1, 1),
                              datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc),
                              datetime.timedelta(days=-1, microseconds=1), uuid.UUID(int=1),
                              datetime.time(0, 0, 0, 1), ["x", None])
    expected = (decimal.Decimal("-1.000001"), datetime.date(1, 1, 1),
                datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc),
                datetime.timedelta(days=-1, microseconds=1), uuid.UUID(int=1),
                datetime.time(0, 0, 0, 1), ["x", None])
    result("asyncpg: binary parameters round trip", tuple(values) == expected, tuple(values))
    # arrays of every element type as parameters and results (asyncpg looks their
    # types up in pg_type with oid parameters and oid / oid[] result columns)
    arrays = [
        ("bool[]", [True, None, False]), ("int2[]", [-32768, None, 7]),
        ("int4[]", [1, None, 2147483647]), ("int8[]", [[1, 2], [3, -(2 ** 63)]]),
        ("float4[]", [1.5, None]), ("float8[]", [0.1, float("-inf")]),
        ("numeric[]", [decimal.Decimal("1.50"), None, decimal.Decimal("-0.000001")]),
        ("text[]", ["a", None, "b c"]), ("varchar[]", ["x", ""]), ("bytea[]", [b"\x00\xff"]),
        ("date[]", [datetime.date(2024, 2, 29), None]),
        ("time[]", [datetime.time(23, 59, 59, 999999)]),
        ("timestamp[]", [datetime.datetime(2024, 1, 2, 3, 4, 5, 678000)]),
        ("timestamptz[]", [datetime.datetime(1999, 12, 31, 18, 29, 59,
                                             tzinfo=datetime.timezone.utc), None]),
        ("interval[]", [datetime.timedelta(days=-3, microseconds=5)]),
        ("uuid[]", [uuid.UUID(int=1), None]), ("jsonb[]", ['{"a": 1}', None]),
        ("oid[]", [0, 4294967295, None]), ("int4[]", []),
    ]
    bad = []
    for type_name, value in arrays:
        got = await c.fetchrow("SELECT $1::%s AS v, ($1::%s)::text AS t" % (type_name, type_name),
                               value)
        if got["v"] != value:
            bad.append((type_name, value, got["v"], got["t"]))
    result("asyncpg: arrays of every element type round trip", not bad, bad)
    oid_row = await c.fetchrow("SELECT $1::oid AS o, typname, typelem, typarray FROM pg_type "
                               "WHERE oid = $1", 1007)
    result("asyncpg: oid parameters and pg_type's oid columns",
           tuple(oid_row) == (1007, "_int4", 23, 0), tuple(oid_row))
    await c.execute("CREATE TABLE ac (a int4, b numeric, c text, d date, e timestamptz)")
    records = [(k, decimal.Decimal(k) / 4, "r%d" % k, datetime.date(2020, 1, 1 + k % 28),
                datetime.datetime(2020, 1, 1, k % 24, tzinfo=datetime.timezone.utc))
               for k in range(500)] + [(500, None, None, None, None)]
    status = await c.copy_records_to_table("ac", records=records)
    back = [tuple(r) for r in await c.fetch("SELECT * FROM ac ORDER BY a")]
    result("asyncpg: copy_records_to_table", status == "COPY 501" and back == records,
           (status, back[:2]))
    buf = io.BytesIO()
    status = await c.copy_from_table("ac", output=buf, format="binary")
    data = buf.getvalue()
    with conn.cursor().copy("COPY ac TO STDOUT (FORMAT binary)") as copy:
        psycopg_data = b"".join(bytes(b) for b in copy)
    result("asyncpg: copy_from_table (format binary)",
           status == "COPY 501" and data == psycopg_data and data.startswith(b"PGCOPY"),
           (status, len(data), len(psycopg_data)))
    await c.close()

if asyncpg is not None:
    try:
        asyncio.run(asyncpg_checks())
    except Exception as e:
        result("asyncpg checks ran", False, "%s: %s" % (type(e).__name__, e))
print("done")
EOF
)
count_results "$output"
grep -q "^done$" <<<"$output" || fail "binary script ran to the end"
wire_summary
