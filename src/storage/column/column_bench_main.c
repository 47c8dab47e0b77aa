/*
 * storage/column/column_bench_main.c - micro-benchmark of the column store:
 * bulk-loads N rows of a few typed columns (sequential id, timestamp with
 * jitter, low-cardinality text, small-range int, double price) into a
 * "column" table on an in-memory database, then scans one column and sums
 * it. Prints load and scan rows/s and, per column, the encoding chosen for
 * the first row group and its stored bytes per value.
 *
 *   build/column/column_bench [rows] [row_group_rows]     (default 10000000 65536)
 *
 * Results go into docs/column-store.md. Timing is printed, never asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/column/column.h"
#include "storage/vfs/vfs.h"

enum { COLS = 5 };

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? atol(argv[1]) : 10000000;
    long group_rows = argc > 2 ? atol(argv[2]) : 65536;
    static const SqlType types[COLS] = {{TYPE_INT8, -1}, {TYPE_TIMESTAMP, -1}, {TYPE_TEXT, -1},
                                        {TYPE_INT4, -1}, {TYPE_FLOAT8, -1}};
    static const char *const names[COLS] = {"id", "ts", "city", "qty", "price"};
    static const char *const cities[] = {"Berlin", "Lisbon", "Osaka", "Lima", "Oslo", "Quito", "Perth", "Accra"};
    Error err;
    PagerOptions opts;
    pager_options_default(&opts);
    opts.vfs = vfs_memory_create();
    opts.synchronous = 0;
    opts.cache_pages = 1u << 18;
    Pager *pager;
    if (pager_open("bench.db", &opts, &pager, &err) != STRATA_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    column_set_row_group_rows((uint32_t)group_rows);
    TableDesc desc = {.table_id = 1, .name = "bench", .column_count = COLS, .column_types = types,
                      .column_names = names};
    PagerTxn *txn;
    pager_begin(pager, true, &txn, &err);
    if (column_am()->create(txn, &desc, &err) != STRATA_OK) {
        fprintf(stderr, "create: %s\n", err.message);
        return 1;
    }
    Arena *arena = arena_create(NULL, 0, "bench");
    Batch *batch = batch_create(arena, types, COLS, (int)group_rows);
    uint64_t state = 88172645463325252ULL;
    double start = now_seconds();
    int rc = STRATA_OK;
    for (long done = 0; done < rows && rc == STRATA_OK;) {
        batch_reset(batch);
        long take = rows - done < group_rows ? rows - done : group_rows;
        for (long row = 0; row < take; row++) {
            long id = done + row;
            uint64_t r = next_random(&state);
            batch->columns[0].i64[row] = id;
            batch->columns[1].i64[row] = 700000000000000LL + id * 1000000 + (int64_t)(r % 1000);
            const char *city = cities[(r >> 10) % 8];
            batch->columns[2].str[row] = (StrRef){city, (uint32_t)strlen(city)};
            batch->columns[3].i64[row] = (int64_t)((r >> 20) % 1000);
            batch->columns[4].f64[row] = (double)((r >> 30) % 100000) / 100.0;
        }
        batch->row_count = (int)take;
        rc = column_am()->bulk_load(txn, &desc, batch, &err);
        done += take;
    }
    if (rc == STRATA_OK) {
        rc = column_am()->maintain(txn, &desc, &err);
    }
    double load_seconds = now_seconds() - start;
    if (rc != STRATA_OK || pager_commit(txn, &err) != STRATA_OK) {
        fprintf(stderr, "load: %s\n", err.message);
        return 1;
    }
    printf("rows %ld, row group %ld rows\n", rows, group_rows);
    printf("bulk load + commit: %.2f s, %.0f rows/s\n", load_seconds, (double)rows / load_seconds);

    pager_begin(pager, false, &txn, &err);
    TableStats stats;
    column_am()->stats(txn, &desc, &stats, &err);
    printf("bytes on disk %llu (%.2f bytes/row, raw fixed-width row 40 bytes)\n",
           (unsigned long long)stats.bytes_on_disk, (double)stats.bytes_on_disk / (double)rows);
    for (int col = 0; col < COLS; col++) {
        int encoding;
        uint64_t bytes;
        if (column_segment_info(txn, &desc, 0, col, &encoding, &bytes, &err) == STRATA_OK) {
            printf("  %-6s %-10s %.3f bytes/value\n", names[col], column_encoding_name(encoding),
                   (double)bytes / (double)(rows < group_rows ? rows : group_rows));
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        static const int qty_column[1] = {3};
        ScanSpec spec = {qty_column, 1, false, NULL, false, NULL, 0, false, NULL, NULL};
        TableScan *scan;
        Arena *scan_arena = arena_create(arena, 0, "scan");
        SqlType out_type = types[3];
        Batch *out = batch_create(scan_arena, &out_type, 1, 0);
        start = now_seconds();
        column_am()->scan_begin(txn, &desc, &spec, scan_arena, &scan, &err);
        int64_t sum = 0;
        long seen = 0;
        while (column_am()->scan_next(scan, out, &err) == STRATA_OK && out->row_count > 0) {
            for (int row = 0; row < out->row_count; row++) {
                sum += out->columns[0].i64[row];
            }
            seen += out->row_count;
        }
        double scan_seconds = now_seconds() - start;
        ColumnScanCounters counters;
        column_scan_counters(scan, &counters);
        column_am()->scan_end(scan);
        printf("scan+sum qty (pass %d): %ld rows, sum %lld, %.3f s, %.0f rows/s, %llu segment bytes read\n",
               pass + 1, seen, (long long)sum, scan_seconds, (double)seen / scan_seconds,
               (unsigned long long)counters.segment_bytes_read);
        arena_destroy(scan_arena);
    }
    pager_rollback(txn);
    pager_close(pager, &err);
    arena_destroy(arena);
    return 0;
}
