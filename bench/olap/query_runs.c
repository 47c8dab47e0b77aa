/*
 * bench/olap/query_runs.c - runs one query RUNS times in one process through the C API
 * (strata_prepare, strata_step over every row, strata_finalize, as run_strata.py does)
 * and prints the CPU time and minor page faults of each run, from getrusage around it,
 * so a process's first run (which reads the database's pages into the pool and faults
 * in the memory the statement touches) and its warm runs are reported apart. Used by
 * query_cpu.sh for the column-vs-row comparison (issue 6): both sides get the same runs.
 *
 *   cc -O2 -Iinclude -o /tmp/query_runs bench/olap/query_runs.c -Lbuild/release -lstrata \
 *       -Wl,-rpath,$PWD/build/release
 *   /tmp/query_runs DB RUNS QUERY_FILE [PRE_SQL [SETTINGS_SQL]]
 *
 * PRE_SQL (may be "") runs untimed before every run, as the shared runner's `-- pre:`
 * lines (q09's DELETE of the rollup table). SETTINGS_SQL runs once after opening
 * (default: work_mem and shared_buffers 1GB, one thread, as run.sh's strata/t1).
 * Output: one line per run, "run N cpu_ms X faults Y rows Z"; exit status 1 on an error.
 * getrusage(RUSAGE_SELF) counts every thread of the process: with parallel workers on,
 * the figure is their CPU added up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "strata.h"

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return NULL;
    }
    fseek(file, 0, SEEK_END);
    long size_bytes = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = malloc((size_t)size_bytes + 1);
    if (text != NULL && fread(text, 1, (size_t)size_bytes, file) != (size_t)size_bytes) {
        free(text);
        text = NULL;
    }
    if (text != NULL) {
        text[size_bytes] = '\0';
    }
    fclose(file);
    return text;
}

static double cpu_ms(const struct rusage *usage)
{
    return usage->ru_utime.tv_sec * 1e3 + usage->ru_utime.tv_usec / 1e3 +
           usage->ru_stime.tv_sec * 1e3 + usage->ru_stime.tv_usec / 1e3;
}

/* Runs sql to its end, reading every column of every row as text; returns the rows or -1.
 * Not inlined: query_instr.sh counts instructions inside it (callgrind --toggle-collect). */
__attribute__((noinline)) static long long run_query(strata_db *db, const char *sql)
{
    strata_stmt *stmt;
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK) {
        fprintf(stderr, "prepare: %s\n", strata_errmsg(db));
        return -1;
    }
    long long rows = 0;
    int columns = strata_column_count(stmt), rc;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        rows++;
        for (int col = 0; col < columns; col++) {
            (void)strata_column_text(stmt, col);
        }
    }
    strata_finalize(stmt);
    if (rc != STRATA_DONE) {
        fprintf(stderr, "step: %s\n", strata_errmsg(db));
        return -1;
    }
    return rows;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: query_runs DB RUNS QUERY_FILE [PRE_SQL [SETTINGS_SQL]]\n");
        return 2;
    }
    const char *pre = argc > 4 && argv[4][0] != '\0' ? argv[4] : NULL;
    const char *settings = argc > 5 ? argv[5]
                                    : "SET work_mem = '1GB'; SET shared_buffers = '1GB'; "
                                      "SET max_parallel_workers_per_gather = 0";
    char *sql = read_file(argv[3]);
    if (sql == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[3]);
        return 2;
    }
    strata_db *db;
    if (strata_open(argv[1], &db) != STRATA_OK) {
        fprintf(stderr, "open: %s\n", strata_errmsg(db));
        return 1;
    }
    if (strata_exec(db, settings, NULL, NULL) != STRATA_OK) {
        fprintf(stderr, "settings: %s\n", strata_errmsg(db));
        return 1;
    }
    for (int run = 1; run <= atoi(argv[2]); run++) {
        if (pre != NULL && strata_exec(db, pre, NULL, NULL) != STRATA_OK) {
            fprintf(stderr, "pre: %s\n", strata_errmsg(db));
            return 1;
        }
        struct rusage before, after;
        getrusage(RUSAGE_SELF, &before);
        long long rows = run_query(db, sql);
        getrusage(RUSAGE_SELF, &after);
        if (rows < 0) {
            return 1;
        }
        printf("run %d cpu_ms %.2f faults %ld rows %lld\n", run, cpu_ms(&after) - cpu_ms(&before),
               after.ru_minflt - before.ru_minflt, rows);
        fflush(stdout);
    }
    strata_close(db);
    free(sql);
    return 0;
}
