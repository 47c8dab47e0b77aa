/*
 * exec/vec_expr.h - the batch expression evaluator: an expression tree
 * evaluated over the selected rows of a Batch into a result vector with a
 * NULL mask (private to exec/).
 *
 * An expression is compiled once per execution (vec_expr_compile) into a tree
 * of nodes, each owning a result vector. Evaluation walks the tree once per
 * batch: column references return the batch's own vector, constants and
 * parameters a vector filled once, arithmetic and comparisons run the
 * registry's vector kernels (types/func_vector.c), AND / OR / CASE / COALESCE
 * narrow the selection so that each operand is evaluated on exactly the rows
 * eval.c would evaluate it on, and any other node (and any function without a
 * kernel) is computed row by row with eval.c over the batch's rows, so every
 * expression that compiles gives eval.c's values, types and NULLs.
 *
 * Errors. A node's kernel stops at the first active row that fails, in
 * selection order, so a batch error is deterministic; but eval.c evaluates a
 * whole row before the next, so the first failing row of a batch may fail in
 * a different node than the kernel that stopped. Callers therefore treat an
 * error of vec_expr_eval as "this batch has an error" and re-run the batch
 * row by row with eval.c (nothing is kept from the failed attempt): the error
 * reported is then exactly the row executor's, the first failing row's in
 * scan order. Expressions whose re-evaluation could be observed (volatile
 * functions, sequences, subqueries) are not compiled.
 *
 * Invariants
 *   1. vec_expr_eval writes the result rows sel[0..count-1] only; a NULL row's
 *      data slot is unspecified (never read).
 *   2. Result strings live in es->fctx.arena (the per-row scratch, reset by
 *      the caller after the batch) or in the batch.
 *   3. sel entries are batch rows < the batch's capacity; they need not be
 *      increasing and may repeat (tuples of a join), in which case the row's
 *      value is computed again, with the same result.
 *
 * See src/exec/README.md ("Batch expressions").
 */
#ifndef STRATA_EXEC_VEC_EXPR_H
#define STRATA_EXEC_VEC_EXPR_H

#include "exec/exec_int.h"

typedef struct VecExpr VecExpr;

/* Whether e can run batch-wise: no subquery, sequence function, volatile
 * function, set-returning function or aggregate inside it. */
bool vec_expr_supported(const Expr *e);

/* Compiles e, whose EXPR_COLUMN indexes are input columns 0..column_count-1
 * of the given types; batch_of[c] is input column c's batch column (-1 = not
 * in the batch: e must not read it). *out is NULL when !vec_expr_supported(e).
 * Everything lives in es->a; types and batch_of are borrowed for as long.
 * Errors: out of memory. */
int vec_expr_compile(ExecState *es, const Expr *e, const SqlType *types, const int *batch_of,
                     int column_count, VecExpr **out, Error *err);

/* Evaluates vx over rows sel[0..count-1] of b; *result (borrowed until the
 * next call) holds them. corr: the correlation values of the query level.
 * Errors: those of the expression (see "Errors" above). */
int vec_expr_eval(VecExpr *vx, ExecState *es, const Value *corr, const Batch *b,
                  const uint16_t *sel, int count, const Vector **result, Error *err);

/* Keeps in sel[0..*count-1] (compacted, order kept) the rows where the
 * boolean vx is TRUE. Errors as vec_expr_eval. */
int vec_expr_filter(VecExpr *vx, ExecState *es, const Value *corr, const Batch *b, uint16_t *sel,
                    int *count, Error *err);

/* Reads row `row` of a result vector as a Value of type `type`. */
void vec_expr_value(const Vector *v, int row, SqlType type, Value *out);

/* The type eval_expr gives e's value (a constant's value type, else e->type). */
SqlType vec_expr_type(const VecExpr *vx);

#endif
