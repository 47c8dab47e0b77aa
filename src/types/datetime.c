/*
 * types/datetime.c - calendar, time zones, text input/output and arithmetic
 * of date, time, timestamp(tz) and interval (see datetime.h).
 *
 * Dates are day counts from 2000-01-01 in the proleptic Gregorian calendar,
 * converted with the classic "days from civil" construction over 400-year
 * eras (146097 days each), valid for the whole supported range. The input
 * parser is a small cursor-based recognizer of the formats PostgreSQL users
 * write (ISO, MDY with slashes, month names, ISO 8601 'T'); it is not
 * PostgreSQL's full DecodeDateTime token machine (see README.md for gaps).
 */
#include "types/datetime.h"

#include "types/datetime_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- calendar ---- */

bool date_is_leap_year(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int64_t year, int month)
{
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && date_is_leap_year(year)) {
        return 29;
    }
    return DAYS[month - 1];
}

static int64_t floor_div64(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t date_from_ymd_raw(int64_t year, int month, int day)
{
    /* Shift the year to start in March so the leap day is the era's last day. */
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = floor_div64(y, 400);
    int64_t year_of_era = y - era * 400;
    int64_t month_index = month > 2 ? month - 3 : month + 9;
    int64_t day_of_year = (153 * month_index + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    int64_t days_since_unix = era * 146097 + day_of_era - 719468;
    return days_since_unix - POSTGRES_EPOCH_DAYS;
}

void date_to_ymd(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + POSTGRES_EPOCH_DAYS + 719468;
    int64_t era = floor_div64(z, 146097);
    int64_t day_of_era = z - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153;
    *day = (int)(day_of_year - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

int date_day_of_week(int64_t days)
{
    /* 2000-01-01 was a Saturday (6). */
    int64_t dow = (days + 6) % 7;
    return (int)(dow < 0 ? dow + 7 : dow);
}

/* Range: 4713-11-24 BC (julian day 0) .. 5874897-12-31 for dates. */
#define DATE_MIN_DAYS (-2451545)
#define DATE_MAX_DAYS INT64_C(2145031948) /* 5874897-12-31 */
/* Timestamps: 4713 BC .. 294276-12-31 23:59:59.999999 */
#define TIMESTAMP_MIN (INT64_C(-211813488000000000))
#define TIMESTAMP_END (INT64_C(9223371331200000000))

static bool date_in_range(int64_t days)
{
    return days >= DATE_MIN_DAYS && days <= DATE_MAX_DAYS;
}
static bool timestamp_in_range(int64_t ts)
{
    return ts >= TIMESTAMP_MIN && ts < TIMESTAMP_END;
}

int date_from_ymd(int64_t year, int month, int day, int64_t *out, Error *err)
{
    if (month < 1 || month > 12 || day < 1 || day > date_days_in_month(year, month)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "date field value out of range: %lld-%02d-%02d", (long long)year, month,
                         day);
    }
    int64_t days = date_from_ymd_raw(year, month, day);
    if (!date_in_range(days)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "date out of range: \"%lld-%02d-%02d\"", (long long)year, month, day);
    }
    *out = days;
    return STRATA_OK;
}

/* ---- time zones ---- */

static bool ieq(const char *a, size_t a_len, const char *lit)
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

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parses [+-]HH[[:]MM[[:]SS]]; sign_east: true if '+' means east of UTC.
 * Returns the offset in seconds east of UTC. */
static bool parse_offset(const char *p, size_t n, bool plus_is_east, int32_t *out)
{
    if (n < 2 || (p[0] != '+' && p[0] != '-')) {
        return false;
    }
    int sign = p[0] == '+' ? 1 : -1;
    if (!plus_is_east) {
        sign = -sign;
    }
    int fields[3] = {0, 0, 0}, field = 0;
    size_t i = 1, digits = 0;
    while (i < n) {
        if (p[i] == ':') {
            if (digits == 0 || field >= 2) {
                return false;
            }
            field++;
            digits = 0;
            i++;
            continue;
        }
        if (!is_digit(p[i])) {
            return false;
        }
        /* HHMM without colons: a third and fourth digit start the minutes. */
        if (digits == 2 && field < 2) {
            field++;
            digits = 0;
        }
        fields[field] = fields[field] * 10 + (p[i] - '0');
        digits++;
        i++;
    }
    if (digits == 0 || fields[0] > 15 * 24 || fields[1] >= 60 || fields[2] >= 60) {
        return false;
    }
    *out = sign * (fields[0] * 3600 + fields[1] * 60 + fields[2]);
    return true;
}

/* Fixed zones: UTC names, ISO offsets, POSIX "UTC+3" (west-positive). */
static bool zone_fixed_offset(const char *name, size_t n, int32_t *out)
{
    if (n == 0 || ieq(name, n, "utc") || ieq(name, n, "gmt") || ieq(name, n, "z") ||
        ieq(name, n, "etc/utc") || ieq(name, n, "etc/gmt") || ieq(name, n, "zulu") ||
        ieq(name, n, "universal") || ieq(name, n, "uct")) {
        *out = 0;
        return true;
    }
    if (name[0] == '+' || name[0] == '-') {
        /* A bare offset as a zone name is POSIX-style, as in PostgreSQL:
         * TimeZone '+05:30' is five and a half hours WEST of UTC. */
        return parse_offset(name, n, false, out);
    }
    if (n > 3 && (ieq(name, 3, "utc") || ieq(name, 3, "gmt")) &&
        (name[3] == '+' || name[3] == '-')) {
        return parse_offset(name + 3, n - 3, false, out);
    }
    if (n > 7 && ieq(name, 7, "etc/gmt") && (name[7] == '+' || name[7] == '-')) {
        return parse_offset(name + 7, n - 7, false, out);
    }
    /* POSIX "<+03>-3" */
    if (name[0] == '<') {
        const char *close = memchr(name, '>', n);
        if (close != NULL) {
            size_t rest = n - (size_t)(close + 1 - name);
            return parse_offset(close + 1, rest, false, out) ||
                   (rest > 0 && is_digit(close[1]) && parse_offset(close, rest + 1, false, out));
        }
    }
    return false;
}

int tz_offset_seconds(const char *timezone, int64_t utc_micros, int32_t *out, Error *err)
{
    if (timezone == NULL) {
        *out = 0;
        return STRATA_OK;
    }
    if (zone_fixed_offset(timezone, strlen(timezone), out)) {
        return STRATA_OK;
    }
    if (DATETIME_IS_FINITE(utc_micros) && tz_named_offset(timezone, utc_micros, out, NULL)) {
        return STRATA_OK;
    }
    if (!DATETIME_IS_FINITE(utc_micros) && tz_named_offset(timezone, 0, out, NULL)) {
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "time zone \"%s\" not recognized",
                     timezone);
}

int tz_local_to_utc(const char *timezone, int64_t local_micros, int64_t *out, Error *err)
{
    int32_t offset;
    if (timezone == NULL || zone_fixed_offset(timezone, strlen(timezone), &offset)) {
        *out = local_micros - (timezone == NULL ? 0 : (int64_t)offset * USECS_PER_SEC);
        return STRATA_OK;
    }
    if (tz_named_local_to_utc(timezone, local_micros, out)) {
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "time zone \"%s\" not recognized",
                     timezone);
}

int tz_at_time_zone(const char *zone, int64_t value, bool to_local, int64_t *out, Error *err)
{
    if (!DATETIME_IS_FINITE(value)) {
        *out = value;
        return STRATA_OK;
    }
    int32_t east;
    if (zone != NULL && tz_abbreviation_offset(zone, strlen(zone), &east)) {
        *out = to_local ? value + (int64_t)east * USECS_PER_SEC
                        : value - (int64_t)east * USECS_PER_SEC;
        return STRATA_OK;
    }
    if (to_local) {
        int rc = tz_offset_seconds(zone, value, &east, err);
        if (rc == STRATA_OK) {
            *out = value + (int64_t)east * USECS_PER_SEC;
        }
        return rc;
    }
    return tz_local_to_utc(zone, value, out, err);
}

int tz_abbreviation(const char *zone, int64_t utc_micros, char *buf, size_t cap)
{
    int32_t offset = 0;
    const char *named = NULL;
    if (zone != NULL && zone[0] != '\0' && !zone_fixed_offset(zone, strlen(zone), &offset) &&
        tz_named_offset(zone, utc_micros, &offset, &named)) {
        return snprintf(buf, cap, "%s", named);
    }
    if (zone == NULL || zone[0] == '\0' || strcasecmp(zone, "utc") == 0 ||
        strcasecmp(zone, "z") == 0 || strcasecmp(zone, "etc/utc") == 0 ||
        strcasecmp(zone, "zulu") == 0 || strcasecmp(zone, "universal") == 0) {
        return snprintf(buf, cap, "UTC");
    }
    if (zone[0] == '<') {
        const char *close = strchr(zone, '>');
        return snprintf(buf, cap, "%.*s", close ? (int)(close - zone - 1) : 0, zone + 1);
    }
    if (strncasecmp(zone, "etc/", 4) == 0 && offset != 0) {
        int32_t off = offset < 0 ? -offset : offset;
        int n = snprintf(buf, cap, "%c%02d", offset < 0 ? '-' : '+', off / 3600);
        if (off % 3600 != 0) {
            n += snprintf(buf + n, cap - (size_t)n, "%02d", off / 60 % 60);
        }
        return n;
    }
    if (strncasecmp(zone, "etc/", 4) == 0) {
        zone += 4;
    }
    size_t letters = 0;
    while ((zone[letters] | 32) >= 'a' && (zone[letters] | 32) <= 'z') {
        letters++;
    }
    return snprintf(buf, cap, "%.*s", (int)letters, zone);
}

/* ---- output ---- */

static int format_ymd(int64_t days, char *buf)
{
    int64_t year;
    int month, day;
    date_to_ymd(days, &year, &month, &day);
    bool bc = year <= 0;
    int length =
        snprintf(buf, 32, "%04lld-%02d-%02d", (long long)(bc ? 1 - year : year), month, day);
    return length;
}

static bool year_is_bc(int64_t days)
{
    int64_t year;
    int month, day;
    date_to_ymd(days, &year, &month, &day);
    return year <= 0;
}

int date_format(int64_t days, char *buf)
{
    if (days == DATETIME_NOBEGIN) {
        return (int)(strcpy(buf, "-infinity"), 9);
    }
    if (days == DATETIME_NOEND) {
        return (int)(strcpy(buf, "infinity"), 8);
    }
    int length = format_ymd(days, buf);
    if (year_is_bc(days)) {
        length += sprintf(buf + length, " BC");
    }
    return length;
}

/* HH:MM:SS[.ffffff with trailing zeros removed] */
static int format_hms(int64_t micros, char *buf)
{
    int64_t hours = micros / USECS_PER_HOUR;
    micros -= hours * USECS_PER_HOUR;
    int minutes = (int)(micros / USECS_PER_MINUTE);
    micros -= (int64_t)minutes * USECS_PER_MINUTE;
    int seconds = (int)(micros / USECS_PER_SEC);
    int fraction = (int)(micros - (int64_t)seconds * USECS_PER_SEC);
    int length = sprintf(buf, "%02lld:%02d:%02d", (long long)hours, minutes, seconds);
    if (fraction != 0) {
        length += sprintf(buf + length, ".%06d", fraction);
        while (buf[length - 1] == '0') {
            length--;
        }
        buf[length] = '\0';
    }
    return length;
}

int time_format(int64_t micros, char *buf)
{
    return format_hms(micros, buf);
}

static void split_timestamp(int64_t ts, int64_t *days, int64_t *time_of_day)
{
    *days = floor_div64(ts, USECS_PER_DAY);
    *time_of_day = ts - *days * USECS_PER_DAY;
}

static int format_timestamp_parts(int64_t ts, char *buf, int32_t offset, bool with_offset)
{
    if (ts == DATETIME_NOBEGIN) {
        return (int)(strcpy(buf, "-infinity"), 9);
    }
    if (ts == DATETIME_NOEND) {
        return (int)(strcpy(buf, "infinity"), 8);
    }
    int64_t days, time_of_day;
    split_timestamp(ts, &days, &time_of_day);
    int length = format_ymd(days, buf);
    buf[length++] = ' ';
    length += format_hms(time_of_day, buf + length);
    if (with_offset) {
        int32_t abs_offset = offset < 0 ? -offset : offset;
        length += sprintf(buf + length, "%c%02d", offset < 0 ? '-' : '+', abs_offset / 3600);
        if (abs_offset % 3600 != 0) {
            length += sprintf(buf + length, ":%02d", abs_offset / 60 % 60);
            if (abs_offset % 60 != 0) {
                length += sprintf(buf + length, ":%02d", abs_offset % 60);
            }
        }
    }
    if (year_is_bc(days)) {
        length += sprintf(buf + length, " BC");
    }
    return length;
}

int timestamp_format(int64_t ts, char *buf)
{
    return format_timestamp_parts(ts, buf, 0, false);
}

int timestamptz_format(int64_t ts, const char *timezone, char *buf)
{
    int32_t offset = 0;
    if (tz_offset_seconds(timezone, ts, &offset, NULL) != STRATA_OK) {
        offset = 0;
    }
    int64_t local = DATETIME_IS_FINITE(ts) ? ts + (int64_t)offset * USECS_PER_SEC : ts;
    return format_timestamp_parts(local, buf, offset, true);
}

static int plural(char *buf, bool *is_before, bool *is_zero, int64_t value, const char *unit)
{
    if (value == 0) {
        return 0;
    }
    int length =
        sprintf(buf, "%s%s%lld %s%s", *is_zero ? "" : " ", (*is_before && value > 0) ? "+" : "",
                (long long)value, unit, value == 1 ? "" : "s");
    *is_before = value < 0;
    *is_zero = false;
    return length;
}

int interval_format(const Interval *iv, char *buf)
{
    int64_t years = iv->months / 12, months = iv->months % 12;
    bool is_before = false, is_zero = true;
    int length = 0;
    length += plural(buf + length, &is_before, &is_zero, years, "year");
    length += plural(buf + length, &is_before, &is_zero, months, "mon");
    length += plural(buf + length, &is_before, &is_zero, iv->days, "day");
    if (iv->micros != 0 || is_zero) {
        bool negative = iv->micros < 0;
        if (!is_zero) {
            buf[length++] = ' ';
        }
        if (negative) {
            buf[length++] = '-';
        } else if (is_before) {
            buf[length++] = '+';
        }
        uint64_t magnitude = negative ? 0 - (uint64_t)iv->micros : (uint64_t)iv->micros;
        length += format_hms((int64_t)magnitude, buf + length);
    }
    buf[length] = '\0';
    return length;
}

/* ---- input ---- */

typedef struct Cursor {
    const char *p;
    size_t pos, end;
} Cursor;

static void skip_spaces(Cursor *c)
{
    while (c->pos < c->end && (c->p[c->pos] == ' ' || c->p[c->pos] == '\t' ||
                               c->p[c->pos] == '\n' || c->p[c->pos] == '\r')) {
        c->pos++;
    }
}

static bool at_end(Cursor *c)
{
    return c->pos >= c->end;
}
static char peek(Cursor *c)
{
    return c->pos < c->end ? c->p[c->pos] : '\0';
}

/* Reads a run of digits; returns the digit count (0 if none). */
static int read_digits(Cursor *c, int64_t *value)
{
    int count = 0;
    int64_t v = 0;
    while (c->pos < c->end && is_digit(c->p[c->pos])) {
        if (v < INT64_MAX / 10 - 10) {
            v = v * 10 + (c->p[c->pos] - '0');
        }
        c->pos++;
        count++;
    }
    *value = v;
    return count;
}

static size_t read_word(Cursor *c)
{
    size_t start = c->pos;
    while (c->pos < c->end) {
        char ch = c->p[c->pos];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
            c->pos++;
        } else {
            break;
        }
    }
    return c->pos - start;
}

static const char *const MONTH_NAMES[12] = {"january",   "february", "march",    "april",
                                            "may",       "june",     "july",     "august",
                                            "september", "october",  "november", "december"};

static int month_from_word(const char *w, size_t n)
{
    for (int m = 0; m < 12; m++) {
        if ((n == 3 || (n >= 3 && n <= strlen(MONTH_NAMES[m]))) &&
            ieq(w, n,
                n == 3 ? (const char[]){MONTH_NAMES[m][0], MONTH_NAMES[m][1], MONTH_NAMES[m][2], 0}
                       : MONTH_NAMES[m])) {
            return m + 1;
        }
        if (n == 4 && m == 8 && ieq(w, n, "sept")) {
            return 9;
        }
    }
    return 0;
}

static int64_t two_digit_year(int64_t year, int digits)
{
    if (digits == 2) {
        return year < 70 ? 2000 + year : 1900 + year;
    }
    return year;
}

/* Parses the date part at the cursor into y/m/d. */
static bool parse_date_fields(Cursor *c, int64_t *year, int *month, int *day)
{
    int64_t a = 0, b = 0, d3 = 0;
    if (is_digit(peek(c))) {
        int a_digits = read_digits(c, &a);
        char sep = peek(c);
        if (sep == '-' || sep == '/' || sep == '.') {
            c->pos++;
            int b_month = 0;
            int b_digits = 0;
            if (is_digit(peek(c))) {
                b_digits = read_digits(c, &b);
            } else {
                size_t start = c->pos;
                size_t n = read_word(c);
                b_month = month_from_word(c->p + start, n);
                if (b_month == 0) {
                    return false;
                }
            }
            if (peek(c) != sep) {
                return false;
            }
            c->pos++;
            int d_digits = read_digits(c, &d3);
            if (d_digits == 0 || (b_digits == 0 && b_month == 0)) {
                return false;
            }
            if (a_digits >= 3) { /* Y-M-D */
                *year = a;
                *month = b_month ? b_month : (int)b;
                *day = (int)d3;
            } else if (b_month) { /* D-Mon-Y */
                *day = (int)a;
                *month = b_month;
                *year = two_digit_year(d3, d_digits);
            } else if (d_digits >= 3 || sep == '/' || sep == '-' || sep == '.') { /* M/D/Y */
                *month = (int)a;
                *day = (int)b;
                *year = two_digit_year(d3, d_digits);
            }
            return b_digits <= 2 || b_month;
        }
        if (a_digits == 8) {
            *year = a / 10000;
            *month = (int)(a / 100 % 100);
            *day = (int)(a % 100);
            return true;
        }
        /* "31 Jan 2024" */
        skip_spaces(c);
        size_t start = c->pos;
        size_t n = read_word(c);
        int m = month_from_word(c->p + start, n);
        if (m == 0 || a_digits > 2) {
            return false;
        }
        skip_spaces(c);
        int y_digits = read_digits(c, &b);
        if (y_digits == 0) {
            return false;
        }
        *day = (int)a;
        *month = m;
        *year = two_digit_year(b, y_digits);
        return true;
    }
    size_t start = c->pos;
    size_t n = read_word(c);
    int m = month_from_word(c->p + start, n);
    if (m == 0) {
        return false;
    }
    skip_spaces(c);
    if (peek(c) == '-' || peek(c) == '/') {
        c->pos++;
    }
    if (read_digits(c, &a) == 0) {
        return false;
    }
    skip_spaces(c);
    if (peek(c) == ',') {
        c->pos++;
        skip_spaces(c);
    }
    if (peek(c) == '-' || peek(c) == '/') {
        c->pos++;
    }
    int y_digits = read_digits(c, &b);
    if (y_digits == 0) {
        return false;
    }
    *month = m;
    *day = (int)a;
    *year = two_digit_year(b, y_digits);
    return true;
}

/* Digits after a decimal point as microseconds, rounded half up at the
 * seventh digit. */
static int64_t read_fraction_micros(Cursor *c)
{
    int64_t micros = 0;
    int count = 0;
    bool round_up = false;
    while (is_digit(peek(c))) {
        if (count < 6) {
            micros = micros * 10 + (peek(c) - '0');
        } else if (count == 6) {
            round_up = peek(c) >= '5';
        }
        count++;
        c->pos++;
    }
    for (; count < 6; count++) {
        micros *= 10;
    }
    return micros + (round_up ? 1 : 0);
}

/* HH:MM[:SS[.frac]] [am|pm]; returns microseconds since midnight. */
static int parse_time_fields(Cursor *c, int64_t *out)
{
    int64_t hour, minute = 0, second = 0, fraction = 0;
    int hour_digits = read_digits(c, &hour);
    if (hour_digits == 0 || hour_digits > 2) {
        return -1;
    }
    if (peek(c) != ':') {
        return -1;
    }
    c->pos++;
    if (read_digits(c, &minute) != 2) {
        return -1;
    }
    if (peek(c) == ':') {
        c->pos++;
        if (read_digits(c, &second) != 2) {
            return -1;
        }
        if (peek(c) == '.' || peek(c) == ',') {
            c->pos++;
            fraction = read_fraction_micros(c);
        }
    }
    Cursor save = *c;
    skip_spaces(c);
    size_t start = c->pos;
    size_t n = read_word(c);
    if (ieq(c->p + start, n, "am") || ieq(c->p + start, n, "pm")) {
        if (hour < 1 || hour > 12) {
            return -2;
        }
        bool pm = ieq(c->p + start, n, "pm");
        hour = hour % 12 + (pm ? 12 : 0);
    } else {
        *c = save;
    }
    if (hour > 24 || minute > 59 || second > 60 ||
        (hour == 24 && (minute > 0 || second > 0 || fraction > 0))) {
        return -2;
    }
    *out = hour * USECS_PER_HOUR + minute * USECS_PER_MINUTE + second * USECS_PER_SEC + fraction;
    return 0;
}

static int date_syntax(const char *type, const char *text, size_t length, Error *err)
{
    return error_set(err, SQLSTATE_INVALID_DATETIME_FORMAT,
                     "invalid input syntax for type %s: \"%.*s\"", type,
                     (int)(length > 200 ? 200 : length), text);
}

static int field_overflow(const char *text, size_t length, Error *err)
{
    return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                     "date/time field value out of range: \"%.*s\"",
                     (int)(length > 200 ? 200 : length), text);
}

