/*
 * exec/vec_expr.c - the batch expression evaluator (see vec_expr.h for the
 * contract and the error rule).
 *
 * Node kinds, in the order eval.c's cases appear:
 *   column     the batch's vector itself (no copy)
 *   constant   a vector filled once (parameters too; correlation values are
 *              refilled per batch, as a correlated plan may be re-run)
 *   int / %    integer division and modulo (the registry has no kernel for
 *              them): 22012 on a zero divisor, 22003 as int_div / int_mod
 *   kernel     a function with a registry vector kernel whose declared
 *              argument types are exactly its arguments' (+ - * on integers
 *              and float8, / on float8, the six comparisons)
 *   text =/<>  byte comparison of text/varchar, and LIKE 'prefix%'
 *   IN list    x [NOT] IN (constants), integers or text: compared in a loop
 *   scalar fn  any other function: arguments batch-wise, then the function
 *              per row (strictness as call_fn)
 *   AND / OR / NOT, IS [NOT] NULL, IS TRUE ..., CASE, COALESCE, CAST
 *   row        anything else: eval_expr over the row's Values, row by row
 *
 * Invariants
 *   1. An operand is evaluated on exactly the rows eval.c evaluates it on:
 *      AND's next operand on the rows still TRUE or NULL, OR's on the rows
 *      still FALSE or NULL, a CASE result on the rows whose condition chose
 *      it, a COALESCE argument on the rows still NULL.
 *   2. A node's result vector is allocated for the largest batch capacity
 *      seen; batches of one execution reuse it.
 *
 * See src/exec/README.md ("Batch expressions").
 */
#include "exec/vec_expr.h"

#include <string.h>

#include "types/cast.h"
#include "types/func.h"
#include "types/numeric.h"

enum {
    VX_COLUMN,
    VX_CONST,
    VX_CORR,
    VX_KERNEL,
    VX_INT_DIV,
    VX_TEXT_EQ,
    VX_IN_CONST,
    VX_LIKE_PREFIX,
    VX_SCALAR_FN,
    VX_AND,
    VX_OR,
    VX_NOT,
    VX_NULL_TEST,
    VX_BOOL_TEST,
    VX_CASE,
    VX_COALESCE,
    VX_CAST,
    VX_ROW,
};

#define VX_FN_ARGS_MAX 8

typedef struct VxNode {
    int kind;
    const Expr *e;
    SqlType vtype; /* the type eval_expr gives this node's values */
    struct VxNode **args;
    int arg_count;
    int column;      /* VX_COLUMN: batch column */
    bool negate;     /* VX_TEXT_EQ: <>; VX_LIKE_PREFIX: NOT LIKE */
    StrRef prefix;   /* VX_LIKE_PREFIX */
    bool filled;     /* VX_CONST: out holds the value in every row */
    int capacity;    /* rows out has room for */
    int sel_capacity; /* entries sel_a and sel_b have room for */
    Vector out;
    uint16_t *sel_a; /* AND / OR / CASE / COALESCE: rows still undecided */
    uint16_t *sel_b; /* CASE: the rows a branch takes */
} VxNode;

struct VecExpr {
    VxNode *root;
    const SqlType *types;
    const int *batch_of;
    int column_count;
    bool *row_needed; /* input columns read by row nodes */
    Value *row;       /* their values for the current row */
};

static bool is_text_type(TypeId id)
{
    return id == TYPE_TEXT || id == TYPE_VARCHAR;
}

static size_t elem_size(TypeId id)
{
    switch (type_phys(id)) {
    case PHYS_BOOL:
        return sizeof(bool);
    case PHYS_I64:
        return sizeof(int64_t);
    case PHYS_F64:
        return sizeof(double);
    case PHYS_DECIMAL:
        return sizeof(Decimal);
    case PHYS_STRING:
        return sizeof(StrRef);
    case PHYS_INTERVAL:
        return sizeof(Interval);
    default:
        return sizeof(Uuid);
    }
}

