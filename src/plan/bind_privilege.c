/*
 * plan/bind_privilege.c - privilege inquiry functions answered from the catalog at bind
 * time: pg_has_role([user,] role, privilege), has_schema_privilege,
 * has_sequence_privilege, has_column_privilege; and the privilege check of nextval /
 * currval / setval.
 *
 * Like has_table_privilege (bind_catalog.c), the roles and the privilege must be
 * constants (names, or current_user and friends) and the answer is a constant of the
 * plan: a plan is made again when the catalog (grants, memberships) or the session's
 * role changes, so the constant never outlives what it was computed from.
 * Membership rules: catalog.h (catalog_role_has_privs_of and friends).
 */
#include <string.h>
#include <strings.h>

#include "plan/bind_int.h"
#include "sql/parser.h"
#include "types/cast.h"
#include "types/typeinfo.h"

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

static int nomem(Binder *b)
{
    return arena_error(b->a, b->err);
}

static bool is_session_role(const Expr *e)
{
    return e->kind == EXPR_SQL_VALUE &&
           (e->sql_value == SQL_VALUE_CURRENT_USER || e->sql_value == SQL_VALUE_CURRENT_ROLE ||
            e->sql_value == SQL_VALUE_SESSION_USER || e->sql_value == SQL_VALUE_USER);
}

