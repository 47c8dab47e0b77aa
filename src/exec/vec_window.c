/*
 * exec/vec_window.c - window functions over a batch input.
 *
 * A PLAN_WINDOW whose input is a table scan, or a projection over one, that
 * runs batch-wise (vec_input_applies), or a join or an aggregate (whose rows
 * the batch sort copies as they come), and whose calls all share one window
 * (the same PARTITION BY and ORDER BY columns) of supported calls, sorts its
 * input through vec_sort.c (the scan's batches copied into column chunks,
 * references radix-sorted on the abbreviated first key: partition keys
 * ascending with NULLs last, then the ORDER BY keys) instead of deep-copying
 * every row and sorting with qsort. The sorted rows are then taken a
 * partition at a time: peer groups are found by comparing the key columns in
 * the chunks, each call's values are computed for the whole partition, and
 * the partition's rows come out with them.
 *
 * Supported calls (others keep window.c, see window_next):
 *   row_number, rank, dense_rank, percent_rank, cume_dist;
 *   ntile(constant); lag / lead (column [, constant offset [, constant
 *   default]]); first_value / last_value (column);
 *   sum / avg / count / min / max of a column, count(*), without DISTINCT,
 *   FILTER or ORDER BY.
 * Frames: the default, ROWS with UNBOUNDED / CURRENT ROW / constant offsets,
 * RANGE with UNBOUNDED / CURRENT ROW; no EXCLUDE. RANGE or GROUPS with
 * offsets, EXCLUDE and nth_value fall back to the row operator.
 *
 * Aggregates are stepped through the registry (types/agg.h), so result
 * types, numeric promotion and overflow errors are window.c's: a frame that
 * starts at the partition's start is stepped incrementally (one final per
 * peer group under RANGE), count and sum of smallint / integer over a
 * sliding frame keep an int64 sum and count that rows enter and leave (exact:
 * a frame of at most 2^32 rows cannot overflow it), and any other frame is
 * stepped afresh per row, as window.c does.
 *
 * Invariants
 *   1. The output is window_next's: rows in the order of the window's sort
 *      (ties in input order: the sort is stable), each input row followed by
 *      its calls' values.
 *   2. Values handed out live in the sorted chunks or in the partition's
 *      arena, which is reset only when the next partition is computed.
 *
 * See src/exec/README.md ("Window functions on batches").
 */
#include <string.h>

#include "exec/vec_expr.h"
#include "types/compare.h"

/* A call's constant arguments, evaluated once (vwin_constants). */
typedef struct CallConst {
    int64_t offset[2];  /* ROWS offsets of the frame's start and end */
    int64_t arg1;       /* ntile's buckets, lag / lead's offset */
    bool arg1_null;
    Value fallback;     /* lag / lead's default */
} CallConst;

typedef struct VecWindow {
    ExecNode sort;       /* the sort node of our making (plan kind PLAN_WINDOW) */
    PlanNode sort_plan;
    size_t total;        /* sorted rows */
    size_t part_start;   /* the current partition: sorted rows [part_start, part_end) */
    size_t part_end;
    size_t pos;          /* next row to emit */
    Arena *part_arena;   /* the partition's values, states and arrays */
    size_t *peer_start;  /* per row of the partition */
    size_t *peer_end;
    size_t *group_index;
    Value **results;     /* per call: one Value per row of the partition */
    CallConst *consts;   /* per call */
    int in_width;
    int *part_cols, *order_cols;
    const WinCall *w;    /* the shared window */
    bool *key_is_int;    /* per partition + order key: compared as int64 */
} VecWindow;

static bool column_ok(const Expr *e, const PlanNode *in)
{
    return e != NULL && e->kind == EXPR_COLUMN && e->index >= 0 && e->index < in->column_count;
}

/* A constant, or a cast of one (the binder casts frame offsets to bigint). */
static bool is_constant(const Expr *e)
{
    if (e == NULL) {
        return false;
    }
    if (e->kind == EXPR_CAST && e->arg_count == 1) {
        return is_constant(e->args[0]);
    }
    return e->kind == EXPR_CONST;
}

