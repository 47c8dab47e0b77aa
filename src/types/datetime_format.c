/*
 * types/datetime_format.c - to_char(timestamp/date/interval, fmt) and
 * to_timestamp / to_date (see datetime.h).
 *
 * A format is scanned left to right; at each position the longest template
 * pattern that matches (case-sensitively, so Month / MONTH / month differ) is
 * expanded, an "FM" prefix suppresses padding, double-quoted text and
 * backslash escapes are copied, and any other character is copied as is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "types/datetime.h"

typedef enum Pattern {
    PAT_NONE,
    PAT_HH24,
    PAT_HH12,
    PAT_HH,
    PAT_MI,
    PAT_SSSS,
    PAT_SS,
    PAT_MS,
    PAT_US,
    PAT_AM_UPPER,
    PAT_PM_UPPER,
    PAT_AM_LOWER,
    PAT_PM_LOWER,
    PAT_A_M_UPPER,
    PAT_P_M_UPPER,
    PAT_A_M_LOWER,
    PAT_P_M_LOWER,
    PAT_Y_YYY,
    PAT_YYYY,
    PAT_YYY,
    PAT_YY,
    PAT_Y,
    PAT_IYYY,
    PAT_MONTH_UPPER,
    PAT_MONTH_CAP,
    PAT_MONTH_LOWER,
    PAT_MON_UPPER,
    PAT_MON_CAP,
    PAT_MON_LOWER,
    PAT_MM,
    PAT_DAY_UPPER,
    PAT_DAY_CAP,
    PAT_DAY_LOWER,
    PAT_DY_UPPER,
    PAT_DY_CAP,
    PAT_DY_LOWER,
    PAT_DDD,
    PAT_DD,
    PAT_D,
    PAT_ID,
    PAT_IW,
    PAT_WW,
    PAT_W,
    PAT_Q,
    PAT_J,
    PAT_CC,
    PAT_TZ_UPPER,
    PAT_TZ_LOWER,
    PAT_OF,
    PAT_BC_UPPER,
    PAT_AD_UPPER,
} Pattern;

static const struct {
    const char *text;
    Pattern pattern;
} PATTERNS[] = {
    /* longest first where one is a prefix of another */
    {"HH24", PAT_HH24},
    {"HH12", PAT_HH12},
    {"HH", PAT_HH},
    {"MI", PAT_MI},
    {"SSSS", PAT_SSSS},
    {"SS", PAT_SS},
    {"MS", PAT_MS},
    {"US", PAT_US},
    {"A.M.", PAT_A_M_UPPER},
    {"P.M.", PAT_P_M_UPPER},
    {"a.m.", PAT_A_M_LOWER},
    {"p.m.", PAT_P_M_LOWER},
    {"AM", PAT_AM_UPPER},
    {"PM", PAT_PM_UPPER},
    {"am", PAT_AM_LOWER},
    {"pm", PAT_PM_LOWER},
    {"Y,YYY", PAT_Y_YYY},
    {"YYYY", PAT_YYYY},
    {"YYY", PAT_YYY},
    {"YY", PAT_YY},
    {"IYYY", PAT_IYYY},
    {"MONTH", PAT_MONTH_UPPER},
    {"Month", PAT_MONTH_CAP},
    {"month", PAT_MONTH_LOWER},
    {"MON", PAT_MON_UPPER},
    {"Mon", PAT_MON_CAP},
    {"mon", PAT_MON_LOWER},
    {"MM", PAT_MM},
    {"DAY", PAT_DAY_UPPER},
    {"Day", PAT_DAY_CAP},
    {"day", PAT_DAY_LOWER},
    {"DY", PAT_DY_UPPER},
    {"Dy", PAT_DY_CAP},
    {"dy", PAT_DY_LOWER},
    {"DDD", PAT_DDD},
    {"DD", PAT_DD},
    {"ID", PAT_ID},
    {"IW", PAT_IW},
    {"WW", PAT_WW},
    {"CC", PAT_CC},
    {"BC", PAT_BC_UPPER},
    {"AD", PAT_AD_UPPER},
    {"TZ", PAT_TZ_UPPER},
    {"tz", PAT_TZ_LOWER},
    {"OF", PAT_OF},
    {"D", PAT_D},
    {"W", PAT_W},
    {"Q", PAT_Q},
    {"J", PAT_J},
    {"Y", PAT_Y},
};

