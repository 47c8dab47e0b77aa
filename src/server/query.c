/*
 * server/query.c - the simple and extended query protocols over the engine's
 * prepare/bind/step API.
 *
 * A Query message may hold several statements: each is prepared from the
 * remaining text (strata_prepare returns the tail), described, stepped and
 * finalized in turn; the first error ends the message. The extended protocol
 * keeps named and unnamed prepared statements (PreparedStatement: SQL text
 * plus one cached strata_stmt) and portals (Portal: a bound strata_stmt, the
 * result formats, and how far Execute has got).
 *
 * Invariants
 *   1. A portal's strata_stmt is either borrowed from its statement (at most
 *      one portal borrows a statement's cached stmt; is_borrowed says so) or
 *      owned by the portal (prepared again for a second concurrent portal, or
 *      handed over when the statement is closed first).
 *   2. Every engine call that runs SQL is bracketed by server_conn_begin_execution /
 *      server_conn_end_execution, so cancel requests and statement_timeout reach it.
 *   3. Error positions sent to the client count characters from the start of
 *      the Query string, as PostgreSQL's do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/server_int.h"
#include "util/mem.h"

struct PreparedStatement {
    char *name;                 /* owned (mem) */
    char *sql;                  /* owned (mem) */
    int param_type_count;
    uint32_t *param_types;      /* owned (mem) */
    int param_count;            /* what the engine found in the SQL */
    strata_stmt *stmt;          /* cached; NULL for an empty query or a COPY */
    bool is_borrowed;           /* a portal is using stmt (invariant 1) */
    bool is_copy;
    PreparedStatement *next;
};

struct Portal {
    char *name;                 /* owned (mem) */
    PreparedStatement *source;  /* borrowed; NULL once the statement is closed */
    strata_stmt *stmt;
    bool owns_stmt;
    bool is_copy;
    int result_format_count;
    int16_t *result_formats;    /* owned (mem) */
    bool is_done;
    int64_t row_count;
    Portal *next;
};

/* ---- SQL text scanning ----------------------------------------------------- */

const char *server_query_skip_space(const char *sql)
{
    for (;;) {
        while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '\f') {
            sql++;
        }
        if (sql[0] == '-' && sql[1] == '-') {
            sql += strcspn(sql, "\n");
            continue;
        }
        if (sql[0] == '/' && sql[1] == '*') {
            int depth = 1;
            sql += 2;
            while (*sql != '\0' && depth > 0) {
                if (sql[0] == '/' && sql[1] == '*') {
                    depth++;
                    sql += 2;
                } else if (sql[0] == '*' && sql[1] == '/') {
                    depth--;
                    sql += 2;
                } else {
                    sql++;
                }
            }
            continue;
        }
        return sql;
    }
}

static bool is_identifier_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (unsigned char)c >= 0x80;
}

/* Length of a $tag$ opener at sql, or 0. */
static size_t dollar_tag_length(const char *sql)
{
    size_t length = 1;
    while (sql[length] == '_' || (sql[length] >= 'a' && sql[length] <= 'z') ||
           (sql[length] >= 'A' && sql[length] <= 'Z') ||
           (length > 1 && sql[length] >= '0' && sql[length] <= '9')) {
        length++;
    }
    return sql[length] == '$' ? length + 1 : 0;
}

size_t server_query_statement_end(const char *sql)
{
    const char *at = sql;
    while (*at != '\0') {
        if (*at == '\'' || *at == '"') {
            char quote = *at++;
            while (*at != '\0' && !(at[0] == quote && at[1] != quote)) {
                at += at[0] == quote ? 2 : 1;
            }
            at += *at != '\0';
        } else if ((at[0] == '-' && at[1] == '-') || (at[0] == '/' && at[1] == '*')) {
            at = server_query_skip_space(at);
        } else if (*at == '$' && (at == sql || !is_identifier_char(at[-1])) &&
                   dollar_tag_length(at) > 0) {
            size_t tag = dollar_tag_length(at);
            const char *close = at + tag;
            while (*close != '\0' && strncmp(close, at, tag) != 0) {
                close++;
            }
            at = *close == '\0' ? close : close + tag;
        } else if (*at == ';') {
            return (size_t)(at - sql) + 1;
        } else {
            at++;
        }
    }
    return (size_t)(at - sql);
}

