/*
 * api/api_ddl_type.c - user-defined enum types: CREATE TYPE ... AS ENUM,
 * ALTER TYPE ... ADD VALUE, DROP TYPE, and the connection's UserTypeResolver
 * (types/enumtype.h) through which types/ reads labels and type names from
 * the connection's catalog.
 *
 * Labels get sort keys ENUM_KEY_STEP apart; ADD VALUE BEFORE / AFTER takes
 * the midpoint of its neighbours' keys (PostgreSQL's float4 sort orders do
 * the same), so values already stored keep their order. When two neighbours
 * have no key between them the statement fails with 54000 (PostgreSQL
 * renumbers instead, which strata cannot do without rewriting stored values).
 *
 * Invariants
 *   1. A CatType's label keys strictly increase and its labels are distinct.
 *   2. A type that a column or view uses is not dropped with RESTRICT (2BP01);
 *      CASCADE drops those columns and views first (drop_one_type).
 *
 * Threads: as the connection. See src/api/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ddl_int.h"
#include "types/enumtype.h"
#include "types/typeinfo.h"
#include "util/limits.h"

/* PostgreSQL's NAMEDATALEN - 1: the longest label. */
#define ENUM_LABEL_BYTES_MAX 63

/* ---- the resolver ---- */

static bool resolver_find(void *ctx, const char *name, SqlType *out)
{
    const strata_db *conn = ctx;
    const char *dot = strchr(name, '.');
    const CatType *t = NULL;
    if (dot != NULL) {
        char schema[LIMIT_IDENTIFIER_BYTES + 1];
        size_t length = (size_t)(dot - name);
        if (length > LIMIT_IDENTIFIER_BYTES) {
            return false;
        }
        memcpy(schema, name, length);
        schema[length] = '\0';
        t = catalog_find_type(conn->catalog, schema, dot + 1);
    } else {
        t = catalog_find_type(conn->catalog, NULL, name);
    }
    if (t == NULL) {
        return false;
    }
    /* a domain's values are of its base type (its checks: plan/bind_domain.c) */
    *out = t->typtype == 'd' ? t->base : sql_type_mod(TYPE_ENUM, (int32_t)t->id);
    return true;
}

static const char *resolver_name(void *ctx, int32_t type_id)
{
    const strata_db *conn = ctx;
    const CatType *t = catalog_type_by_id(conn->catalog, (uint64_t)type_id);
    if (t == NULL) {
        return NULL;
    }
    /* qualified when the search path does not find it by its bare name, as
     * PostgreSQL's format_type */
    const CatType *visible = catalog_find_type(conn->catalog, NULL, t->name);
    return visible == t || t->qualified_name == NULL ? t->name : t->qualified_name;
}

static int resolver_enum_input(void *ctx, int32_t type_id, const char *text, size_t length,
                               Arena *arena, StrRef *out, Error *err)
{
    const strata_db *conn = ctx;
    const CatType *t = catalog_type_by_id(conn->catalog, (uint64_t)type_id);
    if (t == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type with OID %d does not exist",
                         (int)type_id);
    }
    for (int k = 0; k < t->label_count; k++) {
        if (strlen(t->labels[k]) == length && memcmp(t->labels[k], text, length) == 0) {
            return enum_value_encode(t->label_keys[k], t->labels[k], length, arena, out, err);
        }
    }
    return error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                     "invalid input value for enum %s: \"%.*s\"", t->name, (int)length, text);
}

void api_types_init_resolver(strata_db *conn)
{
    conn->type_resolver.ctx = conn;
    conn->type_resolver.find = resolver_find;
    conn->type_resolver.name = resolver_name;
    conn->type_resolver.enum_input = resolver_enum_input;
}

/* ---- DDL ---- */

static void split_name(const QualifiedName *q, const char **schema, const char **name)
{
    *schema = q->parts.count > 1 ? q->parts.items[q->parts.count - 2] : NULL;
    *name = q->parts.items[q->parts.count - 1];
}

