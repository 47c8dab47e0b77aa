/*
 * bench/oltp/strata_runner.c - the oltp-micro workload (../../../shared/bench/oltp/README.md)
 * played on strata through its public C API, one thread, prepared statements.
 *
 * It implements the spec's operations in the spec's order with the spec's LCG32
 * streams (the shared header-only common/bench.h and common/sbgen.h), and prints
 * one JSON object per operation on stdout, in the same shape as the SQLite runner,
 * so tools/summarize.py can put the engines side by side.
 *
 *   strata_runner -d DBFILE [-N rows] [-r run] [--ops LIST] [counts...]
 *
 * Buffer pool: SET shared_buffers = '1GB', as the SQLite runner's cache_size (1 GiB).
 *
 * Durable   = SET synchronous_commit = on  (the WAL is fsynced before COMMIT returns)
 * Nosync    = SET synchronous_commit = off (no fsync at commit; survives a process
 *             crash, may lose the last commits on power loss), like SQLite's
 *             synchronous=NORMAL in WAL mode.
 */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <unistd.h>

#include "common/bench.h"
#include "common/sbgen.h"
#include "strata.h"

static strata_db *db;
static result_ctx_t ctx;
static uint32_t N = 1000000;
static char config_buf[320];
static const char *db_path;

static void die_sql(const char *what)
{
    fprintf(stderr, "strata error in %s: %s (SQLSTATE %s)\n", what, strata_errmsg(db),
            strata_sqlstate(db));
    exit(1);
}

static void exec_sql(const char *sql)
{
    if (strata_exec(db, sql, NULL, NULL) != STRATA_OK) {
        die_sql(sql);
    }
}

static strata_stmt *prep(const char *sql)
{
    strata_stmt *stmt = NULL;
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        die_sql(sql);
    }
    return stmt;
}

/* Runs a prepared statement to completion, touching every column of every row as a
 * client would; returns the number of rows. */
static int run_stmt(strata_stmt *stmt)
{
    int rows = 0, rc;
    volatile size_t sink = 0;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        int column_count = strata_column_count(stmt);
        for (int col = 0; col < column_count; col++) {
            const char *text = strata_column_text(stmt, col);
            sink += (size_t)strata_column_bytes(stmt, col) + (text ? (unsigned char)text[0] : 0);
        }
        rows++;
    }
    if (rc != STRATA_DONE) {
        die_sql("step");
    }
    strata_reset(stmt);
    return rows;
}

static void set_durable(int durable)
{
    exec_sql(durable ? "SET synchronous_commit = on" : "SET synchronous_commit = off");
}

static strata_stmt *s_point, *s_selk, *s_range, *s_upd_c, *s_upd_k, *s_ins, *s_del, *s_begin,
    *s_commit;

static void prepare_all(void)
{
    s_point = prep("SELECT c FROM sbtest WHERE id = $1");
    s_selk = prep("SELECT id, c FROM sbtest WHERE k = $1");
    s_range = prep("SELECT c FROM sbtest WHERE id BETWEEN $1 AND $2");
    s_upd_c = prep("UPDATE sbtest SET c = $2 WHERE id = $1");
    s_upd_k = prep("UPDATE sbtest SET k = k + 1 WHERE id = $1");
    s_ins = prep("INSERT INTO sbtest (id, k, c, pad) VALUES ($1, $2, $3, $4)");
    s_del = prep("DELETE FROM sbtest WHERE id = $1");
    s_begin = prep("BEGIN");
    s_commit = prep("COMMIT");
}

static void bind_row(strata_stmt *stmt, uint32_t id, uint32_t k, const char *c, const char *pad)
{
    strata_bind_int64(stmt, 1, id);
    strata_bind_int64(stmt, 2, k);
    strata_bind_text(stmt, 3, c, SB_C_LEN);
    strata_bind_text(stmt, 4, pad, SB_PAD_LEN);
}

