/*
 * plan/nestloop.c - parameterized index nested-loop joins (PostgreSQL's
 * Nested Loop over a parameterized Index Scan): for each outer (left) row the
 * inner table is read through its clustering key or a secondary B+tree index,
 * with the outer row's join-key values as the equality prefix of the range.
 * Also the hash keys of outer joins, taken from their ON clause.
 *
 * Invariants
 *   1. A nested loop never changes results: the index range answers only
 *      equalities whose two sides have the key's type (or are integers, which
 *      the executor fits to the key type: a value that does not fit equals no
 *      row), every other equality stays a per-pair recheck (the join's
 *      remaining keys) and the join's qual and the inner scan's qual stay.
 *   2. The inner side is a plain sequential scan of a table (no key range,
 *      index, row id or partition gate yet), alone or under a projection of
 *      its columns (semi and anti joins); its bounds read the outer row's
 *      columns (PlanNode.bounds_read_outer), nothing else does.
 *
 * Costs are in the row units of access.c and optimize.c (one row of a
 * sequential scan): a hash join pays the inner side's whole scan plus two per
 * build row and one per probe row; a nested loop pays one lookup per outer row
 * (restarting the inner scan and descending the tree) plus its rows.
 *
 * See src/plan/README.md ("Join algorithms").
 */
#include <string.h>

#include "plan/access_int.h"
#include "plan/estimate_int.h"
#include "storage/tam.h"

enum { NL_KEYS_MAX = 8, NL_INDEXES_MAX = 16 };

/* Per outer row: restarting the inner scan and one descent of the clustering
 * key, or of a secondary index; then per row found (the secondary index
 * fetches each row by its id, as access.c's COST_FETCH). Calibrated on
 * bench/joinalgo's tables: a clustering-key lookup took about 2 us of CPU,
 * a hash join of 1M build rows about 0.1 us per row unit, and the two plans
 * crossed between 100,000 and 200,000 outer rows (the model: 143,000). */
#define NL_COST_KEY_LOOKUP 20.0
#define NL_COST_INDEX_LOOKUP 30.0
#define NL_COST_INDEX_FETCH 6.0

typedef struct InnerIndex {
    const CatIndex *index;  /* the primary key's CatIndex (may be NULL) for the clustering key */
    bool is_key;
    bool unique;
    IndexKey keys[NL_KEYS_MAX];
    int key_count;
} InnerIndex;

struct NestLoopInner {
    const PlanNode *scan;
    double table_rows;
    InnerIndex items[NL_INDEXES_MAX];
    int count;
};

typedef struct NestLoopPath {
    const InnerIndex *ix;
    int key_count;              /* leading keys fixed by terms */
    int term_of_key[NL_KEYS_MAX];
    double rows;                /* per lookup, before the scan's qual */
    double cost;                /* per outer row */
} NestLoopPath;

/* The inner side: a plain scan of a table whose access method keeps rows in key
 * order (the row store): a lookup there is a B+tree descent. A column table's rows
 * are fetched by position from encoded segments, far dearer per row than the
 * model's costs (an index nested loop into a 100,000-row column table took 2.5 ms
 * per outer row), so column tables keep the hash join. */
static bool scans_column_table(const PlanNode *p)
{
    if (p == NULL) {
        return false;
    }
    if (p->kind == PLAN_SCAN && p->table != NULL && p->table->am != NULL &&
        !p->table->am->scans_in_key_order) {
        return true;
    }
    return scans_column_table(p->left) || scans_column_table(p->right);
}

static bool is_scan_inner(const PlanNode *scan)
{
    return scan->kind == PLAN_SCAN && scan->table != NULL && scan->table->am != NULL &&
           scan->table->am->scans_in_key_order &&
           scan->table->kind == CAT_TABLE && scan->table->partition_key == NULL &&
           !scan->scan_on_key && scan->index == NULL && !scan->want_row_id &&
           scan->partition_gate == NULL && scan->in_count == 0 && !scan->bounds_read_outer;
}

