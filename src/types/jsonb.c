/*
 * types/jsonb.c - jsonb text parsing, encoding, output and navigation (see
 * jsonb.h for the byte layout).
 *
 * Parsing builds a JNode tree in the arena (objects sorted and de-duplicated),
 * then jsonb_encode writes the binary form in one pass after computing sizes.
 * Numbers keep PostgreSQL's numeric text (1e2 -> 100, 1.50 stays 1.50), made
 * by shifting the decimal point on the digit string, so any precision survives.
 */
#include "types/jsonb.h"

#include <stdio.h>
#include <stdlib.h>

#include "types/jsonb_int.h"
#include "types/numeric.h"
#include "util/limits.h"

/* ---- encoding ---- */

static size_t encoded_size(const JNode *n)
{
    if (n->is_raw) {
        return n->bytes.len;
    }
    switch (n->kind) {
    case JSONB_NULL:
    case JSONB_FALSE:
    case JSONB_TRUE:
        return 1;
    case JSONB_NUMBER:
    case JSONB_STRING:
        return 5 + n->bytes.len;
    case JSONB_ARRAY: {
        size_t size = 5 + 4 * (size_t)n->count;
        for (int64_t i = 0; i < n->count; i++) {
            size += encoded_size(&n->items[i]);
        }
        return size;
    }
    case JSONB_OBJECT: {
        size_t size = 5 + 8 * (size_t)n->count;
        for (int64_t i = 0; i < n->count; i++) {
            size += n->keys[i].len + encoded_size(&n->items[i]);
        }
        return size;
    }
    }
    return 1;
}

static void write32(char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static size_t encode_into(const JNode *n, char *buf)
{
    if (n->is_raw) {
        memcpy(buf, n->bytes.ptr, n->bytes.len);
        return n->bytes.len;
    }
    buf[0] = (char)n->kind;
    switch (n->kind) {
    case JSONB_NULL:
    case JSONB_FALSE:
    case JSONB_TRUE:
        return 1;
    case JSONB_NUMBER:
    case JSONB_STRING:
        write32(buf + 1, n->bytes.len);
        memcpy(buf + 5, n->bytes.ptr, n->bytes.len);
        return 5 + n->bytes.len;
    case JSONB_ARRAY:
    case JSONB_OBJECT: {
        uint32_t entries = (uint32_t)(n->kind == JSONB_ARRAY ? n->count : 2 * n->count);
        write32(buf + 1, (uint32_t)n->count);
        char *ends = buf + 5;
        char *data = ends + 4 * (size_t)entries;
        uint32_t offset = 0, entry = 0;
        if (n->kind == JSONB_OBJECT) {
            for (int64_t i = 0; i < n->count; i++) {
                memcpy(data + offset, n->keys[i].ptr, n->keys[i].len);
                offset += n->keys[i].len;
                write32(ends + 4 * (size_t)entry++, offset);
            }
        }
        for (int64_t i = 0; i < n->count; i++) {
            offset += (uint32_t)encode_into(&n->items[i], data + offset);
            write32(ends + 4 * (size_t)entry++, offset);
        }
        return 5 + 4 * (size_t)entries + offset;
    }
    }
    return 1;
}

int jsonb_encode(const JNode *node, Arena *arena, StrRef *out, Error *err)
{
    size_t size = encoded_size(node);
    if (size > LIMIT_VALUE_BYTES) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "total size of jsonb value exceeds the maximum of %u bytes",
                         LIMIT_VALUE_BYTES);
    }
    char *buf = arena_alloc(arena, size);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    encode_into(node, buf);
    out->ptr = buf;
    out->len = (uint32_t)size;
    return STRATA_OK;
}

typedef struct KeyIndex {
    int64_t index;
    StrRef key;
} KeyIndex;

