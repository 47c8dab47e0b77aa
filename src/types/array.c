/*
 * types/array.c - array encoding, text input/output, ordering and hashing
 * (see array.h for the byte layout and the rules).
 *
 * Text input is split in two passes: array_split finds the elements (quotes,
 * escapes, NULL) the way PostgreSQL's ReadArrayStr does, then each element
 * goes through the element type's input function, so '{1,x}'::int[] fails
 * with integer's own 22P02.
 */
#include "types/array.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "types/cast.h"
#include "types/compare.h"
#include "types/numeric.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/assert.h"
#include "util/limits.h"

/* ---- encoding ---- */

static size_t element_size(PhysKind kind, const Value *v)
{
    if (kind == PHYS_DECIMAL) {
        return numeric_serialized_size(&v->dec);
    }
    return kind == PHYS_STRING ? 4 + (size_t)v->str.len : phys_serialized_size(kind);
}

static uint8_t *put_u32(uint8_t *p, uint32_t x)
{
    for (int k = 0; k < 4; k++) {
        p[k] = (uint8_t)(x >> (8 * k));
    }
    return p + 4;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *put_u64(uint8_t *p, uint64_t x)
{
    for (int k = 0; k < 8; k++) {
        p[k] = (uint8_t)(x >> (8 * k));
    }
    return p + 8;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t x = 0;
    for (int k = 7; k >= 0; k--) {
        x = x << 8 | p[k];
    }
    return x;
}

static uint8_t *element_write(PhysKind kind, const Value *v, uint8_t *p)
{
    switch (kind) {
    case PHYS_BOOL:
        *p = v->b ? 1 : 0;
        return p + 1;
    case PHYS_I64:
        return put_u64(p, (uint64_t)v->i64);
    case PHYS_F64: {
        uint64_t bits;
        memcpy(&bits, &v->f64, sizeof bits);
        return put_u64(p, bits);
    }
    case PHYS_DECIMAL:
        return p + numeric_serialize(&v->dec, p);
    case PHYS_INTERVAL:
        p = put_u32(p, (uint32_t)v->iv.months);
        p = put_u32(p, (uint32_t)v->iv.days);
        return put_u64(p, (uint64_t)v->iv.micros);
    case PHYS_UUID:
        memcpy(p, v->uuid.bytes, 16);
        return p + 16;
    case PHYS_STRING:
        p = put_u32(p, v->str.len);
        if (v->str.len > 0) {
            memcpy(p, v->str.ptr, v->str.len);
        }
        return p + v->str.len;
    }
    return p;
}

int array_encode(TypeId elem, const Value *items, int64_t count, Arena *arena, StrRef *out,
                 Error *err)
{
    return array_encode_dims(elem, items, count, 1, NULL, arena, out, err);
}

int array_encode_dims(TypeId elem, const Value *items, int64_t count, int ndims,
                      const uint32_t *dims, Arena *arena, StrRef *out, Error *err)
{
    if (count > LIMIT_ARRAY_ELEMENTS) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "array size exceeds the maximum allowed (%d)", LIMIT_ARRAY_ELEMENTS);
    }
    if (ndims > ARRAY_DIMS_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "number of array dimensions (%d) exceeds the maximum allowed (%d)", ndims,
                         ARRAY_DIMS_MAX);
    }
    bool is_multi = ndims > 1 && count > 0;
    int64_t product = 1;
    for (int d = 0; is_multi && d < ndims; d++) {
        product *= dims[d];
    }
    ST_ASSERT(!is_multi || product == count);
    PhysKind kind = type_phys(elem);
    size_t null_bytes = ((size_t)count + 7) / 8;
    size_t header = is_multi ? 4 + 1 + 4 * (size_t)ndims : 4;
    size_t size = header + null_bytes;
    for (int64_t k = 0; k < count; k++) {
        if (!items[k].is_null) {
            size += element_size(kind, &items[k]);
        }
    }
    if (size > LIMIT_VALUE_BYTES) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "array size exceeds the maximum allowed (%u bytes)", LIMIT_VALUE_BYTES);
    }
    uint8_t *buf = arena_alloc(arena, size + 1);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    uint8_t *p = put_u32(buf, (uint32_t)count | (is_multi ? ARRAY_MULTI_DIM : 0));
    if (is_multi) {
        *p++ = (uint8_t)ndims;
        for (int d = 0; d < ndims; d++) {
            p = put_u32(p, dims[d]);
        }
    }
    memset(p, 0, null_bytes);
    uint8_t *nulls = p;
    p += null_bytes;
    for (int64_t k = 0; k < count; k++) {
        if (items[k].is_null) {
            nulls[k / 8] |= (uint8_t)(1u << (k % 8));
        } else {
            p = element_write(kind, &items[k], p);
        }
    }
    ST_ASSERT((size_t)(p - buf) == size);
    out->ptr = (const char *)buf;
    out->len = (uint32_t)size;
    return STRATA_OK;
}

