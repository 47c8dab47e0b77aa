/*
 * types/datetime_test.c - dates, times, time zones and intervals against
 * PostgreSQL 15's answers, plus calendar and arithmetic invariants.
 *
 * datetime_cases.inc holds {TimeZone, kind, type, input, extra, expected}
 * captured from a PostgreSQL 15 server with that TimeZone setting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/cast.h"
#include "types/datetime.h"
#include "types/numeric.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

typedef struct DtCase {
    const char *zone, *kind, *type, *input, *extra, *expected;
} DtCase;

static const DtCase CASES[] = {
#include "types/datetime_cases.inc"
};

static Arena *arena;

static int format_value(const Value *v, const char *zone, char *out, size_t cap, Error *err)
{
    StrRef text;
    int rc = value_format_tz(v, zone, arena, &text, err);
    if (rc == STRATA_OK) {
        snprintf(out, cap, "%.*s", (int)text.len, text.ptr);
    }
    return rc;
}

static int run(const DtCase *c, char *out, size_t cap, Error *err)
{
    const char *zone = c->zone;
    SqlType type;
    int rc = type_from_name(c->type, NULL, 0, &type, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Value v, r;
    if (strcmp(c->kind, "to_timestamp") == 0) {
        int64_t ts;
        rc = datetime_to_timestamp(c->input, strlen(c->input), c->extra, strlen(c->extra), zone,
                                   &ts, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        r = value_i64(TYPE_TIMESTAMPTZ, ts);
        return format_value(&r, zone, out, cap, err);
    }
    rc = value_parse_tz(type, c->input, strlen(c->input), zone, arena, &v, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const char *k = c->kind;
    if (strcmp(k, "out") == 0) {
        return format_value(&v, zone, out, cap, err);
    }
    if (strcmp(k, "extract") == 0) {
        Decimal d;
        rc = datetime_extract(c->extra, &v, zone, &d, err);
        if (rc == STRATA_OK) {
            numeric_format(&d, out);
        }
        return rc;
    }
    if (strcmp(k, "trunc") == 0) {
        r = v;
        if (type.id == TYPE_INTERVAL) {
            rc = interval_trunc(c->extra, &v.iv, &r.iv, err);
        } else {
            rc = timestamp_trunc(c->extra, v.i64, type.id == TYPE_TIMESTAMPTZ, zone, &r.i64, err);
        }
        return rc != STRATA_OK ? rc : format_value(&r, zone, out, cap, err);
    }
    if (strcmp(k, "cast_ts") == 0 || strcmp(k, "cast_date") == 0 || strcmp(k, "from_ts") == 0) {
        TypeId target = strcmp(k, "cast_ts") == 0     ? TYPE_TIMESTAMP
                        : strcmp(k, "cast_date") == 0 ? TYPE_DATE
                                                      : TYPE_TIMESTAMPTZ;
        rc = value_cast_tz(&v, sql_type(target), CAST_EXPLICIT, zone, arena, &r, err);
        return rc != STRATA_OK ? rc : format_value(&r, zone, out, cap, err);
    }
    if (strcmp(k, "to_char") == 0) {
        StrRef text;
        rc = datetime_to_char(&v, c->extra, strlen(c->extra), zone, arena, &text, err);
        if (rc == STRATA_OK) {
            snprintf(out, cap, "%.*s", (int)text.len, text.ptr);
        }
        return rc;
    }
    if (strcmp(k, "plus") == 0) {
        Interval iv;
        rc = interval_parse(c->extra, strlen(c->extra), &iv, err);
        if (rc == STRATA_OK) {
            r = v;
            rc = type.id == TYPE_TIMESTAMPTZ
                     ? timestamptz_add_interval(v.i64, &iv, zone, &r.i64, err)
                     : timestamp_add_interval(v.i64, &iv, &r.i64, err);
        }
        return rc != STRATA_OK ? rc : format_value(&r, zone, out, cap, err);
    }
    if (strcmp(k, "minus") == 0 || strcmp(k, "age") == 0) {
        int64_t other;
        rc = timestamp_parse(c->extra, strlen(c->extra), false, zone, -1, &other, err);
        memset(&r, 0, sizeof r);
        r.type = sql_type(TYPE_INTERVAL);
        if (rc == STRATA_OK) {
            rc = k[0] == 'm' ? timestamp_diff(v.i64, other, &r.iv, err)
                             : timestamp_age(v.i64, other, &r.iv, err);
        }
        return rc != STRATA_OK ? rc : format_value(&r, zone, out, cap, err);
    }
    if (strcmp(k, "mul") == 0 || strcmp(k, "div") == 0) {
        r = v;
        double factor = atof(c->extra);
        rc = k[0] == 'm' ? interval_mul(&v.iv, factor, &r.iv, err)
                         : interval_div(&v.iv, factor, &r.iv, err);
        return rc != STRATA_OK ? rc : format_value(&r, zone, out, cap, err);
    }
    r = v;
    if (strcmp(k, "justify_hours") == 0) {
        interval_justify_hours(&v.iv, &r.iv);
    } else if (strcmp(k, "justify_days") == 0) {
        interval_justify_days(&v.iv, &r.iv);
    } else {
        interval_justify_interval(&v.iv, &r.iv);
    }
    return format_value(&r, zone, out, cap, err);
}

static void test_postgres_cases(void)
{
    int mismatches = 0, skipped = 0;
    /* Named zones need the system tzdata; without it those cases are skipped. */
    FILE *tzdata = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    bool have_tzdata = tzdata != NULL;
    if (tzdata != NULL) {
        fclose(tzdata);
    }
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        if (!have_tzdata && strchr(CASES[i].zone, '/') != NULL &&
            strncmp(CASES[i].zone, "Etc/", 4) != 0) {
            skipped++;
            continue;
        }
        char got[ERROR_MESSAGE_MAX + 16];
        Error err;
        error_clear(&err);
        if (run(&CASES[i], got, sizeof got, &err) != STRATA_OK) {
            snprintf(got, sizeof got, "ERR:%s", err.sqlstate);
        }
        if (strcmp(got, CASES[i].expected) != 0) {
            mismatches++;
            fprintf(stderr, "  [%s] %s %s '%s' %s: got '%s', want '%s' %s\n", CASES[i].zone,
                    CASES[i].kind, CASES[i].type, CASES[i].input, CASES[i].extra, got,
                    CASES[i].expected, err.message);
            test_current_failed = 1;
        }
        arena_reset(arena);
    }
    printf("datetime_test: %zu PostgreSQL cases, %d skipped (no tzdata), %d mismatches\n",
           sizeof CASES / sizeof CASES[0], skipped, mismatches);
}

