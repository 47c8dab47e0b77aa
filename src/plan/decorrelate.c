/*
 * plan/decorrelate.c - IN / EXISTS / NOT EXISTS / NOT IN subqueries of WHERE
 * as semi and anti hash joins (PostgreSQL's pull_up_sublinks, done here on
 * the planned subquery instead of its query tree).
 *
 * A WHERE conjunct EXISTS (q) runs q once per outer row as a SubPlan. When
 * q's only references to the outer query are conjuncts
 *     inner_expr = outer_expr
 * in the WHERE of q's FROM items (scans, filters, inner joins), those
 * conjuncts are taken out of q and become hash keys: q runs once, its rows
 * hashed by inner_expr, and every outer row probes with outer_expr (the
 * correlation slots replaced by the outer expressions that fill them).
 * x IN (q) adds the key x = q's column. A scan of q whose index range used
 * an outer value goes back to a sequential scan and chooses its access path
 * again without the correlated conjunct.
 *
 *   EXISTS (q), x IN (q)          Hash Semi Join: a row once, when it matches
 *   NOT EXISTS (q)                Hash Anti Join: a row when nothing matches
 *   x NOT IN (q), q uncorrelated  Hash Anti Join, null-aware (executor: no
 *                                 row when q returns a NULL; a NULL x only
 *                                 when q returns nothing)
 *
 * Invariants
 *   1. A rewrite never changes results, NULLs and duplicates included: a
 *      NULL key never matches (x = NULL is not true, so EXISTS and IN fail
 *      and NOT EXISTS holds), and a semi join emits each outer row at most
 *      once, as the SubPlan's WHERE test did.
 *   2. The subquery's plan nodes are copied before they change: a conjunct
 *      that does not fit keeps its SubPlan untouched.
 *   3. Hash keys compare with value_equal: only types whose = is value
 *      equality are keys (the same type, or both integers, or both strings).
 *
 * See src/plan/README.md ("Decorrelation") and optimize_int.h.
 */
#include <string.h>

#include "plan/estimate_int.h"
#include "plan/optimize_int.h"

enum { DECORRELATE_KEYS_MAX = 16 };

typedef struct Extract {
    Binder *b;
    const SubPlan *sub;
    Expr *outer[DECORRELATE_KEYS_MAX];  /* over the outer wide row */
    Expr *inner[DECORRELATE_KEYS_MAX];  /* over the extracted tree's output */
    int count;
    double lookup_cost; /* per outer row of the SubPlan's index lookups */
} Extract;

/* ---- correlation checks ------------------------------------------------------------------- */

/* A volatile function (random(), nextval()) runs once per row where it
 * stands: it keeps its subquery per outer row (PostgreSQL does not pull up
 * such sublinks either). */
static bool is_volatile_call(const Expr *e)
{
    return e->kind == EXPR_SEQUENCE ||
           (e->kind == EXPR_FUNC && e->fn != NULL && e->fn->volatility == VOLATILITY_VOLATILE);
}

/* e reads a correlation slot of this level, or calls a volatile function:
 * either way it must run per outer row. */
static bool has_corr(const Expr *e)
{
    if (e == NULL) {
        return false;
    }
    if (e->kind == EXPR_CORR || is_volatile_call(e)) {
        return true;
    }
    if (has_corr(e->arg)) {
        return true;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (has_corr(e->args[k])) {
            return true;
        }
    }
    if (e->kind == EXPR_SUBLINK) {
        for (int k = 0; k < e->sub->corr_count; k++) {
            if (has_corr(e->sub->corr_args[k])) {
                return true;
            }
        }
        for (int k = 0; k < e->sub->test_count; k++) {
            if (has_corr(e->sub->tests[k])) {
                return true;
            }
        }
    }
    if (e->kind == EXPR_AGG_CALL || e->kind == EXPR_WINDOW_CALL) {
        return true; /* bound away before planning; be safe */
    }
    return false;
}

static bool any_corr(Expr **list, int count)
{
    for (int k = 0; list != NULL && k < count; k++) {
        if (has_corr(list[k])) {
            return true;
        }
    }
    return false;
}

