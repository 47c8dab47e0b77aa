/*
 * storage/row/row_index_runs.c - sorted runs of index entries in a temporary
 * file, merged in key order: the external sort behind CREATE INDEX when its
 * entries outgrow one in-memory run (row_index.c, INDEX_BUILD_BYTES_MAX).
 *
 * Without it, the first run was built bottom-up and every later run inserted
 * one entry at a time into the full-grown tree; those inserts landed all over
 * the key space and split 90%-full leaves in halves, so the 2M-entry star
 * fact index took 28.9 bytes an entry where one bottom-up build takes about
 * 23 (issue 6). Now every run is written out sorted and the runs are merged
 * into a single bottom-up build.
 *
 * File format (private to one build, never read by another process): per
 * entry u32 key length, u32 value length (native byte order), key, value.
 * The file lives in $TMPDIR (else /tmp) and is unlinked as soon as it is
 * created, like exec/sort_spill.c's; it is not database data and does not go
 * through the VFS. Write errors: 53100 (disk full) or 58030.
 *
 * Invariants
 *   1. Each run's entries are in strictly increasing key order (the caller
 *      sorts them); keys are unique across runs (the row id suffix), so the
 *      merge never sees two equal keys.
 *   2. The merge's current entry stays valid until the next call.
 *
 * Threads: one build, one thread. See README.md ("Index builds").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/row/row_int.h"
#include "util/mem.h"

#define RUNS_BUFFER_BYTES (64 * 1024)

typedef struct IndexRun {
    uint64_t offset;   /* next unread byte of the run */
    uint64_t end;      /* one past its last byte */
    uint8_t *buf;      /* read buffer */
    size_t buf_len, buf_pos;
    uint8_t *entry;    /* the current entry: key then value */
    size_t entry_capacity;
    uint32_t key_len, value_len;
} IndexRun;

struct IndexRuns {
    int fd;
    uint64_t size;     /* bytes written */
    uint8_t *wbuf;
    size_t wlen;
    uint64_t run_start;
    IndexRun *runs;
    int run_count, run_capacity;
    int *heap;         /* run indexes, smallest current key first */
    int heap_count;
    int last;          /* run whose entry was returned last, -1 before the first */
};

static int io_error(int errnum, const char *what, Error *err)
{
    if (errnum == ENOSPC) {
        return error_set(err, SQLSTATE_DISK_FULL, "could not %s temporary file: %s", what,
                         strerror(errnum));
    }
    return error_set(err, SQLSTATE_IO_ERROR, "could not %s temporary file: %s", what,
                     strerror(errnum));
}

int index_runs_open(IndexRuns **out, Error *err)
{
    IndexRuns *runs = mem_zalloc(sizeof *runs);
    uint8_t *wbuf = mem_alloc(RUNS_BUFFER_BYTES);
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (dir == NULL || dir[0] == '\0') {
        dir = "/tmp";
    }
    if (runs == NULL || wbuf == NULL) {
        mem_free(runs);
        mem_free(wbuf);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    snprintf(path, sizeof path, "%s/strata_index_XXXXXX", dir);
    runs->fd = mkstemp(path);
    if (runs->fd < 0) {
        int errnum = errno;
        mem_free(runs);
        mem_free(wbuf);
        return io_error(errnum, "create", err);
    }
    unlink(path);
    runs->wbuf = wbuf;
    runs->last = -1;
    *out = runs;
    return STRATA_OK;
}

static int runs_flush(IndexRuns *runs, Error *err)
{
    size_t done = 0;
    while (done < runs->wlen) {
        ssize_t written = pwrite(runs->fd, runs->wbuf + done, runs->wlen - done,
                                 (off_t)(runs->size + done));
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_error(errno, "write to", err);
        }
        done += (size_t)written;
    }
    runs->size += runs->wlen;
    runs->wlen = 0;
    return STRATA_OK;
}

