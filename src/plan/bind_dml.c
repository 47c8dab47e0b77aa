/*
 * plan/bind_dml.c - binding of INSERT, UPDATE and DELETE into PLAN_MODIFY
 * nodes: target columns, DEFAULT values from the catalog's SQL text,
 * assignment casts, CHECK constraints, index key expressions and partial
 * predicates, ON CONFLICT and RETURNING.
 *
 * Child row layouts (what PLAN_MODIFY reads):
 *   INSERT: the new row, every table column in table order;
 *   UPDATE: old row (n columns), row id, new row (n columns);
 *   DELETE: old row (n columns), row id.
 *
 * See src/plan/README.md.
 */
#include <string.h>

#include "plan/bind_int.h"
#include "types/cast.h"
#include "types/typeinfo.h"

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

static int nomem(Binder *b) { return arena_error(b->a, b->err); }

#define ROW_ID_NAME "\001rowid"

/* CAT_PRIV_SELECT when the role lacks SELECT on the target t: each of its columns the
 * statement reads is then checked (bind_check_entry_column), so one that reads none
 * (UPDATE t SET a = 1) needs no SELECT, as in PostgreSQL. */
static uint32_t target_select_check(Binder *b, const CatTable *t)
{
    if (b->priv_all || catalog_table_allows(b->env->catalog, t, b->priv_role, CAT_PRIV_SELECT)) {
        return 0;
    }
    return CAT_PRIV_SELECT;
}

static int find_target_table(Binder *b, const RangeVar *rv, const CatTable **out)
{
    const CatTable *t = catalog_find_table(b->env->catalog, rv->schema, rv->name);
    if (t == NULL) {
        return FAIL_AT(rv->location, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", rv->name);
    }
    if (t->kind != CAT_TABLE || cat_is_matview(t)) {
        return FAIL_AT(rv->location, SQLSTATE_WRONG_OBJECT_TYPE, "cannot change %s \"%s\"",
                       t->kind == CAT_VIEW ? "view" : t->kind == CAT_TABLE ? "materialized view" : "system view",
                       t->name);
    }
    *out = t;
    return bind_check_schema_usage(b, t, rv);
}

static int column_default(Binder *b, const CatTable *t, int col, Expr **out)
{
    const CatColumn *c = &t->columns[col];
    if (c->default_sql == NULL) {
        *out = expr_const(b->a, value_null(c->type), -1);
        return *out ? STRATA_OK : nomem(b);
    }
    /* an identity column takes its value without privileges on its sequence, a serial
     * one needs USAGE (PostgreSQL) */
    bool saved = b->no_sequence_check;
    b->no_sequence_check = saved || c->identity == CAT_IDENTITY_ALWAYS ||
                           c->identity == CAT_IDENTITY_BY_DEFAULT;
    int rc = bind_table_expr_sql_as(b, t, c->default_sql, &c->type, NULL, out);
    b->no_sequence_check = saved;
    if (rc == STRATA_OK) {
        *out = fold_constants(b, *out);
    }
    return rc;
}

/* column_default for an INSERT filling every column: the default of a column the
 * statement gives a value is used only by rows that say DEFAULT, so its sequence is
 * checked there (bind_insert_values), not here. */
static int insert_default(Binder *b, const CatTable *t, int col, const int *cols, int ncols,
                          Expr **out)
{
    bool saved = b->no_sequence_check;
    for (int k = 0; k < ncols; k++) {
        if (cols[k] == col) {
            b->no_sequence_check = true;
        }
    }
    int rc = column_default(b, t, col, out);
    b->no_sequence_check = saved;
    return rc;
}

static int assign_coerce(Binder *b, const CatTable *t, int col, Expr *e, Expr **out)
{
    char what[160];
    snprintf(what, sizeof(what), "column \"%s\"", t->columns[col].name);
    return coerce_expr(b, e, t->columns[col].type, CAST_ASSIGNMENT, what, out);
}

static Scope *table_scope(Binder *b, const CatTable *t, const char *alias, bool with_row_id)
{
    Frame *frame = arena_zalloc(b->a, sizeof(Frame));
    Scope *scope = scope_new(b, NULL, frame);
    int n = t->column_count + (with_row_id ? 1 : 0);
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(n + 1));
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(n + 1));
    if (frame == NULL || scope == NULL || names == NULL || types == NULL) {
        return NULL;
    }
    for (int c = 0; c < t->column_count; c++) {
        names[c] = t->columns[c].name;
        types[c] = t->columns[c].type;
    }
    if (with_row_id) {
        names[t->column_count] = ROW_ID_NAME;
        types[t->column_count] = sql_type(TYPE_BYTEA);
    }
    RangeEntry *e = scope_add(b, scope, alias, n, names, types);
    if (e == NULL) {
        return NULL;
    }
    e->table = t;
    e->schema = t->schema;
    return scope;
}

/* The NOT NULL and CHECK constraints of the domains of t's columns, after
 * t's own checks (m's arrays have room: see bind_constraints). */
