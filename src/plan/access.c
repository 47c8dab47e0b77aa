/*
 * plan/access.c - access path selection: turns a table scan whose pushed-down
 * predicate constrains a prefix of the clustering key or of a secondary
 * B+tree index into a key-range scan (PLAN_SCAN with scan_on_key) or an
 * index scan (PLAN_INDEX_SCAN: index range -> row ids -> table fetch).
 *
 * A usable conjunct is `column op value` (or `value op column`) with op one
 * of = < <= > >=, the column a plain table column and value an expression
 * without input columns or volatile functions (constants, $n, outer
 * correlation values, stable functions), of the column's type (or another
 * integer type: the executor converts, falling back to an unbounded scan when
 * the value does not fit). For each candidate key the planner takes the
 * longest prefix of equalities plus at most one range on the next column, and
 * keeps the candidate with the best score (a full unique equality first, then
 * more equalities, then a range; the clustering key wins ties since it needs
 * no fetch).
 *
 * Invariants
 *   1. The scan keeps its whole predicate as a recheck: the range only
 *      narrows what is read, so results never depend on the chosen path
 *      (the sqllogictest index/ folders compare tables with and without
 *      indexes). One exception, qual_is_key_range: on a clustering-key scan
 *      whose predicate is nothing but the range's terms on integer key
 *      columns with values of exactly the column's type, the range says the
 *      same as the predicate (memcomparable integer keys, inclusive and
 *      exclusive bounds as written, NULL values give an empty range), so the
 *      executor skips the recheck when it applies the range (rechecking was
 *      a fifth of a 100-row primary-key range scan).
 *   2. Partial indexes, expression keys and descending ranges are not used
 *      (equalities on descending columns are).
 *
 * See src/plan/README.md.
 */
#include <string.h>

#include "plan/bind_int.h"

typedef struct KeyTerm {
    int column;        /* table column */
    int op;            /* COMPARE_EQ / LT / LE / GT / GE with the column on the left */
    Expr *value;
    bool is_exact;     /* integer column, value of the very same type */
} KeyTerm;

static bool is_integer_type(TypeId t)
{
    return t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8;
}

/* True if e can be evaluated once at scan start: no input columns, nothing
 * volatile, no subqueries (correlation slots and $n are fine). */
static bool is_scan_constant(const Expr *e)
{
    switch (e->kind) {
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
        if (!is_scan_constant(e->args[k])) {
            return false;
        }
    }
    if (e->arg != NULL && !is_scan_constant(e->arg)) {
        return false;
    }
    return true;
}

static int op_of(const char *name)
{
    static const char *const names[] = {"=", "<>", "<", "<=", ">", ">="};
    for (int k = 0; k < 6; k++) {
        if (strcmp(name, names[k]) == 0) {
            return k;
        }
    }
    return -1;
}

static int op_commute(int op)
{
    switch (op) {
    case COMPARE_LT: return COMPARE_GT;
    case COMPARE_LE: return COMPARE_GE;
    case COMPARE_GT: return COMPARE_LT;
    case COMPARE_GE: return COMPARE_LE;
    default: return op;
    }
}

static bool types_compatible(SqlType column, SqlType value)
{
    if (column.id == value.id) {
        return true;
    }
    return is_integer_type(column.id) && is_integer_type(value.id);
}

/* Collects key terms from the conjuncts of qual (scan output columns mapped
 * to table columns through scan_columns). */
static void collect_terms(const PlanNode *scan, const Expr *e, KeyTerm *terms, int *count, int max)
{
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->arg_count; k++) {
            collect_terms(scan, e->args[k], terms, count, max);
        }
        return;
    }
    if (*count >= max || e->kind != EXPR_FUNC || e->arg_count != 2 || e->fn == NULL) {
        return;
    }
    int op = op_of(e->fn->name);
    if (op < 0 || op == COMPARE_NE) {
        return;
    }
    Expr *col = e->args[0], *val = e->args[1];
    if (col->kind != EXPR_COLUMN) {
        col = e->args[1];
        val = e->args[0];
        op = op_commute(op);
    }
    if (col->kind != EXPR_COLUMN || col->index < 0 || col->index >= scan->scan_column_count ||
        !is_scan_constant(val) || !types_compatible(col->type, val->type)) {
        return;
    }
    terms[*count].column = scan->scan_columns[col->index];
    terms[*count].op = op;
    terms[*count].value = val;
    terms[*count].is_exact = is_integer_type(col->type.id) && col->type.id == val->type.id &&
                             col->type.typmod == val->type.typmod;
    (*count)++;
}

typedef struct Candidate {
    const CatIndex *index;     /* NULL with is_key: the clustering key without a CatIndex */
    bool is_key;
    int eq_count;
    Expr *eq[64];
    Expr *low, *high;
    bool low_inclusive, high_inclusive;
    double score;
} Candidate;

static const KeyTerm *find_term(const KeyTerm *terms, int count, int column, bool want_eq,
                                bool want_low)
{
    for (int k = 0; k < count; k++) {
        if (terms[k].column != column) {
            continue;
        }
        int op = terms[k].op;
        if (want_eq && op == COMPARE_EQ) {
            return &terms[k];
        }
        if (!want_eq && want_low && (op == COMPARE_GT || op == COMPARE_GE)) {
            return &terms[k];
        }
        if (!want_eq && !want_low && (op == COMPARE_LT || op == COMPARE_LE)) {
            return &terms[k];
        }
    }
    return NULL;
}

