/*
 * types/func_json_record.c - the pieces behind PostgreSQL's record-returning
 * json functions and whole-row json values.
 *
 * The binder (src/plan/bind_json.c) rewrites
 *   FROM jsonb_to_recordset(x) AS r(a int, b text)
 * into a lateral subquery whose FROM is the row generator registered here
 * under the function's own name (one jsonb object per output row, with
 * PostgreSQL's errors for the wrong shape of input) and whose select list
 * converts each column with the internal "$record_field"(object, key,
 * NULL::type): PostgreSQL's populate_record_field, i.e. the json value's text
 * through the column type's input function (typmod checked, so varchar(3)
 * gets 22001 rather than an explicit cast's truncation), json arrays into
 * array columns, json null and missing keys as SQL NULL.
 *
 * "$row_to_json"(key, value, ...) is row_to_json of a row the binder spelled
 * out column by column: {"a":1,"b":"x"}, keys in column order.
 *
 * Names starting with '$' cannot be written as plain identifiers; they are the
 * binder's, not the user's.
 *
 * Invariants
 *   1. "$record_field" returns a value of exactly its third argument's type.
 *   2. The *_record generators return exactly one row (a NULL object for a
 *      NULL argument), the *_recordset generators one row per array element.
 */
#include <string.h>

#include "types/func_int.h"
#include "types/jsonb.h"
#include "types/value_io.h"

/* ---- row generators ---- */

typedef struct RowsState {
    StrRef doc;
    bool is_null;
    int64_t index, count;
} RowsState;

static const char *kind_words(JsonbKind kind, bool object_word)
{
    if (kind == JSONB_ARRAY) {
        return "an array";
    }
    if (kind == JSONB_OBJECT) {
        return object_word ? "an object" : "a non-array";
    }
    return "a scalar";
}

/* Starts a generator: args[doc_arg] as jsonb (json parsed), shape checked. */
static int rows_begin(const Value *args, int doc_arg, bool is_set, const char *function,
                      void **state, FuncContext *ctx, Error *err)
{
    RowsState *s = arena_zalloc(ctx->arena, sizeof *s);
    if (s == NULL) {
        return func_nomem(ctx, err);
    }
    const Value *v = &args[doc_arg];
    bool is_json = v->type.id == TYPE_JSON;
    s->is_null = v->is_null;
    s->count = is_set ? 0 : 1;
    *state = s;
    if (v->is_null) {
        return STRATA_OK;
    }
    s->doc = v->str;
    if (is_json) {
        int rc = jsonb_parse(v->str.ptr, v->str.len, ctx->arena, &s->doc, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    JsonbKind kind = jsonb_kind(s->doc);
    if (!is_set) {
        if (kind != JSONB_OBJECT) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "cannot call populate_composite on %s", kind_words(kind, false));
        }
        return STRATA_OK;
    }
    if (kind != JSONB_ARRAY) {
        /* json's parser names the token it met; jsonb's worker says non-array */
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot call %s on %s", function,
                         is_json ? kind_words(kind, true) : kind_words(kind, false));
    }
    s->count = jsonb_length(s->doc);
    for (int64_t index = 0; index < s->count; index++) {
        StrRef element;
        jsonb_array_get(s->doc, index, &element);
        if (jsonb_kind(element) != JSONB_OBJECT) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "argument of %s must be an array of objects", function);
        }
    }
    return STRATA_OK;
}

