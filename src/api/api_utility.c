/*
 * api/api_utility.c - statements the session runs itself (not planned):
 * transaction control, SET / SHOW / RESET, PREPARE / DEALLOCATE, DISCARD,
 * CHECKPOINT, VACUUM, the integrity check, and dispatch to DDL (ddl.c) and
 * COPY (copy.c).
 *
 * Transaction rules follow PostgreSQL: BEGIN inside a block and COMMIT /
 * ROLLBACK outside one succeed with a WARNING; COMMIT of a failed block rolls
 * back and reports ROLLBACK; SAVEPOINT / RELEASE / ROLLBACK TO need a block
 * (25P01). Utility statements other than these run in the current
 * transaction (autocommit: their own).
 *
 * See src/api/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "api/ddl_int.h"
#include "catalog/edit.h"
#include "types/numeric.h"
#include "util/mem.h"

/* ---- row sets ----------------------------------------------------------------------- */

RowSet *api_rowset_create(Arena *a, int column_count, const char *const *names,
                          const SqlType *types)
{
    RowSet *rs = arena_zalloc(a, sizeof(*rs));
    if (rs == NULL) {
        return NULL;
    }
    rs->column_count = column_count;
    rs->names = arena_alloc(a, sizeof(char *) * (size_t)column_count);
    rs->types = arena_alloc(a, sizeof(SqlType) * (size_t)column_count);
    if (rs->names == NULL || rs->types == NULL) {
        return NULL;
    }
    for (int col = 0; col < column_count; col++) {
        rs->names[col] = arena_strdup(a, names[col]);
        rs->types[col] = types[col];
    }
    return rs;
}

int api_rowset_append(RowSet *rs, Arena *a, const Value *row, Error *err)
{
    if (rs->row_count == rs->capacity) {
        int cap = rs->capacity ? rs->capacity * 2 : 16;
        Value *grown = arena_realloc(
            a, rs->rows, sizeof(Value) * (size_t)rs->capacity * (size_t)rs->column_count,
            sizeof(Value) * (size_t)cap * (size_t)rs->column_count);
        if (grown == NULL) {
            return arena_error(a, err);
        }
        rs->rows = grown;
        rs->capacity = cap;
    }
    Value *dst = &rs->rows[(size_t)rs->row_count * (size_t)rs->column_count];
    for (int col = 0; col < rs->column_count; col++) {
        dst[col] = row[col];
        if (!row[col].is_null && type_phys(row[col].type.id) == PHYS_STRING) {
            char *copy = api_copy_bytes(a, row[col].str.ptr, row[col].str.len);
            if (copy == NULL) {
                return arena_error(a, err);
            }
            dst[col].str.ptr = copy;
        }
        if (!row[col].is_null && type_phys(row[col].type.id) == PHYS_DECIMAL &&
            numeric_copy(&row[col].dec, a, &dst[col].dec, err) != STRATA_OK) {
            return STRATA_NOMEM;
        }
    }
    rs->row_count++;
    return STRATA_OK;
}

static Value text_value(const char *s)
{
    if (s == NULL) {
        return value_null(sql_type(TYPE_TEXT));
    }
    return value_str(TYPE_TEXT, s, (uint32_t)strlen(s));
}

/* ---- classification -------------------------------------------------------------------- */

static bool is_strata_check(const Stmt *ast)
{
    if (ast->tag != N_SELECT_STMT) {
        return false;
    }
    const SelectStmt *s = (const SelectStmt *)ast;
    if (s->op != SETOP_NONE || s->from.count != 0 || s->targets.count != 1 || s->where != NULL) {
        return false;
    }
    const ResTarget *rt = (const ResTarget *)s->targets.items[0];
    if (rt->val == NULL || rt->val->tag != N_FUNC_CALL) {
        return false;
    }
    const FuncCall *f = (const FuncCall *)rt->val;
    return f->name.count == 1 && strcmp(f->name.items[0], "strata_check") == 0 &&
           f->args.count == 0;
}

