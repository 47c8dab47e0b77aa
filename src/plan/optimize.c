/*
 * plan/optimize.c - the FROM/WHERE optimizer: splits WHERE into conjuncts,
 * pushes single-relation predicates down to their scans, turns equalities
 * between relations into hash-join keys, and orders the joins greedily by
 * estimated cardinality, never forming a cross product while a relation
 * connected to the ones already joined is available (select5-style queries
 * join dozens of tables through WHERE equalities).
 *
 * See src/plan/README.md.
 */
#include <string.h>

#include "plan/bind_int.h"
#include "storage/tam.h"

double estimate_table_rows(Binder *b, const CatTable *t)
{
    if (t->stats != NULL) {
        return t->stats->row_count > 0 ? (double)t->stats->row_count : 1;
    }
    if (t->am != NULL && t->am->stats != NULL && b->env->txn != NULL) {
        TableStats st;
        Error scratch;
        error_clear(&scratch);
        if (tam_stats(t->am, b->env->txn, &t->desc, &st, &scratch) == STRATA_OK) {
            return st.row_count > 0 ? (double)st.row_count : 1;
        }
    }
    return 1000;
}

typedef struct Conjunct {
    Expr *expr;
    int *items;      /* items referenced */
    int item_count;
    bool applied;
} Conjunct;

static int nomem(Binder *b) { return arena_error(b->a, b->err); }

static void flatten_and(Expr *e, Expr **out, int *count)
{
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->arg_count; k++) {
            flatten_and(e->args[k], out, count);
        }
        return;
    }
    out[(*count)++] = e;
}

static int count_and(const Expr *e)
{
    if (e->kind != EXPR_AND) {
        return 1;
    }
    int n = 0;
    for (int k = 0; k < e->arg_count; k++) {
        n += count_and(e->args[k]);
    }
    return n;
}

static double selectivity(const Expr *e)
{
    if (e->kind == EXPR_FUNC && e->fn && strcmp(e->fn->name, "=") == 0) {
        return 0.05;
    }
    if (e->kind == EXPR_IN_LIST) {
        return 0.1;
    }
    return 0.33;
}

/* Items whose columns e uses (scope width columns, item of each column in col_item). */
static int conjunct_items(Binder *b, const Expr *e, int width, const int *col_item, int n,
                          int **items, int *count)
{
    bool *used = arena_zalloc(b->a, (size_t)width + 1);
    bool *seen = arena_zalloc(b->a, (size_t)n + 1);
    *items = arena_zalloc(b->a, sizeof(int) * (size_t)(n + 1));
    if (used == NULL || seen == NULL || *items == NULL) {
        return nomem(b);
    }
    expr_collect_columns(e, used);
    *count = 0;
    for (int c = 0; c < width; c++) {
        if (used[c] && col_item[c] >= 0 && !seen[col_item[c]]) {
            seen[col_item[c]] = true;
            (*items)[(*count)++] = col_item[c];
        }
    }
    return STRATA_OK;
}

static bool items_subset(const int *items, int count, const bool *in_set)
{
    for (int k = 0; k < count; k++) {
        if (!in_set[items[k]]) {
            return false;
        }
    }
    return true;
}

static PlanNode *add_filter(Binder *b, PlanNode *plan, Expr *qual)
{
    if (plan->kind == PLAN_SCAN || plan->kind == PLAN_FILTER) {
        if (plan->qual == NULL) {
            plan->qual = qual;
        } else {
            Expr *and = expr_new(b->a, EXPR_AND, sql_type(TYPE_BOOL), -1);
            if (and == NULL || (and->args = arena_zalloc(b->a, sizeof(Expr *) * 2)) == NULL) {
                return NULL;
            }
            and->args[0] = plan->qual;
            and->args[1] = qual;
            and->arg_count = 2;
            plan->qual = and;
        }
        plan->est_rows *= selectivity(qual);
        if (plan->est_rows < 1) {
            plan->est_rows = 1;
        }
        return plan;
    }
    PlanNode *f = plan_node_new(b, PLAN_FILTER, plan, NULL);
    if (f == NULL) {
        return NULL;
    }
    f->qual = qual;
    f->est_rows = plan->est_rows * selectivity(qual);
    if (f->est_rows < 1) {
        f->est_rows = 1;
    }
    plan_node_set_columns(b, f, plan->column_count, plan->column_types, plan->column_names);
    return f;
}

/* Columns of e all inside the given set of items? */
static bool expr_within(Binder *b, const Expr *e, int width, const int *col_item, const bool *in_set,
                        bool *any)
{
    bool *used = arena_zalloc(b->a, (size_t)width + 1);
    if (used == NULL) {
        return false;
    }
    expr_collect_columns(e, used);
    *any = false;
    for (int c = 0; c < width; c++) {
        if (used[c]) {
            *any = true;
            if (col_item[c] < 0 || !in_set[col_item[c]]) {
                return false;
            }
        }
    }
    return true;
}

