/*
 * sql/parse_dml.c - INSERT (with ON CONFLICT), UPDATE and DELETE, each with an
 * optional WITH prefix and RETURNING list.
 *
 * Invariants
 *   1. DEFAULT is accepted only where PostgreSQL accepts it: as a whole VALUES
 *      item or SET value (it becomes a DefaultExpr node).
 *   2. EXCLUDED.col in ON CONFLICT DO UPDATE is an ordinary ColumnRef.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include "sql/parser_int.h"

static bool returning(Parser *p, NodeList *out)
{
    if (!p_accept_kw(p, KW_RETURNING)) {
        return true;
    }
    return p_target_list(p, out);
}

/* value of a SET item: DEFAULT or an expression */
static Node *set_value(Parser *p)
{
    if (p_is_kw(p, KW_DEFAULT) &&
        (p_peek(p, 1)->kind == TOK_COMMA || p_peek(p, 1)->kind == TOK_RPAREN ||
         p_peek(p, 1)->kind == TOK_EOF || p_peek(p, 1)->kind == TOK_SEMICOLON ||
         p_peek_kw(p, 1, KW_WHERE) || p_peek_kw(p, 1, KW_FROM) || p_peek_kw(p, 1, KW_RETURNING))) {
        Node *node = p_new_node(p, sizeof(DefaultExpr), N_DEFAULT, p_loc(p));
        p_advance(p);
        return node;
    }
    return p_expr(p);
}

