/*
 * util/assert.h - ST_ASSERT: states what can only be false if strata has a bug.
 *
 * On in debug and sanitizer builds (and every test run), compiled out when
 * NDEBUG is defined (release). Never assert on SQL, wire bytes or page
 * contents: validate those and return an error (STYLE.md section 6).
 */
#ifndef STRATA_UTIL_ASSERT_H
#define STRATA_UTIL_ASSERT_H

#ifdef NDEBUG
#define ST_ASSERT(cond) ((void)0)
#else
void st_assert_fail(const char *cond, const char *file, int line) __attribute__((noreturn));
#define ST_ASSERT(cond) ((cond) ? (void)0 : st_assert_fail(#cond, __FILE__, __LINE__))
#endif

#define ST_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif
