/*
 * plan/access.c - access path selection: turns a table scan into a
 * clustering-key range scan (PLAN_SCAN with scan_on_key), a secondary index
 * scan (PLAN_INDEX_SCAN: index range -> row ids -> table fetch) or an
 * index-only scan (the index entries alone), by comparing estimated costs.
 *
 * A usable conjunct ("term") of the scan's pushed-down predicate is
 *   key op value        op one of = < <= > >= (either side order)
 *   key IN (v1, ...)    a set of point lookups
 *   (k1, k2) op (v1, v2)  a row comparison (cursor pagination), a range on
 *                       consecutive keys of one direction
 * where key is a plain column or an expression structurally equal to an
 * index's key expression (lower(email), attributes->>'ram'), and every value
 * is free of input columns and volatile functions (constants, $n, outer
 * correlation values). A partial index (WHERE pred) is a candidate only when
 * the scan's predicate implies pred (access_implied.c).
 *
 * For each candidate key (the clustering key, then each secondary index) the
 * planner takes the longest prefix of equalities, then an IN list or a range
 * on the next key, and estimates the rows read with the ANALYZE statistics
 * when there are some (null fraction, distinct count, histogram) or
 * PostgreSQL's default selectivities when not. Costs are in "row units" (one
 * row of a sequential scan): a secondary index pays a descent per lookup and
 * a table fetch per entry, so small tables and unselective predicates keep
 * their sequential scan. A request from the SELECT above (AccessRequest:
 * ORDER BY keys, LIMIT, the columns it reads) lets an index whose order
 * gives the ORDER BY win (a forward or backward scan with no Sort, cheap
 * under LIMIT), and an index holding every needed column scan alone.
 *
 * Invariants
 *   1. Results never depend on the chosen path (tests/sql/index/ compares
 *      tables with and without indexes): the scan keeps as a recheck every
 *      conjunct the key range does not answer exactly (answered(): a
 *      value of another type, a range open towards the NULLs, a row
 *      comparison).
 *   2. Order is claimed only from a table access method whose scans follow
 *      the clustering key (TableAm.scans_in_key_order) or from an index scan
 *      without IN lists, and only when NULL placement matches.
 *   3. An index-only scan is chosen only when every column the query reads
 *      is a key the index method returns exactly (IndexAm.can_return) or an
 *      INCLUDE column; the other output columns are NULL and never read.
 *
 * See src/plan/README.md.
 */
#include <math.h>
#include <string.h>

#include "plan/access_int.h"
#include "plan/estimate_int.h"
#include "types/array.h"
#include "storage/tam.h"
#include "types/compare.h"

enum { KEYS_MAX = 32, TERMS_MAX = 64 };

/* Costs in row units (one row of a sequential scan). */
#define COST_DESCENT 10.0      /* one B+tree descent of a secondary index */
#define COST_KEY_DESCENT 2.0   /* the clustering key: a scan descends once anyway */
#define COST_FETCH 6.0         /* an index entry plus a table fetch by row id */
#define COST_INDEX_ONLY 1.5    /* an index entry read alone */
#define COST_SORT_FACTOR 0.2   /* per row and log2(rows) */


typedef struct Candidate {
    const CatIndex *index;     /* NULL with is_key: the clustering key without a CatIndex */
    bool is_key;
    IndexKey keys[KEYS_MAX];
    int key_count;
    bool unique;
    int eq_count;
    const KeyTerm *eq[KEYS_MAX];
    const KeyTerm *in;         /* IN list on key eq_count */
    Expr *low[KEYS_MAX], *high[KEYS_MAX]; /* bound values after the equal prefix */
    int low_count, high_count;
    bool low_inclusive, high_inclusive;
    const KeyTerm *lower_term, *upper_term; /* the query's bounds, for EXPLAIN */
    double pred_sel;           /* partial index: fraction of rows indexed */
    double sel;                /* fraction of rows read */
    double cost;
    bool reverse;
    bool gives_order;
    bool index_only;
} Candidate;

static bool is_integer_type(TypeId t)
{
    return t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8;
}

static bool is_string_type(TypeId t)
{
    return t == TYPE_TEXT || t == TYPE_VARCHAR;
}

static bool types_compatible(SqlType key, SqlType value)
{
    if (key.id == value.id) {
        return true;
    }
    return (is_integer_type(key.id) && is_integer_type(value.id)) ||
           (is_string_type(key.id) && is_string_type(value.id));
}

/* ---- index keys over the scan's output columns ----------------------------------- */

/* The scan output position of table column col, or -1. */
static int output_of(const PlanNode *scan, int col)
{
    for (int pos = 0; pos < scan->scan_column_count; pos++) {
        if (scan->scan_columns[pos] == col) {
            return pos;
        }
    }
    return -1;
}

/* Binds SQL text over the table (index expression or predicate) and remaps it
 * to the scan's output columns. NULL when it cannot be used (a column the
 * scan does not produce, or the text does not bind: then the index is simply
 * not considered). */
Expr *access_bind_table_sql(Binder *b, const PlanNode *scan, const char *sql)
{
    const CatTable *t = scan->table;
    Error scratch;
    error_clear(&scratch);
    Error *saved = b->err;
    b->err = &scratch;
    Expr *e = NULL;
    int rc = bind_table_expr_sql(b, t, sql, NULL, &e);
    b->err = saved;
    if (rc != STRATA_OK || e == NULL) {
        return NULL;
    }
    e = fold_constants(b, e);
    bool *used = arena_zalloc(b->a, (size_t)t->column_count + 1);
    int *map = arena_zalloc(b->a, sizeof(int) * (size_t)(t->column_count + 1));
    if (used == NULL || map == NULL) {
        return NULL;
    }
    expr_collect_columns(e, used);
    for (int col = 0; col < t->column_count; col++) {
        map[col] = output_of(scan, col);
        if (used[col] && map[col] < 0) {
            return NULL;
        }
    }
    return expr_remap(b->a, e, map);
}

static void key_of_column(const PlanNode *scan, int col, SqlType type, bool desc, IndexKey *out)
{
    out->column = output_of(scan, col);
    out->expr = NULL;
    out->type = type;
    out->desc = desc;
    out->table_column = col;
    out->not_null = scan->table->columns[col].not_null;
    /* char(n) compares ignoring trailing blanks, its key encoding does not:
     * a lookup of '5' would miss the stored '5  '. Never use such a key. */
    if (type.id == TYPE_BPCHAR) {
        out->column = -1;
    }
}

/* Fills c->keys for index ix (NULL: the clustering key). */
static void candidate_keys(Binder *b, const PlanNode *scan, const CatIndex *ix, Candidate *c)
{
    const CatTable *t = scan->table;
    if (ix == NULL || ix->primary) {
        c->key_count = t->pkey_count < KEYS_MAX ? t->pkey_count : KEYS_MAX;
        for (int k = 0; k < c->key_count; k++) {
            int col = t->pkey_columns[k];
            key_of_column(scan, col, t->columns[col].type, false, &c->keys[k]);
        }
        return;
    }
    c->key_count = ix->key_count < KEYS_MAX ? ix->key_count : KEYS_MAX;
    for (int k = 0; k < c->key_count; k++) {
        bool desc = ix->key_descending != NULL && ix->key_descending[k];
        int col = ix->key_columns[k];
        if (col >= 0) {
            key_of_column(scan, col, ix->key_types[k], desc, &c->keys[k]);
            continue;
        }
        c->keys[k].column = -1;
        c->keys[k].table_column = -1;
        c->keys[k].type = ix->key_types[k];
        c->keys[k].desc = desc;
        c->keys[k].not_null = false;
        c->keys[k].expr = ix->key_sql != NULL && ix->key_sql[k] != NULL &&
                                  ix->key_types[k].id != TYPE_BPCHAR
                              ? access_bind_table_sql(b, scan, ix->key_sql[k]) : NULL;
    }
}

int access_index_keys(Binder *b, const PlanNode *scan, const CatIndex *ix, IndexKey *keys, int max)
{
    Candidate *c = arena_zalloc(b->a, sizeof(Candidate));
    if (c == NULL) {
        return 0;
    }
    candidate_keys(b, scan, ix, c);
    int count = c->key_count < max ? c->key_count : max;
    memcpy(keys, c->keys, sizeof(IndexKey) * (size_t)count);
    return count;
}

bool access_key_matches(const IndexKey *key, const Expr *e)
{
    if (key->column >= 0) {
        /* varchar -> text is binary-coercible (PostgreSQL's RelabelType):
         * email = 'x' on a varchar column compares (email)::text. */
        if (e->kind == EXPR_CAST && e->type.id == TYPE_TEXT && key->type.id == TYPE_VARCHAR &&
            e->arg_count == 1) {
            e = e->args[0];
        }
        return e->kind == EXPR_COLUMN && e->index == key->column;
    }
    return key->expr != NULL && expr_equal(key->expr, e);
}

/* ---- selectivity ---------------------------------------------------------------------- */

static const CatColumnStats *column_stats(const PlanNode *scan, const IndexKey *key)
{
    const CatTable *t = scan->table;
    if (t->stats == NULL || t->stats->columns == NULL || key->table_column < 0) {
        return NULL;
    }
    return &t->stats->columns[key->table_column];
}

/* key = value (estimate.c: the most common values, else the rest spread over
 * the other distinct values). */
static double eq_selectivity(const PlanNode *scan, const IndexKey *key, const Expr *value)
{
    const CatColumnStats *s = column_stats(scan, key);
    bool known = value != NULL && value->kind == EXPR_CONST &&
                 (value->value.is_null || types_compatible(key->type, value->type));
    return estimate_eq_sel(s, known ? &value->value : NULL);
}

/* The constant of a bound, or NULL when it is known only at run time. */
static const Value *bound_value(const IndexKey *key, const Expr *e)
{
    if (e == NULL || e->kind != EXPR_CONST || !types_compatible(key->type, e->type)) {
        return NULL;
    }
    return &e->value;
}

/* Fraction of rows whose key lies between the query's bounds (NULL = open). */
static double range_selectivity(const PlanNode *scan, const IndexKey *key, const Expr *lower,
                                const Expr *upper)
{
    const CatColumnStats *s = column_stats(scan, key);
    const Value *lo = bound_value(key, lower), *hi = bound_value(key, upper);
    if ((lower == NULL || lo != NULL) && (upper == NULL || hi != NULL)) {
        double frac = estimate_range_sel(s, lo, true, hi, true);
        if (frac >= 0) {
            return frac < 0.0005 ? 0.0005 : frac;
        }
    }
    return lower != NULL && upper != NULL ? DEFAULT_RANGE_INEQ_SEL : DEFAULT_INEQ_SEL;
}

/* ---- evaluating one candidate ------------------------------------------------------- */

static const KeyTerm *find_term(const KeyTerms *terms, const IndexKey *key, TermKind kind, int op_a,
                                int op_b)
{
    for (int k = 0; k < terms->count; k++) {
        const KeyTerm *t = &terms->items[k];
        if (t->kind == kind && (kind != TERM_CMP || t->op == op_a || t->op == op_b) &&
            access_key_matches(key, t->key) &&
            (kind != TERM_CMP || types_compatible(key->type, t->value->type))) {
            return t;
        }
    }
    return NULL;
}

static bool in_list_usable(const KeyTerm *t, const IndexKey *key)
{
    if (t->is_array) {
        SqlType elem = sql_type(type_array_elem(t->values[0]->type.id));
        return types_compatible(key->type, elem);
    }
    for (int v = 0; v < t->value_count; v++) {
        if (!types_compatible(key->type, t->values[v]->type)) {
            return false;
        }
    }
    return true;
}

/* Keys of row comparison t matched by c's keys from position at on, all of
 * one direction (0: none). */
static int row_match_count(const Candidate *c, const KeyTerm *t, int at)
{
    int count = 0;
    while (count < t->value_count && at + count < c->key_count) {
        const IndexKey *key = &c->keys[at + count];
        if (!access_key_matches(key, t->keys[count]) || key->desc != c->keys[at].desc ||
            !types_compatible(key->type, t->values[count]->type)) {
            break;
        }
        count++;
    }
    return count;
}

/* One side of the range on key `at` (query order: is_lower = values below
 * which nothing qualifies). Prefers a row comparison covering more keys. */
static void pick_side(Candidate *c, const KeyTerms *terms, int at, bool is_lower, Expr **values,
                      int *count, bool *inclusive, const KeyTerm **used)
{
    *count = 0;
    *used = NULL;
    int strict = is_lower ? COMPARE_GT : COMPARE_LT, loose = is_lower ? COMPARE_GE : COMPARE_LE;
    const KeyTerm *simple = find_term(terms, &c->keys[at], TERM_CMP, strict, loose);
    for (int k = 0; k < terms->count; k++) {
        const KeyTerm *t = &terms->items[k];
        if (t->kind != TERM_ROW || (t->op != strict && t->op != loose)) {
            continue;
        }
        int matched = row_match_count(c, t, at);
        if (matched > *count && (matched > 1 || simple == NULL)) {
            *count = matched;
            memcpy(values, t->values, sizeof(Expr *) * (size_t)matched);
            /* A prefix of the row only bounds loosely: (a, b) < (x, y)
             * implies a <= x. */
            *inclusive = matched < t->value_count || t->op == loose;
            *used = t;
        }
    }
    if (*count == 0 && simple != NULL) {
        values[0] = simple->value;
        *count = 1;
        *inclusive = simple->op == loose;
        *used = simple;
    }
}

/* The range on key `at` (after the equal prefix), in index order; returns
 * its selectivity (1 when there is none). */
