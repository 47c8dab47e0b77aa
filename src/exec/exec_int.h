/*
 * exec/exec_int.h - the executor's private structures, shared by executor.c
 * (operators), eval.c (expressions) and modify.c (DML).
 *
 * Operators are pull-based iterators over rows held as Value arrays: each
 * ExecNode's next() returns a row borrowed until its next call. The top of
 * the tree packs rows into Batches for executor_next(); scans unpack the
 * Batches of the access methods. Materializing operators (sort, hash join,
 * aggregate, set operations) deep-copy what they keep into the execution arena.
 *
 * See src/exec/README.md.
 */
#ifndef STRATA_EXEC_EXEC_INT_H
#define STRATA_EXEC_EXEC_INT_H

#include "exec/executor.h"
#include "plan/plan_int.h"

typedef struct ExecState ExecState;
typedef struct ExecNode ExecNode;

typedef struct RowList {
    Value **rows;
    size_t count;
    size_t capacity;
} RowList;

typedef struct SubCache {
    Arena *arena;            /* holds args/result/rows; reset when recomputed */
    bool valid;
    Value *args;
    Value result;
    RowList rows;            /* uncorrelated ANY/ALL: the subquery's rows */
} SubCache;

/* Scans of one table through one access path (index_id 0: sequential), added
 * up during an execution and reported by executor_end (QueryHooks.scans_counted). */
typedef struct ScanStat {
    uint64_t table_id, index_id;
    uint64_t scans, rows_read, rows_fetched;
} ScanStat;
enum { SCAN_STATS_MAX = 32 }; /* paths per statement kept; more are reported at once */

struct ExecState {
    QueryEnv *env;
    ScanStat scan_stats[SCAN_STATS_MAX];
    int scan_stat_count;
    const Plan *plan;
    Arena *a;                /* what operators keep across calls (materialized rows) */
    Arena *root;             /* env->exec_arena (es->a is swapped while subqueries run) */
    /* Per-row scratch: expression results (fctx.arena points here). Reset by
     * exec_scratch_reset at row boundaries, so long scans run in bounded
     * memory. Rule: an operator that keeps a value across a call to its
     * child's next() must copy it into es->a first. */
    Arena *scratch;
    int sub_depth;           /* > 0 while a subquery runs inside an expression */
    FuncContext fctx;
    Value *params;
    RowList *cte_rows;       /* per CTE: materialized rows */
    bool *cte_done;
    RowList *work_rows;      /* per CTE: the recursive work table */
    SubCache *sub_cache;     /* per subplan */
    NodeStats *stats;        /* per plan node (EXPLAIN ANALYZE), may be NULL */
    struct SortSpill *spills; /* open temporary files of spilled sorts (sort_spill.c) */
    Arena *spill_arena;      /* buffers of partition files, destroyed by exec_spill_close_all */
    /* A statement with data-modifying CTEs: the rows (table id + row id) its INSERT /
     * UPDATE / DELETE nodes wrote, so another of them skips them (modify.c). NULL
     * until the first write; tracked only when track_written. */
    struct IdSet *written;
    bool track_written;
    int64_t modify_row; /* the input row exec_modify is writing (-1: none) */
    uint64_t execution;      /* executions of a kept executor so far (executor_restart) */
    bool built_state;        /* exec_build kept state outside the nodes (vec_build): the
                              * tree cannot be put back as built (executor_restart) */
};

