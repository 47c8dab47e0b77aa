/*
 * sql/parser.c - entry points: sql_parse, sql_parse_one, sql_parse_expr,
 * statement dispatch, sql_statement_complete and sql_char_position.
 *
 * sql_parse tokenizes the whole input (lexer.c), then parses statements
 * separated by ';' until the end, recording each statement's byte range.
 *
 * Invariants
 *   1. On failure exactly one error is reported: the parser's first error, or
 *      the furthest syntax error seen during backtracking if that lies further
 *      on, or the lexer's error if parsing reached the point where lexing stopped.
 *   2. Inputs longer than LIMIT_STATEMENT_BYTES are refused (54000) before any
 *      allocation proportional to their size.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <string.h>

#include "sql/parser_int.h"
#include "util/limits.h"

int sql_char_position(const char *sql, int byte_offset)
{
    if (byte_offset < 0 || sql == NULL) {
        return 0;
    }
    int position = 1;
    for (int index = 0; index < byte_offset; index++) {
        if (((unsigned char)sql[index] & 0xC0) != 0x80) {
            position++;
        }
    }
    return position;
}

/* ---------------- statement dispatch ---------------- */

static Stmt *with_statement(Parser *p)
{
    ParseMark mark = p_mark(p);
    WithClause *with = p_with_clause(p);
    if (with == NULL) {
        return NULL;
    }
    if (p_is_kw(p, KW_INSERT)) {
        return p_insert(p, with);
    }
    if (p_is_kw(p, KW_UPDATE)) {
        return p_update(p, with);
    }
    if (p_is_kw(p, KW_DELETE)) {
        return p_delete(p, with);
    }
    p->pos = mark.pos;
    return (Stmt *)p_select(p);
}

Stmt *p_statement(Parser *p)
{
    if (p_is(p, TOK_LPAREN)) {
        return (Stmt *)p_select(p);
    }
    if (!p_is(p, TOK_IDENT)) {
        return p_syntax_error(p);
    }
    switch (p_tok(p)->keyword) {
    case KW_SELECT:
    case KW_VALUES:
    case KW_TABLE:
        return (Stmt *)p_select(p);
    case KW_WITH:
        return with_statement(p);
    case KW_INSERT:
        return p_insert(p, NULL);
    case KW_UPDATE:
        return p_update(p, NULL);
    case KW_DELETE:
        return p_delete(p, NULL);
    case KW_CREATE:
        return p_create(p);
    case KW_DROP:
        return p_drop(p);
    case KW_ALTER:
        return p_alter(p);
    case KW_TRUNCATE:
        return p_truncate(p);
    case KW_COMMENT:
        return p_comment(p);
    case KW_GRANT:
        return p_grant(p, true);
    case KW_REVOKE:
        return p_grant(p, false);
    case KW_REFRESH:
        return p_refresh(p);
    case KW_BEGIN:
    case KW_START:
    case KW_COMMIT:
    case KW_END:
    case KW_ROLLBACK:
    case KW_ABORT:
    case KW_SAVEPOINT:
    case KW_RELEASE:
        return p_transaction(p);
    case KW_SET:
        return p_set(p);
    case KW_RESET:
        return p_reset(p);
    case KW_SHOW:
        return p_show(p);
    case KW_PREPARE:
        return p_prepare(p);
    case KW_EXECUTE:
        return p_execute(p);
    case KW_DEALLOCATE:
        return p_deallocate(p);
    case KW_EXPLAIN:
        return p_explain(p);
    case KW_COPY:
        return p_copy(p);
    case KW_ANALYZE:
    case KW_ANALYSE:
        return p_vacuum(p, false);
    case KW_VACUUM:
        return p_vacuum(p, true);
    case KW_CHECKPOINT:
    case KW_DISCARD:
    case KW_LISTEN:
    case KW_UNLISTEN:
    case KW_NOTIFY:
        return p_misc(p);
    case KW_DO:
        return p_error_at(p, p->pos, SQLSTATE_FEATURE_NOT_SUPPORTED, "DO is not supported");
    case KW_CALL:
        return p_error_at(p, p->pos, SQLSTATE_FEATURE_NOT_SUPPORTED, "CALL is not supported");
    default:
        return p_syntax_error(p);
    }
}

/* ---------------- driver ---------------- */