/* ---- reading ---- */

bool array_reader_init(ArrayReader *reader, SqlType array_type, StrRef bytes)
{
    memset(reader, 0, sizeof *reader);
    reader->elem = sql_type_mod(type_array_elem(array_type.id), array_type.typmod);
    const uint8_t *p = (const uint8_t *)bytes.ptr;
    reader->end = p + bytes.len;
    if (bytes.len < 4) {
        reader->is_corrupt = true;
        return false;
    }
    uint32_t count = get_u32(p);
    size_t header = 4;
    reader->ndims = count > 0 ? 1 : 0;
    reader->dims[0] = count;
    if (count & ARRAY_MULTI_DIM) {
        count &= ~ARRAY_MULTI_DIM;
        int ndims = bytes.len > 4 ? p[4] : 0;
        if (ndims < 2 || ndims > ARRAY_DIMS_MAX || bytes.len < 5 + 4 * (size_t)ndims) {
            reader->is_corrupt = true;
            return false;
        }
        uint64_t product = 1;
        for (int d = 0; d < ndims; d++) {
            reader->dims[d] = get_u32(p + 5 + 4 * d);
            product *= reader->dims[d];
            if (product > count) {
                break;
            }
        }
        if (product != count || count == 0) {
            reader->is_corrupt = true;
            return false;
        }
        reader->ndims = ndims;
        header = 5 + 4 * (size_t)ndims;
    }
    size_t null_bytes = ((size_t)count + 7) / 8;
    if (null_bytes > bytes.len - header) {
        reader->is_corrupt = true;
        return false;
    }
    reader->count = count;
    reader->nulls = p + header;
    reader->pos = p + header + null_bytes;
    return true;
}

static bool reader_take(ArrayReader *reader, size_t need, const uint8_t **at)
{
    if ((size_t)(reader->end - reader->pos) < need) {
        reader->is_corrupt = true;
        return false;
    }
    *at = reader->pos;
    reader->pos += need;
    return true;
}

static bool element_read(ArrayReader *reader, PhysKind kind, Value *out)
{
    const uint8_t *p;
    switch (kind) {
    case PHYS_BOOL:
        if (!reader_take(reader, 1, &p)) {
            return false;
        }
        out->b = *p != 0;
        return true;
    case PHYS_I64:
        if (!reader_take(reader, 8, &p)) {
            return false;
        }
        out->i64 = (int64_t)get_u64(p);
        return true;
    case PHYS_F64: {
        if (!reader_take(reader, 8, &p)) {
            return false;
        }
        uint64_t bits = get_u64(p);
        memcpy(&out->f64, &bits, sizeof bits);
        return true;
    }
    case PHYS_DECIMAL: {
        size_t avail = (size_t)(reader->end - reader->pos);
        size_t used = numeric_deserialize(reader->pos, avail, &out->dec);
        if (used == 0 || !reader_take(reader, used, &p)) {
            reader->is_corrupt = true;
            return false;
        }
        return true;
    }
    case PHYS_INTERVAL:
        if (!reader_take(reader, 16, &p)) {
            return false;
        }
        out->iv.months = (int32_t)get_u32(p);
        out->iv.days = (int32_t)get_u32(p + 4);
        out->iv.micros = (int64_t)get_u64(p + 8);
        return true;
    case PHYS_UUID:
        if (!reader_take(reader, 16, &p)) {
            return false;
        }
        memcpy(out->uuid.bytes, p, 16);
        return true;
    case PHYS_STRING: {
        if (!reader_take(reader, 4, &p)) {
            return false;
        }
        uint32_t len = get_u32(p);
        if (!reader_take(reader, len, &p)) {
            return false;
        }
        out->str.ptr = (const char *)p;
        out->str.len = len;
        return true;
    }
    }
    return false;
}

