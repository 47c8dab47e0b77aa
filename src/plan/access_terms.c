/*
 * plan/access_terms.c - the conjuncts of a scan's predicate an index can
 * answer (KeyTerm: comparisons, IN lists, row comparisons, normalized with
 * the key on the left) and the implication test that makes a partial index
 * usable.
 *
 * Invariants
 *   1. A term's values never reference the scan's input columns or volatile
 *      functions: they are evaluated once when the scan starts.
 *   2. Implication is conservative: "not proven" only costs the index.
 *
 * See src/plan/README.md and access.c.
 */
#include <string.h>

#include "plan/access_int.h"
#include "types/compare.h"

/* Evaluated once at scan start (correlation slots and $n are fine). */
static bool is_scan_constant(const Expr *e)
{
    return expr_is_start_value(e, true);
}

/* A keyed side: reads input columns, nothing volatile. */
static bool is_key_side(const Expr *e)
{
    if (e->kind == EXPR_COLUMN) {
        return true;
    }
    if (e->kind != EXPR_FUNC && e->kind != EXPR_CAST) {
        return false;
    }
    if (e->kind == EXPR_FUNC && (e->fn == NULL || e->fn->volatility != VOLATILITY_IMMUTABLE)) {
        return false;
    }
    bool has_column = false;
    for (int k = 0; k < e->arg_count; k++) {
        if (e->args[k]->kind == EXPR_SUBLINK) {
            return false;
        }
        if (!is_scan_constant(e->args[k])) {
            if (!is_key_side(e->args[k])) {
                return false;
            }
            has_column = true;
        }
    }
    return has_column;
}

/* `value op key` rewritten `key op' value` for EXPLAIN (PostgreSQL prints
 * index conditions with the key on the left); e itself when the commuted
 * operator does not resolve. */
static const Expr *commuted(Binder *b, const Expr *e)
{
    if (e->fn->commutator == NULL) {
        return e;
    }
    FuncMatch match;
    Error scratch;
    error_clear(&scratch);
    if (oper_resolve(e->fn->commutator, &e->args[1]->type, e->args[0]->type, &match, &scratch) !=
            STRATA_OK ||
        match.def == NULL) {
        return e;
    }
    Expr *c = arena_memdup(b->a, e, sizeof(Expr));
    Expr **args = arena_zalloc(b->a, sizeof(Expr *) * 2);
    if (c == NULL || args == NULL) {
        return e;
    }
    args[0] = e->args[1];
    args[1] = e->args[0];
    c->args = args;
    c->fn = match.def;
    return c;
}

/* `key op value` (either order) into t; false if e is not one. */
static bool as_comparison(Binder *b, const Expr *e, KeyTerm *t)
{
    if (e->kind != EXPR_FUNC || e->arg_count != 2 || e->fn == NULL) {
        return false;
    }
    int op = compare_op_of(e->fn->name);
    if (op < 0) {
        return false;
    }
    Expr *key = e->args[0], *value = e->args[1];
    bool swap = !is_key_side(key);
    if (swap) {
        key = e->args[1];
        value = e->args[0];
        op = compare_op_commute(op);
    }
    if (!is_key_side(key) || !is_scan_constant(value)) {
        return false;
    }
    memset(t, 0, sizeof(*t));
    t->kind = TERM_CMP;
    t->op = op;
    t->key = key;
    t->value = value;
    t->display = swap && b != NULL ? commuted(b, e) : e;
    t->source = e;
    return true;
}

/* `key = ANY (array)` with an array the scan can evaluate up front ('{1,2}',
 * $1): the point lookups of an IN list, whose values come from the array. */
