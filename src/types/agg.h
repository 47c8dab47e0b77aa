/*
 * types/agg.h - the aggregate registry.
 *
 * An aggregate is a fixed-size transition state plus init / step / combine /
 * final callbacks, so the hash aggregate can keep one state per group in a
 * flat array and parallel workers can merge partial states with combine.
 *
 * Calling protocol (the executor's side):
 *   state = zeroed buffer of def->state_size bytes (16-byte aligned);
 *   def->init(state, &match);                       once per group
 *   def->step(state, args, ctx, err)                per input row; when
 *       def->strict, rows with any NULL argument are skipped by the executor;
 *       DISTINCT is the executor's too (it de-duplicates before step);
 *   def->combine(state, other, ctx, err)            merges a partial state (NULL for
 *       ordered-set aggregates, which cannot run as partial states; string_agg's
 *       combine loses the delimiter between the parts, so run it unsplit);
 *   def->final(state, direct_args, n, result, ctx, err)  the group's result;
 *       final does not modify the state, so a window may call it after every
 *       step.
 * Memory: states may point into ctx->arena (string_agg, min(text), jsonb_agg,
 * percentile buffers), so the executor must pass an arena that lives as long
 * as the group states, not a per-batch one.
 *
 * Ordered-set aggregates (percentile_cont, percentile_disc, mode):
 *   `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)` resolves with
 *   agg_resolve_ordered_set; the executor sorts the group's x values
 *   ascending (NULLs dropped) and calls step with each in that order; the
 *   direct arguments (0.5) go to final.
 *
 * Result types follow PostgreSQL: count -> bigint; sum(int2/int4) -> bigint,
 * sum(int8/numeric) -> numeric, sum(float4) -> real, sum(float8) -> double,
 * sum(interval) -> interval; avg(integers/numeric) -> numeric (scale as
 * PostgreSQL: avg(1,2) = 1.5000000000000000), avg(float) -> double precision,
 * avg(interval) -> interval; min/max -> the argument type; stddev/variance
 * family: numeric for integer/numeric input, double for float input;
 * bool_and/bool_or/every -> boolean; string_agg -> text; array_agg -> the
 * array type of its argument (result_type TYPE_ANYARRAY in the table); jsonb_agg,
 * jsonb_object_agg -> jsonb; json_agg, json_object_agg -> json; percentile_cont -> double (or
 * interval); percentile_disc, mode -> the ordered type.
 *
 * Threads: the table is immutable; states belong to one thread.
 */
#ifndef STRATA_TYPES_AGG_H
#define STRATA_TYPES_AGG_H

#include <stdbool.h>
#include <stddef.h>

#include "types/func.h"
#include "types/numeric.h"
#include "types/types.h"
#include "util/error.h"

#define AGG_PARAMS_MAX 2

struct AggMatch;

typedef struct AggDef {
    const char *name;
    int arg_count;                    /* 0 for count(*) */
    TypeId arg_types[AGG_PARAMS_MAX]; /* TYPE_UNKNOWN = any comparable type (min/max) */
    TypeId result_type;               /* TYPE_UNKNOWN = the argument's type */
    size_t state_size;
    bool strict;          /* rows with a NULL argument are skipped */
    bool is_ordered_set;  /* WITHIN GROUP (ORDER BY ...) */
    int direct_arg_count; /* ordered-set: number of direct arguments */
    TypeId direct_arg_types[1];
    void (*init)(void *state, const struct AggMatch *match);
    int (*step)(void *state, const Value *args, FuncContext *ctx, Error *err);
    int (*combine)(void *state, const void *other, FuncContext *ctx, Error *err);
    int (*final)(const void *state, const Value *direct_args, int direct_count, Value *result,
                 FuncContext *ctx, Error *err);
} AggDef;

typedef struct AggMatch {
    const AggDef *def;
    SqlType result_type;
    int arg_count;
    SqlType arg_targets[AGG_PARAMS_MAX]; /* cast aggregated argument i to this */
    int direct_arg_count;
    SqlType direct_targets[1]; /* ordered-set: cast direct argument to this */
} AggMatch;

/* Resolves an aggregate call. count(*) is arg_count 0. distinct is accepted
 * for every aggregate (the executor de-duplicates). Errors: 42883 `function
 * sum(text) does not exist` (with the hint of func_resolve), 42725 when
 * ambiguous. Returns 42883 also when name is not an aggregate at all; use
 * agg_name_exists to tell aggregates from functions. */
int agg_resolve(const char *name, const SqlType *arg_types, int arg_count, bool distinct,
                AggMatch *out, Error *err);

/* Resolves an ordered-set aggregate: name(direct args) WITHIN GROUP (ORDER BY
 * sort_type). */
int agg_resolve_ordered_set(const char *name, const SqlType *direct_types, int direct_count,
                            SqlType sort_type, AggMatch *out, Error *err);

/* True if name is an aggregate (plain or ordered-set). */
bool agg_name_exists(const char *name);

/* True if name is an ordered-set aggregate (needs WITHIN GROUP). */
bool agg_is_ordered_set(const char *name);

/* Convenience wrappers. */
static inline void agg_init(const AggMatch *m, void *state)
{
    m->def->init(state, m);
}
/* Numeric results in the big form live in ctx->arena, as strings do: a step
 * function that computes numerics installs it (numeric_add_arena or
 * numeric_set_arena; not here, where it would cost every row of every
 * aggregate); combine and final install it for theirs. */
static inline int agg_step(const AggMatch *m, void *state, const Value *args, FuncContext *ctx,
                           Error *err)
{
    return m->def->step(state, args, ctx, err);
}
static inline int agg_combine(const AggMatch *m, void *state, const void *other, FuncContext *ctx,
                              Error *err)
{
    Arena *previous = numeric_set_arena(ctx->arena);
    int rc = m->def->combine(state, other, ctx, err);
    numeric_set_arena(previous);
    return rc;
}
/* Sets result->type to m->result_type after final. */
int agg_final(const AggMatch *m, const void *state, const Value *direct_args, int direct_count,
              Value *result, FuncContext *ctx, Error *err);

#endif
