/*
 * storage/column/column_group.c - row groups on pager pages: the table meta
 * record, writing a group's segments as one byte stream over a list of
 * pages, the checksummed group descriptor, delete vectors, and finding the
 * group that holds a row number.
 *
 * Invariants
 *   1. Row groups' row-number ranges are disjoint; a descriptor is keyed by
 *      its first row number, so B+tree order is row-number order.
 *   2. Every stream page starts with "CPAG" and its index in the stream; the
 *      descriptor ends with a checksum over its bytes; segments carry their
 *      own checksum (column_encode.c). Any mismatch is STRATA_CORRUPT naming
 *      the table and the row group (and the column for a segment).
 * Formats: README.md. Threads: the PagerTxn's thread; colgroup_write encodes
 * a large group's segments on that thread and one short-lived helper thread
 * (encode_segments), which touches no pager state and its own arena only.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "storage/btree/btree.h"
#include "storage/column/column_int.h"
#include "util/assert.h"
#include "util/checksum.h"

#define META_FORMAT 1u
#define META_BYTES 48
#define GROUP_MAGIC 0x31475243u /* "CRG1" */
#define PAGE_MAGIC 0x47415043u  /* "CPAG" */
#define GROUP_HEADER_BYTES 40
#define SEG_FIXED_BYTES 24

static const uint8_t meta_key[1] = {COLKEY_META};

