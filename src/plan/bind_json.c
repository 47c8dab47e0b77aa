/*
 * plan/bind_json.c - the json functions that need the binder: record-returning
 * functions in FROM with a column definition list, and whole-row values.
 *
 * 1. FROM jsonb_to_recordset(x) AS r(a int, b text) (and jsonb_to_record,
 *    json_to_record[set], jsonb_populate_record[set](NULL::t, x),
 *    json_populate_record[set]) becomes the lateral subquery
 *
 *      (SELECT "$record_field"("$row", 'a', CAST(NULL AS int)) AS a, ...
 *       FROM jsonb_to_recordset(x) [WITH ORDINALITY] AS "$rows"("$row"[, "$n"]))
 *
 *    whose generator (types/func_json_record.c, registered under the
 *    function's own name, so argument errors name it) returns one jsonb
 *    object per row, and "$record_field" converts each column as PostgreSQL's
 *    populate_record_field. A lateral subquery rather than a multi-column
 *    function scan: the executor's lateral join, LEFT JOIN ... ON true and
 *    WITH ORDINALITY then come for free, as for jsonb_each (bind_select.c).
 *    The populate functions take their columns from the table named by the
 *    first argument's cast (NULL::t).
 *
 * 2. A whole-row reference as an argument of to_jsonb / to_json /
 *    row_to_json / jsonb_agg / json_agg / json[b]_build_object /
 *    json[b]_build_array (`to_jsonb(u)` over FROM users u, `row_to_json(row(1,
 *    'a'))`) is spelled out: jsonb_build_object('id', u.id, ...) for the jsonb
 *    functions, "$row_to_json"('id', u.id, ...) for the json ones; anonymous
 *    rows name their fields f1, f2, ... A column of that name wins over a
 *    table alias, as in PostgreSQL.
 *
 * See src/plan/README.md.
 */
#include <string.h>

#include "plan/bind_int.h"
#include "sql/parser.h"
#include "types/jsonpath.h"
#include "types/typeinfo.h"

#define FAIL_AT(loc, state, ...) (error_set(b->err, state, __VA_ARGS__), bind_error_pos(b, (loc)))

static int nomem(Binder *b)
{
    return arena_error(b->a, b->err);
}

#define ROWS_ALIAS "$rows"
#define ROW_COLUMN "$row"
#define ORDINALITY_COLUMN "$n"

static const char *const RECORD_FUNCTIONS[] = {
    "jsonb_to_record",      "jsonb_to_recordset",      "json_to_record",
    "json_to_recordset",    "jsonb_populate_record",   "jsonb_populate_recordset",
    "json_populate_record", "json_populate_recordset",
};

static bool is_record_function(const char *name, bool *populate)
{
    for (size_t index = 0; index < sizeof RECORD_FUNCTIONS / sizeof RECORD_FUNCTIONS[0]; index++) {
        if (strcmp(name, RECORD_FUNCTIONS[index]) == 0) {
            *populate = strstr(name, "populate") != NULL;
            return true;
        }
    }
    return false;
}

static Node *make_string(Binder *b, const char *text, int location)
{
    Const *c = AST_NEW(b->a, Const, N_CONST, location);
    if (c == NULL || (c->text = arena_strdup(b->a, text)) == NULL) {
        return NULL;
    }
    c->kind = CONST_STRING;
    c->text_length = strlen(text);
    return (Node *)c;
}

static Node *make_column_ref(Binder *b, const char *table, const char *column, int location)
{
    ColumnRef *ref = AST_NEW(b->a, ColumnRef, N_COLUMN_REF, location);
    if (ref == NULL || (table != NULL && name_list_append(b->a, &ref->fields, (char *)table)) ||
        name_list_append(b->a, &ref->fields, (char *)column)) {
        return NULL;
    }
    return (Node *)ref;
}

static FuncCall *make_call(Binder *b, const char *name, int location)
{
    FuncCall *call = AST_NEW(b->a, FuncCall, N_FUNC_CALL, location);
    if (call == NULL || name_list_append(b->a, &call->name, (char *)name)) {
        return NULL;
    }
    return call;
}