struct ExecNode {
    const PlanNode *p;
    ExecState *es;
    const Value *corr;       /* correlation values of this query level */
    ExecNode *left, *right;
    int (*next)(ExecNode *n, Value **row, Error *err);
    int (*inner_next)(ExecNode *n, Value **row, Error *err); /* EXPLAIN ANALYZE: the real next */
    Value *row;              /* output buffer (column_count values) */
    /* scan */
    TableScan *scan;
    TableScanCounters scan_seen; /* scan counters already added to the node's stats */
    int scan_stat;           /* 1 + its entry in es->scan_stats (0: none yet) */
    IndexScan *iscan;
    Batch *batch;
    Batch *index_batch;      /* index scan: entries (keys, includes, row id) */
    Batch *row_batch;        /* modify: the one-row batch of the table (exec_build) */
    StrRef *row_ids;         /* index scan: ids of the entries being fetched */
    ScanSpec *spec;          /* table scan: reopened for each key range */
    struct ScanSetup *setup; /* table and index scans: what exec_build set up (executor.c) */
    KeyRange *ranges;        /* key ranges to read in order (IN lists: one per value) */
    int range_count;
    int range_pos;
    bool use_range;          /* false: the whole table / index */
    bool batch_grows;        /* started with a small batch; a full one grows it */
    int *batch_of;           /* scan: output column -> batch column, -1 = not read
                              * (PlanNode.columns_read); NULL = the same column */
    int batch_pos;
    bool done;
    bool started;
    /* materialized rows */
    RowList rows;
    size_t pos;
    /* hash tables */
    int *heads;
    int *chain;
    uint64_t *hashes;
    size_t bucket_count;
    struct SortSpill *spill; /* sort: runs on disk, merged on output (NULL = in memory) */
    struct HashSpill *hspill; /* hash join / aggregate: batches and partitions (executor.c) */
    uint64_t *set_counts;    /* INTERSECT / EXCEPT: occurrences on the right per n->seen row */
    size_t set_counts_cap;
    bool *matched;
    Value *left_row;         /* join: the current outer row, in row_arena */
    const Value *outer_row;  /* scan under an index nested loop: the row its bounds read */
    ExecNode *param_scan;    /* index nested loop: that scan in the current right side */
    Value *left_key_values;  /* index nested loop: the keys rechecked per pair */
    bool skip_inner;         /* index nested loop: a NULL key, no inner row can match */
    Arena *row_arena;
    Arena *sub_arena;        /* lateral join: the subquery's nodes for the current row */
    int probe_pos;           /* chain position while probing */
    bool left_matched;
    bool emitting_unmatched;
    bool build_has_null;     /* JOIN: a build row's key holds a NULL (NOT IN) */
    /* sort: top-N bound set by a LIMIT above (0 = all rows) and the current N-th row */
    int64_t topn;
    Value *threshold;
    /* limit */
    int64_t limit_left;
    int64_t offset_left;
    Value *tie_row;          /* WITH TIES: the last counted row while ties may follow */
    /* function scan */
    void *srf_state;
    /* sort over a batch input (vec_sort.c), once it runs */
    struct VecSort *vsort;
    bool vsort_declined;     /* its input could not run batch-wise: the row sort runs */
    /* limit over a batch input (vec_limit.c), once it runs */
    struct VecLimit *vlimit;
    /* hash join whose probe side reads batches (vec_probe.c) */
    struct VecProbe *vprobe;
    bool vprobe_tried;       /* semi / anti join: vec_probe_start was considered */
    struct VecBuildInput *vbuild; /* hash join whose build side reads batches (vec_probe.c) */
    /* DISTINCT or a set operation over batch inputs (vec_distinct.c, vec_setop.c) */
    void *vset;
    bool vset_declined;      /* its input could not run batch-wise: the row operator runs */
    /* window over a batch input (vec_window.c) */
    struct VecWindow *vwin;
    bool vwin_declined;
    /* vectorized pipeline (vec_join.c), when this node runs one */
    struct VecPipe *vec;
    /* scan: the qual as filter kernels over each batch (NULL = eval_qual per row) */
    struct VecFilter *vfilter;
    uint16_t *vsel;
    bool vrest_done;         /* the current batch's selection passed vfilter->rest too */
    Value *srf_args;
    int64_t ordinality;
    /* project set: per target, its SRF state / arguments / done flag */
    void **set_states;
    Value **set_args;
    bool *set_done;
    /* misc counters */
    uint64_t produced;
    int iteration;
    Value *prev;
    RowList seen;
};

/* 53200 (with a hint to raise work_mem) once the query's arena holds more than
 * exec_memory_cap_bytes: the bound of operators that cannot spill (hash tables,
 * groups, window partitions, a partition split as far as it goes). The cap is
 * 4 x work_mem plus LIMIT_EXEC_MEMORY_FLOOR_BYTES (util/limits.h) for the
 * execution's fixed overheads; 0 when work_mem is 0 (no bound). */
