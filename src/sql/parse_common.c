/*
 * sql/parse_common.c - token helpers, error reporting, names, type names,
 * aliases and option lists shared by every parse_*.c file.
 *
 * Invariants
 *   1. The first recorded error wins (Parser.failed); later calls are no-ops that
 *      return NULL / false, so parse functions just propagate failure.
 *   2. Syntax errors name the token as written in the source and its 1-based
 *      character position, as PostgreSQL does; at TOK_EOF the message is
 *      "syntax error at end of input".
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sql/parser_int.h"
#include "util/limits.h"

/* ---------------- errors ---------------- */

void *p_error_at(Parser *p, int token_index, const char *sqlstate, const char *message)
{
    if (p->failed) {
        return NULL;
    }
    p->failed = true;
    p->error_pos = token_index;
    Token *t = &p->tokens[token_index];
    error_set(p->err, sqlstate, "%s", message);
    error_position(p->err, sql_char_position(p->sql, t->start));
    return NULL;
}

void *p_syntax_error_at(Parser *p, int token_index)
{
    if (p->failed) {
        return NULL;
    }
    Token *t = &p->tokens[token_index];
    if (t->kind == TOK_EOF) {
        p->failed = true;
        p->error_pos = token_index;
        error_set(p->err, SQLSTATE_SYNTAX_ERROR, "syntax error at end of input");
        error_position(p->err, sql_char_position(p->sql, t->start));
        return NULL;
    }
    p->failed = true;
    p->error_pos = token_index;
    int length = t->end - t->start;
    if (length > 200) {
        length = 200;
    }
    error_set(p->err, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"%.*s\"", length,
              p->sql + t->start);
    error_position(p->err, sql_char_position(p->sql, t->start));
    return NULL;
}

void *p_syntax_error(Parser *p)
{
    return p_syntax_error_at(p, p->pos);
}

void *p_nomem(Parser *p)
{
    if (!p->failed) {
        p->failed = true;
        p->error_pos = p->pos;
        arena_error(p->arena, p->err);
    }
    return NULL;
}

