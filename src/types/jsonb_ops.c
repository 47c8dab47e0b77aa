/*
 * types/jsonb_ops.c - jsonb operators and functions that build new values:
 * containment, existence, ||, -, jsonb_set, jsonb_strip_nulls, to_jsonb,
 * ordering and hashing, and text[] literals for paths (see jsonb.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <xxhash.h>

#include "types/array.h"
#include "types/compare.h"
#include "types/datetime.h"
#include "types/jsonb.h"
#include "types/jsonb_int.h"
#include "types/numeric.h"
#include "types/value_io.h"

/* ---- numbers ---- */

typedef struct NumberParts {
    bool negative;
    const char *int_digits; /* without leading zeros */
    size_t int_count;
    const char *frac_digits; /* without trailing zeros */
    size_t frac_count;
} NumberParts;

static NumberParts number_parts(StrRef s)
{
    NumberParts p = {false, s.ptr, 0, "", 0};
    size_t i = 0;
    if (i < s.len && s.ptr[i] == '-') {
        p.negative = true;
        i++;
    }
    while (i < s.len && s.ptr[i] == '0') {
        i++;
    }
    p.int_digits = s.ptr + i;
    while (i < s.len && s.ptr[i] != '.') {
        i++;
        p.int_count++;
    }
    if (i < s.len) {
        i++;
        p.frac_digits = s.ptr + i;
        p.frac_count = s.len - i;
        while (p.frac_count > 0 && p.frac_digits[p.frac_count - 1] == '0') {
            p.frac_count--;
        }
    }
    if (p.int_count == 0 && p.frac_count == 0) {
        p.negative = false; /* -0 */
    }
    return p;
}

int jsonb_number_compare(StrRef a, StrRef b)
{
    NumberParts x = number_parts(a), y = number_parts(b);
    if (x.negative != y.negative) {
        return x.negative ? -1 : 1;
    }
    int sign = x.negative ? -1 : 1;
    if (x.int_count != y.int_count) {
        return x.int_count < y.int_count ? -sign : sign;
    }
    int c = memcmp(x.int_digits, y.int_digits, x.int_count);
    if (c != 0) {
        return c < 0 ? -sign : sign;
    }
    size_t n = x.frac_count < y.frac_count ? x.frac_count : y.frac_count;
    c = memcmp(x.frac_digits, y.frac_digits, n);
    if (c != 0) {
        return c < 0 ? -sign : sign;
    }
    if (x.frac_count != y.frac_count) {
        return x.frac_count < y.frac_count ? -sign : sign;
    }
    return 0;
}

static StrRef scalar_text(StrRef v)
{
    StrRef r = {v.ptr + 5, jsonb_read32(v.ptr + 1)};
    return r;
}

/* ---- ordering and hashing ---- */

static int kind_rank(JsonbKind k)
{
    switch (k) {
    case JSONB_NULL:
        return 0;
    case JSONB_STRING:
        return 1;
    case JSONB_NUMBER:
        return 2;
    case JSONB_FALSE:
    case JSONB_TRUE:
        return 3;
    case JSONB_ARRAY:
        return 4;
    case JSONB_OBJECT:
        return 5;
    }
    return 0;
}

static int compare_inner(StrRef a, StrRef b);

int jsonb_compare(StrRef a, StrRef b)
{
    /* PostgreSQL's historical exception: a top-level empty array sorts
     * before everything else, null included. */
    bool a_empty = jsonb_kind(a) == JSONB_ARRAY && jsonb_container_count(a) == 0;
    bool b_empty = jsonb_kind(b) == JSONB_ARRAY && jsonb_container_count(b) == 0;
    if (a_empty || b_empty) {
        return a_empty == b_empty ? 0 : (a_empty ? -1 : 1);
    }
    return compare_inner(a, b);
}

