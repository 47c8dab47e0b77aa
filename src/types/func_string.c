/*
 * types/func_string.c - string functions (length, lower/upper/initcap,
 * substr, position, replace, trim, pad, left/right, repeat, reverse,
 * split_part, concat, concat_ws, format, md5, ascii, chr, starts_with,
 * translate, regexp_replace, regexp_match, quote_*, to_hex, encode/decode).
 *
 * Strings are UTF-8; positions and lengths count characters. Case mapping is
 * ASCII only, which is what PostgreSQL does under the C collation strata uses.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "types/array.h"
#include "types/enumtype.h"
#include "types/func_int.h"
#include "types/jsonb.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

static bool is_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Byte offset of character index `chars` (clamped to the end). */
static size_t char_offset(StrRef s, int64_t chars)
{
    size_t i = 0;
    int64_t seen = 0;
    while (i < s.len && seen < chars) {
        i++;
        while (i < s.len && is_continuation(s.ptr[i])) {
            i++;
        }
        seen++;
    }
    return i;
}

static int64_t char_count(StrRef s)
{
    return utf8_char_count(s.ptr, s.len);
}

static char *alloc_text(FuncContext *ctx, size_t n)
{
    return arena_alloc(ctx->arena, n + 1);
}

FN(length_fn)
{
    result_int(result, TYPE_INT4, char_count(args[0].str));
    return STRATA_OK;
}

FN(length_bpchar)
{
    StrRef s = args[0].str;
    while (s.len > 0 && s.ptr[s.len - 1] == ' ') {
        s.len--;
    }
    result_int(result, TYPE_INT4, char_count(s));
    return STRATA_OK;
}

FN(octet_length_fn)
{
    result_int(result, TYPE_INT4, args[0].str.len);
    return STRATA_OK;
}
FN(bit_length_fn)
{
    result_int(result, TYPE_INT4, (int64_t)args[0].str.len * 8);
    return STRATA_OK;
}

static int map_case(const Value *args, Value *result, FuncContext *ctx, Error *err, int mode)
{
    StrRef s = args[0].str;
    char *buf = alloc_text(ctx, s.len);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    bool word_start = true;
    for (uint32_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     ((unsigned char)c >= 0x80);
        bool upper = mode == 1 || (mode == 2 && word_start);
        if (upper && c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        } else if (!upper && c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        buf[i] = c;
        word_start = !alnum;
    }
    buf[s.len] = '\0';
    result_text(result, buf, s.len);
    return STRATA_OK;
}

FN(lower_fn)
{
    return map_case(args, result, ctx, err, 0);
}
FN(upper_fn)
{
    return map_case(args, result, ctx, err, 1);
}
FN(initcap_fn)
{
    return map_case(args, result, ctx, err, 2);
}

/* substr(s, start[, count]) with SQL semantics: positions before 1 eat into count. */
static int substr_common(StrRef s, int64_t start, bool has_count, int64_t count, Value *result,
                         Error *err)
{
    if (has_count && count < 0) {
        return error_set(err, "22011", "negative substring length not allowed");
    }
    int64_t end = has_count ? start + count : INT64_MAX; /* exclusive, 1-based */
    if (has_count && __builtin_add_overflow(start, count, &end)) {
        end = INT64_MAX;
    }
    if (start < 1) {
        start = 1;
    }
    if (end <= start) {
        result_text(result, "", 0);
        return STRATA_OK;
    }
    size_t from = char_offset(s, start - 1);
    size_t to =
        end == INT64_MAX
            ? s.len
            : from + char_offset((StrRef){s.ptr + from, s.len - (uint32_t)from}, end - start);
    result_text(result, s.ptr + from, to - from);
    return STRATA_OK;
}

FN(substr2)
{
    return substr_common(args[0].str, args[1].i64, false, 0, result, err);
}
FN(substr3)
{
    return substr_common(args[0].str, args[1].i64, true, args[2].i64, result, err);
}

FN(bytea_substr3)
{
    int rc = substr_common(args[0].str, args[1].i64, true, args[2].i64, result, err);
    result->type = sql_type(TYPE_BYTEA);
    return rc;
}

static int64_t find(StrRef hay, StrRef needle)
{
    if (needle.len == 0) {
        return 1;
    }
    for (uint32_t i = 0; i + needle.len <= hay.len; i++) {
        if (memcmp(hay.ptr + i, needle.ptr, needle.len) == 0) {
            return utf8_char_count(hay.ptr, i) + 1;
        }
    }
    return 0;
}

FN(strpos_fn)
{
    result_int(result, TYPE_INT4, find(args[0].str, args[1].str));
    return STRATA_OK;
}

FN(replace_fn)
{
    StrRef s = args[0].str, from = args[1].str, to = args[2].str;
    if (from.len == 0) {
        *result = args[0];
        result->type = sql_type(TYPE_TEXT);
        return STRATA_OK;
    }
    size_t matches = 0;
    for (uint32_t i = 0; i + from.len <= s.len;) {
        if (memcmp(s.ptr + i, from.ptr, from.len) == 0) {
            matches++;
            i += from.len;
        } else {
            i++;
        }
    }
    size_t n = s.len + matches * to.len - matches * from.len;
    char *buf = alloc_text(ctx, n);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    size_t out = 0;
    for (uint32_t i = 0; i < s.len;) {
        if (i + from.len <= s.len && memcmp(s.ptr + i, from.ptr, from.len) == 0) {
            memcpy(buf + out, to.ptr, to.len);
            out += to.len;
            i += from.len;
        } else {
            buf[out++] = s.ptr[i++];
        }
    }
    buf[out] = '\0';
    result_text(result, buf, out);
    return STRATA_OK;
}

/* Is the character at s[i..] one of the characters of set? Returns its length or 0. */
static size_t in_set(StrRef s, size_t i, StrRef set)
{
    size_t n = 1;
    while (i + n < s.len && is_continuation(s.ptr[i + n])) {
        n++;
    }
    for (uint32_t k = 0; k < set.len;) {
        size_t m = 1;
        while (k + m < set.len && is_continuation(set.ptr[k + m])) {
            m++;
        }
        if (m == n && memcmp(set.ptr + k, s.ptr + i, n) == 0) {
            return n;
        }
        k += (uint32_t)m;
    }
    return 0;
}

static int trim_common(const Value *args, int arg_count, Value *result, bool left, bool right)
{
    StrRef s = args[0].str;
    StrRef set = arg_count > 1 ? args[1].str : (StrRef){" ", 1};
    size_t start = 0, end = s.len;
    if (left) {
        size_t n;
        while (start < end && (n = in_set(s, start, set)) > 0) {
            start += n;
        }
    }
    if (right) {
        while (end > start) {
            size_t k = end - 1;
            while (k > start && is_continuation(s.ptr[k])) {
                k--;
            }
            if (in_set(s, k, set) == 0) {
                break;
            }
            end = k;
        }
    }
    result_text(result, s.ptr + start, end - start);
    return STRATA_OK;
}

FN(btrim_fn)
{
    return trim_common(args, arg_count, result, true, true);
}
FN(ltrim_fn)
{
    return trim_common(args, arg_count, result, true, false);
}
FN(rtrim_fn)
{
    return trim_common(args, arg_count, result, false, true);
}

static int pad_common(const Value *args, int arg_count, Value *result, FuncContext *ctx, Error *err,
                      bool left)
{
    StrRef s = args[0].str, fill = arg_count > 2 ? args[2].str : (StrRef){" ", 1};
    int64_t target = args[1].i64 < 0 ? 0 : args[1].i64;
    int64_t have = char_count(s);
    if (target > 10485760) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "requested length too large");
    }
    if (have >= target || fill.len == 0) {
        size_t keep = char_offset(s, have >= target ? target : have);
        result_text(result, s.ptr, keep);
        return STRATA_OK;
    }
    int64_t need = target - have;
    char *buf = alloc_text(ctx, s.len + (size_t)need * fill.len);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    size_t out = 0;
    if (!left) {
        memcpy(buf, s.ptr, s.len);
        out = s.len;
    }
    int64_t fill_chars = char_count(fill);
    for (int64_t i = 0; i < need; i++) {
        int64_t ci = i % fill_chars;
        size_t from = char_offset(fill, ci), to = char_offset(fill, ci + 1);
        memcpy(buf + out, fill.ptr + from, to - from);
        out += to - from;
    }
    if (left) {
        memcpy(buf + out, s.ptr, s.len);
        out += s.len;
    }
    buf[out] = '\0';
    result_text(result, buf, out);
    return STRATA_OK;
}

