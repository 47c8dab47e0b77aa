/*
 * types/jsonpath.c - the jsonpath parser: text -> JpNode tree
 * (jsonpath_int.h), recursive descent over PostgreSQL's jsonpath grammar
 * (precedence, loosest first: ||, &&, !, comparisons and like_regex /
 * starts with, + -, * / %, unary + -, accessors).
 *
 * Predicates and value expressions share one grammar here; where PostgreSQL's
 * grammar needs a predicate (a filter, the operands of && || !) a value
 * expression is a syntax error at the token after it.
 *
 * Invariants
 *   1. Parsing never reads past length (the text need not end with NUL).
 *   2. Nesting is bounded by JSONPATH_DEPTH_MAX (54000 past it).
 *
 * See jsonpath.h for the language and src/types/README.md.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "types/jsonb.h"
#include "types/jsonpath_int.h"

/* Deepest nesting of parentheses and operators (the parser recurses). */
#define JSONPATH_DEPTH_MAX 200

typedef enum TokKind {
    TOK_END,
    TOK_DOLLAR,
    TOK_AT,
    TOK_VARIABLE,
    TOK_WORD,
    TOK_STRING,
    TOK_NUMBER,
    TOK_PUNCT,
} TokKind;

typedef struct Tok {
    TokKind kind;
    const char *start; /* in the path text */
    size_t length;
    char *value; /* decoded string, variable name, word or number text */
    size_t value_length;
} Tok;

typedef struct Parser {
    const char *text;
    size_t length, pos;
    Arena *arena;
    Error *err;
    Tok tok;
    int depth;
    int filter_depth;
    int subscript_depth;
    bool failed;
} Parser;

static int syntax_error(Parser *p)
{
    if (p->failed) {
        return p->err->code;
    }
    p->failed = true;
    if (p->tok.kind == TOK_END) {
        return error_set(p->err, SQLSTATE_SYNTAX_ERROR, "syntax error at end of jsonpath input");
    }
    return error_set(p->err, SQLSTATE_SYNTAX_ERROR,
                     "syntax error at or near \"%.*s\" of jsonpath input", (int)p->tok.length,
                     p->tok.start);
}

static int nomem(Parser *p)
{
    p->failed = true;
    return arena_error(p->arena, p->err);
}

/* Bytes that end a key or keyword: PostgreSQL's jsonpath scanner's special
 * characters and blanks (a table: the lexer runs for every row). */
static const bool WORD_STOP[256] = {
    ['\0'] = true, ['?'] = true, ['%'] = true, ['$'] = true, ['.'] = true, ['['] = true,
    [']'] = true, ['{'] = true, ['}'] = true, ['('] = true, [')'] = true, ['|'] = true,
    ['&'] = true, ['!'] = true, ['='] = true, ['<'] = true, ['>'] = true, ['@'] = true,
    ['#'] = true, [','] = true, ['*'] = true, [':'] = true, ['-'] = true, ['+'] = true,
    ['/'] = true, ['\\'] = true, ['"'] = true, [' '] = true, ['\t'] = true,
    ['\n'] = true, ['\r'] = true, ['\f'] = true,
};

static bool is_word_char(char c)
{
    return !WORD_STOP[(unsigned char)c];
}

