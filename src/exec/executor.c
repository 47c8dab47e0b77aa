/*
 * exec/executor.c - the operators (scan, values, filter, project, joins,
 * aggregate, sort, limit, distinct, set operations, CTE and function scans)
 * and the executor_* entry points.
 *
 * See exec_int.h for the row protocol and src/exec/README.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/exec_int.h"
#include "util/assert.h"
#include "types/array.h"
#include "exec/vec_int.h"
#include "types/cast.h"
#include "types/compare.h"
#include "types/jsonpath.h"
#include "util/limits.h"

static int nomem_es(ExecState *es, Error *err) { return arena_error(es->a, err); }

int exec_check_interrupt(ExecState *es, Error *err)
{
    if (es->env->interrupt != NULL && *es->env->interrupt) {
        return error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to user request");
    }
    return STRATA_OK;
}

size_t exec_memory_cap_bytes(const ExecState *es)
{
    return es->env->work_mem_bytes * 4 + LIMIT_EXEC_MEMORY_FLOOR_BYTES;
}

int exec_check_work_mem(ExecState *es, Error *err)
{
    size_t limit = exec_memory_cap_bytes(es);
    if (es->env->work_mem_bytes == 0 || arena_used_bytes(es->a) <= limit) {
        return STRATA_OK;
    }
    error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    error_detail(err, "The query holds more than %zu MB in memory (4 x work_mem + %zu MB).",
                 limit >> 20, LIMIT_EXEC_MEMORY_FLOOR_BYTES >> 20);
    error_hint(err, "Raise work_mem, or reduce the rows hashed or grouped.");
    return STRATA_NOMEM;
}

void exec_scratch_reset(ExecState *es)
{
    if (es->sub_depth == 0) {
        arena_reset(es->scratch);
    }
}

/* A FuncContext whose results outlive the current row (aggregate states,
 * set-returning function state): allocations go to es->a. */
static FuncContext keep_fctx(ExecState *es)
{
    FuncContext f = es->fctx;
    f.arena = es->a;
    return f;
}

static EvalCtx ctx_of(ExecNode *n, const Value *row)
{
    EvalCtx c = {n->es, row, n->corr};
    return c;
}

/* ---- scan ------------------------------------------------------------------ */

/* Evaluates one side of a key range (values in es->a: the scan keeps them).
 * *usable = false when a value does not fit the key column's integer type
 * (the caller then scans unbounded: the qual rechecks every row); *empty =
 * true when a value is NULL (a comparison with NULL never holds). */