static const char *const MONTHS[12] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
static const char *const DAYS[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                    "Thursday", "Friday", "Saturday"};

/* Numeric patterns match in any case (hh24, yyyy); names, AM/PM, TZ and
 * BC/AD do not, since their case selects the output's case. */
static bool case_sensitive(Pattern p)
{
    return (p >= PAT_AM_UPPER && p <= PAT_P_M_LOWER) ||
           (p >= PAT_MONTH_UPPER && p <= PAT_MON_LOWER) ||
           (p >= PAT_DAY_UPPER && p <= PAT_DY_LOWER) || p == PAT_TZ_UPPER || p == PAT_TZ_LOWER ||
           p == PAT_BC_UPPER || p == PAT_AD_UPPER;
}

static Pattern match_pattern(const char *format, size_t remaining, size_t *length)
{
    for (size_t i = 0; i < sizeof PATTERNS / sizeof PATTERNS[0]; i++) {
        size_t n = strlen(PATTERNS[i].text);
        if (n <= remaining && memcmp(format, PATTERNS[i].text, n) == 0) {
            *length = n;
            return PATTERNS[i].pattern;
        }
    }
    for (size_t i = 0; i < sizeof PATTERNS / sizeof PATTERNS[0]; i++) {
        size_t n = strlen(PATTERNS[i].text);
        if (!case_sensitive(PATTERNS[i].pattern) && n <= remaining &&
            strncasecmp(format, PATTERNS[i].text, n) == 0) {
            *length = n;
            return PATTERNS[i].pattern;
        }
    }
    return PAT_NONE;
}

typedef struct Out {
    char *buf;
    size_t length, cap;
} Out;

static void out_text(Out *o, const char *text, size_t n)
{
    if (o->length + n < o->cap) {
        memcpy(o->buf + o->length, text, n);
        o->length += n;
    }
}

static void out_number(Out *o, int64_t value, int width, bool fill_mode)
{
    char tmp[32];
    int n = fill_mode ? snprintf(tmp, sizeof tmp, "%lld", (long long)value)
                      : snprintf(tmp, sizeof tmp, "%0*lld", value < 0 ? width + 1 : width,
                                 (long long)value);
    out_text(o, tmp, (size_t)n);
}

/* Writes a name in the case style of the pattern, padded to 9 unless FM. */
static void out_name(Out *o, const char *name, int style, bool abbreviate, bool fill_mode)
{
    char tmp[16];
    size_t n = abbreviate ? 3 : strlen(name);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (style == 0 && c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        } else if (style == 2 && c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        tmp[i] = c;
    }
    if (!abbreviate && !fill_mode) {
        while (n < 9) {
            tmp[n++] = ' ';
        }
    }
    out_text(o, tmp, n);
}

typedef struct Parts {
    int64_t year, days, time_of_day;
    int month, day;
    int32_t offset;
    bool has_zone, is_interval;
    int64_t interval_hours;
    const char *zone;
    int64_t utc;
} Parts;

