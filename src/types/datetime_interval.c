/*
 * types/datetime_interval.c - interval text input (see datetime.h).
 *
 * Accepts PostgreSQL's verbose form ("@ 1 year 2 mons -3 days 04:05:06 ago",
 * "1.5 hours"), the SQL forms ("1-2" years-months, "3 4:05:06" days and time,
 * a bare number = seconds) and ISO 8601 durations ("P1Y2M3DT4H5M6.5S",
 * "P2W"). Fractions cascade as PostgreSQL: 1.5 months = 1 month 15 days,
 * 1.5 days = 1 day 12:00:00.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "types/datetime.h"

typedef struct Accum {
    double months, days, micros; /* doubles so that fractions cascade before rounding */
    int64_t whole_months, whole_days, whole_micros;
} Accum;

static bool word_is(const char *w, size_t n, const char *lit)
{
    if (n != strlen(lit)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != lit[i]) {
            return false;
        }
    }
    return true;
}

typedef enum Unit {
    UNIT_NONE,
    UNIT_MICROSECOND,
    UNIT_MILLISECOND,
    UNIT_SECOND,
    UNIT_MINUTE,
    UNIT_HOUR,
    UNIT_DAY,
    UNIT_WEEK,
    UNIT_MONTH,
    UNIT_YEAR,
    UNIT_DECADE,
    UNIT_CENTURY,
    UNIT_MILLENNIUM,
} Unit;

static Unit unit_from_word(const char *w, size_t n)
{
    static const struct {
        const char *word;
        Unit unit;
    } UNITS[] = {
        {"microsecond", UNIT_MICROSECOND},
        {"microseconds", UNIT_MICROSECOND},
        {"us", UNIT_MICROSECOND},
        {"usec", UNIT_MICROSECOND},
        {"usecs", UNIT_MICROSECOND},
        {"millisecond", UNIT_MILLISECOND},
        {"milliseconds", UNIT_MILLISECOND},
        {"ms", UNIT_MILLISECOND},
        {"msec", UNIT_MILLISECOND},
        {"msecs", UNIT_MILLISECOND},
        {"second", UNIT_SECOND},
        {"seconds", UNIT_SECOND},
        {"s", UNIT_SECOND},
        {"sec", UNIT_SECOND},
        {"secs", UNIT_SECOND},
        {"minute", UNIT_MINUTE},
        {"minutes", UNIT_MINUTE},
        {"m", UNIT_MINUTE},
        {"min", UNIT_MINUTE},
        {"mins", UNIT_MINUTE},
        {"hour", UNIT_HOUR},
        {"hours", UNIT_HOUR},
        {"h", UNIT_HOUR},
        {"hr", UNIT_HOUR},
        {"hrs", UNIT_HOUR},
        {"day", UNIT_DAY},
        {"days", UNIT_DAY},
        {"d", UNIT_DAY},
        {"week", UNIT_WEEK},
        {"weeks", UNIT_WEEK},
        {"w", UNIT_WEEK},
        {"month", UNIT_MONTH},
        {"months", UNIT_MONTH},
        {"mon", UNIT_MONTH},
        {"mons", UNIT_MONTH},
        {"year", UNIT_YEAR},
        {"years", UNIT_YEAR},
        {"y", UNIT_YEAR},
        {"yr", UNIT_YEAR},
        {"yrs", UNIT_YEAR},
        {"decade", UNIT_DECADE},
        {"decades", UNIT_DECADE},
        {"dec", UNIT_DECADE},
        {"decs", UNIT_DECADE},
        {"century", UNIT_CENTURY},
        {"centuries", UNIT_CENTURY},
        {"c", UNIT_CENTURY},
        {"cent", UNIT_CENTURY},
        {"millennium", UNIT_MILLENNIUM},
        {"millennia", UNIT_MILLENNIUM},
        {"millenniums", UNIT_MILLENNIUM},
        {"mil", UNIT_MILLENNIUM},
        {"mils", UNIT_MILLENNIUM},
    };
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
        if (word_is(w, n, UNITS[i].word)) {
            return UNITS[i].unit;
        }
    }
    return UNIT_NONE;
}

/* Adds value (whole + fraction) of unit to the accumulator, cascading the
 * fraction downwards as PostgreSQL's AdjustFract* helpers do. */