size_t exec_memory_cap_bytes(const ExecState *es);
int exec_check_work_mem(ExecState *es, Error *err);

/* sort_spill.c: external merge sort. A SortSpill holds sorted runs of rows of
 * width values in an unlinked temporary file; sort_spill_next returns rows that
 * stay valid until the next call. Errors: 53100 / 58030 on I/O, 53200. */
typedef struct SortSpill SortSpill;
int sort_spill_open(ExecState *es, int width, SortSpill **out, Error *err);
int sort_spill_write_run(SortSpill *s, Value *const *rows, size_t count, Error *err);
/* The same run written in pieces: rows appended to the run being written (one
 * is started if none is), then sort_spill_end_run closes it (a no-op when no
 * row was appended). */
int sort_spill_append_rows(SortSpill *s, Value *const *rows, size_t count, Error *err);
int sort_spill_end_run(SortSpill *s, Error *err);
int sort_spill_merge_start(SortSpill *s, int (*compare)(const void *, const void *, void *),
                           void *compare_arg, Error *err);
int sort_spill_next(SortSpill *s, Value **row, Error *err);
uint64_t sort_spill_bytes(const SortSpill *s);
int sort_spill_run_count(const SortSpill *s);
void exec_spill_close_all(ExecState *es);
/* The same files as partitions (hash join and aggregate spill): rows of width
 * values appended one by one (spill_file_open), then read back in
 * the order written after spill_file_rewind, each row valid until the next
 * call (NULL at the end). spill_file_close ends a partition early; executor_end
 * closes the rest. Errors as above. */
int spill_file_open(ExecState *es, int width, SortSpill **out, Error *err);
int spill_file_append(SortSpill *s, const Value *row, Error *err);
int spill_file_rewind(SortSpill *s, Error *err);
int spill_file_next(SortSpill *s, Value **row, Error *err);
uint64_t spill_file_rows(const SortSpill *s);
void spill_file_close(SortSpill *s);

/* eval.c */
typedef struct EvalCtx {
    ExecState *es;
    const Value *row;
    const Value *corr;
} EvalCtx;
int eval_expr(const Expr *e, EvalCtx *ctx, Value *out, Error *err);
int eval_qual(const Expr *e, EvalCtx *ctx, bool *pass, Error *err);
Value *row_copy(Arena *a, const Value *row, int count);
bool rows_equal_nulls(const Value *a, const Value *b, int count);
uint64_t row_hash(const Value *row, int count);
int row_list_push(Arena *a, RowList *list, Value *row);

/* executor.c */
int exec_build(ExecState *es, const PlanNode *p, const Value *corr, ExecNode **out, Error *err);
int exec_check_interrupt(ExecState *es, Error *err);
/* Wraps n->next with the EXPLAIN ANALYZE counters of n->p when statistics are on. */
void exec_node_stats(ExecState *es, ExecNode *n);
/* Frees the per-row scratch memory unless a subquery is running inside an
 * expression (its caller still holds scratch values then). */
void exec_scratch_reset(ExecState *es);

/* executor.c, for vec_project.c: reads the table scan n's next batch with at
 * least one row passing its qual into n->batch (its selection: the passing
 * rows; the batch counts as consumed by scan_next); *end at the end. A batch
 * whose batch-wise conjuncts raise an error is filtered row by row with
 * eval_qual, which returns the first failing row's error. *unsupported (and
 * nothing read) when the qual cannot run batch-wise: call scan_next instead. */
int exec_scan_next_batch(ExecNode *n, bool *end, bool *unsupported, Error *err);
/* The same for a consumer that takes at most cap more rows (a LIMIT; -1 = all):
 * a batch filtered row by row stops at its cap-th passing row, so no row past
 * it is evaluated (its error never raised), as in the row executor. */
int exec_scan_next_batch_capped(ExecNode *n, int64_t cap, bool *end, bool *unsupported,
                                Error *err);
/* Starts the table scan n (as its first scan_next would) without reading:
 * n->batch_of is then known; n->done when its partition gate is closed. */
