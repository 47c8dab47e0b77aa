/*
 * plan/bind_int.h - the binder's private state, shared by bind_expr.c,
 * bind_select.c, bind_dml.c and optimize.c.
 *
 * Name resolution works on a Scope per FROM clause: each FROM item is a
 * RangeEntry whose columns occupy a slice [offset, offset + count) of the
 * query's "wide row" (all FROM items side by side); expressions are bound
 * against the wide row, and the join planner later remaps them to the
 * actual layout it chose. A Frame is one correlation level: a subquery that
 * reads a column of an enclosing query registers a correlation slot whose
 * argument expression is evaluated in the enclosing context.
 *
 * Threads: one binder per statement. See src/plan/README.md.
 */
#ifndef STRATA_PLAN_BIND_INT_H
#define STRATA_PLAN_BIND_INT_H

#include "plan/plan_int.h"
#include "util/limits.h"
#include <stdio.h>

typedef struct Frame {
    struct Frame *parent;
    int corr_count;
    int corr_capacity;
    Expr **corr_args;          /* in the parent frame's context */
    int *corr_keys;            /* identity of the referenced outer column (to share slots) */
    void **corr_scopes;
} Frame;

typedef struct RangeEntry {
    const char *alias;         /* the name columns are qualified with */
    const char *schema;        /* for schema.table.column */
    int column_count;
    const char **names;
    SqlType *types;
    int offset;                /* first column in the wide row */
    bool *is_dropped;          /* hidden by USING/NATURAL merge (still in the row) */
    const CatTable *table;
    bool is_in_view;           /* made while expanding a view: not the statement's dependency */
    /* Column privileges: what the role (priv_role) lacks on table but holds on some of
     * its columns, so each column used is checked (bind_check_column); 0 = none. */
    uint32_t column_privs;
    uint64_t priv_role;
} RangeEntry;

typedef struct Scope {
    struct Scope *parent;      /* enclosing query's scope (name lookup continues there) */
    Frame *frame;
    RangeEntry **entries;
    int entry_count;
    int entry_capacity;
    int width;                 /* columns of the wide row */
    SqlType *types;            /* per wide-row column */
    /* USING / NATURAL merged columns: name -> expression over the wide row */
    const char **merged_names;
    Expr **merged_exprs;
    int merged_count;
} Scope;

typedef struct CteDef {
    const char *name;
    int cte_index;             /* into plan->ctes */
    int column_count;
    const char **names;
    SqlType *types;
    bool is_work_table;        /* the recursive self-reference while binding */
    bool lacks_returning;      /* INSERT/UPDATE/DELETE without RETURNING: not a FROM item */
    struct CteDef *next;
} CteDef;

enum {
    BIND_ALLOW_AGG = 1 << 0,
    BIND_ALLOW_WINDOW = 1 << 1,
    BIND_ALLOW_SUBQUERY = 1 << 2,
    BIND_ALLOW_SRF = 1 << 3,
};

/* What the SELECT above a single-table scan asks of its access path (all
 * expressions over the scan's output columns): the ORDER BY it would sort
 * by, its LIMIT (count + offset; 0 = none or unknown) and the columns it
 * reads (NULL = all). order_satisfied is set when the chosen path returns
 * rows in that order, so no Sort is needed. */
typedef struct AccessRequest {
    Arena *arena;
    Expr **order_exprs;
    bool *order_desc;
    bool *order_nulls_first;
    int order_count;
    double limit_rows;
    const bool *used_columns;
    bool order_satisfied;
} AccessRequest;

