/*
 * storage/pager/pager_checkpoint.c - checkpoint (WAL -> database file, WAL
 * restart), vacuum (truncate free pages at the end), integrity check.
 *
 * Checkpoint, in order (the order is the crash-safety argument):
 *   1. Under the writer lock, C = min(durable commit, oldest active snapshot):
 *      no reader can need a database-file page older than C, and every page
 *      a reader may still read from the file stays untouched (a page is
 *      copied only if it has a frame <= C, and every reader finds that frame
 *      in the WAL before it would look at the file).
 *   2. synchronous=normal: fsync the WAL (its frames must be durable before
 *      the file is overwritten with them).
 *   3. Copy the newest frame <= C of every page changed since the last
 *      checkpoint into the file; truncate the file to the page count at C;
 *      fsync the file.
 *   4. If everything committed is now in the file, restart the WAL (new
 *      salts, header rewritten, not synced: the next commit's WAL sync
 *      covers it) while holding the WAL lock exclusively, so no reader is
 *      between an index lookup and its read.
 * A crash at any point leaves either the old WAL (replayed again: copying is
 * idempotent), a restarted one whose content is all in the synced file, or
 * the old header over frames the new generation partly overwrote, whose last
 * valid commit is then older than the file's: recovery discards it.
 *
 * Steps 1-3 do not need the writer lock: writers only append to the WAL, and
 * every transaction (reader or writer) reads a page from the file only if it
 * has no frame <= its snapshot, which is >= C, so no one reads a page being
 * copied. The checkpointer thread (pager_checkpoint_background) therefore
 * copies without it, repeating the pass for what was committed meanwhile
 * until the file has caught up, and then holds appends (hold_appends: no
 * frame is appended until it lets go; not the writer lock, so a writer may be
 * inside its transaction) only for step 4, which must not race an append; if
 * writers keep it from catching up, it finishes holding appends (the last
 * frames, the fsync, the restart). No restart while that writer has spilled
 * frames in the WAL (they lie past the last commit).
 * Checkpoints are serialized by checkpoint_lock.
 * See src/storage/pager/README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/pager/pager_int.h"
#include "util/assert.h"
#include "util/mem.h"

typedef struct CopyRef {
    Pgno pgno;
    uint64_t frame_index;
} CopyRef;

static int collect_frames(Pager *pager, uint64_t limit_seq, CopyRef **out, size_t *count,
                          Pgno *page_count_at_limit)
{
    Wal *wal = &pager->wal;
    CopyRef *refs = mem_alloc(((size_t)wal->slot_used + 1) * sizeof(CopyRef));
    if (refs == NULL) {
        return STRATA_NOMEM;
    }
    size_t used = 0;
    for (uint32_t at = 0; at < wal->slot_count; at++) {
        const WalIndexSlot *slot = &wal->slots[at];
        if (!slot->is_used) {
            continue;
        }
        WalIndexEntry entry;
        if (wal_index_find(wal, slot->pgno, limit_seq, &entry) &&
            entry.commit_seq > pager->backfilled_seq) {
            refs[used++] = (CopyRef){slot->pgno, entry.frame_index};
        }
    }
    /* Page 0 goes into the file with every pass that copies anything: it
     * carries the checkpointed commit seq (copy_run), and a commit does not
     * append page 0 unless its bytes changed (pager.c, commit_needs_header).
     * Its frame exists: the first commit of a generation appends it. */
    bool has_header = false;
    for (size_t at = 0; at < used; at++) {
        has_header = has_header || refs[at].pgno == 0;
    }
    WalIndexEntry header;
    if (used > 0 && !has_header && wal_index_find(wal, 0, limit_seq, &header)) {
        refs[used++] = (CopyRef){0, header.frame_index};
    }
    *out = refs;
    *count = used;
    *page_count_at_limit = 0;
    return STRATA_OK;
}

static int compare_copy_ref(const void *a, const void *b)
{
    Pgno x = ((const CopyRef *)a)->pgno, y = ((const CopyRef *)b)->pgno;
    return x < y ? -1 : x > y;
}

/* Copies the pages of refs[first, first + count) (consecutive page numbers)
 * into the file with one write, reading each stretch of consecutive frames
 * with one read. frames: COPY_RUN_PAGES frames; pages: COPY_RUN_PAGES pages. */
