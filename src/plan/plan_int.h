/*
 * plan/plan_int.h - the planner's internal structures: bound expressions
 * (BoundExpr, called Expr here) and physical plan nodes, shared by plan/ and
 * exec/ (exec/ is the only module outside plan/ that includes this file: the
 * executor walks the plan tree).
 *
 * Expressions reference columns by position in their input row
 * (EXPR_COLUMN), correlation parameters of their query level (EXPR_CORR: the
 * value of an outer query's column, supplied when a correlated subquery is
 * (re)evaluated), or statement parameters $n (EXPR_PARAM).
 *
 * Invariants
 *   1. Everything here lives in the plan arena and is read-only after
 *      planning.
 *   2. A plan node's expressions reference columns of its input: for joins
 *      the left child's columns followed by the right child's; for others the
 *      one child's columns; leaf scans their own output columns.
 *   3. Expr.type is the SQL type of the result (never TYPE_UNKNOWN after
 *      binding finishes; unknown literals are typed text at the end).
 *
 * Threads: read-only after planning. See src/plan/README.md.
 */
#ifndef STRATA_PLAN_PLAN_INT_H
#define STRATA_PLAN_PLAN_INT_H

#include "plan/planner.h"
#include "types/agg.h"
#include "types/func.h"

typedef struct PlanNode PlanNode;
typedef struct Expr Expr;

typedef enum ExprKind {
    EXPR_CONST,
    EXPR_COLUMN,     /* index: input column */
    EXPR_CORR,       /* index: correlation slot of the current query level */
    EXPR_PARAM,      /* index: $n - 1 */
    EXPR_FUNC,       /* scalar function or operator: fn, args */
    EXPR_AND,        /* args (n >= 2), three-valued */
    EXPR_OR,
    EXPR_NOT,        /* args[0] */
    EXPR_CASE,       /* args: [cond, result]*, else last when has_else; arg set for simple case */
    EXPR_COALESCE,
    EXPR_NULLIF,     /* args[0], args[1], fn = the equality */
    EXPR_MINMAX,     /* is_greatest */
    EXPR_IN_LIST,    /* args[0] IN args[1..]; fn = equality; is_not */
    EXPR_NULL_TEST,  /* is_not */
    EXPR_BOOL_TEST,  /* test_kind (BoolTestKind) */
    EXPR_DISTINCT,   /* args[0] IS [NOT] DISTINCT FROM args[1]; fn = equality */
    EXPR_CAST,       /* args[0] -> type; cast_context */
    EXPR_SUBLINK,    /* sublink */
    EXPR_ROW_CMP,    /* row comparison: args = left items then right items, n = 2k; op */
    EXPR_AGG_CALL,   /* only during binding: an aggregate call (agg) */
    EXPR_WINDOW_CALL,/* only during binding: a window call (win) */
    EXPR_SEQUENCE,   /* nextval/currval/setval through QueryHooks: seq_op, args */
    EXPR_SQL_VALUE,  /* current_date etc.: sql_value */
    EXPR_ARRAY_OP,   /* args[0] fn ANY|ALL (args[1], an array); is_all */
} ExprKind;

typedef enum SubLinkType {
    SUBLINK_TYPE_EXISTS,
    SUBLINK_TYPE_ANY,     /* test op ANY (subquery) */
    SUBLINK_TYPE_ALL,
    SUBLINK_TYPE_SCALAR,
    SUBLINK_TYPE_ARRAY,   /* ARRAY(subquery): the one column's values as an array */
    SUBLINK_TYPE_MULTI,   /* SET (a, b) = (subquery): column Expr.index of its one row */
} SubLinkType;

typedef struct SubPlan {
    SubLinkType type;
    PlanNode *plan;        /* the subquery's plan */
    int corr_count;        /* correlation slots the subquery needs */
    Expr **corr_args;      /* evaluated in the outer context to fill them */
    Expr **tests;          /* ANY/ALL: left-hand items (outer context) */
    const FuncDef **cmp_fns; /* ANY/ALL: comparison per item (left item, sub column) */
    int test_count;
    int id;                /* index for per-execution caches */
} SubPlan;

