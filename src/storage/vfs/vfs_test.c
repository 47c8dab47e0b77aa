/*
 * storage/vfs/vfs_test.c - goal: each VFS (POSIX, memory, fault) reads back
 * what it wrote, reports errors naming the file, and the memory VFS loses
 * exactly the unsynced writes on a crash; fault triggers fire at the Nth call.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "storage/vfs/vfs.h"
#include "storage/vfs/vfs_fault.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static void roundtrip(Vfs *vfs, const char *path)
{
    Error err;
    error_clear(&err);
    VfsFile *file = NULL;
    (void)vfs_delete(vfs, path, &err);
    REQUIRE(vfs_open(vfs, path, 0, &file, &err) != STRATA_OK);
    CHECK(strstr(err.message, path) != NULL);
    REQUIRE(vfs_open(vfs, path, VFS_OPEN_CREATE, &file, &err) == STRATA_OK);
    CHECK(vfs_exists(vfs, path));
    char buf[100];
    CHECK(vfs_write(file, "hello", 5, 10, &err) == STRATA_OK);
    uint64_t size = 0;
    CHECK(vfs_size(file, &size, &err) == STRATA_OK);
    CHECK_EQ_INT(size, 15);
    size_t got = 0;
    CHECK(vfs_read(file, buf, sizeof(buf), 8, &got, &err) == STRATA_OK);
    CHECK_EQ_INT(got, 7);
    CHECK(memcmp(buf, "\0\0hello", 7) == 0);
    CHECK(vfs_sync(file, &err) == STRATA_OK);
    CHECK(vfs_truncate(file, 12, &err) == STRATA_OK);
    CHECK(vfs_size(file, &size, &err) == STRATA_OK);
    CHECK_EQ_INT(size, 12);
    CHECK(vfs_lock(file, &err) == STRATA_OK);
    VfsFile *second = NULL;
    REQUIRE(vfs_open(vfs, path, 0, &second, &err) == STRATA_OK);
    CHECK_EQ_INT(vfs_lock(second, &err), STRATA_BUSY);
    CHECK_EQ_STR(err.sqlstate, "55P03");
    vfs_unlock(file);
    CHECK(vfs_lock(second, &err) == STRATA_OK);
    vfs_close(second);
    vfs_close(file);
    CHECK(vfs_delete(vfs, path, &err) == STRATA_OK);
    CHECK(!vfs_exists(vfs, path));
}

static void test_posix(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/strata_vfs_test_%d", (int)getpid());
    roundtrip(vfs_posix(), path);
}

static void test_memory(void)
{
    Vfs *vfs = vfs_memory_create();
    roundtrip(vfs, "m.db");
    vfs_destroy(vfs);
}

static void test_memory_crash(void)
{
    Vfs *vfs = vfs_memory_create();
    Error err;
    VfsFile *file = NULL;
    REQUIRE(vfs_open(vfs, "c.db", VFS_OPEN_CREATE, &file, &err) == STRATA_OK);
    CHECK(vfs_write(file, "durable", 7, 0, &err) == STRATA_OK);
    CHECK(vfs_sync(file, &err) == STRATA_OK);
    CHECK(vfs_write(file, "LOST!!!", 7, 0, &err) == STRATA_OK);
    CHECK(vfs_write(file, "more", 4, 100, &err) == STRATA_OK);
    vfs_memory_crash(vfs);
    char buf[16] = {0};
    size_t got = 0;
    CHECK(vfs_read(file, buf, sizeof(buf), 0, &got, &err) == STRATA_OK);
    CHECK_EQ_INT(got, 7);
    CHECK(memcmp(buf, "durable", 7) == 0);
    vfs_close(file);
    vfs_destroy(vfs);
}

static void test_fault(void)
{
    Vfs *mem = vfs_memory_create();
    FaultConfig config = {.write_error_at = 2, .sync_error_at = 1, .read_error_at = 3};
    Vfs *vfs = vfs_fault_create(mem, &config);
    Error err;
    VfsFile *file = NULL;
    REQUIRE(vfs_open(vfs, "f.db", VFS_OPEN_CREATE, &file, &err) == STRATA_OK);
    CHECK(vfs_write(file, "aaaa", 4, 0, &err) == STRATA_OK);
    CHECK_EQ_INT(vfs_write(file, "bbbb", 4, 4, &err), STRATA_IOERR);
    CHECK(strstr(err.message, "f.db") != NULL);
    CHECK_EQ_INT(vfs_sync(file, &err), STRATA_IOERR);
    CHECK(vfs_sync(file, &err) == STRATA_OK);
    char buf[8];
    size_t got;
    CHECK(vfs_read(file, buf, 4, 0, &got, &err) == STRATA_OK);
    CHECK(vfs_read(file, buf, 4, 0, &got, &err) == STRATA_OK);
    CHECK_EQ_INT(vfs_read(file, buf, 4, 0, &got, &err), STRATA_IOERR);

    /* disk full after 10 bytes */
    FaultConfig full = {.disk_full_bytes = 10};
    vfs_fault_configure(vfs, &full);
    CHECK(vfs_write(file, "12345678", 8, 0, &err) == STRATA_OK);
    CHECK_EQ_INT(vfs_write(file, "12345678", 8, 8, &err), STRATA_FULL);
    CHECK_EQ_STR(err.sqlstate, "53100");

    /* crash at write 2: later writes and syncs are dropped */
    FaultConfig crash = {.crash_at_write = 2};
    vfs_fault_configure(vfs, &crash);
    CHECK(vfs_write(file, "XXXX", 4, 0, &err) == STRATA_OK);
    CHECK(vfs_write(file, "YYYY", 4, 0, &err) == STRATA_OK);
    CHECK(vfs_sync(file, &err) == STRATA_OK);
    FaultStats stats;
    vfs_fault_stats(vfs, &stats);
    CHECK(stats.crashed);
    vfs_memory_crash(mem);
    CHECK(vfs_read(file, buf, 4, 0, &got, &err) == STRATA_OK);
    CHECK(memcmp(buf, "aaaa", 4) == 0); /* neither X (unsynced) nor Y (dropped) */

    /* torn write: only a prefix of whole sectors lands */
    FaultConfig torn = {.torn_write_at = 1, .seed = 7};
    vfs_fault_configure(vfs, &torn);
    uint8_t big[4096];
    memset(big, 'T', sizeof(big));
    CHECK(vfs_write(file, big, sizeof(big), 0, &err) == STRATA_OK);
    uint8_t back[4096];
    CHECK(vfs_read(file, back, sizeof(back), 0, &got, &err) == STRATA_OK);
    CHECK(got < sizeof(big) || memcmp(back, big, sizeof(big)) != 0);

    /* short write: half, then an error */
    FaultConfig short_write = {.short_write_at = 1};
    vfs_fault_configure(vfs, &short_write);
    CHECK_EQ_INT(vfs_write(file, big, 1000, 0, &err), STRATA_IOERR);
    vfs_close(file);
    vfs_destroy(vfs);
    vfs_destroy(mem);
}

int main(void)
{
    TEST_RUN(test_posix);
    TEST_RUN(test_memory);
    TEST_RUN(test_memory_crash);
    TEST_RUN(test_fault);
    return test_summary("vfs_test");
}
