/*
 * exec/modify.c - INSERT / UPDATE / DELETE: collects the target rows first
 * (storage cursors are invalidated by writes), then writes them one by one
 * through the TableAm, checking NOT NULL (23502) and CHECK (23514), letting
 * the access methods enforce UNIQUE / PRIMARY KEY (23505), and maintaining
 * every secondary index (exec_index_insert_row / exec_index_delete_row).
 *
 * Known gaps: FOREIGN KEY checks and actions, ON CONFLICT DO UPDATE.
 * See src/exec/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "exec/exec_int.h"
#include "types/value_io.h"
#include "util/checksum.h"
#include "sql/parser.h"

static int index_key_values(QueryEnv *env, const CatTable *t, const CatIndex *ix, Expr **key_exprs,
                            Expr *pred, const Value *row, Value *keys, Value *includes, bool *skip,
                            Error *err)
{
    *skip = false;
    if (pred != NULL) {
        Value v;
        int rc = expr_eval_row((const BoundExpr *)pred, env, row, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (v.is_null || !v.b) {
            *skip = true;
            return STRATA_OK;
        }
    }
    for (int k = 0; k < ix->key_count; k++) {
        if (ix->key_columns[k] >= 0) {
            keys[k] = row[ix->key_columns[k]];
        } else if (key_exprs != NULL && key_exprs[k] != NULL) {
            int rc = expr_eval_row((const BoundExpr *)key_exprs[k], env, row, &keys[k], err);
            if (rc != STRATA_OK) {
                return rc;
            }
        } else {
            return error_set(err, SQLSTATE_INTERNAL_ERROR, "index \"%s\" has an unbound expression key", ix->name);
        }
        keys[k].type = ix->key_types[k];
    }
    for (int k = 0; k < ix->include_count; k++) {
        includes[k] = row[ix->include_columns[k]];
    }
    return STRATA_OK;
}

static int bind_index_exprs(QueryEnv *env, const CatTable *t, const CatIndex *ix, Expr ***keys,
                            Expr **pred, Error *err)
{
    *keys = arena_zalloc(env->exec_arena, sizeof(Expr *) * (size_t)(ix->key_count + 1));
    *pred = NULL;
    if (*keys == NULL) {
        return arena_error(env->exec_arena, err);
    }
    Arena *saved = env->plan_arena;
    if (env->plan_arena == NULL) {
        env->plan_arena = env->exec_arena;
    }
    int rc = STRATA_OK;
    for (int k = 0; rc == STRATA_OK && k < ix->key_count; k++) {
        if (ix->key_columns[k] >= 0) {
            continue;
        }
        Node *node;
        rc = sql_parse_expr(ix->key_sql[k], strlen(ix->key_sql[k]), env->exec_arena, &node, err);
        if (rc == STRATA_OK) {
            rc = expr_bind_for_table(env, t, node, (BoundExpr **)&(*keys)[k], NULL, err);
        }
    }
    if (rc == STRATA_OK && ix->predicate_sql != NULL) {
        Node *node;
        rc = sql_parse_expr(ix->predicate_sql, strlen(ix->predicate_sql), env->exec_arena, &node, err);
        if (rc == STRATA_OK) {
            rc = expr_bind_for_table(env, t, node, (BoundExpr **)pred, NULL, err);
        }
    }
    env->plan_arena = saved;
    return rc;
}

int exec_bind_index_exprs(QueryEnv *env, const CatTable *t, const CatIndex *ix, Expr ***keys,
                          Expr **pred, Error *err)
{
    return bind_index_exprs(env, t, ix, keys, pred, err);
}

static int index_apply(QueryEnv *env, const CatTable *t, const CatIndex *ix, Expr **key_exprs,
                       Expr *pred, const Value *row, StrRef row_id, bool insert, Error *err)
{
    if (ix->primary || ix->am == NULL) {
        return STRATA_OK;
    }
    Value keys[64], includes[64];
    bool skip;
    if (ix->key_count > 64 || ix->include_count > 64) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "index has too many columns");
    }
    int rc = index_key_values(env, t, ix, key_exprs, pred, row, keys, includes, &skip, err);
    if (rc != STRATA_OK || skip) {
        return rc;
    }
    if (insert) {
        return ix->am->insert(env->txn, &ix->desc, keys, includes, row_id, err);
    }
    return ix->am->delete_entry(env->txn, &ix->desc, keys, row_id, err);
}

int exec_index_insert_row(QueryEnv *env, const CatTable *table, const CatIndex *index,
                          const Value *row, StrRef row_id, Error *err)
{
    Expr **keys;
    Expr *pred;
    int rc = bind_index_exprs(env, table, index, &keys, &pred, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return index_apply(env, table, index, keys, pred, row, row_id, true, err);
}

int exec_index_entry(QueryEnv *env, const CatTable *table, const CatIndex *index,
                     const Value *row, Value *keys, Value *includes, bool *skip, Error *err)
{
    Expr **key_exprs;
    Expr *pred;
    int rc = bind_index_exprs(env, table, index, &key_exprs, &pred, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return index_key_values(env, table, index, key_exprs, pred, row, keys, includes, skip, err);
}

int exec_index_delete_row(QueryEnv *env, const CatTable *table, const CatIndex *index,
                          const Value *row, StrRef row_id, Error *err)
{
    Expr **keys;
    Expr *pred;
    int rc = bind_index_exprs(env, table, index, &keys, &pred, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return index_apply(env, table, index, keys, pred, row, row_id, false, err);
}

/* PostgreSQL's DETAIL of a NOT NULL or CHECK violation: "Failing row contains
 * (1, null, abc)." with each value as its output function writes it (at most 64
 * bytes, then "..."); only for a role that may read the table (superusers and
 * internal statements included). */