static int bind_domain_constraints(Binder *b, const CatTable *t, ModifyPlan *m)
{
    for (int col = 0; col < t->column_count; col++) {
        const CatType *d = t->columns[col].domain_id != 0
                               ? catalog_type_by_id(b->env->catalog, t->columns[col].domain_id)
                               : NULL;
        for (int k = d != NULL && !d->not_null; d != NULL && k <= d->check_count; k++) {
            Expr *e;
            int rc = bind_domain_check_sql(b, t, col, k == 0 ? "value IS NOT NULL"
                                                             : d->check_sql[k - 1], &e);
            if (rc != STRATA_OK) {
                return rc;
            }
            m->checks[m->check_count] = e;
            m->check_domains[m->check_count] = d->name;
            m->check_not_null[m->check_count] = k == 0;
            m->check_names[m->check_count++] = k == 0 ? "" : d->check_names[k - 1];
        }
    }
    return STRATA_OK;
}

static int bind_constraints(Binder *b, const CatTable *t, ModifyPlan *m)
{
    int room = t->constraint_count + 1;
    for (int col = 0; col < t->column_count; col++) {
        const CatType *d = t->columns[col].domain_id != 0
                               ? catalog_type_by_id(b->env->catalog, t->columns[col].domain_id)
                               : NULL;
        room += d != NULL ? d->check_count + 1 : 0;
    }
    m->checks = arena_zalloc(b->a, sizeof(Expr *) * (size_t)room);
    m->check_names = arena_zalloc(b->a, sizeof(char *) * (size_t)room);
    m->check_domains = arena_zalloc(b->a, sizeof(char *) * (size_t)room);
    m->check_not_null = arena_zalloc(b->a, sizeof(bool) * (size_t)room);
    if (m->checks == NULL || m->check_names == NULL || m->check_domains == NULL ||
        m->check_not_null == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < t->constraint_count; k++) {
        const CatConstraint *c = &t->constraints[k];
        if (c->kind != CAT_CONSTRAINT_CHECK || c->check_sql == NULL) {
            continue;
        }
        Expr *e;
        int rc = bind_table_expr_sql(b, t, c->check_sql, NULL, &e);
        if (rc != STRATA_OK) {
            return rc;
        }
        m->checks[m->check_count] = e;
        m->check_names[m->check_count++] = c->name;
    }
    int domain_rc = bind_domain_constraints(b, t, m);
    if (domain_rc != STRATA_OK) {
        return domain_rc;
    }
    m->index_key_exprs = arena_zalloc(b->a, sizeof(Expr **) * (size_t)(t->index_count + 1));
    m->index_predicates = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(t->index_count + 1));
    if (m->index_key_exprs == NULL || m->index_predicates == NULL) {
        return nomem(b);
    }
    for (int i = 0; i < t->index_count; i++) {
        const CatIndex *ix = t->indexes[i];
        if (ix->primary) {
            continue;
        }
        m->index_key_exprs[i] = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(ix->key_count + 1));
        if (m->index_key_exprs[i] == NULL) {
            return nomem(b);
        }
        for (int k = 0; k < ix->key_count; k++) {
            if (ix->key_columns[k] >= 0 || ix->key_sql == NULL || ix->key_sql[k] == NULL) {
                continue;
            }
            int rc = bind_table_expr_sql(b, t, ix->key_sql[k], NULL, &m->index_key_exprs[i][k]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        if (ix->predicate_sql != NULL) {
            int rc = bind_table_expr_sql(b, t, ix->predicate_sql, NULL, &m->index_predicates[i]);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    return STRATA_OK;
}

static int bind_returning(Binder *b, Scope *scope, const NodeList *returning, ModifyPlan *m,
                          PlanNode *node, int from_first)
{
    int n = 0;
    Expr **exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(returning->count * 64 + 1));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(returning->count * 64 + 1));
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(returning->count * 64 + 1));
    if (exprs == NULL || names == NULL || types == NULL) {
        return nomem(b);
    }
    b->allow = BIND_ALLOW_SUBQUERY;
    b->clause = "RETURNING";
    for (int k = 0; k < returning->count; k++) {
        const ResTarget *rt = (const ResTarget *)returning->items[k];
        if (rt->val->tag == N_COLUMN_REF && ((const ColumnRef *)rt->val)->is_star) {
            /* the target's columns, then those of the FROM / USING items; t.* only t's */
            const ColumnRef *cr = (const ColumnRef *)rt->val;
            const char *qual = cr->fields.count > 0 ? cr->fields.items[cr->fields.count - 1] : NULL;
            bool found = qual == NULL;
            for (int x = 0; x < scope->entry_count; x++) {
                RangeEntry *e = scope->entries[x];
                if ((x > 0 && (from_first == 0 || x < from_first)) ||
                    (qual != NULL && (e->alias == NULL || strcmp(e->alias, qual) != 0))) {
                    continue;
                }
                found = true;
                int width = x == 0 ? m->table->column_count : e->column_count;
                for (int c = 0; c < width && n < returning->count * 64; c++) {
                    if (e->is_dropped != NULL && e->is_dropped[c]) {
                        continue;
                    }
                    int rc = x == 0 ? bind_check_entry_column(b, e, c) : STRATA_OK;
                    if (rc != STRATA_OK) {
                        return rc;
                    }
                    exprs[n] = expr_column(b->a, e->offset + c, e->types[c]);
                    names[n++] = e->names[c];
                }
            }
            if (!found) {
                return FAIL_AT(rt->val->location, SQLSTATE_UNDEFINED_TABLE,
                               "missing FROM-clause entry for table \"%s\"", qual);
            }
            continue;
        }
        int rc = bind_expr(b, scope, rt->val, &exprs[n]);
        if (rc == STRATA_OK) {
            rc = finalize_unknown(b, &exprs[n]);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        int strength;
        names[n++] = rt->name ? rt->name : figure_colname(rt->val, &strength);
    }
    for (int k = 0; k < n; k++) {
        types[k] = exprs[k]->type;
    }
    m->returning = exprs;
    m->returning_count = n;
    plan_node_set_columns(b, node, n, types, names);
    return STRATA_OK;
}

