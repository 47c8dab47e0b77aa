/*
 * api/api_sysviews.c - rows of the system views (information_schema.*,
 * pg_catalog.*), produced from the connection's catalog snapshot, settings
 * and the database's statistics; the VirtualProvider of catalog/sysview.h.
 *
 * Also the statement normalizer of pg_stat_statements: literals (numbers,
 * strings) become $1, $2, ... and runs of whitespace one space.
 *
 * OIDs: objects use their catalog ids; types use PostgreSQL's type OIDs.
 *
 * See src/api/README.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "catalog/edit.h"
#include "catalog/partition.h"
#include "types/cast.h"
#include "types/array.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

typedef struct Rows {
    Arena *a;
    int column_count;
    Value *items;
    int count;
    int capacity;
    bool failed;
    const char *database; /* current_database(): the catalog columns */
} Rows;

static Value *new_row(Rows *r)
{
    if (r->count == r->capacity) {
        int cap = r->capacity ? r->capacity * 2 : 32;
        Value *grown = arena_realloc(r->a, r->items,
                                     sizeof(Value) * (size_t)r->capacity * (size_t)r->column_count,
                                     sizeof(Value) * (size_t)cap * (size_t)r->column_count);
        if (grown == NULL) {
            r->failed = true;
            return NULL;
        }
        r->items = grown;
        r->capacity = cap;
    }
    Value *row = &r->items[(size_t)r->count++ * (size_t)r->column_count];
    for (int col = 0; col < r->column_count; col++) {
        row[col] = value_null(sql_type(TYPE_TEXT));
    }
    return row;
}

static Value txt(Rows *r, const char *s)
{
    if (s == NULL) {
        return value_null(sql_type(TYPE_TEXT));
    }
    char *copy = arena_strdup(r->a, s);
    if (copy == NULL) {
        r->failed = true;
        return value_null(sql_type(TYPE_TEXT));
    }
    return value_str(TYPE_TEXT, copy, (uint32_t)strlen(copy));
}

static Value i8(int64_t v)
{
    return value_i64(TYPE_INT8, v);
}
static Value i4(int64_t v)
{
    return value_i64(TYPE_INT4, v);
}
static Value boolean(bool v)
{
    return value_bool(v);
}

/* An int2[] of 1-based column numbers (pg_constraint.conkey). */
static Value int2_array(Rows *r, const int *columns, int count)
{
    Value *items = arena_alloc(r->a, sizeof(Value) * (size_t)(count + 1));
    Value v = value_null(sql_type(TYPE_INT2_ARRAY));
    if (items == NULL) {
        r->failed = true;
        return v;
    }
    for (int k = 0; k < count; k++) {
        items[k] = value_i64(TYPE_INT2, columns[k] + 1);
    }
    Error err;
    if (array_encode(TYPE_INT2, items, count, r->a, &v.str, &err) != STRATA_OK) {
        r->failed = true;
        return v;
    }
    v.is_null = false;
    return v;
}

/* An int2vector of the given numbers (pg_index.indkey, indoption). */
static Value int2_vector(Rows *r, const int *numbers, int count)
{
    int *ones = arena_alloc(r->a, sizeof(int) * (size_t)(count + 1));
    if (ones == NULL) {
        r->failed = true;
        return value_null(sql_type(TYPE_INT2VECTOR));
    }
    for (int k = 0; k < count; k++) {
        ones[k] = numbers[k] - 1; /* int2_array counts columns from 0 */
    }
    Value v = int2_array(r, ones, count);
    v.type = sql_type(TYPE_INT2VECTOR);
    return v;
}

/* pg_type oid of a column's type: an enum's own oid is its typmod. */
static int64_t column_type_oid(SqlType type)
{
    return (int64_t)type_value_oid(type);
}

/* True for an enum or an array of one: their typmod names the type, it is no
 * atttypmod. */
static bool type_is_user(SqlType type)
{
    return type.id == TYPE_ENUM || type.id == TYPE_ENUM_ARRAY;
}

static int64_t schema_oid(const Catalog *c, const char *name)
{
    const CatSchema *s = catalog_find_schema(c, name);
    return s != NULL ? (int64_t)s->id : 0;
}

static const char *table_type(const CatTable *t)
{
    return t->kind == CAT_TABLE ? "BASE TABLE" : "VIEW";
}

/* information_schema.columns.data_type: the type name without modifiers;
 * an enum is USER-DEFINED and an array of one ARRAY, as in PostgreSQL (whose
 * udt_name names them; format_type gives the name). */
static const char *data_type(SqlType t)
{
    return t.id == TYPE_ENUM         ? "USER-DEFINED"
           : t.id == TYPE_ENUM_ARRAY ? "ARRAY"
                                     : type_id_name(t.id);
}

static char *index_def(Rows *r, const CatTable *t, const CatIndex *x)
{
    char *cols = arena_strdup(r->a, "");
    for (int k = 0; cols != NULL && k < x->key_count; k++) {
        const char *key = x->key_columns[k] >= 0 ? t->columns[x->key_columns[k]].name
                                                 : arena_sprintf(r->a, "(%s)", x->key_sql[k]);
        cols = arena_sprintf(r->a, "%s%s%s%s", cols, k ? ", " : "", key,
                             x->key_descending != NULL && x->key_descending[k] ? " DESC" : "");
    }
    char *inc = arena_strdup(r->a, "");
    for (int k = 0; inc != NULL && k < x->include_count; k++) {
        inc = arena_sprintf(r->a, "%s%s%s", inc, k ? ", " : "",
                            t->columns[x->include_columns[k]].name);
    }
    char *def = arena_sprintf(
        r->a, "CREATE %sINDEX %s ON %s.%s USING %s (%s)%s%s%s%s", x->unique ? "UNIQUE " : "",
        x->name, t->schema, t->name, x->am_name != NULL ? x->am_name : "btree", cols,
        x->include_count ? " INCLUDE (" : "", x->include_count ? inc : "",
        x->include_count ? ")" : "",
        x->predicate_sql != NULL ? arena_sprintf(r->a, " WHERE %s", x->predicate_sql) : "");
    if (def == NULL) {
        r->failed = true;
    }
    return def;
}

