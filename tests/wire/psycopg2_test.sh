#!/usr/bin/env bash
# tests/wire/psycopg2_test.sh - a psycopg2 (libpq) application against
# strata-server over TCP with a SCRAM password: parameters of many types
# round-trip, server-side prepared statements (PREPARE/EXECUTE through the
# simple protocol), transactions (commit, rollback, failed state), errors
# with their SQLSTATEs and positions, COPY FROM STDIN / TO STDOUT in text
# and CSV, notices in conn.notices, and roles created with SQL (login, wrong
# password, NOLOGIN, unknown role, 42501, DROP ROLE). Needs python3-psycopg2.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init psycopg2_test
PYTHON=$(python_with psycopg2) || skip_test "python3 with psycopg2 is not installed"

make_role app 'app-pw'
start_server || { wire_summary; exit 1; }

output=$("$PYTHON" - "$WIRE_PORT" "$WIRE_DIR" <<'EOF' 2>&1
import datetime, decimal, io, sys
import psycopg2

port, directory = int(sys.argv[1]), sys.argv[2]

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + repr(detail)))

def attempt(name, fn):
    try:
        ok, detail = fn()
    except Exception as e:  # any exception is a failed check, reported with its text
        ok, detail = False, "%s: %s" % (type(e).__name__, e)
        conn.rollback()
    result(name, ok, detail)

conn = psycopg2.connect(host="127.0.0.1", port=port, user="app", password="app-pw",
                        dbname="strata")
cur = conn.cursor()
result("server_version parsed", conn.server_version >= 150000, conn.server_version)

def create():
    cur.execute("""CREATE TABLE things (id integer PRIMARY KEY, name text, qty bigint,
                   price numeric(10,2), ratio double precision, ok boolean,
                   born date, seen timestamp, raw bytea)""")
    conn.commit()
    return True, None
attempt("create table", create)

row = (1, "it's \"quoted\" \u00e9", 9000000000, decimal.Decimal("12.34"), 0.125, True,
       datetime.date(2024, 2, 29), datetime.datetime(2024, 1, 2, 3, 4, 5),
       b"\x00\x01\xff")
def insert():
    cur.execute("INSERT INTO things VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", row)
    conn.commit()
    return cur.rowcount == 1, cur.rowcount
attempt("insert with parameters", insert)

def round_trip():
    cur.execute("SELECT id, name, qty, price, ratio, ok, born, seen, raw FROM things WHERE id = %s",
                (1,))
    got = cur.fetchone()
    got = got[:8] + (bytes(got[8]),)
    return got == row, got
attempt("parameter types round-trip", round_trip)

def nulls():
    cur.execute("SELECT %s::text IS NULL, %s::integer", (None, None))
    return cur.fetchone() == (True, None), None
attempt("NULL parameters", nulls)

def prepared():
    cur.execute("PREPARE by_id (integer) AS SELECT name FROM things WHERE id = $1")
    cur.execute("EXECUTE by_id (1)")
    first = cur.fetchone()
    cur.execute("EXECUTE by_id (2)")
    second = cur.fetchone()
    cur.execute("DEALLOCATE by_id")
    conn.commit()
    return first == (row[1],) and second is None, (first, second)
attempt("prepared statements", prepared)

def rollback():
    cur.execute("INSERT INTO things (id, name) VALUES (2, 'temp')")
    conn.rollback()
    cur.execute("SELECT count(*) FROM things")
    n = cur.fetchone()[0]
    conn.commit()
    return n == 1, n
attempt("rollback", rollback)

def errors():
    codes = []
    for sql in ["SELECT * FROM no_such_table", "INSERT INTO things (id) VALUES (1)",
                "SELECT 1/0", "SELEC 1"]:
        try:
            cur.execute(sql)
        except psycopg2.Error as e:
            codes.append(e.pgcode)
        conn.rollback()
    return codes == ["42P01", "23505", "22012", "42601"], codes
attempt("errors carry SQLSTATEs", errors)

def failed_transaction():
    try:
        cur.execute("SELECT * FROM no_such_table")
    except psycopg2.Error:
        pass
    status = conn.get_transaction_status()
    try:
        cur.execute("SELECT 1")
        code = None
    except psycopg2.Error as e:
        code = e.pgcode
    conn.rollback()
    return status == psycopg2.extensions.TRANSACTION_STATUS_INERROR and code == "25P02", (status, code)
attempt("failed transaction state", failed_transaction)

def error_position():
    try:
        cur.execute("SELECT nope FROM things")
    except psycopg2.Error as e:
        conn.rollback()
        return e.diag.statement_position == "8", e.diag.statement_position
    return False, "no error"