static void emit(Out *o, Pattern pattern, const Parts *p, bool fm)
{
    int64_t t = p->time_of_day;
    int hour = p->is_interval ? (int)p->interval_hours : (int)(t / USECS_PER_HOUR);
    int minute = (int)(t / USECS_PER_MINUTE % 60), second = (int)(t / USECS_PER_SEC % 60);
    int micros = (int)(t % USECS_PER_SEC);
    int64_t display_year = p->year > 0 ? p->year : 1 - p->year;
    int dow = date_day_of_week(p->days);
    int64_t doy = p->days - date_from_ymd_raw(p->year, 1, 1) + 1;
    bool pm = hour % 24 >= 12;
    int hour12 = hour % 12 == 0 ? 12 : hour % 12;
    switch (pattern) {
    case PAT_HH24:
        out_number(o, hour, 2, fm);
        break;
    case PAT_HH12:
    case PAT_HH:
        out_number(o, hour12, 2, fm);
        break;
    case PAT_MI:
        out_number(o, minute, 2, fm);
        break;
    case PAT_SS:
        out_number(o, second, 2, fm);
        break;
    case PAT_SSSS:
        out_number(o, t / USECS_PER_SEC, 1, true);
        break;
    case PAT_MS:
        out_number(o, micros / 1000, 3, fm);
        break;
    case PAT_US:
        out_number(o, micros, 6, fm);
        break;
    case PAT_AM_UPPER:
    case PAT_PM_UPPER:
        out_text(o, pm ? "PM" : "AM", 2);
        break;
    case PAT_AM_LOWER:
    case PAT_PM_LOWER:
        out_text(o, pm ? "pm" : "am", 2);
        break;
    case PAT_A_M_UPPER:
    case PAT_P_M_UPPER:
        out_text(o, pm ? "P.M." : "A.M.", 4);
        break;
    case PAT_A_M_LOWER:
    case PAT_P_M_LOWER:
        out_text(o, pm ? "p.m." : "a.m.", 4);
        break;
    case PAT_Y_YYY: {
        char tmp[32];
        int n = snprintf(tmp, sizeof tmp, "%lld,%03lld", (long long)(display_year / 1000),
                         (long long)(display_year % 1000));
        out_text(o, tmp, (size_t)n);
        break;
    }
    case PAT_YYYY:
        out_number(o, display_year, 4, fm);
        break;
    case PAT_YYY:
        out_number(o, display_year % 1000, 3, fm);
        break;
    case PAT_YY:
        out_number(o, display_year % 100, 2, fm);
        break;
    case PAT_Y:
        out_number(o, display_year % 10, 1, fm);
        break;
    case PAT_IYYY: {
        int64_t thursday = p->days - (dow == 0 ? 7 : dow) + 4;
        int64_t y;
        int m, d;
        date_to_ymd(thursday, &y, &m, &d);
        out_number(o, y, 4, fm);
        break;
    }
    case PAT_MONTH_UPPER:
        out_name(o, MONTHS[p->month - 1], 0, false, fm);
        break;
    case PAT_MONTH_CAP:
        out_name(o, MONTHS[p->month - 1], 1, false, fm);
        break;
    case PAT_MONTH_LOWER:
        out_name(o, MONTHS[p->month - 1], 2, false, fm);
        break;
    case PAT_MON_UPPER:
        out_name(o, MONTHS[p->month - 1], 0, true, fm);
        break;
    case PAT_MON_CAP:
        out_name(o, MONTHS[p->month - 1], 1, true, fm);
        break;
    case PAT_MON_LOWER:
        out_name(o, MONTHS[p->month - 1], 2, true, fm);
        break;
    case PAT_MM:
        out_number(o, p->month, 2, fm);
        break;
    case PAT_DAY_UPPER:
        out_name(o, DAYS[dow], 0, false, fm);
        break;
    case PAT_DAY_CAP:
        out_name(o, DAYS[dow], 1, false, fm);
        break;
    case PAT_DAY_LOWER:
        out_name(o, DAYS[dow], 2, false, fm);
        break;
    case PAT_DY_UPPER:
        out_name(o, DAYS[dow], 0, true, fm);
        break;
    case PAT_DY_CAP:
        out_name(o, DAYS[dow], 1, true, fm);
        break;
    case PAT_DY_LOWER:
        out_name(o, DAYS[dow], 2, true, fm);
        break;
    case PAT_DDD:
        out_number(o, doy, 3, fm);
        break;
    case PAT_DD:
        out_number(o, p->day, 2, fm);
        break;
    case PAT_D:
        out_number(o, dow + 1, 1, fm);
        break;
    case PAT_ID:
        out_number(o, dow == 0 ? 7 : dow, 1, fm);
        break;
    case PAT_IW: {
        int64_t thursday = p->days - (dow == 0 ? 7 : dow) + 4;
        int64_t y;
        int m, d;
        date_to_ymd(thursday, &y, &m, &d);
        out_number(o, (thursday - date_from_ymd_raw(y, 1, 1)) / 7 + 1, 2, fm);
        break;
    }
    case PAT_WW:
        out_number(o, (doy - 1) / 7 + 1, 2, fm);
        break;
    case PAT_W:
        out_number(o, (p->day - 1) / 7 + 1, 1, fm);
        break;
    case PAT_Q:
        out_number(o, (p->month - 1) / 3 + 1, 1, fm);
        break;
    case PAT_J:
        out_number(o, p->days + 2451545, 1, true);
        break;
    case PAT_CC:
        out_number(o, p->year > 0 ? (p->year + 99) / 100 : -((99 - (p->year - 1)) / 100), 2, fm);
        break;
    case PAT_BC_UPPER:
    case PAT_AD_UPPER:
        out_text(o, p->year > 0 ? "AD" : "BC", 2);
        break;
    case PAT_TZ_UPPER:
    case PAT_TZ_LOWER:
    case PAT_OF: {
        if (!p->has_zone) {
            break;
        }
        int32_t off = p->offset < 0 ? -p->offset : p->offset;
        char tmp[64];
        int n;
        if (pattern == PAT_OF) {
            n = snprintf(tmp, sizeof tmp, "%c%02d", p->offset < 0 ? '-' : '+', off / 3600);
            if (off % 3600 != 0) {
                n += snprintf(tmp + n, sizeof tmp - (size_t)n, ":%02d", off / 60 % 60);
            }
        } else {
            n = tz_abbreviation(p->zone, p->utc, tmp, sizeof tmp);
            for (int i = 0; pattern == PAT_TZ_LOWER && i < n; i++) {
                if (tmp[i] >= 'A' && tmp[i] <= 'Z') {
                    tmp[i] = (char)(tmp[i] - 'A' + 'a');
                }
            }
        }
        out_text(o, tmp, (size_t)(n < 0 ? 0 : n));
        break;
    }
    case PAT_NONE:
        break;
    }
}

