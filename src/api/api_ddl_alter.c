/*
 * api/api_ddl_alter.c - CREATE INDEX (with builds over existing rows), ALTER
 * TABLE, TRUNCATE and the table rewrite they share.
 *
 * A rewrite (ADD/DROP COLUMN, ALTER TYPE, ADD/DROP PRIMARY KEY, SET ACCESS
 * METHOD) is the simplest correct approach: scan the old rows, create new
 * storage, insert converted rows, rebuild every index, drop the old storage.
 * Everything happens in the statement's write transaction.
 *
 * See src/api/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/ddl_int.h"
#include "types/cast.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

/* ---- index builds ----------------------------------------------------------------- */

typedef struct IndexBuildCtx {
    const CatTable *t;
    const CatIndex *x;
    IndexBuild *build; /* bulk path only */
} IndexBuildCtx;

static int index_row(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err)
{
    IndexBuildCtx *b = ctx;
    int rc = exec_index_insert_row(&d->env, b->t, b->x, row, row_id, err);
    if (rc != STRATA_OK && strcmp(err->sqlstate, SQLSTATE_UNIQUE_VIOLATION) == 0) {
        char detail[ERROR_DETAIL_MAX];
        snprintf(detail, sizeof(detail), "%s", err->detail);
        error_set(err, SQLSTATE_UNIQUE_VIOLATION, "could not create unique index \"%s\"",
                  b->x->name);
        if (detail[0] != '\0') {
            /* "Key (a)=(1) already exists." -> "Key (a)=(1) is duplicated." */
            char *p = strstr(detail, " already exists.");
            if (p != NULL) {
                snprintf(p, sizeof(detail) - (size_t)(p - detail), " is duplicated.");
            }
            error_detail(err, "%s", detail);
        }
    }
    return rc;
}

/* Bulk path: the index method buffers the entries, sorts them and builds the
 * tree bottom-up (IndexAm build_*), instead of one descent and leaf rewrite
 * per row. */
static int index_row_build(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err)
{
    IndexBuildCtx *b = ctx;
    Value keys[64], includes[64];
    bool skip = false;
    if (b->x->key_count > 64 || b->x->include_count > 64) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "index has too many columns");
    }
    int rc = exec_index_entry(&d->env, b->t, b->x, row, keys, includes, &skip, err);
    if (rc != STRATA_OK || skip) {
        return rc;
    }
    return b->x->am->build_add(b->build, keys, includes, row_id, err);
}

/* Extra threads CREATE INDEX may sort with: max_parallel_maintenance_workers,
 * bounded by the cores beyond the session's. */
static int maintenance_workers(Ddl *d)
{
    const char *setting = api_settings_get(d->conn, "max_parallel_maintenance_workers", NULL);
    int workers = setting != NULL ? atoi(setting) : 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores >= 1 && workers > cores - 1) {
        workers = (int)cores - 1;
    }
    return workers;
}

