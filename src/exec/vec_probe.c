/*
 * exec/vec_probe.c - the probe side of a row hash join read a batch at a time.
 *
 * join_next builds its hash table on the right input as before (executor.c,
 * join_build: rows, their key hashes, chains). When the left input is a
 * plain table scan that runs batch-wise (vec_input_applies), every left key
 * is a column and the build side did not spill, the probe reads the scan's
 * batches (vec_input_next: the qual already a selection) instead of rows:
 * each selected row's output values are read from the vectors once, its
 * keys hashed, and its chain walked. Compared with the row probe, no left
 * row is deep-copied into the join's row arena and the left keys are not
 * evaluated again per chain entry. INNER, LEFT, RIGHT and FULL joins probe
 * this way (join_next then emits a RIGHT / FULL join's unmatched build
 * rows); semi and anti joins (EXISTS, NOT EXISTS, IN, NOT IN) too, through
 * vec_semi_next, which reads a row's keys only when a chain entry's hash is
 * equal and builds the output row only for the rows it returns.
 *
 * The build side, when it is a plain table scan that runs batch-wise, is read
 * a batch at a time as well (vec_build_input_next): its selected rows come
 * out of the vectors, without scan_next's per-row work (the qual is already a
 * selection); join_build_spilling copies them as before.
 *
 * Invariants
 *   1. The output is the row probe's, row for row: left rows in scan order,
 *      each row's matches in chain order, the residual qual evaluated on each
 *      pair in that order, a LEFT join's unmatched row right after its last
 *      candidate.
 *   2. The output row's left values borrow the scan batch's strings, valid
 *      until the next batch is read, which happens only after the last row
 *      of the batch was returned and the caller called again.
 *
 * See src/exec/README.md ("Hash join probes on batches").
 */
#include "exec/vec_expr.h"

enum { PROBE_KEYS_MAX = 32 };

typedef struct VecProbe {
    VecProject *in;
    const Vector *const *columns;
    const uint16_t *sel;
    int count;      /* selected rows of the current batch */
    int pos;        /* next of them to probe */
    bool in_row;    /* a left row is being probed (its values are in n->row) */
    bool end;
    int *key_columns;
    Value keys[PROBE_KEYS_MAX];
    uint64_t hash;
    uint64_t *row_hashes; /* per selected row of the batch: its key hash */
    bool *row_null;       /* per selected row: a key is NULL */
} VecProbe;

/* Rows ahead whose bucket (and first chain entry) is prefetched: the build
 * side's hash table is larger than the cache, and each probe's bucket is a
 * random read; a batch knows its next hashes, a row probe does not. */
enum { PREFETCH_BUCKET_AHEAD = 16, PREFETCH_ENTRY_AHEAD = 8 };

bool vec_probe_applies(const ExecState *es, const PlanNode *p)
{
    if (p->kind != PLAN_JOIN || p->nestloop || p->key_count <= 0 ||
        p->key_count > PROBE_KEYS_MAX || p->left == NULL || p->left->kind != PLAN_SCAN ||
        !vec_input_applies(es, p->left)) {
        return false;
    }
    for (int k = 0; k < p->key_count; k++) {
        const Expr *e = p->left_keys[k];
        if (e->kind != EXPR_COLUMN || e->index < 0 || e->index >= p->left->column_count) {
            return false;
        }
    }
    return true;
}

int vec_probe_start(ExecNode *n, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    VecProbe *vp = arena_zalloc(es->a, sizeof(VecProbe));
    if (vp == NULL ||
        (vp->key_columns = arena_alloc(es->a, sizeof(int) * (size_t)p->key_count)) == NULL ||
        (vp->row_hashes = arena_alloc(es->a, sizeof(uint64_t) * BATCH_CAPACITY)) == NULL ||
        (vp->row_null = arena_alloc(es->a, sizeof(bool) * BATCH_CAPACITY)) == NULL) {
        return arena_error(es->a, err);
    }
    for (int k = 0; k < p->key_count; k++) {
        vp->key_columns[k] = p->left_keys[k]->index;
    }
    int rc = vec_input_create(es, n->left, &vp->in, err);
    if (rc == STRATA_OK && vp->in != NULL) {
        n->vprobe = vp;
    }
    return rc;
}