bool array_reader_next(ArrayReader *reader, Value *out)
{
    if (reader->is_corrupt || reader->index >= reader->count) {
        return false;
    }
    uint32_t k = reader->index++;
    memset(out, 0, sizeof *out);
    out->type = reader->elem;
    if ((reader->nulls[k / 8] >> (k % 8)) & 1) {
        out->is_null = true;
        return true;
    }
    return element_read(reader, type_phys(reader->elem.id), out);
}

uint32_t array_count(StrRef bytes)
{
    return bytes.len >= 4 ? get_u32((const uint8_t *)bytes.ptr) & ~ARRAY_MULTI_DIM : 0;
}

int array_shape(StrRef bytes, uint32_t *dims)
{
    ArrayReader reader;
    if (!array_reader_init(&reader, sql_type(TYPE_INT4_ARRAY), bytes)) {
        return 0;
    }
    memcpy(dims, reader.dims, sizeof(uint32_t) * (size_t)reader.ndims);
    return reader.ndims;
}

int array_decode(SqlType array_type, StrRef bytes, Arena *arena, Value **items, int *count,
                 Error *err)
{
    ArrayReader reader;
    array_reader_init(&reader, array_type, bytes);
    if (reader.is_corrupt) {
        return error_set(err, SQLSTATE_DATA_CORRUPTED, "array value is corrupted");
    }
    Value *values = arena_alloc(arena, sizeof(Value) * ((size_t)reader.count + 1));
    if (values == NULL) {
        return arena_error(arena, err);
    }
    int n = 0;
    while (array_reader_next(&reader, &values[n])) {
        n++;
    }
    if (reader.is_corrupt || (uint32_t)n != reader.count) {
        return error_set(err, SQLSTATE_DATA_CORRUPTED, "array value is corrupted");
    }
    *items = values;
    *count = n;
    return STRATA_OK;
}

/* ---- text input ---- */

static bool array_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int malformed(const char *text, size_t length, const char *detail, Error *err)
{
    error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "malformed array literal: \"%.*s\"",
              (int)length, text);
    return error_detail(err, "%s", detail);
}

/* One element found by array_split: its unescaped text, or NULL. */
typedef struct ElementText {
    StrRef text;
    bool is_null;
} ElementText;

typedef struct Splitter {
    const char *text;
    size_t length;
    size_t pos;
    char *buf; /* unescaped element bytes */
    size_t used;
    Error *err;
} Splitter;

static void skip_space(Splitter *s)
{
    while (s->pos < s->length && array_space(s->text[s->pos])) {
        s->pos++;
    }
}

static int split_quoted(Splitter *s, ElementText *out)
{
    size_t start = s->used;
    s->pos++; /* the opening quote */
    while (s->pos < s->length && s->text[s->pos] != '"') {
        if (s->text[s->pos] == '\\') {
            s->pos++;
            if (s->pos >= s->length) {
                break;
            }
        }
        s->buf[s->used++] = s->text[s->pos++];
    }
    if (s->pos >= s->length) {
        return malformed(s->text, s->length, "Unexpected end of input.", s->err);
    }
    s->pos++;
    out->text.ptr = s->buf + start;
    out->text.len = (uint32_t)(s->used - start);
    out->is_null = false;
    return STRATA_OK;
}

