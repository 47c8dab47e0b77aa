/*
 * exec/eval.c - row-at-a-time expression evaluation: three-valued logic,
 * CASE, COALESCE, NULLIF, GREATEST/LEAST, IN lists, IS [NOT] DISTINCT FROM,
 * row comparisons, casts, function calls through types/func.h, sequences
 * through QueryHooks, and subqueries (uncorrelated ones computed once,
 * correlated ones re-run per distinct correlation values).
 *
 * Invariants
 *   1. A strict function never sees a NULL argument.
 *   2. Results' strings live in the execution arena (es->fctx.arena).
 *
 * See src/exec/README.md.
 */
#include <string.h>

#include "exec/exec_int.h"
#include "types/array.h"
#include "types/cast.h"
#include "types/numeric.h"
#include "types/value_io.h"
#include "types/compare.h"

Value *row_copy(Arena *a, const Value *row, int count)
{
    Value *n = arena_alloc(a, sizeof(Value) * (size_t)(count > 0 ? count : 1));
    if (n == NULL) {
        return NULL;
    }
    for (int c = 0; c < count; c++) {
        n[c] = row[c];
        if (!row[c].is_null && type_phys(row[c].type.id) == PHYS_STRING && row[c].str.len > 0) {
            char *copy = arena_memdup(a, row[c].str.ptr, row[c].str.len);
            if (copy == NULL) {
                return NULL;
            }
            n[c].str.ptr = copy;
        }
        if (!row[c].is_null && numeric_is_big(&row[c].dec) &&
            type_phys(row[c].type.id) == PHYS_DECIMAL &&
            numeric_copy(&row[c].dec, a, &n[c].dec, NULL) != STRATA_OK) {
            return NULL;
        }
    }
    return n;
}

bool rows_equal_nulls(const Value *a, const Value *b, int count)
{
    for (int c = 0; c < count; c++) {
        if (a[c].is_null != b[c].is_null) {
            return false;
        }
        if (!a[c].is_null && !value_equal(&a[c], &b[c])) {
            return false;
        }
    }
    return true;
}

uint64_t row_hash(const Value *row, int count)
{
    uint64_t h = 0x12345;
    for (int c = 0; c < count; c++) {
        h = hash_combine(h, value_hash(&row[c]));
    }
    return h;
}

int row_list_push(Arena *a, RowList *list, Value *row)
{
    if (list->count == list->capacity) {
        size_t cap = list->capacity ? list->capacity * 2 : 64;
        Value **n = arena_alloc(a, sizeof(Value *) * cap);
        if (n == NULL) {
            return STRATA_NOMEM;
        }
        if (list->count) {
            memcpy(n, list->rows, sizeof(Value *) * list->count);
        }
        list->rows = n;
        list->capacity = cap;
    }
    list->rows[list->count++] = row;
    return STRATA_OK;
}

static int call_fn(const FuncDef *fn, const Value *args, int n, SqlType type, EvalCtx *ctx, Value *out,
                   Error *err)
{
    if (fn->strict) {
        for (int k = 0; k < n; k++) {
            if (args[k].is_null) {
                *out = value_null(type);
                return STRATA_OK;
            }
        }
    }
    if (fn->fn == NULL) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "set-returning function %s is not supported here", fn->name);
    }
    Arena *previous = numeric_set_arena(ctx->es->fctx.arena); /* big numeric results */
    int rc = fn->fn(args, n, out, &ctx->es->fctx, err);
    numeric_set_arena(previous);
    if (rc != STRATA_OK) {
        return rc;
    }
    out->type = type;
    return STRATA_OK;
}

/* Runs a subplan to completion or until stop says so. */
typedef int (*RowVisitor)(void *state, const Value *row, bool *stop, Error *err);

