/*
 * types/func.h - the scalar function and operator registry, with PostgreSQL's
 * overload resolution.
 *
 * Every built-in function and operator is a FuncDef in a static table (an
 * operator's name is its symbol: "+", "||", "~~", "->"). The binder resolves
 * a call with func_resolve / oper_resolve, casts argument i to
 * match.arg_targets[i] (value_cast, implicit context) and the executor calls
 * func_invoke (or def->fn directly) row by row, or def->vector_fn over a batch
 * when the definition has one.
 *
 * Resolution follows PostgreSQL's "Type Conversion" chapter (func_select_candidate):
 *   1. candidates with the name and a matching argument count (variadic ones
 *      expanded);
 *   2. an exact match wins (for operators, an unknown literal beside a known
 *      type is first assumed to be of that type);
 *   3. keep candidates every argument converts to implicitly (unknown converts
 *      to anything);
 *   4. keep those with the most exact matches, then the most preferred types
 *      at coerced positions;
 *   5. for unknown arguments: prefer candidates taking the string category
 *      there, else the one category all candidates agree on (preferring
 *      preferred types); then assume unknowns have the type of the known
 *      arguments when those are all the same;
 *   6. one candidate left: match; several: 42725 `function f(unknown) is not
 *      unique` / `operator is not unique: unknown + unknown`; none: 42883.
 *
 * Polymorphic definitions take TYPE_ANYARRAY (any array type, or an untyped
 * literal) and TYPE_ANYELEMENT (any non-array type) parameters and may return
 * either: the element type comes from the first known anyarray argument, else
 * from the first known anyelement argument (else text), and every polymorphic
 * position is cast to it (PostgreSQL's anycompatible family, simplified).
 *
 * Invariants
 *   1. The tables are immutable after load: resolution and calls are
 *      thread-safe.
 *   2. A strict function is never called with a NULL argument: func_invoke
 *      returns NULL of the result type instead.
 *   3. fn receives arguments already cast to def->arg_types (ids; typmods are
 *      the binder's) and sets result->type.
 *
 * See src/types/README.md for the list of functions and operators.
 */
#ifndef STRATA_TYPES_FUNC_H
#define STRATA_TYPES_FUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "types/batch.h"
#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

/* Most arguments of one call (PostgreSQL's FUNC_MAX_ARGS). */
#define FUNC_ARGS_MAX 100
/* Most declared (non-variadic) parameters of one definition. */
#define FUNC_PARAMS_MAX 8

typedef enum Volatility {
    VOLATILITY_IMMUTABLE = 0, /* same inputs, same result, forever: fold at plan time */
    VOLATILITY_STABLE = 1,    /* fixed within a statement (now(), session time zone) */
    VOLATILITY_VOLATILE = 2,  /* may change every call (random(), clock_timestamp()) */
} Volatility;

/* What a function needs from its session and statement. The executor fills it
 * once per statement. */
typedef struct FuncContext {
    Arena *arena;                   /* results (strings) live here: per-batch or per-query */
    int64_t txn_start_micros;       /* now(), current_timestamp: transaction start, timestamptz */
    int64_t statement_start_micros; /* statement_timestamp() */
    const char *timezone;           /* session TimeZone; NULL = UTC */
    uint64_t *random_state;         /* random(), gen_random_uuid(); NULL = a process-wide source */
    const char *user_name;          /* current_user; NULL = "strata" */
    const char *session_user_name;  /* session_user; NULL = user_name */
    const char *database_name;      /* current_database(); NULL = "strata" */
    const volatile int *interrupt;  /* non-zero: cancel or timeout (pg_sleep checks it) */
    /* inet_client_addr() / _port(), inet_server_addr() / _port(): the wire
     * connection's addresses; NULL / 0 outside the server or over a Unix socket */
    const char *client_addr;
    int client_port;
    const char *server_addr;
    int server_port;
    /* txid_current() / pg_current_xact_id(): the transaction's id, assigned at
     * the first call (NULL: not available, the functions return NULL) */
    int64_t (*xact_id)(void *arg);
    void *xact_id_arg;
    /* The statement's parsed jsonpath texts (jsonpath.h), so the path functions parse
     * a constant path once, not per row; NULL = parse at every call. Owned by the
     * executor thread that runs the statement, never shared between threads. */
    struct JsonPathCache *jsonpath_cache;
} FuncContext;

/* A scalar function: args[arg_count] already of the parameter types; writes
 * result (type included). Strings in the result live in ctx->arena or are
 * borrowed from the arguments. Returns STRATA_OK or an error in err. */
typedef int (*ScalarFn)(const Value *args, int arg_count, Value *result, FuncContext *ctx,
                        Error *err);

/* Optional vectorized form. args[arg_count] are vectors of row_count rows;
 * only the rows in selection (NULL = 0..row_count-1, else selection[0..
 * selected_count-1]) are computed. result has room for row_count rows and a
 * nulls array (never NULL, zeroed by the caller); the kernel sets
 * result->nulls[row] for NULL results (strict: any NULL argument). */
