/*
 * sql/parse_expr.c - expressions (PostgreSQL's a_expr / c_expr) by precedence
 * climbing.
 *
 * Precedence, lowest first, as PostgreSQL's gram.y declares it:
 *   1 OR   2 AND   3 NOT (prefix)   4 IS, ISNULL, NOTNULL (nonassoc)
 *   5 < > = <= >= <> != (nonassoc)   6 BETWEEN IN LIKE ILIKE SIMILAR (nonassoc)
 *   7 any other operator, OPERATOR(...)   8 + -   9 * / %   10 ^   11 AT TIME ZONE
 *   12 COLLATE   13 unary + -   then postfix [ ], ::, . (tightest)
 * Nonassoc means `a < b < c` is a syntax error, as in PostgreSQL.
 *
 * Invariants
 *   1. Every recursive entry goes through p_enter, bounding depth.
 *   2. A '-' applied directly to a numeric literal is folded into the literal
 *      (PostgreSQL's doNegate), so -2147483648 is an int4 constant.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "sql/parser_int.h"

enum {
    LEVEL_OR = 1,
    LEVEL_AND = 2,
    LEVEL_NOT = 3,
    LEVEL_IS = 4,
    LEVEL_CMP = 5,
    LEVEL_LIKE = 6,
    LEVEL_OP = 7,
    LEVEL_ADD = 8,
    LEVEL_MUL = 9,
    LEVEL_EXP = 10,
    LEVEL_AT = 11,
    LEVEL_COLLATE = 12,
    LEVEL_UNARY = 13,
};

static Node *binary(Parser *p, int min_level);

/* ---------------- constants ---------------- */

/* Classifies digits (optionally with a leading '-') as int4 / int8 / numeric. */
static void classify_integer(Const *c)
{
    const char *text = c->text;
    bool negative = text[0] == '-';
    const char *digits = negative ? text + 1 : text;
    while (digits[0] == '0' && digits[1] != '\0') {
        digits++;
    }
    size_t length = strlen(digits);
    c->int_class = INT_CLASS_NUMERIC;
    if (length > 19) {
        return;
    }
    uint64_t value = 0;
    for (size_t index = 0; index < length; index++) {
        value = value * 10 + (uint64_t)(digits[index] - '0');
    }
    if (length == 19 && strcmp(digits, "9223372036854775808") > 0) {
        return;
    }
    if (!negative && value > (uint64_t)INT64_MAX) {
        return;
    }
    if (negative && value > (uint64_t)INT64_MAX + 1) {
        return;
    }
    c->int_value = negative ? (int64_t)(0 - value) : (int64_t)value;
    c->int_class =
        (c->int_value >= INT32_MIN && c->int_value <= INT32_MAX) ? INT_CLASS_INT4 : INT_CLASS_INT8;
}

static Const *new_const(Parser *p, ConstKind kind, const char *text, size_t length, int loc)
{
    Const *c = P_NEW(p, Const, N_CONST, loc);
    if (c == NULL) {
        return NULL;
    }
    c->kind = kind;
    if (text != NULL) {
        c->text = arena_strndup(p->arena, text, length);
        if (c->text == NULL) {
            return p_nomem(p);
        }
        c->text_length = length;
    }
    if (kind == CONST_INTEGER) {
        classify_integer(c);
    }
    return c;
}

Const *p_make_string_const(Parser *p, const char *text, int loc)
{
    return new_const(p, CONST_STRING, text, strlen(text), loc);
}

Const *p_make_int_const(Parser *p, int64_t value, int loc)
{
    char digits[32];
    int length = snprintf(digits, sizeof(digits), "%lld", (long long)value);
    return new_const(p, CONST_INTEGER, digits, (size_t)length, loc);
}

/* Unary minus on a literal: fold the sign into its text. */
static Node *negate(Parser *p, Node *arg, int loc)
{
    if (arg->tag == N_CONST) {
        Const *c = (Const *)arg;
        if (c->kind == CONST_INTEGER || c->kind == CONST_NUMERIC) {
            const char *text = c->text;
            char *negated = text[0] == '-' ? arena_strdup(p->arena, text + 1)
                                           : arena_sprintf(p->arena, "-%s", text);
            if (negated == NULL) {
                return p_nomem(p);
            }
            c->text = negated;
            c->text_length = strlen(negated);
            c->location = loc;
            if (c->kind == CONST_INTEGER) {
                classify_integer(c);
            }
            return arg;
        }
    }
    OpExpr *op = P_NEW(p, OpExpr, N_OP_EXPR, loc);
    if (op == NULL) {
        return NULL;
    }
    op->op = "-";
    op->right = arg;
    return (Node *)op;
}

/* ---------------- small builders ---------------- */

static Node *make_op(Parser *p, const char *op_text, Node *left, Node *right, int loc)
{
    OpExpr *op = P_NEW(p, OpExpr, N_OP_EXPR, loc);
    if (op == NULL) {
        return NULL;
    }
    op->op = strcmp(op_text, "!=") == 0 ? "<>" : p_strdup(p, op_text);
    op->left = left;
    op->right = right;
    return p->failed ? NULL : (Node *)op;
}

static Node *make_bool(Parser *p, BoolOp kind, Node *left, Node *right, int loc)
{
    if (left != NULL && left->tag == N_BOOL_EXPR && ((BoolExpr *)left)->op == kind &&
        kind != BOOL_NOT) {
        return p_append(p, &((BoolExpr *)left)->args, right) ? left : NULL;
    }
    BoolExpr *expr = P_NEW(p, BoolExpr, N_BOOL_EXPR, loc);
    if (expr == NULL) {
        return NULL;
    }
    expr->op = kind;
    if (!p_append(p, &expr->args, left)) {
        return NULL;
    }
    if (right != NULL && !p_append(p, &expr->args, right)) {
        return NULL;
    }
    return (Node *)expr;
}

static Node *make_not(Parser *p, Node *arg, int loc)
{
    return make_bool(p, BOOL_NOT, arg, NULL, loc);
}