static int parser_init(Parser *p, const char *sql, size_t length, Arena *arena, Error *err)
{
    memset(p, 0, sizeof(*p));
    p->sql = sql;
    p->length = length;
    p->arena = arena;
    p->err = err;
    p->furthest_pos = -1;
    if (length > LIMIT_STATEMENT_BYTES) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "statement is too long (%zu bytes, the limit is %u)", length,
                         (unsigned)LIMIT_STATEMENT_BYTES);
    }
    /* PostgreSQL verifies the encoding of a query string before parsing it. */
    int rc_encoding = sql_check_encoding(sql, length, err, 0);
    if (rc_encoding != STRATA_OK) {
        return rc_encoding;
    }
    p->lex_error = arena_zalloc(arena, sizeof(Error));
    p->furthest = arena_zalloc(arena, sizeof(Error));
    if (p->lex_error == NULL || p->furthest == NULL) {
        return arena_error(arena, err);
    }
    TokenArray tokens;
    int rc = lexer_tokenize(sql, length, arena, &tokens, p->lex_error);
    if (tokens.items == NULL) {
        error_copy(err, p->lex_error);
        return rc;
    }
    if (rc != STRATA_OK) {
        if (strcmp(p->lex_error->sqlstate, SQLSTATE_OUT_OF_MEMORY) == 0) {
            error_copy(err, p->lex_error);
            return rc;
        }
        p->lex_failed = true;
    }
    p->tokens = tokens.items;
    p->count = tokens.count;
    p->select_failed = arena_zalloc(arena, (size_t)p->count);
    if (p->select_failed == NULL) {
        return arena_error(arena, err);
    }
    return STRATA_OK;
}

/* Chooses the error to report after a failed parse (invariant 1). */
static int parser_finish_error(Parser *p)
{
    if (p->lex_failed && p->error_pos >= p->count - 1) {
        error_copy(p->err, p->lex_error);
        return p->err->code;
    }
    if (p->furthest_pos > p->error_pos && strcmp(p->err->sqlstate, SQLSTATE_SYNTAX_ERROR) == 0) {
        if (p->lex_failed && p->furthest_pos >= p->count - 1) {
            error_copy(p->err, p->lex_error);
        } else {
            error_copy(p->err, p->furthest);
        }
    }
    return p->err->code;
}

static bool at_statement_end(Parser *p)
{
    return p_is(p, TOK_SEMICOLON) || p_is(p, TOK_EOF);
}

/* Parses one statement and checks that it ends at ';' or the end. */
static Stmt *statement_checked(Parser *p)
{
    Stmt *stmt = p_statement(p);
    if (stmt != NULL && !at_statement_end(p)) {
        stmt = p_syntax_error(p);
    }
    return stmt;
}

typedef struct StmtBuffer {
    Stmt **items;
    SourceRange *ranges;
    int count;
    int capacity;
} StmtBuffer;

static bool buffer_push(Parser *p, StmtBuffer *buffer, Stmt *stmt, SourceRange range)
{
    if (buffer->count == buffer->capacity) {
        int new_capacity = buffer->capacity == 0 ? 4 : buffer->capacity * 2;
        Stmt **items =
            arena_realloc(p->arena, buffer->items, (size_t)buffer->capacity * sizeof(Stmt *),
                          (size_t)new_capacity * sizeof(Stmt *));
        SourceRange *ranges =
            arena_realloc(p->arena, buffer->ranges, (size_t)buffer->capacity * sizeof(SourceRange),
                          (size_t)new_capacity * sizeof(SourceRange));
        if (items == NULL || ranges == NULL) {
            p_nomem(p);
            return false;
        }
        buffer->items = items;
        buffer->ranges = ranges;
        buffer->capacity = new_capacity;
    }
    buffer->items[buffer->count] = stmt;
    buffer->ranges[buffer->count] = range;
    buffer->count++;
    return true;
}

