/*
 * sql/lexer.c - PostgreSQL-compatible tokenizer: SQL text -> TokenArray.
 *
 * Follows PostgreSQL's scan.l where it matters to users: identifiers fold to
 * lower case (ASCII only) and truncate to LIMIT_IDENTIFIER_BYTES; "quoted"
 * identifiers keep case; standard-conforming '...' strings (backslash is an
 * ordinary character), E'...' with backslash escapes, U&'...' with Unicode
 * escapes, $tag$...$tag$ dollar quoting, B'...' and X'...' bit strings; string
 * literals separated only by whitespace that contains a newline are joined;
 * nested block comments; operators per PostgreSQL's rule (a multi-character
 * operator does not end in + or - unless it contains one of ~ ! @ # % ^ & | ` ?).
 *
 * Invariants
 *   1. The array ends with TOK_EOF (start = length) or, after a lexical error,
 *      with one TOK_ERROR-like TOK_EOF whose position is the error's and the
 *      error is returned; tokens before it are valid.
 *   2. Token.start/end are byte offsets into the input; text is arena-owned.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "sql/parser_int.h"
#include "util/limits.h"

/* ---------------- encoding ---------------- */

/* Length of the valid UTF-8 sequence at text[0, length), or 0 if it is invalid
 * (NUL, stray continuation, overlong, surrogate, above U+10FFFF, truncated). */
static size_t utf8_sequence_length(const unsigned char *text, size_t length)
{
    unsigned char lead = text[0];
    size_t size;
    uint32_t min_value;
    uint32_t value;
    if (lead == 0) {
        return 0;
    }
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        size = 2;
        min_value = 0x80;
        value = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        size = 3;
        min_value = 0x800;
        value = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        size = 4;
        min_value = 0x10000;
        value = lead & 0x07;
    } else {
        return 0;
    }
    if (size > length) {
        return 0;
    }
    for (size_t index = 1; index < size; index++) {
        if ((text[index] & 0xC0) != 0x80) {
            return 0;
        }
        value = (value << 6) | (text[index] & 0x3F);
    }
    if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        return 0;
    }
    return size;
}

int sql_check_encoding(const char *text, size_t length, Error *err, int position)
{
    const unsigned char *bytes = (const unsigned char *)text;
    size_t pos = 0;
    while (pos < length) {
        if (bytes[pos] != 0 && bytes[pos] < 0x80) {
            pos++;
            continue;
        }
        size_t size = utf8_sequence_length(bytes + pos, length - pos);
        if (size == 0) {
            /* PostgreSQL names the bytes of the character it expected there. */
            unsigned char lead = bytes[pos];
            size_t shown = (lead & 0xE0) == 0xC0   ? 2
                           : (lead & 0xF0) == 0xE0 ? 3
                           : (lead & 0xF8) == 0xF0 ? 4
                                                   : 1;
            if (shown > length - pos) {
                shown = length - pos;
            }
            char listed[32] = "";
            size_t used = 0;
            for (size_t index = 0; index < shown; index++) {
                used += (size_t)snprintf(listed + used, sizeof(listed) - used, "%s0x%02x",
                                         index > 0 ? " " : "", bytes[pos + index]);
            }
            int rc = error_set(err, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                               "invalid byte sequence for encoding \"UTF8\": %s", listed);
            error_position(err, position);
            return rc;
        }
        pos += size;
    }
    return STRATA_OK;
}

