/*
 * exec/vec_expr_test.c - the batch expression evaluator (vec_expr.c) against
 * eval.c, row by row, on randomized expressions.
 *
 * Each round draws a batch (int4, int4, int8, float8, text, bool columns with
 * NULLs and values near the type limits and zero, so overflow and division by
 * zero occur), a random selection vector and a random expression tree of
 * arithmetic, comparisons, AND/OR/NOT, IS [NOT] NULL, CASE, COALESCE, casts,
 * text = and LIKE, NULLIF and a parameter, built with the registry's
 * operators. vec_expr_eval must raise an error exactly when eval_expr raises
 * one on some selected row (which error is the caller's business: it re-runs
 * the batch row by row), and otherwise give every selected row eval_expr's
 * value, NULL and type. The seed is printed; STRATA_SEED=n replays a run.
 */
#include <math.h>

#include "exec/vec_expr.h"
#include "types/cast.h"
#include "types/compare.h"
#include "types/func.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

enum { COLUMNS = 6, ROWS = 300 };
static const TypeId COLUMN_TYPES[COLUMNS] = {TYPE_INT4, TYPE_INT4, TYPE_INT8,
                                             TYPE_FLOAT8, TYPE_TEXT, TYPE_BOOL};

static Arena *arena;
static uint64_t state;

static uint64_t rnd(uint64_t n)
{
    return test_rand(&state) % n;
}

static Expr *node(ExprKind kind, TypeId type, int arg_count)
{
    Expr *e = arena_zalloc(arena, sizeof(Expr));
    e->kind = kind;
    e->type = sql_type(type);
    e->location = -1;
    e->arg_count = arg_count;
    e->args = arena_zalloc(arena, sizeof(Expr *) * (size_t)(arg_count + 1));
    return e;
}

static int64_t random_int(TypeId type)
{
    int64_t limit = type == TYPE_INT4 ? INT32_MAX : INT64_MAX;
    switch (rnd(5)) {
    case 0:
        return (int64_t)rnd(7) - 3;
    case 1:
        return limit - (int64_t)rnd(3);
    case 2:
        return -limit + (int64_t)rnd(3);
    default:
        return (int64_t)rnd(2000) - 1000;
    }
}

static const char *const WORDS[] = {"x1", "x12", "y", "", "x2abc", "X1"};

static Value random_value(TypeId type)
{
    Value v = {0};
    v.type = sql_type(type);
    switch (type) {
    case TYPE_FLOAT8:
        v.f64 = rnd(6) == 0 ? 0.0 : rnd(8) == 0 ? 1e300 : ((double)rnd(20000) - 10000) / 8.0;
        break;
    case TYPE_TEXT: {
        const char *w = WORDS[rnd(6)];
        v.str = (StrRef){.ptr = w, .len = (uint32_t)strlen(w)};
        break;
    }
    case TYPE_BOOL:
        v.b = rnd(2) == 0;
        break;
    default:
        v.i64 = random_int(type);
        break;
    }
    return v;
}

static Expr *constant(TypeId type)
{
    Expr *e = node(EXPR_CONST, type, 0);
    e->value = rnd(8) == 0 ? value_null(sql_type(type)) : random_value(type);
    return e;
}

static Expr *column(TypeId type)
{
    int candidates[COLUMNS], n = 0;
    for (int c = 0; c < COLUMNS; c++) {
        if (COLUMN_TYPES[c] == type) {
            candidates[n++] = c;
        }
    }
    if (n == 0) {
        return constant(type);
    }
    Expr *e = node(EXPR_COLUMN, type, 0);
    e->index = candidates[rnd((uint64_t)n)];
    return e;
}

static Expr *operator(const char *op, Expr *left, Expr *right)
{
    FuncMatch m;
    Error err;
    error_clear(&err);
    if (oper_resolve(op, &left->type, right->type, &m, &err) != STRATA_OK) {
        return NULL;
    }
    Expr *e = node(EXPR_FUNC, m.result_type.id, 2);
    e->fn = m.def;
    e->args[0] = left;
    e->args[1] = right;
    return e;
}

static Expr *gen(TypeId type, int depth);

