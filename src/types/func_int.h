/*
 * types/func_int.h - private helpers for the function library files
 * (func_*.c); never included from outside types/.
 *
 * Each func_*.c file exports its table through one func_defs_<area>()
 * function; func.c concatenates them once into the registry.
 */
#ifndef STRATA_TYPES_FUNC_INT_H
#define STRATA_TYPES_FUNC_INT_H

#include <regex.h>
#include <string.h>

#include "types/func.h"

#define FN_ARGS const Value *args, int arg_count, Value *result, FuncContext *ctx, Error *err
#define FN(name) static int name(FN_ARGS)

/* Table helpers: F(name, result, fn, args...) for immutable strict functions. */
#define T(id) TYPE_##id
#define DEF(nm, kind_, res, fn_, vol, ...)                                                         \
    {                                                                                              \
        .name = nm, .kind = kind_, .arg_count = sizeof((TypeId[]){__VA_ARGS__}) / sizeof(TypeId),  \
        .arg_types = {__VA_ARGS__}, .result_type = res, .fn = fn_, .strict = true,                 \
        .volatility = vol                                                                          \
    }
#define F(nm, res, fn_, ...)                                                                       \
    DEF(nm, FUNC_KIND_FUNCTION, res, fn_, VOLATILITY_IMMUTABLE, __VA_ARGS__)
#define F0(nm, res, fn_, vol)                                                                      \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION, .arg_count = 0, .result_type = res, .fn = fn_,     \
        .strict = true, .volatility = vol                                                          \
    }
#define OP(nm, res, fn_, l, r)                                                                     \
    DEF(nm, FUNC_KIND_OPERATOR_INFIX, res, fn_, VOLATILITY_IMMUTABLE, l, r)
#define PREFIX(nm, res, fn_, a)                                                                    \
    DEF(nm, FUNC_KIND_OPERATOR_PREFIX, res, fn_, VOLATILITY_IMMUTABLE, a)

const FuncDef *func_defs_operators(int *count);
const FuncDef *func_defs_math(int *count);
const FuncDef *func_defs_string(int *count);
const FuncDef *func_defs_datetime(int *count);
const FuncDef *func_defs_jsonb(int *count);
const FuncDef *func_defs_array(int *count);
const FuncDef *func_defs_json_record(int *count);
const FuncDef *func_defs_jsonpath(int *count);

static inline void result_text(Value *result, const char *ptr, size_t len)
{
    *result = value_str(TYPE_TEXT, ptr, (uint32_t)len);
}

static inline void result_int(Value *result, TypeId type, int64_t v)
{
    *result = value_i64(type, v);
}

/* Text of any value (output function; bool as t/f like PostgreSQL's concat). */
int func_value_text(const Value *v, FuncContext *ctx, StrRef *out, Error *err);

/* Out of memory in ctx->arena. */
static inline int func_nomem(FuncContext *ctx, Error *err)
{
    return arena_error(ctx->arena, err);
}

/* Compiles a POSIX extended regular expression (2201B on a bad pattern);
 * the caller regfree()s it. */
int func_regex_compile(StrRef pattern, bool icase, regex_t *re, FuncContext *ctx, Error *err);

/* Vectorized kernels (func_vector.c), attached to operators by func.c. */
#define VECTOR_KERNEL(name)                                                                        \
    int name(const Vector *args, int arg_count, int row_count, const uint16_t *selection,          \
             int selected_count, Vector *result, FuncContext *ctx, Error *err)
VECTOR_KERNEL(vector_i64_eq);
VECTOR_KERNEL(vector_i64_ne);
VECTOR_KERNEL(vector_i64_lt);
VECTOR_KERNEL(vector_i64_le);
VECTOR_KERNEL(vector_i64_gt);
VECTOR_KERNEL(vector_i64_ge);
VECTOR_KERNEL(vector_f64_eq);
VECTOR_KERNEL(vector_f64_ne);
VECTOR_KERNEL(vector_f64_lt);
VECTOR_KERNEL(vector_f64_le);
VECTOR_KERNEL(vector_f64_gt);
VECTOR_KERNEL(vector_f64_ge);
VECTOR_KERNEL(vector_i64_add);
VECTOR_KERNEL(vector_i64_sub);
VECTOR_KERNEL(vector_i64_mul);
VECTOR_KERNEL(vector_f64_add);
VECTOR_KERNEL(vector_f64_sub);
VECTOR_KERNEL(vector_f64_mul);
VECTOR_KERNEL(vector_f64_div);

/* Range checks for integer results. */
int func_int_result(int64_t v, TypeId type, Value *result, Error *err);


/* An arena-backed growable string for functions that build text results
 * (string functions, json builders). Memory comes from ctx->arena; a failed
 * allocation is sticky (failed), so callers check once at the end. The data
 * is always NUL-terminated after a put. */
typedef struct TextBuilder {
    FuncContext *ctx;
    char *data;
    size_t length, cap;
    bool failed;
} TextBuilder;

/* Appends n bytes of s. */
void text_builder_put(TextBuilder *b, const char *s, size_t n);

#endif
