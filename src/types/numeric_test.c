/*
 * types/numeric_test.c - NUMERIC against PostgreSQL 15's answers and an
 * int128 / long double model.
 *
 * numeric_cases.inc holds {op, a, b, expected} rows captured from a
 * PostgreSQL 15 server (expected "ERR:<message>" for errors). Rows of exp,
 * ln, log and powers whose answer needs more than 38 significant digits are
 * skipped (those stay in long double: README "NUMERIC") and counted. The randomized part checks
 * add/sub/mul/div/compare/round-trip against __int128 arithmetic.
 *
 * numeric_big_cases.inc holds random operations on values of up to 120
 * digits (results past 38 digits: the big form) with answers from an oracle
 * independent of numeric_big.c's GMP code: Python's decimal module and
 * integers (casegen/numbig.py, seed 20261207).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "types/numeric.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

typedef struct Case {
    const char *op, *a, *b, *expected;
} Case;

static const Case CASES[] = {
#include "types/numeric_cases.inc"
#include "types/numeric_random_cases.inc"
};

static const Case BIG_CASES[] = {
#include "types/numeric_big_cases.inc"
};

static Decimal parse(const char *text)
{
    Decimal d;
    Error err;
    error_clear(&err);
    if (numeric_parse(text, strlen(text), &d, &err) != STRATA_OK) {
        fprintf(stderr, "  parse failed: %s: %s\n", text, err.message);
        d = numeric_nan();
    }
    return d;
}

static int significant_digits(const char *text)
{
    int count = 0;
    bool leading = true;
    for (const char *p = text; *p; p++) {
        if (*p >= '1' && *p <= '9') {
            leading = false;
        }
        if (*p >= '0' && *p <= '9' && !leading) {
            count++;
        }
    }
    return count;
}

static int run_op(const Case *c, Decimal *out, Error *err)
{
    Decimal a = parse(c->a), b = c->b[0] ? parse(c->b) : numeric_nan();
    const char *op = c->op;
    if (strcmp(op, "+") == 0) {
        return numeric_add(&a, &b, out, err);
    }
    if (strcmp(op, "-") == 0) {
        return numeric_sub(&a, &b, out, err);
    }
    if (strcmp(op, "*") == 0) {
        return numeric_mul(&a, &b, out, err);
    }
    if (strcmp(op, "/") == 0) {
        return numeric_div(&a, &b, out, err);
    }
    if (strcmp(op, "%") == 0) {
        return numeric_mod(&a, &b, out, err);
    }
    if (strcmp(op, "^") == 0) {
        return numeric_power(&a, &b, out, err);
    }
    if (strcmp(op, "cmp") == 0) {
        *out = numeric_make(numeric_compare(&a, &b), 0);
        return STRATA_OK;
    }
    if (strcmp(op, "div") == 0) {
        return numeric_div_trunc(&a, &b, out, err);
    }
    if (strcmp(op, "sqrtabs") == 0) {
        numeric_abs(&a, &a);
        return numeric_sqrt(&a, out, err);
    }
    if (strcmp(op, "sqrt") == 0) {
        return numeric_sqrt(&a, out, err);
    }
    if (strcmp(op, "exp") == 0) {
        return numeric_exp(&a, out, err);
    }
    if (strcmp(op, "ln") == 0) {
        return numeric_ln(&a, out, err);
    }
    if (strcmp(op, "log") == 0) {
        return numeric_log10(&a, out, err);
    }
    if (strcmp(op, "ceil") == 0) {
        return numeric_ceil(&a, out, err);
    }
    if (strcmp(op, "floor") == 0) {
        return numeric_floor(&a, out, err);
    }
    if (strcmp(op, "abs") == 0) {
        numeric_abs(&a, out);
        return STRATA_OK;
    }
    if (strcmp(op, "sign") == 0) {
        numeric_sign(&a, out);
        return STRATA_OK;
    }
    if (strcmp(op, "round") == 0) {
        return numeric_round(&a, 0, out, err);
    }
    if (strcmp(op, "trunc") == 0) {
        return numeric_trunc(&a, 0, out, err);
    }
    if (strncmp(op, "round", 5) == 0) {
        return numeric_round(&a, atoi(op + 5), out, err);
    }
    if (strncmp(op, "trunc", 5) == 0) {
        return numeric_trunc(&a, atoi(op + 5), out, err);
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, "unknown op %s", op);
}

static int skipped_count = 0;

static void test_postgres_cases(void)
{
    int mismatches = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const Case *c = &CASES[i];
        bool expect_error = strncmp(c->expected, "ERR:", 4) == 0;
        const char *point = strchr(c->expected, '.');
        bool is_transcendental = strcmp(c->op, "exp") == 0 || strcmp(c->op, "ln") == 0 ||
                                 strcmp(c->op, "log") == 0 || strcmp(c->op, "^") == 0;
        if (!expect_error && is_transcendental &&
            (significant_digits(c->expected) > 38 || (point != NULL && strlen(point + 1) > 38))) {
            skipped_count++;
            continue;
        }
        Decimal out;
        Error err;
        error_clear(&err);
        int rc = run_op(c, &out, &err);
        char buf[ERROR_MESSAGE_MAX + 8];
        if (rc == STRATA_OK) {
            numeric_format(&out, buf);
        } else {
            snprintf(buf, sizeof buf, "ERR:%s", err.message);
        }
        if (strcmp(buf, c->expected) != 0) {
            if (mismatches++ < 40) {
                fprintf(stderr, "  %s(%s, %s): got %s, want %s\n", c->op, c->a, c->b, buf,
                        c->expected);
            }
            test_current_failed = 1;
        }
    }
    printf("numeric_test: %zu PostgreSQL cases, %d skipped (beyond 38 digits), %d mismatches\n",
           sizeof CASES / sizeof CASES[0], skipped_count, mismatches);
}

/* Room for the longest numeric text: 131072 integer and 16383 fraction digits. */
static char text_buf[NUMERIC_WEIGHT_DIGITS_MAX + NUMERIC_DSCALE_MAX + 8];

