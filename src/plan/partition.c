/*
 * plan/partition.c - scans of partitioned tables: a PLAN_SCAN of a
 * partitioned table, with the predicates pushed down to it, becomes an
 * Append (a chain of UNION ALL set operations, which EXPLAIN prints as one
 * PostgreSQL "Append" node) of one scan per partition that can hold matching
 * rows. Each partition scan keeps the whole pushed-down qual, so pruning
 * never changes results: it only skips partitions whose bound contradicts a
 * conjunct "key op constant" (op = < <= > >=, IN lists, IS NULL) on the
 * first key column.
 *
 * Sub-partitioned partitions are expanded recursively. A scan of one
 * partition is labelled with the parent's alias (PostgreSQL: "Seq Scan on
 * t_2024_q1 t"), several with alias_1, alias_2, ...
 *
 * See src/plan/README.md.
 */
#include <string.h>

#include "catalog/partition.h"
#include "plan/bind_int.h"
#include "sql/parser.h"
#include "types/compare.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

/* One usable conjunct on the first key column. */
typedef struct KeyCond {
    int op;              /* COMPARE_*; -1 = IN list; -2 = IS NULL */
    const Value *values; /* op >= 0: one value; IN: count values */
    int count;
} KeyCond;

enum { COND_IN = -1, COND_IS_NULL = -2 };

static int compare_op(const char *name, bool swapped)
{
    int op = compare_op_of(name);
    return swapped && op >= 0 ? compare_op_commute(op) : op;
}

static bool is_key_column(const PlanNode *scan, const Expr *e, int key_column)
{
    return e->kind == EXPR_COLUMN && e->index >= 0 && e->index < scan->scan_column_count &&
           scan->scan_columns[e->index] == key_column;
}

static bool is_usable_const(const Expr *e)
{
    return e->kind == EXPR_CONST && !e->value.is_null;
}

/* Reads conjunct e as a condition on key_column; false if it is not one. */
static bool key_cond(const PlanNode *scan, const Expr *e, int key_column, KeyCond *out)
{
    if (e->kind == EXPR_FUNC && e->arg_count == 2 && e->fn != NULL) {
        bool left = is_key_column(scan, e->args[0], key_column) && is_usable_const(e->args[1]);
        bool right = is_key_column(scan, e->args[1], key_column) && is_usable_const(e->args[0]);
        if (!left && !right) {
            return false;
        }
        out->op = compare_op(e->fn->name, right);
        out->values = left ? &e->args[1]->value : &e->args[0]->value;
        out->count = 1;
        return out->op >= 0 && out->op != COMPARE_NE;
    }
    if (e->kind == EXPR_IN_LIST && !e->is_not && e->arg_count >= 2 &&
        is_key_column(scan, e->args[0], key_column)) {
        for (int k = 1; k < e->arg_count; k++) {
            if (e->args[k]->kind != EXPR_CONST) {
                return false;
            }
        }
        out->op = COND_IN;
        out->values = NULL;
        out->count = e->arg_count - 1;
        return true;
    }
    if (e->kind == EXPR_NULL_TEST && !e->is_not && e->arg_count == 1 &&
        is_key_column(scan, e->args[0], key_column)) {
        out->op = COND_IS_NULL;
        out->count = 0;
        return true;
    }
    return false;
}

/* Could some key x in the range partition [low, high) satisfy x op v? Only
 * the first key column is known: with several key columns the upper bound is
 * inclusive on it. */
static bool range_may_match(const CatPartitionBound *bd, int key_count, int op, const Value *v)
{
    int low_kind = bd->lower_kind[0], high_kind = bd->upper_kind[0];
    /* c_low: v compared with the lower bound, c_high: with the upper bound. */
    int c_low = low_kind == CAT_BOUND_MINVALUE   ? 1
                : low_kind == CAT_BOUND_MAXVALUE ? -1
                                                 : value_compare(v, &bd->lower[0]);
    int c_high = high_kind == CAT_BOUND_MINVALUE   ? 1
                 : high_kind == CAT_BOUND_MAXVALUE ? -1
                                                   : value_compare(v, &bd->upper[0]);
    bool high_inclusive = key_count > 1;
    bool below_high = c_high < 0 || (high_inclusive && c_high == 0);
    switch (op) {
    case COMPARE_EQ: return c_low >= 0 && below_high;
    case COMPARE_LT: return c_low > 0;
    case COMPARE_LE: return c_low >= 0;
    case COMPARE_GT:
    case COMPARE_GE: return below_high;
    }
    return true;
}