static void failing_row_detail(ExecNode *n, const CatTable *t, const Value *row, Error *err)
{
    const QueryEnv *env = n->es->env;
    if (env->role_id != 0 && !env->is_superuser &&
        !catalog_table_allows(env->catalog, t, env->role_id, CAT_PRIV_SELECT)) {
        return;
    }
    char detail[ERROR_DETAIL_MAX];
    size_t used = (size_t)snprintf(detail, sizeof(detail), "Failing row contains (");
    Error ignored;
    for (int c = 0; c < t->column_count && used < sizeof(detail); c++) {
        StrRef text = {"null", 4};
        if (!row[c].is_null &&
            value_format_tz(&row[c], n->es->fctx.timezone, n->es->scratch, &text, &ignored) !=
                STRATA_OK) {
            return;
        }
        int len = text.len > 64 ? 64 : (int)text.len;
        while (len > 0 && len < (int)text.len && (text.ptr[len] & 0xC0) == 0x80) {
            len--; /* not inside a UTF-8 character */
        }
        used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%.*s%s", c > 0 ? ", " : "",
                                 len, text.ptr, len < (int)text.len ? "..." : "");
    }
    if (used + 3 < sizeof(detail)) {
        snprintf(detail + used, sizeof(detail) - used, ").");
        error_detail(err, "%s", detail);
    }
}

static int check_row(ExecNode *n, const ModifyPlan *m, const Value *row, Error *err)
{
    const CatTable *t = m->table;
    for (int c = 0; c < t->column_count; c++) {
        if (t->columns[c].not_null && row[c].is_null) {
            error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                      "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                      t->columns[c].name, t->name);
            failing_row_detail(n, t, row, err);
            snprintf(err->table_name, sizeof(err->table_name), "%s", t->name);
            snprintf(err->column_name, sizeof(err->column_name), "%s", t->columns[c].name);
            return err->code;
        }
    }
    EvalCtx ctx = {n->es, row, NULL};
    for (int k = 0; k < m->check_count; k++) {
        Value v;
        int rc = eval_expr(m->checks[k], &ctx, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!v.is_null && !v.b && m->check_domains != NULL && m->check_domains[k] != NULL) {
            if (m->check_not_null[k]) {
                return error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                                 "domain %s does not allow null values", m->check_domains[k]);
            }
            error_set(err, SQLSTATE_CHECK_VIOLATION,
                      "value for domain %s violates check constraint \"%s\"",
                      m->check_domains[k], m->check_names[k]);
            snprintf(err->constraint_name, sizeof(err->constraint_name), "%s", m->check_names[k]);
            return err->code;
        }
        if (!v.is_null && !v.b) {
            error_set(err, SQLSTATE_CHECK_VIOLATION,
                      "new row for relation \"%s\" violates check constraint \"%s\"", t->name,
                      m->check_names[k]);
            failing_row_detail(n, t, row, err);
            snprintf(err->constraint_name, sizeof(err->constraint_name), "%s", m->check_names[k]);
            return err->code;
        }
    }
    return exec_fk_check_row(n->es, t, row, err);
}