int64_t datetime_now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec - (int64_t)POSTGRES_EPOCH_DAYS * 86400) * USECS_PER_SEC +
           ts.tv_nsec / 1000;
}

/* Special words: epoch, infinity, -infinity, now, today, tomorrow, yesterday.
 * Returns 1 and sets *out (a timestamp) if the text is one. */
static int special_word(const char *p, size_t n, int64_t *out)
{
    if (ieq(p, n, "epoch")) {
        *out = -(int64_t)POSTGRES_EPOCH_DAYS * USECS_PER_DAY;
    } else if (ieq(p, n, "infinity") || ieq(p, n, "+infinity")) {
        *out = DATETIME_NOEND;
    } else if (ieq(p, n, "-infinity")) {
        *out = DATETIME_NOBEGIN;
    } else if (ieq(p, n, "now")) {
        *out = datetime_now_micros();
    } else if (ieq(p, n, "today") || ieq(p, n, "tomorrow") || ieq(p, n, "yesterday")) {
        int64_t now = datetime_now_micros();
        int64_t day = floor_div64(now, USECS_PER_DAY);
        day += ieq(p, n, "tomorrow") ? 1 : (ieq(p, n, "yesterday") ? -1 : 0);
        *out = day * USECS_PER_DAY;
    } else {
        return 0;
    }
    return 1;
}