static bool as_array_in(const Expr *e, KeyTerm *t)
{
    if (e->kind != EXPR_ARRAY_OP || e->is_all || e->arg_count != 2 || e->fn == NULL ||
        compare_op_of(e->fn->name) != COMPARE_EQ || !is_key_side(e->args[0]) ||
        !type_is_array(e->args[1]->type.id) || !is_scan_constant(e->args[1])) {
        return false;
    }
    memset(t, 0, sizeof(*t));
    t->kind = TERM_IN;
    t->key = e->args[0];
    t->values = e->args + 1;
    t->value_count = 1;
    t->is_array = true;
    t->display = e;
    t->source = e;
    return true;
}

static bool as_in_list(const Expr *e, KeyTerm *t)
{
    if (e->kind == EXPR_ARRAY_OP) {
        return as_array_in(e, t);
    }
    if (e->kind != EXPR_IN_LIST || e->is_not || e->arg_count < 2 || !is_key_side(e->args[0])) {
        return false;
    }
    for (int k = 1; k < e->arg_count; k++) {
        if (!is_scan_constant(e->args[k])) {
            return false;
        }
    }
    memset(t, 0, sizeof(*t));
    t->kind = TERM_IN;
    t->key = e->args[0];
    t->values = e->args + 1;
    t->value_count = e->arg_count - 1;
    t->display = e;
    t->source = e;
    return true;
}

static bool as_row_comparison(const Expr *e, KeyTerm *t)
{
    if (e->kind != EXPR_ROW_CMP || e->arg_count < 2 || e->op < COMPARE_LT) {
        return false;
    }
    int half = e->arg_count / 2;
    for (int k = 0; k < half; k++) {
        if (!is_key_side(e->args[k]) || !is_scan_constant(e->args[half + k])) {
            return false;
        }
    }
    memset(t, 0, sizeof(*t));
    t->kind = TERM_ROW;
    t->op = e->op;
    t->keys = e->args;
    t->values = e->args + half;
    t->value_count = half;
    t->display = e;
    t->source = e;
    return true;
}

void access_collect_terms(Binder *b, const PlanNode *scan, const Expr *e, KeyTerms *out)
{
    (void)scan;
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->arg_count; k++) {
            access_collect_terms(b, scan, e->args[k], out);
        }
        return;
    }
    if (out->count >= ACCESS_TERMS_MAX) {
        return;
    }
    KeyTerm *t = &out->items[out->count];
    if ((as_comparison(b, e, t) && t->op != COMPARE_NE) || as_in_list(e, t) ||
        as_row_comparison(e, t)) {
        out->count++;
    }
}

/* ---- partial-index implication ------------------------------------------------------ */

static void flatten(const Expr *e, const Expr **out, int *count, int max)
{
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->arg_count; k++) {
            flatten(e->args[k], out, count, max);
        }
        return;
    }
    if (*count < max) {
        out[(*count)++] = e;
    }
}

/* Does `x q_op c2` imply `x p_op c1` (cmp = c2 compared with c1)? */
static bool comparison_implies(int p_op, int q_op, int cmp)
{
    switch (p_op) {
    case COMPARE_EQ: return q_op == COMPARE_EQ && cmp == 0;
    case COMPARE_NE:
        return (q_op == COMPARE_EQ && cmp != 0) || (q_op == COMPARE_LT && cmp <= 0) ||
               (q_op == COMPARE_LE && cmp < 0) || (q_op == COMPARE_GT && cmp >= 0) ||
               (q_op == COMPARE_GE && cmp > 0);
    case COMPARE_LT:
        return ((q_op == COMPARE_EQ || q_op == COMPARE_LE) && cmp < 0) ||
               (q_op == COMPARE_LT && cmp <= 0);
    case COMPARE_LE:
        return (q_op == COMPARE_EQ || q_op == COMPARE_LT || q_op == COMPARE_LE) && cmp <= 0;
    case COMPARE_GT:
        return ((q_op == COMPARE_EQ || q_op == COMPARE_GE) && cmp > 0) ||
               (q_op == COMPARE_GT && cmp >= 0);
    case COMPARE_GE:
        return (q_op == COMPARE_EQ || q_op == COMPARE_GT || q_op == COMPARE_GE) && cmp >= 0;
    default: return false;
    }
}

