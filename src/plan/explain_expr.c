/*
 * plan/explain_expr.c - prints a bound expression tree (Expr) as PostgreSQL's
 * EXPLAIN does (ruleutils' deparse without implicit casts): operators as
 * "(a = b)", constants with their type label where PostgreSQL shows one
 * ('bob'::text, '5'::bigint, '-1'::integer, but 7 for integer and 1.5 for numeric), AND/OR/NOT, CASE, function
 * calls, subqueries as "(SubPlan n)".
 *
 * Invariants
 *   1. Column references are resolved through ExplainNames: the caller gives
 *      the display name of every input column (already qualified when the
 *      query involves several relations); an index outside the list prints
 *      "?column?" rather than reading out of bounds.
 *   2. The result lives in the given arena; NULL only when the arena failed.
 *
 * Threads: none (pure function of its arguments). See src/plan/README.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan/plan_int.h"
#include "sql/ast.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

typedef struct TextBuf {
    Arena *a;
    char *data;
    size_t len;
    size_t capacity;
    bool has_failed;
} TextBuf;

static void text_add_n(TextBuf *b, const char *s, size_t n)
{
    if (b->has_failed) {
        return;
    }
    if (b->len + n + 1 > b->capacity) {
        size_t cap = b->capacity ? b->capacity * 2 : 64;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *d = arena_realloc(b->a, b->data, b->capacity, cap);
        if (d == NULL) {
            b->has_failed = true;
            return;
        }
        b->data = d;
        b->capacity = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void text_add(TextBuf *b, const char *s)
{
    text_add_n(b, s ? s : "?", strlen(s ? s : "?"));
}

static void expr_print(TextBuf *b, const Expr *e, const ExplainNames *names);

static void print_list(TextBuf *b, Expr *const *args, int count, const ExplainNames *names)
{
    for (int arg = 0; arg < count; arg++) {
        if (arg > 0) {
            text_add(b, ", ");
        }
        expr_print(b, args[arg], names);
    }
}

/* A quoted literal: 'it''s'. */
static void print_quoted(TextBuf *b, const char *s, size_t n)
{
    text_add(b, "'");
    for (size_t at = 0; at < n; at++) {
        text_add_n(b, s[at] == '\'' ? "''" : s + at, s[at] == '\'' ? 2 : 1);
    }
    text_add(b, "'");
}

static bool looks_numeric(const char *s, size_t n)
{
    for (size_t at = 0; at < n; at++) {
        if (strchr("0123456789.eE+", s[at]) == NULL) {
            return false;
        }
    }
    return n > 0;
}

/* PostgreSQL's get_const_expr: int4 and non-negative numerics print bare,
 * booleans as true/false, everything else as 'text'::type. */
static void print_const(TextBuf *b, const Expr *e)
{
    const char *type_label = type_name(e->type, b->a);
    if (e->value.is_null) {
        text_add(b, "NULL::");
        text_add(b, type_label);
        return;
    }
    if (e->type.id == TYPE_BOOL) {
        text_add(b, e->value.b ? "true" : "false");
        return;
    }
    StrRef out;
    Error err;
    memset(&err, 0, sizeof(err));
    if (value_format(&e->value, b->a, &out, &err) != STRATA_OK) {
        text_add(b, "?");
        return;
    }
    const char *s = out.len > 0 ? out.ptr : "";
    size_t n = out.len;
    /* An integral numeric keeps its label ('5'::numeric) so that it does
     * not read back as an integer. */
    bool is_float_like = memchr(s, '.', n) != NULL || memchr(s, 'e', n) != NULL;
    if (looks_numeric(s, n) && (e->type.id == TYPE_INT4 || (e->type.id == TYPE_NUMERIC && is_float_like))) {
        text_add_n(b, s, n);
        return;
    }
    print_quoted(b, s, n);
    text_add(b, "::");
    text_add(b, type_label);
}

static const char *bool_test_text(int kind)
{
    static const char *texts[] = {" IS TRUE", " IS NOT TRUE", " IS FALSE", " IS NOT FALSE",
                                  " IS UNKNOWN", " IS NOT UNKNOWN"};
    return kind >= 0 && kind < 6 ? texts[kind] : " IS ?";
}

static const char *sql_value_text(int kind)
{
    static const char *texts[] = {"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME",
                                  "LOCALTIMESTAMP", "CURRENT_USER", "CURRENT_ROLE", "SESSION_USER",
                                  "USER", "CURRENT_SCHEMA", "CURRENT_CATALOG"};
    return kind >= 0 && kind < 11 ? texts[kind] : "?";
}

