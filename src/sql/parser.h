/*
 * sql/parser.h - the SQL front end: text -> AST (see ast.h), and AST -> text.
 *
 * A hand-written recursive-descent parser over a PostgreSQL-compatible lexer.
 * It accepts PostgreSQL's syntax for the statements strata supports and reports
 * syntax errors the way PostgreSQL does: SQLSTATE 42601, message
 * `syntax error at or near "X"` or `syntax error at end of input`, and the
 * 1-based character position of the offending token.
 *
 * Invariants
 *   1. Never aborts on any input: every failure is an Error with a SQLSTATE.
 *   2. The AST lives in the caller's arena; nothing is allocated elsewhere.
 *   3. Recursion is bounded by LIMIT_EXPRESSION_DEPTH (54001 beyond it) and the
 *      input by LIMIT_STATEMENT_BYTES (54000 beyond it).
 *
 * Threads: reentrant; no global mutable state.
 * See src/sql/README.md.
 */
#ifndef STRATA_SQL_PARSER_H
#define STRATA_SQL_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "sql/ast.h"
#include "util/arena.h"
#include "util/error.h"

/* Parses every statement in sql[0, length) (sql need not be NUL-terminated).
 * Nodes are allocated from arena and live as long as it. On success returns
 * STRATA_OK and sets *out (arena-owned). On a syntax error returns STRATA_ERROR
 * with SQLSTATE 42601 and err->position set; 54000 / 54001 for limits; 53200
 * (STRATA_NOMEM) when the arena runs out. */
int sql_parse(const char *sql, size_t length, Arena *arena, StmtList **out, Error *err);

/* Convenience: parses exactly one statement (a trailing ';' allowed). An empty
 * input or more than one statement is a syntax error. */
int sql_parse_one(const char *sql, size_t length, Arena *arena, Stmt **out, Error *err);

/* Parses a single expression (for DEFAULT / CHECK text stored in the catalog). */
int sql_parse_expr(const char *sql, size_t length, Arena *arena, Node **out, Error *err);

/* Finds the end of the next complete statement starting at sql[0]: a ';' outside
 * quotes ('...', E'...', "...", $tag$...$tag$) and comments (-- and nested block
 * comments); parentheses do not matter. Returns true and sets *end to the index
 * just past the ';' if a complete statement is present; false if more input is
 * needed. */
bool sql_statement_complete(const char *sql, size_t length, size_t *end);

/* The 1-based character position (UTF-8 code points) of byte_offset in sql, as
 * PostgreSQL reports positions. byte_offset < 0 gives 0 ("no position"). sql
 * must be at least byte_offset bytes long. */
int sql_char_position(const char *sql, int byte_offset);

/* Canonical SQL text for an expression / a statement (arena-owned). Deparsing
 * then parsing gives an equal tree: parse -> deparse is a fixed point after one
 * round. Returns NULL only when the arena fails. */
char *sql_deparse_expr(const Node *expr, Arena *arena);
char *sql_deparse_stmt(const Stmt *stmt, Arena *arena);

/* The canonical spelling of an identifier: bare if it is a lower-case,
 * non-reserved word, else double-quoted with "" escaping (arena-owned). */
char *sql_quote_identifier(const char *name, Arena *arena);

#endif
