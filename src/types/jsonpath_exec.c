/*
 * types/jsonpath_exec.c - the jsonpath evaluator: a JpNode tree
 * (jsonpath_int.h) over a jsonb document, as PostgreSQL's jsonpath_exec.c
 * behaves for the supported subset.
 *
 * Each node yields a sequence of jsonb items; accessors chained through
 * JpNode.next apply to every item of the sequence before them. Predicates
 * are three-valued (true, false, unknown); inside a filter only items whose
 * predicate is true pass. An error of the path itself (wrong item kind,
 * missing key in strict mode, non-numeric operand...) is "suppressible":
 * predicates turn it into unknown, silent evaluation into an empty result.
 *
 * Invariants
 *   1. Every item produced is a valid jsonb encoding: either borrowed from
 *      the document / vars or built in the arena by jsonb.h constructors.
 *   2. Recursion is bounded by the path's depth (parser limit) and the
 *      document's (JSONB_DEPTH_MAX).
 *
 * See jsonpath.h and src/types/README.md.
 */
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "types/jsonb.h"
#include "types/jsonpath_int.h"
#include "types/numeric.h"
#include "types/value_io.h"

typedef enum Bool3 { B3_FALSE, B3_TRUE, B3_UNKNOWN } Bool3;

typedef struct Ctx {
    Arena *arena;
    Error *err;
    bool strict;
    StrRef root, vars;
    int64_t last;      /* index of `last` in the innermost subscript, -1 outside */
    bool suppressible; /* the pending error is the path's own */
} Ctx;

static int eval(Ctx *c, const JpNode *n, StrRef current, JsonPathItems *out);
static Bool3 eval_predicate(Ctx *c, const JpNode *n, StrRef current, int *rc);

static int jp_error(Ctx *c, const char *sqlstate, const char *fmt, const char *arg)
{
    c->suppressible = true;
    return error_set(c->err, sqlstate, fmt, arg);
}

static int push(Ctx *c, JsonPathItems *out, StrRef item)
{
    if (out->count == out->capacity) {
        int capacity = out->capacity ? out->capacity * 2 : 8;
        StrRef *items = arena_alloc(c->arena, sizeof(StrRef) * (size_t)capacity);
        if (items == NULL) {
            return arena_error(c->arena, c->err);
        }
        if (out->count > 0) {
            memcpy(items, out->items, sizeof(StrRef) * (size_t)out->count);
        }
        out->items = items;
        out->capacity = capacity;
    }
    out->items[out->count++] = item;
    return STRATA_OK;
}

static int apply(Ctx *c, const JpNode *acc, StrRef item, StrRef current, JsonPathItems *out);
/* The item through the rest of the accessor chain. */
static int emit(Ctx *c, const JpNode *next, StrRef item, StrRef current, JsonPathItems *out);

static int number_of(Ctx *c, StrRef item, Decimal *out)
{
    StrRef text;
    bool is_null;
    int rc = jsonb_to_text(item, c->arena, &text, &is_null, c->err);
    return rc != STRATA_OK ? rc : numeric_parse(text.ptr, text.len, out, c->err);
}

static int make_number(Ctx *c, const Decimal *d, StrRef *out)
{
    char buf[NUMERIC_TEXT_MAX];
    int length = numeric_format(d, buf);
    return jsonb_parse(buf, (size_t)length, c->arena, out, c->err);
}

static int make_int(Ctx *c, int64_t v, StrRef *out)
{
    Decimal d;
    numeric_from_i64(v, &d);
    return make_number(c, &d, out);
}

static int string_item(Ctx *c, const char *s, size_t n, StrRef *out)
{
    return jsonb_make_string(s, n, c->arena, out, c->err);
}

/* ---- accessors ---- */

static int subscript_value(Ctx *c, const JpNode *n, StrRef current, int64_t *out)
{
    JsonPathItems items = {0};
    int rc = eval(c, n, current, &items);
    if (rc != STRATA_OK) {
        return rc;
    }
    Decimal d, truncated;
    if (items.count != 1 || jsonb_kind(items.items[0]) != JSONB_NUMBER) {
        return jp_error(c, SQLSTATE_INVALID_SQL_JSON_SUBSCRIPT,
                        "jsonpath array subscript is not a single numeric value%s", "");
    }
    if ((rc = number_of(c, items.items[0], &d)) != STRATA_OK ||
        (rc = numeric_trunc(&d, 0, &truncated, c->err)) != STRATA_OK ||
        numeric_to_i64(&truncated, out, c->err) != STRATA_OK || *out > INT32_MAX ||
        *out < INT32_MIN) {
        error_clear(c->err);
        return jp_error(c, SQLSTATE_INVALID_SQL_JSON_SUBSCRIPT,
                        "jsonpath array subscript is out of integer range%s", "");
    }
    return STRATA_OK;
}