static void do_load(void)
{
    exec_sql("DROP TABLE IF EXISTS sbtest");
    exec_sql("CREATE TABLE sbtest (id BIGINT PRIMARY KEY, k INT NOT NULL, c CHAR(120), "
             "pad CHAR(60))");
    strata_stmt *ins = prep("INSERT INTO sbtest (id, k, c, pad) VALUES ($1, $2, $3, $4)");
    lcg32_t r;
    lcg_seed(&r, SEED_LOAD);
    char c[SB_C_LEN + 1], pad[SB_PAD_LEN + 1];
    uint32_t k;
    lat_t lat;
    lat_init(&lat, N);
    fprintf(stderr, "[strata] load %u rows\n", N);
    uint64_t t0 = now_ns();
    exec_sql("BEGIN");
    for (uint32_t id = 1; id <= N; id++) {
        sb_load_row(&r, N, &k, c, pad);
        uint64_t a = now_ns();
        bind_row(ins, id, k, c, pad);
        if (strata_step(ins) != STRATA_DONE) {
            die_sql("load insert");
        }
        strata_reset(ins);
        lat_add(&lat, now_ns() - a);
    }
    exec_sql("COMMIT");
    double secs = (double)(now_ns() - t0) / 1e9;
    emit_result(&ctx, "load", "durable", N, secs, lat_pct_us(&lat, 50), lat_pct_us(&lat, 99),
                ",\"note\":\"one transaction; per-row latency excludes COMMIT\"");
    lat_free(&lat);
    strata_finalize(ins);

    t0 = now_ns();
    exec_sql("CREATE INDEX k_1 ON sbtest(k)");
    secs = (double)(now_ns() - t0) / 1e9;
    emit_result(&ctx, "create_index", "durable", N, secs, -1, -1, ",\"note\":\"n = rows indexed\"");

    strata_stmt *chk =
        prep("SELECT count(*), sum(k), sum(length(c)), sum(length(pad)) FROM sbtest");
    if (strata_step(chk) != STRATA_ROW) {
        die_sql("check");
    }
    fprintf(stderr, "[strata] check: count=%s sum(k)=%s len(c)=%s len(pad)=%s\n",
            strata_column_text(chk, 0), strata_column_text(chk, 1), strata_column_text(chk, 2),
            strata_column_text(chk, 3));
    strata_finalize(chk);
    exec_sql("ANALYZE");
    exec_sql("CHECKPOINT");
}

/* One read operation: seeds a stream, draws keys, runs the statement nops times. */
typedef enum { READ_POINT, READ_SELECT_K, READ_RANGE } ReadKind;

static void do_read(ReadKind kind, uint32_t nops)
{
    static const char *names[] = {"point_select", "select_k", "range_select"};
    static const uint32_t seeds[] = {SEED_POINT_SELECT, SEED_SELECT_K, SEED_RANGE_SELECT};
    lcg32_t r;
    lcg_seed(&r, seeds[kind]);
    lat_t lat;
    lat_init(&lat, nops);
    uint64_t t0 = now_ns(), found = 0;
    for (uint32_t i = 0; i < nops; i++) {
        uint32_t draw = kind == READ_RANGE ? 1 + lcg_uniform(&r, N - (SB_RANGE_LEN - 1))
                                           : 1 + lcg_uniform(&r, N);
        uint64_t a = now_ns();
        if (kind == READ_POINT) {
            strata_bind_int64(s_point, 1, draw);
            found += run_stmt(s_point);
        } else if (kind == READ_SELECT_K) {
            strata_bind_int64(s_selk, 1, draw);
            found += run_stmt(s_selk);
        } else {
            strata_bind_int64(s_range, 1, draw);
            strata_bind_int64(s_range, 2, draw + SB_RANGE_LEN - 1);
            found += run_stmt(s_range);
        }
        lat_add(&lat, now_ns() - a);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    char extra[64];
    snprintf(extra, sizeof extra, ",\"rows\":%llu", (unsigned long long)found);
    emit_result(&ctx, names[kind], "n/a", nops, secs, lat_pct_us(&lat, 50), lat_pct_us(&lat, 99),
                extra);
    lat_free(&lat);
}

/* The disk's floor for a durable commit, measured right before a durable op
 * (the shared probe runs minutes earlier, and on a shared machine the fsync
 * rate swings by 10x within a run): 8 KiB overwrite + fdatasync of a
 * preallocated file next to the database, as ../shared/bench/oltp/fsync_lat.c
 * "overwrite" does. Emitted as op "fsync_probe" with what it precedes. */
static void fsync_probe(const char *before)
{
    enum { PROBE_COUNT = 500, PROBE_BYTES = 8192 };
    char path[4200], buf[PROBE_BYTES];
    snprintf(path, sizeof path, "%s.probe", db_path);
    memset(buf, 'x', sizeof buf);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror("probe open");
        return;
    }
    for (int i = 0; i < PROBE_COUNT; i++) {
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
            perror("probe write");
            close(fd);
            return;
        }
    }
    if (fsync(fd) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        perror("probe prepare");
        close(fd);
        return;
    }
    lat_t lat;
    lat_init(&lat, PROBE_COUNT);
    uint64_t t0 = now_ns();
    for (int i = 0; i < PROBE_COUNT; i++) {
        uint64_t a = now_ns();
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || fdatasync(fd) != 0) {
            perror("probe sync");
            break;
        }
        lat_add(&lat, now_ns() - a);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    close(fd);
    unlink(path);
    char extra[128];
    snprintf(extra, sizeof extra,
             ",\"before\":\"%s\",\"note\":\"8 KiB overwrite + fdatasync\"", before);
    emit_result(&ctx, "fsync_probe", "durable", (uint32_t)lat.n, secs, lat_pct_us(&lat, 50),
                lat_pct_us(&lat, 99), extra);
    lat_free(&lat);
}