/* UTF-8 characters in the first length bytes of text. */
static int count_characters(const char *text, size_t length)
{
    int count = 0;
    for (size_t index = 0; index < length; index++) {
        count += ((uint8_t)text[index] & 0xc0) != 0x80;
    }
    return count;
}

/* ---- Result rows ----------------------------------------------------------- */

static uint32_t column_oid(strata_stmt *stmt, int column)
{
    uint32_t oid = strata_column_type_oid(stmt, column);
    return oid == 0 ? 25 : oid;
}

static bool binary_supported(uint32_t oid)
{
    switch (oid) {
    case 16: case 17: case 19: case 20: case 21: case 23: case 25: case 26:
    case 700: case 701: case 1042: case 1043: case 114: case 3802: case 1700:
        return true;
    default:
        return false;
    }
}

void server_query_send_row_description(Conn *conn, strata_stmt *stmt, int format_count,
                                const int16_t *formats)
{
    int count = strata_column_count(stmt);
    WireBuf *out = &conn->out;
    wire_msg_begin(out, 'T');
    wire_put_int16(out, (int16_t)count);
    for (int column = 0; column < count; column++) {
        const char *name = strata_column_name(stmt, column);
        uint32_t oid = column_oid(stmt, column);
        wire_put_cstring(out, name != NULL ? name : "?column?");
        wire_put_int32(out, 0);
        wire_put_int16(out, 0);
        wire_put_int32(out, (int32_t)oid);
        wire_put_int16(out, wire_type_length(oid));
        wire_put_int32(out, -1);
        wire_put_int16(out, (int16_t)wire_format_for(format_count, formats, column, count));
    }
    wire_msg_end(out);
}

static void put_binary_int(WireBuf *out, int64_t value, int bytes)
{
    wire_put_int32(out, bytes);
    if (bytes == 8) {
        wire_put_int32(out, (int32_t)((uint64_t)value >> 32));
        wire_put_int32(out, (int32_t)value);
    } else if (bytes == 4) {
        wire_put_int32(out, (int32_t)value);
    } else if (bytes == 2) {
        wire_put_int16(out, (int16_t)value);
    } else {
        wire_put_byte(out, (uint8_t)(value != 0));
    }
}

static void put_binary_value(WireBuf *out, strata_stmt *stmt, int column, uint32_t oid)
{
    switch (oid) {
    case 16: {
        const char *text = strata_column_text(stmt, column);
        bool value = strata_column_type(stmt, column) == STRATA_INTEGER
                         ? strata_column_int64(stmt, column) != 0
                         : (text != NULL && (text[0] == 't' || text[0] == 'T'));
        put_binary_int(out, value, 1);
        return;
    }
    case 21: put_binary_int(out, strata_column_int64(stmt, column), 2); return;
    case 23: case 26: put_binary_int(out, strata_column_int64(stmt, column), 4); return;
    case 20: put_binary_int(out, strata_column_int64(stmt, column), 8); return;
    case 700: {
        float value = (float)strata_column_double(stmt, column);
        uint32_t bits;
        memcpy(&bits, &value, 4);
        put_binary_int(out, (int32_t)bits, 4);
        return;
    }
    case 701: {
        double value = strata_column_double(stmt, column);
        uint64_t bits;
        memcpy(&bits, &value, 8);
        put_binary_int(out, (int64_t)bits, 8);
        return;
    }
    case 1700:
        wire_put_numeric_text(out, strata_column_text(stmt, column));
        return;
    case 17: {
        const void *data = strata_column_blob(stmt, column);
        int length = strata_column_bytes(stmt, column);
        wire_put_int32(out, length);
        wire_put_bytes(out, data, (size_t)length);
        return;
    }
    default: { /* text-like; jsonb's binary form is a version byte and the text */
        const char *text = strata_column_text(stmt, column);
        size_t length = text == NULL ? 0 : strlen(text);
        wire_put_int32(out, (int32_t)(length + (oid == 3802)));
        if (oid == 3802) {
            wire_put_byte(out, 1);
        }
        wire_put_bytes(out, text, length);
        return;
    }
    }
}