static void rows_tables(Rows *r, const Catalog *c, const char *view)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (strcmp(view, "tables") == 0 && !cat_is_matview(t)) { /* as PostgreSQL's */
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = txt(r, r->database);
            row[1] = txt(r, t->schema);
            row[2] = txt(r, t->name);
            row[3] = txt(r, table_type(t));
        } else if (strcmp(view, "columns") == 0) {
            for (int col = 0; col < t->column_count; col++) {
                const CatColumn *cc = &t->columns[col];
                Value *row = new_row(r);
                if (row == NULL) {
                    return;
                }
                row[0] = txt(r, r->database);
                row[1] = txt(r, t->schema);
                row[2] = txt(r, t->name);
                row[3] = txt(r, cc->name);
                row[4] = i4(col + 1);
                row[5] =
                    txt(r, cc->identity == CAT_IDENTITY_ALWAYS ||
                                   cc->identity == CAT_IDENTITY_BY_DEFAULT
                               ? NULL
                           : cc->identity == CAT_IDENTITY_SERIAL
                               ? arena_sprintf(r->a, "nextval('%s'::regclass)", cc->sequence_name)
                               : cc->default_sql);
                row[6] = txt(r, cc->not_null ? "NO" : "YES");
                row[7] = txt(r, data_type(cc->type));
                row[8] = (cc->type.id == TYPE_VARCHAR || cc->type.id == TYPE_BPCHAR) &&
                                 cc->type.typmod >= 0
                             ? i4(cc->type.typmod)
                             : value_null(sql_type(TYPE_INT4));
                row[9] = cc->type.id == TYPE_INT2   ? i4(16)
                         : cc->type.id == TYPE_INT4 ? i4(32)
                         : cc->type.id == TYPE_INT8 ? i4(64)
                         : cc->type.id == TYPE_NUMERIC && cc->type.typmod >= 0
                             ? i4(numeric_typmod_precision(cc->type.typmod))
                             : value_null(sql_type(TYPE_INT4));
                row[10] = type_is_integer(cc->type.id) ? i4(0)
                          : cc->type.id == TYPE_NUMERIC && cc->type.typmod >= 0
                              ? i4(numeric_typmod_scale(cc->type.typmod))
                              : value_null(sql_type(TYPE_INT4));
                row[11] = txt(r, cc->identity == CAT_IDENTITY_ALWAYS ||
                                         cc->identity == CAT_IDENTITY_BY_DEFAULT
                                     ? "YES"
                                     : "NO");
                row[12] = txt(r, cc->identity == CAT_IDENTITY_ALWAYS       ? "ALWAYS"
                                 : cc->identity == CAT_IDENTITY_BY_DEFAULT ? "BY DEFAULT"
                                                                           : NULL);
            }
        } else if (strcmp(view, "table_constraints") == 0) {
            for (int con = 0; con < t->constraint_count; con++) {
                static const char *const kinds[] = {"", "CHECK", "UNIQUE", "PRIMARY KEY",
                                                    "FOREIGN KEY"};
                Value *row = new_row(r);
                if (row == NULL) {
                    return;
                }
                row[0] = txt(r, r->database);
                row[1] = txt(r, t->schema);
                row[2] = txt(r, t->constraints[con].name);
                row[3] = txt(r, t->schema);
                row[4] = txt(r, t->name);
                row[5] = txt(r, kinds[t->constraints[con].kind]);
            }
        } else if (strcmp(view, "views") == 0 && t->kind == CAT_VIEW) {
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = txt(r, r->database);
            row[1] = txt(r, t->schema);
            row[2] = txt(r, t->name);
            row[3] = txt(r, t->view_sql);
        }
    }
}

/* pg_class columns 8 on: owner, no rules, triggers, row security, partitions,
 * tablespaces, typed tables or TOAST; permanent; replica identity default. */
/* The name of t's owner (a database without roles: its implicit superuser). */
static const char *owner_name(const Catalog *c, const CatTable *t)
{
    const CatRole *role = catalog_role_by_id(c, cat_table_owner(t));
    return role != NULL ? role->name : "strata";
}

static void class_defaults(Value *row, const CatTable *t, bool has_triggers)
{
    int checks = 0;
    for (int k = 0; t != NULL && k < t->constraint_count; k++) {
        checks += t->constraints[k].kind == CAT_CONSTRAINT_CHECK;
    }
    row[8] = i8(t != NULL ? (int64_t)cat_table_owner(t) : 10);
    row[9] = i4(checks);
    for (int k = 10; k <= 14; k++) {
        row[k] = boolean(false);
    }
    /* PostgreSQL enforces foreign keys with triggers on both tables, and psql
     * lists foreign keys only for tables that have triggers */
    row[11] = boolean(has_triggers);
    row[15] = i8(0);
    row[16] = i8(0);
    row[17] = value_str(TYPE_TEXT, "p", 1);
    row[18] = value_str(TYPE_TEXT, "d", 1);
    row[19] = i8(0);
    row[14] = boolean(t != NULL && t->parent_id != 0);
    row[20] = value_null(sql_type(TYPE_TEXT));
    row[22] = i8(0); /* reltype: strata has no row types of tables */
}

/* pg_inherits and pg_partitioned_table: one row per partition / partitioned table. */
static void rows_partitioning(Rows *r, const Catalog *c, bool is_inherits)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        const CatPartitionKey *key = t->partition_key;
        if (key == NULL) {
            continue;
        }
        for (int p = 0; is_inherits && p < t->partition_count; p++) {
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = i8((int64_t)t->partitions[p]->id);
            row[1] = i8((int64_t)t->id);
            row[2] = i4(1);
            row[3] = boolean(false);
        }
        Value *row = is_inherits ? NULL : new_row(r);
        if (row == NULL) {
            continue;
        }
        char strategy[2] = {key->strategy, '\0'};
        const char *attrs = "";
        uint64_t default_id = 0;
        for (int col = 0; col < key->key_count && attrs != NULL; col++) {
            attrs = arena_sprintf(r->a, "%s%s%d", attrs, col ? " " : "", key->key_columns[col] + 1);
        }
        for (int p = 0; p < t->partition_count; p++) {
            if (t->partitions[p]->partition_bound->is_default) {
                default_id = t->partitions[p]->id;
            }
        }
        row[0] = i8((int64_t)t->id);
        row[1] = txt(r, strategy);
        row[2] = i4(key->key_count);
        row[3] = i8((int64_t)default_id);
        row[4] = txt(r, attrs);
    }
}

/* True if t has a foreign key or is referenced by one. */
static bool has_foreign_keys(const Catalog *c, const CatTable *t)
{
    for (int k = 0; k < t->constraint_count; k++) {
        if (t->constraints[k].kind == CAT_CONSTRAINT_FOREIGN) {
            return true;
        }
    }
    const CatConstraint *const *referencing;
    const CatTable *const *owners;
    int count = 0;
    catalog_foreign_keys_referencing(c, t->id, &referencing, &owners, &count);
    return count > 0;
}

static void rows_pg_class(Rows *r, const Catalog *c)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        row[0] = i8((int64_t)t->id);
        row[1] = txt(r, t->name);
        row[2] = i8(schema_oid(c, t->schema));
        row[3] = txt(r, t->kind != CAT_TABLE  ? "v"
                        : cat_is_matview(t)     ? "m"
                        : t->partition_key != NULL ? "p"
                                                   : "r");
        row[4] = value_f64(t->stats != NULL ? (double)t->stats->row_count : -1.0);
        row[5] = i4(t->column_count);
        row[6] = boolean(t->index_count > 0);
        row[7] = txt(r, t->am_name);
        class_defaults(row, t, has_foreign_keys(c, t));
        if (t->partition_bound != NULL) {
            row[20] = txt(r, partition_bound_text(t->partition_bound, r->a));
        }
        for (int x = 0; x < t->index_count; x++) {
            row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = i8((int64_t)t->indexes[x]->id);
            row[1] = txt(r, t->indexes[x]->name);
            row[2] = i8(schema_oid(c, t->schema));
            row[3] = txt(r, "i");
            row[4] = value_f64(-1.0);
            row[5] = i4(t->indexes[x]->key_count);
            row[6] = boolean(false);
            row[7] = txt(r, t->indexes[x]->primary ? t->am_name : t->indexes[x]->am_name);
            class_defaults(row, NULL, false);
            row[8] = i8((int64_t)cat_table_owner(t)); /* an index is its table's owner's */
        }
    }
    for (int k = 0; k < catalog_sequence_count(c); k++) {
        const CatSequence *s = catalog_sequence_at(c, k);
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        row[0] = i8((int64_t)s->id);
        row[1] = txt(r, s->name);
        row[2] = i8(schema_oid(c, s->schema));
        row[3] = txt(r, "S");
        row[4] = value_f64(1.0);
        row[5] = i4(3);
        row[6] = boolean(false);
        row[7] = value_null(sql_type(TYPE_TEXT));
        class_defaults(row, NULL, false);
        row[8] = i8(s->owner_id != 0 ? (int64_t)s->owner_id : 10);
    }
}

