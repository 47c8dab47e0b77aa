# examples/lib.sh - shared helpers for the case-study runners
# (sourced by examples/*/run.sh; not a program itself).
#
# Every case study runs against either
#   * strata (the default): the shell "$STRATA" (default
#     ${STRATA_BUILD:-build/release}/strata) on a fresh database file in a
#     private temporary directory, or
#   * PostgreSQL (EX_CLIENT=psql): psql on a fresh database named ex_<case>
#     created with createdb on the server that PGHOST/PGPORT/PGUSER name,
#   * strata's server (EX_CLIENT=serve): `strata serve` on a fresh database
#     file, listening on a unix socket in the case's temporary directory (and
#     a random loopback port), with psql as the client; this is how several
#     processes use one strata database at once,
# so the same SQL can be checked against the real PostgreSQL.
#
# Output protocol (read by tests/examples/examples_test.sh):
#   ok CASE/CHECK                 a check ran and held
#   FAIL CASE/CHECK: DETAIL       a check failed or could not run; more detail
#                                 lines may follow, indented by two spaces
#   done CASE                     the runner reached its end
# Every check a runner declares prints exactly one ok or FAIL line, also
# when an earlier step failed (then the FAIL says which step).
#
# Sessions: ex_sess_open starts a long-lived client reading statements from a
# FIFO, the way an application holds a connection. ex_sess_run writes SQL,
# then "\echo <marker>", and reads the merged stdout/stderr up to the marker,
# so it knows exactly which output belongs to which statement without any
# sleeping. Several sessions (also in background subshells) may be open at
# once; each lives in its own FIFO pair under EX_WORK.

EX_CASE=
EX_WORK=
EX_DB=
EX_CLIENT=${EX_CLIENT:-strata}
EX_SEQ=0
EX_OUT=
EX_TIMEOUT_S=${EX_TIMEOUT_S:-60}
declare -A EX_SESS_PID EX_SESS_IN EX_SESS_OUT