static void send_data_row(Conn *conn, strata_stmt *stmt, int format_count, const int16_t *formats)
{
    int count = strata_column_count(stmt);
    WireBuf *out = &conn->out;
    wire_msg_begin(out, 'D');
    wire_put_int16(out, (int16_t)count);
    for (int column = 0; column < count; column++) {
        if (strata_column_is_null(stmt, column)) {
            wire_put_int32(out, -1);
        } else if (wire_format_for(format_count, formats, column, count) == 1) {
            put_binary_value(out, stmt, column, column_oid(stmt, column));
        } else {
            const char *text = strata_column_text(stmt, column);
            size_t length = text == NULL ? 0 : strlen(text);
            wire_put_int32(out, (int32_t)length);
            wire_put_bytes(out, text, length);
        }
    }
    wire_msg_end(out);
}

static void send_command_complete(Conn *conn, strata_stmt *stmt, int64_t row_count)
{
    const char *tag = strata_command_tag(stmt);
    char fallback[48];
    if (tag == NULL || tag[0] == '\0') {
        snprintf(fallback, sizeof fallback, "SELECT %lld", (long long)row_count);
        tag = fallback;
    }
    wire_put_command_complete(&conn->out, tag);
}

/* Steps stmt, sending rows, until done, an error, or max_rows > 0 rows (then
 * PortalSuspended); max_rows 0 means all rows, -1 all rows of a simple query.
 * Returns STRATA_OK, STRATA_ROW when suspended, or an error already queued. */
static int run_rows(Conn *conn, strata_stmt *stmt, int format_count, const int16_t *formats,
                    int32_t max_rows, int64_t *row_count, int position_offset)
{
    int rc;
    int32_t sent = 0;
    /* A statement whose columns are known only once it runs (EXECUTE of a
     * prepared statement, in the simple protocol) is described at its first
     * row. */
    bool must_describe = max_rows < 0 && strata_column_count(stmt) == 0;
    server_conn_begin_execution(conn);
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        if (must_describe && strata_column_count(stmt) > 0) {
            server_query_send_row_description(conn, stmt, 0, NULL);
            must_describe = false;
        }
        send_data_row(conn, stmt, format_count, formats);
        (*row_count)++;
        sent++;
        if (!server_conn_maybe_flush(conn)) {
            break;
        }
        if (max_rows > 0 && sent >= max_rows) {
            break;
        }
    }
    server_conn_end_execution(conn);
    if (rc == STRATA_ROW && conn->io_status != IO_OK) {
        return STRATA_ERROR;
    }
    if (rc == STRATA_ROW) {
        wire_put_empty(&conn->out, 's');
        return STRATA_ROW;
    }
    if (rc == STRATA_DONE) {
        if (must_describe && strata_column_count(stmt) > 0) {
            server_query_send_row_description(conn, stmt, 0, NULL);
        }
        send_command_complete(conn, stmt, *row_count);
        const char *tag = strata_command_tag(stmt);
        if (tag != NULL && (strcmp(tag, "SET") == 0 || strcmp(tag, "RESET") == 0)) {
            server_conn_refresh_settings(conn, true);
        }
        return STRATA_OK;
    }
    Error err;
    server_conn_engine_error(conn, position_offset, &err);
    server_conn_send_error(conn, &err, "ERROR");
    return err.code;
}

/* ---- Simple query ---------------------------------------------------------- */

static void send_statement_error(Conn *conn, int position_offset)
{
    Error err;
    server_conn_engine_error(conn, position_offset, &err);
    server_conn_send_error(conn, &err, "ERROR");
}

/* Runs one prepared statement of a Query message. */
static int run_simple_statement(Conn *conn, strata_stmt *stmt, int position_offset)
{
    if (strata_column_count(stmt) > 0) {
        server_query_send_row_description(conn, stmt, 0, NULL);
    }
    int64_t row_count = 0;
    /* max_rows -1: all rows, simple protocol (see run_rows). */
    return run_rows(conn, stmt, 0, NULL, -1, &row_count, position_offset);
}

