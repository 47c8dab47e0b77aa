/*
 * sql/parser_int.h - private to src/sql/: tokens, the lexer, and the Parser state
 * shared by the parse_*.c files. Never included from outside the folder.
 *
 * The lexer turns the whole input into an array of tokens first (lexer.c); the
 * parser then walks the array with unlimited lookahead. Parse functions return
 * the node they built or NULL after recording an error in the Parser (the first
 * error wins); callers propagate NULL upwards.
 *
 * Invariants
 *   1. tokens[count - 1] is TOK_EOF, whose start is the input length, so lookahead
 *      past the end always sees TOK_EOF.
 *   2. Token text is arena-owned: identifiers folded (unless quoted), strings
 *      decoded, numbers and operators as written.
 *   3. Parser.depth counts nested expression / query recursion; above
 *      LIMIT_EXPRESSION_DEPTH the parse fails with SQLSTATE 54001.
 *
 * Threads: a Parser is used by one thread. See src/sql/README.md.
 */
#ifndef STRATA_SQL_PARSER_INT_H
#define STRATA_SQL_PARSER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql/ast.h"
#include "sql/parser.h"
#include "util/arena.h"
#include "util/error.h"

/* ---- keywords (keywords.c) ---- */

typedef enum KeywordCategory {
    KEYWORD_UNRESERVED,
    KEYWORD_COL_NAME,
    KEYWORD_TYPE_FUNC_NAME,
    KEYWORD_RESERVED,
} KeywordCategory;

typedef enum KeywordId {
    KW_NONE = 0,
#define KEYWORD(text, id, category, bare) id,
#include "sql/keywords.h"
    KW_COUNT
} KeywordId;

/* The keyword for a folded (lower-case) word of length bytes, or KW_NONE. */
KeywordId keyword_lookup(const char *word, size_t length);
KeywordCategory keyword_category(KeywordId id);
bool keyword_is_bare_label(KeywordId id);
const char *keyword_text(KeywordId id);
/* True if the keyword list is sorted and unique (checked by the tests). */
bool keyword_list_is_sorted(void);

/* ---- tokens (lexer.c) ---- */

typedef enum TokenKind {
    TOK_EOF = 0,
    TOK_IDENT,        /* unquoted word; keyword says whether it is a keyword */
    TOK_QUOTED_IDENT, /* "..." (never a keyword) */
    TOK_INTEGER,      /* digits */
    TOK_NUMERIC,      /* digits with '.' or exponent */
    TOK_STRING,       /* '...', E'...', U&'...', $$...$$, N'...' (decoded) */
    TOK_BIT_STRING,   /* B'...' (text: the digits) */
    TOK_HEX_STRING,   /* X'...' (text: the digits) */
    TOK_PARAM,        /* $n */
    TOK_OP,           /* operator: + - * / < > = <= >= <> != || ... */
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_LBRACKET,
    TOK_RBRACKET,
    TOK_COMMA,
    TOK_SEMICOLON,
    TOK_COLON,    /* : (array slices) */
    TOK_TYPECAST, /* :: */
    TOK_DOT,
    TOK_COLON_EQUALS,   /* := */
    TOK_EQUALS_GREATER, /* => */
} TokenKind;

typedef struct Token {
    TokenKind kind;
    KeywordId keyword; /* TOK_IDENT only; KW_NONE for plain identifiers */
    int start;         /* byte offset of the first byte */
    int end;           /* byte offset just past the token */
    char *text;        /* see invariant 2 */
    size_t text_length;
    int param_number; /* TOK_PARAM */
} Token;

typedef struct TokenArray {
    Token *items;
    int count;
} TokenArray;

/* Checks that text[0, length) is valid UTF-8 without NUL bytes; otherwise sets
 * SQLSTATE 22021 `invalid byte sequence for encoding "UTF8": 0x..` with the
 * given position (0 = none) and returns its code. */
int sql_check_encoding(const char *text, size_t length, Error *err, int position);

/* Tokenizes sql[0, length). On a lexical error (unterminated string, bad
 * escape, ...) returns STRATA_ERROR with SQLSTATE 42601 (or 22025 / 22P05 as
 * PostgreSQL) and a position. Tokens are arena-owned. */
int lexer_tokenize(const char *sql, size_t length, Arena *arena, TokenArray *out, Error *err);

/* ---- the parser state ---- */