int api_ddl_build_index(Ddl *d, const CatTable *t, const CatIndex *x, Error *err)
{
    if (x->primary) {
        return STRATA_OK;
    }
    IndexBuildCtx ctx = {t, x, NULL};
    /* Unique indexes keep the entry-by-entry path: its duplicate check names
     * the key values in the 23505 detail. */
    if (x->am == NULL || x->am->build_begin == NULL || x->desc.unique) {
        return api_ddl_scan_rows(d, t, index_row, &ctx, err);
    }
    /* Plain column keys read only their columns (and the INCLUDE ones);
     * expression keys and partial predicates may use any column. */
    bool *needed = arena_zalloc(d->a, sizeof(bool) * (size_t)(t->column_count + 1));
    if (needed == NULL) {
        return arena_error(d->a, err);
    }
    bool all = x->predicate_sql != NULL;
    for (int k = 0; k < x->key_count; k++) {
        all = all || x->key_columns[k] < 0;
        if (x->key_columns[k] >= 0) {
            needed[x->key_columns[k]] = true;
        }
    }
    for (int k = 0; k < x->include_count; k++) {
        needed[x->include_columns[k]] = true;
    }
    int rc = x->am->build_begin(d->conn->txn, &x->desc, maintenance_workers(d), &ctx.build, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    rc = api_ddl_scan_columns(d, t, all ? NULL : needed, index_row_build, &ctx, err);
    int finish_rc = x->am->build_finish(ctx.build, rc == STRATA_OK, rc == STRATA_OK ? err : NULL);
    return rc != STRATA_OK ? rc : finish_rc;
}

int api_ddl_store_new_index(Ddl *d, CatTable *t, CatIndex *x, Error *err)
{
    int rc = catalog_edit_finish_table(d->edit, t, err);
    if (rc == STRATA_OK) {
        rc = api_ddl_create_index_storage(d, t, x, err);
    }
    return rc == STRATA_OK ? api_ddl_build_index(d, t, x, err) : rc;
}

int api_ddl_add_index(Ddl *d, CatTable *t, CatIndex *x, Error *err)
{
    const CatIndex **list = api_ddl_dup(d->a, t->indexes, t->index_count, 1, sizeof(void *));
    if (list == NULL) {
        return arena_error(d->a, err);
    }
    list[t->index_count] = x;
    t->indexes = list;
    t->index_count++;
    return api_ddl_store_new_index(d, t, x, err);
}

/* PostgreSQL's default index name: <table>_<column or function>_..._idx
 * (CREATE UNIQUE INDEX too; only constraints end in _key). */
static const char *index_base_name(Ddl *d, const CatTable *t, const CreateIndexStmt *s)
{
    const char *cols = "";
    for (int k = 0; k < s->params.count && cols != NULL; k++) {
        const IndexElem *e = (const IndexElem *)s->params.items[k];
        const char *part = e->name;
        if (part == NULL && e->expr != NULL && e->expr->tag == N_FUNC_CALL) {
            const FuncCall *f = (const FuncCall *)e->expr;
            part = f->name.items[f->name.count - 1];
        }
        cols = arena_sprintf(d->a, "%s%s%s", cols, k ? "_" : "", part != NULL ? part : "expr");
    }
    return arena_sprintf(d->a, "%s_%s_idx", t->name, cols);
}

static int index_keys(Ddl *d, const CatTable *t, const CreateIndexStmt *s, CatIndex *x, Error *err)
{
    int n = s->params.count;
    if (n > 32) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "cannot use more than 32 columns in an index");
    }
    int *cols = arena_alloc(d->a, sizeof(int) * (size_t)n);
    const char **sql = arena_zalloc(d->a, sizeof(char *) * (size_t)n);
    SqlType *types = arena_alloc(d->a, sizeof(SqlType) * (size_t)n);
    bool *flags = arena_zalloc(d->a, sizeof(bool) * (size_t)n * 2);
    if (cols == NULL || sql == NULL || types == NULL || flags == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < n; k++) {
        const IndexElem *e = (const IndexElem *)s->params.items[k];
        if (e->name != NULL) {
            cols[k] = cat_table_column_index(t, e->name);
            if (cols[k] < 0) {
                return error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                                 e->name);
            }
            types[k] = t->columns[cols[k]].type;
        } else {
            cols[k] = -1;
            sql[k] = sql_deparse_expr(e->expr, d->a);
            if (sql[k] == NULL) {
                return arena_error(d->a, err);
            }
            int rc = api_ddl_bind_expr(d, t, e->expr, &types[k], err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        int rc = api_ddl_check_key_type(types[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        flags[k] = e->dir == SORT_DESC;
        flags[n + k] =
            e->nulls == SORT_NULLS_FIRST || (e->nulls == SORT_NULLS_DEFAULT && e->dir == SORT_DESC);
    }
    x->key_count = n;
    x->key_columns = cols;
    x->key_sql = sql;
    x->key_types = types;
    x->key_descending = flags;
    x->key_nulls_first = flags + n;
    if (s->include.count > 0) {
        int *inc = arena_alloc(d->a, sizeof(int) * (size_t)s->include.count);
        if (inc == NULL) {
            return arena_error(d->a, err);
        }
        for (int k = 0; k < s->include.count; k++) {
            inc[k] = cat_table_column_index(t, s->include.items[k]);
            if (inc[k] < 0) {
                return error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                                 s->include.items[k]);
            }
        }
        x->include_columns = inc;
        x->include_count = s->include.count;
    }
    return STRATA_OK;
}

int api_ddl_create_index(Ddl *d, Error *err)
{
    const CreateIndexStmt *s = (const CreateIndexStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE INDEX");
    const CatTable *t = api_ddl_find_relation(d, s->relation->schema, s->relation->name);
    if (t == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         s->relation->name);
    }
    if (t->kind != CAT_TABLE) {
        error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "cannot create index on relation \"%s\"",
                  t->name);
        return error_detail(err, "This operation is not supported for %s.",
                            t->kind == CAT_VIEW ? "views" : "system views");
    }
    int owner_rc = api_ddl_require_owner(d, t, err);
    if (owner_rc != STRATA_OK) {
        return owner_rc;
    }
    const char *method = s->access_method != NULL ? s->access_method : "btree";
    if (index_am_lookup(method) == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "access method \"%s\" does not exist",
                         method);
    }
    const char *name = s->name;
    if (name != NULL && api_ddl_name_taken(d, t->schema, name)) {
        if (s->if_not_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_DUPLICATE_TABLE,
                                   "relation \"%s\" already exists, skipping", name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
    }
    if (name == NULL) {
        const char *base = index_base_name(d, t, s);
        name = base != NULL ? api_ddl_choose_name(d, t->schema, base) : NULL;
        if (name == NULL) {
            return arena_error(d->a, err);
        }
    }
    CatTable *copy = catalog_edit_copy_table(d->edit, t, err);
    CatIndex *x = arena_zalloc(d->a, sizeof(*x));
    if (copy == NULL || x == NULL) {
        return copy == NULL ? err->code : arena_error(d->a, err);
    }
    int rc = catalog_edit_new_id(d->edit, &x->id, err);
    if (rc == STRATA_OK) {
        x->name = name;
        x->unique = s->unique;
        x->nulls_not_distinct = s->nulls_not_distinct;
        x->am_name = method;
        rc = index_keys(d, copy, s, x, err);
    }
    if (rc == STRATA_OK && s->where != NULL) {
        x->predicate_sql = sql_deparse_expr(s->where, d->a);
        rc = x->predicate_sql == NULL ? arena_error(d->a, err)
                                      : api_ddl_bind_expr(d, copy, s->where, NULL, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    rc = api_ddl_add_index(d, copy, x, err);
    if (rc == STRATA_OK && x->unique) {
        CatConstraint *cons = api_ddl_constraints(d, copy);
        (void)cons;
    }
    if (rc == STRATA_OK && copy->partition_key != NULL) {
        rc = api_ddl_partition_index(d, t, x, err);
    }
    return rc == STRATA_OK ? catalog_edit_put_table(d->edit, copy, err) : rc;
}

/* ---- rewrite ------------------------------------------------------------------------ */

typedef struct RewriteCtx {
    CatTable *t;
    const int *source;
    const Value **defaults;        /* per new column: evaluated constant default or NULL */
    BoundExpr *const *using_exprs; /* per new column: ALTER TYPE ... USING, or NULL */
    Arena *a;
    Batch *batch;
    Value *row;
} RewriteCtx;

static int flush_rewrite(Ddl *d, RewriteCtx *r, Error *err)
{
    if (r->batch->row_count == 0) {
        return STRATA_OK;
    }
    CatTable *t = r->t;
    StrRef *ids = arena_alloc(r->a, sizeof(StrRef) * (size_t)r->batch->row_count);
    if (ids == NULL) {
        return arena_error(r->a, err);
    }
    int rc = tam_insert(t->am, d->conn->txn, &t->desc, r->batch, ids, r->a, err);
    Value *row = r->row;
    for (int k = 0; k < r->batch->row_count && rc == STRATA_OK; k++) {
        for (int col = 0; col < t->column_count; col++) {
            if (vector_is_null(&r->batch->columns[col], k)) {
                row[col] = value_null(t->columns[col].type);
            } else {
                batch_get_value(r->batch, col, k, &row[col]);
            }
        }
        for (int x = 0; x < t->index_count && rc == STRATA_OK; x++) {
            if (!t->indexes[x]->primary) {
                rc = exec_index_insert_row(&d->env, t, t->indexes[x], row, ids[k], err);
            }
        }
    }
    batch_reset(r->batch);
    return rc;
}

static int rewrite_row(Ddl *d, void *ctx, const Value *old_row, StrRef row_id, Error *err)
{
    RewriteCtx *r = ctx;
    CatTable *t = r->t;
    Value *row = r->row;
    for (int col = 0; col < t->column_count; col++) {
        int src = r->source[col];
        if (r->using_exprs != NULL && r->using_exprs[col] != NULL) {
            Value v;
            int rc = expr_eval_row(r->using_exprs[col], &d->env, old_row, &v, err);
            if (rc == STRATA_OK && !v.is_null &&
                (v.type.id != t->columns[col].type.id ||
                 v.type.typmod != t->columns[col].type.typmod)) {
                rc = value_cast(&v, t->columns[col].type, CAST_ASSIGNMENT, r->batch->arena,
                                &row[col], err);
            } else if (rc == STRATA_OK) {
                row[col] = v.is_null ? value_null(t->columns[col].type) : v;
            }
            if (rc != STRATA_OK) {
                return rc;
            }
        } else if (src < 0) {
            row[col] =
                r->defaults[col] != NULL ? *r->defaults[col] : value_null(t->columns[col].type);
        } else if (old_row[src].is_null) {
            row[col] = value_null(t->columns[col].type);
        } else if (old_row[src].type.id != t->columns[col].type.id ||
                   old_row[src].type.typmod != t->columns[col].type.typmod) {
            int rc = value_cast(&old_row[src], t->columns[col].type, CAST_ASSIGNMENT,
                                r->batch->arena, &row[col], err);
            if (rc != STRATA_OK) {
                return rc;
            }
        } else {
            row[col] = old_row[src];
        }
        if (row[col].is_null && t->columns[col].not_null) {
            error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                      "column \"%s\" of relation \"%s\" contains null values", t->columns[col].name,
                      t->name);
            return err->code;
        }
    }
    if (!batch_append_row(r->batch, row)) {
        return arena_error(r->a, err);
    }
    if (r->batch->row_count == r->batch->capacity) {
        return flush_rewrite(d, r, err);
    }
    return STRATA_OK;
}

static int eval_default(Ddl *d, const CatTable *t, const CatColumn *c, Arena *a, const Value **out,
                        Error *err)
{
    *out = NULL;
    if (c->default_sql == NULL) {
        return STRATA_OK;
    }
    Node *expr;
    BoundExpr *bound;
    SqlType type;
    int rc = sql_parse_expr(c->default_sql, strlen(c->default_sql), a, &expr, err);
    if (rc == STRATA_OK && expr->tag == N_CONST && ((const Const *)expr)->kind == CONST_STRING) {
        /* an untyped literal is read as the column's type ('{}' for int[]) */
        const Const *literal = (const Const *)expr;
        Value *v = arena_zalloc(a, sizeof(Value));
        if (v == NULL) {
            return arena_error(a, err);
        }
        rc = value_parse_tz(c->type, literal->text, literal->text_length,
                            d->env.func_ctx.timezone, a, v, err);
        *out = rc == STRATA_OK ? v : NULL;
        return rc;
    }
    if (rc == STRATA_OK) {
        rc = expr_bind_for_table(&d->env, t, expr, &bound, &type, err);
    }
    Value *v = arena_zalloc(a, sizeof(Value) * 2);
    Value *row = arena_zalloc(a, sizeof(Value) * (size_t)(t->column_count + 1));
    if (rc == STRATA_OK && (v == NULL || row == NULL)) {
        rc = arena_error(a, err);
    }
    for (int col = 0; rc == STRATA_OK && col < t->column_count; col++) {
        row[col] = value_null(t->columns[col].type);
    }
    if (rc == STRATA_OK) {
        rc = expr_eval_row(bound, &d->env, row, &v[0], err);
    }
    if (rc == STRATA_OK && !v[0].is_null && v[0].type.id != c->type.id) {
        rc = value_cast(&v[0], c->type, CAST_ASSIGNMENT, a, &v[1], err);
        v[0] = v[1];
    }
    if (rc == STRATA_OK) {
        *out = &v[0];
    }
    return rc;
}

static int rewrite_table_using(Ddl *d, const CatTable *old_table, CatTable *t,
                               const int *source_columns, BoundExpr *const *using_exprs,
                               Error *err);

int api_ddl_rewrite_table(Ddl *d, const CatTable *old_table, CatTable *t, const int *source_columns,
                          Error *err)
{
    return rewrite_table_using(d, old_table, t, source_columns, NULL, err);
}

static int rewrite_table_using(Ddl *d, const CatTable *old_table, CatTable *t,
                               const int *source_columns, BoundExpr *const *using_exprs, Error *err)
{
    int rc = catalog_edit_finish_table(d->edit, t, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (t->am == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "access method \"%s\" does not exist",
                         t->am_name);
    }
    t->desc.storage_root = 0;
    rc = tam_create(t->am, d->conn->txn, &t->desc, err);
    for (int k = 0; k < t->index_count && rc == STRATA_OK; k++) {
        rc = api_ddl_create_index_storage(d, t, (CatIndex *)t->indexes[k], err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Arena *a = arena_create(d->stmt->exec_arena, 0, "rewrite");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    RewriteCtx r = {.t = t, .source = source_columns, .using_exprs = using_exprs, .a = a};
    r.defaults = arena_zalloc(a, sizeof(Value *) * (size_t)(t->column_count + 1));
    r.row = arena_alloc(a, sizeof(Value) * (size_t)(t->column_count + 1));
    r.batch = batch_create(a, t->desc.column_types, t->column_count, 256);
    if (r.defaults == NULL || r.row == NULL || r.batch == NULL) {
        rc = arena_error(a, err);
    }
    for (int col = 0; col < t->column_count && rc == STRATA_OK; col++) {
        if (source_columns[col] < 0) {
            rc = eval_default(d, t, &t->columns[col], a, &r.defaults[col], err);
        }
    }
    if (rc == STRATA_OK) {
        rc = api_ddl_scan_rows(d, old_table, rewrite_row, &r, err);
    }
    if (rc == STRATA_OK) {
        rc = flush_rewrite(d, &r, err);
    }
    if (rc == STRATA_OK) {
        rc = api_ddl_drop_storage(d, old_table, err);
    }
    arena_destroy(a);
    return rc;
}

/* ---- ALTER TABLE ------------------------------------------------------------------------------
 */

static int identity_map(Ddl *d, int count, int **out, Error *err)
{
    int *map = arena_alloc(d->a, sizeof(int) * (size_t)(count + 1));
    if (map == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < count; k++) {
        map[k] = k;
    }
    *out = map;
    return STRATA_OK;
}

static int column_or_error(const CatTable *t, const char *name, Error *err)
{
    int col = cat_table_column_index(t, name);
    if (col < 0) {
        error_set(err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" of relation \"%s\" does not exist",
                  name, t->name);
    }
    return col;
}

/* The working state of one ALTER TABLE statement. */
typedef struct Alter {
    const CatTable *original; /* in the base catalog (its storage) */
    CatTable *t;              /* the edited copy */
    int *source;              /* new column -> original column, or -1 */
    BoundExpr **using_exprs;  /* new column -> ALTER TYPE ... USING expression, or NULL */
    bool needs_rewrite;
} Alter;

static int alter_add_column(Ddl *d, Alter *al, const AlterTableCmd *cmd, Error *err)
{
    const ColumnDef *def = (const ColumnDef *)cmd->def;
    CatTable *t = al->t;
    if (cat_table_column_index(t, def->name) >= 0) {
        if (cmd->if_not_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_DUPLICATE_COLUMN,
                                   "column \"%s\" of relation \"%s\" already exists, skipping",
                                   def->name, t->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_DUPLICATE_COLUMN,
                         "column \"%s\" of relation \"%s\" already exists", def->name, t->name);
    }
    CatColumn *cols = arena_alloc(d->a, sizeof(CatColumn) * (size_t)(t->column_count + 1));
    int *source = arena_alloc(d->a, sizeof(int) * (size_t)(t->column_count + 1));
    if (cols == NULL || source == NULL) {
        return arena_error(d->a, err);
    }
    memcpy(cols, t->columns, sizeof(CatColumn) * (size_t)t->column_count);
    memcpy(source, al->source, sizeof(int) * (size_t)t->column_count);
    CatColumn *c = &cols[t->column_count];
    memset(c, 0, sizeof(*c));
    c->name = def->name;
    bool serial;
    int rc = api_ddl_type(def->type, &c->type, &serial, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    api_ddl_column_domain(d, def->type, c);
    if (serial) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "adding a serial column is not supported yet");
    }
    for (int k = 0; k < def->constraints.count; k++) {
        const Constraint *con = (const Constraint *)def->constraints.items[k];
        if (con->kind == CONSTRAINT_NOT_NULL) {
            c->not_null = true;
        } else if (con->kind == CONSTRAINT_DEFAULT) {
            c->default_sql = sql_deparse_expr(con->expr, d->a);
        } else if (con->kind != CONSTRAINT_NULL) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "constraints on ADD COLUMN are not supported yet; use ADD CONSTRAINT");
        }
    }
    source[t->column_count] = -1;
    t->columns = cols;
    t->column_count++;
    al->source = source;
    al->needs_rewrite = true;
    return STRATA_OK;
}

