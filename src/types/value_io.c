/*
 * types/value_io.c - text input and output of values (see value_io.h).
 *
 * One switch per direction dispatches on the type id; the scalar parsers
 * (integers, floats, booleans, bytea, uuid) live here, dates and times in
 * datetime.c, numeric in numeric.c and jsonb in jsonb.c.
 */
#include "types/value_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/array.h"
#include "types/enumtype.h"
#include "types/datetime.h"
#include "types/jsonb.h"
#include "types/numeric.h"
#include "types/typeinfo.h"
#include "util/limits.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **text, size_t *length)
{
    const char *p = *text;
    size_t n = *length;
    while (n > 0 && is_space(*p)) {
        p++;
        n--;
    }
    while (n > 0 && is_space(p[n - 1])) {
        n--;
    }
    *text = p;
    *length = n;
}

static int syntax_error(TypeId type, const char *text, size_t length, Error *err)
{
    return error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                     "invalid input syntax for type %s: \"%.*s\"", type_id_name(type),
                     (int)(length > 200 ? 200 : length), text);
}

int int_parse(const char *text, size_t length, TypeId type, int64_t *out, Error *err)
{
    const char *p = text;
    size_t n = length;
    trim(&p, &n);
    bool negative = false;
    size_t pos = 0;
    if (pos < n && (p[pos] == '+' || p[pos] == '-')) {
        negative = p[pos] == '-';
        pos++;
    }
    if (pos == n) {
        return syntax_error(type, text, length, err);
    }
    uint64_t magnitude = 0;
    bool overflow = false;
    for (; pos < n; pos++) {
        char c = p[pos];
        if (c < '0' || c > '9') {
            return syntax_error(type, text, length, err);
        }
        if (magnitude > (UINT64_MAX - 9) / 10) {
            overflow = true;
        } else {
            magnitude = magnitude * 10 + (uint64_t)(c - '0');
        }
    }
    int64_t max = type == TYPE_INT2 ? INT16_MAX : (type == TYPE_INT4 ? INT32_MAX : INT64_MAX);
    uint64_t limit = (uint64_t)max + (negative ? 1 : 0);
    if (type == TYPE_OID) {
        /* PostgreSQL's oidin: 0 .. 4294967295, and negatives down to
         * -2147483648 read as their unsigned 32-bit form */
        limit = negative ? (uint64_t)INT32_MAX + 1 : UINT32_MAX;
    }
    if (overflow || magnitude > limit) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                         "value \"%.*s\" is out of range for type %s",
                         (int)(length > 200 ? 200 : length), text, type_id_name(type));
    }
    *out = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    if (type == TYPE_OID) {
        *out = (int64_t)(uint32_t)*out;
    }
    return STRATA_OK;
}

static bool ascii_ieq(const char *a, size_t a_len, const char *lit)
{
    size_t n = strlen(lit);
    if (a_len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != lit[i]) {
            return false;
        }
    }
    return true;
}

int float_parse(const char *text, size_t length, TypeId type, double *out, Error *err)
{
    const char *p = text;
    size_t n = length;
    trim(&p, &n);
    const char *body = p;
    size_t body_n = n;
    bool negative = false;
    if (body_n > 0 && (*body == '+' || *body == '-')) {
        negative = *body == '-';
        body++;
        body_n--;
    }
    if (ascii_ieq(p, n, "nan")) {
        *out = NAN;
        return STRATA_OK;
    }
    if (ascii_ieq(body, body_n, "infinity") || ascii_ieq(body, body_n, "inf")) {
        *out = negative ? -INFINITY : INFINITY;
        return STRATA_OK;
    }
    char buf[512];
    if (n == 0 || n >= sizeof buf) {
        return syntax_error(type, text, length, err);
    }
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
            return syntax_error(type, text, length, err);
        }
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double value = type == TYPE_FLOAT4 ? (double)strtof(buf, &end) : strtod(buf, &end);
    if (end != buf + n) {
        return syntax_error(type, text, length, err);
    }
    if (errno == ERANGE && (isinf(value) || value == 0)) {
        /* PostgreSQL reports underflow to zero too, unless the input was zero. */
        bool all_zero = true;
        for (size_t i = 0; i < n && buf[i] != 'e' && buf[i] != 'E'; i++) {
            if (buf[i] >= '1' && buf[i] <= '9') {
                all_zero = false;
            }
        }
        if (!all_zero) {
            return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                             "\"%.*s\" is out of range for type %s", (int)length, text,
                             type == TYPE_FLOAT4 ? "real" : "double precision");
        }
    }
    *out = value;
    return STRATA_OK;
}