bool vec_expr_supported(const Expr *e)
{
    if (e == NULL) {
        return true;
    }
    switch (e->kind) {
    case EXPR_SUBLINK:
    case EXPR_SEQUENCE:
    case EXPR_AGG_CALL:
    case EXPR_WINDOW_CALL:
        return false;
    default:
        break;
    }
    if (e->fn != NULL && (e->fn->volatility == VOLATILITY_VOLATILE || e->fn->fn == NULL)) {
        return false;
    }
    if (e->kind == EXPR_ROW_CMP) {
        for (int k = 0; k < e->arg_count; k++) {
            if (e->row_fns[k] != NULL && e->row_fns[k]->volatility == VOLATILITY_VOLATILE) {
                return false;
            }
        }
    }
    for (int a = 0; a < e->arg_count; a++) {
        if (!vec_expr_supported(e->args[a])) {
            return false;
        }
    }
    return vec_expr_supported(e->arg);
}

/* ---- compile ------------------------------------------------------------------------------ */

static void mark_columns(const Expr *e, bool *needed, int count)
{
    if (e == NULL) {
        return;
    }
    if (e->kind == EXPR_COLUMN && e->index >= 0 && e->index < count) {
        needed[e->index] = true;
    }
    for (int a = 0; a < e->arg_count; a++) {
        mark_columns(e->args[a], needed, count);
    }
    mark_columns(e->arg, needed, count);
}

/* LIKE 'literal%' (no _ or escape, % only at the end): the literal prefix. */
static bool like_prefix_of(const Expr *pattern, StrRef *prefix)
{
    if (pattern->kind != EXPR_CONST || pattern->value.is_null ||
        !is_text_type(pattern->value.type.id)) {
        return false;
    }
    StrRef p = pattern->value.str;
    uint32_t len = p.len;
    while (len > 0 && p.ptr[len - 1] == '%') {
        len--;
    }
    if (len == p.len) {
        return false; /* no trailing %: an equality, left to the function */
    }
    for (uint32_t i = 0; i < len; i++) {
        if (p.ptr[i] == '%' || p.ptr[i] == '_' || p.ptr[i] == '\\') {
            return false;
        }
    }
    *prefix = (StrRef){.ptr = p.ptr, .len = len};
    return true;
}

/* The node kind of a function call. */
static int fn_kind(const Expr *e, VxNode *n)
{
    const FuncDef *fn = e->fn;
    if (e->arg_count > VX_FN_ARGS_MAX) {
        return VX_ROW;
    }
    bool exact = fn->vector_fn != NULL && e->arg_count == fn->arg_count;
    for (int a = 0; exact && a < e->arg_count; a++) {
        exact = e->args[a]->type.id == fn->arg_types[a];
    }
    if (exact) {
        return VX_KERNEL;
    }
    bool ints = e->arg_count == 2 && fn->kind == FUNC_KIND_OPERATOR_INFIX &&
                (strcmp(fn->name, "/") == 0 || strcmp(fn->name, "%") == 0);
    for (int a = 0; ints && a < 2; a++) {
        TypeId t = e->args[a]->type.id;
        ints = (t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8) && t == fn->arg_types[a] &&
               t <= e->type.id;
    }
    if (ints && (e->type.id == e->args[0]->type.id || e->type.id == e->args[1]->type.id)) {
        /* int_div / int_mod check the range of the wider argument type: the result type. */
        n->negate = fn->name[0] == '%';
        return VX_INT_DIV;
    }
    bool texts = e->arg_count == 2 && is_text_type(e->args[0]->type.id) &&
                 is_text_type(e->args[1]->type.id) && fn->kind == FUNC_KIND_OPERATOR_INFIX;
    if (texts && (strcmp(fn->name, "=") == 0 || strcmp(fn->name, "<>") == 0)) {
        n->negate = fn->name[0] == '<';
        return VX_TEXT_EQ;
    }
    if (texts && (strcmp(fn->name, "~~") == 0 || strcmp(fn->name, "!~~") == 0) &&
        like_prefix_of(e->args[1], &n->prefix)) {
        n->negate = fn->name[0] == '!';
        return VX_LIKE_PREFIX;
    }
    return VX_SCALAR_FN;
}

