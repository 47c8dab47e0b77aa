/*
 * plan/bind_catalog.c - catalog functions answered at bind time:
 * pg_get_indexdef(oid [, column, pretty]) and pg_get_constraintdef(oid
 * [, pretty]) and pg_get_viewdef(oid [, pretty]), pg_get_partkeydef(oid) and
 * pg_get_partition_constraintdef(oid), which psql's \d calls, and regclass
 * (oid <-> relation name).
 *
 * The functions of types/ have no catalog, but the binder has the statement's
 * catalog snapshot: a call becomes CASE key WHEN <id> THEN '<text>' ... END
 * over the objects of that snapshot, so the answer is consistent with the
 * system views the same statement reads.
 *
 * See src/plan/README.md.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/partition.h"
#include "plan/bind_int.h"
#include "sql/parser.h"
#include "types/array.h"
#include "types/cast.h"
#include "types/enumtype.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

static int nomem(Binder *b)
{
    return arena_error(b->a, b->err);
}

/* Collected (key, text) pairs of one lookup. */
typedef struct Lookup {
    int64_t *keys;
    const char **texts;
    int count, capacity;
} Lookup;

static int lookup_add(Binder *b, Lookup *l, int64_t key, const char *text)
{
    if (text == NULL) {
        return nomem(b);
    }
    if (l->count == l->capacity) {
        int cap = l->capacity ? l->capacity * 2 : 16;
        int64_t *keys = arena_realloc(b->a, l->keys, sizeof(int64_t) * (size_t)l->capacity,
                                      sizeof(int64_t) * (size_t)cap);
        const char **texts = arena_realloc(b->a, l->texts, sizeof(char *) * (size_t)l->capacity,
                                           sizeof(char *) * (size_t)cap);
        if (keys == NULL || texts == NULL) {
            return nomem(b);
        }
        l->keys = keys;
        l->texts = texts;
        l->capacity = cap;
    }
    l->keys[l->count] = key;
    l->texts[l->count++] = text;
    return STRATA_OK;
}

/* CASE WHEN key = k1 THEN t1 ... END (NULL when nothing matches). */
static int lookup_case(Binder *b, Expr *key, const Lookup *l, int location, Expr **out)
{
    if (l->count == 0) {
        *out = expr_const(b->a, value_null(sql_type(TYPE_TEXT)), location);
        return *out == NULL ? nomem(b) : STRATA_OK;
    }
    Expr *e = expr_new(b->a, EXPR_CASE, sql_type(TYPE_TEXT), location);
    if (e == NULL ||
        (e->args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(2 * l->count + 1))) == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < l->count; k++) {
        Expr *id = expr_const(b->a, value_i64(TYPE_INT8, l->keys[k]), location);
        Expr *text = expr_const(
            b->a, value_str(TYPE_TEXT, l->texts[k], (uint32_t)strlen(l->texts[k])), location);
        Expr *left = key, *cond;
        if (id == NULL || text == NULL) {
            return nomem(b);
        }
        int rc = resolve_oper(b, "=", &left, &id, location, &cond);
        if (rc != STRATA_OK) {
            return rc;
        }
        e->args[e->arg_count++] = cond;
        e->args[e->arg_count++] = text;
    }
    *out = e;
    return STRATA_OK;
}