static int check_label(const char *label, Error *err)
{
    if (strlen(label) > ENUM_LABEL_BYTES_MAX) {
        error_set(err, SQLSTATE_INVALID_NAME, "invalid enum label \"%s\"", label);
        return error_detail(err, "Labels must be %d bytes or less.", ENUM_LABEL_BYTES_MAX);
    }
    return STRATA_OK;
}

int api_ddl_create_enum(Ddl *d, Error *err)
{
    const CreateEnumStmt *s = (const CreateEnumStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE TYPE");
    const char *schema, *name;
    split_name(s->name, &schema, &name);
    int rc = api_ddl_target_schema(d, schema, &schema, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    SqlType builtin;
    Error ignored;
    error_clear(&ignored);
    if (catalog_find_type(d->conn->catalog, schema, name) != NULL ||
        (strcmp(schema, "pg_catalog") == 0 && type_from_name(name, NULL, 0, &builtin, &ignored) == STRATA_OK)) {
        return error_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists", name);
    }
    CatType *t = arena_zalloc(d->a, sizeof(CatType));
    const char **labels = arena_zalloc(d->a, sizeof(char *) * (size_t)(s->labels.count + 1));
    uint64_t *keys = arena_zalloc(d->a, sizeof(uint64_t) * (size_t)(s->labels.count + 1));
    if (t == NULL || labels == NULL || keys == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < s->labels.count; k++) {
        labels[k] = s->labels.items[k];
        keys[k] = (uint64_t)(k + 1) * ENUM_KEY_STEP;
        if ((rc = check_label(labels[k], err)) != STRATA_OK) {
            return rc;
        }
        for (int j = 0; j < k; j++) {
            if (strcmp(labels[j], labels[k]) == 0) {
                return error_set(err, SQLSTATE_UNIQUE_VIOLATION,
                                 "enum label \"%s\" used more than once", labels[k]);
            }
        }
    }
    if ((rc = catalog_edit_new_id(d->edit, &t->id, err)) != STRATA_OK) {
        return rc;
    }
    t->schema = schema;
    t->name = name;
    t->typtype = 'e';
    t->label_count = s->labels.count;
    t->labels = labels;
    t->label_keys = keys;
    return catalog_edit_put_type(d->edit, t, err);
}

static int label_index(const CatType *t, const char *label)
{
    for (int k = 0; k < t->label_count; k++) {
        if (strcmp(t->labels[k], label) == 0) {
            return k;
        }
    }
    return -1;
}

/* The key of a label inserted at position at (0..count), between its
 * neighbours; 54000 when none is left between them. */
static int new_key(const CatType *t, int at, uint64_t *out, Error *err)
{
    uint64_t low = at > 0 ? t->label_keys[at - 1] : 0;
    if (at == t->label_count) {
        if (low > UINT64_MAX - ENUM_KEY_STEP) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "too many enum labels");
        }
        *out = low + ENUM_KEY_STEP;
        return STRATA_OK;
    }
    uint64_t high = t->label_keys[at];
    if (high - low < 2) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "no room left to insert an enum label before \"%s\"", t->labels[at]);
    }
    *out = low + (high - low) / 2;
    return STRATA_OK;
}

int api_ddl_alter_enum(Ddl *d, Error *err)
{
    const AlterEnumStmt *s = (const AlterEnumStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "ALTER TYPE");
    const char *schema, *name;
    split_name(s->name, &schema, &name);
    const CatType *old = catalog_find_type(d->conn->catalog, schema, name);
    if (old == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
    }
    int rc = check_label(s->label, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (label_index(old, s->label) >= 0) {
        if (s->if_not_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_DUPLICATE_OBJECT,
                                   "enum label \"%s\" already exists, skipping", s->label);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_DUPLICATE_OBJECT, "enum label \"%s\" already exists",
                         s->label);
    }
    int at = old->label_count;
    if (s->neighbor != NULL) {
        int neighbor = label_index(old, s->neighbor);
        if (neighbor < 0) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "\"%s\" is not an existing enum label", s->neighbor);
        }
        at = s->is_before ? neighbor : neighbor + 1;
    }
    uint64_t key = 0;
    if ((rc = new_key(old, at, &key, err)) != STRATA_OK) {
        return rc;
    }
    CatType *t = arena_memdup(d->a, old, sizeof(*old));
    const char **labels = arena_zalloc(d->a, sizeof(char *) * (size_t)(old->label_count + 2));
    uint64_t *keys = arena_zalloc(d->a, sizeof(uint64_t) * (size_t)(old->label_count + 2));
    if (t == NULL || labels == NULL || keys == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0, to = 0; k <= old->label_count; k++) {
        if (k == at) {
            labels[to] = s->label;
            keys[to++] = key;
        }
        if (k < old->label_count) {
            labels[to] = old->labels[k];
            keys[to++] = old->label_keys[k];
        }
    }
    t->label_count = old->label_count + 1;
    t->labels = labels;
    t->label_keys = keys;
    return catalog_edit_put_type(d->edit, t, err);
}

