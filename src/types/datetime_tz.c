/*
 * types/datetime_tz.c - named time zones from the system's tzdata (TZif
 * files under /usr/share/zoneinfo), with daylight-saving rules.
 *
 * A zone is loaded once and cached for the life of the process (valid zones
 * only, at most TZ_CACHE_MAX; the cache is guarded by one mutex, lookups after
 * the first are a short locked scan). Unknown names are re-checked on each
 * use (a failed open), never cached, so hostile names cannot grow memory. Instants after the file's
 * last transition follow the POSIX TZ rule in the file's footer ("CET-1CEST,M3.5.0,M10.5.0/3").
 *
 * File format: RFC 8536 (TZif versions 2+; the 64-bit second data block is
 * used). The file's bytes are input: every count and index is checked and a
 * malformed file is "time zone not recognized", never a crash.
 *
 * Threads: all functions are thread-safe.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/datetime.h"
#include "types/datetime_int.h"
#include "util/mem.h"

/* tzdata has about 600 zone files; only valid zones are cached, so the cache
 * cannot be filled by user-supplied names. */
#define TZ_CACHE_MAX 1024
#define TZ_TYPES_MAX 64
#define TZ_FILE_BYTES_MAX (1u << 20)

typedef struct PosixDate {
    char kind; /* 'M' month/week/day, 'J' julian 1..365 without leap day, 'D' 0..365 */
    int month, week, weekday, day;
    int32_t time_seconds; /* local wall time of the change */
} PosixDate;

typedef struct PosixRule {
    bool present, has_dst;
    int32_t std_east, dst_east; /* offsets in seconds east of UTC */
    char std_abbrev[16], dst_abbrev[16];
    PosixDate start, end;
} PosixRule;

typedef struct TzZone {
    char name[128];
    bool valid;
    int64_t *transitions; /* unix seconds, ascending */
    uint8_t *type_index;
    int transition_count;
    int32_t offsets[TZ_TYPES_MAX];
    bool is_dst[TZ_TYPES_MAX];
    char abbrevs[TZ_TYPES_MAX][16];
    int type_count;
    PosixRule rule;
} TzZone;

static TzZone *cache[TZ_CACHE_MAX];
static int cache_count;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- POSIX TZ strings ---- */

static const char *posix_name(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    if (*p == '<') {
        p++;
        while (*p && *p != '>') {
            if (n + 1 < cap) {
                out[n++] = *p;
            }
            p++;
        }
        if (*p != '>') {
            return NULL;
        }
        p++;
    } else {
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            if (n + 1 < cap) {
                out[n++] = *p;
            }
            p++;
        }
        if (n < 3) {
            return NULL;
        }
    }
    out[n] = '\0';
    return p;
}

/* [+-]hh[:mm[:ss]] in seconds (sign as written). */
static const char *posix_time(const char *p, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (*p < '0' || *p > '9') {
        return NULL;
    }
    int32_t fields[3] = {0, 0, 0};
    for (int f = 0; f < 3; f++) {
        if (f > 0) {
            if (*p != ':') {
                break;
            }
            p++;
        }
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 3) {
            fields[f] = fields[f] * 10 + (*p - '0');
            p++;
            digits++;
        }
        if (digits == 0) {
            return NULL;
        }
    }
    *out = sign * (fields[0] * 3600 + fields[1] * 60 + fields[2]);
    return p;
}

