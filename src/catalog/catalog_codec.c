/*
 * catalog/catalog_codec.c - the binary format of catalog records (the "data"
 * column of the strata_catalog system table).
 *
 * Format: a record is a sequence of little-endian fields:
 *   u8  record format version (CODEC_VERSION)
 *   then per kind, in the order written by the encode functions below, using
 *   u8 / u32 / i32 / u64 / i64 / f64 fields and strings (u32 byte length,
 *   0xFFFFFFFF = NULL, then the bytes) and Values (u32 type id, i32 typmod,
 *   u8 is_null, then the payload of the physical kind).
 * Decoding validates every length against the record's end and returns XX001
 * on any mismatch: records come from disk and are input.
 *
 * Threads: pure functions over caller arenas.
 * See src/catalog/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "types/numeric.h"
#include "util/assert.h"

#define CODEC_VERSION 1
#define NULL_STRING 0xFFFFFFFFu

/* ---- writer ------------------------------------------------------------------ */

typedef struct Writer {
    Arena *arena;
    uint8_t *data;
    size_t size;
    size_t capacity;
    bool failed;
} Writer;

static void put_bytes(Writer *w, const void *bytes, size_t n)
{
    if (w->failed || n == 0) {
        return;
    }
    if (w->size + n > w->capacity) {
        size_t cap = w->capacity ? w->capacity * 2 : 256;
        while (cap < w->size + n) {
            cap *= 2;
        }
        uint8_t *grown = arena_realloc(w->arena, w->data, w->capacity, cap);
        if (grown == NULL) {
            w->failed = true;
            return;
        }
        w->data = grown;
        w->capacity = cap;
    }
    memcpy(w->data + w->size, bytes, n);
    w->size += n;
}

static void put_u8(Writer *w, uint8_t v)
{
    put_bytes(w, &v, 1);
}
static void put_u32(Writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put_bytes(w, b, 4);
}
static void put_u64(Writer *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}
static void put_i32(Writer *w, int32_t v)
{
    put_u32(w, (uint32_t)v);
}
static void put_i64(Writer *w, int64_t v)
{
    put_u64(w, (uint64_t)v);
}
static void put_f64(Writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    put_u64(w, bits);
}
static void put_str(Writer *w, const char *s)
{
    if (s == NULL) {
        put_u32(w, NULL_STRING);
        return;
    }
    size_t n = strlen(s);
    put_u32(w, (uint32_t)n);
    put_bytes(w, s, n);
}
static void put_ints(Writer *w, const int *v, int count)
{
    for (int k = 0; k < count; k++) {
        put_i32(w, v[k]);
    }
}

static void put_value(Writer *w, const Value *v)
{
    put_u32(w, (uint32_t)v->type.id);
    put_i32(w, v->type.typmod);
    put_u8(w, v->is_null);
    if (v->is_null) {
        return;
    }
    switch (type_phys(v->type.id)) {
    case PHYS_BOOL:
        put_u8(w, v->b);
        break;
    case PHYS_I64:
        put_i64(w, v->i64);
        break;
    case PHYS_F64:
        put_f64(w, v->f64);
        break;
    case PHYS_DECIMAL:
        if (v->dec.flags == DECIMAL_BIG) {
            /* a value past 38 digits: length and sign where the coefficient
             * goes, flags 4, then the magnitude bytes */
            put_u64(w, v->dec.big.len);
            put_u64(w, v->dec.big.negative);
            put_i32(w, v->dec.scale);
            put_u8(w, v->dec.flags);
            put_bytes(w, v->dec.big.mag, v->dec.big.len);
            break;
        }
        put_u64(w, (uint64_t)v->dec.coef);
        put_u64(w, (uint64_t)((unsigned __int128)v->dec.coef >> 64));
        put_i32(w, v->dec.scale);
        put_u8(w, v->dec.flags);
        break;
    case PHYS_STRING:
        put_u32(w, v->str.len);
        put_bytes(w, v->str.ptr, v->str.len);
        break;
    case PHYS_INTERVAL:
        put_i32(w, v->iv.months);
        put_i32(w, v->iv.days);
        put_i64(w, v->iv.micros);
        break;
    case PHYS_UUID:
        put_bytes(w, v->uuid.bytes, 16);
        break;
    }
}

static uint8_t *writer_finish(Writer *w, size_t *size_bytes)
{
    if (w->failed) {
        return NULL;
    }
    *size_bytes = w->size;
    return w->data;
}

/* ---- reader ------------------------------------------------------------------ */

typedef struct Reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
    Arena *arena;
    bool bad;
} Reader;

