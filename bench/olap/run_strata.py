#!/usr/bin/env python3
"""bench/olap/run_strata.py - the star-schema (olap) benchmark runner for strata.

Same commands, rules and JSON lines as the shared peers' runners
(../shared/bench/olap/run_sql.py, duckrun.mjs), engine name "strata":

  run_strata.py load  --manifest star.json --data DIR --db FILE [--schema S] [--indexes I] [--out OUT.jsonl]
  run_strata.py query --manifest star.json --db FILE [--runs 3] [--slow 20] [--timeout 300]
                      [--only q01,q02] [--set work_mem=1GB] [--out OUT.jsonl]
  (both: [--engine strata] names the records; [--fact-table column|row] says in their
  settings how --schema stores the fact table: run.sh's strata-row passes a schema with
  the fact table USING row and the shared star_indexes.sql)

strata is reached through its public C API (include/strata.h) in libstrata.so with ctypes
(--lib, default build/release/libstrata.so; $STRATA_LIB overrides). Python only drives:
the bulk load is one server-side `COPY table FROM 'file' (FORMAT csv, HEADER true)` per table,
so no row passes through Python; query results are small (at most ~1,100 rows).

Physical design (the book's advice for a star schema): the fact table is a column table,
dimensions are row tables. The DDL is our dialect variant bench/olap/star_schema_strata.sql and
the index file bench/olap/star_indexes_strata.sql (the column fact table gets the user index
for q10's point query and no date index: zone maps prune row groups). Queries are the shared
star_queries.sql, PostgreSQL dialect, parsed and checksummed by the shared benchlib.py
(found by path, never copied).

Values are typed for benchlib.canon_value by their PostgreSQL type OID: booleans -> bool,
integer kinds -> int, numeric -> Decimal, float kinds -> float, everything else the text form
(dates are ISO text, which is what canon_value prints for a date).
"""
import argparse
import ctypes
import decimal
import glob
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("STAR_SHARED", os.path.normpath(os.path.join(HERE, "../../../shared/bench/olap")))
sys.path.insert(0, SHARED)
import benchlib  # noqa: E402  (the shared reference implementation)

STRATA_ROW, STRATA_DONE = 100, 101
OID_BOOL, OID_INT8, OID_INT2, OID_INT4, OID_FLOAT4, OID_FLOAT8, OID_NUMERIC = 16, 20, 21, 23, 700, 701, 1700


class StrataError(Exception):
    pass


class Strata:
    """A connection to one strata database through the C API."""

    def __init__(self, lib_path, db_path):
        lib = ctypes.CDLL(lib_path)
        vp, cp, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        sig = {
            "strata_libversion": (cp, []),
            "strata_open": (i, [cp, ctypes.POINTER(vp)]),
            "strata_close": (i, [vp]),
            "strata_prepare": (i, [vp, cp, i, ctypes.POINTER(vp), ctypes.POINTER(cp)]),
            "strata_step": (i, [vp]),
            "strata_finalize": (i, [vp]),
            "strata_column_count": (i, [vp]),
            "strata_column_type_oid": (ctypes.c_uint32, [vp, i]),
            "strata_column_is_null": (i, [vp, i]),
            "strata_column_int64": (ctypes.c_int64, [vp, i]),
            "strata_column_double": (ctypes.c_double, [vp, i]),
            "strata_column_text": (cp, [vp, i]),
            "strata_changes": (ctypes.c_int64, [vp]),
            "strata_errmsg": (cp, [vp]),
            "strata_sqlstate": (cp, [vp]),
            "strata_interrupt": (None, [vp]),
        }
        for name, (res, args) in sig.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.lib = lib
        self.version = lib.strata_libversion().decode()
        self.db = vp()
        rc = lib.strata_open(db_path.encode(), ctypes.byref(self.db))
        if rc != 0:
            raise StrataError("could not open %s: %s" % (db_path, self._err()))

    def _err(self):
        return "%s (SQLSTATE %s)" % (self.lib.strata_errmsg(self.db).decode(errors="replace"),
                                     self.lib.strata_sqlstate(self.db).decode())

    def close(self):
        self.lib.strata_close(self.db)

    def interrupt(self):
        self.lib.strata_interrupt(self.db)

    def execute(self, sql, fetch=True):
        """Runs one statement; returns its rows (a list of tuples), or Affected for DML."""
        lib, stmt = self.lib, ctypes.c_void_p()
        if lib.strata_prepare(self.db, sql.encode(), -1, ctypes.byref(stmt), None) != 0:
            raise StrataError(self._err())
        try:
            ncol = lib.strata_column_count(stmt)
            oids = [lib.strata_column_type_oid(stmt, c) for c in range(ncol)]
            rows = []
            while True:
                rc = lib.strata_step(stmt)
                if rc == STRATA_DONE:
                    break
                if rc != STRATA_ROW:
                    raise StrataError(self._err())
                if fetch and ncol:
                    rows.append(tuple(self._value(stmt, c, oids[c]) for c in range(ncol)))
        finally:
            lib.strata_finalize(stmt)
        if ncol == 0:
            return Affected(lib.strata_changes(self.db))
        return rows

    def _value(self, stmt, col, oid):
        # One C call per value where it can be: a NULL reads as 0 (int64, double)
        # or a NULL pointer (text), so strata_column_is_null only tells a 0 from a
        # NULL (ctypes calls cost more than the engine's fetch of a row: q10).
        lib = self.lib
        if oid in (OID_INT2, OID_INT4, OID_INT8, OID_BOOL):
            v = lib.strata_column_int64(stmt, col)
            if v == 0 and lib.strata_column_is_null(stmt, col):
                return None
            return bool(v) if oid == OID_BOOL else v
        if oid in (OID_FLOAT4, OID_FLOAT8):
            v = lib.strata_column_double(stmt, col)
            if v == 0 and lib.strata_column_is_null(stmt, col):
                return None
            return v
        raw = lib.strata_column_text(stmt, col)
        if raw is None:
            return None
        text = raw.decode()
        if oid == OID_NUMERIC:
            return decimal.Decimal(text)
        return text


