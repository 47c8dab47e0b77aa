/*
 * plan/bind_select.c - binding of queries: FROM items (tables, views, CTEs,
 * subqueries, functions, joins), WHERE, the select list, GROUP BY / HAVING
 * with the aggregate rewrite, window functions, DISTINCT [ON], ORDER BY,
 * LIMIT / OFFSET, VALUES, set operations and WITH [RECURSIVE].
 *
 * The FROM clause is collected as a list of items, each covering a
 * contiguous slice of the wide row; optimize.c joins them (join order,
 * predicate pushdown) and returns where each wide-row column ended up.
 *
 * See src/plan/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "plan/bind_int.h"
#include "sql/parser.h"
#include "types/cast.h"
#include "types/typeinfo.h"

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

static int nomem(Binder *b) { return arena_error(b->a, b->err); }

PlanNode *plan_node_new(Binder *b, PlanKind kind, PlanNode *left, PlanNode *right)
{
    PlanNode *n = arena_zalloc(b->a, sizeof(PlanNode));
    if (n != NULL) {
        n->kind = kind;
        n->left = left;
        n->right = right;
        n->id = b->node_count++;
        n->est_rows = left ? left->est_rows : 1;
    }
    return n;
}

void plan_node_set_columns(Binder *b, PlanNode *n, int count, const SqlType *types, const char **names)
{
    n->column_count = count;
    n->column_types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(count + 1));
    n->column_names = arena_zalloc(b->a, sizeof(char *) * (size_t)(count + 1));
    for (int k = 0; n->column_types && n->column_names && k < count; k++) {
        n->column_types[k] = types[k];
        n->column_names[k] = names ? names[k] : "?column?";
    }
}

PlanNode *plan_project(Binder *b, PlanNode *child, Expr **exprs, int count, const char **names)
{
    PlanNode *n = plan_node_new(b, PLAN_PROJECT, child, NULL);
    if (n == NULL) {
        return NULL;
    }
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(count + 1));
    if (types == NULL) {
        return NULL;
    }
    for (int k = 0; k < count; k++) {
        types[k] = exprs[k]->type;
    }
    n->exprs = exprs;
    n->expr_count = count;
    plan_node_set_columns(b, n, count, types, names);
    return n;
}

/* ---- WITH ------------------------------------------------------------------ */

