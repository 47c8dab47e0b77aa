/*
 * plan/planner.h - the query planner's contract: SQL statement (AST) -> Plan.
 *
 * plan_statement() binds a SELECT / VALUES / INSERT / UPDATE / DELETE (with
 * WITH, RETURNING, ON CONFLICT) or EXPLAIN [ANALYZE] of one of those against
 * a catalog snapshot: names are resolved with PostgreSQL's scoping rules,
 * types through types/func.h and types/cast.h, views expanded, and the
 * resulting logical tree optimized (constant folding, predicate pushdown,
 * join ordering, index selection) into a physical Plan that exec/executor.h
 * runs.
 *
 * Invariants
 *   1. A Plan lives entirely in env->plan_arena and is read-only once
 *      plan_statement() returns: it can be executed many times (prepared
 *      statements), each execution keeping its state in env->exec_arena.
 *   2. A Plan is valid only for the catalog version it was planned against
 *      (PlanInfo.catalog_version); the session re-plans when it changed.
 *   3. Bad SQL never aborts: every failure is an Error with PostgreSQL's
 *      SQLSTATE and, where it applies, a 1-based character position.
 *
 * Threads: a Plan may be executed by one thread at a time; planning uses only
 * the arenas in QueryEnv. See src/plan/README.md.
 */
#ifndef STRATA_PLAN_PLANNER_H
#define STRATA_PLAN_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "sql/ast.h"
#include "storage/pager/pager.h"
#include "types/func.h"
#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

typedef struct Plan Plan;           /* opaque; arena: env->plan_arena */
typedef struct BoundExpr BoundExpr; /* a bound, typed expression; arena: plan_arena */

/*
 * Session callbacks the executor may need. Every member may be NULL (then the
 * feature reports 0A000 `... is not supported in this context`). ctx is passed
 * back untouched.
 */
typedef struct QueryHooks {
    void *ctx;
    /* nextval('seq') / currval('seq') / setval('seq', v[, is_called]): sequence
     * is the name as written in the call (possibly schema-qualified, not yet
     * resolved). Serial and identity columns reach nextval through their
     * catalog default expression text (nextval('t_id_seq')). */
    int (*nextval)(void *ctx, const char *sequence, int64_t *out, Error *err);
    int (*currval)(void *ctx, const char *sequence, int64_t *out, Error *err);
    int (*setval)(void *ctx, const char *sequence, int64_t value, bool is_called, Error *err);
    /* nextval / currval / setval of a name that was not a constant when planned:
     * 42501 unless the current role holds one of privs (CAT_PRIV_*) on the
     * sequence (and USAGE on a schema named in it); a missing sequence passes
     * (the call itself reports it). */
    int (*sequence_check)(void *ctx, const char *sequence, uint32_t privs, Error *err);
    /* Statistics counters after a DML statement wrote rows of a table. */
    void (*rows_written)(void *ctx, uint64_t table_id, uint64_t inserted, uint64_t updated,
                         uint64_t deleted);
    /* Statistics counters at the end of an execution (executor_end): scans of a
     * table (index_id 0: sequential; else through that index, the primary key's
     * for a key range of the clustered table), rows they read, and of those the
     * table rows fetched through the index (0 for index-only scans). */
    void (*scans_counted)(void *ctx, uint64_t table_id, uint64_t index_id, uint64_t scans,
                          uint64_t rows_read, uint64_t rows_fetched);
    /* current_setting('name'): the setting's text (arena a), or an error 42704. */
    int (*current_setting)(void *ctx, const char *name, Arena *a, const char **out, Error *err);
    /* set_config('name', 'value', is_local): SET [LOCAL]; the new value's text in *out. */
    int (*set_config)(void *ctx, const char *name, const char *value, bool is_local, Arena *a,
                      const char **out, Error *err);
} QueryHooks;

/* Everything a statement is planned and executed with. The session fills it;
 * the planner and executor only read it (except the arenas they allocate from). */
/* What a statement reads, for CREATE VIEW to record (CatDependency): every
 * relation it names, every column of one it uses, every user-defined type it
 * names, but not what the views it expands read (those views are recorded
 * instead). Entries are distinct; they live in arena. failed: an allocation
 * failed (the list is incomplete). */