/* Binds the first count arguments of fc, each cast implicitly to type. */
static int bind_args_as(Binder *b, Scope *scope, const FuncCall *fc, int count, TypeId type,
                        Expr **args)
{
    for (int k = 0; k < count; k++) {
        int rc = bind_expr(b, scope, fc->args.items[k], &args[k]);
        if (rc == STRATA_OK) {
            rc = coerce_expr(b, args[k], sql_type(type), CAST_IMPLICIT, NULL, &args[k]);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int bind_int8_args(Binder *b, Scope *scope, const FuncCall *fc, int count, Expr **args)
{
    return bind_args_as(b, scope, fc, count, TYPE_INT8, args);
}

static const char *index_key_text(Binder *b, const CatTable *t, const CatIndex *idx, int k)
{
    if (k >= idx->key_count) {
        return sql_quote_identifier(t->columns[idx->include_columns[k - idx->key_count]].name,
                                    b->a);
    }
    return idx->key_columns[k] >= 0
               ? sql_quote_identifier(t->columns[idx->key_columns[k]].name, b->a)
               : arena_sprintf(b->a, "(%s)", idx->key_sql[k]);
}

static const char *index_def_text(Binder *b, const CatTable *t, const CatIndex *idx)
{
    char *cols = arena_strdup(b->a, "");
    for (int j = 0; cols != NULL && j < idx->key_count; j++) {
        cols = arena_sprintf(b->a, "%s%s%s%s", cols, j ? ", " : "", index_key_text(b, t, idx, j),
                             idx->key_descending != NULL && idx->key_descending[j] ? " DESC" : "");
    }
    char *include = arena_strdup(b->a, "");
    for (int j = 0; include != NULL && j < idx->include_count; j++) {
        include = arena_sprintf(b->a, "%s%s%s", include, j ? ", " : "",
                                index_key_text(b, t, idx, idx->key_count + j));
    }
    if (cols == NULL || include == NULL) {
        return NULL;
    }
    return arena_sprintf(b->a, "CREATE %sINDEX %s ON %s.%s USING %s (%s)%s%s%s%s%s",
                         idx->unique ? "UNIQUE " : "", idx->name, t->schema, t->name,
                         idx->am_name != NULL ? idx->am_name : "btree", cols,
                         idx->include_count ? " INCLUDE (" : "", include,
                         idx->include_count ? ")" : "", idx->predicate_sql != NULL ? " WHERE " : "",
                         idx->predicate_sql != NULL ? idx->predicate_sql : "");
}

/* pg_get_indexdef(index oid): the CREATE INDEX statement;
 * pg_get_indexdef(index oid, column, pretty): column 0 the statement, column
 * k > 0 the k-th index column's text (key = oid * 65536 + column). */
int bind_indexdef_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    int count = fc->args.count;
    if (count != 1 && count != 3) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION,
                       "function pg_get_indexdef does not exist");
    }
    Expr *args[2];
    int rc = bind_int8_args(b, scope, fc, count == 3 ? 2 : 1, args);
    if (rc != STRATA_OK) {
        return rc;
    }
    Expr *key = args[0];
    if (count == 3) {
        Expr *scale = expr_const(b->a, value_i64(TYPE_INT8, 65536), fc->location), *scaled;
        if (scale == NULL) {
            return nomem(b);
        }
        if ((rc = resolve_oper(b, "*", &args[0], &scale, fc->location, &scaled)) != STRATA_OK ||
            (rc = resolve_oper(b, "+", &scaled, &args[1], fc->location, &key)) != STRATA_OK) {
            return rc;
        }
    }
    const Catalog *c = b->env->catalog;
    Lookup l = {0};
    for (int k = 0; k < catalog_table_count(c) && rc == STRATA_OK; k++) {
        const CatTable *t = catalog_table_at(c, k);
        for (int x = 0; x < t->index_count && rc == STRATA_OK; x++) {
            const CatIndex *idx = t->indexes[x];
            int64_t base = count == 3 ? (int64_t)idx->id * 65536 : (int64_t)idx->id;
            rc = lookup_add(b, &l, base, index_def_text(b, t, idx));
            for (int col = 0;
                 count == 3 && rc == STRATA_OK && col < idx->key_count + idx->include_count;
                 col++) {
                rc = lookup_add(b, &l, base + col + 1, index_key_text(b, t, idx, col));
            }
        }
    }
    return rc != STRATA_OK ? rc : lookup_case(b, key, &l, fc->location, out);
}

/* pg_get_constraintdef(constraint oid [, pretty]) over pg_constraint's rows. */
/* A domain CHECK as pg_get_constraintdef shows it: CHECK (VALUE > 0), the
 * stored text's outer parentheses being the CHECK's own and the word value
 * (outside string literals and quoted names) in capitals, as PostgreSQL
 * prints the VALUE placeholder. */
static const char *domain_check_def(Arena *a, const char *sql)
{
    size_t len = strlen(sql);
    bool wrapped = len >= 2 && sql[0] == '(' && sql[len - 1] == ')';
    char *def = arena_sprintf(a, wrapped ? "CHECK %s" : "CHECK (%s)", sql);
    char quote = 0;
    for (char *p = def + 6; def != NULL && *p != '\0'; p++) {
        if (quote != 0) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (strncmp(p, "value", 5) == 0 && !isalnum((unsigned char)p[-1]) &&
                   p[-1] != '_' && !isalnum((unsigned char)p[5]) && p[5] != '_') {
            memcpy(p, "VALUE", 5);
            p += 4;
        }
    }
    return def;
}

/* The oid argument of a one-oid catalog function (most = 2: an ignored second one,
 * as pg_get_viewdef's pretty flag): 42883 for another count, the oid as int8. */
static int bind_oid_arg(Binder *b, Scope *scope, const FuncCall *fc, int most, Expr **key)
{
    if (fc->args.count < 1 || fc->args.count > most) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION, "function %s does not exist",
                       fc->name.items[fc->name.count - 1]);
    }
    return bind_int8_args(b, scope, fc, 1, key);
}

