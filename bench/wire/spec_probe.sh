#!/usr/bin/env bash
# bench/wire/spec_probe.sh - pgbench TPC-B against one strata serve with
# speculative writes on and off, alternated in the same time window, with the
# storage counters of pg_catalog.strata_stat_storage around every run
# (docs/storage.md, "Speculative write transactions").
#
#   bench/wire/spec_probe.sh            scale 10, -c 1/2/4, 10 s a run, 2 rounds
#
# Per run: tps, commits, WAL fsyncs and commits per fsync, and the speculative
# counters (begins, kept, restarts, conflicts) the run added, plus pgbench's
# failed transactions (40001). `off` is `SET enable_speculative_writes = off`
# through PGOPTIONS: every block's first write waits for the writer lock.
# Environment: SCALE (10), SECONDS_PER_RUN (10), CLIENTS ("1 2 4"), ROUNDS (2),
# STRATA_BUILD (build/release), SCRATCH_BASE (${TMPDIR:-/tmp}).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
SCALE=${SCALE:-10}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CLIENTS=${CLIENTS:-1 2 4}
ROUNDS=${ROUNDS:-2}
STRATA_BUILD=${STRATA_BUILD:-$root/build/release}
dir=$(mktemp -d "${SCRATCH_BASE:-${TMPDIR:-/tmp}}/spec_probe.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$STRATA_BUILD/strata" serve --listen "127.0.0.1:$port" --socket "$dir" "$dir/bench.db" \
    >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
export PGHOST=$dir PGPORT=$port PGDATABASE=strata
for _ in $(seq 50); do psql -XAtc "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
pgbench -i -s "$SCALE" -q >/dev/null 2>&1
counters() {
    PGOPTIONS= psql -XAtc "SELECT commits, wal_syncs, speculative_begins, speculative_kept,
        speculative_restarts, speculative_conflicts FROM strata_stat_storage"
}
echo "| round | clients | speculative | tps | commits | WAL fsyncs | commits/fsync | begins | kept | restarts | conflicts | failed |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for round in $(seq "$ROUNDS"); do
    for c in $CLIENTS; do
        for mode in on off; do
            IFS='|' read -r c0 s0 b0 k0 r0 x0 <<<"$(counters)"
            out=$(PGOPTIONS="-c enable_speculative_writes=$mode" \
                pgbench -M prepared -c "$c" -j "$c" -T "$SECONDS_PER_RUN" 2>&1)
            IFS='|' read -r c1 s1 b1 k1 r1 x1 <<<"$(counters)"
            tps=$(echo "$out" | sed -nE 's/^tps = ([0-9.]+).*/\1/p')
            failed=$(echo "$out" | sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p')
            commits=$((c1 - c0)) syncs=$((s1 - s0))
            per=$(python3 -c "print(f'{$commits / max($syncs, 1):.2f}')")
            echo "| $round | $c | $mode | ${tps%.*} | $commits | $syncs | $per | $((b1 - b0)) |" \
                "$((k1 - k0)) | $((r1 - r0)) | $((x1 - x0)) | ${failed:-?} |"
        done
    done
done