static CteDef *find_cte(Binder *b, const char *name)
{
    for (CteDef *c = b->ctes; c != NULL; c = c->next) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

static int add_cte_plan(Binder *b, CtePlan **out)
{
    Plan *p = b->plan;
    CtePlan *n = arena_zalloc(b->a, sizeof(CtePlan) * (size_t)(p->cte_count + 1));
    if (n == NULL) {
        return nomem(b);
    }
    if (p->cte_count) {
        memcpy(n, p->ctes, sizeof(CtePlan) * (size_t)p->cte_count);
    }
    p->ctes = n;
    *out = &p->ctes[p->cte_count++];
    return STRATA_OK;
}

static int cte_columns(Binder *b, const CommonTableExpr *cte, PlanNode *plan, CteDef *def)
{
    def->column_count = plan->column_count;
    def->types = plan->column_types;
    def->names = arena_zalloc(b->a, sizeof(char *) * (size_t)(plan->column_count + 1));
    if (def->names == NULL) {
        return nomem(b);
    }
    if (cte->columns.count > plan->column_count) {
        return FAIL_AT(cte->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                       "WITH query \"%s\" has %d columns available but %d columns specified",
                       cte->name, plan->column_count, cte->columns.count);
    }
    for (int k = 0; k < plan->column_count; k++) {
        def->names[k] = k < cte->columns.count ? cte->columns.items[k] : plan->column_names[k];
    }
    return STRATA_OK;
}

/* WITH name AS (INSERT | UPDATE | DELETE ... [RETURNING ...]): the statement
 * runs once, to completion, before the main query (exec: cte_materialize);
 * its RETURNING rows are the CTE's rows. Allowed only in the top-level WITH,
 * as PostgreSQL. */
static int bind_modifying_cte(Binder *b, const CommonTableExpr *cte, Scope *outer, CteDef *def,
                              int index)
{
    if (outer != NULL || b->depth > 1) {
        return FAIL_AT(cte->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "WITH clause containing a data-modifying statement must be at the top "
                       "level");
    }
    PlanNode *plan;
    int rc;
    switch (cte->query->tag) {
    case N_INSERT_STMT:
        rc = bind_insert(b, (const InsertStmt *)cte->query, &plan);
        break;
    case N_UPDATE_STMT:
        rc = bind_update(b, (const UpdateStmt *)cte->query, &plan);
        break;
    default:
        rc = bind_delete(b, (const DeleteStmt *)cte->query, &plan);
        break;
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if ((rc = cte_columns(b, cte, plan, def)) != STRATA_OK) {
        return rc;
    }
    def->lacks_returning = plan->column_count == 0;
    b->plan->ctes[index].plan = plan;
    b->plan->ctes[index].is_modifying = true;
    return STRATA_OK;
}

static int add_written(Binder *b, const CatTable *t, int *capacity)
{
    if (b->written_count == *capacity) {
        int cap = *capacity * 2 + 8;
        uint64_t *ids = arena_alloc(b->a, sizeof(uint64_t) * (size_t)cap);
        if (ids == NULL) {
            return nomem(b);
        }
        if (b->written_count > 0) {
            memcpy(ids, b->written_ids, sizeof(uint64_t) * (size_t)b->written_count);
        }
        b->written_ids = ids;
        *capacity = cap;
    }
    b->written_ids[b->written_count++] = t->id;
    for (int k = 0; k < t->partition_count; k++) {
        int rc = add_written(b, t->partitions[k], capacity);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* The tables the data-modifying CTEs of a top-level WITH write. */
static int collect_written(Binder *b, const WithClause *with)
{
    int capacity = b->written_count;
    for (int k = 0; k < with->ctes.count; k++) {
        const Node *q = ((const CommonTableExpr *)with->ctes.items[k])->query;
        const RangeVar *rv = q->tag == N_INSERT_STMT   ? ((const InsertStmt *)q)->relation
                             : q->tag == N_UPDATE_STMT ? ((const UpdateStmt *)q)->relation
                             : q->tag == N_DELETE_STMT ? ((const DeleteStmt *)q)->relation
                                                       : NULL;
        const CatTable *t = rv != NULL ? catalog_find_table(b->env->catalog, rv->schema, rv->name)
                                       : NULL;
        if (t != NULL && t->kind == CAT_TABLE) {
            int rc = add_written(b, t, &capacity);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    return STRATA_OK;
}

bool bind_reads_snapshot(const Binder *b, const CatTable *t)
{
    for (int k = 0; k < b->written_count; k++) {
        if (b->written_ids[k] == t->id) {
            return true;
        }
    }
    return false;
}

int bind_with(Binder *b, const WithClause *with, Scope *outer, Frame *frame)
{
    if (outer == NULL && b->depth <= 1) {
        int rc = collect_written(b, with);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    for (int k = 0; k < with->ctes.count; k++) {
        const CommonTableExpr *cte = (const CommonTableExpr *)with->ctes.items[k];
        if (cte->query->tag != N_SELECT_STMT && cte->query->tag != N_INSERT_STMT &&
            cte->query->tag != N_UPDATE_STMT && cte->query->tag != N_DELETE_STMT) {
            return FAIL_AT(cte->location, SQLSTATE_SYNTAX_ERROR,
                           "WITH query must be SELECT, VALUES, INSERT, UPDATE or DELETE");
        }
        CteDef *def = arena_zalloc(b->a, sizeof(CteDef));
        CtePlan *cp;
        int rc;
        if (def == NULL || (rc = add_cte_plan(b, &cp)) != STRATA_OK) {
            return def ? b->err->code : nomem(b);
        }
        int index = b->plan->cte_count - 1;
        def->name = cte->name;
        def->cte_index = index;
        b->plan->ctes[index].name = cte->name;
        if (cte->query->tag != N_SELECT_STMT) {
            if ((rc = bind_modifying_cte(b, cte, outer, def, index)) != STRATA_OK) {
                return rc;
            }
            def->next = b->ctes;
            b->ctes = def;
            continue;
        }
        const SelectStmt *q = (const SelectStmt *)cte->query;
        PlanNode *plan;
        if (with->recursive && q->op == SETOP_UNION) {
            /* Bind the non-recursive term, expose it as the work table, then the rest. */
            if ((rc = bind_select(b, q->left, outer, frame, &plan)) != STRATA_OK) {
                return rc;
            }
            if ((rc = cte_columns(b, cte, plan, def)) != STRATA_OK) {
                return rc;
            }
            def->is_work_table = true;
            def->next = b->ctes;
            b->ctes = def;
            PlanNode *rec;
            if ((rc = bind_select(b, q->right, outer, frame, &rec)) != STRATA_OK) {
                return rc;
            }
            if (rec->column_count != plan->column_count) {
                return FAIL_AT(q->location, SQLSTATE_SYNTAX_ERROR,
                               "each UNION query must have the same number of columns");
            }
            Expr **casts = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(rec->column_count + 1));
            bool need = false;
            for (int c = 0; casts && c < rec->column_count; c++) {
                Expr *col = expr_column(b->a, c, rec->column_types[c]);
                if ((rc = coerce_expr(b, col, plan->column_types[c], CAST_ASSIGNMENT, NULL, &casts[c])) != STRATA_OK) {
                    return rc;
                }
                need |= casts[c] != col;
            }
            if (need) {
                rec = plan_project(b, rec, casts, rec->column_count, plan->column_names);
            }
            PlanNode *ru = plan_node_new(b, PLAN_RECURSIVE_UNION, plan, rec);
            if (ru == NULL) {
                return nomem(b);
            }
            ru->set_all = q->set_all;
            ru->cte_index = index;
            plan_node_set_columns(b, ru, plan->column_count, plan->column_types, def->names);
            b->plan->ctes[index].plan = ru;
            b->plan->ctes[index].is_recursive = true;
            def->is_work_table = false;
            continue;
        }
        if ((rc = bind_select(b, q, outer, frame, &plan)) != STRATA_OK) {
            return rc;
        }
        if ((rc = cte_columns(b, cte, plan, def)) != STRATA_OK) {
            return rc;
        }
        b->plan->ctes[index].plan = plan;
        def->next = b->ctes;
        b->ctes = def;
    }
    return STRATA_OK;
}

/* ---- FROM --------------------------------------------------------------------- */

typedef struct FromList {
    PlanNode **items;
    int *offsets;
    int count;
    int capacity;
    Expr **quals;
    int qual_count;
    int qual_capacity;
} FromList;

static int from_add_item(Binder *b, FromList *fl, PlanNode *item, int offset)
{
    if (fl->count == fl->capacity) {
        int cap = fl->capacity ? fl->capacity * 2 : 8;
        PlanNode **n = arena_zalloc(b->a, sizeof(PlanNode *) * (size_t)cap);
        int *o = arena_zalloc(b->a, sizeof(int) * (size_t)cap);
        if (n == NULL || o == NULL) {
            return nomem(b);
        }
        if (fl->count) {
            memcpy(n, fl->items, sizeof(PlanNode *) * (size_t)fl->count);
            memcpy(o, fl->offsets, sizeof(int) * (size_t)fl->count);
        }
        fl->items = n;
        fl->offsets = o;
        fl->capacity = cap;
    }
    fl->offsets[fl->count] = offset;
    fl->items[fl->count++] = item;
    return STRATA_OK;
}

static int from_add_qual(Binder *b, FromList *fl, Expr *q)
{
    if (q->kind == EXPR_AND) {
        for (int k = 0; k < q->arg_count; k++) {
            int rc = from_add_qual(b, fl, q->args[k]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        return STRATA_OK;
    }
    if (fl->qual_count == fl->qual_capacity) {
        int cap = fl->qual_capacity ? fl->qual_capacity * 2 : 8;
        Expr **n = arena_zalloc(b->a, sizeof(Expr *) * (size_t)cap);
        if (n == NULL) {
            return nomem(b);
        }
        if (fl->qual_count) {
            memcpy(n, fl->quals, sizeof(Expr *) * (size_t)fl->qual_count);
        }
        fl->quals = n;
        fl->qual_capacity = cap;
    }
    fl->quals[fl->qual_count++] = q;
    return STRATA_OK;
}

static const char *alias_or(const Alias *alias, const char *name)
{
    return alias != NULL && alias->name != NULL ? alias->name : name;
}

static int check_alias_unique(Binder *b, Scope *scope, const char *alias, int location)
{
    for (int r = 0; r < scope->entry_count; r++) {
        const RangeEntry *e = scope->entries[r];
        if (e->alias != NULL && alias != NULL && strcmp(e->alias, alias) == 0 && e->table == NULL) {
            return FAIL_AT(location, SQLSTATE_DUPLICATE_ALIAS,
                           "table name \"%s\" specified more than once", alias);
        }
        if (e->alias != NULL && alias != NULL && strcmp(e->alias, alias) == 0) {
            return FAIL_AT(location, SQLSTATE_DUPLICATE_ALIAS,
                           "table name \"%s\" specified more than once", alias);
        }
    }
    return STRATA_OK;
}

static int add_entry_for_plan(Binder *b, Scope *scope, PlanNode *plan, const char *alias,
                              const Alias *al, RangeEntry **out)
{
    int n = plan->column_count;
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(n + 1));
    if (names == NULL) {
        return nomem(b);
    }
    if (al != NULL && al->columns.count > n) {
        return FAIL_AT(al->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                       "table \"%s\" has %d columns available but %d columns specified", alias, n,
                       al->columns.count);
    }
    for (int k = 0; k < n; k++) {
        names[k] = al != NULL && k < al->columns.count ? al->columns.items[k] : plan->column_names[k];
    }
    *out = scope_add(b, scope, alias, n, names, plan->column_types);
    return *out ? STRATA_OK : nomem(b);
}

int bind_check_privilege(Binder *b, const CatTable *t, uint32_t privs)
{
    if (b->priv_all || t->kind == CAT_VIRTUAL ||
        catalog_table_allows(b->env->catalog, t, b->priv_role, privs)) {
        return STRATA_OK;
    }
    const char *what = t->kind == CAT_VIEW ? "view" : cat_is_matview(t) ? "materialized view" : "table";
    return error_set(b->err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for %s %s", what,
                     t->name);
}

static int denied_for(Binder *b, const CatTable *t)
{
    const char *what = t->kind == CAT_VIEW ? "view" : cat_is_matview(t) ? "materialized view" : "table";
    return error_set(b->err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for %s %s", what,
                     t->name);
}

int bind_check_privilege_columns(Binder *b, const CatTable *t, uint32_t privs, uint32_t *deferred)
{
    *deferred = 0;
    const Catalog *c = b->env->catalog;
    if (b->priv_all || t->kind == CAT_VIRTUAL || catalog_table_allows(c, t, b->priv_role, privs)) {
        return STRATA_OK;
    }
    uint32_t missing = 0;
    for (uint32_t bit = 1; bit <= CAT_PRIV_ALL; bit <<= 1) {
        if ((privs & bit) && !catalog_table_allows(c, t, b->priv_role, bit)) {
            missing |= bit;
        }
    }
    /* PostgreSQL: a privilege held on any column is enough here; the columns the
     * statement uses are checked one by one */
    uint32_t on_columns = 0;
    for (int col = 0; col < t->column_count; col++) {
        on_columns |= catalog_column_privileges(c, t, col, b->priv_role);
    }
    if ((missing & on_columns) != missing) {
        return denied_for(b, t);
    }
    *deferred = missing;
    return STRATA_OK;
}

int bind_check_column(Binder *b, const CatTable *t, uint64_t role, int col, uint32_t privs)
{
    if (privs == 0 || t == NULL) {
        return STRATA_OK;
    }
    if ((catalog_column_privileges(b->env->catalog, t, col, role) & privs) != privs) {
        return denied_for(b, t);
    }
    return STRATA_OK;
}

int bind_check_schema_usage(Binder *b, const CatTable *t, const RangeVar *rv)
{
    const Catalog *c = b->env->catalog;
    const CatSchema *s = catalog_find_schema(c, t->schema);
    if (b->priv_all || s == NULL || t->kind == CAT_VIRTUAL || strncmp(t->schema, "pg_temp", 7) == 0 ||
        (catalog_schema_privileges(c, s, b->priv_role, false) & CAT_PRIV_USAGE) != 0) {
        return STRATA_OK;
    }
    if (rv->schema != NULL) {
        return FAIL_AT(rv->location, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for schema %s",
                       t->schema);
    }
    return FAIL_AT(rv->location, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", rv->name);
}

void bind_note_dependency(Binder *b, uint64_t id, const char *column, bool is_type)
{
    PlanDeps *deps = b->env->deps;
    if (deps == NULL || b->view_depth > 0) {
        return;
    }
    for (int k = 0; k < deps->count; k++) {
        const CatDependency *x = &deps->items[k];
        bool same_column = x->column == NULL ? column == NULL
                                             : column != NULL && strcmp(x->column, column) == 0;
        if (x->object_id == id && x->is_type == is_type && same_column) {
            return;
        }
    }
    size_t size = sizeof(CatDependency) * (size_t)deps->count;
    CatDependency *grown =
        arena_realloc(deps->arena, deps->items, size, size + sizeof(CatDependency));
    if (grown == NULL) {
        deps->failed = true;
        return;
    }
    grown[deps->count++] = (CatDependency){.object_id = id, .column = column, .is_type = is_type};
    deps->items = grown;
}

void bind_note_entry_column(Binder *b, const RangeEntry *e, int col)
{
    if (e->table != NULL && !e->is_in_view && col < e->table->column_count) {
        bind_note_dependency(b, e->table->id, e->table->columns[col].name, false);
    }
}

int bind_check_entry_column(Binder *b, const RangeEntry *e, int col)
{
    bind_note_entry_column(b, e, col);
    if (e->column_privs == 0 || e->table == NULL || col >= e->table->column_count) {
        return STRATA_OK;
    }
    return bind_check_column(b, e->table, e->priv_role, col, e->column_privs);
}

/* A read of a table a data-modifying CTE writes: the scan *n becomes a CTE of its
 * own, materialized before the data-modifying CTEs run (exec: run_modifying_ctes), and
 * *n a scan of it. So every part of the statement reads the table as it was before the
 * statement, as in PostgreSQL, where all of them share one snapshot; the targets of
 * UPDATE / DELETE are read live, and rows this statement already wrote are skipped
 * there (exec/modify.c). */
static int snapshot_scan(Binder *b, PlanNode **n)
{
    CtePlan *cp;
    int rc = add_cte_plan(b, &cp);
    if (rc != STRATA_OK) {
        return rc;
    }
    PlanNode *scan = *n;
    cp->name = scan->table->name;
    cp->is_snapshot = true;
    /* the scan is the CTE's whole plan: its access (a partitioned table's Append) is
     * chosen here, as plan_from_where does for a FROM item */
    PlanNode *body = scan;
    rc = scan->table->partition_key != NULL ? plan_partition_expand(b, &body)
                                            : plan_choose_access(b, body, NULL);
    if (rc != STRATA_OK) {
        return rc;
    }
    cp->plan = body;
    PlanNode *cte = plan_node_new(b, PLAN_CTE_SCAN, NULL, NULL);
    if (cte == NULL) {
        return nomem(b);
    }
    cte->cte_index = b->plan->cte_count - 1;
    cte->alias = scan->alias;
    cte->est_rows = scan->est_rows;
    plan_node_set_columns(b, cte, scan->column_count, scan->column_types, scan->column_names);
    *n = cte;
    return STRATA_OK;
}

static int bind_view(Binder *b, const CatTable *t, Scope *scope, PlanNode **out)
{
    Stmt *stmt;
    if (sql_parse_one(t->view_sql, strlen(t->view_sql), b->a, &stmt, b->err) != STRATA_OK) {
        return b->err->code;
    }
    if (stmt->tag != N_SELECT_STMT) {
        return error_set(b->err, SQLSTATE_INVALID_OBJECT_DEFINITION, "view \"%s\" is not a query", t->name);
    }
    /* The view's text positions are not the statement's: bind without positions. */
    const char *saved_sql = b->env->sql;
    CteDef *saved_ctes = b->ctes;
    uint64_t saved_role = b->priv_role;
    bool saved_all = b->priv_all;
    /* what the view reads is checked for its owner, as in PostgreSQL */
    const CatRole *owner = catalog_role_by_id(b->env->catalog, cat_table_owner(t));
    b->priv_role = cat_table_owner(t);
    b->priv_all = saved_all && b->env->role_id == 0 ? true : owner == NULL || owner->superuser;
    b->env->sql = NULL;
    b->ctes = NULL;
    b->view_depth++; /* what the view reads is the view's dependency, not the statement's */
    int rc = bind_select(b, (const SelectStmt *)stmt, NULL, scope->frame, out);
    b->view_depth--;
    b->env->sql = saved_sql;
    b->ctes = saved_ctes;
    b->priv_role = saved_role;
    b->priv_all = saved_all;
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int k = 0; k < (*out)->column_count && k < t->column_count; k++) {
        (*out)->column_names[k] = t->columns[k].name;
    }
    return STRATA_OK;
}

static int bind_range_var(Binder *b, Scope *scope, const RangeVar *rv, PlanNode **out)
{
    const char *alias = alias_or(rv->alias, rv->name);
    int rc = check_alias_unique(b, scope, alias, rv->location);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (rv->schema == NULL) {
        CteDef *cte = find_cte(b, rv->name);
        if (cte != NULL && cte->lacks_returning) {
            return FAIL_AT(rv->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "WITH query \"%s\" does not have a RETURNING clause", cte->name);
        }
        if (cte != NULL) {
            PlanNode *n = plan_node_new(b, cte->is_work_table ? PLAN_WORKTABLE_SCAN : PLAN_CTE_SCAN, NULL, NULL);
            if (n == NULL) {
                return nomem(b);
            }
            n->cte_index = cte->cte_index;
            n->alias = alias;
            n->est_rows = 100;
            plan_node_set_columns(b, n, cte->column_count, cte->types, cte->names);
            RangeEntry *e;
            if ((rc = add_entry_for_plan(b, scope, n, alias, rv->alias, &e)) != STRATA_OK) {
                return rc;
            }
            *out = n;
            return STRATA_OK;
        }
    }
    const CatTable *t = catalog_find_table(b->env->catalog, rv->schema, rv->name);
    if (t == NULL) {
        if (rv->schema != NULL && catalog_find_schema(b->env->catalog, rv->schema) == NULL) {
            return FAIL_AT(rv->location, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", rv->schema);
        }
        return FAIL_AT(rv->location, SQLSTATE_UNDEFINED_TABLE, "relation \"%s%s%s\" does not exist",
                       rv->schema ? rv->schema : "", rv->schema ? "." : "", rv->name);
    }
    uint32_t deferred;
    bool snapshot = false;
    if ((rc = bind_check_schema_usage(b, t, rv)) != STRATA_OK ||
        (rc = bind_check_privilege_columns(b, t, CAT_PRIV_SELECT, &deferred)) != STRATA_OK) {
        return rc;
    }
    PlanNode *n;
    if (t->unpopulated) {
        int failed = FAIL_AT(rv->location, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                             "materialized view \"%s\" has not been populated", t->name);
        error_hint(b->err, "Use the REFRESH MATERIALIZED VIEW command.");
        return failed;
    }
    if (t->kind == CAT_VIEW) {
        if ((rc = bind_view(b, t, scope, &n)) != STRATA_OK) {
            return rc;
        }
    } else {
        n = plan_node_new(b, PLAN_SCAN, NULL, NULL);
        if (n == NULL) {
            return nomem(b);
        }
        n->table = t;
        n->alias = alias;
        n->scan_column_count = t->column_count;
        if (bind_reads_snapshot(b, t)) {
            snapshot = true;
        }
        n->scan_columns = arena_zalloc(b->a, sizeof(int) * (size_t)(t->column_count + 1));
        SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(t->column_count + 1));
        const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(t->column_count + 1));
        if (n->scan_columns == NULL || types == NULL || names == NULL) {
            return nomem(b);
        }
        for (int c = 0; c < t->column_count; c++) {
            n->scan_columns[c] = c;
            types[c] = t->columns[c].type;
            names[c] = t->columns[c].name;
        }
        plan_node_set_columns(b, n, t->column_count, types, names);
        n->est_rows = estimate_table_rows(b, t);
        if (snapshot && (rc = snapshot_scan(b, &n)) != STRATA_OK) {
            return rc;
        }
    }
    RangeEntry *e;
    if ((rc = add_entry_for_plan(b, scope, n, alias, rv->alias, &e)) != STRATA_OK) {
        return rc;
    }
    e->table = t;
    e->schema = t->schema;
    e->is_in_view = b->view_depth > 0;
    e->column_privs = deferred;
    e->priv_role = b->priv_role;
    bind_note_dependency(b, t->id, NULL, false);
    *out = n;
    return STRATA_OK;
}

static int collapse_items(Binder *b, Scope *scope, FromList *fl, int first, int qual_first,
                          int lo, PlanNode **out);

/* The call of a FROM function bound against the enclosing queries only (as
 * PostgreSQL binds a non-lateral item); *lateral is set when that fails on a
 * column and the call binds against the FROM items before it instead
 * (PostgreSQL makes functions in FROM implicitly LATERAL). */
static int bind_from_call(Binder *b, Scope *scope, const RangeFunction *rf, Expr **call,
                          bool *lateral)
{
    Scope *fscope = scope_new(b, scope->parent, scope->frame);
    if (fscope == NULL) {
        return nomem(b);
    }
    int saved = b->allow;
    bool saved_rows = b->json_record_rows;
    b->allow = BIND_ALLOW_SUBQUERY | BIND_ALLOW_SRF;
    b->json_record_rows = bind_json_is_generator(rf);
    int rc = bind_expr(b, fscope, rf->function, call);
    *lateral = false;
    bool missing = rc != STRATA_OK && (strcmp(b->err->sqlstate, "42703") == 0 ||
                                       strcmp(b->err->sqlstate, "42P01") == 0);
    if (missing && scope->entry_count > 0) {
        error_clear(b->err);
        rc = bind_expr(b, scope, rf->function, call);
        *lateral = rc == STRATA_OK;
    }
    b->allow = saved;
    b->json_record_rows = saved_rows;
    return rc;
}

/* FROM a, f(a.x): the FROM items before the function become one plan, and a
 * ProjectSet over it adds the function's column (a cross join with the
 * function's rows for each row, as PostgreSQL's LATERAL). The new item covers
 * the whole wide row so far plus the function's column. */
static int bind_lateral_function(Binder *b, Scope *scope, FromList *fl, const RangeFunction *rf,
                                 Expr *call)
{
    bool outer = b->lateral_outer;
    b->lateral_outer = false;
    if ((b->outer_join_depth > 0 && !outer) || call->kind != EXPR_FUNC ||
        call->fn->set_fn == NULL) {
        return FAIL_AT(rf->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "this LATERAL function in FROM is not supported");
    }
    int width = scope->width;
    PlanNode *left;
    int rc = collapse_items(b, scope, fl, 0, 0, 0, &left);
    if (rc != STRATA_OK) {
        return rc;
    }
    Expr **exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(width + 2));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(width + 3));
    if (exprs == NULL || names == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < width; c++) {
        exprs[c] = expr_column(b->a, c, scope->types[c]);
        names[c] = left->column_names[c];
    }
    const FuncCall *fc = (const FuncCall *)rf->function;
    const char *alias = alias_or(rf->alias, fc->name.items[fc->name.count - 1]);
    exprs[width] = call;
    names[width] = rf->alias != NULL && rf->alias->columns.count > 0 ? rf->alias->columns.items[0]
                                                                      : alias;
    PlanNode *set = plan_project(b, left, exprs, width + 1, names);
    PlanNode *entry_plan = plan_node_new(b, PLAN_VALUES, NULL, NULL);
    if (set == NULL || entry_plan == NULL) {
        return nomem(b);
    }
    set->kind = PLAN_PROJECT_SET;
    set->set_outer = outer;
    set->est_rows = left->est_rows * 10;
    SqlType types[2] = {call->type, sql_type(TYPE_INT8)};
    if (rf->with_ordinality) {
        /* one more column: the row's position in the function's output */
        names[width + 1] = "ordinality";
        set->with_ordinality = true;
        SqlType *all = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(width + 2));
        if (all == NULL) {
            return nomem(b);
        }
        memcpy(all, set->column_types, sizeof(SqlType) * (size_t)(width + 1));
        all[width + 1] = types[1];
        plan_node_set_columns(b, set, width + 2, all, names);
    }
    /* the scope entry names the function's column (and ordinality) */
    plan_node_set_columns(b, entry_plan, rf->with_ordinality ? 2 : 1, types, &names[width]);
    RangeEntry *e;
    if ((rc = add_entry_for_plan(b, scope, entry_plan, alias, rf->alias, &e)) != STRATA_OK) {
        return rc;
    }
    return from_add_item(b, fl, set, 0);
}

/* pg_partition_ancestors(rel) in FROM, as psql's \d of a partitioned table
 * calls it: the relation and its ancestors up the partition tree (one column
 * relid), computed from the catalog at bind time when rel is a constant:
 * rewritten into unnest('{ids}'::bigint[]) (::regclass is the bigint oid). */
static int partition_ancestors_call(Binder *b, Scope *scope, const RangeFunction *rf,
                                    RangeFunction **out)
{
    const FuncCall *fc = (const FuncCall *)rf->function;
    Expr *arg;
    int rc = fc->args.count == 1 ? bind_expr(b, scope, fc->args.items[0], &arg)
                                 : FAIL_AT(rf->location, SQLSTATE_UNDEFINED_FUNCTION,
                                           "function pg_partition_ancestors needs one argument");
    if (rc == STRATA_OK) {
        rc = coerce_expr(b, arg, sql_type(TYPE_INT8), CAST_EXPLICIT, NULL, &arg);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    arg = fold_constants(b, arg);
    if (arg->kind != EXPR_CONST) {
        /* a relation known only at run time: the registry's function, which
         * answers no rows (right for every relation that is not a partition) */
        *out = (RangeFunction *)rf;
        return STRATA_OK;
    }
    char *text = arena_strdup(b->a, "unnest('{");
    const CatTable *t = arg->value.is_null ? NULL : catalog_table_by_id(b->env->catalog, (uint64_t)arg->value.i64);
    for (int depth = 0; text != NULL && t != NULL && depth < 64; depth++) {
        text = arena_sprintf(b->a, "%s%s%llu", text, depth ? "," : "", (unsigned long long)t->id);
        t = t->parent_id != 0 ? catalog_table_by_id(b->env->catalog, t->parent_id) : NULL;
    }
    text = text != NULL ? arena_sprintf(b->a, "%s}'::bigint[])", text) : NULL;
    Node *call;
    RangeFunction *copy = arena_memdup(b->a, rf, sizeof(RangeFunction));
    if (text == NULL || copy == NULL) {
        return nomem(b);
    }
    if ((rc = sql_parse_expr(text, strlen(text), b->a, &call, b->err)) != STRATA_OK) {
        return rc;
    }
    copy->function = call;
    *out = copy;
    return STRATA_OK;
}

static int bind_range_function(Binder *b, Scope *scope, const RangeFunction *rf, FromList *fl,
                               PlanNode **out)
{
    if (rf->function->tag != N_FUNC_CALL) {
        return FAIL_AT(rf->location, SQLSTATE_FEATURE_NOT_SUPPORTED, "this function in FROM is not supported");
    }
    const FuncCall *fc = (const FuncCall *)rf->function;
    const char *name = fc->name.items[fc->name.count - 1];
    const char *column = NULL; /* the function's column name, if not the alias */
    if (strcmp(name, "pg_partition_ancestors") == 0) {
        int rc = partition_ancestors_call(b, scope, rf, (RangeFunction **)&rf);
        if (rc != STRATA_OK) {
            return rc;
        }
        column = "relid";
    }
    Expr *call;
    bool lateral = false;
    int rc = bind_from_call(b, scope, rf, &call, &lateral);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (lateral) {
        *out = NULL; /* already in fl */
        return bind_lateral_function(b, scope, fl, rf, call);
    }
    PlanNode *n = plan_node_new(b, PLAN_FUNCTION_SCAN, NULL, NULL);
    if (n == NULL) {
        return nomem(b);
    }
    n->func_args = arena_zalloc(b->a, sizeof(Expr *));
    if (n->func_args == NULL) {
        return nomem(b);
    }
    n->func_args[0] = call;
    n->func_arg_count = 1;
    n->func_kind = (call->kind == EXPR_FUNC && call->fn->set_fn != NULL) ? FSCAN_GENERATE_SERIES : FSCAN_SCALAR;
    n->with_ordinality = rf->with_ordinality;
    n->est_rows = 1000;
    SqlType types[2] = {call->type, sql_type(TYPE_INT8)};
    const char *alias = alias_or(rf->alias, name);
    const char *names[2] = {column != NULL ? column : alias, "ordinality"};
    if (rf->alias != NULL && rf->alias->columns.count > 0) {
        names[0] = rf->alias->columns.items[0];
    }
    plan_node_set_columns(b, n, rf->with_ordinality ? 2 : 1, types, names);
    RangeEntry *e;
    if ((rc = add_entry_for_plan(b, scope, n, alias, rf->alias, &e)) != STRATA_OK) {
        return rc;
    }
    *out = n;
    return STRATA_OK;
}

static int bind_from_item(Binder *b, Scope *scope, const Node *node, FromList *fl);
static int jsonb_each_rewrite(Binder *b, const RangeFunction *rf, RangeSubselect **out);

static int join_using(Binder *b, Scope *scope, const JoinExpr *je, int left_first, int left_end,
                      int right_end, FromList *quals_out, Expr **on)
{
    NameList cols = je->using_columns;
    NameList natural = {0};
    if (je->is_natural) {
        for (int r = left_end; r < right_end; r++) {
            RangeEntry *re = scope->entries[r];
            for (int c = 0; c < re->column_count; c++) {
                if (re->is_dropped[c]) {
                    continue;
                }
                for (int l = left_first; l < left_end; l++) {
                    RangeEntry *le = scope->entries[l];
                    for (int lc = 0; lc < le->column_count; lc++) {
                        if (!le->is_dropped[lc] && strcmp(le->names[lc], re->names[c]) == 0) {
                            name_list_append(b->a, &natural, (char *)re->names[c]);
                        }
                    }
                }
            }
        }
        cols = natural;
    }
    for (int k = 0; k < cols.count; k++) {
        const char *name = cols.items[k];
        Expr *lx = NULL, *rx = NULL;
        RangeEntry *lent = NULL, *rent = NULL;
        int lcol = -1, rcol = -1;
        for (int r = left_first; r < right_end; r++) {
            RangeEntry *e = scope->entries[r];
            for (int c = 0; c < e->column_count; c++) {
                if (e->is_dropped[c] || strcmp(e->names[c], name) != 0) {
                    continue;
                }
                if (r < left_end) {
                    lent = e;
                    lcol = c;
                } else {
                    rent = e;
                    rcol = c;
                }
            }
        }
        /* A merged column of an inner join on the left side counts too. */
        int merged_index = -1;
        for (int m = 0; m < scope->merged_count; m++) {
            if (strcmp(scope->merged_names[m], name) == 0) {
                merged_index = m;
            }
        }
        if (merged_index >= 0) {
            lx = scope->merged_exprs[merged_index];
        } else if (lent != NULL) {
            lx = expr_column(b->a, lent->offset + lcol, lent->types[lcol]);
        }
        if (rent != NULL) {
            rx = expr_column(b->a, rent->offset + rcol, rent->types[rcol]);
        }
        if (lx == NULL || rx == NULL) {
            return FAIL_AT(je->location, SQLSTATE_UNDEFINED_COLUMN,
                           "column \"%s\" specified in USING clause does not exist in %s table", name,
                           lx == NULL ? "left" : "right");
        }
        Expr *l = lx, *r = rx, *eq;
        int rc = resolve_oper(b, "=", &l, &r, je->location, &eq);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (*on == NULL) {
            *on = eq;
        } else {
            Expr *and = expr_new(b->a, EXPR_AND, sql_type(TYPE_BOOL), je->location);
            and->args = arena_zalloc(b->a, sizeof(Expr *) * 2);
            and->args[0] = *on;
            and->args[1] = eq;
            and->arg_count = 2;
            *on = and;
        }
        if (lent) {
            lent->is_dropped[lcol] = true;
            bind_note_entry_column(b, lent, lcol);
        }
        rent->is_dropped[rcol] = true;
        bind_note_entry_column(b, rent, rcol);
        Expr *merged = je->kind == JOIN_RIGHT ? rx : lx;
        if (je->kind == JOIN_FULL) {
            merged = expr_new(b->a, EXPR_COALESCE, lx->type, -1);
            merged->args = arena_zalloc(b->a, sizeof(Expr *) * 2);
            merged->args[0] = lx;
            merged->args[1] = rx;
            merged->arg_count = 2;
            SqlType common;
            if ((rc = coerce_to_common(b, merged->args, 2, "JOIN/USING", &common)) != STRATA_OK) {
                return rc;
            }
            merged->type = common;
        }
        if (merged_index >= 0) {
            scope->merged_exprs[merged_index] = merged;
        } else {
            int n = scope->merged_count;
            const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(n + 1));
            Expr **exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(n + 1));
            if (names == NULL || exprs == NULL) {
                return nomem(b);
            }
            if (n) {
                memcpy(names, scope->merged_names, sizeof(char *) * (size_t)n);
                memcpy(exprs, scope->merged_exprs, sizeof(Expr *) * (size_t)n);
            }
            names[n] = name;
            exprs[n] = merged;
            scope->merged_names = names;
            scope->merged_exprs = exprs;
            scope->merged_count = n + 1;
        }
    }
    (void)quals_out;
    return STRATA_OK;
}

/* Joins the items of fl[first..] into one plan whose columns are the wide-row
 * slice [lo, hi) in order. */
static int collapse_items(Binder *b, Scope *scope, FromList *fl, int first, int qual_first,
                          int lo, PlanNode **out)
{
    Expr *where = NULL;
    int nq = fl->qual_count - qual_first;
    if (nq > 0) {
        where = expr_new(b->a, EXPR_AND, sql_type(TYPE_BOOL), -1);
        where->args = fl->quals + qual_first;
        where->arg_count = nq;
    }
    PlanNode *plan;
    int *map;
    int rc = plan_from_where(b, scope, fl->items + first, fl->offsets + first, fl->count - first,
                             where, &plan, &map);
    if (rc != STRATA_OK) {
        return rc;
    }
    int hi = scope->width;
    bool identity = plan->column_count == hi - lo;
    for (int c = lo; identity && c < hi; c++) {
        identity = map[c] == c - lo;
    }
    if (!identity) {
        Expr **exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(hi - lo + 1));
        const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(hi - lo + 1));
        if (exprs == NULL || names == NULL) {
            return nomem(b);
        }
        for (int c = lo; c < hi; c++) {
            exprs[c - lo] = expr_column(b->a, map[c], scope->types[c]);
            names[c - lo] = plan->column_names[map[c]];
        }
        plan = plan_project(b, plan, exprs, hi - lo, names);
    }
    fl->count = first;
    fl->qual_count = qual_first;
    *out = plan;
    return plan ? STRATA_OK : nomem(b);
}