static bool aggs_corr(const PlanNode *p)
{
    for (int k = 0; k < p->agg_count; k++) {
        const AggCall *a = p->aggs[k];
        if (any_corr(a->args, a->arg_count) || has_corr(a->filter) ||
            any_corr(a->order, a->order_count)) {
            return true;
        }
    }
    return false;
}

/* True when no expression of plan p (or below) reads a correlation slot of
 * this level; false also for node kinds it does not know. */
static bool tree_corr_free(const PlanNode *p)
{
    if (p == NULL) {
        return true;
    }
    bool own = !has_corr(p->qual);
    switch (p->kind) {
    case PLAN_SCAN:
    case PLAN_INDEX_SCAN:
        own = own && !any_corr(p->low.values, p->low.count) &&
              !any_corr(p->high.values, p->high.count) &&
              !any_corr(p->in_values, p->in_count) && !has_corr(p->partition_gate);
        break;
    case PLAN_FILTER:
    case PLAN_VALUES:
        own = own && (p->kind != PLAN_VALUES || p->row_count == 0 || p->rows == NULL ||
                      !any_corr(p->rows[0], p->column_count));
        for (int r = 1; own && p->kind == PLAN_VALUES && r < p->row_count; r++) {
            own = !any_corr(p->rows[r], p->column_count);
        }
        break;
    case PLAN_PROJECT:
        own = own && !any_corr(p->exprs, p->expr_count);
        break;
    case PLAN_JOIN:
        own = own && !any_corr(p->left_keys, p->key_count) &&
              !any_corr(p->right_keys, p->key_count);
        break;
    case PLAN_AGG:
        own = own && !any_corr(p->group_exprs, p->group_count) && !aggs_corr(p);
        break;
    case PLAN_SORT:
        for (int k = 0; own && k < p->sort_key_count; k++) {
            own = !has_corr(p->sort_keys[k].expr);
        }
        own = own && !has_corr(p->limit_count);
        break;
    case PLAN_LIMIT:
        own = own && !has_corr(p->limit_count) && !has_corr(p->limit_offset);
        break;
    case PLAN_DISTINCT:
        own = own && !any_corr(p->distinct_on, p->distinct_count);
        break;
    case PLAN_SETOP:
        break;
    default:
        return false;
    }
    return own && tree_corr_free(p->left) && tree_corr_free(p->right);
}

/* ---- expression rewriting ----------------------------------------------------------------- */

/* A copy of e with each EXPR_CORR k replaced by corr[k] (when corr is set)
 * and each EXPR_COLUMN c by columns[c] (when columns is set). NULL when e
 * holds a subquery (not rewritten) or the arena failed. */
static Expr *substitute(Arena *a, const Expr *e, Expr *const *corr, Expr *const *columns)
{
    if (e->kind == EXPR_CORR && corr != NULL) {
        return corr[e->index];
    }
    if (e->kind == EXPR_COLUMN && columns != NULL) {
        return columns[e->index];
    }
    if (e->kind == EXPR_SUBLINK || e->kind == EXPR_AGG_CALL || e->kind == EXPR_WINDOW_CALL) {
        return NULL;
    }
    Expr *copy = arena_memdup(a, e, sizeof(Expr));
    if (copy == NULL) {
        return NULL;
    }
    if (e->arg != NULL && (copy->arg = substitute(a, e->arg, corr, columns)) == NULL) {
        return NULL;
    }
    if (e->arg_count > 0) {
        copy->args = arena_zalloc(a, sizeof(Expr *) * (size_t)e->arg_count);
        if (copy->args == NULL) {
            return NULL;
        }
        for (int k = 0; k < e->arg_count; k++) {
            if ((copy->args[k] = substitute(a, e->args[k], corr, columns)) == NULL) {
                return NULL;
            }
        }
    }
    return copy;
}

static bool has_volatile(const Expr *e)
{
    if (e == NULL) {
        return false;
    }
    if (is_volatile_call(e) || has_volatile(e->arg)) {
        return true;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (has_volatile(e->args[k])) {
            return true;
        }
    }
    return false;
}