static int target_columns(Binder *b, const CatTable *t, const NodeList *cols, int **out, int *count)
{
    int n = cols->count ? cols->count : t->column_count;
    int *idx = arena_zalloc(b->a, sizeof(int) * (size_t)(n + 1));
    bool *seen = arena_zalloc(b->a, (size_t)t->column_count + 1);
    if (idx == NULL || seen == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < n; k++) {
        if (cols->count == 0) {
            idx[k] = k;
            continue;
        }
        const ResTarget *rt = (const ResTarget *)cols->items[k];
        int c = cat_table_column_index(t, rt->name);
        if (c < 0) {
            return FAIL_AT(rt->location, SQLSTATE_UNDEFINED_COLUMN,
                           "column \"%s\" of relation \"%s\" does not exist", rt->name, t->name);
        }
        if (seen[c]) {
            return FAIL_AT(rt->location, SQLSTATE_DUPLICATE_COLUMN,
                           "column \"%s\" specified more than once", rt->name);
        }
        seen[c] = true;
        idx[k] = c;
    }
    *out = idx;
    *count = n;
    return STRATA_OK;
}

/* The source of each column of one SET clause: for `col = x` and `(a, b) = (x, y)` or
 * ROW(x, y) the items (DEFAULT among them) in nodes; for `(a, b) = (SELECT ...)` the
 * sub-SELECT, bound once, as one Expr per column in subs (NULL otherwise). Other
 * sources and count mismatches get PostgreSQL's errors. A column set twice in one
 * statement is 42601 (assigned: one flag per table column). */
static int set_clause_sources(Binder *b, Scope *scope, const CatTable *t, const SetClause *sc,
                              bool *assigned, const Node **nodes, Expr **subs)
{
    int n = sc->columns.count;
    for (int j = 0; j < n; j++) {
        int col = cat_table_column_index(t, sc->columns.items[j]);
        if (col < 0) {
            return FAIL_AT(sc->location, SQLSTATE_UNDEFINED_COLUMN,
                           "column \"%s\" of relation \"%s\" does not exist", sc->columns.items[j], t->name);
        }
        if (assigned[col]) {
            return FAIL_AT(sc->location, SQLSTATE_SYNTAX_ERROR, "multiple assignments to same column \"%s\"",
                           sc->columns.items[j]);
        }
        assigned[col] = true;
        nodes[j] = sc->value;
        subs[j] = NULL;
    }
    if (!sc->is_multi) {
        return STRATA_OK;
    }
    const Node *value = sc->value;
    if (value->tag == N_ROW) {
        const RowExpr *row = (const RowExpr *)value;
        if (row->args.count != n) {
            return FAIL_AT(value->location, SQLSTATE_SYNTAX_ERROR, "number of columns does not match number of values");
        }
        for (int j = 0; j < n; j++) {
            nodes[j] = row->args.items[j];
        }
        return STRATA_OK;
    }
    if (value->tag == N_SUBLINK && ((const SubLink *)value)->kind == SUBLINK_EXPR) {
        return bind_multi_sublink(b, scope, (const SubLink *)value, n, subs);
    }
    return FAIL_AT(value->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                   "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression");
}

