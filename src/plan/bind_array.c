/*
 * plan/bind_array.c - binding of array syntax: ARRAY[...], subscripts
 * a[i] and a[lo:hi], and `x op ANY|SOME|ALL (array)`.
 *
 * ARRAY[...] and subscripts become EXPR_FUNC calls of the internal
 * definitions FUNC_ARRAY_CONSTRUCT / _SUBSCRIPT / _SLICE (types/func.h);
 * the quantified comparison becomes EXPR_ARRAY_OP, whose fn is the element
 * comparison resolved like PostgreSQL's make_scalar_array_op.
 *
 * Invariants
 *   1. The elements of an ARRAY[...] are cast to one common element type
 *      (select_common_type with context "ARRAY"), so the constructor's
 *      arguments all have the element type of its result.
 *   2. An EXPR_ARRAY_OP's args[1] is of an array type whose element type is
 *      fn's right parameter type; args[0] has fn's left parameter type.
 *
 * See src/plan/README.md.
 */
#include <stdint.h>
#include <string.h>

#include "plan/bind_int.h"
#include "types/array.h"
#include "types/cast.h"
#include "types/typeinfo.h"

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

static int nomem(Binder *b)
{
    return arena_error(b->a, b->err);
}

static int func_expr(Binder *b, const FuncDef *fn, SqlType type, Expr **args, int count,
                     int location, Expr **out)
{
    Expr *e = expr_new(b->a, EXPR_FUNC, type, location);
    Expr **copy = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count + 1));
    if (e == NULL || copy == NULL) {
        return nomem(b);
    }
    memcpy(copy, args, sizeof(Expr *) * (size_t)count);
    e->fn = fn;
    e->args = copy;
    e->arg_count = count;
    *out = e;
    return STRATA_OK;
}

int bind_array_empty(Binder *b, SqlType array_type, int location, Expr **out)
{
    Value v = {0};
    v.type = array_type;
    if (array_encode(type_array_elem(array_type.id), NULL, 0, b->a, &v.str, b->err) != STRATA_OK) {
        return bind_error_pos(b, location);
    }
    *out = expr_const(b->a, v, location);
    return *out != NULL ? STRATA_OK : nomem(b);
}

