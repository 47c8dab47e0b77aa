/*
 * plan/bind_expr.c - binding of scalar expressions: name resolution against
 * scopes (with correlation to enclosing queries), literal typing, operator
 * and function resolution through types/func.h, implicit casts, aggregate
 * and window calls, and constant folding.
 *
 * Invariants
 *   1. Every Expr returned has a resolved type, except untyped literals and
 *      parameters still of TYPE_UNKNOWN until context types them
 *      (finalize_unknown makes them text).
 *   2. Errors carry PostgreSQL's SQLSTATE and the position of the offending
 *      token.
 *
 * See src/plan/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "plan/bind_int.h"
#include "sql/parser.h"
#include "types/cast.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

int bind_error_pos(Binder *b, int location)
{
    if (location >= 0 && b->env->sql != NULL) {
        error_position(b->err, sql_char_position(b->env->sql, location));
    }
    return b->err->code;
}

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

Expr *expr_new(Arena *a, ExprKind kind, SqlType type, int location)
{
    Expr *e = arena_zalloc(a, sizeof(Expr));
    if (e != NULL) {
        e->kind = kind;
        e->type = type;
        e->location = location;
    }
    return e;
}

Expr *expr_const(Arena *a, Value v, int location)
{
    Expr *e = expr_new(a, EXPR_CONST, v.type, location);
    if (e != NULL) {
        e->value = v;
    }
    return e;
}

Expr *expr_column(Arena *a, int index, SqlType type)
{
    Expr *e = expr_new(a, EXPR_COLUMN, type, -1);
    if (e != NULL) {
        e->index = index;
    }
    return e;
}

static Expr **args_new(Binder *b, int count)
{
    return arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count > 0 ? count : 1));
}

static int nomem(Binder *b) { return arena_error(b->a, b->err); }

/* ---- scopes --------------------------------------------------------------- */

Scope *scope_new(Binder *b, Scope *parent, Frame *frame)
{
    Scope *s = arena_zalloc(b->a, sizeof(Scope));
    if (s != NULL) {
        s->parent = parent;
        s->frame = frame;
    }
    return s;
}

RangeEntry *scope_add(Binder *b, Scope *scope, const char *alias, int count, const char **names,
                      const SqlType *types)
{
    if (scope->entry_count == scope->entry_capacity) {
        int cap = scope->entry_capacity ? scope->entry_capacity * 2 : 8;
        RangeEntry **n = arena_zalloc(b->a, sizeof(RangeEntry *) * (size_t)cap);
        if (n == NULL) {
            return NULL;
        }
        if (scope->entry_count) {
            memcpy(n, scope->entries, sizeof(RangeEntry *) * (size_t)scope->entry_count);
        }
        scope->entries = n;
        scope->entry_capacity = cap;
    }
    RangeEntry *e = arena_zalloc(b->a, sizeof(RangeEntry));
    SqlType *nt = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(scope->width + count + 1));
    if (e == NULL || nt == NULL) {
        return NULL;
    }
    e->alias = alias;
    e->column_count = count;
    e->names = arena_zalloc(b->a, sizeof(char *) * (size_t)(count + 1));
    e->types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(count + 1));
    e->is_dropped = arena_zalloc(b->a, (size_t)count + 1);
    if (e->names == NULL || e->types == NULL || e->is_dropped == NULL) {
        return NULL;
    }
    for (int col = 0; col < count; col++) {
        e->names[col] = names[col];
        e->types[col] = types[col];
    }
    e->offset = scope->width;
    if (scope->width) {
        memcpy(nt, scope->types, sizeof(SqlType) * (size_t)scope->width);
    }
    memcpy(nt + scope->width, types, sizeof(SqlType) * (size_t)count);
    scope->types = nt;
    scope->width += count;
    scope->entries[scope->entry_count++] = e;
    return e;
}

/* ---- column references ------------------------------------------------------ */

enum { LOOKUP_NOT_FOUND = 0, LOOKUP_FOUND = 1 };

/* Registers (or reuses) a correlation slot in frame for an outer expression. */
static Expr *corr_slot(Binder *b, Frame *frame, Expr *outer, SqlType type)
{
    for (int slot = 0; slot < frame->corr_count; slot++) {
        if (expr_equal(frame->corr_args[slot], outer)) {
            Expr *e = expr_new(b->a, EXPR_CORR, type, -1);
            if (e) {
                e->index = slot;
            }
            return e;
        }
    }
    if (frame->corr_count == frame->corr_capacity) {
        int cap = frame->corr_capacity ? frame->corr_capacity * 2 : 8;
        Expr **n = arena_zalloc(b->a, sizeof(Expr *) * (size_t)cap);
        if (n == NULL) {
            return NULL;
        }
        if (frame->corr_count) {
            memcpy(n, frame->corr_args, sizeof(Expr *) * (size_t)frame->corr_count);
        }
        frame->corr_args = n;
        frame->corr_capacity = cap;
    }
    frame->corr_args[frame->corr_count] = outer;
    Expr *e = expr_new(b->a, EXPR_CORR, type, -1);
    if (e) {
        e->index = frame->corr_count;
    }
    frame->corr_count++;
    return e;
}

static bool name_eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* Finds an unqualified column in one scope (not its parents). *count = matches. */
static int find_in_scope(Binder *b, Scope *scope, const char *name, Expr **out, int *count)
{
    *count = 0;
    bool merged = false;
    for (int m = 0; m < scope->merged_count; m++) {
        if (name_eq(scope->merged_names[m], name)) {
            *out = scope->merged_exprs[m];
            (*count)++;
            merged = true;
        }
    }
    for (int r = 0; r < scope->entry_count; r++) {
        RangeEntry *e = scope->entries[r];
        for (int col = 0; col < e->column_count; col++) {
            if (!name_eq(e->names[col], name)) {
                continue;
            }
            if (!e->is_dropped[col]) {
                *out = expr_column(b->a, e->offset + col, e->types[col]);
                (*count)++;
            }
            /* a merged USING column reads each side's column */
            if (!e->is_dropped[col] || merged) {
                int rc = bind_check_entry_column(b, e, col);
                if (rc != STRATA_OK) {
                    return rc;
                }
            }
        }
    }
    return STRATA_OK;
}

static RangeEntry *find_entry(Scope *scope, const char *schema, const char *alias, int *count)
{
    RangeEntry *found = NULL;
    *count = 0;
    for (int r = 0; r < scope->entry_count; r++) {
        RangeEntry *e = scope->entries[r];
        if (!name_eq(e->alias, alias)) {
            continue;
        }
        if (schema != NULL && !(e->table != NULL && name_eq(e->table->schema, schema))) {
            continue;
        }
        found = e;
        (*count)++;
    }
    return found;
}

/* Resolves fields in scope or its ancestors; *out is valid in scope's frame. */
static int lookup_column(Binder *b, Scope *scope, const ColumnRef *ref, Expr **out, int *status)
{
    *status = LOOKUP_NOT_FOUND;
    if (scope == NULL) {
        return STRATA_OK;
    }
    int nf = ref->fields.count;
    const char *colname = ref->fields.items[nf - 1];
    Expr *found = NULL;
    int count = 0;
    if (nf == 1) {
        int rc = find_in_scope(b, scope, colname, &found, &count);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (count > 1) {
            return FAIL_AT(ref->location, SQLSTATE_AMBIGUOUS_COLUMN,
                           "column reference \"%s\" is ambiguous", colname);
        }
    } else {
        const char *alias = ref->fields.items[nf - 2];
        const char *schema = nf >= 3 ? ref->fields.items[nf - 3] : NULL;
        int entries = 0;
        RangeEntry *e = find_entry(scope, schema, alias, &entries);
        if (entries > 1) {
            return FAIL_AT(ref->location, SQLSTATE_AMBIGUOUS_ALIAS,
                           "table reference \"%s\" is ambiguous", alias);
        }
        if (e != NULL) {
            for (int col = 0; col < e->column_count; col++) {
                if (name_eq(e->names[col], colname)) {
                    int rc = bind_check_entry_column(b, e, col);
                    if (rc != STRATA_OK) {
                        return rc;
                    }
                    found = expr_column(b->a, e->offset + col, e->types[col]);
                    count++;
                    break;
                }
            }
            if (count == 0) {
                return FAIL_AT(ref->location, SQLSTATE_UNDEFINED_COLUMN,
                               "column %s.%s does not exist", alias, colname);
            }
        }
    }
    if (count == 1) {
        if (found == NULL) {
            return nomem(b);
        }
        *out = found;
        *status = LOOKUP_FOUND;
        return STRATA_OK;
    }
    Expr *outer = NULL;
    int rc = lookup_column(b, scope->parent, ref, &outer, status);
    if (rc != STRATA_OK || *status == LOOKUP_NOT_FOUND) {
        return rc;
    }
    if (scope->parent->frame == scope->frame) {
        *out = outer;
        return STRATA_OK;
    }
    *out = corr_slot(b, scope->frame, outer, outer->type);
    return *out ? STRATA_OK : nomem(b);
}

/* A column reference not found while binding a non-LATERAL subquery in FROM:
 * PostgreSQL's errors when an earlier FROM item has the name, with the hint
 * that it cannot be referenced from there. */
static int hidden_reference(Binder *b, const ColumnRef *ref)
{
    int nf = ref->fields.count;
    const char *colname = ref->fields.items[nf - 1];
    Scope *hidden = b->hidden_scope;
    if (nf == 1) {
        for (int r = 0; r < hidden->entry_count; r++) {
            const RangeEntry *e = hidden->entries[r];
            for (int col = 0; col < e->column_count && e->alias != NULL; col++) {
                if (!e->is_dropped[col] && name_eq(e->names[col], colname)) {
                    error_set(b->err, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                              colname);
                    error_hint(b->err,
                               "There is a column named \"%s\" in table \"%s\", but it cannot be "
                               "referenced from this part of the query.",
                               colname, e->alias);
                    return bind_error_pos(b, ref->location);
                }
            }
        }
        return FAIL_AT(ref->location, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                       colname);
    }
    const char *alias = ref->fields.items[nf - 2];
    int entries = 0;
    if (find_entry(hidden, nf >= 3 ? ref->fields.items[nf - 3] : NULL, alias, &entries) != NULL) {
        error_set(b->err, SQLSTATE_UNDEFINED_TABLE,
                  "invalid reference to FROM-clause entry for table \"%s\"", alias);
        error_hint(b->err,
                   "There is an entry for table \"%s\", but it cannot be referenced from this "
                   "part of the query.",
                   alias);
        return bind_error_pos(b, ref->location);
    }
    return FAIL_AT(ref->location, SQLSTATE_UNDEFINED_TABLE,
                   "missing FROM-clause entry for table \"%s\"", alias);
}

