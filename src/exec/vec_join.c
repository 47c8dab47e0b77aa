/*
 * exec/vec_join.c - the vectorized star-join pipeline: a column-table scan
 * filtered into selection vectors, probed batch at a time against hash
 * tables built on the dimension sides of inner equi-joins.
 *
 * Shape (checked by vec_pipeline_applies): under an aggregate, a tree of
 * inner hash joins without residual quals whose "spine" (at each join the
 * side with more estimated rows that itself qualifies) ends in a sequential
 * scan of a column table. The other side of each join (any plan) runs on the
 * row executor once and is kept as rows, with a hash table on its keys: the
 * dimension is the build side even when the planner put the fact table there.
 *
 * A batch becomes tuples: (batch row, one build row per join). The tuples
 * flow to vec_agg.c, or are unpacked into rows of the join tree's output
 * layout (only the columns the aggregate reads) for the row aggregate.
 *
 * Invariants
 *   1. Join semantics are the row hash join's: a NULL key never matches,
 *      keys compare with value_equal (int64 equality when both sides are
 *      integers, which value_equal agrees with), every match is produced.
 *   2. Tuples of one batch keep the scan order of their batch rows.
 *   3. Build rows live in es->a for the whole execution; batch data until the
 *      next scan_next.
 *
 * See vec.h and src/exec/README.md ("Vectorized pipeline").
 */
#include <stdlib.h>
#include <string.h>

#include "exec/vec_int.h"
#include "types/compare.h"
#include "types/numeric.h"

static int nomem(ExecState *es, Error *err)
{
    return arena_error(es->a, err);
}

static bool is_int_type(TypeId id)
{
    return id == TYPE_INT2 || id == TYPE_INT4 || id == TYPE_INT8;
}

/* ---- shape ------------------------------------------------------------------------------- */

static bool chain_ok(const PlanNode *p, int depth, bool rows_only);

/* A semi or anti join (EXISTS, IN, NOT EXISTS; not NOT IN, whose NULLs need
 * the row operator's rules): a level that filters tuples without adding
 * columns. */
static bool level_filters(const PlanNode *p)
{
    return (p->join_type == JOIN_TYPE_SEMI || p->join_type == JOIN_TYPE_ANTI) &&
           !p->null_aware_anti;
}

/* Whether the spine of join p is its left side (-1 when neither side qualifies). */
static int spine_side(const PlanNode *p, int depth, bool rows_only)
{
    bool left_ok = chain_ok(p->left, depth + 1, rows_only),
         right_ok = chain_ok(p->right, depth + 1, rows_only);
    if (left_ok && (!right_ok || p->left->est_rows >= p->right->est_rows)) {
        return 1;
    }
    return right_ok ? 0 : -1;
}

/* A row table qualifies as the aggregate's direct input (depth 0), or under
 * joins when no column table is in the tree (rows_only): next to a column
 * fact table, a row-table dimension would compete for the spine by its
 * estimate, and a fact side built as a hash table costs far more than the
 * batches save (star q01 and q03 went from 85 to 251 and 119 to 209 ms of CPU
 * that way). Among row tables the largest estimate is the spine, as the
 * planner's hash joins build on the smaller side. */
static bool chain_ok(const PlanNode *p, int depth, bool rows_only)
{
    if (p == NULL || depth > VEC_JOINS_MAX) {
        return false;
    }
    if (p->kind == PLAN_SCAN) {
        return p->table != NULL && p->table->am != NULL &&
               (strcmp(p->table->am->name, "column") == 0 ||
                ((depth == 0 || rows_only) && strcmp(p->table->am->name, "row") == 0)) &&
               !p->scan_on_key &&
               !p->want_row_id &&
               !p->reverse && p->column_count > 0;
    }
    bool filtering = p->kind == PLAN_JOIN && (level_filters(p) || p->join_type == JOIN_TYPE_LEFT);
    if (p->kind != PLAN_JOIN || (p->join_type != JOIN_TYPE_INNER && !filtering) ||
        p->key_count <= 0 || p->nestloop || p->key_count > VEC_KEYS_MAX || p->qual != NULL) {
        return false;
    }
    /* A semi / anti / left join keeps left rows: its left side must be the spine. */
    int side = filtering ? (chain_ok(p->left, depth + 1, rows_only) ? 1 : -1)
                         : spine_side(p, depth, rows_only);
    if (side < 0) {
        return false;
    }
    Expr **keys = side ? p->left_keys : p->right_keys;
    for (int k = 0; k < p->key_count; k++) {
        if (keys[k]->kind != EXPR_COLUMN) {
            return false;
        }
    }
    return true;
}

/* Whether no scan of p's subtree reads a column table. */
static bool no_column_scan(const PlanNode *p)
{
    if (p == NULL) {
        return true;
    }
    if (p->kind == PLAN_SCAN && p->table != NULL && p->table->am != NULL &&
        strcmp(p->table->am->name, "column") == 0) {
        return false;
    }
    return no_column_scan(p->left) && no_column_scan(p->right);
}

bool vec_pipeline_applies(const PlanNode *p)
{
    return p->kind == PLAN_AGG && chain_ok(p->left, 0, no_column_scan(p->left));
}

/* ---- compile: levels and the output layout ------------------------------------------------ */

static SqlType source_type(const VecPipe *vp, VecSource s)
{
    if (s.level < 0) {
        return vp->scan_p->column_types[s.column];
    }
    const VecLevel *lv = &vp->levels[s.level];
    return lv->build_p->column_types[s.column];
}

/* depth: p's depth below the aggregate's input, as chain_ok saw it (the spine side
 * chosen at each join must be the one chain_ok checked). */
static int compile(VecPipe *vp, ExecState *es, const PlanNode *p, int depth, VecSource **layout,
                   Error *err)
{
    if (p->kind == PLAN_SCAN) {
        vp->scan_p = p;
        *layout = arena_alloc(es->a, sizeof(VecSource) * (size_t)p->column_count);
        if (*layout == NULL) {
            return nomem(es, err);
        }
        for (int c = 0; c < p->column_count; c++) {
            (*layout)[c] = (VecSource){-1, c};
        }
        return STRATA_OK;
    }
    bool spine_left = level_filters(p) || p->join_type == JOIN_TYPE_LEFT ||
                      spine_side(p, depth, vp->rows_only) == 1;
    const PlanNode *spine = spine_left ? p->left : p->right;
    VecSource *inner;
    int rc = compile(vp, es, spine, depth + 1, &inner, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (vp->level_count >= VEC_JOINS_MAX) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "vectorized pipeline deeper than %d joins",
                         VEC_JOINS_MAX);
    }
    int level = vp->level_count++;
    VecLevel *lv = &vp->levels[level];
    lv->p = p;
    lv->semi = p->join_type == JOIN_TYPE_SEMI;
    lv->anti = p->join_type == JOIN_TYPE_ANTI;
    lv->left = p->join_type == JOIN_TYPE_LEFT;
    lv->unmatched = -1;
    lv->build_p = spine_left ? p->right : p->left;
    lv->build_keys = spine_left ? p->right_keys : p->left_keys;
    lv->key_count = p->key_count;
    Expr **probe = spine_left ? p->left_keys : p->right_keys;
    for (int k = 0; k < p->key_count; k++) {
        lv->probe_keys[k] = inner[probe[k]->index];
    }
    lv->int_keys = p->key_count == 1 && is_int_type(source_type(vp, lv->probe_keys[0]).id) &&
                   is_int_type(lv->build_keys[0]->type.id);
    int bw = lv->build_p->column_count;
    *layout = arena_alloc(es->a, sizeof(VecSource) * (size_t)(p->column_count + 1));
    if (*layout == NULL) {
        return nomem(es, err);
    }
    int sw = spine->column_count;
    for (int c = 0; c < sw; c++) {
        (*layout)[spine_left ? c : bw + c] = inner[c];
    }
    for (int c = 0; c < bw && !lv->semi && !lv->anti; c++) {
        (*layout)[spine_left ? sw + c : c] = (VecSource){level, c};
    }
    return STRATA_OK;
}

static void mark_columns(const Expr *e, bool *needed, int width);

/* ---- build sides -------------------------------------------------------------------------- */