static int returning_row(ExecNode *n, const ModifyPlan *m, const Value *row, Error *err)
{
    if (m->returning_count == 0) {
        return STRATA_OK;
    }
    Value *out = arena_alloc(n->es->a, sizeof(Value) * (size_t)m->returning_count);
    if (out == NULL) {
        return arena_error(n->es->a, err);
    }
    EvalCtx ctx = {n->es, row, NULL};
    for (int k = 0; k < m->returning_count; k++) {
        int rc = eval_expr(m->returning[k], &ctx, &out[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    Value *copy = row_copy(n->es->a, out, m->returning_count);
    if (copy == NULL || row_list_push(n->es->a, &n->rows, copy) != STRATA_OK) {
        return arena_error(n->es->a, err);
    }
    return STRATA_OK;
}

/* Reads the row of t whose index ix key equals the key of row (the row an
 * INSERT conflicted with) into *existing (all columns, then the row id).
 * *found = false if there is none (it was deleted by this statement). */
static int find_conflicting_row(ExecNode *n, const CatTable *t, const CatIndex *ix, Expr **key_exprs,
                                const Value *row, Value **existing, bool *found, Error *err)
{
    ExecState *es = n->es;
    QueryEnv *env = es->env;
    Value keys[64], includes[64];
    bool skip;
    *found = false;
    if (ix->key_count > 64 || ix->include_count > 64) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "index has too many columns");
    }
    int rc = index_key_values(env, t, ix, key_exprs, NULL, row, keys, includes, &skip, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int nc = t->column_count;
    int *columns = arena_alloc(es->a, sizeof(int) * (size_t)(nc + 1));
    SqlType *types = arena_alloc(es->a, sizeof(SqlType) * (size_t)(nc + 2));
    if (columns == NULL || types == NULL) {
        return arena_error(es->a, err);
    }
    for (int c = 0; c < nc; c++) {
        columns[c] = c;
        types[c] = t->columns[c].type;
    }
    types[nc] = sql_type(TYPE_BYTEA);
    Batch *out = batch_create(es->a, types, nc + 1, 1); /* one key, at most one row */
    if (out == NULL) {
        return arena_error(es->a, err);
    }
    KeyRange range = {keys, ix->key_count, true, keys, ix->key_count, true};
    if (ix->primary) {
        ScanSpec spec = {0};
        spec.columns = columns;
        spec.column_count = nc;
        spec.want_row_id = true;
        spec.range = &range;
        TableScan *scan;
        if ((rc = tam_scan_begin(t->am, env->txn, &t->desc, &spec, es->a, &scan, err)) != STRATA_OK) {
            return rc;
        }
        rc = tam_scan_next(t->am, scan, out, err);
        tam_scan_end(t->am, scan);
    } else {
        int iw = ix->key_count + ix->include_count + 1;
        SqlType *itypes = arena_alloc(es->a, sizeof(SqlType) * (size_t)iw);
        if (itypes == NULL) {
            return arena_error(es->a, err);
        }
        for (int k = 0; k < ix->key_count; k++) {
            itypes[k] = ix->key_types[k];
        }
        for (int k = 0; k < ix->include_count; k++) {
            itypes[ix->key_count + k] = t->columns[ix->include_columns[k]].type;
        }
        itypes[iw - 1] = sql_type(TYPE_BYTEA);
        Batch *entries = batch_create(es->a, itypes, iw, 0);
        IndexScan *scan;
        if (entries == NULL) {
            return arena_error(es->a, err);
        }
        if ((rc = ix->am->scan_begin(env->txn, &ix->desc, &range, false, es->a, &scan, err)) != STRATA_OK) {
            return rc;
        }
        rc = ix->am->scan_next(scan, entries, err);
        ix->am->scan_end(scan);
        if (rc == STRATA_OK && batch_active_count(entries) > 0) {
            Value id;
            batch_get_value(entries, iw - 1, batch_active_row(entries, 0), &id);
            rc = tam_fetch(t->am, env->txn, &t->desc, &id.str, 1, columns, nc, true, out, err);
        }
    }
    if (rc != STRATA_OK || batch_active_count(out) == 0) {
        return rc;
    }
    Value *values = arena_alloc(es->a, sizeof(Value) * (size_t)(nc + 1));
    if (values == NULL) {
        return arena_error(es->a, err);
    }
    int r = batch_active_row(out, 0);
    for (int c = 0; c <= nc; c++) {
        batch_get_value(out, c, r, &values[c]);
        values[c].type = types[c];
    }
    *existing = row_copy(es->a, values, nc + 1);
    if (*existing == NULL) {
        return arena_error(es->a, err);
    }
    *found = true;
    return STRATA_OK;
}

/* Whether a and b would be stored identically (same bytes in a key or a row):
 * stricter than value_equal, which calls 1.0 and 1.00 equal. Types other than
 * booleans, integers, floats and strings answer false. */
static bool value_identical(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null) {
        return a->is_null && b->is_null;
    }
    if (a->type.id != b->type.id) {
        return false;
    }
    switch (type_phys(a->type.id)) {
    case PHYS_BOOL:
        return a->b == b->b;
    case PHYS_I64:
        return a->i64 == b->i64;
    case PHYS_F64:
        return memcmp(&a->f64, &b->f64, sizeof(double)) == 0;
    case PHYS_STRING:
        return a->str.len == b->str.len &&
               (a->str.len == 0 || memcmp(a->str.ptr, b->str.ptr, a->str.len) == 0);
    default:
        return false;
    }
}

static bool columns_identical(const int *columns, int count, const Value *old, const Value *newrow)
{
    for (int k = 0; k < count; k++) {
        if (columns[k] < 0 || !value_identical(&old[columns[k]], &newrow[columns[k]])) {
            return false;
        }
    }
    return true;
}

/* An UPDATE may leave index ix's entry as it is when every key and INCLUDE
 * column is unchanged and the index has neither expression keys nor a
 * predicate: deleting and re-inserting the same entry was half of a single-row
 * UPDATE of a non-indexed column. The row id must not change either, which only
 * the table method knows (a column table gives an updated row a new id): the
 * caller checks it after the update (index_after_update). */
static bool index_entry_unchanged(const CatTable *t, const CatIndex *ix, const Value *old,
                                  const Value *newrow)
{
    return ix->predicate_sql == NULL &&
           columns_identical(ix->key_columns, ix->key_count, old, newrow) &&
           columns_identical(ix->include_columns, ix->include_count, old, newrow);
}

/* After tam_update: index i's new entry, unless its entry was left alone
 * (unchanged) and the row id stayed, in which case it is still right; if the
 * id moved, the old entry goes now. */
static int index_after_update(QueryEnv *env, const CatTable *t, const ModifyPlan *m, int i,
                              bool unchanged, const Value *old, StrRef id, const Value *newrow,
                              StrRef new_id, Error *err)
{
    bool same_id = id.len == new_id.len && (id.len == 0 || memcmp(id.ptr, new_id.ptr, id.len) == 0);
    if (unchanged && same_id) {
        return STRATA_OK;
    }
    int rc = STRATA_OK;
    if (unchanged) {
        rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i], m->index_predicates[i], old,
                         id, false, err);
    }
    if (rc == STRATA_OK) {
        rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i], m->index_predicates[i],
                         newrow, new_id, true, err);
    }
    return rc;
}