bool api_utility_is_utility(const Stmt *ast)
{
    switch (ast->tag) {
    case N_SELECT_STMT:
        return is_strata_check(ast);
    case N_INSERT_STMT:
    case N_UPDATE_STMT:
    case N_DELETE_STMT:
    case N_EXPLAIN_STMT:
    case N_EXECUTE_STMT:
        return false;
    default:
        return true;
    }
}

bool api_utility_allowed_when_failed(const Stmt *ast)
{
    if (ast->tag != N_TRANSACTION_STMT) {
        return false;
    }
    TransactionKind kind = ((const TransactionStmt *)ast)->kind;
    return kind == TXN_COMMIT || kind == TXN_ROLLBACK || kind == TXN_ROLLBACK_TO;
}

bool api_utility_keeps_speculation(const Stmt *ast)
{
    if (ast->tag != N_TRANSACTION_STMT) {
        return false;
    }
    TransactionKind kind = ((const TransactionStmt *)ast)->kind;
    /* COMMIT promotes in api_session_commit; ROLLBACK discards */
    return kind == TXN_COMMIT || kind == TXN_ROLLBACK;
}

static const char *show_column_name(const char *name)
{
    int n = api_settings_count();
    for (int k = 0; k < n; k++) {
        const char *def_name, *unit, *desc, *vartype, *boot;
        api_settings_describe(k, &def_name, &unit, &desc, &vartype, &boot);
        if (strcasecmp(def_name, name) == 0) {
            return def_name;
        }
    }
    return name;
}

int api_utility_describe(strata_stmt *stmt, Error *err)
{
    static const SqlType text_type = {TYPE_TEXT, -1};
    if (stmt->ast->tag == N_SHOW_STMT) {
        const ShowStmt *show = (const ShowStmt *)stmt->ast;
        if (strcmp(show->name, "all") == 0) {
            static const char *const names[3] = {"name", "setting", "description"};
            static const SqlType types[3] = {{TYPE_TEXT, -1}, {TYPE_TEXT, -1}, {TYPE_TEXT, -1}};
            stmt->column_count = 3;
            stmt->column_names = (const char **)names;
            stmt->column_types = (SqlType *)types;
            return STRATA_OK;
        }
        if (api_role_show(stmt->conn, show->name) == NULL &&
            api_settings_get(stmt->conn, show->name, err) == NULL) {
            return err->code;
        }
        stmt->column_count = 1;
        stmt->column_names = arena_alloc(stmt->arena, sizeof(char *));
        if (stmt->column_names == NULL) {
            return arena_error(stmt->arena, err);
        }
        stmt->column_names[0] = show_column_name(show->name);
        stmt->column_types = (SqlType *)&text_type;
    } else if (is_strata_check(stmt->ast)) {
        static const char *const names[1] = {"strata_check"};
        stmt->column_count = 1;
        stmt->column_names = (const char **)names;
        stmt->column_types = (SqlType *)&text_type;
    }
    return STRATA_OK;
}

/* ---- transaction control ----------------------------------------------------------------- */

static bool in_block(const strata_db *conn)
{
    return conn->mode == TXN_BLOCK || conn->mode == TXN_FAILED;
}