int plan_from_where(Binder *b, Scope *scope, PlanNode **items, const int *offsets, int n,
                    Expr *where, PlanNode **out, int **map_out)
{
    int width = scope->width;
    AccessRequest *request = b->access_request;
    b->access_request = NULL;
    int *col_item = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
    int *map = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
    PlanNode **plans = arena_zalloc(b->a, sizeof(PlanNode *) * (size_t)(n + 1));
    bool *joined = arena_zalloc(b->a, (size_t)n + 1);
    if (col_item == NULL || map == NULL || plans == NULL || joined == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < width; c++) {
        col_item[c] = -1;
        map[c] = -1;
    }
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < items[i]->column_count; c++) {
            col_item[offsets[i] + c] = i;
        }
        plans[i] = items[i];
    }
    /* Fold first: NOT pushed down by De Morgan can turn into an AND whose
     * parts are separate conjuncts. */
    where = where ? fold_constants(b, where) : NULL;
    int nc = where ? count_and(where) : 0;
    Expr **flat = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(nc + 1));
    Conjunct *cj = arena_zalloc(b->a, sizeof(Conjunct) * (size_t)(nc + 1));
    if (flat == NULL || cj == NULL) {
        return nomem(b);
    }
    int filled = 0;
    if (where) {
        flatten_and(where, flat, &filled);
    }
    for (int k = 0; k < nc; k++) {
        cj[k].expr = fold_constants(b, flat[k]);
        int rc = conjunct_items(b, cj[k].expr, width, col_item, n, &cj[k].items, &cj[k].item_count);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    /* Cheapest conjuncts first (stable, as PostgreSQL's order_qual_clauses),
     * so an expensive predicate that would raise an error is not reached
     * when a cheap one already rejects the row. */
    for (int k = 1; k < nc; k++) {
        Conjunct moving = cj[k];
        double cost = expr_cost(moving.expr);
        int at = k;
        while (at > 0 && expr_cost(cj[at - 1].expr) > cost) {
            cj[at] = cj[at - 1];
            at--;
        }
        cj[at] = moving;
    }
    /* A constant FALSE or NULL conjunct makes the whole WHERE false: nothing
     * below is evaluated (PostgreSQL's One-Time Filter: false). */
    bool never = false;
    for (int k = 0; k < nc; k++) {
        const Expr *e = cj[k].expr;
        if (e->kind == EXPR_CONST && (e->value.is_null || !e->value.b)) {
            never = true;
        }
    }
    if (never) {
        for (int k = 0; k < nc; k++) {
            cj[k].applied = true;
        }
    }
    /* Push single-item predicates down. */
    for (int k = 0; k < nc; k++) {
        if (cj[k].item_count != 1 || cj[k].applied) {
            continue;
        }
        int i = cj[k].items[0];
        int *local = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
        if (local == NULL) {
            return nomem(b);
        }
        for (int c = 0; c < width; c++) {
            local[c] = col_item[c] == i ? c - offsets[i] : -1;
        }
        Expr *q = expr_remap(b->a, cj[k].expr, local);
        if (q == NULL || (plans[i] = add_filter(b, plans[i], q)) == NULL) {
            return nomem(b);
        }
        cj[k].applied = true;
    }
    /* Key ranges and index scans from the pushed-down predicates. */
    for (int i = 0; i < n; i++) {
        bool is_partitioned = plans[i]->kind == PLAN_SCAN && plans[i]->table != NULL &&
                              plans[i]->table->partition_key != NULL;
        bool is_sole = n == 1 && offsets[0] == 0 && plans[0]->column_count == width;
        int rc = is_partitioned ? plan_partition_expand(b, &plans[i])
                                : plan_choose_access(b, plans[i], is_sole ? request : NULL);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    /* Greedy join order. */
    int first = 0;
    for (int i = 1; i < n; i++) {
        if (plans[i]->est_rows < plans[first]->est_rows) {
            first = i;
        }
    }
    PlanNode *cur = plans[first];
    joined[first] = true;
    int *layout = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
    int layout_count = 0;
    if (layout == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < items[first]->column_count; c++) {
        layout[layout_count++] = offsets[first] + c;
    }
    for (int step = 1; step < n; step++) {
        int pick = -1;
        bool pick_connected = false;
        for (int i = 0; i < n; i++) {
            if (joined[i]) {
                continue;
            }
            bool connected = false;
            joined[i] = true;
            for (int k = 0; k < nc && !connected; k++) {
                if (!cj[k].applied && cj[k].item_count >= 2 &&
                    items_subset(cj[k].items, cj[k].item_count, joined)) {
                    for (int m = 0; m < cj[k].item_count; m++) {
                        connected |= cj[k].items[m] == i;
                    }
                }
            }
            joined[i] = false;
            if (pick < 0 || (connected && !pick_connected) ||
                (connected == pick_connected && plans[i]->est_rows < plans[pick]->est_rows)) {
                pick = i;
                pick_connected = connected;
            }
        }
        bool *left_set = arena_memdup(b->a, joined, (size_t)n + 1);
        bool *right_set = arena_zalloc(b->a, (size_t)n + 1);
        if (left_set == NULL || right_set == NULL) {
            return nomem(b);
        }
        right_set[pick] = true;
        joined[pick] = true;
        int lw = layout_count;
        for (int c = 0; c < items[pick]->column_count; c++) {
            layout[layout_count++] = offsets[pick] + c;
        }
        int *jmap = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
        int *rmap = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
        if (jmap == NULL || rmap == NULL) {
            return nomem(b);
        }
        for (int c = 0; c < width; c++) {
            jmap[c] = -1;
            rmap[c] = -1;
        }
        for (int p = 0; p < layout_count; p++) {
            jmap[layout[p]] = p;
        }
        for (int p = lw; p < layout_count; p++) {
            rmap[layout[p]] = p - lw;
        }
        PlanNode *join = plan_node_new(b, PLAN_JOIN, cur, plans[pick]);
        if (join == NULL) {
            return nomem(b);
        }
        join->join_type = JOIN_TYPE_INNER;
        int key_cap = nc + 1;
        join->left_keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)key_cap);
        join->right_keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)key_cap);
        if (join->left_keys == NULL || join->right_keys == NULL) {
            return nomem(b);
        }
        double sel = 1;
        for (int k = 0; k < nc; k++) {
            if (cj[k].applied || !items_subset(cj[k].items, cj[k].item_count, joined)) {
                continue;
            }
            cj[k].applied = true;
            Expr *e = cj[k].expr;
            if (e->kind == EXPR_FUNC && e->arg_count == 2 && strcmp(e->fn->name, "=") == 0 &&
                e->args[0]->type.id != TYPE_JSON && e->args[1]->type.id != TYPE_JSON) {
                bool any0, any1;
                bool l0 = expr_within(b, e->args[0], width, col_item, left_set, &any0);
                bool r1 = expr_within(b, e->args[1], width, col_item, right_set, &any1);
                bool l1 = false, r0 = false, any2, any3;
                if (!(l0 && r1 && any0 && any1)) {
                    l1 = expr_within(b, e->args[1], width, col_item, left_set, &any2);
                    r0 = expr_within(b, e->args[0], width, col_item, right_set, &any3);
                    l1 = l1 && r0 && any2 && any3;
                }
                if ((l0 && r1 && any0 && any1) || l1) {
                    Expr *le = l1 ? e->args[1] : e->args[0];
                    Expr *re = l1 ? e->args[0] : e->args[1];
                    join->left_keys[join->key_count] = expr_remap(b->a, le, jmap);
                    join->right_keys[join->key_count] = expr_remap(b->a, re, rmap);
                    join->key_count++;
                    sel = 0;
                    continue;
                }
            }
            Expr *q = expr_remap(b->a, e, jmap);
            if (join->qual == NULL) {
                join->qual = q;
            } else {
                Expr *and = expr_new(b->a, EXPR_AND, sql_type(TYPE_BOOL), -1);
                and->args = arena_zalloc(b->a, sizeof(Expr *) * 2);
                and->args[0] = join->qual;
                and->args[1] = q;
                and->arg_count = 2;
                join->qual = and;
            }
            if (sel > 0) {
                sel *= 0.33;
            }
        }
        double l = cur->est_rows, r = plans[pick]->est_rows;
        join->est_rows = sel == 0 ? (l > r ? l : r) : l * r * sel;
        if (join->est_rows < 1) {
            join->est_rows = 1;
        }
        SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(layout_count + 1));
        const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(layout_count + 1));
        if (types == NULL || names == NULL) {
            return nomem(b);
        }
        for (int p = 0; p < layout_count; p++) {
            types[p] = scope->types[layout[p]];
            names[p] = p < lw ? cur->column_names[p] : plans[pick]->column_names[p - lw];
        }
        plan_node_set_columns(b, join, layout_count, types, names);
        cur = join;
    }
    for (int p = 0; p < layout_count; p++) {
        map[layout[p]] = p;
    }
    /* Whatever is left (constant or correlation-only predicates) filters the result. */
    for (int k = 0; k < nc; k++) {
        if (cj[k].applied) {
            continue;
        }
        Expr *q = expr_remap(b->a, cj[k].expr, map);
        if (q == NULL || (cur = add_filter(b, cur, q)) == NULL) {
            return nomem(b);
        }
    }
    if (never) {
        PlanNode *lim = plan_node_new(b, PLAN_LIMIT, cur, NULL);
        if (lim == NULL || (lim->limit_count = expr_const(b->a, value_i64(TYPE_INT8, 0), -1)) == NULL) {
            return nomem(b);
        }
        lim->est_rows = 1;
        plan_node_set_columns(b, lim, cur->column_count, cur->column_types, cur->column_names);
        cur = lim;
    }
    *out = cur;
    *map_out = map;
    return b->err->code;
}