/* How a column uses type t: USE_ARRAY (a column of t's array type, mood[]),
 * USE_TYPE (of t itself, or of domain t), or USE_NONE. */
enum { USE_NONE, USE_ARRAY, USE_TYPE };
static int column_use(const CatColumn *c, const CatType *t)
{
    if (c->domain_id == t->id) {
        return USE_TYPE;
    }
    if (c->type.typmod != (int32_t)t->id || t->typtype != 'e') {
        return USE_NONE;
    }
    return c->type.id == TYPE_ENUM         ? USE_TYPE
           : c->type.id == TYPE_ENUM_ARRAY ? USE_ARRAY
                                           : USE_NONE;
}

static int compare_table_ids(const void *a, const void *b)
{
    uint64_t x = (*(const CatTable *const *)a)->id, y = (*(const CatTable *const *)b)->id;
    return x < y ? -1 : x > y;
}

/* 2BP01 for the first object that depends on t (with RESTRICT). */
static int still_used(const CatType *t, const char *what, Error *err)
{
    error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
              "cannot drop type %s because other objects depend on it", t->name);
    error_detail(err, "%s", what);
    return error_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
}

/* Drops table's columns that use t (DROP TYPE ... CASCADE), reporting each. */
static int drop_columns_using(Ddl *d, const CatTable *table, const CatType *t, Error *err)
{
    const char **names = arena_alloc(d->a, sizeof(char *) * (size_t)table->column_count);
    if (names == NULL) {
        return arena_error(d->a, err);
    }
    int count = 0;
    for (int col = 0; col < table->column_count; col++) {
        if (column_use(&table->columns[col], t) != USE_NONE) {
            names[count++] = table->columns[col].name;
        }
    }
    return count > 0 ? api_ddl_drop_columns(d, table, names, count, err) : STRATA_OK;
}

/* DROP TYPE / DOMAIN t. What depends on it comes in PostgreSQL's order:
 * columns of its array type, then columns of the type, oldest table first,
 * then views and materialized views with a column of the type (a view's
 * query reads the type). RESTRICT: 2BP01 naming the first; CASCADE: a notice
 * each ("drop cascades to column m of table t"), then the views go, then the
 * columns (with the views that read them, as ALTER TABLE ... DROP COLUMN ...
 * CASCADE), then the type. */
