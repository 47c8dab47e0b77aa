/*
 * exec/vec_parallel.c - the vectorized pipeline's fact scan, probes and
 * aggregation on several threads (issue 6: "parallel scans/aggregation across
 * both cores").
 *
 * The leader (the statement's thread) builds the dimension hash tables as
 * before; then each extra worker gets a read transaction on the pager at the
 * leader's snapshot, its own arenas and a copy of the ExecState, the
 * aggregate's node and the pipeline (the build sides are shared, read only),
 * with a fact scan that shares a ScanClaim with the leader's: each row group
 * is read by the scan that claims it next (storage/tam.h), so a worker that
 * skips groups by zone maps, or finds fewer rows in its groups, simply claims
 * more. The caller's body (vec_agg.c: the aggregation loop into a
 * thread-local group table) runs on every thread; the caller then merges the
 * tables in first-appearance order and frees the workers (vec_par_end).
 *
 * Invariants
 *   1. A worker exists only if its txn reads the leader's snapshot and the
 *      leader's txn is read-only (a write txn's own changes are invisible to
 *      other txns); otherwise fewer workers (or none) run.
 *   2. Workers touch no memory of the leader's but what the plan and the
 *      build sides hold, which nobody writes while they run; each worker
 *      allocates only from its own root arenas (arenas are single-threaded).
 *   3. The first failure stops every scan at its next row group
 *      (SCAN_CLAIM_STOP); cancellation and statement_timeout reach every thread
 *      through the statement's interrupt flag, checked per batch.
 *
 * Threads: vec_par_begin / vec_par_run / vec_par_end on the leader's thread.
 * See src/exec/README.md ("Parallel pipeline").
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "exec/vec_int.h"
#include "types/jsonpath.h"

/* Below two default row groups (65,536 rows each) of facts there is at most
 * one group to share and a thread costs more than it saves. */
#define VEC_PARALLEL_ROWS_MIN 131072u

typedef struct VecWorker {
    struct VecParallel *par;
    ExecState es;
    ExecNode node;
    VecPipe vp;
    PagerTxn *txn;
    Arena *arena;   /* es.a and es.root */
    Arena *scratch; /* es.scratch */
    int (*body)(ExecNode *n, void *state, Error *err);
    void *state;
    int rc;
    Error err;
    pthread_t thread;
    bool started;
} VecWorker;

struct VecParallel {
    ScanClaim claim;
    VecWorker workers[VEC_PARALLEL_WORKERS_MAX];
    int count;
};

/* Extra threads worth starting: the setting, bounded by the cores beyond the
 * leader's. */
static int workers_wanted(const ExecState *es)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int wanted = es->env->parallel_workers;
    if (cores >= 1 && wanted > cores - 1) {
        wanted = (int)cores - 1;
    }
    return wanted < VEC_PARALLEL_WORKERS_MAX ? wanted : VEC_PARALLEL_WORKERS_MAX;
}

static bool parallel_allowed(const ExecNode *n, const VecPipe *vp)
{
    const ExecState *es = n->es;
    return es->env->parallel_workers > 0 && es->stats == NULL && es->sub_depth == 0 &&
           n->corr == NULL && vp->scan != NULL && !vp->done && !pager_txn_is_write(es->env->txn) &&
           vp->scan_p->table->am->scans_share_claims && vp->lazy < 0; /* a lazy level's pass reopened the scan */
}

/* The leader's scan again, now sharing the claim (nothing was read from it yet). */
static int reopen_leader_scan(ExecState *es, VecPipe *vp, VecParallel *par, Error *err)
{
    const PlanNode *p = vp->scan_p;
    tam_scan_end(p->table->am, vp->scan);
    vp->scan = NULL;
    vp->spec.claim = &par->claim;
    vp->spec.claim_ticket = &vp->ticket;
    return tam_scan_begin(p->table->am, es->env->txn, &p->table->desc, &vp->spec, es->a, &vp->scan,
                          err);
}

/* Worker w: snapshot txn, arenas, copies of the state it reads, its scan. *ok
 * false (and no error) when the pager gave no read txn or a different snapshot. */