static int apply_subscripts(Ctx *c, const JpNode *acc, StrRef item, StrRef current,
                            JsonPathItems *out)
{
    bool is_array = jsonb_kind(item) == JSONB_ARRAY;
    if (!is_array && c->strict) {
        return jp_error(c, SQLSTATE_SQL_JSON_ARRAY_NOT_FOUND,
                        "jsonpath array accessor can only be applied to an array%s", "");
    }
    int64_t size = is_array ? jsonb_length(item) : 1;
    int64_t saved_last = c->last;
    c->last = size - 1;
    int rc = STRATA_OK;
    for (int s = 0; rc == STRATA_OK && s < acc->subscript_count; s++) {
        int64_t from, to;
        rc = subscript_value(c, acc->from[s], current, &from);
        to = from;
        if (rc == STRATA_OK && acc->to[s] != NULL) {
            rc = subscript_value(c, acc->to[s], current, &to);
        }
        if (rc != STRATA_OK) {
            break;
        }
        if (c->strict && (from < 0 || from > to || to >= size)) {
            rc = jp_error(c, SQLSTATE_INVALID_SQL_JSON_SUBSCRIPT,
                          "jsonpath array subscript is out of bounds%s", "");
            break;
        }
        from = from < 0 ? 0 : from;
        to = to >= size ? size - 1 : to;
        for (int64_t index = from; rc == STRATA_OK && index <= to; index++) {
            StrRef element = item;
            if (is_array) {
                jsonb_array_get(item, index, &element);
            }
            rc = emit(c, acc->next, element, current, out);
        }
    }
    c->last = saved_last;
    return rc;
}

/* .** : the item and everything below it, depth first. */
static int apply_any(Ctx *c, const JpNode *acc, StrRef item, StrRef current, JsonPathItems *out)
{
    int rc = emit(c, acc->next, item, current, out);
    JsonbKind kind = jsonb_kind(item);
    if (kind != JSONB_ARRAY && kind != JSONB_OBJECT) {
        return rc;
    }
    int64_t count = jsonb_length(item);
    for (int64_t index = 0; rc == STRATA_OK && index < count; index++) {
        StrRef child;
        if (kind == JSONB_ARRAY) {
            jsonb_array_get(item, index, &child);
        } else {
            child = jsonb_object_value_at(item, index);
        }
        rc = apply_any(c, acc, child, current, out);
    }
    return rc;
}

