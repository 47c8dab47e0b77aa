/*
 * plan/estimate_int.h - cardinality estimation shared by optimize.c (filters,
 * join sizes, join order), access.c (index paths) and decorrelate.c.
 *
 * Selectivities come from the ANALYZE statistics of the table a column is
 * read from (CatColumnStats: null fraction, distinct count, most common
 * values, equi-depth histogram of the other values) or, without them, from
 * PostgreSQL's defaults (selfuncs.h): 0.005 for =, 1/3 for a one-sided range,
 * 0.005 for a two-sided one, 200 distinct values.
 *
 * Invariants
 *   1. Every selectivity returned is in [0, 1]; every distinct count >= 1.
 *   2. Estimation never changes a plan's results, only its shape.
 *
 * See src/plan/README.md ("Estimates").
 */
#ifndef STRATA_PLAN_ESTIMATE_INT_H
#define STRATA_PLAN_ESTIMATE_INT_H

#include "plan/bind_int.h"

/* PostgreSQL's default selectivities (selfuncs.h). */
#define DEFAULT_EQ_SEL 0.005
#define DEFAULT_INEQ_SEL 0.3333333333333333
#define DEFAULT_RANGE_INEQ_SEL 0.005
#define DEFAULT_MATCH_SEL 0.005
#define DEFAULT_NUM_DISTINCT 200.0

/* The statistics of output column col of rel when it is read unchanged from a
 * table (through scans, filters, projections and joins), NULL otherwise.
 * *table out (may be NULL) receives the table. Borrowed from the catalog. */
const CatColumnStats *estimate_column_stats(const PlanNode *rel, int col, const CatTable **table,
                                            int *table_column);

/* Fraction of non-NULL-and-NULL rows equal to v (NULL v: an unknown value). */
double estimate_eq_sel(const CatColumnStats *s, const Value *v);

/* Fraction of rows in the range (lower, upper) (NULL bound: open); -1 when the
 * statistics cannot say (no histogram, values of another type). */
double estimate_range_sel(const CatColumnStats *s, const Value *lower, bool lower_inclusive,
                          const Value *upper, bool upper_inclusive);

/* Fraction of rel's rows for which qual (over rel's output columns) holds. */
double estimate_qual_sel(const PlanNode *rel, const Expr *qual);

/* Estimated distinct values of expression e over rel's output columns
 * (clamped to rel->est_rows). */
double estimate_distinct(const PlanNode *rel, const Expr *e);

/* Selectivity of the equi-join left = right: 1 / max(distinct), times the
 * non-NULL fractions. */
double estimate_join_eq_sel(const PlanNode *left_rel, const Expr *left, const PlanNode *right_rel,
                            const Expr *right);

#endif
