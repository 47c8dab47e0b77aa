/*
 * api/api_analyze.c - ANALYZE: statistics for the optimizer (CatStats), and the
 * integrity check behind SELECT strata_check().
 *
 * The check runs pager_check, then for every table: btree_check of its tree
 * (row store), a full scan (every row decodes), the access method's exact row
 * count (if it keeps one) against the rows, and for every non-partial
 * secondary index btree_check plus a count of its entries against the rows.
 *
 * ANALYZE scans every row of a table, keeps a reservoir sample of up to
 * SAMPLE_ROWS rows (Vitter's algorithm R, seeded per table so results are
 * reproducible), and derives per column: null fraction (exact), distinct
 * count (exact when the sample is the whole table, else the Haas-Stokes
 * "Duj1" estimator PostgreSQL uses), up to MCV_MAX most common values with
 * their fractions, and up to HISTOGRAM_BOUNDS equi-depth histogram bounds
 * over the other sorted non-NULL sample values (PostgreSQL's pg_statistic
 * most_common_vals / histogram_bounds split).
 *
 * See src/api/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ddl_int.h"
#include "storage/btree/btree.h"
#include "types/compare.h"
#include "types/numeric.h"
#include "types/typeinfo.h"

enum { SAMPLE_ROWS = 30000, HISTOGRAM_BOUNDS = 101, MCV_MAX = 100 };

typedef struct Sample {
    const CatTable *t;
    Arena *a;
    Value *rows; /* SAMPLE_ROWS * column_count */
    int kept;
    uint64_t seen;
    uint64_t *nulls; /* per column, exact */
    uint64_t rng;
} Sample;

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int copy_value(Arena *a, const Value *in, Value *out)
{
    *out = *in;
    if (!in->is_null && type_phys(in->type.id) == PHYS_STRING) {
        char *copy = api_copy_bytes(a, in->str.ptr, in->str.len);
        if (copy == NULL) {
            return STRATA_NOMEM;
        }
        out->str.ptr = copy;
    }
    if (!in->is_null && type_phys(in->type.id) == PHYS_DECIMAL &&
        numeric_copy(&in->dec, a, &out->dec, NULL) != STRATA_OK) {
        return STRATA_NOMEM;
    }
    return STRATA_OK;
}

static int sample_row(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err)
{
    Sample *s = ctx;
    int n = s->t->column_count;
    s->seen++;
    for (int col = 0; col < n; col++) {
        s->nulls[col] += row[col].is_null;
    }
    int slot;
    if (s->kept < SAMPLE_ROWS) {
        slot = s->kept++;
    } else {
        uint64_t r = next_random(&s->rng) % s->seen;
        if (r >= SAMPLE_ROWS) {
            return STRATA_OK;
        }
        slot = (int)r;
    }
    for (int col = 0; col < n; col++) {
        if (copy_value(s->a, &row[col], &s->rows[(size_t)slot * (size_t)n + (size_t)col]) !=
            STRATA_OK) {
            return arena_error(s->a, err);
        }
    }
    return STRATA_OK;
}

static int compare_values(const void *a, const void *b)
{
    return value_compare((const Value *)a, (const Value *)b);
}