static bool list_has(const int *cols, int count, int col)
{
    for (int k = 0; k < count; k++) {
        if (cols[k] == col) {
            return true;
        }
    }
    return false;
}

/* DROP COLUMN: views that use the column block it unless CASCADE drops them. */
static int check_column_views(Ddl *d, const CatTable *t, const char *column, bool cascade,
                              Error *err)
{
    /* every dependent view (a fixed array once left views past it behind) */
    int view_max = catalog_table_count(d->conn->catalog);
    const CatTable **views = arena_alloc(d->a, sizeof(*views) * (size_t)(view_max + 1));
    if (views == NULL) {
        return arena_error(d->a, err);
    }
    int n = api_ddl_dependent_views(d->conn->catalog, t, views, view_max);
    for (int k = 0; k < n; k++) {
        if (!api_ddl_view_uses(views[k], t, column)) {
            continue;
        }
        if (!cascade) {
            error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                      "cannot drop column %s of table %s because other objects depend on it",
                      column, t->name);
            error_detail(err, "view %s depends on column %s of table %s", views[k]->name, column,
                         t->name);
            return error_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
        }
        api_session_cascade(d->conn, "drop cascades to %s %s",
                            cat_is_matview(views[k]) ? "materialized view" : "view",
                            api_ddl_cascade_name(d, views[k]->schema, views[k]->name));
        /* with what reads the view in turn, and a materialized view's storage */
        int rc = api_ddl_drop_relation_cascade(d, views[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int alter_drop_column(Ddl *d, Alter *al, const AlterTableCmd *cmd, Error *err)
{
    CatTable *t = al->t;
    int col = cat_table_column_index(t, cmd->name);
    if (col < 0) {
        if (cmd->if_exists) {
            api_session_notice(d->conn, "column \"%s\" of relation \"%s\" does not exist, skipping",
                               cmd->name, t->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_UNDEFINED_COLUMN,
                         "column \"%s\" of relation \"%s\" does not exist", cmd->name, t->name);
    }
    int rc = check_column_views(d, al->original, cmd->name, cmd->cascade, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (t->column_count == 1) {
        /* PostgreSQL allows zero-column tables; strata keeps at least one. */
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "cannot drop the only column of table \"%s\"", t->name);
    }
    /* Drop indexes and constraints that use the column (PostgreSQL does the same). */
    const CatIndex **indexes = arena_alloc(d->a, sizeof(void *) * (size_t)(t->index_count + 1));
    CatConstraint *cons =
        arena_alloc(d->a, sizeof(CatConstraint) * (size_t)(t->constraint_count + 1));
    if (indexes == NULL || cons == NULL) {
        return arena_error(d->a, err);
    }
    int kept_idx = 0, kept_con = 0;
    for (int k = 0; k < t->index_count; k++) {
        const CatIndex *x = t->indexes[k];
        bool uses = list_has(x->key_columns, x->key_count, col) ||
                    list_has(x->include_columns, x->include_count, col);
        if (uses && x->primary) {
            t->pkey_count = 0;
            t->pkey_columns = NULL;
        }
        if (!uses) {
            indexes[kept_idx++] = x;
        }
    }
    for (int k = 0; k < t->constraint_count; k++) {
        const CatConstraint *c = &t->constraints[k];
        bool uses = list_has(c->columns, c->column_count, col) ||
                    (c->kind == CAT_CONSTRAINT_CHECK && c->check_sql != NULL &&
                     strstr(c->check_sql, cmd->name) != NULL);
        if (!uses) {
            cons[kept_con++] = *c;
        }
    }
    /* Shift column numbers above col down by one. */
    for (int k = 0; k < kept_idx; k++) {
        CatIndex *x = arena_memdup(d->a, indexes[k], sizeof(CatIndex));
        int *keys =
            x == NULL ? NULL : api_ddl_dup(d->a, x->key_columns, x->key_count, 1, sizeof(int));
        int *inc = x == NULL
                       ? NULL
                       : api_ddl_dup(d->a, x->include_columns, x->include_count, 1, sizeof(int));
        if (x == NULL || keys == NULL || inc == NULL) {
            return arena_error(d->a, err);
        }
        for (int j = 0; j < x->key_count; j++) {
            keys[j] -= keys[j] > col;
        }
        for (int j = 0; j < x->include_count; j++) {
            inc[j] -= inc[j] > col;
        }
        x->key_columns = keys;
        x->include_columns = x->include_count ? inc : NULL;
        indexes[k] = x;
    }
    for (int k = 0; k < kept_con; k++) {
        int *cols = api_ddl_dup(d->a, cons[k].columns, cons[k].column_count, 1, sizeof(int));
        if (cols == NULL) {
            return arena_error(d->a, err);
        }
        for (int j = 0; j < cons[k].column_count; j++) {
            cols[j] -= cols[j] > col;
        }
        cons[k].columns = cols;
    }
    if (t->pkey_count > 0) {
        int *pk = api_ddl_dup(d->a, t->pkey_columns, t->pkey_count, 0, sizeof(int));
        if (pk == NULL) {
            return arena_error(d->a, err);
        }
        for (int j = 0; j < t->pkey_count; j++) {
            pk[j] -= pk[j] > col;
        }
        t->pkey_columns = pk;
    }
    CatColumn *cols = arena_alloc(d->a, sizeof(CatColumn) * (size_t)t->column_count);
    int *source = arena_alloc(d->a, sizeof(int) * (size_t)t->column_count);
    if (cols == NULL || source == NULL) {
        return arena_error(d->a, err);
    }
    int at = 0;
    for (int k = 0; k < t->column_count; k++) {
        if (k != col) {
            cols[at] = t->columns[k];
            source[at++] = al->source[k];
        }
    }
    t->columns = cols;
    t->column_count--;
    t->indexes = indexes;
    t->index_count = kept_idx;
    t->constraints = cons;
    t->constraint_count = kept_con;
    t->stats = NULL;
    al->source = source;
    al->needs_rewrite = true;
    return STRATA_OK;
}

int api_ddl_drop_columns(Ddl *d, const CatTable *t, const char *const *columns, int count,
                         Error *err)
{
    if (t->partition_key != NULL || t->parent_id != 0) {
        /* as alter_cmd: partitions share the parent's column layout */
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "changing the columns of a partitioned table or a partition is not "
                         "supported");
    }
    Alter al = {.original = t, .t = catalog_edit_copy_table(d->edit, t, err)};
    if (al.t == NULL) {
        return err->code;
    }
    int rc = identity_map(d, t->column_count, &al.source, err);
    for (int k = 0; k < count && rc == STRATA_OK; k++) {
        AlterTableCmd cmd = {
            .kind = ALTER_DROP_COLUMN, .name = (char *)columns[k], .cascade = true};
        rc = alter_drop_column(d, &al, &cmd, err);
    }
    if (rc == STRATA_OK && al.needs_rewrite) {
        rc = rewrite_table_using(d, t, al.t, al.source, al.using_exprs, err);
    }
    return rc == STRATA_OK ? catalog_edit_put_table(d->edit, al.t, err) : rc;
}

typedef struct CheckCtx {
    BoundExpr *expr;
    const CatTable *t;
    const char *name;
    int column; /* NOT NULL check: the column, else -1 */
} CheckCtx;

static int check_row(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err)
{
    CheckCtx *c = ctx;
    if (c->column >= 0) {
        if (row[c->column].is_null) {
            return error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                             "column \"%s\" of relation \"%s\" contains null values",
                             c->t->columns[c->column].name, c->t->name);
        }
        return STRATA_OK;
    }
    Value v;
    int rc = expr_eval_row(c->expr, &d->env, row, &v, err);
    if (rc == STRATA_OK && !v.is_null && v.type.id == TYPE_BOOL && !v.b) {
        rc = error_set(err, SQLSTATE_CHECK_VIOLATION,
                       "check constraint \"%s\" of relation \"%s\" is violated by some row",
                       c->name, c->t->name);
    }
    return rc;
}

/* The referenced columns of a new foreign key: given, or the primary key. */
static int fk_ref_columns(Ddl *d, const CatTable *ref, const Constraint *c, int count, int **out,
                          Error *err)
{
    int *cols = arena_alloc(d->a, sizeof(int) * (size_t)(count + 1));
    if (cols == NULL) {
        return arena_error(d->a, err);
    }
    if (c->ref_columns.count == 0) {
        if (ref->pkey_count == 0) {
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT,
                             "there is no primary key for referenced table \"%s\"", ref->name);
        }
        if (ref->pkey_count != count) {
            return error_set(
                err, SQLSTATE_INVALID_FOREIGN_KEY,
                "number of referencing and referenced columns for foreign key disagree");
        }
        memcpy(cols, ref->pkey_columns, sizeof(int) * (size_t)count);
    } else if (c->ref_columns.count != count) {
        return error_set(err, SQLSTATE_INVALID_FOREIGN_KEY,
                         "number of referencing and referenced columns for foreign key disagree");
    }
    for (int k = 0; k < c->ref_columns.count; k++) {
        cols[k] = cat_table_column_index(ref, c->ref_columns.items[k]);
        if (cols[k] < 0) {
            return error_set(err, SQLSTATE_UNDEFINED_COLUMN,
                             "column \"%s\" referenced in foreign key constraint does not exist",
                             c->ref_columns.items[k]);
        }
    }
    for (int x = 0; x < ref->index_count; x++) {
        const CatIndex *idx = ref->indexes[x];
        int matched = 0;
        for (int i = 0;
             idx->unique && idx->predicate_sql == NULL && idx->key_count == count && i < count;
             i++) {
            matched += list_has(idx->key_columns, idx->key_count, cols[i]);
        }
        if (matched == count) {
            *out = cols;
            return STRATA_OK;
        }
    }
    return error_set(
        err, SQLSTATE_INVALID_FOREIGN_KEY,
        "there is no unique constraint matching given keys for referenced table \"%s\"", ref->name);
}

/* Runs one query and returns its first row's columns as text (NULL if no row). */
static int first_row_text(Ddl *d, const char *sql, int column_count, const char ***out, Error *err)
{
    Stmt *ast;
    Plan *plan;
    Executor *ex = NULL;
    Batch *batch = NULL;
    *out = NULL;
    int rc = sql_parse_one(sql, strlen(sql), d->a, &ast, err);
    if (rc == STRATA_OK) {
        rc = plan_statement(&d->env, ast, &plan, err);
    }
    if (rc == STRATA_OK) {
        rc = executor_start(plan, &d->env, &ex, err);
    }
    while (rc == STRATA_OK && (rc = executor_next(ex, &batch, err)) == STRATA_OK && batch != NULL &&
           batch_active_count(batch) == 0) {
    }
    if (rc == STRATA_OK && batch != NULL) {
        const char **row = arena_zalloc(d->a, sizeof(char *) * (size_t)column_count);
        int r = batch_active_row(batch, 0);
        for (int col = 0; row != NULL && col < column_count && rc == STRATA_OK; col++) {
            Value v;
            StrRef text;
            if (vector_is_null(&batch->columns[col], r)) {
                row[col] = "NULL";
                continue;
            }
            batch_get_value(batch, col, r, &v);
            rc = value_format(&v, d->a, &text, err);
            row[col] = rc == STRATA_OK ? api_copy_bytes(d->a, text.ptr, text.len) : NULL;
        }
        *out = row;
    }
    if (ex != NULL) {
        executor_end(ex);
    }
    return rc;
}

/* Checks existing rows against a new foreign key with one anti-join query. */
static int validate_foreign_key(Ddl *d, const CatTable *t, const CatTable *ref,
                                const CatConstraint *con, Error *err)
{
    Arena *a = d->a;
    const char *cols = "", *nonnull = "", *match = "", *key_names = "";
    for (int k = 0; k < con->column_count; k++) {
        const char *cn = sql_quote_identifier(t->columns[con->columns[k]].name, a);
        const char *rn = sql_quote_identifier(ref->columns[con->ref_columns[k]].name, a);
        cols = arena_sprintf(a, "%s%sc.%s", cols, k ? ", " : "", cn);
        nonnull = arena_sprintf(a, "%s AND c.%s IS NOT NULL", nonnull, cn);
        match = arena_sprintf(a, "%s%sp.%s = c.%s", match, k ? " AND " : "", rn, cn);
        key_names =
            arena_sprintf(a, "%s%s%s", key_names, k ? ", " : "", t->columns[con->columns[k]].name);
    }
    char *sql = arena_sprintf(
        a, "SELECT %s FROM %s.%s c WHERE true%s AND NOT EXISTS (SELECT 1 FROM %s.%s p WHERE %s)",
        cols, sql_quote_identifier(t->schema, a), sql_quote_identifier(t->name, a), nonnull,
        sql_quote_identifier(ref->schema, a), sql_quote_identifier(ref->name, a), match);
    if (sql == NULL || key_names == NULL) {
        return arena_error(a, err);
    }
    const char **row;
    int rc = first_row_text(d, sql, con->column_count, &row, err);
    if (rc != STRATA_OK || row == NULL) {
        return rc;
    }
    const char *values = "";
    for (int k = 0; k < con->column_count && values != NULL; k++) {
        values = arena_sprintf(a, "%s%s%s", values, k ? ", " : "", row[k]);
    }
    error_set(err, SQLSTATE_FOREIGN_KEY_VIOLATION,
              "insert or update on table \"%s\" violates foreign key constraint \"%s\"", t->name,
              con->name);
    return error_detail(err, "Key (%s)=(%s) is not present in table \"%s\".", key_names,
                        values != NULL ? values : "?", ref->name);
}

static int alter_add_foreign_key(Ddl *d, Alter *al, const Constraint *c, Error *err)
{
    CatTable *t = al->t;
    if (al->needs_rewrite) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "ADD FOREIGN KEY cannot be combined with a table rewrite");
    }
    bool self = (c->ref_table->schema == NULL || strcmp(c->ref_table->schema, t->schema) == 0) &&
                strcmp(c->ref_table->name, t->name) == 0;
    const CatTable *ref =
        self ? t : api_ddl_find_relation(d, c->ref_table->schema, c->ref_table->name);
    if (ref == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         c->ref_table->name);
    }
    if (ref->kind != CAT_TABLE) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE,
                         "referenced relation \"%s\" is not a table", ref->name);
    }
    int priv_rc = ref == t ? STRATA_OK : api_ddl_require_privilege(d, ref, CAT_PRIV_REFERENCES, err);
    if (priv_rc != STRATA_OK) {
        return priv_rc;
    }
    int n = c->keys.count;
    int *cols = arena_alloc(d->a, sizeof(int) * (size_t)(n + 1));
    const char *joined = "";
    if (cols == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < n; k++) {
        cols[k] = column_or_error(t, c->keys.items[k], err);
        if (cols[k] < 0) {
            return err->code;
        }
        joined = arena_sprintf(d->a, "%s%s%s", joined, k ? "_" : "", c->keys.items[k]);
    }
    int *ref_cols = NULL;
    int rc = fk_ref_columns(d, ref, c, n, &ref_cols, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    CatConstraint *cons = api_ddl_constraints(d, t);
    if (cons == NULL || joined == NULL) {
        return arena_error(d->a, err);
    }
    CatConstraint *con = &cons[t->constraint_count];
    memset(con, 0, sizeof(*con));
    con->name = c->name != NULL ? c->name : arena_sprintf(d->a, "%s_%s_fkey", t->name, joined);
    con->kind = CAT_CONSTRAINT_FOREIGN;
    con->column_count = n;
    con->columns = cols;
    con->ref_table_id = ref->id;
    con->ref_columns = ref_cols;
    con->on_delete = c->on_delete ? (char)c->on_delete : CAT_FK_NO_ACTION;
    con->on_update = c->on_update ? (char)c->on_update : CAT_FK_NO_ACTION;
    con->match_full = c->match == FK_MATCH_FULL;
    rc = con->name == NULL
             ? arena_error(d->a, err)
             : validate_foreign_key(d, al->original, self ? al->original : ref, con, err);
    if (rc == STRATA_OK) {
        t->constraint_count++;
    }
    return rc;
}