int bind_constraintdef_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    Expr *key;
    int rc = bind_oid_arg(b, scope, fc, 2, &key);
    if (rc != STRATA_OK) {
        return rc;
    }
    const Catalog *c = b->env->catalog;
    Lookup l = {0};
    for (int k = 0; k < catalog_table_count(c) && rc == STRATA_OK; k++) {
        const CatTable *t = catalog_table_at(c, k);
        for (int n = 0; n < t->constraint_count && rc == STRATA_OK; n++) {
            rc = lookup_add(b, &l, (int64_t)catalog_constraint_oid(t, n),
                            catalog_constraint_def(b->a, c, t, n));
        }
    }
    for (int k = 0; k < catalog_type_count(c) && rc == STRATA_OK; k++) {
        const CatType *t = catalog_type_at(c, k);
        for (int n = 0; n < t->check_count && rc == STRATA_OK; n++) {
            const char *def = domain_check_def(b->a, t->check_sql[n]);
            rc = def == NULL ? nomem(b)
                             : lookup_add(b, &l, (int64_t)catalog_domain_constraint_oid(t, n), def);
        }
    }
    return rc != STRATA_OK ? rc : lookup_case(b, key, &l, fc->location, out);
}

/* pg_get_partkeydef(table oid) and pg_get_partition_constraintdef(table oid):
 * a partitioned table's key, a partition's implied constraint (plan/partition.c). */
int bind_partition_text_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    const char *name = fc->name.items[fc->name.count - 1];
    bool is_key = strcmp(name, "pg_get_partkeydef") == 0;
    Expr *key;
    int rc = bind_oid_arg(b, scope, fc, 1, &key);
    const Catalog *c = b->env->catalog;
    Lookup l = {0};
    for (int k = 0; k < catalog_table_count(c) && rc == STRATA_OK; k++) {
        const CatTable *t = catalog_table_at(c, k);
        bool has = is_key ? t->partition_key != NULL
                          : t->partition_bound != NULL && !t->partition_bound->is_default;
        const char *text = !has ? NULL
                           : is_key ? partition_key_text(t, b->a)
                                    : plan_partition_constraint_text(c, t, b->a);
        if (has && (text != NULL || is_key)) {
            rc = lookup_add(b, &l, (int64_t)t->id, text);
        }
    }
    return rc != STRATA_OK ? rc : lookup_case(b, key, &l, fc->location, out);
}

/* pg_table_is_visible(oid): whether the relation is found first by its bare name in
 * the session's search path (psql's \d lists only those: another session's
 * temporary tables and tables of schemas outside the path are not). */
int bind_table_visible_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    Expr *key;
    int rc = bind_oid_arg(b, scope, fc, 1, &key);
    const Catalog *c = b->env->catalog;
    Lookup l = {0};
    for (int k = 0; k < catalog_table_count(c) && rc == STRATA_OK; k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (strcmp(t->schema, "pg_catalog") != 0 && catalog_find_table(c, NULL, t->name) != t) {
            rc = lookup_add(b, &l, (int64_t)t->id, "f");
        }
    }
    Expr *e = NULL;
    if (rc == STRATA_OK) {
        rc = lookup_case(b, key, &l, fc->location, &e);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Expr *yes = expr_const(b->a, value_bool(true), fc->location);
    if (yes == NULL) {
        return nomem(b);
    }
    if (e->kind != EXPR_CASE) {
        *out = yes; /* every relation is visible */
        return STRATA_OK;
    }
    /* CASE oid WHEN <hidden> THEN false ... ELSE true END */
    for (int k = 1; k < e->arg_count; k += 2) {
        if ((e->args[k] = expr_const(b->a, value_bool(false), fc->location)) == NULL) {
            return nomem(b);
        }
    }
    e->type = sql_type(TYPE_BOOL);
    e->args[e->arg_count++] = yes;
    e->has_else = true;
    *out = e;
    return STRATA_OK;
}

static Expr *text_const(Binder *b, const char *text, int location)
{
    return expr_const(b->a, value_str(TYPE_TEXT, text, (uint32_t)strlen(text)), location);
}

/* arg = 'text' */
static int text_equals(Binder *b, Expr *arg, const char *text, int location, Expr **out)
{
    Expr *left = arg, *right = text_const(b, text, location);
    if (right == NULL) {
        return nomem(b);
    }
    return resolve_oper(b, "=", &left, &right, location, out);
}

