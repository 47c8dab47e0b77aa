/*
 * sql/parse_utility.c - transaction control, SET / RESET / SHOW, PREPARE /
 * EXECUTE / DEALLOCATE, EXPLAIN, COPY, VACUUM / ANALYZE, CHECKPOINT, DISCARD,
 * LISTEN / UNLISTEN / NOTIFY.
 *
 * Options in their several spellings are normalised to DefElem lists (see
 * TransactionStmt, CopyStmt and ExplainStmt in ast.h), so the engine reads one
 * form: `COPY t FROM STDIN CSV HEADER` and `COPY t FROM STDIN (FORMAT csv,
 * HEADER)` give the same options.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <string.h>

#include "sql/parser_int.h"

static bool p_peek_op_eq(Parser *p, int ahead)
{
    Token *t = p_peek(p, ahead);
    return t->kind == TOK_OP && t->text_length == 1 && t->text[0] == '=';
}

static bool add_def(Parser *p, NodeList *out, const char *name, const char *word, Node *arg,
                    int loc)
{
    return p_append(p, out, (Node *)p_make_def(p, name, word, arg, loc));
}

/* ---------------- transactions ---------------- */

static bool transaction_modes(Parser *p, NodeList *out)
{
    for (;;) {
        int loc = p_loc(p);
        if (p_accept_kw(p, KW_ISOLATION)) {
            const char *level;
            if (!p_expect_kw(p, KW_LEVEL)) {
                return false;
            }
            if (p_accept_kw(p, KW_SERIALIZABLE)) {
                level = "serializable";
            } else if (p_accept_kw(p, KW_REPEATABLE)) {
                if (!p_expect_kw(p, KW_READ)) {
                    return false;
                }
                level = "repeatable read";
            } else if (p_accept_kw(p, KW_READ)) {
                if (p_accept_kw(p, KW_COMMITTED)) {
                    level = "read committed";
                } else if (p_expect_kw(p, KW_UNCOMMITTED)) {
                    level = "read uncommitted";
                } else {
                    return false;
                }
            } else {
                p_syntax_error(p);
                return false;
            }
            if (!add_def(p, out, "transaction_isolation", level, NULL, loc)) {
                return false;
            }
        } else if (p_is_kw(p, KW_READ) && (p_peek_kw(p, 1, KW_ONLY) || p_peek_kw(p, 1, KW_WRITE))) {
            p_advance(p);
            bool read_only = p_accept_kw(p, KW_ONLY);
            if (!read_only) {
                p_advance(p);
            }
            if (!add_def(p, out, "transaction_read_only", read_only ? "true" : "false", NULL,
                         loc)) {
                return false;
            }
        } else if (p_accept_kw(p, KW_DEFERRABLE)) {
            if (!add_def(p, out, "transaction_deferrable", "true", NULL, loc)) {
                return false;
            }
        } else if (p_is_kw(p, KW_NOT) && p_peek_kw(p, 1, KW_DEFERRABLE)) {
            p_advance(p);
            p_advance(p);
            if (!add_def(p, out, "transaction_deferrable", "false", NULL, loc)) {
                return false;
            }
        } else {
            return true;
        }
        p_accept(p, TOK_COMMA);
    }
}

static bool opt_chain(Parser *p, TransactionStmt *txn)
{
    if (p_accept_kw(p, KW_AND)) {
        txn->chain = !p_accept_kw(p, KW_NO);
        return p_expect_kw(p, KW_CHAIN);
    }
    return true;
}