/* PostgreSQL's shortest output: fixed notation for decimal exponents in
 * [-4, digits_threshold), else d.ddde+XX. */
static int float_format_common(double value, bool is_float4, char *buf)
{
    if (isnan(value)) {
        return (int)(strcpy(buf, "NaN"), 3);
    }
    if (isinf(value)) {
        return value > 0 ? (int)(strcpy(buf, "Infinity"), 8) : (int)(strcpy(buf, "-Infinity"), 9);
    }
    if (value == 0) {
        return signbit(value) ? (int)(strcpy(buf, "-0"), 2) : (int)(strcpy(buf, "0"), 1);
    }
    char tmp[48];
    int precision;
    for (precision = 0; precision < 17; precision++) {
        snprintf(tmp, sizeof tmp, "%.*e", precision, value);
        if (is_float4 ? strtof(tmp, NULL) == (float)value : strtod(tmp, NULL) == value) {
            break;
        }
    }
    snprintf(tmp, sizeof tmp, "%.*e", precision, value);
    /* tmp = [-]d[.ddd]e[+-]XX */
    char digits[24];
    int digit_count = 0;
    const char *p = tmp;
    bool negative = *p == '-';
    if (negative) {
        p++;
    }
    for (; *p != 'e'; p++) {
        if (*p != '.') {
            digits[digit_count++] = *p;
        }
    }
    int exponent = atoi(p + 1);
    while (digit_count > 1 && digits[digit_count - 1] == '0') {
        digit_count--;
    }
    int threshold = is_float4 ? 6 : 15;
    int length = 0;
    if (negative) {
        buf[length++] = '-';
    }
    if (exponent < -4 || exponent >= threshold) {
        buf[length++] = digits[0];
        if (digit_count > 1) {
            buf[length++] = '.';
            memcpy(buf + length, digits + 1, (size_t)digit_count - 1);
            length += digit_count - 1;
        }
        length += sprintf(buf + length, "e%c%02d", exponent < 0 ? '-' : '+', abs(exponent));
        return length;
    }
    if (exponent < 0) {
        buf[length++] = '0';
        buf[length++] = '.';
        for (int i = -1; i > exponent; i--) {
            buf[length++] = '0';
        }
        memcpy(buf + length, digits, (size_t)digit_count);
        length += digit_count;
    } else {
        for (int i = 0; i <= exponent || i < digit_count; i++) {
            if (i == exponent + 1) {
                buf[length++] = '.';
            }
            buf[length++] = i < digit_count ? digits[i] : '0';
        }
    }
    buf[length] = '\0';
    return length;
}

int float8_format(double value, char *buf)
{
    return float_format_common(value, false, buf);
}
int float4_format(double value, char *buf)
{
    return float_format_common(value, true, buf);
}

int bool_parse(const char *text, size_t length, bool *out, Error *err)
{
    const char *p = text;
    size_t n = length;
    trim(&p, &n);
    static const struct {
        const char *word;
        size_t min_prefix;
        bool value;
    } WORDS[] = {{"true", 1, true}, {"false", 1, false}, {"yes", 1, true}, {"no", 1, false},
                 {"on", 2, true},   {"off", 2, false},   {"1", 1, true},   {"0", 1, false}};
    for (size_t w = 0; w < sizeof WORDS / sizeof WORDS[0]; w++) {
        size_t word_length = strlen(WORDS[w].word);
        if (n < WORDS[w].min_prefix || n > word_length) {
            continue;
        }
        bool match = true;
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            if (c >= 'A' && c <= 'Z') {
                c = (char)(c - 'A' + 'a');
            }
            if (c != WORDS[w].word[i]) {
                match = false;
                break;
            }
        }
        if (match) {
            *out = WORDS[w].value;
            return STRATA_OK;
        }
    }
    return syntax_error(TYPE_BOOL, text, length, err);
}