static int copy_run(Pager *pager, const CopyRef *refs, size_t count, uint64_t limit_seq,
                    uint8_t *frames, uint8_t *pages, Error *err)
{
    int rc = STRATA_OK;
    for (size_t at = 0; at < count && rc == STRATA_OK;) {
        size_t end = at + 1;
        while (end < count && refs[end].frame_index == refs[end - 1].frame_index + 1) {
            end++;
        }
        rc = wal_read_frames(&pager->wal, refs[at].frame_index, (uint32_t)(end - at), frames, err);
        for (size_t member = at; member < end && rc == STRATA_OK; member++) {
            uint8_t *page = pages + (member * PAGE_SIZE);
            memcpy(page, frames + (member - at) * WAL_FRAME_BYTES + WAL_FRAME_HEADER_BYTES,
                   PAGE_SIZE);
            rc = pager_page_verify(page, refs[member].pgno, pager->wal_path, " (checkpoint)", err);
            if (rc == STRATA_OK && refs[member].pgno == 0) {
                /* The file now holds every commit <= limit_seq; the newest
                 * page 0 frame may be older (commits that left page 0 alone
                 * do not append it), so its seq is set here: recovery starts
                 * from it when the WAL is empty, and seqs only grow. */
                put_u64(page + HDR_OFF_COMMIT_SEQ, limit_seq);
                pager_page_finalize(page, 0);
            }
        }
        at = end;
    }
    if (rc == STRATA_OK) {
        rc = vfs_write(pager->db, pages, count * PAGE_SIZE, (uint64_t)refs[0].pgno * PAGE_SIZE,
                       err);
        if (rc != STRATA_OK) {
            pager_enter_error_state(pager);
        }
    }
    return rc;
}

/* Pages per write of the checkpoint (and frames per read): 512 KiB. */
#define COPY_RUN_PAGES 64

/* Copies the frames in page order, in runs of consecutive pages: a bulk load's
 * pages are consecutive in the file and, mostly, in the WAL, so a run is one
 * read and one write instead of one of each per page. */
static int copy_frames(Pager *pager, CopyRef *refs, size_t count, uint64_t limit_seq,
                       Pgno *page_count, Error *err)
{
    uint8_t *frames = mem_alloc((size_t)COPY_RUN_PAGES * WAL_FRAME_BYTES);
    uint8_t *pages = mem_alloc((size_t)COPY_RUN_PAGES * PAGE_SIZE);
    int rc = STRATA_OK;
    if (frames == NULL || pages == NULL) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    /* The header first: its page count bounds what gets copied. */
    for (size_t at = 0; at < count && rc == STRATA_OK; at++) {
        if (refs[at].pgno == 0) {
            rc = wal_read_frame(&pager->wal, refs[at].frame_index, pages, err);
            if (rc == STRATA_OK) {
                rc = pager_header_validate(pages, pager->wal_path, " (checkpoint)", err);
            }
            if (rc == STRATA_OK) {
                *page_count = get_u32(pages + HDR_OFF_PAGE_COUNT);
            }
        }
    }
    qsort(refs, count, sizeof(CopyRef), compare_copy_ref);
    for (size_t at = 0; at < count && rc == STRATA_OK;) {
        if (*page_count != 0 && refs[at].pgno >= *page_count) {
            break; /* sorted: every later page is past the end too */
        }
        size_t end = at + 1;
        while (end < count && end - at < COPY_RUN_PAGES &&
               refs[end].pgno == refs[end - 1].pgno + 1 &&
               (*page_count == 0 || refs[end].pgno < *page_count)) {
            end++;
        }
        rc = copy_run(pager, refs + at, end - at, limit_seq, frames, pages, err);
        at = end;
    }
    mem_free(frames);
    mem_free(pages);
    return rc;
}

static int finish_file(Pager *pager, Pgno page_count, Error *err)
{
    int rc = STRATA_OK;
    if (page_count != 0) {
        uint64_t size_bytes = 0;
        rc = vfs_size(pager->db, &size_bytes, err);
        if (rc == STRATA_OK && size_bytes > (uint64_t)page_count * PAGE_SIZE) {
            rc = vfs_truncate(pager->db, (uint64_t)page_count * PAGE_SIZE, err);
        }
    }
    if (rc == STRATA_OK && pager->opts.synchronous > 0) {
        rc = vfs_sync(pager->db, err);
    }
    if (rc != STRATA_OK) {
        pager_enter_error_state(pager);
    }
    return rc;
}

