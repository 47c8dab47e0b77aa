/*
 * api/api_database.c - the process-wide registry of open databases.
 *
 * Several strata_open calls on the same file (by canonical path) share one
 * Database: one Pager (page cache, WAL, writer lock) and one current Catalog.
 * ":memory:" databases are private to their connection. The registry lock
 * guards the list and connection counts; each Database's own lock guards its
 * current catalog and statistics. Lock order: registry lock, then db->lock.
 *
 * Catalog snapshots: a transaction uses the catalog of its snapshot, found
 * through the persisted catalog version of the snapshot (CATALOG_META_VERSION):
 * if it equals the current catalog's, the current one is shared; otherwise the
 * catalog is loaded from the snapshot itself (always correct, rarely needed).
 *
 * See src/api/README.md.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_int.h"
#include "util/mem.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static Database *registry;

static char *canonical_path(const char *path)
{
    char buf[PATH_MAX];
    if (realpath(path, buf) != NULL) {
        return mem_strdup(buf);
    }
    /* A file that does not exist yet: canonicalize its directory. */
    char *copy1 = mem_strdup(path);
    char *copy2 = mem_strdup(path);
    char *result = NULL;
    if (copy1 != NULL && copy2 != NULL) {
        const char *dir = dirname(copy1);
        const char *base = basename(copy2);
        char dirbuf[PATH_MAX];
        if (realpath(dir, dirbuf) != NULL) {
            size_t n = strlen(dirbuf) + strlen(base) + 2;
            result = mem_alloc(n);
            if (result != NULL) {
                snprintf(result, n, "%s/%s", strcmp(dirbuf, "/") == 0 ? "" : dirbuf, base);
            }
        }
    }
    mem_free(copy1);
    mem_free(copy2);
    return result;
}

static int bootstrap_if_needed(Database *db, Error *err)
{
    PagerTxn *txn;
    int rc = pager_begin(db->pager, false, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    bool needs = catalog_needs_bootstrap(txn);
    pager_rollback(txn);
    if (!needs) {
        return STRATA_OK;
    }
    rc = pager_begin(db->pager, true, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!catalog_needs_bootstrap(txn)) {
        pager_rollback(txn);
        return STRATA_OK;
    }
    rc = catalog_bootstrap(txn, err);
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return rc;
    }
    return pager_commit(txn, err);
}

