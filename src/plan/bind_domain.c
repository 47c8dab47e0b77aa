/*
 * plan/bind_domain.c - domains (CREATE DOMAIN): casts to a domain and the
 * checks of columns whose type is a domain.
 *
 * A domain's values are of its base type; what makes a value a domain value
 * is passing the domain's NOT NULL and CHECK constraints. A cast x::d is bound
 * as x cast to the base type, wrapped in one internal call per constraint
 * (domain_not_null, domain_check) that returns its first argument or raises
 * PostgreSQL's error: 23502 `domain d does not allow null values`, 23514
 * `value for domain d violates check constraint "c"`. A CHECK is stored as
 * SQL text over VALUE; it is bound over one column named "value", and that
 * column is then replaced by the value being checked. The column checks of
 * INSERT / UPDATE / COPY (bind_constraints in bind_dml.c) bind the same text
 * with VALUE naming the table column.
 *
 * Invariants
 *   1. A domain check expression holds no subquery (refused when bound).
 *
 * See src/plan/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "plan/bind_int.h"
#include "sql/parser.h"
#include "types/cast.h"
#include "types/typeinfo.h"

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

static int domain_not_null_fn(const Value *args, int arg_count, Value *result, FuncContext *ctx,
                              Error *err)
{
    (void)arg_count, (void)ctx;
    if (args[0].is_null) {
        return error_set(err, SQLSTATE_NOT_NULL_VIOLATION, "domain %.*s does not allow null values",
                         (int)args[1].str.len, args[1].str.ptr);
    }
    *result = args[0];
    return STRATA_OK;
}

static int domain_check_fn(const Value *args, int arg_count, Value *result, FuncContext *ctx,
                           Error *err)
{
    (void)arg_count, (void)ctx;
    if (!args[1].is_null && !args[1].b) {
        error_set(err, SQLSTATE_CHECK_VIOLATION,
                  "value for domain %.*s violates check constraint \"%.*s\"",
                  (int)args[2].str.len, args[2].str.ptr, (int)args[3].str.len, args[3].str.ptr);
        snprintf(err->constraint_name, sizeof(err->constraint_name), "%.*s",
                 (int)args[3].str.len, args[3].str.ptr);
        return err->code;
    }
    *result = args[0];
    return STRATA_OK;
}

static const FuncDef DOMAIN_NOT_NULL = {
    .name = "domain_not_null",
    .kind = FUNC_KIND_FUNCTION,
    .arg_count = 2,
    .arg_types = {TYPE_UNKNOWN, TYPE_TEXT},
    .result_type = TYPE_UNKNOWN,
    .fn = domain_not_null_fn,
    .strict = false,
    .volatility = VOLATILITY_IMMUTABLE,
};

static const FuncDef DOMAIN_CHECK = {
    .name = "domain_check",
    .kind = FUNC_KIND_FUNCTION,
    .arg_count = 4,
    .arg_types = {TYPE_UNKNOWN, TYPE_BOOL, TYPE_TEXT, TYPE_TEXT},
    .result_type = TYPE_UNKNOWN,
    .fn = domain_check_fn,
    .strict = false,
    .volatility = VOLATILITY_IMMUTABLE,
};

const CatType *bind_find_domain(Binder *b, const TypeName *tn)
{
    if (tn->array_dims > 0 || tn->typmods.count > 0) {
        return NULL;
    }
    const CatType *t = catalog_find_type(b->env->catalog, tn->schema, tn->name);
    return t != NULL && t->typtype == 'd' ? t : NULL;
}

/* A copy of e with every input column replaced by value (the check's one
 * column, VALUE); NULL when e holds a subquery. */
