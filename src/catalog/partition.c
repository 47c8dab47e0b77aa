/*
 * catalog/partition.c - partition bounds: containment, routing, overlap,
 * linking parents to partitions, and their text (catalog/partition.h).
 *
 * See src/catalog/README.md.
 */
#include <string.h>

#include "catalog/partition.h"
#include "types/compare.h"
#include "types/typeinfo.h"
#include "types/value_io.h"

int partition_range_compare(int count, const Value *x, const uint8_t *x_kind, const Value *y,
                            const uint8_t *y_kind)
{
    for (int k = 0; k < count; k++) {
        int xk = x_kind != NULL ? x_kind[k] : CAT_BOUND_VALUE;
        int yk = y_kind != NULL ? y_kind[k] : CAT_BOUND_VALUE;
        /* MINVALUE < every value < MAXVALUE; equal infinities decide nothing
         * more, as the datums after them are infinite too. */
        int xr = xk == CAT_BOUND_MINVALUE ? -1 : xk == CAT_BOUND_MAXVALUE ? 1 : 0;
        int yr = yk == CAT_BOUND_MINVALUE ? -1 : yk == CAT_BOUND_MAXVALUE ? 1 : 0;
        if (xr != yr) {
            return xr < yr ? -1 : 1;
        }
        if (xr != 0) {
            return 0;
        }
        int c = value_compare(&x[k], &y[k]);
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    return 0;
}

static uint64_t key_hash(const CatPartitionKey *key, const Value *row)
{
    uint64_t h = 0;
    for (int k = 0; k < key->key_count; k++) {
        h = hash_combine(h, value_hash(&row[key->key_columns[k]]));
    }
    return h;
}

bool partition_bound_contains(const CatPartitionKey *key, const CatPartitionBound *bd,
                             const Value *row)
{
    if (bd == NULL || bd->is_default) {
        return false;
    }
    switch (key->strategy) {
    case CAT_PART_RANGE: {
        Value keys[PARTITION_KEYS_MAX];
        int n = key->key_count < PARTITION_KEYS_MAX ? key->key_count : PARTITION_KEYS_MAX;
        for (int k = 0; k < n; k++) {
            keys[k] = row[key->key_columns[k]];
            if (keys[k].is_null) {
                return false;
            }
        }
        return bd->lower != NULL &&
               partition_range_compare(n, keys, NULL, bd->lower, bd->lower_kind) >= 0 &&
               partition_range_compare(n, keys, NULL, bd->upper, bd->upper_kind) < 0;
    }
    case CAT_PART_LIST: {
        const Value *v = &row[key->key_columns[0]];
        for (int k = 0; bd->values != NULL && k < bd->count; k++) {
            if (v->is_null ? bd->values[k].is_null
                           : !bd->values[k].is_null && value_compare(v, &bd->values[k]) == 0) {
                return true;
            }
        }
        return false;
    }
    case CAT_PART_HASH:
        return bd->modulus > 0 &&
               key_hash(key, row) % (uint64_t)bd->modulus == (uint64_t)bd->remainder;
    }
    return false;
}

const CatTable *partition_route(const CatTable *parent, const Value *row)
{
    const CatTable *fallback = NULL;
    for (int p = 0; p < parent->partition_count; p++) {
        const CatTable *part = parent->partitions[p];
        if (part->partition_bound != NULL && part->partition_bound->is_default) {
            fallback = part;
        } else if (partition_bound_contains(parent->partition_key, part->partition_bound, row)) {
            return part;
        }
    }
    return fallback;
}

bool partition_row_fits(const CatTable *parent, const CatTable *part, const Value *row)
{
    if (parent == NULL || parent->partition_key == NULL || part->partition_bound == NULL) {
        return true;
    }
    if (!part->partition_bound->is_default) {
        return partition_bound_contains(parent->partition_key, part->partition_bound, row);
    }
    return partition_route(parent, row) == part;
}

static int gcd(int x, int y)
{
    while (y != 0) {
        int t = x % y;
        x = y;
        y = t;
    }
    return x;
}

bool partition_bounds_overlap(const CatPartitionKey *key, const CatPartitionBound *x,
                              const CatPartitionBound *y)
{
    if (x->is_default || y->is_default) {
        return x->is_default && y->is_default;
    }
    switch (key->strategy) {
    case CAT_PART_RANGE: {
        int n = key->key_count;
        return partition_range_compare(n, x->lower, x->lower_kind, y->upper, y->upper_kind) < 0 &&
               partition_range_compare(n, y->lower, y->lower_kind, x->upper, x->upper_kind) < 0;
    }
    case CAT_PART_LIST:
        for (int i = 0; i < x->count; i++) {
            for (int j = 0; j < y->count; j++) {
                const Value *a = &x->values[i], *b = &y->values[j];
                if (a->is_null ? b->is_null : !b->is_null && value_compare(a, b) == 0) {
                    return true;
                }
            }
        }
        return false;
    case CAT_PART_HASH: {
        int g = gcd(x->modulus, y->modulus);
        return g > 0 && x->remainder % g == y->remainder % g;
    }
    }
    return false;
}

/* Bound order: RANGE by lower bound, LIST by first value, HASH by modulus
 * then remainder; DEFAULT last. */
static int bound_order(const CatPartitionKey *key, const CatPartitionBound *x,
                       const CatPartitionBound *y)
{
    if (x->is_default || y->is_default) {
        return (int)x->is_default - (int)y->is_default;
    }
    switch (key->strategy) {
    case CAT_PART_RANGE:
        return partition_range_compare(key->key_count, x->lower, x->lower_kind, y->lower,
                                       y->lower_kind);
    case CAT_PART_LIST:
        if (x->count == 0 || y->count == 0) {
            return x->count - y->count;
        }
        return value_compare_nulls(&x->values[0], &y->values[0], false);
    case CAT_PART_HASH:
        return x->modulus != y->modulus ? x->modulus - y->modulus : x->remainder - y->remainder;
    }
    return 0;
}

/* A decoded bound must have the shape its parent's strategy reads. */
static bool bound_is_valid(const CatPartitionKey *key, const CatPartitionBound *bd)
{
    if (bd == NULL || bd->is_default) {
        return bd != NULL && key->strategy != CAT_PART_HASH;
    }
    switch (key->strategy) {
    case CAT_PART_RANGE:
        return bd->lower != NULL && bd->upper != NULL && bd->count == key->key_count;
    case CAT_PART_LIST:
        return key->key_count == 1 && (bd->count == 0 || bd->values != NULL) && bd->lower == NULL;
    case CAT_PART_HASH:
        return bd->modulus > 0 && bd->remainder >= 0 && bd->remainder < bd->modulus;
    }
    return false;
}

static int link_parent(Arena *a, CatTable *parent, const CatTable **tables, int table_count,
                       Error *err)
{
    const CatPartitionKey *key = parent->partition_key;
    bool known = key->strategy == CAT_PART_RANGE || key->strategy == CAT_PART_LIST ||
                 key->strategy == CAT_PART_HASH;
    if (!known || key->key_count < 1) {
        return error_corrupt(err, "partition key of table \"%s\" is corrupt", parent->name);
    }
    for (int k = 0; k < key->key_count; k++) {
        if (key->key_columns[k] < 0 || key->key_columns[k] >= parent->column_count) {
            return error_corrupt(err, "partition key of table \"%s\" names a missing column",
                                 parent->name);
        }
    }
    int count = 0;
    for (int t = 0; t < table_count; t++) {
        count += tables[t]->parent_id == parent->id;
    }
    const CatTable **parts = arena_zalloc(a, sizeof(CatTable *) * (size_t)(count + 1));
    if (parts == NULL) {
        return arena_error(a, err);
    }
    int filled = 0;
    for (int t = 0; t < table_count; t++) {
        const CatTable *part = tables[t];
        if (part->parent_id != parent->id) {
            continue;
        }
        if (!bound_is_valid(key, part->partition_bound) ||
            part->column_count != parent->column_count) {
            return error_corrupt(err, "partition \"%s\" of table \"%s\" is corrupt", part->name,
                                 parent->name);
        }
        int at = filled++;
        while (at > 0 &&
               bound_order(key, parts[at - 1]->partition_bound, part->partition_bound) > 0) {
            parts[at] = parts[at - 1];
            at--;
        }
        parts[at] = part;
    }
    parent->partitions = parts;
    parent->partition_count = filled;
    return STRATA_OK;
}

int cat_partition_link(Arena *a, const CatTable **tables, int table_count, Error *err)
{
    for (int t = 0; t < table_count; t++) {
        if (tables[t]->partition_key == NULL) {
            continue;
        }
        /* The catalog owns its tables; they are immutable once built, and
         * this is part of building. */
        int rc = link_parent(a, (CatTable *)tables[t], tables, table_count, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    for (int t = 0; t < table_count; t++) {
        uint64_t parent_id = tables[t]->parent_id;
        bool found = parent_id == 0;
        for (int p = 0; p < table_count && !found; p++) {
            found = tables[p]->id == parent_id && tables[p]->partition_key != NULL;
        }
        if (!found) {
            return error_corrupt(err, "partition \"%s\" names a missing parent", tables[t]->name);
        }
    }
    return STRATA_OK;
}

const char *partition_key_text(const CatTable *t, Arena *a)
{
    const CatPartitionKey *key = t->partition_key;
    if (key == NULL) {
        return NULL;
    }
    const char *text = key->strategy == CAT_PART_RANGE  ? "RANGE ("
                       : key->strategy == CAT_PART_LIST ? "LIST ("
                                                        : "HASH (";
    for (int k = 0; k < key->key_count && text != NULL; k++) {
        text = arena_sprintf(a, "%s%s%s", text, k > 0 ? ", " : "",
                             t->columns[key->key_columns[k]].name);
    }
    return text != NULL ? arena_sprintf(a, "%s)", text) : NULL;
}

const char *partition_value_text(const Value *v, Arena *a)
{
    if (v->is_null) {
        return "NULL";
    }
    const char *text = value_to_cstring(v, a);
    if (text == NULL) {
        return NULL;
    }
    TypeCategory cat = type_category(v->type.id);
    if (cat == TYPCAT_NUMERIC || cat == TYPCAT_BOOLEAN) {
        return text;
    }
    size_t n = strlen(text);
    char *out = arena_alloc(a, 2 * n + 3);
    if (out == NULL) {
        return NULL;
    }
    size_t at = 0;
    out[at++] = '\'';
    for (size_t k = 0; k < n; k++) {
        if (text[k] == '\'') {
            out[at++] = '\'';
        }
        out[at++] = text[k];
    }
    out[at++] = '\'';
    out[at] = '\0';
    return out;
}

const char *partition_datums_text(const Value *values, const uint8_t *kinds, int count, Arena *a)
{
    const char *text = "";
    for (int k = 0; k < count && text != NULL; k++) {
        int kind = kinds != NULL ? kinds[k] : CAT_BOUND_VALUE;
        const char *item = kind == CAT_BOUND_MINVALUE   ? "MINVALUE"
                           : kind == CAT_BOUND_MAXVALUE ? "MAXVALUE"
                                                        : partition_value_text(&values[k], a);
        text = item != NULL ? arena_sprintf(a, "%s%s%s", text, k > 0 ? ", " : "", item) : NULL;
    }
    return text;
}

const char *partition_bound_text(const CatPartitionBound *bd, Arena *a)
{
    if (bd->is_default) {
        return "DEFAULT";
    }
    if (bd->lower != NULL) {
        const char *low = partition_datums_text(bd->lower, bd->lower_kind, bd->count, a);
        const char *high = partition_datums_text(bd->upper, bd->upper_kind, bd->count, a);
        return low && high ? arena_sprintf(a, "FOR VALUES FROM (%s) TO (%s)", low, high) : NULL;
    }
    if (bd->values != NULL) {
        const char *list = partition_datums_text(bd->values, NULL, bd->count, a);
        return list ? arena_sprintf(a, "FOR VALUES IN (%s)", list) : NULL;
    }
    return arena_sprintf(a, "FOR VALUES WITH (modulus %d, remainder %d)", bd->modulus,
                         bd->remainder);
}
