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

#include "plan/estimate_int.h"
#include "plan/optimize_int.h"
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
    /* join order (conjunct_selectivities): fraction of the cross product of
     * its items it keeps; is_equi: left = right with each side over items of
     * its own (masks over the first 32 items: mask, side_masks) */
    double sel;
    bool is_equi;
    uint32_t mask;
    uint32_t side_masks[2];
    /* an equality between two single items: each side over its item's own
     * columns (index nested loops look the other side's values up) */
    Expr *local[2];
    int local_item[2];
} Conjunct;

/* Bushy dynamic programming over subsets up to this many FROM items (3^n
 * subset pairs: 59049 at 10); greedy beyond. */
enum { JOIN_DP_ITEMS_MAX = 10 };

/* A joined set of FROM items. */
typedef struct Rel {
    PlanNode *plan;
    int *layout;        /* wide columns in the plan's output order */
    int layout_count;
    bool *set;          /* n + 1 entries: the items it holds */
} Rel;

typedef struct JoinCtx {
    Binder *b;
    Scope *scope;
    PlanNode **items;   /* the FROM items as bound (column counts) */
    const int *offsets;
    int n;
    int width;
    const int *col_item;
    Conjunct *cj;
    int nc;
    PlanNode **plans;   /* the items after pushdown and access paths */
    NestLoopInner **inner; /* per item: its index paths as a nested loop's inner side */
} JoinCtx;

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

/* qual AND more, flat (so that estimate.c sees both bounds of a range). */
static Expr *and_append(Binder *b, Expr *qual, Expr *more)
{
    if (qual == NULL) {
        return more;
    }
    int count = qual->kind == EXPR_AND ? qual->arg_count : 1;
    Expr *and = expr_new(b->a, EXPR_AND, sql_type(TYPE_BOOL), -1);
    if (and == NULL ||
        (and->args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count + 1))) == NULL) {
        return NULL;
    }
    for (int k = 0; k < count; k++) {
        and->args[k] = qual->kind == EXPR_AND ? qual->args[k] : qual;
    }
    and->args[count] = more;
    and->arg_count = count + 1;
    return and;
}