static int run_subplan(EvalCtx *ctx, const SubPlan *sub, const Value *corr, RowVisitor visit,
                       void *state, Error *err)
{
    ExecState *es = ctx->es;
    Arena *saved = es->a;
    Arena *child = arena_create(saved, 0, "subquery");
    if (child == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    es->a = child;
    ExecNode *node;
    int rc = exec_build(es, sub->plan, corr, &node, err);
    es->a = saved;
    bool stop = false;
    es->sub_depth++;
    while (rc == STRATA_OK && !stop) {
        Value *row;
        Arena *inner_saved = es->a;
        es->a = child;
        rc = node->next(node, &row, err);
        es->a = inner_saved;
        if (rc != STRATA_OK || row == NULL) {
            break;
        }
        rc = visit(state, row, &stop, err);
    }
    es->sub_depth--;
    arena_destroy(child);
    return rc;
}

typedef struct ScalarState {
    Value result;
    int count;
    Arena *a;
} ScalarState;

static int visit_scalar(void *state, const Value *row, bool *stop, Error *err)
{
    ScalarState *s = state;
    if (++s->count > 1) {
        return error_set(err, SQLSTATE_CARDINALITY_VIOLATION,
                         "more than one row returned by a subquery used as an expression");
    }
    Value *copy = row_copy(s->a, row, 1);
    if (copy == NULL) {
        return arena_error(s->a, err);
    }
    s->result = copy[0];
    return STRATA_OK;
}

/* SET (a, b) = (subquery): its one row (all NULL when there is none). */
typedef struct MultiState {
    Value *row;
    int width;
    int count;
    Arena *a;
} MultiState;

static int visit_multi(void *state, const Value *row, bool *stop, Error *err)
{
    MultiState *s = state;
    if (++s->count > 1) {
        return error_set(err, SQLSTATE_CARDINALITY_VIOLATION,
                         "more than one row returned by a subquery used as an expression");
    }
    s->row = row_copy(s->a, row, s->width);
    return s->row != NULL ? STRATA_OK : arena_error(s->a, err);
}

static int visit_exists(void *state, const Value *row, bool *stop, Error *err)
{
    *(bool *)state = true;
    *stop = true;
    return STRATA_OK;
}

typedef struct CollectState {
    RowList *rows;
    Arena *a;
    int width;
} CollectState;

static int visit_collect(void *state, const Value *row, bool *stop, Error *err)
{
    CollectState *s = state;
    Value *copy = row_copy(s->a, row, s->width);
    if (copy == NULL || row_list_push(s->a, s->rows, copy) != STRATA_OK) {
        return arena_error(s->a, err);
    }
    return STRATA_OK;
}

/* ANY / ALL over collected rows: PostgreSQL's NULL rules. */
static int eval_any_all(const SubPlan *sub, EvalCtx *ctx, const Value *tests, const RowList *rows,
                        Value *out, Error *err)
{
    bool is_any = sub->type == SUBLINK_TYPE_ANY;
    bool saw_null = false;
    for (size_t r = 0; r < rows->count; r++) {
        /* Row result: AND over the columns (for ANY with =) with NULL tracking. */
        bool row_null = false, row_true = true;
        for (int k = 0; k < sub->test_count; k++) {
            Value args[2] = {tests[k], rows->rows[r][k]};
            Value res;
            int rc = call_fn(sub->cmp_fns[k], args, 2, sql_type(TYPE_BOOL), ctx, &res, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            if (res.is_null) {
                row_null = true;
            } else if (!res.b) {
                row_true = false;
            }
        }
        bool value_true = row_true && !row_null;
        bool value_false = !row_true;
        if (is_any && value_true) {
            *out = value_bool(true);
            return STRATA_OK;
        }
        if (!is_any && value_false) {
            *out = value_bool(false);
            return STRATA_OK;
        }
        if (!value_true && !value_false) {
            saw_null = true;
        }
    }
    *out = saw_null ? value_null(sql_type(TYPE_BOOL)) : value_bool(!is_any);
    return STRATA_OK;
}

/* ARRAY(subquery): the rows' one column as an array, in arena. */
static int eval_array_sublink(const Expr *e, EvalCtx *ctx, const Value *corr, Arena *arena,
                              Value *out, Error *err)
{
    RowList rows = {0};
    CollectState cs = {&rows, arena, 1};
    int rc = run_subplan(ctx, e->sub, corr, visit_collect, &cs, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Value *items = arena_alloc(arena, sizeof(Value) * (rows.count + 1));
    if (items == NULL) {
        return arena_error(arena, err);
    }
    for (size_t r = 0; r < rows.count; r++) {
        items[r] = rows.rows[r][0];
    }
    memset(out, 0, sizeof *out);
    out->type = e->type;
    if (type_is_array(e->sub->plan->column_types[0].id)) {
        /* ARRAY(SELECT ARRAY[...] ...): one more dimension */
        return array_accumulate(e->type.id, items, (int64_t)rows.count, arena, &out->str, err);
    }
    return array_encode(type_array_elem(e->type.id), items, (int64_t)rows.count, arena, &out->str,
                        err);
}

/* x op ANY|ALL (array): PostgreSQL's ExecEvalScalarArrayOp NULL rules. An
 * empty array gives false (ANY) / true (ALL) whatever x is. */
static int eval_array_op(const Expr *e, EvalCtx *ctx, Value *out, Error *err)
{
    Value left, array;
    int rc = eval_expr(e->args[0], ctx, &left, err);
    if (rc == STRATA_OK) {
        rc = eval_expr(e->args[1], ctx, &array, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (array.is_null) {
        *out = value_null(sql_type(TYPE_BOOL));
        return STRATA_OK;
    }
    ArrayReader reader;
    array_reader_init(&reader, array.type, array.str);
    bool saw_null = false;
    Value element;
    while (array_reader_next(&reader, &element)) {
        Value args[2] = {left, element}, res;
        if ((rc = call_fn(e->fn, args, 2, sql_type(TYPE_BOOL), ctx, &res, err)) != STRATA_OK) {
            return rc;
        }
        if (res.is_null) {
            saw_null = true;
        } else if (res.b != e->is_all) {
            *out = value_bool(!e->is_all);
            return STRATA_OK;
        }
    }
    if (reader.is_corrupt) {
        return error_set(err, SQLSTATE_DATA_CORRUPTED, "array value is corrupted");
    }
    *out = saw_null ? value_null(sql_type(TYPE_BOOL)) : value_bool(e->is_all);
    return STRATA_OK;
}

static int eval_sublink(const Expr *e, EvalCtx *ctx, Value *out, Error *err)
{
    const SubPlan *sub = e->sub;
    ExecState *es = ctx->es;
    SubCache *cache = &es->sub_cache[sub->id];
    Value *corr = NULL;
    int rc;
    if (cache->arena == NULL) {
        /* Under the execution's root arena: es->a may be a subquery's arena
         * that goes away while this cache must stay valid. */
        cache->arena = arena_create(es->root, 0, "subquery cache");
        if (cache->arena == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    }
    if (sub->corr_count > 0) {
        corr = arena_alloc(es->fctx.arena, sizeof(Value) * (size_t)sub->corr_count);
        if (corr == NULL) {
            return arena_error(es->fctx.arena, err);
        }
        for (int k = 0; k < sub->corr_count; k++) {
            if ((rc = eval_expr(sub->corr_args[k], ctx, &corr[k], err)) != STRATA_OK) {
                return rc;
            }
        }
    }
    Value tests[16];
    int nt = sub->test_count < 16 ? sub->test_count : 16;
    for (int k = 0; k < nt; k++) {
        if ((rc = eval_expr(sub->tests[k], ctx, &tests[k], err)) != STRATA_OK) {
            return rc;
        }
    }
    bool cached = cache->valid && (sub->corr_count == 0 || rows_equal_nulls(cache->args, corr, sub->corr_count));
    if (sub->type == SUBLINK_TYPE_ANY || sub->type == SUBLINK_TYPE_ALL) {
        if (!cached) {
            arena_reset(cache->arena);
            memset(&cache->rows, 0, sizeof(cache->rows));
            cache->valid = false;
            CollectState cs = {&cache->rows, cache->arena, sub->plan->column_count};
            if ((rc = run_subplan(ctx, sub, corr, visit_collect, &cs, err)) != STRATA_OK) {
                return rc;
            }
            cache->valid = true;
            cache->args = corr ? row_copy(cache->arena, corr, sub->corr_count) : NULL;
        }
        return eval_any_all(sub, ctx, tests, &cache->rows, out, err);
    }
    if (sub->type == SUBLINK_TYPE_MULTI) {
        /* every column of the clause shares the subplan and its cache: the subquery
         * runs once per distinct correlation, its row kept in cache->rows */
        if (!cached) {
            arena_reset(cache->arena);
            memset(&cache->rows, 0, sizeof(cache->rows));
            cache->valid = false;
            MultiState ms = {NULL, sub->plan->column_count, 0, cache->arena};
            if ((rc = run_subplan(ctx, sub, corr, visit_multi, &ms, err)) != STRATA_OK) {
                return rc;
            }
            if (ms.row != NULL && row_list_push(cache->arena, &cache->rows, ms.row) != STRATA_OK) {
                return arena_error(cache->arena, err);
            }
            cache->valid = true;
            cache->args = corr ? row_copy(cache->arena, corr, sub->corr_count) : NULL;
        }
        *out = cache->rows.count > 0 ? cache->rows.rows[0][e->index] : value_null(e->type);
        out->type = e->type;
        return STRATA_OK;
    }
    if (cached) {
        *out = cache->result;
        return STRATA_OK;
    }
    arena_reset(cache->arena);
    cache->valid = false;
    if (sub->type == SUBLINK_TYPE_EXISTS) {
        bool found = false;
        rc = run_subplan(ctx, sub, corr, visit_exists, &found, err);
        *out = value_bool(found);
    } else if (sub->type == SUBLINK_TYPE_ARRAY) {
        rc = eval_array_sublink(e, ctx, corr, cache->arena, out, err);
    } else {
        ScalarState ss = {value_null(e->type), 0, cache->arena};
        rc = run_subplan(ctx, sub, corr, visit_scalar, &ss, err);
        *out = ss.result;
        out->type = e->type;
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    cache->valid = true;
    cache->result = *out;
    cache->args = corr ? row_copy(cache->arena, corr, sub->corr_count) : NULL;
    return STRATA_OK;
}

static int eval_sequence(const Expr *e, EvalCtx *ctx, Value *out, Error *err)
{
    Value args[3];
    for (int k = 0; k < e->arg_count; k++) {
        int rc = eval_expr(e->args[k], ctx, &args[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (args[k].is_null) {
            *out = value_null(e->type);
            return STRATA_OK;
        }
    }
    QueryHooks *h = ctx->es->env->hooks;
    char *name = arena_strndup(ctx->es->a, args[0].str.ptr, args[0].str.len);
    int64_t v = 0;
    int rc;
    if (name == NULL) {
        return arena_error(ctx->es->a, err);
    }
    if (e->op == SEQ_SET_CONFIG) {
        if (h == NULL || h->set_config == NULL) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "set_config is not supported in this context");
        }
        char *value = arena_strndup(ctx->es->a, args[1].str.ptr, args[1].str.len);
        if (value == NULL) {
            return arena_error(ctx->es->a, err);
        }
        const char *text = NULL;
        rc = h->set_config(h->ctx, name, value, args[2].b, ctx->es->a, &text, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        *out = value_str(TYPE_TEXT, text, (uint32_t)strlen(text));
        return STRATA_OK;
    }
    if (e->op == SEQ_CURRENT_SETTING) {
        const char *text = NULL;
        if (h == NULL || h->current_setting == NULL) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "current_setting is not supported in this context");
        }
        rc = h->current_setting(h->ctx, name, ctx->es->a, &text, err);
        if (rc != STRATA_OK && e->arg_count == 2 && args[1].b &&
            strcmp(err->sqlstate, SQLSTATE_UNDEFINED_OBJECT) == 0) {
            error_clear(err); /* missing_ok: an unknown setting is NULL */
            *out = value_null(e->type);
            return STRATA_OK;
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        *out = text != NULL ? value_str(TYPE_TEXT, text, (uint32_t)strlen(text))
                            : value_null(e->type);
        return STRATA_OK;
    }
    if (e->index != 0 && h != NULL && h->sequence_check != NULL &&
        (rc = h->sequence_check(h->ctx, name, (uint32_t)e->index, err)) != STRATA_OK) {
        return rc;
    }
    if (e->op == SEQ_NEXTVAL) {
        if (h == NULL || h->nextval == NULL) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "nextval is not supported in this context");
        }
        rc = h->nextval(h->ctx, name, &v, err);
    } else if (e->op == SEQ_CURRVAL) {
        if (h == NULL || h->currval == NULL) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "currval is not supported in this context");
        }
        rc = h->currval(h->ctx, name, &v, err);
    } else {
        if (h == NULL || h->setval == NULL) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "setval is not supported in this context");
        }
        v = args[1].i64;
        rc = h->setval(h->ctx, name, v, e->arg_count < 3 || args[2].b, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    *out = value_i64(TYPE_INT8, v);
    return STRATA_OK;
}

static int eval_row_cmp(const Expr *e, EvalCtx *ctx, Value *out, Error *err)
{
    int n = e->arg_count / 2;
    for (int k = 0; k < n; k++) {
        Value args[2];
        int rc = eval_expr(e->args[k], ctx, &args[0], err);
        if (rc == STRATA_OK) {
            rc = eval_expr(e->args[n + k], ctx, &args[1], err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        if (e->op == COMPARE_EQ || e->op == COMPARE_NE) {
            continue;
        }
        if (args[0].is_null || args[1].is_null) {
            *out = value_null(sql_type(TYPE_BOOL));
            return STRATA_OK;
        }
        Value eq;
        if ((rc = call_fn(e->row_fns[k], args, 2, sql_type(TYPE_BOOL), ctx, &eq, err)) != STRATA_OK) {
            return rc;
        }
        if (!eq.b) {
            return call_fn(e->row_fns[n + k], args, 2, sql_type(TYPE_BOOL), ctx, out, err);
        }
    }
    if (e->op == COMPARE_EQ || e->op == COMPARE_NE) {
        /* AND (=) / OR (<>) of the pairs with three-valued logic. */
        bool saw_null = false;
        for (int k = 0; k < n; k++) {
            Value args[2], r;
            int rc = eval_expr(e->args[k], ctx, &args[0], err);
            if (rc == STRATA_OK) {
                rc = eval_expr(e->args[n + k], ctx, &args[1], err);
            }
            if (rc == STRATA_OK) {
                rc = call_fn(e->row_fns[e->op == COMPARE_EQ ? k : n + k], args, 2, sql_type(TYPE_BOOL), ctx, &r, err);
            }
            if (rc != STRATA_OK) {
                return rc;
            }
            if (r.is_null) {
                saw_null = true;
            } else if (r.b == (e->op == COMPARE_NE)) {
                *out = value_bool(e->op == COMPARE_NE);
                return STRATA_OK;
            }
        }
        *out = saw_null ? value_null(sql_type(TYPE_BOOL)) : value_bool(e->op == COMPARE_EQ);
        return STRATA_OK;
    }
    *out = value_bool(e->op == COMPARE_LE || e->op == COMPARE_GE);
    return STRATA_OK;
}

static int eval_sql_value(const Expr *e, EvalCtx *ctx, Value *out, Error *err)
{
    FuncContext *f = &ctx->es->fctx;
    Value ts = value_i64(TYPE_TIMESTAMPTZ, f->txn_start_micros);
    switch (e->sql_value) {
    case 0: case 1: case 2: case 3: case 4:
        return value_cast_tz(&ts, e->type, CAST_EXPLICIT, f->timezone, ctx->es->a, out, err);
    case 9:
        *out = value_str(TYPE_TEXT, "public", 6);
        return STRATA_OK;
    case 10: {
        const char *name = f->database_name != NULL ? f->database_name : "strata";
        *out = value_str(TYPE_TEXT, name, (uint32_t)strlen(name));
        return STRATA_OK;
    }
    default: {
        /* current_user, current_role, user: the current role; session_user: the
         * session's (SET ROLE changes only the first) */
        const char *user = f->user_name != NULL ? f->user_name : "strata";
        if (e->sql_value == SQL_VALUE_SESSION_USER && f->session_user_name != NULL) {
            user = f->session_user_name;
        }
        *out = value_str(TYPE_TEXT, user, (uint32_t)strlen(user));
        return STRATA_OK;
    }
    }
}

int eval_expr(const Expr *e, EvalCtx *ctx, Value *out, Error *err)
{
    int rc;
    switch (e->kind) {
    case EXPR_CONST:
        *out = e->value;
        return STRATA_OK;
    case EXPR_COLUMN:
        *out = ctx->row[e->index];
        return STRATA_OK;
    case EXPR_CORR:
        *out = ctx->corr[e->index];
        return STRATA_OK;
    case EXPR_PARAM:
        *out = ctx->es->params[e->index];
        return STRATA_OK;
    case EXPR_FUNC: {
        Value stack[8];
        Value *args = e->arg_count <= 8 ? stack : arena_alloc(ctx->es->a, sizeof(Value) * (size_t)e->arg_count);
        if (args == NULL) {
            return arena_error(ctx->es->a, err);
        }
        for (int k = 0; k < e->arg_count; k++) {
            if ((rc = eval_expr(e->args[k], ctx, &args[k], err)) != STRATA_OK) {
                return rc;
            }
        }
        return call_fn(e->fn, args, e->arg_count, e->type, ctx, out, err);
    }
    case EXPR_AND:
    case EXPR_OR: {
        bool is_and = e->kind == EXPR_AND;
        bool saw_null = false;
        for (int k = 0; k < e->arg_count; k++) {
            Value v;
            if ((rc = eval_expr(e->args[k], ctx, &v, err)) != STRATA_OK) {
                return rc;
            }
            if (v.is_null) {
                saw_null = true;
            } else if (v.b != is_and) {
                *out = value_bool(!is_and);
                return STRATA_OK;
            }
        }
        *out = saw_null ? value_null(sql_type(TYPE_BOOL)) : value_bool(is_and);
        return STRATA_OK;
    }
    case EXPR_NOT:
        if ((rc = eval_expr(e->args[0], ctx, out, err)) != STRATA_OK) {
            return rc;
        }
        if (!out->is_null) {
            out->b = !out->b;
        }
        return STRATA_OK;
    case EXPR_CASE: {
        int nw = (e->arg_count - (e->has_else ? 1 : 0)) / 2;
        for (int k = 0; k < nw; k++) {
            Value c;
            if ((rc = eval_expr(e->args[2 * k], ctx, &c, err)) != STRATA_OK) {
                return rc;
            }
            if (!c.is_null && c.b) {
                rc = eval_expr(e->args[2 * k + 1], ctx, out, err);
                out->type = e->type;
                return rc;
            }
        }
        if (e->has_else) {
            rc = eval_expr(e->args[e->arg_count - 1], ctx, out, err);
            out->type = e->type;
            return rc;
        }
        *out = value_null(e->type);
        return STRATA_OK;
    }
    case EXPR_COALESCE:
        for (int k = 0; k < e->arg_count; k++) {
            if ((rc = eval_expr(e->args[k], ctx, out, err)) != STRATA_OK) {
                return rc;
            }
            if (!out->is_null) {
                out->type = e->type;
                return STRATA_OK;
            }
        }
        *out = value_null(e->type);
        return STRATA_OK;
    case EXPR_NULLIF: {
        Value args[2], eq;
        if ((rc = eval_expr(e->args[0], ctx, &args[0], err)) != STRATA_OK ||
            (rc = eval_expr(e->args[1], ctx, &args[1], err)) != STRATA_OK) {
            return rc;
        }
        if (!args[0].is_null && !args[1].is_null) {
            if ((rc = call_fn(e->fn, args, 2, sql_type(TYPE_BOOL), ctx, &eq, err)) != STRATA_OK) {
                return rc;
            }
            if (!eq.is_null && eq.b) {
                *out = value_null(e->type);
                return STRATA_OK;
            }
        }
        *out = args[0];
        return STRATA_OK;
    }
    case EXPR_MINMAX: {
        bool have = false;
        Value best = value_null(e->type);
        for (int k = 0; k < e->arg_count; k++) {
            Value v;
            if ((rc = eval_expr(e->args[k], ctx, &v, err)) != STRATA_OK) {
                return rc;
            }
            if (v.is_null) {
                continue;
            }
            int cmp = have ? value_compare(&v, &best) : 0;
            if (!have || (e->is_greatest ? cmp > 0 : cmp < 0)) {
                best = v;
                have = true;
            }
        }
        *out = best;
        out->type = e->type;
        return STRATA_OK;
    }
    case EXPR_IN_LIST: {
        Value args[2];
        if ((rc = eval_expr(e->args[0], ctx, &args[0], err)) != STRATA_OK) {
            return rc;
        }
        bool saw_null = args[0].is_null;
        bool found = false;
        for (int k = 1; k < e->arg_count && !found && !args[0].is_null; k++) {
            Value r;
            if ((rc = eval_expr(e->args[k], ctx, &args[1], err)) != STRATA_OK) {
                return rc;
            }
            if (args[1].is_null) {
                saw_null = true;
                continue;
            }
            if ((rc = call_fn(e->fn, args, 2, sql_type(TYPE_BOOL), ctx, &r, err)) != STRATA_OK) {
                return rc;
            }
            if (r.is_null) {
                saw_null = true;
            } else if (r.b) {
                found = true;
            }
        }
        if (found) {
            *out = value_bool(!e->is_not);
        } else if (saw_null) {
            *out = value_null(sql_type(TYPE_BOOL));
        } else {
            *out = value_bool(e->is_not);
        }
        return STRATA_OK;
    }
    case EXPR_NULL_TEST: {
        Value v;
        if ((rc = eval_expr(e->args[0], ctx, &v, err)) != STRATA_OK) {
            return rc;
        }
        *out = value_bool(v.is_null != e->is_not);
        return STRATA_OK;
    }
    case EXPR_BOOL_TEST: {
        Value v;
        if ((rc = eval_expr(e->args[0], ctx, &v, err)) != STRATA_OK) {
            return rc;
        }
        bool r;
        switch (e->test_kind) {
        case BOOL_TEST_IS_TRUE: r = !v.is_null && v.b; break;
        case BOOL_TEST_IS_NOT_TRUE: r = v.is_null || !v.b; break;
        case BOOL_TEST_IS_FALSE: r = !v.is_null && !v.b; break;
        case BOOL_TEST_IS_NOT_FALSE: r = v.is_null || v.b; break;
        case BOOL_TEST_IS_UNKNOWN: r = v.is_null; break;
        default: r = !v.is_null; break;
        }
        *out = value_bool(r);
        return STRATA_OK;
    }
    case EXPR_DISTINCT: {
        Value args[2], eq;
        if ((rc = eval_expr(e->args[0], ctx, &args[0], err)) != STRATA_OK ||
            (rc = eval_expr(e->args[1], ctx, &args[1], err)) != STRATA_OK) {
            return rc;
        }
        bool distinct;
        if (args[0].is_null || args[1].is_null) {
            distinct = args[0].is_null != args[1].is_null;
        } else {
            if ((rc = call_fn(e->fn, args, 2, sql_type(TYPE_BOOL), ctx, &eq, err)) != STRATA_OK) {
                return rc;
            }
            distinct = !eq.b;
        }
        *out = value_bool(distinct != e->is_not);
        return STRATA_OK;
    }
    case EXPR_CAST: {
        Value v;
        if ((rc = eval_expr(e->args[0], ctx, &v, err)) != STRATA_OK) {
            return rc;
        }
        if (v.is_null) {
            *out = value_null(e->type);
            return STRATA_OK;
        }
        TypeId id = e->type.id;
        if (v.type.id == id && (id == TYPE_BPCHAR || id == TYPE_VARCHAR || id == TYPE_TEXT)) {
            /* A string cast to its own type (an INSERT's CHAR(n) parameter into
             * its column) is the typmod check alone, which is what value_cast_tz
             * would do after two calls and a numeric arena swap (issue 2). */
            rc = value_apply_typmod(&v, e->type, e->cast_context == CAST_EXPLICIT, ctx->es->a,
                                    err);
            if (rc == STRATA_OK) {
                *out = v;
            }
            return rc;
        }
        return value_cast_tz(&v, e->type, (CastContext)e->cast_context, ctx->es->fctx.timezone,
                             ctx->es->a, out, err);
    }
    case EXPR_SUBLINK:
        return eval_sublink(e, ctx, out, err);
    case EXPR_ROW_CMP:
        return eval_row_cmp(e, ctx, out, err);
    case EXPR_SEQUENCE:
        return eval_sequence(e, ctx, out, err);
    case EXPR_SQL_VALUE:
        return eval_sql_value(e, ctx, out, err);
    case EXPR_ARRAY_OP:
        return eval_array_op(e, ctx, out, err);
    case EXPR_AGG_CALL:
    case EXPR_WINDOW_CALL:
        break;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, "unexpected expression kind %d", (int)e->kind);
}

int eval_qual(const Expr *e, EvalCtx *ctx, bool *pass, Error *err)
{
    if (e == NULL) {
        *pass = true;
        return STRATA_OK;
    }
    /* A qual's conjuncts stop at the first one that is not TRUE (PostgreSQL's
     * ExecQual): later, possibly failing, conjuncts are not evaluated. */
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->arg_count; k++) {
            int rc = eval_qual(e->args[k], ctx, pass, err);
            if (rc != STRATA_OK || !*pass) {
                return rc;
            }
        }
        return STRATA_OK;
    }
    Value v;
    int rc = eval_expr(e, ctx, &v, err);
    *pass = rc == STRATA_OK && !v.is_null && v.b;
    return rc;
}

int eval_const_expr(const Expr *e, QueryEnv *env, Arena *a, Value *out, Error *err)
{
    ExecState es;
    memset(&es, 0, sizeof(es));
    es.env = env;
    es.a = a;
    es.root = a;
    es.fctx = env->func_ctx;
    es.fctx.arena = a;
    EvalCtx ctx = {&es, NULL, NULL};
    return eval_expr(e, &ctx, out, err);
}

int expr_eval_row(const BoundExpr *expr, QueryEnv *env, const Value *row, Value *out, Error *err)
{
    ExecState es;
    memset(&es, 0, sizeof(es));
    es.env = env;
    es.a = env->exec_arena;
    es.root = env->exec_arena;
    es.fctx = env->func_ctx;
    es.fctx.arena = env->exec_arena;
    EvalCtx ctx = {&es, row, NULL};
    return eval_expr((const Expr *)expr, &ctx, out, err);
}
