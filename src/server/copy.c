/*
 * server/copy.c - COPY ... FROM STDIN and COPY ... TO STDOUT over the wire.
 *
 * The statement is parsed minimally (table or (query), column list, FROM
 * STDIN / TO STDOUT, options in both the modern "WITH (FORMAT csv, ...)" and
 * the legacy "CSV HEADER DELIMITER ','" and "BINARY" forms, also "COPY BINARY t"),
 * for what the protocol needs:
 * the column count of CopyInResponse and the format of COPY TO. COPY FROM
 * hands the statement to the engine (strata_step gives STRATA_COPY_IN) and
 * streams every CopyData into it (strata_copy_put); the engine parses the
 * records, loads them in chunks and makes the COPY one statement (a failed
 * COPY loads nothing, and inside a transaction block fails the block, as in
 * PostgreSQL). COPY TO runs "SELECT <columns> FROM <table>" (or the query)
 * and sends one CopyData per row. Text, CSV and binary formats (binary
 * COPY TO sends the file header with the first row and the trailer in a
 * CopyData of its own, as PostgreSQL does; its fields are the engine's
 * strata_column_pg_binary).
 *
 * Invariants
 *   1. A record may span any number of CopyData messages (the engine keeps
 *      the incomplete tail).
 *   2. After an error during COPY FROM, the remaining CopyData/CopyDone/
 *      CopyFail messages of the client are dropped (conn->is_dropping_copy),
 *      as the protocol requires.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/server_int.h"
#include "util/limits.h"
#include "util/mem.h"

enum { COPY_NAME_MAX = 1024, COPY_COLUMNS_MAX_TEXT = 16384, COPY_NULL_MAX = 64 };

typedef struct CopySpec {
    bool is_from;
    bool is_csv;
    bool is_binary;
    bool has_header;
    char delimiter;
    char quote;
    char escape;
    char null_text[COPY_NULL_MAX];
    char table[COPY_NAME_MAX];                 /* as written (quotes kept) */
    char columns[COPY_COLUMNS_MAX_TEXT];       /* "a, b" as written, or "" */
    int column_count;                          /* in columns, 0 if none given */
    const char *query;                         /* COPY (query) TO: borrowed */
    size_t query_length;
} CopySpec;

typedef struct Lexer {
    const char *at;
    const char *end;
    char word[COPY_NAME_MAX];                  /* the current token */
    char kind;                     /* 'w' word, 'i' "ident", 's' 'string', punctuation, 0 end */
    const char *start;                         /* where the token starts */
} Lexer;

/* Reads the next token into lexer->word. */
static void next_token(Lexer *lexer)
{
    const char *at = server_query_skip_space(lexer->at);
    lexer->start = at;
    lexer->word[0] = '\0';
    if (at >= lexer->end || *at == '\0') {
        lexer->kind = 0;
        lexer->at = at;
        return;
    }
    size_t length = 0;
    if (*at == '\'' || *at == '"') {
        char quote = *at++;
        lexer->kind = quote == '\'' ? 's' : 'i';
        while (at < lexer->end && *at != '\0') {
            if (*at == quote && at[1] == quote) {
                at++;
            } else if (*at == quote) {
                break;
            }
            if (length + 1 < sizeof lexer->word) {
                lexer->word[length++] = *at;
            }
            at++;
        }
        at += at < lexer->end && *at == quote;
    } else if (isalnum((unsigned char)*at) || *at == '_' || (unsigned char)*at >= 0x80) {
        lexer->kind = 'w';
        while (at < lexer->end && (isalnum((unsigned char)*at) || *at == '_' || *at == '$' ||
                                   (unsigned char)*at >= 0x80)) {
            if (length + 1 < sizeof lexer->word) {
                lexer->word[length++] = *at;
            }
            at++;
        }
    } else {
        lexer->kind = *at++;
    }
    lexer->word[length] = '\0';
    lexer->at = at;
}

static bool is_word(const Lexer *lexer, const char *word)
{
    return lexer->kind == 'w' && strcasecmp(lexer->word, word) == 0;
}

static int syntax_error(Error *err, const Lexer *lexer)
{
    if (lexer->kind == 0) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error at end of input");
    }
    return error_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"%.*s\"",
                     (int)(lexer->at - lexer->start), lexer->start);
}