int datetime_to_char(const Value *v, const char *format, size_t format_length, const char *timezone,
                     Arena *arena, StrRef *out, Error *err)
{
    Parts p = {0};
    int64_t ts = 0;
    switch (v->type.id) {
    case TYPE_DATE:
        ts = v->i64 * USECS_PER_DAY;
        break;
    case TYPE_TIMESTAMP:
        ts = v->i64;
        break;
    case TYPE_TIMESTAMPTZ: {
        int rc = tz_offset_seconds(timezone, v->i64, &p.offset, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        p.has_zone = true;
        p.zone = timezone;
        p.utc = v->i64;
        ts = v->i64 + (int64_t)p.offset * USECS_PER_SEC;
        break;
    }
    case TYPE_INTERVAL:
        p.is_interval = true;
        p.interval_hours = v->iv.micros / USECS_PER_HOUR;
        p.time_of_day = v->iv.micros % USECS_PER_HOUR;
        if (p.time_of_day < 0) {
            p.time_of_day = -p.time_of_day;
        }
        p.year = v->iv.months / 12;
        p.month = v->iv.months % 12;
        p.day = v->iv.days;
        p.days = 0;
        break;
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "to_char of this type is not supported");
    }
    if (!p.is_interval) {
        if (!DATETIME_IS_FINITE(v->i64)) {
            out->ptr = "";
            out->len = 0;
            return STRATA_OK;
        }
        p.days = ts >= 0 ? ts / USECS_PER_DAY : -((-ts + USECS_PER_DAY - 1) / USECS_PER_DAY);
        p.time_of_day = ts - p.days * USECS_PER_DAY;
        date_to_ymd(p.days, &p.year, &p.month, &p.day);
    }
    size_t cap = format_length * 12 + 64;
    Out o = {arena_alloc(arena, cap), 0, cap};
    if (o.buf == NULL) {
        return arena_error(arena, err);
    }
    bool fm = false;
    for (size_t i = 0; i < format_length;) {
        if (format_length - i >= 2 &&
            (memcmp(format + i, "FM", 2) == 0 || memcmp(format + i, "fm", 2) == 0)) {
            fm = true;
            i += 2;
            continue;
        }
        if (format[i] == '"') {
            i++;
            while (i < format_length && format[i] != '"') {
                if (format[i] == '\\' && i + 1 < format_length) {
                    i++;
                }
                out_text(&o, format + i, 1);
                i++;
            }
            i++;
            continue;
        }
        if (format[i] == '\\' && i + 1 < format_length) {
            out_text(&o, format + i + 1, 1);
            i += 2;
            continue;
        }
        size_t n;
        Pattern pattern = match_pattern(format + i, format_length - i, &n);
        if (pattern == PAT_NONE) {
            out_text(&o, format + i, 1);
            i++;
        } else {
            emit(&o, pattern, &p, fm);
            i += n;
        }
        fm = false;
    }
    o.buf[o.length] = '\0';
    out->ptr = o.buf;
    out->len = (uint32_t)o.length;
    return STRATA_OK;
}