static void trim_text(const char **text, size_t *length)
{
    while (*length > 0 && (**text == ' ' || **text == '\t' || **text == '\n' || **text == '\r')) {
        (*text)++;
        (*length)--;
    }
    while (*length > 0 && ((*text)[*length - 1] == ' ' || (*text)[*length - 1] == '\t' ||
                           (*text)[*length - 1] == '\n' || (*text)[*length - 1] == '\r')) {
        (*length)--;
    }
}

/* Reads an optional era suffix (BC / AD) and applies it to year. */
static bool read_era(Cursor *c, int64_t *year)
{
    Cursor save = *c;
    skip_spaces(c);
    size_t start = c->pos;
    size_t n = read_word(c);
    if (ieq(c->p + start, n, "bc")) {
        *year = 1 - *year;
        return true;
    }
    if (!ieq(c->p + start, n, "ad")) {
        *c = save;
    }
    return true;
}

int date_parse(const char *text, size_t length, int64_t *out, Error *err)
{
    const char *p = text;
    size_t n = length;
    trim_text(&p, &n);
    int64_t special;
    if (special_word(p, n, &special)) {
        *out = DATETIME_IS_FINITE(special) ? floor_div64(special, USECS_PER_DAY) : special;
        return STRATA_OK;
    }
    Cursor c = {p, 0, n};
    int64_t year;
    int month = 0, day = 0;
    if (!parse_date_fields(&c, &year, &month, &day)) {
        return date_syntax("date", text, length, err);
    }
    if (year == 0) {
        return field_overflow(text, length, err);
    }
    read_era(&c, &year);
    /* A time part after a date is allowed and ignored, as PostgreSQL. */
    skip_spaces(&c);
    if (!at_end(&c)) {
        if (peek(&c) == 'T' || peek(&c) == 't') {
            c.pos++;
        }
        int64_t ignored;
        if (parse_time_fields(&c, &ignored) != 0) {
            return date_syntax("date", text, length, err);
        }
        skip_spaces(&c);
        if (!at_end(&c)) {
            return date_syntax("date", text, length, err);
        }
    }
    if (month < 1 || month > 12 || day < 1 || day > date_days_in_month(year, month)) {
        return field_overflow(text, length, err);
    }
    int64_t days = date_from_ymd_raw(year, month, day);
    if (!date_in_range(days)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range: \"%.*s\"",
                         (int)length, text);
    }
    *out = days;
    return STRATA_OK;
}

