/*
 * exec/executor.h - runs a Plan (plan/planner.h): a pull-based executor over
 * Batches (types/batch.h), plus the helpers DDL needs (expression evaluation
 * over one table row, index maintenance for one row).
 *
 * Each operator pulls batches from its children and produces batches; scans
 * read through the table access methods (storage/tam.h) and index methods.
 * DML operators first collect the target rows (storage cursors are
 * invalidated by writes), then write them, checking NOT NULL, CHECK, UNIQUE /
 * PRIMARY KEY (through the access methods), FOREIGN KEY constraints and
 * maintaining every index of the table.
 *
 * Invariants
 *   1. All execution state lives in env->exec_arena; the Plan is never
 *      modified, so it can run again after executor_end().
 *   2. A batch returned by executor_next() is borrowed until the next call to
 *      executor_next() or executor_end().
 *   3. A sort past env->work_mem_bytes spills sorted runs to a temporary file
 *      (closed by executor_end); hash tables past about 4x work_mem fail the
 *      query with 53200.
 *   4. A failing DML statement may have written part of its rows: the caller
 *      wraps each statement in a savepoint and rolls back to it on error.
 *
 * Threads: an Executor belongs to the thread of its transaction.
 * See src/exec/README.md.
 */
#ifndef STRATA_EXEC_EXECUTOR_H
#define STRATA_EXEC_EXECUTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "plan/planner.h"
#include "types/batch.h"

typedef struct Executor Executor; /* arena: env->exec_arena */

/* Prepares one execution of plan. env must stay valid until executor_end().
 * env->params must hold at least plan_info(plan)->param_count values (they
 * are cast to the inferred parameter types). */
int executor_start(const Plan *plan, QueryEnv *env, Executor **out, Error *err);

/* Executor reuse for a prepared statement run many times. As executor_start,
 * but the operator tree, its row buffers and the result batch are built in keep
 * (an arena that outlives the execution; the caller resets it when the plan
 * goes) and, when executor_is_reusable(), remembered as built. Everything an
 * execution adds still goes to env->exec_arena. A plan with EXPLAIN, CTEs or
 * subqueries, or a vectorized aggregation, is built as by executor_start and is
 * not reusable. */
int executor_start_kept(const Plan *plan, QueryEnv *env, Arena *keep, Executor **out, Error *err);
bool executor_is_reusable(const Executor *ex);

/* Starts another execution of a reusable executor's plan: every node is put
 * back as built, the parameters of env (which may be the same struct refilled)
 * are cast again, and state goes to env->exec_arena. Preconditions: the last
 * execution was ended with executor_end(), env->exec_arena has been reset since,
 * and the settings exec_build reads (enable_vectorize, work_mem) are unchanged
 * since executor_start_kept (the caller builds afresh otherwise). Errors as
 * executor_start. */
int executor_restart(Executor *ex, QueryEnv *env, Error *err);

/* The next batch of result rows (columns as in plan_info()), or *out = NULL at
 * the end. DML without RETURNING does all its work on the first call and
 * returns *out = NULL. Errors: any SQLSTATE of evaluation (22012, 22003,
 * 21000, ...), of constraints (23502, 23505, 23503, 23514), 57014 when
 * *env->interrupt becomes non-zero, 53200 past work_mem. */
int executor_next(Executor *ex, Batch **out, Error *err);

/* Rows returned so far (SELECT) or inserted / updated / deleted (DML), for
 * the command tag. */
uint64_t executor_row_count(const Executor *ex);

/* After an error of an INSERT / UPDATE / DELETE: the index (from 0) of the input
 * row it was writing, or -1 (no such statement, or the error came before any row was
 * written). COPY reports the failing row's line with it. */
int64_t executor_failed_row(const Executor *ex);

/* Ends the execution (closes scans). The memory goes with env->exec_arena. */
void executor_end(Executor *ex);

/* Evaluates an expression from expr_bind_for_table() over one row of its
 * table (row[] = the table's columns in order). *out's strings live in
 * env->exec_arena. Errors as executor_next. */
int expr_eval_row(const BoundExpr *expr, QueryEnv *env, const Value *row, Value *out, Error *err);

/* Inserts the index entry of one table row (row[] = all table columns):
 * evaluates expression keys and the partial predicate (a row outside the
 * predicate gets no entry). Used by CREATE INDEX over existing rows and by
 * DML. Errors: 23505 naming the index for a unique violation. */
int exec_index_insert_row(QueryEnv *env, const CatTable *table, const CatIndex *index,
                          const Value *row, StrRef row_id, Error *err);

/* The entry of row in index (a secondary index): keys[key_count] and
 * includes[include_count] as insert would store them, borrowing from row or
 * from the query arena; *skip = true when a partial index's predicate leaves
 * the row out. For bulk builds (IndexAm build_add). */
int exec_index_entry(QueryEnv *env, const CatTable *table, const CatIndex *index,
                     const Value *row, Value *keys, Value *includes, bool *skip, Error *err);
/* Removes the index entry of one table row (the counterpart of
 * exec_index_insert_row; a row outside a partial predicate has none). */
int exec_index_delete_row(QueryEnv *env, const CatTable *table, const CatIndex *index,
                          const Value *row, StrRef row_id, Error *err);

#endif
