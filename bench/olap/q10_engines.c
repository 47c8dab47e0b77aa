/*
 * bench/olap/q10_engines.c - the star benchmark's point query q10 through each
 * engine's own C API, side by side in one process, without the Python runners'
 * per-value call overhead (ctypes costs strata about as much as the query itself).
 *
 * Each engine runs the query the way its benchmark runner does, minus Python:
 *   strata: strata_prepare of the SQL text every run (the connection's statement
 *           cache finds the planned statement), strata_step, every column read as
 *           int64, strata_finalize;
 *   SQLite: one sqlite3_prepare_v2 kept and sqlite3_reset every run (what Python's
 *           sqlite3 statement cache does), sqlite3_step, every column as int64.
 * Batches of R runs alternate between the engines (A/B in time, so a noisy
 * machine hits both alike); the report is each engine's median CPU microseconds
 * per run (this thread's CPU clock) over the batches, and strata's over SQLite's.
 *
 *   cc -O2 -Iinclude -o /tmp/q10_engines bench/olap/q10_engines.c -Lbuild/release -lstrata \
 *       -lsqlite3 -Wl,-rpath,$PWD/build/release
 *   /tmp/q10_engines STRATA_DB SQLITE_DB [BATCHES [RUNS_PER_BATCH]]
 * The databases are the ones bench/olap/run.sh loads (star.strata and star.sqlite under data/star-FACTS-uUSERS).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "strata.h"

static const char *q10 =
    "SELECT f.view_id, f.date_key, f.time_key, f.page_key, f.load_time_ms\n"
    "FROM fact_page_views f\nWHERE f.user_key = 570001\nORDER BY f.view_id;";

/* The calling thread's CPU time: on a shared machine, time spent preempted by
 * other processes does not count against either engine (both run on this thread). */
static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One strata run; returns the checksum (rows and the sum of every value). */
static long long strata_run(strata_db *db)
{
    strata_stmt *stmt;
    if (strata_prepare(db, q10, -1, &stmt, NULL) != STRATA_OK) {
        fprintf(stderr, "strata prepare: %s\n", strata_errmsg(db));
        exit(1);
    }
    long long sum = 0;
    int columns = strata_column_count(stmt), rc;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        sum += 1000000007LL;
        for (int col = 0; col < columns; col++) {
            sum += strata_column_int64(stmt, col);
        }
    }
    if (rc != STRATA_DONE) {
        fprintf(stderr, "strata step: %s\n", strata_errmsg(db));
        exit(1);
    }
    strata_finalize(stmt);
    return sum;
}

static long long sqlite_run(sqlite3 *db, sqlite3_stmt *stmt)
{
    long long sum = 0;
    int columns = sqlite3_column_count(stmt), rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        sum += 1000000007LL;
        for (int col = 0; col < columns; col++) {
            sum += sqlite3_column_int64(stmt, col);
        }
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "sqlite step: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_reset(stmt);
    return sum;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: q10_engines STRATA_DB SQLITE_DB [BATCHES [RUNS_PER_BATCH]]\n");
        return 2;
    }
    int batches = argc > 3 ? atoi(argv[3]) : 21, runs = argc > 4 ? atoi(argv[4]) : 200;
    if (batches < 1 || runs < 1) {
        fprintf(stderr, "BATCHES and RUNS_PER_BATCH must be positive\n");
        return 2;
    }
    strata_db *sdb;
    if (strata_open(argv[1], &sdb) != STRATA_OK) {
        fprintf(stderr, "strata open %s: %s\n", argv[1], strata_errmsg(sdb));
        return 1;
    }
    /* The settings bench/olap/run_strata.py query sets. */
    strata_exec(sdb, "SET work_mem = '1GB'; SET shared_buffers = '1GB'", NULL, NULL);
    sqlite3 *ldb;
    if (sqlite3_open_v2(argv[2], &ldb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite open %s: %s\n", argv[2], sqlite3_errmsg(ldb));
        return 1;
    }
    sqlite3_stmt *lstmt;
    if (sqlite3_prepare_v2(ldb, q10, -1, &lstmt, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite prepare: %s\n", sqlite3_errmsg(ldb));
        return 1;
    }
    /* Warm both (caches, the statement cache) and check they agree. */
    long long s_sum = strata_run(sdb), l_sum = sqlite_run(ldb, lstmt);
    if (s_sum != l_sum) {
        fprintf(stderr, "results differ: strata %lld, sqlite %lld\n", s_sum, l_sum);
        return 1;
    }
    double *s_us = malloc(sizeof(double) * batches), *l_us = malloc(sizeof(double) * batches);
    for (int b = 0; b < batches; b++) {
        double t0 = now_us();
        for (int r = 0; r < runs; r++) {
            if (strata_run(sdb) != s_sum) {
                fprintf(stderr, "strata result changed\n");
                return 1;
            }
        }
        double t1 = now_us();
        for (int r = 0; r < runs; r++) {
            if (sqlite_run(ldb, lstmt) != l_sum) {
                fprintf(stderr, "sqlite result changed\n");
                return 1;
            }
        }
        double t2 = now_us();
        s_us[b] = (t1 - t0) / runs;
        l_us[b] = (t2 - t1) / runs;
    }
    qsort(s_us, batches, sizeof(double), cmp_double);
    qsort(l_us, batches, sizeof(double), cmp_double);
    double s_med = s_us[batches / 2], l_med = l_us[batches / 2];
    printf("q10 CPU time per run, median of %d batches of %d runs (checksum %lld agrees):\n", batches, runs, s_sum);
    printf("  strata %.2f us (min %.2f, max %.2f)\n", s_med, s_us[0], s_us[batches - 1]);
    printf("  sqlite %.2f us (min %.2f, max %.2f)\n", l_med, l_us[0], l_us[batches - 1]);
    printf("  strata / sqlite time: %.2fx\n", s_med / l_med);
    sqlite3_finalize(lstmt);
    sqlite3_close(ldb);
    strata_close(sdb);
    free(s_us);
    free(l_us);
    return 0;
}