static void add_am(Rows *r, const char *name, const char *type)
{
    for (int k = 0; k < r->count; k++) {
        const StrRef *have = &r->items[(size_t)k * (size_t)r->column_count + 1].str;
        if (have->len == strlen(name) && memcmp(have->ptr, name, have->len) == 0) {
            return;
        }
    }
    Value *row = new_row(r);
    if (row != NULL) {
        row[0] = txt(r, name);
        row[1] = txt(r, name);
        row[2] = txt(r, type);
    }
}

/* The access methods in use (by name; strata does not number them). */
static void rows_pg_am(Rows *r, const Catalog *c)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (t->am_name != NULL) {
            add_am(r, t->am_name, "t");
        }
        for (int x = 0; x < t->index_count; x++) {
            if (!t->indexes[x]->primary && t->indexes[x]->am_name != NULL) {
                add_am(r, t->indexes[x]->am_name, "i");
            }
        }
    }
}

/* Column defaults, adbin as SQL text (pg_get_expr returns it as is). */
static void rows_pg_attrdef(Rows *r, const Catalog *c)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        for (int col = 0; col < t->column_count; col++) {
            if (t->columns[col].default_sql == NULL) {
                continue;
            }
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = i8(0);
            row[1] = i8((int64_t)t->id);
            row[2] = i4(col + 1);
            row[3] = txt(r, t->columns[col].default_sql);
        }
    }
}

/* pg_attribute.attstorage / attcompression / attstattarget: PostgreSQL's
 * default storage of the type (p plain for fixed-width types, x extended for
 * variable-width ones, m main for numeric), no compression method, default
 * statistics target. */
static void attribute_storage(Rows *r, Value *row, SqlType type)
{
    PhysKind phys = type_phys(type.id);
    row[11] = txt(r, type.id == TYPE_NUMERIC ? "m" : phys == PHYS_STRING ? "x" : "p");
    row[12] = txt(r, "");
    row[13] = i4(-1);
}

/* An index's columns (keys, then INCLUDE columns) as pg_attribute rows of the
 * index, as PostgreSQL has them (\d INDEX lists them). */
static void rows_index_attributes(Rows *r, const CatTable *t, const CatIndex *idx)
{
    for (int k = 0; k < idx->key_count + idx->include_count; k++) {
        int col = k < idx->key_count ? idx->key_columns[k] : idx->include_columns[k - idx->key_count];
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        const CatColumn *cc = col >= 0 ? &t->columns[col] : NULL;
        row[0] = i8((int64_t)idx->id);
        row[1] = txt(r, cc != NULL ? cc->name : arena_sprintf(r->a, "expr%s", k ? arena_sprintf(r->a, "%d", k) : ""));
        row[2] = i8(cc != NULL ? column_type_oid(cc->type) : type_oid(TYPE_TEXT));
        row[3] = i4(k + 1);
        row[4] = boolean(false);
        row[5] = boolean(false);
        row[6] = i4(cc != NULL && !type_is_user(cc->type) ? cc->type.typmod : -1);
        row[7] = txt(r, "");
        row[8] = boolean(false);
        row[9] = i8(0);
        row[10] = txt(r, "");
        attribute_storage(r, row, cc != NULL ? cc->type : sql_type(TYPE_TEXT));
    }
}

static void rows_pg_attribute(Rows *r, const Catalog *c)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        for (int col = 0; col < t->column_count; col++) {
            const CatColumn *cc = &t->columns[col];
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = i8((int64_t)t->id);
            row[1] = txt(r, cc->name);
            row[2] = i8(cc->domain_id != 0 ? (int64_t)cc->domain_id : column_type_oid(cc->type));
            row[3] = i4(col + 1);
            row[4] = boolean(cc->not_null);
            row[5] = boolean(cc->default_sql != NULL);
            row[6] = i4(type_is_user(cc->type) || cc->domain_id != 0 ? -1 : cc->type.typmod);
            row[7] = txt(r, cc->identity == CAT_IDENTITY_ALWAYS       ? "a"
                            : cc->identity == CAT_IDENTITY_BY_DEFAULT ? "d"
                                                                      : "");
            row[8] = boolean(false);
            row[9] = i8(0);
            row[10] = txt(r, "");
            attribute_storage(r, row, cc->type);
        }
        for (int x = 0; x < t->index_count; x++) {
            rows_index_attributes(r, t, t->indexes[x]);
        }
    }
}

/* The pg_type row of an enum's array type (_mood), whose oid is
 * user_type_array_oid of the enum's. */
static void user_array_type_row(Rows *r, const Catalog *c, const CatType *t)
{
    Value *row = new_row(r);
    if (row == NULL) {
        return;
    }
    row[0] = i8(user_type_array_oid(t->id));
    row[1] = txt(r, arena_sprintf(r->a, "_%s", t->name));
    row[2] = i8(schema_oid(c, t->schema));
    row[3] = i4(-1);
    row[4] = txt(r, "b");
    row[5] = txt(r, "A");
    row[6] = i8(0);
    row[7] = i8((int64_t)t->id);
    row[8] = i8(0);
    row[9] = txt(r, ",");
    row[10] = i8(0);
    row[11] = i8(0);
    row[12] = i4(-1);
    row[13] = boolean(false);
    row[14] = value_null(sql_type(TYPE_TEXT));
    row[15] = i8(10);
    row[16] = value_null(sql_type(TYPE_TEXT_ARRAY));
}

/* pg_type rows of the enum types (typtype 'e', category E) and pg_enum rows
 * of their labels, sort orders 1, 2, ... as the keys of a fresh CREATE TYPE
 * (ENUM_KEY_STEP apart) give, fractions for labels added in between. */
static void rows_user_types(Rows *r, const Catalog *c, bool pg_enum)
{
    for (int k = 0; k < catalog_type_count(c); k++) {
        const CatType *t = catalog_type_at(c, k);
        for (int label = 0; pg_enum && label < t->label_count; label++) {
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = i8((int64_t)(t->id << 16) + label + 1);
            row[1] = i8((int64_t)t->id);
            row[2] = value_f64((double)t->label_keys[label] / (double)ENUM_KEY_STEP);
            row[3] = txt(r, t->labels[label]);
        }
        Value *row = pg_enum ? NULL : new_row(r);
        if (row == NULL) {
            continue;
        }
        bool is_domain = t->typtype == 'd';
        PhysKind phys = type_phys(t->base.id);
        char category[2] = {is_domain ? (char)type_category(t->base.id) : 'E', '\0'};
        row[0] = i8((int64_t)t->id);
        row[1] = txt(r, t->name);
        row[2] = i8(schema_oid(c, t->schema));
        row[3] = i4(!is_domain                                      ? 4
                    : phys == PHYS_STRING || phys == PHYS_DECIMAL ? -1
                                                                  : phys_width(phys));
        row[4] = txt(r, is_domain ? "d" : "e");
        row[5] = txt(r, category);
        row[6] = i8(0);
        row[7] = i8(0);
        row[8] = i8(0);
        row[9] = txt(r, ",");
        row[10] = i8(0);
        row[11] = i8(is_domain ? column_type_oid(t->base) : 0);
        row[12] = i4(is_domain && t->base.id != TYPE_ENUM ? t->base.typmod : -1);
        row[13] = boolean(is_domain && t->not_null);
        row[14] = is_domain ? txt(r, t->default_sql) : value_null(sql_type(TYPE_TEXT));
        row[15] = i8(10);
        row[16] = value_null(sql_type(TYPE_TEXT_ARRAY));
        if (!is_domain) {
            row[8] = i8(user_type_array_oid(t->id));
            user_array_type_row(r, c, t);
        }
    }
}