static const uint8_t *take(Reader *r, size_t n)
{
    if (r->bad || r->size - r->pos < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}
static uint8_t get_u8(Reader *r)
{
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}
static uint32_t get_u32(Reader *r)
{
    const uint8_t *p = take(r, 4);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
             : 0;
}
static uint64_t get_u64(Reader *r)
{
    uint64_t lo = get_u32(r);
    uint64_t hi = get_u32(r);
    return lo | hi << 32;
}
static int32_t get_i32(Reader *r)
{
    return (int32_t)get_u32(r);
}
static int64_t get_i64(Reader *r)
{
    return (int64_t)get_u64(r);
}
static double get_f64(Reader *r)
{
    uint64_t bits = get_u64(r);
    double v;
    memcpy(&v, &bits, 8);
    return v;
}
static const char *get_str(Reader *r)
{
    uint32_t n = get_u32(r);
    if (n == NULL_STRING || r->bad) {
        return NULL;
    }
    const uint8_t *p = take(r, n);
    if (p == NULL) {
        return NULL;
    }
    char *s = arena_strndup(r->arena, (const char *)p, n);
    if (s == NULL) {
        r->bad = true;
    }
    return s;
}
/* A count of array entries: bounded so a corrupt count cannot ask for huge arrays. */
static int get_count(Reader *r, int max)
{
    int32_t n = get_i32(r);
    if (n < 0 || n > max) {
        r->bad = true;
        return 0;
    }
    return n;
}
static void *get_array(Reader *r, int count, size_t elem)
{
    if (count == 0 || r->bad) {
        return NULL;
    }
    void *p = arena_zalloc(r->arena, (size_t)count * elem);
    if (p == NULL) {
        r->bad = true;
    }
    return p;
}
static int *get_ints(Reader *r, int count)
{
    int *v = get_array(r, count, sizeof(int));
    for (int k = 0; v != NULL && k < count; k++) {
        v[k] = get_i32(r);
    }
    return v;
}
static SqlType get_type(Reader *r)
{
    SqlType t;
    uint32_t id = get_u32(r);
    if (id >= TYPE_COUNT) {
        r->bad = true;
        id = TYPE_UNKNOWN;
    }
    t.id = (TypeId)id;
    t.typmod = get_i32(r);
    return t;
}
static void put_type(Writer *w, SqlType t)
{
    put_u32(w, (uint32_t)t.id);
    put_i32(w, t.typmod);
}

static void get_value(Reader *r, Value *v)
{
    memset(v, 0, sizeof(*v));
    v->type = get_type(r);
    v->is_null = get_u8(r) != 0;
    if (v->is_null || r->bad) {
        return;
    }
    switch (type_phys(v->type.id)) {
    case PHYS_BOOL:
        v->b = get_u8(r) != 0;
        break;
    case PHYS_I64:
        v->i64 = get_i64(r);
        break;
    case PHYS_F64:
        v->f64 = get_f64(r);
        break;
    case PHYS_DECIMAL: {
        uint64_t lo = get_u64(r);
        uint64_t hi = get_u64(r);
        v->dec.coef = (__int128)(((unsigned __int128)hi << 64) | lo);
        v->dec.scale = (int16_t)get_i32(r);
        v->dec.flags = get_u8(r);
        if (v->dec.flags == DECIMAL_BIG) {
            const uint8_t *p = lo <= UINT32_MAX && hi <= 1 ? take(r, (size_t)lo) : NULL;
            char *copy = p != NULL ? cat_copy_bytes(r->arena, p, (size_t)lo) : NULL;
            if (copy == NULL || !numeric_big_from_bytes((const uint8_t *)copy, (size_t)lo, hi == 1,
                                                        v->dec.scale, &v->dec)) {
                r->bad = true;
            }
        }
        break;
    }
    case PHYS_STRING: {
        uint32_t n = get_u32(r);
        const uint8_t *p = take(r, n);
        if (p != NULL) {
            char *copy = cat_copy_bytes(r->arena, p, n);
            if (copy == NULL) {
                r->bad = true;
            }
            v->str.ptr = copy;
            v->str.len = n;
        }
        break;
    }
    case PHYS_INTERVAL:
        v->iv.months = get_i32(r);
        v->iv.days = get_i32(r);
        v->iv.micros = get_i64(r);
        break;
    case PHYS_UUID: {
        const uint8_t *p = take(r, 16);
        if (p != NULL) {
            memcpy(v->uuid.bytes, p, 16);
        }
        break;
    }
    }
}

static int reader_done(Reader *r, const char *what, Error *err)
{
    if (r->bad || r->pos != r->size) {
        return error_corrupt(err, "catalog record of a %s is corrupt", what);
    }
    return STRATA_OK;
}

/* ---- tables ------------------------------------------------------------------ */

static void encode_index(Writer *w, const CatIndex *x)
{
    put_u64(w, x->id);
    put_str(w, x->name);
    put_i32(w, x->key_count);
    for (int k = 0; k < x->key_count; k++) {
        put_i32(w, x->key_columns[k]);
        put_str(w, x->key_sql != NULL ? x->key_sql[k] : NULL);
        put_type(w, x->key_types[k]);
        put_u8(w, x->key_descending != NULL && x->key_descending[k]);
        put_u8(w, x->key_nulls_first != NULL && x->key_nulls_first[k]);
    }
    put_i32(w, x->include_count);
    put_ints(w, x->include_columns, x->include_count);
    put_u8(w, x->unique);
    put_u8(w, x->nulls_not_distinct);
    put_u8(w, x->primary);
    put_str(w, x->predicate_sql);
    put_str(w, x->am_name);
    put_u64(w, x->desc.storage_root);
}

static void encode_constraint(Writer *w, const CatConstraint *x)
{
    put_str(w, x->name);
    put_u8(w, (uint8_t)x->kind);
    put_str(w, x->check_sql);
    put_i32(w, x->column_count);
    put_ints(w, x->columns, x->column_count);
    put_u64(w, x->index_id);
    put_u64(w, x->ref_table_id);
    put_u8(w, x->ref_columns != NULL);
    if (x->ref_columns != NULL) {
        put_ints(w, x->ref_columns, x->column_count);
    }
    put_u8(w, (uint8_t)x->on_delete);
    put_u8(w, (uint8_t)x->on_update);
    put_u8(w, x->match_full);
}

static void encode_stats(Writer *w, const CatTable *t)
{
    put_u8(w, t->stats != NULL);
    if (t->stats == NULL) {
        return;
    }
    put_u64(w, t->stats->row_count);
    for (int col = 0; col < t->column_count; col++) {
        const CatColumnStats *s = &t->stats->columns[col];
        put_f64(w, s->distinct_count);
        put_f64(w, s->null_fraction);
        put_i32(w, s->mcv_count);
        for (int k = 0; k < s->mcv_count; k++) {
            put_value(w, &s->mcv_values[k]);
            put_f64(w, s->mcv_fractions[k]);
        }
        put_i32(w, s->histogram_count);
        for (int k = 0; k < s->histogram_count; k++) {
            put_value(w, &s->histogram[k]);
        }
    }
}

/* Partitioning, an optional trailer (records written before it end after the
 * statistics): u8 1, then u8 has_key [u8 strategy, i32 n, n x i32 column],
 * u64 parent id, u8 has_bound [u8 is_default, i32 count, per RANGE datum
 * u8 lower kind + value and u8 upper kind + value, i32 list count + values,
 * i32 modulus, i32 remainder]. */
static void encode_partition(Writer *w, const CatTable *t)
{
    if (t->partition_key == NULL && t->parent_id == 0) {
        return;
    }
    put_u8(w, 1);
    const CatPartitionKey *key = t->partition_key;
    put_u8(w, key != NULL);
    if (key != NULL) {
        put_u8(w, (uint8_t)key->strategy);
        put_i32(w, key->key_count);
        put_ints(w, key->key_columns, key->key_count);
    }
    put_u64(w, t->parent_id);
    const CatPartitionBound *bd = t->partition_bound;
    put_u8(w, bd != NULL);
    if (bd == NULL) {
        return;
    }
    put_u8(w, bd->is_default);
    int range_count = bd->lower != NULL ? bd->count : 0;
    put_i32(w, range_count);
    for (int k = 0; k < range_count; k++) {
        put_u8(w, bd->lower_kind[k]);
        put_value(w, &bd->lower[k]);
        put_u8(w, bd->upper_kind[k]);
        put_value(w, &bd->upper[k]);
    }
    int list_count = bd->values != NULL ? bd->count : 0;
    put_i32(w, list_count);
    for (int k = 0; k < list_count; k++) {
        put_value(w, &bd->values[k]);
    }
    put_i32(w, bd->modulus);
    put_i32(w, bd->remainder);
}

static void put_acl(Writer *w, const CatAclItem *acl, int count)
{
    put_i32(w, count);
    for (int k = 0; k < count; k++) {
        put_u64(w, acl[k].grantee);
        put_u64(w, acl[k].grantor);
        put_u32(w, acl[k].privileges);
        put_u32(w, acl[k].grant_options);
    }
}

static const CatAclItem *get_acl(Reader *r, int *count)
{
    *count = get_count(r, 100000);
    CatAclItem *acl = get_array(r, *count, sizeof(CatAclItem));
    for (int k = 0; k < *count && !r->bad; k++) {
        acl[k].grantee = get_u64(r);
        acl[k].grantor = get_u64(r);
        acl[k].privileges = get_u32(r);
        acl[k].grant_options = get_u32(r);
    }
    return acl;
}

/* Domains: trailer section 4, i32 n, n x u64 domain id per column (tables
 * without domain columns have none). */
static void encode_domains(Writer *w, const CatTable *t)
{
    bool any = false;
    for (int col = 0; col < t->column_count; col++) {
        any |= t->columns[col].domain_id != 0;
    }
    if (!any) {
        return;
    }
    put_u8(w, 4);
    put_i32(w, t->column_count);
    for (int col = 0; col < t->column_count; col++) {
        put_u64(w, t->columns[col].domain_id);
    }
}

/* Column privileges: trailer section 5, i32 n, then per column its acl (tables
 * without column privileges have none). */
static void encode_column_acls(Writer *w, const CatTable *t)
{
    bool any = false;
    for (int col = 0; col < t->column_count; col++) {
        any |= t->columns[col].acl_count > 0;
    }
    if (!any) {
        return;
    }
    put_u8(w, 5);
    put_i32(w, t->column_count);
    for (int col = 0; col < t->column_count; col++) {
        put_acl(w, t->columns[col].acl, t->columns[col].acl_count);
    }
}

/* A view's dependencies: trailer section 6, i32 n, then per dependency u8
 * kind ('r' relation, 't' type), u64 object id, column name (NULL: the
 * relation itself). Present (possibly with n = 0) exactly when has_deps. */
static void encode_dependencies(Writer *w, const CatTable *t)
{
    if (!t->has_deps) {
        return;
    }
    put_u8(w, 6);
    put_i32(w, t->dep_count);
    for (int k = 0; k < t->dep_count; k++) {
        put_u8(w, t->deps[k].is_type ? 't' : 'r');
        put_u64(w, t->deps[k].object_id);
        put_str(w, t->deps[k].column);
    }
}

static void decode_dependencies(Reader *r, CatTable *t)
{
    t->has_deps = true;
    t->dep_count = get_count(r, 1000000);
    CatDependency *deps = get_array(r, t->dep_count, sizeof(CatDependency));
    for (int k = 0; k < t->dep_count && !r->bad; k++) {
        uint8_t kind = get_u8(r);
        r->bad |= kind != 'r' && kind != 't';
        deps[k].is_type = kind == 't';
        deps[k].object_id = get_u64(r);
        deps[k].column = get_str(r);
    }
    t->deps = deps;
}

static void decode_column_acls(Reader *r, CatTable *t, CatColumn *columns)
{
    if (get_i32(r) != t->column_count || columns == NULL) {
        r->bad = true;
        return;
    }
    for (int col = 0; col < t->column_count && !r->bad; col++) {
        columns[col].acl = get_acl(r, &columns[col].acl_count);
    }
}

/* The body of trailer section 4 (its tag already read). */
static void decode_domains(Reader *r, CatTable *t, CatColumn *columns)
{
    if (get_i32(r) != t->column_count || columns == NULL) {
        r->bad = true;
        return;
    }
    for (int col = 0; col < t->column_count && !r->bad; col++) {
        columns[col].domain_id = get_u64(r);
    }
}

/* The body of trailer section 1 (its tag already read). */
static void decode_partition(Reader *r, CatTable *t)
{
    if (get_u8(r)) {
        CatPartitionKey *key = get_array(r, 1, sizeof(CatPartitionKey));
        if (key == NULL) {
            return;
        }
        key->strategy = (char)get_u8(r);
        key->key_count = get_count(r, LIMIT_INDEX_KEYS);
        key->key_columns = get_ints(r, key->key_count);
        t->partition_key = key;
    }
    t->parent_id = get_u64(r);
    if (!get_u8(r)) {
        return;
    }
    CatPartitionBound *bd = get_array(r, 1, sizeof(CatPartitionBound));
    if (bd == NULL) {
        return;
    }
    bd->is_default = get_u8(r) != 0;
    int range_count = get_count(r, LIMIT_INDEX_KEYS);
    if (range_count > 0) {
        Value *lower = get_array(r, range_count, sizeof(Value));
        Value *upper = get_array(r, range_count, sizeof(Value));
        uint8_t *lower_kind = get_array(r, range_count, 1);
        uint8_t *upper_kind = get_array(r, range_count, 1);
        for (int k = 0; k < range_count && !r->bad; k++) {
            lower_kind[k] = get_u8(r);
            get_value(r, &lower[k]);
            upper_kind[k] = get_u8(r);
            get_value(r, &upper[k]);
        }
        bd->lower = lower;
        bd->upper = upper;
        bd->lower_kind = lower_kind;
        bd->upper_kind = upper_kind;
        bd->count = range_count;
    }
    int list_count = get_count(r, 1000000);
    if (list_count > 0) {
        Value *values = get_array(r, list_count, sizeof(Value));
        for (int k = 0; k < list_count && !r->bad; k++) {
            get_value(r, &values[k]);
        }
        bd->values = values;
        bd->count = list_count;
    }
    bd->modulus = get_i32(r);
    bd->remainder = get_i32(r);
    t->partition_bound = bd;
}

uint8_t *cat_encode_table(const CatTable *t, Arena *a, size_t *size_bytes)
{
    Writer w = {.arena = a};
    put_u8(&w, CODEC_VERSION);
    put_u64(&w, t->id);
    put_str(&w, t->schema);
    put_str(&w, t->name);
    put_u8(&w, (uint8_t)t->kind);
    put_i32(&w, t->column_count);
    for (int col = 0; col < t->column_count; col++) {
        const CatColumn *c = &t->columns[col];
        put_str(&w, c->name);
        put_type(&w, c->type);
        put_u8(&w, c->not_null);
        put_str(&w, c->default_sql);
        put_u8(&w, (uint8_t)c->identity);
        put_str(&w, c->sequence_name);
    }
    put_i32(&w, t->pkey_count);
    put_ints(&w, t->pkey_columns, t->pkey_count);
    put_i32(&w, t->index_count);
    for (int k = 0; k < t->index_count; k++) {
        encode_index(&w, t->indexes[k]);
    }
    put_i32(&w, t->constraint_count);
    for (int k = 0; k < t->constraint_count; k++) {
        encode_constraint(&w, &t->constraints[k]);
    }
    put_str(&w, t->view_sql);
    put_str(&w, t->am_name);
    put_u64(&w, t->desc.storage_root);
    encode_stats(&w, t);
    /* optional trailer sections, each a tag byte and a body: 1 partitioning, 2 a
     * materialized view's flags, 3 the owner and the privileges granted, 4 the
     * columns' domains, 5 the columns' privileges, 6 a view's dependencies */
    encode_partition(&w, t);
    if (cat_is_matview(t)) {
        put_u8(&w, 2);
        put_u8(&w, t->unpopulated); /* bit 0: WITH NO DATA */
    }
    if (t->owner_id != 0 || t->acl_count > 0) {
        put_u8(&w, 3);
        put_u64(&w, t->owner_id);
        put_i32(&w, t->acl_count);
        for (int k = 0; k < t->acl_count; k++) {
            put_u64(&w, t->acl[k].grantee);
            put_u64(&w, t->acl[k].grantor);
            put_u32(&w, t->acl[k].privileges);
            put_u32(&w, t->acl[k].grant_options);
        }
    }
    encode_domains(&w, t);
    encode_column_acls(&w, t);
    encode_dependencies(&w, t);
    return writer_finish(&w, size_bytes);
}

static CatIndex *decode_index(Reader *r, uint64_t table_id)
{
    CatIndex *x = arena_zalloc(r->arena, sizeof(*x));
    if (x == NULL) {
        r->bad = true;
        return NULL;
    }
    x->id = get_u64(r);
    x->table_id = table_id;
    x->name = get_str(r);
    x->key_count = get_count(r, LIMIT_INDEX_KEYS);
    int *cols = get_array(r, x->key_count, sizeof(int));
    const char **sql = get_array(r, x->key_count, sizeof(char *));
    SqlType *types = get_array(r, x->key_count, sizeof(SqlType));
    bool *desc = get_array(r, x->key_count, sizeof(bool));
    bool *nf = get_array(r, x->key_count, sizeof(bool));
    for (int k = 0; k < x->key_count && !r->bad; k++) {
        cols[k] = get_i32(r);
        sql[k] = get_str(r);
        types[k] = get_type(r);
        desc[k] = get_u8(r) != 0;
        nf[k] = get_u8(r) != 0;
    }
    x->key_columns = cols;
    x->key_sql = sql;
    x->key_types = types;
    x->key_descending = desc;
    x->key_nulls_first = nf;
    x->include_count = get_count(r, LIMIT_COLUMNS);
    x->include_columns = get_ints(r, x->include_count);
    x->unique = get_u8(r) != 0;
    x->nulls_not_distinct = get_u8(r) != 0;
    x->primary = get_u8(r) != 0;
    x->predicate_sql = get_str(r);
    x->am_name = get_str(r);
    x->desc.storage_root = get_u64(r);
    return x;
}

static void decode_constraint(Reader *r, CatConstraint *x)
{
    x->name = get_str(r);
    x->kind = (CatConstraintKind)get_u8(r);
    x->check_sql = get_str(r);
    x->column_count = get_count(r, LIMIT_COLUMNS);
    x->columns = get_ints(r, x->column_count);
    x->index_id = get_u64(r);
    x->ref_table_id = get_u64(r);
    if (get_u8(r)) {
        x->ref_columns = get_ints(r, x->column_count);
    }
    x->on_delete = (char)get_u8(r);
    x->on_update = (char)get_u8(r);
    x->match_full = get_u8(r) != 0;
}

static void decode_stats(Reader *r, CatTable *t)
{
    if (!get_u8(r)) {
        return;
    }
    CatStats *st = arena_zalloc(r->arena, sizeof(*st));
    CatColumnStats *cols = get_array(r, t->column_count, sizeof(CatColumnStats));
    if (st == NULL) {
        r->bad = true;
        return;
    }
    st->row_count = get_u64(r);
    for (int col = 0; col < t->column_count && !r->bad; col++) {
        CatColumnStats *s = &cols[col];
        s->distinct_count = get_f64(r);
        s->null_fraction = get_f64(r);
        s->mcv_count = get_count(r, 100000);
        Value *mv = get_array(r, s->mcv_count, sizeof(Value));
        double *mf = get_array(r, s->mcv_count, sizeof(double));
        for (int k = 0; k < s->mcv_count && !r->bad; k++) {
            get_value(r, &mv[k]);
            mf[k] = get_f64(r);
        }
        s->mcv_values = mv;
        s->mcv_fractions = mf;
        s->histogram_count = get_count(r, 100000);
        Value *h = get_array(r, s->histogram_count, sizeof(Value));
        for (int k = 0; k < s->histogram_count && !r->bad; k++) {
            get_value(r, &h[k]);
        }
        s->histogram = h;
    }
    st->columns = cols;
    t->stats = st;
}

int cat_decode_table(const uint8_t *data, size_t size_bytes, Arena *a, CatTable **out, Error *err)
{
    Reader r = {.data = data, .size = size_bytes, .arena = a};
    if (get_u8(&r) != CODEC_VERSION) {
        return error_corrupt(err, "catalog record has an unknown format version");
    }
    CatTable *t = arena_zalloc(a, sizeof(*t));
    if (t == NULL) {
        return arena_error(a, err);
    }
    t->id = get_u64(&r);
    t->schema = get_str(&r);
    t->name = get_str(&r);
    t->kind = (CatKind)get_u8(&r);
    t->column_count = get_count(&r, LIMIT_COLUMNS);
    CatColumn *cols = get_array(&r, t->column_count, sizeof(CatColumn));
    for (int col = 0; col < t->column_count && !r.bad; col++) {
        cols[col].name = get_str(&r);
        cols[col].type = get_type(&r);
        cols[col].not_null = get_u8(&r) != 0;
        cols[col].default_sql = get_str(&r);
        cols[col].identity = (CatIdentity)get_u8(&r);
        cols[col].sequence_name = get_str(&r);
    }
    t->columns = cols;
    t->pkey_count = get_count(&r, LIMIT_INDEX_KEYS);
    t->pkey_columns = get_ints(&r, t->pkey_count);
    t->index_count = get_count(&r, 100000);
    const CatIndex **idx = get_array(&r, t->index_count, sizeof(CatIndex *));
    for (int k = 0; k < t->index_count && !r.bad; k++) {
        idx[k] = decode_index(&r, t->id);
    }
    t->indexes = idx;
    t->constraint_count = get_count(&r, 100000);
    CatConstraint *cons = get_array(&r, t->constraint_count, sizeof(CatConstraint));
    for (int k = 0; k < t->constraint_count && !r.bad; k++) {
        decode_constraint(&r, &cons[k]);
    }
    t->constraints = cons;
    t->view_sql = get_str(&r);
    t->am_name = get_str(&r);
    t->desc.storage_root = get_u64(&r);
    decode_stats(&r, t);
    while (!r.bad && r.pos < r.size) {
        uint8_t tag = get_u8(&r);
        if (tag == 1) {
            decode_partition(&r, t);
        } else if (tag == 2) {
            t->unpopulated = (get_u8(&r) & 1) != 0;
        } else if (tag == 3) {
            t->owner_id = get_u64(&r);
            t->acl_count = get_count(&r, 100000);
            CatAclItem *acl = get_array(&r, t->acl_count, sizeof(CatAclItem));
            for (int k = 0; k < t->acl_count && !r.bad; k++) {
                acl[k].grantee = get_u64(&r);
                acl[k].grantor = get_u64(&r);
                acl[k].privileges = get_u32(&r);
                acl[k].grant_options = get_u32(&r);
            }
            t->acl = acl;
        } else if (tag == 4) {
            decode_domains(&r, t, cols);
        } else if (tag == 5) {
            decode_column_acls(&r, t, cols);
        } else if (tag == 6) {
            decode_dependencies(&r, t);
        } else {
            r.bad = true;
        }
    }
    int rc = reader_done(&r, "table", err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (t->schema == NULL || t->name == NULL) {
        return error_corrupt(err, "catalog record of table %llu has no name",
                             (unsigned long long)t->id);
    }
    *out = t;
    return STRATA_OK;
}

/* ---- schemas and sequences --------------------------------------------------- */

uint8_t *cat_encode_schema(const CatSchema *s, Arena *a, size_t *size_bytes)
{
    Writer w = {.arena = a};
    put_u8(&w, CODEC_VERSION);
    put_u64(&w, s->id);
    put_str(&w, s->name);
    /* optional: the owner and the privileges (records before them end here) */
    if (s->owner_id != 0 || s->has_acl) {
        put_u64(&w, s->owner_id);
        put_u8(&w, s->has_acl);
        put_acl(&w, s->acl, s->acl_count);
    }
    return writer_finish(&w, size_bytes);
}

int cat_decode_schema(const uint8_t *data, size_t size_bytes, Arena *a, CatSchema **out, Error *err)
{
    Reader r = {.data = data, .size = size_bytes, .arena = a};
    CatSchema *s = arena_zalloc(a, sizeof(*s));
    if (s == NULL) {
        return arena_error(a, err);
    }
    if (get_u8(&r) != CODEC_VERSION) {
        r.bad = true;
    }
    s->id = get_u64(&r);
    s->name = get_str(&r);
    if (!r.bad && r.pos < r.size) {
        s->owner_id = get_u64(&r);
        s->has_acl = get_u8(&r) != 0;
        s->acl = get_acl(&r, &s->acl_count);
    }
    int rc = reader_done(&r, "schema", err);
    if (rc == STRATA_OK && s->name == NULL) {
        rc = error_corrupt(err, "catalog record of a schema has no name");
    }
    *out = s;
    return rc;
}

uint8_t *cat_encode_sequence(const CatSequence *s, Arena *a, size_t *size_bytes)
{
    Writer w = {.arena = a};
    put_u8(&w, CODEC_VERSION);
    put_u64(&w, s->id);
    put_str(&w, s->schema);
    put_str(&w, s->name);
    put_i64(&w, s->start);
    put_i64(&w, s->increment);
    put_i64(&w, s->min_value);
    put_i64(&w, s->max_value);
    put_u8(&w, s->cycle);
    put_u64(&w, s->owner_table_id);
    put_i32(&w, s->owner_column);
    if (s->owner_id != 0 || s->acl_count > 0) {
        put_u64(&w, s->owner_id); /* optional: the owning role (records before it end here) */
    }
    if (s->acl_count > 0) {
        put_acl(&w, s->acl, s->acl_count); /* optional: the privileges granted */
    }
    return writer_finish(&w, size_bytes);
}

int cat_decode_sequence(const uint8_t *data, size_t size_bytes, Arena *a, CatSequence **out,
                        Error *err)
{
    Reader r = {.data = data, .size = size_bytes, .arena = a};
    CatSequence *s = arena_zalloc(a, sizeof(*s));
    if (s == NULL) {
        return arena_error(a, err);
    }
    if (get_u8(&r) != CODEC_VERSION) {
        r.bad = true;
    }
    s->id = get_u64(&r);
    s->schema = get_str(&r);
    s->name = get_str(&r);
    s->start = get_i64(&r);
    s->increment = get_i64(&r);
    s->min_value = get_i64(&r);
    s->max_value = get_i64(&r);
    s->cycle = get_u8(&r) != 0;
    s->owner_table_id = get_u64(&r);
    s->owner_column = get_i32(&r);
    if (!r.bad && r.pos < r.size) {
        s->owner_id = get_u64(&r);
    }
    if (!r.bad && r.pos < r.size) {
        s->acl = get_acl(&r, &s->acl_count);
    }
    int rc = reader_done(&r, "sequence", err);
    if (rc == STRATA_OK && (s->name == NULL || s->schema == NULL)) {
        rc = error_corrupt(err, "catalog record of a sequence has no name");
    }
    *out = s;
    return rc;
}

/* ---- derived fields ------------------------------------------------------------ */

static int finish_index(const CatTable *t, CatIndex *x, Arena *a, Error *err)
{
    x->table_id = t->id;
    x->desc.index_id = x->id;
    x->desc.name = x->name;
    x->desc.key_count = x->key_count;
    x->desc.key_types = x->key_types;
    x->desc.key_descending = x->key_descending;
    x->desc.include_count = x->include_count;
    x->desc.unique = x->unique;
    if (x->include_count > 0) {
        SqlType *inc = arena_alloc(a, sizeof(SqlType) * (size_t)x->include_count);
        if (inc == NULL) {
            return arena_error(a, err);
        }
        for (int k = 0; k < x->include_count; k++) {
            int col = x->include_columns[k];
            if (col < 0 || col >= t->column_count) {
                return error_corrupt(err, "index \"%s\" includes a missing column", x->name);
            }
            inc[k] = t->columns[col].type;
        }
        x->desc.include_types = inc;
    }
    const char **names = arena_alloc(a, sizeof(char *) * (size_t)(x->key_count + 1));
    if (names == NULL) {
        return arena_error(a, err);
    }
    for (int k = 0; k < x->key_count; k++) {
        if (x->key_columns[k] >= t->column_count || x->key_columns[k] < -1) {
            return error_corrupt(err, "index \"%s\" names a missing column", x->name);
        }
        /* for the 23505 detail: the column, or the key expression as written */
        names[k] = x->key_columns[k] >= 0 ? t->columns[x->key_columns[k]].name
                   : x->key_sql != NULL   ? x->key_sql[k]
                                          : NULL;
    }
    x->desc.key_names = names;
    if (x->primary) {
        x->am = NULL;
        x->desc.storage_root = 0;
    } else {
        x->am = index_am_lookup(x->am_name != NULL ? x->am_name : "btree");
    }
    return STRATA_OK;
}

int cat_table_finish(CatTable *t, Arena *a, Error *err)
{
    if (t->kind == CAT_VIEW) {
        t->am = NULL;
    } else if (t->am_name != NULL) {
        t->am = tam_lookup(t->am_name);
    }
    int n = t->column_count;
    SqlType *types = arena_alloc(a, sizeof(SqlType) * (size_t)(n ? n : 1));
    const char **names = arena_alloc(a, sizeof(char *) * (size_t)(n ? n : 1));
    bool *nn = arena_alloc(a, sizeof(bool) * (size_t)(n ? n : 1));
    if (types == NULL || names == NULL || nn == NULL) {
        return arena_error(a, err);
    }
    for (int col = 0; col < n; col++) {
        types[col] = t->columns[col].type;
        names[col] = t->columns[col].name;
        nn[col] = t->columns[col].not_null;
        if (names[col] == NULL) {
            return error_corrupt(err, "catalog record of table \"%s\" has a column without a name",
                                 t->name);
        }
    }
    for (int k = 0; k < t->pkey_count; k++) {
        if (t->pkey_columns[k] < 0 || t->pkey_columns[k] >= n) {
            return error_corrupt(err, "primary key of table \"%s\" names a missing column",
                                 t->name);
        }
    }
    uint64_t root = t->desc.storage_root;
    memset(&t->desc, 0, sizeof(t->desc));
    t->desc.table_id = t->id;
    t->desc.name = t->name;
    t->desc.column_count = n;
    t->desc.column_types = types;
    t->desc.column_names = names;
    t->desc.column_not_null = nn;
    t->desc.key_count = t->pkey_count;
    t->desc.key_columns = t->pkey_columns;
    t->desc.storage_root = root;
    for (int k = 0; k < t->index_count; k++) {
        int rc = finish_index(t, (CatIndex *)t->indexes[k], a, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* ---- roles ---------------------------------------------------------------------- */

enum {
    ROLE_FLAG_SUPERUSER = 1,
    ROLE_FLAG_INHERIT = 2,
    ROLE_FLAG_CREATEROLE = 4,
    ROLE_FLAG_CREATEDB = 8,
    ROLE_FLAG_LOGIN = 16,
    ROLE_FLAG_REPLICATION = 32,
    ROLE_FLAG_BYPASSRLS = 64,
};

uint8_t *cat_encode_role(const CatRole *r, Arena *a, size_t *size_bytes)
{
    Writer w = {.arena = a};
    uint32_t flags =
        (r->superuser ? ROLE_FLAG_SUPERUSER : 0) | (r->inherit ? ROLE_FLAG_INHERIT : 0) |
        (r->createrole ? ROLE_FLAG_CREATEROLE : 0) | (r->createdb ? ROLE_FLAG_CREATEDB : 0) |
        (r->login ? ROLE_FLAG_LOGIN : 0) | (r->replication ? ROLE_FLAG_REPLICATION : 0) |
        (r->bypassrls ? ROLE_FLAG_BYPASSRLS : 0);
    put_u8(&w, CODEC_VERSION);
    put_u64(&w, r->id);
    put_str(&w, r->name);
    put_u32(&w, flags);
    put_i32(&w, r->connection_limit);
    put_str(&w, r->password);
    put_str(&w, r->valid_until);
    /* optional: the memberships (records before them end here) */
    if (r->member_of_count > 0) {
        put_i32(&w, r->member_of_count);
        for (int k = 0; k < r->member_of_count; k++) {
            put_u64(&w, r->member_of[k].role_id);
            put_u64(&w, r->member_of[k].grantor);
            put_u8(&w, r->member_of[k].admin_option);
        }
    }
    return writer_finish(&w, size_bytes);
}

int cat_decode_role(const uint8_t *data, size_t size_bytes, Arena *a, CatRole **out, Error *err)
{
    Reader r = {.data = data, .size = size_bytes, .arena = a};
    CatRole *role = arena_zalloc(a, sizeof(*role));
    if (role == NULL) {
        return arena_error(a, err);
    }
    if (get_u8(&r) != CODEC_VERSION) {
        r.bad = true;
    }
    role->id = get_u64(&r);
    role->name = get_str(&r);
    uint32_t flags = get_u32(&r);
    role->superuser = (flags & ROLE_FLAG_SUPERUSER) != 0;
    role->inherit = (flags & ROLE_FLAG_INHERIT) != 0;
    role->createrole = (flags & ROLE_FLAG_CREATEROLE) != 0;
    role->createdb = (flags & ROLE_FLAG_CREATEDB) != 0;
    role->login = (flags & ROLE_FLAG_LOGIN) != 0;
    role->replication = (flags & ROLE_FLAG_REPLICATION) != 0;
    role->bypassrls = (flags & ROLE_FLAG_BYPASSRLS) != 0;
    role->connection_limit = get_i32(&r);
    role->password = get_str(&r);
    role->valid_until = get_str(&r);
    if (!r.bad && r.pos < r.size) {
        role->member_of_count = get_count(&r, 100000);
        CatRoleMember *members = get_array(&r, role->member_of_count, sizeof(CatRoleMember));
        for (int k = 0; k < role->member_of_count && !r.bad; k++) {
            members[k].role_id = get_u64(&r);
            members[k].grantor = get_u64(&r);
            members[k].admin_option = get_u8(&r) != 0;
        }
        role->member_of = members;
    }
    int rc = reader_done(&r, "role", err);
    if (rc == STRATA_OK && role->name == NULL) {
        rc = error_corrupt(err, "catalog record of a role has no name");
    }
    *out = role;
    return rc;
}

/* ---- types ---------------------------------------------------------------------- */

uint8_t *cat_encode_type(const CatType *t, Arena *a, size_t *size_bytes)
{
    Writer w = {.arena = a};
    put_u8(&w, CODEC_VERSION);
    put_u64(&w, t->id);
    put_str(&w, t->schema);
    put_str(&w, t->name);
    put_u8(&w, (uint8_t)t->typtype);
    put_u32(&w, (uint32_t)t->label_count);
    for (int k = 0; k < t->label_count; k++) {
        put_u64(&w, t->label_keys[k]);
        put_str(&w, t->labels[k]);
    }
    put_u32(&w, (uint32_t)t->base.id);
    put_i32(&w, t->base.typmod);
    put_u8(&w, t->not_null ? 1 : 0);
    put_str(&w, t->default_sql);
    put_u32(&w, (uint32_t)t->check_count);
    for (int k = 0; k < t->check_count; k++) {
        put_str(&w, t->check_names[k]);
        put_str(&w, t->check_sql[k]);
    }
    return writer_finish(&w, size_bytes);
}

int cat_decode_type(const uint8_t *data, size_t size_bytes, Arena *a, CatType **out, Error *err)
{
    Reader r = {.data = data, .size = size_bytes, .arena = a};
    CatType *t = arena_zalloc(a, sizeof(*t));
    if (t == NULL) {
        return arena_error(a, err);
    }
    *out = t;
    if (get_u8(&r) != CODEC_VERSION) {
        r.bad = true;
    }
    t->id = get_u64(&r);
    t->schema = get_str(&r);
    t->name = get_str(&r);
    t->typtype = (char)get_u8(&r);
    uint32_t count = get_u32(&r);
    if (count > size_bytes / 12) {
        return error_corrupt(err, "catalog record of a type has %u labels", (unsigned)count);
    }
    const char **labels = arena_zalloc(a, sizeof(char *) * (count + 1));
    uint64_t *keys = arena_zalloc(a, sizeof(uint64_t) * (count + 1));
    if (labels == NULL || keys == NULL) {
        return arena_error(a, err);
    }
    for (uint32_t k = 0; k < count; k++) {
        keys[k] = get_u64(&r);
        labels[k] = get_str(&r);
        if (!r.bad && (labels[k] == NULL || (k > 0 && keys[k] <= keys[k - 1]))) {
            r.bad = true;
        }
    }
    t->label_count = (int)count;
    t->labels = labels;
    t->label_keys = keys;
    uint32_t base = get_u32(&r);
    t->base = sql_type_mod(base < TYPE_COUNT ? (TypeId)base : TYPE_UNKNOWN, get_i32(&r));
    t->not_null = get_u8(&r) != 0;
    t->default_sql = get_str(&r);
    uint32_t checks = get_u32(&r);
    if (checks > size_bytes / 8) {
        return error_corrupt(err, "catalog record of a type has %u checks", (unsigned)checks);
    }
    const char **names = arena_zalloc(a, sizeof(char *) * (checks + 1));
    const char **sql = arena_zalloc(a, sizeof(char *) * (checks + 1));
    if (names == NULL || sql == NULL) {
        return arena_error(a, err);
    }
    for (uint32_t k = 0; k < checks; k++) {
        names[k] = get_str(&r);
        sql[k] = get_str(&r);
        r.bad |= names[k] == NULL || sql[k] == NULL;
    }
    t->check_count = (int)checks;
    t->check_names = names;
    t->check_sql = sql;
    int rc = reader_done(&r, "type", err);
    if (rc == STRATA_OK && (t->name == NULL || t->schema == NULL ||
                            (t->typtype != 'e' && t->typtype != 'd'))) {
        rc = error_corrupt(err, "catalog record of a type is damaged");
    }
    if (rc == STRATA_OK) {
        t->qualified_name = arena_sprintf(a, "%s.%s", t->schema, t->name);
        if (t->qualified_name == NULL) {
            rc = arena_error(a, err);
        }
    }
    return rc;
}
