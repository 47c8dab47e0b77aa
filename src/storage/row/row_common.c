/*
 * storage/row/row_common.c - helpers shared by the row table and the btree
 * index: KeyRange -> encoded bounds, cursor positioning within bounds, and
 * the text of unique-violation details.
 *
 * Bounds: a range on a key prefix P includes every key that starts with P,
 * so an inclusive high bound becomes "below the prefix successor of P" and
 * an exclusive low bound "at or above the successor of P".
 */
#include "storage/row/row_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "types/numeric.h"

static int encode_prefix(Arena *arena, const Value *values, const bool *descending, int count,
                         uint8_t **out, size_t *len, Error *err)
{
    return keycodec_encode(arena, values, descending, count, NULL, 0, out, len, err);
}

int row_bounds_make(Arena *arena, const KeyRange *range, const bool *descending,
                    const uint8_t *floor, size_t floor_len, KeyBounds *out, Error *err)
{
    memset(out, 0, sizeof *out);
    out->low = floor;
    out->low_len = floor_len;
    if (range == NULL) {
        return STRATA_OK;
    }
    uint8_t *key;
    size_t len;
    if (range->low_count > 0) {
        int rc = encode_prefix(arena, range->low, descending, range->low_count, &key, &len, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!range->low_inclusive) {
            if (!keycodec_prefix_successor(key, len, key, &len)) {
                out->is_empty = true;
                return STRATA_OK;
            }
        }
        if (btree_key_compare(key, len, floor, floor_len) > 0) {
            out->low = key;
            out->low_len = len;
        }
    }
    if (range->high_count > 0) {
        int rc = encode_prefix(arena, range->high, descending, range->high_count, &key, &len, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (range->high_inclusive) {
            if (keycodec_prefix_successor(key, len, key, &len)) {
                out->high = key;
                out->high_len = len;
            }
        } else {
            out->high = key;
            out->high_len = len;
        }
    }
    if (out->high != NULL &&
        btree_key_compare(out->low, out->low_len, out->high, out->high_len) >= 0) {
        out->is_empty = true;
    }
    return STRATA_OK;
}

int row_bounds_start(BTreeCursor *cursor, const KeyBounds *bounds, bool reverse, Error *err)
{
    if (bounds->is_empty) {
        btree_cursor_close(cursor);
        return STRATA_OK;
    }
    if (!reverse) {
        return btree_cursor_seek(cursor, bounds->low, bounds->low_len, BTREE_SEEK_GE, err);
    }
    if (bounds->high != NULL) {
        return btree_cursor_seek(cursor, bounds->high, bounds->high_len, BTREE_SEEK_LT, err);
    }
    return btree_cursor_last(cursor, err);
}

bool row_bounds_contain(const KeyBounds *bounds, const BTreeCursor *cursor, bool reverse)
{
    size_t len;
    const uint8_t *key = btree_cursor_key(cursor, &len);
    if (!reverse) {
        /* A forward scan started at low (row_bounds_start) and keys ascend. */
        return bounds->high == NULL || btree_key_compare(key, len, bounds->high, bounds->high_len) < 0;
    }
    if (btree_key_compare(key, len, bounds->low, bounds->low_len) < 0) {
        return false;
    }
    return bounds->high == NULL || btree_key_compare(key, len, bounds->high, bounds->high_len) < 0;
}

/* ---- Formatting for error details ---------------------------------------------- */

static void format_date(int64_t days, char *buf, size_t size)
{
    /* Civil-from-days on the proleptic Gregorian calendar; days are since 2000-01-01. */
    int64_t z = days + 730425;   /* days since 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    snprintf(buf, size, "%04" PRId64 "-%02" PRId64 "-%02" PRId64, year, month, day);
}

static void format_time(int64_t micros, char *buf, size_t size)
{
    int64_t secs = micros / 1000000, frac = micros % 1000000;
    int len = snprintf(buf, size, "%02" PRId64 ":%02" PRId64 ":%02" PRId64, secs / 3600,
                       secs / 60 % 60, secs % 60);
    if (frac != 0 && len > 0 && (size_t)len < size) {
        snprintf(buf + len, size - (size_t)len, ".%06" PRId64, frac);
        for (char *end = buf + strlen(buf) - 1; *end == '0'; end--) {
            *end = '\0';
        }
    }
}

static void format_timestamp(int64_t micros, bool with_zone, char *buf, size_t size)
{
    int64_t day_micros = INT64_C(86400000000);
    int64_t days = micros / day_micros, rest = micros % day_micros;
    if (rest < 0) {
        rest += day_micros;
        days--;
    }
    char date[32], time[32];
    format_date(days, date, sizeof date);
    format_time(rest, time, sizeof time);
    snprintf(buf, size, "%s %s%s", date, time, with_zone ? "+00" : "");
}

static void format_decimal(const Decimal *dec, char *buf, size_t size)
{
    if (dec->flags != DECIMAL_FINITE) {
        snprintf(buf, size, "%s", dec->flags == DECIMAL_NAN ? "NaN"
                                  : dec->flags == DECIMAL_POS_INF ? "Infinity" : "-Infinity");
        return;
    }
    char digits[48];
    int count = 0;
    unsigned __int128 magnitude = dec->coef < 0 ? (unsigned __int128)(-dec->coef)
                                                : (unsigned __int128)dec->coef;
    do {
        digits[count++] = (char)('0' + (int)(magnitude % 10));
        magnitude /= 10;
    } while (magnitude > 0 || count <= dec->scale);
    size_t pos = 0;
    if (dec->coef < 0 && pos + 1 < size) {
        buf[pos++] = '-';
    }
    for (int index = count - 1; index >= 0 && pos + 2 < size; index--) {
        buf[pos++] = digits[index];
        if (index == dec->scale && index > 0) {
            buf[pos++] = '.';
        }
    }
    buf[pos] = '\0';
}

static void format_value(const Value *value, char *buf, size_t size, Arena *arena,
                         const char **long_text)
{
    *long_text = NULL;
    if (value->is_null) {
        snprintf(buf, size, "null");
        return;
    }
    switch (value->type.id) {
    case TYPE_BOOL:
        snprintf(buf, size, "%s", value->b ? "t" : "f");
        return;
    case TYPE_DATE:
        format_date(value->i64, buf, size);
        return;
    case TYPE_TIME:
        format_time(value->i64, buf, size);
        return;
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        format_timestamp(value->i64, value->type.id == TYPE_TIMESTAMPTZ, buf, size);
        return;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        if (isnan(value->f64)) {
            snprintf(buf, size, "NaN");
        } else if (isinf(value->f64)) {
            snprintf(buf, size, "%s", value->f64 > 0 ? "Infinity" : "-Infinity");
        } else {
            snprintf(buf, size, "%.*g", value->type.id == TYPE_FLOAT4 ? 9 : 17, value->f64);
        }
        return;
    case TYPE_NUMERIC:
        if (numeric_is_big(&value->dec)) {
            char *text = arena_alloc(arena, numeric_text_size(&value->dec));
            if (text != NULL) {
                numeric_format(&value->dec, text);
            }
            *long_text = text;
            return;
        }
        format_decimal(&value->dec, buf, size);
        return;
    case TYPE_INTERVAL:
        snprintf(buf, size, "%d mons %d days %" PRId64 " us", value->iv.months, value->iv.days,
                 value->iv.micros);
        return;
    case TYPE_UUID: {
        const uint8_t *b = value->uuid.bytes;
        snprintf(buf, size,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                 b[14], b[15]);
        return;
    }
    case TYPE_BYTEA: {
        size_t len = value->str.len < 64 ? value->str.len : 64;
        size_t pos = (size_t)snprintf(buf, size, "\\x");
        for (size_t index = 0; index < len && pos + 3 < size; index++) {
            pos += (size_t)snprintf(buf + pos, size - pos, "%02x", (uint8_t)value->str.ptr[index]);
        }
        return;
    }
    default:
        break;
    }
    if (type_phys(value->type.id) == PHYS_STRING) {
        *long_text = arena_strndup(arena, value->str.ptr, value->str.len);
        return;
    }
    snprintf(buf, size, "%" PRId64, value->i64);
}

const char *row_format_values(Arena *arena, const Value *values, int count)
{
    char *text = arena_strdup(arena, "(");
    for (int col = 0; col < count && text != NULL; col++) {
        char buf[128];
        const char *long_text;
        format_value(&values[col], buf, sizeof buf, arena, &long_text);
        text = arena_sprintf(arena, "%s%s%s", text, col > 0 ? ", " : "",
                             long_text != NULL ? long_text : buf);
    }
    return text != NULL ? arena_sprintf(arena, "%s)", text) : "(?)";
}

const char *row_format_names(Arena *arena, const char *const *names, int count)
{
    char *text = arena_strdup(arena, "");
    for (int col = 0; col < count && text != NULL; col++) {
        const char *name = names != NULL && names[col] != NULL ? names[col] : "?";
        text = arena_sprintf(arena, "%s%s%s", text, col > 0 ? ", " : "", name);
    }
    return text != NULL ? text : "?";
}
