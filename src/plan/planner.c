/*
 * plan/planner.c - the planner's entry points: plan_statement (dispatch by
 * statement kind, EXPLAIN wrapping, PlanInfo), plan_info and
 * expr_bind_for_table.
 *
 * See src/plan/README.md.
 */
#include <string.h>

#include "plan/bind_int.h"
#include "plan/explain_doc.h"
#include "sql/parser.h"
#include "types/cast.h"
#include "types/typeinfo.h"

static void binder_init(Binder *b, QueryEnv *env, Plan *plan, Error *err)
{
    memset(b, 0, sizeof(*b));
    b->env = env;
    b->a = env->plan_arena;
    b->err = err;
    b->plan = plan;
    b->priv_role = env->role_id;
    b->priv_all = env->role_id == 0 || env->is_superuser;
}

/* PREPARE's declared parameter types become $1..$n before anything is bound. */
static int declare_params(Binder *b, Plan *plan)
{
    int n = b->env->declared_param_count;
    if (n <= 0) {
        return STRATA_OK;
    }
    plan->param_types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)n);
    if (plan->param_types == NULL) {
        return arena_error(b->a, b->err);
    }
    for (int k = 0; k < n; k++) {
        plan->param_types[k] = b->env->declared_params[k];
        if (plan->param_types[k].id != TYPE_ENUM && plan->param_types[k].id != TYPE_ENUM_ARRAY) {
            plan->param_types[k].typmod = -1;
        }
    }
    plan->param_count = n;
    b->param_capacity = n;
    return STRATA_OK;
}

static int finish_info(Binder *b, Plan *plan, const char *command, bool read_only)
{
    PlanNode *root = plan->root;
    bool runs = root->kind != PLAN_EXPLAIN || root->explain_analyze;
    for (int k = 0; runs && k < plan->cte_count; k++) {
        read_only = read_only && !plan->ctes[k].is_modifying;
    }
    plan->info.column_count = root->column_count;
    plan->info.column_names = root->column_names;
    plan->info.column_types = root->column_types;
    for (int k = 0; k < plan->param_count; k++) {
        if (plan->param_types[k].id == TYPE_UNKNOWN) {
            plan->param_types[k] = sql_type(TYPE_TEXT);
        }
    }
    plan->info.param_count = plan->param_count;
    plan->info.param_types = plan->param_types;
    plan->info.is_read_only = read_only;
    plan->info.command = command;
    plan->info.catalog_version = b->env->catalog ? catalog_version(b->env->catalog) : 0;
    plan->node_count = b->node_count;
    return STRATA_OK;
}

/* A boolean EXPLAIN option: on when bare, off for false / off / no / 0, as PostgreSQL. */
static bool explain_option_on(const DefElem *d)
{
    if (d->word != NULL) {
        return strcasecmp(d->word, "false") != 0 && strcasecmp(d->word, "off") != 0 &&
               strcasecmp(d->word, "no") != 0;
    }
    if (d->arg != NULL && d->arg->tag == N_CONST) {
        const Const *c = (const Const *)d->arg;
        return !(c->kind == CONST_INTEGER && c->text != NULL && strcmp(c->text, "0") == 0);
    }
    return true;
}

static int plan_inner(Binder *b, const Stmt *stmt, const char **command, bool *read_only)
{
    Plan *plan = b->plan;
    Frame *top = arena_zalloc(b->a, sizeof(Frame));
    if (top == NULL) {
        return arena_error(b->a, b->err);
    }
    *read_only = true;
    switch (stmt->tag) {
    case N_SELECT_STMT: {
        const SelectStmt *s = (const SelectStmt *)stmt;
        for (int k = 0; k < s->locking.count; k++) {
            /* FOR UPDATE / SHARE: one writer at a time makes row locks moot. */
        }
        *command = "SELECT";
        return bind_select(b, s, NULL, top, &plan->root);
    }
    case N_INSERT_STMT:
        *command = "INSERT";
        *read_only = false;
        return bind_insert(b, (const InsertStmt *)stmt, &plan->root);
    case N_UPDATE_STMT:
        *command = "UPDATE";
        *read_only = false;
        return bind_update(b, (const UpdateStmt *)stmt, &plan->root);
    case N_DELETE_STMT:
        *command = "DELETE";
        *read_only = false;
        return bind_delete(b, (const DeleteStmt *)stmt, &plan->root);
    default:
        error_set(b->err, SQLSTATE_FEATURE_NOT_SUPPORTED, "statement %s cannot be planned",
                  ast_tag_name(stmt->tag));
        return bind_error_pos(b, stmt->location);
    }
}