static const char *wide_column_name(Scope *scope, int col, const char **alias);

/* FROM ..., LATERAL (subquery) alias: the subquery is bound as a correlated
 * subquery of the FROM items before it (their columns fill its correlation
 * slots), and a PLAN_LATERAL_JOIN re-runs it for each row of those items
 * joined into one plan (PostgreSQL's Nested Loop with the subquery's plan as
 * inner side). outer: LEFT JOIN LATERAL, which keeps a row for which the
 * subquery gives no row passing quals (the ON condition) with NULLs. A
 * subquery that references nothing outside is an ordinary FROM item. */
static int bind_lateral_subquery(Binder *b, Scope *scope, FromList *fl, const RangeSubselect *rs,
                                 bool outer, const Node *quals)
{
    const char *alias = alias_or(rs->alias, NULL);
    int rc;
    if (alias != NULL && (rc = check_alias_unique(b, scope, alias, rs->location)) != STRATA_OK) {
        return rc;
    }
    Frame *frame = arena_zalloc(b->a, sizeof(Frame));
    SubPlan *sub = arena_zalloc(b->a, sizeof(SubPlan));
    if (frame == NULL || sub == NULL) {
        return nomem(b);
    }
    frame->parent = scope->frame;
    int saved_allow = b->allow;
    const char *saved_clause = b->clause;
    bool saved_agg = b->saw_agg, saved_win = b->saw_window;
    PlanNode *plan;
    rc = bind_select(b, (const SelectStmt *)rs->subquery, scope, frame, &plan);
    b->allow = saved_allow;
    b->clause = saved_clause;
    b->saw_agg = saved_agg;
    b->saw_window = saved_win;
    if (rc != STRATA_OK) {
        return rc;
    }
    int first = b->lateral_first_item, lo = b->lateral_first_width;
    int qual_first = b->lateral_first_qual;
    int width = scope->width;
    if (frame->corr_count == 0 && !outer) {
        RangeEntry *e;
        if ((rc = add_entry_for_plan(b, scope, plan, alias, rs->alias, &e)) != STRATA_OK) {
            return rc;
        }
        return from_add_item(b, fl, plan, width);
    }
    /* the slots read the items of this join level only (the left side of an
     * enclosing outer join is not in the plan the subquery runs beside) */
    bool *used = arena_zalloc(b->a, (size_t)width + 1);
    int *map = arena_zalloc(b->a, sizeof(int) * (size_t)(width + 1));
    if (used == NULL || map == NULL) {
        return nomem(b);
    }
    for (int slot = 0; slot < frame->corr_count; slot++) {
        expr_collect_columns(frame->corr_args[slot], used);
    }
    for (int c = 0; c < width; c++) {
        if (c < lo && used[c] && b->lateral_right_full) {
            const char *table = NULL;
            wide_column_name(scope, c, &table);
            error_set(b->err, SQLSTATE_INVALID_COLUMN_REFERENCE,
                      "invalid reference to FROM-clause entry for table \"%s\"",
                      table ? table : "?");
            error_detail(b->err,
                         "The combining JOIN type must be INNER or LEFT for a LATERAL reference.");
            return bind_error_pos(b, rs->location);
        }
        if (c < lo && used[c]) {
            return FAIL_AT(
                rs->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                "this LATERAL reference to a FROM item outside its join is not supported");
        }
        map[c] = c >= lo ? c - lo : -1;
    }
    b->lateral_right_full = false;
    PlanNode *left;
    if (fl->count > first) {
        if ((rc = collapse_items(b, scope, fl, first, qual_first, lo, &left)) != STRATA_OK) {
            return rc;
        }
    } else {
        /* nothing before it at this level: one empty row */
        left = plan_node_new(b, PLAN_VALUES, NULL, NULL);
        if (left == NULL || (left->rows = arena_zalloc(b->a, sizeof(Expr **))) == NULL) {
            return nomem(b);
        }
        left->row_count = 1;
        left->est_rows = 1;
        plan_node_set_columns(b, left, 0, NULL, NULL);
    }
    sub->plan = plan;
    sub->corr_count = frame->corr_count;
    sub->corr_args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(frame->corr_count + 1));
    if (sub->corr_args == NULL) {
        return nomem(b);
    }
    for (int slot = 0; slot < frame->corr_count; slot++) {
        sub->corr_args[slot] = expr_remap(b->a, frame->corr_args[slot], map);
    }
    sub->type = SUBLINK_TYPE_EXISTS; /* unused: the node runs the plan itself */
    sub->id = -1;
    RangeEntry *e;
    if ((rc = add_entry_for_plan(b, scope, plan, alias, rs->alias, &e)) != STRATA_OK) {
        return rc;
    }
    PlanNode *join = plan_node_new(b, PLAN_LATERAL_JOIN, left, plan);
    if (join == NULL) {
        return nomem(b);
    }
    join->lateral = sub;
    join->join_type = outer ? JOIN_TYPE_LEFT : JOIN_TYPE_INNER;
    join->est_rows = left->est_rows * (plan->est_rows > 1 ? plan->est_rows : 1);
    int total = scope->width - lo;
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(total + 1));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(total + 1));
    int *join_map = arena_zalloc(b->a, sizeof(int) * (size_t)(scope->width + 1));
    if (types == NULL || names == NULL || join_map == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < total; c++) {
        types[c] = scope->types[lo + c];
        names[c] = c < left->column_count ? left->column_names[c]
                                          : plan->column_names[c - left->column_count];
    }
    plan_node_set_columns(b, join, total, types, names);
    if (quals != NULL) {
        Expr *q;
        int saved = b->allow;
        b->allow = BIND_ALLOW_SUBQUERY;
        rc = bind_expr_bool(b, scope, quals, "JOIN/ON", &q);
        b->allow = saved;
        if (rc != STRATA_OK) {
            return rc;
        }
        for (int c = 0; c < scope->width; c++) {
            join_map[c] = c >= lo ? c - lo : 0;
        }
        q = fold_constants(b, q);
        bool always = q->kind == EXPR_CONST && !q->value.is_null && q->value.b;
        join->qual = always ? NULL : expr_remap(b->a, q, join_map);
    }
    return from_add_item(b, fl, join, lo);
}

/* t LEFT JOIN f(t.x) ON true, f reading an earlier item: a ProjectSet that
 * keeps rows whose function returns nothing (PostgreSQL's LEFT JOIN LATERAL).
 * *handled is false when the join is not of that form. */