static int bind_on_conflict(Binder *b, const InsertStmt *stmt, const CatTable *t, ModifyPlan *m)
{
    const OnConflictClause *oc = stmt->on_conflict;
    m->has_on_conflict = true;
    m->conflict_do_update = oc->action == ON_CONFLICT_UPDATE;
    m->conflict_index = -1;
    if (oc->target.count > 0) {
        for (int i = 0; i < t->index_count && m->conflict_index < 0; i++) {
            const CatIndex *ix = t->indexes[i];
            if (!ix->unique || ix->key_count != oc->target.count) {
                continue;
            }
            bool ok = true;
            for (int k = 0; k < oc->target.count && ok; k++) {
                const IndexElem *ie = (const IndexElem *)oc->target.items[k];
                bool found = false;
                for (int j = 0; j < ix->key_count; j++) {
                    found |= ie->name && ix->key_columns[j] >= 0 &&
                             strcmp(t->columns[ix->key_columns[j]].name, ie->name) == 0;
                }
                ok = found;
            }
            if (ok) {
                m->conflict_index = i;
            }
        }
        if (m->conflict_index < 0) {
            return FAIL_AT(oc->location, SQLSTATE_INVALID_COLUMN_REFERENCE,
                           "there is no unique or exclusion constraint matching the ON CONFLICT specification");
        }
    } else if (oc->constraint_name != NULL) {
        for (int i = 0; i < t->index_count; i++) {
            if (strcmp(t->indexes[i]->name, oc->constraint_name) == 0) {
                m->conflict_index = i;
            }
        }
        if (m->conflict_index < 0) {
            return FAIL_AT(oc->location, SQLSTATE_UNDEFINED_OBJECT,
                           "constraint \"%s\" for table \"%s\" does not exist", oc->constraint_name, t->name);
        }
    } else if (m->conflict_do_update) {
        return FAIL_AT(oc->location, SQLSTATE_SYNTAX_ERROR,
                       "ON CONFLICT DO UPDATE requires inference specification or constraint name");
    }
    if (!m->conflict_do_update) {
        return STRATA_OK;
    }
    /* SET expressions see the existing row (table name / alias) and EXCLUDED. */
    const char *alias = stmt->relation->alias ? stmt->relation->alias->name : t->name;
    Scope *scope = table_scope(b, t, alias, false);
    if (scope == NULL) {
        return nomem(b);
    }
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(t->column_count + 1));
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(t->column_count + 1));
    for (int c = 0; names && types && c < t->column_count; c++) {
        names[c] = t->columns[c].name;
        types[c] = t->columns[c].type;
    }
    if (scope_add(b, scope, "excluded", t->column_count, names, types) == NULL) {
        return nomem(b);
    }
    m->conflict_set = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(t->column_count + 1));
    if (m->conflict_set == NULL) {
        return nomem(b);
    }
    b->allow = BIND_ALLOW_SUBQUERY;
    bool *assigned = arena_zalloc(b->a, sizeof(bool) * (size_t)(t->column_count + 1));
    if (assigned == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < oc->set.count; k++) {
        const SetClause *sc = (const SetClause *)oc->set.items[k];
        const Node **nodes = arena_zalloc(b->a, sizeof(Node *) * (size_t)sc->columns.count);
        Expr **subs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)sc->columns.count);
        if (nodes == NULL || subs == NULL) {
            return nomem(b);
        }
        int rc = set_clause_sources(b, scope, t, sc, assigned, nodes, subs);
        if (rc != STRATA_OK) {
            return rc;
        }
        for (int j = 0; j < sc->columns.count; j++) {
            int col = cat_table_column_index(t, sc->columns.items[j]);
            const Node *val = nodes[j];
            Expr *e = subs[j];
            if (e != NULL) {
                rc = assign_coerce(b, t, col, e, &e);
            } else if (val->tag == N_DEFAULT) {
                rc = column_default(b, t, col, &e);
            } else if ((rc = bind_expr(b, scope, val, &e)) == STRATA_OK) {
                rc = assign_coerce(b, t, col, e, &e);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
            m->conflict_set[col] = e;
        }
    }
    if (oc->where != NULL) {
        int rc = bind_expr_bool(b, scope, oc->where, "WHERE", &m->conflict_where);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* An explicit value for a GENERATED ALWAYS identity column needs OVERRIDING SYSTEM
 * VALUE (428C9); with OVERRIDING USER VALUE an identity column takes its sequence's
 * value whatever is given. *use_default: ignore the given value. */
static int identity_value_allowed(Binder *b, const CatTable *t, int col, const InsertStmt *stmt,
                                  bool *use_default)
{
    CatIdentity identity = t->columns[col].identity;
    *use_default = stmt != NULL && stmt->overriding_user && identity != CAT_IDENTITY_NONE &&
                   identity != CAT_IDENTITY_SERIAL;
    if (identity != CAT_IDENTITY_ALWAYS || (stmt != NULL && (stmt->overriding_system ||
                                                             stmt->overriding_user))) {
        return STRATA_OK;
    }
    error_set(b->err, SQLSTATE_GENERATED_ALWAYS, "cannot insert a non-DEFAULT value into column \"%s\"",
              t->columns[col].name);
    error_detail(b->err, "Column \"%s\" is an identity column defined as GENERATED ALWAYS.",
                 t->columns[col].name);
    error_hint(b->err, "Use OVERRIDING SYSTEM VALUE to override.");
    return b->err->code;
}

static int bind_insert_values(Binder *b, const CatTable *t, const SelectStmt *sel, const int *cols,
                              int ncols, const InsertStmt *stmt, Frame *frame, PlanNode **out)
{
    int nrows = sel->values_lists.count;
    PlanNode *n = plan_node_new(b, PLAN_VALUES, NULL, NULL);
    Scope *scope = scope_new(b, NULL, frame);
    Expr **defaults = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(t->column_count + 1));
    if (n == NULL || scope == NULL || defaults == NULL ||
        (n->rows = arena_zalloc(b->a, sizeof(Expr **) * (size_t)nrows)) == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < t->column_count; c++) {
        int rc = insert_default(b, t, c, cols, ncols, &defaults[c]);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    b->allow = BIND_ALLOW_SUBQUERY;
    b->clause = "VALUES";
    for (int r = 0; r < nrows; r++) {
        const RowExpr *row = (const RowExpr *)sel->values_lists.items[r];
        if (row->args.count != ((const RowExpr *)sel->values_lists.items[0])->args.count) {
            /* PostgreSQL points at the list's first value */
            return FAIL_AT(row->args.count > 0 ? row->args.items[0]->location : row->location,
                           SQLSTATE_SYNTAX_ERROR, "VALUES lists must all be the same length");
        }
        if (row->args.count > ncols) {
            return FAIL_AT(row->args.items[ncols]->location, SQLSTATE_SYNTAX_ERROR,
                           "INSERT has more expressions than target columns");
        }
        if (row->args.count < ncols) {
            return FAIL_AT(row->location, SQLSTATE_SYNTAX_ERROR,
                           "INSERT has more target columns than expressions");
        }
        Expr **vals = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(t->column_count + 1));
        if (vals == NULL) {
            return nomem(b);
        }
        for (int c = 0; c < t->column_count; c++) {
            vals[c] = defaults[c];
        }
        for (int k = 0; k < ncols; k++) {
            const Node *item = row->args.items[k];
            if (item->tag == N_DEFAULT) {
                /* a serial column's default reads its sequence: USAGE needed here */
                Expr *checked;
                int rc = t->columns[cols[k]].identity == CAT_IDENTITY_SERIAL
                             ? column_default(b, t, cols[k], &checked)
                             : STRATA_OK;
                if (rc != STRATA_OK) {
                    return rc;
                }
                continue;
            }
            bool use_default;
            int rc = identity_value_allowed(b, t, cols[k], stmt, &use_default);
            if (rc != STRATA_OK) {
                return rc;
            }
            if (use_default) {
                continue;
            }
            Expr *e;
            rc = bind_expr(b, scope, item, &e);
            if (rc == STRATA_OK) {
                rc = assign_coerce(b, t, cols[k], e, &e);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
            vals[cols[k]] = fold_constants(b, e);
        }
        n->rows[r] = vals;
    }
    n->row_count = nrows;
    n->est_rows = nrows;
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(t->column_count + 1));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(t->column_count + 1));
    for (int c = 0; types && names && c < t->column_count; c++) {
        types[c] = t->columns[c].type;
        names[c] = t->columns[c].name;
    }
    plan_node_set_columns(b, n, t->column_count, types, names);
    *out = n;
    return b->err->code;
}