static void print_func(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    const char *name = e->fn != NULL ? e->fn->name : "?";
    FuncKind kind = e->fn != NULL ? e->fn->kind : FUNC_KIND_FUNCTION;
    if (e->fn == &FUNC_ARRAY_CONSTRUCT) {
        text_add(b, "ARRAY[");
        print_list(b, e->args, e->arg_count, names);
        text_add(b, "]");
        return;
    }
    if ((e->fn == &FUNC_ARRAY_SUBSCRIPT || e->fn == &FUNC_ARRAY_SLICE) && e->arg_count >= 2) {
        /* PostgreSQL prints a subscripted column as (a)[1] */
        text_add(b, "(");
        expr_print(b, e->args[0], names);
        text_add(b, ")[");
        expr_print(b, e->args[1], names);
        if (e->arg_count == 3) {
            text_add(b, ":");
            expr_print(b, e->args[2], names);
        }
        text_add(b, "]");
        return;
    }
    if (kind == FUNC_KIND_OPERATOR_INFIX && e->arg_count == 2) {
        text_add(b, "(");
        expr_print(b, e->args[0], names);
        text_add(b, " ");
        text_add(b, name);
        text_add(b, " ");
        expr_print(b, e->args[1], names);
        text_add(b, ")");
        return;
    }
    if (kind == FUNC_KIND_OPERATOR_PREFIX && e->arg_count == 1) {
        text_add(b, "(");
        text_add(b, name);
        text_add(b, " ");
        expr_print(b, e->args[0], names);
        text_add(b, ")");
        return;
    }
    text_add(b, name);
    text_add(b, "(");
    print_list(b, e->args, e->arg_count, names);
    text_add(b, ")");
}

/* Nested ANDs (ORs) print as one flat list, as PostgreSQL's planner
 * flattens them before EXPLAIN sees them. */
static void print_bool_terms(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    for (int arg = 0; arg < e->arg_count; arg++) {
        if (arg > 0) {
            text_add(b, e->kind == EXPR_AND ? " AND " : " OR ");
        }
        if (e->args[arg] != NULL && e->args[arg]->kind == e->kind) {
            print_bool_terms(b, e->args[arg], names);
        } else {
            expr_print(b, e->args[arg], names);
        }
    }
}

static void print_bool(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    text_add(b, "(");
    print_bool_terms(b, e, names);
    text_add(b, ")");
}

static void print_case(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    text_add(b, "CASE");
    if (e->arg != NULL) {
        text_add(b, " ");
        expr_print(b, e->arg, names);
    }
    int pair_end = e->has_else ? e->arg_count - 1 : e->arg_count;
    for (int arg = 0; arg + 1 < pair_end; arg += 2) {
        text_add(b, " WHEN ");
        expr_print(b, e->args[arg], names);
        text_add(b, " THEN ");
        expr_print(b, e->args[arg + 1], names);
    }
    if (e->has_else && e->arg_count > 0) {
        text_add(b, " ELSE ");
        expr_print(b, e->args[e->arg_count - 1], names);
    }
    text_add(b, " END");
}

/* x IN (a, b) is shown as PostgreSQL's ScalarArrayOpExpr: (x = ANY (ARRAY[a, b])). */
/* An array element as PostgreSQL's array_out writes it: double-quoted when
 * empty, "NULL" or holding a delimiter, quote, backslash or space. */
static void array_element_add(TextBuf *b, const char *s, size_t n)
{
    bool quote = n == 0 || (n == 4 && strncasecmp(s, "null", 4) == 0);
    for (size_t at = 0; at < n && !quote; at++) {
        quote = strchr("{},\"\\ \t\n", s[at]) != NULL;
    }
    if (!quote) {
        text_add_n(b, s, n);
        return;
    }
    text_add(b, "\"");
    for (size_t at = 0; at < n; at++) {
        if (s[at] == '"' || s[at] == '\\') {
            text_add(b, "\\");
        }
        text_add_n(b, s + at, 1);
    }
    text_add(b, "\"");
}

/* A list of constants prints as PostgreSQL folds it: one array constant,
 * '{1,2,3}'::integer[]. False when some item is not a constant. */