typedef struct Parser {
    const char *sql;
    size_t length;
    Arena *arena;
    Token *tokens;
    int count;
    int pos; /* index of the current token */
    int depth;
    bool failed;
    Error *err;
    int error_pos;          /* token index of the recorded error (for backtracking choice) */
    uint8_t *select_failed; /* per token: a parenthesized-select attempt failed here */
    /* per token, allocated on first use: a parenthesized query parsed here, and
     * the token index after its ')'. Reused when backtracking re-reads the same
     * text, so nested parentheses cost linear, not quadratic, time (the node is
     * never mutated afterwards; see select_primary). */
    SelectStmt **select_done;
    int *select_done_end;
    bool lex_failed; /* the lexer stopped at the last token with lex_error */
    Error *lex_error;
    Error *furthest;  /* the furthest syntax error discarded by backtracking */
    int furthest_pos; /* its token index, -1 if none */
} Parser;

/* Speculative parsing: p_mark saves the position, p_backtrack restores it after a
 * failed attempt (only syntax errors are discarded; the furthest one is kept for
 * reporting). Returns false if the failure must propagate (limits, memory). */
typedef struct ParseMark {
    int pos;
    int depth;
} ParseMark;
static inline ParseMark p_mark(Parser *p)
{
    return (ParseMark){p->pos, p->depth};
}
bool p_backtrack(Parser *p, ParseMark mark);

/* Token access. */
static inline Token *p_tok(Parser *p)
{
    return &p->tokens[p->pos];
}
static inline Token *p_peek(Parser *p, int ahead)
{
    int index = p->pos + ahead;
    return &p->tokens[index < p->count ? index : p->count - 1];
}
static inline bool p_is_kw(Parser *p, KeywordId kw)
{
    return p->tokens[p->pos].kind == TOK_IDENT && p->tokens[p->pos].keyword == kw;
}
static inline bool p_peek_kw(Parser *p, int ahead, KeywordId kw)
{
    Token *t = p_peek(p, ahead);
    return t->kind == TOK_IDENT && t->keyword == kw;
}
static inline bool p_is(Parser *p, TokenKind kind)
{
    return p->tokens[p->pos].kind == kind;
}
static inline bool p_is_op(Parser *p, const char *op);
static inline void p_advance(Parser *p)
{
    if (p->pos < p->count - 1) {
        p->pos++;
    }
}
static inline int p_loc(Parser *p)
{
    return p->tokens[p->pos].start;
}

bool p_accept_kw(Parser *p, KeywordId kw);
bool p_accept(Parser *p, TokenKind kind);
bool p_accept_op(Parser *p, const char *op);
/* Expect or fail with a syntax error at the current token. */
bool p_expect_kw(Parser *p, KeywordId kw);
bool p_expect(Parser *p, TokenKind kind);
bool p_expect_op(Parser *p, const char *op);

/* Records `syntax error at or near "X"` at the current token (first error wins). */
void *p_syntax_error(Parser *p);
void *p_syntax_error_at(Parser *p, int token_index);
/* Records a 42601 error with a custom message at a token. */
void *p_error_at(Parser *p, int token_index, const char *sqlstate, const char *message);
/* Records the arena's failure (53200). */
void *p_nomem(Parser *p);
/* Depth guard: enter returns false (error recorded) when too deep. */
bool p_enter(Parser *p);
static inline void p_leave(Parser *p)
{
    p->depth--;
}

/* Node helpers that record NOMEM on failure. */
#define P_NEW(p, Type, tag, loc) ((Type *)p_new_node((p), sizeof(Type), (tag), (loc)))
Node *p_new_node(Parser *p, size_t size_bytes, NodeTag tag, int location);
bool p_append(Parser *p, NodeList *list, Node *item);
bool p_append_name(Parser *p, NameList *list, char *name);
char *p_strdup(Parser *p, const char *text);

/* ---- names (parse_common.c) ---- */

