/*
 * bench/oltp/load_rows_sqlite.c - SQLite's side of bench/oltp/load_rows.c: the
 * oltp-micro load loop alone on the shared SQLite runner's settings (WAL,
 * synchronous=FULL, 1 GiB cache, INTEGER PRIMARY KEY), for instruction counts
 * of one INSERT and for A/B runs of the load next to strata's.
 *
 *   valgrind --tool=callgrind --toggle-collect=load_rows load_rows_sqlite DBFILE 20000
 *
 * counts the loop (COMMIT excluded; subtract the row generation as for
 * load_rows). Prints the insert rate, the COMMIT time (which includes SQLite's
 * automatic checkpoint) and the rate of the two together.
 *
 * Build: cc -O2 -g -std=gnu11 -D_GNU_SOURCE -I../shared/bench/oltp \
 *          -o load_rows_sqlite bench/oltp/load_rows_sqlite.c -lsqlite3
 */
#include <sqlite3.h>
#include <unistd.h>

#include "common/bench.h"
#include "common/sbgen.h"

static sqlite3 *db;

static void die(const char *what)
{
    fprintf(stderr, "sqlite error in %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

__attribute__((noinline)) static void load_rows(sqlite3_stmt *ins, uint32_t n)
{
    lcg32_t r;
    lcg_seed(&r, SEED_LOAD);
    char c[SB_C_LEN + 1], pad[SB_PAD_LEN + 1];
    uint32_t k;
    for (uint32_t id = 1; id <= n; id++) {
        sb_load_row(&r, n, &k, c, pad);
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_int(ins, 2, (int)k);
        sqlite3_bind_text(ins, 3, c, SB_C_LEN, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, pad, SB_PAD_LEN, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            die("insert");
        }
        sqlite3_reset(ins);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: load_rows_sqlite DBFILE ROWS\n");
        return 2;
    }
    uint32_t n = (uint32_t)strtoul(argv[2], NULL, 10);
    char path[4200];
    unlink(argv[1]);
    snprintf(path, sizeof path, "%s-wal", argv[1]);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", argv[1]);
    unlink(path);
    sqlite3_stmt *ins = NULL;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                         "PRAGMA cache_size=-1048576", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "CREATE TABLE sbtest(id INTEGER PRIMARY KEY, k INT NOT NULL, "
                         "c CHAR(120), pad CHAR(60))", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO sbtest (id, k, c, pad) VALUES (?1, ?2, ?3, ?4)", -1,
                           &ins, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        die("setup");
    }
    uint64_t t0 = now_ns();
    load_rows(ins, n);
    uint64_t t1 = now_ns();
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        die("commit");
    }
    uint64_t t2 = now_ns();
    fprintf(stderr, "%u rows: %.0f rows/s, COMMIT %.3f s, both %.0f rows/s\n", n,
            n / ((double)(t1 - t0) / 1e9), (double)(t2 - t1) / 1e9,
            n / ((double)(t2 - t0) / 1e9));
    sqlite3_finalize(ins);
    return sqlite3_close(db) == SQLITE_OK ? 0 : 1;
}