static int database_load_catalog(Database *db, Error *err)
{
    int rc = bootstrap_if_needed(db, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    PagerTxn *txn;
    rc = pager_begin(db->pager, false, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    rc = catalog_load(txn, &db->current, err);
    pager_rollback(txn);
    return rc != STRATA_OK ? rc : api_role_ensure_bootstrap(db, err);
}

static void database_free(Database *db)
{
    if (db == NULL) {
        return;
    }
    catalog_release(db->current);
    if (db->pager != NULL) {
        pager_close(db->pager, NULL);
    }
    for (int k = 0; k < db->statement_count; k++) {
        mem_free(db->statements[k].query);
    }
    mem_free(db->statements);
    mem_free(db->counters);
    mem_free(db->sequences);
    pthread_mutex_destroy(&db->lock);
    mem_free(db->path);
    mem_free(db);
}

static int database_open_new(const char *path, const char *key, bool is_memory, Database **out,
                             Error *err)
{
    Database *db = mem_zalloc(sizeof(*db));
    if (db == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    pthread_mutex_init(&db->lock, NULL);
    db->is_memory = is_memory;
    db->pid = getpid();
    db->path = mem_strdup(key);
    PagerOptions opts;
    pager_options_default(&opts);
    /* The connection retries on its own busy timeout (strata_busy_timeout),
     * so the shared pager never waits by itself. */
    opts.busy_timeout_ms = 0;
    if (is_memory) {
        /* Nothing survives the process anyway: syncing a memory file would
         * only copy it on every commit. */
        opts.synchronous = 0;
    } else {
        /* Commits overwrite a preallocated, recycled WAL, and the automatic
         * checkpoints run in the pager's checkpointer thread, not in the
         * committing session (docs/storage.md, "Checkpoint"). */
        opts.wal_preallocate = true;
        opts.checkpoint_in_background = true;
    }
    int rc = db->path == NULL ? error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory")
                              : pager_open(path, &opts, &db->pager, err);
    if (rc == STRATA_OK) {
        rc = database_load_catalog(db, err);
    }
    if (rc != STRATA_OK) {
        database_free(db);
        return rc;
    }
    /* pg_temp_N schemas in a file just opened belong to sessions of a process
     * that ended without closing them (a crash): the first session drops them,
     * and new sessions number their schemas after the highest one. */
    for (int k = 0; k < catalog_schema_count(db->current); k++) {
        const char *name = catalog_schema_at(db->current, k)->name;
        int n;
        if (sscanf(name, "pg_temp_%d", &n) == 1) {
            db->stale_temp = true;
            if (n >= db->next_temp_schema) {
                db->next_temp_schema = n + 1;
            }
        }
    }
    *out = db;
    return STRATA_OK;
}

int api_database_take_temp_schema(Database *db, bool *drop_stale)
{
    pthread_mutex_lock(&registry_lock);
    int n = ++db->next_temp_schema;
    *drop_stale = db->stale_temp;
    db->stale_temp = false;
    pthread_mutex_unlock(&registry_lock);
    return n;
}

int api_database_acquire(const char *path, int flags, Database **out, Error *err)
{
    *out = NULL;
    bool is_memory = strcmp(path, ":memory:") == 0 || path[0] == '\0';
    if (is_memory) {
        return database_open_new(":memory:", ":memory:", true, out, err);
    }
    if (!(flags & STRATA_OPEN_CREATE) && access(path, F_OK) != 0) {
        return error_set(err, SQLSTATE_IO_ERROR, "could not open file \"%s\": %s", path,
                         strerror(errno));
    }
    char *key = canonical_path(path);
    if (key == NULL) {
        return error_set(err, SQLSTATE_IO_ERROR, "could not open file \"%s\": %s", path,
                         strerror(errno ? errno : ENOENT));
    }
    pthread_mutex_lock(&registry_lock);
    for (Database *db = registry; db != NULL; db = db->next) {
        if (strcmp(db->path, key) == 0 && db->pid == getpid()) {
            db->connection_count++;
            pthread_mutex_unlock(&registry_lock);
            mem_free(key);
            *out = db;
            return STRATA_OK;
        }
    }
    /* Opening under the registry lock keeps two threads from opening the
     * same file twice (the second would see its own process as a rival). */
    Database *db;
    int rc = database_open_new(key, key, false, &db, err);
    if (rc == STRATA_OK) {
        db->connection_count = 1;
        db->next = registry;
        registry = db;
        *out = db;
    }
    pthread_mutex_unlock(&registry_lock);
    mem_free(key);
    return rc;
}

void api_database_release(Database *db)
{
    if (db == NULL) {
        return;
    }
    if (db->is_memory) {
        database_free(db);
        return;
    }
    pthread_mutex_lock(&registry_lock);
    bool last = --db->connection_count == 0;
    if (last) {
        for (Database **link = &registry; *link != NULL; link = &(*link)->next) {
            if (*link == db) {
                *link = db->next;
                break;
            }
        }
        database_free(db);
    }
    pthread_mutex_unlock(&registry_lock);
}

int api_database_catalog_for(Database *db, PagerTxn *txn, const Catalog **out, Error *err)
{
    uint64_t version = catalog_disk_version(txn);
    pthread_mutex_lock(&db->lock);
    Catalog *current = db->current;
    if (current != NULL && catalog_disk_version_of(current) == version) {
        catalog_retain(current);
        pthread_mutex_unlock(&db->lock);
        *out = current;
        return STRATA_OK;
    }
    pthread_mutex_unlock(&db->lock);
    Catalog *loaded;
    int rc = catalog_load(txn, &loaded, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    api_database_publish_catalog(db, loaded);
    *out = loaded;
    return STRATA_OK;
}

void api_database_publish_catalog(Database *db, const Catalog *c)
{
    pthread_mutex_lock(&db->lock);
    if (db->current == NULL || catalog_disk_version_of(db->current) < catalog_disk_version_of(c)) {
        catalog_retain(c);
        catalog_release(db->current);
        db->current = (Catalog *)c;
    }
    pthread_mutex_unlock(&db->lock);
}

/* ---- statistics -------------------------------------------------------------------- */

static TableCounters *counters_for(Database *db, uint64_t table_id, bool is_index)
{
    for (int k = 0; k < db->counter_count; k++) {
        if (db->counters[k].id == table_id && db->counters[k].is_index == is_index) {
            return &db->counters[k];
        }
    }
    if (db->counter_count == db->counter_capacity) {
        int cap = db->counter_capacity ? db->counter_capacity * 2 : 16;
        TableCounters *grown = mem_realloc(db->counters, sizeof(TableCounters) * (size_t)cap);
        if (grown == NULL) {
            return NULL;
        }
        db->counters = grown;
        db->counter_capacity = cap;
    }
    TableCounters *c = &db->counters[db->counter_count++];
    memset(c, 0, sizeof(*c));
    c->id = table_id;
    c->is_index = is_index;
    return c;
}

static void counters_add(TableCounters *into, const TableCounters *delta)
{
    into->seq_scan += delta->seq_scan;
    into->seq_tup_read += delta->seq_tup_read;
    into->idx_scan += delta->idx_scan;
    into->idx_tup_read += delta->idx_tup_read;
    into->idx_tup_fetch += delta->idx_tup_fetch;
    into->n_tup_ins += delta->n_tup_ins;
    into->n_tup_upd += delta->n_tup_upd;
    into->n_tup_del += delta->n_tup_del;
}

static void flush_locked(Database *db, StatsPending *pending)
{
    for (int at = 0; at < pending->statement_count; at++) {
        int slot = pending->statements[at].slot;
        if (slot >= 0 && slot < db->statement_count) {
            StatementStats *s = &db->statements[slot];
            s->calls += pending->statements[at].calls;
            s->total_ms += pending->statements[at].total_ms;
            s->rows += pending->statements[at].rows;
        }
    }
    for (int at = 0; at < pending->counter_count; at++) {
        const TableCounters *delta = &pending->counters[at];
        TableCounters *c = counters_for(db, delta->id, delta->is_index);
        if (c != NULL) {
            counters_add(c, delta);
        }
    }
    pending->statement_count = 0;
    pending->counter_count = 0;
}

void api_database_flush_stats(Database *db, StatsPending *pending)
{
    if (db == NULL || (pending->statement_count == 0 && pending->counter_count == 0)) {
        return;
    }
    pthread_mutex_lock(&db->lock);
    flush_locked(db, pending);
    pthread_mutex_unlock(&db->lock);
}

/* The pending delta for (id, is_index), flushing first when full; NULL with
 * pending NULL (the caller then adds under the lock). */
static TableCounters *pending_counters(Database *db, StatsPending *pending, uint64_t id,
                                       bool is_index)
{
    for (int at = 0; at < pending->counter_count; at++) {
        if (pending->counters[at].id == id && pending->counters[at].is_index == is_index) {
            return &pending->counters[at];
        }
    }
    if (pending->counter_count == STATS_PENDING_MAX) {
        api_database_flush_stats(db, pending);
    }
    TableCounters *c = &pending->counters[pending->counter_count++];
    memset(c, 0, sizeof(*c));
    c->id = id;
    c->is_index = is_index;
    return c;
}

void api_database_count_rows(Database *db, StatsPending *pending, uint64_t table_id,
                             uint64_t ins, uint64_t upd, uint64_t del)
{
    if (pending == NULL) {
        StatsPending one = {.counter_count = 0};
        api_database_count_rows(db, &one, table_id, ins, upd, del);
        api_database_flush_stats(db, &one);
        return;
    }
    TableCounters *c = pending_counters(db, pending, table_id, false);
    c->n_tup_ins += ins;
    c->n_tup_upd += upd;
    c->n_tup_del += del;
}

void api_database_count_scans(Database *db, StatsPending *pending, uint64_t table_id,
                              uint64_t index_id, uint64_t scans, uint64_t rows_read,
                              uint64_t rows_fetched)
{
    if (pending == NULL) {
        StatsPending one = {.counter_count = 0};
        api_database_count_scans(db, &one, table_id, index_id, scans, rows_read, rows_fetched);
        api_database_flush_stats(db, &one);
        return;
    }
    TableCounters *t = pending_counters(db, pending, table_id, false);
    if (index_id == 0) {
        t->seq_scan += scans;
        t->seq_tup_read += rows_read;
    } else {
        t->idx_scan += scans;
        t->idx_tup_fetch += rows_fetched;
        TableCounters *ix = pending_counters(db, pending, index_id, true);
        ix->idx_scan += scans;
        ix->idx_tup_read += rows_read;
        ix->idx_tup_fetch += rows_fetched;
    }
}

/* Bounded so a workload of distinct statements cannot grow memory without end
 * (PostgreSQL's pg_stat_statements.max is 5000). */
enum { STATEMENT_STATS_MAX = 5000 };

/* The entry for norm, made if new (db->lock held); NULL when full or out of memory. */
static StatementStats *statement_entry(Database *db, const char *norm, int *slot)
{
    for (int k = 0; k < db->statement_count; k++) {
        if (strcmp(db->statements[k].query, norm) == 0) {
            *slot = k;
            return &db->statements[k];
        }
    }
    if (db->statement_count >= STATEMENT_STATS_MAX) {
        return NULL;
    }
    if (db->statement_count == db->statement_capacity) {
        int cap = db->statement_capacity ? db->statement_capacity * 2 : 32;
        StatementStats *grown = mem_realloc(db->statements, sizeof(StatementStats) * (size_t)cap);
        if (grown == NULL) {
            return NULL;
        }
        db->statements = grown;
        db->statement_capacity = cap;
    }
    StatementStats *s = &db->statements[db->statement_count];
    memset(s, 0, sizeof(*s));
    s->query = mem_strdup(norm);
    if (s->query == NULL) {
        return NULL;
    }
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = norm; *p; p++) {
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    }
    s->query_id = h >> 1;
    *slot = db->statement_count;
    db->statement_count++;
    return s;
}

void api_database_record_statement(Database *db, StatsPending *pending, const char *norm,
                                   double ms, uint64_t rows, int *slot)
{
    if (*slot < 0) {
        /* First run of this statement text here: find or make its entry
         * (entries are never removed, so the slot stays its entry). */
        pthread_mutex_lock(&db->lock);
        StatementStats *s = statement_entry(db, norm, slot);
        if (s != NULL) {
            s->calls++;
            s->total_ms += ms;
            s->rows += rows;
        }
        pthread_mutex_unlock(&db->lock);
        return;
    }
    int at = 0;
    while (at < pending->statement_count && pending->statements[at].slot != *slot) {
        at++;
    }
    if (at == STATS_PENDING_MAX) {
        api_database_flush_stats(db, pending);
        at = 0;
    }
    if (at == pending->statement_count) {
        pending->statements[at].slot = *slot;
        pending->statements[at].calls = 0;
        pending->statements[at].rows = 0;
        pending->statements[at].total_ms = 0;
        pending->statement_count++;
    }
    pending->statements[at].calls++;
    pending->statements[at].total_ms += ms;
    pending->statements[at].rows += rows;
}

int api_database_copy_counters(Database *db, Arena *a, TableCounters **out, int *count)
{
    pthread_mutex_lock(&db->lock);
    int n = db->counter_count;
    TableCounters *copy = arena_alloc(a, sizeof(TableCounters) * (size_t)(n ? n : 1));
    if (copy != NULL && n > 0) {
        memcpy(copy, db->counters, sizeof(TableCounters) * (size_t)n);
    }
    pthread_mutex_unlock(&db->lock);
    *out = copy;
    *count = copy != NULL ? n : 0;
    return copy != NULL ? STRATA_OK : STRATA_NOMEM;
}

int api_database_copy_statements(Database *db, Arena *a, StatementStats **out, int *count)
{
    pthread_mutex_lock(&db->lock);
    int n = db->statement_count;
    StatementStats *copy = arena_alloc(a, sizeof(StatementStats) * (size_t)(n ? n : 1));
    for (int k = 0; copy != NULL && k < n; k++) {
        copy[k] = db->statements[k];
        copy[k].query = arena_strdup(a, db->statements[k].query);
    }
    pthread_mutex_unlock(&db->lock);
    *out = copy;
    *count = copy != NULL ? n : 0;
    return copy != NULL ? STRATA_OK : STRATA_NOMEM;
}