/* ColId: identifier, quoted identifier, unreserved or col_name keyword. */
bool p_is_col_id(Parser *p, int ahead);
char *p_col_id(Parser *p);
/* type_function_name: identifier, unreserved or type_func_name keyword. */
bool p_is_type_func_name(Parser *p, int ahead);
/* ColLabel: any identifier or keyword (after AS, after '.'). */
bool p_is_col_label(Parser *p, int ahead);
char *p_col_label(Parser *p);
/* BareColLabel: identifier or bare-label keyword (alias without AS). */
bool p_is_bare_label(Parser *p, int ahead);
/* NonReservedWord: identifier, unreserved, col_name or type_func_name keyword. */
bool p_is_nonreserved_word(Parser *p, int ahead);
char *p_nonreserved_word(Parser *p);
/* [schema.]name as a RangeVar (no alias). */
RangeVar *p_qualified_name(Parser *p);
QualifiedName *p_any_name(Parser *p);
bool p_name_list(Parser *p, NameList *out);       /* ColId, ColId, ... */
bool p_paren_name_list(Parser *p, NameList *out); /* ( ColId, ... ) */
/* Type names: Typename with array bounds; true if the current tokens start one. */
TypeName *p_type_name(Parser *p);
/* INTERVAL field qualifiers (YEAR, DAY TO SECOND, ...) after a type or literal. */
bool p_interval_fields(Parser *p, TypeName *type);
/* Alias after a FROM item: [AS] name [(cols)]; NULL (no error) if absent. */
Alias *p_opt_alias(Parser *p, bool allow_columns);
/* String constant (Sconst); NULL + error if the token is not a string. */
char *p_string(Parser *p);
/* Signed integer constant; false + error otherwise. */
bool p_signed_int(Parser *p, int64_t *out);
/* name [= value] option lists: WITH (a = 1, b) etc. */
bool p_def_list(Parser *p, NodeList *out);
DefElem *p_def_elem_value(Parser *p, char *name, int loc);
DefElem *p_make_def(Parser *p, const char *name, const char *word, Node *arg, int loc);

/* ---- expressions (parse_expr.c) ---- */
Node *p_expr(Parser *p);                  /* a_expr */
Node *p_expr_level(Parser *p, int level); /* a_expr above a precedence level */
bool p_expr_list(Parser *p, NodeList *out);
Const *p_make_string_const(Parser *p, const char *text, int loc);
Const *p_make_int_const(Parser *p, int64_t value, int loc);
/* True if the token after any '(' is SELECT / VALUES / WITH / TABLE. */
bool p_starts_select_in_parens(Parser *p);
bool p_sort_list(Parser *p, NodeList *out); /* after ORDER BY */
WindowDef *p_window_spec(Parser *p);        /* ( ... ) */

/* ---- queries (parse_select.c) ---- */
bool p_starts_select(Parser *p);
SelectStmt *p_select(Parser *p); /* select_no_parens or select_with_parens */
SelectStmt *p_select_with_parens(Parser *p);
WithClause *p_with_clause(Parser *p);
bool p_from_list(Parser *p, NodeList *out);
Node *p_table_ref(Parser *p);
bool p_target_list(Parser *p, NodeList *out);
RangeVar *p_relation_opt_alias(Parser *p, bool is_update);

/* ---- statements ---- */
Stmt *p_statement(Parser *p);                /* parser.c: dispatch */
Stmt *p_insert(Parser *p, WithClause *with); /* parse_dml.c */
Stmt *p_update(Parser *p, WithClause *with);
Stmt *p_delete(Parser *p, WithClause *with);
Stmt *p_create(Parser *p); /* parse_ddl.c */
Stmt *p_drop(Parser *p);
Stmt *p_alter(Parser *p);
Stmt *p_truncate(Parser *p);
Stmt *p_comment(Parser *p);
Stmt *p_grant(Parser *p, bool is_grant);
Stmt *p_refresh(Parser *p);
ColumnDef *p_column_def(Parser *p);
/* COLLATE and column constraints after a column name (and type). */
bool p_column_constraints(Parser *p, ColumnDef *column);
Constraint *p_table_constraint(Parser *p);
bool p_is_table_constraint_start(Parser *p);
Stmt *p_role_stmt(Parser *p, RoleAction action, int loc); /* parse_admin.c */
Stmt *p_transaction(Parser *p);                           /* parse_utility.c */
Stmt *p_set(Parser *p);
Stmt *p_reset(Parser *p);
Stmt *p_show(Parser *p);
Stmt *p_prepare(Parser *p);
Stmt *p_execute(Parser *p);
Stmt *p_deallocate(Parser *p);
Stmt *p_explain(Parser *p);
Stmt *p_copy(Parser *p);
Stmt *p_vacuum(Parser *p, bool is_vacuum);
Stmt *p_misc(Parser *p); /* CHECKPOINT, DISCARD, LISTEN, ... */

static inline bool p_is_op(Parser *p, const char *op)
{
    Token *t = &p->tokens[p->pos];
    if (t->kind != TOK_OP) {
        return false;
    }
    size_t index = 0;
    while (op[index] != '\0' && index < t->text_length && op[index] == t->text[index]) {
        index++;
    }
    return op[index] == '\0' && index == t->text_length;
}

#endif
