/*
 * api/api_ddl.c - DDL dispatch and the CREATE / DROP statements: CREATE TABLE
 * [AS], CREATE VIEW, CREATE SCHEMA, CREATE SEQUENCE, DROP TABLE / VIEW /
 * INDEX / SCHEMA / SEQUENCE (RESTRICT and CASCADE).
 *
 * Names and messages follow PostgreSQL: `<table>_pkey`, `<table>_<col>_key`,
 * `<table>_<col>_check`, `<table>_<col>_fkey`, `<table>_<col>_seq`; 42P07,
 * 42P01, 42701, 42P16, 2BP01 with PostgreSQL's detail and hint.
 *
 * Dependencies of views are recorded when a view is created or replaced: the
 * relations, columns and types its query reads (CatDependency, found by the
 * binder). A view made before they were recorded has none (has_deps false);
 * for it a relation is found lexically, as before: the view depends on it if
 * its SQL text mentions the relation's name as an identifier, which can see a
 * dependency that is not there, never miss one that is.
 *
 * See src/api/README.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ddl_int.h"
#include "types/cast.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/limits.h"
#include "util/mem.h"

/* ---- helpers ---------------------------------------------------------------------- */

void *api_ddl_push(Arena *a, void *items_ptr, int *count, size_t elem_size)
{
    void **items = items_ptr;
    size_t old_size = elem_size * (size_t)*count;
    void *grown = arena_realloc(a, *items, old_size, old_size + elem_size);
    if (grown == NULL) {
        return NULL;
    }
    *items = grown;
    void *slot = (char *)grown + old_size;
    memset(slot, 0, elem_size);
    (*count)++;
    return slot;
}

void *api_ddl_dup(Arena *a, const void *items, int count, int extra, size_t elem_size)
{
    char *copy = arena_zalloc(a, elem_size * (size_t)(count + extra > 0 ? count + extra : 1));
    if (copy != NULL && items != NULL && count > 0) {
        memcpy(copy, items, elem_size * (size_t)count);
    }
    return copy;
}

CatColumn *api_ddl_columns(Ddl *d, CatTable *t)
{
    CatColumn *cols = api_ddl_dup(d->a, t->columns, t->column_count, 1, sizeof(CatColumn));
    t->columns = cols;
    return cols;
}

CatConstraint *api_ddl_constraints(Ddl *d, CatTable *t)
{
    CatConstraint *cons =
        api_ddl_dup(d->a, t->constraints, t->constraint_count, 1, sizeof(CatConstraint));
    t->constraints = cons;
    return cons;
}

static const char *first_existing_schema(Ddl *d)
{
    const char *path = api_settings_get(d->conn, "search_path", NULL);
    const Catalog *c = d->conn->catalog;
    char part[128];
    while (path != NULL && *path) {
        while (*path == ' ' || *path == ',') {
            path++;
        }
        size_t n = 0;
        bool quoted = false;
        while (*path && (quoted || *path != ',')) {
            if (*path == '"') {
                quoted = !quoted;
            } else if (n + 1 < sizeof(part)) {
                part[n++] = *path;
            }
            path++;
        }
        while (n > 0 && part[n - 1] == ' ') {
            n--;
        }
        part[n] = '\0';
        if (n > 0 && strcmp(part, "$user") != 0) {
            const CatSchema *s = catalog_find_schema(c, part);
            if (s != NULL) {
                return s->name;
            }
        }
    }
    return NULL;
}

int api_ddl_target_schema(Ddl *d, const char *schema, const char **out, Error *err)
{
    if (schema == NULL) {
        *out = first_existing_schema(d);
        if (*out == NULL) {
            return error_set(err, SQLSTATE_INVALID_SCHEMA_NAME,
                             "no schema has been selected to create in");
        }
        return api_ddl_require_schema_privilege(d, *out, CAT_PRIV_CREATE, d->conn->role_id, err);
    }
    const CatSchema *s = catalog_find_schema(d->conn->catalog, schema);
    if (s == NULL) {
        return error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", schema);
    }
    *out = s->name;
    return api_ddl_require_schema_privilege(d, s->name, CAT_PRIV_CREATE, d->conn->role_id, err);
}

const CatTable *api_ddl_find_relation(Ddl *d, const char *schema, const char *name)
{
    return catalog_find_table(d->conn->catalog, schema, name);
}

bool api_ddl_name_taken(Ddl *d, const char *schema, const char *name)
{
    const Catalog *c = d->conn->catalog;
    if (catalog_find_table(c, schema, name) != NULL ||
        catalog_find_index(c, schema, name, NULL) != NULL ||
        catalog_find_sequence(c, schema, name) != NULL) {
        return true;
    }
    for (int k = 0; k < d->pending_count; k++) {
        if (strcmp(d->pending[k], name) == 0) {
            return true;
        }
    }
    return false;
}

void api_ddl_reserve_name(Ddl *d, const char *name)
{
    if (d->pending_count < (int)(sizeof(d->pending) / sizeof(d->pending[0]))) {
        d->pending[d->pending_count++] = name;
    }
}

const char *api_ddl_choose_name(Ddl *d, const char *schema, const char *base)
{
    const char *name = arena_strndup(d->a, base, strnlen(base, LIMIT_IDENTIFIER_BYTES));
    for (int n = 1; name != NULL && api_ddl_name_taken(d, schema, name); n++) {
        name = arena_sprintf(d->a, "%.*s%d", LIMIT_IDENTIFIER_BYTES - 4, base, n);
    }
    if (name != NULL) {
        api_ddl_reserve_name(d, name);
    }
    return name;
}

int api_ddl_check_key_type(SqlType type, Error *err)
{
    if (type_is_array(type.id)) {
        /* the key codec would order the encoding's bytes, not the arrays */
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "index keys of type %s are not supported", type_id_name(type.id));
    }
    return STRATA_OK;
}

int api_ddl_type(const TypeName *tn, SqlType *out, bool *serial, Error *err)
{
    *serial = false;
    if (tn->array_dims > 0) {
        /* int[] (declared dimensions and sizes are not enforced, as in PostgreSQL) */
        TypeName elem = *tn;
        elem.array_dims = 0;
        int rc = api_ddl_type(&elem, out, serial, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (*serial) {
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s[]\" does not exist",
                             tn->name);
        }
        out->id = type_array_of(out->id);
        return STRATA_OK;
    }
    const char *name = tn->name;
    if (strcmp(name, "serial2") == 0 || strcmp(name, "serial4") == 0 ||
        strcmp(name, "serial8") == 0) {
        *serial = true;
        *out = sql_type(name[6] == '2' ? TYPE_INT2 : name[6] == '4' ? TYPE_INT4 : TYPE_INT8);
        return STRATA_OK;
    }
    int32_t mods[4];
    int mod_count = 0;
    for (int k = 0; k < tn->typmods.count && k < 4; k++) {
        const Node *n = tn->typmods.items[k];
        if (n->tag != N_CONST || ((const Const *)n)->kind != CONST_INTEGER) {
            return error_set(err, SQLSTATE_SYNTAX_ERROR,
                             "type modifiers must be simple constants or identifiers");
        }
        mods[mod_count++] = (int32_t)((const Const *)n)->int_value;
    }
    /* a user type in another schema (s.mood): the resolver reads "schema.name" */
    char qualified[2 * LIMIT_IDENTIFIER_BYTES + 2];
    if (tn->schema != NULL && strcmp(tn->schema, "pg_catalog") != 0) {
        snprintf(qualified, sizeof qualified, "%s.%s", tn->schema, name);
        name = qualified;
    }
    return type_from_name(name, mods, mod_count, out, err);
}

int api_ddl_check_default_literal(Ddl *d, SqlType type, const Node *expr, Error *err)
{
    if (expr == NULL || expr->tag != N_CONST || ((const Const *)expr)->kind != CONST_STRING) {
        return STRATA_OK;
    }
    if (type.id == TYPE_VARCHAR || type.id == TYPE_BPCHAR) {
        type = sql_type(type.id);
    }
    const Const *literal = (const Const *)expr;
    Value ignored;
    return value_parse_tz(type, literal->text, literal->text_length, d->env.func_ctx.timezone, d->a,
                          &ignored, err);
}

int api_ddl_bind_expr(Ddl *d, const CatTable *t, const Node *expr, SqlType *type, Error *err)
{
    BoundExpr *bound;
    SqlType ignored;
    return expr_bind_for_table(&d->env, t, expr, &bound, type != NULL ? type : &ignored, err);
}

/* ---- lexical dependencies --------------------------------------------------------------- */

/* True if sql mentions name as an identifier (unquoted names fold to lower case). */
bool api_sql_mentions(const char *sql, const char *name)
{
    size_t n = strlen(name);
    const char *p = sql;
    while (*p) {
        if (*p == '\'') {
            for (p++; *p && !(*p == '\'' && p[1] != '\''); p++) {
                if (*p == '\'') {
                    p++;
                }
            }
            if (*p) {
                p++;
            }
            continue;
        }
        if (*p == '"') {
            const char *start = ++p;
            while (*p && *p != '"') {
                p++;
            }
            if ((size_t)(p - start) == n && strncmp(start, name, n) == 0) {
                return true;
            }
            if (*p) {
                p++;
            }
            continue;
        }
        if (isalpha((unsigned char)*p) || *p == '_') {
            const char *start = p;
            while (isalnum((unsigned char)*p) || *p == '_' || *p == '$') {
                p++;
            }
            if ((size_t)(p - start) == n) {
                bool same = true;
                for (size_t k = 0; k < n && same; k++) {
                    same = tolower((unsigned char)start[k]) == name[k];
                }
                if (same) {
                    return true;
                }
            }
            continue;
        }
        p++;
    }
    return false;
}

bool api_ddl_view_uses(const CatTable *v, const CatTable *t, const char *column)
{
    if (!v->has_deps) {
        /* made before dependencies were recorded: its text names them */
        return api_sql_mentions(v->view_sql, t->name) &&
               (column == NULL || api_sql_mentions(v->view_sql, column));
    }
    for (int k = 0; k < v->dep_count; k++) {
        const CatDependency *x = &v->deps[k];
        if (!x->is_type && x->object_id == t->id &&
            (column == NULL || (x->column != NULL && strcmp(x->column, column) == 0))) {
            return true;
        }
    }
    return false;
}

