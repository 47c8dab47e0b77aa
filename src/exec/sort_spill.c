/*
 * exec/sort_spill.c - external merge sort: sorted runs of rows in a temporary
 * file, merged on output.
 *
 * A sort whose rows outgrow work_mem sorts what it holds, appends it to its
 * temporary file as one run and starts over with an empty arena; at the end it
 * merges the runs with a binary heap, reading each run through its own
 * buffer, at most MERGE_FANIN_MAX at once: more runs are first merged in
 * groups into longer runs appended to the file (intermediate passes; the
 * bytes they write are not reported as the sort's). Rows are written value by value (flags, type, payload by physical
 * kind) and read back with their strings pointing into the run's buffer, where
 * they stay until that run moves on, that is until the caller's next call.
 *
 * The same files serve as the partitions of hash joins and hash aggregates
 * that outgrow work_mem (spill_file_*): rows appended one at a time and read
 * back in the order written, with no runs and no merge.
 *
 * The file lives in $TMPDIR (else /tmp) and is unlinked as soon as it is
 * created, so nothing survives the process; it is not database data and does
 * not go through the VFS. Every file is closed by executor_end
 * (exec_spill_close_all). Write errors are 53100 (disk full) or 58030.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec_int.h"

#define SPILL_BUFFER_BYTES (64 * 1024)

/* Runs merged at once. A merge reads each run through a buffer of its own, so
 * more runs than this are first merged in groups of this many into longer runs
 * (intermediate passes over the file), which bounds a merge's buffers by
 * MERGE_FANIN_MAX x run_buffer_bytes (1 MiB at work_mem = 64kB, 4 MiB at most)
 * however much was sorted. PostgreSQL's tuplesort does the same with tapes. */
enum { MERGE_FANIN_MAX = 64 };

typedef struct SpareBuffer {
    uint8_t *buf;
    size_t size;
} SpareBuffer;

typedef struct SpillRun {
    uint64_t offset;  /* next byte of the run to read */
    uint64_t end;     /* one past its last byte */
    uint8_t *buf;     /* read buffer */
    size_t buf_size;
    size_t buf_len;   /* bytes in buf */
    size_t buf_pos;   /* next unread byte in buf */
    Value *row;       /* the run's current row (valid until it advances) */
} SpillRun;

struct SortSpill {
    ExecState *es;
    int fd;
    int width;         /* values per row */
    uint64_t size;     /* bytes written */
    uint8_t *wbuf;
    size_t wlen;
    SpillRun *runs;
    int run_count;
    int run_capacity;
    uint64_t run_start; /* offset of the run being appended (run_open) */
    bool run_open;
    /* merge */
    int *heap;         /* run indexes, smallest current row first */
    int heap_count;
    int last;          /* run whose row was returned last, -1 at first */
    int (*compare)(const void *, const void *, void *);
    void *compare_arg;
    SortSpill *next_open; /* es->spills: files executor_end closes */
    Arena *mem;        /* its buffers: es->root (sorts) or es->spill_arena (partitions) */
    SpillRun scan;     /* spill_file_next: the whole file as one run */
    uint64_t row_count; /* spill_file_append: rows written */
    /* intermediate merge passes */
    SpareBuffer spares[MERGE_FANIN_MAX]; /* read buffers of runs read to the end */
    int spare_count;
    uint64_t pass_bytes; /* bytes the passes wrote (not reported as the sort's) */
};

static int spill_io_error(int errnum, const char *what, Error *err)
{
    if (errnum == ENOSPC) {
        return error_set(err, SQLSTATE_DISK_FULL, "could not %s temporary file: %s", what,
                         strerror(errnum));
    }
    return error_set(err, SQLSTATE_IO_ERROR, "could not %s temporary file: %s", what, strerror(errnum));
}

/* A temporary file (its struct in arena a) whose buffers come from arena mem. */
static int spill_open_in(ExecState *es, Arena *a, Arena *mem, int width, SortSpill **out,
                         Error *err)
{
    SortSpill *s = arena_zalloc(a, sizeof(SortSpill));
    uint8_t *wbuf = arena_alloc(mem, SPILL_BUFFER_BYTES);
    if (s == NULL || wbuf == NULL) {
        return arena_error(mem, err);
    }
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0') {
        dir = "/tmp";
    }
    char *path = arena_sprintf(mem, "%s/strata_sort_XXXXXX", dir);
    if (path == NULL) {
        return arena_error(mem, err);
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        return spill_io_error(errno, "create", err);
    }
    unlink(path);
    s->es = es;
    s->mem = mem;
    s->fd = fd;
    s->width = width;
    s->wbuf = wbuf;
    s->last = -1;
    s->next_open = es->spills;
    es->spills = s;
    *out = s;
    return STRATA_OK;
}

