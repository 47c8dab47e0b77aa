/*
 * api/api_ddl_partition.c - DDL of declarative partitioning: the key of
 * CREATE TABLE ... PARTITION BY, CREATE TABLE ... PARTITION OF ... FOR
 * VALUES, ALTER TABLE ... ATTACH / DETACH PARTITION, and indexes created on
 * a partitioned table (created on each partition too).
 *
 * A partition is a table of its own with the parent's columns in the
 * parent's order, the parent's id and a bound (catalog/partition.h); its
 * indexes are copies of the parent's. The parent keeps an empty storage, so
 * code that knows nothing of partitions reads no rows from it.
 *
 * See src/api/README.md and docs/sql.md (Partitioning).
 */
#include <stdio.h>
#include <string.h>

#include "api/ddl_int.h"
#include "catalog/partition.h"
#include "exec/executor.h"
#include "types/cast.h"

static int check_unique_covers_key(const CatTable *t, Error *err)
{
    const CatPartitionKey *key = t->partition_key;
    for (int i = 0; i < t->index_count; i++) {
        const CatIndex *x = t->indexes[i];
        if (!x->unique) {
            continue;
        }
        for (int k = 0; k < key->key_count; k++) {
            bool found = false;
            for (int c = 0; c < x->key_count; c++) {
                found |= x->key_columns[c] == key->key_columns[k];
            }
            if (!found) {
                error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "unique constraint on partitioned table must include all partitioning "
                          "columns");
                return error_detail(err,
                                    "%s constraint on table \"%s\" lacks column \"%s\" which is "
                                    "part of the partition key.",
                                    x->primary ? "PRIMARY KEY" : "UNIQUE", t->name,
                                    t->columns[key->key_columns[k]].name);
            }
        }
    }
    return STRATA_OK;
}

int api_ddl_partition_key(Ddl *d, CatTable *t, const PartitionSpec *spec, Error *err)
{
    int n = spec->keys.count;
    if (n > PARTITION_KEYS_MAX) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                         "cannot partition using more than %d columns", PARTITION_KEYS_MAX);
    }
    if (spec->strategy == PARTITION_LIST && n != 1) {
        return error_set(err, SQLSTATE_INVALID_OBJECT_DEFINITION,
                         "cannot use \"list\" partition strategy with more than one column");
    }
    CatPartitionKey *key = arena_zalloc(d->a, sizeof(*key));
    int *cols = arena_zalloc(d->a, sizeof(int) * (size_t)(n + 1));
    if (key == NULL || cols == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < n; k++) {
        const IndexElem *e = (const IndexElem *)spec->keys.items[k];
        if (e->name == NULL) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "partition keys on expressions are not supported");
        }
        cols[k] = cat_table_column_index(t, e->name);
        if (cols[k] < 0) {
            return error_set(err, SQLSTATE_UNDEFINED_COLUMN,
                             "column \"%s\" named in partition key does not exist", e->name);
        }
    }
    key->strategy = spec->strategy == PARTITION_RANGE  ? CAT_PART_RANGE
                    : spec->strategy == PARTITION_LIST ? CAT_PART_LIST
                                                       : CAT_PART_HASH;
    key->key_count = n;
    key->key_columns = cols;
    t->partition_key = key;
    return check_unique_covers_key(t, err);
}

/* ---- bounds ------------------------------------------------------------------------------- */

/* MINVALUE / MAXVALUE are parsed as column references of those names. */
static int infinite_kind(const Node *expr)
{
    if (expr->tag != N_COLUMN_REF) {
        return -1;
    }
    const ColumnRef *ref = (const ColumnRef *)expr;
    if (ref->fields.count != 1) {
        return -1;
    }
    if (strcmp(ref->fields.items[0], "minvalue") == 0) {
        return CAT_BOUND_MINVALUE;
    }
    return strcmp(ref->fields.items[0], "maxvalue") == 0 ? CAT_BOUND_MAXVALUE : -1;
}