int exec_scan_open(ExecNode *n, Error *err);

/* vec_project.c: a PLAN_PROJECT over a table scan evaluated batch-wise
 * (vec_expr.h) for executor_next. *out is NULL when root is not such a node,
 * enable_vectorize is off, statistics are on, or a target cannot run
 * batch-wise. */
typedef struct VecProject VecProject;
int vec_project_create(ExecState *es, ExecNode *root, VecProject **out, Error *err);
/* Appends projected rows to out (after batch_reset) until it is full or the
 * scan ends (*end), or sets *alias to a batch over a whole scan batch's target
 * vectors (out left empty; valid until the next call). *unsupported: nothing
 * was read; use root->next instead. */
int vec_project_fill(VecProject *vp, Batch *out, Batch **alias, bool *end, bool *unsupported,
                     Error *err);

/* vec_project.c, as the batch input of the operators above (vec_sort.c):
 * whether node p is a table scan, or a PLAN_PROJECT over one, that can be
 * read a batch at a time (no key range or row id, a qual and targets that
 * compile; enable_vectorize on). */
bool vec_input_applies(const ExecState *es, const PlanNode *p);
/* *out is NULL when !vec_input_applies(node->p). */
int vec_input_create(ExecState *es, ExecNode *node, VecProject **out, Error *err);
/* The next scan batch with a row passing the qual: its columns as vectors
 * (columns[c] NULL = a column the scan does not read: all NULL), read at rows
 * sel[0..*count-1]; borrowed until the next call (strings in the scan batch or
 * the scratch arena, which this call resets first). *end at the end;
 * *unsupported (only on the first call, nothing read): use node->next instead.
 * Errors: the qual's and the targets', the row executor's error for a batch
 * that raises one (vec_expr.h). EXPLAIN ANALYZE row counts of the scan (and
 * the project) are added here. */
int vec_input_next(VecProject *vp, const Vector *const **columns, const uint16_t **sel,
                   int *count, bool *end, bool *unsupported, Error *err);
/* The consumer takes at most cap more rows (-1 = all, the default): later
 * vec_input_next calls return no more than cap selected rows, and rows past
 * them are not computed (a scan's qual row by row stops there, see
 * exec_scan_next_batch_capped; the targets are evaluated on those rows only). */
void vec_input_set_cap(VecProject *vp, int64_t cap);

/* executor.c, for vec_agg.c: the vectorized GROUP BY of n passed work_mem
 * before emitting a row; its input is built again as row operators and n
 * becomes the spilling row aggregate (agg_spill_next), whose first row this
 * returns. Its input's EXPLAIN ANALYZE counters start over. */
int exec_agg_fall_back(ExecNode *n, Value **row, Error *err);

/* executor.c, for vec_sort.c: the sort's comparison of rows holding their
 * sort keys after width columns and an int8 sequence number after the keys
 * (stable: equal keys compare by sequence). */
typedef struct SortCtx {
    const SortKey *keys;
    int key_count;
    int width;
} SortCtx;
int sort_compare(const void *a, const void *b, void *arg);

/* Abbreviated sort keys (executor.c): a 64-bit prefix of a value such that
 * a < b implies abbrev(a) <= abbrev(b). */
typedef enum {
    ABBREV_NONE,
    ABBREV_INT,   /* smallint, integer, bigint (compared as int64) */
    ABBREV_FLOAT, /* real, double precision */
    ABBREV_BYTES, /* text, varchar, bytea: bytewise */
    ABBREV_DATE,
    ABBREV_TIMESTAMP,
    ABBREV_TIMESTAMPTZ,
    ABBREV_TIME,
    ABBREV_BOOL,
    ABBREV_UUID,
} AbbrevKind;
AbbrevKind sort_abbrev_kind(TypeId id);
/* The ascending prefix of a non-NULL value of kind k. */
uint64_t sort_abbrev_value(AbbrevKind k, const Value *v);

/* vec_sort.c: a PLAN_SORT whose input is a vec_input (sort_next hands over
 * to it): rows are copied from the input's vectors into column chunks, an
 * array of (abbreviated key, row reference) is sorted, and rows come out in
 * that order; top-N (n->topn) drops rows no better than the current N-th by
 * their abbreviated key before copying them; a full sort past work_mem
 * writes sorted runs through sort_spill.c and merges them. */
