/*
 * bench/vecexec/fetch_rows.c - runs one query RUNS times through the C API and reads
 * every value of every row (strata_column_int64 / strata_column_double / strata_column_bytes),
 * without formatting, so a plain projection's cost is the engine's.
 *
 *   fetch_rows DB "SET ..." "SELECT ..." RUNS
 * Prints the rows of one run and a checksum (the same with enable_vectorize on and off).
 */
#include <stdio.h>
#include <stdlib.h>

#include "strata.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: fetch_rows DB SET_SQL QUERY RUNS\n");
        return 2;
    }
    strata_db *db;
    if (strata_open(argv[1], &db) != STRATA_OK || strata_exec(db, argv[2], NULL, NULL) != STRATA_OK) {
        fprintf(stderr, "could not open %s or run the setting\n", argv[1]);
        return 1;
    }
    long rows = 0;
    double checksum = 0;
    for (int run = 0; run < atoi(argv[4]); run++) {
        strata_stmt *stmt;
        if (strata_prepare(db, argv[3], -1, &stmt, NULL) != STRATA_OK) {
            fprintf(stderr, "prepare failed\n");
            return 1;
        }
        int rc;
        rows = 0;
        while ((rc = strata_step(stmt)) == STRATA_ROW) {
            for (int c = 0; c < strata_column_count(stmt); c++) {
                int type = strata_column_type(stmt, c);
                checksum += type == STRATA_INTEGER ? (double)strata_column_int64(stmt, c)
                            : type == STRATA_FLOAT ? strata_column_double(stmt, c)
                                                   : (double)strata_column_bytes(stmt, c);
            }
            rows++;
        }
        strata_finalize(stmt);
        if (rc != STRATA_DONE) {
            fprintf(stderr, "step failed: %d\n", rc);
            return 1;
        }
    }
    printf("%ld rows, checksum %.17g\n", rows, checksum);
    strata_close(db);
    return 0;
}
