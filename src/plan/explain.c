/*
 * plan/explain.c - EXPLAIN text of a plan tree, in PostgreSQL's shape
 * without costs: "Seq Scan on t  (rows=N)", "Hash Join", "  Hash Cond: ...";
 * or, for EXPLAIN (FORMAT JSON | YAML | XML), the same walk into explain_doc.c's document.
 *
 * See src/plan/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "plan/explain_doc.h"
#include "plan/plan_int.h"

typedef struct Lines {
    const char **items;
    int count;
    int capacity;
    Arena *a;
} Lines;

static int lines_add(Lines *l, const char *text)
{
    if (l->count == l->capacity) {
        int cap = l->capacity ? l->capacity * 2 : 32;
        const char **n = arena_zalloc(l->a, sizeof(char *) * (size_t)cap);
        if (n == NULL) {
            return STRATA_NOMEM;
        }
        if (l->count) {
            memcpy(n, l->items, sizeof(char *) * (size_t)l->count);
        }
        l->items = n;
        l->capacity = cap;
    }
    l->items[l->count++] = text;
    return text ? STRATA_OK : STRATA_NOMEM;
}

/* The name each relation of the plan goes by in EXPLAIN, PostgreSQL's refnames
 * (ruleutils.c set_rtable_names): its alias, or its table's name, with _1, _2, ...
 * added when an earlier relation of the statement has it, so a table read twice
 * without an alias shows as "t" and then "t t_1". */
enum { REF_NAMES_MAX = 256 };

typedef struct RefNames {
    const PlanNode *nodes[REF_NAMES_MAX];
    const char *names[REF_NAMES_MAX];
    int count;
} RefNames;

static const char *ref_name(const RefNames *refs, const PlanNode *p)
{
    for (int k = 0; refs != NULL && k < refs->count; k++) {
        if (refs->nodes[k] == p) {
            return refs->names[k];
        }
    }
    return p->alias;
}

/* " alias" when the scan's name differs from its table's name, as PostgreSQL
 * prints "Seq Scan on account a". */
static const char *alias_suffix(const RefNames *refs, const PlanNode *p, Arena *a)
{
    const char *name = ref_name(refs, p);
    if (name == NULL || p->table == NULL || strcmp(name, p->table->name) == 0) {
        return "";
    }
    return arena_sprintf(a, " %s", name);
}

static const char *node_label(const Plan *plan, const RefNames *refs, const PlanNode *p, Arena *a)
{
    switch (p->kind) {
    case PLAN_SCAN:
        if (p->scan_on_key) {
            const char *kind = p->reverse ? "Index Scan Backward" : "Index Scan";
            return p->index != NULL
                       ? arena_sprintf(a, "%s using %s on %s%s", kind, p->index->name, p->table->name,
                                       alias_suffix(refs, p, a))
                       : arena_sprintf(a, "%s on %s%s", kind, p->table->name, alias_suffix(refs, p, a));
        }
        return arena_sprintf(a, "Seq Scan on %s%s", p->table->name, alias_suffix(refs, p, a));
    case PLAN_INDEX_SCAN:
        return arena_sprintf(a, "%s%s using %s on %s%s", p->index_only ? "Index Only Scan" : "Index Scan",
                             p->reverse ? " Backward" : "", p->index->name, p->table->name,
                             alias_suffix(refs, p, a));
    case PLAN_VALUES:
        /* every partition pruned (plan/partition.c): PostgreSQL's Result */
        return p->column_count == 0 || p->table != NULL ? "Result" : "Values Scan";
    case PLAN_FILTER: return "Filter";
    case PLAN_PROJECT: return "Result";
    case PLAN_PROJECT_SET: return "ProjectSet";
    case PLAN_JOIN: {
        static const char *types[] = {"", " Left", " Right", " Full", " Semi", " Anti"};
        if ((p->key_count == 0 || p->nestloop) && p->join_type == JOIN_TYPE_INNER) {
            return "Nested Loop";
        }
        return arena_sprintf(a, "%s%s Join", p->key_count > 0 && !p->nestloop ? "Hash" : "Nested Loop",
                             types[p->join_type]);
    }
    case PLAN_AGG:
        if (p->grouping_set_count > 0) {
            /* PostgreSQL's names for hashed grouping sets: MixedAggregate
             * when the empty set () is among them */
            for (int set = 0; set < p->grouping_set_count; set++) {
                if (p->grouping_sets[set] == 0) {
                    return "MixedAggregate";
                }
            }
        }
        return p->is_grouped ? "HashAggregate" : "Aggregate";
    case PLAN_SORT: return "Sort";
    case PLAN_LIMIT: return "Limit";
    case PLAN_DISTINCT: return p->distinct_on ? "Unique" : "HashAggregate";
    case PLAN_SETOP: return p->setop == SETOP_UNION ? (p->set_all ? "Append" : "HashAggregate") : "HashSetOp";
    case PLAN_WINDOW: return "WindowAgg";
    case PLAN_FUNCTION_SCAN: {
        const Expr *call = p->func_arg_count > 0 ? p->func_args[0] : NULL;
        const char *name = call != NULL && call->kind == EXPR_FUNC && call->fn != NULL ? call->fn->name : NULL;
        if (name == NULL) {
            return "Function Scan";
        }
        bool has_alias = p->alias != NULL && strcmp(p->alias, name) != 0;
        return arena_sprintf(a, "Function Scan on %s%s%s", name, has_alias ? " " : "", has_alias ? p->alias : "");
    }
    case PLAN_CTE_SCAN:
    case PLAN_WORKTABLE_SCAN: {
        const char *kind = p->kind == PLAN_CTE_SCAN ? "CTE Scan" : "WorkTable Scan";
        const char *name = p->cte_index >= 0 && p->cte_index < plan->cte_count ? plan->ctes[p->cte_index].name
                                                                               : NULL;
        if (name == NULL) {
            return kind;
        }
        bool has_alias = p->alias != NULL && strcmp(p->alias, name) != 0;
        return arena_sprintf(a, "%s on %s%s%s", kind, name, has_alias ? " " : "", has_alias ? p->alias : "");
    }
    case PLAN_RECURSIVE_UNION: return "Recursive Union";
    case PLAN_MODIFY:
        return arena_sprintf(a, "%s on %s",
                             p->modify->kind == MODIFY_INSERT ? "Insert" : p->modify->kind == MODIFY_UPDATE ? "Update" : "Delete",
                             p->table->name);
    case PLAN_EXPLAIN: return "Explain";
    case PLAN_LATERAL_JOIN:
        return p->join_type == JOIN_TYPE_LEFT ? "Nested Loop Left Join" : "Nested Loop";
    }
    return "?";
}