bool api_ddl_view_uses_type(const CatTable *v, uint64_t type_id)
{
    for (int k = 0; k < v->dep_count; k++) {
        if (v->deps[k].is_type && v->deps[k].object_id == type_id) {
            return true;
        }
    }
    return false;
}

/* Views of the catalog (other than self) that depend on t. */
int api_ddl_dependent_views(const Catalog *c, const CatTable *t, const CatTable **out, int max)
{
    int n = 0;
    for (int k = 0; k < catalog_table_count(c) && n < max; k++) {
        const CatTable *v = catalog_table_at(c, k);
        if (v->view_sql != NULL && v != t && /* views and materialized views */
            api_ddl_view_uses(v, t, NULL)) {
            /* oldest first (ids grow with creation), as PostgreSQL lists them */
            int at = n++;
            for (; at > 0 && out[at - 1]->id > v->id; at--) {
                out[at] = out[at - 1];
            }
            out[at] = v;
        }
    }
    return n;
}

/* ---- storage ------------------------------------------------------------------------------ */

int api_ddl_create_index_storage(Ddl *d, CatTable *t, CatIndex *x, Error *err)
{
    if (x->primary) {
        return STRATA_OK;
    }
    if (x->am == NULL) {
        x->am = index_am_lookup(x->am_name != NULL ? x->am_name : "btree");
    }
    if (x->am == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "access method \"%s\" does not exist",
                         x->am_name != NULL ? x->am_name : "btree");
    }
    return x->am->create(d->conn->txn, &x->desc, err);
}

