/*
 * exec/fkey.c - FOREIGN KEY enforcement for DML: the referencing side (an
 * inserted or updated row must find its key in the referenced table, else
 * 23503) and the referenced side (a deleted or updated key that is still
 * referenced: NO ACTION / RESTRICT raise 23503, CASCADE deletes or updates
 * the referencing rows, SET NULL / SET DEFAULT rewrite their columns).
 *
 * Lookups go through a key range on the table's primary key when its keys
 * are exactly the columns, else through a secondary B+tree index whose
 * leading keys are the columns in any order (the referencing side's index on
 * the foreign key, PostgreSQL's advice for every foreign key), else a full
 * scan compares the columns.
 *
 * Invariants
 *   1. MATCH SIMPLE: a referencing row with any NULL key column is never
 *      checked; with MATCH FULL a partly NULL key is 23503.
 *   2. NO ACTION is checked immediately after each row (not deferred to the
 *      end of the statement), the same as RESTRICT.
 *   3. Cascaded writes maintain every index of the table they touch and run
 *      their own foreign-key actions (depth-limited against cycles).
 *
 * See src/exec/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "exec/exec_int.h"
#include "sql/parser.h"
#include "types/cast.h"
#include "types/compare.h"
#include "types/value_io.h"

#define FK_DEPTH_MAX 32

static int all_columns(ExecState *es, const CatTable *t, int **columns, SqlType **types, Error *err)
{
    int nc = t->column_count;
    *columns = arena_alloc(es->a, sizeof(int) * (size_t)(nc + 1));
    *types = arena_alloc(es->a, sizeof(SqlType) * (size_t)(nc + 2));
    if (*columns == NULL || *types == NULL) {
        return arena_error(es->a, err);
    }
    for (int c = 0; c < nc; c++) {
        (*columns)[c] = c;
        (*types)[c] = t->columns[c].type;
    }
    (*types)[nc] = sql_type(TYPE_BYTEA);
    return STRATA_OK;
}

static bool key_matches(const Value *row, const int *columns, const Value *key, int count)
{
    for (int k = 0; k < count; k++) {
        const Value *v = &row[columns[k]];
        if (v->is_null || key[k].is_null || value_compare(v, &key[k]) != 0) {
            return false;
        }
    }
    return true;
}

/* A secondary index of t whose first count keys are columns[] in some order,
 * each of its key value's type: *order[k] = the key position of the index's
 * k-th key. NULL when none (partial indexes never: they miss rows). */
static const CatIndex *index_on_columns(const CatTable *t, const int *columns, const Value *key,
                                        int count, int *order)
{
    for (int i = 0; i < t->index_count; i++) {
        const CatIndex *ix = t->indexes[i];
        if (ix->primary || ix->am == NULL || ix->predicate_sql != NULL || ix->key_count < count) {
            continue;
        }
        bool fits = true;
        for (int k = 0; k < count && fits; k++) {
            order[k] = -1;
            for (int c = 0; c < count; c++) {
                if (ix->key_columns[k] == columns[c] && key[c].type.id == ix->key_types[k].id &&
                    ix->key_types[k].id != TYPE_BPCHAR) {
                    order[k] = c;
                }
            }
            fits = order[k] >= 0;
        }
        if (fits) {
            return ix;
        }
    }
    return NULL;
}

/* Appends the rows of batch (all columns + row id) whose columns[] equal
 * key[] to out, copied into es->a; *done when first_only and one was found. */
static int collect_matches(ExecState *es, Batch *batch, const SqlType *types, int nc,
                           const int *columns, const Value *key, int count, bool first_only,
                           RowList *out, bool *done, Error *err)
{
    Value *row = arena_alloc(es->a, sizeof(Value) * (size_t)(nc + 1));
    if (row == NULL) {
        return arena_error(es->a, err);
    }
    *done = false;
    int active = batch_active_count(batch);
    for (int i = 0; i < active && !*done; i++) {
        int r = batch_active_row(batch, i);
        for (int c = 0; c <= nc; c++) {
            batch_get_value(batch, c, r, &row[c]);
            row[c].type = types[c];
        }
        if (!key_matches(row, columns, key, count)) {
            continue;
        }
        Value *copy = row_copy(es->a, row, nc + 1);
        if (copy == NULL || row_list_push(es->a, out, copy) != STRATA_OK) {
            return arena_error(es->a, err);
        }
        *done = first_only;
    }
    return STRATA_OK;
}

/* rows_with_key through index ix (order[]: see index_on_columns): its
 * entries equal to the key, their rows fetched by row id and rechecked. */