typedef struct AggCall {
    AggMatch match;
    const char *name;       /* for EXPLAIN */
    Expr **args;
    int arg_count;
    bool is_star;
    bool is_distinct;
    Expr *filter;           /* NULL = none */
    SqlType result_type;
    /* ORDER BY inside the aggregate (string_agg(x, ',' ORDER BY y)) */
    Expr **order;
    bool *order_desc;
    bool *order_nulls_first;
    int order_count;
    /* GROUPING(args): no aggregate state; the value is a bit per argument
     * (the first is the most significant), 1 when the group's grouping set
     * lacks the argument. grouping_refs: each argument's group column. */
    bool is_grouping;
    int *grouping_refs;
} AggCall;

typedef enum WinKind {
    WIN_AGG, WIN_ROW_NUMBER, WIN_RANK, WIN_DENSE_RANK, WIN_PERCENT_RANK, WIN_CUME_DIST,
    WIN_NTILE, WIN_LAG, WIN_LEAD, WIN_FIRST_VALUE, WIN_LAST_VALUE, WIN_NTH_VALUE,
} WinKind;

typedef struct SortKey {
    Expr *expr;
    bool desc;
    bool nulls_first;
} SortKey;

typedef struct WinCall {
    WinKind kind;
    AggCall agg;            /* WIN_AGG: the aggregate; others use agg.args */
    SqlType result_type;
    /* window definition */
    Expr **partition;
    int partition_count;
    SortKey *order;
    int order_count;
    int frame_mode;         /* FrameMode: FRAME_NONE = default */
    int start_kind, end_kind; /* FrameBoundKind */
    Expr *start_offset, *end_offset;
    Expr *range_bound[2];   /* RANGE with offsets: the row's ORDER BY key -/+ the offset */
    int exclude;
} WinCall;

struct Expr {
    ExprKind kind;
    SqlType type;
    int location;           /* byte offset in the SQL text, -1 = none */
    int index;              /* COLUMN / CORR / PARAM; SEQUENCE: CAT_PRIV_* bits to check
                             * when it runs (QueryHooks.sequence_check), 0 = none */
    Value value;            /* CONST */
    const FuncDef *fn;   /* FUNC / NULLIF / IN_LIST / DISTINCT */
    Expr **args;
    int arg_count;
    Expr *arg;              /* simple CASE operand */
    bool has_else;
    bool is_not;
    bool is_greatest;
    bool is_all;            /* ARRAY_OP: ALL (else ANY) */
    int test_kind;
    int cast_context;
    int op;                 /* ROW_CMP: comparison (COMPARE_*), SEQUENCE op */
    int sql_value;          /* SqlValueKind */
    SubPlan *sub;
    AggCall *agg;
    WinCall *win;
    const FuncDef **row_fns; /* ROW_CMP: comparison of each pair */
};

enum { COMPARE_EQ, COMPARE_NE, COMPARE_LT, COMPARE_LE, COMPARE_GT, COMPARE_GE };
/* The COMPARE_* of a comparison operator's name ("<="), -1 for any other; the
 * operator with its operands swapped (a < b is b > a). */
int compare_op_of(const char *name);
int compare_op_commute(int op);
/* EXPR_SEQUENCE ops; SEQ_CURRENT_SETTING is current_setting(name [, missing_ok]), also a
 * session hook */
enum { SEQ_NEXTVAL, SEQ_CURRVAL, SEQ_SETVAL, SEQ_CURRENT_SETTING, SEQ_SET_CONFIG };

typedef enum PlanKind {
    PLAN_SCAN,          /* table scan (with pushed filters / key range) */
    PLAN_INDEX_SCAN,    /* index range -> rows */
    PLAN_VALUES,        /* rows of expressions (no input) */
    PLAN_FILTER,
    PLAN_PROJECT,
    PLAN_PROJECT_SET,   /* PROJECT whose exprs include top-level set-returning calls */
    PLAN_JOIN,
    PLAN_AGG,
    PLAN_SORT,
    PLAN_LIMIT,
    PLAN_DISTINCT,
    PLAN_SETOP,
    PLAN_WINDOW,
    PLAN_FUNCTION_SCAN, /* generate_series, unnest */
    PLAN_CTE_SCAN,
    PLAN_WORKTABLE_SCAN,
    PLAN_RECURSIVE_UNION,
    PLAN_MODIFY,        /* INSERT / UPDATE / DELETE */
    PLAN_EXPLAIN,
    PLAN_LATERAL_JOIN,  /* left row by row; right (a LATERAL subquery's plan) re-run per left
                         * row with lateral->corr_args filling its correlation slots */
} PlanKind;