/* One column definition: its name and the CAST(NULL AS type) giving its type. */
typedef struct RecordColumn {
    const char *name;
    Node *typed_null;
} RecordColumn;

static int columns_from_defs(Binder *b, const RangeFunction *rf, RecordColumn *columns)
{
    for (int index = 0; index < rf->column_defs.count; index++) {
        const ColumnDef *def = (const ColumnDef *)rf->column_defs.items[index];
        for (int before = 0; before < index; before++) {
            if (strcmp(columns[before].name, def->name) == 0) {
                return FAIL_AT(def->location, SQLSTATE_DUPLICATE_COLUMN,
                               "column name \"%s\" specified more than once", def->name);
            }
        }
        Cast *cast = AST_NEW(b->a, Cast, N_CAST, def->location);
        Const *null = AST_NEW(b->a, Const, N_CONST, def->location);
        if (cast == NULL || null == NULL) {
            return nomem(b);
        }
        null->kind = CONST_NULL;
        cast->arg = (Node *)null;
        cast->type = def->type;
        columns[index].name = def->name;
        columns[index].typed_null = (Node *)cast;
    }
    return STRATA_OK;
}

/* The row type of jsonb_populate_record's first argument NULL::t: t's columns. */
static int columns_from_table(Binder *b, const FuncCall *fc, const char *name,
                              RecordColumn **columns, int *count)
{
    const Node *base = fc->args.count == 2 ? fc->args.items[0] : NULL;
    if (base == NULL || base->tag != N_CAST || ((const Cast *)base)->arg->tag != N_CONST ||
        ((const Const *)((const Cast *)base)->arg)->kind != CONST_NULL) {
        if (base != NULL && base->tag != N_CAST && base->tag != N_ROW) {
            return FAIL_AT(fc->location, SQLSTATE_DATATYPE_MISMATCH,
                           "first argument of %s must be a row type", name);
        }
        return FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                       "%s is supported only with a first argument NULL::table", name);
    }
    const TypeName *type = ((const Cast *)base)->type;
    const CatTable *t = catalog_find_table(b->env->catalog, type->schema, type->name);
    if (t == NULL) {
        SqlType scalar;
        if (type_from_name(type->name, NULL, 0, &scalar, b->err) != STRATA_OK) {
            return bind_error_pos(b, type->location); /* 42704 at the type name */
        }
        return FAIL_AT(fc->location, SQLSTATE_DATATYPE_MISMATCH,
                       "first argument of %s must be a row type", name);
    }
    *columns = arena_zalloc(b->a, sizeof(RecordColumn) * (size_t)(t->column_count + 1));
    if (*columns == NULL) {
        return nomem(b);
    }
    for (int c = 0; c < t->column_count; c++) {
        const char *type_text = type_name(t->columns[c].type, b->a);
        char *text = type_text ? arena_sprintf(b->a, "CAST(NULL AS %s)", type_text) : NULL;
        if (text == NULL) {
            return nomem(b);
        }
        if (sql_parse_expr(text, strlen(text), b->a, &(*columns)[c].typed_null, b->err) !=
            STRATA_OK) {
            return b->err->code;
        }
        (*columns)[c].name = t->columns[c].name;
    }
    *count = t->column_count;
    return STRATA_OK;
}

/* The generator call: the function itself, over the original arguments (the
 * populate functions' row-type argument replaced by a plain NULL). */