/* What every node's printer shares: the output arena and whether column
 * names are qualified (PostgreSQL qualifies them when the query has more
 * than one relation). */
typedef struct ExplainCtx {
    Lines *lines;
    Arena *a;
    const NodeStats *stats;
    const Plan *plan;
    bool qualify;
    bool costs;            /* print estimated rows (not under COSTS OFF) */
    bool timing;           /* EXPLAIN (ANALYZE, TIMING): actual time per node */
    bool has_printed_ctes; /* CTE plans go under the first (top) node */
    const RefNames *refs;  /* the relations' names */
    const bool *pruned;    /* per node id: partition scan pruned at run time, or NULL */
    const NodeStats *preview; /* plain EXPLAIN: per node id, zone-map preview of a scan, or NULL */
    /* Inside a subplan: the outer expression text of each correlation slot. */
    const char *const *corr;
    int corr_count;
    /* Under an index nested loop's inner side: the names of its outer row,
     * which the inner scan's key values read. */
    const char *const *outer;
    int outer_count;
    ExplainDoc *json; /* FORMAT JSON, YAML or XML: the document being built, else NULL (text lines) */
} ExplainCtx;

/* FORMAT JSON, YAML or XML: the Parent Relationship of the next node printed. */
static void relation(ExplainCtx *cx, const char *relationship, const char *subplan_name)
{
    if (cx->json != NULL) {
        explain_doc_relation(cx->json, relationship, subplan_name);
    }
}

typedef struct SubPlanList {
    const SubPlan *items[64];
    int count;
} SubPlanList;

/* Collects the subplans e references (not those nested inside them). */
static void collect_subplans(const Expr *e, SubPlanList *list)
{
    if (e == NULL) {
        return;
    }
    if (e->kind == EXPR_SUBLINK && e->sub != NULL) {
        for (int at = 0; at < list->count; at++) {
            if (list->items[at]->id == e->sub->id) { /* remapped copies keep the id */
                return;
            }
        }
        if (list->count < 64) {
            list->items[list->count++] = e->sub;
        }
        for (int item = 0; item < e->sub->test_count; item++) {
            collect_subplans(e->sub->tests[item], list);
        }
        for (int slot = 0; slot < e->sub->corr_count; slot++) {
            collect_subplans(e->sub->corr_args[slot], list);
        }
    }
    for (int arg = 0; arg < e->arg_count; arg++) {
        collect_subplans(e->args[arg], list);
    }
    collect_subplans(e->arg, list);
}

static int count_relations(const PlanNode *p)
{
    if (p == NULL) {
        return 0;
    }
    if (p->kind == PLAN_SETOP && p->table != NULL) {
        return 1; /* the Append of a partitioned table's scans reads one relation */
    }
    int own = p->kind == PLAN_SCAN || p->kind == PLAN_INDEX_SCAN || p->kind == PLAN_FUNCTION_SCAN ||
              p->kind == PLAN_CTE_SCAN || p->kind == PLAN_WORKTABLE_SCAN ||
              (p->kind == PLAN_VALUES && p->column_count > 0);
    SubPlanList list = {.count = 0};
    collect_subplans(p->qual, &list);
    for (int item = 0; item < p->expr_count; item++) {
        collect_subplans(p->exprs[item], &list);
    }
    for (int at = 0; at < list.count; at++) {
        own += count_relations(list.items[at]->plan);
    }
    return own + count_relations(p->left) + count_relations(p->right) +
           (p->kind == PLAN_EXPLAIN ? count_relations(p->explained) : 0);
}

static bool names_relation(const PlanNode *p)
{
    return p->kind == PLAN_SCAN || p->kind == PLAN_INDEX_SCAN ||
           (p->kind == PLAN_SETOP && p->table != NULL);
}

static bool ref_taken(const RefNames *refs, const char *name)
{
    for (int k = 0; k < refs->count; k++) {
        if (strcmp(refs->names[k], name) == 0) {
            return true;
        }
    }
    return false;
}

static bool ref_taken_node(const RefNames *refs, const PlanNode *p)
{
    for (int k = 0; k < refs->count; k++) {
        if (refs->nodes[k] == p) {
            return true;
        }
    }
    return false;
}

/* Registers p under name without claiming a new one (an inner Append pair). */
static void mark_named(RefNames *refs, const PlanNode *p, const char *name)
{
    if (name != NULL && !ref_taken_node(refs, p) && refs->count < REF_NAMES_MAX) {
        refs->nodes[refs->count] = p;
        refs->names[refs->count++] = name;
    }
}

static void name_relation(RefNames *refs, const PlanNode *p, Arena *a)
{
    const char *base = p->alias != NULL ? p->alias : p->table->name;
    const char *name = base;
    for (int n = 1; name != NULL && ref_taken(refs, name); n++) {
        name = arena_sprintf(a, "%s_%d", base, n);
    }
    if (name != NULL && refs->count < REF_NAMES_MAX) {
        refs->nodes[refs->count] = p;
        refs->names[refs->count++] = name;
    }
}

/* Names the relations of p's tree, the query's own first (pre-order), then those of
 * its subqueries, as PostgreSQL's flattened range table orders them. */
static void name_relations(RefNames *refs, const PlanNode *p, Arena *a, bool subqueries)
{
    if (p == NULL) {
        return;
    }
    /* a partitioned table's Append is a tree of pairs: only its top names the table
     * (the partitions' scans have their names from partition.c) */
    bool inner_append = p->kind == PLAN_SETOP && p->table != NULL && ref_taken_node(refs, p);
    if (!subqueries && names_relation(p) && !inner_append) {
        name_relation(refs, p, a);
    }
    if (!subqueries && p->kind == PLAN_SETOP && p->table != NULL) {
        for (const PlanNode *side = p->left; side != NULL && side->kind == PLAN_SETOP &&
                                             side->table == p->table;
             side = side->left) {
            mark_named(refs, side, ref_name(refs, p));
        }
    }
    if (subqueries) {
        SubPlanList list = {.count = 0};
        collect_subplans(p->qual, &list);
        for (int item = 0; item < p->expr_count; item++) {
            collect_subplans(p->exprs[item], &list);
        }
        if (p->kind == PLAN_LATERAL_JOIN && p->lateral != NULL && list.count < 64) {
            list.items[list.count++] = p->lateral;
        }
        for (int at = 0; at < list.count; at++) {
            name_relations(refs, list.items[at]->plan, a, false);
            name_relations(refs, list.items[at]->plan, a, true);
        }
    }
    name_relations(refs, p->left, a, subqueries);
    name_relations(refs, p->right, a, subqueries);
}