int time_parse(const char *text, size_t length, int precision, int64_t *out, Error *err)
{
    const char *p = text;
    size_t n = length;
    trim_text(&p, &n);
    Cursor c = {p, 0, n};
    /* A leading date is allowed and ignored (as PostgreSQL's time input). */
    Cursor probe = c;
    int64_t y;
    int m, d;
    if (parse_date_fields(&probe, &y, &m, &d) &&
        (at_end(&probe) || peek(&probe) == ' ' || peek(&probe) == 'T')) {
        c = probe;
        if (peek(&c) == 'T') {
            c.pos++;
        }
        skip_spaces(&c);
    }
    int64_t micros;
    int rc = parse_time_fields(&c, &micros);
    if (rc == -2) {
        return field_overflow(text, length, err);
    }
    skip_spaces(&c);
    if (rc == 0 && !at_end(&c) && (peek(&c) == '+' || peek(&c) == '-')) {
        /* time without time zone ignores a zone offset, as PostgreSQL's input */
        size_t start = c.pos++;
        while (!at_end(&c) && (is_digit(peek(&c)) || peek(&c) == ':')) {
            c.pos++;
        }
        int32_t ignored;
        if (!parse_offset(c.p + start, c.pos - start, true, &ignored)) {
            return date_syntax("time without time zone", text, length, err);
        }
        skip_spaces(&c);
    }
    if (rc != 0 || !at_end(&c)) {
        return date_syntax("time without time zone", text, length, err);
    }
    if (precision >= 0 && precision < 6) {
        int64_t unit = 1;
        for (int i = precision; i < 6; i++) {
            unit *= 10;
        }
        int64_t rem = micros % unit;
        micros = micros - rem + (rem * 2 >= unit ? unit : 0);
    }
    *out = micros;
    return STRATA_OK;
}