static void rows_pg_type(Rows *r)
{
    static const char *const internal[] = {
        "unknown",   "bool",        "int2",     "int4",   "int8",  "float4", "float8",
        "numeric",   "text",        "varchar",  "bpchar", "bytea", "date",   "time",
        "timestamp", "timestamptz", "interval", "uuid",   "json",  "jsonb"};
    _Static_assert(sizeof internal / sizeof internal[0] == TYPE_JSONB + 1, "one name per type");
    for (int id = TYPE_BOOL; id < TYPE_COUNT; id++) {
        /* oid follows the enum pseudo-type, outside the names above */
        const char *elem_name = NULL;
        if (id == TYPE_ENUM || id == TYPE_ENUM_ARRAY) {
            continue; /* pseudo-types (anyenum, anyarray); user enums follow */
        }
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        bool is_array = type_is_array((TypeId)id);
        bool is_vector = type_vector_array((TypeId)id) != TYPE_COUNT;
        TypeId elem = is_array ? type_array_elem((TypeId)id) : (TypeId)id;
        elem_name = elem == TYPE_OID ? "oid" : elem <= TYPE_JSONB ? internal[elem] : NULL;
        PhysKind phys = type_phys((TypeId)id);
        row[0] = i8(type_oid((TypeId)id));
        /* array types are named after their element with a leading underscore */
        row[1] = txt(r, is_array    ? arena_sprintf(r->a, "_%s", elem_name)
                        : is_vector ? type_id_name((TypeId)id)
                                    : elem_name);
        row[2] = i8(11);
        row[3] = i4(phys == PHYS_STRING || phys == PHYS_DECIMAL ? -1 : phys_width(phys));
        row[4] = txt(r, "b");
        char cat[2] = {(char)type_category((TypeId)id), '\0'};
        row[5] = txt(r, cat);
        row[6] = i8(0);
        row[7] = i8(is_array ? type_oid(elem) : 0);
        row[8] = i8(is_array ? 0 : type_oid(type_array_of((TypeId)id)));
        row[9] = txt(r, ",");
        row[10] = i8(0);
        row[11] = i8(0);
        row[12] = i4(-1);
        row[13] = boolean(false);
        row[15] = i8(10);
        row[16] = value_null(sql_type(TYPE_TEXT_ARRAY));
    }
}

/* pg_sequence: a sequence's type is its owning column's (integer for serial),
 * bigint otherwise; pg_depend: a serial ('a') or identity ('i') sequence
 * depends on its column, as psql's \d SEQUENCE reads them. */
static const CatColumn *sequence_owner_column(const Catalog *c, const CatSequence *s)
{
    const CatTable *owner =
        s->owner_table_id != 0 ? catalog_table_by_id(c, s->owner_table_id) : NULL;
    if (owner == NULL || s->owner_column < 0 || s->owner_column >= owner->column_count) {
        return NULL;
    }
    return &owner->columns[s->owner_column];
}

static void rows_pg_sequence(Rows *r, const Catalog *c, bool is_depend)
{
    const CatTable *pg_class = catalog_find_table(c, "pg_catalog", "pg_class");
    int64_t class_oid = pg_class != NULL ? (int64_t)pg_class->id : 0;
    for (int k = 0; k < catalog_sequence_count(c); k++) {
        const CatSequence *s = catalog_sequence_at(c, k);
        const CatColumn *column = sequence_owner_column(c, s);
        if (is_depend && column == NULL) {
            continue;
        }
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        if (is_depend) {
            Value values[] = {i8(class_oid),
                              i8((int64_t)s->id),
                              i4(0),
                              i8(class_oid),
                              i8((int64_t)s->owner_table_id),
                              i4(s->owner_column + 1),
                              txt(r, column->identity == CAT_IDENTITY_SERIAL ? "a" : "i")};
            memcpy(row, values, sizeof values);
            continue;
        }
        TypeId type =
            column != NULL && (column->type.id == TYPE_INT2 || column->type.id == TYPE_INT4)
                ? column->type.id
                : TYPE_INT8;
        Value values[] = {i8((int64_t)s->id), i8(type_oid(type)), i8(s->start), i8(s->increment),
                          i8(s->max_value),   i8(s->min_value),   i8(1),        boolean(s->cycle)};
        memcpy(row, values, sizeof values);
    }
}

/* pg_proc: the built-in functions (not operators), in pg_catalog. */
/* pg_proc.proargtypes: the declared parameters' type oids as an oidvector
 * ("any" 2276, anyelement 2283, anyarray 2277 for the polymorphic ones). */
static Value proc_arg_types(Rows *r, const FuncDef *f)
{
    Value items[FUNC_PARAMS_MAX + 1];
    Value v = value_null(sql_type(TYPE_OIDVECTOR));
    for (int k = 0; k < f->arg_count && k < FUNC_PARAMS_MAX; k++) {
        TypeId t = f->arg_types[k];
        items[k] = i8(t == TYPE_UNKNOWN       ? 2276
                      : t == TYPE_ANYELEMENT ? 2283
                      : t == TYPE_ANYARRAY   ? 2277
                                             : (int64_t)type_oid(t));
    }
    Error err;
    error_clear(&err);
    if (array_encode(TYPE_INT8, items, f->arg_count, r->a, &v.str, &err) != STRATA_OK) {
        r->failed = true;
        return v;
    }
    v.is_null = false;
    return v;
}

static void rows_pg_proc(Rows *r, const Catalog *c)
{
    int count;
    const FuncDef *defs = func_table(&count);
    int64_t namespace_oid = schema_oid(c, "pg_catalog");
    static const char volatility[] = {'i', 's', 'v'};
    for (int k = 0; k < count; k++) {
        const FuncDef *f = &defs[k];
        if (f->kind != FUNC_KIND_FUNCTION) {
            continue;
        }
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        char kind[2] = {volatility[f->volatility < 3 ? f->volatility : 2], '\0'};
        Value values[] = {i8(PG_PROC_OID_BASE + k),   txt(r, f->name),
                          i8(namespace_oid),          txt(r, "f"),
                          i4(f->arg_count),           i8(type_oid(f->result_type)),
                          boolean(f->set_fn != NULL), txt(r, kind),
                          boolean(f->strict),         proc_arg_types(r, f)};
        memcpy(row, values, sizeof values);
    }
}