static int cte_relations(const Plan *plan)
{
    int count = 0;
    for (int cte = 0; cte < plan->cte_count; cte++) {
        count += count_relations(plan->ctes[cte].plan);
    }
    return count;
}

static const char *relation_name(const ExplainCtx *cx, const PlanNode *p)
{
    const char *name = ref_name(cx->refs, p);
    if (name != NULL) {
        return name;
    }
    if (p->table != NULL) {
        return p->table->name;
    }
    return p->kind == PLAN_VALUES ? "*VALUES*" : NULL;
}

static const char *qualified(ExplainCtx *cx, const PlanNode *p, const char *column)
{
    const char *rel = relation_name(cx, p);
    if (!cx->qualify || rel == NULL) {
        return column;
    }
    return arena_sprintf(cx->a, "%s.%s", rel, column);
}

static const char **node_names(ExplainCtx *cx, const PlanNode *p);

/* The text of each correlation slot of a LATERAL join's subquery, over the
 * names of its left input. */
static const char **lateral_corr(ExplainCtx *cx, const PlanNode *p)
{
    const SubPlan *sub = p->lateral;
    const char **left = node_names(cx, p->left);
    const char **corr = arena_zalloc(cx->a, sizeof(char *) * (size_t)(sub->corr_count + 1));
    if (left == NULL || corr == NULL) {
        return NULL;
    }
    ExplainNames names = {left, p->left->column_count, cx->corr, cx->corr_count};
    for (int slot = 0; slot < sub->corr_count; slot++) {
        corr[slot] = explain_expr_text(sub->corr_args[slot], &names, cx->a);
    }
    return corr;
}

/* node_names of a join's right input: a LATERAL subquery's names read its
 * correlation slots. */
static const char **right_names(ExplainCtx *cx, const PlanNode *p)
{
    if (p->kind != PLAN_LATERAL_JOIN) {
        return node_names(cx, p->right);
    }
    const char **corr = lateral_corr(cx, p);
    if (corr == NULL) {
        return NULL;
    }
    const char *const *saved = cx->corr;
    int saved_count = cx->corr_count;
    cx->corr = corr;
    cx->corr_count = p->lateral->corr_count;
    const char **out = node_names(cx, p->right);
    cx->corr = saved;
    cx->corr_count = saved_count;
    return out;
}

static ExplainNames names_of(const ExplainCtx *cx, const char **columns, const PlanNode *p)
{
    ExplainNames names = {columns, p != NULL ? p->column_count : 0, cx->corr, cx->corr_count};
    return names;
}

/* A window call as PostgreSQL prints it: "sum(v) OVER (?)" (the window
 * definition is not spelled out). */
static const char *window_text(ExplainCtx *cx, const WinCall *win, const ExplainNames *names)
{
    static const char *kinds[] = {"", "row_number", "rank", "dense_rank", "percent_rank", "cume_dist",
                                  "ntile", "lag", "lead", "first_value", "last_value", "nth_value"};
    const char *call;
    if (win->kind == WIN_AGG) {
        call = explain_agg_text(&win->agg, names, cx->a);
    } else {
        AggCall plain = win->agg;
        plain.name = win->kind > 0 && win->kind <= WIN_NTH_VALUE ? kinds[win->kind] : "window";
        plain.is_star = false;
        call = explain_agg_text(&plain, names, cx->a);
    }
    return call != NULL ? arena_sprintf(cx->a, "%s OVER (?)", call) : NULL;
}

/* A scan's output columns: its table columns, then the row id. Returns
 * how many were named. */
static int scan_names(ExplainCtx *cx, const PlanNode *p, const char **out)
{
    int col = 0;
    for (; col < p->scan_column_count && col < p->column_count; col++) {
        int table_col = p->scan_columns[col];
        const char *name = table_col >= 0 && table_col < p->table->column_count
                               ? p->table->columns[table_col].name : "?column?";
        out[col] = qualified(cx, p, name);
    }
    if (p->want_row_id && col < p->column_count) {
        out[col++] = qualified(cx, p, "ctid");
    }
    return col;
}

/* The display name of every output column of p, as its parent's
 * expressions refer to them. */
static const char **node_names(ExplainCtx *cx, const PlanNode *p)
{
    const char **out = arena_zalloc(cx->a, sizeof(char *) * (size_t)(p->column_count + 1));
    if (out == NULL) {
        return NULL;
    }
    int col = 0;
    /* A partitioned table's Append (p->table set): its columns are the
     * parent's, named by the parent's alias as PostgreSQL does. */
    PlanKind kind = p->kind == PLAN_SETOP && p->table != NULL ? PLAN_SCAN : p->kind;
    switch (kind) {
    case PLAN_SCAN:
    case PLAN_INDEX_SCAN: col = scan_names(cx, p, out); break;
    case PLAN_FILTER:
    case PLAN_SORT:
    case PLAN_LIMIT:
    case PLAN_DISTINCT:
    case PLAN_SETOP:
    case PLAN_RECURSIVE_UNION:
    case PLAN_WINDOW:
    case PLAN_LATERAL_JOIN:
    case PLAN_JOIN: {
        const char **left = node_names(cx, p->left);
        for (; left != NULL && col < p->left->column_count && col < p->column_count; col++) {
            out[col] = left[col];
        }
        if (p->kind == PLAN_JOIN || p->kind == PLAN_LATERAL_JOIN) {
            const char **right = right_names(cx, p);
            for (int rc = 0; right != NULL && rc < p->right->column_count && col < p->column_count; rc++) {
                out[col++] = right[rc];
            }
        } else if (p->kind == PLAN_WINDOW) {
            ExplainNames names = names_of(cx, left, p->left);
            for (int w = 0; w < p->win_count && col < p->column_count; w++) {
                out[col++] = window_text(cx, p->wins[w], &names);
            }
        }
        break;
    }
    case PLAN_PROJECT:
    case PLAN_PROJECT_SET: {
        const char **child = p->left != NULL ? node_names(cx, p->left) : NULL;
        ExplainNames names = names_of(cx, child, p->left);
        for (; col < p->expr_count && col < p->column_count; col++) {
            out[col] = explain_expr_text(p->exprs[col], &names, cx->a);
        }
        break;
    }
    case PLAN_AGG: {
        const char **child = node_names(cx, p->left);
        ExplainNames names = names_of(cx, child, p->left);
        for (; col < p->group_count && col < p->column_count; col++) {
            out[col] = explain_expr_text(p->group_exprs[col], &names, cx->a);
        }
        for (int agg = 0; agg < p->agg_count && col < p->column_count; agg++) {
            out[col++] = explain_agg_text(p->aggs[agg], &names, cx->a);
        }
        break;
    }
    default:
        break;
    }
    for (; col < p->column_count; col++) {
        const char *name = p->column_names != NULL && p->column_names[col] != NULL ? p->column_names[col]
                                                                                   : "?column?";
        out[col] = qualified(cx, p, name);
    }
    return out;
}