int api_ddl_drop_storage(Ddl *d, const CatTable *t, Error *err)
{
    if (t->kind != CAT_TABLE || t->am == NULL) {
        return STRATA_OK;
    }
    for (int k = 0; k < t->index_count; k++) {
        const CatIndex *x = t->indexes[k];
        if (!x->primary && x->am != NULL) {
            int rc = x->am->drop(d->conn->txn, &x->desc, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    return tam_drop(t->am, d->conn->txn, &t->desc, err);
}

int api_ddl_scan_rows(Ddl *d, const CatTable *t, DdlRowFn fn, void *ctx, Error *err)
{
    return api_ddl_scan_columns(d, t, NULL, fn, ctx, err);
}

int api_ddl_scan_columns(Ddl *d, const CatTable *t, const bool *needed, DdlRowFn fn, void *ctx,
                         Error *err)
{
    Arena *a = arena_create(d->stmt->exec_arena, 0, "ddl scan");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int n = t->column_count;
    int *cols = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    SqlType *types = arena_alloc(a, sizeof(SqlType) * (size_t)(n + 1));
    Value *row = arena_alloc(a, sizeof(Value) * (size_t)(n + 1));
    int rc = STRATA_OK;
    if (cols == NULL || types == NULL || row == NULL) {
        rc = arena_error(a, err);
        goto out;
    }
    /* The batch holds the needed columns, then the row id; row[] gets every
     * table column, NULL where not needed. */
    int width = 0;
    for (int col = 0; col < n; col++) {
        row[col] = value_null(t->columns[col].type);
        if (needed == NULL || needed[col]) {
            cols[width] = col;
            types[width++] = t->columns[col].type;
        }
    }
    types[width] = sql_type(TYPE_BYTEA);
    ScanSpec spec = {.columns = cols, .column_count = width, .want_row_id = true};
    Batch *batch = batch_create(a, types, width + 1, 0);
    TableScan *scan;
    if (batch == NULL) {
        rc = arena_error(a, err);
        goto out;
    }
    rc = tam_scan_begin(t->am, d->conn->txn, &t->desc, &spec, a, &scan, err);
    if (rc != STRATA_OK) {
        goto out;
    }
    while ((rc = tam_scan_next(t->am, scan, batch, err)) == STRATA_OK && batch->row_count > 0) {
        for (int k = 0; k < batch_active_count(batch) && rc == STRATA_OK; k++) {
            int r = batch_active_row(batch, k);
            for (int at = 0; at < width; at++) {
                if (vector_is_null(&batch->columns[at], r)) {
                    row[cols[at]] = value_null(types[at]);
                } else {
                    batch_get_value(batch, at, r, &row[cols[at]]);
                }
            }
            rc = fn(d, ctx, row, batch->columns[width].str[r], err);
        }
        if (rc != STRATA_OK) {
            break;
        }
        if (d->conn->interrupt) {
            rc = error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to user request");
            break;
        }
    }
    tam_scan_end(t->am, scan);
out:
    arena_destroy(a);
    return rc;
}

/* ---- CREATE TABLE ---------------------------------------------------------------------------- */

typedef struct TableBuild {
    CatTable *t;
    CatColumn *columns;
    int column_count;
    CatIndex **indexes;
    int index_count;
    CatConstraint *cons;
    int con_count;
    CatSequence **seqs;
    int seq_count;
    const Node **checks; /* parsed CHECK expressions, parallel to constraints (NULL else) */
    int check_count;
    struct PendingFk {
        const Constraint *c;
        NameList columns;
    } * fks;
    int fk_count;
    bool has_pkey;
} TableBuild;

static int column_index(const TableBuild *b, const char *name)
{
    for (int col = 0; col < b->column_count; col++) {
        if (strcmp(b->columns[col].name, name) == 0) {
            return col;
        }
    }
    return -1;
}

static const char *join_columns(Ddl *d, const TableBuild *b, const int *cols, int count)
{
    const char *s = "";
    for (int k = 0; k < count && s != NULL; k++) {
        s = arena_sprintf(d->a, "%s%s%s", s, k ? "_" : "", b->columns[cols[k]].name);
    }
    return s;
}

static int resolve_key_columns(Ddl *d, TableBuild *b, const NameList *names, int **out, Error *err)
{
    int *cols = arena_alloc(d->a, sizeof(int) * (size_t)(names->count + 1));
    if (cols == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < names->count; k++) {
        cols[k] = column_index(b, names->items[k]);
        if (cols[k] < 0) {
            return error_set(err, SQLSTATE_UNDEFINED_COLUMN,
                             "column \"%s\" named in key does not exist", names->items[k]);
        }
        for (int j = 0; j < k; j++) {
            if (cols[j] == cols[k]) {
                return error_set(err, SQLSTATE_DUPLICATE_COLUMN,
                                 "column \"%s\" appears twice in %s constraint", names->items[k],
                                 "unique");
            }
        }
    }
    *out = cols;
    return STRATA_OK;
}

static int add_key_constraint(Ddl *d, TableBuild *b, const Constraint *c, const NameList *keys,
                              Error *err)
{
    bool primary = c->kind == CONSTRAINT_PRIMARY;
    if (primary && b->has_pkey) {
        return error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                         "multiple primary keys for table \"%s\" are not allowed", b->t->name);
    }
    int *cols;
    int rc = resolve_key_columns(d, b, keys, &cols, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int count = keys->count;
    const char *name = c->name;
    if (name == NULL) {
        const char *base =
            primary ? arena_sprintf(d->a, "%s_pkey", b->t->name)
                    : arena_sprintf(d->a, "%s_%s_key", b->t->name, join_columns(d, b, cols, count));
        name = api_ddl_choose_name(d, b->t->schema, base);
    } else if (api_ddl_name_taken(d, b->t->schema, name)) {
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
    } else {
        api_ddl_reserve_name(d, name);
    }
    CatIndex *x = arena_zalloc(d->a, sizeof(*x));
    CatIndex **slot = api_ddl_push(d->a, &b->indexes, &b->index_count, sizeof(CatIndex *));
    CatConstraint *con = api_ddl_push(d->a, &b->cons, &b->con_count, sizeof(CatConstraint));
    SqlType *types = arena_alloc(d->a, sizeof(SqlType) * (size_t)count);
    bool *flags = arena_zalloc(d->a, sizeof(bool) * (size_t)count * 2);
    if (x == NULL || slot == NULL || con == NULL || types == NULL || flags == NULL ||
        name == NULL) {
        return arena_error(d->a, err);
    }
    uint64_t id;
    rc = catalog_edit_new_id(d->edit, &id, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int k = 0; k < count; k++) {
        types[k] = b->columns[cols[k]].type;
        if ((rc = api_ddl_check_key_type(types[k], err)) != STRATA_OK) {
            return rc;
        }
        if (primary) {
            b->columns[cols[k]].not_null = true;
        }
    }
    x->id = id;
    x->name = name;
    x->key_count = count;
    x->key_columns = cols;
    x->key_types = types;
    x->key_descending = flags;
    x->key_nulls_first = flags + count;
    x->unique = true;
    x->primary = primary;
    x->nulls_not_distinct = c->nulls_not_distinct;
    x->am_name = "btree";
    if (c->include.count > 0) {
        int *inc;
        rc = resolve_key_columns(d, b, &c->include, &inc, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        x->include_columns = inc;
        x->include_count = c->include.count;
    }
    *slot = x;
    con->name = name;
    con->kind = primary ? CAT_CONSTRAINT_PRIMARY : CAT_CONSTRAINT_UNIQUE;
    con->column_count = count;
    con->columns = cols;
    con->index_id = id;
    if (primary) {
        b->has_pkey = true;
        b->t->pkey_columns = cols;
        b->t->pkey_count = count;
        /* The primary key is indexes[0] (catalog.h). */
        for (int k = b->index_count - 1; k > 0; k--) {
            b->indexes[k] = b->indexes[k - 1];
        }
        b->indexes[0] = x;
    }
    return STRATA_OK;
}

static int add_check(Ddl *d, TableBuild *b, const Constraint *c, const char *column, Error *err)
{
    const char *name = c->name;
    if (name == NULL) {
        name = column != NULL ? arena_sprintf(d->a, "%s_%s_check", b->t->name, column)
                              : arena_sprintf(d->a, "%s_check", b->t->name);
        /* Check constraint names are unique per table, not per schema. */
        for (int n = 1; name != NULL; n++) {
            bool taken = false;
            for (int k = 0; k < b->con_count; k++) {
                taken |= strcmp(b->cons[k].name, name) == 0;
            }
            if (!taken) {
                break;
            }
            name = column != NULL ? arena_sprintf(d->a, "%s_%s_check%d", b->t->name, column, n)
                                  : arena_sprintf(d->a, "%s_check%d", b->t->name, n);
        }
    }
    CatConstraint *con = api_ddl_push(d->a, &b->cons, &b->con_count, sizeof(CatConstraint));
    const Node **slot = api_ddl_push(d->a, &b->checks, &b->check_count, sizeof(Node *));
    char *sql = sql_deparse_expr(c->expr, d->a);
    if (con == NULL || slot == NULL || sql == NULL || name == NULL) {
        return arena_error(d->a, err);
    }
    /* checks[] is parallel to cons[]: pad for key constraints added before. */
    while (b->check_count < b->con_count) {
        if (api_ddl_push(d->a, &b->checks, &b->check_count, sizeof(Node *)) == NULL) {
            return arena_error(d->a, err);
        }
    }
    b->checks[b->con_count - 1] = c->expr;
    con->name = name;
    con->kind = CAT_CONSTRAINT_CHECK;
    con->check_sql = sql;
    return STRATA_OK;
}

static int add_serial(Ddl *d, TableBuild *b, CatColumn *col, CatIdentity identity, Error *err)
{
    const char *base = arena_sprintf(d->a, "%s_%s_seq", b->t->name, col->name);
    const char *name = base != NULL ? api_ddl_choose_name(d, b->t->schema, base) : NULL;
    CatSequence *s = arena_zalloc(d->a, sizeof(*s));
    CatSequence **slot = api_ddl_push(d->a, &b->seqs, &b->seq_count, sizeof(CatSequence *));
    if (name == NULL || s == NULL || slot == NULL) {
        return arena_error(d->a, err);
    }
    int rc = catalog_edit_new_id(d->edit, &s->id, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    s->schema = b->t->schema;
    s->name = name;
    s->owner_id = d->conn->role_id;
    s->start = 1;
    s->increment = 1;
    s->min_value = 1;
    s->max_value = col->type.id == TYPE_INT2   ? 32767
                   : col->type.id == TYPE_INT4 ? 2147483647
                                               : INT64_MAX;
    s->owner_column = (int)(col - b->columns);
    *slot = s;
    col->identity = identity;
    col->sequence_name = name;
    col->not_null = true;
    /* PostgreSQL writes nextval('seq'::regclass); strata has no regclass type,
     * and the text form of the name is what nextval() resolves anyway. */
    col->default_sql = strcmp(b->t->schema, "public") == 0
                           ? arena_sprintf(d->a, "nextval('%s')", name)
                           : arena_sprintf(d->a, "nextval('%s.%s')", b->t->schema, name);
    return col->default_sql != NULL ? STRATA_OK : arena_error(d->a, err);
}

static int add_column(Ddl *d, TableBuild *b, const ColumnDef *def, Error *err)
{
    if (column_index(b, def->name) >= 0) {
        return error_set(err, SQLSTATE_DUPLICATE_COLUMN, "column \"%s\" specified more than once",
                         def->name);
    }
    if (b->column_count >= LIMIT_COLUMNS) {
        return error_set(err, SQLSTATE_TOO_MANY_COLUMNS, "tables can have at most %d columns",
                         LIMIT_COLUMNS);
    }
    CatColumn *col = &b->columns[b->column_count++];
    memset(col, 0, sizeof(*col));
    col->name = def->name;
    bool serial = false;
    if (def->type == NULL) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "column \"%s\" has no type", def->name);
    }
    int rc = api_ddl_type(def->type, &col->type, &serial, err);
    if (rc == STRATA_OK && serial) {
        rc = add_serial(d, b, col, CAT_IDENTITY_SERIAL, err);
    }
    if (rc == STRATA_OK) {
        api_ddl_column_domain(d, def->type, col);
    }
    for (int k = 0; k < def->constraints.count && rc == STRATA_OK; k++) {
        const Constraint *c = (const Constraint *)def->constraints.items[k];
        NameList one = {.count = 1, .capacity = 1, .items = (char **)&def->name};
        switch (c->kind) {
        case CONSTRAINT_NULL:
            col->not_null = false;
            break;
        case CONSTRAINT_NOT_NULL:
            col->not_null = true;
            break;
        case CONSTRAINT_DEFAULT:
            col->default_sql = sql_deparse_expr(c->expr, d->a);
            if (col->default_sql == NULL) {
                rc = arena_error(d->a, err);
            } else {
                rc = api_ddl_check_default_literal(d, col->type, c->expr, err);
            }
            break;
        case CONSTRAINT_CHECK:
            rc = add_check(d, b, c, def->name, err);
            break;
        case CONSTRAINT_PRIMARY:
        case CONSTRAINT_UNIQUE:
            rc = add_key_constraint(d, b, c, &one, err);
            col = &b->columns[b->column_count - 1];
            break;
        case CONSTRAINT_FOREIGN: {
            struct PendingFk *fk = api_ddl_push(d->a, &b->fks, &b->fk_count, sizeof(*fk));
            if (fk == NULL) {
                rc = arena_error(d->a, err);
            } else {
                fk->c = c;
                fk->columns = one;
            }
            break;
        }
        case CONSTRAINT_IDENTITY:
            rc = add_serial(
                d, b, col, c->identity_always ? CAT_IDENTITY_ALWAYS : CAT_IDENTITY_BY_DEFAULT, err);
            break;
        case CONSTRAINT_GENERATED:
            rc = error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "generated columns are not supported");
            break;
        }
    }
    return rc;
}

static int resolve_fk(Ddl *d, TableBuild *b, const struct PendingFk *fk, Error *err)
{
    const Constraint *c = fk->c;
    int *cols;
    int rc = resolve_key_columns(d, b, &fk->columns, &cols, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int count = fk->columns.count;
    bool self = (c->ref_table->schema == NULL || strcmp(c->ref_table->schema, b->t->schema) == 0) &&
                strcmp(c->ref_table->name, b->t->name) == 0;
    const CatTable *ref =
        self ? NULL : api_ddl_find_relation(d, c->ref_table->schema, c->ref_table->name);
    if (!self && ref == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         c->ref_table->name);
    }
    if (!self && ref->kind != CAT_TABLE) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE,
                         "referenced relation \"%s\" is not a table", ref->name);
    }
    int priv_rc = self ? STRATA_OK : api_ddl_require_privilege(d, ref, CAT_PRIV_REFERENCES, err);
    if (priv_rc != STRATA_OK) {
        return priv_rc;
    }
    if (!self && ref->partition_key != NULL) {
        /* Its rows live in the partitions: the check would see none. */
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "foreign keys referencing partitioned table \"%s\" are not supported",
                         ref->name);
    }
    int ref_count = self ? b->column_count : ref->column_count;
    int *ref_cols = arena_alloc(d->a, sizeof(int) * (size_t)(count + 1));
    if (ref_cols == NULL) {
        return arena_error(d->a, err);
    }
    if (c->ref_columns.count == 0) {
        int pk_count = self ? b->t->pkey_count : ref->pkey_count;
        const int *pk = self ? b->t->pkey_columns : ref->pkey_columns;
        if (pk_count == 0) {
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT,
                             "there is no primary key for referenced table \"%s\"",
                             c->ref_table->name);
        }
        if (pk_count != count) {
            return error_set(
                err, SQLSTATE_INVALID_FOREIGN_KEY,
                "number of referencing and referenced columns for foreign key disagree");
        }
        memcpy(ref_cols, pk, sizeof(int) * (size_t)count);
    } else {
        if (c->ref_columns.count != count) {
            return error_set(
                err, SQLSTATE_INVALID_FOREIGN_KEY,
                "number of referencing and referenced columns for foreign key disagree");
        }
        for (int k = 0; k < count; k++) {
            const char *rn = c->ref_columns.items[k];
            ref_cols[k] = self ? column_index(b, rn) : cat_table_column_index(ref, rn);
            if (ref_cols[k] < 0 || ref_cols[k] >= ref_count) {
                return error_set(
                    err, SQLSTATE_UNDEFINED_COLUMN,
                    "column \"%s\" referenced in foreign key constraint does not exist", rn);
            }
        }
    }
    /* The referenced columns must carry a unique index (in any order). */
    int index_count = self ? b->index_count : ref->index_count;
    bool found = false;
    for (int k = 0; k < index_count && !found; k++) {
        const CatIndex *x = self ? b->indexes[k] : ref->indexes[k];
        if (!x->unique || x->key_count != count || x->predicate_sql != NULL) {
            continue;
        }
        int matched = 0;
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < count; j++) {
                matched += x->key_columns[j] == ref_cols[i];
            }
        }
        found = matched == count;
    }
    if (!found) {
        return error_set(
            err, SQLSTATE_INVALID_FOREIGN_KEY,
            "there is no unique constraint matching given keys for referenced table \"%s\"",
            c->ref_table->name);
    }
    const char *name = c->name;
    if (name == NULL) {
        name = arena_sprintf(d->a, "%s_%s_fkey", b->t->name, join_columns(d, b, cols, count));
    }
    CatConstraint *con = api_ddl_push(d->a, &b->cons, &b->con_count, sizeof(CatConstraint));
    if (con == NULL || name == NULL) {
        return arena_error(d->a, err);
    }
    con->name = name;
    con->kind = CAT_CONSTRAINT_FOREIGN;
    con->column_count = count;
    con->columns = cols;
    con->ref_table_id = self ? b->t->id : ref->id;
    con->ref_columns = ref_cols;
    con->on_delete = c->on_delete ? (char)c->on_delete : CAT_FK_NO_ACTION;
    con->on_update = c->on_update ? (char)c->on_update : CAT_FK_NO_ACTION;
    con->match_full = c->match == FK_MATCH_FULL;
    return STRATA_OK;
}

static int add_table_element(Ddl *d, TableBuild *b, const Node *n, Error *err)
{
    if (n->tag == N_COLUMN_DEF) {
        return add_column(d, b, (const ColumnDef *)n, err);
    }
    if (n->tag != N_CONSTRAINT) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "CREATE TABLE ... LIKE is not supported");
    }
    const Constraint *c = (const Constraint *)n;
    switch (c->kind) {
    case CONSTRAINT_PRIMARY:
    case CONSTRAINT_UNIQUE:
        return add_key_constraint(d, b, c, &c->keys, err);
    case CONSTRAINT_CHECK:
        return add_check(d, b, c, NULL, err);
    case CONSTRAINT_FOREIGN: {
        struct PendingFk *fk = api_ddl_push(d->a, &b->fks, &b->fk_count, sizeof(*fk));
        if (fk == NULL) {
            return arena_error(d->a, err);
        }
        fk->c = c;
        fk->columns = c->keys;
        return STRATA_OK;
    }
    default:
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "unexpected table constraint");
    }
}