static int alter_add_constraint(Ddl *d, Alter *al, const AlterTableCmd *cmd, Error *err)
{
    CatTable *t = al->t;
    const Constraint *c = (const Constraint *)cmd->def;
    if (c->name != NULL) {
        for (int k = 0; k < t->constraint_count; k++) {
            if (strcmp(t->constraints[k].name, c->name) == 0) {
                return error_set(err, SQLSTATE_DUPLICATE_OBJECT,
                                 "constraint \"%s\" for relation \"%s\" already exists", c->name,
                                 t->name);
            }
        }
    }
    if (c->kind == CONSTRAINT_CHECK) {
        const char *name = c->name;
        if (name == NULL) {
            name = arena_sprintf(d->a, "%s_check", t->name);
            for (int col = 0; col < t->column_count && name != NULL; col++) {
                char *text = sql_deparse_expr(c->expr, d->a);
                if (text != NULL && strstr(text, t->columns[col].name) != NULL) {
                    name = arena_sprintf(d->a, "%s_%s_check", t->name, t->columns[col].name);
                    break;
                }
            }
        }
        CheckCtx ctx = {.t = t, .name = name, .column = -1};
        SqlType type;
        int rc = name == NULL ? arena_error(d->a, err)
                              : expr_bind_for_table(&d->env, t, c->expr, &ctx.expr, &type, err);
        if (rc == STRATA_OK && !al->needs_rewrite) {
            rc = api_ddl_scan_rows(d, al->original, check_row, &ctx, err);
        }
        CatConstraint *cons = rc == STRATA_OK ? api_ddl_constraints(d, t) : NULL;
        if (rc != STRATA_OK || cons == NULL) {
            return rc != STRATA_OK ? rc : arena_error(d->a, err);
        }
        CatConstraint *con = &cons[t->constraint_count++];
        memset(con, 0, sizeof(*con));
        con->name = name;
        con->kind = CAT_CONSTRAINT_CHECK;
        con->check_sql = sql_deparse_expr(c->expr, d->a);
        return STRATA_OK;
    }
    if (c->kind == CONSTRAINT_UNIQUE || c->kind == CONSTRAINT_PRIMARY) {
        bool primary = c->kind == CONSTRAINT_PRIMARY;
        if (primary && t->pkey_count > 0) {
            return error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                             "multiple primary keys for table \"%s\" are not allowed", t->name);
        }
        int n = c->keys.count;
        int *cols = arena_alloc(d->a, sizeof(int) * (size_t)n);
        SqlType *types = arena_alloc(d->a, sizeof(SqlType) * (size_t)n);
        bool *flags = arena_zalloc(d->a, sizeof(bool) * (size_t)n * 2);
        CatIndex *x = arena_zalloc(d->a, sizeof(*x));
        const char *joined = "";
        if (cols == NULL || types == NULL || flags == NULL || x == NULL) {
            return arena_error(d->a, err);
        }
        CatColumn *tcols = api_ddl_columns(d, t);
        for (int k = 0; k < n; k++) {
            cols[k] = column_or_error(t, c->keys.items[k], err);
            if (cols[k] < 0) {
                return err->code;
            }
            types[k] = t->columns[cols[k]].type;
            if (api_ddl_check_key_type(types[k], err) != STRATA_OK) {
                return err->code;
            }
            joined = arena_sprintf(d->a, "%s%s%s", joined, k ? "_" : "", c->keys.items[k]);
            if (primary) {
                tcols[cols[k]].not_null = true;
            }
        }
        const char *base = primary ? arena_sprintf(d->a, "%s_pkey", t->name)
                                   : arena_sprintf(d->a, "%s_%s_key", t->name, joined);
        const char *name = c->name != NULL ? c->name : api_ddl_choose_name(d, t->schema, base);
        int rc = catalog_edit_new_id(d->edit, &x->id, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        x->name = name;
        x->key_count = n;
        x->key_columns = cols;
        x->key_types = types;
        x->key_descending = flags;
        x->key_nulls_first = flags + n;
        x->unique = true;
        x->primary = primary;
        x->am_name = "btree";
        const CatIndex **list = arena_alloc(d->a, sizeof(void *) * (size_t)(t->index_count + 1));
        CatConstraint *cons = api_ddl_constraints(d, t);
        if (list == NULL || cons == NULL) {
            return arena_error(d->a, err);
        }
        int at = 0;
        if (primary) {
            list[at++] = x;
        }
        for (int k = 0; k < t->index_count; k++) {
            list[at++] = t->indexes[k];
        }
        if (!primary) {
            list[at++] = x;
        }
        t->indexes = list;
        t->index_count = at;
        CatConstraint *con = &cons[t->constraint_count++];
        memset(con, 0, sizeof(*con));
        con->name = name;
        con->kind = primary ? CAT_CONSTRAINT_PRIMARY : CAT_CONSTRAINT_UNIQUE;
        con->column_count = n;
        con->columns = cols;
        con->index_id = x->id;
        if (primary) {
            /* A new clustering key: rewrite the rows into new storage. */
            t->pkey_columns = cols;
            t->pkey_count = n;
            al->needs_rewrite = true;
            return STRATA_OK;
        }
        if (al->needs_rewrite) {
            return STRATA_OK; /* built by the rewrite */
        }
        return api_ddl_store_new_index(d, t, x, err);
    }
    if (c->kind == CONSTRAINT_FOREIGN) {
        return alter_add_foreign_key(d, al, c, err);
    }
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "this constraint kind cannot be added");
}

