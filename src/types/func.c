/*
 * types/func.c - the function and operator registry and PostgreSQL's
 * overload resolution (see func.h for the rules and their steps).
 *
 * The registry is the concatenation of the per-area tables (func_*.c) plus
 * generated comparison operators for every comparable type; it is built once
 * (pthread_once) and never changes, so lookups need no lock.
 */
#include "types/func.h"

#include "types/enumtype.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "types/cast.h"
#include "types/compare.h"
#include "types/func_int.h"
#include "types/numeric.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/mem.h"

/* ---- comparison operators, generated for every comparable type ---- */

#define CMP_FN(fname, test)                                                                        \
    static int fname(FN_ARGS)                                                                      \
    {                                                                                              \
        int c = value_compare(&args[0], &args[1]);                                                 \
        *result = value_bool(test);                                                                \
        return STRATA_OK;                                                                          \
    }
CMP_FN(cmp_eq, c == 0)
CMP_FN(cmp_ne, c != 0)
CMP_FN(cmp_lt, c < 0)
CMP_FN(cmp_le, c <= 0)
CMP_FN(cmp_gt, c > 0)
CMP_FN(cmp_ge, c >= 0)

static const struct {
    const char *name, *commutator, *negator;
    ScalarFn fn;
    VectorFn vector_i64, vector_f64;
} COMPARISONS[] = {
    {"=", "=", "<>", cmp_eq, vector_i64_eq, vector_f64_eq},
    {"<>", "<>", "=", cmp_ne, vector_i64_ne, vector_f64_ne},
    {"<", ">", ">=", cmp_lt, vector_i64_lt, vector_f64_lt},
    {"<=", ">=", ">", cmp_le, vector_i64_le, vector_f64_le},
    {">", "<", "<=", cmp_gt, vector_i64_gt, vector_f64_gt},
    {">=", "<=", "<", cmp_ge, vector_i64_ge, vector_f64_ge},
};

/* Kernels apply when both sides have the same physical kind and compare as
 * raw values: int64-represented types (except date vs timestamp, which need
 * scaling) and float4/float8. */
static VectorFn comparison_kernel(int op, TypeId left, TypeId right)
{
    PhysKind pl = type_phys(left), pr = type_phys(right);
    bool date_mix = (left == TYPE_DATE) != (right == TYPE_DATE);
    if (pl == PHYS_I64 && pr == PHYS_I64 && !date_mix) {
        return COMPARISONS[op].vector_i64;
    }
    if (pl == PHYS_F64 && pr == PHYS_F64) {
        return COMPARISONS[op].vector_f64;
    }
    return NULL;
}

/* Arithmetic kernels for the integer and float operators of func_ops.c. */
static VectorFn arithmetic_kernel(const FuncDef *d)
{
    if (d->kind != FUNC_KIND_OPERATOR_INFIX || d->arg_count != 2) {
        return NULL;
    }
    bool ints = type_is_integer(d->arg_types[0]) && type_is_integer(d->arg_types[1]);
    bool floats = d->arg_types[0] == TYPE_FLOAT8 && d->arg_types[1] == TYPE_FLOAT8;
    if (!ints && !floats) {
        return NULL;
    }
    switch (d->name[0] != '\0' && d->name[1] == '\0' ? d->name[0] : 0) {
    case '+':
        return ints ? vector_i64_add : vector_f64_add;
    case '-':
        return ints ? vector_i64_sub : vector_f64_sub;
    case '*':
        return ints ? vector_i64_mul : vector_f64_mul;
    case '/':
        return floats ? vector_f64_div : NULL; /* integer division stays scalar */
    default:
        return NULL;
    }
}

