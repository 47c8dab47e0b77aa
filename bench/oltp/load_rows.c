/*
 * bench/oltp/load_rows.c - the oltp-micro load loop alone, for instruction
 * counts of one INSERT (bind, step, reset) under callgrind.
 *
 * Creates sbtest in DBFILE and inserts rows 1..N in one transaction with the
 * spec's generator (../../../shared/bench/oltp/common/sbgen.h), exactly as
 * strata_runner's load does; load_rows() is the loop, so
 *
 *   valgrind --tool=callgrind --toggle-collect=load_rows load_rows DBFILE 20000
 *
 * counts the loop alone (COMMIT excluded). The row generation inside it
 * (sb_load_row and the LCG) is the same for every build: subtract its
 * inclusive count from callgrind_annotate to get strata's share. Prints the
 * insert rate and the COMMIT time on stderr.
 *
 * Build: cc -O2 -g -std=gnu11 -D_GNU_SOURCE -I../shared/bench/oltp -Iinclude \
 *          -o load_rows bench/oltp/load_rows.c build/release/libstrata.a \
 *          -lxxhash -lzstd -llz4 -lcrypto -lgmp -lpthread -lm
 */
#include <unistd.h>

#include "common/bench.h"
#include "common/sbgen.h"
#include "strata.h"

static strata_db *db;

static void die(const char *what)
{
    fprintf(stderr, "strata error in %s: %s\n", what, strata_errmsg(db));
    exit(1);
}

__attribute__((noinline)) static void load_rows(strata_stmt *ins, uint32_t n)
{
    lcg32_t r;
    lcg_seed(&r, SEED_LOAD);
    char c[SB_C_LEN + 1], pad[SB_PAD_LEN + 1];
    uint32_t k;
    for (uint32_t id = 1; id <= n; id++) {
        sb_load_row(&r, n, &k, c, pad);
        strata_bind_int64(ins, 1, id);
        strata_bind_int64(ins, 2, k);
        strata_bind_text(ins, 3, c, SB_C_LEN);
        strata_bind_text(ins, 4, pad, SB_PAD_LEN);
        if (strata_step(ins) != STRATA_DONE) {
            die("insert");
        }
        strata_reset(ins);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: load_rows DBFILE ROWS\n");
        return 2;
    }
    uint32_t n = (uint32_t)strtoul(argv[2], NULL, 10);
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", argv[1]);
    unlink(argv[1]);
    unlink(wal);
    strata_stmt *ins = NULL;
    if (strata_open(argv[1], &db) != STRATA_OK ||
        strata_exec(db, "SET shared_buffers = '1GB'", NULL, NULL) != STRATA_OK ||
        strata_exec(db, "CREATE TABLE sbtest (id BIGINT PRIMARY KEY, k INT NOT NULL, "
                        "c CHAR(120), pad CHAR(60))", NULL, NULL) != STRATA_OK ||
        strata_prepare(db, "INSERT INTO sbtest (id, k, c, pad) VALUES ($1, $2, $3, $4)", -1,
                       &ins, NULL) != STRATA_OK ||
        strata_exec(db, "BEGIN", NULL, NULL) != STRATA_OK) {
        die("setup");
    }
    uint64_t t0 = now_ns();
    load_rows(ins, n);
    uint64_t t1 = now_ns();
    if (strata_exec(db, "COMMIT", NULL, NULL) != STRATA_OK) {
        die("commit");
    }
    uint64_t t2 = now_ns();
    fprintf(stderr, "%u rows: %.0f rows/s, COMMIT %.3f s\n", n, n / ((double)(t1 - t0) / 1e9),
            (double)(t2 - t1) / 1e9);
    strata_finalize(ins);
    return strata_close(db) == STRATA_OK ? 0 : 1;
}