static int worker_prepare(ExecNode *n, VecPipe *vp, VecWorker *w, bool *ok, Error *err)
{
    ExecState *es = n->es;
    const PlanNode *p = vp->scan_p;
    *ok = false;
    Error ignored;
    if (pager_begin(pager_txn_pager(es->env->txn), false, &w->txn, &ignored) != STRATA_OK) {
        w->txn = NULL;
        return STRATA_OK; /* no read txn (the pager is failing): run with fewer threads */
    }
    if (pager_txn_snapshot(w->txn) != pager_txn_snapshot(es->env->txn)) {
        return STRATA_OK; /* a commit came in between: this worker stays out */
    }
    int rc;
    w->arena = arena_create(NULL, 0, "parallel worker");
    w->scratch = w->arena != NULL ? arena_create(w->arena, 0, "parallel worker scratch") : NULL;
    if (w->scratch == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    w->es = *es;
    w->es.a = w->arena;
    w->es.root = w->arena;
    w->es.scratch = w->scratch;
    w->es.fctx.arena = w->scratch;
    w->es.fctx.jsonpath_cache = jsonpath_cache_new(w->arena); /* its own: not thread-safe */
    w->es.spills = NULL;
    w->vp = *vp;
    w->vp.scan = NULL;
    w->vp.cur = (VecTuples){0};
    w->vp.next = (VecTuples){0};
    w->vp.pos = 0;
    w->vp.scan_node.es = &w->es;
    w->vp.spec.claim_ticket = &w->vp.ticket;
    w->vp.batch = w->vp.scan_batch = batch_create(w->arena, vp->batch_types, vp->batch_width, 0);
    w->vp.scan_row = arena_alloc(w->arena, sizeof(Value) * (size_t)(p->column_count + 1));
    if (w->vp.batch == NULL || w->vp.scan_row == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    memcpy(w->vp.scan_row, vp->scan_row, sizeof(Value) * (size_t)p->column_count);
    w->node = *n;
    w->node.es = &w->es;
    w->node.vec = &w->vp;
    rc = tam_scan_begin(p->table->am, w->txn, &p->table->desc, &w->vp.spec, w->arena, &w->vp.scan,
                        err);
    *ok = rc == STRATA_OK;
    return rc;
}

static void worker_release(VecWorker *w)
{
    if (w->vp.scan != NULL) {
        tam_scan_end(w->vp.scan_p->table->am, w->vp.scan);
        w->vp.scan = NULL;
    }
    if (w->txn != NULL) {
        pager_rollback(w->txn);
        w->txn = NULL;
    }
    arena_destroy(w->arena);
    w->arena = NULL;
}

int vec_par_begin(ExecNode *n, VecPipe *vp, VecParallel **out, Error *err)
{
    ExecState *es = n->es;
    *out = NULL;
    int wanted = workers_wanted(es);
    if (!parallel_allowed(n, vp) || wanted <= 0) {
        return STRATA_OK;
    }
    TableStats stats = {0};
    const PlanNode *p = vp->scan_p;
    int rc = tam_stats(p->table->am, es->env->txn, &p->table->desc, &stats, err);
    if (rc != STRATA_OK || stats.row_count < VEC_PARALLEL_ROWS_MIN) {
        return rc;
    }
    VecParallel *par = arena_zalloc(es->a, sizeof *par);
    if (par == NULL) {
        return arena_error(es->a, err);
    }
    atomic_store(&par->claim.next, 0);
    vp->spec.claim = &par->claim;
    for (int w = 0; w < wanted && rc == STRATA_OK; w++) {
        VecWorker *worker = &par->workers[par->count];
        memset(worker, 0, sizeof *worker);
        worker->par = par;
        bool ok = false;
        rc = worker_prepare(n, vp, worker, &ok, err);
        if (ok) {
            par->count++;
        } else {
            worker_release(worker);
        }
    }
    if (rc == STRATA_OK && par->count > 0) {
        rc = reopen_leader_scan(es, vp, par, err);
    }
    if (rc != STRATA_OK || par->count == 0) {
        vp->spec.claim = NULL;
        vec_par_end(par);
        return rc;
    }
    *out = par;
    return STRATA_OK;
}

int vec_par_workers(const VecParallel *par) { return par->count; }

ExecNode *vec_par_node(VecParallel *par, int w) { return &par->workers[w].node; }

static void *worker_main(void *arg)
{
    VecWorker *w = arg;
    w->rc = w->body(&w->node, w->state, &w->err);
    if (w->rc != STRATA_OK) {
        atomic_store(&w->par->claim.next, SCAN_CLAIM_STOP);
    }
    return NULL;
}

int vec_par_run(VecParallel *par, ExecNode *leader,
                int (*body)(ExecNode *n, void *state, Error *err), void **states, Error *err)
{
    for (int w = 0; w < par->count; w++) {
        VecWorker *worker = &par->workers[w];
        worker->body = body;
        worker->state = states[w + 1];
        /* A thread that cannot start claims nothing: the others read its share. */
        worker->started = pthread_create(&worker->thread, NULL, worker_main, worker) == 0;
    }
    int rc = body(leader, states[0], err);
    if (rc != STRATA_OK) {
        atomic_store(&par->claim.next, SCAN_CLAIM_STOP);
    }
    for (int w = 0; w < par->count; w++) {
        VecWorker *worker = &par->workers[w];
        if (!worker->started) {
            continue;
        }
        pthread_join(worker->thread, NULL);
        if (rc == STRATA_OK && worker->rc != STRATA_OK) {
            *err = worker->err;
            rc = worker->rc;
        }
    }
    return rc;
}

void vec_par_end(VecParallel *par)
{
    if (par == NULL) {
        return;
    }
    for (int w = 0; w < par->count; w++) {
        worker_release(&par->workers[w]);
    }
    par->count = 0;
}