Stmt *p_transaction(Parser *p)
{
    TransactionStmt *txn = P_NEW(p, TransactionStmt, N_TRANSACTION_STMT, p_loc(p));
    if (txn == NULL) {
        return NULL;
    }
    KeywordId kw = p_tok(p)->keyword;
    p_advance(p);
    switch (kw) {
    case KW_BEGIN:
    case KW_START:
        txn->kind = TXN_BEGIN;
        txn->is_start = kw == KW_START;
        if (kw == KW_START) {
            if (!p_expect_kw(p, KW_TRANSACTION)) {
                return NULL;
            }
        } else if (!p_accept_kw(p, KW_WORK)) {
            p_accept_kw(p, KW_TRANSACTION);
        }
        return transaction_modes(p, &txn->options) ? (Stmt *)txn : NULL;
    case KW_COMMIT:
    case KW_END:
        txn->kind = TXN_COMMIT;
        if (!p_accept_kw(p, KW_WORK)) {
            p_accept_kw(p, KW_TRANSACTION);
        }
        return opt_chain(p, txn) ? (Stmt *)txn : NULL;
    case KW_ROLLBACK:
    case KW_ABORT:
        txn->kind = TXN_ROLLBACK;
        if (!p_accept_kw(p, KW_WORK)) {
            p_accept_kw(p, KW_TRANSACTION);
        }
        if (kw == KW_ROLLBACK && p_accept_kw(p, KW_TO)) {
            txn->kind = TXN_ROLLBACK_TO;
            p_accept_kw(p, KW_SAVEPOINT);
            txn->savepoint = p_col_id(p);
            return txn->savepoint != NULL ? (Stmt *)txn : NULL;
        }
        return opt_chain(p, txn) ? (Stmt *)txn : NULL;
    case KW_SAVEPOINT:
        txn->kind = TXN_SAVEPOINT;
        txn->savepoint = p_col_id(p);
        return txn->savepoint != NULL ? (Stmt *)txn : NULL;
    default: /* RELEASE */
        txn->kind = TXN_RELEASE;
        p_accept_kw(p, KW_SAVEPOINT);
        txn->savepoint = p_col_id(p);
        return txn->savepoint != NULL ? (Stmt *)txn : NULL;
    }
}

/* ---------------- SET / RESET / SHOW ---------------- */

/* var_name: ColId { . ColId } joined with dots. */
static char *var_name(Parser *p)
{
    char *name = p_col_id(p);
    while (name != NULL && p_is(p, TOK_DOT)) {
        p_advance(p);
        char *part = p_col_id(p);
        if (part == NULL) {
            return NULL;
        }
        name = arena_sprintf(p->arena, "%s.%s", name, part);
        if (name == NULL) {
            return p_nomem(p);
        }
    }
    return name;
}

/* A SET value: string, signed number, or word (on, off, true, identifiers). */
static Node *var_value(Parser *p)
{
    int loc = p_loc(p);
    if (p_is(p, TOK_STRING)) {
        Const *c = p_make_string_const(p, p_tok(p)->text, loc);
        p_advance(p);
        return (Node *)c;
    }
    if (p_is(p, TOK_INTEGER) || p_is(p, TOK_NUMERIC) || p_is_op(p, "-") || p_is_op(p, "+")) {
        return p_expr_level(p, 13);
    }
    if (p_is(p, TOK_IDENT) || p_is(p, TOK_QUOTED_IDENT)) {
        Token *t = p_tok(p);
        if (t->kind == TOK_IDENT && keyword_category(t->keyword) == KEYWORD_RESERVED &&
            t->keyword != KW_TRUE && t->keyword != KW_FALSE && t->keyword != KW_ON) {
            return p_syntax_error(p);
        }
        Const *c = p_make_string_const(p, t->text, loc);
        p_advance(p);
        return (Node *)c;
    }
    return p_syntax_error(p);
}

static Stmt *set_transaction(Parser *p, SetStmt *set)
{
    set->kind = SET_TRANSACTION;
    if (!transaction_modes(p, &set->options)) {
        return NULL;
    }
    if (set->options.count == 0) {
        return p_syntax_error(p);
    }
    return (Stmt *)set;
}