static bool reads_column(const Expr *e)
{
    if (e == NULL) {
        return false;
    }
    if (e->kind == EXPR_COLUMN || e->kind == EXPR_SUBLINK) {
        return true;
    }
    if (reads_column(e->arg)) {
        return true;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (reads_column(e->args[k])) {
            return true;
        }
    }
    return false;
}

/* The hash join compares keys with value_equal: the = must be that. */
static bool key_types_ok(SqlType x, SqlType y)
{
    bool x_int = x.id == TYPE_INT2 || x.id == TYPE_INT4 || x.id == TYPE_INT8;
    bool y_int = y.id == TYPE_INT2 || y.id == TYPE_INT4 || y.id == TYPE_INT8;
    bool x_str = x.id == TYPE_TEXT || x.id == TYPE_VARCHAR;
    bool y_str = y.id == TYPE_TEXT || y.id == TYPE_VARCHAR;
    if (x.id == TYPE_JSON || y.id == TYPE_JSON) {
        return false;
    }
    return x.id == y.id || (x_int && y_int) || (x_str && y_str);
}

static Expr *column_shift(Arena *a, const Expr *e, int offset, int width)
{
    int *map = arena_alloc(a, sizeof(int) * (size_t)(width + 1));
    if (map == NULL) {
        return NULL;
    }
    for (int c = 0; c < width; c++) {
        map[c] = c + offset;
    }
    return expr_remap(a, e, map);
}

/* ---- extraction of the correlated equalities ----------------------------------------------- */

static void flatten(Expr *e, Expr **out, int *count, int cap)
{
    if (e == NULL) {
        return;
    }
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->arg_count; k++) {
            flatten(e->args[k], out, count, cap);
        }
        return;
    }
    if (*count < cap) {
        out[*count] = e;
    }
    (*count)++;
}

static Expr *and_of(Arena *a, Expr **parts, int count)
{
    if (count == 0) {
        return NULL;
    }
    if (count == 1) {
        return parts[0];
    }
    Expr *and = expr_new(a, EXPR_AND, sql_type(TYPE_BOOL), -1);
    if (and == NULL ||
        (and->args = arena_memdup(a, parts, sizeof(Expr *) * (size_t)count)) == NULL) {
        return NULL;
    }
    and->arg_count = count;
    return and;
}

/* Conjunct e over node columns: a correlated equality taken as a key (true),
 * or kept (false, *fail unset), or one that cannot be decorrelated (*fail). */
static bool take_key(Extract *x, const Expr *e, int offset, int width, bool *fail)
{
    if (!has_corr(e)) {
        return false;
    }
    *fail = true;
    if (e->kind != EXPR_FUNC || e->arg_count != 2 || strcmp(e->fn->name, "=") != 0 ||
        x->count >= DECORRELATE_KEYS_MAX) {
        return false;
    }
    for (int side = 0; side < 2; side++) {
        const Expr *in = e->args[side], *out = e->args[1 - side];
        if (has_corr(in) || !reads_column(in) || reads_column(out) || has_volatile(out) ||
            !key_types_ok(in->type, out->type)) {
            continue;
        }
        Expr *outer = substitute(x->b->a, out, x->sub->corr_args, NULL);
        Expr *inner = column_shift(x->b->a, in, offset, width);
        if (outer == NULL || inner == NULL) {
            return false;
        }
        x->outer[x->count] = outer;
        x->inner[x->count] = inner;
        x->count++;
        *fail = false;
        return true;
    }
    return false;
}

/* A scan back to a sequential scan of its whole predicate (its key range
 * used an outer value). */
static void unindex(Binder *b, PlanNode *scan)
{
    Expr *parts[2] = {scan->index_cond, scan->qual};
    int count = 0;
    for (int k = 0; k < 2; k++) {
        if (parts[k] != NULL) {
            parts[count++] = parts[k];
        }
    }
    scan->qual = and_of(b->a, parts, count);
    scan->kind = PLAN_SCAN;
    scan->index = NULL;
    scan->index_cond = NULL;
    scan->scan_on_key = false;
    scan->index_only = false;
    scan->index_column_map = NULL;
    scan->reverse = false;
    scan->batch_rows_hint = 0;
    memset(&scan->low, 0, sizeof scan->low);
    memset(&scan->high, 0, sizeof scan->high);
    scan->in_values = NULL;
    scan->in_count = 0;
    scan->in_is_array = false;
}