typedef struct Lexer {
    const char *sql;
    size_t length;
    size_t pos;
    Arena *arena;
    Error *err;
    Token *items;
    int count;
    int capacity;
} Lexer;

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_op_char(unsigned char c)
{
    return c != '\0' && strchr("~!@#^&|`?+-*/%<>=", c) != NULL;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* The text PostgreSQL quotes in "at or near": the rest of the input from start
 * (it shows the whole unterminated literal). */
static int lex_error(Lexer *lx, size_t start, const char *sqlstate, const char *what)
{
    size_t near_length = lx->length - start;
    if (near_length > 200) {
        near_length = 200;
    }
    int rc = error_set(lx->err, sqlstate, "%s at or near \"%.*s\"", what, (int)near_length,
                       lx->sql + start);
    error_position(lx->err, sql_char_position(lx->sql, (int)start));
    return rc;
}

static int lex_error_plain(Lexer *lx, size_t start, const char *sqlstate, const char *message)
{
    int rc = error_set(lx->err, sqlstate, "%s", message);
    error_position(lx->err, sql_char_position(lx->sql, (int)start));
    return rc;
}

static Token *push(Lexer *lx, TokenKind kind, size_t start, size_t end)
{
    if (lx->count == lx->capacity) {
        int new_capacity = lx->capacity == 0 ? 64 : lx->capacity * 2;
        Token *grown = arena_realloc(lx->arena, lx->items, (size_t)lx->capacity * sizeof(Token),
                                     (size_t)new_capacity * sizeof(Token));
        if (grown == NULL) {
            return NULL;
        }
        lx->items = grown;
        lx->capacity = new_capacity;
    }
    Token *t = &lx->items[lx->count++];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->start = (int)start;
    t->end = (int)end;
    return t;
}

/* Skips whitespace and comments; false (error set) on an unterminated comment. */
static bool skip_space(Lexer *lx, int *rc)
{
    while (lx->pos < lx->length) {
        unsigned char c = (unsigned char)lx->sql[lx->pos];
        if (is_space(c)) {
            lx->pos++;
        } else if (c == '-' && lx->pos + 1 < lx->length && lx->sql[lx->pos + 1] == '-') {
            while (lx->pos < lx->length && lx->sql[lx->pos] != '\n' && lx->sql[lx->pos] != '\r') {
                lx->pos++;
            }
        } else if (c == '/' && lx->pos + 1 < lx->length && lx->sql[lx->pos + 1] == '*') {
            size_t start = lx->pos;
            int nesting = 0;
            while (lx->pos < lx->length) {
                if (lx->sql[lx->pos] == '/' && lx->pos + 1 < lx->length &&
                    lx->sql[lx->pos + 1] == '*') {
                    nesting++;
                    lx->pos += 2;
                } else if (lx->sql[lx->pos] == '*' && lx->pos + 1 < lx->length &&
                           lx->sql[lx->pos + 1] == '/') {
                    nesting--;
                    lx->pos += 2;
                    if (nesting == 0) {
                        break;
                    }
                } else {
                    lx->pos++;
                }
            }
            if (nesting != 0) {
                *rc = lex_error(lx, start, SQLSTATE_SYNTAX_ERROR, "unterminated /* comment");
                return false;
            }
        } else {
            break;
        }
    }
    return true;
}

/* Truncates an identifier to LIMIT_IDENTIFIER_BYTES on a UTF-8 boundary. */
static size_t truncate_identifier(const char *text, size_t length)
{
    if (length <= LIMIT_IDENTIFIER_BYTES) {
        return length;
    }
    size_t cut = LIMIT_IDENTIFIER_BYTES;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80) {
        cut--;
    }
    return cut;
}

static int lex_word(Lexer *lx)
{
    size_t start = lx->pos;
    while (lx->pos < lx->length && is_ident_char((unsigned char)lx->sql[lx->pos])) {
        lx->pos++;
    }
    size_t length = lx->pos - start;
    Token *t = push(lx, TOK_IDENT, start, lx->pos);
    if (t == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    size_t kept = truncate_identifier(lx->sql + start, length);
    char *text = arena_alloc(lx->arena, kept + 1);
    if (text == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    for (size_t index = 0; index < kept; index++) {
        char c = lx->sql[start + index];
        text[index] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
    }
    text[kept] = '\0';
    t->text = text;
    t->text_length = kept;
    t->keyword = keyword_lookup(text, kept);
    return STRATA_OK;
}

/* Appends code point cp as UTF-8; false if cp is not a valid scalar value. */
static bool put_utf8(char *out, size_t *used, uint32_t cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
    }
    if (cp < 0x80) {
        out[(*used)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*used)++] = (char)(0xC0 | (cp >> 6));
        out[(*used)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*used)++] = (char)(0xE0 | (cp >> 12));
        out[(*used)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*used)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*used)++] = (char)(0xF0 | (cp >> 18));
        out[(*used)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*used)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*used)++] = (char)(0x80 | (cp & 0x3F));
    }
    return true;
}