static Expr *bool_pair(Binder *b, ExprKind kind, Expr *x, Expr *y, int location)
{
    Expr *e = expr_new(b->a, kind, sql_type(TYPE_BOOL), location);
    if (e == NULL || (e->args = arena_alloc(b->a, sizeof(Expr *) * 2)) == NULL) {
        return NULL;
    }
    e->args[0] = x;
    e->args[1] = y;
    e->arg_count = 2;
    return e;
}

/* pg_get_serial_sequence(table, column): the qualified name of the sequence a
 * serial or identity column draws from, NULL if none (ORMs' reflection asks).
 * The table may be named bare or schema-qualified. */
int bind_serial_sequence_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    if (fc->args.count != 2) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION,
                       "function pg_get_serial_sequence does not exist");
    }
    Expr *args[2];
    int rc0 = bind_args_as(b, scope, fc, 2, TYPE_TEXT, args);
    if (rc0 != STRATA_OK) {
        return rc0;
    }
    const Catalog *c = b->env->catalog;
    int loc = fc->location;
    int n = 0;
    for (int k = 0; k < catalog_sequence_count(c); k++) {
        n += catalog_sequence_at(c, k)->owner_table_id != 0;
    }
    if (n == 0) {
        *out = expr_const(b->a, value_null(sql_type(TYPE_TEXT)), loc);
        return *out == NULL ? nomem(b) : STRATA_OK;
    }
    Expr *e = expr_new(b->a, EXPR_CASE, sql_type(TYPE_TEXT), loc);
    if (e == NULL || (e->args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(2 * n + 1))) == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < catalog_sequence_count(c); k++) {
        const CatSequence *s = catalog_sequence_at(c, k);
        const CatTable *t = s->owner_table_id ? catalog_table_by_id(c, s->owner_table_id) : NULL;
        if (t == NULL || s->owner_column < 0 || s->owner_column >= t->column_count) {
            continue;
        }
        const char *qualified = arena_sprintf(b->a, "%s.%s", t->schema, t->name);
        const char *seq = arena_sprintf(b->a, "%s.%s", s->schema, s->name);
        Expr *bare, *qual, *col;
        int rc = qualified == NULL || seq == NULL ? nomem(b) : text_equals(b, args[0], t->name, loc, &bare);
        if (rc == STRATA_OK) {
            rc = text_equals(b, args[0], qualified, loc, &qual);
        }
        if (rc == STRATA_OK) {
            rc = text_equals(b, args[1], t->columns[s->owner_column].name, loc, &col);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        Expr *either = bool_pair(b, EXPR_OR, bare, qual, loc);
        Expr *cond = either == NULL ? NULL : bool_pair(b, EXPR_AND, either, col, loc);
        Expr *then = text_const(b, seq, loc);
        if (cond == NULL || then == NULL) {
            return nomem(b);
        }
        e->args[e->arg_count++] = cond;
        e->args[e->arg_count++] = then;
    }
    *out = e;
    return STRATA_OK;
}

/* current_schema() / current_schemas(include_implicit): the existing schemas of the
 * session's search path, the first one or all as a name array (pg_catalog first
 * when implicit ones are asked for, as PostgreSQL lists it). The session's
 * temporary schema counts only when asked for implicit ones. Constants of the
 * statement's catalog snapshot. */
int bind_current_schema_call(Binder *b, Scope *scope, const FuncCall *fc, bool all, Expr **out)
{
    const char *name = all ? "current_schemas" : "current_schema";
    if (fc->args.count != (all ? 1 : 0)) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION, "function %s does not exist",
                       name);
    }
    bool implicit = false;
    if (all) {
        Expr *arg;
        int rc = bind_args_as(b, scope, fc, 1, TYPE_BOOL, &arg);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (arg->kind != EXPR_CONST) {
            return FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "current_schemas() needs a constant argument");
        }
        implicit = !arg->value.is_null && arg->value.b;
    }
    const Catalog *c = b->env->catalog;
    const char *const *path;
    int count = catalog_search_path(&path);
    StrRef names[18];
    int n = 0;
    if (implicit) {
        names[n++] = (StrRef){"pg_catalog", 10};
    }
    for (int k = 0; k < count && n < 17; k++) {
        bool temp = strncmp(path[k], "pg_temp_", 8) == 0;
        if ((temp && !implicit) || catalog_find_schema(c, path[k]) == NULL) {
            continue;
        }
        names[n++] = (StrRef){path[k], (uint32_t)strlen(path[k])};
    }
    Value v;
    if (!all) {
        v = n > 0 ? value_str(TYPE_TEXT, names[0].ptr, names[0].len) : value_null(sql_type(TYPE_TEXT));
    } else {
        Value items[18];
        for (int k = 0; k < n; k++) {
            items[k] = value_str(TYPE_TEXT, names[k].ptr, names[k].len);
        }
        StrRef bytes;
        if (array_encode(TYPE_TEXT, items, n, b->a, &bytes, b->err) != STRATA_OK) {
            return bind_error_pos(b, fc->location);
        }
        v = value_str(type_array_of(TYPE_TEXT), bytes.ptr, bytes.len);
    }
    *out = expr_const(b->a, v, fc->location);
    return *out == NULL ? nomem(b) : STRATA_OK;
}

