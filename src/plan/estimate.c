/*
 * plan/estimate.c - selectivity and cardinality estimates from ANALYZE
 * statistics, with PostgreSQL's defaults when there are none.
 *
 *   col = const      the most-common-value fraction when const is one, else
 *                    the rest spread over the other distinct values
 *                    (PostgreSQL's var_eq_const); 1/distinct without a constant
 *   col < const      most common values in the range plus the histogram
 *                    fraction of the rest (scalarineqsel)
 *   IN (...)         the sum of the equalities; <> and NOT IN the complement
 *   IS [NOT] NULL    the null fraction
 *   AND / OR / NOT   s1 * s2, s1 + s2 - s1 * s2, 1 - s (independence)
 *   a = b (join)     the matching most common values of both sides, the rest
 *                    spread over the distinct values (eqjoinsel); without both
 *                    lists 1 / max(distinct(a), distinct(b))
 *
 * Statistics are found by following an output column down to the table
 * column it is read from (estimate_column_stats). Tables analyzed before
 * ANALYZE kept most common values still estimate through the histogram
 * alone (a value filling several buckets is that common).
 *
 * See src/plan/README.md ("Estimates") and estimate_int.h.
 */
#include <string.h>

#include "plan/estimate_int.h"
#include "types/compare.h"

static bool is_integer_type(TypeId t)
{
    return t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8;
}

static bool is_string_type(TypeId t)
{
    return t == TYPE_TEXT || t == TYPE_VARCHAR;
}

/* Values of types a and b compare with value_compare. */
static bool comparable(TypeId a, TypeId b)
{
    return a == b || (is_integer_type(a) && is_integer_type(b)) ||
           (is_string_type(a) && is_string_type(b));
}