/* date_from_ymd_raw and date_to_ymd are inverse over the whole range, and
 * consecutive days are consecutive dates. */
static void test_calendar(void)
{
    int64_t year, previous_year = 0;
    int month, day, previous_month = 0, previous_day = 0;
    /* Exhaustive around the epoch: inverse and consecutive. */
    for (int64_t days = -800000; days <= 800000; days++) {
        date_to_ymd(days, &year, &month, &day);
        REQUIRE(date_from_ymd_raw(year, month, day) == days);
        if (days > -800000) {
            bool next_day =
                (year == previous_year && month == previous_month && day == previous_day + 1) ||
                (day == 1 && (month == previous_month + 1 || (month == 1 && previous_month == 12)));
            REQUIRE(next_day);
        }
        previous_year = year;
        previous_month = month;
        previous_day = day;
    }
    /* Sparse over the whole date range: inverse. */
    for (int64_t days = -2451545; days < 2145031948; days += 99991) {
        date_to_ymd(days, &year, &month, &day);
        REQUIRE(date_from_ymd_raw(year, month, day) == days);
    }
    CHECK_EQ_INT(date_day_of_week(0), 6); /* 2000-01-01 was a Saturday */
    CHECK(date_is_leap_year(2000) && !date_is_leap_year(1900) && date_is_leap_year(2024));
}

static void test_timestamp_arithmetic(void)
{
    uint64_t state = test_seed("datetime_test");
    int rounds = getenv("STRATA_TEST_QUICK") ? 2000 : 20000;
    for (int i = 0; i < rounds; i++) {
        int64_t a =
            (int64_t)(test_rand(&state) % (uint64_t)(INT64_C(3) << 60)) - (INT64_C(1) << 59);
        int64_t b =
            (int64_t)(test_rand(&state) % (uint64_t)(INT64_C(3) << 60)) - (INT64_C(1) << 59);
        a /= 64;
        b /= 64;
        Interval diff;
        Error err;
        REQUIRE(timestamp_diff(a, b, &diff, &err) == STRATA_OK);
        int64_t back;
        /* b + (a - b) = a: the difference has no months, so adding is exact */
        REQUIRE(timestamp_add_interval(b, &diff, &back, &err) == STRATA_OK);
        CHECK(back == a);
        CHECK(diff.months == 0);
    }
    Error err;
    int64_t out;
    CHECK(timestamp_add_interval(INT64_C(9223371331199999999), &(Interval){0, 1, 0}, &out, &err) !=
          STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "22008");
}

static void test_zones(void)
{
    int32_t offset;
    Error err;
    CHECK(tz_offset_seconds("UTC", 0, &offset, &err) == STRATA_OK && offset == 0);
    CHECK(tz_offset_seconds("UTC+3", 0, &offset, &err) == STRATA_OK && offset == -10800);
    CHECK(tz_offset_seconds("Etc/GMT-2", 0, &offset, &err) == STRATA_OK && offset == 7200);
    CHECK(tz_offset_seconds("+05:30", 0, &offset, &err) == STRATA_OK && offset == -19800);
    CHECK(tz_offset_seconds("Mars/Olympus", 0, &offset, &err) != STRATA_OK);
    CHECK_EQ_STR(err.message, "time zone \"Mars/Olympus\" not recognized");
}

int main(void)
{
    arena = arena_create(NULL, 0, "datetime_test");
    TEST_RUN(test_postgres_cases);
    TEST_RUN(test_calendar);
    TEST_RUN(test_timestamp_arithmetic);
    TEST_RUN(test_zones);
    arena_destroy(arena);
    return test_summary("datetime_test");
}