bool vec_sort_applies(const ExecState *es, const PlanNode *p);
/* *handled false: the input cannot run batch-wise (nothing read): the row
 * sort goes on. Otherwise *row is the next sorted row (borrowed until the
 * next call) or NULL at the end. */
int vec_sort_next(ExecNode *n, Value **row, bool *handled, Error *err);
/* executor_next's root is a sort that may run on batches, or a projection of
 * its columns over one (statistics off): vec_sort_fill then appends sorted rows
 * to out column by column (a gather from the chunks, no row of Values), until
 * out is full or the rows end (*end). *handled false: nothing was emitted; the
 * root's next() gives the rows (a row sort, or merged runs after a spill). */
bool vec_sort_fill_applies(const ExecState *es, const ExecNode *root);
int vec_sort_fill(ExecNode *root, Batch *out, bool *end, bool *handled, Error *err);

/* vec_sort.c, for vec_window.c: n is a sort node of the caller's making (its
 * PlanNode's kind PLAN_WINDOW: the rows stay in memory, no spill; 53200 past
 * 4 x work_mem) over an input vec_sort_input_applies to (a batch input, or a
 * join or aggregate whose rows are copied as they come) with column sort keys.
 * vec_sort_rows_start
 * reads and sorts the input (*handled false: it cannot run batch-wise, nothing
 * was read); then the sorted rows are rows *row of the chunks
 * vec_sort_row_at returns, index 0 .. vec_sort_row_count - 1 (borrowed until
 * the executor ends). */
bool vec_sort_input_applies(const ExecState *es, const PlanNode *input);
int vec_sort_rows_start(ExecNode *n, bool *handled, Error *err);
size_t vec_sort_row_count(const ExecNode *n);
const Batch *vec_sort_row_at(const ExecNode *n, size_t index, int *row);

/* vec_probe.c: a hash join (INNER or LEFT, column keys on the left) whose
 * left input is a plain table scan that runs batch-wise probes with the
 * scan's batches. vec_probe_start (after the build, unless it spilled) sets
 * n->vprobe; vec_probe_next then returns the join's rows; *handled false (and
 * n->vprobe NULL): the scan could not run batch-wise, nothing was read, the
 * row probe goes on. */
bool vec_probe_applies(const ExecState *es, const PlanNode *p);
int vec_probe_start(ExecNode *n, Error *err);
int vec_probe_next(ExecNode *n, Value **row, bool *handled, Error *err);
/* The same for a semi or anti join (NOT IN too: its caller has checked for a
 * NULL build key): each left row whose keys find an equal build row (semi),
 * or none (anti), in scan order; a NULL key matches nothing, except under
 * NOT IN against a non-empty build side. */
int vec_semi_next(ExecNode *n, Value **row, bool *handled, Error *err);
/* vec_probe.c: a hash join's build side that is a plain table scan running
 * batch-wise is read a batch at a time: vec_build_input_start sets n->vbuild,
 * vec_build_input_next then gives the build rows (the selected rows of each
 * batch as Values borrowed from the batch until the next call; the caller
 * copies what it keeps), NULL at the end; *handled false (n->vbuild NULL):
 * nothing was read, the caller pulls n->right's rows. */
bool vec_build_input_applies(const ExecState *es, const PlanNode *p);
int vec_build_input_start(ExecNode *n, Error *err);
int vec_build_input_next(ExecNode *n, Value **row, bool *handled, Error *err);

/* executor.c: evaluates a PLAN_LIMIT node's LIMIT and OFFSET into
 * n->limit_left (-1 = no limit) and n->offset_left, sets a Sort child's top-N,
 * marks n started (a no-op when it is). Errors: 2201W / 2201X negative
 * counts, the expressions'. */
int exec_limit_start(ExecNode *n, Error *err);

