/*
 * storage/pager/pager.c - opening and recovery, transactions, commit with
 * group commit, the error state.
 *
 * Transaction states (function performing each transition):
 *
 *   pager_begin(read) --> READ --pager_upgrade--> WRITE
 *   pager_begin(write) ---------------------------^  |
 *   READ --pager_commit/pager_rollback--> (freed)    |
 *   WRITE --pager_commit: append frames, publish, release writer lock,
 *           wait_durable--> (freed)
 *   WRITE --pager_rollback: rewind spilled frames, release writer lock--> (freed)
 *
 * Pager states: OPEN --(failed write/fsync: pager_enter_error_state)--> ERROR;
 * ERROR refuses write transactions and commits until pager_close + reopen.
 *
 * See pager.h for the contract and src/storage/pager/README.md for the design.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/pager/pager_int.h"
#include "util/assert.h"
#include "util/checksum.h"
#include "util/mem.h"

void pager_options_default(PagerOptions *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->cache_pages = (32u << 20) / PAGE_SIZE;
    opts->synchronous = 2;
    opts->busy_timeout_ms = 5000;
    opts->wal_autocheckpoint_pages = 4096;
}

/* ---- page checksums ---- */

void pager_page_finalize(uint8_t *page, Pgno pgno)
{
    put_u32(page + TAIL_OFF_PGNO, pgno);
    put_u32(page + TAIL_OFF_FLAGS, 0);
    put_u64(page + TAIL_OFF_CHECKSUM, checksum64(page, TAIL_OFF_CHECKSUM, PAGE_CHECKSUM_SEED));
}

int pager_page_verify(const uint8_t *page, Pgno pgno, const char *file, const char *where,
                      Error *err)
{
    if (get_u64(page + TAIL_OFF_CHECKSUM) !=
        checksum64(page, TAIL_OFF_CHECKSUM, PAGE_CHECKSUM_SEED)) {
        return error_corrupt(err, "checksum mismatch in page %u of file \"%s\"%s", pgno, file,
                             where);
    }
    if (get_u32(page + TAIL_OFF_PGNO) != pgno) {
        return error_corrupt(err, "page %u of file \"%s\"%s holds page %u (misdirected write)",
                             pgno, file, where, get_u32(page + TAIL_OFF_PGNO));
    }
    return STRATA_OK;
}

/* Reads pgno from the database file (snapshot unused: the file has one version). */
int pager_read_version(Pager *pager, Pgno pgno, uint64_t snapshot, uint8_t *out, Error *err)
{
    bool complete = false;
    int rc = vfs_read_full(pager->db, out, PAGE_SIZE, (uint64_t)pgno * PAGE_SIZE, &complete, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!complete) {
        return error_corrupt(err, "page %u is missing from file \"%s\"", pgno, pager->path);
    }
    return STRATA_OK;
}

void pager_enter_error_state(Pager *pager)
{
    pthread_mutex_lock(&pager->mutex);
    __atomic_store_n(&pager->error_state, true, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&pager->sync_cond);
    pthread_mutex_unlock(&pager->mutex);
}

/* An atomic read, not the mutex: pager_write asks for every page it makes
 * writable, and the flag only ever goes from false to true (every store is
 * atomic; the other readers hold the mutex). */
bool pager_in_error_state(Pager *pager)
{
    return __atomic_load_n(&pager->error_state, __ATOMIC_ACQUIRE);
}

int pager_error_state_error(Pager *pager, Error *err)
{
    return error_set(err, SQLSTATE_IO_ERROR,
                     "database \"%s\" is in an error state after a failed write; reopen it",
                     pager->path);
}

const char *pager_path(const Pager *pager) { return pager->path; }

void pager_stats(Pager *pager, PagerStats *out)
{
    pthread_mutex_lock(&pager->mutex);
    *out = pager->stats;
    out->wal_frames = pager->appended_lsn - pager->generation_base_lsn;
    pthread_mutex_unlock(&pager->mutex);
}

/* ---- open and recovery ---- */

static void header_init(uint8_t *page)
{
    memset(page, 0, PAGE_SIZE);
    memcpy(page + HDR_OFF_MAGIC, HDR_MAGIC, 8);
    put_u32(page + HDR_OFF_VERSION, HDR_FORMAT_VERSION);
    put_u32(page + HDR_OFF_PAGE_SIZE, PAGE_SIZE);
    put_u32(page + HDR_OFF_PAGE_COUNT, 1);
    pager_page_finalize(page, 0);
}

/* Validates a header page image read from file (where names a WAL frame). */
int pager_header_validate(const uint8_t *page, const char *file, const char *where, Error *err)
{
    if (memcmp(page + HDR_OFF_MAGIC, HDR_MAGIC, 8) != 0) {
        return error_corrupt(err, "file \"%s\" is not a strata database", file);
    }
    uint32_t version = get_u32(page + HDR_OFF_VERSION);
    if (version > HDR_FORMAT_VERSION || version == 0) {
        error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                  "database file \"%s\" has format version %u; this strata reads version %u",
                  file, version, HDR_FORMAT_VERSION);
        return error_hint(err, "Open it with a newer strata.");
    }
    if (get_u32(page + HDR_OFF_PAGE_SIZE) != PAGE_SIZE) {
        return error_corrupt(err, "file \"%s\" has page size %u, expected %u", file,
                             get_u32(page + HDR_OFF_PAGE_SIZE), PAGE_SIZE);
    }
    int rc = pager_page_verify(page, 0, file, where, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (get_u32(page + HDR_OFF_PAGE_COUNT) == 0) {
        return error_corrupt(err, "header page of file \"%s\"%s has page count 0", file, where);
    }
    if (get_u32(page + HDR_OFF_COUNTER_COUNT) > PAGER_COUNTER_SLOTS) {
        return error_corrupt(err, "header page of file \"%s\"%s has %u counter slots, at most %u",
                             file, where, get_u32(page + HDR_OFF_COUNTER_COUNT),
                             PAGER_COUNTER_SLOTS);
    }
    return STRATA_OK;
}