int64_t utf8_char_count(const char *bytes, size_t length)
{
    /* Characters = bytes that are not continuation bytes (10xxxxxx); eight
     * bytes at a time: a byte is a continuation byte when its bit 7 is set
     * and its bit 6 is clear. Every CHAR(n)/VARCHAR(n) value is counted on
     * its way into a table, so this was 7% of a bulk load. */
    size_t continuation = 0, i = 0;
    while (i + 8 <= length) {
        /* Per-byte sums of the marks in one word (at most 255 words, so no
         * lane overflows), then one horizontal add: no popcount per word
         * (without -mpopcnt that is a libgcc call). */
        uint64_t sums = 0;
        size_t words = (length - i) / 8 > 255 ? 255 : (length - i) / 8;
        for (size_t w = 0; w < words; w++, i += 8) {
            uint64_t word;
            memcpy(&word, bytes + i, 8);
            sums += (word >> 7) & ~(word >> 6) & 0x0101010101010101ULL;
        }
        uint64_t pairs = (sums & 0x00FF00FF00FF00FFULL) + ((sums >> 8) & 0x00FF00FF00FF00FFULL);
        continuation += (size_t)((pairs * 0x0001000100010001ULL) >> 48);
    }
    for (; i < length; i++) {
        continuation += ((unsigned char)bytes[i] & 0xC0) == 0x80;
    }
    return (int64_t)(length - continuation);
}

/* Byte offset of the first `chars` characters. */
static size_t utf8_prefix_bytes(const char *bytes, size_t length, int64_t chars)
{
    size_t i = 0;
    int64_t seen = 0;
    while (i < length) {
        if (((unsigned char)bytes[i] & 0xC0) != 0x80) {
            if (seen == chars) {
                break;
            }
            seen++;
        }
        i++;
    }
    return i;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static int bytea_parse(const char *text, size_t length, Arena *arena, StrRef *out, Error *err)
{
    char *bytes = arena_alloc(arena, length + 1);
    if (bytes == NULL) {
        return arena_error(arena, err);
    }
    size_t count = 0;
    if (length >= 2 && text[0] == '\\' && text[1] == 'x') {
        for (size_t i = 2; i < length;) {
            if (is_space(text[i])) {
                i++;
                continue;
            }
            int high = hex_value(text[i]);
            if (high < 0) {
                return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                 "invalid hexadecimal digit: \"%c\"", text[i]);
            }
            if (i + 1 >= length || hex_value(text[i + 1]) < 0) {
                if (i + 1 >= length) {
                    return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                     "invalid hexadecimal data: odd number of digits");
                }
                return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                 "invalid hexadecimal digit: \"%c\"", text[i + 1]);
            }
            bytes[count++] = (char)(high * 16 + hex_value(text[i + 1]));
            i += 2;
        }
    } else {
        for (size_t i = 0; i < length;) {
            if (text[i] != '\\') {
                bytes[count++] = text[i++];
            } else if (i + 1 < length && text[i + 1] == '\\') {
                bytes[count++] = '\\';
                i += 2;
            } else if (i + 3 < length + 0 && text[i + 1] >= '0' && text[i + 1] <= '3' &&
                       text[i + 2] >= '0' && text[i + 2] <= '7' && text[i + 3] >= '0' &&
                       text[i + 3] <= '7') {
                bytes[count++] = (char)((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                        (text[i + 3] - '0'));
                i += 4;
            } else {
                return syntax_error(TYPE_BYTEA, text, length, err);
            }
        }
    }
    out->ptr = bytes;
    out->len = (uint32_t)count;
    return STRATA_OK;
}