/* pg_get_viewdef(view oid [, pretty]): the view's query text (strata keeps
 * the SQL as written, PostgreSQL prints its deparsed query). */
int bind_viewdef_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    Expr *key;
    int rc = bind_oid_arg(b, scope, fc, 2, &key);
    if (rc != STRATA_OK) {
        return rc;
    }
    const Catalog *c = b->env->catalog;
    Lookup l = {0};
    for (int k = 0; k < catalog_table_count(c) && rc == STRATA_OK; k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (t->view_sql != NULL) { /* views and materialized views */
            rc = lookup_add(b, &l, (int64_t)t->id, t->view_sql);
        }
    }
    return rc != STRATA_OK ? rc : lookup_case(b, key, &l, fc->location, out);
}

/* pg_get_userbyid(role oid): the role's name, PostgreSQL's "unknown (OID=n)" for
 * an id that names no role. */
int bind_userbyid_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    Expr *key;
    int rc = bind_oid_arg(b, scope, fc, 1, &key);
    if (rc != STRATA_OK) {
        return rc;
    }
    const Catalog *c = b->env->catalog;
    Lookup l = {0};
    for (int k = 0; k < catalog_role_count(c) && rc == STRATA_OK; k++) {
        const CatRole *role = catalog_role_at(c, k);
        rc = lookup_add(b, &l, (int64_t)role->id, role->name);
    }
    Expr *name;
    if (rc != STRATA_OK || (rc = lookup_case(b, key, &l, fc->location, &name)) != STRATA_OK) {
        return rc;
    }
    /* coalesce(name, 'unknown (OID=' || key || ')') */
    Expr *number, *e = expr_new(b->a, EXPR_COALESCE, sql_type(TYPE_TEXT), fc->location);
    if (e == NULL || (e->args = arena_zalloc(b->a, sizeof(Expr *) * 2)) == NULL) {
        return nomem(b);
    }
    if ((rc = coerce_expr(b, key, sql_type(TYPE_TEXT), CAST_EXPLICIT, NULL, &number)) != STRATA_OK) {
        return rc;
    }
    Expr *prefix = expr_const(b->a, value_str(TYPE_TEXT, "unknown (OID=", 13), fc->location);
    Expr *suffix = expr_const(b->a, value_str(TYPE_TEXT, ")", 1), fc->location);
    Expr *left;
    if (prefix == NULL || suffix == NULL ||
        (rc = resolve_oper(b, "||", &prefix, &number, fc->location, &left)) != STRATA_OK ||
        (rc = resolve_oper(b, "||", &left, &suffix, fc->location, &e->args[1])) != STRATA_OK) {
        return rc != STRATA_OK ? rc : nomem(b);
    }
    e->args[0] = name;
    e->arg_count = 2;
    *out = e;
    return STRATA_OK;
}

/* The text of a constant argument (NULL if it is not a constant text). */
static const char *constant_text(Binder *b, Expr *e)
{
    e = fold_constants(b, e);
    if (e == NULL || e->kind != EXPR_CONST || e->value.is_null || !type_is_string(e->value.type.id)) {
        return NULL;
    }
    return arena_strndup(b->a, e->value.str.ptr, e->value.str.len);
}

/* "SELECT, INSERT" / "select with grant option": CAT_PRIV_* bits, 22023 otherwise. */
static int privilege_mask(Binder *b, const char *text, uint32_t *privs, bool *grant_option)
{
    static const PrivName names[] = {
        {"select", CAT_PRIV_SELECT},     {"insert", CAT_PRIV_INSERT},
        {"update", CAT_PRIV_UPDATE},     {"delete", CAT_PRIV_DELETE},
        {"truncate", CAT_PRIV_TRUNCATE}, {"references", CAT_PRIV_REFERENCES},
        {"trigger", CAT_PRIV_TRIGGER}};
    return bind_privilege_words(b, text, names, (int)(sizeof(names) / sizeof(names[0])), privs,
                                grant_option);
}