static int build_keys_of(ExecState *es, const Value *corr, VecLevel *lv, const Value *row,
                         Value *keys, bool *has_null, Error *err)
{
    EvalCtx ctx = {es, row, corr};
    *has_null = false;
    for (int k = 0; k < lv->key_count; k++) {
        int rc = eval_expr(lv->build_keys[k], &ctx, &keys[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        *has_null |= keys[k].is_null;
    }
    return STRATA_OK;
}

/* A build side that is a plain scan with column keys is read batch by batch:
 * its qual through the filter kernels, only the kept and key columns. */
static bool build_scan_ok(const VecLevel *lv)
{
    const PlanNode *p = lv->build_p;
    if (p->kind != PLAN_SCAN || p->scan_on_key || p->want_row_id || p->reverse ||
        p->table == NULL || p->table->am == NULL) {
        return false;
    }
    for (int k = 0; k < lv->key_count; k++) {
        if (lv->build_keys[k]->kind != EXPR_COLUMN) {
            return false;
        }
    }
    return true;
}

static NodeStats *node_stats(ExecState *es, const PlanNode *p);

/* Interning of compact build rows (keys_split levels): a million-row
 * dimension read for one or two low-cardinality columns (country, tier) keeps
 * one array per distinct tuple instead of a copy per row, which is most of
 * the cost of building it. Identity is exact (integers, booleans, string
 * bytes; no SQL equality), so a shared array reads the same as the copies it
 * replaces. Past VEC_INTERN_MAX distinct tuples it stops and rows are copied. */
#define VEC_INTERN_MAX 65536

typedef struct RowIntern {
    Value **rows; /* open addressing, NULL = empty */
    uint64_t *hashes;
    size_t mask;
    size_t count;
    bool off;
} RowIntern;

static bool intern_type_ok(SqlType t)
{
    PhysKind k = type_phys(t.id);
    return k == PHYS_I64 || k == PHYS_BOOL || k == PHYS_STRING;
}

/* The bytes of a string of at most 8 as one word, exact for its length: the
 * first and last four (overlapping) from 4 bytes up, else first, middle and
 * last. Dimension strings (countries, tiers) are that short. */
static inline uint64_t short_word(const char *p, uint32_t len)
{
    const unsigned char *u = (const unsigned char *)p;
    if (len >= 4) {
        uint32_t first, last;
        memcpy(&first, u, 4);
        memcpy(&last, u + len - 4, 4);
        return (uint64_t)first | (uint64_t)last << 32;
    }
    if (len == 0) {
        return 0;
    }
    return (uint64_t)u[0] | (uint64_t)u[len >> 1] << 8 | (uint64_t)u[len - 1] << 16;
}

/* Exact equality of two strings, without a library call for short ones. */
static inline bool bytes_equal(const char *a, uint32_t a_len, const char *b, uint32_t b_len)
{
    if (a_len != b_len) {
        return false;
    }
    if (a_len <= 8) {
        return short_word(a, a_len) == short_word(b, b_len);
    }
    return memcmp(a, b, a_len) == 0;
}

/* A short-string hash for interning (dimension strings are a few bytes; the
 * general value_hash costs a library call per row). */
static uint64_t intern_bytes_hash(const char *p, uint32_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    if (len <= 8) {
        return hash_u64(h ^ short_word(p, len));
    }
    uint32_t at = 0;
    for (; at + 8 <= len; at += 8) {
        uint64_t word;
        memcpy(&word, p + at, 8);
        h = (h ^ word) * 0xff51afd7ed558ccdULL;
    }
    uint64_t tail = 0;
    for (uint32_t shift = 0; at < len; at++, shift += 8) {
        tail |= (uint64_t)(unsigned char)p[at] << shift;
    }
    return hash_u64(h ^ tail);
}

/* Makes room for one more interned row (at most half the slots in use). */
static bool intern_reserve(ExecState *es, RowIntern *in)
{
    if ((in->count + 1) * 2 <= in->mask + 1) {
        return true;
    }
    size_t cap = in->mask ? (in->mask + 1) * 2 : 256;
    Value **rows = arena_zalloc(es->a, sizeof(Value *) * cap);
    uint64_t *hashes = arena_alloc(es->a, sizeof(uint64_t) * cap);
    if (rows == NULL || hashes == NULL) {
        return false;
    }
    for (size_t s = 0; in->mask && s <= in->mask; s++) {
        if (in->rows[s] != NULL) {
            size_t j = in->hashes[s] & (cap - 1);
            while (rows[j] != NULL) {
                j = (j + 1) & (cap - 1);
            }
            rows[j] = in->rows[s];
            hashes[j] = in->hashes[s];
        }
    }
    in->rows = rows;
    in->hashes = hashes;
    in->mask = cap - 1;
    return true;
}

/* Interns a copy of row, known not to be interned yet, under hash h. */
static Value *intern_insert(ExecState *es, RowIntern *in, const Value *row, int count, uint64_t h)
{
    if (!intern_reserve(es, in)) {
        return NULL;
    }
    size_t j = h & in->mask;
    while (in->rows[j] != NULL) {
        j = (j + 1) & in->mask;
    }
    Value *copy = row_copy(es->a, row, count);
    if (copy != NULL) {
        in->rows[j] = copy;
        in->hashes[j] = h;
        in->off = ++in->count >= VEC_INTERN_MAX;
    }
    return copy;
}

/* The interning hash of row r of the batch columns cols[0..count), read from
 * the vectors: strings by their bytes, integers and booleans by value. */
static uint64_t intern_hash_batch(const Batch *b, const int *cols, int count, int r)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int c = 0; c < count; c++) {
        const Vector *v = &b->columns[cols[c]];
        PhysKind kind = type_phys(v->type.id);
        uint64_t x;
        if (vector_is_null(v, r)) {
            x = 0x5bd1e995u;
        } else if (kind == PHYS_STRING) {
            x = intern_bytes_hash(v->str[r].ptr, v->str[r].len);
        } else if (kind == PHYS_BOOL) {
            x = hash_u64(v->b[r] ? 1 : 2);
        } else {
            x = hash_u64((uint64_t)v->i64[r]);
        }
        h = hash_combine(h, x);
    }
    return h;
}

/* Whether an interned row is identical to row r of the batch columns. */
static bool intern_equal_batch(const Value *a, const Batch *b, const int *cols, int count, int r)
{
    for (int c = 0; c < count; c++) {
        const Vector *v = &b->columns[cols[c]];
        bool is_null = vector_is_null(v, r);
        if (a[c].is_null != is_null) {
            return false;
        }
        if (is_null) {
            continue;
        }
        PhysKind k = type_phys(v->type.id);
        bool equal = k == PHYS_STRING
                         ? bytes_equal(a[c].str.ptr, a[c].str.len, v->str[r].ptr, v->str[r].len)
                     : k == PHYS_BOOL ? a[c].b == v->b[r]
                                      : a[c].i64 == v->i64[r];
        if (!equal) {
            return false;
        }
    }
    return true;
}

/* The interned row equal to row r of the batch columns, or NULL when it is not
 * interned yet (*hash then holds its hash for intern_row_hashed). */
static Value *intern_find_batch(const RowIntern *in, const Batch *b, const int *cols, int count,
                                int r, uint64_t *hash)
{
    uint64_t h = intern_hash_batch(b, cols, count, r);
    *hash = h;
    for (size_t j = h & in->mask; in->mask && in->rows[j] != NULL; j = (j + 1) & in->mask) {
        if (in->hashes[j] == h && intern_equal_batch(in->rows[j], b, cols, count, r)) {
            return in->rows[j];
        }
    }
    return NULL;
}

/* Room for one more key in a keys_split level. */
static int keys_reserve(ExecState *es, VecLevel *lv, size_t *cap, Error *err)
{
    if (lv->rows.count < *cap) {
        return STRATA_OK;
    }
    size_t n = *cap ? *cap * 2 : 1024;
    int64_t *ikeys = arena_alloc(es->a, sizeof(int64_t) * (n + 1));
    bool *key_null = arena_alloc(es->a, n + 1);
    if (ikeys == NULL || key_null == NULL) {
        return nomem(es, err);
    }
    if (lv->rows.count > 0) {
        memcpy(ikeys, lv->ikeys, sizeof(int64_t) * lv->rows.count);
        memcpy(key_null, lv->key_null, lv->rows.count);
    }
    lv->ikeys = ikeys;
    lv->key_null = key_null;
    *cap = n;
    return STRATA_OK;
}

/* A direct-mapped cache in front of the intern table for a build side that
 * keeps one string column (a dimension read for its country or tier): a
 * string of at most 8 bytes is its short_word and length, exact, so a hit
 * needs no hash of the row and no comparison of Values. Star q07's 1M-row
 * user dimension interned each row's tier for about 170 instructions. */
#define VEC_SHORT_CACHE_SLOTS 64

typedef struct ShortSlot {
    uint64_t word;
    uint32_t len;
    Value *row; /* NULL = empty */
} ShortSlot;

static inline size_t short_slot_of(uint64_t word, uint32_t len)
{
    return (size_t)(((word ^ len) * 0x9e3779b97f4a7c15ULL) >> 58);
}

/* Appends the selected rows of a build batch to a keys_split level: the key
 * straight from its vector, the kept columns interned from theirs (Values are
 * made only for a tuple seen for the first time). bcols[c] is the batch column
 * of compact column c (the key at kept_count), src[c] its build column. */
static int split_rows_push(ExecState *es, VecLevel *lv, RowIntern *in, const Batch *b,
                           const int *bcols, const SqlType *types, const int *src,
                           const uint16_t *sel, int count, size_t *keys_cap, Value *tmp,
                           Error *err)
{
    int kept = lv->kept_count;
    const Vector *kv = &b->columns[bcols[kept]];
    const Vector *sv = kept == 1 && type_phys(b->columns[bcols[0]].type.id) == PHYS_STRING
                           ? &b->columns[bcols[0]]
                           : NULL;
    ShortSlot short_cache[VEC_SHORT_CACHE_SLOTS];
    if (sv != NULL) {
        memset(short_cache, 0, sizeof short_cache);
    }
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        int rc = keys_reserve(es, lv, keys_cap, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        bool key_null = vector_is_null(kv, r);
        lv->ikeys[lv->rows.count] = key_null ? 0 : kv->i64[r];
        lv->key_null[lv->rows.count] = key_null;
        uint64_t h = 0;
        ShortSlot *hit = NULL;
        Value *row = NULL;
        if (sv != NULL && !in->off && !vector_is_null(sv, r) && sv->str[r].len <= 8) {
            uint64_t word = short_word(sv->str[r].ptr, sv->str[r].len);
            hit = &short_cache[short_slot_of(word, sv->str[r].len)];
            if (hit->row != NULL && hit->word == word && hit->len == sv->str[r].len) {
                row = hit->row;
            } else {
                hit->word = word;
                hit->len = sv->str[r].len;
                hit->row = NULL;
            }
        }
        if (row == NULL && !in->off) {
            row = intern_find_batch(in, b, bcols, kept, r, &h);
        }
        if (row == NULL) {
            for (int c = 0; c < kept; c++) {
                batch_get_value(b, bcols[c], r, &tmp[c]);
                tmp[c].type = types[src[c]];
            }
            row = in->off ? row_copy(es->a, tmp, kept) : intern_insert(es, in, tmp, kept, h);
        }
        if (hit != NULL && !in->off) {
            hit->row = row; /* interned, so later equal strings may share it */
        }
        if (row != NULL && lv->rows.count < lv->rows.capacity) {
            lv->rows.rows[lv->rows.count++] = row; /* sized up front: no call */
        } else if (row == NULL || row_list_push(es->a, &lv->rows, row) != STRATA_OK) {
            return nomem(es, err);
        }
    }
    return STRATA_OK;
}