/* The oracle's cases: every one must match, with the value's text round
 * tripping through the serialized form (numeric_serialize) on the way. */
static void test_big_oracle_cases(void)
{
    int mismatches = 0, big_results = 0;
    static char buf[4096];
    for (size_t i = 0; i < sizeof BIG_CASES / sizeof BIG_CASES[0]; i++) {
        const Case *c = &BIG_CASES[i];
        Decimal out;
        Error err;
        error_clear(&err);
        int rc = run_op(c, &out, &err);
        if (rc == STRATA_OK) {
            uint8_t bytes[1024];
            Decimal back;
            REQUIRE(numeric_serialized_size(&out) <= sizeof bytes);
            size_t size = numeric_serialize(&out, bytes);
            CHECK_EQ_INT((int)numeric_deserialize(bytes, size, &back), (int)size);
            CHECK(numeric_compare(&back, &out) == 0 && back.scale == out.scale);
            big_results += numeric_is_big(&out);
            REQUIRE(numeric_text_size(&out) <= sizeof buf);
            numeric_format(&out, buf);
        } else {
            snprintf(buf, sizeof buf, "ERR:%s", err.message);
        }
        if (strcmp(buf, c->expected) != 0) {
            if (mismatches++ < 20) {
                fprintf(stderr, "  %s(%s, %s): got %s, want %s\n", c->op, c->a, c->b, buf,
                        c->expected);
            }
            test_current_failed = 1;
        }
    }
    printf("numeric_test: %zu oracle cases past 38 digits (%d big results), %d mismatches\n",
           sizeof BIG_CASES / sizeof BIG_CASES[0], big_results, mismatches);
}

static void check_text(const char *in, const char *want)
{
    Decimal d;
    Error err;
    error_clear(&err);
    char *buf = text_buf;
    if (numeric_parse(in, strlen(in), &d, &err) != STRATA_OK) {
        snprintf(buf, sizeof text_buf, "ERR:%s", err.sqlstate);
    } else {
        CHECK(numeric_text_size(&d) <= sizeof text_buf);
        numeric_format(&d, buf);
    }
    CHECK_EQ_STR(buf, want);
}

/* The text of a parsed value has length digits (a big one round-trips). */
static void check_text_length(const char *in, size_t length)
{
    Decimal d;
    Error err;
    error_clear(&err);
    REQUIRE(numeric_parse(in, strlen(in), &d, &err) == STRATA_OK);
    REQUIRE(numeric_text_size(&d) <= sizeof text_buf);
    CHECK_EQ_INT((int)strlen(text_buf + 0 * numeric_format(&d, text_buf)), (int)length);
    Decimal back;
    REQUIRE(numeric_parse(text_buf, strlen(text_buf), &back, &err) == STRATA_OK);
    CHECK(numeric_compare(&d, &back) == 0 && back.scale == d.scale);
}

