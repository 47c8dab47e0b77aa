/*
 * types/func_array.c - array functions and operators (PostgreSQL's
 * array_length, array_append, ||, @>, unnest, ...), and the internal
 * definitions behind ARRAY[...] and subscripts.
 *
 * Most definitions are polymorphic (TYPE_ANYARRAY / TYPE_ANYELEMENT, see
 * func.c): a function learns its element type from the types of its argument
 * values, which the binder has cast to the resolved array / element types.
 * Arrays are one-dimensional with lower bound 1 (array.h), so the dimension
 * arguments of array_length & co. only have dimension 1.
 */
#include <stdio.h>
#include <string.h>

#include "types/array.h"
#include "types/compare.h"
#include "types/func_int.h"
#include "types/typeinfo.h"
#include "util/limits.h"

/* The element type of an array argument, falling back on an element argument. */
static TypeId elem_type(const Value *array, const Value *elem)
{
    if (type_is_array(array->type.id)) {
        return type_array_elem(array->type.id);
    }
    return elem != NULL && elem->type.id != TYPE_UNKNOWN ? elem->type.id : TYPE_TEXT;
}

static int decode(const Value *array, FuncContext *ctx, Value **items, int *count, Error *err)
{
    return array_decode(array->type, array->str, ctx->arena, items, count, err);
}

static int result_array(TypeId elem, const Value *items, int64_t count, Value *result,
                        FuncContext *ctx, Error *err)
{
    StrRef bytes;
    int rc = array_encode(elem, items, count, ctx->arena, &bytes, err);
    if (rc == STRATA_OK) {
        *result = value_str(type_array_of(elem), bytes.ptr, bytes.len);
    }
    return rc;
}

/* The same with a shape (multi-dimensional results). */
static int result_array_dims(TypeId elem, const Value *items, int64_t count, int ndims,
                             const uint32_t *dims, Value *result, FuncContext *ctx, Error *err)
{
    StrRef bytes;
    int rc = array_encode_dims(elem, items, count, ndims, dims, ctx->arena, &bytes, err);
    if (rc == STRATA_OK) {
        *result = value_str(type_array_of(elem), bytes.ptr, bytes.len);
    }
    return rc;
}

static int ndims_of(const Value *array)
{
    uint32_t dims[ARRAY_DIMS_MAX];
    return array->is_null ? 0 : array_shape(array->str, dims);
}

/* 0A000 / 22000 for the functions that take only one-dimensional arrays. */
static int refuse_multi(const Value *array, const char *message, const char *sqlstate, Error *err)
{
    return ndims_of(array) > 1 ? error_set(err, sqlstate, "%s", message) : STRATA_OK;
}

/* IS NOT DISTINCT FROM between two elements of one type. */
static bool same_element(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null) {
        return a->is_null && b->is_null;
    }
    return value_compare(a, b) == 0;
}

/* ---- constructor and subscripts ---- */

FN(construct_fn)
{
    TypeId elem = arg_count > 0 ? args[0].type.id : TYPE_TEXT;
    return result_array(elem, args, arg_count, result, ctx, err);
}

/* ARRAY[ARRAY[1,2], ARRAY[3,4]] and ARRAY[[1,2],[3,4]]: the arguments (arrays
 * of one shape) become the rows of an array with one more dimension. */
