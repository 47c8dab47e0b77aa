/*
 * exec/vec_limit.c - LIMIT / OFFSET (and FETCH FIRST) over a batch input.
 *
 * When a PLAN_LIMIT's input is a table scan, or a projection over one, that
 * runs batch-wise (vec_input_applies), limit_next hands over to
 * vec_limit_next: each input batch arrives with the selection of the rows
 * that passed the scan's qual; the OFFSET rows still to skip are cut from the
 * front of the selection (no row of Values is built for them), the rows
 * within the LIMIT are returned from the vectors, and no batch is read once
 * the LIMIT is reached. As executor_next's root, vec_limit_fill copies the
 * kept rows straight into the result batch, column by column.
 *
 * Before each batch the input is capped at the rows still wanted (OFFSET
 * left plus LIMIT left, vec_input_set_cap): the select list is evaluated on
 * those rows only, and a qual that has to run row by row (its batch-wise
 * evaluation raised an error) stops at the cap-th passing row. So no
 * expression of a row past the LIMIT is evaluated where it could be seen: an
 * error there is never raised, as in the row executor (PostgreSQL's Limit
 * pulls no further row either). The OFFSET rows themselves are computed, as
 * PostgreSQL computes them (an error in a skipped row is raised).
 *
 * Invariants
 *   1. The output is limit_next's over the row input, row for row.
 *   2. Returned rows borrow the batch's strings until the next call, which
 *      reads another batch only after the last kept row of this one.
 *   3. The LIMIT and OFFSET are evaluated once per execution
 *      (exec_limit_start); everything else lives in the execution arena and
 *      is made afresh by the next execution of a kept executor.
 *
 * See src/exec/README.md ("LIMIT on batches").
 */
#include "exec/vec_expr.h"

typedef struct VecLimit {
    VecProject *in;
    const Vector *const *columns;
    const uint16_t *sel;
    int count; /* selected rows of the current batch */
    int pos;   /* the next of them */
    bool end;
} VecLimit;

bool vec_limit_applies(const ExecState *es, const PlanNode *p)
{
    return p->kind == PLAN_LIMIT && !p->limit_with_ties && p->left != NULL && vec_input_applies(es, p->left);
}

int vec_limit_start(ExecNode *n, Error *err)
{
    ExecState *es = n->es;
    VecLimit *vl = arena_zalloc(es->a, sizeof(VecLimit));
    if (vl == NULL) {
        return arena_error(es->a, err);
    }
    int rc = vec_input_create(es, n->left, &vl->in, err);
    if (rc == STRATA_OK && vl->in != NULL) {
        n->vlimit = vl;
    }
    return rc;
}

/* Rows the LIMIT still takes, OFFSET included (-1 = all). */
static int64_t rows_wanted(const ExecNode *n)
{
    if (n->limit_left < 0 || n->limit_left > INT64_MAX - n->offset_left) {
        return -1;
    }
    return n->limit_left + n->offset_left;
}

/* Makes vl->pos a row to return: reads batches and skips OFFSET rows. *end
 * when the LIMIT is reached or the input ends; *unsupported only before
 * anything was read. */
static int advance(ExecNode *n, VecLimit *vl, bool *end, bool *unsupported, Error *err)
{
    *end = false;
    *unsupported = false;
    for (;;) {
        if (n->limit_left == 0 || vl->end) {
            *end = true;
            return STRATA_OK;
        }
        if (vl->pos < vl->count) {
            int64_t skip = vl->count - vl->pos;
            skip = skip < n->offset_left ? skip : n->offset_left;
            vl->pos += (int)skip;
            n->offset_left -= skip;
            if (vl->pos < vl->count) {
                return STRATA_OK;
            }
        }
        vec_input_set_cap(vl->in, rows_wanted(n));
        vl->pos = vl->count = 0;
        int rc = vec_input_next(vl->in, &vl->columns, &vl->sel, &vl->count, &vl->end, unsupported,
                                err);
        if (rc != STRATA_OK || *unsupported) {
            return rc;
        }
        if (n->es->stats != NULL && n->p->id >= 0 && n->p->id < n->es->plan->node_count) {
            n->es->stats[n->p->id].batch_mode = true;
        }
    }
}