static bool print_const_array(TextBuf *b, Expr *const *items, int count)
{
    for (int k = 0; k < count; k++) {
        if (items[k]->kind != EXPR_CONST || items[k]->type.id != items[0]->type.id) {
            return false;
        }
    }
    TextBuf body = {.a = b->a};
    text_add(&body, "{");
    for (int k = 0; k < count; k++) {
        if (k > 0) {
            text_add(&body, ",");
        }
        StrRef out;
        Error err;
        memset(&err, 0, sizeof(err));
        if (items[k]->value.is_null) {
            text_add(&body, "NULL");
        } else if (value_format(&items[k]->value, b->a, &out, &err) == STRATA_OK) {
            array_element_add(&body, out.len > 0 ? out.ptr : "", out.len);
        } else {
            return false;
        }
    }
    text_add(&body, "}");
    if (body.data == NULL) {
        return false;
    }
    print_quoted(b, body.data, body.len);
    text_add(b, "::");
    text_add(b, type_name(items[0]->type, b->a));
    text_add(b, "[]");
    return true;
}

static void print_in_list(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    text_add(b, "(");
    if (e->arg_count > 0) {
        expr_print(b, e->args[0], names);
    }
    text_add(b, e->is_not ? " <> ALL (" : " = ANY (");
    if (e->arg_count > 1 && print_const_array(b, e->args + 1, e->arg_count - 1)) {
        text_add(b, "))");
        return;
    }
    text_add(b, "ARRAY[");
    if (e->arg_count > 1) {
        print_list(b, e->args + 1, e->arg_count - 1, names);
    }
    text_add(b, "]))");
}

static void print_array_op(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    text_add(b, "(");
    expr_print(b, e->args[0], names);
    text_add(b, " ");
    text_add(b, e->fn != NULL ? e->fn->name : "?");
    text_add(b, e->is_all ? " ALL (" : " ANY (");
    expr_print(b, e->args[1], names);
    text_add(b, "))");
}

static void print_sublink(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    const SubPlan *sub = e->sub;
    char label[32];
    snprintf(label, sizeof(label), "(SubPlan %d)", sub != NULL ? sub->id + 1 : 0);
    if (sub == NULL || sub->type == SUBLINK_TYPE_SCALAR || sub->type == SUBLINK_TYPE_EXISTS) {
        text_add(b, label);
        return;
    }
    if (sub->type == SUBLINK_TYPE_ARRAY) {
        text_add(b, "ARRAY");
        text_add(b, label);
        return;
    }
    text_add(b, "(");
    text_add(b, sub->type == SUBLINK_TYPE_ANY ? "ANY (" : "ALL (");
    for (int item = 0; item < sub->test_count; item++) {
        if (item > 0) {
            text_add(b, " AND ");
        }
        char column[64];
        snprintf(column, sizeof(column), "%s.col%d", label, item + 1);
        expr_print(b, sub->tests[item], names);
        text_add(b, " ");
        text_add(b, sub->cmp_fns != NULL && sub->cmp_fns[item] != NULL ? sub->cmp_fns[item]->name : "=");
        text_add(b, " ");
        text_add(b, column);
    }
    text_add(b, "))");
}

static void print_row_cmp(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    static const char *ops[] = {"=", "<>", "<", "<=", ">", ">="};
    int half = e->arg_count / 2;
    text_add(b, "(ROW(");
    print_list(b, e->args, half, names);
    text_add(b, ") ");
    text_add(b, e->op >= 0 && e->op < 6 ? ops[e->op] : "?");
    text_add(b, " ROW(");
    print_list(b, e->args + half, half, names);
    text_add(b, "))");
}

static void print_slot(TextBuf *b, const char *const *labels, int count, int index, const char *prefix)
{
    if (labels != NULL && index >= 0 && index < count && labels[index] != NULL) {
        text_add(b, labels[index]);
        return;
    }
    char text[32];
    snprintf(text, sizeof(text), "%s%d", prefix, index + 1);
    text_add(b, text);
}

static void print_cast(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    /* Implicit casts are shown too: PostgreSQL hides them only at the top of
     * an expression, and under an operator or function, where they occur,
     * it prints them as "(k)::numeric". */
    text_add(b, "(");
    expr_print(b, e->args[0], names);
    text_add(b, ")::");
    text_add(b, type_name(e->type, b->a));
}