static int alter_drop_constraint(Ddl *d, Alter *al, const AlterTableCmd *cmd, Error *err)
{
    CatTable *t = al->t;
    int at = -1;
    for (int k = 0; k < t->constraint_count; k++) {
        if (strcmp(t->constraints[k].name, cmd->name) == 0) {
            at = k;
        }
    }
    if (at < 0) {
        if (cmd->if_exists) {
            api_session_notice(d->conn,
                               "constraint \"%s\" of relation \"%s\" does not exist, skipping",
                               cmd->name, t->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT,
                         "constraint \"%s\" of relation \"%s\" does not exist", cmd->name, t->name);
    }
    CatConstraint victim = t->constraints[at];
    CatConstraint *cons = api_ddl_constraints(d, t);
    if (cons == NULL) {
        return arena_error(d->a, err);
    }
    memmove(&cons[at], &cons[at + 1],
            sizeof(CatConstraint) * (size_t)(t->constraint_count - at - 1));
    t->constraint_count--;
    if (victim.kind == CAT_CONSTRAINT_UNIQUE || victim.kind == CAT_CONSTRAINT_PRIMARY) {
        const CatIndex **list = arena_alloc(d->a, sizeof(void *) * (size_t)(t->index_count + 1));
        if (list == NULL) {
            return arena_error(d->a, err);
        }
        int kept = 0;
        for (int k = 0; k < t->index_count; k++) {
            const CatIndex *x = t->indexes[k];
            if (x->id == victim.index_id) {
                if (!x->primary && x->am != NULL && !al->needs_rewrite) {
                    int rc = x->am->drop(d->conn->txn, &x->desc, err);
                    if (rc != STRATA_OK) {
                        return rc;
                    }
                }
                continue;
            }
            list[kept++] = x;
        }
        t->indexes = list;
        t->index_count = kept;
        if (victim.kind == CAT_CONSTRAINT_PRIMARY) {
            t->pkey_count = 0;
            t->pkey_columns = NULL;
            al->needs_rewrite = true;
        }
    }
    return STRATA_OK;
}

/* ALTER COLUMN ... TYPE: a view keeps the column's old type, so a column a view
 * reads keeps its type (PostgreSQL's 0A000). */
static int refuse_if_views_read(Ddl *d, const CatTable *t, const char *column, Error *err)
{
    int view_max = catalog_table_count(d->conn->catalog);
    const CatTable **views = arena_alloc(d->a, sizeof(*views) * (size_t)(view_max + 1));
    if (views == NULL) {
        return arena_error(d->a, err);
    }
    int n = api_ddl_dependent_views(d->conn->catalog, t, views, view_max);
    for (int k = 0; k < n; k++) {
        if (api_ddl_view_uses(views[k], t, column)) {
            error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "cannot alter type of a column used by a view or rule");
            return error_detail(err, "rule _RETURN on %s %s depends on column \"%s\"",
                                cat_is_matview(views[k]) ? "materialized view" : "view",
                                views[k]->name, column);
        }
    }
    return STRATA_OK;
}