static int eval_bound(ExecNode *n, const IndexBound *bound, const SqlType *key_types, Value **out,
                      int *count, bool *inclusive, bool *usable, bool *empty, Error *err)
{
    *out = NULL;
    *count = bound->count;
    *inclusive = bound->inclusive;
    if (bound->count == 0) {
        return STRATA_OK;
    }
    Value *values = arena_alloc(n->es->a, sizeof(Value) * (size_t)bound->count);
    if (values == NULL) {
        return nomem_es(n->es, err);
    }
    /* Bounds read no input columns, except under an index nested loop, where
     * they read the outer row (plan/nestloop.c). */
    EvalCtx ctx = ctx_of(n, n->outer_row);
    for (int k = 0; k < bound->count; k++) {
        Value v;
        int rc = eval_expr(bound->values[k], &ctx, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (v.is_null && bound->row_rest_from > 0 && k >= bound->row_rest_from) {
            *count = k;
            *inclusive = true;
            break;
        }
        if (v.is_null) {
            *empty = true;
            return STRATA_OK;
        }
        Value *kept = row_copy(n->es->a, &v, 1);
        if (kept == NULL) {
            return nomem_es(n->es, err);
        }
        values[k] = *kept;
        if (values[k].type.id != key_types[k].id) {
            Error ignored;
            error_clear(&ignored);
            int64_t fitted;
            if (cast_i64_to_int(values[k].i64, key_types[k].id, &fitted, &ignored) != STRATA_OK) {
                *usable = false;
                return STRATA_OK;
            }
            values[k].i64 = fitted;
        }
        values[k].type = key_types[k];
    }
    *out = values;
    return STRATA_OK;
}

/* Fills range from the node's low/high bounds; *use_range false = scan all. */
static int eval_range(ExecNode *n, const SqlType *key_types, KeyRange *range, bool *use_range,
                      bool *empty, Error *err)
{
    const PlanNode *p = n->p;
    Value *low, *high;
    int low_count = 0, high_count = 0;
    bool usable = true, low_inclusive = true, high_inclusive = true;
    memset(range, 0, sizeof(*range));
    *empty = false;
    int rc = eval_bound(n, &p->low, key_types, &low, &low_count, &low_inclusive, &usable, empty,
                        err);
    if (rc == STRATA_OK && !*empty && usable) {
        rc = eval_bound(n, &p->high, key_types, &high, &high_count, &high_inclusive, &usable,
                        empty, err);
    }
    if (rc == STRATA_OK && !usable && p->bounds_read_outer) {
        *empty = true; /* an equality with a value no key can hold */
    }
    if (rc != STRATA_OK || *empty || !usable) {
        *use_range = false;
        return rc;
    }
    range->low = low;
    range->low_count = low ? low_count : 0;
    range->low_inclusive = low_inclusive;
    range->high = high;
    range->high_count = high ? high_count : 0;
    range->high_inclusive = high_inclusive;
    *use_range = true;
    return STRATA_OK;
}

static int compare_key_values(const void *a, const void *b)
{
    return value_compare((const Value *)a, (const Value *)b);
}

/* The IN values of p as the key's type, sorted without duplicates and
 * without NULLs (they never compare equal); a value that does not fit an
 * integer key equals no row and is dropped. */
/* The IN values of p as evaluated: the list, or the elements of the array of
 * `key = ANY (array)` (none for a NULL array). */
static int in_raw_values(ExecNode *n, Value **out, int *count, Error *err)
{
    const PlanNode *p = n->p;
    EvalCtx ctx = ctx_of(n, NULL);
    if (p->in_is_array) {
        Value a;
        int rc = eval_expr(p->in_values[0], &ctx, &a, err);
        *count = 0;
        if (rc != STRATA_OK || a.is_null) {
            return rc;
        }
        return array_decode(a.type, a.str, n->es->a, out, count, err);
    }
    Value *values = arena_alloc(n->es->a, sizeof(Value) * (size_t)(p->in_count + 1));
    if (values == NULL) {
        return nomem_es(n->es, err);
    }
    for (int k = 0; k < p->in_count; k++) {
        int rc = eval_expr(p->in_values[k], &ctx, &values[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    *out = values;
    *count = p->in_count;
    return STRATA_OK;
}

static int eval_in_values(ExecNode *n, SqlType key_type, Value **out, int *count, Error *err)
{
    Value *raw = NULL;
    int raw_count = 0;
    int rc = in_raw_values(n, &raw, &raw_count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Value *values = arena_alloc(n->es->a, sizeof(Value) * (size_t)(raw_count + 1));
    if (values == NULL) {
        return nomem_es(n->es, err);
    }
    int kept = 0;
    for (int k = 0; k < raw_count; k++) {
        Value v = raw[k];
        if (v.is_null) {
            continue;
        }
        Value *copy = row_copy(n->es->a, &v, 1);
        if (copy == NULL) {
            return nomem_es(n->es, err);
        }
        if (copy->type.id != key_type.id) {
            Error ignored;
            error_clear(&ignored);
            int64_t fitted;
            if (cast_i64_to_int(copy->i64, key_type.id, &fitted, &ignored) != STRATA_OK) {
                continue;
            }
            copy->i64 = fitted;
        }
        copy->type = key_type;
        values[kept++] = *copy;
    }
    qsort(values, (size_t)kept, sizeof(Value), compare_key_values);
    int distinct = 0;
    for (int k = 0; k < kept; k++) {
        if (distinct == 0 || value_compare(&values[distinct - 1], &values[k]) != 0) {
            values[distinct++] = values[k];
        }
    }
    *out = values;
    *count = distinct;
    return STRATA_OK;
}

/* The key ranges a scan reads, in order: one from low/high, or one point
 * per IN value (the equal prefix of low, then the value). *count 0 = no row
 * can match; *use_range false = read everything (the qual rechecks). */
static int eval_ranges(ExecNode *n, const SqlType *key_types, Error *err)
{
    const PlanNode *p = n->p;
    bool use_range = false, empty = false;
    KeyRange *one = arena_zalloc(n->es->a, sizeof(KeyRange));
    if (one == NULL) {
        return nomem_es(n->es, err);
    }
    int rc = eval_range(n, key_types, one, &use_range, &empty, err);
    n->ranges = one;
    n->range_count = empty ? 0 : 1;
    n->range_pos = 0;
    n->use_range = use_range;
    if (rc != STRATA_OK || empty || !use_range || p->in_count == 0) {
        return rc;
    }
    Value *values;
    int count;
    int prefix = p->low.count;
    if ((rc = eval_in_values(n, key_types[prefix], &values, &count, err)) != STRATA_OK) {
        return rc;
    }
    KeyRange *ranges = arena_zalloc(n->es->a, sizeof(KeyRange) * (size_t)(count + 1));
    if (ranges == NULL) {
        return nomem_es(n->es, err);
    }
    for (int k = 0; k < count; k++) {
        Value *key = arena_alloc(n->es->a, sizeof(Value) * (size_t)(prefix + 1));
        if (key == NULL) {
            return nomem_es(n->es, err);
        }
        if (prefix > 0) {
            memcpy(key, one->low, sizeof(Value) * (size_t)prefix);
        }
        key[prefix] = values[k];
        ranges[k].low = ranges[k].high = key;
        ranges[k].low_count = ranges[k].high_count = prefix + 1;
        ranges[k].low_inclusive = ranges[k].high_inclusive = true;
    }
    n->ranges = ranges;
    n->range_count = count;
    return STRATA_OK;
}

/* First batch of a scan that reads a key range or an index: an OLTP lookup
 * wants one row or a few hundred, and a full batch costs its allocation and,
 * for a table scan, zeroing 2048 rows per column per execution. A scan that
 * fills its first batch grows to a full one (grow_batch). */
enum { SCAN_FIRST_BATCH_ROWS = 128 };

/* Batch capacity of a scan's first batch (0 = a full batch): under a small
 * LIMIT that needs no Sort, about what the LIMIT takes; for a keyed scan,
 * SCAN_FIRST_BATCH_ROWS. */
static int scan_capacity(const PlanNode *p, bool keyed)
{
    if (p->batch_rows_hint <= 0 || p->batch_rows_hint >= BATCH_CAPACITY / 2) {
        return keyed ? SCAN_FIRST_BATCH_ROWS : 0;
    }
    return p->batch_rows_hint * 2 < 16 ? 16 : p->batch_rows_hint * 2;
}

/* A full-size batch in place of *batch: a scan that started small
 * (scan_capacity) and filled its first batch reads on in whole batches. The
 * old batch stays in the execution arena (its rows have been consumed). */
static int grow_batch(ExecNode *n, Batch **batch, bool zero, Error *err)
{
    Batch *old = *batch;
    SqlType *types = arena_alloc(n->es->a, sizeof(SqlType) * (size_t)(old->column_count + 1));
    if (types == NULL) {
        return nomem_es(n->es, err);
    }
    for (int c = 0; c < old->column_count; c++) {
        types[c] = old->columns[c].type;
    }
    Batch *grown = zero ? batch_create(n->es->a, types, old->column_count, 0)
                        : batch_create_unzeroed(n->es->a, types, old->column_count, 0);
    if (grown == NULL) {
        return nomem_es(n->es, err);
    }
    grown->row_count = 0;
    *batch = grown;
    return STRATA_OK;
}

static int key_types_of_table(ExecNode *n, SqlType **out, Error *err)
{
    const CatTable *t = n->p->table;
    SqlType *types = arena_alloc(n->es->a, sizeof(SqlType) * (size_t)(t->pkey_count + 1));
    if (types == NULL) {
        return nomem_es(n->es, err);
    }
    for (int k = 0; k < t->pkey_count; k++) {
        types[k] = t->columns[t->pkey_columns[k]].type;
    }
    *out = types;
    return STRATA_OK;
}

/* True if range pins every primary-key column to one value (at most one row). */
static bool is_point_range(const CatTable *t, const KeyRange *range)
{
    if (range == NULL || t->pkey_count <= 0 || range->low_count != t->pkey_count ||
        range->high_count != t->pkey_count || !range->low_inclusive || !range->high_inclusive) {
        return false;
    }
    for (int k = 0; k < t->pkey_count; k++) {
        if (range->low[k].is_null || value_compare(&range->low[k], &range->high[k]) != 0) {
            return false;
        }
    }
    return true;
}

/* The table columns a scan asks its access method for, and the types of its
 * batch: every output column, or with PlanNode.columns_read only those read;
 * the others are NULL in every output row (n->batch_of maps the rest). */
static int scan_read_columns(ExecNode *n, const int **columns, int *count, SqlType **types,
                             Error *err)
{
    const PlanNode *p = n->p;
    *types = arena_zalloc(n->es->a, sizeof(SqlType) * (size_t)(p->column_count + 1));
    if (*types == NULL) {
        return nomem_es(n->es, err);
    }
    if (p->columns_read == NULL) {
        memcpy(*types, p->column_types, sizeof(SqlType) * (size_t)p->column_count);
        *columns = p->scan_columns;
        *count = p->scan_column_count;
        return STRATA_OK;
    }
    int *read = arena_alloc(n->es->a, sizeof(int) * (size_t)(p->column_count + 1));
    n->batch_of = arena_alloc(n->es->a, sizeof(int) * (size_t)(p->column_count + 1));
    if (read == NULL || n->batch_of == NULL) {
        return nomem_es(n->es, err);
    }
    int kept = 0;
    for (int c = 0; c < p->column_count; c++) {
        n->batch_of[c] = p->columns_read[c] ? kept : -1;
        n->row[c] = value_null(p->column_types[c]);
        if (p->columns_read[c]) {
            (*types)[kept] = p->column_types[c];
            read[kept++] = p->scan_columns[c];
        }
    }
    *columns = read;
    *count = kept;
    return STRATA_OK;
}

/* Copies batch row r into the scan's output row (unread columns stay NULL). */
static void scan_row_from_batch(ExecNode *n, int r)
{
    const PlanNode *p = n->p;
    for (int c = 0; c < p->column_count; c++) {
        int from = n->batch_of != NULL ? n->batch_of[c] : c;
        if (from >= 0) {
            batch_get_value(n->batch, from, r, &n->row[c]);
            n->row[c].type = p->column_types[c];
        }
    }
}

/* A partition scan whose gate is false (run-time partition pruning,
 * plan/partition.c) reads nothing. */
static int gate_is_closed(ExecNode *n, bool *closed, Error *err)
{
    *closed = false;
    if (n->p->partition_gate == NULL) {
        return STRATA_OK;
    }
    EvalCtx ctx = ctx_of(n, NULL);
    bool pass;
    int rc = eval_qual(n->p->partition_gate, &ctx, &pass, err);
    *closed = rc == STRATA_OK && !pass;
    n->done = *closed;
    return rc;
}

void exec_scan_stat_add(ExecNode *n, const CatIndex *ix, uint64_t scans, uint64_t read,
                          uint64_t fetched)
{
    ExecState *es = n->es;
    uint64_t table_id = n->p->table->id, index_id = ix != NULL ? ix->id : 0;
    if (n->scan_stat == 0) {
        for (int k = 0; k < es->scan_stat_count && n->scan_stat == 0; k++) {
            if (es->scan_stats[k].table_id == table_id && es->scan_stats[k].index_id == index_id) {
                n->scan_stat = k + 1;
            }
        }
        if (n->scan_stat == 0 && es->scan_stat_count < SCAN_STATS_MAX) {
            ScanStat *s = &es->scan_stats[es->scan_stat_count++];
            memset(s, 0, sizeof(*s));
            s->table_id = table_id;
            s->index_id = index_id;
            n->scan_stat = es->scan_stat_count;
        }
    }
    if (n->scan_stat == 0) {
        QueryHooks *h = es->env->hooks;
        if (h != NULL && h->scans_counted != NULL) {
            h->scans_counted(h->ctx, table_id, index_id, scans, read, fetched);
        }
        return;
    }
    ScanStat *s = &es->scan_stats[n->scan_stat - 1];
    s->scans += scans;
    s->rows_read += read;
    s->rows_fetched += fetched;
}

/* The primary key of n's table: a key range of the clustered table is a scan of it. */
static const CatIndex *scan_key_index(const ExecNode *n)
{
    const CatTable *t = n->p->table;
    if (!n->use_range) {
        return NULL;
    }
    for (int k = 0; k < t->index_count; k++) {
        if (t->indexes[k]->primary) {
            return t->indexes[k];
        }
    }
    return NULL;
}

/* Begins the table scan of n->spec over range (NULL: whole table). */
static int scan_open(ExecNode *n, const KeyRange *range, Error *err)
{
    const PlanNode *p = n->p;
    n->spec->range = range;
    return tam_scan_begin(p->table->am, n->es->env->txn, &p->table->desc, n->spec, n->es->a,
                          &n->scan, err);
}

/* The parts of a table or index scan's start that no execution changes: made
 * with the node (exec_build), so a kept executor (executor_restart) sets them up
 * once rather than at every lookup. */
typedef struct ScanSetup {
    ScanSpec spec;        /* columns, row id, direction, filters; the range is set per open */
    SqlType *types;       /* of the scan's batch */
    int width;            /* its column count */
    SqlType *key_types;   /* table scan on the key: the primary key's column types */
    SqlType *index_types; /* index scan: key, INCLUDE and row id columns of its entries */
    int index_width;
    Arena *arena;         /* where this lives */
    /* Batches of the last execution, handed out again to the first start of a
     * later one with the same capacity (never twice in one execution: a
     * parent may still hold strings of a rescanned scan's earlier batch). */
    Batch *batch, *index_batch;
    StrRef *row_ids;
    void *fetch_cache;    /* index scan: the table method's (tam_fetch_cached), in arena */
    uint64_t execution;   /* ExecState.execution the batches were last handed to */
    bool has_batches;
} ScanSetup;

static int scan_setup(ExecNode *n, Error *err)
{
    const PlanNode *p = n->p;
    Arena *a = n->es->a;
    ScanSetup *setup = arena_zalloc(a, sizeof(ScanSetup));
    if (setup == NULL) {
        return nomem_es(n->es, err);
    }
    setup->arena = a;
    int rc = scan_read_columns(n, &setup->spec.columns, &setup->spec.column_count,
                               &setup->types, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    setup->spec.want_row_id = p->want_row_id;
    setup->spec.reverse = p->reverse;
    setup->width = setup->spec.column_count + (p->want_row_id ? 1 : 0);
    if (p->kind == PLAN_INDEX_SCAN) {
        const CatIndex *ix = p->index;
        setup->index_width = ix->key_count + ix->include_count + 1;
        setup->index_types = arena_zalloc(a, sizeof(SqlType) * (size_t)setup->index_width);
        if (setup->index_types == NULL) {
            return nomem_es(n->es, err);
        }
        for (int k = 0; k < ix->key_count; k++) {
            setup->index_types[k] = ix->key_types[k];
        }
        for (int k = 0; k < ix->include_count; k++) {
            setup->index_types[ix->key_count + k] = p->table->columns[ix->include_columns[k]].type;
        }
        setup->index_types[setup->index_width - 1] = sql_type(TYPE_BYTEA);
    } else {
        if (p->scan_on_key && (rc = key_types_of_table(n, &setup->key_types, err)) != STRATA_OK) {
            return rc;
        }
        rc = exec_scan_filters(p, a, &setup->spec.filters, &setup->spec.filter_count, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    n->spec = &setup->spec;
    n->setup = setup;
    return STRATA_OK;
}

/* The scan's batch of capacity rows (and an index scan's entry batch and row
 * ids): the last execution's when they fit (ScanSetup), else new ones, kept for
 * the next execution if there were none. Filled through batch_set_value only,
 * so not zeroed. */
static int scan_batches(ExecNode *n, int capacity, Error *err)
{
    ScanSetup *setup = n->setup;
    ExecState *es = n->es;
    bool is_index = n->p->kind == PLAN_INDEX_SCAN;
    if (setup->has_batches && setup->execution != es->execution &&
        setup->batch->capacity == capacity) {
        setup->execution = es->execution;
        n->batch = setup->batch;
        batch_reset(n->batch);
        n->index_batch = setup->index_batch;
        if (is_index) {
            batch_reset(n->index_batch);
        }
        n->row_ids = setup->row_ids;
        return STRATA_OK;
    }
    Arena *a = setup->has_batches ? es->a : setup->arena;
    n->batch = batch_create_unzeroed(a, setup->types, setup->width, capacity);
    if (is_index) {
        n->index_batch = batch_create_unzeroed(a, setup->index_types, setup->index_width,
                                               capacity);
        n->row_ids = arena_alloc(a, sizeof(StrRef) * BATCH_CAPACITY);
        if (n->index_batch == NULL || n->row_ids == NULL) {
            return nomem_es(es, err);
        }
    }
    if (n->batch == NULL) {
        return nomem_es(es, err);
    }
    if (!setup->has_batches) {
        setup->has_batches = true;
        setup->execution = es->execution;
        setup->batch = n->batch;
        setup->index_batch = n->index_batch;
        setup->row_ids = n->row_ids;
    }
    return STRATA_OK;
}

static int scan_start(ExecNode *n, Error *err)
{
    const PlanNode *p = n->p;
    int rc;
    n->range_count = 1;
    n->use_range = false;
    if (p->scan_on_key) {
        if ((rc = eval_ranges(n, n->setup->key_types, err)) != STRATA_OK) {
            return rc;
        }
        if (n->range_count == 0) {
            n->done = true;
            return STRATA_OK;
        }
    }
    if ((rc = scan_open(n, n->use_range ? &n->ranges[0] : NULL, err)) != STRATA_OK) {
        return rc;
    }
    exec_scan_stat_add(n, scan_key_index(n), 1, 0, 0);
    /* A primary-key point lookup yields at most one row: a one-row batch
     * saves zeroing a full batch per execution (10% of a point select). */
    int capacity = n->use_range && n->range_count == 1 && is_point_range(p->table, &n->ranges[0])
                       ? 1 : scan_capacity(p, n->use_range);
    n->batch_grows = capacity == SCAN_FIRST_BATCH_ROWS;
    if ((rc = scan_batches(n, capacity, err)) != STRATA_OK) {
        return rc;
    }
    n->batch_pos = 0;
    n->batch->row_count = 0;
    return STRATA_OK;
}

/* Reads the next batch, moving on to the next key range at the end of one. */
static int scan_fill(ExecNode *n, Error *err)
{
    const TableAm *am = n->p->table->am;
    int rc;
    if (n->batch_grows && n->batch->row_count == n->batch->capacity) {
        n->batch_grows = false;
        if ((rc = grow_batch(n, &n->batch, true, err)) != STRATA_OK) {
            return rc;
        }
    }
    for (;;) {
        if ((rc = exec_check_interrupt(n->es, err)) != STRATA_OK ||
            (rc = tam_scan_next(am, n->scan, n->batch, err)) != STRATA_OK) {
            return rc;
        }
        exec_scan_count(n, am);
        n->batch_pos = 0;
        if (n->batch->row_count > 0) {
            const CatIndex *key = scan_key_index(n);
            exec_scan_stat_add(n, key, 0, (uint64_t)n->batch->row_count,
                          key != NULL ? (uint64_t)n->batch->row_count : 0);
            return STRATA_OK;
        }
        tam_scan_end(am, n->scan);
        n->scan = NULL;
        if (!n->use_range || ++n->range_pos >= n->range_count) {
            n->done = true;
            return STRATA_OK;
        }
        if ((rc = scan_open(n, &n->ranges[n->range_pos], err)) != STRATA_OK) {
            return rc;
        }
    }
}

/* A scan with a qual of at least one kernel shape (vec_filter.c) filters each
 * batch into a selection vector: the kernels in one loop per conjunct, the
 * other conjuncts row by row on the survivors, as eval_qual would. */
static int scan_filter_start(ExecNode *n, Error *err)
{
    const PlanNode *p = n->p;
    if (p->qual == NULL || !n->es->env->vectorize) {
        return STRATA_OK;
    }
    VecFilter *f = arena_alloc(n->es->a, sizeof(VecFilter));
    int *identity = arena_alloc(n->es->a, sizeof(int) * (size_t)(p->column_count + 1));
    if (f == NULL || identity == NULL) {
        return nomem_es(n->es, err);
    }
    for (int c = 0; c < p->column_count; c++) {
        identity[c] = n->batch_of != NULL ? n->batch_of[c] : c;
    }
    vec_filter_compile(p->qual, p->column_types, p->column_count, identity, f);
    /* Lookups and key ranges (small first batches) gain less from compiling the
     * other conjuncts than it costs them: those stay row by row. */
    bool is_small = n->batch == NULL || n->batch->capacity < BATCH_CAPACITY;
    int rc = is_small ? STRATA_OK : vec_filter_prepare(f, n->es, p->column_types, err);
    if (rc != STRATA_OK || (f->kernel_count == 0 && !f->rest_batch)) {
        return rc; /* nothing to gain over eval_qual */
    }
    n->vsel = arena_alloc(n->es->a, sizeof(uint16_t) * BATCH_CAPACITY);
    if (n->vsel == NULL) {
        return nomem_es(n->es, err);
    }
    n->vfilter = f;
    return STRATA_OK;
}

/* The kernels over the whole batch; the other conjuncts wait for scan_next to
 * reach each row (a LIMIT above may stop before). */
static int scan_filter_batch(ExecNode *n, Error *err)
{
    (void)err;
    int count;
    int rc = vec_filter_kernels(n->vfilter, n->batch, n->vsel, &count);
    n->vrest_done = false;
    if (rc == STRATA_OK && n->vfilter->rest_batch && count > 0) {
        /* The other conjuncts batch-wise too; a batch that raises an error
         * leaves them to scan_next, row by row (vec_expr.h, "Errors"). */
        rc = vec_filter_rest_batch(n->vfilter, n->es, n->corr, n->batch, n->vsel, &count,
                                   &n->vrest_done, err);
    }
    if (rc == STRATA_OK) {
        n->batch->selection = n->vsel;
        n->batch->selected_count = count;
    }
    return rc;
}

static int scan_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    int rc;
    if (!n->started) {
        n->started = true;
        bool closed;
        if ((rc = gate_is_closed(n, &closed, err)) != STRATA_OK || closed) {
            *row = NULL;
            return rc;
        }
        if ((rc = scan_start(n, err)) != STRATA_OK || (rc = scan_filter_start(n, err)) != STRATA_OK) {
            return rc;
        }
    }
    for (;;) {
        if (n->done) {
            *row = NULL;
            return STRATA_OK;
        }
        exec_scratch_reset(n->es);
        if (n->batch_pos >= batch_active_count(n->batch)) {
            if ((rc = scan_fill(n, err)) != STRATA_OK) {
                return rc;
            }
            if (!n->done && n->vfilter != NULL && (rc = scan_filter_batch(n, err)) != STRATA_OK) {
                return rc;
            }
            continue; /* a batch none of whose rows passes: read the next */
        }
        scan_row_from_batch(n, batch_active_row(n->batch, n->batch_pos++));
        bool pass = true;
        if (p->qual != NULL && n->vfilter == NULL) {
            EvalCtx ctx = ctx_of(n, n->row);
            if ((rc = eval_qual(p->qual, &ctx, &pass, err)) != STRATA_OK) {
                return rc;
            }
        } else if (n->vfilter != NULL && !n->vrest_done) {
            /* The kernels passed this row; the other conjuncts run now, row by row. */
            EvalCtx ctx = ctx_of(n, n->row);
            for (int q = 0; q < n->vfilter->rest_count && pass; q++) {
                if ((rc = eval_qual(n->vfilter->rest[q], &ctx, &pass, err)) != STRATA_OK) {
                    return rc;
                }
            }
        }
        if (pass) {
            *row = n->row;
            return STRATA_OK;
        }
    }
}

int exec_scan_open(ExecNode *n, Error *err)
{
    if (n->started) {
        return STRATA_OK;
    }
    n->started = true;
    bool closed;
    int rc = gate_is_closed(n, &closed, err);
    if (rc != STRATA_OK || closed) {
        return rc; /* closed: n->done */
    }
    if ((rc = scan_start(n, err)) != STRATA_OK) {
        return rc;
    }
    return scan_filter_start(n, err);
}

int exec_scan_next_batch(ExecNode *n, bool *end, bool *unsupported, Error *err)
{
    return exec_scan_next_batch_capped(n, -1, end, unsupported, err);
}

int exec_scan_next_batch_capped(ExecNode *n, int64_t cap, bool *end, bool *unsupported,
                                Error *err)
{
    int rc;
    *end = false;
    *unsupported = false;
    if ((rc = exec_scan_open(n, err)) != STRATA_OK) {
        return rc;
    }
    const VecFilter *f = n->vfilter;
    if (n->p->qual != NULL && (f == NULL || (f->rest_count > 0 && !f->rest_batch))) {
        *unsupported = true; /* nothing read yet: scan_next can take over */
        return STRATA_OK;
    }
    while (!n->done) {
        if ((rc = scan_fill(n, err)) != STRATA_OK) {
            return rc;
        }
        if (n->done) {
            break;
        }
        if (f != NULL && (rc = scan_filter_batch(n, err)) != STRATA_OK) {
            return rc;
        }
        if (f != NULL && f->rest_count > 0 && !n->vrest_done) {
            /* The batch-wise conjuncts raised an error: row by row, so the
             * error is the first failing row's (vec_expr.h, "Errors"). */
            int kept = 0;
            for (int i = 0; i < n->batch->selected_count && (cap < 0 || kept < cap); i++) {
                int r = n->vsel[i];
                bool pass = true;
                scan_row_from_batch(n, r);
                EvalCtx ctx = ctx_of(n, n->row);
                for (int q = 0; q < f->rest_count && pass; q++) {
                    if ((rc = eval_qual(f->rest[q], &ctx, &pass, err)) != STRATA_OK) {
                        return rc;
                    }
                }
                exec_scratch_reset(n->es);
                n->vsel[kept] = (uint16_t)r;
                kept += pass;
            }
            n->batch->selected_count = kept;
        }
        n->batch_pos = batch_active_count(n->batch); /* consumed: scan_next would refill */
        if (n->batch_pos > 0) {
            return STRATA_OK;
        }
    }
    *end = true;
    return STRATA_OK;
}

/* ---- index scan: index range -> row ids -> table rows ------------------------------------ */

static int index_open(ExecNode *n, Error *err)
{
    const CatIndex *ix = n->p->index;
    const KeyRange *range = n->use_range ? &n->ranges[n->range_pos] : NULL;
    return ix->am->scan_begin(n->es->env->txn, &ix->desc, range, n->p->reverse, n->es->a,
                              &n->iscan, err);
}

static int index_scan_start(ExecNode *n, bool *empty, Error *err)
{
    const PlanNode *p = n->p;
    const CatIndex *ix = p->index;
    int rc = eval_ranges(n, ix->key_types, err);
    *empty = n->range_count == 0;
    if (rc != STRATA_OK || *empty || (rc = index_open(n, err)) != STRATA_OK) {
        return rc;
    }
    exec_scan_stat_add(n, ix, 1, 0, 0);
    int capacity = scan_capacity(p, true);
    n->batch_grows = capacity == SCAN_FIRST_BATCH_ROWS;
    if ((rc = scan_batches(n, capacity, err)) != STRATA_OK) {
        return rc;
    }
    n->batch->row_count = 0;
    n->batch_pos = 0;
    return STRATA_OK;
}

/* Index-only: the output rows straight from the entries (index_column_map;
 * columns the index lacks are NULL, and the planner made sure nothing
 * reads them). */
static int index_only_fill(ExecNode *n, int count, Error *err)
{
    const PlanNode *p = n->p;
    for (int k = 0; k < count; k++) {
        int r = batch_active_row(n->index_batch, k);
        for (int c = 0; c < p->column_count; c++) {
            int from = p->index_column_map[c];
            Value v;
            if (from >= 0) {
                batch_get_value(n->index_batch, from, r, &v);
            } else {
                v = value_null(p->column_types[c]);
            }
            if (!batch_set_value(n->batch, c, k, &v)) {
                return nomem_es(n->es, err);
            }
        }
    }
    n->batch->row_count = count;
    return STRATA_OK;
}

/* Reads the next batch of index entries (moving on to the next key range at
 * the end of one) and fetches their rows. */
static int index_scan_fill(ExecNode *n, Error *err)
{
    const PlanNode *p = n->p;
    const CatIndex *ix = p->index;
    ExecState *es = n->es;
    int rc, count;
    for (;;) {
        if (n->batch_grows && n->index_batch->row_count == n->index_batch->capacity) {
            n->batch_grows = false;
            if ((rc = grow_batch(n, &n->index_batch, false, err)) != STRATA_OK ||
                (rc = grow_batch(n, &n->batch, false, err)) != STRATA_OK) {
                return rc;
            }
        }
        if ((rc = ix->am->scan_next(n->iscan, n->index_batch, err)) != STRATA_OK) {
            return rc;
        }
        batch_reset(n->batch);
        n->batch_pos = 0;
        count = batch_active_count(n->index_batch);
        if (count > 0) {
            break;
        }
        ix->am->scan_end(n->iscan);
        n->iscan = NULL;
        if (!n->use_range || ++n->range_pos >= n->range_count) {
            n->done = true;
            return STRATA_OK;
        }
        if ((rc = index_open(n, err)) != STRATA_OK) {
            return rc;
        }
    }
    exec_scan_stat_add(n, ix, 0, (uint64_t)count, p->index_only ? 0 : (uint64_t)count);
    if (p->index_only) {
        return index_only_fill(n, count, err);
    }
    int id_column = n->index_batch->column_count - 1;
    for (int k = 0; k < count; k++) {
        Value v;
        batch_get_value(n->index_batch, id_column, batch_active_row(n->index_batch, k), &v);
        n->row_ids[k] = v.str;
    }
    return tam_fetch_cached(p->table->am, es->env->txn, &p->table->desc, &n->setup->fetch_cache,
                            n->setup->arena, n->row_ids, count, n->spec->columns,
                            n->spec->column_count, p->want_row_id, n->batch, err);
}

static int index_scan_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    int rc;
    if (!n->started) {
        n->started = true;
        bool empty = false;
        if ((rc = gate_is_closed(n, &empty, err)) != STRATA_OK || empty) {
            *row = NULL;
            return rc;
        }
        if ((rc = index_scan_start(n, &empty, err)) != STRATA_OK) {
            return rc;
        }
        n->done = empty;
    }
    for (;;) {
        exec_scratch_reset(n->es);
        if (n->batch_pos >= (n->batch ? batch_active_count(n->batch) : 0)) {
            if (n->done) {
                *row = NULL;
                return STRATA_OK;
            }
            if ((rc = exec_check_interrupt(n->es, err)) != STRATA_OK ||
                (rc = index_scan_fill(n, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        scan_row_from_batch(n, batch_active_row(n->batch, n->batch_pos++));
        bool pass = true;
        if (p->qual != NULL && n->vfilter == NULL) {
            EvalCtx ctx = ctx_of(n, n->row);
            if ((rc = eval_qual(p->qual, &ctx, &pass, err)) != STRATA_OK) {
                return rc;
            }
        } else if (n->vfilter != NULL) {
            /* The kernels passed this row; the other conjuncts run now, row by row. */
            EvalCtx ctx = ctx_of(n, n->row);
            for (int q = 0; q < n->vfilter->rest_count && pass; q++) {
                if ((rc = eval_qual(n->vfilter->rest[q], &ctx, &pass, err)) != STRATA_OK) {
                    return rc;
                }
            }
        }
        if (pass) {
            *row = n->row;
            return STRATA_OK;
        }
    }
}

/* ---- values / filter / project ----------------------------------------------------- */

static int values_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    if (n->pos >= (size_t)p->row_count) {
        *row = NULL;
        return STRATA_OK;
    }
    EvalCtx ctx = ctx_of(n, NULL);
    for (int c = 0; c < p->column_count; c++) {
        int rc = eval_expr(p->rows[n->pos][c], &ctx, &n->row[c], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        n->row[c].type = p->column_types[c];
    }
    n->pos++;
    *row = n->row;
    return STRATA_OK;
}

static int filter_next(ExecNode *n, Value **row, Error *err)
{
    for (;;) {
        int rc = n->left->next(n->left, row, err);
        if (rc != STRATA_OK || *row == NULL) {
            return rc;
        }
        bool pass;
        EvalCtx ctx = ctx_of(n, *row);
        if ((rc = eval_qual(n->p->qual, &ctx, &pass, err)) != STRATA_OK) {
            return rc;
        }
        if (pass) {
            return STRATA_OK;
        }
    }
}

static int project_next(ExecNode *n, Value **row, Error *err)
{
    Value *in;
    int rc = n->left->next(n->left, &in, err);
    if (rc != STRATA_OK || in == NULL) {
        *row = NULL;
        return rc;
    }
    EvalCtx ctx = ctx_of(n, in);
    for (int c = 0; c < n->p->expr_count; c++) {
        const Expr *e = n->p->exprs[c];
        /* A plain column (most targets over an aggregate or a join) without
         * the call: eval_expr's frame was most of a projection's cost. */
        if (e->kind == EXPR_COLUMN) {
            n->row[c] = in[e->index];
        } else if ((rc = eval_expr(e, &ctx, &n->row[c], err)) != STRATA_OK) {
            return rc;
        }
        n->row[c].type = n->p->column_types[c];
    }
    *row = n->row;
    return STRATA_OK;
}

/* ---- project set: set-returning functions in a select list ------------------------------ */

static bool is_set_call(const Expr *e)
{
    return e->kind == EXPR_FUNC && e->fn != NULL && e->fn->set_fn != NULL;
}

/* Starts an input row: plain targets are evaluated once (into row_arena, as
 * they must outlive the rows this input produces), SRF arguments likewise. */
static int project_set_start(ExecNode *n, const Value *in, Error *err)
{
    const PlanNode *p = n->p;
    EvalCtx ctx = ctx_of(n, in);
    arena_reset(n->row_arena);
    for (int c = 0; c < p->expr_count; c++) {
        const Expr *e = p->exprs[c];
        n->set_states[c] = NULL;
        n->set_done[c] = false;
        int rc;
        if (!is_set_call(e)) {
            Value v;
            if ((rc = eval_expr(e, &ctx, &v, err)) != STRATA_OK) {
                return rc;
            }
            Value *kept = row_copy(n->row_arena, &v, 1);
            if (kept == NULL) {
                return nomem_es(n->es, err);
            }
            n->prev[c] = *kept;
            continue;
        }
        n->set_args[c] = arena_alloc(n->row_arena, sizeof(Value) * (size_t)(e->arg_count + 1));
        if (n->set_args[c] == NULL) {
            return nomem_es(n->es, err);
        }
        for (int k = 0; k < e->arg_count; k++) {
            Value v;
            if ((rc = eval_expr(e->args[k], &ctx, &v, err)) != STRATA_OK) {
                return rc;
            }
            Value *kept = row_copy(n->row_arena, &v, 1);
            if (kept == NULL) {
                return nomem_es(n->es, err);
            }
            n->set_args[c][k] = *kept;
            n->set_done[c] |= kept->is_null && e->fn->strict;
        }
    }
    return STRATA_OK;
}

/* PostgreSQL's ProjectSet: the SRFs of one input row advance in lockstep; a
 * finished one gives NULL while others go on; the input row is done when all
 * are (an input row whose SRFs all return nothing produces no row). */
static int project_set_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    int rc;
    if (n->row_arena == NULL) {
        n->row_arena = arena_create(n->es->a, 0, "project set row");
        n->prev = arena_zalloc(n->es->a, sizeof(Value) * (size_t)(p->expr_count + 1));
        n->set_states = arena_zalloc(n->es->a, sizeof(void *) * (size_t)(p->expr_count + 1));
        n->set_args = arena_zalloc(n->es->a, sizeof(Value *) * (size_t)(p->expr_count + 1));
        n->set_done = arena_zalloc(n->es->a, sizeof(bool) * (size_t)(p->expr_count + 1));
        if (n->row_arena == NULL || n->prev == NULL || n->set_states == NULL ||
            n->set_args == NULL || n->set_done == NULL) {
            return nomem_es(n->es, err);
        }
    }
    for (;;) {
        if (!n->started) {
            Value *in;
            if ((rc = n->left->next(n->left, &in, err)) != STRATA_OK || in == NULL) {
                *row = NULL;
                return rc;
            }
            if ((rc = project_set_start(n, in, err)) != STRATA_OK) {
                return rc;
            }
            n->started = true;
            n->ordinality = 0;
            n->left_matched = false;
        }
        bool any = false;
        FuncContext keep = n->es->fctx;
        keep.arena = n->row_arena;
        for (int c = 0; c < p->expr_count; c++) {
            const Expr *e = p->exprs[c];
            if (!is_set_call(e)) {
                n->row[c] = n->prev[c];
                continue;
            }
            bool has_row = false;
            if (!n->set_done[c]) {
                rc = e->fn->set_fn(n->set_args[c], e->arg_count, &n->set_states[c], &n->row[c],
                                   &has_row, &keep, err);
                if (rc != STRATA_OK) {
                    return rc;
                }
                n->set_done[c] = !has_row;
            }
            if (!has_row) {
                n->row[c] = value_null(p->column_types[c]);
            }
            n->row[c].type = p->column_types[c];
            any |= has_row;
        }
        n->started = false;
        if (!any && p->set_outer && !n->left_matched) {
            /* LEFT JOIN LATERAL: the input row once, the SRF columns NULL */
            if (p->with_ordinality) {
                n->row[p->expr_count] = value_null(sql_type(TYPE_INT8));
            }
            *row = n->row;
            return STRATA_OK;
        }
        if (any) {
            n->started = true;
            n->left_matched = true;
            if (p->with_ordinality) {
                n->row[p->expr_count] = value_i64(TYPE_INT8, ++n->ordinality);
            }
            *row = n->row;
            return exec_check_interrupt(n->es, err);
        }
    }
}

/* ---- LATERAL subquery --------------------------------------------------------------------- */

/* Starts the subquery for the left row l: the row and the correlation values
 * go to row_arena (they outlive the left child's next), the subquery's nodes
 * to a fresh arena dropped with the next left row. */
static int lateral_start(ExecNode *n, const Value *l, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    const SubPlan *sub = p->lateral;
    if (n->row_arena == NULL && (n->row_arena = arena_create(es->a, 0, "lateral row")) == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    arena_reset(n->row_arena);
    n->left_row = row_copy(n->row_arena, l, p->left->column_count);
    Value *corr = arena_alloc(n->row_arena, sizeof(Value) * (size_t)(sub->corr_count + 1));
    if (n->left_row == NULL || corr == NULL) {
        return arena_error(n->row_arena, err);
    }
    EvalCtx ctx = ctx_of(n, n->left_row);
    for (int slot = 0; slot < sub->corr_count; slot++) {
        Value v;
        int rc = eval_expr(sub->corr_args[slot], &ctx, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        Value *kept = row_copy(n->row_arena, &v, 1);
        if (kept == NULL) {
            return arena_error(n->row_arena, err);
        }
        corr[slot] = *kept;
    }
    if (n->sub_arena != NULL) {
        arena_destroy(n->sub_arena);
    }
    if ((n->sub_arena = arena_create(es->a, 0, "lateral subquery")) == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    Arena *saved = es->a;
    es->a = n->sub_arena;
    int rc = exec_build(es, p->right, corr, &n->right, err);
    es->a = saved;
    n->left_matched = false;
    return rc;
}

/* PostgreSQL's Nested Loop over a LATERAL subquery: for each left row the
 * subquery runs with the row's values in its correlation slots; each of its
 * rows that passes the qual joins the left row. A LEFT join emits the left
 * row with NULLs when none does. */
static int lateral_join_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    ExecState *es = n->es;
    int lw = p->left->column_count, rw = p->right->column_count;
    int rc;
    for (;;) {
        if (!n->started) {
            Value *l;
            if ((rc = n->left->next(n->left, &l, err)) != STRATA_OK) {
                return rc;
            }
            if (l == NULL) {
                if (n->sub_arena != NULL) {
                    arena_destroy(n->sub_arena);
                    n->sub_arena = NULL;
                }
                *row = NULL;
                return STRATA_OK;
            }
            if ((rc = lateral_start(n, l, err)) != STRATA_OK) {
                return rc;
            }
            n->started = true;
        }
        Value *r;
        Arena *saved = es->a;
        es->a = n->sub_arena;
        rc = n->right->next(n->right, &r, err);
        es->a = saved;
        if (rc != STRATA_OK) {
            return rc;
        }
        if (r == NULL) {
            n->started = false;
            if (p->join_type == JOIN_TYPE_LEFT && !n->left_matched) {
                for (int c = 0; c < lw; c++) {
                    n->row[c] = n->left_row[c];
                }
                for (int c = 0; c < rw; c++) {
                    n->row[lw + c] = value_null(p->column_types[lw + c]);
                }
                *row = n->row;
                return STRATA_OK;
            }
            continue;
        }
        for (int c = 0; c < lw; c++) {
            n->row[c] = n->left_row[c];
        }
        for (int c = 0; c < rw; c++) {
            n->row[lw + c] = r[c];
        }
        bool pass = true;
        if (p->qual != NULL) {
            EvalCtx ctx = ctx_of(n, n->row);
            if ((rc = eval_qual(p->qual, &ctx, &pass, err)) != STRATA_OK) {
                return rc;
            }
        }
        if (pass) {
            n->left_matched = true;
            *row = n->row;
            return exec_check_interrupt(es, err);
        }
    }
}

/* ---- materialization helpers ----------------------------------------------------------- */

static int drain(ExecNode *child, ExecState *es, RowList *list, int width, Error *err)
{
    for (;;) {
        Value *row;
        int rc = child->next(child, &row, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (row == NULL) {
            return STRATA_OK;
        }
        Value *copy = row_copy(es->a, row, width);
        if (copy == NULL || row_list_push(es->a, list, copy) != STRATA_OK) {
            return nomem_es(es, err);
        }
        if ((rc = exec_check_work_mem(es, err)) != STRATA_OK) {
            return rc;
        }
    }
}

static int emit_materialized(ExecNode *n, Value **row)
{
    if (n->pos >= n->rows.count) {
        *row = NULL;
    } else {
        *row = n->rows.rows[n->pos++];
    }
    return STRATA_OK;
}

/* ---- joins ------------------------------------------------------------------------------ */

static int join_keys(ExecNode *n, Expr **keys, const Value *row, Value *out, bool *has_null, Error *err)
{
    EvalCtx ctx = ctx_of(n, row);
    *has_null = false;
    for (int k = 0; k < n->p->key_count; k++) {
        int rc = eval_expr(keys[k], &ctx, &out[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (out[k].is_null) {
            *has_null = true;
        }
    }
    return STRATA_OK;
}

/* Hashes the build rows in n->rows on the right keys (tables in arena a). */
static int join_hash_rows(ExecNode *n, Arena *a, Error *err)
{
    const PlanNode *p = n->p;
    n->matched = arena_zalloc(a, n->rows.count + 1);
    if (n->matched == NULL) {
        return arena_error(a, err);
    }
    n->build_has_null = false;
    if (p->key_count == 0) {
        return STRATA_OK;
    }
    n->bucket_count = 16;
    while (n->bucket_count < n->rows.count * 2) {
        n->bucket_count *= 2;
    }
    n->heads = arena_alloc(a, sizeof(int) * n->bucket_count);
    n->chain = arena_alloc(a, sizeof(int) * (n->rows.count + 1));
    n->hashes = arena_alloc(a, sizeof(uint64_t) * (n->rows.count + 1));
    if (n->heads == NULL || n->chain == NULL || n->hashes == NULL) {
        return arena_error(a, err);
    }
    memset(n->heads, 0xff, sizeof(int) * n->bucket_count);
    Value keys[32];
    for (size_t r = 0; r < n->rows.count; r++) {
        bool has_null;
        int rc = join_keys(n, p->right_keys, n->rows.rows[r], keys, &has_null, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        n->chain[r] = -1;
        if (has_null) {
            n->build_has_null = true;
            continue;
        }
        uint64_t h = row_hash(keys, p->key_count);
        n->hashes[r] = h;
        size_t bucket = h & (n->bucket_count - 1);
        n->chain[r] = n->heads[bucket];
        n->heads[bucket] = (int)r;
    }
    return STRATA_OK;
}

/* ---- hash join spill (grace hash join) ------------------------------------------------------ */

/* Past work_mem, both inputs are split by their key hash into partitions in
 * temporary files (sort_spill.c), which are then joined one at a time; a
 * partition whose build rows are still too many is split again, with other
 * hash bits, up to HASH_SPILL_LEVELS deep (then 53200 stays the bound). Rows
 * with a NULL key go to some partition like the others and never match, so
 * outer joins still emit them. NOT IN (null_aware_anti) depends on the whole
 * build side (empty, or holding a NULL key): the build counts its rows and
 * notes a NULL key as it reads them (HashSpill.build_rows, build_null), so a
 * batch answers as the whole side would. */
enum { HASH_SPILL_FANOUT = 16, HASH_SPILL_LEVELS = 4 };

typedef struct HashPart {
    SortSpill *build;      /* hash join: build rows; aggregate: input rows */
    SortSpill *probe;      /* hash join: probe rows */
    int level;
} HashPart;

typedef struct HashSpill {
    Arena *arena;          /* the current batch: rows, hash table, matched flags */
    HashPart *parts;       /* partitions waiting (a stack) */
    int part_count;
    int part_capacity;
    SortSpill *probe;      /* the current batch's probe rows; NULL: the left child */
    bool spilled;
    uint64_t batches;
    uint64_t disk_bytes;
    size_t peak_bytes;
    /* NOT IN (null_aware_anti) over the whole build side, not one batch's: how
     * many build rows there were, and whether a key of one was NULL. */
    uint64_t build_rows;
    bool build_null;
} HashSpill;

static size_t hash_mem_limit(const ExecState *es)
{
    return es->env->work_mem_bytes > 0 ? es->env->work_mem_bytes : (size_t)64 << 20;
}

static int hash_part_of(uint64_t h, int level)
{
    return (int)((h >> (40 + 4 * level)) & (HASH_SPILL_FANOUT - 1));
}

/* Pushes HASH_SPILL_FANOUT new partitions of level onto the stack; *first is
 * the first of them (valid until the next push). */
static int hash_parts_open(ExecNode *n, int level, int build_width, int probe_width,
                           HashPart **first, Error *err)
{
    ExecState *es = n->es;
    HashSpill *hs = n->hspill;
    if (hs->part_count + HASH_SPILL_FANOUT > hs->part_capacity) {
        int cap = hs->part_capacity * 2 + HASH_SPILL_FANOUT;
        HashPart *parts = arena_zalloc(es->root, sizeof(HashPart) * (size_t)cap);
        if (parts == NULL) {
            return arena_error(es->root, err);
        }
        if (hs->part_count > 0) {
            memcpy(parts, hs->parts, sizeof(HashPart) * (size_t)hs->part_count);
        }
        hs->parts = parts;
        hs->part_capacity = cap;
    }
    *first = &hs->parts[hs->part_count];
    for (int k = 0; k < HASH_SPILL_FANOUT; k++) {
        HashPart *part = &(*first)[k];
        memset(part, 0, sizeof(*part));
        part->level = level;
        int rc = spill_file_open(es, build_width, &part->build, err);
        if (rc == STRATA_OK && probe_width > 0) {
            rc = spill_file_open(es, probe_width, &part->probe, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    hs->part_count += HASH_SPILL_FANOUT;
    hs->batches += HASH_SPILL_FANOUT;
    return STRATA_OK;
}

/* The key hash of a row (keys evaluated over it). */
static int join_row_hash(ExecNode *n, Expr **keys, const Value *row, uint64_t *h, Error *err)
{
    Value k[32];
    bool has_null;
    int rc = join_keys(n, keys, row, k, &has_null, err);
    *h = rc == STRATA_OK ? row_hash(k, n->p->key_count) : 0;
    return rc;
}

static int join_spill_row(ExecNode *n, HashPart *parts, bool build, const Value *row, Error *err)
{
    uint64_t h;
    int rc = join_row_hash(n, build ? n->p->right_keys : n->p->left_keys, row, &h, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    HashPart *part = &parts[hash_part_of(h, parts[0].level)];
    rc = spill_file_append(build ? part->build : part->probe, row, err);
    exec_scratch_reset(n->es);
    return rc;
}

/* Moves the batch's rows to new partitions of level (the batch is emptied). */
static int join_spill_batch(ExecNode *n, int level, HashPart **parts, Error *err)
{
    HashSpill *hs = n->hspill;
    int rc = hash_parts_open(n, level, n->p->right->column_count, n->p->left->column_count, parts,
                             err);
    for (size_t r = 0; rc == STRATA_OK && r < n->rows.count; r++) {
        rc = join_spill_row(n, *parts, true, n->rows.rows[r], err);
    }
    size_t used = arena_used_bytes(hs->arena);
    hs->peak_bytes = used > hs->peak_bytes ? used : hs->peak_bytes;
    arena_reset(hs->arena);
    n->rows = (RowList){0};
    return rc;
}

/* Keeps build row r in the batch; *over when the batch passed work_mem. A
 * batch that can be split no more is bounded by the statement's memory cap (53200). */
static int join_keep_row(ExecNode *n, const Value *r, bool can_split, bool *over, Error *err)
{
    HashSpill *hs = n->hspill;
    Value *copy = row_copy(hs->arena, r, n->p->right->column_count);
    if (copy == NULL || row_list_push(hs->arena, &n->rows, copy) != STRATA_OK) {
        return arena_error(hs->arena, err);
    }
    *over = arena_used_bytes(hs->arena) > hash_mem_limit(n->es);
    return can_split ? STRATA_OK : exec_check_work_mem(n->es, err);
}

static void join_spill_stats(ExecNode *n)
{
    HashSpill *hs = n->hspill;
    size_t used = arena_used_bytes(hs->arena);
    hs->peak_bytes = used > hs->peak_bytes ? used : hs->peak_bytes;
    if (n->es->stats != NULL && hs->spilled) {
        NodeStats *st = &n->es->stats[n->p->id];
        st->hash_batches = hs->batches;
        st->hash_memory_bytes = hs->peak_bytes;
        st->hash_disk_bytes = hs->disk_bytes;
    }
}

/* Loads the next partition as the batch: its build rows hashed, its probe
 * rows the input of the probe loop; a partition still too big is split
 * again. *done when none is left. */
static int join_next_batch(ExecNode *n, bool *done, Error *err)
{
    HashSpill *hs = n->hspill;
    int rc;
    spill_file_close(hs->probe);
    hs->probe = NULL;
    while (hs->part_count > 0) {
        HashPart part = hs->parts[--hs->part_count];
        if (spill_file_rows(part.build) == 0 && spill_file_rows(part.probe) == 0) {
            spill_file_close(part.build);
            spill_file_close(part.probe);
            continue;
        }
        arena_reset(hs->arena);
        n->rows = (RowList){0};
        hs->disk_bytes += sort_spill_bytes(part.build) + sort_spill_bytes(part.probe);
        if ((rc = spill_file_rewind(part.build, err)) != STRATA_OK ||
            (rc = spill_file_rewind(part.probe, err)) != STRATA_OK) {
            return rc;
        }
        HashPart *split = NULL;
        Value *r;
        while ((rc = spill_file_next(part.build, &r, err)) == STRATA_OK && r != NULL) {
            bool over = false;
            if (split != NULL) {
                rc = join_spill_row(n, split, true, r, err);
            } else if ((rc = join_keep_row(n, r, part.level + 1 < HASH_SPILL_LEVELS, &over,
                                           err)) == STRATA_OK &&
                       over && part.level + 1 < HASH_SPILL_LEVELS) {
                rc = join_spill_batch(n, part.level + 1, &split, err);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        spill_file_close(part.build);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (split == NULL) {
            hs->probe = part.probe;
            *done = false;
            join_spill_stats(n);
            return join_hash_rows(n, hs->arena, err);
        }
        while ((rc = spill_file_next(part.probe, &r, err)) == STRATA_OK && r != NULL) {
            if ((rc = join_spill_row(n, split, false, r, err)) != STRATA_OK) {
                return rc;
            }
        }
        spill_file_close(part.probe);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    *done = true;
    join_spill_stats(n);
    return STRATA_OK;
}

/* The next probe row: from the current partition once spilled. */
static int join_left_next(ExecNode *n, Value **l, Error *err)
{
    if (n->hspill != NULL && n->hspill->spilled) {
        *l = NULL;
        return n->hspill->probe != NULL ? spill_file_next(n->hspill->probe, l, err) : STRATA_OK;
    }
    return n->left->next(n->left, l, err);
}

/* After the last probe row of a batch: true when another batch follows. */
static int join_more_batches(ExecNode *n, bool *more, Error *err)
{
    *more = false;
    if (n->hspill == NULL || !n->hspill->spilled) {
        return STRATA_OK;
    }
    bool done;
    int rc = join_next_batch(n, &done, err);
    *more = rc == STRATA_OK && !done;
    return rc;
}

/* Drains the build side into the batch arena; past work_mem moves to
 * partitions and sends both inputs there (then loads the first). */
static int join_build_spilling(ExecNode *n, Error *err)
{
    ExecState *es = n->es;
    HashSpill *hs = arena_zalloc(es->a, sizeof(HashSpill));
    if (hs == NULL || (hs->arena = arena_create(es->a, 0, "hash join batch")) == NULL) {
        return nomem_es(es, err);
    }
    n->hspill = hs;
    HashPart *parts = NULL;
    int rc;
    if (vec_build_input_applies(es, n->p) && (rc = vec_build_input_start(n, err)) != STRATA_OK) {
        return rc;
    }
    for (;;) {
        Value *r;
        bool handled = false;
        if (n->vbuild != NULL && (rc = vec_build_input_next(n, &r, &handled, err)) != STRATA_OK) {
            return rc;
        }
        if (!handled && (rc = n->right->next(n->right, &r, err)) != STRATA_OK) {
            return rc;
        }
        if (r == NULL) {
            break;
        }
        if (n->p->null_aware_anti) {
            Value keys[32];
            bool has_null;
            if ((rc = join_keys(n, n->p->right_keys, r, keys, &has_null, err)) != STRATA_OK) {
                return rc;
            }
            hs->build_rows++;
            hs->build_null |= has_null;
        }
        bool over = false;
        if (parts != NULL) {
            rc = join_spill_row(n, parts, true, r, err);
        } else if ((rc = join_keep_row(n, r, true, &over, err)) == STRATA_OK && over) {
            rc = join_spill_batch(n, 0, &parts, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (parts == NULL) {
        join_spill_stats(n);
        return join_hash_rows(n, hs->arena, err);
    }
    for (;;) {
        Value *l;
        if ((rc = n->left->next(n->left, &l, err)) != STRATA_OK) {
            return rc;
        }
        if (l == NULL) {
            break;
        }
        if ((rc = join_spill_row(n, parts, false, l, err)) != STRATA_OK) {
            return rc;
        }
    }
    hs->spilled = true;
    bool done;
    rc = join_next_batch(n, &done, err);
    if (rc == STRATA_OK && done) {
        n->rows = (RowList){0}; /* every partition was empty */
        rc = join_hash_rows(n, hs->arena, err);
    }
    return rc;
}

static int join_build(ExecNode *n, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    if (p->key_count > 0 && es->sub_depth == 0) {
        return join_build_spilling(n, err);
    }
    int rc = drain(n->right, es, &n->rows, p->right->column_count, err);
    return rc == STRATA_OK ? join_hash_rows(n, es->a, err) : rc;
}

static int join_emit(ExecNode *n, const Value *left, const Value *right)
{
    int lw = n->p->left->column_count, rw = n->p->right->column_count;
    for (int c = 0; c < lw; c++) {
        n->row[c] = left ? left[c] : value_null(n->p->column_types[c]);
    }
    for (int c = 0; c < rw; c++) {
        n->row[lw + c] = right ? right[c] : value_null(n->p->column_types[lw + c]);
    }
    return STRATA_OK;
}

/* After the build: the probe reads the left scan's batches (vec_probe.c) when
 * the build side stayed in memory and the probe applies; EXPLAIN ANALYZE then
 * marks the join's Batch Mode. Shared by join_next and semi_next. */
static int join_probe_batches(ExecNode *n, Error *err)
{
    const PlanNode *p = n->p;
    if ((n->hspill == NULL || !n->hspill->spilled) && vec_probe_applies(n->es, p)) {
        int rc = vec_probe_start(n, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (n->vprobe != NULL && n->es->stats != NULL && p->id >= 0 &&
        p->id < n->es->plan->node_count) {
        n->es->stats[p->id].batch_mode = true;
    }
    return STRATA_OK;
}

static int join_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    int rc;
    if (!n->started) {
        n->started = true;
        if ((rc = join_build(n, err)) != STRATA_OK) {
            return rc;
        }
        n->left_row = NULL;
        if ((rc = join_probe_batches(n, err)) != STRATA_OK) {
            return rc;
        }
    }
    if (n->vprobe != NULL) {
        bool handled;
        rc = vec_probe_next(n, row, &handled, err);
        if (rc == STRATA_OK && handled && *row == NULL &&
            (p->join_type == JOIN_TYPE_RIGHT || p->join_type == JOIN_TYPE_FULL)) {
            /* The probe rows are done: the unmatched build rows follow. */
            n->vprobe = NULL;
            n->emitting_unmatched = true;
            n->pos = 0;
            handled = false;
        }
        if (rc != STRATA_OK || handled) {
            return rc;
        }
        if (n->es->stats != NULL && p->id >= 0 && p->id < n->es->plan->node_count &&
            !n->emitting_unmatched) {
            n->es->stats[p->id].batch_mode = false;
        }
    }
    int lw = p->left->column_count;
    Value lkeys[32];
    for (;;) {
        if (n->emitting_unmatched) {
            while (n->pos < n->rows.count && n->matched[n->pos]) {
                n->pos++;
            }
            if (n->pos >= n->rows.count) {
                bool more;
                if ((rc = join_more_batches(n, &more, err)) != STRATA_OK) {
                    return rc;
                }
                if (more) {
                    n->emitting_unmatched = false;
                    continue;
                }
                *row = NULL;
                return STRATA_OK;
            }
            join_emit(n, NULL, n->rows.rows[n->pos++]);
            *row = n->row;
            return STRATA_OK;
        }
        if (n->left_row == NULL) {
            Value *l;
            if ((rc = join_left_next(n, &l, err)) != STRATA_OK) {
                return rc;
            }
            if (l == NULL) {
                if (p->join_type == JOIN_TYPE_RIGHT || p->join_type == JOIN_TYPE_FULL) {
                    n->emitting_unmatched = true;
                    n->pos = 0;
                    continue;
                }
                bool more;
                if ((rc = join_more_batches(n, &more, err)) != STRATA_OK) {
                    return rc;
                }
                if (more) {
                    continue;
                }
                *row = NULL;
                return STRATA_OK;
            }
            if (n->row_arena == NULL && (n->row_arena = arena_create(n->es->a, 0, "join row")) == NULL) {
                return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
            }
            arena_reset(n->row_arena);
            n->left_row = row_copy(n->row_arena, l, lw);
            if (n->left_row == NULL) {
                return nomem_es(n->es, err);
            }
            n->left_matched = false;
            if (p->key_count > 0) {
                bool has_null;
                if ((rc = join_keys(n, p->left_keys, n->left_row, lkeys, &has_null, err)) != STRATA_OK) {
                    return rc;
                }
                if (has_null) {
                    n->probe_pos = -1;
                } else {
                    uint64_t h = row_hash(lkeys, p->key_count);
                    n->probe_pos = n->heads[h & (n->bucket_count - 1)];
                    n->hashes[n->rows.count] = h;
                }
            } else {
                n->probe_pos = n->rows.count > 0 ? 0 : -1;
            }
        }
        while (n->probe_pos >= 0) {
            int r = n->probe_pos;
            const Value *right = n->rows.rows[r];
            if (p->key_count > 0) {
                n->probe_pos = n->chain[r];
                if (n->hashes[r] != n->hashes[n->rows.count]) {
                    continue;
                }
                Value rkeys[32];
                bool has_null;
                if ((rc = join_keys(n, p->left_keys, n->left_row, lkeys, &has_null, err)) != STRATA_OK ||
                    (rc = join_keys(n, p->right_keys, right, rkeys, &has_null, err)) != STRATA_OK) {
                    return rc;
                }
                if (!rows_equal_nulls(lkeys, rkeys, p->key_count)) {
                    continue;
                }
            } else {
                n->probe_pos = (size_t)(r + 1) < n->rows.count ? r + 1 : -1;
            }
            join_emit(n, n->left_row, right);
            bool pass = true;
            if (p->qual != NULL) {
                EvalCtx ctx = ctx_of(n, n->row);
                if ((rc = eval_qual(p->qual, &ctx, &pass, err)) != STRATA_OK) {
                    return rc;
                }
            }
            if (!pass) {
                continue;
            }
            n->left_matched = true;
            n->matched[r] = true;
            *row = n->row;
            return STRATA_OK;
        }
        const Value *left = n->left_row;
        n->left_row = NULL;
        if (!n->left_matched && (p->join_type == JOIN_TYPE_LEFT || p->join_type == JOIN_TYPE_FULL)) {
            join_emit(n, left, NULL);
            *row = n->row;
            return STRATA_OK;
        }
    }
}

/* Whether left row l has a partner among the build rows (semi and anti
 * joins: keys only, no residual qual). A NULL key matches nothing, except
 * that under NOT IN (null_aware_anti) it counts as a match against a
 * non-empty build side: x NOT IN (rows) is then NULL, never true. */
static int semi_probe(ExecNode *n, const Value *l, bool *matched, Error *err)
{
    const PlanNode *p = n->p;
    Value lkeys[32], rkeys[32];
    bool has_null;
    *matched = false;
    if (p->key_count == 0) {
        *matched = n->rows.count > 0;
        return STRATA_OK;
    }
    int rc = join_keys(n, p->left_keys, l, lkeys, &has_null, err);
    if (rc != STRATA_OK || has_null) {
        *matched = rc == STRATA_OK && p->null_aware_anti &&
                   (n->rows.count > 0 || (n->hspill != NULL && n->hspill->build_rows > 0));
        return rc;
    }
    uint64_t h = row_hash(lkeys, p->key_count);
    for (int r = n->heads[h & (n->bucket_count - 1)]; r >= 0; r = n->chain[r]) {
        if (n->hashes[r] != h) {
            continue;
        }
        if ((rc = join_keys(n, p->right_keys, n->rows.rows[r], rkeys, &has_null, err)) != STRATA_OK) {
            return rc;
        }
        if (rows_equal_nulls(lkeys, rkeys, p->key_count)) {
            *matched = true;
            return STRATA_OK;
        }
    }
    return STRATA_OK;
}

/* Hash Semi Join (each left row once, when it has a match) and Hash Anti
 * Join (each left row without one); the output is the left row. */
static int semi_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    int rc;
    ST_ASSERT(p->qual == NULL);
    if (!n->started) {
        n->started = true;
        if ((rc = join_build(n, err)) != STRATA_OK) {
            return rc;
        }
    }
    bool is_anti = p->join_type == JOIN_TYPE_ANTI;
    if (p->null_aware_anti &&
        (n->build_has_null || (n->hspill != NULL && n->hspill->build_null))) {
        *row = NULL; /* x NOT IN (..., NULL, ...) is never true */
        return STRATA_OK;
    }
    if (!n->vprobe_tried) {
        n->vprobe_tried = true;
        if ((rc = join_probe_batches(n, err)) != STRATA_OK) {
            return rc;
        }
    }
    if (n->vprobe != NULL) {
        bool handled;
        rc = vec_semi_next(n, row, &handled, err);
        if (rc != STRATA_OK || handled) {
            return rc;
        }
        if (n->es->stats != NULL && p->id >= 0 && p->id < n->es->plan->node_count) {
            n->es->stats[p->id].batch_mode = false;
        }
    }
    for (;;) {
        Value *l;
        if ((rc = join_left_next(n, &l, err)) != STRATA_OK) {
            return rc;
        }
        if (l == NULL) {
            bool more;
            if ((rc = join_more_batches(n, &more, err)) != STRATA_OK) {
                return rc;
            }
            if (more) {
                continue;
            }
            *row = NULL;
            return STRATA_OK;
        }
        bool matched;
        if ((rc = semi_probe(n, l, &matched, err)) != STRATA_OK) {
            return rc;
        }
        if (matched != is_anti) {
            *row = l;
            return STRATA_OK;
        }
    }
}

/* ---- index nested loop ------------------------------------------------------------------ */

/* Ends the cursor of the previous right side's parameterized scan. */
static void nestloop_close_inner(ExecNode *n)
{
    ExecNode *s = n->param_scan;
    if (s == NULL) {
        return;
    }
    if (s->scan != NULL) {
        tam_scan_end(s->p->table->am, s->scan);
        s->scan = NULL;
    }
    if (s->iscan != NULL) {
        s->p->index->am->scan_end(s->iscan);
        s->iscan = NULL;
    }
    n->param_scan = NULL;
}

/* Keeps left row l (and the keys rechecked per pair) in row_arena. A NULL
 * key matches no inner row: the inner side is then not run. */
static int nestloop_keep_left(ExecNode *n, const Value *l, Error *err)
{
    const PlanNode *p = n->p;
    if (n->row_arena == NULL && (n->row_arena = arena_create(n->es->a, 0, "join row")) == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    arena_reset(n->row_arena);
    n->left_row = row_copy(n->row_arena, l, p->left->column_count);
    if (n->left_row == NULL) {
        return arena_error(n->row_arena, err);
    }
    n->skip_inner = false;
    if (p->key_count > 0) {
        Value keys[32];
        int rc = join_keys(n, p->left_keys, n->left_row, keys, &n->skip_inner, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if ((n->left_key_values = row_copy(n->row_arena, keys, p->key_count)) == NULL) {
            return arena_error(n->row_arena, err);
        }
    }
    return STRATA_OK;
}

/* Builds the right side afresh for the kept left row, in sub_arena (its
 * blocks reused from row to row), with its scan's bounds reading the row. */
static int nestloop_start_inner(ExecNode *n, Error *err)
{
    ExecState *es = n->es;
    nestloop_close_inner(n);
    if (n->sub_arena == NULL) {
        if ((n->sub_arena = arena_create(es->a, 0, "nested loop inner")) == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    } else {
        arena_reset_keep(n->sub_arena);
    }
    Arena *saved = es->a;
    es->a = n->sub_arena;
    int rc = exec_build(es, n->p->right, n->corr, &n->right, err);
    es->a = saved;
    if (rc != STRATA_OK) {
        return rc;
    }
    ExecNode *s = n->right;
    while (s != NULL && !s->p->bounds_read_outer) {
        s = s->left;
    }
    ST_ASSERT(s != NULL);
    s->outer_row = n->left_row;
    n->param_scan = s;
    return STRATA_OK;
}

/* Right row r against the kept left row: the remaining keys, then the qual
 * over the joined row (inner and left joins; semi and anti joins have none). */
static int nestloop_pair_passes(ExecNode *n, const Value *r, bool *pass, Error *err)
{
    const PlanNode *p = n->p;
    *pass = true;
    if (p->key_count > 0) {
        Value rkeys[32];
        bool has_null;
        int rc = join_keys(n, p->right_keys, r, rkeys, &has_null, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        *pass = !has_null && rows_equal_nulls(n->left_key_values, rkeys, p->key_count);
    }
    bool is_wide = p->join_type == JOIN_TYPE_INNER || p->join_type == JOIN_TYPE_LEFT;
    if (*pass && is_wide) {
        join_emit(n, n->left_row, r);
    }
    if (*pass && p->qual != NULL) {
        ST_ASSERT(is_wide);
        EvalCtx ctx = ctx_of(n, n->row);
        return eval_qual(p->qual, &ctx, pass, err);
    }
    return STRATA_OK;
}

/* PostgreSQL's Nested Loop with a parameterized inner Index Scan: for each
 * left row the right side runs again, reading only the rows whose index key
 * equals the row's key values. Inner and left joins emit the joined pairs
 * (a left row without one with NULLs); semi joins a left row at its first
 * match, anti joins one without any. */
static int nestloop_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    ExecState *es = n->es;
    bool is_semi = p->join_type == JOIN_TYPE_SEMI, is_anti = p->join_type == JOIN_TYPE_ANTI;
    int rc;
    for (;;) {
        if (!n->started) {
            Value *l;
            if ((rc = n->left->next(n->left, &l, err)) != STRATA_OK) {
                return rc;
            }
            if (l == NULL) {
                nestloop_close_inner(n);
                *row = NULL;
                return STRATA_OK;
            }
            if ((rc = nestloop_keep_left(n, l, err)) != STRATA_OK ||
                (!n->skip_inner && (rc = nestloop_start_inner(n, err)) != STRATA_OK)) {
                return rc;
            }
            n->started = true;
            n->left_matched = false;
        }
        Value *r = NULL;
        if (!n->skip_inner) {
            Arena *saved = es->a;
            es->a = n->sub_arena;
            rc = n->right->next(n->right, &r, err);
            es->a = saved;
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        if (r == NULL) {
            n->started = false;
            if (n->left_matched || (p->join_type != JOIN_TYPE_LEFT && !is_anti)) {
                continue;
            }
            if (!is_anti) {
                join_emit(n, n->left_row, NULL);
            }
            *row = is_anti ? n->left_row : n->row;
            return STRATA_OK;
        }
        bool pass;
        if ((rc = nestloop_pair_passes(n, r, &pass, err)) != STRATA_OK) {
            return rc;
        }
        if (!pass) {
            continue;
        }
        n->left_matched = true;
        if (is_semi || is_anti) {
            n->started = false;
            if (is_anti) {
                continue;
            }
        }
        *row = is_semi ? n->left_row : n->row;
        return exec_check_interrupt(es, err);
    }
}

/* ---- aggregate ------------------------------------------------------------------------- */

/* DISTINCT inputs of one aggregate in one group: an open-addressing hash set of the argument
 * rows already stepped (a linear scan made count(DISTINCT x) quadratic per group). */
typedef struct DistinctSet {
    Value **rows;
    uint64_t *hashes;
    size_t cap; /* power of two, or 0 before the first insert */
    size_t count;
} DistinctSet;

typedef struct Group {
    Value *keys;
    void **states;
    DistinctSet *distinct_seen; /* per aggregate (DISTINCT) */
    RowList *sorted_input;      /* per aggregate with ORDER BY or WITHIN GROUP: buffered inputs */
} Group;

static bool agg_needs_sort(const AggCall *a)
{
    return a->match.def->is_ordered_set || a->order_count > 0;
}

/* A group: its keys, and one block holding the Group, the state pointers and every
 * aggregate's state (a million groups of count(*) take about 100 bytes each). The
 * DISTINCT sets and ORDER BY buffers exist only when an aggregate needs them. */
static int agg_group_new(ExecNode *n, const Value *keys, Group **out, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    size_t states_at = (sizeof(Group) + 15) & ~(size_t)15;
    size_t size = states_at + ((sizeof(void *) * (size_t)(p->agg_count + 1) + 15) & ~(size_t)15);
    bool distinct = false, sorted = false;
    for (int k = 0; k < p->agg_count; k++) {
        if (p->aggs[k]->is_grouping) {
            continue; /* GROUPING(): no state */
        }
        size += (p->aggs[k]->match.def->state_size + 15) & ~(size_t)15;
        distinct |= p->aggs[k]->is_distinct;
        sorted |= agg_needs_sort(p->aggs[k]);
    }
    char *block = arena_zalloc(es->a, size);
    if (block == NULL) {
        return nomem_es(es, err);
    }
    Group *g = (Group *)block;
    g->states = (void **)(block + states_at);
    size_t at = states_at + ((sizeof(void *) * (size_t)(p->agg_count + 1) + 15) & ~(size_t)15);
    for (int k = 0; k < p->agg_count; k++) {
        const AggMatch *m = &p->aggs[k]->match;
        if (p->aggs[k]->is_grouping) {
            continue;
        }
        g->states[k] = block + at;
        at += (m->def->state_size + 15) & ~(size_t)15;
        agg_init(m, g->states[k]);
    }
    if ((distinct &&
         (g->distinct_seen = arena_zalloc(es->a, sizeof(DistinctSet) * (size_t)(p->agg_count + 1))) == NULL) ||
        (sorted &&
         (g->sorted_input = arena_zalloc(es->a, sizeof(RowList) * (size_t)(p->agg_count + 1))) == NULL)) {
        return nomem_es(es, err);
    }
    g->keys = keys ? row_copy(es->a, keys, p->group_count) : NULL;
    if (keys != NULL && g->keys == NULL) {
        return nomem_es(es, err);
    }
    *out = g;
    return STRATA_OK;
}

/* Inserts row (count values) unless an equal row is present; *dup tells which. The kept copy
 * is returned in *kept (arena-owned). */
static int distinct_insert(ExecState *es, DistinctSet *set, const Value *row, int count, bool *dup,
                           Value **kept, Error *err)
{
    if (set->count * 2 >= set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        Value **rows = arena_zalloc(es->a, sizeof(Value *) * cap);
        uint64_t *hashes = arena_alloc(es->a, sizeof(uint64_t) * cap);
        if (rows == NULL || hashes == NULL) {
            return nomem_es(es, err);
        }
        for (size_t i = 0; i < set->cap; i++) {
            if (set->rows[i] != NULL) {
                size_t j = set->hashes[i] & (cap - 1);
                while (rows[j] != NULL) {
                    j = (j + 1) & (cap - 1);
                }
                rows[j] = set->rows[i];
                hashes[j] = set->hashes[i];
            }
        }
        set->rows = rows;
        set->hashes = hashes;
        set->cap = cap;
    }
    uint64_t h = row_hash(row, count);
    size_t j = h & (set->cap - 1);
    while (set->rows[j] != NULL) {
        if (set->hashes[j] == h && rows_equal_nulls(set->rows[j], row, count)) {
            *dup = true;
            return STRATA_OK;
        }
        j = (j + 1) & (set->cap - 1);
    }
    Value *copy = row_copy(es->a, row, count);
    if (copy == NULL) {
        return nomem_es(es, err);
    }
    set->rows[j] = copy;
    set->hashes[j] = h;
    set->count++;
    *dup = false;
    *kept = copy;
    return STRATA_OK;
}

static int agg_step_row(ExecNode *n, Group *g, const Value *row, Error *err)
{
    const PlanNode *p = n->p;
    EvalCtx ctx = ctx_of(n, row);
    for (int k = 0; k < p->agg_count; k++) {
        const AggCall *a = p->aggs[k];
        int rc;
        if (a->is_grouping) {
            continue;
        }
        if (a->filter != NULL) {
            bool pass;
            if ((rc = eval_qual(a->filter, &ctx, &pass, err)) != STRATA_OK) {
                return rc;
            }
            if (!pass) {
                continue;
            }
        }
        Value args[AGG_PARAMS_MAX + 2];
        bool has_null = false;
        int nargs = a->match.def->is_ordered_set ? 1 : a->arg_count;
        for (int j = 0; j < nargs; j++) {
            if ((rc = eval_expr(a->args[j], &ctx, &args[j], err)) != STRATA_OK) {
                return rc;
            }
            has_null |= args[j].is_null;
        }
        if (has_null && (a->match.def->strict || a->match.def->is_ordered_set)) {
            continue;
        }
        if (a->is_distinct) {
            bool dup;
            Value *copy = NULL;
            if ((rc = distinct_insert(n->es, &g->distinct_seen[k], args, nargs, &dup, &copy, err)) != STRATA_OK) {
                return rc;
            }
            if (dup) {
                continue;
            }
            memcpy(args, copy, sizeof(Value) * (size_t)nargs);
        }
        if (agg_needs_sort(a)) {
            /* Buffer [args..., order keys..., arrival number]; sorted and stepped at finish. */
            int nkeys = a->match.def->is_ordered_set ? 0 : a->order_count;
            Value *buf = arena_alloc(n->es->a, sizeof(Value) * (size_t)(nargs + nkeys + 1));
            if (buf == NULL) {
                return nomem_es(n->es, err);
            }
            memcpy(buf, args, sizeof(Value) * (size_t)nargs);
            for (int j = 0; j < nkeys; j++) {
                if ((rc = eval_expr(a->order[j], &ctx, &buf[nargs + j], err)) != STRATA_OK) {
                    return rc;
                }
            }
            Value *copy = row_copy(n->es->a, buf, nargs + nkeys);
            if (copy == NULL) {
                return nomem_es(n->es, err);
            }
            memcpy(buf, copy, sizeof(Value) * (size_t)(nargs + nkeys));
            buf[nargs + nkeys] = (Value){.i64 = (int64_t)g->sorted_input[k].count};
            if (row_list_push(n->es->a, &g->sorted_input[k], buf) != STRATA_OK) {
                return nomem_es(n->es, err);
            }
            if ((rc = exec_check_work_mem(n->es, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        FuncContext keep = keep_fctx(n->es);
        if ((rc = agg_step(&a->match, g->states[k], args, &keep, err)) != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

typedef struct AggSortCtx {
    const AggCall *a;
    int nargs;
} AggSortCtx;

/* The SQL order of two buffered inputs: ORDER BY keys with ASC/DESC and NULLS FIRST/LAST (an
 * ordered-set aggregate sorts its one argument ascending), ties kept in arrival order. */
static int agg_sort_compare(const void *x, const void *y, void *arg)
{
    const AggSortCtx *sc = arg;
    const Value *ra = *(Value *const *)x, *rb = *(Value *const *)y;
    bool ordered_set = sc->a->match.def->is_ordered_set;
    int nkeys = ordered_set ? 1 : sc->a->order_count;
    int base = ordered_set ? 0 : sc->nargs;
    for (int k = 0; k < nkeys; k++) {
        const Value *va = &ra[base + k], *vb = &rb[base + k];
        bool desc = !ordered_set && sc->a->order_desc[k];
        bool nulls_first = !ordered_set && sc->a->order_nulls_first[k];
        if (va->is_null || vb->is_null) {
            if (va->is_null && vb->is_null) {
                continue;
            }
            int cmp = va->is_null ? 1 : -1;
            return nulls_first ? -cmp : cmp;
        }
        int cmp = value_compare(va, vb);
        if (cmp != 0) {
            return desc ? -cmp : cmp;
        }
    }
    int seq = sc->nargs + (ordered_set ? 0 : sc->a->order_count);
    return ra[seq].i64 < rb[seq].i64 ? -1 : ra[seq].i64 > rb[seq].i64;
}

/* Sorts the group's buffered inputs of aggregate k and steps them in that order. */
static int agg_step_sorted(ExecNode *n, Group *g, int k, Error *err)
{
    const AggCall *a = n->p->aggs[k];
    RowList *in = &g->sorted_input[k];
    AggSortCtx sc = {.a = a, .nargs = a->match.def->is_ordered_set ? 1 : a->arg_count};
    if (in->count > 1) {
        qsort_r(in->rows, in->count, sizeof(Value *), agg_sort_compare, &sc);
    }
    for (size_t r = 0; r < in->count; r++) {
        FuncContext keep = keep_fctx(n->es);
        int rc = agg_step(&a->match, g->states[k], in->rows[r], &keep, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    in->count = 0;
    return STRATA_OK;
}

/* GROUPING(args) of group g: a bit per argument, the first the most
 * significant, set when g's grouping set lacks that group column. */
static int64_t grouping_value(const PlanNode *p, const Group *g, const AggCall *a)
{
    if (p->grouping_set_count == 0 || g->keys == NULL) {
        return 0;
    }
    int64_t set = g->keys[p->group_count - 1].i64;
    uint64_t mask = set >= 0 && set < p->grouping_set_count ? p->grouping_sets[set] : 0;
    int64_t value = 0;
    for (int k = 0; k < a->arg_count; k++) {
        bool absent = !(mask & ((uint64_t)1 << a->grouping_refs[k]));
        value = (value << 1) | (absent ? 1 : 0);
    }
    return value;
}

static int agg_finish_row(ExecNode *n, Group *g, Value *out, Error *err)
{
    const PlanNode *p = n->p;
    for (int c = 0; c < p->group_count; c++) {
        out[c] = g->keys[c];
    }
    EvalCtx ctx = ctx_of(n, NULL);
    for (int k = 0; k < p->agg_count; k++) {
        const AggCall *a = p->aggs[k];
        if (a->is_grouping) {
            out[p->group_count + k] = value_i64(TYPE_INT4, grouping_value(p, g, a));
            continue;
        }
        if (agg_needs_sort(a)) {
            int rc = agg_step_sorted(n, g, k, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
        Value direct[1];
        int nd = 0;
        if (a->match.def->is_ordered_set && a->arg_count > 1) {
            int rc = eval_expr(a->args[1], &ctx, &direct[0], err);
            if (rc != STRATA_OK) {
                return rc;
            }
            nd = 1;
        }
        FuncContext keep = keep_fctx(n->es);
        int rc = agg_final(&a->match, g->states[k], direct, nd, &out[p->group_count + k], &keep, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* ---- hash aggregate spill ------------------------------------------------------------------- */

/* A GROUP BY past work_mem stops creating groups (PostgreSQL 13's hash
 * aggregation spill): an input row of a group already in the table is still
 * aggregated, a row of a new group goes to a partition file by its key hash.
 * The table's groups are emitted, then each partition is aggregated the same
 * way, its overflow split with the next hash bits (HASH_SPILL_LEVELS deep,
 * then 53200). Groups and their states live in the batch arena (es->a points
 * there while they are created, stepped and finished), freed batch by batch;
 * rows come out per batch, in first-appearance order within it. */
typedef struct AggBatch {
    int *heads;
    size_t buckets;
    int *chain;
    uint64_t *hashes;
    Group **groups;
    size_t count;
    size_t capacity;
    size_t emit_pos;
} AggBatch;

/* The group of keys (hash h) in t, NULL when there is none. */
static Group *agg_batch_find(const ExecNode *n, const AggBatch *t, const Value *keys, uint64_t h)
{
    for (int at = t->heads[h & (t->buckets - 1)]; at >= 0; at = t->chain[at]) {
        if (t->hashes[at] == h && rows_equal_nulls(t->groups[at]->keys, keys, n->p->group_count)) {
            return t->groups[at];
        }
    }
    return NULL;
}

/* A new group of keys in t (es->a is the batch arena). */
static int agg_batch_insert(ExecNode *n, AggBatch *t, const Value *keys, uint64_t h, Group **out,
                            Error *err)
{
    Arena *a = n->es->a;
    int rc = agg_group_new(n, keys, out, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (t->count == t->capacity) {
        size_t cap = t->capacity ? t->capacity * 2 : 64;
        int *chain = arena_alloc(a, sizeof(int) * cap);
        uint64_t *hashes = arena_alloc(a, sizeof(uint64_t) * cap);
        Group **groups = arena_alloc(a, sizeof(Group *) * cap);
        if (chain == NULL || hashes == NULL || groups == NULL) {
            return arena_error(a, err);
        }
        if (t->count > 0) {
            memcpy(chain, t->chain, sizeof(int) * t->count);
            memcpy(hashes, t->hashes, sizeof(uint64_t) * t->count);
            memcpy(groups, t->groups, sizeof(Group *) * t->count);
        }
        t->chain = chain;
        t->hashes = hashes;
        t->groups = groups;
        t->capacity = cap;
    }
    if (t->count >= t->buckets) {
        size_t buckets = t->buckets * 4;
        int *heads = arena_alloc(a, sizeof(int) * buckets);
        if (heads == NULL) {
            return arena_error(a, err);
        }
        memset(heads, 0xff, sizeof(int) * buckets);
        for (size_t at = 0; at < t->count; at++) {
            t->chain[at] = heads[t->hashes[at] & (buckets - 1)];
            heads[t->hashes[at] & (buckets - 1)] = (int)at;
        }
        t->heads = heads;
        t->buckets = buckets;
    }
    t->hashes[t->count] = h;
    t->groups[t->count] = *out;
    t->chain[t->count] = t->heads[h & (t->buckets - 1)];
    t->heads[h & (t->buckets - 1)] = (int)t->count;
    t->count++;
    return STRATA_OK;
}

/* One input row's keys into the batch: its group found or created, or the
 * row spilled to parts[] when the table is full (with grouping sets, as a
 * wide row: the input row and the set, which is all the partition's rows
 * count for). *parts opened on first use (level: the partitions' level). */
static int agg_batch_keys(ExecNode *n, AggBatch *t, const Value *in, const Value *keys, int set,
                          int level, bool *full, HashPart **parts, Error *err)
{
    ExecState *es = n->es;
    HashSpill *hs = n->hspill;
    const PlanNode *p = n->p;
    int width = p->left->column_count;
    int rc;
    uint64_t h = row_hash(keys, p->group_count);
    Group *g = agg_batch_find(n, t, keys, h);
    if (g == NULL && *full) {
        bool sets = p->grouping_set_count > 0;
        if (*parts == NULL &&
            (rc = hash_parts_open(n, level, width + (sets ? 1 : 0), 0, parts, err)) != STRATA_OK) {
            return rc;
        }
        if (sets) {
            memcpy(n->prev, in, sizeof(Value) * (size_t)width);
            n->prev[width] = value_i64(TYPE_INT4, set);
            in = n->prev;
        }
        return spill_file_append((*parts)[hash_part_of(h, level)].build, in, err);
    }
    Arena *saved = es->a;
    es->a = hs->arena;
    rc = g == NULL ? agg_batch_insert(n, t, keys, h, &g, err) : STRATA_OK;
    if (rc == STRATA_OK) {
        rc = agg_step_row(n, g, in, err);
    }
    es->a = saved;
    if (rc != STRATA_OK) {
        return rc;
    }
    bool can_spill = level < HASH_SPILL_LEVELS;
    *full = can_spill && arena_used_bytes(hs->arena) > hash_mem_limit(es);
    return can_spill ? STRATA_OK : exec_check_work_mem(es, err);
}

/* One input row into the batch: with grouping sets once per set (only_set
 * >= 0: that set alone, the row came from a partition), each set's key the
 * row's group columns in the set, NULL for the others, and the set's index
 * last (as agg_next builds it). */
static int agg_batch_row(ExecNode *n, AggBatch *t, const Value *in, int only_set, int level,
                         bool *full, HashPart **parts, Error *err)
{
    const PlanNode *p = n->p;
    int sets = p->grouping_set_count;
    int expr_count = p->group_count - (sets > 0 ? 1 : 0);
    Value row_keys[64], keys[64];
    EvalCtx ctx = ctx_of(n, in);
    int rc;
    for (int k = 0; k < expr_count; k++) {
        if ((rc = eval_expr(p->group_exprs[k], &ctx, &row_keys[k], err)) != STRATA_OK) {
            return rc;
        }
    }
    if (sets == 0) {
        return agg_batch_keys(n, t, in, row_keys, -1, level, full, parts, err);
    }
    for (int set = only_set >= 0 ? only_set : 0; set < (only_set >= 0 ? only_set + 1 : sets);
         set++) {
        for (int k = 0; k < expr_count; k++) {
            bool present = p->grouping_sets[set] & ((uint64_t)1 << k);
            keys[k] = present ? row_keys[k] : value_null(p->column_types[k]);
        }
        keys[expr_count] = value_i64(TYPE_INT4, set);
        if ((rc = agg_batch_keys(n, t, in, keys, set, level, full, parts, err)) != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* Grouping sets without input: each empty set still gives its row (an
 * aggregate over no rows), as agg_next does. */
static int agg_empty_sets(ExecNode *n, AggBatch *t, Error *err)
{
    const PlanNode *p = n->p;
    Value keys[64];
    int rc = STRATA_OK;
    for (int set = 0; set < p->grouping_set_count && rc == STRATA_OK; set++) {
        if (p->grouping_sets[set] != 0) {
            continue;
        }
        for (int k = 0; k < p->group_count - 1; k++) {
            keys[k] = value_null(p->column_types[k]);
        }
        keys[p->group_count - 1] = value_i64(TYPE_INT4, set);
        Group *g;
        Arena *saved = n->es->a;
        n->es->a = n->hspill->arena;
        rc = agg_batch_insert(n, t, keys, row_hash(keys, p->group_count), &g, err);
        n->es->a = saved;
    }
    return rc;
}

/* Aggregates the rows of src (NULL: the child; a partition of level
 * src_level) into a fresh batch. */
static int agg_fill(ExecNode *n, SortSpill *src, int src_level, Error *err)
{
    HashSpill *hs = n->hspill;
    size_t used = arena_used_bytes(hs->arena);
    hs->peak_bytes = used > hs->peak_bytes ? used : hs->peak_bytes;
    arena_reset(hs->arena);
    AggBatch *t = arena_zalloc(hs->arena, sizeof(AggBatch));
    if (t == NULL || (t->heads = arena_alloc(hs->arena, sizeof(int) * 1024)) == NULL) {
        return arena_error(hs->arena, err);
    }
    t->buckets = 1024;
    memset(t->heads, 0xff, sizeof(int) * t->buckets);
    n->srf_state = t;
    bool full = false;
    HashPart *parts = NULL;
    int width = n->p->left->column_count;
    uint64_t rows = 0;
    int rc = src != NULL ? spill_file_rewind(src, err) : STRATA_OK;
    while (rc == STRATA_OK) {
        Value *in;
        rc = src != NULL ? spill_file_next(src, &in, err) : n->left->next(n->left, &in, err);
        if (rc != STRATA_OK || in == NULL) {
            break;
        }
        rows++;
        int only_set = src != NULL && n->p->grouping_set_count > 0 ? (int)in[width].i64 : -1;
        rc = agg_batch_row(n, t, in, only_set, src_level + 1, &full, &parts, err);
        exec_scratch_reset(n->es);
    }
    if (rc == STRATA_OK && src == NULL && rows == 0) {
        rc = agg_empty_sets(n, t, err);
    }
    if (src != NULL) {
        hs->disk_bytes += sort_spill_bytes(src);
        spill_file_close(src);
    }
    hs->spilled |= parts != NULL;
    return rc;
}

static int agg_spill_next(ExecNode *n, Value **row, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    int rc;
    if (!n->started) {
        n->started = true;
        HashSpill *hs = arena_zalloc(es->a, sizeof(HashSpill));
        if (hs == NULL || (hs->arena = arena_create(es->a, 0, "hash aggregate batch")) == NULL) {
            return nomem_es(es, err);
        }
        n->hspill = hs;
        /* The wide row of a grouping set's spilled row (agg_batch_keys). */
        if (p->grouping_set_count > 0 &&
            (n->prev = arena_alloc(es->a, sizeof(Value) * (size_t)(p->left->column_count + 1))) ==
                NULL) {
            return nomem_es(es, err);
        }
        if ((rc = agg_fill(n, NULL, -1, err)) != STRATA_OK) {
            return rc;
        }
    }
    HashSpill *hs = n->hspill;
    for (;;) {
        AggBatch *t = n->srf_state;
        if (t->emit_pos < t->count) {
            Arena *saved = es->a;
            es->a = hs->arena;
            rc = agg_finish_row(n, t->groups[t->emit_pos++], n->row, err);
            es->a = saved;
            for (int c = 0; c < p->column_count; c++) {
                n->row[c].type = p->column_types[c];
            }
            *row = n->row;
            return rc;
        }
        if (hs->part_count == 0) {
            join_spill_stats(n);
            *row = NULL;
            return STRATA_OK;
        }
        HashPart part = hs->parts[--hs->part_count];
        if ((rc = agg_fill(n, part.build, part.level, err)) != STRATA_OK) {
            return rc;
        }
    }
}

/* Zeroes the EXPLAIN ANALYZE counters of p's subtree. */
static void stats_clear(ExecState *es, const PlanNode *p)
{
    if (p == NULL) {
        return;
    }
    if (es->stats != NULL && p->id >= 0 && p->id < es->plan->node_count) {
        memset(&es->stats[p->id], 0, sizeof(NodeStats));
    }
    stats_clear(es, p->left);
    stats_clear(es, p->right);
}

int exec_agg_fall_back(ExecNode *n, Value **row, Error *err)
{
    ExecState *es = n->es;
    stats_clear(es, n->p->left);
    int rc = exec_build(es, n->p->left, n->corr, &n->left, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    n->vec = NULL;
    n->srf_state = NULL;
    n->started = false;
    if (es->stats != NULL && n->p->id >= 0 && n->p->id < es->plan->node_count) {
        es->stats[n->p->id].batch_mode = false;
    }
    if (n->next == vec_agg_next) {
        n->next = agg_spill_next;
    } else {
        n->inner_next = agg_spill_next; /* EXPLAIN ANALYZE: stats_next calls it */
    }
    return agg_spill_next(n, row, err);
}

static int agg_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    ExecState *es = n->es;
    int rc;
    if (!n->started) {
        n->started = true;
        RowList groups = {0};
        size_t buckets = 1024;
        int *heads = arena_alloc(es->a, sizeof(int) * buckets);
        if (heads == NULL) {
            return nomem_es(es, err);
        }
        memset(heads, 0xff, sizeof(int) * buckets);
        int *chain = NULL;
        uint64_t *ghash = NULL; /* each group's key hash, checked before its keys */
        size_t chain_cap = 0;
        Group **glist = NULL;
        size_t gcount = 0;
        Value keys[64];
        Group *single = NULL;
        if (!p->is_grouped && (rc = agg_group_new(n, NULL, &single, err)) != STRATA_OK) {
            return rc;
        }
        for (;;) {
            Value *in;
            if ((rc = n->left->next(n->left, &in, err)) != STRATA_OK) {
                return rc;
            }
            if (in == NULL) {
                break;
            }
            Group *g = single;
            /* with grouping sets the row joins one group per set: the set's
             * index is the last key, the columns not in the set are NULL */
            int set_count = p->grouping_set_count > 0 ? p->grouping_set_count : 1;
            int expr_count = p->group_count - (p->grouping_set_count > 0 ? 1 : 0);
            Value row_keys[64];
            if (p->is_grouped) {
                EvalCtx ctx = ctx_of(n, in);
                for (int k = 0; k < expr_count && k < 64; k++) {
                    if ((rc = eval_expr(p->group_exprs[k], &ctx, &row_keys[k], err)) != STRATA_OK) {
                        return rc;
                    }
                }
            }
            for (int set = 0; set < set_count; set++) {
                if (p->is_grouped) {
                    for (int k = 0; k < expr_count && k < 64; k++) {
                        bool present = p->grouping_set_count == 0 ||
                                       (p->grouping_sets[set] & ((uint64_t)1 << k));
                        keys[k] = present ? row_keys[k] : value_null(p->column_types[k]);
                    }
                    if (p->grouping_set_count > 0) {
                        keys[expr_count] = value_i64(TYPE_INT4, set);
                    }
                    uint64_t h = row_hash(keys, p->group_count);
                    int idx = heads[h & (buckets - 1)];
                    g = NULL;
                    while (idx >= 0) {
                        if (ghash[idx] == h &&
                            rows_equal_nulls(glist[idx]->keys, keys, p->group_count)) {
                            g = glist[idx];
                            break;
                        }
                        idx = chain[idx];
                    }
                    if (g == NULL) {
                        if ((rc = agg_group_new(n, keys, &g, err)) != STRATA_OK ||
                            (rc = exec_check_work_mem(es, err)) != STRATA_OK) {
                            return rc;
                        }
                        if (gcount == chain_cap) {
                            size_t cap = chain_cap ? chain_cap * 2 : 64;
                            int *nc = arena_alloc(es->a, sizeof(int) * cap);
                            Group **ng = arena_alloc(es->a, sizeof(Group *) * cap);
                            uint64_t *nhash = arena_alloc(es->a, sizeof(uint64_t) * cap);
                            if (nc == NULL || ng == NULL || nhash == NULL) {
                                return nomem_es(es, err);
                            }
                            if (gcount) {
                                memcpy(nc, chain, sizeof(int) * gcount);
                                memcpy(ng, glist, sizeof(Group *) * gcount);
                                memcpy(nhash, ghash, sizeof(uint64_t) * gcount);
                            }
                            chain = nc;
                            glist = ng;
                            ghash = nhash;
                            chain_cap = cap;
                        }
                        ghash[gcount] = h;
                        glist[gcount] = g;
                        chain[gcount] = heads[h & (buckets - 1)];
                        heads[h & (buckets - 1)] = (int)gcount;
                        gcount++;
                        if (gcount > buckets) {
                            /* Rehash into a larger table. */
                            size_t nb = buckets * 4;
                            int *nh = arena_alloc(es->a, sizeof(int) * nb);
                            if (nh == NULL) {
                                return nomem_es(es, err);
                            }
                            memset(nh, 0xff, sizeof(int) * nb);
                            for (size_t gi = 0; gi < gcount; gi++) {
                                uint64_t gh = ghash[gi];
                                chain[gi] = nh[gh & (nb - 1)];
                                nh[gh & (nb - 1)] = (int)gi;
                            }
                            heads = nh;
                            buckets = nb;
                        }
                    }
                }
                if ((rc = agg_step_row(n, g, in, err)) != STRATA_OK) {
                    return rc;
                }
            }
        }
        /* an empty grouping set gives its row even without input (as an
         * aggregate without GROUP BY does) */
        for (int set = 0; set < p->grouping_set_count; set++) {
            bool exists = p->grouping_sets[set] != 0;
            for (size_t gi = 0; gi < gcount && !exists; gi++) {
                exists = glist[gi]->keys[p->group_count - 1].i64 == set;
            }
            if (exists) {
                continue;
            }
            for (int k = 0; k < p->group_count - 1; k++) {
                keys[k] = value_null(p->column_types[k]);
            }
            keys[p->group_count - 1] = value_i64(TYPE_INT4, set);
            Group *g;
            if ((rc = agg_group_new(n, keys, &g, err)) != STRATA_OK) {
                return rc;
            }
            if (gcount == chain_cap) {
                size_t cap = chain_cap ? chain_cap * 2 : 64;
                Group **ng = arena_alloc(es->a, sizeof(Group *) * cap);
                if (ng == NULL) {
                    return nomem_es(es, err);
                }
                if (gcount) {
                    memcpy(ng, glist, sizeof(Group *) * gcount);
                }
                glist = ng;
                chain_cap = cap;
            }
            glist[gcount++] = g;
        }
        (void)groups;
        size_t total = p->is_grouped ? gcount : 1;
        for (size_t gi = 0; gi < total; gi++) {
            Value *out = arena_alloc(es->a, sizeof(Value) * (size_t)(p->column_count + 1));
            if (out == NULL) {
                return nomem_es(es, err);
            }
            if ((rc = agg_finish_row(n, p->is_grouped ? glist[gi] : single, out, err)) != STRATA_OK) {
                return rc;
            }
            for (int c = 0; c < p->column_count; c++) {
                out[c].type = p->column_types[c];
            }
            if (row_list_push(es->a, &n->rows, out) != STRATA_OK) {
                return nomem_es(es, err);
            }
        }
    }
    return emit_materialized(n, row);
}

/* ---- sort ------------------------------------------------------------------------------ */

int sort_compare(const void *a, const void *b, void *arg)
{
    const SortCtx *sc = arg;
    const Value *ra = *(Value *const *)a, *rb = *(Value *const *)b;
    for (int k = 0; k < sc->key_count; k++) {
        const Value *va = &ra[sc->width + k], *vb = &rb[sc->width + k];
        int cmp;
        if (va->is_null || vb->is_null) {
            if (va->is_null && vb->is_null) {
                continue;
            }
            cmp = va->is_null ? 1 : -1;
            if (sc->keys[k].nulls_first) {
                cmp = -cmp;
            }
            return cmp;
        }
        cmp = value_compare(va, vb);
        if (cmp != 0) {
            return sc->keys[k].desc ? -cmp : cmp;
        }
    }
    /* Stable: fall back on the original order kept in the last slot. */
    const Value *oa = &ra[sc->width + sc->key_count], *ob = &rb[sc->width + sc->key_count];
    return oa->i64 < ob->i64 ? -1 : oa->i64 > ob->i64;
}

/* Abbreviated keys (PostgreSQL's "abbreviated keys", DuckDB's normalized key prefixes):
 * each row gets a 64-bit prefix of its first sort key such that a < b implies
 * abbrev(a) <= abbrev(b), direction and NULL placement folded in. Sorting compares the
 * prefixes, held next to the row pointers, and calls sort_compare only on equal
 * prefixes, so most comparisons touch neither the rows nor their strings. */
typedef struct SortEntry {
    uint64_t abbrev;
    Value *row;
} SortEntry;

AbbrevKind sort_abbrev_kind(TypeId id)
{
    switch (id) {
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
        return ABBREV_INT;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        return ABBREV_FLOAT;
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_UNKNOWN:
    case TYPE_BYTEA:
        return ABBREV_BYTES;
    case TYPE_DATE:
        return ABBREV_DATE;
    case TYPE_TIMESTAMP:
        return ABBREV_TIMESTAMP;
    case TYPE_TIMESTAMPTZ:
        return ABBREV_TIMESTAMPTZ;
    case TYPE_TIME:
        return ABBREV_TIME;
    case TYPE_BOOL:
        return ABBREV_BOOL;
    case TYPE_UUID:
        return ABBREV_UUID;
    default:
        return ABBREV_NONE;
    }
}

static uint64_t abbrev_bytes(const uint8_t *p, size_t len)
{
    uint64_t x = 0;
    for (size_t i = 0; i < 8; i++) {
        x = (x << 8) | (i < len ? p[i] : 0);
    }
    return x;
}

uint64_t sort_abbrev_value(AbbrevKind k, const Value *v)
{
    switch (k) {
    case ABBREV_INT:
    case ABBREV_DATE:
    case ABBREV_TIMESTAMP:
    case ABBREV_TIMESTAMPTZ:
    case ABBREV_TIME:
        return (uint64_t)v->i64 ^ (UINT64_C(1) << 63);
    case ABBREV_FLOAT: {
        double d = v->f64;
        if (isnan(d)) {
            return UINT64_MAX; /* NaN sorts above every number */
        }
        if (d == 0) {
            d = 0; /* -0 equals 0 */
        }
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return (bits & (UINT64_C(1) << 63)) ? ~bits : bits | (UINT64_C(1) << 63);
    }
    case ABBREV_BYTES:
        return abbrev_bytes((const uint8_t *)v->str.ptr, v->str.len);
    case ABBREV_BOOL:
        return v->b ? 1 : 0;
    case ABBREV_UUID:
        return abbrev_bytes(v->uuid.bytes, 16);
    case ABBREV_NONE:
        break;
    }
    return 0;
}

static int sort_entry_compare(const void *a, const void *b, void *arg)
{
    const SortEntry *ea = a, *eb = b;
    if (ea->abbrev != eb->abbrev) {
        return ea->abbrev < eb->abbrev ? -1 : 1;
    }
    return sort_compare(&ea->row, &eb->row, arg);
}

/* Sorts rows (each with its sort keys after width columns) by sc, through abbreviated
 * prefixes of the first key when its values share one kind (the entries come from a;
 * without room there the rows are sorted directly). */
static int sort_rows(Arena *a, Value **rows, size_t count, SortCtx *sc)
{
    if (count < 2) {
        return STRATA_OK;
    }
    AbbrevKind kind = ABBREV_NONE;
    bool first = true;
    for (size_t r = 0; r < count; r++) {
        const Value *v = &rows[r][sc->width];
        if (v->is_null) {
            continue;
        }
        AbbrevKind k = sort_abbrev_kind(v->type.id);
        if (first) {
            kind = k;
            first = false;
        } else if (k != kind) {
            kind = ABBREV_NONE;
            break;
        }
    }
    SortEntry *entries = kind == ABBREV_NONE ? NULL : arena_alloc(a, sizeof(SortEntry) * count);
    if (entries == NULL) {
        qsort_r(rows, count, sizeof(Value *), sort_compare, sc);
        return STRATA_OK;
    }
    const SortKey *key = &sc->keys[0];
    for (size_t r = 0; r < count; r++) {
        const Value *v = &rows[r][sc->width];
        uint64_t ab;
        if (v->is_null) {
            ab = key->nulls_first ? 0 : UINT64_MAX;
        } else {
            ab = sort_abbrev_value(kind, v);
            if (key->desc) {
                ab = ~ab;
            }
        }
        entries[r] = (SortEntry){ab, rows[r]};
    }
    qsort_r(entries, count, sizeof(SortEntry), sort_entry_compare, sc);
    for (size_t r = 0; r < count; r++) {
        rows[r] = entries[r].row;
    }
    return STRATA_OK;
}

/* Sorts the rows held so far, appends them to the node's temporary file as one run
 * and empties the row arena. */
static int sort_spill_run(ExecNode *n, SortCtx *sc, Error *err)
{
    ExecState *es = n->es;
    int full = n->p->column_count + n->p->sort_key_count + 1;
    int rc = sort_rows(n->row_arena, n->rows.rows, n->rows.count, sc);
    if (rc == STRATA_OK && n->spill == NULL) {
        rc = sort_spill_open(es, full, &n->spill, err);
    }
    if (rc == STRATA_OK) {
        rc = sort_spill_write_run(n->spill, n->rows.rows, n->rows.count, err);
    }
    arena_reset(n->row_arena);
    n->rows = (RowList){0};
    return rc;
}

static int sort_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    ExecState *es = n->es;
    if (n->vsort != NULL || (!n->started && !n->vsort_declined && vec_sort_applies(es, p))) {
        bool handled;
        int rc = vec_sort_next(n, row, &handled, err);
        if (rc != STRATA_OK || handled) {
            return rc;
        }
    }
    if (!n->started) {
        n->started = true;
        int width = p->column_count;
        int full = width + p->sort_key_count + 1;
        SortCtx *sc = arena_alloc(es->a, sizeof(SortCtx));
        if (sc == NULL) {
            return nomem_es(es, err);
        }
        *sc = (SortCtx){p->sort_keys, p->sort_key_count, width};
        /* A full sort keeps its rows in an arena of its own: past work_mem they are
         * written out as a sorted run and the arena starts over (external merge sort).
         * Top-N sorts hold at most 2N rows; sorts inside subqueries stay in memory. */
        bool may_spill = n->topn == 0 && es->sub_depth == 0 && es->env->work_mem_bytes > 0;
        Arena *ra = es->a;
        if (may_spill) {
            if ((n->row_arena = arena_create(es->a, 0, "sort rows")) == NULL) {
                return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
            }
            ra = n->row_arena;
        }
        for (int64_t seq = 0;; seq++) {
            Value *in;
            int rc = n->left->next(n->left, &in, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            if (in == NULL) {
                break;
            }
            if (n->topn > 0 && n->threshold != NULL) {
                /* Top-N: a row not better than the current N-th is dropped
                 * before anything is copied. */
                Value *probe = arena_alloc(es->scratch, sizeof(Value) * (size_t)full);
                if (probe == NULL) {
                    return arena_error(es->scratch, err);
                }
                memcpy(probe, in, sizeof(Value) * (size_t)width);
                EvalCtx pctx = ctx_of(n, probe);
                for (int k = 0; k < p->sort_key_count; k++) {
                    if ((rc = eval_expr(p->sort_keys[k].expr, &pctx, &probe[width + k], err)) != STRATA_OK) {
                        return rc;
                    }
                }
                probe[width + p->sort_key_count] = value_i64(TYPE_INT8, seq);
                if (sort_compare(&probe, &n->threshold, sc) >= 0) {
                    continue;
                }
            }
            Value *copy = arena_alloc(ra, sizeof(Value) * (size_t)full);
            if (copy == NULL) {
                return arena_error(ra, err);
            }
            Value *base = row_copy(ra, in, width);
            if (base == NULL) {
                return arena_error(ra, err);
            }
            memcpy(copy, base, sizeof(Value) * (size_t)width);
            EvalCtx ctx = ctx_of(n, copy);
            for (int k = 0; k < p->sort_key_count; k++) {
                if ((rc = eval_expr(p->sort_keys[k].expr, &ctx, &copy[width + k], err)) != STRATA_OK) {
                    return rc;
                }
            }
            Value *keys = row_copy(ra, copy + width, p->sort_key_count);
            if (keys == NULL) {
                return arena_error(ra, err);
            }
            memcpy(copy + width, keys, sizeof(Value) * (size_t)p->sort_key_count);
            copy[width + p->sort_key_count] = value_i64(TYPE_INT8, seq);
            if (row_list_push(ra, &n->rows, copy) != STRATA_OK) {
                return arena_error(ra, err);
            }
            if (n->topn > 0 && n->rows.count >= 2 * (size_t)n->topn) {
                if ((rc = sort_rows(ra, n->rows.rows, n->rows.count, sc)) != STRATA_OK) {
                    return arena_error(ra, err);
                }
                n->rows.count = (size_t)n->topn;
                n->threshold = n->rows.rows[n->topn - 1];
            }
            if (may_spill && arena_used_bytes(ra) > es->env->work_mem_bytes) {
                if ((rc = sort_spill_run(n, sc, err)) != STRATA_OK) {
                    return rc;
                }
                if ((rc = exec_check_interrupt(es, err)) != STRATA_OK) {
                    return rc;
                }
            }
        }
        if (n->spill != NULL) {
            int rc = sort_spill_run(n, sc, err);
            if (rc == STRATA_OK) {
                rc = sort_spill_merge_start(n->spill, sort_compare, sc, err);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
            if (es->stats != NULL && p->id >= 0 && p->id < es->plan->node_count) {
                NodeStats *st = &es->stats[p->id];
                st->sort_spilled = true;
                st->sort_disk_bytes = sort_spill_bytes(n->spill);
            }
        } else if (sort_rows(ra, n->rows.rows, n->rows.count, sc) != STRATA_OK) {
            return arena_error(ra, err);
        }
        if (n->topn > 0 && n->rows.count > (size_t)n->topn) {
            n->rows.count = (size_t)n->topn;
        }
    }
    if (n->spill != NULL) {
        return sort_spill_next(n->spill, row, err);
    }
    return emit_materialized(n, row);
}

/* ---- limit / distinct / set operations -------------------------------------------------------- */

int exec_limit_start(ExecNode *n, Error *err)
{
    const PlanNode *p = n->p;
    int rc;
    if (n->started) {
        return STRATA_OK;
    }
    n->started = true;
    EvalCtx ctx = ctx_of(n, NULL);
    Value v;
    n->limit_left = -1;
    n->tie_row = NULL;
    if (p->limit_count) {
        if ((rc = eval_expr(p->limit_count, &ctx, &v, err)) != STRATA_OK) {
            return rc;
        }
        if (!v.is_null) {
            if (v.i64 < 0) {
                return error_set(err, SQLSTATE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
                                 "LIMIT must not be negative");
            }
            n->limit_left = v.i64;
        }
    }
    n->offset_left = 0;
    if (p->limit_offset) {
        if ((rc = eval_expr(p->limit_offset, &ctx, &v, err)) != STRATA_OK) {
            return rc;
        }
        if (!v.is_null) {
            if (v.i64 < 0) {
                return error_set(err, SQLSTATE_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
                                 "OFFSET must not be negative");
            }
            n->offset_left = v.i64;
        }
    }
    /* Top-N: a sort below needs to keep only LIMIT + OFFSET rows (WITH TIES
     * may need more). */
    if (n->left->p->kind == PLAN_SORT && n->limit_left > 0 && !p->limit_with_ties &&
        n->limit_left <= INT64_MAX / 2 - n->offset_left &&
        n->limit_left + n->offset_left < (1 << 20)) {
        n->left->topn = n->limit_left + n->offset_left;
    }
    return STRATA_OK;
}

/* WITH TIES: whether rows a and b are equal on the ORDER BY columns (NULLs equal). */
static bool rows_tie(const PlanNode *p, const Value *a, const Value *b)
{
    for (int k = 0; k < p->tie_count; k++) {
        const Value *va = &a[p->tie_columns[k]], *vb = &b[p->tie_columns[k]];
        if (va->is_null != vb->is_null || (!va->is_null && value_compare(va, vb) != 0)) {
            return false;
        }
    }
    return true;
}

static int limit_next(ExecNode *n, Value **row, Error *err)
{
    int rc;
    if (!n->started) {
        if ((rc = exec_limit_start(n, err)) != STRATA_OK) {
            return rc;
        }
        if (vec_limit_applies(n->es, n->p) && (rc = vec_limit_start(n, err)) != STRATA_OK) {
            return rc;
        }
    }
    if (n->vlimit != NULL) {
        bool handled;
        rc = vec_limit_next(n, row, &handled, err);
        if (rc != STRATA_OK || handled) {
            return rc;
        }
    }
    for (;;) {
        if (n->limit_left == 0) {
            if (n->tie_row == NULL) {
                *row = NULL;
                return STRATA_OK;
            }
            if ((rc = n->left->next(n->left, row, err)) != STRATA_OK || *row == NULL) {
                return rc;
            }
            if (!rows_tie(n->p, n->tie_row, *row)) {
                n->tie_row = NULL;
                *row = NULL;
            }
            return STRATA_OK;
        }
        if ((rc = n->left->next(n->left, row, err)) != STRATA_OK || *row == NULL) {
            return rc;
        }
        if (n->offset_left > 0) {
            n->offset_left--;
            continue;
        }
        if (n->limit_left > 0 && --n->limit_left == 0 && n->p->limit_with_ties &&
            (n->tie_row = row_copy(n->es->a, *row, n->p->column_count)) == NULL) {
            return nomem_es(n->es, err);
        }
        return STRATA_OK;
    }
}

/* A hash set of rows (first width columns) in n->seen; *index (if not NULL) is the
 * position of the row, new or already there. */
static int seen_insert_at(ExecNode *n, const Value *row, int width, bool *inserted, size_t *index,
                          Error *err)
{
    ExecState *es = n->es;
    if (n->heads == NULL) {
        n->bucket_count = 1024;
        n->heads = arena_alloc(es->a, sizeof(int) * n->bucket_count);
        if (n->heads == NULL) {
            return nomem_es(es, err);
        }
        memset(n->heads, 0xff, sizeof(int) * n->bucket_count);
    }
    uint64_t h = row_hash(row, width);
    int idx = n->heads[h & (n->bucket_count - 1)];
    while (idx >= 0) {
        if (rows_equal_nulls(n->seen.rows[idx], row, width)) {
            *inserted = false;
            if (index != NULL) {
                *index = (size_t)idx;
            }
            return STRATA_OK;
        }
        idx = n->chain[idx];
    }
    Value *copy = row_copy(es->a, row, width);
    if (copy == NULL || row_list_push(es->a, &n->seen, copy) != STRATA_OK) {
        return nomem_es(es, err);
    }
    int rc = exec_check_work_mem(es, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (n->seen.count > (size_t)n->iteration) {
        size_t cap = n->seen.capacity;
        int *nc = arena_alloc(es->a, sizeof(int) * cap);
        if (nc == NULL) {
            return nomem_es(es, err);
        }
        if (n->chain) {
            memcpy(nc, n->chain, sizeof(int) * (n->seen.count - 1));
        }
        n->chain = nc;
        n->iteration = (int)cap;
    }
    size_t pos = n->seen.count - 1;
    n->chain[pos] = n->heads[h & (n->bucket_count - 1)];
    n->heads[h & (n->bucket_count - 1)] = (int)pos;
    if (n->seen.count > n->bucket_count * 2) {
        size_t nb = n->bucket_count * 4;
        int *nh = arena_alloc(es->a, sizeof(int) * nb);
        if (nh == NULL) {
            return nomem_es(es, err);
        }
        memset(nh, 0xff, sizeof(int) * nb);
        for (size_t r = 0; r < n->seen.count; r++) {
            uint64_t rh = row_hash(n->seen.rows[r], width);
            n->chain[r] = nh[rh & (nb - 1)];
            nh[rh & (nb - 1)] = (int)r;
        }
        n->heads = nh;
        n->bucket_count = nb;
    }
    *inserted = true;
    if (index != NULL) {
        *index = pos;
    }
    return STRATA_OK;
}

static int seen_insert(ExecNode *n, const Value *row, int width, bool *inserted, Error *err)
{
    return seen_insert_at(n, row, width, inserted, NULL, err);
}

/* Position of row in n->seen, or -1. */
static long seen_find(const ExecNode *n, const Value *row, int width)
{
    if (n->heads == NULL) {
        return -1;
    }
    uint64_t h = row_hash(row, width);
    for (int idx = n->heads[h & (n->bucket_count - 1)]; idx >= 0; idx = n->chain[idx]) {
        if (rows_equal_nulls(n->seen.rows[idx], row, width)) {
            return idx;
        }
    }
    return -1;
}

/* Inserts row into n->seen if it is new, with a count of zero in n->set_counts (grown
 * with the set); *index is the row's position. */
static int seen_insert_counted(ExecNode *n, const Value *row, int width, size_t *index, Error *err)
{
    bool inserted;
    int rc = seen_insert_at(n, row, width, &inserted, index, err);
    if (rc != STRATA_OK || !inserted) {
        return rc;
    }
    if (n->seen.count > n->set_counts_cap) {
        size_t cap = n->seen.capacity > n->seen.count ? n->seen.capacity : n->seen.count;
        uint64_t *nc = arena_alloc(n->es->a, sizeof(uint64_t) * cap);
        if (nc == NULL) {
            return nomem_es(n->es, err);
        }
        if (n->set_counts != NULL) {
            memcpy(nc, n->set_counts, sizeof(uint64_t) * (n->seen.count - 1));
        }
        n->set_counts = nc;
        n->set_counts_cap = cap;
    }
    n->set_counts[*index] = 0;
    return STRATA_OK;
}

static int distinct_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    if (!n->vset_declined) {
        bool handled = false;
        int rc = vec_distinct_applies(n->es, p) ? vec_distinct_next(n, false, row, &handled, err)
                                                 : STRATA_OK;
        n->vset_declined = !handled;
        if (rc != STRATA_OK || handled) {
            return rc;
        }
    }
    for (;;) {
        int rc = n->left->next(n->left, row, err);
        if (rc != STRATA_OK || *row == NULL) {
            return rc;
        }
        if (p->distinct_on != NULL) {
            Value keys[32];
            EvalCtx ctx = ctx_of(n, *row);
            for (int k = 0; k < p->distinct_count; k++) {
                if ((rc = eval_expr(p->distinct_on[k], &ctx, &keys[k], err)) != STRATA_OK) {
                    return rc;
                }
            }
            if (n->prev != NULL && rows_equal_nulls(n->prev, keys, p->distinct_count)) {
                continue;
            }
            /* Only the last key is kept: a small arena of its own, emptied for each new
             * key (copying each into the query arena grew it by one key per group). */
            if (n->row_arena == NULL &&
                (n->row_arena = arena_create(n->es->a, 0, "distinct on key")) == NULL) {
                return nomem_es(n->es, err);
            }
            arena_reset_keep(n->row_arena);
            n->prev = row_copy(n->row_arena, keys, p->distinct_count);
            if (n->prev == NULL) {
                return nomem_es(n->es, err);
            }
            return STRATA_OK;
        }
        bool inserted;
        if ((rc = seen_insert(n, *row, p->distinct_count, &inserted, err)) != STRATA_OK) {
            return rc;
        }
        if (inserted) {
            return STRATA_OK;
        }
    }
}

/* DISTINCT past work_mem (not DISTINCT ON), as GROUP BY without aggregates
 * spills: once the set of rows seen is full, a row not in it goes to a
 * partition file by its hash (it cannot have been emitted: the set takes no
 * row after it is full); each partition is then deduplicated the same way.
 * The set lives in the batch arena. srf_state: the source being read (NULL:
 * the child); iteration-independent state in n->hspill. */
typedef struct DistinctSpill {
    SortSpill *src;    /* NULL: the child */
    int level;         /* the source's level (-1: the child) */
    bool full;
    HashPart *parts;   /* where the source's overflow goes */
} DistinctSpill;

/* Starts deduplicating the next partition; *done when none is left. */
static int distinct_next_batch(ExecNode *n, DistinctSpill *ds, bool *done, Error *err)
{
    HashSpill *hs = n->hspill;
    if (ds->src != NULL) {
        hs->disk_bytes += sort_spill_bytes(ds->src);
        spill_file_close(ds->src);
    }
    size_t used = arena_used_bytes(hs->arena);
    hs->peak_bytes = used > hs->peak_bytes ? used : hs->peak_bytes;
    *done = hs->part_count == 0;
    if (*done) {
        join_spill_stats(n);
        return STRATA_OK;
    }
    HashPart part = hs->parts[--hs->part_count];
    arena_reset(hs->arena);
    n->seen = (RowList){0};
    n->heads = NULL;
    n->chain = NULL;
    n->iteration = 0;
    *ds = (DistinctSpill){.src = part.build, .level = part.level};
    return spill_file_rewind(part.build, err);
}

/* A row that finds the set full: dropped when the set holds it, else appended to
 * its partition by hash (it cannot have been emitted). */
static int distinct_spill_row(ExecNode *n, DistinctSpill *ds, const Value *row, Error *err)
{
    const PlanNode *p = n->p;
    if (seen_find(n, row, p->distinct_count) >= 0) {
        return STRATA_OK;
    }
    int rc;
    if (ds->parts == NULL &&
        (rc = hash_parts_open(n, ds->level + 1, p->column_count, 0, &ds->parts, err)) != STRATA_OK) {
        return rc;
    }
    n->hspill->spilled = true;
    uint64_t h = row_hash(row, p->distinct_count);
    return spill_file_append(ds->parts[hash_part_of(h, ds->level + 1)].build, row, err);
}

static int distinct_spill_next(ExecNode *n, Value **row, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    DistinctSpill *ds = n->srf_state;
    int rc;
    if (ds == NULL && !n->vset_declined) {
        bool handled = false;
        rc = vec_distinct_applies(es, p) ? vec_distinct_next(n, true, row, &handled, err)
                                         : STRATA_OK;
        n->vset_declined = !handled;
        if (rc != STRATA_OK || handled) {
            return rc;
        }
        ds = n->srf_state; /* set by exec_distinct_adopt when the set passed work_mem */
    }
    if (ds == NULL) {
        HashSpill *hs = arena_zalloc(es->a, sizeof(HashSpill));
        if (hs == NULL || (ds = arena_zalloc(es->a, sizeof(DistinctSpill))) == NULL ||
            (hs->arena = arena_create(es->a, 0, "distinct batch")) == NULL) {
            return nomem_es(es, err);
        }
        n->hspill = hs;
        ds->level = -1;
        n->srf_state = ds;
    }
    for (;;) {
        rc = ds->src != NULL ? spill_file_next(ds->src, row, err) : n->left->next(n->left, row, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (*row == NULL) {
            bool done = ds->src == NULL && !n->hspill->spilled;
            if (!done && (rc = distinct_next_batch(n, ds, &done, err)) != STRATA_OK) {
                return rc;
            }
            if (done) {
                return STRATA_OK;
            }
            continue;
        }
        if (ds->full) {
            if ((rc = distinct_spill_row(n, ds, *row, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        bool inserted;
        Arena *saved = es->a;
        es->a = n->hspill->arena;
        rc = seen_insert(n, *row, p->distinct_count, &inserted, err);
        es->a = saved;
        if (rc != STRATA_OK) {
            return rc;
        }
        ds->full = ds->level + 1 < HASH_SPILL_LEVELS &&
                   arena_used_bytes(n->hspill->arena) > hash_mem_limit(es);
        if (inserted) {
            return STRATA_OK;
        }
    }
}

int exec_distinct_adopt(ExecNode *n, Value *const *rows, size_t count, Value *const *pending,
                        size_t pending_count, Error *err)
{
    ExecState *es = n->es;
    HashSpill *hs = arena_zalloc(es->a, sizeof(HashSpill));
    DistinctSpill *ds = hs != NULL ? arena_zalloc(es->a, sizeof(DistinctSpill)) : NULL;
    if (ds == NULL || (hs->arena = arena_create(es->a, 0, "distinct batch")) == NULL) {
        return nomem_es(es, err);
    }
    n->hspill = hs;
    ds->level = -1;
    ds->full = true;
    n->srf_state = ds;
    Arena *saved = es->a;
    es->a = hs->arena;
    int rc = STRATA_OK;
    for (size_t r = 0; r < count && rc == STRATA_OK; r++) {
        bool inserted;
        rc = seen_insert(n, rows[r], n->p->distinct_count, &inserted, err);
    }
    es->a = saved;
    for (size_t r = 0; r < pending_count && rc == STRATA_OK; r++) {
        rc = distinct_spill_row(n, ds, pending[r], err);
    }
    return rc;
}

static int setop_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    int width = p->column_count;
    int rc;
    if (!n->vset_declined) {
        bool handled = false;
        rc = n->vset != NULL || vec_setop_applies(n->es, p)
                 ? vec_setop_next(n, false, row, &handled, err)
                 : STRATA_OK;
        n->vset_declined = !handled;
        if (rc != STRATA_OK || handled) {
            return rc;
        }
    }
    if (p->setop == SETOP_UNION) {
        for (;;) {
            ExecNode *src = n->done ? n->right : n->left;
            if ((rc = src->next(src, row, err)) != STRATA_OK) {
                return rc;
            }
            if (*row == NULL) {
                if (n->done) {
                    return STRATA_OK;
                }
                n->done = true;
                continue;
            }
            if (p->set_all) {
                return STRATA_OK;
            }
            bool inserted;
            if ((rc = seen_insert(n, *row, width, &inserted, err)) != STRATA_OK) {
                return rc;
            }
            if (inserted) {
                return STRATA_OK;
            }
        }
    }
    /* INTERSECT / EXCEPT: a hash set of the right side's distinct rows, each with how
     * often it occurs (n->seen, n->set_counts); each left row is looked up once. Without
     * ALL, a row that is emitted (or, for EXCEPT, kept in the set at count zero) drops its
     * later duplicates, so the result is distinct. */
    if (!n->started) {
        n->started = true;
        for (;;) {
            if ((rc = n->right->next(n->right, row, err)) != STRATA_OK) {
                return rc;
            }
            if (*row == NULL) {
                break;
            }
            size_t idx;
            if ((rc = seen_insert_counted(n, *row, width, &idx, err)) != STRATA_OK) {
                return rc;
            }
            n->set_counts[idx]++;
            if ((rc = exec_check_work_mem(n->es, err)) != STRATA_OK) {
                return rc;
            }
        }
    }
    for (;;) {
        if ((rc = n->left->next(n->left, row, err)) != STRATA_OK || *row == NULL) {
            return rc;
        }
        if (p->setop == SETOP_INTERSECT) {
            long idx = seen_find(n, *row, width);
            if (idx < 0 || n->set_counts[idx] == 0) {
                continue;
            }
            n->set_counts[idx] = p->set_all ? n->set_counts[idx] - 1 : 0;
            return STRATA_OK;
        }
        /* EXCEPT: each copy on the right cancels one on the left (ALL); without ALL, a row
         * found at all (on the right, or already emitted) is dropped. */
        size_t count = n->seen.count, idx;
        if ((rc = seen_insert_counted(n, *row, width, &idx, err)) != STRATA_OK) {
            return rc;
        }
        bool is_new = n->seen.count > count;
        if (!p->set_all) {
            if (is_new) {
                return STRATA_OK;
            }
            continue;
        }
        if (n->set_counts[idx] > 0) {
            n->set_counts[idx]--;
            continue;
        }
        return STRATA_OK;
    }
}

/* ---- INTERSECT / EXCEPT past work_mem ------------------------------------------------------- */

/* INTERSECT / EXCEPT [ALL] past work_mem, as a grace hash join: the right
 * side's distinct rows and their counts are the build side, the left rows the
 * probe side. When the table of counts passes work_mem it goes to partition
 * files by row hash (each row with its count as one more int8 column), and so
 * do the rest of the right rows and then every left row; each partition is
 * then answered in memory, split again with the next hash bits when its
 * right rows are still too many (HASH_SPILL_LEVELS deep, then 53200 past 4 x
 * work_mem). Equal rows hash alike, so a partition's left rows meet all their
 * right copies. EXCEPT (without ALL) also keeps the left rows it emitted (to
 * drop their duplicates): a left row that is new to a full table cannot have
 * been emitted nor be on the right (every right row of the batch is in the
 * table), so it goes to an overflow partition with no right rows, which
 * deduplicates it later. The table lives in the batch arena (HashSpill.arena).
 * n->srf_state: the SetopSpill. */
typedef struct SetopSpill {
    SortSpill *build_src; /* the batch's right rows with counts; NULL: the right child */
    SortSpill *probe_src; /* the batch's left rows; NULL: the left child */
    int level;            /* the batch's level (-1: the children) */
    bool probing;         /* the right rows are read: left rows are looked up */
    HashPart *parts;      /* the batch was split: its rows go there */
    HashPart *overflow;   /* EXCEPT: left rows new to the full table go there */
    Value *wide;          /* a right row and its count, as written */
} SetopSpill;

static int setop_spill_create(ExecNode *n, SetopSpill **out, Error *err)
{
    ExecState *es = n->es;
    HashSpill *hs = arena_zalloc(es->a, sizeof(HashSpill));
    SetopSpill *ss = hs != NULL ? arena_zalloc(es->a, sizeof(SetopSpill)) : NULL;
    if (ss == NULL ||
        (ss->wide = arena_alloc(es->a, sizeof(Value) * (size_t)(n->p->column_count + 1))) ==
            NULL ||
        (hs->arena = arena_create(es->a, 0, "set operation batch")) == NULL) {
        return nomem_es(es, err);
    }
    ss->level = -1;
    n->hspill = hs;
    n->srf_state = ss;
    *out = ss;
    return STRATA_OK;
}

static void setop_table_reset(ExecNode *n)
{
    arena_reset(n->hspill->arena);
    n->seen = (RowList){0};
    n->heads = NULL;
    n->chain = NULL;
    n->iteration = 0;
    n->set_counts = NULL;
    n->set_counts_cap = 0;
}

/* Appends a right row (count copies of it) to its partition. */
static int setop_spill_build_row(ExecNode *n, SetopSpill *ss, const Value *row, uint64_t count,
                                 Error *err)
{
    int width = n->p->column_count;
    memcpy(ss->wide, row, sizeof(Value) * (size_t)width);
    ss->wide[width] = value_i64(TYPE_INT8, (int64_t)count);
    HashPart *part = &ss->parts[hash_part_of(row_hash(row, width), ss->parts[0].level)];
    return spill_file_append(part->build, ss->wide, err);
}

static int setop_spill_probe_row(ExecNode *n, HashPart *parts, const Value *row, Error *err)
{
    int width = n->p->column_count;
    HashPart *part = &parts[hash_part_of(row_hash(row, width), parts[0].level)];
    return spill_file_append(part->probe, row, err);
}

/* Opens the partitions of the next level (right rows with counts, left rows). */
static int setop_parts_open(ExecNode *n, SetopSpill *ss, HashPart **parts, Error *err)
{
    n->hspill->spilled = true;
    return hash_parts_open(n, ss->level + 1, n->p->column_count + 1, n->p->column_count, parts,
                           err);
}

/* The batch's table passed work_mem while right rows were read: its rows go to
 * new partitions with their counts, and so will the batch's other rows. */
static int setop_split(ExecNode *n, SetopSpill *ss, Error *err)
{
    int rc = setop_parts_open(n, ss, &ss->parts, err);
    for (size_t r = 0; rc == STRATA_OK && r < n->seen.count; r++) {
        rc = setop_spill_build_row(n, ss, n->seen.rows[r], n->set_counts[r], err);
    }
    HashSpill *hs = n->hspill;
    size_t used = arena_used_bytes(hs->arena);
    hs->peak_bytes = used > hs->peak_bytes ? used : hs->peak_bytes;
    setop_table_reset(n);
    return rc;
}

/* Adds row (count occurrences) to the table; past work_mem the batch is split,
 * or, at the last level, bounded by the statement's memory cap. */
static int setop_keep(ExecNode *n, SetopSpill *ss, const Value *row, uint64_t count, Error *err)
{
    ExecState *es = n->es;
    size_t idx;
    Arena *saved = es->a;
    es->a = n->hspill->arena;
    int rc = seen_insert_counted(n, row, n->p->column_count, &idx, err);
    es->a = saved;
    if (rc != STRATA_OK) {
        return rc;
    }
    n->set_counts[idx] += count;
    if (arena_used_bytes(n->hspill->arena) <= hash_mem_limit(es)) {
        return STRATA_OK;
    }
    if (ss->level + 1 < HASH_SPILL_LEVELS) {
        if (!ss->probing) {
            return setop_split(n, ss, err);
        }
        return ss->overflow == NULL ? setop_parts_open(n, ss, &ss->overflow, err) : STRATA_OK;
    }
    return exec_check_work_mem(es, err);
}

/* Reads the batch's right rows into the table (or its partitions). */
static int setop_spill_build(ExecNode *n, SetopSpill *ss, Error *err)
{
    int width = n->p->column_count;
    for (;;) {
        Value *r;
        int rc = ss->build_src != NULL ? spill_file_next(ss->build_src, &r, err)
                                       : n->right->next(n->right, &r, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (r == NULL) {
            break;
        }
        uint64_t count = ss->build_src != NULL ? (uint64_t)r[width].i64 : 1;
        rc = ss->parts != NULL ? setop_spill_build_row(n, ss, r, count, err)
                               : setop_keep(n, ss, r, count, err);
        exec_scratch_reset(n->es);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (ss->build_src != NULL) {
        n->hspill->disk_bytes += sort_spill_bytes(ss->build_src);
        spill_file_close(ss->build_src);
        ss->build_src = NULL;
    }
    ss->probing = true;
    return STRATA_OK;
}

/* Starts the next partition; *done when none is left. */
static int setop_next_batch(ExecNode *n, SetopSpill *ss, bool *done, Error *err)
{
    HashSpill *hs = n->hspill;
    if (ss->probe_src != NULL) {
        hs->disk_bytes += sort_spill_bytes(ss->probe_src);
        spill_file_close(ss->probe_src);
    }
    size_t used = arena_used_bytes(hs->arena);
    hs->peak_bytes = used > hs->peak_bytes ? used : hs->peak_bytes;
    setop_table_reset(n);
    for (;;) {
        *done = hs->part_count == 0;
        if (*done) {
            join_spill_stats(n);
            return STRATA_OK;
        }
        HashPart part = hs->parts[--hs->part_count];
        if (spill_file_rows(part.probe) == 0) {
            /* No left row: nothing to emit, whatever the right rows are. */
            hs->disk_bytes += sort_spill_bytes(part.build) + sort_spill_bytes(part.probe);
            spill_file_close(part.build);
            spill_file_close(part.probe);
            continue;
        }
        *ss = (SetopSpill){.build_src = part.build, .probe_src = part.probe, .level = part.level,
                           .wide = ss->wide};
        int rc = spill_file_rewind(part.build, err);
        return rc == STRATA_OK ? spill_file_rewind(part.probe, err) : rc;
    }
}

/* Whether left row r is emitted (the rules of setop_next); updates the table.
 * A row that goes to a partition instead is not emitted. */
static int setop_probe_row(ExecNode *n, SetopSpill *ss, const Value *r, bool *emit, Error *err)
{
    const PlanNode *p = n->p;
    *emit = false;
    if (ss->parts != NULL) {
        return setop_spill_probe_row(n, ss->parts, r, err);
    }
    long idx = seen_find(n, r, p->column_count);
    if (p->setop == SETOP_INTERSECT) {
        if (idx >= 0 && n->set_counts[idx] > 0) {
            n->set_counts[idx] = p->set_all ? n->set_counts[idx] - 1 : 0;
            *emit = true;
        }
        return STRATA_OK;
    }
    if (p->set_all) {
        /* EXCEPT ALL: a right copy left cancels the row; a row not on the right at
         * all is always emitted, so the left rows need not be kept. */
        if (idx >= 0 && n->set_counts[idx] > 0) {
            n->set_counts[idx]--;
            return STRATA_OK;
        }
        *emit = true;
        return STRATA_OK;
    }
    if (idx >= 0) {
        return STRATA_OK; /* on the right, or emitted already */
    }
    if (ss->overflow != NULL) {
        return setop_spill_probe_row(n, ss->overflow, r, err);
    }
    *emit = true;
    return setop_keep(n, ss, r, 0, err);
}

static int setop_spill_next(ExecNode *n, Value **row, Error *err)
{
    ExecState *es = n->es;
    SetopSpill *ss = n->srf_state;
    int rc;
    if (ss == NULL && !n->vset_declined) {
        bool handled = false;
        rc = vec_setop_applies(es, n->p) ? vec_setop_next(n, true, row, &handled, err) : STRATA_OK;
        n->vset_declined = !handled;
        if (rc != STRATA_OK || handled) {
            return rc;
        }
        ss = n->srf_state; /* set by exec_setop_adopt when the set passed work_mem */
    }
    if (ss == NULL && (rc = setop_spill_create(n, &ss, err)) != STRATA_OK) {
        return rc;
    }
    for (;;) {
        if (!ss->probing && (rc = setop_spill_build(n, ss, err)) != STRATA_OK) {
            return rc;
        }
        rc = ss->probe_src != NULL ? spill_file_next(ss->probe_src, row, err)
                                   : n->left->next(n->left, row, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (*row == NULL) {
            bool done = ss->level < 0 && !n->hspill->spilled;
            if (!done && (rc = setop_next_batch(n, ss, &done, err)) != STRATA_OK) {
                return rc;
            }
            if (done) {
                return STRATA_OK;
            }
            continue;
        }
        bool emit;
        if ((rc = setop_probe_row(n, ss, *row, &emit, err)) != STRATA_OK || emit) {
            return rc;
        }
        exec_scratch_reset(es);
    }
}

int exec_setop_adopt(ExecNode *n, const VecSet *set, bool right_read, Error *err)
{
    SetopSpill *ss;
    int rc = setop_spill_create(n, &ss, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const uint64_t *counts = vec_set_counts(set);
    size_t count = vec_set_size(set);
    if (!right_read) {
        rc = setop_parts_open(n, ss, &ss->parts, err);
        for (size_t r = 0; rc == STRATA_OK && r < count; r++) {
            rc = setop_spill_build_row(n, ss, vec_set_row(set, r), counts[r], err);
        }
        return rc;
    }
    ss->probing = true;
    for (size_t r = 0; rc == STRATA_OK && r < count; r++) {
        rc = setop_keep(n, ss, vec_set_row(set, r), counts[r], err);
    }
    return rc;
}

/* ---- CTEs and functions ------------------------------------------------------------------- */

static int cte_materialize(ExecState *es, int index, Error *err)
{
    if (es->cte_done[index]) {
        return STRATA_OK;
    }
    const CtePlan *cp = &es->plan->ctes[index];
    if (cp->is_recursive) {
        const PlanNode *ru = cp->plan;
        ExecNode *base;
        int rc = exec_build(es, ru->left, NULL, &base, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        RowList *all = &es->cte_rows[index];
        RowList work = {0};
        ExecNode seen_holder;
        memset(&seen_holder, 0, sizeof(seen_holder));
        seen_holder.es = es;
        int width = ru->column_count;
        ExecNode *src = base;
        for (int iteration = 0;; iteration++) {
            if (iteration > LIMIT_RECURSION_ITERATIONS) {
                return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "recursive query exceeded %d iterations", LIMIT_RECURSION_ITERATIONS);
            }
            RowList produced = {0};
            for (;;) {
                Value *row;
                if ((rc = src->next(src, &row, err)) != STRATA_OK) {
                    return rc;
                }
                if (row == NULL) {
                    break;
                }
                if (!ru->set_all) {
                    bool inserted;
                    if ((rc = seen_insert(&seen_holder, row, width, &inserted, err)) != STRATA_OK) {
                        return rc;
                    }
                    if (!inserted) {
                        continue;
                    }
                }
                Value *copy = row_copy(es->a, row, width);
                if (copy == NULL || row_list_push(es->a, &produced, copy) != STRATA_OK ||
                    row_list_push(es->a, all, copy) != STRATA_OK) {
                    return nomem_es(es, err);
                }
                if ((rc = exec_check_interrupt(es, err)) != STRATA_OK) {
                    return rc;
                }
            }
            if (produced.count == 0) {
                break;
            }
            work = produced;
            es->work_rows[index] = work;
            if ((rc = exec_build(es, ru->right, NULL, &src, err)) != STRATA_OK) {
                return rc;
            }
        }
        es->cte_done[index] = true;
        return STRATA_OK;
    }
    ExecNode *node;
    int rc = exec_build(es, cp->plan, NULL, &node, err);
    if (rc == STRATA_OK) {
        rc = drain(node, es, &es->cte_rows[index], cp->plan->column_count, err);
    }
    if (rc == STRATA_OK) {
        es->cte_done[index] = true;
    }
    return rc;
}

/* Data-modifying CTEs run once each, to completion, whether or not the main query
 * reads them: when it first reads one, or after it (run_unread_ctes), as PostgreSQL.
 * As in PostgreSQL, whose sub-statements share one snapshot, no part of the
 * statement sees their changes: reads of the tables they write come from copies
 * taken first (snapshot CTEs, run_modifying_ctes), and rows written by one are
 * skipped by the UPDATE / DELETE of another (modify.c). */
static int run_modifying_ctes(ExecState *es, Error *err)
{
    /* the tables they write, as the statement found them (CtePlan.is_snapshot); the
     * CTEs themselves run when the main query first reads them, or after it */
    for (int k = 0; k < es->plan->cte_count; k++) {
        if (es->plan->ctes[k].is_snapshot) {
            int rc = cte_materialize(es, k, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    return STRATA_OK;
}

/* After the main query: the data-modifying CTEs it did not read, last first, as
 * PostgreSQL's ExecPostprocessPlan runs them (a later one first, so an UPDATE of the
 * same row by an earlier one finds it changed and leaves it). */
static int run_unread_ctes(ExecState *es, Error *err)
{
    for (int k = es->plan->cte_count - 1; k >= 0; k--) {
        if (es->plan->ctes[k].is_modifying && !es->cte_done[k]) {
            int rc = cte_materialize(es, k, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    return STRATA_OK;
}

static int cte_scan_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    RowList *list;
    if (p->kind == PLAN_WORKTABLE_SCAN) {
        list = &n->es->work_rows[p->cte_index];
    } else {
        int rc = cte_materialize(n->es, p->cte_index, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        list = &n->es->cte_rows[p->cte_index];
    }
    if (n->pos >= list->count) {
        *row = NULL;
    } else {
        *row = list->rows[n->pos++];
    }
    return STRATA_OK;
}

static int function_scan_next(ExecNode *n, Value **row, Error *err)
{
    const PlanNode *p = n->p;
    const Expr *call = p->func_args[0];
    int rc;
    EvalCtx ctx = ctx_of(n, NULL);
    if (p->func_kind == FSCAN_SCALAR) {
        if (n->done) {
            *row = NULL;
            return STRATA_OK;
        }
        n->done = true;
        if ((rc = eval_expr(call, &ctx, &n->row[0], err)) != STRATA_OK) {
            return rc;
        }
        if (p->with_ordinality) {
            n->row[1] = value_i64(TYPE_INT8, 1);
        }
        *row = n->row;
        return STRATA_OK;
    }
    if (n->done) {
        *row = NULL;
        return STRATA_OK;
    }
    if (!n->started) {
        n->started = true;
        n->srf_args = arena_alloc(n->es->a, sizeof(Value) * (size_t)(call->arg_count + 1));
        if (n->srf_args == NULL) {
            return nomem_es(n->es, err);
        }
        for (int k = 0; k < call->arg_count; k++) {
            if ((rc = eval_expr(call->args[k], &ctx, &n->srf_args[k], err)) != STRATA_OK) {
                return rc;
            }
            Value *kept = row_copy(n->es->a, &n->srf_args[k], 1);
            if (kept == NULL) {
                return nomem_es(n->es, err);
            }
            n->srf_args[k] = *kept;
            if (n->srf_args[k].is_null && call->fn->strict) {
                n->done = true;
                *row = NULL;
                return STRATA_OK;
            }
        }
    }
    bool has_row = false;
    FuncContext keep = keep_fctx(n->es);
    if ((rc = call->fn->set_fn(n->srf_args, call->arg_count, &n->srf_state, &n->row[0], &has_row,
                               n->srf_state == NULL ? &keep : &n->es->fctx, err)) != STRATA_OK) {
        return rc;
    }
    if (!has_row) {
        n->done = true;
        *row = NULL;
        return STRATA_OK;
    }
    if ((rc = exec_check_interrupt(n->es, err)) != STRATA_OK) {
        return rc;
    }
    n->row[0].type = p->column_types[0];
    if (p->with_ordinality) {
        n->row[1] = value_i64(TYPE_INT8, ++n->ordinality);
    }
    *row = n->row;
    return STRATA_OK;
}

static int unsupported_next(ExecNode *n, Value **row, Error *err)
{
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "this query needs an operator that is not implemented yet (window functions)");
}

static int modify_next(ExecNode *n, Value **row, Error *err)
{
    if (!n->started) {
        n->started = true;
        int rc = exec_modify(n, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return emit_materialized(n, row);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* EXPLAIN ANALYZE: counts the rows and time of a node (time includes its
 * children, as PostgreSQL's actual time). */
static int stats_next(ExecNode *n, Value **row, Error *err)
{
    NodeStats *st = &n->es->stats[n->p->id];
    double start = now_ms();
    int rc = n->inner_next(n, row, err);
    st->time_ms += now_ms() - start;
    if (rc == STRATA_OK && *row != NULL) {
        if (st->rows++ == 0) {
            st->startup_ms = st->time_ms;
        }
    }
    return rc;
}

void exec_node_stats(ExecState *es, ExecNode *n)
{
    const PlanNode *p = n->p;
    if (es->stats != NULL && p->id >= 0 && p->id < es->plan->node_count) {
        es->stats[p->id].loops++;
        n->inner_next = n->next;
        n->next = stats_next;
    }
}

static bool has_grouping_call(const PlanNode *p)
{
    for (int k = 0; k < p->agg_count; k++) {
        if (p->aggs[k]->is_grouping) {
            return true;
        }
    }
    return false;
}

/* UNION (without ALL) is DISTINCT over UNION ALL: the node becomes a DISTINCT
 * over a UNION ALL node of its two inputs (plan nodes copied, the UNION ALL
 * one without an id, so EXPLAIN ANALYZE counts rows on the UNION as before), to
 * run as distinct_spill_next, which spills past work_mem (the set of rows seen
 * grew without bound in setop_next) and takes batches when both inputs are
 * batch inputs (vec_distinct.c). */
static int union_as_distinct(ExecState *es, ExecNode *n, Error *err)
{
    PlanNode *all = arena_alloc(es->a, sizeof(PlanNode));
    PlanNode *distinct = arena_alloc(es->a, sizeof(PlanNode));
    ExecNode *inner = arena_zalloc(es->a, sizeof(ExecNode));
    Value *row = arena_zalloc(es->a, sizeof(Value) * (size_t)(n->p->column_count + 2));
    if (all == NULL || distinct == NULL || inner == NULL || row == NULL) {
        return nomem_es(es, err);
    }
    *all = *n->p;
    all->set_all = true;
    all->id = -1;
    *distinct = *n->p;
    distinct->kind = PLAN_DISTINCT;
    distinct->distinct_count = n->p->column_count;
    distinct->distinct_on = NULL;
    distinct->left = all;
    distinct->right = NULL;
    *inner = (ExecNode){.p = all, .es = es, .corr = n->corr, .row = row, .left = n->left,
                        .right = n->right, .next = setop_next};
    n->p = distinct;
    n->left = inner;
    n->right = NULL;
    n->next = distinct_spill_next;
    return STRATA_OK;
}

int exec_build(ExecState *es, const PlanNode *p, const Value *corr, ExecNode **out, Error *err)
{
    ExecNode *n = arena_zalloc(es->a, sizeof(ExecNode));
    if (n == NULL || (n->row = arena_zalloc(es->a, sizeof(Value) * (size_t)(p->column_count + 2))) == NULL) {
        return nomem_es(es, err);
    }
    n->p = p;
    n->es = es;
    n->corr = corr;
    int rc;
    /* An aggregate over a star join of a column table runs vectorized (vec_join.c). */
    bool vec_agg = false;
    if (p->kind == PLAN_AGG && es->env->vectorize && p->grouping_set_count == 0 &&
        !has_grouping_call(p) && vec_pipeline_applies(p)) {
        es->built_state = true; /* vec_build keeps its state outside the nodes */
        if ((rc = vec_build(es, n, corr, &n->left, &vec_agg, err)) != STRATA_OK) {
            return rc;
        }
    } else if (p->left && p->kind != PLAN_RECURSIVE_UNION &&
               (rc = exec_build(es, p->left, corr, &n->left, err)) != STRATA_OK) {
        return rc;
    }
    /* The right side of a LATERAL join or an index nested loop is built per left row. */
    bool right_per_row = p->kind == PLAN_LATERAL_JOIN || (p->kind == PLAN_JOIN && p->nestloop);
    if (p->right && p->kind != PLAN_RECURSIVE_UNION && !right_per_row &&
        (rc = exec_build(es, p->right, corr, &n->right, err)) != STRATA_OK) {
        return rc;
    }
    switch (p->kind) {
    case PLAN_SCAN:
        n->next = scan_next;
        if (p->table != NULL && (rc = scan_setup(n, err)) != STRATA_OK) {
            return rc;
        }
        break;
    case PLAN_INDEX_SCAN:
        n->next = index_scan_next;
        if ((rc = scan_setup(n, err)) != STRATA_OK) {
            return rc;
        }
        break;
    case PLAN_VALUES: n->next = values_next; break;
    case PLAN_FILTER: n->next = filter_next; break;
    case PLAN_PROJECT: n->next = project_next; break;
    case PLAN_PROJECT_SET: n->next = project_set_next; break;
    case PLAN_JOIN:
        n->next = p->nestloop ? nestloop_next
                  : p->join_type == JOIN_TYPE_SEMI || p->join_type == JOIN_TYPE_ANTI ? semi_next
                                                                                     : join_next;
        break;
    case PLAN_LATERAL_JOIN: n->next = lateral_join_next; break;
    case PLAN_AGG:
        /* GROUP BY may spill (agg_spill_next); GROUPING() needs grouping sets. */
        n->next = vec_agg ? vec_agg_next
                  : p->is_grouped && (p->grouping_set_count > 0 || !has_grouping_call(p)) &&
                            es->sub_depth == 0 && es->env->work_mem_bytes > 0
                      ? agg_spill_next
                      : agg_next;
        break;
    case PLAN_SORT: n->next = sort_next; break;
    case PLAN_LIMIT: n->next = limit_next; break;
    case PLAN_DISTINCT:
        n->next = p->distinct_on == NULL && es->sub_depth == 0 && es->env->work_mem_bytes > 0
                      ? distinct_spill_next
                      : distinct_next;
        break;
    case PLAN_SETOP:
        n->next = setop_next;
        if (p->setop != SETOP_UNION && es->sub_depth == 0 && es->env->work_mem_bytes > 0) {
            n->next = setop_spill_next;
        }
        if (p->setop == SETOP_UNION && !p->set_all && es->sub_depth == 0 &&
            es->env->work_mem_bytes > 0 && (rc = union_as_distinct(es, n, err)) != STRATA_OK) {
            return rc;
        }
        break;
    case PLAN_CTE_SCAN: case PLAN_WORKTABLE_SCAN: n->next = cte_scan_next; break;
    case PLAN_FUNCTION_SCAN: n->next = function_scan_next; break;
    case PLAN_MODIFY:
        n->next = modify_next;
        /* Made with the node, so a kept executor (executor_restart) reuses it. */
        n->row_batch = batch_create(es->a, p->modify->table->desc.column_types,
                                    p->modify->table->column_count, 1);
        if (n->row_batch == NULL) {
            return nomem_es(es, err);
        }
        break;
    case PLAN_WINDOW: n->next = window_next; break;
    default: n->next = unsupported_next; break;
    }
    exec_node_stats(es, n);
    *out = n;
    return STRATA_OK;
}

/* ---- executor_* ------------------------------------------------------------------------------- */

struct Executor {
    ExecState es;
    ExecNode *root;
    Batch *batch;
    uint64_t row_count;
    bool is_modify;
    bool finished;
    const char **explain_lines;
    int explain_count;
    int explain_pos;
    TypeId explain_type; /* TEXT, or JSON for EXPLAIN (FORMAT JSON) */
    struct VecProject *vproject; /* a batch-wise projection of a scan (vec_project.c) */
    bool sort_fill; /* the root is a sort on batches (vec_sort_fill) */
    bool limit_fill; /* the root is a LIMIT over a batch input (vec_limit_fill) */
    /* executor_start_kept / executor_restart: the tree as built, in the keep arena */
    bool is_reusable;
    Batch *first_batch;   /* the result batch made at start (executor_next may grow it) */
    ExecNode **nodes;     /* every node of the tree */
    ExecNode *fresh;      /* nodes[k] as built: copied back by executor_restart */
    int node_count;
};

/* Marks in pruned[] the partition scans whose gate is false with this
 * execution's parameters (what run-time pruning skips). */
static int mark_pruned(ExecState *es, const PlanNode *p, bool *pruned, Error *err)
{
    if (p == NULL) {
        return STRATA_OK;
    }
    if (p->partition_gate != NULL && p->id >= 0 && p->id < es->plan->node_count) {
        EvalCtx ctx = {es, NULL, NULL};
        bool pass;
        int rc = eval_qual(p->partition_gate, &ctx, &pass, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        pruned[p->id] = !pass;
    }
    int rc = mark_pruned(es, p->left, pruned, err);
    return rc == STRATA_OK ? mark_pruned(es, p->right, pruned, err) : rc;
}

/* Plain EXPLAIN: for each table scan whose access method can tell
 * (TableAm.scan_preview, the column store), the row groups its pushed-down
 * filters would read and skip by zone maps, into preview[node id]. */
static int mark_previews(ExecState *es, const PlanNode *p, NodeStats *preview, Error *err)
{
    if (p == NULL) {
        return STRATA_OK;
    }
    if (p->kind == PLAN_SORT && p->id >= 0 && p->id < es->plan->node_count) {
        preview[p->id].batch_mode = vec_sort_applies(es, p);
    }
    if (p->kind == PLAN_JOIN && p->id >= 0 && p->id < es->plan->node_count) {
        preview[p->id].batch_mode |= vec_probe_applies(es, p);
    }
    if (p->kind == PLAN_AGG && es->env->vectorize && p->grouping_set_count == 0 &&
        !has_grouping_call(p) && vec_pipeline_applies(p)) {
        int rc = vec_pipeline_mark(es, p, preview, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (p->kind == PLAN_LIMIT && p->id >= 0 && p->id < es->plan->node_count) {
        preview[p->id].batch_mode = vec_limit_applies(es, p);
    }
    if ((p->kind == PLAN_DISTINCT || p->kind == PLAN_SETOP || p->kind == PLAN_WINDOW) &&
        p->id >= 0 && p->id < es->plan->node_count) {
        /* A UNION ALL passing batches through shows under its consumer (a Sort's line). */
        preview[p->id].batch_mode = vec_distinct_applies(es, p) || vec_setop_applies(es, p) ||
                                    vec_window_applies(es, p);
    }
    if (p->kind == PLAN_SCAN && p->table != NULL && p->table->am != NULL && p->id >= 0 &&
        p->id < es->plan->node_count) {
        ScanSpec spec = {.columns = p->scan_columns, .column_count = p->scan_column_count};
        TableScanCounters counters;
        int rc = exec_scan_filters(p, es->a, &spec.filters, &spec.filter_count, err);
        if (rc == STRATA_OK &&
            tam_scan_preview(p->table->am, es->env->txn, &p->table->desc, &spec, &counters, &rc,
                             err) &&
            rc == STRATA_OK) {
            preview[p->id].has_scan_counters = true;
            preview[p->id].row_groups_scanned = counters.row_groups_scanned;
            preview[p->id].row_groups_skipped = counters.row_groups_skipped;
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    int rc = mark_previews(es, p->left, preview, err);
    return rc == STRATA_OK ? mark_previews(es, p->right, preview, err) : rc;
}

static int explain_with_pruning(ExecState *es, const Plan *plan, const NodeStats *stats,
                                const char ***lines, int *count, Error *err)
{
    bool *pruned = arena_zalloc(es->a, (size_t)plan->node_count + 1);
    NodeStats *preview = NULL;
    if (pruned == NULL) {
        return arena_error(es->a, err);
    }
    int rc = mark_pruned(es, plan->root->explained, pruned, err);
    if (rc == STRATA_OK && stats == NULL) {
        preview = arena_zalloc(es->a, sizeof(NodeStats) * (size_t)(plan->node_count + 1));
        rc = preview == NULL ? arena_error(es->a, err)
                             : mark_previews(es, plan->root->explained, preview, err);
    }
    if (rc == STRATA_OK) {
        rc = plan_explain_tree_pruned(plan, stats, pruned, preview, es->a, lines, count, err);
    }
    return rc;
}

/* Casts env's parameters to the plan's parameter types into es->params; values
 * that are already of the type are copied as they are (strings stay borrowed). */
static int bind_params(ExecState *es, const Plan *plan, QueryEnv *env, Error *err)
{
    int np = plan->param_count;
    if (env->param_count < np) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                         "bind message supplies %d parameters, but prepared statement requires %d",
                         env->param_count, np);
    }
    for (int k = 0; k < np; k++) {
        const Value *v = &env->params[k];
        if (v->is_null) {
            es->params[k] = value_null(plan->param_types[k]);
        } else if (v->type.id == plan->param_types[k].id) {
            es->params[k] = *v;
        } else {
            int rc = value_cast_tz(v, plan->param_types[k], CAST_EXPLICIT, env->func_ctx.timezone,
                                   env->exec_arena, &es->params[k], err);
            if (rc != STRATA_OK) {
                return rc;
            }
        }
    }
    return STRATA_OK;
}

/* Collects the nodes of the tree under n (count only when nodes is NULL). */
static int collect_nodes(ExecNode *n, ExecNode **nodes, int at)
{
    if (n == NULL) {
        return at;
    }
    if (nodes != NULL) {
        nodes[at] = n;
    }
    at++;
    at = collect_nodes(n->left, nodes, at);
    return collect_nodes(n->right, nodes, at);
}

/* Executor reuse: remembers the tree as built, so executor_restart can put every
 * node back in that state (what an execution adds lives in the execution arena). */
static int keep_tree(Executor *ex, Arena *keep, Error *err)
{
    int count = collect_nodes(ex->root, NULL, 0);
    ex->nodes = arena_alloc(keep, sizeof(ExecNode *) * (size_t)count);
    ex->fresh = arena_alloc(keep, sizeof(ExecNode) * (size_t)count);
    if (ex->nodes == NULL || ex->fresh == NULL) {
        return arena_error(keep, err);
    }
    collect_nodes(ex->root, ex->nodes, 0);
    for (int k = 0; k < count; k++) {
        ex->fresh[k] = *ex->nodes[k];
    }
    ex->node_count = count;
    ex->first_batch = ex->batch;
    ex->is_reusable = true;
    return STRATA_OK;
}

/* Per-execution parts of the state in the execution arena (keep != NULL: the
 * rest, built once, is in keep). */
static int start_state(Executor *ex, const Plan *plan, QueryEnv *env, Arena *a, Error *err)
{
    ExecState *es = &ex->es;
    es->env = env;
    es->plan = plan;
    es->a = a;
    es->root = a;
    es->scratch = arena_create(a, 0, "row scratch");
    if (es->scratch == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    es->fctx = env->func_ctx;
    es->fctx.arena = es->scratch;
    es->fctx.jsonpath_cache = jsonpath_cache_new(a); /* NULL: paths parsed per call */
    es->params = arena_zalloc(a, sizeof(Value) * (size_t)(plan->param_count + 1));
    es->cte_rows = arena_zalloc(a, sizeof(RowList) * (size_t)(plan->cte_count + 1));
    es->work_rows = arena_zalloc(a, sizeof(RowList) * (size_t)(plan->cte_count + 1));
    es->cte_done = arena_zalloc(a, (size_t)plan->cte_count + 1);
    es->sub_cache = arena_zalloc(a, sizeof(SubCache) * (size_t)(plan->subplan_count + 1));
    if (!es->params || !es->cte_rows || !es->work_rows || !es->cte_done || !es->sub_cache) {
        return arena_error(a, err);
    }
    es->modify_row = -1;
    for (int k = 0; k < plan->cte_count; k++) {
        es->track_written |= plan->ctes[k].is_modifying;
    }
    return bind_params(es, plan, env, err);
}

static int start(const Plan *plan, QueryEnv *env, Arena *keep, Executor **out, Error *err)
{
    /* Only a tree whose whole state lives in its nodes (and what they allocate
     * while running) can be put back as built: no EXPLAIN, CTE or subquery. */
    const PlanNode *root = plan->root;
    if (root->kind == PLAN_EXPLAIN || plan->cte_count > 0 || plan->subplan_count > 0) {
        keep = NULL;
    }
    Arena *a = keep != NULL ? keep : env->exec_arena;
    Executor *ex = arena_zalloc(a, sizeof(Executor));
    if (ex == NULL) {
        return arena_error(a, err);
    }
    ExecState *es = &ex->es;
    int rc = start_state(ex, plan, env, a, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (root->kind == PLAN_EXPLAIN && root->explain_analyze) {
        /* Run the statement to completion, then render with the counters. */
        es->stats = arena_zalloc(a, sizeof(NodeStats) * (size_t)(plan->node_count + 1));
        if (es->stats == NULL) {
            return arena_error(a, err);
        }
        ExecNode *run;
        rc = run_modifying_ctes(es, err);
        if (rc == STRATA_OK) {
            rc = exec_build(es, root->explained, NULL, &run, err);
        }
        for (Value *row = NULL; rc == STRATA_OK;) {
            exec_scratch_reset(es);
            if ((rc = run->next(run, &row, err)) != STRATA_OK || row == NULL) {
                break;
            }
        }
        if (rc == STRATA_OK) {
            rc = run_unread_ctes(es, err);
        }
        if (rc == STRATA_OK) {
            ex->explain_type = root->explain_json ? TYPE_JSON : TYPE_TEXT;
            rc = explain_with_pruning(es, plan, es->stats, &ex->explain_lines, &ex->explain_count, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    } else if (root->kind == PLAN_EXPLAIN) {
        ex->explain_type = root->explain_json ? TYPE_JSON : TYPE_TEXT;
        rc = explain_with_pruning(es, plan, NULL, &ex->explain_lines, &ex->explain_count, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    } else {
        rc = run_modifying_ctes(es, err);
        if (rc == STRATA_OK) {
            rc = exec_build(es, root, NULL, &ex->root, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        /* From here on the execution allocates in its own arena. */
        es->a = es->root = env->exec_arena;
        ex->is_modify = root->kind == PLAN_MODIFY;
        if ((rc = vec_project_create(es, ex->root, &ex->vproject, err)) != STRATA_OK) {
            return rc;
        }
        ex->sort_fill = !ex->is_modify && vec_sort_fill_applies(es, ex->root);
        ex->limit_fill = !ex->is_modify && vec_limit_fill_applies(es, ex->root);
    }
    /* Filled by batch_append_row only, so it need not be zeroed (3.6% of a point select).
     * Small at first, as keyed scans are: executor_next grows it once it fills. */
    ex->batch = batch_create_unzeroed(a, root->column_types, root->column_count,
                                      SCAN_FIRST_BATCH_ROWS);
    if (ex->batch == NULL) {
        return arena_error(a, err);
    }
    if (keep != NULL && !es->built_state && (rc = keep_tree(ex, keep, err)) != STRATA_OK) {
        return rc;
    }
    *out = ex;
    return STRATA_OK;
}

int executor_start(const Plan *plan, QueryEnv *env, Executor **out, Error *err)
{
    return start(plan, env, NULL, out, err);
}

int executor_start_kept(const Plan *plan, QueryEnv *env, Arena *keep, Executor **out, Error *err)
{
    return start(plan, env, keep, out, err);
}

bool executor_is_reusable(const Executor *ex)
{
    return ex->is_reusable;
}

int executor_restart(Executor *ex, QueryEnv *env, Error *err)
{
    ST_ASSERT(ex->is_reusable);
    ExecState *es = &ex->es;
    const Plan *plan = es->plan;
    es->env = env;
    es->a = es->root = env->exec_arena;
    arena_reset(es->scratch);
    es->fctx = env->func_ctx;
    es->fctx.arena = es->scratch;
    es->fctx.jsonpath_cache = jsonpath_cache_new(es->a); /* NULL: paths parsed per call */
    es->sub_depth = 0;
    es->scan_stat_count = 0;
    es->execution++;
    es->spills = NULL;
    es->spill_arena = NULL;
    es->modify_row = -1;
    memset(es->cte_rows, 0, sizeof(RowList));
    memset(es->work_rows, 0, sizeof(RowList));
    es->cte_done[0] = false;
    memset(es->sub_cache, 0, sizeof(SubCache));
    int rc = bind_params(es, plan, env, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int k = 0; k < ex->node_count; k++) {
        *ex->nodes[k] = ex->fresh[k];
    }
    ex->batch = ex->first_batch;
    ex->row_count = 0;
    ex->finished = false;
    /* Each execution tries the batch paths afresh (the last one may have left them). */
    ex->sort_fill = vec_sort_fill_applies(es, ex->root);
    ex->limit_fill = vec_limit_fill_applies(es, ex->root);
    return vec_project_create(es, ex->root, &ex->vproject, err);
}

int executor_next(Executor *ex, Batch **out, Error *err)
{
    *out = NULL;
    if (ex->finished) {
        return STRATA_OK;
    }
    if (ex->batch->capacity < BATCH_CAPACITY && ex->batch->row_count == ex->batch->capacity) {
        Batch *full = batch_create_unzeroed(ex->es.a, ex->es.plan->root->column_types,
                                            ex->batch->column_count, 0);
        if (full == NULL) {
            return arena_error(ex->es.a, err);
        }
        ex->batch = full;
    }
    batch_reset(ex->batch);
    if (ex->explain_lines != NULL) {
        while (ex->explain_pos < ex->explain_count && ex->batch->row_count < ex->batch->capacity) {
            const char *line = ex->explain_lines[ex->explain_pos++];
            Value v = value_str(ex->explain_type, line, (uint32_t)strlen(line));
            if (!batch_append_row(ex->batch, &v)) {
                return arena_error(ex->es.a, err);
            }
        }
        if (ex->explain_pos >= ex->explain_count) {
            ex->finished = true;
        }
        *out = ex->batch->row_count > 0 ? ex->batch : NULL;
        return STRATA_OK;
    }
    if (ex->vproject != NULL) {
        bool unsupported;
        Batch *alias;
        int rc = vec_project_fill(ex->vproject, ex->batch, &alias, &ex->finished, &unsupported,
                                  err);
        if (rc == STRATA_OK && ex->finished && ex->es.track_written) {
            rc = run_unread_ctes(&ex->es, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!unsupported) {
            Batch *result = alias != NULL ? alias : ex->batch;
            int rows = batch_active_count(result);
            ex->row_count += (uint64_t)rows;
            *out = rows > 0 ? result : NULL;
            return STRATA_OK;
        }
        ex->vproject = NULL; /* the scan's qual is not batch-wise: rows from here on */
    }
    if (ex->sort_fill) {
        bool handled;
        int rc = vec_sort_fill(ex->root, ex->batch, &ex->finished, &handled, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (handled) {
            ex->row_count += (uint64_t)ex->batch->row_count;
            *out = ex->batch->row_count > 0 ? ex->batch : NULL;
            return STRATA_OK;
        }
        ex->sort_fill = false; /* a row sort, or merged runs: rows from here on */
    }
    if (ex->limit_fill) {
        bool handled;
        int rc = vec_limit_fill(ex->root, ex->batch, &ex->finished, &handled, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (handled) {
            ex->row_count += (uint64_t)ex->batch->row_count;
            *out = ex->batch->row_count > 0 ? ex->batch : NULL;
            return STRATA_OK;
        }
        ex->limit_fill = false; /* the input is not batch-wise: rows from here on */
    }
    int width = ex->root->p->column_count;
    while (ex->batch->row_count < ex->batch->capacity) {
        Value *row;
        exec_scratch_reset(&ex->es);
        int rc = ex->root->next(ex->root, &row, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (row == NULL) {
            ex->finished = true;
            if (ex->es.track_written && (rc = run_unread_ctes(&ex->es, err)) != STRATA_OK) {
                return rc;
            }
            break;
        }
        for (int c = 0; c < width; c++) {
            if (row[c].is_null) {
                row[c].type = ex->batch->columns[c].type;
            }
        }
        if (!batch_append_row(ex->batch, row)) {
            return arena_error(ex->es.a, err);
        }
        if (!ex->is_modify) {
            ex->row_count++;
        }
    }
    if (ex->is_modify) {
        ex->row_count = ex->root->produced;
    }
    *out = ex->batch->row_count > 0 ? ex->batch : NULL;
    return STRATA_OK;
}

uint64_t executor_row_count(const Executor *ex)
{
    return ex->row_count;
}

int64_t executor_failed_row(const Executor *ex)
{
    return ex == NULL ? -1 : ex->es.modify_row;
}

void executor_end(Executor *ex)
{
    ExecState *es = &ex->es;
    exec_spill_close_all(es);
    QueryHooks *h = es->env != NULL ? es->env->hooks : NULL;
    for (int k = 0; h != NULL && h->scans_counted != NULL && k < es->scan_stat_count; k++) {
        const ScanStat *s = &es->scan_stats[k];
        h->scans_counted(h->ctx, s->table_id, s->index_id, s->scans, s->rows_read, s->rows_fetched);
    }
    es->scan_stat_count = 0;
}
