/*
 * plan/optimize_int.h - what optimize.c (FROM/WHERE planning, join order)
 * and decorrelate.c (IN / EXISTS subqueries as semi and anti joins) share.
 *
 * See src/plan/README.md ("Join order", "Decorrelation").
 */
#ifndef STRATA_PLAN_OPTIMIZE_INT_H
#define STRATA_PLAN_OPTIMIZE_INT_H

#include "plan/bind_int.h"

/* A WHERE conjunct that decorrelate.c turned into a semi or anti join: the
 * query's rows (outer side, probing) against the subquery's rows (inner side,
 * hashed). The conjunct is answered by the join and nowhere else. */
typedef struct SemiJoin {
    int conjunct;       /* index of the conjunct it replaces */
    JoinType type;      /* JOIN_TYPE_SEMI or JOIN_TYPE_ANTI */
    bool null_aware;    /* NOT IN: see PlanNode.null_aware_anti */
    PlanNode *inner;    /* the subquery's plan, its keys among its columns */
    Expr **outer_keys;  /* over the query's wide row (the FROM items' columns) */
    Expr **inner_keys;  /* over inner's columns */
    int key_count;
    /* > 0: the SubPlan looked its rows up through an index range on the
     * outer values, at this cost per outer row (row units, as access.c);
     * optimize.c keeps the SubPlan when that beats hashing the inner side. */
    double lookup_cost;
    bool done;          /* optimize.c: already placed on one FROM item */
} SemiJoin;

/* A WHERE conjunct holding a correlated scalar subquery with an aggregate,
 * (SELECT agg(x) FROM q WHERE q.k = outer.k): q grouped by its correlated
 * keys once, left-joined on them, instead of q run per outer row. */
typedef struct GroupJoin {
    int conjunct;       /* index of the conjunct holding the subquery */
    const SubPlan *sub; /* the subquery replaced */
    PlanNode *inner;    /* AGG grouped by the keys: [keys..., aggregates...] */
    Expr **outer_keys;  /* over the query's wide row */
    int key_count;
    /* the subquery's value over inner's columns: an outer row without a
     * group gets count() = 0 and NULL for the other aggregates, as the
     * aggregate of no rows */
    Expr *value;
    double lookup_cost; /* as SemiJoin.lookup_cost */
} GroupJoin;

/* The scalar subqueries of the conjuncts that fit GroupJoin: the subquery
 * is one ungrouped aggregate (no HAVING, no FILTER, arguments plain columns
 * or constants, so that no group computed in vain can raise an error)
 * under select-list projections,
 * over FROM items correlated only by equalities as for plan_decorrelate.
 * At most one per conjunct. *out (arena) receives *out_count entries. */
int plan_decorrelate_scalar(Binder *b, Expr **conjuncts, int count, GroupJoin **out,
                            int *out_count);

/* A copy of e with the EXPR_SUBLINK of sub replaced by value. NULL: no arena. */
Expr *plan_replace_sublink(Arena *a, const Expr *e, const SubPlan *sub, Expr *value);

/* Finds the conjuncts (WHERE split at AND, over the wide row) that are
 *   EXISTS (q) / NOT EXISTS (q)   q correlated only through equalities
 *                                 inner_expr = outer_expr in its WHERE
 *   x IN (q)                      the same, plus x = q's column
 *   x NOT IN (q)                  q uncorrelated, one column
 * and builds their semi / anti join inputs. Conjuncts that do not fit keep
 * their SubPlan. Never changes results: NULL keys never match (EXISTS,
 * IN), NOT IN rejects a row when the subquery returns a NULL or the row's
 * key is NULL and the subquery returns rows (null_aware).
 * *out (arena) receives *out_count entries. Returns STRATA_OK or NOMEM. */
int plan_decorrelate(Binder *b, Expr **conjuncts, int count, SemiJoin **out, int *out_count);

#endif
