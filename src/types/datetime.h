/*
 * types/datetime.h - date, time, timestamp, timestamptz and interval.
 *
 * Representation (types.h): date = days since 2000-01-01; time = microseconds
 * since midnight; timestamp / timestamptz = microseconds since 2000-01-01
 * 00:00:00 (timestamptz: UTC); interval = months, days, microseconds kept
 * apart as PostgreSQL does. The proleptic Gregorian calendar is used for all
 * dates; year 0 does not exist (1 BC precedes 1 AD), as PostgreSQL.
 * +-infinity: DATETIME_NOEND / DATETIME_NOBEGIN for date and timestamps.
 *
 * Time zones: a zone is the session's TimeZone setting string. Supported now:
 * "UTC", "GMT", "Z", "Etc/UTC", and fixed offsets in POSIX style as
 * PostgreSQL reads them: "UTC+3", "Etc/GMT+3", "<-03>+3" and a bare "+03" or
 * "-08:00" all count hours WEST of UTC (TimeZone '+05:30' shows times as
 * -05:30). Offsets inside timestamp literals ('... 12:00+05') are ISO: east. Named zones with
 * daylight-saving rules (Europe/Berlin) are not supported yet: 22023 `time zone "x" not
 * recognized`.
 *
 * Ranges: dates 4713-11-24 BC .. 5874897-12-31 AD, timestamps 4713 BC ..
 * 294276 AD; beyond: 22008 `date out of range` / `timestamp out of range`.
 *
 * Threads: pure functions, thread-safe. See src/types/README.md.
 */
#ifndef STRATA_TYPES_DATETIME_H
#define STRATA_TYPES_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

#define DATETIME_NOBEGIN INT64_MIN /* -infinity */
#define DATETIME_NOEND INT64_MAX   /* infinity */
#define DATETIME_IS_FINITE(x) ((x) != DATETIME_NOBEGIN && (x) != DATETIME_NOEND)

#define USECS_PER_SEC INT64_C(1000000)
#define USECS_PER_MINUTE INT64_C(60000000)
#define USECS_PER_HOUR INT64_C(3600000000)
#define USECS_PER_DAY INT64_C(86400000000)

/* Days from 1970-01-01 to 2000-01-01 (unix epoch -> PostgreSQL epoch). */
#define POSTGRES_EPOCH_DAYS 10957

/* Longest text of any date/time output, with NUL. */
#define DATETIME_TEXT_MAX 128

/* ---- calendar ---- */

/* Days since 2000-01-01 of a Gregorian date (year <= 0 means BC: 0 = 1 BC,
 * -1 = 2 BC, astronomical numbering). No validation. */
int64_t date_from_ymd_raw(int64_t year, int month, int day);
/* Validating form: 22008 `date field value out of range: 2024-02-30`. */
int date_from_ymd(int64_t year, int month, int day, int64_t *out, Error *err);
void date_to_ymd(int64_t days, int64_t *year, int *month, int *day);
bool date_is_leap_year(int64_t year);
int date_days_in_month(int64_t year, int month);
/* 0 = Sunday .. 6 = Saturday. */
int date_day_of_week(int64_t days);

/* ---- time zones ---- */

/* Offset in seconds EAST of UTC of the zone at the UTC instant utc_micros
 * (ISO sign: "+05:30" is 19800). NULL or "" means UTC. 22023 for an unknown
 * zone. */
int tz_offset_seconds(const char *timezone, int64_t utc_micros, int32_t *out, Error *err);

/* Local wall time of the zone -> UTC. In a daylight-saving gap the offset
 * in force before the gap is used; an ambiguous time is taken as standard
 * time (both as PostgreSQL). 22023 for an unknown zone. */
int tz_local_to_utc(const char *timezone, int64_t local_micros, int64_t *out, Error *err);

/* AT TIME ZONE: to_local converts a UTC instant (timestamptz) to the zone's
 * wall time (timestamp); otherwise a wall time in the zone to UTC. The zone
 * may also be an abbreviation (EST, CEST, PST: PostgreSQL's Default set).
 * 22023 for an unknown zone. */
