/*
 * types/pg_binary_test.c - PostgreSQL's binary send / receive formats
 * (issue 5).
 *
 * 1. Every case of pg_binary_cases.inc (PostgreSQL 15's *_send bytes for a
 *    value given in text) is sent byte for byte the same, and received back to
 *    the same value.
 * 2. Random values of every type (and arrays of them, with NULLs and several
 *    dimensions) survive text -> value -> send -> receive -> text.
 * 3. Bad input gives PostgreSQL's error and SQLSTATE.
 * 4. Receivers fed random bytes, truncated and damaged encodings never crash
 *    or read outside their input (run it under ASan: make SAN=1): they return
 *    a value or an error with a SQLSTATE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/pg_binary.h"
#include "types/typeinfo.h"
#include "types/value_io.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static Arena *arena;

typedef struct SendCase {
    const char *type, *input, *hex;
} SendCase;

static const SendCase CASES[] = {
#include "types/pg_binary_cases.inc"
};

/* "character(5)[]" -> the SqlType. */
static SqlType parse_type(const char *spec)
{
    char name[64];
    snprintf(name, sizeof name, "%s", spec);
    size_t len = strlen(name);
    bool is_array = len > 2 && strcmp(name + len - 2, "[]") == 0;
    if (is_array) {
        name[len - 2] = '\0';
    }
    int32_t mods[1];
    int mod_count = 0;
    char *paren = strchr(name, '(');
    if (paren != NULL) {
        mods[0] = atoi(paren + 1);
        mod_count = 1;
        *paren = '\0';
    }
    SqlType type = sql_type(TYPE_UNKNOWN);
    Error err;
    error_clear(&err);
    if (type_from_name(name, mods, mod_count, &type, &err) != STRATA_OK) {
        fprintf(stderr, "  unknown type %s\n", spec);
    }
    if (is_array) {
        type.id = type_array_of(type.id);
    }
    return type;
}

static void to_hex(StrRef bytes, char *out)
{
    for (uint32_t k = 0; k < bytes.len; k++) {
        sprintf(out + 2 * k, "%02x", (uint8_t)bytes.ptr[k]);
    }
    out[2 * bytes.len] = '\0';
}

static size_t from_hex(const char *hex, uint8_t *out)
{
    size_t len = strlen(hex) / 2;
    for (size_t k = 0; k < len; k++) {
        unsigned byte;
        sscanf(hex + 2 * k, "%2x", &byte);
        out[k] = (uint8_t)byte;
    }
    return len;
}

static const char *format(const Value *v)
{
    StrRef text;
    Error err;
    error_clear(&err);
    if (value_format_tz(v, "UTC", arena, &text, &err) != STRATA_OK) {
        return "(format failed)";
    }
    return text.ptr;
}

static void test_postgres_bytes(void)
{
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        const SendCase *c = &CASES[k];
        SqlType type = parse_type(c->type);
        Error err;
        error_clear(&err);
        Value v;
        if (value_parse_tz(type, c->input, strlen(c->input), "UTC", arena, &v, &err) != STRATA_OK) {
            fprintf(stderr, "  parse %s '%s': %s\n", c->type, c->input, err.message);
            test_current_failed = 1;
            continue;
        }
        StrRef bytes;
        char hex[512];
        if (pg_binary_send(&v, arena, &bytes, &err) != STRATA_OK || bytes.len * 2 >= sizeof hex) {
            fprintf(stderr, "  send %s '%s' failed\n", c->type, c->input);
            test_current_failed = 1;
            continue;
        }
        to_hex(bytes, hex);
        if (strcmp(hex, c->hex) != 0) {
            fprintf(stderr, "  send %s '%s': %s, PostgreSQL %s\n", c->type, c->input, hex, c->hex);
            test_current_failed = 1;
        }
        uint8_t raw[256];
        size_t len = from_hex(c->hex, raw);
        Value back;
        if (pg_binary_recv(type, raw, len, arena, &back, &err) != STRATA_OK) {
            fprintf(stderr, "  recv %s '%s': %s %s\n", c->type, c->input, err.sqlstate,
                    err.message);
            test_current_failed = 1;
            continue;
        }
        CHECK_EQ_STR(format(&back), format(&v));
    }
    arena_reset(arena);
}

/* ---- random round trips ---- */

