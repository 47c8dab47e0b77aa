/*
 * tests/crash/crash_test.c - crash torture: kill -9 a writer at random moments and
 * check that recovery keeps every acknowledged commit and no partial transaction.
 *
 * A child process opens the database through the public API and runs transactions in
 * a loop. Each one inserts a random number of rows with consecutive ids (some values
 * large enough to need overflow pages), bumps a counter row by the same number, and
 * sometimes rewrites earlier rows; it also inserts into and deletes from a scratch
 * table, half the time undone by ROLLBACK TO SAVEPOINT. After COMMIT returns, the child
 * writes the transaction's last id to a pipe: that commit has been acknowledged.
 * The parent kills the child with SIGKILL after a random delay, drains the pipe,
 * reopens the database and checks:
 *   1. every acknowledged id is present (ids 1..last_acked all exist);
 *   2. no partial transaction: count(*) of the rows equals the counter;
 *   3. the integrity check (SELECT strata_check()) reports ok (it also compares every
 *      table's exact row count with its rows).
 * Kills: 200 with STRATA_TEST_FULL=1, 20 with STRATA_TEST_QUICK=1, 60 otherwise.
 * The seed is printed; STRATA_SEED=n replays the same kill schedule.
 *
 * test_kill_concurrent_writers does the same with WRITERS threads in the child, each
 * on its own connection to the one database, so that the kills land while one writer
 * holds the writer lock and appends while another waits for its group-commit fsync
 * (docs/storage.md, "Commit durability and group commit"). Each runs TPC-B-like
 * transfers: move an amount between two of a few accounts, append a ledger row
 * (writer, seq), bump the writer's counter; after COMMIT it writes (writer, seq) to
 * the pipe. Checks after each kill: every acknowledged (writer, seq) is in the
 * ledger, each writer's ledger rows equal its counter (no partial transaction), the
 * balances still sum to the starting total, and strata_check() is ok.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strata.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static char db_path[512];

static int exec_or_report(strata_db *db, const char *sql)
{
    int rc = strata_exec(db, sql, NULL, NULL);
    if (rc != STRATA_OK) {
        fprintf(stderr, "  sql failed: %s: %s (%s)\n", sql, strata_errmsg(db), strata_sqlstate(db));
    }
    return rc;
}

static int64_t query_int(strata_db *db, const char *sql, int *ok)
{
    strata_stmt *stmt = NULL;
    int64_t value = -1;
    *ok = 0;
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        fprintf(stderr, "  prepare failed: %s: %s\n", sql, strata_errmsg(db));
        return -1;
    }
    if (strata_step(stmt) == STRATA_ROW) {
        value = strata_column_is_null(stmt, 0) ? 0 : strata_column_int64(stmt, 0);
        *ok = 1;
    } else {
        fprintf(stderr, "  step failed: %s: %s\n", sql, strata_errmsg(db));
    }
    strata_finalize(stmt);
    return value;
}

/* Inserts into and deletes from the scratch table inside the writer's
 * transaction, with a savepoint rolled back half the time, so that kills land
 * in commits and recoveries of inserts, deletes and undone savepoints;
 * strata_check() then compares each table's exact row count with its rows. */
static int scratch_step(strata_db *db, uint64_t *rng)
{
    char sql[256];
    int ok;
    int64_t top = query_int(db, "SELECT coalesce(max(id), 0) FROM scratch", &ok);
    int adds = 1 + (int)(test_rand(rng) % 8);
    snprintf(sql, sizeof sql,
             "INSERT INTO scratch SELECT g, 's' FROM generate_series(%lld, %lld) g",
             (long long)top + 1, (long long)top + adds);
    int rc = ok ? exec_or_report(db, "SAVEPOINT scratch") : STRATA_ERROR;
    rc = rc == STRATA_OK ? exec_or_report(db, sql) : rc;
    snprintf(sql, sizeof sql, "DELETE FROM scratch WHERE id <= %lld",
             (long long)top - 20 + (long long)(test_rand(rng) % 10));
    rc = rc == STRATA_OK ? exec_or_report(db, sql) : rc;
    if (rc == STRATA_OK && test_rand(rng) % 2 == 0) {
        rc = exec_or_report(db, "ROLLBACK TO SAVEPOINT scratch");
    }
    return rc == STRATA_OK ? exec_or_report(db, "RELEASE SAVEPOINT scratch") : rc;
}

