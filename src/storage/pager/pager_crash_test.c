/*
 * storage/pager/pager_crash_test.c - goal: no committed transaction is ever
 * lost and no partial one ever appears, whatever fails: power loss at every
 * write (fault VFS crash-at-N, torn writes), EIO / ENOSPC / fsync failure
 * (sticky error state, consistent after reopen), bit flips in the database
 * file and the WAL (reported with file and page), foreign or newer files,
 * a randomized model run with crashes, and real fork() + SIGKILL.
 *
 * Every workload transaction t sets meta slot 0 to t, so after recovery the
 * database says which transaction it ends with; that one must be at least
 * the last acknowledged and the pages must match the model after it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storage/pager/pager.h"
#include "storage/vfs/vfs.h"
#include "storage/vfs/vfs_fault.h"
#include "util/checksum.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

#define MAX_PAGES 400
#define MAX_TXNS 64

/* Model: tags[t][pgno] = tag of page pgno after txn t (0 = page absent). */
typedef struct Model {
    uint32_t tags[MAX_TXNS + 1][MAX_PAGES];
    Pgno page_count[MAX_TXNS + 1];
} Model;

static Model model;

static bool quick(void) { return getenv("STRATA_TEST_QUICK") != NULL; }

static void fill(uint8_t *data, uint32_t tag, Pgno pgno)
{
    for (int at = 0; at < 256; at++) {
        data[at] = (uint8_t)(tag * 31 + pgno + (uint32_t)at);
    }
    memcpy(data + 256, &tag, 4);
    memset(data + PAGE_USABLE_SIZE - 16, (int)(tag & 0xff), 16);
}

static bool page_matches(const uint8_t *data, uint32_t tag, Pgno pgno)
{
    uint8_t expect[PAGE_SIZE];
    memset(expect, 0, sizeof(expect));
    fill(expect, tag, pgno);
    return memcmp(expect, data, 256 + 4) == 0 &&
           memcmp(expect + PAGE_USABLE_SIZE - 16, data + PAGE_USABLE_SIZE - 16, 16) == 0;
}

/* The WAL modes under test (open_pager): preallocated (zero fill, recycled,
 * kept on close) and with the checkpointer thread. */
static bool opt_preallocate, opt_background;

static Pager *open_pager(Vfs *vfs, size_t cache_pages, size_t autockpt, Error *err)
{
    PagerOptions opts;
    pager_options_default(&opts);
    opts.wal_preallocate = opt_preallocate;
    opts.wal_keep_on_close = opt_preallocate;
    opts.checkpoint_in_background = opt_background;
    opts.vfs = vfs;
    opts.cache_pages = cache_pages;
    opts.wal_autocheckpoint_pages = autockpt;
    opts.busy_timeout_ms = 100;
    Pager *pager = NULL;
    if (pager_open("c.db", &opts, &pager, err) != STRATA_OK) {
        return NULL;
    }
    return pager;
}

/* Runs txn t of the deterministic workload (rng seeded per t). */
static int run_txn(Pager *pager, int t, uint64_t seed, Error *err)
{
    uint64_t rng = seed * 1000003u + (uint64_t)t;
    PagerTxn *txn = NULL;
    int rc = pager_begin(pager, true, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Pgno count = pager_page_count(txn);
    int allocs = (int)(test_rand(&rng) % 20);
    int updates = count > 1 ? (int)(test_rand(&rng) % 12) : 0;
    for (int at = 0; at < allocs && rc == STRATA_OK && count < MAX_PAGES - 1; at++) {
        Page *page = NULL;
        uint8_t *data = NULL;
        rc = pager_alloc(txn, &page, err);
        if (rc == STRATA_OK) {
            rc = pager_write(txn, page, &data, err);
            if (rc == STRATA_OK) {
                fill(data, (uint32_t)t, page_pgno(page));
            }
            pager_unpin(page);
            count++;
        }
    }
    for (int at = 0; at < updates && rc == STRATA_OK; at++) {
        Pgno pgno = 1 + (Pgno)(test_rand(&rng) % (count - 1));
        Page *page = NULL;
        uint8_t *data = NULL;
        rc = pager_get(txn, pgno, &page, err);
        if (rc == STRATA_OK) {
            rc = pager_write(txn, page, &data, err);
            if (rc == STRATA_OK) {
                fill(data, (uint32_t)t, pgno);
            }
            pager_unpin(page);
        }
    }
    if (rc == STRATA_OK) {
        rc = pager_set_meta(txn, 0, (uint64_t)t, err);
    }
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return rc;
    }
    return pager_commit(txn, err);
}