/* True if the text holds several statements and none of them controls
 * transactions (or must run outside one): PostgreSQL then runs them all in
 * one implicit transaction. */
static bool needs_implicit_block(const char *at)
{
    static const char *const control[] = {"begin", "start", "commit", "end", "rollback",
                                          "abort", "savepoint", "release", "prepare",
                                          "vacuum", "checkpoint", "copy", NULL};
    int count = 0;
    while (*at != '\0') {
        size_t length = server_query_statement_end(at);
        for (int index = 0; control[index] != NULL; index++) {
            size_t word = strlen(control[index]);
            if (strncasecmp(at, control[index], word) == 0 && !is_identifier_char(at[word])) {
                return false;
            }
        }
        count += *at != ';';
        at = server_query_skip_space(at + length);
    }
    return count > 1;
}

/* Runs BEGIN, COMMIT or ROLLBACK for an implicit block. */
static int run_control(Conn *conn, const char *sql)
{
    strata_stmt *stmt = NULL;
    int rc = strata_prepare(conn->db, sql, -1, &stmt, NULL);
    if (rc == STRATA_OK && stmt != NULL) {
        rc = strata_step(stmt);
        rc = rc == STRATA_DONE || rc == STRATA_ROW ? STRATA_OK : rc;
    }
    strata_finalize(stmt);
    return rc;
}

/* Runs the statements of a Query message; false after the first error.
 * *owned receives a private copy of sql when a COPY FROM STDIN needs one
 * (the caller frees it). */
