/*
 * exec/modify_partition.c - INSERT / UPDATE / DELETE through a partitioned
 * table: each row goes to (or is found in) the leaf partition its key
 * belongs to, written through a copy of the statement's ModifyPlan whose
 * table is the partition (partitions have the parent's columns in the
 * parent's order, so checks, defaults and RETURNING apply unchanged; only
 * the index expressions are bound again, per partition index). A row
 * written directly into a partition must fit the partition's bound.
 *
 * See src/exec/README.md and catalog/partition.h.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/partition.h"
#include "exec/exec_int.h"
#include "types/value_io.h"

static const char *values_text(Arena *a, const Value *row, const int *columns, int count)
{
    const char *text = "";
    for (int k = 0; k < count && text != NULL; k++) {
        const Value *v = &row[columns != NULL ? columns[k] : k];
        const char *item = v->is_null ? "null" : value_to_cstring(v, a);
        text = item != NULL ? arena_sprintf(a, "%s%s%s", text, k > 0 ? ", " : "", item) : NULL;
    }
    return text != NULL ? text : "";
}

static int no_partition(ExecState *es, const CatTable *t, const Value *row, Error *err)
{
    const CatPartitionKey *key = t->partition_key;
    const char *names = "";
    for (int k = 0; k < key->key_count && names != NULL; k++) {
        names = arena_sprintf(es->scratch, "%s%s%s", names, k > 0 ? ", " : "",
                              t->columns[key->key_columns[k]].name);
    }
    error_set(err, SQLSTATE_CHECK_VIOLATION, "no partition of relation \"%s\" found for row",
              t->name);
    snprintf(err->table_name, sizeof(err->table_name), "%s", t->name);
    return error_detail(err, "Partition key of the failing row contains (%s) = (%s).",
                        names != NULL ? names : "",
                        values_text(es->scratch, row, key->key_columns, key->key_count));
}

static int bound_violation(ExecState *es, const CatTable *t, const Value *row, Error *err)
{
    error_set(err, SQLSTATE_CHECK_VIOLATION,
              "new row for relation \"%s\" violates partition constraint", t->name);
    snprintf(err->table_name, sizeof(err->table_name), "%s", t->name);
    return error_detail(err, "Failing row contains (%s).",
                        values_text(es->scratch, row, NULL, t->column_count));
}

/* The partition's index matching the parent's ON CONFLICT target index. */
static int conflict_index_of(const CatIndex *want, const CatTable *part, int *out, Error *err)
{
    for (int i = 0; i < part->index_count; i++) {
        const CatIndex *x = part->indexes[i];
        bool same = x->unique && x->key_count == want->key_count;
        for (int k = 0; same && k < x->key_count; k++) {
            same = x->key_columns[k] == want->key_columns[k] && x->key_columns[k] >= 0;
        }
        if (same) {
            *out = i;
            return STRATA_OK;
        }
    }
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                     "partition \"%s\" has no unique index matching the ON CONFLICT target",
                     part->name);
}

int exec_partition_check_stays(ExecNode *n, const ModifyPlan *m, const Value *row, Error *err)
{
    const CatTable *t = m->table;
    if (t->parent_id == 0) {
        return STRATA_OK;
    }
    const CatTable *parent = catalog_table_by_id(n->es->env->catalog, t->parent_id);
    if (parent == NULL || partition_row_fits(parent, t, row)) {
        return STRATA_OK;
    }
    error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "invalid ON UPDATE specification");
    return error_detail(err, "The result tuple would appear in a different partition than the "
                             "original tuple.");
}

/* A copy of m writing partition part (exec arena), cached. */
static int plan_for(ExecNode *n, const ModifyPlan *m, const CatTable *part,
                    PartitionPlans *cache, const ModifyPlan **out, Error *err)
{
    for (int k = 0; k < cache->count; k++) {
        if (cache->tables[k] == part) {
            *out = cache->plans[k];
            return STRATA_OK;
        }
    }
    Arena *a = n->es->a;
    if (cache->count == cache->capacity) {
        int cap = cache->capacity ? cache->capacity * 2 : 16;
        const CatTable **tables = arena_zalloc(a, sizeof(CatTable *) * (size_t)cap);
        ModifyPlan **plans = arena_zalloc(a, sizeof(ModifyPlan *) * (size_t)cap);
        if (tables == NULL || plans == NULL) {
            return arena_error(a, err);
        }
        if (cache->count > 0) {
            memcpy(tables, cache->tables, sizeof(CatTable *) * (size_t)cache->count);
            memcpy(plans, cache->plans, sizeof(ModifyPlan *) * (size_t)cache->count);
        }
        cache->tables = tables;
        cache->plans = plans;
        cache->capacity = cap;
    }
    ModifyPlan *pm = arena_zalloc(a, sizeof(ModifyPlan));
    size_t slots = sizeof(void *) * (size_t)(part->index_count + 1);
    Expr ***keys = arena_zalloc(a, slots);
    Expr **preds = arena_zalloc(a, slots);
    if (pm == NULL || keys == NULL || preds == NULL) {
        return arena_error(a, err);
    }
    *pm = *m;
    pm->table = part;
    pm->index_key_exprs = keys;
    pm->index_predicates = preds;
    if (m->has_on_conflict && m->conflict_index >= 0) {
        int rc = conflict_index_of(m->table->indexes[m->conflict_index], part, &pm->conflict_index,
                                   err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    for (int i = 0; i < part->index_count; i++) {
        int rc = exec_bind_index_exprs(n->es->env, part, part->indexes[i], &keys[i], &preds[i],
                                       err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    cache->tables[cache->count] = part;
    cache->plans[cache->count] = pm;
    cache->count++;
    *out = pm;
    return STRATA_OK;
}

int exec_partition_target(ExecNode *n, const ModifyPlan *m, const Value *row, bool check_bound,
                          PartitionPlans *cache, const ModifyPlan **out, Error *err)
{
    const CatTable *t = m->table;
    *out = m;
    if (t->partition_key == NULL) {
        if (!check_bound || t->parent_id == 0) {
            return STRATA_OK;
        }
        const CatTable *parent = catalog_table_by_id(n->es->env->catalog, t->parent_id);
        if (parent != NULL && !partition_row_fits(parent, t, row)) {
            return bound_violation(n->es, t, row, err);
        }
        return STRATA_OK;
    }
    const CatTable *leaf = t;
    while (leaf->partition_key != NULL) {
        const CatTable *next = partition_route(leaf, row);
        if (next == NULL) {
            return no_partition(n->es, leaf, row, err);
        }
        leaf = next;
    }
    return plan_for(n, m, leaf, cache, out, err);
}