int colmeta_load(PagerTxn *txn, const TableDesc *desc, ColumnMeta *out, Error *err)
{
    uint8_t value[META_BYTES];
    const uint8_t *bytes;
    size_t len;
    bool found;
    Arena *scratch = arena_create(NULL, 0, "column meta");
    if (scratch == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = btree_get(txn, (Pgno)desc->storage_root, meta_key, 1, scratch, &bytes, &len, &found, err);
    if (rc == STRATA_OK && (!found || len != META_BYTES)) {
        rc = error_corrupt(err, "column table \"%s\" is corrupted: bad meta record", desc->name);
    }
    if (rc == STRATA_OK) {
        memcpy(value, bytes, META_BYTES);
    }
    arena_destroy(scratch);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (col_get_u32(value) != META_FORMAT || col_get_u32(value + 4) == 0) {
        return error_corrupt(err, "column table \"%s\" is corrupted: unknown meta format", desc->name);
    }
    out->row_group_rows = col_get_u32(value + 4);
    out->next_rownum = col_get_u64(value + 8);
    out->live_rows = col_get_u64(value + 16);
    out->buffer_rows = col_get_u64(value + 24);
    out->group_count = col_get_u64(value + 32);
    out->segment_bytes = col_get_u64(value + 40);
    return STRATA_OK;
}

int colmeta_store(PagerTxn *txn, const TableDesc *desc, const ColumnMeta *meta, Error *err)
{
    uint8_t value[META_BYTES];
    col_put_u32(value, META_FORMAT);
    col_put_u32(value + 4, meta->row_group_rows);
    col_put_u64(value + 8, meta->next_rownum);
    col_put_u64(value + 16, meta->live_rows);
    col_put_u64(value + 24, meta->buffer_rows);
    col_put_u64(value + 32, meta->group_count);
    col_put_u64(value + 40, meta->segment_bytes);
    return btree_insert(txn, (Pgno)desc->storage_root, meta_key, 1, value, META_BYTES,
                        BTREE_INSERT_UPSERT, NULL, err);
}

/* ---- Writing a group ------------------------------------------------------------------ */

static PhysKind seg_kind(const TableDesc *desc, int seg)
{
    return seg == desc->column_count ? PHYS_I64 : type_phys(desc->column_types[seg].id);
}

/* Writes stream[0..len) to fresh pages; fills pages[]. */
static int stream_write(PagerTxn *txn, const uint8_t *stream, uint64_t len, Pgno *pages,
                        uint32_t page_count, Error *err)
{
    for (uint32_t index = 0; index < page_count; index++) {
        Page *page;
        uint8_t *data;
        int rc = pager_alloc(txn, &page, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        rc = pager_write(txn, page, &data, err);
        if (rc != STRATA_OK) {
            pager_unpin(page);
            return rc;
        }
        col_put_u32(data, PAGE_MAGIC);
        col_put_u32(data + 4, index);
        uint64_t start = (uint64_t)index * COLPAGE_PAYLOAD;
        uint64_t chunk = len - start < COLPAGE_PAYLOAD ? len - start : COLPAGE_PAYLOAD;
        memcpy(data + COLPAGE_HEADER_BYTES, stream + start, chunk);
        pages[index] = page_pgno(page);
        pager_unpin(page);
    }
    return STRATA_OK;
}

static size_t descriptor_size(const TableDesc *desc, const EncodedSegment *segs, uint32_t pages)
{
    size_t size = GROUP_HEADER_BYTES + 4 * (size_t)pages + 8;
    for (int seg = 0; seg <= desc->column_count; seg++) {
        PhysKind kind = seg_kind(desc, seg);
        size += SEG_FIXED_BYTES + colzone_value_size(kind, &segs[seg].zone.min) +
                colzone_value_size(kind, &segs[seg].zone.max);
    }
    return size;
}

static void descriptor_fill(const TableDesc *desc, const EncodedSegment *segs, const int64_t *rownums,
                            uint32_t count, const Pgno *pages, uint32_t page_count,
                            uint64_t stream_len, uint8_t *out, size_t size)
{
    col_put_u32(out, GROUP_MAGIC);
    col_put_u32(out + 4, count);
    col_put_u32(out + 8, (uint32_t)desc->column_count);
    col_put_u32(out + 12, page_count);
    col_put_u64(out + 16, (uint64_t)rownums[0]);
    col_put_u64(out + 24, (uint64_t)rownums[count - 1]);
    col_put_u64(out + 32, stream_len);
    size_t pos = GROUP_HEADER_BYTES;
    uint64_t offset = 0;
    for (int seg = 0; seg <= desc->column_count; seg++) {
        const EncodedSegment *enc = &segs[seg];
        PhysKind kind = seg_kind(desc, seg);
        col_put_u64(out + pos, offset);
        col_put_u32(out + pos + 8, (uint32_t)enc->len);
        out[pos + 12] = (uint8_t)enc->encoding;
        out[pos + 13] = (uint8_t)enc->compression;
        out[pos + 14] = (uint8_t)((enc->zone.has_min ? 1 : 0) | (enc->zone.has_max ? 2 : 0));
        out[pos + 15] = (uint8_t)kind;
        col_put_u32(out + pos + 16, enc->zone.null_count);
        col_put_u32(out + pos + 20, enc->zone.distinct);
        pos += SEG_FIXED_BYTES;
        pos += colzone_value_write(kind, &enc->zone.min, out + pos);
        pos += colzone_value_write(kind, &enc->zone.max, out + pos);
        offset += enc->len;
    }
    for (uint32_t index = 0; index < page_count; index++) {
        col_put_u32(out + pos, pages[index]);
        pos += 4;
    }
    col_put_u64(out + pos, checksum64(out, pos, 0));
    ST_ASSERT(pos + 8 == size);
}

/* ---- Encoding a group's segments on both cores ------------------------------------- */

/* A group of at least this many rows is encoded by two threads: the encoders
 * were about 40% of a column COPY's CPU (star benchmark, 2M facts), and
 * segments are independent. Smaller groups are not worth a thread. */
enum { ENCODE_PARALLEL_MIN_ROWS = 8192 };

typedef struct EncodeJob {
    const TableDesc *desc;
    const ColumnData *cols;    /* desc->column_count columns, then rowcol */
    const ColumnData *rowcol;
    EncodedSegment *segs;
    Error *errors;             /* per segment */
    int *codes;                /* per segment */
    int seg_count;
    atomic_int next;           /* the next segment to encode */
} EncodeJob;

typedef struct EncodeWorker {
    EncodeJob *job;
    Arena *arena;              /* the helper's own root arena */
} EncodeWorker;

/* Encodes segments until none is left (each thread takes the next one). */
static void encode_some(EncodeJob *job, Arena *arena)
{
    for (;;) {
        int seg = atomic_fetch_add(&job->next, 1);
        if (seg >= job->seg_count) {
            return;
        }
        const ColumnData *col = seg < job->desc->column_count ? &job->cols[seg] : job->rowcol;
        job->codes[seg] = colseg_encode(arena, col, -1, &job->segs[seg], &job->errors[seg]);
    }
}

static void *encode_worker_main(void *arg)
{
    EncodeWorker *worker = arg;
    encode_some(worker->job, worker->arena);
    return NULL;
}

/* ---- Differences to a correlated column ---------------------------------------------- */

/* A segment smaller than this is not worth a trial. */
enum { REF_MIN_SEGMENT_BYTES = 4096, REF_SAMPLE_ROWS = 4096 };

/* Rough bytes per value of v - base (base NULL: v itself) from a sample: the
 * fewest of frame of reference, delta and run-length coding. */
static double sample_cost(const int64_t *v, const int64_t *base, uint32_t count)
{
    uint32_t n = count < REF_SAMPLE_ROWS ? count : REF_SAMPLE_ROWS;
    uint64_t min = UINT64_MAX, max = 0, dmin = UINT64_MAX, dmax = 0, prev = 0;
    uint32_t runs = 0;
    for (uint32_t row = 0; row < n; row++) {
        uint64_t x = (uint64_t)v[row] - (base != NULL ? (uint64_t)base[row] : 0);
        uint64_t biased = x ^ (UINT64_C(1) << 63); /* signed order */
        min = biased < min ? biased : min;
        max = biased > max ? biased : max;
        if (row > 0) {
            uint64_t d = (x - prev) ^ (UINT64_C(1) << 63);
            dmin = d < dmin ? d : dmin;
            dmax = d > dmax ? d : dmax;
        }
        runs += row == 0 || x != prev;
        prev = x;
    }
    double for_bits = (double)bits_for(max - min);
    double delta_bits = n > 1 ? (double)bits_for(dmax - dmin) : for_bits;
    double rle = (double)runs * 10.0 / (double)n;
    double best = (for_bits < delta_bits ? for_bits : delta_bits) / 8.0;
    return rle < best ? rle : best;
}

/* Re-encodes int64 columns without NULLs as differences to another such
 * column of the group when that is much smaller (a sample says so, then a
 * trial encoding confirms): star facts' session_id, a user key plus a
 * half-hour number, becomes nearly free next to user_key. Largest segments
 * first; a column used as a reference is not re-encoded, nor refers to one
 * that is. */
static int reference_pass(const TableDesc *desc, Arena *arena, const ColumnData *cols,
                          EncodedSegment *segs, Error *err)
{
    int count = desc->column_count;
    bool *is_ref = arena_zalloc(arena, (size_t)count + 1);
    bool *is_base = arena_zalloc(arena, (size_t)count + 1);
    if (is_ref == NULL || is_base == NULL) {
        return arena_error(arena, err);
    }
    for (;;) {
        int col = -1;
        for (int candidate = 0; candidate < count; candidate++) {
            const ColumnData *data = &cols[candidate];
            if (data->kind == PHYS_I64 && data->nulls == NULL && data->count > 0 &&
                !is_ref[candidate] && !is_base[candidate] &&
                segs[candidate].encoding != COLENC_CONSTANT &&
                segs[candidate].len >= REF_MIN_SEGMENT_BYTES &&
                (col < 0 || segs[candidate].len > segs[col].len)) {
                col = candidate;
            }
        }
        if (col < 0) {
            return STRATA_OK;
        }
        is_ref[col] = true; /* tried: not again, whatever the outcome */
        double own = sample_cost(cols[col].values, NULL, cols[col].count);
        int best = -1;
        double best_cost = own / 2;
        for (int base = 0; base < count; base++) {
            const ColumnData *data = &cols[base];
            if (base == col || data->kind != PHYS_I64 || data->nulls != NULL ||
                segs[base].encoding == COLENC_REF_DIFF) {
                continue;
            }
            double cost = sample_cost(cols[col].values, data->values, cols[col].count);
            if (cost < best_cost) {
                best = base;
                best_cost = cost;
            }
        }
        if (best < 0) {
            continue;
        }
        EncodedSegment trial;
        int rc = colseg_encode_ref(arena, &cols[col], &cols[best], best, &segs[col].zone, &trial,
                                   err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (trial.len < segs[col].len) {
            segs[col] = trial;
            is_base[best] = true;
        }
    }
}

/* Encodes every segment into segs. Segments the helper encoded live in
 * *helper_arena (destroy it once they are copied; NULL when no helper ran). */
static int encode_segments(const TableDesc *desc, Arena *arena, const ColumnData *cols,
                           const ColumnData *rowcol, EncodedSegment *segs, Arena **helper_arena,
                           Error *err)
{
    int seg_count = desc->column_count + 1;
    EncodeJob job = {.desc = desc, .cols = cols, .rowcol = rowcol, .segs = segs,
                     .seg_count = seg_count};
    atomic_init(&job.next, 0);
    job.errors = arena_zalloc(arena, sizeof *job.errors * (size_t)seg_count);
    job.codes = arena_zalloc(arena, sizeof *job.codes * (size_t)seg_count);
    if (job.errors == NULL || job.codes == NULL) {
        return arena_error(arena, err);
    }
    EncodeWorker worker = {&job, NULL};
    pthread_t thread;
    bool started = false;
    if (rowcol->count >= ENCODE_PARALLEL_MIN_ROWS && seg_count > 1) {
        worker.arena = arena_create(NULL, 0, "column encode helper");
        started = worker.arena != NULL &&
                  pthread_create(&thread, NULL, encode_worker_main, &worker) == 0;
        if (!started) {
            arena_destroy(worker.arena); /* then this thread encodes everything */
            worker.arena = NULL;
        }
    }
    encode_some(&job, arena);
    if (started) {
        pthread_join(thread, NULL);
    }
    *helper_arena = worker.arena;
    for (int seg = 0; seg < seg_count; seg++) {
        if (job.codes[seg] != STRATA_OK) {
            error_copy(err, &job.errors[seg]);
            return job.codes[seg];
        }
    }
    return reference_pass(desc, arena, cols, segs, err);
}

int colgroup_write(PagerTxn *txn, const TableDesc *desc, Arena *arena, const ColumnData *cols,
                   const int64_t *rownums, uint32_t count, uint64_t *stream_bytes_out, Error *err)
{
    ST_ASSERT(count > 0);
    int seg_count = desc->column_count + 1;
    EncodedSegment *segs = arena_zalloc(arena, sizeof *segs * (size_t)seg_count);
    if (segs == NULL) {
        return arena_error(arena, err);
    }
    ColumnData rowcol = {PHYS_I64, count, NULL, (void *)rownums};
    Arena *helper_arena = NULL;
    int rc = encode_segments(desc, arena, cols, &rowcol, segs, &helper_arena, err);
    uint64_t stream_len = 0;
    for (int seg = 0; rc == STRATA_OK && seg < seg_count; seg++) {
        stream_len += segs[seg].len;
    }
    uint8_t *stream = rc == STRATA_OK ? arena_alloc(arena, stream_len) : NULL;
    uint32_t page_count = (uint32_t)((stream_len + COLPAGE_PAYLOAD - 1) / COLPAGE_PAYLOAD);
    Pgno *pages = rc == STRATA_OK ? arena_alloc(arena, sizeof *pages * page_count) : NULL;
    if (rc == STRATA_OK && (stream == NULL || pages == NULL)) {
        rc = arena_error(arena, err);
    }
    uint64_t offset = 0;
    for (int seg = 0; rc == STRATA_OK && seg < seg_count; seg++) {
        memcpy(stream + offset, segs[seg].bytes, segs[seg].len);
        offset += segs[seg].len;
    }
    /* The zone maps' strings point into the segments: keep the helper's arena
     * until the descriptor is built. */
    if (rc == STRATA_OK) {
        rc = stream_write(txn, stream, stream_len, pages, page_count, err);
    }
    size_t size = rc == STRATA_OK ? descriptor_size(desc, segs, page_count) : 0;
    uint8_t *bytes = rc == STRATA_OK ? arena_alloc(arena, size) : NULL;
    if (rc == STRATA_OK && bytes == NULL) {
        rc = arena_error(arena, err);
    }
    if (rc == STRATA_OK) {
        descriptor_fill(desc, segs, rownums, count, pages, page_count, stream_len, bytes, size);
    }
    arena_destroy(helper_arena);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_GROUP, (uint64_t)rownums[0]);
    *stream_bytes_out = (uint64_t)page_count * PAGE_SIZE;
    return btree_insert(txn, (Pgno)desc->storage_root, key, sizeof key, bytes, size,
                        BTREE_INSERT_NEW, NULL, err);
}

/* ---- Reading ------------------------------------------------------------------------- */

#define BAD_GROUP(why)                                                                          \
    error_corrupt(err, "row group at row %llu of column table \"%s\" is corrupted: %s",         \
                  (unsigned long long)out->first_rownum, desc->name, why)

/* Bytes of a stored zone value (README.md "Row-group format"), 0 when it does not
 * fit in avail: colzone_value_read's checks without decoding the value. */
static size_t zone_value_skip(PhysKind kind, const uint8_t *in, size_t avail)
{
    if (kind == PHYS_STRING) {
        uint32_t len = avail < 2 ? UINT32_MAX : (uint32_t)in[0] | ((uint32_t)in[1] << 8);
        return len <= COLZONE_STRING_MAX && len <= avail - 2 ? 2 + len : 0;
    }
    return avail >= phys_serialized_size(kind) ? phys_serialized_size(kind) : 0;
}

/* with_zones false (a fetch by row id): the zone maps are stepped over, not decoded
 * (out->zones is NULL then); their NULL counts are still checked. */
static int parse_segments(const TableDesc *desc, const uint8_t *bytes, size_t len, size_t *pos_io,
                          bool with_zones, GroupDesc *out, Error *err)
{
    size_t pos = *pos_io;
    for (int seg = 0; seg <= desc->column_count; seg++) {
        SegmentRef *ref = &out->segs[seg];
        PhysKind kind = seg_kind(desc, seg);
        if (len - pos < SEG_FIXED_BYTES || bytes[pos + 15] != kind) {
            return BAD_GROUP("bad segment entry");
        }
        ref->offset = col_get_u64(bytes + pos);
        ref->length = col_get_u32(bytes + pos + 8);
        ref->encoding = bytes[pos + 12];
        ref->compression = bytes[pos + 13];
        uint32_t null_count = col_get_u32(bytes + pos + 16);
        ZoneMap *zone = with_zones ? &out->zones[seg] : NULL;
        if (zone != NULL) {
            zone->has_min = (bytes[pos + 14] & 1) != 0;
            zone->has_max = (bytes[pos + 14] & 2) != 0;
            zone->null_count = null_count;
            zone->distinct = col_get_u32(bytes + pos + 20);
        }
        pos += SEG_FIXED_BYTES;
        size_t used = zone != NULL ? colzone_value_read(kind, bytes + pos, len - pos, &zone->min)
                                   : zone_value_skip(kind, bytes + pos, len - pos);
        if (used == 0) {
            return BAD_GROUP("bad zone map");
        }
        pos += used;
        used = zone != NULL ? colzone_value_read(kind, bytes + pos, len - pos, &zone->max)
                            : zone_value_skip(kind, bytes + pos, len - pos);
        if (used == 0) {
            return BAD_GROUP("bad zone map");
        }
        pos += used;
        if (ref->offset > out->stream_bytes || ref->length > out->stream_bytes - ref->offset ||
            null_count > out->row_count) {
            return BAD_GROUP("segment outside its stream");
        }
    }
    *pos_io = pos;
    return STRATA_OK;
}

/* full false (a fetch by row id, colgroup_find): neither the checksum nor the zone
 * maps, as the point reads of segments rely on the pager's page checksums for the
 * bytes they read (column_point.c invariant 2); every bound is still checked. */
static int parse_descriptor(const TableDesc *desc, Arena *arena, const uint8_t *bytes, size_t len,
                            bool full, GroupDesc *out, Error *err)
{
    memset(out, 0, sizeof *out);
    if (len < GROUP_HEADER_BYTES + 8 || col_get_u32(bytes) != GROUP_MAGIC) {
        return error_corrupt(err, "row group descriptor of column table \"%s\" is corrupted",
                             desc->name);
    }
    out->row_count = col_get_u32(bytes + 4);
    out->column_count = col_get_u32(bytes + 8);
    out->page_count = col_get_u32(bytes + 12);
    out->first_rownum = col_get_u64(bytes + 16);
    out->last_rownum = col_get_u64(bytes + 24);
    out->stream_bytes = col_get_u64(bytes + 32);
    if (full && checksum64(bytes, len - 8, 0) != col_get_u64(bytes + len - 8)) {
        return BAD_GROUP("descriptor checksum mismatch");
    }
    if (out->column_count != (uint32_t)desc->column_count || out->row_count == 0 ||
        out->last_rownum < out->first_rownum ||
        out->last_rownum - out->first_rownum < (uint64_t)out->row_count - 1 ||
        out->stream_bytes > (uint64_t)out->page_count * COLPAGE_PAYLOAD) {
        return BAD_GROUP("bad descriptor header");
    }
    out->segs = arena_zalloc(arena, sizeof *out->segs * (out->column_count + 1));
    out->zones = full ? arena_zalloc(arena, sizeof *out->zones * (out->column_count + 1)) : NULL;
    out->pages = arena_alloc(arena, sizeof *out->pages * (out->page_count + 1));
    if (out->segs == NULL || (full && out->zones == NULL) || out->pages == NULL) {
        return arena_error(arena, err);
    }
    size_t pos = GROUP_HEADER_BYTES;
    int rc = parse_segments(desc, bytes, len - 8, &pos, full, out, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if ((len - 8 - pos) != 4 * (size_t)out->page_count) {
        return BAD_GROUP("bad page list");
    }
    for (uint32_t index = 0; index < out->page_count; index++) {
        out->pages[index] = col_get_u32(bytes + pos + 4 * (size_t)index);
    }
    return STRATA_OK;
}

int colgroup_parse(const TableDesc *desc, Arena *arena, const uint8_t *bytes, size_t len,
                   GroupDesc *out, Error *err)
{
    return parse_descriptor(desc, arena, bytes, len, true, out, err);
}

/* Copies stream bytes [offset, offset + len) from the group's pages. */
void colgroup_memo_release(StreamMemo *memo)
{
    for (int entry = 0; entry < memo->count; entry++) {
        pager_unpin(memo->page[entry]);
    }
    memo->count = memo->next = 0;
}

/* The memo's page of index, or NULL. */
static Page *memo_find(const StreamMemo *memo, uint32_t index)
{
    for (int entry = 0; entry < memo->count; entry++) {
        if (memo->index[entry] == index) {
            return memo->page[entry];
        }
    }
    return NULL;
}

/* Keeps a pinned page (its header checked) in the memo, unpinning the one it replaces. */
static void memo_keep(StreamMemo *memo, uint32_t index, Page *page)
{
    int entry;
    if (memo->count < STREAM_MEMO_PAGES) {
        entry = memo->count++;
    } else {
        entry = memo->next;
        pager_unpin(memo->page[entry]);
        memo->next = (memo->next + 1) % STREAM_MEMO_PAGES;
    }
    memo->index[entry] = index;
    memo->page[entry] = page;
}

static int stream_read(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group,
                       uint64_t offset, uint32_t len, uint8_t *out_bytes, Error *err)
{
    const GroupDesc *out = group; /* for BAD_GROUP */
    uint64_t done = 0;
    while (done < len) {
        uint64_t at = offset + done;
        uint32_t index = (uint32_t)(at / COLPAGE_PAYLOAD);
        uint64_t within = at % COLPAGE_PAYLOAD;
        uint64_t chunk = COLPAGE_PAYLOAD - within < len - done ? COLPAGE_PAYLOAD - within : len - done;
        if (index >= group->page_count) {
            return BAD_GROUP("stream shorter than its segments");
        }
        Page *page = group->memo != NULL ? memo_find(group->memo, index) : NULL;
        bool kept = page != NULL;
        if (page == NULL) {
            int rc = pager_get(txn, group->pages[index], &page, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            const uint8_t *data = page_data(page);
            if (col_get_u32(data) != PAGE_MAGIC || col_get_u32(data + 4) != index) {
                pager_unpin(page);
                return BAD_GROUP("bad stream page header");
            }
        }
        memcpy(out_bytes + done, page_data(page) + COLPAGE_HEADER_BYTES + within, chunk);
        if (!kept && group->memo != NULL) {
            memo_keep(group->memo, index, page);
        } else if (!kept) {
            pager_unpin(page);
        }
        done += chunk;
    }
    return STRATA_OK;
}

int colgroup_stream_read(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group,
                         uint64_t offset, uint32_t len, uint8_t *out_bytes, Error *err)
{
    if (offset > group->stream_bytes || len > group->stream_bytes - offset) {
        return error_corrupt(err,
                             "row group at row %llu of column table \"%s\" is corrupted: "
                             "read past its stream",
                             (unsigned long long)group->first_rownum, desc->name);
    }
    return stream_read(txn, desc, group, offset, len, out_bytes, err);
}

static int read_segment(PagerTxn *txn, const TableDesc *desc, Arena *arena,
                        const GroupDesc *group, int seg, ColumnData *out, uint64_t *bytes_read,
                        bool allow_ref, Error *err);

/* Adds the reference column's values to the differences of a ref_diff segment. */
static int add_reference(PagerTxn *txn, const TableDesc *desc, Arena *arena,
                         const GroupDesc *group, int seg, int ref, ColumnData *out,
                         uint64_t *bytes_read, Error *err)
{
    if (ref < 0 || ref >= desc->column_count || ref == seg || seg >= desc->column_count ||
        seg_kind(desc, ref) != PHYS_I64) {
        return error_corrupt(err,
                             "row group at row %llu of column table \"%s\" is corrupted: "
                             "column %d refers to column %d",
                             (unsigned long long)group->first_rownum, desc->name, seg, ref);
    }
    ColumnData base;
    int rc = read_segment(txn, desc, arena, group, ref, &base, bytes_read, false, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (base.nulls != NULL) {
        return error_corrupt(err,
                             "row group at row %llu of column table \"%s\" is corrupted: "
                             "column %d refers to a column with NULLs",
                             (unsigned long long)group->first_rownum, desc->name, seg);
    }
    int64_t *values = out->values;
    const int64_t *add = base.values;
    for (uint32_t row = 0; row < out->count; row++) {
        values[row] = (int64_t)((uint64_t)values[row] + (uint64_t)add[row]);
    }
    return STRATA_OK;
}

int colgroup_read_segment(PagerTxn *txn, const TableDesc *desc, Arena *arena,
                          const GroupDesc *group, int seg, ColumnData *out, uint64_t *bytes_read,
                          Error *err)
{
    return read_segment(txn, desc, arena, group, seg, out, bytes_read, true, err);
}

/* allow_ref false: the segment is itself a reference, which may not refer on. */
static int read_segment(PagerTxn *txn, const TableDesc *desc, Arena *arena,
                        const GroupDesc *group, int seg, ColumnData *out, uint64_t *bytes_read,
                        bool allow_ref, Error *err)
{
    const SegmentRef *ref = &group->segs[seg];
    uint8_t *bytes = arena_alloc(arena, (size_t)ref->length + 1);
    if (bytes == NULL) {
        return arena_error(arena, err);
    }
    int rc = stream_read(txn, desc, group, ref->offset, ref->length, bytes, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (bytes_read != NULL) {
        *bytes_read += ref->length;
    }
    const char *column = seg < desc->column_count && desc->column_names != NULL
                             ? desc->column_names[seg] : "(row numbers)";
    const char *what = arena_sprintf(arena, "segment of column \"%s\" in row group at row %llu "
                                     "of column table \"%s\"", column,
                                     (unsigned long long)group->first_rownum, desc->name);
    if (what == NULL) {
        return arena_error(arena, err);
    }
    int ref_column = -1;
    rc = colseg_decode_ref(arena, bytes, ref->length, seg_kind(desc, seg), group->row_count, what,
                           out, allow_ref ? &ref_column : NULL, err);
    if (rc == STRATA_OK && ref_column >= 0) {
        rc = add_reference(txn, desc, arena, group, seg, ref_column, out, bytes_read, err);
    }
    return rc;
}

int colgroup_rownums(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                     const int64_t **out, Error *err)
{
    if (group->last_rownum - group->first_rownum == (uint64_t)group->row_count - 1) {
        int64_t *nums = arena_alloc(arena, sizeof *nums * group->row_count);
        if (nums == NULL) {
            return arena_error(arena, err);
        }
        for (uint32_t row = 0; row < group->row_count; row++) {
            nums[row] = (int64_t)(group->first_rownum + row);
        }
        *out = nums;
        return STRATA_OK;
    }
    ColumnData col;
    int rc = colgroup_read_segment(txn, desc, arena, group, desc->column_count, &col, NULL, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const int64_t *nums = col.values;
    for (uint32_t row = 0; row < group->row_count; row++) {
        if (col.nulls != NULL || (row > 0 && nums[row] <= nums[row - 1]) ||
            (uint64_t)nums[0] != group->first_rownum ||
            (uint64_t)nums[group->row_count - 1] != group->last_rownum) {
            return error_corrupt(err, "row group at row %llu of column table \"%s\" is corrupted: "
                                 "row numbers out of order",
                                 (unsigned long long)group->first_rownum, desc->name);
        }
    }
    *out = nums;
    return STRATA_OK;
}

int64_t colgroup_offset_of(const GroupDesc *group, const int64_t *rownums, uint64_t rownum)
{
    if (rownum < group->first_rownum || rownum > group->last_rownum) {
        return -1;
    }
    if (rownums == NULL) {
        ST_ASSERT(group->last_rownum - group->first_rownum == (uint64_t)group->row_count - 1);
        return (int64_t)(rownum - group->first_rownum);
    }
    int64_t low = 0, high = (int64_t)group->row_count - 1;
    while (low <= high) {
        int64_t mid = low + (high - low) / 2;
        if ((uint64_t)rownums[mid] == rownum) {
            return mid;
        }
        if ((uint64_t)rownums[mid] < rownum) {
            low = mid + 1;
        } else {
            high = mid - 1;
        }
    }
    return -1;
}

int colgroup_remove(PagerTxn *txn, const TableDesc *desc, const GroupDesc *group, Error *err)
{
    for (uint32_t index = 0; index < group->page_count; index++) {
        int rc = pager_free(txn, group->pages[index], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_GROUP, group->first_rownum);
    int rc = btree_delete(txn, (Pgno)desc->storage_root, key, sizeof key, NULL, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    colkey_num(key, COLKEY_DELETES, group->first_rownum);
    return btree_delete(txn, (Pgno)desc->storage_root, key, sizeof key, NULL, err);
}

int colgroup_find(PagerTxn *txn, const TableDesc *desc, Arena *arena, uint64_t rownum,
                  GroupDesc *out, bool *found, Error *err)
{
    *found = false;
    BTreeCursor *cursor;
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_GROUP, rownum);
    int rc = btree_cursor_open(txn, (Pgno)desc->storage_root, arena, &cursor, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    rc = btree_cursor_seek(cursor, key, sizeof key, BTREE_SEEK_LE, err);
    size_t key_len = 0;
    const uint8_t *at = rc == STRATA_OK && btree_cursor_valid(cursor)
                            ? btree_cursor_key(cursor, &key_len)
                            : NULL;
    const uint8_t *value = NULL;
    size_t len = 0;
    uint64_t group_key = 0;
    if (at != NULL && key_len == COLKEY_NUM_BYTES && at[0] == COLKEY_GROUP) {
        group_key = col_get_be64(at + 1);
        rc = btree_cursor_value(cursor, arena, &value, &len, err); /* a copy: the leaf can go */
    }
    btree_cursor_close(cursor);
    if (rc != STRATA_OK || value == NULL) {
        return rc;
    }
    rc = parse_descriptor(desc, arena, value, len, false, out, err);
    if (rc == STRATA_OK && out->first_rownum != group_key) {
        rc = error_corrupt(err, "row group at row %llu of column table \"%s\" is corrupted: "
                           "descriptor under the wrong key",
                           (unsigned long long)out->first_rownum, desc->name);
    }
    *found = rc == STRATA_OK && rownum >= out->first_rownum && rownum <= out->last_rownum;
    return rc;
}

int colgroup_copy(Arena *arena, const GroupDesc *group, GroupDesc *out)
{
    *out = *group;
    out->zones = NULL; /* a point read uses none */
    out->segs = arena_memdup(arena, group->segs, sizeof *out->segs * (group->column_count + 1));
    out->pages = arena_memdup(arena, group->pages, sizeof *out->pages * (group->page_count + 1));
    return out->segs == NULL || out->pages == NULL ? STRATA_NOMEM : STRATA_OK;
}

/* ---- Delete vectors ---------------------------------------------------------------------- */

int coldel_load(PagerTxn *txn, const TableDesc *desc, Arena *arena, const GroupDesc *group,
                DeleteVector *out, Error *err)
{
    out->first_rownum = group->first_rownum;
    out->row_count = group->row_count;
    out->deleted = 0;
    out->bits = NULL; /* none deleted: no 8 KB bitmap to zero per group visited */
    size_t bitmap_bytes = (group->row_count + 7) / 8;
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_DELETES, group->first_rownum);
    const uint8_t *value;
    size_t len;
    bool found;
    int rc = btree_get(txn, (Pgno)desc->storage_root, key, sizeof key, arena, &value, &len, &found, err);
    if (rc != STRATA_OK || !found) {
        return rc;
    }
    out->bits = arena_alloc(arena, bitmap_bytes + 1);
    if (out->bits == NULL) {
        return arena_error(arena, err);
    }
    if (len != 4 + bitmap_bytes) {
        return error_corrupt(err, "delete vector of row group at row %llu of column table \"%s\" "
                             "is corrupted", (unsigned long long)group->first_rownum, desc->name);
    }
    memcpy(out->bits, value + 4, bitmap_bytes);
    uint32_t counted = 0;
    for (size_t byte = 0; byte < bitmap_bytes; byte++) {
        counted += (uint32_t)__builtin_popcount(out->bits[byte]);
    }
    out->deleted = col_get_u32(value);
    if (counted != out->deleted || out->deleted > out->row_count) {
        return error_corrupt(err, "delete vector of row group at row %llu of column table \"%s\" "
                             "is corrupted", (unsigned long long)group->first_rownum, desc->name);
    }
    return STRATA_OK;
}

int coldel_store(PagerTxn *txn, const TableDesc *desc, Arena *arena, const DeleteVector *dv,
                 Error *err)
{
    size_t bitmap_bytes = (dv->row_count + 7) / 8;
    uint8_t *value = arena_alloc(arena, 4 + bitmap_bytes);
    if (value == NULL) {
        return arena_error(arena, err);
    }
    col_put_u32(value, dv->deleted);
    if (dv->bits != NULL) {
        memcpy(value + 4, dv->bits, bitmap_bytes);
    } else {
        memset(value + 4, 0, bitmap_bytes);
    }
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_DELETES, dv->first_rownum);
    return btree_insert(txn, (Pgno)desc->storage_root, key, sizeof key, value, 4 + bitmap_bytes,
                        BTREE_INSERT_UPSERT, NULL, err);
}