/* Builds the model by running the workload without faults. */
static void build_model(uint64_t seed, int txns)
{
    memset(&model, 0, sizeof(model));
    Vfs *vfs = vfs_memory_create();
    Error err;
    Pager *pager = open_pager(vfs, 8, 16, &err);
    model.page_count[0] = 1;
    for (int t = 1; t <= txns; t++) {
        if (run_txn(pager, t, seed, &err) != STRATA_OK) {
            fprintf(stderr, "model txn %d: %s\n", t, err.message);
        }
        PagerTxn *txn = NULL;
        pager_begin(pager, false, &txn, &err);
        model.page_count[t] = pager_page_count(txn);
        for (Pgno pgno = 1; pgno < model.page_count[t]; pgno++) {
            Page *page = NULL;
            pager_get(txn, pgno, &page, &err);
            memcpy(&model.tags[t][pgno], page_data(page) + 256, 4);
            pager_unpin(page);
        }
        pager_rollback(txn);
    }
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

/* Checks the recovered database: ends with some txn j in [acked, attempted]. */
static bool verify_recovered(Vfs *vfs, int acked, int attempted, const char *what, uint64_t n)
{
    Error err;
    Pager *pager = open_pager(vfs, 8, 16, &err);
    if (pager == NULL) {
        fprintf(stderr, "  %s %llu: reopen failed: %s\n", what, (unsigned long long)n, err.message);
        return false;
    }
    PagerTxn *txn = NULL;
    bool ok = pager_begin(pager, false, &txn, &err) == STRATA_OK;
    uint64_t j = 0;
    if (ok) {
        pager_get_meta(txn, 0, &j);
        ok = (int)j >= acked && (int)j <= attempted;
        if (!ok) {
            fprintf(stderr, "  %s %llu: recovered txn %llu, acked %d, attempted %d\n", what,
                    (unsigned long long)n, (unsigned long long)j, acked, attempted);
        }
    }
    if (ok && pager_page_count(txn) != model.page_count[j]) {
        fprintf(stderr, "  %s %llu: page count %u != %u\n", what, (unsigned long long)n,
                pager_page_count(txn), model.page_count[j]);
        ok = false;
    }
    for (Pgno pgno = 1; ok && pgno < model.page_count[j]; pgno++) {
        Page *page = NULL;
        if (pager_get(txn, pgno, &page, &err) != STRATA_OK) {
            fprintf(stderr, "  %s %llu: %s\n", what, (unsigned long long)n, err.message);
            ok = false;
            break;
        }
        if (!page_matches(page_data(page), model.tags[j][pgno], pgno)) {
            fprintf(stderr, "  %s %llu: page %u differs after txn %llu\n", what,
                    (unsigned long long)n, pgno, (unsigned long long)j);
            ok = false;
        }
        pager_unpin(page);
    }
    pager_rollback(txn);
    if (ok && pager_check(pager, &err) != STRATA_OK) {
        fprintf(stderr, "  %s %llu: check: %s\n", what, (unsigned long long)n, err.message);
        ok = false;
    }
    pager_close(pager, &err);
    return ok;
}

/* One run: workload over fault(memory) with config; then power loss and verify. */
static bool crash_run(const FaultConfig *config, uint64_t seed, int txns, const char *what,
                      uint64_t n, uint64_t *writes_out)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Error err;
    Pager *pager = open_pager(fault, 8, 16, &err);
    vfs_fault_configure(fault, config);
    int acked = 0, attempted = 0;
    for (int t = 1; t <= txns && pager != NULL; t++) {
        attempted = t;
        int rc = run_txn(pager, t, seed, &err);
        FaultStats stats;
        vfs_fault_stats(fault, &stats);
        if (rc == STRATA_OK && !stats.crashed) {
            acked = t;
        }
        if (rc != STRATA_OK) {
            break;
        }
    }
    FaultStats stats;
    vfs_fault_stats(fault, &stats);
    if (writes_out != NULL) {
        *writes_out = stats.writes;
    }
    bool error_state_ok = true;
    if (pager != NULL && stats.injected > 0 && !stats.crashed) {
        /* a failed write or fsync is sticky */
        if (pager_in_error_state(pager)) {
            PagerTxn *txn = NULL;
            error_state_ok = pager_begin(pager, true, &txn, &err) == STRATA_IOERR;
        }
    }
    pager_close(pager, &err);
    vfs_memory_crash(mem);
    bool ok = error_state_ok && verify_recovered(mem, acked, attempted, what, n);
    vfs_destroy(fault);
    vfs_destroy(mem);
    return ok;
}

