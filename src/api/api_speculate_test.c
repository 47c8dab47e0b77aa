/*
 * api/api_speculate_test.c - speculative write transactions (api_speculate.c):
 * a transaction block whose first write finds the writer lock busy runs beside
 * the lock's holder and commits when replaying its statements returns what its
 * client saw, else fails with 40001 leaving nothing behind. Driven through two
 * connections in one thread (the lock's holder is a block left open), then by
 * threads moving money between accounts, whose total must not change.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strata.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static char temp_dir[256];

static const char *temp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", temp_dir, name);
    return path;
}

static int run(strata_db *db, const char *sql)
{
    int rc = strata_exec(db, sql, NULL, NULL);
    if (rc != STRATA_OK) {
        fprintf(stderr, "  [%s] %s (%s)\n", sql, strata_errmsg(db), strata_sqlstate(db));
    }
    return rc;
}

/* First column of the first row as text ("<none>" for no row, "<error S>"). */
static const char *query1(strata_db *db, const char *sql)
{
    static __thread char out[256];
    strata_stmt *stmt = NULL;
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        snprintf(out, sizeof(out), "<error %s>", strata_sqlstate(db));
        return out;
    }
    int rc = strata_step(stmt);
    if (rc == STRATA_ROW) {
        const char *text = strata_column_text(stmt, 0);
        snprintf(out, sizeof(out), "%s", text != NULL ? text : "<null>");
    } else if (rc == STRATA_DONE) {
        snprintf(out, sizeof(out), "<none>");
    } else {
        snprintf(out, sizeof(out), "<error %s>", strata_sqlstate(db));
    }
    strata_finalize(stmt);
    return out;
}

/* The counters of pg_catalog.strata_stat_storage, as text "begins/kept/restarts/conflicts". */
static const char *spec_counters(strata_db *db)
{
    return query1(db, "SELECT speculative_begins || '/' || speculative_kept || '/' || "
                      "speculative_restarts || '/' || speculative_conflicts "
                      "FROM strata_stat_storage");
}

static void open_pair(const char *name, strata_db **a, strata_db **b)
{
    const char *path = temp_path(name);
    REQUIRE(strata_open(path, a) == STRATA_OK);
    REQUIRE(strata_open(path, b) == STRATA_OK);
    REQUIRE(run(*a, "CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL)") == STRATA_OK);
    REQUIRE(run(*a, "INSERT INTO acct SELECT g, 100 FROM generate_series(1, 10) g") == STRATA_OK);
}