/* Reads a zone after a time: Z, UTC, GMT, +HH[:MM], -HHMM, or a name. A
 * named zone with rules is returned in zone_name (then *offset is unset). */
static int read_zone(Cursor *c, bool *has_zone, int32_t *offset, char *zone_name, size_t zone_cap,
                     Error *err, const char *text, size_t length)
{
    skip_spaces(c);
    if (at_end(c)) {
        return STRATA_OK;
    }
    size_t start = c->pos;
    if (peek(c) == '+' || peek(c) == '-') {
        c->pos++;
        while (!at_end(c) && (is_digit(peek(c)) || peek(c) == ':')) {
            c->pos++;
        }
        if (!parse_offset(c->p + start, c->pos - start, true, offset)) {
            return date_syntax("timestamp with time zone", text, length, err);
        }
        *has_zone = true;
        return STRATA_OK;
    }
    while (!at_end(c) && peek(c) != ' ') {
        c->pos++;
    }
    size_t n = c->pos - start;
    if (ieq(c->p + start, n, "bc") || ieq(c->p + start, n, "ad")) {
        c->pos = start;
        return STRATA_OK;
    }
    if (!zone_fixed_offset(c->p + start, n, offset) &&
        !tz_abbreviation_offset(c->p + start, n, offset)) {
        int32_t ignored;
        if (n >= zone_cap) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "time zone \"%.*s\" not recognized", (int)n, c->p + start);
        }
        memcpy(zone_name, c->p + start, n);
        zone_name[n] = '\0';
        if (!tz_named_offset(zone_name, 0, &ignored, NULL)) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "time zone \"%.*s\" not recognized", (int)n, c->p + start);
        }
    }
    *has_zone = true;
    return STRATA_OK;
}