typedef struct Binder {
    QueryEnv *env;
    uint64_t priv_role;        /* privileges are checked for this role (a view's owner inside it) */
    bool priv_all;             /* ... unless it is a superuser or the statement is internal */
    uint32_t target_column_privs; /* UPDATE / DELETE: the target's deferred column checks */
    bool no_sequence_check;       /* binding an identity column's default */
    /* Tables the statement's data-modifying CTEs write (and their partitions): the
     * statement reads them as they were before it (PostgreSQL's one snapshot). */
    uint64_t *written_ids;
    int written_count;
    Arena *a;
    Error *err;
    Plan *plan;
    SqlType domain_base;       /* bind_domain.c: the type of VALUE in a cast's checks */
    CteDef *ctes;              /* visible CTEs, innermost first */
    int param_capacity;
    int depth;
    int view_depth;            /* > 0 while binding the query of a view the statement reads */
    int outer_join_depth;      /* > 0 while binding a side of an outer join */
    bool lateral_outer;        /* binding the function of t LEFT JOIN f(t.x) ON true */
    bool json_record_rows;     /* binding bind_json.c's row generator (jsonb_to_record...) */
    /* The FROM items a LATERAL item may join with: fl items from this index,
     * wide-row columns from this one (> 0 inside a side of an outer join). */
    int lateral_first_item;
    int lateral_first_qual;
    int lateral_first_width;
    bool lateral_right_full; /* binding the right side of a RIGHT or FULL JOIN */
    /* The FROM scope whose items a non-LATERAL subquery in FROM may not
     * reference (named in the error's hint), or NULL. */
    Scope *hidden_scope;
    bool setop_branch;         /* the next simple SELECT is a branch of UNION/INTERSECT/
                                * EXCEPT: its untyped output columns stay unknown for the
                                * set operation to resolve (SELECT 1 UNION SELECT NULL) */
    int subplan_count;
    int node_count;
    /* expression-clause state */
    const char *clause;        /* "WHERE", "JOIN conditions", ... for error messages */
    int allow;
    bool saw_agg;
    bool saw_window;
    Frame *agg_frame;          /* frame whose query is collecting aggregates */
    /* WINDOW clause of the SELECT being bound (named windows), saved and
     * restored around nested SELECTs; per binder so planning is thread-safe */
    const WindowDef *const *windows;
    int window_count;
    /* Set by bind_simple_select just before plan_from_where, which takes it
     * (and clears it) for its single FROM item. */
    AccessRequest *access_request;
} Binder;

/* bind_expr.c */
int bind_expr(Binder *b, Scope *scope, const Node *node, Expr **out);
int bind_expr_bool(Binder *b, Scope *scope, const Node *node, const char *clause, Expr **out);
int coerce_expr(Binder *b, Expr *e, SqlType target, int context, const char *what, Expr **out);
int coerce_to_common(Binder *b, Expr **items, int count, const char *context, SqlType *out);
int finalize_unknown(Binder *b, Expr **e);
int bind_error_pos(Binder *b, int location);
int resolve_oper(Binder *b, const char *op, Expr **left, Expr **right, int location, Expr **out);
Expr *fold_constants(Binder *b, Expr *e);
const char *figure_colname(const Node *node, int *strength);
int bind_type_name(Binder *b, const TypeName *tn, SqlType *out);
Scope *scope_new(Binder *b, Scope *parent, Frame *frame);
RangeEntry *scope_add(Binder *b, Scope *scope, const char *alias, int count, const char **names,
                      const SqlType *types);
int bind_sublink(Binder *b, Scope *scope, const SubLink *sl, Expr **out);
bool bind_is_regclass(const Cast *c);
/* 42501 unless the binder's role holds privs (CAT_PRIV_*) on t. */
int bind_check_privilege(Binder *b, const CatTable *t, uint32_t privs);
/* Like bind_check_privilege, but privileges of privs that the role lacks on t and holds
 * on some of its columns (SELECT, INSERT, UPDATE, REFERENCES) are left in *deferred for
 * bind_check_column to check on each column used. */
int bind_check_privilege_columns(Binder *b, const CatTable *t, uint32_t privs, uint32_t *deferred);
/* 42501 "permission denied for table t" unless the role holds privs on column col of t
 * (privs 0, or a superuser / owner binder: nothing to check). */
int bind_check_column(Binder *b, const CatTable *t, uint64_t role, int col, uint32_t privs);
/* The column check of a reference to column col of range entry e (bind_check_column with
 * e's deferred privileges). */
int bind_check_entry_column(Binder *b, const RangeEntry *e, int col);
/* Records that the statement reads object id (column: one of its columns, NULL:
 * the relation; is_type: a user-defined type) in env->deps, unless none is
 * asked for or the binder is inside a view it expands. */
void bind_note_dependency(Binder *b, uint64_t id, const char *column, bool is_type);
/* bind_note_dependency of column col of range entry e (a relation's). */
void bind_note_entry_column(Binder *b, const RangeEntry *e, int col);
/* USAGE on t's schema, needed to name t: 42501 "permission denied for schema s" when rv
 * names the schema, 42P01 (as if t were not there: PostgreSQL leaves such schemas out of
 * the search path) when it does not. */
int bind_check_schema_usage(Binder *b, const CatTable *t, const RangeVar *rv);
/* Whether the statement reads t as it was before its data-modifying CTEs (it writes t
 * in one). */
bool bind_reads_snapshot(const Binder *b, const CatTable *t);
/* nextval / currval / setval of the sequence named by name (a constant: others are
 * not checked): 42501 "permission denied for sequence s" unless the role holds one of
 * privs on it (none needed for an identity column's default, b->no_sequence_check). */
/* A name that is not a constant is checked when the call runs: *deferred gets the
 * privileges to check then (QueryHooks.sequence_check), else 0. */
int bind_check_sequence(Binder *b, Expr *name, uint32_t privs, uint32_t *deferred);
int bind_multi_sublink(Binder *b, Scope *scope, const SubLink *sl, int ncols, Expr **out);