NestLoopInner *nestloop_inner_prepare(Binder *b, const PlanNode *scan)
{
    if (!is_scan_inner(scan)) {
        return NULL;
    }
    const CatTable *t = scan->table;
    NestLoopInner *in = arena_zalloc(b->a, sizeof(NestLoopInner));
    if (in == NULL) {
        return NULL;
    }
    in->scan = scan;
    in->table_rows = estimate_table_rows(b, t);
    for (int i = -1; i < t->index_count && in->count < NL_INDEXES_MAX; i++) {
        const CatIndex *ix = i >= 0 ? t->indexes[i] : NULL;
        if (i >= 0 && (ix->primary || ix->am == NULL || ix->predicate_sql != NULL)) {
            continue;
        }
        if (i < 0 && t->pkey_count == 0) {
            continue;
        }
        InnerIndex *item = &in->items[in->count];
        item->is_key = i < 0;
        item->unique = i < 0 || ix->unique;
        item->index = ix;
        for (int k = 0; i < 0 && k < t->index_count; k++) {
            item->index = t->indexes[k]->primary ? t->indexes[k] : item->index;
        }
        item->key_count = access_index_keys(b, scan, i < 0 ? NULL : ix, item->keys, NL_KEYS_MAX);
        in->count += item->key_count > 0 ? 1 : 0;
    }
    return in->count > 0 ? in : NULL;
}

/* Types whose equality the index answers exactly (no float or numeric: -0.0,
 * NaN and numeric scales compare equal without equal encodings). */
static bool exact_key_type(TypeId id)
{
    switch (id) {
    case TYPE_INT2: case TYPE_INT4: case TYPE_INT8: case TYPE_TEXT: case TYPE_VARCHAR:
    case TYPE_BOOL: case TYPE_DATE: case TYPE_TIMESTAMP: case TYPE_TIMESTAMPTZ: case TYPE_UUID:
    case TYPE_BYTEA:
        return true;
    default:
        return false;
    }
}

static bool is_int(TypeId id) { return id == TYPE_INT2 || id == TYPE_INT4 || id == TYPE_INT8; }
static bool is_str(TypeId id) { return id == TYPE_TEXT || id == TYPE_VARCHAR; }

static bool outer_fits(SqlType key, SqlType outer)
{
    if (!exact_key_type(key.id) || !exact_key_type(outer.id)) {
        return false;
    }
    return key.id == outer.id || (is_int(key.id) && is_int(outer.id)) ||
           (is_str(key.id) && is_str(outer.id));
}

/* The cheapest index whose leading keys the terms inner[t] = (outer value of
 * type outer_types[t]) fix. */
static bool best_path(const NestLoopInner *in, Expr *const *inner, const SqlType *outer_types,
                      int count, NestLoopPath *best)
{
    bool found = false;
    for (int i = 0; i < in->count; i++) {
        const InnerIndex *ix = &in->items[i];
        NestLoopPath cur = {.ix = ix};
        for (int k = 0; k < ix->key_count; k++) {
            int term = -1;
            for (int t = 0; t < count && term < 0; t++) {
                if (inner[t] != NULL && access_key_matches(&ix->keys[k], inner[t]) &&
                    outer_fits(ix->keys[k].type, outer_types[t])) {
                    term = t;
                }
            }
            if (term < 0) {
                break;
            }
            cur.term_of_key[cur.key_count++] = term;
        }
        if (cur.key_count == 0) {
            continue;
        }
        cur.rows = in->table_rows;
        if (ix->unique && cur.key_count == ix->key_count) {
            cur.rows = 1;
        } else {
            for (int k = 0; k < cur.key_count; k++) {
                cur.rows /= estimate_distinct(in->scan, inner[cur.term_of_key[k]]);
            }
            cur.rows = cur.rows < 1 ? 1 : cur.rows;
        }
        cur.cost = ix->is_key ? NL_COST_KEY_LOOKUP + cur.rows
                              : NL_COST_INDEX_LOOKUP + NL_COST_INDEX_FETCH * cur.rows;
        if (!found || cur.cost < best->cost) {
            *best = cur;
            found = true;
        }
    }
    return found;
}

double nestloop_lookup_cost(const NestLoopInner *in, Expr *const *inner,
                            const SqlType *outer_types, int count)
{
    NestLoopPath path;
    return in != NULL && best_path(in, inner, outer_types, count, &path) ? path.cost : -1;
}

double nestloop_scan_cost(Binder *b, const PlanNode *item)
{
    return is_scan_inner(item) ? estimate_table_rows(b, item->table) : item->est_rows;
}

/* The inner scan of the nested loop: scan with the path's key range, whose
 * values are the outer expressions. */