/* Takes the correlated equalities out of the qual of a scan or filter. */
static int extract_qual(Extract *x, PlanNode *p, int offset, int width, bool *ok)
{
    enum { PARTS_MAX = 128 };
    Expr *parts[PARTS_MAX];
    int count = 0, kept = 0;
    flatten(p->qual, parts, &count, PARTS_MAX);
    if (count > PARTS_MAX) {
        *ok = false;
        return STRATA_OK;
    }
    for (int k = 0; k < count; k++) {
        bool fail = false;
        if (!take_key(x, parts[k], offset, width, &fail)) {
            if (fail) {
                *ok = false;
                return STRATA_OK;
            }
            parts[kept++] = parts[k];
        }
    }
    p->qual = and_of(x->b->a, parts, kept);
    return kept > 0 && p->qual == NULL ? arena_error(x->b->a, x->b->err) : STRATA_OK;
}

/* Rewrites the tree under *node (output columns from offset in the top
 * tree, whose width is width): copies each node it changes. */
static int extract(Extract *x, PlanNode **node, int offset, int width, bool *ok)
{
    PlanNode *p = *node;
    Binder *b = x->b;
    if (tree_corr_free(p)) {
        return STRATA_OK;
    }
    bool is_scan = p->kind == PLAN_SCAN || p->kind == PLAN_INDEX_SCAN;
    bool inner_join = p->kind == PLAN_JOIN && p->join_type == JOIN_TYPE_INNER;
    if (!is_scan && p->kind != PLAN_FILTER && !inner_join) {
        *ok = false;
        return STRATA_OK;
    }
    PlanNode *copy = arena_memdup(b->a, p, sizeof(PlanNode));
    if (copy == NULL) {
        return arena_error(b->a, b->err);
    }
    /* The scan's read columns (access.c, columns_read) were chosen for the SubPlan,
     * where a correlated key range needed no column: the join reads its keys. */
    copy->columns_read = NULL;
    *node = copy;
    if (inner_join) {
        if (has_corr(copy->qual) || any_corr(copy->left_keys, copy->key_count) ||
            any_corr(copy->right_keys, copy->key_count)) {
            *ok = false;
            return STRATA_OK;
        }
        int rc = extract(x, &copy->left, offset, width, ok);
        if (rc == STRATA_OK && *ok) {
            rc = extract(x, &copy->right, offset + copy->left->column_count, width, ok);
        }
        return rc;
    }
    bool ranged = is_scan && (any_corr(p->low.values, p->low.count) ||
                              any_corr(p->high.values, p->high.count) ||
                              any_corr(p->in_values, p->in_count));
    if (is_scan && has_corr(p->partition_gate)) {
        *ok = false;
        return STRATA_OK;
    }
    if (ranged) {
        /* access.c's costs: a descent, then a fetch per entry (the clustering
         * key reads its rows in place). */
        x->lookup_cost += 10.0 + p->est_rows * (p->kind == PLAN_INDEX_SCAN ? 6.0 : 1.0);
        unindex(b, copy);
    }
    int rc = extract_qual(x, copy, offset, width, ok);
    if (rc != STRATA_OK || !*ok) {
        return rc;
    }
    /* Estimated again without the correlated conjuncts. */
    if (is_scan) {
        copy->est_rows = estimate_table_rows(b, copy->table) *
                         estimate_qual_sel(copy, copy->index_cond) *
                         estimate_qual_sel(copy, copy->qual);
        copy->est_rows = copy->est_rows < 1 ? 1 : copy->est_rows;
        return ranged ? plan_choose_access(b, copy, NULL) : STRATA_OK;
    }
    rc = extract(x, &copy->left, offset, width, ok);
    copy->est_rows = copy->left->est_rows * estimate_qual_sel(copy->left, copy->qual);
    copy->est_rows = copy->est_rows < 1 ? 1 : copy->est_rows;
    return rc;
}

