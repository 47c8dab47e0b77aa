/*
 * storage/pager/pager_test.c - goal: the pager keeps committed pages, drops
 * rolled-back ones, isolates snapshots, survives restarts, checkpoints and
 * spills. Crash, fault and corruption tests are in pager_crash_test.c.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage/pager/pager.h"
#include "storage/pager/pager_int.h"
#include "storage/vfs/vfs.h"
#include "storage/vfs/vfs_fault.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static Pager *open_mem(Vfs *vfs, size_t cache_pages)
{
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = vfs;
    opts.cache_pages = cache_pages;
    opts.busy_timeout_ms = 100;
    Pager *pager = NULL;
    Error err;
    int rc = pager_open("t.db", &opts, &pager, &err);
    if (rc != STRATA_OK) {
        fprintf(stderr, "open: %s\n", err.message);
    }
    return pager;
}

static void fill(uint8_t *data, uint32_t tag) { memset(data, (int)(tag & 0xff), 64); memcpy(data + 64, &tag, 4); }

static uint32_t tag_of(const uint8_t *data)
{
    uint32_t tag;
    memcpy(&tag, data + 64, 4);
    return tag;
}

/* Allocates n pages tagged base+i in one txn; returns first pgno. */
static Pgno write_new_pages(Pager *pager, int n, uint32_t base)
{
    PagerTxn *txn = NULL;
    Error err;
    if (pager_begin(pager, true, &txn, &err) != STRATA_OK) {
        return 0;
    }
    Pgno first = 0;
    for (int at = 0; at < n; at++) {
        Page *page = NULL;
        uint8_t *data = NULL;
        if (pager_alloc(txn, &page, &err) != STRATA_OK ||
            pager_write(txn, page, &data, &err) != STRATA_OK) {
            pager_rollback(txn);
            return 0;
        }
        fill(data, base + (uint32_t)at);
        if (at == 0) {
            first = page_pgno(page);
        }
        pager_unpin(page);
    }
    return pager_commit(txn, &err) == STRATA_OK ? first : 0;
}

static uint32_t read_tag(PagerTxn *txn, Pgno pgno)
{
    Page *page = NULL;
    Error err;
    if (pager_get(txn, pgno, &page, &err) != STRATA_OK) {
        fprintf(stderr, "get %u: %s\n", pgno, err.message);
        return 0xffffffffu;
    }
    uint32_t tag = tag_of(page_data(page));
    pager_unpin(page);
    return tag;
}

static int set_tag(PagerTxn *txn, Pgno pgno, uint32_t tag)
{
    Page *page = NULL;
    uint8_t *data = NULL;
    Error err;
    int rc = pager_get(txn, pgno, &page, &err);
    if (rc == STRATA_OK) {
        rc = pager_write(txn, page, &data, &err);
        if (rc == STRATA_OK) {
            fill(data, tag);
        }
        pager_unpin(page);
    }
    return rc;
}

static void test_commit_rollback_reopen(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = open_mem(vfs, 0);
    REQUIRE(pager != NULL);
    Pgno first = write_new_pages(pager, 10, 100);
    CHECK_EQ_INT(first, 1);
    PagerTxn *txn = NULL;
    Error err;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CHECK(set_tag(txn, 3, 999) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 3), 999);
    CHECK(pager_set_meta(txn, 2, 42, &err) == STRATA_OK);
    pager_rollback(txn);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 3), 102);
    uint64_t meta = 1;
    CHECK(pager_get_meta(txn, 2, &meta) == STRATA_OK);
    CHECK_EQ_INT(meta, 0);
    CHECK_EQ_INT(pager_page_count(txn), 11);
    Page *page = NULL;
    CHECK_EQ_INT(pager_get(txn, 11, &page, &err), STRATA_CORRUPT);
    CHECK_EQ_INT(pager_get(txn, 0, &page, &err), STRATA_CORRUPT);
    pager_commit(txn, &err);
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CHECK(pager_set_meta(txn, 2, 42, &err) == STRATA_OK);
    CHECK(set_tag(txn, 4, 4444) == STRATA_OK);
    CHECK(pager_commit(txn, &err) == STRATA_OK);
    CHECK(pager_close(pager, &err) == STRATA_OK);
    CHECK(!vfs_exists(vfs, "t.db-wal"));
    pager = open_mem(vfs, 0);
    REQUIRE(pager != NULL);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 4), 4444);
    CHECK_EQ_INT(read_tag(txn, 10), 109);
    CHECK(pager_get_meta(txn, 2, &meta) == STRATA_OK);
    CHECK_EQ_INT(meta, 42);
    pager_rollback(txn);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

static void test_memory_path(void)
{
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(":memory:", NULL, &pager, &err) == STRATA_OK);
    CHECK(write_new_pages(pager, 3, 1) == 1);
    CHECK(pager_close(pager, &err) == STRATA_OK);
}

static void test_savepoints(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = open_mem(vfs, 0);
    REQUIRE(pager != NULL);
    write_new_pages(pager, 5, 10);
    PagerTxn *txn = NULL;
    Error err;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CHECK(set_tag(txn, 1, 1001) == STRATA_OK);
    uint32_t sp1 = 0, sp2 = 0;
    CHECK(pager_savepoint(txn, &sp1, &err) == STRATA_OK);
    CHECK(set_tag(txn, 1, 1002) == STRATA_OK);
    CHECK(set_tag(txn, 2, 2002) == STRATA_OK);
    Page *page = NULL;
    CHECK(pager_alloc(txn, &page, &err) == STRATA_OK);
    CHECK_EQ_INT(page_pgno(page), 6);
    pager_unpin(page);
    CHECK(pager_savepoint(txn, &sp2, &err) == STRATA_OK);
    CHECK(set_tag(txn, 3, 3003) == STRATA_OK);
    CHECK(pager_free(txn, 4, &err) == STRATA_OK);
    CHECK(pager_rollback_to(txn, sp2, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 3), 12);
    CHECK_EQ_INT(read_tag(txn, 2), 2002);
    CHECK(pager_rollback_to(txn, sp1, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 1), 1001);
    CHECK_EQ_INT(read_tag(txn, 2), 11);
    CHECK_EQ_INT(pager_page_count(txn), 6);
    /* release merges into the outer level */
    CHECK(set_tag(txn, 2, 2222) == STRATA_OK);
    uint32_t sp3 = 0;
    CHECK(pager_savepoint(txn, &sp3, &err) == STRATA_OK);
    CHECK(set_tag(txn, 5, 5555) == STRATA_OK);
    pager_release_savepoint(txn, sp3);
    CHECK(pager_rollback_to(txn, sp1, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 2), 11);
    CHECK_EQ_INT(read_tag(txn, 5), 14);
    CHECK(pager_commit(txn, &err) == STRATA_OK);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 1), 1001);
    CHECK_EQ_INT(read_tag(txn, 2), 11);
    pager_rollback(txn);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

