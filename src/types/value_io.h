/*
 * types/value_io.h - text input and output of values (PostgreSQL's typinput /
 * typoutput functions).
 *
 * value_parse is what a literal, a COPY field, a wire-protocol text parameter
 * and a text -> T cast go through; value_format is what psql would print.
 * Both follow PostgreSQL 15 exactly where strata supports the type (see
 * src/types/README.md for the known differences).
 *
 * Invariants
 *   1. For every canonical text s of a type: value_format(value_parse(s)) == s.
 *   2. value_parse enforces the target's typmod (length for varchar/char,
 *      precision/scale for numeric, fractional-second precision for time types).
 *   3. Neither function aborts on any input; errors carry PostgreSQL's SQLSTATE.
 *
 * Threads: pure functions; thread-safe given distinct arenas.
 * Ownership: string results live in the arena passed in.
 */
#ifndef STRATA_TYPES_VALUE_IO_H
#define STRATA_TYPES_VALUE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

/* Parses text (length bytes, need not be NUL-terminated) as a value of type.
 * out->type = type (with its typmod). String-kind results (text, bytea, jsonb,
 * ...) are copied into arena. For TYPE_UNKNOWN the text is kept as is.
 * timestamptz input without a zone is taken in UTC (the session zone is applied
 * by value_parse_tz). Errors:
 *   22P02 `invalid input syntax for type integer: "abc"` (and for every type),
 *   22003 `value "99999999999" is out of range for type integer`,
 *   22003 `numeric field overflow` (numeric(p,s)),
 *   22001 `value too long for type character varying(3)`,
 *   22007 / 22008 for bad or out-of-range dates and times,
 *   22P02 `invalid input syntax for type json` (detail says where),
 *   53200 when the arena runs out. */
int value_parse(SqlType type, const char *text, size_t length, Arena *arena, Value *out,
                Error *err);

/* Like value_parse, with the session time zone (NULL = UTC; see datetime.h
 * for what zone names are accepted) used for timestamptz input without an
 * explicit zone. */
int value_parse_tz(SqlType type, const char *text, size_t length, const char *timezone,
                   Arena *arena, Value *out, Error *err);

/* Formats v (non-NULL) the way PostgreSQL's output function does: booleans t/f,
 * float8 shortest round trip (0.1, 1e+100, Infinity, NaN), numeric with its
 * scale, dates 2024-01-31, timestamps 2024-01-31 12:00:00, timestamptz with
 * +00, intervals "1 day 02:00:00", bytea \x0102, uuid lower case, jsonb
 * normalized. The bytes live in arena (NUL-terminated for convenience, len
 * excludes the NUL). Errors: 53200 when the arena runs out; 22P03 if a jsonb
 * value is not a valid encoding. */
int value_format(const Value *v, Arena *arena, StrRef *out, Error *err);

/* value_format with the session time zone applied to timestamptz. */
int value_format_tz(const Value *v, const char *timezone, Arena *arena, StrRef *out, Error *err);

/* Formats v into a NUL-terminated arena string (NULL on error); NULL values
 * give "NULL". A convenience for tests, EXPLAIN and error messages. */
const char *value_to_cstring(const Value *v, Arena *arena);

/* Applies a typmod to a value already of type target.id (used by casts and
 * INSERT): varchar(n) too long -> 22001 unless is_explicit (then truncated,
 * as PostgreSQL's explicit cast), but trailing blanks beyond n are removed
 * silently; char(n) pads with blanks (or truncates likewise); numeric(p,s)
 * rounds to s and checks p (22003 `numeric field overflow` with detail);
 * time/timestamp(p) round the fraction. Strings are re-allocated in arena when
 * they change. */
int value_apply_typmod(Value *v, SqlType target, bool is_explicit, Arena *arena, Error *err);

/* Integer input: optional whitespace, sign, digits, whitespace; range checked
 * for the type (int2/int4/int8). Errors 22P02 and 22003 as value_parse. */
int int_parse(const char *text, size_t length, TypeId type, int64_t *out, Error *err);

/* Float input: decimal or exponent forms, NaN, [+-]Infinity, [+-]inf,
 * surrounding whitespace. type is TYPE_FLOAT4 or TYPE_FLOAT8 (float4 values are
 * rounded to float and range checked: 22003 `"1e39" is out of range for type real`). */
int float_parse(const char *text, size_t length, TypeId type, double *out, Error *err);

/* Shortest text that reads back as the same double (PostgreSQL 12+ output with
 * extra_float_digits = 1): "0.1", "1e+100", "-Infinity", "NaN". Writes a
 * NUL-terminated string of at most 32 bytes into buf and returns its length. */
int float8_format(double value, char *buf);

/* The same for float4 (value is a float held in a double). */
int float4_format(double value, char *buf);

/* Boolean input: t, true, y, yes, on, 1, f, false, n, no, off, 0 and their
 * unique prefixes, any case, surrounding whitespace. 22P02 otherwise. */
int bool_parse(const char *text, size_t length, bool *out, Error *err);

/* Character count of UTF-8 bytes (invalid sequences count one per byte). */
int64_t utf8_char_count(const char *bytes, size_t length);

#endif
