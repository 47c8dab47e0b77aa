#!/usr/bin/env bash
# tests/examples/examples_test.sh - runs every case study in examples/ through
# the strata shell and counts its checks.
#
# Goal: the book's case studies (banking ledger, inventory, social, idempotency
# keys, analytics) run end to end on strata, with concurrent shell processes,
# kill -9 and independent checkers, and every invariant they assert holds.
# Each examples/CASE/run.sh prints "ok CASE/CHECK" or "FAIL CASE/CHECK: ..."
# per check and "done CASE" at its end (protocol in examples/lib.sh).
#
# Known gaps: a check listed in KNOWN_GAPS below fails because the engine
# lacks a feature. It still runs; when it fails the test prints
# "KNOWN GAP: CASE/CHECK: why -- the error" and counts it neither as passed
# nor as failed. When it passes it counts as passed, with a NOTE asking to
# remove it from the list. Only checks that ran and held count as passed;
# every other failure counts as failed.
#
# Run by tools/run-tests with STRATA_BUILD set; STRATA_TEST_QUICK=1 shrinks
# the workloads; STRATA_SEED replays the random choices. Ends with
# "examples_test: N passed, N failed".
set -u
BUILD=${STRATA_BUILD:-build/release}
export STRATA_BUILD=$BUILD
export STRATA=${STRATA:-$BUILD/strata}
export EX_CLIENT=${EX_CLIENT:-strata}   # psql: the same runs on PostgreSQL
cd "$(dirname "$0")/../.." || exit 1
passed=0
failed=0
gaps=0

# CASE/CHECK -> why it cannot pass yet (the engine feature that is missing).
declare -A KNOWN_GAPS=(
    [banking/concurrent-sessions]="one process at a time: a second strata process gets 'database is locked' (55P03) on open"
    [social/second-session-posts-concurrently]="one process at a time: a second strata process gets 'database is locked' (55P03) on open"
)

# The list is about strata; PostgreSQL (EX_CLIENT=psql) has none of these gaps.
[ "$EX_CLIENT" = strata ] || KNOWN_GAPS=()
# Through the server (EX_CLIENT=serve, the second pass below) several client
# processes share the database, so the one-process gaps do not apply there.
SERVE_CLEARS=(banking/concurrent-sessions social/second-session-posts-concurrently)

# How many checks each runner reports; a runner that reports fewer has lost
# some, which is a failure.
declare -A EXPECTED_CHECKS=(
    [analytics]=18
    [banking]=14
    [idempotency]=9
    [inventory]=16
    [social]=15
)

if [ "$EX_CLIENT" = strata ] && [ ! -x "$STRATA" ]; then
    echo "examples_test: $STRATA not built"
    echo "examples_test: 0 passed, 1 failed"
    exit 1
fi

run_case() {
    local name=$1 script=$2 log line check rest seen=0 rc
    declare -A reported=()
    log=$(mktemp "${TMPDIR:-/tmp}/strata-examples-$name.XXXXXX")
    timeout 600 bash "$script" >"$log" 2>&1
    rc=$?
    grep -E '^seed |^[a-z]+: ' "$log"
    while IFS= read -r line; do
        case $line in
        "ok "*)
            check=${line#ok }
            reported[$check]=1
            passed=$((passed + 1))
            if [ -n "${KNOWN_GAPS[$check]:-}" ]; then
                echo "NOTE: known gap $check passes now; remove it from KNOWN_GAPS"
            fi
            ;;
        "FAIL "*)
            rest=${line#FAIL }
            check=${rest%%: *}
            reported[$check]=1
            if [ -n "${KNOWN_GAPS[$check]:-}" ]; then
                gaps=$((gaps + 1))
                echo "KNOWN GAP: $check: ${KNOWN_GAPS[$check]} -- ${rest#*: }"
            else
                failed=$((failed + 1))
                echo "$line"
                seen=1
                continue
            fi
            ;;
        "  "*)
            [ $seen = 1 ] && echo "$line"
            continue
            ;;
        esac
        seen=0
    done <"$log"
    if ! grep -qx "done $name" "$log"; then
        failed=$((failed + 1))
        echo "FAIL $name: the runner did not finish (exit $rc); last lines:"
        tail -5 "$log" | sed 's/^/  /'
    fi
    if [ "${#reported[@]}" -ne "${EXPECTED_CHECKS[$name]:-0}" ]; then
        failed=$((failed + 1))
        echo "FAIL $name: reported ${#reported[@]} checks, expected ${EXPECTED_CHECKS[$name]:-?}"
    fi
    for check in "${!KNOWN_GAPS[@]}"; do
        if [[ $check == "$name/"* ]] && [ -z "${reported[$check]:-}" ]; then
            failed=$((failed + 1))
            echo "FAIL $check: listed in KNOWN_GAPS but not reported by the runner"
        fi
    done
    rm -f "$log"
}

for script in examples/*/run.sh; do
    name=$(basename "$(dirname "$script")")
    run_case "$name" "$script"
done

# Second pass: every case study again through `strata serve` with psql as
# the client, several psql processes at once on one database.
if [ "$EX_CLIENT" = strata ]; then
    if command -v psql >/dev/null 2>&1; then
        export EX_CLIENT=serve
        for check in "${SERVE_CLEARS[@]}"; do unset "KNOWN_GAPS[$check]"; done
        echo "examples through strata serve and psql:"
        for script in examples/*/run.sh; do
            name=$(basename "$(dirname "$script")")
            run_case "$name" "$script"
        done
    else
        echo "examples_test: psql not installed; the pass through strata serve is SKIPPED"
    fi
fi

echo "examples_test: $gaps known gaps (not counted)"
echo "examples_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
