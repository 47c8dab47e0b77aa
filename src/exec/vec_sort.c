/*
 * exec/vec_sort.c - ORDER BY (and top-N under a LIMIT) over a batch input.
 *
 * When a PLAN_SORT's input is a table scan, or a projection over one, that
 * runs batch-wise (vec_input_applies), or a row input (below), sort_next
 * hands over to vec_sort_next:
 * each input batch's selected rows are copied column by column from the
 * input's vectors into column chunks (Batches of BATCH_CAPACITY rows in the
 * sort's own arena), and an array of 16-byte references (the abbreviated
 * first key, the chunk and row) is sorted. Rows come out of the chunks in
 * that order. Compared with the row sort, no row of Values is built or
 * deep-copied per input row and the sort keys (always input columns, see
 * bind_select.c's make_sort) are read from the chunks.
 *
 * A sort over a join or an aggregate (or a projection or filter over one)
 * takes its input's rows as they come (vsort_fill_rows): each row's first key
 * is abbreviated, a top-N drops it when it is no better than the N-th row,
 * and the others are stored column by column into the same chunks, one copy
 * (the row sort deep-copies each row and evaluates its keys again).
 *
 * Top-N (n->topn set by a LIMIT above): a row whose abbreviated key is
 * greater than the current N-th row's is dropped before anything is copied
 * (an equal prefix compares the whole keys); past N + BATCH_CAPACITY kept
 * rows the references are sorted and the best N copied into fresh chunks.
 *
 * A full sort (not top-N, not inside a subquery expression) whose chunks
 * pass work_mem sorts them and writes them as one sorted run in the row
 * sort's format (columns, keys, sequence number) through sort_spill.c; the
 * runs are merged with sort_compare at the end, as the row sort does.
 *
 * Invariants
 *   1. The output is the row sort's, row for row: the same comparison
 *      (value_compare per key, NULL placement, direction), ties in input
 *      order (a reference's chunk and row grow with input order, and a
 *      top-N compaction copies the kept rows in sorted order, which keeps
 *      the input order of equal keys; later rows get larger references).
 *   2. Errors are the input's (vec_input_next): a sort of columns raises none.
 *
 * See src/exec/README.md ("Sorts on batches").
 */
#include <stdlib.h>
#include <string.h>

#include "exec/vec_expr.h"
#include "types/compare.h"

#define CHUNK_SHIFT 11
_Static_assert((1 << CHUNK_SHIFT) == BATCH_CAPACITY, "a chunk holds one batch");

typedef struct SortRef {
    uint64_t abbrev;
    uint32_t ref; /* chunk << CHUNK_SHIFT | row */
} SortRef;

typedef struct VecSort {
    ExecNode *n;
    VecProject *in;     /* a batch input, or */
    ExecNode *producer; /* a row input (a join, an aggregate): rows copied as they come */
    int width;
    const SortKey *keys;
    int key_count;
    int *key_columns; /* input column of each key */
    const SqlType *types;
    AbbrevKind abbrev;
    bool prefix_exact; /* prefix_is_exact(abbrev) */
    bool *key_is_int;  /* per key: compared as int64 (stored_key_compare) */
    Arena *arena; /* the chunks and references of the rows kept */
    Batch **chunks;
    size_t chunk_count;
    size_t chunk_capacity;
    SortRef *refs;
    size_t ref_count;
    size_t ref_capacity;
    size_t emit_pos;
    bool has_threshold; /* top-N: refs[topn - 1] after the last compaction */
    SortRef threshold;
    uint64_t *row_abbrev; /* per input batch row */
    uint16_t *keep;
    const Vector **chunk_columns; /* topn_compact: a chunk's vectors as an input */
    /* external merge */
    bool may_spill;
    SortSpill *spill;
    uint64_t seq_base; /* rows written to earlier runs */
    SortCtx sc;
    Value *threshold_keys; /* top-N: the threshold row's keys (read once per compaction) */
} VecSort;

/* An input that produces rows (a join, an aggregate, a projection or filter over
 * one): its rows are copied into the chunks as they come (vsort_fill_rows). */
static bool rows_input_applies(const PlanNode *p)
{
    while (p->kind == PLAN_PROJECT || p->kind == PLAN_FILTER) {
        if (p->left == NULL) {
            return false;
        }
        p = p->left;
    }
    return p->kind == PLAN_JOIN || p->kind == PLAN_AGG;
}

bool vec_sort_input_applies(const ExecState *es, const PlanNode *input)
{
    return es->env->vectorize && (vec_input_applies(es, input) || rows_input_applies(input));
}

