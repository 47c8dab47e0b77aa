/*
 * sql/parse_admin.c - administrative statements: CREATE / ALTER / DROP ROLE |
 * USER | GROUP, COMMENT ON, GRANT and REVOKE.
 *
 * Role options are normalised to DefElem (see RoleStmt in ast.h); LOGIN and
 * friends are not keywords in PostgreSQL either, so they are matched by text.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <string.h>

#include "sql/parser_int.h"

static char *role_name(Parser *p)
{
    if (p_is_kw(p, KW_CURRENT_USER) || p_is_kw(p, KW_SESSION_USER) || p_is_kw(p, KW_CURRENT_ROLE)) {
        char *name = p_tok(p)->text;
        p_advance(p);
        return name;
    }
    return p_nonreserved_word(p);
}

static bool role_name_list(Parser *p, NameList *out)
{
    do {
        p_accept_kw(p, KW_GROUP);
        if (!p_append_name(p, out, role_name(p))) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

/* Boolean role attributes: name and its NO-prefixed opposite. */
static const char *const role_flags[] = {"superuser", "createdb",    "createrole", "inherit",
                                         "login",     "replication", "bypassrls"};

static bool role_flag(Parser *p, NodeList *out, bool *matched)
{
    if (!p_is(p, TOK_IDENT)) {
        *matched = false;
        return true;
    }
    const char *text = p_tok(p)->text;
    for (size_t index = 0; index < sizeof(role_flags) / sizeof(role_flags[0]); index++) {
        const char *flag = role_flags[index];
        bool positive = strcmp(text, flag) == 0;
        bool negative = strncmp(text, "no", 2) == 0 && strcmp(text + 2, flag) == 0;
        if (positive || negative) {
            int loc = p_loc(p);
            p_advance(p);
            *matched = true;
            return p_append(p, out,
                            (Node *)p_make_def(p, flag, positive ? "true" : "false", NULL, loc));
        }
    }
    *matched = false;
    return true;
}

static bool role_option(Parser *p, NodeList *out, bool *matched)
{
    if (!role_flag(p, out, matched) || *matched) {
        return !p->failed;
    }
    int loc = p_loc(p);
    *matched = true;
    if (p_accept_kw(p, KW_ENCRYPTED) || p_is_kw(p, KW_PASSWORD)) {
        if (!p_expect_kw(p, KW_PASSWORD)) {
            return false;
        }
        Node *value = NULL;
        if (p_accept_kw(p, KW_NULL)) {
            value = NULL;
        } else {
            char *password = p_string(p);
            if (password == NULL) {
                return false;
            }
            value = (Node *)p_make_string_const(p, password, loc);
        }
        return p_append(p, out, (Node *)p_make_def(p, "password", NULL, value, loc));
    }
    if (p_accept_kw(p, KW_CONNECTION)) {
        if (!p_expect_kw(p, KW_LIMIT)) {
            return false;
        }
        Node *value = p_expr_level(p, 8);
        return value != NULL &&
               p_append(p, out, (Node *)p_make_def(p, "connection_limit", NULL, value, loc));
    }
    if (p_accept_kw(p, KW_VALID)) {
        if (!p_expect_kw(p, KW_UNTIL)) {
            return false;
        }
        char *until = p_string(p);
        return until != NULL &&
               p_append(p, out,
                        (Node *)p_make_def(p, "valid_until", NULL,
                                           (Node *)p_make_string_const(p, until, loc), loc));
    }
    if (p_is_kw(p, KW_IN) || p_is_kw(p, KW_ROLE) || p_is_kw(p, KW_ADMIN) || p_is_kw(p, KW_USER)) {
        const char *name;
        if (p_accept_kw(p, KW_IN)) {
            if (!p_accept_kw(p, KW_ROLE) && !p_expect_kw(p, KW_GROUP)) {
                return false;
            }
            name = "in_role";
        } else if (p_accept_kw(p, KW_ADMIN)) {
            name = "admin";
        } else {
            p_advance(p); /* ROLE | USER */
            name = "role";
        }
        NameList roles = {0};
        if (!role_name_list(p, &roles)) {
            return false;
        }
        for (int index = 0; index < roles.count; index++) {
            if (!p_append(p, out, (Node *)p_make_def(p, name, roles.items[index], NULL, loc))) {
                return false;
            }
        }
        return true;
    }
    if (p_accept_kw(p, KW_SYSID)) {
        Node *value = p_expr_level(p, 8);
        return value != NULL && p_append(p, out, (Node *)p_make_def(p, "sysid", NULL, value, loc));
    }
    *matched = false;
    return true;
}