static int add_detail(ExplainCtx *cx, int width, const char *label, const char *text)
{
    if (text == NULL) {
        return lines_add(cx->lines, NULL);
    }
    if (cx->json != NULL) {
        /* PostgreSQL's JSON lists the keys of these as arrays */
        if (strcmp(label, "Sort Key") == 0 || strcmp(label, "Group Key") == 0 ||
            strcmp(label, "Hash Key") == 0) {
            explain_doc_list(cx->json, label, text);
        } else {
            explain_doc_string(cx->json, label, text);
        }
        return STRATA_OK;
    }
    return lines_add(cx->lines, arena_sprintf(cx->a, "%*s%s: %s", width, "", label, text));
}

/* Wraps text in parentheses unless it already is one parenthesized term,
 * as PostgreSQL does for Index Cond, Hash Cond and Join Filter. */
static const char *parenthesized(ExplainCtx *cx, const char *text)
{
    if (text == NULL) {
        return NULL;
    }
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '(' && text[n - 1] == ')') {
        int level = 0;
        size_t at = 0;
        for (; at < n; at++) {
            level += text[at] == '(' ? 1 : text[at] == ')' ? -1 : 0;
            if (level == 0) {
                break;
            }
        }
        if (at == n - 1) {
            return text;
        }
    }
    return arena_sprintf(cx->a, "(%s)", text);
}

/* The Index Cond: the conjuncts the key range came from (access.c keeps
 * them with the key on the left), as PostgreSQL prints its index quals. */
static const char *index_cond(ExplainCtx *cx, const PlanNode *p)
{
    ExplainNames names = names_of(cx, node_names(cx, p), p);
    if (p->bounds_read_outer) {
        /* An index nested loop's inner scan: key = outer value, per key. */
        ExplainNames outer = {cx->outer, cx->outer_count, cx->corr, cx->corr_count};
        const char *text = NULL;
        for (int k = 0; k < p->low.count; k++) {
            const char *key = explain_expr_text(p->param_keys[k], &names, cx->a);
            const char *value = explain_expr_text(p->low.values[k], &outer, cx->a);
            const char *term = key && value ? arena_sprintf(cx->a, "(%s = %s)", key, value) : NULL;
            text = k == 0 ? term : text && term ? arena_sprintf(cx->a, "%s AND %s", text, term) : NULL;
        }
        return p->low.count > 1 && text != NULL ? arena_sprintf(cx->a, "(%s)", text) : text;
    }
    return parenthesized(cx, explain_expr_text(p->index_cond, &names, cx->a));
}

static const char *sort_keys_text(ExplainCtx *cx, const SortKey *keys, int count, const ExplainNames *names)
{
    const char *text = "";
    for (int key = 0; key < count && text != NULL; key++) {
        const char *expr = explain_expr_text(keys[key].expr, names, cx->a);
        const char *order = keys[key].desc ? (keys[key].nulls_first ? " DESC" : " DESC NULLS LAST")
                                           : (keys[key].nulls_first ? " NULLS FIRST" : "");
        text = expr == NULL ? NULL : arena_sprintf(cx->a, "%s%s%s%s", text, key > 0 ? ", " : "", expr, order);
    }
    return text;
}

static const char *expr_list_text(ExplainCtx *cx, Expr *const *exprs, int count, const ExplainNames *names)
{
    const char *text = "";
    for (int item = 0; item < count && text != NULL; item++) {
        const char *expr = explain_expr_text(exprs[item], names, cx->a);
        text = expr == NULL ? NULL : arena_sprintf(cx->a, "%s%s%s", text, item > 0 ? ", " : "", expr);
    }
    return text;
}

/* The names a join's qual sees: left columns then right columns, also for
 * semi and anti joins whose output is the left side only. */
static const char **join_input_names(ExplainCtx *cx, const PlanNode *p, int *total)
{
    const char **left = node_names(cx, p->left);
    const char **right = right_names(cx, p);
    *total = p->left->column_count + p->right->column_count;
    const char **all = arena_zalloc(cx->a, sizeof(char *) * (size_t)(*total + 1));
    if (all == NULL || left == NULL || right == NULL) {
        return NULL;
    }
    memcpy(all, left, sizeof(char *) * (size_t)p->left->column_count);
    memcpy(all + p->left->column_count, right, sizeof(char *) * (size_t)p->right->column_count);
    return all;
}

/* Hash Cond (left key = right key, ANDed) and Join Filter of a join. */
static int join_details(ExplainCtx *cx, const PlanNode *p, int width)
{
    int rc = STRATA_OK;
    ExplainNames left_names = names_of(cx, node_names(cx, p->left), p->left);
    ExplainNames right_names = names_of(cx, node_names(cx, p->right), p->right);
    const char *cond = NULL;
    for (int key = 0; key < p->key_count; key++) {
        const char *l = explain_expr_text(p->left_keys[key], &left_names, cx->a);
        const char *r = explain_expr_text(p->right_keys[key], &right_names, cx->a);
        const char *term = l && r ? arena_sprintf(cx->a, "(%s = %s)", l, r) : NULL;
        cond = key == 0 ? term : cond && term ? arena_sprintf(cx->a, "%s AND %s", cond, term) : NULL;
        if (cond == NULL) {
            return lines_add(cx->lines, NULL);
        }
    }
    if (p->key_count > 0 && !p->nestloop) {
        rc = add_detail(cx, width, "Hash Cond", p->key_count > 1 ? parenthesized(cx, cond) : cond);
        const NodeStats *seen = cx->stats != NULL ? cx->stats : cx->preview;
        if (rc == STRATA_OK && seen != NULL && seen[p->id].batch_mode) {
            rc = add_detail(cx, width, "Batch Mode", "probe");
        }
    }
    if (p->nestloop && p->key_count > 0 && p->qual == NULL) {
        return add_detail(cx, width, "Join Filter", p->key_count > 1 ? parenthesized(cx, cond) : cond);
    }
    if (rc == STRATA_OK && p->qual != NULL) {
        int total = 0;
        const char **all = join_input_names(cx, p, &total);
        if (all == NULL) {
            return lines_add(cx->lines, NULL);
        }
        ExplainNames names = {all, total, cx->corr, cx->corr_count};
        const char *text = explain_expr_text(p->qual, &names, cx->a);
        if (p->nestloop && p->key_count > 0 && text != NULL) {
            text = arena_sprintf(cx->a, "%s AND %s", cond, parenthesized(cx, text));
        }
        rc = add_detail(cx, width, "Join Filter", parenthesized(cx, text));
    }
    return rc;
}

