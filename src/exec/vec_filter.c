/*
 * exec/vec_filter.c - a scan's qual evaluated over a whole Batch into a
 * selection vector (the vectorized scan pipeline of vec_join.c).
 *
 * The qual's conjuncts are split once (vec_filter_compile) into kernels and a
 * remainder. Kernels are the simple shapes of analytic predicates: an
 * integer-like column compared with a constant (=, <>, <, <=, >, >=; BETWEEN
 * arrives as two of them), an integer column IN a list of constants, a text
 * column = or <> a constant, IS [NOT] NULL. Each kernel narrows the selection
 * in one tight loop over the column's vector. The remaining conjuncts run
 * batch-wise through vec_expr (vec_filter_prepare, conjunct by conjunct on
 * the rows still selected), or row by row (eval_qual over the row's Values)
 * when one does not compile or a batch raises an error.
 *
 * Invariants
 *   1. A row passes iff every conjunct is TRUE (NULL and FALSE drop it), as
 *      eval_qual. Kernels cannot raise errors, so running them before the
 *      remaining conjuncts only skips evaluations PostgreSQL would skip too.
 *   2. Kernels compare int64 values of integer-like columns with the same
 *      meaning as value_compare: both sides are integers (int2/4/8), or both
 *      are the same date/time type stored as int64.
 *
 * See src/exec/README.md ("Vectorized pipeline").
 */
#include <string.h>

#include "exec/exec_int.h"
#include "exec/vec.h"

static bool is_int_type(TypeId id)
{
    return id == TYPE_INT2 || id == TYPE_INT4 || id == TYPE_INT8;
}

/* Whether a column of type col and a constant of type k compare as int64. */
static bool int64_comparable(TypeId col, TypeId k)
{
    if (is_int_type(col) && is_int_type(k)) {
        return true;
    }
    return col == k && (col == TYPE_DATE || col == TYPE_TIMESTAMP || col == TYPE_TIMESTAMPTZ ||
                        col == TYPE_TIME);
}

static bool is_text_type(TypeId id)
{
    return id == TYPE_TEXT || id == TYPE_VARCHAR;
}

_Static_assert((int)VEC_EQ == (int)COMPARE_EQ && (int)VEC_NE == (int)COMPARE_NE &&
                   (int)VEC_LT == (int)COMPARE_LT && (int)VEC_LE == (int)COMPARE_LE &&
                   (int)VEC_GT == (int)COMPARE_GT && (int)VEC_GE == (int)COMPARE_GE,
               "vector comparison ops are numbered as COMPARE_*");

/* Fills k from conjunct e when it has a kernel shape over batch columns of the given types. */
static bool kernel_of(const Expr *e, const SqlType *types, int column_count, VecKernel *k)
{
    memset(k, 0, sizeof(*k));
    if (e->kind == EXPR_NULL_TEST && e->arg_count == 1 && e->args[0]->kind == EXPR_COLUMN) {
        k->column = e->args[0]->index;
        k->op = e->is_not ? VEC_NOT_NULL : VEC_IS_NULL;
        return k->column >= 0 && k->column < column_count;
    }
    if (e->kind == EXPR_IN_LIST && !e->is_not && e->arg_count >= 2 && e->arg_count <= 65 &&
        e->args[0]->kind == EXPR_COLUMN) {
        k->column = e->args[0]->index;
        if (k->column < 0 || k->column >= column_count || !is_int_type(types[k->column].id)) {
            return false;
        }
        k->op = VEC_IN;
        k->value_count = 0;
        for (int a = 1; a < e->arg_count; a++) {
            const Expr *c = e->args[a];
            if (c->kind != EXPR_CONST || !is_int_type(c->type.id) || c->value.is_null) {
                return false;
            }
            k->values[k->value_count++] = c->value.i64;
        }
        return true;
    }
    if (e->kind != EXPR_FUNC || e->arg_count != 2 || e->fn == NULL ||
        e->fn->kind != FUNC_KIND_OPERATOR_INFIX) {
        return false;
    }
    int op = compare_op_of(e->fn->name);
    const Expr *col = e->args[0], *con = e->args[1];
    if (col->kind == EXPR_CONST && con->kind == EXPR_COLUMN && op >= 0) {
        col = e->args[1];
        con = e->args[0];
        op = compare_op_commute(op);
    }
    if (op < 0 || col->kind != EXPR_COLUMN || con->kind != EXPR_CONST || con->value.is_null ||
        col->index < 0 || col->index >= column_count) {
        return false;
    }
    TypeId ct = types[col->index].id;
    k->column = col->index;
    k->op = op;
    if (int64_comparable(ct, con->type.id) && type_phys(con->type.id) == PHYS_I64) {
        k->values[0] = con->value.i64;
        return true;
    }
    if ((op == VEC_EQ || op == VEC_NE) && is_text_type(ct) && is_text_type(con->type.id)) {
        k->is_text = true;
        k->text = con->value.str;
        return true;
    }
    return false;
}