/* Nothing committed while b ran: b keeps its pages. */
static void test_kept_when_nothing_committed(void)
{
    strata_db *a, *b;
    open_pair("kept.db", &a, &b);
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = bal - 1 WHERE id = 1") == STRATA_OK);
    /* a holds the writer lock; b's block begins beside it */
    REQUIRE(run(b, "BEGIN; UPDATE acct SET bal = bal + 5 WHERE id = 2") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 2"), "105");
    CHECK_EQ_STR(query1(a, "SELECT bal FROM acct WHERE id = 2"), "100");
    REQUIRE(run(a, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_INT(run(b, "COMMIT"), STRATA_OK);
    CHECK_EQ_STR(query1(a, "SELECT bal FROM acct WHERE id = 2"), "105");
    CHECK_EQ_STR(query1(a, "SELECT bal FROM acct WHERE id = 1"), "100");
    CHECK_EQ_STR(spec_counters(a), "1/1/0/0");
    strata_close(a);
    strata_close(b);
}

/* a commits first; b's blind update and insert are replayed on a's commit. */
static void test_replayed_after_commit(void)
{
    strata_db *a, *b;
    open_pair("replay.db", &a, &b);
    REQUIRE(run(a, "CREATE TABLE hist (who text, delta int)") == STRATA_OK);
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = bal - 10 WHERE id = 1") == STRATA_OK);
    REQUIRE(run(b, "BEGIN; UPDATE acct SET bal = bal + 7 WHERE id = 1") == STRATA_OK);
    /* a parameterized statement: replayed with its bound values */
    strata_stmt *ins = NULL;
    REQUIRE(strata_prepare(b, "INSERT INTO hist VALUES ($1, $2)", -1, &ins, NULL) == STRATA_OK);
    REQUIRE(strata_bind_text(ins, 1, "b", -1) == STRATA_OK);
    REQUIRE(strata_bind_int64(ins, 2, 7) == STRATA_OK);
    CHECK_EQ_INT(strata_step(ins), STRATA_DONE);
    strata_finalize(ins);
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 3"), "100");
    REQUIRE(run(a, "INSERT INTO hist VALUES ('a', -10); COMMIT") == STRATA_OK);
    CHECK_EQ_INT(run(b, "COMMIT"), STRATA_OK);
    /* both transfers are in: 100 - 10 + 7 */
    CHECK_EQ_STR(query1(a, "SELECT bal FROM acct WHERE id = 1"), "97");
    CHECK_EQ_STR(query1(a, "SELECT string_agg(who || delta, ',' ORDER BY who) FROM hist"),
                 "a-10,b7");
    CHECK_EQ_STR(spec_counters(a), "1/0/1/0");
    CHECK_EQ_STR(query1(a, "SELECT strata_check()"), "ok");
    strata_close(a);
    strata_close(b);
}

/* b's client saw a balance that a's commit changed: COMMIT fails with 40001
 * and none of b's changes remain. */
static void test_conflict_when_results_differ(void)
{
    strata_db *a, *b;
    open_pair("conflict.db", &a, &b);
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = bal - 10 WHERE id = 1") == STRATA_OK);
    REQUIRE(run(b, "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = 2") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 1"), "100");
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    CHECK_EQ_INT(strata_exec(b, "COMMIT", NULL, NULL), STRATA_ERROR);
    CHECK_EQ_STR(strata_sqlstate(b), "40001");
    CHECK_EQ_INT(strata_txn_state(b), 0); /* the block is over */
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 2"), "100");
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 1"), "90");
    CHECK_EQ_STR(spec_counters(a), "1/0/1/1");
    /* UPDATE ... RETURNING returns rows it changed: it waits for the lock
     * instead of running speculatively (a hot row's value would differ) */
    REQUIRE(strata_busy_timeout(b, 50) == STRATA_OK);
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = bal - 10 WHERE id = 1") == STRATA_OK);
    REQUIRE(run(b, "BEGIN") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "UPDATE acct SET bal = bal + 1 WHERE id = 1 RETURNING bal"),
                 "<error 55P03>");
    REQUIRE(run(b, "ROLLBACK") == STRATA_OK);
    /* so does one in a speculative block: it takes the lock first */
    REQUIRE(run(b, "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = 3") == STRATA_OK);
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "UPDATE acct SET bal = bal + 1 WHERE id = 1 RETURNING bal"), "81");
    CHECK_EQ_INT(run(b, "COMMIT"), STRATA_OK);
    CHECK_EQ_STR(query1(a, "SELECT bal FROM acct WHERE id = 1"), "81");
    CHECK_EQ_STR(spec_counters(a), "2/0/2/1");
    strata_close(a);
    strata_close(b);
}

/* A utility statement takes the lock first (replaying what ran before it);
 * ROLLBACK of a speculative block leaves nothing; the setting turns it off. */
static void test_utility_rollback_and_setting(void)
{
    strata_db *a, *b;
    open_pair("utility.db", &a, &b);
    REQUIRE(strata_busy_timeout(b, 50) == STRATA_OK);
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = 0 WHERE id = 9") == STRATA_OK);
    REQUIRE(run(b, "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = 3") == STRATA_OK);
    /* SAVEPOINT needs the lock, which a holds: b waits, times out, and its
     * block is failed (as a failed statement leaves it) */
    CHECK_EQ_INT(strata_exec(b, "SAVEPOINT s", NULL, NULL), STRATA_BUSY);
    CHECK_EQ_INT(strata_txn_state(b), 2);
    REQUIRE(run(b, "ROLLBACK") == STRATA_OK);
    REQUIRE(run(b, "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = 3") == STRATA_OK);
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    /* a committed: the SAVEPOINT promotes b by replaying its UPDATE */
    CHECK_EQ_INT(run(b, "SAVEPOINT s; UPDATE acct SET bal = bal + 1 WHERE id = 4; COMMIT"),
                 STRATA_OK);
    CHECK_EQ_STR(query1(a, "SELECT sum(bal) FROM acct"), "902");
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = 1 WHERE id = 9") == STRATA_OK);
    REQUIRE(run(b, "BEGIN; UPDATE acct SET bal = bal + 100 WHERE id = 5; ROLLBACK") ==
            STRATA_OK);
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    CHECK_EQ_STR(query1(a, "SELECT bal FROM acct WHERE id = 5"), "100");
    /* off: the first write waits for the lock, as before */
    REQUIRE(run(b, "SET enable_speculative_writes = off") == STRATA_OK);
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = 2 WHERE id = 9") == STRATA_OK);
    CHECK_EQ_INT(strata_exec(b, "BEGIN; UPDATE acct SET bal = 0 WHERE id = 6", NULL, NULL),
                 STRATA_BUSY);
    REQUIRE(run(b, "ROLLBACK") == STRATA_OK);
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    strata_close(a);
    strata_close(b);
}

/* A block that read before its first write: logged from its first statement,
 * so a write after a concurrent commit replays the reads instead of failing
 * with 40001 (unless what they returned changed). */
static void test_read_then_write(void)
{
    strata_db *a, *b;
    open_pair("readwrite.db", &a, &b);
    /* the lock is free but the snapshot is stale: replayed at the upgrade */
    REQUIRE(run(b, "BEGIN") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 4"), "100");
    REQUIRE(run(a, "UPDATE acct SET bal = bal - 1 WHERE id = 1") == STRATA_OK);
    CHECK_EQ_INT(run(b, "UPDATE acct SET bal = bal + 1 WHERE id = 4"), STRATA_OK);
    /* the write sees the newest commit from here on */
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 1"), "99");
    CHECK_EQ_INT(run(b, "COMMIT"), STRATA_OK);
    CHECK_EQ_STR(spec_counters(a), "0/0/1/0"); /* started over, not speculative */
    CHECK_EQ_STR(query1(a, "SELECT sum(bal) FROM acct"), "1000");
    /* the read's row changed: 40001 at the write, as before */
    REQUIRE(run(b, "BEGIN") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 1"), "99");
    REQUIRE(run(a, "UPDATE acct SET bal = bal - 1 WHERE id = 1") == STRATA_OK);
    CHECK_EQ_INT(strata_exec(b, "UPDATE acct SET bal = bal + 1 WHERE id = 2", NULL, NULL),
                 STRATA_ERROR);
    CHECK_EQ_STR(strata_sqlstate(b), "40001");
    REQUIRE(run(b, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_STR(spec_counters(a), "0/0/2/1");
    /* the lock is busy at the write: speculative, replayed at COMMIT */
    REQUIRE(run(b, "BEGIN") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 5"), "100");
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = bal + 10 WHERE id = 6") == STRATA_OK);
    CHECK_EQ_INT(run(b, "UPDATE acct SET bal = bal - 10 WHERE id = 5"), STRATA_OK);
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    CHECK_EQ_INT(run(b, "COMMIT"), STRATA_OK);
    CHECK_EQ_STR(spec_counters(a), "1/0/3/1");
    CHECK_EQ_STR(query1(a, "SELECT sum(bal) FROM acct"), "999");
    CHECK_EQ_STR(query1(a, "SELECT bal FROM acct WHERE id = 5"), "90");
    /* a utility statement ends the log: the old rule (40001 when stale) */
    REQUIRE(run(b, "BEGIN") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "SELECT bal FROM acct WHERE id = 7"), "100");
    REQUIRE(run(b, "SET LOCAL work_mem = '8MB'") == STRATA_OK);
    REQUIRE(run(a, "UPDATE acct SET bal = bal - 1 WHERE id = 1") == STRATA_OK);
    CHECK_EQ_INT(strata_exec(b, "UPDATE acct SET bal = bal + 1 WHERE id = 7", NULL, NULL),
                 STRATA_ERROR);
    CHECK_EQ_STR(strata_sqlstate(b), "40001");
    REQUIRE(run(b, "ROLLBACK") == STRATA_OK);
    CHECK_EQ_STR(query1(a, "SELECT strata_check()"), "ok");
    strata_close(a);
    strata_close(b);
}

/* Serial ids: a replay takes new values, so rows follow commit order (the
 * banking case study reads "the latest row by id"); a statement that returns
 * its id runs holding the lock. */
static void test_serial_ids(void)
{
    strata_db *a, *b;
    open_pair("serial.db", &a, &b);
    REQUIRE(run(a, "CREATE TABLE item (id serial PRIMARY KEY, who text)") == STRATA_OK);
    REQUIRE(run(a, "INSERT INTO item (who) VALUES ('first')") == STRATA_OK);
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = 1") == STRATA_OK);
    REQUIRE(run(b, "BEGIN; INSERT INTO item (who) VALUES ('b')") == STRATA_OK); /* took id 2 */
    CHECK_EQ_STR(query1(a, "INSERT INTO item (who) VALUES ('a') RETURNING id"), "3");
    REQUIRE(run(a, "COMMIT") == STRATA_OK);
    CHECK_EQ_INT(run(b, "COMMIT"), STRATA_OK);
    CHECK_EQ_STR(query1(a, "SELECT string_agg(id || who, ',' ORDER BY id) FROM item"),
                 "1first,3a,4b");
    /* INSERT ... RETURNING id waits for the lock: the id it sends stands */
    REQUIRE(strata_busy_timeout(b, 50) == STRATA_OK);
    REQUIRE(run(a, "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = 1") == STRATA_OK);
    REQUIRE(run(b, "BEGIN") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "INSERT INTO item (who) VALUES ('b2') RETURNING id"),
                 "<error 55P03>");
    REQUIRE(run(b, "ROLLBACK") == STRATA_OK);
    REQUIRE(run(a, "INSERT INTO item (who) VALUES ('a2'); COMMIT") == STRATA_OK);
    REQUIRE(run(b, "BEGIN") == STRATA_OK);
    CHECK_EQ_STR(query1(b, "INSERT INTO item (who) VALUES ('b2') RETURNING id"), "6");
    CHECK_EQ_INT(run(b, "COMMIT"), STRATA_OK);
    CHECK_EQ_STR(query1(a, "SELECT string_agg(id || who, ',' ORDER BY id) FROM item"),
                 "1first,3a,4b,5a2,6b2");
    strata_close(a);
    strata_close(b);
}

typedef struct Mover {
    const char *path;
    unsigned seed;
    int transfers;
    int committed, conflicts, failures;
} Mover;

/* Moves money between random accounts in blocks of a few statements, retrying
 * on 40001 as a serializable client does. */
static void *mover(void *arg)
{
    Mover *m = arg;
    strata_db *db;
    if (strata_open(m->path, &db) != STRATA_OK) {
        m->failures++;
        return NULL;
    }
    strata_busy_timeout(db, 60000);
    char sql[512];
    for (int k = 0; k < m->transfers; k++) {
        int from = 1 + (int)(rand_r(&m->seed) % 10), to = 1 + (int)(rand_r(&m->seed) % 10);
        int amount = 1 + (int)(rand_r(&m->seed) % 20);
        bool reads = rand_r(&m->seed) % 2 == 0; /* half of them show a balance */
        bool reads_first = rand_r(&m->seed) % 3 == 0; /* a block that reads before writing */
        snprintf(sql, sizeof(sql),
                 "BEGIN; %sUPDATE acct SET bal = bal - %d WHERE id = %d; %s"
                 "UPDATE acct SET bal = bal + %d WHERE id = %d; "
                 "INSERT INTO ledger VALUES (%d, %d, %d); COMMIT",
                 reads_first ? "SELECT count(*) FROM ledger WHERE amount > 100; " : "", amount,
                 from, reads ? "SELECT bal FROM acct WHERE id = 1; " : "", amount, to, from, to,
                 amount);
        int rc = strata_exec(db, sql, NULL, NULL);
        if (rc == STRATA_OK) {
            m->committed++;
        } else if (strcmp(strata_sqlstate(db), "40001") == 0) {
            m->conflicts++;
            strata_exec(db, "ROLLBACK", NULL, NULL);
        } else {
            fprintf(stderr, "  mover: %s (%s)\n", strata_errmsg(db), strata_sqlstate(db));
            m->failures++;
            strata_exec(db, "ROLLBACK", NULL, NULL);
        }
    }
    strata_close(db);
    return NULL;
}

typedef struct Reserver {
    const char *path;
    int tries;
    int reserved, errors;
    int seen[200]; /* the stock levels RETURNING reported */
    int seen_count;
} Reserver;

/* The inventory case study: BEGIN; take one unit of a hot row RETURNING what
 * is left; record the reservation; COMMIT. Each client must be told the truth
 * and never get 40001 (the RETURNING runs holding the lock). */
static void *reserver(void *arg)
{
    Reserver *r = arg;
    strata_db *db;
    if (strata_open(r->path, &db) != STRATA_OK) {
        r->errors++;
        return NULL;
    }
    strata_busy_timeout(db, 60000);
    for (int k = 0; k < r->tries; k++) {
        if (strata_exec(db, "BEGIN; UPDATE acct SET bal = bal + 0 WHERE id = 2", NULL, NULL) !=
            STRATA_OK) {
            r->errors++;
            continue;
        }
        const char *left = query1(db, "UPDATE acct SET bal = bal - 1 WHERE id = 1 AND bal >= 1 "
                                      "RETURNING bal");
        if (left[0] == '<') {
            if (strcmp(left, "<none>") != 0) {
                fprintf(stderr, "  reserver: %s\n", left);
                r->errors++;
            }
            strata_exec(db, "ROLLBACK", NULL, NULL);
            continue;
        }
        int value = atoi(left);
        if (strata_exec(db, "INSERT INTO ledger VALUES (1, 0, 1); COMMIT", NULL, NULL) !=
            STRATA_OK) {
            fprintf(stderr, "  reserver commit: %s (%s)\n", strata_errmsg(db), strata_sqlstate(db));
            r->errors++;
            strata_exec(db, "ROLLBACK", NULL, NULL);
            continue;
        }
        r->reserved++;
        if (r->seen_count < 200) {
            r->seen[r->seen_count++] = value;
        }
    }
    strata_close(db);
    return NULL;
}

static void test_hot_row_returning(void)
{
    const char *path = temp_path("hot.db");
    strata_db *db;
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL)") == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE ledger (src int, dst int, amount int)") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO acct VALUES (1, 100), (2, 0)") == STRATA_OK);
    enum { RESERVERS = 4 };
    int tries = getenv("STRATA_TEST_QUICK") ? 20 : 40; /* 80-160 tries for 100 units */
    pthread_t threads[RESERVERS];
    static Reserver reservers[RESERVERS];
    for (int k = 0; k < RESERVERS; k++) {
        reservers[k] = (Reserver){.path = path, .tries = tries};
        REQUIRE(pthread_create(&threads[k], NULL, reserver, &reservers[k]) == 0);
    }
    int reserved = 0;
    bool seen[100] = {false}, duplicate = false;
    for (int k = 0; k < RESERVERS; k++) {
        pthread_join(threads[k], NULL);
        CHECK_EQ_INT(reservers[k].errors, 0);
        reserved += reservers[k].reserved;
        for (int v = 0; v < reservers[k].seen_count; v++) {
            int left = reservers[k].seen[v];
            duplicate |= left < 0 || left >= 100 || seen[left];
            if (left >= 0 && left < 100) {
                seen[left] = true;
            }
        }
    }
    /* every client saw a distinct stock level, and the stock and the ledger
     * agree with what the clients were told */
    CHECK(!duplicate);
    char expect[32];
    snprintf(expect, sizeof(expect), "%d", 100 - reserved);
    CHECK_EQ_STR(query1(db, "SELECT bal FROM acct WHERE id = 1"), expect);
    snprintf(expect, sizeof(expect), "%d", reserved);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM ledger"), expect);
    CHECK_EQ_STR(query1(db, "SELECT speculative_conflicts FROM strata_stat_storage"), "0");
    strata_close(db);
}

static void test_concurrent_transfers(void)
{
    const char *path = temp_path("movers.db");
    strata_db *db;
    REQUIRE(strata_open(path, &db) == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL)") == STRATA_OK);
    REQUIRE(run(db, "CREATE TABLE ledger (src int, dst int, amount int)") == STRATA_OK);
    REQUIRE(run(db, "INSERT INTO acct SELECT g, 1000 FROM generate_series(1, 10) g") ==
            STRATA_OK);
    enum { MOVERS = 4 };
    int transfers = getenv("STRATA_TEST_QUICK") ? 50 : 200;
    pthread_t threads[MOVERS];
    Mover movers[MOVERS];
    for (int k = 0; k < MOVERS; k++) {
        movers[k] = (Mover){.path = path, .seed = 7u + (unsigned)k, .transfers = transfers};
        REQUIRE(pthread_create(&threads[k], NULL, mover, &movers[k]) == 0);
    }
    int committed = 0;
    for (int k = 0; k < MOVERS; k++) {
        pthread_join(threads[k], NULL);
        CHECK_EQ_INT(movers[k].failures, 0);
        committed += movers[k].committed;
    }
    /* money is neither made nor lost, and every committed transfer is in the
     * ledger once, with its effect on both balances */
    CHECK_EQ_STR(query1(db, "SELECT sum(bal) FROM acct"), "10000");
    char expect[32];
    snprintf(expect, sizeof(expect), "%d", committed);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM ledger"), expect);
    CHECK_EQ_STR(query1(db, "SELECT count(*) FROM acct a WHERE bal <> 1000 - "
                            "(SELECT coalesce(sum(amount), 0) FROM ledger WHERE src = a.id) + "
                            "(SELECT coalesce(sum(amount), 0) FROM ledger WHERE dst = a.id)"),
                 "0");
    CHECK_EQ_STR(query1(db, "SELECT strata_check()"), "ok");
    strata_close(db);
}

int main(void)
{
    snprintf(temp_dir, sizeof(temp_dir), "/tmp/strata_spec_test_XXXXXX");
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    TEST_RUN(test_kept_when_nothing_committed);
    TEST_RUN(test_replayed_after_commit);
    TEST_RUN(test_conflict_when_results_differ);
    TEST_RUN(test_utility_rollback_and_setting);
    TEST_RUN(test_read_then_write);
    TEST_RUN(test_serial_ids);
    TEST_RUN(test_concurrent_transfers);
    TEST_RUN(test_hot_row_returning);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", temp_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", temp_dir);
    }
    return test_summary("api_speculate_test");
}