static void expr_print(TextBuf *b, const Expr *e, const ExplainNames *names)
{
    if (e == NULL) {
        text_add(b, "NULL");
        return;
    }
    switch (e->kind) {
    case EXPR_CONST: print_const(b, e); return;
    case EXPR_COLUMN: print_slot(b, names->columns, names->column_count, e->index, "?column"); return;
    case EXPR_CORR: print_slot(b, names->corr, names->corr_count, e->index, "$outer"); return;
    case EXPR_PARAM: print_slot(b, NULL, 0, e->index, "$"); return;
    case EXPR_FUNC: print_func(b, e, names); return;
    case EXPR_AND:
    case EXPR_OR: print_bool(b, e, names); return;
    case EXPR_NOT:
        text_add(b, "(NOT ");
        expr_print(b, e->arg_count > 0 ? e->args[0] : NULL, names);
        text_add(b, ")");
        return;
    case EXPR_CASE: print_case(b, e, names); return;
    case EXPR_COALESCE:
    case EXPR_NULLIF:
    case EXPR_MINMAX:
        text_add(b, e->kind == EXPR_COALESCE ? "COALESCE("
                    : e->kind == EXPR_NULLIF ? "NULLIF("
                    : e->is_greatest ? "GREATEST(" : "LEAST(");
        print_list(b, e->args, e->arg_count, names);
        text_add(b, ")");
        return;
    case EXPR_IN_LIST: print_in_list(b, e, names); return;
    case EXPR_ARRAY_OP: print_array_op(b, e, names); return;
    case EXPR_NULL_TEST:
        text_add(b, "(");
        expr_print(b, e->args[0], names);
        text_add(b, e->is_not ? " IS NOT NULL)" : " IS NULL)");
        return;
    case EXPR_BOOL_TEST:
        text_add(b, "(");
        expr_print(b, e->args[0], names);
        text_add(b, bool_test_text(e->test_kind));
        text_add(b, ")");
        return;
    case EXPR_DISTINCT:
        text_add(b, "(");
        expr_print(b, e->args[0], names);
        text_add(b, e->is_not ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        expr_print(b, e->args[1], names);
        text_add(b, ")");
        return;
    case EXPR_CAST: print_cast(b, e, names); return;
    case EXPR_SUBLINK: print_sublink(b, e, names); return;
    case EXPR_ROW_CMP: print_row_cmp(b, e, names); return;
    case EXPR_AGG_CALL:
        text_add(b, e->agg != NULL ? explain_agg_text(e->agg, names, b->a) : "?");
        return;
    case EXPR_WINDOW_CALL: text_add(b, "?window?"); return;
    case EXPR_SEQUENCE:
        text_add(b, e->op == SEQ_NEXTVAL           ? "nextval("
                    : e->op == SEQ_CURRVAL         ? "currval("
                    : e->op == SEQ_CURRENT_SETTING ? "current_setting("
                    : e->op == SEQ_SET_CONFIG      ? "set_config("
                                                   : "setval(");
        print_list(b, e->args, e->arg_count, names);
        text_add(b, ")");
        return;
    case EXPR_SQL_VALUE: text_add(b, sql_value_text(e->sql_value)); return;
    }
    text_add(b, "?");
}

const char *explain_expr_text(const Expr *e, const ExplainNames *names, Arena *a)
{
    TextBuf b = {.a = a};
    expr_print(&b, e, names);
    return b.has_failed ? NULL : b.data;
}

const char *explain_agg_text(const AggCall *agg, const ExplainNames *names, Arena *a)
{
    TextBuf b = {.a = a};
    text_add(&b, agg->name != NULL ? agg->name : "?");
    text_add(&b, "(");
    if (agg->is_star) {
        text_add(&b, "*");
    } else {
        if (agg->is_distinct) {
            text_add(&b, "DISTINCT ");
        }
        print_list(&b, agg->args, agg->arg_count, names);
    }
    if (agg->order_count > 0) {
        text_add(&b, " ORDER BY ");
        for (int key = 0; key < agg->order_count; key++) {
            if (key > 0) {
                text_add(&b, ", ");
            }
            expr_print(&b, agg->order[key], names);
            if (agg->order_desc != NULL && agg->order_desc[key]) {
                text_add(&b, " DESC");
            }
        }
    }
    text_add(&b, ")");
    if (agg->filter != NULL) {
        text_add(&b, " FILTER (WHERE ");
        expr_print(&b, agg->filter, names);
        text_add(&b, ")");
    }
    return b.has_failed ? NULL : b.data;
}