static int drop_one_type(Ddl *d, const DropStmt *s, const CatType *t, Error *err)
{
    const Catalog *c = d->conn->catalog;
    int n = catalog_table_count(c);
    const CatTable **tables = arena_alloc(d->a, sizeof(CatTable *) * (size_t)(n + 1));
    if (tables == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < n; k++) {
        tables[k] = catalog_table_at(c, k);
    }
    qsort(tables, (size_t)n, sizeof(CatTable *), compare_table_ids);
    for (int use = USE_ARRAY; use <= USE_TYPE; use++) {
        for (int k = 0; k < n; k++) {
            const CatTable *table = tables[k];
            for (int col = 0; table->kind == CAT_TABLE && table->view_sql == NULL &&
                              col < table->column_count; col++) {
                if (column_use(&table->columns[col], t) != use) {
                    continue;
                }
                const char *name = api_ddl_cascade_name(d, table->schema, table->name);
                if (!s->cascade) {
                    const char *what =
                        arena_sprintf(d->a, "column %s of table %s depends on type %s%s",
                                      table->columns[col].name, name, t->name,
                                      use == USE_ARRAY ? "[]" : "");
                    return still_used(t, what, err);
                }
                api_session_cascade(d->conn, "drop cascades to column %s of table %s",
                                    table->columns[col].name, name);
            }
        }
    }
    int rc = STRATA_OK;
    for (int k = 0; k < n && rc == STRATA_OK; k++) {
        const CatTable *view = tables[k];
        if (view->view_sql == NULL || view->kind == CAT_VIRTUAL) {
            continue;
        }
        bool uses = api_ddl_view_uses_type(view, t->id);
        for (int col = 0; col < view->column_count; col++) {
            uses |= column_use(&view->columns[col], t) != USE_NONE;
        }
        if (!uses) {
            continue;
        }
        const char *word = cat_is_matview(view) ? "materialized view" : "view";
        const char *name = api_ddl_cascade_name(d, view->schema, view->name);
        if (!s->cascade) {
            const char *what = arena_sprintf(d->a, "%s %s depends on type %s", word, name, t->name);
            return still_used(t, what, err);
        }
        api_session_cascade(d->conn, "drop cascades to %s %s", word, name);
        rc = api_ddl_drop_relation_cascade(d, view, err);
    }
    for (int k = 0; k < n && rc == STRATA_OK; k++) {
        if (tables[k]->kind == CAT_TABLE && tables[k]->view_sql == NULL) {
            rc = drop_columns_using(d, tables[k], t, err);
        }
    }
    return rc == STRATA_OK ? catalog_edit_delete(d->edit, t->id, err) : rc;
}

