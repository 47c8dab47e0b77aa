#!/usr/bin/env bash
# bench/partition/pruning.sh - partition pruning figure: 1M rows in 12
# monthly RANGE partitions vs the same rows in one table; one month's
# aggregate on each (the partitioned query reads one partition). Prints the
# shell's \timing lines; run: STRATA_BUILD=build/release bash bench/partition/pruning.sh
set -eu
cd "$(dirname "$0")/../.."
STRATA="${STRATA_BUILD:-build/release}/strata"
DIR="$(mktemp -d /tmp/strata-pruning.XXXXXX)"
trap 'rm -rf "$DIR"' EXIT
{
    echo "CREATE TABLE facts (id bigint, sold_at timestamp NOT NULL, amount numeric(12,2)) PARTITION BY RANGE (sold_at);"
    for m in $(seq 1 12); do
        next=$((m + 1))
        to=$([ $m -eq 12 ] && echo "2025-01-01" || printf "2024-%02d-01" $next)
        printf "CREATE TABLE facts_%02d PARTITION OF facts FOR VALUES FROM ('2024-%02d-01') TO ('%s');\n" $m $m "$to"
    done
    echo "CREATE TABLE flat (id bigint, sold_at timestamp NOT NULL, amount numeric(12,2));"
    echo "INSERT INTO flat SELECT g, timestamp '2024-01-01' + (g % 366) * interval '1 day' + (g % 86400) * interval '1 second', (g % 1000) / 10.0 FROM generate_series(1, 1000000) AS g;"
    echo "INSERT INTO facts SELECT * FROM flat;"
} > "$DIR/load.sql"
"$STRATA" "$DIR/db" < "$DIR/load.sql" > /dev/null
cat > "$DIR/query.sql" <<'SQL'
\timing on
SELECT count(*), sum(amount) FROM flat WHERE sold_at >= '2024-03-01' AND sold_at < '2024-04-01';
SELECT count(*), sum(amount) FROM facts WHERE sold_at >= '2024-03-01' AND sold_at < '2024-04-01';
SELECT count(*), sum(amount) FROM flat WHERE sold_at >= '2024-03-01' AND sold_at < '2024-04-01';
SELECT count(*), sum(amount) FROM facts WHERE sold_at >= '2024-03-01' AND sold_at < '2024-04-01';
SELECT count(*), sum(amount) FROM flat WHERE sold_at >= '2024-03-01' AND sold_at < '2024-04-01';
SELECT count(*), sum(amount) FROM facts WHERE sold_at >= '2024-03-01' AND sold_at < '2024-04-01';
EXPLAIN SELECT count(*), sum(amount) FROM facts WHERE sold_at >= '2024-03-01' AND sold_at < '2024-04-01';
SQL
"$STRATA" "$DIR/db" < "$DIR/query.sql"