class Affected(list):
    """Result of a statement without result columns: no rows, the affected-row count."""

    def __init__(self, n):
        super().__init__()
        self.affected = n


def db_bytes(path):
    """Bytes on disk of the database: the file and its companions (WAL, ...)."""
    return sum(os.path.getsize(p) for p in glob.glob(glob.escape(path) + "*") if os.path.isfile(p))


def open_db(args):
    """Opens the database and applies the --set session settings (e.g. work_mem)."""
    lib = args.lib or os.environ.get("STRATA_LIB") or os.path.join(HERE, "../../build/release/libstrata.so")
    eng = Strata(os.path.abspath(lib), args.db)
    for item in args.set:
        name, _, value = item.partition("=")
        eng.execute("SET %s = '%s'" % (name.strip(), value.strip().replace("'", "''")), fetch=False)
    return eng


def threads(args):
    """Threads a star query may use: the leader plus max_parallel_workers_per_gather
    workers (default 2, PostgreSQL's), at most one per core."""
    workers = 2
    for item in args.set:
        name, _, value = item.partition("=")
        if name.strip() == "max_parallel_workers_per_gather":
            workers = int(value)
    return 1 + min(workers, (os.cpu_count() or 1) - 1)


def settings(args):
    return {"threads": threads(args), "fact_table": "USING " + args.fact_table, "dimensions": "row (clustered B+tree)",
            "schema": os.path.basename(args.schema), "indexes": os.path.basename(args.indexes),
            "load": "COPY ... FROM file (FORMAT csv, HEADER true)", "api": "C API via ctypes",
            "session": dict(item.partition("=")[::2] for item in args.set)}