static int generator(Binder *b, const RangeFunction *rf, bool populate, RangeFunction **out)
{
    const FuncCall *fc = (const FuncCall *)rf->function;
    FuncCall *call = arena_memdup(b->a, fc, sizeof(FuncCall));
    RangeFunction *range = AST_NEW(b->a, RangeFunction, N_RANGE_FUNCTION, rf->location);
    Alias *alias = AST_NEW(b->a, Alias, N_ALIAS, rf->location);
    if (call == NULL || range == NULL || alias == NULL) {
        return nomem(b);
    }
    if (populate && fc->args.count == 2) {
        call->args = (NodeList){0};
        Const *null = AST_NEW(b->a, Const, N_CONST, fc->args.items[0]->location);
        if (null == NULL || node_list_append(b->a, &call->args, (Node *)null) ||
            node_list_append(b->a, &call->args, fc->args.items[1])) {
            return nomem(b);
        }
        null->kind = CONST_NULL;
    }
    alias->name = ROWS_ALIAS;
    if (name_list_append(b->a, &alias->columns, ROW_COLUMN) ||
        (rf->with_ordinality && name_list_append(b->a, &alias->columns, ORDINALITY_COLUMN))) {
        return nomem(b);
    }
    range->function = (Node *)call;
    range->with_ordinality = rf->with_ordinality;
    range->alias = alias;
    *out = range;
    return STRATA_OK;
}

static int record_select(Binder *b, const RangeFunction *rf, const RecordColumn *columns, int count,
                         RangeFunction *rows, SelectStmt **out)
{
    SelectStmt *sel = AST_NEW(b->a, SelectStmt, N_SELECT_STMT, rf->location);
    if (sel == NULL || node_list_append(b->a, &sel->from, (Node *)rows)) {
        return nomem(b);
    }
    for (int c = 0; c <= count; c++) {
        if (c == count && !rf->with_ordinality) {
            break;
        }
        ResTarget *target = AST_NEW(b->a, ResTarget, N_RES_TARGET, rf->location);
        if (target == NULL) {
            return nomem(b);
        }
        if (c == count) {
            target->name = "ordinality";
            target->val = make_column_ref(b, ROWS_ALIAS, ORDINALITY_COLUMN, rf->location);
        } else {
            FuncCall *field = make_call(b, "$record_field", rf->location);
            Node *row = make_column_ref(b, ROWS_ALIAS, ROW_COLUMN, rf->location);
            Node *key = make_string(b, columns[c].name, rf->location);
            if (field == NULL || row == NULL || key == NULL ||
                node_list_append(b->a, &field->args, row) ||
                node_list_append(b->a, &field->args, key) ||
                node_list_append(b->a, &field->args, columns[c].typed_null)) {
                return nomem(b);
            }
            target->name = (char *)columns[c].name;
            target->val = (Node *)field;
        }
        if (target->val == NULL || node_list_append(b->a, &sel->targets, (Node *)target)) {
            return nomem(b);
        }
    }
    *out = sel;
    return STRATA_OK;
}

bool bind_json_is_generator(const RangeFunction *rf)
{
    return rf->alias != NULL && rf->alias->name != NULL && strcmp(rf->alias->name, ROWS_ALIAS) == 0;
}