static int bind_left_join_lateral(Binder *b, Scope *scope, const JoinExpr *je, FromList *fl,
                                  bool *handled)
{
    *handled = false;
    const Node *quals = je->quals;
    const Node *right = je->right;
    if (right->tag == N_RANGE_FUNCTION) {
        RangeSubselect *each; /* jsonb_each(t.x): a lateral subquery */
        int rc = jsonb_each_rewrite(b, (const RangeFunction *)right, &each);
        if (rc != STRATA_OK) {
            return rc;
        }
        right = each != NULL ? (const Node *)each : right;
    }
    if (right->tag == N_RANGE_SUBSELECT && ((const RangeSubselect *)right)->lateral &&
        je->kind != JOIN_INNER && je->kind != JOIN_CROSS) {
        if (je->kind != JOIN_LEFT) {
            return STRATA_OK; /* a reference to the left side is 42P10 (bind_lateral_subquery) */
        }
        if (je->is_natural || je->using_columns.count > 0) {
            return FAIL_AT(je->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "LEFT JOIN LATERAL with USING or NATURAL is not supported");
        }
        *handled = true;
        int rc = bind_from_item(b, scope, je->left, fl);
        if (rc != STRATA_OK) {
            return rc;
        }
        return bind_lateral_subquery(b, scope, fl, (const RangeSubselect *)right, true, quals);
    }
    bool on_true = quals != NULL && quals->tag == N_CONST &&
                   ((const Const *)quals)->kind == CONST_BOOL && ((const Const *)quals)->bool_value;
    if (je->kind != JOIN_LEFT || je->right->tag != N_RANGE_FUNCTION || !on_true ||
        je->is_natural || je->using_columns.count > 0 || b->outer_join_depth > 0) {
        return STRATA_OK;
    }
    /* Does the function read the items before it? Bind it alone to find out. */
    const RangeFunction *rf = (const RangeFunction *)je->right;
    Scope *fscope = scope_new(b, scope->parent, scope->frame);
    if (fscope == NULL) {
        return nomem(b);
    }
    int saved = b->allow;
    b->allow = BIND_ALLOW_SUBQUERY | BIND_ALLOW_SRF;
    Expr *probe;
    int rc = bind_expr(b, fscope, rf->function, &probe);
    b->allow = saved;
    if (rc == STRATA_OK || (strcmp(b->err->sqlstate, "42703") != 0 &&
                            strcmp(b->err->sqlstate, "42P01") != 0)) {
        if (rc != STRATA_OK) {
            return rc;
        }
        return STRATA_OK; /* not lateral: an ordinary outer join */
    }
    error_clear(b->err);
    *handled = true;
    if ((rc = bind_from_item(b, scope, je->left, fl)) != STRATA_OK) {
        return rc;
    }
    b->lateral_outer = true;
    rc = bind_from_item(b, scope, je->right, fl);
    b->lateral_outer = false;
    return rc;
}

static int bind_join(Binder *b, Scope *scope, const JoinExpr *je, FromList *fl)
{
    bool handled;
    int rc = bind_left_join_lateral(b, scope, je, fl, &handled);
    if (rc != STRATA_OK || handled) {
        return rc;
    }
    if (je->kind == JOIN_INNER || je->kind == JOIN_CROSS) {
        int entry_first = scope->entry_count;
        if ((rc = bind_from_item(b, scope, je->left, fl)) != STRATA_OK) {
            return rc;
        }
        int entry_mid = scope->entry_count;
        if ((rc = bind_from_item(b, scope, je->right, fl)) != STRATA_OK) {
            return rc;
        }
        Expr *on = NULL;
        if (je->using_columns.count > 0 || je->is_natural) {
            if ((rc = join_using(b, scope, je, entry_first, entry_mid, scope->entry_count, fl, &on)) != STRATA_OK) {
                return rc;
            }
        }
        if (je->quals != NULL) {
            Expr *q;
            int saved = b->allow;
            b->allow = BIND_ALLOW_SUBQUERY;
            rc = bind_expr_bool(b, scope, je->quals, "JOIN/ON", &q);
            b->allow = saved;
            if (rc != STRATA_OK) {
                return rc;
            }
            if ((rc = from_add_qual(b, fl, q)) != STRATA_OK) {
                return rc;
            }
        }
        return on ? from_add_qual(b, fl, on) : STRATA_OK;
    }
    /* Outer joins: each side becomes one plan, then a join node of fixed order. */
    int entry_first = scope->entry_count;
    int item_first = fl->count, qual_first = fl->qual_count;
    int width_first = scope->width;
    int saved_first_item = b->lateral_first_item, saved_first_width = b->lateral_first_width;
    int saved_first_qual = b->lateral_first_qual;
    b->lateral_first_item = item_first;
    b->lateral_first_qual = qual_first;
    b->lateral_first_width = width_first;
    b->outer_join_depth++;
    rc = bind_from_item(b, scope, je->left, fl);
    b->outer_join_depth--;
    if (rc != STRATA_OK) {
        return rc;
    }
    PlanNode *left;
    if ((rc = collapse_items(b, scope, fl, item_first, qual_first, width_first, &left)) != STRATA_OK) {
        return rc;
    }
    int entry_mid = scope->entry_count;
    int width_mid = scope->width;
    b->lateral_first_width = width_mid;
    b->lateral_right_full = je->kind != JOIN_LEFT && je->right->tag == N_RANGE_SUBSELECT;
    b->outer_join_depth++;
    rc = bind_from_item(b, scope, je->right, fl);
    b->outer_join_depth--;
    b->lateral_right_full = false;
    b->lateral_first_item = saved_first_item;
    b->lateral_first_qual = saved_first_qual;
    b->lateral_first_width = saved_first_width;
    if (rc != STRATA_OK) {
        return rc;
    }
    PlanNode *right;
    if ((rc = collapse_items(b, scope, fl, item_first, qual_first, width_mid, &right)) != STRATA_OK) {
        return rc;
    }
    Expr *on = NULL;
    if (je->using_columns.count > 0 || je->is_natural) {
        if ((rc = join_using(b, scope, je, entry_first, entry_mid, scope->entry_count, fl, &on)) != STRATA_OK) {
            return rc;
        }
    }
    if (je->quals != NULL) {
        Expr *q;
        int saved = b->allow;
        b->allow = BIND_ALLOW_SUBQUERY;
        rc = bind_expr_bool(b, scope, je->quals, "JOIN/ON", &q);
        b->allow = saved;
        if (rc != STRATA_OK) {
            return rc;
        }
        on = q;
    }
    PlanNode *join = plan_node_new(b, PLAN_JOIN, left, right);
    if (join == NULL) {
        return nomem(b);
    }
    join->join_type = je->kind == JOIN_LEFT ? JOIN_TYPE_LEFT : je->kind == JOIN_RIGHT ? JOIN_TYPE_RIGHT : JOIN_TYPE_FULL;
    int width = scope->width - width_first;
    int *map = arena_zalloc(b->a, sizeof(int) * (size_t)(scope->width + 1));
    if (map == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < scope->width; c++) {
        map[c] = c >= width_first ? c - width_first : 0;
    }
    join->qual = on ? expr_remap(b->a, on, map) : NULL;
    join->est_rows = left->est_rows > right->est_rows ? left->est_rows : right->est_rows;
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(width + 1));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(width + 1));
    for (int c = 0; types && names && c < width; c++) {
        types[c] = scope->types[width_first + c];
        names[c] = c < left->column_count ? left->column_names[c] : right->column_names[c - left->column_count];
    }
    plan_node_set_columns(b, join, width, types, names);
    if ((rc = plan_join_keys_from_qual(b, join)) != STRATA_OK ||
        (rc = plan_nestloop_try(b, join, false)) != STRATA_OK) {
        return rc;
    }
    return from_add_item(b, fl, join, width_first);
}

/* jsonb_each(x) / jsonb_each_text(x) [WITH ORDINALITY] in FROM: PostgreSQL's
 * record-returning functions as the lateral subquery
 *   (SELECT k AS key, x::jsonb -> k AS value FROM jsonb_object_keys(x) AS k)
 * (->> for _text), the object's keys in jsonb order as PostgreSQL returns them. The
 * template's nodes take the call's source position, so an error points at the call
 * or at x; errors name jsonb_object_keys (a non-object is 22023, an argument that is
 * not jsonb 42883, as for jsonb_each in PostgreSQL). *out is NULL when rf is
 * another function. */
static int jsonb_each_rewrite(Binder *b, const RangeFunction *rf, RangeSubselect **out)
{
    int rc = bind_json_record_rewrite(b, rf, out);
    if (rc != STRATA_OK || *out != NULL || rf->function->tag != N_FUNC_CALL) {
        return rc;
    }
    const FuncCall *fc = (const FuncCall *)rf->function;
    const char *name = fc->name.items[fc->name.count - 1];
    bool as_text = strcmp(name, "jsonb_each_text") == 0;
    if ((!as_text && strcmp(name, "jsonb_each") != 0) || fc->args.count != 1 || fc->agg_star ||
        fc->agg_distinct || fc->over != NULL || fc->agg_filter != NULL || fc->agg_order.count > 0 ||
        (fc->name.count == 2 && strcmp(fc->name.items[0], "pg_catalog") != 0) || fc->name.count > 2) {
        return STRATA_OK;
    }
    const char *text = rf->with_ordinality
                           ? (as_text ? "SELECT k AS key, CAST(x AS jsonb) ->> k AS value, n AS ordinality "
                                        "FROM jsonb_object_keys(x) WITH ORDINALITY AS e(k, n)"
                                      : "SELECT k AS key, CAST(x AS jsonb) -> k AS value, n AS ordinality "
                                        "FROM jsonb_object_keys(x) WITH ORDINALITY AS e(k, n)")
                           : (as_text ? "SELECT k AS key, CAST(x AS jsonb) ->> k AS value "
                                        "FROM jsonb_object_keys(x) AS k"
                                      : "SELECT k AS key, CAST(x AS jsonb) -> k AS value "
                                        "FROM jsonb_object_keys(x) AS k");
    Stmt *stmt;
    if (sql_parse_one(text, strlen(text), b->a, &stmt, b->err) != STRATA_OK) {
        return b->err->code;
    }
    SelectStmt *sel = (SelectStmt *)stmt;
    Node *arg = fc->args.items[0];
    /* the value column's x, and the key generator's argument */
    ResTarget *value = (ResTarget *)sel->targets.items[1];
    OpExpr *op = (OpExpr *)value->val;
    Cast *value_cast = (Cast *)op->left;
    RangeFunction *keys = (RangeFunction *)sel->from.items[0];
    FuncCall *keys_call = (FuncCall *)keys->function;
    value_cast->arg = keys_call->args.items[0] = arg;
    value_cast->location = arg->location;
    sel->location = value->location = op->location = keys->location = keys_call->location = rf->location;
    RangeSubselect *rs = (RangeSubselect *)ast_new_node(b->a, sizeof(RangeSubselect), N_RANGE_SUBSELECT,
                                                        rf->location);
    if (rs == NULL) {
        return nomem(b);
    }
    rs->lateral = true;
    rs->subquery = (Node *)sel;
    rs->alias = rf->alias;
    if (rs->alias == NULL) {
        Alias *alias = (Alias *)ast_new_node(b->a, sizeof(Alias), N_ALIAS, rf->location);
        if (alias == NULL || (alias->name = arena_strdup(b->a, name)) == NULL) {
            return nomem(b);
        }
        rs->alias = alias;
    }
    *out = rs;
    return STRATA_OK;
}