static bool is_int_id(TypeId id)
{
    return id == TYPE_INT2 || id == TYPE_INT4 || id == TYPE_INT8;
}

/* x IN (c1, c2, ...) with non-NULL constants of x's kind: integers (equality
 * of int64 values, as the cross-type integer operators) or text/varchar
 * (byte equality, as text =). */
static bool in_const_ok(const Expr *e)
{
    TypeId t = e->args[0]->type.id;
    bool ints = is_int_id(t), texts = is_text_type(t);
    if (!ints && !texts) {
        return false;
    }
    for (int a = 1; a < e->arg_count; a++) {
        const Expr *c = e->args[a];
        if (c->kind != EXPR_CONST || c->value.is_null ||
            (ints ? !is_int_id(c->value.type.id) : !is_text_type(c->value.type.id))) {
            return false;
        }
    }
    return true;
}

/* Whether every branch of a CASE / COALESCE stores values of e's physical kind. */
static bool branches_match(const Expr *e)
{
    PhysKind kind = type_phys(e->type.id);
    int nw = e->kind == EXPR_CASE ? (e->arg_count - (e->has_else ? 1 : 0)) / 2 : 0;
    for (int a = 0; a < e->arg_count; a++) {
        bool is_result = e->kind == EXPR_COALESCE || a % 2 == 1 || a == 2 * nw;
        if (is_result && type_phys(e->args[a]->type.id) != kind) {
            return false;
        }
    }
    return true;
}

static int node_kind(VecExpr *vx, const Expr *e, VxNode *n)
{
    switch (e->kind) {
    case EXPR_COLUMN:
        if (e->index < 0 || e->index >= vx->column_count || vx->batch_of[e->index] < 0) {
            return VX_ROW;
        }
        n->column = vx->batch_of[e->index];
        n->vtype = vx->types[e->index];
        return VX_COLUMN;
    case EXPR_CONST:
        n->vtype = e->value.type;
        return VX_CONST;
    case EXPR_PARAM:
        return VX_CONST;
    case EXPR_CORR:
        return VX_CORR;
    case EXPR_FUNC:
        return fn_kind(e, n);
    case EXPR_AND:
        return VX_AND;
    case EXPR_OR:
        return VX_OR;
    case EXPR_NOT:
        return VX_NOT;
    case EXPR_NULL_TEST:
        return VX_NULL_TEST;
    case EXPR_BOOL_TEST:
        return VX_BOOL_TEST;
    case EXPR_CASE:
        return e->arg == NULL && branches_match(e) ? VX_CASE : VX_ROW;
    case EXPR_COALESCE:
        return branches_match(e) ? VX_COALESCE : VX_ROW;
    case EXPR_CAST:
        return VX_CAST;
    case EXPR_IN_LIST:
        return in_const_ok(e) ? VX_IN_CONST : VX_ROW;
    default:
        return VX_ROW;
    }
}