static int rows_step(const Value *args, int doc_arg, bool is_set, const char *function,
                     void **state, Value *row, bool *has_row, FuncContext *ctx, Error *err)
{
    if (*state == NULL) {
        int rc = rows_begin(args, doc_arg, is_set, function, state, ctx, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    RowsState *s = *state;
    *has_row = s->index < s->count;
    if (!*has_row) {
        return STRATA_OK;
    }
    if (s->is_null) {
        s->index++;
        *row = value_null(sql_type(TYPE_JSONB));
        return STRATA_OK;
    }
    StrRef object = s->doc;
    if (is_set) {
        jsonb_array_get(s->doc, s->index, &object);
    }
    s->index++;
    *row = value_str(TYPE_JSONB, object.ptr, object.len);
    return STRATA_OK;
}

#define ROWS_FN(fn_name, doc_arg, is_set, sql_name)                                                \
    static int fn_name(const Value *args, int arg_count, void **state, Value *row, bool *has_row,  \
                       FuncContext *ctx, Error *err)                                               \
    {                                                                                              \
        return rows_step(args, doc_arg, is_set, sql_name, state, row, has_row, ctx, err);          \
    }
ROWS_FN(jsonb_to_record_step, 0, false, "jsonb_to_record")
ROWS_FN(jsonb_to_recordset_step, 0, true, "jsonb_to_recordset")
ROWS_FN(json_to_record_step, 0, false, "json_to_record")
ROWS_FN(json_to_recordset_step, 0, true, "json_to_recordset")
ROWS_FN(jsonb_populate_record_step, 1, false, "jsonb_populate_record")
ROWS_FN(jsonb_populate_recordset_step, 1, true, "jsonb_populate_recordset")
ROWS_FN(json_populate_record_step, 1, false, "json_populate_record")
ROWS_FN(json_populate_recordset_step, 1, true, "json_populate_recordset")

/* ---- one field ---- */

/* Where a value sits, for the "expected JSON array" hint: key "a", then
 * element indexes. */
typedef struct FieldPath {
    StrRef key;
    int64_t indexes[8];
    int depth;
} FieldPath;

static int expected_array(const FieldPath *path, FuncContext *ctx, Error *err)
{
    error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "expected JSON array");
    if (path->depth == 0) {
        return error_hint(err, "See the value of key \"%.*s\".", (int)path->key.len, path->key.ptr);
    }
    char *where = arena_strdup(ctx->arena, "");
    for (int level = 0; where != NULL && level < path->depth; level++) {
        where = arena_sprintf(ctx->arena, "%s[%lld]", where, (long long)path->indexes[level]);
    }
    return error_hint(err, "See the array element %s of key \"%.*s\".", where ? where : "",
                      (int)path->key.len, path->key.ptr);
}

/* Appends the array literal of a json array nested dims deep: {"1","2"} with
 * every element quoted (NULL for json null). */
static int array_literal(StrRef array, int dims, FieldPath *path, TextBuilder *b, int64_t *shape,
                         Error *err)
{
    int64_t count = jsonb_length(array);
    int level = path->depth;
    if (shape[level] < 0) {
        shape[level] = count;
    } else if (shape[level] != count) {
        error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "malformed JSON array");
        return error_detail(err, "Multidimensional arrays must have sub-arrays with matching "
                                 "dimensions.");
    }
    text_builder_put(b, "{", 1);
    for (int64_t index = 0; index < count; index++) {
        StrRef element;
        jsonb_array_get(array, index, &element);
        text_builder_put(b, index > 0 ? "," : "", index > 0 ? 1 : 0);
        if (level + 1 < dims) {
            path->indexes[path->depth++] = index;
            int rc = jsonb_kind(element) == JSONB_ARRAY
                         ? array_literal(element, dims, path, b, shape, err)
                         : expected_array(path, b->ctx, err);
            path->depth--;
            if (rc != STRATA_OK) {
                return rc;
            }
            continue;
        }
        StrRef text;
        bool is_null;
        int rc = jsonb_to_text(element, b->ctx->arena, &text, &is_null, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (is_null) {
            text_builder_put(b, "NULL", 4);
            continue;
        }
        text_builder_put(b, "\"", 1);
        for (uint32_t at = 0; at < text.len; at++) {
            if (text.ptr[at] == '"' || text.ptr[at] == '\\') {
                text_builder_put(b, "\\", 1);
            }
            text_builder_put(b, &text.ptr[at], 1);
        }
        text_builder_put(b, "\"", 1);
    }
    text_builder_put(b, "}", 1);
    return STRATA_OK;
}

/* A json array into an array column: the dimensions come from the first
 * elements, as PostgreSQL's populate_array; a json string is the array's text. */
static int populate_array(StrRef value, StrRef key, SqlType target, Value *result, FuncContext *ctx,
                          Error *err)
{
    FieldPath path = {.key = key};
    if (jsonb_kind(value) == JSONB_STRING) {
        StrRef text;
        bool is_null;
        int rc = jsonb_to_text(value, ctx->arena, &text, &is_null, err);
        return rc != STRATA_OK ? rc
                               : value_parse_tz(target, text.ptr, text.len, ctx->timezone,
                                                ctx->arena, result, err);
    }
    if (jsonb_kind(value) != JSONB_ARRAY) {
        return expected_array(&path, ctx, err);
    }
    int dims = 1;
    StrRef first = value;
    while (dims < 6 && jsonb_length(first) > 0 && jsonb_array_get(first, 0, &first) &&
           jsonb_kind(first) == JSONB_ARRAY) {
        dims++;
    }
    int64_t shape[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    TextBuilder b = {ctx, NULL, 0, 0, false};
    int rc = array_literal(value, dims, &path, &b, shape, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (b.failed) {
        return func_nomem(ctx, err);
    }
    return value_parse_tz(target, b.data, b.length, ctx->timezone, ctx->arena, result, err);
}

/* "$record_field"(object jsonb, key text, NULL::type): object's key as a
 * value of type (PostgreSQL's populate_record_field). */
FN(record_field_fn)
{
    SqlType target = args[2].type;
    StrRef value;
    if (args[0].is_null || args[1].is_null ||
        !jsonb_object_get(args[0].str, args[1].str.ptr, args[1].str.len, &value) ||
        jsonb_kind(value) == JSONB_NULL) {
        *result = value_null(target);
        return STRATA_OK;
    }
    if (target.id == TYPE_JSONB) {
        *result = value_str(TYPE_JSONB, value.ptr, value.len);
        return STRATA_OK;
    }
    if (type_is_array(target.id)) {
        return populate_array(value, args[1].str, target, result, ctx, err);
    }
    StrRef text;
    int rc;
    if (target.id == TYPE_JSON) {
        rc = jsonb_format(value, ctx->arena, &text, err);
    } else {
        bool is_null;
        rc = jsonb_to_text(value, ctx->arena, &text, &is_null, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    return value_parse_tz(target, text.ptr, text.len, ctx->timezone, ctx->arena, result, err);
}

/* "$row_to_json"(key, value, ...): {"k":v,...} in argument order. */
FN(row_to_json_fn)
{
    TextBuilder b = {ctx, NULL, 0, 0, false};
    text_builder_put(&b, "{", 1);
    for (int i = 0; i + 1 < arg_count; i += 2) {
        StrRef value;
        int rc = json_from_value(&args[i + 1], ctx->timezone, ctx->arena, &value, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        size_t cap = (size_t)args[i].str.len * 6 + 3, length = 0;
        char *quoted = arena_alloc(ctx->arena, cap);
        if (quoted == NULL) {
            return func_nomem(ctx, err);
        }
        json_quote(args[i].str.ptr, args[i].str.len, quoted, &length, cap);
        text_builder_put(&b, i > 0 ? "," : "", i > 0 ? 1 : 0);
        text_builder_put(&b, quoted, length);
        text_builder_put(&b, ":", 1);
        text_builder_put(&b, value.ptr, value.len);
    }
    text_builder_put(&b, "}", 1);
    if (b.failed) {
        return func_nomem(ctx, err);
    }
    *result = value_str(TYPE_JSON, b.data, (uint32_t)b.length);
    return STRATA_OK;
}

#define ROWS(nm, fn_, ...)                                                                         \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION,                                                    \
        .arg_count = sizeof((TypeId[]){__VA_ARGS__}) / sizeof(TypeId), .arg_types = {__VA_ARGS__}, \
        .result_type = T(JSONB), .set_fn = fn_, .strict = false,                                   \
        .volatility = VOLATILITY_IMMUTABLE                                                         \
    }
#define FIELD(poly)                                                                                \
    {                                                                                              \
        .name = "$record_field", .kind = FUNC_KIND_FUNCTION, .arg_count = 3,                       \
        .arg_types = {T(JSONB), T(TEXT), poly}, .result_type = poly, .fn = record_field_fn,        \
        .strict = false, .volatility = VOLATILITY_STABLE                                           \
    }

static const FuncDef DEFS[] = {
    ROWS("jsonb_to_record", jsonb_to_record_step, T(JSONB)),
    ROWS("jsonb_to_recordset", jsonb_to_recordset_step, T(JSONB)),
    ROWS("json_to_record", json_to_record_step, T(JSON)),
    ROWS("json_to_recordset", json_to_recordset_step, T(JSON)),
    ROWS("jsonb_populate_record", jsonb_populate_record_step, T(UNKNOWN), T(JSONB)),
    ROWS("jsonb_populate_recordset", jsonb_populate_recordset_step, T(UNKNOWN), T(JSONB)),
    ROWS("json_populate_record", json_populate_record_step, T(UNKNOWN), T(JSON)),
    ROWS("json_populate_recordset", json_populate_recordset_step, T(UNKNOWN), T(JSON)),
    FIELD(TYPE_ANYELEMENT),
    FIELD(TYPE_ANYARRAY),
    {.name = "$row_to_json",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 0,
     .variadic = FUNC_VARIADIC_ANY,
     .result_type = T(JSON),
     .fn = row_to_json_fn,
     .strict = false,
     .volatility = VOLATILITY_STABLE},
};

const FuncDef *func_defs_json_record(int *count)
{
    *count = (int)(sizeof DEFS / sizeof DEFS[0]);
    return DEFS;
}
