/*
 * exec/window.c - the window operator (PLAN_WINDOW): materializes its input,
 * then for each window call sorts the rows by (PARTITION BY, ORDER BY) and
 * computes the call per row: row_number, rank, dense_rank, percent_rank,
 * cume_dist, ntile, lag, lead, first_value, last_value, nth_value and every
 * aggregate over its frame. Output rows are the input columns followed by
 * one column per call, in the order of the last call's sort.
 *
 * Frames: the default (whole partition without ORDER BY, else RANGE
 * UNBOUNDED PRECEDING .. CURRENT ROW with peers), ROWS and GROUPS with
 * offsets, RANGE with UNBOUNDED / CURRENT ROW bounds and with offsets (the
 * row's key moved by the offset, bound as WinCall.range_bound, found by binary
 * search among the partition's non-NULL keys; a row with a NULL key has its
 * peers as the offset bound). EXCLUDE CURRENT ROW / GROUP / TIES leave rows out
 * of the frame (aggregates then recompute per row).
 *
 * Past work_mem, when every call has the same PARTITION BY, the input is
 * sorted on disk by partition and computed one partition at a time (below,
 * "spilling by partition"), with es->a pointed at the partition's arena.
 *
 * Invariants
 *   1. Everything kept lives in es->a (rows, keys, results), so the per-row
 *      scratch arena may be reset between input rows.
 *   2. An aggregate frame that only grows (start fixed at the partition
 *      start) is computed incrementally: agg final does not modify the state.
 *
 * See src/exec/README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/exec_int.h"
#include "types/compare.h"

typedef struct WinRow {
    Value *row;        /* input row then one slot per call */
    Value *keys;       /* partition keys then order keys (current call) */
    size_t seq;        /* input order, for a stable sort */
} WinRow;

typedef struct WinSort {
    const WinCall *w;
} WinSort;

static int compare_keys(const Value *a, const Value *b, bool desc, bool nulls_first)
{
    if (a->is_null || b->is_null) {
        if (a->is_null && b->is_null) {
            return 0;
        }
        int cmp = a->is_null ? 1 : -1;
        return nulls_first ? -cmp : cmp;
    }
    int cmp = value_compare(a, b);
    return desc ? -cmp : cmp;
}

