/*
 * types/func_jsonpath.c - the SQL/JSON path functions and operators over
 * jsonpath.h: jsonb_path_exists, jsonb_path_match, jsonb_path_query (set-
 * returning), jsonb_path_query_array, jsonb_path_query_first, each with the
 * optional vars (jsonb object) and silent (bool) arguments, and the
 * operators @? (exists) and @@ (match), which are silent.
 *
 * strata has no jsonpath type: the path is a text argument, parsed through the
 * statement's JsonPathCache (ctx->jsonpath_cache), so a constant path is parsed
 * once per execution, not per row (and once more by the binder, plan/bind_json.c,
 * so its syntax error comes at the literal, as PostgreSQL reports it when the
 * literal is read).
 *
 * Invariants
 *   1. Results are NULL exactly where PostgreSQL's are: silent errors make
 *      exists / match NULL, a json null answer makes match NULL.
 */
#include <string.h>

#include "types/func_int.h"
#include "types/jsonb.h"
#include "types/jsonpath.h"

/* Runs args[1] over args[0] with the optional vars (args[2]) and silent
 * (args[3]) arguments. */
static int run_path(const Value *args, int arg_count, bool force_silent, JsonPathItems *items,
                    bool *failed, FuncContext *ctx, Error *err)
{
    JsonPath *path;
    int rc = jsonpath_parse_cached(ctx->jsonpath_cache, args[1].str.ptr, args[1].str.len,
                                   ctx->arena, &path, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    StrRef vars = arg_count > 2 ? args[2].str : (StrRef){0};
    bool silent = force_silent || (arg_count > 3 && args[3].b);
    return jsonpath_eval(path, args[0].str, vars, silent, ctx->arena, items, failed, err);
}

static int exists_common(const Value *args, int arg_count, bool force_silent, Value *result,
                         FuncContext *ctx, Error *err)
{
    JsonPathItems items;
    bool failed;
    int rc = run_path(args, arg_count, force_silent, &items, &failed, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *result = failed ? value_null(sql_type(TYPE_BOOL)) : value_bool(items.count > 0);
    return STRATA_OK;
}

static int match_common(const Value *args, int arg_count, bool force_silent, Value *result,
                        FuncContext *ctx, Error *err)
{
    JsonPathItems items;
    bool failed;
    int rc = run_path(args, arg_count, force_silent, &items, &failed, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *result = value_null(sql_type(TYPE_BOOL));
    if (failed) {
        return STRATA_OK;
    }
    JsonbKind kind = items.count == 1 ? jsonb_kind(items.items[0]) : JSONB_ARRAY;
    if (kind == JSONB_TRUE || kind == JSONB_FALSE) {
        *result = value_bool(kind == JSONB_TRUE);
        return STRATA_OK;
    }
    if (kind == JSONB_NULL) {
        return STRATA_OK;
    }
    bool silent = force_silent || (arg_count > 3 && args[3].b);
    return silent ? STRATA_OK
                  : error_set(err, SQLSTATE_SINGLETON_SQL_JSON_ITEM_REQUIRED,
                              "single boolean result is expected");
}

FN(path_exists_fn)
{
    return exists_common(args, arg_count, false, result, ctx, err);
}

FN(path_exists_op)
{
    return exists_common(args, arg_count, true, result, ctx, err);
}

FN(path_match_fn)
{
    return match_common(args, arg_count, false, result, ctx, err);
}

FN(path_match_op)
{
    return match_common(args, arg_count, true, result, ctx, err);
}

FN(path_query_array_fn)
{
    JsonPathItems items;
    bool failed;
    int rc = run_path(args, arg_count, false, &items, &failed, ctx, err);
    StrRef array;
    if (rc != STRATA_OK || (rc = jsonb_build_array_from(items.items, items.count, ctx->arena,
                                                        &array, err)) != STRATA_OK) {
        return rc;
    }
    *result = value_str(TYPE_JSONB, array.ptr, array.len);
    return STRATA_OK;
}

FN(path_query_first_fn)
{
    JsonPathItems items;
    bool failed;
    int rc = run_path(args, arg_count, false, &items, &failed, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *result = items.count == 0 ? value_null(sql_type(TYPE_JSONB))
                               : value_str(TYPE_JSONB, items.items[0].ptr, items.items[0].len);
    return STRATA_OK;
}

typedef struct QueryState {
    JsonPathItems items;
    int index;
} QueryState;

static int path_query_step(const Value *args, int arg_count, void **state, Value *row,
                           bool *has_row, FuncContext *ctx, Error *err)
{
    if (*state == NULL) {
        QueryState *s = arena_zalloc(ctx->arena, sizeof *s);
        bool failed;
        if (s == NULL) {
            return func_nomem(ctx, err);
        }
        int rc = run_path(args, arg_count, false, &s->items, &failed, ctx, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        *state = s;
    }
    QueryState *s = *state;
    *has_row = s->index < s->items.count;
    if (*has_row) {
        StrRef item = s->items.items[s->index++];
        *row = value_str(TYPE_JSONB, item.ptr, item.len);
    }
    return STRATA_OK;
}

#define PATH_FN(nm, res, fn_)                                                                      \
    F(nm, res, fn_, T(JSONB), T(TEXT)), F(nm, res, fn_, T(JSONB), T(TEXT), T(JSONB)),              \
        F(nm, res, fn_, T(JSONB), T(TEXT), T(JSONB), T(BOOL))
#define PATH_SRF(arity, ...)                                                                       \
    {                                                                                              \
        .name = "jsonb_path_query", .kind = FUNC_KIND_FUNCTION, .arg_count = arity,                \
        .arg_types = {__VA_ARGS__}, .result_type = T(JSONB), .set_fn = path_query_step,            \
        .strict = true, .volatility = VOLATILITY_IMMUTABLE                                         \
    }

static const FuncDef DEFS[] = {
    PATH_FN("jsonb_path_exists", T(BOOL), path_exists_fn),
    PATH_FN("jsonb_path_match", T(BOOL), path_match_fn),
    PATH_FN("jsonb_path_query_array", T(JSONB), path_query_array_fn),
    PATH_FN("jsonb_path_query_first", T(JSONB), path_query_first_fn),
    PATH_SRF(2, T(JSONB), T(TEXT)),
    PATH_SRF(3, T(JSONB), T(TEXT), T(JSONB)),
    PATH_SRF(4, T(JSONB), T(TEXT), T(JSONB), T(BOOL)),
    OP("@?", T(BOOL), path_exists_op, T(JSONB), T(TEXT)),
    OP("@@", T(BOOL), path_match_op, T(JSONB), T(TEXT)),
};

const FuncDef *func_defs_jsonpath(int *count)
{
    *count = (int)(sizeof DEFS / sizeof DEFS[0]);
    return DEFS;
}