static int create_database(Pager *pager, Error *err)
{
    uint8_t *page = mem_alloc(PAGE_SIZE);
    if (page == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    header_init(page);
    int rc = vfs_truncate(pager->wal_file, 0, err);
    if (rc == STRATA_OK) {
        rc = vfs_write(pager->db, page, PAGE_SIZE, 0, err);
    }
    if (rc == STRATA_OK && pager->opts.synchronous > 0) {
        rc = vfs_sync(pager->db, err);
    }
    mem_free(page);
    return rc;
}

static int recover(Pager *pager, Error *err)
{
    uint64_t db_size = 0;
    int rc = vfs_size(pager->db, &db_size, err);
    if (rc == STRATA_OK && db_size == 0) {
        rc = create_database(pager, err);
    }
    WalRecovery recovery;
    if (rc == STRATA_OK) {
        rc = wal_recover(&pager->wal, pager->wal_file, pager->opts.synchronous > 0, &recovery, err);
    }
    uint8_t *page = mem_alloc(PAGE_SIZE);
    if (page == NULL) {
        return rc != STRATA_OK ? rc : error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    /* The database file's own header says how far checkpoints got; it may be
     * torn by a crash during a checkpoint, and then the WAL still holds it. */
    uint64_t file_seq = 0;
    bool file_ok = false;
    if (rc == STRATA_OK) {
        rc = pager_read_version(pager, 0, 0, page, err);
        if (rc == STRATA_CORRUPT) {
            error_clear(err);
            rc = STRATA_OK;
        } else if (rc == STRATA_OK) {
            Error scratch;
            error_clear(&scratch);
            file_ok = pager_header_validate(page, pager->path, "", &scratch) == STRATA_OK;
            if (file_ok) {
                file_seq = get_u64(page + HDR_OFF_COMMIT_SEQ);
            }
        }
    }
    /* A WAL whose last valid commit is older than the file's checkpointed
     * commit holds nothing the file lacks: it is what remains of a generation
     * that a restart ended (the file was synced before the restart), read
     * through a header whose rewrite did not reach the disk, up to the first
     * frame the new generation overwrote. Its frames must not be replayed:
     * they are older than the file's pages. A restart does not sync its
     * header (the next commit's WAL sync does), which this rule makes safe. */
    if (rc == STRATA_OK && file_ok && pager->wal.frame_count > 0 &&
        recovery.last_commit_seq < file_seq) {
        rc = wal_restart(&pager->wal, pager->opts.synchronous > 0, err);
        recovery.last_commit_seq = 0;
        pager->stats.stale_wal_discards++;
    }
    WalIndexEntry entry;
    if (rc == STRATA_OK && wal_index_find(&pager->wal, 0, UINT64_MAX, &entry)) {
        char where[64];
        snprintf(where, sizeof(where), " (WAL frame %llu)", (unsigned long long)entry.frame_index);
        rc = wal_read_frame(&pager->wal, entry.frame_index, page, err);
        if (rc == STRATA_OK) {
            rc = pager_header_validate(page, pager->wal_path, where, err);
        }
    } else if (rc == STRATA_OK && !file_ok) {
        rc = pager_read_version(pager, 0, 0, page, err);
        if (rc == STRATA_OK) {
            rc = pager_header_validate(page, pager->path, "", err);
        }
    }
    if (rc == STRATA_OK) {
        uint64_t seq = get_u64(page + HDR_OFF_COMMIT_SEQ);
        if (recovery.last_commit_seq > seq) {
            seq = recovery.last_commit_seq;
        }
        pager->appended_seq = pager->durable_seq = seq;
        pager->backfilled_seq = file_ok ? file_seq : 0;
        pager->appended_lsn = pager->durable_lsn = pager->wal.frame_count;
        pager->generation_base_lsn = 0;
    }
    mem_free(page);
    return rc;
}

static int pager_alloc_struct(const char *path, const PagerOptions *opts, Pager **out, Error *err)
{
    Pager *pager = mem_zalloc(sizeof(*pager));
    size_t len = strlen(path);
    if (pager != NULL) {
        pager->path = mem_strdup(path);
        pager->wal_path = mem_alloc(len + 5);
    }
    if (pager == NULL || pager->path == NULL || pager->wal_path == NULL) {
        if (pager != NULL) {
            mem_free(pager->path);
            mem_free(pager->wal_path);
        }
        mem_free(pager);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    memcpy(pager->wal_path, path, len);
    memcpy(pager->wal_path + len, "-wal", 5);
    pager_options_default(&pager->opts);
    if (opts != NULL) {
        pager->opts.synchronous = opts->synchronous;
        pager->opts.busy_timeout_ms = opts->busy_timeout_ms;
        pager->opts.vfs = opts->vfs;
        if (opts->cache_pages != 0) {
            pager->opts.cache_pages = opts->cache_pages < 8 ? 8 : opts->cache_pages;
        }
        if (opts->wal_autocheckpoint_pages != 0) {
            pager->opts.wal_autocheckpoint_pages = opts->wal_autocheckpoint_pages;
        }
        pager->opts.wal_preallocate = opts->wal_preallocate;
        pager->opts.wal_keep_on_close = opts->wal_keep_on_close;
        pager->opts.checkpoint_in_background = opts->checkpoint_in_background;
    }
    wal_init(&pager->wal);
    pthread_mutex_init(&pager->checkpoint_lock, NULL);
    pthread_cond_init(&pager->checkpointer_cond, NULL);
    pthread_mutex_init(&pager->mutex, NULL);
    pthread_cond_init(&pager->writer_cond, NULL);
    pthread_cond_init(&pager->appends_cond, NULL);
    pthread_cond_init(&pager->sync_cond, NULL);
    pthread_rwlock_init(&pager->wal_rwlock, NULL);
    *out = pager;
    return STRATA_OK;
}

static void pager_free_struct(Pager *pager)
{
    txn_free(pager->spare_txn);
    wal_free(&pager->wal);
    cache_free(pager);
    vfs_close(pager->wal_file);
    if (pager->db != NULL) {
        vfs_unlock(pager->db);
        vfs_close(pager->db);
    }
    vfs_destroy(pager->owned_vfs);
    pthread_mutex_destroy(&pager->mutex);
    pthread_cond_destroy(&pager->writer_cond);
    pthread_cond_destroy(&pager->appends_cond);
    pthread_cond_destroy(&pager->sync_cond);
    pthread_rwlock_destroy(&pager->wal_rwlock);
    pthread_mutex_destroy(&pager->checkpoint_lock);
    pthread_cond_destroy(&pager->checkpointer_cond);
    mem_free(pager->path);
    mem_free(pager->wal_path);
    mem_free(pager);
}

/* ---- the checkpointer thread ---- */

/* Runs the automatic checkpoints and the WAL zero fill that commits ask for,
 * so that neither happens in a committing session. Errors put the pager in
 * its error state (the functions it calls do that), which every later write
 * reports. */
static void *checkpointer_main(void *arg)
{
    Pager *pager = arg;
    pthread_mutex_lock(&pager->mutex);
    for (;;) {
        while (!pager->checkpointer_stop && !pager->checkpoint_requested &&
               !pager->fill_requested) {
            pthread_cond_wait(&pager->checkpointer_cond, &pager->mutex);
        }
        if (pager->checkpointer_stop) {
            break;
        }
        bool fill = pager->fill_requested, checkpoint = pager->checkpoint_requested;
        pager->fill_requested = pager->checkpoint_requested = false;
        /* Commits that found the WAL past the threshold while the previous
         * checkpoint ran asked again; if that one restarted the WAL, the
         * request is stale (running it would copy a few pages and restart
         * again, holding the writer lock for nothing). */
        if (checkpoint && pager->appended_lsn - pager->generation_base_lsn <
                              pager->opts.wal_autocheckpoint_pages) {
            checkpoint = false;
            pager->stats.stale_checkpoint_requests++;
        }
        pthread_mutex_unlock(&pager->mutex);
        Error err;
        error_clear(&err);
        if (fill && wal_fill(&pager->wal, &err) != STRATA_OK) {
            pager_enter_error_state(pager);
        }
        error_clear(&err);
        if (checkpoint) {
            (void)pager_checkpoint_background(pager, &err);
        }
        pthread_mutex_lock(&pager->mutex);
    }
    pthread_mutex_unlock(&pager->mutex);
    return NULL;
}

static void checkpointer_wake_fill(void *arg)
{
    Pager *pager = arg;
    pthread_mutex_lock(&pager->mutex);
    pager->fill_requested = true;
    pthread_cond_signal(&pager->checkpointer_cond);
    pthread_mutex_unlock(&pager->mutex);
}

/* WAL preallocation, and the thread that checkpoints and fills (options). */
static int start_checkpointer(Pager *pager, Error *err)
{
    bool is_background = pager->opts.checkpoint_in_background;
    if (pager->opts.wal_preallocate) {
        uint64_t frames = (uint64_t)pager->opts.wal_autocheckpoint_pages;
        wal_set_preallocation(&pager->wal, 2 * frames, pager->opts.synchronous > 0,
                              is_background ? checkpointer_wake_fill : NULL, pager);
    }
    if (!is_background) {
        return STRATA_OK;
    }
    if (pthread_create(&pager->checkpointer, NULL, checkpointer_main, pager) != 0) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY,
                         "could not start the checkpointer thread of \"%s\"", pager->path);
    }
    pager->has_checkpointer = true;
    return STRATA_OK;
}

static void stop_checkpointer(Pager *pager)
{
    if (!pager->has_checkpointer) {
        return;
    }
    pthread_mutex_lock(&pager->mutex);
    pager->checkpointer_stop = true;
    pthread_cond_signal(&pager->checkpointer_cond);
    pthread_mutex_unlock(&pager->mutex);
    pthread_join(pager->checkpointer, NULL);
    pager->has_checkpointer = false;
    /* From here on the closing thread fills inline. */
    wal_set_preallocation(&pager->wal, pager->wal.prealloc_frames, pager->opts.synchronous > 0,
                          NULL, NULL);
}

int pager_open(const char *path, const PagerOptions *opts, Pager **out, Error *err)
{
    Pager *pager = NULL;
    int rc = pager_alloc_struct(path, opts, &pager, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    pager->vfs = pager->opts.vfs;
    if (pager->vfs == NULL && (strcmp(path, ":memory:") == 0 || path[0] == '\0')) {
        pager->vfs = pager->owned_vfs = vfs_memory_create_volatile();
        if (pager->vfs == NULL) {
            pager_free_struct(pager);
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    } else if (pager->vfs == NULL) {
        pager->vfs = vfs_posix();
    }
    rc = vfs_open(pager->vfs, path, VFS_OPEN_CREATE, &pager->db, err);
    if (rc == STRATA_OK) {
        rc = vfs_lock(pager->db, err);
        if (rc != STRATA_OK) {
            vfs_close(pager->db);
            pager->db = NULL;
        }
    }
    if (rc == STRATA_OK) {
        rc = vfs_open(pager->vfs, pager->wal_path, VFS_OPEN_CREATE, &pager->wal_file, err);
    }
    if (rc == STRATA_OK) {
        rc = cache_init(pager) == STRATA_OK
                 ? STRATA_OK
                 : error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (rc == STRATA_OK) {
        rc = recover(pager, err);
    }
    if (rc == STRATA_OK) {
        rc = start_checkpointer(pager, err);
    }
    if (rc != STRATA_OK) {
        pager_free_struct(pager);
        return rc;
    }
    *out = pager;
    return STRATA_OK;
}

int pager_set_cache_pages(Pager *pager, size_t cache_pages, Error *err)
{
    if (cache_pages < 8) {
        cache_pages = 8;
    }
    pthread_mutex_lock(&pager->mutex);
    int rc = cache_resize(pager, cache_pages);
    pthread_mutex_unlock(&pager->mutex);
    if (rc != STRATA_OK) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    return STRATA_OK;
}

size_t pager_cache_pages(Pager *pager)
{
    return __atomic_load_n(&pager->opts.cache_pages, __ATOMIC_RELAXED);
}

int pager_close(Pager *pager, Error *err)
{
    if (pager == NULL) {
        return STRATA_OK;
    }
    ST_ASSERT(pager->txns == NULL);
    stop_checkpointer(pager);
    int rc = STRATA_OK;
    if (!pager->error_state) {
        rc = pager_checkpoint_internal(pager, true, err);
        if (rc == STRATA_OK && pager->wal.frame_count == 0 && !pager->error_state &&
            !(pager->opts.wal_preallocate && pager->opts.wal_keep_on_close)) {
            /* Everything is in the database file: the WAL can go. (A
             * preallocated one kept on close stays, empty, for the next open.) */
            vfs_close(pager->wal_file);
            pager->wal_file = NULL;
            rc = vfs_delete(pager->vfs, pager->wal_path, err);
        }
    }
    pager_free_struct(pager);
    return rc;
}

/* ---- transactions ---- */

int pager_acquire_writer(Pager *pager, Error *err)
{
    return pager_acquire_writer_ms(pager, pager->opts.busy_timeout_ms, err);
}

int pager_acquire_writer_ms(Pager *pager, long wait_ms, Error *err)
{
    /* Called with the mutex held. */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    long ms = wait_ms > 0 ? wait_ms : 0;
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (pager->writer_active) {
        int wait_rc = pthread_cond_timedwait(&pager->writer_cond, &pager->mutex, &deadline);
        if (wait_rc == ETIMEDOUT && pager->writer_active) {
            return error_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, "database is locked");
        }
    }
    pager->writer_active = true;
    return STRATA_OK;
}

void pager_release_writer_locked(Pager *pager)
{
    pager->writer_active = false;
    pager->writer_promoted = false;
    pthread_cond_broadcast(&pager->writer_cond);
}

void pager_appends_enter(Pager *pager)
{
    pthread_mutex_lock(&pager->mutex);
    while (pager->appends_held) {
        pthread_cond_wait(&pager->appends_cond, &pager->mutex);
    }
    pager->is_appending = true;
    pthread_mutex_unlock(&pager->mutex);
}

void pager_appends_leave_locked(Pager *pager)
{
    pager->is_appending = false;
    if (pager->appends_held) {
        pthread_cond_broadcast(&pager->appends_cond); /* the checkpointer waits for it */
    }
}

void pager_appends_leave(Pager *pager)
{
    pthread_mutex_lock(&pager->mutex);
    pager_appends_leave_locked(pager);
    pthread_mutex_unlock(&pager->mutex);
}

/* The rewind point is taken at the first frame, not at begin: the checkpointer
 * may restart the WAL while a writer is inside its transaction (not appending),
 * which moves the append point back to frame 0. Inside the append barrier, so
 * the append point is stable. */
void txn_note_first_append(PagerTxn *txn)
{
    if (!txn->has_spilled) {
        txn->wal_frames_at_begin = txn->pager->wal.frame_count;
        txn->wal_chain_at_begin = txn->pager->wal.chain_checksum;
    }
}

static void txn_link(Pager *pager, PagerTxn *txn)
{
    txn->next = pager->txns;
    if (pager->txns != NULL) {
        pager->txns->prev = txn;
    }
    pager->txns = txn;
}

static void txn_unlink(Pager *pager, PagerTxn *txn)
{
    if (txn->prev != NULL) {
        txn->prev->next = txn->next;
    } else {
        pager->txns = txn->next;
    }
    if (txn->next != NULL) {
        txn->next->prev = txn->prev;
    }
}

/* Frees a txn; a write txn's spilled frames are rewound and its lock released. */
static void txn_end(PagerTxn *txn)
{
    Pager *pager = txn->pager;
    txn_release_all(txn);
    txn_drop_savepoints(txn);
    mem_free(txn->pending_free);
    pthread_mutex_lock(&pager->mutex);
    if (txn->is_write) {
        if (txn->has_spilled) {
            pager->wal.frame_count = txn->wal_frames_at_begin;
            pager->wal.chain_checksum = txn->wal_chain_at_begin;
        }
        pager_release_writer_locked(pager);
    }
    txn_unlink(pager, txn);
    bool is_kept = pager->spare_txn == NULL && txn->page_slots > 0;
    if (is_kept) {
        pager->spare_txn = txn;
    }
    pthread_mutex_unlock(&pager->mutex);
    if (!is_kept) {
        txn_free(txn);
    }
}

/* A zeroed transaction, reusing the handle table and spare handles of the
 * last ended one if the pager kept it: a short read transaction (a point
 * select) then allocates nothing. */
static PagerTxn *txn_new(Pager *pager)
{
    pthread_mutex_lock(&pager->mutex);
    PagerTxn *txn = pager->spare_txn;
    pager->spare_txn = NULL;
    pthread_mutex_unlock(&pager->mutex);
    if (txn == NULL) {
        return mem_zalloc(sizeof(*txn));
    }
    Page **pages = txn->pages, *spare_pages = txn->spare_pages;
    uint32_t page_slots = txn->page_slots, spare_count = txn->spare_count;
    memset(txn, 0, sizeof(*txn));
    txn->pages = pages;
    txn->page_slots = page_slots;
    txn->spare_pages = spare_pages;
    txn->spare_count = spare_count;
    return txn;
}

int pager_begin(Pager *pager, bool write, PagerTxn **out, Error *err)
{
    return pager_begin_wait(pager, write, pager->opts.busy_timeout_ms, out, err);
}

/* A new txn of pager with its durability; NULL when out of memory. */
static PagerTxn *txn_for(Pager *pager)
{
    PagerTxn *txn = txn_new(pager);
    if (txn != NULL) {
        txn->pager = pager;
        txn->synchronous = pager->opts.synchronous;
    }
    return txn;
}

/* The end of a begin, after the txn was linked: its header page and page count. */
static int txn_begun(PagerTxn *txn, PagerTxn **out, Error *err)
{
    int rc = txn_get_handle(txn, 0, &txn->hdr, err);
    if (rc != STRATA_OK) {
        txn_end(txn);
        return rc;
    }
    txn->snapshot_page_count = txn_page_count(txn);
    *out = txn;
    return STRATA_OK;
}

int pager_begin_wait(Pager *pager, bool write, long wait_ms, PagerTxn **out, Error *err)
{
    PagerTxn *txn = txn_for(pager);
    if (txn == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    pthread_mutex_lock(&pager->mutex);
    if (write && pager->error_state) {
        pthread_mutex_unlock(&pager->mutex);
        txn_free(txn);
        return pager_error_state_error(pager, err);
    }
    if (write) {
        int rc = pager_acquire_writer_ms(pager, wait_ms, err);
        if (rc != STRATA_OK) {
            pthread_mutex_unlock(&pager->mutex);
            txn_free(txn);
            return rc;
        }
        txn->is_write = true;
        txn->snapshot = pager->appended_seq;
        txn->base_seq = pager->appended_seq;
        txn->base_lsn = pager->appended_lsn;
    } else {
        txn->snapshot = pager->durable_seq;
    }
    txn_link(pager, txn);
    pthread_mutex_unlock(&pager->mutex);
    return txn_begun(txn, out, err);
}

int pager_begin_write_or_speculate(Pager *pager, PagerTxn **out, bool *speculative, Error *err)
{
    *speculative = false;
    PagerTxn *txn = txn_for(pager);
    if (txn == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    pthread_mutex_lock(&pager->mutex);
    if (pager->error_state) {
        pthread_mutex_unlock(&pager->mutex);
        txn_free(txn);
        return pager_error_state_error(pager, err);
    }
    if (pager->writer_active) {
        txn->is_speculative = true;
        pager->stats.speculative_begins++;
    } else {
        pager->writer_active = true;
        txn->is_write = true;
    }
    /* Both read the newest appended commit, as a writer does (its end without
     * a commit waits for that base to be durable: txn_end_without_commit). */
    txn->snapshot = pager->appended_seq;
    txn->base_seq = pager->appended_seq;
    txn->base_lsn = pager->appended_lsn;
    txn_link(pager, txn);
    *speculative = txn->is_speculative;
    pthread_mutex_unlock(&pager->mutex);
    return txn_begun(txn, out, err);
}

int pager_promote_wait(PagerTxn *txn, long wait_ms, bool may_restart, bool *restarted,
                       Error *err)
{
    Pager *pager = txn->pager;
    *restarted = false;
    if (txn->is_write) {
        return STRATA_OK;
    }
    pthread_mutex_lock(&pager->mutex);
    bool was_speculative = txn->is_speculative;
    pager->promote_waiters += was_speculative;
    int rc = pager->error_state ? pager_error_state_error(pager, err)
                                : pager_acquire_writer_ms(pager, wait_ms, err);
    pager->promote_waiters -= was_speculative;
    if (rc != STRATA_OK) {
        pthread_mutex_unlock(&pager->mutex);
        return rc;
    }
    pager->writer_promoted = was_speculative;
    if (txn->snapshot == pager->appended_seq) {
        if (txn->is_speculative) {
            pager->stats.speculative_kept++;
        }
        txn->is_speculative = false;
        txn->is_write = true;
        txn->base_seq = pager->appended_seq;
        txn->base_lsn = pager->appended_lsn;
        pthread_mutex_unlock(&pager->mutex);
        return STRATA_OK;
    }
    if (!may_restart) {
        pager->stats.speculative_conflicts++;
        pager_release_writer_locked(pager);
        pthread_mutex_unlock(&pager->mutex);
        return error_set(err, SQLSTATE_SERIALIZATION_FAILURE,
                         "could not serialize access due to concurrent update");
    }
    txn->is_speculative = false;
    txn->is_write = true;
    /* Start over on the newest commit: the snapshot moves under the mutex, as
     * the checkpointer reads it there. */
    pager->stats.speculative_restarts++;
    txn->snapshot = pager->appended_seq;
    txn->base_seq = pager->appended_seq;
    txn->base_lsn = pager->appended_lsn;
    pthread_mutex_unlock(&pager->mutex);
    *restarted = true;
    txn_release_all(txn);
    txn_drop_savepoints(txn);
    txn->pending_free_count = 0;
    rc = txn_get_handle(txn, 0, &txn->hdr, err);
    if (rc != STRATA_OK) {
        return rc; /* the txn stays a write txn with no pages; its caller rolls back */
    }
    txn->snapshot_page_count = txn_page_count(txn);
    return STRATA_OK;
}

void pager_speculate(PagerTxn *txn)
{
    if (txn->is_write || txn->is_speculative) {
        return;
    }
    Pager *pager = txn->pager;
    pthread_mutex_lock(&pager->mutex);
    txn->is_speculative = true;
    txn->base_seq = txn->snapshot; /* durable: its end waits for nothing */
    txn->base_lsn = 0;
    pager->stats.speculative_begins++;
    pthread_mutex_unlock(&pager->mutex);
}

bool pager_txn_is_speculative(const PagerTxn *txn) { return txn->is_speculative; }

void pager_count_conflict(Pager *pager)
{
    pthread_mutex_lock(&pager->mutex);
    pager->stats.speculative_conflicts++;
    pthread_mutex_unlock(&pager->mutex);
}

int pager_upgrade(PagerTxn *txn, Error *err)
{
    return pager_upgrade_wait(txn, txn->pager->opts.busy_timeout_ms, err);
}

int pager_upgrade_wait(PagerTxn *txn, long wait_ms, Error *err)
{
    Pager *pager = txn->pager;
    if (txn->is_write) {
        return STRATA_OK;
    }
    pthread_mutex_lock(&pager->mutex);
    int rc = STRATA_OK;
    if (pager->error_state) {
        rc = pager_error_state_error(pager, err);
    } else if (txn->snapshot != pager->appended_seq) {
        rc = error_set(err, SQLSTATE_SERIALIZATION_FAILURE,
                       "could not serialize access due to concurrent update");
    } else if ((rc = pager_acquire_writer_ms(pager, wait_ms, err)) == STRATA_OK) {
        if (txn->snapshot != pager->appended_seq) {
            pager_release_writer_locked(pager);
            rc = error_set(err, SQLSTATE_SERIALIZATION_FAILURE,
                           "could not serialize access due to concurrent update");
        } else {
            txn->is_write = true;
            txn->base_seq = pager->appended_seq;
            txn->base_lsn = pager->appended_lsn;
        }
    }
    pthread_mutex_unlock(&pager->mutex);
    return rc;
}

void pager_txn_set_synchronous(PagerTxn *txn, int synchronous)
{
    if (synchronous < 0) {
        synchronous = 0;
    }
    txn->synchronous = synchronous < txn->pager->opts.synchronous ? synchronous
                                                                   : txn->pager->opts.synchronous;
}

int pager_txn_synchronous(const PagerTxn *txn)
{
    return txn->synchronous;
}

void pager_test_set_sync_hook(Pager *pager, void (*hook)(void *arg), void *arg)
{
    pthread_mutex_lock(&pager->mutex);
    pager->sync_hook = hook;
    pager->sync_hook_arg = arg;
    pthread_mutex_unlock(&pager->mutex);
}

void pager_test_set_checkpoint_hook(Pager *pager, void (*hook)(void *arg), void *arg)
{
    pthread_mutex_lock(&pager->mutex);
    pager->checkpoint_hook = hook;
    pager->checkpoint_hook_arg = arg;
    pthread_mutex_unlock(&pager->mutex);
}

bool pager_txn_is_write(const PagerTxn *txn) { return txn->is_write || txn->is_speculative; }

uint64_t pager_txn_snapshot(const PagerTxn *txn) { return txn->snapshot; }

Pager *pager_txn_pager(const PagerTxn *txn) { return txn->pager; }

static int wait_durable(Pager *pager, uint64_t end_lsn, Error *err);

int pager_wait_durable(Pager *pager, uint64_t end_lsn, Error *err)
{
    return wait_durable(pager, end_lsn, err);
}

/* Ends txn. A writer reads the newest appended commit, which may still be
 * waiting for its fsync (group commit lets the next writer start meanwhile).
 * A writer that ends without a commit of its own therefore waits until that
 * base is durable: otherwise its session could see a row (say, an ON CONFLICT
 * DO NOTHING that found a key) and then, in its next snapshot, which holds
 * only durable commits, not see it. A writer that commits waits anyway. */
static void txn_end_without_commit(PagerTxn *txn)
{
    Pager *pager = txn->pager;
    bool wait = false;
    uint64_t base_lsn = txn->base_lsn;
    if ((txn->is_write || txn->is_speculative) && txn->synchronous >= 2) {
        pthread_mutex_lock(&pager->mutex);
        wait = txn->base_seq > pager->durable_seq;
        pthread_mutex_unlock(&pager->mutex);
    }
    txn_end(txn);
    if (wait) {
        Error ignored; /* a failed sync puts the pager in its error state */
        error_clear(&ignored);
        (void)wait_durable(pager, base_lsn, &ignored);
    }
}

void pager_rollback(PagerTxn *txn)
{
    if (txn != NULL) {
        txn_end_without_commit(txn);
    }
}

/* ---- commit ---- */

typedef struct FrameRef {
    Pgno pgno;
    uint64_t frame_index;
    CacheEntry *image; /* the committed bytes for the buffer pool, or NULL */
} FrameRef;

/* A copy of a committed page image (finalized: checksum in its tail) for the
 * buffer pool, so the next transactions find it there instead of reading the
 * frame back from the WAL and verifying its checksum (which was a quarter of a
 * single-row UPDATE). NULL when out of memory: the page is then read back. */
static CacheEntry *commit_image(Pgno pgno, const uint8_t *bytes, bool is_validated)
{
    CacheEntry *entry = cache_entry_new(pgno, 0);
    if (entry != NULL) {
        memcpy(entry->data, bytes, PAGE_SIZE);
        entry->is_validated = is_validated;
    }
    return entry;
}

/* After a successful publish: the images enter the pool as version seq (no
 * reader can have looked that version up before: seq was not visible). Else
 * they are freed. */
static void commit_images_release(Pager *pager, FrameRef *refs, size_t ref_count, uint64_t seq,
                                  bool publish_ok)
{
    if (publish_ok) {
        pthread_mutex_lock(&pager->mutex);
    }
    for (size_t at = 0; at < ref_count; at++) {
        CacheEntry *entry = refs[at].image;
        if (entry == NULL) {
            continue;
        }
        if (!publish_ok) {
            cache_entry_free(entry);
            continue;
        }
        entry->version = seq;
        CacheEntry *existing = cache_lookup(pager, entry->pgno, seq);
        if (existing != NULL) {
            cache_unpin(pager, existing);
            cache_entry_free(entry);
            continue;
        }
        cache_insert(pager, entry);
        cache_unpin(pager, entry);
    }
    if (publish_ok) {
        pthread_mutex_unlock(&pager->mutex);
    }
}

/* Appends the frame for one page of the write set (or finds its spilled one).
 * commit_pages != 0 makes its frame the commit frame (page count, seq). */
static int commit_page(PagerTxn *txn, Page *page, uint8_t *scratch, bool keep_image,
                       uint32_t commit_pages, uint64_t commit_seq, FrameRef *ref,
                       bool *has_ref, Error *err)
{
    Pager *pager = txn->pager;
    const uint8_t *image = NULL;
    *has_ref = false;
    if (page->in_write_set) {
        if (page->buf != NULL && !(page->buf_matches_spill && page->spill_frame == page->last_spill_frame)) {
            image = page->buf;
        } else if (page->buf == NULL && page->spill_frame == page->last_spill_frame) {
            *ref = (FrameRef){page->pgno, page->spill_frame - 1, NULL};
            *has_ref = true;
            return STRATA_OK;
        } else if (page->buf != NULL) {
            image = page->buf;
        } else {
            int rc = txn_load_spill(txn, page->spill_frame, scratch, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            image = scratch;
        }
    } else if (page->last_spill_frame != 0 && page->pgno < txn->snapshot_page_count) {
        /* Spilled, then rolled back to a savepoint: recovery would take the
         * spilled frame, so the snapshot's image must follow it. */
        Page *pinned = NULL;
        int rc = txn_get_handle(txn, page->pgno, &pinned, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        memcpy(scratch, page_data(pinned), PAGE_SIZE);
        pager_unpin(pinned);
        image = scratch;
    } else {
        return STRATA_OK;
    }
    /* The transaction ends with this commit (also when it fails), so its own
     * unpinned image is finalized in place and, if kept, becomes the pool's
     * image: no copy of either (for a bulk load, two memcpys and an 8 KiB
     * allocation per page). */
    bool is_own = image == page->buf && page->pin_count == 0;
    if (!is_own && image != scratch) {
        memcpy(scratch, image, PAGE_SIZE);
    }
    uint8_t *bytes = is_own ? page->buf : scratch;
    pager_page_finalize(bytes, page->pgno);
    int rc = wal_append(&pager->wal, page->pgno, bytes, commit_pages, commit_seq, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *ref = (FrameRef){page->pgno, pager->wal.frame_count - 1, NULL};
    if (keep_image && is_own) {
        ref->image = cache_entry_adopt(page->pgno, page->buf);
        if (ref->image != NULL) {
            ref->image->is_validated = page->buf_is_validated;
            page->buf = NULL;
            page->buf_is_validated = false;
            txn->buffered_count--;
        }
    } else if (keep_image) {
        ref->image = commit_image(page->pgno, scratch, image == page->buf && page->buf_is_validated);
    }
    *has_ref = true;
    return STRATA_OK;
}

static int compare_page_pgno(const void *a, const void *b)
{
    Pgno x = (*(Page *const *)a)->pgno, y = (*(Page *const *)b)->pgno;
    return x < y ? -1 : x > y;
}

/* Whether a commit appends page 0. The commit frame is the transaction's last
 * frame (its frame header carries the page count and the commit seq, which is
 * all recovery needs from it), so page 0 goes in only when its bytes changed
 * (page count, freelist, meta and counter slots), when the transaction spilled
 * (its commit may then append no new frame to mark), when no page of the write
 * set gets a frame, and for the first commit of a WAL generation. The last rule
 * keeps a full image of page 0 in every generation that has a commit, so the
 * checkpoint can rewrite page 0 in the file (with the checkpointed commit seq)
 * and recovery repairs a torn write of it from the WAL, as for any page. A
 * single-row UPDATE appended its leaf and page 0 before; now its leaf alone. */
static bool commit_needs_header(PagerTxn *txn, bool had_spilled, bool has_page_frames)
{
    if (txn->hdr->in_write_set || had_spilled || !has_page_frames) {
        return true;
    }
    Pager *pager = txn->pager;
    WalIndexEntry entry;
    pthread_mutex_lock(&pager->mutex);
    bool has_header = wal_index_find(&pager->wal, 0, UINT64_MAX, &entry);
    pthread_mutex_unlock(&pager->mutex);
    return !has_header;
}

static int append_commit(PagerTxn *txn, uint64_t seq, FrameRef **refs_out, size_t *ref_count,
                         Error *err)
{
    Pager *pager = txn->pager;
    uint8_t *hdr = NULL;
    int rc = STRATA_OK;
    bool had_spilled = txn->has_spilled;
    txn_note_first_append(txn);
    txn->has_spilled = true; /* a failure below must rewind what was appended */
    Pgno page_count = get_u32(page_data(txn->hdr) + HDR_OFF_PAGE_COUNT);
    FrameRef *refs = mem_alloc((txn->page_count_in_map + 1) * sizeof(FrameRef));
    uint8_t *scratch = mem_alloc(PAGE_SIZE);
    size_t used = 0;
    if (refs == NULL || scratch == NULL) {
        mem_free(refs);
        mem_free(scratch);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    /* A big transaction's pages would only push everything else out of the pool. */
    bool keep_images = txn->page_count_in_map <=
                       __atomic_load_n(&pager->opts.cache_pages, __ATOMIC_RELAXED) / 4;
    /* The pages go in page order, so that consecutive pages are consecutive
     * frames: the checkpoint then reads and writes them in runs. */
    Page **order = mem_alloc((txn->page_count_in_map + 1) * sizeof(Page *));
    size_t order_count = 0;
    if (order == NULL) {
        mem_free(refs);
        mem_free(scratch);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    for (uint32_t bucket = 0; bucket < txn->page_slots; bucket++) {
        for (Page *page = txn->pages[bucket]; page != NULL; page = page->hash_next) {
            if (page->pgno != 0 && page->pgno < page_count) {
                order[order_count++] = page;
            }
        }
    }
    qsort(order, order_count, sizeof(Page *), compare_page_pgno);
    /* Without spills, exactly the write set's pages get frames; the last of
     * them is the commit frame unless page 0 goes in (last). */
    size_t commit_at = order_count;
    for (size_t at = 0; at < order_count; at++) {
        commit_at = order[at]->in_write_set ? at : commit_at;
    }
    bool needs_header = commit_needs_header(txn, had_spilled, commit_at < order_count);
    if (needs_header) {
        commit_at = order_count;
        rc = txn_header_writable(txn, &hdr, err);
        if (rc == STRATA_OK) {
            put_u64(hdr + HDR_OFF_COMMIT_SEQ, seq);
        }
    }
    /* The frames are staged and written in runs (spilled frames it reads
     * back were written before), the commit frame last. */
    if (rc == STRATA_OK) {
        rc = wal_stage_begin(&pager->wal, order_count, err);
    }
    for (size_t at = 0; at < order_count && rc == STRATA_OK; at++) {
        bool has_ref = false;
        bool is_commit = at == commit_at;
        rc = commit_page(txn, order[at], scratch, keep_images, is_commit ? page_count : 0,
                         is_commit ? seq : 0, &refs[used], &has_ref, err);
        used += has_ref ? 1 : 0;
    }
    mem_free(order);
    if (rc == STRATA_OK && needs_header) {
        pager_page_finalize(hdr, 0);
        rc = wal_append(&pager->wal, 0, hdr, page_count, seq, err);
        refs[used++] = (FrameRef){0, pager->wal.frame_count - 1,
                                  keep_images ? commit_image(0, hdr, false) : NULL};
    }
    Error end_err;
    error_clear(&end_err);
    int end_rc = wal_stage_end(&pager->wal, rc == STRATA_OK ? err : &end_err);
    rc = rc != STRATA_OK ? rc : end_rc;
    mem_free(scratch);
    if (rc != STRATA_OK) {
        commit_images_release(pager, refs, used, seq, false);
        mem_free(refs);
        return rc;
    }
    *refs_out = refs;
    *ref_count = used;
    return STRATA_OK;
}

/* Group commit: one waiter at a time syncs everything appended so far. */
/* How long a commit about to fsync waits for a promoted speculative writer's
 * commit to join its fsync (group commit; see Pager.promote_waiters). */
enum { PROMOTED_JOIN_WAIT_US = 1000 };

static bool promoted_writer_pending(const Pager *pager)
{
    return pager->promote_waiters > 0 || (pager->writer_active && pager->writer_promoted);
}

static int wait_durable(Pager *pager, uint64_t end_lsn, Error *err)
{
    pthread_mutex_lock(&pager->mutex);
    struct timespec join_deadline = {0, 0};
    while (pager->durable_lsn < end_lsn && !pager->error_state) {
        if (pager->sync_in_progress) {
            pthread_cond_wait(&pager->sync_cond, &pager->mutex);
            continue;
        }
        if (promoted_writer_pending(pager)) {
            /* A speculative writer is taking the lock to commit (its client
             * already sent COMMIT): its frames can share this fsync. Wait for
             * it to release the lock, at most PROMOTED_JOIN_WAIT_US in all. */
            if (join_deadline.tv_sec == 0) {
                clock_gettime(CLOCK_REALTIME, &join_deadline);
                join_deadline.tv_nsec += PROMOTED_JOIN_WAIT_US * 1000L;
                if (join_deadline.tv_nsec >= 1000000000L) {
                    join_deadline.tv_sec++;
                    join_deadline.tv_nsec -= 1000000000L;
                }
            }
            if (pthread_cond_timedwait(&pager->writer_cond, &pager->mutex, &join_deadline) !=
                ETIMEDOUT) {
                continue;
            }
        }
        pager->sync_in_progress = true;
        uint64_t target_lsn = pager->appended_lsn, target_seq = pager->appended_seq;
        void (*hook)(void *) = pager->sync_hook;
        void *hook_arg = pager->sync_hook_arg;
        pthread_mutex_unlock(&pager->mutex);
        if (hook != NULL) {
            hook(hook_arg);
        }
        Error sync_err;
        error_clear(&sync_err);
        int rc = vfs_sync(pager->wal_file, &sync_err);
        pthread_mutex_lock(&pager->mutex);
        pager->sync_in_progress = false;
        pager->stats.wal_syncs++;
        if (rc != STRATA_OK) {
            __atomic_store_n(&pager->error_state, true, __ATOMIC_RELEASE);
            error_copy(err, &sync_err);
        } else {
            if (target_lsn > pager->durable_lsn) {
                pager->durable_lsn = target_lsn;
            }
            if (target_seq > pager->durable_seq) {
                pager->durable_seq = target_seq;
            }
        }
        pthread_cond_broadcast(&pager->sync_cond);
    }
    int rc = STRATA_OK;
    if (pager->durable_lsn < end_lsn) {
        rc = error_is_set(err) ? err->code : pager_error_state_error(pager, err);
    }
    pthread_mutex_unlock(&pager->mutex);
    return rc;
}

static bool txn_has_writes(PagerTxn *txn)
{
    for (uint32_t bucket = 0; bucket < txn->page_slots; bucket++) {
        for (Page *page = txn->pages[bucket]; page != NULL; page = page->hash_next) {
            if (page->in_write_set || page->last_spill_frame != 0) {
                return true;
            }
        }
    }
    return false;
}

/* Adds the txn's frames to the shared index and makes the commit the latest
 * appended one; releases the writer lock. */
static int publish(PagerTxn *txn, uint64_t seq, FrameRef *refs, size_t ref_count,
                   uint64_t *end_lsn, Error *err)
{
    Pager *pager = txn->pager;
    int rc = STRATA_OK;
    pthread_mutex_lock(&pager->mutex);
    for (size_t at = 0; at < ref_count && rc == STRATA_OK; at++) {
        if (wal_index_add(&pager->wal, refs[at].pgno, seq, refs[at].frame_index) != STRATA_OK) {
            __atomic_store_n(&pager->error_state, true, __ATOMIC_RELEASE); /* the index no longer matches the WAL */
            rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    }
    pager->appended_seq = seq;
    pager->appended_lsn = pager->generation_base_lsn + pager->wal.frame_count;
    if (pager->opts.synchronous < 2) {
        pager->durable_seq = seq;
        pager->durable_lsn = pager->appended_lsn;
    } else if (txn->synchronous < 2) {
        /* Asynchronous commit (synchronous_commit = off) on a synchronous
         * database: visible now, synced by the next synchronous commit or
         * checkpoint. durable_lsn stays put, so that next sync covers it. */
        pager->durable_seq = seq;
        pager->async_seq = seq;
    }
    *end_lsn = pager->appended_lsn;
    pager->stats.commits++;
    txn->has_spilled = false; /* its frames are committed now: no rewind */
    pager_appends_leave_locked(pager);
    pthread_mutex_unlock(&pager->mutex);
    return rc;
}

int pager_commit(PagerTxn *txn, Error *err)
{
    Pager *pager = txn->pager;
    if (txn->is_speculative) {
        /* Pages of an old snapshot cannot commit: only a promotion that keeps
         * them lets the commit go on (else 40001). */
        bool restarted = false;
        int rc = txn_has_writes(txn) ? pager_promote_wait(txn, pager->opts.busy_timeout_ms,
                                                          false, &restarted, err)
                                     : STRATA_OK;
        if (rc != STRATA_OK || txn->is_speculative) {
            txn_end_without_commit(txn);
            return rc;
        }
    }
    if (!txn->is_write) {
        txn_end(txn);
        return STRATA_OK;
    }
    txn_drop_savepoints(txn);
    int rc = pager_in_error_state(pager) ? pager_error_state_error(pager, err) : STRATA_OK;
    if (rc == STRATA_OK) {
        rc = txn_push_pending_frees(txn, err);
    }
    if (rc != STRATA_OK || !txn_has_writes(txn)) {
        txn_end_without_commit(txn);
        return rc;
    }
    uint64_t seq = pager->appended_seq + 1; /* stable: we hold the writer lock */
    FrameRef *refs = NULL;
    size_t ref_count = 0;
    uint64_t end_lsn = 0;
    pager_appends_enter(pager); /* left by publish */
    rc = append_commit(txn, seq, &refs, &ref_count, err);
    if (rc != STRATA_OK) {
        if (rc == STRATA_IOERR || rc == STRATA_FULL) {
            pager_enter_error_state(pager);
        }
        txn_end(txn); /* rewinds the frames appended */
        pager_appends_leave(pager);
        return rc;
    }
    rc = publish(txn, seq, refs, ref_count, &end_lsn, err);
    commit_images_release(pager, refs, ref_count, seq, rc == STRATA_OK);
    mem_free(refs);
    bool needs_sync = txn->synchronous >= 2;
    txn_end(txn); /* releases the writer lock: the next writer appends while we sync */
    if (rc == STRATA_OK && needs_sync) {
        rc = wait_durable(pager, end_lsn, err);
    }
    if (rc == STRATA_OK) {
        pthread_mutex_lock(&pager->mutex);
        bool want = pager->appended_lsn - pager->generation_base_lsn >=
                    pager->opts.wal_autocheckpoint_pages;
        if (want && pager->has_checkpointer && pager->appended_lsn >= pager->checkpoint_next_lsn) {
            /* Off the commit path: the checkpointer thread runs it. */
            pager->checkpoint_requested = true;
            pthread_cond_signal(&pager->checkpointer_cond);
        }
        want = want && !pager->has_checkpointer;
        pthread_mutex_unlock(&pager->mutex);
        if (want) {
            Error ignored;
            error_clear(&ignored);
            (void)pager_checkpoint_internal(pager, false, &ignored);
        }
    }
    return rc;
}