/* One row per constraint (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK). */
static void rows_pg_constraint(Rows *r, const Catalog *c)
{
    static const char *const types[] = {"", "c", "u", "p", "f"};
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        for (int n = 0; n < t->constraint_count; n++) {
            const CatConstraint *con = &t->constraints[n];
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            bool is_fk = con->kind == CAT_CONSTRAINT_FOREIGN;
            row[0] = i8((int64_t)catalog_constraint_oid(t, n));
            row[1] = txt(r, con->name);
            row[2] = i8(schema_oid(c, t->schema));
            row[3] = txt(r, types[con->kind]);
            row[4] = boolean(false);
            row[5] = boolean(false);
            row[6] = boolean(true);
            row[7] = i8((int64_t)t->id);
            row[8] = i8((int64_t)(is_fk || con->kind == CAT_CONSTRAINT_CHECK ? 0 : con->index_id));
            row[9] = i8((int64_t)(is_fk ? con->ref_table_id : 0));
            row[10] = i8(0);
            row[11] = int2_array(r, con->columns, con->column_count);
            row[12] = is_fk ? int2_array(r, con->ref_columns, con->column_count)
                            : value_null(sql_type(TYPE_INT2_ARRAY));
            char actions[3][2] = {{is_fk ? con->on_update : ' ', 0},
                                  {is_fk ? con->on_delete : ' ', 0},
                                  {is_fk ? (con->match_full ? 'f' : 's') : ' ', 0}};
            row[13] = txt(r, actions[0]);
            row[14] = txt(r, actions[1]);
            row[15] = txt(r, actions[2]);
            row[16] = boolean(true);
            row[17] = boolean(false);
            row[18] = i8(0);
        }
    }
    /* the CHECK constraints of domains (psql's \dD) */
    for (int k = 0; k < catalog_type_count(c); k++) {
        const CatType *t = catalog_type_at(c, k);
        for (int n = 0; n < t->check_count; n++) {
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = i8((int64_t)catalog_domain_constraint_oid(t, n));
            row[1] = txt(r, t->check_names[n]);
            row[2] = i8(schema_oid(c, t->schema));
            row[3] = txt(r, "c");
            row[4] = boolean(false);
            row[5] = boolean(false);
            row[6] = boolean(true);
            for (int col = 7; col <= 10; col++) {
                row[col] = i8(0);
            }
            row[11] = value_null(sql_type(TYPE_INT2_ARRAY));
            row[12] = value_null(sql_type(TYPE_INT2_ARRAY));
            row[13] = txt(r, " ");
            row[14] = txt(r, " ");
            row[15] = txt(r, " ");
            row[16] = boolean(true);
            row[17] = boolean(false);
            row[18] = i8((int64_t)t->id);
        }
    }
}

/* pg_index.indexprs: the expression keys' SQL text, NULL when there are none
 * (PostgreSQL's is a node tree; readers test it for NULL or print it through
 * pg_get_expr). */
static const char *index_expressions(Rows *r, const CatIndex *idx)
{
    const char *text = NULL;
    for (int j = 0; j < idx->key_count; j++) {
        if (idx->key_sql != NULL && idx->key_sql[j] != NULL) {
            text = text == NULL ? idx->key_sql[j]
                                : arena_sprintf(r->a, "%s, %s", text, idx->key_sql[j]);
        }
    }
    return text;
}

static void rows_indexes(Rows *r, const Catalog *c, bool pg_indexes)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        for (int x = 0; x < t->index_count; x++) {
            const CatIndex *idx = t->indexes[x];
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            if (pg_indexes) {
                row[0] = txt(r, t->schema);
                row[1] = txt(r, t->name);
                row[2] = txt(r, idx->name);
                row[3] = value_null(sql_type(TYPE_TEXT));
                row[4] = txt(r, index_def(r, t, idx));
            } else {
                row[0] = i8((int64_t)idx->id);
                row[1] = i8((int64_t)t->id);
                row[2] = i4(idx->key_count + idx->include_count);
                row[3] = boolean(idx->unique);
                row[4] = boolean(idx->primary);
                /* indkey: attribute numbers of the keys (0 for an expression), then
                 * of the INCLUDE columns; indoption: 1 DESC, 2 NULLS FIRST per key */
                int natts = idx->key_count + idx->include_count;
                int *keys = arena_alloc(r->a, sizeof(int) * (size_t)(natts + 1));
                int *options = arena_alloc(r->a, sizeof(int) * (size_t)(idx->key_count + 1));
                if (keys == NULL || options == NULL) {
                    r->failed = true;
                    return;
                }
                for (int j = 0; j < natts; j++) {
                    keys[j] = j < idx->key_count ? idx->key_columns[j] + 1
                                                 : idx->include_columns[j - idx->key_count] + 1;
                }
                for (int j = 0; j < idx->key_count; j++) {
                    options[j] =
                        (idx->key_descending[j] ? 1 : 0) | (idx->key_nulls_first[j] ? 2 : 0);
                }
                row[5] = int2_vector(r, keys, natts);
                row[6] = boolean(false);
                row[7] = boolean(true);
                row[8] = boolean(false);
                row[9] = i4(idx->key_count);
                row[10] = boolean(true);
                row[11] = boolean(false);
                row[12] = txt(r, idx->predicate_sql);
                row[13] = int2_vector(r, options, idx->key_count);
                row[14] = txt(r, index_expressions(r, idx));
            }
        }
    }
}

static void rows_pg_tables_views(Rows *r, const Catalog *c, bool views)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (views ? t->kind != CAT_VIEW : t->kind != CAT_TABLE || cat_is_matview(t)) {
            continue;
        }
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        row[0] = txt(r, t->schema);
        row[1] = txt(r, t->name);
        row[2] = txt(r, owner_name(c, t));
        if (views) {
            row[3] = txt(r, t->view_sql);
        } else {
            row[3] = value_null(sql_type(TYPE_TEXT));
            row[4] = boolean(t->index_count > 0);
        }
    }
}

static void rows_pg_matviews(Rows *r, const Catalog *c)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (!cat_is_matview(t)) {
            continue;
        }
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        row[0] = txt(r, t->schema);
        row[1] = txt(r, t->name);
        row[2] = txt(r, owner_name(c, t));
        row[3] = value_null(sql_type(TYPE_TEXT));
        row[4] = boolean(t->index_count > 0);
        row[5] = boolean(!t->unpopulated);
        row[6] = txt(r, t->view_sql);
    }
}

static Value valid_until(Rows *r, const CatRole *role)
{
    Value in = txt(r, role->valid_until), out;
    Error err;
    error_clear(&err);
    if (role->valid_until == NULL ||
        value_cast(&in, sql_type(TYPE_TIMESTAMPTZ), CAST_EXPLICIT, r->a, &out, &err) != STRATA_OK) {
        return value_null(sql_type(TYPE_TIMESTAMPTZ));
    }
    return out;
}