/* Updates the stored row old (all columns + row id at [nc]) to newrow:
 * index entries out, row replaced, index entries in. */
static int update_stored_row(ExecNode *n, const ModifyPlan *m, const Value *old,
                             const Value *newrow, StrRef *new_id_out, Error *err)
{
    const CatTable *t = m->table;
    QueryEnv *env = n->es->env;
    int nc = t->column_count;
    StrRef id = old[nc].str;
    int rc;
    bool unchanged[64];
    for (int i = 0; i < t->index_count; i++) {
        bool same = i < 64 && index_entry_unchanged(t, t->indexes[i], old, newrow);
        if (i < 64) {
            unchanged[i] = same;
        }
        if (!same && (rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i],
                                       m->index_predicates[i], old, id, false, err)) != STRATA_OK) {
            return rc;
        }
    }
    Batch *batch = batch_create(n->es->a, t->desc.column_types, nc, 1);
    if (batch == NULL || !batch_append_row(batch, newrow)) {
        return arena_error(n->es->a, err);
    }
    StrRef new_id;
    if ((rc = tam_update(t->am, env->txn, &t->desc, &id, batch, &new_id, n->es->a, err)) != STRATA_OK ||
        (rc = exec_fk_referenced(n->es, t, old, newrow, err)) != STRATA_OK) {
        return rc;
    }
    for (int i = 0; i < t->index_count; i++) {
        if ((rc = index_after_update(env, t, m, i, i < 64 && unchanged[i], old, id, newrow, new_id,
                                     err)) != STRATA_OK) {
            return rc;
        }
    }
    *new_id_out = new_id;
    return STRATA_OK;
}

/* Row ids this statement has already touched: an open-addressing hash set, so the
 * "each row at most once" checks of UPDATE/DELETE and ON CONFLICT DO UPDATE stay
 * linear in the rows modified (a list scanned per row made DELETE of n rows O(n^2):
 * 40,000 rows took 10 s). The set keeps its own copies of the ids. */
typedef struct IdSet {
    StrRef *slots;   /* ptr == NULL: empty */
    size_t capacity; /* a power of two, or 0 */
    size_t count;
} IdSet;

