/*
 * sql/parse_select.c - queries: SELECT, VALUES, TABLE, set operations, WITH,
 * FROM items and joins, GROUP BY / HAVING / WINDOW, ORDER BY / LIMIT / OFFSET /
 * FETCH and FOR UPDATE.
 *
 * Set operations follow PostgreSQL: INTERSECT binds tighter than UNION and
 * EXCEPT, which associate to the left; ORDER BY / LIMIT after the last operand
 * apply to the whole set operation; a parenthesized operand keeps its own.
 *
 * Invariants
 *   1. A SelectStmt with op != SETOP_NONE has left and right and no targets.
 *   2. "multiple ORDER BY / LIMIT / WITH clauses not allowed" is reported as
 *      PostgreSQL does, when decorations would be attached twice.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <string.h>

#include "sql/parser_int.h"

static SelectStmt *select_set(Parser *p, int min_prec);

bool p_starts_select(Parser *p)
{
    if (p_is(p, TOK_LPAREN)) {
        return p_starts_select_in_parens(p);
    }
    return p_is_kw(p, KW_SELECT) || p_is_kw(p, KW_VALUES) || p_is_kw(p, KW_WITH) ||
           p_is_kw(p, KW_TABLE);
}

/* ---------------- target lists ---------------- */

static ResTarget *target(Parser *p)
{
    int loc = p_loc(p);
    ResTarget *res = P_NEW(p, ResTarget, N_RES_TARGET, loc);
    if (res == NULL) {
        return NULL;
    }
    if (p_is_op(p, "*")) {
        ColumnRef *star = P_NEW(p, ColumnRef, N_COLUMN_REF, loc);
        if (star == NULL) {
            return NULL;
        }
        star->is_star = true;
        p_advance(p);
        res->val = (Node *)star;
        return res;
    }
    res->val = p_expr(p);
    if (res->val == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_AS)) {
        res->name = p_col_label(p);
        if (res->name == NULL) {
            return NULL;
        }
    } else if (p_is_bare_label(p, 0) &&
               !(p_tok(p)->kind == TOK_IDENT &&
                 keyword_category(p_tok(p)->keyword) == KEYWORD_RESERVED)) {
        res->name = p_tok(p)->text;
        p_advance(p);
    }
    return res;
}