int timestamp_parse(const char *text, size_t length, bool with_tz, const char *timezone,
                    int precision, int64_t *out, Error *err)
{
    const char *p = text;
    size_t n = length;
    const char *type = with_tz ? "timestamp with time zone" : "timestamp without time zone";
    trim_text(&p, &n);
    int64_t special;
    if (special_word(p, n, &special)) {
        *out = special;
        return STRATA_OK;
    }
    Cursor c = {p, 0, n};
    int64_t year;
    int month = 0, day = 0;
    if (!parse_date_fields(&c, &year, &month, &day)) {
        return date_syntax(type, text, length, err);
    }
    if (year == 0) {
        return field_overflow(text, length, err);
    }
    int64_t micros = 0;
    bool has_zone = false;
    int32_t offset = 0;
    char zone_name[64] = "";
    read_era(&c, &year);
    if (peek(&c) == 'T' || peek(&c) == 't') {
        c.pos++;
    }
    skip_spaces(&c);
    if (is_digit(peek(&c))) {
        int rc = parse_time_fields(&c, &micros);
        if (rc == -2) {
            return field_overflow(text, length, err);
        }
        if (rc != 0) {
            return date_syntax(type, text, length, err);
        }
    }
    int rc = read_zone(&c, &has_zone, &offset, zone_name, sizeof zone_name, err, text, length);
    if (rc != STRATA_OK) {
        return rc;
    }
    read_era(&c, &year);
    skip_spaces(&c);
    if (!at_end(&c)) {
        return date_syntax(type, text, length, err);
    }
    if (month < 1 || month > 12 || day < 1 || day > date_days_in_month(year, month)) {
        return field_overflow(text, length, err);
    }
    int64_t days = date_from_ymd_raw(year, month, day);
    if (days < DATE_MIN_DAYS || days > INT64_C(106751991) * 2) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"%.*s\"",
                         (int)length, text);
    }
    int64_t ts = days * USECS_PER_DAY + micros;
    if (with_tz) {
        if (!has_zone || zone_name[0] != '\0') {
            rc = tz_local_to_utc(has_zone ? zone_name : timezone, ts, &ts, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        } else {
            ts -= (int64_t)offset * USECS_PER_SEC;
        }
    }
    if (!timestamp_in_range(ts)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"%.*s\"",
                         (int)length, text);
    }
    if (precision >= 0 && precision < 6) {
        int64_t unit = 1;
        for (int i = precision; i < 6; i++) {
            unit *= 10;
        }
        int64_t rem = ts % unit;
        if (rem < 0) {
            rem += unit;
        }
        ts = ts - rem + (rem * 2 >= unit ? unit : 0);
    }
    *out = ts;
    return STRATA_OK;
}

/* ---- conversions ---- */