static void test_freelist_vacuum(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = open_mem(vfs, 0);
    REQUIRE(pager != NULL);
    write_new_pages(pager, 2000, 0);
    PagerTxn *txn = NULL;
    Error err;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (Pgno pgno = 100; pgno <= 2000; pgno++) {
        CHECK(pager_free(txn, pgno, &err) == STRATA_OK);
    }
    CHECK(pager_commit(txn, &err) == STRATA_OK);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    Page *page = NULL;
    CHECK(pager_alloc(txn, &page, &err) == STRATA_OK);
    CHECK(page_pgno(page) >= 100 && page_pgno(page) <= 2000);
    Pgno reused = page_pgno(page);
    CHECK(page_data(page)[0] == 0);
    pager_unpin(page);
    CHECK(pager_commit(txn, &err) == STRATA_OK);
    CHECK(pager_vacuum(pager, &err) == STRATA_OK);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    CHECK(pager_page_count(txn) == reused + 1 || pager_page_count(txn) < 2001);
    CHECK_EQ_INT(read_tag(txn, 50), 49);
    pager_rollback(txn);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    CHECK(pager_close(pager, &err) == STRATA_OK);
    pager = open_mem(vfs, 0);
    REQUIRE(pager != NULL);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

/* A checkpoint that restarts the WAL keeps the pool's images of the pages it
 * copied, now as the file's: reading them again is no cache miss, and each
 * page reads as its newest commit left it, also past a vacuum that truncated
 * pages and a transaction that allocated their numbers again. */
static uint64_t cache_misses(Pager *pager)
{
    PagerStats stats;
    pager_stats(pager, &stats);
    return stats.cache_misses;
}

static void test_checkpoint_keeps_images(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = open_mem(vfs, 4096);
    REQUIRE(pager != NULL);
    Pgno first = write_new_pages(pager, 300, 1000);
    REQUIRE(first == 1);
    PagerTxn *txn = NULL;
    Error err;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (Pgno pgno = 1; pgno <= 10; pgno++) {
        CHECK(set_tag(txn, pgno, 5000 + pgno) == STRATA_OK);
    }
    CHECK(pager_commit(txn, &err) == STRATA_OK);
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    PagerStats stats;
    pager_stats(pager, &stats);
    CHECK(stats.wal_frames == 0 && stats.wal_restarts >= 1);
    uint64_t misses = cache_misses(pager);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    for (Pgno pgno = 1; pgno <= 300; pgno++) {
        CHECK_EQ_INT(read_tag(txn, pgno), pgno <= 10 ? 5000 + pgno : 1000 + pgno - 1);
    }
    pager_rollback(txn);
    CHECK_EQ_INT(cache_misses(pager), misses); /* the header included */
    /* Vacuum pages 201-300 away, allocate 30 of their numbers again. */
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (Pgno pgno = 201; pgno <= 300; pgno++) {
        CHECK(pager_free(txn, pgno, &err) == STRATA_OK);
    }
    CHECK(pager_commit(txn, &err) == STRATA_OK);
    CHECK(pager_vacuum(pager, &err) == STRATA_OK);
    CHECK(write_new_pages(pager, 30, 7000) == 201);
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    for (int round = 0; round < 2; round++) {
        REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
        CHECK_EQ_INT(pager_page_count(txn), 231);
        for (Pgno pgno = 1; pgno <= 230; pgno++) {
            uint32_t expect = pgno <= 10 ? 5000 + pgno : pgno <= 200 ? 1000 + pgno - 1
                                                                      : 7000 + pgno - 201;
            CHECK_EQ_INT(read_tag(txn, pgno), expect);
        }
        pager_rollback(txn);
        CHECK(pager_check(pager, &err) == STRATA_OK);
        CHECK(pager_close(pager, &err) == STRATA_OK);
        pager = open_mem(vfs, 4096); /* and the same from the file alone */
        REQUIRE(pager != NULL);
    }
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

static void test_spill_large_txn(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = open_mem(vfs, 16);
    REQUIRE(pager != NULL);
    PagerTxn *txn = NULL;
    Error err;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (int at = 0; at < 300; at++) {
        Page *page = NULL;
        uint8_t *data = NULL;
        REQUIRE(pager_alloc(txn, &page, &err) == STRATA_OK);
        REQUIRE(pager_write(txn, page, &data, &err) == STRATA_OK);
        fill(data, 5000 + (uint32_t)at);
        pager_unpin(page);
    }
    uint32_t sp = 0;
    CHECK(pager_savepoint(txn, &sp, &err) == STRATA_OK);
    for (Pgno pgno = 1; pgno <= 300; pgno += 3) {
        CHECK(set_tag(txn, pgno, 7) == STRATA_OK);
    }
    CHECK(pager_rollback_to(txn, sp, &err) == STRATA_OK);
    for (Pgno pgno = 1; pgno <= 300; pgno++) {
        CHECK_EQ_INT(read_tag(txn, pgno), 5000 + pgno - 1);
    }
    CHECK(pager_commit(txn, &err) == STRATA_OK);
    PagerStats stats;
    pager_stats(pager, &stats);
    CHECK(stats.spilled_pages > 0);
    pager_close(pager, &err);
    pager = open_mem(vfs, 16);
    REQUIRE(pager != NULL);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    for (Pgno pgno = 1; pgno <= 300; pgno++) {
        CHECK_EQ_INT(read_tag(txn, pgno), 5000 + pgno - 1);
    }
    pager_rollback(txn);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

static void test_spill_rollback(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = open_mem(vfs, 8);
    REQUIRE(pager != NULL);
    write_new_pages(pager, 40, 0);
    PagerTxn *txn = NULL;
    Error err;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (Pgno pgno = 1; pgno <= 40; pgno++) {
        CHECK(set_tag(txn, pgno, 900 + pgno) == STRATA_OK);
    }
    pager_rollback(txn);
    CHECK(write_new_pages(pager, 2, 77) == 41);
    pager_close(pager, &err);
    pager = open_mem(vfs, 8);
    REQUIRE(pager != NULL);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    for (Pgno pgno = 1; pgno <= 40; pgno++) {
        CHECK_EQ_INT(read_tag(txn, pgno), pgno - 1);
    }
    CHECK_EQ_INT(read_tag(txn, 42), 78);
    pager_rollback(txn);
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

typedef struct ReaderArgs {
    Pager *pager;
    int failures;
    volatile int stop;
} ReaderArgs;

/* Every page of a snapshot carries the same tag: a torn view would mix them. */
static void *reader_main(void *arg)
{
    ReaderArgs *args = arg;
    while (!args->stop) {
        PagerTxn *txn = NULL;
        Error err;
        if (pager_begin(args->pager, false, &txn, &err) != STRATA_OK) {
            args->failures++;
            continue;
        }
        uint32_t first = read_tag(txn, 1);
        for (Pgno pgno = 2; pgno <= 20; pgno++) {
            if (read_tag(txn, pgno) != first) {
                args->failures++;
            }
        }
        pager_rollback(txn);
    }
    return NULL;
}

static void test_snapshot_isolation_threads(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = NULL;
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = vfs;
    opts.cache_pages = 32;
    opts.wal_autocheckpoint_pages = 64;
    Error err;
    REQUIRE(pager_open("t.db", &opts, &pager, &err) == STRATA_OK);
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (int at = 0; at < 20; at++) {
        Page *page = NULL;
        uint8_t *data = NULL;
        pager_alloc(txn, &page, &err);
        pager_write(txn, page, &data, &err);
        fill(data, 0);
        pager_unpin(page);
    }
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    ReaderArgs args = {.pager = pager};
    pthread_t threads[3];
    for (int at = 0; at < 3; at++) {
        pthread_create(&threads[at], NULL, reader_main, &args);
    }
    /* A reader holding an old snapshot throughout, across checkpoints. */
    PagerTxn *old = NULL;
    REQUIRE(pager_begin(pager, false, &old, &err) == STRATA_OK);
    for (uint32_t round = 1; round <= 200; round++) {
        REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
        for (Pgno pgno = 1; pgno <= 20; pgno++) {
            CHECK(set_tag(txn, pgno, round) == STRATA_OK);
        }
        CHECK(pager_commit(txn, &err) == STRATA_OK);
        if (round == 100) {
            CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
        }
    }
    for (Pgno pgno = 1; pgno <= 20; pgno++) {
        CHECK_EQ_INT(read_tag(old, pgno), 0);
    }
    pager_rollback(old);
    args.stop = 1;
    for (int at = 0; at < 3; at++) {
        pthread_join(threads[at], NULL);
    }
    CHECK_EQ_INT(args.failures, 0);
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    PagerStats stats;
    pager_stats(pager, &stats);
    CHECK(stats.wal_restarts > 0);
    CHECK_EQ_INT(stats.wal_frames, 0);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 7), 200);
    pager_rollback(txn);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

static void test_upgrade_stale(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = open_mem(vfs, 0);
    REQUIRE(pager != NULL);
    write_new_pages(pager, 2, 0);
    PagerTxn *reader = NULL, *fresh = NULL, *writer = NULL;
    Error err;
    REQUIRE(pager_begin(pager, false, &reader, &err) == STRATA_OK);
    REQUIRE(pager_begin(pager, false, &fresh, &err) == STRATA_OK);
    CHECK(pager_upgrade(fresh, &err) == STRATA_OK);
    /* the writer lock is taken: a second writer times out with 55P03 */
    CHECK_EQ_INT(pager_begin(pager, true, &writer, &err), STRATA_BUSY);
    CHECK_EQ_STR(err.sqlstate, "55P03");
    CHECK(set_tag(fresh, 1, 11) == STRATA_OK);
    CHECK(pager_commit(fresh, &err) == STRATA_OK);
    CHECK(pager_upgrade(reader, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "40001");
    CHECK_EQ_STR(err.message, "could not serialize access due to concurrent update");
    CHECK_EQ_INT(read_tag(reader, 1), 0);
    CHECK(!pager_txn_is_write(reader));
    pager_rollback(reader);
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

static void test_posix_and_fork_busy(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/strata_pager_test_%d.db", (int)getpid());
    unlink(path);
    Pager *pager = NULL;
    Error err;
    REQUIRE(pager_open(path, NULL, &pager, &err) == STRATA_OK);
    CHECK(write_new_pages(pager, 5, 1) == 1);
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        Pager *other = NULL;
        Error child_err;
        int rc = pager_open(path, NULL, &other, &child_err);
        _exit(rc == STRATA_BUSY && strcmp(child_err.sqlstate, "55P03") == 0 ? 0 : 1);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(pager_close(pager, &err) == STRATA_OK);
    REQUIRE(pager_open(path, NULL, &pager, &err) == STRATA_OK);
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(txn, 5), 5);
    pager_rollback(txn);
    pager_close(pager, &err);
    unlink(path);
}

static uint64_t wal_syncs(Pager *pager)
{
    PagerStats stats;
    pager_stats(pager, &stats);
    return stats.wal_syncs;
}

static uint64_t commit_count(Pager *pager)
{
    PagerStats stats;
    pager_stats(pager, &stats);
    return stats.commits;
}

static int commit_tag(Pager *pager, Pgno pgno, uint32_t tag, int synchronous)
{
    PagerTxn *txn = NULL;
    Error err;
    int rc = pager_begin(pager, true, &txn, &err);
    if (rc != STRATA_OK) {
        return rc;
    }
    pager_txn_set_synchronous(txn, synchronous);
    rc = set_tag(txn, pgno, tag);
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return rc;
    }
    return pager_commit(txn, &err);
}

static uint32_t committed_tag(Pager *pager, Pgno pgno)
{
    PagerTxn *txn = NULL;
    Error err;
    if (pager_begin(pager, false, &txn, &err) != STRATA_OK) {
        return 0xffffffffu;
    }
    uint32_t tag = read_tag(txn, pgno);
    pager_rollback(txn);
    return tag;
}

/* Power failure right now: the memory VFS reverts to what was synced, and
 * pager_close's writes are dropped (its first write sets the crash state). */
static Pager *crash_and_reopen(Pager *pager, Vfs *fault, Vfs *mem)
{
    FaultConfig crash = {.crash_at_write = 1};
    Error err;
    vfs_fault_configure(fault, &crash);
    vfs_memory_crash(mem);
    pager_close(pager, &err);
    vfs_memory_crash(mem);
    vfs_fault_configure(fault, NULL);
    return open_mem(fault, 0);
}

/* synchronous_commit = off: the commit is visible at once without a WAL sync,
 * a crash loses it (whole), and the next synchronous commit or a checkpoint
 * makes it durable. */
static void test_async_commit(void)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_mem(fault, 0);
    REQUIRE(pager != NULL);
    REQUIRE(write_new_pages(pager, 6, 100) == 1);
    uint64_t syncs = wal_syncs(pager);
    CHECK(commit_tag(pager, 3, 777, 0) == STRATA_OK);
    CHECK_EQ_INT(wal_syncs(pager), syncs);
    CHECK_EQ_INT(committed_tag(pager, 3), 777);
    pager = crash_and_reopen(pager, fault, mem);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(committed_tag(pager, 3), 102);

    /* an async commit followed by a synchronous one: one sync keeps both */
    CHECK(commit_tag(pager, 3, 778, 0) == STRATA_OK);
    syncs = wal_syncs(pager);
    CHECK(commit_tag(pager, 4, 888, 2) == STRATA_OK);
    CHECK_EQ_INT(wal_syncs(pager), syncs + 1);
    pager = crash_and_reopen(pager, fault, mem);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(committed_tag(pager, 3), 778);
    CHECK_EQ_INT(committed_tag(pager, 4), 888);

    /* a checkpoint syncs async frames before copying them */
    CHECK(commit_tag(pager, 5, 555, 0) == STRATA_OK);
    Error err;
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    pager = crash_and_reopen(pager, fault, mem);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(committed_tag(pager, 5), 555);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* Holds the first group-commit syncer until every committer has appended. */
typedef struct SyncGate {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int calls;
    bool is_holding, is_released;
} SyncGate;

static void gate_hook(void *arg)
{
    SyncGate *gate = arg;
    pthread_mutex_lock(&gate->mutex);
    if (gate->calls++ == 0) {
        gate->is_holding = true;
        pthread_cond_broadcast(&gate->cond);
        while (!gate->is_released) {
            pthread_cond_wait(&gate->cond, &gate->mutex);
        }
    }
    pthread_mutex_unlock(&gate->mutex);
}

typedef struct Committer {
    Pager *pager;
    Pgno pgno;
    uint32_t tag;
    int rc;
} Committer;

static void *committer_main(void *arg)
{
    Committer *committer = arg;
    committer->rc = commit_tag(committer->pager, committer->pgno, committer->tag, 2);
    return NULL;
}

typedef struct Ender {
    PagerTxn *txn;
    atomic_int returned;
} Ender;

static void *ender_main(void *arg)
{
    Ender *ender = arg;
    pager_rollback(ender->txn);
    atomic_store(&ender->returned, 1);
    return NULL;
}

/* A writer reads the newest appended commit even while that commit waits for
 * its fsync. If such a writer ends without committing (a rollback, or an
 * INSERT ... ON CONFLICT DO NOTHING that found the key and wrote nothing),
 * it waits until that commit is durable, so its session's next snapshot
 * (durable commits only) still sees what it saw. */
static void test_writer_base_durable(void)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_mem(fault, 0);
    REQUIRE(pager != NULL);
    REQUIRE(write_new_pages(pager, 1, 100) == 1);
    SyncGate gate = {.calls = 0};
    pthread_mutex_init(&gate.mutex, NULL);
    pthread_cond_init(&gate.cond, NULL);
    pager_test_set_sync_hook(pager, gate_hook, &gate);
    Committer committer = {pager, 1, 4242, -1};
    pthread_t commit_thread, end_thread;
    REQUIRE(pthread_create(&commit_thread, NULL, committer_main, &committer) == 0);
    pthread_mutex_lock(&gate.mutex);
    while (!gate.is_holding) {
        pthread_cond_wait(&gate.cond, &gate.mutex);
    }
    pthread_mutex_unlock(&gate.mutex);
    /* The commit is appended, its fsync held: readers do not see it yet,
     * the next writer does. */
    CHECK_EQ_INT(committed_tag(pager, 1), 100);
    PagerTxn *writer = NULL;
    Error err;
    REQUIRE(pager_begin(pager, true, &writer, &err) == STRATA_OK);
    CHECK_EQ_INT(read_tag(writer, 1), 4242);
    Ender ender = {.txn = writer};
    atomic_init(&ender.returned, 0);
    REQUIRE(pthread_create(&end_thread, NULL, ender_main, &ender) == 0);
    for (int k = 0; k < 1000; k++) {
        sched_yield();
    }
    /* Still held: the rollback must not have returned (it cannot, whatever the timing). */
    CHECK_EQ_INT(atomic_load(&ender.returned), 0);
    pthread_mutex_lock(&gate.mutex);
    gate.is_released = true;
    pthread_cond_broadcast(&gate.cond);
    pthread_mutex_unlock(&gate.mutex);
    pthread_join(end_thread, NULL);
    /* Right after the rollback returned, a new snapshot sees what the writer saw. */
    CHECK_EQ_INT(committed_tag(pager, 1), 4242);
    pthread_join(commit_thread, NULL);
    CHECK_EQ_INT(committer.rc, STRATA_OK);
    pager_test_set_sync_hook(pager, NULL, NULL);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* Group commit: N synchronous committers whose commits overlap a sync share
 * fsyncs. The first committer's sync is held (test hook) until the other
 * N-1 have appended their commits; the next sync then covers all of them:
 * exactly 2 WAL syncs for N commits, every commit durable and visible. */
static void test_group_commit(void)
{
    enum { COMMITTERS = 4 };
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_mem(fault, 0);
    REQUIRE(pager != NULL);
    REQUIRE(write_new_pages(pager, COMMITTERS, 100) == 1);
    SyncGate gate = {.calls = 0};
    pthread_mutex_init(&gate.mutex, NULL);
    pthread_cond_init(&gate.cond, NULL);
    pager_test_set_sync_hook(pager, gate_hook, &gate);
    uint64_t syncs = wal_syncs(pager), commits = commit_count(pager);
    Committer committers[COMMITTERS];
    pthread_t threads[COMMITTERS];
    for (int thread = 0; thread < COMMITTERS; thread++) {
        committers[thread] = (Committer){pager, (Pgno)(1 + thread), 500 + (uint32_t)thread, -1};
    }
    REQUIRE(pthread_create(&threads[0], NULL, committer_main, &committers[0]) == 0);
    pthread_mutex_lock(&gate.mutex);
    while (!gate.is_holding) {
        pthread_cond_wait(&gate.cond, &gate.mutex);
    }
    pthread_mutex_unlock(&gate.mutex);
    for (int thread = 1; thread < COMMITTERS; thread++) {
        REQUIRE(pthread_create(&threads[thread], NULL, committer_main, &committers[thread]) == 0);
    }
    /* Wait (no timeout: a hang is a failure too) until all have appended. */
    while (commit_count(pager) < commits + COMMITTERS) {
        sched_yield();
    }
    pthread_mutex_lock(&gate.mutex);
    gate.is_released = true;
    pthread_cond_broadcast(&gate.cond);
    pthread_mutex_unlock(&gate.mutex);
    for (int thread = 0; thread < COMMITTERS; thread++) {
        pthread_join(threads[thread], NULL);
        CHECK_EQ_INT(committers[thread].rc, STRATA_OK);
    }
    uint64_t sync_count = wal_syncs(pager) - syncs;
    printf("  group commit: %d commits, %llu WAL fsyncs\n", COMMITTERS,
           (unsigned long long)sync_count);
    CHECK(sync_count < COMMITTERS);
    CHECK_EQ_INT(sync_count, 2);
    pager_test_set_sync_hook(pager, NULL, NULL);
    pager = crash_and_reopen(pager, fault, mem);
    REQUIRE(pager != NULL);
    for (int thread = 0; thread < COMMITTERS; thread++) {
        CHECK_EQ_INT(committed_tag(pager, (Pgno)(1 + thread)), 500 + thread);
    }
    Error err;
    pager_close(pager, &err);
    pthread_cond_destroy(&gate.cond);
    pthread_mutex_destroy(&gate.mutex);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* pager_set_cache_pages: growing the pool keeps every cached image findable
 * (the hash is rebuilt), so a second pass over 200 pages hits the cache; a
 * write txn no longer spills past the old bound; shrinking evicts, so the next
 * pass misses again. */
static void test_cache_resize(void)
{
    Vfs *vfs = vfs_memory_create();
    Pager *pager = open_mem(vfs, 16);
    REQUIRE(pager != NULL);
    Error err;
    CHECK_EQ_INT(pager_cache_pages(pager), 16);
    Pgno first = write_new_pages(pager, 200, 100);
    REQUIRE(first != 0);
    CHECK(pager_set_cache_pages(pager, 4096, &err) == STRATA_OK);
    CHECK_EQ_INT(pager_cache_pages(pager), 4096);
    PagerStats before, after;
    for (int pass = 0; pass < 2; pass++) {
        pager_stats(pager, &before);
        PagerTxn *txn = NULL;
        REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
        for (Pgno pgno = first; pgno < first + 200; pgno++) {
            CHECK_EQ_INT(read_tag(txn, pgno), 100 + pgno - first);
        }
        pager_rollback(txn);
        pager_stats(pager, &after);
        if (pass == 1) {
            CHECK_EQ_INT(after.cache_misses - before.cache_misses, 0);
        }
    }
    /* 300 private pages in one txn: under the new bound, nothing spills. */
    pager_stats(pager, &before);
    REQUIRE(write_new_pages(pager, 300, 900) != 0);
    pager_stats(pager, &after);
    CHECK_EQ_INT(after.spilled_pages - before.spilled_pages, 0);
    CHECK(pager_set_cache_pages(pager, 8, &err) == STRATA_OK);
    pager_stats(pager, &before);
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    for (Pgno pgno = first; pgno < first + 200; pgno++) {
        CHECK_EQ_INT(read_tag(txn, pgno), 100 + pgno - first);
    }
    pager_rollback(txn);
    pager_stats(pager, &after);
    CHECK(after.cache_misses - before.cache_misses >= 190);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(vfs);
}

/* ---- WAL preallocation, recycling, the checkpointer thread ---- */

static Pager *open_opts(Vfs *vfs, size_t autockpt, bool preallocate, bool background,
                        int synchronous)
{
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = vfs;
    opts.cache_pages = 64;
    opts.busy_timeout_ms = 100;
    opts.wal_autocheckpoint_pages = autockpt;
    opts.wal_preallocate = preallocate;
    opts.wal_keep_on_close = preallocate;
    opts.checkpoint_in_background = background;
    opts.synchronous = synchronous;
    Pager *pager = NULL;
    Error err;
    if (pager_open("t.db", &opts, &pager, &err) != STRATA_OK) {
        fprintf(stderr, "open: %s\n", err.message);
    }
    return pager;
}

/* crash_and_reopen, reopening with open_opts' options. */
static Pager *crash_and_reopen_opts(Pager *pager, Vfs *fault, Vfs *mem, size_t autockpt,
                                    bool preallocate, bool background, int synchronous)
{
    FaultConfig crash = {.crash_at_write = 1};
    Error err;
    vfs_fault_configure(fault, &crash);
    vfs_memory_crash(mem);
    pager_close(pager, &err);
    vfs_memory_crash(mem);
    vfs_fault_configure(fault, NULL);
    return open_opts(fault, autockpt, preallocate, background, synchronous);
}

static uint64_t file_size(Vfs *vfs, const char *path)
{
    VfsFile *file = NULL;
    Error err;
    uint64_t size_bytes = 0;
    if (vfs_open(vfs, path, 0, &file, &err) != STRATA_OK) {
        return 0;
    }
    vfs_size(file, &size_bytes, &err);
    vfs_close(file);
    return size_bytes;
}

/* Pages 1..pages tagged 0 in one commit. */
static void make_pages(Pager *pager, int pages)
{
    CHECK_EQ_INT(write_new_pages(pager, pages, 0), 1);
    PagerTxn *txn = NULL;
    Error err;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (Pgno pgno = 1; pgno <= (Pgno)pages; pgno++) {
        CHECK(set_tag(txn, pgno, 0) == STRATA_OK);
    }
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
}

/* A preallocated WAL: it is zero-filled to 2 x the autocheckpoint size
 * and then only reused (overwritten from frame 0 after each restart), it
 * survives a power failure in the middle of a generation, and it is kept,
 * empty, on close and reused by the next open. */
static void test_wal_recycle(void)
{
    const size_t autockpt = 64;
    const uint64_t frame_bytes = 32 + PAGE_SIZE;
    const uint64_t prealloc_bytes = 32 + (2 * autockpt) * frame_bytes;
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_opts(fault, autockpt, true, false, 2);
    REQUIRE(pager != NULL);
    make_pages(pager, 5);
    CHECK_EQ_INT(file_size(mem, "t.db-wal"), prealloc_bytes);
    uint64_t max_size = 0;
    for (uint32_t round = 1; round <= 400; round++) {
        /* one frame a commit (page 0 only with the first of a generation) */
        CHECK(commit_tag(pager, 1 + round % 5, round, 2) == STRATA_OK);
        uint64_t size_bytes = file_size(mem, "t.db-wal");
        max_size = size_bytes > max_size ? size_bytes : max_size;
    }
    PagerStats stats;
    pager_stats(pager, &stats);
    printf("  recycled WAL: %llu restarts, %llu bytes at most\n",
           (unsigned long long)stats.wal_restarts, (unsigned long long)max_size);
    CHECK(stats.wal_restarts >= 4);
    CHECK_EQ_INT(max_size, prealloc_bytes);
    CHECK(stats.wal_frames > 0); /* the crash below hits a generation in use */
    pager = crash_and_reopen_opts(pager, fault, mem, autockpt, true, false, 2);
    REQUIRE(pager != NULL);
    for (uint32_t round = 396; round <= 400; round++) {
        CHECK_EQ_INT(committed_tag(pager, 1 + round % 5), round);
    }
    Error err;
    CHECK(pager_check(pager, &err) == STRATA_OK);
    CHECK(pager_close(pager, &err) == STRATA_OK);
    /* Kept on close, with nothing in it to replay. */
    CHECK_EQ_INT(file_size(mem, "t.db-wal"), prealloc_bytes);
    pager = open_opts(fault, autockpt, true, false, 2);
    REQUIRE(pager != NULL);
    pager_stats(pager, &stats);
    CHECK_EQ_INT(stats.wal_frames, 0);
    CHECK_EQ_INT(committed_tag(pager, 1), 400);
    CHECK(commit_tag(pager, 2, 1000, 2) == STRATA_OK);
    CHECK_EQ_INT(file_size(mem, "t.db-wal"), prealloc_bytes);
    pager = crash_and_reopen_opts(pager, fault, mem, autockpt, true, false, 2);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(committed_tag(pager, 2), 1000);
    /* A WAL that outgrew the preallocation (a big transaction while a reader
     * held restarts back) shrinks back at the next restart. */
    PagerTxn *reader = NULL;
    REQUIRE(pager_begin(pager, false, &reader, &err) == STRATA_OK);
    CHECK(write_new_pages(pager, 200, 5000) != 0);
    CHECK(file_size(mem, "t.db-wal") > prealloc_bytes);
    CHECK_EQ_INT(read_tag(reader, 2), 1000);
    pager_rollback(reader);
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    CHECK_EQ_INT(file_size(mem, "t.db-wal"), prealloc_bytes);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* After a restart the file still holds the previous generation's frames past
 * the new append point, checksum-chained among themselves: recovery must stop
 * at the first of them (salt mismatch), never replay one. */
static void test_stale_frames_not_replayed(void)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_opts(fault, 1000000, true, false, 2);
    REQUIRE(pager != NULL);
    make_pages(pager, 3);
    /* Generation 1: 40 commits of pages 1..3 (tags 1..40). */
    for (uint32_t round = 1; round <= 40; round++) {
        PagerTxn *txn = NULL;
        Error err;
        REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
        for (Pgno pgno = 1; pgno <= 3; pgno++) {
            CHECK(set_tag(txn, pgno, round) == STRATA_OK);
        }
        REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    }
    Error err;
    PagerStats stats;
    pager_stats(pager, &stats);
    uint64_t old_frames = stats.wal_frames;
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    pager_stats(pager, &stats);
    CHECK_EQ_INT(stats.wal_frames, 0);
    /* Generation 2: two commits of page 1 only. */
    CHECK(commit_tag(pager, 1, 100, 2) == STRATA_OK);
    CHECK(commit_tag(pager, 1, 101, 2) == STRATA_OK);
    pager_stats(pager, &stats);
    uint64_t new_frames = stats.wal_frames;
    CHECK(new_frames < old_frames);
    pager = crash_and_reopen_opts(pager, fault, mem, 1000000, true, false, 2);
    REQUIRE(pager != NULL);
    pager_stats(pager, &stats);
    CHECK_EQ_INT(stats.wal_frames, new_frames);
    CHECK_EQ_INT(committed_tag(pager, 1), 101);
    CHECK_EQ_INT(committed_tag(pager, 2), 40);
    CHECK_EQ_INT(committed_tag(pager, 3), 40);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

typedef struct WriterArgs {
    Pager *pager;
    Pgno first;
    int rounds, failures;
} WriterArgs;

/* Sets pages first..first+9 to the same tag per commit. */
static void *writer_main(void *arg)
{
    WriterArgs *args = arg;
    for (int round = 1; round <= args->rounds; round++) {
        PagerTxn *txn = NULL;
        Error err;
        int rc = STRATA_BUSY;
        while (rc == STRATA_BUSY) {
            rc = pager_begin(args->pager, true, &txn, &err);
        }
        if (rc != STRATA_OK) {
            args->failures++;
            continue;
        }
        for (Pgno pgno = args->first; pgno < args->first + 10; pgno++) {
            if (set_tag(txn, pgno, (uint32_t)round) != STRATA_OK) {
                args->failures++;
            }
        }
        if (pager_commit(txn, &err) != STRATA_OK) {
            args->failures++;
        }
    }
    return NULL;
}

/* The checkpointer thread: two writers and three readers (each checks that
 * a snapshot never mixes two commits of pages 1..20) while the thread copies
 * pages and restarts the WAL; then everything is there after a power failure. */
static void test_background_checkpointer(void)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_opts(fault, 64, true, true, 2);
    REQUIRE(pager != NULL);
    make_pages(pager, 40);
    ReaderArgs readers = {.pager = pager};
    pthread_t reader_threads[3], writer_threads[2];
    for (int at = 0; at < 3; at++) {
        pthread_create(&reader_threads[at], NULL, reader_main, &readers);
    }
    /* The readers check pages 1..20: writer 0 writes 1..10 and 11..20 alike. */
    WriterArgs writers[2] = {{pager, 21, 300, 0}, {pager, 31, 300, 0}};
    for (int at = 0; at < 2; at++) {
        pthread_create(&writer_threads[at], NULL, writer_main, &writers[at]);
    }
    for (uint32_t round = 1; round <= 300; round++) {
        PagerTxn *txn = NULL;
        Error err;
        int rc = STRATA_BUSY;
        while (rc == STRATA_BUSY) {
            rc = pager_begin(pager, true, &txn, &err);
        }
        REQUIRE(rc == STRATA_OK);
        for (Pgno pgno = 1; pgno <= 20; pgno++) {
            CHECK(set_tag(txn, pgno, round) == STRATA_OK);
        }
        CHECK(pager_commit(txn, &err) == STRATA_OK);
    }
    for (int at = 0; at < 2; at++) {
        pthread_join(writer_threads[at], NULL);
        CHECK_EQ_INT(writers[at].failures, 0);
    }
    readers.stop = 1;
    for (int at = 0; at < 3; at++) {
        pthread_join(reader_threads[at], NULL);
    }
    CHECK_EQ_INT(readers.failures, 0);
    PagerStats stats;
    pager_stats(pager, &stats);
    printf("  checkpointer thread: %llu runs, %llu checkpoint passes, %llu restarts\n",
           (unsigned long long)stats.background_checkpoints,
           (unsigned long long)stats.checkpoints, (unsigned long long)stats.wal_restarts);
    CHECK(stats.background_checkpoints > 0);
    CHECK(stats.wal_restarts > 0);
    pager = crash_and_reopen_opts(pager, fault, mem, 64, true, true, 2);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(committed_tag(pager, 20), 300);
    CHECK_EQ_INT(committed_tag(pager, 21), 300);
    CHECK_EQ_INT(committed_tag(pager, 40), 300);
    Error err;
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* A failed fsync in the checkpointer thread puts the pager in its (sticky)
 * error state like one in a committing session: later commits fail, readers
 * go on, a reopen recovers every acknowledged commit. synchronous = normal,
 * so commits do not sync and the checkpoint's is the first sync. */
static void test_background_checkpoint_error(void)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_opts(fault, 16, false, true, 1);
    REQUIRE(pager != NULL);
    make_pages(pager, 4);
    Error err;
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    FaultConfig config = {.sync_error_at = 1};
    vfs_fault_configure(fault, &config);
    uint32_t acked = 0;
    PagerStats stats;
    pager_stats(pager, &stats);
    uint64_t runs_before = stats.background_checkpoints;
    for (uint32_t round = 1; round <= 16; round++) {
        /* The thread may already have failed (its checkpoint is due after 15:
         * page 0 goes in with the first commit of the generation only). */
        int rc = commit_tag(pager, 1 + round % 4, round, 1);
        if (rc != STRATA_OK) {
            CHECK_EQ_INT(rc, STRATA_IOERR);
            break;
        }
        acked = round;
    }
    /* 17 frames: a checkpoint is due; wait until the thread has begun it. */
    do {
        sched_yield();
        pager_stats(pager, &stats);
    } while (stats.background_checkpoints == runs_before);
    /* Waits for the thread's checkpoint to end (checkpoints are serialized),
     * then fails: the error state. */
    CHECK_EQ_INT(pager_checkpoint(pager, &err), STRATA_IOERR);
    CHECK(pager_in_error_state(pager));
    CHECK_EQ_INT(commit_tag(pager, 1, 999, 1), STRATA_IOERR);
    CHECK_EQ_INT(committed_tag(pager, 1 + acked % 4), acked);
    vfs_fault_configure(fault, NULL);
    pager_close(pager, &err);
    pager = open_opts(fault, 16, false, true, 1);
    REQUIRE(pager != NULL);
    CHECK(!pager_in_error_state(pager));
    CHECK_EQ_INT(committed_tag(pager, 1 + acked % 4), acked);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* The checkpointer thread copies what was committed during its first pass
 * without the writer lock, and holds appends (never the writer lock) only for
 * the WAL restart: writers never wait for a copy or the database file's fsync,
 * and a writer inside its transaction goes on while the WAL restarts. */
typedef struct CatchUpHook {
    Pager *pager;
    bool commit;         /* the hook commits page 3 (a session during the copy) */
    int txn_open;        /* atomic: else the hook waits for the test's open write txn */
    int ran;             /* atomic: the first pass is over */
} CatchUpHook;

static void catch_up_hook(void *arg)
{
    CatchUpHook *hook = arg;
    if (__atomic_load_n(&hook->ran, __ATOMIC_ACQUIRE) != 0) {
        return;
    }
    if (hook->commit) {
        CHECK(commit_tag(hook->pager, 3, 777, 2) == STRATA_OK);
    }
    while (!hook->commit && __atomic_load_n(&hook->txn_open, __ATOMIC_ACQUIRE) == 0) {
        sched_yield();
    }
    __atomic_store_n(&hook->ran, 1, __ATOMIC_RELEASE);
}

/* commit: a commit lands during the first pass; else a write transaction is
 * open while the thread catches up, which restarts the WAL beside it (holding
 * appends), and then reads and commits into the new generation. */
static void run_catch_up(bool commit)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_opts(fault, 16, true, true, 2);
    REQUIRE(pager != NULL);
    make_pages(pager, 4);
    Error err;
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    PagerStats before;
    pager_stats(pager, &before);
    CatchUpHook hook = {pager, commit, 0, 0};
    pager_test_set_checkpoint_hook(pager, catch_up_hook, &hook);
    /* The first commit of the generation appends page 1 and page 0, the next
     * ones page 1 alone (page 0 unchanged): the 15th reaches 16 frames and asks
     * the thread for a checkpoint. */
    uint32_t rounds = 0;
    /* (or until the thread has started: under load it may run the whole
     * checkpoint, restart included, before this thread reads the stats) */
    for (PagerStats now = before;
         now.wal_frames < 16 && now.background_checkpoints == before.background_checkpoints;
         pager_stats(pager, &now)) {
        rounds++;
        CHECK(commit_tag(pager, 1, rounds, 2) == STRATA_OK);
    }
    CHECK_EQ_INT(rounds, 15);
    PagerTxn *open_txn = NULL;
    if (!commit) {
        REQUIRE(pager_begin(pager, true, &open_txn, &err) == STRATA_OK);
        CHECK(set_tag(open_txn, 2, 555) == STRATA_OK);
        __atomic_store_n(&hook.txn_open, 1, __ATOMIC_RELEASE);
    }
    while (__atomic_load_n(&hook.ran, __ATOMIC_ACQUIRE) == 0) {
        sched_yield();
    }
    if (open_txn != NULL) {
        /* Before, the thread waited for this transaction to end (the writer
         * lock); now it restarts the WAL while the transaction is open. */
        PagerStats now;
        pager_stats(pager, &now);
        for (int waits = 0; now.wal_restarts == before.wal_restarts && waits < 20000; waits++) {
            usleep(500);
            pager_stats(pager, &now);
        }
        CHECK_EQ_INT(now.wal_restarts - before.wal_restarts, 1);
        CHECK_EQ_INT(now.restarts_beside_writer - before.restarts_beside_writer, 1);
        CHECK_EQ_INT(now.wal_frames, 0);
        /* its reads now come from the file (or the images kept as the file's) */
        CHECK_EQ_INT(read_tag(open_txn, 1), rounds);
        CHECK_EQ_INT(read_tag(open_txn, 2), 555);
        CHECK(pager_commit(open_txn, &err) == STRATA_OK);
        pager_stats(pager, &now);
        CHECK(now.wal_frames >= 1); /* the new generation's first commit */
    }
    /* Checkpoints are serialized: this one waits for the thread's to end,
     * and then finds nothing to copy if the thread restarted the WAL. */
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);
    pager_test_set_checkpoint_hook(pager, NULL, NULL);
    PagerStats after;
    pager_stats(pager, &after);
    if (commit) {
        /* The hook's commit found the WAL past the threshold and asked again
         * (before the restart: the thread was running the hook); the thread
         * drops that request, as the WAL has restarted since, rather than
         * running a second checkpoint. (With commit = false, the request
         * depends on whether the restart came first.) */
        while (after.stale_checkpoint_requests == before.stale_checkpoint_requests &&
               after.background_checkpoints - before.background_checkpoints < 2) {
            sched_yield();
            pager_stats(pager, &after);
        }
        CHECK_EQ_INT(after.stale_checkpoint_requests - before.stale_checkpoint_requests, 1);
        CHECK_EQ_INT(after.background_checkpoints - before.background_checkpoints, 1);
    }
    /* without commit, the explicit checkpoint (under the writer lock) copies
     * the commit made after the thread's restart, and restarts a second time */
    CHECK_EQ_INT(after.locked_copies - before.locked_copies, commit ? 0 : 1);
    CHECK_EQ_INT(after.wal_restarts - before.wal_restarts, commit ? 1 : 2);
    CHECK_EQ_INT(after.wal_frames, 0);
    CHECK_EQ_INT(committed_tag(pager, 1), rounds);
    CHECK_EQ_INT(committed_tag(pager, commit ? 3 : 2), commit ? 777 : 555);
    pager = crash_and_reopen_opts(pager, fault, mem, 16, true, true, 2);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(committed_tag(pager, 1), rounds);
    CHECK_EQ_INT(committed_tag(pager, commit ? 3 : 2), commit ? 777 : 555);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

static void test_background_catch_up(void)
{
    run_catch_up(true);
    run_catch_up(false);
}

/* Holds the checkpointer thread after its first pass until the test opens. */
typedef struct PassGate {
    int open; /* atomic */
    int ran;  /* atomic */
} PassGate;

static void pass_gate_hook(void *arg)
{
    PassGate *hook = arg;
    if (__atomic_load_n(&hook->ran, __ATOMIC_ACQUIRE) != 0) {
        return;
    }
    while (__atomic_load_n(&hook->open, __ATOMIC_ACQUIRE) == 0) {
        sched_yield();
    }
    __atomic_store_n(&hook->ran, 1, __ATOMIC_RELEASE);
}

/* Commits to page pgno until the thread has started a checkpoint (which then
 * waits in pass_gate_hook); returns the last tag committed. */
static uint32_t commit_until_checkpoint(Pager *pager, Pgno pgno, uint32_t tag)
{
    PagerStats now;
    pager_stats(pager, &now);
    uint64_t runs = now.background_checkpoints;
    while (now.background_checkpoints == runs) {
        CHECK(commit_tag(pager, pgno, ++tag, 2) == STRATA_OK);
        pager_stats(pager, &now);
    }
    return tag;
}

/* Opens the gate and waits until the thread's checkpoint has ended (it holds
 * checkpoint_lock from before the hook until its end). */
static void open_gate_and_wait(Pager *pager, PassGate *hook)
{
    __atomic_store_n(&hook->open, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&hook->ran, __ATOMIC_ACQUIRE) == 0) {
        sched_yield();
    }
    while (pthread_mutex_trylock(&pager->checkpoint_lock) != 0) {
        usleep(200);
    }
    pthread_mutex_unlock(&pager->checkpoint_lock);
}

/* The append barrier and spills. The thread holds appends, not the writer
 * lock, to restart the WAL, so a writer may be inside its transaction then:
 * one whose spilled frames are in the WAL keeps it from restarting (they are
 * read back, and its rollback rewinds them); one the thread restarted beside
 * spills into the new generation, and its rollback rewinds to that
 * generation's frame 0 (the rewind point is taken at the first frame, not at
 * begin: from begin, it pointed into the ended generation), so the next
 * commit lands at frame 0 and survives a power failure. */
static void test_restart_beside_spills(void)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_opts(fault, 16, true, true, 2); /* 64 cache pages */
    REQUIRE(pager != NULL);
    Error err;
    Pgno first = write_new_pages(pager, 120, 1000);
    REQUIRE(first != 0);
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);

    /* A: a writer with spilled frames, no restart. */
    PassGate hook = {0, 0};
    pager_test_set_checkpoint_hook(pager, pass_gate_hook, &hook);
    uint32_t tag = commit_until_checkpoint(pager, first, 1);
    PagerStats before, now;
    pager_stats(pager, &before);
    PagerTxn *txn = NULL;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (uint32_t at = 1; at <= 100; at++) {
        CHECK(set_tag(txn, first + at, 5000 + at) == STRATA_OK);
    }
    pager_stats(pager, &now);
    CHECK(now.spilled_pages > before.spilled_pages);
    open_gate_and_wait(pager, &hook);
    pager_stats(pager, &now);
    CHECK_EQ_INT(now.wal_restarts - before.wal_restarts, 0);
    CHECK_EQ_INT(read_tag(txn, first + 1), 5001);
    CHECK_EQ_INT(read_tag(txn, first + 100), 5100);
    pager_rollback(txn);
    CHECK_EQ_INT(committed_tag(pager, first + 1), 1001);
    CHECK_EQ_INT(committed_tag(pager, first), tag);
    CHECK(pager_checkpoint(pager, &err) == STRATA_OK);

    /* B: restarted beside an open writer, which then spills and rolls back. */
    hook = (PassGate){0, 0};
    pager_test_set_checkpoint_hook(pager, pass_gate_hook, &hook);
    tag = commit_until_checkpoint(pager, first, tag);
    pager_stats(pager, &before);
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    open_gate_and_wait(pager, &hook);
    pager_stats(pager, &now);
    CHECK_EQ_INT(now.wal_restarts - before.wal_restarts, 1);
    CHECK_EQ_INT(now.restarts_beside_writer - before.restarts_beside_writer, 1);
    for (uint32_t at = 1; at <= 100; at++) {
        CHECK(set_tag(txn, first + at, 7000 + at) == STRATA_OK);
    }
    pager_stats(pager, &now);
    CHECK(now.spilled_pages > before.spilled_pages);
    CHECK_EQ_INT(read_tag(txn, first + 2), 7002);
    CHECK_EQ_INT(read_tag(txn, first), tag);
    pager_rollback(txn);
    pager_test_set_checkpoint_hook(pager, NULL, NULL);
    CHECK(commit_tag(pager, first, 9999, 2) == STRATA_OK);
    CHECK(commit_tag(pager, first + 3, 8888, 2) == STRATA_OK);
    pager = crash_and_reopen_opts(pager, fault, mem, 16, true, true, 2);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(committed_tag(pager, first), 9999);
    CHECK_EQ_INT(committed_tag(pager, first + 3), 8888);
    CHECK_EQ_INT(committed_tag(pager, first + 2), 1002);
    CHECK_EQ_INT(committed_tag(pager, first + 119), 1119);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* ---- counter slots in the header page ---- */

/* values[0] of key's slot as pager's latest snapshot sees it; UINT64_MAX: none. */
static uint64_t counter_of(Pager *pager, Pgno key)
{
    PagerTxn *txn = NULL;
    Error err;
    if (pager_begin(pager, false, &txn, &err) != STRATA_OK) {
        return UINT64_MAX - 1;
    }
    uint64_t values[2] = {0, 0};
    bool found = pager_counter_get(txn, key, values);
    pager_rollback(txn);
    CHECK(!found || values[1] == values[0] + 1);
    return found ? values[0] : UINT64_MAX;
}

static bool set_counter(PagerTxn *txn, Pgno key, uint64_t value)
{
    uint64_t values[2] = {value, value + 1};
    bool stored = false;
    Error err;
    CHECK(pager_counter_set(txn, key, values, &stored, &err) == STRATA_OK);
    return stored;
}

static int commit_counter(Pager *pager, Pgno key, uint64_t value, int synchronous)
{
    PagerTxn *txn = NULL;
    Error err;
    int rc = pager_begin(pager, true, &txn, &err);
    if (rc == STRATA_OK) {
        pager_txn_set_synchronous(txn, synchronous);
        CHECK(set_counter(txn, key, value));
        rc = pager_commit(txn, &err);
    }
    return rc;
}

/* Counter slots are transactional like any header byte: a reader keeps its
 * snapshot's values, ROLLBACK TO SAVEPOINT and ROLLBACK undo, a power failure
 * keeps exactly the synced commits (an unsynced one is lost whole), drop
 * keeps the others, and a full header says so instead of overwriting. */
static void test_counter_slots(void)
{
    Vfs *mem = vfs_memory_create();
    Vfs *fault = vfs_fault_create(mem, NULL);
    Pager *pager = open_mem(fault, 0);
    REQUIRE(pager != NULL);
    Error err;
    /* keys are root pages: pager_check wants them to exist */
    REQUIRE(write_new_pages(pager, PAGER_COUNTER_SLOTS + 20, 0) == 1);
    CHECK_EQ_INT(counter_of(pager, 5), UINT64_MAX);
    CHECK(commit_counter(pager, 5, 10, 2) == STRATA_OK);
    PagerTxn *reader = NULL, *txn = NULL;
    REQUIRE(pager_begin(pager, false, &reader, &err) == STRATA_OK);
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CHECK(set_counter(txn, 5, 11));
    uint32_t savepoint = 0;
    REQUIRE(pager_savepoint(txn, &savepoint, &err) == STRATA_OK);
    CHECK(set_counter(txn, 5, 12));
    CHECK(set_counter(txn, 7, 1));
    REQUIRE(pager_rollback_to(txn, savepoint, &err) == STRATA_OK);
    uint64_t values[2];
    CHECK(pager_counter_get(txn, 5, values) && values[0] == 11);
    CHECK(!pager_counter_get(txn, 7, values));
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    CHECK(pager_counter_get(reader, 5, values) && values[0] == 10);
    pager_rollback(reader);
    CHECK_EQ_INT(counter_of(pager, 5), 11);
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CHECK(set_counter(txn, 5, 99));
    pager_rollback(txn);
    CHECK_EQ_INT(counter_of(pager, 5), 11);
    /* drop: the last slot moves into the hole */
    CHECK(commit_counter(pager, 8, 3, 2) == STRATA_OK);
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CHECK(pager_counter_drop(txn, 5, &err) == STRATA_OK);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    CHECK_EQ_INT(counter_of(pager, 5), UINT64_MAX);
    CHECK_EQ_INT(counter_of(pager, 8), 3);
    /* full */
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    for (Pgno key = 10; key < 10 + PAGER_COUNTER_SLOTS - 1; key++) {
        CHECK(set_counter(txn, key, key));
    }
    CHECK(!set_counter(txn, 9, 1));
    CHECK(set_counter(txn, 8, 4)); /* an existing slot still takes new values */
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    CHECK_EQ_INT(counter_of(pager, 9), UINT64_MAX);
    CHECK_EQ_INT(counter_of(pager, 10 + PAGER_COUNTER_SLOTS - 2), 10 + PAGER_COUNTER_SLOTS - 2);
    /* power failure: the synced commit stays, the asynchronous one is lost */
    CHECK(commit_counter(pager, 8, 5, 2) == STRATA_OK);
    CHECK(commit_counter(pager, 8, 6, 0) == STRATA_OK);
    CHECK_EQ_INT(counter_of(pager, 8), 6);
    pager = crash_and_reopen(pager, fault, mem);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(counter_of(pager, 8), 5);
    CHECK_EQ_INT(counter_of(pager, 10), 10);
    CHECK(pager_check(pager, &err) == STRATA_OK);
    /* a slot naming a page past the end is reported by the integrity check */
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CHECK(pager_counter_drop(txn, 10, &err) == STRATA_OK);
    CHECK(set_counter(txn, PAGER_COUNTER_SLOTS + 500, 1));
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    CHECK_EQ_INT(pager_check(pager, &err), STRATA_CORRUPT);
    CHECK(strstr(err.message, "counter slot") != NULL);
    pager_close(pager, &err);
    vfs_destroy(fault);
    vfs_destroy(mem);
}

/* Rewrites page 0 of "t.db" in vfs: version and counter slot count. */
static void patch_header(Vfs *vfs, uint32_t version, uint32_t counter_count)
{
    VfsFile *file = NULL;
    Error err;
    uint8_t *page = malloc(PAGE_SIZE);
    bool complete = false;
    REQUIRE(page != NULL && vfs_open(vfs, "t.db", 0, &file, &err) == STRATA_OK);
    REQUIRE(vfs_read_full(file, page, PAGE_SIZE, 0, &complete, &err) == STRATA_OK && complete);
    put_u32(page + HDR_OFF_VERSION, version);
    put_u32(page + HDR_OFF_COUNTER_COUNT, counter_count);
    pager_page_finalize(page, 0);
    REQUIRE(vfs_write(file, page, PAGE_SIZE, 0, &err) == STRATA_OK);
    vfs_close(file);
    free(page);
}

static uint32_t header_version(Vfs *vfs)
{
    VfsFile *file = NULL;
    Error err;
    uint8_t page[64];
    bool complete = false;
    if (vfs_open(vfs, "t.db", 0, &file, &err) != STRATA_OK) {
        return 0;
    }
    int rc = vfs_read_full(file, page, sizeof(page), 0, &complete, &err);
    vfs_close(file);
    return rc == STRATA_OK && complete ? get_u32(page + HDR_OFF_VERSION) : 0;
}

/* A format 1 file (written before the counter slots: zeros there) opens and
 * reads as before; its first counter slot upgrades it to format 2. A header
 * claiming more slots than fit is corrupt, not read past its end. */
static void test_header_format1(void)
{
    Vfs *mem = vfs_memory_create();
    Pager *pager = open_mem(mem, 0);
    REQUIRE(pager != NULL);
    Error err;
    CHECK_EQ_INT(write_new_pages(pager, 2, 40), 1);
    CHECK(pager_close(pager, &err) == STRATA_OK);
    CHECK_EQ_INT(header_version(mem), 2);
    patch_header(mem, 1, 0);
    pager = open_mem(mem, 0);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(committed_tag(pager, 2), 41);
    CHECK_EQ_INT(counter_of(pager, 5), UINT64_MAX);
    CHECK(commit_tag(pager, 2, 42, 2) == STRATA_OK); /* a commit without slots keeps it */
    CHECK(pager_close(pager, &err) == STRATA_OK);
    CHECK_EQ_INT(header_version(mem), 1);
    pager = open_mem(mem, 0);
    REQUIRE(pager != NULL);
    CHECK(commit_counter(pager, 5, 7, 2) == STRATA_OK);
    CHECK(pager_close(pager, &err) == STRATA_OK);
    CHECK_EQ_INT(header_version(mem), 2);
    pager = open_mem(mem, 0);
    REQUIRE(pager != NULL);
    CHECK_EQ_INT(counter_of(pager, 5), 7);
    CHECK_EQ_INT(committed_tag(pager, 2), 42);
    CHECK(pager_close(pager, &err) == STRATA_OK);
    patch_header(mem, 2, PAGER_COUNTER_SLOTS + 1);
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = mem;
    pager = NULL;
    CHECK_EQ_INT(pager_open("t.db", &opts, &pager, &err), STRATA_CORRUPT);
    CHECK(strstr(err.message, "counter slots") != NULL);
    vfs_destroy(mem);
}

int main(void)
{
    TEST_RUN(test_commit_rollback_reopen);
    TEST_RUN(test_memory_path);
    TEST_RUN(test_counter_slots);
    TEST_RUN(test_header_format1);
    TEST_RUN(test_savepoints);
    TEST_RUN(test_freelist_vacuum);
    TEST_RUN(test_checkpoint_keeps_images);
    TEST_RUN(test_spill_large_txn);
    TEST_RUN(test_spill_rollback);
    TEST_RUN(test_snapshot_isolation_threads);
    TEST_RUN(test_upgrade_stale);
    TEST_RUN(test_posix_and_fork_busy);
    TEST_RUN(test_async_commit);
    TEST_RUN(test_group_commit);
    TEST_RUN(test_writer_base_durable);
    TEST_RUN(test_cache_resize);
    TEST_RUN(test_wal_recycle);
    TEST_RUN(test_stale_frames_not_replayed);
    TEST_RUN(test_background_checkpointer);
    TEST_RUN(test_background_checkpoint_error);
    TEST_RUN(test_background_catch_up);
    TEST_RUN(test_restart_beside_spills);
    return test_summary("pager_test");
}