static int compile_node(ExecState *es, VecExpr *vx, const Expr *e, VxNode **out, Error *err)
{
    VxNode *n = arena_zalloc(es->a, sizeof(VxNode));
    if (n == NULL) {
        return arena_error(es->a, err);
    }
    n->e = e;
    n->vtype = e->type;
    n->kind = node_kind(vx, e, n);
    n->out.type = e->type;
    if (n->kind == VX_CONST && e->kind == EXPR_PARAM) {
        n->vtype = es->params[e->index].type;
    }
    if (n->kind == VX_AND || n->kind == VX_OR || n->kind == VX_NOT || n->kind == VX_NULL_TEST ||
        n->kind == VX_BOOL_TEST) {
        n->vtype = sql_type(TYPE_BOOL);
    }
    if (n->kind == VX_ROW) {
        mark_columns(e, vx->row_needed, vx->column_count);
    } else if (n->kind != VX_COLUMN && n->kind != VX_CONST && n->kind != VX_CORR) {
        int count = n->kind == VX_LIKE_PREFIX || n->kind == VX_IN_CONST ? 1 : e->arg_count;
        n->args = arena_zalloc(es->a, sizeof(VxNode *) * (size_t)(count > 0 ? count : 1));
        if (n->args == NULL) {
            return arena_error(es->a, err);
        }
        for (int a = 0; a < count; a++) {
            int rc = compile_node(es, vx, e->args[a], &n->args[a], err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        n->arg_count = count;
    }
    *out = n;
    return STRATA_OK;
}

int vec_expr_compile(ExecState *es, const Expr *e, const SqlType *types, const int *batch_of,
                     int column_count, VecExpr **out, Error *err)
{
    *out = NULL;
    if (e == NULL || !vec_expr_supported(e)) {
        return STRATA_OK;
    }
    VecExpr *vx = arena_zalloc(es->a, sizeof(VecExpr));
    if (vx == NULL ||
        (vx->row_needed = arena_zalloc(es->a, (size_t)column_count + 1)) == NULL ||
        (vx->row = arena_zalloc(es->a, sizeof(Value) * (size_t)(column_count + 1))) == NULL) {
        return arena_error(es->a, err);
    }
    vx->types = types;
    vx->batch_of = batch_of;
    vx->column_count = column_count;
    for (int c = 0; c < column_count; c++) {
        vx->row[c] = value_null(types[c]);
    }
    int rc = compile_node(es, vx, e, &vx->root, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int c = 0; c < column_count; c++) {
        if (vx->row_needed[c] && batch_of[c] < 0) {
            return STRATA_OK; /* a row node reads a column the batch lacks: not batch-wise */
        }
    }
    *out = vx;
    return STRATA_OK;
}

SqlType vec_expr_type(const VecExpr *vx)
{
    return vx->root->vtype;
}

/* ---- vectors ------------------------------------------------------------------------------ */

void vec_expr_value(const Vector *v, int row, SqlType type, Value *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    if (vector_is_null(v, row)) {
        out->is_null = true;
        return;
    }
    switch (type_phys(v->type.id)) {
    case PHYS_BOOL:
        out->b = v->b[row];
        break;
    case PHYS_I64:
        out->i64 = v->i64[row];
        break;
    case PHYS_F64:
        out->f64 = v->f64[row];
        break;
    case PHYS_DECIMAL:
        out->dec = v->dec[row];
        break;
    case PHYS_STRING:
        out->str = v->str[row];
        break;
    case PHYS_INTERVAL:
        out->iv = v->iv[row];
        break;
    case PHYS_UUID:
        out->uuid = v->uuid[row];
        break;
    }
}

static void store_value(Vector *v, int row, const Value *value)
{
    if (value->is_null) {
        v->nulls[row] = 1;
        return;
    }
    v->nulls[row] = 0;
    switch (type_phys(v->type.id)) {
    case PHYS_BOOL:
        v->b[row] = value->b;
        break;
    case PHYS_I64:
        v->i64[row] = value->i64;
        break;
    case PHYS_F64:
        v->f64[row] = value->f64;
        break;
    case PHYS_DECIMAL:
        v->dec[row] = value->dec;
        break;
    case PHYS_STRING:
        v->str[row] = value->str;
        break;
    case PHYS_INTERVAL:
        v->iv[row] = value->iv;
        break;
    case PHYS_UUID:
        v->uuid[row] = value->uuid;
        break;
    }
}

/* Copies row `row` of src (same physical kind) into dst. */
static void copy_row(Vector *dst, const Vector *src, int row, size_t size)
{
    if (vector_is_null(src, row)) {
        dst->nulls[row] = 1;
        return;
    }
    dst->nulls[row] = 0;
    memcpy((char *)dst->data + (size_t)row * size, (const char *)src->data + (size_t)row * size,
           size);
}

/* Gives n room for capacity rows (the first batch, or a larger one) and
 * selections of count entries (tuples of a join may outnumber batch rows). */
static int node_reserve(ExecState *es, VxNode *n, int capacity, int count, Error *err)
{
    if (n->kind == VX_COLUMN) {
        return STRATA_OK;
    }
    if (n->capacity < capacity) {
        n->out.data = arena_alloc(es->a, elem_size(n->out.type.id) * (size_t)capacity);
        n->out.nulls = arena_zalloc(es->a, (size_t)capacity);
        if (n->out.data == NULL || n->out.nulls == NULL) {
            return arena_error(es->a, err);
        }
        n->capacity = capacity;
        n->filled = false;
    }
    if (n->sel_capacity < count || n->sel_capacity < capacity) {
        int want = count > capacity ? count : capacity;
        n->sel_a = arena_alloc(es->a, sizeof(uint16_t) * (size_t)want);
        n->sel_b = arena_alloc(es->a, sizeof(uint16_t) * (size_t)want);
        if (n->sel_a == NULL || n->sel_b == NULL) {
            return arena_error(es->a, err);
        }
        n->sel_capacity = want;
    }
    return STRATA_OK;
}

/* ---- evaluation --------------------------------------------------------------------------- */

typedef struct VxEnv {
    ExecState *es;
    const Value *corr;
    const Batch *b;
    VecExpr *vx;
} VxEnv;

static int eval_node(VxEnv *env, VxNode *n, const uint16_t *sel, int count, const Vector **out,
                     Error *err);

/* The row node: eval_expr over each selected row's Values. */
static int eval_rows(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    VecExpr *vx = env->vx;
    EvalCtx ctx = {env->es, vx->row, env->corr};
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        for (int c = 0; c < vx->column_count; c++) {
            if (vx->row_needed[c]) {
                vec_expr_value(&env->b->columns[vx->batch_of[c]], r, vx->types[c], &vx->row[c]);
            }
        }
        Value v;
        int rc = eval_expr(n->e, &ctx, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        store_value(&n->out, r, &v);
    }
    return STRATA_OK;
}

/* A function without a kernel: arguments batch-wise, the function per row. */
static int eval_scalar_fn(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    const Vector *argv[VX_FN_ARGS_MAX];
    const FuncDef *fn = n->e->fn;
    for (int a = 0; a < n->arg_count; a++) {
        int rc = eval_node(env, n->args[a], sel, count, &argv[a], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    FuncContext *fctx = &env->es->fctx;
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        Value args[VX_FN_ARGS_MAX], v;
        bool has_null = false;
        for (int a = 0; a < n->arg_count; a++) {
            vec_expr_value(argv[a], r, n->args[a]->vtype, &args[a]);
            has_null |= args[a].is_null;
        }
        if (fn->strict && has_null) {
            n->out.nulls[r] = 1;
            continue;
        }
        Arena *previous = numeric_set_arena(fctx->arena); /* big numeric results */
        int rc = fn->fn(args, n->arg_count, &v, fctx, err);
        numeric_set_arena(previous);
        if (rc != STRATA_OK) {
            return rc;
        }
        store_value(&n->out, r, &v);
    }
    return STRATA_OK;
}

static int eval_kernel(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    Vector argv[VX_FN_ARGS_MAX];
    for (int a = 0; a < n->arg_count; a++) {
        const Vector *v;
        int rc = eval_node(env, n->args[a], sel, count, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        argv[a] = *v;
    }
    for (int i = 0; i < count; i++) {
        n->out.nulls[sel[i]] = 0; /* the kernels only set NULL rows */
    }
    return n->e->fn->vector_fn(argv, n->arg_count, env->b->row_count, sel, count, &n->out,
                               &env->es->fctx, err);
}

static bool int_fits(int64_t v, TypeId type)
{
    return type == TYPE_INT2   ? (v >= INT16_MIN && v <= INT16_MAX)
           : type == TYPE_INT4 ? (v >= INT32_MIN && v <= INT32_MAX)
                               : true;
}

/* Integer / and % (negate = %), with int_div's and int_mod's errors. */
static int eval_int_div(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    const Vector *a, *b;
    int rc = eval_node(env, n->args[0], sel, count, &a, err);
    if (rc == STRATA_OK) {
        rc = eval_node(env, n->args[1], sel, count, &b, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    TypeId type = n->out.type.id;
    bool is_mod = n->negate;
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        if (vector_is_null(a, r) || vector_is_null(b, r)) {
            n->out.nulls[r] = 1;
            continue;
        }
        int64_t x = a->i64[r], y = b->i64[r];
        if (y == 0) {
            return error_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
        }
        /* y = -1 apart: INT64_MIN / -1 and INT64_MIN % -1 trap in C. */
        bool overflow = !is_mod && y == -1 && x == INT64_MIN;
        int64_t v = y == -1 ? (is_mod ? 0 : -(overflow ? 0 : x)) : is_mod ? x % y : x / y;
        if (overflow || !int_fits(v, type)) {
            return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                             type == TYPE_INT2   ? "smallint"
                             : type == TYPE_INT4 ? "integer"
                                                 : "bigint");
        }
        n->out.nulls[r] = 0;
        n->out.i64[r] = v;
    }
    return STRATA_OK;
}

static int eval_in_const(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    const Vector *v;
    int rc = eval_node(env, n->args[0], sel, count, &v, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const Expr *e = n->e;
    bool texts = is_text_type(e->args[0]->type.id);
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        if (vector_is_null(v, r)) {
            n->out.nulls[r] = 1;
            continue;
        }
        bool found = false;
        for (int a = 1; a < e->arg_count && !found; a++) {
            const Value *c = &e->args[a]->value;
            found = texts ? v->str[r].len == c->str.len &&
                                memcmp(v->str[r].ptr, c->str.ptr, c->str.len) == 0
                          : v->i64[r] == c->i64;
        }
        n->out.nulls[r] = 0;
        n->out.b[r] = found != e->is_not;
    }
    return STRATA_OK;
}

static int eval_text(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    const Vector *s, *t = NULL;
    int rc = eval_node(env, n->args[0], sel, count, &s, err);
    if (rc == STRATA_OK && n->kind == VX_TEXT_EQ) {
        rc = eval_node(env, n->args[1], sel, count, &t, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        if (vector_is_null(s, r) || (t != NULL && vector_is_null(t, r))) {
            n->out.nulls[r] = 1;
            continue;
        }
        StrRef a = s->str[r], p = t != NULL ? t->str[r] : n->prefix;
        bool hit = n->kind == VX_TEXT_EQ ? a.len == p.len && memcmp(a.ptr, p.ptr, a.len) == 0
                                         : a.len >= p.len && memcmp(a.ptr, p.ptr, p.len) == 0;
        n->out.nulls[r] = 0;
        n->out.b[r] = hit != n->negate;
    }
    return STRATA_OK;
}

/* AND / OR with eval.c's three-valued logic: each operand runs on the rows
 * not yet decided (TRUE or NULL so far for AND, FALSE or NULL for OR). */
static int eval_and_or(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    bool is_and = n->kind == VX_AND;
    uint16_t *act = n->sel_a;
    memcpy(act, sel, sizeof(uint16_t) * (size_t)count);
    for (int i = 0; i < count; i++) {
        n->out.b[sel[i]] = is_and;
        n->out.nulls[sel[i]] = 0;
    }
    int left = count;
    for (int a = 0; a < n->arg_count && left > 0; a++) {
        const Vector *v;
        int rc = eval_node(env, n->args[a], act, left, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int kept = 0;
        for (int i = 0; i < left; i++) {
            int r = act[i];
            if (vector_is_null(v, r)) {
                n->out.nulls[r] = 1;
                act[kept++] = (uint16_t)r;
            } else if (v->b[r] != is_and) {
                n->out.b[r] = !is_and; /* decided, even after a NULL */
                n->out.nulls[r] = 0;
            } else {
                act[kept++] = (uint16_t)r;
            }
        }
        left = kept;
    }
    return STRATA_OK;
}

static int eval_bool_unary(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    const Vector *v;
    int rc = eval_node(env, n->args[0], sel, count, &v, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        bool is_null = vector_is_null(v, r);
        bool b = !is_null && type_phys(v->type.id) == PHYS_BOOL && v->b[r];
        bool res;
        if (n->kind == VX_NOT) {
            n->out.nulls[r] = is_null;
            n->out.b[r] = !b;
            continue;
        }
        if (n->kind == VX_NULL_TEST) {
            res = is_null != n->e->is_not;
        } else {
            switch (n->e->test_kind) {
            case BOOL_TEST_IS_TRUE: res = !is_null && b; break;
            case BOOL_TEST_IS_NOT_TRUE: res = is_null || !b; break;
            case BOOL_TEST_IS_FALSE: res = !is_null && !b; break;
            case BOOL_TEST_IS_NOT_FALSE: res = is_null || b; break;
            case BOOL_TEST_IS_UNKNOWN: res = is_null; break;
            default: res = !is_null; break;
            }
        }
        n->out.nulls[r] = 0;
        n->out.b[r] = res;
    }
    return STRATA_OK;
}

/* Evaluates result node `res` on rows take[0..count-1] and copies them into n. */
static int take_rows(VxEnv *env, VxNode *n, VxNode *res, const uint16_t *take, int count,
                     Error *err)
{
    const Vector *v;
    int rc = eval_node(env, res, take, count, &v, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t size = elem_size(n->out.type.id);
    for (int i = 0; i < count; i++) {
        copy_row(&n->out, v, take[i], size);
    }
    return STRATA_OK;
}

static int eval_case(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    const Expr *e = n->e;
    int nw = (e->arg_count - (e->has_else ? 1 : 0)) / 2;
    uint16_t *rem = n->sel_a, *take = n->sel_b;
    memcpy(rem, sel, sizeof(uint16_t) * (size_t)count);
    int left = count;
    for (int k = 0; k < nw && left > 0; k++) {
        const Vector *c;
        int rc = eval_node(env, n->args[2 * k], rem, left, &c, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int taken = 0, kept = 0;
        for (int i = 0; i < left; i++) {
            int r = rem[i];
            if (!vector_is_null(c, r) && c->b[r]) {
                take[taken++] = (uint16_t)r;
            } else {
                rem[kept++] = (uint16_t)r;
            }
        }
        left = kept;
        if (taken > 0) {
            rc = take_rows(env, n, n->args[2 * k + 1], take, taken, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (left > 0 && e->has_else) {
        /* rem is n's own buffer: the else branch's evaluation does not touch it. */
        return take_rows(env, n, n->args[e->arg_count - 1], rem, left, err);
    }
    for (int i = 0; i < left; i++) {
        n->out.nulls[rem[i]] = 1;
    }
    return STRATA_OK;
}

static int eval_coalesce(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    uint16_t *rem = n->sel_a;
    memcpy(rem, sel, sizeof(uint16_t) * (size_t)count);
    int left = count;
    size_t size = elem_size(n->out.type.id);
    for (int a = 0; a < n->arg_count && left > 0; a++) {
        const Vector *v;
        int rc = eval_node(env, n->args[a], rem, left, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int kept = 0;
        for (int i = 0; i < left; i++) {
            int r = rem[i];
            if (vector_is_null(v, r)) {
                rem[kept++] = (uint16_t)r;
            } else {
                copy_row(&n->out, v, r, size);
            }
        }
        left = kept;
    }
    for (int i = 0; i < left; i++) {
        n->out.nulls[rem[i]] = 1;
    }
    return STRATA_OK;
}

static bool is_int_type(TypeId id)
{
    return id == TYPE_INT2 || id == TYPE_INT4 || id == TYPE_INT8;
}

/* CAST: integer widening copies; everything else goes through value_cast_tz
 * per row, as eval.c. */
static int eval_cast(VxEnv *env, VxNode *n, const uint16_t *sel, int count, Error *err)
{
    const Vector *v;
    int rc = eval_node(env, n->args[0], sel, count, &v, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    TypeId from = n->args[0]->vtype.id, to = n->e->type.id;
    bool widen = is_int_type(from) && is_int_type(to) && from <= to && n->e->type.typmod < 0;
    ExecState *es = env->es;
    for (int i = 0; i < count; i++) {
        int r = sel[i];
        if (vector_is_null(v, r)) {
            n->out.nulls[r] = 1;
            continue;
        }
        if (widen) {
            n->out.nulls[r] = 0;
            n->out.i64[r] = v->i64[r];
            continue;
        }
        Value in, res;
        vec_expr_value(v, r, n->args[0]->vtype, &in);
        rc = value_cast_tz(&in, n->e->type, (CastContext)n->e->cast_context, es->fctx.timezone,
                           es->fctx.arena, &res, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        store_value(&n->out, r, &res);
    }
    return STRATA_OK;
}

static void fill_const(VxNode *n, const Value *value, const uint16_t *sel, int count)
{
    if (sel == NULL) {
        for (int r = 0; r < n->capacity; r++) {
            store_value(&n->out, r, value);
        }
        n->filled = true;
        return;
    }
    for (int i = 0; i < count; i++) {
        store_value(&n->out, sel[i], value);
    }
}

static int eval_node(VxEnv *env, VxNode *n, const uint16_t *sel, int count, const Vector **out,
                     Error *err)
{
    int rc = node_reserve(env->es, n, env->b->capacity, count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *out = &n->out;
    switch (n->kind) {
    case VX_COLUMN:
        *out = &env->b->columns[n->column];
        return STRATA_OK;
    case VX_CONST:
        if (!n->filled) {
            fill_const(n, n->e->kind == EXPR_PARAM ? &env->es->params[n->e->index] : &n->e->value,
                       NULL, 0);
        }
        return STRATA_OK;
    case VX_CORR:
        n->vtype = env->corr[n->e->index].type;
        fill_const(n, &env->corr[n->e->index], sel, count);
        return STRATA_OK;
    case VX_KERNEL:
        return eval_kernel(env, n, sel, count, err);
    case VX_INT_DIV:
        return eval_int_div(env, n, sel, count, err);
    case VX_TEXT_EQ:
    case VX_LIKE_PREFIX:
        return eval_text(env, n, sel, count, err);
    case VX_IN_CONST:
        return eval_in_const(env, n, sel, count, err);
    case VX_SCALAR_FN:
        return eval_scalar_fn(env, n, sel, count, err);
    case VX_AND:
    case VX_OR:
        return eval_and_or(env, n, sel, count, err);
    case VX_NOT:
    case VX_NULL_TEST:
    case VX_BOOL_TEST:
        return eval_bool_unary(env, n, sel, count, err);
    case VX_CASE:
        return eval_case(env, n, sel, count, err);
    case VX_COALESCE:
        return eval_coalesce(env, n, sel, count, err);
    case VX_CAST:
        return eval_cast(env, n, sel, count, err);
    default:
        return eval_rows(env, n, sel, count, err);
    }
}

int vec_expr_eval(VecExpr *vx, ExecState *es, const Value *corr, const Batch *b,
                  const uint16_t *sel, int count, const Vector **result, Error *err)
{
    VxEnv env = {es, corr, b, vx};
    return eval_node(&env, vx->root, sel, count, result, err);
}

int vec_expr_filter(VecExpr *vx, ExecState *es, const Value *corr, const Batch *b, uint16_t *sel,
                    int *count, Error *err)
{
    const Vector *v;
    int rc = vec_expr_eval(vx, es, corr, b, sel, *count, &v, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int kept = 0;
    for (int i = 0; i < *count; i++) {
        int r = sel[i];
        sel[kept] = (uint16_t)r;
        kept += !vector_is_null(v, r) && v->b[r];
    }
    *count = kept;
    return STRATA_OK;
}
