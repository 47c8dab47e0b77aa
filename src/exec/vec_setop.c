/*
 * exec/vec_setop.c - UNION / INTERSECT / EXCEPT [ALL] over batch inputs.
 *
 * A PLAN_SETOP (not UNION ALL, which vec_project.c passes through as a batch
 * input of its own) with at least one input that runs batch-wise
 * (vec_input_applies) hashes that input a batch at a time into a VecSet
 * (vec_distinct.c): per batch the selected rows' hashes come from the
 * vectors, each row is looked up (integers and strings compared in the
 * vectors), and only rows the set keeps are built as Values. An input that
 * is not batch-wise (another set operation, a join) is read row by row into
 * the same set. The rules are setop_next's:
 *
 *   UNION      each row of the left, then of the right input, emitted when it
 *              enters the set;
 *   INTERSECT  the right input's distinct rows with their counts, then each
 *              left row found with a count above zero is emitted and its count
 *              decremented (ALL) or zeroed;
 *   EXCEPT     the same counts; a left row is emitted when it is new to the
 *              set (it is then kept with count zero, so its duplicates are
 *              dropped), or under ALL when no right copy is left to cancel it
 *              (EXCEPT ALL does not keep left rows: one not on the right is
 *              always emitted).
 *
 * Invariants
 *   1. Output rows and their order are setop_next's: left rows in input
 *      order, each emitted as the input gave it (not the set's copy, which
 *      may spell an equal value differently, 1.0 and 1.00).
 *   2. Called from setop_spill_next (may_spill: INTERSECT / EXCEPT outside a
 *      subquery expression, work_mem set), a set past work_mem is handed over
 *      to the row operator (exec_setop_adopt), which partitions it to disk:
 *      while the right side is read, after a batch (nothing emitted yet); for
 *      EXCEPT, whose set also keeps the left rows emitted, before the next
 *      left batch. Otherwise the set is checked against the statement's cap after each
 *      batch (53200).
 *
 * See src/exec/README.md ("DISTINCT and set operations on batches").
 */
#include "exec/vec_expr.h"

typedef struct SetSide {
    ExecNode *node;
    VecProject *in; /* NULL: rows through node->next */
    bool ended;
} SetSide;

typedef struct VecSetOp {
    VecSet *set;
    SetSide sides[2];
    int current;       /* the side being read (UNION: left, then right) */
    bool built;        /* INTERSECT / EXCEPT: the right side is in the set */
    uint64_t *hashes;  /* per selected row of the current batch */
    uint16_t *emit;    /* batch rows to emit, in order */
    int emit_count;
    int emit_pos;
    const Vector *const *columns; /* the current batch's (valid until the next read) */
    bool copy_rows;    /* the batch's strings are a projection's (scratch): copy them */
    Arena *row_arena;  /* copies of the current batch's emitted rows */
    Value **copies;    /* copy_rows: the emitted rows, made as the batch is read */
    bool may_spill;    /* past work_mem, hand over to setop_spill_next */
    bool handed_over;  /* exec_setop_adopt took the set: the row operator goes on */
} VecSetOp;

bool vec_setop_applies(const ExecState *es, const PlanNode *p)
{
    if (p->kind != PLAN_SETOP || (p->setop == SETOP_UNION && p->set_all) || p->left == NULL ||
        p->right == NULL || !es->env->vectorize) {
        return false;
    }
    return vec_input_applies(es, p->left) || vec_input_applies(es, p->right);
}

static int vsetop_create(ExecNode *n, VecSetOp **out, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    VecSetOp *vs = arena_zalloc(es->a, sizeof(VecSetOp));
    if (vs == NULL || (vs->hashes = arena_alloc(es->a, sizeof(uint64_t) * BATCH_CAPACITY)) == NULL ||
        (vs->emit = arena_alloc(es->a, sizeof(uint16_t) * BATCH_CAPACITY)) == NULL) {
        return arena_error(es->a, err);
    }
    vs->sides[0].node = n->left;
    vs->sides[1].node = n->right;
    int rc = STRATA_OK;
    for (int side = 0; side < 2 && rc == STRATA_OK; side++) {
        const PlanNode *in = vs->sides[side].node->p;
        bool same_kinds = in->column_count == p->column_count;
        for (int c = 0; c < p->column_count && same_kinds; c++) {
            same_kinds = type_phys(in->column_types[c].id) == type_phys(p->column_types[c].id);
        }
        if (same_kinds) {
            rc = vec_input_create(es, vs->sides[side].node, &vs->sides[side].in, err);
        }
    }
    if (rc == STRATA_OK) {
        rc = vec_set_create(es, es->a, p->column_types, p->column_count, &vs->set, err);
    }
    *out = vs;
    return rc;
}

/* The next batch of a side: *count 0 with side->ended at its end. A batch input
 * that cannot run batch-wise (noticed before anything is read) becomes a row
 * input. */
