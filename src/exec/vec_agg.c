/*
 * exec/vec_agg.c - hash aggregation over the tuples of a vectorized
 * pipeline (vec_join.c), without building rows.
 *
 * Applies when every GROUP BY key is a column of the join tree (fact or
 * dimension) and every aggregate is count(*), count(x), count(DISTINCT x)
 * over an integer x, or any other non-ordered-set aggregate without DISTINCT,
 * FILTER or ORDER BY (sum, avg, min, max, ...). count kinds keep a plain
 * counter (and an int64 hash set per group for DISTINCT); the others step the
 * registry's transition functions (types/agg.h) with the argument's Value, so
 * their results, overflow errors (22003) and result types are exactly the
 * row aggregate's. An argument, FILTER or group key that is an expression over
 * fact columns is evaluated batch-wise (vec_expr.h; a batch that raises an
 * error is stepped tuple by tuple with eval.c instead); other expressions
 * with eval_expr over the columns they read.
 *
 * Invariants
 *   1. Groups are emitted in order of first appearance in the tuple stream,
 *      as the row aggregate does.
 *   2. Group keys compare as value_equal: int64 equality for integer-like
 *      columns, bytes for text/varchar, value_equal for everything else; the
 *      hash follows the same split, so equal keys hash alike (keys of one
 *      output column all share its type).
 *   3. Group keys and states live in es->a; the per-row scratch arena is reset
 *      after each batch of tuples.
 *
 * See vec.h and src/exec/README.md ("Vectorized pipeline").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec/vec_int.h"
#include "types/compare.h"
#include "types/numeric.h"
#include "util/assert.h"

/* VA_CASE_COUNTED: sum/avg of the CASE idiom over exact types (below). */
enum { VA_COUNT_STAR, VA_COUNT, VA_COUNT_DISTINCT, VA_GENERIC, VA_ORDERED, VA_SUM_INT, VA_CASE_COUNTED };
enum { VK_INT, VK_TEXT, VK_OTHER };
/* How a group key is compared: by its dimension row's key code, by the int64
 * of a batch column, or as a Value. */
enum { CODE_LEVEL, CODE_INT, CODE_NONE };

#define VEC_GROUP_KEYS_MAX 16
#define VEC_AGGS_MAX 32

/* An open-addressing set of int64 values (count(DISTINCT x) of one group),
 * linear probing, at most half full (3/4 took 14% more instructions in q02:
 * a new value's probe sequence grows fast with the load). A slot holds a
 * value with its sign bit flipped, so 0 marks an empty slot (zeroed memory is
 * an empty table) and the type's minimum, whose flipped form is 0, is only
 * flagged. Slots are 4 bytes while every value fits an int32 (an int2/int4
 * column's always do), then 8: with int64 values and a "used" byte each,
 * q02's 1,098 sets of about 600 users made its first run in a process take
 * 14.6K page faults (8.2K now). */
typedef struct IntSet {
    void *slots;      /* uint32_t[cap], or uint64_t[cap] when is_wide */
    size_t cap;       /* 0 or a power of two */
    size_t count;     /* values in slots (has_minimum not included) */
    bool is_wide;     /* 8-byte slots: a value outside int32 was added */
    bool has_minimum; /* INT32_MIN (narrow) or INT64_MIN (wide) was added */
} IntSet;

/* The inputs of an ordered-set aggregate in one group, with their arrival
 * numbers (ties sort in arrival order, as the row aggregate does). */
typedef struct SeqValue {
    Value value;
    size_t seq;
} SeqValue;

typedef struct ValueBuffer {
    int64_t *ints; /* integer inputs: just the values (first_int keeps the type) */
    Value first_int;
    SeqValue *values;
    size_t count;
    size_t cap;
} ValueBuffer;

typedef struct VecGroup {
    Value *keys;
    int64_t *codes; /* per key (CODE_LEVEL, CODE_INT) */
    int64_t *counts;
    int64_t *sums; /* VA_SUM_INT: the int8 accumulator (counts: inputs seen) */
    void **states;
    IntSet *sets;
    ValueBuffer *buffers; /* per VA_ORDERED aggregate: its inputs, sorted at the end */
    uint64_t hash;        /* of the group key (hash_keys / hash_one) */
    uint64_t first_seq;   /* parallel runs: where the group first appeared (VecAgg.seq) */
    int owner;            /* parallel merge: 0 = the leader's group, w = worker w's */
} VecGroup;

/* CASE WHEN <boolean column> THEN <constant> [ELSE <constant>] END, the
 * conditional-aggregate idiom (sum(CASE WHEN bounced THEN 1 ELSE 0 END)):
 * picked per tuple without evaluating the expression. */
typedef struct CaseBool {
    VecSource cond;
    Value then_value;
    Value else_value;
} CaseBool;

typedef struct VecAgg {
    int group_count;
    VecSource key_src[VEC_GROUP_KEYS_MAX];
    int key_kind[VEC_GROUP_KEYS_MAX];
    int key_code[VEC_GROUP_KEYS_MAX];   /* CODE_* */
    int32_t *level_code[VEC_JOINS_MAX]; /* per build row: equal group columns, equal code */
    int32_t level_distinct[VEC_JOINS_MAX]; /* codes are 0 .. level_distinct - 1 */
    /* Direct group map: when every group key comes from dimension levels and the
     * product of their distinct counts is small, the tuple's group is
     * direct[sum of code * stride] (NULL until the group appears). */
    VecGroup **direct;
    int direct_levels[VEC_JOINS_MAX];
    int64_t direct_stride[VEC_JOINS_MAX];
    int direct_level_count;
    /* One integer group key from the fact batch may join the direct map as a
     * cache: values in [direct_int_base, + direct_int_span) index it (the base
     * set by the first value seen, facts come in time order), others and NULL
     * go through the hash table. -1 = none. */
    int direct_int_column;
    int64_t direct_int_base;
    uint64_t direct_int_span;
    int64_t direct_int_stride;
    bool direct_int_based;
    size_t hash_capacity;
    int agg_count;
    int kind[VEC_AGGS_MAX];
    bool arg_is_column[VEC_AGGS_MAX];
    VecSource arg_src[VEC_AGGS_MAX];
    bool arg_is_case[VEC_AGGS_MAX];
    CaseBool arg_case[VEC_AGGS_MAX];
    bool *expr_needed; /* columns read by expression arguments and filters (NULL: none) */
    Value *row;        /* the join tree's row, expr_needed columns filled */
    /* Expression arguments and FILTERs over fact columns, evaluated batch-wise
     * (vec_expr.h) into arg_vec / filter_vec before the batch's tuples are
     * stepped; batch_vx is false for a batch whose evaluation raised an error
     * (it is then stepped tuple by tuple with eval.c, which raises the row
     * aggregate's error). */
    VecExpr *arg_vx[VEC_AGGS_MAX];
    VecExpr *filter_vx[VEC_AGGS_MAX];
    const Vector *arg_vec[VEC_AGGS_MAX];
    const Vector *filter_vec[VEC_AGGS_MAX];
    bool has_filter[VEC_AGGS_MAX];
    /* Group keys that are expressions over fact columns (GROUP BY a % 3):
     * evaluated batch-wise into key_vec before the tuples are grouped. */
    VecExpr *key_vx[VEC_GROUP_KEYS_MAX];
    const Vector *key_vec[VEC_GROUP_KEYS_MAX];
    SqlType key_type[VEC_GROUP_KEYS_MAX];
    bool has_key_vx;
    int *batch_of; /* the join tree's output column -> batch column, -1 = a dimension's */
    bool has_vx;
    bool all_vx; /* every expression argument and filter has a VecExpr */
    bool batch_vx;
    VecGroup **groups;
    size_t group_total, group_cap;
    int *slots; /* group index per slot, -1 = empty */
    uint64_t *group_hash;
    size_t slot_mask;
    uint64_t *hashes; /* per tuple of the current batch */
    VecGroup **tuple_groups; /* per tuple of the current batch (columnar stepping) */
    bool columnar;           /* every aggregate is a counter or an int8 sum: step_columns */
    Value *out_row; /* vec_agg_next's output row (reused: parents copy what they keep) */
    size_t pos;
    size_t direct_size;      /* entries of direct */
    /* Stream position of the tuple being aggregated: the batch's claim ticket
     * (parallel scans) in the high bits, then a running tuple count; ordering
     * groups by the position of their first tuple gives the serial order. */
    uint64_t seq;
    uint64_t tuples_seen;
    /* One text group key read from the fact batch (text_group): a per-batch
     * cache from a string's (pointer, length) to its group; NULL until used. */
    bool text_key;
    struct TextSlot *text_cache;
    /* Past work_mem (spill_limit bytes of this thread's arena beyond spill_base,
     * 0 = never) a GROUP BY stops and sets *overflow (shared by the parallel
     * workers' copies): vec_agg_next then hands the statement to the spilling
     * row aggregate (exec_agg_fall_back), which reads its input afresh. */
    size_t spill_limit, spill_base;
    int *overflow;
} VecAgg;

/* text_group's cache entry; group NULL = empty. */
typedef struct TextSlot {
    const char *ptr;
    uint32_t len;
    VecGroup *group;
} TextSlot;

#define VEC_TEXT_CACHE_SLOTS 256

#define VEC_SEQ_TICKET_SHIFT 40

static int nomem(ExecState *es, Error *err)
{
    return arena_error(es->a, err);
}

static int key_kind_of(SqlType t)
{
    if (t.id == TYPE_INT2 || t.id == TYPE_INT4 || t.id == TYPE_INT8 || t.id == TYPE_DATE ||
        t.id == TYPE_TIMESTAMP || t.id == TYPE_TIMESTAMPTZ || t.id == TYPE_TIME) {
        return VK_INT;
    }
    return t.id == TYPE_TEXT || t.id == TYPE_VARCHAR ? VK_TEXT : VK_OTHER;
}

static int agg_kind(const AggCall *a)
{
    const AggDef *def = a->match.def;
    if (a->order_count > 0 || (a->filter != NULL && !vec_expr_supported(a->filter))) {
        return -1;
    }
    if (def->is_ordered_set) {
        return a->arg_count <= 2 && !a->is_distinct ? VA_ORDERED : -1;
    }
    if (a->arg_count > 1) {
        return -1;
    }
    bool is_count = strcmp(def->name, "count") == 0;
    if (is_count && (a->is_star || a->arg_count == 0)) {
        return a->is_distinct ? -1 : VA_COUNT_STAR;
    }
    if (is_count && a->is_distinct) {
        return key_kind_of(a->args[0]->type) == VK_INT ? VA_COUNT_DISTINCT : -1;
    }
    if (a->is_distinct) {
        return -1;
    }
    if (strcmp(def->name, "sum") == 0 && a->arg_count == 1 &&
        (a->match.arg_targets[0].id == TYPE_INT2 || a->match.arg_targets[0].id == TYPE_INT4) &&
        (a->args[0]->type.id == TYPE_INT2 || a->args[0]->type.id == TYPE_INT4)) {
        /* sum(int2/int4): an int8 accumulator kept here, as the registry's sum_step
         * (PostgreSQL's int4_sum): bigint result, 22003 only past the bigint range. */
        return VA_SUM_INT;
    }
    return is_count ? VA_COUNT : VA_GENERIC;
}

static bool has_sublink(const Expr *e)
{
    if (e == NULL) {
        return false;
    }
    if (e->kind == EXPR_SUBLINK) {
        return true;
    }
    for (int a = 0; a < e->arg_count; a++) {
        if (has_sublink(e->args[a])) {
            return true;
        }
    }
    return has_sublink(e->arg);
}