/* The writer: runs until killed. Never returns. */
static void child_writer(int ack_fd, uint64_t seed)
{
    strata_db *db = NULL;
    if (strata_open(db_path, &db) != STRATA_OK) {
        fprintf(stderr, "  child: open failed: %s\n", db ? strata_errmsg(db) : "?");
        _exit(2);
    }
    /* The schema is created in one transaction, so after a kill it is either
     * all there or not at all; -1 on the pipe says it has committed. */
    if (exec_or_report(db, "BEGIN") != STRATA_OK ||
        exec_or_report(db, "CREATE TABLE IF NOT EXISTS item (id bigint PRIMARY KEY, "
                           "payload text NOT NULL, generation int NOT NULL)") != STRATA_OK ||
        exec_or_report(db, "CREATE TABLE IF NOT EXISTS counter (k int PRIMARY KEY, n bigint)") !=
            STRATA_OK ||
        exec_or_report(db, "CREATE TABLE IF NOT EXISTS scratch (id bigint PRIMARY KEY, v text)") !=
            STRATA_OK ||
        exec_or_report(db, "INSERT INTO counter VALUES (1, 0) ON CONFLICT (k) DO NOTHING") !=
            STRATA_OK ||
        exec_or_report(db, "COMMIT") != STRATA_OK) {
        _exit(2);
    }
    int64_t setup_done = -1;
    if (write(ack_fd, &setup_done, sizeof setup_done) != (ssize_t)sizeof setup_done) {
        _exit(4);
    }
    int ok;
    int64_t next_id = query_int(db, "SELECT coalesce(max(id), 0) FROM item", &ok) + 1;
    if (!ok) {
        _exit(2);
    }
    strata_stmt *insert = NULL, *bump = NULL, *rewrite = NULL;
    if (strata_prepare(db, "INSERT INTO item VALUES ($1, $2, $3)", -1, &insert, NULL) != STRATA_OK ||
        strata_prepare(db, "UPDATE counter SET n = n + $1 WHERE k = 1", -1, &bump, NULL) !=
            STRATA_OK ||
        strata_prepare(db, "UPDATE item SET payload = $2, generation = generation + 1 WHERE id = $1",
                       -1, &rewrite, NULL) != STRATA_OK) {
        fprintf(stderr, "  child: prepare failed: %s\n", strata_errmsg(db));
        _exit(2);
    }
    static char payload[200000];
    uint64_t rng = seed;
    for (;;) {
        int rows = 1 + (int)(test_rand(&rng) % 20);
        if (exec_or_report(db, "BEGIN") != STRATA_OK) {
            _exit(3);
        }
        for (int row = 0; row < rows; row++) {
            size_t length = (test_rand(&rng) % 50 == 0) ? 20000 + test_rand(&rng) % 150000
                                                         : 10 + test_rand(&rng) % 300;
            memset(payload, 'a' + (int)(test_rand(&rng) % 26), length);
            strata_bind_int64(insert, 1, next_id + row);
            strata_bind_text(insert, 2, payload, (int)length);
            strata_bind_int64(insert, 3, 0);
            if (strata_step(insert) != STRATA_DONE) {
                fprintf(stderr, "  child: insert failed: %s\n", strata_errmsg(db));
                _exit(3);
            }
            strata_reset(insert);
        }
        if (next_id > 1 && test_rand(&rng) % 3 == 0) {
            strata_bind_int64(rewrite, 1, 1 + (int64_t)(test_rand(&rng) % (uint64_t)(next_id - 1)));
            strata_bind_text(rewrite, 2, payload, 1 + (int)(test_rand(&rng) % 500));
            if (strata_step(rewrite) != STRATA_DONE) {
                _exit(3);
            }
            strata_reset(rewrite);
        }
        strata_bind_int64(bump, 1, rows);
        if (strata_step(bump) != STRATA_DONE) {
            _exit(3);
        }
        strata_reset(bump);
        if (scratch_step(db, &rng) != STRATA_OK) {
            _exit(3);
        }
        if (exec_or_report(db, "COMMIT") != STRATA_OK) {
            _exit(3);
        }
        next_id += rows;
        int64_t acked = next_id - 1;
        if (write(ack_fd, &acked, sizeof acked) != (ssize_t)sizeof acked) {
            _exit(4);
        }
    }
}

/* Acknowledgements: -1 = the schema has committed, n > 0 = ids 1..n have committed. */
static bool schema_acked;