static int apply_method(Ctx *c, const JpNode *acc, StrRef item, StrRef current, JsonPathItems *out)
{
    static const char *const NAMES[] = {"type", "size", "double", "ceiling", "floor", "abs"};
    JsonbKind kind = jsonb_kind(item);
    StrRef result;
    int rc = STRATA_OK;
    switch (acc->method) {
    case JP_METHOD_TYPE: {
        const char *name = jsonb_typeof_name(item);
        rc = string_item(c, name, strlen(name), &result);
        break;
    }
    case JP_METHOD_SIZE:
        if (kind != JSONB_ARRAY && c->strict) {
            return jp_error(c, SQLSTATE_SQL_JSON_ARRAY_NOT_FOUND,
                            "jsonpath item method .size() can only be applied to an array%s", "");
        }
        rc = make_int(c, kind == JSONB_ARRAY ? jsonb_length(item) : 1, &result);
        break;
    case JP_METHOD_DOUBLE: {
        StrRef text;
        bool is_null;
        if (kind != JSONB_NUMBER && kind != JSONB_STRING) {
            return jp_error(c, SQLSTATE_NON_NUMERIC_SQL_JSON_ITEM,
                            "jsonpath item method .%s() can only be applied to a string or "
                            "numeric value",
                            "double");
        }
        if ((rc = jsonb_to_text(item, c->arena, &text, &is_null, c->err)) != STRATA_OK) {
            return rc;
        }
        double value;
        if (float_parse(text.ptr, text.len, TYPE_FLOAT8, &value, c->err) != STRATA_OK ||
            !isfinite(value)) {
            error_clear(c->err);
            return kind == JSONB_NUMBER
                       ? jp_error(c, SQLSTATE_NON_NUMERIC_SQL_JSON_ITEM,
                                  "numeric argument of jsonpath item method .double() is out of "
                                  "range for type double precision%s",
                                  "")
                       : jp_error(c, SQLSTATE_NON_NUMERIC_SQL_JSON_ITEM,
                                  "string argument of jsonpath item method .double() is not a "
                                  "valid representation of a double precision number%s",
                                  "");
        }
        if (kind == JSONB_NUMBER) {
            result = item;
        } else {
            char buf[64];
            int length = float8_format(value, buf);
            rc = jsonb_parse(buf, (size_t)length, c->arena, &result, c->err);
        }
        break;
    }
    default: {
        Decimal d, r;
        if (kind != JSONB_NUMBER) {
            return jp_error(c, SQLSTATE_NON_NUMERIC_SQL_JSON_ITEM,
                            "jsonpath item method .%s() can only be applied to a numeric value",
                            NAMES[acc->method]);
        }
        if ((rc = number_of(c, item, &d)) != STRATA_OK) {
            return rc;
        }
        if (acc->method == JP_METHOD_ABS) {
            numeric_abs(&d, &r);
        } else {
            rc = acc->method == JP_METHOD_CEILING ? numeric_ceil(&d, &r, c->err)
                                                  : numeric_floor(&d, &r, c->err);
        }
        rc = rc != STRATA_OK ? rc : make_number(c, &r, &result);
        break;
    }
    }
    return rc != STRATA_OK ? rc : emit(c, acc->next, result, current, out);
}

/* Does lax mode apply this accessor to each element of an array item? */
static bool unwraps(const JpNode *acc)
{
    switch (acc->kind) {
    case JP_KEY:
    case JP_ANY_KEY:
    case JP_FILTER:
        return true;
    case JP_METHOD:
        return acc->method != JP_METHOD_TYPE && acc->method != JP_METHOD_SIZE;
    default:
        return false;
    }
}