static bool value_fits(const CatTable *parent, const CatPartitionBound *bd, int op,
                       const Value *v)
{
    const CatPartitionKey *key = parent->partition_key;
    switch (key->strategy) {
    case CAT_PART_RANGE: return range_may_match(bd, key->key_count, op, v);
    case CAT_PART_LIST:
        for (int k = 0; k < bd->count; k++) {
            if (bd->values[k].is_null) {
                continue;
            }
            int c = value_compare(&bd->values[k], v);
            bool ok = op == COMPARE_EQ   ? c == 0
                      : op == COMPARE_LT ? c < 0
                      : op == COMPARE_LE ? c <= 0
                      : op == COMPARE_GT ? c > 0
                                         : c >= 0;
            if (ok) {
                return true;
            }
        }
        return false;
    case CAT_PART_HASH: {
        if (op != COMPARE_EQ || key->key_count != 1) {
            return true;
        }
        /* The key as a one-column row. */
        static const int first_column = 0;
        CatPartitionKey one = {key->strategy, 1, &first_column};
        return partition_bound_contains(&one, bd, v);
    }
    }
    return true;
}

/* True if a non-DEFAULT partition of parent holds key value v (one-column keys). */
static bool listed_elsewhere(const CatTable *parent, const Value *v)
{
    static const int first_column = 0;
    CatPartitionKey one = {parent->partition_key->strategy, 1, &first_column};
    for (int p = 0; p < parent->partition_count; p++) {
        const CatPartitionBound *bd = parent->partitions[p]->partition_bound;
        if (!bd->is_default && partition_bound_contains(&one, bd, v)) {
            return true;
        }
    }
    return false;
}

/* The DEFAULT partition holds what no other partition holds: an equality
 * (or IN list) whose every value another partition holds skips it. */
static bool default_may_match(const CatTable *parent, const Expr *conj, const KeyCond *cond)
{
    if (parent->partition_key->key_count != 1) {
        return true;
    }
    if (cond->op == COND_IS_NULL) {
        Value null_key = value_null(sql_type(TYPE_TEXT));
        return !listed_elsewhere(parent, &null_key);
    }
    if (cond->op == COMPARE_EQ) {
        return !listed_elsewhere(parent, cond->values);
    }
    if (cond->op != COND_IN) {
        return true;
    }
    for (int k = 1; k < conj->arg_count; k++) {
        const Value *v = &conj->args[k]->value;
        if (!v->is_null && !listed_elsewhere(parent, v)) {
            return true;
        }
    }
    return false;
}

/* False if the partition's bound contradicts condition cond. */
static bool cond_may_match(const CatTable *parent, const CatTable *part, const Expr *conj,
                           const KeyCond *cond)
{
    const CatPartitionBound *bd = part->partition_bound;
    if (bd->is_default) {
        return default_may_match(parent, conj, cond);
    }
    if (cond->op == COND_IS_NULL) {
        if (parent->partition_key->strategy == CAT_PART_LIST) {
            for (int k = 0; k < bd->count; k++) {
                if (bd->values[k].is_null) {
                    return true;
                }
            }
            return false;
        }
        return parent->partition_key->strategy == CAT_PART_HASH;
    }
    if (cond->op == COND_IN) {
        for (int k = 1; k < conj->arg_count; k++) {
            const Value *v = &conj->args[k]->value;
            if (!v->is_null && value_fits(parent, bd, COMPARE_EQ, v)) {
                return true;
            }
        }
        return false;
    }
    return value_fits(parent, bd, cond->op, cond->values);
}

static void flatten(const Expr *e, const Expr **out, int *count, int max)
{
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->arg_count; k++) {
            flatten(e->args[k], out, count, max);
        }
    } else if (*count < max) {
        out[(*count)++] = e;
    }
}