FN(lpad_fn)
{
    return pad_common(args, arg_count, result, ctx, err, true);
}
FN(rpad_fn)
{
    return pad_common(args, arg_count, result, ctx, err, false);
}

FN(left_fn)
{
    StrRef s = args[0].str;
    int64_t n = args[1].i64, total = char_count(s);
    int64_t keep = n >= 0 ? (n < total ? n : total) : (total + n > 0 ? total + n : 0);
    result_text(result, s.ptr, char_offset(s, keep));
    return STRATA_OK;
}

FN(right_fn)
{
    StrRef s = args[0].str;
    int64_t n = args[1].i64, total = char_count(s);
    int64_t keep = n >= 0 ? (n < total ? n : total) : (total + n > 0 ? total + n : 0);
    size_t from = char_offset(s, total - keep);
    result_text(result, s.ptr + from, s.len - from);
    return STRATA_OK;
}

FN(repeat_fn)
{
    StrRef s = args[0].str;
    int64_t n = args[1].i64 < 0 ? 0 : args[1].i64;
    if ((uint64_t)n * s.len > 256u * 1024 * 1024) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "requested length too large");
    }
    char *buf = alloc_text(ctx, (size_t)n * s.len);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    for (int64_t i = 0; i < n; i++) {
        memcpy(buf + (size_t)i * s.len, s.ptr, s.len);
    }
    buf[(size_t)n * s.len] = '\0';
    result_text(result, buf, (size_t)n * s.len);
    return STRATA_OK;
}

FN(reverse_fn)
{
    StrRef s = args[0].str;
    char *buf = alloc_text(ctx, s.len);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    size_t out = s.len;
    for (size_t i = 0; i < s.len;) {
        size_t n = 1;
        while (i + n < s.len && is_continuation(s.ptr[i + n])) {
            n++;
        }
        out -= n;
        memcpy(buf + out, s.ptr + i, n);
        i += n;
    }
    buf[s.len] = '\0';
    result_text(result, buf, s.len);
    return STRATA_OK;
}

FN(split_part_fn)
{
    StrRef s = args[0].str, delim = args[1].str;
    int64_t field = args[2].i64;
    if (field == 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "field position must not be zero");
    }
    /* Collect field boundaries. */
    int64_t fields = 1;
    if (delim.len > 0) {
        for (uint32_t i = 0; i + delim.len <= s.len;) {
            if (memcmp(s.ptr + i, delim.ptr, delim.len) == 0) {
                fields++;
                i += delim.len;
            } else {
                i++;
            }
        }
    }
    if (s.len == 0) {
        fields = 0;
    }
    int64_t want = field > 0 ? field : fields + field + 1;
    if (want < 1 || want > fields) {
        result_text(result, "", 0);
        return STRATA_OK;
    }
    int64_t current = 1;
    uint32_t start = 0;
    for (uint32_t i = 0; delim.len > 0 && i + delim.len <= s.len;) {
        if (memcmp(s.ptr + i, delim.ptr, delim.len) == 0) {
            if (current == want) {
                result_text(result, s.ptr + start, i - start);
                return STRATA_OK;
            }
            current++;
            i += delim.len;
            start = i;
        } else {
            i++;
        }
    }
    result_text(result, s.ptr + start, s.len - start);
    return STRATA_OK;
}

void text_builder_put(TextBuilder *b, const char *s, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->length + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->length + n + 1) {
            cap *= 2;
        }
        char *data = arena_realloc(b->ctx->arena, b->data, b->cap, cap);
        if (data == NULL) {
            b->failed = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->length, s, n);
    b->length += n;
    b->data[b->length] = '\0';
}

static int finish(TextBuilder *b, Value *result, Error *err)
{
    if (b->failed) {
        return func_nomem(b->ctx, err);
    }
    text_builder_put(b, "", 0);
    if (b->failed) {
        return func_nomem(b->ctx, err);
    }
    result_text(result, b->data, b->length);
    return STRATA_OK;
}

static int text_of(const Value *v, FuncContext *ctx, StrRef *out, Error *err)
{
    if (type_is_string(v->type.id)) {
        *out = v->str;
        return STRATA_OK;
    }
    return func_value_text(v, ctx, out, err);
}

FN(concat_fn)
{
    TextBuilder b = {ctx, NULL, 0, 0, false};
    for (int i = 0; i < arg_count; i++) {
        if (args[i].is_null) {
            continue;
        }
        StrRef s;
        int rc = text_of(&args[i], ctx, &s, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        text_builder_put(&b, s.ptr, s.len);
    }
    return finish(&b, result, err);
}

FN(concat_ws_fn)
{
    if (args[0].is_null) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    TextBuilder b = {ctx, NULL, 0, 0, false};
    bool first = true;
    for (int i = 1; i < arg_count; i++) {
        if (args[i].is_null) {
            continue;
        }
        StrRef s;
        int rc = text_of(&args[i], ctx, &s, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!first) {
            text_builder_put(&b, args[0].str.ptr, args[0].str.len);
        }
        first = false;
        text_builder_put(&b, s.ptr, s.len);
    }
    return finish(&b, result, err);
}

static bool ident_needs_quotes(StrRef s)
{
    if (s.len == 0 || !((s.ptr[0] >= 'a' && s.ptr[0] <= 'z') || s.ptr[0] == '_')) {
        return true;
    }
    for (uint32_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return true;
        }
    }
    return false;
}

static void put_quoted(TextBuilder *b, StrRef s, char quote)
{
    bool has_backslash = quote == '\'' && memchr(s.ptr, '\\', s.len) != NULL;
    if (has_backslash) {
        text_builder_put(b, "E", 1);
    }
    text_builder_put(b, &quote, 1);
    for (uint32_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == quote || (has_backslash && s.ptr[i] == '\\')) {
            text_builder_put(b, s.ptr + i, 1);
        }
        text_builder_put(b, s.ptr + i, 1);
    }
    text_builder_put(b, &quote, 1);
}

static void put_ident(TextBuilder *b, StrRef s)
{
    if (ident_needs_quotes(s)) {
        put_quoted(b, s, '"');
    } else {
        text_builder_put(b, s.ptr, s.len);
    }
}

FN(format_fn)
{
    if (args[0].is_null) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    StrRef f = args[0].str;
    TextBuilder b = {ctx, NULL, 0, 0, false};
    int next = 1;
    for (uint32_t i = 0; i < f.len; i++) {
        if (f.ptr[i] != '%') {
            text_builder_put(&b, f.ptr + i, 1);
            continue;
        }
        if (++i >= f.len) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "unterminated format() type specifier");
        }
        if (f.ptr[i] == '%') {
            text_builder_put(&b, "%", 1);
            continue;
        }
        /* Optional argument position n$. */
        uint32_t k = i;
        int position = 0;
        while (k < f.len && f.ptr[k] >= '0' && f.ptr[k] <= '9') {
            position = position * 10 + (f.ptr[k] - '0');
            k++;
        }
        if (k < f.len && f.ptr[k] == '$' && position > 0) {
            next = position;
            i = k + 1;
        }
        if (i >= f.len) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "unterminated format() type specifier");
        }
        char spec = f.ptr[i];
        if (spec != 's' && spec != 'I' && spec != 'L') {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "unrecognized format() type specifier \"%c\"", spec);
        }
        if (next >= arg_count) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "too few arguments for format()");
        }
        const Value *v = &args[next++];
        if (v->is_null) {
            if (spec == 'I') {
                return error_set(err, SQLSTATE_NULL_VALUE_NOT_ALLOWED,
                                 "null values cannot be formatted as an SQL identifier");
            }
            if (spec == 'L') {
                text_builder_put(&b, "NULL", 4);
            }
            continue;
        }
        StrRef s;
        int rc = text_of(v, ctx, &s, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (spec == 's') {
            text_builder_put(&b, s.ptr, s.len);
        } else if (spec == 'I') {
            put_ident(&b, s);
        } else {
            put_quoted(&b, s, '\'');
        }
    }
    return finish(&b, result, err);
}