static const char *random_scalar(TypeId id, uint64_t *state, char *buf)
{
    uint64_t r = test_rand(state);
    int64_t small = (int64_t)(r % 2000001) - 1000000;
    switch (id) {
    case TYPE_BOOL: return r % 2 ? "t" : "f";
    case TYPE_INT2: sprintf(buf, "%d", (int)(int16_t)r); return buf;
    case TYPE_INT4: sprintf(buf, "%d", (int)(int32_t)r); return buf;
    case TYPE_INT8: sprintf(buf, "%lld", (long long)r); return buf;
    case TYPE_FLOAT4: sprintf(buf, "%.6g", (double)small / 7.0); return buf;
    case TYPE_FLOAT8: sprintf(buf, "%.17g", (double)(int64_t)r / 3.0e5); return buf;
    case TYPE_NUMERIC: {
        static const char *const SPECIAL[] = {"NaN", "Infinity", "-Infinity", "0", "-0.000"};
        if (r % 10 == 0) {
            return SPECIAL[(r / 10) % 5];
        }
        int scale = (int)((r >> 8) % 12);
        int digits = 1 + (int)((r >> 16) % 25);
        size_t at = 0;
        if ((r >> 24) & 1) {
            buf[at++] = '-';
        }
        for (int k = 0; k < digits; k++) {
            buf[at++] = (char)('0' + test_rand(state) % 10);
        }
        buf[at++] = '.';
        for (int k = 0; k < scale; k++) {
            buf[at++] = (char)('0' + test_rand(state) % 10);
        }
        buf[at] = '\0';
        return buf;
    }
    case TYPE_DATE:
        if (r % 20 == 0) {
            return r % 40 == 0 ? "infinity" : "-infinity";
        }
        sprintf(buf, "%04d-%02d-%02d%s", 1 + (int)(r % 9999), 1 + (int)((r >> 16) % 12),
                1 + (int)((r >> 24) % 28), (r >> 32) % 5 == 0 && r % 9999 < 4700 ? " BC" : "");
        return buf;
    case TYPE_TIME:
        sprintf(buf, "%02d:%02d:%02d.%06d", (int)(r % 24), (int)((r >> 8) % 60),
                (int)((r >> 16) % 60), (int)((r >> 24) % 1000000));
        return buf;
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        if (r % 20 == 0) {
            return "infinity";
        }
        sprintf(buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d%s", 1 + (int)(r % 9999),
                1 + (int)((r >> 16) % 12), 1 + (int)((r >> 24) % 28), (int)((r >> 30) % 24),
                (int)((r >> 36) % 60), (int)((r >> 42) % 60), (int)(small < 0 ? -small : small),
                id == TYPE_TIMESTAMPTZ ? "+03:30" : "");
        return buf;
    case TYPE_INTERVAL:
        sprintf(buf, "%d mons %d days %lld microseconds", (int)(int16_t)r, (int)(int16_t)(r >> 16),
                (long long)small * 1000003);
        return buf;
    case TYPE_UUID:
        sprintf(buf, "%016llx%016llx", (unsigned long long)r,
                (unsigned long long)test_rand(state));
        return buf;
    case TYPE_BYTEA:
        sprintf(buf, "\\x%016llx00", (unsigned long long)r);
        return buf;
    case TYPE_JSON:
    case TYPE_JSONB:
        sprintf(buf, "{\"k%d\": [%lld, \"é\", null, 1.50]}", (int)(r % 5), (long long)small);
        return buf;
    default: /* text, varchar, char */
        sprintf(buf, "v%lld é\t\"q\" {,}", (long long)small);
        return buf;
    }
}

