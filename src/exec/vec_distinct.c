/*
 * exec/vec_distinct.c - SELECT DISTINCT over a batch input, and the hash set
 * of rows (VecSet) it shares with the set operations (vec_setop.c).
 *
 * A PLAN_DISTINCT without DISTINCT ON (and without hidden sort columns: the
 * key is the whole row) whose input is a table scan, or a
 * projection over one, that runs batch-wise (vec_input_applies) hashes each
 * input batch's key columns a batch at a time: per batch the hashes of the
 * selected rows are computed from the vectors (integers and strings without
 * building a Value), then each row is looked up in an open-addressing table
 * of the rows kept, compared column by column against the vectors. A row not
 * found is copied into the set (a row of Values in the set's arena) and
 * emitted. Rows come out in first-appearance order, as distinct_next gives
 * them.
 *
 * Past work_mem the batch-wise front end hands over to distinct_spill_next
 * (exec_distinct_adopt): the rows kept become its set of rows seen, marked
 * full, and the rest of the input (read row by row from the next batch on)
 * goes to partition files as before. The hand-over happens between batches,
 * so the set may pass the limit by one batch's rows.
 *
 * Invariants
 *   1. value_equal(a, b) on a column implies equal key hashes: integer-like
 *      columns (PHYS_I64, compared as int64 by value_equal when the types are
 *      the same) hash their int64, text / varchar / bytea their bytes, other
 *      kinds through value_hash. A set's columns have one type each.
 *   2. Everything the set keeps lives in its arena (rows deep-copied), so the
 *      scratch arena and the input batch may be reset after a batch.
 *
 * See src/exec/README.md ("DISTINCT and set operations on batches").
 */
#include <string.h>
#include <xxhash.h>

#include "exec/vec_expr.h"
#include "types/compare.h"

enum { KEY_INT, KEY_BYTES, KEY_OTHER };

struct VecSet {
    ExecState *es;
    Arena *arena;     /* rows, hashes, table */
    const SqlType *types;
    int width;
    uint8_t *kinds;   /* per column: KEY_* */
    Value **rows;
    uint64_t *hashes;
    uint64_t *counts; /* per row, when counted (INTERSECT / EXCEPT) */
    size_t count;
    size_t row_capacity;
    uint32_t *slots;  /* row index + 1, 0 = empty */
    size_t slot_mask;
    Value *scratch_row; /* a probe row built from the vectors */
};

static uint8_t key_kind(SqlType type)
{
    if (type_phys(type.id) == PHYS_I64) {
        return KEY_INT;
    }
    if (type.id == TYPE_TEXT || type.id == TYPE_VARCHAR || type.id == TYPE_BYTEA) {
        return KEY_BYTES;
    }
    return KEY_OTHER;
}

int vec_set_create(ExecState *es, Arena *parent, const SqlType *types, int width, VecSet **out,
                   Error *err)
{
    VecSet *s = arena_zalloc(parent, sizeof(VecSet));
    if (s == NULL || (s->arena = arena_create(parent, 0, "vec set")) == NULL ||
        (s->kinds = arena_alloc(parent, (size_t)width + 1)) == NULL ||
        (s->scratch_row = arena_alloc(parent, sizeof(Value) * ((size_t)width + 1))) == NULL) {
        return arena_error(parent, err);
    }
    s->es = es;
    s->types = types;
    s->width = width;
    for (int c = 0; c < width; c++) {
        s->kinds[c] = key_kind(types[c]);
    }
    *out = s;
    return STRATA_OK;
}

void vec_set_destroy(VecSet *s)
{
    if (s != NULL) {
        arena_destroy(s->arena);
        s->arena = NULL;
    }
}

static uint64_t value_key_hash(uint8_t kind, const Value *v)
{
    if (v->is_null) {
        return 0x9e3779b97f4a7c15ULL;
    }
    if (kind == KEY_INT) {
        return hash_u64((uint64_t)v->i64);
    }
    if (kind == KEY_BYTES) {
        return XXH3_64bits(v->str.ptr, v->str.len);
    }
    return value_hash(v);
}