static bool run_statements(Conn *conn, const char *sql, const char *at, char **owned)
{
    while (*at != '\0') {
        size_t length = server_query_statement_end(at);
        int offset = count_characters(sql, (size_t)(at - sql));
        if (server_copy_is_client(at, length)) {
            if (*owned == NULL) {
                /* sql lives in conn->message, which COPY reuses for the
                 * CopyData messages it reads: keep the statements after the
                 * COPY (psql's \copy sends "COPY ... FROM STDIN ") intact. */
                *owned = mem_strdup(sql);
                if (*owned == NULL) {
                    Error err;
                    error_clear(&err);
                    error_set(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
                    server_conn_send_error(conn, &err, "ERROR");
                    return false;
                }
                at = *owned + (at - sql);
                sql = *owned;
            }
            if (server_copy_run(conn, at, length) != STRATA_OK) {
                return false;
            }
            at = server_query_skip_space(at + length);
            continue;
        }
        strata_stmt *stmt = NULL;
        const char *tail = NULL;
        server_conn_begin_execution(conn);
        int rc = strata_prepare(conn->db, at, -1, &stmt, &tail);
        server_conn_end_execution(conn);
        if (rc != STRATA_OK) {
            send_statement_error(conn, offset);
            return false;
        }
        if (stmt != NULL) {
            rc = run_simple_statement(conn, stmt, offset);
            strata_finalize(stmt);
            if (rc != STRATA_OK || conn->io_status != IO_OK) {
                return false;
            }
        }
        if (tail == NULL || tail <= at) {
            return true;
        }
        at = server_query_skip_space(tail);
    }
    return true;
}

void server_query_simple(Conn *conn, const char *sql)
{
    const char *at = server_query_skip_space(sql);
    if (*at == '\0') {
        wire_put_empty(&conn->out, 'I');
        server_conn_send_ready(conn);
        return;
    }
    bool is_implicit = strata_txn_state(conn->db) == 0 && needs_implicit_block(at) &&
                       run_control(conn, "BEGIN") == STRATA_OK;
    char *owned = NULL;
    bool ok = run_statements(conn, sql, at, &owned);
    mem_free(owned);
    if (is_implicit && strata_txn_state(conn->db) != 0) {
        if (ok && strata_txn_state(conn->db) == 1 && run_control(conn, "COMMIT") != STRATA_OK) {
            send_statement_error(conn, 0);
        }
        if (strata_txn_state(conn->db) != 0) {
            run_control(conn, "ROLLBACK");
        }
    }
    if (!conn->has_fatal) {
        server_conn_send_ready(conn);
    }
}

/* ---- Extended protocol: statements ----------------------------------------- */

static PreparedStatement *find_statement(Conn *conn, const char *name)
{
    for (PreparedStatement *ps = conn->statements; ps != NULL; ps = ps->next) {
        if (strcmp(ps->name, name) == 0) {
            return ps;
        }
    }
    return NULL;
}

static Portal *find_portal(Conn *conn, const char *name)
{
    for (Portal *portal = conn->portals; portal != NULL; portal = portal->next) {
        if (strcmp(portal->name, name) == 0) {
            return portal;
        }
    }
    return NULL;
}

static void portal_free(Conn *conn, Portal *portal)
{
    Portal **link = &conn->portals;
    while (*link != NULL && *link != portal) {
        link = &(*link)->next;
    }
    if (*link != NULL) {
        *link = portal->next;
    }
    if (portal->owns_stmt) {
        strata_finalize(portal->stmt);
    } else if (portal->source != NULL && portal->stmt != NULL) {
        strata_reset(portal->stmt);
        strata_clear_bindings(portal->stmt);
        portal->source->is_borrowed = false;
    }
    mem_free(portal->name);
    mem_free(portal->result_formats);
    mem_free(portal);
}

static void statement_free(Conn *conn, PreparedStatement *ps)
{
    PreparedStatement **link = &conn->statements;
    while (*link != NULL && *link != ps) {
        link = &(*link)->next;
    }
    if (*link != NULL) {
        *link = ps->next;
    }
    /* A portal borrowing the cached stmt takes it over (invariant 1). */
    for (Portal *portal = conn->portals; portal != NULL; portal = portal->next) {
        if (portal->source == ps) {
            if (!portal->owns_stmt && portal->stmt == ps->stmt && ps->stmt != NULL) {
                portal->owns_stmt = true;
                ps->stmt = NULL;
            }
            portal->source = NULL;
        }
    }
    strata_finalize(ps->stmt);
    mem_free(ps->name);
    mem_free(ps->sql);
    mem_free(ps->param_types);
    mem_free(ps);
}

static int send_error(Conn *conn, Error *err)
{
    server_conn_send_error(conn, err, "ERROR");
    return err->code;
}

static int new_statement(Conn *conn, const FrontendMsg *msg, PreparedStatement **out, Error *err)
{
    PreparedStatement *ps = mem_zalloc(sizeof *ps);
    if (ps != NULL) {
        ps->name = mem_strdup(msg->statement_name);
        ps->sql = mem_strdup(msg->sql);
        ps->param_types = mem_alloc(sizeof(uint32_t) * (size_t)(msg->param_type_count + 1));
    }
    if (ps == NULL || ps->name == NULL || ps->sql == NULL || ps->param_types == NULL) {
        if (ps != NULL) {
            mem_free(ps->name);
            mem_free(ps->sql);
            mem_free(ps->param_types);
            mem_free(ps);
        }
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    ps->param_type_count = msg->param_type_count;
    memcpy(ps->param_types, msg->param_types, sizeof(uint32_t) * (size_t)msg->param_type_count);
    *out = ps;
    return STRATA_OK;
}

int server_query_parse(Conn *conn, const FrontendMsg *msg)
{
    Error err;
    error_clear(&err);
    PreparedStatement *existing = find_statement(conn, msg->statement_name);
    if (existing != NULL && msg->statement_name[0] != '\0') {
        error_set(&err, SQLSTATE_DUPLICATE_PREPARED_STATEMENT,
                  "prepared statement \"%s\" already exists", msg->statement_name);
        return send_error(conn, &err);
    }
    if (existing != NULL) {
        statement_free(conn, existing);
    }
    PreparedStatement *ps = NULL;
    if (new_statement(conn, msg, &ps, &err) != STRATA_OK) {
        return send_error(conn, &err);
    }
    const char *start = server_query_skip_space(ps->sql);
    size_t length = server_query_statement_end(start);
    int rc = STRATA_OK;
    if (server_copy_is_client(start, length)) {
        ps->is_copy = true;
    } else if (*start != '\0') {
        const char *tail = NULL;
        server_conn_begin_execution(conn);
        rc = strata_prepare(conn->db, ps->sql, -1, &ps->stmt, &tail);
        server_conn_end_execution(conn);
        if (rc != STRATA_OK) {
            server_conn_engine_error(conn, 0, &err);
        } else if (tail != NULL && *server_query_skip_space(tail) != '\0') {
            rc = error_set(&err, SQLSTATE_SYNTAX_ERROR,
                           "cannot insert multiple commands into a prepared statement");
        }
        ps->param_count = ps->stmt == NULL ? 0 : strata_bind_parameter_count(ps->stmt);
    }
    if (rc != STRATA_OK) {
        statement_free(conn, ps);
        return send_error(conn, &err);
    }
    ps->next = conn->statements;
    conn->statements = ps;
    wire_put_empty(&conn->out, '1');
    return STRATA_OK;
}

/* ---- Extended protocol: portals -------------------------------------------- */

static int binary_param_error(Error *err, int index)
{
    return error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                     "incorrect binary data format in bind parameter %d", index);
}

static int64_t read_be(const uint8_t *bytes, int length)
{
    uint64_t value = 0;
    for (int index = 0; index < length; index++) {
        value = (value << 8) | bytes[index];
    }
    if (length < 8 && (bytes[0] & 0x80)) {
        value |= ~0ULL << (length * 8);
    }
    return (int64_t)value;
}

/* Binds a binary-format parameter by its declared type. */
static int bind_binary(strata_stmt *stmt, int index, uint32_t type, const WireParam *param,
                       Error *err)
{
    const uint8_t *value = param->value;
    int length = param->length_bytes;
    switch (type) {
    case 21: case 23: case 20: case 26: {
        int expected = type == 21 ? 2 : type == 20 ? 8 : 4;
        if (length != expected) {
            return binary_param_error(err, index);
        }
        return strata_bind_int64(stmt, index, read_be(value, length));
    }
    case 700: case 701: {
        if (length != (type == 700 ? 4 : 8)) {
            return binary_param_error(err, index);
        }
        uint64_t bits = (uint64_t)read_be(value, length);
        if (type == 700) {
            uint32_t small = (uint32_t)bits;
            float f;
            memcpy(&f, &small, 4);
            return strata_bind_double(stmt, index, f);
        }
        double d;
        memcpy(&d, &bits, 8);
        return strata_bind_double(stmt, index, d);
    }
    case 16:
        if (length != 1) {
            return binary_param_error(err, index);
        }
        return strata_bind_text(stmt, index, value[0] ? "t" : "f", 1);
    case 17:
        return strata_bind_blob(stmt, index, value, length);
    case 1700: {
        const char *problem;
        char *text = wire_numeric_to_text(value, length, &problem);
        if (text == NULL) {
            return problem == NULL ? error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory")
                                   : error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                                               "invalid %s in external \"numeric\" value",
                                               problem);
        }
        int rc = strata_bind_text(stmt, index, text, (int)strlen(text));
        mem_free(text);
        return rc;
    }
    case 25: case 1043: case 1042: case 19: case 705: case 114:
        return strata_bind_text(stmt, index, (const char *)value, length);
    default:
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "binary format for parameter %d of type %u is not supported", index,
                         type);
    }
}