static bool role_holds(const Catalog *c, const CatTable *t, uint64_t role, bool superuser,
                       uint32_t privs, bool grant_option)
{
    if (superuser || catalog_table_owned_by(c, t, role)) {
        return true;
    }
    /* the owner holds every privilege; others what was granted to them, to PUBLIC or to
     * a role whose privileges they inherit */
    uint32_t held = 0;
    for (int k = 0; k < t->acl_count; k++) {
        uint64_t grantee = t->acl[k].grantee;
        if (grantee == 0 || catalog_role_has_privs_of(c, role, grantee)) {
            held |= grant_option ? t->acl[k].grant_options : t->acl[k].privileges;
        }
    }
    return (held & privs) != 0; /* a list asks for any of its privileges, as PostgreSQL */
}

/* has_table_privilege([role,] table, privilege): the role (the session's by default)
 * and the privilege must be constants; the table a name (42P01 if none) or an oid,
 * possibly a column (pg_class.oid), looked up per relation (NULL for no relation). */
int bind_table_privilege_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    int n = fc->args.count;
    if (n != 2 && n != 3) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION,
                       "function has_table_privilege does not exist");
    }
    Expr *args[3];
    for (int k = 0; k < n; k++) {
        int rc = bind_expr(b, scope, fc->args.items[k], &args[k]);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (args[k]->type.id == TYPE_UNKNOWN &&
            (rc = coerce_expr(b, args[k], sql_type(TYPE_TEXT), CAST_IMPLICIT, NULL, &args[k])) !=
                STRATA_OK) {
            return rc;
        }
    }
    const Catalog *c = b->env->catalog;
    uint64_t role = b->env->role_id != 0 ? b->env->role_id : CAT_ID_BOOTSTRAP_ROLE;
    bool superuser = b->env->role_id == 0 || b->env->is_superuser;
    bool session_role = args[0]->kind == EXPR_SQL_VALUE &&
                        (args[0]->sql_value == SQL_VALUE_CURRENT_USER ||
                         args[0]->sql_value == SQL_VALUE_CURRENT_ROLE ||
                         args[0]->sql_value == SQL_VALUE_SESSION_USER || args[0]->sql_value == SQL_VALUE_USER);
    if (n == 3 && !session_role) {
        const char *name = constant_text(b, args[0]);
        const CatRole *r = name != NULL ? catalog_find_role(c, name) : NULL;
        if (name == NULL) {
            return FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "has_table_privilege needs a constant role name");
        }
        if (r == NULL) {
            return error_set(b->err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
        }
        role = r->id;
        superuser = r->superuser;
    }
    const char *priv_text = constant_text(b, args[n - 1]);
    if (priv_text == NULL) {
        return FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "has_table_privilege needs a constant privilege");
    }
    uint32_t privs;
    bool grant_option;
    int rc = privilege_mask(b, priv_text, &privs, &grant_option);
    if (rc != STRATA_OK) {
        return rc;
    }
    Expr *table = args[n - 2];
    if (type_is_string(table->type.id)) {
        const char *text = constant_text(b, table);
        if (text == NULL) {
            return FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "has_table_privilege needs a constant relation name");
        }
        const char *dot = strchr(text, '.');
        char *schema = dot != NULL ? arena_strndup(b->a, text, (size_t)(dot - text)) : NULL;
        const CatTable *t = catalog_find_table(c, schema, dot != NULL ? dot + 1 : text);
        if (t == NULL) {
            return error_set(b->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", text);
        }
        *out = expr_const(b->a, value_bool(role_holds(c, t, role, superuser, privs, grant_option)),
                          fc->location);
        return *out == NULL ? nomem(b) : STRATA_OK;
    }
    if ((rc = coerce_expr(b, table, sql_type(TYPE_INT8), CAST_IMPLICIT, NULL, &table)) != STRATA_OK) {
        return rc;
    }
    Lookup l = {0};
    for (int k = 0; k < catalog_table_count(c) && rc == STRATA_OK; k++) {
        const CatTable *t = catalog_table_at(c, k);
        rc = lookup_add(b, &l, (int64_t)t->id,
                        role_holds(c, t, role, superuser, privs, grant_option) ? "true" : "false");
    }
    Expr *text;
    if (rc != STRATA_OK || (rc = lookup_case(b, table, &l, fc->location, &text)) != STRATA_OK) {
        return rc;
    }
    return coerce_expr(b, text, sql_type(TYPE_BOOL), CAST_EXPLICIT, NULL, out);
}

/* ---- regclass ---- */

static bool is_type_named(const TypeName *tn, const char *name)
{
    if (tn == NULL || tn->array_dims > 0) {
        return false;
    }
    const char *bare = strncmp(tn->name, "pg_catalog.", 11) == 0 ? tn->name + 11 : tn->name;
    return strcmp(bare, name) == 0;
}

