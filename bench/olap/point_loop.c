/*
 * bench/olap/point_loop.c - runs one query N times through the C API the way
 * bench/olap/run_strata.py does (strata_prepare with the SQL text, strata_step,
 * the int64 of every column, strata_finalize), for CPU measurements of a point
 * query without Python: `valgrind --tool=callgrind` of N = 1 and N = 21, the
 * difference over 20, gives instructions per run (bench/README.md, run q10fast).
 *
 *   cc -O2 -Iinclude -o /tmp/point_loop bench/olap/point_loop.c -Lbuild/release -lstrata \
 *       -Wl,-rpath,$PWD/build/release          (or against run.sh's data/libstrata.so)
 *   /tmp/point_loop DB N [SQL]      SQL defaults to star q10
 */
#include <stdio.h>
#include <stdlib.h>

#include "strata.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: point_loop DB N [SQL]\n");
        return 2;
    }
    const char *sql = argc > 3 ? argv[3]
                               : "SELECT f.view_id, f.date_key, f.time_key, f.page_key, f.load_time_ms\n"
                                 "FROM fact_page_views f\nWHERE f.user_key = 570001\nORDER BY f.view_id;";
    strata_db *db;
    if (strata_open(argv[1], &db) != STRATA_OK) {
        fprintf(stderr, "open: %s\n", strata_errmsg(db));
        return 1;
    }
    strata_exec(db, "SET work_mem = '1GB'; SET shared_buffers = '1GB'", NULL, NULL);
    long long rows = 0, sum = 0;
    for (int run = 0; run < atoi(argv[2]); run++) {
        strata_stmt *stmt;
        if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK) {
            fprintf(stderr, "prepare: %s\n", strata_errmsg(db));
            return 1;
        }
        int columns = strata_column_count(stmt), rc;
        while ((rc = strata_step(stmt)) == STRATA_ROW) {
            rows++;
            for (int col = 0; col < columns; col++) {
                sum += strata_column_int64(stmt, col);
            }
        }
        if (rc != STRATA_DONE) {
            fprintf(stderr, "step: %s\n", strata_errmsg(db));
            return 1;
        }
        strata_finalize(stmt);
    }
    printf("rows %lld sum %lld\n", rows, sum);
    strata_close(db);
    return 0;
}