static int bind_params(Conn *conn, strata_stmt *stmt, const PreparedStatement *ps,
                       const FrontendMsg *msg, Error *err)
{
    for (int index = 0; index < msg->param_count; index++) {
        const WireParam *param = &msg->params[index];
        int format = wire_format_for(msg->param_format_count, msg->param_formats, index,
                                     msg->param_count);
        uint32_t type = index < ps->param_type_count ? ps->param_types[index] : 0;
        int rc;
        if (param->value == NULL) {
            rc = strata_bind_null(stmt, index + 1);
        } else if (format == 1) {
            rc = bind_binary(stmt, index + 1, type, param, err);
        } else if (memchr(param->value, 0, (size_t)param->length_bytes) != NULL) {
            rc = error_set(err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                           "invalid byte sequence for encoding \"UTF8\": 0x00");
        } else {
            rc = strata_bind_text(stmt, index + 1, (const char *)param->value,
                                  param->length_bytes);
        }
        if (rc != STRATA_OK) {
            if (!error_is_set(err)) {
                server_conn_engine_error(conn, 0, err);
            }
            return rc;
        }
    }
    return STRATA_OK;
}

static int check_result_formats(strata_stmt *stmt, const FrontendMsg *msg, Error *err)
{
    int count = stmt == NULL ? 0 : strata_column_count(stmt);
    if (msg->result_format_count > 1 && msg->result_format_count != count) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                         "bind message has %d result formats but query has %d columns",
                         msg->result_format_count, count);
    }
    for (int column = 0; column < count; column++) {
        uint32_t oid = column_oid(stmt, column);
        if (wire_format_for(msg->result_format_count, msg->result_formats, column, count) == 1 &&
            !binary_supported(oid)) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "binary output format is not supported for type %s",
                             strata_column_type_name(stmt, column));
        }
    }
    return STRATA_OK;
}