int plan_statement(QueryEnv *env, const Stmt *stmt, Plan **out, Error *err)
{
    Plan *plan = arena_zalloc(env->plan_arena, sizeof(Plan));
    if (plan == NULL) {
        return arena_error(env->plan_arena, err);
    }
    Binder b;
    binder_init(&b, env, plan, err);
    const char *command = "SELECT";
    bool read_only = true;
    int rc = declare_params(&b, plan);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (stmt->tag == N_EXPLAIN_STMT) {
        const ExplainStmt *ex = (const ExplainStmt *)stmt;
        bool analyze = false, costs = true;
        bool timing = false, timing_set = false, summary = false;
        ExplainFormat format = EXPLAIN_FORMAT_TEXT;
        for (int k = 0; k < ex->options.count; k++) {
            const DefElem *d = (const DefElem *)ex->options.items[k];
            bool on = explain_option_on(d);
            if (strcmp(d->name, "analyze") == 0) {
                analyze = on;
            } else if (strcmp(d->name, "costs") == 0) {
                costs = on;
            } else if (strcmp(d->name, "timing") == 0) {
                timing = on;
                timing_set = true;
            } else if (strcmp(d->name, "summary") == 0) {
                summary = on;
            } else if (strcmp(d->name, "format") == 0) {
                const char *f = d->word;
                if (f == NULL && d->arg != NULL && d->arg->tag == N_CONST) {
                    f = ((const Const *)d->arg)->text;
                }
                if (f == NULL || (strcasecmp(f, "text") != 0 && strcasecmp(f, "json") != 0 &&
                                  strcasecmp(f, "xml") != 0 && strcasecmp(f, "yaml") != 0)) {
                    error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "unrecognized value for EXPLAIN option \"format\": \"%s\"",
                              f != NULL ? f : "");
                    return error_position(err, d->location + 1);
                }
                format = strcasecmp(f, "json") == 0   ? EXPLAIN_FORMAT_JSON
                         : strcasecmp(f, "yaml") == 0 ? EXPLAIN_FORMAT_YAML
                         : strcasecmp(f, "xml") == 0  ? EXPLAIN_FORMAT_XML
                                                      : EXPLAIN_FORMAT_TEXT;
            } else if (strcmp(d->name, "verbose") != 0 && strcmp(d->name, "buffers") != 0 &&
                       strcmp(d->name, "settings") != 0 && strcmp(d->name, "wal") != 0) {
                error_set(err, SQLSTATE_SYNTAX_ERROR, "unrecognized EXPLAIN option \"%s\"",
                          d->name);
                return error_position(err, d->location + 1);
            }
        }
        if (timing_set && timing && !analyze) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "EXPLAIN option TIMING requires ANALYZE");
        }
        const char *inner_command;
        rc = plan_inner(&b, ex->query, &inner_command, &read_only);
        if (rc != STRATA_OK) {
            return rc;
        }
        PlanNode *e = plan_node_new(&b, PLAN_EXPLAIN, NULL, NULL);
        if (e == NULL) {
            return arena_error(env->plan_arena, err);
        }
        e->explained = plan->root;
        e->explain_analyze = analyze;
        e->explain_no_costs = !costs;
        /* strata prints times only when asked (TIMING / SUMMARY on), so that plans
         * in tests are deterministic; PostgreSQL prints them by default */
        e->explain_timing = analyze && timing;
        e->explain_summary = analyze && (summary || timing);
        /* PostgreSQL's column is json for JSON, xml for XML (strata has no xml type:
         * text) and text otherwise. */
        e->explain_json = format == EXPLAIN_FORMAT_JSON;
        e->explain_format = (uint8_t)format;
        SqlType t = sql_type(e->explain_json ? TYPE_JSON : TYPE_TEXT);
        const char *name = "QUERY PLAN";
        plan_node_set_columns(&b, e, 1, &t, &name);
        plan->root = e;
        command = "EXPLAIN";
        if (!analyze) {
            read_only = true;
        }
    } else {
        rc = plan_inner(&b, stmt, &command, &read_only);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (err->code != STRATA_OK) {
        return err->code;
    }
    if (arena_failed(env->plan_arena)) {
        return arena_error(env->plan_arena, err);
    }
    finish_info(&b, plan, command, read_only);
    *out = plan;
    return STRATA_OK;
}

const PlanInfo *plan_info(const Plan *plan)
{
    return &plan->info;
}