/* Names the table-level CHECK after the first column it mentions, as PostgreSQL. */
static void name_table_checks(Ddl *d, TableBuild *b)
{
    for (int k = 0; k < b->con_count && k < b->check_count; k++) {
        CatConstraint *con = &b->cons[k];
        if (con->kind != CAT_CONSTRAINT_CHECK || b->checks[k] == NULL) {
            continue;
        }
        size_t base_len = strlen(b->t->name) + strlen("_check");
        if (strlen(con->name) != base_len ||
            strncmp(con->name, b->t->name, strlen(b->t->name)) != 0) {
            continue;
        }
        for (int col = 0; col < b->column_count; col++) {
            if (api_sql_mentions(con->check_sql, b->columns[col].name)) {
                const char *name =
                    arena_sprintf(d->a, "%s_%s_check", b->t->name, b->columns[col].name);
                if (name != NULL) {
                    con->name = name;
                }
                break;
            }
        }
    }
}

static int validate_checks_and_defaults(Ddl *d, TableBuild *b, Error *err)
{
    for (int k = 0; k < b->con_count && k < b->check_count; k++) {
        if (b->checks[k] != NULL) {
            SqlType type;
            int rc = api_ddl_bind_expr(d, b->t, b->checks[k], &type, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            if (type.id != TYPE_BOOL && type.id != TYPE_UNKNOWN) {
                return error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                                 "argument of CHECK must be type boolean, not type %s",
                                 type_name(type, d->a));
            }
        }
    }
    for (int col = 0; col < b->column_count; col++) {
        const CatColumn *c = &b->columns[col];
        if (c->default_sql == NULL || c->identity != CAT_IDENTITY_NONE) {
            continue;
        }
        Node *expr;
        int rc = sql_parse_expr(c->default_sql, strlen(c->default_sql), d->a, &expr, err);
        if (rc == STRATA_OK) {
            rc = api_ddl_bind_expr(d, b->t, expr, NULL, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int finish_build(Ddl *d, TableBuild *b, const char *am_name, Error *err)
{
    CatTable *t = b->t;
    t->kind = CAT_TABLE;
    t->columns = b->columns;
    t->column_count = b->column_count;
    t->indexes = (const CatIndex *const *)b->indexes;
    t->index_count = b->index_count;
    t->constraints = b->cons;
    t->constraint_count = b->con_count;
    t->am_name = am_name;
    int rc = catalog_edit_finish_table(d->edit, t, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (t->am == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "access method \"%s\" does not exist",
                         am_name);
    }
    rc = validate_checks_and_defaults(d, b, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    rc = tam_create(t->am, d->conn->txn, &t->desc, err);
    for (int k = 0; k < b->index_count && rc == STRATA_OK; k++) {
        rc = api_ddl_create_index_storage(d, t, b->indexes[k], err);
    }
    for (int k = 0; k < b->seq_count && rc == STRATA_OK; k++) {
        b->seqs[k]->owner_table_id = t->id;
        rc = catalog_edit_put_sequence(d->edit, b->seqs[k], err);
    }
    if (rc == STRATA_OK) {
        rc = catalog_edit_put_table(d->edit, t, err);
    }
    return rc;
}

/* The session's temporary schema for a TEMP object (schema: the name given, NULL or
 * pg_temp), created in this transaction on first use. Errors: 42P16 for another
 * schema. */
static int temp_schema(Ddl *d, const char *schema, const char **out, Error *err)
{
    strata_db *conn = d->conn;
    if (schema != NULL && strcmp(catalog_resolve_schema_name(schema), conn->temp_schema) != 0 &&
        strcmp(schema, "pg_temp") != 0) {
        return error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                         "cannot create temporary relation in non-temporary schema");
    }
    if (!api_role_is_superuser(conn, conn->catalog) &&
        (catalog_database_privileges(conn->catalog, conn->role_id, false) & CAT_PRIV_TEMPORARY) == 0) {
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                         "permission denied to create temporary tables in database \"%s\"",
                         conn->database_name);
    }
    *out = conn->temp_schema;
    conn->temp_schema_used = true;
    conn->path_generation = 0; /* the search path now starts with it */
    if (catalog_find_schema(conn->catalog, conn->temp_schema) != NULL) {
        return STRATA_OK;
    }
    CatSchema s = {.name = conn->temp_schema};
    int rc = catalog_edit_new_id(d->edit, &s.id, err);
    return rc != STRATA_OK ? rc : catalog_edit_put_schema(d->edit, &s, err);
}

static int begin_table_build(Ddl *d, TableBuild *b, const RangeVar *rv, bool temp, Error *err)
{
    memset(b, 0, sizeof(*b));
    b->t = arena_zalloc(d->a, sizeof(CatTable));
    b->columns = arena_zalloc(d->a, sizeof(CatColumn) * LIMIT_COLUMNS);
    if (b->t == NULL || b->columns == NULL) {
        return arena_error(d->a, err);
    }
    if (rv->schema != NULL && strcmp(rv->schema, "pg_temp") == 0) {
        temp = true; /* CREATE TABLE pg_temp.t makes a temporary table, as in PostgreSQL */
    }
    int rc = temp ? temp_schema(d, rv->schema, &b->t->schema, err)
                  : api_ddl_target_schema(d, rv->schema, &b->t->schema, err);
    if (rc == STRATA_OK) {
        b->t->name = arena_strdup(d->a, rv->name);
        b->t->owner_id = d->conn->role_id; /* the creating role owns it (api_grant.c) */
        rc = catalog_edit_new_id(d->edit, &b->t->id, err);
    }
    return rc;
}

static const char *table_am_name(Ddl *d, const char *given)
{
    if (given != NULL && strcmp(given, "heap") == 0) {
        return "row"; /* PostgreSQL's name of the row store, as pg_dump writes it */
    }
    return given != NULL ? given : api_settings_get(d->conn, "default_table_access_method", NULL);
}

static int insert_plan_rows(Ddl *d, CatTable *t, const Stmt *query, Error *err);

/* CREATE TABLE AS / MATERIALIZED VIEW: the table's columns are the query's (names given
 * first; unknown literals become text). */
static int columns_of_query(Ddl *d, TableBuild *b, const Stmt *query, const NameList *names,
                            Error *err)
{
    Plan *plan;
    int rc = plan_statement(&d->env, query, &plan, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const PlanInfo *info = plan_info(plan);
    if (names->count > info->column_count) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "too many column names were specified");
    }
    for (int col = 0; col < info->column_count; col++) {
        const char *name = col < names->count ? names->items[col] : info->column_names[col];
        if (column_index(b, name) >= 0) {
            return error_set(err, SQLSTATE_DUPLICATE_COLUMN,
                             "column \"%s\" specified more than once", name);
        }
        CatColumn *c = &b->columns[b->column_count++];
        c->name = arena_strdup(d->a, name);
        c->type = info->column_types[col];
        if (c->type.id == TYPE_UNKNOWN) {
            c->type = sql_type(TYPE_TEXT);
        }
    }
    return STRATA_OK;
}

static int create_table(Ddl *d, Error *err)
{
    const CreateTableStmt *s = (const CreateTableStmt *)d->stmt->ast;
    bool is_as = s->as_query != NULL;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), is_as ? "SELECT 0" : "CREATE TABLE");
    if (s->partition_of != NULL) {
        return api_ddl_create_partition(d, err);
    }
    if (s->partition != NULL && is_as) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "CREATE TABLE AS with PARTITION BY is not supported");
    }
    TableBuild b;
    bool temp = s->persistence == PERSISTENCE_TEMP ||
                (s->relation->schema != NULL && strcmp(s->relation->schema, "pg_temp") == 0);
    int rc = begin_table_build(d, &b, s->relation, temp, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (api_ddl_name_taken(d, b.t->schema, b.t->name)) {
        if (s->if_not_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_DUPLICATE_TABLE,
                                   "relation \"%s\" already exists, skipping", b.t->name);
            snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE TABLE");
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                         b.t->name);
    }
    api_ddl_reserve_name(d, b.t->name);
    if (is_as) {
        rc = columns_of_query(d, &b, s->as_query, &s->as_columns, err);
    } else {
        for (int k = 0; k < s->elements.count && rc == STRATA_OK; k++) {
            rc = add_table_element(d, &b, s->elements.items[k], err);
        }
        name_table_checks(d, &b);
        for (int k = 0; k < b.fk_count && rc == STRATA_OK; k++) {
            rc = resolve_fk(d, &b, &b.fks[k], err);
        }
    }
    if (rc == STRATA_OK && s->partition != NULL) {
        b.t->columns = b.columns;
        b.t->column_count = b.column_count;
        b.t->indexes = (const CatIndex *const *)b.indexes;
        b.t->index_count = b.index_count;
        rc = api_ddl_partition_key(d, b.t, s->partition, err);
    }
    if (rc == STRATA_OK) {
        rc = finish_build(d, &b, table_am_name(d, s->access_method), err);
    }
    if (rc == STRATA_OK && is_as && !s->with_no_data) {
        rc = insert_plan_rows(d, b.t, s->as_query, err);
    }
    if (rc == STRATA_OK && temp) {
        rc = api_session_add_temp(d->conn, b.t->id, err);
    }
    return rc;
}