/* vec_limit.c: LIMIT / OFFSET over a batch input (a table scan or a projection
 * over one, vec_input_applies): OFFSET rows are skipped by cutting each batch's
 * selection (no row of Values is built for them), the input is capped at the
 * rows still wanted (vec_input_set_cap: nothing past the LIMIT is evaluated)
 * and no batch is read once the LIMIT is reached. */
bool vec_limit_applies(const ExecState *es, const PlanNode *p);
/* After exec_limit_start: sets n->vlimit. */
int vec_limit_start(ExecNode *n, Error *err);
/* *handled false (n->vlimit NULL): the input could not run batch-wise, nothing
 * was read, limit_next pulls rows. Else *row is the next row (borrowed until
 * the next call) or NULL at the end. */
int vec_limit_next(ExecNode *n, Value **row, bool *handled, Error *err);
/* executor_next's root is a LIMIT that vec_limit_applies to (statistics off):
 * vec_limit_fill appends its rows to out column by column until out is full or
 * the rows end (*end). *handled false: nothing was emitted; root->next() gives
 * the rows. */
bool vec_limit_fill_applies(const ExecState *es, const ExecNode *root);
int vec_limit_fill(ExecNode *root, Batch *out, bool *end, bool *handled, Error *err);

/* vec_distinct.c: a hash set of rows (width key columns of the given types)
 * filled a batch at a time, shared by DISTINCT and the set operations. Rows
 * are deep-copied into the set's own arena (a child of parent). Lookups of
 * batch rows compare integers and strings in the vectors; a row input hashes
 * and compares its Values the same way (vec_set_hash_row). */
typedef struct VecSet VecSet;
int vec_set_create(ExecState *es, Arena *parent, const SqlType *types, int width, VecSet **out,
                   Error *err);
void vec_set_destroy(VecSet *s);
/* hashes[i] = the key hash of row sel[i] (columns[c] NULL: all NULL). */
void vec_set_hash_batch(const VecSet *s, const Vector *const *columns, const uint16_t *sel,
                        int count, uint64_t *hashes);
uint64_t vec_set_hash_row(const VecSet *s, const Value *row);
/* Finds row r of the vectors (hash h): *index its position, or -1; with
 * insert a row not found is copied in (*inserted, count zero). 53200. */
int vec_set_lookup_batch(VecSet *s, const Vector *const *columns, int r, uint64_t h, bool insert,
                         int64_t *index, bool *inserted, Error *err);
int vec_set_lookup_row(VecSet *s, const Value *row, uint64_t h, bool insert, int64_t *index,
                       bool *inserted, Error *err);
/* The row kept at index (arena: the set's), the per-row counts (the set
 * operations' occurrences), the rows kept and the bytes they hold. */
Value *vec_set_row(const VecSet *s, size_t index);
uint64_t *vec_set_counts(const VecSet *s);
size_t vec_set_size(const VecSet *s);
size_t vec_set_bytes(const VecSet *s);

/* vec_distinct.c: SELECT DISTINCT (not ON, the whole row the key) over a
 * batch input. vec_distinct_next returns the next distinct row (arena: the
 * set's) or NULL at the end; *handled false: the row operator goes on (the
 * input could not run batch-wise and nothing was read, or, when may_spill
 * (the caller is distinct_spill_next), past work_mem the set was handed over
 * to it with exec_distinct_adopt). Without may_spill: 53200 past 4 x work_mem. */
bool vec_distinct_applies(const ExecState *es, const PlanNode *p);
int vec_distinct_next(ExecNode *n, bool may_spill, Value **row, bool *handled, Error *err);
/* executor.c: distinct_spill_next takes over a DISTINCT whose first rows
 * (rows[0..count-1], distinct, every one already emitted) were deduplicated
 * elsewhere: they become its set of rows seen, which is marked full, so the
 * rest of the input (first pending[0..pending_count-1], rows read after the
 * set filled and not in it, then n->left's next rows) spills what the set
 * does not hold. */
int exec_distinct_adopt(ExecNode *n, Value *const *rows, size_t count, Value *const *pending,
                        size_t pending_count, Error *err);