static const char *posix_date(const char *p, PosixDate *d)
{
    d->time_seconds = 7200;
    if (*p == 'M') {
        d->kind = 'M';
        if (sscanf(p + 1, "%d.%d.%d", &d->month, &d->week, &d->weekday) != 3 || d->month < 1 ||
            d->month > 12 || d->week < 1 || d->week > 5 || d->weekday < 0 || d->weekday > 6) {
            return NULL;
        }
        p++;
        while ((*p >= '0' && *p <= '9') || *p == '.') {
            p++;
        }
    } else {
        d->kind = 'D';
        if (*p == 'J') {
            d->kind = 'J';
            p++;
        }
        if (*p < '0' || *p > '9') {
            return NULL;
        }
        d->day = atoi(p);
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    if (*p == '/') {
        p = posix_time(p + 1, &d->time_seconds);
    }
    return p;
}

static bool posix_parse(const char *text, PosixRule *rule)
{
    memset(rule, 0, sizeof *rule);
    int32_t offset;
    const char *p = posix_name(text, rule->std_abbrev, sizeof rule->std_abbrev);
    if (p == NULL || (p = posix_time(p, &offset)) == NULL) {
        return false;
    }
    rule->std_east = -offset;
    rule->present = true;
    if (*p == '\0') {
        return true;
    }
    p = posix_name(p, rule->dst_abbrev, sizeof rule->dst_abbrev);
    if (p == NULL) {
        return false;
    }
    rule->has_dst = true;
    rule->dst_east = rule->std_east + 3600;
    if (*p != ',' && *p != '\0') {
        if ((p = posix_time(p, &offset)) == NULL) {
            return false;
        }
        rule->dst_east = -offset;
    }
    if (*p != ',') {
        /* No rule given: POSIX's default (US rules) is not worth guessing; treat as standard. */
        rule->has_dst = false;
        return true;
    }
    if ((p = posix_date(p + 1, &rule->start)) == NULL || *p != ',') {
        return false;
    }
    if ((p = posix_date(p + 1, &rule->end)) == NULL) {
        return false;
    }
    return true;
}

/* Unix seconds of the rule date in a year, at local wall time. */
static int64_t posix_date_local(const PosixDate *d, int64_t year)
{
    int64_t days;
    if (d->kind == 'M') {
        int64_t first = date_from_ymd_raw(year, d->month, 1);
        int dow = date_day_of_week(first);
        int day = 1 + (d->weekday - dow + 7) % 7 + (d->week - 1) * 7;
        while (day > date_days_in_month(year, d->month)) {
            day -= 7;
        }
        days = first + day - 1;
    } else if (d->kind == 'J') {
        int n = d->day; /* 1..365, Feb 29 never counted */
        days = date_from_ymd_raw(year, 1, 1) + n - 1;
        if (date_is_leap_year(year) && n >= 60) {
            days++;
        }
    } else {
        days = date_from_ymd_raw(year, 1, 1) + d->day;
    }
    return (days + POSTGRES_EPOCH_DAYS) * 86400 + d->time_seconds;
}

static bool posix_is_dst(const PosixRule *r, int64_t unix_seconds)
{
    if (!r->has_dst) {
        return false;
    }
    int64_t days = unix_seconds / 86400 - POSTGRES_EPOCH_DAYS;
    int64_t year;
    int month, day;
    date_to_ymd(days, &year, &month, &day);
    int64_t start = posix_date_local(&r->start, year) - r->std_east;
    int64_t end = posix_date_local(&r->end, year) - r->dst_east;
    if (start < end) {
        return unix_seconds >= start && unix_seconds < end;
    }
    return !(unix_seconds >= end && unix_seconds < start);
}

/* ---- TZif ---- */

static int64_t read_be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) {
        v = (v << 8) | p[i];
    }
    if (bytes == 4) {
        return (int32_t)(uint32_t)v;
    }
    return (int64_t)v;
}

static bool parse_tzif(TzZone *z, const unsigned char *data, size_t size)
{
    if (size < 44 || memcmp(data, "TZif", 4) != 0 || data[4] < '2') {
        return false;
    }
    size_t counts[6];
    for (int i = 0; i < 6; i++) {
        counts[i] = (size_t)(uint32_t)read_be(data + 20 + 4 * i, 4);
    }
    /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt (v1, 32-bit) */
    size_t v1 = counts[3] * 5 + counts[4] * 6 + counts[5] + counts[2] * 8 + counts[1] + counts[0];
    size_t pos = 44 + v1;
    if (pos + 44 > size || memcmp(data + pos, "TZif", 4) != 0) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        counts[i] = (size_t)(uint32_t)read_be(data + pos + 20 + 4 * i, 4);
    }
    pos += 44;
    size_t timecnt = counts[3], typecnt = counts[4], charcnt = counts[5];
    size_t need = timecnt * 9 + typecnt * 6 + charcnt + counts[2] * 12 + counts[1] + counts[0];
    if (typecnt == 0 || typecnt > TZ_TYPES_MAX || timecnt > 100000 || pos + need > size) {
        return false;
    }
    z->transitions = mem_alloc(sizeof(int64_t) * (timecnt + 1));
    z->type_index = mem_alloc(timecnt + 1);
    if (z->transitions == NULL || z->type_index == NULL) {
        return false;
    }
    for (size_t i = 0; i < timecnt; i++) {
        z->transitions[i] = read_be(data + pos + 8 * i, 8);
        z->type_index[i] = data[pos + 8 * timecnt + i];
        if (z->type_index[i] >= typecnt || (i > 0 && z->transitions[i] <= z->transitions[i - 1])) {
            return false;
        }
    }
    z->transition_count = (int)timecnt;
    size_t types_at = pos + 9 * timecnt, chars_at = types_at + 6 * typecnt;
    for (size_t t = 0; t < typecnt; t++) {
        const unsigned char *entry = data + types_at + 6 * t;
        z->offsets[t] = (int32_t)read_be(entry, 4);
        z->is_dst[t] = entry[4] != 0;
        size_t abbrev = entry[5];
        if (abbrev >= charcnt) {
            return false;
        }
        snprintf(z->abbrevs[t], sizeof z->abbrevs[t], "%.*s",
                 (int)strnlen((const char *)data + chars_at + abbrev, charcnt - abbrev),
                 (const char *)data + chars_at + abbrev);
    }
    z->type_count = (int)typecnt;
    /* Footer: "\n<POSIX TZ>\n" */
    size_t footer = pos + need;
    if (footer < size && data[footer] == '\n') {
        char rule[128];
        size_t n = 0;
        for (size_t i = footer + 1; i < size && data[i] != '\n' && n + 1 < sizeof rule; i++) {
            rule[n++] = (char)data[i];
        }
        rule[n] = '\0';
        if (n > 0 && !posix_parse(rule, &z->rule)) {
            z->rule.present = false;
        }
    }
    return true;
}