static int win_compare(const void *pa, const void *pb, void *arg)
{
    const WinSort *ws = arg;
    const WinRow *a = *(WinRow *const *)pa, *b = *(WinRow *const *)pb;
    const WinCall *w = ws->w;
    for (int k = 0; k < w->partition_count; k++) {
        int cmp = compare_keys(&a->keys[k], &b->keys[k], false, false);
        if (cmp != 0) {
            return cmp;
        }
    }
    for (int k = 0; k < w->order_count; k++) {
        const Value *va = &a->keys[w->partition_count + k], *vb = &b->keys[w->partition_count + k];
        int cmp = compare_keys(va, vb, w->order[k].desc, w->order[k].nulls_first);
        if (cmp != 0) {
            return cmp;
        }
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool same_keys(const Value *a, const Value *b, int from, int count)
{
    return rows_equal_nulls(a + from, b + from, count);
}

typedef struct Part {
    WinRow **rows;     /* the partition's rows in window order */
    size_t count;
    size_t *peer_start;  /* per row: first row of its peer group */
    size_t *peer_end;    /* per row: one past the last row of its peer group */
    size_t *group_index; /* per row: its peer group's number */
} Part;

static int eval_int_arg(ExecNode *n, const Expr *e, const Value *row, int64_t *out, bool *is_null,
                        Error *err)
{
    EvalCtx ctx = {n->es, row, n->corr};
    Value v;
    int rc = eval_expr(e, &ctx, &v, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *is_null = v.is_null;
    *out = v.is_null ? 0 : v.i64;
    return STRATA_OK;
}

/* RANGE offset bound of row i: the first row (of the non-NULL keys) at or past the
 * key moved by the offset for the start, the first one past it for the end. */
static int range_offset_bound(ExecNode *n, const WinCall *w, const Part *pt, size_t i, int side,
                              int64_t *pos, Error *err)
{
    const Value *cur = &pt->rows[i]->keys[w->partition_count];
    if (cur->is_null) {
        *pos = (int64_t)(side == 0 ? pt->peer_start[i] : pt->peer_end[i]);
        return STRATA_OK;
    }
    EvalCtx ctx = {n->es, pt->rows[i]->row, n->corr};
    const Expr *offset = side == 0 ? w->start_offset : w->end_offset;
    Value off, bound;
    int rc = eval_expr(offset, &ctx, &off, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (off.is_null) {
        return error_set(err, SQLSTATE_NULL_VALUE_NOT_ALLOWED, "frame %s offset must not be null",
                         side == 0 ? "starting" : "ending");
    }
    Value zero = off.type.id == TYPE_INTERVAL ? (Value){.type = off.type} : value_i64(TYPE_INT8, 0);
    if (value_compare(&off, &zero) < 0) {
        return error_set(err, SQLSTATE_INVALID_PRECEDING_OR_FOLLOWING_SIZE,
                         "invalid preceding or following size in window function");
    }
    if ((rc = eval_expr(w->range_bound[side], &ctx, &bound, err)) != STRATA_OK) {
        return rc;
    }
    /* the non-NULL keys are one run: NULLs sort first or last */
    const int key = w->partition_count;
    bool nulls_first = w->order[0].nulls_first;
    size_t lo = 0, hi = pt->count;
    while (lo < hi) { /* the boundary between NULL and non-NULL keys */
        size_t mid = lo + (hi - lo) / 2;
        if (pt->rows[mid]->keys[key].is_null == nulls_first) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    size_t first = nulls_first ? lo : 0, last = nulls_first ? pt->count : lo;
    bool desc = w->order[0].desc;
    lo = first;
    hi = last;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = value_compare(&pt->rows[mid]->keys[key], &bound);
        if (desc) {
            cmp = -cmp;
        }
        bool inside = side == 0 ? cmp >= 0 : cmp > 0; /* at/past the start, past the end */
        if (inside) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    *pos = (int64_t)lo;
    return STRATA_OK;
}

/* The frame [*start, *end) of row i of the partition. */
static int frame_of(ExecNode *n, const WinCall *w, const Part *pt, size_t i, size_t *start,
                    size_t *end, Error *err)
{
    if (w->frame_mode == FRAME_NONE) {
        *start = 0;
        *end = w->order_count == 0 ? pt->count : pt->peer_end[i];
        return STRATA_OK;
    }
    int kinds[2] = {w->start_kind, w->end_kind};
    const Expr *offsets[2] = {w->start_offset, w->end_offset};
    size_t bounds[2];
    for (int side = 0; side < 2; side++) {
        int kind = kinds[side];
        if (kind == FRAME_BOUND_DEFAULT) {
            kind = FRAME_BOUND_CURRENT_ROW;
        }
        int64_t off = 0;
        bool is_offset = kind == FRAME_BOUND_OFFSET_PRECEDING || kind == FRAME_BOUND_OFFSET_FOLLOWING;
        if (is_offset && w->frame_mode == FRAME_RANGE) {
            int64_t pos = 0;
            int rc = range_offset_bound(n, w, pt, i, side, &pos, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            bounds[side] = (size_t)pos;
            continue;
        }
        if (is_offset) {
            bool is_null;
            int rc = eval_int_arg(n, offsets[side], pt->rows[i]->row, &off, &is_null, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            if (is_null) {
                return error_set(err, SQLSTATE_NULL_VALUE_NOT_ALLOWED, "frame %s offset must not be null",
                                 side == 0 ? "starting" : "ending");
            }
            if (off < 0) {
                return error_set(err, SQLSTATE_INVALID_PRECEDING_OR_FOLLOWING_SIZE,
                                 "frame %s offset must not be negative", side == 0 ? "starting" : "ending");
            }
        }
        int64_t pos;
        int64_t count = (int64_t)pt->count;
        switch (kind) {
        case FRAME_BOUND_UNBOUNDED_PRECEDING: pos = 0; break;
        case FRAME_BOUND_UNBOUNDED_FOLLOWING: pos = count; break;
        case FRAME_BOUND_CURRENT_ROW:
            if (w->frame_mode == FRAME_ROWS) {
                pos = (int64_t)i + side;
            } else {
                pos = (int64_t)(side == 0 ? pt->peer_start[i] : pt->peer_end[i]);
            }
            break;
        default: {
            int64_t sign = kind == FRAME_BOUND_OFFSET_PRECEDING ? -1 : 1;
            if (w->frame_mode == FRAME_ROWS) {
                pos = (int64_t)i + sign * off + side;
            } else {
                /* GROUPS: move off peer groups from the current one. */
                int64_t target = (int64_t)pt->group_index[i] + sign * off;
                int64_t last_group = (int64_t)pt->group_index[pt->count - 1];
                if (target < 0) {
                    pos = side == 0 ? 0 : 0;
                } else if (target > last_group) {
                    pos = count;
                } else {
                    /* first row of the target group, or one past its end */
                    size_t r = 0;
                    while (r < pt->count && (int64_t)pt->group_index[r] < target) {
                        r++;
                    }
                    pos = side == 0 ? (int64_t)r : (int64_t)pt->peer_end[r];
                }
            }
            break;
        }
        }
        if (pos < 0) {
            pos = 0;
        }
        if (pos > count) {
            pos = count;
        }
        bounds[side] = (size_t)pos;
    }
    *start = bounds[0];
    *end = bounds[1] > bounds[0] ? bounds[1] : bounds[0];
    return STRATA_OK;
}

/* EXCLUDE CURRENT ROW / GROUP / TIES: whether row r of the frame of row i is left out. */
static bool excluded(const WinCall *w, const Part *pt, size_t i, size_t r)
{
    switch (w->exclude) {
    case FRAME_EXCLUDE_CURRENT_ROW:
        return r == i;
    case FRAME_EXCLUDE_GROUP:
        return r >= pt->peer_start[i] && r < pt->peer_end[i];
    case FRAME_EXCLUDE_TIES:
        return r != i && r >= pt->peer_start[i] && r < pt->peer_end[i];
    default:
        return false;
    }
}

typedef struct AggRun {
    void *state;
    size_t stepped_to;   /* rows [0, stepped_to) already stepped (incremental mode) */
} AggRun;

static int agg_step_one(ExecNode *n, const AggCall *a, void *state, const Value *row, Error *err)
{
    EvalCtx ctx = {n->es, row, n->corr};
    int rc;
    if (a->filter != NULL) {
        bool pass;
        if ((rc = eval_qual(a->filter, &ctx, &pass, err)) != STRATA_OK || !pass) {
            return rc;
        }
    }
    Value args[AGG_PARAMS_MAX + 1];
    bool has_null = false;
    for (int j = 0; j < a->arg_count && j < AGG_PARAMS_MAX; j++) {
        if ((rc = eval_expr(a->args[j], &ctx, &args[j], err)) != STRATA_OK) {
            return rc;
        }
        has_null |= args[j].is_null;
    }
    if (has_null && a->match.def->strict) {
        return STRATA_OK;
    }
    FuncContext keep = n->es->fctx;
    keep.arena = n->es->a;
    return agg_step(&a->match, state, args, &keep, err);
}

static int agg_result(ExecNode *n, const AggCall *a, const void *state, Value *out, Error *err)
{
    FuncContext keep = n->es->fctx;
    keep.arena = n->es->a;
    return agg_final(&a->match, state, NULL, 0, out, &keep, err);
}

static int new_state(ExecNode *n, const AggCall *a, void **out, Error *err)
{
    void *s = arena_zalloc(n->es->a, a->match.def->state_size + 16);
    if (s == NULL) {
        return arena_error(n->es->a, err);
    }
    agg_init(&a->match, s);
    *out = s;
    return STRATA_OK;
}

static int window_agg(ExecNode *n, const WinCall *w, const Part *pt, size_t i, size_t fs,
                      size_t fe, AggRun *run, Value *out, Error *err)
{
    const AggCall *a = &w->agg;
    int rc;
    bool excludes = w->exclude != FRAME_EXCLUDE_NONE;
    if (fs == 0 && !excludes && run->state != NULL && fe >= run->stepped_to) {
        for (; run->stepped_to < fe; run->stepped_to++) {
            if ((rc = agg_step_one(n, a, run->state, pt->rows[run->stepped_to]->row, err)) != STRATA_OK) {
                return rc;
            }
        }
        return agg_result(n, a, run->state, out, err);
    }
    void *state = NULL;
    if ((rc = new_state(n, a, &state, err)) != STRATA_OK) {
        return rc;
    }
    for (size_t r = fs; r < fe; r++) {
        if (excludes && excluded(w, pt, i, r)) {
            continue;
        }
        if ((rc = agg_step_one(n, a, state, pt->rows[r]->row, err)) != STRATA_OK) {
            return rc;
        }
    }
    if (fs == 0 && !excludes) {
        run->state = state;
        run->stepped_to = fe;
    }
    return agg_result(n, a, state, out, err);
}

static int value_arg(ExecNode *n, const Expr *e, const Value *row, Value *out, Error *err)
{
    EvalCtx ctx = {n->es, row, n->corr};
    Value v;
    int rc = eval_expr(e, &ctx, &v, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Value *kept = row_copy(n->es->a, &v, 1);
    if (kept == NULL) {
        return arena_error(n->es->a, err);
    }
    *out = *kept;
    return STRATA_OK;
}

static int window_value(ExecNode *n, const WinCall *w, const Part *pt, size_t i, AggRun *run,
                        Value *out, Error *err)
{
    const Value *row = pt->rows[i]->row;
    int64_t count = (int64_t)pt->count;
    int rc;
    switch (w->kind) {
    case WIN_ROW_NUMBER:
        *out = value_i64(TYPE_INT8, (int64_t)i + 1);
        return STRATA_OK;
    case WIN_RANK:
        *out = value_i64(TYPE_INT8, (int64_t)pt->peer_start[i] + 1);
        return STRATA_OK;
    case WIN_DENSE_RANK:
        *out = value_i64(TYPE_INT8, (int64_t)pt->group_index[i] + 1);
        return STRATA_OK;
    case WIN_PERCENT_RANK:
        *out = value_f64(count > 1 ? (double)pt->peer_start[i] / (double)(count - 1) : 0.0);
        return STRATA_OK;
    case WIN_CUME_DIST:
        *out = value_f64((double)pt->peer_end[i] / (double)count);
        return STRATA_OK;
    case WIN_NTILE: {
        int64_t buckets;
        bool is_null;
        if ((rc = eval_int_arg(n, w->agg.args[0], row, &buckets, &is_null, err)) != STRATA_OK) {
            return rc;
        }
        if (is_null) {
            *out = value_null(w->result_type);
            return STRATA_OK;
        }
        if (buckets <= 0) {
            return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_NTILE,
                             "argument of ntile must be greater than zero");
        }
        /* PostgreSQL: the first (count % buckets) buckets get one extra row. */
        int64_t per = count / buckets, extra = count % buckets, pos = (int64_t)i;
        int64_t big = extra * (per + 1);
        int64_t bucket = pos < big ? pos / (per + 1) : extra + (per > 0 ? (pos - big) / per : 0);
        *out = value_i64(TYPE_INT4, bucket + 1);
        return STRATA_OK;
    }
    case WIN_LAG:
    case WIN_LEAD: {
        int64_t offset = 1;
        bool is_null = false;
        if (w->agg.arg_count >= 2 &&
            (rc = eval_int_arg(n, w->agg.args[1], row, &offset, &is_null, err)) != STRATA_OK) {
            return rc;
        }
        if (is_null) {
            *out = value_null(w->result_type);
            return STRATA_OK;
        }
        int64_t target = (int64_t)i + (w->kind == WIN_LAG ? -offset : offset);
        if (target < 0 || target >= count) {
            if (w->agg.arg_count >= 3) {
                return value_arg(n, w->agg.args[2], row, out, err);
            }
            *out = value_null(w->result_type);
            return STRATA_OK;
        }
        return value_arg(n, w->agg.args[0], pt->rows[target]->row, out, err);
    }
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
    case WIN_NTH_VALUE: {
        size_t fs, fe;
        if ((rc = frame_of(n, w, pt, i, &fs, &fe, err)) != STRATA_OK) {
            return rc;
        }
        int64_t nth = 1;
        if (w->kind == WIN_NTH_VALUE) {
            bool is_null;
            if ((rc = eval_int_arg(n, w->agg.args[1], row, &nth, &is_null, err)) != STRATA_OK) {
                return rc;
            }
            if (is_null) {
                *out = value_null(w->result_type);
                return STRATA_OK;
            }
            if (nth <= 0) {
                return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_NTH_VALUE,
                                 "argument of nth_value must be greater than zero");
            }
        }
        /* the nth row of the frame (last_value: the last), excluded rows skipped */
        int64_t target = -1;
        if (w->kind == WIN_LAST_VALUE) {
            for (size_t r = fe; r-- > fs && target < 0;) {
                target = excluded(w, pt, i, r) ? -1 : (int64_t)r;
            }
        } else {
            int64_t seen = 0;
            for (size_t r = fs; r < fe && target < 0; r++) {
                if (!excluded(w, pt, i, r) && ++seen == nth) {
                    target = (int64_t)r;
                }
            }
        }
        if (target < 0) {
            *out = value_null(w->result_type);
            return STRATA_OK;
        }
        return value_arg(n, w->agg.args[0], pt->rows[target]->row, out, err);
    }
    case WIN_AGG: {
        size_t fs, fe;
        if ((rc = frame_of(n, w, pt, i, &fs, &fe, err)) != STRATA_OK) {
            return rc;
        }
        return window_agg(n, w, pt, i, fs, fe, run, out, err);
    }
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, "unknown window function");
}

static int compute_partition(ExecNode *n, const WinCall *w, int slot, Part *pt, Error *err)
{
    ExecState *es = n->es;
    int kc = w->partition_count + w->order_count;
    pt->peer_start = arena_alloc(es->a, sizeof(size_t) * pt->count);
    pt->peer_end = arena_alloc(es->a, sizeof(size_t) * pt->count);
    pt->group_index = arena_alloc(es->a, sizeof(size_t) * pt->count);
    if (pt->peer_start == NULL || pt->peer_end == NULL || pt->group_index == NULL) {
        return arena_error(es->a, err);
    }
    size_t group = 0;
    for (size_t r = 0; r < pt->count; r++) {
        bool peer = r > 0 && same_keys(pt->rows[r - 1]->keys, pt->rows[r]->keys, w->partition_count,
                                       w->order_count);
        if (r > 0 && !peer) {
            group++;
        }
        pt->peer_start[r] = peer ? pt->peer_start[r - 1] : r;
        pt->group_index[r] = group;
    }
    for (size_t r = pt->count; r-- > 0;) {
        bool peer = r + 1 < pt->count && pt->group_index[r + 1] == pt->group_index[r];
        pt->peer_end[r] = peer ? pt->peer_end[r + 1] : r + 1;
    }
    (void)kc;
    AggRun run = {0};
    for (size_t r = 0; r < pt->count; r++) {
        exec_scratch_reset(es);
        Value v;
        int rc = window_value(n, w, pt, r, &run, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!v.is_null) {
            Value *kept = row_copy(es->a, &v, 1);
            if (kept == NULL) {
                return arena_error(es->a, err);
            }
            v = *kept;
        }
        v.type = w->result_type;
        pt->rows[r]->row[slot] = v;
    }
    return STRATA_OK;
}

static int compute_call(ExecNode *n, WinRow **order, size_t count, int call, Error *err)
{
    const PlanNode *p = n->p;
    const WinCall *w = p->wins[call];
    ExecState *es = n->es;
    int kc = w->partition_count + w->order_count;
    int rc;
    for (size_t r = 0; r < count; r++) {
        WinRow *wr = order[r];
        wr->keys = arena_alloc(es->a, sizeof(Value) * (size_t)(kc + 1));
        if (wr->keys == NULL) {
            return arena_error(es->a, err);
        }
        EvalCtx ctx = {es, wr->row, n->corr};
        for (int k = 0; k < kc; k++) {
            const Expr *e = k < w->partition_count ? w->partition[k] : w->order[k - w->partition_count].expr;
            if ((rc = eval_expr(e, &ctx, &wr->keys[k], err)) != STRATA_OK) {
                return rc;
            }
        }
        Value *kept = row_copy(es->a, wr->keys, kc);
        if (kept == NULL) {
            return arena_error(es->a, err);
        }
        wr->keys = kept;
        exec_scratch_reset(es);
    }
    WinSort ws = {w};
    if (count > 1) {
        qsort_r(order, count, sizeof(WinRow *), win_compare, &ws);
    }
    size_t begin = 0;
    while (begin < count) {
        size_t end = begin + 1;
        while (end < count && same_keys(order[begin]->keys, order[end]->keys, 0, w->partition_count)) {
            end++;
        }
        Part pt = {order + begin, end - begin, NULL, NULL, NULL};
        if ((rc = compute_partition(n, w, p->left->column_count + call, &pt, err)) != STRATA_OK) {
            return rc;
        }
        if ((rc = exec_check_interrupt(es, err)) != STRATA_OK) {
            return rc;
        }
        begin = end;
    }
    return STRATA_OK;
}

/* ---- spilling by partition ---------------------------------------------------------------- */

static bool same_partitioning(const WinCall *a, const WinCall *b)
{
    if (a->partition_count != b->partition_count) {
        return false;
    }
    for (int k = 0; k < a->partition_count; k++) {
        if (!expr_equal(a->partition[k], b->partition[k])) {
            return false;
        }
    }
    return true;
}

static bool same_order(const WinCall *a, const WinCall *b)
{
    if (a->order_count != b->order_count) {
        return false;
    }
    for (int k = 0; k < a->order_count; k++) {
        const SortKey *ka = &a->order[k], *kb = &b->order[k];
        if (!expr_equal(ka->expr, kb->expr) || ka->desc != kb->desc ||
            ka->nulls_first != kb->nulls_first) {
            return false;
        }
    }
    return true;
}

/* One past the last call of the pass that starts at call first: the calls
 * after it with the same PARTITION BY (and, without one, the same ORDER BY). */
static int pass_end(const PlanNode *p, int first)
{
    const WinCall *w = p->wins[first];
    int end = first + 1;
    while (end < p->win_count && same_partitioning(w, p->wins[end]) &&
           (w->partition_count > 0 || same_order(w, p->wins[end]))) {
        end++;
    }
    return end;
}

/* Whether a call without PARTITION BY can be computed a peer group at a time
 * in ORDER BY order, from what the groups before it leave (stream_group):
 * row_number, rank, dense_rank, and aggregates over the default frame (the
 * partition start to the row's last peer). */
static bool streams(const WinCall *w)
{
    if (w->partition_count != 0 || w->order_count == 0 || w->order_count > 32) {
        return false;
    }
    if (w->kind == WIN_ROW_NUMBER || w->kind == WIN_RANK || w->kind == WIN_DENSE_RANK) {
        return true;
    }
    return w->kind == WIN_AGG && w->frame_mode == FRAME_NONE && !w->agg.is_distinct &&
           w->agg.order_count == 0 && !w->agg.is_grouping;
}

/* Whether the input may be sorted on disk and computed a partition (or a peer
 * group) at a time: every call has a PARTITION BY (at most 32 keys) or
 * streams, outside subplans, with work_mem set. Calls of different
 * partitionings run as passes (consecutive calls of one partitioning each),
 * each pass's output sorted on disk by the next one's keys. */
static bool spill_applies(const ExecNode *n)
{
    const PlanNode *p = n->p;
    if (n->es->sub_depth > 0 || n->es->env->work_mem_bytes == 0) {
        return false;
    }
    for (int call = 0; call < p->win_count; call++) {
        const WinCall *w = p->wins[call];
        if ((w->partition_count == 0 || w->partition_count > 32) && !streams(w)) {
            return false;
        }
    }
    return true;
}

/* A spilled row: the window's row (input columns, one slot per call), its
 * partition keys of the pass, then its position in the pass's input (the merge
 * keeps that order within a partition, as the in-memory sorts do with
 * WinRow.seq: the input order for the first pass, the previous pass's output
 * order for the others). */
typedef struct SpillKeys {
    int width;       /* p->column_count */
    int key_count;   /* partition keys of the pass (or ORDER BY keys, below) */
    const SortKey *order; /* a pass without PARTITION BY: its ORDER BY (else NULL) */
} SpillKeys;

typedef struct WinSpill {
    SortSpill *file; /* the current pass's rows, merged by partition */
    SpillKeys cur;
    int call_first, call_end; /* the current pass's calls */
    SortSpill *out;  /* the next pass's rows, while the current one is read */
    SpillKeys out_keys;
    int out_first;   /* the first call of the pass being written */
    int width;       /* p->column_count */
    Arena *chunk;    /* rows not yet written as a run */
    RowList pending; /* their rows (in chunk) */
    uint64_t seq;
    Arena *part;     /* the partition being emitted: rows, keys, results */
    Value *next;     /* the first row of the next partition (copied in next_arena) */
    Arena *next_arena;
    bool ended;
    uint64_t disk_bytes; /* of the passes read to the end */
    /* A pass without PARTITION BY (streams): read a peer group at a time. */
    uint64_t rows_before, groups_before; /* rows and peer groups already computed */
    AggRun *runs;        /* per call: its aggregate's running state */
    Arena *state_arena;  /* those states */
} WinSpill;

static int spill_compare(const void *pa, const void *pb, void *arg)
{
    const SpillKeys *sk = arg;
    const Value *a = *(Value *const *)pa, *b = *(Value *const *)pb;
    for (int k = 0; k < sk->key_count; k++) {
        bool desc = sk->order != NULL && sk->order[k].desc;
        bool nulls_first = sk->order != NULL && sk->order[k].nulls_first;
        int cmp = compare_keys(&a[sk->width + k], &b[sk->width + k], desc, nulls_first);
        if (cmp != 0) {
            return cmp;
        }
    }
    int64_t sa = a[sk->width + sk->key_count].i64, sb = b[sk->width + sk->key_count].i64;
    return sa < sb ? -1 : sa > sb;
}

/* Sorts the pending rows and writes them as one run of the pass being written. */
static int spill_flush(WinSpill *ws, Error *err)
{
    if (ws->pending.count == 0) {
        return STRATA_OK;
    }
    qsort_r(ws->pending.rows, ws->pending.count, sizeof(Value *), spill_compare, &ws->out_keys);
    int rc = sort_spill_write_run(ws->out, ws->pending.rows, ws->pending.count, err);
    arena_reset(ws->chunk);
    ws->pending = (RowList){0};
    return rc;
}

/* Adds row in to the pending chunk of the pass being written: its first width
 * values (the input's columns, or the whole row after an earlier pass), the
 * other result slots empty, then that pass's partition keys. */
static int spill_add(ExecNode *n, WinSpill *ws, const Value *in, int width, Error *err)
{
    const PlanNode *p = n->p;
    const WinCall *w = p->wins[ws->out_first];
    int key_count = ws->out_keys.key_count;
    int total = ws->width + key_count + 1;
    Value *row = arena_zalloc(ws->chunk, sizeof(Value) * (size_t)(total + 1));
    if (row == NULL) {
        return arena_error(ws->chunk, err);
    }
    memcpy(row, in, sizeof(Value) * (size_t)width);
    for (int c = width; c < ws->width; c++) {
        row[c] = value_null(p->column_types[c]);
    }
    EvalCtx ctx = {n->es, row, n->corr};
    for (int k = 0; k < key_count; k++) {
        const Expr *key = ws->out_keys.order != NULL ? w->order[k].expr : w->partition[k];
        int rc = eval_expr(key, &ctx, &row[ws->width + k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    row[ws->width + key_count] = value_i64(TYPE_INT8, (int64_t)ws->seq++);
    Value *kept = row_copy(ws->chunk, row, total);
    exec_scratch_reset(n->es);
    if (kept == NULL || row_list_push(ws->chunk, &ws->pending, kept) != STRATA_OK) {
        return arena_error(ws->chunk, err);
    }
    return arena_used_bytes(ws->chunk) > n->es->env->work_mem_bytes ? spill_flush(ws, err)
                                                                     : STRATA_OK;
}

/* Starts writing the pass whose first call is first. */
static int pass_open(ExecNode *n, WinSpill *ws, int first, Error *err)
{
    const WinCall *w = n->p->wins[first];
    ws->out_first = first;
    ws->out_keys = w->partition_count > 0 ? (SpillKeys){ws->width, w->partition_count, NULL}
                                          : (SpillKeys){ws->width, w->order_count, w->order};
    ws->seq = 0;
    return sort_spill_open(n->es, ws->width + ws->out_keys.key_count + 1, &ws->out, err);
}

/* The pass written becomes the one read: its runs are merged by partition. */
static int pass_start(ExecNode *n, WinSpill *ws, Error *err)
{
    int rc = spill_flush(ws, err);
    if (rc == STRATA_OK) {
        ws->file = ws->out;
        ws->out = NULL;
        ws->cur = ws->out_keys;
        ws->call_first = ws->out_first;
        ws->call_end = pass_end(n->p, ws->out_first);
        ws->ended = false;
        ws->rows_before = ws->groups_before = 0;
        arena_reset(ws->state_arena);
        ws->runs = arena_zalloc(ws->state_arena, sizeof(AggRun) * (size_t)n->p->win_count);
        rc = ws->runs == NULL ? arena_error(ws->state_arena, err)
                              : sort_spill_merge_start(ws->file, spill_compare, &ws->cur, err);
    }
    const PlanNode *p = n->p;
    ExecState *es = n->es;
    if (rc == STRATA_OK && es->stats != NULL && p->id >= 0 && p->id < es->plan->node_count) {
        es->stats[p->id].sort_spilled = true; /* EXPLAIN ANALYZE: "Storage: Disk" */
        uint64_t bytes = ws->disk_bytes + sort_spill_bytes(ws->file);
        if (bytes > es->stats[p->id].sort_disk_bytes) {
            es->stats[p->id].sort_disk_bytes = bytes;
        }
    }
    return rc;
}

/* The aggregate of call w over every row up to this peer group's last:
 * rows[0..count) stepped into its running state (in ws->state_arena, bounded
 * by the statement's cap), the result in ws->part. */
static int stream_agg(ExecNode *n, WinSpill *ws, const WinCall *w, AggRun *run, Value **rows,
                      size_t count, Value *out, Error *err)
{
    ExecState *es = n->es;
    Arena *saved = es->a;
    es->a = ws->state_arena;
    int rc = run->state == NULL ? new_state(n, &w->agg, &run->state, err) : STRATA_OK;
    for (size_t r = 0; r < count && rc == STRATA_OK; r++) {
        rc = agg_step_one(n, &w->agg, run->state, rows[r], err);
        exec_scratch_reset(es);
    }
    if (rc == STRATA_OK) {
        rc = exec_check_work_mem(es, err);
    }
    es->a = ws->part;
    if (rc == STRATA_OK && (rc = agg_result(n, &w->agg, run->state, out, err)) == STRATA_OK &&
        !out->is_null) {
        Value *kept = row_copy(ws->part, out, 1);
        rc = kept != NULL ? STRATA_OK : arena_error(ws->part, err);
        if (kept != NULL) {
            *out = *kept;
        }
    }
    es->a = saved;
    return rc;
}

/* A pass without PARTITION BY: computes its calls over one peer group
 * (rows[0..count), in ORDER BY order, then input order) from the rows and
 * groups before it, and queues the rows for output in n->rows. */
static int stream_group(ExecNode *n, WinSpill *ws, Value **rows, size_t count, Error *err)
{
    const PlanNode *p = n->p;
    int rc = STRATA_OK;
    for (int call = ws->call_first; call < ws->call_end && rc == STRATA_OK; call++) {
        const WinCall *w = p->wins[call];
        Value agg = {0};
        if (w->kind == WIN_AGG) {
            rc = stream_agg(n, ws, w, &ws->runs[call], rows, count, &agg, err);
        }
        for (size_t r = 0; r < count && rc == STRATA_OK; r++) {
            Value v = agg;
            if (w->kind == WIN_ROW_NUMBER) {
                v = value_i64(TYPE_INT8, (int64_t)(ws->rows_before + r + 1));
            } else if (w->kind == WIN_RANK) {
                v = value_i64(TYPE_INT8, (int64_t)(ws->rows_before + 1));
            } else if (w->kind == WIN_DENSE_RANK) {
                v = value_i64(TYPE_INT8, (int64_t)(ws->groups_before + 1));
            }
            v.type = w->result_type;
            rows[r][p->left->column_count + call] = v;
        }
    }
    ws->rows_before += count;
    ws->groups_before++;
    n->rows = (RowList){0};
    n->pos = 0;
    for (size_t r = 0; r < count && rc == STRATA_OK; r++) {
        if (row_list_push(ws->part, &n->rows, rows[r]) != STRATA_OK) {
            rc = arena_error(ws->part, err);
        }
    }
    return rc;
}

/* Computes every call of the pass over rows[0..count) (one partition, in
 * input order) and queues them for output in n->rows. Everything lives in
 * ws->part. */
static int spill_partition(ExecNode *n, WinSpill *ws, Value **rows, size_t count, Error *err)
{
    ExecState *es = n->es;
    if (ws->cur.order != NULL) {
        return stream_group(n, ws, rows, count, err);
    }
    Arena *saved = es->a;
    es->a = ws->part;
    int rc = STRATA_OK;
    WinRow **order = arena_alloc(es->a, sizeof(WinRow *) * (count + 1));
    if (order == NULL) {
        rc = arena_error(es->a, err);
    }
    for (size_t r = 0; r < count && rc == STRATA_OK; r++) {
        WinRow *wr = arena_zalloc(es->a, sizeof(WinRow));
        if (wr == NULL) {
            rc = arena_error(es->a, err);
            break;
        }
        wr->row = rows[r];
        wr->seq = r;
        order[r] = wr;
    }
    for (int call = ws->call_first; call < ws->call_end && rc == STRATA_OK; call++) {
        rc = compute_call(n, order, count, call, err);
        for (size_t r = 0; r < count; r++) {
            order[r]->seq = r;
        }
        if (rc == STRATA_OK) {
            rc = exec_check_work_mem(es, err); /* one partition: 4 x work_mem, as before */
        }
    }
    n->rows = (RowList){0};
    n->pos = 0;
    for (size_t r = 0; r < count && rc == STRATA_OK; r++) {
        if (row_list_push(es->a, &n->rows, order[r]->row) != STRATA_OK) {
            rc = arena_error(es->a, err);
        }
    }
    es->a = saved;
    return rc;
}

/* Reads the next partition from the merged runs and computes it; n->rows empty
 * at the end. */
static int spill_next_partition(ExecNode *n, WinSpill *ws, Error *err)
{
    arena_reset(ws->part);
    n->rows = (RowList){0};
    n->pos = 0;
    if (ws->ended && ws->next == NULL) {
        return STRATA_OK;
    }
    int total = ws->width + ws->cur.key_count + 1;
    RowList part = {0};
    int rc = STRATA_OK;
    if (ws->next != NULL) {
        Value *first = row_copy(ws->part, ws->next, total);
        if (first == NULL || row_list_push(ws->part, &part, first) != STRATA_OK) {
            return arena_error(ws->part, err);
        }
        ws->next = NULL;
        arena_reset(ws->next_arena);
    }
    for (;;) {
        Value *r;
        if ((rc = sort_spill_next(ws->file, &r, err)) != STRATA_OK) {
            return rc;
        }
        if (r == NULL) {
            ws->ended = true;
            break;
        }
        if (part.count > 0 &&
            !same_keys(part.rows[0], r, ws->width, ws->cur.key_count)) {
            if ((ws->next = row_copy(ws->next_arena, r, total)) == NULL) {
                return arena_error(ws->next_arena, err);
            }
            break;
        }
        Value *copy = row_copy(ws->part, r, total);
        if (copy == NULL || row_list_push(ws->part, &part, copy) != STRATA_OK) {
            return arena_error(ws->part, err);
        }
        if (arena_used_bytes(ws->part) > exec_memory_cap_bytes(n->es)) {
            Arena *saved = n->es->a;
            n->es->a = ws->part; /* one partition: 4 x work_mem, as before */
            rc = exec_check_work_mem(n->es, err);
            n->es->a = saved;
            return rc;
        }
    }
    return part.count > 0 ? spill_partition(n, ws, part.rows, part.count, err) : STRATA_OK;
}

/* Runs every pass but the last: each partition of a pass is computed and its
 * rows, in output order, go to the next pass's runs (sorted by its partitions);
 * then the last pass is the one read for output. */
static int passes_run(ExecNode *n, WinSpill *ws, Error *err)
{
    int rc = STRATA_OK;
    while (rc == STRATA_OK && ws->call_end < n->p->win_count) {
        rc = pass_open(n, ws, ws->call_end, err);
        while (rc == STRATA_OK && (rc = spill_next_partition(n, ws, err)) == STRATA_OK &&
               n->rows.count > 0) {
            for (size_t r = 0; r < n->rows.count && rc == STRATA_OK; r++) {
                rc = spill_add(n, ws, n->rows.rows[r], ws->width, err);
            }
            if (rc == STRATA_OK) {
                rc = exec_check_interrupt(n->es, err);
            }
        }
        if (rc == STRATA_OK) {
            ws->disk_bytes += sort_spill_bytes(ws->file);
            rc = pass_start(n, ws, err);
        }
    }
    n->rows = (RowList){0};
    n->pos = 0;
    return rc;
}

/* The input passed work_mem: what was read so far (rows) and the rest of the
 * input go to sorted runs, merged by the first pass's partitions. */
static int spill_start(ExecNode *n, const RowList *rows, Error *err)
{
    ExecState *es = n->es;
    WinSpill *ws = arena_zalloc(es->a, sizeof(WinSpill));
    if (ws == NULL) {
        return arena_error(es->a, err);
    }
    ws->width = n->p->column_count;
    int rc = pass_open(n, ws, 0, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if ((ws->chunk = arena_create(es->a, 0, "window spill chunk")) == NULL ||
        (ws->part = arena_create(es->a, 0, "window partition")) == NULL ||
        (ws->next_arena = arena_create(es->a, 0, "window next row")) == NULL ||
        (ws->state_arena = arena_create(es->a, 0, "window running states")) == NULL) {
        return arena_error(es->a, err);
    }
    int in_width = n->p->left->column_count;
    for (size_t r = 0; r < rows->count && rc == STRATA_OK; r++) {
        rc = spill_add(n, ws, rows->rows[r], in_width, err);
    }
    for (;;) {
        Value *in;
        if (rc != STRATA_OK || (rc = n->left->next(n->left, &in, err)) != STRATA_OK ||
            in == NULL) {
            break;
        }
        rc = spill_add(n, ws, in, in_width, err);
    }
    if (rc == STRATA_OK) {
        rc = pass_start(n, ws, err);
    }
    if (rc == STRATA_OK) {
        rc = passes_run(n, ws, err);
    }
    n->srf_state = ws;
    return rc;
}

int window_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    ExecState *es = n->es;
    int rc;
    if (!n->vwin_declined && n->srf_state == NULL && !n->started && spill_applies(n) &&
        p->left->est_rows * (double)(sizeof(Value) * (size_t)(p->column_count + 1)) >
            4.0 * (double)es->env->work_mem_bytes) {
        /* Estimated past what vec_window.c may hold (it does not spill, 53200
         * past 4 x work_mem): the row operator, which spills by partition. */
        n->vwin_declined = true;
    }
    if (!n->vwin_declined) {
        /* A window of column keys over a batch input: vec_window.c. */
        bool handled = false;
        rc = n->vwin != NULL || vec_window_applies(es, p) ? vec_window_next(n, row, &handled, err)
                                                          : STRATA_OK;
        n->vwin_declined = !handled;
        if (rc != STRATA_OK || handled) {
            return rc;
        }
    }
    if (n->srf_state != NULL) {
        WinSpill *ws = n->srf_state;
        while (n->pos >= n->rows.count) {
            if ((rc = spill_next_partition(n, ws, err)) != STRATA_OK) {
                return rc;
            }
            if (n->rows.count == 0) {
                *row = NULL;
                return STRATA_OK;
            }
        }
        *row = n->rows.rows[n->pos++];
        return STRATA_OK;
    }
    if (!n->started) {
        n->started = true;
        int in_width = p->left->column_count;
        RowList rows = {0};
        bool may_spill = spill_applies(n);
        size_t spill_base = arena_used_bytes(es->a);
        for (;;) {
            Value *in;
            if ((rc = n->left->next(n->left, &in, err)) != STRATA_OK) {
                return rc;
            }
            if (in == NULL) {
                break;
            }
            Value *copy = arena_zalloc(es->a, sizeof(Value) * (size_t)(p->column_count + 1));
            Value *base = row_copy(es->a, in, in_width);
            if (copy == NULL || base == NULL) {
                return arena_error(es->a, err);
            }
            memcpy(copy, base, sizeof(Value) * (size_t)in_width);
            if (row_list_push(es->a, &rows, copy) != STRATA_OK) {
                return arena_error(es->a, err);
            }
            if (may_spill && arena_used_bytes(es->a) - spill_base > es->env->work_mem_bytes) {
                if ((rc = spill_start(n, &rows, err)) != STRATA_OK) {
                    return rc;
                }
                return window_next(n, row, err);
            }
            if ((rc = exec_check_work_mem(es, err)) != STRATA_OK) {
                return rc;
            }
        }
        WinRow **order = arena_alloc(es->a, sizeof(WinRow *) * (rows.count + 1));
        if (order == NULL) {
            return arena_error(es->a, err);
        }
        for (size_t r = 0; r < rows.count; r++) {
            WinRow *wr = arena_zalloc(es->a, sizeof(WinRow));
            if (wr == NULL) {
                return arena_error(es->a, err);
            }
            wr->row = rows.rows[r];
            wr->seq = r;
            order[r] = wr;
        }
        for (int call = 0; call < p->win_count; call++) {
            if ((rc = compute_call(n, order, rows.count, call, err)) != STRATA_OK) {
                return rc;
            }
            /* The next call's stable sort starts from this call's order. */
            for (size_t r = 0; r < rows.count; r++) {
                order[r]->seq = r;
            }
        }
        for (size_t r = 0; r < rows.count; r++) {
            if (row_list_push(es->a, &n->rows, order[r]->row) != STRATA_OK) {
                return arena_error(es->a, err);
            }
        }
    }
    if (n->pos >= n->rows.count) {
        *row = NULL;
    } else {
        *row = n->rows.rows[n->pos++];
    }
    return STRATA_OK;
}