/* Before a restart (everything committed is in the synced file, no snapshot
 * is older than the last commit): the pool's image of each page's newest
 * frame is the file's copy now, so it is kept under version 0 instead of
 * going unreachable with the index. Without this, every page a bulk load
 * committed was read back from the file and its checksum verified on first
 * use after the checkpoint. Pages at or past the page count (a vacuum's) and
 * everything when the header's image is not cached are left alone. Mutex
 * held, WAL lock exclusive. */
static void keep_images_as_file(Pager *pager)
{
    Wal *wal = &pager->wal;
    WalIndexEntry header;
    if (!wal_index_find(wal, 0, UINT64_MAX, &header)) {
        return;
    }
    CacheEntry *hdr = cache_lookup(pager, 0, header.commit_seq);
    if (hdr == NULL) {
        return;
    }
    Pgno page_count = get_u32(hdr->data + HDR_OFF_PAGE_COUNT);
    cache_unpin(pager, hdr);
    for (uint32_t at = 0; at < wal->slot_count; at++) {
        const WalIndexSlot *slot = &wal->slots[at];
        if (slot->is_used && slot->entry_count > 0 && slot->pgno < page_count) {
            cache_rekey_as_file(pager, slot->pgno, slot->entries[slot->entry_count - 1].commit_seq);
        }
    }
}

static int restart_wal(Pager *pager, Error *err)
{
    pthread_rwlock_wrlock(&pager->wal_rwlock);
    pthread_mutex_lock(&pager->mutex);
    keep_images_as_file(pager);
    pthread_mutex_unlock(&pager->mutex);
    /* The new header is not synced here (it was, under the writer lock, and
     * that fsync was most of a restart's time): the next commit's WAL sync
     * covers it, as it is in the same file and written before. Until then a
     * crash may leave the old header over partly overwritten frames; recovery
     * then finds a last commit older than the file's and discards the WAL
     * (pager.c, recover). The file holds everything: it was synced first. */
    int rc = wal_restart(&pager->wal, false, err);
    if (rc == STRATA_OK) {
        /* A WAL that outgrew its preallocated size (a big transaction, or a
         * reader that held restarts back) shrinks back to it. */
        rc = wal_trim(&pager->wal, err);
    }
    pthread_mutex_lock(&pager->mutex);
    if (rc == STRATA_OK) {
        pager->generation_base_lsn = pager->appended_lsn;
        pager->stats.wal_restarts++;
    } else {
        __atomic_store_n(&pager->error_state, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&pager->mutex);
    pthread_rwlock_unlock(&pager->wal_rwlock);
    return rc;
}

/* How a checkpoint pass runs: beside the writers, holding the writer lock, or
 * holding appends (the append barrier: a writer may be inside its transaction
 * but none is appending). A WAL restart needs one of the last two. */
typedef enum { PASS_CONCURRENT, PASS_HOLDS_WRITER, PASS_HOLDS_APPENDS } PassMode;

/* One checkpoint pass. checkpoint_lock is held. */
static int checkpoint_pass(Pager *pager, PassMode mode, Error *err)
{
    pthread_mutex_lock(&pager->mutex);
    uint64_t limit = pager->durable_seq;
    for (PagerTxn *txn = pager->txns; txn != NULL; txn = txn->next) {
        if (txn->snapshot < limit) {
            limit = txn->snapshot;
        }
    }
    CopyRef *refs = NULL;
    size_t count = 0;
    Pgno page_count = 0;
    int rc = collect_frames(pager, limit, &refs, &count, &page_count);
    /* Asynchronous commits (synchronous_commit = off) leave WAL frames
     * unsynced even in synchronous = full; sync them before their pages can
     * reach the database file, or a crash could keep half a commit. */
    uint64_t unsynced_lsn = pager->appended_lsn, unsynced_seq = pager->appended_seq;
    bool has_unsynced = pager->durable_lsn < unsynced_lsn;
    pthread_mutex_unlock(&pager->mutex);
    if (rc != STRATA_OK) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (count > 0 && (pager->opts.synchronous == 1 ||
                      (pager->opts.synchronous == 2 && has_unsynced))) {
        rc = vfs_sync(pager->wal_file, err);
        if (rc != STRATA_OK) {
            pager_enter_error_state(pager);
        } else {
            pthread_mutex_lock(&pager->mutex);
            pager->stats.wal_syncs++;
            /* The sync covered every commit appended before it: they are
             * durable and visible now, as after a group-commit sync (a
             * committer waiting for this lsn returns without syncing, so
             * durable_seq must move with durable_lsn). */
            if (pager->opts.synchronous == 2 && unsynced_lsn > pager->durable_lsn) {
                pager->durable_lsn = unsynced_lsn;
            }
            if (pager->opts.synchronous == 2 && unsynced_seq > pager->durable_seq) {
                pager->durable_seq = unsynced_seq;
            }
            pthread_cond_broadcast(&pager->sync_cond);
            pthread_mutex_unlock(&pager->mutex);
        }
    }
    if (rc == STRATA_OK && count > 0) {
        rc = copy_frames(pager, refs, count, limit, &page_count, err);
        if (rc == STRATA_OK) {
            rc = finish_file(pager, page_count, err);
        }
    }
    if (rc == STRATA_OK) {
        pthread_mutex_lock(&pager->mutex);
        if (limit > pager->backfilled_seq) {
            pager->backfilled_seq = limit;
        }
        for (size_t at = 0; at < count; at++) {
            cache_invalidate(pager, refs[at].pgno, 0);
        }
        pager->stats.checkpoints++;
        pager->stats.locked_copies += mode == PASS_HOLDS_WRITER && count > 0 ? 1 : 0;
        pager->stats.held_copies += mode == PASS_HOLDS_APPENDS && count > 0 ? 1 : 0;
        /* Holding appends, the writer inside its transaction may have spilled
         * frames past the last commit: they must stay, so no restart then. */
        bool restart = mode != PASS_CONCURRENT && !pager->error_state &&
                       pager->backfilled_seq >= pager->appended_seq &&
                       pager->wal.frame_count > 0 &&
                       pager->generation_base_lsn + pager->wal.frame_count == pager->appended_lsn;
        pager->stats.restarts_beside_writer +=
            restart && mode == PASS_HOLDS_APPENDS && pager->writer_active ? 1 : 0;
        pthread_mutex_unlock(&pager->mutex);
        if (restart) {
            rc = restart_wal(pager, err);
        }
    }
    mem_free(refs);
    return rc;
}

int pager_checkpoint_internal(Pager *pager, bool wait_for_writer, Error *err)
{
    if (wait_for_writer) {
        pthread_mutex_lock(&pager->checkpoint_lock);
    } else if (pthread_mutex_trylock(&pager->checkpoint_lock) != 0) {
        return error_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, "database is locked");
    }
    pthread_mutex_lock(&pager->mutex);
    int rc = STRATA_OK;
    if (pager->error_state) {
        rc = pager_error_state_error(pager, err);
    } else if (pager->writer_active && !wait_for_writer) {
        rc = error_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, "database is locked");
    } else {
        rc = pager_acquire_writer(pager, err);
    }
    pthread_mutex_unlock(&pager->mutex);
    if (rc == STRATA_OK) {
        rc = checkpoint_pass(pager, PASS_HOLDS_WRITER, err);
        pthread_mutex_lock(&pager->mutex);
        pager_release_writer_locked(pager);
        pthread_mutex_unlock(&pager->mutex);
    }
    pthread_mutex_unlock(&pager->checkpoint_lock);
    return rc;
}