static bool zone_name_safe(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= 100 || name[0] == '/' || strstr(name, "..") != NULL) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+')) {
            return false;
        }
    }
    return true;
}

/* Resolves a zone name case-insensitively (PostgreSQL accepts
 * 'europe/berlin'): each path component is matched against the directory's
 * entries. Writes the real path into path; false if there is no match. */
static bool resolve_path_nocase(const char *name, char *path, size_t cap)
{
    size_t length = (size_t)snprintf(path, cap, "/usr/share/zoneinfo");
    const char *component = name;
    while (*component != '\0') {
        const char *slash = strchr(component, '/');
        size_t n = slash ? (size_t)(slash - component) : strlen(component);
        DIR *dir = opendir(path);
        if (dir == NULL) {
            return false;
        }
        bool found = false;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (strlen(entry->d_name) == n && strncasecmp(entry->d_name, component, n) == 0) {
                length += (size_t)snprintf(path + length, cap - length, "/%s", entry->d_name);
                found = length < cap;
                break;
            }
        }
        closedir(dir);
        if (!found) {
            return false;
        }
        component += n + (slash ? 1 : 0);
    }
    return true;
}

static TzZone *load_zone(const char *name)
{
    TzZone *z = mem_zalloc(sizeof *z);
    if (z == NULL) {
        return NULL;
    }
    snprintf(z->name, sizeof z->name, "%s", name);
    if (!zone_name_safe(name)) {
        return z; /* cached as invalid */
    }
    char path[256];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FILE *file = fopen(path, "rb");
    if (file == NULL && resolve_path_nocase(name, path, sizeof path)) {
        file = fopen(path, "rb");
    }
    if (file == NULL) {
        return z;
    }
    unsigned char *data = mem_alloc(TZ_FILE_BYTES_MAX);
    size_t size = data ? fread(data, 1, TZ_FILE_BYTES_MAX, file) : 0;
    fclose(file);
    if (data != NULL) {
        z->valid = parse_tzif(z, data, size);
        mem_free(data);
    }
    return z;
}

