/*
 * sql/deparse_stmt.c - statements back to canonical SQL text (used for view
 * definitions, EXPLAIN and the parser's fixed-point tests).
 *
 * Set-operation operands are always parenthesized and joins in FROM are always
 * parenthesized, so the printed text parses back to the same tree.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <string.h>

#include "sql/deparse_int.h"

static void relation(Buf *buf, const RangeVar *rv);

static void paren_names(Buf *buf, const NameList *names)
{
    buf_put(buf, "(");
    for (int index = 0; index < names->count; index++) {
        if (index > 0) {
            buf_put(buf, ", ");
        }
        buf_ident(buf, names->items[index], IDENT_COLID);
    }
    buf_put(buf, ")");
}

static void alias(Buf *buf, const Alias *alias_node)
{
    if (alias_node == NULL) {
        return;
    }
    if (alias_node->name != NULL) {
        buf_put(buf, " AS ");
        buf_ident(buf, alias_node->name, IDENT_COLID);
    }
    if (alias_node->columns.count > 0) {
        paren_names(buf, &alias_node->columns);
    }
}

static void relation(Buf *buf, const RangeVar *rv)
{
    if (rv->only) {
        buf_put(buf, "ONLY ");
    }
    if (rv->catalog != NULL) {
        buf_ident(buf, rv->catalog, IDENT_COLID);
        buf_put(buf, ".");
        buf_ident(buf, rv->schema, IDENT_LABEL);
        buf_put(buf, ".");
        buf_ident(buf, rv->name, IDENT_LABEL);
    } else if (rv->schema != NULL) {
        buf_ident(buf, rv->schema, IDENT_COLID);
        buf_put(buf, ".");
        buf_ident(buf, rv->name, IDENT_LABEL);
    } else {
        buf_ident(buf, rv->name, IDENT_COLID);
    }
}

static void def_list(Buf *buf, const NodeList *list, bool with_equals)
{
    buf_put(buf, "(");
    for (int index = 0; index < list->count; index++) {
        const DefElem *def = (const DefElem *)list->items[index];
        if (index > 0) {
            buf_put(buf, ", ");
        }
        buf_ident(buf, def->name, IDENT_LABEL);
        if (def->word != NULL || def->arg != NULL) {
            buf_put(buf, with_equals ? " = " : " ");
        }
        if (def->word != NULL) {
            if (strcmp(def->word, "*") == 0) {
                buf_put(buf, "*");
            } else {
                buf_ident(buf, def->word, IDENT_LABEL);
            }
        } else if (def->arg != NULL) {
            deparse_expr(buf, def->arg);
        }
    }
    buf_put(buf, ")");
}

/* ---------------- FROM ---------------- */

static void from_item(Buf *buf, const Node *node);

static void join(Buf *buf, const JoinExpr *join_node)
{
    static const char *const kinds[] = {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN",
                                        "CROSS JOIN"};
    buf_put(buf, "(");
    from_item(buf, join_node->left);
    buf_put(buf, join_node->is_natural ? " NATURAL " : " ");
    buf_put(buf, kinds[join_node->kind]);
    buf_put(buf, " ");
    from_item(buf, join_node->right);
    if (join_node->quals != NULL) {
        buf_put(buf, " ON ");
        deparse_expr(buf, join_node->quals);
    } else if (join_node->using_columns.count > 0) {
        buf_put(buf, " USING ");
        paren_names(buf, &join_node->using_columns);
    }
    buf_put(buf, ")");
    alias(buf, join_node->alias);
}

/* A function's column definition list: " AS (a int, ...)" or "(a int, ...)". */
static void column_defs(Buf *buf, const RangeFunction *func, bool with_as)
{
    if (func->column_defs.count == 0) {
        return;
    }
    buf_put(buf, with_as ? " AS (" : "(");
    for (int index = 0; index < func->column_defs.count; index++) {
        const ColumnDef *column = (const ColumnDef *)func->column_defs.items[index];
        buf_put(buf, index > 0 ? ", " : "");
        buf_ident(buf, column->name, IDENT_COLID);
        buf_put(buf, " ");
        deparse_type(buf, column->type);
    }
    buf_put(buf, ")");
}

static void from_item(Buf *buf, const Node *node)
{
    switch (node->tag) {
    case N_RANGE_VAR:
        relation(buf, (const RangeVar *)node);
        alias(buf, ((const RangeVar *)node)->alias);
        return;
    case N_RANGE_SUBSELECT: {
        const RangeSubselect *sub = (const RangeSubselect *)node;
        buf_put(buf, sub->lateral ? "LATERAL (" : "(");
        deparse_stmt(buf, sub->subquery);
        buf_put(buf, ")");
        alias(buf, sub->alias);
        return;
    }
    case N_RANGE_FUNCTION: {
        const RangeFunction *func = (const RangeFunction *)node;
        if (func->lateral) {
            buf_put(buf, "LATERAL ");
        }
        buf_put(buf, func->rows_from ? "ROWS FROM (" : "");
        deparse_expr(buf, func->function);
        if (func->rows_from) {
            column_defs(buf, func, true);
            buf_put(buf, ")");
        }
        if (func->with_ordinality) {
            buf_put(buf, " WITH ORDINALITY");
        }
        alias(buf, func->alias);
        if (!func->rows_from) {
            column_defs(buf, func, func->alias == NULL);
        }
        return;
    }
    case N_JOIN_EXPR:
        join(buf, (const JoinExpr *)node);
        return;
    default:
        buf_printf(buf, "<%s>", ast_tag_name(node->tag));
        return;
    }
}

static void from_list(Buf *buf, const NodeList *list)
{
    for (int index = 0; index < list->count; index++) {
        if (index > 0) {
            buf_put(buf, ", ");
        }
        from_item(buf, list->items[index]);
    }
}

/* ---------------- SELECT ---------------- */

static void with_clause(Buf *buf, const WithClause *with)
{
    buf_put(buf, with->recursive ? "WITH RECURSIVE " : "WITH ");
    for (int index = 0; index < with->ctes.count; index++) {
        const CommonTableExpr *cte = (const CommonTableExpr *)with->ctes.items[index];
        if (index > 0) {
            buf_put(buf, ", ");
        }
        buf_ident(buf, cte->name, IDENT_COLID);
        if (cte->columns.count > 0) {
            paren_names(buf, &cte->columns);
        }
        buf_put(buf, " AS ");
        if (cte->materialize == CTE_MATERIALIZED) {
            buf_put(buf, "MATERIALIZED ");
        } else if (cte->materialize == CTE_NOT_MATERIALIZED) {
            buf_put(buf, "NOT MATERIALIZED ");
        }
        buf_put(buf, "(");
        deparse_stmt(buf, cte->query);
        buf_put(buf, ")");
    }
    buf_put(buf, " ");
}

static void target_list(Buf *buf, const NodeList *list)
{
    for (int index = 0; index < list->count; index++) {
        const ResTarget *target = (const ResTarget *)list->items[index];
        if (index > 0) {
            buf_put(buf, ", ");
        }
        deparse_expr(buf, target->val);
        if (target->name != NULL) {
            buf_put(buf, " AS ");
            buf_ident(buf, target->name, IDENT_LABEL);
        }
    }
}