static int split_unquoted(Splitter *s, ElementText *out)
{
    size_t start = s->used, kept = s->used;
    bool has_escape = false;
    while (s->pos < s->length && s->text[s->pos] != ',' && s->text[s->pos] != '}') {
        char c = s->text[s->pos];
        if (c == '"' || c == '{') {
            return malformed(s->text, s->length, "Unexpected array element.", s->err);
        }
        if (c == '\\') {
            if (++s->pos >= s->length) {
                return malformed(s->text, s->length, "Unexpected end of input.", s->err);
            }
            s->buf[s->used++] = s->text[s->pos++];
            has_escape = true;
            kept = s->used; /* an escaped blank is kept */
            continue;
        }
        s->buf[s->used++] = c;
        s->pos++;
        if (!array_space(c)) {
            kept = s->used;
        }
    }
    s->used = kept;
    out->text.ptr = s->buf + start;
    out->text.len = (uint32_t)(kept - start);
    out->is_null = !has_escape && out->text.len == 4 && strncasecmp(out->text.ptr, "null", 4) == 0;
    return STRATA_OK;
}

/* '[1:3]={1,2,3}': explicit bounds are well-formed input strata cannot keep
 * (0A000); anything else starting with '[' is malformed. */
static int dimensions_refuse(const char *text, size_t length, size_t pos, Error *err)
{
    while (pos < length && text[pos] == '[') {
        size_t close = pos + 1;
        while (close < length && (isdigit((unsigned char)text[close]) || text[close] == ':' ||
                                  text[close] == '-' || text[close] == '+')) {
            close++;
        }
        if (close >= length || text[close] != ']' || close == pos + 1) {
            return malformed(text, length, "Missing \"]\" after array dimensions.", err);
        }
        pos = close + 1;
    }
    if (pos >= length || text[pos] != '=') {
        return malformed(text, length, "Missing \"=\" after array dimensions.", err);
    }
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                     "array literals with explicit bounds are not supported");
}

/* The shape nested braces give: every element at one depth, every sub-array
 * of a depth the same length. */
typedef struct SplitShape {
    int leaf_depth; /* -1 until the first element */
    bool has_length[ARRAY_DIMS_MAX];
    uint32_t dims[ARRAY_DIMS_MAX];
} SplitShape;

typedef struct SplitItems {
    ElementText *items;
    int64_t count;
    int64_t capacity;
} SplitItems;

static int mismatched(const Splitter *s)
{
    return malformed(s->text, s->length,
                     "Multidimensional arrays must have sub-arrays with matching dimensions.",
                     s->err);
}