attempt("error position", error_position)

def copy_in_text():
    data = io.StringIO("10\tten\t10\n11\t\\N\t11\n12\ttab\\there\t12\n")
    cur.copy_from(data, "things", columns=("id", "name", "qty"))
    conn.commit()
    cur.execute("SELECT id, name FROM things WHERE id >= 10 ORDER BY id")
    got = cur.fetchall()
    conn.commit()
    return got == [(10, "ten"), (11, None), (12, "tab\there")], got
attempt("COPY FROM STDIN (text)", copy_in_text)

def copy_in_csv():
    data = io.StringIO('id,name\n20,"comma, inside"\n21,"line\nbreak"\n22,\n')
    cur.copy_expert("COPY things (id, name) FROM STDIN WITH (FORMAT csv, HEADER true)", data)
    conn.commit()
    cur.execute("SELECT id, name FROM things WHERE id >= 20 ORDER BY id")
    got = cur.fetchall()
    conn.commit()
    return got == [(20, "comma, inside"), (21, "line\nbreak"), (22, None)], got
attempt("COPY FROM STDIN (csv)", copy_in_csv)

def copy_out():
    out = io.StringIO()
    cur.copy_expert("COPY (SELECT id, name FROM things WHERE id IN (11, 12, 20) ORDER BY id) "
                    "TO STDOUT WITH (FORMAT csv)", out)
    text_out = io.StringIO()
    cur.copy_expert("COPY (SELECT id, name FROM things WHERE id IN (11, 12) ORDER BY id) TO STDOUT",
                    text_out)
    conn.commit()
    expected_csv = '11,\n12,tab\there\n20,"comma, inside"\n'
    expected_text = "11\t\\N\n12\ttab\\there\n"
    return (out.getvalue() == expected_csv and text_out.getvalue() == expected_text,
            (out.getvalue(), text_out.getvalue()))
attempt("COPY TO STDOUT (csv, text)", copy_out)

def copy_error():
    try:
        cur.copy_from(io.StringIO("30\tok\n31\tbad\textra\n"), "things", columns=("id", "name"))
        code = None
    except psycopg2.Error as e:
        code = e.pgcode
    conn.rollback()
    cur.execute("SELECT count(*) FROM things WHERE id IN (30, 31)")
    n = cur.fetchone()[0]
    conn.commit()
    return code == "22P04" and n == 0, (code, n)
attempt("COPY error loads nothing", copy_error)

def arrays():
    # psycopg2 sends Python lists as ARRAY[...] literals and parses array
    # columns (by their type OIDs 1007, 1009, ...) back into lists.
    cur.execute("CREATE TABLE tagged (id integer PRIMARY KEY, tags text[], nums int[], "
                "prices numeric[])")
    cur.execute("INSERT INTO tagged VALUES (%s, %s, %s, %s)",
                (1, ["a", "b c", None, 'q"uote'], [1, 2, None], [decimal.Decimal("1.50")]))
    cur.execute("INSERT INTO tagged VALUES (2, '{}', NULL, '{2}')")
    conn.commit()
    cur.execute("SELECT tags, nums, prices FROM tagged ORDER BY id")
    rows = cur.fetchall()
    cur.execute("SELECT id FROM tagged WHERE %s = ANY(tags)", ("b c",))
    found = cur.fetchall()
    cur.execute("SELECT array_agg(id ORDER BY id), ARRAY(SELECT unnest(nums) FROM tagged) FROM tagged")
    agg = cur.fetchone()
    conn.commit()
    expected = [(["a", "b c", None, 'q"uote'], [1, 2, None], [decimal.Decimal("1.50")]),
                ([], None, [decimal.Decimal("2")])]
    ok = rows == expected and found == [(1,)] and agg == ([1, 2], [1, 2, None])
    return ok, (rows, found, agg)
attempt("arrays round trip as Python lists", arrays)

def autocommit():
    conn.autocommit = True
    cur.execute("INSERT INTO things (id, name) VALUES (40, 'auto')")
    status = conn.get_transaction_status()
    conn.autocommit = False
    return status == psycopg2.extensions.TRANSACTION_STATUS_IDLE, status
attempt("autocommit", autocommit)

def notices():
    del conn.notices[:]
    cur.execute("DROP TABLE IF EXISTS missing")
    conn.commit()
    return conn.notices == ['NOTICE:  table "missing" does not exist, skipping\n'], conn.notices
attempt("conn.notices gets NoticeResponse", notices)