static bool const_int_ok(const Expr *e)
{
    return is_constant(e) && type_phys(e->type.id) == PHYS_I64;
}

static bool frame_ok(const WinCall *w)
{
    if (w->exclude != FRAME_EXCLUDE_NONE || w->frame_mode == FRAME_GROUPS) {
        return false;
    }
    if (w->frame_mode == FRAME_NONE) {
        return true;
    }
    int kinds[2] = {w->start_kind, w->end_kind};
    const Expr *offsets[2] = {w->start_offset, w->end_offset};
    for (int side = 0; side < 2; side++) {
        bool is_offset = kinds[side] == FRAME_BOUND_OFFSET_PRECEDING ||
                         kinds[side] == FRAME_BOUND_OFFSET_FOLLOWING;
        if (is_offset && (w->frame_mode != FRAME_ROWS || !const_int_ok(offsets[side]))) {
            return false;
        }
    }
    return true;
}

static bool agg_ok(const WinCall *w, const PlanNode *in)
{
    const AggCall *a = &w->agg;
    if (a->is_distinct || a->filter != NULL || a->order_count > 0 || a->is_grouping ||
        a->match.def == NULL || a->match.def->is_ordered_set) {
        return false;
    }
    const char *name = a->match.def->name;
    if (strcmp(name, "sum") != 0 && strcmp(name, "avg") != 0 && strcmp(name, "count") != 0 &&
        strcmp(name, "min") != 0 && strcmp(name, "max") != 0) {
        return false;
    }
    return a->arg_count == 0 || (a->arg_count == 1 && column_ok(a->args[0], in));
}

static bool call_ok(const WinCall *w, const PlanNode *in)
{
    switch (w->kind) {
    case WIN_ROW_NUMBER:
    case WIN_RANK:
    case WIN_DENSE_RANK:
    case WIN_PERCENT_RANK:
    case WIN_CUME_DIST:
        return true;
    case WIN_NTILE:
        return w->agg.arg_count == 1 && const_int_ok(w->agg.args[0]);
    case WIN_LAG:
    case WIN_LEAD:
        return w->agg.arg_count >= 1 && column_ok(w->agg.args[0], in) &&
               (w->agg.arg_count < 2 || const_int_ok(w->agg.args[1])) &&
               (w->agg.arg_count < 3 ||
                (is_constant(w->agg.args[2]) &&
                 type_phys(w->agg.args[2]->type.id) == type_phys(w->result_type.id)));
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
        return w->agg.arg_count == 1 && column_ok(w->agg.args[0], in) && frame_ok(w);
    case WIN_AGG:
        return agg_ok(w, in) && frame_ok(w);
    default:
        return false;
    }
}

/* Whether calls a and b have the same PARTITION BY and ORDER BY columns. */
static bool same_window(const WinCall *a, const WinCall *b)
{
    if (a->partition_count != b->partition_count || a->order_count != b->order_count) {
        return false;
    }
    for (int k = 0; k < a->partition_count; k++) {
        if (a->partition[k]->index != b->partition[k]->index) {
            return false;
        }
    }
    for (int k = 0; k < a->order_count; k++) {
        if (a->order[k].expr->index != b->order[k].expr->index ||
            a->order[k].desc != b->order[k].desc ||
            a->order[k].nulls_first != b->order[k].nulls_first) {
            return false;
        }
    }
    return true;
}

bool vec_window_applies(const ExecState *es, const PlanNode *p)
{
    if (p->kind != PLAN_WINDOW || p->left == NULL || p->win_count <= 0 ||
        !vec_sort_input_applies(es, p->left)) {
        return false;
    }
    const WinCall *first = p->wins[0];
    if (first->partition_count + first->order_count == 0 ||
        first->partition_count + first->order_count > 32) {
        return false; /* no sort to make: the row operator only copies */
    }
    for (int k = 0; k < first->partition_count; k++) {
        if (!column_ok(first->partition[k], p->left)) {
            return false;
        }
    }
    for (int k = 0; k < first->order_count; k++) {
        if (!column_ok(first->order[k].expr, p->left)) {
            return false;
        }
    }
    for (int call = 0; call < p->win_count; call++) {
        if (!same_window(first, p->wins[call]) || !call_ok(p->wins[call], p->left)) {
            return false;
        }
    }
    return true;
}