/* The left row sel[pos] into n->row[0..lw-1], its keys and their hash;
 * *has_null when a key is NULL (no build row can match). */
/* Inlined into both probe loops: called per probe row (shared by two callers it was
 * called, which cost a 1M-row join 16M instructions); hash_batch runs once per batch,
 * out of line, which keeps the probe loops short. */
__attribute__((always_inline)) static inline void load_left(ExecNode *n, VecProbe *vp,
                                                          bool *has_null)
{
    const PlanNode *p = n->p;
    int lw = p->left->column_count;
    int r = vp->sel[vp->pos];
    for (int c = 0; c < lw; c++) {
        const Vector *v = vp->columns[c];
        if (v == NULL) {
            n->row[c] = value_null(p->column_types[c]);
        } else {
            vec_expr_value(v, r, p->left->column_types[c], &n->row[c]);
        }
    }
    for (int k = 0; k < p->key_count; k++) {
        vp->keys[k] = n->row[vp->key_columns[k]];
    }
    *has_null = vp->row_null[vp->pos];
    vp->hash = vp->row_hashes[vp->pos];
}

/* The key hashes of the batch's selected rows (the row probe's row_hash of the
 * same Values). */
__attribute__((noinline)) static void hash_batch(ExecNode *n, VecProbe *vp)
{
    const PlanNode *p = n->p;
    Value keys[PROBE_KEYS_MAX];
    for (int i = 0; i < vp->count; i++) {
        int r = vp->sel[i];
        bool has_null = false;
        for (int k = 0; k < p->key_count; k++) {
            int c = vp->key_columns[k];
            if (vp->columns[c] == NULL) {
                keys[k] = value_null(p->left->column_types[c]);
            } else {
                vec_expr_value(vp->columns[c], r, p->left->column_types[c], &keys[k]);
            }
            has_null |= keys[k].is_null;
        }
        vp->row_null[i] = has_null;
        vp->row_hashes[i] = has_null ? 0 : row_hash(keys, p->key_count);
    }
}

/* Prefetches the bucket of the row PREFETCH_BUCKET_AHEAD ahead and the first
 * chain entry of the row PREFETCH_ENTRY_AHEAD ahead (its bucket was
 * prefetched earlier). */
static void prefetch_ahead(const ExecNode *n, const VecProbe *vp)
{
    size_t mask = n->bucket_count - 1;
    int far = vp->pos + PREFETCH_BUCKET_AHEAD, near = vp->pos + PREFETCH_ENTRY_AHEAD;
    if (far < vp->count) {
        __builtin_prefetch(&n->heads[vp->row_hashes[far] & mask]);
    }
    if (near < vp->count && !vp->row_null[near]) {
        int head = n->heads[vp->row_hashes[near] & mask];
        if (head >= 0) {
            __builtin_prefetch(&n->hashes[head]);
            __builtin_prefetch(&n->chain[head]);
            __builtin_prefetch(&n->rows.rows[head]);
        }
    }
}

static void set_right(ExecNode *n, const Value *right)
{
    const PlanNode *p = n->p;
    int lw = p->left->column_count, rw = p->right->column_count;
    for (int c = 0; c < rw; c++) {
        n->row[lw + c] = right != NULL ? right[c] : value_null(p->column_types[lw + c]);
    }
}

/* The next left row to probe: from the current batch, else the next one.
 * *unsupported only on the first batch, before anything was read. */
static int refill(ExecNode *n, VecProbe *vp, bool *unsupported, Error *err)
{
    *unsupported = false;
    while (vp->pos >= vp->count && !vp->end) {
        vp->pos = 0;
        vp->count = 0;
        int rc = vec_input_next(vp->in, &vp->columns, &vp->sel, &vp->count, &vp->end, unsupported,
                                err);
        if (rc != STRATA_OK || *unsupported) {
            return rc;
        }
        hash_batch(n, vp);
    }
    return STRATA_OK;
}