/* ---- one conjunct -------------------------------------------------------------------------- */

/* The subquery's plan under the node kinds a semi join may drop (a LIMIT of
 * at least one row or a DISTINCT, for EXISTS; a DISTINCT for IN), then its
 * select-list projections (collected top first). */
static PlanNode *strip_top(PlanNode *p, bool is_exists, PlanNode **projects, int *project_count)
{
    for (;;) {
        if (p->kind == PLAN_LIMIT && is_exists && p->limit_offset == NULL &&
            p->limit_count != NULL && p->limit_count->kind == EXPR_CONST &&
            !p->limit_count->value.is_null &&
            (p->limit_count->type.id == TYPE_INT8 || p->limit_count->type.id == TYPE_INT4) &&
            p->limit_count->value.i64 >= 1) {
            p = p->left;
        } else if (p->kind == PLAN_DISTINCT && (is_exists || p->distinct_on == NULL)) {
            p = p->left;
        } else {
            break;
        }
    }
    *project_count = 0;
    while (p->kind == PLAN_PROJECT && *project_count < 8) {
        projects[(*project_count)++] = p;
        p = p->left;
    }
    return p;
}

/* The select-list item col of the projection stack, over tree's columns. */
static Expr *composed_output(Arena *a, const PlanNode *tree, PlanNode **projects,
                             int project_count, int col)
{
    const PlanNode *top = project_count > 0 ? projects[0] : tree;
    Expr *e = expr_column(a, col, top->column_types[col]);
    for (int k = 0; e != NULL && k < project_count; k++) {
        e = substitute(a, e, NULL, projects[k]->exprs);
    }
    return e;
}

static int try_one(Binder *b, Expr *conjunct, int index, SemiJoin *out, bool *ok)
{
    bool negated = conjunct->kind == EXPR_NOT;
    Expr *link = negated ? conjunct->args[0] : conjunct;
    *ok = false;
    if (link->kind != EXPR_SUBLINK ||
        (link->sub->type != SUBLINK_TYPE_EXISTS && link->sub->type != SUBLINK_TYPE_ANY)) {
        return STRATA_OK;
    }
    const SubPlan *sub = link->sub;
    bool is_exists = sub->type == SUBLINK_TYPE_EXISTS;
    if ((is_exists && sub->corr_count == 0) ||
        (!is_exists && negated && (sub->corr_count > 0 || sub->test_count != 1))) {
        return STRATA_OK; /* runs once anyway; NOT IN over correlated rows: NULL rules */
    }
    for (int k = 0; k < sub->test_count; k++) {
        if (strcmp(sub->cmp_fns[k]->name, "=") != 0 || has_corr(sub->tests[k]) ||
            !key_types_ok(sub->tests[k]->type, sub->plan->column_types[k])) {
            return STRATA_OK;
        }
    }
    PlanNode *projects[8];
    int project_count;
    PlanNode *tree = strip_top(sub->plan, is_exists, projects, &project_count);
    if (tree->kind == PLAN_PROJECT) {
        return STRATA_OK;
    }
    for (int k = 0; k < project_count; k++) {
        if (!is_exists && any_corr(projects[k]->exprs, projects[k]->expr_count)) {
            return STRATA_OK;
        }
    }
    Extract x = {.b = b, .sub = sub};
    *ok = true;
    int rc = extract(&x, &tree, 0, tree->column_count, ok);
    if (rc != STRATA_OK || !*ok || !tree_corr_free(tree)) {
        *ok = false;
        return rc;
    }
    int keys = sub->test_count + x.count;
    if (keys > 32) {
        *ok = false; /* the executor's hash key limit */
        return STRATA_OK;
    }
    Expr **outer = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(keys + 1));
    Expr **inner = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(keys + 1));
    Expr **inner_refs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(keys + 1));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(keys + 1));
    if (outer == NULL || inner == NULL || inner_refs == NULL || names == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < keys; k++) {
        bool is_test = k < sub->test_count;
        outer[k] = is_test ? sub->tests[k] : x.outer[k - sub->test_count];
        inner[k] = is_test ? composed_output(b->a, tree, projects, project_count, k)
                           : x.inner[k - sub->test_count];
        if (inner[k] == NULL) {
            *ok = false; /* a subquery inside the select list */
            return STRATA_OK;
        }
        names[k] = is_test ? sub->plan->column_names[k] : "?column?";
    }
    PlanNode *project = plan_project(b, tree, inner, keys, names);
    if (project == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < keys; k++) {
        if ((inner_refs[k] = expr_column(b->a, k, inner[k]->type)) == NULL) {
            return arena_error(b->a, b->err);
        }
    }
    *out = (SemiJoin){.conjunct = index, .type = negated ? JOIN_TYPE_ANTI : JOIN_TYPE_SEMI,
                      .null_aware = negated && !is_exists, .inner = project,
                      .outer_keys = outer, .inner_keys = inner_refs, .key_count = keys,
                      .lookup_cost = x.lookup_cost};
    return STRATA_OK;
}