/* Evaluates one bound datum as a value of column col of parent (arena d->a). */
static int bound_value(Ddl *d, const CatTable *parent, int col, const Node *expr, Value *out,
                       Error *err)
{
    if (expr->tag == N_COLUMN_REF) {
        return error_set(err, SQLSTATE_INVALID_OBJECT_DEFINITION,
                         "cannot use column reference in partition bound expression");
    }
    BoundExpr *bound;
    SqlType type;
    int rc = expr_bind_for_table(&d->env, parent, expr, &bound, &type, err);
    Value *nulls = arena_zalloc(d->a, sizeof(Value) * (size_t)(parent->column_count + 1));
    if (rc == STRATA_OK && nulls == NULL) {
        rc = arena_error(d->a, err);
    }
    Value v;
    if (rc == STRATA_OK) {
        for (int c = 0; c < parent->column_count; c++) {
            nulls[c] = value_null(parent->columns[c].type);
        }
        rc = expr_eval_row(bound, &d->env, nulls, &v, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    SqlType target = parent->columns[col].type;
    if (v.is_null) {
        *out = value_null(target);
        return STRATA_OK;
    }
    if (v.type.id == TYPE_UNKNOWN) {
        v.type = sql_type(TYPE_TEXT);
    }
    rc = value_cast_tz(&v, target, CAST_EXPLICIT, d->env.func_ctx.timezone, d->a, out, err);
    if (rc == STRATA_OK && type_phys(out->type.id) == PHYS_STRING) {
        char *copy = arena_memdup(d->a, out->str.ptr != NULL ? out->str.ptr : "",
                                  out->str.len + 1);
        if (copy == NULL) {
            return arena_error(d->a, err);
        }
        out->str.ptr = copy;
    }
    return rc;
}

static int range_datums(Ddl *d, const CatTable *parent, const char *word, const NodeList *list,
                        Value **values, uint8_t **kinds, Error *err)
{
    const CatPartitionKey *key = parent->partition_key;
    if (list->count != key->key_count) {
        return error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                         "%s must specify exactly one value per partitioning column", word);
    }
    *values = arena_zalloc(d->a, sizeof(Value) * (size_t)list->count);
    *kinds = arena_zalloc(d->a, (size_t)list->count);
    if (*values == NULL || *kinds == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < list->count; k++) {
        int kind = infinite_kind(list->items[k]);
        if (kind >= 0) {
            (*kinds)[k] = (uint8_t)kind;
            (*values)[k] = value_null(parent->columns[key->key_columns[k]].type);
            continue;
        }
        int rc = bound_value(d, parent, key->key_columns[k], list->items[k], &(*values)[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if ((*values)[k].is_null) {
            return error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                             "cannot specify NULL in range bound");
        }
    }
    return STRATA_OK;
}

static int range_bound(Ddl *d, const CatTable *parent, const char *name,
                       const PartitionBound *pb, CatPartitionBound *bd, Error *err)
{
    Value *lower, *upper;
    uint8_t *lower_kind, *upper_kind;
    int rc = range_datums(d, parent, "FROM", &pb->lower, &lower, &lower_kind, err);
    if (rc == STRATA_OK) {
        rc = range_datums(d, parent, "TO", &pb->upper, &upper, &upper_kind, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    bd->count = pb->lower.count;
    bd->lower = lower;
    bd->lower_kind = lower_kind;
    bd->upper = upper;
    bd->upper_kind = upper_kind;
    if (partition_range_compare(bd->count, lower, lower_kind, upper, upper_kind) >= 0) {
        error_set(err, SQLSTATE_INVALID_OBJECT_DEFINITION,
                  "empty range bound specified for partition \"%s\"", name);
        const char *low = partition_datums_text(lower, lower_kind, bd->count, d->a);
        const char *high = partition_datums_text(upper, upper_kind, bd->count, d->a);
        return error_detail(err,
                            "Specified lower bound (%s) is greater than or equal to upper bound "
                            "(%s).",
                            low != NULL ? low : "", high != NULL ? high : "");
    }
    return STRATA_OK;
}

static int list_bound(Ddl *d, const CatTable *parent, const PartitionBound *pb,
                      CatPartitionBound *bd, Error *err)
{
    int col = parent->partition_key->key_columns[0];
    Value *values = arena_zalloc(d->a, sizeof(Value) * (size_t)(pb->values.count + 1));
    if (values == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < pb->values.count; k++) {
        int rc = bound_value(d, parent, col, pb->values.items[k], &values[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    bd->values = values;
    bd->count = pb->values.count;
    return STRATA_OK;
}

static const char *strategy_word(char strategy)
{
    return strategy == CAT_PART_RANGE ? "range" : strategy == CAT_PART_LIST ? "list" : "hash";
}

/* The catalog bound of a FOR VALUES clause for a partition named name of parent. */
static int build_bound(Ddl *d, const CatTable *parent, const char *name, const PartitionBound *pb,
                       CatPartitionBound **out, Error *err)
{
    CatPartitionBound *bd = arena_zalloc(d->a, sizeof(*bd));
    if (bd == NULL) {
        return arena_error(d->a, err);
    }
    *out = bd;
    char strategy = parent->partition_key->strategy;
    if (pb->is_default) {
        if (strategy == CAT_PART_HASH) {
            return error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                             "a hash-partitioned table may not have a default partition");
        }
        bd->is_default = true;
        return STRATA_OK;
    }
    char written = pb->strategy == PARTITION_RANGE  ? CAT_PART_RANGE
                   : pb->strategy == PARTITION_LIST ? CAT_PART_LIST
                                                    : CAT_PART_HASH;
    if (written != strategy) {
        return error_set(err, SQLSTATE_INVALID_TABLE_DEFINITION,
                         "invalid bound specification for a %s partition",
                         strategy_word(strategy));
    }
    if (strategy == CAT_PART_RANGE) {
        return range_bound(d, parent, name, pb, bd, err);
    }
    if (strategy == CAT_PART_LIST) {
        return list_bound(d, parent, pb, bd, err);
    }
    if (pb->modulus <= 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "modulus for hash partition must be an integer value greater than zero");
    }
    if (pb->remainder < 0 || pb->remainder >= pb->modulus) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "remainder for hash partition must be less than modulus");
    }
    bd->modulus = pb->modulus;
    bd->remainder = pb->remainder;
    return STRATA_OK;
}

typedef struct DefaultCheck {
    const CatPartitionKey *key;
    const CatPartitionBound *bound;
    const char *name;
} DefaultCheck;

static int default_row_check(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err)
{
    const DefaultCheck *check = ctx;
    if (partition_bound_contains(check->key, check->bound, row)) {
        return error_set(err, SQLSTATE_CHECK_VIOLATION,
                         "updated partition constraint for default partition \"%s\" would be "
                         "violated by some row",
                         check->name);
    }
    return STRATA_OK;
}

/* Rejects a bound that overlaps a partition of parent (other than skip), and
 * one that would take rows the DEFAULT partition holds. */
static int check_new_bound(Ddl *d, const CatTable *parent, const char *name,
                           const CatPartitionBound *bd, Error *err)
{
    const CatTable *fallback = NULL;
    for (int p = 0; p < parent->partition_count; p++) {
        const CatTable *part = parent->partitions[p];
        if (part->partition_bound->is_default) {
            fallback = part;
        }
        if (!partition_bounds_overlap(parent->partition_key, bd, part->partition_bound)) {
            continue;
        }
        if (bd->is_default) {
            return error_set(err, SQLSTATE_INVALID_OBJECT_DEFINITION,
                             "partition \"%s\" conflicts with existing default partition \"%s\"",
                             name, part->name);
        }
        return error_set(err, SQLSTATE_INVALID_OBJECT_DEFINITION,
                         "partition \"%s\" would overlap partition \"%s\"", name, part->name);
    }
    if (fallback == NULL || bd->is_default) {
        return STRATA_OK;
    }
    DefaultCheck check = {parent->partition_key, bd, fallback->name};
    return api_ddl_scan_rows(d, fallback, default_row_check, &check, err);
}

/* ---- partitions -------------------------------------------------------------------------- */

static const char *index_columns_text(Ddl *d, const CatTable *t, const CatIndex *x)
{
    const char *cols = "";
    for (int k = 0; k < x->key_count && cols != NULL; k++) {
        const char *part = x->key_columns[k] >= 0 ? t->columns[x->key_columns[k]].name : "expr";
        cols = arena_sprintf(d->a, "%s%s%s", cols, k ? "_" : "", part);
    }
    return cols;
}

/* A copy of the parent's index src for partition part: a new id and name
 * (PostgreSQL's: part_pkey, part_cols_key, part_cols_idx), no storage yet. */
static int copy_index(Ddl *d, const CatTable *part, const CatIndex *src, CatIndex **out,
                      Error *err)
{
    CatIndex *x = arena_zalloc(d->a, sizeof(*x));
    if (x == NULL) {
        return arena_error(d->a, err);
    }
    *x = *src;
    memset(&x->desc, 0, sizeof(x->desc));
    x->am = NULL;
    x->table_id = part->id;
    const char *cols = index_columns_text(d, part, src);
    const char *base = src->primary  ? arena_sprintf(d->a, "%s_pkey", part->name)
                       : src->unique ? arena_sprintf(d->a, "%s_%s_key", part->name, cols)
                                     : arena_sprintf(d->a, "%s_%s_idx", part->name, cols);
    x->name = base != NULL ? api_ddl_choose_name(d, part->schema, base) : NULL;
    if (x->name == NULL) {
        return arena_error(d->a, err);
    }
    api_ddl_reserve_name(d, x->name);
    *out = x;
    return catalog_edit_new_id(d->edit, &x->id, err);
}

/* The partition's indexes and constraints from the parent's: every index
 * copied, UNIQUE / PRIMARY KEY constraints pointed at the copies, CHECK and
 * FOREIGN KEY constraints as they are. */
static int inherit_indexes(Ddl *d, const CatTable *parent, CatTable *t, Error *err)
{
    CatIndex **indexes = arena_zalloc(d->a, sizeof(CatIndex *) * (size_t)(parent->index_count + 1));
    CatConstraint *cons =
        api_ddl_dup(d->a, parent->constraints, parent->constraint_count, 1, sizeof(CatConstraint));
    if (indexes == NULL || cons == NULL) {
        return arena_error(d->a, err);
    }
    for (int i = 0; i < parent->index_count; i++) {
        int rc = copy_index(d, t, parent->indexes[i], &indexes[i], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        for (int c = 0; c < parent->constraint_count; c++) {
            if (cons[c].index_id == parent->indexes[i]->id &&
                (cons[c].kind == CAT_CONSTRAINT_UNIQUE || cons[c].kind == CAT_CONSTRAINT_PRIMARY)) {
                cons[c].index_id = indexes[i]->id;
                cons[c].name = indexes[i]->name;
            }
        }
    }
    t->indexes = (const CatIndex *const *)indexes;
    t->index_count = parent->index_count;
    t->constraints = cons;
    t->constraint_count = parent->constraint_count;
    return STRATA_OK;
}

static int new_partition_table(Ddl *d, const CatTable *parent, const CreateTableStmt *s,
                               CatTable **out, Error *err)
{
    CatTable *t = arena_zalloc(d->a, sizeof(*t));
    CatColumn *columns =
        api_ddl_dup(d->a, parent->columns, parent->column_count, 1, sizeof(CatColumn));
    if (t == NULL || columns == NULL) {
        return arena_error(d->a, err);
    }
    int rc = api_ddl_target_schema(d, s->relation->schema, &t->schema, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    t->name = arena_strdup(d->a, s->relation->name);
    t->owner_id = d->conn->role_id; /* its creator, who must own the parent */
    if ((rc = api_ddl_require_owner(d, parent, err)) != STRATA_OK) {
        return rc;
    }
    rc = catalog_edit_new_id(d->edit, &t->id, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* Serial and identity columns keep the parent's nextval() default: the
     * parent owns the sequence. */
    for (int c = 0; c < parent->column_count; c++) {
        columns[c].identity = CAT_IDENTITY_NONE;
        columns[c].sequence_name = NULL;
    }
    t->kind = CAT_TABLE;
    t->columns = columns;
    t->column_count = parent->column_count;
    t->pkey_count = parent->pkey_count;
    t->pkey_columns = parent->pkey_columns;
    t->parent_id = parent->id;
    /* Without USING, a partition takes its parent's access method (as
     * PostgreSQL 17 does when the parent names one). */
    const char *am = s->access_method != NULL ? s->access_method : parent->am_name;
    if (am == NULL) {
        am = api_settings_get(d->conn, "default_table_access_method", NULL);
    }
    t->am_name = am;
    *out = t;
    return inherit_indexes(d, parent, t, err);
}

/* Storage for a new partition t and its indexes, then its catalog record. */
static int store_partition(Ddl *d, CatTable *t, Error *err)
{
    int rc = catalog_edit_finish_table(d->edit, t, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (t->am == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "access method \"%s\" does not exist",
                         t->am_name);
    }
    rc = tam_create(t->am, d->conn->txn, &t->desc, err);
    for (int i = 0; i < t->index_count && rc == STRATA_OK; i++) {
        rc = api_ddl_create_index_storage(d, t, (CatIndex *)t->indexes[i], err);
    }
    return rc == STRATA_OK ? catalog_edit_put_table(d->edit, t, err) : rc;
}

static int find_partitioned(Ddl *d, const RangeVar *rv, const CatTable **out, Error *err)
{
    const CatTable *parent = api_ddl_find_relation(d, rv->schema, rv->name);
    if (parent == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         rv->name);
    }
    if (parent->partition_key == NULL) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "table \"%s\" is not partitioned",
                         parent->name);
    }
    *out = parent;
    return STRATA_OK;
}

int api_ddl_create_partition(Ddl *d, Error *err)
{
    const CreateTableStmt *s = (const CreateTableStmt *)d->stmt->ast;
    const CatTable *parent = NULL;
    int rc = find_partitioned(d, s->partition_of, &parent, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const char *name = s->relation->name;
    const char *schema;
    if ((rc = api_ddl_target_schema(d, s->relation->schema, &schema, err)) != STRATA_OK) {
        return rc;
    }
    if (api_ddl_name_taken(d, schema, name)) {
        if (s->if_not_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_DUPLICATE_TABLE,
                                   "relation \"%s\" already exists, skipping", name);
            return STRATA_OK;
        }
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", name);
    }
    if (s->elements.count > 0) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "column options and constraints in PARTITION OF are not supported");
    }
    api_ddl_reserve_name(d, name);
    CatPartitionBound *bd;
    rc = build_bound(d, parent, name, s->bound, &bd, err);
    if (rc == STRATA_OK) {
        rc = check_new_bound(d, parent, name, bd, err);
    }
    CatTable *t = NULL;
    if (rc == STRATA_OK) {
        rc = new_partition_table(d, parent, s, &t, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    t->partition_bound = bd;
    if (s->partition != NULL) {
        rc = api_ddl_partition_key(d, t, s->partition, err);
    }
    return rc == STRATA_OK ? store_partition(d, t, err) : rc;
}

/* ---- ATTACH / DETACH ------------------------------------------------------------------- */

static int check_same_columns(const CatTable *parent, const CatTable *part, Error *err)
{
    for (int c = 0; c < part->column_count; c++) {
        const CatColumn *col = &part->columns[c];
        int at = cat_table_column_index(parent, col->name);
        if (at < 0) {
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                             "table \"%s\" contains column \"%s\" not found in parent \"%s\"",
                             part->name, col->name, parent->name);
        }
        if (parent->columns[at].type.id != col->type.id) {
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                             "child table \"%s\" has different type for column \"%s\"",
                             part->name, col->name);
        }
        if (at != c) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "partition \"%s\" must have the columns of \"%s\" in the same order",
                             part->name, parent->name);
        }
    }
    for (int c = 0; c < parent->column_count; c++) {
        if (cat_table_column_index(part, parent->columns[c].name) < 0) {
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH,
                             "child table is missing column \"%s\"", parent->columns[c].name);
        }
    }
    return STRATA_OK;
}