/* CREATE TABLE AS: runs the query and inserts its rows. */
static int insert_plan_rows(Ddl *d, CatTable *t, const Stmt *query, Error *err)
{
    Plan *plan;
    int rc = plan_statement(&d->env, query, &plan, err);
    Executor *ex = NULL;
    if (rc == STRATA_OK) {
        rc = executor_start(plan, &d->env, &ex, err);
    }
    uint64_t rows = 0;
    Batch *batch;
    Arena *a = arena_create(d->stmt->exec_arena, 0, "create table as");
    if (a == NULL && rc == STRATA_OK) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    while (rc == STRATA_OK && (rc = executor_next(ex, &batch, err)) == STRATA_OK && batch != NULL) {
        /* Cast each value to the column type (unknown literals become text). */
        Batch *out =
            batch_create(a, t->desc.column_types, t->column_count, batch_active_count(batch));
        if (out == NULL) {
            rc = arena_error(a, err);
            break;
        }
        Value *row = arena_alloc(a, sizeof(Value) * (size_t)t->column_count);
        for (int k = 0; row != NULL && k < batch_active_count(batch) && rc == STRATA_OK; k++) {
            int r = batch_active_row(batch, k);
            for (int col = 0; col < t->column_count && rc == STRATA_OK; col++) {
                Value v;
                if (vector_is_null(&batch->columns[col], r)) {
                    row[col] = value_null(t->columns[col].type);
                    continue;
                }
                batch_get_value(batch, col, r, &v);
                if (v.type.id != t->columns[col].type.id) {
                    rc = value_cast(&v, t->columns[col].type, CAST_EXPLICIT, a, &row[col], err);
                } else {
                    row[col] = v;
                }
            }
            if (rc == STRATA_OK && !batch_append_row(out, row)) {
                rc = arena_error(a, err);
            }
        }
        if (rc == STRATA_OK) {
            rc = tam_insert(t->am, d->conn->txn, &t->desc, out, NULL, a, err);
        }
        rows += (uint64_t)batch_active_count(batch);
        arena_reset(a);
    }
    if (ex != NULL) {
        executor_end(ex);
    }
    arena_destroy(a);
    if (rc == STRATA_OK) {
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "SELECT %llu", (unsigned long long)rows);
        api_database_count_rows(d->conn->db, &d->conn->stats_pending, t->id, rows, 0, 0);
    }
    return rc;
}

/* ---- CREATE VIEW / SCHEMA / SEQUENCE ------------------------------------------------------------
 */

/* Gives view t the dependencies its query's planning recorded (has_deps). */
static int keep_dependencies(Ddl *d, CatTable *t, const PlanDeps *deps, Error *err)
{
    if (deps->failed) {
        return arena_error(d->a, err);
    }
    t->has_deps = true;
    t->dep_count = deps->count;
    t->deps = deps->items;
    return STRATA_OK;
}

/* CREATE MATERIALIZED VIEW [IF NOT EXISTS] name [(columns)] AS query [WITH [NO] DATA]:
 * a table in the default access method holding the query's rows, with the query's
 * text kept to REFRESH it. */
static int create_matview(Ddl *d, const CreateViewStmt *s, Error *err)
{
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE MATERIALIZED VIEW");
    TableBuild b;
    int rc = begin_table_build(d, &b, s->view, false, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (api_ddl_name_taken(d, b.t->schema, b.t->name)) {
        if (s->if_not_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_DUPLICATE_TABLE,
                                   "relation \"%s\" already exists, skipping", b.t->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                         b.t->name);
    }
    api_ddl_reserve_name(d, b.t->name);
    PlanDeps deps = {.arena = d->a};
    d->env.deps = &deps;
    rc = columns_of_query(d, &b, s->query, &s->columns, err);
    d->env.deps = NULL;
    if (rc == STRATA_OK) {
        rc = keep_dependencies(d, b.t, &deps, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    b.t->view_sql = s->query_text != NULL ? s->query_text : sql_deparse_stmt(s->query, d->a);
    b.t->unpopulated = s->with_no_data;
    if (b.t->view_sql == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < d->conn->temp_count; k++) {
        const CatTable *temp = catalog_table_by_id(d->conn->catalog, d->conn->temp_ids[k]);
        if (temp != NULL && api_sql_mentions(b.t->view_sql, temp->name)) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "materialized views must not use temporary tables or views");
        }
    }
    rc = finish_build(d, &b, table_am_name(d, s->access_method), err);
    if (rc == STRATA_OK && !s->with_no_data) {
        rc = insert_plan_rows(d, b.t, s->query, err); /* tag SELECT n, as PostgreSQL's */
    }
    return rc;
}

/* REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]: empties the view and
 * its indexes, reruns its query and rebuilds the indexes, all in the statement's
 * transaction. Readers never wait for it (they read their snapshot), so CONCURRENTLY
 * runs the same way after PostgreSQL's checks. */
static int refresh_matview(Ddl *d, Error *err)
{
    const RefreshMatViewStmt *s = (const RefreshMatViewStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "REFRESH MATERIALIZED VIEW");
    const CatTable *old = api_ddl_find_relation(d, s->view->schema, s->view->name);
    if (old == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         s->view->name);
    }
    if (!cat_is_matview(old)) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a materialized view",
                         old->name);
    }
    int owner_rc = api_ddl_require_owner(d, old, err);
    if (owner_rc != STRATA_OK) {
        return owner_rc;
    }
    if (s->concurrently) {
        if (s->with_no_data) {
            return error_set(err, SQLSTATE_SYNTAX_ERROR,
                             "%s and %s options cannot be used together", "CONCURRENTLY",
                             "WITH NO DATA");
        }
        if (old->unpopulated) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "CONCURRENTLY cannot be used when the materialized view is not populated");
        }
        bool keyed = false;
        for (int k = 0; k < old->index_count; k++) {
            const CatIndex *x = old->indexes[k];
            bool plain = x->desc.unique && x->predicate_sql == NULL;
            for (int c = 0; c < x->key_count; c++) {
                plain = plain && x->key_columns[c] >= 0;
            }
            keyed = keyed || plain;
        }
        if (!keyed) {
            error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "cannot refresh materialized view \"%s.%s\" concurrently", old->schema,
                      old->name);
            return error_hint(err, "Create a unique index with no WHERE clause on one or more "
                                   "columns of the materialized view.");
        }
    }
    CatTable *t = catalog_edit_copy_table(d->edit, old, err);
    if (t == NULL) {
        return err->code;
    }
    t->unpopulated = s->with_no_data;
    int rc = catalog_edit_put_table(d->edit, t, err);
    if (rc == STRATA_OK) {
        rc = tam_truncate(t->am, d->conn->txn, &t->desc, err);
    }
    for (int x = 0; x < t->index_count && rc == STRATA_OK; x++) {
        if (!t->indexes[x]->primary && t->indexes[x]->am != NULL) {
            rc = t->indexes[x]->am->truncate(d->conn->txn, &t->indexes[x]->desc, err);
        }
    }
    if (rc != STRATA_OK || s->with_no_data) {
        return rc;
    }
    Stmt *query;
    rc = sql_parse_one(t->view_sql, strlen(t->view_sql), d->a, &query, err);
    if (rc == STRATA_OK) {
        rc = insert_plan_rows(d, t, query, err);
    }
    for (int x = 0; x < t->index_count && rc == STRATA_OK; x++) {
        rc = api_ddl_build_index(d, t, t->indexes[x], err);
    }
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "REFRESH MATERIALIZED VIEW");
    return rc;
}

static int create_view(Ddl *d, Error *err)
{
    const CreateViewStmt *s = (const CreateViewStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE VIEW");
    if (s->materialized) {
        return create_matview(d, s, err);
    }
    TableBuild b;
    bool temp = s->temporary || (s->view->schema != NULL && strcmp(s->view->schema, "pg_temp") == 0);
    int rc = begin_table_build(d, &b, s->view, temp, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const CatTable *old = api_ddl_find_relation(d, b.t->schema, b.t->name);
    if (old != NULL && (!s->replace || old->kind != CAT_VIEW)) {
        if (old->kind != CAT_VIEW && s->replace) {
            return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a view", b.t->name);
        }
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                         b.t->name);
    }
    if (old == NULL && api_ddl_name_taken(d, b.t->schema, b.t->name)) {
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                         b.t->name);
    }
    if (old != NULL) {
        if ((rc = api_ddl_require_owner(d, old, err)) != STRATA_OK) {
            return rc;
        }
        b.t->id = old->id; /* CREATE OR REPLACE keeps the view's owner and grants */
        b.t->owner_id = old->owner_id;
        b.t->acl = old->acl;
        b.t->acl_count = old->acl_count;
    }
    Plan *plan;
    PlanDeps deps = {.arena = d->a};
    d->env.deps = &deps;
    rc = plan_statement(&d->env, s->query, &plan, err);
    d->env.deps = NULL;
    if (rc == STRATA_OK) {
        rc = keep_dependencies(d, b.t, &deps, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    const PlanInfo *info = plan_info(plan);
    if (s->columns.count > info->column_count) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR,
                         "CREATE VIEW specifies more column names than columns");
    }
    for (int col = 0; col < info->column_count; col++) {
        const char *name = col < s->columns.count ? s->columns.items[col] : info->column_names[col];
        if (column_index(&b, name) >= 0) {
            return error_set(err, SQLSTATE_DUPLICATE_COLUMN,
                             "column \"%s\" specified more than once", name);
        }
        CatColumn *c = &b.columns[b.column_count++];
        c->name = arena_strdup(d->a, name);
        c->type = info->column_types[col].id == TYPE_UNKNOWN ? sql_type(TYPE_TEXT)
                                                             : info->column_types[col];
    }
    CatTable *t = b.t;
    t->kind = CAT_VIEW;
    t->columns = b.columns;
    t->column_count = b.column_count;
    t->view_sql = s->query_text != NULL ? s->query_text : sql_deparse_stmt(s->query, d->a);
    if (t->view_sql == NULL) {
        return arena_error(d->a, err);
    }
    rc = catalog_edit_put_table(d->edit, t, err);
    if (rc == STRATA_OK && temp && old == NULL) {
        rc = api_session_add_temp(d->conn, t->id, err);
    }
    return rc;
}

static int create_schema(Ddl *d, Error *err)
{
    const CreateSchemaStmt *s = (const CreateSchemaStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE SCHEMA");
    const char *name = s->name != NULL ? s->name : s->authorization;
    if (name == NULL) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "CREATE SCHEMA needs a name");
    }
    if (catalog_find_schema(d->conn->catalog, name) != NULL) {
        if (s->if_not_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_DUPLICATE_SCHEMA,
                                   "schema \"%s\" already exists, skipping", name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_DUPLICATE_SCHEMA, "schema \"%s\" already exists", name);
    }
    if (strncmp(name, "pg_", 3) == 0) {
        return error_set(err, SQLSTATE_RESERVED_NAME, "unacceptable schema name \"%s\"", name);
    }
    if (!api_role_is_superuser(d->conn, d->conn->catalog) &&
        (catalog_database_privileges(d->conn->catalog, d->conn->role_id, false) & CAT_PRIV_CREATE) == 0) {
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for database %s",
                         d->conn->database_name);
    }
    /* the creating role owns it, or the AUTHORIZATION role (a member's: PostgreSQL
     * asks the creator to be a member of it) */
    CatSchema schema = {.name = name, .owner_id = d->conn->role_id};
    if (s->authorization != NULL) {
        const CatRole *owner = catalog_find_role(d->conn->catalog, s->authorization);
        if (owner == NULL) {
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist",
                             s->authorization);
        }
        if (!api_role_is_superuser(d->conn, d->conn->catalog) &&
            !catalog_role_is_member_of(d->conn->catalog, d->conn->role_id, owner->id)) {
            return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be member of role \"%s\"",
                             owner->name);
        }
        schema.owner_id = owner->id;
    }
    int rc = catalog_edit_new_id(d->edit, &schema.id, err);
    return rc != STRATA_OK ? rc : catalog_edit_put_schema(d->edit, &schema, err);
}