int api_ddl_drop_types(Ddl *d, const DropStmt *s, Error *err)
{
    bool domain = s->kind == OBJECT_DOMAIN;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), domain ? "DROP DOMAIN" : "DROP TYPE");
    for (int k = 0; k < s->objects.count; k++) {
        const char *schema, *name;
        split_name((const QualifiedName *)s->objects.items[k], &schema, &name);
        const CatType *t = catalog_find_type(d->conn->catalog, schema, name);
        if (t != NULL && domain && t->typtype != 'd') {
            return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a domain", name);
        }
        if (t == NULL) {
            if (s->if_exists) {
                api_session_notice(d->conn, "type \"%s\" does not exist, skipping", name);
                continue;
            }
            return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
        }
        int rc = drop_one_type(d, s, t, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* ---- domains ---- */

void api_ddl_column_domain(Ddl *d, const TypeName *tn, CatColumn *col)
{
    if (tn->array_dims > 0 || tn->typmods.count > 0) {
        return;
    }
    const CatType *t = catalog_find_type(d->conn->catalog, tn->schema, tn->name);
    if (t == NULL || t->typtype != 'd') {
        return;
    }
    col->domain_id = t->id;
    if (col->default_sql == NULL) {
        col->default_sql = t->default_sql;
    }
}

/* The name of a new CHECK of domain t: given, else <domain>_check, then
 * <domain>_check1, ... as PostgreSQL picks. */
static const char *check_name(Ddl *d, const char *domain, const char *const *taken, int count,
                              const char *given)
{
    if (given != NULL) {
        return given;
    }
    const char *name = arena_sprintf(d->a, "%s_check", domain);
    for (int n = 1; name != NULL; n++) {
        bool used = false;
        for (int k = 0; k < count; k++) {
            used |= strcmp(taken[k], name) == 0;
        }
        if (!used) {
            return name;
        }
        name = arena_sprintf(d->a, "%s_check%d", domain, n);
    }
    return NULL;
}

int api_ddl_create_domain(Ddl *d, Error *err)
{
    const CreateDomainStmt *s = (const CreateDomainStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE DOMAIN");
    const char *schema, *name;
    split_name(s->name, &schema, &name);
    int rc = api_ddl_target_schema(d, schema, &schema, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (catalog_find_type(d->conn->catalog, schema, name) != NULL) {
        return error_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists", name);
    }
    CatType *t = arena_zalloc(d->a, sizeof(CatType));
    int n = s->constraints.count;
    const char **names = arena_zalloc(d->a, sizeof(char *) * (size_t)(n + 1));
    const char **sql = arena_zalloc(d->a, sizeof(char *) * (size_t)(n + 1));
    if (t == NULL || names == NULL || sql == NULL) {
        return arena_error(d->a, err);
    }
    bool serial = false;
    if ((rc = api_ddl_type(s->type, &t->base, &serial, err)) != STRATA_OK) {
        return rc;
    }
    if (serial || catalog_find_type(d->conn->catalog, s->type->schema, s->type->name) != NULL) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "domains over type %s are not supported", s->type->name);
    }
    for (int k = 0; k < n; k++) {
        const Constraint *c = (const Constraint *)s->constraints.items[k];
        if (c->kind == CONSTRAINT_NOT_NULL || c->kind == CONSTRAINT_NULL) {
            t->not_null = c->kind == CONSTRAINT_NOT_NULL;
        } else if (c->kind == CONSTRAINT_DEFAULT) {
            t->default_sql = sql_deparse_expr(c->expr, d->a);
            rc = api_ddl_check_default_literal(d, t->base, c->expr, err);
        } else {
            names[t->check_count] = check_name(d, name, names, t->check_count, c->name);
            sql[t->check_count] = sql_deparse_expr(c->expr, d->a);
            if (names[t->check_count] == NULL || sql[t->check_count] == NULL) {
                return arena_error(d->a, err);
            }
            BoundExpr *check;
            rc = expr_bind_domain_check(&d->env, NULL, 0, t->base, sql[t->check_count], &check,
                                        err);
            t->check_count++;
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if ((rc = catalog_edit_new_id(d->edit, &t->id, err)) != STRATA_OK) {
        return rc;
    }
    t->schema = schema;
    t->name = name;
    t->typtype = 'd';
    t->check_names = names;
    t->check_sql = sql;
    return catalog_edit_put_type(d->edit, t, err);
}

typedef struct DomainScan {
    const CatType *domain;
    const CatTable *table;
    int column;
    BoundExpr *check; /* NULL: the NOT NULL test */
    const char *check_name;
} DomainScan;

static int domain_row(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err)
{
    (void)row_id;
    const DomainScan *s = ctx;
    if (s->check == NULL) {
        if (row[s->column].is_null) {
            return error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                             "column \"%s\" of table \"%s\" contains null values",
                             s->table->columns[s->column].name, s->table->name);
        }
        return STRATA_OK;
    }
    Value v;
    int rc = expr_eval_row(s->check, &d->env, row, &v, err);
    if (rc == STRATA_OK && !v.is_null && v.type.id == TYPE_BOOL && !v.b) {
        rc = error_set(err, SQLSTATE_CHECK_VIOLATION,
                       "column \"%s\" of table \"%s\" contains values that violate the new "
                       "constraint",
                       s->table->columns[s->column].name, s->table->name);
    }
    return rc;
}

/* A new constraint of domain t (check_sql NULL: NOT NULL) against the rows
 * of every column of the domain. */
static int domain_validate(Ddl *d, const CatType *t, const char *check_sql, Error *err)
{
    const Catalog *c = d->conn->catalog;
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *table = catalog_table_at(c, k);
        for (int col = 0; col < table->column_count; col++) {
            if (table->columns[col].domain_id != t->id) {
                continue;
            }
            DomainScan scan = {t, table, col, NULL, NULL};
            int rc = check_sql == NULL ? STRATA_OK
                                       : expr_bind_domain_check(&d->env, table, col, t->base,
                                                                check_sql, &scan.check, err);
            if (rc == STRATA_OK) {
                rc = api_ddl_scan_rows(d, table, domain_row, &scan, err);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    return STRATA_OK;
}

static int alter_domain_constraint(Ddl *d, const AlterDomainStmt *s, CatType *t, Error *err)
{
    const char **names = arena_zalloc(d->a, sizeof(char *) * (size_t)(t->check_count + 2));
    const char **sql = arena_zalloc(d->a, sizeof(char *) * (size_t)(t->check_count + 2));
    if (names == NULL || sql == NULL) {
        return arena_error(d->a, err);
    }
    int count = 0;
    bool found = false;
    for (int k = 0; k < t->check_count; k++) {
        if (s->action == ALTER_DOMAIN_DROP_CONSTRAINT &&
            strcmp(t->check_names[k], s->constraint_name) == 0) {
            found = true;
            continue;
        }
        names[count] = t->check_names[k];
        sql[count++] = t->check_sql[k];
    }
    if (s->action == ALTER_DOMAIN_DROP_CONSTRAINT && !found) {
        if (s->if_exists) {
            api_session_notice(d->conn, "constraint \"%s\" of domain \"%s\" does not exist, skipping",
                               s->constraint_name, t->name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT,
                         "constraint \"%s\" of domain \"%s\" does not exist", s->constraint_name,
                         t->name);
    }
    if (s->action == ALTER_DOMAIN_ADD_CONSTRAINT) {
        const Constraint *c = s->constraint;
        for (int k = 0; c->name != NULL && k < count; k++) {
            if (strcmp(names[k], c->name) == 0) {
                return error_set(err, SQLSTATE_DUPLICATE_OBJECT,
                                 "constraint \"%s\" for domain \"%s\" already exists", c->name,
                                 t->name);
            }
        }
        names[count] = check_name(d, t->name, names, count, c->name);
        sql[count] = sql_deparse_expr(c->expr, d->a);
        if (names[count] == NULL || sql[count] == NULL) {
            return arena_error(d->a, err);
        }
        BoundExpr *check;
        int rc = expr_bind_domain_check(&d->env, NULL, 0, t->base, sql[count], &check, err);
        if (rc == STRATA_OK) {
            rc = domain_validate(d, t, sql[count], err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        count++;
    }
    t->check_count = count;
    t->check_names = names;
    t->check_sql = sql;
    return catalog_edit_put_type(d->edit, t, err);
}

int api_ddl_alter_domain(Ddl *d, Error *err)
{
    const AlterDomainStmt *s = (const AlterDomainStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "ALTER DOMAIN");
    const char *schema, *name;
    split_name(s->name, &schema, &name);
    const CatType *old = catalog_find_type(d->conn->catalog, schema, name);
    if (old == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
    }
    if (old->typtype != 'd') {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is not a domain", name);
    }
    CatType *t = arena_memdup(d->a, old, sizeof(*old));
    if (t == NULL) {
        return arena_error(d->a, err);
    }
    int rc = STRATA_OK;
    switch (s->action) {
    case ALTER_DOMAIN_ADD_CONSTRAINT:
        if (s->constraint->kind == CONSTRAINT_NOT_NULL) {
            t->not_null = true;
            rc = domain_validate(d, t, NULL, err);
            return rc != STRATA_OK ? rc : catalog_edit_put_type(d->edit, t, err);
        }
        return alter_domain_constraint(d, s, t, err);
    case ALTER_DOMAIN_DROP_CONSTRAINT:
        return alter_domain_constraint(d, s, t, err);
    case ALTER_DOMAIN_SET_NOT_NULL:
        t->not_null = true;
        rc = domain_validate(d, t, NULL, err);
        break;
    case ALTER_DOMAIN_DROP_NOT_NULL:
        t->not_null = false;
        break;
    case ALTER_DOMAIN_SET_DEFAULT:
        t->default_sql = sql_deparse_expr(s->default_expr, d->a);
        rc = t->default_sql == NULL ? arena_error(d->a, err)
                                    : api_ddl_check_default_literal(d, t->base, s->default_expr, err);
        break;
    case ALTER_DOMAIN_DROP_DEFAULT:
        t->default_sql = NULL;
        break;
    }
    return rc != STRATA_OK ? rc : catalog_edit_put_type(d->edit, t, err);
}