/* Holds appends (mutex held): from now on no writer appends a frame (a commit
 * waits before its first, a spill too) until release_appends, and the one
 * appending now, if any, has finished (published its commit, or written its
 * spill). Writers go on running their statements meanwhile: unlike the writer
 * lock, this does not wait for a transaction to end, nor stop the next one from
 * starting. */
static void hold_appends(Pager *pager)
{
    pager->appends_held = true;
    while (pager->is_appending) {
        pthread_cond_wait(&pager->appends_cond, &pager->mutex);
    }
}

static void release_appends(Pager *pager)
{
    pager->appends_held = false;
    pthread_cond_broadcast(&pager->appends_cond);
}

/* Passes without the barrier after the first, each copying what was committed
 * during the one before (so the delta shrinks to about one commit), before the
 * checkpointer gives up on finding the file caught up and finishes holding
 * appends. */
enum { CATCHUP_TRIES = 4 };

/* Catches the file up to the last commit beside the writers and holds appends
 * only at a moment when nothing is left to copy, so that the barrier costs a
 * committing writer the WAL restart alone (a header write), not the copy of the
 * last frames and the database file's fsync. *holds_appends tells whether it
 * got there; if not (writers kept committing, or a reader's snapshot holds the
 * copy back), the caller holds appends and finishes. */