static int key_index_compare(const void *a, const void *b)
{
    const KeyIndex *x = a, *y = b;
    int c = jsonb_key_compare(x->key.ptr, x->key.len, y->key.ptr, y->key.len);
    if (c != 0) {
        return c;
    }
    return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

int jsonb_object_normalize(JNode *node, Arena *arena, Error *err)
{
    int64_t n = node->count;
    if (n <= 1) {
        return STRATA_OK;
    }
    KeyIndex *order = arena_alloc(arena, sizeof *order * (size_t)n);
    StrRef *keys = arena_alloc(arena, sizeof *keys * (size_t)n);
    JNode *items = arena_alloc(arena, sizeof *items * (size_t)n);
    if (order == NULL || keys == NULL || items == NULL) {
        return arena_error(arena, err);
    }
    for (int64_t i = 0; i < n; i++) {
        order[i].index = i;
        order[i].key = node->keys[i];
    }
    qsort(order, (size_t)n, sizeof *order, key_index_compare);
    int64_t kept = 0;
    for (int64_t i = 0; i < n; i++) {
        bool last_of_run =
            i + 1 == n || jsonb_key_compare(order[i].key.ptr, order[i].key.len,
                                            order[i + 1].key.ptr, order[i + 1].key.len) != 0;
        if (last_of_run) {
            keys[kept] = order[i].key;
            items[kept] = node->items[order[i].index];
            kept++;
        }
    }
    node->keys = keys;
    node->items = items;
    node->count = kept;
    return STRATA_OK;
}

/* ---- parsing ---- */

typedef struct Parser {
    const char *text;
    size_t pos, length;
    Arena *arena;
    Error *err;
    int depth;
    bool build; /* false: validate only (json type) */
} Parser;

static int json_error(Parser *p, const char *detail_format, const char *token, size_t token_length)
{
    error_set(p->err, SQLSTATE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json");
    if (token != NULL) {
        return error_detail(p->err, detail_format, (int)(token_length > 50 ? 50 : token_length),
                            token);
    }
    return error_detail(p->err, "%s", detail_format);
}

static void skip_ws(Parser *p)
{
    while (p->pos < p->length) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            break;
        }
        p->pos++;
    }
}

static int unexpected_end(Parser *p)
{
    return json_error(p, "The input string ended unexpectedly.", NULL, 0);
}

static bool token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80;
}

/* An invalid token from start: what the lexer consumed (up to stop) plus the
 * alphanumeric run after it, as PostgreSQL's lexer reports it. */
static int bad_token_from(Parser *p, size_t start, size_t stop)
{
    size_t end = stop;
    while (end < p->length && token_char(p->text[end])) {
        end++;
    }
    if (end == start) {
        end = start + 1;
    }
    return json_error(p, "Token \"%.*s\" is invalid.", p->text + start, end - start);
}