/* Gives the new portal a statement handle (invariant 1). */
static int portal_take_stmt(Conn *conn, Portal *portal, PreparedStatement *ps, Error *err)
{
    portal->source = ps;
    portal->is_copy = ps->is_copy;
    if (ps->stmt == NULL) {
        return STRATA_OK;
    }
    if (!ps->is_borrowed) {
        strata_reset(ps->stmt);
        strata_clear_bindings(ps->stmt);
        ps->is_borrowed = true;
        portal->stmt = ps->stmt;
        return STRATA_OK;
    }
    const char *tail = NULL;
    if (strata_prepare(conn->db, ps->sql, -1, &portal->stmt, &tail) != STRATA_OK) {
        server_conn_engine_error(conn, 0, err);
        return err->code;
    }
    portal->owns_stmt = true;
    return STRATA_OK;
}

static Portal *new_portal(const FrontendMsg *msg)
{
    Portal *portal = mem_zalloc(sizeof *portal);
    if (portal == NULL) {
        return NULL;
    }
    portal->name = mem_strdup(msg->portal_name);
    portal->result_formats = mem_alloc(sizeof(int16_t) * (size_t)(msg->result_format_count + 1));
    if (portal->name == NULL || portal->result_formats == NULL) {
        mem_free(portal->name);
        mem_free(portal->result_formats);
        mem_free(portal);
        return NULL;
    }
    portal->result_format_count = msg->result_format_count;
    memcpy(portal->result_formats, msg->result_formats,
           sizeof(int16_t) * (size_t)msg->result_format_count);
    return portal;
}