static void crash_every_write(const char *name, uint64_t step_full, uint64_t step_quick)
{
    uint64_t seed = test_seed(name);
    int txns = 24;
    build_model(seed, txns);
    FaultConfig none = {0};
    uint64_t total_writes = 0;
    REQUIRE(crash_run(&none, seed, txns, "clean", 0, &total_writes));
    uint64_t step = quick() ? step_quick : step_full;
    for (uint64_t n = 1; n <= total_writes; n += step) {
        FaultConfig crash = {.crash_at_write = n};
        if (!crash_run(&crash, seed, txns, "crash at write", n, NULL)) {
            test_current_failed = 1;
            return;
        }
        FaultConfig torn = {.torn_write_at = n, .seed = seed + n};
        if (!crash_run(&torn, seed, txns, "torn write", n, NULL)) {
            test_current_failed = 1;
            return;
        }
    }
}

static void test_crash_every_write(void) { crash_every_write("crash_every_write", 1, 7); }

/* The same with a preallocated WAL (autocheckpoint 16 frames: the workload
 * goes through many restarts, so crashes hit the zero fill, the checkpoint's
 * copy and fsync, the restart and trim, and commits into a recycled file). */
static void test_crash_every_write_recycled(void)
{
    opt_preallocate = true;
    crash_every_write("crash_every_write_recycled", 1, 7);
    opt_preallocate = false;
}

/* And with the checkpointer thread: write numbers then depend on timing, so
 * a crash falls on whatever the thread and the committer were doing. */
static void test_crash_every_write_background(void)
{
    opt_preallocate = opt_background = true;
    crash_every_write("crash_every_write_background", 2, 11);
    opt_preallocate = opt_background = false;
}

/* Bulk transactions: commits (and spills) of more frames than a staging run
 * (WAL_STAGE_FRAMES, 64) and than the preallocation's fill distance (512), so
 * the frames go out in multi-frame writes without zero fills ahead. Txn 1
 * allocates 600 pages, txn 2 rewrites pages 100-299 and adds 50, txn 3
 * adds 100 and rewrites pages 1-50; bulk_tags records what each leaves. */
#define BULK_PAGES 800
#define BULK_TXNS 3
static uint32_t bulk_tags[BULK_TXNS + 1][BULK_PAGES];
static Pgno bulk_count[BULK_TXNS + 1];

static int bulk_write(PagerTxn *txn, Page *page, int t, Error *err)
{
    uint8_t *data = NULL;
    int rc = pager_write(txn, page, &data, err);
    if (rc == STRATA_OK) {
        fill(data, (uint32_t)t, page_pgno(page));
        bulk_tags[t][page_pgno(page)] = (uint32_t)t;
    }
    pager_unpin(page);
    return rc;
}

static int bulk_txn(Pager *pager, int t, Error *err)
{
    PagerTxn *txn = NULL;
    int rc = pager_begin(pager, true, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    memcpy(bulk_tags[t], bulk_tags[t - 1], sizeof(bulk_tags[t]));
    int allocs = t == 1 ? 600 : t == 2 ? 50 : 100;
    Pgno count = pager_page_count(txn);
    for (Pgno pgno = 1; pgno < count && rc == STRATA_OK; pgno++) {
        if ((t == 2 && pgno >= 100 && pgno < 300) || (t == 3 && pgno <= 50)) {
            Page *page = NULL;
            rc = pager_get(txn, pgno, &page, err);
            if (rc == STRATA_OK) {
                rc = bulk_write(txn, page, t, err);
            }
        }
    }
    for (int at = 0; at < allocs && rc == STRATA_OK; at++) {
        Page *page = NULL;
        rc = pager_alloc(txn, &page, err);
        if (rc == STRATA_OK) {
            rc = bulk_write(txn, page, t, err);
        }
    }
    if (rc == STRATA_OK) {
        bulk_count[t] = pager_page_count(txn);
        rc = pager_set_meta(txn, 0, (uint64_t)t, err);
    }
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return rc;
    }
    return pager_commit(txn, err);
}

/* Reopens after the crash: the database ends with some txn j in [acked,
 * attempted], and every page is as txn j left it. */
static bool bulk_verify(Vfs *vfs, size_t cache_pages, int acked, int attempted, const char *what,
                        uint64_t n)
{
    Error err;
    Pager *pager = open_pager(vfs, cache_pages, 64, &err);
    if (pager == NULL) {
        fprintf(stderr, "  %s %llu: reopen failed: %s\n", what, (unsigned long long)n, err.message);
        return false;
    }
    PagerTxn *txn = NULL;
    uint64_t j = 0;
    bool ok = pager_begin(pager, false, &txn, &err) == STRATA_OK;
    if (ok) {
        pager_get_meta(txn, 0, &j);
        ok = (int)j >= acked && (int)j <= attempted &&
             pager_page_count(txn) == (j == 0 ? 1 : bulk_count[j]);
        if (!ok) {
            fprintf(stderr, "  %s %llu: recovered txn %llu (page count %u), acked %d, attempted %d\n",
                    what, (unsigned long long)n, (unsigned long long)j, pager_page_count(txn), acked,
                    attempted);
        }
    }
    for (Pgno pgno = 1; ok && j > 0 && pgno < bulk_count[j]; pgno++) {
        Page *page = NULL;
        ok = pager_get(txn, pgno, &page, &err) == STRATA_OK;
        if (!ok || !page_matches(page_data(page), bulk_tags[j][pgno], pgno)) {
            fprintf(stderr, "  %s %llu: page %u wrong after txn %llu\n", what,
                    (unsigned long long)n, pgno, (unsigned long long)j);
            ok = false;
        }
        if (page != NULL) {
            pager_unpin(page);
        }
    }
    if (txn != NULL) {
        pager_rollback(txn);
    }
    if (ok && pager_check(pager, &err) != STRATA_OK) {
        fprintf(stderr, "  %s %llu: check: %s\n", what, (unsigned long long)n, err.message);
        ok = false;
    }
    pager_close(pager, &err);
    return ok;
}