static int bind_column_ref(Binder *b, Scope *scope, const ColumnRef *ref, Expr **out)
{
    if (ref->is_star) {
        return FAIL_AT(ref->location, SQLSTATE_SYNTAX_ERROR, "row expansion via \"*\" is not supported here");
    }
    int status = 0;
    int rc = lookup_column(b, scope, ref, out, &status);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (status == LOOKUP_FOUND) {
        return STRATA_OK;
    }
    int nf = ref->fields.count;
    if (b->hidden_scope != NULL) {
        return hidden_reference(b, ref);
    }
    if (nf == 1) {
        return FAIL_AT(ref->location, SQLSTATE_UNDEFINED_COLUMN, "column \"%s\" does not exist",
                       ref->fields.items[0]);
    }
    return FAIL_AT(ref->location, SQLSTATE_UNDEFINED_TABLE,
                   "missing FROM-clause entry for table \"%s\"", ref->fields.items[nf - 2]);
}

/* ---- literals, parameters, types ---------------------------------------------- */

static int bind_const(Binder *b, const Const *c, Expr **out)
{
    Value v = {0};
    int rc = STRATA_OK;
    switch (c->kind) {
    case CONST_INTEGER:
        if (c->int_class == INT_CLASS_INT4) {
            v = value_i64(TYPE_INT4, c->int_value);
        } else if (c->int_class == INT_CLASS_INT8) {
            v = value_i64(TYPE_INT8, c->int_value);
        } else {
            rc = value_parse(sql_type(TYPE_NUMERIC), c->text, c->text_length, b->a, &v, b->err);
        }
        break;
    case CONST_NUMERIC:
        rc = value_parse(sql_type(TYPE_NUMERIC), c->text, c->text_length, b->a, &v, b->err);
        break;
    case CONST_STRING:
        v = value_str(TYPE_UNKNOWN, c->text, (uint32_t)c->text_length);
        break;
    case CONST_BOOL:
        v = value_bool(c->bool_value);
        break;
    case CONST_NULL:
        v = value_null(sql_type(TYPE_UNKNOWN));
        break;
    case CONST_HEX_STRING:
    case CONST_BIT_STRING:
        return FAIL_AT(c->location, SQLSTATE_FEATURE_NOT_SUPPORTED, "bit string literals are not supported");
    }
    if (rc != STRATA_OK) {
        return bind_error_pos(b, c->location);
    }
    *out = expr_const(b->a, v, c->location);
    return *out ? STRATA_OK : nomem(b);
}

static int bind_param(Binder *b, const Param *p, Expr **out)
{
    if (p->number < 1 || p->number > 65535) {
        return FAIL_AT(p->location, SQLSTATE_UNDEFINED_PARAMETER, "there is no parameter $%d", p->number);
    }
    Plan *plan = b->plan;
    if (p->number > plan->param_count) {
        if (p->number > b->param_capacity) {
            int cap = p->number + 8;
            SqlType *n = arena_zalloc(b->a, sizeof(SqlType) * (size_t)cap);
            if (n == NULL) {
                return nomem(b);
            }
            if (plan->param_count) {
                memcpy(n, plan->param_types, sizeof(SqlType) * (size_t)plan->param_count);
            }
            plan->param_types = n;
            b->param_capacity = cap;
        }
        for (int k = plan->param_count; k < p->number; k++) {
            plan->param_types[k] = sql_type(TYPE_UNKNOWN);
            if (b->env->params != NULL && k < b->env->param_count) {
                plan->param_types[k] = b->env->params[k].type;
                plan->param_types[k].typmod = -1;
            }
        }
        plan->param_count = p->number;
    }
    *out = expr_new(b->a, EXPR_PARAM, plan->param_types[p->number - 1], p->location);
    if (*out == NULL) {
        return nomem(b);
    }
    (*out)->index = p->number - 1;
    return STRATA_OK;
}

/* int[], integer[][] (PostgreSQL ignores the declared dimensions): the
 * one-dimensional array type of the element type. */
static int array_type_name(Binder *b, const TypeName *tn, SqlType *out)
{
    TypeName elem = *tn;
    elem.array_dims = 0;
    int rc = bind_type_name(b, &elem, out);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (type_array_of(out->id) == TYPE_COUNT) {
        return FAIL_AT(tn->location, SQLSTATE_UNDEFINED_OBJECT, "type \"%s[]\" does not exist",
                       tn->name);
    }
    out->id = type_array_of(out->id);
    return STRATA_OK;
}