static int sequence_option(const DefElem *o, int64_t *out, Error *err)
{
    const Node *n = o->arg;
    bool negate = false;
    if (n != NULL && n->tag == N_OP_EXPR && ((const OpExpr *)n)->left == NULL) {
        negate = true;
        n = ((const OpExpr *)n)->right;
    }
    if (n == NULL || n->tag != N_CONST || ((const Const *)n)->kind != CONST_INTEGER) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "option \"%s\" needs an integer", o->name);
    }
    *out = negate ? -((const Const *)n)->int_value : ((const Const *)n)->int_value;
    return STRATA_OK;
}

/* ALTER SEQUENCE: INCREMENT, MINVALUE, MAXVALUE, START, RESTART [WITH], CYCLE. */
static int sequence_owned_by(Ddl *d, CatSequence *seq, const DefElem *o, Error *err);

static int alter_sequence(Ddl *d, const CreateSequenceStmt *s, Error *err)
{
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "ALTER SEQUENCE");
    const CatSequence *old =
        catalog_find_sequence(d->conn->catalog, s->sequence->schema, s->sequence->name);
    if (old == NULL) {
        if (s->if_exists) {
            api_session_notice(d->conn, "relation \"%s\" does not exist, skipping",
                               s->sequence->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         s->sequence->name);
    }
    CatSequence *seq = arena_memdup(d->a, old, sizeof(*old));
    if (seq == NULL) {
        return arena_error(d->a, err);
    }
    bool restart = false;
    int64_t restart_value = 0;
    int rc = STRATA_OK;
    for (int k = 0; k < s->options.count && rc == STRATA_OK; k++) {
        const DefElem *o = (const DefElem *)s->options.items[k];
        if (strcmp(o->name, "increment") == 0) {
            rc = sequence_option(o, &seq->increment, err);
        } else if (strcmp(o->name, "start") == 0) {
            rc = sequence_option(o, &seq->start, err);
        } else if (strcmp(o->name, "minvalue") == 0) {
            seq->min_value = seq->increment > 0 ? 1 : INT64_MIN;
            rc = o->arg != NULL ? sequence_option(o, &seq->min_value, err) : STRATA_OK;
        } else if (strcmp(o->name, "maxvalue") == 0) {
            seq->max_value = seq->increment > 0 ? INT64_MAX : -1;
            rc = o->arg != NULL ? sequence_option(o, &seq->max_value, err) : STRATA_OK;
        } else if (strcmp(o->name, "restart") == 0) {
            restart = true;
            restart_value = seq->start;
            rc = o->arg != NULL ? sequence_option(o, &restart_value, err) : STRATA_OK;
        } else if (strcmp(o->name, "cycle") == 0) {
            seq->cycle = o->word == NULL || strcmp(o->word, "true") == 0;
        } else if (strcmp(o->name, "owned_by") == 0) {
            rc = sequence_owned_by(d, seq, o, err);
        }
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (seq->increment == 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "INCREMENT must not be zero");
    }
    if (restart && (restart_value < seq->min_value || restart_value > seq->max_value)) {
        return error_set(
            err, SQLSTATE_INVALID_PARAMETER_VALUE,
            "RESTART value (%lld) cannot be %s than %s (%lld)", (long long)restart_value,
            restart_value < seq->min_value ? "less" : "greater",
            restart_value < seq->min_value ? "MINVALUE" : "MAXVALUE",
            (long long)(restart_value < seq->min_value ? seq->min_value : seq->max_value));
    }
    rc = catalog_edit_put_sequence(d->edit, seq, err);
    if (rc == STRATA_OK && restart) {
        rc = catalog_sequence_set(d->conn->txn, seq, restart_value, false, err);
        api_sequence_restart(d->conn, seq->id);
    }
    return rc;
}

/* OWNED BY table.column (or NONE): the sequence goes with the column's table, as a
 * serial's does (pg_dump writes serial columns this way). */
static int sequence_owned_by(Ddl *d, CatSequence *seq, const DefElem *o, Error *err)
{
    seq->owner_table_id = 0;
    seq->owner_column = -1;
    if (o->word != NULL) {
        return STRATA_OK; /* NONE */
    }
    const ColumnRef *ref = o->arg != NULL && o->arg->tag == N_COLUMN_REF ? (const ColumnRef *)o->arg : NULL;
    if (ref == NULL || ref->fields.count < 2 || ref->fields.count > 3) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "invalid relation name: OWNED BY needs table.column");
    }
    int n = ref->fields.count;
    const char *schema = n == 3 ? ref->fields.items[0] : NULL;
    const char *table = ref->fields.items[n - 2], *column = ref->fields.items[n - 1];
    const CatTable *t = api_ddl_find_relation(d, schema, table);
    if (t == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", table);
    }
    if (t->kind != CAT_TABLE) {
        return error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                         "sequence must have same owner as table it is linked to");
    }
    if (strcmp(t->schema, seq->schema) != 0) {
        return error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                         "sequence must be in same schema as table it is linked to");
    }
    int col = cat_table_column_index(t, column);
    if (col < 0) {
        return error_set(err, SQLSTATE_UNDEFINED_COLUMN,
                         "column \"%s\" of relation \"%s\" does not exist", column, t->name);
    }
    seq->owner_table_id = t->id;
    seq->owner_column = col;
    return STRATA_OK;
}

/* A new sequence's bounds and start from CREATE SEQUENCE's (or an identity column's)
 * options; type_max bounds an identity sequence by its column's type. */
static int sequence_from_options(Ddl *d, CatSequence *seq, const NodeList *options,
                                 int64_t type_max, Error *err)
{
    int rc = STRATA_OK;
    seq->increment = 1;
    seq->owner_column = -1;
    bool has_start = false, has_min = false, has_max = false;
    for (int k = 0; k < options->count && rc == STRATA_OK; k++) {
        const DefElem *o = (const DefElem *)options->items[k];
        if (strcmp(o->name, "increment") == 0) {
            rc = sequence_option(o, &seq->increment, err);
        } else if (strcmp(o->name, "start") == 0) {
            rc = sequence_option(o, &seq->start, err);
            has_start = true;
        } else if (strcmp(o->name, "minvalue") == 0 && o->arg != NULL) {
            rc = sequence_option(o, &seq->min_value, err);
            has_min = true;
        } else if (strcmp(o->name, "maxvalue") == 0 && o->arg != NULL) {
            rc = sequence_option(o, &seq->max_value, err);
            has_max = true;
        } else if (strcmp(o->name, "cycle") == 0) {
            seq->cycle = o->word == NULL || strcmp(o->word, "true") == 0;
        } else if (strcmp(o->name, "owned_by") == 0) {
            rc = sequence_owned_by(d, seq, o, err);
        }
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (seq->increment == 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "INCREMENT must not be zero");
    }
    if (!has_min) {
        seq->min_value = seq->increment > 0 ? 1 : -type_max - 1;
    }
    if (!has_max) {
        seq->max_value = seq->increment > 0 ? type_max : -1;
    }
    if (!has_start) {
        seq->start = seq->increment > 0 ? seq->min_value : seq->max_value;
    }
    if (seq->start < seq->min_value || seq->start > seq->max_value) {
        return error_set(
            err, SQLSTATE_INVALID_PARAMETER_VALUE, "START value (%lld) cannot be %s than %s (%lld)",
            (long long)seq->start, seq->start < seq->min_value ? "less" : "greater",
            seq->start < seq->min_value ? "MINVALUE" : "MAXVALUE",
            (long long)(seq->start < seq->min_value ? seq->min_value : seq->max_value));
    }
    return STRATA_OK;
}