static int compare_inner(StrRef a, StrRef b)
{
    JsonbKind ka = jsonb_kind(a), kb = jsonb_kind(b);
    int ra = kind_rank(ka), rb = kind_rank(kb);
    if (ra != rb) {
        return ra < rb ? -1 : 1;
    }
    switch (ka) {
    case JSONB_NULL:
        return 0;
    case JSONB_FALSE:
    case JSONB_TRUE:
        return (int)ka - (int)kb;
    case JSONB_NUMBER:
        return jsonb_number_compare(scalar_text(a), scalar_text(b));
    case JSONB_STRING: {
        StrRef x = scalar_text(a), y = scalar_text(b);
        return compare_bytes(x.ptr, x.len, y.ptr, y.len);
    }
    case JSONB_ARRAY:
    case JSONB_OBJECT: {
        uint32_t na = jsonb_container_count(a), nb = jsonb_container_count(b);
        if (na != nb) {
            return na < nb ? -1 : 1;
        }
        uint32_t entries = ka == JSONB_ARRAY ? na : 2 * na;
        for (uint32_t i = 0; i < na; i++) {
            if (ka == JSONB_OBJECT) {
                /* keys compare as strings here (PostgreSQL's ordering), not in
                 * the length-first storage order */
                StrRef x = jsonb_item(a, entries, i), y = jsonb_item(b, entries, i);
                int c = compare_bytes(x.ptr, x.len, y.ptr, y.len);
                if (c != 0) {
                    return c;
                }
                c = compare_inner(jsonb_item(a, entries, na + i), jsonb_item(b, entries, na + i));
                if (c != 0) {
                    return c;
                }
            } else {
                int c = compare_inner(jsonb_item(a, entries, i), jsonb_item(b, entries, i));
                if (c != 0) {
                    return c;
                }
            }
        }
        return 0;
    }
    }
    return 0;
}

uint64_t jsonb_hash(StrRef a)
{
    JsonbKind kind = jsonb_kind(a);
    uint64_t h = (uint64_t)kind * 0x9e3779b97f4a7c15ULL;
    switch (kind) {
    case JSONB_NUMBER: {
        NumberParts p = number_parts(scalar_text(a));
        h = hash_combine(h, XXH3_64bits(p.int_digits, p.int_count));
        h = hash_combine(h, XXH3_64bits(p.frac_digits, p.frac_count));
        return hash_combine(h, p.negative ? 1 : 0);
    }
    case JSONB_STRING: {
        StrRef s = scalar_text(a);
        return hash_combine(h, XXH3_64bits(s.ptr, s.len));
    }
    case JSONB_ARRAY:
    case JSONB_OBJECT: {
        uint32_t n = jsonb_container_count(a);
        uint32_t entries = kind == JSONB_ARRAY ? n : 2 * n;
        for (uint32_t i = 0; i < entries; i++) {
            StrRef item = jsonb_item(a, entries, i);
            bool is_key = kind == JSONB_OBJECT && i < n;
            h = hash_combine(h, is_key ? XXH3_64bits(item.ptr, item.len) : jsonb_hash(item));
        }
        return h;
    }
    default:
        return h;
    }
}

/* ---- containment and existence ---- */

static bool scalar_equal(StrRef a, StrRef b)
{
    JsonbKind ka = jsonb_kind(a), kb = jsonb_kind(b);
    if (ka != kb) {
        return false;
    }
    if (ka == JSONB_NUMBER) {
        return jsonb_number_compare(scalar_text(a), scalar_text(b)) == 0;
    }
    if (ka == JSONB_STRING) {
        StrRef x = scalar_text(a), y = scalar_text(b);
        return x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0;
    }
    return true;
}