static int alter_column_type(Ddl *d, Alter *al, const AlterTableCmd *cmd, Error *err)
{
    CatTable *t = al->t;
    int col = column_or_error(t, cmd->name, err);
    if (col < 0) {
        return err->code;
    }
    int rc = refuse_if_views_read(d, al->original, cmd->name, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (cmd->using_expr != NULL && t->column_count != al->original->column_count) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "ALTER COLUMN ... TYPE ... USING cannot be combined with adding or "
                         "dropping columns yet");
    }
    SqlType type;
    bool serial;
    rc = api_ddl_type((const TypeName *)cmd->def, &type, &serial, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (serial) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist",
                         ((const TypeName *)cmd->def)->name);
    }
    CatColumn probe = {0};
    api_ddl_column_domain(d, (const TypeName *)cmd->def, &probe);
    if (probe.domain_id != 0) {
        /* the rewrite would not check the domain's constraints on the rows */
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "changing a column's type to a domain is not supported yet");
    }
    SqlType from = t->columns[col].type;
    if (cmd->using_expr != NULL) {
        /* USING expr is evaluated over the old row, then assigned. */
        SqlType using_type;
        BoundExpr *bound;
        if (expr_bind_for_table(&d->env, al->original, cmd->using_expr, &bound, &using_type, err) !=
            STRATA_OK) {
            return err->code;
        }
        if (using_type.id != type.id && using_type.id != TYPE_UNKNOWN &&
            !cast_allowed(using_type.id, type.id, CAST_ASSIGNMENT)) {
            error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                      "result of USING clause for column \"%s\" cannot be cast automatically to "
                      "type %s",
                      cmd->name, type_name(type, d->a));
            return error_hint(err, "You might need to add an explicit cast.");
        }
        if (al->using_exprs == NULL) {
            al->using_exprs = arena_zalloc(d->a, sizeof(BoundExpr *) * (size_t)t->column_count);
            if (al->using_exprs == NULL) {
                return arena_error(d->a, err);
            }
        }
        al->using_exprs[col] = bound;
    } else if (!cast_allowed(from.id, type.id, CAST_ASSIGNMENT)) {
        error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                  "column \"%s\" cannot be cast automatically to type %s", cmd->name,
                  type_name(type, d->a));
        return error_hint(err, "You might need to specify \"USING %s::%s\".", cmd->name,
                          type_name(type, d->a));
    }
    /* Indexes on the column get the new key type; the rewrite rebuilds them.
     * Expression keys would need re-binding: not supported yet. */
    const CatIndex **indexes = api_ddl_dup(d->a, t->indexes, t->index_count, 0, sizeof(void *));
    if (indexes == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < t->index_count; k++) {
        const CatIndex *x = t->indexes[k];
        bool uses = list_has(x->key_columns, x->key_count, col);
        for (int j = 0; j < x->key_count; j++) {
            if (x->key_columns[j] < 0) {
                return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                 "cannot alter the type of a column of a table with an "
                                 "expression index yet");
            }
        }
        if (!uses) {
            continue;
        }
        CatIndex *copy = arena_memdup(d->a, x, sizeof(CatIndex));
        SqlType *types =
            copy == NULL ? NULL : api_ddl_dup(d->a, x->key_types, x->key_count, 0, sizeof(SqlType));
        if (types == NULL) {
            return arena_error(d->a, err);
        }
        for (int j = 0; j < x->key_count; j++) {
            if (x->key_columns[j] == col) {
                types[j] = type;
            }
        }
        copy->key_types = types;
        indexes[k] = copy;
    }
    t->indexes = indexes;
    CatColumn *cols = api_ddl_columns(d, t);
    if (cols == NULL) {
        return arena_error(d->a, err);
    }
    cols[col].type = type;
    cols[col].domain_id = 0; /* a column of a domain becomes one of the new type */
    t->stats = NULL;
    al->needs_rewrite = true;
    return STRATA_OK;
}

static int alter_column_simple(Ddl *d, Alter *al, const AlterTableCmd *cmd, Error *err)
{
    CatTable *t = al->t;
    int col = column_or_error(t, cmd->name, err);
    if (col < 0) {
        return err->code;
    }
    CatColumn *cols = api_ddl_columns(d, t);
    if (cols == NULL) {
        return arena_error(d->a, err);
    }
    switch (cmd->kind) {
    case ALTER_COLUMN_SET_DEFAULT:
        cols[col].default_sql = cmd->def != NULL ? sql_deparse_expr(cmd->def, d->a) : NULL;
        if (cmd->def != NULL) {
            int rc = api_ddl_check_default_literal(d, cols[col].type, cmd->def, err);
            return rc == STRATA_OK ? api_ddl_bind_expr(d, t, cmd->def, NULL, err) : rc;
        }
        return STRATA_OK;
    case ALTER_COLUMN_DROP_DEFAULT:
        cols[col].default_sql = NULL;
        return STRATA_OK;
    case ALTER_COLUMN_ADD_IDENTITY:
        return api_ddl_add_identity(d, t, &cols[col], (const Constraint *)cmd->def, err);
    case ALTER_COLUMN_SET_NOT_NULL: {
        cols[col].not_null = true;
        if (al->needs_rewrite) {
            return STRATA_OK; /* the rewrite checks */
        }
        CheckCtx ctx = {.t = t, .column = col};
        return api_ddl_scan_rows(d, al->original, check_row, &ctx, err);
    }
    case ALTER_COLUMN_DROP_NOT_NULL:
        if (list_has(t->pkey_columns, t->pkey_count, col)) {
            return error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                             "column \"%s\" is in a primary key", cmd->name);
        }
        cols[col].not_null = false;
        return STRATA_OK;
    default:
        return STRATA_OK;
    }
}

/* Views keep their query as SQL text, so renaming what a view names would
 * break it: refused (PostgreSQL rewrites such views; strata cannot yet).
 * column NULL: the relation itself. */
static int refuse_if_views_use(Ddl *d, const CatTable *t, const char *column, Error *err)
{
    /* every dependent view (a fixed array once left views past it behind) */
    int view_max = catalog_table_count(d->conn->catalog);
    const CatTable **views = arena_alloc(d->a, sizeof(*views) * (size_t)(view_max + 1));
    if (views == NULL) {
        return arena_error(d->a, err);
    }
    int n = api_ddl_dependent_views(d->conn->catalog, t, views, view_max);
    for (int k = 0; k < n; k++) {
        if (column == NULL || api_ddl_view_uses(views[k], t, column)) {
            error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "cannot rename %s%s%s of %s \"%s\" because view \"%s\" uses it",
                      column != NULL ? "column \"" : "", column != NULL ? column : "",
                      column != NULL ? "\"" : "", t->kind == CAT_VIEW ? "view" : "table", t->name,
                      views[k]->name);
            return error_hint(err, "Drop the view first and create it again after the rename.");
        }
    }
    return STRATA_OK;
}

