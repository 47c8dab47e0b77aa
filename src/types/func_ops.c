/*
 * types/func_ops.c - arithmetic, concatenation, LIKE and regular-expression
 * operators (see func.h; comparisons are generated in func.c).
 *
 * Integer arithmetic checks overflow against the result type (22003
 * `integer out of range`), integer division truncates toward zero, every
 * division by zero is 22012. float results that overflow are 22003
 * `value out of range: overflow`, as PostgreSQL.
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "types/func_int.h"
#include "types/numeric.h"
#include "types/typeinfo.h"

static TypeId wider_int(const Value *args)
{
    return args[0].type.id > args[1].type.id ? args[0].type.id : args[1].type.id;
}

static int int_range(int64_t v, TypeId type, Value *result, Error *err)
{
    return func_int_result(v, type, result, err);
}

static int int_overflow(TypeId type, Error *err)
{
    return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                     type == TYPE_INT2   ? "smallint"
                     : type == TYPE_INT4 ? "integer"
                                         : "bigint");
}

static int division_by_zero(Error *err)
{
    return error_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
}

FN(int_add)
{
    int64_t r;
    TypeId t = wider_int(args);
    if (__builtin_add_overflow(args[0].i64, args[1].i64, &r)) {
        return int_overflow(t, err);
    }
    return int_range(r, t, result, err);
}

FN(int_sub)
{
    int64_t r;
    TypeId t = wider_int(args);
    if (__builtin_sub_overflow(args[0].i64, args[1].i64, &r)) {
        return int_overflow(t, err);
    }
    return int_range(r, t, result, err);
}

FN(int_mul)
{
    int64_t r;
    TypeId t = wider_int(args);
    if (__builtin_mul_overflow(args[0].i64, args[1].i64, &r)) {
        return int_overflow(t, err);
    }
    return int_range(r, t, result, err);
}

FN(int_div)
{
    TypeId t = wider_int(args);
    if (args[1].i64 == 0) {
        return division_by_zero(err);
    }
    if (args[1].i64 == -1) {
        if (args[0].i64 == INT64_MIN) {
            return int_overflow(t, err);
        }
        return int_range(-args[0].i64, t, result, err);
    }
    return int_range(args[0].i64 / args[1].i64, t, result, err);
}

FN(int_mod)
{
    TypeId t = wider_int(args);
    if (args[1].i64 == 0) {
        return division_by_zero(err);
    }
    if (args[1].i64 == -1) {
        return int_range(0, t, result, err);
    }
    return int_range(args[0].i64 % args[1].i64, t, result, err);
}

FN(int_neg)
{
    if (args[0].i64 == INT64_MIN) {
        return int_overflow(args[0].type.id, err);
    }
    return int_range(-args[0].i64, args[0].type.id, result, err);
}

/* Bitwise operators on one integer type (PostgreSQL's int2and ... int8shr): the
 * operands are of the result's type; shifts take an int4 count and wrap as C
 * does on the type's width (the count is taken modulo 32, or 64 for int8). */
static int64_t int_wrap(uint64_t v, TypeId t)
{
    return t == TYPE_INT2 ? (int64_t)(int16_t)(uint16_t)v
           : t == TYPE_INT4 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
}
FN(int_and)
{
    *result = value_i64(args[0].type.id, args[0].i64 & args[1].i64);
    return STRATA_OK;
}
FN(int_or)
{
    *result = value_i64(args[0].type.id, args[0].i64 | args[1].i64);
    return STRATA_OK;
}
FN(int_xor)
{
    *result = value_i64(args[0].type.id, args[0].i64 ^ args[1].i64);
    return STRATA_OK;
}
FN(int_not)
{
    *result = value_i64(args[0].type.id, ~args[0].i64);
    return STRATA_OK;
}
FN(int_shl)
{
    TypeId t = args[0].type.id;
    unsigned count = (unsigned)args[1].i64 & (t == TYPE_INT8 ? 63u : 31u);
    *result = value_i64(t, int_wrap((uint64_t)args[0].i64 << count, t));
    return STRATA_OK;
}
FN(int_shr)
{
    TypeId t = args[0].type.id;
    unsigned count = (unsigned)args[1].i64 & (t == TYPE_INT8 ? 63u : 31u);
    /* arithmetic shift of a negative value, as PostgreSQL's >> on gcc */
    int64_t v = args[0].i64;
    *result = value_i64(t, v < 0 ? ~(~v >> count) : v >> count);
    return STRATA_OK;
}