static bool partition_may_match(const PlanNode *scan, const CatTable *parent,
                                const CatTable *part)
{
    if (scan->qual == NULL) {
        return true;
    }
    const Expr *conj[128];
    int count = 0;
    flatten(scan->qual, conj, &count, 128);
    int key_column = parent->partition_key->key_columns[0];
    for (int k = 0; k < count; k++) {
        KeyCond cond;
        if (key_cond(scan, conj[k], key_column, &cond) &&
            !cond_may_match(parent, part, conj[k], &cond)) {
            return false;
        }
    }
    return true;
}

static int nomem(Binder *b) { return arena_error(b->a, b->err); }

/* ---- run-time pruning -------------------------------------------------------------------- */

/* Computed once at executor start: $n, current_date and the like (no
 * correlation values: a gate is evaluated before any outer row). */
static bool is_runtime_value(const Expr *e)
{
    return expr_is_start_value(e, false);
}

/* "key op x" with x free of columns but not a constant ($n, stable calls). */
static bool runtime_cond(const PlanNode *scan, const Expr *e, int key_column, int *op,
                         Expr **value)
{
    if (e->kind != EXPR_FUNC || e->arg_count != 2 || e->fn == NULL) {
        return false;
    }
    for (int side = 0; side < 2; side++) {
        Expr *other = e->args[1 - side];
        if (is_key_column(scan, e->args[side], key_column) && other->kind != EXPR_CONST &&
            is_runtime_value(other)) {
            *op = compare_op(e->fn->name, side == 1);
            *value = other;
            return *op >= 0 && *op != COMPARE_NE;
        }
    }
    return false;
}

static int combine(Binder *b, ExprKind kind, Expr **acc, Expr *e)
{
    if (e == NULL) {
        return nomem(b);
    }
    if (*acc == NULL) {
        *acc = e;
        return STRATA_OK;
    }
    Expr *both = expr_new(b->a, kind, sql_type(TYPE_BOOL), -1);
    if (both == NULL || (both->args = arena_zalloc(b->a, sizeof(Expr *) * 2)) == NULL) {
        return nomem(b);
    }
    both->args[0] = *acc;
    both->args[1] = e;
    both->arg_count = 2;
    *acc = both;
    return STRATA_OK;
}

static int gate_or(Binder *b, Expr **acc, Expr *e) { return combine(b, EXPR_OR, acc, e); }
static int gate_join(Binder *b, Expr **acc, Expr *e) { return combine(b, EXPR_AND, acc, e); }

/* gate = gate AND (x op bound), bound a constant datum. */
static int gate_and(Binder *b, Expr **gate, Expr *x, const char *op, const Value *bound)
{
    Expr *left = x;
    Expr *right = expr_const(b->a, *bound, -1);
    Expr *cmp;
    if (right == NULL) {
        return nomem(b);
    }
    int rc = resolve_oper(b, op, &left, &right, -1, &cmp);
    return rc != STRATA_OK ? rc : gate_join(b, gate, cmp);
}

/* The condition on x under which a RANGE partition can hold "key op x". */
static int range_gate(Binder *b, const CatPartitionBound *bd, int key_count, int op, Expr *x,
                      Expr **gate)
{
    bool has_low = bd->lower_kind[0] == CAT_BOUND_VALUE;
    bool has_high = bd->upper_kind[0] == CAT_BOUND_VALUE;
    const char *below_high = key_count > 1 ? "<=" : "<";
    int rc = STRATA_OK;
    if (has_low && (op == COMPARE_EQ || op == COMPARE_LE)) {
        rc = gate_and(b, gate, x, ">=", &bd->lower[0]);
    } else if (has_low && op == COMPARE_LT) {
        rc = gate_and(b, gate, x, ">", &bd->lower[0]);
    }
    if (rc == STRATA_OK && has_high && op != COMPARE_LT && op != COMPARE_LE) {
        rc = gate_and(b, gate, x, below_high, &bd->upper[0]);
    }
    return rc;
}

/* The partition's run-time gate from every "key op $n" conjunct of the
 * scan's qual (RANGE partitions and LIST equalities; NULL: none). */