static int alter_rename(Ddl *d, Alter *al, const AlterTableCmd *cmd, Error *err)
{
    CatTable *t = al->t;
    if (cmd->kind == ALTER_RENAME || cmd->kind == ALTER_RENAME_COLUMN) {
        int rc =
            refuse_if_views_use(d, al->original, cmd->kind == ALTER_RENAME ? NULL : cmd->name, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (cmd->kind == ALTER_RENAME) {
        if (api_ddl_name_taken(d, t->schema, cmd->new_name)) {
            return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                             cmd->new_name);
        }
        t->name = cmd->new_name;
        return STRATA_OK;
    }
    if (cmd->kind == ALTER_RENAME_CONSTRAINT) {
        CatConstraint *cons = api_ddl_constraints(d, t);
        for (int k = 0; cons != NULL && k < t->constraint_count; k++) {
            if (strcmp(cons[k].name, cmd->name) == 0) {
                cons[k].name = cmd->new_name;
                return STRATA_OK;
            }
        }
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT,
                         "constraint \"%s\" for table \"%s\" does not exist", cmd->name, t->name);
    }
    int col = column_or_error(t, cmd->name, err);
    if (col < 0) {
        return err->code;
    }
    if (cat_table_column_index(t, cmd->new_name) >= 0) {
        return error_set(err, SQLSTATE_DUPLICATE_COLUMN,
                         "column \"%s\" of relation \"%s\" already exists", cmd->new_name, t->name);
    }
    CatColumn *cols = api_ddl_columns(d, t);
    if (cols == NULL) {
        return arena_error(d->a, err);
    }
    cols[col].name = cmd->new_name;
    return STRATA_OK;
}

static int alter_owner_only(Ddl *d, const AlterTableStmt *s, const char *what, Error *err);

static int alter_cmd(Ddl *d, Alter *al, const AlterTableCmd *cmd, Error *err)
{
    bool changes_columns = cmd->kind == ALTER_ADD_COLUMN || cmd->kind == ALTER_DROP_COLUMN ||
                           cmd->kind == ALTER_RENAME_COLUMN || cmd->kind == ALTER_COLUMN_TYPE;
    if (changes_columns && (al->t->partition_key != NULL || al->t->parent_id != 0)) {
        /* Partitions share the parent's column layout (catalog/partition.h). */
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "changing the columns of a partitioned table or a partition is not "
                         "supported");
    }
    switch (cmd->kind) {
    case ALTER_ADD_COLUMN:
        return alter_add_column(d, al, cmd, err);
    case ALTER_DROP_COLUMN:
        return alter_drop_column(d, al, cmd, err);
    case ALTER_RENAME_COLUMN:
    case ALTER_RENAME:
    case ALTER_RENAME_CONSTRAINT:
        return alter_rename(d, al, cmd, err);
    case ALTER_ADD_CONSTRAINT:
        return alter_add_constraint(d, al, cmd, err);
    case ALTER_DROP_CONSTRAINT:
        return alter_drop_constraint(d, al, cmd, err);
    case ALTER_COLUMN_SET_DEFAULT:
    case ALTER_COLUMN_DROP_DEFAULT:
    case ALTER_COLUMN_SET_NOT_NULL:
    case ALTER_COLUMN_DROP_NOT_NULL:
    case ALTER_COLUMN_ADD_IDENTITY:
        return alter_column_simple(d, al, cmd, err);
    case ALTER_COLUMN_TYPE:
        return alter_column_type(d, al, cmd, err);
    case ALTER_SET_ACCESS_METHOD:
        if (tam_lookup(cmd->new_name) == NULL) {
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "access method \"%s\" does not exist",
                             cmd->new_name);
        }
        al->t->am_name = cmd->new_name;
        al->needs_rewrite = true;
        return STRATA_OK;
    case ALTER_OWNER:
        return api_ddl_set_owner(d, al->t, cmd->new_name, err);
    case ALTER_SET_OPTIONS:
    case ALTER_RESET_OPTIONS:
        return STRATA_OK;
    case ALTER_ATTACH_PARTITION:
    case ALTER_DETACH_PARTITION:
        return api_ddl_partition_alter(d, al->original, cmd, err);
    default:
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "this form of ALTER TABLE is not supported");
    }
}

static int alter_index_rename(Ddl *d, const AlterTableStmt *s, Error *err)
{
    const CatTable *owner;
    const CatIndex *x =
        catalog_find_index(d->conn->catalog, s->relation->schema, s->relation->name, &owner);
    if (x == NULL) {
        if (s->if_exists) {
            api_session_notice(d->conn, "relation \"%s\" does not exist, skipping",
                               s->relation->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         s->relation->name);
    }
    const AlterTableCmd *cmd = (const AlterTableCmd *)s->cmds.items[0];
    if (s->cmds.count != 1 || cmd->kind != ALTER_RENAME) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "only ALTER INDEX ... RENAME TO is supported");
    }
    if (api_ddl_name_taken(d, owner->schema, cmd->new_name)) {
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                         cmd->new_name);
    }
    CatTable *copy = catalog_edit_copy_table(d->edit, owner, err);
    if (copy == NULL) {
        return err->code;
    }
    for (int k = 0; k < copy->index_count; k++) {
        if (copy->indexes[k]->id == x->id) {
            ((CatIndex *)copy->indexes[k])->name = cmd->new_name;
        }
    }
    CatConstraint *cons = api_ddl_constraints(d, copy);
    for (int k = 0; cons != NULL && k < copy->constraint_count; k++) {
        if (cons[k].index_id == x->id) {
            cons[k].name = cmd->new_name;
        }
    }
    return catalog_edit_put_table(d->edit, copy, err);
}

/* OWNER TO of a schema or a sequence (also through ALTER TABLE, as pg_dump writes it):
 * the role is checked to exist first, as PostgreSQL does (the owner changes in
 * alter_schema_owner and the sequence branch). Other actions on them are 0A000. */
static int alter_owner_only(Ddl *d, const AlterTableStmt *s, const char *what, Error *err)
{
    for (int k = 0; k < s->cmds.count; k++) {
        const AlterTableCmd *cmd = (const AlterTableCmd *)s->cmds.items[k];
        if (cmd->kind != ALTER_OWNER) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "this form of ALTER %s is not supported", what);
        }
        const char *role = cmd->new_name;
        bool special = strcmp(role, "current_user") == 0 || strcmp(role, "current_role") == 0 ||
                       strcmp(role, "session_user") == 0;
        if (!special && catalog_find_role(d->conn->catalog, role) == NULL) {
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", role);
        }
    }
    return STRATA_OK;
}

/* ALTER SCHEMA s OWNER TO role: the owner (or a member inheriting it) gives the schema
 * to a role it is a member of; superusers to anyone. */