int bind_json_record_rewrite(Binder *b, const RangeFunction *rf, RangeSubselect **out)
{
    *out = NULL;
    if (rf->function->tag != N_FUNC_CALL || bind_json_is_generator(rf)) {
        return STRATA_OK; /* not a function call, or our own generator */
    }
    const FuncCall *fc = (const FuncCall *)rf->function;
    const char *name = fc->name.items[fc->name.count - 1];
    bool populate = false;
    bool is_record = is_record_function(name, &populate) && fc->over == NULL &&
                     (fc->name.count == 1 || strcmp(fc->name.items[0], "pg_catalog") == 0);
    int defs_at = rf->column_defs.count > 0 ? rf->column_defs.items[0]->location : rf->location;
    if (!is_record || populate) {
        if (rf->column_defs.count > 0) {
            return FAIL_AT(defs_at, SQLSTATE_SYNTAX_ERROR,
                           populate ? "a column definition list is redundant for a function "
                                      "returning a named composite type"
                                    : "a column definition list is only allowed for functions "
                                      "returning \"record\"");
        }
        if (!is_record) {
            return STRATA_OK;
        }
    } else if (rf->column_defs.count == 0) {
        return FAIL_AT(fc->location, SQLSTATE_SYNTAX_ERROR,
                       "a column definition list is required for functions returning \"record\"");
    } else if (rf->with_ordinality && !rf->rows_from) {
        int failed = FAIL_AT(defs_at, SQLSTATE_SYNTAX_ERROR,
                             "WITH ORDINALITY cannot be used with a column definition list");
        error_hint(b->err, "Put the column definition list inside ROWS FROM().");
        return failed;
    }
    RecordColumn *columns = NULL;
    int count = rf->column_defs.count;
    int rc;
    if (populate) {
        rc = columns_from_table(b, fc, name, &columns, &count);
    } else {
        columns = arena_zalloc(b->a, sizeof(RecordColumn) * (size_t)(count + 1));
        rc = columns == NULL ? nomem(b) : columns_from_defs(b, rf, columns);
    }
    RangeFunction *rows = NULL;
    SelectStmt *sel = NULL;
    if (rc != STRATA_OK || (rc = generator(b, rf, populate, &rows)) != STRATA_OK ||
        (rc = record_select(b, rf, columns, count, rows, &sel)) != STRATA_OK) {
        return rc;
    }
    RangeSubselect *rs = AST_NEW(b->a, RangeSubselect, N_RANGE_SUBSELECT, rf->location);
    if (rs == NULL) {
        return nomem(b);
    }
    rs->lateral = true;
    rs->subquery = (Node *)sel;
    rs->alias = rf->alias;
    if (rs->alias == NULL) {
        Alias *alias = AST_NEW(b->a, Alias, N_ALIAS, rf->location);
        if (alias == NULL || (alias->name = arena_strdup(b->a, name)) == NULL) {
            return nomem(b);
        }
        rs->alias = alias;
    }
    *out = rs;
    return STRATA_OK;
}

/* ---- whole-row values ---------------------------------------------------------- */

static bool scope_has_column(const Scope *scope, const char *name)
{
    for (; scope != NULL; scope = scope->parent) {
        for (int e = 0; e < scope->entry_count; e++) {
            const RangeEntry *entry = scope->entries[e];
            for (int c = 0; c < entry->column_count; c++) {
                if (strcmp(entry->names[c], name) == 0) {
                    return true;
                }
            }
        }
    }
    return false;
}

static const RangeEntry *scope_find_entry(const Scope *scope, const char *alias)
{
    for (; scope != NULL; scope = scope->parent) {
        for (int e = 0; e < scope->entry_count; e++) {
            const RangeEntry *entry = scope->entries[e];
            if (entry->alias != NULL && strcmp(entry->alias, alias) == 0) {
                return entry;
            }
        }
    }
    return NULL;
}

/* The builder call spelling out arg when it is a whole row (a table alias that
 * is no column name, alias.*, or ROW(...)), else NULL. */
static int whole_row(Binder *b, const Scope *scope, const Node *arg, bool as_json, Node **out)
{
    *out = NULL;
    const RangeEntry *entry = NULL;
    const RowExpr *row = NULL;
    if (arg->tag == N_COLUMN_REF) {
        const ColumnRef *ref = (const ColumnRef *)arg;
        if (ref->is_star && ref->fields.count == 1) {
            entry = scope_find_entry(scope, ref->fields.items[0]);
        } else if (!ref->is_star && ref->fields.count == 1 &&
                   !scope_has_column(scope, ref->fields.items[0])) {
            entry = scope_find_entry(scope, ref->fields.items[0]);
        }
    } else if (arg->tag == N_ROW && ((const RowExpr *)arg)->args.count > 0) {
        row = (const RowExpr *)arg;
    }
    if (entry == NULL && row == NULL) {
        return STRATA_OK;
    }
    FuncCall *call = make_call(b, as_json ? "$row_to_json" : "jsonb_build_object", arg->location);
    if (call == NULL) {
        return nomem(b);
    }
    int count = entry != NULL ? entry->column_count : row->args.count;
    for (int c = 0; c < count; c++) {
        Node *key, *value;
        if (entry != NULL) {
            key = make_string(b, entry->names[c], arg->location);
            value = make_column_ref(b, entry->alias, entry->names[c], arg->location);
        } else {
            char *field = arena_sprintf(b->a, "f%d", c + 1);
            key = field != NULL ? make_string(b, field, arg->location) : NULL;
            value = row->args.items[c];
        }
        if (key == NULL || value == NULL || node_list_append(b->a, &call->args, key) ||
            node_list_append(b->a, &call->args, value)) {
            return nomem(b);
        }
    }
    *out = (Node *)call;
    return STRATA_OK;
}