void vec_set_hash_batch(const VecSet *s, const Vector *const *columns, const uint16_t *sel,
                        int count, uint64_t *hashes)
{
    for (int i = 0; i < count; i++) {
        hashes[i] = 0x12345;
    }
    for (int c = 0; c < s->width; c++) {
        const Vector *v = columns[c];
        uint8_t kind = s->kinds[c];
        for (int i = 0; i < count; i++) {
            int r = sel[i];
            uint64_t h;
            if (v == NULL || vector_is_null(v, r)) {
                h = 0x9e3779b97f4a7c15ULL;
            } else if (kind == KEY_INT) {
                h = hash_u64((uint64_t)v->i64[r]);
            } else if (kind == KEY_BYTES) {
                h = XXH3_64bits(v->str[r].ptr, v->str[r].len);
            } else {
                Value value;
                vec_expr_value(v, r, s->types[c], &value);
                h = value_hash(&value);
            }
            hashes[i] = hash_combine(hashes[i], h);
        }
    }
}

uint64_t vec_set_hash_row(const VecSet *s, const Value *row)
{
    uint64_t h = 0x12345;
    for (int c = 0; c < s->width; c++) {
        h = hash_combine(h, value_key_hash(s->kinds[c], &row[c]));
    }
    return h;
}

/* Whether stored row equals row r of the vectors (NULLs equal). */
static bool equals_vectors(const VecSet *s, const Value *stored, const Vector *const *columns, int r)
{
    for (int c = 0; c < s->width; c++) {
        const Vector *v = columns[c];
        bool is_null = v == NULL || vector_is_null(v, r);
        if (is_null != stored[c].is_null) {
            return false;
        }
        if (is_null) {
            continue;
        }
        switch (s->kinds[c]) {
        case KEY_INT:
            if (stored[c].i64 != v->i64[r]) {
                return false;
            }
            break;
        case KEY_BYTES:
            if (stored[c].str.len != v->str[r].len ||
                memcmp(stored[c].str.ptr, v->str[r].ptr, v->str[r].len) != 0) {
                return false;
            }
            break;
        default: {
            Value value;
            vec_expr_value(v, r, s->types[c], &value);
            if (!value_equal(&stored[c], &value)) {
                return false;
            }
        }
        }
    }
    return true;
}

static int set_nomem(VecSet *s, Error *err)
{
    return arena_error(s->arena, err);
}

/* Doubles the table (or creates it) and reinserts every row. */
static bool grow_table(VecSet *s)
{
    size_t slots = s->slot_mask ? (s->slot_mask + 1) * 2 : 1024;
    uint32_t *table = arena_zalloc(s->arena, sizeof(uint32_t) * slots);
    if (table == NULL) {
        return false;
    }
    for (size_t row = 0; row < s->count; row++) {
        size_t at = s->hashes[row] & (slots - 1);
        while (table[at] != 0) {
            at = (at + 1) & (slots - 1);
        }
        table[at] = (uint32_t)row + 1;
    }
    s->slots = table;
    s->slot_mask = slots - 1;
    return true;
}

/* Appends row (copied into the set's arena) with hash h at slot at. */
static int insert_at(VecSet *s, size_t at, const Value *row, uint64_t h, int64_t *index, Error *err)
{
    if (s->count == s->row_capacity) {
        size_t cap = s->row_capacity ? s->row_capacity * 2 : 256;
        Value **rows = arena_realloc(s->arena, s->rows, sizeof(Value *) * s->row_capacity,
                                     sizeof(Value *) * cap);
        uint64_t *hashes = arena_realloc(s->arena, s->hashes, sizeof(uint64_t) * s->row_capacity,
                                         sizeof(uint64_t) * cap);
        uint64_t *counts = arena_realloc(s->arena, s->counts, sizeof(uint64_t) * s->row_capacity,
                                         sizeof(uint64_t) * cap);
        if (rows == NULL || hashes == NULL || counts == NULL) {
            return set_nomem(s, err);
        }
        s->rows = rows;
        s->hashes = hashes;
        s->counts = counts;
        s->row_capacity = cap;
    }
    Value *copy = row_copy(s->arena, row, s->width);
    if (copy == NULL) {
        return set_nomem(s, err);
    }
    size_t row_index = s->count++;
    s->rows[row_index] = copy;
    s->hashes[row_index] = h;
    s->counts[row_index] = 0;
    s->slots[at] = (uint32_t)row_index + 1;
    *index = (int64_t)row_index;
    if (s->count * 2 > s->slot_mask + 1 && !grow_table(s)) {
        return set_nomem(s, err);
    }
    return STRATA_OK;
}

