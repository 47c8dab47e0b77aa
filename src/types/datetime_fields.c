/*
 * types/datetime_fields.c - extract/date_part, date_trunc, make_*, to_char
 * and to_timestamp/to_date (see datetime.h).
 *
 * Everything works on broken-down local fields (Fields) so that timestamptz
 * shares the code: the value is first shifted into the session zone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/datetime.h"
#include "types/numeric.h"

typedef struct Fields {
    int64_t year; /* astronomical: 0 = 1 BC */
    int month, day, hour, minute, second, micros;
    int64_t days; /* days since 2000-01-01 */
    int64_t time_of_day;
} Fields;

static int64_t floor_div64(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static void fields_from_timestamp(int64_t ts, Fields *f)
{
    f->days = floor_div64(ts, USECS_PER_DAY);
    f->time_of_day = ts - f->days * USECS_PER_DAY;
    date_to_ymd(f->days, &f->year, &f->month, &f->day);
    int64_t t = f->time_of_day;
    f->hour = (int)(t / USECS_PER_HOUR);
    t -= f->hour * USECS_PER_HOUR;
    f->minute = (int)(t / USECS_PER_MINUTE);
    t -= f->minute * USECS_PER_MINUTE;
    f->second = (int)(t / USECS_PER_SEC);
    f->micros = (int)(t - f->second * USECS_PER_SEC);
}

static bool lower_eq(const char *a, const char *lit)
{
    for (; *a && *lit; a++, lit++) {
        char c = *a;
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != *lit) {
            return false;
        }
    }
    return *a == '\0' && *lit == '\0';
}

/* Canonical field name (PostgreSQL's aliases folded). */
static const char *field_canonical(const char *field)
{
    static const struct {
        const char *alias, *name;
    } ALIASES[] = {
        {"microsecond", "microseconds"},
        {"microseconds", "microseconds"},
        {"us", "microseconds"},
        {"usec", "microseconds"},
        {"usecs", "microseconds"},
        {"millisecond", "milliseconds"},
        {"milliseconds", "milliseconds"},
        {"ms", "milliseconds"},
        {"msec", "milliseconds"},
        {"msecs", "milliseconds"},
        {"second", "second"},
        {"seconds", "second"},
        {"sec", "second"},
        {"secs", "second"},
        {"s", "second"},
        {"minute", "minute"},
        {"minutes", "minute"},
        {"min", "minute"},
        {"mins", "minute"},
        {"m", "minute"},
        {"hour", "hour"},
        {"hours", "hour"},
        {"h", "hour"},
        {"hr", "hour"},
        {"hrs", "hour"},
        {"day", "day"},
        {"days", "day"},
        {"d", "day"},
        {"week", "week"},
        {"weeks", "week"},
        {"w", "week"},
        {"month", "month"},
        {"months", "month"},
        {"mon", "month"},
        {"mons", "month"},
        {"quarter", "quarter"},
        {"qtr", "quarter"},
        {"year", "year"},
        {"years", "year"},
        {"y", "year"},
        {"yr", "year"},
        {"yrs", "year"},
        {"decade", "decade"},
        {"decades", "decade"},
        {"dec", "decade"},
        {"century", "century"},
        {"centuries", "century"},
        {"c", "century"},
        {"cent", "century"},
        {"millennium", "millennium"},
        {"millennia", "millennium"},
        {"mil", "millennium"},
        {"dow", "dow"},
        {"isodow", "isodow"},
        {"doy", "doy"},
        {"isoyear", "isoyear"},
        {"epoch", "epoch"},
        {"julian", "julian"},
        {"j", "julian"},
        {"timezone", "timezone"},
        {"timezone_hour", "timezone_hour"},
        {"timezone_minute", "timezone_minute"},
        {"timezone_m", "timezone_minute"},
        {"timezone_h", "timezone_hour"},
    };
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++) {
        if (lower_eq(field, ALIASES[i].alias)) {
            return ALIASES[i].name;
        }
    }
    return NULL;
}

static int isodow(int64_t days)
{
    int dow = date_day_of_week(days);
    return dow == 0 ? 7 : dow;
}

static void iso_week(int64_t days, int64_t *iso_year, int *week)
{
    int64_t thursday = days - isodow(days) + 4;
    int64_t year;
    int month, day;
    date_to_ymd(thursday, &year, &month, &day);
    int64_t jan1 = date_from_ymd_raw(year, 1, 1);
    *iso_year = year;
    *week = (int)((thursday - jan1) / 7 + 1);
}

static int64_t century_of(int64_t year)
{
    return year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100);
}

static int64_t millennium_of(int64_t year)
{
    return year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000);
}

static int64_t decade_of(int64_t year)
{
    return year > 0 ? year / 10 : -((8 - (year - 1)) / 10);
}