/* Row groups (zone maps) of a column-table scan: what it read and skipped
 * (EXPLAIN ANALYZE, with the stored bytes it read), or what the zone maps
 * let it skip (plain EXPLAIN). Nothing for a table without row groups (all
 * rows in a column table's write buffer) or an access method without them. */
static int scan_counter_details(ExplainCtx *cx, const PlanNode *p, int width)
{
    const NodeStats *st = cx->stats != NULL     ? &cx->stats[p->id]
                          : cx->preview != NULL ? &cx->preview[p->id]
                                                : NULL;
    if (st == NULL || !st->has_scan_counters ||
        st->row_groups_scanned + st->row_groups_skipped == 0) {
        return STRATA_OK;
    }
    int rc = add_detail(cx, width, "Row Groups",
                        arena_sprintf(cx->a, "scanned=%llu skipped=%llu",
                                      (unsigned long long)st->row_groups_scanned,
                                      (unsigned long long)st->row_groups_skipped));
    if (rc == STRATA_OK && cx->stats != NULL) {
        rc = add_detail(cx, width, "Bytes Read",
                        arena_sprintf(cx->a, "%llu", (unsigned long long)st->bytes_read));
    }
    return rc;
}

/* The detail lines under a node: conditions, filters and keys. */
static int explain_details(ExplainCtx *cx, const PlanNode *p, int width)
{
    int rc = STRATA_OK;
    bool is_key_scan = p->kind == PLAN_INDEX_SCAN || (p->kind == PLAN_SCAN && p->scan_on_key);
    if (is_key_scan && (p->index_cond != NULL || p->bounds_read_outer)) {
        rc = add_detail(cx, width, "Index Cond", index_cond(cx, p));
    }
    if (rc == STRATA_OK && p->qual != NULL &&
        (p->kind == PLAN_SCAN || p->kind == PLAN_FILTER || p->kind == PLAN_INDEX_SCAN)) {
        const PlanNode *input = p->kind == PLAN_FILTER ? p->left : p;
        ExplainNames names = names_of(cx, node_names(cx, input), input);
        rc = add_detail(cx, width, "Filter", explain_expr_text(p->qual, &names, cx->a));
    }
    if (rc == STRATA_OK && p->kind == PLAN_SCAN) {
        rc = scan_counter_details(cx, p, width);
    }
    if (rc == STRATA_OK && (p->kind == PLAN_JOIN || p->kind == PLAN_LATERAL_JOIN)) {
        rc = join_details(cx, p, width);
    }
    if (rc == STRATA_OK && p->kind == PLAN_VALUES && p->table != NULL) {
        rc = add_detail(cx, width, "One-Time Filter", "false");
    }
    if (rc == STRATA_OK && p->kind == PLAN_SORT && p->sort_key_count > 0) {
        ExplainNames names = names_of(cx, node_names(cx, p->left), p->left);
        rc = add_detail(cx, width, "Sort Key", sort_keys_text(cx, p->sort_keys, p->sort_key_count, &names));
        const NodeStats *seen = cx->stats != NULL ? cx->stats : cx->preview;
        if (rc == STRATA_OK && seen != NULL && seen[p->id].batch_mode) {
            rc = add_detail(cx, width, "Batch Mode", "on");
        }
        if (rc == STRATA_OK && cx->stats && cx->stats[p->id].sort_spilled) {
            rc = add_detail(cx, width, "Sort Method",
                            arena_sprintf(cx->a, "external merge  Disk: %llukB",
                                          (unsigned long long)(cx->stats[p->id].sort_disk_bytes + 1023) / 1024));
        }
    }
    if (rc == STRATA_OK && p->kind == PLAN_WINDOW && cx->stats && cx->stats[p->id].sort_spilled) {
        /* the rows sorted by partition on disk (PostgreSQL 17's line) */
        rc = add_detail(cx, width, "Storage",
                        arena_sprintf(cx->a, "Disk  Maximum Storage: %llukB",
                                      (unsigned long long)(cx->stats[p->id].sort_disk_bytes + 1023) / 1024));
    }
    if (rc == STRATA_OK && (p->kind == PLAN_LIMIT || p->kind == PLAN_DISTINCT ||
                            p->kind == PLAN_SETOP || p->kind == PLAN_WINDOW)) {
        const NodeStats *seen = cx->stats != NULL ? cx->stats : cx->preview;
        if (seen != NULL && seen[p->id].batch_mode) {
            rc = add_detail(cx, width, "Batch Mode", "on");
        }
    }
    if (rc == STRATA_OK && p->kind == PLAN_AGG && p->grouping_set_count > 0) {
        /* one "Hash Key" per grouping set, "Group Key: ()" for the empty one */
        ExplainNames names = names_of(cx, node_names(cx, p->left), p->left);
        for (int at = 0; at < 2 * p->grouping_set_count && rc == STRATA_OK; at++) {
            int set = at % p->grouping_set_count;
            if ((p->grouping_sets[set] == 0) != (at >= p->grouping_set_count)) {
                continue; /* the non-empty sets first, as PostgreSQL lists them */
            }
            const char *text = "";
            for (int k = 0; k < p->group_count - 1 && text != NULL; k++) {
                if (p->grouping_sets[set] & ((uint64_t)1 << k)) {
                    const char *expr = explain_expr_text(p->group_exprs[k], &names, cx->a);
                    text = expr == NULL
                               ? NULL
                               : arena_sprintf(cx->a, "%s%s%s", text, *text ? ", " : "", expr);
                }
            }
            bool is_empty = p->grouping_sets[set] == 0;
            rc = add_detail(cx, width, is_empty ? "Group Key" : "Hash Key", is_empty ? "()" : text);
        }
    } else if (rc == STRATA_OK && p->kind == PLAN_AGG && p->group_count > 0) {
        ExplainNames names = names_of(cx, node_names(cx, p->left), p->left);
        rc = add_detail(cx, width, "Group Key", expr_list_text(cx, p->group_exprs, p->group_count, &names));
    }
    if (rc == STRATA_OK && p->kind == PLAN_AGG) {
        /* the vectorized aggregation (exec/vec_agg.c) over its input's batches */
        const NodeStats *seen = cx->stats != NULL ? cx->stats : cx->preview;
        if (seen != NULL && seen[p->id].batch_mode) {
            rc = add_detail(cx, width, "Batch Mode", "on");
        }
    }
    if (rc == STRATA_OK &&
        (p->kind == PLAN_JOIN || p->kind == PLAN_AGG || p->kind == PLAN_DISTINCT ||
         p->kind == PLAN_SETOP) &&
        cx->stats &&
        cx->stats[p->id].hash_batches > 0) {
        /* a hash join, aggregate or set operation that spilled (PostgreSQL's HashAggregate line) */
        const NodeStats *st = &cx->stats[p->id];
        rc = add_detail(cx, width, "Batches",
                        arena_sprintf(cx->a, "%llu  Memory Usage: %llukB  Disk Usage: %llukB",
                                      (unsigned long long)st->hash_batches,
                                      (unsigned long long)(st->hash_memory_bytes + 1023) / 1024,
                                      (unsigned long long)(st->hash_disk_bytes + 1023) / 1024));
    }
    return rc;
}