bool bind_is_regclass(const Cast *c)
{
    return is_type_named(c->type, "regclass");
}

/* x::regclass, or x::regclass::text, with x not an untyped literal. */
const Cast *bind_regclass_output(const Node *node)
{
    if (node == NULL || node->tag != N_CAST) {
        return NULL;
    }
    const Cast *c = (const Cast *)node;
    if (is_type_named(c->type, "text") && c->arg->tag == N_CAST) {
        c = (const Cast *)c->arg;
    }
    if ((!is_type_named(c->type, "regclass") && !is_type_named(c->type, "regtype")) ||
        c->arg->tag == N_CONST) {
        return NULL;
    }
    return c;
}

static const char *relation_name(Binder *b, const char *schema, const char *name)
{
    const char *quoted = sql_quote_identifier(name, b->a);
    if (quoted == NULL || strcmp(schema, "public") == 0 || strcmp(schema, "pg_catalog") == 0) {
        return quoted;
    }
    const char *qs = sql_quote_identifier(schema, b->a);
    return qs != NULL ? arena_sprintf(b->a, "%s.%s", qs, quoted) : NULL;
}

/* regclass's output function: the relation's name (schema-qualified outside
 * public), or the number itself for an oid that names no relation; regtype's
 * likewise the type's name ("$regtype_text"). Strata keeps reg* values as
 * bigint, so a regclass or regtype shown to a client (a target of a select
 * list, psql's `conrelid::pg_catalog.regclass AS ontable`) is bound as this
 * lookup; elsewhere ::regclass stays the number. */