static int catch_up(Pager *pager, bool *holds_appends, Error *err)
{
    *holds_appends = false;
    int rc = STRATA_OK;
    for (int tries = 0; tries < CATCHUP_TRIES && rc == STRATA_OK; tries++) {
        pthread_mutex_lock(&pager->mutex);
        if (pager->error_state) {
            rc = pager_error_state_error(pager, err);
            pthread_mutex_unlock(&pager->mutex);
            break;
        }
        if (pager->backfilled_seq >= pager->appended_seq) {
            /* Caught up: stop appends; a commit being appended now may
             * still make the file fall behind, then it is one more pass. */
            hold_appends(pager);
            if (pager->backfilled_seq >= pager->appended_seq) {
                *holds_appends = true;
                pthread_mutex_unlock(&pager->mutex);
                break;
            }
            release_appends(pager);
        }
        uint64_t appended_lsn = pager->appended_lsn;
        pthread_mutex_unlock(&pager->mutex);
        /* The last commit is usually in its group-commit fsync: a pass copies
         * only durable commits, so wait for it (or become its syncer). */
        if (pager->opts.synchronous >= 2) {
            rc = pager_wait_durable(pager, appended_lsn, err);
        }
        if (rc == STRATA_OK) {
            rc = checkpoint_pass(pager, PASS_CONCURRENT, err);
        }
    }
    return rc;
}

int pager_checkpoint_background(Pager *pager, Error *err)
{
    pthread_mutex_lock(&pager->checkpoint_lock);
    pthread_mutex_lock(&pager->mutex);
    bool failed = pager->error_state;
    pager->stats.background_checkpoints++;
    pthread_mutex_unlock(&pager->mutex);
    /* Pass 1, writers going on: the bulk of the copying and the fsync. */
    int rc = failed ? pager_error_state_error(pager, err)
                    : checkpoint_pass(pager, PASS_CONCURRENT, err);
    if (rc == STRATA_OK) {
        pthread_mutex_lock(&pager->mutex);
        void (*hook)(void *) = pager->checkpoint_hook;
        void *hook_arg = pager->checkpoint_hook_arg;
        pthread_mutex_unlock(&pager->mutex);
        if (hook != NULL) {
            hook(hook_arg);
        }
    }
    bool holds_appends = false;
    if (rc == STRATA_OK) {
        rc = catch_up(pager, &holds_appends, err);
    }
    if (rc == STRATA_OK && !holds_appends) {
        /* Writers kept committing: stop their appends (not their
         * transactions: the writer lock stays theirs) and finish. */
        pthread_mutex_lock(&pager->mutex);
        hold_appends(pager);
        holds_appends = true;
        uint64_t appended_lsn = pager->appended_lsn;
        pthread_mutex_unlock(&pager->mutex);
        /* The last commit may still be in its group-commit fsync; wait for
         * it, or the restart would have to be skipped. */
        if (pager->opts.synchronous >= 2) {
            rc = pager_wait_durable(pager, appended_lsn, err);
        }
    }
    if (holds_appends) {
        /* No append until release: what was committed since the last pass
         * (after catch_up, nothing), its fsync, then the restart. */
        if (rc == STRATA_OK) {
            rc = checkpoint_pass(pager, PASS_HOLDS_APPENDS, err);
        }
        pthread_mutex_lock(&pager->mutex);
        release_appends(pager);
        pthread_mutex_unlock(&pager->mutex);
    }
    /* If a reader kept the WAL from restarting, the next try waits until
     * another eighth of the autocheckpoint size has been appended. */
    pthread_mutex_lock(&pager->mutex);
    pager->checkpoint_next_lsn =
        pager->appended_lsn + pager->opts.wal_autocheckpoint_pages / 8;
    pthread_mutex_unlock(&pager->mutex);
    pthread_mutex_unlock(&pager->checkpoint_lock);
    return rc;
}

int pager_checkpoint(Pager *pager, Error *err) { return pager_checkpoint_internal(pager, true, err); }

static int compare_pgno(const void *a, const void *b)
{
    Pgno x = *(const Pgno *)a, y = *(const Pgno *)b;
    return x < y ? -1 : x > y;
}