/* pg_authid (with the verifier), pg_roles and pg_user (password masked). */
static void rows_roles(Rows *r, const Catalog *c, const char *view)
{
    bool is_authid = strcmp(view, "pg_authid") == 0, is_user = strcmp(view, "pg_user") == 0;
    for (int k = 0; k < catalog_role_count(c); k++) {
        const CatRole *role = catalog_role_at(c, k);
        if (is_user && !role->login) {
            continue;
        }
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        const char *masked = role->password != NULL ? "********" : NULL;
        if (is_user) {
            Value values[] = {txt(r, role->name),
                              i8((int64_t)role->id),
                              boolean(role->createdb),
                              boolean(role->superuser),
                              boolean(role->replication),
                              boolean(role->bypassrls),
                              txt(r, masked),
                              valid_until(r, role),
                              value_null(sql_type(TYPE_TEXT))};
            memcpy(row, values, sizeof values);
        } else if (is_authid) {
            Value values[] = {
                i8((int64_t)role->id),      txt(r, role->name),         boolean(role->superuser),
                boolean(role->inherit),     boolean(role->createrole),  boolean(role->createdb),
                boolean(role->login),       boolean(role->replication), boolean(role->bypassrls),
                i4(role->connection_limit), txt(r, role->password),     valid_until(r, role)};
            memcpy(row, values, sizeof values);
        } else {
            Value values[] = {txt(r, role->name),
                              boolean(role->superuser),
                              boolean(role->inherit),
                              boolean(role->createrole),
                              boolean(role->createdb),
                              boolean(role->login),
                              boolean(role->replication),
                              i4(role->connection_limit),
                              txt(r, masked),
                              valid_until(r, role),
                              boolean(role->bypassrls),
                              value_null(sql_type(TYPE_TEXT)),
                              i8((int64_t)role->id)};
            memcpy(row, values, sizeof values);
        }
    }
}

/* pg_auth_members: one row per membership (GRANT role TO member); inherit_option
 * follows the member's INHERIT, as PostgreSQL 16 shows a PostgreSQL 15 grant. */
static void rows_auth_members(Rows *r, const Catalog *c)
{
    for (int k = 0; k < catalog_role_count(c); k++) {
        const CatRole *role = catalog_role_at(c, k);
        for (int m = 0; m < role->member_of_count; m++) {
            const CatRoleMember *item = &role->member_of[m];
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            Value values[] = {i8((int64_t)(role->id * 1000 + (uint64_t)m)),
                              i8((int64_t)item->role_id),
                              i8((int64_t)role->id),
                              i8((int64_t)item->grantor),
                              boolean(item->admin_option),
                              boolean(role->inherit),
                              boolean(true)};
            memcpy(row, values, sizeof values);
        }
    }
}

static void rows_sequences(Rows *r, strata_db *conn)
{
    const Catalog *c = conn->catalog;
    for (int k = 0; k < catalog_sequence_count(c); k++) {
        const CatSequence *s = catalog_sequence_at(c, k);
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        int64_t last = 0;
        bool called = false;
        catalog_sequence_get(conn->txn, s, &last, &called, NULL);
        row[0] = txt(r, s->schema);
        row[1] = txt(r, s->name);
        row[2] = i8(s->start);
        row[3] = i8(s->min_value);
        row[4] = i8(s->max_value);
        row[5] = i8(s->increment);
        row[6] = boolean(s->cycle);
        row[7] = called ? i8(last) : value_null(sql_type(TYPE_INT8));
    }
}

static void rows_settings(Rows *r, strata_db *conn)
{
    int n = api_settings_count();
    for (int k = 0; k < n; k++) {
        const char *name, *unit, *desc, *vartype, *boot;
        api_settings_describe(k, &name, &unit, &desc, &vartype, &boot);
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        row[0] = txt(r, name);
        row[1] = txt(r, api_settings_value_at(conn, k));
        row[2] = txt(r, unit);
        row[3] = txt(r, "Client Connection Defaults");
        row[4] = txt(r, desc);
        row[5] = txt(r, vartype);
        row[6] = txt(r, strcmp(api_settings_value_at(conn, k), boot) == 0 ? "default" : "session");
        row[7] = txt(r, boot);
        row[8] = txt(r, boot);
    }
}

/* An aclitem's text as PostgreSQL prints it: grantee=privileges/grantor, PUBLIC's
 * with an empty grantee, '*' after a privilege held with the grant option. */
static char *aclitem_text(Rows *r, const Catalog *c, const CatAclItem *item)
{
    static const struct {
        uint32_t bit;
        char letter;
    } letters[] = {{CAT_PRIV_INSERT, 'a'},     {CAT_PRIV_SELECT, 'r'},   {CAT_PRIV_UPDATE, 'w'},
                   {CAT_PRIV_DELETE, 'd'},     {CAT_PRIV_TRUNCATE, 'D'}, {CAT_PRIV_REFERENCES, 'x'},
                   {CAT_PRIV_TRIGGER, 't'},    {CAT_PRIV_USAGE, 'U'},    {CAT_PRIV_CREATE, 'C'},
                   {CAT_PRIV_TEMPORARY, 'T'},  {CAT_PRIV_CONNECT, 'c'}};
    char privs[2 * sizeof letters / sizeof letters[0] + 1];
    size_t n = 0;
    for (size_t k = 0; k < sizeof letters / sizeof letters[0]; k++) {
        if (item->privileges & letters[k].bit) {
            privs[n++] = letters[k].letter;
            if (item->grant_options & letters[k].bit) {
                privs[n++] = '*';
            }
        }
    }
    privs[n] = '\0';
    const CatRole *grantee = item->grantee != 0 ? catalog_role_by_id(c, item->grantee) : NULL;
    const CatRole *grantor = catalog_role_by_id(c, item->grantor);
    char *text = arena_sprintf(r->a, "%s=%s/%s", grantee != NULL ? grantee->name : "", privs,
                               grantor != NULL ? grantor->name : "");
    r->failed |= text == NULL;
    return text;
}

/* pg_database: the file's one database; datacl NULL until a GRANT or REVOKE (the
 * default: PUBLIC may connect and create temporary tables, the owner all). */
static void rows_pg_database(Rows *r, const Catalog *c)
{
    Value *row = new_row(r);
    if (row == NULL) {
        return;
    }
    const CatDatabase *db = catalog_database(c);
    uint64_t owner = db->owner_id != 0 ? db->owner_id : CAT_ID_BOOTSTRAP_ROLE;
    row[0] = i8(1);
    row[1] = txt(r, r->database);
    row[2] = i8((int64_t)owner);
    row[3] = i4(6); /* UTF8 */
    row[4] = txt(r, "c");
    row[5] = boolean(false);
    row[6] = boolean(true);
    row[7] = i4(-1);
    row[8] = i8(1663); /* pg_default */
    row[9] = txt(r, "C.UTF-8");
    row[10] = txt(r, "C.UTF-8");
    row[11] = value_null(sql_type(TYPE_TEXT));
    row[12] = value_null(sql_type(TYPE_TEXT_ARRAY));
    if (!db->has_acl) {
        return;
    }
    Value *items = arena_alloc(r->a, sizeof(Value) * (size_t)(db->acl_count + 1));
    if (items == NULL) {
        r->failed = true;
        return;
    }
    for (int k = 0; k < db->acl_count && !r->failed; k++) {
        const char *text = aclitem_text(r, c, &db->acl[k]);
        items[k] = value_str(TYPE_TEXT, text, text != NULL ? (uint32_t)strlen(text) : 0);
    }
    Error err;
    if (r->failed ||
        array_encode(TYPE_TEXT, items, db->acl_count, r->a, &row[12].str, &err) != STRATA_OK) {
        r->failed = true;
        return;
    }
    row[12].is_null = false;
}

/* A text[] of values as their text (pg_stats.most_common_vals, histogram_bounds),
 * NULL when there are none. */
