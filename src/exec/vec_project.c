/*
 * exec/vec_project.c - a plain SELECT's projection over a table scan, batch
 * at a time: the scan's batch (its qual already a selection vector, see
 * exec_scan_next_batch) goes through the batch expression evaluator
 * (vec_expr.h) target by target, and the results are copied into
 * executor_next's result batch, without building a row of Values per row.
 * When the result batch would take a whole scan batch and every target's
 * vector has its output column's physical kind (column references, the usual
 * case), nothing is copied: executor_next returns an alias batch whose
 * vectors and selection are the targets' and the scan batch's.
 *
 * Applies when executor_next's root is a PLAN_PROJECT whose input is a
 * PLAN_SCAN, every target compiles (vec_expr_supported), enable_vectorize is
 * on and no EXPLAIN ANALYZE counters are kept. A scan whose qual cannot run
 * batch-wise is noticed before anything is read, and executor_next then pulls
 * rows through project_next as before.
 *
 * Invariants
 *   1. Rows come out in the scan's order, as project_next gives them.
 *   2. The target vectors of one scan batch stay valid until all its rows
 *      are copied (their strings are in the scratch arena, reset only when
 *      the next scan batch is read); the result batch owns copies. An alias
 *      batch is valid until the next vec_project_fill, which is as long as
 *      executor_next's contract promises a result batch.
 *   3. A scan batch whose targets raise an error is evaluated again one row
 *      at a time, target by target (a one-row evaluation follows eval.c's
 *      order exactly), so the error is project_next's: the first failing
 *      row's, and in it the first failing target's.
 *
 * The same machinery is a batch input for the operators above (vec_sort.c):
 * vec_input_create over a table scan, or a PLAN_PROJECT over one, and
 * vec_input_next give each scan batch's columns as vectors with the
 * selection of the rows that passed the qual.
 *
 * See src/exec/README.md ("Batch expressions", "Sorts on batches").
 */
#include "exec/vec_expr.h"

struct VecProject {
    ExecNode *scan;
    Expr **exprs;
    VecExpr **targets;
    const Vector **results;
    int target_count;
    const SqlType *out_types; /* the node's output column types */
    int node_id;              /* vec_input: the node's plan id (EXPLAIN ANALYZE rows) */
    bool scan_only;     /* vec_input over a plain scan: results are its batch columns */
    const int *batch_of; /* scan_only: output column -> batch column, -1 = not read */
    uint16_t *all; /* 0, 1, 2, ...: the selection of a batch without one */
    int pos;   /* next selected row of the scan batch to copy */
    int count; /* selected rows of the scan batch (0 = read the next) */
    bool started;
    int64_t cap; /* vec_input: rows the consumer may still take (-1 = all; a LIMIT) */
    /* vec_input over UNION ALL: its two inputs' batches, the left's first (vec_setop.c) */
    struct VecProject *parts[2];
    int part;
    ExecState *es;
    Batch *alias; /* the alias result batch (made at its first use) */
    const int *direct; /* every target a scan column: output column -> batch column */
    bool is_result;    /* executor_next's projection (not a vec_input): may alias */
};

int vec_project_create(ExecState *es, ExecNode *root, VecProject **out, Error *err)
{
    *out = NULL;
    const PlanNode *p = root->p;
    if (!es->env->vectorize || es->stats != NULL || p->kind != PLAN_PROJECT ||
        root->left == NULL || root->left->p->kind != PLAN_SCAN || p->expr_count <= 0) {
        return STRATA_OK;
    }
    for (int t = 0; t < p->expr_count; t++) {
        if (!vec_expr_supported(p->exprs[t])) {
            return STRATA_OK;
        }
    }
    VecProject *vp = arena_zalloc(es->a, sizeof(VecProject));
    if (vp == NULL) {
        return arena_error(es->a, err);
    }
    vp->scan = root->left;
    vp->exprs = p->exprs;
    vp->target_count = p->expr_count;
    vp->out_types = p->column_types;
    vp->is_result = true;
    *out = vp;
    return STRATA_OK;
}