static int bind_from_item(Binder *b, Scope *scope, const Node *node, FromList *fl)
{
    PlanNode *item;
    int rc;
    int offset = scope->width;
    switch (node->tag) {
    case N_RANGE_VAR:
        rc = bind_range_var(b, scope, (const RangeVar *)node, &item);
        break;
    case N_RANGE_SUBSELECT: {
        const RangeSubselect *rs = (const RangeSubselect *)node;
        if (rs->lateral) {
            return bind_lateral_subquery(b, scope, fl, rs, false, NULL);
        }
        Scope *saved_hidden = b->hidden_scope;
        b->hidden_scope = scope->entry_count > 0 ? scope : saved_hidden;
        rc = bind_select(b, (const SelectStmt *)rs->subquery, scope->parent, scope->frame, &item);
        b->hidden_scope = saved_hidden;
        if (rc == STRATA_OK) {
            const char *alias = alias_or(rs->alias, NULL);
            if (alias != NULL && (rc = check_alias_unique(b, scope, alias, rs->location)) != STRATA_OK) {
                return rc;
            }
            RangeEntry *e;
            rc = add_entry_for_plan(b, scope, item, alias, rs->alias, &e);
        }
        break;
    }
    case N_RANGE_FUNCTION: {
        RangeSubselect *each;
        if ((rc = jsonb_each_rewrite(b, (const RangeFunction *)node, &each)) != STRATA_OK) {
            return rc;
        }
        if (each != NULL) {
            return bind_lateral_subquery(b, scope, fl, each, false, NULL);
        }
        rc = bind_range_function(b, scope, (const RangeFunction *)node, fl, &item);
        if (rc == STRATA_OK && item == NULL) {
            return STRATA_OK; /* a LATERAL function joined the items before it */
        }
        break;
    }
    case N_JOIN_EXPR:
        return bind_join(b, scope, (const JoinExpr *)node, fl);
    default:
        return FAIL_AT(node->location, SQLSTATE_FEATURE_NOT_SUPPORTED, "unsupported FROM item");
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    return from_add_item(b, fl, item, offset);
}

/* ---- sublinks ------------------------------------------------------------------ */

/* Binds sl's subquery into a new SubPlan (its type still to be set). */
static int bind_subplan(Binder *b, Scope *scope, const SubLink *sl, SubPlan **out)
{
    Frame *frame = arena_zalloc(b->a, sizeof(Frame));
    SubPlan *sub = arena_zalloc(b->a, sizeof(SubPlan));
    if (frame == NULL || sub == NULL) {
        return nomem(b);
    }
    frame->parent = scope ? scope->frame : NULL;
    int saved_allow = b->allow;
    const char *saved_clause = b->clause;
    bool saved_agg = b->saw_agg, saved_win = b->saw_window;
    PlanNode *plan;
    int rc = bind_select(b, (const SelectStmt *)sl->subquery, scope, frame, &plan);
    b->allow = saved_allow;
    b->clause = saved_clause;
    b->saw_agg = saved_agg;
    b->saw_window = saved_win;
    if (rc != STRATA_OK) {
        return rc;
    }
    sub->plan = plan;
    sub->corr_count = frame->corr_count;
    sub->corr_args = frame->corr_args;
    sub->id = b->plan->subplan_count++;
    *out = sub;
    return STRATA_OK;
}

/* SET (a, b) = (SELECT x, y ...): the sub-SELECT bound once, and one Expr per target
 * column, all sharing its SubPlan (SUBLINK_TYPE_MULTI; Expr.index = the column), so the
 * subquery runs once per row however many columns it sets. */
int bind_multi_sublink(Binder *b, Scope *scope, const SubLink *sl, int ncols, Expr **out)
{
    SubPlan *sub;
    int rc = bind_subplan(b, scope, sl, &sub);
    if (rc != STRATA_OK) {
        return rc;
    }
    sub->type = SUBLINK_TYPE_MULTI;
    if (sub->plan->column_count != ncols) {
        return FAIL_AT(sl->location, SQLSTATE_SYNTAX_ERROR, "number of columns does not match number of values");
    }
    for (int j = 0; j < ncols; j++) {
        Expr *e = expr_new(b->a, EXPR_SUBLINK, sub->plan->column_types[j], sl->location);
        if (e == NULL) {
            return nomem(b);
        }
        e->sub = sub;
        e->index = j;
        out[j] = e;
    }
    return STRATA_OK;
}

int bind_sublink(Binder *b, Scope *scope, const SubLink *sl, Expr **out)
{
    SubPlan *sub;
    int rc = bind_subplan(b, scope, sl, &sub);
    if (rc != STRATA_OK) {
        return rc;
    }
    PlanNode *plan = sub->plan;
    Expr *e = expr_new(b->a, EXPR_SUBLINK, sql_type(TYPE_BOOL), sl->location);
    if (e == NULL) {
        return nomem(b);
    }
    e->sub = sub;
    switch (sl->kind) {
    case SUBLINK_EXISTS:
        sub->type = SUBLINK_TYPE_EXISTS;
        break;
    case SUBLINK_EXPR:
        sub->type = SUBLINK_TYPE_SCALAR;
        if (plan->column_count != 1) {
            return FAIL_AT(sl->location, SQLSTATE_SYNTAX_ERROR, "subquery must return only one column");
        }
        e->type = plan->column_types[0];
        break;
    case SUBLINK_ARRAY:
        sub->type = SUBLINK_TYPE_ARRAY;
        if (plan->column_count != 1) {
            return FAIL_AT(sl->location, SQLSTATE_SYNTAX_ERROR, "subquery must return only one column");
        }
        if (type_is_array(plan->column_types[0].id)) {
            e->type = plan->column_types[0]; /* arrays of arrays: one more dimension */
        } else if (type_array_of(plan->column_types[0].id) == TYPE_COUNT) {
            return FAIL_AT(sl->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "arrays of type %s are not supported",
                           type_name(plan->column_types[0], b->a));
        } else {
            e->type =
                sql_type_mod(type_array_of(plan->column_types[0].id), plan->column_types[0].typmod);
        }
        break;
    default: {
        sub->type = sl->kind == SUBLINK_ANY ? SUBLINK_TYPE_ANY : SUBLINK_TYPE_ALL;
        NodeList items = {0};
        if (sl->test_expr->tag == N_ROW) {
            items = ((const RowExpr *)sl->test_expr)->args;
        } else {
            node_list_append(b->a, &items, sl->test_expr);
        }
        if (items.count != plan->column_count) {
            return FAIL_AT(sl->location, SQLSTATE_SYNTAX_ERROR,
                           items.count < plan->column_count ? "subquery has too many columns" : "subquery has too few columns");
        }
        sub->test_count = items.count;
        sub->tests = arena_zalloc(b->a, sizeof(Expr *) * (size_t)items.count);
        sub->cmp_fns = arena_zalloc(b->a, sizeof(FuncDef *) * (size_t)items.count);
        Expr **casts = arena_zalloc(b->a, sizeof(Expr *) * (size_t)items.count);
        if (!sub->tests || !sub->cmp_fns || !casts) {
            return nomem(b);
        }
        bool need_cast = false;
        for (int k = 0; k < items.count; k++) {
            Expr *t;
            if ((rc = bind_expr(b, scope, items.items[k], &t)) != STRATA_OK) {
                return rc;
            }
            Expr *col = expr_column(b->a, k, plan->column_types[k]);
            Expr *l = t, *r = col, *cmp;
            if ((rc = resolve_oper(b, sl->op ? sl->op : "=", &l, &r, sl->location, &cmp)) != STRATA_OK) {
                return rc;
            }
            sub->tests[k] = cmp->args[0];
            sub->cmp_fns[k] = cmp->fn;
            casts[k] = cmp->args[1];
            need_cast |= casts[k] != col;
        }
        if (need_cast) {
            sub->plan = plan_project(b, plan, casts, items.count, plan->column_names);
        }
        break;
    }
    }
    *out = e;
    return STRATA_OK;
}

/* ---- aggregate rewrite ------------------------------------------------------------ */

typedef struct AggRewrite {
    Expr **groups;
    int group_count;
    AggCall **aggs;
    int agg_count;
    int agg_capacity;
    Scope *scope;       /* for error messages naming columns */
    int *map;           /* unused: groups are already remapped */
    uint64_t *sets;     /* grouping sets (set_count > 0: their index is a group column) */
    int set_count;
} AggRewrite;

static const char *wide_column_name(Scope *scope, int col, const char **alias)
{
    for (int r = 0; r < scope->entry_count; r++) {
        RangeEntry *e = scope->entries[r];
        if (col >= e->offset && col < e->offset + e->column_count) {
            *alias = e->alias;
            return e->names[col - e->offset];
        }
    }
    *alias = NULL;
    return "?";
}

static int rewrite_agg(Binder *b, AggRewrite *rw, Expr *e, const int *map, Expr **out)
{
    for (int g = 0; g < rw->group_count; g++) {
        if (expr_equal(rw->groups[g], e)) {
            *out = expr_column(b->a, g, e->type);
            return *out ? STRATA_OK : nomem(b);
        }
    }
    if (e->kind == EXPR_AGG_CALL && e->agg->is_grouping) {
        /* GROUPING(args): each argument must be a GROUP BY expression */
        AggCall *call = arena_memdup(b->a, e->agg, sizeof(AggCall));
        int *refs = arena_zalloc(b->a, sizeof(int) * (size_t)(call->arg_count + 1));
        if (call == NULL || refs == NULL) {
            return nomem(b);
        }
        for (int k = 0; k < call->arg_count; k++) {
            refs[k] = -1;
            for (int g = 0; g < rw->group_count && refs[k] < 0; g++) {
                if (expr_equal(rw->groups[g], call->args[k])) {
                    refs[k] = g;
                }
            }
            if (refs[k] < 0) {
                int location = call->args[k]->location >= 0 ? call->args[k]->location : e->location;
                return FAIL_AT(location, SQLSTATE_GROUPING_ERROR,
                               "arguments to GROUPING must be grouping expressions of the "
                               "associated query level");
            }
        }
        call->grouping_refs = refs;
        if (rw->set_count == 0) {
            *out = expr_const(b->a, value_i64(TYPE_INT4, 0), e->location);
            return *out ? STRATA_OK : nomem(b);
        }
        e = arena_memdup(b->a, e, sizeof(Expr));
        if (e == NULL) {
            return nomem(b);
        }
        e->agg = call;
    }
    if (e->kind == EXPR_AGG_CALL) {
        if (rw->agg_count == rw->agg_capacity) {
            int cap = rw->agg_capacity ? rw->agg_capacity * 2 : 8;
            AggCall **n = arena_zalloc(b->a, sizeof(AggCall *) * (size_t)cap);
            if (n == NULL) {
                return nomem(b);
            }
            if (rw->agg_count) {
                memcpy(n, rw->aggs, sizeof(AggCall *) * (size_t)rw->agg_count);
            }
            rw->aggs = n;
            rw->agg_capacity = cap;
        }
        rw->aggs[rw->agg_count] = e->agg;
        *out = expr_column(b->a, rw->group_count + (rw->set_count > 0) + rw->agg_count, e->type);
        rw->agg_count++;
        return *out ? STRATA_OK : nomem(b);
    }
    if (e->kind == EXPR_COLUMN) {
        /* Find the wide-row column for the message. */
        int wide = -1;
        for (int c = 0; c < rw->scope->width; c++) {
            if (map[c] == e->index) {
                wide = c;
            }
        }
        const char *alias;
        const char *name = wide_column_name(rw->scope, wide, &alias);
        return FAIL_AT(e->location, SQLSTATE_GROUPING_ERROR,
                       "column \"%s%s%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                       alias ? alias : "", alias ? "." : "", name);
    }
    Expr *n = arena_memdup(b->a, e, sizeof(Expr));
    if (n == NULL) {
        return nomem(b);
    }
    if (e->arg_count > 0) {
        n->args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)e->arg_count);
        if (n->args == NULL) {
            return nomem(b);
        }
        for (int k = 0; k < e->arg_count; k++) {
            int rc = rewrite_agg(b, rw, e->args[k], map, &n->args[k]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    if (e->kind == EXPR_SUBLINK) {
        SubPlan *s = arena_memdup(b->a, e->sub, sizeof(SubPlan));
        s->corr_args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(s->corr_count + 1));
        s->tests = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(s->test_count + 1));
        for (int k = 0; k < s->corr_count; k++) {
            int rc = rewrite_agg(b, rw, e->sub->corr_args[k], map, &s->corr_args[k]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        for (int k = 0; k < s->test_count; k++) {
            int rc = rewrite_agg(b, rw, e->sub->tests[k], map, &s->tests[k]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        n->sub = s;
    }
    if (e->kind == EXPR_WINDOW_CALL) {
        WinCall *w = arena_memdup(b->a, e->win, sizeof(WinCall));
        w->agg.args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(w->agg.arg_count + 1));
        w->partition = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(w->partition_count + 1));
        w->order = arena_zalloc(b->a, sizeof(SortKey) * (size_t)(w->order_count + 1));
        int rc = STRATA_OK;
        for (int k = 0; rc == STRATA_OK && k < w->agg.arg_count; k++) {
            rc = rewrite_agg(b, rw, e->win->agg.args[k], map, &w->agg.args[k]);
        }
        if (rc == STRATA_OK && w->agg.filter) {
            rc = rewrite_agg(b, rw, e->win->agg.filter, map, &w->agg.filter);
        }
        for (int k = 0; rc == STRATA_OK && k < w->partition_count; k++) {
            rc = rewrite_agg(b, rw, e->win->partition[k], map, &w->partition[k]);
        }
        for (int k = 0; rc == STRATA_OK && k < w->order_count; k++) {
            w->order[k] = e->win->order[k];
            rc = rewrite_agg(b, rw, e->win->order[k].expr, map, &w->order[k].expr);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        n->win = w;
    }
    *out = n;
    return STRATA_OK;
}

/* ---- window extraction ------------------------------------------------------------- */

typedef struct WinCollect {
    WinCall **wins;
    int count;
    int capacity;
    int base;
} WinCollect;

static Expr *extract_windows(Binder *b, WinCollect *wc, Expr *e)
{
    if (e == NULL) {
        return NULL;
    }
    if (e->kind == EXPR_WINDOW_CALL) {
        if (wc->count == wc->capacity) {
            int cap = wc->capacity ? wc->capacity * 2 : 8;
            WinCall **n = arena_zalloc(b->a, sizeof(WinCall *) * (size_t)cap);
            if (n == NULL) {
                return NULL;
            }
            if (wc->count) {
                memcpy(n, wc->wins, sizeof(WinCall *) * (size_t)wc->count);
            }
            wc->wins = n;
            wc->capacity = cap;
        }
        wc->wins[wc->count] = e->win;
        return expr_column(b->a, wc->base + wc->count++, e->type);
    }
    Expr *n = arena_memdup(b->a, e, sizeof(Expr));
    if (n && e->arg_count > 0) {
        n->args = arena_zalloc(b->a, sizeof(Expr *) * (size_t)e->arg_count);
        for (int k = 0; n->args && k < e->arg_count; k++) {
            n->args[k] = extract_windows(b, wc, e->args[k]);
        }
    }
    return n;
}

/* ---- simple SELECT ------------------------------------------------------------------ */

typedef struct Target {
    Expr *expr;
    const char *name;
    const Node *node;
} Target;

static int expand_star(Binder *b, Scope *scope, const ColumnRef *ref, Target **targets, int *count,
                       int *capacity)
{
    const char *qual = ref->fields.count > 0 ? ref->fields.items[ref->fields.count - 1] : NULL;
    int found = 0;
#define PUSH_TARGET(e_, n_)                                                                   \
    do {                                                                                      \
        if (*count == *capacity) {                                                            \
            int cap_ = *capacity * 2 + 8;                                                     \
            Target *nt_ = arena_zalloc(b->a, sizeof(Target) * (size_t)cap_);                 \
            if (nt_ == NULL) {                                                                \
                return nomem(b);                                                              \
            }                                                                                 \
            if (*count) {                                                                     \
                memcpy(nt_, *targets, sizeof(Target) * (size_t)*count);                       \
            }                                                                                 \
            *targets = nt_;                                                                   \
            *capacity = cap_;                                                                 \
        }                                                                                     \
        (*targets)[*count].expr = (e_);                                                       \
        (*targets)[*count].name = (n_);                                                       \
        (*targets)[*count].node = NULL;                                                       \
        (*count)++;                                                                           \
    } while (0)
    if (qual == NULL) {
        for (int m = 0; m < scope->merged_count; m++) {
            PUSH_TARGET(scope->merged_exprs[m], scope->merged_names[m]);
            found++;
        }
    }
    for (int r = 0; r < scope->entry_count; r++) {
        RangeEntry *e = scope->entries[r];
        if (qual != NULL && !(e->alias && strcmp(e->alias, qual) == 0)) {
            continue;
        }
        found++;
        for (int c = 0; c < e->column_count; c++) {
            /* every column * reads, merged ones included, needs its column privilege */
            int rc = bind_check_entry_column(b, e, c);
            if (rc != STRATA_OK) {
                return rc;
            }
            if (qual == NULL && e->is_dropped[c]) {
                continue;
            }
            PUSH_TARGET(expr_column(b->a, e->offset + c, e->types[c]), e->names[c]);
        }
    }
    if (qual != NULL && found == 0) {
        return FAIL_AT(ref->location, SQLSTATE_UNDEFINED_TABLE, "missing FROM-clause entry for table \"%s\"", qual);
    }
    if (qual == NULL && scope->entry_count == 0) {
        return FAIL_AT(ref->location, SQLSTATE_SYNTAX_ERROR, "SELECT * with no tables specified is not valid");
    }
    return STRATA_OK;
}

/* The named window `name` of the SELECT being bound, or NULL. */
const WindowDef *bind_lookup_window(Binder *b, const char *name)
{
    for (int k = 0; k < b->window_count; k++) {
        if (b->windows[k]->name && strcmp(b->windows[k]->name, name) == 0) {
            return b->windows[k];
        }
    }
    return NULL;
}

typedef struct SortItem {
    int target;       /* output column index */
    bool desc;
    bool nulls_first;
} SortItem;

static bool is_int_const(const Node *n, int64_t *v)
{
    if (n->tag == N_CONST && ((const Const *)n)->kind == CONST_INTEGER) {
        *v = ((const Const *)n)->int_value;
        return true;
    }
    return false;
}

static int add_target(Binder *b, Target **targets, int *count, int *capacity, Expr *e, const char *name)
{
    if (*count == *capacity) {
        int cap = *capacity * 2 + 8;
        Target *n = arena_zalloc(b->a, sizeof(Target) * (size_t)cap);
        if (n == NULL) {
            return nomem(b);
        }
        if (*count) {
            memcpy(n, *targets, sizeof(Target) * (size_t)*count);
        }
        *targets = n;
        *capacity = cap;
    }
    (*targets)[*count].expr = e;
    (*targets)[*count].name = name;
    (*targets)[*count].node = NULL;
    (*count)++;
    return STRATA_OK;
}

/* Resolves ORDER BY items into output columns, adding hidden targets. */
static int bind_order_by(Binder *b, Scope *scope, const NodeList *sort, Target **targets,
                         int *count, int *capacity, int visible, bool distinct, SortItem **out)
{
    SortItem *items = arena_zalloc(b->a, sizeof(SortItem) * (size_t)(sort->count + 1));
    if (items == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < sort->count; k++) {
        const SortBy *sb = (const SortBy *)sort->items[k];
        items[k].desc = sb->dir == SORT_DESC;
        items[k].nulls_first = sb->nulls == SORT_NULLS_DEFAULT ? sb->dir == SORT_DESC : sb->nulls == SORT_NULLS_FIRST;
        int64_t pos;
        if (is_int_const(sb->expr, &pos)) {
            if (pos < 1 || pos > visible) {
                return FAIL_AT(sb->expr->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                               "ORDER BY position %lld is not in select list", (long long)pos);
            }
            items[k].target = (int)pos - 1;
            continue;
        }
        if (sb->expr->tag == N_COLUMN_REF && ((const ColumnRef *)sb->expr)->fields.count == 1 &&
            !((const ColumnRef *)sb->expr)->is_star) {
            const char *name = ((const ColumnRef *)sb->expr)->fields.items[0];
            int match = -1;
            for (int t = 0; t < visible; t++) {
                if ((*targets)[t].name && strcmp((*targets)[t].name, name) == 0) {
                    if (match >= 0 && !expr_equal((*targets)[match].expr, (*targets)[t].expr)) {
                        return FAIL_AT(sb->expr->location, SQLSTATE_AMBIGUOUS_COLUMN,
                                       "ORDER BY \"%s\" is ambiguous", name);
                    }
                    if (match < 0) {
                        match = t;
                    }
                }
            }
            if (match >= 0) {
                items[k].target = match;
                continue;
            }
        }
        Expr *e;
        int saved = b->allow;
        b->allow = BIND_ALLOW_AGG | BIND_ALLOW_WINDOW | BIND_ALLOW_SUBQUERY;
        const char *saved_clause = b->clause;
        b->clause = "ORDER BY";
        const Cast *regclass = bind_regclass_output(sb->expr);
        int rc = regclass != NULL ? bind_regclass_name(b, scope, regclass, &e)
                                  : bind_expr(b, scope, sb->expr, &e);
        b->allow = saved;
        b->clause = saved_clause;
        if (rc == STRATA_OK) {
            rc = finalize_unknown(b, &e);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        int match = -1;
        for (int t = 0; t < *count && match < 0; t++) {
            if (expr_equal((*targets)[t].expr, e)) {
                match = t;
            }
        }
        if (match < 0) {
            if (distinct) {
                return FAIL_AT(sb->expr->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                               "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
            }
            if ((rc = add_target(b, targets, count, capacity, e, "?sort?")) != STRATA_OK) {
                return rc;
            }
            match = *count - 1;
        }
        items[k].target = match;
    }
    *out = items;
    return STRATA_OK;
}

/* LIMIT / OFFSET / FETCH FIRST over *plan; order[0..order_count-1] are the ORDER BY
 * items below it (the columns WITH TIES compares). */
static int bind_limit(Binder *b, const SelectStmt *stmt, const SortItem *order, int order_count,
                      PlanNode **plan)
{
    if (stmt->limit_kind == LIMIT_NONE || stmt->limit_kind == LIMIT_ALL) {
        if (stmt->limit_offset == NULL) {
            return STRATA_OK;
        }
    }
    if (stmt->limit_kind == LIMIT_FETCH_WITH_TIES && order_count == 0) {
        return FAIL_AT(-1, SQLSTATE_SYNTAX_ERROR, "WITH TIES cannot be specified without ORDER BY clause");
    }
    if (stmt->limit_kind == LIMIT_FETCH_WITH_TIES && stmt->limit_count != NULL &&
        stmt->limit_count->tag == N_CONST && ((const Const *)stmt->limit_count)->kind == CONST_NULL) {
        /* As PostgreSQL: a NULL literal is refused here; a count that is NULL at
         * run time means no limit. */
        return FAIL_AT(-1, SQLSTATE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
                       "row count cannot be null in FETCH FIRST ... WITH TIES clause");
    }
    PlanNode *n = plan_node_new(b, PLAN_LIMIT, *plan, NULL);
    if (n == NULL) {
        return nomem(b);
    }
    if (stmt->limit_kind == LIMIT_FETCH_WITH_TIES) {
        n->limit_with_ties = true;
        n->tie_count = order_count;
        if ((n->tie_columns = arena_alloc(b->a, sizeof(int) * (size_t)order_count)) == NULL) {
            return nomem(b);
        }
        for (int k = 0; k < order_count; k++) {
            n->tie_columns[k] = order[k].target;
        }
    }
    plan_node_set_columns(b, n, (*plan)->column_count, (*plan)->column_types, (*plan)->column_names);
    Scope *empty = scope_new(b, NULL, NULL);
    int saved = b->allow;
    b->allow = BIND_ALLOW_SUBQUERY;
    int rc = STRATA_OK;
    if (stmt->limit_kind == LIMIT_COUNT || stmt->limit_kind == LIMIT_FETCH_ONLY ||
        stmt->limit_kind == LIMIT_FETCH_WITH_TIES) {
        if (stmt->limit_count == NULL) {
            Value one = value_i64(TYPE_INT8, 1);
            n->limit_count = expr_const(b->a, one, -1);
        } else if ((rc = bind_expr(b, empty, stmt->limit_count, &n->limit_count)) == STRATA_OK) {
            rc = coerce_expr(b, n->limit_count, sql_type(TYPE_INT8), CAST_IMPLICIT, NULL, &n->limit_count);
        }
    }
    if (rc == STRATA_OK && stmt->limit_offset != NULL &&
        (rc = bind_expr(b, empty, stmt->limit_offset, &n->limit_offset)) == STRATA_OK) {
        rc = coerce_expr(b, n->limit_offset, sql_type(TYPE_INT8), CAST_IMPLICIT, NULL, &n->limit_offset);
    }
    b->allow = saved;
    if (rc != STRATA_OK) {
        return rc;
    }
    if (n->limit_count) {
        n->est_rows = 10;
    }
    *plan = n;
    return STRATA_OK;
}

/* e calls a volatile function (random(), nextval(), clock_timestamp()) and holds
 * no subquery, aggregate or window call: PostgreSQL computes such a select-list item
 * after the sort of ORDER BY (make_sort_input_target), so it runs in sorted order
 * and only for the rows LIMIT keeps. */
static bool late_target(const Expr *e, bool *volatile_call)
{
    if (e == NULL) {
        return true;
    }
    if (e->kind == EXPR_SUBLINK || e->kind == EXPR_AGG_CALL || e->kind == EXPR_WINDOW_CALL ||
        e->sub != NULL || e->agg != NULL || e->win != NULL ||
        (e->kind == EXPR_FUNC && e->fn != NULL && e->fn->set_fn != NULL)) {
        return false;
    }
    if (e->kind == EXPR_SEQUENCE ||
        (e->kind == EXPR_FUNC && e->fn != NULL && e->fn->volatility == VOLATILITY_VOLATILE)) {
        *volatile_call = true;
    }
    if (!late_target(e->arg, volatile_call)) {
        return false;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (!late_target(e->args[k], volatile_call)) {
            return false;
        }
    }
    return true;
}

static int make_sort(Binder *b, PlanNode **plan, const SortItem *items, int count)
{
    if (count == 0) {
        return STRATA_OK;
    }
    PlanNode *s = plan_node_new(b, PLAN_SORT, *plan, NULL);
    if (s == NULL || (s->sort_keys = arena_zalloc(b->a, sizeof(SortKey) * (size_t)count)) == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < count; k++) {
        int t = items[k].target;
        s->sort_keys[k].expr = expr_column(b->a, t, (*plan)->column_types[t]);
        s->sort_keys[k].desc = items[k].desc;
        s->sort_keys[k].nulls_first = items[k].nulls_first;
    }
    s->sort_key_count = count;
    plan_node_set_columns(b, s, (*plan)->column_count, (*plan)->column_types, (*plan)->column_names);
    *plan = s;
    return STRATA_OK;
}

static int distinct_on_mismatch(Binder *b, const SelectStmt *stmt, int key)
{
    return FAIL_AT(stmt->distinct_on.items[key]->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                   "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
}

/*
 * The sort under DISTINCT ON, as PostgreSQL builds it: the ORDER BY items, then the
 * DISTINCT ON keys that ORDER BY does not name (so `DISTINCT ON (k) ... ORDER BY k, v`
 * sorts by k, v, not k, k, v). Rows with equal keys must be adjacent, so every DISTINCT
 * ON key must come before any other ORDER BY item; otherwise 42P10, at the key.
 * DISTINCT ON key k is target count + k of the projection below the sort.
 */
static int distinct_on_sort(Binder *b, const SelectStmt *stmt, Expr **exprs, int count,
                            Expr **distinct_on, int distinct_on_count, const SortItem *sort,
                            SortItem **items_out, int *count_out)
{
    int sort_count = stmt->sort.count;
    SortItem *items = arena_zalloc(b->a, sizeof(SortItem) * (size_t)(sort_count + distinct_on_count + 1));
    bool *is_sorted = arena_zalloc(b->a, sizeof(bool) * (size_t)(distinct_on_count + 1));
    if (items == NULL || is_sorted == NULL) {
        return nomem(b);
    }
    bool skipped_sort_item = false;
    for (int s = 0; s < sort_count; s++) {
        int key = -1;
        for (int k = 0; k < distinct_on_count; k++) {
            if (expr_equal(exprs[sort[s].target], distinct_on[k])) {
                key = key < 0 ? k : key;
                is_sorted[k] = true;
            }
        }
        if (key >= 0 && skipped_sort_item) {
            return distinct_on_mismatch(b, stmt, key);
        }
        skipped_sort_item |= key < 0;
        items[s] = sort[s];
    }
    int n = sort_count;
    for (int k = 0; k < distinct_on_count; k++) {
        if (is_sorted[k]) {
            continue;
        }
        if (skipped_sort_item) {
            return distinct_on_mismatch(b, stmt, k);
        }
        bool is_duplicate = false;
        for (int prev = 0; prev < k; prev++) {
            is_duplicate |= expr_equal(distinct_on[prev], distinct_on[k]);
        }
        if (!is_duplicate) {
            items[n++] = (SortItem){.target = count + k, .desc = false, .nulls_first = false};
        }
    }
    *items_out = items;
    *count_out = n;
    return STRATA_OK;
}

static bool has_set_call(const Expr *e)
{
    if (e == NULL) {
        return false;
    }
    if (e->kind == EXPR_FUNC && e->fn != NULL && e->fn->set_fn != NULL) {
        return true;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (has_set_call(e->args[k])) {
            return true;
        }
    }
    return false;
}

/* A select-list SRF must be the whole target: PostgreSQL also evaluates
 * nested ones, strata's ProjectSet only top-level calls. */
static int check_srf_top_level(Binder *b, const Expr *e, int location)
{
    for (int k = 0; k < e->arg_count; k++) {
        if (has_set_call(e->args[k])) {
            return FAIL_AT(location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "set-returning functions inside expressions are not supported");
        }
    }
    return STRATA_OK;
}

static int bind_targets(Binder *b, Scope *scope, const SelectStmt *stmt, Target **targets,
                        int *count, int *capacity)
{
    for (int k = 0; k < stmt->targets.count; k++) {
        const ResTarget *rt = (const ResTarget *)stmt->targets.items[k];
        if (rt->val->tag == N_COLUMN_REF && ((const ColumnRef *)rt->val)->is_star) {
            int rc = expand_star(b, scope, (const ColumnRef *)rt->val, targets, count, capacity);
            if (rc != STRATA_OK) {
                return rc;
            }
            continue;
        }
        Expr *e;
        /* A set-returning call is allowed at the top of a target (ProjectSet). */
        bool top_call = rt->val->tag == N_FUNC_CALL;
        b->allow = BIND_ALLOW_AGG | BIND_ALLOW_WINDOW | BIND_ALLOW_SUBQUERY |
                   (top_call ? BIND_ALLOW_SRF : 0);
        b->clause = "SELECT";
        const Cast *regclass = bind_regclass_output(rt->val);
        int rc = regclass != NULL ? bind_regclass_name(b, scope, regclass, &e)
                                  : bind_expr(b, scope, rt->val, &e);
        if (rc == STRATA_OK && top_call) {
            rc = check_srf_top_level(b, e, rt->val->location);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        int strength;
        const char *name = rt->name ? rt->name : figure_colname(rt->val, &strength);
        if ((rc = add_target(b, targets, count, capacity, e, name)) != STRATA_OK) {
            return rc;
        }
        (*targets)[*count - 1].node = rt->val;
    }
    if (*count > LIMIT_COLUMNS) {
        return FAIL_AT(stmt->location, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "target lists can have at most %d entries", LIMIT_COLUMNS);
    }
    return STRATA_OK;
}

/* One GROUP BY expression: a select-list position, an output column name
 * (when no input column has it) or an expression over FROM. */
static int bind_group_expr(Binder *b, Scope *scope, const Node *item, Target *targets, int visible,
                           Expr **out)
{
    int64_t pos;
    if (is_int_const(item, &pos)) {
        if (pos < 1 || pos > visible) {
            return FAIL_AT(item->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                           "GROUP BY position %lld is not in select list", (long long)pos);
        }
        *out = targets[pos - 1].expr;
        return STRATA_OK;
    }
    if (item->tag == N_COLUMN_REF && ((const ColumnRef *)item)->fields.count == 1) {
        const char *name = ((const ColumnRef *)item)->fields.items[0];
        int matches = 0;
        /* An input column wins over an output name (PostgreSQL's rule for GROUP BY). */
        for (int r = 0; r < scope->entry_count && matches == 0; r++) {
            RangeEntry *e = scope->entries[r];
            for (int c = 0; c < e->column_count; c++) {
                if (strcmp(e->names[c], name) == 0) {
                    matches++;
                }
            }
        }
        for (int m = 0; m < scope->merged_count; m++) {
            if (strcmp(scope->merged_names[m], name) == 0) {
                matches++;
            }
        }
        for (int t = 0; matches == 0 && t < visible; t++) {
            if (targets[t].name && strcmp(targets[t].name, name) == 0) {
                *out = targets[t].expr;
                return STRATA_OK;
            }
        }
    }
    b->allow = BIND_ALLOW_SUBQUERY;
    b->clause = "GROUP BY";
    int rc = bind_expr(b, scope, item, out);
    return rc == STRATA_OK ? finalize_unknown(b, out) : rc;
}

/* GROUP BY's expressions (each once) and, with ROLLUP / CUBE / GROUPING SETS,
 * its grouping sets as masks over them (PostgreSQL's expansion: the sets of
 * the items are crossed, a CUBE of n gives the 2^n subsets). */
typedef struct GroupBy {
    Binder *b;
    Scope *scope;
    Target *targets;
    int visible;
    Expr **exprs;
    int count;
    int capacity;
} GroupBy;

typedef struct MaskList {
    uint64_t *masks;
    int count;
} MaskList;

enum { GROUPING_SETS_MAX = 4096, GROUP_EXPRS_MAX = 63 };

static int group_expr_index(GroupBy *gb, const Node *item, int *index)
{
    Binder *b = gb->b;
    Expr *e;
    int rc = bind_group_expr(b, gb->scope, item, gb->targets, gb->visible, &e);
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int k = 0; k < gb->count; k++) {
        if (expr_equal(gb->exprs[k], e)) {
            *index = k;
            return STRATA_OK;
        }
    }
    if (gb->count == GROUP_EXPRS_MAX) {
        return FAIL_AT(item->location, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                       "grouping sets over more than %d expressions are not supported",
                       GROUP_EXPRS_MAX);
    }
    if (gb->count == gb->capacity) {
        int cap = gb->capacity ? gb->capacity * 2 : 8;
        Expr **n = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(cap + 1));
        if (n == NULL) {
            return nomem(b);
        }
        if (gb->count) {
            memcpy(n, gb->exprs, sizeof(Expr *) * (size_t)gb->count);
        }
        gb->exprs = n;
        gb->capacity = cap;
    }
    gb->exprs[gb->count] = e;
    *index = gb->count++;
    return STRATA_OK;
}

/* The mask of an element of ROLLUP / CUBE / GROUPING SETS: an expression or
 * a parenthesized list of them. */
static int group_element_mask(GroupBy *gb, const Node *item, uint64_t *mask)
{
    *mask = 0;
    NodeList one = {0};
    const NodeList *items = &one;
    if (item->tag == N_ROW && !((const RowExpr *)item)->is_explicit) {
        items = &((const RowExpr *)item)->args;
    } else if (node_list_append(gb->b->a, &one, (Node *)item) != STRATA_OK) {
        return nomem(gb->b);
    }
    for (int k = 0; k < items->count; k++) {
        int index = 0;
        int rc = group_expr_index(gb, items->items[k], &index);
        if (rc != STRATA_OK) {
            return rc;
        }
        *mask |= (uint64_t)1 << index;
    }
    return STRATA_OK;
}

static int masks_add(Binder *b, MaskList *list, uint64_t mask, int location)
{
    if (list->count >= GROUPING_SETS_MAX) {
        return FAIL_AT(location, SQLSTATE_STATEMENT_TOO_COMPLEX,
                       "too many grouping sets present (maximum %d)", GROUPING_SETS_MAX);
    }
    if ((list->count & (list->count - 1)) == 0) {
        uint64_t *n =
            arena_zalloc(b->a, sizeof(uint64_t) * (size_t)(list->count ? list->count * 2 : 1));
        if (n == NULL) {
            return nomem(b);
        }
        if (list->count) {
            memcpy(n, list->masks, sizeof(uint64_t) * (size_t)list->count);
        }
        list->masks = n;
    }
    list->masks[list->count++] = mask;
    return STRATA_OK;
}

/* The grouping sets of one GROUP BY item. */
static int group_item_sets(GroupBy *gb, const Node *item, MaskList *out)
{
    Binder *b = gb->b;
    int rc;
    out->count = 0;
    if (item->tag != N_GROUPING_SET) {
        uint64_t mask;
        rc = group_element_mask(gb, item, &mask);
        return rc == STRATA_OK ? masks_add(b, out, mask, item->location) : rc;
    }
    const GroupingSet *gs = (const GroupingSet *)item;
    int n = gs->content.count;
    uint64_t *elems = arena_zalloc(b->a, sizeof(uint64_t) * (size_t)(n + 1));
    if (elems == NULL) {
        return nomem(b);
    }
    switch (gs->kind) {
    case GROUPING_SET_EMPTY:
        return masks_add(b, out, 0, item->location);
    case GROUPING_SET_ROLLUP:
        for (int k = 0; k < n; k++) {
            if ((rc = group_element_mask(gb, gs->content.items[k], &elems[k])) != STRATA_OK) {
                return rc;
            }
        }
        for (int len = n; len >= 0; len--) {
            uint64_t mask = 0;
            for (int k = 0; k < len; k++) {
                mask |= elems[k];
            }
            if ((rc = masks_add(b, out, mask, item->location)) != STRATA_OK) {
                return rc;
            }
        }
        return STRATA_OK;
    case GROUPING_SET_CUBE:
        if (n > 12) {
            return FAIL_AT(item->location, SQLSTATE_TOO_MANY_COLUMNS,
                           "CUBE is limited to 12 elements");
        }
        for (int k = 0; k < n; k++) {
            if ((rc = group_element_mask(gb, gs->content.items[k], &elems[k])) != STRATA_OK) {
                return rc;
            }
        }
        for (int subset = (1 << n) - 1; subset >= 0; subset--) {
            uint64_t mask = 0;
            for (int k = 0; k < n; k++) {
                if (subset & (1 << (n - 1 - k))) {
                    mask |= elems[k];
                }
            }
            if ((rc = masks_add(b, out, mask, item->location)) != STRATA_OK) {
                return rc;
            }
        }
        return STRATA_OK;
    case GROUPING_SET_SETS:
        for (int k = 0; k < n; k++) {
            MaskList inner = {0};
            if ((rc = group_item_sets(gb, gs->content.items[k], &inner)) != STRATA_OK) {
                return rc;
            }
            for (int m = 0; m < inner.count; m++) {
                if ((rc = masks_add(b, out, inner.masks[m], item->location)) != STRATA_OK) {
                    return rc;
                }
            }
        }
        return STRATA_OK;
    }
    return STRATA_OK;
}

static int bind_group_by(Binder *b, Scope *scope, const SelectStmt *stmt, Target *targets,
                         int visible, Expr ***groups, int *group_count, uint64_t **sets,
                         int *set_count)
{
    int n = stmt->group_by.count;
    *sets = NULL;
    *set_count = 0;
    bool has_sets = false;
    for (int k = 0; k < n; k++) {
        has_sets |= stmt->group_by.items[k]->tag == N_GROUPING_SET;
    }
    if (!has_sets) {
        Expr **g = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(n + 1));
        if (g == NULL) {
            return nomem(b);
        }
        for (int k = 0; k < n; k++) {
            int rc = bind_group_expr(b, scope, stmt->group_by.items[k], targets, visible, &g[k]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        *groups = g;
        *group_count = n;
        return STRATA_OK;
    }
    GroupBy gb = {b, scope, targets, visible, NULL, 0, 0};
    MaskList all = {0};
    int rc = masks_add(b, &all, 0, -1);
    for (int k = 0; rc == STRATA_OK && k < n; k++) {
        const Node *item = stmt->group_by.items[k];
        MaskList item_sets = {0};
        if ((rc = group_item_sets(&gb, item, &item_sets)) != STRATA_OK) {
            return rc;
        }
        MaskList crossed = {0};
        for (int x = 0; rc == STRATA_OK && x < all.count; x++) {
            for (int y = 0; rc == STRATA_OK && y < item_sets.count; y++) {
                rc = masks_add(b, &crossed, all.masks[x] | item_sets.masks[y], item->location);
            }
        }
        all = crossed;
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (all.count == 1) {
        /* one set (GROUP BY a, (), ...): a plain GROUP BY of its expressions */
        Expr **g = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(gb.count + 1));
        if (g == NULL) {
            return nomem(b);
        }
        int out = 0;
        for (int k = 0; k < gb.count; k++) {
            if (all.masks[0] & ((uint64_t)1 << k)) {
                g[out++] = gb.exprs[k];
            }
        }
        *groups = g;
        *group_count = out;
        return STRATA_OK;
    }
    *groups = gb.exprs;
    *group_count = gb.count;
    *sets = all.masks;
    *set_count = all.count;
    return STRATA_OK;
}

/* The LIMIT (+ OFFSET) row count when both are integer literals; a LIMIT
 * that is not a literal ($1) counts as 100 rows; 0 = no LIMIT. */
static double limit_rows_of(const SelectStmt *stmt)
{
    if (stmt->limit_kind != LIMIT_COUNT && stmt->limit_kind != LIMIT_FETCH_ONLY) {
        return 0;
    }
    int64_t count = 1, offset = 0;
    if (stmt->limit_count != NULL && !is_int_const(stmt->limit_count, &count)) {
        count = 100;
    }
    if (stmt->limit_offset != NULL && !is_int_const(stmt->limit_offset, &offset)) {
        offset = 100;
    }
    double rows = (double)count + (double)offset;
    return rows > 0 ? rows : 1;
}

/* What the single-table SELECT asks of its scan (access.c): the ORDER BY
 * expressions (sort_count 0: none), the LIMIT and every column it reads
 * (targets, GROUP BY, HAVING, DISTINCT ON), all over the wide row, which for
 * one FROM item is the scan's output. NULL when out of memory. */
static AccessRequest *access_request(Binder *b, const SelectStmt *stmt, int width,
                                     const Target *targets, int count, const SortItem *sort,
                                     int sort_count, Expr **groups, int group_count,
                                     const Expr *having, Expr **distinct_on,
                                     int distinct_on_count)
{
    AccessRequest *req = arena_zalloc(b->a, sizeof(AccessRequest));
    bool *used = arena_zalloc(b->a, (size_t)width + 1);
    if (req == NULL || used == NULL) {
        return NULL;
    }
    req->arena = b->a;
    for (int t = 0; t < count; t++) {
        expr_collect_columns(targets[t].expr, used);
    }
    for (int g = 0; g < group_count; g++) {
        expr_collect_columns(groups[g], used);
    }
    expr_collect_columns(having, used);
    for (int k = 0; k < distinct_on_count; k++) {
        expr_collect_columns(distinct_on[k], used);
    }
    req->used_columns = used;
    if (sort_count > 0) {
        req->order_exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)sort_count);
        req->order_desc = arena_zalloc(b->a, (size_t)sort_count);
        req->order_nulls_first = arena_zalloc(b->a, (size_t)sort_count);
        if (req->order_exprs == NULL || req->order_desc == NULL || req->order_nulls_first == NULL) {
            return NULL;
        }
        for (int k = 0; k < sort_count; k++) {
            req->order_exprs[k] = fold_constants(b, targets[sort[k].target].expr);
            req->order_desc[k] = sort[k].desc;
            req->order_nulls_first[k] = sort[k].nulls_first;
        }
        req->order_count = sort_count;
        req->limit_rows = limit_rows_of(stmt);
    }
    return req;
}

static int bind_simple_select(Binder *b, const SelectStmt *stmt, Scope *outer, Frame *frame,
                              PlanNode **out)
{
    bool keep_unknown = b->setop_branch; /* not inherited by nested queries */
    b->setop_branch = false;
    Scope *scope = scope_new(b, outer, frame);
    FromList fl = {0};
    if (scope == NULL) {
        return nomem(b);
    }
    int rc;
    int saved_first_item = b->lateral_first_item, saved_first_width = b->lateral_first_width;
    int saved_first_qual = b->lateral_first_qual;
    b->lateral_first_item = 0;
    b->lateral_first_qual = 0;
    b->lateral_first_width = 0;
    for (int k = 0; k < stmt->from.count; k++) {
        if ((rc = bind_from_item(b, scope, stmt->from.items[k], &fl)) != STRATA_OK) {
            return rc;
        }
    }
    b->lateral_first_item = saved_first_item;
    b->lateral_first_qual = saved_first_qual;
    b->lateral_first_width = saved_first_width;
    if (fl.count == 0) {
        /* No FROM: one empty row. */
        PlanNode *one = plan_node_new(b, PLAN_VALUES, NULL, NULL);
        if (one == NULL || (one->rows = arena_zalloc(b->a, sizeof(Expr **))) == NULL) {
            return nomem(b);
        }
        one->row_count = 1;
        one->est_rows = 1;
        plan_node_set_columns(b, one, 0, NULL, NULL);
        if ((rc = from_add_item(b, &fl, one, 0)) != STRATA_OK) {
            return rc;
        }
    }
    const WindowDef *const *saved_windows = b->windows;
    int saved_window_count = b->window_count;
    b->windows = (const WindowDef *const *)stmt->windows.items;
    b->window_count = stmt->windows.count;
    bool saved_agg = b->saw_agg, saved_win = b->saw_window;
    b->saw_agg = false;
    b->saw_window = false;
    if (stmt->where != NULL) {
        Expr *w;
        b->allow = BIND_ALLOW_SUBQUERY;
        if ((rc = bind_expr_bool(b, scope, stmt->where, "WHERE", &w)) != STRATA_OK) {
            return rc;
        }
        if ((rc = from_add_qual(b, &fl, w)) != STRATA_OK) {
            return rc;
        }
    }
    Target *targets = NULL;
    int count = 0, capacity = 0;
    if ((rc = bind_targets(b, scope, stmt, &targets, &count, &capacity)) != STRATA_OK) {
        return rc;
    }
    int visible = count;
    bool is_distinct = stmt->distinct == DISTINCT_ON_ALL;
    Expr **groups = NULL;
    int group_count = 0;
    uint64_t *grouping_sets = NULL;
    int grouping_set_count = 0;
    if ((rc = bind_group_by(b, scope, stmt, targets, visible, &groups, &group_count, &grouping_sets,
                            &grouping_set_count)) != STRATA_OK) {
        return rc;
    }
    Expr *having = NULL;
    if (stmt->having != NULL) {
        b->allow = BIND_ALLOW_AGG | BIND_ALLOW_SUBQUERY;
        if ((rc = bind_expr_bool(b, scope, stmt->having, "HAVING", &having)) != STRATA_OK) {
            return rc;
        }
    }
    SortItem *sort = NULL;
    if ((rc = bind_order_by(b, scope, &stmt->sort, &targets, &count, &capacity, visible, is_distinct, &sort)) != STRATA_OK) {
        return rc;
    }
    Expr **distinct_on = NULL;
    int distinct_on_count = stmt->distinct == DISTINCT_ON ? stmt->distinct_on.count : 0;
    if (distinct_on_count > 0) {
        distinct_on = arena_zalloc(b->a, sizeof(Expr *) * (size_t)distinct_on_count);
        for (int k = 0; k < distinct_on_count; k++) {
            b->allow = BIND_ALLOW_AGG | BIND_ALLOW_SUBQUERY;
            if ((rc = bind_expr(b, scope, stmt->distinct_on.items[k], &distinct_on[k])) != STRATA_OK) {
                return rc;
            }
            if ((rc = finalize_unknown(b, &distinct_on[k])) != STRATA_OK) {
                return rc;
            }
        }
    }
    for (int t = 0; t < count && !keep_unknown; t++) {
        if ((rc = finalize_unknown(b, &targets[t].expr)) != STRATA_OK) {
            return rc;
        }
    }
    bool is_agg = b->saw_agg || group_count > 0 || having != NULL || grouping_set_count > 0;
    bool has_window = b->saw_window;
    b->saw_agg = saved_agg;
    b->saw_window = saved_win;
    b->windows = saved_windows;
    b->window_count = saved_window_count;

    /* FROM + WHERE -> joined plan. */
    Expr *where = NULL;
    if (fl.qual_count > 0) {
        where = expr_new(b->a, EXPR_AND, sql_type(TYPE_BOOL), -1);
        where->args = fl.quals;
        where->arg_count = fl.qual_count;
    }
    PlanNode *plan;
    int *map;
    AccessRequest *request = NULL;
    if (fl.count == 1 && fl.items[0]->kind == PLAN_SCAN) {
        bool sorts = !is_agg && !has_window && !is_distinct && distinct_on_count == 0;
        request = access_request(b, stmt, scope->width, targets, count, sorts ? sort : NULL,
                                 sorts ? stmt->sort.count : 0, groups, group_count, having,
                                 distinct_on, distinct_on_count);
        if (request == NULL) {
            return nomem(b);
        }
    }
    b->access_request = request;
    rc = plan_from_where(b, scope, fl.items, fl.offsets, fl.count, where, &plan, &map);
    b->access_request = NULL;
    if (rc != STRATA_OK) {
        return rc;
    }
    /* The index gives the ORDER BY: no Sort (access.c). */
    int sort_count = request != NULL && request->order_satisfied ? 0 : stmt->sort.count;
    for (int t = 0; t < count; t++) {
        targets[t].expr = fold_constants(b, expr_remap(b->a, targets[t].expr, map));
    }
    if (having) {
        having = fold_constants(b, expr_remap(b->a, having, map));
    }
    for (int k = 0; k < distinct_on_count; k++) {
        distinct_on[k] = expr_remap(b->a, distinct_on[k], map);
    }
    if (b->err->code != STRATA_OK) {
        return b->err->code;
    }
    if (is_agg) {
        AggRewrite rw = {0};
        rw.scope = scope;
        rw.group_count = group_count;
        /* with grouping sets, the set's index is one more group column */
        rw.set_count = grouping_set_count;
        rw.sets = grouping_sets;
        rw.groups = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(group_count + 1));
        for (int g = 0; g < group_count; g++) {
            rw.groups[g] = fold_constants(b, expr_remap(b->a, groups[g], map));
        }
        for (int t = 0; t < count; t++) {
            if ((rc = rewrite_agg(b, &rw, targets[t].expr, map, &targets[t].expr)) != STRATA_OK) {
                return rc;
            }
        }
        if (having && (rc = rewrite_agg(b, &rw, having, map, &having)) != STRATA_OK) {
            return rc;
        }
        for (int k = 0; k < distinct_on_count; k++) {
            if ((rc = rewrite_agg(b, &rw, distinct_on[k], map, &distinct_on[k])) != STRATA_OK) {
                return rc;
            }
        }
        PlanNode *agg = plan_node_new(b, PLAN_AGG, plan, NULL);
        if (agg == NULL) {
            return nomem(b);
        }
        int set_column = grouping_set_count > 0 ? 1 : 0;
        if (set_column) {
            Expr **with_set = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(group_count + 2));
            if (with_set == NULL) {
                return nomem(b);
            }
            memcpy(with_set, rw.groups, sizeof(Expr *) * (size_t)group_count);
            with_set[group_count] = expr_const(b->a, value_i64(TYPE_INT4, 0), -1);
            rw.groups = with_set;
            agg->grouping_sets = grouping_sets;
            agg->grouping_set_count = grouping_set_count;
        }
        agg->group_exprs = rw.groups;
        agg->group_count = group_count + set_column;
        agg->aggs = rw.aggs;
        agg->agg_count = rw.agg_count;
        agg->is_grouped = group_count > 0 || set_column;
        agg->est_rows = group_count > 0 ? (plan->est_rows > 10 ? plan->est_rows / 10 : plan->est_rows) : 1;
        if (set_column) {
            agg->est_rows = agg->est_rows * grouping_set_count;
        }
        int width = group_count + set_column + rw.agg_count;
        SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(width + 1));
        for (int g = 0; g < group_count + set_column; g++) {
            types[g] = rw.groups[g]->type;
        }
        for (int k = 0; k < rw.agg_count; k++) {
            types[group_count + set_column + k] = rw.aggs[k]->result_type;
        }
        plan_node_set_columns(b, agg, width, types, NULL);
        plan = agg;
        if (having) {
            PlanNode *f = plan_node_new(b, PLAN_FILTER, plan, NULL);
            if (f == NULL) {
                return nomem(b);
            }
            f->qual = having;
            plan_node_set_columns(b, f, plan->column_count, plan->column_types, plan->column_names);
            plan = f;
        }
    }
    if (has_window) {
        WinCollect wc = {0};
        wc.base = plan->column_count;
        for (int t = 0; t < count; t++) {
            targets[t].expr = extract_windows(b, &wc, targets[t].expr);
        }
        PlanNode *w = plan_node_new(b, PLAN_WINDOW, plan, NULL);
        if (w == NULL) {
            return nomem(b);
        }
        w->wins = wc.wins;
        w->win_count = wc.count;
        int width = plan->column_count + wc.count;
        SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(width + 1));
        for (int c = 0; c < plan->column_count; c++) {
            types[c] = plan->column_types[c];
        }
        for (int k = 0; k < wc.count; k++) {
            types[plan->column_count + k] = wc.wins[k]->result_type;
        }
        plan_node_set_columns(b, w, width, types, NULL);
        plan = w;
    }
    Expr **exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count + 1));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(count + 1));
    if (exprs == NULL || names == NULL) {
        return nomem(b);
    }
    for (int t = 0; t < count; t++) {
        exprs[t] = targets[t].expr;
        names[t] = targets[t].name;
    }
    /* Volatile items that are no sort key are computed after the sort: the project
     * below the sort passes its input's columns on (after the items), a NULL stands
     * for each late item, and late_exprs computes them over the sorted rows. */
    Expr **late_exprs = NULL;
    int input_width = plan->column_count;
    if (sort_count > 0 && !is_distinct && distinct_on_count == 0) {
        for (int t = 0; t < visible; t++) {
            bool volatile_call = false, is_key = false;
            for (int s = 0; s < sort_count; s++) {
                is_key |= sort[s].target == t;
            }
            if (is_key || !late_target(exprs[t], &volatile_call) || !volatile_call) {
                continue;
            }
            if (late_exprs == NULL &&
                (late_exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count + 1))) == NULL) {
                return nomem(b);
            }
            late_exprs[t] = exprs[t];
        }
    }
    if (late_exprs != NULL) {
        Expr **early = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count + input_width + 1));
        const char **early_names = arena_zalloc(b->a, sizeof(char *) * (size_t)(count + input_width + 1));
        int *late_map = arena_zalloc(b->a, sizeof(int) * (size_t)(input_width + 1));
        if (early == NULL || early_names == NULL || late_map == NULL) {
            return nomem(b);
        }
        for (int t = 0; t < count; t++) {
            early[t] = late_exprs[t] != NULL
                           ? expr_const(b->a, value_null(exprs[t]->type), exprs[t]->location)
                           : exprs[t];
            early_names[t] = names[t];
        }
        for (int c = 0; c < input_width; c++) {
            early[count + c] = expr_column(b->a, c, plan->column_types[c]);
            early_names[count + c] = "?input?";
            late_map[c] = count + c;
        }
        for (int t = 0; t < count; t++) {
            if (late_exprs[t] != NULL && (late_exprs[t] = expr_remap(b->a, late_exprs[t], late_map)) == NULL) {
                return nomem(b);
            }
        }
        plan = plan_project(b, plan, early, count + input_width, early_names);
    } else {
        plan = plan_project(b, plan, exprs, count, names);
    }
    if (plan == NULL) {
        return nomem(b);
    }
    for (int t = 0; t < count; t++) {
        if (exprs[t]->kind == EXPR_FUNC && exprs[t]->fn != NULL && exprs[t]->fn->set_fn != NULL) {
            plan->kind = PLAN_PROJECT_SET;
            plan->est_rows *= 10;
        }
    }
    if (distinct_on_count > 0) {
        /* DISTINCT ON: sort by the ON keys (then ORDER BY), keep the first row per key. */
        Expr **dexprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count + distinct_on_count + 1));
        const char **dnames = arena_zalloc(b->a, sizeof(char *) * (size_t)(count + distinct_on_count + 1));
        PlanNode *child = plan->left;
        for (int t = 0; t < count; t++) {
            dexprs[t] = exprs[t];
            dnames[t] = names[t];
        }
        for (int k = 0; k < distinct_on_count; k++) {
            dexprs[count + k] = distinct_on[k];
            dnames[count + k] = "?distinct?";
        }
        plan = plan_project(b, child, dexprs, count + distinct_on_count, dnames);
        SortItem *items = NULL;
        int nsort = 0;
        if ((rc = distinct_on_sort(b, stmt, exprs, count, distinct_on, distinct_on_count, sort,
                                   &items, &nsort)) != STRATA_OK) {
            return rc;
        }
        if ((rc = make_sort(b, &plan, items, nsort)) != STRATA_OK) {
            return rc;
        }
        PlanNode *d = plan_node_new(b, PLAN_DISTINCT, plan, NULL);
        d->distinct_on = arena_zalloc(b->a, sizeof(Expr *) * (size_t)distinct_on_count);
        for (int k = 0; k < distinct_on_count; k++) {
            d->distinct_on[k] = expr_column(b->a, count + k, distinct_on[k]->type);
        }
        d->distinct_count = distinct_on_count;
        plan_node_set_columns(b, d, plan->column_count, plan->column_types, plan->column_names);
        plan = d;
        if ((rc = bind_limit(b, stmt, sort, stmt->sort.count, &plan)) != STRATA_OK) {
            return rc;
        }
        Expr **final = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(visible + 1));
        for (int t = 0; t < visible; t++) {
            final[t] = expr_column(b->a, t, plan->column_types[t]);
        }
        *out = plan_project(b, plan, final, visible, names);
        return *out ? STRATA_OK : nomem(b);
    }
    if (is_distinct) {
        PlanNode *d = plan_node_new(b, PLAN_DISTINCT, plan, NULL);
        if (d == NULL) {
            return nomem(b);
        }
        d->distinct_count = visible;
        plan_node_set_columns(b, d, plan->column_count, plan->column_types, plan->column_names);
        plan = d;
    }
    if ((rc = make_sort(b, &plan, sort, sort_count)) != STRATA_OK) {
        return rc;
    }
    if ((rc = bind_limit(b, stmt, sort, stmt->sort.count, &plan)) != STRATA_OK) {
        return rc;
    }
    if (late_exprs != NULL) {
        Expr **after = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(count + 1));
        if (after == NULL) {
            return nomem(b);
        }
        for (int t = 0; t < count; t++) {
            after[t] = late_exprs[t] != NULL ? late_exprs[t] : expr_column(b->a, t, plan->column_types[t]);
        }
        if ((plan = plan_project(b, plan, after, count, names)) == NULL) {
            return nomem(b);
        }
    }
    if (count > visible) {
        Expr **final = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(visible + 1));
        for (int t = 0; t < visible; t++) {
            final[t] = expr_column(b->a, t, plan->column_types[t]);
        }
        plan = plan_project(b, plan, final, visible, names);
    }
    *out = plan;
    return plan ? STRATA_OK : nomem(b);
}