static bool comparable_consts(const Expr *x, const Expr *y)
{
    if (x->kind != EXPR_CONST || y->kind != EXPR_CONST || x->value.is_null || y->value.is_null) {
        return false;
    }
    TypeId a = x->type.id, c = y->type.id;
    bool ints = (a == TYPE_INT2 || a == TYPE_INT4 || a == TYPE_INT8) &&
                (c == TYPE_INT2 || c == TYPE_INT4 || c == TYPE_INT8);
    return a == c || ints;
}

/* Does the query conjunct q imply the predicate conjunct p? */
static bool implies(const Expr *q, const Expr *p)
{
    if (expr_equal(q, p)) {
        return true;
    }
    KeyTerm qt, pt;
    bool q_cmp = as_comparison(NULL, q, &qt);
    bool q_in = !q_cmp && as_in_list(q, &qt);
    if (p->kind == EXPR_NULL_TEST && p->is_not) {
        /* A strict comparison or IN list on x only passes non-NULL x. */
        return (q_cmp || q_in) && expr_equal(qt.key, p->args[0]);
    }
    if (!as_comparison(NULL, p, &pt) || !(q_cmp || q_in) || !expr_equal(qt.key, pt.key)) {
        return false;
    }
    if (q_cmp) {
        return comparable_consts(qt.value, pt.value) &&
               comparison_implies(pt.op, qt.op, value_compare(&qt.value->value, &pt.value->value));
    }
    for (int k = 0; k < qt.value_count; k++) {
        if (!comparable_consts(qt.values[k], pt.value) ||
            !comparison_implies(pt.op, COMPARE_EQ,
                                value_compare(&qt.values[k]->value, &pt.value->value))) {
            return false;
        }
    }
    return true;
}

static double conjunct_fraction(const PlanNode *scan, const Expr *p)
{
    KeyTerm t;
    const CatTable *tab = scan->table;
    if (p->kind == EXPR_NULL_TEST) {
        const Expr *x = p->args[0];
        if (x->kind == EXPR_COLUMN && tab->stats != NULL && tab->stats->columns != NULL) {
            double nulls = tab->stats->columns[scan->scan_columns[x->index]].null_fraction;
            return p->is_not ? 1 - nulls : nulls;
        }
        return p->is_not ? 0.995 : 0.005;
    }
    if (as_comparison(NULL, p, &t)) {
        if (t.op != COMPARE_EQ) {
            return 0.3333;
        }
        if (t.key->kind == EXPR_COLUMN && tab->stats != NULL && tab->stats->columns != NULL) {
            const CatColumnStats *s = &tab->stats->columns[scan->scan_columns[t.key->index]];
            if (s->distinct_count > 0) {
                return (1 - s->null_fraction) / s->distinct_count;
            }
        }
        return 0.005;
    }
    return 0.5;
}

bool access_predicate_implied(Binder *b, const PlanNode *scan, const char *predicate_sql,
                              double *fraction)
{
    *fraction = 1;
    if (scan->qual == NULL) {
        return false;
    }
    Expr *pred = access_bind_table_sql(b, scan, predicate_sql);
    if (pred == NULL) {
        return false;
    }
    const Expr *preds[ACCESS_TERMS_MAX], *quals[ACCESS_TERMS_MAX];
    int pred_count = 0, qual_count = 0;
    flatten(pred, preds, &pred_count, ACCESS_TERMS_MAX);
    flatten(scan->qual, quals, &qual_count, ACCESS_TERMS_MAX);
    for (int p = 0; p < pred_count; p++) {
        bool proven = false;
        for (int q = 0; q < qual_count && !proven; q++) {
            proven = implies(quals[q], preds[p]);
        }
        if (!proven) {
            return false;
        }
        *fraction *= conjunct_fraction(scan, preds[p]);
    }
    return true;
}