FN(identity)
{
    *result = args[0];
    return STRATA_OK;
}

/* float: the result type is float4 only when both inputs are float4. */
static int float_result(double v, const Value *args, int arg_count, bool check_inf, Value *result,
                        Error *err)
{
    bool is_float4 =
        args[0].type.id == TYPE_FLOAT4 && (arg_count < 2 || args[1].type.id == TYPE_FLOAT4);
    if (is_float4) {
        float f = (float)v;
        if (isinf(f) && check_inf) {
            return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                             "value out of range: overflow");
        }
        v = (double)f;
    } else if (isinf(v) && check_inf) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    }
    *result = value_f64(v);
    result->type = sql_type(is_float4 ? TYPE_FLOAT4 : TYPE_FLOAT8);
    return STRATA_OK;
}

static bool any_inf(const Value *args, int n)
{
    for (int i = 0; i < n; i++) {
        if (isinf(args[i].f64)) {
            return true;
        }
    }
    return false;
}

FN(float_add)
{
    return float_result(args[0].f64 + args[1].f64, args, 2, !any_inf(args, 2), result, err);
}
FN(float_sub)
{
    return float_result(args[0].f64 - args[1].f64, args, 2, !any_inf(args, 2), result, err);
}
FN(float_mul)
{
    return float_result(args[0].f64 * args[1].f64, args, 2, !any_inf(args, 2), result, err);
}

FN(float_div)
{
    if (args[1].f64 == 0) {
        return division_by_zero(err);
    }
    return float_result(args[0].f64 / args[1].f64, args, 2, !any_inf(args, 2), result, err);
}

FN(float_neg)
{
    return float_result(-args[0].f64, args, 1, false, result, err);
}

FN(float_pow)
{
    double x = args[0].f64, y = args[1].f64;
    if (x == 0 && y < 0) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                         "zero raised to a negative power is undefined");
    }
    if (x < 0 && floor(y) != y && !isinf(y)) {
        return error_set(err, SQLSTATE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                         "a negative number raised to a non-integer power yields a complex result");
    }
    double r = pow(x, y);
    if (isinf(r) && !isinf(x) && !isinf(y)) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    }
    if (r == 0 && x != 0 && !isinf(y)) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
    }
    *result = value_f64(r);
    return STRATA_OK;
}

static void numeric_value(Value *result, Decimal d)
{
    memset(result, 0, sizeof *result);
    result->type = sql_type(TYPE_NUMERIC);
    result->dec = d;
}

#define NUMERIC_BINARY(fname, op)                                                                  \
    FN(fname)                                                                                      \
    {                                                                                              \
        Decimal d;                                                                                 \
        int rc = op(&args[0].dec, &args[1].dec, &d, err);                                          \
        if (rc == STRATA_OK) {                                                                     \
            numeric_value(result, d);                                                              \
        }                                                                                          \
        return rc;                                                                                 \
    }
NUMERIC_BINARY(num_add, numeric_add)
NUMERIC_BINARY(num_sub, numeric_sub)
NUMERIC_BINARY(num_mul, numeric_mul)
NUMERIC_BINARY(num_div, numeric_div)
NUMERIC_BINARY(num_mod, numeric_mod)
NUMERIC_BINARY(num_pow, numeric_power)

FN(num_neg)
{
    Decimal d;
    numeric_neg(&args[0].dec, &d);
    numeric_value(result, d);
    return STRATA_OK;
}

/* ---- || ---- */

static int concat_two(StrRef a, StrRef b, Value *result, FuncContext *ctx, Error *err, TypeId type)
{
    char *buf = arena_alloc(ctx->arena, (size_t)a.len + b.len + 1);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    memcpy(buf, a.ptr, a.len);
    memcpy(buf + a.len, b.ptr, b.len);
    buf[a.len + b.len] = '\0';
    *result = value_str(type, buf, a.len + b.len);
    return STRATA_OK;
}

/* The operand as text the way PostgreSQL's anynonarray || text does it: a
 * cast to text (so booleans read true/false, not t/f). */