int vec_set_lookup_batch(VecSet *s, const Vector *const *columns, int r, uint64_t h, bool insert,
                         int64_t *index, bool *inserted, Error *err)
{
    *inserted = false;
    *index = -1;
    if (s->slots == NULL && !grow_table(s)) {
        return set_nomem(s, err);
    }
    size_t at = h & s->slot_mask;
    for (uint32_t slot; (slot = s->slots[at]) != 0; at = (at + 1) & s->slot_mask) {
        size_t row = slot - 1;
        if (s->hashes[row] == h && equals_vectors(s, s->rows[row], columns, r)) {
            *index = (int64_t)row;
            return STRATA_OK;
        }
    }
    if (!insert) {
        return STRATA_OK;
    }
    for (int c = 0; c < s->width; c++) {
        if (columns[c] == NULL) {
            s->scratch_row[c] = value_null(s->types[c]);
        } else {
            vec_expr_value(columns[c], r, s->types[c], &s->scratch_row[c]);
        }
    }
    *inserted = true;
    return insert_at(s, at, s->scratch_row, h, index, err);
}

int vec_set_lookup_row(VecSet *s, const Value *row, uint64_t h, bool insert, int64_t *index,
                       bool *inserted, Error *err)
{
    *inserted = false;
    *index = -1;
    if (s->slots == NULL && !grow_table(s)) {
        return set_nomem(s, err);
    }
    size_t at = h & s->slot_mask;
    for (uint32_t slot; (slot = s->slots[at]) != 0; at = (at + 1) & s->slot_mask) {
        size_t stored = slot - 1;
        if (s->hashes[stored] == h && rows_equal_nulls(s->rows[stored], row, s->width)) {
            *index = (int64_t)stored;
            return STRATA_OK;
        }
    }
    if (!insert) {
        return STRATA_OK;
    }
    *inserted = true;
    return insert_at(s, at, row, h, index, err);
}

Value *vec_set_row(const VecSet *s, size_t index)
{
    return s->rows[index];
}

uint64_t *vec_set_counts(const VecSet *s)
{
    return s->counts;
}

size_t vec_set_size(const VecSet *s)
{
    return s->count;
}

size_t vec_set_bytes(const VecSet *s)
{
    return arena_used_bytes(s->arena);
}

/* ---- DISTINCT ---------------------------------------------------------------------------- */

typedef struct VecDistinct {
    VecProject *in;
    VecSet *set;
    uint64_t *hashes;  /* per selected row of the current batch */
    int64_t *emit;     /* set rows inserted by the current batch, in order */
    int emit_count;
    int emit_pos;
    bool may_spill;    /* distinct_spill_next is the row operator: hand over past work_mem */
    bool full;         /* the set passed work_mem: rows not in it are pending */
    RowList pending;   /* rows read after the set filled and not in it (in pending_arena) */
    Arena *pending_arena;
    bool ended;
    bool handed_over;
} VecDistinct;

bool vec_distinct_applies(const ExecState *es, const PlanNode *p)
{
    return p->kind == PLAN_DISTINCT && p->distinct_on == NULL && p->left != NULL &&
           p->distinct_count > 0 && p->distinct_count == p->column_count &&
           vec_input_applies(es, p->left);
}

static int vdistinct_create(ExecNode *n, bool may_spill, VecDistinct **out, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    VecDistinct *vd = arena_zalloc(es->a, sizeof(VecDistinct));
    if (vd == NULL || (vd->hashes = arena_alloc(es->a, sizeof(uint64_t) * BATCH_CAPACITY)) == NULL ||
        (vd->emit = arena_alloc(es->a, sizeof(int64_t) * BATCH_CAPACITY)) == NULL) {
        return arena_error(es->a, err);
    }
    int rc = vec_input_create(es, n->left, &vd->in, err);
    if (rc == STRATA_OK && vd->in != NULL) {
        rc = vec_set_create(es, es->a, p->left->column_types, p->distinct_count, &vd->set, err);
    }
    vd->may_spill = may_spill && es->env->work_mem_bytes > 0;
    *out = rc == STRATA_OK && vd->in != NULL ? vd : NULL;
    return rc;
}