static int next_left(ExecNode *n, VecProbe *vp, bool *unsupported, Error *err)
{
    int rc = refill(n, vp, unsupported, err);
    if (rc != STRATA_OK || *unsupported || vp->end) {
        return rc;
    }
    bool has_null;
    prefetch_ahead(n, vp);
    load_left(n, vp, &has_null);
    vp->in_row = true;
    n->left_matched = false;
    n->probe_pos = has_null ? -1 : n->heads[vp->hash & (n->bucket_count - 1)];
    return STRATA_OK;
}

int vec_probe_next(ExecNode *n, Value **row, bool *handled, Error *err)
{
    const PlanNode *p = n->p;
    VecProbe *vp = n->vprobe;
    int rc;
    *handled = true;
    for (;;) {
        if (!vp->in_row) {
            bool unsupported;
            if ((rc = next_left(n, vp, &unsupported, err)) != STRATA_OK) {
                return rc;
            }
            if (unsupported) {
                n->vprobe = NULL; /* nothing read: join_next probes row by row */
                *handled = false;
                return STRATA_OK;
            }
            if (vp->end) {
                *row = NULL;
                return STRATA_OK;
            }
        }
        while (n->probe_pos >= 0) {
            int r = n->probe_pos;
            const Value *right = n->rows.rows[r];
            n->probe_pos = n->chain[r];
            if (n->hashes[r] != vp->hash) {
                continue;
            }
            Value rkeys[PROBE_KEYS_MAX];
            EvalCtx ctx = {n->es, right, n->corr};
            for (int k = 0; k < p->key_count; k++) {
                if ((rc = eval_expr(p->right_keys[k], &ctx, &rkeys[k], err)) != STRATA_OK) {
                    return rc;
                }
            }
            if (!rows_equal_nulls(vp->keys, rkeys, p->key_count)) {
                continue;
            }
            set_right(n, right);
            bool pass = true;
            if (p->qual != NULL) {
                EvalCtx qctx = {n->es, n->row, n->corr};
                if ((rc = eval_qual(p->qual, &qctx, &pass, err)) != STRATA_OK) {
                    return rc;
                }
            }
            if (!pass) {
                continue;
            }
            n->left_matched = true;
            n->matched[r] = true;
            *row = n->row;
            return STRATA_OK;
        }
        vp->in_row = false;
        vp->pos++;
        if (!n->left_matched &&
            (p->join_type == JOIN_TYPE_LEFT || p->join_type == JOIN_TYPE_FULL)) {
            set_right(n, NULL);
            *row = n->row;
            return STRATA_OK;
        }
    }
}

/* The keys of the probe row at vp->pos into vp->keys. */
static void load_keys(ExecNode *n, VecProbe *vp)
{
    const PlanNode *p = n->p;
    int r = vp->sel[vp->pos];
    for (int k = 0; k < p->key_count; k++) {
        int c = vp->key_columns[k];
        if (vp->columns[c] == NULL) {
            vp->keys[k] = value_null(p->left->column_types[c]);
        } else {
            vec_expr_value(vp->columns[c], r, p->left->column_types[c], &vp->keys[k]);
        }
    }
}

/* Whether the probe row at vp->pos has an equal build row: semi_probe's walk
 * of the chain (the keys are read only when a hash is equal). */