static int side_next_batch(SetSide *side, const Vector *const **columns, const uint16_t **sel,
                           int *count, Error *err)
{
    bool unsupported = false;
    *count = 0;
    int rc = vec_input_next(side->in, columns, sel, count, &side->ended, &unsupported, err);
    if (rc == STRATA_OK && unsupported) {
        side->in = NULL;
        side->ended = false;
        *count = 0;
    }
    return rc;
}

/* Whether the set should go to the row operator, which spills (invariant 2). */
static bool set_full(const ExecNode *n, const VecSetOp *vs)
{
    return vs->may_spill && vec_set_bytes(vs->set) > n->es->env->work_mem_bytes;
}

static int hand_over(ExecNode *n, VecSetOp *vs, bool right_read, Error *err)
{
    int rc = exec_setop_adopt(n, vs->set, right_read, err);
    vec_set_destroy(vs->set);
    vs->set = NULL;
    vs->handed_over = true;
    vs->sides[1].ended = true;
    return rc;
}

/* INTERSECT / EXCEPT: the right side's rows counted into the set; past
 * work_mem under may_spill, handed over (the rest stays unread). */
static int build_right(ExecNode *n, VecSetOp *vs, Error *err)
{
    SetSide *side = &vs->sides[1];
    VecSet *set = vs->set;
    uint64_t *counts;
    int64_t index;
    bool inserted;
    int rc = STRATA_OK;
    while (!side->ended && !vs->handed_over && rc == STRATA_OK) {
        if (side->in == NULL) {
            Value *row;
            if ((rc = side->node->next(side->node, &row, err)) != STRATA_OK || row == NULL) {
                side->ended = true;
                break;
            }
            uint64_t h = vec_set_hash_row(set, row);
            rc = vec_set_lookup_row(set, row, h, true, &index, &inserted, err);
            if (rc == STRATA_OK) {
                counts = vec_set_counts(set);
                counts[index]++;
                rc = set_full(n, vs) ? hand_over(n, vs, false, err)
                                     : exec_check_work_mem(n->es, err);
            }
            continue;
        }
        const Vector *const *columns;
        const uint16_t *sel;
        int count;
        if ((rc = side_next_batch(side, &columns, &sel, &count, err)) != STRATA_OK) {
            break;
        }
        if (count == 0) {
            continue; /* the end, or the side became a row input */
        }
        vec_set_hash_batch(set, columns, sel, count, vs->hashes);
        for (int i = 0; i < count && rc == STRATA_OK; i++) {
            rc = vec_set_lookup_batch(set, columns, sel[i], vs->hashes[i], true, &index, &inserted,
                                      err);
            if (rc == STRATA_OK) {
                counts = vec_set_counts(set);
                counts[index]++;
            }
        }
        /* At the end of the side the set stays (hand_over reads on from n->right). */
        if (rc == STRATA_OK) {
            rc = set_full(n, vs) && !side->ended ? hand_over(n, vs, false, err)
                                                 : exec_check_work_mem(n->es, err);
        }
    }
    vs->built = true;
    return rc;
}

/* Whether a left (or, for UNION, any) row at set position index, inserted or
 * found, is emitted; updates its count. */
static bool keep_row(const PlanNode *p, VecSet *set, int64_t index, bool inserted)
{
    uint64_t *counts = vec_set_counts(set);
    if (p->setop == SETOP_UNION) {
        return inserted;
    }
    if (p->setop == SETOP_INTERSECT) {
        if (index < 0 || counts[index] == 0) {
            return false;
        }
        counts[index] = p->set_all ? counts[index] - 1 : 0;
        return true;
    }
    if (!p->set_all) {
        return inserted;
    }
    if (index >= 0 && counts[index] > 0) {
        counts[index]--;
        return false;
    }
    return true;
}

/* Whether the set keeps the rows of the side being emitted: UNION's, and the
 * left rows of EXCEPT (without ALL), to drop their duplicates. */
static bool inserts_left(const PlanNode *p)
{
    return p->setop == SETOP_UNION || (p->setop == SETOP_EXCEPT && !p->set_all);
}