static int partition_gate(Binder *b, const PlanNode *scan, const CatTable *parent,
                          const CatTable *part, Expr **gate)
{
    *gate = NULL;
    const CatPartitionBound *bd = part->partition_bound;
    char strategy = parent->partition_key->strategy;
    if (scan->qual == NULL || bd->is_default || strategy == CAT_PART_HASH) {
        return STRATA_OK;
    }
    const Expr *conj[128];
    int count = 0;
    flatten(scan->qual, conj, &count, 128);
    int key_column = parent->partition_key->key_columns[0];
    for (int k = 0; k < count; k++) {
        int op;
        Expr *x;
        if (!runtime_cond(scan, conj[k], key_column, &op, &x)) {
            continue;
        }
        int rc = STRATA_OK;
        if (strategy == CAT_PART_RANGE) {
            rc = range_gate(b, bd, parent->partition_key->key_count, op, x, gate);
        } else if (op == COMPARE_EQ) {
            /* LIST: x equals one of the values (a partition listing only NULL
             * never matches an equality). */
            Expr *any = NULL;
            for (int v = 0; v < bd->count && rc == STRATA_OK; v++) {
                Expr *one = NULL;
                if (!bd->values[v].is_null && (rc = gate_and(b, &one, x, "=", &bd->values[v])) == STRATA_OK) {
                    rc = gate_or(b, &any, one);
                }
            }
            if (rc == STRATA_OK) {
                rc = any != NULL ? gate_join(b, gate, any)
                                 : gate_join(b, gate, expr_const(b->a, value_bool(false), -1));
            }
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* The fraction of rows the scan's qual keeps, as optimize.c estimates it
 * (the parent's own row count, 0, says nothing). */
static double qual_selectivity(const Expr *qual)
{
    if (qual == NULL) {
        return 1;
    }
    const Expr *conj[128];
    int count = 0;
    flatten(qual, conj, &count, 128);
    double sel = 1;
    for (int k = 0; k < count; k++) {
        const Expr *e = conj[k];
        bool is_eq = e->kind == EXPR_FUNC && e->fn != NULL && strcmp(e->fn->name, "=") == 0;
        sel *= is_eq ? 0.05 : e->kind == EXPR_IN_LIST ? 0.1 : 0.33;
    }
    return sel;
}

/* A copy of scan reading partition part. */
static int partition_scan(Binder *b, const PlanNode *scan, const CatTable *part, PlanNode **out)
{
    PlanNode *n = plan_node_new(b, PLAN_SCAN, NULL, NULL);
    if (n == NULL) {
        return nomem(b);
    }
    int id = n->id;
    *n = *scan;
    n->id = id;
    n->table = part;
    n->est_rows = estimate_table_rows(b, part) * qual_selectivity(scan->qual);
    if (part->partition_key != NULL) {
        int rc = plan_partition_expand(b, &n);
        *out = n;
        return rc;
    }
    if (n->est_rows < 1) {
        n->est_rows = 1;
    }
    *out = n;
    int rc = partition_gate(b, scan, scan->table, part, &n->partition_gate);
    return rc != STRATA_OK ? rc : plan_choose_access(b, n, NULL);
}

static PlanNode *append_pair(Binder *b, PlanNode *left, PlanNode *right, const PlanNode *scan)
{
    PlanNode *u = plan_node_new(b, PLAN_SETOP, left, right);
    if (u == NULL) {
        return NULL;
    }
    u->setop = SETOP_UNION;
    u->set_all = true;
    u->table = scan->table; /* marks a partition Append for EXPLAIN */
    u->alias = scan->alias;
    u->scan_columns = scan->scan_columns;
    u->scan_column_count = scan->scan_column_count;
    u->want_row_id = scan->want_row_id;
    u->est_rows = left->est_rows + right->est_rows;
    plan_node_set_columns(b, u, scan->column_count, scan->column_types, scan->column_names);
    return u;
}

/* No partition can match: an empty VALUES of the scan's columns. */
static int empty_scan(Binder *b, const PlanNode *scan, PlanNode **out)
{
    PlanNode *n = plan_node_new(b, PLAN_VALUES, NULL, NULL);
    if (n == NULL) {
        return nomem(b);
    }
    n->row_count = 0;
    n->est_rows = 1;
    n->table = scan->table; /* EXPLAIN: Result, One-Time Filter: false */
    n->alias = scan->alias;
    plan_node_set_columns(b, n, scan->column_count, scan->column_types, scan->column_names);
    *out = n;
    return STRATA_OK;
}

int plan_partition_expand(Binder *b, PlanNode **scan_ptr)
{
    PlanNode *scan = *scan_ptr;
    const CatTable *parent = scan->table;
    PlanNode **kept = arena_zalloc(b->a, sizeof(PlanNode *) * (size_t)(parent->partition_count + 1));
    if (kept == NULL) {
        return nomem(b);
    }
    int count = 0;
    for (int p = 0; p < parent->partition_count; p++) {
        const CatTable *part = parent->partitions[p];
        if (!partition_may_match(scan, parent, part)) {
            continue;
        }
        int rc = partition_scan(b, scan, part, &kept[count]);
        if (rc != STRATA_OK) {
            return rc;
        }
        count++;
    }
    if (count == 0) {
        return empty_scan(b, scan, scan_ptr);
    }
    const char *alias = scan->alias != NULL ? scan->alias : parent->name;
    for (int k = 0; k < count && count > 1; k++) {
        if (kept[k]->kind == PLAN_SCAN || kept[k]->kind == PLAN_INDEX_SCAN) {
            kept[k]->alias = arena_sprintf(b->a, "%s_%d", alias, k + 1);
        }
    }
    PlanNode *cur = kept[0];
    for (int k = 1; k < count; k++) {
        if ((cur = append_pair(b, cur, kept[k], scan)) == NULL) {
            return nomem(b);
        }
    }
    *scan_ptr = cur;
    return STRATA_OK;
}

/* A bound value as PostgreSQL prints it in a constraint: '2024-01-01'::date. */
static char *literal_of(const Value *v, Arena *a)
{
    StrRef text;
    Error ignored;
    error_clear(&ignored);
    if (value_format(v, a, &text, &ignored) != STRATA_OK) {
        return NULL;
    }
    char *s = arena_strdup(a, "'");
    for (uint32_t k = 0; s != NULL && k < text.len; k++) {
        s = arena_sprintf(a, text.ptr[k] == '\'' ? "%s''" : "%s%c", s, text.ptr[k]);
    }
    return s != NULL ? arena_sprintf(a, "%s'::%s", s, type_name(v->type, a)) : NULL;
}

/* pg_get_partition_constraintdef: the implied constraint of a partition of a
 * one-column RANGE or LIST key, in PostgreSQL's form; NULL for the others
 * (psql then prints "No partition constraint"). */
const char *plan_partition_constraint_text(const Catalog *c, const CatTable *t, Arena *a)
{
    const CatPartitionBound *bd = t->partition_bound;
    const CatTable *parent = t->parent_id != 0 ? catalog_table_by_id(c, t->parent_id) : NULL;
    if (bd == NULL || bd->is_default || parent == NULL || parent->partition_key == NULL ||
        parent->partition_key->key_count != 1) {
        return NULL;
    }
    const CatPartitionKey *key = parent->partition_key;
    const char *col = sql_quote_identifier(parent->columns[key->key_columns[0]].name, a);
    char *s = col != NULL ? arena_sprintf(a, "((%s IS NOT NULL)", col) : NULL;
    if (key->strategy == CAT_PART_RANGE) {
        if (s != NULL && bd->lower_kind[0] == CAT_BOUND_VALUE) {
            char *v = literal_of(&bd->lower[0], a);
            s = v != NULL ? arena_sprintf(a, "%s AND (%s >= %s)", s, col, v) : NULL;
        }
        if (s != NULL && bd->upper_kind[0] == CAT_BOUND_VALUE) {
            char *v = literal_of(&bd->upper[0], a);
            s = v != NULL ? arena_sprintf(a, "%s AND (%s < %s)", s, col, v) : NULL;
        }
    } else if (key->strategy == CAT_PART_LIST) {
        s = s != NULL ? arena_sprintf(a, "%s AND (%s = ANY (ARRAY[", s, col) : NULL;
        int shown = 0;
        for (int k = 0; s != NULL && k < bd->count; k++) {
            if (bd->values[k].is_null) {
                continue; /* PostgreSQL adds "OR col IS NULL"; kept simple here */
            }
            char *v = literal_of(&bd->values[k], a);
            s = v != NULL ? arena_sprintf(a, "%s%s%s", s, shown++ ? ", " : "", v) : NULL;
        }
        s = s != NULL ? arena_sprintf(a, "%s]))", s) : NULL;
    } else {
        return NULL;
    }
    return s != NULL ? arena_sprintf(a, "%s)", s) : NULL;
}