static Expr *gen_bool(int depth)
{
    static const char *const CMP[] = {"=", "<>", "<", "<=", ">", ">="};
    switch (rnd(10)) {
    case 0: {
        TypeId t = rnd(3) == 0 ? TYPE_FLOAT8 : rnd(2) ? TYPE_INT4 : TYPE_INT8;
        return operator(CMP[rnd(6)], gen(t, depth - 1), gen(t, depth - 1));
    }
    case 1:
    case 2: {
        Expr *e = node(rnd(2) ? EXPR_AND : EXPR_OR, TYPE_BOOL, 2 + (int)rnd(2));
        for (int a = 0; a < e->arg_count; a++) {
            e->args[a] = gen(TYPE_BOOL, depth - 1);
        }
        return e;
    }
    case 3: {
        Expr *e = node(EXPR_NOT, TYPE_BOOL, 1);
        e->args[0] = gen(TYPE_BOOL, depth - 1);
        return e;
    }
    case 4: {
        Expr *e = node(EXPR_NULL_TEST, TYPE_BOOL, 1);
        e->is_not = rnd(2);
        e->args[0] = gen(COLUMN_TYPES[rnd(COLUMNS)], depth - 1);
        return e;
    }
    case 5: {
        Expr *pattern = node(EXPR_CONST, TYPE_TEXT, 0);
        static const char *const PATTERNS[] = {"x1%", "x%", "%", "x1", "x_%", "x1%%"};
        const char *p = PATTERNS[rnd(6)];
        pattern->value = value_str(TYPE_TEXT, p, (uint32_t)strlen(p));
        return operator(rnd(2) ? "~~" : "!~~", gen(TYPE_TEXT, depth - 1), pattern);
    }
    case 6:
        return operator(rnd(2) ? "=" : "<>", gen(TYPE_TEXT, depth - 1), gen(TYPE_TEXT, depth - 1));
    case 7: {
        /* [NOT] IN (constants, sometimes a NULL one or a column: the row fallback) */
        TypeId t = rnd(3) == 0 ? TYPE_TEXT : rnd(2) ? TYPE_INT4 : TYPE_INT8;
        Expr *first = gen(t, depth - 1);
        Expr *eq = operator("=", first, constant(t));
        if (eq == NULL) {
            return column(TYPE_BOOL);
        }
        Expr *e = node(EXPR_IN_LIST, TYPE_BOOL, 2 + (int)rnd(3));
        e->fn = eq->fn;
        e->is_not = rnd(2);
        e->args[0] = first;
        for (int a = 1; a < e->arg_count; a++) {
            e->args[a] = rnd(10) == 0 ? column(t) : constant(t);
        }
        return e;
    }
    default:
        return column(TYPE_BOOL);
    }
}

static Expr *gen_case(TypeId type, int depth)
{
    int whens = 1 + (int)rnd(2);
    bool has_else = rnd(2);
    Expr *e = node(EXPR_CASE, type, 2 * whens + has_else);
    e->has_else = has_else;
    for (int w = 0; w < whens; w++) {
        e->args[2 * w] = gen(TYPE_BOOL, depth - 1);
        e->args[2 * w + 1] = gen(type, depth - 1);
    }
    if (has_else) {
        e->args[2 * whens] = gen(type, depth - 1);
    }
    return e;
}

static Expr *gen(TypeId type, int depth)
{
    Expr *e = NULL;
    uint64_t pick = depth <= 0 ? rnd(2) : rnd(10);
    if (pick == 0) {
        return column(type);
    }
    if (pick == 1) {
        return constant(type);
    }
    if (type == TYPE_BOOL) {
        e = gen_bool(depth);
    } else if (pick <= 5 && type != TYPE_TEXT) {
        static const char *const OPS[] = {"+", "-", "*", "/", "%"};
        e = operator(OPS[rnd(type == TYPE_FLOAT8 ? 4 : 5)], gen(type, depth - 1),
                     gen(type, depth - 1));
    } else if (pick == 6) {
        e = gen_case(type, depth);
    } else if (pick == 7) {
        e = node(EXPR_COALESCE, type, 2);
        e->args[0] = gen(type, depth - 1);
        e->args[1] = gen(type, depth - 1);
    } else if (pick == 8 && type != TYPE_TEXT) {
        static const TypeId FROM[] = {TYPE_INT4, TYPE_INT8, TYPE_FLOAT8};
        e = node(EXPR_CAST, type, 1);
        e->cast_context = CAST_EXPLICIT;
        e->args[0] = gen(FROM[rnd(3)], depth - 1);
    } else if (pick == 9) {
        /* NULLIF has no batch kernel: the row fallback inside a batch tree. */
        Expr *eq = operator("=", column(type), constant(type));
        if (eq != NULL) {
            e = node(EXPR_NULLIF, type, 2);
            e->fn = eq->fn;
            e->args[0] = eq->args[0];
            e->args[1] = eq->args[1];
        }
    } else if (type == TYPE_TEXT) {
        e = node(EXPR_PARAM, TYPE_TEXT, 0);
        e->index = 0;
    }
    return e != NULL ? e : column(type);
}