static PlanNode *add_filter(Binder *b, PlanNode *plan, Expr *qual)
{
    if (plan->kind == PLAN_SCAN || plan->kind == PLAN_INDEX_SCAN || plan->kind == PLAN_FILTER) {
        if ((plan->qual = and_append(b, plan->qual, qual)) == NULL) {
            return NULL;
        }
        /* The whole qual again: its conjuncts are not all independent. */
        if (plan->kind == PLAN_SCAN && plan->table != NULL) {
            plan->est_rows =
                estimate_table_rows(b, plan->table) * estimate_qual_sel(plan, plan->qual);
        } else if (plan->kind == PLAN_FILTER) {
            plan->est_rows = plan->left->est_rows * estimate_qual_sel(plan->left, plan->qual);
        } else {
            plan->est_rows *= estimate_qual_sel(plan, qual);
        }
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
    f->est_rows = plan->est_rows * estimate_qual_sel(plan, qual);
    if (f->est_rows < 1) {
        f->est_rows = 1;
    }
    plan_node_set_columns(b, f, plan->column_count, plan->column_types, plan->column_names);
    return f;
}

/* The LEFT JOIN under item's filters, NULL when item is something else. */
static PlanNode *left_join_of(PlanNode *item)
{
    while (item->kind == PLAN_FILTER) {
        item = item->left; /* conjuncts over the right side pushed before */
    }
    return item->kind == PLAN_JOIN && item->join_type == JOIN_TYPE_LEFT ? item : NULL;
}

/* A LEFT JOIN item keeps every row of its left input once or more: a WHERE
 * conjunct q over the left input's columns only filters that input instead
 * (PostgreSQL does the same). *pushed = false: q reads the right side, or
 * the item is something else. left_join_access then chooses the input's
 * access path once all conjuncts are there. */
static int push_below_left_join(Binder *b, PlanNode *item, Expr *q, bool *pushed)
{
    *pushed = false;
    PlanNode *join = left_join_of(item);
    if (join == NULL) {
        return STRATA_OK;
    }
    bool *used = arena_zalloc(b->a, (size_t)join->column_count + 1);
    if (used == NULL) {
        return nomem(b);
    }
    expr_collect_columns(q, used);
    for (int c = join->left->column_count; c < join->column_count; c++) {
        if (used[c]) {
            return STRATA_OK;
        }
    }
    if ((join->left = add_filter(b, join->left, q)) == NULL) {
        return nomem(b);
    }
    *pushed = true;
    return STRATA_OK;
}

/* After push_below_left_join: the left input's access path, the join's (and
 * its filters') estimates scaled by what the left input lost
 * (left_rows_before), and whether an index nested loop into the right side
 * pays now. */
static int left_join_access(Binder *b, PlanNode *item, double left_rows_before)
{
    PlanNode *join = left_join_of(item);
    PlanNode *left = join->left;
    if (left->kind == PLAN_SCAN && !left->scan_on_key && left->index == NULL &&
        left->table != NULL && left->table->partition_key == NULL) {
        int rc = plan_choose_access(b, left, NULL);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    double shrink = left_rows_before > 0 ? left->est_rows / left_rows_before : 1;
    for (PlanNode *p = item;; p = p->left) {
        p->est_rows = p->est_rows * shrink < 1 ? 1 : p->est_rows * shrink;
        if (p == join) {
            break;
        }
    }
    return join->nestloop ? STRATA_OK : plan_nestloop_try(b, join, false);
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

/* ---- join order ---------------------------------------------------------------------------- */

static Expr **cj_exprs(Binder *b, const Conjunct *cj, int nc)
{
    Expr **out = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(nc + 1));
    for (int k = 0; out != NULL && k < nc; k++) {
        out[k] = cj[k].applied ? NULL : cj[k].expr;
    }
    return out;
}

/* The one item all columns of e belong to, -1 for none or several. */
static int single_item(JoinCtx *ctx, const Expr *e)
{
    int *items, count;
    if (conjunct_items(ctx->b, e, ctx->width, ctx->col_item, ctx->n, &items, &count) != STRATA_OK) {
        return -1;
    }
    return count == 1 ? items[0] : -1;
}

static uint32_t items_mask(JoinCtx *ctx, const Expr *e)
{
    int *items, count;
    uint32_t mask = 0;
    if (conjunct_items(ctx->b, e, ctx->width, ctx->col_item, ctx->n, &items, &count) == STRATA_OK) {
        for (int k = 0; k < count; k++) {
            mask |= items[k] < 32 ? 1u << items[k] : 0;
        }
    }
    return mask;
}

/* e (over the wide row, within item i) over item i's own columns. */
static Expr *local_expr(JoinCtx *ctx, const Expr *e, int i)
{
    int *local = arena_zalloc(ctx->b->a, sizeof(int) * (size_t)(ctx->width + 1));
    if (local == NULL) {
        return NULL;
    }
    for (int c = 0; c < ctx->width; c++) {
        local[c] = ctx->col_item[c] == i ? c - ctx->offsets[i] : -1;
    }
    return expr_remap(ctx->b->a, e, local);
}

static bool is_hashable_equality(const Expr *e)
{
    return e->kind == EXPR_FUNC && e->arg_count == 2 && strcmp(e->fn->name, "=") == 0 &&
           e->args[0]->type.id != TYPE_JSON && e->args[1]->type.id != TYPE_JSON;
}

/* Selectivity of every join conjunct (estimate.c), and the masks the
 * dynamic programming tests. */
static void conjunct_selectivities(JoinCtx *ctx)
{
    for (int k = 0; k < ctx->nc; k++) {
        Conjunct *c = &ctx->cj[k];
        c->mask = 0;
        for (int m = 0; m < c->item_count; m++) {
            c->mask |= c->items[m] < 32 ? 1u << c->items[m] : 0;
        }
        c->sel = DEFAULT_INEQ_SEL;
        c->is_equi = false;
        if (c->applied || c->item_count < 2 || !is_hashable_equality(c->expr)) {
            continue;
        }
        c->sel = DEFAULT_EQ_SEL;
        c->side_masks[0] = items_mask(ctx, c->expr->args[0]);
        c->side_masks[1] = items_mask(ctx, c->expr->args[1]);
        c->is_equi = c->side_masks[0] != 0 && c->side_masks[1] != 0 &&
                     (c->side_masks[0] & c->side_masks[1]) == 0;
        int i0 = single_item(ctx, c->expr->args[0]), i1 = single_item(ctx, c->expr->args[1]);
        if (i0 >= 0 && i1 >= 0 && i0 != i1) {
            Expr *l = local_expr(ctx, c->expr->args[0], i0);
            Expr *r = local_expr(ctx, c->expr->args[1], i1);
            if (l != NULL && r != NULL) {
                c->sel = estimate_join_eq_sel(ctx->plans[i0], l, ctx->plans[i1], r);
                c->local[0] = l;
                c->local[1] = r;
                c->local_item[0] = i0;
                c->local_item[1] = i1;
            }
        }
    }
}

static int single_rel(JoinCtx *ctx, int i, Rel *out)
{
    Binder *b = ctx->b;
    out->plan = ctx->plans[i];
    out->layout_count = ctx->items[i]->column_count;
    out->layout = arena_zalloc(b->a, sizeof(int) * (size_t)(out->layout_count + 1));
    out->set = arena_zalloc(b->a, (size_t)ctx->n + 1);
    if (out->layout == NULL || out->set == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < out->layout_count; c++) {
        out->layout[c] = ctx->offsets[i] + c;
    }
    out->set[i] = true;
    return STRATA_OK;
}

static int add_join_qual(Binder *b, PlanNode *join, Expr *q)
{
    if (q == NULL) {
        return nomem(b);
    }
    if (join->qual == NULL) {
        join->qual = q;
        return STRATA_OK;
    }
    Expr *and = expr_new(b->a, EXPR_AND, sql_type(TYPE_BOOL), -1);
    if (and == NULL || (and->args = arena_zalloc(b->a, sizeof(Expr *) * 2)) == NULL) {
        return nomem(b);
    }
    and->args[0] = join->qual;
    and->args[1] = q;
    and->arg_count = 2;
    join->qual = and;
    return STRATA_OK;
}

/* Conjunct e as a hash key of l (probe) against r (build): stores both
 * sides and returns true when each side reads only one input. */
static bool add_hash_key(JoinCtx *ctx, PlanNode *join, const Rel *l, const Rel *r, const Expr *e,
                         const int *jmap, const int *rmap)
{
    if (!is_hashable_equality(e)) {
        return false;
    }
    Binder *b = ctx->b;
    for (int side = 0; side < 2; side++) {
        bool any_l, any_r;
        bool in_l = expr_within(b, e->args[side], ctx->width, ctx->col_item, l->set, &any_l);
        bool in_r = expr_within(b, e->args[1 - side], ctx->width, ctx->col_item, r->set, &any_r);
        if (in_l && in_r && any_l && any_r) {
            join->left_keys[join->key_count] = expr_remap(b->a, e->args[side], jmap);
            join->right_keys[join->key_count] = expr_remap(b->a, e->args[1 - side], rmap);
            join->key_count++;
            return true;
        }
    }
    return false;
}

/* l JOIN r (r the hashed side) with every conjunct not applied yet whose
 * items both hold; estimated rows = |l| * |r| * their selectivities. */
static int join_rels(JoinCtx *ctx, const Rel *l, const Rel *r, Rel *out)
{
    Binder *b = ctx->b;
    int n = ctx->n, width = ctx->width;
    out->set = arena_zalloc(b->a, (size_t)n + 1);
    out->layout_count = l->layout_count + r->layout_count;
    out->layout = arena_zalloc(b->a, sizeof(int) * (size_t)(out->layout_count + 1));
    int *jmap = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
    int *rmap = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
    PlanNode *join = plan_node_new(b, PLAN_JOIN, l->plan, r->plan);
    if (out->set == NULL || out->layout == NULL || jmap == NULL || rmap == NULL || join == NULL) {
        return nomem(b);
    }
    for (int i = 0; i < n; i++) {
        out->set[i] = l->set[i] || r->set[i];
    }
    for (int c = 0; c < width; c++) {
        jmap[c] = -1;
        rmap[c] = -1;
    }
    for (int p = 0; p < out->layout_count; p++) {
        out->layout[p] = p < l->layout_count ? l->layout[p] : r->layout[p - l->layout_count];
        jmap[out->layout[p]] = p;
        if (p >= l->layout_count) {
            rmap[out->layout[p]] = p - l->layout_count;
        }
    }
    join->join_type = JOIN_TYPE_INNER;
    join->left_keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(ctx->nc + 1));
    join->right_keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(ctx->nc + 1));
    if (join->left_keys == NULL || join->right_keys == NULL) {
        return nomem(b);
    }
    double rows = l->plan->est_rows * r->plan->est_rows;
    for (int k = 0; k < ctx->nc; k++) {
        Conjunct *c = &ctx->cj[k];
        if (c->applied || !items_subset(c->items, c->item_count, out->set)) {
            continue;
        }
        c->applied = true;
        rows *= c->item_count >= 2 ? c->sel : 1;
        if (!add_hash_key(ctx, join, l, r, c->expr, jmap, rmap)) {
            int rc = add_join_qual(b, join, expr_remap(b->a, c->expr, jmap));
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    join->est_rows = rows < 1 ? 1 : rows;
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(out->layout_count + 1));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(out->layout_count + 1));
    if (types == NULL || names == NULL) {
        return nomem(b);
    }
    for (int p = 0; p < out->layout_count; p++) {
        types[p] = ctx->scope->types[out->layout[p]];
        names[p] = p < l->layout_count ? l->plan->column_names[p]
                                       : r->plan->column_names[p - l->layout_count];
    }
    plan_node_set_columns(b, join, out->layout_count, types, names);
    out->plan = join;
    return STRATA_OK;
}

