#!/usr/bin/env bash
# tests/wire/sqlalchemy_test.sh - SQLAlchemy (the ORM most Python applications
# use, through psycopg2) against strata-server: the dialect's connect-time
# queries (current_schema(), standard_conforming_strings, ...), DDL from
# declarative models (create_all / drop_all with serial keys, foreign keys,
# indexes, unique constraints, server defaults), ORM inserts, queries, joins,
# updates and deletes in sessions, and the reflection of table names and columns
# (pg_attribute, pg_attrdef, pg_description, pg_sequence, pg_get_serial_sequence),
# primary keys, foreign keys, indexes and unique constraints (pg_index.indkey as
# int2vector: unnest, generate_subscripts, = ANY, ::varchar), Table(autoload_with),
# enum types (pg.ENUM in create_all / drop_all, get_enums) and domains.
# Needs python3-sqlalchemy and python3-psycopg2.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init sqlalchemy_test
PYTHON=$(python_with sqlalchemy) || skip_test "python3 with sqlalchemy is not installed"
"$PYTHON" -c "import psycopg2" 2>/dev/null || skip_test "python3 with psycopg2 is not installed"

make_role app 'app-pw'
start_server || { wire_summary; exit 1; }

output=$("$PYTHON" - "$WIRE_PORT" <<'EOF' 2>&1
import sys
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship, Session

port = int(sys.argv[1])

def result(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + repr(detail)))

def attempt(name, fn):
    try:
        ok, detail = fn()
    except Exception as e:  # any exception is a failed check, reported with its text
        ok, detail = False, "%s: %s" % (type(e).__name__, e)
    result(name, ok, detail)

engine = sa.create_engine("postgresql+psycopg2://app:app-pw@127.0.0.1:%d/strata" % port)
Base = declarative_base()

class Customer(Base):
    __tablename__ = "customers"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False, index=True)
    email = sa.Column(sa.String, unique=True)
    created = sa.Column(sa.DateTime, server_default=sa.func.now())
    orders = relationship("Order", back_populates="customer", cascade="all, delete-orphan")

class Order(Base):
    __tablename__ = "orders"
    id = sa.Column(sa.Integer, primary_key=True)
    customer_id = sa.Column(sa.Integer, sa.ForeignKey("customers.id"), nullable=False)
    amount = sa.Column(sa.Numeric(10, 2), nullable=False)
    customer = relationship("Customer", back_populates="orders")

def connect():
    with engine.connect() as c:
        return c.execute(sa.text("SELECT current_schema()")).scalar() == "public", None
attempt("connect (the dialect's first queries)", connect)

def create_all():
    Base.metadata.create_all(engine)
    names = sa.inspect(engine).get_table_names()
    return sorted(names) == ["customers", "orders"], names
attempt("create_all from declarative models", create_all)

def orm_insert():
    with Session(engine) as s:
        ann = Customer(name="ann", email="ann@example.com")
        ann.orders = [Order(amount=12.5), Order(amount=7)]
        s.add_all([ann, Customer(name="bob", email="bob@example.com")])
        s.commit()
        return ann.id is not None and ann.orders[1].id is not None, ann.id
attempt("ORM insert (serial keys come back through RETURNING)", orm_insert)

def orm_query():
    with Session(engine) as s:
        ann = s.query(Customer).filter_by(name="ann").one()
        total = s.query(sa.func.sum(Order.amount)).join(Customer).filter(Customer.name == "ann").scalar()
        created = ann.created is not None
        return (len(ann.orders), str(total), created) == (2, "19.50", True), (len(ann.orders), total, created)
attempt("ORM query, relationship, join and aggregate", orm_query)

def unique_violation():
    with Session(engine) as s:
        s.add(Customer(name="ann2", email="ann@example.com"))
        try:
            s.commit()
        except sa.exc.IntegrityError as e:
            return e.orig.pgcode == "23505", e.orig.pgcode
        return False, "no error"
attempt("unique violation is an IntegrityError with 23505", unique_violation)

def orm_update_delete():
    with Session(engine) as s:
        bob = s.query(Customer).filter_by(name="bob").one()
        bob.email = "robert@example.com"
        ann = s.query(Customer).filter_by(name="ann").one()
        s.delete(ann)
        s.commit()
    with Session(engine) as s:
        emails = [c.email for c in s.query(Customer).order_by(Customer.id)]
        orders = s.query(Order).count()
        return (emails, orders) == (["robert@example.com"], 0), (emails, orders)
attempt("ORM update and cascading delete", orm_update_delete)