static int explain_node(ExplainCtx *cx, const PlanNode *p, int indent, bool has_arrow,
                        const PlanNode *folded);
static int explain_node_rest(ExplainCtx *cx, const PlanNode *p, int width, const PlanNode *folded);

/* Prints "SubPlan n" and its plan for every subquery in exprs, which are
 * evaluated over input columns named by names (the correlation slots of
 * each subplan take their text from there). */
static int explain_subplans(ExplainCtx *cx, Expr *const *exprs, int count, const ExplainNames *names,
                            int width)
{
    SubPlanList list = {.count = 0};
    for (int item = 0; item < count; item++) {
        collect_subplans(exprs[item], &list);
    }
    int rc = STRATA_OK;
    for (int at = 0; at < list.count && rc == STRATA_OK; at++) {
        const SubPlan *sub = list.items[at];
        const char **corr = arena_zalloc(cx->a, sizeof(char *) * (size_t)(sub->corr_count + 1));
        if (corr == NULL) {
            return lines_add(cx->lines, NULL);
        }
        for (int slot = 0; slot < sub->corr_count; slot++) {
            corr[slot] = explain_expr_text(sub->corr_args[slot], names, cx->a);
        }
        if (cx->json != NULL) {
            const char *name = arena_sprintf(cx->a, "SubPlan %d", sub->id + 1);
            relation(cx, "SubPlan", name);
            rc = name != NULL ? STRATA_OK : STRATA_NOMEM;
        } else {
            rc = lines_add(cx->lines, arena_sprintf(cx->a, "%*sSubPlan %d", width, "", sub->id + 1));
        }
        const char *const *saved_corr = cx->corr;
        int saved_count = cx->corr_count;
        cx->corr = corr;
        cx->corr_count = sub->corr_count;
        if (rc == STRATA_OK && sub->plan != NULL) {
            rc = explain_node(cx, sub->plan, width + 2, true, NULL);
        }
        cx->corr = saved_corr;
        cx->corr_count = saved_count;
    }
    return rc;
}

/* The subplans of p's own expressions (and of a projection folded into it). */
static int explain_node_subplans(ExplainCtx *cx, const PlanNode *p, const PlanNode *folded, int width)
{
    int rc = STRATA_OK;
    if (p->qual != NULL) {
        bool is_join = p->kind == PLAN_JOIN || p->kind == PLAN_LATERAL_JOIN;
        int total = is_join ? 0 : (p->kind == PLAN_FILTER ? p->left : p)->column_count;
        const char **cols = is_join ? join_input_names(cx, p, &total)
                                    : node_names(cx, p->kind == PLAN_FILTER ? p->left : p);
        if (cols == NULL) {
            return lines_add(cx->lines, NULL);
        }
        ExplainNames names = {cols, total, cx->corr, cx->corr_count};
        rc = explain_subplans(cx, &p->qual, 1, &names, width);
    }
    if (rc == STRATA_OK && folded != NULL && folded->left != NULL) {
        ExplainNames names = names_of(cx, node_names(cx, folded->left), folded->left);
        rc = explain_subplans(cx, folded->exprs, folded->expr_count, &names, width);
    }
    return rc;
}

/* "CTE name" and its plan for every WITH query, under the top node (where
 * PostgreSQL lists them, as init plans). */
static int explain_ctes(ExplainCtx *cx, int width)
{
    cx->has_printed_ctes = true;
    int rc = STRATA_OK;
    for (int cte = 0; cx->plan != NULL && cte < cx->plan->cte_count && rc == STRATA_OK; cte++) {
        const CtePlan *item = &cx->plan->ctes[cte];
        if (cx->json != NULL) {
            const char *name = arena_sprintf(cx->a, "CTE %s", item->name ? item->name : "?");
            relation(cx, "InitPlan", name);
            rc = name != NULL ? STRATA_OK : STRATA_NOMEM;
        } else {
            rc = lines_add(cx->lines,
                           arena_sprintf(cx->a, "%*sCTE %s", width, "", item->name ? item->name : "?"));
        }
        if (rc == STRATA_OK && item->plan != NULL) {
            rc = explain_node(cx, item->plan, width + 2, true, NULL);
        }
    }
    return rc;
}

/* The inputs of an Append: a chain of UNION ALLs is one Append node in
 * PostgreSQL (partition scans, UNION ALL of several queries). */
static bool is_append_part(const PlanNode *p, const PlanNode *child)
{
    return child->kind == PLAN_SETOP && child->setop == SETOP_UNION && child->set_all &&
           child->table == p->table;
}

static int count_pruned(const ExplainCtx *cx, const PlanNode *p)
{
    int count = 0;
    const PlanNode *sides[2] = {p->left, p->right};
    for (int side = 0; side < 2; side++) {
        const PlanNode *child = sides[side];
        if (is_append_part(p, child)) {
            count += count_pruned(cx, child);
        } else if (cx->pruned != NULL && child->id >= 0 && cx->plan != NULL &&
                   child->id < cx->plan->node_count && cx->pruned[child->id]) {
            count++;
        }
    }
    return count;
}

static int append_inputs(ExplainCtx *cx, const PlanNode *p, int width)
{
    int rc = STRATA_OK;
    const PlanNode *sides[2] = {p->left, p->right};
    for (int side = 0; side < 2 && rc == STRATA_OK; side++) {
        const PlanNode *child = sides[side];
        if (is_append_part(p, child)) {
            rc = append_inputs(cx, child, width);
        } else if (cx->pruned == NULL || child->id < 0 || child->id >= cx->plan->node_count ||
                   !cx->pruned[child->id]) {
            relation(cx, "Member", NULL);
            rc = explain_node(cx, child, width, true, NULL);
        }
    }
    return rc;
}