static bool bulk_run(const FaultConfig *config, size_t cache_pages, const char *what, uint64_t n,
                     uint64_t *writes_out, uint64_t *spilled_out)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Error err;
    Pager *pager = open_pager(fault, cache_pages, 64, &err);
    vfs_fault_configure(fault, config);
    int acked = 0, attempted = 0;
    for (int t = 1; t <= BULK_TXNS && pager != NULL; t++) {
        attempted = t;
        int rc = bulk_txn(pager, t, &err);
        FaultStats stats;
        vfs_fault_stats(fault, &stats);
        if (rc != STRATA_OK) {
            break;
        }
        acked = stats.crashed ? acked : t;
    }
    FaultStats stats;
    vfs_fault_stats(fault, &stats);
    if (writes_out != NULL) {
        *writes_out = stats.writes;
    }
    if (spilled_out != NULL && pager != NULL) {
        PagerStats counters;
        pager_stats(pager, &counters);
        *spilled_out = counters.spilled_pages;
    }
    pager_close(pager, &err);
    vfs_memory_crash(mem);
    bool ok = bulk_verify(mem, cache_pages, acked, attempted, what, n);
    vfs_destroy(fault);
    vfs_destroy(mem);
    return ok;
}

static void crash_every_write_bulk(size_t cache_pages, bool expect_spill)
{
    opt_preallocate = true;
    uint64_t writes = 0, spilled = 0;
    FaultConfig none = {0};
    REQUIRE(bulk_run(&none, cache_pages, "bulk clean", 0, &writes, &spilled));
    /* About 1,000 frames (and with the small cache 520 more spilled), then
     * the checkpoints' copies, in runs of up to 64 pages: far fewer writes
     * than pages (one write per frame and per copied page made over 2,000). */
    printf("  bulk, cache %zu pages: %llu writes, %llu pages spilled\n", cache_pages,
           (unsigned long long)writes, (unsigned long long)spilled);
    CHECK(writes > 0 && writes < 150);
    CHECK(expect_spill ? spilled >= 512 : spilled == 0);
    uint64_t step = quick() ? 5 : 1;
    for (uint64_t n = 1; n <= writes; n += step) {
        FaultConfig crash = {.crash_at_write = n};
        FaultConfig torn = {.torn_write_at = n, .seed = n};
        if (!bulk_run(&crash, cache_pages, "bulk crash at write", n, NULL, NULL) ||
            !bulk_run(&torn, cache_pages, "bulk torn write", n, NULL, NULL)) {
            test_current_failed = 1;
            break;
        }
    }
    opt_preallocate = false;
}

static void test_crash_every_write_bulk(void) { crash_every_write_bulk(4096, false); }

/* With 520 cache pages, txn 1 spills 520 pages at once: a bulk spill. */
static void test_crash_every_write_bulk_spill(void) { crash_every_write_bulk(520, true); }

static void io_errors(const char *name)
{
    uint64_t seed = test_seed(name);
    int txns = 16;
    build_model(seed, txns);
    uint64_t step = quick() ? 9 : 3;
    for (uint64_t n = 1; n < 120; n += step) {
        FaultConfig configs[] = {
            {.write_error_at = n},
            {.sync_error_at = n / 3 + 1},
            {.short_write_at = n},
            {.disk_full_bytes = n * 4096},
            {.read_error_at = n},
        };
        for (size_t at = 0; at < sizeof(configs) / sizeof(configs[0]); at++) {
            if (!crash_run(&configs[at], seed, txns, "io error", n * 10 + at, NULL)) {
                test_current_failed = 1;
                return;
            }
        }
    }
}

static void test_io_errors(void) { io_errors("io_errors"); }

static void test_io_errors_background(void)
{
    opt_preallocate = opt_background = true;
    io_errors("io_errors_background");
    opt_preallocate = opt_background = false;
}