int bind_type_name(Binder *b, const TypeName *tn, SqlType *out)
{
    if (tn->array_dims > 0) {
        return array_type_name(b, tn, out);
    }
    if (b->env->deps != NULL && tn->typmods.count == 0) {
        /* a view that names an enum or a domain depends on it */
        const CatType *user = catalog_find_type(b->env->catalog, tn->schema, tn->name);
        if (user != NULL) {
            bind_note_dependency(b, user->id, NULL, true);
        }
    }
    int32_t mods[4];
    int mod_count = 0;
    for (int k = 0; k < tn->typmods.count && k < 4; k++) {
        const Node *m = tn->typmods.items[k];
        if (m->tag != N_CONST || ((const Const *)m)->kind != CONST_INTEGER) {
            return FAIL_AT(m->location, SQLSTATE_SYNTAX_ERROR, "type modifiers must be simple constants or identifiers");
        }
        mods[mod_count++] = (int32_t)((const Const *)m)->int_value;
    }
    const char *name = tn->name;
    if (strcmp(name, "serial4") == 0 || strcmp(name, "serial8") == 0 || strcmp(name, "serial2") == 0) {
        return FAIL_AT(tn->location, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
    }
    /* Object identifiers (psql's catalog queries): oid is its own type; the
     * reg* types are the object's number as bigint (regclass and regtype
     * literals and outputs are the binder's, bind_catalog.c). */
    const char *bare = strncmp(name, "pg_catalog.", 11) == 0 ? name + 11 : name;
    if (mod_count == 0 && (strcmp(bare, "regclass") == 0 ||
                           strcmp(bare, "regtype") == 0 || strcmp(bare, "regproc") == 0 ||
                           strcmp(bare, "regnamespace") == 0 || strcmp(bare, "regrole") == 0)) {
        *out = sql_type(TYPE_INT8);
        return STRATA_OK;
    }
    /* a user type in another schema (s.mood): the resolver reads "schema.name" */
    if (tn->schema != NULL && strcmp(tn->schema, "pg_catalog") != 0) {
        name = arena_sprintf(b->a, "%s.%s", tn->schema, name);
        if (name == NULL) {
            return nomem(b);
        }
    }
    if (type_from_name(name, mods, mod_count, out, b->err) != STRATA_OK) {
        return bind_error_pos(b, tn->location);
    }
    return STRATA_OK;
}

/* ---- coercion ---------------------------------------------------------------- */

static void set_param_type(Binder *b, int index, SqlType t)
{
    if (index < b->plan->param_count && b->plan->param_types[index].id == TYPE_UNKNOWN) {
        b->plan->param_types[index] = t;
        /* an enum's typmod names the enum, whose labels the parameter's text must be */
        b->plan->param_types[index].typmod =
            t.id == TYPE_ENUM || t.id == TYPE_ENUM_ARRAY ? t.typmod : -1;
    }
}

int coerce_expr(Binder *b, Expr *e, SqlType target, int context, const char *what, Expr **out)
{
    if (target.id == TYPE_UNKNOWN) {
        *out = e;
        return STRATA_OK;
    }
    if (e->type.id == target.id && (target.typmod < 0 || e->type.typmod == target.typmod)) {
        *out = e;
        return STRATA_OK;
    }
    if (e->kind == EXPR_PARAM && e->type.id == TYPE_UNKNOWN) {
        set_param_type(b, e->index, target);
        Expr *p = expr_new(b->a, EXPR_PARAM, b->plan->param_types[e->index], e->location);
        if (p == NULL) {
            return nomem(b);
        }
        p->index = e->index;
        e = p;
        if (e->type.id == target.id && target.typmod < 0) {
            *out = e;
            return STRATA_OK;
        }
    }
    if (e->kind == EXPR_CONST && e->type.id == TYPE_UNKNOWN) {
        Value v;
        /* An explicit cast to varchar(n) / char(n) (or arrays of them) truncates,
         * as PostgreSQL: 'abcd'::varchar(3) is 'abc'. */
        TypeId base = type_is_array(target.id) ? type_array_elem(target.id) : target.id;
        bool truncates = context == CAST_EXPLICIT && target.typmod >= 0 &&
                         (base == TYPE_VARCHAR || base == TYPE_BPCHAR);
        SqlType parse_as = target;
        if (truncates) {
            parse_as.typmod = -1;
        }
        if (e->value.is_null) {
            v = value_null(target);
        } else if (value_parse_tz(parse_as, e->value.str.ptr, e->value.str.len,
                                  b->env->func_ctx.timezone, b->a, &v, b->err) != STRATA_OK ||
                   (truncates && value_apply_typmod(&v, target, true, b->a, b->err) != STRATA_OK)) {
            return bind_error_pos(b, e->location);
        }
        v.type = target;
        *out = expr_const(b->a, v, e->location);
        return *out ? STRATA_OK : nomem(b);
    }
    if (e->type.id != target.id && !cast_allowed(e->type.id, target.id, (CastContext)context)) {
        if (context == CAST_EXPLICIT) {
            return FAIL_AT(e->location, SQLSTATE_CANNOT_COERCE, "cannot cast type %s to %s",
                           type_name(e->type, b->a), type_name(target, b->a));
        }
        if (what != NULL) {
            return FAIL_AT(e->location, SQLSTATE_DATATYPE_MISMATCH,
                           "%s is of type %s but expression is of type %s", what,
                           type_name(target, b->a), type_name(e->type, b->a));
        }
        return FAIL_AT(e->location, SQLSTATE_DATATYPE_MISMATCH,
                       "cannot convert type %s to %s", type_id_name(e->type.id),
                       type_name(target, b->a));
    }
    Expr *c = expr_new(b->a, EXPR_CAST, target, e->location);
    if (c == NULL || (c->args = args_new(b, 1)) == NULL) {
        return nomem(b);
    }
    c->args[0] = e;
    c->arg_count = 1;
    c->cast_context = context;
    *out = c;
    return STRATA_OK;
}

int finalize_unknown(Binder *b, Expr **e)
{
    if ((*e)->type.id == TYPE_UNKNOWN) {
        return coerce_expr(b, *e, sql_type(TYPE_TEXT), CAST_IMPLICIT, NULL, e);
    }
    return STRATA_OK;
}

int coerce_to_common(Binder *b, Expr **items, int count, const char *context, SqlType *out)
{
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(count + 1));
    if (types == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < count; k++) {
        types[k] = items[k]->type;
    }
    if (type_common(types, count, context, out, b->err) != STRATA_OK) {
        for (int k = 1; k < count; k++) {
            if (items[k]->type.id != TYPE_UNKNOWN) {
                return bind_error_pos(b, items[k]->location);
            }
        }
        return bind_error_pos(b, items[0]->location);
    }
    for (int k = 0; k < count; k++) {
        int rc = coerce_expr(b, items[k], *out, CAST_IMPLICIT, NULL, &items[k]);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int coerce_bool(Binder *b, Expr **e, const char *clause)
{
    if ((*e)->type.id == TYPE_BOOL) {
        return STRATA_OK;
    }
    if ((*e)->type.id == TYPE_UNKNOWN) {
        return coerce_expr(b, *e, sql_type(TYPE_BOOL), CAST_IMPLICIT, NULL, e);
    }
    return FAIL_AT((*e)->location, SQLSTATE_DATATYPE_MISMATCH,
                   "argument of %s must be type boolean, not type %s", clause,
                   type_name((*e)->type, b->a));
}

/* ---- operators and functions ------------------------------------------------------ */

static int make_func(Binder *b, const FuncMatch *m, Expr **args, int count, int location,
                     Expr **out)
{
    Expr *e = expr_new(b->a, EXPR_FUNC, m->result_type, location);
    if (e == NULL || (e->args = args_new(b, count)) == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < count; k++) {
        SqlType target = m->arg_targets[k];
        int rc = coerce_expr(b, args[k], target, CAST_IMPLICIT, NULL, &e->args[k]);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    e->arg_count = count;
    e->fn = m->def;
    *out = e;
    return bind_json_check_path(b, e);
}

int resolve_oper(Binder *b, const char *op, Expr **left, Expr **right, int location, Expr **out)
{
    FuncMatch m;
    SqlType lt = left ? (*left)->type : sql_type(TYPE_UNKNOWN);
    SqlType rt = (*right)->type;
    if (oper_resolve(op, left ? &lt : NULL, rt, &m, b->err) != STRATA_OK) {
        return bind_error_pos(b, location);
    }
    Expr *args[2];
    int n = 0;
    if (left) {
        args[n++] = *left;
    }
    args[n++] = *right;
    return make_func(b, &m, args, n, location, out);
}

static int bind_list(Binder *b, Scope *scope, const NodeList *list, Expr ***out)
{
    Expr **items = args_new(b, list->count);
    if (items == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < list->count; k++) {
        int rc = bind_expr(b, scope, list->items[k], &items[k]);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    *out = items;
    return STRATA_OK;
}

static const char *func_name_of(const FuncCall *fc)
{
    return fc->name.items[fc->name.count - 1];
}

static int bind_agg_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    const char *name = func_name_of(fc);
    if (!(b->allow & BIND_ALLOW_AGG) && fc->over == NULL) {
        if (b->allow & BIND_ALLOW_WINDOW) {
            /* fallthrough: allowed in select lists */
        }
        return FAIL_AT(fc->location, SQLSTATE_GROUPING_ERROR,
                       "aggregate functions are not allowed in %s", b->clause ? b->clause : "this context");
    }
    int saved_allow = b->allow;
    b->allow &= ~(BIND_ALLOW_AGG | BIND_ALLOW_WINDOW);
    const char *saved_clause = b->clause;
    b->clause = "aggregate function calls";
    Expr **args = NULL;
    int rc = bind_list(b, scope, &fc->args, &args);
    Expr *filter = NULL;
    if (rc == STRATA_OK && fc->agg_filter != NULL) {
        rc = bind_expr_bool(b, scope, fc->agg_filter, "FILTER", &filter);
    }
    b->allow = saved_allow;
    b->clause = saved_clause;
    if (rc != STRATA_OK) {
        return rc;
    }
    int n = fc->agg_star ? 0 : fc->args.count;
    SqlType types[AGG_PARAMS_MAX + 1];
    if (n > AGG_PARAMS_MAX) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION, "function %s with %d arguments does not exist", name, n);
    }
    for (int k = 0; k < n; k++) {
        types[k] = args[k]->type;
    }
    AggCall *agg = arena_zalloc(b->a, sizeof(AggCall));
    if (agg == NULL) {
        return nomem(b);
    }
    if (fc->agg_within_group) {
        if (fc->agg_order.count != 1) {
            return FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED, "ordered-set aggregates take one sort column");
        }
        Expr *sort_expr;
        rc = bind_expr(b, scope, ((const SortBy *)fc->agg_order.items[0])->expr, &sort_expr);
        if (rc == STRATA_OK) {
            rc = finalize_unknown(b, &sort_expr);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        if (agg_resolve_ordered_set(name, types, n, sort_expr->type, &agg->match, b->err) != STRATA_OK) {
            return bind_error_pos(b, fc->location);
        }
        Expr **all = args_new(b, n + 1);
        if (all == NULL) {
            return nomem(b);
        }
        rc = coerce_expr(b, sort_expr, agg->match.arg_targets[0], CAST_IMPLICIT, NULL, &all[0]);
        for (int k = 0; rc == STRATA_OK && k < n; k++) {
            rc = coerce_expr(b, args[k], agg->match.direct_targets[0], CAST_IMPLICIT, NULL, &all[k + 1]);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        agg->args = all;
        agg->arg_count = n + 1;
    } else {
        if (agg_resolve(name, types, n, fc->agg_distinct, &agg->match, b->err) != STRATA_OK) {
            return bind_error_pos(b, fc->location);
        }
        for (int k = 0; k < n; k++) {
            rc = coerce_expr(b, args[k], agg->match.arg_targets[k], CAST_IMPLICIT, NULL, &args[k]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        agg->args = args;
        agg->arg_count = n;
        if (fc->agg_order.count > 0) {
            agg->order_count = fc->agg_order.count;
            agg->order = args_new(b, agg->order_count);
            agg->order_desc = arena_zalloc(b->a, (size_t)agg->order_count);
            agg->order_nulls_first = arena_zalloc(b->a, (size_t)agg->order_count);
            if (!agg->order || !agg->order_desc || !agg->order_nulls_first) {
                return nomem(b);
            }
            for (int k = 0; k < agg->order_count; k++) {
                const SortBy *sb = (const SortBy *)fc->agg_order.items[k];
                rc = bind_expr(b, scope, sb->expr, &agg->order[k]);
                if (rc == STRATA_OK) {
                    rc = finalize_unknown(b, &agg->order[k]);
                }
                if (rc != STRATA_OK) {
                    return rc;
                }
                agg->order_desc[k] = sb->dir == SORT_DESC;
                agg->order_nulls_first[k] = sb->nulls == SORT_NULLS_DEFAULT ? sb->dir == SORT_DESC
                                                                             : sb->nulls == SORT_NULLS_FIRST;
            }
        }
    }
    agg->name = name;
    agg->is_star = fc->agg_star;
    agg->is_distinct = fc->agg_distinct;
    agg->filter = filter;
    agg->result_type = agg->match.result_type;
    Expr *e = expr_new(b->a, EXPR_AGG_CALL, agg->result_type, fc->location);
    if (e == NULL) {
        return nomem(b);
    }
    e->agg = agg;
    b->saw_agg = true;
    *out = e;
    return STRATA_OK;
}

/* 42883 for lag/lead whose value and default have no common type, naming the
 * argument types as PostgreSQL does (without typmods). */
static int window_no_match(Binder *b, const FuncCall *fc, const WinCall *w)
{
    const char *text = arena_sprintf(b->a, "%s(", func_name_of(fc));
    for (int k = 0; text != NULL && k < w->agg.arg_count; k++) {
        SqlType type = {.id = w->agg.args[k]->type.id, .typmod = -1};
        text = arena_sprintf(b->a, "%s%s%s", text, k ? ", " : "", type_name(type, b->a));
    }
    if (text == NULL) {
        return arena_error(b->a, b->err);
    }
    error_set(b->err, SQLSTATE_UNDEFINED_FUNCTION, "function %s) does not exist", text);
    error_hint(b->err, "No function matches the given name and argument types. You might "
                       "need to add explicit type casts.");
    return bind_error_pos(b, fc->location);
}

/*
 * lag, lead, first_value, last_value, nth_value. PostgreSQL declares them over
 * anyelement / anycompatible, so the result carries no typmod (CREATE TABLE AS makes
 * lead(numeric(8,2)) a plain numeric), and lag/lead's default joins the value in a
 * common type instead of being cast to the value's type: lead(v, 2, 0) over a
 * numeric(8,2) v answers 0, not 0.00, and lead(int, 1, 2.5) is numeric.
 */
static int bind_value_window_args(Binder *b, const FuncCall *fc, WinCall *w)
{
    Expr **args = w->agg.args;
    int rc = STRATA_OK;
    if (w->agg.arg_count >= 2) {
        rc = coerce_expr(b, args[1], sql_type(TYPE_INT4), CAST_IMPLICIT, NULL, &args[1]);
    }
    SqlType common = args[0]->type;
    if (rc == STRATA_OK && w->agg.arg_count >= 3) {
        SqlType pair[2] = {args[0]->type, args[2]->type};
        Error scratch = {0};
        if (type_common(pair, 2, func_name_of(fc), &common, &scratch) != STRATA_OK) {
            return window_no_match(b, fc, w);
        }
    } else if (rc == STRATA_OK && common.id == TYPE_UNKNOWN) {
        common = sql_type(TYPE_TEXT);
    }
    common.typmod = -1;
    for (int k = 0; rc == STRATA_OK && k < w->agg.arg_count; k += 2) {
        rc = coerce_expr(b, args[k], common, CAST_IMPLICIT, NULL, &args[k]);
    }
    w->result_type = common;
    return rc;
}

static int bind_window_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);

/* Whether every argument of fc is a literal or current_user and friends. */
static bool constant_arguments(const FuncCall *fc)
{
    for (int k = 0; k < fc->args.count; k++) {
        const Node *arg = fc->args.items[k];
        if (arg->tag == N_CAST) {
            arg = ((const Cast *)arg)->arg;
        }
        if (arg->tag != N_CONST && arg->tag != N_SQL_VALUE) {
            return false;
        }
    }
    return true;
}

static int bind_sequence_call(Binder *b, Scope *scope, const FuncCall *fc, int op, Expr **out)
{
    Expr **args = NULL;
    NodeList list = fc->args;
    const Node *first = list.count > 0 ? list.items[0] : NULL;
    if (op != SEQ_CURRENT_SETTING && op != SEQ_SET_CONFIG && first != NULL && first->tag == N_CAST &&
        ((const Cast *)first)->arg->tag == N_CONST && bind_is_regclass((const Cast *)first)) {
        /* nextval('s'::regclass), as pg_dump and PostgreSQL's serial defaults write it:
         * the sequence by its name */
        list.items = arena_alloc(b->a, sizeof(Node *) * (size_t)list.count);
        if (list.items == NULL) {
            return nomem(b);
        }
        memcpy(list.items, fc->args.items, sizeof(Node *) * (size_t)list.count);
        list.items[0] = ((const Cast *)first)->arg;
    }
    int rc = bind_list(b, scope, &list, &args);
    if (rc != STRATA_OK) {
        return rc;
    }
    int want = op == SEQ_SETVAL ? 2 : op == SEQ_SET_CONFIG ? 3 : 1;
    int most = op == SEQ_SETVAL || op == SEQ_SET_CONFIG ? 3 : op == SEQ_CURRENT_SETTING ? 2 : 1;
    if (fc->args.count < want || fc->args.count > most) {
        return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION, "function %s does not exist", func_name_of(fc));
    }
    rc = coerce_expr(b, args[0], sql_type(TYPE_TEXT), CAST_EXPLICIT, NULL, &args[0]);
    if (rc == STRATA_OK && op == SEQ_CURRENT_SETTING && fc->args.count == 2) {
        rc = coerce_expr(b, args[1], sql_type(TYPE_BOOL), CAST_IMPLICIT, NULL, &args[1]);
    }
    if (rc == STRATA_OK && op == SEQ_SET_CONFIG) {
        rc = coerce_expr(b, args[1], sql_type(TYPE_TEXT), CAST_EXPLICIT, NULL, &args[1]);
        if (rc == STRATA_OK) {
            rc = coerce_expr(b, args[2], sql_type(TYPE_BOOL), CAST_IMPLICIT, NULL, &args[2]);
        }
    }
    if (rc == STRATA_OK && op == SEQ_SETVAL) {
        rc = coerce_expr(b, args[1], sql_type(TYPE_INT8), CAST_IMPLICIT, NULL, &args[1]);
        if (rc == STRATA_OK && fc->args.count == 3) {
            rc = coerce_expr(b, args[2], sql_type(TYPE_BOOL), CAST_IMPLICIT, NULL, &args[2]);
        }
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    uint32_t deferred = 0;
    if (op == SEQ_NEXTVAL || op == SEQ_CURRVAL || op == SEQ_SETVAL) {
        if ((rc = bind_check_sequence(b, args[0], op == SEQ_NEXTVAL  ? CAT_PRIV_USAGE | CAT_PRIV_UPDATE
                                                  : op == SEQ_CURRVAL ? CAT_PRIV_USAGE | CAT_PRIV_SELECT
                                                                      : CAT_PRIV_UPDATE,
                                      &deferred)) != STRATA_OK) {
            return rc;
        }
    }
    SqlType type = sql_type(op == SEQ_CURRENT_SETTING || op == SEQ_SET_CONFIG ? TYPE_TEXT : TYPE_INT8);
    Expr *e = expr_new(b->a, EXPR_SEQUENCE, type, fc->location);
    if (e == NULL) {
        return nomem(b);
    }
    e->op = op;
    e->index = (int)deferred; /* privileges checked when it runs (a name not constant) */
    e->args = args;
    e->arg_count = fc->args.count;
    *out = e;
    return STRATA_OK;
}

/* GROUPING(a, b, ...): bound as an aggregate call whose arguments the
 * aggregate rewrite matches with the GROUP BY expressions (bind_select.c). */
static int bind_grouping_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    if (!(b->allow & BIND_ALLOW_AGG)) {
        return FAIL_AT(fc->location, SQLSTATE_GROUPING_ERROR,
                       "grouping operations are not allowed in %s",
                       b->clause ? b->clause : "this context");
    }
    if (fc->args.count > 31) {
        return FAIL_AT(fc->location, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                       "GROUPING must have fewer than 32 arguments");
    }
    int saved_allow = b->allow;
    b->allow &= ~(BIND_ALLOW_AGG | BIND_ALLOW_WINDOW);
    Expr **args = NULL;
    int rc = bind_list(b, scope, &fc->args, &args);
    b->allow = saved_allow;
    if (rc != STRATA_OK) {
        return rc;
    }
    AggCall *agg = arena_zalloc(b->a, sizeof(AggCall));
    Expr *e = expr_new(b->a, EXPR_AGG_CALL, sql_type(TYPE_INT4), fc->location);
    if (agg == NULL || e == NULL) {
        return nomem(b);
    }
    agg->name = "GROUPING";
    agg->args = args;
    agg->arg_count = fc->args.count;
    agg->is_grouping = true;
    agg->result_type = sql_type(TYPE_INT4);
    e->agg = agg;
    b->saw_agg = true;
    *out = e;
    return STRATA_OK;
}

static int bind_func_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    int rc = bind_json_whole_row(b, scope, fc, &fc);
    if (rc != STRATA_OK) {
        return rc;
    }
    const char *name = func_name_of(fc);
    if ((rc = bind_named_reject(b, scope, fc, name)) != STRATA_OK) {
        return rc;
    }
    if (fc->over != NULL) {
        return bind_window_call(b, scope, fc, out);
    }
    if (strcmp(name, "grouping") == 0 && fc->name.count == 1 && !fc->agg_star &&
        !fc->agg_distinct) {
        return bind_grouping_call(b, scope, fc, out);
    }
    if (fc->agg_star || fc->agg_distinct || fc->agg_filter || agg_name_exists(name)) {
        if (!agg_name_exists(name)) {
            return FAIL_AT(fc->location, SQLSTATE_WRONG_OBJECT_TYPE,
                           "%s is not an aggregate function", name);
        }
        return bind_agg_call(b, scope, fc, out);
    }
    if (strcmp(name, "nextval") == 0) {
        return bind_sequence_call(b, scope, fc, SEQ_NEXTVAL, out);
    }
    if (strcmp(name, "currval") == 0) {
        return bind_sequence_call(b, scope, fc, SEQ_CURRVAL, out);
    }
    if (strcmp(name, "setval") == 0) {
        return bind_sequence_call(b, scope, fc, SEQ_SETVAL, out);
    }
    if (strcmp(name, "current_setting") == 0) {
        return bind_sequence_call(b, scope, fc, SEQ_CURRENT_SETTING, out);
    }
    if (strcmp(name, "set_config") == 0) {
        return bind_sequence_call(b, scope, fc, SEQ_SET_CONFIG, out);
    }
    if (strcmp(name, "pg_get_indexdef") == 0) {
        return bind_indexdef_call(b, scope, fc, out);
    }
    if (strcmp(name, "pg_get_partkeydef") == 0 ||
        strcmp(name, "pg_get_partition_constraintdef") == 0) {
        return bind_partition_text_call(b, scope, fc, out);
    }
    if (strcmp(name, "pg_get_constraintdef") == 0) {
        return bind_constraintdef_call(b, scope, fc, out);
    }
    if (strcmp(name, "pg_get_viewdef") == 0) {
        return bind_viewdef_call(b, scope, fc, out);
    }
    if (strcmp(name, "pg_get_userbyid") == 0) {
        return bind_userbyid_call(b, scope, fc, out);
    }
    if (strcmp(name, "has_table_privilege") == 0) {
        return bind_table_privilege_call(b, scope, fc, out);
    }
    if (strcmp(name, "pg_has_role") == 0) {
        return bind_role_privilege_call(b, scope, fc, out);
    }
    if (((strcmp(name, "has_schema_privilege") == 0 || strcmp(name, "has_sequence_privilege") == 0 ||
          strcmp(name, "has_column_privilege") == 0) &&
         constant_arguments(fc)) ||
        strcmp(name, "has_database_privilege") == 0) {
        return bind_object_privilege_call(b, scope, fc, out);
    }
    if (strcmp(name, "has_schema_privilege") == 0 || strcmp(name, "has_sequence_privilege") == 0) {
        /* over a catalog column (psql, drivers): the answer for each object; other
         * forms stay the permissive built-ins */
        if ((rc = bind_object_privilege_column(b, scope, fc, out)) != STRATA_OK || *out != NULL) {
            return rc;
        }
    }
    if (strcmp(name, "current_schema") == 0 || strcmp(name, "current_schemas") == 0) {
        return bind_current_schema_call(b, scope, fc, strcmp(name, "current_schemas") == 0, out);
    }
    if (strcmp(name, "pg_get_serial_sequence") == 0) {
        return bind_serial_sequence_call(b, scope, fc, out);
    }
    if (strcmp(name, "pg_table_is_visible") == 0) {
        return bind_table_visible_call(b, scope, fc, out);
    }
    if (fc->args.count > FUNC_ARGS_MAX) {
        return FAIL_AT(fc->location, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "cannot pass more than %d arguments to a function", FUNC_ARGS_MAX);
    }
    Expr **args = NULL;
    int arg_count = 0;
    rc = bind_call_args(b, scope, fc, name, &args, &arg_count);
    if (rc != STRATA_OK) {
        return rc;
    }
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(arg_count + 1));
    FuncMatch *m = arena_zalloc(b->a, sizeof(FuncMatch));
    if (types == NULL || m == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < arg_count; k++) {
        types[k] = args[k]->type;
    }
    if ((strcmp(name, "enum_first") == 0 || strcmp(name, "enum_last") == 0 ||
         strcmp(name, "enum_range") == 0) &&
        (arg_count == 1 || (arg_count == 2 && strcmp(name, "enum_range") == 0)) &&
        types[0].id == TYPE_ENUM && types[0].typmod >= 0 &&
        (arg_count == 1 || (types[1].id == TYPE_ENUM && types[1].typmod == types[0].typmod))) {
        return bind_enum_call(b, name, args, arg_count, fc->location, out);
    }
    if (func_resolve(name, types, arg_count, m, b->err) != STRATA_OK) {
        return bind_error_pos(b, fc->location);
    }
    if (m->def->set_fn != NULL && !(b->allow & BIND_ALLOW_SRF)) {
        return FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "set-returning functions are not allowed in %s", b->clause ? b->clause : "this context");
    }
    return make_func(b, m, args, arg_count, fc->location, out);
}

