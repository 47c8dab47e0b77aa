/*
 * types/func_vector.c - vectorized kernels for the hot operators: the six
 * comparisons and + - * on int64-represented values, and comparisons and
 * + - * / on doubles (see VectorFn in func.h).
 *
 * Each kernel walks the active rows (selection or 0..row_count-1), sets
 * result->nulls[row] where an argument is NULL (the operators are strict) and
 * computes the rest with the same rules as the scalar functions: integer
 * overflow checked against the result type (22003), division by zero 22012,
 * NaN greatest in float comparisons.
 */
#include <math.h>

#include "types/compare.h"
#include "types/func_int.h"

#define FOR_ACTIVE(body)                                                                           \
    for (int k = 0; k < (selection ? selected_count : row_count); k++) {                           \
        int row = selection ? selection[k] : k;                                                    \
        if (vector_is_null(&args[0], row) || vector_is_null(&args[1], row)) {                      \
            result->nulls[row] = 1;                                                                \
            continue;                                                                              \
        }                                                                                          \
        body                                                                                       \
    }

#define CMP_I64(name, op)                                                                          \
    int name(const Vector *args, int arg_count, int row_count, const uint16_t *selection,          \
             int selected_count, Vector *result, FuncContext *ctx, Error *err)                     \
    {                                                                                              \
        const int64_t *a = args[0].i64, *b = args[1].i64;                                          \
        FOR_ACTIVE(result->b[row] = a[row] op b[row];)                                             \
        return STRATA_OK;                                                                          \
    }
CMP_I64(vector_i64_eq, ==)
CMP_I64(vector_i64_ne, !=)
CMP_I64(vector_i64_lt, <)
CMP_I64(vector_i64_le, <=)
CMP_I64(vector_i64_gt, >)
CMP_I64(vector_i64_ge, >=)

#define CMP_F64(name, test)                                                                        \
    int name(const Vector *args, int arg_count, int row_count, const uint16_t *selection,          \
             int selected_count, Vector *result, FuncContext *ctx, Error *err)                     \
    {                                                                                              \
        const double *a = args[0].f64, *b = args[1].f64;                                           \
        FOR_ACTIVE(int c = compare_f64(a[row], b[row]); result->b[row] = test;)                    \
        return STRATA_OK;                                                                          \
    }
CMP_F64(vector_f64_eq, c == 0)
CMP_F64(vector_f64_ne, c != 0)
CMP_F64(vector_f64_lt, c < 0)
CMP_F64(vector_f64_le, c <= 0)
CMP_F64(vector_f64_gt, c > 0)
CMP_F64(vector_f64_ge, c >= 0)

static bool in_range(int64_t v, TypeId type)
{
    return type == TYPE_INT2   ? (v >= INT16_MIN && v <= INT16_MAX)
           : type == TYPE_INT4 ? (v >= INT32_MIN && v <= INT32_MAX)
                               : true;
}

static int overflow(TypeId type, Error *err)
{
    return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                     type == TYPE_INT2   ? "smallint"
                     : type == TYPE_INT4 ? "integer"
                                         : "bigint");
}

#define ARITH_I64(name, builtin)                                                                   \
    int name(const Vector *args, int arg_count, int row_count, const uint16_t *selection,          \
             int selected_count, Vector *result, FuncContext *ctx, Error *err)                     \
    {                                                                                              \
        const int64_t *a = args[0].i64, *b = args[1].i64;                                          \
        TypeId type = result->type.id;                                                             \
        FOR_ACTIVE(int64_t r; if (builtin(a[row], b[row], &r) || !in_range(r, type)) {             \
            return overflow(type, err);                                                            \
        } result->i64[row] = r;)                                                                   \
        return STRATA_OK;                                                                          \
    }
ARITH_I64(vector_i64_add, __builtin_add_overflow)
ARITH_I64(vector_i64_sub, __builtin_sub_overflow)
ARITH_I64(vector_i64_mul, __builtin_mul_overflow)

#define ARITH_F64(name, op, check_zero)                                                            \
    int name(const Vector *args, int arg_count, int row_count, const uint16_t *selection,          \
             int selected_count, Vector *result, FuncContext *ctx, Error *err)                     \
    {                                                                                              \
        const double *a = args[0].f64, *b = args[1].f64;                                           \
        FOR_ACTIVE(                                                                                \
            if (check_zero && b[row] == 0) {                                                       \
                return error_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");              \
            } double r = a[row] op b[row];                                                         \
            if (isinf(r) && !isinf(a[row]) && !isinf(b[row])) {                                    \
                return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,                         \
                                 "value out of range: overflow");                                  \
            } result->f64[row] = r;)                                                               \
        return STRATA_OK;                                                                          \
    }
ARITH_F64(vector_f64_add, +, false)
ARITH_F64(vector_f64_sub, -, false)
ARITH_F64(vector_f64_mul, *, false)
ARITH_F64(vector_f64_div, /, true)