static int bad_token(Parser *p)
{
    return bad_token_from(p, p->pos, p->pos);
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

static size_t utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The character a one-letter escape (\n, \", ...) stands for. */
static bool simple_escape(char e, char *decoded)
{
    static const char FROM[] = "\"\\/bfnrt", TO[] = "\"\\/\b\f\n\r\t";
    const char *hit = e != '\0' ? strchr(FROM, e) : NULL;
    if (hit == NULL) {
        return false;
    }
    *decoded = TO[hit - FROM];
    return true;
}

/* \uXXXX at text[*i] (the 'u'), with a following low surrogate when XXXX is a
 * high one; advances *i to the last consumed character. */
static int unicode_escape(Parser *p, size_t *i, size_t end, uint32_t *out)
{
    int cp = *i + 4 < end ? hex4(p->text + *i + 1) : -1;
    if (cp < 0) {
        error_set(p->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                  "invalid input syntax for type json");
        return error_detail(p->err, "\"\\u\" must be followed by four hexadecimal digits.");
    }
    *i += 4;
    uint32_t code = (uint32_t)cp;
    if (code >= 0xD800 && code <= 0xDBFF) {
        size_t k = *i;
        int low = (k + 6 < end && p->text[k + 1] == '\\' && p->text[k + 2] == 'u')
                      ? hex4(p->text + k + 3)
                      : -1;
        if (low < 0xDC00 || low > 0xDFFF) {
            error_set(p->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type json");
            return error_detail(p->err,
                                low >= 0xD800 && low <= 0xDBFF
                                    ? "Unicode high surrogate must not follow a high surrogate."
                                    : "Unicode low surrogate must follow a high surrogate.");
        }
        code = 0x10000 + ((code - 0xD800) << 10) + ((uint32_t)low - 0xDC00);
        *i += 6;
    } else if (code >= 0xDC00 && code <= 0xDFFF) {
        error_set(p->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                  "invalid input syntax for type json");
        return error_detail(p->err, "Unicode low surrogate must follow a high surrogate.");
    }
    if (code == 0 && p->build) {
        error_set(p->err, SQLSTATE_UNTRANSLATABLE_CHARACTER, "unsupported Unicode escape sequence");
        return error_detail(p->err, "\\u0000 cannot be converted to text.");
    }
    *out = code;
    return STRATA_OK;
}

/* Parses a string at p->pos (on the opening quote) into out (unescaped). */
static int parse_string(Parser *p, StrRef *out)
{
    p->pos++;
    size_t start = p->pos;
    bool has_escape = false;
    while (p->pos < p->length && p->text[p->pos] != '"') {
        unsigned char c = (unsigned char)p->text[p->pos];
        if (c < 0x20) {
            error_set(p->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type json");
            return error_detail(p->err, "Character with value 0x%02x must be escaped.", c);
        }
        if (c == '\\') {
            has_escape = true;
            p->pos++;
            if (p->pos >= p->length) {
                return unexpected_end(p);
            }
        }
        p->pos++;
    }
    if (p->pos >= p->length) {
        return json_error(p, "Token \"%.*s\" is invalid.", p->text + start - 1,
                          p->length - start + 1);
    }
    size_t end = p->pos;
    p->pos++;
    if (!has_escape) {
        out->ptr = p->text + start;
        out->len = (uint32_t)(end - start);
        return STRATA_OK;
    }
    char *buf = p->build ? arena_alloc(p->arena, end - start + 1) : NULL;
    if (p->build && buf == NULL) {
        return arena_error(p->arena, p->err);
    }
    char scratch[4];
    size_t length = 0;
    for (size_t i = start; i < end; i++) {
        char c = p->text[i];
        if (c != '\\') {
            if (buf) {
                buf[length] = c;
            }
            length++;
            continue;
        }
        char e = p->text[++i];
        char decoded;
        if (e == 'u') {
            uint32_t code = 0;
            int rc = unicode_escape(p, &i, end, &code);
            if (rc != STRATA_OK) {
                return rc;
            }
            length += utf8_put(buf ? buf + length : scratch, code);
            continue;
        }
        if (!simple_escape(e, &decoded)) {
            error_set(p->err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type json");
            return error_detail(p->err, "Escape sequence \"\\%c\" is invalid.", e);
        }
        if (buf) {
            buf[length] = decoded;
        }
        length++;
    }
    out->ptr = buf;
    out->len = (uint32_t)length;
    return STRATA_OK;
}

/* Canonical numeric text of a JSON number token: PostgreSQL's numeric_in
 * followed by numeric_out, done on the digit string. */
static int canonical_number(Parser *p, const char *s, size_t n, StrRef *out)
{
    size_t i = 0;
    bool negative = false;
    if (s[i] == '-') {
        negative = true;
        i++;
    }
    char *digits = arena_alloc(p->arena, n + 1);
    if (digits == NULL) {
        return arena_error(p->arena, p->err);
    }
    size_t count = 0;
    int64_t frac = 0;
    bool point = false;
    for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') {
            point = true;
            continue;
        }
        if (count == 0 && s[i] == '0') {
            if (point) {
                frac++;
            }
            continue;
        }
        digits[count++] = s[i];
        if (point) {
            frac++;
        }
    }
    /* The token is not NUL-terminated: read the exponent within its n bytes. */
    int64_t exponent = 0;
    if (i < n) {
        size_t k = i + 1;
        bool exponent_negative = false;
        if (k < n && (s[k] == '+' || s[k] == '-')) {
            exponent_negative = s[k] == '-';
            k++;
        }
        for (; k < n && s[k] >= '0' && s[k] <= '9'; k++) {
            if (exponent < 10000000) {
                exponent = exponent * 10 + (s[k] - '0');
            }
        }
        if (exponent_negative) {
            exponent = -exponent;
        }
    }
    if (exponent > 100000 || exponent < -100000) {
        return error_set(p->err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                         "value overflows numeric format");
    }
    int64_t scale = frac - exponent;
    if (scale < 0) {
        scale = 0;
    }
    /* value = digits * 10^(exponent - frac); shown with `scale` fraction digits */
    int64_t point_shift = exponent - frac; /* zeros to append if >= 0 */
    size_t cap = count + (size_t)(point_shift > 0 ? point_shift : 0) + (size_t)scale + 4;
    char *text = arena_alloc(p->arena, cap);
    if (text == NULL) {
        return arena_error(p->arena, p->err);
    }
    if (count == 0) {
        /* zero: "0" with its scale (0E6 -> 0, 0.00e1 -> 0.0) */
        size_t length = 0;
        text[length++] = '0';
        if (scale > 0) {
            text[length++] = '.';
            for (int64_t k = 0; k < scale; k++) {
                text[length++] = '0';
            }
        }
        out->ptr = text;
        out->len = (uint32_t)length;
        return STRATA_OK;
    }
    /* Build the full digit string of value * 10^scale. */
    int64_t total = (int64_t)count + point_shift + scale; /* digits of value*10^scale */
    char *all = arena_alloc(p->arena, (size_t)(total > 0 ? total : 0) + 1);
    if (all == NULL) {
        return arena_error(p->arena, p->err);
    }
    for (int64_t k = 0; k < total; k++) {
        all[k] = k < (int64_t)count ? digits[k] : '0';
    }
    size_t length = 0;
    bool is_zero = count == 0;
    if (negative && !is_zero) {
        text[length++] = '-';
    }
    int64_t int_digits = total - scale;
    if (int_digits <= 0) {
        text[length++] = '0';
    } else {
        memcpy(text + length, all, (size_t)int_digits);
        length += (size_t)int_digits;
    }
    if (scale > 0) {
        text[length++] = '.';
        for (int64_t k = 0; k < scale; k++) {
            int64_t index = int_digits + k;
            text[length++] = (index >= 0 && index < total) ? all[index] : '0';
        }
    }
    out->ptr = text;
    out->len = (uint32_t)length;
    return STRATA_OK;
}

static int parse_value(Parser *p, JNode *out);

static int parse_number(Parser *p, JNode *out)
{
    size_t start = p->pos;
    const char *s = p->text;
    size_t i = p->pos;
    if (i < p->length && s[i] == '-') {
        i++;
    }
    if (i >= p->length || s[i] < '0' || s[i] > '9') {
        return bad_token_from(p, start, i);
    }
    if (s[i] == '0') {
        i++;
    } else {
        while (i < p->length && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    if (i < p->length && s[i] == '.') {
        i++;
        if (i >= p->length || s[i] < '0' || s[i] > '9') {
            return bad_token_from(p, start, i);
        }
        while (i < p->length && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    if (i < p->length && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->length && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if (i >= p->length || s[i] < '0' || s[i] > '9') {
            return bad_token_from(p, start, i);
        }
        while (i < p->length && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    if (i < p->length && token_char(s[i])) {
        return bad_token_from(p, start, i);
    }
    p->pos = i;
    out->kind = JSONB_NUMBER;
    if (!p->build) {
        return STRATA_OK;
    }
    return canonical_number(p, s + start, i - start, &out->bytes);
}

typedef struct Growable {
    JNode *items;
    StrRef *keys;
    int64_t count, cap;
} Growable;

static int grow(Parser *p, Growable *g, bool with_keys)
{
    if (!p->build) {
        g->count++;
        return STRATA_OK;
    }
    if (g->count == g->cap) {
        int64_t cap = g->cap == 0 ? 8 : g->cap * 2;
        JNode *items = arena_realloc(p->arena, g->items, sizeof(JNode) * (size_t)g->cap,
                                     sizeof(JNode) * (size_t)cap);
        StrRef *keys = with_keys ? arena_realloc(p->arena, g->keys, sizeof(StrRef) * (size_t)g->cap,
                                                 sizeof(StrRef) * (size_t)cap)
                                 : NULL;
        if (items == NULL || (with_keys && keys == NULL)) {
            return arena_error(p->arena, p->err);
        }
        g->items = items;
        g->keys = keys;
        g->cap = cap;
    }
    g->count++;
    return STRATA_OK;
}

static int parse_array(Parser *p, JNode *out)
{
    p->pos++;
    Growable g = {0};
    JNode scratch;
    skip_ws(p);
    if (p->pos < p->length && p->text[p->pos] == ']') {
        p->pos++;
    } else {
        for (;;) {
            int rc = grow(p, &g, false);
            if (rc != STRATA_OK) {
                return rc;
            }
            rc = parse_value(p, p->build ? &g.items[g.count - 1] : &scratch);
            if (rc != STRATA_OK) {
                return rc;
            }
            skip_ws(p);
            if (p->pos >= p->length) {
                return unexpected_end(p);
            }
            char c = p->text[p->pos];
            if (c == ',') {
                p->pos++;
                continue;
            }
            if (c == ']') {
                p->pos++;
                break;
            }
            return json_error(p, "Expected \",\" or \"]\", but found \"%.*s\".", p->text + p->pos,
                              1);
        }
    }
    memset(out, 0, sizeof *out);
    out->kind = JSONB_ARRAY;
    out->count = g.count;
    out->items = g.items;
    return STRATA_OK;
}

static int parse_object(Parser *p, JNode *out)
{
    p->pos++;
    Growable g = {0};
    JNode scratch;
    StrRef scratch_key;
    skip_ws(p);
    if (p->pos < p->length && p->text[p->pos] == '}') {
        p->pos++;
    } else {
        for (;;) {
            skip_ws(p);
            if (p->pos >= p->length) {
                return unexpected_end(p);
            }
            if (p->text[p->pos] != '"') {
                if (p->text[p->pos] == '}') {
                    return json_error(p, "Expected string, but found \"%.*s\".", p->text + p->pos,
                                      1);
                }
                return json_error(p, "Expected string or \"}\", but found \"%.*s\".",
                                  p->text + p->pos, 1);
            }
            int rc = grow(p, &g, true);
            if (rc != STRATA_OK) {
                return rc;
            }
            rc = parse_string(p, p->build ? &g.keys[g.count - 1] : &scratch_key);
            if (rc != STRATA_OK) {
                return rc;
            }
            skip_ws(p);
            if (p->pos >= p->length) {
                return unexpected_end(p);
            }
            if (p->text[p->pos] != ':') {
                size_t start = p->pos;
                size_t end = start + 1;
                while (end < p->length && p->text[end] != ' ' && p->text[end] != ',' &&
                       p->text[end] != '}') {
                    end++;
                }
                return json_error(p, "Expected \":\", but found \"%.*s\".", p->text + start,
                                  end - start);
            }
            p->pos++;
            rc = parse_value(p, p->build ? &g.items[g.count - 1] : &scratch);
            if (rc != STRATA_OK) {
                return rc;
            }
            skip_ws(p);
            if (p->pos >= p->length) {
                return unexpected_end(p);
            }
            char c = p->text[p->pos];
            if (c == ',') {
                p->pos++;
                continue;
            }
            if (c == '}') {
                p->pos++;
                break;
            }
            return json_error(p, "Expected \",\" or \"}\", but found \"%.*s\".", p->text + p->pos,
                              1);
        }
    }
    memset(out, 0, sizeof *out);
    out->kind = JSONB_OBJECT;
    out->count = g.count;
    out->keys = g.keys;
    out->items = g.items;
    return p->build ? jsonb_object_normalize(out, p->arena, p->err) : STRATA_OK;
}

static bool literal(Parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->pos + n > p->length || memcmp(p->text + p->pos, word, n) != 0) {
        return false;
    }
    size_t end = p->pos + n;
    if (end < p->length && ((p->text[end] >= 'a' && p->text[end] <= 'z') ||
                            (p->text[end] >= 'A' && p->text[end] <= 'Z') ||
                            (p->text[end] >= '0' && p->text[end] <= '9'))) {
        return false;
    }
    p->pos = end;
    return true;
}

static int parse_value(Parser *p, JNode *out)
{
    memset(out, 0, sizeof *out);
    skip_ws(p);
    if (p->pos >= p->length) {
        return unexpected_end(p);
    }
    if (++p->depth > JSONB_DEPTH_MAX) {
        return error_set(p->err, SQLSTATE_STATEMENT_TOO_COMPLEX,
                         "json nesting too deep (more than %d levels)", JSONB_DEPTH_MAX);
    }
    int rc = STRATA_OK;
    char c = p->text[p->pos];
    if (c == '{') {
        rc = parse_object(p, out);
    } else if (c == '[') {
        rc = parse_array(p, out);
    } else if (c == '"') {
        out->kind = JSONB_STRING;
        rc = parse_string(p, &out->bytes);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        rc = parse_number(p, out);
    } else if (literal(p, "true")) {
        out->kind = JSONB_TRUE;
    } else if (literal(p, "false")) {
        out->kind = JSONB_FALSE;
    } else if (literal(p, "null")) {
        out->kind = JSONB_NULL;
    } else if (c == ']' || c == '}' || c == ',' || c == ':') {
        rc = json_error(p, "Expected JSON value, but found \"%.*s\".", p->text + p->pos, 1);
    } else {
        rc = bad_token(p);
    }
    p->depth--;
    return rc;
}

static int parse_document(const char *text, size_t length, bool build, Arena *arena, JNode *root,
                          Error *err)
{
    Parser p = {text, 0, length, arena, err, 0, build};
    int rc = parse_value(&p, root);
    if (rc != STRATA_OK) {
        return rc;
    }
    skip_ws(&p);
    if (p.pos < p.length) {
        char c = text[p.pos];
        bool starts_token = c == '{' || c == '[' || c == ']' || c == '}' || c == ',' || c == ':' ||
                            c == '"' || c == '-' || (c >= '0' && c <= '9');
        size_t saved = p.pos;
        if (!starts_token &&
            !(literal(&p, "true") || literal(&p, "false") || literal(&p, "null"))) {
            return bad_token(&p);
        }
        size_t end = saved + 1;
        while (end < length && token_char(text[saved]) && token_char(text[end])) {
            end++;
        }
        p.pos = saved;
        return json_error(&p, "Expected end of input, but found \"%.*s\".", text + saved,
                          end - saved);
    }
    return STRATA_OK;
}

int jsonb_parse(const char *text, size_t length, Arena *arena, StrRef *out, Error *err)
{
    JNode root;
    int rc = parse_document(text, length, true, arena, &root, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return jsonb_encode(&root, arena, out, err);
}

int json_validate(const char *text, size_t length, Error *err)
{
    JNode root;
    return parse_document(text, length, false, NULL, &root, err);
}

/* ---- output ---- */

typedef struct Buffer {
    Arena *arena;
    char *data;
    size_t length, cap;
    bool failed;
} Buffer;

static void buf_put(Buffer *b, const char *s, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->length + n + 1 > b->cap) {
        size_t cap = b->cap == 0 ? 64 : b->cap;
        while (cap < b->length + n + 1) {
            cap *= 2;
        }
        char *data = arena_realloc(b->arena, b->data, b->cap, cap);
        if (data == NULL) {
            b->failed = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->length, s, n);
    b->length += n;
}

static void buf_puts(Buffer *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

/* The escape JSON output needs for byte c (PostgreSQL's: the two-character
 * forms where JSON has one, \u00XX for other control characters), or NULL
 * when c stands for itself. tmp holds a \u escape. */
const char *json_char_escape(unsigned char c, char tmp[8])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        if (c < 0x20) {
            snprintf(tmp, 8, "\\u%04x", c);
            return tmp;
        }
        return NULL;
    }
}

static void put_escaped(Buffer *b, const char *s, size_t n)
{
    buf_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        const char *esc = json_char_escape(c, tmp);
        if (esc != NULL) {
            buf_put(b, s + run, i - run);
            buf_puts(b, esc);
            run = i + 1;
        }
    }
    buf_put(b, s + run, n - run);
    buf_put(b, "\"", 1);
}

static void indent(Buffer *b, int level)
{
    buf_put(b, "\n", 1);
    for (int i = 0; i < level; i++) {
        buf_put(b, "    ", 4);
    }
}

static void format_value(Buffer *b, StrRef v, bool pretty, int level)
{
    switch ((JsonbKind)(uint8_t)v.ptr[0]) {
    case JSONB_NULL:
        buf_puts(b, "null");
        return;
    case JSONB_FALSE:
        buf_puts(b, "false");
        return;
    case JSONB_TRUE:
        buf_puts(b, "true");
        return;
    case JSONB_NUMBER:
        buf_put(b, v.ptr + 5, jsonb_read32(v.ptr + 1));
        return;
    case JSONB_STRING:
        put_escaped(b, v.ptr + 5, jsonb_read32(v.ptr + 1));
        return;
    case JSONB_ARRAY: {
        uint32_t n = jsonb_container_count(v);
        buf_put(b, "[", 1);
        for (uint32_t i = 0; i < n; i++) {
            if (i > 0) {
                buf_put(b, pretty ? "," : ", ", pretty ? 1 : 2);
            }
            if (pretty) {
                indent(b, level + 1);
            }
            format_value(b, jsonb_item(v, n, i), pretty, level + 1);
        }
        if (pretty) {
            indent(b, level);
        }
        buf_put(b, "]", 1);
        return;
    }
    case JSONB_OBJECT: {
        uint32_t n = jsonb_container_count(v);
        buf_put(b, "{", 1);
        for (uint32_t i = 0; i < n; i++) {
            if (i > 0) {
                buf_put(b, pretty ? "," : ", ", pretty ? 1 : 2);
            }
            if (pretty) {
                indent(b, level + 1);
            }
            StrRef key = jsonb_item(v, 2 * n, i);
            put_escaped(b, key.ptr, key.len);
            buf_put(b, ": ", 2);
            format_value(b, jsonb_item(v, 2 * n, n + i), pretty, level + 1);
        }
        if (pretty) {
            indent(b, level);
        }
        buf_put(b, "}", 1);
        return;
    }
    }
}

static int format_common(StrRef jsonb, bool pretty, Arena *arena, StrRef *out, Error *err)
{
    int rc = jsonb_validate(jsonb, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Buffer b = {arena, NULL, 0, 0, false};
    format_value(&b, jsonb, pretty, 0);
    buf_put(&b, "", 0);
    if (b.failed || b.data == NULL) {
        return arena_error(arena, err);
    }
    b.data[b.length] = '\0';
    out->ptr = b.data;
    out->len = (uint32_t)b.length;
    return STRATA_OK;
}

int jsonb_format(StrRef jsonb, Arena *arena, StrRef *out, Error *err)
{
    return format_common(jsonb, false, arena, out, err);
}

int jsonb_format_pretty(StrRef jsonb, Arena *arena, StrRef *out, Error *err)
{
    return format_common(jsonb, true, arena, out, err);
}

/* ---- validation of encodings from outside ---- */

static bool validate_value(StrRef v, int depth)
{
    if (v.len < 1 || depth > JSONB_DEPTH_MAX) {
        return false;
    }
    uint8_t tag = (uint8_t)v.ptr[0];
    switch (tag) {
    case JSONB_NULL:
    case JSONB_FALSE:
    case JSONB_TRUE:
        return v.len == 1;
    case JSONB_NUMBER:
    case JSONB_STRING:
        return v.len >= 5 && jsonb_read32(v.ptr + 1) == v.len - 5;
    case JSONB_ARRAY:
    case JSONB_OBJECT: {
        if (v.len < 5) {
            return false;
        }
        uint64_t n = jsonb_read32(v.ptr + 1);
        uint64_t entries = tag == JSONB_ARRAY ? n : 2 * n;
        if (5 + 4 * entries > v.len) {
            return false;
        }
        uint64_t data_length = v.len - 5 - 4 * entries;
        uint32_t previous = 0;
        for (uint64_t i = 0; i < entries; i++) {
            uint32_t end = jsonb_read32(v.ptr + 5 + 4 * i);
            if (end < previous || end > data_length) {
                return false;
            }
            previous = end;
        }
        if (previous != data_length) {
            return false;
        }
        uint64_t first_value = tag == JSONB_ARRAY ? 0 : n;
        for (uint64_t i = first_value; i < entries; i++) {
            if (!validate_value(jsonb_item(v, (uint32_t)entries, (uint32_t)i), depth + 1)) {
                return false;
            }
        }
        return true;
    }
    default:
        return false;
    }
}

int jsonb_validate(StrRef jsonb, Error *err)
{
    if (!validate_value(jsonb, 0)) {
        return error_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION, "invalid jsonb encoding");
    }
    return STRATA_OK;
}

/* ---- navigation ---- */

JsonbKind jsonb_kind(StrRef jsonb)
{
    return (JsonbKind)(uint8_t)jsonb.ptr[0];
}

const char *jsonb_typeof_name(StrRef jsonb)
{
    switch (jsonb_kind(jsonb)) {
    case JSONB_NULL:
        return "null";
    case JSONB_FALSE:
    case JSONB_TRUE:
        return "boolean";
    case JSONB_NUMBER:
        return "number";
    case JSONB_STRING:
        return "string";
    case JSONB_ARRAY:
        return "array";
    case JSONB_OBJECT:
        return "object";
    }
    return "unknown";
}

int64_t jsonb_length(StrRef jsonb)
{
    JsonbKind kind = jsonb_kind(jsonb);
    if (kind != JSONB_ARRAY && kind != JSONB_OBJECT) {
        return -1;
    }
    return jsonb_container_count(jsonb);
}

bool jsonb_object_get(StrRef jsonb, const char *key, size_t key_length, StrRef *out)
{
    if (jsonb_kind(jsonb) != JSONB_OBJECT) {
        return false;
    }
    uint32_t n = jsonb_container_count(jsonb);
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        StrRef k = jsonb_item(jsonb, 2 * n, mid);
        int c = jsonb_key_compare(k.ptr, k.len, key, key_length);
        if (c == 0) {
            *out = jsonb_item(jsonb, 2 * n, n + mid);
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

bool jsonb_array_get(StrRef jsonb, int64_t index, StrRef *out)
{
    if (jsonb_kind(jsonb) != JSONB_ARRAY) {
        return false;
    }
    int64_t n = jsonb_container_count(jsonb);
    if (index < 0) {
        index += n;
    }
    if (index < 0 || index >= n) {
        return false;
    }
    *out = jsonb_item(jsonb, (uint32_t)n, (uint32_t)index);
    return true;
}

static bool parse_index(StrRef s, int64_t *out)
{
    if (s.len == 0 || s.len > 18) {
        return false;
    }
    size_t i = 0;
    bool negative = false;
    if (s.ptr[0] == '-') {
        negative = true;
        i = 1;
        if (s.len == 1) {
            return false;
        }
    }
    int64_t v = 0;
    for (; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9') {
            return false;
        }
        v = v * 10 + (s.ptr[i] - '0');
    }
    *out = negative ? -v : v;
    return true;
}

bool jsonb_path_get(StrRef jsonb, const StrRef *path, int path_count, StrRef *out)
{
    StrRef current = jsonb;
    for (int i = 0; i < path_count; i++) {
        JsonbKind kind = jsonb_kind(current);
        if (kind == JSONB_OBJECT) {
            if (!jsonb_object_get(current, path[i].ptr, path[i].len, &current)) {
                return false;
            }
        } else if (kind == JSONB_ARRAY) {
            int64_t index;
            if (!parse_index(path[i], &index) || !jsonb_array_get(current, index, &current)) {
                return false;
            }
        } else {
            return false;
        }
    }
    *out = current;
    return true;
}

StrRef jsonb_object_key_at(StrRef jsonb, int64_t index)
{
    uint32_t n = jsonb_container_count(jsonb);
    StrRef k = jsonb_item(jsonb, 2 * n, (uint32_t)index);
    return k;
}

StrRef jsonb_object_value_at(StrRef jsonb, int64_t index)
{
    uint32_t n = jsonb_container_count(jsonb);
    return jsonb_item(jsonb, 2 * n, n + (uint32_t)index);
}

int jsonb_to_text(StrRef jsonb, Arena *arena, StrRef *out, bool *is_null, Error *err)
{
    *is_null = false;
    switch (jsonb_kind(jsonb)) {
    case JSONB_NULL:
        *is_null = true;
        out->ptr = "";
        out->len = 0;
        return STRATA_OK;
    case JSONB_STRING:
    case JSONB_NUMBER:
        out->ptr = jsonb.ptr + 5;
        out->len = jsonb_read32(jsonb.ptr + 1);
        return STRATA_OK;
    default:
        return jsonb_format(jsonb, arena, out, err);
    }
}

/* ---- scalars ---- */

int jsonb_make_string(const char *bytes, size_t length, Arena *arena, StrRef *out, Error *err)
{
    JNode n;
    memset(&n, 0, sizeof n);
    n.kind = JSONB_STRING;
    n.bytes.ptr = bytes;
    n.bytes.len = (uint32_t)length;
    return jsonb_encode(&n, arena, out, err);
}

int jsonb_make_number_text(const char *numeric_text, size_t length, Arena *arena, StrRef *out,
                           Error *err)
{
    JNode n;
    memset(&n, 0, sizeof n);
    n.kind = JSONB_NUMBER;
    n.bytes.ptr = numeric_text;
    n.bytes.len = (uint32_t)length;
    return jsonb_encode(&n, arena, out, err);
}

StrRef jsonb_make_null(void)
{
    static const char NULL_ENCODING[1] = {JSONB_NULL};
    StrRef r = {NULL_ENCODING, 1};
    return r;
}

StrRef jsonb_make_bool(bool b)
{
    static const char TRUE_ENCODING[1] = {JSONB_TRUE};
    static const char FALSE_ENCODING[1] = {JSONB_FALSE};
    StrRef r = {b ? TRUE_ENCODING : FALSE_ENCODING, 1};
    return r;
}

int jsonb_build_array_from(const StrRef *elements, int count, Arena *arena, StrRef *out, Error *err)
{
    JNode n;
    memset(&n, 0, sizeof n);
    n.kind = JSONB_ARRAY;
    n.count = count;
    n.items = arena_alloc(arena, sizeof(JNode) * (size_t)(count > 0 ? count : 1));
    if (n.items == NULL) {
        return arena_error(arena, err);
    }
    for (int i = 0; i < count; i++) {
        n.items[i] = jsonb_raw_node(elements[i]);
    }
    return jsonb_encode(&n, arena, out, err);
}

int jsonb_build_object_from(const StrRef *keys, const StrRef *values, int count, Arena *arena,
                            StrRef *out, Error *err)
{
    JNode n;
    memset(&n, 0, sizeof n);
    n.kind = JSONB_OBJECT;
    n.count = count;
    n.items = arena_alloc(arena, sizeof(JNode) * (size_t)(count > 0 ? count : 1));
    n.keys = arena_alloc(arena, sizeof(StrRef) * (size_t)(count > 0 ? count : 1));
    if (n.items == NULL || n.keys == NULL) {
        return arena_error(arena, err);
    }
    for (int i = 0; i < count; i++) {
        n.items[i] = jsonb_raw_node(values[i]);
        n.keys[i] = keys[i];
    }
    int rc = jsonb_object_normalize(&n, arena, err);
    return rc != STRATA_OK ? rc : jsonb_encode(&n, arena, out, err);
}