static PlanNode *inner_scan(Binder *b, const NestLoopInner *in, const NestLoopPath *path,
                            Expr *const *inner, Expr *const *outer)
{
    const PlanNode *scan = in->scan;
    PlanNode *s = arena_memdup(b->a, scan, sizeof(PlanNode));
    Expr **values = arena_zalloc(b->a, sizeof(Expr *) * (size_t)path->key_count);
    Expr **keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)path->key_count);
    if (s == NULL || values == NULL || keys == NULL) {
        return NULL;
    }
    for (int k = 0; k < path->key_count; k++) {
        values[k] = outer[path->term_of_key[k]];
        keys[k] = inner[path->term_of_key[k]];
    }
    s->low = (IndexBound){.values = values, .count = path->key_count, .inclusive = true};
    s->high = s->low;
    s->bounds_read_outer = true;
    s->param_keys = keys;
    s->index = path->ix->index;
    s->index_cond = NULL;
    s->index_only = false;
    s->reverse = false;
    s->batch_rows_hint = 0;
    if (path->ix->is_key) {
        s->scan_on_key = true;
    } else {
        s->kind = PLAN_INDEX_SCAN;
    }
    double kept = in->table_rows > 0 ? scan->est_rows / in->table_rows : 1;
    s->est_rows = path->rows * (kept < 1 ? kept : 1);
    s->est_rows = s->est_rows < 1 ? 1 : s->est_rows;
    return s;
}

/* The scan under join's right side (alone or under a projection of its
 * columns) and the map from right columns to scan columns. */
static PlanNode *right_scan(Binder *b, PlanNode *right, int **map)
{
    PlanNode *scan = right->kind == PLAN_PROJECT ? right->left : right;
    if (scan == NULL || !is_scan_inner(scan)) {
        return NULL;
    }
    *map = arena_zalloc(b->a, sizeof(int) * (size_t)(right->column_count + 1));
    if (*map == NULL) {
        return NULL;
    }
    for (int c = 0; c < right->column_count; c++) {
        if (right == scan) {
            (*map)[c] = c;
            continue;
        }
        const Expr *e = right->exprs[c];
        if (e->kind != EXPR_COLUMN) {
            return NULL;
        }
        (*map)[c] = e->index;
    }
    return scan;
}

int plan_nestloop_try(Binder *b, PlanNode *join, bool force)
{
    if (join->kind != PLAN_JOIN || join->key_count == 0 || join->nestloop ||
        join->null_aware_anti || join->join_type == JOIN_TYPE_RIGHT ||
        join->join_type == JOIN_TYPE_FULL || b->env->no_nestloop) {
        return STRATA_OK;
    }
    int *map;
    PlanNode *scan = right_scan(b, join->right, &map);
    NestLoopInner *in = scan != NULL ? nestloop_inner_prepare(b, scan) : NULL;
    if (in == NULL) {
        return STRATA_OK;
    }
    int count = join->key_count;
    Expr **inner = arena_zalloc(b->a, sizeof(Expr *) * (size_t)count);
    SqlType *outer_types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)count);
    if (inner == NULL || outer_types == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < count; k++) {
        inner[k] = expr_remap(b->a, join->right_keys[k], map);
        outer_types[k] = join->left_keys[k]->type;
        if (inner[k] == NULL) {
            return arena_error(b->a, b->err);
        }
    }
    NestLoopPath path;
    if (!best_path(in, inner, outer_types, count, &path)) {
        return STRATA_OK;
    }
    double outer_rows = join->left->est_rows;
    double hashed = outer_rows + 2.0 * join->right->est_rows + in->table_rows;
    if (!force && !b->env->no_hashjoin && outer_rows * path.cost >= hashed) {
        return STRATA_OK;
    }
    if (!b->env->no_hashjoin && b->env->vectorize && scans_column_table(join->left)) {
        /* a column fact scan under hash joins is the vectorized star pipeline, which
         * builds the dimension from just the keys the facts probe (lazy levels): a
         * nested loop here took the star benchmark's q01 from 0.02 s to 0.28 s */
        return STRATA_OK;
    }
    PlanNode *s = inner_scan(b, in, &path, inner, join->left_keys);
    if (s == NULL) {
        return arena_error(b->a, b->err);
    }
    if (join->right != scan) {
        PlanNode *proj = arena_memdup(b->a, join->right, sizeof(PlanNode));
        if (proj == NULL) {
            return arena_error(b->a, b->err);
        }
        proj->left = s;
        join->right = proj;
    } else {
        join->right = s;
    }
    /* The keys the range does not answer stay as a recheck per pair. */
    int kept = 0;
    for (int k = 0; k < count; k++) {
        bool used = false;
        for (int key = 0; key < path.key_count; key++) {
            used |= path.term_of_key[key] == k;
        }
        if (!used) {
            join->left_keys[kept] = join->left_keys[k];
            join->right_keys[kept] = join->right_keys[k];
            kept++;
        }
    }
    join->key_count = kept;
    join->nestloop = true;
    return STRATA_OK;
}

