/*
 * exec/scan_filter.c - predicates pushed into table scans as ScanFilters, and
 * the scan counters EXPLAIN ANALYZE shows.
 *
 * The conjuncts of a scan's qual of the form "column op constant" (op one of
 * = <> < <= > >=, also "constant op column"), "column IN (constants)" and
 * "column IS [NOT] NULL" become ScanFilters (BETWEEN binds to two
 * comparisons). They are hints: the access method may skip data with them
 * (the column store's zone maps) and the scan still evaluates the whole
 * qual, so correctness never depends on them. Each access method decides
 * which filters it can use (the column store checks the value types).
 *
 * See src/exec/README.md.
 */
#include <string.h>

#include "exec/exec_int.h"

static int filter_op_of(const char *name)
{
    static const char *const names[] = {"=", "<>", "<", "<=", ">", ">="};
    static const int ops[] = {FILTER_EQ, FILTER_NE, FILTER_LT, FILTER_LE, FILTER_GT, FILTER_GE};
    for (int k = 0; k < 6; k++) {
        if (strcmp(name, names[k]) == 0) {
            return ops[k];
        }
    }
    return -1;
}

static int filter_op_commute(int op)
{
    switch (op) {
    case FILTER_LT: return FILTER_GT;
    case FILTER_LE: return FILTER_GE;
    case FILTER_GT: return FILTER_LT;
    case FILTER_GE: return FILTER_LE;
    default: return op;
    }
}

/* The table column of a scan output column reference, or -1. */
static int table_column(const PlanNode *p, const Expr *e)
{
    if (e->kind != EXPR_COLUMN || e->index < 0 || e->index >= p->scan_column_count) {
        return -1;
    }
    return p->scan_columns[e->index];
}

/* A copy of a constant's value typed as the constant (the type the access
 * method checks), in a. */
static Value *const_values(Arena *a, Expr *const *args, int count)
{
    Value *values = arena_alloc(a, sizeof(Value) * (size_t)count);
    for (int k = 0; values != NULL && k < count; k++) {
        values[k] = args[k]->value;
        values[k].type = args[k]->type;
    }
    return values;
}

/* Adds the filter of one conjunct (if it has the form) to out[*count]. */
static int add_filter(const PlanNode *p, const Expr *e, Arena *a, ScanFilter *out, int *count)
{
    ScanFilter f = {.column = -1};
    if (e->kind == EXPR_NULL_TEST && e->arg_count == 1) {
        f.column = table_column(p, e->args[0]);
        f.op = e->is_not ? FILTER_IS_NOT_NULL : FILTER_IS_NULL;
    } else if (e->kind == EXPR_IN_LIST && !e->is_not && e->arg_count >= 2) {
        for (int k = 1; k < e->arg_count; k++) {
            if (e->args[k]->kind != EXPR_CONST) {
                return STRATA_OK;
            }
        }
        f.column = table_column(p, e->args[0]);
        f.op = FILTER_IN;
        f.value_count = e->arg_count - 1;
        if (f.column >= 0 && (f.values = const_values(a, e->args + 1, f.value_count)) == NULL) {
            return STRATA_NOMEM;
        }
    } else if (e->kind == EXPR_FUNC && e->arg_count == 2 && e->fn != NULL &&
               e->fn->kind == FUNC_KIND_OPERATOR_INFIX) {
        int op = filter_op_of(e->fn->name);
        Expr *const *args = e->args;
        if (op < 0) {
            return STRATA_OK;
        }
        if (args[0]->kind == EXPR_CONST && args[1]->kind == EXPR_COLUMN) {
            f.column = table_column(p, args[1]);
            f.op = filter_op_commute(op);
            if (f.column >= 0 && (f.values = const_values(a, args, 1)) == NULL) {
                return STRATA_NOMEM;
            }
        } else if (args[1]->kind == EXPR_CONST) {
            f.column = table_column(p, args[0]);
            f.op = op;
            if (f.column >= 0 && (f.values = const_values(a, args + 1, 1)) == NULL) {
                return STRATA_NOMEM;
            }
        }
        f.value_count = 1;
    }
    if (f.column >= 0) {
        out[(*count)++] = f;
    }
    return STRATA_OK;
}

static int count_conjuncts(const Expr *e)
{
    if (e->kind != EXPR_AND) {
        return 1;
    }
    int total = 0;
    for (int k = 0; k < e->arg_count; k++) {
        total += count_conjuncts(e->args[k]);
    }
    return total;
}

static int collect(const PlanNode *p, const Expr *e, Arena *a, ScanFilter *out, int *count)
{
    if (e->kind != EXPR_AND) {
        return add_filter(p, e, a, out, count);
    }
    for (int k = 0; k < e->arg_count; k++) {
        int rc = collect(p, e->args[k], a, out, count);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int exec_scan_filters(const PlanNode *p, Arena *a, const ScanFilter **filters, int *count, Error *err)
{
    *filters = NULL;
    *count = 0;
    if (p->qual == NULL) {
        return STRATA_OK;
    }
    ScanFilter *out = arena_alloc(a, sizeof(ScanFilter) * (size_t)count_conjuncts(p->qual));
    if (out == NULL || collect(p, p->qual, a, out, count) != STRATA_OK) {
        return arena_error(a, err);
    }
    *filters = out;
    return STRATA_OK;
}

void exec_scan_count(ExecNode *n, const TableAm *am)
{
    TableScanCounters now;
    if (n->es->stats == NULL || n->scan == NULL || !tam_scan_counters(am, n->scan, &now)) {
        return;
    }
    NodeStats *st = &n->es->stats[n->p->id];
    st->has_scan_counters = true;
    st->row_groups_scanned += now.row_groups_scanned - n->scan_seen.row_groups_scanned;
    st->row_groups_skipped += now.row_groups_skipped - n->scan_seen.row_groups_skipped;
    st->bytes_read += now.bytes_read - n->scan_seen.bytes_read;
    n->scan_seen = now;
}