static int uuid_parse(const char *text, size_t length, Uuid *out, Error *err)
{
    const char *p = text;
    size_t n = length;
    if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
        p++;
        n -= 2;
    }
    int nibbles = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '-' && nibbles > 0 && nibbles % 4 == 0 && nibbles < 32 && i + 1 < n &&
            p[i + 1] != '-') {
            continue;
        }
        int v = hex_value(p[i]);
        if (v < 0 || nibbles >= 32) {
            return syntax_error(TYPE_UUID, text, length, err);
        }
        if (nibbles % 2 == 0) {
            out->bytes[nibbles / 2] = (uint8_t)(v << 4);
        } else {
            out->bytes[nibbles / 2] |= (uint8_t)v;
        }
        nibbles++;
    }
    if (nibbles != 32) {
        return syntax_error(TYPE_UUID, text, length, err);
    }
    return STRATA_OK;
}

static int copy_string(const char *text, size_t length, Arena *arena, StrRef *out, Error *err)
{
    if (length > LIMIT_VALUE_BYTES) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "value too large (%zu bytes)",
                         length);
    }
    char *copy = arena_alloc(arena, length + 1);
    if (copy == NULL) {
        return arena_error(arena, err);
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    out->ptr = copy;
    out->len = (uint32_t)length;
    return STRATA_OK;
}

int value_parse(SqlType type, const char *text, size_t length, Arena *arena, Value *out, Error *err)
{
    return value_parse_tz(type, text, length, NULL, arena, out, err);
}

int value_parse_tz(SqlType type, const char *text, size_t length, const char *timezone,
                   Arena *arena, Value *out, Error *err)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    if (type_is_array(type.id)) {
        /* the element typmod is applied element by element */
        return array_parse(type, text, length, timezone, arena, &out->str, err);
    }
    if (type_vector_array(type.id) != TYPE_COUNT) {
        return vector_parse(type, text, length, arena, &out->str, err);
    }
    if (type.id == TYPE_ENUM) {
        return enum_input(type, text, length, arena, &out->str, err);
    }
    int rc = STRATA_OK;
    switch (type.id) {
    case TYPE_BOOL:
        rc = bool_parse(text, length, &out->b, err);
        break;
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_OID:
        rc = int_parse(text, length, type.id, &out->i64, err);
        break;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        rc = float_parse(text, length, type.id, &out->f64, err);
        break;
    case TYPE_NUMERIC: {
        Arena *previous = arena != NULL ? numeric_set_arena(arena) : NULL;
        rc = numeric_parse(text, length, &out->dec, err);
        if (arena != NULL) {
            numeric_set_arena(previous);
        }
        if (rc != STRATA_OK && error_is_set(err) && strcmp(err->sqlstate, "22P02") == 0) {
            rc = syntax_error(TYPE_NUMERIC, text, length, err);
        }
        break;
    }
    case TYPE_UNKNOWN:
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
        rc = copy_string(text, length, arena, &out->str, err);
        break;
    case TYPE_BYTEA:
        rc = bytea_parse(text, length, arena, &out->str, err);
        break;
    case TYPE_UUID:
        rc = uuid_parse(text, length, &out->uuid, err);
        break;
    case TYPE_DATE:
        rc = date_parse(text, length, &out->i64, err);
        break;
    case TYPE_TIME:
        rc = time_parse(text, length, type.typmod, &out->i64, err);
        break;
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        rc = timestamp_parse(text, length, type.id == TYPE_TIMESTAMPTZ, timezone, type.typmod,
                             &out->i64, err);
        break;
    case TYPE_INTERVAL:
        rc = interval_parse(text, length, &out->iv, err);
        break;
    case TYPE_JSON:
        rc = json_validate(text, length, err);
        if (rc == STRATA_OK) {
            rc = copy_string(text, length, arena, &out->str, err);
        }
        break;
    case TYPE_JSONB:
        rc = jsonb_parse(text, length, arena, &out->str, err);
        break;
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "bad type id %d", (int)type.id);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (type.typmod >= 0 && type.id != TYPE_TIME && type.id != TYPE_TIMESTAMP &&
        type.id != TYPE_TIMESTAMPTZ) {
        return value_apply_typmod(out, type, false, arena, err);
    }
    return STRATA_OK;
}

