#!/usr/bin/env python3
"""bench/wire/strata_pg_runner.py - the shared PostgreSQL runner
(../shared/bench/oltp/pg_runner.py: psql + pgbench) pointed at strata serve.

Runs pg_runner.main() unchanged, with two differences only:
  * CREATE DATABASE / DROP DATABASE are skipped: one strata server serves one
    database file and ignores the database name of a connection;
  * the JSON lines say engine "strata" (and strata's version) instead of
    "postgres", so summarize.py can put the engines side by side.
Everything else (the SQL, pgbench -M prepared, -c/-j, the pgbench scripts and
their key streams, the settings query) is the peer's code, so both engines
are driven the same way. Usage: as pg_runner.py, plus --shared DIR first.
"""
import io
import os
import re
import sys


def main():
    shared = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--shared" else None
    if shared is None:
        sys.exit("usage: strata_pg_runner.py --shared ../shared/bench/oltp [pg_runner options]")
    del sys.argv[1:3]
    sys.path.insert(0, shared)
    import pg_runner

    original_psql = pg_runner.PG.psql

    def psql(self, sql, stdin=None, db=None):
        if sql.lstrip().upper().startswith(("CREATE DATABASE", "DROP DATABASE")):
            return ""
        return original_psql(self, sql, stdin, db)

    pg_runner.PG.psql = psql
    version = os.environ.get("STRATA_VERSION", "strata")

    class Relabel(io.TextIOBase):
        def __init__(self, out):
            self.out = out

        def write(self, text):
            text = text.replace('"engine": "postgres"', '"engine": "strata"')
            text = re.sub(r'"engine_version": "[^"]*"', '"engine_version": "%s"' % version, text)
            return self.out.write(text)

        def flush(self):
            self.out.flush()

    sys.stdout = Relabel(sys.stdout)
    pg_runner.main()


if __name__ == "__main__":
    main()