/* (left, right) pairs that get the six comparison operators. */
static const TypeId COMPARISON_PAIRS[][2] = {
    {TYPE_BOOL, TYPE_BOOL},
    {TYPE_INT2, TYPE_INT2},
    {TYPE_INT4, TYPE_INT4},
    {TYPE_INT8, TYPE_INT8},
    {TYPE_INT2, TYPE_INT4},
    {TYPE_INT4, TYPE_INT2},
    {TYPE_INT2, TYPE_INT8},
    {TYPE_INT8, TYPE_INT2},
    {TYPE_INT4, TYPE_INT8},
    {TYPE_INT8, TYPE_INT4},
    {TYPE_FLOAT4, TYPE_FLOAT4},
    {TYPE_FLOAT8, TYPE_FLOAT8},
    {TYPE_FLOAT4, TYPE_FLOAT8},
    {TYPE_FLOAT8, TYPE_FLOAT4},
    {TYPE_NUMERIC, TYPE_NUMERIC},
    {TYPE_TEXT, TYPE_TEXT},
    {TYPE_BPCHAR, TYPE_BPCHAR},
    {TYPE_BYTEA, TYPE_BYTEA},
    {TYPE_DATE, TYPE_DATE},
    {TYPE_TIME, TYPE_TIME},
    {TYPE_TIMESTAMP, TYPE_TIMESTAMP},
    {TYPE_TIMESTAMPTZ, TYPE_TIMESTAMPTZ},
    {TYPE_DATE, TYPE_TIMESTAMP},
    {TYPE_TIMESTAMP, TYPE_DATE},
    {TYPE_DATE, TYPE_TIMESTAMPTZ},
    {TYPE_TIMESTAMPTZ, TYPE_DATE},
    {TYPE_TIMESTAMP, TYPE_TIMESTAMPTZ},
    {TYPE_TIMESTAMPTZ, TYPE_TIMESTAMP},
    {TYPE_INTERVAL, TYPE_INTERVAL},
    {TYPE_UUID, TYPE_UUID},
    {TYPE_JSONB, TYPE_JSONB},
    {TYPE_BOOL_ARRAY, TYPE_BOOL_ARRAY},
    {TYPE_INT2_ARRAY, TYPE_INT2_ARRAY},
    {TYPE_INT4_ARRAY, TYPE_INT4_ARRAY},
    {TYPE_INT8_ARRAY, TYPE_INT8_ARRAY},
    {TYPE_FLOAT4_ARRAY, TYPE_FLOAT4_ARRAY},
    {TYPE_FLOAT8_ARRAY, TYPE_FLOAT8_ARRAY},
    {TYPE_NUMERIC_ARRAY, TYPE_NUMERIC_ARRAY},
    {TYPE_TEXT_ARRAY, TYPE_TEXT_ARRAY},
    {TYPE_VARCHAR_ARRAY, TYPE_VARCHAR_ARRAY},
    {TYPE_BPCHAR_ARRAY, TYPE_BPCHAR_ARRAY},
    {TYPE_BYTEA_ARRAY, TYPE_BYTEA_ARRAY},
    {TYPE_DATE_ARRAY, TYPE_DATE_ARRAY},
    {TYPE_TIME_ARRAY, TYPE_TIME_ARRAY},
    {TYPE_TIMESTAMP_ARRAY, TYPE_TIMESTAMP_ARRAY},
    {TYPE_TIMESTAMPTZ_ARRAY, TYPE_TIMESTAMPTZ_ARRAY},
    {TYPE_INTERVAL_ARRAY, TYPE_INTERVAL_ARRAY},
    {TYPE_UUID_ARRAY, TYPE_UUID_ARRAY},
    {TYPE_JSONB_ARRAY, TYPE_JSONB_ARRAY},
    {TYPE_ENUM, TYPE_ENUM},
    {TYPE_OID, TYPE_OID},
    {TYPE_OID_ARRAY, TYPE_OID_ARRAY},
    {TYPE_ENUM_ARRAY, TYPE_ENUM_ARRAY},
};

#define COMPARISON_COUNT (sizeof COMPARISON_PAIRS / sizeof COMPARISON_PAIRS[0] * 6)