static int as_text(const Value *v, FuncContext *ctx, StrRef *out, Error *err)
{
    if (v->type.id == TYPE_BOOL) {
        out->ptr = v->b ? "true" : "false";
        out->len = v->b ? 4 : 5;
        return STRATA_OK;
    }
    if (type_is_string(v->type.id)) {
        *out = v->str;
        if (v->type.id == TYPE_BPCHAR) {
            while (out->len > 0 && out->ptr[out->len - 1] == ' ') {
                out->len--;
            }
        }
        return STRATA_OK;
    }
    return func_value_text(v, ctx, out, err);
}

FN(text_concat)
{
    StrRef a, b;
    int rc = as_text(&args[0], ctx, &a, err);
    if (rc == STRATA_OK) {
        rc = as_text(&args[1], ctx, &b, err);
    }
    return rc != STRATA_OK ? rc : concat_two(a, b, result, ctx, err, TYPE_TEXT);
}

FN(bytea_concat)
{
    return concat_two(args[0].str, args[1].str, result, ctx, err, TYPE_BYTEA);
}

/* ---- LIKE ---- */

/* Matches UTF-8 text against a LIKE pattern; escape is the escape byte or
 * -1 for none. Case folding (ILIKE) is ASCII-only. */
static bool like_match(const char *s, size_t sn, const char *p, size_t pn, int escape, bool fold)
{
    size_t si = 0, pi = 0;
    size_t star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn) {
            char pc = p[pi];
            if (pc == '%') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            size_t char_len = 1;
            while (si + char_len < sn && ((unsigned char)s[si + char_len] & 0xC0) == 0x80) {
                char_len++;
            }
            if (pc == '_') {
                pi++;
                si += char_len;
                continue;
            }
            if (escape >= 0 && (unsigned char)pc == (unsigned char)escape && pi + 1 < pn) {
                pi++;
                pc = p[pi];
            }
            char a = s[si], b = pc;
            if (fold) {
                if (a >= 'A' && a <= 'Z') {
                    a = (char)(a - 'A' + 'a');
                }
                if (b >= 'A' && b <= 'Z') {
                    b = (char)(b - 'A' + 'a');
                }
            }
            if (a == b) {
                pi++;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1) {
            return false;
        }
        /* Backtrack: let the last % absorb one more character. */
        star_s++;
        while (star_s < sn && ((unsigned char)s[star_s] & 0xC0) == 0x80) {
            star_s++;
        }
        si = star_s;
        pi = star_p;
    }
    while (pi < pn && p[pi] == '%') {
        pi++;
    }
    return pi == pn;
}

static int like_common(const Value *args, Value *result, bool fold, bool negate)
{
    StrRef s = args[0].str, p = args[1].str;
    bool m = like_match(s.ptr, s.len, p.ptr, p.len, '\\', fold);
    *result = value_bool(m != negate);
    return STRATA_OK;
}

FN(text_like)
{
    return like_common(args, result, false, false);
}
FN(text_not_like)
{
    return like_common(args, result, false, true);
}
FN(text_ilike)
{
    return like_common(args, result, true, false);
}
FN(text_not_ilike)
{
    return like_common(args, result, true, true);
}

/* like_escape(pattern, escape): rewrites the pattern to use backslash as the
 * escape character (how LIKE ... ESCAPE 'x' is bound, as PostgreSQL). */