/* The next batch of a build side read by drain_build_scan: from its scan, or
 * for a lazy level the rows of its next keys (a batch may come back empty
 * only at the end). */
static int build_next(ExecState *es, const VecLevel *lv, TableScan *scan, const ScanSpec *spec,
                      size_t *keys_done, Batch *b, Error *err)
{
    const PlanNode *p = lv->build_p;
    if (lv->lazy_keys == NULL) {
        return tam_scan_next(p->table->am, scan, b, err);
    }
    batch_reset(b);
    while (b->row_count == 0 && *keys_done < lv->lazy_key_count) {
        size_t left = lv->lazy_key_count - *keys_done;
        int consumed = 0;
        int rc = tam_fetch_int_keys(p->table->am, es->env->txn, &p->table->desc,
                                    lv->lazy_keys + *keys_done, left > 65536 ? 65536 : (int)left,
                                    spec->columns, spec->column_count, b, &consumed, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        *keys_done += (size_t)consumed;
    }
    return STRATA_OK;
}

/* Whether a build side has outgrown its memory: past vp->build_limit bytes
 * when the aggregate above hands over to the row executor instead (sets
 * *vp->overflow; the error is not reported), else past the statement's memory cap (53200). */
static int build_memory_check(const VecPipe *vp, ExecState *es, Error *err)
{
    if (vp->overflow != NULL && arena_used_bytes(es->a) > vp->build_limit) {
        __atomic_store_n(vp->overflow, 1, __ATOMIC_RELAXED);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    return exec_check_work_mem(es, err);
}

static int drain_build_scan(const VecPipe *vp, ExecState *es, const Value *corr, VecLevel *lv,
                            Error *err)
{
    const PlanNode *p = lv->build_p;
    int sw = p->column_count, bw = 0, width = lv->kept_count + lv->key_count;
    bool *used = arena_zalloc(es->a, (size_t)sw + 1);
    int *map = arena_alloc(es->a, sizeof(int) * (size_t)(sw + 1));
    int *cols = arena_alloc(es->a, sizeof(int) * (size_t)(sw + 1));
    SqlType *types = arena_alloc(es->a, sizeof(SqlType) * (size_t)(sw + 1));
    Value *scan_row = arena_zalloc(es->a, sizeof(Value) * (size_t)(sw + 1));
    Value *tmp = arena_alloc(es->a, sizeof(Value) * (size_t)(width + 1));
    uint16_t *sel = arena_alloc(es->a, sizeof(uint16_t) * BATCH_CAPACITY);
    VecFilter *f = arena_alloc(es->a, sizeof(VecFilter));
    if (used == NULL || map == NULL || cols == NULL || types == NULL || scan_row == NULL ||
        tmp == NULL || sel == NULL || f == NULL) {
        return nomem(es, err);
    }
    mark_columns(p->qual, used, sw);
    int *src = arena_alloc(es->a, sizeof(int) * (size_t)(width + 1));
    if (src == NULL) {
        return nomem(es, err);
    }
    for (int c = 0; c < lv->kept_count; c++) {
        src[c] = lv->kept[c];
    }
    for (int k = 0; k < lv->key_count; k++) {
        src[lv->kept_count + k] = lv->build_keys[k]->index;
    }
    for (int c = 0; c < width; c++) {
        used[src[c]] = true;
    }
    int *bcols = arena_alloc(es->a, sizeof(int) * (size_t)(width + 1));
    if (bcols == NULL) {
        return nomem(es, err);
    }
    for (int c = 0; c < sw; c++) {
        map[c] = used[c] ? bw : -1;
        scan_row[c] = value_null(p->column_types[c]);
        if (used[c]) {
            cols[bw] = p->scan_columns[c];
            types[bw++] = p->column_types[c];
        }
    }
    if (bw == 0) {
        cols[bw] = p->scan_columns[0];
        types[bw++] = p->column_types[0];
    }
    for (int c = 0; c < width; c++) {
        bcols[c] = map[src[c]];
    }
    /* One integer key: keys go to ikeys/key_null, rows keep the kept columns, interned. */
    RowIntern intern = {0};
    size_t keys_cap = 0;
    lv->keys_split = lv->int_keys;
    for (int c = 0; c < lv->kept_count; c++) {
        intern.off |= !intern_type_ok(p->column_types[src[c]]);
    }
    if (p->est_rows > 0 || lv->lazy_keys != NULL) {
        /* Sized up front: a million-row dimension grows no arrays. */
        size_t want = lv->lazy_keys != NULL ? lv->lazy_key_count + 1
                      : p->est_rows < 4e6   ? (size_t)p->est_rows + 1
                                            : (size_t)4000000;
        lv->rows.rows = arena_alloc(es->a, sizeof(Value *) * want);
        if (lv->rows.rows == NULL) {
            return nomem(es, err);
        }
        lv->rows.capacity = want;
        if (lv->keys_split) {
            lv->ikeys = arena_alloc(es->a, sizeof(int64_t) * want);
            lv->key_null = arena_alloc(es->a, want);
            if (lv->ikeys == NULL || lv->key_null == NULL) {
                return nomem(es, err);
            }
            keys_cap = want;
        }
    }
    ScanSpec spec = {.columns = cols, .column_count = bw};
    TableScan *scan = NULL;
    int rc;
    if (lv->lazy_keys == NULL &&
        ((rc = exec_scan_filters(p, es->a, &spec.filters, &spec.filter_count, err)) != STRATA_OK ||
         (rc = tam_scan_begin(p->table->am, es->env->txn, &p->table->desc, &spec, es->a, &scan,
                              err)) != STRATA_OK)) {
        return rc;
    }
    size_t keys_done = 0;
    Batch *b = batch_create(es->a, types, bw, 0);
    if (b == NULL) {
        return nomem(es, err);
    }
    vec_filter_compile(p->qual, p->column_types, sw, map, f);
    if ((rc = vec_filter_prepare(f, es, p->column_types, err)) != STRATA_OK) {
        return rc;
    }
    NodeStats *st = node_stats(es, p);
    if (st != NULL) {
        st->loops++;
    }
    for (;;) {
        int count;
        if ((rc = exec_check_interrupt(es, err)) != STRATA_OK ||
            (rc = build_next(es, lv, scan, &spec, &keys_done, b, err)) != STRATA_OK ||
            b->row_count == 0 ||
            (rc = vec_filter_run(f, es, corr, b, scan_row, sel, &count, err)) != STRATA_OK) {
            break;
        }
        if (st != NULL) {
            st->rows += (uint64_t)count;
        }
        if (lv->keys_split) {
            rc = split_rows_push(es, lv, &intern, b, bcols, p->column_types, src, sel, count,
                                 &keys_cap, tmp, err);
        }
        for (int i = 0; i < count && !lv->keys_split; i++) {
            for (int c = 0; c < width; c++) {
                batch_get_value(b, map[src[c]], sel[i], &tmp[c]);
                tmp[c].type = p->column_types[src[c]];
            }
            Value *copy = row_copy(es->a, tmp, width);
            if (copy == NULL || row_list_push(es->a, &lv->rows, copy) != STRATA_OK) {
                rc = nomem(es, err);
                break;
            }
        }
        if (rc == STRATA_OK) {
            rc = build_memory_check(vp, es, err);
        }
        if (rc != STRATA_OK) {
            break;
        }
    }
    if (scan != NULL) {
        tam_scan_end(p->table->am, scan);
    }
    lv->interned = lv->keys_split && !intern.off;
    return rc;
}

/* Runs the build side and keeps each row compact: the columns the pipeline
 * reads (lv->kept, in order) followed by the row's evaluated join keys, so a
 * million-row dimension costs a few Values per row, not all of its columns. */
static int drain_build(const VecPipe *vp, ExecState *es, const Value *corr, VecLevel *lv,
                       Error *err)
{
    if (build_scan_ok(lv)) {
        return drain_build_scan(vp, es, corr, lv, err);
    }
    ExecNode *child;
    int rc = exec_build(es, lv->build_p, corr, &child, err);
    int width = lv->kept_count + lv->key_count;
    Value *tmp = arena_alloc(es->a, sizeof(Value) * (size_t)(width + 1));
    if (tmp == NULL) {
        return nomem(es, err);
    }
    while (rc == STRATA_OK) {
        Value *row;
        if ((rc = child->next(child, &row, err)) != STRATA_OK || row == NULL) {
            break;
        }
        for (int c = 0; c < lv->kept_count; c++) {
            tmp[c] = row[lv->kept[c]];
        }
        bool has_null;
        if ((rc = build_keys_of(es, corr, lv, row, &tmp[lv->kept_count], &has_null, err)) !=
            STRATA_OK) {
            return rc;
        }
        Value *copy = row_copy(es->a, tmp, width);
        if (copy == NULL || row_list_push(es->a, &lv->rows, copy) != STRATA_OK) {
            return nomem(es, err);
        }
        if ((rc = build_memory_check(vp, es, err)) != STRATA_OK) {
            return rc;
        }
    }
    return rc;
}

/* Fills ikeys / key_null from each build row's keys. */
static int build_keys_all(ExecState *es, VecLevel *lv, Error *err)
{
    if ((lv->key_null = arena_alloc(es->a, lv->rows.count + 1)) == NULL) {
        return nomem(es, err);
    }
    for (size_t r = 0; r < lv->rows.count; r++) {
        const Value *keys = &lv->rows.rows[r][lv->kept_count];
        bool has_null = false;
        for (int k = 0; k < lv->key_count; k++) {
            has_null |= keys[k].is_null;
        }
        lv->key_null[r] = has_null;
        lv->ikeys[r] = keys[0].i64;
    }
    return STRATA_OK;
}

/* Integer keys in a range at most four times the row count (surrogate keys
 * 1..N) or at most 256K wide: a direct array from key - minimum to the first
 * row with that key, chained through lv->chain (rows of one key, in build
 * order). No hashing and one random access per probe. Leaves lv->dense NULL
 * otherwise. */
static int build_dense(ExecState *es, VecLevel *lv, Error *err)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t r = 0; r < lv->rows.count; r++) {
        if (!lv->key_null[r]) {
            lo = lv->ikeys[r] < lo ? lv->ikeys[r] : lo;
            hi = lv->ikeys[r] > hi ? lv->ikeys[r] : hi;
        }
    }
    /* Also any span up to 256K slots (1 MB): yyyymmdd date keys span 100K for 3,653 days. */
    uint64_t rows = lv->rows.count > lv->dense_rows_min ? lv->rows.count : lv->dense_rows_min;
    if (lo > hi || ((uint64_t)hi - (uint64_t)lo >= 4 * rows + 1024 &&
                    (uint64_t)hi - (uint64_t)lo >= 262144)) {
        return STRATA_OK;
    }
    size_t span = (size_t)((uint64_t)hi - (uint64_t)lo) + 1;
    lv->dense = arena_alloc(es->a, sizeof(int) * span);
    if (lv->dense == NULL) {
        return nomem(es, err);
    }
    memset(lv->dense, 0xff, sizeof(int) * span);
    lv->dense_min = lo;
    lv->dense_span = span;
    lv->dense_unique = true;
    for (size_t r = lv->rows.count; r-- > 0;) {
        lv->chain[r] = -1;
        if (!lv->key_null[r]) {
            size_t slot = (size_t)((uint64_t)lv->ikeys[r] - (uint64_t)lo);
            lv->chain[r] = lv->dense[slot];
            lv->dense_unique &= lv->chain[r] < 0;
            lv->dense[slot] = (int)r;
        }
    }
    return STRATA_OK;
}

