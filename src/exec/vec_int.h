/*
 * exec/vec_int.h - structures shared by vec_join.c and vec_agg.c.
 *
 * A VecPipe is one pipeline: the fact scan, its filter, the join levels
 * (bottom-up: level 0 is the join nearest the scan) and the output layout of
 * the join tree (where each output column comes from). Tuples are the
 * pipeline's unit between operators: parallel arrays of batch rows and, per
 * level, the matching build row.
 *
 * Invariant: layout[c] names the source of the join tree's output column c:
 * level -1 = batch column `column`, else column `column` of the build row
 * matched at `level`.
 *
 * See vec.h and src/exec/README.md.
 */
#ifndef STRATA_EXEC_VEC_INT_H
#define STRATA_EXEC_VEC_INT_H

#include "exec/vec.h"
#include "util/checksum.h"

#define VEC_JOINS_MAX 8
#define VEC_KEYS_MAX 4
#define VEC_PREFETCH_AHEAD 16

typedef struct VecSource {
    int level; /* -1 = the scan batch (column: a batch column once compiled) */
    int column;
} VecSource;

typedef struct VecLevel {
    const PlanNode *p;       /* the join */
    const PlanNode *build_p; /* its dimension side */
    /* A semi join passes each tuple with a match once (its first match), an anti
     * join each tuple without one (match -1); neither adds columns. */
    bool semi, anti;
    /* A LEFT join's tuple without a match gets build row `unmatched`, a row of
     * NULLs appended after the indexed rows (build_level); -1 otherwise. */
    bool left;
    int unmatched;
    Expr **build_keys;       /* over build rows */
    VecSource probe_keys[VEC_KEYS_MAX];
    int key_count;
    bool int_keys; /* one key, integers on both sides */
    int *kept;     /* build columns kept, in order (compact row columns 0..) */
    int kept_count;
    RowList rows;       /* compact build rows: kept columns, then the keys (es->a) */
    bool keys_split;    /* int_keys read by a batch scan: rows hold only the kept columns
                         * (equal ones share one interned array); keys in ikeys/key_null */
    bool interned;      /* keys_split and every row's array is interned (equal rows, one
                         * pointer) */
    int *heads, *chain; /* hash chains over rows; -1 ends */
    uint64_t *hashes;
    int64_t *ikeys; /* int_keys: the key per row */
    bool *key_null; /* per row: some key is NULL (never matches) */
    int *dense;     /* int_keys in a narrow range: key - dense_min -> first row, or NULL */
    int64_t dense_min;
    size_t dense_span;
    bool dense_unique; /* no key has two rows (chains are all -1) */
    size_t mask;
    /* A large dimension built from the keys the fact side needs (vec_join.c,
     * "lazy levels"): those keys, ascending and distinct, looked up by
     * tam_fetch_int_keys instead of scanning the table; NULL = scanned. */
    const int64_t *lazy_keys;
    size_t lazy_key_count;
    /* A lazy level's table rows: its direct array may span four times as many
     * keys as the table has rows, not only as it keeps (0 = not lazy). */
    size_t dense_rows_min;
} VecLevel;

typedef struct VecTuples {
    uint16_t *rows;            /* batch rows */
    int *match[VEC_JOINS_MAX]; /* build row per level */
    int count;
    int capacity;
} VecTuples;

/* Tuples of one fact batch kept by a lazy level's collecting pass, with a
 * compact copy of the batch rows they reference (vec_join.c, "lazy levels"). */
typedef struct VecSaved {
    Batch batch;       /* read only; rows in scan order, data in es->a */
    VecTuples tuples;  /* rows index the copy; matches of the levels probed */
} VecSaved;