FN(stack_fn)
{
    (void)ctx;
    int ndims = -1;
    uint32_t dims[ARRAY_DIMS_MAX + 1];
    int64_t total = 0;
    for (int k = 0; k < arg_count; k++) {
        uint32_t shape[ARRAY_DIMS_MAX];
        int n = args[k].is_null ? -2 : array_shape(args[k].str, shape);
        if (ndims == -1) {
            ndims = n;
            memcpy(dims + 1, shape, sizeof(uint32_t) * (size_t)(n > 0 ? n : 0));
        } else if (n != ndims ||
                   (n > 0 && memcmp(dims + 1, shape, sizeof(uint32_t) * (size_t)n) != 0)) {
            ndims = -3;
        }
        if (ndims < -1) {
            return error_set(
                err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR,
                "multidimensional arrays must have array expressions with matching dimensions");
        }
        total += array_count(args[k].str);
    }
    TypeId elem = arg_count > 0 ? type_array_elem(args[0].type.id) : TYPE_TEXT;
    if (ndims <= 0) {
        return result_array(elem, NULL, 0, result, ctx, err); /* only empty arrays: '{}' */
    }
    if (ndims + 1 > ARRAY_DIMS_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                         ndims + 1, ARRAY_DIMS_MAX);
    }
    Value *items = arena_alloc(ctx->arena, sizeof(Value) * ((size_t)total + 1));
    if (items == NULL) {
        return func_nomem(ctx, err);
    }
    int64_t used = 0;
    for (int k = 0; k < arg_count; k++) {
        Value *part;
        int part_count;
        int rc = decode(&args[k], ctx, &part, &part_count, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        memcpy(items + used, part, sizeof(Value) * (size_t)part_count);
        used += part_count;
    }
    dims[0] = (uint32_t)arg_count;
    return result_array_dims(elem, items, used, ndims + 1, dims, result, ctx, err);
}

/* a[i] or a[i][j]...: NULL unless there is one subscript per dimension, each
 * in range. */
FN(subscript_fn)
{
    ArrayReader reader;
    array_reader_init(&reader, args[0].type, args[0].str);
    *result = value_null(reader.elem);
    if (arg_count - 1 != reader.ndims) {
        return STRATA_OK;
    }
    int64_t index = 0;
    for (int d = 0; d < reader.ndims; d++) {
        int64_t at = args[1 + d].i64;
        if (at < 1 || at > reader.dims[d]) {
            return STRATA_OK;
        }
        index = index * reader.dims[d] + (at - 1);
    }
    index += 1;
    if (index < 1 || index > reader.count) {
        return STRATA_OK;
    }
    Value v = *result;
    for (int64_t k = 1; k <= index; k++) {
        if (!array_reader_next(&reader, &v)) {
            return error_set(err, SQLSTATE_DATA_CORRUPTED, "array value is corrupted");
        }
    }
    *result = v;
    return STRATA_OK;
}