typedef enum JoinType {
    JOIN_TYPE_INNER, JOIN_TYPE_LEFT, JOIN_TYPE_RIGHT, JOIN_TYPE_FULL, JOIN_TYPE_SEMI,
    JOIN_TYPE_ANTI,
} JoinType;

typedef enum ModifyKind { MODIFY_INSERT, MODIFY_UPDATE, MODIFY_DELETE } ModifyKind;

typedef struct IndexBound {
    Expr **values;          /* key prefix values (evaluated at scan start) */
    int count;
    bool inclusive;
    /* > 0: values from this position on come from a row comparison, whose
     * later items may be NULL without making it false ((a, b) < (5, NULL)
     * holds for every a < 5): a NULL there cuts the bound to the values
     * before it, inclusive. */
    int row_rest_from;
} IndexBound;

typedef struct ModifyPlan {
    ModifyKind kind;
    const CatTable *table;
    /* INSERT: the child produces rows of the target columns in `columns` order;
     * column_exprs[c] (per table column) computes the stored value from the
     * child row: a COLUMN ref, a default expression, or a NULL const. */
    Expr **column_exprs;
    /* UPDATE: child produces [old table columns..., row_id, extra...];
     * column_exprs[c] computes the new value of column c over that row.
     * DELETE: child produces [old table columns..., row_id]. */
    int row_id_column;
    Expr **checks;          /* CHECK constraints over the new row (table columns) */
    const char **check_names;
    const char **check_domains; /* per check: the domain it comes from, or NULL */
    bool *check_not_null;       /* per check: a domain's NOT NULL (23502) */
    int check_count;
    Expr **returning;       /* over the new (or deleted) row: table columns */
    int returning_count;
    /* ON CONFLICT */
    bool has_on_conflict;
    bool conflict_do_update;
    int conflict_index;     /* index into table indexes for the target; -1 = any unique */
    Expr **conflict_set;    /* per table column: new value over [existing cols..., excluded cols...] or NULL */
    Expr *conflict_where;
    /* index expressions / predicates, per index of the table (NULL if none) */
    Expr ***index_key_exprs;   /* [index][key] over table columns, NULL entries for plain columns */
    Expr **index_predicates;
} ModifyPlan;

struct PlanNode {
    PlanKind kind;
    int column_count;
    SqlType *column_types;
    const char **column_names;
    double est_rows;
    PlanNode *left;          /* the child (or the left/outer input) */
    PlanNode *right;         /* joins, set operations, recursive union */
    int id;                  /* for EXPLAIN ANALYZE statistics */

    /* SCAN / INDEX_SCAN */
    const CatTable *table;
    const CatIndex *index;
    const char *alias;
    int *scan_columns;       /* table columns produced, in order */
    int scan_column_count;
    bool want_row_id;        /* + row id as last column (BYTEA) */
    IndexBound low, high;    /* index or clustering-key range; count 0 = open */
    bool scan_on_key;        /* SCAN: low/high are on the clustering key */
    bool reverse;
    bool index_only;         /* INDEX_SCAN: all columns come from the index */
    int *index_column_map;   /* INDEX_SCAN index_only: output col -> index batch column */
    bool *columns_read;      /* SCAN / INDEX_SCAN: per output column, false = nothing
                              * reads it, so the scan leaves it NULL (access.c);
                              * NULL = every column is read */
    Expr **in_values;        /* key IN (...) point lookups on the key after the equal
                              * prefix in low/high (one range per distinct value) */
    int in_count;
    bool in_is_array;        /* in_values[0] is an array: its elements are the values */
    /* SCAN / INDEX_SCAN of a partition: run-time pruning (plan/partition.c),
     * evaluated once before the scan starts (no input columns: $n, stable
     * functions); false or NULL = the partition holds no matching row. */
    Expr *partition_gate;
    Expr *index_cond;        /* the conjuncts the key range came from (EXPLAIN) */
    int batch_rows_hint;     /* > 0: rows a LIMIT above takes from this ordered scan */