static void test_sticky_error_state(void)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Error err;
    Pager *pager = open_pager(fault, 8, 1000, &err);
    REQUIRE(pager != NULL);
    REQUIRE(run_txn(pager, 1, 5, &err) == STRATA_OK);
    FaultConfig config = {.sync_error_at = 1};
    vfs_fault_configure(fault, &config);
    CHECK_EQ_INT(run_txn(pager, 2, 5, &err), STRATA_IOERR);
    CHECK(pager_in_error_state(pager));
    vfs_fault_configure(fault, NULL);
    PagerTxn *txn = NULL;
    CHECK_EQ_INT(pager_begin(pager, true, &txn, &err), STRATA_IOERR);
    CHECK(pager_begin(pager, false, &txn, &err) == STRATA_OK); /* readers go on */
    uint64_t j = 9;
    pager_get_meta(txn, 0, &j);
    CHECK_EQ_INT(j, 1);
    pager_rollback(txn);
    pager_close(pager, &err);
    pager = open_pager(fault, 8, 1000, &err);
    REQUIRE(pager != NULL);
    CHECK(!pager_in_error_state(pager));
    CHECK(pager_check(pager, &err) == STRATA_OK);
    CHECK(run_txn(pager, 3, 5, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

static void flip_byte(Vfs *vfs, const char *path, uint64_t offset)
{
    VfsFile *file = NULL;
    Error err;
    if (vfs_open(vfs, path, 0, &file, &err) != STRATA_OK) {
        return;
    }
    uint8_t byte = 0;
    size_t got = 0;
    vfs_read(file, &byte, 1, offset, &got, &err);
    byte ^= 0x40;
    vfs_write(file, &byte, 1, offset, &err);
    vfs_sync(file, &err);
    vfs_close(file);
}

static void test_corruption(void)
{
    Vfs *mem = vfs_memory_create();
    Error err;
    Pager *pager = open_pager(mem, 8, 100000, &err);
    REQUIRE(pager != NULL);
    REQUIRE(run_txn(pager, 1, 9, &err) == STRATA_OK);
    REQUIRE(pager_close(pager, &err) == STRATA_OK); /* all in the db file */
    flip_byte(mem, "c.db", 3 * PAGE_SIZE + 100);
    pager = open_pager(mem, 8, 100000, &err);
    REQUIRE(pager != NULL);
    PagerTxn *txn = NULL;
    Page *page = NULL;
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    CHECK_EQ_INT(pager_get(txn, 3, &page, &err), STRATA_CORRUPT);
    CHECK(strstr(err.message, "page 3") != NULL && strstr(err.message, "c.db") != NULL);
    CHECK_EQ_STR(err.sqlstate, "XX001");
    CHECK(pager_get(txn, 2, &page, &err) == STRATA_OK);
    pager_unpin(page);
    pager_rollback(txn);
    CHECK_EQ_INT(pager_check(pager, &err), STRATA_CORRUPT);
    CHECK(strstr(err.message, "page 3") != NULL);
    pager_close(pager, &err);

    /* WAL: a flipped frame read after recovery is reported with the WAL file */
    Vfs *mem2 = vfs_memory_create();
    pager = open_pager(mem2, 8, 100000, &err);
    REQUIRE(pager != NULL);
    REQUIRE(run_txn(pager, 1, 9, &err) == STRATA_OK);
    flip_byte(mem2, "c.db-wal", 32 + 32 + 500); /* frame 0's page bytes */
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    int corrupt = 0;
    for (Pgno pgno = 1; pgno < pager_page_count(txn); pgno++) {
        if (pager_get(txn, pgno, &page, &err) == STRATA_OK) {
            pager_unpin(page);
        } else {
            corrupt++;
            CHECK(strstr(err.message, "c.db-wal") != NULL);
            CHECK(strstr(err.message, "page") != NULL);
        }
    }
    CHECK_EQ_INT(corrupt, 1);
    pager_rollback(txn);
    CHECK_EQ_INT(pager_check(pager, &err), STRATA_CORRUPT);
    /* On reopen the chain breaks at that frame: the commit is dropped whole. */
    pager_close(pager, &err); /* checkpoint stops at the bad frame */
    pager = open_pager(mem2, 8, 100000, &err);
    if (pager != NULL) {
        CHECK(pager_begin(pager, false, &txn, &err) == STRATA_OK);
        uint64_t j = 99;
        pager_get_meta(txn, 0, &j);
        CHECK(j == 0 || j == 1);
        pager_rollback(txn);
        pager_close(pager, &err);
    }
    vfs_destroy(mem2);

    /* Foreign file and newer version are refused. */
    VfsFile *file = NULL;
    REQUIRE(vfs_open(mem, "x.db", VFS_OPEN_CREATE, &file, &err) == STRATA_OK);
    uint8_t junk[PAGE_SIZE];
    memset(junk, 'j', sizeof(junk));
    vfs_write(file, junk, sizeof(junk), 0, &err);
    vfs_close(file);
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = mem;
    CHECK_EQ_INT(pager_open("x.db", &opts, &pager, &err), STRATA_CORRUPT);
    CHECK(strstr(err.message, "x.db") != NULL && strstr(err.message, "not a strata database"));
    flip_byte(mem, "c.db", 3 * PAGE_SIZE + 100); /* repair page 3 */
    REQUIRE(vfs_open(mem, "c.db", 0, &file, &err) == STRATA_OK);
    uint8_t version[4] = {99, 0, 0, 0};
    vfs_write(file, version, 4, 8, &err);
    vfs_close(file);
    CHECK(pager_open("c.db", &opts, &pager, &err) != STRATA_OK);
    CHECK(strstr(err.message, "format version 99") != NULL);
    vfs_destroy(mem);
}

/* Random transactions (allocs, writes, frees, savepoints, rollbacks) against
 * a model, with a power loss at a random write, many times over. */
static void test_random_model(void)
{
    uint64_t seed = test_seed("random_model");
    uint64_t rng = seed;
    int rounds = quick() ? 15 : 60;
    for (int round = 0; round < rounds; round++) {
        uint64_t round_seed = test_rand(&rng);
        int txns = 8 + (int)(test_rand(&rng) % 24);
        build_model(round_seed, txns);
        FaultConfig config = {.seed = round_seed};
        uint64_t kind = test_rand(&rng) % 4;
        uint64_t n = 1 + test_rand(&rng) % 400;
        if (kind == 0) {
            config.crash_at_write = n;
        } else if (kind == 1) {
            config.torn_write_at = n;
        } else if (kind == 2) {
            config.write_error_probability = 0.01;
            config.sync_error_probability = 0.02;
        } else {
            config.disk_full_bytes = n * 8192;
        }
        if (!crash_run(&config, round_seed, txns, "random round", (uint64_t)round, NULL)) {
            fprintf(stderr, "  random model failed: seed %llu round %d\n",
                    (unsigned long long)seed, round);
            test_current_failed = 1;
            return;
        }
    }
}

/* Real process death: a child commits in a loop and reports each ack. */
static void fork_sigkill(const char *name)
{
    uint64_t seed = test_seed(name);
    uint64_t rng = seed;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/strata_kill_%d.db", (int)getpid());
    int runs = quick() ? 5 : 20;
    for (int run = 0; run < runs; run++) {
        char wal[80];
        snprintf(wal, sizeof(wal), "%s-wal", path);
        unlink(path);
        unlink(wal);
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        fflush(NULL);
        pid_t child = fork();
        if (child == 0) {
            close(fds[0]);
            PagerOptions opts;
            pager_options_default(&opts);
            opts.wal_autocheckpoint_pages = 64;
            opts.wal_preallocate = opt_preallocate;
            opts.wal_keep_on_close = opt_preallocate;
            opts.checkpoint_in_background = opt_background;
            Pager *pager = NULL;
            Error err;
            if (pager_open(path, &opts, &pager, &err) != STRATA_OK) {
                _exit(2);
            }
            for (uint32_t i = 1;; i++) {
                PagerTxn *txn = NULL;
                if (pager_begin(pager, true, &txn, &err) != STRATA_OK) {
                    _exit(3);
                }
                Page *page = NULL;
                uint8_t *data = NULL;
                if (pager_page_count(txn) < 51) {
                    pager_alloc(txn, &page, &err);
                } else {
                    pager_get(txn, 1 + i % 50, &page, &err);
                }
                pager_write(txn, page, &data, &err);
                fill(data, i, page_pgno(page));
                pager_unpin(page);
                pager_set_meta(txn, 0, i, &err);
                if (pager_commit(txn, &err) != STRATA_OK) {
                    _exit(4);
                }
                if (write(fds[1], &i, sizeof(i)) != sizeof(i)) {
                    _exit(5);
                }
            }
        }
        close(fds[1]);
        usleep((useconds_t)(1000 + test_rand(&rng) % 60000));
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        uint32_t acked = 0, value = 0;
        while (read(fds[0], &value, sizeof(value)) == sizeof(value)) {
            acked = value;
        }
        close(fds[0]);
        Pager *pager = NULL;
        Error err;
        PagerOptions reopen;
        pager_options_default(&reopen);
        reopen.wal_preallocate = opt_preallocate;
        reopen.wal_keep_on_close = opt_preallocate;
        reopen.checkpoint_in_background = opt_background;
        REQUIRE(pager_open(path, &reopen, &pager, &err) == STRATA_OK);
        PagerTxn *txn = NULL;
        REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
        uint64_t last = 0;
        pager_get_meta(txn, 0, &last);
        CHECK(last >= acked);
        CHECK(last <= acked + 1);
        /* i <= 50 allocated page i; later i wrote page 1 + i % 50. */
        for (Pgno pgno = 1; pgno < pager_page_count(txn); pgno++) {
            uint32_t expect = 0;
            for (uint32_t i = 1; i <= last; i++) {
                Pgno target = i <= 50 ? i : 1 + i % 50;
                if (target == pgno) {
                    expect = i;
                }
            }
            Page *page = NULL;
            REQUIRE(pager_get(txn, pgno, &page, &err) == STRATA_OK);
            CHECK(page_matches(page_data(page), expect, pgno));
            pager_unpin(page);
        }
        pager_rollback(txn);
        CHECK(pager_check(pager, &err) == STRATA_OK);
        pager_close(pager, &err);
        if (test_current_failed) {
            fprintf(stderr, "  fork run %d: acked %u, found %llu\n", run, acked,
                    (unsigned long long)last);
            break;
        }
    }
    unlink(path);
}

static void test_fork_sigkill(void) { fork_sigkill("fork_sigkill"); }

/* kill -9 of a process whose checkpointer thread copies pages and restarts a
 * preallocated WAL (autocheckpoint 64 frames, 2 frames per commit): the kills
 * land in recycled generations, fills and checkpoints. */
static void test_fork_sigkill_background(void)
{
    opt_preallocate = opt_background = true;
    fork_sigkill("fork_sigkill_background");
    opt_preallocate = opt_background = false;
}

/* Rewrites the WAL at path in format 1 (version 1 in the header, every frame's
 * checksum chained over the whole page): what a WAL written before format 2
 * looks like. Returns the number of frames. */
static int rewrite_wal_as_format1(Vfs *mem, const char *path)
{
    Error err;
    VfsFile *file = NULL;
    uint64_t size = 0;
    if (vfs_open(mem, path, 0, &file, &err) != STRATA_OK || vfs_size(file, &size, &err) != STRATA_OK) {
        fprintf(stderr, "  %s: %s\n", path, err.message);
        return -1;
    }
    uint8_t header[32];
    uint8_t *frame = malloc(32 + PAGE_SIZE);
    int frames = 0;
    bool complete = false;
    if (frame != NULL && vfs_read_full(file, header, 32, 0, &complete, &err) == STRATA_OK) {
        header[4] = 1;
        uint64_t chain = checksum64(header, 24, 0);
        memcpy(header + 24, &chain, 8); /* little-endian host */
        vfs_write(file, header, 32, 0, &err);
        for (uint64_t at = 32; at + 32 + PAGE_SIZE <= size; at += 32 + PAGE_SIZE) {
            if (vfs_read_full(file, frame, 32 + PAGE_SIZE, at, &complete, &err) != STRATA_OK ||
                !complete) {
                break;
            }
            chain = checksum64(frame + 32, PAGE_SIZE, checksum64(frame, 24, chain));
            memcpy(frame + 24, &chain, 8);
            vfs_write(file, frame, 32, at, &err);
            frames++;
        }
        vfs_sync(file, &err);
    }
    free(frame);
    vfs_close(file);
    return frames;
}

/* A WAL in format 1 (before format 2 chained frames over the page tail) is
 * recovered, and appended to in format 1 until its next restart: both the
 * recovered and the later commits survive a power loss. */
static void test_wal_format1(void)
{
    uint64_t seed = test_seed("wal_format1");
    int txns = 10;
    build_model(seed, txns + 1);
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Error err;
    Pager *pager = open_pager(fault, 64, 1000000, &err);
    REQUIRE(pager != NULL);
    for (int t = 1; t <= txns; t++) {
        REQUIRE(run_txn(pager, t, seed, &err) == STRATA_OK);
    }
    /* Configuring resets the write count: close's first write is the crash. */
    FaultConfig crash = {.crash_at_write = 1};
    vfs_fault_configure(fault, &crash);
    pager_close(pager, &err);
    vfs_memory_crash(mem);
    int frames = rewrite_wal_as_format1(mem, "c.db-wal");
    printf("  format 1 WAL: %d frames rewritten\n", frames);
    CHECK(frames > txns);
    CHECK(verify_recovered(mem, txns, txns, "format 1 WAL", 0));
    /* The next commit goes into the same (format 1) generation. */
    FaultConfig none = {0};
    vfs_fault_configure(fault, &none);
    pager = open_pager(fault, 64, 1000000, &err);
    REQUIRE(pager != NULL);
    REQUIRE(run_txn(pager, txns + 1, seed, &err) == STRATA_OK);
    vfs_fault_configure(fault, &crash);
    pager_close(pager, &err);
    vfs_memory_crash(mem);
    CHECK(verify_recovered(mem, txns + 1, txns + 1, "format 1 WAL, appended", 0));
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* Writes tag into page pgno (allocating it when alloc) in its own commit. */
static int write_tag(Pager *pager, Pgno pgno, uint32_t tag, bool alloc, Error *err)
{
    PagerTxn *txn = NULL;
    int rc = pager_begin(pager, true, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Page *page = NULL;
    uint8_t *data = NULL;
    rc = alloc ? pager_alloc(txn, &page, err) : pager_get(txn, pgno, &page, err);
    if (rc == STRATA_OK) {
        rc = pager_write(txn, page, &data, err);
        if (rc == STRATA_OK) {
            fill(data, tag, page_pgno(page));
        }
        pager_unpin(page);
    }
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return rc;
    }
    return pager_commit(txn, err);
}

static uint32_t read_tag(Pager *pager, Pgno pgno, uint64_t *discards)
{
    PagerTxn *txn = NULL;
    Error err;
    uint32_t tag = 0;
    if (pager_begin(pager, false, &txn, &err) == STRATA_OK) {
        Page *page = NULL;
        if (pager_get(txn, pgno, &page, &err) == STRATA_OK) {
            memcpy(&tag, page_data(page) + 256, 4);
            pager_unpin(page);
        }
        pager_rollback(txn);
    }
    PagerStats stats;
    pager_stats(pager, &stats);
    *discards = stats.stale_wal_discards;
    return tag;
}

/* A checkpoint's WAL restart does not sync the new header (the next commit's
 * sync does). A crash before that may leave the old header over frames the
 * new generation partly overwrote: the old generation then reads as a prefix
 * that ends early, with a last commit older than the file's checkpoint (built
 * here by damaging frame 3 of a restarted WAL whose header write was lost).
 * Replaying that prefix would bring back page 1 as commit 2 left it; recovery
 * must discard it and read the file, which has commit 6. */
static void test_stale_generation_discarded(void)
{
    opt_preallocate = true; /* the WAL is kept on close */
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Error err;
    Pager *pager = open_pager(fault, 64, 1000000, &err);
    REQUIRE(pager != NULL);
    /* frames 0-1: page 1 and page 0 (txn 1); frames 2-6: page 1 (txns 2-6) */
    REQUIRE(write_tag(pager, 1, 1, true, &err) == STRATA_OK);
    for (uint32_t tag = 2; tag <= 6; tag++) {
        REQUIRE(write_tag(pager, 1, tag, false, &err) == STRATA_OK);
    }
    REQUIRE(pager_checkpoint(pager, &err) == STRATA_OK);
    FaultConfig crash = {.crash_at_write = 1};
    vfs_fault_configure(fault, &crash);
    pager_close(pager, &err);
    vfs_memory_crash(mem); /* the restart's unsynced header is lost */
    uint64_t frame3 = 32 + 3 * (uint64_t)(32 + PAGE_SIZE) + 32 + 100;
    flip_byte(mem, "c.db-wal", frame3); /* as if the new generation had overwritten it */
    FaultConfig none = {0};
    vfs_fault_configure(fault, &none);
    pager = open_pager(fault, 64, 1000000, &err);
    REQUIRE(pager != NULL);
    uint64_t discards = 0;
    CHECK_EQ_INT((int)read_tag(pager, 1, &discards), 6);
    CHECK_EQ_INT((int)discards, 1);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    /* The next generation works: a commit after the discard survives a crash. */
    REQUIRE(write_tag(pager, 1, 7, false, &err) == STRATA_OK);
    vfs_fault_configure(fault, &crash);
    pager_close(pager, &err);
    vfs_memory_crash(mem);
    vfs_fault_configure(fault, &none);
    pager = open_pager(fault, 64, 1000000, &err);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT((int)read_tag(pager, 1, &discards), 7);
    CHECK_EQ_INT((int)discards, 0);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
    opt_preallocate = false;
}

int main(void)
{
    TEST_RUN(test_sticky_error_state);
    TEST_RUN(test_corruption);
    TEST_RUN(test_wal_format1);
    TEST_RUN(test_stale_generation_discarded);
    TEST_RUN(test_crash_every_write);
    TEST_RUN(test_crash_every_write_recycled);
    TEST_RUN(test_crash_every_write_background);
    TEST_RUN(test_crash_every_write_bulk);
    TEST_RUN(test_crash_every_write_bulk_spill);
    TEST_RUN(test_io_errors);
    TEST_RUN(test_io_errors_background);
    TEST_RUN(test_random_model);
    TEST_RUN(test_fork_sigkill);
    TEST_RUN(test_fork_sigkill_background);
    return test_summary("pager_crash_test");
}