static double evaluate_range(const PlanNode *scan, const KeyTerms *terms, Candidate *c, int at)
{
    Expr *lower[KEYS_MAX], *upper[KEYS_MAX];
    int lower_count, upper_count;
    bool lower_incl = true, upper_incl = true;
    pick_side(c, terms, at, true, lower, &lower_count, &lower_incl, &c->lower_term);
    pick_side(c, terms, at, false, upper, &upper_count, &upper_incl, &c->upper_term);
    /* Index order: on a descending key the query's upper bound comes first. */
    bool desc = c->keys[at].desc;
    c->low_count = desc ? upper_count : lower_count;
    c->high_count = desc ? lower_count : upper_count;
    memcpy(c->low, desc ? upper : lower, sizeof(Expr *) * (size_t)c->low_count);
    memcpy(c->high, desc ? lower : upper, sizeof(Expr *) * (size_t)c->high_count);
    c->low_inclusive = desc ? upper_incl : lower_incl;
    c->high_inclusive = desc ? lower_incl : upper_incl;
    if (lower_count == 0 && upper_count == 0) {
        return 1;
    }
    return range_selectivity(scan, &c->keys[at], lower_count ? lower[0] : NULL,
                             upper_count ? upper[0] : NULL);
}

static void evaluate(const PlanNode *scan, const KeyTerms *terms, Candidate *c)
{
    c->eq_count = 0;
    c->in = NULL;
    c->low_count = c->high_count = 0;
    c->lower_term = c->upper_term = NULL;
    double sel = 1;
    for (int k = 0; k < c->key_count; k++) {
        const KeyTerm *t = find_term(terms, &c->keys[k], TERM_CMP, COMPARE_EQ, COMPARE_EQ);
        if (t == NULL) {
            break;
        }
        c->eq[c->eq_count++] = t;
        sel *= eq_selectivity(scan, &c->keys[k], t->value);
    }
    int at = c->eq_count;
    if (at < c->key_count) {
        const KeyTerm *in = find_term(terms, &c->keys[at], TERM_IN, 0, 0);
        bool ranges_exact = !c->is_key || scan->table->am->scans_in_key_order;
        if (in != NULL && ranges_exact && in_list_usable(in, &c->keys[at])) {
            c->in = in;
            double in_sel = 0;
            for (int v = 0; v < in->value_count && !in->is_array; v++) {
                in_sel += eq_selectivity(scan, &c->keys[at], in->values[v]);
            }
            if (in->is_array) { /* elements of a constant array, else PostgreSQL's guess of 10 */
                const Expr *a = in->values[0];
                uint32_t n = a->kind == EXPR_CONST && !a->value.is_null ? array_count(a->value.str)
                                                                         : 10;
                in_sel = n * eq_selectivity(scan, &c->keys[at], NULL);
            }
            sel *= in_sel > 1 ? 1 : in_sel;
        } else {
            sel *= evaluate_range(scan, terms, c, at);
        }
    }
    if (c->unique && c->eq_count == c->key_count && c->key_count > 0) {
        sel = 0; /* one row at most: costed as one */
    }
    c->sel = sel * c->pred_sel;
}

static bool constrains(const Candidate *c)
{
    return c->eq_count > 0 || c->in != NULL || c->low_count > 0 || c->high_count > 0;
}

/* ---- order ------------------------------------------------------------------------ */

/* Does scanning c (forward or backward) give the requested order? The keys
 * fixed by equalities may be skipped; NULLs sort last in an ascending key
 * and first in a descending one, so the request's NULL placement must be
 * the default of the direction it reads in. */
static bool order_given(const PlanNode *scan, const AccessRequest *req, Candidate *c)
{
    if (req == NULL || req->order_count == 0 || c->in != NULL) {
        return false;
    }
    if (c->is_key && !scan->table->am->scans_in_key_order) {
        return false;
    }
    int key = c->eq_count;
    int direction = 0; /* 1 forward, -1 backward */
    for (int item = 0; item < req->order_count; item++) {
        const Expr *e = req->order_exprs[item];
        bool is_fixed = false;
        for (int k = 0; k < c->eq_count && !is_fixed; k++) {
            is_fixed = access_key_matches(&c->keys[k], e);
        }
        if (is_fixed) {
            continue; /* constant under the equality: any order */
        }
        if (key >= c->key_count || !access_key_matches(&c->keys[key], e)) {
            return false;
        }
        bool desc = req->order_desc[item];
        int want = desc == c->keys[key].desc ? 1 : -1;
        if ((direction != 0 && want != direction) || req->order_nulls_first[item] != desc) {
            return false;
        }
        direction = want;
        key++;
    }
    c->reverse = direction < 0;
    return true;
}

