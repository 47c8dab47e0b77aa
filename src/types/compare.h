/*
 * types/compare.h - ordering, equality and hashing of values.
 *
 * ORDER BY, min/max, merge joins, btree keys, hash joins and hash aggregation
 * all go through these, so they define PostgreSQL's orderings once:
 *   - float and numeric: NaN is equal to NaN and greater than everything else;
 *     -0 equals 0;
 *   - integers, numeric and floats compare by value across types (int4 5 =
 *     int8 5 = numeric 5.00 = float8 5);
 *   - text, varchar: bytewise (C collation); bpchar ignores trailing blanks;
 *   - bytea bytewise; uuid bytewise; bool false < true;
 *   - interval by its total span (1 month = 30 days, 1 day = 24 hours), so
 *     '1 mon' = '30 days';
 *   - date vs timestamp compares the date as midnight;
 *   - jsonb: PostgreSQL's jsonb ordering (object > array > boolean > number >
 *     string > null; arrays and objects by length first, then elements).
 *
 * Invariants
 *   1. value_equal(a, b) implies value_hash(a) == value_hash(b), also across
 *      types that compare (int4 5, int8 5, numeric 5.0 hash the same; float8
 *      5.0 too).
 *   2. value_compare is a total order on the values of one type.
 *
 * Threads: pure functions, thread-safe. See src/types/README.md.
 */
#ifndef STRATA_TYPES_COMPARE_H
#define STRATA_TYPES_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "types/types.h"
#include "util/checksum.h"

/* <0, 0, >0. Both values non-NULL, of the same type, or both of numeric
 * category, or both string types, or date/timestamp/timestamptz mixes.
 * Comparing incomparable types is a bug (asserted). */
int value_compare(const Value *a, const Value *b);

/* value_compare(a, b) == 0, cheaper for strings. */
bool value_equal(const Value *a, const Value *b);

/* Hash consistent with value_equal (see invariant 1). NULL hashes to a fixed
 * constant. */
uint64_t value_hash(const Value *v);

/* NULL-aware comparison for ORDER BY: NULLs sort last when nulls_first is
 * false (PostgreSQL's default for ASC), first otherwise. */
int value_compare_nulls(const Value *a, const Value *b, bool nulls_first);

/* The hash of a numeric-category value with this double value (ints, floats
 * and numerics all hash through it; -0 = 0; every NaN alike). */
uint64_t hash_f64(double v);

/* Orderings on raw representations, used by the above and by sort kernels. */
int compare_f64(double a, double b);
int compare_bytes(const char *a, uint32_t a_len, const char *b, uint32_t b_len);
/* bpchar: trailing blanks are not significant. */
int compare_bpchar(const char *a, uint32_t a_len, const char *b, uint32_t b_len);

#endif