int bind_regclass_name(Binder *b, Scope *scope, const Cast *cast, Expr **out)
{
    if (is_type_named(cast->type, "regtype")) {
        /* regtype's output (asyncpg's `elemtype::regtype::text`): the type's name */
        FuncCall *call = AST_NEW(b->a, FuncCall, N_FUNC_CALL, cast->location);
        if (call == NULL || name_list_append(b->a, &call->name, "$regtype_text") ||
            node_list_append(b->a, &call->args, cast->arg)) {
            return nomem(b);
        }
        return bind_expr(b, scope, (const Node *)call, out);
    }
    Expr *key;
    int rc = bind_expr(b, scope, cast->arg, &key);
    if (rc == STRATA_OK) {
        rc = coerce_expr(b, key, sql_type(TYPE_INT8), CAST_IMPLICIT, NULL, &key);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    const Catalog *c = b->env->catalog;
    Lookup l = {0};
    for (int k = 0; k < catalog_table_count(c) && rc == STRATA_OK; k++) {
        const CatTable *t = catalog_table_at(c, k);
        rc = lookup_add(b, &l, (int64_t)t->id, relation_name(b, t->schema, t->name));
        for (int x = 0; x < t->index_count && rc == STRATA_OK; x++) {
            rc = lookup_add(b, &l, (int64_t)t->indexes[x]->id,
                            relation_name(b, t->schema, t->indexes[x]->name));
        }
    }
    for (int k = 0; k < catalog_sequence_count(c) && rc == STRATA_OK; k++) {
        const CatSequence *s = catalog_sequence_at(c, k);
        rc = lookup_add(b, &l, (int64_t)s->id, relation_name(b, s->schema, s->name));
    }
    Expr *name;
    if (rc != STRATA_OK || (rc = lookup_case(b, key, &l, cast->location, &name)) != STRATA_OK) {
        return rc;
    }
    /* unknown oids print as their number */
    Expr *number, *e = expr_new(b->a, EXPR_COALESCE, sql_type(TYPE_TEXT), cast->location);
    if (e == NULL || (e->args = arena_zalloc(b->a, sizeof(Expr *) * 2)) == NULL) {
        return nomem(b);
    }
    if ((rc = coerce_expr(b, key, sql_type(TYPE_TEXT), CAST_EXPLICIT, NULL, &number)) !=
        STRATA_OK) {
        return rc;
    }
    e->args[0] = name;
    e->args[1] = number;
    e->arg_count = 2;
    *out = e;
    return STRATA_OK;
}

/* 'items'::regclass: the oid of the named relation (42P01 if none); a
 * numeric literal is the oid itself. */
int bind_regtype_literal(Binder *b, const Const *literal, int location, Expr **out)
{
    const char *text = literal->text != NULL ? literal->text : "";
    SqlType type;
    if (type_from_name(text, NULL, 0, &type, b->err) != STRATA_OK) {
        return bind_error_pos(b, location);
    }
    int64_t oid = (int64_t)type_value_oid(type);
    *out = expr_const(b->a, value_i64(TYPE_INT8, oid), location);
    return *out == NULL ? nomem(b) : STRATA_OK;
}

/* enum_first(x), enum_last(x), enum_range(x), enum_range(lo, hi) over x's enum
 * type: constants from the statement's catalog (the values of the arguments
 * other than enum_range's bounds do not matter, as in PostgreSQL).
 * enum_range gives an array of the enum (mood[]), as PostgreSQL's anyarray. */
int bind_enum_call(Binder *b, const char *name, Expr **args, int arg_count, int location,
                   Expr **out)
{
    const CatType *t = catalog_type_by_id(b->env->catalog, (uint64_t)args[0]->type.typmod);
    if (t == NULL) {
        return FAIL_AT(location, SQLSTATE_UNDEFINED_OBJECT, "type with OID %d does not exist",
                       (int)args[0]->type.typmod);
    }
    if (strcmp(name, "enum_range") != 0) {
        if (t->label_count == 0) {
            *out = expr_const(b->a, value_null(args[0]->type), location);
            return *out == NULL ? nomem(b) : STRATA_OK;
        }
        int at = strcmp(name, "enum_first") == 0 ? 0 : t->label_count - 1;
        Value v = value_null(args[0]->type);
        v.is_null = false;
        if (enum_value_encode(t->label_keys[at], t->labels[at], strlen(t->labels[at]), b->a,
                              &v.str, b->err) != STRATA_OK) {
            return bind_error_pos(b, location);
        }
        *out = expr_const(b->a, v, location);
        return *out == NULL ? nomem(b) : STRATA_OK;
    }
    int first = 0, last = t->label_count - 1;
    for (int bound = 0; bound < arg_count && arg_count == 2; bound++) {
        if (args[bound]->kind != EXPR_CONST) {
            return FAIL_AT(location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "enum_range bounds must be constants");
        }
        if (args[bound]->value.is_null) {
            continue;
        }
        StrRef label = enum_value_label(args[bound]->value.str);
        for (int k = 0; k < t->label_count; k++) {
            if (strlen(t->labels[k]) == label.len && memcmp(t->labels[k], label.ptr, label.len) == 0) {
                *(bound == 0 ? &first : &last) = k;
            }
        }
    }
    Value *labels = arena_zalloc(b->a, sizeof(Value) * (size_t)(t->label_count + 1));
    Value v = value_null(sql_type_mod(TYPE_ENUM_ARRAY, (int32_t)t->id));
    if (labels == NULL) {
        return nomem(b);
    }
    int count = 0;
    for (int k = first; k <= last; k++) {
        Value *label = &labels[count++];
        *label = value_null(args[0]->type);
        label->is_null = false;
        if (enum_value_encode(t->label_keys[k], t->labels[k], strlen(t->labels[k]), b->a,
                              &label->str, b->err) != STRATA_OK) {
            return bind_error_pos(b, location);
        }
    }
    if (array_encode(TYPE_ENUM, labels, count, b->a, &v.str, b->err) != STRATA_OK) {
        return bind_error_pos(b, location);
    }
    v.is_null = false;
    *out = expr_const(b->a, v, location);
    return *out == NULL ? nomem(b) : STRATA_OK;
}

int bind_regclass_literal(Binder *b, const Const *literal, int location, Expr **out)
{
    const char *text = literal->text != NULL ? literal->text : "";
    bool numeric = text[0] != '\0';
    for (const char *p = text; *p != '\0'; p++) {
        numeric &= *p >= '0' && *p <= '9';
    }
    int64_t oid = -1;
    if (numeric) {
        oid = strtoll(text, NULL, 10);
    } else {
        const char *dot = strchr(text, '.');
        char *schema = dot != NULL ? arena_strndup(b->a, text, (size_t)(dot - text)) : NULL;
        const char *name = dot != NULL ? dot + 1 : text;
        const CatTable *owner = NULL;
        const CatTable *t = catalog_find_table(b->env->catalog, schema, name);
        const CatIndex *idx =
            t == NULL ? catalog_find_index(b->env->catalog, schema, name, &owner) : NULL;
        const CatSequence *seq = t == NULL && idx == NULL
                                     ? catalog_find_sequence(b->env->catalog, schema, name)
                                     : NULL;
        if (t == NULL && idx == NULL && seq == NULL) {
            return FAIL_AT(location, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                           text);
        }
        oid = t != NULL ? (int64_t)t->id : idx != NULL ? (int64_t)idx->id : (int64_t)seq->id;
    }
    *out = expr_const(b->a, value_i64(TYPE_INT8, oid), location);
    return *out == NULL ? nomem(b) : STRATA_OK;
}
