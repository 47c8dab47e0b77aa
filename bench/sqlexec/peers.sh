#!/usr/bin/env bash
# bench/sqlexec/peers.sh - queries.sql on DuckDB (one thread, through @duckdb/node-api) and
# SQLite (the sqlite3 shell, output to /dev/null): CPU ms per run, the median of RUNS after a
# warm-up, on the same data as schema.sql (SQLite's s column is 32 hex digits, not md5).
#   bench/sqlexec/peers.sh        Env: ROWS (1000000) RUNS (3) PEER (a dir for npm install)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROWS="${ROWS:-1000000}"; RUNS="${RUNS:-3}"; PEER="${PEER:-$HERE/data/peer}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
python3 - "$HERE/queries.sql" "$WORK" <<'PY'
import re, sys
text, out = open(sys.argv[1]).read(), sys.argv[2]
for block in re.split(r'^-- query: ', text, flags=re.M)[1:]:
    name = block.split()[0]
    body = '\n'.join(l for l in block.split('\n')[1:] if not l.startswith('--'))
    open(f'{out}/{name}.sql', 'w').write(body.strip() + '\n')
PY
mkdir -p "$PEER"
if [ ! -d "$PEER/node_modules/@duckdb/node-api" ]; then
    echo '{"private": true, "dependencies": {"@duckdb/node-api": "1.5.6-r.1"}}' > "$PEER/package.json"
    (cd "$PEER" && npm install --no-audit --no-fund >/dev/null)
fi
cp "$HERE/peers.mjs" "$PEER/peers.mjs"
node "$PEER/peers.mjs" "$HERE/data/duck-$ROWS.duckdb" "$WORK" "$ROWS" "$RUNS"
SQ="$HERE/data/sqlite-$ROWS.db"
if [ ! -e "$SQ" ]; then
    sqlite3 "$SQ" "CREATE TABLE t (id INTEGER, x INTEGER, g INTEGER, f REAL, s TEXT);
      INSERT INTO t SELECT value, value * 7919 % 1000003, value % ($ROWS / 10), (value % 1000) / 7.0,
        printf('%032x', value * 2654435761) FROM generate_series(1, $ROWS);
      CREATE TABLE d (g INTEGER, name TEXT, w INTEGER);
      INSERT INTO d SELECT value, 'n' || (value % 100), value % 13 FROM generate_series(0, $ROWS / 10 - 1);"
fi
for q in topn sort sortexpr join limit; do
    sql="$(sed -e 's/\bT\b/t/g' -e 's/\bD\b/d/g' "$WORK/$q.sql")"
    { echo ".output /dev/null"; echo ".timer on"; for r in $(seq 0 "$RUNS"); do echo "$sql"; done; } |
        sqlite3 "$SQ" 2>&1 | awk '/Run Time/ {n++; if (n > 1) print ($6 + $8) * 1000}' | sort -n |
        awk -v q="$q" '{t[NR] = $1} END {printf "%s sqlite %.1f ms\n", q, t[int((NR + 1) / 2)]}'
done