Stmt *p_set(Parser *p)
{
    SetStmt *set = P_NEW(p, SetStmt, N_SET_STMT, p_loc(p));
    if (set == NULL) {
        return NULL;
    }
    p_advance(p); /* SET */
    if (p_is_kw(p, KW_SESSION) && p_peek_kw(p, 1, KW_CHARACTERISTICS)) {
        p_advance(p);
        p_advance(p);
        if (!p_expect_kw(p, KW_AS) || !p_expect_kw(p, KW_TRANSACTION)) {
            return NULL;
        }
        set->is_session_characteristics = true;
        return set_transaction(p, set);
    }
    if (p_is_kw(p, KW_LOCAL) && !p_peek_kw(p, 1, KW_TO) && !p_peek_op_eq(p, 1)) {
        p_advance(p);
        set->is_local = true;
    } else if (p_is_kw(p, KW_SESSION) && !p_peek_kw(p, 1, KW_TO) && !p_peek_op_eq(p, 1) &&
               !p_peek_kw(p, 1, KW_AUTHORIZATION)) {
        p_advance(p);
    }
    if (p_accept_kw(p, KW_TRANSACTION)) {
        return set_transaction(p, set);
    }
    set->kind = SET_VALUE;
    if (p_is_kw(p, KW_TIME) && p_peek_kw(p, 1, KW_ZONE)) {
        p_advance(p);
        p_advance(p);
        set->name = "timezone";
        if (p_accept_kw(p, KW_DEFAULT) || p_accept_kw(p, KW_LOCAL)) {
            set->kind = SET_DEFAULT;
            return (Stmt *)set;
        }
        if (p_is_kw(p, KW_INTERVAL)) {
            return p_append(p, &set->values, p_expr_level(p, 13)) ? (Stmt *)set : NULL;
        }
        return p_append(p, &set->values, var_value(p)) ? (Stmt *)set : NULL;
    }
    if (p_accept_kw(p, KW_SCHEMA) || p_accept_kw(p, KW_NAMES)) {
        set->name = p->tokens[p->pos - 1].keyword == KW_SCHEMA ? "search_path" : "client_encoding";
        if (p_accept_kw(p, KW_DEFAULT)) {
            set->kind = SET_DEFAULT;
            return (Stmt *)set;
        }
        return p_append(p, &set->values, var_value(p)) ? (Stmt *)set : NULL;
    }
    if (p_is_kw(p, KW_SESSION) && p_peek_kw(p, 1, KW_AUTHORIZATION)) {
        p_advance(p);
        p_advance(p);
        set->name = "session_authorization";
    } else if (p_is_kw(p, KW_ROLE) && !p_peek_kw(p, 1, KW_TO) && !p_peek_op_eq(p, 1)) {
        p_advance(p);
        set->name = "role";
    } else {
        set->name = var_name(p);
        if (set->name == NULL) {
            return NULL;
        }
        if (!p_accept_kw(p, KW_TO) && !p_expect_op(p, "=")) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_DEFAULT)) {
        set->kind = SET_DEFAULT;
        return (Stmt *)set;
    }
    do {
        if (!p_append(p, &set->values, var_value(p))) {
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    return (Stmt *)set;
}

/* SHOW / RESET name forms shared: ALL, TIME ZONE, TRANSACTION ISOLATION LEVEL,
 * SESSION AUTHORIZATION, or a dotted name. */
static char *config_name(Parser *p)
{
    if (p_accept_kw(p, KW_ALL)) {
        return "all";
    }
    if (p_is_kw(p, KW_TIME) && p_peek_kw(p, 1, KW_ZONE)) {
        p_advance(p);
        p_advance(p);
        return "timezone";
    }
    if (p_is_kw(p, KW_TRANSACTION) && p_peek_kw(p, 1, KW_ISOLATION)) {
        p_advance(p);
        p_advance(p);
        return p_expect_kw(p, KW_LEVEL) ? "transaction_isolation" : NULL;
    }
    if (p_is_kw(p, KW_SESSION) && p_peek_kw(p, 1, KW_AUTHORIZATION)) {
        p_advance(p);
        p_advance(p);
        return "session_authorization";
    }
    return var_name(p);
}

Stmt *p_reset(Parser *p)
{
    SetStmt *set = P_NEW(p, SetStmt, N_SET_STMT, p_loc(p));
    if (set == NULL) {
        return NULL;
    }
    p_advance(p);
    set->name = config_name(p);
    if (set->name == NULL) {
        return NULL;
    }
    set->kind = strcmp(set->name, "all") == 0 ? SET_RESET_ALL : SET_RESET;
    return (Stmt *)set;
}

Stmt *p_show(Parser *p)
{
    ShowStmt *show = P_NEW(p, ShowStmt, N_SHOW_STMT, p_loc(p));
    if (show == NULL) {
        return NULL;
    }
    p_advance(p);
    show->name = config_name(p);
    return show->name != NULL ? (Stmt *)show : NULL;
}

/* ---------------- PREPARE / EXECUTE / DEALLOCATE ---------------- */

Stmt *p_prepare(Parser *p)
{
    PrepareStmt *prepare = P_NEW(p, PrepareStmt, N_PREPARE_STMT, p_loc(p));
    if (prepare == NULL) {
        return NULL;
    }
    p_advance(p);
    if (p_is_kw(p, KW_TRANSACTION)) {
        return p_error_at(p, p->pos, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "PREPARE TRANSACTION is not supported");
    }
    prepare->name = p_col_id(p);
    if (prepare->name == NULL) {
        return NULL;
    }
    if (p_accept(p, TOK_LPAREN)) {
        do {
            if (!p_append(p, &prepare->arg_types, (Node *)p_type_name(p))) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
        if (!p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    }
    if (!p_expect_kw(p, KW_AS)) {
        return NULL;
    }
    int first = p->pos;
    if (!p_starts_select(p) && !p_is_kw(p, KW_INSERT) && !p_is_kw(p, KW_UPDATE) &&
        !p_is_kw(p, KW_DELETE)) {
        return p_syntax_error(p);
    }
    prepare->query = p_statement(p);
    if (prepare->query == NULL) {
        return NULL;
    }
    int start = p->tokens[first].start;
    int end = p->tokens[p->pos - 1].end;
    prepare->query_text = arena_strndup(p->arena, p->sql + start, (size_t)(end - start));
    return prepare->query_text != NULL ? (Stmt *)prepare : p_nomem(p);
}

Stmt *p_execute(Parser *p)
{
    ExecuteStmt *execute = P_NEW(p, ExecuteStmt, N_EXECUTE_STMT, p_loc(p));
    if (execute == NULL) {
        return NULL;
    }
    p_advance(p);
    execute->name = p_col_id(p);
    if (execute->name == NULL) {
        return NULL;
    }
    if (p_accept(p, TOK_LPAREN)) {
        if (!p_expr_list(p, &execute->params) || !p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    }
    return (Stmt *)execute;
}

Stmt *p_deallocate(Parser *p)
{
    DeallocateStmt *deallocate = P_NEW(p, DeallocateStmt, N_DEALLOCATE_STMT, p_loc(p));
    if (deallocate == NULL) {
        return NULL;
    }
    p_advance(p);
    p_accept_kw(p, KW_PREPARE);
    if (p_accept_kw(p, KW_ALL)) {
        return (Stmt *)deallocate;
    }
    deallocate->name = p_col_id(p);
    return deallocate->name != NULL ? (Stmt *)deallocate : NULL;
}

/* ---------------- EXPLAIN ---------------- */

Stmt *p_explain(Parser *p)
{
    ExplainStmt *explain = P_NEW(p, ExplainStmt, N_EXPLAIN_STMT, p_loc(p));
    if (explain == NULL) {
        return NULL;
    }
    p_advance(p);
    if (p_is(p, TOK_LPAREN) && !p_starts_select_in_parens(p)) {
        p_advance(p);
        do {
            int loc = p_loc(p);
            char *name = p_col_label(p);
            if (name == NULL ||
                !p_append(p, &explain->options, (Node *)p_def_elem_value(p, name, loc))) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
        if (!p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    } else {
        int loc = p_loc(p);
        if ((p_accept_kw(p, KW_ANALYZE) || p_accept_kw(p, KW_ANALYSE)) &&
            !add_def(p, &explain->options, "analyze", NULL, NULL, loc)) {
            return NULL;
        }
        loc = p_loc(p);
        if (p_accept_kw(p, KW_VERBOSE) &&
            !add_def(p, &explain->options, "verbose", NULL, NULL, loc)) {
            return NULL;
        }
    }
    if (!p_enter(p)) {
        return NULL;
    }
    explain->query = p_statement(p);
    p_leave(p);
    return explain->query != NULL ? (Stmt *)explain : NULL;
}

/* ---------------- COPY ---------------- */

/* [AS] 'string' as a DefElem arg */
static bool copy_string_option(Parser *p, NodeList *out, const char *name, int loc)
{
    p_accept_kw(p, KW_AS);
    char *value = p_string(p);
    return value != NULL &&
           add_def(p, out, name, NULL, (Node *)p_make_string_const(p, value, loc), loc);
}

/* Column list or * for FORCE QUOTE / FORCE NOT NULL, as a comma-joined word. */
static bool copy_column_word(Parser *p, NodeList *out, const char *name, int loc,
                             bool parenthesized)
{
    if (p_accept_op(p, "*")) {
        return add_def(p, out, name, "*", NULL, loc);
    }
    NameList columns = {0};
    if (parenthesized ? !p_paren_name_list(p, &columns) : !p_name_list(p, &columns)) {
        return false;
    }
    char *joined = columns.items[0];
    for (int index = 1; index < columns.count && joined != NULL; index++) {
        joined = arena_sprintf(p->arena, "%s,%s", joined, columns.items[index]);
    }
    if (joined == NULL) {
        p_nomem(p);
        return false;
    }
    return add_def(p, out, name, joined, NULL, loc);
}

/* Old-style options: CSV HEADER DELIMITER ',' ... */
static bool copy_legacy_options(Parser *p, NodeList *out)
{
    for (;;) {
        int loc = p_loc(p);
        bool ok;
        if (p_accept_kw(p, KW_BINARY)) {
            ok = add_def(p, out, "format", "binary", NULL, loc);
        } else if (p_accept_kw(p, KW_CSV)) {
            ok = add_def(p, out, "format", "csv", NULL, loc);
        } else if (p_accept_kw(p, KW_HEADER)) {
            ok = add_def(p, out, "header", NULL, NULL, loc);
        } else if (p_accept_kw(p, KW_FREEZE)) {
            ok = add_def(p, out, "freeze", NULL, NULL, loc);
        } else if (p_accept_kw(p, KW_DELIMITER)) {
            ok = copy_string_option(p, out, "delimiter", loc);
        } else if (p_accept_kw(p, KW_NULL)) {
            ok = copy_string_option(p, out, "null", loc);
        } else if (p_accept_kw(p, KW_QUOTE)) {
            ok = copy_string_option(p, out, "quote", loc);
        } else if (p_accept_kw(p, KW_ESCAPE)) {
            ok = copy_string_option(p, out, "escape", loc);
        } else if (p_accept_kw(p, KW_ENCODING)) {
            ok = copy_string_option(p, out, "encoding", loc);
        } else if (p_accept_kw(p, KW_FORCE)) {
            if (p_accept_kw(p, KW_QUOTE)) {
                ok = copy_column_word(p, out, "force_quote", loc, false);
            } else if (p_accept_kw(p, KW_NOT)) {
                ok = p_expect_kw(p, KW_NULL) &&
                     copy_column_word(p, out, "force_not_null", loc, false);
            } else {
                p_syntax_error(p);
                ok = false;
            }
        } else {
            return true;
        }
        if (!ok) {
            return false;
        }
    }
}

/* ( FORMAT csv, HEADER [true], DELIMITER ',', FORCE_QUOTE (a, b), ... ) */
static bool copy_generic_options(Parser *p, NodeList *out)
{
    p_advance(p); /* ( */
    do {
        int loc = p_loc(p);
        char *name = p_col_label(p);
        if (name == NULL) {
            return false;
        }
        bool ok;
        if (p_is(p, TOK_LPAREN)) {
            ok = copy_column_word(p, out, name, loc, true);
        } else {
            ok = p_append(p, out, (Node *)p_def_elem_value(p, name, loc));
        }
        if (!ok) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return p_expect(p, TOK_RPAREN);
}

Stmt *p_copy(Parser *p)
{
    CopyStmt *copy = P_NEW(p, CopyStmt, N_COPY_STMT, p_loc(p));
    if (copy == NULL) {
        return NULL;
    }
    p_advance(p);
    int binary_loc = p_loc(p);
    bool binary = p_accept_kw(p, KW_BINARY);
    if (p_is(p, TOK_LPAREN)) {
        copy->query = (Node *)p_select_with_parens(p);
        if (copy->query == NULL) {
            return NULL;
        }
    } else {
        copy->relation = p_qualified_name(p);
        if (copy->relation == NULL) {
            return NULL;
        }
        if (p_is(p, TOK_LPAREN) && !p_paren_name_list(p, &copy->columns)) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_FROM)) {
        copy->is_from = true;
    } else if (!p_expect_kw(p, KW_TO)) {
        return NULL;
    }
    if (copy->query != NULL && copy->is_from) {
        return p_syntax_error_at(p, p->pos - 1);
    }
    copy->is_program = p_accept_kw(p, KW_PROGRAM);
    if (!copy->is_program && (p_accept_kw(p, KW_STDIN) || p_accept_kw(p, KW_STDOUT))) {
        KeywordId kw = p->tokens[p->pos - 1].keyword;
        if ((kw == KW_STDIN) != copy->is_from) {
            return p_syntax_error_at(p, p->pos - 1);
        }
    } else if ((copy->filename = p_string(p)) == NULL) {
        return NULL;
    }
    if (binary && !add_def(p, &copy->options, "format", "binary", NULL, binary_loc)) {
        return NULL;
    }
    if (p_is_kw(p, KW_USING) && p_peek_kw(p, 1, KW_DELIMITERS)) {
        p_advance(p);
    }
    if (p_is_kw(p, KW_DELIMITERS)) {
        int loc = p_loc(p);
        p_advance(p);
        if (!copy_string_option(p, &copy->options, "delimiter", loc)) {
            return NULL;
        }
    }
    p_accept_kw(p, KW_WITH);
    if (p_is(p, TOK_LPAREN)) {
        if (!copy_generic_options(p, &copy->options)) {
            return NULL;
        }
    } else if (!copy_legacy_options(p, &copy->options)) {
        return NULL;
    }
    if (copy->is_from && p_accept_kw(p, KW_WHERE) && (copy->where = p_expr(p)) == NULL) {
        return NULL;
    }
    return (Stmt *)copy;
}

/* ---------------- VACUUM / ANALYZE ---------------- */

Stmt *p_vacuum(Parser *p, bool is_vacuum)
{
    VacuumStmt *vacuum = P_NEW(p, VacuumStmt, N_VACUUM_STMT, p_loc(p));
    if (vacuum == NULL) {
        return NULL;
    }
    p_advance(p);
    vacuum->is_vacuum = is_vacuum;
    if (p_is(p, TOK_LPAREN)) {
        p_advance(p);
        do {
            int loc = p_loc(p);
            char *name = p_col_label(p);
            if (name == NULL ||
                !p_append(p, &vacuum->options, (Node *)p_def_elem_value(p, name, loc))) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
        if (!p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    } else {
        for (;;) {
            if (is_vacuum && p_accept_kw(p, KW_FULL)) {
                vacuum->full = true;
            } else if (is_vacuum && p_accept_kw(p, KW_FREEZE)) {
                vacuum->freeze = true;
            } else if (p_accept_kw(p, KW_VERBOSE)) {
                vacuum->verbose = true;
            } else if (is_vacuum && (p_accept_kw(p, KW_ANALYZE) || p_accept_kw(p, KW_ANALYSE))) {
                vacuum->analyze = true;
            } else {
                break;
            }
        }
    }
    if (p_is_col_id(p, 0)) {
        do {
            RangeVar *rv = p_qualified_name(p);
            if (rv == NULL) {
                return NULL;
            }
            if (p_is(p, TOK_LPAREN)) {
                rv->alias = P_NEW(p, Alias, N_ALIAS, p_loc(p));
                if (rv->alias == NULL || !p_paren_name_list(p, &rv->alias->columns)) {
                    return NULL;
                }
            }
            if (!p_append(p, &vacuum->relations, (Node *)rv)) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
    }
    return (Stmt *)vacuum;
}

/* ---------------- CHECKPOINT, DISCARD, LISTEN, UNLISTEN, NOTIFY ---------------- */

Stmt *p_misc(Parser *p)
{
    int loc = p_loc(p);
    KeywordId kw = p_tok(p)->keyword;
    p_advance(p);
    if (kw == KW_CHECKPOINT) {
        return (Stmt *)p_new_node(p, sizeof(CheckpointStmt), N_CHECKPOINT_STMT, loc);
    }
    if (kw == KW_DISCARD) {
        DiscardStmt *discard = P_NEW(p, DiscardStmt, N_DISCARD_STMT, loc);
        if (discard == NULL) {
            return NULL;
        }
        if (p_accept_kw(p, KW_ALL)) {
            discard->kind = DISCARD_ALL;
        } else if (p_accept_kw(p, KW_PLANS)) {
            discard->kind = DISCARD_PLANS;
        } else if (p_accept_kw(p, KW_SEQUENCES)) {
            discard->kind = DISCARD_SEQUENCES;
        } else if (p_accept_kw(p, KW_TEMP) || p_accept_kw(p, KW_TEMPORARY)) {
            discard->kind = DISCARD_TEMP;
        } else {
            return p_syntax_error(p);
        }
        return (Stmt *)discard;
    }
    ListenStmt *listen = P_NEW(p, ListenStmt, N_LISTEN_STMT, loc);
    if (listen == NULL) {
        return NULL;
    }
    listen->kind = kw == KW_LISTEN     ? LISTEN_LISTEN
                   : kw == KW_UNLISTEN ? LISTEN_UNLISTEN
                                       : LISTEN_NOTIFY;
    if (listen->kind == LISTEN_UNLISTEN && p_accept_op(p, "*")) {
        return (Stmt *)listen;
    }
    listen->channel = p_col_id(p);
    if (listen->channel == NULL) {
        return NULL;
    }
    if (listen->kind == LISTEN_NOTIFY && p_accept(p, TOK_COMMA)) {
        listen->payload = p_string(p);
        if (listen->payload == NULL) {
            return NULL;
        }
    }
    return (Stmt *)listen;
}
