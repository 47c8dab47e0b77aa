/*
 * plan/plan_expr.c - structural helpers over bound expressions: equality,
 * column remapping (after join reordering), column collection, and
 * constant folding of immutable functions (as PostgreSQL's
 * eval_const_expressions: a CASE arm whose condition folds to false or NULL
 * is dropped before its result is folded).
 *
 * See src/plan/README.md.
 */
#include <string.h>

#include "plan/bind_int.h"
#include "types/cast.h"
#include "types/compare.h"

static bool value_same(const Value *a, const Value *b)
{
    if (a->type.id != b->type.id || a->is_null != b->is_null) {
        return false;
    }
    if (a->is_null) {
        return true;
    }
    if (a->type.id == TYPE_UNKNOWN) {
        return a->str.len == b->str.len && memcmp(a->str.ptr, b->str.ptr, a->str.len) == 0;
    }
    if (a->type.id == TYPE_JSON) {
        return false;
    }
    return value_equal(a, b);
}

bool expr_equal(const Expr *x, const Expr *y)
{
    if (x == y) {
        return true;
    }
    if (x == NULL || y == NULL || x->kind != y->kind || x->type.id != y->type.id ||
        x->type.typmod != y->type.typmod) {
        return false;
    }
    switch (x->kind) {
    case EXPR_CONST:
        return value_same(&x->value, &y->value);
    case EXPR_COLUMN:
    case EXPR_CORR:
    case EXPR_PARAM:
        return x->index == y->index;
    case EXPR_SUBLINK:
    case EXPR_AGG_CALL:
    case EXPR_WINDOW_CALL:
    case EXPR_SEQUENCE:
        return false;
    default:
        break;
    }
    if (x->fn != y->fn || x->arg_count != y->arg_count || x->is_not != y->is_not ||
        x->is_greatest != y->is_greatest || x->is_all != y->is_all ||
        x->test_kind != y->test_kind || x->op != y->op ||
        x->has_else != y->has_else || x->sql_value != y->sql_value) {
        return false;
    }
    if (x->fn != NULL && x->fn->volatility == VOLATILITY_VOLATILE) {
        return false;
    }
    for (int k = 0; k < x->arg_count; k++) {
        if (!expr_equal(x->args[k], y->args[k])) {
            return false;
        }
    }
    return true;
}

static SubPlan *subplan_remap(Arena *a, const SubPlan *s, const int *map)
{
    SubPlan *n = arena_memdup(a, s, sizeof(SubPlan));
    if (n == NULL) {
        return NULL;
    }
    if (s->corr_count) {
        n->corr_args = arena_zalloc(a, sizeof(Expr *) * (size_t)s->corr_count);
        for (int k = 0; n->corr_args && k < s->corr_count; k++) {
            n->corr_args[k] = expr_remap(a, s->corr_args[k], map);
        }
    }
    if (s->test_count) {
        n->tests = arena_zalloc(a, sizeof(Expr *) * (size_t)s->test_count);
        for (int k = 0; n->tests && k < s->test_count; k++) {
            n->tests[k] = expr_remap(a, s->tests[k], map);
        }
    }
    return n;
}

static AggCall *agg_remap(Arena *a, const AggCall *g, const int *map)
{
    AggCall *n = arena_memdup(a, g, sizeof(AggCall));
    if (n == NULL) {
        return NULL;
    }
    n->args = arena_zalloc(a, sizeof(Expr *) * (size_t)(g->arg_count + 1));
    for (int k = 0; n->args && k < g->arg_count; k++) {
        n->args[k] = expr_remap(a, g->args[k], map);
    }
    n->filter = g->filter ? expr_remap(a, g->filter, map) : NULL;
    if (g->order_count) {
        n->order = arena_zalloc(a, sizeof(Expr *) * (size_t)g->order_count);
        for (int k = 0; n->order && k < g->order_count; k++) {
            n->order[k] = expr_remap(a, g->order[k], map);
        }
    }
    return n;
}

