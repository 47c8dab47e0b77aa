/*
 * types/cast.h - casts between SQL types, following PostgreSQL's pg_cast.
 *
 * The binder asks cast_lookup() whether a conversion may happen implicitly
 * (in expressions and overload resolution), on assignment (INSERT/UPDATE
 * targets) or only explicitly (CAST / ::); the executor then runs value_cast.
 *
 * The cast table (context = the weakest one in which the cast is allowed):
 *   int2 -> int4 -> int8 -> numeric -> float4 -> float8: implicit (widening);
 *   the reverse directions: assignment (range checked: 22003 `integer out of
 *   range`; numeric/float -> integer rounds: numeric half away from zero,
 *   float to nearest even like rint()).
 *   text <-> varchar <-> bpchar: implicit (bpchar -> text strips trailing blanks);
 *   any type -> text/varchar/bpchar: assignment (through the output function);
 *   text/varchar/bpchar -> any type: explicit (through the input function);
 *   unknown (an untyped literal) -> any type: implicit (input function);
 *   date -> timestamp, timestamptz: implicit; timestamp <-> timestamptz:
 *   implicit / assignment; timestamp(tz) -> date, time: assignment;
 *   time -> interval: implicit; interval -> time: assignment;
 *   int4 <-> bool: explicit; json <-> jsonb: json -> jsonb assignment... (see
 *   cast.c's table, which is the one source).
 *   Same type with a different typmod: implicit (the typmod is applied).
 *
 * Invariants
 *   1. value_cast(v, T, ctx) succeeds only if cast_lookup(v.type.id, T.id) is
 *      allowed in ctx (or the types are equal).
 *   2. A NULL input gives a NULL of the target type.
 *
 * Threads: pure functions, thread-safe. See src/types/README.md.
 */
#ifndef STRATA_TYPES_CAST_H
#define STRATA_TYPES_CAST_H

#include <stdbool.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

/* The context a cast happens in, weakest first. CastKind (from cast_lookup)
 * uses the same values: CAST_NONE = no cast at all, else the weakest context
 * in which the cast is allowed. */
typedef enum CastContext {
    CAST_NONE = 0,
    CAST_IMPLICIT = 1,
    CAST_ASSIGNMENT = 2,
    CAST_EXPLICIT = 3,
} CastContext;

typedef CastContext CastKind;

/* The weakest context in which from -> to is allowed, or CAST_NONE.
 * from == to gives CAST_IMPLICIT. */
CastKind cast_lookup(TypeId from, TypeId to);

/* True if from -> to is allowed in context. */
static inline bool cast_allowed(TypeId from, TypeId to, CastContext context)
{
    CastKind kind = cast_lookup(from, to);
    return kind != CAST_NONE && kind <= context;
}

/* Converts in to target (typmod applied). Fails with 42846 `cannot cast type
 * integer to date` when the cast does not exist in context, with the input
 * function's error for text -> T, with 22003 `integer out of range` /
 * `smallint out of range` / `bigint out of range` / `numeric field overflow`
 * for range failures, 22001 for too-long strings in assignment context.
 * timestamptz casts use UTC; value_cast_tz takes the session zone.
 * String results live in arena. */
int value_cast(const Value *in, SqlType target, CastContext context, Arena *arena, Value *out,
               Error *err);

/* value_cast with the session time zone (NULL = UTC) for timestamp <->
 * timestamptz, timestamptz -> date/time/text and text -> timestamptz. */
int value_cast_tz(const Value *in, SqlType target, CastContext context, const char *timezone,
                  Arena *arena, Value *out, Error *err);

/* Conversions used by casts and the function library. Each checks the range of
 * the target integer type (22003 `<type> out of range`). */
int cast_i64_to_int(int64_t value, TypeId target, int64_t *out, Error *err);
int cast_f64_to_int(double value, TypeId target, int64_t *out, Error *err);

#endif