# ex_setup CASE - fresh work directory and database for one case study.
ex_setup() {
    EX_CASE=$1
    EX_DIR=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
    EX_WORK=$(mktemp -d "${TMPDIR:-/tmp}/strata-example-$EX_CASE.XXXXXX")
    trap ex_cleanup EXIT
    # A write to the FIFO of a client that died must fail, not kill the runner.
    trap '' PIPE
    if [ "$EX_CLIENT" = psql ]; then
        EX_DB=ex_$EX_CASE
        dropdb --if-exists "$EX_DB" >/dev/null 2>&1
        createdb "$EX_DB" || { echo "FAIL $EX_CASE/setup: createdb $EX_DB failed"; exit 1; }
    elif [ "$EX_CLIENT" = serve ]; then
        STRATA=${STRATA:-${STRATA_BUILD:-build/release}/strata}
        case $STRATA in /*) ;; *) STRATA=$PWD/$STRATA ;; esac
        EX_DB=$EX_WORK/$EX_CASE.db
        ex_serve_start || { echo "FAIL $EX_CASE/setup: strata serve did not start"; \
                            sed 's/^/  /' "$EX_WORK/server.log"; exit 1; }
    else
        STRATA=${STRATA:-${STRATA_BUILD:-build/release}/strata}
        case $STRATA in /*) ;; *) STRATA=$PWD/$STRATA ;; esac
        if [ ! -x "$STRATA" ]; then
            echo "FAIL $EX_CASE/setup: $STRATA is not built"
            exit 1
        fi
        EX_DB=$EX_WORK/$EX_CASE.db
    fi
    ex_seed
}

# ex_seed - seeds bash's RANDOM from STRATA_SEED (or a fresh seed) and prints it.
ex_seed() {
    EX_SEED=${STRATA_SEED:-$(( $(date +%s%N) % 1000000 ))}
    RANDOM=$EX_SEED
    echo "seed $EX_CASE: $EX_SEED (replay with STRATA_SEED=$EX_SEED)"
}

# ex_serve_start - starts `strata serve` on EX_DB (socket in EX_WORK, a free
# random loopback port) and waits until it answers; 1 if it never does.
ex_serve_start() {
    local attempt i
    for attempt in 1 2 3 4 5; do
        EX_PORT=$((20000 + RANDOM % 40000))
        "$STRATA" serve --listen "127.0.0.1:$EX_PORT" --socket "$EX_WORK" --max-connections 64 \
            "$EX_DB" >"$EX_WORK/server.log" 2>&1 &
        EX_SERVER_PID=$!
        for ((i = 0; i < 200; i++)); do
            if psql -X -q -t -A -h "$EX_WORK" -p "$EX_PORT" -d "$EX_CASE" -c 'SELECT 1' \
                   >/dev/null 2>&1; then
                return 0
            fi
            kill -0 "$EX_SERVER_PID" 2>/dev/null || break
            sleep 0.05
        done
        kill "$EX_SERVER_PID" 2>/dev/null
        wait "$EX_SERVER_PID" 2>/dev/null
        EX_SERVER_PID=
    done
    return 1
}

# ex_psql [OPTION...] - psql on this case's database (PostgreSQL's, or strata serve's).
ex_psql() {
    if [ "$EX_CLIENT" = serve ]; then
        psql -X -q -t -A -h "$EX_WORK" -p "$EX_PORT" -d "$EX_CASE" "$@"
    else
        psql -X -q -t -A -d "$EX_DB" "$@"
    fi
}

ex_cleanup() {
    local name
    for name in "${!EX_SESS_PID[@]}"; do
        kill -9 "${EX_SESS_PID[$name]}" 2>/dev/null
    done
    if [ -n "${EX_SERVER_PID:-}" ]; then
        kill "$EX_SERVER_PID" 2>/dev/null   # SIGTERM: a clean shutdown
        wait "$EX_SERVER_PID" 2>/dev/null
    fi
    if [ -n "$EX_WORK" ] && [ -z "${KEEP_EXAMPLE_DIR:-}" ]; then
        rm -rf "$EX_WORK"
    fi
}

# ex_client [OPTION...] - the client on this case's database: tuples only,
# unaligned, quiet, no startup file. Extra options (-c, -f, -v ...) pass through.
ex_client() {
    if [ "$EX_CLIENT" != strata ]; then
        ex_psql "$@"
    else
        "$STRATA" -X -q -t -A "$@" "$EX_DB"
    fi
}

ex_ok() { echo "ok $EX_CASE/$1"; }

# ex_fail CHECK DETAIL [MORE...] - one FAIL line, then indented detail lines.
ex_fail() {
    local name=$1 first=$2
    shift 2
    echo "FAIL $EX_CASE/$name: $(echo "$first" | head -1)"
    { echo "$first" | tail -n +2; for line in "$@"; do echo "$line"; done; } |
        head -20 | sed 's/^/  /'
}

# ex_step NAME FILE - runs a SQL file, stopping at its first error.
# Returns 0 when the whole file ran; prints ok/FAIL NAME either way.
ex_step() {
    local name=$1 file=$2 out rc
    out=$(ex_client -v ON_ERROR_STOP=1 -f "$file" 2>&1); rc=$?
    if [ $rc -eq 0 ] && ! grep -q 'ERROR:' <<<"$out"; then
        ex_ok "$name"
        return 0
    fi
    ex_fail "$name" "$(grep -m1 'ERROR:' <<<"$out" || echo "exit $rc")" "$out"
    return 1
}

# ex_query SQL - prints the rows of SQL (tuples only, unaligned); fails on error.
ex_query() {
    local out rc
    out=$(ex_client -v ON_ERROR_STOP=1 -c "$1" 2>&1); rc=$?
    echo "$out"
    [ $rc -eq 0 ] && ! grep -q 'ERROR:' <<<"$out"
}

# ex_check NAME SQL - SQL returns one boolean; the check holds when it is true.
ex_check() {
    local name=$1 out
    if out=$(ex_query "$2") && [ "$out" = t ]; then
        ex_ok "$name"
    elif [ "$out" = f ]; then
        ex_fail "$name" "invariant is false" "$2"
    else
        ex_fail "$name" "$(grep -m1 'ERROR:' <<<"$out" || echo "unexpected output: $out")" "$2"
    fi
}

# ex_check_file FILE - runs every "-- check: NAME" block of FILE through ex_check.
ex_check_file() {
    local file=$1 name= sql= line
    while IFS= read -r line || [ -n "$line" ]; do
        if [[ $line =~ ^--\ check:\ ([A-Za-z0-9_-]+) ]]; then
            [ -n "$name" ] && ex_check "$name" "$sql"
            name=${BASH_REMATCH[1]}
            sql=
        elif [ -n "$name" ] && [[ ! $line =~ ^-- ]]; then
            sql+="$line"$'\n'
        fi
    done <"$file"
    [ -n "$name" ] && ex_check "$name" "$sql"
}

# ex_expect_eq NAME EXPECTED ACTUAL
ex_expect_eq() {
    if [ "$2" == "$3" ]; then
        ex_ok "$1"
    else
        ex_fail "$1" "expected and actual differ" "expected: $(echo "$2" | head -5 | tr '\n' ' ')" \
            "actual:   $(echo "$3" | head -5 | tr '\n' ' ')"
    fi
}

# ex_sess_open NAME - starts a session; 0 when it answered, 1 when the client
# died (EX_OUT then holds what it printed, e.g. "database is locked").
ex_sess_open() {
    local name=$1 in=$EX_WORK/$1.in out=$EX_WORK/$1.out infd outfd
    rm -f "$in" "$out"
    mkfifo "$in" "$out"
    if [ "$EX_CLIENT" != strata ]; then
        ex_psql <"$in" >"$out" 2>&1 &
    else
        "$STRATA" -X -q -t -A "$EX_DB" <"$in" >"$out" 2>&1 &
    fi
    EX_SESS_PID[$name]=$!
    exec {infd}>"$in"
    exec {outfd}<"$out"
    EX_SESS_IN[$name]=$infd
    EX_SESS_OUT[$name]=$outfd
    ex_sess_run "$name" "SELECT 1;" && [ "$EX_OUT" = 1 ] && return 0
    ex_sess_close "$name"
    return 1
}

# ex_sess_open_wait NAME - ex_sess_open, retried while the database is locked
# by another process (strata lets one process open a file at a time); gives up
# after EX_OPEN_WAIT_S seconds (default 300: other sessions may hold the file
# for their whole workload, slowly under sanitizers). Sets EX_WAITED=1 when it
# had to wait, and EX_LOCKED_MSG to what the client said.
ex_sess_open_wait() {
    local deadline=$((SECONDS + ${EX_OPEN_WAIT_S:-300}))
    EX_WAITED=0
    while ! ex_sess_open "$1"; do
        if ! grep -qi 'locked\|55P03' <<<"$EX_OUT" || [ $SECONDS -ge $deadline ]; then
            return 1
        fi
        EX_WAITED=1
        EX_LOCKED_MSG=$EX_OUT
        sleep 0.05
    done
}

# ex_sess_run NAME SQL - sends SQL and collects its output into EX_OUT.
# Returns 1 if the session died or did not answer within EX_TIMEOUT_S.
ex_sess_run() {
    local name=$1 marker line
    EX_SEQ=$((EX_SEQ + 1))
    marker="__sync_${BASHPID}_$EX_SEQ"
    EX_OUT=
    # If the client already exited (e.g. "database is locked") the write fails;
    # what it printed before exiting is still read below, up to EOF.
    printf '%s\n\\echo %s\n' "$2" "$marker" >&"${EX_SESS_IN[$name]}" 2>/dev/null
    while IFS= read -r -t "$EX_TIMEOUT_S" -u "${EX_SESS_OUT[$name]}" line; do
        if [ "$line" = "$marker" ]; then
            EX_OUT=${EX_OUT%$'\n'}
            return 0
        fi
        EX_OUT+="$line"$'\n'
    done
    EX_OUT=${EX_OUT%$'\n'}
    [ -n "$EX_OUT" ] || EX_OUT="session $name: no answer (client exited or timed out)"
    return 1
}

# ex_sess_close NAME - ends the session normally (closes its input).
# "\q" rather than EOF, because other clients started later may have inherited
# the write end of this session's FIFO.
ex_sess_close() {
    local name=$1 infd=${EX_SESS_IN[$1]} outfd=${EX_SESS_OUT[$1]}
    printf '\\q\n' >&"$infd" 2>/dev/null
    exec {infd}>&- 2>/dev/null
    wait "${EX_SESS_PID[$name]}" 2>/dev/null
    exec {outfd}<&- 2>/dev/null
    unset "EX_SESS_PID[$name]"
}

# ex_sess_kill NAME - kill -9 of the client, as a crash in the middle of work.
ex_sess_kill() {
    local name=$1
    local infd=${EX_SESS_IN[$1]} outfd=${EX_SESS_OUT[$1]}
    kill -9 "${EX_SESS_PID[$name]}" 2>/dev/null
    wait "${EX_SESS_PID[$name]}" 2>/dev/null
    exec {infd}>&- 2>/dev/null
    exec {outfd}<&- 2>/dev/null
    unset "EX_SESS_PID[$name]"
}

# ex_has_error TEXT - true when TEXT contains an error report.
ex_has_error() { grep -q 'ERROR:' <<<"$1"; }

ex_done() { echo "done $EX_CASE"; }