bool vec_sort_applies(const ExecState *es, const PlanNode *p)
{
    if (p->kind != PLAN_SORT || p->left == NULL || p->sort_key_count <= 0 ||
        !es->env->vectorize || (!vec_input_applies(es, p->left) && !rows_input_applies(p->left))) {
        return false;
    }
    for (int k = 0; k < p->sort_key_count; k++) {
        const Expr *e = p->sort_keys[k].expr;
        if (e->kind != EXPR_COLUMN || e->index < 0 || e->index >= p->left->column_count) {
            return false;
        }
    }
    return true;
}

static inline const Batch *chunk_of(const VecSort *vs, uint32_t ref)
{
    return vs->chunks[ref >> CHUNK_SHIFT];
}

static inline int row_of(uint32_t ref)
{
    return (int)(ref & (BATCH_CAPACITY - 1));
}

/* The direction-folded abbreviated key of one value. */
static uint64_t abbrev_of(const VecSort *vs, const Value *v)
{
    const SortKey *key = &vs->keys[0];
    if (v->is_null) {
        return key->nulls_first ? 0 : UINT64_MAX;
    }
    uint64_t ab = vs->abbrev == ABBREV_NONE ? 0 : sort_abbrev_value(vs->abbrev, v);
    return key->desc ? ~ab : ab;
}

/* sort_compare's order of two key values. */
static int key_compare(const SortKey *key, const Value *va, const Value *vb)
{
    if (va->is_null || vb->is_null) {
        if (va->is_null && vb->is_null) {
            return 0;
        }
        int cmp = va->is_null ? 1 : -1;
        return key->nulls_first ? -cmp : cmp;
    }
    int cmp = value_compare(va, vb);
    return key->desc ? -cmp : cmp;
}

/* Key k of two stored rows; integer-like keys (integers, dates, times,
 * timestamps: value_compare compares their int64) without building Values. */
static int stored_key_compare(const VecSort *vs, int k, const Batch *ca, int ra, const Batch *cb,
                              int rb)
{
    int col = vs->key_columns[k];
    const Vector *va = &ca->columns[col], *vb = &cb->columns[col];
    bool na = vector_is_null(va, ra), nb = vector_is_null(vb, rb);
    if (vs->key_is_int[k] && !na && !nb) {
        int64_t x = va->i64[ra], y = vb->i64[rb];
        int cmp = x < y ? -1 : x > y;
        return vs->keys[k].desc ? -cmp : cmp;
    }
    Value a, b;
    batch_get_value(ca, col, ra, &a);
    batch_get_value(cb, col, rb, &b);
    return key_compare(&vs->keys[k], &a, &b);
}

static int ref_compare(const void *a, const void *b, void *arg)
{
    const SortRef *ra = a, *rb = b;
    if (ra->abbrev != rb->abbrev) {
        return ra->abbrev < rb->abbrev ? -1 : 1;
    }
    const VecSort *vs = arg;
    const Batch *ca = chunk_of(vs, ra->ref), *cb = chunk_of(vs, rb->ref);
    /* Equal exact prefixes are equal first keys, unless a NULL may share the prefix. */
    int first = vs->prefix_exact && ra->abbrev != 0 && ra->abbrev != UINT64_MAX ? 1 : 0;
    for (int k = first; k < vs->key_count; k++) {
        int cmp = stored_key_compare(vs, k, ca, row_of(ra->ref), cb, row_of(rb->ref));
        if (cmp != 0) {
            return cmp;
        }
    }
    return ra->ref < rb->ref ? -1 : ra->ref > rb->ref;
}

/* Whether equal abbreviated keys of the first key mean equal first keys: a
 * kind whose prefix is the whole value. */
static bool prefix_is_exact(AbbrevKind kind)
{
    switch (kind) {
    case ABBREV_INT:
    case ABBREV_FLOAT:
    case ABBREV_DATE:
    case ABBREV_TIMESTAMP:
    case ABBREV_TIMESTAMPTZ:
    case ABBREV_TIME:
    case ABBREV_BOOL:
        return true;
    default:
        return false;
    }
}

/* Sorts refs[0..count-1] by ref_compare: a stable LSD radix sort on the
 * abbreviated keys (passes only over the bytes that differ; references come
 * in increasing order, so equal prefixes stay in input order), then each run
 * of equal prefixes that may hold unequal keys is sorted with ref_compare:
 * every run unless the prefix is exact, and for an exact one the runs at 0
 * and UINT64_MAX, where a NULL can meet a value. Small arrays, or no memory
 * for the second buffer, go to qsort_r directly. */