/* Evaluates call w's constant arguments into cc; *usable false for a NULL or
 * negative frame offset or a ntile of zero buckets or fewer, whose errors
 * window.c raises (only once it has read its input, as PostgreSQL). */
static int vwin_constants(ExecNode *n, const WinCall *w, CallConst *cc, bool *usable, Error *err)
{
    EvalCtx ctx = {n->es, NULL, n->corr};
    const Expr *offsets[2] = {w->start_offset, w->end_offset};
    int kinds[2] = {w->start_kind, w->end_kind};
    Value v;
    int rc = STRATA_OK;
    for (int side = 0; side < 2 && rc == STRATA_OK && *usable; side++) {
        if (w->frame_mode == FRAME_ROWS && (kinds[side] == FRAME_BOUND_OFFSET_PRECEDING ||
                                            kinds[side] == FRAME_BOUND_OFFSET_FOLLOWING)) {
            rc = eval_expr(offsets[side], &ctx, &v, err);
            *usable = rc == STRATA_OK && !v.is_null && v.i64 >= 0;
            cc->offset[side] = *usable ? v.i64 : 0;
        }
    }
    bool has_arg1 = (w->kind == WIN_NTILE && w->agg.arg_count >= 1) ||
                    ((w->kind == WIN_LAG || w->kind == WIN_LEAD) && w->agg.arg_count >= 2);
    if (rc == STRATA_OK && *usable && has_arg1) {
        rc = eval_expr(w->agg.args[w->kind == WIN_NTILE ? 0 : 1], &ctx, &v, err);
        cc->arg1_null = v.is_null;
        cc->arg1 = v.is_null ? 0 : v.i64;
        *usable = w->kind != WIN_NTILE || v.is_null || v.i64 > 0;
    }
    if (rc == STRATA_OK && *usable && (w->kind == WIN_LAG || w->kind == WIN_LEAD) &&
        w->agg.arg_count >= 3 && (rc = eval_expr(w->agg.args[2], &ctx, &v, err)) == STRATA_OK) {
        Value *kept = row_copy(n->es->a, &v, 1);
        if (kept == NULL) {
            return arena_error(n->es->a, err);
        }
        cc->fallback = *kept;
    }
    return rc;
}

static int vwin_create(ExecNode *n, VecWindow **out, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    const WinCall *w = p->wins[0];
    int kc = w->partition_count + w->order_count;
    *out = NULL;
    VecWindow *vw = arena_zalloc(es->a, sizeof(VecWindow));
    SortKey *keys = arena_zalloc(es->a, sizeof(SortKey) * (size_t)kc);
    if (vw == NULL || keys == NULL ||
        (vw->results = arena_zalloc(es->a, sizeof(Value *) * (size_t)p->win_count)) == NULL ||
        (vw->key_is_int = arena_zalloc(es->a, sizeof(bool) * (size_t)kc)) == NULL ||
        (vw->sort.row = arena_zalloc(es->a, sizeof(Value) * (size_t)(p->left->column_count + 1))) ==
            NULL ||
        (vw->part_arena = arena_create(es->a, 0, "window partition")) == NULL) {
        return arena_error(es->a, err);
    }
    for (int k = 0; k < kc; k++) {
        /* Partitions sort ascending, NULLs last, as window.c's win_compare. */
        keys[k] = k < w->partition_count ? (SortKey){w->partition[k], false, false}
                                          : w->order[k - w->partition_count];
        SqlType type = p->left->column_types[keys[k].expr->index];
        vw->key_is_int[k] = type_phys(type.id) == PHYS_I64;
    }
    if ((vw->consts = arena_zalloc(es->a, sizeof(CallConst) * (size_t)p->win_count)) == NULL) {
        return arena_error(es->a, err);
    }
    for (int call = 0; call < p->win_count; call++) {
        bool usable = true;
        int rc = vwin_constants(n, p->wins[call], &vw->consts[call], &usable, err);
        if (rc != STRATA_OK || !usable) {
            return rc; /* *out stays NULL: window.c evaluates them and raises the error */
        }
    }
    vw->w = w;
    vw->in_width = p->left->column_count;
    vw->sort_plan = *p->left;
    vw->sort_plan.kind = PLAN_WINDOW;
    vw->sort_plan.id = -1;
    vw->sort_plan.left = p->left;
    vw->sort_plan.right = NULL;
    vw->sort_plan.sort_keys = keys;
    vw->sort_plan.sort_key_count = kc;
    vw->sort.p = &vw->sort_plan;
    vw->sort.es = es;
    vw->sort.corr = n->corr;
    vw->sort.left = n->left;
    *out = vw;
    return STRATA_OK;
}