/* ---- VALUES ------------------------------------------------------------------------- */

static int bind_values(Binder *b, const SelectStmt *stmt, Scope *outer, Frame *frame, PlanNode **out)
{
    int nrows = stmt->values_lists.count;
    int ncols = ((const RowExpr *)stmt->values_lists.items[0])->args.count;
    Scope *scope = scope_new(b, outer, frame);
    PlanNode *n = plan_node_new(b, PLAN_VALUES, NULL, NULL);
    if (n == NULL || scope == NULL || (n->rows = arena_zalloc(b->a, sizeof(Expr **) * (size_t)nrows)) == NULL) {
        return nomem(b);
    }
    b->allow = BIND_ALLOW_SUBQUERY;
    for (int r = 0; r < nrows; r++) {
        const RowExpr *row = (const RowExpr *)stmt->values_lists.items[r];
        if (row->args.count != ncols) {
            /* PostgreSQL points at the list's first value */
            return FAIL_AT(row->args.count > 0 ? row->args.items[0]->location : row->location,
                           SQLSTATE_SYNTAX_ERROR, "VALUES lists must all be the same length");
        }
        n->rows[r] = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(ncols + 1));
        for (int c = 0; c < ncols; c++) {
            int rc = bind_expr(b, scope, row->args.items[c], &n->rows[r][c]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(ncols + 1));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(ncols + 1));
    Expr **column = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(nrows + 1));
    for (int c = 0; c < ncols; c++) {
        for (int r = 0; r < nrows; r++) {
            column[r] = n->rows[r][c];
        }
        int rc = coerce_to_common(b, column, nrows, "VALUES", &types[c]);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (types[c].id == TYPE_UNKNOWN) {
            types[c] = sql_type(TYPE_TEXT);
        }
        for (int r = 0; r < nrows; r++) {
            if ((rc = coerce_expr(b, column[r], types[c], CAST_IMPLICIT, NULL, &n->rows[r][c])) != STRATA_OK) {
                return rc;
            }
            n->rows[r][c] = fold_constants(b, n->rows[r][c]);
        }
        names[c] = arena_sprintf(b->a, "column%d", c + 1);
    }
    n->row_count = nrows;
    n->est_rows = nrows;
    plan_node_set_columns(b, n, ncols, types, names);
    *out = n;
    return b->err->code;
}