/* An array literal of count random elements (some NULL), rows x count / rows. */
static const char *random_array(TypeId elem, uint64_t *state, char *buf, size_t size)
{
    int rows = 1 + (int)(test_rand(state) % 3);
    int columns = (int)(test_rand(state) % 4);
    size_t at = 0;
    at += (size_t)snprintf(buf + at, size - at, "%s", rows > 1 ? "{" : "");
    for (int row = 0; row < rows; row++) {
        at += (size_t)snprintf(buf + at, size - at, "%s{", row > 0 ? "," : "");
        for (int col = 0; col < (rows > 1 && columns == 0 ? 1 : columns); col++) {
            char item[256];
            const char *text = test_rand(state) % 5 == 0 ? NULL : random_scalar(elem, state, item);
            at += (size_t)snprintf(buf + at, size - at, "%s", col > 0 ? "," : "");
            if (text == NULL) {
                at += (size_t)snprintf(buf + at, size - at, "NULL");
                continue;
            }
            buf[at++] = '"';
            for (const char *p = text; *p != '\0' && at + 3 < size; p++) {
                if (*p == '"' || *p == '\\') {
                    buf[at++] = '\\';
                }
                buf[at++] = *p;
            }
            buf[at++] = '"';
            buf[at] = '\0';
        }
        at += (size_t)snprintf(buf + at, size - at, "}");
    }
    snprintf(buf + at, size - at, "%s", rows > 1 ? "}" : "");
    return buf;
}

static void test_random_round_trips(void)
{
    uint64_t state = test_seed("pg_binary_test round trips");
    int rounds = getenv("STRATA_TEST_QUICK") != NULL ? 2000 : 20000;
    for (int round = 0; round < rounds; round++) {
        TypeId id = (TypeId)(TYPE_BOOL + (int)(test_rand(&state) % (TYPE_JSONB_ARRAY)));
        char text[4096];
        const char *input = type_is_array(id)
                                ? random_array(type_array_elem(id), &state, text, sizeof text)
                                : random_scalar(id, &state, text);
        SqlType type = sql_type(id);
        Error err;
        error_clear(&err);
        Value v, back;
        StrRef bytes;
        if (value_parse_tz(type, input, strlen(input), "UTC", arena, &v, &err) != STRATA_OK) {
            fprintf(stderr, "  parse %s '%s': %s\n", type_id_name(id), input, err.message);
            test_current_failed = 1;
            break;
        }
        if (pg_binary_send(&v, arena, &bytes, &err) != STRATA_OK ||
            pg_binary_recv(type, (const uint8_t *)bytes.ptr, bytes.len, arena, &back, &err) !=
                STRATA_OK) {
            fprintf(stderr, "  %s '%s': %s %s\n", type_id_name(id), input, err.sqlstate,
                    err.message);
            test_current_failed = 1;
            break;
        }
        const char *want = format(&v), *got = format(&back);
        if (strcmp(want, got) != 0) {
            fprintf(stderr, "  %s '%s': sent %s, received %s\n", type_id_name(id), input, want,
                    got);
            test_current_failed = 1;
            break;
        }
        arena_reset(arena);
    }
}

/* ---- errors ---- */

typedef struct ErrorCase {
    const char *type, *hex, *sqlstate, *message;
} ErrorCase;

static const ErrorCase ERRORS[] = {
    {"integer", "000001", "08P01", "insufficient data left in message"},
    {"integer", "0000000100", "22P03", "incorrect binary data format"},
    {"boolean", "", "08P01", "insufficient data left in message"},
    {"numeric", "0001000000000000" "2710", "22P03", "invalid digit in external \"numeric\" value"},
    {"numeric", "0001000000000000" "ffff", "22P03", "invalid digit in external \"numeric\" value"},
    {"numeric", "0000000012340000", "22P03", "invalid sign in external \"numeric\" value"},
    {"numeric", "0000000000004000", "22P03", "invalid scale in external \"numeric\" value"},
    {"numeric", "ffff000000000000", "22P03", "invalid length in external \"numeric\" value"},
    {"numeric", "0002000000000000" "0001", "08P01", "insufficient data left in message"},
    {"date", "7fffff00", "22008", "date out of range"},
    {"time", "000000141dd76001", "22008", "time out of range"},
    {"time", "ffffffffffffffff", "22008", "time out of range"},
    {"timestamp", "7fffffffffffff00", "22008", "timestamp out of range"},
    {"text", "61ff62", "22021", "invalid byte sequence for encoding \"UTF8\": 0xff"},
    {"text", "6100", "22021", "invalid byte sequence for encoding \"UTF8\": 0x00"},
    {"jsonb", "027b7d", "22P03", "unsupported jsonb version number 2"},
    {"jsonb", "017b", "22P02", NULL},
    {"character(2)", "616263", "22001", NULL},
    {"integer[]", "ffffffff0000000000000017", "22P03", "invalid number of dimensions: -1"},
    {"integer[]", "000000070000000000000017", "54000",
     "number of array dimensions (7) exceeds the maximum allowed (6)"},
    {"integer[]", "000000010000000200000017", "22P03", "invalid array flags"},
    {"integer[]", "0000000100000000000000190000000100000001", "42804",
     "binary data has array element type 25 (text) instead of expected 23 (integer)"},
    {"integer[]", "00000001000000000000001700000002000000010000000400000001", "08P01",
     "insufficient data left in message"},
    {"integer[]", "000000010000000000000017000000010000000100000005000000010a", "22P03",
     "improper binary format in array element 1"},
    {"integer[]", "0000000100000000000000170000000100000000" "0000000400000001", "0A000", NULL},
    {"integer[]", "0000000100000000000000177fffffff00000001", "54000",
     "array size exceeds the maximum allowed (134217727)"},
    {"integer[]", "00000001000000000000001700010000000000010000000400000001", "08P01",
     "insufficient data left in message"},
    {"integer[]", "000000010000000000000017000000010000000100000009000000010a", "22P03",
     "insufficient data left in message"},
    {"integer[]", "000000010000000000000017fffffffe00000001", "54000", NULL},
};