static int compare_i64_keys(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts the sample of a column whose values order as their i64 (integers,
 * dates, timestamps, times: value_compare's order for one such type) by
 * sorting the bare keys, and rebuilds values from them; false (nothing done)
 * for other types. */
static bool sort_as_i64(Arena *a, Value *values, int count)
{
    TypeId id = values[0].type.id;
    if (!type_is_integer(id) && id != TYPE_DATE && id != TYPE_TIMESTAMP &&
        id != TYPE_TIMESTAMPTZ && id != TYPE_TIME) {
        return false;
    }
    for (int k = 1; k < count; k++) {
        if (values[k].type.id != id) {
            return false;
        }
    }
    int64_t *keys = arena_alloc(a, sizeof(int64_t) * (size_t)count);
    if (keys == NULL) {
        return false; /* the arena keeps the failure; the caller's next allocation reports it */
    }
    for (int k = 0; k < count; k++) {
        keys[k] = values[k].i64;
    }
    qsort(keys, (size_t)count, sizeof(int64_t), compare_i64_keys);
    Value proto = values[0];
    for (int k = 0; k < count; k++) {
        values[k] = proto;
        values[k].i64 = keys[k];
    }
    return true;
}

typedef struct StringKey {
    const char *ptr;
    uint32_t len; /* without a bpchar's trailing blanks */
    int index;
} StringKey;

static int compare_string_keys(const void *a, const void *b)
{
    const StringKey *x = a, *y = b;
    return compare_bytes(x->ptr, x->len, y->ptr, y->len);
}

/* The same for a column of text, varchar or bpchar (one type): value_compare's
 * order is that of the bytes, a bpchar's without its trailing blanks, which
 * are trimmed once per value here instead of twice per comparison (the 84-byte
 * filler of pgbench_accounts was a fifth of its ANALYZE). */
static bool sort_as_strings(Arena *a, Value *values, int count)
{
    TypeId id = values[0].type.id;
    if (id != TYPE_TEXT && id != TYPE_VARCHAR && id != TYPE_BPCHAR) {
        return false;
    }
    for (int k = 1; k < count; k++) {
        if (values[k].type.id != id) {
            return false;
        }
    }
    StringKey *keys = arena_alloc(a, sizeof(StringKey) * (size_t)count);
    Value *sorted = arena_alloc(a, sizeof(Value) * (size_t)count);
    if (keys == NULL || sorted == NULL) {
        return false; /* the arena keeps the failure; the caller's next allocation reports it */
    }
    for (int k = 0; k < count; k++) {
        uint32_t len = values[k].str.len;
        while (id == TYPE_BPCHAR && len > 0 && values[k].str.ptr[len - 1] == ' ') {
            len--;
        }
        keys[k] = (StringKey){values[k].str.ptr, len, k};
    }
    qsort(keys, (size_t)count, sizeof(StringKey), compare_string_keys);
    for (int k = 0; k < count; k++) {
        sorted[k] = values[keys[k].index];
    }
    memcpy(values, sorted, sizeof(Value) * (size_t)count);
    return true;
}

/* Up to MCV_MAX most common values of the sorted non-NULL sample values
 * (PostgreSQL's rule, simplified): every value seen more than once when all
 * distinct values fit in the list, else those seen at least 1.25 times as
 * often as the average value. Their fractions are of all rows (NULLs
 * included). The values left for the histogram are moved to the front of
 * values (still sorted); *rest is their count. */
static int common_values(Ddl *d, const Sample *s, Value *values, int count, int distinct,
                         CatColumnStats *out, int *rest)
{
    int *starts = arena_alloc(d->a, sizeof(int) * (size_t)(distinct + 1));
    int *chosen = arena_alloc(d->a, sizeof(int) * MCV_MAX);
    if (starts == NULL || chosen == NULL) {
        return STRATA_NOMEM;
    }
    int groups = 0;
    for (int k = 0; k < count; k++) {
        if (k == 0 || value_compare(&values[k - 1], &values[k]) != 0) {
            starts[groups++] = k;
        }
    }
    starts[groups] = count;
    double average = (double)count / groups;
    bool all_fit = groups <= MCV_MAX;
    int picked = 0;
    for (int g = 0; g < groups; g++) {
        int n = starts[g + 1] - starts[g];
        if (n < 2 || (!all_fit && n < 1.25 * average)) {
            continue;
        }
        /* Keep the MCV_MAX largest, ordered by decreasing count. */
        int at = picked < MCV_MAX ? picked++ : MCV_MAX;
        while (at > 0 && starts[chosen[at - 1] + 1] - starts[chosen[at - 1]] < n) {
            if (at < MCV_MAX) {
                chosen[at] = chosen[at - 1];
            }
            at--;
        }
        if (at < MCV_MAX) {
            chosen[at] = g;
        }
    }
    if (picked == 0) {
        *rest = count;
        return STRATA_OK;
    }
    Value *mcv = arena_alloc(d->a, sizeof(Value) * (size_t)picked);
    double *fractions = arena_alloc(d->a, sizeof(double) * (size_t)picked);
    bool *is_common = arena_zalloc(d->a, (size_t)groups);
    if (mcv == NULL || fractions == NULL || is_common == NULL) {
        return STRATA_NOMEM;
    }
    for (int k = 0; k < picked; k++) {
        int g = chosen[k];
        is_common[g] = true;
        if (copy_value(d->a, &values[starts[g]], &mcv[k]) != STRATA_OK) {
            return STRATA_NOMEM;
        }
        fractions[k] = (double)(starts[g + 1] - starts[g]) / (double)s->kept;
    }
    out->mcv_values = mcv;
    out->mcv_fractions = fractions;
    out->mcv_count = picked;
    int kept = 0;
    for (int g = 0; g < groups; g++) {
        for (int k = starts[g]; k < starts[g + 1] && !is_common[g]; k++) {
            values[kept++] = values[k];
        }
    }
    *rest = kept;
    return STRATA_OK;
}

/* Equi-depth histogram bounds over the sorted values (none below 2 values). */
static int histogram(Ddl *d, const Value *values, int count, CatColumnStats *out)
{
    if (count < 2) {
        return STRATA_OK;
    }
    int bounds = count < HISTOGRAM_BOUNDS ? count : HISTOGRAM_BOUNDS;
    Value *hist = arena_alloc(d->a, sizeof(Value) * (size_t)bounds);
    if (hist == NULL) {
        return STRATA_NOMEM;
    }
    for (int k = 0; k < bounds; k++) {
        int at = (int)((int64_t)k * (count - 1) / (bounds - 1));
        if (copy_value(d->a, &values[at], &hist[k]) != STRATA_OK) {
            return STRATA_NOMEM;
        }
    }
    out->histogram = hist;
    out->histogram_count = bounds;
    return STRATA_OK;
}

static int column_stats(Ddl *d, Sample *s, int col, CatColumnStats *out, Error *err)
{
    int n = s->t->column_count;
    Value *values = arena_alloc(d->a, sizeof(Value) * (size_t)(s->kept + 1));
    if (values == NULL) {
        return arena_error(d->a, err);
    }
    int count = 0;
    for (int r = 0; r < s->kept; r++) {
        const Value *v = &s->rows[(size_t)r * (size_t)n + (size_t)col];
        if (!v->is_null) {
            values[count++] = *v;
        }
    }
    out->null_fraction = s->seen ? (double)s->nulls[col] / (double)s->seen : 0.0;
    if (count == 0 || s->t->columns[col].type.id == TYPE_JSON) {
        return STRATA_OK;
    }
    if (!sort_as_i64(d->a, values, count) && !sort_as_strings(d->a, values, count)) {
        qsort(values, (size_t)count, sizeof(Value), compare_values);
    }
    int distinct = 0, singles = 0;
    for (int k = 0; k < count;) {
        int j = k + 1;
        while (j < count && value_compare(&values[k], &values[j]) == 0) {
            j++;
        }
        distinct++;
        singles += j - k == 1;
        k = j;
    }
    if ((uint64_t)s->kept >= s->seen) {
        out->distinct_count = distinct;
    } else {
        /* Haas & Stokes (1998) Duj1: n*d / (n - f1 + f1*n/N). */
        double sample_n = count;
        double total = (double)(s->seen - s->nulls[col]);
        double denom = sample_n - singles + singles * sample_n / total;
        out->distinct_count = denom > 0 ? sample_n * distinct / denom : distinct;
        if (out->distinct_count > total) {
            out->distinct_count = total;
        }
    }
    int rest = count;
    int rc = common_values(d, s, values, count, distinct, out, &rest);
    if (rc != STRATA_OK) {
        return arena_error(d->a, err);
    }
    return histogram(d, values, rest, out) == STRATA_OK ? STRATA_OK : arena_error(d->a, err);
}

static int analyze_table(Ddl *d, const CatTable *t, Error *err)
{
    if (t->kind != CAT_TABLE) {
        return STRATA_OK;
    }
    Arena *a = arena_create(d->stmt->exec_arena, 0, "analyze sample");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int n = t->column_count;
    Sample s = {.t = t, .a = a, .rng = t->id * 0x9e3779b97f4a7c15ULL};
    s.rows = arena_alloc(a, sizeof(Value) * (size_t)SAMPLE_ROWS * (size_t)(n ? n : 1));
    s.nulls = arena_zalloc(a, sizeof(uint64_t) * (size_t)(n ? n : 1));
    int rc = s.rows == NULL || s.nulls == NULL ? arena_error(a, err) : STRATA_OK;
    if (rc == STRATA_OK) {
        rc = api_ddl_scan_rows(d, t, sample_row, &s, err);
    }
    CatTable *copy = rc == STRATA_OK ? catalog_edit_copy_table(d->edit, t, err) : NULL;
    CatStats *stats = arena_zalloc(d->a, sizeof(CatStats));
    CatColumnStats *cols = arena_zalloc(d->a, sizeof(CatColumnStats) * (size_t)(n ? n : 1));
    if (rc == STRATA_OK && copy == NULL) {
        rc = err->code;
    } else if (rc == STRATA_OK && (stats == NULL || cols == NULL)) {
        rc = arena_error(d->a, err);
    }
    for (int col = 0; col < n && rc == STRATA_OK; col++) {
        rc = column_stats(d, &s, col, &cols[col], err);
    }
    if (rc == STRATA_OK) {
        stats->row_count = s.seen;
        stats->columns = cols;
        copy->stats = stats;
        rc = catalog_edit_put_table(d->edit, copy, err);
    }
    arena_destroy(a);
    return rc;
}

/* A table and, for a partitioned table, its partitions (as PostgreSQL). */
static int analyze_tree(Ddl *d, const CatTable *t, Error *err)
{
    int rc = analyze_table(d, t, err);
    for (int p = 0; p < t->partition_count && rc == STRATA_OK; p++) {
        rc = analyze_tree(d, t->partitions[p], err);
    }
    return rc;
}

int api_ddl_analyze(Ddl *d, Error *err)
{
    const VacuumStmt *v = (const VacuumStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "ANALYZE");
    const Catalog *c = d->conn->catalog;
    if (v->relations.count == 0) {
        for (int k = 0; k < catalog_table_count(c); k++) {
            int rc = analyze_table(d, catalog_table_at(c, k), err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        return STRATA_OK;
    }
    for (int k = 0; k < v->relations.count; k++) {
        const RangeVar *rv = (const RangeVar *)v->relations.items[k];
        const CatTable *t = api_ddl_find_relation(d, rv->schema, rv->name);
        if (t == NULL) {
            return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                             rv->name);
        }
        int rc = analyze_tree(d, t, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* ---- integrity check -------------------------------------------------------------------- */

typedef struct CountCtx {
    uint64_t rows;
} CountCtx;

static int count_row(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err)
{
    ((CountCtx *)ctx)->rows++;
    return STRATA_OK;
}

/* Counts the entries of an index (a full scan through the index method). */
static int count_index(PagerTxn *txn, const CatIndex *x, Arena *a, uint64_t *out, Error *err)
{
    IndexScan *scan;
    KeyRange all = {0};
    int rc = x->am->scan_begin(txn, &x->desc, &all, false, a, &scan, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int n = x->key_count + x->include_count + 1;
    SqlType *types = arena_alloc(a, sizeof(SqlType) * (size_t)n);
    if (types == NULL) {
        x->am->scan_end(scan);
        return arena_error(a, err);
    }
    for (int k = 0; k < x->key_count; k++) {
        types[k] = x->key_types[k];
    }
    for (int k = 0; k < x->include_count; k++) {
        types[x->key_count + k] = x->desc.include_types[k];
    }
    types[n - 1] = sql_type(TYPE_BYTEA);
    Batch *batch = batch_create(a, types, n, 0);
    *out = 0;
    while (batch != NULL && (rc = x->am->scan_next(scan, batch, err)) == STRATA_OK &&
           batch->row_count > 0) {
        *out += (uint64_t)batch_active_count(batch);
    }
    x->am->scan_end(scan);
    return batch == NULL ? arena_error(a, err) : rc;
}

int api_check_database(strata_db *conn, Arena *a, const char **out, Error *err)
{
    Error problem;
    error_clear(&problem);
    *out = "ok";
    if (pager_check(conn->db->pager, &problem) != STRATA_OK) {
        *out = arena_strdup(a, problem.message);
        return STRATA_OK;
    }
    int rc = api_session_ensure_txn(conn, false, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    bool autocommit = conn->mode == TXN_AUTOCOMMIT;
    if (autocommit) {
        conn->autocommit_users++;
    }
    const Catalog *c = conn->catalog;
    Ddl d = {.conn = conn};
    strata_stmt fake = {.conn = conn, .exec_arena = a};
    d.stmt = &fake;
    for (int k = 0; k < catalog_table_count(c) && strcmp(*out, "ok") == 0; k++) {
        const CatTable *t = catalog_table_at(c, k);
        if (t->kind != CAT_TABLE || t->am == NULL) {
            continue;
        }
        CountCtx rows = {0};
        if (strcmp(t->am->name, "row") == 0 &&
            btree_check(conn->txn, (Pgno)t->desc.storage_root, NULL, &problem) != STRATA_OK) {
            *out = arena_sprintf(a, "table \"%s\": %s", t->name, problem.message);
            break;
        }
        if (api_ddl_scan_rows(&d, t, count_row, &rows, &problem) != STRATA_OK) {
            *out = arena_sprintf(a, "table \"%s\": %s", t->name, problem.message);
            break;
        }
        /* The exact row count the access method keeps (the row store's is in
         * the header page's counter slots) must match the rows: the crash
         * tests check it after every kill. */
        TableStats stored;
        if (tam_stats(t->am, conn->txn, &t->desc, &stored, &problem) != STRATA_OK) {
            *out = arena_sprintf(a, "table \"%s\": %s", t->name, problem.message);
            break;
        }
        if (stored.row_count_is_exact && stored.row_count != rows.rows) {
            *out = arena_sprintf(a, "table \"%s\" has %llu rows but its row count says %llu",
                                 t->name, (unsigned long long)rows.rows,
                                 (unsigned long long)stored.row_count);
            break;
        }
        for (int x = 0; x < t->index_count; x++) {
            const CatIndex *idx = t->indexes[x];
            if (idx->primary || idx->am == NULL || idx->predicate_sql != NULL) {
                continue;
            }
            uint64_t entries = 0;
            BTreeCheckStats stats;
            if (strcmp(idx->am->name, "btree") == 0 &&
                btree_check(conn->txn, (Pgno)idx->desc.storage_root, &stats, &problem) !=
                    STRATA_OK) {
                *out = arena_sprintf(a, "index \"%s\": %s", idx->name, problem.message);
                break;
            }
            if (count_index(conn->txn, idx, a, &entries, &problem) != STRATA_OK) {
                *out = arena_sprintf(a, "index \"%s\": %s", idx->name, problem.message);
                break;
            }
            if (entries != rows.rows) {
                *out = arena_sprintf(
                    a, "index \"%s\" has %llu entries but table \"%s\" has %llu rows", idx->name,
                    (unsigned long long)entries, t->name, (unsigned long long)rows.rows);
                break;
            }
        }
    }
    if (autocommit) {
        api_session_end_statement(conn, true, NULL);
    }
    return *out != NULL ? STRATA_OK : arena_error(a, err);
}