/* ---- set operations and the query as a whole ------------------------------------------ */

static int bind_setop(Binder *b, const SelectStmt *stmt, Scope *outer, Frame *frame, PlanNode **out)
{
    PlanNode *l, *r;
    b->setop_branch = stmt->left->op == SETOP_NONE;
    int rc = bind_select(b, stmt->left, outer, frame, &l);
    b->setop_branch = rc == STRATA_OK && stmt->right->op == SETOP_NONE;
    if (rc == STRATA_OK) {
        rc = bind_select(b, stmt->right, outer, frame, &r);
    }
    b->setop_branch = false;
    if (rc != STRATA_OK) {
        return rc;
    }
    const char *word = stmt->op == SETOP_UNION ? "UNION" : stmt->op == SETOP_INTERSECT ? "INTERSECT" : "EXCEPT";
    if (l->column_count != r->column_count) {
        return FAIL_AT(stmt->location, SQLSTATE_SYNTAX_ERROR, "each %s query must have the same number of columns", word);
    }
    int n = l->column_count;
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(n + 1));
    Expr **lc = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(n + 1));
    Expr **rcx = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(n + 1));
    bool lneed = false, rneed = false;
    for (int c = 0; c < n; c++) {
        Expr *pair[2] = {expr_column(b->a, c, l->column_types[c]), expr_column(b->a, c, r->column_types[c])};
        Expr *orig[2] = {pair[0], pair[1]};
        if ((rc = coerce_to_common(b, pair, 2, word, &types[c])) != STRATA_OK) {
            return rc;
        }
        if (types[c].id == TYPE_UNKNOWN) {
            types[c] = sql_type(TYPE_TEXT);
            coerce_expr(b, pair[0], types[c], CAST_IMPLICIT, NULL, &pair[0]);
            coerce_expr(b, pair[1], types[c], CAST_IMPLICIT, NULL, &pair[1]);
        }
        lc[c] = pair[0];
        rcx[c] = pair[1];
        lneed |= pair[0] != orig[0];
        rneed |= pair[1] != orig[1];
    }
    if (lneed) {
        l = plan_project(b, l, lc, n, l->column_names);
    }
    if (rneed) {
        r = plan_project(b, r, rcx, n, l->column_names);
    }
    PlanNode *s = plan_node_new(b, PLAN_SETOP, l, r);
    if (s == NULL) {
        return nomem(b);
    }
    s->setop = stmt->op;
    s->set_all = stmt->set_all;
    s->est_rows = l->est_rows + r->est_rows;
    plan_node_set_columns(b, s, n, types, l->column_names);
    *out = s;
    return STRATA_OK;
}