/* bind_named.c: named and defaulted arguments of built-in functions.
 * bind_named_check: 42601 for a positional argument after a named one or a
 * name given twice; *positional = the number of positional arguments.
 * bind_named_reject: 42883 for a call with named arguments to a function
 * that has no parameter names (aggregates, most built-ins), else STRATA_OK.
 * bind_call_args: binds fc's arguments into *out (arena) in positional form:
 * named arguments moved to their parameters' places and omitted parameters
 * given their defaults, as PostgreSQL 15's signatures of make_interval,
 * make_date, make_time, make_timestamp[tz] and jsonb_set; *count is the
 * resulting number of arguments. */
int bind_named_check(Binder *b, const FuncCall *fc, int *positional);
int bind_named_reject(Binder *b, Scope *scope, const FuncCall *fc, const char *function);
int bind_call_args(Binder *b, Scope *scope, const FuncCall *fc, const char *function,
                   Expr ***out, int *count);

/* bind_domain.c: domains. bind_find_domain: the domain tn names, or NULL.
 * bind_domain_coerce: value (of the domain's base type) wrapped in the
 * domain's NOT NULL and CHECK tests (23502 / 23514 when they fail).
 * bind_domain_check_sql: a domain CHECK text bound as a boolean over table's
 * row with VALUE naming column (table NULL: one column of b->domain_base). */
const CatType *bind_find_domain(Binder *b, const TypeName *tn);
int bind_domain_coerce(Binder *b, Expr *value, const CatType *domain, int location, Expr **out);
int bind_domain_check_sql(Binder *b, const CatTable *table, int column, const char *sql,
                          Expr **out);

/* bind_json.c: bind_json_record_rewrite: a record-returning json function in
 * FROM (jsonb_to_record[set], json_to_record[set], json[b]_populate_record[set])
 * as a lateral subquery in *out (NULL for other functions); 42601 for a column
 * definition list that is missing, redundant or beside WITH ORDINALITY.
 * bind_json_whole_row: fc with its whole-row arguments (to_jsonb(t),
 * row_to_json(row(...))) spelled out column by column; *out = fc if none. */
int bind_json_record_rewrite(Binder *b, const RangeFunction *rf, RangeSubselect **out);
/* A constant path argument of jsonb_path_* / @? / @@ (call, just resolved) is
 * parsed now, so a syntax error is raised, at the literal, even over no rows
 * (PostgreSQL reads a jsonpath literal when it parses the statement). */
int bind_json_check_path(Binder *b, const Expr *call);
/* Is rf the row generator of such a rewrite (where the function may be called)? */
bool bind_json_is_generator(const RangeFunction *rf);
int bind_json_whole_row(Binder *b, Scope *scope, const FuncCall *fc, const FuncCall **out);

/* bind_array.c */
int bind_array_expr(Binder *b, Scope *scope, const ArrayExpr *ae, Expr **out);
/* An empty array constant of array_type (for ARRAY[]::int[]). */
int bind_array_empty(Binder *b, SqlType array_type, int location, Expr **out);
int bind_subscript(Binder *b, Scope *scope, const Subscript *sub, Expr **out);
int bind_array_op(Binder *b, Scope *scope, const ArrayOp *ao, Expr **out);

/* bind_catalog.c: functions answered from the catalog snapshot at bind time */
int bind_indexdef_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
int bind_constraintdef_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
int bind_table_visible_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
int bind_current_schema_call(Binder *b, Scope *scope, const FuncCall *fc, bool all, Expr **out);
int bind_serial_sequence_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
int bind_viewdef_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
int bind_userbyid_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
int bind_table_privilege_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
/* bind_privilege.c: pg_has_role; has_schema_privilege, has_sequence_privilege,
 * has_column_privilege */
int bind_role_privilege_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
/* A privilege word and its CAT_PRIV_* bit, for bind_privilege_words. */
typedef struct PrivName {
    const char *name;
    uint32_t bit;
} PrivName;
/* bind_privilege.c: "SELECT, insert with grant option" (the has_*_privilege
 * functions' text): the bits of the words among names, any of them being asked as
 * PostgreSQL does; 22023 for a word not in names. */
int bind_privilege_words(Binder *b, const char *text, const PrivName *names, int name_count,
                         uint32_t *privs, bool *grant_option);
int bind_object_privilege_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
/* has_schema_privilege / has_sequence_privilege whose object is not a constant (a
 * catalog column, as psql and drivers pass it), the role and privilege constants:
 * the answer for every object of the statement's catalog, as (object) IN (those
 * held), by name or by oid. *out NULL: not of that form (the caller falls back). */