int bind_insert(Binder *b, const InsertStmt *stmt, PlanNode **out)
{
    const CatTable *t;
    int rc = find_target_table(b, stmt->relation, &t);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* RETURNING reads the row, ON CONFLICT DO UPDATE updates it */
    uint32_t privs = CAT_PRIV_INSERT | (stmt->returning.count > 0 ? CAT_PRIV_SELECT : 0) |
                     (stmt->on_conflict != NULL && stmt->on_conflict->action == ON_CONFLICT_UPDATE ? CAT_PRIV_UPDATE : 0);
    uint32_t deferred;
    if ((rc = bind_check_privilege_columns(b, t, privs, &deferred)) == STRATA_OK &&
        (deferred & ~CAT_PRIV_INSERT) != 0) {
        rc = bind_check_privilege(b, t, privs); /* column privileges: INSERT only */
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Frame *frame = arena_zalloc(b->a, sizeof(Frame));
    if (frame == NULL) {
        return nomem(b);
    }
    if (stmt->with != NULL && (rc = bind_with(b, stmt->with, NULL, frame)) != STRATA_OK) {
        return rc;
    }
    int *cols = NULL, ncols = 0;
    if ((rc = target_columns(b, t, &stmt->columns, &cols, &ncols)) != STRATA_OK) {
        return rc;
    }
    ModifyPlan *m = arena_zalloc(b->a, sizeof(ModifyPlan));
    if (m == NULL) {
        return nomem(b);
    }
    m->kind = MODIFY_INSERT;
    m->table = t;
    PlanNode *child;
    const SelectStmt *sel = stmt->select;
    if (sel == NULL || stmt->default_values) {
        SelectStmt empty = {0};
        RowExpr row = {0};
        row.tag = N_ROW;
        row.location = stmt->location;
        empty.tag = N_SELECT_STMT;
        node_list_append(b->a, &empty.values_lists, (Node *)&row);
        rc = bind_insert_values(b, t, &empty, cols, 0, NULL, frame, &child);
    } else if (sel->values_lists.count > 0 && sel->op == SETOP_NONE && sel->sort.count == 0 &&
               sel->limit_kind == LIMIT_NONE && sel->with == NULL) {
        if (stmt->columns.count == 0) {
            int width = ((const RowExpr *)sel->values_lists.items[0])->args.count;
            ncols = width < t->column_count ? width : t->column_count;
            if (width > t->column_count) {
                ncols = width;
            }
        }
        rc = bind_insert_values(b, t, sel, cols, ncols, stmt, frame, &child);
    } else {
        PlanNode *q;
        /* PostgreSQL: an untyped literal in the SELECT list takes the type of its target
         * column (INSERT INTO t (d) SELECT '2024-03-01' into a date column) */
        b->setop_branch = sel->op == SETOP_NONE && sel->with == NULL &&
                          sel->distinct != DISTINCT_ON_ALL && sel->distinct != DISTINCT_ON &&
                          sel->sort.count == 0;
        rc = bind_select(b, sel, NULL, frame, &q);
        b->setop_branch = false;
        if (rc != STRATA_OK) {
            return rc;
        }
        if (stmt->columns.count == 0) {
            ncols = q->column_count < t->column_count ? q->column_count : t->column_count;
        }
        if (q->column_count > ncols) {
            return FAIL_AT(sel->location, SQLSTATE_SYNTAX_ERROR, "INSERT has more expressions than target columns");
        }
        if (q->column_count < ncols) {
            return FAIL_AT(sel->location, SQLSTATE_SYNTAX_ERROR, "INSERT has more target columns than expressions");
        }
        Expr **exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(t->column_count + 1));
        const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(t->column_count + 1));
        if (exprs == NULL || names == NULL) {
            return nomem(b);
        }
        for (int c = 0; c < t->column_count; c++) {
            names[c] = t->columns[c].name;
            if ((rc = insert_default(b, t, c, cols, ncols, &exprs[c])) != STRATA_OK) {
                return rc;
            }
        }
        for (int k = 0; k < ncols; k++) {
            bool use_default;
            if ((rc = identity_value_allowed(b, t, cols[k], stmt, &use_default)) != STRATA_OK) {
                return rc;
            }
            if (use_default) {
                continue;
            }
            Expr *col = expr_column(b->a, k, q->column_types[k]);
            if ((rc = assign_coerce(b, t, cols[k], col, &exprs[cols[k]])) != STRATA_OK) {
                return rc;
            }
        }
        child = plan_project(b, q, exprs, t->column_count, names);
        if (child == NULL) {
            return nomem(b);
        }
    }
    /* INSERT granted on columns: each column given a value needs it */
    for (int k = 0; rc == STRATA_OK && k < ncols; k++) {
        rc = bind_check_column(b, t, b->priv_role, cols[k], deferred & CAT_PRIV_INSERT);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if ((rc = bind_constraints(b, t, m)) != STRATA_OK) {
        return rc;
    }
    if (stmt->on_conflict != NULL && (rc = bind_on_conflict(b, stmt, t, m)) != STRATA_OK) {
        return rc;
    }
    PlanNode *node = plan_node_new(b, PLAN_MODIFY, child, NULL);
    if (node == NULL) {
        return nomem(b);
    }
    node->modify = m;
    node->table = t;
    const char *alias = stmt->relation->alias ? stmt->relation->alias->name : t->name;
    Scope *rscope = table_scope(b, t, alias, false);
    if (rscope == NULL) {
        return nomem(b);
    }
    if ((rc = bind_returning(b, rscope, &stmt->returning, m, node, 0)) != STRATA_OK) {
        return rc;
    }
    *out = node;
    return STRATA_OK;
}