static int semi_match(ExecNode *n, VecProbe *vp, bool *matched, Error *err)
{
    const PlanNode *p = n->p;
    uint64_t hash = vp->row_hashes[vp->pos];
    bool keys_loaded = false;
    *matched = false;
    for (int r = n->heads[hash & (n->bucket_count - 1)]; r >= 0; r = n->chain[r]) {
        if (n->hashes[r] != hash) {
            continue;
        }
        if (!keys_loaded) {
            load_keys(n, vp);
            keys_loaded = true;
        }
        Value rkeys[PROBE_KEYS_MAX];
        EvalCtx ctx = {n->es, n->rows.rows[r], n->corr};
        for (int k = 0; k < p->key_count; k++) {
            int rc = eval_expr(p->right_keys[k], &ctx, &rkeys[k], err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        if (rows_equal_nulls(vp->keys, rkeys, p->key_count)) {
            *matched = true;
            return STRATA_OK;
        }
    }
    return STRATA_OK;
}

int vec_semi_next(ExecNode *n, Value **row, bool *handled, Error *err)
{
    const PlanNode *p = n->p;
    VecProbe *vp = n->vprobe;
    bool is_anti = p->join_type == JOIN_TYPE_ANTI;
    *handled = true;
    for (;;) {
        bool unsupported;
        int rc = refill(n, vp, &unsupported, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (unsupported) {
            n->vprobe = NULL; /* nothing read: semi_next probes row by row */
            *handled = false;
            return STRATA_OK;
        }
        if (vp->end) {
            *row = NULL;
            return STRATA_OK;
        }
        prefetch_ahead(n, vp);
        bool matched;
        if (vp->row_null[vp->pos]) {
            /* A NULL key matches nothing; under NOT IN it is a match against a
             * non-empty build side (x NOT IN (rows) is then NULL, never true). */
            matched = p->null_aware_anti && n->rows.count > 0;
        } else if ((rc = semi_match(n, vp, &matched, err)) != STRATA_OK) {
            return rc;
        }
        if (matched != is_anti) {
            bool has_null;
            load_left(n, vp, &has_null);
            vp->pos++;
            *row = n->row;
            return STRATA_OK;
        }
        vp->pos++;
    }
}

/* ---- the build side read from batches ------------------------------------------------- */

typedef struct VecBuildInput {
    VecProject *in;
    const Vector *const *columns;
    const uint16_t *sel;
    int count; /* selected rows of the current batch */
    int pos;   /* the next of them */
    bool end;
    Value *row; /* the build row handed out (borrowed until the next call) */
} VecBuildInput;

bool vec_build_input_applies(const ExecState *es, const PlanNode *p)
{
    /* A plain scan only: its vectors are the scan batch's own, so the join may reset
     * the scratch arena (it does after spilling a row) while a batch is being read. */
    return p->kind == PLAN_JOIN && !p->nestloop && p->key_count > 0 && p->right != NULL &&
           p->right->kind == PLAN_SCAN && vec_input_applies(es, p->right);
}

int vec_build_input_start(ExecNode *n, Error *err)
{
    ExecState *es = n->es;
    VecBuildInput *bi = arena_zalloc(es->a, sizeof(VecBuildInput));
    if (bi == NULL ||
        (bi->row = arena_alloc(es->a, sizeof(Value) * (size_t)(n->p->right->column_count + 1))) ==
            NULL) {
        return arena_error(es->a, err);
    }
    int rc = vec_input_create(es, n->right, &bi->in, err);
    if (rc == STRATA_OK && bi->in != NULL) {
        n->vbuild = bi;
    }
    return rc;
}

int vec_build_input_next(ExecNode *n, Value **row, bool *handled, Error *err)
{
    VecBuildInput *bi = n->vbuild;
    const PlanNode *rp = n->p->right;
    *handled = true;
    while (bi->pos >= bi->count && !bi->end) {
        bool unsupported;
        bi->pos = bi->count = 0;
        int rc = vec_input_next(bi->in, &bi->columns, &bi->sel, &bi->count, &bi->end,
                                &unsupported, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (unsupported) {
            n->vbuild = NULL; /* nothing read: the build pulls rows */
            *handled = false;
            return STRATA_OK;
        }
    }
    if (bi->end) {
        *row = NULL;
        return STRATA_OK;
    }
    Value *out = bi->row;
    int r = bi->sel[bi->pos++];
    for (int c = 0; c < rp->column_count; c++) {
        const Vector *v = bi->columns[c];
        if (v == NULL) {
            out[c] = value_null(rp->column_types[c]);
        } else {
            vec_expr_value(v, r, rp->column_types[c], &out[c]);
        }
    }
    *row = out;
    return STRATA_OK;
}