FN(quote_ident_fn)
{
    TextBuilder b = {ctx, NULL, 0, 0, false};
    put_ident(&b, args[0].str);
    return finish(&b, result, err);
}

FN(quote_literal_fn)
{
    TextBuilder b = {ctx, NULL, 0, 0, false};
    StrRef s;
    int rc = text_of(&args[0], ctx, &s, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    put_quoted(&b, s, '\'');
    return finish(&b, result, err);
}

FN(quote_nullable_fn)
{
    if (args[0].is_null) {
        result_text(result, "NULL", 4);
        return STRATA_OK;
    }
    return quote_literal_fn(args, arg_count, result, ctx, err);
}

static int hex_digest(const EVP_MD *md, StrRef data, Value *result, FuncContext *ctx, Error *err)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data.ptr, data.len, digest, &n, md, NULL) != 1) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not compute digest");
    }
    char *buf = alloc_text(ctx, 2 * (size_t)n);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    static const char HEX[] = "0123456789abcdef";
    for (unsigned int i = 0; i < n; i++) {
        buf[2 * i] = HEX[digest[i] >> 4];
        buf[2 * i + 1] = HEX[digest[i] & 15];
    }
    buf[2 * n] = '\0';
    result_text(result, buf, 2 * (size_t)n);
    return STRATA_OK;
}

FN(md5_fn)
{
    return hex_digest(EVP_md5(), args[0].str, result, ctx, err);
}

static int raw_digest(const EVP_MD *md, StrRef data, Value *result, FuncContext *ctx, Error *err)
{
    unsigned char *digest = arena_alloc(ctx->arena, EVP_MAX_MD_SIZE);
    unsigned int n = 0;
    if (digest == NULL) {
        return func_nomem(ctx, err);
    }
    if (EVP_Digest(data.ptr, data.len, digest, &n, md, NULL) != 1) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not compute digest");
    }
    *result = value_str(TYPE_BYTEA, (const char *)digest, n);
    return STRATA_OK;
}

FN(sha256_fn)
{
    return raw_digest(EVP_sha256(), args[0].str, result, ctx, err);
}

FN(ascii_fn)
{
    StrRef s = args[0].str;
    if (s.len == 0) {
        result_int(result, TYPE_INT4, 0);
        return STRATA_OK;
    }
    unsigned char c = (unsigned char)s.ptr[0];
    uint32_t cp = c;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (extra > 0) {
        cp = c & (0x3F >> extra);
        for (int i = 1; i <= extra && (uint32_t)i < s.len; i++) {
            cp = (cp << 6) | ((unsigned char)s.ptr[i] & 0x3F);
        }
    }
    result_int(result, TYPE_INT4, cp);
    return STRATA_OK;
}

FN(chr_fn)
{
    int64_t cp = args[0].i64;
    if (cp == 0) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "null character not permitted");
    }
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "requested character too large for encoding: %lld", (long long)cp);
    }
    char *buf = alloc_text(ctx, 4);
    if (buf == NULL) {
        return func_nomem(ctx, err);
    }
    size_t n;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        buf[0] = (char)(0xF0 | (cp >> 18));
        buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf[n] = '\0';
    result_text(result, buf, n);
    return STRATA_OK;
}

FN(starts_with_fn)
{
    StrRef s = args[0].str, p = args[1].str;
    *result = value_bool(p.len <= s.len && memcmp(s.ptr, p.ptr, p.len) == 0);
    return STRATA_OK;
}

FN(translate_fn)
{
    StrRef s = args[0].str, from = args[1].str, to = args[2].str;
    TextBuilder b = {ctx, NULL, 0, 0, false};
    int64_t to_chars = char_count(to);
    for (size_t i = 0; i < s.len;) {
        size_t n = 1;
        while (i + n < s.len && is_continuation(s.ptr[i + n])) {
            n++;
        }
        int64_t index = -1, ci = 0;
        for (size_t k = 0; k < from.len; ci++) {
            size_t m = 1;
            while (k + m < from.len && is_continuation(from.ptr[k + m])) {
                m++;
            }
            if (m == n && memcmp(from.ptr + k, s.ptr + i, n) == 0) {
                index = ci;
                break;
            }
            k += m;
        }
        if (index < 0) {
            text_builder_put(&b, s.ptr + i, n);
        } else if (index < to_chars) {
            size_t a = char_offset(to, index), z = char_offset(to, index + 1);
            text_builder_put(&b, to.ptr + a, z - a);
        }
        i += n;
    }
    return finish(&b, result, err);
}