int plan_decorrelate(Binder *b, Expr **conjuncts, int count, SemiJoin **out, int *out_count)
{
    *out_count = 0;
    *out = arena_zalloc(b->a, sizeof(SemiJoin) * (size_t)(count + 1));
    if (*out == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < count; k++) {
        if (conjuncts[k] == NULL) {
            continue;
        }
        bool ok;
        int rc = try_one(b, conjuncts[k], k, &(*out)[*out_count], &ok);
        if (rc != STRATA_OK) {
            return rc;
        }
        *out_count += ok;
    }
    return STRATA_OK;
}

/* ---- scalar subqueries with an aggregate ------------------------------------------------- */

/* The first scalar subquery in e (not inside another subquery's plan). */
static const Expr *find_scalar(const Expr *e)
{
    if (e == NULL) {
        return NULL;
    }
    if (e->kind == EXPR_SUBLINK) {
        return e->sub->type == SUBLINK_TYPE_SCALAR && e->sub->corr_count > 0 ? e : NULL;
    }
    const Expr *found = find_scalar(e->arg);
    for (int k = 0; found == NULL && k < e->arg_count; k++) {
        found = find_scalar(e->args[k]);
    }
    return found;
}

Expr *plan_replace_sublink(Arena *a, const Expr *e, const SubPlan *sub, Expr *value)
{
    if (e->kind == EXPR_SUBLINK && e->sub == sub) {
        return value;
    }
    Expr *copy = arena_memdup(a, e, sizeof(Expr));
    if (copy == NULL) {
        return NULL;
    }
    if (e->arg != NULL && (copy->arg = plan_replace_sublink(a, e->arg, sub, value)) == NULL) {
        return NULL;
    }
    if (e->arg_count > 0) {
        if ((copy->args = arena_zalloc(a, sizeof(Expr *) * (size_t)e->arg_count)) == NULL) {
            return NULL;
        }
        for (int k = 0; k < e->arg_count; k++) {
            if ((copy->args[k] = plan_replace_sublink(a, e->args[k], sub, value)) == NULL) {
                return NULL;
            }
        }
    }
    return copy;
}

/* Aggregate k's output over the grouped node: count() of no rows is 0. */
static Expr *agg_output(Arena *a, const AggCall *agg, int column)
{
    Expr *col = expr_column(a, column, agg->result_type);
    if (col == NULL || strcmp(agg->name, "count") != 0) {
        return col;
    }
    Expr *zero = expr_const(a, value_i64(agg->result_type.id, 0), -1);
    Expr *e = expr_new(a, EXPR_COALESCE, agg->result_type, -1);
    if (zero == NULL || e == NULL || (e->args = arena_zalloc(a, sizeof(Expr *) * 2)) == NULL) {
        return NULL;
    }
    e->args[0] = col;
    e->args[1] = zero;
    e->arg_count = 2;
    return e;
}