static double clamp01(double s)
{
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

const CatColumnStats *estimate_column_stats(const PlanNode *rel, int col, const CatTable **table,
                                            int *table_column)
{
    while (rel != NULL && col >= 0) {
        switch (rel->kind) {
        case PLAN_SCAN:
        case PLAN_INDEX_SCAN:
            if (rel->table == NULL || col >= rel->scan_column_count ||
                (rel->index_only && rel->index_column_map != NULL &&
                 rel->index_column_map[col] < 0)) {
                return NULL;
            }
            if (table != NULL) {
                *table = rel->table;
            }
            if (table_column != NULL) {
                *table_column = rel->scan_columns[col];
            }
            if (rel->table->stats == NULL || rel->table->stats->columns == NULL) {
                return NULL;
            }
            return &rel->table->stats->columns[rel->scan_columns[col]];
        case PLAN_FILTER:
        case PLAN_SORT:
        case PLAN_LIMIT:
            rel = rel->left;
            break;
        case PLAN_PROJECT:
            if (col >= rel->expr_count || rel->exprs[col]->kind != EXPR_COLUMN) {
                return NULL;
            }
            col = rel->exprs[col]->index;
            rel = rel->left;
            break;
        case PLAN_JOIN:
            if (col < rel->left->column_count) {
                rel = rel->left;
            } else if (rel->join_type == JOIN_TYPE_INNER) {
                col -= rel->left->column_count;
                rel = rel->right;
            } else {
                return NULL;
            }
            break;
        default:
            return NULL;
        }
    }
    return NULL;
}

/* Sum of the most common value fractions. */
static double mcv_total(const CatColumnStats *s)
{
    double total = 0;
    for (int k = 0; k < s->mcv_count; k++) {
        total += s->mcv_fractions[k];
    }
    return total;
}

double estimate_eq_sel(const CatColumnStats *s, const Value *v)
{
    if (s == NULL || s->distinct_count <= 0) {
        return DEFAULT_EQ_SEL;
    }
    if (v != NULL && v->is_null) {
        return 0;
    }
    double nonnull = 1.0 - s->null_fraction;
    double sel = nonnull / s->distinct_count;
    if (v == NULL) {
        /* A value known only at run time (a parameter, an outer column): the average
         * frequency, as PostgreSQL's var_eq_non_const. */
        return clamp01(sel);
    }
    if (s->mcv_count > 0) {
        double rest = nonnull - mcv_total(s);
        double others = s->distinct_count - s->mcv_count;
        bool typed = v != NULL && comparable(s->mcv_values[0].type.id, v->type.id);
        for (int k = 0; typed && k < s->mcv_count; k++) {
            if (value_compare(&s->mcv_values[k], v) == 0) {
                return clamp01(s->mcv_fractions[k]);
            }
        }
        sel = others >= 1 ? rest / others : rest;
        /* Not among the common values: no more frequent than the least of them. */
        double least = s->mcv_fractions[s->mcv_count - 1];
        return clamp01(sel > least ? least : sel);
    }
    if (v == NULL || s->histogram_count < 2 || !comparable(s->histogram[0].type.id, v->type.id)) {
        return clamp01(sel);
    }
    int equal = 0;
    for (int k = 0; k < s->histogram_count; k++) {
        equal += value_compare(&s->histogram[k], v) == 0;
    }
    double bucket = nonnull / (double)(s->histogram_count - 1);
    if (equal >= 2) {
        return clamp01((equal - 1) * bucket);
    }
    return clamp01(sel < bucket ? sel : bucket);
}

/* Fraction of the histogram's values below v (0..1). */
static double histogram_below(const CatColumnStats *s, const Value *v)
{
    int n = s->histogram_count;
    if (value_compare(&s->histogram[0], v) >= 0) {
        return 0;
    }
    if (value_compare(&s->histogram[n - 1], v) < 0) {
        return 1;
    }
    int below = 0;
    for (int k = 0; k < n; k++) {
        if (value_compare(&s->histogram[k], v) < 0) {
            below = k;
        }
    }
    double frac = (below + 0.5) / (double)(n - 1);
    return frac > 1 ? 1 : frac;
}

static bool in_range(const Value *x, const Value *lower, bool lower_inclusive, const Value *upper,
                     bool upper_inclusive)
{
    if (lower != NULL) {
        int c = value_compare(x, lower);
        if (c < 0 || (c == 0 && !lower_inclusive)) {
            return false;
        }
    }
    if (upper != NULL) {
        int c = value_compare(x, upper);
        if (c > 0 || (c == 0 && !upper_inclusive)) {
            return false;
        }
    }
    return true;
}

double estimate_range_sel(const CatColumnStats *s, const Value *lower, bool lower_inclusive,
                          const Value *upper, bool upper_inclusive)
{
    if (s == NULL || (lower != NULL && lower->is_null) || (upper != NULL && upper->is_null)) {
        return s == NULL ? -1 : 0;
    }
    bool has_hist = s->histogram_count >= 2;
    TypeId stat_type = has_hist ? s->histogram[0].type.id
                       : s->mcv_count > 0 ? s->mcv_values[0].type.id : TYPE_COUNT;
    if (stat_type == TYPE_COUNT || (lower != NULL && !comparable(stat_type, lower->type.id)) ||
        (upper != NULL && !comparable(stat_type, upper->type.id))) {
        return -1;
    }
    double mcv_in = 0;
    for (int k = 0; k < s->mcv_count; k++) {
        if (in_range(&s->mcv_values[k], lower, lower_inclusive, upper, upper_inclusive)) {
            mcv_in += s->mcv_fractions[k];
        }
    }
    double rest = 1.0 - s->null_fraction - mcv_total(s);
    if (!has_hist) {
        /* Every value was a common one (or the rest is tiny). */
        return clamp01(mcv_in + (rest > 0 ? rest * DEFAULT_INEQ_SEL : 0));
    }
    double lo = lower == NULL ? 0 : histogram_below(s, lower);
    double hi = upper == NULL ? 1 : histogram_below(s, upper);
    double frac = hi > lo ? hi - lo : 0;
    /* A range between two neighbouring bounds still holds some rows. */
    double floor = 0.5 / (double)(s->histogram_count - 1);
    if (frac < floor && (lower == NULL || upper == NULL || value_compare(lower, upper) <= 0)) {
        frac = floor > 0.0005 ? 0.0005 : floor;
    }
    return clamp01(mcv_in + frac * (rest > 0 ? rest : 0));
}

/* ---- clauses ----------------------------------------------------------------------------- */

/* The column under implicit binary-compatible casts, or -1. */
static int column_of(const Expr *e)
{
    while (e->kind == EXPR_CAST && e->arg_count == 1 &&
           (comparable(e->type.id, e->args[0]->type.id))) {
        e = e->args[0];
    }
    return e->kind == EXPR_COLUMN ? e->index : -1;
}

/* True if e reads no input column (a constant, $n, an outer value). */
static bool is_value(const Expr *e)
{
    if (e->kind == EXPR_COLUMN) {
        return false;
    }
    if (e->kind == EXPR_SUBLINK || (e->arg != NULL && !is_value(e->arg))) {
        return false;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (!is_value(e->args[k])) {
            return false;
        }
    }
    return true;
}

static double cmp_sel(const PlanNode *rel, const Expr *e, int op)
{
    const Expr *a = e->args[0], *b = e->args[1];
    int col = column_of(a);
    if (col < 0 || !is_value(b)) {
        col = column_of(b);
        if (col < 0 || !is_value(a)) {
            return op == COMPARE_EQ ? DEFAULT_EQ_SEL : DEFAULT_INEQ_SEL;
        }
        op = compare_op_commute(op);
        b = a;
    }
    const CatColumnStats *s = estimate_column_stats(rel, col, NULL, NULL);
    const Value *v = b->kind == EXPR_CONST ? &b->value : NULL;
    switch (op) {
    case COMPARE_EQ:
        return s == NULL ? DEFAULT_EQ_SEL : estimate_eq_sel(s, v);
    case COMPARE_NE:
        return s == NULL ? 1 - DEFAULT_EQ_SEL
                         : clamp01(1 - s->null_fraction - estimate_eq_sel(s, v));
    default: {
        bool is_lower = op == COMPARE_GT || op == COMPARE_GE;
        bool inclusive = op == COMPARE_GE || op == COMPARE_LE;
        double sel = v == NULL ? -1
                     : estimate_range_sel(s, is_lower ? v : NULL, inclusive,
                                          is_lower ? NULL : v, inclusive);
        return sel >= 0 ? sel : DEFAULT_INEQ_SEL;
    }
    }
}

static double in_list_sel(const PlanNode *rel, const Expr *e)
{
    int col = column_of(e->args[0]);
    const CatColumnStats *s = col >= 0 ? estimate_column_stats(rel, col, NULL, NULL) : NULL;
    double sel = 0;
    for (int k = 1; k < e->arg_count; k++) {
        const Expr *v = e->args[k];
        sel += s == NULL ? DEFAULT_EQ_SEL
                         : estimate_eq_sel(s, v->kind == EXPR_CONST ? &v->value : NULL);
    }
    sel = clamp01(sel);
    if (e->is_not) {
        return clamp01(1 - sel - (s != NULL ? s->null_fraction : 0));
    }
    return sel;
}

static double null_test_sel(const PlanNode *rel, const Expr *e)
{
    int col = column_of(e->args[0]);
    const CatColumnStats *s = col >= 0 ? estimate_column_stats(rel, col, NULL, NULL) : NULL;
    double sel = s != NULL ? s->null_fraction : DEFAULT_EQ_SEL;
    return e->is_not ? 1 - sel : sel;
}

/* A boolean column alone: its fraction of true values. */
static double bool_column_sel(const PlanNode *rel, int col)
{
    const CatColumnStats *s = estimate_column_stats(rel, col, NULL, NULL);
    if (s == NULL) {
        return 0.5;
    }
    Value t = value_bool(true);
    return estimate_eq_sel(s, &t);
}

static bool is_match_op(const char *name)
{
    return strcmp(name, "~~") == 0 || strcmp(name, "~~*") == 0 || strcmp(name, "~") == 0 ||
           strcmp(name, "~*") == 0 || strcmp(name, "like") == 0 || strcmp(name, "ilike") == 0;
}

/* The column of a one-sided range `column op value` (either order), -1 for
 * anything else; *is_lower: the range is bounded below. */
static int range_column(const Expr *e, bool *is_lower)
{
    if (e->kind != EXPR_FUNC || e->arg_count != 2) {
        return -1;
    }
    int op = compare_op_of(e->fn->name);
    if (op != COMPARE_LT && op != COMPARE_LE && op != COMPARE_GT && op != COMPARE_GE) {
        return -1;
    }
    int col = column_of(e->args[0]);
    if (col < 0 || !is_value(e->args[1])) {
        col = column_of(e->args[1]);
        if (col < 0 || !is_value(e->args[0])) {
            return -1;
        }
        op = compare_op_commute(op);
    }
    *is_lower = op == COMPARE_GT || op == COMPARE_GE;
    return col;
}

/* AND: the product of the parts, except that a lower and an upper bound on
 * one column make one range, lower + upper - 1 (PostgreSQL's
 * clauselist_selectivity), not two independent conditions. */
static double and_sel(const PlanNode *rel, const Expr *e)
{
    enum { PAIRED_MAX = 64 };
    bool paired[PAIRED_MAX] = {false};
    double sel = 1;
    for (int k = 0; k < e->arg_count; k++) {
        if (k < PAIRED_MAX && paired[k]) {
            continue;
        }
        double s = estimate_qual_sel(rel, e->args[k]);
        bool k_lower, m_lower;
        int col = k < PAIRED_MAX ? range_column(e->args[k], &k_lower) : -1;
        for (int m = k + 1; col >= 0 && m < e->arg_count && m < PAIRED_MAX; m++) {
            if (paired[m] || range_column(e->args[m], &m_lower) != col || m_lower == k_lower) {
                continue;
            }
            paired[m] = true;
            double other = estimate_qual_sel(rel, e->args[m]);
            if (s == DEFAULT_INEQ_SEL || other == DEFAULT_INEQ_SEL) {
                s = DEFAULT_RANGE_INEQ_SEL;
            } else {
                s = s + other - 1;
                s = s > 0 ? s : s < -0.01 ? 1e-10 : DEFAULT_RANGE_INEQ_SEL;
            }
            break;
        }
        sel *= s;
    }
    return sel;
}

double estimate_qual_sel(const PlanNode *rel, const Expr *e)
{
    if (e == NULL) {
        return 1;
    }
    switch (e->kind) {
    case EXPR_AND:
        return and_sel(rel, e);
    case EXPR_OR: {
        double sel = 0;
        for (int k = 0; k < e->arg_count; k++) {
            double s = estimate_qual_sel(rel, e->args[k]);
            sel = sel + s - sel * s;
        }
        return sel;
    }
    case EXPR_NOT:
        return clamp01(1 - estimate_qual_sel(rel, e->args[0]));
    case EXPR_CONST:
        return e->value.is_null || !e->value.b ? 0 : 1;
    case EXPR_COLUMN:
        return bool_column_sel(rel, e->index);
    case EXPR_IN_LIST:
        return in_list_sel(rel, e);
    case EXPR_NULL_TEST:
        return e->arg_count == 1 ? null_test_sel(rel, e) : DEFAULT_EQ_SEL;
    case EXPR_FUNC: {
        int op = compare_op_of(e->fn->name);
        if (op >= 0 && e->arg_count == 2) {
            return cmp_sel(rel, e, op);
        }
        if (is_match_op(e->fn->name)) {
            return DEFAULT_MATCH_SEL;
        }
        return DEFAULT_INEQ_SEL;
    }
    default:
        return DEFAULT_INEQ_SEL;
    }
}

/* ---- distinct values and joins ------------------------------------------------------------ */

/* A column alone in a unique or primary key: as many values as rows. */
static bool column_is_unique(const CatTable *t, int col)
{
    if (t->pkey_count == 1 && t->pkey_columns[0] == col) {
        return true;
    }
    for (int x = 0; x < t->index_count; x++) {
        const CatIndex *ix = t->indexes[x];
        if (ix->unique && ix->key_count == 1 && ix->key_columns[0] == col &&
            ix->predicate_sql == NULL) {
            return true;
        }
    }
    return false;
}

double estimate_distinct(const PlanNode *rel, const Expr *e)
{
    double rows = rel->est_rows >= 1 ? rel->est_rows : 1;
    int col = column_of(e);
    double nd = DEFAULT_NUM_DISTINCT;
    if (col >= 0) {
        const CatTable *t = NULL;
        int table_col = -1;
        const CatColumnStats *s = estimate_column_stats(rel, col, &t, &table_col);
        if (s != NULL && s->distinct_count > 0) {
            nd = s->distinct_count;
        } else if (t != NULL && table_col >= 0 && column_is_unique(t, table_col)) {
            nd = rows;
        }
    }
    return nd > rows ? rows : nd < 1 ? 1 : nd;
}

static double null_fraction_of(const PlanNode *rel, const Expr *e)
{
    int col = column_of(e);
    const CatColumnStats *s = col >= 0 ? estimate_column_stats(rel, col, NULL, NULL) : NULL;
    return s != NULL ? s->null_fraction : 0;
}

/* PostgreSQL's eqjoinsel_inner with both most-common-value lists: the
 * matching pairs exactly, the rest of each side spread over the other
 * side's remaining distinct values; the smaller of the two readings. -1
 * when the lists are too long to match here. */
static double mcv_join_sel(const CatColumnStats *a, const CatColumnStats *b)
{
    double match_prod = 0, matched_a = 0, matched_b = 0;
    int matches = 0;
    enum { MCV_MATCH_MAX = 128 }; /* ANALYZE keeps at most 100 */
    bool b_matched[MCV_MATCH_MAX] = {false};
    if (a->mcv_count > MCV_MATCH_MAX || b->mcv_count > MCV_MATCH_MAX) {
        return -1;
    }
    for (int i = 0; i < a->mcv_count; i++) {
        for (int j = 0; j < b->mcv_count; j++) {
            if (!b_matched[j] && value_compare(&a->mcv_values[i], &b->mcv_values[j]) == 0) {
                b_matched[j] = true;
                match_prod += a->mcv_fractions[i] * b->mcv_fractions[j];
                matched_a += a->mcv_fractions[i];
                matched_b += b->mcv_fractions[j];
                matches++;
                break;
            }
        }
    }
    double unmatched_a = mcv_total(a) - matched_a, unmatched_b = mcv_total(b) - matched_b;
    double other_a = 1 - a->null_fraction - mcv_total(a);
    double other_b = 1 - b->null_fraction - mcv_total(b);
    other_a = other_a > 0 ? other_a : 0;
    other_b = other_b > 0 ? other_b : 0;
    double sel_a = match_prod, sel_b = match_prod;
    if (b->distinct_count > b->mcv_count) {
        sel_a += unmatched_a * other_b / (b->distinct_count - b->mcv_count);
    }
    if (b->distinct_count > matches) {
        sel_a += other_a * (other_b + unmatched_b) / (b->distinct_count - matches);
    }
    if (a->distinct_count > a->mcv_count) {
        sel_b += unmatched_b * other_a / (a->distinct_count - a->mcv_count);
    }
    if (a->distinct_count > matches) {
        sel_b += other_b * (other_a + unmatched_a) / (a->distinct_count - matches);
    }
    return clamp01(sel_a < sel_b ? sel_a : sel_b);
}

double estimate_join_eq_sel(const PlanNode *left_rel, const Expr *left, const PlanNode *right_rel,
                            const Expr *right)
{
    int lcol = column_of(left), rcol = column_of(right);
    const CatColumnStats *ls = lcol >= 0 ? estimate_column_stats(left_rel, lcol, NULL, NULL) : NULL;
    const CatColumnStats *rs =
        rcol >= 0 ? estimate_column_stats(right_rel, rcol, NULL, NULL) : NULL;
    if (ls != NULL && rs != NULL && ls->mcv_count > 0 && rs->mcv_count > 0 &&
        comparable(ls->mcv_values[0].type.id, rs->mcv_values[0].type.id)) {
        double sel = mcv_join_sel(ls, rs);
        if (sel >= 0) {
            return sel;
        }
    }
    double nd_left = estimate_distinct(left_rel, left);
    double nd_right = estimate_distinct(right_rel, right);
    double nd = nd_left > nd_right ? nd_left : nd_right;
    double nonnull = (1 - null_fraction_of(left_rel, left)) * (1 - null_fraction_of(right_rel, right));
    return clamp01(nonnull / nd);
}