/* The original order: start from the smallest item, then add the connected
 * item with the fewest estimated rows (a cross product only when no item is
 * connected). Used beyond JOIN_DP_ITEMS_MAX items. */
static int join_order_greedy(JoinCtx *ctx, Rel *out)
{
    int n = ctx->n, first = 0;
    for (int i = 1; i < n; i++) {
        if (ctx->plans[i]->est_rows < ctx->plans[first]->est_rows) {
            first = i;
        }
    }
    int rc = single_rel(ctx, first, out);
    for (int step = 1; step < n && rc == STRATA_OK; step++) {
        int pick = -1;
        bool pick_connected = false;
        for (int i = 0; i < n; i++) {
            if (out->set[i]) {
                continue;
            }
            bool connected = false;
            out->set[i] = true;
            for (int k = 0; k < ctx->nc && !connected; k++) {
                const Conjunct *c = &ctx->cj[k];
                if (!c->applied && c->item_count >= 2 &&
                    items_subset(c->items, c->item_count, out->set)) {
                    for (int m = 0; m < c->item_count; m++) {
                        connected |= c->items[m] == i;
                    }
                }
            }
            out->set[i] = false;
            if (pick < 0 || (connected && !pick_connected) ||
                (connected == pick_connected &&
                 ctx->plans[i]->est_rows < ctx->plans[pick]->est_rows)) {
                pick = i;
                pick_connected = connected;
            }
        }
        Rel right, joined;
        if ((rc = single_rel(ctx, pick, &right)) == STRATA_OK &&
            (rc = join_rels(ctx, out, &right, &joined)) == STRATA_OK &&
            (rc = plan_nestloop_try(ctx->b, joined.plan, false)) == STRATA_OK) {
            *out = joined;
        }
    }
    return rc;
}