Expr *expr_remap(Arena *a, const Expr *e, const int *map)
{
    if (e == NULL) {
        return NULL;
    }
    Expr *n = arena_memdup(a, e, sizeof(Expr));
    if (n == NULL) {
        return NULL;
    }
    if (e->kind == EXPR_COLUMN) {
        n->index = map[e->index];
        return n;
    }
    if (e->arg_count > 0) {
        n->args = arena_zalloc(a, sizeof(Expr *) * (size_t)e->arg_count);
        if (n->args == NULL) {
            return NULL;
        }
        for (int k = 0; k < e->arg_count; k++) {
            n->args[k] = expr_remap(a, e->args[k], map);
        }
    }
    if (e->kind == EXPR_SUBLINK) {
        n->sub = subplan_remap(a, e->sub, map);
    }
    if (e->kind == EXPR_AGG_CALL) {
        n->agg = agg_remap(a, e->agg, map);
    }
    if (e->kind == EXPR_WINDOW_CALL) {
        WinCall *w = arena_memdup(a, e->win, sizeof(WinCall));
        if (w == NULL) {
            return NULL;
        }
        AggCall *g = agg_remap(a, &e->win->agg, map);
        if (g) {
            w->agg = *g;
        }
        w->partition = arena_zalloc(a, sizeof(Expr *) * (size_t)(w->partition_count + 1));
        for (int k = 0; w->partition && k < w->partition_count; k++) {
            w->partition[k] = expr_remap(a, e->win->partition[k], map);
        }
        w->order = arena_zalloc(a, sizeof(SortKey) * (size_t)(w->order_count + 1));
        for (int k = 0; w->order && k < w->order_count; k++) {
            w->order[k] = e->win->order[k];
            w->order[k].expr = expr_remap(a, e->win->order[k].expr, map);
        }
        n->win = w;
    }
    return n;
}

void expr_collect_columns(const Expr *e, bool *used)
{
    if (e == NULL) {
        return;
    }
    if (e->kind == EXPR_COLUMN) {
        used[e->index] = true;
        return;
    }
    for (int k = 0; k < e->arg_count; k++) {
        expr_collect_columns(e->args[k], used);
    }
    expr_collect_columns(e->arg, used);
    if (e->kind == EXPR_SUBLINK) {
        for (int k = 0; k < e->sub->corr_count; k++) {
            expr_collect_columns(e->sub->corr_args[k], used);
        }
        for (int k = 0; k < e->sub->test_count; k++) {
            expr_collect_columns(e->sub->tests[k], used);
        }
    }
    if (e->kind == EXPR_AGG_CALL) {
        for (int k = 0; k < e->agg->arg_count; k++) {
            expr_collect_columns(e->agg->args[k], used);
        }
        expr_collect_columns(e->agg->filter, used);
        for (int k = 0; k < e->agg->order_count; k++) {
            expr_collect_columns(e->agg->order[k], used);
        }
    }
    if (e->kind == EXPR_WINDOW_CALL) {
        for (int k = 0; k < e->win->agg.arg_count; k++) {
            expr_collect_columns(e->win->agg.args[k], used);
        }
        expr_collect_columns(e->win->agg.filter, used);
        for (int k = 0; k < e->win->partition_count; k++) {
            expr_collect_columns(e->win->partition[k], used);
        }
        for (int k = 0; k < e->win->order_count; k++) {
            expr_collect_columns(e->win->order[k].expr, used);
        }
    }
}

int compare_op_of(const char *name)
{
    static const char *const names[] = {"=", "<>", "<", "<=", ">", ">="};
    for (int k = 0; k < 6; k++) {
        if (strcmp(name, names[k]) == 0) {
            return k;
        }
    }
    return -1;
}

int compare_op_commute(int op)
{
    switch (op) {
    case COMPARE_LT: return COMPARE_GT;
    case COMPARE_LE: return COMPARE_GE;
    case COMPARE_GT: return COMPARE_LT;
    case COMPARE_GE: return COMPARE_LE;
    default: return op;
    }
}

/* True if e can be evaluated once before a scan starts: no input columns, no
 * subqueries, aggregates, window calls, sequence calls or volatile functions;
 * $n and stable calls are fine, and correlation values (of an enclosing
 * query's current row) when allow_correlation. */
bool expr_is_start_value(const Expr *e, bool allow_correlation)
{
    switch (e->kind) {
    case EXPR_CORR:
        if (!allow_correlation) {
            return false;
        }
        break;
    case EXPR_COLUMN:
    case EXPR_SUBLINK:
    case EXPR_AGG_CALL:
    case EXPR_WINDOW_CALL:
    case EXPR_SEQUENCE:
        return false;
    case EXPR_FUNC:
        if (e->fn == NULL || e->fn->volatility == VOLATILITY_VOLATILE) {
            return false;
        }
        break;
    default:
        break;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (!expr_is_start_value(e->args[k], allow_correlation)) {
            return false;
        }
    }
    return e->arg == NULL || expr_is_start_value(e->arg, allow_correlation);
}

bool expr_has_columns(const Expr *e)
{
    if (e == NULL) {
        return false;
    }
    switch (e->kind) {
    case EXPR_COLUMN:
    case EXPR_CORR:
    case EXPR_PARAM:
    case EXPR_SUBLINK:
    case EXPR_AGG_CALL:
    case EXPR_WINDOW_CALL:
    case EXPR_SEQUENCE:
    case EXPR_SQL_VALUE:
        return true;
    case EXPR_FUNC:
        if (e->fn->volatility != VOLATILITY_IMMUTABLE) {
            return true;
        }
        break;
    default:
        break;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (expr_has_columns(e->args[k])) {
            return true;
        }
    }
    return false;
}