/* Decodes a "..." literal starting at p->pos (the quote). */
static int lex_string(Parser *p)
{
    size_t at = p->pos + 1;
    char *out = arena_alloc(p->arena, p->length - p->pos + 1);
    size_t n = 0;
    if (out == NULL) {
        return nomem(p);
    }
    while (at < p->length && p->text[at] != '"') {
        char c = p->text[at++];
        if (c != '\\') {
            out[n++] = c;
            continue;
        }
        if (at >= p->length) {
            break;
        }
        char e = p->text[at++];
        const char *from = "bfnrtv", *to = "\b\f\n\r\t\v";
        const char *hit = strchr(from, e);
        if (e == 'u' || e == 'x') {
            int digits = e == 'u' ? 4 : 2;
            unsigned code = 0;
            for (int d = 0; d < digits; d++) {
                if (at >= p->length || !isxdigit((unsigned char)p->text[at])) {
                    p->failed = true;
                    return error_set(p->err, SQLSTATE_SYNTAX_ERROR,
                                     "invalid Unicode escape sequence at or near \"\\%c\" of "
                                     "jsonpath input",
                                     e);
                }
                char h = p->text[at++];
                code = code * 16 +
                       (unsigned)(isdigit((unsigned char)h) ? h - '0' : (tolower(h) - 'a' + 10));
            }
            /* UTF-8 of code (surrogate pairs are not combined) */
            if (code < 0x80) {
                out[n++] = (char)code;
            } else if (code < 0x800) {
                out[n++] = (char)(0xC0 | (code >> 6));
                out[n++] = (char)(0x80 | (code & 0x3F));
            } else {
                out[n++] = (char)(0xE0 | (code >> 12));
                out[n++] = (char)(0x80 | ((code >> 6) & 0x3F));
                out[n++] = (char)(0x80 | (code & 0x3F));
            }
        } else if (e != '\0' && hit != NULL) {
            out[n++] = to[hit - from];
        } else {
            out[n++] = e;
        }
    }
    if (at >= p->length) {
        p->failed = true;
        return error_set(p->err, SQLSTATE_SYNTAX_ERROR,
                         "unexpected end of quoted string at end of jsonpath input");
    }
    out[n] = '\0';
    p->tok.kind = TOK_STRING;
    p->tok.value = out;
    p->tok.value_length = n;
    p->tok.length = at + 1 - p->pos;
    p->pos = at + 1;
    return STRATA_OK;
}

static int lex_number(Parser *p)
{
    size_t at = p->pos;
    while (at < p->length && isdigit((unsigned char)p->text[at])) {
        at++;
    }
    if (at + 1 < p->length && p->text[at] == '.' && isdigit((unsigned char)p->text[at + 1])) {
        at++;
        while (at < p->length && isdigit((unsigned char)p->text[at])) {
            at++;
        }
    }
    if (at < p->length && (p->text[at] == 'e' || p->text[at] == 'E')) {
        size_t exp = at + 1;
        if (exp < p->length && (p->text[exp] == '+' || p->text[exp] == '-')) {
            exp++;
        }
        if (exp < p->length && isdigit((unsigned char)p->text[exp])) {
            at = exp;
            while (at < p->length && isdigit((unsigned char)p->text[at])) {
                at++;
            }
        }
    }
    p->tok.kind = TOK_NUMBER;
    p->tok.length = at - p->pos;
    p->tok.value = arena_strndup(p->arena, p->text + p->pos, p->tok.length);
    p->tok.value_length = p->tok.length;
    p->pos = at;
    return p->tok.value == NULL ? nomem(p) : STRATA_OK;
}

static int advance(Parser *p)
{
    static const char *const PUNCT2[] = {"==", "!=", "<>", "<=", ">=", "&&", "||", "**"};
    while (p->pos < p->length && isspace((unsigned char)p->text[p->pos])) {
        p->pos++;
    }
    p->tok = (Tok){.kind = TOK_END, .start = p->text + p->pos, .length = 0};
    if (p->pos >= p->length) {
        return STRATA_OK;
    }
    char c = p->text[p->pos];
    if (c == '"') {
        return lex_string(p);
    }
    if (isdigit((unsigned char)c)) {
        return lex_number(p);
    }
    if (c == '$' || is_word_char(c)) {
        size_t at = p->pos + (c == '$' ? 1 : 0);
        size_t begin = at;
        if (c == '$' && at < p->length && p->text[at] == '"') {
            p->pos = at;
            int rc = lex_string(p);
            p->tok.kind = TOK_VARIABLE;
            p->tok.start = p->text + begin - 1;
            p->tok.length++;
            return rc;
        }
        while (at < p->length && is_word_char(p->text[at])) {
            at++;
        }
        p->tok.kind = c == '$' ? (at == begin ? TOK_DOLLAR : TOK_VARIABLE) : TOK_WORD;
        p->tok.length = at - p->pos;
        p->tok.value = arena_strndup(p->arena, p->text + begin, at - begin);
        p->tok.value_length = at - begin;
        p->pos = at;
        return p->tok.value == NULL ? nomem(p) : STRATA_OK;
    }
    p->tok.kind = c == '@' ? TOK_AT : TOK_PUNCT;
    p->tok.length = 1;
    for (size_t index = 0; index < sizeof PUNCT2 / sizeof PUNCT2[0]; index++) {
        if (p->pos + 1 < p->length && memcmp(p->text + p->pos, PUNCT2[index], 2) == 0) {
            p->tok.length = 2;
        }
    }
    p->pos += p->tok.length;
    return STRATA_OK;
}