def cascade_notice():
    # DROP ... CASCADE: one notice whose DETAIL lists the objects (PostgreSQL 15's text)
    cur.execute("CREATE TABLE nt (a int); CREATE VIEW nv1 AS SELECT a FROM nt; "
                "CREATE VIEW nv2 AS SELECT a FROM nt")
    conn.commit()
    del conn.notices[:]
    cur.execute("DROP TABLE nt CASCADE")
    conn.commit()
    want = ['NOTICE:  drop cascades to 2 other objects\nDETAIL:  drop cascades to view nv1\n'
            'drop cascades to view nv2\n']
    return conn.notices == want, conn.notices
attempt("DROP CASCADE notice with its DETAIL", cascade_notice)

# Roles created with SQL (issue 5): the bootstrap superuser (named after the
# OS user) over the unix socket creates a role; it logs in over TCP.
import os, pwd
su = psycopg2.connect(host=directory, port=port, user=pwd.getpwuid(os.geteuid()).pw_name,
                      dbname="strata")
su.autocommit = True
su.cursor().execute("CREATE ROLE pyrole LOGIN PASSWORD 'py pw'")
su.cursor().execute("CREATE ROLE pyquiet PASSWORD 'py pw'")
def role_login():
    c = psycopg2.connect(host="127.0.0.1", port=port, user="pyrole", password="py pw",
                         dbname="strata")
    k = c.cursor()
    k.execute("SELECT current_user, session_user")
    got = k.fetchone()
    c.close()
    return got == ("pyrole", "pyrole"), got
attempt("role created with SQL logs in", role_login)
def refused(user, password, text):
    try:
        psycopg2.connect(host="127.0.0.1", port=port, user=user, password=password,
                         dbname="strata").close()
        return False, "logged in"
    except psycopg2.OperationalError as e:
        return text in str(e), str(e)
attempt("wrong password refused", lambda: refused("pyrole", "bad", "password authentication failed"))
attempt("NOLOGIN refused", lambda: refused("pyquiet", "py pw", "not permitted to log in"))
attempt("unknown role refused", lambda: refused("pynobody", "x", 'role "pynobody" does not exist'))
def explain_json():
    # EXPLAIN (FORMAT JSON): one row of type json (psycopg2 decodes it), PostgreSQL's shape
    cur.execute("""EXPLAIN (FORMAT JSON) SELECT t.name, count(*) FROM things t
                   JOIN things u ON u.id = t.id WHERE t.qty > %s GROUP BY t.name ORDER BY 1""",
                (0,))
    rows = cur.fetchall()
    doc = rows[0][0]
    plan = doc[0]["Plan"]
    def walk(node, depth=0):
        yield node, depth
        for child in node.get("Plans", []):
            yield from walk(child, depth + 1)
    nodes = list(walk(plan))
    types = [n["Node Type"] for n, _ in nodes]
    scans = [n for n, _ in nodes if n["Node Type"] == "Seq Scan" or "Index" in n["Node Type"]]
    sort = plan if plan["Node Type"] == "Sort" else None
    ok = (len(rows) == 1 and cur.description[0].type_code == 114 and isinstance(doc, list)
          and sort is not None and sort["Sort Key"] == ["t.name"]
          and "Aggregate" in types and any(n.get("Join Type") == "Inner" for n, _ in nodes)
          and all(n["Relation Name"] == "things" for n in scans) and len(scans) == 2
          and all("Parent Relationship" in n for n, d in nodes if d > 0)
          and all(isinstance(n["Plan Rows"], (int, float)) for n, _ in nodes))
    cur.execute("EXPLAIN (ANALYZE, TIMING, FORMAT JSON) SELECT * FROM things WHERE id = %s", (1,))
    doc2 = cur.fetchone()[0]
    top = doc2[0]["Plan"]
    ok = ok and (top["Actual Rows"] == 1 and top["Actual Loops"] == 1
                 and top["Actual Total Time"] >= top["Actual Startup Time"] >= 0
                 and doc2[0]["Execution Time"] >= 0)
    conn.rollback()
    return ok, (doc, doc2)
attempt("EXPLAIN (FORMAT JSON) is PostgreSQL's json document", explain_json)

def role_ddl_denied():
    try:
        cur.execute("CREATE ROLE sneaky")
        return False, "created"
    except psycopg2.Error as e:
        conn.rollback()
        return e.pgcode == "42501", e.pgcode
attempt("non-superuser CREATE ROLE is 42501", role_ddl_denied)
su.cursor().execute("DROP ROLE pyrole")
attempt("dropped role refused", lambda: refused("pyrole", "py pw", 'role "pyrole" does not exist'))
su.close()
conn.close()
EOF
)
count_results "$output"
grep -q "dropped role refused" <<<"$output" || fail "psycopg2 script ran to the end"
wire_summary