bool server_copy_is_client(const char *statement, size_t length)
{
    Lexer lexer = {.at = statement, .end = statement + length};
    next_token(&lexer);
    if (!is_word(&lexer, "copy")) {
        return false;
    }
    int depth = 0;
    for (next_token(&lexer); lexer.kind != 0; next_token(&lexer)) {
        depth += lexer.kind == '(';
        depth -= lexer.kind == ')';
        if (depth == 0 && (is_word(&lexer, "stdin") || is_word(&lexer, "stdout"))) {
            return true;
        }
    }
    return false;
}

/* Appends the token as SQL text (quoting identifiers back) to out. */
static bool append_sql(char *out, size_t size, const Lexer *lexer)
{
    size_t used = strlen(out);
    int written = snprintf(out + used, size - used, "%.*s", (int)(lexer->at - lexer->start),
                           lexer->start);
    return written >= 0 && (size_t)written < size - used;
}

static int parse_target(Lexer *lexer, CopySpec *spec, Error *err)
{
    if (lexer->kind == '(') {
        const char *start = lexer->at;
        int depth = 1;
        while (depth > 0) {
            next_token(lexer);
            if (lexer->kind == 0) {
                return syntax_error(err, lexer);
            }
            depth += lexer->kind == '(';
            depth -= lexer->kind == ')';
        }
        spec->query = start;
        spec->query_length = (size_t)(lexer->start - start);
        next_token(lexer);
        return STRATA_OK;
    }
    /* name [. name [. name]] */
    for (int part = 0; part < 3; part++) {
        if (lexer->kind != 'w' && lexer->kind != 'i') {
            return syntax_error(err, lexer);
        }
        if (!append_sql(spec->table, sizeof spec->table, lexer)) {
            return error_set(err, SQLSTATE_NAME_TOO_LONG, "table name too long");
        }
        next_token(lexer);
        if (lexer->kind != '.') {
            break;
        }
        strncat(spec->table, ".", sizeof spec->table - strlen(spec->table) - 1);
        next_token(lexer);
    }
    if (lexer->kind != '(') {
        return STRATA_OK;
    }
    for (next_token(lexer); lexer->kind == 'w' || lexer->kind == 'i'; next_token(lexer)) {
        if (spec->column_count > 0) {
            strncat(spec->columns, ", ", sizeof spec->columns - strlen(spec->columns) - 1);
        }
        if (!append_sql(spec->columns, sizeof spec->columns, lexer)) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "column list too long");
        }
        spec->column_count++;
        next_token(lexer);
        if (lexer->kind != ',') {
            break;
        }
    }
    if (lexer->kind != ')' || spec->column_count == 0) {
        return syntax_error(err, lexer);
    }
    next_token(lexer);
    return STRATA_OK;
}

static int one_char_option(const Lexer *lexer, char *out, Error *err)
{
    if (lexer->kind != 's' || strlen(lexer->word) != 1) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "COPY delimiter, quote and escape must be a single one-byte character");
    }
    *out = lexer->word[0];
    return STRATA_OK;
}