/* ---- windows ------------------------------------------------------------------ */

static const struct {
    const char *name;
    WinKind kind;
    int min_args, max_args;
} window_funcs[] = {
    {"row_number", WIN_ROW_NUMBER, 0, 0},   {"rank", WIN_RANK, 0, 0},
    {"dense_rank", WIN_DENSE_RANK, 0, 0},   {"percent_rank", WIN_PERCENT_RANK, 0, 0},
    {"cume_dist", WIN_CUME_DIST, 0, 0},     {"ntile", WIN_NTILE, 1, 1},
    {"lag", WIN_LAG, 1, 3},                 {"lead", WIN_LEAD, 1, 3},
    {"first_value", WIN_FIRST_VALUE, 1, 1}, {"last_value", WIN_LAST_VALUE, 1, 1},
    {"nth_value", WIN_NTH_VALUE, 2, 2},
};


/* RANGE BETWEEN x PRECEDING AND y FOLLOWING: one ORDER BY key, numeric with a numeric
 * offset or date/time/interval with an interval offset; the bound of each offset side
 * is the key moved by the offset (away from the sort direction for PRECEDING), bound
 * per row as an expression the executor evaluates (window.c). */
static int bind_range_offsets(Binder *b, Scope *scope, const WindowDef *frame, WinCall *w)
{
    if (w->order_count != 1) {
        return FAIL_AT(frame->location, SQLSTATE_WINDOWING_ERROR,
                       "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column");
    }
    SqlType key_type = w->order[0].expr->type;
    TypeId k = key_type.id;
    bool numeric = type_category(k) == TYPCAT_NUMERIC;
    bool temporal = k == TYPE_DATE || k == TYPE_TIMESTAMP || k == TYPE_TIMESTAMPTZ ||
                    k == TYPE_TIME || k == TYPE_INTERVAL;
    const Node *asts[2] = {frame->start_offset, frame->end_offset};
    Expr **offsets[2] = {&w->start_offset, &w->end_offset};
    int kinds[2] = {frame->start_kind, frame->end_kind};
    for (int side = 0; side < 2; side++) {
        if (asts[side] == NULL) {
            continue;
        }
        int rc = bind_expr(b, scope, asts[side], offsets[side]);
        if (rc != STRATA_OK) {
            return rc;
        }
        Expr *off = *offsets[side];
        if (off->type.id == TYPE_UNKNOWN) {
            rc = coerce_expr(b, off, temporal ? sql_type(TYPE_INTERVAL) : key_type, CAST_IMPLICIT,
                             NULL, &off);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        bool fits = (numeric && type_category(off->type.id) == TYPCAT_NUMERIC) ||
                    (temporal && off->type.id == TYPE_INTERVAL);
        if (!fits) {
            if (!numeric && !temporal) {
                return FAIL_AT(asts[side]->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                               "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s",
                               type_name(key_type, b->a));
            }
            rc = FAIL_AT(asts[side]->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s "
                         "and offset type %s",
                         type_name(key_type, b->a), type_name(off->type, b->a));
            error_hint(b->err, "Cast the offset value to an appropriate type.");
            return rc;
        }
        *offsets[side] = off;
        bool preceding = kinds[side] == FRAME_BOUND_OFFSET_PRECEDING;
        bool toward_lower = preceding != w->order[0].desc;
        Expr *key = w->order[0].expr, *moved = off;
        if ((rc = resolve_oper(b, toward_lower ? "-" : "+", &key, &moved, frame->location,
                               &w->range_bound[side])) != STRATA_OK) {
            return rc;
        }
    }
    w->frame_mode = frame->frame_mode;
    return STRATA_OK;
}

static int bind_window_def(Binder *b, Scope *scope, const WindowDef *wd, WinCall *w)
{
    const WindowDef *base = NULL;
    if (wd->refname != NULL) {
        base = bind_lookup_window(b, wd->refname);
        if (base == NULL) {
            return FAIL_AT(wd->location, SQLSTATE_UNDEFINED_OBJECT, "window \"%s\" does not exist", wd->refname);
        }
    }
    const NodeList *part = base && base->partition_by.count ? &base->partition_by : &wd->partition_by;
    const NodeList *order = wd->order_by.count ? &wd->order_by : (base ? &base->order_by : &wd->order_by);
    const WindowDef *frame = wd->frame_mode != FRAME_NONE || base == NULL ? wd : base;
    int rc = bind_list(b, scope, part, &w->partition);
    if (rc != STRATA_OK) {
        return rc;
    }
    w->partition_count = part->count;
    for (int k = 0; k < w->partition_count; k++) {
        if ((rc = finalize_unknown(b, &w->partition[k])) != STRATA_OK) {
            return rc;
        }
    }
    w->order_count = order->count;
    w->order = arena_zalloc(b->a, sizeof(SortKey) * (size_t)(order->count + 1));
    if (w->order == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < order->count; k++) {
        const SortBy *sb = (const SortBy *)order->items[k];
        rc = bind_expr(b, scope, sb->expr, &w->order[k].expr);
        if (rc == STRATA_OK) {
            rc = finalize_unknown(b, &w->order[k].expr);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        w->order[k].desc = sb->dir == SORT_DESC;
        w->order[k].nulls_first = sb->nulls == SORT_NULLS_DEFAULT ? sb->dir == SORT_DESC
                                                                   : sb->nulls == SORT_NULLS_FIRST;
    }
    w->frame_mode = frame->frame_mode;
    w->start_kind = frame->start_kind;
    w->end_kind = frame->end_kind;
    w->exclude = frame->exclude;
    if (frame->frame_mode == FRAME_RANGE && (frame->start_offset || frame->end_offset)) {
        return bind_range_offsets(b, scope, frame, w);
    }
    if (frame->start_offset) {
        rc = bind_expr(b, scope, frame->start_offset, &w->start_offset);
        if (rc == STRATA_OK && frame->frame_mode != FRAME_RANGE) {
            rc = coerce_expr(b, w->start_offset, sql_type(TYPE_INT8), CAST_IMPLICIT, NULL, &w->start_offset);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (frame->end_offset) {
        rc = bind_expr(b, scope, frame->end_offset, &w->end_offset);
        if (rc == STRATA_OK && frame->frame_mode != FRAME_RANGE) {
            rc = coerce_expr(b, w->end_offset, sql_type(TYPE_INT8), CAST_IMPLICIT, NULL, &w->end_offset);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int bind_window_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out)
{
    const char *name = func_name_of(fc);
    if (!(b->allow & BIND_ALLOW_WINDOW)) {
        return FAIL_AT(fc->location, SQLSTATE_WINDOWING_ERROR,
                       "window functions are not allowed in %s", b->clause ? b->clause : "this context");
    }
    WinCall *w = arena_zalloc(b->a, sizeof(WinCall));
    if (w == NULL) {
        return nomem(b);
    }
    int saved_allow = b->allow;
    b->allow &= ~BIND_ALLOW_WINDOW;
    int rc = bind_window_def(b, scope, fc->over, w);
    b->allow = saved_allow;
    if (rc != STRATA_OK) {
        return rc;
    }
    int kind = -1;
    for (size_t k = 0; k < sizeof(window_funcs) / sizeof(window_funcs[0]); k++) {
        if (strcmp(window_funcs[k].name, name) == 0) {
            kind = (int)k;
        }
    }
    if (kind < 0) {
        if (!agg_name_exists(name)) {
            return FAIL_AT(fc->location, SQLSTATE_WRONG_OBJECT_TYPE,
                           "OVER specified, but %s is not a window function nor an aggregate function", name);
        }
        FuncCall plain = *fc;
        plain.over = NULL;
        b->allow |= BIND_ALLOW_AGG;
        Expr *agg_expr;
        bool saw = b->saw_agg;
        rc = bind_agg_call(b, scope, &plain, &agg_expr);
        b->saw_agg = saw;
        b->allow = saved_allow;
        if (rc != STRATA_OK) {
            return rc;
        }
        w->kind = WIN_AGG;
        w->agg = *agg_expr->agg;
        w->result_type = agg_expr->type;
    } else {
        int n = fc->args.count;
        if (n < window_funcs[kind].min_args || n > window_funcs[kind].max_args) {
            return FAIL_AT(fc->location, SQLSTATE_UNDEFINED_FUNCTION, "function %s does not exist", name);
        }
        w->kind = window_funcs[kind].kind;
        b->allow &= ~BIND_ALLOW_WINDOW;
        rc = bind_list(b, scope, &fc->args, &w->agg.args);
        b->allow = saved_allow;
        if (rc != STRATA_OK) {
            return rc;
        }
        w->agg.arg_count = n;
        switch (w->kind) {
        case WIN_ROW_NUMBER: case WIN_RANK: case WIN_DENSE_RANK:
            w->result_type = sql_type(TYPE_INT8);
            break;
        case WIN_PERCENT_RANK: case WIN_CUME_DIST:
            w->result_type = sql_type(TYPE_FLOAT8);
            break;
        case WIN_NTILE:
            w->result_type = sql_type(TYPE_INT4);
            rc = coerce_expr(b, w->agg.args[0], sql_type(TYPE_INT4), CAST_IMPLICIT, NULL, &w->agg.args[0]);
            break;
        default:
            rc = bind_value_window_args(b, fc, w);
            break;
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    Expr *e = expr_new(b->a, EXPR_WINDOW_CALL, w->result_type, fc->location);
    if (e == NULL) {
        return nomem(b);
    }
    e->win = w;
    b->saw_window = true;
    *out = e;
    return STRATA_OK;
}

/* ---- compound expressions -------------------------------------------------------- */

static int bind_bool_expr(Binder *b, Scope *scope, const BoolExpr *be, Expr **out)
{
    ExprKind kind = be->op == BOOL_AND ? EXPR_AND : be->op == BOOL_OR ? EXPR_OR : EXPR_NOT;
    const char *word = be->op == BOOL_AND ? "AND" : be->op == BOOL_OR ? "OR" : "NOT";
    Expr *e = expr_new(b->a, kind, sql_type(TYPE_BOOL), be->location);
    if (e == NULL) {
        return nomem(b);
    }
    int rc = bind_list(b, scope, &be->args, &e->args);
    if (rc != STRATA_OK) {
        return rc;
    }
    e->arg_count = be->args.count;
    for (int k = 0; k < e->arg_count; k++) {
        if ((rc = coerce_bool(b, &e->args[k], word)) != STRATA_OK) {
            return rc;
        }
    }
    *out = e;
    return STRATA_OK;
}

static int bind_case(Binder *b, Scope *scope, const CaseExpr *ce, Expr **out)
{
    Expr *test = NULL;
    int rc;
    if (ce->arg != NULL && (rc = bind_expr(b, scope, ce->arg, &test)) != STRATA_OK) {
        return rc;
    }
    int nw = ce->whens.count;
    Expr *e = expr_new(b->a, EXPR_CASE, sql_type(TYPE_UNKNOWN), ce->location);
    if (e == NULL || (e->args = args_new(b, nw * 2 + 1)) == NULL) {
        return nomem(b);
    }
    Expr **results = args_new(b, nw + 1);
    if (results == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < nw; k++) {
        const CaseWhen *w = (const CaseWhen *)ce->whens.items[k];
        Expr *cond;
        if ((rc = bind_expr(b, scope, w->condition, &cond)) != STRATA_OK) {
            return rc;
        }
        if (test != NULL) {
            Expr *l = test;
            if ((rc = resolve_oper(b, "=", &l, &cond, w->condition->location, &cond)) != STRATA_OK) {
                return rc;
            }
        }
        if ((rc = coerce_bool(b, &cond, "CASE/WHEN")) != STRATA_OK) {
            return rc;
        }
        e->args[2 * k] = cond;
        if ((rc = bind_expr(b, scope, w->result, &results[k])) != STRATA_OK) {
            return rc;
        }
    }
    int nr = nw;
    if (ce->default_result != NULL) {
        if ((rc = bind_expr(b, scope, ce->default_result, &results[nr])) != STRATA_OK) {
            return rc;
        }
        nr++;
        e->has_else = true;
    }
    SqlType common;
    if ((rc = coerce_to_common(b, results, nr, "CASE", &common)) != STRATA_OK) {
        return rc;
    }
    for (int k = 0; k < nw; k++) {
        e->args[2 * k + 1] = results[k];
    }
    if (e->has_else) {
        e->args[2 * nw] = results[nw];
    }
    e->arg_count = 2 * nw + (e->has_else ? 1 : 0);
    e->type = common;
    *out = e;
    return STRATA_OK;
}

static int bind_variadic(Binder *b, Scope *scope, ExprKind kind, const NodeList *list,
                         const char *context, int location, Expr **out)
{
    Expr *e = expr_new(b->a, kind, sql_type(TYPE_UNKNOWN), location);
    if (e == NULL) {
        return nomem(b);
    }
    int rc = bind_list(b, scope, list, &e->args);
    if (rc != STRATA_OK) {
        return rc;
    }
    e->arg_count = list->count;
    if ((rc = coerce_to_common(b, e->args, e->arg_count, context, &e->type)) != STRATA_OK) {
        return rc;
    }
    if (kind == EXPR_MINMAX) {
        FuncMatch m;
        SqlType t = e->type;
        if (oper_resolve("<", &t, t, &m, b->err) != STRATA_OK) {
            return bind_error_pos(b, location);
        }
    }
    *out = e;
    return STRATA_OK;
}

static int bind_nullif(Binder *b, Scope *scope, const NullIfExpr *ne, Expr **out)
{
    Expr *l, *r, *eq;
    int rc = bind_expr(b, scope, ne->left, &l);
    if (rc == STRATA_OK) {
        rc = bind_expr(b, scope, ne->right, &r);
    }
    if (rc == STRATA_OK) {
        rc = resolve_oper(b, "=", &l, &r, ne->location, &eq);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Expr *e = expr_new(b->a, EXPR_NULLIF, eq->args[0]->type, ne->location);
    if (e == NULL || (e->args = args_new(b, 2)) == NULL) {
        return nomem(b);
    }
    e->args[0] = eq->args[0];
    e->args[1] = eq->args[1];
    e->arg_count = 2;
    e->fn = eq->fn;
    if (e->type.id == TYPE_UNKNOWN) {
        e->type = sql_type(TYPE_TEXT);
        if ((rc = finalize_unknown(b, &e->args[0])) != STRATA_OK ||
            (rc = finalize_unknown(b, &e->args[1])) != STRATA_OK) {
            return rc;
        }
    }
    *out = e;
    return STRATA_OK;
}

static int bind_row_compare(Binder *b, Scope *scope, const OpExpr *oe, Expr **out);

/* (a, b) IN ((1, 2), (3, 4)): an OR of row comparisons (NOT IN: an AND of <>),
 * as PostgreSQL expands it, with its three-valued logic. */
static int bind_row_in_list(Binder *b, Scope *scope, const InList *il, Expr **out)
{
    int n = il->list.count;
    Expr *e = expr_new(b->a, il->is_not ? EXPR_AND : EXPR_OR, sql_type(TYPE_BOOL), il->location);
    if (e == NULL || (e->args = args_new(b, n)) == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < n; k++) {
        const Node *item = il->list.items[k];
        if (item->tag != N_ROW || ((const RowExpr *)item)->args.count == 1) {
            Expr *bound;
            int rc = bind_expr(b, scope, item, &bound);
            if (rc != STRATA_OK) {
                return rc;
            }
            rc = FAIL_AT(il->location, SQLSTATE_UNDEFINED_FUNCTION,
                         "operator does not exist: record = %s", type_id_name(bound->type.id));
            error_hint(b->err, "No operator matches the given name and argument types. You "
                               "might need to add explicit type casts.");
            return rc;
        }
        OpExpr cmp = {.tag = N_OP_EXPR,
                      .location = il->location,
                      .op = il->is_not ? "<>" : "=",
                      .left = il->expr,
                      .right = (Node *)item};
        int rc = bind_row_compare(b, scope, &cmp, &e->args[k]);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    e->arg_count = n;
    *out = n == 1 ? e->args[0] : e;
    return STRATA_OK;
}

static int bind_in_list(Binder *b, Scope *scope, const InList *il, Expr **out)
{
    int n = il->list.count;
    if (il->expr->tag == N_ROW && ((const RowExpr *)il->expr)->args.count > 1) {
        return bind_row_in_list(b, scope, il, out);
    }
    Expr **items = args_new(b, n + 1);
    if (items == NULL) {
        return nomem(b);
    }
    int rc = bind_expr(b, scope, il->expr, &items[0]);
    for (int k = 0; rc == STRATA_OK && k < n; k++) {
        rc = bind_expr(b, scope, il->list.items[k], &items[k + 1]);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (items[0]->type.id != TYPE_UNKNOWN || true) {
        SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(n + 1));
        if (types == NULL) {
            return nomem(b);
        }
        for (int k = 0; k <= n; k++) {
            types[k] = items[k]->type;
        }
        SqlType common;
        Error scratch;
        error_clear(&scratch);
        if (type_common(types, n + 1, "IN", &common, &scratch) == STRATA_OK) {
            Expr *l = items[0], *r = items[1];
            for (int k = 0; k <= n; k++) {
                if ((rc = coerce_expr(b, items[k], common, CAST_IMPLICIT, NULL, &items[k])) != STRATA_OK) {
                    return rc;
                }
            }
            l = items[0];
            r = items[1];
            Expr *eq;
            if ((rc = resolve_oper(b, "=", &l, &r, il->location, &eq)) != STRATA_OK) {
                return rc;
            }
            Expr *e = expr_new(b->a, EXPR_IN_LIST, sql_type(TYPE_BOOL), il->location);
            if (e == NULL) {
                return nomem(b);
            }
            e->args = items;
            e->arg_count = n + 1;
            e->fn = eq->fn;
            e->is_not = il->is_not;
            if (eq->args[0]->kind == EXPR_CAST || eq->args[1]->kind == EXPR_CAST) {
                /* The operator wants other types than the common one: cast every item. */
                for (int k = 0; k <= n; k++) {
                    if ((rc = coerce_expr(b, items[k], eq->args[0]->type, CAST_IMPLICIT, NULL, &items[k])) != STRATA_OK) {
                        return rc;
                    }
                }
            }
            *out = e;
            return STRATA_OK;
        }
    }
    /* No common type: an OR (AND for NOT IN) of separate comparisons, as PostgreSQL. */
    Expr *e = expr_new(b->a, il->is_not ? EXPR_AND : EXPR_OR, sql_type(TYPE_BOOL), il->location);
    if (e == NULL || (e->args = args_new(b, n)) == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < n; k++) {
        Expr *l = items[0], *r = items[k + 1];
        if ((rc = resolve_oper(b, il->is_not ? "<>" : "=", &l, &r, il->location, &e->args[k])) != STRATA_OK) {
            return rc;
        }
    }
    e->arg_count = n;
    if (n == 1) {
        e = e->args[0];
    }
    *out = e;
    return STRATA_OK;
}

static int make_bool2(Binder *b, ExprKind kind, Expr *x, Expr *y, int location, Expr **out)
{
    Expr *e = expr_new(b->a, kind, sql_type(TYPE_BOOL), location);
    if (e == NULL || (e->args = args_new(b, 2)) == NULL) {
        return nomem(b);
    }
    e->args[0] = x;
    e->args[1] = y;
    e->arg_count = 2;
    *out = e;
    return STRATA_OK;
}

static int bind_between(Binder *b, Scope *scope, const BetweenExpr *be, Expr **out)
{
    Expr *x, *lo, *hi;
    int rc = bind_expr(b, scope, be->expr, &x);
    if (rc == STRATA_OK) {
        rc = bind_expr(b, scope, be->low, &lo);
    }
    if (rc == STRATA_OK) {
        rc = bind_expr(b, scope, be->high, &hi);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    const char *op1 = be->is_not ? "<" : ">=";
    const char *op2 = be->is_not ? ">" : "<=";
    Expr *c1, *c2, *x1 = x, *x2 = x, *l = lo, *h = hi;
    if ((rc = resolve_oper(b, op1, &x1, &l, be->location, &c1)) != STRATA_OK ||
        (rc = resolve_oper(b, op2, &x2, &h, be->location, &c2)) != STRATA_OK) {
        return rc;
    }
    rc = make_bool2(b, be->is_not ? EXPR_OR : EXPR_AND, c1, c2, be->location, out);
    if (rc != STRATA_OK || !be->is_symmetric) {
        return rc;
    }
    Expr *d1, *d2, *swapped, *x3 = x, *x4 = x, *l2 = lo, *h2 = hi;
    if ((rc = resolve_oper(b, op1, &x3, &h2, be->location, &d1)) != STRATA_OK ||
        (rc = resolve_oper(b, op2, &x4, &l2, be->location, &d2)) != STRATA_OK ||
        (rc = make_bool2(b, be->is_not ? EXPR_OR : EXPR_AND, d1, d2, be->location, &swapped)) != STRATA_OK) {
        return rc;
    }
    return make_bool2(b, be->is_not ? EXPR_AND : EXPR_OR, *out, swapped, be->location, out);
}

static int bind_like(Binder *b, Scope *scope, const LikeExpr *le, Expr **out)
{
    Expr *x, *p;
    int rc = bind_expr(b, scope, le->expr, &x);
    if (rc == STRATA_OK) {
        rc = bind_expr(b, scope, le->pattern, &p);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (le->escape != NULL) {
        Expr *esc;
        if ((rc = bind_expr(b, scope, le->escape, &esc)) != STRATA_OK) {
            return rc;
        }
        FuncMatch m;
        SqlType types[2] = {p->type, esc->type};
        if (func_resolve("like_escape", types, 2, &m, b->err) != STRATA_OK) {
            return bind_error_pos(b, le->location);
        }
        Expr *args[2] = {p, esc};
        if ((rc = make_func(b, &m, args, 2, le->location, &p)) != STRATA_OK) {
            return rc;
        }
    }
    const char *op;
    if (le->kind == LIKE_LIKE) {
        op = le->is_not ? "!~~" : "~~";
    } else if (le->kind == LIKE_ILIKE) {
        op = le->is_not ? "!~~*" : "~~*";
    } else {
        FuncMatch m;
        SqlType t = p->type;
        if (func_resolve("similar_to_escape", &t, 1, &m, b->err) != STRATA_OK) {
            return bind_error_pos(b, le->location);
        }
        if ((rc = make_func(b, &m, &p, 1, le->location, &p)) != STRATA_OK) {
            return rc;
        }
        op = le->is_not ? "!~" : "~";
    }
    return resolve_oper(b, op, &x, &p, le->location, out);
}

static int bind_row_compare(Binder *b, Scope *scope, const OpExpr *oe, Expr **out)
{
    const RowExpr *l = (const RowExpr *)oe->left, *r = (const RowExpr *)oe->right;
    int n = l->args.count;
    if (n != r->args.count) {
        return FAIL_AT(oe->location, SQLSTATE_SYNTAX_ERROR, "unequal number of entries in row expressions");
    }
    Expr **la, **ra;
    int rc = bind_list(b, scope, &l->args, &la);
    if (rc == STRATA_OK) {
        rc = bind_list(b, scope, &r->args, &ra);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    const char *op = oe->op;
    int cmp = strcmp(op, "=") == 0 ? COMPARE_EQ : strcmp(op, "<>") == 0 ? COMPARE_NE
            : strcmp(op, "<") == 0 ? COMPARE_LT : strcmp(op, "<=") == 0 ? COMPARE_LE
            : strcmp(op, ">") == 0 ? COMPARE_GT : strcmp(op, ">=") == 0 ? COMPARE_GE : -1;
    if (cmp < 0) {
        return FAIL_AT(oe->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "operator %s is not supported for row expressions", op);
    }
    Expr *e = expr_new(b->a, EXPR_ROW_CMP, sql_type(TYPE_BOOL), oe->location);
    if (e == NULL || (e->args = args_new(b, 2 * n)) == NULL ||
        (e->row_fns = arena_zalloc(b->a, sizeof(FuncDef *) * (size_t)(2 * n))) == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < n; k++) {
        Expr *eq, *opx, *x = la[k], *y = ra[k];
        if ((rc = resolve_oper(b, "=", &x, &y, oe->location, &eq)) != STRATA_OK) {
            return rc;
        }
        x = la[k];
        y = ra[k];
        if ((rc = resolve_oper(b, cmp == COMPARE_NE ? "<>" : op, &x, &y, oe->location, &opx)) != STRATA_OK) {
            return rc;
        }
        e->args[k] = eq->args[0];
        e->args[n + k] = eq->args[1];
        e->row_fns[k] = eq->fn;
        e->row_fns[n + k] = opx->fn;
    }
    e->arg_count = 2 * n;
    e->op = cmp;
    *out = e;
    return STRATA_OK;
}

static int bind_sql_value(Binder *b, const SqlValue *sv, Expr **out)
{
    SqlType t;
    switch (sv->kind) {
    case SQL_VALUE_CURRENT_DATE: t = sql_type(TYPE_DATE); break;
    case SQL_VALUE_CURRENT_TIME: case SQL_VALUE_LOCALTIME: t = sql_type(TYPE_TIME); break;
    case SQL_VALUE_CURRENT_TIMESTAMP: t = sql_type(TYPE_TIMESTAMPTZ); break;
    case SQL_VALUE_LOCALTIMESTAMP: t = sql_type(TYPE_TIMESTAMP); break;
    default: t = sql_type(TYPE_TEXT); break;
    }
    Expr *e = expr_new(b->a, EXPR_SQL_VALUE, t, sv->location);
    if (e == NULL) {
        return nomem(b);
    }
    e->sql_value = sv->kind;
    *out = e;
    return STRATA_OK;
}

int bind_expr(Binder *b, Scope *scope, const Node *node, Expr **out)
{
    if (++b->depth > LIMIT_EXPRESSION_DEPTH) {
        b->depth--;
        return FAIL_AT(node->location, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
    }
    int rc = STRATA_OK;
    switch (node->tag) {
    case N_COLUMN_REF:
        rc = bind_column_ref(b, scope, (const ColumnRef *)node, out);
        break;
    case N_CONST:
        rc = bind_const(b, (const Const *)node, out);
        break;
    case N_PARAM:
        rc = bind_param(b, (const Param *)node, out);
        break;
    case N_CAST: {
        const Cast *c = (const Cast *)node;
        SqlType t;
        Expr *arg;
        if (c->arg->tag == N_ARRAY && ((const ArrayExpr *)c->arg)->elements.count == 0) {
            /* ARRAY[]::int[]: the cast gives the empty array its type */
            if ((rc = bind_type_name(b, c->type, &t)) == STRATA_OK) {
                rc = type_is_array(t.id) ? bind_array_empty(b, t, c->location, out)
                                         : FAIL_AT(c->location, SQLSTATE_CANNOT_COERCE,
                                                   "cannot cast type text[] to %s",
                                                   type_name(t, b->a));
            }
            break;
        }
        if (c->arg->tag == N_CONST && ((const Const *)c->arg)->kind == CONST_STRING &&
            c->type->array_dims == 0 &&
            (strcmp(c->type->name, "regclass") == 0 ||
             strcmp(c->type->name, "pg_catalog.regclass") == 0)) {
            rc = bind_regclass_literal(b, (const Const *)c->arg, c->arg->location, out);
            break;
        }
        if (c->arg->tag == N_CONST && ((const Const *)c->arg)->kind == CONST_STRING &&
            c->type->array_dims == 0 &&
            (strcmp(c->type->name, "regtype") == 0 ||
             strcmp(c->type->name, "pg_catalog.regtype") == 0)) {
            rc = bind_regtype_literal(b, (const Const *)c->arg, c->location, out);
            break;
        }
        const CatType *domain = bind_find_domain(b, c->type);
        if (domain != NULL) {
            /* x::domain: x cast to the base type, then the domain's checks */
            if ((rc = bind_expr(b, scope, c->arg, &arg)) == STRATA_OK &&
                (rc = coerce_expr(b, arg, domain->base, CAST_EXPLICIT, NULL, &arg)) ==
                    STRATA_OK) {
                rc = bind_domain_coerce(b, arg, domain, c->location, out);
            }
            break;
        }
        if ((rc = bind_type_name(b, c->type, &t)) == STRATA_OK &&
            (rc = bind_expr(b, scope, c->arg, &arg)) == STRATA_OK) {
            if (arg->type.id == t.id && arg->type.typmod != t.typmod && t.typmod >= 0) {
                rc = coerce_expr(b, arg, t, CAST_EXPLICIT, NULL, out);
            } else if (arg->type.id == t.id && t.typmod < 0 && arg->type.typmod >= 0) {
                Expr *cast = expr_new(b->a, EXPR_CAST, t, c->location);
                if (cast == NULL || (cast->args = args_new(b, 1)) == NULL) {
                    return nomem(b);
                }
                cast->args[0] = arg;
                cast->arg_count = 1;
                cast->cast_context = CAST_EXPLICIT;
                *out = cast;
            } else {
                rc = coerce_expr(b, arg, t, CAST_EXPLICIT, NULL, out);
                if (rc == STRATA_OK && (*out)->kind == EXPR_CAST) {
                    (*out)->location = c->location;
                }
            }
        }
        break;
    }
    case N_OP_EXPR: {
        const OpExpr *oe = (const OpExpr *)node;
        if (oe->left && oe->left->tag == N_ROW && oe->right && oe->right->tag == N_ROW) {
            rc = bind_row_compare(b, scope, oe, out);
            break;
        }
        Expr *l = NULL, *r;
        if (oe->left && (rc = bind_expr(b, scope, oe->left, &l)) != STRATA_OK) {
            break;
        }
        if ((rc = bind_expr(b, scope, oe->right, &r)) != STRATA_OK) {
            break;
        }
        rc = resolve_oper(b, oe->op, oe->left ? &l : NULL, &r, oe->location, out);
        break;
    }
    case N_BOOL_EXPR:
        rc = bind_bool_expr(b, scope, (const BoolExpr *)node, out);
        break;
    case N_FUNC_CALL:
        rc = bind_func_call(b, scope, (const FuncCall *)node, out);
        break;
    case N_CASE:
        rc = bind_case(b, scope, (const CaseExpr *)node, out);
        break;
    case N_COALESCE:
        rc = bind_variadic(b, scope, EXPR_COALESCE, &((const CoalesceExpr *)node)->args, "COALESCE",
                           node->location, out);
        break;
    case N_MINMAX: {
        const MinMaxExpr *mm = (const MinMaxExpr *)node;
        rc = bind_variadic(b, scope, EXPR_MINMAX, &mm->args, mm->is_greatest ? "GREATEST" : "LEAST",
                           node->location, out);
        if (rc == STRATA_OK) {
            (*out)->is_greatest = mm->is_greatest;
        }
        break;
    }
    case N_NULLIF:
        rc = bind_nullif(b, scope, (const NullIfExpr *)node, out);
        break;
    case N_SUBLINK:
        rc = bind_sublink(b, scope, (const SubLink *)node, out);
        break;
    case N_IN_LIST:
        rc = bind_in_list(b, scope, (const InList *)node, out);
        break;
    case N_BETWEEN:
        rc = bind_between(b, scope, (const BetweenExpr *)node, out);
        break;
    case N_LIKE:
        rc = bind_like(b, scope, (const LikeExpr *)node, out);
        break;
    case N_NULL_TEST: {
        const NullTest *nt = (const NullTest *)node;
        Expr *arg;
        if ((rc = bind_expr(b, scope, nt->arg, &arg)) == STRATA_OK) {
            Expr *e = expr_new(b->a, EXPR_NULL_TEST, sql_type(TYPE_BOOL), nt->location);
            if (e == NULL || (e->args = args_new(b, 1)) == NULL) {
                return nomem(b);
            }
            e->args[0] = arg;
            e->arg_count = 1;
            e->is_not = nt->is_not;
            *out = e;
        }
        break;
    }
    case N_BOOL_TEST: {
        const BoolTest *bt = (const BoolTest *)node;
        Expr *arg;
        if ((rc = bind_expr(b, scope, bt->arg, &arg)) == STRATA_OK &&
            (rc = coerce_bool(b, &arg, "IS TRUE")) == STRATA_OK) {
            Expr *e = expr_new(b->a, EXPR_BOOL_TEST, sql_type(TYPE_BOOL), bt->location);
            if (e == NULL || (e->args = args_new(b, 1)) == NULL) {
                return nomem(b);
            }
            e->args[0] = arg;
            e->arg_count = 1;
            e->test_kind = bt->kind;
            *out = e;
        }
        break;
    }
    case N_DISTINCT_EXPR: {
        const DistinctExpr *de = (const DistinctExpr *)node;
        Expr *l, *r, *eq;
        if ((rc = bind_expr(b, scope, de->left, &l)) == STRATA_OK &&
            (rc = bind_expr(b, scope, de->right, &r)) == STRATA_OK &&
            (rc = resolve_oper(b, "=", &l, &r, de->location, &eq)) == STRATA_OK) {
            eq->kind = EXPR_DISTINCT;
            eq->type = sql_type(TYPE_BOOL);
            eq->is_not = de->is_not;
            *out = eq;
        }
        break;
    }
    case N_SQL_VALUE:
        rc = bind_sql_value(b, (const SqlValue *)node, out);
        break;
    case N_COLLATE:
        rc = bind_expr(b, scope, ((const CollateExpr *)node)->arg, out);
        break;
    case N_ROW:
        if (((const RowExpr *)node)->args.count == 1) {
            rc = bind_expr(b, scope, ((const RowExpr *)node)->args.items[0], out);
            break;
        }
        rc = FAIL_AT(node->location, SQLSTATE_FEATURE_NOT_SUPPORTED, "row expressions are not supported here");
        break;
    case N_DEFAULT:
        rc = FAIL_AT(node->location, SQLSTATE_SYNTAX_ERROR, "DEFAULT is not allowed in this context");
        break;
    case N_ARRAY:
        rc = bind_array_expr(b, scope, (const ArrayExpr *)node, out);
        break;
    case N_SUBSCRIPT:
        rc = bind_subscript(b, scope, (const Subscript *)node, out);
        break;
    case N_ARRAY_OP:
        rc = bind_array_op(b, scope, (const ArrayOp *)node, out);
        break;
    default:
        rc = FAIL_AT(node->location, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported",
                     ast_tag_name(node->tag));
        break;
    }
    b->depth--;
    if (rc == STRATA_OK && *out == NULL) {
        return nomem(b);
    }
    return rc;
}

int bind_expr_bool(Binder *b, Scope *scope, const Node *node, const char *clause, Expr **out)
{
    const char *saved = b->clause;
    b->clause = clause;
    int rc = bind_expr(b, scope, node, out);
    b->clause = saved;
    if (rc == STRATA_OK) {
        rc = coerce_bool(b, out, clause);
    }
    return rc;
}

/* ---- output column names (PostgreSQL's FigureColname) ------------------------------ */

const char *figure_colname(const Node *node, int *strength)
{
    *strength = 0;
    if (node == NULL) {
        return "?column?";
    }
    switch (node->tag) {
    case N_COLUMN_REF: {
        const ColumnRef *c = (const ColumnRef *)node;
        if (!c->is_star && c->fields.count > 0) {
            *strength = 2;
            return c->fields.items[c->fields.count - 1];
        }
        break;
    }
    case N_FUNC_CALL: {
        const FuncCall *fc = (const FuncCall *)node;
        *strength = 2;
        if (fc->syntax == FUNC_SYNTAX_AT_TIME_ZONE) {
            *strength = 1;
            return "timezone";
        }
        return fc->name.items[fc->name.count - 1];
    }
    case N_CAST: {
        const Cast *c = (const Cast *)node;
        int s;
        const char *n = figure_colname(c->arg, &s);
        if (s >= 2) {
            *strength = s; /* a column or function name wins; another cast's type does not */
            return n;
        }
        *strength = 1;
        const char *tn = c->type->name;
        if (strcmp(tn, "bpchar") == 0) {
            return "bpchar";
        }
        return tn;
    }
    case N_CASE: *strength = 1; return "case";
    case N_COALESCE: *strength = 2; return "coalesce";
    case N_NULLIF: *strength = 2; return "nullif";
    case N_MINMAX: *strength = 2; return ((const MinMaxExpr *)node)->is_greatest ? "greatest" : "least";
    case N_ROW: *strength = 2; return "row";
    case N_ARRAY: *strength = 2; return "array";
    case N_SUBSCRIPT: return figure_colname(((const Subscript *)node)->arg, strength);
    case N_COLLATE: return figure_colname(((const CollateExpr *)node)->arg, strength);
    case N_SUBLINK: {
        const SubLink *sl = (const SubLink *)node;
        if (sl->kind == SUBLINK_EXISTS) {
            *strength = 2;
            return "exists";
        }
        if (sl->kind == SUBLINK_ARRAY) {
            *strength = 2;
            return "array";
        }
        if (sl->kind == SUBLINK_EXPR) {
            const SelectStmt *q = (const SelectStmt *)sl->subquery;
            while (q && q->op != SETOP_NONE) {
                q = q->left;
            }
            if (q && q->targets.count > 0) {
                const ResTarget *rt = (const ResTarget *)q->targets.items[0];
                if (rt->name) {
                    *strength = 2;
                    return rt->name;
                }
                return figure_colname(rt->val, strength);
            }
        }
        break;
    }
    case N_SQL_VALUE: {
        static const char *names[] = {"current_date", "current_time", "current_timestamp",
                                      "localtime", "localtimestamp", "current_user", "current_role",
                                      "session_user", "user", "current_schema", "current_catalog"};
        *strength = 2;
        return names[((const SqlValue *)node)->kind];
    }
    default:
        break;
    }
    return "?column?";
}