static void simple_select(Buf *buf, const SelectStmt *select)
{
    if (select->values_lists.count > 0) {
        buf_put(buf, "VALUES ");
        for (int index = 0; index < select->values_lists.count; index++) {
            const RowExpr *row = (const RowExpr *)select->values_lists.items[index];
            buf_put(buf, index > 0 ? ", (" : "(");
            deparse_expr_list(buf, &row->args);
            buf_put(buf, ")");
        }
        return;
    }
    buf_put(buf, "SELECT");
    if (select->distinct == DISTINCT_ALL) {
        buf_put(buf, " ALL");
    } else if (select->distinct == DISTINCT_ON_ALL) {
        buf_put(buf, " DISTINCT");
    } else if (select->distinct == DISTINCT_ON) {
        buf_put(buf, " DISTINCT ON (");
        deparse_expr_list(buf, &select->distinct_on);
        buf_put(buf, ")");
    }
    if (select->targets.count > 0) {
        buf_put(buf, " ");
        target_list(buf, &select->targets);
    }
    if (select->from.count > 0) {
        buf_put(buf, " FROM ");
        from_list(buf, &select->from);
    }
    if (select->where != NULL) {
        buf_put(buf, " WHERE ");
        deparse_expr(buf, select->where);
    }
    if (select->group_by.count > 0) {
        buf_put(buf, select->group_by_distinct ? " GROUP BY DISTINCT " : " GROUP BY ");
        deparse_expr_list(buf, &select->group_by);
    }
    if (select->having != NULL) {
        buf_put(buf, " HAVING ");
        deparse_expr(buf, select->having);
    }
    for (int index = 0; index < select->windows.count; index++) {
        const WindowDef *window = (const WindowDef *)select->windows.items[index];
        buf_put(buf, index == 0 ? " WINDOW " : ", ");
        buf_ident(buf, window->name, IDENT_COLID);
        buf_put(buf, " AS ");
        deparse_window(buf, window);
    }
}

static void select_options(Buf *buf, const SelectStmt *select)
{
    if (select->sort.count > 0) {
        buf_put(buf, " ORDER BY ");
        deparse_sort_list(buf, &select->sort);
    }
    switch (select->limit_kind) {
    case LIMIT_NONE:
        break;
    case LIMIT_COUNT:
        buf_put(buf, " LIMIT ");
        deparse_expr(buf, select->limit_count);
        break;
    case LIMIT_ALL:
        buf_put(buf, " LIMIT ALL");
        break;
    case LIMIT_FETCH_ONLY:
    case LIMIT_FETCH_WITH_TIES:
        break;
    }
    if (select->limit_offset != NULL) {
        buf_put(buf, " OFFSET ");
        deparse_expr(buf, select->limit_offset);
    }
    if (select->limit_kind == LIMIT_FETCH_ONLY || select->limit_kind == LIMIT_FETCH_WITH_TIES) {
        buf_put(buf, " FETCH FIRST ");
        if (select->limit_count != NULL) {
            deparse_expr(buf, select->limit_count);
            buf_put(buf, " ");
        }
        buf_put(buf, select->limit_kind == LIMIT_FETCH_ONLY ? "ROWS ONLY" : "ROWS WITH TIES");
    }
    for (int index = 0; index < select->locking.count; index++) {
        const LockingClause *lock = (const LockingClause *)select->locking.items[index];
        static const char *const strengths[] = {" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE",
                                                " FOR KEY SHARE"};
        buf_put(buf, strengths[lock->strength]);
        for (int table = 0; table < lock->tables.count; table++) {
            buf_put(buf, table == 0 ? " OF " : ", ");
            relation(buf, (const RangeVar *)lock->tables.items[table]);
        }
        if (lock->wait == LOCK_WAIT_NOWAIT) {
            buf_put(buf, " NOWAIT");
        } else if (lock->wait == LOCK_WAIT_SKIP_LOCKED) {
            buf_put(buf, " SKIP LOCKED");
        }
    }
}

static void select_stmt(Buf *buf, const SelectStmt *select)
{
    if (select->with != NULL) {
        with_clause(buf, select->with);
    }
    if (select->op != SETOP_NONE) {
        static const char *const ops[] = {"", " UNION ", " INTERSECT ", " EXCEPT "};
        buf_put(buf, "(");
        select_stmt(buf, select->left);
        buf_put(buf, ")");
        buf_put(buf, ops[select->op]);
        if (select->set_all) {
            buf_put(buf, "ALL ");
        }
        buf_put(buf, "(");
        select_stmt(buf, select->right);
        buf_put(buf, ")");
    } else {
        simple_select(buf, select);
    }
    select_options(buf, select);
}

/* ---------------- DML ---------------- */

static void returning(Buf *buf, const NodeList *list)
{
    if (list->count > 0) {
        buf_put(buf, " RETURNING ");
        target_list(buf, list);
    }
}

static void set_clauses(Buf *buf, const NodeList *list)
{
    for (int index = 0; index < list->count; index++) {
        const SetClause *set = (const SetClause *)list->items[index];
        if (index > 0) {
            buf_put(buf, ", ");
        }
        if (set->is_multi) {
            paren_names(buf, &set->columns);
        } else {
            buf_ident(buf, set->columns.items[0], IDENT_COLID);
        }
        buf_put(buf, " = ");
        const Node *value = set->value;
        if (set->is_multi && value->tag == N_ROW && !((const RowExpr *)value)->is_explicit) {
            buf_put(buf, "(");
            deparse_expr_list(buf, &((const RowExpr *)value)->args);
            buf_put(buf, ")");
        } else if (set->is_multi) {
            /* parenthesized, so (a) = (DEFAULT) and a sub-SELECT read back the same */
            buf_put(buf, "(");
            deparse_expr(buf, value);
            buf_put(buf, ")");
        } else {
            deparse_expr(buf, value);
        }
    }
}

static void index_elems(Buf *buf, const NodeList *list)
{
    buf_put(buf, "(");
    for (int index = 0; index < list->count; index++) {
        const IndexElem *elem = (const IndexElem *)list->items[index];
        if (index > 0) {
            buf_put(buf, ", ");
        }
        if (elem->name != NULL) {
            buf_ident(buf, elem->name, IDENT_COLID);
        } else {
            buf_put(buf, "(");
            deparse_expr(buf, elem->expr);
            buf_put(buf, ")");
        }
        if (elem->collation.count > 0) {
            buf_put(buf, " COLLATE ");
            buf_name_list(buf, &elem->collation, IDENT_COLID);
        }
        if (elem->opclass.count > 0) {
            buf_put(buf, " ");
            buf_name_list(buf, &elem->opclass, IDENT_COLID);
        }
        if (elem->dir != SORT_DEFAULT) {
            buf_put(buf, elem->dir == SORT_ASC ? " ASC" : " DESC");
        }
        if (elem->nulls != SORT_NULLS_DEFAULT) {
            buf_put(buf, elem->nulls == SORT_NULLS_FIRST ? " NULLS FIRST" : " NULLS LAST");
        }
    }
    buf_put(buf, ")");
}