/* Costs in row units: a hash join reads its probe side once, hashes its
 * build side (costlier per row: copied and inserted) and emits its result;
 * a join without an equality compares every pair. */
static double join_cost(double left_rows, double right_rows, double out_rows, bool hashed)
{
    if (hashed) {
        return left_rows + 2.0 * right_rows + 0.2 * out_rows;
    }
    return 0.5 * left_rows * right_rows + right_rows + 0.2 * out_rows;
}

typedef struct DpTable {
    double *rows;
    double *cost;
    uint32_t *split;    /* the left (probe) subset of the best join */
    bool *nestloop;     /* the best join is an index nested loop into one item */
    uint32_t *component; /* per item: its connected component's items */
} DpTable;

static void dp_components(JoinCtx *ctx, DpTable *t)
{
    for (int i = 0; i < ctx->n; i++) {
        t->component[i] = 1u << i;
    }
    bool changed = true;
    while (changed) {
        changed = false;
        for (int k = 0; k < ctx->nc; k++) {
            const Conjunct *c = &ctx->cj[k];
            if (c->applied || c->item_count < 2) {
                continue;
            }
            uint32_t all = c->mask;
            for (int i = 0; i < ctx->n; i++) {
                all |= (c->mask >> i) & 1 ? t->component[i] : 0;
            }
            for (int i = 0; i < ctx->n; i++) {
                if (((all >> i) & 1) && t->component[i] != all) {
                    t->component[i] = all;
                    changed = true;
                }
            }
        }
    }
}

static uint32_t components_of(const DpTable *t, uint32_t set, int n)
{
    uint32_t all = 0;
    for (int i = 0; i < n; i++) {
        all |= (set >> i) & 1 ? t->component[i] : 0;
    }
    return all;
}