static void sort_refs(VecSort *vs, SortRef *refs, size_t count)
{
    if (count < 2) {
        return; /* refs may be NULL: nothing was kept */
    }
    SortRef *tmp = count >= 512 ? arena_alloc(vs->arena, sizeof(SortRef) * count) : NULL;
    if (tmp == NULL) {
        qsort_r(refs, count, sizeof(SortRef), ref_compare, vs);
        return;
    }
    size_t(*hist)[256] = arena_zalloc(vs->arena, sizeof(size_t) * 8 * 256);
    if (hist == NULL) {
        qsort_r(refs, count, sizeof(SortRef), ref_compare, vs);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        uint64_t ab = refs[i].abbrev;
        for (int byte = 0; byte < 8; byte++) {
            hist[byte][(ab >> (8 * byte)) & 0xff]++;
        }
    }
    SortRef *src = refs, *dst = tmp;
    for (int byte = 0; byte < 8; byte++) {
        if (hist[byte][(src[0].abbrev >> (8 * byte)) & 0xff] == count) {
            continue; /* every key has this byte */
        }
        size_t offset[256], sum = 0;
        for (int digit = 0; digit < 256; digit++) {
            offset[digit] = sum;
            sum += hist[byte][digit];
        }
        for (size_t i = 0; i < count; i++) {
            dst[offset[(src[i].abbrev >> (8 * byte)) & 0xff]++] = src[i];
        }
        SortRef *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != refs) {
        memcpy(refs, src, sizeof(SortRef) * count);
    }
    bool exact = vs->prefix_exact && vs->key_count == 1;
    for (size_t start = 0; start < count;) {
        size_t end = start + 1;
        while (end < count && refs[end].abbrev == refs[start].abbrev) {
            end++;
        }
        uint64_t ab = refs[start].abbrev;
        if (end - start > 1 && (!exact || ab == 0 || ab == UINT64_MAX)) {
            qsort_r(refs + start, end - start, sizeof(SortRef), ref_compare, vs);
        }
        start = end;
    }
}

static int vsort_nomem(VecSort *vs, Error *err)
{
    return arena_error(vs->arena, err);
}

/* A chunk with room for at least one row, appended when the last one is full. */
static Batch *chunk_with_room(VecSort *vs)
{
    if (vs->chunk_count > 0 && vs->chunks[vs->chunk_count - 1]->row_count < BATCH_CAPACITY) {
        return vs->chunks[vs->chunk_count - 1];
    }
    if (vs->chunk_count == vs->chunk_capacity) {
        size_t cap = vs->chunk_capacity ? vs->chunk_capacity * 2 : 16;
        Batch **grown = arena_realloc(vs->arena, vs->chunks, sizeof(Batch *) * vs->chunk_capacity,
                                      sizeof(Batch *) * cap);
        if (grown == NULL) {
            return NULL;
        }
        vs->chunks = grown;
        vs->chunk_capacity = cap;
    }
    Batch *c = batch_create_unzeroed(vs->arena, vs->types, vs->width, BATCH_CAPACITY);
    if (c == NULL) {
        return NULL;
    }
    c->row_count = 0;
    vs->chunks[vs->chunk_count++] = c;
    return c;
}

static bool refs_reserve(VecSort *vs, size_t more)
{
    if (vs->ref_count + more <= vs->ref_capacity) {
        return true;
    }
    size_t cap = vs->ref_capacity ? vs->ref_capacity * 2 : 4096;
    while (cap < vs->ref_count + more) {
        cap *= 2;
    }
    SortRef *grown = arena_realloc(vs->arena, vs->refs, sizeof(SortRef) * vs->ref_capacity,
                                   sizeof(SortRef) * cap);
    if (grown == NULL) {
        return false;
    }
    vs->refs = grown;
    vs->ref_capacity = cap;
    return true;
}

/* Copies column col of rows sel[0..count-1] of vector v (NULL: all NULL) into
 * rows dst.. of chunk c. */
static bool copy_column(Batch *c, int col, int dst, const Vector *v, const uint16_t *sel,
                        int count)
{
    Vector *out = &c->columns[col];
    PhysKind kind = type_phys(out->type.id);
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        if (v == NULL || vector_is_null(v, r)) {
            if (!batch_set_null(c, col, dst + i)) {
                return false;
            }
            continue;
        }
        if (out->nulls != NULL) {
            out->nulls[dst + i] = 0;
        }
        if (kind == PHYS_I64) {
            out->i64[dst + i] = v->i64[r];
        } else if (kind == PHYS_F64) {
            out->f64[dst + i] = v->f64[r];
        } else {
            Value value;
            vec_expr_value(v, r, out->type, &value);
            if (!batch_set_value(c, col, dst + i, &value)) {
                return false;
            }
        }
    }
    return true;
}