bool p_target_list(Parser *p, NodeList *out)
{
    do {
        if (!p_append(p, out, (Node *)target(p))) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

/* ---------------- WITH ---------------- */

static Node *preparable_stmt(Parser *p)
{
    if (p_is_kw(p, KW_INSERT)) {
        return (Node *)p_insert(p, NULL);
    }
    if (p_is_kw(p, KW_UPDATE)) {
        return (Node *)p_update(p, NULL);
    }
    if (p_is_kw(p, KW_DELETE)) {
        return (Node *)p_delete(p, NULL);
    }
    return (Node *)p_select(p);
}

WithClause *p_with_clause(Parser *p)
{
    WithClause *with = P_NEW(p, WithClause, N_WITH_CLAUSE, p_loc(p));
    if (with == NULL || !p_expect_kw(p, KW_WITH)) {
        return NULL;
    }
    with->recursive = p_accept_kw(p, KW_RECURSIVE);
    do {
        CommonTableExpr *cte = P_NEW(p, CommonTableExpr, N_CTE, p_loc(p));
        if (cte == NULL) {
            return NULL;
        }
        cte->name = p_col_id(p);
        if (cte->name == NULL) {
            return NULL;
        }
        if (p_is(p, TOK_LPAREN) && !p_paren_name_list(p, &cte->columns)) {
            return NULL;
        }
        if (!p_expect_kw(p, KW_AS)) {
            return NULL;
        }
        if (p_accept_kw(p, KW_MATERIALIZED)) {
            cte->materialize = CTE_MATERIALIZED;
        } else if (p_is_kw(p, KW_NOT) && p_peek_kw(p, 1, KW_MATERIALIZED)) {
            p_advance(p);
            p_advance(p);
            cte->materialize = CTE_NOT_MATERIALIZED;
        }
        if (!p_expect(p, TOK_LPAREN) || !p_enter(p)) {
            return NULL;
        }
        cte->query = preparable_stmt(p);
        p_leave(p);
        if (cte->query == NULL || !p_expect(p, TOK_RPAREN) ||
            !p_append(p, &with->ctes, (Node *)cte)) {
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    return with;
}

/* ---------------- FROM ---------------- */

static Node *table_ref_joins(Parser *p);
static Node *join_chain(Parser *p, Node *left, int *chain);

RangeVar *p_relation_opt_alias(Parser *p, bool is_update)
{
    bool only = p_accept_kw(p, KW_ONLY);
    bool had_paren = only && p_accept(p, TOK_LPAREN);
    RangeVar *rv = p_qualified_name(p);
    if (rv == NULL || (had_paren && !p_expect(p, TOK_RPAREN))) {
        return NULL;
    }
    rv->only = only;
    if (!only) {
        p_accept_op(p, "*");
    }
    if (is_update && p_is_kw(p, KW_SET)) {
        return rv;
    }
    rv->alias = p_opt_alias(p, !is_update);
    return p->failed ? NULL : rv;
}

/* Column definitions (col type, ...) of a function returning record. */
static bool column_def_list(Parser *p, NodeList *out)
{
    if (!p_expect(p, TOK_LPAREN)) {
        return false;
    }
    do {
        ColumnDef *column = P_NEW(p, ColumnDef, N_COLUMN_DEF, p_loc(p));
        if (column == NULL || (column->name = p_col_id(p)) == NULL ||
            (column->type = p_type_name(p)) == NULL || !p_append(p, out, (Node *)column)) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return p_expect(p, TOK_RPAREN);
}

/* PostgreSQL's func_alias_clause: [AS] name [(col, ...)], or a column definition
 * list [AS] [name] (col type, ...). A parenthesized list is column names when
 * each item is one name followed by ',' or ')'. */
static bool function_alias(Parser *p, RangeFunction *range)
{
    int loc = p_loc(p);
    bool has_as = p_is_kw(p, KW_AS);
    if (has_as && p_peek(p, 1)->kind == TOK_LPAREN) {
        p_advance(p);
        return column_def_list(p, &range->column_defs);
    }
    if (!has_as && !p_is_col_id(p, 0)) {
        return true;
    }
    int name_at = has_as ? 1 : 0;
    bool defs = p_peek(p, name_at + 1)->kind == TOK_LPAREN;
    for (int ahead = name_at + 2; defs; ahead += 2) {
        TokenKind next = p_peek(p, ahead + 1)->kind;
        if (next == TOK_RPAREN) {
            defs = false; /* only names */
            break;
        }
        if (next != TOK_COMMA) {
            break;
        }
    }
    if (!defs) {
        range->alias = p_opt_alias(p, true);
        return !p->failed;
    }
    if (has_as) {
        p_advance(p);
    }
    Alias *alias = P_NEW(p, Alias, N_ALIAS, loc);
    if (alias == NULL || (alias->name = p_col_id(p)) == NULL) {
        return false;
    }
    range->alias = alias;
    return column_def_list(p, &range->column_defs);
}

static Node *function_table(Parser *p, bool lateral)
{
    int loc = p_loc(p);
    RangeFunction *range = P_NEW(p, RangeFunction, N_RANGE_FUNCTION, loc);
    if (range == NULL) {
        return NULL;
    }
    range->lateral = lateral;
    range->function = p_expr_level(p, 13);
    if (range->function == NULL) {
        return NULL;
    }
    if (p_is_kw(p, KW_WITH) && p_peek_kw(p, 1, KW_ORDINALITY)) {
        p_advance(p);
        p_advance(p);
        range->with_ordinality = true;
    }
    if (!function_alias(p, range)) {
        return NULL;
    }
    return p->failed ? NULL : (Node *)range;
}

/* ROWS FROM (f(...) [AS (col type, ...)]) [WITH ORDINALITY] [alias]: one function
 * (several, zipped side by side, are 0A000 in the binder's words: not parsed). */
static Node *rows_from_table(Parser *p, bool lateral)
{
    RangeFunction *range = P_NEW(p, RangeFunction, N_RANGE_FUNCTION, p_loc(p));
    if (range == NULL) {
        return NULL;
    }
    p_advance(p); /* ROWS */
    p_advance(p); /* FROM */
    range->lateral = lateral;
    range->rows_from = true;
    if (!p_expect(p, TOK_LPAREN) || (range->function = p_expr_level(p, 13)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_AS) && !column_def_list(p, &range->column_defs)) {
        return NULL;
    }
    if (!p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    if (p_is_kw(p, KW_WITH) && p_peek_kw(p, 1, KW_ORDINALITY)) {
        p_advance(p);
        p_advance(p);
        range->with_ordinality = true;
    }
    range->alias = p_opt_alias(p, true);
    return p->failed ? NULL : (Node *)range;
}

static Node *subselect(Parser *p, SelectStmt *select, bool lateral, int loc)
{
    RangeSubselect *range = P_NEW(p, RangeSubselect, N_RANGE_SUBSELECT, loc);
    if (range == NULL) {
        return NULL;
    }
    range->lateral = lateral;
    range->subquery = (Node *)select;
    range->alias = p_opt_alias(p, true);
    return p->failed ? NULL : (Node *)range;
}

static bool is_function_start(Parser *p)
{
    /* name ( or schema.name ( */
    if (p_peek(p, 1)->kind == TOK_LPAREN) {
        return p_is_type_func_name(p, 0) || p_is_col_id(p, 0);
    }
    return p_is_col_id(p, 0) && p_peek(p, 1)->kind == TOK_DOT && p_is_col_label(p, 2) &&
           p_peek(p, 3)->kind == TOK_LPAREN;
}

static Node *table_ref_primary(Parser *p)
{
    int loc = p_loc(p);
    if (!p_enter(p)) {
        return NULL;
    }
    Node *result = NULL;
    bool lateral = p_accept_kw(p, KW_LATERAL);
    if (p_is(p, TOK_LPAREN)) {
        int start = p->pos;
        SelectStmt *select = NULL;
        if (p_starts_select_in_parens(p) && !p->select_failed[start]) {
            ParseMark mark = p_mark(p);
            select = p_select_with_parens(p);
            if (select == NULL && p_backtrack(p, mark)) {
                p->select_failed[start] = 1;
            }
        }
        if (select != NULL) {
            result = subselect(p, select, lateral, loc);
        } else if (!p->failed && !lateral) {
            p_advance(p);
            Node *inner = table_ref_joins(p);
            if (inner != NULL && inner->tag != N_JOIN_EXPR) {
                inner = p_syntax_error(p);
            }
            if (inner != NULL && p_expect(p, TOK_RPAREN)) {
                Alias *alias = p_opt_alias(p, true);
                ((JoinExpr *)inner)->alias = alias;
                result = p->failed ? NULL : inner;
            }
        } else if (!p->failed) {
            p_syntax_error(p);
        }
    } else if (p_is_kw(p, KW_ROWS) && p_peek_kw(p, 1, KW_FROM) && p_peek(p, 2)->kind == TOK_LPAREN) {
        result = rows_from_table(p, lateral);
    } else if (is_function_start(p)) {
        result = function_table(p, lateral);
    } else if (lateral) {
        p_syntax_error(p);
    } else {
        result = (Node *)p_relation_opt_alias(p, false);
    }
    p_leave(p);
    return result;
}

/* Reads an optional join type before JOIN; false if the tokens are no join. */
static bool join_type(Parser *p, JoinKind *kind, bool *natural)
{
    int ahead = 0;
    *natural = false;
    *kind = JOIN_INNER;
    if (p_peek_kw(p, ahead, KW_NATURAL)) {
        *natural = true;
        ahead++;
    }
    if (p_peek_kw(p, ahead, KW_INNER)) {
        ahead++;
    } else if (p_peek_kw(p, ahead, KW_LEFT) || p_peek_kw(p, ahead, KW_RIGHT) ||
               p_peek_kw(p, ahead, KW_FULL)) {
        KeywordId kw = p_peek(p, ahead)->keyword;
        *kind = kw == KW_LEFT ? JOIN_LEFT : kw == KW_RIGHT ? JOIN_RIGHT : JOIN_FULL;
        ahead++;
        if (p_peek_kw(p, ahead, KW_OUTER)) {
            ahead++;
        }
    }
    if (!p_peek_kw(p, ahead, KW_JOIN)) {
        return false;
    }
    for (int index = 0; index <= ahead; index++) {
        p_advance(p);
    }
    return true;
}

static bool at_join(Parser *p)
{
    JoinKind kind;
    bool natural;
    if (p_is_kw(p, KW_CROSS) && p_peek_kw(p, 1, KW_JOIN)) {
        return true;
    }
    ParseMark mark = p_mark(p);
    bool found = join_type(p, &kind, &natural);
    p->pos = mark.pos;
    return found;
}

static Node *join_loop(Parser *p, Node *left)
{
    int chain = 0; /* each join nests the tree one level (see binary in parse_expr.c) */
    Node *result = join_chain(p, left, &chain);
    p->depth -= chain;
    return result;
}

static Node *join_chain(Parser *p, Node *left, int *chain)
{
    while (left != NULL && at_join(p)) {
        if (!p_enter(p)) {
            return NULL;
        }
        (*chain)++;
        JoinExpr *join = P_NEW(p, JoinExpr, N_JOIN_EXPR, p_loc(p));
        if (join == NULL) {
            return NULL;
        }
        join->left = left;
        if (p_is_kw(p, KW_CROSS)) {
            p_advance(p);
            p_advance(p);
            join->kind = JOIN_CROSS;
            join->right = table_ref_primary(p);
            if (join->right == NULL) {
                return NULL;
            }
            left = (Node *)join;
            continue;
        }
        join_type(p, &join->kind, &join->is_natural);
        join->right = table_ref_primary(p);
        if (join->right == NULL) {
            return NULL;
        }
        if (join->is_natural) {
            left = (Node *)join;
            continue;
        }
        if (!p_is_kw(p, KW_ON) && !p_is_kw(p, KW_USING) && at_join(p)) {
            /* a JOIN b JOIN c ON x ON y: the right side is itself a join */
            if (!p_enter(p)) {
                return NULL;
            }
            join->right = join_loop(p, join->right);
            p_leave(p);
            if (join->right == NULL) {
                return NULL;
            }
        }
        if (p_accept_kw(p, KW_ON)) {
            join->quals = p_expr(p);
            if (join->quals == NULL) {
                return NULL;
            }
        } else if (p_accept_kw(p, KW_USING)) {
            if (!p_paren_name_list(p, &join->using_columns)) {
                return NULL;
            }
            if (p_accept_kw(p, KW_AS)) {
                join->alias = P_NEW(p, Alias, N_ALIAS, p_loc(p));
                if (join->alias == NULL || (join->alias->name = p_col_id(p)) == NULL) {
                    return NULL;
                }
            }
        } else {
            return p_syntax_error(p);
        }
        left = (Node *)join;
    }
    return left;
}

static Node *table_ref_joins(Parser *p)
{
    return join_loop(p, table_ref_primary(p));
}

Node *p_table_ref(Parser *p)
{
    return table_ref_joins(p);
}

bool p_from_list(Parser *p, NodeList *out)
{
    do {
        if (!p_append(p, out, table_ref_joins(p))) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

/* ---------------- GROUP BY ---------------- */

static Node *group_item(Parser *p);

static Node *grouping_set(Parser *p, GroupingSetKind kind, int loc)
{
    GroupingSet *set = P_NEW(p, GroupingSet, N_GROUPING_SET, loc);
    if (set == NULL || !p_expect(p, TOK_LPAREN) || !p_enter(p)) {
        return NULL;
    }
    set->kind = kind;
    do {
        Node *item = kind == GROUPING_SET_SETS ? group_item(p) : p_expr(p);
        if (!p_append(p, &set->content, item)) {
            p_leave(p);
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    p_leave(p);
    return p_expect(p, TOK_RPAREN) ? (Node *)set : NULL;
}

static Node *group_item(Parser *p)
{
    int loc = p_loc(p);
    if (p_is(p, TOK_LPAREN) && p_peek(p, 1)->kind == TOK_RPAREN) {
        p_advance(p);
        p_advance(p);
        GroupingSet *set = P_NEW(p, GroupingSet, N_GROUPING_SET, loc);
        if (set != NULL) {
            set->kind = GROUPING_SET_EMPTY;
        }
        return (Node *)set;
    }
    if (p_is_kw(p, KW_ROLLUP) && p_peek(p, 1)->kind == TOK_LPAREN) {
        p_advance(p);
        return grouping_set(p, GROUPING_SET_ROLLUP, loc);
    }
    if (p_is_kw(p, KW_CUBE) && p_peek(p, 1)->kind == TOK_LPAREN) {
        p_advance(p);
        return grouping_set(p, GROUPING_SET_CUBE, loc);
    }
    if (p_is_kw(p, KW_GROUPING) && p_peek_kw(p, 1, KW_SETS)) {
        p_advance(p);
        p_advance(p);
        return grouping_set(p, GROUPING_SET_SETS, loc);
    }
    return p_expr(p);
}

/* ---------------- simple SELECT and VALUES ---------------- */

static bool window_clause(Parser *p, SelectStmt *select)
{
    do {
        int loc = p_loc(p);
        char *name = p_col_id(p);
        if (name == NULL || !p_expect_kw(p, KW_AS)) {
            return false;
        }
        WindowDef *window = p_window_spec(p);
        if (window == NULL) {
            return false;
        }
        window->name = name;
        window->location = loc;
        if (!p_append(p, &select->windows, (Node *)window)) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

/* Tokens that may follow SELECT when its target list is empty. */
static bool at_target_list_end(Parser *p)
{
    static const KeywordId enders[] = {KW_FROM,   KW_WHERE,     KW_GROUP,  KW_HAVING, KW_WINDOW,
                                       KW_UNION,  KW_INTERSECT, KW_EXCEPT, KW_ORDER,  KW_LIMIT,
                                       KW_OFFSET, KW_FETCH,     KW_FOR,    KW_INTO};
    if (p_is(p, TOK_EOF) || p_is(p, TOK_SEMICOLON) || p_is(p, TOK_RPAREN)) {
        return true;
    }
    for (size_t index = 0; index < sizeof(enders) / sizeof(enders[0]); index++) {
        if (p_is_kw(p, enders[index])) {
            return true;
        }
    }
    return false;
}

static SelectStmt *simple_select(Parser *p)
{
    SelectStmt *select = P_NEW(p, SelectStmt, N_SELECT_STMT, p_loc(p));
    if (select == NULL || !p_expect_kw(p, KW_SELECT)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_ALL)) {
        select->distinct = DISTINCT_ALL;
    } else if (p_accept_kw(p, KW_DISTINCT)) {
        select->distinct = DISTINCT_ON_ALL;
        if (p_accept_kw(p, KW_ON)) {
            select->distinct = DISTINCT_ON;
            if (!p_expect(p, TOK_LPAREN) || !p_expr_list(p, &select->distinct_on) ||
                !p_expect(p, TOK_RPAREN)) {
                return NULL;
            }
        }
    }
    /* The target list may be empty (SELECT FROM t). */
    if (!at_target_list_end(p)) {
        if (!p_target_list(p, &select->targets)) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_FROM) && !p_from_list(p, &select->from)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_WHERE) && (select->where = p_expr(p)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_GROUP)) {
        if (!p_expect_kw(p, KW_BY)) {
            return NULL;
        }
        if (p_accept_kw(p, KW_DISTINCT)) {
            select->group_by_distinct = true;
        } else {
            p_accept_kw(p, KW_ALL);
        }
        do {
            if (!p_append(p, &select->group_by, group_item(p))) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
    }
    if (p_accept_kw(p, KW_HAVING) && (select->having = p_expr(p)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_WINDOW) && !window_clause(p, select)) {
        return NULL;
    }
    return select;
}

/* One VALUES row: ( expr | DEFAULT, ... ) */
static Node *values_row(Parser *p)
{
    RowExpr *row = P_NEW(p, RowExpr, N_ROW, p_loc(p));
    if (row == NULL || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    do {
        Node *item;
        if (p_is_kw(p, KW_DEFAULT) &&
            (p_peek(p, 1)->kind == TOK_COMMA || p_peek(p, 1)->kind == TOK_RPAREN)) {
            item = p_new_node(p, sizeof(DefaultExpr), N_DEFAULT, p_loc(p));
            p_advance(p);
        } else {
            item = p_expr(p);
        }
        if (!p_append(p, &row->args, item)) {
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    return p_expect(p, TOK_RPAREN) ? (Node *)row : NULL;
}

static SelectStmt *values_select(Parser *p)
{
    SelectStmt *select = P_NEW(p, SelectStmt, N_SELECT_STMT, p_loc(p));
    if (select == NULL || !p_expect_kw(p, KW_VALUES)) {
        return NULL;
    }
    do {
        if (!p_append(p, &select->values_lists, values_row(p))) {
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    return select;
}

/* TABLE name = SELECT * FROM name */
static SelectStmt *table_select(Parser *p)
{
    int loc = p_loc(p);
    SelectStmt *select = P_NEW(p, SelectStmt, N_SELECT_STMT, loc);
    ResTarget *res = P_NEW(p, ResTarget, N_RES_TARGET, loc);
    ColumnRef *star = P_NEW(p, ColumnRef, N_COLUMN_REF, loc);
    if (select == NULL || res == NULL || star == NULL || !p_expect_kw(p, KW_TABLE)) {
        return NULL;
    }
    star->is_star = true;
    res->val = (Node *)star;
    RangeVar *rv = p_relation_opt_alias(p, true);
    if (rv == NULL || !p_append(p, &select->targets, (Node *)res) ||
        !p_append(p, &select->from, (Node *)rv)) {
        return NULL;
    }
    return select;
}

static SelectStmt *select_primary(Parser *p)
{
    if (p_is(p, TOK_LPAREN)) {
        /* The enclosing query may attach ORDER BY / LIMIT / WITH to this
         * operand; it gets a copy, so the memoized node stays as parsed. */
        SelectStmt *inner = p_select_with_parens(p);
        if (inner == NULL) {
            return NULL;
        }
        SelectStmt *copy = P_NEW(p, SelectStmt, N_SELECT_STMT, inner->location);
        if (copy != NULL) {
            *copy = *inner;
            /* appends (FOR UPDATE) must not write into the shared array */
            copy->locking.capacity = copy->locking.count;
        }
        return copy;
    }
    if (p_is_kw(p, KW_SELECT)) {
        return simple_select(p);
    }
    if (p_is_kw(p, KW_VALUES)) {
        return values_select(p);
    }
    if (p_is_kw(p, KW_TABLE)) {
        return table_select(p);
    }
    return p_syntax_error(p);
}

static SelectStmt *select_set(Parser *p, int min_prec)
{
    if (!p_enter(p)) {
        return NULL;
    }
    SelectStmt *left = select_primary(p);
    int chain = 0; /* each set operation nests the tree one level */
    while (left != NULL) {
        int prec;
        SetOp op;
        if (p_is_kw(p, KW_UNION)) {
            prec = 1;
            op = SETOP_UNION;
        } else if (p_is_kw(p, KW_EXCEPT)) {
            prec = 1;
            op = SETOP_EXCEPT;
        } else if (p_is_kw(p, KW_INTERSECT)) {
            prec = 2;
            op = SETOP_INTERSECT;
        } else {
            break;
        }
        if (prec < min_prec) {
            break;
        }
        if (!p_enter(p)) {
            left = NULL;
            break;
        }
        chain++;
        SelectStmt *set = P_NEW(p, SelectStmt, N_SELECT_STMT, p_loc(p));
        if (set == NULL) {
            left = NULL;
            break;
        }
        p_advance(p);
        if (p_accept_kw(p, KW_ALL)) {
            set->set_all = true;
        } else {
            p_accept_kw(p, KW_DISTINCT);
        }
        set->op = op;
        set->left = left;
        set->right = select_set(p, prec + 1);
        set->location = left->location;
        left = set->right == NULL ? NULL : set;
    }
    p->depth -= chain;
    p_leave(p);
    return left;
}

/* ---------------- ORDER BY, LIMIT, locking ---------------- */

/*
 * LIMIT / OFFSET / FETCH. A second one in the same clause list is a plain syntax
 * error (PostgreSQL's grammar admits one of each); one that would replace the
 * limit of a parenthesized query, as in (SELECT 1 LIMIT 1) LIMIT 2, is reported
 * as "multiple LIMIT clauses not allowed" at the new value.
 */
static bool limit_value(Parser *p, SelectStmt *select, LimitKind kind, Node *count, int index)
{
    if (select->limit_kind != LIMIT_NONE) {
        p_error_at(p, index, SQLSTATE_SYNTAX_ERROR, "multiple LIMIT clauses not allowed");
        return false;
    }
    select->limit_kind = kind;
    select->limit_count = count;
    return true;
}

static bool limit_count(Parser *p, SelectStmt *select)
{
    int index = p->pos;
    if (p_accept_kw(p, KW_ALL)) {
        return limit_value(p, select, LIMIT_ALL, NULL, index);
    }
    Node *count = p_expr(p);
    if (count == NULL) {
        return false;
    }
    if (p_is(p, TOK_COMMA)) {
        p_error_at(p, index - 1, SQLSTATE_SYNTAX_ERROR, "LIMIT #,# syntax is not supported");
        if (p->err != NULL) {
            error_hint(p->err, "Use separate LIMIT and OFFSET clauses.");
        }
        return false;
    }
    return limit_value(p, select, LIMIT_COUNT, count, index);
}

/* FETCH FIRST | NEXT [n] ROW | ROWS ONLY | WITH TIES (after FETCH) */
static bool fetch_clause(Parser *p, SelectStmt *select)
{
    if (!p_accept_kw(p, KW_FIRST) && !p_expect_kw(p, KW_NEXT)) {
        return false;
    }
    int index = p->pos;
    Node *count = NULL;
    if (!p_is_kw(p, KW_ROW) && !p_is_kw(p, KW_ROWS)) {
        count = p_expr_level(p, 13);
        if (count == NULL) {
            return false;
        }
    }
    if (!p_accept_kw(p, KW_ROW) && !p_expect_kw(p, KW_ROWS)) {
        return false;
    }
    LimitKind kind;
    if (p_accept_kw(p, KW_ONLY)) {
        kind = LIMIT_FETCH_ONLY;
    } else if (p_accept_kw(p, KW_WITH)) {
        if (!p_expect_kw(p, KW_TIES)) {
            return false;
        }
        kind = LIMIT_FETCH_WITH_TIES;
    } else {
        p_syntax_error(p);
        return false;
    }
    return limit_value(p, select, kind, count, index);
}

static bool limit_clause(Parser *p, SelectStmt *select, bool *seen_limit, bool *seen_offset)
{
    bool is_offset = p_is_kw(p, KW_OFFSET);
    if (is_offset ? *seen_offset : *seen_limit) {
        p_syntax_error(p);
        return false;
    }
    if (!is_offset) {
        *seen_limit = true;
        bool is_fetch = p_is_kw(p, KW_FETCH);
        p_advance(p);
        return is_fetch ? fetch_clause(p, select) : limit_count(p, select);
    }
    *seen_offset = true;
    p_advance(p);
    int index = p->pos;
    Node *offset = p_expr(p);
    if (offset == NULL) {
        return false;
    }
    if (select->limit_offset != NULL) {
        p_error_at(p, index, SQLSTATE_SYNTAX_ERROR, "multiple OFFSET clauses not allowed");
        return false;
    }
    select->limit_offset = offset;
    if (!p_accept_kw(p, KW_ROW)) {
        p_accept_kw(p, KW_ROWS);
    }
    return true;
}

static bool locking_clause(Parser *p, SelectStmt *select)
{
    LockingClause *lock = P_NEW(p, LockingClause, N_LOCKING_CLAUSE, p_loc(p));
    if (lock == NULL) {
        return false;
    }
    p_advance(p); /* FOR */
    if (p_accept_kw(p, KW_UPDATE)) {
        lock->strength = LOCK_FOR_UPDATE;
    } else if (p_accept_kw(p, KW_SHARE)) {
        lock->strength = LOCK_FOR_SHARE;
    } else if (p_accept_kw(p, KW_NO)) {
        if (!p_expect_kw(p, KW_KEY) || !p_expect_kw(p, KW_UPDATE)) {
            return false;
        }
        lock->strength = LOCK_FOR_NO_KEY_UPDATE;
    } else if (p_accept_kw(p, KW_KEY)) {
        if (!p_expect_kw(p, KW_SHARE)) {
            return false;
        }
        lock->strength = LOCK_FOR_KEY_SHARE;
    } else if (p_accept_kw(p, KW_READ)) {
        return p_expect_kw(p, KW_ONLY); /* FOR READ ONLY: no locking */
    } else {
        p_syntax_error(p);
        return false;
    }
    if (p_accept_kw(p, KW_OF)) {
        do {
            if (!p_append(p, &lock->tables, (Node *)p_qualified_name(p))) {
                return false;
            }
        } while (p_accept(p, TOK_COMMA));
    }
    if (p_accept_kw(p, KW_NOWAIT)) {
        lock->wait = LOCK_WAIT_NOWAIT;
    } else if (p_accept_kw(p, KW_SKIP)) {
        if (!p_expect_kw(p, KW_LOCKED)) {
            return false;
        }
        lock->wait = LOCK_WAIT_SKIP_LOCKED;
    }
    return p_append(p, &select->locking, (Node *)lock);
}

static bool select_options(Parser *p, SelectStmt *select)
{
    if (p_is_kw(p, KW_ORDER)) {
        p_advance(p);
        if (!p_expect_kw(p, KW_BY)) {
            return false;
        }
        int index = p->pos;
        NodeList sort = {0};
        if (!p_sort_list(p, &sort)) {
            return false;
        }
        if (select->sort.count > 0) {
            p_error_at(p, index, SQLSTATE_SYNTAX_ERROR, "multiple ORDER BY clauses not allowed");
            return false;
        }
        select->sort = sort;
    }
    bool seen_limit = false;
    bool seen_offset = false;
    for (;;) {
        if (p_is_kw(p, KW_LIMIT) || p_is_kw(p, KW_OFFSET) || p_is_kw(p, KW_FETCH)) {
            if (!limit_clause(p, select, &seen_limit, &seen_offset)) {
                return false;
            }
        } else if (p_is_kw(p, KW_FOR)) {
            if (!locking_clause(p, select)) {
                return false;
            }
        } else {
            return true;
        }
    }
}

SelectStmt *p_select(Parser *p)
{
    if (!p_enter(p)) {
        return NULL;
    }
    WithClause *with = NULL;
    int with_index = p->pos;
    if (p_is_kw(p, KW_WITH)) {
        with = p_with_clause(p);
        if (with == NULL) {
            p_leave(p);
            return NULL;
        }
    }
    SelectStmt *select = select_set(p, 1);
    if (select != NULL && !select_options(p, select)) {
        select = NULL;
    }
    if (select != NULL && with != NULL) {
        if (select->with != NULL) {
            select = p_error_at(p, with_index, SQLSTATE_SYNTAX_ERROR,
                                "multiple WITH clauses not allowed");
        } else {
            select->with = with;
            select->location = with->location;
        }
    }
    p_leave(p);
    return select;
}

static bool select_memo_ready(Parser *p)
{
    if (p->select_done != NULL) {
        return true;
    }
    p->select_done = arena_zalloc(p->arena, (size_t)p->count * sizeof(SelectStmt *));
    p->select_done_end = arena_zalloc(p->arena, (size_t)p->count * sizeof(int));
    if (p->select_done == NULL || p->select_done_end == NULL) {
        p_nomem(p);
        return false;
    }
    return true;
}

SelectStmt *p_select_with_parens(Parser *p)
{
    int start = p->pos;
    if (p->failed || !select_memo_ready(p)) {
        return NULL;
    }
    if (p->select_done[start] != NULL) {
        p->pos = p->select_done_end[start];
        return p->select_done[start];
    }
    if (!p_enter(p)) {
        return NULL;
    }
    SelectStmt *select = NULL;
    if (p_expect(p, TOK_LPAREN)) {
        select = p_select(p);
        if (select != NULL && !p_expect(p, TOK_RPAREN)) {
            select = NULL;
        }
    }
    p_leave(p);
    if (select != NULL) {
        p->select_done[start] = select;
        p->select_done_end[start] = p->pos;
    }
    return select;
}