static void do_update_nonidx(uint32_t nops, int durable)
{
    lcg32_t r;
    lcg_seed(&r, durable ? SEED_UPDATE_DURABLE : SEED_UPDATE_NOSYNC);
    set_durable(durable);
    char c[SB_C_LEN + 1];
    lat_t lat;
    lat_init(&lat, nops);
    uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < nops; i++) {
        uint32_t id = 1 + lcg_uniform(&r, N);
        sb_new_c(&r, c);
        uint64_t a = now_ns();
        strata_bind_int64(s_upd_c, 1, id);
        strata_bind_text(s_upd_c, 2, c, SB_C_LEN);
        run_stmt(s_upd_c);
        lat_add(&lat, now_ns() - a);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    emit_result(&ctx, "update_nonidx", durable ? "durable" : "nosync", nops, secs,
                lat_pct_us(&lat, 50), lat_pct_us(&lat, 99), "");
    lat_free(&lat);
    set_durable(1);
}

/* One piece of the paired probe: count writes of bytes + fdatasync to fd,
 * at offset 0 onwards (overwrite: the file already holds them) or at its end
 * (append: the file grows, so each sync also commits its new size). Returns
 * the seconds taken, or -1 on an I/O error. */
static double probe_piece(int fd, const char *buf, size_t bytes, int count, int append)
{
    if (append ? lseek(fd, 0, SEEK_END) < 0 : lseek(fd, 0, SEEK_SET) != 0) {
        return -1;
    }
    uint64_t t0 = now_ns();
    for (int i = 0; i < count; i++) {
        if (write(fd, buf, bytes) != (ssize_t)bytes || fdatasync(fd) != 0) {
            return -1;
        }
    }
    return (double)(now_ns() - t0) / 1e9;
}

/* Durable single-row UPDATEs against the disk's floor, measured in the same
 * time windows: ROUNDS rounds of (PIECE overwrite probes, PIECE append probes,
 * nops/ROUNDS durable UPDATEs), so a disk whose fsync rate swings within
 * seconds (this shared VM's: 500 to 4,700/s between runs a minute apart)
 * affects the three alike. The probes write what a one-page commit writes
 * (one WAL frame, 8 KiB + 32 bytes) to a file next to the WAL: "overwrite" is
 * a preallocated file rewritten in place (what strata's zero-filled,
 * recycled WAL is), "append" a growing one. 20 commits warm the statement
 * up first. Run after the load (as in a full run), the WAL is already at its
 * preallocated length (the load's checkpoint trims it back to that), so no
 * zero fill competes with the commits; on a database just opened with
 * --reuse, the first generation's fill (about 16 MB, in the checkpointer
 * thread) runs during the first rounds. Emits
 * fsync_probe_overwrite, fsync_probe_append and update_nonidx_paired, each
 * over all rounds, the last with both ratios. Own key stream (seed 1001). */