int vec_limit_next(ExecNode *n, Value **row, bool *handled, Error *err)
{
    VecLimit *vl = n->vlimit;
    const PlanNode *p = n->p;
    bool end, unsupported;
    *handled = true;
    int rc = advance(n, vl, &end, &unsupported, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (unsupported) {
        n->vlimit = NULL; /* nothing read: limit_next pulls rows */
        *handled = false;
        return STRATA_OK;
    }
    if (end) {
        *row = NULL;
        return STRATA_OK;
    }
    int r = vl->sel[vl->pos++];
    for (int c = 0; c < p->column_count; c++) {
        const Vector *v = vl->columns[c];
        if (v == NULL) {
            n->row[c] = value_null(p->column_types[c]);
        } else {
            vec_expr_value(v, r, p->column_types[c], &n->row[c]);
        }
    }
    if (n->limit_left > 0) {
        n->limit_left--;
    }
    *row = n->row;
    return STRATA_OK;
}

bool vec_limit_fill_applies(const ExecState *es, const ExecNode *root)
{
    return es->stats == NULL && vec_limit_applies(es, root->p);
}

/* Copies rows sel[0..take-1] of the input's vectors into out's columns. */
static bool copy_rows(const VecLimit *vl, const uint16_t *sel, int take, Batch *out)
{
    for (int c = 0; c < out->column_count; c++) {
        const Vector *v = vl->columns[c];
        SqlType type = out->columns[c].type;
        Vector *dst = &out->columns[c];
        PhysKind kind = type_phys(type.id);
        bool plain = v != NULL && (kind == PHYS_I64 || kind == PHYS_F64) &&
                     type_phys(v->type.id) == kind;
        for (int i = 0; i < take; i++) {
            int row = out->row_count + i;
            if (v == NULL || vector_is_null(v, sel[i])) {
                if (!batch_set_null(out, c, row)) {
                    return false;
                }
            } else if (plain) {
                if (dst->nulls != NULL) {
                    dst->nulls[row] = 0;
                }
                dst->i64[row] = v->i64[sel[i]]; /* the same 8 bytes for a double */
            } else {
                Value value;
                vec_expr_value(v, sel[i], type, &value);
                if (!batch_set_value(out, c, row, &value)) {
                    return false;
                }
            }
        }
    }
    return true;
}

int vec_limit_fill(ExecNode *root, Batch *out, bool *end, bool *handled, Error *err)
{
    ExecNode *n = root;
    int rc;
    *handled = true;
    if (!n->started) {
        if ((rc = exec_limit_start(n, err)) != STRATA_OK ||
            (rc = vec_limit_start(n, err)) != STRATA_OK) {
            return rc;
        }
    }
    VecLimit *vl = n->vlimit;
    if (vl == NULL) {
        *handled = false;
        return STRATA_OK;
    }
    while (out->row_count < out->capacity) {
        bool at_end, unsupported;
        if ((rc = advance(n, vl, &at_end, &unsupported, err)) != STRATA_OK) {
            return rc;
        }
        if (unsupported) {
            n->vlimit = NULL; /* nothing read: limit_next pulls rows */
            *handled = false;
            return STRATA_OK;
        }
        if (at_end) {
            *end = true;
            return STRATA_OK;
        }
        int take = vl->count - vl->pos;
        take = take < out->capacity - out->row_count ? take : out->capacity - out->row_count;
        if (n->limit_left >= 0 && take > n->limit_left) {
            take = (int)n->limit_left;
        }
        if (!copy_rows(vl, vl->sel + vl->pos, take, out)) {
            return arena_error(out->arena, err);
        }
        out->row_count += take;
        vl->pos += take;
        if (n->limit_left > 0) {
            n->limit_left -= take;
        }
    }
    return STRATA_OK;
}