def do_load(args, man):
    for p in glob.glob(glob.escape(args.db) + "*"):
        os.remove(p)
    eng = open_db(args)
    for _, _, _, sql in benchlib.parse_blocks(args.schema, "strata"):
        eng.execute(sql, fetch=False)
    per, t_all = {}, time.perf_counter()
    for table, csv in man["tables"]:
        path = os.path.abspath(os.path.join(args.data, csv)).replace("'", "''")
        t0 = time.perf_counter()
        eng.execute("COPY %s FROM '%s' WITH (FORMAT csv, HEADER true)" % (table, path), fetch=False)
        per[table] = round(time.perf_counter() - t0, 3)
    load_s = time.perf_counter() - t_all
    idx_times, t0 = {}, time.perf_counter()
    for name, _, _, sql in benchlib.parse_blocks(args.indexes, "strata"):
        t1 = time.perf_counter()
        eng.execute(sql, fetch=False)
        idx_times[name] = round(time.perf_counter() - t1, 3)
    index_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    eng.execute("ANALYZE", fetch=False)
    analyze_s = time.perf_counter() - t0
    tables = [t for t, _ in man["tables"]]
    counts = {t: eng.execute("SELECT count(*) FROM %s" % t)[0][0] for t in tables}
    version = eng.version
    eng.close()
    wl, total = man["workload"], sum(counts.values())
    benchlib.emit(args.out, benchlib.record(args.engine, version, wl, "load", [load_s], total, extra={
        "per_table_s": per, "index_s": round(index_s, 3), "index_detail_s": idx_times,
        "analyze_s": round(analyze_s, 3), "row_counts": counts,
        "rows_per_s": round(total / load_s) if load_s else None, "settings": settings(args)},
        run_id=args.run_id))
    rec = benchlib.record(args.engine, version, wl, "size", [], total,
                          extra={"bytes_total": db_bytes(args.db)}, run_id=args.run_id)
    rec["seconds"] = None
    benchlib.emit(args.out, rec)


def do_query(args, man, mdir):
    eng = open_db(args)
    qs = benchlib.parse_blocks(os.path.join(mdir, man["queries"]), "strata")
    only = set(args.only.split(",")) if args.only else None
    for name, _, pre, sql in qs:
        if only and name not in only:
            continue
        if sql.upper().startswith("UNSUPPORTED"):
            benchlib.emit(args.out, benchlib.record(args.engine, eng.version, man["workload"], name, [], None,
                                                    status="unsupported", extra={"why": sql[11:].strip(" :")},
                                                    run_id=args.run_id))
            continue
        benchlib.emit(args.out, run_one(args, man, eng, name, pre, sql))
    eng.close()


def run_one(args, man, eng, name, pre, sql):
    """Warm-up + timed runs of one query under a watchdog that interrupts it at the timeout."""
    timed_out = threading.Event()

    def fire():
        timed_out.set()
        eng.interrupt()
    watchdog = threading.Timer(args.timeout, fire)
    watchdog.start()

    def execute(stmt, fetch=True):
        return eng.execute(stmt if stmt is not None else sql, fetch=fetch)
    try:
        times, rows, slow = benchlib.timed_runs(execute, pre, args.runs, args.slow)
        nrows = getattr(rows, "affected", len(rows))
        ck = benchlib.checksum(rows if not hasattr(rows, "affected") else [(nrows,)])
        return benchlib.record(args.engine, eng.version, man["workload"], name, times, nrows, extra={
            "checksum": ck, "warmup_only": slow, "settings": settings(args)}, run_id=args.run_id)
    except StrataError as e:
        msg = str(e).strip().splitlines()[0]
        status = "timeout" if timed_out.is_set() else "error"
        return benchlib.record(args.engine, eng.version, man["workload"], name, [], None, status=status,
                               extra={"message": msg[:300], "timeout_s": args.timeout}, run_id=args.run_id)
    finally:
        watchdog.cancel()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["load", "query"])
    ap.add_argument("--manifest", default=os.path.join(SHARED, "star.json"))
    ap.add_argument("--schema", default=os.path.join(HERE, "star_schema_strata.sql"))
    ap.add_argument("--indexes", default=os.path.join(HERE, "star_indexes_strata.sql"))
    ap.add_argument("--data")
    ap.add_argument("--db", required=True)
    ap.add_argument("--lib")
    ap.add_argument("--out")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--slow", type=float, default=20.0)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--only")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="session setting applied after opening (repeatable), e.g. work_mem=1GB")
    ap.add_argument("--run-id", default=time.strftime("%Y%m%dT%H%M%S"))
    ap.add_argument("--engine", default="strata",
                    help="engine name in the records (strata/t1: a one-thread pass; strata-row: the "
                         "fact table stored as rows)")
    ap.add_argument("--fact-table", default="column", choices=["column", "row"],
                    help="access method of the fact table in --schema, recorded in the settings")
    args = ap.parse_args()
    with open(args.manifest) as fh:
        man = json.load(fh)
    mdir = os.path.dirname(os.path.abspath(args.manifest))
    if args.cmd == "load":
        do_load(args, man)
    else:
        do_query(args, man, mdir)


if __name__ == "__main__":
    main()