    /* FILTER (and pushed quals of SCAN / JOIN residual) */
    Expr *qual;
    /* PROJECT */
    Expr **exprs;
    int expr_count;
    /* VALUES */
    Expr ***rows;
    int row_count;
    /* JOIN (LATERAL_JOIN: INNER or LEFT, qual over left + right columns) */
    JoinType join_type;
    SubPlan *lateral;                 /* LATERAL_JOIN: corr_args over the left row */
    Expr **left_keys, **right_keys;   /* hash join keys (empty = nested loop) */
    int key_count;
    bool null_aware_anti;             /* NOT IN semantics */
    /* JOIN: an index nested loop (plan/nestloop.c): the right side, whose scan
     * reads the left row's key values (bounds_read_outer), is run again for each
     * left row; left_keys / right_keys are then the equalities the index does not
     * answer, rechecked per pair (EXPLAIN: Join Filter). */
    bool nestloop;
    /* SCAN / INDEX_SCAN under an index nested loop: low / high values are
     * expressions over the outer (left) row, and param_keys (low.count of them,
     * over this scan's columns) are the index keys they equal (Index Cond). */
    bool bounds_read_outer;
    Expr **param_keys;
    /* AGG */
    Expr **group_exprs;
    int group_count;
    AggCall **aggs;
    int agg_count;
    bool is_grouped;                  /* GROUP BY present (else one row always) */
    /* GROUPING SETS / ROLLUP / CUBE: each input row joins one group per set;
     * set s groups by the group_exprs whose bit is set in grouping_sets[s]
     * (the others are NULL in its rows). The last group column is not an
     * expression: it holds the set's index (group_exprs[last] is a dummy). */
    uint64_t *grouping_sets;
    int grouping_set_count;
    /* SORT (limit for top-N in limit_count if set) */
    SortKey *sort_keys;
    int sort_key_count;
    /* LIMIT */
    Expr *limit_count;
    Expr *limit_offset;
    /* FETCH FIRST ... WITH TIES: rows after the count that equal the last counted
     * row on the ORDER BY columns tie_columns[0..tie_count-1] are returned too */
    bool limit_with_ties;
    int *tie_columns;
    int tie_count;
    /* DISTINCT: distinct_count leading columns are the key (DISTINCT ON keeps the first row) */
    int distinct_count;
    Expr **distinct_on;
    /* SETOP */
    int setop;                        /* SetOp */
    bool set_all;
    /* WINDOW: appends one column per call */
    WinCall **wins;
    int win_count;
    /* PROJECT_SET: an input row whose SRFs return nothing still gives one row,
     * with NULLs for them (t LEFT JOIN f(t.x) ON true) */
    bool set_outer;
    /* FUNCTION_SCAN */
    int func_kind;                    /* FSCAN_* */
    Expr **func_args;
    int func_arg_count;
    bool with_ordinality;
    /* CTE_SCAN / WORKTABLE / RECURSIVE_UNION */
    int cte_index;
    /* MODIFY */
    ModifyPlan *modify;
    /* EXPLAIN */
    PlanNode *explained;
    bool explain_analyze;
    bool explain_no_costs;  /* EXPLAIN (COSTS OFF): no estimated rows */
    bool explain_timing;    /* EXPLAIN (ANALYZE, TIMING [ON]): actual time per node */
    bool explain_summary;   /* EXPLAIN (ANALYZE, SUMMARY [ON]) or TIMING: Execution Time */
    bool explain_json;      /* EXPLAIN (FORMAT JSON): one row, PostgreSQL's JSON document */
    uint8_t explain_format; /* ExplainFormat (explain_doc.h): TEXT lines, or one document row */
};

enum { FSCAN_GENERATE_SERIES, FSCAN_UNNEST, FSCAN_SCALAR };

typedef struct CtePlan {
    PlanNode *plan;
    const char *name;
    bool is_recursive;
    bool is_modifying; /* INSERT/UPDATE/DELETE: run to completion before the main query */
    bool is_snapshot;  /* a table a data-modifying CTE writes, as the statement found it:
                        * materialized before any of them runs (bind_select.c) */
} CtePlan;