static PlanNode *grouped_agg(Binder *b, const PlanNode *agg, PlanNode *tree, const Extract *x)
{
    PlanNode *g = plan_node_new(b, PLAN_AGG, tree, NULL);
    int width = x->count + agg->agg_count;
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(width + 1));
    Expr **keys = arena_memdup(b->a, x->inner, sizeof(Expr *) * (size_t)x->count);
    if (g == NULL || types == NULL || keys == NULL) {
        return NULL;
    }
    g->group_exprs = keys;
    g->group_count = x->count;
    g->aggs = agg->aggs;
    g->agg_count = agg->agg_count;
    g->is_grouped = true;
    double groups = 1;
    for (int k = 0; k < x->count; k++) {
        types[k] = keys[k]->type;
        groups *= estimate_distinct(tree, keys[k]);
    }
    for (int k = 0; k < agg->agg_count; k++) {
        types[x->count + k] = agg->aggs[k]->result_type;
    }
    g->est_rows = groups < tree->est_rows ? groups : tree->est_rows;
    plan_node_set_columns(b, g, width, types, NULL);
    return g;
}

/* Aggregates whose inputs cannot raise an error: computing them for groups no
 * outer row asks for (which the SubPlan never did) changes nothing. */
static bool plain_aggs(const PlanNode *agg)
{
    for (int k = 0; k < agg->agg_count; k++) {
        const AggCall *a = agg->aggs[k];
        if (a->filter != NULL) {
            return false;
        }
        for (int m = 0; m < a->arg_count; m++) {
            ExprKind kind = a->args[m]->kind;
            if (kind != EXPR_COLUMN && kind != EXPR_CONST) {
                return false;
            }
        }
    }
    return true;
}

static int try_scalar(Binder *b, const Expr *link, int index, GroupJoin *out, bool *ok)
{
    const SubPlan *sub = link->sub;
    PlanNode *projects[8];
    int project_count = 0;
    PlanNode *p = sub->plan;
    *ok = false;
    while (p->kind == PLAN_PROJECT && project_count < 8) {
        if (any_corr(p->exprs, p->expr_count)) {
            return STRATA_OK;
        }
        projects[project_count++] = p;
        p = p->left;
    }
    if (p->kind != PLAN_AGG || p->is_grouped || p->group_count > 0 || p->qual != NULL ||
        aggs_corr(p) || !plain_aggs(p) || p->left == NULL) {
        return STRATA_OK;
    }
    PlanNode *tree = p->left;
    Extract x = {.b = b, .sub = sub};
    *ok = true;
    int rc = extract(&x, &tree, 0, tree->column_count, ok);
    if (rc != STRATA_OK || !*ok || x.count == 0 || !tree_corr_free(tree)) {
        *ok = false;
        return rc;
    }
    PlanNode *grouped = grouped_agg(b, p, tree, &x);
    Expr **outputs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(p->agg_count + 1));
    Expr *value = composed_output(b->a, p, projects, project_count, 0);
    if (grouped == NULL || outputs == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < p->agg_count; k++) {
        if ((outputs[k] = agg_output(b->a, p->aggs[k], x.count + k)) == NULL) {
            return arena_error(b->a, b->err);
        }
    }
    value = value != NULL ? substitute(b->a, value, NULL, outputs) : NULL;
    Expr **outer = arena_memdup(b->a, x.outer, sizeof(Expr *) * (size_t)x.count);
    if (value == NULL || outer == NULL) {
        *ok = false;
        return STRATA_OK;
    }
    *out = (GroupJoin){.conjunct = index, .sub = sub, .inner = grouped, .outer_keys = outer,
                       .key_count = x.count, .value = value, .lookup_cost = x.lookup_cost};
    return STRATA_OK;
}

int plan_decorrelate_scalar(Binder *b, Expr **conjuncts, int count, GroupJoin **out,
                            int *out_count)
{
    *out_count = 0;
    *out = arena_zalloc(b->a, sizeof(GroupJoin) * (size_t)(count + 1));
    if (*out == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < count; k++) {
        const Expr *link = conjuncts[k] != NULL ? find_scalar(conjuncts[k]) : NULL;
        bool ok = false;
        int rc = link != NULL ? try_scalar(b, link, k, &(*out)[*out_count], &ok) : STRATA_OK;
        if (rc != STRATA_OK) {
            return rc;
        }
        *out_count += ok;
    }
    return STRATA_OK;
}