bool p_enter(Parser *p)
{
    if (p->failed) {
        return false;
    }
    if (++p->depth > LIMIT_EXPRESSION_DEPTH) {
        p->depth--;
        p_error_at(p, p->pos, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
        if (p->err != NULL) {
            error_hint(p->err,
                       "Simplify the statement: expressions and subqueries may nest "
                       "at most %d levels.",
                       LIMIT_EXPRESSION_DEPTH);
        }
        return false;
    }
    return true;
}

Node *p_new_node(Parser *p, size_t size_bytes, NodeTag tag, int location)
{
    if (p->failed) {
        return NULL;
    }
    Node *node = ast_new_node(p->arena, size_bytes, tag, location);
    if (node == NULL) {
        return p_nomem(p);
    }
    return node;
}

bool p_append(Parser *p, NodeList *list, Node *item)
{
    if (p->failed || item == NULL) {
        return false;
    }
    if (node_list_append(p->arena, list, item) != STRATA_OK) {
        p_nomem(p);
        return false;
    }
    return true;
}

bool p_append_name(Parser *p, NameList *list, char *name)
{
    if (p->failed || name == NULL) {
        return false;
    }
    if (name_list_append(p->arena, list, name) != STRATA_OK) {
        p_nomem(p);
        return false;
    }
    return true;
}

char *p_strdup(Parser *p, const char *text)
{
    if (p->failed) {
        return NULL;
    }
    char *copy = arena_strdup(p->arena, text);
    if (copy == NULL) {
        return p_nomem(p);
    }
    return copy;
}

/* ---------------- token matching ---------------- */

bool p_accept_kw(Parser *p, KeywordId kw)
{
    if (p_is_kw(p, kw)) {
        p_advance(p);
        return true;
    }
    return false;
}

bool p_accept(Parser *p, TokenKind kind)
{
    if (p_is(p, kind)) {
        p_advance(p);
        return true;
    }
    return false;
}

bool p_accept_op(Parser *p, const char *op)
{
    if (p_is_op(p, op)) {
        p_advance(p);
        return true;
    }
    return false;
}

bool p_expect_kw(Parser *p, KeywordId kw)
{
    if (p->failed) {
        return false;
    }
    if (p_accept_kw(p, kw)) {
        return true;
    }
    p_syntax_error(p);
    return false;
}

bool p_expect(Parser *p, TokenKind kind)
{
    if (p->failed) {
        return false;
    }
    if (p_accept(p, kind)) {
        return true;
    }
    p_syntax_error(p);
    return false;
}

bool p_expect_op(Parser *p, const char *op)
{
    if (p->failed) {
        return false;
    }
    if (p_accept_op(p, op)) {
        return true;
    }
    p_syntax_error(p);
    return false;
}

/* ---------------- names ---------------- */

static bool word_in(Parser *p, int ahead, bool allow_col_name, bool allow_type_func,
                    bool allow_reserved)
{
    Token *t = p_peek(p, ahead);
    if (t->kind == TOK_QUOTED_IDENT) {
        return true;
    }
    if (t->kind != TOK_IDENT) {
        return false;
    }
    if (t->keyword == KW_NONE) {
        return true;
    }
    switch (keyword_category(t->keyword)) {
    case KEYWORD_UNRESERVED:
        return true;
    case KEYWORD_COL_NAME:
        return allow_col_name;
    case KEYWORD_TYPE_FUNC_NAME:
        return allow_type_func;
    case KEYWORD_RESERVED:
        return allow_reserved;
    }
    return false;
}

bool p_is_col_id(Parser *p, int ahead)
{
    return word_in(p, ahead, true, false, false);
}
bool p_is_type_func_name(Parser *p, int ahead)
{
    return word_in(p, ahead, false, true, false);
}
bool p_is_col_label(Parser *p, int ahead)
{
    return word_in(p, ahead, true, true, true);
}
bool p_is_nonreserved_word(Parser *p, int ahead)
{
    return word_in(p, ahead, true, true, false);
}

bool p_is_bare_label(Parser *p, int ahead)
{
    Token *t = p_peek(p, ahead);
    if (t->kind == TOK_QUOTED_IDENT) {
        return true;
    }
    return t->kind == TOK_IDENT && (t->keyword == KW_NONE || keyword_is_bare_label(t->keyword));
}

static char *take_word(Parser *p, bool ok)
{
    if (p->failed) {
        return NULL;
    }
    if (!ok) {
        return p_syntax_error(p);
    }
    char *text = p_tok(p)->text;
    p_advance(p);
    return text;
}

char *p_col_id(Parser *p)
{
    return take_word(p, p_is_col_id(p, 0));
}
char *p_col_label(Parser *p)
{
    return take_word(p, p_is_col_label(p, 0));
}
char *p_nonreserved_word(Parser *p)
{
    return take_word(p, p_is_nonreserved_word(p, 0));
}

/* Qualified names: ColId { '.' ColLabel } with up to three parts. */
static bool dotted_name(Parser *p, NameList *parts)
{
    char *first = p_col_id(p);
    if (!p_append_name(p, parts, first)) {
        return false;
    }
    while (p_is(p, TOK_DOT)) {
        p_advance(p);
        if (!p_append_name(p, parts, p_col_label(p))) {
            return false;
        }
    }
    return true;
}

RangeVar *p_qualified_name(Parser *p)
{
    int loc = p_loc(p);
    int first_index = p->pos;
    NameList parts = {0};
    if (!dotted_name(p, &parts)) {
        return NULL;
    }
    RangeVar *rv = P_NEW(p, RangeVar, N_RANGE_VAR, loc);
    if (rv == NULL) {
        return NULL;
    }
    switch (parts.count) {
    case 1:
        rv->name = parts.items[0];
        break;
    case 2:
        rv->schema = parts.items[0];
        rv->name = parts.items[1];
        break;
    case 3:
        rv->catalog = parts.items[0];
        rv->schema = parts.items[1];
        rv->name = parts.items[2];
        break;
    default:
        return p_error_at(p, first_index, SQLSTATE_SYNTAX_ERROR,
                          "improper qualified name (too many dotted names)");
    }
    return rv;
}

QualifiedName *p_any_name(Parser *p)
{
    QualifiedName *name = P_NEW(p, QualifiedName, N_QUALIFIED_NAME, p_loc(p));
    if (name == NULL || !dotted_name(p, &name->parts)) {
        return NULL;
    }
    return name;
}

bool p_name_list(Parser *p, NameList *out)
{
    do {
        if (!p_append_name(p, out, p_col_id(p))) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return true;
}

bool p_paren_name_list(Parser *p, NameList *out)
{
    return p_expect(p, TOK_LPAREN) && p_name_list(p, out) && p_expect(p, TOK_RPAREN);
}

char *p_string(Parser *p)
{
    if (p->failed) {
        return NULL;
    }
    if (!p_is(p, TOK_STRING)) {
        return p_syntax_error(p);
    }
    char *text = p_tok(p)->text;
    p_advance(p);
    return text;
}

bool p_signed_int(Parser *p, int64_t *out)
{
    if (p->failed) {
        return false;
    }
    bool negative = false;
    if (p_is_op(p, "-") || p_is_op(p, "+")) {
        negative = p_is_op(p, "-");
        p_advance(p);
    }
    if (!p_is(p, TOK_INTEGER)) {
        p_syntax_error(p);
        return false;
    }
    errno = 0;
    long long value = strtoll(p_tok(p)->text, NULL, 10);
    if (errno != 0) {
        p_error_at(p, p->pos, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
        return false;
    }
    p_advance(p);
    *out = negative ? -value : value;
    return true;
}

/* ---------------- aliases ---------------- */

Alias *p_opt_alias(Parser *p, bool allow_columns)
{
    int loc = p_loc(p);
    char *name;
    if (p_accept_kw(p, KW_AS)) {
        name = p_col_id(p);
    } else if (p_is_col_id(p, 0)) {
        name = p_col_id(p);
    } else {
        return NULL;
    }
    if (name == NULL) {
        return NULL;
    }
    Alias *alias = P_NEW(p, Alias, N_ALIAS, loc);
    if (alias == NULL) {
        return NULL;
    }
    alias->name = name;
    if (allow_columns && p_is(p, TOK_LPAREN)) {
        if (!p_paren_name_list(p, &alias->columns)) {
            return NULL;
        }
    }
    return alias;
}

/* ---------------- option lists ---------------- */

DefElem *p_make_def(Parser *p, const char *name, const char *word, Node *arg, int loc)
{
    DefElem *def = P_NEW(p, DefElem, N_DEF_ELEM, loc);
    if (def == NULL) {
        return NULL;
    }
    def->name = p_strdup(p, name);
    def->word = word != NULL ? p_strdup(p, word) : NULL;
    def->arg = arg;
    return p->failed ? NULL : def;
}

/* An option value: number, string, word, or nothing (before ',' / ')'). */
DefElem *p_def_elem_value(Parser *p, char *name, int loc)
{
    if (p_is(p, TOK_COMMA) || p_is(p, TOK_RPAREN)) {
        return p_make_def(p, name, NULL, NULL, loc);
    }
    if (p_is(p, TOK_STRING)) {
        Const *c = p_make_string_const(p, p_tok(p)->text, p_loc(p));
        p_advance(p);
        return c == NULL ? NULL : p_make_def(p, name, NULL, (Node *)c, loc);
    }
    if (p_is(p, TOK_INTEGER) || p_is(p, TOK_NUMERIC) || p_is_op(p, "-") || p_is_op(p, "+")) {
        /* NumericOnly: a number with an optional sign, nothing else */
        bool signed_number = p_is_op(p, "-") || p_is_op(p, "+");
        TokenKind number = p_peek(p, signed_number ? 1 : 0)->kind;
        if (number != TOK_INTEGER && number != TOK_NUMERIC) {
            return p_syntax_error_at(p, p->pos + 1);
        }
        Node *value = p_expr_level(p, 13);
        return value == NULL ? NULL : p_make_def(p, name, NULL, value, loc);
    }
    if (p_is(p, TOK_IDENT) || p_is(p, TOK_QUOTED_IDENT)) {
        char *word = p_tok(p)->text;
        p_advance(p);
        return p_make_def(p, name, word, NULL, loc);
    }
    if (p_is_op(p, "*")) {
        p_advance(p);
        return p_make_def(p, name, "*", NULL, loc);
    }
    return p_syntax_error(p);
}

bool p_def_list(Parser *p, NodeList *out)
{
    if (!p_expect(p, TOK_LPAREN)) {
        return false;
    }
    do {
        int loc = p_loc(p);
        char *name = p_col_label(p);
        if (name == NULL) {
            return false;
        }
        p_accept_op(p, "=");
        if (!p_append(p, out, (Node *)p_def_elem_value(p, name, loc))) {
            return false;
        }
    } while (p_accept(p, TOK_COMMA));
    return p_expect(p, TOK_RPAREN);
}

/* ---------------- type names ---------------- */

static TypeName *new_type(Parser *p, const char *name, int loc)
{
    TypeName *type = P_NEW(p, TypeName, N_TYPE_NAME, loc);
    if (type == NULL) {
        return NULL;
    }
    type->name = p_strdup(p, name);
    return p->failed ? NULL : type;
}

/* ( expr, ... ) type modifiers. */
static bool typmods(Parser *p, TypeName *type)
{
    if (!p_is(p, TOK_LPAREN)) {
        return true;
    }
    p_advance(p);
    if (!p_expr_list(p, &type->typmods)) {
        return false;
    }
    return p_expect(p, TOK_RPAREN);
}

static bool add_int_typmod(Parser *p, TypeName *type, int64_t value)
{
    return p_append(p, &type->typmods, (Node *)p_make_int_const(p, value, -1));
}

static bool opt_varying(Parser *p)
{
    return p_accept_kw(p, KW_VARYING);
}

/* WITH TIME ZONE -> true; WITHOUT TIME ZONE or nothing -> false. */
static bool opt_timezone(Parser *p, bool *with_zone)
{
    *with_zone = false;
    if (p_is_kw(p, KW_WITH) && p_peek_kw(p, 1, KW_TIME)) {
        p_advance(p);
        *with_zone = true;
    } else if (p_is_kw(p, KW_WITHOUT)) {
        p_advance(p);
    } else {
        return true;
    }
    return p_expect_kw(p, KW_TIME) && p_expect_kw(p, KW_ZONE);
}

static bool interval_field(Parser *p, int *bit)
{
    static const struct {
        KeywordId kw;
        int bit;
    } fields[] = {{KW_YEAR, INTERVAL_YEAR},     {KW_MONTH, INTERVAL_MONTH},
                  {KW_DAY, INTERVAL_DAY},       {KW_HOUR, INTERVAL_HOUR},
                  {KW_MINUTE, INTERVAL_MINUTE}, {KW_SECOND, INTERVAL_SECOND}};
    for (size_t index = 0; index < sizeof(fields) / sizeof(fields[0]); index++) {
        if (p_is_kw(p, fields[index].kw)) {
            p_advance(p);
            *bit = fields[index].bit;
            return true;
        }
    }
    return false;
}

/* INTERVAL fields: YEAR | ... | SECOND [(p)] | a TO b. */
bool p_interval_fields(Parser *p, TypeName *type)
{
    int first;
    if (!interval_field(p, &first)) {
        return true;
    }
    type->interval_fields = first;
    if (p_accept_kw(p, KW_TO)) {
        int last;
        if (!interval_field(p, &last)) {
            p_syntax_error(p);
            return false;
        }
        /* Every field from first to last, as PostgreSQL's INTERVAL_MASK ranges. */
        for (int bit = first; bit <= last; bit <<= 1) {
            type->interval_fields |= bit;
        }
    }
    if (type->interval_fields & INTERVAL_SECOND) {
        return typmods(p, type);
    }
    return true;
}

static TypeName *character_type(Parser *p, int loc, bool is_char_keyword)
{
    bool varying = opt_varying(p);
    TypeName *type = new_type(p, varying ? "varchar" : "bpchar", loc);
    if (type == NULL || !typmods(p, type)) {
        return NULL;
    }
    if (!varying && type->typmods.count == 0 && is_char_keyword) {
        add_int_typmod(p, type, 1);
    }
    return p->failed ? NULL : type;
}

static TypeName *float_type(Parser *p, int loc)
{
    if (!p_is(p, TOK_LPAREN)) {
        return new_type(p, "float8", loc);
    }
    p_advance(p);
    int index = p->pos;
    int64_t precision;
    if (!p_signed_int(p, &precision) || !p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    if (precision < 1) {
        return p_error_at(p, index, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "precision for type float must be at least 1 bit");
    }
    if (precision > 53) {
        return p_error_at(p, index, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "precision for type float must be less than 54 bits");
    }
    return new_type(p, precision <= 24 ? "float4" : "float8", loc);
}

static TypeName *datetime_type(Parser *p, int loc, bool is_time)
{
    TypeName *type = new_type(p, "", loc);
    if (type == NULL || !typmods(p, type)) {
        return NULL;
    }
    bool with_zone;
    if (!opt_timezone(p, &with_zone)) {
        return NULL;
    }
    const char *name =
        is_time ? (with_zone ? "timetz" : "time") : (with_zone ? "timestamptz" : "timestamp");
    type->name = p_strdup(p, name);
    return p->failed ? NULL : type;
}

/* Canonical names for generic (identifier) type names. */
static const char *canonical_generic(const char *name)
{
    static const char *const map[][2] = {
        {"serial", "serial4"},  {"bigserial", "serial8"}, {"smallserial", "serial2"},
        {"boolean", "bool"},    {"int", "int4"},          {"integer", "int4"},
        {"smallint", "int2"},   {"bigint", "int8"},       {"real", "float4"},
        {"decimal", "numeric"}, {"character", "bpchar"},
    };
    for (size_t index = 0; index < sizeof(map) / sizeof(map[0]); index++) {
        if (strcmp(name, map[index][0]) == 0) {
            return map[index][1];
        }
    }
    return name;
}

/* SimpleTypename without array bounds. */
/* A type name that is a single keyword with no modifiers. */
static const char *plain_keyword_type(KeywordId kw)
{
    switch (kw) {
    case KW_INT:
    case KW_INTEGER:
        return "int4";
    case KW_SMALLINT:
        return "int2";
    case KW_BIGINT:
        return "int8";
    case KW_REAL:
        return "float4";
    case KW_BOOLEAN:
        return "bool";
    default:
        return NULL;
    }
}

static TypeName *bit_type(Parser *p, int loc)
{
    bool varying = opt_varying(p);
    TypeName *type = new_type(p, varying ? "varbit" : "bit", loc);
    if (type == NULL || !typmods(p, type)) {
        return NULL;
    }
    if (!varying && type->typmods.count == 0) {
        add_int_typmod(p, type, 1);
    }
    return p->failed ? NULL : type;
}

static TypeName *interval_type(Parser *p, int loc)
{
    TypeName *type = new_type(p, "interval", loc);
    if (type == NULL) {
        return NULL;
    }
    if (p_is(p, TOK_LPAREN)) {
        return typmods(p, type) ? type : NULL;
    }
    return p_interval_fields(p, type) ? type : NULL;
}

static TypeName *with_typmods(Parser *p, const char *name, int loc)
{
    TypeName *type = new_type(p, name, loc);
    return type != NULL && typmods(p, type) ? type : NULL;
}

/* SQL-standard type spellings that are keywords; *handled false if none. */
static TypeName *keyword_type(Parser *p, bool *handled)
{
    int loc = p_loc(p);
    KeywordId kw = p_tok(p)->keyword;
    *handled = true;
    const char *plain = plain_keyword_type(kw);
    if (plain != NULL) {
        p_advance(p);
        return new_type(p, plain, loc);
    }
    if (kw == KW_DOUBLE && p_peek_kw(p, 1, KW_PRECISION)) {
        p_advance(p);
        p_advance(p);
        return new_type(p, "float8", loc);
    }
    if (kw == KW_NATIONAL) {
        p_advance(p);
        if (!p_accept_kw(p, KW_CHARACTER) && !p_accept_kw(p, KW_CHAR)) {
            return p_syntax_error(p);
        }
        return character_type(p, loc, true);
    }
    switch (kw) {
    case KW_FLOAT:
        p_advance(p);
        return float_type(p, loc);
    case KW_DECIMAL:
    case KW_DEC:
    case KW_NUMERIC:
        p_advance(p);
        return with_typmods(p, "numeric", loc);
    case KW_CHARACTER:
    case KW_CHAR:
    case KW_NCHAR:
        p_advance(p);
        return character_type(p, loc, true);
    case KW_VARCHAR:
        p_advance(p);
        return with_typmods(p, "varchar", loc);
    case KW_BIT:
        p_advance(p);
        return bit_type(p, loc);
    case KW_TIME:
        p_advance(p);
        return datetime_type(p, loc, true);
    case KW_TIMESTAMP:
        p_advance(p);
        return datetime_type(p, loc, false);
    case KW_INTERVAL:
        p_advance(p);
        return interval_type(p, loc);
    default:
        *handled = false;
        return NULL;
    }
}

/* SimpleTypename without array bounds. */
static TypeName *simple_type(Parser *p)
{
    int loc = p_loc(p);
    if (p_tok(p)->kind == TOK_IDENT) {
        bool handled;
        TypeName *type = keyword_type(p, &handled);
        if (handled) {
            return type;
        }
    }
    /* GenericType: type_function_name [. attrs] [typmods] */
    if (!p_is_type_func_name(p, 0)) {
        return p_syntax_error(p);
    }
    char *first = p_tok(p)->text;
    bool quoted = p_tok(p)->kind == TOK_QUOTED_IDENT;
    p_advance(p);
    TypeName *type = new_type(p, quoted ? first : canonical_generic(first), loc);
    if (type == NULL) {
        return NULL;
    }
    if (p_is(p, TOK_DOT)) {
        p_advance(p);
        char *second = p_col_label(p);
        if (second == NULL) {
            return NULL;
        }
        type->schema = first;
        type->name = second;
    }
    return typmods(p, type) ? type : NULL;
}

TypeName *p_type_name(Parser *p)
{
    if (p->failed) {
        return NULL;
    }
    p_accept_kw(p, KW_SETOF);
    TypeName *type = simple_type(p);
    if (type == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_ARRAY)) {
        type->array_dims = 1;
        if (p_accept(p, TOK_LBRACKET)) {
            if (p_is(p, TOK_INTEGER)) {
                p_advance(p);
            }
            if (!p_expect(p, TOK_RBRACKET)) {
                return NULL;
            }
        }
        return type;
    }
    while (p_is(p, TOK_LBRACKET)) {
        p_advance(p);
        if (p_is(p, TOK_INTEGER)) {
            p_advance(p);
        }
        if (!p_expect(p, TOK_RBRACKET)) {
            return NULL;
        }
        type->array_dims++;
    }
    return type;
}

/* ---------------- backtracking ---------------- */

bool p_backtrack(Parser *p, ParseMark mark)
{
    if (p->failed) {
        if (p->err == NULL || strcmp(p->err->sqlstate, SQLSTATE_SYNTAX_ERROR) != 0) {
            return false;
        }
        if (p->error_pos > p->furthest_pos) {
            error_copy(p->furthest, p->err);
            p->furthest_pos = p->error_pos;
        }
        p->failed = false;
        error_clear(p->err);
    }
    p->pos = mark.pos;
    p->depth = mark.depth;
    return true;
}