static void insert_stmt(Buf *buf, const InsertStmt *insert)
{
    if (insert->with != NULL) {
        with_clause(buf, insert->with);
    }
    buf_put(buf, "INSERT INTO ");
    relation(buf, insert->relation);
    alias(buf, insert->relation->alias);
    if (insert->columns.count > 0) {
        buf_put(buf, " (");
        for (int index = 0; index < insert->columns.count; index++) {
            if (index > 0) {
                buf_put(buf, ", ");
            }
            buf_ident(buf, ((const ResTarget *)insert->columns.items[index])->name, IDENT_COLID);
        }
        buf_put(buf, ")");
    }
    if (insert->overriding_system) {
        buf_put(buf, " OVERRIDING SYSTEM VALUE");
    } else if (insert->overriding_user) {
        buf_put(buf, " OVERRIDING USER VALUE");
    }
    if (insert->default_values) {
        buf_put(buf, " DEFAULT VALUES");
    } else {
        buf_put(buf, " ");
        select_stmt(buf, insert->select);
    }
    const OnConflictClause *conflict = insert->on_conflict;
    if (conflict != NULL) {
        buf_put(buf, " ON CONFLICT");
        if (conflict->target.count > 0) {
            buf_put(buf, " ");
            index_elems(buf, &conflict->target);
            if (conflict->target_where != NULL) {
                buf_put(buf, " WHERE ");
                deparse_expr(buf, conflict->target_where);
            }
        } else if (conflict->constraint_name != NULL) {
            buf_put(buf, " ON CONSTRAINT ");
            buf_ident(buf, conflict->constraint_name, IDENT_COLID);
        }
        if (conflict->action == ON_CONFLICT_NOTHING) {
            buf_put(buf, " DO NOTHING");
        } else {
            buf_put(buf, " DO UPDATE SET ");
            set_clauses(buf, &conflict->set);
            if (conflict->where != NULL) {
                buf_put(buf, " WHERE ");
                deparse_expr(buf, conflict->where);
            }
        }
    }
    returning(buf, &insert->returning);
}

static void update_stmt(Buf *buf, const UpdateStmt *update)
{
    if (update->with != NULL) {
        with_clause(buf, update->with);
    }
    buf_put(buf, "UPDATE ");
    relation(buf, update->relation);
    alias(buf, update->relation->alias);
    buf_put(buf, " SET ");
    set_clauses(buf, &update->set);
    if (update->from.count > 0) {
        buf_put(buf, " FROM ");
        from_list(buf, &update->from);
    }
    if (update->where != NULL) {
        buf_put(buf, " WHERE ");
        deparse_expr(buf, update->where);
    }
    returning(buf, &update->returning);
}

static void delete_stmt(Buf *buf, const DeleteStmt *delete_node)
{
    if (delete_node->with != NULL) {
        with_clause(buf, delete_node->with);
    }
    buf_put(buf, "DELETE FROM ");
    relation(buf, delete_node->relation);
    alias(buf, delete_node->relation->alias);
    if (delete_node->using_items.count > 0) {
        buf_put(buf, " USING ");
        from_list(buf, &delete_node->using_items);
    }
    if (delete_node->where != NULL) {
        buf_put(buf, " WHERE ");
        deparse_expr(buf, delete_node->where);
    }
    returning(buf, &delete_node->returning);
}

/* ---------------- DDL ---------------- */

static const char *fk_action_text(FkAction action)
{
    switch (action) {
    case FK_ACTION_NO_ACTION:
        return "NO ACTION";
    case FK_ACTION_RESTRICT:
        return "RESTRICT";
    case FK_ACTION_CASCADE:
        return "CASCADE";
    case FK_ACTION_SET_NULL:
        return "SET NULL";
    case FK_ACTION_SET_DEFAULT:
        return "SET DEFAULT";
    case FK_ACTION_NONE:
        break;
    }
    return "";
}

static void seq_options(Buf *buf, const NodeList *options)
{
    for (int index = 0; index < options->count; index++) {
        const DefElem *def = (const DefElem *)options->items[index];
        const char *name = def->name;
        buf_put(buf, " ");
        if (strcmp(name, "cycle") == 0) {
            buf_put(buf, strcmp(def->word, "true") == 0 ? "CYCLE" : "NO CYCLE");
        } else if ((strcmp(name, "minvalue") == 0 || strcmp(name, "maxvalue") == 0) &&
                   def->arg == NULL) {
            buf_put(buf, strcmp(name, "minvalue") == 0 ? "NO MINVALUE" : "NO MAXVALUE");
        } else if (strcmp(name, "owned_by") == 0) {
            buf_put(buf, "OWNED BY ");
            if (def->word != NULL) {
                buf_put(buf, "NONE");
            } else {
                deparse_expr(buf, def->arg);
            }
        } else if (strcmp(name, "sequence_name") == 0) {
            buf_put(buf, "SEQUENCE NAME ");
            relation(buf, (const RangeVar *)def->arg);
        } else if (strcmp(name, "restart") == 0 && def->arg == NULL) {
            buf_put(buf, "RESTART");
        } else {
            static const char *const spellings[][2] = {{"as", "AS"},
                                                       {"cache", "CACHE"},
                                                       {"increment", "INCREMENT BY"},
                                                       {"minvalue", "MINVALUE"},
                                                       {"maxvalue", "MAXVALUE"},
                                                       {"start", "START WITH"},
                                                       {"restart", "RESTART WITH"}};
            for (size_t spelling = 0; spelling < sizeof(spellings) / sizeof(spellings[0]);
                 spelling++) {
                if (strcmp(name, spellings[spelling][0]) == 0) {
                    buf_printf(buf, "%s ", spellings[spelling][1]);
                }
            }
            deparse_expr(buf, def->arg);
        }
    }
}