FN(like_escape_fn)
{
    StrRef p = args[0].str, e = args[1].str;
    if (e.len > 1) {
        return error_set(err, SQLSTATE_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
    }
    char *buf = arena_alloc(ctx->arena, 2 * (size_t)p.len + 1);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    size_t n = 0;
    for (uint32_t i = 0; i < p.len; i++) {
        char c = p.ptr[i];
        if (e.len == 1 && c == e.ptr[0]) {
            if (i + 1 < p.len) {
                buf[n++] = '\\';
                buf[n++] = p.ptr[++i];
            } else {
                return error_set(err, SQLSTATE_INVALID_ESCAPE_SEQUENCE,
                                 "LIKE pattern must not end with escape character");
            }
        } else if (c == '\\') {
            buf[n++] = '\\';
            buf[n++] = '\\';
        } else {
            buf[n++] = c;
        }
    }
    buf[n] = '\0';
    result_text(result, buf, n);
    return STRATA_OK;
}

/* ---- POSIX regular expressions ---- */

int func_regex_compile(StrRef pattern, bool icase, regex_t *re, FuncContext *ctx, Error *err)
{
    char *text = arena_strndup(ctx->arena, pattern.ptr, pattern.len);
    if (text == NULL) {
        return func_nomem(ctx, err);
    }
    int rc = regcomp(re, text, REG_EXTENDED | (icase ? REG_ICASE : 0));
    if (rc != 0) {
        char message[200];
        regerror(rc, re, message, sizeof message);
        return error_set(err, SQLSTATE_INVALID_REGULAR_EXPRESSION, "invalid regular expression: %s",
                         message);
    }
    return STRATA_OK;
}

static int regex_common(const Value *args, Value *result, FuncContext *ctx, Error *err, bool icase,
                        bool negate)
{
    regex_t re;
    int rc = func_regex_compile(args[1].str, icase, &re, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    char *subject = arena_strndup(ctx->arena, args[0].str.ptr, args[0].str.len);
    if (subject == NULL) {
        regfree(&re);
        return func_nomem(ctx, err);
    }
    bool m = regexec(&re, subject, 0, NULL, 0) == 0;
    regfree(&re);
    *result = value_bool(m != negate);
    return STRATA_OK;
}

FN(regex_match)
{
    return regex_common(args, result, ctx, err, false, false);
}
FN(regex_not_match)
{
    return regex_common(args, result, ctx, err, false, true);
}
FN(regex_imatch)
{
    return regex_common(args, result, ctx, err, true, false);
}
FN(regex_not_imatch)
{
    return regex_common(args, result, ctx, err, true, true);
}

#define INT_OPS(l, r, res)                                                                         \
    OP("+", res, int_add, l, r), OP("-", res, int_sub, l, r), OP("*", res, int_mul, l, r),         \
        OP("/", res, int_div, l, r)

static const FuncDef DEFS[] = {
    INT_OPS(T(INT2), T(INT2), T(INT2)),
    INT_OPS(T(INT4), T(INT4), T(INT4)),
    INT_OPS(T(INT8), T(INT8), T(INT8)),
    INT_OPS(T(INT2), T(INT4), T(INT4)),
    INT_OPS(T(INT4), T(INT2), T(INT4)),
    INT_OPS(T(INT2), T(INT8), T(INT8)),
    INT_OPS(T(INT8), T(INT2), T(INT8)),
    INT_OPS(T(INT4), T(INT8), T(INT8)),
    INT_OPS(T(INT8), T(INT4), T(INT8)),
    OP("%", T(INT2), int_mod, T(INT2), T(INT2)),
    OP("%", T(INT4), int_mod, T(INT4), T(INT4)),
    OP("%", T(INT8), int_mod, T(INT8), T(INT8)),
    PREFIX("-", T(INT2), int_neg, T(INT2)),
    PREFIX("-", T(INT4), int_neg, T(INT4)),
    PREFIX("-", T(INT8), int_neg, T(INT8)),
#define BIT_OPS(t)                                                                                 \
    OP("&", t, int_and, t, t), OP("|", t, int_or, t, t), OP("#", t, int_xor, t, t),                \
        PREFIX("~", t, int_not, t), OP("<<", t, int_shl, t, T(INT4)), OP(">>", t, int_shr, t, T(INT4))
    BIT_OPS(T(INT2)),
    BIT_OPS(T(INT4)),
    BIT_OPS(T(INT8)),
    PREFIX("+", T(INT2), identity, T(INT2)),
    PREFIX("+", T(INT4), identity, T(INT4)),
    PREFIX("+", T(INT8), identity, T(INT8)),
    OP("+", T(FLOAT4), float_add, T(FLOAT4), T(FLOAT4)),
    OP("-", T(FLOAT4), float_sub, T(FLOAT4), T(FLOAT4)),
    OP("*", T(FLOAT4), float_mul, T(FLOAT4), T(FLOAT4)),
    OP("/", T(FLOAT4), float_div, T(FLOAT4), T(FLOAT4)),
    OP("+", T(FLOAT8), float_add, T(FLOAT8), T(FLOAT8)),
    OP("-", T(FLOAT8), float_sub, T(FLOAT8), T(FLOAT8)),
    OP("*", T(FLOAT8), float_mul, T(FLOAT8), T(FLOAT8)),
    OP("/", T(FLOAT8), float_div, T(FLOAT8), T(FLOAT8)),
    OP("+", T(FLOAT8), float_add, T(FLOAT4), T(FLOAT8)),
    OP("-", T(FLOAT8), float_sub, T(FLOAT4), T(FLOAT8)),
    OP("*", T(FLOAT8), float_mul, T(FLOAT4), T(FLOAT8)),
    OP("/", T(FLOAT8), float_div, T(FLOAT4), T(FLOAT8)),
    OP("+", T(FLOAT8), float_add, T(FLOAT8), T(FLOAT4)),
    OP("-", T(FLOAT8), float_sub, T(FLOAT8), T(FLOAT4)),
    OP("*", T(FLOAT8), float_mul, T(FLOAT8), T(FLOAT4)),
    OP("/", T(FLOAT8), float_div, T(FLOAT8), T(FLOAT4)),
    PREFIX("-", T(FLOAT4), float_neg, T(FLOAT4)),
    PREFIX("-", T(FLOAT8), float_neg, T(FLOAT8)),
    PREFIX("+", T(FLOAT4), identity, T(FLOAT4)),
    PREFIX("+", T(FLOAT8), identity, T(FLOAT8)),
    OP("^", T(FLOAT8), float_pow, T(FLOAT8), T(FLOAT8)),
    OP("+", T(NUMERIC), num_add, T(NUMERIC), T(NUMERIC)),
    OP("-", T(NUMERIC), num_sub, T(NUMERIC), T(NUMERIC)),
    OP("*", T(NUMERIC), num_mul, T(NUMERIC), T(NUMERIC)),
    OP("/", T(NUMERIC), num_div, T(NUMERIC), T(NUMERIC)),
    OP("%", T(NUMERIC), num_mod, T(NUMERIC), T(NUMERIC)),
    OP("^", T(NUMERIC), num_pow, T(NUMERIC), T(NUMERIC)),
    PREFIX("-", T(NUMERIC), num_neg, T(NUMERIC)),
    PREFIX("+", T(NUMERIC), identity, T(NUMERIC)),
    OP("||", T(TEXT), text_concat, T(TEXT), T(TEXT)),
    /* anynonarray || text: an array beside text concatenates arrays instead */
    OP("||", T(TEXT), text_concat, TYPE_ANYELEMENT, T(TEXT)),
    OP("||", T(TEXT), text_concat, T(TEXT), TYPE_ANYELEMENT),
    OP("||", T(BYTEA), bytea_concat, T(BYTEA), T(BYTEA)),
    /* bpchar LIKE sees the blank-padded value, as PostgreSQL's bpcharlike */
    OP("~~", T(BOOL), text_like, T(BPCHAR), T(TEXT)),
    OP("!~~", T(BOOL), text_not_like, T(BPCHAR), T(TEXT)),
    OP("~~*", T(BOOL), text_ilike, T(BPCHAR), T(TEXT)),
    OP("!~~*", T(BOOL), text_not_ilike, T(BPCHAR), T(TEXT)),
    OP("~~", T(BOOL), text_like, T(TEXT), T(TEXT)),
    OP("!~~", T(BOOL), text_not_like, T(TEXT), T(TEXT)),
    OP("~~*", T(BOOL), text_ilike, T(TEXT), T(TEXT)),
    OP("!~~*", T(BOOL), text_not_ilike, T(TEXT), T(TEXT)),
    OP("~", T(BOOL), regex_match, T(TEXT), T(TEXT)),
    OP("!~", T(BOOL), regex_not_match, T(TEXT), T(TEXT)),
    OP("~*", T(BOOL), regex_imatch, T(TEXT), T(TEXT)),
    OP("!~*", T(BOOL), regex_not_imatch, T(TEXT), T(TEXT)),
    F("like_escape", T(TEXT), like_escape_fn, T(TEXT), T(TEXT)),
    F("textlike", T(BOOL), text_like, T(TEXT), T(TEXT)),
};

const FuncDef *func_defs_operators(int *count)
{
    *count = (int)(sizeof DEFS / sizeof DEFS[0]);
    return DEFS;
}
