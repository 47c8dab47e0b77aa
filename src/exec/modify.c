/*
 * exec/modify.c - INSERT / UPDATE / DELETE: collects the target rows first
 * (storage cursors are invalidated by writes), then writes them one by one
 * through the TableAm, checking NOT NULL (23502) and CHECK (23514), letting
 * the access methods enforce UNIQUE / PRIMARY KEY (23505), and maintaining
 * every secondary index (exec_index_insert_row / exec_index_delete_row).
 *
 * Known gaps: FOREIGN KEY checks and actions, ON CONFLICT DO UPDATE.
 * See src/exec/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "exec/exec_int.h"
#include "sql/parser.h"

static int index_key_values(QueryEnv *env, const CatTable *t, const CatIndex *ix, Expr **key_exprs,
                            Expr *pred, const Value *row, Value *keys, Value *includes, bool *skip,
                            Error *err)
{
    *skip = false;
    if (pred != NULL) {
        Value v;
        int rc = expr_eval_row((const BoundExpr *)pred, env, row, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (v.is_null || !v.b) {
            *skip = true;
            return STRATA_OK;
        }
    }
    for (int k = 0; k < ix->key_count; k++) {
        if (ix->key_columns[k] >= 0) {
            keys[k] = row[ix->key_columns[k]];
        } else if (key_exprs != NULL && key_exprs[k] != NULL) {
            int rc = expr_eval_row((const BoundExpr *)key_exprs[k], env, row, &keys[k], err);
            if (rc != STRATA_OK) {
                return rc;
            }
        } else {
            return error_set(err, SQLSTATE_INTERNAL_ERROR, "index \"%s\" has an unbound expression key", ix->name);
        }
        keys[k].type = ix->key_types[k];
    }
    for (int k = 0; k < ix->include_count; k++) {
        includes[k] = row[ix->include_columns[k]];
    }
    return STRATA_OK;
}

static int bind_index_exprs(QueryEnv *env, const CatTable *t, const CatIndex *ix, Expr ***keys,
                            Expr **pred, Error *err)
{
    *keys = arena_zalloc(env->exec_arena, sizeof(Expr *) * (size_t)(ix->key_count + 1));
    *pred = NULL;
    if (*keys == NULL) {
        return arena_error(env->exec_arena, err);
    }
    Arena *saved = env->plan_arena;
    if (env->plan_arena == NULL) {
        env->plan_arena = env->exec_arena;
    }
    int rc = STRATA_OK;
    for (int k = 0; rc == STRATA_OK && k < ix->key_count; k++) {
        if (ix->key_columns[k] >= 0) {
            continue;
        }
        Node *node;
        rc = sql_parse_expr(ix->key_sql[k], strlen(ix->key_sql[k]), env->exec_arena, &node, err);
        if (rc == STRATA_OK) {
            rc = expr_bind_for_table(env, t, node, (BoundExpr **)&(*keys)[k], NULL, err);
        }
    }
    if (rc == STRATA_OK && ix->predicate_sql != NULL) {
        Node *node;
        rc = sql_parse_expr(ix->predicate_sql, strlen(ix->predicate_sql), env->exec_arena, &node, err);
        if (rc == STRATA_OK) {
            rc = expr_bind_for_table(env, t, node, (BoundExpr **)pred, NULL, err);
        }
    }
    env->plan_arena = saved;
    return rc;
}

static int index_apply(QueryEnv *env, const CatTable *t, const CatIndex *ix, Expr **key_exprs,
                       Expr *pred, const Value *row, StrRef row_id, bool insert, Error *err)
{
    if (ix->primary || ix->am == NULL) {
        return STRATA_OK;
    }
    Value keys[64], includes[64];
    bool skip;
    if (ix->key_count > 64 || ix->include_count > 64) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "index has too many columns");
    }
    int rc = index_key_values(env, t, ix, key_exprs, pred, row, keys, includes, &skip, err);
    if (rc != STRATA_OK || skip) {
        return rc;
    }
    if (insert) {
        return ix->am->insert(env->txn, &ix->desc, keys, includes, row_id, err);
    }
    return ix->am->delete_entry(env->txn, &ix->desc, keys, row_id, err);
}

int exec_index_insert_row(QueryEnv *env, const CatTable *table, const CatIndex *index,
                          const Value *row, StrRef row_id, Error *err)
{
    Expr **keys;
    Expr *pred;
    int rc = bind_index_exprs(env, table, index, &keys, &pred, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return index_apply(env, table, index, keys, pred, row, row_id, true, err);
}

int exec_index_delete_row(QueryEnv *env, const CatTable *table, const CatIndex *index,
                          const Value *row, StrRef row_id, Error *err)
{
    Expr **keys;
    Expr *pred;
    int rc = bind_index_exprs(env, table, index, &keys, &pred, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return index_apply(env, table, index, keys, pred, row, row_id, false, err);
}

static int check_row(ExecNode *n, const ModifyPlan *m, const Value *row, Error *err)
{
    const CatTable *t = m->table;
    for (int c = 0; c < t->column_count; c++) {
        if (t->columns[c].not_null && row[c].is_null) {
            error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                      "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                      t->columns[c].name, t->name);
            snprintf(err->table_name, sizeof(err->table_name), "%s", t->name);
            snprintf(err->column_name, sizeof(err->column_name), "%s", t->columns[c].name);
            return err->code;
        }
    }
    EvalCtx ctx = {n->es, row, NULL};
    for (int k = 0; k < m->check_count; k++) {
        Value v;
        int rc = eval_expr(m->checks[k], &ctx, &v, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!v.is_null && !v.b) {
            error_set(err, SQLSTATE_CHECK_VIOLATION,
                      "new row for relation \"%s\" violates check constraint \"%s\"", t->name,
                      m->check_names[k]);
            snprintf(err->constraint_name, sizeof(err->constraint_name), "%s", m->check_names[k]);
            return err->code;
        }
    }
    return STRATA_OK;
}

static int returning_row(ExecNode *n, const ModifyPlan *m, const Value *row, Error *err)
{
    if (m->returning_count == 0) {
        return STRATA_OK;
    }
    Value *out = arena_alloc(n->es->a, sizeof(Value) * (size_t)m->returning_count);
    if (out == NULL) {
        return arena_error(n->es->a, err);
    }
    EvalCtx ctx = {n->es, row, NULL};
    for (int k = 0; k < m->returning_count; k++) {
        int rc = eval_expr(m->returning[k], &ctx, &out[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    Value *copy = row_copy(n->es->a, out, m->returning_count);
    if (copy == NULL || row_list_push(n->es->a, &n->rows, copy) != STRATA_OK) {
        return arena_error(n->es->a, err);
    }
    return STRATA_OK;
}

int exec_modify(ExecNode *n, Error *err)
{
    const ModifyPlan *m = n->p->modify;
    const CatTable *t = m->table;
    ExecState *es = n->es;
    QueryEnv *env = es->env;
    RowList input = {0};
    int width = n->p->left->column_count;
    int rc;
    for (;;) {
        Value *row;
        if ((rc = n->left->next(n->left, &row, err)) != STRATA_OK) {
            return rc;
        }
        if (row == NULL) {
            break;
        }
        Value *copy = row_copy(es->a, row, width);
        if (copy == NULL || row_list_push(es->a, &input, copy) != STRATA_OK) {
            return arena_error(es->a, err);
        }
    }
    int nc = t->column_count;
    Batch *batch = batch_create(es->a, t->desc.column_types, nc, 1);
    if (batch == NULL) {
        return arena_error(es->a, err);
    }
    RowList done_ids = {0};
    for (size_t r = 0; r < input.count; r++) {
        Value *row = input.rows[r];
        exec_scratch_reset(es);
        if ((rc = exec_check_interrupt(es, err)) != STRATA_OK) {
            return rc;
        }
        if (m->kind == MODIFY_INSERT) {
            if ((rc = check_row(n, m, row, err)) != STRATA_OK) {
                return rc;
            }
            batch_reset(batch);
            if (!batch_append_row(batch, row)) {
                return arena_error(es->a, err);
            }
            StrRef id;
            Error local;
            error_clear(&local);
            rc = tam_insert(t->am, env->txn, &t->desc, batch, &id, es->a, &local);
            if (rc != STRATA_OK) {
                if (m->has_on_conflict && !m->conflict_do_update &&
                    strcmp(local.sqlstate, SQLSTATE_UNIQUE_VIOLATION) == 0) {
                    continue;
                }
                error_copy(err, &local);
                return rc;
            }
            for (int i = 0; i < t->index_count; i++) {
                if ((rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i], m->index_predicates[i],
                                      row, id, true, &local)) != STRATA_OK) {
                    if (m->has_on_conflict && !m->conflict_do_update &&
                        strcmp(local.sqlstate, SQLSTATE_UNIQUE_VIOLATION) == 0) {
                        /* Undo this row: its earlier index entries, then the row. */
                        Error undo;
                        error_clear(&undo);
                        for (int j = 0; j < i; j++) {
                            index_apply(env, t, t->indexes[j], m->index_key_exprs[j], m->index_predicates[j],
                                        row, id, false, &undo);
                        }
                        tam_delete(t->am, env->txn, &t->desc, &id, 1, &undo);
                        rc = -1;
                        break;
                    }
                    error_copy(err, &local);
                    return rc;
                }
            }
            if (rc == -1) {
                continue;
            }
            n->produced++;
            if ((rc = returning_row(n, m, row, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        StrRef id = row[nc].str;
        bool dup = false;
        for (size_t d = 0; d < done_ids.count && !dup; d++) {
            dup = done_ids.rows[d]->str.len == id.len && memcmp(done_ids.rows[d]->str.ptr, id.ptr, id.len) == 0;
        }
        if (dup) {
            continue;
        }
        if (row_list_push(es->a, &done_ids, &row[nc]) != STRATA_OK) {
            return arena_error(es->a, err);
        }
        for (int i = 0; i < t->index_count; i++) {
            if ((rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i], m->index_predicates[i],
                                  row, id, false, err)) != STRATA_OK) {
                return rc;
            }
        }
        if (m->kind == MODIFY_DELETE) {
            if ((rc = tam_delete(t->am, env->txn, &t->desc, &id, 1, err)) != STRATA_OK) {
                return rc;
            }
            n->produced++;
            if ((rc = returning_row(n, m, row, err)) != STRATA_OK) {
                return rc;
            }
            continue;
        }
        Value *newrow = row + nc + 1;
        if ((rc = check_row(n, m, newrow, err)) != STRATA_OK) {
            return rc;
        }
        batch_reset(batch);
        if (!batch_append_row(batch, newrow)) {
            return arena_error(es->a, err);
        }
        StrRef new_id;
        if ((rc = tam_update(t->am, env->txn, &t->desc, &id, batch, &new_id, es->a, err)) != STRATA_OK) {
            return rc;
        }
        for (int i = 0; i < t->index_count; i++) {
            if ((rc = index_apply(env, t, t->indexes[i], m->index_key_exprs[i], m->index_predicates[i],
                                  newrow, new_id, true, err)) != STRATA_OK) {
                return rc;
            }
        }
        n->produced++;
        if ((rc = returning_row(n, m, newrow, err)) != STRATA_OK) {
            return rc;
        }
    }
    if (env->hooks != NULL && env->hooks->rows_written != NULL) {
        env->hooks->rows_written(env->hooks->ctx, t->id, m->kind == MODIFY_INSERT ? n->produced : 0,
                                 m->kind == MODIFY_UPDATE ? n->produced : 0,
                                 m->kind == MODIFY_DELETE ? n->produced : 0);
    }
    return STRATA_OK;
}
