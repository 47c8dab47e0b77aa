/*
 * sql/deparse_int.h - private to src/sql/: the text buffer and helpers shared by
 * deparse_expr.c and deparse_stmt.c.
 *
 * The deparser prints canonical SQL: keywords upper case, every operator
 * expression parenthesized, identifiers quoted only when they must be, so that
 * parsing the text again yields the same tree (parser_test checks the fixed
 * point parse -> deparse -> parse -> deparse).
 *
 * Invariants
 *   1. A Buf that failed to grow stays failed; the final text is then NULL.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#ifndef STRATA_SQL_DEPARSE_INT_H
#define STRATA_SQL_DEPARSE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "sql/ast.h"
#include "util/arena.h"

typedef struct Buf {
    Arena *arena;
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
} Buf;

void buf_put(Buf *buf, const char *text);
void buf_putn(Buf *buf, const char *text, size_t length);
void buf_printf(Buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Where an identifier goes decides which keywords may stay unquoted. */
typedef enum IdentContext {
    IDENT_COLID, /* column, table, alias: unreserved and col_name keywords */
    IDENT_FUNC,  /* function or type name: unreserved and type_func keywords */
    IDENT_LABEL, /* after AS or '.': any keyword */
} IdentContext;

void buf_ident(Buf *buf, const char *name, IdentContext context);
void buf_string_literal(Buf *buf, const char *text, size_t length);
/* Qualified name: first part in context, later parts as labels. */
void buf_name_list(Buf *buf, const NameList *names, IdentContext first_context);

void deparse_expr(Buf *buf, const Node *node);
void deparse_expr_list(Buf *buf, const NodeList *list);
void deparse_type(Buf *buf, const TypeName *type);
void deparse_sort_list(Buf *buf, const NodeList *list);
void deparse_window(Buf *buf, const WindowDef *window);
void deparse_stmt(Buf *buf, const Node *stmt);

#endif