typedef struct AttachCheck {
    const CatPartitionKey *key;
    const CatPartitionBound *bound;
    const CatTable *parent;
    const char *name;
} AttachCheck;

static int attach_row_check(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err)
{
    const AttachCheck *check = ctx;
    bool fits = check->bound->is_default
                    ? partition_route(check->parent, row) == NULL
                    : partition_bound_contains(check->key, check->bound, row);
    if (!fits) {
        return error_set(err, SQLSTATE_CHECK_VIOLATION,
                         "partition constraint of relation \"%s\" is violated by some row",
                         check->name);
    }
    return STRATA_OK;
}

static bool has_index_on(const CatTable *t, const CatIndex *want)
{
    for (int i = 0; i < t->index_count; i++) {
        const CatIndex *x = t->indexes[i];
        bool same = x->key_count == want->key_count && x->unique == want->unique &&
                    x->primary == want->primary;
        for (int k = 0; same && k < x->key_count; k++) {
            same = x->key_columns[k] == want->key_columns[k] && x->key_columns[k] >= 0;
        }
        if (same) {
            return true;
        }
    }
    return false;
}

/* The parent's indexes the table lacks are created on it (and built). */
static int attach_indexes(Ddl *d, const CatTable *parent, CatTable *t, Error *err)
{
    for (int i = 0; i < parent->index_count; i++) {
        const CatIndex *src = parent->indexes[i];
        if (has_index_on(t, src)) {
            continue;
        }
        if (src->primary) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "table \"%s\" must have the primary key of \"%s\" to be attached",
                             t->name, parent->name);
        }
        CatIndex *x;
        int rc = copy_index(d, t, src, &x, err);
        if (rc == STRATA_OK) {
            rc = api_ddl_add_index(d, t, x, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

static int attach_partition(Ddl *d, const CatTable *parent, const AlterTableCmd *cmd, Error *err)
{
    const RangeVar *rv = (const RangeVar *)cmd->def;
    const CatTable *part = api_ddl_find_relation(d, rv->schema, rv->name);
    if (part == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         rv->name);
    }
    if (part->kind != CAT_TABLE || part == parent) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "cannot attach \"%s\" as a partition",
                         part->name);
    }
    if (part->parent_id != 0) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "\"%s\" is already a partition",
                         part->name);
    }
    int rc = check_same_columns(parent, part, err);
    CatPartitionBound *bd = NULL;
    if (rc == STRATA_OK) {
        rc = build_bound(d, parent, part->name, cmd->bound, &bd, err);
    }
    if (rc == STRATA_OK) {
        rc = check_new_bound(d, parent, part->name, bd, err);
    }
    if (rc == STRATA_OK) {
        AttachCheck check = {parent->partition_key, bd, parent, part->name};
        rc = api_ddl_scan_rows(d, part, attach_row_check, &check, err);
    }
    CatTable *copy = rc == STRATA_OK ? catalog_edit_copy_table(d->edit, part, err) : NULL;
    if (copy == NULL) {
        return err->code;
    }
    copy->parent_id = parent->id;
    copy->partition_bound = bd;
    rc = attach_indexes(d, parent, copy, err);
    return rc == STRATA_OK ? catalog_edit_put_table(d->edit, copy, err) : rc;
}