static int unsupported(const char *field, const char *type, Error *err)
{
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "unit \"%s\" not supported for type %s",
                     field, type);
}

/* Date-level fields shared by date and timestamps; returns false if the
 * field is not one of them. */
static bool date_field(const char *name, const Fields *f, Decimal *out)
{
    int64_t value;
    if (strcmp(name, "year") == 0) {
        value = f->year > 0 ? f->year : f->year - 1;
    } else if (strcmp(name, "month") == 0) {
        value = f->month;
    } else if (strcmp(name, "day") == 0) {
        value = f->day;
    } else if (strcmp(name, "quarter") == 0) {
        value = (f->month - 1) / 3 + 1;
    } else if (strcmp(name, "week") == 0 || strcmp(name, "isoyear") == 0) {
        int64_t iso_year;
        int week;
        iso_week(f->days, &iso_year, &week);
        value = strcmp(name, "week") == 0 ? week : (iso_year > 0 ? iso_year : iso_year - 1);
    } else if (strcmp(name, "dow") == 0) {
        value = date_day_of_week(f->days);
    } else if (strcmp(name, "isodow") == 0) {
        value = isodow(f->days);
    } else if (strcmp(name, "doy") == 0) {
        value = f->days - date_from_ymd_raw(f->year, 1, 1) + 1;
    } else if (strcmp(name, "decade") == 0) {
        value = decade_of(f->year);
    } else if (strcmp(name, "century") == 0) {
        value = century_of(f->year);
    } else if (strcmp(name, "millennium") == 0) {
        value = millennium_of(f->year);
    } else {
        return false;
    }
    *out = numeric_make(value, 0);
    return true;
}

/* Time-level fields: micros of the time of day. */
static bool time_field(const char *name, int64_t time_of_day, Decimal *out)
{
    int64_t seconds_micros = time_of_day % USECS_PER_MINUTE;
    if (strcmp(name, "microseconds") == 0) {
        *out = numeric_make(seconds_micros, 0);
    } else if (strcmp(name, "milliseconds") == 0) {
        *out = numeric_make(seconds_micros, 3);
    } else if (strcmp(name, "second") == 0) {
        *out = numeric_make(seconds_micros, 6);
    } else if (strcmp(name, "minute") == 0) {
        *out = numeric_make(time_of_day / USECS_PER_MINUTE % 60, 0);
    } else if (strcmp(name, "hour") == 0) {
        *out = numeric_make(time_of_day / USECS_PER_HOUR, 0);
    } else {
        return false;
    }
    return true;
}

static int extract_interval(const char *name, const char *field, const Interval *iv, Decimal *out,
                            Error *err)
{
    int64_t micros = iv->micros;
    if (strcmp(name, "microseconds") == 0) {
        *out = numeric_make(micros % USECS_PER_MINUTE, 0);
    } else if (strcmp(name, "milliseconds") == 0) {
        *out = numeric_make(micros % USECS_PER_MINUTE, 3);
    } else if (strcmp(name, "second") == 0) {
        *out = numeric_make(micros % USECS_PER_MINUTE, 6);
    } else if (strcmp(name, "minute") == 0) {
        *out = numeric_make(micros / USECS_PER_MINUTE % 60, 0);
    } else if (strcmp(name, "hour") == 0) {
        *out = numeric_make(micros / USECS_PER_HOUR, 0);
    } else if (strcmp(name, "day") == 0) {
        *out = numeric_make(iv->days, 0);
    } else if (strcmp(name, "month") == 0) {
        *out = numeric_make(iv->months % 12, 0);
    } else if (strcmp(name, "quarter") == 0) {
        *out = numeric_make((iv->months % 12) / 3 + 1, 0);
    } else if (strcmp(name, "year") == 0) {
        *out = numeric_make(iv->months / 12, 0);
    } else if (strcmp(name, "decade") == 0) {
        *out = numeric_make(iv->months / 120, 0);
    } else if (strcmp(name, "century") == 0) {
        *out = numeric_make(iv->months / 1200, 0);
    } else if (strcmp(name, "millennium") == 0) {
        *out = numeric_make(iv->months / 12000, 0);
    } else if (strcmp(name, "epoch") == 0) {
        /* years count 365.25 days, remaining months 30 days (PostgreSQL). */
        __int128 total = (__int128)(iv->months / 12) * 36525 * 864 * USECS_PER_SEC +
                         (__int128)(iv->months % 12) * 30 * USECS_PER_DAY +
                         (__int128)iv->days * USECS_PER_DAY + micros;
        *out = numeric_make(total, 6);
    } else {
        return unsupported(field, "interval", err);
    }
    return STRATA_OK;
}

