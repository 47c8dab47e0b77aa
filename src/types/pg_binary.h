/*
 * types/pg_binary.h - PostgreSQL's binary send / receive formats (the bytes a
 * client sees for a result column or parameter of format 1, and the fields of
 * COPY ... (FORMAT binary)), for strata's Values.
 *
 * Formats (all integers big-endian, as PostgreSQL's *_send / *_recv):
 *
 *   bool                1 byte, 0 / 1 (receive: any non-zero is true)
 *   int2 / int4 / int8  2 / 4 / 8 bytes two's complement
 *   float4 / float8     the IEEE 754 bits, 4 / 8 bytes
 *   numeric             ndigits:i16 weight:i16 sign:u16 dscale:i16 digits:i16[ndigits]:
 *                       base-10000 digits, value = sum digit[i] * 10000^(weight - i);
 *                       sign 0x0000 +, 0x4000 -, 0xC000 NaN, 0xD000 Infinity,
 *                       0xF000 -Infinity; dscale = digits shown after the point
 *   text, varchar, char(n), name, json, enum labels
 *                       the UTF-8 bytes (no length: the field's length counts them)
 *   jsonb               version byte 1, then the json text
 *   bytea               the bytes
 *   date                days since 2000-01-01:i32 (INT32_MIN / INT32_MAX = -/+infinity)
 *   time                microseconds since midnight:i64
 *   timestamp[tz]       microseconds since 2000-01-01 00:00 UTC:i64 (INT64_MIN /
 *                       INT64_MAX = -/+infinity)
 *   interval            micros:i64 days:i32 months:i32
 *   uuid                the 16 bytes
 *   arrays              ndim:i32 has_nulls:i32 element_oid:i32, (length:i32
 *                       lower_bound:i32)[ndim], then every element in row-major
 *                       order as length:i32 (-1 = NULL) and its bytes
 *   int2vector/oidvector  a one-dimensional array with lower bound 0 (send only)
 *
 * Numeric goes through its text form both ways (value_format / value_parse),
 * so this file depends only on numeric's text, not on its representation.
 *
 * Invariants
 *   1. Receiving never reads outside [data, data + length) and validates
 *      everything: bad bytes give an error with a SQLSTATE, never a crash.
 *   2. pg_binary_recv of pg_binary_send's output gives an equal value.
 *
 * Threads: pure functions; results live in the arena passed in.
 * See src/types/README.md.
 */
#ifndef STRATA_TYPES_PG_BINARY_H
#define STRATA_TYPES_PG_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

/* Whether values of type id have a binary send form / a binary receive form
 * (both: every type but TYPE_UNKNOWN and the pseudo types). */
bool pg_binary_can_send(TypeId id);
bool pg_binary_can_recv(TypeId id);

/* PostgreSQL's binary form of v (not NULL), in arena: *out borrows it until
 * the arena is reset. Errors: 53200 (arena), XX001 for a damaged array. */
int pg_binary_send(const Value *v, Arena *arena, StrRef *out, Error *err);

/* Reads length bytes at data as a value of type (typmod applied, as
 * PostgreSQL's receive functions do) into *out; strings live in arena.
 * All bytes must be used. Errors (PostgreSQL's): 08P01 `insufficient data
 * left in message` when the bytes end early, 22P03 `incorrect binary data
 * format` when some are left over, 22P03 with the type's own message
 * (`invalid digit in external "numeric" value`, `invalid array flags`, ...),
 * 22008 `date out of range` / `time out of range` / `timestamp out of range`,
 * 22021 for text that is not UTF-8, 42804 for an array of another element
 * type, 54000 for too many dimensions or elements, the typmod's errors
 * (22001, 22003), 0A000 for an array lower bound other than 1 or a type
 * without a receive form. */
int pg_binary_recv(SqlType type, const uint8_t *data, size_t length, Arena *arena, Value *out,
                   Error *err);

#endif