/* Evaluates a column-free expression at plan time (exec/eval.c). */
extern int eval_const_expr(const Expr *e, QueryEnv *env, Arena *a, Value *out, Error *err);

static bool all_const(const Expr *e)
{
    for (int k = 0; k < e->arg_count; k++) {
        if (e->args[k]->kind != EXPR_CONST) {
            return false;
        }
    }
    return true;
}

/* NOT pushed into its argument where PostgreSQL's negate_clause does it: a
 * comparison becomes its negator, NOT NOT x is x, AND/OR by De Morgan, IS
 * [NOT] NULL flips. These hold in three-valued logic. NULL if not possible. */
static Expr *negate(Binder *b, Expr *e)
{
    switch (e->kind) {
    case EXPR_NOT:
        return e->args[0];
    case EXPR_NULL_TEST: {
        Expr *n = arena_memdup(b->a, e, sizeof(Expr));
        if (n != NULL) {
            n->is_not = !e->is_not;
        }
        return n;
    }
    case EXPR_AND:
    case EXPR_OR: {
        Expr *n = arena_memdup(b->a, e, sizeof(Expr));
        Expr **args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(e->arg_count + 1));
        if (n == NULL || args == NULL) {
            return NULL;
        }
        n->kind = e->kind == EXPR_AND ? EXPR_OR : EXPR_AND;
        n->args = args;
        for (int k = 0; k < e->arg_count; k++) {
            Expr *neg = negate(b, e->args[k]);
            if (neg == NULL) {
                neg = expr_new(b->a, EXPR_NOT, sql_type(TYPE_BOOL), e->args[k]->location);
                if (neg == NULL || (neg->args = arena_zalloc(b->a, sizeof(Expr *))) == NULL) {
                    return NULL;
                }
                neg->args[0] = e->args[k];
                neg->arg_count = 1;
            }
            args[k] = neg;
        }
        return n;
    }
    case EXPR_FUNC: {
        if (e->fn == NULL || e->fn->negator == NULL || e->arg_count != 2 ||
            e->fn->kind != FUNC_KIND_OPERATOR_INFIX) {
            return NULL;
        }
        FuncMatch m;
        Error ignored;
        error_clear(&ignored);
        if (oper_resolve(e->fn->negator, &e->args[0]->type, e->args[1]->type, &m, &ignored) != STRATA_OK ||
            m.def->arg_types[0] != e->fn->arg_types[0] || m.def->arg_types[1] != e->fn->arg_types[1] ||
            m.def->fn == NULL) {
            return NULL;
        }
        Expr *n = arena_memdup(b->a, e, sizeof(Expr));
        if (n != NULL) {
            n->fn = m.def;
        }
        return n;
    }
    default:
        return NULL;
    }
}

/* Evaluation cost of e in operator calls, after PostgreSQL's
 * cost_qual_eval: functions and operators 1, IN lists per element, subqueries
 * expensive; columns, constants and NULL tests free. */
double expr_cost(const Expr *e)
{
    if (e == NULL) {
        return 0;
    }
    double cost = 0;
    switch (e->kind) {
    case EXPR_FUNC:
    case EXPR_DISTINCT:
    case EXPR_NULLIF:
    case EXPR_CAST:
        cost = 1;
        break;
    case EXPR_IN_LIST:
        cost = (e->arg_count - 1) * 0.5;
        break;
    case EXPR_ARRAY_OP:
        cost = 5; /* an unknown number of element comparisons */
        break;
    case EXPR_ROW_CMP:
        cost = e->arg_count / 2;
        break;
    case EXPR_SUBLINK:
        cost = 1000;
        break;
    default:
        break;
    }
    for (int k = 0; k < e->arg_count; k++) {
        cost += expr_cost(e->args[k]);
    }
    return cost + expr_cost(e->arg);
}