static bool id_equal(StrRef a, StrRef b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static size_t id_slot(const IdSet *set, StrRef id)
{
    size_t mask = set->capacity - 1;
    size_t slot = (size_t)hash_bytes(id.ptr, id.len) & mask;
    while (set->slots[slot].ptr != NULL && !id_equal(set->slots[slot], id)) {
        slot = (slot + 1) & mask;
    }
    return slot;
}

static bool id_set_contains(const IdSet *set, StrRef id)
{
    return set->capacity > 0 && set->slots[id_slot(set, id)].ptr != NULL;
}

/* Adds id (no-op if present); false when memory runs out. */
static bool id_set_add(Arena *arena, IdSet *set, StrRef id)
{
    if ((set->count + 1) * 2 > set->capacity) {
        IdSet grown = {0};
        grown.capacity = set->capacity == 0 ? 64 : set->capacity * 2;
        grown.slots = arena_zalloc(arena, sizeof(StrRef) * grown.capacity);
        if (grown.slots == NULL) {
            return false;
        }
        for (size_t i = 0; i < set->capacity; i++) {
            if (set->slots[i].ptr != NULL) {
                grown.slots[id_slot(&grown, set->slots[i])] = set->slots[i];
                grown.count++;
            }
        }
        *set = grown;
    }
    size_t slot = id_slot(set, id);
    if (set->slots[slot].ptr == NULL) {
        /* Copied: the id may live in per-row scratch memory. */
        char *copy = arena_memdup(arena, id.ptr, id.len > 0 ? id.len : 1);
        if (copy == NULL) {
            return false;
        }
        set->slots[slot] = (StrRef){copy, id.len};
        set->count++;
    }
    return true;
}

static int returning_row(ExecNode *n, const ModifyPlan *m, const Value *row, Error *err);
static int check_row(ExecNode *n, const ModifyPlan *m, const Value *row, Error *err);
static StrRef id_key(ExecNode *n, const ModifyPlan *m, StrRef id);

/* ---- rows written by the statement (data-modifying CTEs) ----
 * PostgreSQL runs a statement's sub-statements on one snapshot: none sees another's
 * rows, and an UPDATE or DELETE that reaches a row another already changed leaves it
 * (ON CONFLICT DO UPDATE: 21000). The statement's writes are kept by table and row id
 * (ExecState.written) while it has data-modifying CTEs. */

static StrRef written_key(ExecNode *n, const CatTable *t, StrRef id)
{
    char *key = arena_alloc(n->es->scratch, id.len + 8);
    if (key == NULL) {
        return (StrRef){NULL, 0};
    }
    memcpy(key, &t->id, 8);
    memcpy(key + 8, id.ptr, id.len);
    return (StrRef){key, id.len + 8};
}

static bool written_before(ExecNode *n, const CatTable *t, StrRef id)
{
    ExecState *es = n->es;
    if (!es->track_written || es->written == NULL) {
        return false;
    }
    StrRef key = written_key(n, t, id);
    return key.ptr != NULL && id_set_contains(es->written, key);
}

static int note_written(ExecNode *n, const CatTable *t, StrRef id, Error *err)
{
    ExecState *es = n->es;
    if (!es->track_written || id.ptr == NULL) {
        return STRATA_OK;
    }
    if (es->written == NULL && (es->written = arena_zalloc(es->root, sizeof(IdSet))) == NULL) {
        return arena_error(es->root, err);
    }
    StrRef key = written_key(n, t, id);
    if (key.ptr == NULL || !id_set_add(es->root, es->written, key)) {
        return arena_error(es->root, err);
    }
    return STRATA_OK;
}

/* ON CONFLICT DO UPDATE after the insert of row conflicted on index
 * conflicted (an index of the table). */
static int conflict_update(ExecNode *n, const ModifyPlan *m, int conflicted, const Value *row,
                           IdSet *updated, Error *err)
{
    const CatTable *t = m->table;
    ExecState *es = n->es;
    int nc = t->column_count;
    if (m->conflict_index >= 0 && conflicted != m->conflict_index) {
        return error_set(err, SQLSTATE_UNIQUE_VIOLATION,
                         "duplicate key value violates unique constraint \"%s\"", t->indexes[conflicted]->name);
    }
    const CatIndex *ix = t->indexes[conflicted];
    Value *existing;
    bool found;
    int rc = find_conflicting_row(n, t, ix, m->index_key_exprs[conflicted], row, &existing, &found, err);
    if (rc != STRATA_OK || !found) {
        return rc;
    }
    StrRef id = id_key(n, m, existing[nc].str);
    if (id_set_contains(updated, id) || written_before(n, t, existing[nc].str)) {
        return error_set(err, SQLSTATE_CARDINALITY_VIOLATION,
                         "ON CONFLICT DO UPDATE command cannot affect row a second time");
    }
    /* SET and WHERE see [existing columns..., excluded columns...]. */
    Value *both = arena_alloc(es->a, sizeof(Value) * (size_t)(2 * nc + 1));
    Value *newrow = arena_alloc(es->a, sizeof(Value) * (size_t)(nc + 1));
    if (both == NULL || newrow == NULL) {
        return arena_error(es->a, err);
    }
    memcpy(both, existing, sizeof(Value) * (size_t)nc);
    memcpy(both + nc, row, sizeof(Value) * (size_t)nc);
    EvalCtx ctx = {es, both, NULL};
    if (m->conflict_where != NULL) {
        bool pass;
        if ((rc = eval_qual(m->conflict_where, &ctx, &pass, err)) != STRATA_OK || !pass) {
            return rc;
        }
    }
    for (int c = 0; c < nc; c++) {
        if (m->conflict_set[c] == NULL) {
            newrow[c] = existing[c];
        } else if ((rc = eval_expr(m->conflict_set[c], &ctx, &newrow[c], err)) != STRATA_OK) {
            return rc;
        }
        newrow[c].type = t->columns[c].type;
    }
    StrRef new_id = {NULL, 0};
    if ((rc = exec_partition_check_stays(n, m, newrow, err)) != STRATA_OK ||
        (rc = check_row(n, m, newrow, err)) != STRATA_OK ||
        (rc = update_stored_row(n, m, existing, newrow, &new_id, err)) != STRATA_OK) {
        return rc;
    }
    /* An access method whose update gives the row a new id (the column store:
     * delete + re-insert) is found under that id by a later conflict. */
    if (!id_set_add(es->a, updated, id) ||
        (new_id.ptr != NULL && !id_set_add(es->a, updated, id_key(n, m, new_id)))) {
        return arena_error(es->a, err);
    }
    if ((rc = note_written(n, t, existing[nc].str, err)) != STRATA_OK ||
        (rc = note_written(n, t, new_id, err)) != STRATA_OK) {
        return rc;
    }
    n->produced++;
    return returning_row(n, m, newrow, err);
}

/* Inserts row into m's table (no ON CONFLICT): checks, the row, its index
 * entries. An UPDATE that moves a row to another partition ends here. */
static int insert_plain(ExecNode *n, const ModifyPlan *m, Batch *batch, const Value *row,
                        Error *err)
{
    const CatTable *t = m->table;
    QueryEnv *env = n->es->env;
    int rc = check_row(n, m, row, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    batch_reset(batch);
    if (!batch_append_row(batch, row)) {
        return arena_error(n->es->a, err);
    }
    StrRef id;
    /* The row id and the row's encoding live in per-row scratch (tam.h). */
    if ((rc = tam_insert(t->am, env->txn, &t->desc, batch, &id, n->es->scratch, err)) !=
        STRATA_OK) {
        return rc;
    }
    for (int i = 0; i < t->index_count && rc == STRATA_OK; i++) {
        rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i], m->index_predicates[i], row,
                         id, true, err);
    }
    return rc != STRATA_OK ? rc : note_written(n, t, id, err);
}