static FuncDef *registry;
static int registry_count;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void registry_build(void)
{
    enum { PART_COUNT = 8 };
    int counts[PART_COUNT];
    const FuncDef *parts[PART_COUNT] = {
        func_defs_operators(&counts[0]), func_defs_math(&counts[1]),  func_defs_string(&counts[2]),
        func_defs_datetime(&counts[3]),  func_defs_jsonb(&counts[4]), func_defs_array(&counts[5]),
        func_defs_json_record(&counts[6]), func_defs_jsonpath(&counts[7]),
    };
    int total = (int)COMPARISON_COUNT;
    for (int part = 0; part < PART_COUNT; part++) {
        total += counts[part];
    }
    FuncDef *defs = mem_zalloc(sizeof(FuncDef) * (size_t)total);
    if (defs == NULL) {
        return; /* registry_count stays 0: every lookup then fails with 42883 */
    }
    int n = 0;
    for (size_t pair = 0; pair < sizeof COMPARISON_PAIRS / sizeof COMPARISON_PAIRS[0]; pair++) {
        for (int op = 0; op < 6; op++) {
            FuncDef *d = &defs[n++];
            d->name = COMPARISONS[op].name;
            d->kind = FUNC_KIND_OPERATOR_INFIX;
            d->arg_count = 2;
            d->arg_types[0] = COMPARISON_PAIRS[pair][0];
            d->arg_types[1] = COMPARISON_PAIRS[pair][1];
            d->result_type = TYPE_BOOL;
            d->fn = COMPARISONS[op].fn;
            d->strict = true;
            d->volatility = VOLATILITY_IMMUTABLE;
            d->commutator = COMPARISONS[op].commutator;
            d->negator = COMPARISONS[op].negator;
            d->vector_fn = comparison_kernel(op, d->arg_types[0], d->arg_types[1]);
        }
    }
    for (int part = 0; part < PART_COUNT; part++) {
        memcpy(defs + n, parts[part], sizeof(FuncDef) * (size_t)counts[part]);
        n += counts[part];
    }
    for (int i = (int)COMPARISON_COUNT; i < n; i++) {
        if (defs[i].vector_fn == NULL && defs[i].fn != NULL && defs[i].result_type != TYPE_DATE) {
            defs[i].vector_fn = arithmetic_kernel(&defs[i]);
        }
    }
    registry = defs;
    registry_count = n;
}

const FuncDef *func_table(int *count)
{
    pthread_once(&registry_once, registry_build);
    *count = registry_count;
    return registry;
}