int bind_select(Binder *b, const SelectStmt *stmt, Scope *outer, Frame *frame, PlanNode **out)
{
    if (++b->depth > LIMIT_EXPRESSION_DEPTH / 4) {
        b->depth--;
        return FAIL_AT(stmt->location, SQLSTATE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
    }
    CteDef *saved_ctes = b->ctes;
    int saved_allow = b->allow;
    const char *saved_clause = b->clause;
    int rc = STRATA_OK;
    if (stmt->with != NULL) {
        rc = bind_with(b, stmt->with, outer, frame);
    }
    if (rc == STRATA_OK) {
        if (stmt->op != SETOP_NONE) {
            rc = bind_setop(b, stmt, outer, frame, out);
            if (rc == STRATA_OK && (stmt->sort.count > 0 || stmt->limit_kind != LIMIT_NONE || stmt->limit_offset)) {
                PlanNode *plan = *out;
                Scope *scope = scope_new(b, outer, frame);
                Target *targets = arena_zalloc(b->a, sizeof(Target) * (size_t)(plan->column_count + 1));
                int count = plan->column_count, capacity = plan->column_count;
                RangeEntry *e = scope_add(b, scope, NULL, plan->column_count, plan->column_names, plan->column_types);
                (void)e;
                for (int c = 0; c < count; c++) {
                    targets[c].expr = expr_column(b->a, c, plan->column_types[c]);
                    targets[c].name = plan->column_names[c];
                }
                SortItem *sort;
                rc = bind_order_by(b, scope, &stmt->sort, &targets, &count, &capacity, plan->column_count, true, &sort);
                if (rc == STRATA_OK) {
                    rc = make_sort(b, &plan, sort, stmt->sort.count);
                }
                if (rc == STRATA_OK) {
                    rc = bind_limit(b, stmt, sort, stmt->sort.count, &plan);
                }
                *out = plan;
            }
        } else if (stmt->values_lists.count > 0) {
            rc = bind_values(b, stmt, outer, frame, out);
            if (rc == STRATA_OK && (stmt->sort.count > 0 || stmt->limit_kind != LIMIT_NONE || stmt->limit_offset)) {
                PlanNode *plan = *out;
                Scope *scope = scope_new(b, outer, frame);
                scope_add(b, scope, NULL, plan->column_count, plan->column_names, plan->column_types);
                Target *targets = arena_zalloc(b->a, sizeof(Target) * (size_t)(plan->column_count + 1));
                int count = plan->column_count, capacity = plan->column_count;
                for (int c = 0; c < count; c++) {
                    targets[c].expr = expr_column(b->a, c, plan->column_types[c]);
                    targets[c].name = plan->column_names[c];
                }
                SortItem *sort;
                rc = bind_order_by(b, scope, &stmt->sort, &targets, &count, &capacity, plan->column_count, true, &sort);
                if (rc == STRATA_OK) {
                    rc = make_sort(b, &plan, sort, stmt->sort.count);
                }
                if (rc == STRATA_OK) {
                    rc = bind_limit(b, stmt, sort, stmt->sort.count, &plan);
                }
                *out = plan;
            }
        } else {
            rc = bind_simple_select(b, stmt, outer, frame, out);
        }
    }
    b->ctes = saved_ctes;
    b->allow = saved_allow;
    b->clause = saved_clause;
    b->depth--;
    if (rc == STRATA_OK && b->err->code != STRATA_OK) {
        rc = b->err->code;
    }
    return rc;
}
