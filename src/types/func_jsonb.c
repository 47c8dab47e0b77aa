/*
 * types/func_jsonb.c - jsonb (and json) operators and functions:
 * -> ->> #> #>> @> <@ ? ?| ?& || -, jsonb_build_object, jsonb_build_array,
 * to_jsonb, jsonb_typeof, jsonb_array_length, jsonb_extract_path(_text),
 * jsonb_set, jsonb_pretty, jsonb_strip_nulls, and the set-returning
 * jsonb_object_keys, jsonb_array_elements(_text).
 *
 * Paths and key lists are text[] literals ('{a,b}') since strata has no
 * array type yet; the json type is converted to jsonb for the operators.
 */
#include <stdlib.h>
#include <string.h>

#include "types/array.h"
#include "types/func_int.h"
#include "types/jsonb.h"

static void jsonb_result(Value *result, StrRef v)
{
    *result = value_str(TYPE_JSONB, v.ptr, v.len);
}

static int as_jsonb(const Value *v, FuncContext *ctx, StrRef *out, Error *err)
{
    if (v->type.id == TYPE_JSON) {
        return jsonb_parse(v->str.ptr, v->str.len, ctx->arena, out, err);
    }
    *out = v->str;
    return STRATA_OK;
}

static int text_or_null(StrRef v, bool found, Value *result, FuncContext *ctx, Error *err)
{
    if (!found) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    StrRef text;
    bool is_null;
    int rc = jsonb_to_text(v, ctx->arena, &text, &is_null, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (is_null) {
        *result = value_null(sql_type(TYPE_TEXT));
    } else {
        result_text(result, text.ptr, text.len);
    }
    return STRATA_OK;
}

static int get_common(const Value *args, Value *result, FuncContext *ctx, Error *err, bool as_text)
{
    StrRef doc, out;
    int rc = as_jsonb(&args[0], ctx, &doc, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    bool found = args[1].type.id == TYPE_INT4
                     ? jsonb_array_get(doc, args[1].i64, &out)
                     : jsonb_object_get(doc, args[1].str.ptr, args[1].str.len, &out);
    if (as_text) {
        return text_or_null(out, found, result, ctx, err);
    }
    if (!found) {
        *result = value_null(sql_type(TYPE_JSONB));
    } else {
        jsonb_result(result, out);
    }
    return STRATA_OK;
}

FN(jsonb_get)
{
    return get_common(args, result, ctx, err, false);
}
FN(jsonb_get_text)
{
    return get_common(args, result, ctx, err, true);
}

/* json -> : the element as json text (normalized, unlike PostgreSQL, which
 * returns the original text of the element). */
FN(json_get)
{
    int rc = get_common(args, result, ctx, err, false);
    if (rc != STRATA_OK || result->is_null) {
        if (result->is_null) {
            *result = value_null(sql_type(TYPE_JSON));
        }
        return rc;
    }
    StrRef text;
    rc = jsonb_format(result->str, ctx->arena, &text, err);
    if (rc == STRATA_OK) {
        *result = value_str(TYPE_JSON, text.ptr, text.len);
    }
    return rc;
}

static int path_common(const Value *doc_value, StrRef path_text, Value *result, FuncContext *ctx,
                       Error *err, bool as_text)
{
    StrRef doc, out, *path;
    int count;
    int rc = as_jsonb(doc_value, ctx, &doc, err);
    if (rc == STRATA_OK) {
        rc = text_array_parse(path_text.ptr, path_text.len, ctx->arena, &path, &count, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    bool found = jsonb_path_get(doc, path, count, &out);
    if (as_text) {
        return text_or_null(out, found, result, ctx, err);
    }
    if (!found) {
        *result = value_null(sql_type(TYPE_JSONB));
    } else {
        jsonb_result(result, out);
    }
    return STRATA_OK;
}

FN(jsonb_path)
{
    return path_common(&args[0], args[1].str, result, ctx, err, false);
}
FN(jsonb_path_text)
{
    return path_common(&args[0], args[1].str, result, ctx, err, true);
}

/* jsonb_extract_path(doc, VARIADIC text): the path as separate arguments. */
static int extract_path_common(const Value *args, int arg_count, Value *result, FuncContext *ctx,
                               Error *err, bool as_text)
{
    StrRef doc, out;
    int rc = as_jsonb(&args[0], ctx, &doc, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    StrRef path[FUNC_ARGS_MAX];
    for (int i = 1; i < arg_count; i++) {
        if (args[i].is_null) {
            *result = value_null(sql_type(as_text ? TYPE_TEXT : TYPE_JSONB));
            return STRATA_OK;
        }
        path[i - 1] = args[i].str;
    }
    bool found = jsonb_path_get(doc, path, arg_count - 1, &out);
    if (as_text) {
        return text_or_null(out, found, result, ctx, err);
    }
    if (!found) {
        *result = value_null(sql_type(TYPE_JSONB));
    } else {
        jsonb_result(result, out);
    }
    return STRATA_OK;
}

FN(extract_path_fn)
{
    return extract_path_common(args, arg_count, result, ctx, err, false);
}
FN(extract_path_text_fn)
{
    return extract_path_common(args, arg_count, result, ctx, err, true);
}

FN(contains_fn)
{
    *result = value_bool(jsonb_contains(args[0].str, args[1].str));
    return STRATA_OK;
}
FN(contained_fn)
{
    *result = value_bool(jsonb_contains(args[1].str, args[0].str));
    return STRATA_OK;
}

FN(exists_fn)
{
    *result = value_bool(jsonb_exists(args[0].str, args[1].str.ptr, args[1].str.len));
    return STRATA_OK;
}

static int exists_many(const Value *args, Value *result, FuncContext *ctx, Error *err, bool all)
{
    StrRef *keys;
    int count;
    int rc = text_array_parse(args[1].str.ptr, args[1].str.len, ctx->arena, &keys, &count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    bool answer = all;
    for (int i = 0; i < count; i++) {
        bool e = jsonb_exists(args[0].str, keys[i].ptr, keys[i].len);
        if (all && !e) {
            answer = false;
            break;
        }
        if (!all && e) {
            answer = true;
            break;
        }
    }
    *result = value_bool(answer);
    return STRATA_OK;
}

FN(exists_any_fn)
{
    return exists_many(args, result, ctx, err, false);
}
FN(exists_all_fn)
{
    return exists_many(args, result, ctx, err, true);
}

FN(concat_fn)
{
    StrRef out;
    int rc = jsonb_concat(args[0].str, args[1].str, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

FN(delete_key_fn)
{
    StrRef out;
    int rc = jsonb_delete_key(args[0].str, args[1].str.ptr, args[1].str.len, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

FN(delete_index_fn)
{
    StrRef out;
    int rc = jsonb_delete_index(args[0].str, args[1].i64, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

FN(delete_path_fn)
{
    /* #- : delete at a path. */
    StrRef *path, out = args[0].str, parent;
    int count;
    int rc = text_array_parse(args[1].str.ptr, args[1].str.len, ctx->arena, &path, &count, err);
    if (rc != STRATA_OK || count == 0) {
        if (rc == STRATA_OK) {
            jsonb_result(result, out);
        }
        return rc;
    }
    if (!jsonb_path_get(args[0].str, path, count - 1, &parent)) {
        jsonb_result(result, out);
        return STRATA_OK;
    }
    StrRef replaced;
    if (jsonb_kind(parent) == JSONB_ARRAY) {
        char buf[24];
        size_t n = path[count - 1].len < 20 ? path[count - 1].len : 20;
        memcpy(buf, path[count - 1].ptr, n);
        buf[n] = '\0';
        rc = jsonb_delete_index(parent, strtoll(buf, NULL, 10), ctx->arena, &replaced, err);
    } else if (jsonb_kind(parent) == JSONB_OBJECT) {
        rc = jsonb_delete_key(parent, path[count - 1].ptr, path[count - 1].len, ctx->arena,
                              &replaced, err);
    } else {
        jsonb_result(result, out);
        return STRATA_OK;
    }
    if (rc == STRATA_OK && count > 1) {
        rc = jsonb_set_path(args[0].str, path, count - 1, replaced, false, ctx->arena, &out, err);
    } else if (rc == STRATA_OK) {
        out = replaced;
    }
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

FN(to_jsonb_fn)
{
    StrRef out;
    int rc = jsonb_from_value(&args[0], ctx->timezone, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

FN(build_array_fn)
{
    StrRef *items = arena_alloc(ctx->arena, sizeof(StrRef) * (size_t)(arg_count + 1));
    if (items == NULL) {
        return func_nomem(ctx, err);
    }
    for (int i = 0; i < arg_count; i++) {
        int rc = jsonb_from_value(&args[i], ctx->timezone, ctx->arena, &items[i], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    StrRef out;
    int rc = jsonb_build_array_from(items, arg_count, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

FN(build_object_fn)
{
    if (arg_count % 2 != 0) {
        error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                  "argument list must have even number of elements");
        return error_hint(
            err,
            "The arguments of jsonb_build_object() must consist of alternating keys and values.");
    }
    int pairs = arg_count / 2;
    StrRef *keys = arena_alloc(ctx->arena, sizeof(StrRef) * (size_t)(pairs + 1));
    StrRef *values = arena_alloc(ctx->arena, sizeof(StrRef) * (size_t)(pairs + 1));
    if (keys == NULL || values == NULL) {
        return func_nomem(ctx, err);
    }
    for (int i = 0; i < pairs; i++) {
        const Value *key = &args[2 * i];
        if (key->is_null) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "argument %d: key must not be null", 2 * i + 1);
        }
        int rc = func_value_text(key, ctx, &keys[i], err);
        if (rc == STRATA_OK && key->type.id == TYPE_BOOL) {
            keys[i].ptr = key->b ? "true" : "false";
            keys[i].len = key->b ? 4 : 5;
        }
        if (rc == STRATA_OK) {
            rc = jsonb_from_value(&args[2 * i + 1], ctx->timezone, ctx->arena, &values[i], err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    StrRef out;
    int rc = jsonb_build_object_from(keys, values, pairs, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

FN(typeof_fn)
{
    const char *name = jsonb_typeof_name(args[0].str);
    result_text(result, name, strlen(name));
    return STRATA_OK;
}

FN(array_length_fn)
{
    JsonbKind kind = jsonb_kind(args[0].str);
    if (kind != JSONB_ARRAY) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         kind == JSONB_OBJECT ? "cannot get array length of a non-array"
                                              : "cannot get array length of a scalar");
    }
    result_int(result, TYPE_INT4, jsonb_length(args[0].str));
    return STRATA_OK;
}

FN(set_fn)
{
    StrRef *path, out;
    int count;
    int rc = text_array_parse(args[1].str.ptr, args[1].str.len, ctx->arena, &path, &count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    bool create = arg_count > 3 ? args[3].b : true;
    rc = jsonb_set_path(args[0].str, path, count, args[2].str, create, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

FN(pretty_fn)
{
    StrRef out;
    int rc = jsonb_format_pretty(args[0].str, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        result_text(result, out.ptr, out.len);
    }
    return rc;
}

FN(strip_nulls_fn)
{
    StrRef out;
    int rc = jsonb_strip_nulls(args[0].str, ctx->arena, &out, err);
    if (rc == STRATA_OK) {
        jsonb_result(result, out);
    }
    return rc;
}

/* ---- json (text) builders ---- */

static int json_finish(TextBuilder *b, Value *result, Error *err)
{
    if (b->failed) {
        return func_nomem(b->ctx, err);
    }
    *result = value_str(TYPE_JSON, b->data, (uint32_t)b->length);
    return STRATA_OK;
}

static int json_put_value(TextBuilder *b, const Value *v, Error *err)
{
    StrRef text;
    int rc = json_from_value(v, b->ctx->timezone, b->ctx->arena, &text, err);
    if (rc == STRATA_OK) {
        text_builder_put(b, text.ptr, text.len);
    }
    return rc;
}

static int json_put_key(TextBuilder *b, const Value *key, int position, Error *err)
{
    if (key->is_null) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "argument %d cannot be null",
                         position);
    }
    StrRef text;
    int rc = STRATA_OK;
    if (key->type.id == TYPE_BOOL) {
        text.ptr = key->b ? "true" : "false";
        text.len = key->b ? 4 : 5;
    } else {
        rc = func_value_text(key, b->ctx, &text, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t cap = (size_t)text.len * 6 + 3, length = 0;
    char *quoted = arena_alloc(b->ctx->arena, cap);
    if (quoted == NULL) {
        return func_nomem(b->ctx, err);
    }
    json_quote(text.ptr, text.len, quoted, &length, cap);
    text_builder_put(b, quoted, length);
    return STRATA_OK;
}

FN(json_build_object_fn)
{
    if (arg_count % 2 != 0) {
        error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                  "argument list must have even number of elements");
        return error_hint(
            err,
            "The arguments of json_build_object() must consist of alternating keys and values.");
    }
    TextBuilder b = {ctx, NULL, 0, 0, false};
    text_builder_put(&b, "{", 1);
    for (int i = 0; i < arg_count; i += 2) {
        if (i > 0) {
            text_builder_put(&b, ", ", 2);
        }
        int rc = json_put_key(&b, &args[i], i + 1, err);
        if (rc == STRATA_OK) {
            text_builder_put(&b, " : ", 3);
            rc = json_put_value(&b, &args[i + 1], err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    text_builder_put(&b, "}", 1);
    return json_finish(&b, result, err);
}

FN(json_build_array_fn)
{
    TextBuilder b = {ctx, NULL, 0, 0, false};
    text_builder_put(&b, "[", 1);
    for (int i = 0; i < arg_count; i++) {
        if (i > 0) {
            text_builder_put(&b, ", ", 2);
        }
        int rc = json_put_value(&b, &args[i], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    text_builder_put(&b, "]", 1);
    return json_finish(&b, result, err);
}

FN(to_json_fn)
{
    StrRef text;
    int rc = json_from_value(&args[0], ctx->timezone, ctx->arena, &text, err);
    if (rc == STRATA_OK) {
        *result = value_str(TYPE_JSON, text.ptr, text.len);
    }
    return rc;
}

/* json functions that read the document go through jsonb. */
FN(json_typeof_fn)
{
    StrRef doc;
    int rc = as_jsonb(&args[0], ctx, &doc, err);
    if (rc == STRATA_OK) {
        const char *name = jsonb_typeof_name(doc);
        result_text(result, name, strlen(name));
    }
    return rc;
}

FN(json_array_length_fn)
{
    Value converted = args[0];
    int rc = as_jsonb(&args[0], ctx, &converted.str, err);
    return rc != STRATA_OK ? rc : array_length_fn(&converted, 1, result, ctx, err);
}

static int as_json_result(int rc, Value *result, FuncContext *ctx, Error *err)
{
    if (rc != STRATA_OK || result->is_null || result->type.id != TYPE_JSONB) {
        if (rc == STRATA_OK && result->is_null) {
            *result = value_null(sql_type(TYPE_JSON));
        }
        return rc;
    }
    StrRef text;
    rc = jsonb_format(result->str, ctx->arena, &text, err);
    if (rc == STRATA_OK) {
        *result = value_str(TYPE_JSON, text.ptr, text.len);
    }
    return rc;
}

FN(json_extract_path_fn)
{
    int rc = extract_path_common(args, arg_count, result, ctx, err, false);
    return as_json_result(rc, result, ctx, err);
}

FN(json_path_fn)
{
    int rc = path_common(&args[0], args[1].str, result, ctx, err, false);
    return as_json_result(rc, result, ctx, err);
}

/* ---- set-returning ---- */

typedef struct IterState {
    StrRef doc;
    int64_t index, count;
} IterState;

static int iter_begin(const Value *args, void **state, JsonbKind want, FuncContext *ctx, Error *err,
                      const char *function)
{
    if (*state != NULL) {
        return STRATA_OK;
    }
    IterState *s = arena_zalloc(ctx->arena, sizeof *s);
    if (s == NULL) {
        return func_nomem(ctx, err);
    }
    s->doc = args[0].str;
    if (jsonb_kind(s->doc) != want) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot call %s on %s", function,
                         want == JSONB_OBJECT
                             ? (jsonb_kind(s->doc) == JSONB_ARRAY ? "an array" : "a scalar")
                             : (jsonb_kind(s->doc) == JSONB_OBJECT ? "a non-array" : "a scalar"));
    }
    s->count = jsonb_length(s->doc);
    *state = s;
    return STRATA_OK;
}

static int object_keys_step(const Value *args, int arg_count, void **state, Value *row,
                            bool *has_row, FuncContext *ctx, Error *err)
{
    int rc = iter_begin(args, state, JSONB_OBJECT, ctx, err, "jsonb_object_keys");
    if (rc != STRATA_OK) {
        return rc;
    }
    IterState *s = *state;
    *has_row = s->index < s->count;
    if (*has_row) {
        StrRef key = jsonb_object_key_at(s->doc, s->index++);
        result_text(row, key.ptr, key.len);
    }
    return STRATA_OK;
}

static int array_elements_common(const Value *args, void **state, Value *row, bool *has_row,
                                 FuncContext *ctx, Error *err, bool as_text)
{
    int rc = iter_begin(args, state, JSONB_ARRAY, ctx, err,
                        as_text ? "jsonb_array_elements_text" : "jsonb_array_elements");
    if (rc != STRATA_OK) {
        return rc;
    }
    IterState *s = *state;
    *has_row = s->index < s->count;
    if (!*has_row) {
        return STRATA_OK;
    }
    StrRef element;
    jsonb_array_get(s->doc, s->index++, &element);
    if (as_text) {
        return text_or_null(element, true, row, ctx, err);
    }
    jsonb_result(row, element);
    return STRATA_OK;
}

static int array_elements_step(const Value *args, int arg_count, void **state, Value *row,
                               bool *has_row, FuncContext *ctx, Error *err)
{
    return array_elements_common(args, state, row, has_row, ctx, err, false);
}

static int array_elements_text_step(const Value *args, int arg_count, void **state, Value *row,
                                    bool *has_row, FuncContext *ctx, Error *err)
{
    return array_elements_common(args, state, row, has_row, ctx, err, true);
}

/* The path and key-list operators read their second argument as a text[]
 * literal; a text[] value is passed on in its text form. */
static int with_path_text(const Value *args, int arg_count, Value *result, FuncContext *ctx,
                          Error *err, ScalarFn fn)
{
    Value copy[FUNC_PARAMS_MAX];
    memcpy(copy, args, sizeof(Value) * (size_t)arg_count);
    StrRef text;
    int rc = array_format(args[1].type, args[1].str, ctx->timezone, ctx->arena, &text, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    copy[1] = value_str(TYPE_TEXT, text.ptr, text.len);
    return fn(copy, arg_count, result, ctx, err);
}

#define PATH_ARRAY(name, fn)                                                                       \
    FN(name)                                                                                       \
    {                                                                                              \
        return with_path_text(args, arg_count, result, ctx, err, fn);                              \
    }
PATH_ARRAY(jsonb_path_array, jsonb_path)
PATH_ARRAY(jsonb_path_text_array, jsonb_path_text)
PATH_ARRAY(exists_any_array, exists_any_fn)
PATH_ARRAY(exists_all_array, exists_all_fn)
PATH_ARRAY(delete_path_array, delete_path_fn)
PATH_ARRAY(set_array, set_fn)
PATH_ARRAY(json_path_array, json_path_fn)

#define SRF(nm, res, fn_, ...)                                                                     \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION, .arg_count = 1, .arg_types = {__VA_ARGS__},        \
        .result_type = res, .set_fn = fn_, .strict = true, .volatility = VOLATILITY_IMMUTABLE      \
    }
#define VARIADIC_ANY(nm, res, fn_)                                                                 \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION, .arg_count = 0, .variadic = FUNC_VARIADIC_ANY,     \
        .result_type = res, .fn = fn_, .strict = false, .volatility = VOLATILITY_STABLE            \
    }
#define VARIADIC_TEXT(nm, res, fn_)                                                                \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION, .arg_count = 2, .arg_types = {T(JSONB), T(TEXT)},  \
        .variadic = FUNC_VARIADIC_SAME, .result_type = res, .fn = fn_, .strict = false,            \
        .volatility = VOLATILITY_IMMUTABLE                                                         \
    }

static const FuncDef DEFS[] = {
    OP("->", T(JSONB), jsonb_get, T(JSONB), T(TEXT)),
    OP("->", T(JSONB), jsonb_get, T(JSONB), T(INT4)),
    OP("->>", T(TEXT), jsonb_get_text, T(JSONB), T(TEXT)),
    OP("->>", T(TEXT), jsonb_get_text, T(JSONB), T(INT4)),
    OP("->", T(JSON), json_get, T(JSON), T(TEXT)),
    OP("->", T(JSON), json_get, T(JSON), T(INT4)),
    OP("->>", T(TEXT), jsonb_get_text, T(JSON), T(TEXT)),
    OP("->>", T(TEXT), jsonb_get_text, T(JSON), T(INT4)),
    OP("#>", T(JSONB), jsonb_path, T(JSONB), T(TEXT)),
    OP("#>>", T(TEXT), jsonb_path_text, T(JSONB), T(TEXT)),
    OP("@>", T(BOOL), contains_fn, T(JSONB), T(JSONB)),
    OP("<@", T(BOOL), contained_fn, T(JSONB), T(JSONB)),
    OP("?", T(BOOL), exists_fn, T(JSONB), T(TEXT)),
    OP("?|", T(BOOL), exists_any_fn, T(JSONB), T(TEXT)),
    OP("?&", T(BOOL), exists_all_fn, T(JSONB), T(TEXT)),
    OP("||", T(JSONB), concat_fn, T(JSONB), T(JSONB)),
    OP("-", T(JSONB), delete_key_fn, T(JSONB), T(TEXT)),
    OP("-", T(JSONB), delete_index_fn, T(JSONB), T(INT4)),
    OP("#-", T(JSONB), delete_path_fn, T(JSONB), T(TEXT)),
    {.name = "to_jsonb",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 1,
     .arg_types = {T(UNKNOWN)},
     .result_type = T(JSONB),
     .fn = to_jsonb_fn,
     .strict = false,
     .volatility = VOLATILITY_STABLE},
    VARIADIC_ANY("jsonb_build_array", T(JSONB), build_array_fn),
    VARIADIC_ANY("jsonb_build_object", T(JSONB), build_object_fn),
    F("jsonb_typeof", T(TEXT), typeof_fn, T(JSONB)),
    F("jsonb_array_length", T(INT4), array_length_fn, T(JSONB)),
    VARIADIC_TEXT("jsonb_extract_path", T(JSONB), extract_path_fn),
    VARIADIC_TEXT("jsonb_extract_path_text", T(TEXT), extract_path_text_fn),
    F("jsonb_set", T(JSONB), set_fn, T(JSONB), T(TEXT), T(JSONB)),
    F("jsonb_set", T(JSONB), set_fn, T(JSONB), T(TEXT), T(JSONB), T(BOOL)),
    OP("#>", T(JSONB), jsonb_path_array, T(JSONB), T(TEXT_ARRAY)),
    OP("#>>", T(TEXT), jsonb_path_text_array, T(JSONB), T(TEXT_ARRAY)),
    OP("?|", T(BOOL), exists_any_array, T(JSONB), T(TEXT_ARRAY)),
    OP("?&", T(BOOL), exists_all_array, T(JSONB), T(TEXT_ARRAY)),
    OP("#-", T(JSONB), delete_path_array, T(JSONB), T(TEXT_ARRAY)),
    F("jsonb_set", T(JSONB), set_array, T(JSONB), T(TEXT_ARRAY), T(JSONB)),
    F("jsonb_set", T(JSONB), set_array, T(JSONB), T(TEXT_ARRAY), T(JSONB), T(BOOL)),
    OP("#>", T(JSON), json_path_array, T(JSON), T(TEXT_ARRAY)),
    OP("#>>", T(TEXT), jsonb_path_text_array, T(JSON), T(TEXT_ARRAY)),
    F("jsonb_pretty", T(TEXT), pretty_fn, T(JSONB)),
    F("jsonb_strip_nulls", T(JSONB), strip_nulls_fn, T(JSONB)),
    VARIADIC_ANY("json_build_object", T(JSON), json_build_object_fn),
    VARIADIC_ANY("json_build_array", T(JSON), json_build_array_fn),
    {.name = "to_json",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 1,
     .arg_types = {T(UNKNOWN)},
     .result_type = T(JSON),
     .fn = to_json_fn,
     .strict = false,
     .volatility = VOLATILITY_STABLE},
    F("json_typeof", T(TEXT), json_typeof_fn, T(JSON)),
    F("json_array_length", T(INT4), json_array_length_fn, T(JSON)),
    {.name = "json_extract_path",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 2,
     .arg_types = {T(JSON), T(TEXT)},
     .variadic = FUNC_VARIADIC_SAME,
     .result_type = T(JSON),
     .fn = json_extract_path_fn,
     .strict = false,
     .volatility = VOLATILITY_IMMUTABLE},
    {.name = "json_extract_path_text",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 2,
     .arg_types = {T(JSON), T(TEXT)},
     .variadic = FUNC_VARIADIC_SAME,
     .result_type = T(TEXT),
     .fn = extract_path_text_fn,
     .strict = false,
     .volatility = VOLATILITY_IMMUTABLE},
    OP("#>", T(JSON), json_path_fn, T(JSON), T(TEXT)),
    OP("#>>", T(TEXT), jsonb_path_text, T(JSON), T(TEXT)),
    SRF("jsonb_object_keys", T(TEXT), object_keys_step, T(JSONB)),
    SRF("jsonb_array_elements", T(JSONB), array_elements_step, T(JSONB)),
    SRF("jsonb_array_elements_text", T(TEXT), array_elements_text_step, T(JSONB)),
};

const FuncDef *func_defs_jsonb(int *count)
{
    *count = (int)(sizeof DEFS / sizeof DEFS[0]);
    return DEFS;
}