/* vec_setop.c: UNION / INTERSECT / EXCEPT [ALL] (not UNION ALL) with at least
 * one batch input, hashed a batch at a time; rows as setop_next gives them
 * (borrowed until the next call). *handled is true once it applies, unless
 * may_spill (the caller is setop_spill_next, INTERSECT / EXCEPT) and the set
 * passed work_mem: then it was handed over with exec_setop_adopt and every
 * later call returns *handled false. Without may_spill: 53200 past 4 x work_mem. */
bool vec_setop_applies(const ExecState *es, const PlanNode *p);
int vec_setop_next(ExecNode *n, bool may_spill, Value **row, bool *handled, Error *err);
/* executor.c: setop_spill_next takes over an INTERSECT / EXCEPT whose set
 * (the right side's distinct rows with their counts, and for EXCEPT the left
 * rows emitted so far, at count zero) passed work_mem. right_read false: the
 * right side was read only in part (the rest from n->right), no left row yet;
 * true: the right side was read whole, the left side up to n->left's next row. */
int exec_setop_adopt(ExecNode *n, const VecSet *set, bool right_read, Error *err);

/* vec_window.c: a PLAN_WINDOW over a batch input (or a join or aggregate)
 * whose calls share one window of column keys: sorted through vec_sort.c,
 * computed a partition at a time. *handled false (nothing read): window_next
 * goes on. */
bool vec_window_applies(const ExecState *es, const PlanNode *p);
int vec_window_next(ExecNode *n, Value **row, bool *handled, Error *err);

/* window.c: the PLAN_WINDOW operator's next(). */
int window_next(ExecNode *n, Value **row, Error *err);

/* fkey.c: the referencing side of every FOREIGN KEY of t for a new row
 * (23503 when the key is missing from the referenced table). */
int exec_fk_check_row(ExecState *es, const CatTable *t, const Value *row, Error *err);
/* fkey.c: the referenced side after a row of t was deleted (newrow NULL) or
 * updated: RESTRICT / NO ACTION raise 23503, CASCADE / SET NULL / SET
 * DEFAULT rewrite the referencing rows. */
int exec_fk_referenced(ExecState *es, const CatTable *t, const Value *old, const Value *newrow,
                       Error *err);

/* modify.c */
int exec_modify(ExecNode *n, Error *err);

/* Binds the expression keys and predicate of index ix of t (modify.c). */
int exec_bind_index_exprs(QueryEnv *env, const CatTable *t, const CatIndex *ix, Expr ***keys,
                          Expr **pred, Error *err);

/* Partitioned tables (modify_partition.c). A PartitionPlans caches, per
 * partition written, a copy of the statement's ModifyPlan for it. */
typedef struct PartitionPlans {
    const CatTable **tables;
    ModifyPlan **plans;
    int count;
    int capacity;
} PartitionPlans;

/* The plan for writing row (new or old, table columns) through m: m itself
 * for a plain table (after checking a partition's bound: 23514 "new row for
 * relation ... violates partition constraint" when check_bound), or for a
 * partitioned table the plan of the leaf partition the row belongs to (23514
 * "no partition of relation ... found for row"). */
int exec_partition_target(ExecNode *n, const ModifyPlan *m, const Value *row, bool check_bound,
                          PartitionPlans *cache, const ModifyPlan **out, Error *err);

/* ON CONFLICT DO UPDATE on a partition: 0A000 when the new row version
 * would belong to another partition (PostgreSQL does not move it either). */
int exec_partition_check_stays(ExecNode *n, const ModifyPlan *m, const Value *row, Error *err);

/* scan_filter.c: the ScanFilters of a scan node's qual (arena a; hints, the
 * qual is still evaluated), and adding a scan's counters to the node's
 * EXPLAIN ANALYZE stats (call after each scan_next; nothing without stats). */
int exec_scan_filters(const PlanNode *p, Arena *a, const ScanFilter **filters, int *count, Error *err);
void exec_scan_count(ExecNode *n, const TableAm *am);
/* pg_stat_user_tables / _indexes: adds scans and rows to the table scanned by n
 * through ix (NULL: a sequential scan), reported by executor_end. */
void exec_scan_stat_add(ExecNode *n, const CatIndex *ix, uint64_t scans, uint64_t read,
                        uint64_t fetched);

#endif