static int runs_put(IndexRuns *runs, const void *bytes, size_t len, Error *err)
{
    const uint8_t *from = bytes;
    while (len > 0) {
        if (runs->wlen == RUNS_BUFFER_BYTES) {
            int rc = runs_flush(runs, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        size_t room = RUNS_BUFFER_BYTES - runs->wlen, take = len < room ? len : room;
        memcpy(runs->wbuf + runs->wlen, from, take);
        runs->wlen += take;
        from += take;
        len -= take;
    }
    return STRATA_OK;
}

int index_runs_add(IndexRuns *runs, const uint8_t *key, size_t key_len, const uint8_t *value,
                   size_t value_len, Error *err)
{
    uint32_t lengths[2] = {(uint32_t)key_len, (uint32_t)value_len};
    int rc = runs_put(runs, lengths, sizeof lengths, err);
    if (rc == STRATA_OK) {
        rc = runs_put(runs, key, key_len, err);
    }
    if (rc == STRATA_OK && value_len > 0) {
        rc = runs_put(runs, value, value_len, err);
    }
    return rc;
}

int index_runs_end_run(IndexRuns *runs, Error *err)
{
    uint64_t end = runs->size + runs->wlen;
    if (end == runs->run_start) {
        return STRATA_OK;
    }
    if (runs->run_count == runs->run_capacity) {
        int capacity = runs->run_capacity * 2 + 8;
        IndexRun *grown = mem_realloc(runs->runs, sizeof *grown * (size_t)capacity);
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        runs->runs = grown;
        runs->run_capacity = capacity;
    }
    IndexRun *run = &runs->runs[runs->run_count++];
    memset(run, 0, sizeof *run);
    run->offset = runs->run_start;
    run->end = end;
    runs->run_start = end;
    return STRATA_OK;
}

int index_runs_count(const IndexRuns *runs) { return runs->run_count; }

/* Copies len bytes of run into out, refilling its buffer from the file. */
static int run_read(IndexRuns *runs, IndexRun *run, uint8_t *out, size_t len, Error *err)
{
    while (len > 0) {
        if (run->buf_pos == run->buf_len) {
            uint64_t left = run->end - run->offset;
            size_t want = left < RUNS_BUFFER_BYTES ? (size_t)left : RUNS_BUFFER_BYTES;
            ssize_t got = want == 0 ? 0 : pread(runs->fd, run->buf, want, (off_t)run->offset);
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got <= 0) {
                return got < 0 ? io_error(errno, "read from", err)
                               : error_set(err, SQLSTATE_IO_ERROR,
                                           "could not read from temporary file: short read");
            }
            run->offset += (uint64_t)got;
            run->buf_len = (size_t)got;
            run->buf_pos = 0;
        }
        size_t take = run->buf_len - run->buf_pos < len ? run->buf_len - run->buf_pos : len;
        memcpy(out, run->buf + run->buf_pos, take);
        run->buf_pos += take;
        out += take;
        len -= take;
    }
    return STRATA_OK;
}

/* Reads the run's next entry; *has false when the run is used up. */
static int run_advance(IndexRuns *runs, IndexRun *run, bool *has, Error *err)
{
    *has = run->offset < run->end || run->buf_pos < run->buf_len;
    if (!*has) {
        return STRATA_OK;
    }
    uint32_t lengths[2];
    int rc = run_read(runs, run, (uint8_t *)lengths, sizeof lengths, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t need = (size_t)lengths[0] + lengths[1] + 1;
    if (need > run->entry_capacity) {
        uint8_t *grown = mem_realloc(run->entry, need);
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        run->entry = grown;
        run->entry_capacity = need;
    }
    run->key_len = lengths[0];
    run->value_len = lengths[1];
    return run_read(runs, run, run->entry, (size_t)lengths[0] + lengths[1], err);
}

static bool run_less(const IndexRuns *runs, int a, int b)
{
    const IndexRun *x = &runs->runs[a], *y = &runs->runs[b];
    return btree_key_compare(x->entry, x->key_len, y->entry, y->key_len) < 0;
}

static void heap_down(IndexRuns *runs, int at)
{
    for (;;) {
        int smallest = at, left = 2 * at + 1, right = left + 1;
        if (left < runs->heap_count && run_less(runs, runs->heap[left], runs->heap[smallest])) {
            smallest = left;
        }
        if (right < runs->heap_count && run_less(runs, runs->heap[right], runs->heap[smallest])) {
            smallest = right;
        }
        if (smallest == at) {
            return;
        }
        int keep = runs->heap[at];
        runs->heap[at] = runs->heap[smallest];
        runs->heap[smallest] = keep;
        at = smallest;
    }
}

int index_runs_merge_begin(IndexRuns *runs, Error *err)
{
    int rc = runs_flush(runs, err);
    runs->heap = rc == STRATA_OK ? mem_alloc(sizeof(int) * ((size_t)runs->run_count + 1)) : NULL;
    if (rc == STRATA_OK && runs->heap == NULL) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    for (int index = 0; rc == STRATA_OK && index < runs->run_count; index++) {
        IndexRun *run = &runs->runs[index];
        run->buf = mem_alloc(RUNS_BUFFER_BYTES);
        bool has = false;
        rc = run->buf == NULL ? error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory")
                              : run_advance(runs, run, &has, err);
        if (rc == STRATA_OK && has) {
            runs->heap[runs->heap_count++] = index;
        }
    }
    for (int at = runs->heap_count / 2 - 1; rc == STRATA_OK && at >= 0; at--) {
        heap_down(runs, at);
    }
    runs->last = -1;
    return rc;
}

int index_runs_next(void *ctx, const uint8_t **key, size_t *key_len, const uint8_t **value,
                    size_t *value_len, bool *done, Error *err)
{
    IndexRuns *runs = ctx;
    if (runs->last >= 0) {
        /* The entry returned last is no longer borrowed: move its run on. */
        bool has;
        int rc = run_advance(runs, &runs->runs[runs->last], &has, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!has) {
            runs->heap[0] = runs->heap[--runs->heap_count];
        }
        heap_down(runs, 0);
    }
    *done = runs->heap_count == 0;
    if (*done) {
        runs->last = -1;
        return STRATA_OK;
    }
    runs->last = runs->heap[0];
    const IndexRun *run = &runs->runs[runs->last];
    *key = run->entry;
    *key_len = run->key_len;
    *value = run->entry + run->key_len;
    *value_len = run->value_len;
    return STRATA_OK;
}

void index_runs_close(IndexRuns *runs)
{
    if (runs == NULL) {
        return;
    }
    close(runs->fd);
    for (int index = 0; index < runs->run_count; index++) {
        mem_free(runs->runs[index].buf);
        mem_free(runs->runs[index].entry);
    }
    mem_free(runs->runs);
    mem_free(runs->heap);
    mem_free(runs->wbuf);
    mem_free(runs);
}