int datetime_extract(const char *field, const Value *v, const char *timezone, Decimal *out,
                     Error *err)
{
    const char *name = field_canonical(field);
    TypeId type = v->type.id;
    const char *type_text = type == TYPE_DATE          ? "date"
                            : type == TYPE_TIME        ? "time without time zone"
                            : type == TYPE_TIMESTAMP   ? "timestamp without time zone"
                            : type == TYPE_TIMESTAMPTZ ? "timestamp with time zone"
                                                       : "interval";
    if (name == NULL) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "unit \"%s\" not recognized for type %s", field, type_text);
    }
    if (type == TYPE_INTERVAL) {
        return extract_interval(name, field, &v->iv, out, err);
    }
    if (type == TYPE_TIME) {
        if (time_field(name, v->i64, out)) {
            return STRATA_OK;
        }
        if (strcmp(name, "epoch") == 0) {
            *out = numeric_make(v->i64, 6);
            return STRATA_OK;
        }
        return unsupported(field, type_text, err);
    }
    int64_t value = v->i64;
    if (!DATETIME_IS_FINITE(value)) {
        /* PostgreSQL: +-Infinity for monotonic fields, NULL otherwise; strata gives +-Infinity. */
        *out = (Decimal){{0}, 0, value == DATETIME_NOEND ? DECIMAL_POS_INF : DECIMAL_NEG_INF};
        return STRATA_OK;
    }
    int32_t offset = 0;
    int64_t local = type == TYPE_DATE ? value * USECS_PER_DAY : value;
    if (type == TYPE_TIMESTAMPTZ) {
        int rc = tz_offset_seconds(timezone, value, &offset, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        local += (int64_t)offset * USECS_PER_SEC;
    }
    Fields f;
    fields_from_timestamp(local, &f);
    if (date_field(name, &f, out)) {
        return STRATA_OK;
    }
    if (strcmp(name, "epoch") == 0) {
        *out =
            type == TYPE_DATE
                ? numeric_make((__int128)(value + POSTGRES_EPOCH_DAYS) * 86400, 0)
                : numeric_make((__int128)value + (__int128)POSTGRES_EPOCH_DAYS * USECS_PER_DAY, 6);
        return STRATA_OK;
    }
    if (strcmp(name, "julian") == 0) {
        Decimal day = numeric_make(f.days + 2451545, 0);
        if (type == TYPE_DATE) {
            *out = day;
            return STRATA_OK;
        }
        /* PostgreSQL divides microseconds by microseconds per day, which fixes
         * the result scale (select_div_scale). */
        Decimal micros = numeric_make(f.time_of_day, 0), per_day = numeric_make(USECS_PER_DAY, 0),
                frac;
        int rc = numeric_div(&micros, &per_day, &frac, err);
        return rc != STRATA_OK ? rc : numeric_add(&day, &frac, out, err);
    }
    if (type == TYPE_DATE) {
        return unsupported(field, type_text, err);
    }
    if (time_field(name, f.time_of_day, out)) {
        return STRATA_OK;
    }
    if (type == TYPE_TIMESTAMPTZ && strncmp(name, "timezone", 8) == 0) {
        int64_t part = strcmp(name, "timezone") == 0        ? offset
                       : strcmp(name, "timezone_hour") == 0 ? offset / 3600
                                                            : offset / 60 % 60;
        *out = numeric_make(part, 0);
        return STRATA_OK;
    }
    return unsupported(field, type_text, err);
}

static int trunc_fields(const char *name, Fields *f, Error *err, const char *field,
                        const char *type)
{
    if (strcmp(name, "microseconds") == 0) {
        return STRATA_OK;
    }
    if (strcmp(name, "milliseconds") == 0) {
        f->micros -= f->micros % 1000;
        return STRATA_OK;
    }
    f->micros = 0;
    if (strcmp(name, "second") == 0) {
        return STRATA_OK;
    }
    f->second = 0;
    if (strcmp(name, "minute") == 0) {
        return STRATA_OK;
    }
    f->minute = 0;
    if (strcmp(name, "hour") == 0) {
        return STRATA_OK;
    }
    f->hour = 0;
    if (strcmp(name, "day") == 0) {
        return STRATA_OK;
    }
    if (strcmp(name, "week") == 0) {
        int64_t monday = f->days - (isodow(f->days) - 1);
        date_to_ymd(monday, &f->year, &f->month, &f->day);
        return STRATA_OK;
    }
    f->day = 1;
    if (strcmp(name, "month") == 0) {
        return STRATA_OK;
    }
    if (strcmp(name, "quarter") == 0) {
        f->month = (f->month - 1) / 3 * 3 + 1;
        return STRATA_OK;
    }
    f->month = 1;
    if (strcmp(name, "year") == 0) {
        return STRATA_OK;
    }
    if (strcmp(name, "decade") == 0) {
        f->year = f->year > 0 ? f->year - f->year % 10 : -((8 - (f->year - 1)) / 10) * 10;
        return STRATA_OK;
    }
    if (strcmp(name, "century") == 0) {
        int64_t c = century_of(f->year);
        f->year = c > 0 ? (c - 1) * 100 + 1 : c * 100 + 1;
        return STRATA_OK;
    }
    if (strcmp(name, "millennium") == 0) {
        int64_t m = millennium_of(f->year);
        f->year = m > 0 ? (m - 1) * 1000 + 1 : m * 1000 + 1;
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "unit \"%s\" not supported for type %s",
                     field, type);
}