static void split(const Expr *e, const SqlType *types, int column_count, VecFilter *f)
{
    if (e->kind == EXPR_AND) {
        for (int a = 0; a < e->arg_count; a++) {
            split(e->args[a], types, column_count, f);
        }
        return;
    }
    VecKernel k;
    if (f->kernel_count < VEC_KERNELS_MAX && kernel_of(e, types, column_count, &k)) {
        f->kernels[f->kernel_count++] = k;
    } else if (f->rest_count < VEC_KERNELS_MAX) {
        f->rest[f->rest_count++] = e;
    } else {
        f->too_complex = true;
    }
}

void vec_filter_compile(const Expr *qual, const SqlType *types, int column_count,
                        const int *batch_of, VecFilter *f)
{
    memset(f, 0, sizeof(*f));
    f->batch_of = batch_of;
    f->column_count = column_count;
    if (qual != NULL) {
        split(qual, types, column_count, f);
    }
    for (int k = 0; k < f->kernel_count; k++) {
        f->kernels[k].column = batch_of[f->kernels[k].column];
    }
    if (f->too_complex) {
        /* More conjuncts than slots: evaluate the whole qual row by row. */
        f->kernel_count = 0;
        f->rest_count = 1;
        f->rest[0] = qual;
    }
}

static bool cmp_i64(int op, int64_t v, int64_t c)
{
    switch (op) {
    case VEC_EQ:
        return v == c;
    case VEC_NE:
        return v != c;
    case VEC_LT:
        return v < c;
    case VEC_LE:
        return v <= c;
    case VEC_GT:
        return v > c;
    default:
        return v >= c;
    }
}

/* One kernel over sel[0..count-1]; returns the new count (sel compacted in place). */
static int run_kernel(const VecKernel *k, const Vector *v, uint16_t *sel, int count)
{
    int out = 0;
    const uint8_t *nulls = v->nulls;
    if (k->op == VEC_IS_NULL || k->op == VEC_NOT_NULL) {
        bool want_null = k->op == VEC_IS_NULL;
        for (int i = 0; i < count; i++) {
            bool is_null = nulls != NULL && nulls[sel[i]] != 0;
            sel[out] = sel[i];
            out += is_null == want_null;
        }
        return out;
    }
    if (k->is_text) {
        bool want_equal = k->op == VEC_EQ;
        for (int i = 0; i < count; i++) {
            int r = sel[i];
            if (nulls != NULL && nulls[r]) {
                continue;
            }
            const StrRef *s = &v->str[r];
            bool equal = s->len == k->text.len && memcmp(s->ptr, k->text.ptr, s->len) == 0;
            sel[out] = (uint16_t)r;
            out += equal == want_equal;
        }
        return out;
    }
    const int64_t *data = v->i64;
    if (k->op == VEC_IN) {
        for (int i = 0; i < count; i++) {
            int r = sel[i];
            bool hit = false;
            for (int j = 0; j < k->value_count && !hit; j++) {
                hit = data[r] == k->values[j];
            }
            sel[out] = (uint16_t)r;
            out += hit && (nulls == NULL || !nulls[r]);
        }
        return out;
    }
    int64_t c = k->values[0];
    if (nulls == NULL && k->op == VEC_GE) {
        for (int i = 0; i < count; i++) {
            sel[out] = sel[i];
            out += data[sel[i]] >= c;
        }
        return out;
    }
    if (nulls == NULL && k->op == VEC_LE) {
        for (int i = 0; i < count; i++) {
            sel[out] = sel[i];
            out += data[sel[i]] <= c;
        }
        return out;
    }
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        sel[out] = (uint16_t)r;
        out += (nulls == NULL || !nulls[r]) && cmp_i64(k->op, data[r], c);
    }
    return out;
}