bool p_expr_list(Parser *p, NodeList *out)
{
    do {
        if (!p_append(p, out, p_expr(p))) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

bool p_starts_select_in_parens(Parser *p)
{
    int ahead = 0;
    while (p_peek(p, ahead)->kind == TOK_LPAREN) {
        ahead++;
    }
    if (ahead == 0) {
        return false;
    }
    Token *t = p_peek(p, ahead);
    return t->kind == TOK_IDENT && (t->keyword == KW_SELECT || t->keyword == KW_VALUES ||
                                    t->keyword == KW_WITH || t->keyword == KW_TABLE);
}

/* Tries '(' query ')' at the current '('; NULL (position unchanged, no error)
 * if it is not one. */
static SelectStmt *try_paren_select(Parser *p)
{
    int start = p->pos;
    if (!p_starts_select_in_parens(p) || p->select_failed[start]) {
        return NULL;
    }
    ParseMark mark = p_mark(p);
    SelectStmt *select = p_select_with_parens(p);
    if (select != NULL) {
        return select;
    }
    if (p_backtrack(p, mark)) {
        p->select_failed[start] = 1;
    }
    return NULL;
}

static Node *make_sublink(Parser *p, SubLinkKind kind, Node *test, const char *op, Node *query,
                          int loc)
{
    SubLink *link = P_NEW(p, SubLink, N_SUBLINK, loc);
    if (link == NULL) {
        return NULL;
    }
    link->kind = kind;
    link->test_expr = test;
    link->op = op != NULL ? p_strdup(p, op) : NULL;
    link->subquery = query;
    return p->failed ? NULL : (Node *)link;
}

/* ---------------- ORDER BY and windows ---------------- */

static SortBy *sort_by(Parser *p)
{
    int loc = p_loc(p);
    Node *expr = p_expr(p);
    if (expr == NULL) {
        return NULL;
    }
    SortBy *sort = P_NEW(p, SortBy, N_SORT_BY, loc);
    if (sort == NULL) {
        return NULL;
    }
    sort->expr = expr;
    if (p_accept_kw(p, KW_ASC)) {
        sort->dir = SORT_ASC;
    } else if (p_accept_kw(p, KW_DESC)) {
        sort->dir = SORT_DESC;
    } else if (p_is_kw(p, KW_USING)) {
        return p_error_at(p, p->pos, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ORDER BY ... USING is not supported");
    }
    if (p_accept_kw(p, KW_NULLS)) {
        if (p_accept_kw(p, KW_FIRST)) {
            sort->nulls = SORT_NULLS_FIRST;
        } else if (p_accept_kw(p, KW_LAST)) {
            sort->nulls = SORT_NULLS_LAST;
        } else {
            return p_syntax_error(p);
        }
    }
    return sort;
}

bool p_sort_list(Parser *p, NodeList *out)
{
    do {
        if (!p_append(p, out, (Node *)sort_by(p))) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

static bool frame_bound(Parser *p, FrameBoundKind *kind, Node **offset)
{
    if (p_is_kw(p, KW_UNBOUNDED)) {
        p_advance(p);
        if (p_accept_kw(p, KW_PRECEDING)) {
            *kind = FRAME_BOUND_UNBOUNDED_PRECEDING;
        } else if (p_accept_kw(p, KW_FOLLOWING)) {
            *kind = FRAME_BOUND_UNBOUNDED_FOLLOWING;
        } else {
            p_syntax_error(p);
            return false;
        }
        return true;
    }
    if (p_is_kw(p, KW_CURRENT) && p_peek_kw(p, 1, KW_ROW)) {
        p_advance(p);
        p_advance(p);
        *kind = FRAME_BOUND_CURRENT_ROW;
        return true;
    }
    *offset = p_expr(p);
    if (*offset == NULL) {
        return false;
    }
    if (p_accept_kw(p, KW_PRECEDING)) {
        *kind = FRAME_BOUND_OFFSET_PRECEDING;
    } else if (p_accept_kw(p, KW_FOLLOWING)) {
        *kind = FRAME_BOUND_OFFSET_FOLLOWING;
    } else {
        p_syntax_error(p);
        return false;
    }
    return true;
}

static bool frame_clause(Parser *p, WindowDef *window)
{
    if (p_accept_kw(p, KW_ROWS)) {
        window->frame_mode = FRAME_ROWS;
    } else if (p_accept_kw(p, KW_RANGE)) {
        window->frame_mode = FRAME_RANGE;
    } else if (p_accept_kw(p, KW_GROUPS)) {
        window->frame_mode = FRAME_GROUPS;
    } else {
        return true;
    }
    if (p_accept_kw(p, KW_BETWEEN)) {
        if (!frame_bound(p, &window->start_kind, &window->start_offset) ||
            !p_expect_kw(p, KW_AND) || !frame_bound(p, &window->end_kind, &window->end_offset)) {
            return false;
        }
    } else if (!frame_bound(p, &window->start_kind, &window->start_offset)) {
        return false;
    }
    if (p_accept_kw(p, KW_EXCLUDE)) {
        if (p_is_kw(p, KW_CURRENT) && p_peek_kw(p, 1, KW_ROW)) {
            p_advance(p);
            p_advance(p);
            window->exclude = FRAME_EXCLUDE_CURRENT_ROW;
        } else if (p_accept_kw(p, KW_GROUP)) {
            window->exclude = FRAME_EXCLUDE_GROUP;
        } else if (p_accept_kw(p, KW_TIES)) {
            window->exclude = FRAME_EXCLUDE_TIES;
        } else if (p_accept_kw(p, KW_NO)) {
            if (!p_expect_kw(p, KW_OTHERS)) {
                return false;
            }
            window->exclude = FRAME_EXCLUDE_NONE;
        } else {
            p_syntax_error(p);
            return false;
        }
    }
    return true;
}

WindowDef *p_window_spec(Parser *p)
{
    WindowDef *window = P_NEW(p, WindowDef, N_WINDOW_DEF, p_loc(p));
    if (window == NULL || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    if (p_is_col_id(p, 0) && !p_is_kw(p, KW_PARTITION) && !p_is_kw(p, KW_ROWS) &&
        !p_is_kw(p, KW_RANGE) && !p_is_kw(p, KW_GROUPS)) {
        window->refname = p_col_id(p);
    }
    if (p_accept_kw(p, KW_PARTITION)) {
        if (!p_expect_kw(p, KW_BY) || !p_expr_list(p, &window->partition_by)) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_ORDER)) {
        if (!p_expect_kw(p, KW_BY) || !p_sort_list(p, &window->order_by)) {
            return NULL;
        }
    }
    if (!frame_clause(p, window) || !p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    return window;
}

/* ---------------- function calls ---------------- */

/* One argument: expr, or name => expr / name := expr. */
static Node *func_arg(Parser *p)
{
    TokenKind next = p_peek(p, 1)->kind;
    if ((next == TOK_EQUALS_GREATER || next == TOK_COLON_EQUALS) && p_is_nonreserved_word(p, 0)) {
        NamedArgExpr *named = P_NEW(p, NamedArgExpr, N_NAMED_ARG, p_loc(p));
        if (named == NULL) {
            return NULL;
        }
        named->name = p_tok(p)->text;
        p_advance(p);
        p_advance(p);
        named->arg = p_expr(p);
        return named->arg == NULL ? NULL : (Node *)named;
    }
    return p_expr(p);
}

/* After name '(' has been seen: arguments, then WITHIN GROUP / FILTER / OVER. */
static Node *func_call_rest(Parser *p, FuncCall *call)
{
    if (!p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    if (p_is_op(p, "*")) {
        p_advance(p);
        call->agg_star = true;
    } else if (!p_is(p, TOK_RPAREN)) {
        if (p_accept_kw(p, KW_DISTINCT)) {
            call->agg_distinct = true;
        } else {
            p_accept_kw(p, KW_ALL);
        }
        do {
            if (p_accept_kw(p, KW_VARIADIC)) {
                call->func_variadic = true;
            }
            if (!p_append(p, &call->args, func_arg(p))) {
                return NULL;
            }
        } while (!call->func_variadic && p_accept(p, TOK_COMMA));
        if (p_accept_kw(p, KW_ORDER)) {
            if (!p_expect_kw(p, KW_BY) || !p_sort_list(p, &call->agg_order)) {
                return NULL;
            }
        }
    }
    if (!p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    if (p_is_kw(p, KW_WITHIN) && p_peek_kw(p, 1, KW_GROUP)) {
        p_advance(p);
        p_advance(p);
        if (call->agg_order.count > 0) {
            return p_error_at(p, p->pos - 2, SQLSTATE_SYNTAX_ERROR,
                              "cannot use multiple ORDER BY clauses with WITHIN GROUP");
        }
        if (!p_expect(p, TOK_LPAREN) || !p_expect_kw(p, KW_ORDER) || !p_expect_kw(p, KW_BY) ||
            !p_sort_list(p, &call->agg_order) || !p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
        call->agg_within_group = true;
    }
    if (p_is_kw(p, KW_FILTER) && p_peek(p, 1)->kind == TOK_LPAREN) {
        p_advance(p);
        p_advance(p);
        if (!p_expect_kw(p, KW_WHERE)) {
            return NULL;
        }
        call->agg_filter = p_expr(p);
        if (call->agg_filter == NULL || !p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_OVER)) {
        if (p_is(p, TOK_LPAREN)) {
            call->over = p_window_spec(p);
            if (call->over == NULL) {
                return NULL;
            }
        } else {
            WindowDef *window = P_NEW(p, WindowDef, N_WINDOW_DEF, p_loc(p));
            if (window == NULL) {
                return NULL;
            }
            window->refname = p_col_id(p);
            window->is_bare_name = true;
            call->over = window;
            if (window->refname == NULL) {
                return NULL;
            }
        }
    }
    return (Node *)call;
}

static FuncCall *new_call(Parser *p, const char *name, int loc, FuncSyntax syntax)
{
    FuncCall *call = P_NEW(p, FuncCall, N_FUNC_CALL, loc);
    if (call == NULL || !p_append_name(p, &call->name, p_strdup(p, name))) {
        return NULL;
    }
    call->syntax = syntax;
    return call;
}

/* EXTRACT(field FROM x) */
static Node *extract_call(Parser *p, int loc)
{
    FuncCall *call = new_call(p, "extract", loc, FUNC_SYNTAX_EXTRACT);
    if (call == NULL || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    int field_loc = p_loc(p);
    const char *field;
    if (p_is(p, TOK_STRING) || p_is(p, TOK_IDENT)) {
        field = p_tok(p)->text;
        p_advance(p);
    } else {
        return p_syntax_error(p);
    }
    if (!p_append(p, &call->args, (Node *)p_make_string_const(p, field, field_loc)) ||
        !p_expect_kw(p, KW_FROM) || !p_append(p, &call->args, p_expr(p)) ||
        !p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    return (Node *)call;
}

/* SUBSTRING(x FROM a FOR b) | SUBSTRING(x FOR b) | substring(args) */
static Node *substring_call(Parser *p, int loc)
{
    FuncCall *call = new_call(p, "substring", loc, FUNC_SYNTAX_NORMAL);
    if (call == NULL || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    if (!p_append(p, &call->args, p_expr(p))) {
        return NULL;
    }
    if (p_accept_kw(p, KW_FROM)) {
        call->syntax = FUNC_SYNTAX_SUBSTRING;
        if (!p_append(p, &call->args, p_expr(p))) {
            return NULL;
        }
        if (p_accept_kw(p, KW_FOR) && !p_append(p, &call->args, p_expr(p))) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_FOR)) {
        call->syntax = FUNC_SYNTAX_SUBSTRING;
        if (!p_append(p, &call->args, (Node *)p_make_int_const(p, 1, -1)) ||
            !p_append(p, &call->args, p_expr(p))) {
            return NULL;
        }
    } else {
        while (p_accept(p, TOK_COMMA)) {
            if (!p_append(p, &call->args, p_expr(p))) {
                return NULL;
            }
        }
    }
    return p_expect(p, TOK_RPAREN) ? (Node *)call : NULL;
}

/* POSITION(a IN b) -> position(b, a) */
static Node *position_call(Parser *p, int loc)
{
    FuncCall *call = new_call(p, "position", loc, FUNC_SYNTAX_POSITION);
    if (call == NULL || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    Node *needle = binary(p, LEVEL_OP);
    if (needle == NULL || !p_expect_kw(p, KW_IN)) {
        return NULL;
    }
    Node *haystack = binary(p, LEVEL_OP);
    if (haystack == NULL || !p_append(p, &call->args, haystack) ||
        !p_append(p, &call->args, needle) || !p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    return (Node *)call;
}

/* TRIM([BOTH | LEADING | TRAILING] [chars] FROM x) | TRIM([...] x [, chars]) */
static Node *trim_call(Parser *p, int loc)
{
    const char *name = "btrim";
    if (!p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_LEADING)) {
        name = "ltrim";
    } else if (p_accept_kw(p, KW_TRAILING)) {
        name = "rtrim";
    } else {
        p_accept_kw(p, KW_BOTH);
    }
    FuncCall *call = new_call(p, name, loc, FUNC_SYNTAX_TRIM);
    if (call == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_FROM)) {
        if (!p_expr_list(p, &call->args)) {
            return NULL;
        }
    } else {
        Node *first = p_expr(p);
        if (first == NULL) {
            return NULL;
        }
        if (p_accept_kw(p, KW_FROM)) {
            /* chars FROM x -> f(x, chars) */
            if (!p_append(p, &call->args, p_expr(p)) || !p_append(p, &call->args, first)) {
                return NULL;
            }
        } else {
            if (!p_append(p, &call->args, first)) {
                return NULL;
            }
            while (p_accept(p, TOK_COMMA)) {
                if (!p_append(p, &call->args, p_expr(p))) {
                    return NULL;
                }
            }
        }
    }
    return p_expect(p, TOK_RPAREN) ? (Node *)call : NULL;
}

/* OVERLAY(x PLACING y FROM a [FOR b]) */
static Node *overlay_call(Parser *p, int loc)
{
    FuncCall *call = new_call(p, "overlay", loc, FUNC_SYNTAX_OVERLAY);
    if (call == NULL || !p_expect(p, TOK_LPAREN) || !p_append(p, &call->args, p_expr(p))) {
        return NULL;
    }
    if (p_accept_kw(p, KW_PLACING)) {
        if (!p_append(p, &call->args, p_expr(p)) || !p_expect_kw(p, KW_FROM) ||
            !p_append(p, &call->args, p_expr(p))) {
            return NULL;
        }
        if (p_accept_kw(p, KW_FOR) && !p_append(p, &call->args, p_expr(p))) {
            return NULL;
        }
    } else {
        call->syntax = FUNC_SYNTAX_NORMAL;
        while (p_accept(p, TOK_COMMA)) {
            if (!p_append(p, &call->args, p_expr(p))) {
                return NULL;
            }
        }
    }
    return p_expect(p, TOK_RPAREN) ? (Node *)call : NULL;
}

/* COALESCE / NULLIF / GREATEST / LEAST */
static Node *special_list_call(Parser *p, KeywordId kw, int loc)
{
    NodeList args = {0};
    if (!p_expect(p, TOK_LPAREN) || !p_expr_list(p, &args) || !p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    if (kw == KW_COALESCE) {
        CoalesceExpr *expr = P_NEW(p, CoalesceExpr, N_COALESCE, loc);
        if (expr != NULL) {
            expr->args = args;
        }
        return (Node *)expr;
    }
    if (kw == KW_NULLIF) {
        if (args.count != 2) {
            return p_error_at(p, p->pos - 1, SQLSTATE_SYNTAX_ERROR,
                              args.count < 2 ? "syntax error at or near \")\""
                                             : "syntax error at or near \",\"");
        }
        NullIfExpr *expr = P_NEW(p, NullIfExpr, N_NULLIF, loc);
        if (expr != NULL) {
            expr->left = args.items[0];
            expr->right = args.items[1];
        }
        return (Node *)expr;
    }
    MinMaxExpr *expr = P_NEW(p, MinMaxExpr, N_MINMAX, loc);
    if (expr != NULL) {
        expr->is_greatest = kw == KW_GREATEST;
        expr->args = args;
    }
    return (Node *)expr;
}

/* ---------------- primary expressions ---------------- */

static Node *case_expr(Parser *p, int loc)
{
    CaseExpr *expr = P_NEW(p, CaseExpr, N_CASE, loc);
    if (expr == NULL) {
        return NULL;
    }
    if (!p_is_kw(p, KW_WHEN)) {
        expr->arg = p_expr(p);
        if (expr->arg == NULL) {
            return NULL;
        }
    }
    if (!p_is_kw(p, KW_WHEN)) {
        return p_syntax_error(p);
    }
    while (p_is_kw(p, KW_WHEN)) {
        CaseWhen *when = P_NEW(p, CaseWhen, N_CASE_WHEN, p_loc(p));
        if (when == NULL) {
            return NULL;
        }
        p_advance(p);
        when->condition = p_expr(p);
        if (when->condition == NULL || !p_expect_kw(p, KW_THEN)) {
            return NULL;
        }
        when->result = p_expr(p);
        if (!p_append(p, &expr->whens, (Node *)when)) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_ELSE)) {
        expr->default_result = p_expr(p);
        if (expr->default_result == NULL) {
            return NULL;
        }
    }
    return p_expect_kw(p, KW_END) ? (Node *)expr : NULL;
}

static Node *array_expr(Parser *p, int loc)
{
    /* ARRAY[...], with nested [...] lists as inner arrays. */
    ArrayExpr *array = P_NEW(p, ArrayExpr, N_ARRAY, loc);
    if (array == NULL || !p_expect(p, TOK_LBRACKET)) {
        return NULL;
    }
    if (!p_is(p, TOK_RBRACKET)) {
        do {
            Node *element;
            if (p_is(p, TOK_LBRACKET)) {
                if (!p_enter(p)) {
                    return NULL;
                }
                element = array_expr(p, p_loc(p));
                p_leave(p);
            } else {
                element = p_expr(p);
            }
            if (!p_append(p, &array->elements, element)) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
    }
    return p_expect(p, TOK_RBRACKET) ? (Node *)array : NULL;
}

static Node *sql_value(Parser *p, SqlValueKind kind, int loc, bool allow_precision)
{
    SqlValue *value = P_NEW(p, SqlValue, N_SQL_VALUE, loc);
    if (value == NULL) {
        return NULL;
    }
    value->kind = kind;
    value->precision = -1;
    if (allow_precision && p_is(p, TOK_LPAREN)) {
        p_advance(p);
        int64_t precision;
        if (!p_signed_int(p, &precision) || !p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
        value->precision = (int)precision;
    }
    return (Node *)value;
}

/* A type keyword (INTERVAL, TIMESTAMP, INT, ...) followed by a string: a typed
 * literal; NULL (position restored, no error) if it is not one. */
static Node *try_typed_literal(Parser *p)
{
    ParseMark mark = p_mark(p);
    int loc = p_loc(p);
    TypeName *type = p_type_name(p);
    if (type != NULL && p_is(p, TOK_STRING)) {
        Const *value = p_make_string_const(p, p_tok(p)->text, p_loc(p));
        p_advance(p);
        if (value == NULL) {
            return NULL;
        }
        if (strcmp(type->name, "interval") == 0 && type->interval_fields == 0 &&
            type->typmods.count == 0 && !p_interval_fields(p, type)) {
            return NULL;
        }
        Cast *cast = P_NEW(p, Cast, N_CAST, loc);
        if (cast == NULL) {
            return NULL;
        }
        cast->arg = (Node *)value;
        cast->type = type;
        cast->syntax = CAST_SYNTAX_PREFIX;
        return (Node *)cast;
    }
    p_backtrack(p, mark);
    return NULL;
}

/* A literal token as a Const; the token's text is arena-owned like the tree,
 * so it is shared rather than copied. */
static Const *token_const(Parser *p, ConstKind kind, const Token *t)
{
    Const *c = P_NEW(p, Const, N_CONST, t->start);
    if (c == NULL) {
        return NULL;
    }
    c->kind = kind;
    c->text = t->text;
    c->text_length = t->text_length;
    if (kind == CONST_INTEGER) {
        classify_integer(c);
    }
    return c;
}

static Node *param_or_const(Parser *p)
{
    Token *t = p_tok(p);
    int loc = t->start;
    Node *node = NULL;
    switch (t->kind) {
    case TOK_INTEGER:
        node = (Node *)token_const(p, CONST_INTEGER, t);
        break;
    case TOK_NUMERIC:
        node = (Node *)token_const(p, CONST_NUMERIC, t);
        break;
    case TOK_STRING:
        node = (Node *)token_const(p, CONST_STRING, t);
        break;
    case TOK_BIT_STRING:
        node = (Node *)token_const(p, CONST_BIT_STRING, t);
        break;
    case TOK_HEX_STRING:
        node = (Node *)token_const(p, CONST_HEX_STRING, t);
        break;
    case TOK_PARAM: {
        Param *param = P_NEW(p, Param, N_PARAM, loc);
        if (param != NULL) {
            param->number = t->param_number;
        }
        node = (Node *)param;
        break;
    }
    default:
        return p_syntax_error(p);
    }
    p_advance(p);
    return node;
}

static Node *paren_expr(Parser *p)
{
    int loc = p_loc(p);
    SelectStmt *select = try_paren_select(p);
    if (select != NULL) {
        return make_sublink(p, SUBLINK_EXPR, NULL, NULL, (Node *)select, loc);
    }
    if (p->failed || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    Node *first = p_expr(p);
    if (first == NULL) {
        return NULL;
    }
    if (p_is(p, TOK_COMMA)) {
        RowExpr *row = P_NEW(p, RowExpr, N_ROW, loc);
        if (row == NULL || !p_append(p, &row->args, first)) {
            return NULL;
        }
        while (p_accept(p, TOK_COMMA)) {
            if (!p_append(p, &row->args, p_expr(p))) {
                return NULL;
            }
        }
        return p_expect(p, TOK_RPAREN) ? (Node *)row : NULL;
    }
    return p_expect(p, TOK_RPAREN) ? first : NULL;
}

/* name ... : column reference, qualified function call or typed literal. */
static Node *name_expr(Parser *p)
{
    int loc = p_loc(p);
    bool is_func_name = p_is_type_func_name(p, 0);
    bool is_col_id = p_is_col_id(p, 0);
    /* type_func_name 'string' or ident 'string': a typed literal. */
    if (is_func_name && p_peek(p, 1)->kind == TOK_STRING) {
        Node *literal = try_typed_literal(p);
        if (literal != NULL || p->failed) {
            return literal;
        }
    }
    if (is_func_name && p_peek(p, 1)->kind == TOK_LPAREN) {
        FuncCall *call = P_NEW(p, FuncCall, N_FUNC_CALL, loc);
        if (call == NULL || !p_append_name(p, &call->name, p_tok(p)->text)) {
            return NULL;
        }
        p_advance(p);
        return func_call_rest(p, call);
    }
    if (!is_col_id) {
        return p_syntax_error(p);
    }
    ColumnRef *ref = P_NEW(p, ColumnRef, N_COLUMN_REF, loc);
    if (ref == NULL || !p_append_name(p, &ref->fields, p_tok(p)->text)) {
        return NULL;
    }
    p_advance(p);
    while (p_is(p, TOK_DOT)) {
        p_advance(p);
        if (p_is_op(p, "*")) {
            p_advance(p);
            ref->is_star = true;
            return (Node *)ref;
        }
        if (!p_append_name(p, &ref->fields, p_col_label(p))) {
            return NULL;
        }
    }
    if (ref->fields.count > 1 && p_is(p, TOK_LPAREN)) {
        /* schema.func(...); an unqualified col_name keyword is no function name */
        FuncCall *call = P_NEW(p, FuncCall, N_FUNC_CALL, loc);
        if (call == NULL) {
            return NULL;
        }
        call->name = ref->fields;
        return func_call_rest(p, call);
    }
    if (ref->fields.count > 1 && p_is(p, TOK_STRING)) {
        /* schema.type 'literal' */
        ParseMark mark = p_mark(p);
        p->pos -= 2 * ref->fields.count - 1;
        Node *literal = try_typed_literal(p);
        if (literal != NULL || p->failed) {
            return literal;
        }
        p->pos = mark.pos;
    }
    return (Node *)ref;
}

static Node *cast_expr(Parser *p, int loc)
{
    Cast *cast = P_NEW(p, Cast, N_CAST, loc);
    if (cast == NULL || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    cast->arg = p_expr(p);
    if (cast->arg == NULL || !p_expect_kw(p, KW_AS)) {
        return NULL;
    }
    cast->type = p_type_name(p);
    cast->syntax = CAST_SYNTAX_CAST;
    return cast->type != NULL && p_expect(p, TOK_RPAREN) ? (Node *)cast : NULL;
}

/* ROW ( [args] ), after ROW and '(' */
static Node *row_expr(Parser *p, int loc)
{
    RowExpr *row = P_NEW(p, RowExpr, N_ROW, loc);
    if (row == NULL) {
        return NULL;
    }
    row->is_explicit = true;
    if (!p_is(p, TOK_RPAREN) && !p_expr_list(p, &row->args)) {
        return NULL;
    }
    return p_expect(p, TOK_RPAREN) ? (Node *)row : NULL;
}

/* Keywords that open an expression of their own: TRUE, NULL, CASE, CAST,
 * EXISTS, ARRAY. NULL with *handled false if kw is none of them. */
static Node *keyword_term(Parser *p, KeywordId kw, int loc, bool *handled)
{
    *handled = true;
    switch (kw) {
    case KW_TRUE:
    case KW_FALSE: {
        p_advance(p);
        Const *c = new_const(p, CONST_BOOL, NULL, 0, loc);
        if (c != NULL) {
            c->bool_value = kw == KW_TRUE;
        }
        return (Node *)c;
    }
    case KW_NULL:
        p_advance(p);
        return (Node *)new_const(p, CONST_NULL, NULL, 0, loc);
    case KW_CASE:
        p_advance(p);
        return case_expr(p, loc);
    case KW_CAST:
        p_advance(p);
        return cast_expr(p, loc);
    case KW_EXISTS:
    case KW_ARRAY: {
        p_advance(p);
        if (kw == KW_ARRAY && !p_is(p, TOK_LPAREN)) {
            return array_expr(p, loc);
        }
        SelectStmt *select = p_select_with_parens(p);
        SubLinkKind link = kw == KW_EXISTS ? SUBLINK_EXISTS : SUBLINK_ARRAY;
        return select == NULL ? NULL : make_sublink(p, link, NULL, NULL, (Node *)select, loc);
    }
    default:
        *handled = false;
        return NULL;
    }
}

/* Keywords with function-call syntax of their own, seen before '('. */
static Node *keyword_call(Parser *p, KeywordId kw, int loc, bool *handled)
{
    *handled = true;
    switch (kw) {
    case KW_ROW:
        p_advance(p);
        p_advance(p);
        return row_expr(p, loc);
    case KW_COALESCE:
    case KW_NULLIF:
    case KW_GREATEST:
    case KW_LEAST:
        p_advance(p);
        return special_list_call(p, kw, loc);
    case KW_EXTRACT:
        p_advance(p);
        return extract_call(p, loc);
    case KW_SUBSTRING:
        p_advance(p);
        return substring_call(p, loc);
    case KW_POSITION:
        p_advance(p);
        return position_call(p, loc);
    case KW_TRIM:
        p_advance(p);
        return trim_call(p, loc);
    case KW_OVERLAY:
        p_advance(p);
        return overlay_call(p, loc);
    case KW_GROUPING: {
        FuncCall *call = new_call(p, "grouping", loc, FUNC_SYNTAX_NORMAL);
        p_advance(p);
        p_advance(p);
        if (call == NULL || !p_expr_list(p, &call->args) || !p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
        return (Node *)call;
    }
    default:
        *handled = false;
        return NULL;
    }
}

/* CURRENT_DATE, CURRENT_USER, ... written without parentheses. */
static Node *keyword_sql_value(Parser *p, KeywordId kw, int loc, bool next_paren, bool *handled)
{
    static const struct {
        KeywordId kw;
        SqlValueKind kind;
        bool takes_precision;
    } values[] = {
        {KW_CURRENT_DATE, SQL_VALUE_CURRENT_DATE, false},
        {KW_CURRENT_TIME, SQL_VALUE_CURRENT_TIME, true},
        {KW_CURRENT_TIMESTAMP, SQL_VALUE_CURRENT_TIMESTAMP, true},
        {KW_LOCALTIME, SQL_VALUE_LOCALTIME, true},
        {KW_LOCALTIMESTAMP, SQL_VALUE_LOCALTIMESTAMP, true},
        {KW_CURRENT_USER, SQL_VALUE_CURRENT_USER, false},
        {KW_CURRENT_ROLE, SQL_VALUE_CURRENT_ROLE, false},
        {KW_SESSION_USER, SQL_VALUE_SESSION_USER, false},
        {KW_USER, SQL_VALUE_USER, false},
        {KW_CURRENT_CATALOG, SQL_VALUE_CURRENT_CATALOG, false},
        {KW_CURRENT_SCHEMA, SQL_VALUE_CURRENT_SCHEMA, false},
    };
    *handled = false;
    /* current_schema() is an ordinary function call */
    if (kw == KW_CURRENT_SCHEMA && next_paren) {
        return NULL;
    }
    for (size_t index = 0; index < sizeof(values) / sizeof(values[0]); index++) {
        if (values[index].kw == kw) {
            *handled = true;
            p_advance(p);
            return sql_value(p, values[index].kind, loc, values[index].takes_precision);
        }
    }
    return NULL;
}

/* Type keywords that may start a typed literal (INTERVAL '1 day'). */
static bool is_type_keyword(KeywordId kw)
{
    static const KeywordId types[] = {
        KW_INT,      KW_INTEGER, KW_SMALLINT, KW_BIGINT,  KW_REAL,      KW_FLOAT,     KW_DOUBLE,
        KW_DECIMAL,  KW_DEC,     KW_NUMERIC,  KW_BOOLEAN, KW_CHAR,      KW_CHARACTER, KW_VARCHAR,
        KW_NATIONAL, KW_NCHAR,   KW_BIT,      KW_TIME,    KW_TIMESTAMP, KW_INTERVAL,
    };
    for (size_t index = 0; index < sizeof(types) / sizeof(types[0]); index++) {
        if (types[index] == kw) {
            return true;
        }
    }
    return false;
}

static Node *keyword_expr(Parser *p, bool *handled)
{
    int loc = p_loc(p);
    KeywordId kw = p_tok(p)->keyword;
    bool next_paren = p_peek(p, 1)->kind == TOK_LPAREN;
    Node *node = keyword_term(p, kw, loc, handled);
    if (*handled) {
        return node;
    }
    if (next_paren) {
        node = keyword_call(p, kw, loc, handled);
        if (*handled) {
            return node;
        }
    }
    node = keyword_sql_value(p, kw, loc, next_paren, handled);
    if (*handled) {
        return node;
    }
    if (is_type_keyword(kw)) {
        Node *literal = try_typed_literal(p);
        if (literal != NULL || p->failed) {
            *handled = true;
            return literal;
        }
    }
    *handled = false;
    return NULL;
}

static Node *primary(Parser *p)
{
    Token *t = p_tok(p);
    switch (t->kind) {
    case TOK_LPAREN:
        return paren_expr(p);
    case TOK_IDENT: {
        bool handled;
        Node *node = keyword_expr(p, &handled);
        if (handled || p->failed) {
            return node;
        }
        return name_expr(p);
    }
    case TOK_QUOTED_IDENT:
        return name_expr(p);
    default:
        return param_or_const(p);
    }
}

/* Postfix: ::type, [subscript], .field */
static Node *postfix(Parser *p, Node *node)
{
    int chain = 0; /* a::t::t... and a[1][2]... nest like calls (see binary) */
    while (node != NULL) {
        int loc = p_loc(p);
        if (!p_is(p, TOK_TYPECAST) && !p_is(p, TOK_LBRACKET) && !p_is(p, TOK_DOT)) {
            break;
        }
        if (!p_enter(p)) {
            node = NULL;
            break;
        }
        chain++;
        if (p_accept(p, TOK_TYPECAST)) {
            Cast *cast = P_NEW(p, Cast, N_CAST, loc);
            if (cast == NULL) {
                return NULL;
            }
            cast->arg = node;
            cast->type = p_type_name(p);
            cast->syntax = CAST_SYNTAX_COLONS;
            if (cast->type == NULL) {
                return NULL;
            }
            node = (Node *)cast;
        } else if (p_accept(p, TOK_LBRACKET)) {
            Subscript *sub = P_NEW(p, Subscript, N_SUBSCRIPT, loc);
            if (sub == NULL) {
                return NULL;
            }
            sub->arg = node;
            if (!p_is(p, TOK_COLON)) {
                sub->lower = p_expr(p);
                if (sub->lower == NULL) {
                    return NULL;
                }
            }
            if (p_accept(p, TOK_COLON)) {
                sub->is_slice = true;
                if (!p_is(p, TOK_RBRACKET)) {
                    sub->upper = p_expr(p);
                    if (sub->upper == NULL) {
                        return NULL;
                    }
                }
            }
            if (!p_expect(p, TOK_RBRACKET)) {
                return NULL;
            }
            node = (Node *)sub;
        } else if (p_is(p, TOK_DOT)) {
            p_advance(p);
            FieldSelect *field = P_NEW(p, FieldSelect, N_FIELD_SELECT, loc);
            if (field == NULL) {
                return NULL;
            }
            field->arg = node;
            if (p_accept_op(p, "*")) {
                field->field = NULL;
            } else {
                field->field = p_col_label(p);
                if (field->field == NULL) {
                    return NULL;
                }
            }
            node = (Node *)field;
        } else {
            break;
        }
    }
    p->depth -= chain;
    return node;
}

/* ---------------- operators ---------------- */

typedef enum OpClass {
    OPC_NONE,
    OPC_OR,
    OPC_AND,
    OPC_IS, /* IS ..., ISNULL, NOTNULL */
    OPC_CMP,
    OPC_LIKE, /* [NOT] BETWEEN / IN / LIKE / ILIKE / SIMILAR */
    OPC_OP,   /* generic operator or OPERATOR(...) */
    OPC_ADD,
    OPC_MUL,
    OPC_EXP,
    OPC_AT,
    OPC_COLLATE,
} OpClass;

static int class_level(OpClass cls)
{
    static const int levels[] = {
        [OPC_NONE] = 0,        [OPC_OR] = LEVEL_OR,   [OPC_AND] = LEVEL_AND,
        [OPC_IS] = LEVEL_IS,   [OPC_CMP] = LEVEL_CMP, [OPC_LIKE] = LEVEL_LIKE,
        [OPC_OP] = LEVEL_OP,   [OPC_ADD] = LEVEL_ADD, [OPC_MUL] = LEVEL_MUL,
        [OPC_EXP] = LEVEL_EXP, [OPC_AT] = LEVEL_AT,   [OPC_COLLATE] = LEVEL_COLLATE,
    };
    return levels[cls];
}

static OpClass classify_op_text(const char *op)
{
    if (strcmp(op, "<") == 0 || strcmp(op, ">") == 0 || strcmp(op, "=") == 0 ||
        strcmp(op, "<=") == 0 || strcmp(op, ">=") == 0 || strcmp(op, "<>") == 0 ||
        strcmp(op, "!=") == 0) {
        return OPC_CMP;
    }
    if (strcmp(op, "+") == 0 || strcmp(op, "-") == 0) {
        return OPC_ADD;
    }
    if (strcmp(op, "*") == 0 || strcmp(op, "/") == 0 || strcmp(op, "%") == 0) {
        return OPC_MUL;
    }
    if (strcmp(op, "^") == 0) {
        return OPC_EXP;
    }
    return OPC_OP;
}

static OpClass current_op(Parser *p)
{
    Token *t = p_tok(p);
    if (t->kind == TOK_OP) {
        return classify_op_text(t->text);
    }
    if (t->kind != TOK_IDENT) {
        return OPC_NONE;
    }
    switch (t->keyword) {
    case KW_OR:
        return OPC_OR;
    case KW_AND:
        return OPC_AND;
    case KW_IS:
    case KW_ISNULL:
    case KW_NOTNULL:
        return OPC_IS;
    case KW_BETWEEN:
    case KW_IN:
    case KW_LIKE:
    case KW_ILIKE:
    case KW_SIMILAR:
        return OPC_LIKE;
    case KW_NOT: {
        Token *next = p_peek(p, 1);
        if (next->kind == TOK_IDENT &&
            (next->keyword == KW_BETWEEN || next->keyword == KW_IN || next->keyword == KW_LIKE ||
             next->keyword == KW_ILIKE || next->keyword == KW_SIMILAR)) {
            return OPC_LIKE;
        }
        return OPC_NONE;
    }
    case KW_OPERATOR:
        return p_peek(p, 1)->kind == TOK_LPAREN ? OPC_OP : OPC_NONE;
    case KW_AT:
        return p_peek_kw(p, 1, KW_TIME) ? OPC_AT : OPC_NONE;
    case KW_COLLATE:
        return OPC_COLLATE;
    default:
        return OPC_NONE;
    }
}

/* OPERATOR(schema.op): returns the op text and sets *schema. */
static char *qualified_operator(Parser *p, char **schema)
{
    *schema = NULL;
    if (!p_expect_kw(p, KW_OPERATOR) || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    while (p_is_col_id(p, 0) && p_peek(p, 1)->kind == TOK_DOT) {
        *schema = p_tok(p)->text;
        p_advance(p);
        p_advance(p);
    }
    if (!p_is(p, TOK_OP)) {
        return p_syntax_error(p);
    }
    char *op = p_tok(p)->text;
    p_advance(p);
    return p_expect(p, TOK_RPAREN) ? op : NULL;
}

/* After an operator: ANY|SOME|ALL ( subquery | array ) */
static Node *quantified(Parser *p, const char *op, Node *left, int loc)
{
    bool is_all = p_is_kw(p, KW_ALL);
    p_advance(p);
    SelectStmt *select = try_paren_select(p);
    if (select != NULL) {
        return make_sublink(p, is_all ? SUBLINK_ALL : SUBLINK_ANY, left, op, (Node *)select, loc);
    }
    if (p->failed || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    Node *array = p_expr(p);
    if (array == NULL || !p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    ArrayOp *expr = P_NEW(p, ArrayOp, N_ARRAY_OP, loc);
    if (expr == NULL) {
        return NULL;
    }
    expr->op = strcmp(op, "!=") == 0 ? "<>" : p_strdup(p, op);
    expr->left = left;
    expr->right = array;
    expr->is_all = is_all;
    return p->failed ? NULL : (Node *)expr;
}

static bool at_quantifier(Parser *p)
{
    return (p_is_kw(p, KW_ANY) || p_is_kw(p, KW_SOME) || p_is_kw(p, KW_ALL)) &&
           p_peek(p, 1)->kind == TOK_LPAREN;
}

/* A symbolic or OPERATOR(...) operator at left ... */
static Node *apply_operator(Parser *p, Node *left, int level)
{
    int loc = p_loc(p);
    char *schema = NULL;
    char *op;
    if (p_is(p, TOK_OP)) {
        op = p_tok(p)->text;
        p_advance(p);
    } else {
        op = qualified_operator(p, &schema);
        if (op == NULL) {
            return NULL;
        }
    }
    if (at_quantifier(p)) {
        return quantified(p, op, left, loc);
    }
    Node *right = binary(p, level + 1);
    if (right == NULL) {
        return NULL;
    }
    OpExpr *expr = (OpExpr *)make_op(p, op, left, right, loc);
    if (expr != NULL) {
        expr->op_schema = schema;
    }
    return (Node *)expr;
}

static Node *apply_is(Parser *p, Node *left)
{
    int loc = p_loc(p);
    if (p_accept_kw(p, KW_ISNULL) || p_accept_kw(p, KW_NOTNULL)) {
        NullTest *test = P_NEW(p, NullTest, N_NULL_TEST, loc);
        if (test != NULL) {
            test->arg = left;
            test->is_not = p->tokens[p->pos - 1].keyword == KW_NOTNULL;
        }
        return (Node *)test;
    }
    p_advance(p); /* IS */
    bool is_not = p_accept_kw(p, KW_NOT);
    if (p_accept_kw(p, KW_NULL)) {
        NullTest *test = P_NEW(p, NullTest, N_NULL_TEST, loc);
        if (test != NULL) {
            test->arg = left;
            test->is_not = is_not;
        }
        return (Node *)test;
    }
    if (p_accept_kw(p, KW_DISTINCT)) {
        if (!p_expect_kw(p, KW_FROM)) {
            return NULL;
        }
        Node *right = binary(p, LEVEL_IS + 1);
        DistinctExpr *expr = right == NULL ? NULL : P_NEW(p, DistinctExpr, N_DISTINCT_EXPR, loc);
        if (expr != NULL) {
            expr->left = left;
            expr->right = right;
            expr->is_not = is_not;
        }
        return (Node *)expr;
    }
    BoolTestKind kind;
    if (p_accept_kw(p, KW_TRUE)) {
        kind = is_not ? BOOL_TEST_IS_NOT_TRUE : BOOL_TEST_IS_TRUE;
    } else if (p_accept_kw(p, KW_FALSE)) {
        kind = is_not ? BOOL_TEST_IS_NOT_FALSE : BOOL_TEST_IS_FALSE;
    } else if (p_accept_kw(p, KW_UNKNOWN)) {
        kind = is_not ? BOOL_TEST_IS_NOT_UNKNOWN : BOOL_TEST_IS_UNKNOWN;
    } else {
        return p_syntax_error(p);
    }
    BoolTest *test = P_NEW(p, BoolTest, N_BOOL_TEST, loc);
    if (test != NULL) {
        test->arg = left;
        test->kind = kind;
    }
    return (Node *)test;
}

static Node *apply_in(Parser *p, Node *left, bool is_not, int loc)
{
    SelectStmt *select = try_paren_select(p);
    if (select != NULL) {
        SubLink *link = (SubLink *)make_sublink(p, SUBLINK_ANY, left, "=", (Node *)select, loc);
        if (link == NULL) {
            return NULL;
        }
        link->is_in = true;
        return is_not ? make_not(p, (Node *)link, loc) : (Node *)link;
    }
    if (p->failed || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    InList *in = P_NEW(p, InList, N_IN_LIST, loc);
    if (in == NULL) {
        return NULL;
    }
    in->expr = left;
    in->is_not = is_not;
    if (!p_expr_list(p, &in->list) || !p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    return (Node *)in;
}

static Node *apply_like_class(Parser *p, Node *left)
{
    int loc = p_loc(p);
    bool is_not = p_accept_kw(p, KW_NOT);
    KeywordId kw = p_tok(p)->keyword;
    p_advance(p);
    if (kw == KW_IN) {
        return apply_in(p, left, is_not, loc);
    }
    if (kw == KW_BETWEEN) {
        BetweenExpr *between = P_NEW(p, BetweenExpr, N_BETWEEN, loc);
        if (between == NULL) {
            return NULL;
        }
        if (p_accept_kw(p, KW_SYMMETRIC)) {
            between->is_symmetric = true;
        } else {
            p_accept_kw(p, KW_ASYMMETRIC);
        }
        between->expr = left;
        between->is_not = is_not;
        between->low = binary(p, LEVEL_OP);
        if (between->low == NULL || !p_expect_kw(p, KW_AND)) {
            return NULL;
        }
        between->high = binary(p, LEVEL_OP);
        return between->high == NULL ? NULL : (Node *)between;
    }
    LikeExpr *like = P_NEW(p, LikeExpr, N_LIKE, loc);
    if (like == NULL) {
        return NULL;
    }
    like->kind = kw == KW_LIKE ? LIKE_LIKE : kw == KW_ILIKE ? LIKE_ILIKE : LIKE_SIMILAR;
    if (kw == KW_SIMILAR && !p_expect_kw(p, KW_TO)) {
        return NULL;
    }
    like->expr = left;
    like->is_not = is_not;
    like->pattern = binary(p, LEVEL_OP);
    if (like->pattern == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_ESCAPE)) {
        like->escape = binary(p, LEVEL_OP);
        if (like->escape == NULL) {
            return NULL;
        }
    }
    return (Node *)like;
}

static Node *apply_at_time_zone(Parser *p, Node *left)
{
    int loc = p_loc(p);
    p_advance(p); /* AT */
    if (!p_expect_kw(p, KW_TIME) || !p_expect_kw(p, KW_ZONE)) {
        return NULL;
    }
    Node *zone = binary(p, LEVEL_AT + 1);
    FuncCall *call = zone == NULL ? NULL : new_call(p, "timezone", loc, FUNC_SYNTAX_AT_TIME_ZONE);
    if (call == NULL || !p_append(p, &call->args, zone) || !p_append(p, &call->args, left)) {
        return NULL;
    }
    return (Node *)call;
}

static Node *apply_collate(Parser *p, Node *left)
{
    int loc = p_loc(p);
    p_advance(p);
    CollateExpr *expr = P_NEW(p, CollateExpr, N_COLLATE, loc);
    if (expr == NULL) {
        return NULL;
    }
    expr->arg = left;
    QualifiedName *name = p_any_name(p);
    if (name == NULL) {
        return NULL;
    }
    expr->collation = name->parts;
    return (Node *)expr;
}

/* Prefix position: NOT, unary + / -, prefix operators, or a primary. */
static Node *prefix(Parser *p)
{
    int loc = p_loc(p);
    if (p_is_kw(p, KW_NOT)) {
        p_advance(p);
        Node *arg = binary(p, LEVEL_NOT);
        return arg == NULL ? NULL : make_not(p, arg, loc);
    }
    if (p_is_op(p, "-") || p_is_op(p, "+")) {
        bool is_minus = p_is_op(p, "-");
        p_advance(p);
        Node *arg = binary(p, LEVEL_UNARY);
        if (arg == NULL) {
            return NULL;
        }
        return is_minus ? negate(p, arg, loc) : make_op(p, "+", NULL, arg, loc);
    }
    if (p_is(p, TOK_OP) || (p_is_kw(p, KW_OPERATOR) && p_peek(p, 1)->kind == TOK_LPAREN)) {
        char *schema = NULL;
        char *op;
        if (p_is(p, TOK_OP)) {
            op = p_tok(p)->text;
            p_advance(p);
        } else {
            op = qualified_operator(p, &schema);
            if (op == NULL) {
                return NULL;
            }
        }
        Node *arg = binary(p, LEVEL_OP + 1);
        OpExpr *expr = arg == NULL ? NULL : (OpExpr *)make_op(p, op, NULL, arg, loc);
        if (expr != NULL) {
            expr->op_schema = schema;
        }
        return (Node *)expr;
    }
    return postfix(p, primary(p));
}

static Node *binary(Parser *p, int min_level)
{
    if (!p_enter(p)) {
        return NULL;
    }
    Node *left = prefix(p);
    int nonassoc_level = 0;
    /* A left-deep chain (a + b + c ...) grows the tree without recursing here;
     * each link counts against the depth limit like a nested call, since the
     * binder and evaluator will recurse through it. AND / OR lists are flat. */
    int chain = 0;
    while (left != NULL) {
        OpClass cls = current_op(p);
        int level = class_level(cls);
        if (cls == OPC_NONE || level < min_level) {
            break;
        }
        if (cls != OPC_AND && cls != OPC_OR) {
            if (!p_enter(p)) {
                left = NULL;
                break;
            }
            chain++;
        }
        bool is_nonassoc = cls == OPC_IS || cls == OPC_CMP || cls == OPC_LIKE;
        if (is_nonassoc && level == nonassoc_level) {
            left = p_syntax_error(p);
            break;
        }
        int loc = p_loc(p);
        switch (cls) {
        case OPC_OR:
        case OPC_AND: {
            p_advance(p);
            Node *right = binary(p, level + 1);
            left = right == NULL
                       ? NULL
                       : make_bool(p, cls == OPC_OR ? BOOL_OR : BOOL_AND, left, right, loc);
            break;
        }
        case OPC_IS:
            left = apply_is(p, left);
            break;
        case OPC_LIKE:
            left = apply_like_class(p, left);
            break;
        case OPC_AT:
            left = apply_at_time_zone(p, left);
            break;
        case OPC_COLLATE:
            left = apply_collate(p, left);
            break;
        default:
            left = apply_operator(p, left, level);
            break;
        }
        nonassoc_level = is_nonassoc ? level : 0;
    }
    p->depth -= chain;
    p_leave(p);
    return left;
}

Node *p_expr_level(Parser *p, int level)
{
    if (p->failed) {
        return NULL;
    }
    return binary(p, level);
}

Node *p_expr(Parser *p)
{
    return p_expr_level(p, LEVEL_OR);
}