typedef enum QuoteStyle { QUOTE_STANDARD, QUOTE_ESCAPE, QUOTE_UNICODE } QuoteStyle;

/* Reads a \u / \U / U& hex run of digit_count digits at sql[*pos]. */
static bool read_hex(Lexer *lx, size_t *pos, int digit_count, uint32_t *out)
{
    uint32_t value = 0;
    for (int digit = 0; digit < digit_count; digit++) {
        if (*pos >= lx->length) {
            return false;
        }
        int h = hex_value((unsigned char)lx->sql[*pos]);
        if (h < 0) {
            return false;
        }
        value = value * 16 + (uint32_t)h;
        (*pos)++;
    }
    *out = value;
    return true;
}

/* Decodes one backslash escape of an E'' string at sql[*pos] (just past the
 * backslash) into out. */
static int decode_escape(Lexer *lx, size_t *pos, char *out, size_t *used, size_t token_start)
{
    unsigned char c = (unsigned char)lx->sql[*pos];
    (*pos)++;
    switch (c) {
    case 'b':
        out[(*used)++] = '\b';
        return STRATA_OK;
    case 'f':
        out[(*used)++] = '\f';
        return STRATA_OK;
    case 'n':
        out[(*used)++] = '\n';
        return STRATA_OK;
    case 'r':
        out[(*used)++] = '\r';
        return STRATA_OK;
    case 't':
        out[(*used)++] = '\t';
        return STRATA_OK;
    default:
        break;
    }
    if (c >= '0' && c <= '7') {
        unsigned value = c - '0';
        for (int digit = 0;
             digit < 2 && *pos < lx->length && lx->sql[*pos] >= '0' && lx->sql[*pos] <= '7';
             digit++) {
            value = value * 8 + (unsigned)(lx->sql[(*pos)++] - '0');
        }
        if ((value & 0xFF) == 0) {
            return lex_error_plain(lx, token_start, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                                   "invalid byte sequence for encoding \"UTF8\": 0x00");
        }
        out[(*used)++] = (char)(value & 0xFF);
        return STRATA_OK;
    }
    if (c == 'x' && *pos < lx->length && hex_value((unsigned char)lx->sql[*pos]) >= 0) {
        unsigned value = (unsigned)hex_value((unsigned char)lx->sql[(*pos)++]);
        if (*pos < lx->length && hex_value((unsigned char)lx->sql[*pos]) >= 0) {
            value = value * 16 + (unsigned)hex_value((unsigned char)lx->sql[(*pos)++]);
        }
        if (value == 0) {
            return lex_error_plain(lx, token_start, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                                   "invalid byte sequence for encoding \"UTF8\": 0x00");
        }
        out[(*used)++] = (char)value;
        return STRATA_OK;
    }
    if (c == 'u' || c == 'U') {
        uint32_t cp;
        if (!read_hex(lx, pos, c == 'u' ? 4 : 8, &cp)) {
            return lex_error(lx, token_start, SQLSTATE_INVALID_ESCAPE_SEQUENCE,
                             "invalid Unicode escape");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (*pos + 1 < lx->length && lx->sql[*pos] == '\\' && lx->sql[*pos + 1] == 'u') {
                *pos += 2;
                if (!read_hex(lx, pos, 4, &low) || low < 0xDC00 || low > 0xDFFF) {
                    return lex_error(lx, token_start, SQLSTATE_INVALID_ESCAPE_SEQUENCE,
                                     "invalid Unicode surrogate pair");
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
                return lex_error(lx, token_start, SQLSTATE_INVALID_ESCAPE_SEQUENCE,
                                 "invalid Unicode surrogate pair");
            }
        }
        if (!put_utf8(out, used, cp)) {
            return lex_error(lx, token_start, SQLSTATE_INVALID_ESCAPE_SEQUENCE,
                             "invalid Unicode escape value");
        }
        return STRATA_OK;
    }
    out[(*used)++] = (char)c;
    return STRATA_OK;
}

/* Decodes a U&'' escape (\XXXX, \+XXXXXX or \\) at sql[*pos] (past the backslash). */
static int decode_unicode(Lexer *lx, size_t *pos, char *out, size_t *used, size_t token_start)
{
    if (*pos < lx->length && lx->sql[*pos] == '\\') {
        (*pos)++;
        out[(*used)++] = '\\';
        return STRATA_OK;
    }
    uint32_t cp;
    bool ok;
    if (*pos < lx->length && lx->sql[*pos] == '+') {
        (*pos)++;
        ok = read_hex(lx, pos, 6, &cp);
    } else {
        ok = read_hex(lx, pos, 4, &cp);
    }
    if (!ok || !put_utf8(out, used, cp)) {
        return lex_error(lx, token_start, SQLSTATE_INVALID_ESCAPE_SEQUENCE,
                         "invalid Unicode escape");
    }
    return STRATA_OK;
}

/* Scans one quoted segment starting at the opening quote sql[*pos]; appends the
 * decoded bytes to out. Returns false on an unterminated literal. */
static int scan_segment(Lexer *lx, size_t *pos, QuoteStyle style, char *out, size_t *used,
                        size_t token_start, bool *terminated)
{
    (*pos)++; /* opening quote */
    *terminated = false;
    while (*pos < lx->length) {
        char c = lx->sql[*pos];
        if (c == '\'') {
            if (*pos + 1 < lx->length && lx->sql[*pos + 1] == '\'') {
                out[(*used)++] = '\'';
                *pos += 2;
                continue;
            }
            (*pos)++;
            *terminated = true;
            return STRATA_OK;
        }
        if (c == '\\' && style == QUOTE_ESCAPE && *pos + 1 < lx->length) {
            (*pos)++;
            int rc = decode_escape(lx, pos, out, used, token_start);
            if (rc != STRATA_OK) {
                return rc;
            }
            continue;
        }
        if (c == '\\' && style == QUOTE_UNICODE) {
            (*pos)++;
            int rc = decode_unicode(lx, pos, out, used, token_start);
            if (rc != STRATA_OK) {
                return rc;
            }
            continue;
        }
        out[(*used)++] = c;
        (*pos)++;
    }
    return STRATA_OK;
}

/* After a closing quote: whitespace containing a newline, then another quote,
 * continues the literal (SQL standard). Returns the position of that quote or 0. */
static size_t continuation(Lexer *lx, size_t pos)
{
    bool saw_newline = false;
    while (pos < lx->length) {
        char c = lx->sql[pos];
        if (c == '\n' || c == '\r') {
            saw_newline = true;
            pos++;
        } else if (is_space((unsigned char)c)) {
            pos++;
        } else if (c == '-' && pos + 1 < lx->length && lx->sql[pos + 1] == '-') {
            while (pos < lx->length && lx->sql[pos] != '\n' && lx->sql[pos] != '\r') {
                pos++;
            }
        } else {
            break;
        }
    }
    if (saw_newline && pos < lx->length && lx->sql[pos] == '\'') {
        return pos;
    }
    return 0;
}

/* The end of a literal whose first quote is at quote_pos: past the last
 * closing quote of its continued segments, or the input length when it is
 * unterminated. */
static size_t literal_span_end(Lexer *lx, size_t quote_pos, QuoteStyle style)
{
    size_t pos = quote_pos;
    for (;;) {
        pos++;
        bool closed = false;
        while (pos < lx->length) {
            char c = lx->sql[pos];
            if (c == '\\' && style == QUOTE_ESCAPE) {
                pos += 2;
            } else if (c == '\'' && pos + 1 < lx->length && lx->sql[pos + 1] == '\'') {
                pos += 2;
            } else if (c == '\'') {
                pos++;
                closed = true;
                break;
            } else {
                pos++;
            }
        }
        if (!closed) {
            return lx->length;
        }
        size_t next = continuation(lx, pos);
        if (next == 0) {
            return pos;
        }
        pos = next;
    }
}

/* A quoted string starting at quote_pos (the prefix, if any, began at start). */
static int lex_string(Lexer *lx, size_t start, size_t quote_pos, QuoteStyle style, TokenKind kind)
{
    /* Decoded text is never longer than the source span, which is measured
     * first so each literal allocates only its own size. */
    char *out = arena_alloc(lx->arena, literal_span_end(lx, quote_pos, style) - start + 1);
    if (out == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    size_t used = 0;
    size_t pos = quote_pos;
    for (;;) {
        bool terminated;
        int rc = scan_segment(lx, &pos, style, out, &used, start, &terminated);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!terminated) {
            const char *what = kind == TOK_BIT_STRING   ? "unterminated bit string literal"
                               : kind == TOK_HEX_STRING ? "unterminated hexadecimal string literal"
                                                        : "unterminated quoted string";
            return lex_error(lx, start, SQLSTATE_SYNTAX_ERROR, what);
        }
        size_t next = continuation(lx, pos);
        if (next == 0) {
            break;
        }
        pos = next;
    }
    out[used] = '\0';
    if (style != QUOTE_STANDARD) {
        /* escapes can spell bytes that are no UTF-8 */
        int rc = sql_check_encoding(out, used, lx->err, 0);
        if (rc != STRATA_OK) {
            /* the position is computed only now: it costs a pass over the input */
            error_position(lx->err, sql_char_position(lx->sql, (int)start));
            return rc;
        }
    }
    Token *t = push(lx, kind, start, pos);
    if (t == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->text = out;
    t->text_length = used;
    lx->pos = pos;
    if (kind == TOK_BIT_STRING || kind == TOK_HEX_STRING) {
        for (size_t index = 0; index < used; index++) {
            bool ok = kind == TOK_BIT_STRING ? (out[index] == '0' || out[index] == '1')
                                             : hex_value((unsigned char)out[index]) >= 0;
            if (!ok) {
                char message[96];
                snprintf(message, sizeof(message), "\"%c\" is not a valid %s digit", out[index],
                         kind == TOK_BIT_STRING ? "binary" : "hexadecimal");
                return lex_error_plain(lx, start, SQLSTATE_INVALID_TEXT_REPRESENTATION, message);
            }
        }
    }
    return STRATA_OK;
}

static int lex_quoted_ident(Lexer *lx, size_t start, size_t quote_pos, bool is_unicode)
{
    size_t end = quote_pos + 1;
    while (end < lx->length &&
           !(lx->sql[end] == '"' && (end + 1 >= lx->length || lx->sql[end + 1] != '"'))) {
        end += lx->sql[end] == '"' ? 2 : 1;
    }
    char *out = arena_alloc(lx->arena, (end < lx->length ? end : lx->length) - start + 1);
    if (out == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    size_t used = 0;
    size_t pos = quote_pos + 1;
    bool terminated = false;
    while (pos < lx->length) {
        char c = lx->sql[pos];
        if (c == '"') {
            if (pos + 1 < lx->length && lx->sql[pos + 1] == '"') {
                out[used++] = '"';
                pos += 2;
                continue;
            }
            pos++;
            terminated = true;
            break;
        }
        if (c == '\\' && is_unicode) {
            pos++;
            int rc = decode_unicode(lx, &pos, out, &used, start);
            if (rc != STRATA_OK) {
                return rc;
            }
            continue;
        }
        out[used++] = c;
        pos++;
    }
    if (!terminated) {
        return lex_error(lx, start, SQLSTATE_SYNTAX_ERROR, "unterminated quoted identifier");
    }
    if (used == 0) {
        return lex_error(lx, start, SQLSTATE_SYNTAX_ERROR, "zero-length delimited identifier");
    }
    used = truncate_identifier(out, used);
    out[used] = '\0';
    Token *t = push(lx, TOK_QUOTED_IDENT, start, pos);
    if (t == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->text = out;
    t->text_length = used;
    lx->pos = pos;
    return STRATA_OK;
}

/* $tag$ ... $tag$ starting at sql[lx->pos] == '$'; *matched false if this '$'
 * does not open a dollar quote. */
static int lex_dollar(Lexer *lx, bool *matched)
{
    size_t start = lx->pos;
    size_t pos = start + 1;
    if (pos < lx->length && is_ident_start((unsigned char)lx->sql[pos])) {
        while (pos < lx->length && is_ident_char((unsigned char)lx->sql[pos]) &&
               lx->sql[pos] != '$') {
            pos++;
        }
    }
    if (pos >= lx->length || lx->sql[pos] != '$') {
        *matched = false;
        return STRATA_OK;
    }
    *matched = true;
    size_t tag_length = pos + 1 - start; /* includes both '$' */
    const char *tag = lx->sql + start;
    size_t body = pos + 1;
    for (size_t scan = body; scan + tag_length <= lx->length; scan++) {
        if (lx->sql[scan] == '$' && memcmp(lx->sql + scan, tag, tag_length) == 0) {
            Token *t = push(lx, TOK_STRING, start, scan + tag_length);
            if (t == NULL) {
                return arena_error(lx->arena, lx->err);
            }
            t->text = arena_strndup(lx->arena, lx->sql + body, scan - body);
            if (t->text == NULL) {
                return arena_error(lx->arena, lx->err);
            }
            t->text_length = scan - body;
            lx->pos = scan + tag_length;
            return STRATA_OK;
        }
    }
    return lex_error(lx, start, SQLSTATE_SYNTAX_ERROR, "unterminated dollar-quoted string");
}

static int lex_number(Lexer *lx)
{
    size_t start = lx->pos;
    size_t pos = start;
    bool is_numeric = false;
    while (pos < lx->length && is_digit((unsigned char)lx->sql[pos])) {
        pos++;
    }
    /* "1..2" keeps "1" an integer (PostgreSQL's rule for ranges in PL/pgSQL). */
    if (pos < lx->length && lx->sql[pos] == '.' &&
        !(pos + 1 < lx->length && lx->sql[pos + 1] == '.')) {
        is_numeric = true;
        pos++;
        while (pos < lx->length && is_digit((unsigned char)lx->sql[pos])) {
            pos++;
        }
    }
    if (pos < lx->length && (lx->sql[pos] == 'e' || lx->sql[pos] == 'E')) {
        size_t exp = pos + 1;
        if (exp < lx->length && (lx->sql[exp] == '+' || lx->sql[exp] == '-')) {
            exp++;
        }
        if (exp < lx->length && is_digit((unsigned char)lx->sql[exp])) {
            while (exp < lx->length && is_digit((unsigned char)lx->sql[exp])) {
                exp++;
            }
            pos = exp;
            is_numeric = true;
        }
    }
    Token *t = push(lx, is_numeric ? TOK_NUMERIC : TOK_INTEGER, start, pos);
    if (t == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->text = arena_strndup(lx->arena, lx->sql + start, pos - start);
    if (t->text == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->text_length = pos - start;
    lx->pos = pos;
    return STRATA_OK;
}

static int lex_operator(Lexer *lx)
{
    size_t start = lx->pos;
    size_t pos = start;
    while (pos < lx->length && is_op_char((unsigned char)lx->sql[pos])) {
        /* A comment start ends the operator. */
        if (pos > start && ((lx->sql[pos] == '-' && lx->sql[pos - 1] == '-') ||
                            (lx->sql[pos] == '*' && lx->sql[pos - 1] == '/'))) {
            pos--;
            break;
        }
        if (pos + 1 < lx->length && ((lx->sql[pos] == '-' && lx->sql[pos + 1] == '-') ||
                                     (lx->sql[pos] == '/' && lx->sql[pos + 1] == '*'))) {
            if (pos == start) {
                /* cannot happen: skip_space consumed comments */
                pos++;
            }
            break;
        }
        pos++;
    }
    size_t length = pos - start;
    if (length > 1) {
        bool has_special = false;
        for (size_t index = start; index < pos; index++) {
            if (strchr("~!@#%^&|`?", lx->sql[index]) != NULL) {
                has_special = true;
            }
        }
        if (!has_special) {
            while (length > 1 &&
                   (lx->sql[start + length - 1] == '+' || lx->sql[start + length - 1] == '-')) {
                length--;
            }
        }
    }
    TokenKind kind = TOK_OP;
    if (length == 2 && lx->sql[start] == '=' && lx->sql[start + 1] == '>') {
        kind = TOK_EQUALS_GREATER;
    }
    Token *t = push(lx, kind, start, start + length);
    if (t == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->text = arena_strndup(lx->arena, lx->sql + start, length);
    if (t->text == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->text_length = length;
    lx->pos = start + length;
    return STRATA_OK;
}

static int lex_param(Lexer *lx)
{
    size_t start = lx->pos;
    size_t pos = start + 1;
    long long number = 0;
    bool overflow = false;
    while (pos < lx->length && is_digit((unsigned char)lx->sql[pos])) {
        number = number * 10 + (lx->sql[pos] - '0');
        if (number > 65535) {
            overflow = true;
            number = 65535;
        }
        pos++;
    }
    if (overflow) {
        lx->pos = pos;
        return lex_error_plain(lx, start, SQLSTATE_SYNTAX_ERROR, "parameter number too large");
    }
    Token *t = push(lx, TOK_PARAM, start, pos);
    if (t == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->param_number = (int)number;
    t->text = arena_strndup(lx->arena, lx->sql + start, pos - start);
    if (t->text == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->text_length = pos - start;
    lx->pos = pos;
    return STRATA_OK;
}

static int lex_punct(Lexer *lx, TokenKind kind, size_t size)
{
    Token *t = push(lx, kind, lx->pos, lx->pos + size);
    if (t == NULL) {
        return arena_error(lx->arena, lx->err);
    }
    t->text = (char *)(kind == TOK_LPAREN         ? "("
                       : kind == TOK_RPAREN       ? ")"
                       : kind == TOK_LBRACKET     ? "["
                       : kind == TOK_RBRACKET     ? "]"
                       : kind == TOK_COMMA        ? ","
                       : kind == TOK_SEMICOLON    ? ";"
                       : kind == TOK_TYPECAST     ? "::"
                       : kind == TOK_COLON_EQUALS ? ":="
                       : kind == TOK_COLON        ? ":"
                                                  : ".");
    t->text_length = size;
    lx->pos += size;
    return STRATA_OK;
}

/* A letter that may prefix a quote: E'..', B'..', X'..', N'..', U&'..', U&"..". */
static int lex_prefixed(Lexer *lx, bool *handled)
{
    size_t start = lx->pos;
    char c = lx->sql[start];
    char next = start + 1 < lx->length ? lx->sql[start + 1] : '\0';
    *handled = true;
    if (next == '\'') {
        switch (c) {
        case 'e':
        case 'E':
            return lex_string(lx, start, start + 1, QUOTE_ESCAPE, TOK_STRING);
        case 'b':
        case 'B':
            return lex_string(lx, start, start + 1, QUOTE_STANDARD, TOK_BIT_STRING);
        case 'x':
        case 'X':
            return lex_string(lx, start, start + 1, QUOTE_STANDARD, TOK_HEX_STRING);
        case 'n':
        case 'N':
            return lex_string(lx, start, start + 1, QUOTE_STANDARD, TOK_STRING);
        default:
            break;
        }
    }
    if ((c == 'u' || c == 'U') && next == '&' && start + 2 < lx->length) {
        if (lx->sql[start + 2] == '\'') {
            return lex_string(lx, start, start + 2, QUOTE_UNICODE, TOK_STRING);
        }
        if (lx->sql[start + 2] == '"') {
            return lex_quoted_ident(lx, start, start + 2, true);
        }
    }
    *handled = false;
    return STRATA_OK;
}

static int lex_one(Lexer *lx)
{
    unsigned char c = (unsigned char)lx->sql[lx->pos];
    bool handled;
    if (is_ident_start(c)) {
        int rc = lex_prefixed(lx, &handled);
        if (rc != STRATA_OK || handled) {
            return rc;
        }
        return lex_word(lx);
    }
    if (is_digit(c) ||
        (c == '.' && lx->pos + 1 < lx->length && is_digit((unsigned char)lx->sql[lx->pos + 1]))) {
        return lex_number(lx);
    }
    switch (c) {
    case '\'':
        return lex_string(lx, lx->pos, lx->pos, QUOTE_STANDARD, TOK_STRING);
    case '"':
        return lex_quoted_ident(lx, lx->pos, lx->pos, false);
    case '(':
        return lex_punct(lx, TOK_LPAREN, 1);
    case ')':
        return lex_punct(lx, TOK_RPAREN, 1);
    case '[':
        return lex_punct(lx, TOK_LBRACKET, 1);
    case ']':
        return lex_punct(lx, TOK_RBRACKET, 1);
    case ',':
        return lex_punct(lx, TOK_COMMA, 1);
    case ';':
        return lex_punct(lx, TOK_SEMICOLON, 1);
    case '.':
        return lex_punct(lx, TOK_DOT, 1);
    case ':':
        if (lx->pos + 1 < lx->length && lx->sql[lx->pos + 1] == ':') {
            return lex_punct(lx, TOK_TYPECAST, 2);
        }
        if (lx->pos + 1 < lx->length && lx->sql[lx->pos + 1] == '=') {
            return lex_punct(lx, TOK_COLON_EQUALS, 2);
        }
        return lex_punct(lx, TOK_COLON, 1);
    case '$':
        if (lx->pos + 1 < lx->length && is_digit((unsigned char)lx->sql[lx->pos + 1])) {
            return lex_param(lx);
        } else {
            int rc = lex_dollar(lx, &handled);
            if (rc != STRATA_OK || handled) {
                return rc;
            }
        }
        break;
    default:
        if (is_op_char(c)) {
            return lex_operator(lx);
        }
        break;
    }
    /* A character no token starts with: PostgreSQL's grammar rejects it. */
    size_t char_length = 1;
    while (lx->pos + char_length < lx->length &&
           ((unsigned char)lx->sql[lx->pos + char_length] & 0xC0) == 0x80) {
        char_length++;
    }
    int rc = error_set(lx->err, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"%.*s\"",
                       (int)char_length, lx->sql + lx->pos);
    error_position(lx->err, sql_char_position(lx->sql, (int)lx->pos));
    return rc;
}

int lexer_tokenize(const char *sql, size_t length, Arena *arena, TokenArray *out, Error *err)
{
    Lexer lx = {.sql = sql, .length = length, .arena = arena, .err = err};
    int rc = STRATA_OK;
    for (;;) {
        if (!skip_space(&lx, &rc)) {
            break;
        }
        if (lx.pos >= lx.length) {
            break;
        }
        rc = lex_one(&lx);
        if (rc != STRATA_OK) {
            break;
        }
    }
    /* The final token: EOF at the end of input, or at the error's position. */
    size_t end_pos = rc == STRATA_OK ? length : lx.pos;
    Token *t = push(&lx, TOK_EOF, end_pos, end_pos);
    if (t == NULL) {
        return arena_error(arena, err);
    }
    t->text = "";
    out->items = lx.items;
    out->count = lx.count;
    return rc;
}