static bool is_punct(const Parser *p, const char *s)
{
    return p->tok.kind == TOK_PUNCT && p->tok.length == strlen(s) &&
           memcmp(p->tok.start, s, p->tok.length) == 0;
}

static bool is_word(const Parser *p, const char *s)
{
    return p->tok.kind == TOK_WORD && strcmp(p->tok.value, s) == 0;
}

static bool accept_punct(Parser *p, const char *s)
{
    if (!is_punct(p, s)) {
        return false;
    }
    return advance(p) == STRATA_OK && !p->failed;
}

static bool expect_punct(Parser *p, const char *s)
{
    if (!is_punct(p, s)) {
        syntax_error(p);
        return false;
    }
    return advance(p) == STRATA_OK;
}

static JpNode *node_new(Parser *p, JpKind kind)
{
    JpNode *n = arena_zalloc(p->arena, sizeof(JpNode));
    if (n == NULL) {
        nomem(p);
        return NULL;
    }
    n->kind = kind;
    return n;
}

static JpNode *binary(Parser *p, JpKind kind, JpNode *left, JpNode *right)
{
    if (left == NULL || right == NULL) {
        return NULL;
    }
    JpNode *n = node_new(p, kind);
    if (n != NULL) {
        n->left = left;
        n->right = right;
    }
    return n;
}

static JpNode *parse_expr(Parser *p);

/* A predicate where the grammar needs one (filters, && || ! operands). */
static JpNode *need_predicate(Parser *p, JpNode *n)
{
    if (n != NULL && !jp_is_predicate(n->kind)) {
        syntax_error(p);
        return NULL;
    }
    return n;
}

static JpNode *parse_subscripts(Parser *p, JpNode *n)
{
    JpNode *from[64], *to[64];
    int count = 0;
    p->subscript_depth++;
    do {
        if (count == 64) {
            syntax_error(p);
            return NULL;
        }
        from[count] = parse_expr(p);
        to[count] = NULL;
        if (from[count] != NULL && is_word(p, "to")) {
            if (advance(p) != STRATA_OK) {
                return NULL;
            }
            to[count] = parse_expr(p);
            if (to[count] == NULL) {
                return NULL;
            }
        }
        if (from[count++] == NULL) {
            return NULL;
        }
    } while (accept_punct(p, ","));
    p->subscript_depth--;
    if (!expect_punct(p, "]")) {
        return NULL;
    }
    n->kind = JP_SUBSCRIPTS;
    n->subscript_count = count;
    n->from = arena_memdup(p->arena, from, sizeof(JpNode *) * (size_t)count);
    n->to = arena_memdup(p->arena, to, sizeof(JpNode *) * (size_t)count);
    return n->from == NULL || n->to == NULL ? (nomem(p), NULL) : n;
}

static JpNode *parse_method_or_key(Parser *p, JpNode *n)
{
    static const char *const METHODS[] = {"type", "size", "double", "ceiling", "floor", "abs"};
    const char *word = p->tok.value;
    size_t word_length = p->tok.value_length;
    bool is_string = p->tok.kind == TOK_STRING;
    if (advance(p) != STRATA_OK) {
        return NULL;
    }
    if (!is_string && is_punct(p, "(")) {
        for (size_t m = 0; m < sizeof METHODS / sizeof METHODS[0]; m++) {
            if (strcmp(word, METHODS[m]) == 0) {
                n->kind = JP_METHOD;
                n->method = (JpMethod)m;
                if (advance(p) != STRATA_OK || !expect_punct(p, ")")) {
                    return NULL;
                }
                return n;
            }
        }
        syntax_error(p);
        return NULL;
    }
    n->kind = JP_KEY;
    n->text = word;
    n->length = (uint32_t)word_length;
    return n;
}