static int regexp_replace_common(const Value *args, int arg_count, Value *result, FuncContext *ctx,
                                 Error *err)
{
    bool global = false, icase = false;
    if (arg_count > 3) {
        for (uint32_t i = 0; i < args[3].str.len; i++) {
            char flag = args[3].str.ptr[i];
            if (flag == 'g') {
                global = true;
            } else if (flag == 'i') {
                icase = true;
            } else if (flag != 'c') {
                return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                 "invalid regular expression option: \"%c\"", flag);
            }
        }
    }
    regex_t re;
    int rc = func_regex_compile(args[1].str, icase, &re, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    char *subject = arena_strndup(ctx->arena, args[0].str.ptr, args[0].str.len);
    if (subject == NULL) {
        regfree(&re);
        return func_nomem(ctx, err);
    }
    StrRef replacement = args[2].str;
    TextBuilder b = {ctx, NULL, 0, 0, false};
    size_t offset = 0, length = args[0].str.len;
    regmatch_t m[10];
    while (offset <= length &&
           regexec(&re, subject + offset, 10, m, offset > 0 ? REG_NOTBOL : 0) == 0) {
        text_builder_put(&b, subject + offset, (size_t)m[0].rm_so);
        for (uint32_t i = 0; i < replacement.len; i++) {
            char c = replacement.ptr[i];
            if (c == '\\' && i + 1 < replacement.len) {
                char d = replacement.ptr[i + 1];
                if (d >= '0' && d <= '9') {
                    int g = d - '0';
                    if (m[g].rm_so >= 0) {
                        text_builder_put(&b, subject + offset + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
                    }
                    i++;
                    continue;
                }
                if (d == '&') {
                    text_builder_put(&b, subject + offset + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
                    i++;
                    continue;
                }
                if (d == '\\') {
                    text_builder_put(&b, "\\", 1);
                    i++;
                    continue;
                }
            }
            text_builder_put(&b, &c, 1);
        }
        size_t advance = (size_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) {
            if (offset + advance < length) {
                text_builder_put(&b, subject + offset + advance, 1);
            }
            advance++;
        }
        offset += advance;
        if (!global) {
            break;
        }
    }
    if (offset < length) {
        text_builder_put(&b, subject + offset, length - offset);
    }
    regfree(&re);
    return finish(&b, result, err);
}

FN(regexp_replace_fn)
{
    return regexp_replace_common(args, arg_count, result, ctx, err);
}

/* regexp_match: the captures as a text[] (unmatched groups NULL), or NULL. */
FN(regexp_match_fn)
{
    bool icase = arg_count > 2 && memchr(args[2].str.ptr, 'i', args[2].str.len) != NULL;
    regex_t re;
    int rc = func_regex_compile(args[1].str, icase, &re, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    char *subject = arena_strndup(ctx->arena, args[0].str.ptr, args[0].str.len);
    regmatch_t m[10];
    if (subject == NULL || regexec(&re, subject, 10, m, 0) != 0) {
        regfree(&re);
        if (subject == NULL) {
            return func_nomem(ctx, err);
        }
        *result = value_null(sql_type(TYPE_TEXT_ARRAY));
        return STRATA_OK;
    }
    size_t groups = re.re_nsub;
    regfree(&re);
    Value parts[10];
    int count = 0;
    for (size_t g = groups == 0 ? 0 : 1; g <= groups && g < 10; g++) {
        parts[count++] = m[g].rm_so < 0 ? value_null(sql_type(TYPE_TEXT))
                                        : value_str(TYPE_TEXT, subject + m[g].rm_so,
                                                    (uint32_t)(m[g].rm_eo - m[g].rm_so));
    }
    StrRef bytes;
    rc = array_encode(TYPE_TEXT, parts, count, ctx->arena, &bytes, err);
    if (rc == STRATA_OK) {
        *result = value_str(TYPE_TEXT_ARRAY, bytes.ptr, bytes.len);
    }
    return rc;
}

FN(regexp_like_fn)
{
    regex_t re;
    bool icase = arg_count > 2 && memchr(args[2].str.ptr, 'i', args[2].str.len) != NULL;
    int rc = func_regex_compile(args[1].str, icase, &re, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    char *subject = arena_strndup(ctx->arena, args[0].str.ptr, args[0].str.len);
    bool matched = subject != NULL && regexec(&re, subject, 0, NULL, 0) == 0;
    regfree(&re);
    *result = value_bool(matched);
    return subject == NULL ? func_nomem(ctx, err) : STRATA_OK;
}

FN(to_hex_fn)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%llx",
                     args[0].type.id == TYPE_INT4 ? (unsigned long long)(uint32_t)args[0].i64
                                                  : (unsigned long long)args[0].i64);
    char *copy = arena_strndup(ctx->arena, buf, (size_t)n);
    if (copy == NULL) {
        return func_nomem(ctx, err);
    }
    result_text(result, copy, (size_t)n);
    return STRATA_OK;
}

static const char BASE64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

FN(encode_fn)
{
    StrRef data = args[0].str, format = args[1].str;
    TextBuilder b = {ctx, NULL, 0, 0, false};
    if (format.len == 3 && memcmp(format.ptr, "hex", 3) == 0) {
        static const char HEX[] = "0123456789abcdef";
        for (uint32_t i = 0; i < data.len; i++) {
            char pair[2] = {HEX[(unsigned char)data.ptr[i] >> 4],
                            HEX[(unsigned char)data.ptr[i] & 15]};
            text_builder_put(&b, pair, 2);
        }
    } else if (format.len == 6 && memcmp(format.ptr, "base64", 6) == 0) {
        for (uint32_t i = 0; i < data.len; i += 3) {
            uint32_t v = (uint32_t)(unsigned char)data.ptr[i] << 16;
            if (i + 1 < data.len) {
                v |= (uint32_t)(unsigned char)data.ptr[i + 1] << 8;
            }
            if (i + 2 < data.len) {
                v |= (uint32_t)(unsigned char)data.ptr[i + 2];
            }
            char quad[4] = {BASE64[v >> 18], BASE64[(v >> 12) & 63],
                            i + 1 < data.len ? BASE64[(v >> 6) & 63] : '=',
                            i + 2 < data.len ? BASE64[v & 63] : '='};
            text_builder_put(&b, quad, 4);
            if ((i / 3 + 1) % 19 == 0 && i + 3 < data.len) {
                text_builder_put(&b, "\n", 1); /* PostgreSQL wraps base64 at 76 characters */
            }
        }
    } else if (format.len == 6 && memcmp(format.ptr, "escape", 6) == 0) {
        for (uint32_t i = 0; i < data.len; i++) {
            unsigned char c = (unsigned char)data.ptr[i];
            if (c == '\\') {
                text_builder_put(&b, "\\\\", 2);
            } else if (c == 0 || c >= 0x80) {
                char oct[5];
                snprintf(oct, sizeof oct, "\\%03o", c);
                text_builder_put(&b, oct, 4);
            } else {
                text_builder_put(&b, (const char *)&c, 1);
            }
        }
    } else {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized encoding: \"%.*s\"",
                         (int)format.len, format.ptr);
    }
    return finish(&b, result, err);
}

static int base64_value(char c)
{
    const char *p = c ? strchr(BASE64, c) : NULL;
    return p ? (int)(p - BASE64) : -1;
}

FN(decode_fn)
{
    StrRef text = args[0].str, format = args[1].str;
    Value parsed;
    if (format.len == 3 && memcmp(format.ptr, "hex", 3) == 0) {
        char *prefixed = arena_alloc(ctx->arena, (size_t)text.len + 2);
        if (prefixed == NULL) {
            return func_nomem(ctx, err);
        }
        prefixed[0] = '\\';
        prefixed[1] = 'x';
        memcpy(prefixed + 2, text.ptr, text.len);
        int rc = value_parse(sql_type(TYPE_BYTEA), prefixed, (size_t)text.len + 2, ctx->arena,
                             &parsed, err);
        *result = parsed;
        return rc;
    }
    if (format.len == 6 && memcmp(format.ptr, "escape", 6) == 0) {
        int rc = value_parse(sql_type(TYPE_BYTEA), text.ptr, text.len, ctx->arena, &parsed, err);
        *result = parsed;
        return rc;
    }
    if (format.len == 6 && memcmp(format.ptr, "base64", 6) == 0) {
        char *buf = arena_alloc(ctx->arena, (size_t)text.len + 1);
        if (buf == NULL) {
            return func_nomem(ctx, err);
        }
        size_t n = 0;
        uint32_t acc = 0;
        int bits = 0;
        for (uint32_t i = 0; i < text.len; i++) {
            char c = text.ptr[i];
            if (c == '=' || c == '\n' || c == '\r' || c == ' ') {
                continue;
            }
            int v = base64_value(c);
            if (v < 0) {
                return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                 "invalid symbol \"%c\" found while decoding base64 sequence", c);
            }
            acc = (acc << 6) | (uint32_t)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                buf[n++] = (char)((acc >> bits) & 0xFF);
            }
        }
        *result = value_str(TYPE_BYTEA, buf, (uint32_t)n);
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "unrecognized encoding: \"%.*s\"",
                     (int)format.len, format.ptr);
}

/* ---- SIMILAR TO, regex substring, overlay ---- */

/* Appends the POSIX ERE for a SIMILAR TO pattern piece: % -> .*, _ -> .,
 * regex metacharacters that are literal in SQL (. ^ $ \) escaped, the escape
 * character makes the next one literal, ESC" toggles a capture group. */
static void similar_piece(TextBuilder *b, StrRef pattern, int escape)
{
    bool pending = false, in_bracket = false;
    for (uint32_t i = 0; i < pattern.len; i++) {
        char c = pattern.ptr[i];
        if (pending) {
            pending = false;
            if (c == '"') {
                text_builder_put(b, "(", 1); /* callers split on ESC" before; a stray one groups */
                continue;
            }
            if (strchr(".^$\\[](){}|*+?", c) != NULL) {
                text_builder_put(b, "\\", 1);
            }
            text_builder_put(b, &c, 1);
            continue;
        }
        if (escape >= 0 && (unsigned char)c == (unsigned char)escape) {
            pending = true;
            continue;
        }
        if (in_bracket) {
            text_builder_put(b, &c, 1);
            in_bracket = c != ']';
            continue;
        }
        switch (c) {
        case '%':
            text_builder_put(b, ".*", 2);
            break;
        case '_':
            text_builder_put(b, ".", 1);
            break;
        case '.':
        case '^':
        case '$':
        case '\\':
            text_builder_put(b, "\\", 1);
            text_builder_put(b, &c, 1);
            break;
        case '[':
            in_bracket = true;
            text_builder_put(b, &c, 1);
            break;
        default:
            text_builder_put(b, &c, 1);
        }
    }
}