/* Whether sorted rows a and b have equal keys [from, from + count). */
static bool same_keys_at(const VecWindow *vw, size_t a, size_t b, int from, int count)
{
    int ra, rb;
    const Batch *ca = vec_sort_row_at(&vw->sort, a, &ra);
    const Batch *cb = vec_sort_row_at(&vw->sort, b, &rb);
    for (int k = from; k < from + count; k++) {
        int col = vw->sort_plan.sort_keys[k].expr->index;
        const Vector *va = &ca->columns[col], *vb = &cb->columns[col];
        bool na = vector_is_null(va, ra), nb = vector_is_null(vb, rb);
        if (na || nb) {
            if (na != nb) {
                return false;
            }
            continue;
        }
        if (vw->key_is_int[k]) {
            if (va->i64[ra] != vb->i64[rb]) {
                return false;
            }
            continue;
        }
        Value x, y;
        batch_get_value(ca, col, ra, &x);
        batch_get_value(cb, col, rb, &y);
        if (!value_equal(&x, &y)) {
            return false;
        }
    }
    return true;
}

/* Value of input column col of sorted row index. */
static void column_value(const VecWindow *vw, size_t index, int col, Value *out)
{
    int r;
    const Batch *c = vec_sort_row_at(&vw->sort, index, &r);
    batch_get_value(c, col, r, out);
}

typedef struct Frame {
    size_t start, end; /* rows [start, end) of the partition */
} Frame;

/* The frame of partition row i (frame_ok holds: no RANGE / GROUPS offsets). */
static Frame frame_at(const VecWindow *vw, const WinCall *w, const CallConst *cc, size_t count,
                      size_t i)
{
    if (w->frame_mode == FRAME_NONE) {
        return (Frame){0, w->order_count == 0 ? count : vw->peer_end[i]};
    }
    int kinds[2] = {w->start_kind, w->end_kind};
    int64_t bounds[2];
    for (int side = 0; side < 2; side++) {
        int kind = kinds[side] == FRAME_BOUND_DEFAULT ? FRAME_BOUND_CURRENT_ROW : kinds[side];
        int64_t pos;
        switch (kind) {
        case FRAME_BOUND_UNBOUNDED_PRECEDING: pos = 0; break;
        case FRAME_BOUND_UNBOUNDED_FOLLOWING: pos = (int64_t)count; break;
        case FRAME_BOUND_CURRENT_ROW:
            pos = w->frame_mode == FRAME_ROWS ? (int64_t)i + side
                  : side == 0                 ? (int64_t)vw->peer_start[i]
                                              : (int64_t)vw->peer_end[i];
            break;
        default: {
            int64_t off = cc->offset[side];
            if (off > (int64_t)count) {
                off = (int64_t)count + 1;
            }
            pos = (int64_t)i + side + (kind == FRAME_BOUND_OFFSET_PRECEDING ? -off : off);
        }
        }
        bounds[side] = pos < 0 ? 0 : pos > (int64_t)count ? (int64_t)count : pos;
    }
    Frame f = {(size_t)bounds[0], (size_t)bounds[1]};
    if (f.end < f.start) {
        f.end = f.start;
    }
    return f;
}