/* The cost per row of set l of an index nested loop into item i through
 * the equalities between them, -1 when none fits an index of i. */
static double nestloop_split_cost(JoinCtx *ctx, uint32_t l, int i)
{
    enum { TERMS_MAX = 8 };
    if (ctx->inner[i] == NULL || ctx->b->env->no_nestloop) {
        return -1;
    }
    Expr *inner[TERMS_MAX];
    SqlType outer_types[TERMS_MAX];
    int count = 0;
    for (int k = 0; k < ctx->nc && count < TERMS_MAX; k++) {
        const Conjunct *c = &ctx->cj[k];
        if (c->applied || !c->is_equi || c->local[0] == NULL) {
            continue;
        }
        for (int side = 0; side < 2; side++) {
            uint32_t other = c->side_masks[1 - side];
            if (c->local_item[side] == i && (other & ~l) == 0 && count < TERMS_MAX) {
                inner[count] = c->local[side];
                outer_types[count] = c->expr->args[1 - side]->type;
                count++;
            }
        }
    }
    return count > 0 ? nestloop_lookup_cost(ctx->inner[i], inner, outer_types, count) : -1;
}

/* Best way to join l and r as the two inputs of set s = l | r. */
static void dp_consider(JoinCtx *ctx, DpTable *t, uint32_t s, uint32_t l)
{
    uint32_t r = s ^ l;
    bool connected = false, hashed = false;
    for (int k = 0; k < ctx->nc; k++) {
        const Conjunct *c = &ctx->cj[k];
        if (c->applied || c->item_count < 2 || (c->mask & s) != c->mask || !(c->mask & l) ||
            !(c->mask & r)) {
            continue;
        }
        connected = true;
        hashed |= c->is_equi && (((c->side_masks[0] & ~l) == 0 && (c->side_masks[1] & ~r) == 0) ||
                                 ((c->side_masks[0] & ~r) == 0 && (c->side_masks[1] & ~l) == 0));
    }
    if (!connected && (components_of(t, l, ctx->n) & components_of(t, r, ctx->n)) != 0) {
        return; /* no cross product inside a connected component */
    }
    double cost = t->cost[l] + t->cost[r] + join_cost(t->rows[l], t->rows[r], t->rows[s], hashed);
    if (hashed && ctx->b->env->no_hashjoin) {
        cost += 1e10; /* PostgreSQL's disable_cost */
    }
    if (cost < t->cost[s]) {
        t->cost[s] = cost;
        t->split[s] = l;
        t->nestloop[s] = false;
    }
    double per_row = (r & (r - 1)) == 0 ? nestloop_split_cost(ctx, l, __builtin_ctz(r)) : -1;
    if (per_row >= 0) {
        cost = t->cost[l] + t->rows[l] * per_row + 0.2 * t->rows[s];
        if (cost < t->cost[s]) {
            t->cost[s] = cost;
            t->split[s] = l;
            t->nestloop[s] = true;
        }
    }
}

static int dp_build(JoinCtx *ctx, const DpTable *t, uint32_t s, Rel *out)
{
    if ((s & (s - 1)) == 0) {
        return single_rel(ctx, __builtin_ctz(s), out);
    }
    Rel l, r;
    int rc = dp_build(ctx, t, t->split[s], &l);
    if (rc == STRATA_OK) {
        rc = dp_build(ctx, t, s ^ t->split[s], &r);
    }
    if (rc == STRATA_OK) {
        rc = join_rels(ctx, &l, &r, out);
    }
    return rc == STRATA_OK && t->nestloop[s] ? plan_nestloop_try(ctx->b, out->plan, true) : rc;
}

/* Dynamic programming over the subsets of the items (Selinger's, bushy):
 * the cheapest plan of each set from the cheapest plans of each split into
 * two sets, cross products only between unconnected components. Sets out
 * ->plan NULL when no plan joins every item (a conjunct over three items
 * and no pairwise one): the caller goes greedy. */