/* One accessor after a primary, or NULL with *done when there is none. */
static JpNode *parse_accessor(Parser *p, bool *done)
{
    *done = false;
    JpNode *n = node_new(p, JP_KEY);
    if (n == NULL) {
        return NULL;
    }
    if (accept_punct(p, ".")) {
        if (accept_punct(p, "*")) {
            n->kind = JP_ANY_KEY;
            return n;
        }
        if (accept_punct(p, "**")) {
            n->kind = JP_ANY;
            return n;
        }
        if (p->tok.kind == TOK_WORD || p->tok.kind == TOK_STRING) {
            return parse_method_or_key(p, n);
        }
        syntax_error(p);
        return NULL;
    }
    if (accept_punct(p, "[")) {
        if (accept_punct(p, "*")) {
            n->kind = JP_ANY_ARRAY;
            return expect_punct(p, "]") ? n : NULL;
        }
        return parse_subscripts(p, n);
    }
    if (accept_punct(p, "?")) {
        if (!expect_punct(p, "(")) {
            return NULL;
        }
        n->kind = JP_FILTER;
        p->filter_depth++;
        n->left = need_predicate(p, parse_expr(p));
        p->filter_depth--;
        return n->left != NULL && expect_punct(p, ")") ? n : NULL;
    }
    *done = true;
    return NULL;
}

static JpNode *literal_number(Parser *p)
{
    JpNode *n = node_new(p, JP_NUMBER);
    StrRef encoded;
    if (n == NULL) {
        return NULL;
    }
    if (jsonb_parse(p->tok.value, p->tok.value_length, p->arena, &encoded, p->err) != STRATA_OK) {
        syntax_error(p);
        return NULL;
    }
    n->text = encoded.ptr;
    n->length = encoded.len;
    return advance(p) == STRATA_OK ? n : NULL;
}

static JpNode *parse_primary(Parser *p)
{
    JpNode *n = NULL;
    if (p->tok.kind == TOK_NUMBER) {
        return literal_number(p);
    }
    if (accept_punct(p, "(")) {
        n = parse_expr(p);
        if (n == NULL || !expect_punct(p, ")")) {
            return NULL;
        }
        if (is_word(p, "is")) {
            if (!jp_is_predicate(n->kind) || advance(p) != STRATA_OK || !is_word(p, "unknown")) {
                syntax_error(p);
                return NULL;
            }
            JpNode *is = node_new(p, JP_IS_UNKNOWN);
            if (is == NULL || advance(p) != STRATA_OK) {
                return NULL;
            }
            is->left = n;
            return is;
        }
        return n;
    }
    switch (p->tok.kind) {
    case TOK_DOLLAR:
        n = node_new(p, JP_ROOT);
        break;
    case TOK_AT:
        if (p->filter_depth == 0) {
            p->failed = true;
            error_set(p->err, SQLSTATE_SYNTAX_ERROR, "@ is not allowed in root expressions");
            return NULL;
        }
        n = node_new(p, JP_CURRENT);
        break;
    case TOK_VARIABLE:
        n = node_new(p, JP_VARIABLE);
        break;
    case TOK_STRING:
        n = node_new(p, JP_STRING);
        break;
    case TOK_WORD:
        if (is_word(p, "true") || is_word(p, "false") || is_word(p, "null")) {
            n = node_new(p, is_word(p, "true")    ? JP_TRUE
                            : is_word(p, "false") ? JP_FALSE
                                                  : JP_NULL);
        } else if (is_word(p, "last")) {
            if (p->subscript_depth == 0) {
                p->failed = true;
                error_set(p->err, SQLSTATE_SYNTAX_ERROR,
                          "LAST is allowed only in array subscripts");
                return NULL;
            }
            n = node_new(p, JP_LAST);
        } else if (is_word(p, "exists")) {
            n = node_new(p, JP_EXISTS);
            if (n == NULL || advance(p) != STRATA_OK || !expect_punct(p, "(") ||
                (n->left = parse_expr(p)) == NULL || !expect_punct(p, ")")) {
                return NULL;
            }
            return n;
        } else {
            syntax_error(p);
            return NULL;
        }
        break;
    default:
        syntax_error(p);
        return NULL;
    }
    if (n != NULL && (p->tok.kind == TOK_VARIABLE || p->tok.kind == TOK_STRING)) {
        n->text = p->tok.value;
        n->length = (uint32_t)p->tok.value_length;
    }
    return n != NULL && advance(p) == STRATA_OK ? n : NULL;
}