static int keep_value(VecWindow *vw, const WinCall *w, Value *v, Error *err)
{
    if (!v->is_null) {
        Value *kept = row_copy(vw->part_arena, v, 1);
        if (kept == NULL) {
            return arena_error(vw->part_arena, err);
        }
        *v = *kept;
    }
    v->type = w->result_type;
    return STRATA_OK;
}

static int step_row(VecWindow *vw, const AggCall *a, void *state, size_t index, FuncContext *fc,
                    Error *err)
{
    Value arg;
    if (a->arg_count == 1) {
        column_value(vw, index, a->args[0]->index, &arg);
        if (arg.is_null && a->match.def->strict) {
            return STRATA_OK;
        }
    }
    return agg_step(&a->match, state, &arg, fc, err);
}

static int new_state(VecWindow *vw, const AggCall *a, void **out, Error *err)
{
    void *s = arena_zalloc(vw->part_arena, a->match.def->state_size + 16);
    if (s == NULL) {
        return arena_error(vw->part_arena, err);
    }
    agg_init(&a->match, s);
    *out = s;
    return STRATA_OK;
}

/* count(x) / count(*) and sum(smallint / integer) over a frame that slides. */
static bool slides_exactly(const AggCall *a, const WinCall *w)
{
    const char *name = a->match.def->name;
    if (strcmp(name, "count") == 0) {
        return true;
    }
    return strcmp(name, "sum") == 0 && a->arg_count == 1 && w->result_type.id == TYPE_INT8 &&
           (a->args[0]->type.id == TYPE_INT2 || a->args[0]->type.id == TYPE_INT4);
}

static int agg_sliding(VecWindow *vw, const WinCall *w, const CallConst *cc, size_t base,
                       size_t count, Value *out)
{
    const AggCall *a = &w->agg;
    bool is_count = strcmp(a->match.def->name, "count") == 0;
    int64_t sum = 0, nonnull = 0;
    size_t in_start = 0, in_end = 0; /* rows [in_start, in_end) are in the sums */
    for (size_t i = 0; i < count; i++) {
        Frame f = frame_at(vw, w, cc, count, i);
        if (f.start > in_end) {
            in_start = in_end = f.start;
            sum = nonnull = 0;
        }
        for (; in_end < f.end; in_end++) {
            Value v = {.is_null = false};
            if (a->arg_count == 1) {
                column_value(vw, base + in_end, a->args[0]->index, &v);
            }
            nonnull += !v.is_null;
            sum += v.is_null || a->arg_count == 0 ? 0 : v.i64;
        }
        for (; in_start < f.start; in_start++) {
            Value v = {.is_null = false};
            if (a->arg_count == 1) {
                column_value(vw, base + in_start, a->args[0]->index, &v);
            }
            nonnull -= !v.is_null;
            sum -= v.is_null || a->arg_count == 0 ? 0 : v.i64;
        }
        if (is_count) {
            out[i] = value_i64(TYPE_INT8, nonnull);
        } else {
            out[i] = nonnull == 0 ? value_null(w->result_type) : value_i64(TYPE_INT8, sum);
        }
        out[i].type = w->result_type;
    }
    return STRATA_OK;
}

/* An aggregate's values for the partition's rows. */
static int compute_agg(VecWindow *vw, const WinCall *w, const CallConst *cc, size_t base,
                       size_t count, Value *out, Error *err)
{
    const AggCall *a = &w->agg;
    ExecState *es = vw->sort.es;
    FuncContext fc = es->fctx;
    fc.arena = vw->part_arena;
    bool grows = w->frame_mode == FRAME_NONE || w->start_kind == FRAME_BOUND_UNBOUNDED_PRECEDING;
    if (!grows && slides_exactly(a, w)) {
        return agg_sliding(vw, w, cc, base, count, out);
    }
    void *state = NULL;
    size_t stepped = 0, last_end = SIZE_MAX;
    int rc = STRATA_OK;
    for (size_t i = 0; i < count && rc == STRATA_OK; i++) {
        Frame f = frame_at(vw, w, cc, count, i);
        if (grows) {
            if (state == NULL && (rc = new_state(vw, a, &state, err)) != STRATA_OK) {
                return rc;
            }
            if (f.end == last_end) {
                out[i] = out[i - 1]; /* peers share the frame and its value */
                continue;
            }
            for (; stepped < f.end && rc == STRATA_OK; stepped++) {
                rc = step_row(vw, a, state, base + stepped, &fc, err);
            }
            last_end = f.end;
        } else {
            if (state == NULL && (rc = new_state(vw, a, &state, err)) != STRATA_OK) {
                return rc;
            }
            memset(state, 0, a->match.def->state_size);
            agg_init(&a->match, state);
            for (size_t r = f.start; r < f.end && rc == STRATA_OK; r++) {
                rc = step_row(vw, a, state, base + r, &fc, err);
            }
        }
        if (rc == STRATA_OK) {
            rc = agg_final(&a->match, state, NULL, 0, &out[i], &fc, err);
        }
        if (rc == STRATA_OK) {
            rc = keep_value(vw, w, &out[i], err);
        }
    }
    return rc;
}