int bind_json_whole_row(Binder *b, Scope *scope, const FuncCall *fc, const FuncCall **out)
{
    static const char *const JSONB_TAKERS[] = {"to_jsonb", "jsonb_agg", "jsonb_build_object",
                                               "jsonb_build_array"};
    static const char *const JSON_TAKERS[] = {"to_json", "row_to_json", "json_agg",
                                              "json_build_object", "json_build_array"};
    *out = fc;
    if (fc->name.count != 1 || fc->agg_star) {
        return STRATA_OK;
    }
    const char *name = fc->name.items[0];
    bool populate;
    if (is_record_function(name, &populate) && !b->json_record_rows) {
        /* elsewhere than in FROM with a column definition list */
        int failed = FAIL_AT(fc->location, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             populate ? "%s is supported only in FROM"
                                      : "could not determine row type for result of %s",
                             name);
        if (!populate) {
            error_hint(b->err, "Provide a non-null record argument, or call the function in the "
                               "FROM clause using a column definition list.");
        }
        return failed;
    }
    int family = -1; /* 0 jsonb, 1 json */
    for (size_t index = 0; index < sizeof JSONB_TAKERS / sizeof JSONB_TAKERS[0]; index++) {
        family = strcmp(name, JSONB_TAKERS[index]) == 0 ? 0 : family;
    }
    for (size_t index = 0; index < sizeof JSON_TAKERS / sizeof JSON_TAKERS[0]; index++) {
        family = strcmp(name, JSON_TAKERS[index]) == 0 ? 1 : family;
    }
    if (family < 0) {
        return STRATA_OK;
    }
    FuncCall *copy = NULL;
    for (int index = 0; index < fc->args.count; index++) {
        Node *spelled;
        int rc = whole_row(b, scope, fc->args.items[index], family == 1, &spelled);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (spelled == NULL) {
            continue;
        }
        if (copy == NULL) {
            copy = arena_memdup(b->a, fc, sizeof(FuncCall));
            Node **items =
                arena_memdup(b->a, fc->args.items, sizeof(Node *) * (size_t)fc->args.count);
            if (copy == NULL || items == NULL) {
                return nomem(b);
            }
            copy->args.items = items;
        }
        copy->args.items[index] = spelled;
    }
    if (copy != NULL && strcmp(name, "row_to_json") == 0 && copy->args.count == 1) {
        *out = (const FuncCall *)copy->args.items[0]; /* already the json object */
        return STRATA_OK;
    }
    *out = copy != NULL ? copy : fc;
    return STRATA_OK;
}

/* ---- SQL/JSON path literals ------------------------------------------------------ */

int bind_json_check_path(Binder *b, const Expr *call)
{
    const char *name = call->fn->name;
    if (call->arg_count < 2 || (strncmp(name, "jsonb_path_", 11) != 0 &&
                                strcmp(name, "@?") != 0 && strcmp(name, "@@") != 0)) {
        return STRATA_OK;
    }
    const Expr *path = call->args[1];
    if (path->kind != EXPR_CONST || path->value.is_null || path->type.id != TYPE_TEXT) {
        return STRATA_OK; /* parsed when the call runs */
    }
    JsonPath *parsed;
    if (jsonpath_parse(path->value.str.ptr, path->value.str.len, b->a, &parsed, b->err) !=
        STRATA_OK) {
        return bind_error_pos(b, path->location);
    }
    return STRATA_OK;
}
