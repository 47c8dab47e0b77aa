/*
 * api/api_statement.c - prepared statements: prepare (parse one statement, plan
 * it or record a utility statement), bind, step (run the executor and walk
 * the rows of each batch), column accessors, reset, finalize, and strata_exec.
 *
 * Invariants
 *   1. A planned statement's Plan lives in stmt->plan_arena and was made
 *      against catalog version stmt->plan_version; step re-plans when the
 *      transaction's catalog has another version.
 *   2. Execution state lives in stmt->exec_arena (reset by strata_reset);
 *      rendered column text in stmt->row_arena (reset at every step).
 *   3. A statement that has started and not finished holds one use of the
 *      connection's autocommit transaction (holds_txn), given back exactly
 *      once by finish_statement().
 *
 * See src/api/README.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "types/numeric.h"
#include "types/cast.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/assert.h"
#include "util/mem.h"

/* ---- creation -------------------------------------------------------------------- */

int api_stmt_create(strata_db *conn, const char *sql, size_t length, Stmt *ast, strata_stmt **out,
                    Error *err)
{
    Arena *a = arena_create(NULL, 0, "statement");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    strata_stmt *stmt = arena_zalloc(a, sizeof(*stmt));
    if (stmt == NULL) {
        arena_destroy(a);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    stmt->conn = conn;
    stmt->spec_slot = -1;
    stmt->arena = a;
    stmt->stats_slot = -1;
    stmt->plan_arena = arena_create(a, 0, "plan");
    stmt->exec_arena = arena_create(a, 0, "execution");
    stmt->keep_arena = arena_create(a, 0, "kept executor");
    stmt->row_arena = arena_create(a, 0, "row text");
    stmt->sql = arena_strndup(a, sql, length);
    stmt->sql_length = length;
    stmt->ast = ast;
    if (stmt->plan_arena == NULL || stmt->exec_arena == NULL || stmt->row_arena == NULL ||
        stmt->keep_arena == NULL || stmt->sql == NULL) {
        arena_destroy(a);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (ast == NULL) {
        stmt->kind = STMT_PLANNED; /* set by the caller once parsed */
    } else if (ast->tag == N_EXECUTE_STMT) {
        stmt->kind = STMT_EXECUTE;
    } else if (api_utility_is_utility(ast)) {
        stmt->kind = STMT_UTILITY;
    } else {
        stmt->kind = STMT_PLANNED;
    }
    *out = stmt;
    return STRATA_OK;
}

/* Frees the string slot k's value owns (not the slot's kept buffer). */
static void free_param_string(strata_stmt *stmt, int k)
{
    Value *v = &stmt->params[k];
    if (!v->is_null && type_phys(v->type.id) == PHYS_STRING &&
        v->str.ptr != stmt->param_buffers[k].ptr) {
        mem_free((void *)v->str.ptr);
    }
    if (!v->is_null && type_phys(v->type.id) == PHYS_DECIMAL && numeric_is_big(&v->dec) &&
        v->dec.big.len > 0) {
        mem_free((void *)v->dec.big.mag); /* owned like a string parameter's bytes */
    }
}

/* A big numeric parameter's bytes, cast into the row arena, copied into memory
 * the parameter owns (free_param_string frees them). */
static int own_big_numeric(strata_stmt *stmt, Value *v)
{
    if (v->is_null || type_phys(v->type.id) != PHYS_DECIMAL || !numeric_is_big(&v->dec) ||
        v->dec.big.len == 0) {
        return STRATA_OK;
    }
    uint8_t *copy = mem_alloc(v->dec.big.len);
    if (copy == NULL) {
        return error_set(&stmt->conn->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    memcpy(copy, v->dec.big.mag, v->dec.big.len);
    v->dec.big.mag = copy;
    return STRATA_OK;
}

static void free_params(strata_stmt *stmt)
{
    for (int k = 0; k < stmt->param_capacity; k++) {
        free_param_string(stmt, k);
        mem_free(stmt->param_buffers[k].ptr);
    }
    mem_free(stmt->params);
    mem_free(stmt->param_buffers);
    stmt->params = NULL;
    stmt->param_buffers = NULL;
    stmt->param_capacity = 0;
}

static void finish_statement(strata_stmt *stmt, bool ok, Error *err);

void api_stmt_free(strata_stmt *stmt)
{
    if (stmt == NULL) {
        return;
    }
    if (stmt->executor != NULL) {
        executor_end(stmt->executor);
        stmt->executor = NULL;
    }
    bool abandoned_copy = stmt->copy != NULL;
    api_spec_close(stmt);
    api_copy_stream_free(stmt);
    if (stmt->holds_txn) {
        /* an unfinished COPY leaves nothing behind */
        finish_statement(stmt, !abandoned_copy, NULL);
    }
    free_params(stmt);
    arena_destroy(stmt->arena);
}

/* Copies the plan's result description into the statement. */
static void describe_from_plan(strata_stmt *stmt, const Plan *plan)
{
    const PlanInfo *info = plan_info(plan);
    stmt->column_count = info->column_count;
    stmt->column_names = (const char **)info->column_names;
    stmt->column_types = (SqlType *)info->column_types;
    stmt->param_count = info->param_count;
}

/* Forgets the kept executor (its plan is going, or an execution failed) and
 * whatever a failed or unreusable start left in keep_arena. */
static void drop_kept(strata_stmt *stmt)
{
    ST_ASSERT(stmt->executor == NULL);
    stmt->kept = NULL;
    arena_reset(stmt->keep_arena);
}

/* Plans src (the statement itself, or an EXECUTE's target) against the
 * connection's current transaction catalog. */
static int plan_source(strata_stmt *src, Error *err)
{
    strata_db *conn = src->conn;
    drop_kept(src);
    arena_reset(src->plan_arena);
    src->plan = NULL;
    QueryEnv env;
    api_session_fill_env(conn, &env, src->plan_arena, src->exec_arena, src->sql);
    env.declared_params = src->declared_params;
    env.declared_param_count = src->declared_param_count;
    Plan *plan;
    api_session_install_provider(conn);
    int rc = plan_statement(&env, src->ast, &plan, err);
    api_session_remove_provider();
    if (rc != STRATA_OK) {
        return rc;
    }
    src->plan = plan;
    src->plan_version = catalog_version(conn->catalog);
    src->plan_role = conn->role_id;
    src->plan_generation = conn->settings.plan_generation;
    describe_from_plan(src, plan);
    return STRATA_OK;
}

int api_stmt_plan(strata_stmt *stmt, Error *err)
{
    return plan_source(stmt, err);
}

/* Whether src's plan was made against the connection's current catalog, role
 * and settings (a SET may change search_path, TimeZone or a planner setting),
 * so it can run as it is. */
static bool plan_is_current(const strata_stmt *src)
{
    const strata_db *conn = src->conn;
    return src->plan != NULL && src->plan_version == catalog_version(conn->catalog) &&
           src->plan_role == conn->role_id && src->plan_generation == conn->settings.plan_generation;
}

/* Plans src unless only_if_stale and its plan is current. */
static int plan_unless_current(strata_stmt *src, bool only_if_stale, Error *err)
{
    return only_if_stale && plan_is_current(src) ? STRATA_OK : plan_source(src, err);
}

/* Plans at prepare time inside a short read transaction (or the block's);
 * only_if_stale: a statement from the cache, planned again only when its plan
 * is not current. */
static int plan_at_prepare(strata_stmt *stmt, bool only_if_stale, Error *err)
{
    strata_db *conn = stmt->conn;
    if (conn->mode == TXN_FAILED) {
        return STRATA_OK; /* step reports 25P02 */
    }
    if (conn->txn != NULL) {
        /* Inside a running transaction: plan against its catalog. */
        int rc = plan_unless_current(stmt, only_if_stale, err);
        if (rc != STRATA_OK && conn->mode == TXN_BLOCK) {
            conn->mode = TXN_FAILED;
        }
        return rc;
    }
    /* No transaction yet (autocommit, or a block before its first statement):
     * plan on a short read snapshot of its own, so the block's snapshot is
     * taken when its first statement runs, as in PostgreSQL. step re-plans if
     * the catalog changes in between. */
    PagerTxn *txn;
    const Catalog *catalog;
    int rc = pager_begin(conn->db->pager, false, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    rc = api_database_catalog_for(conn->db, txn, &catalog, err);
    if (rc == STRATA_OK) {
        conn->txn = txn;
        conn->catalog = catalog;
        conn->txn_start_micros = api_session_now_micros();
        rc = plan_unless_current(stmt, only_if_stale, err);
        conn->txn = NULL;
        conn->catalog = NULL;
        catalog_release(catalog);
    }
    pager_rollback(txn);
    if (rc != STRATA_OK && conn->mode == TXN_BLOCK) {
        conn->mode = TXN_FAILED;
    }
    return rc;
}

/* Finds the first non-empty statement in sql[0, length). */
static int parse_first(strata_db *conn, const char *sql, size_t length, strata_stmt **out,
                       size_t *consumed, bool *terminated, Error *err)
{
    size_t offset = 0;
    *out = NULL;
    while (offset < length) {
        size_t end = 0;
        size_t piece = length - offset;
        *terminated = sql_statement_complete(sql + offset, piece, &end);
        if (*terminated) {
            piece = end;
        }
        Arena *scratch = arena_create(NULL, 0, "parse");
        if (scratch == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        StmtList *list;
        int rc = sql_parse(sql + offset, piece, scratch, &list, err);
        if (rc != STRATA_OK || list->count == 0) {
            arena_destroy(scratch);
            if (rc != STRATA_OK) {
                return rc;
            }
            offset += piece;
            continue;
        }
        arena_destroy(scratch);
        /* Parse again into the statement's own arena, from the statement's
         * first byte, so positions count from the statement text. */
        strata_stmt *stmt;
        rc = api_stmt_create(conn, sql + offset, piece, NULL, &stmt, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        rc = sql_parse(stmt->sql, piece, stmt->arena, &list, err);
        if (rc != STRATA_OK || list->count == 0) {
            api_stmt_free(stmt);
            return rc != STRATA_OK ? rc
                                   : error_set(err, SQLSTATE_INTERNAL_ERROR, "statement vanished");
        }
        stmt->ast = list->items[0];
        stmt->kind = list->items[0]->tag == N_EXECUTE_STMT    ? STMT_EXECUTE
                     : api_utility_is_utility(list->items[0]) ? STMT_UTILITY
                                                              : STMT_PLANNED;
        *out = stmt;
        *consumed = offset + piece;
        return STRATA_OK;
    }
    *consumed = length;
    return STRATA_OK;
}

static strata_stmt *find_session_prepared(strata_db *conn, const char *name);

/* An EXECUTE describes the result columns of the statement it runs, so a client
 * (the shell, the wire server's Describe) sees them before the first step. The
 * target is looked up again when the EXECUTE starts. */
static void describe_execute_target(strata_stmt *stmt)
{
    const ExecuteStmt *ex = (const ExecuteStmt *)stmt->ast;
    const strata_stmt *src = find_session_prepared(stmt->conn, ex->name);
    if (src != NULL && src->plan != NULL) {
        const PlanInfo *info = plan_info(src->plan);
        stmt->column_count = info->column_count;
        stmt->column_names = (const char **)info->column_names;
        stmt->column_types = (SqlType *)info->column_types;
    }
}

/* ---- the statement cache ----------------------------------------------------------- */

/* A finalized planned statement is kept (parked) by the text it was prepared
 * from, with its plan and kept executor, and handed out again by a prepare of
 * the same text: plan_at_prepare plans it again when its catalog, role or
 * settings changed, exactly as a fresh statement would be planned. At most
 * stmt_cache_capacity statements of at most STMT_CACHE_ENTRY_BYTES_MAX bytes each
 * (a bigger one first drops its kept executor) are kept, the least recently
 * used evicted first. */
#define STMT_CACHE_ENTRY_BYTES_MAX (1u << 20)

/* Takes the cached statement whose key starts sql[0, length) (see cache_key). */
static strata_stmt *stmt_cache_take(strata_db *conn, const char *sql, size_t length)
{
    for (int k = conn->stmt_cache_count - 1; k >= 0; k--) {
        strata_stmt *stmt = conn->stmt_cache[k];
        size_t key_length = stmt->cache_key_length;
        if (key_length <= length && (stmt->cache_key_terminated || key_length == length) &&
            memcmp(stmt->cache_key, sql, key_length) == 0) {
            memmove(&conn->stmt_cache[k], &conn->stmt_cache[k + 1],
                    sizeof *conn->stmt_cache * (size_t)(conn->stmt_cache_count - k - 1));
            conn->stmt_cache_count--;
            conn->stmt_cache_hits++;
            return stmt;
        }
    }
    return NULL;
}

/* Parks a finalized (reset) statement; false when it is not kept (the caller frees it). */
static bool stmt_cache_put(strata_stmt *stmt)
{
    strata_db *conn = stmt->conn;
    if (conn->stmt_cache_capacity <= 0 || stmt->cache_key == NULL || stmt->kind != STMT_PLANNED ||
        stmt->plan == NULL || stmt->holds_txn || stmt->copy != NULL) {
        return false;
    }
    if (arena_used_bytes(stmt->arena) > STMT_CACHE_ENTRY_BYTES_MAX) {
        drop_kept(stmt);
        if (arena_used_bytes(stmt->arena) > STMT_CACHE_ENTRY_BYTES_MAX) {
            return false;
        }
    }
    if (conn->stmt_cache == NULL) {
        conn->stmt_cache = mem_alloc(sizeof *conn->stmt_cache * (size_t)conn->stmt_cache_capacity);
        if (conn->stmt_cache == NULL) {
            return false;
        }
    }
    /* One statement per key: the newest replaces an older one. */
    for (int k = 0; k < conn->stmt_cache_count; k++) {
        strata_stmt *old = conn->stmt_cache[k];
        if (old->cache_key_length == stmt->cache_key_length &&
            old->cache_key_terminated == stmt->cache_key_terminated &&
            memcmp(old->cache_key, stmt->cache_key, stmt->cache_key_length) == 0) {
            api_stmt_free(old);
            memmove(&conn->stmt_cache[k], &conn->stmt_cache[k + 1],
                    sizeof *conn->stmt_cache * (size_t)(conn->stmt_cache_count - k - 1));
            conn->stmt_cache_count--;
            break;
        }
    }
    if (conn->stmt_cache_count == conn->stmt_cache_capacity) {
        api_stmt_free(conn->stmt_cache[0]);
        memmove(&conn->stmt_cache[0], &conn->stmt_cache[1],
                sizeof *conn->stmt_cache * (size_t)(conn->stmt_cache_count - 1));
        conn->stmt_cache_count--;
    }
    free_params(stmt); /* a statement from prepare has no bound parameters */
    conn->stmt_cache[conn->stmt_cache_count++] = stmt;
    return true;
}

void api_stmt_cache_clear(strata_db *conn)
{
    for (int k = 0; k < conn->stmt_cache_count; k++) {
        api_stmt_free(conn->stmt_cache[k]);
    }
    conn->stmt_cache_count = 0;
    mem_free(conn->stmt_cache);
    conn->stmt_cache = NULL;
}

STRATA_API int strata_statement_cache(strata_db *conn, int entries)
{
    if (conn == NULL) {
        return -1;
    }
    int previous = conn->stmt_cache_capacity;
    if (entries >= 0) {
        api_stmt_cache_clear(conn);
        conn->stmt_cache_capacity = entries;
    }
    return previous;
}

STRATA_API int strata_prepare(strata_db *conn, const char *sql, int length_bytes, strata_stmt **out,
                              const char **tail)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (conn == NULL || out == NULL || sql == NULL || conn->db == NULL) {
        return STRATA_MISUSE;
    }
    error_clear(&conn->err);
    size_t length = length_bytes < 0 ? strlen(sql) : (size_t)length_bytes;
    Error err;
    error_clear(&err);
    size_t consumed = 0;
    int rc;
    strata_stmt *stmt = stmt_cache_take(conn, sql, length);
    if (stmt != NULL) {
        if (tail != NULL) {
            *tail = sql + stmt->cache_key_length;
        }
        rc = plan_at_prepare(stmt, true, &err);
        if (rc != STRATA_OK) {
            api_stmt_free(stmt);
            return api_conn_error(conn, &err);
        }
        conn->live_statements++;
        *out = stmt;
        return STRATA_OK;
    }
    bool terminated = false;
    rc = parse_first(conn, sql, length, &stmt, &consumed, &terminated, &err);
    if (tail != NULL) {
        *tail = sql + consumed;
    }
    if (rc != STRATA_OK) {
        if (conn->mode == TXN_BLOCK) {
            conn->mode = TXN_FAILED;
        }
        return api_conn_error(conn, &err);
    }
    if (stmt == NULL) {
        return STRATA_OK;
    }
    if (stmt->kind == STMT_PLANNED) {
        rc = plan_at_prepare(stmt, false, &err);
        if (rc == STRATA_OK && conn->stmt_cache_capacity > 0) {
            stmt->cache_key = arena_strndup(stmt->arena, sql, consumed);
            stmt->cache_key_length = consumed;
            stmt->cache_key_terminated = terminated;
        }
    } else if (stmt->kind == STMT_UTILITY) {
        rc = api_utility_describe(stmt, &err);
    } else if (stmt->kind == STMT_EXECUTE) {
        describe_execute_target(stmt);
    }
    if (rc != STRATA_OK) {
        api_stmt_free(stmt);
        return api_conn_error(conn, &err);
    }
    conn->live_statements++;
    *out = stmt;
    return STRATA_OK;
}

/* ---- binding --------------------------------------------------------------------- */

static int bind_slot_at(strata_stmt *stmt, int index, Value **slot, bool internal);

static int bind_slot(strata_stmt *stmt, int index, Value **slot)
{
    return bind_slot_at(stmt, index, slot, false);
}

/* internal: EXECUTE binds its own parameters while it starts. */
static int bind_slot_at(strata_stmt *stmt, int index, Value **slot, bool internal)
{
    if (stmt == NULL) {
        return STRATA_MISUSE;
    }
    if (index < 1 || index > 65535) {
        return error_set(&stmt->conn->err, SQLSTATE_UNDEFINED_PARAMETER,
                         "there is no parameter $%d", index);
    }
    if (!internal && stmt->started && !stmt->done) {
        return error_set(&stmt->conn->err, SQLSTATE_OBJECT_IN_USE,
                         "cannot bind a statement that is running; reset it first");
    }
    if (index > stmt->param_capacity) {
        Value *grown = mem_realloc(stmt->params, sizeof(Value) * (size_t)index);
        if (grown != NULL) {
            stmt->params = grown;
        }
        ParamBuffer *buffers =
            grown != NULL ? mem_realloc(stmt->param_buffers, sizeof(ParamBuffer) * (size_t)index)
                          : NULL;
        if (buffers == NULL) {
            return error_set(&stmt->conn->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        for (int k = stmt->param_capacity; k < index; k++) {
            grown[k] = value_null(sql_type(TYPE_UNKNOWN));
            buffers[k] = (ParamBuffer){NULL, 0};
        }
        stmt->param_buffers = buffers;
        stmt->param_capacity = index;
    }
    Value *v = &stmt->params[index - 1];
    free_param_string(stmt, index - 1);
    *v = value_null(sql_type(TYPE_UNKNOWN));
    *slot = v;
    return STRATA_OK;
}

/* The type the plan gives $index when a value bound to it can be converted at
 * bind time, as PostgreSQL's Bind converts parameters: a bad value fails there
 * (22P02 at Bind on the wire, not at Execute), and executions take the value as
 * it is instead of casting it every time. Not for datetime types (their input
 * reads the clock and TimeZone at execution), enums, arrays and the rest, which
 * read state only a running statement has; not before the statement is planned. */
static bool bind_target(const strata_stmt *stmt, int index, SqlType *out)
{
    if (stmt->kind != STMT_PLANNED || stmt->plan == NULL) {
        return false;
    }
    const PlanInfo *info = plan_info(stmt->plan);
    if (index > info->param_count) {
        return false;
    }
    *out = info->param_types[index - 1];
    switch (out->id) {
    case TYPE_BOOL: case TYPE_INT2: case TYPE_INT4: case TYPE_INT8: case TYPE_FLOAT4:
    case TYPE_FLOAT8: case TYPE_NUMERIC: case TYPE_TEXT: case TYPE_VARCHAR: case TYPE_BPCHAR:
    case TYPE_BYTEA: case TYPE_UUID: case TYPE_JSON: case TYPE_JSONB:
        return true;
    default:
        return false;
    }
}

/* Converts the value just bound to $index (*v, its string mem-owned) to the
 * plan's type with the cast executor_start would apply. On failure *v stays as
 * bound (the execution then fails the same way) and the error is returned. */
static int convert_bound(strata_stmt *stmt, int index, Value *v)
{
    SqlType target;
    if (v->is_null || !bind_target(stmt, index, &target) || v->type.id == target.id) {
        return STRATA_OK;
    }
    if (v->type.id == TYPE_UNKNOWN && target.typmod < 0 &&
        (target.id == TYPE_TEXT || target.id == TYPE_VARCHAR || target.id == TYPE_BPCHAR)) {
        v->type = target; /* the text as it is, which is what the cast gives */
        return STRATA_OK;
    }
    if (v->type.id == TYPE_INT8 && ((target.id == TYPE_INT4 && v->i64 == (int32_t)v->i64) ||
                                    (target.id == TYPE_INT2 && v->i64 == (int16_t)v->i64))) {
        v->type = target; /* in range: the cast's result, without its lookup */
        return STRATA_OK;
    }
    Value out;
    int rc = value_cast_tz(v, target, CAST_EXPLICIT, NULL, stmt->row_arena, &out,
                           &stmt->conn->err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (type_phys(out.type.id) == PHYS_STRING) {
        char *copy = mem_alloc(out.str.len + 1);
        if (copy == NULL) {
            return error_set(&stmt->conn->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        memcpy(copy, out.str.ptr, out.str.len);
        copy[out.str.len] = '\0';
        out.str.ptr = copy;
    }
    rc = own_big_numeric(stmt, &out);
    if (rc != STRATA_OK) {
        return rc;
    }
    free_param_string(stmt, index - 1);
    *v = out;
    return STRATA_OK;
}

STRATA_API int strata_bind_null(strata_stmt *stmt, int index)
{
    Value *v;
    return bind_slot(stmt, index, &v);
}

STRATA_API int strata_bind_int64(strata_stmt *stmt, int index, int64_t value)
{
    Value *v;
    int rc = bind_slot(stmt, index, &v);
    if (rc == STRATA_OK) {
        *v = value_i64(TYPE_INT8, value);
        rc = convert_bound(stmt, index, v);
    }
    return rc;
}

STRATA_API int strata_bind_double(strata_stmt *stmt, int index, double value)
{
    Value *v;
    int rc = bind_slot(stmt, index, &v);
    if (rc == STRATA_OK) {
        *v = value_f64(value);
        rc = convert_bound(stmt, index, v);
    }
    return rc;
}

static int bind_bytes(strata_stmt *stmt, int index, const void *data, int length, TypeId type)
{
    Value *v;
    int rc = bind_slot_at(stmt, index, &v, stmt->kind == STMT_EXECUTE);
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t n = length < 0 ? strlen(data) : (size_t)length;
    SqlType target;
    int failed = STRATA_OK;
    bool has_target = type == TYPE_UNKNOWN && bind_target(stmt, index, &target);
    if (has_target && type_phys(target.id) != PHYS_STRING) {
        /* A number or boolean read straight from the caller's text, not copied
         * first; a bad one is kept as text below, to fail again when run. */
        Value text = value_str(TYPE_UNKNOWN, data, (uint32_t)n);
        failed = value_cast_tz(&text, target, CAST_EXPLICIT, NULL, stmt->row_arena, v,
                               &stmt->conn->err);
        if (failed == STRATA_OK) {
            return own_big_numeric(stmt, v);
        }
    }
    ParamBuffer *buffer = &stmt->param_buffers[index - 1];
    if (buffer->size < n + 1) {
        size_t size = n + 1 < 64 ? 64 : n + 1;
        char *grown = mem_alloc(size);
        if (grown == NULL) {
            return error_set(&stmt->conn->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        mem_free(buffer->ptr);
        *buffer = (ParamBuffer){grown, size};
    }
    char *copy = buffer->ptr;
    memcpy(copy, data, n);
    copy[n] = '\0';
    *v = value_str(type, copy, (uint32_t)n);
    if (failed == STRATA_OK && has_target && target.typmod < 0 &&
        (target.id == TYPE_TEXT || target.id == TYPE_VARCHAR || target.id == TYPE_BPCHAR)) {
        v->type = target; /* as convert_bound would, without looking the target up again */
        return STRATA_OK;
    }
    return failed != STRATA_OK ? failed : convert_bound(stmt, index, v);
}

STRATA_API int strata_bind_text(strata_stmt *stmt, int index, const char *text, int length_bytes)
{
    if (text == NULL) {
        return strata_bind_null(stmt, index);
    }
    /* Untyped, like a text-format wire parameter: cast to the type the plan
     * inferred for $index when used. */
    return bind_bytes(stmt, index, text, length_bytes, TYPE_UNKNOWN);
}

STRATA_API int strata_bind_blob(strata_stmt *stmt, int index, const void *data, int length_bytes)
{
    if (data == NULL) {
        return strata_bind_null(stmt, index);
    }
    return bind_bytes(stmt, index, data, length_bytes < 0 ? 0 : length_bytes, TYPE_BYTEA);
}

int api_stmt_bind_value(strata_stmt *stmt, int index, const Value *v)
{
    Value *slot;
    int rc = bind_slot(stmt, index, &slot);
    if (rc != STRATA_OK) {
        return rc;
    }
    Value copy = *v;
    if (!v->is_null && type_phys(v->type.id) == PHYS_STRING) {
        char *bytes = mem_alloc(v->str.len + 1);
        if (bytes == NULL) {
            return error_set(&stmt->conn->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        memcpy(bytes, v->str.ptr, v->str.len);
        bytes[v->str.len] = '\0';
        copy.str.ptr = bytes; /* mem-owned: free_param_string frees it */
    }
    rc = own_big_numeric(stmt, &copy); /* so are a big numeric's bytes */
    if (rc != STRATA_OK) {
        return rc;
    }
    *slot = copy;
    return convert_bound(stmt, index, slot);
}

STRATA_API int strata_bind_parameter_count(strata_stmt *stmt)
{
    if (stmt == NULL) {
        return 0;
    }
    if (stmt->kind == STMT_EXECUTE) {
        return 0;
    }
    return stmt->param_count;
}

STRATA_API int strata_clear_bindings(strata_stmt *stmt)
{
    if (stmt == NULL) {
        return STRATA_MISUSE;
    }
    for (int k = 0; k < stmt->param_capacity; k++) {
        free_param_string(stmt, k);
        stmt->params[k] = value_null(sql_type(TYPE_UNKNOWN));
    }
    return STRATA_OK;
}

/* ---- stepping ---------------------------------------------------------------------- */

static void finish_statement_keep_stats(strata_stmt *stmt, bool ok, Error *err)
{
    if (stmt->holds_txn) {
        stmt->holds_txn = false;
        Error local;
        error_clear(&local);
        int rc = api_session_end_statement(stmt->conn, ok, &local);
        if (rc != STRATA_OK && err != NULL && !error_is_set(err)) {
            error_copy(err, &local);
        }
    } else if (!ok && stmt->conn->mode == TXN_BLOCK) {
        stmt->conn->mode = TXN_FAILED;
    }
}

/* finish_statement_keep_stats, then, between transactions, the statistics the
 * statement left pending (its scans and rows) go to the database's. */
static void finish_statement(strata_stmt *stmt, bool ok, Error *err)
{
    finish_statement_keep_stats(stmt, ok, err);
    if (stmt->conn->txn == NULL) {
        api_database_flush_stats(stmt->conn->db, &stmt->conn->stats_pending);
    }
}

/* Appends text to the tag at *len, truncating at the buffer's end. */
static void tag_append(strata_stmt *stmt, size_t *len, const char *text)
{
    while (*text != '\0' && *len + 1 < sizeof(stmt->tag)) {
        stmt->tag[(*len)++] = *text++;
    }
    stmt->tag[*len] = '\0';
}

/* The command tag, formatted by hand: it is set on every execution, and
 * snprintf was ~4% of a point select's instructions. */
static void set_tag(strata_stmt *stmt, const char *command, uint64_t rows)
{
    size_t len = 0;
    stmt->tag[0] = '\0';
    tag_append(stmt, &len, command);
    bool is_insert = strcmp(command, "INSERT") == 0;
    if (is_insert || strcmp(command, "UPDATE") == 0 || strcmp(command, "DELETE") == 0 ||
        strcmp(command, "SELECT") == 0 || strcmp(command, "MERGE") == 0) {
        char digits[24];
        size_t at = sizeof(digits) - 1;
        digits[at] = '\0';
        do {
            digits[--at] = (char)('0' + rows % 10);
            rows /= 10;
        } while (rows != 0);
        tag_append(stmt, &len, is_insert ? " 0 " : " ");
        tag_append(stmt, &len, digits + at);
    }
}

/* Evaluates EXECUTE's parameter expressions: constants only. */
static int execute_params(strata_stmt *stmt, Error *err)
{
    const ExecuteStmt *ex = (const ExecuteStmt *)stmt->ast;
    free_params(stmt);
    if (ex->params.count == 0) {
        return STRATA_OK;
    }
    for (int k = 0; k < ex->params.count; k++) {
        const Node *n = ex->params.items[k];
        bool negate = false;
        if (n->tag == N_OP_EXPR && ((const OpExpr *)n)->left == NULL &&
            strcmp(((const OpExpr *)n)->op, "-") == 0) {
            negate = true;
            n = ((const OpExpr *)n)->right;
        }
        if (n->tag != N_CONST) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "EXECUTE parameters must be constants");
        }
        const Const *c = (const Const *)n;
        int rc;
        Value *slot;
        if (c->kind == CONST_NULL) {
            rc = bind_slot_at(stmt, k + 1, &slot, true);
        } else if (c->kind == CONST_BOOL) {
            rc = bind_bytes(stmt, k + 1, c->bool_value ? "true" : "false", -1, TYPE_UNKNOWN);
        } else if (c->kind == CONST_INTEGER && c->int_class != INT_CLASS_NUMERIC) {
            rc = bind_slot_at(stmt, k + 1, &slot, true);
            if (rc == STRATA_OK) {
                *slot = value_i64(TYPE_INT8, negate ? -c->int_value : c->int_value);
            }
        } else {
            char buf[128];
            const char *text = c->text;
            if (negate && text != NULL && strlen(text) < sizeof(buf) - 1) {
                snprintf(buf, sizeof(buf), "-%s", text);
                text = buf;
            }
            rc = bind_bytes(stmt, k + 1, text, text == c->text ? (int)c->text_length : -1,
                            TYPE_UNKNOWN);
        }
        if (rc != STRATA_OK) {
            error_copy(err, &stmt->conn->err);
            return rc;
        }
    }
    return STRATA_OK;
}

static strata_stmt *find_session_prepared(strata_db *conn, const char *name)
{
    for (int k = 0; k < conn->prepared_count; k++) {
        if (strcmp(conn->prepared[k].name, name) == 0) {
            return conn->prepared[k].stmt;
        }
    }
    return NULL;
}

/* Runs the kept executor again when it was built for this plan under the same
 * settings, else builds one (kept for the next execution when it can be reused:
 * building the operator tree, its buffers and batches was about a tenth of a
 * point select's instructions). An EXECUTE builds the target's plan afresh. */
static int start_executor(strata_stmt *stmt, strata_stmt *src, Error *err)
{
    strata_db *conn = stmt->conn;
    if (src != stmt) {
        return executor_start(src->plan, &stmt->env, &stmt->executor, err);
    }
    if (stmt->kept != NULL && stmt->kept_generation == conn->settings.plan_generation) {
        int rc = executor_restart(stmt->kept, &stmt->env, err);
        if (rc == STRATA_OK) {
            stmt->executor = stmt->kept;
        }
        return rc;
    }
    drop_kept(stmt);
    int rc = executor_start_kept(stmt->plan, &stmt->env, stmt->keep_arena, &stmt->executor, err);
    if (rc == STRATA_OK && executor_is_reusable(stmt->executor)) {
        stmt->kept = stmt->executor;
        stmt->kept_generation = conn->settings.plan_generation;
    }
    return rc;
}

/* Whether src's rows are ones a speculative transaction should not return
 * (api_speculate.c): rows a DML statement changed (RETURNING: an inventory's
 * "quantity - 1 RETURNING quantity" on a hot row, a new serial id) differ when
 * replayed after a concurrent commit far more often than rows a query reads,
 * and SELECT ... FOR UPDATE / SHARE asks for the rows as of the lock. These
 * run holding the writer lock. */
static bool returns_locked_rows(const strata_stmt *src)
{
    if (src->plan != NULL) {
        const PlanInfo *info = plan_info(src->plan);
        if (!info->is_read_only && info->column_count > 0) {
            return true;
        }
    }
    return src->ast != NULL && src->ast->tag == N_SELECT_STMT &&
           ((const SelectStmt *)src->ast)->locking.count > 0;
}

/* api_session_ensure_txn for src's plan: a write refused in a read-only
 * transaction names its command, as PostgreSQL does ("cannot execute INSERT in
 * a read-only transaction"). */
static int ensure_txn_for(strata_db *conn, bool need_write, const strata_stmt *src, Error *err)
{
    int rc = api_session_ensure_txn_planned(conn, need_write, !returns_locked_rows(src), err);
    if (rc != STRATA_OK && src->plan != NULL &&
        strcmp(err->sqlstate, SQLSTATE_READ_ONLY_SQL_TRANSACTION) == 0 &&
        strcmp(err->message, "cannot execute statement in a read-only transaction") == 0) {
        snprintf(err->message, sizeof(err->message), "cannot execute %s in a read-only transaction",
                 plan_info(src->plan)->command);
    }
    return rc;
}

/* Starts a planned statement (or EXECUTE): transaction, re-plan, executor. */
static int start_planned(strata_stmt *stmt, Error *err)
{
    strata_db *conn = stmt->conn;
    strata_stmt *src = stmt;
    if (stmt->kind == STMT_EXECUTE) {
        const ExecuteStmt *ex = (const ExecuteStmt *)stmt->ast;
        src = find_session_prepared(conn, ex->name);
        if (src == NULL) {
            return error_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                             "prepared statement \"%s\" does not exist", ex->name);
        }
        stmt->execute_target = src;
        if (ex->params.count != src->param_count) {
            int code = error_set(err, SQLSTATE_SYNTAX_ERROR,
                                 "wrong number of parameters for prepared statement \"%s\"",
                                 ex->name);
            error_detail(err, "Expected %d parameters but got %d.", src->param_count,
                         ex->params.count);
            return code;
        }
        int rc = execute_params(stmt, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    bool need_write = src->plan != NULL && !plan_info(src->plan)->is_read_only;
    if (conn->txn != NULL && pager_txn_is_speculative(conn->txn) && returns_locked_rows(src)) {
        int rc = api_spec_promote(conn, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    bool fresh = conn->txn == NULL;
    int rc = ensure_txn_for(conn, need_write, src, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (conn->mode == TXN_AUTOCOMMIT) {
        conn->autocommit_users++;
    }
    stmt->holds_txn = true;
    if (!plan_is_current(src)) {
        rc = plan_source(src, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!plan_info(src->plan)->is_read_only && !pager_txn_is_write(conn->txn)) {
            if (fresh && conn->mode == TXN_AUTOCOMMIT && conn->autocommit_users == 1) {
                /* Nothing ran in this read transaction yet: start over as a
                 * writer on the newest snapshot instead of risking 40001. */
                api_session_rollback(conn);
                stmt->holds_txn = false;
                rc = ensure_txn_for(conn, true, src, err);
                if (rc != STRATA_OK) {
                    return rc;
                }
                conn->autocommit_users++;
                stmt->holds_txn = true;
                if (src->plan_version != catalog_version(conn->catalog)) {
                    rc = plan_source(src, err);
                    if (rc != STRATA_OK) {
                        return rc;
                    }
                }
            } else {
                rc = ensure_txn_for(conn, true, src, err);
                if (rc != STRATA_OK) {
                    return rc;
                }
            }
        }
    }
    if (src != stmt) {
        describe_from_plan(stmt, src->plan);
    }
    arena_reset(stmt->exec_arena);
    api_session_fill_env(conn, &stmt->env, src->plan_arena, stmt->exec_arena, src->sql);
    const PlanInfo *info = plan_info(src->plan);
    int count = info->param_count > stmt->param_capacity ? info->param_count : stmt->param_capacity;
    if (count > stmt->param_capacity) {
        /* Unbound parameters are NULL, as in sqlite3. */
        Value *v;
        rc = bind_slot_at(stmt, count, &v, true);
        if (rc != STRATA_OK) {
            error_copy(err, &conn->err);
            return rc;
        }
    }
    stmt->env.params = stmt->params;
    stmt->env.param_count = count;
    /* Left installed when the executor starts: the first step_planned of the
     * same strata_step call runs under it and removes it (installing and
     * removing twice per execution was 2% of a one-row INSERT). */
    api_session_install_provider(conn);
    rc = start_executor(stmt, src, err);
    if (rc != STRATA_OK) {
        api_session_remove_provider();
    } else if (conn->spec.is_active) {
        api_spec_log(stmt);
    }
    return rc;
}

static void record_statement_stats(strata_stmt *stmt)
{
    double ms = (double)(api_session_now_micros() - stmt->start_micros) / 1000.0;
    strata_stmt *src =
        stmt->kind == STMT_EXECUTE && stmt->execute_target != NULL ? stmt->execute_target : stmt;
    /* Normalized once per statement: prepared statements run many times. */
    if (src->normalized == NULL) {
        src->normalized = api_normalize_statement(src->sql, src->sql_length, src->arena);
    }
    if (src->normalized != NULL) {
        api_database_record_statement(stmt->conn->db, &stmt->conn->stats_pending, src->normalized,
                                      ms, stmt->row_count, &src->stats_slot);
    }
    if (stmt->conn->txn == NULL) {
        /* between transactions: one lock for the statement's and its
         * transaction's figures (other sessions see them from here on) */
        api_database_flush_stats(stmt->conn->db, &stmt->conn->stats_pending);
    }
}

/* installed: start_planned left the provider installed (removed here). */
static int step_planned(strata_stmt *stmt, bool installed, Error *err)
{
    for (;;) {
        if (stmt->batch != NULL && stmt->batch_pos < batch_active_count(stmt->batch)) {
            if (installed) {
                api_session_remove_provider();
            }
            stmt->batch_pos++;
            return STRATA_ROW;
        }
        Batch *batch = NULL;
        if (!installed) {
            api_session_install_provider(stmt->conn);
        }
        installed = false;
        int rc = executor_next(stmt->executor, &batch, err);
        api_session_remove_provider();
        if (rc != STRATA_OK) {
            return rc;
        }
        stmt->batch = batch;
        stmt->batch_pos = 0;
        if (batch == NULL) {
            const PlanInfo *info =
                plan_info(stmt->kind == STMT_EXECUTE ? stmt->execute_target->plan : stmt->plan);
            stmt->row_count = executor_row_count(stmt->executor);
            set_tag(stmt, info->command, stmt->row_count);
            if (!info->is_read_only) {
                stmt->conn->changes = (int64_t)stmt->row_count;
            }
            executor_end(stmt->executor);
            stmt->executor = NULL;
            return STRATA_DONE;
        }
    }
}

static int step_rowset(strata_stmt *stmt)
{
    if (stmt->rowset != NULL && stmt->rowset_pos < stmt->rowset->row_count) {
        stmt->rowset_pos++;
        return STRATA_ROW;
    }
    return STRATA_DONE;
}

static int fail_step(strata_stmt *stmt, Error *err)
{
    api_spec_close(stmt);
    api_copy_stream_free(stmt);
    if (stmt->executor != NULL) {
        executor_end(stmt->executor);
        stmt->executor = NULL;
    }
    drop_kept(stmt); /* built afresh by the next execution, whatever state it left */
    stmt->done = true;
    stmt->batch = NULL;
    api_timeout_disarm(stmt->conn);
    if (stmt->conn->interrupt == INTERRUPT_TIMEOUT &&
        strcmp(err->sqlstate, SQLSTATE_QUERY_CANCELED) == 0) {
        error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to statement timeout");
    }
    finish_statement(stmt, false, NULL);
    return api_conn_error(stmt->conn, err);
}

STRATA_API int strata_step(strata_stmt *stmt)
{
    if (stmt == NULL) {
        return STRATA_MISUSE;
    }
    strata_db *conn = stmt->conn;
    arena_reset(stmt->row_arena);
    stmt->row_text = NULL;
    stmt->row_text_bytes = NULL;
    if (stmt->done) {
        return STRATA_DONE;
    }
    Error err;
    error_clear(&err);
    int rc;
    bool installed = false; /* start_planned left the provider installed */
    if (!stmt->started) {
        stmt->started = true;
        stmt->start_micros = api_session_now_micros();
        stmt->tag[0] = '\0';
        error_clear(&conn->err);
        conn->interrupt = INTERRUPT_NONE;
        int64_t timeout_ms = api_session_statement_timeout_ms(conn);
        if (timeout_ms > 0) {
            api_timeout_arm(conn, timeout_ms);
        }
        if (conn->mode == TXN_FAILED &&
            !(stmt->kind == STMT_UTILITY && api_utility_allowed_when_failed(stmt->ast))) {
            error_set(
                &err, SQLSTATE_IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block");
            stmt->done = true;
            api_timeout_disarm(conn);
            return api_conn_error(conn, &err);
        }
        if (stmt->kind == STMT_UTILITY && conn->spec.is_active && conn->txn != NULL &&
            !api_utility_keeps_speculation(stmt->ast)) {
            /* What the log cannot run again runs holding the writer lock (a
             * speculative txn), or ends the log (a read txn: a later write
             * upgrades as without it). */
            if (pager_txn_is_speculative(conn->txn)) {
                rc = api_spec_promote(conn, &err);
                if (rc != STRATA_OK) {
                    return fail_step(stmt, &err);
                }
            } else {
                api_spec_end(conn);
            }
        }
        if (stmt->kind == STMT_UTILITY) {
            rc = api_utility_run(stmt, &err);
            if (rc != STRATA_OK) {
                return fail_step(stmt, &err);
            }
            if (stmt->copy != NULL) {
                return api_copy_stream_is_from(stmt) ? STRATA_COPY_IN : STRATA_COPY_OUT;
            }
            record_statement_stats(stmt);
        } else {
            rc = start_planned(stmt, &err);
            if (rc != STRATA_OK) {
                return fail_step(stmt, &err);
            }
            installed = true;
        }
    }
    if (stmt->copy != NULL) {
        if (installed) {
            api_session_remove_provider();
        }
        error_set(&conn->err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                  "COPY is in progress: use strata_copy_put and strata_copy_end, or strata_copy_get");
        return STRATA_MISUSE;
    }
    if (stmt->kind == STMT_UTILITY) {
        rc = step_rowset(stmt);
        if (rc == STRATA_DONE) {
            stmt->done = true;
            api_timeout_disarm(conn);
            finish_statement(stmt, true, &err);
            if (error_is_set(&err)) {
                return api_conn_error(conn, &err);
            }
        }
        return rc;
    }
    rc = step_planned(stmt, installed, &err);
    if (rc == STRATA_ROW) {
        if (stmt->spec_slot >= 0) {
            api_spec_row(stmt);
        }
        return rc;
    }
    if (rc != STRATA_DONE) {
        return fail_step(stmt, &err);
    }
    if (stmt->spec_slot >= 0) {
        api_spec_done(stmt);
    }
    stmt->done = true;
    api_timeout_disarm(conn);
    finish_statement_keep_stats(stmt, true, &err); /* record_statement_stats flushes */
    if (error_is_set(&err)) {
        api_database_flush_stats(conn->db, &conn->stats_pending);
        return api_conn_error(conn, &err);
    }
    record_statement_stats(stmt);
    return STRATA_DONE;
}

STRATA_API int strata_reset(strata_stmt *stmt)
{
    if (stmt == NULL) {
        return STRATA_OK;
    }
    if (stmt->executor != NULL) {
        executor_end(stmt->executor);
        stmt->executor = NULL;
    }
    if (stmt->started && !stmt->done) {
        api_timeout_disarm(stmt->conn);
    }
    bool abandoned_copy = stmt->copy != NULL;
    api_spec_close(stmt);
    api_copy_stream_free(stmt);
    if (stmt->holds_txn) {
        /* A read stopped early just ends; DML does all its work in one step;
         * an unfinished COPY leaves nothing behind. */
        finish_statement(stmt, !abandoned_copy, NULL);
    }
    stmt->started = false;
    stmt->done = false;
    stmt->batch = NULL;
    stmt->batch_pos = 0;
    stmt->rowset = NULL;
    stmt->rowset_pos = 0;
    stmt->row_count = 0;
    stmt->tag[0] = '\0';
    arena_reset(stmt->exec_arena);
    arena_reset(stmt->row_arena);
    stmt->row_text = NULL;
    stmt->row_text_bytes = NULL;
    return STRATA_OK;
}

STRATA_API int strata_finalize(strata_stmt *stmt)
{
    if (stmt == NULL) {
        return STRATA_OK;
    }
    strata_db *conn = stmt->conn;
    strata_reset(stmt);
    conn->live_statements--;
    if (!stmt_cache_put(stmt)) {
        api_stmt_free(stmt);
    }
    return STRATA_OK;
}

/* ---- columns ----------------------------------------------------------------------- */

STRATA_API int strata_column_count(strata_stmt *stmt)
{
    if (stmt == NULL) {
        return 0;
    }
    if (stmt->kind == STMT_UTILITY && stmt->rowset != NULL) {
        return stmt->rowset->column_count;
    }
    return stmt->column_count;
}

static bool column_ok(strata_stmt *stmt, int column)
{
    return stmt != NULL && column >= 0 && column < strata_column_count(stmt);
}

STRATA_API const char *strata_column_name(strata_stmt *stmt, int column)
{
    if (!column_ok(stmt, column)) {
        return NULL;
    }
    if (stmt->kind == STMT_UTILITY && stmt->rowset != NULL) {
        return stmt->rowset->names[column];
    }
    return stmt->column_names[column];
}

static SqlType column_sql_type(strata_stmt *stmt, int column)
{
    if (stmt->kind == STMT_UTILITY && stmt->rowset != NULL) {
        return stmt->rowset->types[column];
    }
    return stmt->column_types[column];
}

STRATA_API const char *strata_column_type_name(strata_stmt *stmt, int column)
{
    if (!column_ok(stmt, column)) {
        return NULL;
    }
    return type_name(column_sql_type(stmt, column), stmt->arena);
}

STRATA_API uint32_t strata_column_type_oid(strata_stmt *stmt, int column)
{
    if (!column_ok(stmt, column)) {
        return 0;
    }
    /* an enum type's (or enum array's) own pg_type oid */
    return type_value_oid(column_sql_type(stmt, column));
}

/* The current row's value of column (false if there is no current row). */
static bool current_value(strata_stmt *stmt, int column, Value *out)
{
    if (!column_ok(stmt, column) || !stmt->started || stmt->done) {
        return false;
    }
    if (stmt->kind == STMT_UTILITY) {
        if (stmt->rowset == NULL || stmt->rowset_pos == 0) {
            return false;
        }
        *out =
            stmt->rowset->rows[(size_t)(stmt->rowset_pos - 1) * (size_t)stmt->rowset->column_count +
                               (size_t)column];
        return true;
    }
    if (stmt->batch == NULL || stmt->batch_pos == 0) {
        return false;
    }
    int row = batch_active_row(stmt->batch, stmt->batch_pos - 1);
    if (vector_is_null(&stmt->batch->columns[column], row)) {
        *out = value_null(stmt->batch->columns[column].type);
        return true;
    }
    batch_get_value(stmt->batch, column, row, out);
    return true;
}

bool api_stmt_current_value(strata_stmt *stmt, int column, Value *out)
{
    return current_value(stmt, column, out);
}

STRATA_API int strata_column_type(strata_stmt *stmt, int column)
{
    Value v;
    if (!current_value(stmt, column, &v) || v.is_null) {
        return STRATA_NULL;
    }
    switch (v.type.id) {
    case TYPE_BOOL:
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
        return STRATA_INTEGER;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        return STRATA_FLOAT;
    case TYPE_BYTEA:
        return STRATA_BLOB;
    default:
        return STRATA_TEXT;
    }
}

STRATA_API int strata_column_is_null(strata_stmt *stmt, int column)
{
    Value v;
    return !current_value(stmt, column, &v) || v.is_null;
}

/* Whether formatting a value of type id may depend on the TimeZone setting.
 * Looking the setting up for every text column was ~40% of fetching one. */
static bool format_needs_timezone(TypeId id)
{
    switch (id) {
    case TYPE_BOOL:
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
    case TYPE_NUMERIC:
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_BYTEA:
        return false;
    default:
        return true;
    }
}

/* Types whose text form is their stored bytes (value_format_tz borrows them). */
static bool formats_as_itself(TypeId id)
{
    return id == TYPE_TEXT || id == TYPE_VARCHAR || id == TYPE_BPCHAR || id == TYPE_UNKNOWN ||
           id == TYPE_JSON;
}

STRATA_API const char *strata_column_text(strata_stmt *stmt, int column)
{
    Value v;
    if (!current_value(stmt, column, &v) || v.is_null) {
        return NULL;
    }
    int count = strata_column_count(stmt);
    if (stmt->row_text == NULL) {
        stmt->row_text = arena_zalloc(stmt->row_arena, sizeof(char *) * (size_t)count);
        stmt->row_text_bytes = arena_alloc(stmt->row_arena, sizeof(int) * (size_t)count);
        if (stmt->row_text == NULL || stmt->row_text_bytes == NULL) {
            stmt->row_text = NULL;
            return NULL;
        }
    }
    if (stmt->row_text[column] == NULL && stmt->kind != STMT_UTILITY &&
        formats_as_itself(v.type.id)) {
        /* The result batch's strings are NUL-terminated (batch_set_value) and
         * live until the next step: no copy. */
        stmt->row_text[column] = v.str.ptr;
        stmt->row_text_bytes[column] = (int)strlen(v.str.ptr);
    }
    if (stmt->row_text[column] == NULL) {
        StrRef text;
        Error err;
        error_clear(&err);
        const char *tz = format_needs_timezone(v.type.id)
                             ? api_settings_get(stmt->conn, "TimeZone", NULL)
                             : NULL;
        if (value_format_tz(&v, tz, stmt->row_arena, &text, &err) != STRATA_OK) {
            api_conn_error(stmt->conn, &err);
            return NULL;
        }
        /* Copy: value_format may borrow the value's bytes, which are not
         * NUL-terminated. */
        char *copy = api_copy_bytes(stmt->row_arena, text.ptr, text.len);
        if (copy == NULL) {
            arena_error(stmt->row_arena, &err);
            api_conn_error(stmt->conn, &err);
            return NULL;
        }
        stmt->row_text[column] = copy;
        stmt->row_text_bytes[column] = (int)strlen(copy);
    }
    return stmt->row_text[column];
}

STRATA_API int64_t strata_column_int64(strata_stmt *stmt, int column)
{
    Value v;
    if (!current_value(stmt, column, &v) || v.is_null) {
        return 0;
    }
    switch (type_phys(v.type.id)) {
    case PHYS_BOOL:
        return v.b;
    case PHYS_I64:
        return v.i64;
    case PHYS_F64:
        if (isnan(v.f64)) {
            return 0;
        }
        if (v.f64 >= 9.2233720368547758e18) {
            return INT64_MAX;
        }
        if (v.f64 <= -9.2233720368547758e18) {
            return INT64_MIN;
        }
        return (int64_t)v.f64;
    default: {
        const char *text = strata_column_text(stmt, column);
        return text != NULL ? strtoll(text, NULL, 10) : 0;
    }
    }
}

STRATA_API double strata_column_double(strata_stmt *stmt, int column)
{
    Value v;
    if (!current_value(stmt, column, &v) || v.is_null) {
        return 0.0;
    }
    switch (type_phys(v.type.id)) {
    case PHYS_BOOL:
        return v.b;
    case PHYS_I64:
        return (double)v.i64;
    case PHYS_F64:
        return v.f64;
    default: {
        const char *text = strata_column_text(stmt, column);
        return text != NULL ? strtod(text, NULL) : 0.0;
    }
    }
}

STRATA_API const void *strata_column_blob(strata_stmt *stmt, int column)
{
    Value v;
    if (!current_value(stmt, column, &v) || v.is_null) {
        return NULL;
    }
    if (v.type.id == TYPE_BYTEA) {
        return v.str.len > 0 ? v.str.ptr : "";
    }
    return strata_column_text(stmt, column);
}

STRATA_API int strata_column_bytes(strata_stmt *stmt, int column)
{
    /* The usual call order is text, then bytes: answer from the text already
     * rendered for this row (bytea's length is the raw one, not its text's). */
    if (stmt->row_text != NULL && column_ok(stmt, column) && stmt->row_text[column] != NULL &&
        stmt->kind != STMT_UTILITY && stmt->batch != NULL &&
        stmt->batch->columns[column].type.id != TYPE_BYTEA) {
        return stmt->row_text_bytes[column];
    }
    Value v;
    if (!current_value(stmt, column, &v) || v.is_null) {
        return 0;
    }
    if (v.type.id == TYPE_BYTEA) {
        return (int)v.str.len;
    }
    const char *text = strata_column_text(stmt, column);
    return text != NULL ? stmt->row_text_bytes[column] : 0;
}

STRATA_API const char *strata_command_tag(strata_stmt *stmt)
{
    if (stmt == NULL || !stmt->done) {
        return NULL;
    }
    return stmt->tag;
}

/* ---- strata_exec --------------------------------------------------------------------- */

static int exec_rows(strata_stmt *stmt, strata_callback callback, void *arg)
{
    int rc;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        if (callback == NULL) {
            continue;
        }
        int n = strata_column_count(stmt);
        char **values = arena_alloc(stmt->row_arena, sizeof(char *) * (size_t)(n > 0 ? n : 1));
        char **names = arena_alloc(stmt->row_arena, sizeof(char *) * (size_t)(n > 0 ? n : 1));
        if (values == NULL || names == NULL) {
            return error_set(&stmt->conn->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        for (int col = 0; col < n; col++) {
            values[col] = (char *)strata_column_text(stmt, col);
            names[col] = (char *)strata_column_name(stmt, col);
        }
        if (callback(arg, n, values, names) != 0) {
            error_set(&stmt->conn->err, SQLSTATE_QUERY_CANCELED, "query aborted by callback");
            stmt->conn->err.code = STRATA_INTERRUPT;
            return STRATA_INTERRUPT;
        }
    }
    if (rc == STRATA_COPY_IN || rc == STRATA_COPY_OUT) {
        /* strata_exec has no data channel: the caller needs the strata_copy_* calls */
        strata_copy_end(stmt, "COPY FROM STDIN and TO STDOUT need strata_prepare, strata_step "
                              "and the strata_copy_* calls, not strata_exec");
        return strata_errcode(stmt->conn);
    }
    return rc == STRATA_DONE ? STRATA_OK : rc;
}

/* ---- COPY FROM STDIN / TO STDOUT ------------------------------------------------------------ */

/* After the COPY's last data: the statement ends like any other. */
static int copy_done(strata_stmt *stmt, Error *err)
{
    api_copy_stream_free(stmt);
    stmt->done = true;
    api_timeout_disarm(stmt->conn);
    finish_statement(stmt, true, err);
    if (error_is_set(err)) {
        return api_conn_error(stmt->conn, err);
    }
    record_statement_stats(stmt);
    return STRATA_DONE;
}

static bool copy_misuse(strata_stmt *stmt, bool from)
{
    return stmt == NULL || stmt->copy == NULL || api_copy_stream_is_from(stmt) != from;
}

STRATA_API int strata_copy_put(strata_stmt *stmt, const void *data, int length_bytes)
{
    if (copy_misuse(stmt, true) || length_bytes < 0 || (data == NULL && length_bytes > 0)) {
        return STRATA_MISUSE;
    }
    Error err;
    error_clear(&err);
    api_session_install_provider(stmt->conn);
    int rc = api_copy_stream_put(stmt, data, (size_t)length_bytes, &err);
    api_session_remove_provider();
    return rc == STRATA_OK ? STRATA_OK : fail_step(stmt, &err);
}

STRATA_API int strata_copy_end(strata_stmt *stmt, const char *error_message)
{
    if (stmt == NULL || stmt->copy == NULL) {
        return STRATA_MISUSE;
    }
    Error err;
    error_clear(&err);
    if (error_message != NULL || !api_copy_stream_is_from(stmt)) {
        error_set(&err, SQLSTATE_QUERY_CANCELED, "COPY from stdin failed: %s",
                  error_message != NULL ? error_message : "abandoned");
        return fail_step(stmt, &err);
    }
    api_session_install_provider(stmt->conn);
    int rc = api_copy_stream_end(stmt, &err);
    api_session_remove_provider();
    return rc == STRATA_OK ? copy_done(stmt, &err) : fail_step(stmt, &err);
}

STRATA_API int strata_copy_get(strata_stmt *stmt, const char **data, int *length_bytes)
{
    if (copy_misuse(stmt, false) || data == NULL || length_bytes == NULL) {
        return STRATA_MISUSE;
    }
    Error err;
    error_clear(&err);
    size_t length = 0;
    api_session_install_provider(stmt->conn);
    int rc = api_copy_stream_get(stmt, data, &length, &err);
    api_session_remove_provider();
    if (rc == STRATA_ROW && length > (size_t)INT32_MAX) {
        rc = error_set(&err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "COPY TO output chunk too large");
    }
    *length_bytes = (int)length;
    if (rc == STRATA_ROW) {
        return rc;
    }
    return rc == STRATA_DONE ? copy_done(stmt, &err) : fail_step(stmt, &err);
}

STRATA_API int strata_exec(strata_db *conn, const char *sql, strata_callback callback, void *arg)
{
    if (conn == NULL || sql == NULL) {
        return STRATA_MISUSE;
    }
    const char *cursor = sql;
    error_clear(&conn->err);
    while (*cursor != '\0') {
        strata_stmt *stmt = NULL;
        const char *tail = NULL;
        int rc = strata_prepare(conn, cursor, -1, &stmt, &tail);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (stmt == NULL) {
            break;
        }
        rc = exec_rows(stmt, callback, arg);
        if (rc != STRATA_OK) {
            Error saved = conn->err;
            strata_finalize(stmt);
            conn->err = saved;
            return rc;
        }
        strata_finalize(stmt);
        if (tail == NULL || tail <= cursor) {
            break;
        }
        cursor = tail;
    }
    return STRATA_OK;
}
