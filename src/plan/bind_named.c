/*
 * plan/bind_named.c - named and defaulted arguments of built-in functions:
 * make_interval(days => 3), make_date(year := 2024, ...), make_interval(0, 0, 0, 3).
 *
 * PostgreSQL resolves `name => value` against the parameter names in
 * pg_proc.proargnames and fills omitted trailing parameters from their
 * defaults. strata's function registry (types/func.h) has no parameter names,
 * so the built-ins that have names in PostgreSQL 15 are listed here with
 * their defaults; a call is rewritten into its positional form before the
 * ordinary overload resolution (func_resolve) runs.
 *
 * Invariants
 *   1. Named arguments follow the positional ones (42601 otherwise, checked
 *      before anything is bound), and no name is given twice (42601).
 *   2. A rewritten call passes every parameter of the matched signature in
 *      declaration order: given arguments as bound, omitted ones as constants
 *      of their defaults.
 *   3. A call with a named argument that matches no signature is 42883 with
 *      PostgreSQL's text (`function f(integer, days => integer) does not exist`).
 *
 * See src/plan/README.md.
 */
#include <string.h>

#include "plan/bind_int.h"
#include "types/typeinfo.h"

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

enum { SIGNATURE_PARAMS_MAX = 7 };

/* One built-in signature with parameter names; the last default_count
 * parameters have the defaults in defaults[] (by parameter position). */
typedef struct Signature {
    const char *function;
    int param_count;
    const char *names[SIGNATURE_PARAMS_MAX];
    int default_count;
    TypeId default_types[SIGNATURE_PARAMS_MAX];
    double default_numbers[SIGNATURE_PARAMS_MAX]; /* bool: 0 / 1 */
    /* the registry has every shorter form: positional calls stay as written
     * (so a 42883 names the call's own arguments) */
    bool has_short_forms;
} Signature;

#define I4 TYPE_INT4
/* jsonb_path_*(target, path, vars => '{}', silent => false) */
#define JSONB_PATH(name)                                                                           \
    {                                                                                              \
        name, 4, {"target", "path", "vars", "silent"}, 2, {0, 0, TYPE_JSONB, TYPE_BOOL},           \
            {0, 0, 0, 0}, true                                                                     \
    }
static const Signature SIGNATURES[] = {
    {"make_interval", 7, {"years", "months", "weeks", "days", "hours", "mins", "secs"}, 7,
     {I4, I4, I4, I4, I4, I4, TYPE_FLOAT8}, {0, 0, 0, 0, 0, 0, 0}, false},
    {"make_date", 3, {"year", "month", "day"}, 0, {0}, {0}, false},
    {"make_time", 3, {"hour", "min", "sec"}, 0, {0}, {0}, false},
    {"make_timestamp", 6, {"year", "month", "mday", "hour", "min", "sec"}, 0, {0}, {0}, false},
    {"make_timestamptz", 6, {"year", "month", "mday", "hour", "min", "sec"}, 0, {0}, {0}, false},
    {"make_timestamptz", 7, {"year", "month", "mday", "hour", "min", "sec", "timezone"}, 0, {0},
     {0}, false},
    {"jsonb_set", 4, {"jsonb_in", "path", "replacement", "create_if_missing"}, 1,
     {0, 0, 0, TYPE_BOOL}, {0, 0, 0, 1}, false},
    JSONB_PATH("jsonb_path_exists"),
    JSONB_PATH("jsonb_path_match"),
    JSONB_PATH("jsonb_path_query"),
    JSONB_PATH("jsonb_path_query_array"),
    JSONB_PATH("jsonb_path_query_first"),
};
#undef I4
#undef JSONB_PATH

static int signature_count(void)
{
    return (int)(sizeof SIGNATURES / sizeof SIGNATURES[0]);
}

static bool has_signature(const char *function)
{
    for (int s = 0; s < signature_count(); s++) {
        if (strcmp(SIGNATURES[s].function, function) == 0) {
            return true;
        }
    }
    return false;
}

static int param_index(const Signature *sig, const char *name)
{
    for (int p = 0; p < sig->param_count; p++) {
        if (strcmp(sig->names[p], name) == 0) {
            return p;
        }
    }
    return -1;
}

/* Fills slot[p] = argument index for parameter p (-1: default); false when
 * the call does not fit sig (PostgreSQL's MatchNamedCall plus defaults). */
static bool signature_fits(const Signature *sig, const FuncCall *fc, int positional, int *slot)
{
    if (fc->args.count > sig->param_count) {
        return false;
    }
    for (int p = 0; p < sig->param_count; p++) {
        slot[p] = p < positional ? p : -1;
    }
    for (int k = positional; k < fc->args.count; k++) {
        const NamedArgExpr *named = (const NamedArgExpr *)fc->args.items[k];
        int p = param_index(sig, named->name);
        if (p < 0 || slot[p] >= 0) {
            return false;
        }
        slot[p] = k;
    }
    for (int p = 0; p < sig->param_count; p++) {
        if (slot[p] < 0 && p < sig->param_count - sig->default_count) {
            return false;
        }
    }
    return true;
}