typedef struct VecPipe {
    const PlanNode *scan_p;
    TableScan *scan;
    Batch *batch;
    VecFilter filter;
    Value *scan_row; /* scratch row for the filter's remaining conjuncts */
    VecLevel levels[VEC_JOINS_MAX];
    int level_count;
    VecSource *layout; /* per output column of the join tree */
    int width;
    bool *needed;             /* output columns the aggregate reads */
    int *scan_map;            /* scan output column -> batch column, -1 = not read */
    int *batch_table_columns; /* the scan's projection (table columns) */
    SqlType *batch_types;
    int batch_width;
    ExecNode scan_node; /* the scan's EXPLAIN ANALYZE counters (exec_scan_count) */
    VecTuples cur, next;
    int pos; /* row mode: next tuple of cur */
    bool done;
    ScanSpec spec;   /* the fact scan's spec (vec_parallel.c reopens it with a claim) */
    uint64_t ticket; /* parallel scan: the claim ticket of the current batch */
    int lazy; /* the lazy level (vec_join.c), -1 = none */
    /* The lazy level's collecting pass keeps the tuples that reach it; when
     * replay is set the pipeline probes those instead of scanning again. */
    VecSaved *saved;
    size_t saved_count, saved_capacity, saved_next, saved_bytes;
    bool replay;
    Batch *scan_batch; /* the fact scan's own batch (vp->batch points at a saved one) */
    bool rows_only;    /* no column table in the tree: row tables may be the spine */
    /* Set by an aggregate that can hand the statement to the row executor
     * (vec_agg.c, spill_setup): a build side that holds more than build_limit
     * bytes of es->a stops and sets *overflow, and the row hash join, which
     * spills, runs instead. NULL: past 4 x work_mem a build fails (53200). */
    int *overflow;
    size_t build_limit;
} VecPipe;


/* vec_join.c */
int vec_pipe_create(ExecState *es, const PlanNode *agg, VecPipe **out, Error *err);
/* Builds the hash tables, then opens the scan (unless a build side is empty). */
int vec_pipe_start(VecPipe *vp, ExecState *es, const Value *corr, Error *err);
/* The next non-empty set of tuples into vp->cur (count 0 = end). */
int vec_next_tuples(VecPipe *vp, ExecState *es, const Value *corr, Error *err);
/* The value of source s for tuple i (strings borrowed from the batch or the
 * build row). Inline: called per tuple and aggregate; integer and boolean
 * batch columns are read without batch_get_value's generic path. */
static inline void vec_source_value(const VecPipe *vp, const VecTuples *t, int i, VecSource s,
                                    Value *out)
{
    if (s.level >= 0) {
        *out = vp->levels[s.level].rows.rows[t->match[s.level][i]][s.column];
        return;
    }
    const Vector *v = &vp->batch->columns[s.column];
    int r = t->rows[i];
    PhysKind kind = type_phys(v->type.id);
    if (kind == PHYS_I64 || kind == PHYS_BOOL) {
        bool is_null = v->nulls != NULL && v->nulls[r] != 0;
        *out = (Value){.type = vp->batch_types[s.column], .is_null = is_null};
        if (!is_null && kind == PHYS_I64) {
            out->i64 = v->i64[r];
        } else if (!is_null) {
            out->b = v->b[r];
        }
        return;
    }
    batch_get_value(vp->batch, s.column, r, out);
    out->type = vp->batch_types[s.column];
}

/* vec_parallel.c: the fact scan, probes and aggregation on several threads.
 * vec_par_begin decides (max_parallel_workers_per_gather, cores, a read-only
 * statement, no EXPLAIN ANALYZE, a table of at least VEC_PARALLEL_ROWS_MIN
 * rows) and prepares each extra worker: a read txn on the same snapshot, its
 * own arenas, ExecState, node and pipeline copy whose scan shares a ScanClaim
 * with the leader's (reopened). *out NULL = run serially. */
typedef struct VecParallel VecParallel;
#define VEC_PARALLEL_WORKERS_MAX 16
#define VEC_PARALLEL_PARTS_MAX (VEC_PARALLEL_WORKERS_MAX + 1) /* the leader too */
int vec_par_begin(ExecNode *n, VecPipe *vp, VecParallel **out, Error *err);
/* Extra workers prepared (the leader, n itself, is not counted). */
int vec_par_workers(const VecParallel *par);
/* Worker w's node (its es and vec are the worker's own). */
ExecNode *vec_par_node(VecParallel *par, int w);
/* Runs body(node, states[w + 1]) on each worker's thread and body(leader,
 * states[0]) on this one, waits for all; the first error (leader, then
 * workers in order) is the result. A failure stops the others at their next
 * row group; so does cancellation (each checks the interrupt per batch). */
int vec_par_run(VecParallel *par, ExecNode *leader,
                int (*body)(ExecNode *n, void *state, Error *err), void **states, Error *err);
/* Ends the workers' scans and txns and frees their memory (call after the
 * results were merged into the leader's arenas). NULL is ignored. */
void vec_par_end(VecParallel *par);

/* vec_agg.c */
bool vec_agg_applies(const PlanNode *agg, const VecPipe *vp);
/* The PLAN_AGG node's next() when vec_build set agg->vec. */
int vec_agg_next(ExecNode *n, Value **row, Error *err);

#endif