int server_query_bind(Conn *conn, const FrontendMsg *msg)
{
    Error err;
    error_clear(&err);
    PreparedStatement *ps = find_statement(conn, msg->statement_name);
    if (ps == NULL) {
        error_set(&err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                  "prepared statement \"%s\" does not exist", msg->statement_name);
        return send_error(conn, &err);
    }
    Portal *existing = find_portal(conn, msg->portal_name);
    if (existing != NULL && msg->portal_name[0] != '\0') {
        error_set(&err, SQLSTATE_DUPLICATE_CURSOR, "portal \"%s\" already exists",
                  msg->portal_name);
        return send_error(conn, &err);
    }
    if (existing != NULL) {
        portal_free(conn, existing);
    }
    if (msg->param_count != ps->param_count && !(ps->is_copy && msg->param_count == 0)) {
        error_set(&err, SQLSTATE_PROTOCOL_VIOLATION,
                  "bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
                  msg->param_count, ps->name, ps->param_count);
        return send_error(conn, &err);
    }
    Portal *portal = new_portal(msg);
    if (portal == NULL) {
        error_set(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        return send_error(conn, &err);
    }
    portal->next = conn->portals;
    conn->portals = portal;
    int rc = portal_take_stmt(conn, portal, ps, &err);
    if (rc == STRATA_OK && portal->stmt != NULL) {
        rc = check_result_formats(portal->stmt, msg, &err);
    }
    if (rc == STRATA_OK && portal->stmt != NULL) {
        rc = bind_params(conn, portal->stmt, ps, msg, &err);
    }
    if (rc != STRATA_OK) {
        portal_free(conn, portal);
        return send_error(conn, &err);
    }
    wire_put_empty(&conn->out, '2');
    return STRATA_OK;
}

static void send_parameter_description(Conn *conn, const PreparedStatement *ps)
{
    int count = ps->param_count > ps->param_type_count ? ps->param_count : ps->param_type_count;
    wire_msg_begin(&conn->out, 't');
    wire_put_int16(&conn->out, (int16_t)count);
    for (int index = 0; index < count; index++) {
        uint32_t type = index < ps->param_type_count ? ps->param_types[index] : 0;
        /* The engine does not report inferred parameter types: undeclared
         * ones are described as text, which any value's text form binds to. */
        wire_put_int32(&conn->out, (int32_t)(type == 0 ? 25 : type));
    }
    wire_msg_end(&conn->out);
}

int server_query_describe(Conn *conn, const FrontendMsg *msg)
{
    Error err;
    error_clear(&err);
    strata_stmt *stmt;
    int format_count = 0;
    const int16_t *formats = NULL;
    if (msg->target_kind == 'S') {
        PreparedStatement *ps = find_statement(conn, msg->portal_name);
        if (ps == NULL) {
            error_set(&err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                      "prepared statement \"%s\" does not exist", msg->portal_name);
            return send_error(conn, &err);
        }
        send_parameter_description(conn, ps);
        stmt = ps->stmt;
    } else {
        Portal *portal = find_portal(conn, msg->portal_name);
        if (portal == NULL) {
            error_set(&err, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist",
                      msg->portal_name);
            return send_error(conn, &err);
        }
        stmt = portal->stmt;
        format_count = portal->result_format_count;
        formats = portal->result_formats;
    }
    if (stmt == NULL || strata_column_count(stmt) == 0) {
        wire_put_empty(&conn->out, 'n');
    } else {
        server_query_send_row_description(conn, stmt, format_count, formats);
    }
    return STRATA_OK;
}

int server_query_execute(Conn *conn, const FrontendMsg *msg)
{
    Error err;
    error_clear(&err);
    Portal *portal = find_portal(conn, msg->portal_name);
    if (portal == NULL) {
        error_set(&err, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist",
                  msg->portal_name);
        return send_error(conn, &err);
    }
    if (portal->is_copy) {
        error_set(&err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                  "COPY FROM STDIN and COPY TO STDOUT are supported only in simple queries");
        return send_error(conn, &err);
    }
    if (portal->stmt == NULL) {
        wire_put_empty(&conn->out, 'I');
        return STRATA_OK;
    }
    if (portal->is_done) {
        send_command_complete(conn, portal->stmt, portal->row_count);
        return STRATA_OK;
    }
    int rc = run_rows(conn, portal->stmt, portal->result_format_count, portal->result_formats,
                      msg->max_rows, &portal->row_count, 0);
    if (rc == STRATA_ROW) {
        return STRATA_OK;
    }
    portal->is_done = rc == STRATA_OK;
    return rc;
}

int server_query_close(Conn *conn, const FrontendMsg *msg)
{
    if (msg->target_kind == 'S') {
        PreparedStatement *ps = find_statement(conn, msg->portal_name);
        if (ps != NULL) {
            statement_free(conn, ps);
        }
    } else {
        Portal *portal = find_portal(conn, msg->portal_name);
        if (portal != NULL) {
            portal_free(conn, portal);
        }
    }
    wire_put_empty(&conn->out, '3');
    return STRATA_OK;
}

void server_query_sync(Conn *conn)
{
    bool in_transaction = conn->db != NULL && strata_txn_state(conn->db) != 0;
    Portal *portal = conn->portals;
    while (portal != NULL) {
        Portal *next = portal->next;
        if (portal->name[0] == '\0' || !in_transaction) {
            portal_free(conn, portal);
        }
        portal = next;
    }
}

void server_query_free_all(Conn *conn)
{
    while (conn->portals != NULL) {
        portal_free(conn, conn->portals);
    }
    while (conn->statements != NULL) {
        statement_free(conn, conn->statements);
    }
}