static Value default_value(const Signature *sig, int p)
{
    TypeId type = sig->default_types[p];
    double number = sig->default_numbers[p];
    if (type == TYPE_BOOL) {
        return value_bool(number != 0);
    }
    if (type == TYPE_FLOAT8) {
        return value_f64(number);
    }
    if (type == TYPE_JSONB) {
        static const char EMPTY_OBJECT[] = {6, 0, 0, 0, 0}; /* jsonb '{}' (jsonb.h) */
        return value_str(TYPE_JSONB, EMPTY_OBJECT, sizeof EMPTY_OBJECT);
    }
    return value_i64(type, (int64_t)number);
}

/* 42883 naming the call as PostgreSQL does: f(integer, days => integer). */
static int no_function(Binder *b, const FuncCall *fc, const char *function, Expr **args)
{
    const char *text = arena_sprintf(b->a, "%s(", function);
    for (int k = 0; text != NULL && k < fc->args.count; k++) {
        const Node *node = fc->args.items[k];
        const char *type = type_name(args[k]->type, b->a);
        text = node->tag == N_NAMED_ARG
                   ? arena_sprintf(b->a, "%s%s%s => %s", text, k ? ", " : "",
                                   ((const NamedArgExpr *)node)->name, type)
                   : arena_sprintf(b->a, "%s%s%s", text, k ? ", " : "", type);
    }
    if (text == NULL) {
        return arena_error(b->a, b->err);
    }
    error_set(b->err, SQLSTATE_UNDEFINED_FUNCTION, "function %s) does not exist", text);
    error_hint(b->err, "No function matches the given name and argument types. You might "
                           "need to add explicit type casts.");
    return bind_error_pos(b, fc->location);
}

int bind_named_check(Binder *b, const FuncCall *fc, int *positional)
{
    *positional = fc->args.count;
    for (int k = 0; k < fc->args.count; k++) {
        const Node *node = fc->args.items[k];
        if (node->tag == N_NAMED_ARG) {
            if (*positional == fc->args.count) {
                *positional = k;
            }
            const char *name = ((const NamedArgExpr *)node)->name;
            for (int j = *positional; j < k; j++) {
                if (strcmp(((const NamedArgExpr *)fc->args.items[j])->name, name) == 0) {
                    return FAIL_AT(node->location, SQLSTATE_SYNTAX_ERROR,
                                   "argument name \"%s\" used more than once", name);
                }
            }
        } else if (*positional < fc->args.count) {
            return FAIL_AT(node->location, SQLSTATE_SYNTAX_ERROR,
                           "positional argument cannot follow named argument");
        }
    }
    return STRATA_OK;
}

/* Binds fc's arguments in written order, a named one by its value. */
static int bind_arg_values(Binder *b, Scope *scope, const FuncCall *fc, Expr ***out)
{
    Expr **args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(fc->args.count + 1));
    if (args == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < fc->args.count; k++) {
        const Node *node = fc->args.items[k];
        if (node->tag == N_NAMED_ARG) {
            node = ((const NamedArgExpr *)node)->arg;
        }
        int rc = bind_expr(b, scope, node, &args[k]);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    *out = args;
    return STRATA_OK;
}

int bind_named_reject(Binder *b, Scope *scope, const FuncCall *fc, const char *function)
{
    int positional;
    int rc = bind_named_check(b, fc, &positional);
    if (rc != STRATA_OK || positional == fc->args.count || has_signature(function)) {
        return rc;
    }
    Expr **args;
    if ((rc = bind_arg_values(b, scope, fc, &args)) != STRATA_OK) {
        return rc;
    }
    return no_function(b, fc, function, args);
}

int bind_call_args(Binder *b, Scope *scope, const FuncCall *fc, const char *function,
                   Expr ***out, int *count)
{
    int positional;
    int rc = bind_named_check(b, fc, &positional);
    if (rc != STRATA_OK) {
        return rc;
    }
    Expr **args;
    if ((rc = bind_arg_values(b, scope, fc, &args)) != STRATA_OK) {
        return rc;
    }
    *out = args;
    *count = fc->args.count;
    bool is_named = positional < fc->args.count;
    if (!is_named && !has_signature(function)) {
        return STRATA_OK;
    }
    int slot[SIGNATURE_PARAMS_MAX];
    for (int s = 0; s < signature_count(); s++) {
        const Signature *sig = &SIGNATURES[s];
        if (strcmp(sig->function, function) != 0) {
            continue;
        }
        if (!is_named && (fc->args.count == sig->param_count || sig->has_short_forms)) {
            return STRATA_OK; /* an exact positional call: nothing to fill */
        }
        if (!signature_fits(sig, fc, positional, slot)) {
            continue;
        }
        Expr **full = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(sig->param_count + 1));
        if (full == NULL) {
            return arena_error(b->a, b->err);
        }
        for (int p = 0; p < sig->param_count; p++) {
            full[p] = slot[p] >= 0 ? args[slot[p]]
                                   : expr_const(b->a, default_value(sig, p), fc->location);
            if (full[p] == NULL) {
                return arena_error(b->a, b->err);
            }
        }
        *out = full;
        *count = sig->param_count;
        return STRATA_OK;
    }
    return is_named ? no_function(b, fc, function, args) : STRATA_OK;
}