static int join_order_dp(JoinCtx *ctx, Rel *out)
{
    Binder *b = ctx->b;
    int n = ctx->n;
    size_t count = (size_t)1 << n;
    DpTable t = {
        .rows = arena_alloc(b->a, sizeof(double) * count),
        .cost = arena_alloc(b->a, sizeof(double) * count),
        .split = arena_zalloc(b->a, sizeof(uint32_t) * count),
        .nestloop = arena_zalloc(b->a, sizeof(bool) * count),
        .component = arena_zalloc(b->a, sizeof(uint32_t) * (size_t)(n + 1)),
    };
    if (t.rows == NULL || t.cost == NULL || t.split == NULL || t.component == NULL ||
        t.nestloop == NULL) {
        return nomem(b);
    }
    dp_components(ctx, &t);
    for (uint32_t s = 1; s < count; s++) {
        uint32_t low = s & (~s + 1);
        int i = __builtin_ctz(s);
        double base = ctx->plans[i]->est_rows < 1 ? 1 : ctx->plans[i]->est_rows;
        t.cost[s] = 1e300;
        if (s == low) {
            /* Reading the item (a constant in every plan, except that an
             * index nested loop into it saves its scan). */
            t.rows[s] = base;
            t.cost[s] = nestloop_scan_cost(b, ctx->plans[i]);
            continue;
        }
        double rows = t.rows[s ^ low] * base;
        for (int k = 0; k < ctx->nc; k++) {
            const Conjunct *c = &ctx->cj[k];
            if (!c->applied && c->item_count >= 2 && (c->mask & s) == c->mask && (c->mask & low)) {
                rows *= c->sel;
            }
        }
        t.rows[s] = rows < 1 ? 1 : rows;
        for (uint32_t l = (s - 1) & s; l > 0; l = (l - 1) & s) {
            if (t.cost[l] < 1e300 && t.cost[s ^ l] < 1e300) {
                dp_consider(ctx, &t, s, l);
            }
        }
    }
    out->plan = NULL;
    return t.cost[count - 1] < 1e300 ? dp_build(ctx, &t, (uint32_t)(count - 1), out) : STRATA_OK;
}

/* ---- semi and anti joins -------------------------------------------------------------------- */

static PlanNode *semi_node(Binder *b, const SemiJoin *sj, PlanNode *left, Expr **left_keys)
{
    PlanNode *join = plan_node_new(b, PLAN_JOIN, left, sj->inner);
    if (join == NULL) {
        return NULL;
    }
    join->join_type = sj->type;
    join->null_aware_anti = sj->null_aware;
    join->left_keys = left_keys;
    join->right_keys = sj->inner_keys;
    join->key_count = sj->key_count;
    /* PostgreSQL's semi join estimate: a left row matches when its key is
     * among the inner side's distinct keys. */
    double matched = 1;
    for (int k = 0; k < sj->key_count; k++) {
        double inner = estimate_distinct(sj->inner, sj->inner_keys[k]);
        double outer = estimate_distinct(left, left_keys[k]);
        matched *= inner < outer ? inner / outer : 1;
    }
    double frac = sj->type == JOIN_TYPE_SEMI ? matched : 1 - matched;
    join->est_rows = left->est_rows * frac < 1 ? 1 : left->est_rows * frac;
    plan_node_set_columns(b, join, left->column_count, left->column_types, left->column_names);
    return plan_nestloop_try(b, join, false) == STRATA_OK ? join : NULL;
}

/* An index lookup per outer row (the SubPlan, PostgreSQL's parameterized
 * nested loop) against hashing the whole inner side once. */
static bool keep_subplan(const SemiJoin *sj, const PlanNode *outer)
{
    return sj->lookup_cost > 0 &&
           outer->est_rows * sj->lookup_cost < outer->est_rows + 2.0 * sj->inner->est_rows;
}

/* Places sj on its FROM item when its outer keys read only that item
 * (or keeps its SubPlan there, as a filter, when that is cheaper). */
static int semi_on_item(JoinCtx *ctx, SemiJoin *sj)
{
    /* The whole conjunct (every correlation value, used or not) on one item:
     * the outer keys, a subset of its columns, are then on it too. */
    const Conjunct *c = &ctx->cj[sj->conjunct];
    if (c->item_count != 1) {
        return STRATA_OK;
    }
    int item = c->items[0];
    Expr **keys = arena_zalloc(ctx->b->a, sizeof(Expr *) * (size_t)(sj->key_count + 1));
    if (keys == NULL) {
        return nomem(ctx->b);
    }
    for (int k = 0; k < sj->key_count; k++) {
        if ((keys[k] = local_expr(ctx, sj->outer_keys[k], item)) == NULL) {
            return nomem(ctx->b);
        }
    }
    if (keep_subplan(sj, ctx->plans[item])) {
        int k = sj->conjunct;
        Expr *q = local_expr(ctx, ctx->cj[k].expr, item);
        ctx->cj[k].applied = true;
        sj->done = true;
        return q == NULL || (ctx->plans[item] = add_filter(ctx->b, ctx->plans[item], q)) == NULL
                   ? nomem(ctx->b) : STRATA_OK;
    }
    PlanNode *join = semi_node(ctx->b, sj, ctx->plans[item], keys);
    if (join == NULL) {
        return nomem(ctx->b);
    }
    ctx->plans[item] = join;
    sj->done = true;
    return STRATA_OK;
}