static int create_sequence(Ddl *d, Error *err)
{
    const CreateSequenceStmt *s = (const CreateSequenceStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE SEQUENCE");
    if (s->is_alter) {
        return alter_sequence(d, s, err);
    }
    CatSequence *seq = arena_zalloc(d->a, sizeof(*seq));
    if (seq == NULL) {
        return arena_error(d->a, err);
    }
    int rc = api_ddl_target_schema(d, s->sequence->schema, &seq->schema, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    seq->name = s->sequence->name;
    if (api_ddl_name_taken(d, seq->schema, seq->name)) {
        if (s->if_not_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_DUPLICATE_TABLE,
                                   "relation \"%s\" already exists, skipping", seq->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                         seq->name);
    }
    if ((rc = sequence_from_options(d, seq, &s->options, INT64_MAX, err)) != STRATA_OK) {
        return rc;
    }
    seq->owner_id = d->conn->role_id;
    rc = catalog_edit_new_id(d->edit, &seq->id, err);
    return rc != STRATA_OK ? rc : catalog_edit_put_sequence(d->edit, seq, err);
}

/* ALTER TABLE t ALTER COLUMN c ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY
 * [(SEQUENCE NAME s, START WITH ...)]: a sequence owned by the column feeds its
 * default, as for a column declared with the identity (pg_dump's form). */
int api_ddl_add_identity(Ddl *d, CatTable *t, CatColumn *col, const Constraint *c, Error *err)
{
    if (col->identity != CAT_IDENTITY_NONE) {
        return error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                         "column \"%s\" of relation \"%s\" is already an identity column",
                         col->name, t->name);
    }
    if (col->default_sql != NULL) {
        return error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                         "column \"%s\" of relation \"%s\" already has a default value",
                         col->name, t->name);
    }
    int64_t type_max = col->type.id == TYPE_INT2   ? 32767
                       : col->type.id == TYPE_INT4 ? 2147483647
                       : col->type.id == TYPE_INT8 ? INT64_MAX
                                                   : 0;
    if (type_max == 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "identity column type must be smallint, integer, or bigint");
    }
    if (!col->not_null) {
        return error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                         "column \"%s\" of relation \"%s\" must be declared NOT NULL before "
                         "identity can be added",
                         col->name, t->name);
    }
    CatSequence *seq = arena_zalloc(d->a, sizeof(*seq));
    if (seq == NULL) {
        return arena_error(d->a, err);
    }
    const RangeVar *named = NULL;
    for (int k = 0; k < c->options.count; k++) {
        const DefElem *o = (const DefElem *)c->options.items[k];
        if (strcmp(o->name, "sequence_name") == 0) {
            named = (const RangeVar *)o->arg;
        }
    }
    int rc;
    if (named != NULL) {
        if ((rc = api_ddl_target_schema(d, named->schema, &seq->schema, err)) != STRATA_OK) {
            return rc;
        }
        seq->name = named->name;
        if (api_ddl_name_taken(d, seq->schema, seq->name)) {
            return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists",
                             seq->name);
        }
    } else {
        seq->schema = t->schema;
        const char *base = arena_sprintf(d->a, "%s_%s_seq", t->name, col->name);
        seq->name = base != NULL ? api_ddl_choose_name(d, t->schema, base) : NULL;
        if (seq->name == NULL) {
            return arena_error(d->a, err);
        }
    }
    if ((rc = sequence_from_options(d, seq, &c->options, type_max, err)) != STRATA_OK) {
        return rc;
    }
    seq->owner_table_id = t->id;
    seq->owner_column = cat_table_column_index(t, col->name);
    seq->owner_id = cat_table_owner(t);
    if ((rc = catalog_edit_new_id(d->edit, &seq->id, err)) != STRATA_OK ||
        (rc = catalog_edit_put_sequence(d->edit, seq, err)) != STRATA_OK) {
        return rc;
    }
    api_ddl_reserve_name(d, seq->name);
    col->identity = c->identity_always ? CAT_IDENTITY_ALWAYS : CAT_IDENTITY_BY_DEFAULT;
    col->sequence_name = seq->name;
    col->default_sql = strcmp(seq->schema, "public") == 0
                           ? arena_sprintf(d->a, "nextval('%s')", seq->name)
                           : arena_sprintf(d->a, "nextval('%s.%s')", seq->schema, seq->name);
    return col->default_sql != NULL ? STRATA_OK : arena_error(d->a, err);
}

/* ---- DROP ----------------------------------------------------------------------------------- */

static const char *kind_word(const CatTable *t)
{
    return t->kind == CAT_VIEW ? "view" : cat_is_matview(t) ? "materialized view" : "table";
}

const char *api_ddl_cascade_name(Ddl *d, const char *schema, const char *name)
{
    bool is_visible = strcmp(schema, "pg_catalog") == 0;
    for (int k = 0; k < d->conn->path_count && !is_visible; k++) {
        is_visible = strcmp(d->conn->path_items[k], schema) == 0;
    }
    const char *qualified = is_visible ? NULL : arena_sprintf(d->a, "%s.%s", schema, name);
    return qualified != NULL ? qualified : name;
}

typedef struct DropSet {
    uint64_t ids[4096];
    int count;
} DropSet;

static bool in_set(const DropSet *s, uint64_t id)
{
    for (int k = 0; k < s->count; k++) {
        if (s->ids[k] == id) {
            return true;
        }
    }
    return false;
}

/* Collects t and (with cascade) its dependent views; without cascade, the
 * first dependent object outside the set is an error. */