/* One brace level at s->pos ('{'), its elements appended to out. */
static int split_level(Splitter *s, int depth, SplitShape *shape, SplitItems *out, Arena *arena)
{
    const char *text = s->text;
    size_t length = s->length;
    s->pos++;
    skip_space(s);
    if (s->pos < length && text[s->pos] == '}') {
        s->pos++;
        return depth == 0 ? STRATA_OK
                          : malformed(text, length, "Unexpected \"}\" character.", s->err);
    }
    uint32_t items_here = 0;
    for (;;) {
        skip_space(s);
        if (s->pos >= length) {
            return malformed(text, length, "Unexpected end of input.", s->err);
        }
        char c = text[s->pos];
        int rc;
        if (c == '{') {
            if (depth + 1 >= ARRAY_DIMS_MAX) {
                return error_set(s->err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                                 "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                                 depth + 2, ARRAY_DIMS_MAX);
            }
            if (shape->leaf_depth >= 0 && shape->leaf_depth <= depth) {
                return malformed(text, length, "Unexpected \"{\" character.", s->err);
            }
            rc = split_level(s, depth + 1, shape, out, arena);
        } else if (c == '}' || c == ',') {
            char detail[40];
            snprintf(detail, sizeof detail, "Unexpected \"%c\" character.", c);
            return malformed(text, length, detail, s->err);
        } else {
            if (shape->leaf_depth < 0 && depth + 1 < ARRAY_DIMS_MAX &&
                shape->has_length[depth + 1]) {
                /* sub-arrays came before this element */
                return malformed(text, length, "Unexpected array element.", s->err);
            }
            if (shape->leaf_depth < 0) {
                shape->leaf_depth = depth;
            } else if (shape->leaf_depth > depth) {
                return malformed(text, length, "Unexpected array element.", s->err);
            } else if (shape->leaf_depth != depth) {
                return mismatched(s);
            }
            if (out->count == out->capacity) {
                ElementText *grown =
                    arena_realloc(arena, out->items, sizeof(ElementText) * (size_t)out->capacity,
                                  sizeof(ElementText) * (size_t)out->capacity * 2);
                if (grown == NULL) {
                    return arena_error(arena, s->err);
                }
                out->items = grown;
                out->capacity *= 2;
            }
            rc = c == '"' ? split_quoted(s, &out->items[out->count])
                          : split_unquoted(s, &out->items[out->count]);
            out->count += rc == STRATA_OK;
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        items_here++;
        skip_space(s);
        if (s->pos >= length) {
            return malformed(text, length, "Unexpected end of input.", s->err);
        }
        if (text[s->pos] == '}') {
            s->pos++;
            break;
        }
        if (text[s->pos] != ',') {
            return malformed(text, length, "Unexpected array element.", s->err);
        }
        s->pos++;
    }
    if (!shape->has_length[depth]) {
        shape->has_length[depth] = true;
        shape->dims[depth] = items_here;
    } else if (shape->dims[depth] != items_here) {
        return mismatched(s);
    }
    return STRATA_OK;
}

/* Splits '{a,"b c",NULL}' (or nested '{{1,2},{3,4}}') into element texts (in
 * arena) and the dimensions (*ndims 0 for '{}'). */
static int array_split(const char *text, size_t length, Arena *arena, ElementText **out,
                       int64_t *count, int *ndims, uint32_t *dims, Error *err)
{
    Splitter s = {text, length, 0, arena_alloc(arena, length + 1), 0, err};
    SplitItems items = {arena_alloc(arena, sizeof(ElementText) * 8), 0, 8};
    if (s.buf == NULL || items.items == NULL) {
        return arena_error(arena, err);
    }
    skip_space(&s);
    if (s.pos < length && s.text[s.pos] == '[') {
        return dimensions_refuse(text, length, s.pos, err);
    }
    if (s.pos >= length || text[s.pos] != '{') {
        return malformed(text, length,
                         "Array value must start with \"{\" or dimension information.", err);
    }
    SplitShape shape = {.leaf_depth = -1};
    int rc = split_level(&s, 0, &shape, &items, arena);
    if (rc != STRATA_OK) {
        return rc;
    }
    skip_space(&s);
    if (s.pos < length) {
        return malformed(text, length, "Junk after closing right brace.", err);
    }
    *ndims = items.count > 0 ? shape.leaf_depth + 1 : 0;
    memcpy(dims, shape.dims, sizeof(uint32_t) * ARRAY_DIMS_MAX);
    *out = items.items;
    *count = items.count;
    return STRATA_OK;
}

int array_parse(SqlType array_type, const char *text, size_t length, const char *timezone,
                Arena *arena, StrRef *out, Error *err)
{
    ElementText *texts = NULL;
    int64_t count = 0;
    int ndims = 0;
    uint32_t dims[ARRAY_DIMS_MAX];
    int rc = array_split(text, length, arena, &texts, &count, &ndims, dims, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (count > LIMIT_ARRAY_ELEMENTS) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "array size exceeds the maximum allowed (%d)", LIMIT_ARRAY_ELEMENTS);
    }
    SqlType elem = sql_type_mod(type_array_elem(array_type.id), array_type.typmod);
    Value *items = arena_alloc(arena, sizeof(Value) * ((size_t)count + 1));
    if (items == NULL) {
        return arena_error(arena, err);
    }
    for (int64_t k = 0; k < count; k++) {
        if (texts[k].is_null) {
            items[k] = value_null(elem);
            continue;
        }
        rc = value_parse_tz(elem, texts[k].text.ptr, texts[k].text.len, timezone, arena, &items[k],
                            err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return array_encode_dims(elem.id, items, count, ndims, dims, arena, out, err);
}

/* ---- text output ---- */

static bool needs_quotes(StrRef s)
{
    if (s.len == 0 || (s.len == 4 && strncasecmp(s.ptr, "null", 4) == 0)) {
        return true;
    }
    for (uint32_t k = 0; k < s.len; k++) {
        char c = s.ptr[k];
        if (c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || array_space(c)) {
            return true;
        }
    }
    return false;
}

int text_array_format(const StrRef *elements, const bool *is_null, int count, Arena *arena,
                      StrRef *out, Error *err)
{
    return text_array_format_dims(elements, is_null, count, 1, NULL, arena, out, err);
}

int text_array_format_dims(const StrRef *elements, const bool *is_null, int count, int ndims,
                           const uint32_t *dims, Arena *arena, StrRef *out, Error *err)
{
    if (ndims < 1 || count == 0) {
        ndims = 1;
    }
    /* block[d]: elements in one sub-array of depth d (block[0] = all) */
    uint64_t block[ARRAY_DIMS_MAX + 1];
    block[ndims] = 1;
    for (int d = ndims - 1; d >= 1; d--) {
        block[d] = block[d + 1] * dims[d];
    }
    size_t cap = 3 + 2 * (size_t)ndims;
    for (int k = 0; k < count; k++) {
        cap += 2 * (size_t)elements[k].len + 4 + 2 * (size_t)ndims;
    }
    char *buf = arena_alloc(arena, cap);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    size_t n = 0;
    for (int d = 0; d < ndims; d++) {
        buf[n++] = '{';
    }
    for (int k = 0; k < count; k++) {
        if (k > 0) {
            /* close and reopen the sub-arrays that end before element k */
            int closing = 0;
            for (int d = 1; d < ndims; d++) {
                closing += (uint64_t)k % block[d] == 0;
            }
            for (int c = 0; c < closing; c++) {
                buf[n++] = '}';
            }
            buf[n++] = ',';
            for (int c = 0; c < closing; c++) {
                buf[n++] = '{';
            }
        }
        if (is_null != NULL && is_null[k]) {
            memcpy(buf + n, "NULL", 4);
            n += 4;
            continue;
        }
        bool quote = needs_quotes(elements[k]);
        if (quote) {
            buf[n++] = '"';
        }
        for (uint32_t c = 0; c < elements[k].len; c++) {
            char ch = elements[k].ptr[c];
            if (quote && (ch == '"' || ch == '\\')) {
                buf[n++] = '\\';
            }
            buf[n++] = ch;
        }
        if (quote) {
            buf[n++] = '"';
        }
    }
    for (int d = 0; d < ndims; d++) {
        buf[n++] = '}';
    }
    buf[n] = '\0';
    out->ptr = buf;
    out->len = (uint32_t)n;
    return STRATA_OK;
}

int array_format(SqlType array_type, StrRef bytes, const char *timezone, Arena *arena, StrRef *out,
                 Error *err)
{
    Value *items;
    int count;
    int rc = array_decode(array_type, bytes, arena, &items, &count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    StrRef *texts = arena_alloc(arena, sizeof(StrRef) * ((size_t)count + 1));
    bool *nulls = arena_alloc(arena, (size_t)count + 1);
    if (texts == NULL || nulls == NULL) {
        return arena_error(arena, err);
    }
    for (int k = 0; k < count; k++) {
        nulls[k] = items[k].is_null;
        texts[k] = (StrRef){"", 0};
        if (!nulls[k] && (rc = value_format_tz(&items[k], timezone, arena, &texts[k], err)) !=
                             STRATA_OK) {
            return rc;
        }
    }
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(bytes, dims);
    return text_array_format_dims(texts, nulls, count, ndims, dims, arena, out, err);
}

/* ---- int2vector / oidvector ---- */

int vector_format(SqlType vector_type, StrRef bytes, Arena *arena, StrRef *out, Error *err)
{
    TypeId array = type_vector_array(vector_type.id);
    ST_ASSERT(array != TYPE_COUNT);
    ArrayReader reader;
    if (!array_reader_init(&reader, sql_type(array), bytes)) {
        return error_set(err, SQLSTATE_DATA_CORRUPTED, "damaged %s value",
                         type_id_name(vector_type.id));
    }
    /* at most 20 characters and a space per element */
    char *text = arena_alloc(arena, (size_t)array_count(bytes) * 21 + 1);
    if (text == NULL) {
        return arena_error(arena, err);
    }
    size_t length = 0;
    Value item;
    while (array_reader_next(&reader, &item)) {
        length += (size_t)sprintf(text + length, length > 0 ? " %lld" : "%lld",
                                  item.is_null ? 0LL : (long long)item.i64);
    }
    text[length] = '\0';
    *out = (StrRef){text, (uint32_t)length};
    return STRATA_OK;
}

int vector_parse(SqlType vector_type, const char *text, size_t length, Arena *arena, StrRef *out,
                 Error *err)
{
    TypeId array = type_vector_array(vector_type.id);
    ST_ASSERT(array != TYPE_COUNT);
    TypeId elem = type_array_elem(array);
    Value *items = arena_alloc(arena, sizeof(Value) * (length / 2 + 1));
    if (items == NULL) {
        return arena_error(arena, err);
    }
    int64_t count = 0;
    size_t pos = 0;
    while (pos < length) {
        if (isspace((unsigned char)text[pos])) {
            pos++;
            continue;
        }
        size_t start = pos;
        while (pos < length && !isspace((unsigned char)text[pos])) {
            pos++;
        }
        items[count] = value_null(sql_type(elem));
        items[count].is_null = false;
        int rc = int_parse(text + start, pos - start, elem, &items[count].i64, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        count++;
    }
    return array_encode(elem, items, count, arena, out, err);
}

/* ---- stacking ---- */

int array_accumulate(TypeId array_type, const Value *arrays, int64_t count, Arena *arena,
                     StrRef *out, Error *err)
{
    uint32_t dims[ARRAY_DIMS_MAX + 1], shape[ARRAY_DIMS_MAX];
    int ndims = 0;
    int64_t total = 0;
    for (int64_t i = 0; i < count; i++) {
        if (arrays[i].is_null) {
            return error_set(err, SQLSTATE_NULL_VALUE_NOT_ALLOWED, "cannot accumulate null arrays");
        }
        int n = array_shape(arrays[i].str, shape);
        if (n == 0 && i == 0) {
            return error_set(err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR, "cannot accumulate empty arrays");
        }
        if (i == 0) {
            ndims = n;
            memcpy(dims + 1, shape, sizeof(uint32_t) * (size_t)n);
        } else if (n != ndims || memcmp(dims + 1, shape, sizeof(uint32_t) * (size_t)n) != 0) {
            return error_set(err, SQLSTATE_ARRAY_SUBSCRIPT_ERROR,
                             "cannot accumulate arrays of different dimensionality");
        }
        total += array_count(arrays[i].str);
    }
    if (count == 0) {
        return array_encode(type_array_elem(array_type), NULL, 0, arena, out, err);
    }
    if (ndims + 1 > ARRAY_DIMS_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                         ndims + 1, ARRAY_DIMS_MAX);
    }
    if (total > LIMIT_ARRAY_ELEMENTS) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "array size exceeds the maximum allowed (%d)", LIMIT_ARRAY_ELEMENTS);
    }
    Value *items = arena_alloc(arena, sizeof(Value) * ((size_t)total + 1));
    if (items == NULL) {
        return arena_error(arena, err);
    }
    int64_t used = 0;
    for (int64_t i = 0; i < count; i++) {
        Value *part;
        int part_count;
        int rc = array_decode(sql_type(array_type), arrays[i].str, arena, &part, &part_count, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        memcpy(items + used, part, sizeof(Value) * (size_t)part_count);
        used += part_count;
    }
    dims[0] = (uint32_t)count;
    return array_encode_dims(type_array_elem(array_type), items, used, ndims + 1, dims, arena, out,
                             err);
}

/* ---- ordering and hashing ---- */

int array_compare(SqlType array_type, StrRef a, StrRef b)
{
    ArrayReader ra, rb;
    array_reader_init(&ra, array_type, a);
    array_reader_init(&rb, array_type, b);
    Value va, vb;
    for (;;) {
        bool has_a = array_reader_next(&ra, &va);
        bool has_b = array_reader_next(&rb, &vb);
        if (!has_a || !has_b) {
            break;
        }
        if (va.is_null || vb.is_null) {
            if (va.is_null && vb.is_null) {
                continue;
            }
            return va.is_null ? 1 : -1;
        }
        int c = value_compare(&va, &vb);
        if (c != 0) {
            return c;
        }
    }
    if (ra.is_corrupt || rb.is_corrupt) {
        /* A damaged value still gets a total order: by its bytes. */
        return compare_bytes(a.ptr, a.len, b.ptr, b.len);
    }
    if (ra.count != rb.count) {
        return ra.count < rb.count ? -1 : 1;
    }
    if (ra.ndims != rb.ndims) {
        return ra.ndims < rb.ndims ? -1 : 1;
    }
    for (int d = 0; d < ra.ndims; d++) {
        if (ra.dims[d] != rb.dims[d]) {
            return ra.dims[d] < rb.dims[d] ? -1 : 1;
        }
    }
    return 0;
}

uint64_t array_hash(SqlType array_type, StrRef bytes)
{
    ArrayReader reader;
    array_reader_init(&reader, array_type, bytes);
    uint64_t h = 0x41727261ULL + reader.count;
    for (int d = 0; reader.ndims > 1 && d < reader.ndims; d++) {
        h = hash_combine(h, reader.dims[d]);
    }
    Value v;
    while (array_reader_next(&reader, &v)) {
        h = hash_combine(h, value_hash(&v));
    }
    return h;
}

/* ---- element-wise conversions ---- */

int array_apply_typmod(Value *v, SqlType target, bool is_explicit, Arena *arena, Error *err)
{
    Value *items;
    int count;
    int rc = array_decode(v->type, v->str, arena, &items, &count, err);
    SqlType elem = sql_type_mod(type_array_elem(target.id), target.typmod);
    for (int k = 0; k < count && rc == STRATA_OK; k++) {
        items[k].type.id = elem.id;
        rc = value_apply_typmod(&items[k], elem, is_explicit, arena, err);
    }
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(v->str, dims);
    if (rc == STRATA_OK) {
        rc = array_encode_dims(elem.id, items, count, ndims, dims, arena, &v->str, err);
    }
    v->type = target;
    return rc;
}

int array_cast(const Value *in, SqlType target, int context, const char *timezone, Arena *arena,
               Value *out, Error *err)
{
    Value *items;
    int count;
    int rc = array_decode(in->type, in->str, arena, &items, &count, err);
    SqlType elem = sql_type_mod(type_array_elem(target.id), target.typmod);
    for (int k = 0; k < count && rc == STRATA_OK; k++) {
        Value converted;
        rc = value_cast_tz(&items[k], elem, (CastContext)context, timezone, arena, &converted, err);
        items[k] = converted;
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    uint32_t dims[ARRAY_DIMS_MAX];
    int ndims = array_shape(in->str, dims);
    memset(out, 0, sizeof *out);
    out->type = target;
    return array_encode_dims(elem.id, items, count, ndims, dims, arena, &out->str, err);
}