/* ---- index-only ------------------------------------------------------------------- */

static bool covers(const PlanNode *scan, const AccessRequest *req, const Candidate *c)
{
    const CatIndex *ix = c->index;
    if (req == NULL || req->used_columns == NULL || c->is_key || ix == NULL || ix->am == NULL ||
        ix->am->can_return == NULL || scan->want_row_id) {
        return false;
    }
    bool *needed = arena_zalloc(req->arena, (size_t)scan->column_count + 1);
    if (needed == NULL) {
        return false;
    }
    memcpy(needed, req->used_columns, (size_t)scan->column_count);
    if (scan->qual != NULL) {
        expr_collect_columns(scan->qual, needed);
    }
    for (int pos = 0; pos < scan->column_count; pos++) {
        if (!needed[pos]) {
            continue;
        }
        int col = scan->scan_columns[pos];
        bool found = false;
        for (int k = 0; k < ix->key_count && !found; k++) {
            found = ix->key_columns[k] == col && ix->am->can_return(&ix->desc, k);
        }
        for (int k = 0; k < ix->include_count && !found; k++) {
            found = ix->include_columns[k] == col;
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

/* Index batch column of each scan output column (-1: not in the index, never read). */
static int *index_only_map(Binder *b, const PlanNode *scan, const CatIndex *ix)
{
    int *map = arena_zalloc(b->a, sizeof(int) * (size_t)(scan->column_count + 1));
    if (map == NULL) {
        return NULL;
    }
    for (int pos = 0; pos < scan->column_count; pos++) {
        int col = scan->scan_columns[pos];
        map[pos] = -1;
        for (int k = 0; k < ix->key_count && map[pos] < 0; k++) {
            if (ix->key_columns[k] == col && ix->am->can_return(&ix->desc, k)) {
                map[pos] = k;
            }
        }
        for (int k = 0; k < ix->include_count && map[pos] < 0; k++) {
            if (ix->include_columns[k] == col) {
                map[pos] = ix->key_count + k;
            }
        }
    }
    return map;
}

/* ---- cost ---------------------------------------------------------------------------- */

static double sort_cost(double rows)
{
    return rows * log2(rows + 2) * COST_SORT_FACTOR;
}

static void cost_candidate(const PlanNode *scan, const AccessRequest *req, double table_rows,
                           Candidate *c)
{
    double rows = c->sel * table_rows;
    if (rows < 1) {
        rows = 1;
    }
    double lookups = c->in != NULL ? c->in->value_count : 1;
    double startup = lookups * (c->is_key ? COST_KEY_DESCENT : COST_DESCENT);
    double per_row = c->is_key ? 1.0 : c->index_only ? COST_INDEX_ONLY : COST_FETCH;
    double run = rows * per_row;
    if (req != NULL && req->order_count > 0) {
        if (c->gives_order) {
            if (req->limit_rows > 0) {
                /* Under LIMIT an ordered scan stops after about limit rows of
                 * its output (the recheck passes scan->est_rows of them). */
                double out = scan->est_rows < rows ? scan->est_rows : rows;
                double frac = out > 0 ? req->limit_rows / out : 1;
                run *= frac < 1 ? frac : 1;
            }
        } else {
            run += sort_cost(scan->est_rows);
        }
    }
    c->cost = startup + run;
}

static double seq_cost(const PlanNode *scan, const AccessRequest *req, double table_rows,
                       bool *ordered)
{
    double cost = table_rows;
    *ordered = false;
    if (req != NULL && req->order_count > 0) {
        cost += sort_cost(scan->est_rows);
    }
    return cost;
}

/* ---- the plan ------------------------------------------------------------------------ */

static int copy_bound(Binder *b, const Candidate *c, Expr *const *last, int last_count,
                      bool inclusive, bool is_row, IndexBound *out)
{
    int count = c->eq_count + last_count;
    out->count = count;
    out->inclusive = last_count > 0 ? inclusive : true;
    out->values = NULL;
    out->row_rest_from = is_row && last_count > 1 ? c->eq_count + 1 : 0;
    if (count == 0) {
        return STRATA_OK;
    }
    out->values = arena_zalloc(b->a, sizeof(Expr *) * (size_t)count);
    if (out->values == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < c->eq_count; k++) {
        out->values[k] = c->eq[k]->value;
    }
    if (last_count > 0) {
        memcpy(out->values + c->eq_count, last, sizeof(Expr *) * (size_t)last_count);
    }
    return STRATA_OK;
}

/* The Index Cond EXPLAIN prints: the terms the path uses, ANDed. */
static Expr *index_cond(Binder *b, const Candidate *c)
{
    const Expr *parts[KEYS_MAX + 3];
    int count = 0;
    for (int k = 0; k < c->eq_count; k++) {
        parts[count++] = c->eq[k]->display;
    }
    if (c->in != NULL) {
        parts[count++] = c->in->display;
    }
    if (c->lower_term != NULL) {
        parts[count++] = c->lower_term->display;
    }
    if (c->upper_term != NULL) {
        parts[count++] = c->upper_term->display;
    }
    if (count == 0) {
        return NULL;
    }
    if (count == 1) {
        return (Expr *)parts[0];
    }
    Expr *and = expr_new(b->a, EXPR_AND, sql_type(TYPE_BOOL), -1);
    if (and == NULL || (and->args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)count)) == NULL) {
        return NULL;
    }
    memcpy(and->args, parts, sizeof(Expr *) * (size_t)count);
    and->arg_count = count;
    return and;
}

/* True if every value of t has exactly the key's type: the executor never
 * has to widen the range because a value does not fit the key. */
static int integer_rank(TypeId id)
{
    return id == TYPE_INT2 ? 1 : id == TYPE_INT4 ? 2 : id == TYPE_INT8 ? 3 : 0;
}

/* An integer value no wider than an integer key is exact too: the executor
 * casts the bound to the key type (eval_bound), which cannot fail, so `id =
 * 7` on a bigint key needs no recheck. A wider value may not fit (the scan
 * then reads everything and the recheck decides). */
static bool same_encoding(SqlType key, SqlType value)
{
    if (key.id == value.id || (is_string_type(key.id) && is_string_type(value.id))) {
        return true;
    }
    int key_rank = integer_rank(key.id), value_rank = integer_rank(value.id);
    return key_rank > 0 && value_rank > 0 && value_rank <= key_rank;
}

static bool values_exact(const KeyTerm *t, const IndexKey *key)
{
    if (t->kind == TERM_CMP) {
        return same_encoding(key->type, t->value->type);
    }
    if (t->is_array) {
        return same_encoding(key->type, sql_type(type_array_elem(t->values[0]->type.id)));
    }
    for (int v = 0; v < t->value_count; v++) {
        if (!same_encoding(key->type, t->values[v]->type)) {
            return false;
        }
    }
    return t->kind == TERM_IN;
}

/* Is conjunct t answered by the key range alone, so the scan need not
 * recheck it (PostgreSQL shows such conjuncts only as Index Cond)? Equality
 * and IN terms are; a range is unless it is open towards the NULLs, which
 * sort above every value in both directions (ASC NULLS LAST, DESC NULLS
 * FIRST): a lone `k > v` keeps its recheck unless k is NOT NULL (a primary
 * key). Row comparisons keep theirs (their bounds are cut at a NULL item). */
static bool answered(const Candidate *c, const KeyTerm *t)
{
    int at = c->eq_count;
    for (int k = 0; k < c->eq_count; k++) {
        if (c->eq[k] == t) {
            return values_exact(t, &c->keys[k]);
        }
    }
    if (at >= c->key_count) {
        return false;
    }
    if (t == c->in) {
        return values_exact(t, &c->keys[at]);
    }
    if (t->kind != TERM_CMP || !values_exact(t, &c->keys[at])) {
        return false;
    }
    if (t == c->upper_term) {
        return true;
    }
    return t == c->lower_term && (c->upper_term != NULL || c->keys[at].not_null);
}

static bool is_answered(const Candidate *c, const Expr *e, const KeyTerms *terms)
{
    for (int k = 0; k < terms->count; k++) {
        if (terms->items[k].source == e && answered(c, &terms->items[k])) {
            return true;
        }
    }
    return false;
}

/* The scan's qual without the conjuncts the key range answers (NULL: none
 * left). */
static Expr *residual_qual(Binder *b, const Candidate *c, const KeyTerms *terms, Expr *qual)
{
    if (qual == NULL) {
        return NULL;
    }
    if (qual->kind != EXPR_AND) {
        return is_answered(c, qual, terms) ? NULL : qual;
    }
    Expr **kept = arena_zalloc(b->a, sizeof(Expr *) * (size_t)qual->arg_count);
    if (kept == NULL) {
        return qual;
    }
    int count = 0;
    for (int k = 0; k < qual->arg_count; k++) {
        Expr *part = residual_qual(b, c, terms, qual->args[k]);
        if (part != NULL) {
            kept[count++] = part;
        }
    }
    if (count == qual->arg_count) {
        return qual;
    }
    if (count <= 1) {
        return count == 1 ? kept[0] : NULL;
    }
    Expr *and = arena_memdup(b->a, qual, sizeof(Expr));
    if (and == NULL) {
        return qual;
    }
    and->args = kept;
    and->arg_count = count;
    return and;
}

/* Constant bound values of the key's own types (NULL if a value is of another
 * type, not a constant, or NULL). */
static Value *constant_bound(Binder *b, const IndexBound *bound, const IndexDesc *desc)
{
    if (bound->count == 0 || bound->count > desc->key_count || bound->row_rest_from > 0) {
        return NULL;
    }
    Value *values = arena_alloc(b->a, sizeof(Value) * (size_t)bound->count);
    for (int k = 0; values != NULL && k < bound->count; k++) {
        const Expr *e = bound->values[k];
        if (e->kind != EXPR_CONST || e->value.is_null || e->value.type.id != desc->key_types[k].id) {
            return NULL;
        }
        values[k] = e->value;
    }
    return values;
}

/* Without ANALYZE statistics the planner's fixed selectivities guess the rows of
 * an index scan; a non-unique index answers for a range of constants with its
 * own count (a descent: packed indexes count their blocks' entries). Used only
 * when the index condition is the whole qual. */
static void estimate_from_index(Binder *b, PlanNode *scan, const Candidate *best)
{
    const CatIndex *ix = best->index;
    if (ix == NULL || scan->table->stats != NULL || scan->qual != NULL || best->in != NULL ||
        scan->bounds_read_outer || b->env == NULL || b->env->txn == NULL || ix->am == NULL ||
        ix->am->estimate == NULL) {
        return;
    }
    Value *low = constant_bound(b, &scan->low, &ix->desc);
    Value *high = constant_bound(b, &scan->high, &ix->desc);
    if (low == NULL || high == NULL) {
        return; /* open ranges keep the fixed selectivities */
    }
    KeyRange range = {low,  scan->low.count,  scan->low.inclusive,
                      high, scan->high.count, scan->high.inclusive};
    uint64_t rows = 0;
    Error err;
    error_clear(&err);
    if (ix->am->estimate(b->env->txn, &ix->desc, &range, &rows, &err) == STRATA_OK) {
        scan->est_rows = rows < 1 ? 1 : (double)rows;
    }
}

static int apply(Binder *b, PlanNode *scan, const Candidate *best, const AccessRequest *req,
                 double table_rows, const KeyTerms *terms)
{
    bool desc = best->eq_count < best->key_count && best->keys[best->eq_count].desc;
    const KeyTerm *low_term = desc ? best->upper_term : best->lower_term;
    const KeyTerm *high_term = desc ? best->lower_term : best->upper_term;
    int rc = copy_bound(b, best, best->low, best->low_count, best->low_inclusive,
                        low_term != NULL && low_term->kind == TERM_ROW, &scan->low);
    if (rc == STRATA_OK) {
        rc = copy_bound(b, best, best->high, best->high_count, best->high_inclusive,
                        high_term != NULL && high_term->kind == TERM_ROW, &scan->high);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (best->in != NULL) {
        scan->in_values = best->in->values;
        scan->in_count = best->in->value_count;
        scan->in_is_array = best->in->is_array;
    }
    scan->index = best->index;
    scan->reverse = best->reverse;
    scan->index_cond = index_cond(b, best);
    scan->qual = residual_qual(b, best, terms, scan->qual);
    if (best->is_key) {
        scan->scan_on_key = true;
    } else {
        scan->kind = PLAN_INDEX_SCAN;
        if (best->index_only) {
            scan->index_only = true;
            if ((scan->index_column_map = index_only_map(b, scan, best->index)) == NULL) {
                return arena_error(b->a, b->err);
            }
        }
    }
    if (best->unique && best->eq_count == best->key_count) {
        scan->est_rows = 1;
    } else if (scan->table->stats != NULL && best->sel * table_rows < scan->est_rows) {
        /* ANALYZE knows better than the planner's fixed selectivities. */
        scan->est_rows = best->sel * table_rows < 1 ? 1 : best->sel * table_rows;
    } else if (scan->kind == PLAN_INDEX_SCAN) {
        estimate_from_index(b, scan, best);
    }
    if (best->gives_order && req != NULL && req->limit_rows > 0 && req->limit_rows < 1e6) {
        scan->batch_rows_hint = (int)req->limit_rows;
    }
    return STRATA_OK;
}

static void consider(const PlanNode *scan, const AccessRequest *req, const KeyTerms *terms,
                     double table_rows, Candidate *cur, Candidate *best, bool *has_best)
{
    evaluate(scan, terms, cur);
    cur->gives_order = order_given(scan, req, cur);
    cur->index_only = covers(scan, req, cur);
    bool partial = cur->index != NULL && cur->index->predicate_sql != NULL;
    if (!constrains(cur) && !cur->gives_order && !partial) {
        return;
    }
    cost_candidate(scan, req, table_rows, cur);
    if (!*has_best || cur->cost < best->cost) {
        *best = *cur;
        *has_best = true;
    }
}

/* Marks the scan's output columns that nothing reads (columns_read): the
 * columns the SELECT reads (req->used_columns) and those of the scan's
 * remaining qual are read; a scan reading every column is left alone. The
 * executor then asks the access method for the read columns only (the row
 * store decodes and copies nothing else). Not for row-id scans (DML). */
static int mark_columns_read(Binder *b, PlanNode *scan, const AccessRequest *req)
{
    if (req == NULL || req->used_columns == NULL || scan->want_row_id ||
        (scan->kind != PLAN_SCAN && scan->kind != PLAN_INDEX_SCAN) || scan->index_only ||
        scan->table == NULL || scan->table->kind != CAT_TABLE ||
        scan->partition_gate != NULL) {
        return STRATA_OK;
    }
    bool *read = arena_zalloc(b->a, (size_t)scan->column_count + 1);
    if (read == NULL) {
        return arena_error(b->a, b->err);
    }
    memcpy(read, req->used_columns, (size_t)scan->column_count);
    expr_collect_columns(scan->qual, read);
    for (int col = 0; col < scan->column_count; col++) {
        if (!read[col]) {
            scan->columns_read = read;
            return STRATA_OK;
        }
    }
    return STRATA_OK;
}

static int choose_access(Binder *b, PlanNode *scan, AccessRequest *req);

int plan_choose_access(Binder *b, PlanNode *scan, AccessRequest *req)
{
    int rc = choose_access(b, scan, req);
    return rc != STRATA_OK ? rc : mark_columns_read(b, scan, req);
}

static int choose_access(Binder *b, PlanNode *scan, AccessRequest *req)
{
    if (scan->kind != PLAN_SCAN || scan->table == NULL || scan->table->am == NULL ||
        scan->table->kind != CAT_TABLE) {
        return STRATA_OK;
    }
    bool wants_order = req != NULL && req->order_count > 0;
    if (scan->qual == NULL && !wants_order) {
        return STRATA_OK;
    }
    const CatTable *t = scan->table;
    KeyTerms terms = {0};
    if (scan->qual != NULL) {
        access_collect_terms(b, scan, scan->qual, &terms);
    }
    if (terms.count == 0 && !wants_order) {
        return STRATA_OK;
    }
    double table_rows = estimate_table_rows(b, t);
    Candidate *best = arena_zalloc(b->a, sizeof(Candidate));
    Candidate *cur = arena_zalloc(b->a, sizeof(Candidate));
    if (best == NULL || cur == NULL) {
        return arena_error(b->a, b->err);
    }
    bool has_best = false;
    if (t->pkey_count > 0) {
        memset(cur, 0, sizeof(*cur));
        cur->is_key = true;
        cur->unique = true;
        cur->pred_sel = 1;
        for (int i = 0; i < t->index_count; i++) {
            if (t->indexes[i]->primary) {
                cur->index = t->indexes[i];
            }
        }
        candidate_keys(b, scan, NULL, cur);
        consider(scan, req, &terms, table_rows, cur, best, &has_best);
    }
    for (int i = 0; i < t->index_count; i++) {
        const CatIndex *ix = t->indexes[i];
        if (ix->primary || ix->am == NULL) {
            continue;
        }
        memset(cur, 0, sizeof(*cur));
        cur->index = ix;
        cur->unique = ix->unique;
        cur->pred_sel = 1;
        if (ix->predicate_sql != NULL &&
            !access_predicate_implied(b, scan, ix->predicate_sql, &cur->pred_sel)) {
            continue;
        }
        candidate_keys(b, scan, ix, cur);
        consider(scan, req, &terms, table_rows, cur, best, &has_best);
    }
    bool seq_ordered;
    double seq = seq_cost(scan, req, table_rows, &seq_ordered);
    /* The clustering key never costs more than the sequential scan it
     * narrows (both walk the same tree). */
    if (!has_best || (best->cost >= seq && !(best->is_key && constrains(best)))) {
        return STRATA_OK;
    }
    if (req != NULL) {
        req->order_satisfied = best->gives_order;
    }
    return apply(b, scan, best, req, table_rows, &terms);
}