static int collect_drop(Ddl *d, const CatTable *t, bool cascade, DropSet *set, Error *err)
{
    if (in_set(set, t->id)) {
        return STRATA_OK;
    }
    if (set->count >= (int)(sizeof(set->ids) / sizeof(set->ids[0]))) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "too many dependent objects");
    }
    set->ids[set->count++] = t->id;
    for (int p = 0; p < t->partition_count; p++) {
        /* Partitions go with their parent, as in PostgreSQL. */
        int rc = collect_drop(d, t->partitions[p], cascade, set, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    /* every dependent view (a fixed array once left views past it behind) */
    int view_max = catalog_table_count(d->conn->catalog);
    const CatTable **views = arena_alloc(d->a, sizeof(*views) * (size_t)(view_max + 1));
    if (views == NULL) {
        return arena_error(d->a, err);
    }
    int n = api_ddl_dependent_views(d->conn->catalog, t, views, view_max);
    for (int k = 0; k < n; k++) {
        if (in_set(set, views[k]->id)) {
            continue;
        }
        if (!cascade) {
            error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                      "cannot drop %s %s because other objects depend on it", kind_word(t),
                      t->name);
            error_detail(err, "%s %s depends on %s %s", kind_word(views[k]), views[k]->name,
                         kind_word(t), t->name);
            return error_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
        }
        api_session_cascade(d->conn, "drop cascades to %s %s", kind_word(views[k]),
                            api_ddl_cascade_name(d, views[k]->schema, views[k]->name));
        int rc = collect_drop(d, views[k], cascade, set, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* Removes FOREIGN KEY constraints of other tables that reference dropped tables. */
static int drop_referencing_fks(Ddl *d, const DropSet *set, bool cascade, Error *err)
{
    const Catalog *c = d->conn->catalog;
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (t->kind != CAT_TABLE || in_set(set, t->id)) {
            continue;
        }
        bool touches = false;
        for (int con = 0; con < t->constraint_count; con++) {
            touches |= t->constraints[con].kind == CAT_CONSTRAINT_FOREIGN &&
                       in_set(set, t->constraints[con].ref_table_id);
        }
        if (!touches) {
            continue;
        }
        CatTable *copy = catalog_edit_copy_table(d->edit, t, err);
        if (copy == NULL) {
            return err->code;
        }
        CatConstraint *cons = api_ddl_constraints(d, copy);
        if (cons == NULL) {
            return arena_error(d->a, err);
        }
        int kept = 0;
        for (int con = 0; con < copy->constraint_count; con++) {
            const CatConstraint *x = &cons[con];
            if (x->kind == CAT_CONSTRAINT_FOREIGN && in_set(set, x->ref_table_id)) {
                if (!cascade) {
                    const CatTable *ref = catalog_table_by_id(c, x->ref_table_id);
                    error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                              "cannot drop table %s because other objects depend on it", ref->name);
                    error_detail(err, "constraint %s on table %s depends on table %s", x->name,
                                 t->name, ref->name);
                    return error_hint(err,
                                      "Use DROP ... CASCADE to drop the dependent objects too.");
                }
                api_session_cascade(d->conn, "drop cascades to constraint %s on table %s",
                                    x->name, api_ddl_cascade_name(d, t->schema, t->name));
                continue;
            }
            cons[kept++] = *x;
        }
        copy->constraint_count = kept;
        int rc = catalog_edit_put_table(d->edit, copy, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int drop_table_object(Ddl *d, const CatTable *t, Error *err)
{
    int rc = api_ddl_drop_storage(d, t, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const Catalog *c = d->conn->catalog;
    for (int k = 0; k < catalog_sequence_count(c); k++) {
        const CatSequence *s = catalog_sequence_at(c, k);
        if (s->owner_table_id == t->id) {
            rc = catalog_sequence_drop_counter(d->conn->txn, s, err);
            if (rc == STRATA_OK) {
                rc = catalog_edit_delete(d->edit, s->id, err);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    return catalog_edit_delete(d->edit, t->id, err);
}

int api_ddl_drop_relation_cascade(Ddl *d, const CatTable *t, Error *err)
{
    if (!catalog_edit_contains(d->edit, t->id)) {
        return STRATA_OK; /* already dropped by this statement (its storage too) */
    }
    DropSet *set = arena_zalloc(d->a, sizeof(DropSet));
    if (set == NULL) {
        return arena_error(d->a, err);
    }
    int rc = collect_drop(d, t, true, set, err);
    if (rc == STRATA_OK) {
        rc = drop_referencing_fks(d, set, true, err);
    }
    for (int k = 0; k < set->count && rc == STRATA_OK; k++) {
        const CatTable *member = catalog_table_by_id(d->conn->catalog, set->ids[k]);
        if (member != NULL && catalog_edit_contains(d->edit, member->id)) {
            rc = drop_table_object(d, member, err);
        }
    }
    return rc;
}

static int drop_relations(Ddl *d, const DropStmt *s, Error *err)
{
    const char *word = s->kind == OBJECT_VIEW      ? "view"
                       : s->kind == OBJECT_MATVIEW ? "materialized view"
                                                   : "table";
    DropSet *set = arena_zalloc(d->a, sizeof(DropSet));
    if (set == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < s->objects.count; k++) {
        const QualifiedName *q = (const QualifiedName *)s->objects.items[k];
        const char *schema = q->parts.count > 1 ? q->parts.items[q->parts.count - 2] : NULL;
        const char *name = q->parts.items[q->parts.count - 1];
        const CatTable *t = api_ddl_find_relation(d, schema, name);
        if (t == NULL) {
            if (s->if_exists) {
                api_session_notice(d->conn, "%s \"%s\" does not exist, skipping", word, name);
                continue;
            }
            return error_set(err, SQLSTATE_UNDEFINED_TABLE, "%s \"%s\" does not exist", word, name);
        }
        if (t->kind == CAT_VIRTUAL) {
            return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                             "permission denied: \"%s\" is a system catalog", name);
        }
        if (strcmp(kind_word(t), word) == 0) {
            int owner_rc = api_ddl_require_owner(d, t, err);
            if (owner_rc != STRATA_OK) {
                return owner_rc;
            }
        }
        if (strcmp(kind_word(t), word) != 0) {
            error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a %s", name, word);
            const char *have = kind_word(t);
            return error_hint(err, "Use DROP %s to remove a %s.",
                              t->kind == CAT_VIEW ? "VIEW" : cat_is_matview(t) ? "MATERIALIZED VIEW" : "TABLE",
                              have);
        }
        int rc = collect_drop(d, t, s->cascade, set, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    int rc = drop_referencing_fks(d, set, s->cascade, err);
    for (int k = 0; k < set->count && rc == STRATA_OK; k++) {
        const CatTable *t = catalog_table_by_id(d->conn->catalog, set->ids[k]);
        if (t != NULL) {
            rc = drop_table_object(d, t, err);
        }
    }
    return rc;
}

static int drop_index(Ddl *d, const DropStmt *s, Error *err)
{
    for (int k = 0; k < s->objects.count; k++) {
        const QualifiedName *q = (const QualifiedName *)s->objects.items[k];
        const char *schema = q->parts.count > 1 ? q->parts.items[q->parts.count - 2] : NULL;
        const char *name = q->parts.items[q->parts.count - 1];
        const CatTable *owner;
        Catalog *now;
        int rc = catalog_edit_snapshot(d->edit, &now, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        const CatIndex *x = catalog_find_index(now, schema, name, &owner);
        if (x == NULL) {
            catalog_release(now);
            if (s->if_exists) {
                api_session_notice(d->conn, "index \"%s\" does not exist, skipping", name);
                continue;
            }
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "index \"%s\" does not exist", name);
        }
        for (int con = 0; con < owner->constraint_count; con++) {
            if (owner->constraints[con].index_id == x->id &&
                owner->constraints[con].kind != CAT_CONSTRAINT_FOREIGN) {
                error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                          "cannot drop index %s because constraint %s on table %s requires it",
                          name, owner->constraints[con].name, owner->name);
                error_hint(err, "You can drop constraint %s on table %s instead.",
                           owner->constraints[con].name, owner->name);
                catalog_release(now);
                return err->code;
            }
        }
        CatTable *copy = catalog_edit_copy_table(d->edit, owner, err);
        catalog_release(now);
        if (copy == NULL) {
            return err->code;
        }
        const CatIndex **list = arena_alloc(d->a, sizeof(void *) * (size_t)(copy->index_count + 1));
        if (list == NULL) {
            return arena_error(d->a, err);
        }
        int kept = 0;
        const CatIndex *victim = NULL;
        for (int i = 0; i < copy->index_count; i++) {
            if (strcmp(copy->indexes[i]->name, name) == 0) {
                victim = copy->indexes[i];
            } else {
                list[kept++] = copy->indexes[i];
            }
        }
        copy->indexes = list;
        copy->index_count = kept;
        if (victim != NULL && victim->am != NULL) {
            rc = victim->am->drop(d->conn->txn, &victim->desc, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        rc = catalog_edit_put_table(d->edit, copy, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int drop_schema(Ddl *d, const DropStmt *s, Error *err)
{
    const Catalog *c = d->conn->catalog;
    for (int k = 0; k < s->objects.count; k++) {
        const QualifiedName *q = (const QualifiedName *)s->objects.items[k];
        const char *name = q->parts.items[q->parts.count - 1];
        const CatSchema *schema = catalog_find_schema(c, name);
        if (schema == NULL) {
            if (s->if_exists) {
                api_session_notice(d->conn, "schema \"%s\" does not exist, skipping", name);
                continue;
            }
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "schema \"%s\" does not exist", name);
        }
        if (strcmp(name, "pg_catalog") == 0 || strcmp(name, "information_schema") == 0) {
            return error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                             "cannot drop schema %s because it is required by the database system",
                             name);
        }
        DropSet *set = arena_zalloc(d->a, sizeof(DropSet));
        if (set == NULL) {
            return arena_error(d->a, err);
        }
        for (int t = 0; t < catalog_table_count(c); t++) {
            const CatTable *rel = catalog_table_at(c, t);
            if (strcmp(rel->schema, name) != 0) {
                continue;
            }
            if (!s->cascade) {
                error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                          "cannot drop schema %s because other objects depend on it", name);
                error_detail(err, "%s %s depends on schema %s", kind_word(rel),
                             api_ddl_cascade_name(d, rel->schema, rel->name), name);
                return error_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
            }
            /* the schema's own members first, then what depends on them (a
             * view reached twice is reported once), as PostgreSQL lists them */
            api_session_cascade(d->conn, "drop cascades to %s %s", kind_word(rel),
                                api_ddl_cascade_name(d, rel->schema, rel->name));
        }
        for (int t = 0; t < catalog_table_count(c); t++) {
            const CatTable *rel = catalog_table_at(c, t);
            int rc = strcmp(rel->schema, name) == 0 ? collect_drop(d, rel, true, set, err)
                                                    : STRATA_OK;
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        int rc = drop_referencing_fks(d, set, true, err);
        for (int t = 0; t < set->count && rc == STRATA_OK; t++) {
            const CatTable *rel = catalog_table_by_id(c, set->ids[t]);
            if (rel != NULL) {
                rc = drop_table_object(d, rel, err);
            }
        }
        for (int q2 = 0; q2 < catalog_sequence_count(c) && rc == STRATA_OK; q2++) {
            const CatSequence *seq = catalog_sequence_at(c, q2);
            if (strcmp(seq->schema, name) == 0) {
                rc = catalog_sequence_drop_counter(d->conn->txn, seq, err);
                if (rc == STRATA_OK) {
                    rc = catalog_edit_delete(d->edit, seq->id, err);
                }
            }
        }
        if (rc == STRATA_OK) {
            rc = catalog_edit_delete(d->edit, schema->id, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int drop_sequence(Ddl *d, const DropStmt *s, Error *err)
{
    for (int k = 0; k < s->objects.count; k++) {
        const QualifiedName *q = (const QualifiedName *)s->objects.items[k];
        const char *schema = q->parts.count > 1 ? q->parts.items[q->parts.count - 2] : NULL;
        const char *name = q->parts.items[q->parts.count - 1];
        const CatSequence *seq = catalog_find_sequence(d->conn->catalog, schema, name);
        if (seq == NULL) {
            if (s->if_exists) {
                api_session_notice(d->conn, "sequence \"%s\" does not exist, skipping", name);
                continue;
            }
            return error_set(err, SQLSTATE_UNDEFINED_TABLE, "sequence \"%s\" does not exist", name);
        }
        if (seq->owner_table_id != 0 && !s->cascade) {
            const CatTable *t = catalog_table_by_id(d->conn->catalog, seq->owner_table_id);
            error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                      "cannot drop sequence %s because other objects depend on it", name);
            error_detail(err, "default value for column %s of table %s depends on sequence %s",
                         t != NULL && seq->owner_column >= 0 && seq->owner_column < t->column_count
                             ? t->columns[seq->owner_column].name
                             : "?",
                         t != NULL ? t->name : "?", name);
            return error_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
        }
        int rc = catalog_sequence_drop_counter(d->conn->txn, seq, err);
        if (rc == STRATA_OK) {
            rc = catalog_edit_delete(d->edit, seq->id, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int drop(Ddl *d, Error *err)
{
    const DropStmt *s = (const DropStmt *)d->stmt->ast;
    switch (s->kind) {
    case OBJECT_TABLE:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "DROP TABLE");
        return drop_relations(d, s, err);
    case OBJECT_VIEW:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "DROP VIEW");
        return drop_relations(d, s, err);
    case OBJECT_MATVIEW:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "DROP MATERIALIZED VIEW");
        return drop_relations(d, s, err);
    case OBJECT_INDEX:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "DROP INDEX");
        return drop_index(d, s, err);
    case OBJECT_SCHEMA:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "DROP SCHEMA");
        return drop_schema(d, s, err);
    case OBJECT_SEQUENCE:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "DROP SEQUENCE");
        return drop_sequence(d, s, err);
    case OBJECT_TYPE:
    case OBJECT_DOMAIN:
        return api_ddl_drop_types(d, s, err);
    default:
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "DROP of this object kind is not supported");
    }
}

/* ---- dispatch ----------------------------------------------------------------------------------
 */

static int dispatch(Ddl *d, Error *err)
{
    switch (d->stmt->ast->tag) {
    case N_CREATE_TABLE_STMT:
        return create_table(d, err);
    case N_CREATE_VIEW_STMT:
        return create_view(d, err);
    case N_CREATE_SCHEMA_STMT:
        return create_schema(d, err);
    case N_CREATE_SEQUENCE_STMT:
        return create_sequence(d, err);
    case N_CREATE_INDEX_STMT:
        return api_ddl_create_index(d, err);
    case N_DROP_STMT:
        return drop(d, err);
    case N_ALTER_TABLE_STMT:
        return api_ddl_alter_table(d, err);
    case N_TRUNCATE_STMT:
        return api_ddl_truncate(d, err);
    case N_REFRESH_MATVIEW_STMT:
        return refresh_matview(d, err);
    case N_GRANT_STMT:
        return api_ddl_grant(d, err);
    case N_VACUUM_STMT:
        return api_ddl_analyze(d, err);
    case N_ROLE_STMT:
        return api_ddl_role(d, err);
    case N_CREATE_ENUM_STMT:
        return api_ddl_create_enum(d, err);
    case N_ALTER_ENUM_STMT:
        return api_ddl_alter_enum(d, err);
    case N_CREATE_DOMAIN_STMT:
        return api_ddl_create_domain(d, err);
    case N_ALTER_DOMAIN_STMT:
        return api_ddl_alter_domain(d, err);
    case N_COMMENT_STMT:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "COMMENT");
        return STRATA_OK;
    default:
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported",
                         ast_tag_name(d->stmt->ast->tag));
    }
}

int api_ddl_run(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    int rc = api_session_ensure_txn(conn, true, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (conn->mode == TXN_AUTOCOMMIT) {
        conn->autocommit_users++;
    }
    stmt->holds_txn = true;
    Ddl *d = arena_zalloc(stmt->exec_arena, sizeof(Ddl));
    if (d == NULL) {
        return arena_error(stmt->exec_arena, err);
    }
    d->stmt = stmt;
    d->conn = conn;
    rc = catalog_edit_begin(conn->catalog, conn->txn, &d->edit, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    d->a = catalog_edit_arena(d->edit);
    api_session_fill_env(conn, &d->env, stmt->plan_arena, stmt->exec_arena, stmt->sql);
    api_session_install_provider(conn);
    rc = dispatch(d, err);
    /* what a DROP ... CASCADE dropped besides its targets, as one notice
     * (PostgreSQL reports it before the drop, so a failure keeps it too) */
    api_session_cascade_flush(conn);
    api_session_remove_provider();
    if (rc != STRATA_OK) {
        catalog_edit_abort(d->edit);
        return rc;
    }
    Catalog *next;
    rc = catalog_edit_commit(d->edit, &next, err);
    if (rc == STRATA_OK) {
        api_session_set_catalog(conn, next);
    }
    return rc;
}