static JpNode *parse_accessors(Parser *p)
{
    JpNode *head = parse_primary(p);
    JpNode *tail = head;
    while (tail != NULL) {
        while (tail->next != NULL) {
            tail = tail->next;
        }
        bool done;
        JpNode *acc = parse_accessor(p, &done);
        if (done) {
            return head;
        }
        if (acc == NULL) {
            return NULL;
        }
        tail->next = acc;
    }
    return NULL;
}

static JpNode *parse_unary(Parser *p)
{
    if (is_punct(p, "+") || is_punct(p, "-")) {
        JpNode *n = node_new(p, is_punct(p, "+") ? JP_PLUS : JP_MINUS);
        if (n == NULL || advance(p) != STRATA_OK || (n->left = parse_unary(p)) == NULL) {
            return NULL;
        }
        return n;
    }
    return parse_accessors(p);
}

static JpNode *parse_mul(Parser *p)
{
    JpNode *left = parse_unary(p);
    while (left != NULL && (is_punct(p, "*") || is_punct(p, "/") || is_punct(p, "%"))) {
        JpKind kind = is_punct(p, "*") ? JP_MUL : is_punct(p, "/") ? JP_DIV : JP_MOD;
        if (advance(p) != STRATA_OK) {
            return NULL;
        }
        left = binary(p, kind, left, parse_unary(p));
    }
    return left;
}

static JpNode *parse_add(Parser *p)
{
    JpNode *left = parse_mul(p);
    while (left != NULL && (is_punct(p, "+") || is_punct(p, "-"))) {
        JpKind kind = is_punct(p, "+") ? JP_ADD : JP_SUB;
        if (advance(p) != STRATA_OK) {
            return NULL;
        }
        left = binary(p, kind, left, parse_mul(p));
    }
    return left;
}

static JpNode *parse_like_regex(Parser *p, JpNode *left)
{
    JpNode *n = node_new(p, JP_LIKE_REGEX);
    if (n == NULL || advance(p) != STRATA_OK) {
        return NULL;
    }
    if (p->tok.kind != TOK_STRING) {
        syntax_error(p);
        return NULL;
    }
    n->left = left;
    n->text = p->tok.value;
    n->length = (uint32_t)p->tok.value_length;
    if (advance(p) != STRATA_OK) {
        return NULL;
    }
    if (is_word(p, "flag")) {
        if (advance(p) != STRATA_OK || p->tok.kind != TOK_STRING) {
            syntax_error(p);
            return NULL;
        }
        for (size_t at = 0; at < p->tok.value_length; at++) {
            char f = p->tok.value[at];
            if (strchr("isxmq", f) == NULL) {
                p->failed = true;
                error_set(p->err, SQLSTATE_SYNTAX_ERROR, "invalid input syntax for type jsonpath");
                return NULL;
            }
            n->regex_icase |= f == 'i';
        }
        if (advance(p) != STRATA_OK) {
            return NULL;
        }
    }
    return n;
}

static JpNode *parse_comparison(Parser *p)
{
    static const struct {
        const char *op;
        JpKind kind;
    } OPS[] = {{"==", JP_EQ}, {"!=", JP_NE}, {"<>", JP_NE}, {"<", JP_LT},
               {"<=", JP_LE}, {">", JP_GT},  {">=", JP_GE}};
    JpNode *left = parse_add(p);
    if (left == NULL) {
        return NULL;
    }
    for (size_t index = 0; index < sizeof OPS / sizeof OPS[0]; index++) {
        if (is_punct(p, OPS[index].op)) {
            if (advance(p) != STRATA_OK) {
                return NULL;
            }
            return binary(p, OPS[index].kind, left, parse_add(p));
        }
    }
    if (is_word(p, "like_regex")) {
        return parse_like_regex(p, left);
    }
    if (is_word(p, "starts")) {
        if (advance(p) != STRATA_OK || !is_word(p, "with") || advance(p) != STRATA_OK) {
            syntax_error(p);
            return NULL;
        }
        if (p->tok.kind != TOK_STRING && p->tok.kind != TOK_VARIABLE) {
            syntax_error(p);
            return NULL;
        }
        return binary(p, JP_STARTS_WITH, left, parse_primary(p));
    }
    return left;
}