/* sj on top of the joined items (wide column -> output position map). */
static PlanNode *semi_join(JoinCtx *ctx, const SemiJoin *sj, PlanNode *cur, const int *map)
{
    Expr **keys = arena_zalloc(ctx->b->a, sizeof(Expr *) * (size_t)(sj->key_count + 1));
    for (int k = 0; keys != NULL && k < sj->key_count; k++) {
        if ((keys[k] = expr_remap(ctx->b->a, sj->outer_keys[k], map)) == NULL) {
            return NULL;
        }
    }
    return keys == NULL ? NULL : semi_node(ctx->b, sj, cur, keys);
}

/* cur LEFT JOIN gj's groups, then the conjunct with the subquery's value
 * read from the joined group, then cur's columns alone again. */
static int group_join(JoinCtx *ctx, const GroupJoin *gj, const int *map, PlanNode **cur)
{
    Binder *b = ctx->b;
    PlanNode *left = *cur, *inner = gj->inner;
    int lw = left->column_count, width = ctx->width;
    int *wide_map = arena_zalloc(b->a, sizeof(int) * (size_t)(width + inner->column_count + 1));
    int *shift = arena_zalloc(b->a, sizeof(int) * (size_t)(inner->column_count + 1));
    Expr **cols = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(lw + 1));
    PlanNode *join = plan_node_new(b, PLAN_JOIN, left, inner);
    if (wide_map == NULL || shift == NULL || cols == NULL || join == NULL) {
        return nomem(b);
    }
    memcpy(wide_map, map, sizeof(int) * (size_t)width);
    for (int c = 0; c < inner->column_count; c++) {
        wide_map[width + c] = lw + c;
        shift[c] = width + c;
    }
    join->join_type = JOIN_TYPE_LEFT;
    join->key_count = gj->key_count;
    join->left_keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)gj->key_count);
    join->right_keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)gj->key_count);
    for (int k = 0; join->left_keys != NULL && join->right_keys != NULL && k < gj->key_count; k++) {
        join->left_keys[k] = expr_remap(b->a, gj->outer_keys[k], map);
        join->right_keys[k] = expr_column(b->a, k, inner->column_types[k]);
    }
    join->est_rows = left->est_rows;
    size_t joined_count = (size_t)(lw + inner->column_count + 1);
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * joined_count);
    const char **names = arena_zalloc(b->a, sizeof(char *) * joined_count);
    if (join->left_keys == NULL || join->right_keys == NULL || types == NULL || names == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < lw + inner->column_count; c++) {
        types[c] = c < lw ? left->column_types[c] : inner->column_types[c - lw];
        names[c] = c < lw ? left->column_names[c] : inner->column_names[c - lw];
    }
    plan_node_set_columns(b, join, lw + inner->column_count, types, names);
    /* The value over wide columns past the FROM items' (width + inner column). */
    Expr *value = expr_remap(b->a, gj->value, shift);
    Expr *wide = value != NULL ? plan_replace_sublink(b->a, ctx->cj[gj->conjunct].expr, gj->sub,
                                                      value)
                               : NULL;
    Expr *qual = wide != NULL ? expr_remap(b->a, wide, wide_map) : NULL;
    PlanNode *filtered = qual != NULL ? add_filter(b, join, qual) : NULL;
    for (int c = 0; filtered != NULL && c < lw; c++) {
        if ((cols[c] = expr_column(b->a, c, left->column_types[c])) == NULL) {
            return nomem(b);
        }
    }
    *cur = filtered != NULL ? plan_project(b, filtered, cols, lw, left->column_names) : NULL;
    return *cur != NULL ? STRATA_OK : nomem(b);
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
    if (col_item == NULL || map == NULL || plans == NULL) {
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
    /* Decorrelated IN / EXISTS subqueries (decorrelate.c) become semi and anti
     * joins instead of per-row SubPlans. */
    SemiJoin *semis = NULL;
    int semi_count = 0;
    int rc = plan_decorrelate(b, cj_exprs(b, cj, nc), nc, &semis, &semi_count);
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int s = 0; s < semi_count; s++) {
        cj[semis[s].conjunct].applied = true;
    }
    GroupJoin *groups = NULL;
    int group_count = 0;
    rc = plan_decorrelate_scalar(b, cj_exprs(b, cj, nc), nc, &groups, &group_count);
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int g = 0; g < group_count; g++) {
        cj[groups[g].conjunct].applied = true;
    }
    /* Push single-item predicates down. */
    double *left_rows = arena_zalloc(b->a, sizeof(double) * (size_t)(n + 1));
    if (left_rows == NULL) {
        return nomem(b);
    }
    for (int i = 0; i < n; i++) {
        PlanNode *join = left_join_of(plans[i]);
        left_rows[i] = join != NULL ? join->left->est_rows : -1;
    }
    bool *pushed_left = arena_zalloc(b->a, (size_t)n + 1);
    if (pushed_left == NULL) {
        return nomem(b);
    }
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
        bool pushed = false;
        if (q == NULL || (rc = push_below_left_join(b, plans[i], q, &pushed)) != STRATA_OK) {
            return q == NULL ? nomem(b) : rc;
        }
        if (!pushed && (plans[i] = add_filter(b, plans[i], q)) == NULL) {
            return nomem(b);
        }
        pushed_left[i] |= pushed;
        cj[k].applied = true;
    }
    for (int i = 0; i < n; i++) {
        if (pushed_left[i] && (rc = left_join_access(b, plans[i], left_rows[i])) != STRATA_OK) {
            return rc;
        }
    }
    /* Key ranges and index scans from the pushed-down predicates. */
    for (int i = 0; i < n; i++) {
        bool is_partitioned = plans[i]->kind == PLAN_SCAN && plans[i]->table != NULL &&
                              plans[i]->table->partition_key != NULL;
        /* The SELECT's request (its ORDER BY, LIMIT and read columns) describes this
         * scan only when no decorrelated subquery joins it: a semi join or grouped
         * join reads columns the request does not list. */
        bool is_sole = n == 1 && offsets[0] == 0 && plans[0]->column_count == width &&
                       semi_count == 0 && group_count == 0;
        rc = is_partitioned ? plan_partition_expand(b, &plans[i])
                                : plan_choose_access(b, plans[i], is_sole ? request : NULL);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    /* Semi and anti joins go on their one item before the join order is
     * chosen, when their outer side reads only that item, else on top. */
    JoinCtx ctx = {.b = b, .scope = scope, .items = items, .offsets = offsets, .n = n,
                   .width = width, .col_item = col_item, .cj = cj, .nc = nc, .plans = plans};
    for (int s = 0; s < semi_count; s++) {
        if ((rc = semi_on_item(&ctx, &semis[s])) != STRATA_OK) {
            return rc;
        }
    }
    conjunct_selectivities(&ctx);
    if ((ctx.inner = arena_zalloc(b->a, sizeof(NestLoopInner *) * (size_t)(n + 1))) == NULL) {
        return nomem(b);
    }
    for (int i = 0; i < n && n > 1; i++) {
        ctx.inner[i] = nestloop_inner_prepare(b, plans[i]);
    }
    Rel top;
    top.plan = NULL;
    rc = n > 1 && n <= JOIN_DP_ITEMS_MAX ? join_order_dp(&ctx, &top) : STRATA_OK;
    if (rc == STRATA_OK && top.plan == NULL) {
        rc = join_order_greedy(&ctx, &top);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    PlanNode *cur = top.plan;
    for (int p = 0; p < top.layout_count; p++) {
        map[top.layout[p]] = p;
    }
    for (int s = 0; s < semi_count; s++) {
        if (!semis[s].done && keep_subplan(&semis[s], cur)) {
            cj[semis[s].conjunct].applied = false; /* a filter below */
        } else if (!semis[s].done && (cur = semi_join(&ctx, &semis[s], cur, map)) == NULL) {
            return nomem(b);
        }
    }
    for (int g = 0; g < group_count; g++) {
        const GroupJoin *gj = &groups[g];
        if (gj->lookup_cost > 0 &&
            cur->est_rows * gj->lookup_cost < cur->est_rows + 2.0 * gj->inner->left->est_rows) {
            cj[gj->conjunct].applied = false; /* the SubPlan's lookups: a filter below */
        } else if ((rc = group_join(&ctx, gj, map, &cur)) != STRATA_OK) {
            return rc;
        }
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