static int detach_partition(Ddl *d, const CatTable *parent, const AlterTableCmd *cmd, Error *err)
{
    const RangeVar *rv = (const RangeVar *)cmd->def;
    const CatTable *part = api_ddl_find_relation(d, rv->schema, rv->name);
    if (part == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                         rv->name);
    }
    if (part->parent_id != parent->id) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE,
                         "relation \"%s\" is not a partition of relation \"%s\"", part->name,
                         parent->name);
    }
    CatTable *copy = catalog_edit_copy_table(d->edit, part, err);
    if (copy == NULL) {
        return err->code;
    }
    copy->parent_id = 0;
    copy->partition_bound = NULL;
    return catalog_edit_put_table(d->edit, copy, err);
}

int api_ddl_partition_alter(Ddl *d, const CatTable *parent, const AlterTableCmd *cmd, Error *err)
{
    if (parent->partition_key == NULL) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "table \"%s\" is not partitioned",
                         parent->name);
    }
    return cmd->kind == ALTER_ATTACH_PARTITION ? attach_partition(d, parent, cmd, err)
                                               : detach_partition(d, parent, cmd, err);
}

int api_ddl_partition_index(Ddl *d, const CatTable *parent, const CatIndex *x, Error *err)
{
    for (int p = 0; p < parent->partition_count; p++) {
        const CatTable *part = parent->partitions[p];
        CatTable *copy = catalog_edit_copy_table(d->edit, part, err);
        if (copy == NULL) {
            return err->code;
        }
        CatIndex *px;
        int rc = copy_index(d, copy, x, &px, err);
        if (rc == STRATA_OK) {
            rc = api_ddl_add_index(d, copy, px, err);
        }
        if (rc == STRATA_OK && copy->partition_key != NULL) {
            rc = api_ddl_partition_index(d, part, px, err);
        }
        if (rc == STRATA_OK) {
            rc = catalog_edit_put_table(d->edit, copy, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}