/* Whether every column e reads comes from the fact scan's batch. */
static bool reads_fact_only(const Expr *e, const VecPipe *vp)
{
    if (e == NULL) {
        return true;
    }
    if (e->kind == EXPR_COLUMN &&
        (e->index < 0 || e->index >= vp->width || vp->layout[e->index].level >= 0)) {
        return false;
    }
    for (int a = 0; a < e->arg_count; a++) {
        if (!reads_fact_only(e->args[a], vp)) {
            return false;
        }
    }
    return reads_fact_only(e->arg, vp);
}

bool vec_agg_applies(const PlanNode *agg, const VecPipe *vp)
{
    if (agg->group_count > VEC_GROUP_KEYS_MAX || agg->agg_count > VEC_AGGS_MAX) {
        return false;
    }
    for (int g = 0; g < agg->group_count; g++) {
        const Expr *e = agg->group_exprs[g];
        if (e->kind != EXPR_COLUMN &&
            (!vec_expr_supported(e) || !reads_fact_only(e, vp))) {
            return false;
        }
    }
    for (int k = 0; k < agg->agg_count; k++) {
        const AggCall *a = agg->aggs[k];
        if (agg_kind(a) < 0) {
            return false;
        }
        for (int j = 0; j < a->arg_count; j++) {
            if (has_sublink(a->args[j])) {
                return false;
            }
        }
    }
    return true;
}

static void mark(const Expr *e, bool *needed, int width)
{
    if (e == NULL) {
        return;
    }
    if (e->kind == EXPR_COLUMN && e->index >= 0 && e->index < width) {
        needed[e->index] = true;
    }
    for (int a = 0; a < e->arg_count; a++) {
        mark(e->args[a], needed, width);
    }
    mark(e->arg, needed, width);
}

static bool same_type(SqlType a, SqlType b)
{
    return a.id == b.id && a.typmod == b.typmod;
}

static bool case_bool_of(const Expr *e, const VecPipe *vp, CaseBool *out)
{
    if (e->kind != EXPR_CASE || e->arg != NULL || e->arg_count != (e->has_else ? 3 : 2)) {
        return false;
    }
    const Expr *cond = e->args[0], *then_e = e->args[1];
    const Expr *else_e = e->has_else ? e->args[2] : NULL;
    if (cond->kind != EXPR_COLUMN || cond->type.id != TYPE_BOOL || cond->index < 0 ||
        cond->index >= vp->width || then_e->kind != EXPR_CONST ||
        !same_type(then_e->type, e->type) ||
        (else_e != NULL && (else_e->kind != EXPR_CONST || !same_type(else_e->type, e->type)))) {
        return false;
    }
    out->cond = vp->layout[cond->index];
    out->then_value = then_e->value;
    out->then_value.type = e->type;
    out->else_value = else_e != NULL ? else_e->value : value_null(e->type);
    out->else_value.type = e->type;
    return true;
}

/* sum/avg of CASE WHEN b THEN c1 ELSE c2 END over an exact type (integers,
 * numeric): the group counts the tuples taking each branch, and the final
 * adds c1 and c2 that many times through the registry (one step, then
 * combines of doubling partial states), so the state ends as if stepped per
 * tuple: exact addition does not depend on the order (bounce rates, q04). */
static bool case_counted_ok(const AggCall *a)
{
    const AggDef *def = a->match.def;
    TypeId t = a->args[0]->type.id;
    return def->combine != NULL && def->strict &&
           (strcmp(def->name, "sum") == 0 || strcmp(def->name, "avg") == 0) &&
           (t == TYPE_INT2 || t == TYPE_INT4 || t == TYPE_INT8 || t == TYPE_NUMERIC);
}

/* Compiles the expression arguments and FILTERs that read only fact (batch)
 * columns for batch-wise evaluation. */