static bool hashable_equality(const Expr *e)
{
    return e->kind == EXPR_FUNC && e->arg_count == 2 && strcmp(e->fn->name, "=") == 0 &&
           e->args[0]->type.id != TYPE_JSON && e->args[1]->type.id != TYPE_JSON;
}

/* Which sides of the join e reads: bit 0 left, bit 1 right (2 = none or a
 * correlation / subquery it may hide). */
static int sides_of(Binder *b, const Expr *e, int left_width, int width)
{
    bool *used = arena_zalloc(b->a, (size_t)width + 1);
    if (used == NULL || expr_has_columns(e) == false) {
        return 0;
    }
    expr_collect_columns(e, used);
    int sides = 0;
    for (int c = 0; c < width; c++) {
        sides |= used[c] ? (c < left_width ? 1 : 2) : 0;
    }
    return sides;
}

int plan_join_keys_from_qual(Binder *b, PlanNode *join)
{
    Expr *q = join->qual;
    if (q == NULL || join->key_count > 0) {
        return STRATA_OK;
    }
    int count = q->kind == EXPR_AND ? q->arg_count : 1;
    Expr **parts = q->kind == EXPR_AND ? q->args : &join->qual;
    join->left_keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)count);
    join->right_keys = arena_zalloc(b->a, sizeof(Expr *) * (size_t)count);
    Expr **rest = arena_zalloc(b->a, sizeof(Expr *) * (size_t)count);
    if (join->left_keys == NULL || join->right_keys == NULL || rest == NULL) {
        return arena_error(b->a, b->err);
    }
    int lw = join->left->column_count, width = lw + join->right->column_count;
    int *shift = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
    if (shift == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int c = 0; c < width; c++) {
        shift[c] = c >= lw ? c - lw : -1;
    }
    int rest_count = 0;
    for (int k = 0; k < count; k++) {
        Expr *e = parts[k];
        int side = -1;
        if (hashable_equality(e)) {
            int s0 = sides_of(b, e->args[0], lw, width), s1 = sides_of(b, e->args[1], lw, width);
            side = s0 == 1 && s1 == 2 ? 0 : s0 == 2 && s1 == 1 ? 1 : -1;
        }
        if (side < 0 || e->args[0]->type.id != e->args[1]->type.id) {
            rest[rest_count++] = e;
            continue;
        }
        join->left_keys[join->key_count] = e->args[side];
        join->right_keys[join->key_count] = expr_remap(b->a, e->args[1 - side], shift);
        if (join->right_keys[join->key_count] == NULL) {
            return arena_error(b->a, b->err);
        }
        join->key_count++;
    }
    if (rest_count == count) {
        return STRATA_OK;
    }
    if (join->join_type == JOIN_TYPE_LEFT) {
        /* PostgreSQL's outer join size: the inner join's, at least the left's. */
        double rows = join->left->est_rows * join->right->est_rows;
        for (int k = 0; k < join->key_count; k++) {
            rows *= estimate_join_eq_sel(join->left, join->left_keys[k], join->right,
                                         join->right_keys[k]);
        }
        join->est_rows = rows > join->left->est_rows ? rows : join->left->est_rows;
    }
    if (rest_count == 0) {
        join->qual = NULL;
    } else if (rest_count == 1) {
        join->qual = rest[0];
    } else {
        Expr *and = arena_memdup(b->a, q, sizeof(Expr));
        if (and == NULL) {
            return arena_error(b->a, b->err);
        }
        and->args = rest;
        and->arg_count = rest_count;
        join->qual = and;
    }
    return STRATA_OK;
}