/* Appends rows sel[0..count-1] of the input vectors to the chunks, with their
 * references (abbrev[r]: the row's abbreviated key). */
static int append_rows(VecSort *vs, const Vector *const *columns, const uint16_t *sel, int count,
                       Error *err)
{
    if (!refs_reserve(vs, (size_t)count)) {
        return vsort_nomem(vs, err);
    }
    while (count > 0) {
        Batch *c = chunk_with_room(vs);
        if (c == NULL) {
            return vsort_nomem(vs, err);
        }
        int take = BATCH_CAPACITY - c->row_count;
        take = take < count ? take : count;
        for (int col = 0; col < vs->width; col++) {
            if (!copy_column(c, col, c->row_count, columns[col], sel, take)) {
                return vsort_nomem(vs, err);
            }
        }
        uint32_t base = (uint32_t)((vs->chunk_count - 1) << CHUNK_SHIFT) + (uint32_t)c->row_count;
        for (int i = 0; i < take; i++) {
            vs->refs[vs->ref_count++] = (SortRef){vs->row_abbrev[sel[i]], base + (uint32_t)i};
        }
        c->row_count += take;
        sel += take;
        count -= take;
    }
    return STRATA_OK;
}

/* Whether input row r (abbreviated key ab) sorts before the top-N threshold:
 * later rows lose ties, as in the row sort. */
static bool beats_threshold(VecSort *vs, const Vector *const *columns, int r, uint64_t ab)
{
    if (ab != vs->threshold.abbrev) {
        return ab < vs->threshold.abbrev;
    }
    for (int k = 0; k < vs->key_count; k++) {
        int col = vs->key_columns[k];
        Value mine;
        if (columns[col] == NULL) {
            mine = value_null(vs->types[col]);
        } else {
            vec_expr_value(columns[col], r, vs->types[col], &mine);
        }
        int cmp = key_compare(&vs->keys[k], &mine, &vs->threshold_keys[k]);
        if (cmp != 0) {
            return cmp < 0;
        }
    }
    return false;
}

/* Top-N: sorts the references and keeps the best topn rows, copied in order
 * into fresh chunks (a new arena; the old one is destroyed). */