int tz_at_time_zone(const char *zone, int64_t value, bool to_local, int64_t *out, Error *err);

/* The zone's abbreviation at an instant, as to_char's TZ shows it ("CET",
 * "EDT", "UTC", "+02", or "" for a bare offset zone). Returns its length. */
int tz_abbreviation(const char *timezone, int64_t utc_micros, char *buf, size_t cap);

/* ---- text input and output ---- */

/* ISO 8601 (2024-01-31), with BC suffix, 'epoch', 'infinity', '-infinity',
 * 'today' is not supported (needs the clock: the binder should use
 * current_date). Also YYYYMMDD and "Jan 31 2024" / "31 Jan 2024" / "January 31,
 * 2024". 22007 `invalid input syntax for type date: "x"`; 22008 for field
 * values out of range. */
int date_parse(const char *text, size_t length, int64_t *out, Error *err);
/* Writes "2024-01-31" (or "0044-03-15 BC", "infinity"); returns the length. */
int date_format(int64_t days, char *buf);

/* HH:MM[:SS[.ffffff]] with optional am/pm; 24:00:00 allowed. precision is the
 * typmod (-1 = 6). */
int time_parse(const char *text, size_t length, int precision, int64_t *out, Error *err);
int time_format(int64_t micros, char *buf);

/* Timestamps: a date, then optional 'T' or space and a time, then for
 * timestamptz an optional zone (Z, +05, +05:30, -0800, UTC, GMT). Input
 * without a zone is in the given session zone for timestamptz; zones are
 * ignored for timestamp (as PostgreSQL). 'epoch', 'infinity', '-infinity'. */
int timestamp_parse(const char *text, size_t length, bool with_tz, const char *timezone,
                    int precision, int64_t *out, Error *err);
/* "2024-01-31 12:00:00" / "2024-01-31 12:00:00.5" */
int timestamp_format(int64_t ts, char *buf);
/* "2024-01-31 12:00:00+00", "... +05:30" in the given zone. */
int timestamptz_format(int64_t ts, const char *timezone, char *buf);

/* PostgreSQL interval input: verbose ("1 year 2 mons 3 days 04:05:06",
 * "@ 1 hour ago", "1.5 days", "-1 day +02:00"), SQL ("1-2", "3 4:05:06"),
 * ISO 8601 ("P1Y2M3DT4H5M6S", "PT0.5S"). 22007 `invalid input syntax for
 * type interval: "x"`, 22015 `interval field value out of range`. */
int interval_parse(const char *text, size_t length, Interval *out, Error *err);
/* PostgreSQL's "postgres" IntervalStyle: "1 year 2 mons 3 days 04:05:06",
 * "-1 days +02:00:00", "00:00:00". */
int interval_format(const Interval *iv, char *buf);

/* ---- arithmetic ---- */

/* date + days; 22008 `date out of range`. */
int date_add_days(int64_t days, int64_t add, int64_t *out, Error *err);
/* timestamp + interval: months first (clamping the day to the month's end),
 * then days, then microseconds. 22008 `timestamp out of range`. */
int timestamp_add_interval(int64_t ts, const Interval *iv, int64_t *out, Error *err);
/* timestamptz + interval: months and days are added in local time of the zone. */
int timestamptz_add_interval(int64_t ts, const Interval *iv, const char *timezone, int64_t *out,
                             Error *err);
/* a - b as an interval of days and time (PostgreSQL's timestamp_mi with
 * justify_hours): '2 days 03:00:00'. 22008 for infinite inputs. */
int timestamp_diff(int64_t a, int64_t b, Interval *out, Error *err);
/* age(a, b): symbolic years/months/days difference ('1 year 2 mons 3 days'). */
int timestamp_age(int64_t a, int64_t b, Interval *out, Error *err);