int expr_bind_domain_check(QueryEnv *env, const CatTable *table, int column, SqlType base,
                           const char *sql, BoundExpr **out, Error *err)
{
    Plan *plan = arena_zalloc(env->plan_arena, sizeof(Plan));
    if (plan == NULL) {
        return arena_error(env->plan_arena, err);
    }
    Binder b;
    binder_init(&b, env, plan, err);
    b.domain_base = base;
    Expr *bound;
    int rc = bind_domain_check_sql(&b, table, column, sql, &bound);
    if (rc == STRATA_OK) {
        *out = (BoundExpr *)bound;
    }
    return rc;
}

int expr_bind_for_table(QueryEnv *env, const CatTable *table, const Node *expr, BoundExpr **out,
                        SqlType *type, Error *err)
{
    Plan *plan = arena_zalloc(env->plan_arena, sizeof(Plan));
    if (plan == NULL) {
        return arena_error(env->plan_arena, err);
    }
    Binder b;
    binder_init(&b, env, plan, err);
    Frame *frame = arena_zalloc(b.a, sizeof(Frame));
    Scope *scope = scope_new(&b, NULL, frame);
    const char **names = arena_zalloc(b.a, sizeof(char *) * (size_t)(table->column_count + 1));
    SqlType *types = arena_zalloc(b.a, sizeof(SqlType) * (size_t)(table->column_count + 1));
    if (frame == NULL || scope == NULL || names == NULL || types == NULL) {
        return arena_error(b.a, err);
    }
    for (int c = 0; c < table->column_count; c++) {
        names[c] = table->columns[c].name;
        types[c] = table->columns[c].type;
    }
    RangeEntry *e = scope_add(&b, scope, table->name, table->column_count, names, types);
    if (e == NULL) {
        return arena_error(b.a, err);
    }
    e->table = table;
    e->schema = table->schema;
    b.allow = 0;
    b.clause = "check constraints";
    Expr *bound;
    int rc = bind_expr(&b, scope, expr, &bound);
    if (rc == STRATA_OK) {
        rc = finalize_unknown(&b, &bound);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (plan->param_count > 0) {
        return error_set(err, SQLSTATE_UNDEFINED_PARAMETER, "there is no parameter $1");
    }
    bound = fold_constants(&b, bound);
    if (err->code != STRATA_OK) {
        return err->code;
    }
    *out = (BoundExpr *)bound;
    if (type != NULL) {
        *type = bound->type;
    }
    return STRATA_OK;
}

/* Binds a stored expression; with assign_to set, coerces it to that type by assignment
 * before untyped literals are resolved, so a default '{}' of a jsonb column is read as
 * jsonb (as PostgreSQL does), not as text. */
int bind_table_expr_sql_as(Binder *b, const CatTable *table, const char *sql,
                           const SqlType *assign_to, SqlType *type, Expr **out)
{
    Node *node;
    if (sql_parse_expr(sql, strlen(sql), b->a, &node, b->err) != STRATA_OK) {
        return b->err->code;
    }
    const char *saved = b->env->sql;
    b->env->sql = NULL;
    Frame *frame = arena_zalloc(b->a, sizeof(Frame));
    Scope *scope = scope_new(b, NULL, frame);
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(table->column_count + 1));
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(table->column_count + 1));
    if (frame == NULL || scope == NULL || names == NULL || types == NULL) {
        b->env->sql = saved;
        return arena_error(b->a, b->err);
    }
    for (int c = 0; c < table->column_count; c++) {
        names[c] = table->columns[c].name;
        types[c] = table->columns[c].type;
    }
    RangeEntry *e = scope_add(b, scope, table->name, table->column_count, names, types);
    int saved_allow = b->allow;
    b->allow = 0;
    int rc = e ? bind_expr(b, scope, node, out) : arena_error(b->a, b->err);
    b->allow = saved_allow;
    if (rc == STRATA_OK && assign_to != NULL) {
        rc = coerce_expr(b, *out, *assign_to, CAST_ASSIGNMENT, NULL, out);
    }
    if (rc == STRATA_OK) {
        rc = finalize_unknown(b, out);
    }
    b->env->sql = saved;
    if (rc == STRATA_OK && type) {
        *type = (*out)->type;
    }
    return rc;
}

int bind_table_expr_sql(Binder *b, const CatTable *table, const char *sql, SqlType *type, Expr **out)
{
    return bind_table_expr_sql_as(b, table, sql, NULL, type, out);
}