/* One accessor over one item, without lax mode's unwrapping. */
static int apply_one(Ctx *c, const JpNode *acc, StrRef item, StrRef current, JsonPathItems *out)
{
    JsonbKind kind = jsonb_kind(item);
    switch (acc->kind) {
    case JP_KEY: {
        StrRef value;
        if (kind != JSONB_OBJECT) {
            return c->strict ? jp_error(c, SQLSTATE_SQL_JSON_MEMBER_NOT_FOUND,
                                        "jsonpath member accessor can only be applied to an "
                                        "object%s",
                                        "")
                             : STRATA_OK;
        }
        if (!jsonb_object_get(item, acc->text, acc->length, &value)) {
            char *key = arena_strndup(c->arena, acc->text, acc->length);
            return c->strict ? jp_error(c, SQLSTATE_SQL_JSON_MEMBER_NOT_FOUND,
                                        "JSON object does not contain key \"%s\"", key ? key : "")
                             : STRATA_OK;
        }
        return emit(c, acc->next, value, current, out);
    }
    case JP_ANY_KEY: {
        if (kind != JSONB_OBJECT) {
            return c->strict ? jp_error(c, SQLSTATE_SQL_JSON_OBJECT_NOT_FOUND,
                                        "jsonpath wildcard member accessor can only be applied "
                                        "to an object%s",
                                        "")
                             : STRATA_OK;
        }
        int64_t count = jsonb_length(item);
        for (int64_t index = 0; index < count; index++) {
            int rc = emit(c, acc->next, jsonb_object_value_at(item, index), current, out);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        return STRATA_OK;
    }
    case JP_ANY_ARRAY: {
        if (kind != JSONB_ARRAY) {
            return c->strict ? jp_error(c, SQLSTATE_SQL_JSON_ARRAY_NOT_FOUND,
                                        "jsonpath wildcard array accessor can only be applied "
                                        "to an array%s",
                                        "")
                             : emit(c, acc->next, item, current, out);
        }
        int64_t count = jsonb_length(item);
        for (int64_t index = 0; index < count; index++) {
            StrRef element;
            jsonb_array_get(item, index, &element);
            int rc = emit(c, acc->next, element, current, out);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        return STRATA_OK;
    }
    case JP_SUBSCRIPTS:
        return apply_subscripts(c, acc, item, current, out);
    case JP_ANY:
        return apply_any(c, acc, item, current, out);
    case JP_FILTER: {
        int rc = STRATA_OK;
        Bool3 pass = eval_predicate(c, acc->left, item, &rc);
        if (rc != STRATA_OK) {
            return rc;
        }
        return pass == B3_TRUE ? emit(c, acc->next, item, current, out) : STRATA_OK;
    }
    case JP_METHOD:
        return apply_method(c, acc, item, current, out);
    default:
        return error_set(c->err, SQLSTATE_INTERNAL_ERROR, "unexpected jsonpath item");
    }
}

/* One accessor over one item; lax mode applies some to each element of an
 * array instead (one level: the elements are not unwrapped again). */
static int apply(Ctx *c, const JpNode *acc, StrRef item, StrRef current, JsonPathItems *out)
{
    if (c->strict || jsonb_kind(item) != JSONB_ARRAY || !unwraps(acc)) {
        return apply_one(c, acc, item, current, out);
    }
    int64_t count = jsonb_length(item);
    for (int64_t index = 0; index < count; index++) {
        StrRef element;
        jsonb_array_get(item, index, &element);
        int rc = apply_one(c, acc, element, current, out);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int emit(Ctx *c, const JpNode *next, StrRef item, StrRef current, JsonPathItems *out)
{
    return next == NULL ? push(c, out, item) : apply(c, next, item, current, out);
}

/* ---- operators ---- */

/* The operand's items with arrays unwrapped one level in lax mode. */
static int operand(Ctx *c, const JpNode *n, StrRef current, JsonPathItems *out)
{
    JsonPathItems raw = {0};
    int rc = eval(c, n, current, &raw);
    for (int index = 0; rc == STRATA_OK && index < raw.count; index++) {
        StrRef item = raw.items[index];
        if (c->strict || jsonb_kind(item) != JSONB_ARRAY) {
            rc = push(c, out, item);
            continue;
        }
        int64_t count = jsonb_length(item);
        for (int64_t at = 0; rc == STRATA_OK && at < count; at++) {
            StrRef element;
            jsonb_array_get(item, at, &element);
            rc = push(c, out, element);
        }
    }
    return rc;
}

static const char *op_symbol(JpKind kind)
{
    switch (kind) {
    case JP_ADD:
    case JP_PLUS:
        return "+";
    case JP_SUB:
    case JP_MINUS:
        return "-";
    case JP_MUL:
        return "*";
    case JP_DIV:
        return "/";
    default:
        return "%";
    }
}

static int eval_arithmetic(Ctx *c, const JpNode *n, StrRef current, StrRef *result)
{
    JsonPathItems left = {0}, right = {0};
    int rc = operand(c, n->left, current, &left);
    if (rc != STRATA_OK || (rc = operand(c, n->right, current, &right)) != STRATA_OK) {
        return rc;
    }
    const char *symbol = op_symbol(n->kind);
    if (left.count != 1 || jsonb_kind(left.items[0]) != JSONB_NUMBER) {
        return jp_error(c, SQLSTATE_SINGLETON_SQL_JSON_ITEM_REQUIRED,
                        "left operand of jsonpath operator %s is not a single numeric value",
                        symbol);
    }
    if (right.count != 1 || jsonb_kind(right.items[0]) != JSONB_NUMBER) {
        return jp_error(c, SQLSTATE_SINGLETON_SQL_JSON_ITEM_REQUIRED,
                        "right operand of jsonpath operator %s is not a single numeric value",
                        symbol);
    }
    Decimal a, b, r;
    if ((rc = number_of(c, left.items[0], &a)) != STRATA_OK ||
        (rc = number_of(c, right.items[0], &b)) != STRATA_OK) {
        return rc;
    }
    switch (n->kind) {
    case JP_ADD:
        rc = numeric_add(&a, &b, &r, c->err);
        break;
    case JP_SUB:
        rc = numeric_sub(&a, &b, &r, c->err);
        break;
    case JP_MUL:
        rc = numeric_mul(&a, &b, &r, c->err);
        break;
    case JP_DIV:
        rc = numeric_div(&a, &b, &r, c->err);
        break;
    default:
        rc = numeric_mod(&a, &b, &r, c->err);
        break;
    }
    if (rc != STRATA_OK) {
        c->suppressible = true; /* division by zero: silent suppresses it too */
        return rc;
    }
    return make_number(c, &r, result);
}

static int eval_unary(Ctx *c, const JpNode *n, StrRef current, JsonPathItems *out)
{
    JsonPathItems items = {0};
    int rc = operand(c, n->left, current, &items);
    for (int index = 0; rc == STRATA_OK && index < items.count; index++) {
        StrRef item = items.items[index];
        if (jsonb_kind(item) != JSONB_NUMBER) {
            return jp_error(c, SQLSTATE_SQL_JSON_NUMBER_NOT_FOUND,
                            "operand of unary jsonpath operator %s is not a numeric value",
                            op_symbol(n->kind));
        }
        if (n->kind == JP_MINUS) {
            Decimal d, negated;
            if ((rc = number_of(c, item, &d)) != STRATA_OK) {
                return rc;
            }
            numeric_neg(&d, &negated);
            rc = make_number(c, &negated, &item);
        }
        rc = rc != STRATA_OK ? rc : push(c, out, item);
    }
    return rc;
}

/* ---- predicates ---- */

static bool is_scalar_class(JsonbKind kind, int *class_id)
{
    switch (kind) {
    case JSONB_NULL:
        *class_id = 0;
        return true;
    case JSONB_FALSE:
    case JSONB_TRUE:
        *class_id = 1;
        return true;
    case JSONB_NUMBER:
        *class_id = 2;
        return true;
    case JSONB_STRING:
        *class_id = 3;
        return true;
    default:
        return false;
    }
}

static int string_compare(Ctx *c, StrRef a, StrRef b, int *out)
{
    StrRef ta, tb;
    bool is_null;
    int rc = jsonb_to_text(a, c->arena, &ta, &is_null, c->err);
    if (rc != STRATA_OK || (rc = jsonb_to_text(b, c->arena, &tb, &is_null, c->err)) != STRATA_OK) {
        return rc;
    }
    int cmp = memcmp(ta.ptr, tb.ptr, ta.len < tb.len ? ta.len : tb.len);
    *out = cmp != 0 ? cmp : (ta.len > tb.len) - (ta.len < tb.len);
    return STRATA_OK;
}

static Bool3 compare_items(Ctx *c, JpKind op, StrRef a, StrRef b, int *rc)
{
    int ca, cb;
    if (!is_scalar_class(jsonb_kind(a), &ca) || !is_scalar_class(jsonb_kind(b), &cb)) {
        return B3_UNKNOWN;
    }
    if (ca != cb) {
        if (ca == 0 || cb == 0) {
            return op == JP_NE ? B3_TRUE : B3_FALSE;
        }
        return B3_UNKNOWN;
    }
    int cmp = 0;
    if (ca == 1) {
        cmp = (int)jsonb_kind(a) - (int)jsonb_kind(b);
    } else if (ca == 2) {
        cmp = jsonb_compare(a, b);
    } else if (ca == 3) {
        *rc = string_compare(c, a, b, &cmp);
    }
    bool result;
    switch (op) {
    case JP_EQ:
        result = cmp == 0;
        break;
    case JP_NE:
        result = cmp != 0;
        break;
    case JP_LT:
        result = cmp < 0;
        break;
    case JP_LE:
        result = cmp <= 0;
        break;
    case JP_GT:
        result = cmp > 0;
        break;
    default:
        result = cmp >= 0;
        break;
    }
    return result ? B3_TRUE : B3_FALSE;
}

/* Evaluates an operand of a predicate; a suppressible error makes *unknown. */
static int predicate_operand(Ctx *c, const JpNode *n, StrRef current, JsonPathItems *out,
                             bool *unknown)
{
    int rc = operand(c, n, current, out);
    if (rc != STRATA_OK && c->suppressible) {
        error_clear(c->err);
        c->suppressible = false;
        *unknown = true;
        return STRATA_OK;
    }
    return rc;
}

static Bool3 regex_or_prefix(Ctx *c, const JpNode *n, StrRef item, regex_t *re, StrRef prefix,
                             int *rc)
{
    if (jsonb_kind(item) != JSONB_STRING) {
        return B3_UNKNOWN;
    }
    StrRef text;
    bool is_null;
    if ((*rc = jsonb_to_text(item, c->arena, &text, &is_null, c->err)) != STRATA_OK) {
        return B3_UNKNOWN;
    }
    if (n->kind == JP_STARTS_WITH) {
        return text.len >= prefix.len && memcmp(text.ptr, prefix.ptr, prefix.len) == 0 ? B3_TRUE
                                                                                       : B3_FALSE;
    }
    char *subject = arena_strndup(c->arena, text.ptr, text.len);
    if (subject == NULL) {
        *rc = arena_error(c->arena, c->err);
        return B3_UNKNOWN;
    }
    return regexec(re, subject, 0, NULL, 0) == 0 ? B3_TRUE : B3_FALSE;
}

/* like_regex / starts with over each item of the left operand. */
static Bool3 eval_string_predicate(Ctx *c, const JpNode *n, StrRef current, int *rc)
{
    JsonPathItems left = {0}, right = {0};
    bool unknown = false;
    regex_t re;
    StrRef prefix = {0};
    if ((*rc = predicate_operand(c, n->left, current, &left, &unknown)) != STRATA_OK || unknown) {
        return B3_UNKNOWN;
    }
    if (n->kind == JP_STARTS_WITH) {
        if ((*rc = predicate_operand(c, n->right, current, &right, &unknown)) != STRATA_OK ||
            unknown || right.count != 1 || jsonb_kind(right.items[0]) != JSONB_STRING) {
            return B3_UNKNOWN;
        }
        bool is_null;
        if ((*rc = jsonb_to_text(right.items[0], c->arena, &prefix, &is_null, c->err)) !=
            STRATA_OK) {
            return B3_UNKNOWN;
        }
    } else {
        char *pattern = arena_strndup(c->arena, n->text, n->length);
        int flags = REG_EXTENDED | REG_NOSUB | (n->regex_icase ? REG_ICASE : 0);
        if (pattern == NULL || regcomp(&re, pattern, flags) != 0) {
            *rc = pattern == NULL ? arena_error(c->arena, c->err)
                                  : error_set(c->err, SQLSTATE_INVALID_REGULAR_EXPRESSION,
                                              "invalid regular expression: %s", pattern);
            return B3_UNKNOWN;
        }
    }
    bool found = false;
    for (int index = 0; *rc == STRATA_OK && index < left.count; index++) {
        Bool3 r = regex_or_prefix(c, n, left.items[index], &re, prefix, rc);
        found |= r == B3_TRUE;
        unknown |= r == B3_UNKNOWN;
        if (found && !c->strict) {
            break;
        }
    }
    if (n->kind == JP_LIKE_REGEX) {
        regfree(&re);
    }
    return (found && !c->strict) || (found && !unknown) ? B3_TRUE : unknown ? B3_UNKNOWN : B3_FALSE;
}

static Bool3 eval_comparison(Ctx *c, const JpNode *n, StrRef current, int *rc)
{
    JsonPathItems left = {0}, right = {0};
    bool unknown = false;
    if ((*rc = predicate_operand(c, n->left, current, &left, &unknown)) != STRATA_OK || unknown ||
        (*rc = predicate_operand(c, n->right, current, &right, &unknown)) != STRATA_OK || unknown) {
        return B3_UNKNOWN;
    }
    bool found = false;
    for (int l = 0; l < left.count; l++) {
        for (int r = 0; r < right.count; r++) {
            Bool3 result = compare_items(c, n->kind, left.items[l], right.items[r], rc);
            if (*rc != STRATA_OK) {
                return B3_UNKNOWN;
            }
            if (result == B3_UNKNOWN) {
                if (c->strict) {
                    return B3_UNKNOWN;
                }
                unknown = true;
            } else if (result == B3_TRUE) {
                if (!c->strict) {
                    return B3_TRUE;
                }
                found = true;
            }
        }
    }
    return found ? B3_TRUE : unknown ? B3_UNKNOWN : B3_FALSE;
}

static Bool3 eval_predicate(Ctx *c, const JpNode *n, StrRef current, int *rc)
{
    switch (n->kind) {
    case JP_AND: {
        Bool3 left = eval_predicate(c, n->left, current, rc);
        if (*rc != STRATA_OK || left == B3_FALSE) {
            return B3_FALSE;
        }
        Bool3 right = eval_predicate(c, n->right, current, rc);
        return right == B3_TRUE ? left : right;
    }
    case JP_OR: {
        Bool3 left = eval_predicate(c, n->left, current, rc);
        if (*rc != STRATA_OK || left == B3_TRUE) {
            return B3_TRUE;
        }
        Bool3 right = eval_predicate(c, n->right, current, rc);
        return right == B3_FALSE ? left : right;
    }
    case JP_NOT: {
        Bool3 arg = eval_predicate(c, n->left, current, rc);
        return arg == B3_UNKNOWN ? B3_UNKNOWN : arg == B3_TRUE ? B3_FALSE : B3_TRUE;
    }
    case JP_IS_UNKNOWN:
        return eval_predicate(c, n->left, current, rc) == B3_UNKNOWN ? B3_TRUE : B3_FALSE;
    case JP_EXISTS: {
        JsonPathItems items = {0};
        bool unknown = false;
        *rc = predicate_operand(c, n->left, current, &items, &unknown);
        return unknown ? B3_UNKNOWN : items.count > 0 ? B3_TRUE : B3_FALSE;
    }
    case JP_LIKE_REGEX:
    case JP_STARTS_WITH:
        return eval_string_predicate(c, n, current, rc);
    default:
        return eval_comparison(c, n, current, rc);
    }
}

/* ---- primaries ---- */

static int variable(Ctx *c, const JpNode *n, StrRef *out)
{
    if (c->vars.len == 0 || !jsonb_object_get(c->vars, n->text, n->length, out)) {
        char *name = arena_strndup(c->arena, n->text, n->length);
        return error_set(c->err, SQLSTATE_UNDEFINED_OBJECT,
                         "could not find jsonpath variable \"%s\"", name ? name : "");
    }
    return STRATA_OK;
}

/* The items of n itself, before its accessors. */
static int eval_base(Ctx *c, const JpNode *n, StrRef current, JsonPathItems *out)
{
    StrRef item;
    int rc = STRATA_OK;
    switch (n->kind) {
    case JP_ROOT:
        item = c->root;
        break;
    case JP_CURRENT:
        item = current;
        break;
    case JP_VARIABLE:
        rc = variable(c, n, &item);
        break;
    case JP_LAST:
        rc = make_int(c, c->last, &item);
        break;
    case JP_NULL:
        item = jsonb_make_null();
        break;
    case JP_TRUE:
        item = jsonb_make_bool(true);
        break;
    case JP_FALSE:
        item = jsonb_make_bool(false);
        break;
    case JP_NUMBER:
        item = (StrRef){.ptr = n->text, .len = n->length};
        break;
    case JP_STRING:
        rc = string_item(c, n->text, n->length, &item);
        break;
    case JP_ADD:
    case JP_SUB:
    case JP_MUL:
    case JP_DIV:
    case JP_MOD:
        rc = eval_arithmetic(c, n, current, &item);
        break;
    case JP_PLUS:
    case JP_MINUS:
        return eval_unary(c, n, current, out);
    default: {
        if (!jp_is_predicate(n->kind)) {
            return error_set(c->err, SQLSTATE_INTERNAL_ERROR, "unexpected jsonpath item");
        }
        Bool3 b = eval_predicate(c, n, current, &rc);
        item = b == B3_UNKNOWN ? jsonb_make_null() : jsonb_make_bool(b == B3_TRUE);
        break;
    }
    }
    return rc != STRATA_OK ? rc : push(c, out, item);
}

static int eval(Ctx *c, const JpNode *n, StrRef current, JsonPathItems *out)
{
    if (n->next == NULL) {
        return eval_base(c, n, current, out);
    }
    JsonPathItems base = {0};
    int rc = eval_base(c, n, current, &base);
    for (int index = 0; rc == STRATA_OK && index < base.count; index++) {
        rc = apply(c, n->next, base.items[index], current, out);
    }
    return rc;
}

int jsonpath_eval(const JsonPath *path, StrRef doc, StrRef vars, bool silent, Arena *arena,
                  JsonPathItems *out, bool *failed, Error *err)
{
    *out = (JsonPathItems){0};
    *failed = false;
    if (vars.len > 0 && jsonb_kind(vars) != JSONB_OBJECT) {
        error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "\"vars\" argument is not an object");
        return error_detail(err, "Jsonpath parameters should be encoded as key-value pairs of "
                                 "\"vars\" object.");
    }
    Ctx c = {
        .arena = arena, .err = err, .strict = path->strict, .root = doc, .vars = vars, .last = -1};
    int rc = eval(&c, path->expr, doc, out);
    if (rc != STRATA_OK && silent && c.suppressible) {
        error_clear(err);
        *out = (JsonPathItems){0};
        *failed = true;
        return STRATA_OK;
    }
    if (rc == STRATA_OK && jp_is_predicate(path->expr->kind)) {
        c.suppressible = false;
    }
    return rc;
}
