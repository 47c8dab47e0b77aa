#!/usr/bin/env bash
# bench/joinalgo/run.sh STRATA_BINARY [DB] - CPU time of each query (perf stat
# task-clock, 5 runs of the whole strata process, opening the database
# included) against the data of setup.sql, built into DB (default
# /tmp/joinalgo.db) on first use. Compare two builds by running this for each,
# interleaved. QUERIES="q_point q_fk" picks queries. See bench/README.md
# ("joinalgo").
set -eu
BIN=$1
DB=${2:-/tmp/joinalgo.db}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$DB" ] || "$BIN" "$DB" -f "$HERE/setup.sql" > /dev/null
for q in ${QUERIES:-q_point q_range q_left q_fk}; do
    ms=$(perf stat -r 5 -e task-clock -x, "$BIN" "$DB" -f "$HERE/$q.sql" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}')
    echo "$q task-clock ${ms} ms"
done
