/*
 * plan/explain.c - EXPLAIN text of a plan tree, in PostgreSQL's shape
 * without costs: "Seq Scan on t  (rows=N)", "Hash Join", "  Hash Cond: ...".
 *
 * See src/plan/README.md.
 */
#include <stdio.h>
#include <string.h>

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

static const char *node_label(const PlanNode *p, Arena *a)
{
    switch (p->kind) {
    case PLAN_SCAN:
        if (p->scan_on_key) {
            return p->index != NULL
                       ? arena_sprintf(a, "Index Scan using %s on %s", p->index->name, p->table->name)
                       : arena_sprintf(a, "Index Scan on %s", p->table->name);
        }
        return arena_sprintf(a, "Seq Scan on %s", p->table->name);
    case PLAN_INDEX_SCAN: return arena_sprintf(a, "Index Scan using %s on %s", p->index->name, p->table->name);
    case PLAN_VALUES: return p->column_count == 0 ? "Result" : "Values Scan";
    case PLAN_FILTER: return "Filter";
    case PLAN_PROJECT: return "Result";
    case PLAN_JOIN: {
        static const char *types[] = {"", " Left", " Right", " Full", " Semi", " Anti"};
        return arena_sprintf(a, "%s%s Join", p->key_count > 0 ? "Hash" : "Nested Loop", types[p->join_type]);
    }
    case PLAN_AGG: return p->is_grouped ? "HashAggregate" : "Aggregate";
    case PLAN_SORT: return "Sort";
    case PLAN_LIMIT: return "Limit";
    case PLAN_DISTINCT: return p->distinct_on ? "Unique" : "HashAggregate";
    case PLAN_SETOP: return p->setop == SETOP_UNION ? (p->set_all ? "Append" : "HashAggregate") : "HashSetOp";
    case PLAN_WINDOW: return "WindowAgg";
    case PLAN_FUNCTION_SCAN: return "Function Scan";
    case PLAN_CTE_SCAN: return "CTE Scan";
    case PLAN_WORKTABLE_SCAN: return "WorkTable Scan";
    case PLAN_RECURSIVE_UNION: return "Recursive Union";
    case PLAN_MODIFY:
        return arena_sprintf(a, "%s on %s",
                             p->modify->kind == MODIFY_INSERT ? "Insert" : p->modify->kind == MODIFY_UPDATE ? "Update" : "Delete",
                             p->table->name);
    case PLAN_EXPLAIN: return "Explain";
    }
    return "?";
}

static int explain_node(const PlanNode *p, const NodeStats *stats, int depth, Lines *l)
{
    /* Projections are folded into their child, as PostgreSQL shows no separate node. */
    if (p->kind == PLAN_PROJECT && p->left != NULL) {
        return explain_node(p->left, stats, depth, l);
    }
    char indent[256];
    int width = depth * 6;
    if (width > 200) {
        width = 200;
    }
    memset(indent, ' ', (size_t)width);
    indent[width] = 0;
    const char *arrow = depth > 0 ? "->  " : "";
    const char *line;
    if (stats) {
        line = arena_sprintf(l->a, "%s%s%s  (rows=%.0f) (actual rows=%llu loops=%llu)", indent, arrow,
                             node_label(p, l->a), p->est_rows, (unsigned long long)stats[p->id].rows,
                             (unsigned long long)stats[p->id].loops);
    } else {
        line = arena_sprintf(l->a, "%s%s%s  (rows=%.0f)", indent, arrow, node_label(p, l->a), p->est_rows);
    }
    int rc = lines_add(l, line);
    if (rc == STRATA_OK && (p->kind == PLAN_INDEX_SCAN || (p->kind == PLAN_SCAN && p->scan_on_key))) {
        rc = lines_add(l, arena_sprintf(l->a, "%s%sIndex Cond: (%d key values, %d bound)", indent,
                                        depth > 0 ? "      " : "  ",
                                        p->low.count > p->high.count ? p->low.count : p->high.count,
                                        (p->low.count > 0) + (p->high.count > 0)));
    }
    if (rc == STRATA_OK && p->qual != NULL &&
        (p->kind == PLAN_SCAN || p->kind == PLAN_FILTER || p->kind == PLAN_INDEX_SCAN)) {
        rc = lines_add(l, arena_sprintf(l->a, "%s%sFilter: (...)", indent, depth > 0 ? "      " : "  "));
    }
    if (rc == STRATA_OK && p->kind == PLAN_JOIN && p->key_count > 0) {
        rc = lines_add(l, arena_sprintf(l->a, "%s%sHash Cond: (%d keys)", indent, depth > 0 ? "      " : "  ", p->key_count));
    }
    if (rc == STRATA_OK && p->left) {
        rc = explain_node(p->left, stats, depth + 1, l);
    }
    if (rc == STRATA_OK && p->right) {
        rc = explain_node(p->right, stats, depth + 1, l);
    }
    return rc;
}

int plan_explain_tree(const Plan *plan, const NodeStats *stats, Arena *a, const char ***lines,
                      int *line_count, Error *err)
{
    Lines l = {0};
    l.a = a;
    const PlanNode *root = plan->root->kind == PLAN_EXPLAIN ? plan->root->explained : plan->root;
    if (explain_node(root, stats, 0, &l) != STRATA_OK) {
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