/* A build row's join keys (the tail of its compact row). */
static inline const Value *row_keys(const VecLevel *lv, size_t r)
{
    return &lv->rows.rows[r][lv->kept_count];
}

static int build_tables(const VecPipe *vp, ExecState *es, const Value *corr, VecLevel *lv,
                        Error *err)
{
    int rc = drain_build(vp, es, corr, lv, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t count = lv->rows.count;
    lv->chain = arena_alloc(es->a, sizeof(int) * (count + 1));
    if (lv->chain == NULL) {
        return nomem(es, err);
    }
    if (!lv->keys_split) {
        lv->ikeys = arena_alloc(es->a, sizeof(int64_t) * (count + 1));
        if (lv->ikeys == NULL) {
            return nomem(es, err);
        }
        if ((rc = build_keys_all(es, lv, err)) != STRATA_OK) {
            return rc;
        }
    }
    /* A direct array only for keys probed straight from the fact batch (probe_level
     * reads it there; keys from an earlier level go through the hash table). */
    if (lv->int_keys && lv->probe_keys[0].level < 0 && (rc = build_dense(es, lv, err)) != STRATA_OK) {
        return rc;
    }
    if (lv->dense != NULL) {
        return STRATA_OK;
    }
    size_t buckets = 16;
    while (buckets < count * 2) {
        buckets *= 2;
    }
    lv->mask = buckets - 1;
    lv->heads = arena_alloc(es->a, sizeof(int) * buckets);
    lv->hashes = arena_alloc(es->a, sizeof(uint64_t) * (count + 1));
    if (lv->heads == NULL || lv->hashes == NULL) {
        return nomem(es, err);
    }
    memset(lv->heads, 0xff, sizeof(int) * buckets);
    /* Inserted from the last row down, so each chain lists rows in build order. */
    for (size_t r = count; r-- > 0;) {
        lv->chain[r] = -1;
        if (lv->key_null[r]) {
            continue;
        }
        uint64_t h = lv->int_keys ? hash_u64((uint64_t)lv->ikeys[r])
                                  : row_hash(row_keys(lv, r), lv->key_count);
        lv->hashes[r] = h;
        lv->chain[r] = lv->heads[h & lv->mask];
        lv->heads[h & lv->mask] = (int)r;
    }
    return STRATA_OK;
}

/* Builds level lv; a LEFT level then gets its NULL row (lv->unmatched), appended after
 * the rows the hash table or direct array index, so no probe finds it. */
static int build_level(const VecPipe *vp, ExecState *es, const Value *corr, VecLevel *lv,
                       Error *err)
{
    int rc = build_tables(vp, es, corr, lv, err);
    if (rc != STRATA_OK || !lv->left) {
        return rc;
    }
    int width = lv->kept_count + (lv->keys_split ? 0 : lv->key_count);
    Value *row = arena_alloc(es->a, sizeof(Value) * (size_t)(width + 1));
    if (row == NULL) {
        return nomem(es, err);
    }
    for (int c = 0; c < lv->kept_count; c++) {
        row[c] = value_null(lv->build_p->column_types[lv->kept[c]]);
    }
    for (int k = lv->kept_count; k < width; k++) {
        row[k] = value_null(lv->build_keys[k - lv->kept_count]->type);
    }
    lv->unmatched = (int)lv->rows.count;
    return row_list_push(es->a, &lv->rows, row) == STRATA_OK ? STRATA_OK : nomem(es, err);
}

/* ---- probing ------------------------------------------------------------------------------ */

static int tuples_reserve(VecPipe *vp, ExecState *es, VecTuples *t, int count, Error *err)
{
    if (count <= t->capacity) {
        return STRATA_OK;
    }
    int cap = t->capacity ? t->capacity : BATCH_CAPACITY;
    while (cap < count) {
        cap *= 2;
    }
    uint16_t *rows = arena_alloc(es->a, sizeof(uint16_t) * (size_t)cap);
    if (rows == NULL) {
        return nomem(es, err);
    }
    if (t->count > 0) {
        memcpy(rows, t->rows, sizeof(uint16_t) * (size_t)t->count);
    }
    t->rows = rows;
    for (int l = 0; l < vp->level_count; l++) {
        int *m = arena_alloc(es->a, sizeof(int) * (size_t)cap);
        if (m == NULL) {
            return nomem(es, err);
        }
        if (t->count > 0) {
            memcpy(m, t->match[l], sizeof(int) * (size_t)t->count);
        }
        t->match[l] = m;
    }
    t->capacity = cap;
    return STRATA_OK;
}


static int emit(VecPipe *vp, ExecState *es, const VecTuples *in, int i, int level, int match,
                VecTuples *out, Error *err)
{
    if (out->count == out->capacity) {
        int rc = tuples_reserve(vp, es, out, out->count + 1, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    int o = out->count++;
    out->rows[o] = in->rows[i];
    for (int l = 0; l < level; l++) {
        out->match[l][o] = in->match[l][i];
    }
    out->match[level][o] = match;
    return STRATA_OK;
}

static void tuples_swap(VecPipe *vp)
{
    VecTuples swap = vp->cur;
    vp->cur = vp->next;
    vp->next = swap;
}

/* probe_dense for a table with one row per key: at most one output tuple per
 * input tuple, so the output is sized once; the earlier levels' matches are
 * gathered level by level after the lookups (out->match[level] holds the
 * input index until then). */
static int probe_dense_unique(VecPipe *vp, ExecState *es, int level, const Vector *kv,
                              Error *err)
{
    VecLevel *lv = &vp->levels[level];
    VecTuples *in = &vp->cur, *out = &vp->next;
    int rc = tuples_reserve(vp, es, out, in->count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const int64_t *data = kv->i64;
    const uint8_t *nulls = kv->nulls;
    const int *dense = lv->dense;
    uint64_t span = lv->dense_span, min = (uint64_t)lv->dense_min;
    bool prefetch = span > 16384; /* a device or date table stays in the caches */
    /* In locals: the stores into the tuples could alias lv and in for the compiler. */
    bool anti = lv->anti, left = lv->left;
    const uint16_t *in_rows = in->rows;
    uint16_t *out_rows = out->rows;
    int *index = out->match[level], o = 0, in_count = in->count;
    for (int i = 0; i < in_count; i++) {
        if (prefetch && i + VEC_PREFETCH_AHEAD < in_count) {
            uint64_t ahead = (uint64_t)data[in_rows[i + VEC_PREFETCH_AHEAD]] - min;
            if (ahead < span) {
                __builtin_prefetch(&dense[ahead]);
            }
        }
        int row = in_rows[i];
        uint64_t slot = (uint64_t)data[row] - min;
        bool hit = slot < span && (nulls == NULL || !nulls[row]) && dense[slot] >= 0;
        if (hit != anti || left) {
            out_rows[o] = (uint16_t)row;
            index[o++] = i;
        }
    }
    for (int l = 0; l < level; l++) {
        const int *from = in->match[l];
        int *to = out->match[l];
        for (int k = 0; k < o; k++) {
            to[k] = from[index[k]];
        }
    }
    for (int k = 0; k < o && anti; k++) {
        index[k] = -1;
    }
    for (int k = 0; k < o && !anti && !left; k++) {
        index[k] = dense[(uint64_t)data[out_rows[k]] - min];
    }
    for (int k = 0; k < o && left; k++) {
        int row = out_rows[k];
        uint64_t slot = (uint64_t)data[row] - min;
        bool hit = slot < span && (nulls == NULL || !nulls[row]) && dense[slot] >= 0;
        index[k] = hit ? dense[slot] : lv->unmatched;
    }
    out->count = o;
    tuples_swap(vp);
    return STRATA_OK;
}

/* Probing a dense table with a batch column: prefetch every tuple's slot
 * first (the table of a million-row dimension is far bigger than the
 * caches), then collect the matches. */
static int probe_dense(VecPipe *vp, ExecState *es, int level, const Vector *kv, Error *err)
{
    VecLevel *lv = &vp->levels[level];
    VecTuples *in = &vp->cur, *out = &vp->next;
    const int64_t *data = kv->i64;
    const uint8_t *nulls = kv->nulls;
    uint64_t span = lv->dense_span;
    /* A table that stays in the caches (a device or date dimension) needs no prefetch. */
    bool prefetch = span > 16384;
    if (lv->dense_unique || lv->semi || lv->anti) {
        /* a semi / anti level emits a tuple at most once, as a unique table does */
        return probe_dense_unique(vp, es, level, kv, err);
    }
    out->count = 0;
    for (int i = 0; i < in->count; i++) {
        /* A few tuples ahead: more outstanding prefetches than the core can track are dropped. */
        if (prefetch && i + VEC_PREFETCH_AHEAD < in->count) {
            uint64_t ahead =
                (uint64_t)data[in->rows[i + VEC_PREFETCH_AHEAD]] - (uint64_t)lv->dense_min;
            if (ahead < span) {
                __builtin_prefetch(&lv->dense[ahead]);
            }
        }
        int row = in->rows[i];
        uint64_t slot = (uint64_t)data[row] - (uint64_t)lv->dense_min;
        if (slot >= span || (nulls != NULL && nulls[row]) || lv->dense[slot] < 0) {
            int rc = lv->left ? emit(vp, es, in, i, level, lv->unmatched, out, err) : STRATA_OK;
            if (rc != STRATA_OK) {
                return rc;
            }
            continue;
        }
        for (int r = lv->dense[slot]; r >= 0; r = lv->chain[r]) {
            if (out->count < out->capacity && level == 0) {
                out->rows[out->count] = (uint16_t)row;
                out->match[0][out->count++] = r;
                continue;
            }
            int rc = emit(vp, es, in, i, level, r, out, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    tuples_swap(vp);
    return STRATA_OK;
}

static int probe_level(VecPipe *vp, ExecState *es, int level, Error *err)
{
    VecLevel *lv = &vp->levels[level];
    VecTuples *in = &vp->cur, *out = &vp->next;
    out->count = 0;
    const Vector *kv = NULL;
    if (lv->int_keys && lv->probe_keys[0].level < 0) {
        kv = &vp->batch->columns[lv->probe_keys[0].column];
    }
    if (kv != NULL && lv->dense != NULL) {
        return probe_dense(vp, es, level, kv, err);
    }
    Value keys[VEC_KEYS_MAX];
    int rc;
    for (int i = 0; i < in->count; i++) {
        int64_t ik = 0;
        uint64_t h;
        if (kv != NULL) {
            int r = in->rows[i];
            if (kv->nulls != NULL && kv->nulls[r]) {
                if ((lv->anti || lv->left) &&
                    (rc = emit(vp, es, in, i, level, lv->unmatched, out, err)) != STRATA_OK) {
                    return rc;
                }
                continue;
            }
            ik = kv->i64[r];
            h = hash_u64((uint64_t)ik);
        } else {
            bool has_null = false;
            for (int k = 0; k < lv->key_count; k++) {
                vec_source_value(vp, in, i, lv->probe_keys[k], &keys[k]);
                has_null |= keys[k].is_null;
            }
            if (has_null) {
                if ((lv->anti || lv->left) &&
                    (rc = emit(vp, es, in, i, level, lv->unmatched, out, err)) != STRATA_OK) {
                    return rc;
                }
                continue;
            }
            ik = keys[0].i64;
            h = lv->int_keys ? hash_u64((uint64_t)ik) : row_hash(keys, lv->key_count);
        }
        bool found = false;
        for (int r = lv->heads[h & lv->mask]; r >= 0; r = lv->chain[r]) {
            bool equal = lv->int_keys
                             ? lv->ikeys[r] == ik
                             : lv->hashes[r] == h &&
                                   rows_equal_nulls(row_keys(lv, (size_t)r), keys, lv->key_count);
            if (equal && !lv->anti && (rc = emit(vp, es, in, i, level, r, out, err)) != STRATA_OK) {
                return rc;
            }
            found |= equal;
            if (found && (lv->semi || lv->anti)) {
                break; /* a semi level emits a tuple once, an anti level not at all */
            }
        }
        if ((lv->anti || lv->left) && !found &&
            (rc = emit(vp, es, in, i, level, lv->unmatched, out, err)) != STRATA_OK) {
            return rc;
        }
    }
    VecTuples swap = *in;
    *in = *out;
    *out = swap;
    return STRATA_OK;
}

/* The EXPLAIN ANALYZE counters of plan node p, or NULL when not collected. */
static NodeStats *node_stats(ExecState *es, const PlanNode *p)
{
    if (es->stats == NULL || p->id < 0 || p->id >= es->plan->node_count) {
        return NULL;
    }
    return &es->stats[p->id];
}

static void count_rows(ExecState *es, const PlanNode *p, int rows)
{
    NodeStats *st = node_stats(es, p);
    if (st != NULL) {
        st->rows += (uint64_t)rows;
    }
}

static int replay_next(VecPipe *vp, ExecState *es, Error *err);

int vec_next_tuples(VecPipe *vp, ExecState *es, const Value *corr, Error *err)
{
    const TableAm *am = vp->scan_p->table->am;
    vp->cur.count = 0;
    if (vp->replay) {
        return vp->done ? STRATA_OK : replay_next(vp, es, err);
    }
    while (!vp->done) {
        int rc;
        if ((rc = exec_check_interrupt(es, err)) != STRATA_OK ||
            (rc = tam_scan_next(am, vp->scan, vp->batch, err)) != STRATA_OK) {
            return rc;
        }
        vp->scan_node.scan = vp->scan;
        exec_scan_count(&vp->scan_node, am);
        if (es == vp->scan_node.es) { /* statistics: the leader's rows (not a worker's) */
            exec_scan_stat_add(&vp->scan_node, NULL, vp->batch->row_count == 0 ? 1 : 0,
                               (uint64_t)vp->batch->row_count, 0);
        }
        if (vp->batch->row_count == 0) {
            tam_scan_end(am, vp->scan);
            vp->scan = NULL;
            vp->done = true;
            break;
        }
        if ((rc = tuples_reserve(vp, es, &vp->cur, BATCH_CAPACITY, err)) != STRATA_OK ||
            (rc = tuples_reserve(vp, es, &vp->next, BATCH_CAPACITY, err)) != STRATA_OK) {
            return rc;
        }
        int count;
        if ((rc = vec_filter_run(&vp->filter, es, corr, vp->batch, vp->scan_row, vp->cur.rows,
                                 &count, err)) != STRATA_OK) {
            return rc;
        }
        vp->cur.count = count;
        count_rows(es, vp->scan_p, count);
        for (int l = 0; l < vp->level_count && vp->cur.count > 0; l++) {
            if ((rc = probe_level(vp, es, l, err)) != STRATA_OK) {
                return rc;
            }
            count_rows(es, vp->levels[l].p, vp->cur.count);
        }
        if (vp->cur.count > 0) {
            break;
        }
    }
    return STRATA_OK;
}

/* ---- start -------------------------------------------------------------------------------- */

/* Join filter pushdown: a fact row can only match if its key lies within the
 * build side's key range, so [min, max] of each level's integer keys becomes
 * a pair of ScanFilters on the probing fact column. The column store then
 * skips row groups by their zone maps (a dimension filtered to one month
 * reads one month of facts); the probe still checks every key. */
static int key_range_filters(VecPipe *vp, ExecState *es, ScanSpec *spec, Error *err)
{
    int extra = 0;
    for (int l = 0; l < vp->level_count; l++) {
        extra += 2;
    }
    if (extra == 0) {
        return STRATA_OK;
    }
    ScanFilter *filters =
        arena_alloc(es->a, sizeof(ScanFilter) * (size_t)(spec->filter_count + extra));
    Value *bounds = arena_zalloc(es->a, sizeof(Value) * (size_t)extra);
    if (filters == NULL || bounds == NULL) {
        return nomem(es, err);
    }
    if (spec->filter_count > 0) {
        memcpy(filters, spec->filters, sizeof(ScanFilter) * (size_t)spec->filter_count);
    }
    int count = spec->filter_count, used = 0;
    for (int l = 0; l < vp->level_count; l++) {
        const VecLevel *lv = &vp->levels[l];
        if (!lv->int_keys || lv->probe_keys[0].level >= 0 || lv->anti || lv->left ||
            (lv->build_p->kind == PLAN_SCAN && lv->build_p->qual == NULL)) {
            /* An unfiltered dimension's range covers the facts: checking it
             * row by row in the scan would only cost. */
            continue;
        }
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (size_t r = 0; r < lv->rows.count; r++) {
            if (!lv->key_null[r]) {
                lo = lv->ikeys[r] < lo ? lv->ikeys[r] : lo;
                hi = lv->ikeys[r] > hi ? lv->ikeys[r] : hi;
            }
        }
        if (lo > hi) {
            continue; /* only NULL keys: the probe finds nothing anyway */
        }
        int column = vp->batch_table_columns[lv->probe_keys[0].column];
        SqlType type = vp->batch_types[lv->probe_keys[0].column];
        bounds[used] = (Value){.type = type, .i64 = lo};
        bounds[used + 1] = (Value){.type = type, .i64 = hi};
        filters[count++] = (ScanFilter){
            .column = column, .op = FILTER_GE, .values = &bounds[used], .value_count = 1};
        filters[count++] = (ScanFilter){
            .column = column, .op = FILTER_LE, .values = &bounds[used + 1], .value_count = 1};
        used += 2;
    }
    spec->filters = filters;
    spec->filter_count = count;
    return STRATA_OK;
}

/* Opens the fact scan (only the columns used; the zone-map filters of its
 * qual and of the built levels' key ranges) and, the first time, its batch,
 * scratch row and filter. */
static int fact_scan_open(VecPipe *vp, ExecState *es, Error *err)
{
    const PlanNode *p = vp->scan_p;
    ScanSpec spec = {0};
    spec.columns = vp->batch_table_columns;
    spec.column_count = vp->batch_width;
    spec.filters_skip_only = true; /* the filter kernels and the probes check every row */
    int rc;
    if ((rc = exec_scan_filters(p, es->a, &spec.filters, &spec.filter_count, err)) != STRATA_OK ||
        (rc = key_range_filters(vp, es, &spec, err)) != STRATA_OK ||
        (rc = tam_scan_begin(p->table->am, es->env->txn, &p->table->desc, &spec, es->a, &vp->scan,
                             err)) != STRATA_OK) {
        return rc;
    }
    vp->spec = spec; /* a parallel run reopens the scan with a claim (vec_parallel.c) */
    vp->done = false;
    if (vp->scan_batch != NULL) {
        vp->batch = vp->scan_batch; /* not a replayed one (lazy levels) */
        return STRATA_OK;
    }
    vp->batch = vp->scan_batch = batch_create(es->a, vp->batch_types, vp->batch_width, 0);
    vp->scan_row = arena_zalloc(es->a, sizeof(Value) * (size_t)(p->column_count + 1));
    if (vp->batch == NULL || vp->scan_row == NULL) {
        return nomem(es, err);
    }
    for (int c = 0; c < p->column_count; c++) {
        vp->scan_row[c] = value_null(p->column_types[c]);
    }
    vec_filter_compile(p->qual, p->column_types, p->column_count, vp->scan_map, &vp->filter);
    return vec_filter_prepare(&vp->filter, es, p->column_types, err);
}

/* ---- lazy levels -------------------------------------------------------------------------- */

/* A large dimension joined on its integer primary key to a fact column is
 * often needed for few of its rows: q01 of the star benchmark joins 1M users
 * to the ~30,000 facts of one month on mobile devices. Such a level is built
 * lazily: the other levels first, then a pass over the fact table (only the
 * columns the filter and those probes read) collects the keys that reach it,
 * and tam_fetch_int_keys looks up just those, in key order, instead of a
 * scan of the whole table. When the distinct keys number more than half the
 * dimension's rows the level is scanned as before (repeats do not count: at
 * 20M facts q01's 466K tuples probe 231K users). Results are the same either
 * way: the level holds every build row whose key some fact tuple probes.
 *
 * The pass also keeps the tuples it probed, with a compact copy of the batch
 * rows they reference (lazy_save, up to work_mem), and the pipeline then
 * replays them through the lazy level alone instead of scanning, filtering
 * and probing the facts a second time; past the budget it scans again. */
#define VEC_LAZY_MIN_ROWS 65536

/* The lazy candidate: the level whose table has the most rows, or -1;
 * *rows = its row count (TableAm.stats: the filtered estimate of the plan
 * says little about the cost of scanning the table). */
static int lazy_pick(const VecPipe *vp, ExecState *es, double *rows, Error *err)
{
    int best = -1;
    *rows = 0;
    for (int l = 0; l < vp->level_count; l++) {
        const VecLevel *lv = &vp->levels[l];
        const PlanNode *b = lv->build_p;
        TableStats ts;
        if (!lv->int_keys || lv->probe_keys[0].level >= 0 || lv->semi || lv->anti || lv->left ||
            !build_scan_ok(lv) ||
            b->table->am->fetch_int_keys == NULL || b->table->desc.key_count != 1 ||
            b->table->desc.key_columns[0] != b->scan_columns[lv->build_keys[0]->index] ||
            tam_stats(b->table->am, es->env->txn, &b->table->desc, &ts, err) != STRATA_OK ||
            ts.row_count < VEC_LAZY_MIN_ROWS) {
            continue;
        }
        /* Worth a pass only when something filters the facts before this level
         * or there are fewer facts than dimension rows. */
        bool others_filter = vp->scan_p->qual != NULL;
        for (int o = 0; o < vp->level_count; o++) {
            const PlanNode *ob = vp->levels[o].build_p;
            others_filter |= o != l && (ob->kind != PLAN_SCAN || ob->qual != NULL);
        }
        if ((others_filter || vp->scan_p->est_rows < 2 * (double)ts.row_count) &&
            (double)ts.row_count > *rows) {
            best = l;
            *rows = (double)ts.row_count;
        }
    }
    return best;
}

/* Whether level l can be probed while level lazy is not built (its keys come
 * from the fact batch or from levels other than lazy). */
static bool probes_without(const VecPipe *vp, int l, int lazy)
{
    for (int k = 0; k < vp->levels[l].key_count; k++) {
        if (vp->levels[l].probe_keys[k].level == lazy) {
            return false;
        }
    }
    return l != lazy;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts keys[0..*count) and drops duplicates (a bitmap over their span when
 * it is small next to the count, else qsort). */
static int keys_sort_unique(ExecState *es, int64_t *keys, size_t *count, Error *err)
{
    size_t n = *count;
    if (n == 0) {
        return STRATA_OK;
    }
    int64_t lo = keys[0], hi = keys[0];
    for (size_t i = 1; i < n; i++) {
        lo = keys[i] < lo ? keys[i] : lo;
        hi = keys[i] > hi ? keys[i] : hi;
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
    if (span == 0 || span / 64 > 4 * (uint64_t)n + 65536) {
        qsort(keys, n, sizeof(int64_t), cmp_i64);
        size_t out = 1;
        for (size_t i = 1; i < n; i++) {
            if (keys[i] != keys[out - 1]) {
                keys[out++] = keys[i];
            }
        }
        *count = out;
        return STRATA_OK;
    }
    size_t words = (size_t)(span + 63) / 64;
    uint64_t *bits = arena_zalloc(es->a, sizeof(uint64_t) * words);
    if (bits == NULL) {
        return nomem(es, err);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t at = (uint64_t)keys[i] - (uint64_t)lo;
        bits[at / 64] |= UINT64_C(1) << (at % 64);
    }
    size_t out = 0;
    for (size_t w = 0; w < words; w++) {
        for (uint64_t word = bits[w]; word != 0; word &= word - 1) {
            keys[out++] = (int64_t)((uint64_t)lo + w * 64 + (uint64_t)__builtin_ctzll(word));
        }
    }
    *count = out;
    return STRATA_OK;
}

/* Probes one batch's tuples through every level but the lazy one (and those
 * keyed on it), like vec_next_tuples. */
static int probe_without_lazy(VecPipe *vp, ExecState *es, Error *err)
{
    int lazy = vp->lazy;
    for (int i = 0; i < vp->cur.count; i++) {
        vp->cur.match[lazy][i] = -1;
    }
    for (int l = 0; l < vp->level_count && vp->cur.count > 0; l++) {
        if (!probes_without(vp, l, lazy)) {
            continue;
        }
        int rc = probe_level(vp, es, l, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* Whether the collecting pass may keep its tuples for the pipeline to replay:
 * every level but the lazy one is probed in the pass (none is keyed on the
 * lazy level), so the replay only probes the lazy level, whose keys are the
 * table's primary key (one match at most: tuples keep their order). Not
 * under EXPLAIN ANALYZE, whose per-node counts follow the level order. */
static bool replay_possible(const VecPipe *vp, const ExecState *es)
{
    for (int l = 0; l < vp->level_count; l++) {
        if (l != vp->lazy && !probes_without(vp, l, vp->lazy)) {
            return false;
        }
    }
    return es->stats == NULL;
}

/* Copies rows src[0..n) of vector v into d (es->a), strings with their bytes. */
static int vector_gather(ExecState *es, const Vector *v, const int *src, int n, Vector *d,
                         Error *err)
{
    PhysKind kind = type_phys(v->type.id);
    size_t width = (size_t)phys_width(kind);
    d->type = v->type;
    d->data = arena_alloc(es->a, width * (size_t)n + 1);
    d->nulls = v->nulls != NULL ? arena_alloc(es->a, (size_t)n + 1) : NULL;
    if (d->data == NULL || (v->nulls != NULL && d->nulls == NULL)) {
        return nomem(es, err);
    }
    if (width == sizeof(int64_t)) {
        for (int k = 0; k < n; k++) {
            memcpy((char *)d->data + (size_t)k * 8, (const char *)v->data + (size_t)src[k] * 8, 8);
        }
    } else {
        for (int k = 0; k < n; k++) {
            memcpy((char *)d->data + (size_t)k * width,
                   (const char *)v->data + (size_t)src[k] * width, width);
        }
    }
    for (int k = 0; k < n && d->nulls != NULL; k++) {
        d->nulls[k] = v->nulls[src[k]];
    }
    for (int k = 0; k < n && kind == PHYS_STRING; k++) {
        StrRef *ref = &d->str[k];
        if ((d->nulls != NULL && d->nulls[k]) || ref->len == 0) {
            continue;
        }
        char *copy = arena_alloc(es->a, (size_t)ref->len + 1);
        if (copy == NULL) {
            return nomem(es, err);
        }
        memcpy(copy, ref->ptr, ref->len);
        copy[ref->len] = '\0';
        ref->ptr = copy;
    }
    for (int k = 0; k < n && kind == PHYS_DECIMAL; k++) {
        /* a big numeric's bytes are kept like a string's */
        if ((d->nulls == NULL || !d->nulls[k]) &&
            numeric_copy(&d->dec[k], es->a, &d->dec[k], err) != STRATA_OK) {
            return nomem(es, err);
        }
    }
    return STRATA_OK;
}

/* Keeps the current tuples in vp->saved with a compact copy of the batch rows
 * they reference (ascending: tuples keep scan order, invariant 2). scratch
 * holds two ints per batch row. */
static int lazy_save(VecPipe *vp, ExecState *es, int *scratch, Error *err)
{
    const VecTuples *t = &vp->cur;
    const Batch *b = vp->batch;
    size_t before = arena_used_bytes(es->a);
    if (vp->saved_count == vp->saved_capacity) {
        size_t cap = vp->saved_capacity > 0 ? vp->saved_capacity * 2 : 64;
        VecSaved *grown = arena_alloc(es->a, sizeof(VecSaved) * cap);
        if (grown == NULL) {
            return nomem(es, err);
        }
        if (vp->saved_count > 0) {
            memcpy(grown, vp->saved, sizeof(VecSaved) * vp->saved_count);
        }
        vp->saved = grown;
        vp->saved_capacity = cap;
    }
    VecSaved *s = &vp->saved[vp->saved_count];
    *s = (VecSaved){0};
    int *map = scratch, *src = scratch + b->row_count, n = 0;
    s->tuples.rows = arena_alloc(es->a, sizeof(uint16_t) * (size_t)t->count);
    s->batch.columns = arena_zalloc(es->a, sizeof(Vector) * (size_t)(b->column_count + 1));
    if (s->tuples.rows == NULL || s->batch.columns == NULL) {
        return nomem(es, err);
    }
    for (int r = 0; r < b->row_count; r++) {
        map[r] = -1;
    }
    for (int i = 0; i < t->count; i++) {
        int r = t->rows[i];
        if (map[r] < 0) {
            src[n] = r;
            map[r] = n++;
        }
        s->tuples.rows[i] = (uint16_t)map[r];
    }
    for (int c = 0; c < b->column_count; c++) {
        int rc = vector_gather(es, &b->columns[c], src, n, &s->batch.columns[c], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    for (int l = 0; l < vp->level_count; l++) {
        if (l == vp->lazy) {
            continue;
        }
        s->tuples.match[l] = arena_alloc(es->a, sizeof(int) * (size_t)t->count);
        if (s->tuples.match[l] == NULL) {
            return nomem(es, err);
        }
        memcpy(s->tuples.match[l], t->match[l], sizeof(int) * (size_t)t->count);
    }
    /* The capacity the expression evaluator sizes its vectors by: a scan batch's. */
    s->batch.column_count = b->column_count;
    s->batch.capacity = b->capacity;
    s->batch.row_count = n;
    s->tuples.count = s->tuples.capacity = t->count;
    vp->saved_count++;
    vp->saved_bytes += arena_used_bytes(es->a) - before;
    return STRATA_OK;
}

/* Appends the lazy level's keys of the current tuples to *keys. Past twice the
 * limit the keys are sorted and made distinct; *over when more than limit
 * distinct keys remain (the level is then scanned). */
static int lazy_keys_add(VecPipe *vp, ExecState *es, int64_t **keys, size_t *count,
                         size_t *capacity, size_t limit, bool *over, Error *err)
{
    const Vector *kv = &vp->batch->columns[vp->levels[vp->lazy].probe_keys[0].column];
    int rc;
    if (*count + (size_t)vp->cur.count > *capacity) {
        if ((rc = keys_sort_unique(es, *keys, count, err)) != STRATA_OK) {
            return rc;
        }
        if (*count > limit) {
            *over = true;
            return STRATA_OK;
        }
    }
    if (*count + (size_t)vp->cur.count > *capacity) {
        /* Duplicate keys in other levels can make more tuples than a batch has rows. */
        size_t cap = *count + (size_t)vp->cur.count + limit;
        int64_t *grown = arena_alloc(es->a, sizeof(int64_t) * cap);
        if (grown == NULL) {
            return nomem(es, err);
        }
        memcpy(grown, *keys, sizeof(int64_t) * *count);
        *keys = grown;
        *capacity = cap;
    }
    for (int i = 0; i < vp->cur.count; i++) {
        int r = vp->cur.rows[i];
        if (!vector_is_null(kv, r)) {
            (*keys)[(*count)++] = kv->i64[r];
        }
    }
    return STRATA_OK;
}

/* The collecting pass: the keys of the lazy level that the fact tuples
 * probe, into lv->lazy_keys (sorted, distinct), and while they fit in
 * work_mem the tuples themselves (vp->saved; vp->replay when all were kept).
 * *gave_up when the distinct keys pass half the table's rows. */
static int lazy_collect(VecPipe *vp, ExecState *es, const Value *corr, double table_rows,
                        bool *gave_up, Error *err)
{
    VecLevel *lv = &vp->levels[vp->lazy];
    size_t limit = (size_t)(table_rows / 2) + 1, count = 0, capacity = 2 * limit + 1;
    size_t budget = es->env->work_mem_bytes > 0 ? es->env->work_mem_bytes : (size_t)64 << 20;
    bool saving = replay_possible(vp, es);
    int64_t *keys = arena_alloc(es->a, sizeof(int64_t) * capacity);
    int *scratch = arena_alloc(es->a, sizeof(int) * 2 * BATCH_CAPACITY);
    int rc = keys != NULL && scratch != NULL ? fact_scan_open(vp, es, err) : nomem(es, err);
    const TableAm *am = vp->scan_p->table->am;
    *gave_up = false;
    vp->saved_count = vp->saved_bytes = 0;
    while (rc == STRATA_OK && (saving || !*gave_up)) {
        int found;
        if ((rc = exec_check_interrupt(es, err)) != STRATA_OK ||
            (rc = tam_scan_next(am, vp->scan, vp->batch, err)) != STRATA_OK ||
            vp->batch->row_count == 0) {
            break;
        }
        if ((rc = tuples_reserve(vp, es, &vp->cur, BATCH_CAPACITY, err)) != STRATA_OK ||
            (rc = tuples_reserve(vp, es, &vp->next, BATCH_CAPACITY, err)) != STRATA_OK ||
            (rc = vec_filter_run(&vp->filter, es, corr, vp->batch, vp->scan_row, vp->cur.rows,
                                 &found, err)) != STRATA_OK) {
            break;
        }
        vp->cur.count = found;
        if ((rc = probe_without_lazy(vp, es, err)) != STRATA_OK || vp->cur.count == 0) {
            continue;
        }
        if (!*gave_up && (rc = lazy_keys_add(vp, es, &keys, &count, &capacity, limit, gave_up,
                                             err)) != STRATA_OK) {
            break;
        }
        if (saving && (rc = lazy_save(vp, es, scratch, err)) != STRATA_OK) {
            break;
        }
        saving &= vp->saved_bytes <= budget;
    }
    if (vp->scan != NULL) {
        tam_scan_end(am, vp->scan);
        vp->scan = NULL;
    }
    /* The pipeline proper starts with no tuples (row mode reads cur from pos). */
    vp->cur.count = 0;
    vp->next.count = 0;
    vp->pos = 0;
    vp->replay = rc == STRATA_OK && saving;
    if (rc != STRATA_OK || *gave_up ||
        (rc = keys_sort_unique(es, keys, &count, err)) != STRATA_OK) {
        return rc;
    }
    if (count > limit) {
        *gave_up = true;
        return STRATA_OK;
    }
    lv->lazy_keys = keys;
    lv->lazy_key_count = count;
    return STRATA_OK;
}

/* The lazy level's build row for an integer key, or -1. Its keys are its
 * table's primary key, so the first match is the only one. */
static inline int lazy_match(const VecLevel *lv, int64_t key)
{
    if (lv->dense != NULL) {
        uint64_t slot = (uint64_t)key - (uint64_t)lv->dense_min;
        return slot < lv->dense_span ? lv->dense[slot] : -1;
    }
    int r = lv->heads[hash_u64((uint64_t)key) & lv->mask];
    while (r >= 0 && lv->ikeys[r] != key) {
        r = lv->chain[r];
    }
    return r;
}

/* The next saved tuples that match the lazy level (vp->replay), into vp->cur:
 * each keeps every other level's match (levels after the lazy one were probed
 * in the collecting pass too, so probe_level, which carries only the levels
 * before the one it probes, does not serve). */
static int replay_next(VecPipe *vp, ExecState *es, Error *err)
{
    const VecLevel *lv = &vp->levels[vp->lazy];
    vp->cur.count = 0;
    while (vp->cur.count == 0 && vp->saved_next < vp->saved_count) {
        const VecSaved *s = &vp->saved[vp->saved_next++];
        int rc;
        if ((rc = exec_check_interrupt(es, err)) != STRATA_OK ||
            (rc = tuples_reserve(vp, es, &vp->cur, s->tuples.count, err)) != STRATA_OK) {
            return rc;
        }
        vp->batch = (Batch *)&s->batch;
        const Vector *kv = &s->batch.columns[lv->probe_keys[0].column];
        int o = 0;
        for (int i = 0; i < s->tuples.count; i++) {
            int row = s->tuples.rows[i];
            int match = vector_is_null(kv, row) ? -1 : lazy_match(lv, kv->i64[row]);
            if (match < 0) {
                continue;
            }
            vp->cur.rows[o] = (uint16_t)row;
            for (int l = 0; l < vp->level_count; l++) {
                vp->cur.match[l][o] = l == vp->lazy ? match : s->tuples.match[l][i];
            }
            o++;
        }
        vp->cur.count = o;
    }
    vp->done = vp->cur.count == 0;
    return STRATA_OK;
}

int vec_pipe_start(VecPipe *vp, ExecState *es, const Value *corr, Error *err)
{
    int rc;
    bool empty = false;
    /* EXPLAIN ANALYZE: the replaced scan and joins report their rows as the row operators would. */
    vp->scan_node.p = vp->scan_p;
    vp->scan_node.es = es;
    if (node_stats(es, vp->scan_p) != NULL) {
        node_stats(es, vp->scan_p)->loops++;
    }
    for (int l = 0; l < vp->level_count; l++) {
        if (node_stats(es, vp->levels[l].p) != NULL) {
            node_stats(es, vp->levels[l].p)->loops++;
        }
    }
    double lazy_rows;
    vp->replay = false;
    vp->lazy = lazy_pick(vp, es, &lazy_rows, err);
    for (int l = 0; l < vp->level_count; l++) {
        if (l == vp->lazy) {
            continue;
        }
        if ((rc = build_level(vp, es, corr, &vp->levels[l], err)) != STRATA_OK) {
            return rc;
        }
        empty |= vp->levels[l].rows.count == 0 && !vp->levels[l].anti && !vp->levels[l].left;
    }
    if (!empty && vp->lazy >= 0) {
        bool gave_up;
        if ((rc = lazy_collect(vp, es, corr, lazy_rows, &gave_up, err)) != STRATA_OK) {
            return rc;
        }
        if (gave_up) {
            vp->levels[vp->lazy].lazy_keys = NULL;
        }
        vp->levels[vp->lazy].dense_rows_min = (size_t)lazy_rows;
        if ((rc = build_level(vp, es, corr, &vp->levels[vp->lazy], err)) != STRATA_OK) {
            return rc;
        }
        empty |= vp->levels[vp->lazy].rows.count == 0;
    }
    if (empty) {
        /* An inner join with an empty side: no tuple, no need to scan. */
        vp->done = true;
        return STRATA_OK;
    }
    if (vp->replay) {
        vp->saved_next = 0;
        vp->done = false;
        return STRATA_OK;
    }
    return fact_scan_open(vp, es, err);
}

/* ---- the row-producing input node --------------------------------------------------------- */

static int vec_rows_next(ExecNode *n, Value **row, Error *err)
{
    VecPipe *vp = n->vec;
    ExecState *es = n->es;
    int rc;
    if (!n->started) {
        n->started = true;
        if ((rc = vec_pipe_start(vp, es, n->corr, err)) != STRATA_OK) {
            return rc;
        }
    }
    exec_scratch_reset(es);
    if (vp->pos >= vp->cur.count) {
        if ((rc = vec_next_tuples(vp, es, n->corr, err)) != STRATA_OK) {
            return rc;
        }
        vp->pos = 0;
        if (vp->cur.count == 0) {
            *row = NULL;
            return STRATA_OK;
        }
    }
    int i = vp->pos++;
    for (int c = 0; c < vp->width; c++) {
        if (vp->needed[c]) {
            vec_source_value(vp, &vp->cur, i, vp->layout[c], &n->row[c]);
        }
    }
    *row = n->row;
    return STRATA_OK;
}

static void mark_columns(const Expr *e, bool *needed, int width)
{
    if (e == NULL) {
        return;
    }
    if (e->kind == EXPR_COLUMN && e->index >= 0 && e->index < width) {
        needed[e->index] = true;
    }
    if (e->kind == EXPR_SUBLINK) {
        /* Subquery arguments are evaluated over the row: keep every column. */
        memset(needed, 1, (size_t)width);
    }
    for (int a = 0; a < e->arg_count; a++) {
        mark_columns(e->args[a], needed, width);
    }
    mark_columns(e->arg, needed, width);
}

static void remap(VecSource *s, const int *scan_map)
{
    if (s->level < 0) {
        s->column = scan_map[s->column];
    }
}

/* The scan reads only the columns the pipeline uses (the aggregate's, the
 * probe keys, the qual's): a column table then decodes only those. Batch
 * sources in the layout and the probe keys are renumbered to batch columns. */
static int project_scan(VecPipe *vp, ExecState *es, Error *err)
{
    const PlanNode *p = vp->scan_p;
    int sw = p->column_count;
    bool *used = arena_zalloc(es->a, (size_t)sw + 1);
    vp->scan_map = arena_alloc(es->a, sizeof(int) * (size_t)(sw + 1));
    vp->batch_table_columns = arena_alloc(es->a, sizeof(int) * (size_t)(sw + 1));
    vp->batch_types = arena_alloc(es->a, sizeof(SqlType) * (size_t)(sw + 1));
    if (used == NULL || vp->scan_map == NULL || vp->batch_table_columns == NULL ||
        vp->batch_types == NULL) {
        return nomem(es, err);
    }
    mark_columns(p->qual, used, sw);
    for (int c = 0; c < vp->width; c++) {
        if (vp->needed[c] && vp->layout[c].level < 0) {
            used[vp->layout[c].column] = true;
        }
    }
    for (int l = 0; l < vp->level_count; l++) {
        for (int k = 0; k < vp->levels[l].key_count; k++) {
            if (vp->levels[l].probe_keys[k].level < 0) {
                used[vp->levels[l].probe_keys[k].column] = true;
            }
        }
    }
    vp->batch_width = 0;
    for (int c = 0; c < sw; c++) {
        vp->scan_map[c] = -1;
        if (used[c]) {
            vp->scan_map[c] = vp->batch_width;
            vp->batch_table_columns[vp->batch_width] = p->scan_columns[c];
            vp->batch_types[vp->batch_width] = p->column_types[c];
            vp->batch_width++;
        }
    }
    if (vp->batch_width == 0) {
        /* count(*) alone: read the narrowest thing there is, the first column. */
        vp->batch_table_columns[0] = p->scan_columns[0];
        vp->batch_types[0] = p->column_types[0];
        vp->batch_width = 1;
    }
    for (int c = 0; c < vp->width; c++) {
        remap(&vp->layout[c], vp->scan_map);
    }
    for (int l = 0; l < vp->level_count; l++) {
        for (int k = 0; k < vp->levels[l].key_count; k++) {
            remap(&vp->levels[l].probe_keys[k], vp->scan_map);
        }
    }
    return STRATA_OK;
}

static void remap_level(VecSource *s, int level, const int *map)
{
    if (s->level == level) {
        s->column = map[s->column];
    }
}

/* Each level keeps only the build columns the pipeline reads (the
 * aggregate's, later levels' probe keys); sources are renumbered to the
 * compact rows' columns. */
static int compact_levels(VecPipe *vp, ExecState *es, Error *err)
{
    for (int l = 0; l < vp->level_count; l++) {
        VecLevel *lv = &vp->levels[l];
        int bw = lv->build_p->column_count;
        bool *used = arena_zalloc(es->a, (size_t)bw + 1);
        int *map = arena_alloc(es->a, sizeof(int) * (size_t)(bw + 1));
        lv->kept = arena_alloc(es->a, sizeof(int) * (size_t)(bw + 1));
        if (used == NULL || map == NULL || lv->kept == NULL) {
            return nomem(es, err);
        }
        for (int c = 0; c < vp->width; c++) {
            if (vp->needed[c] && vp->layout[c].level == l) {
                used[vp->layout[c].column] = true;
            }
        }
        for (int o = 0; o < vp->level_count; o++) {
            for (int k = 0; k < vp->levels[o].key_count; k++) {
                if (vp->levels[o].probe_keys[k].level == l) {
                    used[vp->levels[o].probe_keys[k].column] = true;
                }
            }
        }
        lv->kept_count = 0;
        for (int c = 0; c < bw; c++) {
            map[c] = -1;
            if (used[c]) {
                map[c] = lv->kept_count;
                lv->kept[lv->kept_count++] = c;
            }
        }
        for (int c = 0; c < vp->width; c++) {
            remap_level(&vp->layout[c], l, map);
        }
        for (int o = 0; o < vp->level_count; o++) {
            for (int k = 0; k < vp->levels[o].key_count; k++) {
                remap_level(&vp->levels[o].probe_keys[k], l, map);
            }
        }
    }
    return STRATA_OK;
}

int vec_pipe_create(ExecState *es, const PlanNode *agg, VecPipe **out, Error *err)
{
    VecPipe *vp = arena_zalloc(es->a, sizeof(VecPipe));
    if (vp == NULL) {
        return nomem(es, err);
    }
    vp->rows_only = no_column_scan(agg->left);
    int rc = compile(vp, es, agg->left, 0, &vp->layout, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    vp->width = agg->left->column_count;
    vp->needed = arena_zalloc(es->a, (size_t)vp->width + 1);
    if (vp->needed == NULL) {
        return nomem(es, err);
    }
    for (int g = 0; g < agg->group_count; g++) {
        mark_columns(agg->group_exprs[g], vp->needed, vp->width);
    }
    for (int k = 0; k < agg->agg_count; k++) {
        const AggCall *a = agg->aggs[k];
        for (int j = 0; j < a->arg_count; j++) {
            mark_columns(a->args[j], vp->needed, vp->width);
        }
        for (int j = 0; j < a->order_count; j++) {
            mark_columns(a->order[j], vp->needed, vp->width);
        }
        mark_columns(a->filter, vp->needed, vp->width);
    }
    if ((rc = project_scan(vp, es, err)) != STRATA_OK ||
        (rc = compact_levels(vp, es, err)) != STRATA_OK) {
        return rc;
    }
    *out = vp;
    return STRATA_OK;
}

static void mark_batch_mode(const VecPipe *vp, const PlanNode *agg, bool agg_batches,
                            NodeStats *stats, int node_count)
{
    if (agg->id >= 0 && agg->id < node_count) {
        stats[agg->id].batch_mode = agg_batches;
    }
    for (int l = 0; l < vp->level_count; l++) {
        int id = vp->levels[l].p->id;
        if (id >= 0 && id < node_count) {
            stats[id].batch_mode = true;
        }
    }
}

int vec_pipeline_mark(ExecState *es, const PlanNode *p, NodeStats *stats, Error *err)
{
    VecPipe *vp;
    int rc = vec_pipe_create(es, p, &vp, err);
    if (rc == STRATA_OK) {
        mark_batch_mode(vp, p, vec_agg_applies(p, vp), stats, es->plan->node_count);
    }
    return rc;
}

int vec_build(ExecState *es, ExecNode *agg, const Value *corr, ExecNode **input, bool *agg_done,
              Error *err)
{
    VecPipe *vp;
    int rc = vec_pipe_create(es, agg->p, &vp, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *agg_done = false;
    if (es->stats != NULL) {
        mark_batch_mode(vp, agg->p, vec_agg_applies(agg->p, vp), es->stats, es->plan->node_count);
    }
    if (vec_agg_applies(agg->p, vp)) {
        agg->vec = vp;
        *agg_done = true;
        *input = NULL;
        return STRATA_OK;
    }
    ExecNode *n = arena_zalloc(es->a, sizeof(ExecNode));
    const PlanNode *p = agg->p->left;
    if (n == NULL ||
        (n->row = arena_zalloc(es->a, sizeof(Value) * (size_t)(p->column_count + 2))) == NULL) {
        return nomem(es, err);
    }
    for (int c = 0; c < p->column_count; c++) {
        n->row[c] = value_null(p->column_types[c]);
    }
    n->p = p;
    n->es = es;
    n->corr = corr;
    n->vec = vp;
    n->next = vec_rows_next; /* counted per replaced node in vec_next_tuples */
    *input = n;
    return STRATA_OK;
}