struct Plan {
    PlanInfo info;
    PlanNode *root;
    CtePlan *ctes;           /* materialized once per execution, in order */
    int cte_count;
    int subplan_count;
    int node_count;
    SqlType *param_types;
    int param_count;
};

/* Expression helpers (plan_expr.c). */
Expr *expr_new(Arena *a, ExprKind kind, SqlType type, int location);
Expr *expr_const(Arena *a, Value v, int location);
Expr *expr_column(Arena *a, int index, SqlType type);
bool expr_equal(const Expr *x, const Expr *y);
/* Copies e replacing every EXPR_COLUMN index i by map[i] (map[i] < 0: bug). */
Expr *expr_remap(Arena *a, const Expr *e, const int *map);
/* True if e references an input column / correlation slot / volatile function. */
bool expr_has_columns(const Expr *e);
bool expr_is_start_value(const Expr *e, bool allow_correlation);
/* Evaluation cost in operator calls (PostgreSQL's cost_qual_eval, roughly):
 * quals of one node are evaluated cheapest first. */
double expr_cost(const Expr *e);
/* Marks in used[] every input column e references. */
void expr_collect_columns(const Expr *e, bool *used);

/* EXPLAIN text of a plan tree (explain.c); stats may be NULL. */
typedef struct NodeStats {
    uint64_t rows;
    uint64_t loops;
    double time_ms;
    double startup_ms;      /* time_ms when the first row came out */
    /* table scans whose access method keeps counters (column store) */
    bool has_scan_counters;
    uint64_t row_groups_scanned;
    uint64_t row_groups_skipped;
    uint64_t bytes_read;
    /* sorts that ran as an external merge (EXPLAIN ANALYZE's "Sort Method") */
    bool sort_spilled;
    uint64_t sort_disk_bytes;
    /* operators that read their input a batch at a time (exec/vec_sort.c):
     * EXPLAIN prints "Batch Mode: on" (plain EXPLAIN: where they will) */
    bool batch_mode;
    /* hash joins and hash aggregates that spilled: partitions processed
     * (EXPLAIN ANALYZE's "Batches"), the most memory one batch held, bytes
     * written to temporary files */
    uint64_t hash_batches;
    uint64_t hash_memory_bytes;
    uint64_t hash_disk_bytes;
} NodeStats;
/* Display names for EXPLAIN's expression printer: the text of every input
 * column (qualified "alias.column" when the query has several relations) and
 * of every correlation slot (the outer expression it stands for). Arrays may
 * be NULL; a missing entry prints "?columnN" / "$outerN". */
typedef struct ExplainNames {
    const char *const *columns;
    int column_count;
    const char *const *corr;
    int corr_count;
} ExplainNames;

/* PostgreSQL's EXPLAIN text of a bound expression: "(owner = 'bob'::text)",
 * "((id >= 5) AND (id <= 10))", "(SubPlan 1)"; implicit casts are hidden.
 * Returns arena text (arena a); NULL only when the arena failed. */
const char *explain_expr_text(const Expr *e, const ExplainNames *names, Arena *a);

/* The text of an aggregate call over names: "count(*)", "sum(DISTINCT x)".
 * Returns arena text (arena a); NULL only when the arena failed. */
const char *explain_agg_text(const AggCall *agg, const ExplainNames *names, Arena *a);

/* plan_explain_tree with run-time partition pruning: pruned[node id] true
 * for a partition scan whose gate was false at executor start (printed as
 * PostgreSQL's "Subplans Removed: N" under the Append). pruned may be NULL.
 * preview (plain EXPLAIN, may be NULL): per node id, the row groups a scan
 * would read and skip by zone maps (TableAm.scan_preview), printed as
 * "Row Groups:" like EXPLAIN ANALYZE's counters. */
int plan_explain_tree_pruned(const Plan *plan, const NodeStats *stats, const bool *pruned,
                             const NodeStats *preview, Arena *a, const char ***lines,
                             int *line_count, Error *err);
int plan_explain_tree(const Plan *plan, const NodeStats *stats, Arena *a, const char ***lines,
                      int *line_count, Error *err);

#endif