/* RETURNING of UPDATE ... FROM / DELETE ... USING may read the other items'
 * columns: each item of scope (after the target) is added to rscope, after its
 * rscope->width columns, and its columns are appended to the child's row
 * (exprs[*count...], over the joined row through map), where the modify
 * operator's RETURNING row has them at the same places. */
static int returning_from_items(Binder *b, const NodeList *returning, Scope *scope, const int *map,
                                Scope *rscope, Expr **exprs, const char **names, int *count,
                                int *from_first)
{
    *from_first = 0;
    if (returning->count == 0 || scope->entry_count < 2) {
        return STRATA_OK;
    }
    *from_first = rscope->entry_count;
    for (int x = 1; x < scope->entry_count; x++) {
        const RangeEntry *e = scope->entries[x];
        RangeEntry *r = scope_add(b, rscope, e->alias, e->column_count, e->names, e->types);
        if (r == NULL) {
            return nomem(b);
        }
        r->schema = e->schema;
        r->table = e->table;
        r->is_dropped = e->is_dropped;
        for (int c = 0; c < e->column_count; c++) {
            exprs[*count] = expr_column(b->a, map[e->offset + c], e->types[c]);
            names[(*count)++] = e->names[c];
        }
    }
    return STRATA_OK;
}

/* UPDATE and DELETE: the target scan (with row ids) joined with FROM / USING and filtered. */
static int bind_target_rows(Binder *b, const RangeVar *rv, const NodeList *from, const Node *where,
                            const CatTable *t, Scope **scope_out, PlanNode **plan_out, int **map_out,
                            Frame *frame)
{
    const char *alias = rv->alias ? rv->alias->name : t->name;
    Scope *scope = scope_new(b, NULL, frame);
    if (scope == NULL) {
        return nomem(b);
    }
    int n = t->column_count + 1;
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(n + 1));
    SqlType *types = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(n + 1));
    PlanNode *scan = plan_node_new(b, PLAN_SCAN, NULL, NULL);
    if (names == NULL || types == NULL || scan == NULL ||
        (scan->scan_columns = arena_zalloc(b->a, sizeof(int) * (size_t)(n + 1))) == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < t->column_count; c++) {
        names[c] = t->columns[c].name;
        types[c] = t->columns[c].type;
        scan->scan_columns[c] = c;
    }
    names[t->column_count] = ROW_ID_NAME;
    types[t->column_count] = sql_type(TYPE_BYTEA);
    scan->table = t;
    scan->alias = alias;
    scan->scan_column_count = t->column_count;
    scan->want_row_id = true;
    scan->est_rows = estimate_table_rows(b, t);
    plan_node_set_columns(b, scan, n, types, names);
    RangeEntry *e = scope_add(b, scope, alias, n, names, types);
    if (e == NULL) {
        return nomem(b);
    }
    e->table = t;
    e->schema = t->schema;
    e->column_privs = b->target_column_privs; /* SELECT on the columns read */
    e->priv_role = b->priv_role;
    b->target_column_privs = 0;
    /* Bind extra FROM items with the public binder through a synthetic SELECT. */
    PlanNode **items = arena_zalloc(b->a, sizeof(PlanNode *) * (size_t)(from->count + 2));
    int *offsets = arena_zalloc(b->a, sizeof(int) * (size_t)(from->count + 2));
    if (items == NULL || offsets == NULL) {
        return nomem(b);
    }
    items[0] = scan;
    offsets[0] = 0;
    int count = 1;
    for (int k = 0; k < from->count; k++) {
        const Node *item = from->items[k];
        PlanNode *p;
        int rc;
        int offset = scope->width;
        if (item->tag == N_RANGE_SUBSELECT) {
            const RangeSubselect *rs = (const RangeSubselect *)item;
            rc = bind_select(b, (const SelectStmt *)rs->subquery, NULL, frame, &p);
            if (rc != STRATA_OK && rs->lateral &&
                (strcmp(b->err->sqlstate, "42P01") == 0 ||
                 strcmp(b->err->sqlstate, "42703") == 0)) {
                error_clear(b->err);
                return FAIL_AT(
                    rs->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                    "LATERAL subqueries in UPDATE ... FROM and DELETE ... USING are not supported");
            }
            if (rc == STRATA_OK) {
                const char **pn = arena_zalloc(b->a, sizeof(char *) * (size_t)(p->column_count + 1));
                for (int c = 0; pn && c < p->column_count; c++) {
                    pn[c] = rs->alias && c < rs->alias->columns.count ? rs->alias->columns.items[c] : p->column_names[c];
                }
                if (scope_add(b, scope, rs->alias ? rs->alias->name : NULL, p->column_count, pn, p->column_types) == NULL) {
                    return nomem(b);
                }
            }
        } else if (item->tag == N_RANGE_VAR) {
            const RangeVar *r = (const RangeVar *)item;
            const CatTable *ft = catalog_find_table(b->env->catalog, r->schema, r->name);
            if (ft == NULL || ft->kind == CAT_VIEW) {
                return FAIL_AT(r->location, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", r->name);
            }
            p = plan_node_new(b, PLAN_SCAN, NULL, NULL);
            const char **pn = arena_zalloc(b->a, sizeof(char *) * (size_t)(ft->column_count + 1));
            SqlType *pt = arena_zalloc(b->a, sizeof(SqlType) * (size_t)(ft->column_count + 1));
            if (p == NULL || pn == NULL || pt == NULL ||
                (p->scan_columns = arena_zalloc(b->a, sizeof(int) * (size_t)(ft->column_count + 1))) == NULL) {
                return nomem(b);
            }
            for (int c = 0; c < ft->column_count; c++) {
                pn[c] = ft->columns[c].name;
                pt[c] = ft->columns[c].type;
                p->scan_columns[c] = c;
            }
            p->table = ft;
            p->alias = r->alias ? r->alias->name : ft->name;
            p->scan_column_count = ft->column_count;
            p->est_rows = estimate_table_rows(b, ft);
            plan_node_set_columns(b, p, ft->column_count, pt, pn);
            RangeEntry *fe = scope_add(b, scope, p->alias, ft->column_count, pn, pt);
            if (fe == NULL) {
                return nomem(b);
            }
            fe->table = ft;
            fe->schema = ft->schema;
            rc = STRATA_OK;
        } else {
            return FAIL_AT(item->location, SQLSTATE_FEATURE_NOT_SUPPORTED, "this FROM item is not supported in UPDATE/DELETE");
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        items[count] = p;
        offsets[count++] = offset;
    }
    Expr *w = NULL;
    if (where != NULL) {
        b->allow = BIND_ALLOW_SUBQUERY;
        int rc = bind_expr_bool(b, scope, where, "WHERE", &w);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    int rc = plan_from_where(b, scope, items, offsets, count, w, plan_out, map_out);
    *scope_out = scope;
    return rc;
}

/* The Modify node of an UPDATE or DELETE over rows (the target rows joined to
 * the FROM / USING items, as scope and map lay them out): the child projects
 * exprs (width columns: the row, its row id, for UPDATE the new row) followed
 * by the FROM items RETURNING reads; then constraints and RETURNING. deferred
 * holds the SELECT privileges the target's columns still need (RETURNING). */
static int bind_modify_node(Binder *b, ModifyKind kind, const CatTable *t, const RangeVar *relation,
                            const NodeList *returning, Scope *scope, const int *map,
                            PlanNode *rows, Expr **exprs, const char **names, int width,
                            uint32_t deferred, PlanNode **out)
{
    const char *alias = relation->alias ? relation->alias->name : t->name;
    Scope *rscope = table_scope(b, t, alias, kind == MODIFY_DELETE);
    int from_first, rc;
    if (rscope == NULL) {
        return nomem(b);
    }
    if ((rc = returning_from_items(b, returning, scope, map, rscope, exprs, names, &width,
                                   &from_first)) != STRATA_OK) {
        return rc;
    }
    PlanNode *child = plan_project(b, rows, exprs, width, names);
    ModifyPlan *m = arena_zalloc(b->a, sizeof(ModifyPlan));
    PlanNode *node = plan_node_new(b, PLAN_MODIFY, child, NULL);
    if (child == NULL || m == NULL || node == NULL) {
        return nomem(b);
    }
    m->kind = kind;
    m->table = t;
    m->row_id_column = t->column_count;
    node->modify = m;
    node->table = t;
    if ((rc = bind_constraints(b, t, m)) != STRATA_OK) {
        return rc;
    }
    rscope->entries[0]->column_privs = deferred & CAT_PRIV_SELECT; /* RETURNING reads */
    rscope->entries[0]->priv_role = b->priv_role;
    if ((rc = bind_returning(b, rscope, returning, m, node, from_first)) != STRATA_OK) {
        return rc;
    }
    *out = node;
    return STRATA_OK;
}

int bind_update(Binder *b, const UpdateStmt *stmt, PlanNode **out)
{
    const CatTable *t;
    int rc = find_target_table(b, stmt->relation, &t);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* UPDATE on the table or on each column set; SELECT on each column the statement
     * reads (WHERE, SET expressions, RETURNING), as PostgreSQL */
    uint32_t deferred;
    if ((rc = bind_check_privilege_columns(b, t, CAT_PRIV_UPDATE, &deferred)) != STRATA_OK) {
        return rc;
    }
    b->target_column_privs = target_select_check(b, t);
    deferred |= b->target_column_privs;
    Frame *frame = arena_zalloc(b->a, sizeof(Frame));
    if (frame == NULL) {
        return nomem(b);
    }
    if (stmt->with != NULL && (rc = bind_with(b, stmt->with, NULL, frame)) != STRATA_OK) {
        return rc;
    }
    Scope *scope;
    PlanNode *rows;
    int *map;
    if ((rc = bind_target_rows(b, stmt->relation, &stmt->from, stmt->where, t, &scope, &rows, &map, frame)) != STRATA_OK) {
        return rc;
    }
    int n = t->column_count;
    Expr **exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(2 * n + 2 + scope->width));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(2 * n + 2 + scope->width));
    if (exprs == NULL || names == NULL) {
        return nomem(b);
    }
    for (int c = 0; c <= n; c++) {
        exprs[c] = expr_column(b->a, map[c], scope->types[c]);
        exprs[n + 1 + (c < n ? c : 0)] = c < n ? exprs[c] : exprs[n + 1];
        names[c] = c < n ? t->columns[c].name : ROW_ID_NAME;
        if (c < n) {
            names[n + 1 + c] = t->columns[c].name;
        }
    }
    b->allow = BIND_ALLOW_SUBQUERY;
    b->clause = "UPDATE";
    bool *assigned = arena_zalloc(b->a, sizeof(bool) * (size_t)(n + 1));
    if (assigned == NULL) {
        return nomem(b);
    }
    for (int k = 0; k < stmt->set.count; k++) {
        const SetClause *sc = (const SetClause *)stmt->set.items[k];
        const Node **nodes = arena_zalloc(b->a, sizeof(Node *) * (size_t)sc->columns.count);
        Expr **subs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)sc->columns.count);
        if (nodes == NULL || subs == NULL) {
            return nomem(b);
        }
        if ((rc = set_clause_sources(b, scope, t, sc, assigned, nodes, subs)) != STRATA_OK) {
            return rc;
        }
        for (int j = 0; j < sc->columns.count; j++) {
            int col = cat_table_column_index(t, sc->columns.items[j]);
            const Node *val = nodes[j];
            Expr *e = subs[j];
            /* UPDATE granted on columns: each column set needs it */
            if ((rc = bind_check_column(b, t, b->priv_role, col, deferred & CAT_PRIV_UPDATE)) !=
                STRATA_OK) {
                return rc;
            }
            if (t->columns[col].identity == CAT_IDENTITY_ALWAYS && (e != NULL || val->tag != N_DEFAULT)) {
                error_set(b->err, SQLSTATE_GENERATED_ALWAYS, "column \"%s\" can only be updated to DEFAULT",
                          t->columns[col].name);
                error_detail(b->err, "Column \"%s\" is an identity column defined as GENERATED ALWAYS.",
                             t->columns[col].name);
                return b->err->code;
            }
            if (e != NULL) {
                rc = assign_coerce(b, t, col, e, &e);
            } else if (val->tag == N_DEFAULT) {
                rc = column_default(b, t, col, &e);
            } else if ((rc = bind_expr(b, scope, val, &e)) == STRATA_OK) {
                rc = assign_coerce(b, t, col, e, &e);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
            exprs[n + 1 + col] = fold_constants(b, expr_remap(b->a, e, map));
        }
    }
    /* RETURNING's row is the new row (from column n + 1 of the child's), then the FROM items */
    return bind_modify_node(b, MODIFY_UPDATE, t, stmt->relation, &stmt->returning, scope, map, rows,
                            exprs, names, 2 * n + 1, deferred, out);
}