/* Row r of the vectors, which the full set does not hold, kept for the partitions. */
static int keep_pending(ExecNode *n, VecDistinct *vd, const Vector *const *columns, int r,
                        Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    if (vd->pending_arena == NULL &&
        (vd->pending_arena = arena_create(es->a, 0, "distinct pending")) == NULL) {
        return arena_error(es->a, err);
    }
    Value *row = arena_alloc(vd->pending_arena, sizeof(Value) * (size_t)p->column_count);
    if (row == NULL) {
        return arena_error(vd->pending_arena, err);
    }
    for (int c = 0; c < p->column_count; c++) {
        if (columns[c] == NULL) {
            row[c] = value_null(p->column_types[c]);
        } else {
            vec_expr_value(columns[c], r, p->column_types[c], &row[c]);
        }
    }
    Value *copy = row_copy(vd->pending_arena, row, p->column_count);
    if (copy == NULL || row_list_push(vd->pending_arena, &vd->pending, copy) != STRATA_OK) {
        return arena_error(vd->pending_arena, err);
    }
    return STRATA_OK;
}

/* Reads input batches until one adds rows to the set (vd->emit) or the input
 * ends; *unsupported when the first batch could not be read batch-wise. */
static int vdistinct_fill(ExecNode *n, VecDistinct *vd, bool *unsupported, Error *err)
{
    vd->emit_count = vd->emit_pos = 0;
    while (vd->emit_count == 0 && !vd->ended && !vd->full) {
        const Vector *const *columns;
        const uint16_t *sel;
        int count;
        int rc = vec_input_next(vd->in, &columns, &sel, &count, &vd->ended, unsupported, err);
        if (rc != STRATA_OK || *unsupported || vd->ended) {
            return rc;
        }
        vec_set_hash_batch(vd->set, columns, sel, count, vd->hashes);
        size_t limit = n->es->env->work_mem_bytes;
        for (int i = 0; i < count; i++) {
            int64_t index;
            bool inserted;
            rc = vec_set_lookup_batch(vd->set, columns, sel[i], vd->hashes[i], !vd->full, &index,
                                      &inserted, err);
            if (rc == STRATA_OK && vd->full && index < 0) {
                rc = keep_pending(n, vd, columns, sel[i], err);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
            if (inserted) {
                vd->emit[vd->emit_count++] = index;
                /* As distinct_spill_next: the set takes no row once it passes work_mem. */
                vd->full = vd->may_spill && vec_set_bytes(vd->set) > limit;
            }
        }
        if (!vd->may_spill && (rc = exec_check_work_mem(n->es, err)) != STRATA_OK) {
            return rc;
        }
        if ((rc = exec_check_interrupt(n->es, err)) != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* Past work_mem: the set becomes distinct_spill_next's (full), once this batch's
 * rows are out. */
static bool should_hand_over(const VecDistinct *vd)
{
    return vd->full && (!vd->ended || vd->pending.count > 0);
}

int vec_distinct_next(ExecNode *n, bool may_spill, Value **row, bool *handled, Error *err)
{
    ExecState *es = n->es;
    *handled = true;
    VecDistinct *vd = n->vset;
    if (vd == NULL) {
        int rc = vdistinct_create(n, may_spill, &vd, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (vd == NULL) {
            n->vset_declined = true;
            *handled = false;
            return STRATA_OK;
        }
        n->vset = vd;
        if (es->stats != NULL && n->p->id >= 0 && n->p->id < es->plan->node_count) {
            es->stats[n->p->id].batch_mode = true;
        }
    }
    if (vd->handed_over) {
        *handled = false;
        return STRATA_OK;
    }
    if (vd->emit_pos >= vd->emit_count) {
        if (should_hand_over(vd)) {
            vd->handed_over = true;
            *handled = false;
            int rc = exec_distinct_adopt(n, vd->set->rows, vd->set->count, vd->pending.rows,
                                         vd->pending.count, err);
            vec_set_destroy(vd->set);
            if (vd->pending_arena != NULL) {
                arena_destroy(vd->pending_arena);
            }
            return rc;
        }
        bool unsupported = false;
        int rc = vdistinct_fill(n, vd, &unsupported, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (unsupported) {
            vec_set_destroy(vd->set);
            n->vset = NULL;
            n->vset_declined = true;
            *handled = false;
            if (es->stats != NULL && n->p->id >= 0 && n->p->id < es->plan->node_count) {
                es->stats[n->p->id].batch_mode = false;
            }
            return STRATA_OK;
        }
        if (vd->emit_count == 0) {
            *row = NULL;
            return STRATA_OK;
        }
    }
    *row = vec_set_row(vd->set, (size_t)vd->emit[vd->emit_pos++]);
    return STRATA_OK;
}