static int64_t note_ack(int64_t last, int64_t value)
{
    if (value < 0) {
        schema_acked = true;
        return last;
    }
    return value;
}

static int64_t drain_acks(int fd, int64_t last)
{
    int64_t value;
    while (read(fd, &value, sizeof value) == (ssize_t)sizeof value) {
        last = note_ack(last, value);
    }
    return last;
}

/* Reopens the database and checks the three properties; returns 1 if all hold. */
static int verify(int64_t last_acked, int kill_number)
{
    strata_db *db = NULL;
    if (strata_open(db_path, &db) != STRATA_OK) {
        fprintf(stderr, "  kill %d: reopen failed: %s\n", kill_number, db ? strata_errmsg(db) : "?");
        strata_close(db);
        return 0;
    }
    int ok1, ok2, ok3, ok4;
    if (!schema_acked) {
        /* Killed before the schema committed: it must be wholly absent or wholly present. */
        int64_t tables = query_int(db, "SELECT count(*) FROM information_schema.tables "
                                       "WHERE table_name IN ('item', 'counter')", &ok1);
        if (ok1 && tables == 0) {
            strata_close(db);
            return 1;
        }
        if (!ok1 || tables != 2) {
            fprintf(stderr, "  kill %d: schema half created (%lld of 2 tables)\n", kill_number,
                    (long long)tables);
            strata_close(db);
            return 0;
        }
    }
    int64_t count = query_int(db, "SELECT count(*) FROM item", &ok1);
    int64_t counter = query_int(db, "SELECT n FROM counter WHERE k = 1", &ok2);
    int64_t present = query_int(db, "SELECT count(*) FROM item WHERE id <= (SELECT max(id) FROM item)", &ok3);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM item WHERE id <= %lld", (long long)last_acked);
    int64_t acked_present = query_int(db, sql, &ok4);
    int good = 1;
    if (!(ok1 && ok2 && ok3 && ok4)) {
        good = 0;
    } else {
        if (count != counter) {
            fprintf(stderr, "  kill %d: partial transaction: %lld rows but counter %lld\n",
                    kill_number, (long long)count, (long long)counter);
            good = 0;
        }
        if (acked_present != last_acked) {
            fprintf(stderr, "  kill %d: lost acknowledged commits: %lld of ids 1..%lld present\n",
                    kill_number, (long long)acked_present, (long long)last_acked);
            good = 0;
        }
        (void)present;
    }
    strata_stmt *check = NULL;
    if (strata_prepare(db, "SELECT strata_check()", -1, &check, NULL) == STRATA_OK &&
        strata_step(check) == STRATA_ROW) {
        const char *verdict = strata_column_text(check, 0);
        if (verdict == NULL || strcmp(verdict, "ok") != 0) {
            fprintf(stderr, "  kill %d: integrity check: %s\n", kill_number, verdict ? verdict : "NULL");
            good = 0;
        }
    } else {
        fprintf(stderr, "  kill %d: integrity check failed to run: %s\n", kill_number, strata_errmsg(db));
        good = 0;
    }
    strata_finalize(check);
    strata_close(db);
    return good;
}

static void test_kill_loop(void)
{
    uint64_t seed = test_seed("crash_test");
    uint64_t rng = seed;
    int kills = getenv("STRATA_TEST_FULL") ? 200 : getenv("STRATA_TEST_QUICK") ? 20 : 60;
    char dir_template[] = "/tmp/strata-crash-XXXXXX";
    char *dir = mkdtemp(dir_template);
    REQUIRE(dir != NULL);
    snprintf(db_path, sizeof db_path, "%s/crash.db", dir);
    int64_t last_acked = 0;
    int failures = 0;
    for (int kill_number = 1; kill_number <= kills && failures == 0; kill_number++) {
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        uint64_t child_seed = test_rand(&rng);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_writer(fds[1], child_seed);
        }
        close(fds[1]);
        /* Wait a random time (1..150 ms) while acknowledgements arrive, then kill. */
        long delay_ms = 1 + (long)(test_rand(&rng) % 150);
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (elapsed >= delay_ms) {
                break;
            }
            if (poll(&pfd, 1, (int)(delay_ms - elapsed)) > 0) {
                int64_t value;
                if (read(fds[0], &value, sizeof value) == (ssize_t)sizeof value) {
                    last_acked = note_ack(last_acked, value);
                } else {
                    break; /* child exited early */
                }
            }
        }
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        last_acked = drain_acks(fds[0], last_acked);
        close(fds[0]);
        if (WIFEXITED(status)) {
            fprintf(stderr, "  kill %d: writer exited on its own with status %d\n", kill_number,
                    WEXITSTATUS(status));
            failures++;
            break;
        }
        if (!verify(last_acked, kill_number)) {
            failures++;
        }
    }
    printf("crash_test: %d kills, %lld acknowledged rows survived\n", kills, (long long)last_acked);
    CHECK_EQ_INT(failures, 0);
    if (failures == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "  could not remove %s\n", dir);
        }
    } else {
        fprintf(stderr, "  database kept in %s for inspection\n", dir);
    }
}