typedef int (*VectorFn)(const Vector *args, int arg_count, int row_count, const uint16_t *selection,
                        int selected_count, Vector *result, FuncContext *ctx, Error *err);

/* A set-returning function as an iterator: called with *state == NULL first
 * (it allocates its state in ctx->arena), then again with the same state;
 * each call writes one row into row and sets *has_row, or sets *has_row =
 * false when done. The engine unnests it (FROM f(...) or in a select list). */
typedef int (*SetFn)(const Value *args, int arg_count, void **state, Value *row, bool *has_row,
                     FuncContext *ctx, Error *err);

typedef enum FuncVariadic {
    FUNC_VARIADIC_NONE = 0,
    FUNC_VARIADIC_ANY,  /* after the declared params, any number of arguments of any type */
    FUNC_VARIADIC_SAME, /* after the declared params, more of the last param's type */
} FuncVariadic;

typedef enum FuncKind {
    FUNC_KIND_FUNCTION = 0,
    FUNC_KIND_OPERATOR_INFIX,
    FUNC_KIND_OPERATOR_PREFIX,
} FuncKind;

typedef struct FuncDef {
    const char *name; /* lower case; an operator's symbol */
    FuncKind kind;
    int arg_count;                     /* declared parameters (FUNC_PARAMS_MAX at most) */
    TypeId arg_types[FUNC_PARAMS_MAX]; /* TYPE_UNKNOWN here = "any" (no cast) */
    FuncVariadic variadic;
    TypeId result_type;
    ScalarFn fn;        /* NULL for set-returning functions */
    SetFn set_fn;       /* non-NULL: set-returning */
    VectorFn vector_fn; /* optional */
    bool strict;        /* any NULL argument -> NULL result without calling fn */
    Volatility volatility;
    const char *commutator; /* operators: the commutator's symbol or NULL ("<" for ">") */
    const char *negator;    /* operators: the negator's symbol or NULL ("<>" for "=") */
} FuncDef;

typedef struct FuncMatch {
    const FuncDef *def;
    SqlType result_type;
    int arg_count;
    SqlType arg_targets[FUNC_ARGS_MAX]; /* the caller casts argument i to arg_targets[i] */
} FuncMatch;

/* Resolves name(arg_types...). Unknown-typed arguments are untyped literals
 * (or NULL). Errors: 42883 `function foo(integer) does not exist` with hint
 * `No function matches the given name and argument types. You might need to
 * add explicit type casts.`; 42725 `function foo(unknown) is not unique`. */
int func_resolve(const char *name, const SqlType *arg_types, int arg_count, FuncMatch *out,
                 Error *err);

/* Resolves an operator: left == NULL for a prefix operator. Errors 42883
 * `operator does not exist: text + integer` (with a hint as PostgreSQL),
 * 42725 `operator is not unique: unknown + unknown`. */
int oper_resolve(const char *op, const SqlType *left, const SqlType right, FuncMatch *out,
                 Error *err);

/* True if some function (not operator) has this name (for the binder's
 * "is this an aggregate or a function" decisions). */
bool func_name_exists(const char *name);

/* Calls the resolved function: strictness handled (NULL argument -> NULL
 * result of match->result_type), result->type set to match->result_type.
 * args must already have the target types. */
int func_invoke(const FuncMatch *match, const Value *args, int arg_count, Value *result,
                FuncContext *ctx, Error *err);

/* PostgreSQL's select_common_type for CASE, UNION, COALESCE, VALUES, IN,
 * GREATEST/LEAST, ARRAY: all unknown -> text; otherwise one category must
 * hold all known inputs (42804 `CASE types integer and text cannot be
 * matched`, with context the word used in the message), and the result is the
 * preferred or most general type of that category that all inputs convert to
 * implicitly. typmods are kept only when all inputs agree. */
int type_common(const SqlType *types, int count, const char *context, SqlType *out, Error *err);

/* Definitions behind array syntax, not callable by name: ARRAY[...] (variadic;
 * the binder casts the elements to one type and types the result),
 * a[i] (array, int4 -> element; out of range = NULL) and a[lo:hi] (array,
 * int4, int4 -> array; bounds clamped to the array). */
extern const FuncDef FUNC_ARRAY_CONSTRUCT;
/* ARRAY[ARRAY[...], ...] / ARRAY[[...], ...]: arrays of one shape stacked
 * into one more dimension (2202E for different shapes). */
extern const FuncDef FUNC_ARRAY_STACK;
/* a[i][j]...: FUNC_ARRAY_SUBSCRIPT with one index per dimension. */
extern const FuncDef FUNC_ARRAY_SUBSCRIPT;
extern const FuncDef FUNC_ARRAY_SLICE;

/* The whole table, for documentation and tests (\df-like listings). */
const FuncDef *func_table(int *count);

/* pg_proc.oid of the registry's function at index i (func_table). */
enum { PG_PROC_OID_BASE = 1000000 };

/* A FuncContext with UTC, no clock (txn start 0) and the given arena. */
static inline FuncContext func_context_default(Arena *arena)
{
    FuncContext ctx = {0};
    ctx.arena = arena;
    return ctx;
}

#endif