static void accumulate(Accum *acc, double value, Unit unit)
{
    double whole = trunc(value), fraction = value - whole;
    switch (unit) {
    case UNIT_MICROSECOND:
        acc->micros += value;
        break;
    case UNIT_MILLISECOND:
        acc->micros += value * 1000.0;
        break;
    case UNIT_SECOND:
    case UNIT_NONE:
        acc->micros += value * 1e6;
        break;
    case UNIT_MINUTE:
        acc->micros += value * 60e6;
        break;
    case UNIT_HOUR:
        acc->micros += value * 3600e6;
        break;
    case UNIT_DAY:
        acc->whole_days += (int64_t)whole;
        acc->micros += fraction * 86400e6;
        break;
    case UNIT_WEEK: {
        double days = value * 7;
        double whole_days = trunc(days);
        acc->whole_days += (int64_t)whole_days;
        acc->micros += (days - whole_days) * 86400e6;
        break;
    }
    case UNIT_MONTH: {
        acc->whole_months += (int64_t)whole;
        double days = fraction * 30;
        double whole_days = trunc(days);
        acc->whole_days += (int64_t)whole_days;
        acc->micros += (days - whole_days) * 86400e6;
        break;
    }
    case UNIT_YEAR:
    case UNIT_DECADE:
    case UNIT_CENTURY:
    case UNIT_MILLENNIUM: {
        double years = unit == UNIT_YEAR      ? 1
                       : unit == UNIT_DECADE  ? 10
                       : unit == UNIT_CENTURY ? 100
                                              : 1000;
        acc->whole_months += (int64_t)(whole * years * 12);
        acc->whole_months += (int64_t)llround(fraction * years * 12);
        break;
    }
    }
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads [+-]digits[.digits]; returns false if no digits. */
static bool read_number(const char *p, size_t n, size_t *pos, double *out, bool *had_sign)
{
    size_t i = *pos, start = i;
    *had_sign = false;
    if (i < n && (p[i] == '+' || p[i] == '-')) {
        *had_sign = true;
        i++;
    }
    size_t digits = 0;
    while (i < n && digit(p[i])) {
        i++;
        digits++;
    }
    if (i < n && p[i] == '.') {
        i++;
        while (i < n && digit(p[i])) {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    char buf[64];
    size_t len = i - start < sizeof buf - 1 ? i - start : sizeof buf - 1;
    memcpy(buf, p + start, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);
    *pos = i;
    return true;
}

/* h:m[:s[.f]] after the hour number has been read. */
static bool read_time_rest(const char *p, size_t n, size_t *pos, double hours, bool negative,
                           Accum *acc)
{
    size_t i = *pos;
    double minutes = 0, seconds = 0;
    bool sign;
    if (i >= n || p[i] != ':') {
        return false;
    }
    i++;
    if (!read_number(p, n, &i, &minutes, &sign) || sign) {
        return false;
    }
    if (i < n && p[i] == ':') {
        i++;
        if (!read_number(p, n, &i, &seconds, &sign) || sign) {
            return false;
        }
    }
    double total = fabs(hours) * 3600e6 + minutes * 60e6 + seconds * 1e6;
    acc->micros += negative ? -total : total;
    *pos = i;
    return true;
}

static int iso8601_parse(const char *p, size_t n, Accum *acc)
{
    size_t i = 1;
    bool in_time = false;
    if (i >= n) {
        return -1;
    }
    while (i < n) {
        if (p[i] == 'T' || p[i] == 't') {
            in_time = true;
            i++;
            continue;
        }
        double value;
        bool sign;
        if (!read_number(p, n, &i, &value, &sign) || i >= n) {
            return -1;
        }
        char designator = p[i++];
        if (designator >= 'a' && designator <= 'z') {
            designator = (char)(designator - 'a' + 'A');
        }
        Unit unit = UNIT_NONE;
        switch (designator) {
        case 'Y':
            unit = in_time ? UNIT_NONE : UNIT_YEAR;
            break;
        case 'M':
            unit = in_time ? UNIT_MINUTE : UNIT_MONTH;
            break;
        case 'W':
            unit = in_time ? UNIT_NONE : UNIT_WEEK;
            break;
        case 'D':
            unit = in_time ? UNIT_NONE : UNIT_DAY;
            break;
        case 'H':
            unit = in_time ? UNIT_HOUR : UNIT_NONE;
            break;
        case 'S':
            unit = in_time ? UNIT_SECOND : UNIT_NONE;
            break;
        default:
            break;
        }
        if (unit == UNIT_NONE) {
            return -1;
        }
        accumulate(acc, value, unit);
    }
    return 0;
}

static int verbose_parse(const char *p, size_t n, Accum *acc)
{
    size_t i = 0;
    bool ago = false, any = false;
    while (i < n) {
        while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == ',')) {
            i++;
        }
        if (i >= n) {
            break;
        }
        if (p[i] == '@' && !any) {
            i++;
            continue;
        }
        if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')) {
            size_t start = i;
            while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z'))) {
                i++;
            }
            if (word_is(p + start, i - start, "ago")) {
                ago = true;
                continue;
            }
            return -1;
        }
        double value;
        bool sign;
        size_t number_start = i;
        if (!read_number(p, n, &i, &value, &sign)) {
            return -1;
        }
        any = true;
        bool negative = p[number_start] == '-';
        if (i < n && p[i] == ':') {
            if (!read_time_rest(p, n, &i, value, negative, acc)) {
                return -1;
            }
            continue;
        }
        if (i < n && p[i] == '-' && !sign && (i + 1 < n && digit(p[i + 1]))) {
            /* SQL year-month "1-2" */
            double months;
            bool month_sign;
            i++;
            if (!read_number(p, n, &i, &months, &month_sign) || month_sign ||
                (i < n && p[i] != ' ' && p[i] != '\t')) {
                return -1; /* "2024-02-29" is a date, not an interval */
            }
            acc->whole_months += (int64_t)value * 12 + (int64_t)months;
            continue;
        }
        size_t save = i;
        while (i < n && p[i] == ' ') {
            i++;
        }
        size_t word_start = i;
        while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z'))) {
            i++;
        }
        Unit unit = unit_from_word(p + word_start, i - word_start);
        if (unit == UNIT_NONE) {
            if (i != word_start && !word_is(p + word_start, i - word_start, "ago")) {
                return -1;
            }
            i = save;
            /* A bare number: days if a time follows, else seconds. */
            size_t look = i;
            while (look < n && p[look] == ' ') {
                look++;
            }
            size_t colon_probe = look;
            while (colon_probe < n &&
                   (digit(p[colon_probe]) || p[colon_probe] == '+' || p[colon_probe] == '-')) {
                colon_probe++;
            }
            unit = (colon_probe < n && p[colon_probe] == ':' && colon_probe > look) ? UNIT_DAY
                                                                                    : UNIT_SECOND;
        }
        accumulate(acc, value, unit);
    }
    if (!any) {
        return -1;
    }
    if (ago) {
        acc->whole_months = -acc->whole_months;
        acc->whole_days = -acc->whole_days;
        acc->micros = -acc->micros;
    }
    return 0;
}

int interval_parse(const char *text, size_t length, Interval *out, Error *err)
{
    const char *p = text;
    size_t n = length;
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }
    Accum acc = {0, 0, 0, 0, 0, 0};
    int rc = (n > 0 && (p[0] == 'P' || p[0] == 'p')) ? iso8601_parse(p, n, &acc)
                                                     : verbose_parse(p, n, &acc);
    if (rc != 0) {
        return error_set(err, SQLSTATE_INVALID_DATETIME_FORMAT,
                         "invalid input syntax for type interval: \"%.*s\"",
                         (int)(length > 200 ? 200 : length), text);
    }
    double micros = round(acc.micros);
    if (acc.whole_months > INT32_MAX || acc.whole_months < INT32_MIN ||
        acc.whole_days > INT32_MAX || acc.whole_days < INT32_MIN || fabs(micros) > 9.2e18) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "interval field value out of range: \"%.*s\"",
                         (int)(length > 200 ? 200 : length), text);
    }
    out->months = (int32_t)acc.whole_months;
    out->days = (int32_t)acc.whole_days;
    out->micros = (int64_t)micros;
    return STRATA_OK;
}