typedef struct PlanDeps {
    Arena *arena;
    CatDependency *items;
    int count;
    bool failed;
} PlanDeps;

typedef struct QueryEnv {
    const Catalog *catalog;       /* the snapshot the statement runs against */
    PagerTxn *txn;                /* the statement's transaction (write txn for DML) */
    Arena *plan_arena;            /* lives as long as the prepared statement: the Plan */
    Arena *exec_arena;            /* one execution (reset between executions) */
    FuncContext func_ctx;         /* transaction/statement timestamps, time zone */
    size_t work_mem_bytes;        /* budget for sorts, hash tables (0 = 64 MiB); 53200 beyond */
    volatile int *interrupt;      /* non-zero: stop with 57014 (may be NULL) */
    bool vectorize;               /* enable_vectorize: aggregates over column star joins batch-wise */
    int parallel_workers;         /* max_parallel_workers_per_gather: extra threads a pipeline may use */
    bool no_nestloop;             /* enable_nestloop = off: no index nested-loop joins */
    bool no_hashjoin;             /* enable_hashjoin = off: an index nested loop wherever one fits */
    const Value *params;          /* bound $n values at execution (executor casts them) */
    int param_count;
    /* PREPARE name (type, ...): the declared $n types; the plan then wants at
     * least declared_param_count parameters. NULL / 0 when none were declared. */
    const SqlType *declared_params;
    int declared_param_count;
    const char *sql;              /* the statement's text, for error positions */
    struct QueryHooks *hooks;     /* may be NULL */
    /* Privileges: the role relations are checked for (0 = none: internal
     * statements, which are not checked) and whether it is a superuser. */
    uint64_t role_id;
    bool is_superuser;
    PlanDeps *deps;               /* non-NULL: plan_statement records what it reads */
} QueryEnv;

/* Plans one statement (SELECT, VALUES, INSERT, UPDATE, DELETE, EXPLAIN of
 * those). At plan time env->params may be NULL; parameter types are inferred
 * from context ($n compared with an integer column is an integer). If
 * env->params is set at plan time, their types are taken as given.
 * Returns STRATA_OK and *out (arena: env->plan_arena), or an error:
 * 42P01, 42703, 42702, 42803, 42P10, 42883, 42804, 0A000 (unsupported
 * statement or feature), 53200, ... */
int plan_statement(QueryEnv *env, const Stmt *stmt, Plan **out, Error *err);

typedef struct PlanInfo {
    int column_count;                 /* result columns (0 for DML without RETURNING) */
    const char *const *column_names;
    const SqlType *column_types;
    int param_count;                  /* highest $n used */
    const SqlType *param_types;       /* inferred $n types (TYPE_TEXT when unknown) */
    bool is_read_only;                /* false for INSERT/UPDATE/DELETE */
    const char *command;              /* "SELECT", "INSERT", "UPDATE", "DELETE", "EXPLAIN" */
    uint64_t catalog_version;         /* re-plan when the catalog changed */
} PlanInfo;

/* The plan's description (borrowed: lives as long as the Plan). */
const PlanInfo *plan_info(const Plan *plan);

/* Binds a domain CHECK text (over VALUE) as a boolean over table's row with
 * VALUE naming column (ALTER DOMAIN ... ADD CHECK checking stored rows);
 * table NULL: over one column of type base (CREATE DOMAIN's validation). */
int expr_bind_domain_check(QueryEnv *env, const CatTable *table, int column, SqlType base,
                           const char *sql, BoundExpr **out, Error *err);

/* Binds a scalar expression over the columns of table (CHECK constraints,
 * DEFAULT values, index expressions and partial-index predicates). Column
 * references resolve to the table's columns (qualified by its name or not);
 * aggregates, window functions, subqueries and $n are rejected (0A000 /
 * 42803). *out lives in env->plan_arena; *type receives the expression's type
 * (may be NULL). */
int expr_bind_for_table(QueryEnv *env, const CatTable *table, const Node *expr, BoundExpr **out,
                        SqlType *type, Error *err);

/* Renders a plan as EXPLAIN text lines (arena a), as PostgreSQL's EXPLAIN
 * without costs: "Seq Scan on t  (rows=N)". *lines and *line_count out. */
int plan_explain_lines(const Plan *plan, Arena *a, const char ***lines, int *line_count,
                       Error *err);

#endif