/* The row id set key: the partition's id before the row id when m writes a
 * partition (row ids are unique per table only, and one statement through a
 * partitioned table writes several). */
static StrRef id_key(ExecNode *n, const ModifyPlan *m, StrRef id)
{
    if (m->table->parent_id == 0) {
        return id;
    }
    char *key = arena_alloc(n->es->scratch, id.len + 8);
    if (key == NULL) {
        return id;
    }
    memcpy(key, &m->table->id, 8);
    memcpy(key + 8, id.ptr, id.len);
    return (StrRef){key, id.len + 8};
}

/* Whether an INSERT into m's table may hand its rows to the access method a
 * batch at a time: a row table without key, index, foreign key, partitioning,
 * ON CONFLICT or RETURNING. Its insert then fails only for reasons of its own
 * (out of memory, I/O), and no per-row check reads the table, so checking
 * each row and inserting the rows later in batches writes the same rows with
 * the same first error (insert_batch_flush runs before a failed check is
 * reported). The row table then reads and writes its row counter once per
 * batch instead of once per row (an INSERT ... SELECT rollup). */
static bool insert_batches_ok(const ExecState *es, const ModifyPlan *m)
{
    const CatTable *t = m->table;
    if (es->track_written || m->kind != MODIFY_INSERT || m->has_on_conflict || m->returning_count > 0 ||
        t->am == NULL || strcmp(t->am->name, "row") != 0 || t->desc.key_count > 0 ||
        t->index_count > 0 || t->partition_key != NULL || t->parent_id != 0) {
        return false;
    }
    for (int ci = 0; ci < t->constraint_count; ci++) {
        if (t->constraints[ci].kind == CAT_CONSTRAINT_FOREIGN) {
            return false;
        }
    }
    return true;
}