static int compute_ntile(const WinCall *w, const CallConst *cc, size_t count, Value *out,
                         Error *err)
{
    if (cc->arg1_null) {
        for (size_t i = 0; i < count; i++) {
            out[i] = value_null(w->result_type);
        }
        return STRATA_OK;
    }
    int64_t buckets = cc->arg1;
    if (buckets <= 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_NTILE,
                         "argument of ntile must be greater than zero");
    }
    int64_t per = (int64_t)count / buckets, extra = (int64_t)count % buckets;
    int64_t big = extra * (per + 1);
    for (size_t i = 0; i < count; i++) {
        int64_t pos = (int64_t)i;
        int64_t bucket = pos < big ? pos / (per + 1) : extra + (per > 0 ? (pos - big) / per : 0);
        out[i] = value_i64(TYPE_INT4, bucket + 1);
        out[i].type = w->result_type;
    }
    return STRATA_OK;
}

static int compute_shift(VecWindow *vw, const WinCall *w, const CallConst *cc, size_t base,
                         size_t count, Value *out)
{
    int64_t offset = 1;
    if (w->agg.arg_count >= 2) {
        if (cc->arg1_null) {
            for (size_t i = 0; i < count; i++) {
                out[i] = value_null(w->result_type);
            }
            return STRATA_OK;
        }
        offset = cc->arg1;
    }
    int col = w->agg.args[0]->index;
    for (size_t i = 0; i < count; i++) {
        int64_t target = (int64_t)i + (w->kind == WIN_LAG ? -offset : offset);
        if (target < 0 || target >= (int64_t)count) {
            out[i] = w->agg.arg_count >= 3 ? cc->fallback : value_null(w->result_type);
        } else {
            column_value(vw, base + (size_t)target, col, &out[i]);
        }
        out[i].type = w->result_type;
    }
    return STRATA_OK;
}

static int compute_call(VecWindow *vw, const WinCall *w, const CallConst *cc, size_t base,
                        size_t count, Value *out, Error *err)
{
    switch (w->kind) {
    case WIN_ROW_NUMBER:
    case WIN_RANK:
    case WIN_DENSE_RANK:
    case WIN_PERCENT_RANK:
    case WIN_CUME_DIST:
        for (size_t i = 0; i < count; i++) {
            switch (w->kind) {
            case WIN_ROW_NUMBER: out[i] = value_i64(TYPE_INT8, (int64_t)i + 1); break;
            case WIN_RANK: out[i] = value_i64(TYPE_INT8, (int64_t)vw->peer_start[i] + 1); break;
            case WIN_DENSE_RANK:
                out[i] = value_i64(TYPE_INT8, (int64_t)vw->group_index[i] + 1);
                break;
            case WIN_PERCENT_RANK:
                out[i] = value_f64(count > 1 ? (double)vw->peer_start[i] / (double)(count - 1)
                                             : 0.0);
                break;
            default: out[i] = value_f64((double)vw->peer_end[i] / (double)count); break;
            }
            out[i].type = w->result_type;
        }
        return STRATA_OK;
    case WIN_NTILE:
        return compute_ntile(w, cc, count, out, err);
    case WIN_LAG:
    case WIN_LEAD:
        return compute_shift(vw, w, cc, base, count, out);
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
        for (size_t i = 0; i < count; i++) {
            Frame f = frame_at(vw, w, cc, count, i);
            if (f.start >= f.end) {
                out[i] = value_null(w->result_type);
            } else {
                size_t at = w->kind == WIN_FIRST_VALUE ? f.start : f.end - 1;
                column_value(vw, base + at, w->agg.args[0]->index, &out[i]);
            }
            out[i].type = w->result_type;
        }
        return STRATA_OK;
    case WIN_AGG:
        return compute_agg(vw, w, cc, base, count, out, err);
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "unsupported window function");
    }
}