/* One option: name already in lexer; reads its value if it has one. */
static int parse_option(Lexer *lexer, CopySpec *spec, bool is_legacy, Error *err)
{
    char name[64];
    snprintf(name, sizeof name, "%.63s", lexer->word);
    next_token(lexer);
    if (is_legacy && is_word(lexer, "as")) {
        next_token(lexer);
    }
    int rc = STRATA_OK;
    if (strcasecmp(name, "format") == 0) {
        /* a word or a string: asyncpg writes FORMAT 'binary' */
        bool is_name = lexer->kind == 'w' || lexer->kind == 's';
        spec->is_csv = is_name && strcasecmp(lexer->word, "csv") == 0;
        spec->is_binary = is_name && strcasecmp(lexer->word, "binary") == 0;
        if (!spec->is_csv && !spec->is_binary &&
            !(is_name && strcasecmp(lexer->word, "text") == 0)) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "COPY format \"%s\" not recognized", lexer->word);
        }
    } else if (strcasecmp(name, "csv") == 0 || (is_legacy && strcasecmp(name, "binary") == 0)) {
        /* the legacy words CSV and BINARY (PostgreSQL still accepts both) */
        spec->is_binary = name[0] == 'b' || name[0] == 'B';
        spec->is_csv = !spec->is_binary;
        return STRATA_OK; /* no value: the token read is the next option */
    } else if (strcasecmp(name, "header") == 0 || strcasecmp(name, "freeze") == 0) {
        bool value = !(is_word(lexer, "false") || is_word(lexer, "off") ||
                       (lexer->kind == 'w' && strcmp(lexer->word, "0") == 0));
        bool has_value = is_word(lexer, "true") || is_word(lexer, "on") || !value ||
                         (lexer->kind == 'w' && strcmp(lexer->word, "1") == 0);
        if (strcasecmp(name, "header") == 0) {
            spec->has_header = value;
        }
        if (!has_value) {
            return STRATA_OK;
        }
    } else if (strcasecmp(name, "delimiter") == 0) {
        rc = one_char_option(lexer, &spec->delimiter, err);
    } else if (strcasecmp(name, "quote") == 0) {
        rc = one_char_option(lexer, &spec->quote, err);
    } else if (strcasecmp(name, "escape") == 0) {
        rc = one_char_option(lexer, &spec->escape, err);
    } else if (strcasecmp(name, "null") == 0 && lexer->kind == 's') {
        snprintf(spec->null_text, sizeof spec->null_text, "%.63s", lexer->word);
    } else if (strcasecmp(name, "encoding") == 0 && lexer->kind == 's') {
        if (strcasecmp(lexer->word, "utf8") != 0 && strcasecmp(lexer->word, "utf-8") != 0) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "COPY encoding \"%s\" is not supported", lexer->word);
        }
    } else if (strcasecmp(name, "force_quote") == 0 || strcasecmp(name, "force_not_null") == 0 ||
               strcasecmp(name, "force_null") == 0 || strcasecmp(name, "null") == 0 ||
               strcasecmp(name, "encoding") == 0) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "COPY option \"%s\" is not supported", name);
    } else {
        /* not one of PostgreSQL's COPY options ("(binary)" included) */
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "option \"%s\" not recognized", name);
    }
    if (rc == STRATA_OK) {
        next_token(lexer);
    }
    return rc;
}

