/*
 * util/test.h - the tiny unit-test harness used by every *_test.c.
 *
 * A test binary calls TEST_RUN(fn) for each test function and returns
 * test_summary(), which prints "NAME: N passed, N failed" (the plain closing
 * line that CI reads) and returns 0 only when nothing failed. CHECK* record a
 * failure with file and line and let the test go on; REQUIRE* end the current
 * test function on failure.
 *
 * Randomized tests take their seed from test_seed(): STRATA_SEED=n replays a
 * run exactly; otherwise a seed is drawn and printed.
 */
#ifndef STRATA_UTIL_TEST_H
#define STRATA_UTIL_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern int test_passed_count;
extern int test_failed_count;
extern int test_current_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            test_current_failed = 1;                                                 \
        }                                                                            \
    } while (0)

#define REQUIRE(cond)                                                                  \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "  REQUIRE failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            test_current_failed = 1;                                                   \
            return;                                                                    \
        }                                                                              \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                              \
    do {                                                                                \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                 \
        if (check_a_ != check_b_) {                                                     \
            fprintf(stderr, "  CHECK failed: %s == %s (%lld != %lld) (%s:%d)\n", #a, #b, \
                    check_a_, check_b_, __FILE__, __LINE__);                            \
            test_current_failed = 1;                                                    \
        }                                                                               \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                               \
    do {                                                                                 \
        const char *check_a_ = (a), *check_b_ = (b);                                     \
        if (check_a_ == NULL || check_b_ == NULL || strcmp(check_a_, check_b_) != 0) {   \
            fprintf(stderr, "  CHECK failed: %s == %s (\"%s\" != \"%s\") (%s:%d)\n", #a, #b, \
                    check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)",      \
                    __FILE__, __LINE__);                                                 \
            test_current_failed = 1;                                                     \
        }                                                                                \
    } while (0)

#define TEST_RUN(fn)                                                  \
    do {                                                              \
        test_current_failed = 0;                                      \
        fn();                                                         \
        if (test_current_failed) {                                    \
            test_failed_count++;                                      \
            fprintf(stderr, "FAIL %s\n", #fn);                        \
        } else {                                                      \
            test_passed_count++;                                      \
        }                                                             \
    } while (0)

/* Defines the counters; put TEST_MAIN_GLOBALS once in each test binary. */
#define TEST_MAIN_GLOBALS                                             \
    int test_passed_count = 0;                                        \
    int test_failed_count = 0;                                        \
    int test_current_failed = 0;

static inline int test_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, test_passed_count, test_failed_count);
    fflush(stdout);
    return test_failed_count == 0 ? 0 : 1;
}

/* The seed for randomized tests: STRATA_SEED if set, else drawn from the clock.
 * Printed either way so any run can be replayed. */
static inline uint64_t test_seed(const char *name)
{
    const char *env = getenv("STRATA_SEED");
    uint64_t seed;
    if (env != NULL && *env != '\0') {
        seed = strtoull(env, NULL, 10);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
    }
    printf("%s: seed %" PRIu64 " (replay with STRATA_SEED=%" PRIu64 ")\n", name, seed, seed);
    fflush(stdout);
    return seed;
}

/* splitmix64: a small, good PRNG for tests. */
static inline uint64_t test_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#endif