int bind_delete(Binder *b, const DeleteStmt *stmt, PlanNode **out)
{
    const CatTable *t;
    int rc = find_target_table(b, stmt->relation, &t);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* DELETE on the table; SELECT on each column read (WHERE, RETURNING) */
    uint32_t deferred = target_select_check(b, t);
    b->target_column_privs = deferred;
    if ((rc = bind_check_privilege(b, t, CAT_PRIV_DELETE)) !=
        STRATA_OK) {
        return rc;
    }
    Frame *frame = arena_zalloc(b->a, sizeof(Frame));
    if (frame == NULL) {
        return nomem(b);
    }
    if (stmt->with != NULL && (rc = bind_with(b, stmt->with, NULL, frame)) != STRATA_OK) {
        return rc;
    }
    Scope *scope;
    PlanNode *rows;
    int *map;
    if ((rc = bind_target_rows(b, stmt->relation, &stmt->using_items, stmt->where, t, &scope, &rows, &map, frame)) != STRATA_OK) {
        return rc;
    }
    int n = t->column_count;
    Expr **exprs = arena_zalloc(b->a, sizeof(Expr *) * (size_t)(n + 2 + scope->width));
    const char **names = arena_zalloc(b->a, sizeof(char *) * (size_t)(n + 2 + scope->width));
    if (exprs == NULL || names == NULL) {
        return nomem(b);
    }
    for (int c = 0; c <= n; c++) {
        exprs[c] = expr_column(b->a, map[c], scope->types[c]);
        names[c] = c < n ? t->columns[c].name : ROW_ID_NAME;
    }
    /* RETURNING's row is the deleted row with its row id, then the USING items */
    return bind_modify_node(b, MODIFY_DELETE, t, stmt->relation, &stmt->returning, scope, map, rows,
                            exprs, names, n + 1, deferred, out);
}
