/*
 * types/jsonpath.h - SQL/JSON path expressions (PostgreSQL's jsonpath), the
 * common subset: parser and evaluator over strata's binary jsonb.
 *
 * Syntax: [lax | strict] expr, where expr is $, @ (inside filters), $name
 * (a key of the vars object), literals (numbers, "strings", true, false,
 * null), accessors .key ."key" .* [n] [a to b, c] [*] [last] .** and
 * ?(predicate), the methods .type() .size() .double() .ceiling() .floor()
 * .abs(), arithmetic + - * / % (unary + -), comparisons == != <> < <= > >=,
 * && || !, exists(expr), (predicate) is unknown, like_regex "re" [flag "i"]
 * and starts with. A predicate at the top of a path yields true, false or
 * null (unknown).
 *
 * Modes as PostgreSQL: lax (the default) unwraps arrays for accessors,
 * filters, arithmetic and comparisons and ignores structural errors
 * (missing keys, accessors of the wrong kind, subscripts out of bounds);
 * strict raises them (2203A, 2203C, 22039, 22033). Errors inside a
 * predicate's operands make the predicate unknown. Arithmetic is exact
 * (numeric.h, so 38 significant digits at most).
 *
 * Invariants
 *   1. A parsed JsonPath is immutable: one may be evaluated many times, by
 *      several threads.
 *   2. Every item jsonpath_eval returns is a valid jsonb encoding.
 *
 * Errors of jsonpath_parse: 42601 `syntax error at or near "x" of jsonpath
 * input` / `syntax error at end of jsonpath input` / `@ is not allowed in
 * root expressions` / `LAST is allowed only in array subscripts`; 22P02 for
 * an empty path. Threads: pure functions. See src/types/README.md.
 */
#ifndef STRATA_TYPES_JSONPATH_H
#define STRATA_TYPES_JSONPATH_H

#include <stdbool.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

typedef struct JsonPath JsonPath;

/* Parses text into *out (arena). */
int jsonpath_parse(const char *text, size_t length, Arena *arena, JsonPath **out, Error *err);

/*
 * A statement's parsed paths, so that a path given as text (strata has no jsonpath
 * type) is parsed once per statement rather than once per row: up to
 * JSONPATH_CACHE_SIZE distinct texts, keyed by their bytes, parsed into the cache's
 * arena. Not thread-safe: each executor thread (a parallel worker too) has its own.
 */
typedef struct JsonPathCache JsonPathCache;

enum { JSONPATH_CACHE_SIZE = 8 };

/* An empty cache in arena (which must outlive the statement's execution); NULL when
 * out of memory. */
JsonPathCache *jsonpath_cache_new(Arena *arena);

/* jsonpath_parse through cache (NULL: no cache, text is parsed into arena): a text
 * seen before returns its parsed path; a new one is parsed and, while the cache has
 * room, kept (in the cache's arena), else parsed into arena. Errors are
 * jsonpath_parse's; a path that fails to parse is not kept. */
int jsonpath_parse_cached(JsonPathCache *cache, const char *text, size_t length, Arena *arena,
                          JsonPath **out, Error *err);

/* A sequence of jsonb items (arena). */
typedef struct JsonPathItems {
    StrRef *items;
    int count;
    int capacity;
} JsonPathItems;

/* Evaluates path over doc with the variables of vars (a jsonb object, or an
 * empty StrRef for none): the result sequence in *out. With silent, the
 * structural and type errors of the path become an empty result and
 * *failed is set (PostgreSQL's silent => true); other errors are returned.
 * Errors: 22023 `"vars" argument is not an object`, 42704 `could not find
 * jsonpath variable "x"`, the strict-mode errors above, 22038 for arithmetic
 * over other than one number, 22012, 2201B for a bad like_regex pattern. */
int jsonpath_eval(const JsonPath *path, StrRef doc, StrRef vars, bool silent, Arena *arena,
                  JsonPathItems *out, bool *failed, Error *err);

#endif