int sql_parse(const char *sql, size_t length, Arena *arena, StmtList **out, Error *err)
{
    Error local;
    if (err == NULL) {
        err = &local;
    }
    error_clear(err);
    *out = NULL;
    Parser parser;
    int rc = parser_init(&parser, sql, length, arena, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Parser *p = &parser;
    StmtBuffer buffer = {0};
    for (;;) {
        while (p_accept(p, TOK_SEMICOLON)) {
        }
        if (p_is(p, TOK_EOF)) {
            break;
        }
        int first = p->pos;
        Stmt *stmt = statement_checked(p);
        if (stmt == NULL) {
            return parser_finish_error(p);
        }
        SourceRange range = {(size_t)p->tokens[first].start, (size_t)p->tokens[p->pos - 1].end};
        if (!buffer_push(p, &buffer, stmt, range)) {
            return parser_finish_error(p);
        }
    }
    if (p->lex_failed) {
        error_copy(err, p->lex_error);
        return err->code;
    }
    StmtList *list = arena_zalloc(arena, sizeof(StmtList));
    if (list == NULL) {
        return arena_error(arena, err);
    }
    list->count = buffer.count;
    list->items = buffer.items;
    list->ranges = buffer.ranges;
    *out = list;
    return STRATA_OK;
}

int sql_parse_one(const char *sql, size_t length, Arena *arena, Stmt **out, Error *err)
{
    Error local;
    if (err == NULL) {
        err = &local;
    }
    *out = NULL;
    StmtList *list;
    int rc = sql_parse(sql, length, arena, &list, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (list->count != 1) {
        rc = error_set(err, SQLSTATE_SYNTAX_ERROR,
                       list->count == 0
                           ? "syntax error at end of input"
                           : "cannot insert multiple commands into a prepared statement");
        error_position(err, list->count == 0 ? sql_char_position(sql, (int)length) : 0);
        return rc;
    }
    *out = list->items[0];
    return STRATA_OK;
}

int sql_parse_expr(const char *sql, size_t length, Arena *arena, Node **out, Error *err)
{
    Error local;
    if (err == NULL) {
        err = &local;
    }
    error_clear(err);
    *out = NULL;
    Parser parser;
    int rc = parser_init(&parser, sql, length, arena, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Parser *p = &parser;
    Node *expr = p_expr(p);
    if (expr != NULL && !p_is(p, TOK_EOF)) {
        expr = p_syntax_error(p);
    }
    if (expr == NULL) {
        return parser_finish_error(p);
    }
    if (p->lex_failed) {
        error_copy(err, p->lex_error);
        return err->code;
    }
    *out = expr;
    return STRATA_OK;
}

/* ---------------- statement splitting ---------------- */

static bool ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

/* Index just past a quoted run starting at sql[pos] (the quote), or length if
 * it does not end. backslash: E'' strings, where \' does not close. */
static size_t skip_quoted(const char *sql, size_t length, size_t pos, char quote, bool backslash)
{
    pos++;
    while (pos < length) {
        if (backslash && sql[pos] == '\\') {
            pos += 2;
            continue;
        }
        if (sql[pos] == quote) {
            if (pos + 1 < length && sql[pos + 1] == quote) {
                pos += 2;
                continue;
            }
            return pos + 1;
        }
        pos++;
    }
    return length + 1;
}

/* $tag$ at pos: index past the closing tag, pos + 1 if no dollar quote opens
 * here, or length + 1 if it does not end. */
static size_t skip_dollar(const char *sql, size_t length, size_t pos)
{
    size_t tag_end = pos + 1;
    if (tag_end < length && !(sql[tag_end] >= '0' && sql[tag_end] <= '9')) {
        while (tag_end < length && sql[tag_end] != '$' && ident_char((unsigned char)sql[tag_end])) {
            tag_end++;
        }
    }
    if (tag_end >= length || sql[tag_end] != '$') {
        return pos + 1;
    }
    size_t tag_length = tag_end + 1 - pos;
    for (size_t scan = tag_end + 1; scan + tag_length <= length; scan++) {
        if (sql[scan] == '$' && memcmp(sql + scan, sql + pos, tag_length) == 0) {
            return scan + tag_length;
        }
    }
    return length + 1;
}

static size_t skip_block_comment(const char *sql, size_t length, size_t pos)
{
    int nesting = 0;
    while (pos < length) {
        if (sql[pos] == '/' && pos + 1 < length && sql[pos + 1] == '*') {
            nesting++;
            pos += 2;
        } else if (sql[pos] == '*' && pos + 1 < length && sql[pos + 1] == '/') {
            nesting--;
            pos += 2;
            if (nesting == 0) {
                return pos;
            }
        } else {
            pos++;
        }
    }
    return length + 1;
}

bool sql_statement_complete(const char *sql, size_t length, size_t *end)
{
    size_t pos = 0;
    while (pos < length) {
        char c = sql[pos];
        bool after_ident = pos > 0 && ident_char((unsigned char)sql[pos - 1]);
        if (c == ';') {
            *end = pos + 1;
            return true;
        }
        if (c == '\'') {
            bool escape = pos > 0 && (sql[pos - 1] == 'e' || sql[pos - 1] == 'E') &&
                          !(pos > 1 && ident_char((unsigned char)sql[pos - 2]));
            pos = skip_quoted(sql, length, pos, '\'', escape);
        } else if (c == '"') {
            pos = skip_quoted(sql, length, pos, '"', false);
        } else if (c == '$' && !after_ident) {
            pos = skip_dollar(sql, length, pos);
        } else if (c == '-' && pos + 1 < length && sql[pos + 1] == '-') {
            while (pos < length && sql[pos] != '\n') {
                pos++;
            }
        } else if (c == '/' && pos + 1 < length && sql[pos + 1] == '*') {
            pos = skip_block_comment(sql, length, pos);
        } else {
            pos++;
        }
    }
    return false;
}