def reflect_columns():
    cols = sa.inspect(engine).get_columns("customers")
    got = [(c["name"], str(c["type"]), c["nullable"], c["autoincrement"]) for c in cols]
    want = [("id", "INTEGER", False, True), ("name", "VARCHAR(50)", False, False),
            ("email", "VARCHAR", True, False), ("created", "TIMESTAMP", True, False)]
    return got == want, got
attempt("reflection: columns, types, nullability, serial", reflect_columns)

def reflect_keys():
    insp = sa.inspect(engine)
    pk = insp.get_pk_constraint("orders")
    fks = insp.get_foreign_keys("orders")
    got = (pk["constrained_columns"], pk["name"],
           [(f["constrained_columns"], f["referred_table"], f["referred_columns"]) for f in fks])
    want = (["id"], "orders_pkey", [(["customer_id"], "customers", ["id"])])
    return got == want, got
attempt("reflection: primary key and foreign keys (pg_index.indkey int2vector)", reflect_keys)

def reflect_indexes():
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE pairs (a int, b int, c int, PRIMARY KEY (b, a))"))
        c.execute(sa.text("CREATE INDEX pairs_cb ON pairs (c DESC, b)"))
    insp = sa.inspect(engine)
    idx = [(i["name"], i["column_names"], i["unique"]) for i in insp.get_indexes("customers")]
    idx += [(i["name"], i["column_names"], i["unique"]) for i in insp.get_indexes("pairs")]
    uq = [(u["name"], u["column_names"]) for u in insp.get_unique_constraints("customers")]
    pk = insp.get_pk_constraint("pairs")["constrained_columns"]
    want = ([("customers_email_key", ["email"], True), ("ix_customers_name", ["name"], False),
             ("pairs_cb", ["c", "b"], False)], [("customers_email_key", ["email"])], ["b", "a"])
    return (idx, uq, pk) == want, (idx, uq, pk)
attempt("reflection: indexes, unique constraints, composite primary key", reflect_indexes)

def autoload():
    t = sa.Table("orders", sa.MetaData(), autoload_with=engine)
    fk = [(f.parent.name, f.column.table.name, f.column.name) for f in t.foreign_keys]
    got = ([c.name for c in t.primary_key], fk, [c.name for c in t.columns])
    want = (["id"], [("customer_id", "customers", "id")], ["id", "customer_id", "amount"])
    with engine.begin() as c:
        c.execute(sa.text("DROP TABLE pairs"))
    return got == want, got
attempt("reflection: Table(autoload_with=engine)", autoload)

def enums_and_domains():
    from sqlalchemy.dialects import postgresql as pg
    md = sa.MetaData()
    mood = pg.ENUM("sad", "ok", "happy", name="mood")
    person = sa.Table("person", md, sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("m", mood, nullable=False))
    md.create_all(engine)  # CREATE TYPE mood AS ENUM (...) first
    with engine.begin() as c:
        c.execute(sa.text("CREATE DOMAIN posint AS integer CHECK (VALUE > 0)"))
        c.execute(sa.text("CREATE TABLE qty (id int PRIMARY KEY, q posint NOT NULL)"))
        c.execute(person.insert(), [{"id": 1, "m": "happy"}, {"id": 2, "m": "sad"}])
        rows = c.execute(sa.select(person.c.id).order_by(person.c.m)).fetchall()
    try:
        with engine.begin() as c:
            c.execute(sa.text("INSERT INTO qty VALUES (1, 0)"))
        code = None
    except sa.exc.IntegrityError as e:
        code = e.orig.pgcode
    insp = sa.inspect(engine)
    enums = [(e["name"], e["labels"]) for e in insp.get_enums()]
    reflected = sa.Table("person", sa.MetaData(), autoload_with=engine).c.m.type.enums
    qty = [(col["name"], str(col["type"])) for col in insp.get_columns("qty")]
    with engine.begin() as c:
        c.execute(sa.text("DROP TABLE qty"))
        c.execute(sa.text("DROP DOMAIN posint"))
    md.drop_all(engine)  # DROP TYPE mood after the table
    got = ([r[0] for r in rows], code, enums, list(reflected), qty, sa.inspect(engine).get_enums())
    want = ([2, 1], "23514", [("mood", ["sad", "ok", "happy"])], ["sad", "ok", "happy"],
            [("id", "INTEGER"), ("q", "INTEGER")], [])
    return got == want, got
attempt("enum and domain types: create_all / drop_all, ordering, 23514, reflection", enums_and_domains)

def drop_all():
    Base.metadata.drop_all(engine)
    return sa.inspect(engine).get_table_names() == [], None
attempt("drop_all", drop_all)
print("script ended")
EOF
)
count_results "$output"
grep -q "script ended" <<<"$output" || fail "sqlalchemy script ran to the end"
stop_server
wire_summary