/* FORMAT JSON: a node's type and what PostgreSQL's JSON says of it apart from its
 * label's words (join type, strategy, relation, alias, index, direction). */
static void json_node_begin(ExplainCtx *cx, const PlanNode *p)
{
    ExplainDoc *j = cx->json;
    const char *alias = ref_name(cx->refs, p);
    static const char *join_types[] = {"Inner", "Left", "Right", "Full", "Semi", "Anti"};
    switch (p->kind) {
    case PLAN_SCAN:
    case PLAN_INDEX_SCAN: {
        bool keyed = p->kind == PLAN_INDEX_SCAN || p->scan_on_key;
        explain_doc_node_begin(j, p->kind == PLAN_INDEX_SCAN && p->index_only ? "Index Only Scan"
                                   : keyed                                     ? "Index Scan"
                                                                               : "Seq Scan");
        if (keyed) {
            explain_doc_string(j, "Scan Direction", p->reverse ? "Backward" : "Forward");
            if (p->index != NULL) {
                explain_doc_string(j, "Index Name", p->index->name);
            }
        }
        explain_doc_string(j, "Relation Name", p->table->name);
        explain_doc_string(j, "Alias", alias != NULL ? alias : p->table->name);
        return;
    }
    case PLAN_JOIN:
    case PLAN_LATERAL_JOIN:
        explain_doc_node_begin(j, p->kind == PLAN_JOIN && p->key_count > 0 && !p->nestloop
                                       ? "Hash Join"
                                       : "Nested Loop");
        explain_doc_string(j, "Join Type", join_types[p->join_type]);
        return;
    case PLAN_AGG:
    case PLAN_DISTINCT:
        if (p->kind == PLAN_DISTINCT && p->distinct_on) {
            explain_doc_node_begin(j, "Unique");
            return;
        }
        explain_doc_node_begin(j, "Aggregate");
        explain_doc_string(j, "Strategy", strcmp(node_label(cx->plan, cx->refs, p, cx->a),
                                                  "MixedAggregate") == 0 ? "Mixed"
                                           : p->kind == PLAN_DISTINCT || p->is_grouped ? "Hashed"
                                                                                       : "Plain");
        return;
    case PLAN_SETOP:
        if (p->setop == SETOP_UNION) {
            explain_doc_node_begin(j, p->set_all ? "Append" : "Aggregate");
            if (!p->set_all) {
                explain_doc_string(j, "Strategy", "Hashed");
            }
            return;
        }
        explain_doc_node_begin(j, "SetOp");
        explain_doc_string(j, "Command", p->setop == SETOP_INTERSECT
                                              ? (p->set_all ? "Intersect All" : "Intersect")
                                              : (p->set_all ? "Except All" : "Except"));
        explain_doc_string(j, "Strategy", "Hashed");
        return;
    case PLAN_FUNCTION_SCAN: {
        const Expr *call = p->func_arg_count > 0 ? p->func_args[0] : NULL;
        explain_doc_node_begin(j, "Function Scan");
        if (call != NULL && call->kind == EXPR_FUNC && call->fn != NULL) {
            explain_doc_string(j, "Function Name", call->fn->name);
        }
        if (p->alias != NULL) {
            explain_doc_string(j, "Alias", p->alias);
        }
        return;
    }
    case PLAN_CTE_SCAN:
    case PLAN_WORKTABLE_SCAN: {
        explain_doc_node_begin(j, p->kind == PLAN_CTE_SCAN ? "CTE Scan" : "WorkTable Scan");
        const char *name = p->cte_index >= 0 && p->cte_index < cx->plan->cte_count
                               ? cx->plan->ctes[p->cte_index].name
                               : NULL;
        if (name != NULL) {
            explain_doc_string(j, "CTE Name", name);
        }
        explain_doc_string(j, "Alias", p->alias != NULL ? p->alias : name != NULL ? name : "");
        return;
    }
    case PLAN_MODIFY:
        explain_doc_node_begin(j, "ModifyTable");
        explain_doc_string(j, "Operation", p->modify->kind == MODIFY_INSERT   ? "Insert"
                                            : p->modify->kind == MODIFY_UPDATE ? "Update"
                                                                               : "Delete");
        explain_doc_string(j, "Relation Name", p->table->name);
        explain_doc_string(j, "Alias", alias != NULL ? alias : p->table->name);
        return;
    default:
        explain_doc_node_begin(j, node_label(cx->plan, cx->refs, p, cx->a));
        return;
    }
}

/* FORMAT JSON: estimated rows, and under ANALYZE the actual rows, loops and times. */
static void json_node_counts(ExplainCtx *cx, const PlanNode *p)
{
    if (cx->costs) {
        explain_doc_number(cx->json, "Plan Rows", p->est_rows, 0);
    }
    if (cx->stats) {
        uint64_t loops = cx->stats[p->id].loops;
        double per = (double)(loops > 1 ? loops : 1);
        if (cx->timing) {
            explain_doc_number(cx->json, "Actual Startup Time", cx->stats[p->id].startup_ms / per, 3);
            explain_doc_number(cx->json, "Actual Total Time", cx->stats[p->id].time_ms / per, 3);
        }
        explain_doc_number(cx->json, "Actual Rows", (double)cx->stats[p->id].rows / per, 0);
        explain_doc_number(cx->json, "Actual Loops", (double)loops, 0);
    }
}

/* PostgreSQL's layout: a node line is indented by indent (then "->  " below
 * the root); its detail lines sit 6 columns right of its arrow (2 for the
 * root), and its children's arrows line up with its details. */