int timestamp_trunc(const char *field, int64_t ts, bool with_tz, const char *timezone, int64_t *out,
                    Error *err)
{
    const char *type = with_tz ? "timestamp with time zone" : "timestamp without time zone";
    const char *name = field_canonical(field);
    if (name == NULL) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "unit \"%s\" not recognized for type %s", field, type);
    }
    if (!DATETIME_IS_FINITE(ts)) {
        *out = ts;
        return STRATA_OK;
    }
    int64_t local = ts;
    int rc = with_tz ? timestamptz_to_timestamp(ts, timezone, &local, err) : STRATA_OK;
    if (rc != STRATA_OK) {
        return rc;
    }
    Fields f;
    fields_from_timestamp(local, &f);
    rc = trunc_fields(name, &f, err, field, type);
    if (rc != STRATA_OK) {
        return rc;
    }
    int64_t result = date_from_ymd_raw(f.year, f.month, f.day) * USECS_PER_DAY +
                     f.hour * USECS_PER_HOUR + f.minute * USECS_PER_MINUTE +
                     f.second * USECS_PER_SEC + f.micros;
    return with_tz ? timestamp_to_timestamptz(result, timezone, out, err)
                   : (*out = result, STRATA_OK);
}

int interval_trunc(const char *field, const Interval *iv, Interval *out, Error *err)
{
    const char *name = field_canonical(field);
    if (name == NULL) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "unit \"%s\" not recognized for type interval", field);
    }
    Interval r = *iv;
    static const struct {
        const char *name;
        int64_t micro_unit;
        int months_unit;
        bool clear_days;
    } UNITS[] = {
        {"microseconds", 1, 0, false},
        {"milliseconds", 1000, 0, false},
        {"second", USECS_PER_SEC, 0, false},
        {"minute", USECS_PER_MINUTE, 0, false},
        {"hour", USECS_PER_HOUR, 0, false},
        {"day", 0, 0, false},
        {"month", 0, 1, true},
        {"quarter", 0, 3, true},
        {"year", 0, 12, true},
        {"decade", 0, 120, true},
        {"century", 0, 1200, true},
        {"millennium", 0, 12000, true},
    };
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
        if (strcmp(UNITS[i].name, name) != 0) {
            continue;
        }
        if (UNITS[i].micro_unit > 0) {
            r.micros -= r.micros % UNITS[i].micro_unit;
        } else {
            r.micros = 0;
            if (UNITS[i].clear_days) {
                r.days = 0;
                r.months -= r.months % UNITS[i].months_unit;
            }
        }
        *out = r;
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                     "unit \"%s\" not supported for type interval", field);
}

int datetime_make_date(int64_t year, int64_t month, int64_t day, int64_t *out, Error *err)
{
    if (year == 0 || month < 1 || month > 12 || day < 1 || year > 5874897 || year < -4713) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "date field value out of range: %lld-%02lld-%02lld", (long long)year,
                         (long long)month, (long long)day);
    }
    int64_t astronomical = year < 0 ? year + 1 : year;
    if (day > date_days_in_month(astronomical, (int)month)) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "date field value out of range: %lld-%02lld-%02lld", (long long)year,
                         (long long)month, (long long)day);
    }
    *out = date_from_ymd_raw(astronomical, (int)month, (int)day);
    return STRATA_OK;
}

int datetime_make_time(int64_t hour, int64_t minute, double second, int64_t *out, Error *err)
{
    if (hour < 0 || minute < 0 || minute > 59 || second < 0 || second > 60 || hour > 24 ||
        (hour == 24 && (minute > 0 || second > 0))) {
        return error_set(err, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                         "time field value out of range: %lld:%02lld:%02g", (long long)hour,
                         (long long)minute, second);
    }
    *out = hour * USECS_PER_HOUR + minute * USECS_PER_MINUTE + (int64_t)llround(second * 1e6);
    return STRATA_OK;
}

int datetime_make_timestamp(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                            double second, int64_t *out, Error *err)
{
    int64_t days, time;
    int rc = datetime_make_date(year, month, day, &days, err);
    if (rc == STRATA_OK) {
        rc = datetime_make_time(hour, minute, second, &time, err);
    }
    if (rc == STRATA_OK) {
        *out = days * USECS_PER_DAY + time;
    }
    return rc;
}