int timestamp_to_timestamptz(int64_t ts, const char *timezone, int64_t *out, Error *err)
{
    if (!DATETIME_IS_FINITE(ts)) {
        *out = ts;
        return STRATA_OK;
    }
    return tz_local_to_utc(timezone, ts, out, err);
}

int timestamptz_to_timestamp(int64_t ts, const char *timezone, int64_t *out, Error *err)
{
    if (!DATETIME_IS_FINITE(ts)) {
        *out = ts;
        return STRATA_OK;
    }
    int32_t offset;
    int rc = tz_offset_seconds(timezone, ts, &offset, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *out = ts + (int64_t)offset * USECS_PER_SEC;
    return STRATA_OK;
}

int64_t date_to_timestamp(int64_t days)
{
    if (!DATETIME_IS_FINITE(days)) {
        return days;
    }
    return days * USECS_PER_DAY;
}

int timestamp_to_date(int64_t ts, int64_t *out, Error *err)
{
    (void)err;
    *out = DATETIME_IS_FINITE(ts) ? floor_div64(ts, USECS_PER_DAY) : ts;
    return STRATA_OK;
}

int64_t timestamp_to_time(int64_t ts)
{
    int64_t days, time_of_day;
    split_timestamp(ts, &days, &time_of_day);
    return time_of_day;
}

/* ---- arithmetic ---- */

static int timestamp_range_error(Error *err)
{
    return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
}

int date_add_days(int64_t days, int64_t add, int64_t *out, Error *err)
{
    if (!DATETIME_IS_FINITE(days)) {
        *out = days;
        return STRATA_OK;
    }
    int64_t result = days + add;
    if (!date_in_range(result)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "date out of range");
    }
    *out = result;
    return STRATA_OK;
}

static int add_months_days(int64_t days, int32_t months, int32_t add_days, int64_t *out)
{
    if (months != 0) {
        int64_t year;
        int month, day;
        date_to_ymd(days, &year, &month, &day);
        int64_t total = year * 12 + (month - 1) + months;
        year = floor_div64(total, 12);
        month = (int)(total - year * 12) + 1;
        int last = date_days_in_month(year, month);
        days = date_from_ymd_raw(year, month, day > last ? last : day);
    }
    *out = days + add_days;
    return 0;
}

int timestamp_add_interval(int64_t ts, const Interval *iv, int64_t *out, Error *err)
{
    if (!DATETIME_IS_FINITE(ts)) {
        *out = ts;
        return STRATA_OK;
    }
    int64_t days, time_of_day;
    split_timestamp(ts, &days, &time_of_day);
    add_months_days(days, iv->months, iv->days, &days);
    if (days < DATE_MIN_DAYS || days > INT64_C(110000000)) {
        return timestamp_range_error(err);
    }
    int64_t result = days * USECS_PER_DAY + time_of_day;
    if (__builtin_add_overflow(result, iv->micros, &result) || !timestamp_in_range(result)) {
        return timestamp_range_error(err);
    }
    *out = result;
    return STRATA_OK;
}

int timestamptz_add_interval(int64_t ts, const Interval *iv, const char *timezone, int64_t *out,
                             Error *err)
{
    if (!DATETIME_IS_FINITE(ts)) {
        *out = ts;
        return STRATA_OK;
    }
    /* With fixed offsets local and UTC arithmetic agree; do months/days in
     * local time so that DST zones can be added later without changing callers. */
    int64_t local;
    int rc = timestamptz_to_timestamp(ts, timezone, &local, err);
    if (rc == STRATA_OK) {
        Interval date_part = {iv->months, iv->days, 0};
        rc = timestamp_add_interval(local, &date_part, &local, err);
    }
    if (rc == STRATA_OK) {
        rc = timestamp_to_timestamptz(local, timezone, &local, err);
    }
    if (rc == STRATA_OK &&
        (__builtin_add_overflow(local, iv->micros, &local) || !timestamp_in_range(local))) {
        rc = timestamp_range_error(err);
    }
    if (rc == STRATA_OK) {
        *out = local;
    }
    return rc;
}

static int interval_range_error(Error *err)
{
    return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW, "interval out of range");
}

int timestamp_diff(int64_t a, int64_t b, Interval *out, Error *err)
{
    if (!DATETIME_IS_FINITE(a) || !DATETIME_IS_FINITE(b)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "cannot subtract infinite timestamps");
    }
    Interval raw = {0, 0, 0};
    if (__builtin_sub_overflow(a, b, &raw.micros)) {
        return interval_range_error(err);
    }
    interval_justify_hours(&raw, out);
    return STRATA_OK;
}

int timestamp_age(int64_t a, int64_t b, Interval *out, Error *err)
{
    if (!DATETIME_IS_FINITE(a) || !DATETIME_IS_FINITE(b)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "cannot subtract infinite timestamps");
    }
    int64_t days_a, tod_a, days_b, tod_b, year_a, year_b;
    int month_a, day_a, month_b, day_b;
    split_timestamp(a, &days_a, &tod_a);
    split_timestamp(b, &days_b, &tod_b);
    date_to_ymd(days_a, &year_a, &month_a, &day_a);
    date_to_ymd(days_b, &year_b, &month_b, &day_b);
    int64_t micros = tod_a - tod_b;
    int64_t day = day_a - day_b, month = month_a - month_b, year = year_a - year_b;
    bool flip = a < b;
    if (flip) {
        micros = -micros;
        day = -day;
        month = -month;
        year = -year;
    }
    if (micros < 0) {
        micros += USECS_PER_DAY;
        day--;
    }
    while (day < 0) {
        /* Borrow the length of the month before the later date's month, as PostgreSQL. */
        if (!flip) {
            day += date_days_in_month(year_b, month_b);
        } else {
            day += date_days_in_month(year_a, month_a);
        }
        month--;
    }
    while (month < 0) {
        month += 12;
        year--;
    }
    if (flip) {
        micros = -micros;
        day = -day;
        month = -month;
        year = -year;
    }
    if (year * 12 + month > INT32_MAX || year * 12 + month < INT32_MIN) {
        return interval_range_error(err);
    }
    out->months = (int32_t)(year * 12 + month);
    out->days = (int32_t)day;
    out->micros = micros;
    return STRATA_OK;
}