static void constraint(Buf *buf, const Constraint *con, bool is_table)
{
    if (con->name != NULL) {
        buf_put(buf, "CONSTRAINT ");
        buf_ident(buf, con->name, IDENT_COLID);
        buf_put(buf, " ");
    }
    switch (con->kind) {
    case CONSTRAINT_NULL:
        buf_put(buf, "NULL");
        break;
    case CONSTRAINT_NOT_NULL:
        buf_put(buf, "NOT NULL");
        break;
    case CONSTRAINT_DEFAULT:
        buf_put(buf, "DEFAULT ");
        deparse_expr(buf, con->expr);
        break;
    case CONSTRAINT_CHECK:
        buf_put(buf, "CHECK (");
        deparse_expr(buf, con->expr);
        buf_put(buf, con->no_inherit ? ") NO INHERIT" : ")");
        break;
    case CONSTRAINT_PRIMARY:
    case CONSTRAINT_UNIQUE:
        buf_put(buf, con->kind == CONSTRAINT_PRIMARY ? "PRIMARY KEY" : "UNIQUE");
        if (con->nulls_not_distinct) {
            buf_put(buf, " NULLS NOT DISTINCT");
        }
        if (is_table) {
            buf_put(buf, " ");
            paren_names(buf, &con->keys);
        }
        if (con->include.count > 0) {
            buf_put(buf, " INCLUDE ");
            paren_names(buf, &con->include);
        }
        break;
    case CONSTRAINT_FOREIGN:
        if (is_table) {
            buf_put(buf, "FOREIGN KEY ");
            paren_names(buf, &con->keys);
            buf_put(buf, " ");
        }
        buf_put(buf, "REFERENCES ");
        relation(buf, con->ref_table);
        if (con->ref_columns.count > 0) {
            buf_put(buf, " ");
            paren_names(buf, &con->ref_columns);
        }
        if (con->match == FK_MATCH_FULL) {
            buf_put(buf, " MATCH FULL");
        } else if (con->match == FK_MATCH_PARTIAL) {
            buf_put(buf, " MATCH PARTIAL");
        }
        if (con->on_delete != FK_ACTION_NONE) {
            buf_printf(buf, " ON DELETE %s", fk_action_text(con->on_delete));
        }
        if (con->on_update != FK_ACTION_NONE) {
            buf_printf(buf, " ON UPDATE %s", fk_action_text(con->on_update));
        }
        break;
    case CONSTRAINT_IDENTITY:
        buf_put(buf, con->identity_always ? "GENERATED ALWAYS AS IDENTITY"
                                          : "GENERATED BY DEFAULT AS IDENTITY");
        if (con->options.count > 0) {
            buf_put(buf, " (");
            seq_options(buf, &con->options);
            buf_put(buf, " )");
        }
        break;
    case CONSTRAINT_GENERATED:
        buf_put(buf, "GENERATED ALWAYS AS (");
        deparse_expr(buf, con->expr);
        buf_put(buf, ") STORED");
        break;
    }
    if (con->deferrable) {
        buf_put(buf, " DEFERRABLE");
    }
    if (con->initially_deferred) {
        buf_put(buf, " INITIALLY DEFERRED");
    }
}

static void column_def(Buf *buf, const ColumnDef *column)
{
    buf_ident(buf, column->name, IDENT_COLID);
    if (column->type == NULL) {
        buf_put(buf, " WITH OPTIONS");
    } else {
        buf_put(buf, " ");
        deparse_type(buf, column->type);
    }
    if (column->collation.count > 0) {
        buf_put(buf, " COLLATE ");
        buf_name_list(buf, &column->collation, IDENT_COLID);
    }
    for (int index = 0; index < column->constraints.count; index++) {
        buf_put(buf, " ");
        constraint(buf, (const Constraint *)column->constraints.items[index], false);
    }
}

static void partition_bound(Buf *buf, const PartitionBound *bound)
{
    if (bound->is_default) {
        buf_put(buf, " DEFAULT");
        return;
    }
    switch (bound->strategy) {
    case PARTITION_RANGE:
        buf_put(buf, " FOR VALUES FROM (");
        deparse_expr_list(buf, &bound->lower);
        buf_put(buf, ") TO (");
        deparse_expr_list(buf, &bound->upper);
        buf_put(buf, ")");
        return;
    case PARTITION_LIST:
        buf_put(buf, " FOR VALUES IN (");
        deparse_expr_list(buf, &bound->values);
        buf_put(buf, ")");
        return;
    case PARTITION_HASH:
        buf_printf(buf, " FOR VALUES WITH (MODULUS %d, REMAINDER %d)", bound->modulus,
                   bound->remainder);
        return;
    }
}

static void table_elements(Buf *buf, const NodeList *elements)
{
    buf_put(buf, " (");
    for (int index = 0; index < elements->count; index++) {
        const Node *element = elements->items[index];
        if (index > 0) {
            buf_put(buf, ", ");
        }
        if (element->tag == N_COLUMN_DEF) {
            column_def(buf, (const ColumnDef *)element);
        } else if (element->tag == N_CONSTRAINT) {
            constraint(buf, (const Constraint *)element, true);
        } else {
            const TableLike *like = (const TableLike *)element;
            buf_put(buf, "LIKE ");
            relation(buf, like->relation);
            for (int option = 0; option < like->options.count; option++) {
                const char *name = ((const DefElem *)like->options.items[option])->name;
                bool including = strncmp(name, "including_", 10) == 0;
                buf_printf(buf, " %s ", including ? "INCLUDING" : "EXCLUDING");
                buf_ident(buf, name + 10, IDENT_LABEL);
            }
        }
    }
    buf_put(buf, ")");
}

static void create_table(Buf *buf, const CreateTableStmt *create)
{
    static const char *const persistence[] = {"", "TEMPORARY ", "UNLOGGED "};
    buf_printf(buf, "CREATE %sTABLE ", persistence[create->persistence]);
    if (create->if_not_exists) {
        buf_put(buf, "IF NOT EXISTS ");
    }
    relation(buf, create->relation);
    if (create->partition_of != NULL) {
        buf_put(buf, " PARTITION OF ");
        relation(buf, create->partition_of);
        if (create->elements.count > 0) {
            table_elements(buf, &create->elements);
        }
        partition_bound(buf, create->bound);
    } else if (create->as_query == NULL) {
        table_elements(buf, &create->elements);
    } else if (create->as_columns.count > 0) {
        buf_put(buf, " ");
        paren_names(buf, &create->as_columns);
    }
    if (create->partition != NULL) {
        static const char *const strategies[] = {"RANGE", "LIST", "HASH"};
        buf_printf(buf, " PARTITION BY %s ", strategies[create->partition->strategy]);
        index_elems(buf, &create->partition->keys);
    }
    if (create->access_method != NULL) {
        buf_put(buf, " USING ");
        buf_ident(buf, create->access_method, IDENT_LABEL);
    }
    if (create->options.count > 0) {
        buf_put(buf, " WITH ");
        def_list(buf, &create->options, true);
    }
    static const char *const on_commit[] = {"", " ON COMMIT PRESERVE ROWS",
                                            " ON COMMIT DELETE ROWS", " ON COMMIT DROP"};
    buf_put(buf, on_commit[create->on_commit]);
    if (create->as_query != NULL) {
        buf_put(buf, " AS ");
        deparse_stmt(buf, create->as_query);
        if (create->with_no_data) {
            buf_put(buf, " WITH NO DATA");
        }
    }
}