/* ---- to_timestamp / to_date ---- */

static int read_int(const char *text, size_t length, size_t *pos, int max_digits, int64_t *out)
{
    size_t i = *pos;
    bool negative = false;
    if (i < length && text[i] == '-') {
        negative = true;
        i++;
    }
    int64_t v = 0;
    int digits = 0;
    while (i < length && digits < max_digits && text[i] >= '0' && text[i] <= '9') {
        v = v * 10 + (text[i] - '0');
        i++;
        digits++;
    }
    if (digits == 0) {
        return -1;
    }
    *out = negative ? -v : v;
    *pos = i;
    return digits;
}

static int read_name(const char *text, size_t length, size_t *pos, const char *const *names,
                     int count, bool abbreviated)
{
    for (int k = 0; k < count; k++) {
        size_t n = abbreviated ? 3 : strlen(names[k]);
        if (*pos + n <= length && strncasecmp(text + *pos, names[k], n) == 0) {
            *pos += n;
            return k;
        }
    }
    return -1;
}

static int mismatch(const char *text, size_t length, Error *err)
{
    return error_set(err, SQLSTATE_INVALID_DATETIME_FORMAT, "invalid value \"%.*s\" for the format",
                     (int)(length > 100 ? 100 : length), text);
}

int datetime_to_timestamp(const char *text, size_t length, const char *format, size_t format_length,
                          const char *timezone, int64_t *out, Error *err)
{
    int64_t year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0, doy = 0;
    bool pm = false, has_ampm = false, has_zone = false, bc = false;
    int32_t offset = 0;
    size_t pos = 0;
    for (size_t i = 0; i < format_length;) {
        if (format_length - i >= 2 &&
            (memcmp(format + i, "FM", 2) == 0 || memcmp(format + i, "fm", 2) == 0)) {
            i += 2;
            continue;
        }
        size_t n;
        Pattern pattern = match_pattern(format + i, format_length - i, &n);
        if (pattern == PAT_NONE) {
            /* Separators match any one non-alphanumeric input character (or nothing). */
            if (format[i] == ' ') {
                while (pos < length && text[pos] == ' ') {
                    pos++;
                }
            } else if (pos < length && !(text[pos] >= '0' && text[pos] <= '9') &&
                       !((text[pos] | 32) >= 'a' && (text[pos] | 32) <= 'z')) {
                pos++;
            }
            i++;
            continue;
        }
        i += n;
        while (pos < length && text[pos] == ' ' && pattern != PAT_NONE) {
            pos++;
        }
        int64_t value = 0;
        int k = 0;
        int digits = 0;
        switch (pattern) {
        case PAT_YYYY:
        case PAT_IYYY: {
            /* Greedy only when a separator (or the end) follows in the format. */
            bool digit_follows =
                i < format_length && ((format[i] | 32) >= 'a' && (format[i] | 32) <= 'z');
            digits = read_int(text, length, &pos, digit_follows ? 4 : 9, &year);
            break;
        }
        case PAT_YYY:
            digits = read_int(text, length, &pos, 3, &year);
            if (digits > 0) {
                year += 2000;
            }
            break;
        case PAT_YY:
            digits = read_int(text, length, &pos, 2, &year);
            if (digits > 0) {
                year += year < 70 ? 2000 : 1900;
            }
            break;
        case PAT_Y:
            digits = read_int(text, length, &pos, 1, &year);
            if (digits > 0) {
                year += 2020;
            }
            break;
        case PAT_MM:
            digits = read_int(text, length, &pos, 2, &month);
            break;
        case PAT_DD:
            digits = read_int(text, length, &pos, 2, &day);
            break;
        case PAT_DDD:
            digits = read_int(text, length, &pos, 3, &doy);
            break;
        case PAT_HH24:
            digits = read_int(text, length, &pos, 2, &hour);
            break;
        case PAT_HH12:
        case PAT_HH:
            digits = read_int(text, length, &pos, 2, &hour);
            break;
        case PAT_MI:
            digits = read_int(text, length, &pos, 2, &minute);
            break;
        case PAT_SS:
            digits = read_int(text, length, &pos, 2, &second);
            break;
        case PAT_MS:
            digits = read_int(text, length, &pos, 3, &value);
            for (int d = digits; d < 3 && d > 0; d++) {
                value *= 10;
            }
            micros += value * 1000;
            break;
        case PAT_US:
            digits = read_int(text, length, &pos, 6, &value);
            for (int d = digits; d < 6 && d > 0; d++) {
                value *= 10;
            }
            micros += value;
            break;
        case PAT_MONTH_UPPER:
        case PAT_MONTH_CAP:
        case PAT_MONTH_LOWER:
            k = read_name(text, length, &pos, MONTHS, 12, false);
            digits = k < 0 ? -1 : 1;
            month = k + 1;
            break;
        case PAT_MON_UPPER:
        case PAT_MON_CAP:
        case PAT_MON_LOWER:
            k = read_name(text, length, &pos, MONTHS, 12, true);
            digits = k < 0 ? -1 : 1;
            month = k + 1;
            break;
        case PAT_DAY_UPPER:
        case PAT_DAY_CAP:
        case PAT_DAY_LOWER:
            digits = read_name(text, length, &pos, DAYS, 7, false) < 0 ? -1 : 1;
            break;
        case PAT_DY_UPPER:
        case PAT_DY_CAP:
        case PAT_DY_LOWER:
            digits = read_name(text, length, &pos, DAYS, 7, true) < 0 ? -1 : 1;
            break;
        case PAT_AM_UPPER:
        case PAT_PM_UPPER:
        case PAT_AM_LOWER:
        case PAT_PM_LOWER:
        case PAT_A_M_UPPER:
        case PAT_P_M_UPPER:
        case PAT_A_M_LOWER:
        case PAT_P_M_LOWER: {
            has_ampm = true;
            size_t width = (pattern >= PAT_A_M_UPPER) ? 4 : 2;
            digits = -1;
            if (pos + width <= length) {
                char c = (char)(text[pos] | 32);
                pm = c == 'p';
                digits = (c == 'a' || c == 'p') ? 1 : -1;
                pos += width;
            }
            break;
        }
        case PAT_BC_UPPER:
        case PAT_AD_UPPER:
            digits = -1;
            if (pos + 2 <= length) {
                bc = (text[pos] | 32) == 'b';
                pos += 2;
                digits = 1;
            }
            break;
        case PAT_TZ_UPPER:
        case PAT_TZ_LOWER:
        case PAT_OF: {
            size_t start = pos;
            while (pos < length && text[pos] != ' ') {
                pos++;
            }
            char zone[64];
            size_t zn = pos - start < sizeof zone - 1 ? pos - start : sizeof zone - 1;
            memcpy(zone, text + start, zn);
            zone[zn] = '\0';
            if (tz_offset_seconds(zone, 0, &offset, err) != STRATA_OK) {
                return STRATA_ERROR;
            }
            has_zone = true;
            digits = 1;
            break;
        }
        default:
            digits = 0; /* patterns without input meaning (J, Q, W, ...) are skipped */
            break;
        }
        if (digits < 0) {
            return mismatch(text, length, err);
        }
    }
    if (has_ampm) {
        if (hour < 1 || hour > 12) {
            return error_set(err, SQLSTATE_INVALID_DATETIME_FORMAT,
                             "hour \"%lld\" is invalid for the 12-hour clock", (long long)hour);
        }
        hour = hour % 12 + (pm ? 12 : 0);
    }
    if (bc) {
        year = -year;
    }
    int64_t days;
    int rc;
    if (doy > 0) {
        rc = datetime_make_date(year, 1, 1, &days, err);
        days += doy - 1;
    } else {
        rc = datetime_make_date(year, month, day, &days, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (hour > 24 || minute > 59 || second > 60) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "date/time field value out of range: \"%.*s\"", (int)length, text);
    }
    int64_t local = days * USECS_PER_DAY + hour * USECS_PER_HOUR + minute * USECS_PER_MINUTE +
                    second * USECS_PER_SEC + micros;
    if (has_zone) {
        *out = local - (int64_t)offset * USECS_PER_SEC;
        return STRATA_OK;
    }
    return timestamp_to_timestamptz(local, timezone, out, err);
}

int datetime_to_date(const char *text, size_t length, const char *format, size_t format_length,
                     int64_t *out, Error *err)
{
    int64_t ts;
    int rc = datetime_to_timestamp(text, length, format, format_length, NULL, &ts, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return timestamp_to_date(ts, out, err);
}