static int parse_options(Lexer *lexer, CopySpec *spec, Error *err)
{
    if (is_word(lexer, "with")) {
        next_token(lexer);
    }
    bool is_list = lexer->kind == '(';
    if (is_list) {
        next_token(lexer);
    }
    while (lexer->kind == 'w') {
        int rc = parse_option(lexer, spec, !is_list, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (is_list && lexer->kind == ',') {
            next_token(lexer);
        }
    }
    if (is_list) {
        if (lexer->kind != ')') {
            return syntax_error(err, lexer);
        }
        next_token(lexer);
    }
    if (lexer->kind == ';') {
        next_token(lexer);
    }
    return lexer->kind == 0 ? STRATA_OK : syntax_error(err, lexer);
}

/* Parses a COPY statement (see the file comment). Exposed to tests through
 * copy_parse_for_test below. */
static int parse_copy(const char *statement, size_t length, CopySpec *spec, Error *err)
{
    memset(spec, 0, sizeof *spec);
    Lexer lexer = {.at = statement, .end = statement + length};
    next_token(&lexer);
    next_token(&lexer); /* past COPY */
    bool is_binary_prefix = lexer.kind == 'w' && strcasecmp(lexer.word, "binary") == 0;
    if (is_binary_prefix) {
        /* COPY BINARY table ... (the pre-9.0 spelling; not before a query) */
        next_token(&lexer);
        if (lexer.kind == '(') {
            return syntax_error(err, &lexer);
        }
    }
    int rc = parse_target(&lexer, spec, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (is_word(&lexer, "from") || is_word(&lexer, "to")) {
        spec->is_from = is_word(&lexer, "from");
        next_token(&lexer);
    } else {
        return syntax_error(err, &lexer);
    }
    if (!is_word(&lexer, spec->is_from ? "stdin" : "stdout") ||
        (spec->is_from && spec->query != NULL)) {
        return syntax_error(err, &lexer);
    }
    next_token(&lexer);
    spec->delimiter = 0;
    spec->quote = '"';
    spec->escape = 0;
    snprintf(spec->null_text, sizeof spec->null_text, "%s", "\x01");
    rc = parse_options(&lexer, spec, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (is_binary_prefix) {
        spec->is_binary = true;
        spec->is_csv = false;
    }
    if (spec->delimiter == 0) {
        spec->delimiter = spec->is_csv ? ',' : '\t';
    }
    if (spec->escape == 0) {
        spec->escape = spec->is_csv ? spec->quote : '\\';
    }
    if (strcmp(spec->null_text, "\x01") == 0) {
        snprintf(spec->null_text, sizeof spec->null_text, "%s", spec->is_csv ? "" : "\\N");
    }
    if (spec->delimiter == '\n' || spec->delimiter == '\r' ||
        (spec->is_csv && spec->delimiter == spec->quote)) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "COPY delimiter cannot be newline, carriage return or the quote");
    }
    return STRATA_OK;
}

/* ---- Running SQL for COPY ------------------------------------------------- */

static int engine_error(Conn *conn, Error *err)
{
    server_conn_engine_error(conn, 0, err);
    return err->code;
}

/* Appends a double-quoted identifier to a column list. */
static void append_quoted(char *out, size_t size, const char *name)
{
    size_t used = strlen(out);
    if (used + 3 >= size) {
        return;
    }
    out[used++] = '"';
    for (; *name != '\0' && used + 3 < size; name++) {
        if (*name == '"') {
            out[used++] = '"';
        }
        out[used++] = *name;
    }
    out[used++] = '"';
    out[used] = '\0';
}

/* Fills spec->columns from the table when the statement named none. */
static int table_columns(Conn *conn, CopySpec *spec, Arena *arena, Error *err)
{
    if (spec->column_count > 0) {
        return STRATA_OK;
    }
    char *sql = arena_sprintf(arena, "SELECT * FROM %s", spec->table);
    strata_stmt *stmt = NULL;
    if (sql == NULL) {
        return arena_error(arena, err);
    }
    if (strata_prepare(conn->db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        return engine_error(conn, err);
    }
    spec->column_count = strata_column_count(stmt);
    for (int column = 0; column < spec->column_count; column++) {
        if (column > 0) {
            strncat(spec->columns, ", ", sizeof spec->columns - strlen(spec->columns) - 1);
        }
        append_quoted(spec->columns, sizeof spec->columns, strata_column_name(stmt, column));
    }
    strata_finalize(stmt);
    return STRATA_OK;
}

/* ---- COPY TO STDOUT ---------------------------------------------------------- */

static void put_text_field(WireBuf *out, const CopySpec *spec, const char *text)
{
    for (const char *at = text; *at != '\0'; at++) {
        char c = *at;
        const char *escape = c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                           : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
                           : c == '\v' ? "\\v" : NULL;
        if (escape != NULL) {
            wire_put_bytes(out, escape, 2);
        } else if (c == spec->delimiter) {
            wire_put_byte(out, '\\');
            wire_put_byte(out, (uint8_t)c);
        } else {
            wire_put_byte(out, (uint8_t)c);
        }
    }
}

static void put_csv_field(WireBuf *out, const CopySpec *spec, const char *text)
{
    bool must_quote = strcmp(text, spec->null_text) == 0 || strcmp(text, "\\.") == 0;
    for (const char *at = text; *at != '\0' && !must_quote; at++) {
        must_quote = *at == spec->delimiter || *at == spec->quote || *at == '\n' || *at == '\r';
    }
    if (!must_quote) {
        wire_put_bytes(out, text, strlen(text));
        return;
    }
    wire_put_byte(out, (uint8_t)spec->quote);
    for (const char *at = text; *at != '\0'; at++) {
        if (*at == spec->quote || *at == spec->escape) {
            wire_put_byte(out, (uint8_t)spec->escape);
        }
        wire_put_byte(out, (uint8_t)*at);
    }
    wire_put_byte(out, (uint8_t)spec->quote);
}

static void put_copy_row(Conn *conn, const CopySpec *spec, strata_stmt *stmt, bool is_header)
{
    WireBuf *out = &conn->out;
    wire_msg_begin(out, 'd');
    int count = strata_column_count(stmt);
    for (int column = 0; column < count; column++) {
        if (column > 0) {
            wire_put_byte(out, (uint8_t)spec->delimiter);
        }
        const char *text = is_header ? strata_column_name(stmt, column)
                                     : strata_column_text(stmt, column);
        if (!is_header && strata_column_is_null(stmt, column)) {
            wire_put_bytes(out, spec->null_text, strlen(spec->null_text));
        } else if (spec->is_csv) {
            put_csv_field(out, spec, text == NULL ? "" : text);
        } else {
            put_text_field(out, spec, text == NULL ? "" : text);
        }
    }
    wire_put_byte(out, '\n');
    wire_msg_end(out);
}

/* One row of a binary COPY TO (the file header before the first). */
static int put_binary_row(Conn *conn, strata_stmt *stmt, bool is_first)
{
    WireBuf *out = &conn->out;
    int count = strata_column_count(stmt);
    wire_msg_begin(out, 'd');
    if (is_first) {
        wire_put_bytes(out, "PGCOPY\n\377\r\n", 11);
        wire_put_int32(out, 0); /* flags */
        wire_put_int32(out, 0); /* header extension length */
    }
    wire_put_int16(out, (int16_t)count);
    for (int column = 0; column < count; column++) {
        const void *data = NULL;
        int length = 0;
        if (strata_column_pg_binary(stmt, column, &data, &length) != STRATA_OK) {
            return STRATA_ERROR;
        }
        wire_put_int32(out, data == NULL ? -1 : length);
        wire_put_bytes(out, data, data == NULL ? 0 : (size_t)length);
    }
    wire_msg_end(out);
    return STRATA_OK;
}

static int copy_to(Conn *conn, CopySpec *spec, Arena *arena, Error *err)
{
    char *sql = spec->query != NULL
                    ? arena_strndup(arena, spec->query, spec->query_length)
                    : arena_sprintf(arena, "SELECT %s FROM %s",
                                    spec->column_count > 0 ? spec->columns : "*", spec->table);
    strata_stmt *stmt = NULL;
    if (sql == NULL) {
        return arena_error(arena, err);
    }
    if (strata_prepare(conn->db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        return engine_error(conn, err);
    }
    int count = strata_column_count(stmt);
    wire_msg_begin(&conn->out, 'H');
    wire_put_byte(&conn->out, spec->is_binary);
    wire_put_int16(&conn->out, (int16_t)count);
    for (int column = 0; column < count; column++) {
        wire_put_int16(&conn->out, spec->is_binary);
    }
    wire_msg_end(&conn->out);
    if (spec->has_header && !spec->is_binary) {
        put_copy_row(conn, spec, stmt, true);
    }
    int64_t rows = 0;
    int rc;
    while ((rc = strata_step(stmt)) == STRATA_ROW && server_conn_maybe_flush(conn)) {
        if (!spec->is_binary) {
            put_copy_row(conn, spec, stmt, false);
        } else if (put_binary_row(conn, stmt, rows == 0) != STRATA_OK) {
            conn->out.length_bytes = conn->out.message_start; /* drop the partial row */
            rc = STRATA_ERROR; /* the error is the connection's */
            break;
        }
        rows++;
    }
    if (rc != STRATA_DONE && rc != STRATA_ROW) {
        engine_error(conn, err);
    }
    strata_finalize(stmt);
    if (rc != STRATA_DONE) {
        return rc == STRATA_ROW ? STRATA_ERROR : err->code;
    }
    if (spec->is_binary) {
        wire_msg_begin(&conn->out, 'd');
        if (rows == 0) {
            wire_put_bytes(&conn->out, "PGCOPY\n\377\r\n", 11);
            wire_put_int32(&conn->out, 0);
            wire_put_int32(&conn->out, 0);
        }
        wire_put_int16(&conn->out, -1); /* the trailer */
        wire_msg_end(&conn->out);
    }
    wire_put_empty(&conn->out, 'c');
    char tag[48];
    snprintf(tag, sizeof tag, "COPY %lld", (long long)rows);
    wire_put_command_complete(&conn->out, tag);
    return STRATA_OK;
}

/* ---- COPY FROM STDIN --------------------------------------------------------- */

/* ---- COPY FROM STDIN ---------------------------------------------------------- */

/* Receives CopyData until CopyDone/CopyFail and streams it into the engine's
 * COPY (strata_copy_put: records may span messages). *is_finished tells
 * whether the client's COPY stream has ended (else its remaining messages
 * must be dropped, invariant 2). */
static int receive_rows(Conn *conn, strata_stmt *stmt, bool *is_finished, Error *err)
{
    for (;;) {
        int rc = server_conn_read_message(conn, err);
        if (rc != STRATA_OK) {
            *is_finished = true;
            strata_copy_end(stmt, "the client connection was lost");
            if (rc == STRATA_DONE) {
                return error_set(err, SQLSTATE_CONNECTION_FAILURE, "client went away during COPY");
            }
            /* A bad message header: the stream cannot be trusted any more. */
            error_copy(&conn->fatal, err);
            conn->has_fatal = true;
            return rc;
        }
        const uint8_t *body = conn->message;
        size_t length = conn->message_length_bytes;
        switch (conn->message_type) {
        case 'd':
            /* message lengths are bounded by LIMIT_MESSAGE_BYTES, far below INT_MAX */
            if (strata_copy_put(stmt, body, (int)length) != STRATA_OK) {
                return engine_error(conn, err);
            }
            break;
        case 'c':
            *is_finished = true;
            return strata_copy_end(stmt, NULL) == STRATA_DONE ? STRATA_OK : engine_error(conn, err);
        case 'f': {
            *is_finished = true;
            char reason[256];
            snprintf(reason, sizeof reason, "%.*s",
                     (int)(length > 0 ? strnlen((const char *)body, length) : 0),
                     (const char *)body);
            strata_copy_end(stmt, reason);
            return engine_error(conn, err);
        }
        case 'H':
        case 'S':
            break;
        default:
            strata_copy_end(stmt, "unexpected message");
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                             "unexpected message type 0x%02X during COPY from stdin",
                             (unsigned)(uint8_t)conn->message_type);
        }
    }
}

/* The engine runs the COPY statement itself (its parser, options, chunked
 * inserts, one atomic statement); the server only moves the bytes. */
static int copy_from(Conn *conn, CopySpec *spec, const char *statement, size_t length,
                     Arena *arena, Error *err)
{
    int rc = table_columns(conn, spec, arena, err); /* the column count CopyInResponse gives */
    if (rc != STRATA_OK) {
        return rc;
    }
    strata_stmt *stmt = NULL;
    if (strata_prepare(conn->db, statement, (int)length, &stmt, NULL) != STRATA_OK ||
        stmt == NULL) {
        strata_finalize(stmt);
        return engine_error(conn, err);
    }
    if (strata_step(stmt) != STRATA_COPY_IN) {
        rc = engine_error(conn, err);
        strata_finalize(stmt);
        return rc != STRATA_OK ? rc
                               : error_set(err, SQLSTATE_INTERNAL_ERROR, "COPY did not start");
    }
    wire_msg_begin(&conn->out, 'G');
    wire_put_byte(&conn->out, spec->is_binary);
    wire_put_int16(&conn->out, (int16_t)spec->column_count);
    for (int column = 0; column < spec->column_count; column++) {
        wire_put_int16(&conn->out, spec->is_binary);
    }
    wire_msg_end(&conn->out);
    bool is_finished = false;
    rc = receive_rows(conn, stmt, &is_finished, err);
    conn->is_dropping_copy = rc != STRATA_OK && !is_finished;
    if (rc == STRATA_OK) {
        wire_put_command_complete(&conn->out, strata_command_tag(stmt));
    }
    strata_finalize(stmt);
    return rc;
}

int server_copy_run(Conn *conn, const char *statement, size_t length)
{
    Error err;
    error_clear(&err);
    Arena *arena = arena_create(NULL, 0, "copy");
    CopySpec *spec = arena == NULL ? NULL : arena_zalloc(arena, sizeof *spec);
    if (spec == NULL) {
        arena_destroy(arena);
        error_set(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        server_conn_send_error(conn, &err, "ERROR");
        return err.code;
    }
    int rc = parse_copy(statement, length, spec, &err);
    server_conn_begin_execution(conn);
    if (rc == STRATA_OK && !spec->is_from) {
        rc = copy_to(conn, spec, arena, &err);
    } else if (rc == STRATA_OK) {
        /* One statement: a failed COPY loads nothing, and inside a transaction
         * block it fails the block, as in PostgreSQL. */
        rc = copy_from(conn, spec, statement, length, arena, &err);
    }
    server_conn_end_execution(conn);
    arena_destroy(arena);
    if (rc != STRATA_OK && conn->io_status == IO_OK && !conn->has_fatal) {
        server_conn_send_error(conn, &err, "ERROR");
    }
    return rc == STRATA_OK ? STRATA_OK : (rc == STRATA_ROW ? STRATA_ERROR : rc);
}