static Batch *random_batch(void)
{
    SqlType types[COLUMNS];
    for (int c = 0; c < COLUMNS; c++) {
        types[c] = sql_type(COLUMN_TYPES[c]);
    }
    Batch *b = batch_create(arena, types, COLUMNS, ROWS);
    for (int r = 0; r < ROWS; r++) {
        Value row[COLUMNS];
        for (int c = 0; c < COLUMNS; c++) {
            row[c] = rnd(6) == 0 ? value_null(types[c]) : random_value(COLUMN_TYPES[c]);
        }
        batch_append_row(b, row);
    }
    return b;
}

static bool same_value(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null) {
        return a->is_null == b->is_null;
    }
    if (a->type.id == TYPE_FLOAT8 && isnan(a->f64)) {
        return isnan(b->f64);
    }
    return value_compare(a, b) == 0;
}

/* One expression over one batch: the evaluator against eval_expr row by row. */
static void compare_one(ExecState *es, const Expr *e, const Batch *b, const uint16_t *sel,
                        int count, int *errors)
{
    static const int BATCH_OF[COLUMNS] = {0, 1, 2, 3, 4, 5};
    static SqlType types[COLUMNS];
    for (int c = 0; c < COLUMNS; c++) {
        types[c] = sql_type(COLUMN_TYPES[c]);
    }
    VecExpr *vx;
    Error err;
    error_clear(&err);
    REQUIRE(vec_expr_compile(es, e, types, BATCH_OF, COLUMNS, &vx, &err) == STRATA_OK);
    REQUIRE(vx != NULL);
    const Vector *v;
    int vrc = vec_expr_eval(vx, es, NULL, b, sel, count, &v, &err);
    bool row_failed = false;
    Value rows[ROWS];
    for (int i = 0; i < count && !row_failed; i++) {
        Value row[COLUMNS];
        for (int c = 0; c < COLUMNS; c++) {
            batch_get_value(b, c, sel[i], &row[c]);
        }
        EvalCtx ctx = {es, row, NULL};
        Error row_err;
        error_clear(&row_err);
        row_failed = eval_expr(e, &ctx, &rows[i], &row_err) != STRATA_OK;
    }
    CHECK_EQ_INT(vrc != STRATA_OK, row_failed);
    if (vrc != STRATA_OK || row_failed) {
        (*errors)++;
        return;
    }
    for (int i = 0; i < count; i++) {
        Value got;
        vec_expr_value(v, sel[i], vec_expr_type(vx), &got);
        if (!same_value(&got, &rows[i]) ||
            (!rows[i].is_null && got.type.id != rows[i].type.id)) {
            fprintf(stderr, "  row %d: vector %s%lld type %d, eval %s%lld type %d\n", sel[i],
                    got.is_null ? "NULL " : "", (long long)got.i64, got.type.id,
                    rows[i].is_null ? "NULL " : "", (long long)rows[i].i64, rows[i].type.id);
            CHECK(false);
            return;
        }
    }
}

static void test_random_expressions(void)
{
    state = test_seed("vec_expr_test");
    arena = arena_create(NULL, 0, "vec_expr_test");
    QueryEnv env;
    memset(&env, 0, sizeof env);
    env.vectorize = true;
    Value params[1] = {value_str(TYPE_TEXT, "x1", 2)};
    int rounds = getenv("STRATA_TEST_QUICK") != NULL ? 300 : 3000, errors = 0;
    for (int round = 0; round < rounds && !test_current_failed; round++) {
        Arena *a = arena_create(arena, 0, "round");
        Arena *saved = arena;
        arena = a;
        ExecState es;
        memset(&es, 0, sizeof es);
        es.env = &env;
        es.a = es.root = es.scratch = a;
        es.fctx = func_context_default(a);
        es.params = params;
        Batch *b = random_batch();
        uint16_t sel[ROWS];
        int count = 0;
        for (int r = 0; r < ROWS; r++) {
            if (rnd(4) != 0) {
                sel[count++] = (uint16_t)r;
            }
        }
        static const TypeId RESULT[] = {TYPE_INT4, TYPE_INT8, TYPE_FLOAT8, TYPE_BOOL, TYPE_TEXT};
        Expr *e = gen(RESULT[rnd(5)], 1 + (int)rnd(4));
        compare_one(&es, e, b, sel, count, &errors);
        arena = saved;
        arena_destroy(a);
    }
    printf("vec_expr_test: %d rounds, %d raised an error\n", rounds, errors);
    arena_destroy(arena);
}

int main(void)
{
    TEST_RUN(test_random_expressions);
    return test_summary("vec_expr_test");
}