static Value text_array(Rows *r, const Value *values, int count)
{
    Value v = value_null(sql_type(TYPE_TEXT_ARRAY));
    Value *items = count > 0 ? arena_alloc(r->a, sizeof(Value) * (size_t)count) : NULL;
    if (count == 0 || items == NULL) {
        r->failed |= count > 0;
        return v;
    }
    Error err;
    for (int k = 0; k < count; k++) {
        StrRef text;
        if (value_format(&values[k], r->a, &text, &err) != STRATA_OK) {
            r->failed = true;
            return v;
        }
        items[k] = value_str(TYPE_TEXT, text.ptr, text.len);
    }
    if (array_encode(TYPE_TEXT, items, count, r->a, &v.str, &err) != STRATA_OK) {
        r->failed = true;
        return v;
    }
    v.is_null = false;
    return v;
}

static Value float8_array(Rows *r, const double *values, int count)
{
    Value v = value_null(sql_type(TYPE_FLOAT8_ARRAY));
    Value *items = count > 0 ? arena_alloc(r->a, sizeof(Value) * (size_t)count) : NULL;
    if (count == 0 || items == NULL) {
        r->failed |= count > 0;
        return v;
    }
    for (int k = 0; k < count; k++) {
        items[k] = value_f64(values[k]);
    }
    Error err;
    if (array_encode(TYPE_FLOAT8, items, count, r->a, &v.str, &err) != STRATA_OK) {
        r->failed = true;
        return v;
    }
    v.is_null = false;
    return v;
}

/* pg_stats: one row per column of every analyzed table. */
static void rows_pg_stats(Rows *r, const Catalog *c)
{
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (t->kind != CAT_TABLE || t->stats == NULL || t->stats->columns == NULL) {
            continue;
        }
        for (int col = 0; col < t->column_count; col++) {
            const CatColumnStats *s = &t->stats->columns[col];
            Value *row = new_row(r);
            if (row == NULL) {
                return;
            }
            row[0] = txt(r, t->schema);
            row[1] = txt(r, t->name);
            row[2] = txt(r, t->columns[col].name);
            row[3] = value_f64(s->null_fraction);
            row[4] = value_f64(s->distinct_count);
            row[5] = text_array(r, s->mcv_values, s->mcv_count);
            row[6] = float8_array(r, s->mcv_fractions, s->mcv_count);
            row[7] = text_array(r, s->histogram, s->histogram_count);
        }
    }
}

static void rows_stat_tables(Rows *r, strata_db *conn, bool indexes)
{
    const Catalog *c = conn->catalog;
    TableCounters *counters;
    int count;
    api_database_flush_stats(conn->db, &conn->stats_pending); /* its own, so far */
    if (api_database_copy_counters(conn->db, r->a, &counters, &count) != STRATA_OK) {
        r->failed = true;
        return;
    }
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (t->kind != CAT_TABLE) {
            continue;
        }
        TableCounters zero = {0};
        const TableCounters *tc = &zero;
        for (int j = 0; j < count; j++) {
            if (counters[j].id == t->id && !counters[j].is_index) {
                tc = &counters[j];
            }
        }
        if (indexes) {
            for (int x = 0; x < t->index_count; x++) {
                Value *row = new_row(r);
                if (row == NULL) {
                    return;
                }
                const TableCounters *ic = &zero;
                for (int j = 0; j < count; j++) {
                    if (counters[j].id == t->indexes[x]->id && counters[j].is_index) {
                        ic = &counters[j];
                    }
                }
                row[0] = i8((int64_t)t->id);
                row[1] = i8((int64_t)t->indexes[x]->id);
                row[2] = txt(r, t->schema);
                row[3] = txt(r, t->name);
                row[4] = txt(r, t->indexes[x]->name);
                row[5] = i8((int64_t)ic->idx_scan);
                row[6] = i8((int64_t)ic->idx_tup_read);
                row[7] = i8((int64_t)ic->idx_tup_fetch);
            }
            continue;
        }
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        int64_t live = (int64_t)tc->n_tup_ins - (int64_t)tc->n_tup_del;
        row[0] = i8((int64_t)t->id);
        row[1] = txt(r, t->schema);
        row[2] = txt(r, t->name);
        row[3] = i8((int64_t)tc->seq_scan);
        row[4] = i8((int64_t)tc->seq_tup_read);
        row[5] = i8((int64_t)tc->idx_scan);
        row[6] = i8((int64_t)tc->idx_tup_fetch);
        row[7] = i8((int64_t)tc->n_tup_ins);
        row[8] = i8((int64_t)tc->n_tup_upd);
        row[9] = i8((int64_t)tc->n_tup_del);
        row[10] = i8(t->stats != NULL ? (int64_t)t->stats->row_count : (live > 0 ? live : 0));
        row[11] = i8(0);
    }
}

/* strata_column_storage: per column of each table whose access method
 * describes its storage (TableAm.storage_info), read in the statement's
 * transaction. Returns an error code: storage can be corrupt. */
static int rows_column_storage(Rows *r, strata_db *conn, Error *err)
{
    const Catalog *c = conn->catalog;
    for (int k = 0; k < catalog_table_count(c); k++) {
        const CatTable *t = catalog_table_at(c, k);
        TableStorageInfo info;
        if (t->kind != CAT_TABLE || t->am == NULL || t->am->storage_info == NULL ||
            conn->txn == NULL) {
            continue;
        }
        int rc = t->am->storage_info(conn->txn, &t->desc, r->a, &info, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        for (int col = 0; col < t->column_count; col++) {
            Value *row = new_row(r);
            if (row == NULL) {
                return STRATA_OK;
            }
            row[0] = txt(r, t->schema);
            row[1] = txt(r, t->name);
            row[2] = txt(r, t->columns[col].name);
            row[3] = i4(col + 1);
            row[4] = i8((int64_t)info.row_groups);
            row[5] = i8((int64_t)info.buffered_rows);
            row[6] = txt(r, info.columns[col].encodings);
            row[7] = i8((int64_t)info.columns[col].stored_bytes);
            row[8] = i8((int64_t)info.columns[col].raw_bytes);
        }
    }
    return STRATA_OK;
}

/* strata_stat_storage: the pager's counters, one row. */
static void rows_stat_storage(Rows *r, strata_db *conn)
{
    PagerStats st;
    pager_stats(conn->db->pager, &st);
    Value *row = new_row(r);
    if (row == NULL) {
        return;
    }
    const uint64_t fields[] = {st.cache_hits,
                               st.cache_misses,
                               st.commits,
                               st.wal_syncs,
                               st.wal_frames,
                               st.spilled_pages,
                               st.checkpoints,
                               st.background_checkpoints,
                               st.wal_restarts,
                               st.locked_copies,
                               st.held_copies,
                               st.restarts_beside_writer,
                               st.stale_checkpoint_requests,
                               st.stale_wal_discards,
                               st.speculative_begins,
                               st.speculative_kept,
                               st.speculative_restarts,
                               st.speculative_conflicts};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0] && (int)k < r->column_count; k++) {
        row[k] = i8((int64_t)fields[k]);
    }
}

static void rows_statements(Rows *r, strata_db *conn)
{
    StatementStats *stats;
    int count;
    api_database_flush_stats(conn->db, &conn->stats_pending); /* its own, so far */
    if (api_database_copy_statements(conn->db, r->a, &stats, &count) != STRATA_OK) {
        r->failed = true;
        return;
    }
    for (int k = 0; k < count; k++) {
        Value *row = new_row(r);
        if (row == NULL) {
            return;
        }
        row[0] = i8((int64_t)stats[k].query_id);
        row[1] = txt(r, stats[k].query);
        row[2] = i8((int64_t)stats[k].calls);
        row[3] = value_f64(stats[k].total_ms);
        row[4] = value_f64(stats[k].calls ? stats[k].total_ms / (double)stats[k].calls : 0.0);
        row[5] = i8((int64_t)stats[k].rows);
    }
}