int bind_object_privilege_column(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
int bind_partition_text_call(Binder *b, Scope *scope, const FuncCall *fc, Expr **out);
/* The regclass cast inside node when node is x::regclass or x::regclass::text
 * with x not a literal (a relation name to show), else NULL. */
const Cast *bind_regclass_output(const Node *node);
int bind_regclass_name(Binder *b, Scope *scope, const Cast *cast, Expr **out);
int bind_regclass_literal(Binder *b, const Const *literal, int location, Expr **out);
/* 'name'::regtype: the type's oid (a user type's catalog id); 42704. */
int bind_regtype_literal(Binder *b, const Const *literal, int location, Expr **out);
/* enum_first / enum_last / enum_range over args[0]'s enum type (TYPE_ENUM). */
int bind_enum_call(Binder *b, const char *name, Expr **args, int arg_count, int location,
                   Expr **out);

/* bind_select.c */
int bind_select(Binder *b, const SelectStmt *stmt, Scope *outer, Frame *frame, PlanNode **out);
PlanNode *plan_node_new(Binder *b, PlanKind kind, PlanNode *left, PlanNode *right);
void plan_node_set_columns(Binder *b, PlanNode *n, int count, const SqlType *types,
                           const char **names);
PlanNode *plan_project(Binder *b, PlanNode *child, Expr **exprs, int count, const char **names);
int bind_with(Binder *b, const WithClause *with, Scope *outer, Frame *frame);
/* The named window `name` of the SELECT being bound (WINDOW clause), or NULL. */
const WindowDef *bind_lookup_window(Binder *b, const char *name);

/* bind_dml.c */
int bind_insert(Binder *b, const InsertStmt *stmt, PlanNode **out);
int bind_update(Binder *b, const UpdateStmt *stmt, PlanNode **out);
int bind_delete(Binder *b, const DeleteStmt *stmt, PlanNode **out);
int bind_table_expr_sql(Binder *b, const CatTable *table, const char *sql, SqlType *type,
                        Expr **out);
int bind_table_expr_sql_as(Binder *b, const CatTable *table, const char *sql,
                           const SqlType *assign_to, SqlType *type, Expr **out);

/* optimize.c */
int plan_from_where(Binder *b, Scope *scope, PlanNode **items, const int *offsets, int count,
                    Expr *where, PlanNode **out, int **map_out);
double estimate_table_rows(Binder *b, const CatTable *t);


/* nestloop.c: parameterized index nested-loop joins. The index paths of a
 * plain table scan as a nested loop's inner side (NULL: it cannot be one);
 * the cost per outer row of its cheapest lookup fixing inner[t] (over the
 * scan's columns) to an outer value of type outer_types[t] (< 0: no index
 * fits); what a FROM item costs to read whole (row units). */
typedef struct NestLoopInner NestLoopInner;
NestLoopInner *nestloop_inner_prepare(Binder *b, const PlanNode *scan);
double nestloop_lookup_cost(const NestLoopInner *in, Expr *const *inner,
                            const SqlType *outer_types, int count);
double nestloop_scan_cost(Binder *b, const PlanNode *item);
/* Turns join (INNER, LEFT, SEMI or ANTI with hash keys; its right side a
 * plain table scan, or a projection of one's columns) into an index nested
 * loop when an index answers some of its keys and, unless force, that costs
 * less than hashing (enable_nestloop / enable_hashjoin as PostgreSQL's). */
int plan_nestloop_try(Binder *b, PlanNode *join, bool force);
/* An outer join's hash keys: the ON conjuncts left = right with each side
 * over one input leave the qual for left_keys / right_keys. */
int plan_join_keys_from_qual(Binder *b, PlanNode *join);

/* access.c: chooses the access path of a PLAN_SCAN by estimated cost: a
 * clustering-key range scan, a PLAN_INDEX_SCAN (possibly index-only, with IN
 * lists as point lookups) or the sequential scan. req may be NULL. Conjuncts
 * the key range answers exactly leave the qual; the others stay as a recheck. */
int plan_choose_access(Binder *b, PlanNode *scan, AccessRequest *req);

/* partition.c: replaces *scan, a PLAN_SCAN of a partitioned table with its
 * pushed-down qual, by the Append of its partitions' scans that can match
 * (each with the qual and its own access path), or an empty VALUES. */
int plan_partition_expand(Binder *b, PlanNode **scan);

/* pg_get_partkeydef(oid) for psql's \d: CASE oid WHEN <id> THEN 'RANGE (a)'
 * ... END over the partitioned tables of this catalog snapshot (NULL else). */
/* pg_get_partition_constraintdef's text for partition t (NULL: none). */
const char *plan_partition_constraint_text(const Catalog *c, const CatTable *t, Arena *a);

#endif