static int bytea_format(StrRef bytes, Arena *arena, StrRef *out, Error *err)
{
    static const char HEX[] = "0123456789abcdef";
    size_t length = 2 + (size_t)bytes.len * 2;
    char *text = arena_alloc(arena, length + 1);
    if (text == NULL) {
        return arena_error(arena, err);
    }
    text[0] = '\\';
    text[1] = 'x';
    for (uint32_t i = 0; i < bytes.len; i++) {
        unsigned char c = (unsigned char)bytes.ptr[i];
        text[2 + 2 * i] = HEX[c >> 4];
        text[3 + 2 * i] = HEX[c & 15];
    }
    text[length] = '\0';
    out->ptr = text;
    out->len = (uint32_t)length;
    return STRATA_OK;
}

static int uuid_format(const Uuid *uuid, char *buf)
{
    static const char HEX[] = "0123456789abcdef";
    int length = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            buf[length++] = '-';
        }
        buf[length++] = HEX[uuid->bytes[i] >> 4];
        buf[length++] = HEX[uuid->bytes[i] & 15];
    }
    buf[length] = '\0';
    return length;
}

int value_format(const Value *v, Arena *arena, StrRef *out, Error *err)
{
    return value_format_tz(v, NULL, arena, out, err);
}

/* Decimal text of an integer (no snprintf: every integer a query returns as
 * text goes through here, and snprintf cost several hundred instructions). */
static int format_int64(int64_t value, char *buf)
{
    char digits[24];
    int count = 0;
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    int length = 0;
    if (value < 0) {
        buf[length++] = '-';
    }
    while (count > 0) {
        buf[length++] = digits[--count];
    }
    buf[length] = '\0';
    return length;
}

int value_format_tz(const Value *v, const char *timezone, Arena *arena, StrRef *out, Error *err)
{
    char buf[DATETIME_TEXT_MAX > NUMERIC_TEXT_MAX ? DATETIME_TEXT_MAX : NUMERIC_TEXT_MAX];
    int length = 0;
    if (type_is_array(v->type.id)) {
        return array_format(v->type, v->str, timezone, arena, out, err);
    }
    if (type_vector_array(v->type.id) != TYPE_COUNT) {
        return vector_format(v->type, v->str, arena, out, err);
    }
    if (v->type.id == TYPE_ENUM) {
        *out = enum_value_label(v->str);
        return STRATA_OK;
    }
    switch (v->type.id) {
    case TYPE_BOOL:
        length = (int)(strcpy(buf, v->b ? "t" : "f"), 1);
        break;
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_OID:
        length = format_int64(v->i64, buf);
        break;
    case TYPE_FLOAT4:
        length = float4_format(v->f64, buf);
        break;
    case TYPE_FLOAT8:
        length = float8_format(v->f64, buf);
        break;
    case TYPE_NUMERIC:
        if (numeric_is_big(&v->dec)) {
            char *text = arena_alloc(arena, numeric_text_size(&v->dec));
            if (text == NULL) {
                return arena_error(arena, err);
            }
            out->len = (uint32_t)numeric_format(&v->dec, text);
            out->ptr = text;
            return STRATA_OK;
        }
        length = numeric_format(&v->dec, buf);
        break;
    case TYPE_UUID:
        length = uuid_format(&v->uuid, buf);
        break;
    case TYPE_DATE:
        length = date_format(v->i64, buf);
        break;
    case TYPE_TIME:
        length = time_format(v->i64, buf);
        break;
    case TYPE_TIMESTAMP:
        length = timestamp_format(v->i64, buf);
        break;
    case TYPE_TIMESTAMPTZ:
        length = timestamptz_format(v->i64, timezone, buf);
        break;
    case TYPE_INTERVAL:
        length = interval_format(&v->iv, buf);
        break;
    case TYPE_BYTEA:
        return bytea_format(v->str, arena, out, err);
    case TYPE_JSONB:
        return jsonb_format(v->str, arena, out, err);
    case TYPE_UNKNOWN:
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_JSON:
        *out = v->str;
        return STRATA_OK;
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "bad type id %d", (int)v->type.id);
    }
    return copy_string(buf, (size_t)length, arena, out, err);
}