static int compile_exprs(ExecNode *n, VecAgg *va, Error *err)
{
    ExecState *es = n->es;
    VecPipe *vp = n->vec;
    const PlanNode *p = n->p;
    if (va->expr_needed == NULL || !es->env->vectorize || p->left->column_count != vp->width) {
        return STRATA_OK;
    }
    const int *batch_of = va->batch_of;
    va->all_vx = true;
    for (int k = 0; k < p->agg_count; k++) {
        const AggCall *a = p->aggs[k];
        bool expr_arg = a->arg_count >= 1 && !va->arg_is_column[k] && !va->arg_is_case[k];
        int rc = STRATA_OK;
        if (expr_arg) {
            rc = vec_expr_compile(es, a->args[0], p->left->column_types, batch_of, vp->width,
                                  &va->arg_vx[k], err);
            va->all_vx &= va->arg_vx[k] != NULL;
        }
        if (rc == STRATA_OK && a->filter != NULL) {
            rc = vec_expr_compile(es, a->filter, p->left->column_types, batch_of, vp->width,
                                  &va->filter_vx[k], err);
            va->all_vx &= va->filter_vx[k] != NULL;
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        va->has_vx |= va->arg_vx[k] != NULL || va->filter_vx[k] != NULL;
    }
    return STRATA_OK;
}

/* Evaluates the batch-wise arguments and filters over the current tuples;
 * batch_vx says whether they are in arg_vec / filter_vec. */
static void eval_exprs(ExecNode *n, VecAgg *va, Error *err)
{
    VecPipe *vp = n->vec;
    va->batch_vx = false;
    if (!va->has_vx) {
        return;
    }
    for (int k = 0; k < va->agg_count; k++) {
        int rc = STRATA_OK;
        if (va->filter_vx[k] != NULL) {
            rc = vec_expr_eval(va->filter_vx[k], n->es, n->corr, vp->batch, vp->cur.rows,
                               vp->cur.count, &va->filter_vec[k], err);
        }
        if (rc == STRATA_OK && va->arg_vx[k] != NULL) {
            rc = vec_expr_eval(va->arg_vx[k], n->es, n->corr, vp->batch, vp->cur.rows,
                               vp->cur.count, &va->arg_vec[k], err);
        }
        if (rc != STRATA_OK) {
            error_clear(err); /* step tuple by tuple: vec_expr.h, "Errors" */
            return;
        }
    }
    va->batch_vx = true;
}

static int agg_compile(ExecNode *n, VecAgg **out, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    VecPipe *vp = n->vec;
    VecAgg *va = arena_zalloc(es->a, sizeof(VecAgg));
    if (va == NULL ||
        (va->row = arena_zalloc(es->a, sizeof(Value) * (size_t)(vp->width + 1))) == NULL) {
        return nomem(es, err);
    }
    va->group_count = p->group_count;
    if ((va->batch_of = arena_alloc(es->a, sizeof(int) * (size_t)(vp->width + 1))) == NULL) {
        return nomem(es, err);
    }
    for (int c = 0; c < vp->width; c++) {
        va->batch_of[c] = vp->layout[c].level < 0 ? vp->layout[c].column : -1;
    }
    for (int g = 0; g < p->group_count; g++) {
        const Expr *ge = p->group_exprs[g];
        va->key_type[g] = ge->type;
        if (ge->kind != EXPR_COLUMN) {
            int rc = vec_expr_compile(es, ge, p->left->column_types, va->batch_of, vp->width,
                                      &va->key_vx[g], err);
            if (rc != STRATA_OK) {
                return rc;
            }
            ST_ASSERT(va->key_vx[g] != NULL); /* vec_agg_applies checked it */
            va->has_key_vx = true;
            va->key_src[g] = (VecSource){-1, -1};
            va->key_kind[g] = key_kind_of(ge->type);
            va->key_code[g] = va->key_kind[g] == VK_INT ? CODE_INT : CODE_NONE;
            continue;
        }
        va->key_src[g] = vp->layout[p->group_exprs[g]->index];
        va->key_kind[g] = key_kind_of(p->group_exprs[g]->type);
        va->key_code[g] = va->key_src[g].level >= 0   ? CODE_LEVEL
                          : va->key_kind[g] == VK_INT ? CODE_INT
                                                      : CODE_NONE;
    }
    va->text_key = p->group_count == 1 && va->key_vx[0] == NULL && va->key_src[0].level < 0 &&
                   va->key_kind[0] == VK_TEXT;
    va->agg_count = p->agg_count;
    for (int k = 0; k < p->agg_count; k++) {
        const AggCall *a = p->aggs[k];
        va->kind[k] = agg_kind(a);
        if (a->arg_count >= 1 && a->args[0]->kind == EXPR_COLUMN) {
            va->arg_is_column[k] = true;
            va->arg_src[k] = vp->layout[a->args[0]->index];
        } else if (a->arg_count >= 1 && case_bool_of(a->args[0], vp, &va->arg_case[k])) {
            va->arg_is_case[k] = true;
            if (va->kind[k] == VA_GENERIC && case_counted_ok(a)) {
                va->kind[k] = VA_CASE_COUNTED;
            }
        } else if (a->arg_count >= 1) {
            if (va->expr_needed == NULL &&
                (va->expr_needed = arena_zalloc(es->a, (size_t)vp->width + 1)) == NULL) {
                return nomem(es, err);
            }
            mark(a->args[0], va->expr_needed, vp->width);
        }
        if (a->filter != NULL) {
            va->has_filter[k] = true;
            if (va->expr_needed == NULL &&
                (va->expr_needed = arena_zalloc(es->a, (size_t)vp->width + 1)) == NULL) {
                return nomem(es, err);
            }
            mark(a->filter, va->expr_needed, vp->width);
        }
    }
    int rc = compile_exprs(n, va, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    size_t slots = 1024;
    va->slots = arena_alloc(es->a, sizeof(int) * slots);
    if (va->slots == NULL) {
        return nomem(es, err);
    }
    memset(va->slots, 0xff, sizeof(int) * slots);
    va->slot_mask = slots - 1;
    *out = va;
    return STRATA_OK;
}

/* ---- groups ------------------------------------------------------------------------------- */

static uint64_t value_key_hash(const Value *v, int kind)
{
    if (v->is_null) {
        return 0x5bd1e995u;
    }
    if (kind == VK_INT) {
        return hash_u64((uint64_t)v->i64);
    }
    if (kind == VK_TEXT) {
        return value_hash(v);
    }
    return value_hash(v);
}

static bool key_equal(const Value *a, const Value *b, int kind)
{
    if (a->is_null || b->is_null) {
        return a->is_null == b->is_null;
    }
    if (kind == VK_INT) {
        return a->i64 == b->i64;
    }
    if (kind == VK_TEXT) {
        return a->str.len == b->str.len && memcmp(a->str.ptr, b->str.ptr, a->str.len) == 0;
    }
    return value_equal(a, b);
}

/* The code of key g for tuple i (CODE_LEVEL, CODE_INT); *is_null for a NULL batch value. */
/* The vector of a group key read from the fact batch (a column or an expression's result). */
static inline const Vector *key_vector(const VecAgg *va, const VecPipe *vp, int g)
{
    return va->key_vx[g] != NULL ? va->key_vec[g] : &vp->batch->columns[va->key_src[g].column];
}

/* Group key g of tuple i as a Value. */
static inline void key_value(const VecAgg *va, const VecPipe *vp, int g, int i, Value *out)
{
    if (va->key_vx[g] != NULL) {
        vec_expr_value(va->key_vec[g], vp->cur.rows[i], va->key_type[g], out);
        return;
    }
    vec_source_value(vp, &vp->cur, i, va->key_src[g], out);
}

static int64_t key_code_of(const VecAgg *va, const VecPipe *vp, int g, int i, bool *is_null)
{
    VecSource s = va->key_src[g];
    *is_null = false;
    if (va->key_code[g] == CODE_LEVEL) {
        return va->level_code[s.level][vp->cur.match[s.level][i]];
    }
    const Vector *v = key_vector(va, vp, g);
    int r = vp->cur.rows[i];
    *is_null = v->nulls != NULL && v->nulls[r] != 0;
    return *is_null ? 0 : v->i64[r];
}

/* Hashes of every tuple's group key, key by key. */
static void hash_keys(VecAgg *va, const VecPipe *vp)
{
    const VecTuples *t = &vp->cur;
    for (int i = 0; i < t->count; i++) {
        va->hashes[i] = 0x12345;
    }
    for (int g = 0; g < va->group_count; g++) {
        VecSource s = va->key_src[g];
        if (va->key_code[g] == CODE_LEVEL) {
            const int32_t *code = va->level_code[s.level];
            const int *match = t->match[s.level];
            for (int i = 0; i < t->count; i++) {
                if (i + VEC_PREFETCH_AHEAD < t->count) {
                    __builtin_prefetch(&code[match[i + VEC_PREFETCH_AHEAD]]);
                }
                va->hashes[i] = hash_combine(va->hashes[i], hash_u64((uint64_t)code[match[i]]));
            }
            continue;
        }
        if (va->key_code[g] == CODE_INT) {
            const Vector *v = key_vector(va, vp, g);
            for (int i = 0; i < t->count; i++) {
                int r = t->rows[i];
                uint64_t h = v->nulls != NULL && v->nulls[r] ? 0x5bd1e995u
                                                             : hash_u64((uint64_t)v->i64[r]);
                va->hashes[i] = hash_combine(va->hashes[i], h);
            }
            continue;
        }
        for (int i = 0; i < t->count; i++) {
            Value key;
            key_value(va, vp, g, i, &key);
            va->hashes[i] = hash_combine(va->hashes[i], value_key_hash(&key, va->key_kind[g]));
        }
    }
}

#define VEC_DIRECT_GROUPS_MAX 65536

/* The direct group map (VecAgg.direct), when every group key is a level code
 * and the codes' combinations number at most VEC_DIRECT_GROUPS_MAX. */
static int direct_map_init(ExecState *es, VecAgg *va, const VecPipe *vp, Error *err)
{
    va->direct_int_column = -1;
    if (va->group_count == 0) {
        return STRATA_OK;
    }
    int int_keys = 0;
    for (int g = 0; g < va->group_count; g++) {
        /* (an expression key, vec_expr.h, is no batch column: it hashes) */
        if (va->key_code[g] == CODE_INT && va->key_src[g].level < 0 && va->key_vx[g] == NULL &&
            int_keys++ == 0) {
            va->direct_int_column = va->key_src[g].column;
            continue;
        }
        if (va->key_code[g] != CODE_LEVEL) {
            va->direct_int_column = -1;
            return STRATA_OK;
        }
    }
    int64_t total = 1;
    va->direct_level_count = 0;
    for (int l = 0; l < vp->level_count; l++) {
        if (va->level_code[l] == NULL) {
            continue;
        }
        va->direct_levels[va->direct_level_count] = l;
        va->direct_stride[va->direct_level_count++] = total;
        total *= va->level_distinct[l] > 0 ? va->level_distinct[l] : 1;
        if (total > VEC_DIRECT_GROUPS_MAX) {
            va->direct_level_count = 0;
            return STRATA_OK;
        }
    }
    if (va->direct_int_column >= 0) {
        /* The integer key's span: what keeps the map within the plain one's bound. */
        va->direct_int_stride = total;
        va->direct_int_span = (uint64_t)(VEC_DIRECT_GROUPS_MAX / total);
        if (va->direct_int_span < 64) {
            va->direct_level_count = 0;
            va->direct_int_column = -1;
            return STRATA_OK;
        }
        total *= (int64_t)va->direct_int_span;
    }
    if ((va->direct = arena_zalloc(es->a, sizeof(VecGroup *) * (size_t)total)) == NULL) {
        return nomem(es, err);
    }
    va->direct_size = (size_t)total;
    return STRATA_OK;
}

/* The direct map's part for the integer fact key of batch row r (offset from
 * the base times its stride); false when the key is NULL or outside the span. */
static inline bool direct_int_part(VecAgg *va, const Vector *v, int r, int64_t *part)
{
    if (v->nulls != NULL && v->nulls[r]) {
        return false;
    }
    if (!va->direct_int_based) {
        /* A little room below the first value: later ones may be smaller. */
        va->direct_int_base = (int64_t)((uint64_t)v->i64[r] - va->direct_int_span / 8);
        va->direct_int_based = true;
    }
    uint64_t offset = (uint64_t)v->i64[r] - (uint64_t)va->direct_int_base;
    if (offset >= va->direct_int_span) {
        return false;
    }
    *part = (int64_t)offset * va->direct_int_stride;
    return true;
}

/* The direct map slot of tuple i, or NULL when its integer key is NULL or
 * outside the map's span. */
static inline VecGroup **direct_slot(VecAgg *va, const VecPipe *vp, int i)
{
    int64_t at = 0;
    for (int d = 0; d < va->direct_level_count; d++) {
        int l = va->direct_levels[d];
        at += va->level_code[l][vp->cur.match[l][i]] * va->direct_stride[d];
    }
    if (va->direct_int_column >= 0) {
        const Vector *v = &vp->batch->columns[va->direct_int_column];
        int64_t part;
        if (!direct_int_part(va, v, vp->cur.rows[i], &part)) {
            return NULL;
        }
        at += part;
    }
    return &va->direct[at];
}

/* The hash of tuple i's group key (what hash_keys computes for every tuple):
 * with the direct map, only tuples that start a group need it. */
static uint64_t hash_one(const VecAgg *va, const VecPipe *vp, int i)
{
    const VecTuples *t = &vp->cur;
    uint64_t h = 0x12345;
    for (int g = 0; g < va->group_count; g++) {
        VecSource s = va->key_src[g];
        if (va->key_code[g] == CODE_LEVEL) {
            h = hash_combine(h, hash_u64((uint64_t)va->level_code[s.level][t->match[s.level][i]]));
        } else if (va->key_code[g] == CODE_INT) {
            const Vector *v = key_vector(va, vp, g);
            int r = t->rows[i];
            h = hash_combine(h, v->nulls != NULL && v->nulls[r] ? 0x5bd1e995u
                                                                : hash_u64((uint64_t)v->i64[r]));
        } else {
            Value key;
            key_value(va, vp, g, i, &key);
            h = hash_combine(h, value_key_hash(&key, va->key_kind[g]));
        }
    }
    return h;
}

/* Codes for the build rows of every level that group keys come from: rows
 * whose group columns are equal (value_equal, NULLs equal) share a code,
 * numbered densely from 0 in order of first appearance. */
static int level_codes(ExecState *es, VecAgg *va, const VecPipe *vp, Error *err)
{
    for (int l = 0; l < vp->level_count; l++) {
        int cols[VEC_GROUP_KEYS_MAX], kinds[VEC_GROUP_KEYS_MAX], ncols = 0;
        for (int g = 0; g < va->group_count; g++) {
            if (va->key_code[g] == CODE_LEVEL && va->key_src[g].level == l) {
                cols[ncols] = va->key_src[g].column;
                kinds[ncols++] = va->key_kind[g];
            }
        }
        if (ncols == 0) {
            continue;
        }
        const RowList *rows = &vp->levels[l].rows;
        size_t cap = 16;
        while (cap < rows->count * 2) {
            cap *= 2;
        }
        int *slots = arena_alloc(es->a, sizeof(int) * cap);
        int32_t *code = arena_alloc(es->a, sizeof(int32_t) * (rows->count + 1));
        int32_t *dense_of = arena_alloc(es->a, sizeof(int32_t) * (rows->count + 1));
        uint64_t *hash = arena_alloc(es->a, sizeof(uint64_t) * (rows->count + 1));
        int32_t distinct = 0;
        if (slots == NULL || code == NULL || dense_of == NULL || hash == NULL) {
            return nomem(es, err);
        }
        memset(slots, 0xff, sizeof(int) * cap);
        /* Interned rows (vec_join.c): equal rows share one array, so its code is
         * looked up by pointer first (a few distinct arrays for a million rows). */
        const Value **seen = NULL;
        int32_t *seen_code = NULL;
        size_t seen_mask = 0;
        if (vp->levels[l].interned) {
            size_t distinct_max = rows->count < 65536 ? rows->count : 65536;
            seen_mask = 15;
            while (seen_mask + 1 < distinct_max * 2) {
                seen_mask = seen_mask * 2 + 1;
            }
            seen = arena_zalloc(es->a, sizeof(Value *) * (seen_mask + 1));
            seen_code = arena_alloc(es->a, sizeof(int32_t) * (seen_mask + 1));
            if (seen == NULL || seen_code == NULL) {
                return nomem(es, err);
            }
        }
        for (size_t r = 0; r < rows->count; r++) {
            const Value *row = rows->rows[r];
            size_t s = 0;
            if (seen != NULL) {
                s = hash_u64((uint64_t)(uintptr_t)row) & seen_mask;
                while (seen[s] != NULL && seen[s] != row) {
                    s = (s + 1) & seen_mask;
                }
                if (seen[s] == row) {
                    code[r] = seen_code[s];
                    continue;
                }
            }
            uint64_t h = 0x12345;
            for (int c = 0; c < ncols; c++) {
                h = hash_combine(h, value_key_hash(&row[cols[c]], kinds[c]));
            }
            hash[r] = h;
            size_t j = h & (cap - 1);
            for (; slots[j] >= 0; j = (j + 1) & (cap - 1)) {
                const Value *other = rows->rows[slots[j]];
                bool equal = hash[slots[j]] == h;
                for (int c = 0; c < ncols && equal; c++) {
                    equal = key_equal(&other[cols[c]], &row[cols[c]], kinds[c]);
                }
                if (equal) {
                    break;
                }
            }
            if (slots[j] < 0) {
                slots[j] = (int)r;
                dense_of[r] = distinct++;
            }
            code[r] = dense_of[slots[j]];
            if (seen != NULL) {
                seen[s] = row;
                seen_code[s] = code[r];
            }
        }
        va->level_code[l] = code;
        va->level_distinct[l] = distinct;
    }
    return direct_map_init(es, va, vp, err);
}

static int group_new(ExecNode *n, VecAgg *va, const Value *keys, VecGroup **out, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    size_t ac = (size_t)p->agg_count + 1;
    /* One zeroed block for the group and its per-aggregate arrays (a rollup
     * makes tens of thousands of groups: seven allocations each were a fifth
     * of its aggregation). Each part starts at a multiple of 16 bytes (a
     * Value holds a 128-bit integer). */
    bool has_sets = false, has_buffers = false;
    for (int k = 0; k < p->agg_count; k++) {
        has_sets |= va->kind[k] == VA_COUNT_DISTINCT;
        has_buffers |= va->kind[k] == VA_ORDERED;
    }
    /* Sets and buffers only when an aggregate uses them (their accesses check
     * the kind): a rollup's 37,861 groups were 25 MB of zeroed pages. */
    size_t parts[7] = {sizeof(VecGroup), sizeof(int64_t) * ac, sizeof(int64_t) * ac,
                       sizeof(void *) * ac, has_sets ? sizeof(IntSet) * ac : 0,
                       has_buffers ? sizeof(ValueBuffer) * ac : 0,
                       sizeof(int64_t) * (size_t)va->group_count};
    size_t bytes = 0;
    for (int part = 0; part < 7; part++) {
        parts[part] = (parts[part] + 15) & ~(size_t)15;
        bytes += parts[part];
    }
    uint8_t *block = arena_zalloc(es->a, bytes);
    if (block == NULL) {
        return nomem(es, err);
    }
    VecGroup *g = (VecGroup *)block;
    g->counts = (int64_t *)(block += parts[0]);
    g->sums = (int64_t *)(block += parts[1]);
    g->states = (void **)(block += parts[2]);
    g->sets = has_sets ? (IntSet *)(block + parts[3]) : NULL;
    block += parts[3];
    g->buffers = has_buffers ? (ValueBuffer *)(block + parts[4]) : NULL;
    block += parts[4];
    block += parts[5];
    if (va->group_count > 0) {
        g->codes = (int64_t *)block;
        if ((g->keys = row_copy(es->a, keys, va->group_count)) == NULL) {
            return nomem(es, err);
        }
    }
    for (int k = 0; k < p->agg_count; k++) {
        if (va->kind[k] == VA_GENERIC || va->kind[k] == VA_ORDERED ||
            va->kind[k] == VA_CASE_COUNTED) {
            const AggMatch *m = &p->aggs[k]->match;
            if ((g->states[k] = arena_zalloc(es->a, m->def->state_size + 16)) == NULL) {
                return nomem(es, err);
            }
            agg_init(m, g->states[k]);
        }
    }
    *out = g;
    return STRATA_OK;
}

static int slots_grow(ExecState *es, VecAgg *va, Error *err)
{
    size_t slots = (va->slot_mask + 1) * 4;
    int *ns = arena_alloc(es->a, sizeof(int) * slots);
    if (ns == NULL) {
        return nomem(es, err);
    }
    memset(ns, 0xff, sizeof(int) * slots);
    for (size_t gi = 0; gi < va->group_total; gi++) {
        size_t j = va->group_hash[gi] & (slots - 1);
        while (ns[j] >= 0) {
            j = (j + 1) & (slots - 1);
        }
        ns[j] = (int)gi;
    }
    va->slots = ns;
    va->slot_mask = slots - 1;
    return STRATA_OK;
}

/* Appends group g with hash h at free slot `slot` of the table. */
static int group_append(ExecState *es, VecAgg *va, VecGroup *g, uint64_t h, size_t slot,
                        Error *err)
{
    if (va->group_total == va->group_cap) {
        size_t cap = va->group_cap ? va->group_cap * 2 : 256;
        VecGroup **ng = arena_alloc(es->a, sizeof(VecGroup *) * cap);
        uint64_t *nh = arena_alloc(es->a, sizeof(uint64_t) * cap);
        if (ng == NULL || nh == NULL) {
            return nomem(es, err);
        }
        if (va->group_total > 0) {
            memcpy(ng, va->groups, sizeof(VecGroup *) * va->group_total);
            memcpy(nh, va->group_hash, sizeof(uint64_t) * va->group_total);
        }
        va->groups = ng;
        va->group_hash = nh;
        va->group_cap = cap;
    }
    va->groups[va->group_total] = g;
    va->group_hash[va->group_total] = h;
    va->slots[slot] = (int)va->group_total;
    va->group_total++;
    if (va->group_total * 2 > va->slot_mask + 1) {
        return slots_grow(es, va, err);
    }
    return STRATA_OK;
}

static int group_add(ExecNode *n, VecAgg *va, const Value *keys, uint64_t h, size_t slot,
                     VecGroup **out, Error *err)
{
    int rc = group_new(n, va, keys, out, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    (*out)->hash = h;
    (*out)->first_seq = va->seq;
    return group_append(n->es, va, *out, h, slot, err);
}

static int group_find(ExecNode *n, VecAgg *va, int i, VecGroup **out, Error *err)
{
    const VecPipe *vp = n->vec;
    int64_t codes[VEC_GROUP_KEYS_MAX];
    bool nulls[VEC_GROUP_KEYS_MAX];
    Value keys[VEC_GROUP_KEYS_MAX];
    for (int g = 0; g < va->group_count; g++) {
        if (va->key_code[g] == CODE_NONE) {
            key_value(va, vp, g, i, &keys[g]);
        } else {
            codes[g] = key_code_of(va, vp, g, i, &nulls[g]);
        }
    }
    uint64_t h = va->hashes[i];
    size_t j = h & va->slot_mask;
    for (; va->slots[j] >= 0; j = (j + 1) & va->slot_mask) {
        int gi = va->slots[j];
        if (va->group_hash[gi] != h) {
            continue;
        }
        const VecGroup *g = va->groups[gi];
        bool equal = true;
        for (int k = 0; k < va->group_count && equal; k++) {
            if (va->key_code[k] == CODE_NONE) {
                equal = key_equal(&g->keys[k], &keys[k], va->key_kind[k]);
            } else if (va->key_code[k] == CODE_INT) {
                equal = g->keys[k].is_null == nulls[k] && g->codes[k] == codes[k];
            } else {
                equal = g->codes[k] == codes[k];
            }
        }
        if (equal) {
            *out = va->groups[gi];
            return STRATA_OK;
        }
    }
    for (int g = 0; g < va->group_count; g++) {
        if (va->key_code[g] != CODE_NONE) {
            key_value(va, vp, g, i, &keys[g]);
        }
    }
    int rc = group_add(n, va, keys, h, j, out, err);
    if (rc == STRATA_OK) {
        for (int g = 0; g < va->group_count; g++) {
            (*out)->codes[g] = va->key_code[g] == CODE_NONE ? 0 : codes[g];
        }
    }
    return rc;
}

/* ---- stepping ----------------------------------------------------------------------------- */

enum { SET_NARROW_BIAS = 0x80000000u };
#define SET_WIDE_BIAS 0x8000000000000000ull

static size_t set_size(const IntSet *set)
{
    return set->count + (set->has_minimum ? 1 : 0);
}

/* Adds the flipped value u (not 0) to a table of cap slots; whether it was new. */
static inline bool slots_add_narrow(uint32_t *slots, size_t cap, uint32_t u)
{
    size_t j = hash_u64(u) & (cap - 1);
    for (; slots[j] != 0; j = (j + 1) & (cap - 1)) {
        if (slots[j] == u) {
            return false;
        }
    }
    slots[j] = u;
    return true;
}

static inline bool slots_add_wide(uint64_t *slots, size_t cap, uint64_t u)
{
    size_t j = hash_u64(u) & (cap - 1);
    for (; slots[j] != 0; j = (j + 1) & (cap - 1)) {
        if (slots[j] == u) {
            return false;
        }
    }
    slots[j] = u;
    return true;
}

/* The value in slot `at` (not empty). */
static int64_t set_slot_value(const IntSet *set, size_t at)
{
    if (set->is_wide) {
        return (int64_t)(((const uint64_t *)set->slots)[at] ^ SET_WIDE_BIAS);
    }
    return (int32_t)(((const uint32_t *)set->slots)[at] ^ SET_NARROW_BIAS);
}

/* Rehashes the set into a larger table, 8-byte slots when `widen`: fourfold
 * while small, so the many sets of q02's 1,098 groups (about 600 users each)
 * are rehashed four times on their way to 2,048 slots instead of eight, then
 * twofold. A narrow set's flagged INT32_MIN becomes an ordinary value when
 * widened. */
static int set_grow(ExecState *es, IntSet *set, bool widen, Error *err)
{
    size_t cap = set->cap;
    if (set->count * 2 >= set->cap) {
        cap = cap == 0 ? 8 : cap < 4096 ? cap * 4 : cap * 2;
    }
    bool is_wide = set->is_wide || widen;
    void *slots = arena_zalloc(es->a, cap * (is_wide ? 8 : 4));
    if (slots == NULL) {
        return nomem(es, err);
    }
    if (!set->is_wide && !is_wide) {
        /* The common case, narrow to narrow: the flipped words move as they are. */
        const uint32_t *old = set->slots;
        for (size_t at = 0; at < set->cap; at++) {
            if (old[at] != 0) {
                slots_add_narrow(slots, cap, old[at]);
            }
        }
    }
    for (size_t at = 0; at < set->cap && is_wide; at++) {
        bool full = set->is_wide ? ((const uint64_t *)set->slots)[at] != 0
                                 : ((const uint32_t *)set->slots)[at] != 0;
        if (full) {
            slots_add_wide(slots, cap, (uint64_t)set_slot_value(set, at) ^ SET_WIDE_BIAS);
        }
    }
    if (is_wide && !set->is_wide && set->has_minimum) {
        slots_add_wide(slots, cap, (uint64_t)(int64_t)INT32_MIN ^ SET_WIDE_BIAS);
        set->has_minimum = false;
        set->count++;
    }
    set->slots = slots;
    set->cap = cap;
    set->is_wide = is_wide;
    return STRATA_OK;
}

/* Adds v to the set (count(DISTINCT)); the probe is inline, growth is not. */
static inline int set_insert(ExecState *es, IntSet *set, int64_t v, Error *err)
{
    /* One add and shift tell an int32 (the usual case) before is_wide is read. */
    bool widen = ((uint64_t)v + UINT64_C(0x80000000)) >> 32 != 0 && !set->is_wide;
    if (set->count * 2 >= set->cap || widen) {
        int rc = set_grow(es, set, widen, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (set->is_wide) {
        uint64_t u = (uint64_t)v ^ SET_WIDE_BIAS;
        if (u == 0) {
            set->has_minimum = true;
        } else {
            set->count += slots_add_wide(set->slots, set->cap, u);
        }
        return STRATA_OK;
    }
    uint32_t u = (uint32_t)v ^ SET_NARROW_BIAS;
    if (u == 0) {
        set->has_minimum = true;
    } else {
        set->count += slots_add_narrow(set->slots, set->cap, u);
    }
    return STRATA_OK;
}

static bool is_int_type_id(TypeId id)
{
    return id == TYPE_INT2 || id == TYPE_INT4 || id == TYPE_INT8;
}

static bool is_int_value(const Value *v)
{
    return is_int_type_id(v->type.id);
}

static int buffer_push(ExecState *es, ValueBuffer *b, const Value *v, Error *err)
{
    if (is_int_value(v) && (b->count == 0 || b->ints != NULL)) {
        /* Integer inputs (all of one column's type) are kept as 8 bytes each. */
        if (b->count == b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 64;
            int64_t *ints = arena_alloc(es->a, sizeof(int64_t) * cap);
            if (ints == NULL) {
                return nomem(es, err);
            }
            if (b->count > 0) {
                memcpy(ints, b->ints, sizeof(int64_t) * b->count);
            }
            b->ints = ints;
            b->cap = cap;
            b->first_int = *v;
        }
        b->ints[b->count++] = v->i64;
        return STRATA_OK;
    }
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        SeqValue *values = arena_alloc(es->a, sizeof(SeqValue) * cap);
        if (values == NULL) {
            return nomem(es, err);
        }
        if (b->count > 0) {
            memcpy(values, b->values, sizeof(SeqValue) * b->count);
        }
        b->values = values;
        b->cap = cap;
    }
    bool has_bytes = type_phys(v->type.id) == PHYS_STRING ||
                     (type_phys(v->type.id) == PHYS_DECIMAL && numeric_is_big(&v->dec));
    Value *kept = has_bytes ? row_copy(es->a, v, 1) : NULL;
    if (has_bytes && kept == NULL) {
        return nomem(es, err);
    }
    b->values[b->count].value = kept != NULL ? *kept : *v;
    b->values[b->count].seq = b->count;
    b->count++;
    return STRATA_OK;
}

/* Ascending by value; equal values keep their arrival order. */
static int buffer_compare(const void *x, const void *y)
{
    const SeqValue *a = x, *b = y;
    int cmp = value_compare(&a->value, &b->value);
    if (cmp != 0) {
        return cmp;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts values ascending: LSD radix sort, 16 bits a pass, skipping passes
 * where every value has the same digit (small ranges take one or two). */
static int sort_int64(ExecState *es, int64_t *values, size_t count, Error *err)
{
    uint64_t *a = (uint64_t *)values;
    uint64_t *tmp = arena_alloc(es->a, sizeof(uint64_t) * count);
    size_t *counts = arena_alloc(es->a, sizeof(size_t) * 65536);
    if (tmp == NULL || counts == NULL) {
        return nomem(es, err);
    }
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t r = 0; r < count; r++) {
        a[r] ^= 1ULL << 63; /* signed order = unsigned order of the flipped values */
        lo = a[r] < lo ? a[r] : lo;
        hi = a[r] > hi ? a[r] : hi;
    }
    for (int shift = 0; shift < 64; shift += 16) {
        if (count == 0 || ((lo ^ hi) >> shift) == 0) {
            break; /* every value has the same digits from here up: sorted */
        }
        memset(counts, 0, sizeof(size_t) * 65536);
        for (size_t r = 0; r < count; r++) {
            counts[(a[r] >> shift) & 0xffff]++;
        }
        if (counts[(a[0] >> shift) & 0xffff] == count) {
            continue;
        }
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = counts[d];
            counts[d] = sum;
            sum += c;
        }
        for (size_t r = 0; r < count; r++) {
            tmp[counts[(a[r] >> shift) & 0xffff]++] = a[r];
        }
        memcpy(a, tmp, sizeof(uint64_t) * count);
    }
    for (size_t r = 0; r < count; r++) {
        a[r] ^= 1ULL << 63;
    }
    return STRATA_OK;
}

/* The value at position index of ints[0..count) in ascending order: one
 * counting pass over a histogram when the values span a small range (load
 * times, quantities), else a sort. */
static int select_int64(ExecState *es, int64_t *ints, size_t count, size_t index, int64_t *out,
                        Error *err)
{
    int64_t lo = ints[0], hi = ints[0];
    for (size_t r = 1; r < count; r++) {
        lo = ints[r] < lo ? ints[r] : lo;
        hi = ints[r] > hi ? ints[r] : hi;
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span >= (1u << 22) || span > 16 * (uint64_t)count + 65536) {
        int rc = sort_int64(es, ints, count, err);
        *out = ints[index];
        return rc;
    }
    uint32_t *counts = arena_zalloc(es->a, sizeof(uint32_t) * (size_t)(span + 1));
    if (counts == NULL) {
        return nomem(es, err);
    }
    for (size_t r = 0; r < count; r++) {
        counts[(uint64_t)ints[r] - (uint64_t)lo]++;
    }
    size_t seen = 0;
    for (uint64_t d = 0; d <= span; d++) {
        seen += counts[d];
        if (seen > index) {
            *out = (int64_t)((uint64_t)lo + d);
            return STRATA_OK;
        }
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, "percentile position %zu past %zu values",
                     index, count);
}

/* percentile_disc(f) over integers: the first value whose cumulative share
 * reaches f (index ceil(f * count) - 1 in ascending order), as the registry's
 * final computes it; a NULL fraction gives NULL, one outside [0, 1] 22003. */
static int percentile_disc_ints(ExecNode *n, const AggCall *a, int64_t *ints, size_t count,
                                Value value, Value *out, Error *err)
{
    Value f;
    EvalCtx ctx = {n->es, NULL, n->corr};
    int rc = eval_expr(a->args[1], &ctx, &f, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (f.is_null || count == 0) {
        *out = value_null(value.type);
        return STRATA_OK;
    }
    double fraction = f.f64; /* the binder casts the fraction to float8 */
    if (isnan(fraction) || fraction < 0 || fraction > 1) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                         "percentile value %g is not between 0 and 1", fraction);
    }
    int64_t index = (int64_t)ceil(fraction * (double)count) - 1;
    *out = value;
    out->is_null = false;
    return select_int64(n->es, ints, count, index < 0 ? 0 : (size_t)index, &out->i64, err);
}

/* Sorts the buffered inputs of ordered-set aggregate k and steps them, then the final. */
static int ordered_final(ExecNode *n, VecGroup *g, int k, Value *out, Error *err)
{
    ExecState *es = n->es;
    const AggCall *a = n->p->aggs[k];
    ValueBuffer *b = &g->buffers[k];
    FuncContext keep = es->fctx;
    keep.arena = es->a;
    int rc;
    if (b->ints != NULL) {
        /* Integers sort as a plain int64 array (equal ones are
         * indistinguishable, so arrival order does not matter). */
        int64_t *ints = b->ints;
        Value v = b->first_int;
        if (strcmp(a->match.def->name, "percentile_disc") == 0 && a->arg_count == 2 &&
            a->args[1]->type.id == TYPE_FLOAT8) {
            /* Only one input is the answer: select it instead of sorting and
             * stepping them all. */
            return percentile_disc_ints(n, a, ints, b->count, v, out, err);
        }
        if ((rc = sort_int64(es, ints, b->count, err)) != STRATA_OK) {
            return rc;
        }
        for (size_t r = 0; r < b->count; r++) {
            v.i64 = ints[r];
            if ((rc = agg_step(&a->match, g->states[k], &v, &keep, err)) != STRATA_OK) {
                return rc;
            }
        }
        b->count = 0;
    } else if (b->count > 1) {
        qsort(b->values, b->count, sizeof(SeqValue), buffer_compare);
    }
    for (size_t r = 0; r < b->count; r++) {
        if ((rc = agg_step(&a->match, g->states[k], &b->values[r].value, &keep, err)) !=
            STRATA_OK) {
            return rc;
        }
    }
    Value direct[1];
    int nd = 0;
    if (a->arg_count > 1) {
        EvalCtx ctx = {es, NULL, n->corr};
        if ((rc = eval_expr(a->args[1], &ctx, &direct[0], err)) != STRATA_OK) {
            return rc;
        }
        nd = 1;
    }
    return agg_final(&a->match, g->states[k], direct, nd, out, &keep, err);
}

static int arg_value(ExecNode *n, VecAgg *va, int k, int i, Value *out, Error *err)
{
    const VecPipe *vp = n->vec;
    if (va->arg_is_column[k]) {
        vec_source_value(vp, &vp->cur, i, va->arg_src[k], out);
        return STRATA_OK;
    }
    if (va->arg_is_case[k]) {
        const CaseBool *cb = &va->arg_case[k];
        Value cond;
        vec_source_value(vp, &vp->cur, i, cb->cond, &cond);
        *out = !cond.is_null && cond.b ? cb->then_value : cb->else_value;
        return STRATA_OK;
    }
    if (va->batch_vx && va->arg_vx[k] != NULL) {
        vec_expr_value(va->arg_vec[k], vp->cur.rows[i], vec_expr_type(va->arg_vx[k]), out);
        return STRATA_OK;
    }
    EvalCtx ctx = {n->es, va->row, n->corr};
    return eval_expr(n->p->aggs[k]->args[0], &ctx, out, err);
}

/* Whether tuple i passes aggregate k's FILTER (as eval_qual: TRUE only). */
static int filter_pass(ExecNode *n, VecAgg *va, int k, int i, bool *pass, Error *err)
{
    const Expr *filter = n->p->aggs[k]->filter;
    *pass = true;
    if (filter == NULL) {
        return STRATA_OK;
    }
    if (va->batch_vx && va->filter_vx[k] != NULL) {
        const Vector *v = va->filter_vec[k];
        int r = n->vec->cur.rows[i];
        *pass = !vector_is_null(v, r) && v->b[r];
        return STRATA_OK;
    }
    EvalCtx ctx = {n->es, va->row, n->corr};
    return eval_qual(filter, &ctx, pass, err);
}

static int step_tuple(ExecNode *n, VecAgg *va, VecGroup *g, int i, Error *err)
{
    const VecPipe *vp = n->vec;
    int rc;
    if (va->expr_needed != NULL && !(va->batch_vx && va->all_vx)) {
        for (int c = 0; c < vp->width; c++) {
            if (va->expr_needed[c]) {
                vec_source_value(vp, &vp->cur, i, vp->layout[c], &va->row[c]);
            }
        }
    }
    for (int k = 0; k < va->agg_count; k++) {
        bool pass;
        if ((rc = filter_pass(n, va, k, i, &pass, err)) != STRATA_OK) {
            return rc;
        }
        if (!pass) {
            continue;
        }
        if (va->kind[k] == VA_COUNT_STAR) {
            g->counts[k]++;
            continue;
        }
        if (va->kind[k] == VA_CASE_COUNTED) {
            Value cond;
            vec_source_value(vp, &vp->cur, i, va->arg_case[k].cond, &cond);
            if (!cond.is_null && cond.b) {
                g->counts[k]++; /* THEN */
            } else {
                g->sums[k]++; /* ELSE (a NULL condition too) */
            }
            continue;
        }
        Value v;
        if ((rc = arg_value(n, va, k, i, &v, err)) != STRATA_OK) {
            return rc;
        }
        const AggCall *a = n->p->aggs[k];
        if (v.is_null && (va->kind[k] != VA_GENERIC || a->match.def->strict)) {
            continue;
        }
        if (va->kind[k] == VA_COUNT) {
            g->counts[k]++;
        } else if (va->kind[k] == VA_SUM_INT) {
            g->counts[k]++;
            if (__builtin_add_overflow(g->sums[k], v.i64, &g->sums[k])) {
                return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
            }
        } else if (va->kind[k] == VA_ORDERED) {
            if ((rc = buffer_push(n->es, &g->buffers[k], &v, err)) != STRATA_OK) {
                return rc;
            }
        } else if (va->kind[k] == VA_COUNT_DISTINCT) {
            if ((rc = set_insert(n->es, &g->sets[k], v.i64, err)) != STRATA_OK) {
                return rc;
            }
        } else {
            FuncContext keep = n->es->fctx;
            keep.arena = n->es->a;
            if ((rc = agg_step(&a->match, g->states[k], &v, &keep, err)) != STRATA_OK) {
                return rc;
            }
        }
    }
    return STRATA_OK;
}

/* Steps value into state `times` times through the registry: one step into
 * a fresh partial state, then combines of doubling copies of it. */
static int step_repeated(ExecState *es, const AggMatch *m, void *state, const Value *value,
                         int64_t times, FuncContext *keep, Error *err)
{
    if (times == 0 || value->is_null) {
        return STRATA_OK; /* strict: NULL inputs are skipped */
    }
    size_t size = m->def->state_size + 16;
    void *unit = arena_zalloc(es->a, size), *copy = arena_zalloc(es->a, size);
    if (unit == NULL || copy == NULL) {
        return nomem(es, err);
    }
    agg_init(m, unit);
    int rc = agg_step(m, unit, value, keep, err);
    while (rc == STRATA_OK && times > 0) {
        if (times & 1) {
            rc = agg_combine(m, state, unit, keep, err);
        }
        times >>= 1;
        if (rc == STRATA_OK && times > 0) {
            memcpy(copy, unit, size); /* sum/avg states are plain values */
            rc = agg_combine(m, unit, copy, keep, err);
        }
    }
    return rc;
}

/* ---- the PLAN_AGG node -------------------------------------------------------------------- */

/* The output row of group gi into out[column_count]: keys and finals. Done
 * as vec_agg_next hands the row out (a rollup's 37,861 rows were 12 MB of
 * fresh pages when made all at once), so a final's error comes with its
 * group's row, as PostgreSQL's hash aggregate finalizes group by group. */
static int agg_finish(ExecNode *n, VecAgg *va, size_t gi, Value *out, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = n->p;
    VecGroup *g = va->groups[gi];
    for (int c = 0; c < p->group_count; c++) {
        out[c] = g->keys[c];
    }
    for (int k = 0; k < p->agg_count; k++) {
        Value *r = &out[p->group_count + k];
        if (va->kind[k] == VA_ORDERED) {
            int rc = ordered_final(n, g, k, r, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        } else if (va->kind[k] == VA_GENERIC || va->kind[k] == VA_CASE_COUNTED) {
            FuncContext keep = es->fctx;
            keep.arena = es->a;
            const AggMatch *m = &p->aggs[k]->match;
            int rc = STRATA_OK;
            if (va->kind[k] == VA_CASE_COUNTED &&
                ((rc = step_repeated(es, m, g->states[k], &va->arg_case[k].then_value,
                                     g->counts[k], &keep, err)) != STRATA_OK ||
                 (rc = step_repeated(es, m, g->states[k], &va->arg_case[k].else_value,
                                     g->sums[k], &keep, err)) != STRATA_OK)) {
                return rc;
            }
            rc = agg_final(m, g->states[k], NULL, 0, r, &keep, err);
            if (rc != STRATA_OK) {
                return rc;
            }
        } else if (va->kind[k] == VA_SUM_INT) {
            *r = g->counts[k] == 0 ? value_null(sql_type(TYPE_INT8))
                                   : value_i64(TYPE_INT8, g->sums[k]);
        } else {
            *r = (Value){.is_null = false};
            r->i64 =
                va->kind[k] == VA_COUNT_DISTINCT ? (int64_t)set_size(&g->sets[k]) : g->counts[k];
        }
    }
    for (int c = 0; c < p->column_count; c++) {
        out[c].type = p->column_types[c];
    }
    return STRATA_OK;
}

/* Whether every aggregate only counts or adds integers (count, count(*), sum
 * of integers, the counted CASE idiom) over columns or the CASE idiom: they
 * are then stepped aggregate by aggregate over the batch (step_columns). Each
 * still sees the tuples in order, and the only error they raise is 22003
 * "bigint out of range", so the first error is the one tuple order gives. */
static bool columnar_ok(const VecAgg *va, const PlanNode *agg)
{
    if (va->expr_needed != NULL) {
        return false;
    }
    for (int k = 0; k < va->agg_count; k++) {
        if (va->filter_vx[k] != NULL || va->has_filter[k]) {
            return false;
        }
        /* Ordered-set aggregates and count(DISTINCT) of an integer column only
         * buffer or hash their inputs (an error there is 53200, out of memory). */
        bool int_ordered = (va->kind[k] == VA_ORDERED || va->kind[k] == VA_COUNT_DISTINCT) &&
                           va->arg_is_column[k] &&
                           is_int_type_id(agg->aggs[k]->args[0]->type.id);
        if (va->kind[k] != VA_COUNT_STAR && va->kind[k] != VA_COUNT && va->kind[k] != VA_SUM_INT &&
            va->kind[k] != VA_CASE_COUNTED && !int_ordered) {
            return false;
        }
    }
    return true;
}

/* The argument of aggregate k for tuple i (a column or the CASE idiom). */
static inline Value tuple_arg(const VecAgg *va, const VecPipe *vp, int k, int i)
{
    Value v;
    if (va->arg_is_case[k]) {
        const CaseBool *cb = &va->arg_case[k];
        Value cond;
        vec_source_value(vp, &vp->cur, i, cb->cond, &cond);
        return !cond.is_null && cond.b ? cb->then_value : cb->else_value;
    }
    vec_source_value(vp, &vp->cur, i, va->arg_src[k], &v);
    return v;
}

/* Steps the batch's tuples into their groups (tuple_groups), one aggregate at a time. */
/* The fact batch's vector behind source s when it holds integers (or, with
 * want_bool, booleans), read as vec_source_value would: NULL otherwise (a
 * dimension column, another type). The loops below read it directly instead
 * of making a Value per tuple (star q04: a third of its aggregation). */
static inline const Vector *fact_vector(const VecPipe *vp, VecSource s, bool want_bool)
{
    if (s.level >= 0) {
        return NULL;
    }
    const Vector *v = &vp->batch->columns[s.column];
    return type_phys(v->type.id) == (want_bool ? PHYS_BOOL : PHYS_I64) ? v : NULL;
}

/* step_columns' loops over a fact vector (fact_vector): true when done. */
static bool step_fact_vector(ExecState *es, VecAgg *va, const VecPipe *vp, int k, int *rc,
                             Error *err)
{
    VecGroup **gs = va->tuple_groups;
    const uint16_t *rows = vp->cur.rows;
    int count = vp->cur.count;
    *rc = STRATA_OK;
    if (va->kind[k] == VA_CASE_COUNTED) {
        const Vector *v = fact_vector(vp, va->arg_case[k].cond, true);
        if (v == NULL) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            int r = rows[i];
            bool taken = v->b[r] && (v->nulls == NULL || v->nulls[r] == 0);
            gs[i]->counts[k] += taken;  /* THEN */
            gs[i]->sums[k] += !taken;   /* ELSE (a NULL condition too) */
        }
        return true;
    }
    if (va->arg_is_case[k]) {
        return false;
    }
    const Vector *v = fact_vector(vp, va->arg_src[k], false);
    if (v == NULL || (va->kind[k] != VA_COUNT_DISTINCT && va->kind[k] != VA_SUM_INT &&
                      va->kind[k] != VA_ORDERED)) {
        return false;
    }
    if (va->kind[k] == VA_SUM_INT) {
        /* The kind and vectors in locals: the stores into the groups could alias va. */
        const int64_t *ints = v->i64;
        const uint8_t *nulls = v->nulls;
        for (int i = 0; i < count; i++) {
            int r = rows[i];
            if (nulls != NULL && nulls[r] != 0) {
                continue;
            }
            VecGroup *g = gs[i];
            g->counts[k]++;
            if (__builtin_add_overflow(g->sums[k], ints[r], &g->sums[k])) {
                *rc = error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
                return true;
            }
        }
        return true;
    }
    for (int i = 0; i < count; i++) {
        int r = rows[i];
        if (v->nulls != NULL && v->nulls[r] != 0) {
            continue;
        }
        VecGroup *g = gs[i];
        if (va->kind[k] == VA_ORDERED) {
            ValueBuffer *b = &g->buffers[k];
            if (b->ints != NULL && b->count < b->cap) {
                b->ints[b->count++] = v->i64[r]; /* buffer_push's integer case, inline */
                continue;
            }
            Value value = {.type = vp->batch_types[va->arg_src[k].column], .i64 = v->i64[r]};
            if ((*rc = buffer_push(es, b, &value, err)) != STRATA_OK) {
                return true;
            }
            continue;
        }
        if (va->kind[k] == VA_COUNT_DISTINCT) {
            if ((*rc = set_insert(es, &g->sets[k], v->i64[r], err)) != STRATA_OK) {
                return true;
            }
            continue;
        }
        g->counts[k]++;
        if (__builtin_add_overflow(g->sums[k], v->i64[r], &g->sums[k])) {
            *rc = error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
            return true;
        }
    }
    return true;
}

static int step_columns(ExecState *es, VecAgg *va, const VecPipe *vp, Error *err)
{
    VecGroup **gs = va->tuple_groups;
    int count = vp->cur.count;
    for (int k = 0; k < va->agg_count; k++) {
        int fast_rc;
        if (step_fact_vector(es, va, vp, k, &fast_rc, err)) {
            if (fast_rc != STRATA_OK) {
                return fast_rc;
            }
            continue;
        }
        switch (va->kind[k]) {
        case VA_COUNT_STAR:
            for (int i = 0; i < count; i++) {
                gs[i]->counts[k]++;
            }
            break;
        case VA_CASE_COUNTED:
            for (int i = 0; i < count; i++) {
                Value cond;
                vec_source_value(vp, &vp->cur, i, va->arg_case[k].cond, &cond);
                if (!cond.is_null && cond.b) {
                    gs[i]->counts[k]++; /* THEN */
                } else {
                    gs[i]->sums[k]++; /* ELSE (a NULL condition too) */
                }
            }
            break;
        case VA_COUNT:
            for (int i = 0; i < count; i++) {
                gs[i]->counts[k] += !tuple_arg(va, vp, k, i).is_null;
            }
            break;
        case VA_COUNT_DISTINCT:
            for (int i = 0; i < count; i++) {
                Value v = tuple_arg(va, vp, k, i);
                int rc = v.is_null ? STRATA_OK : set_insert(es, &gs[i]->sets[k], v.i64, err);
                if (rc != STRATA_OK) {
                    return rc;
                }
            }
            break;
        case VA_ORDERED:
            for (int i = 0; i < count; i++) {
                Value v = tuple_arg(va, vp, k, i);
                ValueBuffer *b = &gs[i]->buffers[k];
                if (v.is_null) {
                    continue;
                }
                if (b->ints != NULL && b->count < b->cap) {
                    b->ints[b->count++] = v.i64; /* buffer_push's integer case, inline */
                    continue;
                }
                int rc = buffer_push(es, b, &v, err);
                if (rc != STRATA_OK) {
                    return rc;
                }
            }
            break;
        default: /* VA_SUM_INT */
            for (int i = 0; i < count; i++) {
                Value v = tuple_arg(va, vp, k, i);
                if (v.is_null) {
                    continue;
                }
                gs[i]->counts[k]++;
                if (__builtin_add_overflow(gs[i]->sums[k], v.i64, &gs[i]->sums[k])) {
                    return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                                     "bigint out of range");
                }
            }
            break;
        }
    }
    return STRATA_OK;
}

/* The expression group keys over tuples sel[0..count-1] into key_vec. */
static int eval_keys(ExecNode *n, VecAgg *va, const uint16_t *sel, int count, Error *err)
{
    for (int g = 0; g < va->group_count; g++) {
        int rc = va->key_vx[g] == NULL ? STRATA_OK
                                       : vec_expr_eval(va->key_vx[g], n->es, n->corr, n->vec->batch,
                                                       sel, count, &va->key_vec[g], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* The group of tuple i when the only group key is a text column of the fact
 * batch (q06's referrer): a dictionary-encoded segment decodes equal strings
 * to one copy of their bytes, so a batch's tuples mostly repeat a few
 * (pointer, length) pairs, and a small cache of them (cleared per batch, as
 * the pointers are only the batch's) skips hashing and comparing the bytes.
 * A pair seen before in the batch has the same bytes, so the same group. */
static int text_group(ExecNode *n, VecAgg *va, int i, VecGroup **out, Error *err)
{
    const VecPipe *vp = n->vec;
    const Vector *v = &vp->batch->columns[va->key_src[0].column];
    int r = vp->cur.rows[i];
    /* NULL: a pair no string has (a length of UINT32_MAX). */
    StrRef s = v->nulls != NULL && v->nulls[r] ? (StrRef){NULL, UINT32_MAX} : v->str[r];
    uint64_t mix = ((uint64_t)(uintptr_t)s.ptr ^ ((uint64_t)s.len << 48)) * 0x9E3779B97F4A7C15ull;
    TextSlot *e = &va->text_cache[mix >> 56];
    if (e->group != NULL && e->ptr == s.ptr && e->len == s.len) {
        *out = e->group;
        return STRATA_OK;
    }
    va->hashes[i] = hash_one(va, vp, i);
    int rc = group_find(n, va, i, out, err);
    if (rc == STRATA_OK) {
        *e = (TextSlot){.ptr = s.ptr, .len = s.len, .group = *out};
    }
    return rc;
}

/* A batch whose expression keys raised an error, tuple by tuple as the row
 * aggregate goes: the tuple's keys (a one-row evaluation follows eval.c's
 * order), its group, then its aggregates, so the first error is the row
 * aggregate's. */
static int agg_single(ExecNode *n, VecAgg *va, Error *err)
{
    VecPipe *vp = n->vec;
    uint64_t seq_base = (vp->ticket << VEC_SEQ_TICKET_SHIFT) + va->tuples_seen;
    for (int i = 0; i < vp->cur.count; i++) {
        VecGroup *g;
        va->seq = seq_base + (uint64_t)i;
        int rc = eval_keys(n, va, &vp->cur.rows[i], 1, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        va->hashes[i] = hash_one(va, vp, i);
        if ((rc = group_find(n, va, i, &g, err)) != STRATA_OK ||
            (rc = step_tuple(n, va, g, i, err)) != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* A tuple whose direct slot is empty or missing: agg_consume's general way
 * (its hash, first-appearance seq, group_find); the group goes into the slot. */
static int direct_miss(ExecNode *n, VecAgg *va, int i, uint64_t seq_base, VecGroup **slot,
                       VecGroup **out, Error *err)
{
    va->hashes[i] = hash_one(va, n->vec, i);
    va->seq = seq_base + (uint64_t)i;
    int rc = group_find(n, va, i, out, err);
    if (rc == STRATA_OK && slot != NULL) {
        *slot = *out;
    }
    return rc;
}

/* The direct map offset of tuple i from its level codes (the first stride is
 * 1; one or two levels, the usual star, without the loop). */
static inline int64_t direct_codes_at(int levels, const int32_t *const *codes,
                                      const int *const *match, const int64_t *stride, int i)
{
    if (levels == 1) {
        return codes[0][match[0][i]];
    }
    if (levels == 2) {
        return codes[0][match[0][i]] + codes[1][match[1][i]] * stride[1];
    }
    int64_t at = 0;
    for (int d = 0; d < levels; d++) {
        at += codes[d][match[d][i]] * stride[d];
    }
    return at;
}

/* The groups of a batch's tuples into tuple_groups through the direct map
 * (every group key a dimension level's code, star q04 and q07, or with one
 * integer fact key, q02 and q03): a tuple's slot is a sum of code * stride,
 * read with the code and match arrays in locals, and only a slot still empty
 * (a group's first tuple) takes agg_consume's general way (hash, group_find,
 * first-appearance seq), as does a tuple whose integer key has no slot (NULL,
 * outside the span). The general loop spent 45 instructions a tuple on q04. */
static int direct_groups(ExecNode *n, VecAgg *va, uint64_t seq_base, Error *err)
{
    const VecPipe *vp = n->vec;
    const VecTuples *t = &vp->cur;
    const int32_t *codes[VEC_JOINS_MAX];
    const int *match[VEC_JOINS_MAX];
    int64_t stride[VEC_JOINS_MAX];
    int levels = va->direct_level_count;
    /* The codes of a million-row dimension (q07's users) are far bigger than
     * the caches: fetched a few tuples ahead, as hash_keys does. */
    int far = -1;
    for (int d = 0; d < levels; d++) {
        int l = va->direct_levels[d];
        codes[d] = va->level_code[l];
        match[d] = t->match[l];
        stride[d] = va->direct_stride[d];
        far = vp->levels[l].rows.count > 16384 ? d : far;
    }
    VecGroup **direct = va->direct, **groups = va->tuple_groups;
    int count = t->count, rc;
    if (va->direct_int_column >= 0) {
        /* Two loops rather than a test per tuple: -O2 does not unswitch loops. */
        const Vector *iv = &vp->batch->columns[va->direct_int_column];
        for (int i = 0; i < count; i++) {
            int64_t part;
            VecGroup **slot = direct_int_part(va, iv, t->rows[i], &part)
                                  ? &direct[direct_codes_at(levels, codes, match, stride, i) + part]
                                  : NULL;
            VecGroup *g = slot != NULL ? *slot : NULL;
            if (g == NULL && (rc = direct_miss(n, va, i, seq_base, slot, &g, err)) != STRATA_OK) {
                return rc;
            }
            groups[i] = g;
        }
        return STRATA_OK;
    }
    int ahead_end = far >= 0 ? count - VEC_PREFETCH_AHEAD : 0;
    for (int i = 0; i < count; i++) {
        if (i < ahead_end) {
            __builtin_prefetch(&codes[far][match[far][i + VEC_PREFETCH_AHEAD]]);
        }
        VecGroup **slot = &direct[direct_codes_at(levels, codes, match, stride, i)];
        VecGroup *g = *slot;
        if (g == NULL && (rc = direct_miss(n, va, i, seq_base, slot, &g, err)) != STRATA_OK) {
            return rc;
        }
        groups[i] = g;
    }
    return STRATA_OK;
}

/* The aggregation loop: every tuple of the pipeline into the group table.
 * (A parallel run calls it on every thread, each with its own node and VecAgg.) */
static int agg_consume(ExecNode *n, void *state, Error *err)
{
    VecAgg *va = state;
    ExecState *es = n->es;
    VecPipe *vp = n->vec;
    int rc;
    va->spill_base = arena_used_bytes(es->a);
    for (;;) {
        if ((rc = vec_next_tuples(vp, es, n->corr, err)) != STRATA_OK) {
            return rc;
        }
        if (vp->cur.count == 0) {
            break;
        }
        if ((size_t)vp->cur.count > va->hash_capacity) {
            /* Joins with duplicate keys can make more tuples than a batch has rows. */
            va->hash_capacity = (size_t)vp->cur.capacity;
            if ((va->hashes = arena_alloc(es->a, sizeof(uint64_t) * va->hash_capacity)) == NULL ||
                (va->tuple_groups = arena_alloc(es->a, sizeof(VecGroup *) * va->hash_capacity)) ==
                    NULL) {
                return nomem(es, err);
            }
        }
        bool single = false;
        if (va->has_key_vx && eval_keys(n, va, vp->cur.rows, vp->cur.count, err) != STRATA_OK) {
            error_clear(err);
            single = true; /* tuple by tuple: the row aggregate's error (vec_expr.h) */
        }
        if (single) {
            va->batch_vx = false;
            if ((rc = agg_single(n, va, err)) != STRATA_OK) {
                return rc;
            }
            va->tuples_seen += (uint64_t)vp->cur.count;
            exec_scratch_reset(es);
            continue;
        }
        bool text = va->text_key && n->p->is_grouped && va->direct == NULL;
        if (text && va->text_cache == NULL &&
            (va->text_cache = arena_alloc(es->a, sizeof(TextSlot) * VEC_TEXT_CACHE_SLOTS)) == NULL) {
            return nomem(es, err);
        }
        if (text) {
            memset(va->text_cache, 0, sizeof(TextSlot) * VEC_TEXT_CACHE_SLOTS);
        } else if (n->p->is_grouped && va->direct == NULL) {
            hash_keys(va, vp);
        }
        eval_exprs(n, va, err);
        uint64_t seq_base = (vp->ticket << VEC_SEQ_TICKET_SHIFT) + va->tuples_seen;
        /* The text key's loop apart: a branch in the general loop cost q02 4%. */
        for (int i = 0; text && i < vp->cur.count; i++) {
            VecGroup *g;
            va->seq = seq_base + (uint64_t)i;
            if ((rc = text_group(n, va, i, &g, err)) != STRATA_OK) {
                return rc;
            }
            if (va->columnar) {
                va->tuple_groups[i] = g;
            } else if ((rc = step_tuple(n, va, g, i, err)) != STRATA_OK) {
                return rc;
            }
        }
        bool by_codes = !text && va->direct != NULL && va->columnar && n->p->is_grouped;
        if (by_codes && (rc = direct_groups(n, va, seq_base, err)) != STRATA_OK) {
            return rc;
        }
        for (int i = 0; !text && !by_codes && i < vp->cur.count; i++) {
            VecGroup *g = n->p->is_grouped ? NULL : va->groups[0];
            VecGroup **slot = NULL;
            if (va->direct != NULL) {
                slot = direct_slot(va, vp, i);
                g = slot != NULL ? *slot : NULL;
                if (g == NULL) {
                    va->hashes[i] = hash_one(va, vp, i);
                }
            }
            va->seq = seq_base + (uint64_t)i;
            if (n->p->is_grouped && g == NULL && (rc = group_find(n, va, i, &g, err)) != STRATA_OK) {
                return rc;
            }
            if (slot != NULL) {
                *slot = g;
            }
            if (va->columnar) {
                va->tuple_groups[i] = g;
            } else if ((rc = step_tuple(n, va, g, i, err)) != STRATA_OK) {
                return rc;
            }
        }
        va->tuples_seen += (uint64_t)vp->cur.count;
        if (va->columnar && (rc = step_columns(es, va, vp, err)) != STRATA_OK) {
            return rc;
        }
        exec_scratch_reset(es);
        if (va->spill_limit > 0 && arena_used_bytes(es->a) - va->spill_base > va->spill_limit) {
            __atomic_store_n(va->overflow, 1, __ATOMIC_RELAXED);
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory"); /* not reported */
        }
        if (es->env->work_mem_bytes > 0 && arena_used_bytes(es->a) > exec_memory_cap_bytes(es)) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    }
    return STRATA_OK;
}

/* ---- parallel runs (vec_parallel.c) ------------------------------------------------------- */

/* Aggregates whose partial results merge exactly: counters, integer sums kept
 * in an int8, branch counts of the CASE idiom, and count(DISTINCT) sets. The
 * registry's generic states (float sums would round differently) and
 * ordered-set buffers (tie order) keep the serial path. */
static bool parallel_ok(const VecAgg *va, const VecPipe *vp)
{
    for (int k = 0; k < va->agg_count; k++) {
        if (va->kind[k] == VA_GENERIC || va->kind[k] == VA_ORDERED) {
            return false;
        }
    }
    for (int q = 0; q < vp->filter.rest_count; q++) {
        if (has_sublink(vp->filter.rest[q]) || vp->filter.rest_vx[q] != NULL) {
            return false; /* subplan caches are the leader's; so are batch filters' vectors */
        }
    }
    /* batch expressions (vec_expr.h) keep their result vectors in the VecAgg and
     * the filter, which a worker's copy would share: those runs stay serial */
    return va->expr_needed == NULL && !va->has_vx && !va->has_key_vx && !vp->filter.rest_batch;
}

/* A worker's VecAgg: the leader's compiled shape (dimension key codes are
 * shared, read only) with an empty group table in the worker's arena. */
static int agg_clone(ExecNode *wn, const VecAgg *leader, VecAgg **out, Error *err)
{
    ExecState *es = wn->es;
    VecAgg *va = arena_alloc(es->a, sizeof *va);
    size_t slots = 1024;
    if (va == NULL) {
        return nomem(es, err);
    }
    *va = *leader;
    va->groups = NULL;
    va->group_hash = NULL;
    va->group_total = va->group_cap = 0;
    va->hashes = NULL;
    va->tuple_groups = NULL;
    va->hash_capacity = 0;
    va->out_row = NULL;
    va->pos = 0;
    va->tuples_seen = 0;
    va->text_cache = NULL;
    va->slots = arena_alloc(es->a, sizeof(int) * slots);
    va->row = arena_zalloc(es->a, sizeof(Value) * (size_t)(wn->vec->width + 1));
    va->direct = leader->direct != NULL ? arena_zalloc(es->a, sizeof(VecGroup *) * leader->direct_size)
                                        : NULL;
    if (va->slots == NULL || va->row == NULL || (leader->direct != NULL && va->direct == NULL)) {
        return nomem(es, err);
    }
    memset(va->slots, 0xff, sizeof(int) * slots);
    va->slot_mask = slots - 1;
    VecGroup *single;
    int rc = wn->p->is_grouped ? STRATA_OK : group_add(wn, va, NULL, 0, 0, &single, err);
    *out = va;
    return rc;
}

/* dst = dst union src: the larger set is copied whole (into es->a), the
 * smaller inserted into it (the merge was a quarter of q02's parallel CPU
 * when every worker value was inserted one by one). */
static int set_union(ExecState *es, IntSet *dst, const IntSet *src, Error *err)
{
    IntSet small = *src;
    if (set_size(src) > set_size(dst)) {
        small = *dst;
        IntSet copy = *src;
        if (src->cap > 0) {
            copy.slots = arena_memdup(es->a, src->slots, src->cap * (src->is_wide ? 8 : 4));
            if (copy.slots == NULL) {
                return nomem(es, err);
            }
        }
        *dst = copy;
    }
    int rc = STRATA_OK;
    if (small.has_minimum) {
        rc = set_insert(es, dst, small.is_wide ? INT64_MIN : INT32_MIN, err);
    }
    for (size_t at = 0; at < small.cap && rc == STRATA_OK; at++) {
        bool full = small.is_wide ? ((const uint64_t *)small.slots)[at] != 0
                                  : ((const uint32_t *)small.slots)[at] != 0;
        rc = full ? set_insert(es, dst, set_slot_value(&small, at), err) : STRATA_OK;
    }
    return rc;
}

/* Adds src's partial results into dst (the leader's group). */
static int group_combine(ExecNode *n, const VecAgg *va, VecGroup *dst, const VecGroup *src,
                         Error *err)
{
    for (int k = 0; k < va->agg_count; k++) {
        dst->counts[k] += src->counts[k];
        if (va->kind[k] == VA_CASE_COUNTED) {
            dst->sums[k] += src->sums[k]; /* the ELSE branch's count */
        } else if (va->kind[k] == VA_SUM_INT &&
                   __builtin_add_overflow(dst->sums[k], src->sums[k], &dst->sums[k])) {
            return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
        }
        int rc = va->kind[k] == VA_COUNT_DISTINCT ? set_union(n->es, &dst->sets[k], &src->sets[k], err)
                                                  : STRATA_OK;
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* The leader's group with src's key (same hash, equal key), or NULL. */
static VecGroup *group_lookup(const VecAgg *va, const VecGroup *src, size_t *slot)
{
    size_t j = src->hash & va->slot_mask;
    for (; va->slots[j] >= 0; j = (j + 1) & va->slot_mask) {
        VecGroup *g = va->groups[va->slots[j]];
        bool equal = g->hash == src->hash;
        for (int k = 0; k < va->group_count && equal; k++) {
            if (va->key_code[k] == CODE_NONE) {
                equal = key_equal(&g->keys[k], &src->keys[k], va->key_kind[k]);
            } else if (va->key_code[k] == CODE_INT) {
                equal = g->keys[k].is_null == src->keys[k].is_null && g->codes[k] == src->codes[k];
            } else {
                equal = g->codes[k] == src->codes[k];
            }
        }
        if (equal) {
            return g;
        }
    }
    *slot = j;
    return NULL;
}

static int compare_first_seq(const void *x, const void *y)
{
    const VecGroup *a = *(VecGroup *const *)x, *b = *(VecGroup *const *)y;
    return a->first_seq < b->first_seq ? -1 : a->first_seq > b->first_seq;
}

/* Rebuilds the leader's group table from every thread's groups, in order of
 * first appearance in the serial tuple stream (invariant 1): a key seen by
 * several threads becomes one group at its earliest position, its partial
 * results added up; workers' groups are copied into the leader's arena. */
static int agg_merge(ExecNode *n, VecAgg *va, VecAgg **parts, int part_count, Error *err)
{
    ExecState *es = n->es;
    size_t total = 0;
    for (int w = 0; w < part_count; w++) {
        total += parts[w]->group_total;
    }
    VecGroup **all = arena_alloc(es->a, sizeof(VecGroup *) * (total + 1));
    if (all == NULL) {
        return nomem(es, err);
    }
    size_t at = 0;
    for (int w = 0; w < part_count; w++) {
        for (size_t gi = 0; gi < parts[w]->group_total; gi++) {
            parts[w]->groups[gi]->owner = w;
            all[at++] = parts[w]->groups[gi];
        }
    }
    qsort(all, total, sizeof(VecGroup *), compare_first_seq);
    va->groups = NULL;
    va->group_hash = NULL;
    va->group_total = va->group_cap = 0;
    memset(va->slots, 0xff, sizeof(int) * (va->slot_mask + 1));
    for (size_t index = 0; index < total; index++) {
        VecGroup *src = all[index], *dst;
        size_t slot = 0;
        dst = n->p->is_grouped ? group_lookup(va, src, &slot) : (va->group_total ? va->groups[0] : NULL);
        if (dst != NULL) {
            int rc = group_combine(n, va, dst, src, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            continue;
        }
        /* New key: a leader's group is kept as is, a worker's copied. */
        int rc;
        if (src->owner == 0) {
            rc = group_append(es, va, src, src->hash, slot, err);
        } else {
            va->seq = src->first_seq;
            rc = group_add(n, va, src->keys, src->hash, slot, &dst, err);
            if (rc == STRATA_OK && va->group_count > 0) {
                memcpy(dst->codes, src->codes, sizeof(int64_t) * (size_t)va->group_count);
            }
            if (rc == STRATA_OK) {
                rc = group_combine(n, va, dst, src, err);
            }
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* Runs agg_consume on the leader and the workers, then merges. */
static int agg_run_parallel(ExecNode *n, VecAgg *va, VecParallel *par, Error *err)
{
    int workers = vec_par_workers(par);
    void *states[VEC_PARALLEL_PARTS_MAX];
    VecAgg *parts[VEC_PARALLEL_PARTS_MAX];
    states[0] = parts[0] = va;
    for (int w = 0; w < workers; w++) {
        int rc = agg_clone(vec_par_node(par, w), va, &parts[w + 1], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        states[w + 1] = parts[w + 1];
    }
    int rc = vec_par_run(par, n, agg_consume, states, err);
    return rc == STRATA_OK ? agg_merge(n, va, parts, workers + 1, err) : rc;
}

static int agg_run(ExecNode *n, VecAgg *va, Error *err)
{
    ExecState *es = n->es;
    VecPipe *vp = n->vec;
    int rc;
    if (!n->p->is_grouped) {
        VecGroup *single;
        if ((rc = group_add(n, va, NULL, 0, 0, &single, err)) != STRATA_OK) {
            return rc;
        }
    }
    if ((rc = vec_pipe_start(vp, es, n->corr, err)) != STRATA_OK ||
        (rc = level_codes(es, va, vp, err)) != STRATA_OK) {
        return rc;
    }
    va->columnar = columnar_ok(va, n->p);
    VecParallel *par = NULL;
    if (parallel_ok(va, vp) && (rc = vec_par_begin(n, vp, &par, err)) != STRATA_OK) {
        return rc;
    }
    rc = par != NULL ? agg_run_parallel(n, va, par, err) : agg_consume(n, va, err);
    vec_par_end(par);
    return rc;
}

/* Whether e may be evaluated twice without the difference showing: no volatile
 * function, sequence or subquery (a fall-back reads the input again). */
static bool rerun_safe_expr(const Expr *e)
{
    if (e == NULL) {
        return true;
    }
    if (e->kind == EXPR_SUBLINK || e->kind == EXPR_SEQUENCE || e->sub != NULL ||
        (e->kind == EXPR_FUNC &&
         (e->fn == NULL || e->fn->volatility == VOLATILITY_VOLATILE || e->fn->set_fn != NULL))) {
        return false;
    }
    if (!rerun_safe_expr(e->arg)) {
        return false;
    }
    for (int k = 0; k < e->arg_count; k++) {
        if (!rerun_safe_expr(e->args[k])) {
            return false;
        }
    }
    return true;
}

static bool rerun_safe_list(Expr *const *list, int count)
{
    for (int k = 0; list != NULL && k < count; k++) {
        if (!rerun_safe_expr(list[k])) {
            return false;
        }
    }
    return true;
}

/* Whether the pipeline's input p (scans, joins, filters and projections) can
 * be read a second time with the same result. */
static bool rerun_safe_plan(const PlanNode *p)
{
    if (p == NULL) {
        return true;
    }
    if (p->kind != PLAN_SCAN && p->kind != PLAN_JOIN && p->kind != PLAN_FILTER &&
        p->kind != PLAN_PROJECT) {
        return false;
    }
    return rerun_safe_expr(p->qual) && rerun_safe_list(p->exprs, p->expr_count) &&
           rerun_safe_list(p->left_keys, p->key_count) &&
           rerun_safe_list(p->right_keys, p->key_count) && rerun_safe_plan(p->left) &&
           rerun_safe_plan(p->right);
}

/* When reading its input again changes nothing, the aggregate may hand the
 * statement over to the row executor (agg_spill_next over the row plan, whose
 * hash joins and GROUP BY spill): a GROUP BY past work_mem times
 * hash_mem_multiplier, and a join's build side past as much (vec_join.c). */
static void spill_setup(ExecNode *n, VecAgg *va)
{
    const PlanNode *p = n->p;
    ExecState *es = n->es;
    if (es->sub_depth > 0 || es->env->work_mem_bytes == 0 ||
        !rerun_safe_list(p->group_exprs, p->group_count) || !rerun_safe_plan(p->left)) {
        return;
    }
    for (int k = 0; k < p->agg_count; k++) {
        const AggCall *a = p->aggs[k];
        if (!rerun_safe_list(a->args, a->arg_count) || !rerun_safe_expr(a->filter)) {
            return;
        }
    }
    va->overflow = arena_zalloc(es->a, sizeof(int));
    if (va->overflow == NULL) {
        return;
    }
    /* PostgreSQL 15's hash_mem: work_mem times hash_mem_multiplier (2.0). */
    size_t hash_mem = es->env->work_mem_bytes * 2;
    va->spill_limit = p->is_grouped ? hash_mem : 0;
    n->vec->overflow = va->overflow;
    n->vec->build_limit = arena_used_bytes(es->a) + hash_mem;
}

int vec_agg_next(ExecNode *n, Value **row, Error *err)
{
    VecAgg *va = n->srf_state;
    if (!n->started) {
        n->started = true;
        int rc = agg_compile(n, &va, err);
        if (rc == STRATA_OK) {
            spill_setup(n, va);
            rc = agg_run(n, va, err);
        }
        if (rc != STRATA_OK && va != NULL && va->overflow != NULL && *va->overflow) {
            error_clear(err);
            if (n->vec->scan != NULL) {
                tam_scan_end(n->vec->scan_p->table->am, n->vec->scan);
                n->vec->scan = NULL;
            }
            return exec_agg_fall_back(n, row, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        n->srf_state = va;
    }
    if (va->pos >= va->group_total) {
        *row = NULL;
        return STRATA_OK;
    }
    if (va->out_row == NULL &&
        (va->out_row = arena_alloc(n->es->a, sizeof(Value) * (size_t)(n->p->column_count + 1))) ==
            NULL) {
        return nomem(n->es, err);
    }
    int rc = agg_finish(n, va, va->pos++, va->out_row, err);
    *row = rc == STRATA_OK ? va->out_row : NULL;
    return rc;
}
