#!/usr/bin/env bash
# examples/analytics/run.sh - the analytics (star schema) case study, end to end.
#
#   1. schema.sql: dimensions (date generated in SQL, page, device), the
#      type-2 user dimension, the fact table and a staging table.
#   2. gen_data.py (seeded) writes the users, the raw events and the SCD
#      changes, and computes the expected answers on its own.
#   3. scd.sql: each change closes the current dim_user row and opens a new
#      one, in one transaction. load_facts.sql: point-in-time fact load.
#   4. The book's "US mobile January by page" query (book_query.sql) must give
#      the counts gen_data.py computed; a second SQL formulation that looks up
#      the historical country per raw event by natural key must agree; the
#      same question with today's countries (type 1) gives a different
#      answer, also matching gen_data.py.
#   5. rollup.sql: the daily_active_users rollup (COUNT(DISTINCT)); its US
#      mobile January rows equal gen_data.py's distinct users per day.
#   6. check.sql: SCD-2 invariants, fact load, date dimension.
#
# Usage: examples/analytics/run.sh (see ../lib.sh for EX_CLIENT=psql).
set -u
source "$(dirname "$0")/../lib.sh"
ex_setup analytics

if [ "${STRATA_TEST_QUICK:-0}" = 1 ]; then EVENTS=600; else EVENTS=1500; fi

if ! python3 "$EX_DIR/gen_data.py" "$EX_SEED" "$EVENTS" "$EX_WORK"; then
    ex_fail generate "gen_data.py failed"
fi

ex_step schema "$EX_DIR/schema.sql"
ex_step load-users "$EX_WORK/users.sql"
ex_step scd2-changes "$EX_WORK/scd.sql"
ex_step load-staging "$EX_WORK/staging.sql"
ex_step load-facts "$EX_DIR/load_facts.sql"

sorted() { LC_ALL=C sort; }

out=$(ex_query "$(cat "$EX_DIR/book_query.sql")")
if [ $? -eq 0 ]; then
    ex_expect_eq book-query-matches-independent-count "$(sorted <"$EX_WORK/expected_history.txt")" \
        "$(echo "$out" | sorted)"
    if cut -d'|' -f2 <<<"$out" | sort -s -n -r -c 2>/dev/null; then
        ex_ok book-query-ordered-by-count
    else
        ex_fail book-query-ordered-by-count "rows are not in descending view_count order" "$out"
    fi
else
    ex_fail book-query-matches-independent-count "$out"
    ex_fail book-query-ordered-by-count "the query failed"
fi

# Second formulation: no fact table, no surrogate keys; the raw events and a
# correlated lookup of the version valid on the day of each event.
out=$(ex_query "SELECT p.page_name, count(*)
                FROM staging_page_views s
                JOIN dim_page p ON p.page_key = s.page_key
                JOIN dim_device d ON d.device_key = s.device_key
                WHERE s.viewed_on >= date '2024-01-01' AND s.viewed_on < date '2024-02-01'
                  AND d.device_type = 'mobile'
                  AND (SELECT u.country FROM dim_user u
                       WHERE u.user_id = s.user_id AND u.valid_from <= s.viewed_on
                       ORDER BY u.valid_from DESC LIMIT 1) = 'US'
                GROUP BY p.page_name")
if [ $? -eq 0 ]; then
    ex_expect_eq point-in-time-lookup-agrees "$(sorted <"$EX_WORK/expected_history.txt")" \
        "$(echo "$out" | sorted)"
else
    ex_fail point-in-time-lookup-agrees "$out"
fi

# Type 1 (today's country for every view) answers a different question.
out=$(ex_query "SELECT dp.page_name, count(*)
                FROM fact_page_views f
                JOIN dim_user hist ON hist.user_key = f.user_key
                JOIN dim_user du ON du.user_id = hist.user_id AND du.is_current
                JOIN dim_device dd ON dd.device_key = f.device_key
                JOIN dim_date ddate ON ddate.date_key = f.date_key
                JOIN dim_page dp ON dp.page_key = f.page_key
                WHERE du.country = 'US' AND dd.device_type = 'mobile'
                  AND ddate.year = 2024 AND ddate.month = 1
                GROUP BY dp.page_name")
if [ $? -eq 0 ]; then
    ex_expect_eq current-attribute-query-matches "$(sorted <"$EX_WORK/expected_current.txt")" \
        "$(echo "$out" | sorted)"
else
    ex_fail current-attribute-query-matches "$out"
fi
if cmp -s "$EX_WORK/expected_history.txt" "$EX_WORK/expected_current.txt"; then
    ex_fail history-differs-from-current "the generated data does not tell type 1 from type 2"
else
    ex_ok history-differs-from-current
fi

# The rollup answers the dashboard question without touching the facts.
ex_step rollup "$EX_DIR/rollup.sql"
out=$(ex_query "SELECT date_key, active_users FROM daily_active_users
                WHERE platform = 'mobile' AND country = 'US'
                  AND date_key BETWEEN 20240101 AND 20240131
                ORDER BY date_key")
ex_expect_eq rollup-daily-active-users "$(cat "$EX_WORK/expected_dau.txt")" "$out"

ex_check_file "$EX_DIR/check.sql"
ex_done
