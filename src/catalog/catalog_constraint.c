/*
 * catalog/catalog_constraint.c - how constraints look in pg_constraint:
 * their object ids and PostgreSQL's pg_get_constraintdef text (see
 * catalog.h). Used by the pg_constraint system view and by the binder's
 * pg_get_constraintdef, so both agree.
 *
 * See src/catalog/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "sql/parser.h"

uint64_t catalog_constraint_oid(const CatTable *t, int index)
{
    return (t->id << 16) | (uint64_t)(index + 1);
}

/* "(a, b)" of column indexes into t, quoted as needed. */
static char *column_list(Arena *a, const CatTable *t, const int *columns, int count)
{
    char *text = arena_strdup(a, "(");
    for (int k = 0; text != NULL && k < count; k++) {
        const char *name = columns[k] >= 0 && columns[k] < t->column_count
                               ? sql_quote_identifier(t->columns[columns[k]].name, a)
                               : "?";
        text = name != NULL ? arena_sprintf(a, "%s%s%s", text, k ? ", " : "", name) : NULL;
    }
    return text != NULL ? arena_sprintf(a, "%s)", text) : NULL;
}

static const char *action_text(char action)
{
    switch (action) {
    case CAT_FK_RESTRICT:
        return "RESTRICT";
    case CAT_FK_CASCADE:
        return "CASCADE";
    case CAT_FK_SET_NULL:
        return "SET NULL";
    case CAT_FK_SET_DEFAULT:
        return "SET DEFAULT";
    default:
        return NULL; /* NO ACTION is not printed */
    }
}

static char *foreign_key_def(Arena *a, const Catalog *c, const CatTable *t,
                             const CatConstraint *con)
{
    const CatTable *ref = catalog_table_by_id(c, con->ref_table_id);
    char *cols = column_list(a, t, con->columns, con->column_count);
    if (ref == NULL || cols == NULL) {
        return cols == NULL ? NULL : arena_sprintf(a, "FOREIGN KEY %s", cols);
    }
    char *ref_cols = column_list(a, ref, con->ref_columns, con->column_count);
    const char *ref_name = sql_quote_identifier(ref->name, a);
    if (ref_name != NULL && strcmp(ref->schema, "public") != 0) {
        ref_name = arena_sprintf(a, "%s.%s", sql_quote_identifier(ref->schema, a), ref_name);
    }
    const char *on_update = action_text(con->on_update), *on_delete = action_text(con->on_delete);
    if (ref_cols == NULL || ref_name == NULL) {
        return NULL;
    }
    return arena_sprintf(a, "FOREIGN KEY %s REFERENCES %s%s%s%s%s%s%s", cols, ref_name, ref_cols,
                         con->match_full ? " MATCH FULL" : "", on_update ? " ON UPDATE " : "",
                         on_update ? on_update : "", on_delete ? " ON DELETE " : "",
                         on_delete ? on_delete : "");
}

char *catalog_constraint_def(Arena *a, const Catalog *c, const CatTable *t, int index)
{
    const CatConstraint *con = &t->constraints[index];
    switch (con->kind) {
    case CAT_CONSTRAINT_CHECK: {
        const char *sql = con->check_sql != NULL ? con->check_sql : "";
        size_t len = strlen(sql);
        /* one pair of outer parentheses is the CHECK's own */
        bool wrapped = len >= 2 && sql[0] == '(' && sql[len - 1] == ')';
        return wrapped ? arena_sprintf(a, "CHECK %s", sql) : arena_sprintf(a, "CHECK (%s)", sql);
    }
    case CAT_CONSTRAINT_UNIQUE:
    case CAT_CONSTRAINT_PRIMARY: {
        char *cols = column_list(a, t, con->columns, con->column_count);
        return cols == NULL
                   ? NULL
                   : arena_sprintf(a, "%s %s",
                                   con->kind == CAT_CONSTRAINT_PRIMARY ? "PRIMARY KEY" : "UNIQUE",
                                   cols);
    }
    case CAT_CONSTRAINT_FOREIGN:
        return foreign_key_def(a, c, t, con);
    }
    return NULL;
}

uint64_t catalog_domain_constraint_oid(const CatType *t, int index)
{
    return (t->id << 16) + (uint64_t)index + 1;
}