int interval_add(const Interval *a, const Interval *b, Interval *out, Error *err);
int interval_sub(const Interval *a, const Interval *b, Interval *out, Error *err);
int interval_neg(const Interval *a, Interval *out, Error *err);
/* interval * factor, with PostgreSQL's cascading of fractional months to days
 * and fractional days to time. 22008 `interval out of range`. */
int interval_mul(const Interval *a, double factor, Interval *out, Error *err);
/* 22012 `division by zero`. */
int interval_div(const Interval *a, double divisor, Interval *out, Error *err);
void interval_justify_hours(const Interval *a, Interval *out);
void interval_justify_days(const Interval *a, Interval *out);
void interval_justify_interval(const Interval *a, Interval *out);
/* Total span in microseconds with 1 month = 30 days (the comparison key);
 * __int128 so that it cannot overflow. */
__int128 interval_span(const Interval *a);

/* ---- fields ---- */

/* extract(field from value): value of TYPE_DATE, TIME, TIMESTAMP, TIMESTAMPTZ
 * or INTERVAL (in v->type.id). Fields: millennium, century, decade, year,
 * isoyear, quarter, month, week, day, dow, isodow, doy, hour, minute, second,
 * milliseconds, microseconds, epoch, julian, timezone, timezone_hour,
 * timezone_minute. The result is numeric (PostgreSQL 14+ extract); date_part
 * converts it to float8. 22023 `unit "x" not supported for type date` /
 * `unit "x" not recognized for type ...`. */
int datetime_extract(const char *field, const Value *v, const char *timezone, Decimal *out,
                     Error *err);

/* date_trunc(field, ts): microseconds, milliseconds, second, minute, hour, day,
 * week, month, quarter, year, decade, century, millennium. For timestamptz the
 * truncation happens in local time of the zone. */
int timestamp_trunc(const char *field, int64_t ts, bool with_tz, const char *timezone, int64_t *out,
                    Error *err);
int interval_trunc(const char *field, const Interval *iv, Interval *out, Error *err);

/* make_date(y, m, d) (negative years are BC), make_time(h, m, s),
 * make_timestamp(y, mo, d, h, mi, s). 22008 `date field value out of range:
 * 2024-02-30`. */
int datetime_make_date(int64_t year, int64_t month, int64_t day, int64_t *out, Error *err);
int datetime_make_time(int64_t hour, int64_t minute, double second, int64_t *out, Error *err);
int datetime_make_timestamp(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                            double second, int64_t *out, Error *err);

/* Conversions between the kinds (timezone = session zone). */
int timestamp_to_timestamptz(int64_t ts, const char *timezone, int64_t *out, Error *err);
int timestamptz_to_timestamp(int64_t ts, const char *timezone, int64_t *out, Error *err);
int64_t date_to_timestamp(int64_t days); /* caller checks range of days first */
int timestamp_to_date(int64_t ts, int64_t *out, Error *err);
int64_t timestamp_to_time(int64_t ts);

/* to_char(timestamp, format): YYYY YYY YY Y MM DD DDD D ID HH HH12 HH24 MI SS
 * MS US AM PM am pm A.M. P.M. Mon MON mon Month MONTH month Dy DY dy Day DAY
 * day Q WW IW J TZ tz OF, the FM prefix, "quoted text" and other characters
 * copied. v is a date, timestamp, timestamptz or interval. The result lives in
 * arena. */
int datetime_to_char(const Value *v, const char *format, size_t format_length, const char *timezone,
                     Arena *arena, StrRef *out, Error *err);

/* to_timestamp(text, format) / to_date(text, format) with the same patterns
 * (fields not given default to 0001-01-01 00:00:00 as PostgreSQL); with_tz
 * interprets the result in the session zone. 22007 on mismatch. */
int datetime_to_timestamp(const char *text, size_t length, const char *format, size_t format_length,
                          const char *timezone, int64_t *out, Error *err);
int datetime_to_date(const char *text, size_t length, const char *format, size_t format_length,
                     int64_t *out, Error *err);

/* The wall clock as a timestamptz (clock_timestamp()). */
int64_t datetime_now_micros(void);

#endif