int interval_add(const Interval *a, const Interval *b, Interval *out, Error *err)
{
    Interval r;
    if (__builtin_add_overflow(a->months, b->months, &r.months) ||
        __builtin_add_overflow(a->days, b->days, &r.days) ||
        __builtin_add_overflow(a->micros, b->micros, &r.micros)) {
        return interval_range_error(err);
    }
    *out = r;
    return STRATA_OK;
}

int interval_sub(const Interval *a, const Interval *b, Interval *out, Error *err)
{
    Interval r;
    if (__builtin_sub_overflow(a->months, b->months, &r.months) ||
        __builtin_sub_overflow(a->days, b->days, &r.days) ||
        __builtin_sub_overflow(a->micros, b->micros, &r.micros)) {
        return interval_range_error(err);
    }
    *out = r;
    return STRATA_OK;
}

int interval_neg(const Interval *a, Interval *out, Error *err)
{
    Interval zero = {0, 0, 0};
    return interval_sub(&zero, a, out, err);
}

/* PostgreSQL's interval_mul: months * f, the fractional month carried to days
 * (30 per month), the fractional day to time (24 h per day). */
int interval_mul(const Interval *a, double factor, Interval *out, Error *err)
{
    if (isnan(factor)) {
        return interval_range_error(err);
    }
    double months = a->months * factor;
    double days = a->days * factor;
    if (fabs(months) > INT32_MAX || fabs(days) > INT32_MAX) {
        return interval_range_error(err);
    }
    int32_t result_months = (int32_t)months;
    int32_t result_days = (int32_t)days;
    double month_remainder_days = (months - result_months) * 30;
    double extra_days = trunc(month_remainder_days);
    double sec_remainder =
        (month_remainder_days - extra_days) * 86400.0 + (days - result_days) * 86400.0;
    /* round the fractional seconds to microseconds to avoid drift */
    sec_remainder = round(sec_remainder * 1e6) / 1e6;
    if (fabs(sec_remainder) >= 86400.0) {
        double whole_days = trunc(sec_remainder / 86400.0);
        extra_days += whole_days;
        sec_remainder -= whole_days * 86400.0;
    }
    double micros = (double)a->micros * factor + sec_remainder * 1e6;
    if (fabs((double)result_days + extra_days) > INT32_MAX || fabs(micros) > 9.2e18) {
        return interval_range_error(err);
    }
    out->months = result_months;
    out->days = result_days + (int32_t)extra_days;
    out->micros = (int64_t)llround(micros);
    return STRATA_OK;
}

int interval_div(const Interval *a, double divisor, Interval *out, Error *err)
{
    if (divisor == 0) {
        return error_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
    }
    return interval_mul(a, 1.0 / divisor, out, err);
}

void interval_justify_hours(const Interval *a, Interval *out)
{
    Interval r = *a;
    int64_t whole_days = r.micros / USECS_PER_DAY;
    r.micros -= whole_days * USECS_PER_DAY;
    r.days += (int32_t)whole_days;
    if (r.days > 0 && r.micros < 0) {
        r.micros += USECS_PER_DAY;
        r.days--;
    } else if (r.days < 0 && r.micros > 0) {
        r.micros -= USECS_PER_DAY;
        r.days++;
    }
    *out = r;
}

void interval_justify_days(const Interval *a, Interval *out)
{
    Interval r = *a;
    int32_t whole_months = r.days / 30;
    r.days -= whole_months * 30;
    r.months += whole_months;
    if (r.months > 0 && r.days < 0) {
        r.days += 30;
        r.months--;
    } else if (r.months < 0 && r.days > 0) {
        r.days -= 30;
        r.months++;
    }
    *out = r;
}

void interval_justify_interval(const Interval *a, Interval *out)
{
    Interval r = *a;
    int64_t whole_days = r.micros / USECS_PER_DAY;
    r.micros -= whole_days * USECS_PER_DAY;
    r.days += (int32_t)whole_days;
    int32_t whole_months = r.days / 30;
    r.days -= whole_months * 30;
    r.months += whole_months;
    if (r.months > 0 && (r.days < 0 || (r.days == 0 && r.micros < 0))) {
        r.days += 30;
        r.months--;
    } else if (r.months < 0 && (r.days > 0 || (r.days == 0 && r.micros > 0))) {
        r.days -= 30;
        r.months++;
    }
    if (r.days > 0 && r.micros < 0) {
        r.micros += USECS_PER_DAY;
        r.days--;
    } else if (r.days < 0 && r.micros > 0) {
        r.micros -= USECS_PER_DAY;
        r.days++;
    }
    *out = r;
}

__int128 interval_span(const Interval *a)
{
    return (__int128)a->months * 30 * USECS_PER_DAY + (__int128)a->days * USECS_PER_DAY + a->micros;
}