/* One batch of the current side: the rows to emit into vs->emit. */
static int consume_batch(ExecNode *n, VecSetOp *vs, const Vector *const *columns,
                         const uint16_t *sel, int count, Error *err)
{
    const PlanNode *p = n->p;
    bool insert = inserts_left(p);
    vec_set_hash_batch(vs->set, columns, sel, count, vs->hashes);
    for (int i = 0; i < count; i++) {
        int64_t index;
        bool inserted;
        int rc = vec_set_lookup_batch(vs->set, columns, sel[i], vs->hashes[i], insert, &index,
                                      &inserted, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (keep_row(p, vs->set, index, inserted)) {
            vs->emit[vs->emit_count++] = sel[i];
        }
    }
    vs->columns = columns;
    return exec_check_work_mem(n->es, err);
}

/* The next row of a row side to emit; *row NULL when the side ended. */
static int next_row_of_side(ExecNode *n, VecSetOp *vs, SetSide *side, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    bool insert = inserts_left(p);
    for (;;) {
        int rc = side->node->next(side->node, row, err);
        if (rc != STRATA_OK || *row == NULL) {
            side->ended = *row == NULL;
            return rc;
        }
        int64_t index;
        bool inserted;
        uint64_t h = vec_set_hash_row(vs->set, *row);
        if ((rc = vec_set_lookup_row(vs->set, *row, h, insert, &index, &inserted, err)) !=
            STRATA_OK) {
            return rc;
        }
        if (keep_row(p, vs->set, index, inserted)) {
            return inserted ? exec_check_work_mem(n->es, err) : STRATA_OK;
        }
    }
}

/* Builds the output row of batch row r of the current batch in n->row. */
static void row_from_batch(ExecNode *n, VecSetOp *vs, int r)
{
    const PlanNode *p = n->p;
    for (int c = 0; c < p->column_count; c++) {
        if (vs->columns[c] == NULL) {
            n->row[c] = value_null(p->column_types[c]);
        } else {
            vec_expr_value(vs->columns[c], r, p->column_types[c], &n->row[c]);
        }
    }
}

/* A projection's string results live in the scratch arena, which the caller may
 * reset between rows (executor_next does, before each call): the batch's rows
 * to emit are copied into vs->row_arena (emptied for the next batch) before the
 * first of them is handed out. */
static int copy_emitted(ExecNode *n, VecSetOp *vs, Error *err)
{
    ExecState *es = n->es;
    if (vs->row_arena == NULL &&
        ((vs->row_arena = arena_create(es->a, 0, "setop rows")) == NULL ||
         (vs->copies = arena_alloc(es->a, sizeof(Value *) * BATCH_CAPACITY)) == NULL)) {
        return arena_error(es->a, err);
    }
    for (int i = 0; i < vs->emit_count; i++) {
        row_from_batch(n, vs, vs->emit[i]);
        if ((vs->copies[i] = row_copy(vs->row_arena, n->row, n->p->column_count)) == NULL) {
            return arena_error(vs->row_arena, err);
        }
    }
    return STRATA_OK;
}

int vec_setop_next(ExecNode *n, bool may_spill, Value **row, bool *handled, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    VecSetOp *vs = n->vset;
    int rc;
    *handled = true;
    if (vs == NULL) {
        if ((rc = vsetop_create(n, &vs, err)) != STRATA_OK) {
            return rc;
        }
        vs->may_spill = may_spill;
        n->vset = vs;
        if (es->stats != NULL && p->id >= 0 && p->id < es->plan->node_count) {
            es->stats[p->id].batch_mode = true;
        }
    }
    if (p->setop != SETOP_UNION && !vs->built && (rc = build_right(n, vs, err)) != STRATA_OK) {
        return rc;
    }
    for (;;) {
        if (vs->handed_over) {
            *handled = false;
            return STRATA_OK;
        }
        if (vs->emit_pos < vs->emit_count) {
            if (vs->copy_rows) {
                *row = vs->copies[vs->emit_pos++];
            } else {
                row_from_batch(n, vs, vs->emit[vs->emit_pos++]);
                *row = n->row;
            }
            return STRATA_OK;
        }
        if (p->setop == SETOP_EXCEPT && !p->set_all && set_full(n, vs)) {
            if ((rc = hand_over(n, vs, true, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        SetSide *side = &vs->sides[vs->current];
        if (side->ended) {
            if (p->setop == SETOP_UNION && vs->current == 0) {
                vs->current = 1;
                continue;
            }
            *row = NULL;
            return STRATA_OK;
        }
        if (side->in == NULL) {
            if ((rc = next_row_of_side(n, vs, side, row, err)) != STRATA_OK || *row != NULL) {
                return rc;
            }
            continue;
        }
        const Vector *const *columns;
        const uint16_t *sel;
        int count;
        vs->emit_count = vs->emit_pos = 0;
        vs->copy_rows = side->node->p->kind != PLAN_SCAN;
        if (vs->row_arena != NULL) {
            arena_reset(vs->row_arena);
        }
        if ((rc = side_next_batch(side, &columns, &sel, &count, err)) != STRATA_OK) {
            return rc;
        }
        if (count > 0 && (rc = consume_batch(n, vs, columns, sel, count, err)) != STRATA_OK) {
            return rc;
        }
        if (vs->copy_rows && vs->emit_count > 0 && (rc = copy_emitted(n, vs, err)) != STRATA_OK) {
            return rc;
        }
        if ((rc = exec_check_interrupt(es, err)) != STRATA_OK) {
            return rc;
        }
    }
}