int bind_array_expr(Binder *b, Scope *scope, const ArrayExpr *ae, Expr **out)
{
    int count = ae->elements.count;
    if (count == 0) {
        error_set(b->err, SQLSTATE_INDETERMINATE_DATATYPE, "cannot determine type of empty array");
        error_hint(b->err, "Explicitly cast to the desired type, for example ARRAY[]::integer[].");
        return bind_error_pos(b, ae->location);
    }
    Expr **items = arena_zalloc(b->a, sizeof(Expr *) * (size_t)count);
    if (items == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < count; k++) {
        const Node *element = ae->elements.items[k];
        /* ARRAY[[1,2],[3,4]]: an inner bracket list is an array of its own */
        int rc = element->tag == N_ARRAY
                     ? bind_array_expr(b, scope, (const ArrayExpr *)element, &items[k])
                     : bind_expr(b, scope, element, &items[k]);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    SqlType elem;
    int rc = coerce_to_common(b, items, count, "ARRAY", &elem);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (type_is_array(elem.id)) {
        /* arrays as elements: stacked into one more dimension */
        return func_expr(b, &FUNC_ARRAY_STACK, elem, items, count, ae->location, out);
    }
    if (type_array_of(elem.id) == TYPE_COUNT) {
        return FAIL_AT(ae->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "arrays of type %s are not supported", type_name(elem, b->a));
    }
    SqlType type = sql_type_mod(type_array_of(elem.id), elem.typmod);
    return func_expr(b, &FUNC_ARRAY_CONSTRUCT, type, items, count, ae->location, out);
}

/* A subscript bound: cast to integer (42804 as PostgreSQL when impossible). */
static int bind_vector_subscript(Binder *b, Scope *scope, const Subscript *sub, Expr *vector,
                                 Expr **out);

static int bind_bound(Binder *b, Scope *scope, const Node *node, int32_t missing, int location,
                      Expr **out)
{
    if (node == NULL) {
        *out = expr_const(b->a, value_i64(TYPE_INT4, missing), location);
        return *out != NULL ? STRATA_OK : nomem(b);
    }
    Expr *e;
    int rc = bind_expr(b, scope, node, &e);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (e->type.id != TYPE_INT4 && e->type.id != TYPE_UNKNOWN &&
        !cast_allowed(e->type.id, TYPE_INT4, CAST_ASSIGNMENT)) {
        return FAIL_AT(node->location, SQLSTATE_DATATYPE_MISMATCH,
                       "array subscript must have type integer");
    }
    return coerce_expr(b, e, sql_type(TYPE_INT4), CAST_ASSIGNMENT, NULL, out);
}

int bind_subscript(Binder *b, Scope *scope, const Subscript *sub, Expr **out)
{
    /* a[i][j]...: one call with an index per level, the innermost first */
    const Subscript *chain[ARRAY_DIMS_MAX];
    int depth = 0;
    chain[depth++] = sub;
    while (!sub->is_slice && depth < ARRAY_DIMS_MAX && chain[depth - 1]->arg->tag == N_SUBSCRIPT &&
           !((const Subscript *)chain[depth - 1]->arg)->is_slice) {
        chain[depth] = (const Subscript *)chain[depth - 1]->arg;
        depth++;
    }
    if (depth > 1) {
        Expr *indexes[ARRAY_DIMS_MAX + 1];
        int rc = bind_expr(b, scope, chain[depth - 1]->arg, &indexes[0]);
        if (rc != STRATA_OK) {
            return rc;
        }
        SqlType type = indexes[0]->type;
        if (!type_is_array(type.id)) {
            return FAIL_AT(chain[depth - 1]->arg->location, SQLSTATE_DATATYPE_MISMATCH,
                           "cannot subscript type %s because it does not support subscripting",
                           type_name(type.id == TYPE_UNKNOWN ? sql_type(TYPE_TEXT) : type, b->a));
        }
        for (int level = 0; level < depth; level++) {
            const Subscript *at = chain[depth - 1 - level];
            if ((rc = bind_bound(b, scope, at->lower, 1, at->location, &indexes[1 + level])) !=
                STRATA_OK) {
                return rc;
            }
        }
        SqlType elem = sql_type_mod(type_array_elem(type.id), type.typmod);
        return func_expr(b, &FUNC_ARRAY_SUBSCRIPT, elem, indexes, depth + 1, sub->location, out);
    }
    Expr *args[3];
    int rc = bind_expr(b, scope, sub->arg, &args[0]);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (type_vector_array(args[0]->type.id) != TYPE_COUNT && !sub->is_slice) {
        return bind_vector_subscript(b, scope, sub, args[0], out);
    }
    SqlType type = args[0]->type;
    if (!type_is_array(type.id)) {
        return FAIL_AT(sub->arg->location, SQLSTATE_DATATYPE_MISMATCH,
                       "cannot subscript type %s because it does not support subscripting",
                       type_name(type.id == TYPE_UNKNOWN ? sql_type(TYPE_TEXT) : type, b->a));
    }
    if ((rc = bind_bound(b, scope, sub->lower, 1, sub->location, &args[1])) != STRATA_OK) {
        return rc;
    }
    if (!sub->is_slice) {
        SqlType elem = sql_type_mod(type_array_elem(type.id), type.typmod);
        return func_expr(b, &FUNC_ARRAY_SUBSCRIPT, elem, args, 2, sub->location, out);
    }
    if ((rc = bind_bound(b, scope, sub->upper, INT32_MAX, sub->location, &args[2])) != STRATA_OK) {
        return rc;
    }
    return func_expr(b, &FUNC_ARRAY_SLICE, type, args, 3, sub->location, out);
}

/* vector[i] (int2vector, oidvector): subscripts count from 0, as PostgreSQL's
 * vectors have lower bound 0; bound as the array's subscript at i + 1. */
static int bind_vector_subscript(Binder *b, Scope *scope, const Subscript *sub, Expr *vector,
                                 Expr **out)
{
    Expr *args[2], *one;
    TypeId array = type_vector_array(vector->type.id);
    int rc = coerce_expr(b, vector, sql_type(array), CAST_IMPLICIT, NULL, &args[0]);
    if (rc == STRATA_OK) {
        rc = bind_bound(b, scope, sub->lower, 1, sub->location, &args[1]);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if ((one = expr_const(b->a, value_i64(TYPE_INT4, 1), sub->location)) == NULL) {
        return nomem(b);
    }
    if ((rc = resolve_oper(b, "+", &args[1], &one, sub->location, &args[1])) != STRATA_OK) {
        return rc;
    }
    return func_expr(b, &FUNC_ARRAY_SUBSCRIPT, sql_type(type_array_elem(array)), args, 2,
                     sub->location, out);
}

/* The array type of elements of type elem; an enum's keeps its typmod (the
 * enum type), which reading its labels needs. */
static SqlType array_of(SqlType elem)
{
    return sql_type_mod(type_array_of(elem.id), elem.id == TYPE_ENUM ? elem.typmod : -1);
}

/* x op ANY|ALL (array): PostgreSQL's make_scalar_array_op. An untyped
 * literal array takes the array type of x. The operator is resolved between x
 * and the element type; when it wants the elements cast, the array is cast. */
int bind_array_op(Binder *b, Scope *scope, const ArrayOp *ao, Expr **out)
{
    Expr *left, *right;
    int rc = bind_expr(b, scope, ao->left, &left);
    if (rc == STRATA_OK) {
        rc = bind_expr(b, scope, ao->right, &right);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (right->type.id == TYPE_UNKNOWN) {
        TypeId elem = left->type.id == TYPE_UNKNOWN ? TYPE_TEXT : left->type.id;
        if (type_array_of(elem) == TYPE_COUNT) {
            return FAIL_AT(ao->location, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s%s%s",
                           type_is_array(elem) ? "multidimensional arrays" : "arrays of type ",
                           type_is_array(elem) ? "" : type_name(left->type, b->a),
                           " are not supported");
        }
        rc = coerce_expr(b, right, array_of(sql_type_mod(elem, left->type.typmod)), CAST_IMPLICIT,
                         NULL, &right);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (type_vector_array(right->type.id) != TYPE_COUNT) {
        rc = coerce_expr(b, right, sql_type(type_vector_array(right->type.id)), CAST_IMPLICIT,
                         NULL, &right);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (!type_is_array(right->type.id)) {
        return FAIL_AT(ao->location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "op ANY/ALL (array) requires array on right side");
    }
    SqlType elem = sql_type_mod(type_array_elem(right->type.id), right->type.typmod);
    Expr *slot = expr_column(b->a, 0, elem);
    if (slot == NULL) {
        return nomem(b);
    }
    Expr *l = left, *r = slot, *cmp;
    if ((rc = resolve_oper(b, ao->op, &l, &r, ao->location, &cmp)) != STRATA_OK) {
        return rc;
    }
    if (cmp->kind != EXPR_FUNC || cmp->type.id != TYPE_BOOL) {
        return FAIL_AT(ao->location, SQLSTATE_WRONG_OBJECT_TYPE,
                       "op ANY/ALL (array) requires operator to yield boolean");
    }
    if (cmp->args[1] != slot) {
        SqlType target = array_of(cmp->args[1]->type);
        if ((rc = coerce_expr(b, right, target, CAST_IMPLICIT, NULL, &right)) != STRATA_OK) {
            return rc;
        }
    }
    Expr *e = expr_new(b->a, EXPR_ARRAY_OP, sql_type(TYPE_BOOL), ao->location);
    if (e == NULL || (e->args = arena_zalloc(b->a, sizeof(Expr *) * 2)) == NULL) {
        return nomem(b);
    }
    e->args[0] = cmp->args[0];
    e->args[1] = right;
    e->arg_count = 2;
    e->fn = cmp->fn;
    e->is_all = ao->is_all;
    *out = e;
    return STRATA_OK;
}