static void test_parse_format(void)
{
    check_text("0", "0");
    check_text("  12.50  ", "12.50");
    check_text("-0.00", "0.00");
    check_text("+.5", "0.5");
    check_text("5.", "5");
    check_text("1e3", "1000");
    check_text("1.5e-3", "0.0015");
    check_text("1.50E+1", "15.0");
    check_text("000123.4500", "123.4500");
    check_text("nan", "NaN");
    check_text("-inf", "-Infinity");
    check_text("Infinity", "Infinity");
    check_text("99999999999999999999999999999999999999", "99999999999999999999999999999999999999");
    check_text("999999999999999999999999999999999999999", "999999999999999999999999999999999999999");
    check_text("1.23456789012345678901234567890123456789",
               "1.23456789012345678901234567890123456789");
    check_text("0.00000000000000000000000000000000000000000001",
               "0.00000000000000000000000000000000000000000001");
    check_text("-1e40", "-10000000000000000000000000000000000000000");
    check_text("1e131072", "ERR:22003");
    check_text("1e-16384", "ERR:22003");
    check_text("0.0000000000000000000000000000000000000000000000", "0.0000000000000000000000000000000000000000000000");
    check_text("abc", "ERR:22P02");
    check_text("1.2.3", "ERR:22P02");
    check_text("", "ERR:22P02");
    check_text("-", "ERR:22P02");
    check_text("1e", "ERR:22P02");
    check_text_length("1e99999", 100000);
    check_text_length("1e131071", 131072);
    check_text_length("-1e-16383", 16386);
    check_text_length("1.5e-16382", 16385);
    check_text(" - 1", "ERR:22P02");
}