/* ---- concurrent writers ---- */

enum { WRITERS = 2, ACCOUNTS = 5, ACCOUNT_START = 1000 };

typedef struct Ack {
    int64_t writer; /* -1: the schema has committed */
    int64_t seq;
} Ack;

typedef struct TransferWriter {
    int ack_fd;
    int writer;
    uint64_t seed;
} TransferWriter;

static bool is_retryable(strata_db *db)
{
    const char *state = strata_sqlstate(db);
    return state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "55P03") == 0);
}

/* One writer thread of the child: transfers until the process is killed. */
static void *transfer_writer(void *arg)
{
    TransferWriter *w = arg;
    strata_db *db = NULL;
    if (strata_open(db_path, &db) != STRATA_OK) {
        fprintf(stderr, "  writer %d: open failed\n", w->writer);
        _exit(2);
    }
    strata_busy_timeout(db, 60000);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(seq), 0) FROM ledger WHERE writer = %d", w->writer);
    int ok;
    int64_t seq = query_int(db, sql, &ok);
    if (!ok) {
        _exit(2);
    }
    strata_stmt *debit = NULL, *credit = NULL, *append = NULL, *bump = NULL;
    if (strata_prepare(db, "UPDATE account SET balance = balance - $2 WHERE id = $1", -1, &debit,
                       NULL) != STRATA_OK ||
        strata_prepare(db, "UPDATE account SET balance = balance + $2 WHERE id = $1", -1, &credit,
                       NULL) != STRATA_OK ||
        strata_prepare(db, "INSERT INTO ledger VALUES ($1, $2, $3, $4)", -1, &append, NULL) !=
            STRATA_OK ||
        strata_prepare(db, "UPDATE counter SET n = n + 1 WHERE k = $1", -1, &bump, NULL) !=
            STRATA_OK) {
        fprintf(stderr, "  writer %d: prepare failed: %s\n", w->writer, strata_errmsg(db));
        _exit(2);
    }
    uint64_t rng = w->seed;
    for (;;) {
        int64_t from = 1 + (int64_t)(test_rand(&rng) % ACCOUNTS);
        int64_t to = 1 + (int64_t)(test_rand(&rng) % ACCOUNTS);
        int64_t amount = 1 + (int64_t)(test_rand(&rng) % 50);
        bool done = strata_exec(db, "BEGIN", NULL, NULL) == STRATA_OK;
        strata_bind_int64(debit, 1, from);
        strata_bind_int64(debit, 2, amount);
        done = done && strata_step(debit) == STRATA_DONE;
        strata_reset(debit);
        strata_bind_int64(credit, 1, to);
        strata_bind_int64(credit, 2, amount);
        done = done && strata_step(credit) == STRATA_DONE;
        strata_reset(credit);
        strata_bind_int64(append, 1, w->writer);
        strata_bind_int64(append, 2, seq + 1);
        strata_bind_int64(append, 3, from);
        strata_bind_int64(append, 4, amount);
        done = done && strata_step(append) == STRATA_DONE;
        strata_reset(append);
        strata_bind_int64(bump, 1, w->writer);
        done = done && strata_step(bump) == STRATA_DONE;
        strata_reset(bump);
        done = done && strata_exec(db, "COMMIT", NULL, NULL) == STRATA_OK;
        if (!done) {
            if (!is_retryable(db)) {
                fprintf(stderr, "  writer %d: %s (%s)\n", w->writer, strata_errmsg(db),
                        strata_sqlstate(db));
                _exit(3);
            }
            strata_exec(db, "ROLLBACK", NULL, NULL);
            continue;
        }
        seq++;
        Ack ack = {w->writer, seq};
        if (write(w->ack_fd, &ack, sizeof ack) != (ssize_t)sizeof ack) {
            _exit(4);
        }
    }
    return NULL;
}