static Expr *substitute_value(Arena *a, const Expr *e, Expr *value)
{
    if (e->kind == EXPR_COLUMN) {
        return value;
    }
    if (e->kind == EXPR_SUBLINK || e->kind == EXPR_CORR) {
        return NULL;
    }
    Expr *copy = arena_memdup(a, e, sizeof(*e));
    if (copy == NULL || e->arg_count == 0) {
        return copy;
    }
    copy->args = arena_alloc(a, sizeof(Expr *) * (size_t)e->arg_count);
    if (copy->args == NULL) {
        return NULL;
    }
    for (int k = 0; k < e->arg_count; k++) {
        copy->args[k] = e->args[k] != NULL ? substitute_value(a, e->args[k], value) : NULL;
        if (e->args[k] != NULL && copy->args[k] == NULL) {
            return NULL;
        }
    }
    return copy;
}

static int call(Binder *b, const FuncDef *fn, SqlType type, Expr **args, int count, int location,
                Expr **out)
{
    Expr *e = expr_new(b->a, EXPR_FUNC, type, location);
    Expr **copy = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count + 1));
    if (e == NULL || copy == NULL) {
        return arena_error(b->a, b->err);
    }
    memcpy(copy, args, sizeof(Expr *) * (size_t)count);
    e->fn = fn;
    e->args = copy;
    e->arg_count = count;
    *out = e;
    return STRATA_OK;
}

static Expr *text_const(Binder *b, const char *text, int location)
{
    return expr_const(b->a, value_str(TYPE_TEXT, text, (uint32_t)strlen(text)), location);
}

int bind_domain_check_sql(Binder *b, const CatTable *table, int column, const char *sql,
                          Expr **out)
{
    Node *node;
    if (sql_parse_expr(sql, strlen(sql), b->a, &node, b->err) != STRATA_OK) {
        return b->err->code;
    }
    int count = table != NULL ? table->column_count : 1;
    Frame *frame = arena_zalloc(b->a, sizeof(Frame));
    Scope *scope = frame != NULL ? scope_new(b, NULL, frame) : NULL;
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(count + 1));
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(count + 1));
    if (scope == NULL || names == NULL || types == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int c = 0; c < count; c++) {
        /* only VALUE is visible: a domain check reads nothing else */
        names[c] = c == column ? "value" : "";
        types[c] = table != NULL ? table->columns[c].type : b->domain_base;
    }
    if (scope_add(b, scope, "value", count, names, types) == NULL) {
        return arena_error(b->a, b->err);
    }
    const char *saved = b->env->sql;
    int saved_allow = b->allow;
    b->env->sql = NULL;
    b->allow = 0;
    int rc = bind_expr(b, scope, node, out);
    b->allow = saved_allow;
    b->env->sql = saved;
    if (rc == STRATA_OK) {
        rc = coerce_expr(b, *out, sql_type(TYPE_BOOL), CAST_IMPLICIT, NULL, out);
    }
    return rc;
}

int bind_domain_coerce(Binder *b, Expr *value, const CatType *domain, int location, Expr **out)
{
    Expr *e = value;
    Expr *name = text_const(b, domain->name, location);
    if (name == NULL) {
        return arena_error(b->a, b->err);
    }
    if (domain->not_null) {
        Expr *args[2] = {e, name};
        int rc = call(b, &DOMAIN_NOT_NULL, value->type, args, 2, location, &e);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    for (int k = 0; k < domain->check_count; k++) {
        Expr *check;
        SqlType saved = b->domain_base;
        b->domain_base = domain->base;
        int rc = bind_domain_check_sql(b, NULL, 0, domain->check_sql[k], &check);
        b->domain_base = saved;
        if (rc != STRATA_OK) {
            return rc;
        }
        Expr *args[4] = {e, substitute_value(b->a, check, value), name,
                         text_const(b, domain->check_names[k], location)};
        if (args[1] == NULL || args[3] == NULL) {
            return FAIL_AT(location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "cannot use subquery in check constraint");
        }
        if ((rc = call(b, &DOMAIN_CHECK, value->type, args, 4, location, &e)) != STRATA_OK) {
            return rc;
        }
    }
    *out = e;
    return STRATA_OK;
}