static void test_errors(void)
{
    for (size_t k = 0; k < sizeof ERRORS / sizeof ERRORS[0]; k++) {
        const ErrorCase *c = &ERRORS[k];
        uint8_t raw[256];
        size_t len = from_hex(c->hex, raw);
        Error err;
        error_clear(&err);
        Value v;
        int rc = pg_binary_recv(parse_type(c->type), raw, len, arena, &v, &err);
        if (rc == STRATA_OK || strcmp(err.sqlstate, c->sqlstate) != 0 ||
            (c->message != NULL && strcmp(err.message, c->message) != 0)) {
            fprintf(stderr, "  %s %s: got %s %s, want %s %s\n", c->type, c->hex,
                    rc == STRATA_OK ? "OK" : err.sqlstate, rc == STRATA_OK ? "" : err.message,
                    c->sqlstate, c->message != NULL ? c->message : "");
            test_current_failed = 1;
        }
    }
    arena_reset(arena);
}

/* ---- fuzz ---- */

static void recv_checked(SqlType type, const uint8_t *bytes, size_t len)
{
    /* A heap copy of exactly len bytes, so ASan catches any over-read. */
    uint8_t *copy = malloc(len > 0 ? len : 1);
    memcpy(copy, bytes, len);
    Error err;
    error_clear(&err);
    Value v;
    int rc = pg_binary_recv(type, copy, len, arena, &v, &err);
    if (rc != STRATA_OK) {
        CHECK(strlen(err.sqlstate) == 5);
    } else {
        StrRef bytes_again;
        CHECK(pg_binary_send(&v, arena, &bytes_again, &err) == STRATA_OK);
    }
    free(copy);
}

static void test_fuzz(void)
{
    uint64_t state = test_seed("pg_binary_test fuzz");
    int rounds = getenv("STRATA_TEST_QUICK") != NULL ? 3000 : 30000;
    for (int round = 0; round < rounds; round++) {
        const SendCase *c = &CASES[test_rand(&state) % (sizeof CASES / sizeof CASES[0])];
        SqlType type = parse_type(c->type);
        uint8_t raw[256];
        size_t len = from_hex(c->hex, raw);
        switch (test_rand(&state) % 3) {
        case 0: /* a prefix */
            len = len > 0 ? test_rand(&state) % len : 0;
            break;
        case 1: /* flipped bytes */
            for (int flips = 1 + (int)(test_rand(&state) % 3); flips > 0 && len > 0; flips--) {
                raw[test_rand(&state) % len] = (uint8_t)test_rand(&state);
            }
            break;
        default: /* random bytes */
            len = test_rand(&state) % 64;
            for (size_t k = 0; k < len; k++) {
                raw[k] = (uint8_t)test_rand(&state);
            }
        }
        recv_checked(type, raw, len);
        if (round % 256 == 0) {
            arena_reset(arena);
        }
    }
    arena_reset(arena);
}

int main(void)
{
    arena = arena_create(NULL, 0, "pg_binary_test");
    TEST_RUN(test_postgres_bytes);
    TEST_RUN(test_random_round_trips);
    TEST_RUN(test_errors);
    TEST_RUN(test_fuzz);
    arena_destroy(arena);
    return test_summary("pg_binary_test");
}