static int escape_of(const Value *args, int arg_count, int *escape, Error *err)
{
    *escape = '\\';
    if (arg_count > 1) {
        if (args[1].str.len > 1) {
            return error_set(err, SQLSTATE_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
        }
        *escape = args[1].str.len == 1 ? (unsigned char)args[1].str.ptr[0] : -1;
    }
    return STRATA_OK;
}

/* similar_to_escape(pattern [, escape]): the anchored POSIX regex a SIMILAR TO
 * pattern means (the binder then applies ~). */
FN(similar_to_escape_fn)
{
    int escape;
    int rc = escape_of(args, arg_count, &escape, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    TextBuilder b = {ctx, NULL, 0, 0, false};
    text_builder_put(&b, "^(", 2);
    similar_piece(&b, args[0].str, escape);
    text_builder_put(&b, ")$", 2);
    return finish(&b, result, err);
}

/* substring(text, pattern): the first parenthesized subexpression's match, or
 * the whole match; NULL when nothing matches. */
FN(substring_regex_fn)
{
    regex_t re;
    int rc = func_regex_compile(args[1].str, false, &re, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    char *subject = arena_strndup(ctx->arena, args[0].str.ptr, args[0].str.len);
    regmatch_t m[2];
    bool matched = subject != NULL && regexec(&re, subject, 2, m, 0) == 0;
    size_t groups = re.re_nsub;
    regfree(&re);
    if (subject == NULL) {
        return func_nomem(ctx, err);
    }
    if (!matched || (groups > 0 && m[1].rm_so < 0)) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    regmatch_t *hit = groups > 0 ? &m[1] : &m[0];
    result_text(result, subject + hit->rm_so, (size_t)(hit->rm_eo - hit->rm_so));
    return STRATA_OK;
}

/* substring(text SIMILAR pattern ESCAPE e): the part matching between the
 * two ESC" markers (the whole string when there are none). */
FN(substring_similar_fn)
{
    int escape = args[2].str.len == 1 ? (unsigned char)args[2].str.ptr[0] : -1;
    if (args[2].str.len > 1) {
        return error_set(err, SQLSTATE_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
    }
    StrRef pattern = args[1].str, parts[3] = {pattern, {"", 0}, {"", 0}};
    int markers = 0;
    uint32_t start = 0;
    for (uint32_t i = 0; escape >= 0 && i + 1 < pattern.len; i++) {
        if ((unsigned char)pattern.ptr[i] == (unsigned char)escape && pattern.ptr[i + 1] == '"' &&
            markers < 2) {
            parts[markers] = (StrRef){pattern.ptr + start, i - start};
            markers++;
            start = i + 2;
            i++;
        } else if ((unsigned char)pattern.ptr[i] == (unsigned char)escape) {
            i++; /* skip the escaped character */
        }
    }
    if (markers == 1) {
        return error_set(
            err, SQLSTATE_INVALID_ESCAPE_SEQUENCE,
            "SQL regular expression may not contain more than two escape-double-quote separators");
    }
    TextBuilder b = {ctx, NULL, 0, 0, false};
    if (markers == 2) {
        parts[2] = (StrRef){pattern.ptr + start, pattern.len - start};
        text_builder_put(&b, "^(", 2);
        similar_piece(&b, parts[0], escape);
        text_builder_put(&b, ")(", 2);
        similar_piece(&b, parts[1], escape);
        text_builder_put(&b, ")(", 2);
        similar_piece(&b, parts[2], escape);
        text_builder_put(&b, ")$", 2);
    } else {
        text_builder_put(&b, "^(", 2);
        similar_piece(&b, pattern, escape);
        text_builder_put(&b, ")$", 2);
    }
    if (b.failed) {
        return func_nomem(ctx, err);
    }
    regex_t re;
    int rc = func_regex_compile((StrRef){b.data, (uint32_t)b.length}, false, &re, ctx, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    char *subject = arena_strndup(ctx->arena, args[0].str.ptr, args[0].str.len);
    regmatch_t m[3];
    bool matched = subject != NULL && regexec(&re, subject, 3, m, 0) == 0;
    regfree(&re);
    if (subject == NULL) {
        return func_nomem(ctx, err);
    }
    if (!matched) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    regmatch_t *hit = markers == 2 ? &m[2] : &m[0];
    result_text(result, subject + hit->rm_so, (size_t)(hit->rm_eo - hit->rm_so));
    return STRATA_OK;
}

/* overlay(s placing r from start [for count]) = left part || r || rest. */
FN(overlay_fn)
{
    StrRef s = args[0].str, r = args[1].str;
    int64_t start = args[2].i64;
    int64_t count = arg_count > 3 ? args[3].i64 : char_count(r);
    if (start < 1) {
        return error_set(err, "22011", "negative substring length not allowed");
    }
    if (count < 0) {
        return error_set(err, "22011", "negative substring length not allowed");
    }
    size_t head = char_offset(s, start - 1);
    size_t tail = char_offset(s, start - 1 + count);
    TextBuilder b = {ctx, NULL, 0, 0, false};
    text_builder_put(&b, s.ptr, head);
    text_builder_put(&b, r.ptr, r.len);
    text_builder_put(&b, s.ptr + tail, s.len - tail);
    return finish(&b, result, err);
}

/* ---- set-returning: regexp_split_to_table, string_to_table ---- */

typedef struct SplitState {
    StrRef subject;
    size_t offset;
    bool done;
    regex_t re;
    bool has_re;
    char *cstring;
} SplitState;

static int regexp_split_step(const Value *args, int arg_count, void **state, Value *row,
                             bool *has_row, FuncContext *ctx, Error *err)
{
    SplitState *s = *state;
    if (s == NULL) {
        s = arena_zalloc(ctx->arena, sizeof *s);
        if (s == NULL) {
            return func_nomem(ctx, err);
        }
        bool icase = arg_count > 2 && memchr(args[2].str.ptr, 'i', args[2].str.len) != NULL;
        int rc = func_regex_compile(args[1].str, icase, &s->re, ctx, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        s->has_re = true;
        s->cstring = arena_strndup(ctx->arena, args[0].str.ptr, args[0].str.len);
        if (s->cstring == NULL) {
            regfree(&s->re);
            return func_nomem(ctx, err);
        }
        s->subject = args[0].str;
        *state = s;
    }
    *has_row = false;
    if (s->done) {
        return STRATA_OK;
    }
    regmatch_t m;
    size_t length = s->subject.len;
    /* Empty matches split between characters; a match at the very start of an
     * empty remainder ends the split. */
    size_t search = s->offset;
    while (search <= length &&
           regexec(&s->re, s->cstring + search, 1, &m, search > 0 ? REG_NOTBOL : 0) == 0) {
        size_t match_start = search + (size_t)m.rm_so, match_end = search + (size_t)m.rm_eo;
        if (match_end == match_start) {
            if (match_start >= length) {
                break;
            }
            if (match_start == s->offset) {
                search = match_start + 1; /* an empty piece would result: skip a character */
                continue;
            }
        }
        result_text(row, s->cstring + s->offset, match_start - s->offset);
        s->offset = match_end == match_start ? match_start : match_end;
        *has_row = true;
        return STRATA_OK;
    }
    result_text(row, s->cstring + s->offset, length - s->offset);
    *has_row = true;
    s->done = true;
    regfree(&s->re);
    return STRATA_OK;
}

static int string_to_table_step(const Value *args, int arg_count, void **state, Value *row,
                                bool *has_row, FuncContext *ctx, Error *err)
{
    SplitState *s = *state;
    if (s == NULL) {
        s = arena_zalloc(ctx->arena, sizeof *s);
        if (s == NULL) {
            return func_nomem(ctx, err);
        }
        s->subject = args[0].str;
        s->done = args[0].is_null;
        *state = s;
    }
    *has_row = false;
    if (s->done) {
        return STRATA_OK;
    }
    StrRef subject = s->subject;
    size_t end;
    if (args[1].is_null) {
        /* NULL delimiter: every character is an element */
        if (s->offset >= subject.len) {
            s->done = true;
            return STRATA_OK;
        }
        end = s->offset + 1;
        while (end < subject.len && is_continuation(subject.ptr[end])) {
            end++;
        }
        result_text(row, subject.ptr + s->offset, end - s->offset);
        s->offset = end;
    } else {
        StrRef delim = args[1].str;
        if (subject.len == 0) {
            s->done = true;
            return STRATA_OK;
        }
        end = subject.len;
        if (delim.len > 0) {
            for (size_t i = s->offset; i + delim.len <= subject.len; i++) {
                if (memcmp(subject.ptr + i, delim.ptr, delim.len) == 0) {
                    end = i;
                    break;
                }
            }
        }
        result_text(row, subject.ptr + s->offset, end - s->offset);
        if (end >= subject.len) {
            s->done = true;
        } else {
            s->offset = end + delim.len;
        }
    }
    if (arg_count > 2 && !args[2].is_null && row->str.len == args[2].str.len &&
        memcmp(row->str.ptr, args[2].str.ptr, row->str.len) == 0) {
        *row = value_null(sql_type(TYPE_TEXT));
    }
    *has_row = true;
    return STRATA_OK;
}

#define SRF_TEXT(nm, fn_, strict_, ...)                                                            \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION,                                                    \
        .arg_count = sizeof((TypeId[]){__VA_ARGS__}) / sizeof(TypeId), .arg_types = {__VA_ARGS__}, \
        .result_type = TYPE_TEXT, .set_fn = fn_, .strict = strict_,                                \
        .volatility = VOLATILITY_IMMUTABLE                                                         \
    }

#define NONSTRICT_VARIADIC(nm, fn_, ...)                                                           \
    {                                                                                              \
        .name = nm, .kind = FUNC_KIND_FUNCTION,                                                    \
        .arg_count = sizeof((TypeId[]){__VA_ARGS__}) / sizeof(TypeId) - 1,                         \
        .arg_types = {__VA_ARGS__}, .variadic = FUNC_VARIADIC_ANY, .result_type = TYPE_TEXT,       \
        .fn = fn_, .strict = false, .volatility = VOLATILITY_STABLE                                \
    }

/* psql's catalog queries: strata has one role (the owner of every object) and puts every
 * schema on the search path, so each relation is its own owner's and visible. */
FN(pg_get_userbyid_fn)
{
    (void)args, (void)arg_count, (void)ctx, (void)err;
    result_text(result, "strata", 6);
    return STRATA_OK;
}

/* version(): what clients parse for the PostgreSQL version they talk to. */
FN(version_fn)
{
    (void)args, (void)arg_count, (void)ctx, (void)err;
    static const char text[] = "PostgreSQL 15.0 (strata " STRATA_VERSION ")";
    result_text(result, text, sizeof text - 1);
    return STRATA_OK;
}

/* current_database(): one database per file, named as pg_database and current_catalog
 * ("strata", or the name the wire server's client connected to). */
FN(current_database_fn)
{
    (void)args, (void)arg_count, (void)err;
    const char *name = ctx != NULL && ctx->database_name != NULL ? ctx->database_name : "strata";
    result_text(result, name, strlen(name));
    return STRATA_OK;
}

/* pg_backend_pid(): the server process (every session is a thread of it). */
FN(pg_backend_pid_fn)
{
    (void)args, (void)arg_count, (void)ctx, (void)err;
    *result = value_i64(TYPE_INT4, (int64_t)getpid());
    return STRATA_OK;
}

/* txid_current() / pg_current_xact_id(): the session's transaction id (one
 * per transaction, increasing; bigint, as strata has no xid8 type). */
FN(txid_current_fn)
{
    (void)args, (void)arg_count, (void)err;
    *result = ctx->xact_id != NULL ? value_i64(TYPE_INT8, ctx->xact_id(ctx->xact_id_arg))
                                   : value_null(sql_type(TYPE_INT8));
    return STRATA_OK;
}

/* inet_client_addr() and friends: the wire connection's addresses as text
 * (strata has no inet type); NULL outside the server, as PostgreSQL answers
 * over a Unix socket. */
FN(inet_client_addr_fn)
{
    (void)args, (void)arg_count, (void)err;
    if (ctx->client_addr == NULL) {
        *result = value_null(sql_type(TYPE_TEXT));
    } else {
        result_text(result, ctx->client_addr, strlen(ctx->client_addr));
    }
    return STRATA_OK;
}

FN(inet_server_addr_fn)
{
    (void)args, (void)arg_count, (void)err;
    if (ctx->server_addr == NULL) {
        *result = value_null(sql_type(TYPE_TEXT));
    } else {
        result_text(result, ctx->server_addr, strlen(ctx->server_addr));
    }
    return STRATA_OK;
}

FN(inet_client_port_fn)
{
    (void)args, (void)arg_count, (void)err;
    *result = ctx->client_addr != NULL ? value_i64(TYPE_INT4, ctx->client_port) : value_null(sql_type(TYPE_INT4));
    return STRATA_OK;
}

FN(inet_server_port_fn)
{
    (void)args, (void)arg_count, (void)err;
    *result = ctx->server_addr != NULL ? value_i64(TYPE_INT4, ctx->server_port) : value_null(sql_type(TYPE_INT4));
    return STRATA_OK;
}

/* pg_is_in_recovery(): strata has no standby mode. */
FN(pg_is_in_recovery_fn)
{
    (void)args, (void)arg_count, (void)ctx, (void)err;
    *result = value_bool(false);
    return STRATA_OK;
}

/* pg_encoding_to_char(6) = 'UTF8', the only encoding strata speaks; '' for the
 * others, as PostgreSQL answers an unknown encoding number. */
FN(pg_encoding_to_char_fn)
{
    (void)arg_count, (void)ctx, (void)err;
    if (args[0].i64 == 6) {
        result_text(result, "UTF8", 4);
    } else {
        result_text(result, "", 0);
    }
    return STRATA_OK;
}

/* has_table_privilege / has_schema_privilege ([role,] object, privilege): true.
 * strata has no object privileges yet (docs/sql.md, "Roles"): every role that can
 * log in may read and change every table, and the answer says so. */
FN(has_privilege_fn)
{
    (void)args, (void)arg_count, (void)ctx, (void)err;
    *result = value_bool(true);
    return STRATA_OK;
}

FN(pg_table_is_visible_fn)
{
    (void)args, (void)arg_count, (void)ctx, (void)err;
    *result = value_bool(true);
    return STRATA_OK;
}

/* format_type(type oid, typmod): the type's SQL name; typmod as pg_attribute.atttypmod. */
FN(format_type_fn)
{
    (void)arg_count, (void)err;
    TypeId id;
    if (args[0].is_null) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    if (args[0].i64 >= 0 && args[0].i64 <= INT32_MAX && user_type_name((int32_t)args[0].i64)) {
        const char *user = user_type_name((int32_t)args[0].i64);
        result_text(result, user, strlen(user));
        return STRATA_OK;
    }
    uint64_t elem_id;
    if (user_type_of_array_oid(args[0].i64, &elem_id) &&
        user_type_name((int32_t)elem_id) != NULL) {
        const char *user = arena_sprintf(ctx->arena, "%s[]", user_type_name((int32_t)elem_id));
        if (user == NULL) {
            return func_nomem(ctx, err);
        }
        result_text(result, user, strlen(user));
        return STRATA_OK;
    }
    if (args[0].i64 < 0 || args[0].i64 > UINT32_MAX || !type_from_oid((uint32_t)args[0].i64, &id)) {
        result_text(result, "???", 3);
        return STRATA_OK;
    }
    SqlType t = sql_type(id);
    t.typmod = args[1].is_null ? -1 : (int32_t)args[1].i64;
    const char *name = type_name(t, ctx->arena);
    if (name == NULL) {
        return func_nomem(ctx, err);
    }
    result_text(result, name, strlen(name));
    return STRATA_OK;
}

/* regtype's output function ("$regtype_text", the binder's for x::regtype shown
 * to a client): format_type's name, "-" for 0, the number for an unknown oid. */
FN(regtype_text_fn)
{
    (void)arg_count;
    int64_t oid = args[0].i64;
    TypeId id;
    uint64_t elem_id;
    bool known = (oid >= 0 && oid <= INT32_MAX && user_type_name((int32_t)oid) != NULL) ||
                 (user_type_of_array_oid(oid, &elem_id) && user_type_name((int32_t)elem_id)) ||
                 (oid >= 0 && oid <= UINT32_MAX && type_from_oid((uint32_t)oid, &id));
    if (known) {
        Value typmod = value_null(sql_type(TYPE_INT4));
        Value both[2] = {args[0], typmod};
        return format_type_fn(both, 2, result, ctx, err);
    }
    /* InvalidOid is "-", as PostgreSQL's regtypeout writes it */
    const char *number = oid == 0 ? "-" : arena_sprintf(ctx->arena, "%lld", (long long)oid);
    if (number == NULL) {
        return func_nomem(ctx, err);
    }
    result_text(result, number, strlen(number));
    return STRATA_OK;
}

/* The registry entry of a pg_proc oid (NULL: none). */
static const FuncDef *proc_of(int64_t oid)
{
    int count;
    const FuncDef *defs = func_table(&count);
    int64_t index = oid - PG_PROC_OID_BASE;
    return index >= 0 && index < count && defs[index].kind == FUNC_KIND_FUNCTION ? &defs[index] : NULL;
}

static const char *proc_type_name(TypeId id, Arena *a)
{
    return id == TYPE_UNKNOWN ? "\"any\"" : type_name(sql_type(id), a);
}

/* pg_get_function_result(oid): "integer", "SETOF bigint". */
FN(pg_get_function_result_fn)
{
    (void)arg_count;
    const FuncDef *f = proc_of(args[0].i64);
    if (f == NULL) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    const char *type = proc_type_name(f->result_type, ctx->arena);
    const char *text = type != NULL ? arena_sprintf(ctx->arena, "%s%s", f->set_fn != NULL ? "SETOF " : "", type) : NULL;
    if (text == NULL) {
        return func_nomem(ctx, err);
    }
    result_text(result, text, strlen(text));
    return STRATA_OK;
}

/* pg_get_function_arguments(oid): "text, integer", "VARIADIC \"any\"". */
FN(pg_get_function_arguments_fn)
{
    (void)arg_count;
    const FuncDef *f = proc_of(args[0].i64);
    if (f == NULL) {
        *result = value_null(sql_type(TYPE_TEXT));
        return STRATA_OK;
    }
    const char *text = "";
    for (int k = 0; k < f->arg_count && text != NULL; k++) {
        const char *type = proc_type_name(f->arg_types[k], ctx->arena);
        bool is_variadic = f->variadic != FUNC_VARIADIC_NONE && k == f->arg_count - 1;
        text = type == NULL ? NULL
                            : arena_sprintf(ctx->arena, "%s%s%s%s", text, k > 0 ? ", " : "",
                                            is_variadic ? "VARIADIC " : "", type);
    }
    if (text != NULL && f->arg_count == 0 && f->variadic != FUNC_VARIADIC_NONE) {
        text = "VARIADIC \"any\"";
    }
    if (text == NULL) {
        return func_nomem(ctx, err);
    }
    result_text(result, text, strlen(text));
    return STRATA_OK;
}

/* pg_get_expr(expression, relation, pretty): strata stores expressions as SQL text. */
FN(pg_get_expr_fn)
{
    (void)arg_count, (void)ctx, (void)err;
    *result = args[0];
    return STRATA_OK;
}

/* pg_get_triggerdef(oid [, pretty]), col_description(oid, column),
 * obj_description(oid [, catalog]): strata has neither triggers nor comments,
 * so no object has one. */
/* (and pg_get_statisticsobjdef_columns: no extended statistics objects) */
FN(no_such_object_fn)
{
    (void)args, (void)arg_count, (void)ctx, (void)err;
    *result = value_null(sql_type(TYPE_TEXT));
    return STRATA_OK;
}

/* pg_relation_is_publishable(oid): every table strata has is an ordinary one. */
FN(pg_relation_is_publishable_fn)
{
    (void)args, (void)arg_count, (void)ctx, (void)err;
    *result = value_bool(true);
    return STRATA_OK;
}

/* pg_partition_ancestors(oid): no rows, as PostgreSQL gives for a relation
 * that is not a partition (strata has no partitioning). */
static int pg_partition_ancestors_step(const Value *args, int arg_count, void **state, Value *row,
                                       bool *has_row, FuncContext *ctx, Error *err)
{
    (void)args, (void)arg_count, (void)state, (void)row, (void)ctx, (void)err;
    *has_row = false;
    return STRATA_OK;
}

static const FuncDef DEFS[] = {
    DEF("pg_get_statisticsobjdef_columns", FUNC_KIND_FUNCTION, T(TEXT), no_such_object_fn,
        VOLATILITY_STABLE, T(INT8)),
    DEF("pg_get_triggerdef", FUNC_KIND_FUNCTION, T(TEXT), no_such_object_fn, VOLATILITY_STABLE,
        T(INT8)),
    DEF("pg_get_triggerdef", FUNC_KIND_FUNCTION, T(TEXT), no_such_object_fn, VOLATILITY_STABLE,
        T(INT8), T(BOOL)),
    DEF("col_description", FUNC_KIND_FUNCTION, T(TEXT), no_such_object_fn, VOLATILITY_STABLE,
        T(INT8), T(INT4)),
    DEF("obj_description", FUNC_KIND_FUNCTION, T(TEXT), no_such_object_fn, VOLATILITY_STABLE,
        T(INT8)),
    DEF("obj_description", FUNC_KIND_FUNCTION, T(TEXT), no_such_object_fn, VOLATILITY_STABLE,
        T(INT8), T(TEXT)),
    DEF("pg_relation_is_publishable", FUNC_KIND_FUNCTION, T(BOOL), pg_relation_is_publishable_fn,
        VOLATILITY_STABLE, T(INT8)),
    {.name = "pg_partition_ancestors", .kind = FUNC_KIND_FUNCTION, .arg_count = 1,
     .arg_types = {T(INT8)}, .result_type = T(INT8), .set_fn = pg_partition_ancestors_step,
     .strict = true, .volatility = VOLATILITY_STABLE},
    /* not strict: a NULL typmod means none (psql's format_type(t.oid, NULL)) */
    {.name = "format_type", .kind = FUNC_KIND_FUNCTION, .arg_count = 2, .arg_types = {T(INT8), T(INT4)},
     .result_type = T(TEXT), .fn = format_type_fn, .strict = false, .volatility = VOLATILITY_STABLE},
    {.name = "$regtype_text", .kind = FUNC_KIND_FUNCTION, .arg_count = 1, .arg_types = {T(INT8)},
     .result_type = T(TEXT), .fn = regtype_text_fn, .strict = true, .volatility = VOLATILITY_STABLE},
    DEF("pg_get_expr", FUNC_KIND_FUNCTION, T(TEXT), pg_get_expr_fn, VOLATILITY_STABLE, T(TEXT), T(INT8)),
    DEF("pg_get_expr", FUNC_KIND_FUNCTION, T(TEXT), pg_get_expr_fn, VOLATILITY_STABLE, T(TEXT), T(INT8), T(BOOL)),
    DEF("pg_get_userbyid", FUNC_KIND_FUNCTION, T(TEXT), pg_get_userbyid_fn, VOLATILITY_STABLE, T(INT8)),
    DEF("pg_table_is_visible", FUNC_KIND_FUNCTION, T(BOOL), pg_table_is_visible_fn, VOLATILITY_STABLE, T(INT8)),
    /* every type and function is a built-in one of pg_catalog, hence visible */
    DEF("pg_type_is_visible", FUNC_KIND_FUNCTION, T(BOOL), pg_table_is_visible_fn, VOLATILITY_STABLE, T(INT8)),
    DEF("pg_function_is_visible", FUNC_KIND_FUNCTION, T(BOOL), pg_table_is_visible_fn, VOLATILITY_STABLE, T(INT8)),
    DEF("pg_get_function_result", FUNC_KIND_FUNCTION, T(TEXT), pg_get_function_result_fn, VOLATILITY_STABLE, T(INT8)),
    DEF("pg_get_function_arguments", FUNC_KIND_FUNCTION, T(TEXT), pg_get_function_arguments_fn, VOLATILITY_STABLE, T(INT8)),
    F0("version", T(TEXT), version_fn, VOLATILITY_STABLE),
    F0("pg_is_in_recovery", T(BOOL), pg_is_in_recovery_fn, VOLATILITY_VOLATILE),
    DEF("pg_encoding_to_char", FUNC_KIND_FUNCTION, T(TEXT), pg_encoding_to_char_fn, VOLATILITY_STABLE, T(INT4)),
    DEF("has_table_privilege", FUNC_KIND_FUNCTION, T(BOOL), has_privilege_fn, VOLATILITY_STABLE, T(TEXT), T(TEXT)),
    DEF("has_table_privilege", FUNC_KIND_FUNCTION, T(BOOL), has_privilege_fn, VOLATILITY_STABLE, T(INT8), T(TEXT)),
    DEF("has_table_privilege", FUNC_KIND_FUNCTION, T(BOOL), has_privilege_fn, VOLATILITY_STABLE, T(TEXT), T(TEXT), T(TEXT)),
    DEF("has_table_privilege", FUNC_KIND_FUNCTION, T(BOOL), has_privilege_fn, VOLATILITY_STABLE, T(TEXT), T(INT8), T(TEXT)),
    DEF("has_schema_privilege", FUNC_KIND_FUNCTION, T(BOOL), has_privilege_fn, VOLATILITY_STABLE, T(TEXT), T(TEXT)),
    DEF("has_schema_privilege", FUNC_KIND_FUNCTION, T(BOOL), has_privilege_fn, VOLATILITY_STABLE, T(TEXT), T(TEXT), T(TEXT)),
    F0("current_database", T(TEXT), current_database_fn, VOLATILITY_STABLE),
    F0("pg_backend_pid", T(INT4), pg_backend_pid_fn, VOLATILITY_STABLE),
    F0("txid_current", T(INT8), txid_current_fn, VOLATILITY_STABLE),
    F0("pg_current_xact_id", T(INT8), txid_current_fn, VOLATILITY_STABLE),
    F0("inet_client_addr", T(TEXT), inet_client_addr_fn, VOLATILITY_STABLE),
    F0("inet_client_port", T(INT4), inet_client_port_fn, VOLATILITY_STABLE),
    F0("inet_server_addr", T(TEXT), inet_server_addr_fn, VOLATILITY_STABLE),
    F0("inet_server_port", T(INT4), inet_server_port_fn, VOLATILITY_STABLE),
    F("length", T(INT4), length_fn, T(TEXT)),
    F("length", T(INT4), length_bpchar, T(BPCHAR)),
    F("length", T(INT4), octet_length_fn, T(BYTEA)),
    F("char_length", T(INT4), length_fn, T(TEXT)),
    F("character_length", T(INT4), length_fn, T(TEXT)),
    F("octet_length", T(INT4), octet_length_fn, T(BPCHAR)),
    F("octet_length", T(INT4), octet_length_fn, T(TEXT)),
    F("octet_length", T(INT4), octet_length_fn, T(BYTEA)),
    F("bit_length", T(INT4), bit_length_fn, T(TEXT)),
    F("lower", T(TEXT), lower_fn, T(TEXT)),
    F("upper", T(TEXT), upper_fn, T(TEXT)),
    F("initcap", T(TEXT), initcap_fn, T(TEXT)),
    F("substr", T(TEXT), substr2, T(TEXT), T(INT4)),
    F("substr", T(TEXT), substr3, T(TEXT), T(INT4), T(INT4)),
    F("substring", T(TEXT), substr2, T(TEXT), T(INT4)),
    F("substring", T(TEXT), substr3, T(TEXT), T(INT4), T(INT4)),
    F("substr", T(BYTEA), bytea_substr3, T(BYTEA), T(INT4), T(INT4)),
    F("position", T(INT4), strpos_fn, T(TEXT), T(TEXT)),
    F("strpos", T(INT4), strpos_fn, T(TEXT), T(TEXT)),
    F("replace", T(TEXT), replace_fn, T(TEXT), T(TEXT), T(TEXT)),
    F("btrim", T(TEXT), btrim_fn, T(TEXT)),
    F("btrim", T(TEXT), btrim_fn, T(TEXT), T(TEXT)),
    F("ltrim", T(TEXT), ltrim_fn, T(TEXT)),
    F("ltrim", T(TEXT), ltrim_fn, T(TEXT), T(TEXT)),
    F("rtrim", T(TEXT), rtrim_fn, T(TEXT)),
    F("rtrim", T(TEXT), rtrim_fn, T(TEXT), T(TEXT)),
    F("trim", T(TEXT), btrim_fn, T(TEXT)),
    F("trim", T(TEXT), btrim_fn, T(TEXT), T(TEXT)),
    F("lpad", T(TEXT), lpad_fn, T(TEXT), T(INT4)),
    F("lpad", T(TEXT), lpad_fn, T(TEXT), T(INT4), T(TEXT)),
    F("rpad", T(TEXT), rpad_fn, T(TEXT), T(INT4)),
    F("rpad", T(TEXT), rpad_fn, T(TEXT), T(INT4), T(TEXT)),
    F("left", T(TEXT), left_fn, T(TEXT), T(INT4)),
    F("right", T(TEXT), right_fn, T(TEXT), T(INT4)),
    F("repeat", T(TEXT), repeat_fn, T(TEXT), T(INT4)),
    F("reverse", T(TEXT), reverse_fn, T(TEXT)),
    F("split_part", T(TEXT), split_part_fn, T(TEXT), T(TEXT), T(INT4)),
    NONSTRICT_VARIADIC("concat", concat_fn, T(UNKNOWN)),
    NONSTRICT_VARIADIC("concat_ws", concat_ws_fn, T(TEXT), T(UNKNOWN)),
    NONSTRICT_VARIADIC("format", format_fn, T(TEXT), T(UNKNOWN)),
    F("md5", T(TEXT), md5_fn, T(TEXT)),
    F("md5", T(TEXT), md5_fn, T(BYTEA)),
    F("sha256", T(BYTEA), sha256_fn, T(BYTEA)),
    F("ascii", T(INT4), ascii_fn, T(TEXT)),
    F("chr", T(TEXT), chr_fn, T(INT4)),
    F("starts_with", T(BOOL), starts_with_fn, T(TEXT), T(TEXT)),
    F("translate", T(TEXT), translate_fn, T(TEXT), T(TEXT), T(TEXT)),
    F("regexp_replace", T(TEXT), regexp_replace_fn, T(TEXT), T(TEXT), T(TEXT)),
    F("regexp_replace", T(TEXT), regexp_replace_fn, T(TEXT), T(TEXT), T(TEXT), T(TEXT)),
    F("regexp_match", T(TEXT_ARRAY), regexp_match_fn, T(TEXT), T(TEXT)),
    F("regexp_match", T(TEXT_ARRAY), regexp_match_fn, T(TEXT), T(TEXT), T(TEXT)),
    F("regexp_like", T(BOOL), regexp_like_fn, T(TEXT), T(TEXT)),
    F("regexp_like", T(BOOL), regexp_like_fn, T(TEXT), T(TEXT), T(TEXT)),
    F("quote_ident", T(TEXT), quote_ident_fn, T(TEXT)),
    F("quote_literal", T(TEXT), quote_literal_fn, T(TEXT)),
    {.name = "quote_nullable",
     .kind = FUNC_KIND_FUNCTION,
     .arg_count = 1,
     .arg_types = {T(TEXT)},
     .result_type = T(TEXT),
     .fn = quote_nullable_fn,
     .strict = false,
     .volatility = VOLATILITY_IMMUTABLE},
    F("to_hex", T(TEXT), to_hex_fn, T(INT4)),
    F("to_hex", T(TEXT), to_hex_fn, T(INT8)),
    F("encode", T(TEXT), encode_fn, T(BYTEA), T(TEXT)),
    F("decode", T(BYTEA), decode_fn, T(TEXT), T(TEXT)),
    F("similar_to_escape", T(TEXT), similar_to_escape_fn, T(TEXT)),
    F("similar_to_escape", T(TEXT), similar_to_escape_fn, T(TEXT), T(TEXT)),
    F("substring", T(TEXT), substring_regex_fn, T(TEXT), T(TEXT)),
    F("substring", T(TEXT), substring_similar_fn, T(TEXT), T(TEXT), T(TEXT)),
    F("overlay", T(TEXT), overlay_fn, T(TEXT), T(TEXT), T(INT4)),
    F("overlay", T(TEXT), overlay_fn, T(TEXT), T(TEXT), T(INT4), T(INT4)),
    SRF_TEXT("regexp_split_to_table", regexp_split_step, true, T(TEXT), T(TEXT)),
    SRF_TEXT("regexp_split_to_table", regexp_split_step, true, T(TEXT), T(TEXT), T(TEXT)),
    SRF_TEXT("string_to_table", string_to_table_step, false, T(TEXT), T(TEXT)),
    SRF_TEXT("string_to_table", string_to_table_step, false, T(TEXT), T(TEXT), T(TEXT)),
};

const FuncDef *func_defs_string(int *count)
{
    *count = (int)(sizeof DEFS / sizeof DEFS[0]);
    return DEFS;
}