static void evaluate(Candidate *c, const KeyTerm *terms, int term_count, const int *key_columns,
                     const bool *descending, int key_count, bool unique)
{
    c->eq_count = 0;
    c->low = c->high = NULL;
    c->score = 0;
    for (int k = 0; k < key_count && k < 64; k++) {
        int column = key_columns[k];
        if (column < 0) {
            break;
        }
        const KeyTerm *t = find_term(terms, term_count, column, true, false);
        if (t != NULL) {
            c->eq[c->eq_count++] = t->value;
            continue;
        }
        if (descending != NULL && descending[k]) {
            break;
        }
        const KeyTerm *lo = find_term(terms, term_count, column, false, true);
        const KeyTerm *hi = find_term(terms, term_count, column, false, false);
        if (lo != NULL) {
            c->low = lo->value;
            c->low_inclusive = lo->op == COMPARE_GE;
        }
        if (hi != NULL) {
            c->high = hi->value;
            c->high_inclusive = hi->op == COMPARE_LE;
        }
        break;
    }
    if (c->eq_count == 0 && c->low == NULL && c->high == NULL) {
        return;
    }
    c->score = c->eq_count * 4.0 + (c->low != NULL) + (c->high != NULL);
    if (unique && c->eq_count == key_count) {
        c->score += 100;
    }
    if (c->is_key) {
        c->score += 0.5;
    }
}

static int make_bound(Binder *b, const Candidate *c, Expr *last, bool inclusive, IndexBound *out)
{
    int count = c->eq_count + (last != NULL);
    out->count = count;
    out->inclusive = last != NULL ? inclusive : true;
    if (count == 0) {
        return STRATA_OK;
    }
    out->values = arena_zalloc(b->a, sizeof(Expr *) * (size_t)count);
    if (out->values == NULL) {
        return arena_error(b->a, b->err);
    }
    memcpy(out->values, c->eq, sizeof(Expr *) * (size_t)c->eq_count);
    if (last != NULL) {
        out->values[c->eq_count] = last;
    }
    return STRATA_OK;
}

static int conjunct_count(const Expr *e)
{
    if (e->kind != EXPR_AND) {
        return 1;
    }
    int count = 0;
    for (int k = 0; k < e->arg_count; k++) {
        count += conjunct_count(e->args[k]);
    }
    return count;
}

/* Invariant 1's exception: every conjunct of qual is an exact term, and the
 * candidate uses every term (each once: equalities, then one low and one
 * high bound). */
static bool qual_is_range(const Expr *qual, const KeyTerm *terms, int term_count,
                          const Candidate *c)
{
    int used = c->eq_count + (c->low != NULL) + (c->high != NULL);
    if (used != term_count || conjunct_count(qual) != term_count) {
        return false;
    }
    for (int k = 0; k < term_count; k++) {
        if (!terms[k].is_exact) {
            return false;
        }
    }
    return true;
}

int plan_choose_access(Binder *b, PlanNode *scan)
{
    if (scan->kind != PLAN_SCAN || scan->qual == NULL || scan->table == NULL ||
        scan->table->am == NULL || scan->table->kind != CAT_TABLE) {
        return STRATA_OK;
    }
    const CatTable *t = scan->table;
    KeyTerm terms[64];
    int term_count = 0;
    collect_terms(scan, scan->qual, terms, &term_count, 64);
    if (term_count == 0) {
        return STRATA_OK;
    }
    Candidate best, cur;
    memset(&best, 0, sizeof(best));
    if (t->pkey_count > 0) {
        memset(&cur, 0, sizeof(cur));
        cur.is_key = true;
        for (int i = 0; i < t->index_count; i++) {
            if (t->indexes[i]->primary) {
                cur.index = t->indexes[i];
            }
        }
        evaluate(&cur, terms, term_count, t->pkey_columns, NULL, t->pkey_count, true);
        if (cur.score > best.score) {
            best = cur;
        }
    }
    for (int i = 0; i < t->index_count; i++) {
        const CatIndex *ix = t->indexes[i];
        if (ix->primary || ix->am == NULL || ix->predicate_sql != NULL) {
            continue;
        }
        memset(&cur, 0, sizeof(cur));
        cur.index = ix;
        evaluate(&cur, terms, term_count, ix->key_columns, ix->key_descending, ix->key_count,
                 ix->unique);
        if (cur.score > best.score) {
            best = cur;
        }
    }
    if (best.score <= 0) {
        return STRATA_OK;
    }
    int rc = make_bound(b, &best, best.low, best.low_inclusive, &scan->low);
    if (rc == STRATA_OK) {
        rc = make_bound(b, &best, best.high, best.high_inclusive, &scan->high);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    scan->index = best.index;
    if (best.is_key) {
        scan->scan_on_key = true;
        scan->qual_is_key_range = qual_is_range(scan->qual, terms, term_count, &best);
    } else {
        scan->kind = PLAN_INDEX_SCAN;
    }
    /* Fewer rows expected: equality prefixes are selective. */
    double rows = scan->est_rows;
    if (best.score >= 100) {
        rows = 1;
    }
    scan->est_rows = rows < 1 ? 1 : rows;
    return STRATA_OK;
}