/* vp->direct: output column -> scan batch column when every target is a column the
 * scan reads with its output column's physical kind (left NULL otherwise). */
static int direct_columns(VecProject *vp, const int *batch_of, Error *err)
{
    const PlanNode *sp = vp->scan->p;
    for (int t = 0; t < vp->target_count; t++) {
        const Expr *e = vp->exprs[t];
        if (e->kind != EXPR_COLUMN || e->index < 0 || e->index >= sp->column_count ||
            batch_of[e->index] < 0 ||
            type_phys(sp->column_types[e->index].id) != type_phys(vp->out_types[t].id)) {
            return STRATA_OK;
        }
    }
    int *direct = arena_alloc(vp->scan->es->a, sizeof(int) * (size_t)vp->target_count);
    if (direct == NULL) {
        return arena_error(vp->scan->es->a, err);
    }
    for (int t = 0; t < vp->target_count; t++) {
        direct[t] = batch_of[vp->exprs[t]->index];
    }
    vp->direct = direct;
    return STRATA_OK;
}

/* Opens the scan and compiles the targets over its batch columns (known once
 * the scan has started); *unsupported when one does not compile. */
static int start(VecProject *vp, bool *unsupported, Error *err)
{
    ExecNode *scan = vp->scan;
    ExecState *es = scan->es;
    const PlanNode *sp = scan->p;
    int rc = exec_scan_open(scan, err);
    if (rc != STRATA_OK || scan->batch == NULL) {
        *unsupported = rc == STRATA_OK;
        return rc;
    }
    int *batch_of = arena_alloc(es->a, sizeof(int) * (size_t)(sp->column_count + 1));
    if (batch_of == NULL) {
        return arena_error(es->a, err);
    }
    for (int c = 0; c < sp->column_count; c++) {
        batch_of[c] = scan->batch_of != NULL ? scan->batch_of[c] : c;
    }
    if (vp->is_result && (rc = direct_columns(vp, batch_of, err)) != STRATA_OK) {
        return rc;
    }
    if (vp->direct != NULL) {
        /* Every batch is returned as an alias batch: nothing to compile or copy. */
        vp->results = arena_zalloc(es->a, sizeof(Vector *) * (size_t)vp->target_count);
        return vp->results != NULL ? STRATA_OK : arena_error(es->a, err);
    }
    if (scan->batch->capacity < BATCH_CAPACITY) {
        /* Key lookups and small key ranges start with small batches: compiling the
         * targets would cost them more than it saves (a point select took 5% more
         * CPU). Nothing was read, so the row path takes over. */
        *unsupported = true;
        return STRATA_OK;
    }
    if (
        (vp->targets = arena_zalloc(es->a, sizeof(VecExpr *) * (size_t)vp->target_count)) == NULL ||
        (vp->results = arena_zalloc(es->a, sizeof(Vector *) * (size_t)vp->target_count)) == NULL ||
        (vp->all = arena_alloc(es->a, sizeof(uint16_t) * BATCH_CAPACITY)) == NULL) {
        return arena_error(es->a, err);
    }
    for (int r = 0; r < BATCH_CAPACITY; r++) {
        vp->all[r] = (uint16_t)r;
    }
    vp->batch_of = batch_of;
    for (int t = 0; t < vp->target_count && !vp->scan_only; t++) {
        rc = vec_expr_compile(es, vp->exprs[t], sp->column_types, batch_of, sp->column_count,
                              &vp->targets[t], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        *unsupported |= vp->targets[t] == NULL;
        /* The input's consumer stores values by the column's physical kind. */
        *unsupported |= vp->targets[t] != NULL &&
                        type_phys(vec_expr_type(vp->targets[t]).id) !=
                            type_phys(vp->out_types[t].id);
    }
    return STRATA_OK;
}

/* The targets over the scan batch's selection; on an error, row by row. */
static int evaluate(VecProject *vp, Error *err)
{
    ExecNode *scan = vp->scan;
    ExecState *es = scan->es;
    const Batch *b = scan->batch;
    const uint16_t *sel = b->selection != NULL ? b->selection : vp->all;
    int t = 0, rc = STRATA_OK;
    if (vp->direct != NULL) {
        for (t = 0; t < vp->target_count; t++) {
            vp->results[t] = &b->columns[vp->direct[t]];
        }
        return STRATA_OK;
    }
    if (vp->scan_only) {
        for (t = 0; t < vp->target_count; t++) {
            vp->results[t] = vp->batch_of[t] >= 0 ? &b->columns[vp->batch_of[t]] : NULL;
        }
        return STRATA_OK;
    }
    for (; t < vp->target_count && rc == STRATA_OK; t++) {
        rc = vec_expr_eval(vp->targets[t], es, scan->corr, b, sel, vp->count, &vp->results[t], err);
    }
    if (rc == STRATA_OK) {
        return STRATA_OK;
    }
    error_clear(err);
    for (int i = 0; i < vp->count; i++) {
        for (t = 0; t < vp->target_count; t++) {
            const Vector *ignored;
            if ((rc = vec_expr_eval(vp->targets[t], es, scan->corr, b, &sel[i], 1, &ignored,
                                    err)) != STRATA_OK) {
                return rc;
            }
        }
    }
    /* Cannot happen: the rows together raised an error, so one of them does. */
    return error_set(err, SQLSTATE_INTERNAL_ERROR, "batch projection error not reproduced");
}

/* The whole scan batch's targets as a result batch of out's column types
 * without copying, or NULL when a target's vector has another physical kind
 * than its column (the rows are then copied) or memory runs out. */
static Batch *alias_batch(VecProject *vp, const Batch *out)
{
    const Batch *b = vp->scan->batch;
    for (int t = 0; t < vp->target_count; t++) {
        const Vector *v = vp->results[t];
        if (v == NULL || type_phys(v->type.id) != type_phys(out->columns[t].type.id)) {
            return NULL;
        }
    }
    Arena *a = vp->scan->es->a;
    if (vp->alias == NULL) {
        Batch *alias = arena_zalloc(a, sizeof(Batch));
        Vector *columns = arena_zalloc(a, sizeof(Vector) * (size_t)vp->target_count);
        if (alias == NULL || columns == NULL) {
            return NULL;
        }
        alias->columns = columns;
        alias->column_count = vp->target_count;
        vp->alias = alias;
    }
    Batch *alias = vp->alias;
    for (int t = 0; t < vp->target_count; t++) {
        alias->columns[t] = *vp->results[t];
        alias->columns[t].type = out->columns[t].type;
    }
    alias->capacity = b->capacity;
    alias->row_count = b->row_count;
    alias->selection = b->selection;
    alias->selected_count = b->selected_count;
    alias->arena = b->arena;
    return alias;
}

int vec_project_fill(VecProject *vp, Batch *out, Batch **alias, bool *end, bool *unsupported,
                     Error *err)
{
    ExecNode *scan = vp->scan;
    *unsupported = false;
    *alias = NULL;
    if (!vp->started) {
        vp->started = true;
        int rc = start(vp, unsupported, err);
        if (rc != STRATA_OK || *unsupported) {
            return rc;
        }
    }
    while (out->row_count < out->capacity) {
        if (vp->pos >= vp->count) {
            exec_scratch_reset(scan->es);
            bool at_end;
            int rc = exec_scan_next_batch(scan, &at_end, unsupported, err);
            if (rc != STRATA_OK || *unsupported) {
                return rc;
            }
            if (at_end) {
                *end = true;
                return STRATA_OK;
            }
            vp->count = batch_active_count(scan->batch);
            vp->pos = 0;
            if ((rc = evaluate(vp, err)) != STRATA_OK) {
                return rc;
            }
            if (out->row_count == 0 && vp->count > 0 && (*alias = alias_batch(vp, out)) != NULL) {
                vp->pos = vp->count;
                return STRATA_OK;
            }
            if (vp->direct != NULL && vp->count > 0) {
                /* out is empty after batch_reset and the kinds match: only memory. */
                return arena_error(scan->es->a, err);
            }
        }
        const uint16_t *sel = scan->batch->selection != NULL ? scan->batch->selection : vp->all;
        int take = vp->count - vp->pos;
        if (take > out->capacity - out->row_count) {
            take = out->capacity - out->row_count;
        }
        for (int t = 0; t < vp->target_count; t++) {
            const Vector *v = vp->results[t];
            SqlType type = out->columns[t].type;
            for (int i = 0; i < take; i++) {
                int r = sel[vp->pos + i];
                Value value;
                vec_expr_value(v, r, type, &value);
                if (!batch_set_value(out, t, out->row_count + i, &value)) {
                    return arena_error(out->arena, err);
                }
            }
        }
        out->row_count += take;
        vp->pos += take;
    }
    return STRATA_OK;
}

/* ---- the batch input of the operators above (vec_sort.c) ------------------------------ */

/* A table scan read a batch at a time: no key range, row id or index nested loop (those
 * start with small batches or read per outer row), and a qual exec_scan_next_batch can
 * run batch-wise (conjuncts that compile). */
static bool scan_is_batchwise(const PlanNode *p)
{
    return p->kind == PLAN_SCAN && p->table != NULL && p->table->am != NULL && !p->scan_on_key &&
           !p->want_row_id && p->in_count == 0 && !p->bounds_read_outer &&
           p->batch_rows_hint <= 0 && (p->qual == NULL || vec_expr_supported(p->qual));
}

/* UNION ALL of two batch inputs whose columns have the output's physical kinds:
 * their batches pass through unchanged. */
static bool union_all_applies(const ExecState *es, const PlanNode *p)
{
    if (p->kind != PLAN_SETOP || p->setop != SETOP_UNION || !p->set_all || p->left == NULL ||
        p->right == NULL) {
        return false;
    }
    for (int side = 0; side < 2; side++) {
        const PlanNode *in = side == 0 ? p->left : p->right;
        const PlanNode *scan = in->kind == PLAN_PROJECT ? in->left : in;
        if (in->column_count != p->column_count || !vec_input_applies(es, in) ||
            (scan->kind == PLAN_SCAN && scan->partition_gate != NULL)) {
            return false; /* a closed gate reads nothing, which would end batch mode */
        }
        for (int c = 0; c < p->column_count; c++) {
            if (type_phys(in->column_types[c].id) != type_phys(p->column_types[c].id)) {
                return false;
            }
        }
    }
    return true;
}

bool vec_input_applies(const ExecState *es, const PlanNode *p)
{
    if (!es->env->vectorize) {
        return false;
    }
    if (p->kind == PLAN_SETOP) {
        return union_all_applies(es, p);
    }
    if (p->kind == PLAN_PROJECT) {
        if (p->left == NULL || p->expr_count <= 0 || !scan_is_batchwise(p->left)) {
            return false;
        }
        for (int t = 0; t < p->expr_count; t++) {
            if (!vec_expr_supported(p->exprs[t])) {
                return false;
            }
        }
        return true;
    }
    return scan_is_batchwise(p);
}

int vec_input_create(ExecState *es, ExecNode *node, VecProject **out, Error *err)
{
    *out = NULL;
    const PlanNode *p = node->p;
    if (!vec_input_applies(es, p)) {
        return STRATA_OK;
    }
    VecProject *vp = arena_zalloc(es->a, sizeof(VecProject));
    if (vp == NULL) {
        return arena_error(es->a, err);
    }
    vp->cap = -1;
    vp->node_id = p->id;
    vp->es = es;
    if (p->kind == PLAN_SETOP) {
        int rc = vec_input_create(es, node->left, &vp->parts[0], err);
        if (rc == STRATA_OK) {
            rc = vec_input_create(es, node->right, &vp->parts[1], err);
        }
        *out = rc == STRATA_OK ? vp : NULL;
        return rc;
    }
    vp->scan_only = p->kind == PLAN_SCAN;
    vp->scan = vp->scan_only ? node : node->left;
    vp->exprs = p->exprs;
    vp->target_count = vp->scan_only ? p->column_count : p->expr_count;
    vp->out_types = p->column_types;
    vp->node_id = p->id;
    *out = vp;
    return STRATA_OK;
}

void vec_input_set_cap(VecProject *vp, int64_t cap)
{
    vp->cap = cap;
    if (vp->parts[0] != NULL) {
        vec_input_set_cap(vp->parts[vp->part], cap);
    }
}

/* UNION ALL: the left input's batches, then the right's. A part that cannot run
 * batch-wise after the first has given batches cannot hand over to rows: it is
 * an internal error (vec_input_applies checked the same conditions). */
static int union_all_next(VecProject *vp, const Vector *const **columns, const uint16_t **sel,
                          int *count, bool *end, bool *unsupported, Error *err)
{
    for (;;) {
        int rc = vec_input_next(vp->parts[vp->part], columns, sel, count, end, unsupported, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (*unsupported) {
            if (vp->started || vp->part > 0) {
                return error_set(err, SQLSTATE_INTERNAL_ERROR, "union input left batch mode");
            }
            return STRATA_OK;
        }
        vp->started = true;
        if (!*end) {
            if (vp->cap >= 0) {
                vp->cap -= *count;
            }
            ExecState *es = vp->es;
            if (es->stats != NULL && vp->node_id >= 0 && vp->node_id < es->plan->node_count) {
                es->stats[vp->node_id].rows += (uint64_t)*count;
            }
            return STRATA_OK;
        }
        if (vp->part == 1) {
            return STRATA_OK;
        }
        vp->part = 1;
        vec_input_set_cap(vp->parts[1], vp->cap);
    }
}

int vec_input_next(VecProject *vp, const Vector *const **columns, const uint16_t **sel,
                   int *count, bool *end, bool *unsupported, Error *err)
{
    if (vp->parts[0] != NULL) {
        return union_all_next(vp, columns, sel, count, end, unsupported, err);
    }
    ExecNode *scan = vp->scan;
    *unsupported = false;
    *end = false;
    if (!vp->started) {
        vp->started = true;
        int rc = start(vp, unsupported, err);
        if (rc != STRATA_OK || *unsupported) {
            return rc;
        }
    }
    exec_scratch_reset(scan->es);
    int rc = exec_scan_next_batch_capped(scan, vp->cap, end, unsupported, err);
    if (rc != STRATA_OK || *unsupported || *end) {
        return rc;
    }
    vp->count = batch_active_count(scan->batch);
    if (vp->cap >= 0 && vp->count > vp->cap) {
        vp->count = (int)vp->cap; /* the targets of rows past a LIMIT are not computed */
    }
    if ((rc = evaluate(vp, err)) != STRATA_OK) {
        return rc;
    }
    const Plan *plan = scan->es->plan;
    if (scan->es->stats != NULL && scan->p->id >= 0 && scan->p->id < plan->node_count &&
        vp->node_id >= 0 && vp->node_id < plan->node_count) {
        /* EXPLAIN ANALYZE: the rows the scan (and the projection) passed up. */
        scan->es->stats[scan->p->id].rows += (uint64_t)vp->count;
        if (vp->node_id != scan->p->id) {
            scan->es->stats[vp->node_id].rows += (uint64_t)vp->count;
        }
    }
    *columns = vp->results;
    *sel = scan->batch->selection != NULL ? scan->batch->selection : vp->all;
    *count = vp->count;
    return STRATA_OK;
}