/* The role named by e: a constant name or oid, or current_user (the session's role). */
static int role_arg(Binder *b, Expr *e, const char *fn, int location, const CatRole **out)
{
    const Catalog *c = b->env->catalog;
    uint64_t current = b->env->role_id != 0 ? b->env->role_id : CAT_ID_BOOTSTRAP_ROLE;
    if (is_session_role(e)) {
        *out = catalog_role_by_id(c, current);
        return STRATA_OK;
    }
    Expr *folded = fold_constants(b, e);
    if (folded == NULL || folded->kind != EXPR_CONST || folded->value.is_null) {
        return FAIL_AT(location, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s needs a constant role", fn);
    }
    if (type_is_string(folded->value.type.id)) {
        char *name = arena_strndup(b->a, folded->value.str.ptr, folded->value.str.len);
        if (name == NULL) {
            return nomem(b);
        }
        *out = catalog_find_role(c, name);
        if (*out == NULL) {
            return error_set(b->err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
        }
        return STRATA_OK;
    }
    *out = catalog_role_by_id(c, (uint64_t)folded->value.i64);
    return STRATA_OK;
}

/* The next comma-separated word of a privilege list at *p ("usage, create with
 * grant option"), blanks trimmed: *word and *length; false at the end. */
static bool next_privilege_word(const char **p, const char **word, size_t *length)
{
    for (;;) {
        while (**p == ' ' || **p == ',') {
            (*p)++;
        }
        if (**p == '\0') {
            return false;
        }
        const char *start = *p;
        while (**p != '\0' && **p != ',') {
            (*p)++;
        }
        size_t n = (size_t)(*p - start);
        while (n > 0 && start[n - 1] == ' ') {
            n--;
        }
        if (n > 0) {
            *word = start;
            *length = n;
            return true;
        }
    }
}

/* Whether word[0..*length-1] ends in suffix (any case, with more before it); if so
 * *length drops it. */
static bool strip_suffix(const char *word, size_t *length, const char *suffix)
{
    size_t sl = strlen(suffix);
    if (*length > sl && strncasecmp(word + *length - sl, suffix, sl) == 0) {
        *length -= sl;
        return true;
    }
    return false;
}

typedef enum { ROLE_PRIV_MEMBER = 1, ROLE_PRIV_USAGE = 2, ROLE_PRIV_ADMIN = 4 } RolePriv;

/* "MEMBER", "USAGE", "... WITH ADMIN OPTION" (or GRANT OPTION), comma-separated: any
 * of them, as PostgreSQL; 22023 for another word. */
static int role_privileges(Binder *b, const char *text, int *out)
{
    *out = 0;
    const char *p = text, *start;
    size_t n;
    while (next_privilege_word(&p, &start, &n)) {
        size_t word = (size_t)(p - start); /* the error names the word with its option */
        bool admin = strip_suffix(start, &n, " with admin option") ||
                     strip_suffix(start, &n, " with grant option");
        if (n == 6 && strncasecmp(start, "member", 6) == 0) {
            *out |= admin ? ROLE_PRIV_ADMIN : ROLE_PRIV_MEMBER;
        } else if (n == 5 && strncasecmp(start, "usage", 5) == 0) {
            *out |= admin ? ROLE_PRIV_ADMIN : ROLE_PRIV_USAGE;
        } else {
            return error_set(b->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "unrecognized privilege type: \"%.*s\"", (int)word, start);
        }
    }
    return STRATA_OK;
}

int bind_role_privilege_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    int n = fc->args.count;
    if (n != 2 && n != 3) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION, "function pg_has_role does not exist");
    }
    Expr *args[3];
    for (int k = 0; k < n; k++) {
        int rc = bind_expr(b, scope, fc->args.items[k], &args[k]);
        if (rc == STRATA_OK && args[k]->type.id == TYPE_UNKNOWN) {
            rc = coerce_expr(b, args[k], sql_type(TYPE_TEXT), CAST_IMPLICIT, NULL, &args[k]);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    const CatRole *user = NULL, *role = NULL;
    int rc = STRATA_OK;
    if (n == 3) {
        rc = role_arg(b, args[0], "pg_has_role", fc->location, &user);
    } else {
        user = catalog_role_by_id(b->env->catalog,
                                  b->env->role_id != 0 ? b->env->role_id : CAT_ID_BOOTSTRAP_ROLE);
    }
    if (rc == STRATA_OK) {
        rc = role_arg(b, args[n - 2], "pg_has_role", fc->location, &role);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Expr *priv = fold_constants(b, args[n - 1]);
    if (priv == NULL || priv->kind != EXPR_CONST || priv->value.is_null ||
        !type_is_string(priv->value.type.id)) {
        return FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "pg_has_role needs a constant privilege");
    }
    char *text = arena_strndup(b->a, priv->value.str.ptr, priv->value.str.len);
    int privs;
    if (text == NULL) {
        return nomem(b);
    }
    if ((rc = role_privileges(b, text, &privs)) != STRATA_OK) {
        return rc;
    }
    const Catalog *c = b->env->catalog;
    bool answer = false;
    if (user != NULL && role != NULL) {
        answer = ((privs & ROLE_PRIV_ADMIN) && catalog_role_is_admin_of(c, user->id, role->id)) ||
                 ((privs & ROLE_PRIV_MEMBER) && catalog_role_is_member_of(c, user->id, role->id)) ||
                 ((privs & ROLE_PRIV_USAGE) && catalog_role_has_privs_of(c, user->id, role->id));
    }
    if (user == NULL || role == NULL) {
        *out = expr_const(b->a, value_null(sql_type(TYPE_BOOL)), fc->location);
    } else {
        *out = expr_const(b->a, value_bool(answer), fc->location);
    }
    return *out == NULL ? nomem(b) : STRATA_OK;
}

int bind_check_sequence(Binder *b, Expr *name, uint32_t privs, uint32_t *deferred)
{
    *deferred = 0;
    if (b->priv_all || b->no_sequence_check) {
        return STRATA_OK;
    }
    Expr *folded = fold_constants(b, name);
    if (folded == NULL || folded->kind != EXPR_CONST || folded->value.is_null ||
        !type_is_string(folded->value.type.id)) {
        /* nextval(t.seq_name): the name is known only when the call runs */
        *deferred = folded != NULL && folded->kind == EXPR_CONST ? 0 : privs;
        return STRATA_OK;
    }
    char *text = arena_strndup(b->a, folded->value.str.ptr, folded->value.str.len);
    if (text == NULL) {
        return nomem(b);
    }
    char *dot = strchr(text, '.');
    const char *schema = NULL, *seq_name = text;
    if (dot != NULL) {
        *dot = '\0';
        schema = text;
        seq_name = dot + 1;
    }
    const Catalog *c = b->env->catalog;
    const CatSequence *seq = catalog_find_sequence(c, schema, seq_name);
    const CatSchema *s = seq != NULL ? catalog_find_schema(c, seq->schema) : NULL;
    if (schema != NULL && s != NULL &&
        (catalog_schema_privileges(c, s, b->priv_role, false) & CAT_PRIV_USAGE) == 0) {
        return error_set(b->err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for schema %s",
                         s->name);
    }
    if (seq == NULL || (catalog_sequence_privileges(c, seq, b->priv_role, false) & privs) != 0) {
        return STRATA_OK; /* a missing sequence fails when the call runs */
    }
    return error_set(b->err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for sequence %s",
                     seq->name);
}

/* "usage, create with grant option": bits of names (any of them is asked, as
 * PostgreSQL); 22023 for a word not in names. */
int bind_privilege_words(Binder *b, const char *text, const PrivName *names, int name_count,
                         uint32_t *privs, bool *grant_option)
{
    *privs = 0;
    *grant_option = false;
    const char *p = text, *start;
    size_t n;
    while (next_privilege_word(&p, &start, &n)) {
        if (strip_suffix(start, &n, " with grant option")) {
            *grant_option = true;
        }
        uint32_t bit = 0;
        for (int k = 0; k < name_count; k++) {
            if (strlen(names[k].name) == n && strncasecmp(start, names[k].name, n) == 0) {
                bit = names[k].bit;
            }
        }
        if (bit == 0) {
            return error_set(b->err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "unrecognized privilege type: \"%.*s\"", (int)n, start);
        }
        *privs |= bit;
    }
    return STRATA_OK;
}

static int constant_string(Binder *b, Expr *e, const char *fn, int location, char **out)
{
    Expr *folded = fold_constants(b, e);
    if (folded == NULL || folded->kind != EXPR_CONST || folded->value.is_null ||
        !type_is_string(folded->value.type.id)) {
        return FAIL_AT(location, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s needs constant arguments", fn);
    }
    *out = arena_strndup(b->a, folded->value.str.ptr, folded->value.str.len);
    return *out == NULL ? nomem(b) : STRATA_OK;
}

typedef enum { OBJ_SCHEMA, OBJ_SEQUENCE, OBJ_COLUMN, OBJ_DATABASE } PrivObject;

/* has_schema_privilege([user,] schema, privilege), has_sequence_privilege([user,]
 * sequence, privilege), has_column_privilege([user,] table, column, privilege),
 * has_database_privilege([user,] database, privilege): constant arguments, the user a
 * name or current_user. */
int bind_object_privilege_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    const char *fn = fc->name.items[fc->name.count - 1];
    PrivObject kind = strcmp(fn, "has_schema_privilege") == 0     ? OBJ_SCHEMA
                      : strcmp(fn, "has_sequence_privilege") == 0 ? OBJ_SEQUENCE
                      : strcmp(fn, "has_database_privilege") == 0 ? OBJ_DATABASE
                                                                  : OBJ_COLUMN;
    int object_args = kind == OBJ_COLUMN ? 2 : 1;
    int n = fc->args.count;
    if (n != object_args + 1 && n != object_args + 2) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION, "function %s does not exist", fn);
    }
    Expr *args[4];
    for (int k = 0; k < n; k++) {
        int rc = bind_expr(b, scope, fc->args.items[k], &args[k]);
        if (rc == STRATA_OK && args[k]->type.id == TYPE_UNKNOWN) {
            rc = coerce_expr(b, args[k], sql_type(TYPE_TEXT), CAST_IMPLICIT, NULL, &args[k]);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    const Catalog *c = b->env->catalog;
    const CatRole *user = NULL;
    int rc = STRATA_OK, first = n - object_args - 1;
    if (first == 1) {
        rc = role_arg(b, args[0], fn, fc->location, &user);
    } else {
        user = catalog_role_by_id(c, b->env->role_id != 0 ? b->env->role_id : CAT_ID_BOOTSTRAP_ROLE);
    }
    char *object = NULL, *column = NULL, *priv = NULL;
    const Expr *named = args[first];
    if (kind == OBJ_DATABASE && named->kind == EXPR_FUNC && named->fn != NULL &&
        strcmp(named->fn->name, "current_database") == 0) {
        /* the connection's name for its database is fixed while a plan lives */
        const char *current = b->env->func_ctx.database_name;
        object = arena_strdup(b->a, current != NULL ? current : "strata");
        rc = object == NULL ? nomem(b) : rc;
    } else if (rc == STRATA_OK) {
        rc = constant_string(b, args[first], fn, fc->location, &object);
    }
    if (rc == STRATA_OK && kind == OBJ_COLUMN) {
        rc = constant_string(b, args[first + 1], fn, fc->location, &column);
    }
    if (rc == STRATA_OK) {
        rc = constant_string(b, args[n - 1], fn, fc->location, &priv);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    static const PrivName schema_names[] = {{"usage", CAT_PRIV_USAGE}, {"create", CAT_PRIV_CREATE}};
    static const PrivName sequence_names[] = {
        {"usage", CAT_PRIV_USAGE}, {"select", CAT_PRIV_SELECT}, {"update", CAT_PRIV_UPDATE}};
    static const PrivName column_names[] = {{"select", CAT_PRIV_SELECT},
                                            {"insert", CAT_PRIV_INSERT},
                                            {"update", CAT_PRIV_UPDATE},
                                            {"references", CAT_PRIV_REFERENCES}};
    static const PrivName database_names[] = {{"create", CAT_PRIV_CREATE},
                                              {"connect", CAT_PRIV_CONNECT},
                                              {"temporary", CAT_PRIV_TEMPORARY},
                                              {"temp", CAT_PRIV_TEMPORARY}};
    const PrivName *names = kind == OBJ_SCHEMA     ? schema_names
                            : kind == OBJ_SEQUENCE ? sequence_names
                            : kind == OBJ_DATABASE ? database_names
                                                   : column_names;
    int name_count = kind == OBJ_SCHEMA ? 2 : kind == OBJ_SEQUENCE ? 3 : 4;
    uint32_t privs;
    bool grant_option;
    if ((rc = bind_privilege_words(b, priv, names, name_count, &privs, &grant_option)) != STRATA_OK) {
        return rc;
    }
    bool superuser = user != NULL && user->superuser;
    uint64_t role = user != NULL ? user->id : 0;
    uint32_t held = 0;
    char *dot = kind == OBJ_SCHEMA || kind == OBJ_DATABASE ? NULL : strchr(object, '.');
    const char *schema = NULL, *name = object;
    if (dot != NULL) {
        *dot = '\0';
        schema = object;
        name = dot + 1;
    }
    if (kind == OBJ_DATABASE) {
        const char *current = b->env->func_ctx.database_name;
        if (strcmp(object, current != NULL ? current : "strata") != 0) {
            return error_set(b->err, SQLSTATE_INVALID_CATALOG_NAME, "database \"%s\" does not exist",
                             object);
        }
        held = catalog_database_privileges(c, role, grant_option);
    } else if (kind == OBJ_SCHEMA) {
        const CatSchema *s = catalog_find_schema(c, object);
        if (s == NULL) {
            return error_set(b->err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                             object);
        }
        held = catalog_schema_privileges(c, s, role, grant_option);
    } else if (kind == OBJ_SEQUENCE) {
        const CatSequence *s = catalog_find_sequence(c, schema, name);
        if (s == NULL) {
            if (catalog_find_table(c, schema, name) != NULL) {
                return error_set(b->err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s%s%s\" is not a sequence",
                                 schema != NULL ? schema : "", schema != NULL ? "." : "", name);
            }
            return error_set(b->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
        }
        held = catalog_sequence_privileges(c, s, role, grant_option);
    } else {
        const CatTable *t = catalog_find_table(c, schema, name);
        if (t == NULL) {
            return error_set(b->err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", name);
        }
        int col = cat_table_column_index(t, column);
        if (col < 0) {
            return error_set(b->err, SQLSTATE_UNDEFINED_COLUMN,
                             "column \"%s\" of relation \"%s\" does not exist", column, t->name);
        }
        for (uint32_t bit = 1; bit <= CAT_PRIV_ALL; bit <<= 1) {
            if (!grant_option && catalog_table_allows(c, t, role, bit)) {
                held |= bit;
            }
        }
        if (!grant_option) {
            held |= catalog_column_privileges(c, t, col, role);
        } else if (catalog_table_owned_by(c, t, role)) {
            held = CAT_PRIV_ALL;
        } else {
            for (int k = 0; k < t->acl_count; k++) {
                if (t->acl[k].grantee == 0 || catalog_role_has_privs_of(c, role, t->acl[k].grantee)) {
                    held |= t->acl[k].grant_options;
                }
            }
        }
    }
    bool answer = superuser || (held & privs) != 0;
    *out = expr_const(b->a, user == NULL ? value_null(sql_type(TYPE_BOOL)) : value_bool(answer),
                      fc->location);
    return *out == NULL ? nomem(b) : STRATA_OK;
}

/* Appends text to the arena string *buf (NULL: out of memory). */
static void text_append(Binder *b, char **buf, const char *text)
{
    if (*buf != NULL) {
        *buf = arena_sprintf(b->a, "%s%s", *buf, text);
    }
}

int bind_object_privilege_column(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    *out = NULL;
    const char *fn = fc->name.items[fc->name.count - 1];
    bool schemas = strcmp(fn, "has_schema_privilege") == 0;
    int n = fc->args.count;
    if (n != 2 && n != 3) {
        return STRATA_OK;
    }
    const Node *object = fc->args.items[n - 2];
    const Node *priv_node = fc->args.items[n - 1];
    const Node *role_node = n == 3 ? fc->args.items[0] : NULL;
    if (priv_node->tag != N_CONST || (role_node != NULL && role_node->tag != N_CONST)) {
        return STRATA_OK;
    }
    Expr *args[3];
    for (int k = 0; k < n; k++) {
        int rc = bind_expr(b, scope, fc->args.items[k], &args[k]);
        if (rc == STRATA_OK && args[k]->type.id == TYPE_UNKNOWN) {
            rc = coerce_expr(b, args[k], sql_type(TYPE_TEXT), CAST_IMPLICIT, NULL, &args[k]);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    const Catalog *c = b->env->catalog;
    const CatRole *user = NULL;
    int rc = STRATA_OK;
    if (n == 3) {
        rc = role_arg(b, args[0], fn, fc->location, &user);
    } else {
        user = catalog_role_by_id(c, b->env->role_id != 0 ? b->env->role_id : CAT_ID_BOOTSTRAP_ROLE);
    }
    char *priv = NULL;
    if (rc == STRATA_OK) {
        rc = constant_string(b, args[n - 1], fn, fc->location, &priv);
    }
    static const PrivName schema_names[] = {{"usage", CAT_PRIV_USAGE}, {"create", CAT_PRIV_CREATE}};
    static const PrivName sequence_names[] = {
        {"usage", CAT_PRIV_USAGE}, {"select", CAT_PRIV_SELECT}, {"update", CAT_PRIV_UPDATE}};
    uint32_t privs = 0;
    bool grant_option = false;
    if (rc == STRATA_OK) {
        rc = bind_privilege_words(b, priv, schemas ? schema_names : sequence_names, schemas ? 2 : 3,
                                  &privs, &grant_option);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    TypeId object_type = args[n - 2]->type.id;
    bool by_oid = type_is_integer(object_type) || object_type == TYPE_OID;
    bool superuser = user != NULL && user->superuser;
    uint64_t role = user != NULL ? user->id : 0;
    char *list = arena_strdup(b->a, "");
    int count = schemas ? catalog_schema_count(c) : catalog_sequence_count(c);
    int held_count = 0;
    for (int k = 0; k < count; k++) {
        const CatSchema *s = schemas ? catalog_schema_at(c, k) : NULL;
        const CatSequence *q = schemas ? NULL : catalog_sequence_at(c, k);
        uint32_t held = schemas ? catalog_schema_privileges(c, s, role, grant_option)
                                : catalog_sequence_privileges(c, q, role, grant_option);
        if (!superuser && (held & privs) == 0) {
            continue;
        }
        const char *name = schemas ? s->name : q->name;
        char *item = by_oid ? arena_sprintf(b->a, "%llu",
                                            (unsigned long long)(schemas ? s->id : q->id))
                            : NULL;
        if (!by_oid) {
            /* a literal: quotes doubled */
            item = arena_strdup(b->a, "'");
            for (const char *p = name; item != NULL && *p != '\0'; p++) {
                item = arena_sprintf(b->a, "%s%s", item, *p == '\'' ? "''" : (char[]){*p, '\0'});
            }
            text_append(b, &item, "'");
            if (item != NULL && !schemas && strcmp(q->schema, "public") != 0) {
                /* also as schema.name, as a sequence's name may be written */
                item = arena_sprintf(b->a, "%s, '%s.%s'", item, q->schema, name);
            }
        }
        text_append(b, &list, held_count++ > 0 ? ", " : "");
        if (item == NULL) {
            return nomem(b);
        }
        text_append(b, &list, item);
    }
    char *object_text = sql_deparse_expr(object, b->a);
    char *text = object_text == NULL || list == NULL
                     ? NULL
                     : user == NULL ? arena_sprintf(b->a, "NULL::boolean")
                     : held_count == 0
                         ? arena_sprintf(b->a, "CASE WHEN (%s) IS NULL THEN NULL::boolean ELSE false END",
                                         object_text)
                         : arena_sprintf(b->a, "(%s) IN (%s)", object_text, list);
    if (text == NULL) {
        return nomem(b);
    }
    Node *node;
    if ((rc = sql_parse_expr(text, strlen(text), b->a, &node, b->err)) != STRATA_OK) {
        return rc;
    }
    return bind_expr(b, scope, node, out);
}