static JpNode *parse_not(Parser *p)
{
    if (is_punct(p, "!")) {
        JpNode *n = node_new(p, JP_NOT);
        if (n == NULL || advance(p) != STRATA_OK || !expect_punct(p, "(")) {
            return NULL;
        }
        n->left = need_predicate(p, parse_expr(p));
        return n->left != NULL && expect_punct(p, ")") ? n : NULL;
    }
    return parse_comparison(p);
}

static JpNode *parse_and(Parser *p)
{
    JpNode *left = parse_not(p);
    while (left != NULL && is_punct(p, "&&")) {
        if (need_predicate(p, left) == NULL || advance(p) != STRATA_OK) {
            return NULL;
        }
        left = binary(p, JP_AND, left, need_predicate(p, parse_not(p)));
    }
    return left;
}

static JpNode *parse_expr(Parser *p)
{
    if (++p->depth > JSONPATH_DEPTH_MAX) {
        p->failed = true;
        error_set(p->err, SQLSTATE_STATEMENT_TOO_COMPLEX, "jsonpath nesting too deep");
        return NULL;
    }
    JpNode *left = parse_and(p);
    while (left != NULL && is_punct(p, "||")) {
        if (need_predicate(p, left) == NULL || advance(p) != STRATA_OK) {
            return NULL;
        }
        left = binary(p, JP_OR, left, need_predicate(p, parse_and(p)));
    }
    p->depth--;
    return left;
}

int jsonpath_parse(const char *text, size_t length, Arena *arena, JsonPath **out, Error *err)
{
    Parser parser = {.text = text, .length = length, .arena = arena, .err = err};
    Parser *p = &parser;
    JsonPath *path = arena_zalloc(arena, sizeof(JsonPath));
    if (path == NULL) {
        return arena_error(arena, err);
    }
    if (advance(p) != STRATA_OK) {
        return err->code;
    }
    if (p->tok.kind == TOK_END) {
        return error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                         "invalid input syntax for type jsonpath: \"%.*s\"", (int)length, text);
    }
    if (is_word(p, "strict") || is_word(p, "lax")) {
        path->strict = is_word(p, "strict");
        if (advance(p) != STRATA_OK) {
            return err->code;
        }
    }
    path->expr = parse_expr(p);
    if (path->expr != NULL && p->tok.kind != TOK_END) {
        return syntax_error(p);
    }
    if (path->expr == NULL) {
        return p->failed ? err->code : syntax_error(p);
    }
    *out = path;
    return STRATA_OK;
}

/* ---- the per-statement cache ---------------------------------------------------- */

struct JsonPathCache {
    Arena *arena;
    int count;
    struct {
        const char *text; /* a copy in arena: the parsed path may point into it */
        size_t length;
        JsonPath *path;
    } entries[JSONPATH_CACHE_SIZE];
};

JsonPathCache *jsonpath_cache_new(Arena *arena)
{
    JsonPathCache *cache = arena_zalloc(arena, sizeof(JsonPathCache));
    if (cache != NULL) {
        cache->arena = arena;
    }
    return cache;
}

int jsonpath_parse_cached(JsonPathCache *cache, const char *text, size_t length, Arena *arena,
                          JsonPath **out, Error *err)
{
    if (cache == NULL) {
        return jsonpath_parse(text, length, arena, out, err);
    }
    for (int entry = 0; entry < cache->count; entry++) {
        if (cache->entries[entry].length == length &&
            memcmp(cache->entries[entry].text, text, length) == 0) {
            *out = cache->entries[entry].path;
            return STRATA_OK;
        }
    }
    if (cache->count == JSONPATH_CACHE_SIZE) {
        return jsonpath_parse(text, length, arena, out, err);
    }
    char *copy = arena_alloc(cache->arena, length + 1);
    if (copy == NULL) {
        return arena_error(cache->arena, err);
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    int rc = jsonpath_parse(copy, length, cache->arena, out, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    cache->entries[cache->count].text = copy;
    cache->entries[cache->count].length = length;
    cache->entries[cache->count].path = *out;
    cache->count++;
    return STRATA_OK;
}