static int alter_schema_owner(Ddl *d, const AlterTableStmt *s, const CatSchema *schema,
                              Error *err)
{
    const Catalog *c = d->conn->catalog;
    bool is_super = api_role_is_superuser(d->conn, c);
    for (int k = 0; k < s->cmds.count; k++) {
        const AlterTableCmd *cmd = (const AlterTableCmd *)s->cmds.items[k];
        const CatRole *role = catalog_find_role(c, cmd->new_name);
        uint64_t id = role != NULL ? role->id : d->conn->role_id; /* current_user and friends */
        uint64_t current = schema->owner_id != 0 ? schema->owner_id : CAT_ID_BOOTSTRAP_ROLE;
        if (!is_super && !catalog_role_has_privs_of(c, d->conn->role_id, current)) {
            return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be owner of schema %s",
                             schema->name);
        }
        if (!is_super && !catalog_role_is_member_of(c, d->conn->role_id, id)) {
            return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be member of role \"%s\"",
                             role != NULL ? role->name : cmd->new_name);
        }
        CatSchema copy = *schema;
        copy.owner_id = id;
        int rc = catalog_edit_put_schema(d->edit, &copy, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int api_ddl_alter_table(Ddl *d, Error *err)
{
    const AlterTableStmt *s = (const AlterTableStmt *)d->stmt->ast;
    static const char *const tags[] = {"ALTER TABLE", "ALTER INDEX", "ALTER VIEW",
                                       "ALTER MATERIALIZED VIEW", "ALTER SEQUENCE"};
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "%s",
             s->kind <= OBJECT_SEQUENCE ? tags[s->kind] : "ALTER TABLE");
    if (s->kind == OBJECT_INDEX) {
        return alter_index_rename(d, s, err);
    }
    if (s->kind == OBJECT_SCHEMA) {
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "ALTER SCHEMA");
        int rc = alter_owner_only(d, s, "SCHEMA", err); /* the role first, as PostgreSQL */
        const CatSchema *schema = catalog_find_schema(d->conn->catalog, s->relation->name);
        if (rc == STRATA_OK && schema == NULL) {
            return error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                             s->relation->name);
        }
        return rc != STRATA_OK ? rc : alter_schema_owner(d, s, schema, err);
    }
    const CatTable *t = api_ddl_find_relation(d, s->relation->schema, s->relation->name);
    const CatSequence *seq =
        t == NULL && (s->kind == OBJECT_SEQUENCE || s->kind == OBJECT_TABLE)
            ? catalog_find_sequence(d->conn->catalog, s->relation->schema, s->relation->name)
            : NULL;
    if (seq != NULL) {
        int rc = alter_owner_only(d, s, "SEQUENCE", err);
        for (int k = 0; rc == STRATA_OK && k < s->cmds.count; k++) {
            const AlterTableCmd *cmd = (const AlterTableCmd *)s->cmds.items[k];
            const CatRole *role = catalog_find_role(d->conn->catalog, cmd->new_name);
            bool is_super = api_role_is_superuser(d->conn, d->conn->catalog);
            uint64_t current = seq->owner_id != 0 ? seq->owner_id : CAT_ID_BOOTSTRAP_ROLE;
            if (!is_super && !catalog_role_has_privs_of(d->conn->catalog, d->conn->role_id, current)) {
                return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be owner of sequence %s",
                                 seq->name);
            }
            CatSequence *copy = arena_memdup(d->a, seq, sizeof(*seq));
            if (copy == NULL) {
                return arena_error(d->a, err);
            }
            copy->owner_id = role != NULL ? role->id : d->conn->role_id; /* current_user */
            rc = catalog_edit_put_sequence(d->edit, copy, err);
        }
        return rc;
    }
    if (t == NULL) {
        if (s->if_exists) {
            api_session_notice(d->conn, "relation \"%s\" does not exist, skipping",
                               s->relation->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         s->relation->name);
    }
    if (t->kind == CAT_VIRTUAL) {
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                         "permission denied: \"%s\" is a system catalog", t->name);
    }
    if (t->kind == CAT_VIEW && s->kind == OBJECT_TABLE) {
        for (int k = 0; k < s->cmds.count; k++) {
            const AlterTableCmd *cmd = (const AlterTableCmd *)s->cmds.items[k];
            if (cmd->kind != ALTER_RENAME && cmd->kind != ALTER_RENAME_COLUMN &&
                cmd->kind != ALTER_OWNER) {
                error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a table", t->name);
                return err->code;
            }
        }
    }
    int owner_rc = api_ddl_require_owner(d, t, err);
    if (owner_rc != STRATA_OK) {
        return owner_rc;
    }
    for (int k = 0; cat_is_matview(t) && k < s->cmds.count; k++) {
        /* a materialized view's columns are its query's: renames, the access
         * method, schema, owner and options only, as in PostgreSQL */
        static const char *const names[] = {
            [ALTER_ADD_COLUMN] = "ADD COLUMN",
            [ALTER_DROP_COLUMN] = "DROP COLUMN",
            [ALTER_ADD_CONSTRAINT] = "ADD CONSTRAINT",
            [ALTER_DROP_CONSTRAINT] = "DROP CONSTRAINT",
            [ALTER_RENAME_CONSTRAINT] = "RENAME CONSTRAINT",
            [ALTER_COLUMN_SET_DEFAULT] = "ALTER COLUMN ... SET DEFAULT",
            [ALTER_COLUMN_DROP_DEFAULT] = "ALTER COLUMN ... DROP DEFAULT",
            [ALTER_COLUMN_SET_NOT_NULL] = "ALTER COLUMN ... SET NOT NULL",
            [ALTER_COLUMN_DROP_NOT_NULL] = "ALTER COLUMN ... DROP NOT NULL",
            [ALTER_COLUMN_TYPE] = "ALTER COLUMN TYPE",
            [ALTER_ATTACH_PARTITION] = "ATTACH PARTITION",
            [ALTER_DETACH_PARTITION] = "DETACH PARTITION",
            [ALTER_COLUMN_ADD_IDENTITY] = "ALTER COLUMN ... ADD IDENTITY",
        };
        const AlterTableCmd *cmd = (const AlterTableCmd *)s->cmds.items[k];
        if ((size_t)cmd->kind < sizeof(names) / sizeof(names[0]) && names[cmd->kind] != NULL) {
            error_set(err, SQLSTATE_WRONG_OBJECT_TYPE,
                      "ALTER action %s cannot be performed on relation \"%s\"", names[cmd->kind],
                      t->name);
            error_detail(err, "This operation is not supported for materialized views.");
            return err->code;
        }
    }
    Alter al = {.original = t, .t = catalog_edit_copy_table(d->edit, t, err)};
    if (al.t == NULL) {
        return err->code;
    }
    int rc = identity_map(d, t->column_count, &al.source, err);
    for (int k = 0; k < s->cmds.count && rc == STRATA_OK; k++) {
        rc = alter_cmd(d, &al, (const AlterTableCmd *)s->cmds.items[k], err);
    }
    if (rc == STRATA_OK && al.needs_rewrite && t->kind == CAT_TABLE) {
        rc = rewrite_table_using(d, t, al.t, al.source, al.using_exprs, err);
    }
    return rc == STRATA_OK ? catalog_edit_put_table(d->edit, al.t, err) : rc;
}

/* ---- TRUNCATE ------------------------------------------------------------------------------- */

int api_ddl_truncate(Ddl *d, Error *err)
{
    const TruncateStmt *s = (const TruncateStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "TRUNCATE TABLE");
    const CatTable *list[64];
    int n = 0;
    for (int k = 0; k < s->relations.count; k++) {
        const RangeVar *rv = (const RangeVar *)s->relations.items[k];
        const CatTable *t = api_ddl_find_relation(d, rv->schema, rv->name);
        if (t == NULL) {
            return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                             rv->name);
        }
        if (t->kind != CAT_TABLE || cat_is_matview(t)) {
            return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a table", t->name);
        }
        int priv_rc = api_ddl_require_privilege(d, t, CAT_PRIV_TRUNCATE, err);
        if (priv_rc != STRATA_OK) {
            return priv_rc;
        }
        if (n == 64) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "too many tables in TRUNCATE");
        }
        list[n++] = t;
    }
    /* A partitioned table's rows are in its partitions (the list grows while
     * it is walked, so sub-partitions follow). */
    for (int k = 0; k < n; k++) {
        for (int p = 0; p < list[k]->partition_count; p++) {
            if (n == 64) {
                return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                                 "too many tables in TRUNCATE");
            }
            list[n++] = list[k]->partitions[p];
        }
    }
    for (int k = 0; k < n; k++) {
        const CatConstraint *const *fks;
        const CatTable *const *owners;
        int count;
        catalog_foreign_keys_referencing(d->conn->catalog, list[k]->id, &fks, &owners, &count);
        for (int f = 0; f < count; f++) {
            bool listed = false;
            for (int j = 0; j < n; j++) {
                listed |= owners[f] == list[j];
            }
            if (!listed && s->cascade) {
                /* The list grows while it is walked, so referencing tables of
                 * referencing tables are truncated too. */
                if (n == 64) {
                    return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                                     "too many tables in TRUNCATE");
                }
                api_session_notice(d->conn, "truncate cascades to table \"%s\"", owners[f]->name);
                list[n++] = owners[f];
                continue;
            }
            if (!listed) {
                error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot truncate a table referenced in a foreign key constraint");
                error_detail(err, "Table \"%s\" references \"%s\".", owners[f]->name,
                             list[k]->name);
                return error_hint(
                    err, "Truncate table \"%s\" at the same time, or use TRUNCATE ... CASCADE.",
                    owners[f]->name);
            }
        }
    }
    for (int k = 0; k < n; k++) {
        const CatTable *t = list[k];
        int rc = tam_truncate(t->am, d->conn->txn, &t->desc, err);
        for (int x = 0; x < t->index_count && rc == STRATA_OK; x++) {
            if (!t->indexes[x]->primary && t->indexes[x]->am != NULL) {
                rc = t->indexes[x]->am->truncate(d->conn->txn, &t->indexes[x]->desc, err);
            }
        }
        if (rc == STRATA_OK && s->restart_identity) {
            for (int q = 0; q < catalog_sequence_count(d->conn->catalog) && rc == STRATA_OK; q++) {
                const CatSequence *seq = catalog_sequence_at(d->conn->catalog, q);
                if (seq->owner_table_id == t->id) {
                    rc = catalog_sequence_set(d->conn->txn, seq, seq->start, false, err);
                    api_sequence_restart(d->conn, seq->id);
                }
            }
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}