static bool set_clause_list(Parser *p, NodeList *out)
{
    do {
        SetClause *set = P_NEW(p, SetClause, N_SET_CLAUSE, p_loc(p));
        if (set == NULL) {
            return false;
        }
        if (p_is(p, TOK_LPAREN)) {
            set->is_multi = true;
            if (!p_paren_name_list(p, &set->columns) || !p_expect_op(p, "=")) {
                return false;
            }
            int loc = p_loc(p);
            bool explicit_row = p_is_kw(p, KW_ROW) && p_peek(p, 1)->kind == TOK_LPAREN;
            if (explicit_row || (p_is(p, TOK_LPAREN) && !p_starts_select_in_parens(p))) {
                /* (a, b) = (x, DEFAULT) or ROW(x, DEFAULT): a row that may hold DEFAULT */
                RowExpr *row = P_NEW(p, RowExpr, N_ROW, loc);
                if (row == NULL) {
                    return false;
                }
                row->is_explicit = explicit_row;
                if (explicit_row) {
                    p_advance(p);
                }
                p_advance(p);
                do {
                    if (explicit_row && p_is(p, TOK_RPAREN)) {
                        break; /* ROW() */
                    }
                    if (!p_append(p, &row->args, set_value(p))) {
                        return false;
                    }
                } while (p_accept(p, TOK_COMMA));
                if (!p_expect(p, TOK_RPAREN)) {
                    return false;
                }
                /* (a) = (x): one item in parentheses is x itself, not a row (the binder
                 * then asks for a sub-SELECT or ROW(), as PostgreSQL does) */
                set->value = !explicit_row && row->args.count == 1 ? row->args.items[0] : (Node *)row;
            } else {
                set->value = p_expr(p);
            }
        } else {
            char *column = p_col_id(p);
            if (!p_append_name(p, &set->columns, column)) {
                return false;
            }
            /* SET t.col = x is not PostgreSQL; col.field / col[i] are not supported. */
            if (!p_expect_op(p, "=")) {
                return false;
            }
            set->value = set_value(p);
        }
        if (!p_append(p, out, set->value == NULL ? NULL : (Node *)set)) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

static IndexElem *conflict_elem(Parser *p)
{
    IndexElem *elem = P_NEW(p, IndexElem, N_INDEX_ELEM, p_loc(p));
    if (elem == NULL) {
        return NULL;
    }
    if (p_is(p, TOK_LPAREN)) {
        p_advance(p);
        elem->expr = p_expr(p);
        if (elem->expr == NULL || !p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    } else if (p_peek(p, 1)->kind == TOK_LPAREN) {
        elem->expr = p_expr(p);
        if (elem->expr == NULL) {
            return NULL;
        }
    } else {
        elem->name = p_col_id(p);
        if (elem->name == NULL) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_COLLATE)) {
        QualifiedName *name = p_any_name(p);
        if (name == NULL) {
            return NULL;
        }
        elem->collation = name->parts;
    }
    return elem;
}

static OnConflictClause *on_conflict(Parser *p)
{
    OnConflictClause *clause = P_NEW(p, OnConflictClause, N_ON_CONFLICT, p_loc(p));
    if (clause == NULL) {
        return NULL;
    }
    p_advance(p); /* ON */
    p_advance(p); /* CONFLICT */
    if (p_accept(p, TOK_LPAREN)) {
        do {
            if (!p_append(p, &clause->target, (Node *)conflict_elem(p))) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
        if (!p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
        if (p_accept_kw(p, KW_WHERE) && (clause->target_where = p_expr(p)) == NULL) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_ON)) {
        if (!p_expect_kw(p, KW_CONSTRAINT) || (clause->constraint_name = p_col_id(p)) == NULL) {
            return NULL;
        }
    }
    if (!p_expect_kw(p, KW_DO)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_NOTHING)) {
        clause->action = ON_CONFLICT_NOTHING;
        return clause;
    }
    if (!p_expect_kw(p, KW_UPDATE) || !p_expect_kw(p, KW_SET)) {
        return NULL;
    }
    clause->action = ON_CONFLICT_UPDATE;
    if (!set_clause_list(p, &clause->set)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_WHERE) && (clause->where = p_expr(p)) == NULL) {
        return NULL;
    }
    return clause;
}

Stmt *p_insert(Parser *p, WithClause *with)
{
    InsertStmt *insert = P_NEW(p, InsertStmt, N_INSERT_STMT, p_loc(p));
    if (insert == NULL || !p_expect_kw(p, KW_INSERT) || !p_expect_kw(p, KW_INTO)) {
        return NULL;
    }
    insert->with = with;
    insert->relation = p_qualified_name(p);
    if (insert->relation == NULL) {
        return NULL;
    }
    if (p_is_kw(p, KW_AS)) {
        insert->relation->alias = p_opt_alias(p, false);
        if (insert->relation->alias == NULL) {
            return NULL;
        }
    }
    if (p_is(p, TOK_LPAREN) && !p_starts_select_in_parens(p)) {
        p_advance(p);
        do {
            ResTarget *column = P_NEW(p, ResTarget, N_RES_TARGET, p_loc(p));
            if (column == NULL || (column->name = p_col_id(p)) == NULL ||
                !p_append(p, &insert->columns, (Node *)column)) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
        if (!p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_OVERRIDING)) {
        if (p_accept_kw(p, KW_SYSTEM)) {
            insert->overriding_system = true;
        } else if (p_expect_kw(p, KW_USER)) {
            insert->overriding_user = true;
        } else {
            return NULL;
        }
        if (!p_expect_kw(p, KW_VALUE)) {
            return NULL;
        }
    }
    if (p_is_kw(p, KW_DEFAULT)) {
        p_advance(p);
        if (!p_expect_kw(p, KW_VALUES)) {
            return NULL;
        }
        insert->default_values = true;
    } else {
        insert->select = p_select(p);
        if (insert->select == NULL) {
            return NULL;
        }
    }
    if (p_is_kw(p, KW_ON) && p_peek_kw(p, 1, KW_CONFLICT)) {
        insert->on_conflict = on_conflict(p);
        if (insert->on_conflict == NULL) {
            return NULL;
        }
    }
    return returning(p, &insert->returning) ? (Stmt *)insert : NULL;
}

Stmt *p_update(Parser *p, WithClause *with)
{
    UpdateStmt *update = P_NEW(p, UpdateStmt, N_UPDATE_STMT, p_loc(p));
    if (update == NULL || !p_expect_kw(p, KW_UPDATE)) {
        return NULL;
    }
    update->with = with;
    update->relation = p_relation_opt_alias(p, true);
    if (update->relation == NULL || !p_expect_kw(p, KW_SET) || !set_clause_list(p, &update->set)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_FROM) && !p_from_list(p, &update->from)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_WHERE)) {
        if (p_is_kw(p, KW_CURRENT) && p_peek_kw(p, 1, KW_OF)) {
            return p_error_at(p, p->pos, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "WHERE CURRENT OF is not supported");
        }
        if ((update->where = p_expr(p)) == NULL) {
            return NULL;
        }
    }
    return returning(p, &update->returning) ? (Stmt *)update : NULL;
}

Stmt *p_delete(Parser *p, WithClause *with)
{
    DeleteStmt *delete_stmt = P_NEW(p, DeleteStmt, N_DELETE_STMT, p_loc(p));
    if (delete_stmt == NULL || !p_expect_kw(p, KW_DELETE) || !p_expect_kw(p, KW_FROM)) {
        return NULL;
    }
    delete_stmt->with = with;
    delete_stmt->relation = p_relation_opt_alias(p, true);
    if (delete_stmt->relation == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_USING) && !p_from_list(p, &delete_stmt->using_items)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_WHERE)) {
        if (p_is_kw(p, KW_CURRENT) && p_peek_kw(p, 1, KW_OF)) {
            return p_error_at(p, p->pos, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "WHERE CURRENT OF is not supported");
        }
        if ((delete_stmt->where = p_expr(p)) == NULL) {
            return NULL;
        }
    }
    return returning(p, &delete_stmt->returning) ? (Stmt *)delete_stmt : NULL;
}