int api_sysviews_rows(void *ctx, const TableDesc *desc, Arena *a, Value **rows, int *row_count,
                      Error *err)
{
    strata_db *conn = ctx;
    const Catalog *c = conn->catalog;
    Rows r = {.a = a, .column_count = desc->column_count, .database = conn->database_name};
    const char *name = desc->name;
    const char *schema = sysview_schema(desc->table_id);
    if (schema != NULL && strcmp(schema, "information_schema") == 0) {
        if (strcmp(name, "schemata") == 0) {
            for (int k = 0; k < catalog_schema_count(c); k++) {
                Value *row = new_row(&r);
                if (row != NULL) {
                    row[0] = txt(&r, r.database);
                    row[1] = txt(&r, catalog_schema_at(c, k)->name);
                    row[2] = txt(&r, "strata");
                }
            }
        } else {
            rows_tables(&r, c, name);
        }
    } else if (strcmp(name, "pg_namespace") == 0) {
        for (int k = 0; k < catalog_schema_count(c); k++) {
            Value *row = new_row(&r);
            if (row != NULL) {
                row[0] = i8((int64_t)catalog_schema_at(c, k)->id);
                row[1] = txt(&r, catalog_schema_at(c, k)->name);
                uint64_t owner = catalog_schema_at(c, k)->owner_id;
                row[2] = i8(owner != 0 ? (int64_t)owner : 10);
            }
        }
    } else if (strcmp(name, "pg_class") == 0) {
        rows_pg_class(&r, c);
    } else if (strcmp(name, "pg_inherits") == 0 || strcmp(name, "pg_partitioned_table") == 0) {
        rows_partitioning(&r, c, strcmp(name, "pg_inherits") == 0);
    } else if (strcmp(name, "pg_am") == 0) {
        rows_pg_am(&r, c);
    } else if (strcmp(name, "pg_attrdef") == 0) {
        rows_pg_attrdef(&r, c);
    } else if (strcmp(name, "pg_attribute") == 0) {
        rows_pg_attribute(&r, c);
    } else if (strcmp(name, "pg_type") == 0) {
        rows_pg_type(&r);
        rows_user_types(&r, c, false);
    } else if (strcmp(name, "pg_enum") == 0) {
        rows_user_types(&r, c, true);
    } else if (strcmp(name, "pg_index") == 0) {
        rows_indexes(&r, c, false);
    } else if (strcmp(name, "pg_indexes") == 0) {
        rows_indexes(&r, c, true);
    } else if (strcmp(name, "pg_views") == 0) {
        rows_pg_tables_views(&r, c, true);
    } else if (strcmp(name, "pg_tables") == 0) {
        rows_pg_tables_views(&r, c, false);
    } else if (strcmp(name, "pg_matviews") == 0) {
        rows_pg_matviews(&r, c);
    } else if (strcmp(name, "pg_sequences") == 0) {
        rows_sequences(&r, conn);
    } else if (strcmp(name, "pg_sequence") == 0 || strcmp(name, "pg_depend") == 0) {
        rows_pg_sequence(&r, c, strcmp(name, "pg_depend") == 0);
    } else if (strcmp(name, "pg_proc") == 0) {
        rows_pg_proc(&r, c);
    } else if (strcmp(name, "pg_authid") == 0 && !api_role_is_superuser(conn, c)) {
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                         "permission denied for table pg_authid");
    } else if (strcmp(name, "pg_authid") == 0 || strcmp(name, "pg_roles") == 0 ||
               strcmp(name, "pg_user") == 0) {
        rows_roles(&r, c, name);
    } else if (strcmp(name, "pg_auth_members") == 0) {
        rows_auth_members(&r, c);
    } else if (strcmp(name, "pg_database") == 0) {
        rows_pg_database(&r, c);
    } else if (strcmp(name, "pg_constraint") == 0) {
        rows_pg_constraint(&r, c);
    } else if (strcmp(name, "pg_settings") == 0) {
        rows_settings(&r, conn);
    } else if (strcmp(name, "pg_stat_user_tables") == 0) {
        rows_stat_tables(&r, conn, false);
    } else if (strcmp(name, "pg_stat_user_indexes") == 0) {
        rows_stat_tables(&r, conn, true);
    } else if (strcmp(name, "pg_stat_statements") == 0) {
        rows_statements(&r, conn);
    } else if (strcmp(name, "strata_stat_storage") == 0) {
        rows_stat_storage(&r, conn);
    } else if (strcmp(name, "pg_stats") == 0) {
        rows_pg_stats(&r, c);
    } else if (strcmp(name, "strata_column_storage") == 0) {
        int rc = rows_column_storage(&r, conn, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    } else if (strcmp(name, "pg_stat_activity") == 0) {
        Value *row = new_row(&r);
        if (row != NULL) {
            row[0] = txt(&r, r.database);
            row[1] = i4(0);
            row[2] = txt(&r, api_settings_get(conn, "application_name", NULL));
            row[3] = txt(&r, "active");
            row[4] = value_null(sql_type(TYPE_TEXT));
        }
    }
    if (r.failed) {
        return arena_error(a, err);
    }
    *rows = r.items;
    *row_count = r.count;
    return STRATA_OK;
}

/* ---- pg_stat_statements normalization ----------------------------------------------------- */

char *api_normalize_statement(const char *sql, size_t length, Arena *a)
{
    char *out = arena_alloc(a, length * 4 + 32);
    if (out == NULL) {
        return NULL;
    }
    size_t at = 0;
    int param = 0;
    bool space = false;
    size_t k = 0;
    while (k < length) {
        char ch = sql[k];
        if (isspace((unsigned char)ch)) {
            space = at > 0;
            k++;
            continue;
        }
        if (space) {
            out[at++] = ' ';
            space = false;
        }
        bool prev_ident = at > 0 && (isalnum((unsigned char)out[at - 1]) || out[at - 1] == '_' ||
                                     out[at - 1] == '$' || out[at - 1] == '"');
        if (ch == '\'') {
            k++;
            while (k < length) {
                if (sql[k] == '\'' && k + 1 < length && sql[k + 1] == '\'') {
                    k += 2;
                } else if (sql[k] == '\'') {
                    k++;
                    break;
                } else {
                    k++;
                }
            }
            at += (size_t)snprintf(out + at, 16, "$%d", ++param);
            continue;
        }
        if (isdigit((unsigned char)ch) && !prev_ident) {
            while (k < length && (isalnum((unsigned char)sql[k]) || sql[k] == '.')) {
                k++;
            }
            at += (size_t)snprintf(out + at, 16, "$%d", ++param);
            continue;
        }
        if (ch == '"') {
            out[at++] = sql[k++];
            while (k < length && sql[k] != '"') {
                out[at++] = sql[k++];
            }
            if (k < length) {
                out[at++] = sql[k++];
            }
            continue;
        }
        if (ch == ';' && k + 1 >= length) {
            k++;
            continue;
        }
        out[at++] = ch;
        k++;
    }
    out[at] = '\0';
    return out;
}
