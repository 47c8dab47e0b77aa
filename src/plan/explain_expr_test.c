/*
 * plan/explain_expr_test.c - checks the EXPLAIN expression printer against
 * the texts PostgreSQL prints for the same trees: constant labels and
 * quoting, operators, flattened AND/OR, casts, IN lists, CASE, correlation
 * slots and out-of-range column references (which must not read past the
 * name list).
 */
#include <string.h>

#include "plan/plan_int.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static Arena *arena;
static const FuncDef op_eq = {.name = "=", .kind = FUNC_KIND_OPERATOR_INFIX, .arg_count = 2};
static const FuncDef op_lt = {.name = "<", .kind = FUNC_KIND_OPERATOR_INFIX, .arg_count = 2};
static const FuncDef op_neg = {.name = "-", .kind = FUNC_KIND_OPERATOR_PREFIX, .arg_count = 1};
static const FuncDef fn_lower = {.name = "lower", .arg_count = 1};
static const char *columns[] = {"a.owner", "a.balance"};
static const ExplainNames names = {columns, 2, NULL, 0};

static Expr *int4(int64_t v)
{
    Value value = {.type = sql_type(TYPE_INT4), .i64 = v};
    return expr_const(arena, value, -1);
}

static Expr *text(const char *s)
{
    Value value = {.type = sql_type(TYPE_TEXT)};
    value.str.ptr = s;
    value.str.len = (uint32_t)strlen(s);
    return expr_const(arena, value, -1);
}

static Expr *node(ExprKind kind, const FuncDef *fn, int count, Expr *x, Expr *y, Expr *z)
{
    Expr *e = expr_new(arena, kind, sql_type(TYPE_BOOL), -1);
    Expr *items[3] = {x, y, z};
    e->fn = fn;
    e->args = arena_zalloc(arena, sizeof(Expr *) * 3);
    memcpy(e->args, items, sizeof(items));
    e->arg_count = count;
    return e;
}

static const char *print(const Expr *e)
{
    const char *out = explain_expr_text(e, &names, arena);
    return out != NULL ? out : "(arena failed)";
}

static void test_constants(void)
{
    CHECK_EQ_STR(print(int4(7)), "7");
    CHECK_EQ_STR(print(int4(-1)), "'-1'::integer");
    CHECK_EQ_STR(print(text("it's")), "'it''s'::text");
    Value big = {.type = sql_type(TYPE_INT8), .i64 = 5};
    CHECK_EQ_STR(print(expr_const(arena, big, -1)), "'5'::bigint");
    Value null_text = {.type = sql_type(TYPE_TEXT), .is_null = true};
    CHECK_EQ_STR(print(expr_const(arena, null_text, -1)), "NULL::text");
    Value yes = {.type = sql_type(TYPE_BOOL), .b = true};
    CHECK_EQ_STR(print(expr_const(arena, yes, -1)), "true");
}

static void test_operators(void)
{
    Expr *owner = expr_column(arena, 0, sql_type(TYPE_TEXT));
    Expr *balance = expr_column(arena, 1, sql_type(TYPE_INT4));
    Expr *is_bob = node(EXPR_FUNC, &op_eq, 2, owner, text("bob"), NULL);
    CHECK_EQ_STR(print(is_bob), "(a.owner = 'bob'::text)");
    Expr *small = node(EXPR_FUNC, &op_lt, 2, balance, int4(10), NULL);
    Expr *inner = node(EXPR_AND, NULL, 2, is_bob, small, NULL);
    Expr *outer = node(EXPR_AND, NULL, 2, inner, node(EXPR_NOT, NULL, 1, small, NULL, NULL), NULL);
    CHECK_EQ_STR(print(outer),
                 "((a.owner = 'bob'::text) AND (a.balance < 10) AND (NOT (a.balance < 10)))");
    CHECK_EQ_STR(print(node(EXPR_FUNC, &op_neg, 1, balance, NULL, NULL)), "(- a.balance)");
    CHECK_EQ_STR(print(node(EXPR_FUNC, &fn_lower, 1, owner, NULL, NULL)), "lower(a.owner)");
    Expr *cast = node(EXPR_CAST, NULL, 1, balance, NULL, NULL);
    cast->type = sql_type(TYPE_INT8);
    CHECK_EQ_STR(print(cast), "(a.balance)::bigint");
    Expr *in = node(EXPR_IN_LIST, &op_eq, 3, balance, int4(1), int4(2));
    CHECK_EQ_STR(print(in), "(a.balance = ANY ('{1,2}'::integer[]))");
    /* Not all constants: PostgreSQL's ARRAY[...] form. */
    Expr *mixed = node(EXPR_IN_LIST, &op_eq, 3, balance, int4(1), balance);
    CHECK_EQ_STR(print(mixed), "(a.balance = ANY (ARRAY[1, a.balance]))");
    /* Text elements are quoted as array_out does when they need it. */
    Expr *names = node(EXPR_IN_LIST, &op_eq, 3, owner, text("bob"), text("a b"));
    CHECK_EQ_STR(print(names), "(a.owner = ANY ('{bob,\"a b\"}'::text[]))");
    Expr *null_test = node(EXPR_NULL_TEST, NULL, 1, owner, NULL, NULL);
    null_test->is_not = true;
    CHECK_EQ_STR(print(null_test), "(a.owner IS NOT NULL)");
}

static void test_case_and_slots(void)
{
    Expr *balance = expr_column(arena, 1, sql_type(TYPE_INT4));
    Expr *small = node(EXPR_FUNC, &op_lt, 2, balance, int4(10), NULL);
    Expr *when = node(EXPR_CASE, NULL, 3, small, text("low"), text("high"));
    when->has_else = true;
    CHECK_EQ_STR(print(when), "CASE WHEN (a.balance < 10) THEN 'low'::text ELSE 'high'::text END");
    /* A column past the name list prints a placeholder, never reads past it. */
    CHECK_EQ_STR(print(expr_column(arena, 5, sql_type(TYPE_INT4))), "?column6");
    Expr *param = expr_new(arena, EXPR_PARAM, sql_type(TYPE_INT4), -1);
    param->index = 0;
    CHECK_EQ_STR(print(param), "$1");
    const char *outer[] = {"t.id"};
    ExplainNames with_corr = {columns, 2, outer, 1};
    Expr *corr = expr_new(arena, EXPR_CORR, sql_type(TYPE_INT4), -1);
    corr->index = 0;
    const char *out = explain_expr_text(node(EXPR_FUNC, &op_eq, 2, balance, corr, NULL), &with_corr, arena);
    CHECK(out != NULL && strcmp(out, "(a.balance = t.id)") == 0);
}

int main(void)
{
    arena = arena_create(NULL, 1 << 20, "explain_expr_test");
    if (arena == NULL) {
        return 1;
    }
    TEST_RUN(test_constants);
    TEST_RUN(test_operators);
    TEST_RUN(test_case_and_slots);
    arena_destroy(arena);
    return test_summary("explain_expr_test");
}