static void create_index(Buf *buf, const CreateIndexStmt *index)
{
    buf_put(buf, index->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (index->concurrently) {
        buf_put(buf, "CONCURRENTLY ");
    }
    if (index->if_not_exists) {
        buf_put(buf, "IF NOT EXISTS ");
    }
    if (index->name != NULL) {
        buf_ident(buf, index->name, IDENT_COLID);
        buf_put(buf, " ");
    }
    buf_put(buf, index->only ? "ON ONLY " : "ON ");
    relation(buf, index->relation);
    if (index->access_method != NULL) {
        buf_put(buf, " USING ");
        buf_ident(buf, index->access_method, IDENT_LABEL);
    }
    buf_put(buf, " ");
    index_elems(buf, &index->params);
    if (index->include.count > 0) {
        buf_put(buf, " INCLUDE ");
        paren_names(buf, &index->include);
    }
    if (index->nulls_not_distinct) {
        buf_put(buf, " NULLS NOT DISTINCT");
    }
    if (index->options.count > 0) {
        buf_put(buf, " WITH ");
        def_list(buf, &index->options, true);
    }
    if (index->where != NULL) {
        buf_put(buf, " WHERE ");
        deparse_expr(buf, index->where);
    }
}

static void create_view(Buf *buf, const CreateViewStmt *view)
{
    buf_put(buf, "CREATE ");
    if (view->replace) {
        buf_put(buf, "OR REPLACE ");
    }
    if (view->temporary) {
        buf_put(buf, "TEMPORARY ");
    }
    buf_put(buf, view->materialized ? "MATERIALIZED VIEW " : "VIEW ");
    if (view->if_not_exists) {
        buf_put(buf, "IF NOT EXISTS ");
    }
    relation(buf, view->view);
    if (view->columns.count > 0) {
        buf_put(buf, " ");
        paren_names(buf, &view->columns);
    }
    if (view->access_method != NULL) {
        buf_put(buf, " USING ");
        buf_ident(buf, view->access_method, IDENT_LABEL);
    }
    if (view->options.count > 0) {
        buf_put(buf, " WITH ");
        def_list(buf, &view->options, true);
    }
    buf_put(buf, " AS ");
    deparse_stmt(buf, view->query);
    if (view->with_no_data) {
        buf_put(buf, " WITH NO DATA");
    }
    if (view->check_option == 'l') {
        buf_put(buf, " WITH LOCAL CHECK OPTION");
    } else if (view->check_option == 'c') {
        buf_put(buf, " WITH CASCADED CHECK OPTION");
    }
}

static const char *object_kind_text(ObjectKind kind)
{
    static const char *const names[] = {
        [OBJECT_TABLE] = "TABLE",         [OBJECT_INDEX] = "INDEX",
        [OBJECT_VIEW] = "VIEW",           [OBJECT_MATVIEW] = "MATERIALIZED VIEW",
        [OBJECT_SEQUENCE] = "SEQUENCE",   [OBJECT_SCHEMA] = "SCHEMA",
        [OBJECT_ROLE] = "ROLE",           [OBJECT_DATABASE] = "DATABASE",
        [OBJECT_COLUMN] = "COLUMN",       [OBJECT_FUNCTION] = "FUNCTION",
        [OBJECT_TYPE] = "TYPE",           [OBJECT_CONSTRAINT] = "CONSTRAINT",
        [OBJECT_EXTENSION] = "EXTENSION", [OBJECT_TRIGGER] = "TRIGGER", [OBJECT_DOMAIN] = "DOMAIN",
    };
    return names[kind];
}

static void qualified(Buf *buf, const QualifiedName *name)
{
    buf_name_list(buf, &name->parts, IDENT_COLID);
}

static void drop_stmt(Buf *buf, const DropStmt *drop)
{
    buf_printf(buf, "DROP %s ", object_kind_text(drop->kind));
    if (drop->concurrently) {
        buf_put(buf, "CONCURRENTLY ");
    }
    if (drop->if_exists) {
        buf_put(buf, "IF EXISTS ");
    }
    for (int index = 0; index < drop->objects.count; index++) {
        if (index > 0) {
            buf_put(buf, ", ");
        }
        qualified(buf, (const QualifiedName *)drop->objects.items[index]);
    }
    if (drop->cascade) {
        buf_put(buf, " CASCADE");
    }
}

static void alter_cmd(Buf *buf, const AlterTableCmd *cmd)
{
    switch (cmd->kind) {
    case ALTER_ADD_COLUMN:
        buf_put(buf, cmd->if_not_exists ? "ADD COLUMN IF NOT EXISTS " : "ADD COLUMN ");
        column_def(buf, (const ColumnDef *)cmd->def);
        return;
    case ALTER_DROP_COLUMN:
    case ALTER_DROP_CONSTRAINT:
        buf_put(buf, cmd->kind == ALTER_DROP_COLUMN ? "DROP COLUMN " : "DROP CONSTRAINT ");
        if (cmd->if_exists) {
            buf_put(buf, "IF EXISTS ");
        }
        buf_ident(buf, cmd->name, IDENT_COLID);
        if (cmd->cascade) {
            buf_put(buf, " CASCADE");
        }
        return;
    case ALTER_RENAME_COLUMN:
    case ALTER_RENAME_CONSTRAINT:
        buf_put(buf, cmd->kind == ALTER_RENAME_COLUMN ? "RENAME COLUMN " : "RENAME CONSTRAINT ");
        buf_ident(buf, cmd->name, IDENT_COLID);
        buf_put(buf, " TO ");
        buf_ident(buf, cmd->new_name, IDENT_COLID);
        return;
    case ALTER_RENAME:
        buf_put(buf, "RENAME TO ");
        buf_ident(buf, cmd->new_name, IDENT_COLID);
        return;
    case ALTER_ADD_CONSTRAINT:
        buf_put(buf, "ADD ");
        constraint(buf, (const Constraint *)cmd->def, true);
        return;
    case ALTER_SET_ACCESS_METHOD:
    case ALTER_SET_SCHEMA:
    case ALTER_OWNER:
        buf_put(buf, cmd->kind == ALTER_SET_ACCESS_METHOD ? "SET ACCESS METHOD "
                     : cmd->kind == ALTER_SET_SCHEMA      ? "SET SCHEMA "
                                                          : "OWNER TO ");
        buf_ident(buf, cmd->new_name,
                  cmd->kind == ALTER_SET_ACCESS_METHOD ? IDENT_LABEL : IDENT_COLID);
        return;
    case ALTER_SET_OPTIONS:
    case ALTER_RESET_OPTIONS:
        buf_put(buf, cmd->kind == ALTER_SET_OPTIONS ? "SET " : "RESET ");
        def_list(buf, &cmd->options, true);
        return;
    case ALTER_ATTACH_PARTITION:
    case ALTER_DETACH_PARTITION:
        buf_put(buf, cmd->kind == ALTER_ATTACH_PARTITION ? "ATTACH PARTITION " : "DETACH PARTITION ");
        relation(buf, (const RangeVar *)cmd->def);
        if (cmd->bound != NULL) {
            partition_bound(buf, cmd->bound);
        }
        return;
    default:
        break;
    }
    buf_put(buf, "ALTER COLUMN ");
    buf_ident(buf, cmd->name, IDENT_COLID);
    switch (cmd->kind) {
    case ALTER_COLUMN_SET_DEFAULT:
        buf_put(buf, " SET DEFAULT ");
        deparse_expr(buf, cmd->def);
        return;
    case ALTER_COLUMN_DROP_DEFAULT:
        buf_put(buf, " DROP DEFAULT");
        return;
    case ALTER_COLUMN_SET_NOT_NULL:
        buf_put(buf, " SET NOT NULL");
        return;
    case ALTER_COLUMN_DROP_NOT_NULL:
        buf_put(buf, " DROP NOT NULL");
        return;
    case ALTER_COLUMN_ADD_IDENTITY:
        buf_put(buf, " ADD ");
        constraint(buf, (const Constraint *)cmd->def, false);
        return;
    default:
        break;
    }
    buf_put(buf, " TYPE ");
    deparse_type(buf, (const TypeName *)cmd->def);
    if (cmd->collation.count > 0) {
        buf_put(buf, " COLLATE ");
        buf_name_list(buf, &cmd->collation, IDENT_COLID);
    }
    if (cmd->using_expr != NULL) {
        buf_put(buf, " USING ");
        deparse_expr(buf, cmd->using_expr);
    }
}

static void alter_table(Buf *buf, const AlterTableStmt *alter)
{
    buf_printf(buf, "ALTER %s ", object_kind_text(alter->kind));
    if (alter->if_exists) {
        buf_put(buf, "IF EXISTS ");
    }
    relation(buf, alter->relation);
    for (int index = 0; index < alter->cmds.count; index++) {
        buf_put(buf, index == 0 ? " " : ", ");
        alter_cmd(buf, (const AlterTableCmd *)alter->cmds.items[index]);
    }
}

static void ddl_misc(Buf *buf, const Node *node)
{
    switch (node->tag) {
    case N_REFRESH_MATVIEW_STMT: {
        const RefreshMatViewStmt *refresh = (const RefreshMatViewStmt *)node;
        buf_put(buf, refresh->concurrently ? "REFRESH MATERIALIZED VIEW CONCURRENTLY "
                                           : "REFRESH MATERIALIZED VIEW ");
        relation(buf, refresh->view);
        if (refresh->with_no_data) {
            buf_put(buf, " WITH NO DATA");
        }
        return;
    }
    case N_CREATE_SCHEMA_STMT: {
        const CreateSchemaStmt *schema = (const CreateSchemaStmt *)node;
        buf_put(buf, schema->if_not_exists ? "CREATE SCHEMA IF NOT EXISTS" : "CREATE SCHEMA");
        if (schema->name != NULL) {
            buf_put(buf, " ");
            buf_ident(buf, schema->name, IDENT_COLID);
        }
        if (schema->authorization != NULL) {
            buf_put(buf, " AUTHORIZATION ");
            buf_ident(buf, schema->authorization, IDENT_FUNC);
        }
        return;
    }
    case N_CREATE_SEQUENCE_STMT: {
        const CreateSequenceStmt *seq = (const CreateSequenceStmt *)node;
        if (seq->is_alter) {
            buf_put(buf, seq->if_exists ? "ALTER SEQUENCE IF EXISTS " : "ALTER SEQUENCE ");
        } else {
            buf_put(buf, seq->temporary ? "CREATE TEMPORARY SEQUENCE " : "CREATE SEQUENCE ");
            if (seq->if_not_exists) {
                buf_put(buf, "IF NOT EXISTS ");
            }
        }
        relation(buf, seq->sequence);
        seq_options(buf, &seq->options);
        return;
    }
    case N_TRUNCATE_STMT: {
        const TruncateStmt *truncate = (const TruncateStmt *)node;
        buf_put(buf, "TRUNCATE TABLE ");
        for (int index = 0; index < truncate->relations.count; index++) {
            if (index > 0) {
                buf_put(buf, ", ");
            }
            relation(buf, (const RangeVar *)truncate->relations.items[index]);
        }
        if (truncate->restart_identity) {
            buf_put(buf, " RESTART IDENTITY");
        }
        if (truncate->cascade) {
            buf_put(buf, " CASCADE");
        }
        return;
    }
    case N_CREATE_ENUM_STMT: {
        const CreateEnumStmt *create = (const CreateEnumStmt *)node;
        buf_put(buf, "CREATE TYPE ");
        qualified(buf, create->name);
        buf_put(buf, " AS ENUM (");
        for (int index = 0; index < create->labels.count; index++) {
            buf_put(buf, index > 0 ? ", " : "");
            buf_string_literal(buf, create->labels.items[index],
                               strlen(create->labels.items[index]));
        }
        buf_put(buf, ")");
        return;
    }
    case N_ALTER_ENUM_STMT: {
        const AlterEnumStmt *alter = (const AlterEnumStmt *)node;
        buf_put(buf, "ALTER TYPE ");
        qualified(buf, alter->name);
        buf_put(buf, alter->if_not_exists ? " ADD VALUE IF NOT EXISTS " : " ADD VALUE ");
        buf_string_literal(buf, alter->label, strlen(alter->label));
        if (alter->neighbor != NULL) {
            buf_put(buf, alter->is_before ? " BEFORE " : " AFTER ");
            buf_string_literal(buf, alter->neighbor, strlen(alter->neighbor));
        }
        return;
    }
    default:
        buf_printf(buf, "<%s>", ast_tag_name(node->tag));
        return;
    }
}

/* ---------------- roles, comments, grants ---------------- */

static void role_stmt(Buf *buf, const RoleStmt *role)
{
    static const char *const actions[] = {"CREATE", "ALTER", "DROP"};
    buf_printf(buf, "%s %s ", actions[role->action], role->is_user ? "USER" : "ROLE");
    if (role->if_exists) {
        buf_put(buf, "IF EXISTS ");
    }
    for (int index = 0; index < role->names.count; index++) {
        if (index > 0) {
            buf_put(buf, ", ");
        }
        buf_ident(buf, role->names.items[index], IDENT_FUNC);
    }
    if (role->new_name != NULL) {
        buf_put(buf, " RENAME TO ");
        buf_ident(buf, role->new_name, IDENT_FUNC);
        return;
    }
    for (int index = 0; index < role->options.count; index++) {
        const DefElem *def = (const DefElem *)role->options.items[index];
        buf_put(buf, index == 0 ? " WITH " : " ");
        if (strcmp(def->name, "password") == 0) {
            buf_put(buf, "PASSWORD ");
            deparse_expr(buf, def->arg);
        } else if (strcmp(def->name, "connection_limit") == 0) {
            buf_put(buf, "CONNECTION LIMIT ");
            deparse_expr(buf, def->arg);
        } else if (strcmp(def->name, "valid_until") == 0) {
            buf_put(buf, "VALID UNTIL ");
            deparse_expr(buf, def->arg);
        } else if (strcmp(def->name, "sysid") == 0) {
            buf_put(buf, "SYSID ");
            deparse_expr(buf, def->arg);
        } else if (strcmp(def->name, "in_role") == 0 || strcmp(def->name, "role") == 0 ||
                   strcmp(def->name, "admin") == 0) {
            buf_put(buf, strcmp(def->name, "in_role") == 0 ? "IN ROLE "
                         : strcmp(def->name, "role") == 0  ? "ROLE "
                                                           : "ADMIN ");
            buf_ident(buf, def->word, IDENT_FUNC);
        } else {
            buf_printf(buf, "%s%s", strcmp(def->word, "true") == 0 ? "" : "NO", def->name);
        }
    }
}

static void comment_stmt(Buf *buf, const CommentStmt *comment)
{
    buf_printf(buf, "COMMENT ON %s ", object_kind_text(comment->kind));
    const NameList *parts = &comment->object->parts;
    if (comment->kind == OBJECT_CONSTRAINT || comment->kind == OBJECT_TRIGGER) {
        NameList table = *parts;
        table.count--;
        buf_ident(buf, parts->items[parts->count - 1], IDENT_COLID);
        buf_put(buf, " ON ");
        buf_name_list(buf, &table, IDENT_COLID);
    } else {
        buf_name_list(buf, parts, IDENT_COLID);
    }
    buf_put(buf, " IS ");
    if (comment->comment == NULL) {
        buf_put(buf, "NULL");
    } else {
        buf_string_literal(buf, comment->comment, strlen(comment->comment));
    }
}

static void grant_stmt(Buf *buf, const GrantStmt *grant)
{
    buf_put(buf, grant->is_grant ? "GRANT " : "REVOKE ");
    if (!grant->is_grant && grant->with_grant_option) {
        buf_put(buf, grant->is_role_grant ? "ADMIN OPTION FOR " : "GRANT OPTION FOR ");
    }
    if (grant->all_privileges) {
        buf_put(buf, "ALL PRIVILEGES");
        if (grant->all_columns.count > 0) {
            buf_put(buf, " ");
            paren_names(buf, &grant->all_columns);
        }
    }
    for (int index = 0; index < grant->privileges.count; index++) {
        if (index > 0) {
            buf_put(buf, ", ");
        }
        buf_ident(buf, grant->privileges.items[index], IDENT_LABEL);
        if (grant->columns != NULL && grant->columns[index].count > 0) {
            buf_put(buf, " ");
            paren_names(buf, &grant->columns[index]);
        }
    }
    if (!grant->is_role_grant) {
        buf_put(buf, " ON ");
        if (grant->all_in_schema) {
            buf_put(buf, grant->kind == OBJECT_TABLE      ? "ALL TABLES IN SCHEMA "
                         : grant->kind == OBJECT_SEQUENCE ? "ALL SEQUENCES IN SCHEMA "
                                                          : "ALL FUNCTIONS IN SCHEMA ");
        } else {
            buf_printf(buf, "%s ", object_kind_text(grant->kind));
        }
        for (int index = 0; index < grant->objects.count; index++) {
            if (index > 0) {
                buf_put(buf, ", ");
            }
            qualified(buf, (const QualifiedName *)grant->objects.items[index]);
        }
    }
    buf_put(buf, grant->is_grant ? " TO " : " FROM ");
    for (int index = 0; index < grant->grantees.count; index++) {
        if (index > 0) {
            buf_put(buf, ", ");
        }
        buf_ident(buf, grant->grantees.items[index], IDENT_FUNC);
    }
    if (grant->is_grant && grant->with_grant_option) {
        buf_put(buf, grant->is_role_grant ? " WITH ADMIN OPTION" : " WITH GRANT OPTION");
    }
    if (grant->granted_by.count > 0) {
        buf_put(buf, " GRANTED BY ");
        buf_ident(buf, grant->granted_by.items[0], IDENT_FUNC);
    }
    if (grant->cascade) {
        buf_put(buf, " CASCADE");
    }
}

/* ---------------- utility statements ---------------- */

static void transaction_modes(Buf *buf, const NodeList *options)
{
    for (int index = 0; index < options->count; index++) {
        const DefElem *def = (const DefElem *)options->items[index];
        buf_put(buf, index == 0 ? " " : ", ");
        if (strcmp(def->name, "transaction_isolation") == 0) {
            buf_put(buf, "ISOLATION LEVEL ");
            for (const char *scan = def->word; *scan != '\0'; scan++) {
                char c = *scan >= 'a' && *scan <= 'z' ? (char)(*scan - 'a' + 'A') : *scan;
                buf_putn(buf, &c, 1);
            }
        } else if (strcmp(def->name, "transaction_read_only") == 0) {
            buf_put(buf, strcmp(def->word, "true") == 0 ? "READ ONLY" : "READ WRITE");
        } else {
            buf_put(buf, strcmp(def->word, "true") == 0 ? "DEFERRABLE" : "NOT DEFERRABLE");
        }
    }
}

static void transaction_stmt(Buf *buf, const TransactionStmt *txn)
{
    switch (txn->kind) {
    case TXN_BEGIN:
        buf_put(buf, txn->is_start ? "START TRANSACTION" : "BEGIN");
        transaction_modes(buf, &txn->options);
        return;
    case TXN_COMMIT:
        buf_put(buf, txn->chain ? "COMMIT AND CHAIN" : "COMMIT");
        return;
    case TXN_ROLLBACK:
        buf_put(buf, txn->chain ? "ROLLBACK AND CHAIN" : "ROLLBACK");
        return;
    case TXN_SAVEPOINT:
        buf_put(buf, "SAVEPOINT ");
        break;
    case TXN_RELEASE:
        buf_put(buf, "RELEASE SAVEPOINT ");
        break;
    case TXN_ROLLBACK_TO:
        buf_put(buf, "ROLLBACK TO SAVEPOINT ");
        break;
    }
    buf_ident(buf, txn->savepoint, IDENT_COLID);
}

static void dotted_name(Buf *buf, const char *name)
{
    /* var names are "a.b": quote each part as needed */
    const char *start = name;
    for (const char *scan = name;; scan++) {
        if (*scan == '.' || *scan == '\0') {
            char part[256];
            size_t length = (size_t)(scan - start);
            if (length >= sizeof(part)) {
                length = sizeof(part) - 1;
            }
            memcpy(part, start, length);
            part[length] = '\0';
            buf_ident(buf, part, IDENT_COLID);
            if (*scan == '\0') {
                return;
            }
            buf_put(buf, ".");
            start = scan + 1;
        }
    }
}

static void set_stmt(Buf *buf, const SetStmt *set)
{
    switch (set->kind) {
    case SET_RESET:
        buf_put(buf, "RESET ");
        dotted_name(buf, set->name);
        return;
    case SET_RESET_ALL:
        buf_put(buf, "RESET ALL");
        return;
    case SET_TRANSACTION:
        buf_put(buf, set->is_session_characteristics ? "SET SESSION CHARACTERISTICS AS TRANSACTION"
                                                     : "SET TRANSACTION");
        transaction_modes(buf, &set->options);
        return;
    default:
        break;
    }
    buf_put(buf, set->is_local ? "SET LOCAL " : "SET ");
    dotted_name(buf, set->name);
    if (set->kind == SET_DEFAULT) {
        buf_put(buf, " TO DEFAULT");
        return;
    }
    buf_put(buf, " TO ");
    deparse_expr_list(buf, &set->values);
}

static void explain_stmt(Buf *buf, const ExplainStmt *explain)
{
    buf_put(buf, "EXPLAIN ");
    if (explain->options.count > 0) {
        def_list(buf, &explain->options, false);
        buf_put(buf, " ");
    }
    deparse_stmt(buf, explain->query);
}

static void copy_stmt(Buf *buf, const CopyStmt *copy)
{
    buf_put(buf, "COPY ");
    if (copy->query != NULL) {
        buf_put(buf, "(");
        deparse_stmt(buf, copy->query);
        buf_put(buf, ")");
    } else {
        relation(buf, copy->relation);
        if (copy->columns.count > 0) {
            buf_put(buf, " ");
            paren_names(buf, &copy->columns);
        }
    }
    buf_put(buf, copy->is_from ? " FROM " : " TO ");
    if (copy->is_program) {
        buf_put(buf, "PROGRAM ");
    }
    if (copy->filename != NULL) {
        buf_string_literal(buf, copy->filename, strlen(copy->filename));
    } else {
        buf_put(buf, copy->is_from ? "STDIN" : "STDOUT");
    }
    if (copy->options.count > 0) {
        /* the generic form; force_* words hold comma-joined columns */
        buf_put(buf, " (");
        for (int index = 0; index < copy->options.count; index++) {
            const DefElem *def = (const DefElem *)copy->options.items[index];
            if (index > 0) {
                buf_put(buf, ", ");
            }
            buf_ident(buf, def->name, IDENT_LABEL);
            if (def->word != NULL && strncmp(def->name, "force_", 6) == 0 &&
                strcmp(def->word, "*") != 0) {
                buf_printf(buf, " (%s)", def->word);
            } else if (def->word != NULL) {
                buf_put(buf, " ");
                if (strcmp(def->word, "*") == 0) {
                    buf_put(buf, "*");
                } else {
                    buf_ident(buf, def->word, IDENT_LABEL);
                }
            } else if (def->arg != NULL) {
                buf_put(buf, " ");
                deparse_expr(buf, def->arg);
            }
        }
        buf_put(buf, ")");
    }
    if (copy->where != NULL) {
        buf_put(buf, " WHERE ");
        deparse_expr(buf, copy->where);
    }
}

static void vacuum_stmt(Buf *buf, const VacuumStmt *vacuum)
{
    buf_put(buf, vacuum->is_vacuum ? "VACUUM" : "ANALYZE");
    if (vacuum->options.count > 0) {
        buf_put(buf, " ");
        def_list(buf, &vacuum->options, false);
    }
    if (vacuum->full) {
        buf_put(buf, " FULL");
    }
    if (vacuum->freeze) {
        buf_put(buf, " FREEZE");
    }
    if (vacuum->verbose) {
        buf_put(buf, " VERBOSE");
    }
    if (vacuum->analyze) {
        buf_put(buf, " ANALYZE");
    }
    for (int index = 0; index < vacuum->relations.count; index++) {
        const RangeVar *rv = (const RangeVar *)vacuum->relations.items[index];
        buf_put(buf, index == 0 ? " " : ", ");
        relation(buf, rv);
        if (rv->alias != NULL && rv->alias->columns.count > 0) {
            buf_put(buf, " ");
            paren_names(buf, &rv->alias->columns);
        }
    }
}

static void utility_misc(Buf *buf, const Node *node)
{
    switch (node->tag) {
    case N_SHOW_STMT:
        buf_put(buf, "SHOW ");
        if (strcmp(((const ShowStmt *)node)->name, "all") == 0) {
            buf_put(buf, "ALL");
        } else {
            dotted_name(buf, ((const ShowStmt *)node)->name);
        }
        return;
    case N_PREPARE_STMT: {
        const PrepareStmt *prepare = (const PrepareStmt *)node;
        buf_put(buf, "PREPARE ");
        buf_ident(buf, prepare->name, IDENT_COLID);
        for (int index = 0; index < prepare->arg_types.count; index++) {
            buf_put(buf, index == 0 ? " (" : ", ");
            deparse_type(buf, (const TypeName *)prepare->arg_types.items[index]);
        }
        buf_put(buf, prepare->arg_types.count > 0 ? ") AS " : " AS ");
        deparse_stmt(buf, prepare->query);
        return;
    }
    case N_EXECUTE_STMT: {
        const ExecuteStmt *execute = (const ExecuteStmt *)node;
        buf_put(buf, "EXECUTE ");
        buf_ident(buf, execute->name, IDENT_COLID);
        if (execute->params.count > 0) {
            buf_put(buf, "(");
            deparse_expr_list(buf, &execute->params);
            buf_put(buf, ")");
        }
        return;
    }
    case N_DEALLOCATE_STMT:
        buf_put(buf, "DEALLOCATE ");
        if (((const DeallocateStmt *)node)->name == NULL) {
            buf_put(buf, "ALL");
        } else {
            buf_ident(buf, ((const DeallocateStmt *)node)->name, IDENT_COLID);
        }
        return;
    case N_CHECKPOINT_STMT:
        buf_put(buf, "CHECKPOINT");
        return;
    case N_DISCARD_STMT: {
        static const char *const kinds[] = {"ALL", "PLANS", "SEQUENCES", "TEMP"};
        buf_printf(buf, "DISCARD %s", kinds[((const DiscardStmt *)node)->kind]);
        return;
    }
    case N_LISTEN_STMT: {
        const ListenStmt *listen = (const ListenStmt *)node;
        static const char *const kinds[] = {"LISTEN ", "UNLISTEN ", "NOTIFY "};
        buf_put(buf, kinds[listen->kind]);
        if (listen->channel == NULL) {
            buf_put(buf, "*");
            return;
        }
        buf_ident(buf, listen->channel, IDENT_COLID);
        if (listen->payload != NULL) {
            buf_put(buf, ", ");
            buf_string_literal(buf, listen->payload, strlen(listen->payload));
        }
        return;
    }
    default:
        ddl_misc(buf, node);
        return;
    }
}

void deparse_stmt(Buf *buf, const Node *stmt)
{
    switch (stmt->tag) {
    case N_SELECT_STMT:
        select_stmt(buf, (const SelectStmt *)stmt);
        return;
    case N_INSERT_STMT:
        insert_stmt(buf, (const InsertStmt *)stmt);
        return;
    case N_UPDATE_STMT:
        update_stmt(buf, (const UpdateStmt *)stmt);
        return;
    case N_DELETE_STMT:
        delete_stmt(buf, (const DeleteStmt *)stmt);
        return;
    case N_CREATE_TABLE_STMT:
        create_table(buf, (const CreateTableStmt *)stmt);
        return;
    case N_CREATE_INDEX_STMT:
        create_index(buf, (const CreateIndexStmt *)stmt);
        return;
    case N_CREATE_VIEW_STMT:
        create_view(buf, (const CreateViewStmt *)stmt);
        return;
    case N_DROP_STMT:
        drop_stmt(buf, (const DropStmt *)stmt);
        return;
    case N_ALTER_TABLE_STMT:
        alter_table(buf, (const AlterTableStmt *)stmt);
        return;
    case N_ROLE_STMT:
        role_stmt(buf, (const RoleStmt *)stmt);
        return;
    case N_COMMENT_STMT:
        comment_stmt(buf, (const CommentStmt *)stmt);
        return;
    case N_GRANT_STMT:
        grant_stmt(buf, (const GrantStmt *)stmt);
        return;
    case N_TRANSACTION_STMT:
        transaction_stmt(buf, (const TransactionStmt *)stmt);
        return;
    case N_SET_STMT:
        set_stmt(buf, (const SetStmt *)stmt);
        return;
    case N_EXPLAIN_STMT:
        explain_stmt(buf, (const ExplainStmt *)stmt);
        return;
    case N_COPY_STMT:
        copy_stmt(buf, (const CopyStmt *)stmt);
        return;
    case N_VACUUM_STMT:
        vacuum_stmt(buf, (const VacuumStmt *)stmt);
        return;
    default:
        utility_misc(buf, stmt);
        return;
    }
}

char *sql_deparse_stmt(const Stmt *stmt, Arena *arena)
{
    Buf buf = {.arena = arena};
    deparse_stmt(&buf, stmt);
    buf_put(&buf, "");
    return buf.failed ? NULL : buf.data;
}