/* Hands batches[0..count) to the table in order. */
static int insert_batches_flush(ExecNode *n, const ModifyPlan *m, Batch **batches, size_t count,
                                Error *err)
{
    const CatTable *t = m->table;
    for (size_t b = 0; b < count; b++) {
        int rc = tam_insert(t->am, n->es->env->txn, &t->desc, batches[b], NULL, n->es->a, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* The batched INSERT (insert_batches_ok): each input row is checked and
 * copied straight into a batch (no row list in between); the table gets the
 * batches once the input is read, so an input that reads the table itself
 * sees none of the new rows. A failed check inserts the rows before it
 * first: an error of theirs comes first, as row by row. */
static int insert_batched(ExecNode *n, const ModifyPlan *m, Error *err)
{
    ExecState *es = n->es;
    const CatTable *t = m->table;
    Batch **batches = NULL;
    size_t count = 0, capacity = 0;
    for (;;) {
        Value *row;
        /* The row and the check's results live in scratch until the next row. */
        exec_scratch_reset(es);
        int rc = exec_check_interrupt(es, err);
        if (rc != STRATA_OK || (rc = n->left->next(n->left, &row, err)) != STRATA_OK) {
            return rc;
        }
        if (row == NULL) {
            break;
        }
        if ((rc = check_row(n, m, row, err)) != STRATA_OK) {
            Error earlier;
            error_clear(&earlier);
            if (insert_batches_flush(n, m, batches, count, &earlier) != STRATA_OK) {
                error_copy(err, &earlier);
                return earlier.code;
            }
            return rc;
        }
        if (count == 0 || batches[count - 1]->row_count == batches[count - 1]->capacity) {
            if (count == capacity) {
                size_t grown = capacity ? capacity * 2 : 16;
                Batch **more = arena_alloc(es->a, sizeof(Batch *) * grown);
                if (more == NULL) {
                    return arena_error(es->a, err);
                }
                if (count > 0) {
                    memcpy(more, batches, sizeof(Batch *) * count);
                }
                batches = more;
                capacity = grown;
            }
            /* The first batch is small: a one-row INSERT zeroing a whole 2048-row
             * batch per execution was a quarter of a TPC-B transaction's
             * instructions. */
            batches[count] = batch_create(es->a, t->desc.column_types, t->column_count,
                                          count == 0 ? 16 : 0);
            if (batches[count] == NULL) {
                return arena_error(es->a, err);
            }
            count++;
        }
        if (!batch_append_row(batches[count - 1], row)) {
            return arena_error(es->a, err);
        }
        n->produced++;
    }
    return insert_batches_flush(n, m, batches, count, err);
}

/* Reports the statement's row count to the session's hooks (statistics). */
static void rows_written(ExecNode *n, const ModifyPlan *root)
{
    QueryEnv *env = n->es->env;
    if (env->hooks != NULL && env->hooks->rows_written != NULL) {
        env->hooks->rows_written(env->hooks->ctx, root->table->id,
                                 root->kind == MODIFY_INSERT ? n->produced : 0,
                                 root->kind == MODIFY_UPDATE ? n->produced : 0,
                                 root->kind == MODIFY_DELETE ? n->produced : 0);
    }
}

int exec_modify(ExecNode *n, Error *err)
{
    const ModifyPlan *root = n->p->modify;
    const CatTable *t = root->table;
    ExecState *es = n->es;
    QueryEnv *env = es->env;
    RowList input = {0};
    int width = n->p->left->column_count;
    bool one_values_row = n->p->left->kind == PLAN_VALUES && n->p->left->row_count == 1;
    int rc;
    if (insert_batches_ok(es, root)) {
        if ((rc = insert_batched(n, root, err)) != STRATA_OK) {
            return rc;
        }
        rows_written(n, root);
        return STRATA_OK;
    }
    for (;;) {
        Value *row;
        if ((rc = n->left->next(n->left, &row, err)) != STRATA_OK) {
            return rc;
        }
        if (row == NULL) {
            break;
        }
        /* The one row of a VALUES list stays where it is: the node is not
         * asked for another before the end, and its values (parameters,
         * results in the statement arena) outlive the statement's writes. */
        Value *copy = one_values_row ? row : row_copy(es->a, row, width);
        if (copy == NULL || row_list_push(es->a, &input, copy) != STRATA_OK) {
            return arena_error(es->a, err);
        }
    }
    int nc = t->column_count;
    Batch *batch = n->row_batch; /* reset before each use */
    IdSet done_ids = {0};
    IdSet updated = {0};   /* ON CONFLICT DO UPDATE: row ids already updated */
    PartitionPlans parts = {0};
    for (size_t r = 0; r < input.count; r++) {
        Value *row = input.rows[r];
        es->modify_row = (int64_t)r; /* left set by an error (executor_failed_row) */
        exec_scratch_reset(es);
        if ((rc = exec_check_interrupt(es, err)) != STRATA_OK) {
            return rc;
        }
        /* The partition the row is in (or goes to); m = root otherwise. */
        const ModifyPlan *m;
        if ((rc = exec_partition_target(n, root, row, root->kind == MODIFY_INSERT, &parts, &m,
                                        err)) != STRATA_OK) {
            return rc;
        }
        t = m->table;
        if (m->kind == MODIFY_INSERT) {
            if ((rc = check_row(n, m, row, err)) != STRATA_OK) {
                return rc;
            }
            batch_reset(batch);
            /* The access method reads the row during the call only. */
            if (!batch_append_row_borrowed(batch, row)) {
                return arena_error(es->a, err);
            }
            StrRef id;
            Error local;
            error_clear(&local);
            /* Per-row scratch (reset above) for the row id and the row's
             * encoding: everything that keeps the id copies it (id_set_add). */
            rc = tam_insert(t->am, env->txn, &t->desc, batch, &id, es->scratch, &local);
            if (rc != STRATA_OK) {
                if (m->has_on_conflict && !m->conflict_do_update &&
                    strcmp(local.sqlstate, SQLSTATE_UNIQUE_VIOLATION) == 0) {
                    continue;
                }
                if (m->conflict_do_update && strcmp(local.sqlstate, SQLSTATE_UNIQUE_VIOLATION) == 0) {
                    int pk = -1;
                    for (int i = 0; i < t->index_count; i++) {
                        if (t->indexes[i]->primary) {
                            pk = i;
                        }
                    }
                    if (pk < 0) {
                        error_copy(err, &local);
                        return rc;
                    }
                    if ((rc = conflict_update(n, m, pk, row, &updated, err)) != STRATA_OK) {
                        return rc;
                    }
                    continue;
                }
                error_copy(err, &local);
                return rc;
            }
            for (int i = 0; i < t->index_count; i++) {
                if ((rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i], m->index_predicates[i],
                                      row, id, true, &local)) != STRATA_OK) {
                    if (m->has_on_conflict && strcmp(local.sqlstate, SQLSTATE_UNIQUE_VIOLATION) == 0) {
                        /* Undo this row: its earlier index entries, then the row. */
                        Error undo;
                        error_clear(&undo);
                        for (int j = 0; j < i; j++) {
                            index_apply(env, t, t->indexes[j], m->index_key_exprs[j], m->index_predicates[j],
                                        row, id, false, &undo);
                        }
                        tam_delete(t->am, env->txn, &t->desc, &id, 1, &undo);
                        rc = -1;
                        if (m->conflict_do_update &&
                            (rc = conflict_update(n, m, i, row, &updated, err)) == STRATA_OK) {
                            rc = -1;
                        } else if (m->conflict_do_update) {
                            return rc;
                        }
                        break;
                    }
                    error_copy(err, &local);
                    return rc;
                }
            }
            if (rc == -1) {
                continue;
            }
            if (m->conflict_do_update) {
                /* A later row of this statement conflicting with this one is
                 * 21000, as an update of an already updated row. */
                if (!id_set_add(es->a, &updated, id_key(n, m, id))) {
                    return arena_error(es->a, err);
                }
            }
            if ((rc = note_written(n, t, id, err)) != STRATA_OK) {
                return rc;
            }
            n->produced++;
            if ((rc = returning_row(n, m, row, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        StrRef id = row[nc].str;
        StrRef done_key = id_key(n, m, id);
        if (id_set_contains(&done_ids, done_key) || written_before(n, t, id)) {
            continue;
        }
        if ((rc = note_written(n, t, id, err)) != STRATA_OK) {
            return rc;
        }
        if (!id_set_add(es->a, &done_ids, done_key)) {
            return arena_error(es->a, err);
        }
        /* UPDATE: entries whose key and INCLUDE columns and row id stay the
         * same are left alone (index_entry_unchanged). */
        bool unchanged[64];
        for (int i = 0; i < t->index_count; i++) {
            bool same = i < 64 && m->kind == MODIFY_UPDATE &&
                        index_entry_unchanged(t, t->indexes[i], row, row + nc + 1);
            if (i < 64) {
                unchanged[i] = same;
            }
            if (!same && (rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i],
                                           m->index_predicates[i], row, id, false, err)) != STRATA_OK) {
                return rc;
            }
        }
        if (m->kind == MODIFY_DELETE) {
            if ((rc = tam_delete(t->am, env->txn, &t->desc, &id, 1, err)) != STRATA_OK ||
                (rc = exec_fk_referenced(es, t, row, NULL, err)) != STRATA_OK) {
                return rc;
            }
            n->produced++;
            if ((rc = returning_row(n, m, row, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        Value *newrow = row + nc + 1;
        const ModifyPlan *new_m;
        if ((rc = exec_partition_target(n, root, newrow, true, &parts, &new_m, err)) != STRATA_OK) {
            return rc;
        }
        if (new_m != m) {
            /* The partition key changed: the row moves to its new partition. */
            if ((rc = tam_delete(t->am, env->txn, &t->desc, &id, 1, err)) != STRATA_OK ||
                (rc = insert_plain(n, new_m, batch, newrow, err)) != STRATA_OK) {
                return rc;
            }
            n->produced++;
            if ((rc = returning_row(n, m, newrow, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        if ((rc = check_row(n, m, newrow, err)) != STRATA_OK) {
            return rc;
        }
        batch_reset(batch);
        if (!batch_append_row(batch, newrow)) {
            return arena_error(es->a, err);
        }
        StrRef new_id;
        if ((rc = tam_update(t->am, env->txn, &t->desc, &id, batch, &new_id, es->a, err)) != STRATA_OK ||
            (rc = exec_fk_referenced(es, t, row, newrow, err)) != STRATA_OK ||
            (rc = note_written(n, t, new_id, err)) != STRATA_OK) {
            return rc;
        }
        for (int i = 0; i < t->index_count; i++) {
            if ((rc = index_after_update(env, t, m, i, i < 64 && unchanged[i], row, id, newrow,
                                         new_id, err)) != STRATA_OK) {
                return rc;
            }
        }
        n->produced++;
        if ((rc = returning_row(n, m, newrow, err)) != STRATA_OK) {
            return rc;
        }
    }
    es->modify_row = -1;
    rows_written(n, root);
    return STRATA_OK;
}