static void do_update_paired(uint32_t nops)
{
    enum { ROUNDS = 10, PIECE = 100, BYTES = 8192 + 32 };
    char path[4200], buf[BYTES];
    snprintf(path, sizeof path, "%s.probe", db_path);
    memset(buf, 'x', sizeof buf);
    int over = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char path_append[4300];
    snprintf(path_append, sizeof path_append, "%s.append", path);
    int grow = open(path_append, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (over < 0 || grow < 0 || probe_piece(over, buf, BYTES, PIECE, 1) < 0) {
        perror("paired probe");
        exit(1);
    }
    lcg32_t r;
    lcg_seed(&r, 1001);
    set_durable(1);
    char c[SB_C_LEN + 1];
    double over_s = 0, grow_s = 0, commit_s = 0;
    uint32_t per_round = nops / ROUNDS > 0 ? nops / ROUNDS : 1, commits = 0;
    for (int round = -1; round < ROUNDS; round++) {
        uint32_t count = round < 0 ? 20 : per_round; /* round -1: the warm-up */
        double o = round < 0 ? 0 : probe_piece(over, buf, BYTES, PIECE, 0);
        double g = round < 0 ? 0 : probe_piece(grow, buf, BYTES, PIECE, 1);
        if (o < 0 || g < 0) {
            perror("paired probe");
            exit(1);
        }
        uint64_t t0 = now_ns();
        for (uint32_t i = 0; i < count; i++) {
            uint32_t id = 1 + lcg_uniform(&r, N);
            sb_new_c(&r, c);
            strata_bind_int64(s_upd_c, 1, id);
            strata_bind_text(s_upd_c, 2, c, SB_C_LEN);
            run_stmt(s_upd_c);
        }
        if (round >= 0) {
            commit_s += (double)(now_ns() - t0) / 1e9;
            over_s += o;
            grow_s += g;
            commits += count;
        }
    }
    close(over);
    close(grow);
    unlink(path);
    unlink(path_append);
    uint32_t probes = ROUNDS * PIECE;
    char extra[256];
    emit_result(&ctx, "fsync_probe_overwrite", "durable", probes, over_s, -1, -1,
                ",\"note\":\"8 KiB + 32 B overwrite + fdatasync, paired with update_nonidx_paired\"");
    emit_result(&ctx, "fsync_probe_append", "durable", probes, grow_s, -1, -1,
                ",\"note\":\"8 KiB + 32 B append + fdatasync, paired with update_nonidx_paired\"");
    snprintf(extra, sizeof extra,
             ",\"vs_overwrite\":%.3f,\"vs_append\":%.3f,\"note\":\"%d rounds of 100 + 100 "
             "probes and %u commits\"",
             (commits / commit_s) / (probes / over_s), (commits / commit_s) / (probes / grow_s),
             ROUNDS, per_round);
    emit_result(&ctx, "update_nonidx_paired", "durable", commits, commit_s, -1, -1, extra);
}

static void do_insert(uint32_t nops)
{
    lcg32_t r;
    lcg_seed(&r, SEED_INSERT);
    set_durable(1);
    char c[SB_C_LEN + 1], pad[SB_PAD_LEN + 1];
    lat_t lat;
    lat_init(&lat, nops);
    uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < nops; i++) {
        uint32_t id = N + 1 + i;
        uint32_t k = 1 + lcg_uniform(&r, N);
        sb_new_c(&r, c);
        sb_new_pad(&r, pad);
        uint64_t a = now_ns();
        bind_row(s_ins, id, k, c, pad);
        run_stmt(s_ins);
        lat_add(&lat, now_ns() - a);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    emit_result(&ctx, "insert", "durable", nops, secs, lat_pct_us(&lat, 50), lat_pct_us(&lat, 99),
                "");
    lat_free(&lat);
}

static void do_delete_insert(uint32_t nops)
{
    lcg32_t r;
    lcg_seed(&r, SEED_DELETE_INSERT);
    set_durable(1);
    char c[SB_C_LEN + 1], pad[SB_PAD_LEN + 1];
    lat_t lat;
    lat_init(&lat, nops);
    uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < nops; i++) {
        uint32_t id = 1 + lcg_uniform(&r, N);
        uint32_t k = 1 + lcg_uniform(&r, N);
        sb_new_c(&r, c);
        sb_new_pad(&r, pad);
        uint64_t a = now_ns();
        run_stmt(s_begin);
        strata_bind_int64(s_del, 1, id);
        run_stmt(s_del);
        bind_row(s_ins, id, k, c, pad);
        run_stmt(s_ins);
        run_stmt(s_commit);
        lat_add(&lat, now_ns() - a);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    emit_result(&ctx, "delete_insert", "durable", nops, secs, lat_pct_us(&lat, 50),
                lat_pct_us(&lat, 99), "");
    lat_free(&lat);
}

static void do_rw_mix(double seconds, int durable)
{
    lcg32_t r;
    lcg_seed(&r, durable ? SEED_RW_MIX_DURABLE : SEED_RW_MIX_NOSYNC);
    set_durable(durable);
    char c[SB_C_LEN + 1], c2[SB_C_LEN + 1], pad[SB_PAD_LEN + 1];
    lat_t lat;
    lat_init(&lat, 65536);
    uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(seconds * 1e9), tend;
    uint64_t rows = 0;
    for (;;) {
        uint32_t pid[10];
        for (int j = 0; j < 10; j++) {
            pid[j] = 1 + lcg_uniform(&r, N);
        }
        uint32_t lo = 1 + lcg_uniform(&r, N - (SB_RANGE_LEN - 1));
        uint32_t uid_k = 1 + lcg_uniform(&r, N);
        uint32_t uid_c = 1 + lcg_uniform(&r, N);
        sb_new_c(&r, c);
        uint32_t did = 1 + lcg_uniform(&r, N);
        uint32_t k = 1 + lcg_uniform(&r, N);
        sb_new_c(&r, c2);
        sb_new_pad(&r, pad);

        uint64_t a = now_ns();
        run_stmt(s_begin);
        for (int j = 0; j < 10; j++) {
            strata_bind_int64(s_point, 1, pid[j]);
            rows += run_stmt(s_point);
        }
        strata_bind_int64(s_range, 1, lo);
        strata_bind_int64(s_range, 2, lo + SB_RANGE_LEN - 1);
        rows += run_stmt(s_range);
        strata_bind_int64(s_upd_k, 1, uid_k);
        run_stmt(s_upd_k);
        strata_bind_int64(s_upd_c, 1, uid_c);
        strata_bind_text(s_upd_c, 2, c, SB_C_LEN);
        run_stmt(s_upd_c);
        strata_bind_int64(s_del, 1, did);
        run_stmt(s_del);
        bind_row(s_ins, did, k, c2, pad);
        run_stmt(s_ins);
        run_stmt(s_commit);
        tend = now_ns();
        lat_add(&lat, tend - a);
        if (tend >= deadline) {
            break;
        }
    }
    double secs = (double)(tend - t0) / 1e9;
    char extra[96];
    snprintf(extra, sizeof extra, ",\"rows_read\":%llu,\"note\":\"ops = transactions\"",
             (unsigned long long)rows);
    emit_result(&ctx, "rw_mix", durable ? "durable" : "nosync", lat.n, secs, lat_pct_us(&lat, 50),
                lat_pct_us(&lat, 99), extra);
    lat_free(&lat);
    set_durable(1);
}

/* Group commit: `clients` threads, each with its own connection to the same
 * database, run durable single-row UPDATEs (the update_nonidx statement) from
 * their own LCG32 streams (seed SEED_UPDATE_DURABLE + 100 * thread) until
 * nops in all are done. One writer appends at a time; a committer that finds
 * an fsync under way waits for the next one, which covers every commit appended
 * meanwhile, so with 2 writers the commit rate may exceed the fsync rate. */
typedef struct Writer {
    uint32_t nops, seed;
    lat_t lat;
    strata_db *conn;
} Writer;

static void *writer_main(void *arg)
{
    Writer *w = arg;
    strata_stmt *stmt = NULL;
    if (strata_prepare(w->conn, "UPDATE sbtest SET c = $2 WHERE id = $1", -1, &stmt, NULL) !=
        STRATA_OK) {
        fprintf(stderr, "strata error: %s\n", strata_errmsg(w->conn));
        exit(1);
    }
    lcg32_t r;
    lcg_seed(&r, w->seed);
    char c[SB_C_LEN + 1];
    for (uint32_t i = 0; i < w->nops; i++) {
        uint32_t id = 1 + lcg_uniform(&r, N);
        sb_new_c(&r, c);
        uint64_t a = now_ns();
        strata_bind_int64(stmt, 1, id);
        strata_bind_text(stmt, 2, c, SB_C_LEN);
        int rc = strata_step(stmt);
        if (rc != STRATA_DONE) {
            fprintf(stderr, "strata error in concurrent update: %s (SQLSTATE %s)\n",
                    strata_errmsg(w->conn), strata_sqlstate(w->conn));
            exit(1);
        }
        strata_reset(stmt);
        lat_add(&w->lat, now_ns() - a);
    }
    strata_finalize(stmt);
    return NULL;
}

static void do_update_concurrent(uint32_t nops, int clients)
{
    Writer writers[8];
    pthread_t threads[8];
    lat_t all;
    lat_init(&all, nops);
    for (int t = 0; t < clients; t++) {
        writers[t].nops = nops / (uint32_t)clients;
        writers[t].seed = SEED_UPDATE_DURABLE + 100u * (uint32_t)(t + 1);
        lat_init(&writers[t].lat, writers[t].nops);
        if (strata_open(db_path, &writers[t].conn) != STRATA_OK) {
            die_sql("open writer");
        }
        strata_busy_timeout(writers[t].conn, 60000);
        strata_exec(writers[t].conn, "SET synchronous_commit = on", NULL, NULL);
    }
    uint64_t t0 = now_ns();
    for (int t = 0; t < clients; t++) {
        pthread_create(&threads[t], NULL, writer_main, &writers[t]);
    }
    uint32_t done = 0;
    for (int t = 0; t < clients; t++) {
        pthread_join(threads[t], NULL);
        for (size_t i = 0; i < writers[t].lat.n; i++) {
            lat_add(&all, writers[t].lat.ns[i]);
        }
        done += writers[t].nops;
        lat_free(&writers[t].lat);
        strata_close(writers[t].conn);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    char extra[160];
    snprintf(extra, sizeof extra,
             ",\"clients\":%d,\"note\":\"%d threads, one connection each; ops = commits\"",
             clients, clients);
    char op[32];
    snprintf(op, sizeof op, "update_nonidx_c%d", clients);
    emit_result(&ctx, op, "durable", done, secs, lat_pct_us(&all, 50), lat_pct_us(&all, 99),
                extra);
    lat_free(&all);
}

static int want(const char *list, const char *op)
{
    if (list == NULL || strcmp(list, "all") == 0) {
        return 1;
    }
    size_t n = strlen(op);
    for (const char *p = list; (p = strstr(p, op)) != NULL; p += n) {
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) {
            return 1;
        }
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: strata_runner -d DBFILE [-N rows] [-r run] [--ops LIST]\n"
                    "  [--point N --selk N --range N --upd N --ins N --delins N --mix-seconds S]\n"
                    "  [--cache-mb M (1024)] [--concurrent C (2 writers; 1 = skip) or C-M (C, 2C, .. M)]\n"
                    "  [--reuse (keep DBFILE: profile one op on a database loaded before)]\n"
                    "  ops: load,point_select,select_k,range_select,update_durable,update_paired,\n"
                    "       update_nosync,\n"
                    "       update_concurrent,insert,delete_insert,rw_mix_durable,rw_mix_nosync (default all)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *path = NULL, *ops = "all";
    uint32_t n_point = 200000, n_selk = 100000, n_range = 50000, n_upd = 20000, n_ins = 20000,
             n_delins = 20000;
    double mix_s = 20;
    int cache_mb = 1024, clients = 2, clients_max = 2, reuse = 0;
    ctx.run = 1;
    static struct option long_options[] = {
        {"ops", 1, 0, 'o'},  {"point", 1, 0, 1}, {"selk", 1, 0, 2},
        {"range", 1, 0, 3},  {"upd", 1, 0, 4},   {"ins", 1, 0, 5},
        {"delins", 1, 0, 6}, {"mix-seconds", 1, 0, 7}, {"cache-mb", 1, 0, 8},
        {"concurrent", 1, 0, 9}, {"reuse", 0, 0, 10}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "d:N:r:o:h", long_options, NULL)) != -1) {
        switch (ch) {
        case 'd': path = optarg; break;
        case 'N': N = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'r': ctx.run = atoi(optarg); break;
        case 'o': ops = optarg; break;
        case 1: n_point = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 2: n_selk = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 3: n_range = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 4: n_upd = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 5: n_ins = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 6: n_delins = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 7: mix_s = atof(optarg); break;
        case 8: cache_mb = atoi(optarg); break;
        case 9: /* C, or C-M: C, 2C, ... up to M writers, each with its own op */
            clients = atoi(optarg);
            clients_max = strchr(optarg, '-') != NULL ? atoi(strchr(optarg, '-') + 1) : clients;
            clients_max = clients_max > 8 ? 8 : clients_max;
            break;
        case 10: reuse = 1; break;
        default: usage();
        }
    }
    if (path == NULL || N < SB_RANGE_LEN) {
        usage();
    }
    char wal_path[4096];
    snprintf(wal_path, sizeof wal_path, "%s-wal", path);
    if (!reuse) {
        unlink(path);
        unlink(wal_path);
    }
    if (strata_open(path, &db) != STRATA_OK) {
        die_sql("open");
    }
    db_path = path;
    char set_cache[64];
    snprintf(set_cache, sizeof set_cache, "SET shared_buffers = '%dMB'", cache_mb);
    exec_sql(set_cache);
    snprintf(config_buf, sizeof config_buf,
             "synchronous_commit=on (durable) / off (nosync); shared_buffers=%dMB; "
             "page_size=8192; pk=BIGINT PRIMARY KEY (clustered B+tree)",
             cache_mb);
    ctx.workload = "oltp-micro";
    ctx.engine = "strata";
    ctx.engine_version = strata_libversion();
    ctx.runner = "strata_runner.c";
    ctx.config = config_buf;

    if (want(ops, "load")) {
        do_load();
    }
    prepare_all();
    if (want(ops, "point_select")) {
        do_read(READ_POINT, n_point);
    }
    if (want(ops, "select_k")) {
        do_read(READ_SELECT_K, n_selk);
    }
    if (want(ops, "range_select")) {
        do_read(READ_RANGE, n_range);
    }
    if (want(ops, "update_durable")) {
        fsync_probe("update_nonidx durable");
        do_update_nonidx(n_upd, 1);
    }
    if (want(ops, "update_paired")) {
        do_update_paired(n_upd);
    }
    if (want(ops, "update_nosync")) {
        do_update_nonidx(n_upd, 0);
    }
    for (int c = clients; want(ops, "update_concurrent") && c > 1 && c <= clients_max; c *= 2) {
        char before[32];
        snprintf(before, sizeof before, "update_nonidx_c%d", c);
        fsync_probe(before);
        do_update_concurrent(n_upd, c);
    }
    if (want(ops, "insert")) {
        do_insert(n_ins);
    }
    if (want(ops, "delete_insert")) {
        do_delete_insert(n_delins);
    }
    if (want(ops, "rw_mix_durable")) {
        do_rw_mix(mix_s, 1);
    }
    if (want(ops, "rw_mix_nosync")) {
        do_rw_mix(mix_s, 0);
    }
    strata_stmt *all[] = {s_point, s_selk, s_range, s_upd_c, s_upd_k, s_ins, s_del, s_begin, s_commit};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        strata_finalize(all[i]);
    }
    if (strata_close(db) != STRATA_OK) {
        die_sql("close");
    }
    return 0;
}