FN(slice_fn)
{
    Value *items;
    int count;
    int rc = decode(&args[0], ctx, &items, &count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(args[0].str, dims);
    /* a slice of a multi-dimensional array cuts its first dimension and keeps
     * the others whole (rows of `row` elements) */
    int64_t row = 1;
    for (int d = 1; d < ndims; d++) {
        row *= dims[d];
    }
    int64_t rows = ndims > 0 ? dims[0] : 0;
    int64_t low = args[1].i64 < 1 ? 1 : args[1].i64;
    int64_t high = args[2].i64 > rows ? rows : args[2].i64;
    int64_t n = high >= low ? high - low + 1 : 0;
    if (ndims > 1) {
        dims[0] = (uint32_t)n;
        return result_array_dims(elem_type(&args[0], NULL), items + (n > 0 ? (low - 1) * row : 0),
                                 n * row, ndims, dims, result, ctx, err);
    }
    (void)count;
    return result_array(elem_type(&args[0], NULL), items + (n > 0 ? low - 1 : 0), n, result, ctx,
                        err);
}

const FuncDef FUNC_ARRAY_STACK = {
    .name = "array",
    .kind = FUNC_KIND_FUNCTION,
    .arg_count = 0,
    .variadic = FUNC_VARIADIC_ANY,
    .result_type = TYPE_ANYARRAY,
    .fn = stack_fn,
    .strict = false,
    .volatility = VOLATILITY_IMMUTABLE,
};

const FuncDef FUNC_ARRAY_CONSTRUCT = {
    .name = "array",
    .kind = FUNC_KIND_FUNCTION,
    .arg_count = 0,
    .variadic = FUNC_VARIADIC_ANY,
    .result_type = TYPE_ANYARRAY,
    .fn = construct_fn,
    .strict = false,
    .volatility = VOLATILITY_IMMUTABLE,
};
const FuncDef FUNC_ARRAY_SUBSCRIPT = {
    .name = "array_subscript",
    .kind = FUNC_KIND_FUNCTION,
    .arg_count = 2,
    .arg_types = {TYPE_ANYARRAY, TYPE_INT4},
    .result_type = TYPE_ANYELEMENT,
    .fn = subscript_fn,
    .strict = true,
    .volatility = VOLATILITY_IMMUTABLE,
};
const FuncDef FUNC_ARRAY_SLICE = {
    .name = "array_slice",
    .kind = FUNC_KIND_FUNCTION,
    .arg_count = 3,
    .arg_types = {TYPE_ANYARRAY, TYPE_INT4, TYPE_INT4},
    .result_type = TYPE_ANYARRAY,
    .fn = slice_fn,
    .strict = true,
    .volatility = VOLATILITY_IMMUTABLE,
};

/* ---- dimensions ---- */

/* array_length(a, d) and array_upper(a, d) (lower bounds are 1). */
FN(array_length_fn)
{
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(args[0].str, dims);
    if (args[1].i64 < 1 || args[1].i64 > ndims) {
        *result = value_null(sql_type(TYPE_INT4));
        return STRATA_OK;
    }
    result_int(result, TYPE_INT4, dims[args[1].i64 - 1]);
    return STRATA_OK;
}

FN(cardinality_fn)
{
    result_int(result, TYPE_INT4, array_count(args[0].str));
    return STRATA_OK;
}

FN(array_lower_fn)
{
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(args[0].str, dims);
    if (args[1].i64 < 1 || args[1].i64 > ndims) {
        *result = value_null(sql_type(TYPE_INT4));
        return STRATA_OK;
    }
    result_int(result, TYPE_INT4, 1);
    return STRATA_OK;
}

FN(array_ndims_fn)
{
    int ndims = ndims_of(&args[0]);
    if (ndims == 0) {
        *result = value_null(sql_type(TYPE_INT4));
        return STRATA_OK;
    }
    result_int(result, TYPE_INT4, ndims);
    return STRATA_OK;
}

FN(array_dims_fn)
{
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(args[0].str, dims);
    if (ndims == 0) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    char *text = "";
    for (int d = 0; d < ndims && text != NULL; d++) {
        text = arena_sprintf(ctx->arena, "%s[1:%u]", text, dims[d]);
    }
    if (text == NULL) {
        return func_nomem(ctx, err);
    }
    result_text(result, text, strlen(text));
    return STRATA_OK;
}

/* ---- building ---- */

/* array_cat, anyarray || anyarray: a NULL side counts as empty. */
FN(array_cat_fn)
{
    if (args[0].is_null || args[1].is_null) {
        *result = args[0].is_null ? args[1] : args[0];
        return STRATA_OK;
    }
    uint32_t left_dims[ARRAY_DIMS_MAX], right_dims[ARRAY_DIMS_MAX], dims[ARRAY_DIMS_MAX];
    int left_ndims = array_shape(args[0].str, left_dims);
    int right_ndims = array_shape(args[1].str, right_dims);
    int ndims = 1;
    if (left_ndims > 1 || right_ndims > 1) {
        /* PostgreSQL's array_cat: along the first dimension, an N-1 dimensional
         * side adding one row */
        if (left_ndims == 0 || right_ndims == 0) {
            *result = left_ndims == 0 ? args[1] : args[0];
            return STRATA_OK;
        }
        const uint32_t *left_rest = left_dims + 1, *right_rest = right_dims + 1;
        int rest = left_ndims - 1;
        uint32_t left_rows = left_dims[0], right_rows = right_dims[0];
        if (left_ndims == right_ndims - 1) {
            left_rest = left_dims, left_rows = 1, rest = left_ndims;
        } else if (right_ndims == left_ndims - 1) {
            right_rest = right_dims, right_rows = 1;
        } else if (left_ndims != right_ndims) {
            rest = -1;
        }
        if (rest < 0 || memcmp(left_rest, right_rest, sizeof(uint32_t) * (size_t)rest) != 0) {
            error_set(err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR,
                      "cannot concatenate incompatible arrays");
            return error_detail(
                err, "Arrays with differing dimensions are not compatible for concatenation.");
        }
        ndims = rest + 1;
        dims[0] = left_rows + right_rows;
        memcpy(dims + 1, left_rest, sizeof(uint32_t) * (size_t)rest);
    }
    Value *left, *right;
    int left_count, right_count;
    int rc = decode(&args[0], ctx, &left, &left_count, err);
    if (rc == STRATA_OK) {
        rc = decode(&args[1], ctx, &right, &right_count, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Value *items = arena_alloc(ctx->arena, sizeof(Value) * ((size_t)left_count + right_count + 1));
    if (items == NULL) {
        return func_nomem(ctx, err);
    }
    memcpy(items, left, sizeof(Value) * (size_t)left_count);
    memcpy(items + left_count, right, sizeof(Value) * (size_t)right_count);
    return result_array_dims(elem_type(&args[0], NULL), items, (int64_t)left_count + right_count,
                             ndims, dims, result, ctx, err);
}

/* array_append / array_prepend: array_index is where the array argument is. */
static int add_element(const Value *args, int array_index, Value *result, FuncContext *ctx,
                       Error *err)
{
    const Value *array = &args[array_index], *elem = &args[1 - array_index];
    Value *items = NULL;
    int count = 0;
    int rc0 = refuse_multi(array, "argument must be empty or one-dimensional array",
                           SQLSTATE_DATA_EXCEPTION, err);
    if (rc0 != STRATA_OK) {
        return rc0;
    }
    if (!array->is_null) {
        int rc = decode(array, ctx, &items, &count, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    Value *all = arena_alloc(ctx->arena, sizeof(Value) * ((size_t)count + 2));
    if (all == NULL) {
        return func_nomem(ctx, err);
    }
    int offset = array_index == 0 ? 0 : 1;
    if (count > 0) {
        memcpy(all + offset, items, sizeof(Value) * (size_t)count);
    }
    all[array_index == 0 ? count : 0] = *elem;
    return result_array(elem_type(array, elem), all, (int64_t)count + 1, result, ctx, err);
}

FN(array_append_fn)
{
    return add_element(args, 0, result, ctx, err);
}

FN(array_prepend_fn)
{
    return add_element(args, 1, result, ctx, err);
}

/* array_remove(a, x) and array_replace(a, x, y): elements not distinct from x. */
static int remove_or_replace(const Value *args, bool is_replace, Value *result, FuncContext *ctx,
                             Error *err)
{
    if (args[0].is_null) {
        *result = value_null(args[0].type);
        return STRATA_OK;
    }
    if (!is_replace) {
        int rc = refuse_multi(&args[0],
                              "removing elements from multidimensional arrays is not supported",
                              SQLSTATE_FEATURE_NOT_SUPPORTED, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    Value *items;
    int count;
    int rc = decode(&args[0], ctx, &items, &count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int kept = 0;
    for (int k = 0; k < count; k++) {
        if (!same_element(&items[k], &args[1])) {
            items[kept++] = items[k];
        } else if (is_replace) {
            items[kept++] = args[2];
        }
    }
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(args[0].str, dims); /* replace keeps the shape */
    return result_array_dims(elem_type(&args[0], &args[1]), items, kept, ndims, dims, result, ctx,
                             err);
}

FN(array_remove_fn)
{
    return remove_or_replace(args, false, result, ctx, err);
}

FN(array_replace_fn)
{
    return remove_or_replace(args, true, result, ctx, err);
}

/* ---- searching ---- */

FN(array_position_fn)
{
    *result = value_null(sql_type(TYPE_INT4));
    if (args[0].is_null) {
        return STRATA_OK;
    }
    int rc =
        refuse_multi(&args[0], "searching for elements in multidimensional arrays is not supported",
                     SQLSTATE_FEATURE_NOT_SUPPORTED, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int64_t start = 1;
    if (arg_count > 2) {
        if (args[2].is_null) {
            return error_set(err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                             "initial position must not be null");
        }
        start = args[2].i64;
    }
    ArrayReader reader;
    array_reader_init(&reader, args[0].type, args[0].str);
    Value v;
    for (int64_t index = 1; array_reader_next(&reader, &v); index++) {
        if (index >= start && same_element(&v, &args[1])) {
            result_int(result, TYPE_INT4, index);
            return STRATA_OK;
        }
    }
    return STRATA_OK;
}

FN(array_positions_fn)
{
    if (args[0].is_null) {
        *result = value_null(sql_type(TYPE_INT4_ARRAY));
        return STRATA_OK;
    }
    int rc =
        refuse_multi(&args[0], "searching for elements in multidimensional arrays is not supported",
                     SQLSTATE_FEATURE_NOT_SUPPORTED, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Value *items;
    int count;
    rc = decode(&args[0], ctx, &items, &count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int found = 0;
    for (int k = 0; k < count; k++) {
        if (same_element(&items[k], &args[1])) {
            items[found++] = value_i64(TYPE_INT4, k + 1);
        }
    }
    return result_array(TYPE_INT4, items, found, result, ctx, err);
}

/* True if every element of needles equals some element of hay
 * (PostgreSQL's array_contain_compare: a NULL element never matches). When
 * match_any, true if any element of needles is in hay (&&). */
static bool contains(const Value *hay, const Value *needles, bool match_any)
{
    ArrayReader outer;
    array_reader_init(&outer, needles->type, needles->str);
    Value needle;
    while (array_reader_next(&outer, &needle)) {
        bool found = false;
        if (!needle.is_null) {
            ArrayReader inner;
            array_reader_init(&inner, hay->type, hay->str);
            Value v;
            while (!found && array_reader_next(&inner, &v)) {
                found = !v.is_null && value_compare(&v, &needle) == 0;
            }
        }
        if (match_any && found) {
            return true;
        }
        if (!match_any && !found) {
            return false;
        }
    }
    return !match_any;
}

FN(contains_fn)
{
    *result = value_bool(contains(&args[0], &args[1], false));
    return STRATA_OK;
}

FN(contained_fn)
{
    *result = value_bool(contains(&args[1], &args[0], false));
    return STRATA_OK;
}

FN(overlap_fn)
{
    *result = value_bool(contains(&args[0], &args[1], true));
    return STRATA_OK;
}

/* ---- text ---- */

/* array_to_string(a, delimiter [, null_string]): NULL elements are skipped
 * unless null_string is given (and not NULL). */
FN(array_to_string_fn)
{
    if (args[0].is_null || args[1].is_null) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    bool has_null_text = arg_count > 2 && !args[2].is_null;
    ArrayReader reader;
    array_reader_init(&reader, args[0].type, args[0].str);
    TextBuilder b = {ctx, NULL, 0, 0, false};
    text_builder_put(&b, "", 0);
    bool first = true;
    Value v;
    while (array_reader_next(&reader, &v)) {
        StrRef text;
        if (v.is_null) {
            if (!has_null_text) {
                continue;
            }
            text = args[2].str;
        } else {
            int rc = func_value_text(&v, ctx, &text, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        if (!first) {
            text_builder_put(&b, args[1].str.ptr, args[1].str.len);
        }
        text_builder_put(&b, text.ptr, text.len);
        first = false;
    }
    if (b.failed) {
        return func_nomem(ctx, err);
    }
    result_text(result, b.data, b.length);
    return STRATA_OK;
}

static Value split_item(const char *ptr, size_t len, const Value *null_text)
{
    if (null_text != NULL && !null_text->is_null && null_text->str.len == len &&
        memcmp(null_text->str.ptr, ptr, len) == 0) {
        return value_null(sql_type(TYPE_TEXT));
    }
    return value_str(TYPE_TEXT, ptr, (uint32_t)len);
}

/* string_to_array(text, delimiter [, null_string]): a NULL delimiter splits
 * into characters, an empty one keeps the whole string, '' gives {}. */
FN(string_to_array_fn)
{
    if (args[0].is_null) {
        *result = value_null(sql_type(TYPE_TEXT_ARRAY));
        return STRATA_OK;
    }
    const Value *null_text = arg_count > 2 ? &args[2] : NULL;
    StrRef s = args[0].str, delim = args[1].str;
    Value *items = arena_alloc(ctx->arena, sizeof(Value) * ((size_t)s.len + 1));
    if (items == NULL) {
        return func_nomem(ctx, err);
    }
    int64_t n = 0;
    if (s.len == 0) {
        return result_array(TYPE_TEXT, items, 0, result, ctx, err);
    }
    if (args[1].is_null) {
        for (uint32_t k = 0; k < s.len;) {
            size_t len = 1;
            while (k + len < s.len && ((unsigned char)s.ptr[k + len] & 0xC0) == 0x80) {
                len++;
            }
            items[n++] = split_item(s.ptr + k, len, null_text);
            k += (uint32_t)len;
        }
    } else if (delim.len == 0) {
        items[n++] = split_item(s.ptr, s.len, null_text);
    } else {
        uint32_t start = 0;
        for (uint32_t k = 0; k + delim.len <= s.len;) {
            if (memcmp(s.ptr + k, delim.ptr, delim.len) == 0) {
                items[n++] = split_item(s.ptr + start, k - start, null_text);
                k += delim.len;
                start = k;
            } else {
                k++;
            }
        }
        items[n++] = split_item(s.ptr + start, s.len - start, null_text);
    }
    return result_array(TYPE_TEXT, items, n, result, ctx, err);
}

/* pg_typeof(any): the argument's type name (PostgreSQL returns regtype,
 * which prints as this name). */
FN(pg_typeof_fn)
{
    /* an enum (or an array of one) is named by its typmod: the type's id */
    TypeId id = args[0].type.id;
    SqlType shown = id == TYPE_ENUM || id == TYPE_ENUM_ARRAY ? args[0].type : sql_type(id);
    const char *name = type_name(shown, ctx->arena);
    if (name == NULL) {
        return func_nomem(ctx, err);
    }
    result_text(result, name, strlen(name));
    return STRATA_OK;
}

/* ---- unnest ---- */

typedef struct UnnestState {
    ArrayReader reader;
} UnnestState;

static int unnest_step(const Value *args, int arg_count, void **state, Value *row, bool *has_row,
                       FuncContext *ctx, Error *err)
{
    UnnestState *s = *state;
    if (s == NULL) {
        s = arena_alloc(ctx->arena, sizeof *s);
        if (s == NULL) {
            return func_nomem(ctx, err);
        }
        array_reader_init(&s->reader, args[0].type, args[0].str);
        *state = s;
    }
    *has_row = array_reader_next(&s->reader, row);
    if (s->reader.is_corrupt) {
        return error_set(err, SQLSTATE_DATA_CORRUPTED, "array value is corrupted");
    }
    return STRATA_OK;
}

/* ---- generate_subscripts ---- */

typedef struct SubscriptsState {
    int64_t next;
    int64_t last;
    int64_t step;
} SubscriptsState;

/* generate_subscripts(a, d [, reverse]): the subscripts 1..length of
 * dimension d (none for a dimension a lacks), reverse counts down. */
static int subscripts_step(const Value *args, int arg_count, void **state, Value *row,
                           bool *has_row, FuncContext *ctx, Error *err)
{
    SubscriptsState *s = *state;
    if (s == NULL) {
        s = arena_alloc(ctx->arena, sizeof *s);
        if (s == NULL) {
            return func_nomem(ctx, err);
        }
        uint32_t dims[ARRAY_DIMS_MAX];
        int ndims = array_shape(args[0].str, dims);
        int64_t length = args[1].i64 >= 1 && args[1].i64 <= ndims ? dims[args[1].i64 - 1] : 0;
        bool reverse = arg_count > 2 && args[2].b;
        s->next = reverse ? length : 1;
        s->last = reverse ? 1 : length;
        s->step = reverse ? -1 : 1;
        if (length == 0) {
            s->next = 1, s->last = 0, s->step = 1;
        }
        *state = s;
    }
    *has_row = s->step > 0 ? s->next <= s->last : s->next >= s->last;
    if (*has_row) {
        *row = value_i64(TYPE_INT4, s->next);
        s->next += s->step;
    }
    return STRATA_OK;
}

#define POLY(nm, res, fn_, strict_, ...)                                                           \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION,                                                    \
        .arg_count = sizeof((TypeId[]){__VA_ARGS__}) / sizeof(TypeId), .arg_types = {__VA_ARGS__}, \
        .result_type = res, .fn = fn_, .strict = strict_, .volatility = VOLATILITY_IMMUTABLE       \
    }
#define POLY_OP(nm, res, fn_, strict_, l, r)                                                       \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_OPERATOR_INFIX, .arg_count = 2, .arg_types = {l, r},         \
        .result_type = res, .fn = fn_, .strict = strict_, .volatility = VOLATILITY_IMMUTABLE       \
    }
#define ANYA TYPE_ANYARRAY
#define ANYE TYPE_ANYELEMENT

static const FuncDef DEFS[] = {
    POLY_OP("||", ANYA, array_cat_fn, false, ANYA, ANYA),
    POLY_OP("||", ANYA, array_append_fn, false, ANYA, ANYE),
    POLY_OP("||", ANYA, array_prepend_fn, false, ANYE, ANYA),
    POLY_OP("@>", T(BOOL), contains_fn, true, ANYA, ANYA),
    POLY_OP("<@", T(BOOL), contained_fn, true, ANYA, ANYA),
    POLY_OP("&&", T(BOOL), overlap_fn, true, ANYA, ANYA),
    POLY("array_cat", ANYA, array_cat_fn, false, ANYA, ANYA),
    POLY("array_append", ANYA, array_append_fn, false, ANYA, ANYE),
    POLY("array_prepend", ANYA, array_prepend_fn, false, ANYE, ANYA),
    POLY("array_remove", ANYA, array_remove_fn, false, ANYA, ANYE),
    POLY("array_replace", ANYA, array_replace_fn, false, ANYA, ANYE, ANYE),
    POLY("array_position", T(INT4), array_position_fn, false, ANYA, ANYE),
    POLY("array_position", T(INT4), array_position_fn, false, ANYA, ANYE, T(INT4)),
    POLY("array_positions", T(INT4_ARRAY), array_positions_fn, false, ANYA, ANYE),
    POLY("array_length", T(INT4), array_length_fn, true, ANYA, T(INT4)),
    POLY("array_lower", T(INT4), array_lower_fn, true, ANYA, T(INT4)),
    POLY("array_upper", T(INT4), array_length_fn, true, ANYA, T(INT4)),
    POLY("array_ndims", T(INT4), array_ndims_fn, true, ANYA),
    POLY("array_dims", T(TEXT), array_dims_fn, true, ANYA),
    POLY("cardinality", T(INT4), cardinality_fn, true, ANYA),
    POLY("array_to_string", T(TEXT), array_to_string_fn, true, ANYA, T(TEXT)),
    POLY("array_to_string", T(TEXT), array_to_string_fn, false, ANYA, T(TEXT), T(TEXT)),
    POLY("string_to_array", T(TEXT_ARRAY), string_to_array_fn, false, T(TEXT), T(TEXT)),
    POLY("string_to_array", T(TEXT_ARRAY), string_to_array_fn, false, T(TEXT), T(TEXT), T(TEXT)),
    {.name = "pg_typeof",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 1,
     .arg_types = {T(UNKNOWN)},
     .result_type = T(TEXT),
     .fn = pg_typeof_fn,
     .strict = false,
     .volatility = VOLATILITY_STABLE},
    {.name = "unnest",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 1,
     .arg_types = {ANYA},
     .result_type = ANYE,
     .set_fn = unnest_step,
     .strict = true,
     .volatility = VOLATILITY_IMMUTABLE},
    {.name = "generate_subscripts",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 2,
     .arg_types = {ANYA, T(INT4)},
     .result_type = T(INT4),
     .set_fn = subscripts_step,
     .strict = true,
     .volatility = VOLATILITY_IMMUTABLE},
    {.name = "generate_subscripts",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 3,
     .arg_types = {ANYA, T(INT4), T(BOOL)},
     .result_type = T(INT4),
     .set_fn = subscripts_step,
     .strict = true,
     .volatility = VOLATILITY_IMMUTABLE},
};

const FuncDef *func_defs_array(int *count)
{
    *count = (int)(sizeof DEFS / sizeof DEFS[0]);
    return DEFS;
}