/* Finds the next partition from vw->part_end on and computes its calls. */
static int next_partition(ExecNode *n, VecWindow *vw, Error *err)
{
    const PlanNode *p = n->p;
    const WinCall *w = vw->w;
    size_t start = vw->part_end, end = start + 1;
    while (end < vw->total && same_keys_at(vw, start, end, 0, w->partition_count)) {
        end++;
    }
    size_t count = end - start;
    arena_reset(vw->part_arena);
    Arena *a = vw->part_arena;
    if ((vw->peer_start = arena_alloc(a, sizeof(size_t) * count)) == NULL ||
        (vw->peer_end = arena_alloc(a, sizeof(size_t) * count)) == NULL ||
        (vw->group_index = arena_alloc(a, sizeof(size_t) * count)) == NULL) {
        return arena_error(a, err);
    }
    size_t group = 0;
    for (size_t r = 0; r < count; r++) {
        bool peer = r > 0 && same_keys_at(vw, start + r - 1, start + r, w->partition_count,
                                          w->order_count);
        group += r > 0 && !peer;
        vw->peer_start[r] = peer ? vw->peer_start[r - 1] : r;
        vw->group_index[r] = group;
    }
    for (size_t r = count; r-- > 0;) {
        bool peer = r + 1 < count && vw->group_index[r + 1] == vw->group_index[r];
        vw->peer_end[r] = peer ? vw->peer_end[r + 1] : r + 1;
    }
    int rc = STRATA_OK;
    for (int call = 0; call < p->win_count && rc == STRATA_OK; call++) {
        if ((vw->results[call] = arena_alloc(a, sizeof(Value) * count)) == NULL) {
            return arena_error(a, err);
        }
        rc = compute_call(vw, p->wins[call], &vw->consts[call], start, count, vw->results[call],
                          err);
    }
    vw->part_start = start;
    vw->part_end = end;
    return rc == STRATA_OK ? exec_check_interrupt(n->es, err) : rc;
}

int vec_window_next(ExecNode *n, Value **row, bool *handled, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    VecWindow *vw = n->vwin;
    int rc;
    *handled = true;
    if (vw == NULL) {
        if ((rc = vwin_create(n, &vw, err)) != STRATA_OK || vw == NULL) {
            *handled = false;
            return rc;
        }
        if ((rc = vec_sort_rows_start(&vw->sort, handled, err)) != STRATA_OK || !*handled) {
            n->vwin_declined = !*handled;
            return rc;
        }
        n->vwin = vw;
        vw->total = vec_sort_row_count(&vw->sort);
        if (es->stats != NULL && p->id >= 0 && p->id < es->plan->node_count) {
            es->stats[p->id].batch_mode = true;
        }
    }
    if (vw->pos >= vw->total) {
        *row = NULL;
        return STRATA_OK;
    }
    if (vw->pos >= vw->part_end && (rc = next_partition(n, vw, err)) != STRATA_OK) {
        return rc;
    }
    int r;
    const Batch *c = vec_sort_row_at(&vw->sort, vw->pos, &r);
    for (int col = 0; col < vw->in_width; col++) {
        batch_get_value(c, col, r, &n->row[col]);
    }
    for (int call = 0; call < p->win_count; call++) {
        n->row[vw->in_width + call] = vw->results[call][vw->pos - vw->part_start];
    }
    vw->pos++;
    *row = n->row;
    return STRATA_OK;
}