static bool deep_contains(StrRef a, StrRef b)
{
    JsonbKind ka = jsonb_kind(a), kb = jsonb_kind(b);
    if (ka != kb) {
        return false;
    }
    if (ka == JSONB_OBJECT) {
        uint32_t nb = jsonb_container_count(b);
        for (uint32_t i = 0; i < nb; i++) {
            StrRef key = jsonb_item(b, 2 * nb, i), value_a;
            if (!jsonb_object_get(a, key.ptr, key.len, &value_a)) {
                return false;
            }
            StrRef value_b = jsonb_item(b, 2 * nb, nb + i);
            JsonbKind kv = jsonb_kind(value_b);
            bool ok = (kv == JSONB_OBJECT || kv == JSONB_ARRAY) ? deep_contains(value_a, value_b)
                                                                : scalar_equal(value_a, value_b);
            if (!ok) {
                return false;
            }
        }
        return true;
    }
    if (ka == JSONB_ARRAY) {
        uint32_t na = jsonb_container_count(a), nb = jsonb_container_count(b);
        for (uint32_t j = 0; j < nb; j++) {
            StrRef element = jsonb_item(b, nb, j);
            JsonbKind ke = jsonb_kind(element);
            bool found = false;
            for (uint32_t i = 0; i < na && !found; i++) {
                StrRef candidate = jsonb_item(a, na, i);
                found = (ke == JSONB_OBJECT || ke == JSONB_ARRAY)
                            ? deep_contains(candidate, element)
                            : scalar_equal(candidate, element);
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }
    return scalar_equal(a, b);
}

bool jsonb_contains(StrRef a, StrRef b)
{
    JsonbKind ka = jsonb_kind(a), kb = jsonb_kind(b);
    if (ka == JSONB_ARRAY && kb != JSONB_ARRAY && kb != JSONB_OBJECT) {
        /* A top-level array contains a scalar that is one of its elements. */
        uint32_t n = jsonb_container_count(a);
        for (uint32_t i = 0; i < n; i++) {
            if (scalar_equal(jsonb_item(a, n, i), b)) {
                return true;
            }
        }
        return false;
    }
    return deep_contains(a, b);
}

bool jsonb_exists(StrRef jsonb, const char *key, size_t key_length)
{
    JsonbKind kind = jsonb_kind(jsonb);
    if (kind == JSONB_OBJECT) {
        StrRef ignored;
        return jsonb_object_get(jsonb, key, key_length, &ignored);
    }
    if (kind == JSONB_ARRAY) {
        uint32_t n = jsonb_container_count(jsonb);
        for (uint32_t i = 0; i < n; i++) {
            StrRef e = jsonb_item(jsonb, n, i);
            if (jsonb_kind(e) == JSONB_STRING) {
                StrRef s = scalar_text(e);
                if (s.len == key_length && memcmp(s.ptr, key, key_length) == 0) {
                    return true;
                }
            }
        }
        return false;
    }
    if (kind == JSONB_STRING) {
        StrRef s = scalar_text(jsonb);
        return s.len == key_length && memcmp(s.ptr, key, key_length) == 0;
    }
    return false;
}

/* ---- building from existing values ---- */

/* Decodes one level of a container into a node whose children are raw. */
static int shallow_decode(StrRef v, Arena *arena, JNode *out, Error *err)
{
    memset(out, 0, sizeof *out);
    out->kind = jsonb_kind(v);
    if (out->kind != JSONB_ARRAY && out->kind != JSONB_OBJECT) {
        *out = jsonb_raw_node(v);
        return STRATA_OK;
    }
    uint32_t n = jsonb_container_count(v);
    out->count = n;
    out->items = arena_alloc(arena, sizeof(JNode) * (size_t)(n + 1));
    out->keys =
        out->kind == JSONB_OBJECT ? arena_alloc(arena, sizeof(StrRef) * (size_t)(n + 1)) : NULL;
    if (out->items == NULL || (out->kind == JSONB_OBJECT && out->keys == NULL)) {
        return arena_error(arena, err);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (out->kind == JSONB_OBJECT) {
            out->keys[i] = jsonb_item(v, 2 * n, i);
            out->items[i] = jsonb_raw_node(jsonb_item(v, 2 * n, n + i));
        } else {
            out->items[i] = jsonb_raw_node(jsonb_item(v, n, i));
        }
    }
    return STRATA_OK;
}

int jsonb_concat(StrRef a, StrRef b, Arena *arena, StrRef *out, Error *err)
{
    JsonbKind ka = jsonb_kind(a), kb = jsonb_kind(b);
    JNode result, left, right;
    memset(&result, 0, sizeof result);
    int rc = shallow_decode(a, arena, &left, err);
    if (rc == STRATA_OK) {
        rc = shallow_decode(b, arena, &right, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (ka == JSONB_OBJECT && kb == JSONB_OBJECT) {
        result.kind = JSONB_OBJECT;
        result.count = left.count + right.count;
        result.keys = arena_alloc(arena, sizeof(StrRef) * (size_t)(result.count + 1));
        result.items = arena_alloc(arena, sizeof(JNode) * (size_t)(result.count + 1));
        if (result.keys == NULL || result.items == NULL) {
            return arena_error(arena, err);
        }
        memcpy(result.keys, left.keys, sizeof(StrRef) * (size_t)left.count);
        memcpy(result.keys + left.count, right.keys, sizeof(StrRef) * (size_t)right.count);
        memcpy(result.items, left.items, sizeof(JNode) * (size_t)left.count);
        memcpy(result.items + left.count, right.items, sizeof(JNode) * (size_t)right.count);
        rc = jsonb_object_normalize(&result, arena, err);
        return rc != STRATA_OK ? rc : jsonb_encode(&result, arena, out, err);
    }
    /* Otherwise both sides become arrays (a scalar or object is wrapped). */
    JNode *parts[2] = {&left, &right};
    int64_t total = 0;
    for (int side = 0; side < 2; side++) {
        total += parts[side]->kind == JSONB_ARRAY ? parts[side]->count : 1;
    }
    result.kind = JSONB_ARRAY;
    result.items = arena_alloc(arena, sizeof(JNode) * (size_t)(total + 1));
    if (result.items == NULL) {
        return arena_error(arena, err);
    }
    StrRef sides[2] = {a, b};
    for (int side = 0; side < 2; side++) {
        if (parts[side]->kind == JSONB_ARRAY) {
            memcpy(result.items + result.count, parts[side]->items,
                   sizeof(JNode) * (size_t)parts[side]->count);
            result.count += parts[side]->count;
        } else {
            result.items[result.count++] = jsonb_raw_node(sides[side]);
        }
    }
    return jsonb_encode(&result, arena, out, err);
}

int jsonb_delete_key(StrRef jsonb, const char *key, size_t key_length, Arena *arena, StrRef *out,
                     Error *err)
{
    JsonbKind kind = jsonb_kind(jsonb);
    if (kind != JSONB_OBJECT && kind != JSONB_ARRAY) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot delete from scalar");
    }
    JNode node;
    int rc = shallow_decode(jsonb, arena, &node, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int64_t kept = 0;
    for (int64_t i = 0; i < node.count; i++) {
        bool drop;
        if (kind == JSONB_OBJECT) {
            drop = node.keys[i].len == key_length && memcmp(node.keys[i].ptr, key, key_length) == 0;
        } else {
            StrRef e = node.items[i].bytes;
            drop = jsonb_kind(e) == JSONB_STRING && scalar_text(e).len == key_length &&
                   memcmp(scalar_text(e).ptr, key, key_length) == 0;
        }
        if (!drop) {
            if (kind == JSONB_OBJECT) {
                node.keys[kept] = node.keys[i];
            }
            node.items[kept++] = node.items[i];
        }
    }
    node.count = kept;
    return jsonb_encode(&node, arena, out, err);
}

int jsonb_delete_index(StrRef jsonb, int64_t index, Arena *arena, StrRef *out, Error *err)
{
    JsonbKind kind = jsonb_kind(jsonb);
    if (kind == JSONB_OBJECT) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "cannot delete from object using integer index");
    }
    if (kind != JSONB_ARRAY) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot delete from scalar");
    }
    JNode node;
    int rc = shallow_decode(jsonb, arena, &node, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (index < 0) {
        index += node.count;
    }
    if (index >= 0 && index < node.count) {
        memmove(node.items + index, node.items + index + 1,
                sizeof(JNode) * (size_t)(node.count - index - 1));
        node.count--;
    }
    return jsonb_encode(&node, arena, out, err);
}

static bool path_index(StrRef s, int64_t *out)
{
    if (s.len == 0 || s.len > 18) {
        return false;
    }
    char buf[24];
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (*end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static int set_recursive(StrRef current, const StrRef *path, int path_count, StrRef new_value,
                         bool create_missing, Arena *arena, JNode *out, Error *err)
{
    if (path_count == 0) {
        *out = jsonb_raw_node(new_value);
        return STRATA_OK;
    }
    JsonbKind kind = jsonb_kind(current);
    if (kind != JSONB_OBJECT && kind != JSONB_ARRAY) {
        *out = jsonb_raw_node(current); /* PostgreSQL leaves scalars untouched */
        return STRATA_OK;
    }
    int rc = shallow_decode(current, arena, out, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (kind == JSONB_OBJECT) {
        for (int64_t i = 0; i < out->count; i++) {
            if (out->keys[i].len == path[0].len &&
                memcmp(out->keys[i].ptr, path[0].ptr, path[0].len) == 0) {
                return set_recursive(out->items[i].bytes, path + 1, path_count - 1, new_value,
                                     create_missing, arena, &out->items[i], err);
            }
        }
        if (!create_missing || path_count > 1) {
            return STRATA_OK;
        }
        out->keys[out->count] = path[0];
        out->items[out->count] = jsonb_raw_node(new_value);
        out->count++;
        return jsonb_object_normalize(out, arena, err);
    }
    int64_t index;
    if (!path_index(path[0], &index)) {
        return error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                         "path element at position %d is not an integer: \"%.*s\"", 1,
                         (int)path[0].len, path[0].ptr);
    }
    int64_t position = index < 0 ? index + out->count : index;
    if (position >= 0 && position < out->count) {
        return set_recursive(out->items[position].bytes, path + 1, path_count - 1, new_value,
                             create_missing, arena, &out->items[position], err);
    }
    if (!create_missing || path_count > 1) {
        return STRATA_OK;
    }
    if (position < 0) { /* before the start: prepend */
        memmove(out->items + 1, out->items, sizeof(JNode) * (size_t)out->count);
        out->items[0] = jsonb_raw_node(new_value);
    } else {
        out->items[out->count] = jsonb_raw_node(new_value);
    }
    out->count++;
    return STRATA_OK;
}

int jsonb_set_path(StrRef jsonb, const StrRef *path, int path_count, StrRef new_value,
                   bool create_missing, Arena *arena, StrRef *out, Error *err)
{
    JsonbKind kind = jsonb_kind(jsonb);
    if (kind != JSONB_OBJECT && kind != JSONB_ARRAY) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "cannot set path in scalar");
    }
    JNode root;
    int rc = set_recursive(jsonb, path, path_count, new_value, create_missing, arena, &root, err);
    return rc != STRATA_OK ? rc : jsonb_encode(&root, arena, out, err);
}

static int strip_recursive(StrRef v, Arena *arena, JNode *out, Error *err)
{
    JsonbKind kind = jsonb_kind(v);
    if (kind != JSONB_OBJECT && kind != JSONB_ARRAY) {
        *out = jsonb_raw_node(v);
        return STRATA_OK;
    }
    int rc = shallow_decode(v, arena, out, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int64_t kept = 0;
    for (int64_t i = 0; i < out->count; i++) {
        StrRef child = out->items[i].bytes;
        if (kind == JSONB_OBJECT && jsonb_kind(child) == JSONB_NULL) {
            continue;
        }
        if (kind == JSONB_OBJECT) {
            out->keys[kept] = out->keys[i];
        }
        rc = strip_recursive(child, arena, &out->items[kept], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        kept++;
    }
    out->count = kept;
    return STRATA_OK;
}

int jsonb_strip_nulls(StrRef jsonb, Arena *arena, StrRef *out, Error *err)
{
    JNode root;
    int rc = strip_recursive(jsonb, arena, &root, err);
    return rc != STRATA_OK ? rc : jsonb_encode(&root, arena, out, err);
}

/* ---- to_jsonb ---- */

/* An array becomes a JSON array of its elements (to_jsonb(ARRAY[1,2]) = [1, 2]);
 * a multi-dimensional one nests ([[1, 2], [3, 4]]). */
static int jsonb_from_array(const Value *v, const char *timezone, Arena *arena, StrRef *out,
                            Error *err)
{
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(v->str, dims);
    Value *items;
    int count;
    int rc = array_decode(v->type, v->str, arena, &items, &count, err);
    StrRef *elements = rc == STRATA_OK ? arena_alloc(arena, sizeof(StrRef) * ((size_t)count + 1))
                                       : NULL;
    if (rc == STRATA_OK && elements == NULL) {
        return arena_error(arena, err);
    }
    for (int k = 0; k < count && rc == STRATA_OK; k++) {
        rc = jsonb_from_value(&items[k], timezone, arena, &elements[k], err);
    }
    /* innermost dimension first: each run of dims[d] values becomes one array */
    for (int d = ndims - 1; d >= 1 && rc == STRATA_OK; d--) {
        int groups = count / (int)dims[d];
        for (int group = 0; group < groups && rc == STRATA_OK; group++) {
            StrRef built;
            rc = jsonb_build_array_from(elements + (size_t)group * dims[d], (int)dims[d], arena,
                                        &built, err);
            elements[group] = built;
        }
        count = groups;
    }
    return rc != STRATA_OK ? rc : jsonb_build_array_from(elements, count, arena, out, err);
}

int jsonb_from_value(const Value *v, const char *timezone, Arena *arena, StrRef *out, Error *err)
{
    if (v->is_null) {
        *out = jsonb_make_null();
        return STRATA_OK;
    }
    if (type_is_array(v->type.id)) {
        return jsonb_from_array(v, timezone, arena, out, err);
    }
    char buf[DATETIME_TEXT_MAX];
    switch (v->type.id) {
    case TYPE_BOOL:
        *out = jsonb_make_bool(v->b);
        return STRATA_OK;
    case TYPE_JSONB:
        *out = v->str;
        return STRATA_OK;
    case TYPE_JSON:
        return jsonb_parse(v->str.ptr, v->str.len, arena, out, err);
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
    case TYPE_NUMERIC: {
        StrRef text;
        int rc = value_format(v, arena, &text, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        bool is_special = (v->type.id == TYPE_NUMERIC && !numeric_is_finite(&v->dec)) ||
                          ((v->type.id == TYPE_FLOAT4 || v->type.id == TYPE_FLOAT8) &&
                           (isnan(v->f64) || isinf(v->f64)));
        if (is_special) {
            return jsonb_make_string(text.ptr, text.len, arena, out, err);
        }
        /* Floats in exponent form must become plain numeric text. */
        return jsonb_parse(text.ptr, text.len, arena, out, err);
    }
    case TYPE_DATE:
        if (!DATETIME_IS_FINITE(v->i64)) {
            break;
        }
        return jsonb_make_string(buf, (size_t)date_format(v->i64, buf), arena, out, err);
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: {
        if (!DATETIME_IS_FINITE(v->i64)) {
            break;
        }
        int n = v->type.id == TYPE_TIMESTAMP ? timestamp_format(v->i64, buf)
                                             : timestamptz_format(v->i64, timezone, buf);
        char *iso = arena_alloc(arena, (size_t)n + 8);
        if (iso == NULL) {
            return arena_error(arena, err);
        }
        memcpy(iso, buf, (size_t)n);
        iso[10] = 'T';
        size_t length = (size_t)n;
        if (v->type.id == TYPE_TIMESTAMPTZ) {
            /* ISO 8601 wants +HH:MM, PostgreSQL's text output has +HH. */
            char *sign = NULL;
            for (size_t i = 19; i < length; i++) {
                if (iso[i] == '+' || iso[i] == '-') {
                    sign = iso + i;
                    break;
                }
            }
            if (sign != NULL && (size_t)(iso + length - sign) == 3) {
                memcpy(iso + length, ":00", 3);
                length += 3;
            }
        }
        return jsonb_make_string(iso, length, arena, out, err);
    }
    default:
        break;
    }
    StrRef text;
    int rc = value_format_tz(v, timezone, arena, &text, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return jsonb_make_string(text.ptr, text.len, arena, out, err);
}

/* ---- json (text) values ---- */

bool json_quote(const char *s, size_t n, char *buf, size_t *length, size_t cap)
{
    size_t at = *length;
    if (at + 2 > cap) {
        return false;
    }
    buf[at++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        const char *esc = json_char_escape(c, tmp);
        size_t need = esc ? strlen(esc) : 1;
        if (at + need + 1 > cap) {
            return false;
        }
        if (esc) {
            memcpy(buf + at, esc, need);
        } else {
            buf[at] = (char)c;
        }
        at += need;
    }
    buf[at++] = '"';
    *length = at;
    return true;
}

static int quoted(StrRef text, Arena *arena, StrRef *out, Error *err)
{
    size_t cap = (size_t)text.len * 6 + 3, length = 0;
    char *buf = arena_alloc(arena, cap);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    json_quote(text.ptr, text.len, buf, &length, cap);
    buf[length] = '\0';
    out->ptr = buf;
    out->len = (uint32_t)length;
    return STRATA_OK;
}

/* "[a,b,...]" of count json texts. */
static int json_join(const StrRef *texts, int count, Arena *arena, StrRef *out, Error *err)
{
    size_t length = 2;
    for (int k = 0; k < count; k++) {
        length += texts[k].len + 1;
    }
    char *buf = arena_alloc(arena, length + 1);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    size_t n = 0;
    buf[n++] = '[';
    for (int k = 0; k < count; k++) {
        if (k > 0) {
            buf[n++] = ',';
        }
        memcpy(buf + n, texts[k].ptr, texts[k].len);
        n += texts[k].len;
    }
    buf[n++] = ']';
    buf[n] = '\0';
    out->ptr = buf;
    out->len = (uint32_t)n;
    return STRATA_OK;
}

/* json text of an array: [1,2,null] (PostgreSQL's array_to_json, no spaces);
 * a multi-dimensional one nests ([[1,2],[3,4]]). */
static int json_from_array(const Value *v, const char *timezone, Arena *arena, StrRef *out,
                           Error *err)
{
    Value *items;
    int count;
    int rc = array_decode(v->type, v->str, arena, &items, &count, err);
    StrRef *texts =
        rc == STRATA_OK ? arena_alloc(arena, sizeof(StrRef) * ((size_t)count + 1)) : NULL;
    if (rc == STRATA_OK && texts == NULL) {
        return arena_error(arena, err);
    }
    for (int k = 0; k < count && rc == STRATA_OK; k++) {
        rc = json_from_value(&items[k], timezone, arena, &texts[k], err);
    }
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = rc == STRATA_OK ? array_shape(v->str, dims) : 0;
    for (int d = ndims - 1; d >= 1 && rc == STRATA_OK; d--) {
        int groups = count / (int)dims[d];
        for (int group = 0; group < groups && rc == STRATA_OK; group++) {
            StrRef joined;
            rc = json_join(texts + (size_t)group * dims[d], (int)dims[d], arena, &joined, err);
            texts[group] = joined;
        }
        count = groups;
    }
    return rc != STRATA_OK ? rc : json_join(texts, count, arena, out, err);
}

int json_from_value(const Value *v, const char *timezone, Arena *arena, StrRef *out, Error *err)
{
    if (v->is_null) {
        out->ptr = "null";
        out->len = 4;
        return STRATA_OK;
    }
    if (type_is_array(v->type.id)) {
        return json_from_array(v, timezone, arena, out, err);
    }
    StrRef text;
    int rc;
    switch (v->type.id) {
    case TYPE_BOOL:
        out->ptr = v->b ? "true" : "false";
        out->len = v->b ? 4 : 5;
        return STRATA_OK;
    case TYPE_JSON:
        *out = v->str;
        return STRATA_OK;
    case TYPE_JSONB:
        return jsonb_format(v->str, arena, out, err);
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
    case TYPE_NUMERIC: {
        rc = value_format(v, arena, &text, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        bool special = (text.len > 0 && (text.ptr[0] == 'N' || text.ptr[0] == 'I')) ||
                       (text.len > 1 && text.ptr[0] == '-' && text.ptr[1] == 'I');
        if (special) {
            return quoted(text, arena, out, err);
        }
        *out = text;
        return STRATA_OK;
    }
    case TYPE_DATE:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: {
        /* jsonb's string has exactly the ISO spelling json wants */
        StrRef encoded;
        rc = jsonb_from_value(v, timezone, arena, &encoded, err);
        return rc != STRATA_OK ? rc : jsonb_format(encoded, arena, out, err);
    }
    default:
        rc = value_format_tz(v, timezone, arena, &text, err);
        return rc != STRATA_OK ? rc : quoted(text, arena, out, err);
    }
}

/* ---- text[] literals ---- */

int text_array_parse(const char *text, size_t length, Arena *arena, StrRef **elements, int *count,
                     Error *err)
{
    size_t i = 0;
    while (i < length && text[i] == ' ') {
        i++;
    }
    if (i >= length || text[i] != '{') {
        error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "malformed array literal: \"%.*s\"",
                  (int)length, text);
        return error_detail(err, "Array value must start with \"{\" or dimension information.");
    }
    i++;
    int cap = 8, n = 0;
    StrRef *items = arena_alloc(arena, sizeof(StrRef) * (size_t)cap);
    char *buf = arena_alloc(arena, length + 1);
    if (items == NULL || buf == NULL) {
        return arena_error(arena, err);
    }
    size_t used = 0;
    bool expect_item = true;
    while (i < length) {
        while (i < length && text[i] == ' ') {
            i++;
        }
        if (i < length && text[i] == '}' && (n == 0 || !expect_item)) {
            i++;
            break;
        }
        size_t start = used;
        if (i < length && text[i] == '"') {
            i++;
            while (i < length && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < length) {
                    i++;
                }
                buf[used++] = text[i++];
            }
            if (i >= length) {
                return error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                                 "malformed array literal: \"%.*s\"", (int)length, text);
            }
            i++;
        } else {
            while (i < length && text[i] != ',' && text[i] != '}') {
                if (text[i] == '\\' && i + 1 < length) {
                    i++;
                }
                buf[used++] = text[i++];
            }
            while (used > start && buf[used - 1] == ' ') {
                used--;
            }
            if (used == start) {
                return error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                                 "malformed array literal: \"%.*s\"", (int)length, text);
            }
        }
        if (n == cap) {
            StrRef *grown = arena_realloc(arena, items, sizeof(StrRef) * (size_t)cap,
                                          sizeof(StrRef) * (size_t)cap * 2);
            if (grown == NULL) {
                return arena_error(arena, err);
            }
            items = grown;
            cap *= 2;
        }
        items[n].ptr = buf + start;
        items[n].len = (uint32_t)(used - start);
        n++;
        while (i < length && text[i] == ' ') {
            i++;
        }
        if (i < length && text[i] == ',') {
            i++;
            expect_item = true;
            continue;
        }
        expect_item = false;
    }
    *elements = items;
    *count = n;
    return STRATA_OK;
}