/* The child: schema, then WRITERS threads transferring until killed. */
static void child_concurrent(int ack_fd, uint64_t seed)
{
    strata_db *db = NULL;
    if (strata_open(db_path, &db) != STRATA_OK) {
        _exit(2);
    }
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO account SELECT g, %d FROM generate_series(1, %d) g ON CONFLICT (id) DO NOTHING",
             ACCOUNT_START, ACCOUNTS);
    if (exec_or_report(db, "BEGIN") != STRATA_OK ||
        exec_or_report(db, "CREATE TABLE IF NOT EXISTS account (id int PRIMARY KEY, balance bigint)") !=
            STRATA_OK ||
        exec_or_report(db, "CREATE TABLE IF NOT EXISTS ledger (writer int, seq bigint, account int, "
                           "amount bigint, PRIMARY KEY (writer, seq))") != STRATA_OK ||
        exec_or_report(db, "CREATE TABLE IF NOT EXISTS counter (k int PRIMARY KEY, n bigint)") !=
            STRATA_OK ||
        exec_or_report(db, sql) != STRATA_OK ||
        exec_or_report(db, "INSERT INTO counter SELECT g, 0 FROM generate_series(0, 1) g "
                           "ON CONFLICT (k) DO NOTHING") != STRATA_OK ||
        exec_or_report(db, "COMMIT") != STRATA_OK) {
        _exit(2);
    }
    Ack setup = {-1, 0};
    if (write(ack_fd, &setup, sizeof setup) != (ssize_t)sizeof setup) {
        _exit(4);
    }
    static TransferWriter writers[WRITERS];
    pthread_t threads[WRITERS];
    for (int writer = 0; writer < WRITERS; writer++) {
        writers[writer] = (TransferWriter){ack_fd, writer, seed + (uint64_t)writer * 7919};
        if (pthread_create(&threads[writer], NULL, transfer_writer, &writers[writer]) != 0) {
            _exit(2);
        }
    }
    for (int writer = 0; writer < WRITERS; writer++) {
        pthread_join(threads[writer], NULL);
    }
    _exit(5);
}

static bool concurrent_schema_acked;

static void note_concurrent_ack(const Ack *ack, int64_t *acked)
{
    if (ack->writer < 0) {
        concurrent_schema_acked = true;
    } else if (ack->writer < WRITERS && ack->seq > acked[ack->writer]) {
        acked[ack->writer] = ack->seq;
    }
}

static int verify_concurrent(const int64_t *acked, int kill_number)
{
    strata_db *db = NULL;
    if (strata_open(db_path, &db) != STRATA_OK) {
        fprintf(stderr, "  kill %d: reopen failed\n", kill_number);
        strata_close(db);
        return 0;
    }
    int ok;
    if (!concurrent_schema_acked) {
        int64_t tables = query_int(db, "SELECT count(*) FROM information_schema.tables "
                                       "WHERE table_name IN ('account', 'ledger', 'counter')", &ok);
        strata_close(db);
        if (ok && (tables == 0 || tables == 3)) {
            return 1;
        }
        fprintf(stderr, "  kill %d: schema half created\n", kill_number);
        return 0;
    }
    int good = 1;
    char sql[160];
    for (int writer = 0; writer < WRITERS; writer++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM ledger WHERE writer = %d AND seq <= %lld",
                 writer, (long long)acked[writer]);
        int64_t present = query_int(db, sql, &ok);
        if (!ok || present != acked[writer]) {
            fprintf(stderr, "  kill %d: writer %d: %lld of its %lld acknowledged commits present\n",
                    kill_number, writer, (long long)present, (long long)acked[writer]);
            good = 0;
        }
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM ledger WHERE writer = %d) - "
                 "(SELECT n FROM counter WHERE k = %d)", writer, writer);
        int64_t difference = query_int(db, sql, &ok);
        if (!ok || difference != 0) {
            fprintf(stderr, "  kill %d: writer %d: partial transaction (ledger - counter = %lld)\n",
                    kill_number, writer, (long long)difference);
            good = 0;
        }
    }
    int64_t total = query_int(db, "SELECT sum(balance) FROM account", &ok);
    if (!ok || total != (int64_t)ACCOUNTS * ACCOUNT_START) {
        fprintf(stderr, "  kill %d: balances sum to %lld, not %d\n", kill_number, (long long)total,
                ACCOUNTS * ACCOUNT_START);
        good = 0;
    }
    strata_stmt *check = NULL;
    if (strata_prepare(db, "SELECT strata_check()", -1, &check, NULL) == STRATA_OK &&
        strata_step(check) == STRATA_ROW) {
        const char *verdict = strata_column_text(check, 0);
        if (verdict == NULL || strcmp(verdict, "ok") != 0) {
            fprintf(stderr, "  kill %d: integrity check: %s\n", kill_number, verdict ? verdict : "NULL");
            good = 0;
        }
    } else {
        good = 0;
    }
    strata_finalize(check);
    strata_close(db);
    return good;
}