static int topn_compact(VecSort *vs, Error *err)
{
    size_t keep = (size_t)vs->n->topn;
    sort_refs(vs, vs->refs, vs->ref_count);
    if (vs->ref_count <= keep) {
        return STRATA_OK;
    }
    Arena *old_arena = vs->arena;
    Batch **old_chunks = vs->chunks;
    SortRef *old_refs = vs->refs;
    vs->arena = arena_create(vs->n->es->a, 0, "sort chunks");
    if (vs->arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    vs->chunks = NULL;
    vs->chunk_count = vs->chunk_capacity = 0;
    vs->refs = NULL;
    vs->ref_count = vs->ref_capacity = 0;
    const Vector **columns = vs->chunk_columns;
    for (size_t i = 0; i < keep; i++) {
        const Batch *from = old_chunks[old_refs[i].ref >> CHUNK_SHIFT];
        uint16_t r = (uint16_t)row_of(old_refs[i].ref);
        for (int col = 0; col < vs->width; col++) {
            columns[col] = &from->columns[col];
        }
        vs->row_abbrev[r] = old_refs[i].abbrev;
        int rc = append_rows(vs, columns, &r, 1, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    arena_destroy(old_arena);
    vs->has_threshold = true;
    vs->threshold = vs->refs[keep - 1];
    const Batch *tc = chunk_of(vs, vs->threshold.ref);
    for (int k = 0; k < vs->key_count; k++) {
        batch_get_value(tc, vs->key_columns[k], row_of(vs->threshold.ref), &vs->threshold_keys[k]);
    }
    return STRATA_OK;
}

/* Writes the rows held as one sorted run in the row sort's format and starts
 * over with an empty arena. */
static int spill_run(VecSort *vs, Error *err)
{
    ExecState *es = vs->n->es;
    int full = vs->width + vs->key_count + 1;
    int rc = STRATA_OK;
    if (vs->spill == NULL && (rc = sort_spill_open(es, full, &vs->spill, err)) != STRATA_OK) {
        return rc;
    }
    sort_refs(vs, vs->refs, vs->ref_count);
    enum { PIECE_ROWS = 256 };
    Value *rows[PIECE_ROWS];
    Value *values = arena_alloc(vs->arena, sizeof(Value) * (size_t)full * PIECE_ROWS);
    if (values == NULL) {
        return vsort_nomem(vs, err);
    }
    for (size_t at = 0; at < vs->ref_count && rc == STRATA_OK; at += PIECE_ROWS) {
        size_t piece = vs->ref_count - at < PIECE_ROWS ? vs->ref_count - at : PIECE_ROWS;
        for (size_t i = 0; i < piece; i++) {
            uint32_t ref = vs->refs[at + i].ref;
            const Batch *c = chunk_of(vs, ref);
            Value *row = values + i * (size_t)full;
            for (int col = 0; col < vs->width; col++) {
                batch_get_value(c, col, row_of(ref), &row[col]);
            }
            for (int k = 0; k < vs->key_count; k++) {
                row[vs->width + k] = row[vs->key_columns[k]];
            }
            uint64_t seq = vs->seq_base + ((uint64_t)(ref >> CHUNK_SHIFT) << CHUNK_SHIFT) +
                           (uint64_t)row_of(ref);
            row[vs->width + vs->key_count] = value_i64(TYPE_INT8, (int64_t)seq);
            rows[i] = row;
        }
        rc = sort_spill_append_rows(vs->spill, rows, piece, err);
    }
    if (rc == STRATA_OK) {
        rc = sort_spill_end_run(vs->spill, err);
    }
    vs->seq_base += (uint64_t)vs->ref_count;
    arena_reset(vs->arena);
    vs->chunks = NULL;
    vs->chunk_count = vs->chunk_capacity = 0;
    vs->refs = NULL;
    vs->ref_count = vs->ref_capacity = 0;
    if (rc == STRATA_OK) {
        rc = exec_check_interrupt(es, err);
    }
    return rc;
}

/* One input batch: abbreviated keys, the top-N filter, the copy. */
static int consume(VecSort *vs, const Vector *const *columns, const uint16_t *sel, int count,
                   Error *err)
{
    int key0 = vs->key_columns[0];
    const Vector *kv = columns[key0];
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        Value v;
        if (kv == NULL) {
            v = value_null(vs->types[key0]);
        } else {
            vec_expr_value(kv, r, vs->types[key0], &v);
        }
        vs->row_abbrev[r] = abbrev_of(vs, &v);
    }
    if (vs->n->topn > 0 && vs->has_threshold) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            int r = sel[i];
            vs->keep[kept] = (uint16_t)r;
            kept += beats_threshold(vs, columns, r, vs->row_abbrev[r]);
        }
        sel = vs->keep;
        count = kept;
    }
    int rc = append_rows(vs, columns, sel, count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (vs->n->topn > 0 && vs->ref_count >= (size_t)vs->n->topn + BATCH_CAPACITY) {
        return topn_compact(vs, err);
    }
    if (vs->may_spill && arena_used_bytes(vs->arena) > vs->n->es->env->work_mem_bytes) {
        return spill_run(vs, err);
    }
    if (vs->n->p->kind != PLAN_SORT) {
        return exec_check_work_mem(vs->n->es, err); /* a window's rows: 53200 past 4 x */
    }
    return STRATA_OK;
}

static int vsort_create(ExecNode *n, VecSort **out, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    VecSort *vs = arena_zalloc(es->a, sizeof(VecSort));
    if (vs == NULL ||
        (vs->key_columns = arena_alloc(es->a, sizeof(int) * (size_t)p->sort_key_count)) == NULL ||
        (vs->row_abbrev = arena_alloc(es->a, sizeof(uint64_t) * BATCH_CAPACITY)) == NULL ||
        (vs->keep = arena_alloc(es->a, sizeof(uint16_t) * BATCH_CAPACITY)) == NULL ||
        (vs->chunk_columns = arena_alloc(es->a, sizeof(Vector *) * (size_t)p->column_count)) ==
            NULL ||
        (vs->threshold_keys = arena_alloc(es->a, sizeof(Value) * (size_t)p->sort_key_count)) ==
            NULL) {
        return arena_error(es->a, err);
    }
    vs->n = n;
    vs->width = p->column_count;
    vs->types = p->column_types;
    vs->keys = p->sort_keys;
    vs->key_count = p->sort_key_count;
    for (int k = 0; k < vs->key_count; k++) {
        vs->key_columns[k] = p->sort_keys[k].expr->index;
    }
    vs->abbrev = sort_abbrev_kind(vs->types[vs->key_columns[0]].id);
    vs->prefix_exact = prefix_is_exact(vs->abbrev);
    if ((vs->key_is_int = arena_alloc(es->a, sizeof(bool) * (size_t)vs->key_count)) == NULL) {
        return arena_error(es->a, err);
    }
    for (int k = 0; k < vs->key_count; k++) {
        AbbrevKind kind = sort_abbrev_kind(vs->types[vs->key_columns[k]].id);
        vs->key_is_int[k] = kind != ABBREV_NONE && kind != ABBREV_FLOAT && kind != ABBREV_BYTES &&
                            kind != ABBREV_BOOL && kind != ABBREV_UUID;
    }
    /* A window's sort (vec_window.c) keeps its rows: window partitions do not spill. */
    vs->may_spill = n->topn == 0 && es->sub_depth == 0 && es->env->work_mem_bytes > 0 &&
                    p->kind == PLAN_SORT;
    vs->sc = (SortCtx){p->sort_keys, p->sort_key_count, p->column_count};
    if ((vs->arena = arena_create(es->a, 0, "sort chunks")) == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = vec_input_create(es, n->left, &vs->in, err);
    if (rc == STRATA_OK && vs->in == NULL && rows_input_applies(p->left)) {
        vs->producer = n->left;
    }
    if (rc == STRATA_OK && (vs->in != NULL || vs->producer != NULL)) {
        *out = vs;
    }
    return rc;
}

/* Whether row (an input row) sorts before the top-N threshold (abbreviated key
 * ab): later rows lose ties. */
static bool row_beats_threshold(VecSort *vs, const Value *row, uint64_t ab)
{
    if (ab != vs->threshold.abbrev) {
        return ab < vs->threshold.abbrev;
    }
    for (int k = 0; k < vs->key_count; k++) {
        int cmp = key_compare(&vs->keys[k], &row[vs->key_columns[k]], &vs->threshold_keys[k]);
        if (cmp != 0) {
            return cmp < 0;
        }
    }
    return false;
}

/* Appends one input row to the chunks with its reference. */
static int append_row(VecSort *vs, const Value *row, uint64_t ab, Error *err)
{
    Batch *c;
    if (!refs_reserve(vs, 1) || (c = chunk_with_room(vs)) == NULL) {
        return vsort_nomem(vs, err);
    }
    int at = c->row_count;
    for (int col = 0; col < vs->width; col++) {
        Vector *out = &c->columns[col];
        PhysKind kind = type_phys(out->type.id);
        if (row[col].is_null) {
            if (!batch_set_null(c, col, at)) {
                return vsort_nomem(vs, err);
            }
            continue;
        }
        if (kind == PHYS_I64 || kind == PHYS_F64) {
            if (out->nulls != NULL) {
                out->nulls[at] = 0;
            }
            if (kind == PHYS_I64) {
                out->i64[at] = row[col].i64;
            } else {
                out->f64[at] = row[col].f64;
            }
        } else if (!batch_set_value(c, col, at, &row[col])) {
            return vsort_nomem(vs, err);
        }
    }
    uint32_t ref = (uint32_t)((vs->chunk_count - 1) << CHUNK_SHIFT) + (uint32_t)at;
    vs->refs[vs->ref_count++] = (SortRef){ab, ref};
    c->row_count++;
    return STRATA_OK;
}

/* Kept rows of a row input at which a top-N compacts: until the first compaction
 * nothing is filtered, so a small N compacts early (a sort of 2N + 64 references);
 * later rows mostly lose to the threshold, so a batch's worth may accumulate. */
static size_t rows_compact_at(const VecSort *vs)
{
    size_t topn = (size_t)vs->n->topn;
    size_t early = 2 * topn + 64;
    return !vs->has_threshold && early < topn + BATCH_CAPACITY ? early : topn + BATCH_CAPACITY;
}

/* Reads the rows of a row input (vs->producer) one at a time: a row no better than
 * the top-N threshold is dropped before it is copied, the others go straight into
 * the chunks (one copy, no intermediate batch). */
static int vsort_fill_rows(VecSort *vs, Error *err)
{
    ExecNode *child = vs->producer;
    ExecState *es = vs->n->es;
    int key0 = vs->key_columns[0];
    for (uint64_t seen = 1;; seen++) {
        Value *row;
        exec_scratch_reset(es);
        int rc = child->next(child, &row, err);
        if (rc != STRATA_OK || row == NULL) {
            return rc;
        }
        uint64_t ab = abbrev_of(vs, &row[key0]);
        if (vs->n->topn > 0 && vs->has_threshold && !row_beats_threshold(vs, row, ab)) {
            continue;
        }
        if ((rc = append_row(vs, row, ab, err)) != STRATA_OK) {
            return rc;
        }
        if (vs->n->topn > 0 && vs->ref_count >= rows_compact_at(vs)) {
            rc = topn_compact(vs, err);
        } else if (vs->may_spill && seen % 256 == 0 &&
                   arena_used_bytes(vs->arena) > es->env->work_mem_bytes) {
            rc = spill_run(vs, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
}

/* Reads the whole input; *unsupported when its first batch could not be read
 * batch-wise (nothing read). */
static int vsort_fill(VecSort *vs, bool *unsupported, Error *err)
{
    if (vs->producer != NULL) {
        return vsort_fill_rows(vs, err);
    }
    for (;;) {
        const Vector *const *columns;
        const uint16_t *sel;
        int count;
        bool end;
        int rc = vec_input_next(vs->in, &columns, &sel, &count, &end, unsupported, err);
        if (rc != STRATA_OK || *unsupported || end) {
            return rc;
        }
        if ((rc = consume(vs, columns, sel, count, err)) != STRATA_OK) {
            return rc;
        }
    }
}

static int vsort_finish(VecSort *vs, Error *err)
{
    ExecState *es = vs->n->es;
    const PlanNode *p = vs->n->p;
    if (vs->spill != NULL) {
        int rc = vs->ref_count > 0 ? spill_run(vs, err) : STRATA_OK;
        if (rc == STRATA_OK) {
            rc = sort_spill_merge_start(vs->spill, sort_compare, &vs->sc, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        if (es->stats != NULL && p->id >= 0 && p->id < es->plan->node_count) {
            es->stats[p->id].sort_spilled = true;
            es->stats[p->id].sort_disk_bytes = sort_spill_bytes(vs->spill);
        }
        return STRATA_OK;
    }
    sort_refs(vs, vs->refs, vs->ref_count);
    if (vs->n->topn > 0 && vs->ref_count > (size_t)vs->n->topn) {
        vs->ref_count = (size_t)vs->n->topn;
    }
    return STRATA_OK;
}

/* Reads and sorts the input on the first call; *handled false when the input
 * cannot run batch-wise (n->started is then false: the row sort starts). */
static int vsort_start(ExecNode *n, bool *handled, Error *err)
{
    ExecState *es = n->es;
    VecSort *vs = NULL;
    *handled = true;
    if (n->started) {
        *handled = n->vsort != NULL;
        return STRATA_OK;
    }
    n->started = true;
    bool unsupported = false;
    int rc = vsort_create(n, &vs, err);
    if (rc == STRATA_OK && vs != NULL) {
        rc = vsort_fill(vs, &unsupported, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (vs == NULL || unsupported) {
        if (vs != NULL) {
            arena_destroy(vs->arena);
        }
        n->started = false; /* the row sort starts from scratch */
        n->vsort_declined = true;
        *handled = false;
        return STRATA_OK;
    }
    n->vsort = vs;
    if (es->stats != NULL && n->p->id >= 0 && n->p->id < es->plan->node_count) {
        es->stats[n->p->id].batch_mode = true;
    }
    return vsort_finish(vs, err);
}

int vec_sort_next(ExecNode *n, Value **row, bool *handled, Error *err)
{
    int rc = vsort_start(n, handled, err);
    if (rc != STRATA_OK || !*handled) {
        return rc;
    }
    VecSort *vs = n->vsort;
    if (vs->spill != NULL) {
        return sort_spill_next(vs->spill, row, err);
    }
    if (vs->emit_pos >= vs->ref_count) {
        *row = NULL;
        return STRATA_OK;
    }
    uint32_t ref = vs->refs[vs->emit_pos++].ref;
    const Batch *c = chunk_of(vs, ref);
    for (int col = 0; col < vs->width; col++) {
        batch_get_value(c, col, row_of(ref), &n->row[col]);
    }
    *row = n->row;
    return STRATA_OK;
}

/* The sort under executor_next's root: the root, or under a LIMIT (*limit set),
 * a projection of its columns (*project set), or both (Project -> Limit ->
 * Sort); NULL when the shape is another. */
static ExecNode *fill_sort_of(const ExecNode *root, ExecNode **limit, const ExecNode **project)
{
    const ExecNode *n = root;
    *limit = NULL;
    *project = NULL;
    if (n->p->kind == PLAN_PROJECT && n->left != NULL) {
        *project = n;
        n = n->left;
    }
    if (n->p->kind == PLAN_LIMIT && n->left != NULL) {
        if (n->p->limit_with_ties) {
            return NULL; /* the limit operator compares the rows after the count */
        }
        *limit = (ExecNode *)n;
        n = n->left;
    }
    if (n->p->kind != PLAN_SORT) {
        return NULL;
    }
    const PlanNode *p = *project != NULL ? (*project)->p : NULL;
    const PlanNode *sp = n->p;
    for (int t = 0; p != NULL && t < p->expr_count; t++) {
        const Expr *e = p->exprs[t];
        if (e->kind != EXPR_COLUMN || e->index < 0 || e->index >= sp->column_count ||
            type_phys(sp->column_types[e->index].id) != type_phys(p->column_types[t].id)) {
            return NULL;
        }
    }
    return (ExecNode *)n;
}

bool vec_sort_fill_applies(const ExecState *es, const ExecNode *root)
{
    ExecNode *limit;
    const ExecNode *project;
    const ExecNode *sn = fill_sort_of(root, &limit, &project);
    return es->stats == NULL && sn != NULL && vec_sort_applies(es, sn->p);
}

enum { GATHER_AHEAD = 16 };

/* Copies column col of the sorted rows refs[0..count-1] into out's column
 * to, rows from out->row_count on. */
static bool gather_column(const VecSort *vs, const SortRef *refs, int count, int col, Batch *out,
                          int to)
{
    Vector *dst = &out->columns[to];
    PhysKind kind = type_phys(dst->type.id);
    size_t width = (size_t)phys_width(kind);
    int base = out->row_count;
    for (int i = 0; i < count; i++) {
        if (i + GATHER_AHEAD < count) {
            /* Sorted references jump across the chunks: fetch the value ahead. */
            const Vector *ahead = &chunk_of(vs, refs[i + GATHER_AHEAD].ref)->columns[col];
            __builtin_prefetch((const char *)ahead->data +
                               width * (size_t)row_of(refs[i + GATHER_AHEAD].ref));
        }
        const Vector *src = &chunk_of(vs, refs[i].ref)->columns[col];
        int r = row_of(refs[i].ref);
        if (vector_is_null(src, r)) {
            if (!batch_set_null(out, to, base + i)) {
                return false;
            }
        } else if (kind == PHYS_I64 || kind == PHYS_F64) {
            if (dst->nulls != NULL) {
                dst->nulls[base + i] = 0;
            }
            dst->i64[base + i] = src->i64[r]; /* the same 8 bytes for a double */
        } else {
            Value v;
            vec_expr_value(src, r, dst->type, &v);
            if (!batch_set_value(out, to, base + i, &v)) {
                return false;
            }
        }
    }
    return true;
}

int vec_sort_fill(ExecNode *root, Batch *out, bool *end, bool *handled, Error *err)
{
    ExecNode *limit;
    const ExecNode *project;
    ExecNode *n = fill_sort_of(root, &limit, &project);
    int rc = limit != NULL ? exec_limit_start(limit, err) : STRATA_OK; /* sets the top-N */
    if (rc == STRATA_OK && limit != NULL && limit->limit_left == 0) {
        *handled = *end = true; /* LIMIT 0 (or reached): the input is not run, as limit_next */
        return STRATA_OK;
    }
    if (rc == STRATA_OK) {
        rc = vsort_start(n, handled, err);
    }
    if (rc != STRATA_OK || !*handled) {
        return rc;
    }
    VecSort *vs = n->vsort;
    if (vs->spill != NULL) {
        *handled = false; /* merged runs come out row by row (sort_spill_next) */
        return STRATA_OK;
    }
    size_t left = vs->ref_count - vs->emit_pos;
    if (limit != NULL) {
        /* OFFSET: rows skipped without reading them; LIMIT: no more gathered. */
        size_t skip = (uint64_t)limit->offset_left < left ? (size_t)limit->offset_left : left;
        vs->emit_pos += skip;
        limit->offset_left -= (int64_t)skip;
        left -= skip;
        if (limit->limit_left >= 0 && (uint64_t)limit->limit_left < left) {
            left = (size_t)limit->limit_left;
        }
    }
    int take = out->capacity - out->row_count;
    take = (size_t)take < left ? take : (int)left;
    const SortRef *refs = vs->refs + vs->emit_pos;
    for (int c = 0; c < out->column_count; c++) {
        int col = project == NULL ? c : project->p->exprs[c]->index;
        if (!gather_column(vs, refs, take, col, out, c)) {
            return arena_error(out->arena, err);
        }
    }
    out->row_count += take;
    vs->emit_pos += (size_t)take;
    if (limit != NULL && limit->limit_left > 0) {
        limit->limit_left -= take;
    }
    *end = vs->emit_pos >= vs->ref_count || (limit != NULL && limit->limit_left == 0);
    return STRATA_OK;
}

/* ---- the sorted rows, for vec_window.c -------------------------------------------------- */

int vec_sort_rows_start(ExecNode *n, bool *handled, Error *err)
{
    return vsort_start(n, handled, err);
}

size_t vec_sort_row_count(const ExecNode *n)
{
    return n->vsort->ref_count;
}

const Batch *vec_sort_row_at(const ExecNode *n, size_t index, int *row)
{
    uint32_t ref = n->vsort->refs[index].ref;
    *row = row_of(ref);
    return chunk_of(n->vsort, ref);
}