/* The cached zone (loading it on first use); NULL if unknown. */
static const TzZone *zone_lookup(const char *name)
{
    pthread_mutex_lock(&cache_lock);
    const TzZone *found = NULL;
    for (int i = 0; i < cache_count; i++) {
        if (strcasecmp(cache[i]->name, name) == 0) {
            found = cache[i];
            break;
        }
    }
    if (found == NULL) {
        TzZone *z = load_zone(name);
        if (z != NULL && z->valid && cache_count < TZ_CACHE_MAX) {
            cache[cache_count++] = z;
            found = z;
        } else if (z != NULL) {
            /* Unknown (or, past TZ_CACHE_MAX, uncacheable) zones are not kept:
             * a lookup never leaks memory. */
            mem_free(z->transitions);
            mem_free(z->type_index);
            mem_free(z);
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return found != NULL && found->valid ? found : NULL;
}

/* Offset (east), DST flag and abbreviation at a unix second. */
static void zone_at(const TzZone *z, int64_t unix_seconds, int32_t *offset, bool *is_dst,
                    const char **abbrev)
{
    int n = z->transition_count;
    if (n > 0 && unix_seconds >= z->transitions[n - 1] && z->rule.present) {
        bool dst = posix_is_dst(&z->rule, unix_seconds);
        *offset = dst ? z->rule.dst_east : z->rule.std_east;
        *is_dst = dst;
        *abbrev = dst ? z->rule.dst_abbrev : z->rule.std_abbrev;
        return;
    }
    int type = 0;
    if (n > 0 && unix_seconds >= z->transitions[0]) {
        int lo = 0, hi = n - 1;
        while (lo < hi) {
            int mid = lo + (hi - lo + 1) / 2;
            if (z->transitions[mid] <= unix_seconds) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        type = z->type_index[lo];
    } else if (n == 0 && z->rule.present) {
        bool dst = posix_is_dst(&z->rule, unix_seconds);
        *offset = dst ? z->rule.dst_east : z->rule.std_east;
        *is_dst = dst;
        *abbrev = dst ? z->rule.dst_abbrev : z->rule.std_abbrev;
        return;
    }
    *offset = z->offsets[type];
    *is_dst = z->is_dst[type];
    *abbrev = z->abbrevs[type];
}

static int64_t floor_seconds(int64_t micros)
{
    return micros >= 0 ? micros / USECS_PER_SEC : -((-micros + USECS_PER_SEC - 1) / USECS_PER_SEC);
}

bool tz_named_offset(const char *name, int64_t utc_micros, int32_t *offset, const char **abbrev)
{
    const TzZone *z = zone_lookup(name);
    if (z == NULL) {
        return false;
    }
    bool is_dst;
    const char *a;
    zone_at(z, floor_seconds(utc_micros) + (int64_t)POSTGRES_EPOCH_DAYS * 86400, offset, &is_dst,
            &a);
    if (abbrev != NULL) {
        *abbrev = a;
    }
    return true;
}

bool tz_named_local_to_utc(const char *name, int64_t local_micros, int64_t *utc_micros)
{
    const TzZone *z = zone_lookup(name);
    if (z == NULL) {
        return false;
    }
    int64_t local = floor_seconds(local_micros) + (int64_t)POSTGRES_EPOCH_DAYS * 86400;
    int32_t before, after, check;
    bool before_dst, after_dst, dst;
    const char *a;
    zone_at(z, local - 86400, &before, &before_dst, &a);
    zone_at(z, local + 86400, &after, &after_dst, &a);
    int64_t u1 = local - before, u2 = local - after;
    zone_at(z, u1, &check, &dst, &a);
    bool valid1 = check == before;
    zone_at(z, u2, &check, &dst, &a);
    bool valid2 = check == after;
    int32_t chosen;
    if (valid1 && valid2 && before != after) {
        /* ambiguous (clocks went back): standard time, as PostgreSQL */
        chosen = !before_dst ? before : (!after_dst ? after : after);
    } else if (valid1 || valid2) {
        chosen = valid1 ? before : after;
    } else {
        chosen = before; /* in a gap: the offset in force before it, as PostgreSQL */
    }
    *utc_micros = local_micros - (int64_t)chosen * USECS_PER_SEC;
    return true;
}

/* PostgreSQL's "Default" abbreviation set (the fixed-offset subset most
 * used), accepted in timestamp literals and AT TIME ZONE. Offsets in seconds
 * east of UTC. */
static const struct {
    const char *name;
    int32_t east;
} ABBREVIATIONS[] = {
    {"acdt", 37800},  {"acst", 34200},  {"adt", -10800}, {"aedt", 39600}, {"aest", 36000},
    {"akdt", -28800}, {"akst", -32400}, {"ast", -14400}, {"awst", 28800}, {"bst", 3600},
    {"cat", 7200},    {"cdt", -18000},  {"cest", 7200},  {"cet", 3600},   {"cst", -21600},
    {"eat", 10800},   {"edt", -14400},  {"eest", 10800}, {"eet", 7200},   {"est", -18000},
    {"gmt", 0},       {"hkt", 28800},   {"hst", -36000}, {"idt", 10800},  {"ist", 7200},
    {"jst", 32400},   {"kst", 32400},   {"mdt", -21600}, {"msk", 10800},  {"mst", -25200},
    {"ndt", -9000},   {"nst", -12600},  {"nzdt", 46800}, {"nzst", 43200}, {"pdt", -25200},
    {"pst", -28800},  {"sast", 7200},   {"sgt", 28800},  {"ut", 0},       {"utc", 0},
    {"wat", 3600},    {"west", 3600},   {"wet", 0},      {"wib", 25200},  {"z", 0},
    {"zulu", 0},
};

bool tz_abbreviation_offset(const char *name, size_t length, int32_t *east)
{
    for (size_t i = 0; i < sizeof ABBREVIATIONS / sizeof ABBREVIATIONS[0]; i++) {
        if (strlen(ABBREVIATIONS[i].name) == length &&
            strncasecmp(ABBREVIATIONS[i].name, name, length) == 0) {
            *east = ABBREVIATIONS[i].east;
            return true;
        }
    }
    return false;
}