static int vec_filter_rest(const VecFilter *f, ExecState *es, const Value *corr, const Batch *b,
                           int r, Value *row, bool *pass, Error *err);

int vec_filter_prepare(VecFilter *f, ExecState *es, const SqlType *types, Error *err)
{
    f->rest_batch = false;
    if (f->rest_count == 0 || !es->env->vectorize) {
        return STRATA_OK;
    }
    for (int q = 0; q < f->rest_count; q++) {
        int rc = vec_expr_compile(es, f->rest[q], types, f->batch_of, f->column_count,
                                  &f->rest_vx[q], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (f->rest_vx[q] == NULL) {
            return STRATA_OK;
        }
    }
    if ((f->rest_sel = arena_alloc(es->a, sizeof(uint16_t) * BATCH_CAPACITY)) == NULL) {
        return arena_error(es->a, err);
    }
    f->rest_batch = true;
    return STRATA_OK;
}

int vec_filter_rest_batch(const VecFilter *f, ExecState *es, const Value *corr, const Batch *b,
                          uint16_t *sel, int *count, bool *done, Error *err)
{
    int n = *count;
    memcpy(f->rest_sel, sel, sizeof(uint16_t) * (size_t)n);
    *done = true;
    /* Conjunct by conjunct on the rows still passing, as eval_qual stops at
     * the first conjunct that is not TRUE. */
    for (int q = 0; q < f->rest_count && n > 0; q++) {
        if (vec_expr_filter(f->rest_vx[q], es, corr, b, sel, &n, err) != STRATA_OK) {
            error_clear(err); /* re-run row by row: see vec_expr.h, "Errors" */
            memcpy(sel, f->rest_sel, sizeof(uint16_t) * (size_t)*count);
            *done = false;
            exec_scratch_reset(es);
            return STRATA_OK;
        }
    }
    exec_scratch_reset(es);
    *count = n;
    return STRATA_OK;
}

int vec_filter_run(const VecFilter *f, ExecState *es, const Value *corr, const Batch *b, Value *row,
                   uint16_t *sel, int *count, Error *err)
{
    int rc = vec_filter_kernels(f, b, sel, count);
    if (rc != STRATA_OK || f->rest_count == 0 || *count == 0) {
        return rc;
    }
    if (f->rest_batch) {
        bool done;
        if ((rc = vec_filter_rest_batch(f, es, corr, b, sel, count, &done, err)) != STRATA_OK ||
            done) {
            return rc;
        }
    }
    int n = *count, out = 0;
    for (int i = 0; i < n; i++) {
        bool pass;
        if ((rc = vec_filter_rest(f, es, corr, b, sel[i], row, &pass, err)) != STRATA_OK) {
            return rc;
        }
        exec_scratch_reset(es);
        sel[out] = sel[i];
        out += pass;
    }
    *count = out;
    return STRATA_OK;
}

/* The remaining conjuncts for batch row r: *pass = all TRUE. */
static int vec_filter_rest(const VecFilter *f, ExecState *es, const Value *corr, const Batch *b,
                           int r, Value *row, bool *pass, Error *err)
{
    for (int c = 0; c < f->column_count; c++) {
        int bc = f->batch_of[c];
        if (bc >= 0) {
            batch_get_value(b, bc, r, &row[c]);
            row[c].type = b->columns[bc].type;
        }
    }
    EvalCtx ctx = {es, row, corr};
    *pass = true;
    for (int q = 0; q < f->rest_count && *pass; q++) {
        int rc = eval_qual(f->rest[q], &ctx, pass, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int vec_filter_kernels(const VecFilter *f, const Batch *b, uint16_t *sel, int *count)
{
    int n = 0;
    for (int i = 0; i < batch_active_count(b); i++) {
        sel[n++] = (uint16_t)batch_active_row(b, i);
    }
    for (int k = 0; k < f->kernel_count && n > 0; k++) {
        n = run_kernel(&f->kernels[k], &b->columns[f->kernels[k].column], sel, n);
    }
    *count = n;
    return STRATA_OK;
}