int sort_spill_open(ExecState *es, int width, SortSpill **out, Error *err)
{
    return spill_open_in(es, es->root, es->root, width, out, err);
}

void exec_spill_close_all(ExecState *es)
{
    for (SortSpill *s = es->spills; s != NULL; s = s->next_open) {
        if (s->fd >= 0) {
            close(s->fd);
            s->fd = -1;
        }
    }
    es->spills = NULL;
    arena_destroy(es->spill_arena);
    es->spill_arena = NULL;
}

static int spill_flush(SortSpill *s, Error *err)
{
    size_t done = 0;
    while (done < s->wlen) {
        ssize_t w = pwrite(s->fd, s->wbuf + done, s->wlen - done, (off_t)(s->size + done));
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return spill_io_error(errno, "write to", err);
        }
        done += (size_t)w;
    }
    s->size += s->wlen;
    s->wlen = 0;
    return STRATA_OK;
}

static int spill_put(SortSpill *s, const void *data, size_t len, Error *err)
{
    const uint8_t *p = data;
    while (len > 0) {
        if (s->wlen == SPILL_BUFFER_BYTES) {
            int rc = spill_flush(s, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        size_t n = SPILL_BUFFER_BYTES - s->wlen;
        if (n > len) {
            n = len;
        }
        memcpy(s->wbuf + s->wlen, p, n);
        s->wlen += n;
        p += n;
        len -= n;
    }
    return STRATA_OK;
}

/* Bytes of v's payload after its flags and type. */
static size_t value_payload_size(const Value *v)
{
    if (v->is_null) {
        return 0;
    }
    switch (type_phys(v->type.id)) {
    case PHYS_BOOL:
        return 1;
    case PHYS_I64:
    case PHYS_F64:
        return 8;
    case PHYS_DECIMAL: /* a big value's magnitude follows the struct */
        return sizeof(Decimal) + (v->dec.flags == DECIMAL_BIG ? v->dec.big.len : 0);
    case PHYS_STRING:
        return 4 + (size_t)v->str.len;
    case PHYS_INTERVAL:
        return sizeof(Interval);
    case PHYS_UUID:
        return sizeof(Uuid);
    }
    return 0;
}

/* Row record: u32 length of what follows, then per value: u8 is_null, i32 type
 * id, i32 typmod, payload. Native byte order: the file never leaves the process. */
static int spill_put_row(SortSpill *s, const Value *row, Error *err)
{
    uint32_t len = 0;
    for (int c = 0; c < s->width; c++) {
        len += 9 + (uint32_t)value_payload_size(&row[c]);
    }
    int rc = spill_put(s, &len, 4, err);
    for (int c = 0; c < s->width && rc == STRATA_OK; c++) {
        const Value *v = &row[c];
        uint8_t head[9];
        int32_t id = (int32_t)v->type.id, typmod = v->type.typmod;
        head[0] = v->is_null;
        memcpy(head + 1, &id, 4);
        memcpy(head + 5, &typmod, 4);
        rc = spill_put(s, head, sizeof head, err);
        if (rc != STRATA_OK || v->is_null) {
            continue;
        }
        switch (type_phys(v->type.id)) {
        case PHYS_BOOL: {
            uint8_t b = v->b;
            rc = spill_put(s, &b, 1, err);
            break;
        }
        case PHYS_I64:
            rc = spill_put(s, &v->i64, 8, err);
            break;
        case PHYS_F64:
            rc = spill_put(s, &v->f64, 8, err);
            break;
        case PHYS_DECIMAL:
            rc = spill_put(s, &v->dec, sizeof(Decimal), err);
            if (rc == STRATA_OK && v->dec.flags == DECIMAL_BIG && v->dec.big.len > 0) {
                rc = spill_put(s, v->dec.big.mag, v->dec.big.len, err);
            }
            break;
        case PHYS_STRING:
            rc = spill_put(s, &v->str.len, 4, err);
            if (rc == STRATA_OK) {
                rc = spill_put(s, v->str.ptr, v->str.len, err);
            }
            break;
        case PHYS_INTERVAL:
            rc = spill_put(s, &v->iv, sizeof(Interval), err);
            break;
        case PHYS_UUID:
            rc = spill_put(s, &v->uuid, sizeof(Uuid), err);
            break;
        }
    }
    return rc;
}

int sort_spill_append_rows(SortSpill *s, Value *const *rows, size_t count, Error *err)
{
    if (count > 0 && !s->run_open) {
        s->run_open = true;
        s->run_start = s->size + s->wlen;
    }
    for (size_t r = 0; r < count; r++) {
        int rc = spill_put_row(s, rows[r], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int sort_spill_end_run(SortSpill *s, Error *err)
{
    if (!s->run_open) {
        return STRATA_OK;
    }
    s->run_open = false;
    if (s->run_count == s->run_capacity) {
        int cap = s->run_capacity ? s->run_capacity * 2 : 16;
        SpillRun *nr = arena_zalloc(s->mem, sizeof(SpillRun) * (size_t)cap);
        if (nr == NULL) {
            return arena_error(s->mem, err);
        }
        if (s->run_count > 0) {
            memcpy(nr, s->runs, sizeof(SpillRun) * (size_t)s->run_count);
        }
        s->runs = nr;
        s->run_capacity = cap;
    }
    s->runs[s->run_count++] = (SpillRun){.offset = s->run_start, .end = s->size + s->wlen};
    return STRATA_OK;
}

int sort_spill_write_run(SortSpill *s, Value *const *rows, size_t count, Error *err)
{
    int rc = sort_spill_append_rows(s, rows, count, err);
    return rc == STRATA_OK ? sort_spill_end_run(s, err) : rc;
}

uint64_t sort_spill_bytes(const SortSpill *s)
{
    return s->size + s->wlen - s->pass_bytes;
}

int sort_spill_run_count(const SortSpill *s)
{
    return s->run_count;
}

/* A run's read buffer: a quarter of work_mem, between 8 and 64 KiB. A merge
 * holds one per run and a sort at a small work_mem writes many runs, so at
 * work_mem = 64kB each is 16 KiB, not 64 (the buffers count against the
 * statement's memory cap, exec_check_work_mem). */
static size_t run_buffer_bytes(const SortSpill *s)
{
    size_t bytes = s->es->env->work_mem_bytes / 4;
    if (bytes < 8 * 1024) {
        bytes = 8 * 1024;
    }
    return bytes < SPILL_BUFFER_BYTES ? bytes : SPILL_BUFFER_BYTES;
}

/* Makes at least need bytes of run r readable at buf + buf_pos. */
static int run_fill(SortSpill *s, SpillRun *run, size_t need, Error *err)
{
    if (run->buf_len - run->buf_pos >= need) {
        return STRATA_OK;
    }
    size_t have = run->buf_len - run->buf_pos;
    if (run->buf_size == 0 && s->spare_count > 0) {
        SpareBuffer spare = s->spares[--s->spare_count];
        run->buf = spare.buf;
        run->buf_size = spare.size;
    }
    if (need > run->buf_size) {
        size_t size = run->buf_size ? run->buf_size : run_buffer_bytes(s);
        while (size < need) {
            size *= 2;
        }
        uint8_t *nb = arena_alloc(s->mem, size);
        if (nb == NULL) {
            return arena_error(s->mem, err);
        }
        if (have > 0) {
            memcpy(nb, run->buf + run->buf_pos, have);
        }
        run->buf = nb;
        run->buf_size = size;
    } else if (have > 0) {
        memmove(run->buf, run->buf + run->buf_pos, have);
    }
    run->buf_pos = 0;
    run->buf_len = have;
    while (run->buf_len < need) {
        size_t want = run->buf_size - run->buf_len;
        if (want > run->end - run->offset) {
            want = (size_t)(run->end - run->offset);
        }
        if (want == 0) {
            return error_set(err, SQLSTATE_IO_ERROR, "temporary file of a sort ended early");
        }
        ssize_t got = pread(s->fd, run->buf + run->buf_len, want, (off_t)run->offset);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return spill_io_error(errno, "read from", err);
        }
        if (got == 0) {
            return error_set(err, SQLSTATE_IO_ERROR, "temporary file of a sort ended early");
        }
        run->buf_len += (size_t)got;
        run->offset += (uint64_t)got;
    }
    return STRATA_OK;
}

/* Reads run r's next row into run->row; *ok false at the run's end. */
static int run_advance(SortSpill *s, SpillRun *run, bool *ok, Error *err)
{
    if (run->buf_pos == run->buf_len && run->offset >= run->end) {
        *ok = false;
        return STRATA_OK;
    }
    *ok = true;
    int rc = run_fill(s, run, 4, err);
    uint32_t len;
    if (rc == STRATA_OK) {
        memcpy(&len, run->buf + run->buf_pos, 4);
        run->buf_pos += 4;
        rc = run_fill(s, run, len, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    const uint8_t *p = run->buf + run->buf_pos;
    run->buf_pos += len;
    for (int c = 0; c < s->width; c++) {
        Value *v = &run->row[c];
        int32_t id, typmod;
        memset(v, 0, sizeof *v);
        v->is_null = p[0] != 0;
        memcpy(&id, p + 1, 4);
        memcpy(&typmod, p + 5, 4);
        v->type = (SqlType){.id = (TypeId)id, .typmod = typmod};
        p += 9;
        if (v->is_null) {
            continue;
        }
        switch (type_phys(v->type.id)) {
        case PHYS_BOOL:
            v->b = p[0] != 0;
            p += 1;
            break;
        case PHYS_I64:
            memcpy(&v->i64, p, 8);
            p += 8;
            break;
        case PHYS_F64:
            memcpy(&v->f64, p, 8);
            p += 8;
            break;
        case PHYS_DECIMAL:
            memcpy(&v->dec, p, sizeof(Decimal));
            p += sizeof(Decimal);
            if (v->dec.flags == DECIMAL_BIG) {
                v->dec.big.mag = p; /* borrowed from the run's buffer, as strings */
                p += v->dec.big.len;
            }
            break;
        case PHYS_STRING:
            memcpy(&v->str.len, p, 4);
            v->str.ptr = (const char *)p + 4;
            p += 4 + v->str.len;
            break;
        case PHYS_INTERVAL:
            memcpy(&v->iv, p, sizeof(Interval));
            p += sizeof(Interval);
            break;
        case PHYS_UUID:
            memcpy(&v->uuid, p, sizeof(Uuid));
            p += sizeof(Uuid);
            break;
        }
    }
    return STRATA_OK;
}

static bool heap_less(const SortSpill *s, int a, int b)
{
    const Value *ra = s->runs[a].row, *rb = s->runs[b].row;
    return s->compare(&ra, &rb, s->compare_arg) < 0;
}

static void heap_down(SortSpill *s, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_count && heap_less(s, s->heap[l], s->heap[m])) {
            m = l;
        }
        if (r < s->heap_count && heap_less(s, s->heap[r], s->heap[m])) {
            m = r;
        }
        if (m == i) {
            return;
        }
        int t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

/* A run read to the end gives its buffer to the next run to be read. */
static void run_release(SortSpill *s, SpillRun *run)
{
    if (run->buf != NULL && s->spare_count < MERGE_FANIN_MAX) {
        s->spares[s->spare_count++] = (SpareBuffer){run->buf, run->buf_size};
    }
    run->buf = NULL;
    run->buf_size = run->buf_len = run->buf_pos = 0;
}

/* Merges runs[lo, hi) (s->runs) into one run appended to the file: *out. */
static int merge_group(SortSpill *s, Value **rows, int lo, int hi, SpillRun *out, Error *err)
{
    int rc = STRATA_OK;
    s->heap_count = 0;
    for (int r = lo; r < hi && rc == STRATA_OK; r++) {
        bool ok;
        s->runs[r].row = rows[r - lo];
        if ((rc = run_advance(s, &s->runs[r], &ok, err)) == STRATA_OK && ok) {
            s->heap[s->heap_count++] = r;
        }
    }
    for (int i = s->heap_count / 2 - 1; i >= 0; i--) {
        heap_down(s, i);
    }
    uint64_t start = s->size + s->wlen;
    while (rc == STRATA_OK && s->heap_count > 0) {
        SpillRun *top = &s->runs[s->heap[0]];
        bool ok;
        if ((rc = spill_put_row(s, top->row, err)) != STRATA_OK ||
            (rc = run_advance(s, top, &ok, err)) != STRATA_OK) {
            break;
        }
        if (!ok) {
            run_release(s, top);
            s->heap[0] = s->heap[--s->heap_count];
        }
        if (s->heap_count > 0) {
            heap_down(s, 0);
        }
    }
    *out = (SpillRun){.offset = start, .end = s->size + s->wlen};
    return rc;
}

/* One intermediate pass: every MERGE_FANIN_MAX runs become one. */
static int merge_pass(SortSpill *s, Value **rows, Error *err)
{
    int count = (s->run_count + MERGE_FANIN_MAX - 1) / MERGE_FANIN_MAX;
    SpillRun *merged = arena_zalloc(s->mem, sizeof(SpillRun) * (size_t)count);
    if (merged == NULL) {
        return arena_error(s->mem, err);
    }
    uint64_t before = s->size + s->wlen;
    int rc = STRATA_OK;
    for (int g = 0; g < count && rc == STRATA_OK; g++) {
        int lo = g * MERGE_FANIN_MAX;
        int hi = lo + MERGE_FANIN_MAX < s->run_count ? lo + MERGE_FANIN_MAX : s->run_count;
        rc = merge_group(s, rows, lo, hi, &merged[g], err);
    }
    if (rc == STRATA_OK) {
        rc = spill_flush(s, err);
    }
    s->pass_bytes += s->size + s->wlen - before;
    s->runs = merged;
    s->run_count = s->run_capacity = count;
    return rc;
}

int sort_spill_merge_start(SortSpill *s, int (*compare)(const void *, const void *, void *),
                           void *compare_arg, Error *err)
{
    int rc = spill_flush(s, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    s->compare = compare;
    s->compare_arg = compare_arg;
    int fanin = s->run_count < MERGE_FANIN_MAX ? s->run_count : MERGE_FANIN_MAX;
    s->heap = arena_alloc(s->mem, sizeof(int) * (size_t)(fanin + 1));
    Value **rows = arena_alloc(s->mem, sizeof(Value *) * (size_t)(fanin + 1));
    if (s->heap == NULL || rows == NULL) {
        return arena_error(s->mem, err);
    }
    for (int r = 0; r < fanin; r++) {
        if ((rows[r] = arena_alloc(s->mem, sizeof(Value) * (size_t)s->width)) == NULL) {
            return arena_error(s->mem, err);
        }
    }
    while (s->run_count > MERGE_FANIN_MAX) {
        if ((rc = merge_pass(s, rows, err)) != STRATA_OK) {
            return rc;
        }
    }
    s->heap_count = 0;
    for (int r = 0; r < s->run_count; r++) {
        SpillRun *run = &s->runs[r];
        run->row = rows[r];
        bool ok;
        if ((rc = run_advance(s, run, &ok, err)) != STRATA_OK) {
            return rc;
        }
        if (ok) {
            s->heap[s->heap_count++] = r;
        }
    }
    for (int i = s->heap_count / 2 - 1; i >= 0; i--) {
        heap_down(s, i);
    }
    s->last = -1;
    return STRATA_OK;
}

int sort_spill_next(SortSpill *s, Value **row, Error *err)
{
    if (s->last >= 0) {
        /* The row returned last is consumed: move its run on. */
        bool ok;
        int rc = run_advance(s, &s->runs[s->last], &ok, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!ok) {
            s->heap[0] = s->heap[--s->heap_count];
        }
        if (s->heap_count > 0) {
            heap_down(s, 0);
        }
        s->last = -1;
    }
    if (s->heap_count == 0) {
        *row = NULL;
        if (s->fd >= 0) {
            close(s->fd);
            s->fd = -1;
        }
        return STRATA_OK;
    }
    s->last = s->heap[0];
    *row = s->runs[s->last].row;
    return STRATA_OK;
}

/* ---- partition files ----------------------------------------------------------------------- */

int spill_file_open(ExecState *es, int width, SortSpill **out, Error *err)
{
    /* The buffers of a partitioned join's or aggregate's files (64 KiB each,
     * two per partition) do not count against work_mem: they would pass it
     * at once under a small setting, and their number is bounded by the
     * fanout and the levels. */
    if (es->spill_arena == NULL &&
        (es->spill_arena = arena_create(NULL, 0, "spill files")) == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    /* Each file's buffers in an arena of their own, freed when it is closed. */
    Arena *mem = arena_create(es->spill_arena, 0, "spill file");
    if (mem == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    return spill_open_in(es, es->spill_arena, mem, width, out, err);
}

int spill_file_append(SortSpill *s, const Value *row, Error *err)
{
    s->row_count++;
    return spill_put_row(s, row, err);
}

int spill_file_rewind(SortSpill *s, Error *err)
{
    int rc = spill_flush(s, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (s->scan.row == NULL &&
        (s->scan.row = arena_alloc(s->mem, sizeof(Value) * (size_t)(s->width + 1))) == NULL) {
        return arena_error(s->mem, err);
    }
    s->scan.offset = 0;
    s->scan.end = s->size;
    s->scan.buf_len = 0;
    s->scan.buf_pos = 0;
    return STRATA_OK;
}

int spill_file_next(SortSpill *s, Value **row, Error *err)
{
    bool ok = false;
    int rc = s->fd >= 0 ? run_advance(s, &s->scan, &ok, err) : STRATA_OK;
    *row = rc == STRATA_OK && ok ? s->scan.row : NULL;
    return rc;
}

uint64_t spill_file_rows(const SortSpill *s)
{
    return s->row_count;
}

void spill_file_close(SortSpill *s)
{
    if (s != NULL && s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
        arena_destroy(s->mem);
        s->mem = NULL;
        s->wbuf = NULL;
        s->scan = (SpillRun){0};
    }
}