Expr *fold_constants(Binder *b, Expr *e)
{
    if (e == NULL || b->err->code != STRATA_OK) {
        return e;
    }
    switch (e->kind) {
    case EXPR_CONST:
    case EXPR_COLUMN:
    case EXPR_CORR:
    case EXPR_PARAM:
    case EXPR_SUBLINK:
    case EXPR_AGG_CALL:
    case EXPR_WINDOW_CALL:
    case EXPR_SEQUENCE:
    case EXPR_SQL_VALUE:
        return e;
    case EXPR_CASE: {
        int nw = (e->arg_count - (e->has_else ? 1 : 0)) / 2;
        int out_count = 0;
        Expr **args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(e->arg_count + 1));
        if (args == NULL) {
            return e;
        }
        for (int k = 0; k < nw; k++) {
            Expr *cond = fold_constants(b, e->args[2 * k]);
            if (cond->kind == EXPR_CONST && (cond->value.is_null || !cond->value.b)) {
                continue;
            }
            Expr *res = fold_constants(b, e->args[2 * k + 1]);
            if (cond->kind == EXPR_CONST && out_count == 0) {
                return res;
            }
            args[out_count++] = cond;
            args[out_count++] = res;
            if (cond->kind == EXPR_CONST) {
                Expr *n = arena_memdup(b->a, e, sizeof(Expr));
                n->args = args;
                n->arg_count = out_count;
                n->has_else = false;
                return n;
            }
        }
        Expr *els = e->has_else ? fold_constants(b, e->args[e->arg_count - 1]) : NULL;
        if (out_count == 0) {
            return els ? els : expr_const(b->a, value_null(e->type), e->location);
        }
        if (els) {
            args[out_count++] = els;
        }
        Expr *n = arena_memdup(b->a, e, sizeof(Expr));
        n->args = args;
        n->arg_count = out_count;
        return n;
    }
    case EXPR_COALESCE: {
        /* PostgreSQL: arguments after the first non-NULL constant are dropped
         * unevaluated (never folded, so `COALESCE(1, 1 / 0)` is 1); NULL
         * constants drop out. */
        int kept = 0;
        for (int k = 0; k < e->arg_count; k++) {
            Expr *a = fold_constants(b, e->args[k]);
            if (a->kind == EXPR_CONST && a->value.is_null) {
                continue;
            }
            e->args[kept++] = a;
            if (a->kind == EXPR_CONST) {
                break;
            }
        }
        if (kept == 0) {
            Expr *c = expr_const(b->a, value_null(e->type), e->location);
            return c ? c : e;
        }
        e->arg_count = kept;
        if (e->args[0]->kind == EXPR_CONST) {
            Expr *c = arena_memdup(b->a, e->args[0], sizeof(Expr));
            if (c != NULL) {
                c->type = e->type;
                c->value.type = e->type;
            }
            return c ? c : e;
        }
        return e;
    }
    default:
        break;
    }
    if (e->kind == EXPR_NOT && e->arg_count == 1 && e->args[0]->kind != EXPR_CONST) {
        Expr *neg = negate(b, e->args[0]);
        if (neg != NULL) {
            return fold_constants(b, neg);
        }
    }
    for (int k = 0; k < e->arg_count; k++) {
        e->args[k] = fold_constants(b, e->args[k]);
    }
    if (e->kind == EXPR_NOT && e->arg_count == 1 && e->args[0]->kind != EXPR_CONST) {
        Expr *neg = negate(b, e->args[0]);
        if (neg != NULL) {
            return fold_constants(b, neg);
        }
    }
    /* PostgreSQL's rule (evaluate_function): a strict function with a NULL
     * constant argument is NULL without evaluating its other arguments, even
     * when they are not constant (so `NULL = 1 / x` never divides). */
    if (e->kind == EXPR_FUNC && e->fn->strict && e->fn->set_fn == NULL) {
        for (int k = 0; k < e->arg_count; k++) {
            if (e->args[k]->kind == EXPR_CONST && e->args[k]->value.is_null) {
                Expr *c = expr_const(b->a, value_null(e->type), e->location);
                return c ? c : e;
            }
        }
    }
    if ((e->kind == EXPR_AND || e->kind == EXPR_OR) && !all_const(e)) {
        /* A constant FALSE in AND (TRUE in OR) decides; constant TRUE (FALSE)
         * arguments drop out, as PostgreSQL's simplify_and_arguments. */
        bool is_and = e->kind == EXPR_AND;
        int kept = 0;
        for (int k = 0; k < e->arg_count; k++) {
            const Expr *a = e->args[k];
            if (a->kind == EXPR_CONST && !a->value.is_null) {
                if (a->value.b != is_and) {
                    Expr *c = expr_const(b->a, value_bool(!is_and), e->location);
                    return c ? c : e;
                }
                continue;
            }
            e->args[kept++] = e->args[k];
        }
        if (kept == 1) {
            return e->args[0];
        }
        e->arg_count = kept;
        return e;
    }
    if (e->kind == EXPR_FUNC && (e->fn->volatility != VOLATILITY_IMMUTABLE || e->fn->set_fn != NULL)) {
        return e;
    }
    if (e->kind == EXPR_ROW_CMP || e->kind == EXPR_AND || e->kind == EXPR_OR) {
        if (!all_const(e)) {
            return e;
        }
    }
    if (!all_const(e) || e->type.id == TYPE_UNKNOWN) {
        return e;
    }
    Value v;
    if (eval_const_expr(e, b->env, b->a, &v, b->err) != STRATA_OK) {
        bind_error_pos(b, e->location);
        return e;
    }
    v.type = e->type;
    Expr *c = expr_const(b->a, v, e->location);
    return c ? c : e;
}
