/*
 * util/assert.c - the one place a failed assertion stops the process.
 */
#include "util/assert.h"

#include <stdio.h>
#include <stdlib.h>

void st_assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "strata: assertion failed: %s (%s:%d)\n", cond, file, line);
    abort();
}