Stmt *p_role_stmt(Parser *p, RoleAction action, int loc)
{
    RoleStmt *role = P_NEW(p, RoleStmt, N_ROLE_STMT, loc);
    if (role == NULL) {
        return NULL;
    }
    role->action = action;
    role->is_user = p_is_kw(p, KW_USER);
    p_advance(p); /* ROLE | USER | GROUP */
    if (action == ROLE_DROP) {
        if (p_is_kw(p, KW_IF) && p_peek_kw(p, 1, KW_EXISTS)) {
            p_advance(p);
            p_advance(p);
            role->if_exists = true;
        }
        return role_name_list(p, &role->names) ? (Stmt *)role : NULL;
    }
    if (!p_append_name(p, &role->names, role_name(p))) {
        return NULL;
    }
    if (action == ROLE_ALTER && p_accept_kw(p, KW_RENAME)) {
        if (!p_expect_kw(p, KW_TO) || (role->new_name = role_name(p)) == NULL) {
            return NULL;
        }
        return (Stmt *)role;
    }
    p_accept_kw(p, KW_WITH);
    for (;;) {
        bool matched;
        if (!role_option(p, &role->options, &matched)) {
            return NULL;
        }
        if (!matched) {
            break;
        }
    }
    return (Stmt *)role;
}

/* ---------------- COMMENT ON ---------------- */

static bool object_kind(Parser *p, ObjectKind *kind)
{
    switch (p_is(p, TOK_IDENT) ? p_tok(p)->keyword : KW_NONE) {
    case KW_TABLE:
        *kind = OBJECT_TABLE;
        break;
    case KW_COLUMN:
        *kind = OBJECT_COLUMN;
        break;
    case KW_INDEX:
        *kind = OBJECT_INDEX;
        break;
    case KW_VIEW:
        *kind = OBJECT_VIEW;
        break;
    case KW_SEQUENCE:
        *kind = OBJECT_SEQUENCE;
        break;
    case KW_SCHEMA:
        *kind = OBJECT_SCHEMA;
        break;
    case KW_ROLE:
        *kind = OBJECT_ROLE;
        break;
    case KW_DATABASE:
        *kind = OBJECT_DATABASE;
        break;
    case KW_TYPE:
        *kind = OBJECT_TYPE;
        break;
    case KW_FUNCTION:
        *kind = OBJECT_FUNCTION;
        break;
    case KW_EXTENSION:
        *kind = OBJECT_EXTENSION;
        break;
    case KW_CONSTRAINT:
        *kind = OBJECT_CONSTRAINT;
        break;
    case KW_TRIGGER:
        *kind = OBJECT_TRIGGER;
        break;
    case KW_MATERIALIZED:
        p_advance(p);
        if (!p_is_kw(p, KW_VIEW)) {
            p_syntax_error(p);
            return false;
        }
        *kind = OBJECT_MATVIEW;
        break;
    default:
        p_syntax_error(p);
        return false;
    }
    p_advance(p);
    return true;
}

Stmt *p_comment(Parser *p)
{
    CommentStmt *comment = P_NEW(p, CommentStmt, N_COMMENT_STMT, p_loc(p));
    if (comment == NULL) {
        return NULL;
    }
    p_advance(p);
    if (!p_expect_kw(p, KW_ON) || !object_kind(p, &comment->kind)) {
        return NULL;
    }
    if (comment->kind == OBJECT_CONSTRAINT || comment->kind == OBJECT_TRIGGER) {
        /* CONSTRAINT name ON table: parts = table parts, then the name */
        char *name = p_col_id(p);
        if (name == NULL || !p_expect_kw(p, KW_ON)) {
            return NULL;
        }
        comment->object = p_any_name(p);
        if (comment->object == NULL || !p_append_name(p, &comment->object->parts, name)) {
            return NULL;
        }
    } else {
        comment->object = p_any_name(p);
        if (comment->object == NULL) {
            return NULL;
        }
        if (comment->kind == OBJECT_FUNCTION && p_is(p, TOK_LPAREN)) {
            /* argument types identify the function; only the name is kept */
            p_advance(p);
            if (!p_is(p, TOK_RPAREN)) {
                do {
                    if (p_type_name(p) == NULL) {
                        return NULL;
                    }
                } while (p_accept(p, TOK_COMMA));
            }
            if (!p_expect(p, TOK_RPAREN)) {
                return NULL;
            }
        }
    }
    if (!p_expect_kw(p, KW_IS)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_NULL)) {
        comment->comment = NULL;
    } else if ((comment->comment = p_string(p)) == NULL) {
        return NULL;
    }
    return (Stmt *)comment;
}

/* ---------------- GRANT / REVOKE ---------------- */

static bool privilege_list(Parser *p, GrantStmt *grant)
{
    if (p_accept_kw(p, KW_ALL)) {
        p_accept_kw(p, KW_PRIVILEGES);
        grant->all_privileges = true;
        if (p_is(p, TOK_LPAREN)) {
            grant->column_privileges = true;
            return p_paren_name_list(p, &grant->all_columns);
        }
        return true;
    }
    NameList columns[64];
    int count = 0;
    do {
        if (!p_is_col_label(p, 0)) {
            p_syntax_error(p);
            return false;
        }
        if (count == 64) {
            p_syntax_error(p);
            return false;
        }
        if (!p_append_name(p, &grant->privileges, p_tok(p)->text)) {
            return false;
        }
        p_advance(p);
        columns[count] = (NameList){0};
        if (p_is(p, TOK_LPAREN)) {
            if (!p_paren_name_list(p, &columns[count])) {
                return false;
            }
            grant->column_privileges = true;
        }
        count++;
    } while (p_accept(p, TOK_COMMA));
    if (grant->column_privileges) {
        grant->columns = arena_memdup(p->arena, columns, sizeof(NameList) * (size_t)count);
        if (grant->columns == NULL) {
            p_nomem(p);
            return false;
        }
    }
    return true;
}

static bool grant_target(Parser *p, GrantStmt *grant)
{
    grant->kind = OBJECT_TABLE;
    if (p_is_kw(p, KW_ALL) && (p_peek_kw(p, 1, KW_TABLES) || p_peek_kw(p, 1, KW_SEQUENCES) ||
                               p_peek_kw(p, 1, KW_FUNCTIONS))) {
        p_advance(p);
        grant->kind = p_is_kw(p, KW_TABLES)      ? OBJECT_TABLE
                      : p_is_kw(p, KW_SEQUENCES) ? OBJECT_SEQUENCE
                                                 : OBJECT_FUNCTION;
        p_advance(p);
        if (!p_expect_kw(p, KW_IN) || !p_expect_kw(p, KW_SCHEMA)) {
            return false;
        }
        grant->all_in_schema = true;
    } else if (p_is_kw(p, KW_TABLE) || p_is_kw(p, KW_SEQUENCE) || p_is_kw(p, KW_SCHEMA) ||
               p_is_kw(p, KW_DATABASE) || p_is_kw(p, KW_FUNCTION) || p_is_kw(p, KW_TYPE)) {
        if (!object_kind(p, &grant->kind)) {
            return false;
        }
    }
    do {
        if (!p_append(p, &grant->objects, (Node *)p_any_name(p))) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

Stmt *p_grant(Parser *p, bool is_grant)
{
    GrantStmt *grant = P_NEW(p, GrantStmt, N_GRANT_STMT, p_loc(p));
    if (grant == NULL) {
        return NULL;
    }
    p_advance(p);
    grant->is_grant = is_grant;
    if (!is_grant && (p_is_kw(p, KW_GRANT) || p_is_kw(p, KW_ADMIN)) &&
        p_peek_kw(p, 1, KW_OPTION)) {
        p_advance(p);
        p_advance(p);
        if (!p_expect_kw(p, KW_FOR)) {
            return NULL;
        }
        grant->with_grant_option = true;
    }
    if (!privilege_list(p, grant)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_ON)) {
        if (!grant_target(p, grant)) {
            return NULL;
        }
    } else {
        grant->is_role_grant = true;
    }
    if (!p_expect_kw(p, is_grant ? KW_TO : KW_FROM) || !role_name_list(p, &grant->grantees)) {
        return NULL;
    }
    if (is_grant && p_accept_kw(p, KW_WITH)) {
        if (!p_accept_kw(p, KW_GRANT) && !p_accept_kw(p, KW_ADMIN)) {
            return p_syntax_error(p);
        }
        if (!p_expect_kw(p, KW_OPTION)) {
            return NULL;
        }
        grant->with_grant_option = true;
    }
    if (p_is_kw(p, KW_GRANTED) && p_peek_kw(p, 1, KW_BY)) {
        /* GRANTED BY role: PostgreSQL 15 records the current role as the grantor
         * whatever is named; the name is checked only to exist (api_grant.c) */
        p_advance(p);
        p_advance(p);
        if (!role_name_list(p, &grant->granted_by)) {
            return NULL;
        }
        if (grant->granted_by.count != 1) {
            return p_syntax_error(p);
        }
    }
    if (!is_grant) {
        grant->cascade = p_accept_kw(p, KW_CASCADE);
        if (!grant->cascade) {
            p_accept_kw(p, KW_RESTRICT);
        }
    }
    return (Stmt *)grant;
}