bool func_name_exists(const char *name)
{
    int count;
    const FuncDef *defs = func_table(&count);
    for (int i = 0; i < count; i++) {
        if (defs[i].kind == FUNC_KIND_FUNCTION && strcmp(defs[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- resolution ---- */

#define CANDIDATES_MAX 64

typedef struct Candidate {
    const FuncDef *def;
    TypeId params[FUNC_ARGS_MAX]; /* TYPE_UNKNOWN = any */
} Candidate;

static bool param_is_any(TypeId t)
{
    return t == TYPE_UNKNOWN;
}

static bool param_is_polymorphic(TypeId t)
{
    return t == TYPE_ANYELEMENT || t == TYPE_ANYARRAY;
}

static bool coercible(TypeId arg, TypeId param)
{
    if (param == TYPE_ANYARRAY) {
        return arg == TYPE_UNKNOWN || type_is_array(arg) || type_vector_array(arg) != TYPE_COUNT;
    }
    if (param == TYPE_ANYELEMENT) {
        return !type_is_array(arg);
    }
    return param_is_any(param) || arg == param ||
           arg == TYPE_UNKNOWN || cast_lookup(arg, param) == CAST_IMPLICIT;
}

static int collect(const char *name, FuncKind kind, int arg_count, Candidate *out)
{
    int count;
    const FuncDef *defs = func_table(&count);
    int n = 0;
    for (int i = 0; i < count && n < CANDIDATES_MAX; i++) {
        const FuncDef *d = &defs[i];
        if (d->kind != kind || strcmp(d->name, name) != 0) {
            continue;
        }
        bool arity = d->variadic == FUNC_VARIADIC_NONE ? arg_count == d->arg_count
                                                       : arg_count >= d->arg_count;
        if (!arity) {
            continue;
        }
        out[n].def = d;
        for (int a = 0; a < arg_count; a++) {
            if (a < d->arg_count) {
                out[n].params[a] = d->arg_types[a];
            } else if (d->variadic == FUNC_VARIADIC_SAME && d->arg_count > 0) {
                out[n].params[a] = d->arg_types[d->arg_count - 1];
            } else {
                out[n].params[a] = TYPE_UNKNOWN;
            }
        }
        n++;
    }
    return n;
}

static bool exact(const Candidate *c, const TypeId *args, int arg_count)
{
    for (int a = 0; a < arg_count; a++) {
        if (!(c->params[a] == args[a] || (param_is_any(c->params[a]) && args[a] != TYPE_UNKNOWN))) {
            return false;
        }
    }
    return true;
}

/* Keeps the candidates with the best score; returns the new count. */
static int keep_best(Candidate *cands, int n, const int *scores)
{
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (scores[i] > best) {
            best = scores[i];
        }
    }
    int kept = 0;
    for (int i = 0; i < n; i++) {
        if (scores[i] == best) {
            cands[kept++] = cands[i];
        }
    }
    return kept;
}

/* Step 4.c/4.d: score each candidate, keep the best. exact_matches counts
 * positions where a known argument has exactly the parameter type;
 * otherwise preferred parameter types at positions needing coercion count. */
static int keep_best_scored(Candidate *cands, int n, const TypeId *args, int arg_count,
                            bool exact_matches)
{
    int scores[CANDIDATES_MAX];
    for (int i = 0; i < n; i++) {
        scores[i] = 0;
        for (int a = 0; a < arg_count; a++) {
            TypeId p = cands[i].params[a];
            if (exact_matches ? (args[a] != TYPE_UNKNOWN && p == args[a])
                              : (p != args[a] && !param_is_any(p) && type_is_preferred(p))) {
                scores[i]++;
            }
        }
    }
    return keep_best(cands, n, scores);
}

/* Step 4.e for one unknown argument position: the string category if any
 * candidate accepts it there, else the single category all agree on; then
 * keep candidates of that category, preferred types first. */
static int narrow_unknown_position(Candidate *cands, int n, int a)
{
    TypeCategory chosen = TYPCAT_UNKNOWN;
    bool conflict = false, string_seen = false, preferred_seen = false;
    for (int i = 0; i < n; i++) {
        TypeId p = cands[i].params[a];
        TypeCategory cat = param_is_any(p) ? TYPCAT_UNKNOWN : type_category(p);
        string_seen |= cat == TYPCAT_STRING;
        if (chosen == TYPCAT_UNKNOWN) {
            chosen = cat;
        } else if (cat != chosen) {
            conflict = true;
        }
    }
    if (string_seen) {
        chosen = TYPCAT_STRING;
    } else if (conflict) {
        return n; /* cannot decide at this position */
    }
    for (int i = 0; i < n; i++) {
        TypeId p = cands[i].params[a];
        preferred_seen |= !param_is_any(p) && type_category(p) == chosen && type_is_preferred(p);
    }
    int kept = 0;
    for (int i = 0; i < n; i++) {
        TypeId p = cands[i].params[a];
        bool in_category = !param_is_any(p) && type_category(p) == chosen;
        if (in_category && (!preferred_seen || type_is_preferred(p))) {
            cands[kept++] = cands[i];
        }
    }
    return kept > 0 ? kept : n;
}

/* Step 4.f: if all known arguments share one type, assume the unknowns have
 * it and keep the candidates that accept that. Returns 1 when exactly one
 * remains (then it is cands[0]), else n unchanged. */
static int assume_known_type(Candidate *cands, int n, const TypeId *args, int arg_count)
{
    TypeId common = TYPE_UNKNOWN;
    for (int a = 0; a < arg_count; a++) {
        if (args[a] == TYPE_UNKNOWN) {
            continue;
        }
        if (common != TYPE_UNKNOWN && args[a] != common) {
            return n;
        }
        common = args[a];
    }
    if (common == TYPE_UNKNOWN) {
        return n;
    }
    int matches = 0, match = -1;
    for (int i = 0; i < n; i++) {
        bool ok = true;
        for (int a = 0; a < arg_count && ok; a++) {
            ok = args[a] != TYPE_UNKNOWN || coercible(common, cands[i].params[a]);
        }
        if (ok) {
            matches++;
            match = i;
        }
    }
    if (matches != 1) {
        return n;
    }
    cands[0] = cands[match];
    return 1;
}

/* PostgreSQL's func_select_candidate, steps 4.c to 4.f of the docs. */
static int select_candidate(Candidate *cands, int n, const TypeId *args, int arg_count)
{
    n = keep_best_scored(cands, n, args, arg_count, true);
    if (n > 1) {
        n = keep_best_scored(cands, n, args, arg_count, false);
    }
    bool any_unknown = false;
    for (int a = 0; a < arg_count && n > 1; a++) {
        if (args[a] == TYPE_UNKNOWN) {
            any_unknown = true;
            n = narrow_unknown_position(cands, n, a);
        }
    }
    if (n > 1 && any_unknown) {
        n = assume_known_type(cands, n, args, arg_count);
    }
    return n;
}

/* Resolves anyelement / anyarray (PostgreSQL's enforce_generic_type_consistency,
 * leniently): the element type comes from the first known anyarray argument,
 * else from the first known anyelement argument, else text. Other known
 * anyelement arguments are cast to it. False when the element would itself
 * be an array (no multi-dimensional arrays). */
static bool fill_polymorphic(const Candidate *c, const SqlType *args, int arg_count,
                             FuncMatch *out)
{
    SqlType elem = sql_type(TYPE_UNKNOWN);
    for (int a = 0; a < arg_count && elem.id == TYPE_UNKNOWN; a++) {
        if (c->params[a] == TYPE_ANYARRAY && type_is_array(args[a].id)) {
            elem = sql_type_mod(type_array_elem(args[a].id), args[a].typmod);
        } else if (c->params[a] == TYPE_ANYARRAY && type_vector_array(args[a].id) != TYPE_COUNT) {
            elem = sql_type(type_array_elem(type_vector_array(args[a].id)));
        }
    }
    for (int a = 0; a < arg_count && elem.id == TYPE_UNKNOWN; a++) {
        if (c->params[a] == TYPE_ANYELEMENT && args[a].id != TYPE_UNKNOWN) {
            elem = args[a];
        }
    }
    if (elem.id == TYPE_UNKNOWN) {
        elem = sql_type(TYPE_TEXT);
    }
    if (type_is_array(elem.id)) {
        return false;
    }
    SqlType array = sql_type_mod(type_array_of(elem.id), elem.typmod);
    for (int a = 0; a < arg_count; a++) {
        /* known arguments must convert implicitly (int[] || text[] does not exist) */
        TypeId want = c->params[a] == TYPE_ANYARRAY     ? array.id
                      : c->params[a] == TYPE_ANYELEMENT ? elem.id
                                                        : TYPE_UNKNOWN;
        if (want != TYPE_UNKNOWN && args[a].id != TYPE_UNKNOWN && args[a].id != want &&
            cast_lookup(args[a].id, want) != CAST_IMPLICIT) {
            return false;
        }
    }
    for (int a = 0; a < arg_count; a++) {
        if (c->params[a] == TYPE_ANYARRAY) {
            out->arg_targets[a] = array;
        } else if (c->params[a] == TYPE_ANYELEMENT) {
            out->arg_targets[a] = elem;
        }
    }
    if (c->def->result_type == TYPE_ANYARRAY) {
        out->result_type = array;
    } else if (c->def->result_type == TYPE_ANYELEMENT) {
        out->result_type = elem;
    }
    return true;
}

/* An enum or an array of one: the typmod names the enum type. */
static bool is_enum_like(TypeId id)
{
    return id == TYPE_ENUM || id == TYPE_ENUM_ARRAY;
}

static bool fill_match(const Candidate *c, const SqlType *args, int arg_count, FuncMatch *out)
{
    out->def = c->def;
    out->result_type = sql_type(c->def->result_type);
    out->arg_count = arg_count;
    for (int a = 0; a < arg_count; a++) {
        TypeId p = c->params[a];
        if (param_is_any(p)) {
            out->arg_targets[a] = args[a].id == TYPE_UNKNOWN ? sql_type(TYPE_TEXT) : args[a];
        } else if (p == args[a].id) {
            out->arg_targets[a] = args[a];
        } else {
            out->arg_targets[a] = sql_type(p);
        }
    }
    /* an enum parameter takes the enum of an enum argument (its typmod), so
     * an untyped literal beside it is read as that enum's label; values of
     * two different enums have no operator (PostgreSQL's anyenum) */
    for (int a = 0; a < arg_count; a++) {
        for (int other = 0; other < a; other++) {
            if (is_enum_like(args[a].id) && args[other].id == args[a].id &&
                args[a].typmod != args[other].typmod && c->params[a] == args[a].id) {
                return false;
            }
        }
    }
    for (int a = 0; a < arg_count; a++) {
        TypeId target = out->arg_targets[a].id;
        if (is_enum_like(target) && out->arg_targets[a].typmod < 0) {
            for (int other = 0; other < arg_count; other++) {
                if (args[other].id == target && args[other].typmod >= 0) {
                    out->arg_targets[a] = args[other];
                }
            }
        }
    }
    bool polymorphic = param_is_polymorphic(c->def->result_type);
    for (int a = 0; a < arg_count; a++) {
        polymorphic |= param_is_polymorphic(c->params[a]);
    }
    return !polymorphic || fill_polymorphic(c, args, arg_count, out);
}

/* Shared core: returns 1 found, 0 none, -1 ambiguous. */
static int resolve(const char *name, FuncKind kind, const SqlType *arg_types, int arg_count,
                   FuncMatch *out)
{
    static __thread Candidate cands[CANDIDATES_MAX];
    TypeId args[FUNC_ARGS_MAX];
    if (arg_count > FUNC_ARGS_MAX) {
        return 0;
    }
    for (int a = 0; a < arg_count; a++) {
        args[a] = arg_types[a].id;
    }
    int n = collect(name, kind, arg_count, cands);
    /* Exact match; for binary operators an unknown beside a known type is
     * first taken to be of that type. */
    TypeId assumed[2];
    bool try_assumed = kind == FUNC_KIND_OPERATOR_INFIX && arg_count == 2 &&
                       ((args[0] == TYPE_UNKNOWN) != (args[1] == TYPE_UNKNOWN));
    if (try_assumed) {
        assumed[0] = args[0] == TYPE_UNKNOWN ? args[1] : args[0];
        assumed[1] = args[1] == TYPE_UNKNOWN ? args[0] : args[1];
        for (int i = 0; i < n; i++) {
            if (exact(&cands[i], assumed, 2) && !param_is_any(cands[i].params[0]) &&
                !param_is_any(cands[i].params[1])) {
                return fill_match(&cands[i], arg_types, arg_count, out) ? 1 : 0;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        bool has_any = false;
        for (int a = 0; a < arg_count; a++) {
            has_any |= param_is_any(cands[i].params[a]) || param_is_polymorphic(cands[i].params[a]);
        }
        if (!has_any && exact(&cands[i], args, arg_count)) {
            return fill_match(&cands[i], arg_types, arg_count, out) ? 1 : 0;
        }
    }
    int kept = 0;
    for (int i = 0; i < n; i++) {
        bool ok = true;
        for (int a = 0; a < arg_count && ok; a++) {
            ok = coercible(args[a], cands[i].params[a]);
        }
        if (ok) {
            cands[kept++] = cands[i];
        }
    }
    if (kept == 0) {
        return 0;
    }
    if (kept > 1) {
        kept = select_candidate(cands, kept, args, arg_count);
    }
    if (kept != 1) {
        return -1;
    }
    return fill_match(&cands[0], arg_types, arg_count, out) ? 1 : 0;
}

static void signature_text(const SqlType *types, int count, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int a = 0; a < count && n < cap; a++) {
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", a > 0 ? ", " : "",
                              type_id_name(types[a].id));
    }
}

int func_resolve(const char *name, const SqlType *arg_types, int arg_count, FuncMatch *out,
                 Error *err)
{
    int found = resolve(name, FUNC_KIND_FUNCTION, arg_types, arg_count, out);
    if (found == 1) {
        return STRATA_OK;
    }
    char signature[400];
    signature_text(arg_types, arg_count, signature, sizeof signature);
    if (found == 0) {
        error_set(err, SQLSTATE_UNDEFINED_FUNCTION, "function %s(%s) does not exist", name,
                  signature);
        return error_hint(err, "No function matches the given name and argument types. You might "
                               "need to add explicit type casts.");
    }
    error_set(err, SQLSTATE_AMBIGUOUS_FUNCTION, "function %s(%s) is not unique", name, signature);
    return error_hint(
        err,
        "Could not choose a best candidate function. You might need to add explicit type casts.");
}

/* An operand's type name in errors: an enum by its own name. */
static const char *operand_name(SqlType t, char *buf, size_t size)
{
    if (t.id == TYPE_ENUM_ARRAY && t.typmod >= 0) {
        snprintf(buf, size, "%s[]", enum_type_name(t.typmod));
        return buf;
    }
    return t.id == TYPE_ENUM ? enum_type_name(t.typmod) : type_id_name(t.id);
}

int oper_resolve(const char *op, const SqlType *left, const SqlType right, FuncMatch *out,
                 Error *err)
{
    SqlType args[2];
    int count = 0;
    if (left != NULL) {
        args[count++] = *left;
    }
    args[count++] = right;
    FuncKind kind = left != NULL ? FUNC_KIND_OPERATOR_INFIX : FUNC_KIND_OPERATOR_PREFIX;
    int found = resolve(op, kind, args, count, out);
    if (found == 1) {
        return STRATA_OK;
    }
    char text[200], left_name[80], right_name[80];
    if (left != NULL) {
        snprintf(text, sizeof text, "%s %s %s", operand_name(*left, left_name, sizeof left_name),
                 op, operand_name(right, right_name, sizeof right_name));
    } else {
        snprintf(text, sizeof text, "%s %s", op,
                 operand_name(right, right_name, sizeof right_name));
    }
    if (found == 0) {
        error_set(err, SQLSTATE_UNDEFINED_FUNCTION, "operator does not exist: %s", text);
        return error_hint(err, "No operator matches the given name and argument types. You might "
                               "need to add explicit type casts.");
    }
    error_set(err, SQLSTATE_AMBIGUOUS_FUNCTION, "operator is not unique: %s", text);
    return error_hint(
        err,
        "Could not choose a best candidate operator. You might need to add explicit type casts.");
}

int func_invoke(const FuncMatch *match, const Value *args, int arg_count, Value *result,
                FuncContext *ctx, Error *err)
{
    const FuncDef *def = match->def;
    if (def->strict) {
        for (int a = 0; a < arg_count; a++) {
            if (args[a].is_null) {
                *result = value_null(match->result_type);
                return STRATA_OK;
            }
        }
    }
    if (def->fn == NULL) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "set-returning function %s called in a scalar context", def->name);
    }
    memset(result, 0, sizeof *result);
    Arena *previous = numeric_set_arena(ctx->arena); /* big numeric results, as strings */
    int rc = def->fn(args, arg_count, result, ctx, err);
    numeric_set_arena(previous);
    if (rc == STRATA_OK && !result->is_null) {
        result->type.id = match->result_type.id;
        if (result->type.typmod < 0 || match->result_type.typmod >= 0) {
            result->type.typmod = match->result_type.typmod;
        }
    } else if (rc == STRATA_OK) {
        result->type = match->result_type;
    }
    return rc;
}

/* ---- select_common_type ---- */

int type_common(const SqlType *types, int count, const char *context, SqlType *out, Error *err)
{
    int first = -1;
    for (int i = 0; i < count; i++) {
        if (types[i].id != TYPE_UNKNOWN) {
            first = i;
            break;
        }
    }
    if (first < 0) {
        *out = sql_type(TYPE_TEXT);
        return STRATA_OK;
    }
    SqlType chosen = types[first];
    bool same_typmod = true;
    TypeCategory category = type_category(chosen.id);
    bool chosen_preferred = type_is_preferred(chosen.id);
    for (int i = first + 1; i < count; i++) {
        SqlType t = types[i];
        if (t.id == TYPE_UNKNOWN) {
            continue;
        }
        if (t.id == chosen.id) {
            same_typmod &= t.typmod == chosen.typmod;
            continue;
        }
        if (type_category(t.id) != category) {
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                             "%s types %s and %s cannot be matched", context,
                             type_id_name(chosen.id), type_id_name(t.id));
        }
        if (!chosen_preferred && cast_lookup(chosen.id, t.id) == CAST_IMPLICIT &&
            cast_lookup(t.id, chosen.id) != CAST_IMPLICIT) {
            chosen = t;
            chosen_preferred = type_is_preferred(t.id);
        }
        same_typmod = false;
    }
    /* Every input must convert implicitly to the result. */
    for (int i = 0; i < count; i++) {
        if (types[i].id != TYPE_UNKNOWN && types[i].id != chosen.id &&
            cast_lookup(types[i].id, chosen.id) != CAST_IMPLICIT) {
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH, "%s could not convert type %s to %s",
                             context, type_id_name(types[i].id), type_id_name(chosen.id));
        }
    }
    if (!same_typmod) {
        chosen.typmod = -1;
    }
    *out = chosen;
    return STRATA_OK;
}

/* ---- helpers shared by the function files ---- */

int func_value_text(const Value *v, FuncContext *ctx, StrRef *out, Error *err)
{
    return value_format_tz(v, ctx->timezone, ctx->arena, out, err);
}

int func_int_result(int64_t v, TypeId type, Value *result, Error *err)
{
    int rc = cast_i64_to_int(v, type, &v, err);
    if (rc == STRATA_OK) {
        *result = value_i64(type, v);
    }
    return rc;
}