static int rows_by_index(ExecState *es, const CatTable *t, const CatIndex *ix, const int *order,
                         const int *columns, const Value *key, int count, bool first_only,
                         RowList *out, Error *err)
{
    int *all;
    SqlType *types;
    int rc = all_columns(es, t, &all, &types, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int nc = t->column_count, width = ix->key_count + ix->include_count + 1;
    SqlType *itypes = arena_zalloc(es->a, sizeof(SqlType) * (size_t)width);
    Value *typed = arena_alloc(es->a, sizeof(Value) * (size_t)(count + 1));
    StrRef *ids = arena_alloc(es->a, sizeof(StrRef) * BATCH_CAPACITY);
    if (itypes == NULL || typed == NULL || ids == NULL) {
        return arena_error(es->a, err);
    }
    for (int k = 0; k < ix->key_count; k++) {
        itypes[k] = ix->key_types[k];
    }
    for (int k = 0; k < ix->include_count; k++) {
        itypes[ix->key_count + k] = t->columns[ix->include_columns[k]].type;
    }
    itypes[width - 1] = sql_type(TYPE_BYTEA);
    for (int k = 0; k < count; k++) {
        typed[k] = key[order[k]];
        typed[k].type = ix->key_types[k];
    }
    Batch *entries = batch_create(es->a, itypes, width, 0);
    Batch *batch = batch_create(es->a, types, nc + 1, 0);
    if (entries == NULL || batch == NULL) {
        return arena_error(es->a, err);
    }
    KeyRange range = {typed, count, true, typed, count, true};
    IndexScan *iscan;
    if ((rc = ix->am->scan_begin(es->env->txn, &ix->desc, &range, false, es->a, &iscan, err)) !=
        STRATA_OK) {
        return rc;
    }
    bool done = false;
    while (!done) {
        if ((rc = ix->am->scan_next(iscan, entries, err)) != STRATA_OK) {
            break;
        }
        int n = batch_active_count(entries);
        if (n == 0) {
            break;
        }
        for (int i = 0; i < n; i++) {
            Value v;
            batch_get_value(entries, width - 1, batch_active_row(entries, i), &v);
            ids[i] = v.str;
        }
        batch_reset(batch);
        if ((rc = tam_fetch(t->am, es->env->txn, &t->desc, ids, n, all, nc, true, batch, err)) !=
                STRATA_OK ||
            (rc = collect_matches(es, batch, types, nc, columns, key, count, first_only, out,
                                  &done, err)) != STRATA_OK) {
            break;
        }
    }
    ix->am->scan_end(iscan);
    return rc;
}

/* Collects the rows of t (all columns + row id, copied into es->a) whose
 * columns[] equal key[]; stops after the first when first_only. */
static int rows_with_key(ExecState *es, const CatTable *t, const int *columns, const Value *key,
                         int count, bool first_only, RowList *out, Error *err)
{
    int *all;
    SqlType *types;
    int rc = all_columns(es, t, &all, &types, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int nc = t->column_count;
    Batch *batch = batch_create(es->a, types, nc + 1, 0);
    if (batch == NULL) {
        return arena_error(es->a, err);
    }
    /* A primary key made of exactly these columns (in order) gives a range. */
    bool on_key = t->pkey_count == count;
    for (int k = 0; on_key && k < count; k++) {
        on_key = t->pkey_columns[k] == columns[k];
    }
    Value *typed = arena_alloc(es->a, sizeof(Value) * (size_t)(count + 1));
    if (typed == NULL) {
        return arena_error(es->a, err);
    }
    for (int k = 0; k < count; k++) {
        typed[k] = key[k];
        on_key = on_key && key[k].type.id == t->columns[columns[k]].type.id;
    }
    int order[32];
    const CatIndex *ix = on_key || count > 32 ? NULL : index_on_columns(t, columns, key, count, order);
    if (ix != NULL) {
        return rows_by_index(es, t, ix, order, columns, key, count, first_only, out, err);
    }
    KeyRange range = {typed, count, true, typed, count, true};
    ScanSpec spec = {0};
    spec.columns = all;
    spec.column_count = nc;
    spec.want_row_id = true;
    spec.range = on_key ? &range : NULL;
    TableScan *scan;
    if ((rc = tam_scan_begin(t->am, es->env->txn, &t->desc, &spec, es->a, &scan, err)) != STRATA_OK) {
        return rc;
    }
    bool done = false;
    while (!done) {
        if ((rc = tam_scan_next(t->am, scan, batch, err)) != STRATA_OK || batch->row_count == 0) {
            break;
        }
        rc = collect_matches(es, batch, types, nc, columns, key, count, first_only, out, &done, err);
        if (rc != STRATA_OK) {
            break;
        }
    }
    tam_scan_end(t->am, scan);
    return rc;
}

static void key_text(const CatTable *t, const int *columns, const Value *key, int count, Arena *a,
                     char *names, size_t names_size, char *values, size_t values_size)
{
    size_t np = 0, vp = 0;
    names[0] = values[0] = 0;
    for (int k = 0; k < count; k++) {
        const char *text = "NULL";
        if (!key[k].is_null) {
            Error ignored;
            error_clear(&ignored);
            StrRef s;
            if (value_format(&key[k], a, &s, &ignored) == STRATA_OK) {
                char *z = arena_strndup(a, s.ptr, s.len);
                text = z != NULL ? z : text;
            }
        }
        np += (size_t)snprintf(names + np, np < names_size ? names_size - np : 0, "%s%s",
                               k ? ", " : "", t->columns[columns[k]].name);
        vp += (size_t)snprintf(values + vp, vp < values_size ? values_size - vp : 0, "%s%s",
                               k ? ", " : "", text);
        if (np >= names_size || vp >= values_size) {
            break;
        }
    }
}

int exec_fk_check_row(ExecState *es, const CatTable *t, const Value *row, Error *err)
{
    for (int ci = 0; ci < t->constraint_count; ci++) {
        const CatConstraint *con = &t->constraints[ci];
        if (con->kind != CAT_CONSTRAINT_FOREIGN) {
            continue;
        }
        int count = con->column_count;
        Value key[32];
        if (count > 32) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "foreign key has too many columns");
        }
        int nulls = 0;
        for (int k = 0; k < count; k++) {
            key[k] = row[con->columns[k]];
            nulls += key[k].is_null;
        }
        if (nulls == count || (nulls > 0 && !con->match_full)) {
            continue;
        }
        const CatTable *ref = catalog_table_by_id(es->env->catalog, con->ref_table_id);
        if (ref == NULL) {
            return error_set(err, SQLSTATE_INTERNAL_ERROR, "referenced table of \"%s\" is missing", con->name);
        }
        RowList found = {0};
        int rc = STRATA_OK;
        if (nulls == 0) {
            rc = rows_with_key(es, ref, con->ref_columns, key, count, true, &found, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        if (found.count == 0) {
            char names[256], values[512];
            key_text(t, con->columns, key, count, es->fctx.arena, names, sizeof(names), values,
                     sizeof(values));
            error_set(err, SQLSTATE_FOREIGN_KEY_VIOLATION,
                      "insert or update on table \"%s\" violates foreign key constraint \"%s\"", t->name,
                      con->name);
            if (nulls > 0) {
                error_detail(err,
                         "MATCH FULL does not allow mixing of null and nonnull key values.");
            } else {
                error_detail(err, "Key (%s)=(%s) is not present in table \"%s\".",
                         names, values, ref->name);
            }
            snprintf(err->constraint_name, sizeof(err->constraint_name), "%s", con->name);
            snprintf(err->table_name, sizeof(err->table_name), "%s", t->name);
            return err->code;
        }
    }
    return STRATA_OK;
}

/* Index entries of row (all columns, row id at [nc]) in or out of every index. */
static int indexes_apply(ExecState *es, const CatTable *t, const Value *row, StrRef id, bool insert,
                         Error *err)
{
    for (int i = 0; i < t->index_count; i++) {
        const CatIndex *ix = t->indexes[i];
        if (ix->primary || ix->am == NULL) {
            continue;
        }
        int rc = insert ? exec_index_insert_row(es->env, t, ix, row, id, err)
                        : exec_index_delete_row(es->env, t, ix, row, id, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int set_default_value(ExecState *es, const CatTable *t, int column, Value *out, Error *err)
{
    const char *sql = t->columns[column].default_sql;
    if (sql == NULL) {
        *out = value_null(t->columns[column].type);
        return STRATA_OK;
    }
    Node *node;
    BoundExpr *e;
    Arena *saved = es->env->plan_arena;
    if (saved == NULL) {
        es->env->plan_arena = es->a;
    }
    int rc = sql_parse_expr(sql, strlen(sql), es->a, &node, err);
    if (rc == STRATA_OK) {
        rc = expr_bind_for_table(es->env, t, node, &e, NULL, err);
    }
    es->env->plan_arena = saved;
    if (rc == STRATA_OK) {
        rc = expr_eval_row(e, es->env, NULL, out, err);
    }
    SqlType target = t->columns[column].type;
    if (rc == STRATA_OK && !out->is_null && out->type.id != target.id) {
        /* The default was bound on its own, so a quoted literal such as
         * DEFAULT '0' came back as text; convert it through the column type's
         * input function, as the INSERT path's binder does (bind_dml.c). */
        Value converted;
        rc = value_cast_tz(out, target, CAST_EXPLICIT, es->fctx.timezone, es->a, &converted, err);
        if (rc == STRATA_OK) {
            *out = converted;
        }
    }
    return rc;
}

static int referenced_action(ExecState *es, const CatTable *t, const Value *old, const Value *newrow,
                             int depth, Error *err);

/* Applies one foreign key's action to the referencing rows of key. */
static int act_on_children(ExecState *es, const CatTable *parent, const CatConstraint *con,
                           const CatTable *child, const Value *key, const Value *new_key,
                           int depth, Error *err)
{
    RowList rows = {0};
    int count = con->column_count;
    char action = new_key != NULL ? con->on_update : con->on_delete;
    bool first_only = action == CAT_FK_NO_ACTION || action == CAT_FK_RESTRICT;
    int rc = rows_with_key(es, child, con->columns, key, count, first_only, &rows, err);
    if (rc != STRATA_OK || rows.count == 0) {
        return rc;
    }
    if (first_only) {
        char names[256], values[512];
        key_text(parent, con->ref_columns, key, count, es->fctx.arena, names, sizeof(names), values,
                 sizeof(values));
        error_set(err, SQLSTATE_FOREIGN_KEY_VIOLATION,
                  "update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
                  parent->name, con->name, child->name);
        error_detail(err, "Key (%s)=(%s) is still referenced from table \"%s\".",
                 names, values, child->name);
        snprintf(err->constraint_name, sizeof(err->constraint_name), "%s", con->name);
        snprintf(err->table_name, sizeof(err->table_name), "%s", child->name);
        return err->code;
    }
    int nc = child->column_count;
    Batch *batch = batch_create(es->a, child->desc.column_types, nc, 1);
    if (batch == NULL) {
        return arena_error(es->a, err);
    }
    for (size_t r = 0; r < rows.count; r++) {
        Value *row = rows.rows[r];
        StrRef id = row[nc].str;
        if ((rc = indexes_apply(es, child, row, id, false, err)) != STRATA_OK) {
            return rc;
        }
        if (action == CAT_FK_CASCADE && new_key == NULL) {
            if ((rc = tam_delete(child->am, es->env->txn, &child->desc, &id, 1, err)) != STRATA_OK ||
                (rc = referenced_action(es, child, row, NULL, depth + 1, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        Value *updated = row_copy(es->a, row, nc);
        if (updated == NULL) {
            return arena_error(es->a, err);
        }
        for (int k = 0; k < count; k++) {
            int col = con->columns[k];
            if (action == CAT_FK_CASCADE) {
                updated[col] = new_key[k];
            } else if (action == CAT_FK_SET_NULL) {
                updated[col] = value_null(child->columns[col].type);
            } else if ((rc = set_default_value(es, child, col, &updated[col], err)) != STRATA_OK) {
                return rc;
            }
            updated[col].type = child->columns[col].type;
            if (updated[col].is_null && child->columns[col].not_null) {
                return error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                                 "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                                 child->columns[col].name, child->name);
            }
        }
        batch_reset(batch);
        StrRef new_id;
        if (!batch_append_row(batch, updated)) {
            return arena_error(es->a, err);
        }
        if ((rc = tam_update(child->am, es->env->txn, &child->desc, &id, batch, &new_id, es->a, err)) !=
                STRATA_OK ||
            (rc = indexes_apply(es, child, updated, new_id, true, err)) != STRATA_OK) {
            return rc;
        }
        if (action == CAT_FK_SET_DEFAULT && (rc = exec_fk_check_row(es, child, updated, err)) != STRATA_OK) {
            return rc;
        }
        if ((rc = referenced_action(es, child, row, updated, depth + 1, err)) != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int referenced_action(ExecState *es, const CatTable *t, const Value *old, const Value *newrow,
                             int depth, Error *err)
{
    const CatConstraint *const *cons;
    const CatTable *const *owners;
    int count = 0;
    catalog_foreign_keys_referencing(es->env->catalog, t->id, &cons, &owners, &count);
    if (count == 0) {
        return STRATA_OK;
    }
    if (depth > FK_DEPTH_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "foreign key actions nested too deeply");
    }
    for (int f = 0; f < count; f++) {
        const CatConstraint *con = cons[f];
        int kc = con->column_count;
        Value key[32], new_key[32];
        if (kc > 32) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "foreign key has too many columns");
        }
        bool has_null = false, changed = false;
        for (int k = 0; k < kc; k++) {
            key[k] = old[con->ref_columns[k]];
            has_null |= key[k].is_null;
            if (newrow != NULL) {
                new_key[k] = newrow[con->ref_columns[k]];
                changed |= new_key[k].is_null || value_compare(&key[k], &new_key[k]) != 0;
            }
        }
        if (has_null || (newrow != NULL && !changed)) {
            continue;
        }
        int rc = act_on_children(es, t, con, owners[f], key, newrow ? new_key : NULL, depth, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int exec_fk_referenced(ExecState *es, const CatTable *t, const Value *old, const Value *newrow,
                       Error *err)
{
    return referenced_action(es, t, old, newrow, 0, err);
}