int pager_vacuum(Pager *pager, Error *err)
{
    PagerTxn *txn = NULL;
    int rc = pager_begin(pager, true, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Pgno *list = NULL;
    size_t count = 0;
    rc = txn_free_list_collect(txn, &list, &count, err);
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return rc;
    }
    qsort(list, count, sizeof(Pgno), compare_pgno);
    Pgno page_count = txn_page_count(txn), old_count = page_count;
    while (count > 0 && list[count - 1] == page_count - 1) {
        count--;
        page_count--;
    }
    if (page_count == old_count) {
        mem_free(list);
        pager_rollback(txn);
        return pager_checkpoint(pager, err);
    }
    uint8_t *hdr = NULL;
    rc = txn_header_writable(txn, &hdr, err);
    if (rc == STRATA_OK) {
        put_u32(hdr + HDR_OFF_FREELIST_HEAD, 0);
        put_u32(hdr + HDR_OFF_FREELIST_COUNT, 0);
        put_u32(hdr + HDR_OFF_PAGE_COUNT, page_count);
    }
    for (size_t at = 0; at < count && rc == STRATA_OK; at++) {
        rc = pager_free(txn, list[at], err);
    }
    mem_free(list);
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return rc;
    }
    rc = pager_commit(txn, err);
    if (rc == STRATA_OK) {
        rc = pager_checkpoint(pager, err);
    }
    return rc;
}

static int check_pages(PagerTxn *txn, Pgno page_count, Error *err)
{
    uint8_t *page = mem_alloc(PAGE_SIZE);
    if (page == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = STRATA_OK;
    for (Pgno pgno = 0; pgno < page_count && rc == STRATA_OK; pgno++) {
        rc = txn_read_uncached(txn, pgno, page, err);
        if (rc == STRATA_OK && pgno == 0) {
            rc = pager_page_verify(page, 0, txn->pager->path, "", err);
        }
    }
    mem_free(page);
    return rc;
}

static int check_freelist(PagerTxn *txn, Pgno page_count, Error *err)
{
    Pgno *list = NULL;
    size_t count = 0;
    int rc = txn_free_list_collect(txn, &list, &count, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t *seen = mem_zalloc(page_count / 8 + 1);
    if (seen == NULL) {
        mem_free(list);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    for (size_t at = 0; at < count && rc == STRATA_OK; at++) {
        Pgno pgno = list[at];
        if (pgno == 0 || pgno >= page_count) {
            rc = error_corrupt(err, "freelist of file \"%s\" holds page %u out of range",
                               txn->pager->path, pgno);
        } else if (seen[pgno / 8] & (1u << (pgno % 8))) {
            rc = error_corrupt(err, "freelist of file \"%s\" holds page %u twice",
                               txn->pager->path, pgno);
        } else {
            seen[pgno / 8] |= (uint8_t)(1u << (pgno % 8));
        }
    }
    mem_free(seen);
    mem_free(list);
    return rc;
}

/* Counter slots: keys are pages of the file, each at most once. */
static int check_counters(PagerTxn *txn, const uint8_t *hdr, Pgno page_count, Error *err)
{
    uint32_t count = get_u32(hdr + HDR_OFF_COUNTER_COUNT); /* validated: <= the maximum */
    for (uint32_t slot = 0; slot < count; slot++) {
        Pgno key = get_u32(hdr + HDR_OFF_COUNTERS + slot * HDR_COUNTER_BYTES);
        if (key == PGNO_NONE || key >= page_count) {
            return error_corrupt(err, "counter slot %u of file \"%s\" names page %u of %u",
                                 slot, txn->pager->path, key, page_count);
        }
        for (uint32_t other = 0; other < slot; other++) {
            if (get_u32(hdr + HDR_OFF_COUNTERS + other * HDR_COUNTER_BYTES) == key) {
                return error_corrupt(err, "counter slots %u and %u of file \"%s\" share page %u",
                                     other, slot, txn->pager->path, key);
            }
        }
    }
    return STRATA_OK;
}

int pager_check(Pager *pager, Error *err)
{
    PagerTxn *txn = NULL;
    int rc = pager_begin(pager, false, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const uint8_t *hdr = page_data(txn->hdr);
    Pgno page_count = get_u32(hdr + HDR_OFF_PAGE_COUNT);
    rc = pager_header_validate(hdr, pager->path, "", err);
    if (rc == STRATA_OK) {
        rc = check_pages(txn, page_count, err);
    }
    if (rc == STRATA_OK) {
        rc = check_freelist(txn, page_count, err);
    }
    if (rc == STRATA_OK) {
        rc = check_counters(txn, hdr, page_count, err);
    }
    pager_rollback(txn);
    return rc;
}