/* BEGIN / SET TRANSACTION modes: isolation level and READ ONLY / READ WRITE. */
static int set_transaction_modes(strata_db *conn, const NodeList *options, bool session, Error *err)
{
    for (int k = 0; k < options->count; k++) {
        const DefElem *d = (const DefElem *)options->items[k];
        int rc = STRATA_OK;
        if (strcmp(d->name, "transaction_isolation") == 0 && d->word != NULL) {
            rc = api_settings_set(
                conn, session ? "default_transaction_isolation" : "transaction_isolation", d->word,
                !session, err);
        } else if (strcmp(d->name, "transaction_read_only") == 0 && d->word != NULL && !session) {
            rc = api_settings_set(conn, "transaction_read_only", d->word, true, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int run_transaction(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    const TransactionStmt *t = (const TransactionStmt *)stmt->ast;
    switch (t->kind) {
    case TXN_BEGIN:
        snprintf(stmt->tag, sizeof(stmt->tag), "%s", t->is_start ? "START TRANSACTION" : "BEGIN");
        if (in_block(conn)) {
            api_session_add_notice(conn, NOTICE_SEVERITY_WARNING, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                                   "there is already a transaction in progress");
            return STRATA_OK;
        }
        conn->mode = TXN_BLOCK;
        api_settings_begin_block(conn);
        return set_transaction_modes(conn, &t->options, false, err);
    case TXN_COMMIT:
        if (!in_block(conn)) {
            snprintf(stmt->tag, sizeof(stmt->tag), "COMMIT");
            api_session_add_notice(conn, NOTICE_SEVERITY_WARNING,
                                   SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                                   "there is no transaction in progress");
            return STRATA_OK;
        }
        if (conn->mode == TXN_FAILED) {
            snprintf(stmt->tag, sizeof(stmt->tag), "ROLLBACK");
            api_session_rollback(conn);
            return STRATA_OK;
        }
        snprintf(stmt->tag, sizeof(stmt->tag), "COMMIT");
        return api_session_commit(conn, err);
    case TXN_ROLLBACK:
        snprintf(stmt->tag, sizeof(stmt->tag), "ROLLBACK");
        if (!in_block(conn)) {
            api_session_add_notice(conn, NOTICE_SEVERITY_WARNING,
                                   SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                                   "there is no transaction in progress");
            return STRATA_OK;
        }
        api_session_rollback(conn);
        return STRATA_OK;
    case TXN_SAVEPOINT:
        snprintf(stmt->tag, sizeof(stmt->tag), "SAVEPOINT");
        if (!in_block(conn)) {
            return error_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                             "SAVEPOINT can only be used in transaction blocks");
        }
        return api_session_savepoint(conn, t->savepoint, err);
    case TXN_RELEASE:
        snprintf(stmt->tag, sizeof(stmt->tag), "RELEASE");
        if (!in_block(conn)) {
            return error_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                             "RELEASE SAVEPOINT can only be used in transaction blocks");
        }
        return api_session_release(conn, t->savepoint, err);
    case TXN_ROLLBACK_TO:
        snprintf(stmt->tag, sizeof(stmt->tag), "ROLLBACK");
        if (!in_block(conn)) {
            return error_set(err, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                             "ROLLBACK TO SAVEPOINT can only be used in transaction blocks");
        }
        return api_session_rollback_to(conn, t->savepoint, err);
    }
    return STRATA_OK;
}

/* ---- settings ---------------------------------------------------------------------------- */

static char *join_values(const NodeList *values, Arena *a)
{
    char *out = arena_strdup(a, "");
    for (int k = 0; out != NULL && k < values->count; k++) {
        const Node *n = values->items[k];
        const char *text = "";
        char buf[64];
        if (n->tag == N_CONST) {
            const Const *c = (const Const *)n;
            if (c->kind == CONST_BOOL) {
                text = c->bool_value ? "on" : "off";
            } else if (c->text != NULL) {
                text = c->text;
            } else if (c->kind == CONST_INTEGER) {
                snprintf(buf, sizeof(buf), "%lld", (long long)c->int_value);
                text = buf;
            }
        } else if (n->tag == N_OP_EXPR && ((const OpExpr *)n)->right != NULL &&
                   ((const OpExpr *)n)->right->tag == N_CONST) {
            const Const *c = (const Const *)((const OpExpr *)n)->right;
            snprintf(buf, sizeof(buf), "-%s", c->text != NULL ? c->text : "0");
            text = buf;
        }
        out = arena_sprintf(a, "%s%s%s", out, k > 0 ? ", " : "", text);
    }
    return out;
}

static int run_set(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    const SetStmt *s = (const SetStmt *)stmt->ast;
    snprintf(stmt->tag, sizeof(stmt->tag), "%s",
             s->kind == SET_RESET || s->kind == SET_RESET_ALL ? "RESET" : "SET");
    bool is_authorization = s->name != NULL && strcmp(s->name, "session_authorization") == 0;
    bool is_role = s->name != NULL && strcmp(s->name, "role") == 0;
    switch (s->kind) {
    case SET_VALUE: {
        char *value = join_values(&s->values, stmt->exec_arena);
        if (value == NULL) {
            return arena_error(stmt->exec_arena, err);
        }
        if (is_authorization) {
            return api_role_set_session_authorization(conn, value, s->is_local, err);
        }
        if (is_role) {
            return api_role_set_role(conn, value, s->is_local, err);
        }
        return api_settings_set(conn, s->name, value, s->is_local, err);
    }
    case SET_DEFAULT:
    case SET_RESET:
        if (is_authorization) {
            return api_role_set_session_authorization(conn, NULL, s->is_local, err);
        }
        if (is_role) {
            return api_role_set_role(conn, NULL, s->is_local, err);
        }
        return api_settings_set(conn, s->name, NULL, s->is_local, err);
    case SET_RESET_ALL:
        api_settings_reset_all(conn);
        return api_role_set_role(conn, NULL, false, err); /* RESET ALL includes the role */
    case SET_TRANSACTION:
        if (!s->is_session_characteristics && !in_block(conn)) {
            api_session_add_notice(conn, NOTICE_SEVERITY_WARNING,
                                   SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                                   "SET TRANSACTION can only be used in transaction blocks");
            return STRATA_OK;
        }
        return set_transaction_modes(conn, &s->options, s->is_session_characteristics, err);
    }
    return STRATA_OK;
}

static int run_show(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    const ShowStmt *show = (const ShowStmt *)stmt->ast;
    snprintf(stmt->tag, sizeof(stmt->tag), "SHOW");
    stmt->rowset = api_rowset_create(stmt->exec_arena, stmt->column_count,
                                     (const char *const *)stmt->column_names, stmt->column_types);
    if (stmt->rowset == NULL) {
        return arena_error(stmt->exec_arena, err);
    }
    if (strcmp(show->name, "all") == 0) {
        int n = api_settings_count();
        for (int k = 0; k < n; k++) {
            const char *name, *unit, *desc, *vartype, *boot;
            api_settings_describe(k, &name, &unit, &desc, &vartype, &boot);
            Value row[3] = {text_value(name), text_value(api_settings_value_at(conn, k)),
                            text_value(desc)};
            int rc = api_rowset_append(stmt->rowset, stmt->exec_arena, row, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        return STRATA_OK;
    }
    const char *value = api_role_show(conn, show->name);
    if (value == NULL) {
        value = api_settings_get(conn, show->name, err);
    }
    if (value == NULL) {
        return err->code;
    }
    Value row[1] = {text_value(value)};
    return api_rowset_append(stmt->rowset, stmt->exec_arena, row, err);
}

/* ---- PREPARE / DEALLOCATE / DISCARD ---------------------------------------------------------- */

/* PREPARE name (type, ...): the declared types of $1..$n, resolved in the
 * statement's transaction (enum and domain names read the catalog). */
static int declare_params(strata_db *conn, const PrepareStmt *p, strata_stmt *inner, Error *err)
{
    inner->declared_params = arena_zalloc(inner->arena, sizeof(SqlType) * (size_t)p->arg_types.count);
    if (inner->declared_params == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = STRATA_OK;
    api_session_install_provider(conn);
    for (int k = 0; rc == STRATA_OK && k < p->arg_types.count; k++) {
        const TypeName *tn = (const TypeName *)p->arg_types.items[k];
        bool serial;
        rc = api_ddl_type(tn, &inner->declared_params[k], &serial, err);
        if (rc == STRATA_OK && serial) {
            rc = error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", tn->name);
        }
        if (rc != STRATA_OK && err->position == 0) {
            err->position = tn->location + 1;
        }
    }
    api_session_remove_provider();
    inner->declared_param_count = p->arg_types.count;
    return rc;
}

static int run_prepare(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    const PrepareStmt *p = (const PrepareStmt *)stmt->ast;
    snprintf(stmt->tag, sizeof(stmt->tag), "PREPARE");
    for (int k = 0; k < conn->prepared_count; k++) {
        if (strcmp(conn->prepared[k].name, p->name) == 0) {
            return error_set(err, SQLSTATE_DUPLICATE_PREPARED_STATEMENT,
                             "prepared statement \"%s\" already exists", p->name);
        }
    }
    const char *text = p->query_text != NULL ? p->query_text : "";
    strata_stmt *inner;
    int rc = api_stmt_create(conn, text, strlen(text), NULL, &inner, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    StmtList *list;
    rc = sql_parse(inner->sql, inner->sql_length, inner->arena, &list, err);
    if (rc == STRATA_OK && list->count != 1) {
        rc = error_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error in PREPARE");
    }
    if (rc == STRATA_OK) {
        inner->ast = list->items[0];
        if (api_utility_is_utility(inner->ast) || inner->ast->tag == N_EXECUTE_STMT) {
            rc = error_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"%s\"",
                           ast_tag_name(inner->ast->tag));
        }
    }
    if (rc == STRATA_OK) {
        inner->kind = STMT_PLANNED;
        rc = api_session_ensure_txn(conn, false, err);
        if (rc == STRATA_OK) {
            bool autocommit = conn->mode == TXN_AUTOCOMMIT;
            if (autocommit) {
                conn->autocommit_users++;
            }
            if (p->arg_types.count > 0) {
                rc = declare_params(conn, p, inner, err);
            }
            if (rc == STRATA_OK) {
                rc = api_stmt_plan(inner, err);
            }
            if (autocommit) {
                api_session_end_statement(conn, true, NULL);
            }
        }
    }
    if (rc == STRATA_OK && conn->prepared_count == conn->prepared_capacity) {
        int cap = conn->prepared_capacity ? conn->prepared_capacity * 2 : 8;
        SessionPrepared *grown = mem_realloc(conn->prepared, sizeof(SessionPrepared) * (size_t)cap);
        if (grown == NULL) {
            rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        } else {
            conn->prepared = grown;
            conn->prepared_capacity = cap;
        }
    }
    char *name = rc == STRATA_OK ? mem_strdup(p->name) : NULL;
    if (rc == STRATA_OK && name == NULL) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (rc != STRATA_OK) {
        api_stmt_free(inner);
        return rc;
    }
    conn->prepared[conn->prepared_count].name = name;
    conn->prepared[conn->prepared_count++].stmt = inner;
    return STRATA_OK;
}

static void drop_prepared_at(strata_db *conn, int k)
{
    mem_free(conn->prepared[k].name);
    api_stmt_free(conn->prepared[k].stmt);
    conn->prepared[k] = conn->prepared[--conn->prepared_count];
}

static int run_deallocate(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    const DeallocateStmt *d = (const DeallocateStmt *)stmt->ast;
    if (d->name == NULL) {
        snprintf(stmt->tag, sizeof(stmt->tag), "DEALLOCATE ALL");
        while (conn->prepared_count > 0) {
            drop_prepared_at(conn, conn->prepared_count - 1);
        }
        return STRATA_OK;
    }
    snprintf(stmt->tag, sizeof(stmt->tag), "DEALLOCATE");
    for (int k = 0; k < conn->prepared_count; k++) {
        if (strcmp(conn->prepared[k].name, d->name) == 0) {
            drop_prepared_at(conn, k);
            return STRATA_OK;
        }
    }
    return error_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                     "prepared statement \"%s\" does not exist", d->name);
}

static int run_discard(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    const DiscardStmt *d = (const DiscardStmt *)stmt->ast;
    static const char *const tags[] = {"DISCARD ALL", "DISCARD PLANS", "DISCARD SEQUENCES",
                                       "DISCARD TEMP"};
    snprintf(stmt->tag, sizeof(stmt->tag), "%s", tags[d->kind]);
    if (d->kind == DISCARD_ALL || d->kind == DISCARD_PLANS) {
        api_stmt_cache_clear(conn); /* statements kept by their text (strata_statement_cache) */
    }
    if (d->kind == DISCARD_ALL) {
        if (in_block(conn)) {
            return error_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                             "DISCARD ALL cannot run inside a transaction block");
        }
        while (conn->prepared_count > 0) {
            drop_prepared_at(conn, conn->prepared_count - 1);
        }
        api_settings_reset_all(conn);
        conn->seq_last_count = 0;
        /* as PostgreSQL: SET SESSION AUTHORIZATION DEFAULT, which also ends SET ROLE */
        return api_role_set_session_authorization(conn, NULL, false, err);
    } else if (d->kind == DISCARD_SEQUENCES) {
        conn->seq_last_count = 0;
    }
    return STRATA_OK;
}

/* ---- maintenance ---------------------------------------------------------------------------- */

static int run_checkpoint(strata_stmt *stmt, Error *err)
{
    snprintf(stmt->tag, sizeof(stmt->tag), "CHECKPOINT");
    return pager_checkpoint(stmt->conn->db->pager, err);
}

static int run_vacuum(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    const VacuumStmt *v = (const VacuumStmt *)stmt->ast;
    if (!v->is_vacuum) {
        return api_ddl_run(stmt, err); /* ANALYZE */
    }
    snprintf(stmt->tag, sizeof(stmt->tag), "VACUUM");
    if (in_block(conn)) {
        return error_set(err, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                         "VACUUM cannot run inside a transaction block");
    }
    if (v->analyze) {
        int rc = api_ddl_run(stmt, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        snprintf(stmt->tag, sizeof(stmt->tag), "VACUUM");
    }
    if (conn->txn != NULL) {
        return STRATA_OK; /* another statement of this connection is reading */
    }
    return pager_vacuum(conn->db->pager, err);
}

static int run_check(strata_stmt *stmt, Error *err)
{
    snprintf(stmt->tag, sizeof(stmt->tag), "SELECT 1");
    const char *result;
    int rc = api_check_database(stmt->conn, stmt->exec_arena, &result, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    stmt->rowset = api_rowset_create(stmt->exec_arena, 1, (const char *const *)stmt->column_names,
                                     stmt->column_types);
    if (stmt->rowset == NULL) {
        return arena_error(stmt->exec_arena, err);
    }
    Value row[1] = {text_value(result)};
    return api_rowset_append(stmt->rowset, stmt->exec_arena, row, err);
}

int api_utility_run(strata_stmt *stmt, Error *err)
{
    switch (stmt->ast->tag) {
    case N_TRANSACTION_STMT:
        return run_transaction(stmt, err);
    case N_SET_STMT:
        return run_set(stmt, err);
    case N_SHOW_STMT:
        return run_show(stmt, err);
    case N_PREPARE_STMT:
        return run_prepare(stmt, err);
    case N_DEALLOCATE_STMT:
        return run_deallocate(stmt, err);
    case N_DISCARD_STMT:
        return run_discard(stmt, err);
    case N_CHECKPOINT_STMT:
        return run_checkpoint(stmt, err);
    case N_VACUUM_STMT:
        return run_vacuum(stmt, err);
    case N_COPY_STMT:
        return api_copy_run(stmt, err);
    case N_SELECT_STMT:
        return run_check(stmt, err);
    case N_LISTEN_STMT: {
        ListenKind kind = ((const ListenStmt *)stmt->ast)->kind;
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported",
                         kind == LISTEN_LISTEN     ? "LISTEN"
                         : kind == LISTEN_UNLISTEN ? "UNLISTEN"
                                                   : "NOTIFY");
    }
    default:
        return api_ddl_run(stmt, err);
    }
}