const char *value_to_cstring(const Value *v, Arena *arena)
{
    if (v->is_null) {
        return "NULL";
    }
    StrRef text;
    Error err;
    if (value_format(v, arena, &text, &err) != STRATA_OK) {
        return NULL;
    }
    return arena_strndup(arena, text.ptr, text.len);
}

/* Whether every byte is below 0x80 (so characters = bytes); eight at a time. */
static bool bytes_are_ascii(const char *bytes, size_t length)
{
    uint64_t high = 0;
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t word;
        memcpy(&word, bytes + i, 8);
        high |= word;
    }
    for (; i < length; i++) {
        high |= (unsigned char)bytes[i];
    }
    return (high & 0x8080808080808080ULL) == 0;
}

static int string_typmod(Value *v, SqlType target, bool is_explicit, Arena *arena, Error *err)
{
    int64_t max_chars = target.typmod;
    if (target.id == TYPE_VARCHAR && (int64_t)v->str.len <= max_chars) {
        return STRATA_OK; /* no more characters than bytes: fits, and varchar is not padded */
    }
    /* An ASCII value (most CHAR(n) values) needs no count: half the cost of
     * counting for a CHAR(120) value on its way into a table. */
    int64_t chars = bytes_are_ascii(v->str.ptr, v->str.len)
                        ? (int64_t)v->str.len
                        : utf8_char_count(v->str.ptr, v->str.len);
    if (chars > max_chars) {
        size_t keep = utf8_prefix_bytes(v->str.ptr, v->str.len, max_chars);
        if (!is_explicit) {
            for (size_t i = keep; i < v->str.len; i++) {
                if (v->str.ptr[i] != ' ') {
                    char name_buf[64];
                    snprintf(name_buf, sizeof name_buf, "%s(%d)",
                             target.id == TYPE_VARCHAR ? "character varying" : "character",
                             (int)target.typmod);
                    return error_set(err, SQLSTATE_STRING_DATA_RIGHT_TRUNCATION,
                                     "value too long for type %s", name_buf);
                }
            }
        }
        v->str.len = (uint32_t)keep;
        chars = max_chars;
    }
    if (target.id == TYPE_BPCHAR && chars < max_chars) {
        size_t pad = (size_t)(max_chars - chars);
        char *padded = arena_alloc(arena, v->str.len + pad + 1);
        if (padded == NULL) {
            return arena_error(arena, err);
        }
        memcpy(padded, v->str.ptr, v->str.len);
        memset(padded + v->str.len, ' ', pad);
        padded[v->str.len + pad] = '\0';
        v->str.ptr = padded;
        v->str.len += (uint32_t)pad;
    }
    return STRATA_OK;
}

int value_apply_typmod(Value *v, SqlType target, bool is_explicit, Arena *arena, Error *err)
{
    v->type = target;
    if (v->is_null || target.typmod < 0) {
        return STRATA_OK;
    }
    if (type_is_array(target.id)) {
        return array_apply_typmod(v, target, is_explicit, arena, err);
    }
    switch (target.id) {
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
        return string_typmod(v, target, is_explicit, arena, err);
    case TYPE_NUMERIC: {
        Arena *previous = arena != NULL ? numeric_set_arena(arena) : NULL;
        int rc = numeric_apply_typmod(&v->dec, target.typmod, err);
        if (arena != NULL) {
            numeric_set_arena(previous);
        }
        return rc;
    }
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: {
        if (target.typmod >= 6 || !DATETIME_IS_FINITE(v->i64)) {
            return STRATA_OK;
        }
        int64_t unit = 1;
        for (int i = target.typmod; i < 6; i++) {
            unit *= 10;
        }
        int64_t rem = v->i64 % unit;
        if (rem < 0) {
            rem += unit;
        }
        int64_t floor_value = v->i64 - rem;
        v->i64 = rem * 2 >= unit ? floor_value + unit : floor_value;
        return STRATA_OK;
    }
    default:
        return STRATA_OK;
    }
}