static int explain_node(ExplainCtx *cx, const PlanNode *p, int indent, bool has_arrow,
                        const PlanNode *folded)
{
    /* Projections are folded into their child, as PostgreSQL shows no
     * separate node; their subqueries are listed under that child. */
    if (p->kind == PLAN_PROJECT && p->left != NULL) {
        return explain_node(cx, p->left, indent, has_arrow, p);
    }
    if (indent > 200) {
        indent = 200;
    }
    int width = has_arrow ? indent + 6 : indent + 2;
    if (cx->json != NULL) {
        json_node_begin(cx, p);
        json_node_counts(cx, p);
        int rc = explain_node_rest(cx, p, width, folded);
        explain_doc_node_end(cx->json);
        return rc;
    }
    const char *arrow = has_arrow ? "->  " : "";
    const char *label = node_label(cx->plan, cx->refs, p, cx->a);
    const char *estimate = cx->costs ? arena_sprintf(cx->a, "  (rows=%.0f)", p->est_rows) : "";
    const char *line;
    if (cx->stats) {
        /* PostgreSQL prints the rows per loop (an inner side runs once per outer row). */
        uint64_t loops = cx->stats[p->id].loops;
        double rows = (double)cx->stats[p->id].rows / (double)(loops > 1 ? loops : 1);
        const char *time = "";
        if (cx->timing) {
            /* PostgreSQL: the first row's and the last row's time, averaged per loop */
            double per = (double)(loops > 1 ? loops : 1);
            time = arena_sprintf(cx->a, "time=%.3f..%.3f ", cx->stats[p->id].startup_ms / per,
                                 cx->stats[p->id].time_ms / per);
        }
        line = arena_sprintf(cx->a, "%*s%s%s%s%s(actual %srows=%.0f loops=%llu)", indent, "", arrow,
                             label, estimate, cx->costs ? " " : "  ", time, rows,
                             (unsigned long long)loops);
    } else {
        line = arena_sprintf(cx->a, "%*s%s%s%s", indent, "", arrow, label, estimate);
    }
    int rc = lines_add(cx->lines, line);
    return rc == STRATA_OK ? explain_node_rest(cx, p, width, folded) : rc;
}

/* What follows a node's line (or opens its JSON object): its details, the CTEs
 * under the top node, its inputs, the subplans of its expressions. */
static int explain_node_rest(ExplainCtx *cx, const PlanNode *p, int width, const PlanNode *folded)
{
    int rc = explain_details(cx, p, width);
    bool is_append = p->kind == PLAN_SETOP && p->setop == SETOP_UNION && p->set_all;
    int removed = is_append ? count_pruned(cx, p) : 0;
    if (rc == STRATA_OK && removed > 0) {
        rc = add_detail(cx, width, "Subplans Removed", arena_sprintf(cx->a, "%d", removed));
    }
    if (rc == STRATA_OK && !cx->has_printed_ctes) {
        rc = explain_ctes(cx, width);
    }
    if (rc == STRATA_OK && is_append) {
        return append_inputs(cx, p, width);
    }
    if (rc == STRATA_OK && p->left) {
        relation(cx, "Outer", NULL);
        rc = explain_node(cx, p->left, width, true, NULL);
    }
    if (rc == STRATA_OK && p->right && p->kind == PLAN_LATERAL_JOIN) {
        const char **corr = lateral_corr(cx, p);
        const char *const *saved = cx->corr;
        int saved_count = cx->corr_count;
        cx->corr = corr;
        cx->corr_count = p->lateral->corr_count;
        relation(cx, "Inner", NULL);
        rc = corr != NULL ? explain_node(cx, p->right, width, true, NULL)
                          : lines_add(cx->lines, NULL);
        cx->corr = saved;
        cx->corr_count = saved_count;
    } else if (rc == STRATA_OK && p->right && p->kind == PLAN_JOIN && p->nestloop) {
        const char *const *saved = cx->outer;
        int saved_count = cx->outer_count;
        cx->outer = node_names(cx, p->left);
        cx->outer_count = p->left->column_count;
        relation(cx, "Inner", NULL);
        rc = cx->outer != NULL ? explain_node(cx, p->right, width, true, NULL)
                               : lines_add(cx->lines, NULL);
        cx->outer = saved;
        cx->outer_count = saved_count;
    } else if (rc == STRATA_OK && p->right) {
        relation(cx, "Inner", NULL);
        rc = explain_node(cx, p->right, width, true, NULL);
    }
    if (rc == STRATA_OK) {
        rc = explain_node_subplans(cx, p, folded, width);
    }
    return rc;
}

int plan_explain_tree(const Plan *plan, const NodeStats *stats, Arena *a, const char ***lines,
                      int *line_count, Error *err)
{
    return plan_explain_tree_pruned(plan, stats, NULL, NULL, a, lines, line_count, err);
}

int plan_explain_tree_pruned(const Plan *plan, const NodeStats *stats, const bool *pruned,
                             const NodeStats *preview, Arena *a, const char ***lines,
                             int *line_count, Error *err)
{
    Lines l = {0};
    l.a = a;
    const PlanNode *root = plan->root->kind == PLAN_EXPLAIN ? plan->root->explained : plan->root;
    bool qualify = count_relations(root) + cte_relations(plan) > 1;
    bool costs = plan->root->kind != PLAN_EXPLAIN || !plan->root->explain_no_costs;
    RefNames *refs = arena_zalloc(a, sizeof(RefNames));
    if (refs == NULL) {
        return arena_error(a, err);
    }
    name_relations(refs, root, a, false);
    name_relations(refs, root, a, true);
    for (int cte = 0; cte < plan->cte_count; cte++) {
        name_relations(refs, plan->ctes[cte].plan, a, false);
        name_relations(refs, plan->ctes[cte].plan, a, true);
    }
    bool timing = plan->root->kind == PLAN_EXPLAIN && plan->root->explain_timing && stats != NULL;
    ExplainCtx cx = {&l, a, stats, plan, qualify, costs, timing, false, refs, pruned, preview,
                     NULL, 0, NULL, 0, NULL};
    if (plan->root->kind == PLAN_EXPLAIN && plan->root->explain_format != EXPLAIN_FORMAT_TEXT) {
        cx.json = explain_doc_new(a, plan->root->explain_format);
        if (cx.json == NULL || explain_node(&cx, root, 0, false, NULL) != STRATA_OK) {
            return arena_error(a, err);
        }
        bool summary = plan->root->explain_summary && stats != NULL && root->id >= 0 &&
                       root->id < plan->node_count;
        const char *document =
            explain_doc_finish(cx.json, summary, summary ? stats[root->id].time_ms : 0);
        if (document == NULL || lines_add(&l, document) != STRATA_OK) {
            return arena_error(a, err);
        }
        *lines = l.items;
        *line_count = l.count;
        return STRATA_OK;
    }
    if (explain_node(&cx, root, 0, false, NULL) != STRATA_OK) {
        return arena_error(a, err);
    }
    if (plan->root->kind == PLAN_EXPLAIN && plan->root->explain_summary && stats != NULL &&
        root->id >= 0 && root->id < plan->node_count &&
        lines_add(&l, arena_sprintf(a, "Execution Time: %.3f ms", stats[root->id].time_ms)) !=
            STRATA_OK) {
        return arena_error(a, err);
    }
    *lines = l.items;
    *line_count = l.count;
    return STRATA_OK;
}

int plan_explain_lines(const Plan *plan, Arena *a, const char ***lines, int *line_count, Error *err)
{
    return plan_explain_tree(plan, NULL, a, lines, line_count, err);
}