static void test_kill_concurrent_writers(void)
{
    uint64_t seed = test_seed("crash_test concurrent");
    uint64_t rng = seed;
    int kills = getenv("STRATA_TEST_FULL") ? 200 : getenv("STRATA_TEST_QUICK") ? 15 : 40;
    char dir_template[] = "/tmp/strata-crash2-XXXXXX";
    char *dir = mkdtemp(dir_template);
    REQUIRE(dir != NULL);
    snprintf(db_path, sizeof db_path, "%s/crash.db", dir);
    int64_t acked[WRITERS] = {0};
    int failures = 0;
    int64_t both_progressed = 0;
    for (int kill_number = 1; kill_number <= kills && failures == 0; kill_number++) {
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        uint64_t child_seed = test_rand(&rng);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_concurrent(fds[1], child_seed);
        }
        close(fds[1]);
        int64_t before[WRITERS];
        memcpy(before, acked, sizeof before);
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        /* Every other kill first waits (up to 60 s) until both writers of this
         * child have committed, so that kills land among interleaved commits
         * however slow the machine is; the others may land anywhere, opening
         * and schema included. */
        bool is_waiting = kill_number % 2 == 0;
        struct timespec wait_start, wait_now;
        clock_gettime(CLOCK_MONOTONIC, &wait_start);
        for (wait_now = wait_start; is_waiting && wait_now.tv_sec - wait_start.tv_sec < 60;
             clock_gettime(CLOCK_MONOTONIC, &wait_now)) {
            bool all_moved = true;
            for (int writer = 0; writer < WRITERS; writer++) {
                all_moved = all_moved && acked[writer] > before[writer];
            }
            if (all_moved) {
                break;
            }
            if (poll(&pfd, 1, 10) > 0) {
                Ack ack;
                if (read(fds[0], &ack, sizeof ack) != (ssize_t)sizeof ack) {
                    break; /* child exited early */
                }
                note_concurrent_ack(&ack, acked);
            }
        }
        long delay_ms = (is_waiting ? 0 : 5) + (long)(test_rand(&rng) % 150);
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (elapsed >= delay_ms) {
                break;
            }
            if (poll(&pfd, 1, (int)(delay_ms - elapsed)) > 0) {
                Ack ack;
                if (read(fds[0], &ack, sizeof ack) != (ssize_t)sizeof ack) {
                    break; /* child exited early */
                }
                note_concurrent_ack(&ack, acked);
            }
        }
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        Ack ack;
        while (read(fds[0], &ack, sizeof ack) == (ssize_t)sizeof ack) {
            note_concurrent_ack(&ack, acked);
        }
        close(fds[0]);
        if (WIFEXITED(status)) {
            fprintf(stderr, "  kill %d: child exited on its own with status %d\n", kill_number,
                    WEXITSTATUS(status));
            failures++;
            break;
        }
        bool all_moved = true;
        for (int writer = 0; writer < WRITERS; writer++) {
            all_moved = all_moved && acked[writer] > before[writer];
        }
        both_progressed += all_moved;
        if (!verify_concurrent(acked, kill_number)) {
            failures++;
        }
    }
    printf("crash_test concurrent: %d kills, acknowledged commits %lld and %lld survived, both "
           "writers committed before %lld of the kills\n",
           kills, (long long)acked[0], (long long)acked[1], (long long)both_progressed);
    CHECK_EQ_INT(failures, 0);
    /* The test means something only if the writers did interleave: every other
     * kill waits for that. */
    CHECK(both_progressed >= kills / 2);
    CHECK(acked[0] > 0 && acked[1] > 0);
    if (failures == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "  could not remove %s\n", dir);
        }
    } else {
        fprintf(stderr, "  database kept in %s for inspection\n", dir);
    }
}

int main(void)
{
    TEST_RUN(test_kill_loop);
    TEST_RUN(test_kill_concurrent_writers);
    return test_summary("crash_test");
}