static void test_typmod(void)
{
    Error err;
    Decimal d = parse("123.456");
    error_clear(&err);
    CHECK_EQ_INT(numeric_apply_typmod(&d, (5 << 16) | 2, &err), STRATA_OK);
    char buf[NUMERIC_TEXT_MAX];
    numeric_format(&d, buf);
    CHECK_EQ_STR(buf, "123.46");
    d = parse("1234.5");
    CHECK(numeric_apply_typmod(&d, (5 << 16) | 2, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "22003");
    CHECK_EQ_STR(err.message, "numeric field overflow");
    CHECK_EQ_STR(
        err.detail,
        "A field with precision 5, scale 2 must round to an absolute value less than 10^3.");
    d = parse("999.995");
    CHECK(numeric_apply_typmod(&d, (5 << 16) | 2, &err) != STRATA_OK);
    d = parse("0.5");
    CHECK_EQ_INT(numeric_apply_typmod(&d, (3 << 16) | 0, &err), STRATA_OK);
    numeric_format(&d, buf);
    CHECK_EQ_STR(buf, "1");
}

static void test_conversions(void)
{
    Error err;
    error_clear(&err);
    int64_t i;
    Decimal d = parse("2.5");
    CHECK_EQ_INT(numeric_to_i64(&d, &i, &err), STRATA_OK);
    CHECK_EQ_INT(i, 3);
    d = parse("-2.5");
    numeric_to_i64(&d, &i, &err);
    CHECK_EQ_INT(i, -3);
    d = parse("9223372036854775807.4");
    CHECK_EQ_INT(numeric_to_i64(&d, &i, &err), STRATA_OK);
    CHECK(i == INT64_MAX);
    d = parse("9223372036854775807.5");
    CHECK(numeric_to_i64(&d, &i, &err) != STRATA_OK);
    d = parse("-9223372036854775808");
    CHECK_EQ_INT(numeric_to_i64(&d, &i, &err), STRATA_OK);
    CHECK(i == INT64_MIN);
    CHECK(numeric_to_double(&(Decimal){{1}, 1, 0}) == 0.1);
    d = parse("0.1000000000000000055511151231257827");
    CHECK(numeric_to_double(&d) == 0.1);
    CHECK_EQ_INT(numeric_from_double(0.1, &d, &err), STRATA_OK);
    char buf[NUMERIC_TEXT_MAX];
    numeric_format(&d, buf);
    CHECK_EQ_STR(buf, "0.1");
    numeric_from_double(1e20, &d, &err);
    numeric_format(&d, buf);
    CHECK_EQ_STR(buf, "100000000000000000000");
    numeric_from_double(-1.5e-5, &d, &err);
    numeric_format(&d, buf);
    CHECK_EQ_STR(buf, "-0.000015");
    Decimal a = parse("1.0"), b = parse("1.00");
    CHECK(numeric_compare(&a, &b) == 0);
    CHECK(numeric_hash(&a) == numeric_hash(&b));
    Decimal nan = numeric_nan(), inf = parse("Infinity");
    CHECK(numeric_compare(&nan, &inf) > 0);
    CHECK(numeric_compare(&nan, &nan) == 0);
}

static __int128 rand_coef(uint64_t *state, int max_digits)
{
    int digits = 1 + (int)(test_rand(state) % (uint64_t)max_digits);
    __int128 v = 0;
    for (int i = 0; i < digits; i++) {
        v = v * 10 + (int)(test_rand(state) % 10);
    }
    return (test_rand(state) & 1) ? -v : v;
}

/* add/sub/mul with int128 as the model (operands small enough to be exact),
 * division checked by q * b + r reconstruction, text round trips. */
static void test_random_model(void)
{
    uint64_t state = test_seed("numeric_test");
    int rounds = getenv("STRATA_TEST_QUICK") ? 20000 : 200000;
    for (int round = 0; round < rounds; round++) {
        int sa = (int)(test_rand(&state) % 10), sb = (int)(test_rand(&state) % 10);
        Decimal a = numeric_make(rand_coef(&state, 18), sa),
                b = numeric_make(rand_coef(&state, 18), sb);
        Decimal out;
        Error err;
        error_clear(&err);
        int s = sa > sb ? sa : sb;
        __int128 ea = a.coef * numeric_pow10(s - sa), eb = b.coef * numeric_pow10(s - sb);
        REQUIRE(numeric_add(&a, &b, &out, &err) == STRATA_OK);
        CHECK(out.scale == s && out.coef == ea + eb);
        REQUIRE(numeric_sub(&a, &b, &out, &err) == STRATA_OK);
        CHECK(out.scale == s && out.coef == ea - eb);
        REQUIRE(numeric_mul(&a, &b, &out, &err) == STRATA_OK);
        CHECK(out.scale == sa + sb && out.coef == a.coef * b.coef);
        int c = numeric_compare(&a, &b);
        CHECK(c == (ea < eb ? -1 : (ea > eb ? 1 : 0)));
        char buf[NUMERIC_TEXT_MAX];
        int length = numeric_format(&a, buf);
        Decimal back;
        REQUIRE(numeric_parse(buf, (size_t)length, &back, &err) == STRATA_OK);
        CHECK(back.coef == a.coef && back.scale == a.scale);
        if (b.coef != 0) {
            /* div_trunc and mod: a = q * b + r, |r| < |b|, sign(r) = sign(a) */
            Decimal q, r, check;
            REQUIRE(numeric_div_trunc(&a, &b, &q, &err) == STRATA_OK);
            REQUIRE(numeric_mod(&a, &b, &r, &err) == STRATA_OK);
            REQUIRE(numeric_mul(&q, &b, &check, &err) == STRATA_OK);
            REQUIRE(numeric_add(&check, &r, &check, &err) == STRATA_OK);
            CHECK(numeric_compare(&check, &a) == 0);
            /* division: |a/b - q| <= half a unit in the last place */
            REQUIRE(numeric_div(&a, &b, &q, &err) == STRATA_OK);
            long double exact = (long double)numeric_to_double(&a) / numeric_to_double(&b);
            long double got = numeric_to_double(&q);
            long double ulp = powl(10, -q.scale);
            CHECK(fabsl(got - exact) <= ulp * 0.5L + fabsl(exact) * 1e-15L);
        }
    }
}

static void test_sqrt_exact(void)
{
    uint64_t state = 12345;
    for (int round = 0; round < 20000; round++) {
        __int128 coef = rand_coef(&state, 30);
        if (coef < 0) {
            coef = -coef;
        }
        Decimal a = numeric_make(coef, (int)(test_rand(&state) % 20)), root, square;
        Error err;
        REQUIRE(numeric_sqrt(&a, &root, &err) == STRATA_OK);
        /* root rounded to its scale: (root - u/2)^2 <= a < (root + u/2)^2 */
        Decimal half = numeric_make(5, root.scale + 1), lo, hi;
        numeric_sub(&root, &half, &lo, &err);
        numeric_add(&root, &half, &hi, &err);
        numeric_mul(&lo, &lo, &square, &err);
        if (lo.coef >= 0) {
            CHECK(numeric_compare(&square, &a) <= 0);
        }
        numeric_mul(&hi, &hi, &square, &err);
        CHECK(numeric_compare(&square, &a) >= 0);
    }
}

int main(void)
{
    /* Results in the big form live here (numeric_set_arena). */
    Arena *arena = arena_create(NULL, 0, "numeric_test");
    numeric_set_arena(arena);
    TEST_RUN(test_parse_format);
    TEST_RUN(test_postgres_cases);
    TEST_RUN(test_big_oracle_cases);
    TEST_RUN(test_typmod);
    TEST_RUN(test_conversions);
    TEST_RUN(test_random_model);
    TEST_RUN(test_sqrt_exact);
    numeric_set_arena(NULL);
    arena_destroy(arena);
    return test_summary("numeric_test");
}
