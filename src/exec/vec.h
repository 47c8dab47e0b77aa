/*
 * exec/vec.h - the executor's vectorized pipeline (private to exec/).
 *
 * A plan subtree of hash joins (inner, left, semi, anti) over a column-table
 * scan (a star join: the fact table is the scan, the dimensions are the build
 * sides), or over a row-table scan when no column table is in the tree, or
 * the scan alone, runs batch at a time when its consumer is an aggregate:
 *
 *   scan batch -> vec_filter (selection vector) -> probe join 1 -> ... -> join n
 *              -> tuples (batch row, build row per join) -> aggregate
 *
 * vec_filter.c evaluates a scan's qual into a selection vector; vec_join.c
 * builds the hash tables on the dimension sides (the smaller input of each
 * join, whatever side the planner put it on) and probes them with whole
 * batches; vec_agg.c aggregates the resulting tuples without materializing
 * rows when the aggregate's shape allows (else vec_join.c hands rows to the
 * row-at-a-time aggregate).
 *
 * Invariants
 *   1. The pipeline produces the same multiset of rows as the row operators
 *      it replaces; only the order of rows inside the aggregate's input
 *      differs (the scan order of the fact table is kept).
 *   2. Anything the kernels do not cover (other predicates, expressions in
 *      aggregate arguments) is evaluated by the batch expression evaluator
 *      (vec_expr.h) or with eval_expr over the row's Values, with eval.c's
 *      results and errors, so a result never depends on which path ran.
 *
 * See src/exec/README.md ("Vectorized pipeline").
 */
#ifndef STRATA_EXEC_VEC_H
#define STRATA_EXEC_VEC_H

#include "exec/exec_int.h"
#include "exec/vec_expr.h"

/* The comparison ops are numbered as COMPARE_* (plan_int.h): compare_op_of gives them. */
enum { VEC_EQ, VEC_NE, VEC_LT, VEC_LE, VEC_GT, VEC_GE, VEC_IN, VEC_IS_NULL, VEC_NOT_NULL };

#define VEC_KERNELS_MAX 16
#define VEC_IN_MAX 64

/* One predicate kernel: batch column `column` op constant(s). */
typedef struct VecKernel {
    int column;
    int op;       /* VEC_* */
    bool is_text; /* text = / <> constant */
    StrRef text;
    int64_t values[VEC_IN_MAX];
    int value_count;
} VecKernel;

typedef struct VecFilter {
    VecKernel kernels[VEC_KERNELS_MAX];
    int kernel_count;
    const Expr *rest[VEC_KERNELS_MAX]; /* conjuncts evaluated row by row */
    int rest_count;
    /* vec_filter_prepare: the remaining conjuncts batch-wise (vec_expr.h), when
     * every one compiles (rest_batch); rest_sel saves a selection to retry */
    VecExpr *rest_vx[VEC_KERNELS_MAX];
    bool rest_batch;
    uint16_t *rest_sel;
    bool too_complex;
    const int *batch_of; /* scan output column -> batch column */
    int column_count;    /* scan output columns */
} VecFilter;

/* Splits qual (over scan output columns of the given types; NULL = none)
 * into kernels and remaining conjuncts. batch_of maps a scan output column to
 * its batch column (every column the qual reads has one). Plan memory is only
 * read; f keeps batch_of. */
void vec_filter_compile(const Expr *qual, const SqlType *types, int column_count,
                        const int *batch_of, VecFilter *f);

/* The active rows of b that pass f, into sel[0..*count-1] (ascending). row
 * is scratch of column_count Values (the scan's row) for the remaining
 * conjuncts. Errors are those of the remaining conjuncts. */
int vec_filter_run(const VecFilter *f, ExecState *es, const Value *corr, const Batch *b, Value *row,
                   uint16_t *sel, int *count, Error *err);

/* Compiles the remaining conjuncts for batch-wise evaluation; f->rest_batch
 * tells whether all of them compiled. types: the scan output columns' types
 * (borrowed for the execution). Errors: out of memory. */
int vec_filter_prepare(VecFilter *f, ExecState *es, const SqlType *types, Error *err);

/* The remaining conjuncts (f->rest_batch must be set) over sel[0..*count-1]
 * of b, batch-wise: the rows passing them stay in sel. When the batch raises
 * an error, *done is false and sel is unchanged: the caller evaluates the
 * conjuncts row by row with eval_qual instead, which reports the row
 * executor's error (the first failing row's), never this one. */
int vec_filter_rest_batch(const VecFilter *f, ExecState *es, const Value *corr, const Batch *b,
                          uint16_t *sel, int *count, bool *done, Error *err);

/* The kernels alone: the active rows of b passing every kernel, into sel. A
 * caller that may stop early (a scan under LIMIT) runs only these on the
 * batch and the remaining conjuncts (f->rest) row by row as it consumes
 * rows, so no row past the last one consumed is evaluated (errors and
 * volatile functions as in PostgreSQL). */
int vec_filter_kernels(const VecFilter *f, const Batch *b, uint16_t *sel, int *count);

/* Whether the aggregate node p's input can run as a vectorized pipeline
 * (a column-table scan, or a row-table scan in a tree without column tables,
 * under zero or more inner / left / semi / anti equi-joins). */
bool vec_pipeline_applies(const PlanNode *p);

/* EXPLAIN's "Batch Mode" of the pipeline under aggregate p (vec_pipeline_applies):
 * stats[p] when the vectorized aggregation takes its tuples, stats[join] for each
 * join the pipeline probes with batches. Compiles the pipeline in es->a, reads
 * nothing. Errors: out of memory. */
int vec_pipeline_mark(ExecState *es, const PlanNode *p, NodeStats *stats, Error *err);

/* Builds the ExecNode of p's input (p->left) as a vectorized pipeline; when
 * the aggregate's shape allows, *agg_done is set and n's next() is the
 * vectorized aggregate. Otherwise *input is a row-producing node for the
 * row-at-a-time aggregate. */
int vec_build(ExecState *es, ExecNode *agg, const Value *corr, ExecNode **input, bool *agg_done,
              Error *err);

#endif
