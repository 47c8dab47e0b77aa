/*
 * storage/pager/pager_page.c - pages inside a transaction: pinning, copy-on-
 * write, spilling large write sets to the WAL, allocation and the freelist,
 * savepoints, meta slots.
 *
 * A transaction keeps one handle (Page) per page it touches, in a small hash
 * by pgno. A read-only handle points at a shared, immutable CacheEntry; a
 * written page gets a private buffer (copy-on-write). When a write txn holds
 * more private buffers than the cache budget, unpinned ones are spilled to
 * the WAL as uncommitted frames (invisible to readers, recovery drops them if
 * no commit frame follows) and re-read from there on demand.
 *
 * Savepoints keep a pre-image of every page first written after them: the
 * private bytes, a spilled frame, or "absent" (page not in the write set).
 *
 * Threads: a txn is used by one thread; the pager mutex is taken only to pin
 * and unpin shared cache entries. See src/storage/pager/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "storage/pager/pager_int.h"
#include "util/assert.h"
#include "util/mem.h"

/* Forgotten page handles a transaction keeps for reuse; a descent needs one
 * per level at a time, so a few cover every read path. */
enum { TXN_SPARE_PAGES_MAX = 16, TXN_FIRST_SLOTS = 64 };

/* ---- handle map ---- */

static uint32_t map_bucket(const PagerTxn *txn, Pgno pgno)
{
    return (pgno * 2654435761u) & (txn->page_slots - 1);
}

static Page *map_find(const PagerTxn *txn, Pgno pgno)
{
    if (txn->page_slots == 0) {
        return NULL;
    }
    for (Page *page = txn->pages[map_bucket(txn, pgno)]; page != NULL; page = page->hash_next) {
        if (page->pgno == pgno) {
            return page;
        }
    }
    return NULL;
}

static int map_add(PagerTxn *txn, Page *page)
{
    if (txn->page_count_in_map >= txn->page_slots) {
        uint32_t slots = txn->page_slots ? txn->page_slots * 2 : TXN_FIRST_SLOTS;
        Page **grown = mem_zalloc((size_t)slots * sizeof(Page *));
        if (grown == NULL) {
            return STRATA_NOMEM;
        }
        for (uint32_t at = 0; at < txn->page_slots; at++) {
            Page *each = txn->pages[at];
            while (each != NULL) {
                Page *next = each->hash_next;
                uint32_t bucket = (each->pgno * 2654435761u) & (slots - 1);
                each->hash_next = grown[bucket];
                grown[bucket] = each;
                each = next;
            }
        }
        mem_free(txn->pages);
        txn->pages = grown;
        txn->page_slots = slots;
    }
    uint32_t bucket = map_bucket(txn, page->pgno);
    page->hash_next = txn->pages[bucket];
    txn->pages[bucket] = page;
    txn->page_count_in_map++;
    return STRATA_OK;
}

static void map_remove(PagerTxn *txn, Page *page)
{
    Page **link = &txn->pages[map_bucket(txn, page->pgno)];
    while (*link != NULL) {
        if (*link == page) {
            *link = page->hash_next;
            txn->page_count_in_map--;
            return;
        }
        link = &(*link)->hash_next;
    }
}

static void release_clean(PagerTxn *txn, Page *page)
{
    if (page->clean != NULL) {
        pthread_mutex_lock(&txn->pager->mutex);
        cache_unpin(txn->pager, page->clean);
        pthread_mutex_unlock(&txn->pager->mutex);
        page->clean = NULL;
    }
}

static void drop_buf(PagerTxn *txn, Page *page)
{
    if (page->buf != NULL) {
        mem_free(page->buf);
        page->buf = NULL;
        page->buf_is_validated = false;
        txn->buffered_count--;
    }
}

static int ensure_buf(PagerTxn *txn, Page *page, Error *err)
{
    if (page->buf == NULL) {
        page->buf = mem_alloc(PAGE_SIZE);
        page->buf_is_validated = false;
        if (page->buf == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        txn->buffered_count++;
    }
    return STRATA_OK;
}

/* Frees a handle that is neither pinned nor needed by the write set. */
static void handle_forget(PagerTxn *txn, Page *page)
{
    release_clean(txn, page);
    drop_buf(txn, page);
    map_remove(txn, page);
    if (txn->spare_count < TXN_SPARE_PAGES_MAX) {
        page->hash_next = txn->spare_pages;
        txn->spare_pages = page;
        txn->spare_count++;
        return;
    }
    mem_free(page);
}

void txn_release_all(PagerTxn *txn)
{
    /* The shared images are unpinned under one hold of the mutex; the table
     * (at its first size) and up to TXN_SPARE_PAGES_MAX handles stay with the
     * txn, emptied, for the pager to give to its next transaction. */
    Pager *pager = txn->pager;
    bool keeps_table = txn->page_slots == TXN_FIRST_SLOTS;
    /* Both walks stop at the last handle: a read transaction ends with only
     * the header's, in slot 0. */
    uint32_t remaining = txn->page_count_in_map;
    pthread_mutex_lock(&pager->mutex);
    for (uint32_t at = 0; at < txn->page_slots && remaining > 0; at++) {
        for (Page *page = txn->pages[at]; page != NULL; page = page->hash_next) {
            remaining--;
            if (page->clean != NULL) {
                cache_unpin(pager, page->clean);
                page->clean = NULL;
            }
        }
    }
    pthread_mutex_unlock(&pager->mutex);
    remaining = txn->page_count_in_map;
    for (uint32_t at = 0; at < txn->page_slots && remaining > 0; at++) {
        Page *page = txn->pages[at];
        while (page != NULL) {
            remaining--;
            Page *next = page->hash_next;
            mem_free(page->buf);
            if (keeps_table && txn->spare_count < TXN_SPARE_PAGES_MAX) {
                page->hash_next = txn->spare_pages;
                txn->spare_pages = page;
                txn->spare_count++;
            } else {
                mem_free(page);
            }
            page = next;
        }
        txn->pages[at] = NULL;
    }
    if (!keeps_table) {
        mem_free(txn->pages);
        txn->pages = NULL;
        txn->page_slots = 0;
    }
    txn->page_count_in_map = txn->buffered_count = 0;
    txn->hdr = NULL;
}

void txn_free(PagerTxn *txn)
{
    if (txn == NULL) {
        return;
    }
    mem_free(txn->pages);
    while (txn->spare_pages != NULL) {
        Page *next = txn->spare_pages->hash_next;
        mem_free(txn->spare_pages);
        txn->spare_pages = next;
    }
    mem_free(txn);
}

int txn_load_spill(PagerTxn *txn, uint64_t spill_frame, uint8_t *dst, Error *err)
{
    Pager *pager = txn->pager;
    ST_ASSERT(!pager->wal.is_staging || spill_frame - 1 < pager->wal.stage_first);
    int rc = wal_read_frame(&pager->wal, spill_frame - 1, dst, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return pager_page_verify(dst, get_u32(dst + TAIL_OFF_PGNO), pager->wal_path, " (spilled frame)",
                             err);
}

/* Reads the snapshot's version of pgno as a pinned shared entry. */
static int read_snapshot(PagerTxn *txn, Pgno pgno, CacheEntry **out, Error *err)
{
    Pager *pager = txn->pager;
    pthread_rwlock_rdlock(&pager->wal_rwlock);
    pthread_mutex_lock(&pager->mutex);
    WalIndexEntry found;
    bool in_wal = wal_index_find(&pager->wal, pgno, txn->snapshot, &found);
    uint64_t version = in_wal ? found.commit_seq : 0;
    CacheEntry *entry = cache_lookup(pager, pgno, version);
    pthread_mutex_unlock(&pager->mutex);
    if (entry != NULL) {
        pthread_rwlock_unlock(&pager->wal_rwlock);
        *out = entry;
        return STRATA_OK;
    }
    entry = cache_entry_new(pgno, version);
    if (entry == NULL) {
        pthread_rwlock_unlock(&pager->wal_rwlock);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc;
    char where[64] = "";
    if (in_wal) {
        rc = wal_read_frame(&pager->wal, found.frame_index, entry->data, err);
        snprintf(where, sizeof(where), " (WAL frame %llu)", (unsigned long long)found.frame_index);
    } else {
        rc = pager_read_version(pager, pgno, 0, entry->data, err);
    }
    pthread_rwlock_unlock(&pager->wal_rwlock);
    if (rc == STRATA_OK) {
        rc = pager_page_verify(entry->data, pgno, in_wal ? pager->wal_path : pager->path, where, err);
    }
    if (rc != STRATA_OK) {
        cache_entry_free(entry);
        return rc;
    }
    pthread_mutex_lock(&pager->mutex);
    CacheEntry *existing = cache_lookup(pager, pgno, version);
    if (existing != NULL) {
        cache_entry_free(entry);
        entry = existing;
    } else {
        cache_insert(pager, entry);
    }
    pthread_mutex_unlock(&pager->mutex);
    *out = entry;
    return STRATA_OK;
}

/* The snapshot's version of pgno read from disk (bypassing the pool) and verified. */
int txn_read_uncached(PagerTxn *txn, Pgno pgno, uint8_t *out, Error *err)
{
    Pager *pager = txn->pager;
    pthread_rwlock_rdlock(&pager->wal_rwlock);
    pthread_mutex_lock(&pager->mutex);
    WalIndexEntry found;
    bool in_wal = wal_index_find(&pager->wal, pgno, txn->snapshot, &found);
    pthread_mutex_unlock(&pager->mutex);
    char where[64] = "";
    int rc;
    if (in_wal) {
        rc = wal_read_frame(&pager->wal, found.frame_index, out, err);
        snprintf(where, sizeof(where), " (WAL frame %llu)", (unsigned long long)found.frame_index);
    } else {
        rc = pager_read_version(pager, pgno, 0, out, err);
    }
    pthread_rwlock_unlock(&pager->wal_rwlock);
    if (rc == STRATA_OK) {
        rc = pager_page_verify(out, pgno, in_wal ? pager->wal_path : pager->path, where, err);
    }
    return rc;
}

static Page *handle_new(PagerTxn *txn, Pgno pgno, Error *err)
{
    /* A read pins and forgets a handle per page it visits (a descent visits
     * one per level), so handles are recycled within the txn rather than
     * allocated and freed each time. */
    Page *page = txn->spare_pages;
    if (page != NULL) {
        txn->spare_pages = page->hash_next;
        txn->spare_count--;
        memset(page, 0, sizeof(*page));
    } else {
        page = mem_zalloc(sizeof(*page));
    }
    if (page != NULL) {
        page->pgno = pgno;
        page->txn = txn;
    }
    if (page == NULL || map_add(txn, page) != STRATA_OK) {
        mem_free(page);
        error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    return page;
}

/* Pins pgno in txn (no range check): the txn's own image, or the snapshot's. */
int txn_get_handle(PagerTxn *txn, Pgno pgno, Page **out, Error *err)
{
    Page *page = map_find(txn, pgno);
    if (page != NULL) {
        if (page->buf == NULL && page->clean == NULL) {
            int rc = ensure_buf(txn, page, err);
            if (rc == STRATA_OK && page->spill_frame != 0) {
                rc = txn_load_spill(txn, page->spill_frame, page->buf, err);
                page->buf_matches_spill = true;
                page->buf_is_validated = false;
            } else if (rc == STRATA_OK) {
                CacheEntry *entry = NULL;
                rc = read_snapshot(txn, pgno, &entry, err);
                if (rc == STRATA_OK) {
                    drop_buf(txn, page);
                    page->clean = entry;
                }
            }
            if (rc != STRATA_OK) {
                drop_buf(txn, page);
                return rc;
            }
        }
        page->pin_count++;
        *out = page;
        return STRATA_OK;
    }
    CacheEntry *entry = NULL;
    int rc = read_snapshot(txn, pgno, &entry, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    page = handle_new(txn, pgno, err);
    if (page == NULL) {
        pthread_mutex_lock(&txn->pager->mutex);
        cache_unpin(txn->pager, entry);
        pthread_mutex_unlock(&txn->pager->mutex);
        return STRATA_NOMEM;
    }
    page->clean = entry;
    page->pin_count = 1;
    *out = page;
    return STRATA_OK;
}

Pgno txn_page_count(PagerTxn *txn) { return get_u32(page_data(txn->hdr) + HDR_OFF_PAGE_COUNT); }

/* Writes unpinned private buffers of a write txn to the WAL as uncommitted
 * frames once they exceed the cache budget. */
static int maybe_spill(PagerTxn *txn, Error *err)
{
    Pager *pager = txn->pager;
    if (!(txn->is_write || txn->is_speculative) ||
        txn->buffered_count <= __atomic_load_n(&pager->opts.cache_pages, __ATOMIC_RELAXED)) {
        return STRATA_OK;
    }
    if (txn->is_speculative) {
        /* Only the lock's holder appends: take it, keeping the pages if they
         * are still of the newest commit. */
        bool restarted = false;
        int rc = pager_promote_wait(txn, pager->opts.busy_timeout_ms, false, &restarted, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    /* Everything unpinned goes at once: staged, one write per run of frames
     * (and, past cache_pages frames, without zero fills ahead). The buffers
     * are dropped only once every frame is written, so a failed write loses
     * no page image of the transaction. */
    pager_appends_enter(pager);
    txn_note_first_append(txn);
    int rc = wal_stage_begin(&pager->wal, txn->buffered_count, err);
    for (uint32_t at = 0; at < txn->page_slots && rc == STRATA_OK; at++) {
        for (Page *page = txn->pages[at]; page != NULL && rc == STRATA_OK; page = page->hash_next) {
            if (page->pin_count == 0 && page->buf != NULL && page->pgno != 0 &&
                !page->buf_matches_spill) {
                pager_page_finalize(page->buf, page->pgno);
                rc = wal_append(&pager->wal, page->pgno, page->buf, 0, 0, err);
                if (rc == STRATA_OK) {
                    page->spill_frame = pager->wal.frame_count;
                    page->last_spill_frame = page->spill_frame;
                    txn->has_spilled = true;
                    pager->stats.spilled_pages++;
                }
            }
        }
    }
    Error end_err;
    error_clear(&end_err);
    int end_rc = wal_stage_end(&pager->wal, rc == STRATA_OK ? err : &end_err);
    rc = rc != STRATA_OK ? rc : end_rc;
    if (rc != STRATA_OK) {
        txn->has_spilled = true; /* the transaction's end rewinds the append point */
        pager_enter_error_state(pager);
        pager_appends_leave(pager);
        return rc;
    }
    pager_appends_leave(pager);
    for (uint32_t at = 0; at < txn->page_slots; at++) {
        for (Page *page = txn->pages[at]; page != NULL; page = page->hash_next) {
            if (page->pin_count == 0 && page->buf != NULL && page->pgno != 0) {
                drop_buf(txn, page);
                page->buf_matches_spill = false;
            }
        }
    }
    return STRATA_OK;
}

int pager_get(PagerTxn *txn, Pgno pgno, Page **out, Error *err)
{
    Pgno count = txn_page_count(txn);
    if (pgno == 0 || pgno >= count) {
        return error_corrupt(err, "page %u is out of range in file \"%s\" (page count %u)", pgno,
                             txn->pager->path, count);
    }
    int rc = maybe_spill(txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return txn_get_handle(txn, pgno, out, err);
}

const uint8_t *page_data(const Page *page) { return page->buf ? page->buf : page->clean->data; }

Pgno page_pgno(const Page *page) { return page->pgno; }

bool page_is_validated(const Page *page)
{
    if (page->buf != NULL) {
        return page->buf_is_validated;
    }
    return page->clean != NULL && __atomic_load_n(&page->clean->is_validated, __ATOMIC_ACQUIRE);
}

void page_mark_validated(Page *page)
{
    if (page->buf != NULL) {
        page->buf_is_validated = true;
    } else if (page->clean != NULL) {
        __atomic_store_n(&page->clean->is_validated, true, __ATOMIC_RELEASE);
    }
}

void pager_unpin(Page *page)
{
    if (page == NULL) {
        return;
    }
    ST_ASSERT(page->pin_count > 0);
    if (--page->pin_count > 0) {
        return;
    }
    PagerTxn *txn = page->txn;
    if (!page->in_write_set && page->last_spill_frame == 0) {
        handle_forget(txn, page);
    } else if (page->clean != NULL) {
        release_clean(txn, page);
    }
}

/* ---- savepoint pre-images ---- */

static int capture(PagerTxn *txn, Page *page, Error *err)
{
    if (txn->savepoint_count == 0) {
        return STRATA_OK;
    }
    Savepoint *sp = &txn->savepoints[txn->savepoint_count - 1];
    if (page->sp_serial == sp->serial) {
        return STRATA_OK;
    }
    if (sp->image_count == sp->image_capacity) {
        size_t capacity = sp->image_capacity ? sp->image_capacity * 2 : 16;
        PreImage *grown = mem_realloc(sp->images, capacity * sizeof(*grown));
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        sp->images = grown;
        sp->image_capacity = capacity;
    }
    PreImage image = {.pgno = page->pgno, .kind = PRE_ABSENT, .spill_frame = page->spill_frame};
    if (page->in_write_set && page->buf != NULL && !page->buf_matches_spill) {
        image.kind = PRE_BUF;
        image.bytes = mem_alloc(PAGE_SIZE);
        if (image.bytes == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        memcpy(image.bytes, page->buf, PAGE_SIZE);
    } else if (page->in_write_set) {
        image.kind = PRE_SPILL;
    }
    sp->images[sp->image_count++] = image;
    page->sp_serial = sp->serial;
    return STRATA_OK;
}

static int restore(PagerTxn *txn, const PreImage *image, Error *err)
{
    Page *page = map_find(txn, image->pgno);
    ST_ASSERT(page != NULL);
    page->sp_serial = 0;
    page->buf_matches_spill = false;
    int rc = STRATA_OK;
    switch (image->kind) {
    case PRE_BUF:
        release_clean(txn, page);
        if ((rc = ensure_buf(txn, page, err)) == STRATA_OK) {
            memcpy(page->buf, image->bytes, PAGE_SIZE);
            page->buf_is_validated = false;
        }
        page->in_write_set = true;
        page->spill_frame = image->spill_frame;
        return rc;
    case PRE_SPILL:
        page->in_write_set = true;
        page->spill_frame = image->spill_frame;
        release_clean(txn, page);
        if (page->pin_count == 0) {
            drop_buf(txn, page);
            return STRATA_OK;
        }
        if ((rc = ensure_buf(txn, page, err)) == STRATA_OK) {
            rc = txn_load_spill(txn, page->spill_frame, page->buf, err);
            page->buf_matches_spill = true;
            page->buf_is_validated = false;
        }
        return rc;
    case PRE_ABSENT:
    default:
        page->in_write_set = false;
        page->spill_frame = 0;
        if (page->pin_count == 0) {
            if (page->last_spill_frame == 0) {
                handle_forget(txn, page);
            } else {
                drop_buf(txn, page);
                release_clean(txn, page);
            }
            return STRATA_OK;
        }
        /* Pinned: keep the caller's pointer valid, refill the bytes. */
        if (page->buf != NULL) {
            if (image->pgno < txn->snapshot_page_count) {
                CacheEntry *entry = NULL;
                rc = read_snapshot(txn, image->pgno, &entry, err);
                if (rc == STRATA_OK) {
                    memcpy(page->buf, entry->data, PAGE_SIZE);
                    page->buf_is_validated = false;
                    pthread_mutex_lock(&txn->pager->mutex);
                    cache_unpin(txn->pager, entry);
                    pthread_mutex_unlock(&txn->pager->mutex);
                }
            } else {
                memset(page->buf, 0, PAGE_SIZE);
                page->buf_is_validated = false;
            }
        }
        return rc;
    }
}

static void savepoint_clear(Savepoint *sp)
{
    for (size_t at = 0; at < sp->image_count; at++) {
        mem_free(sp->images[at].bytes);
    }
    sp->image_count = 0;
}

static uint64_t savepoint_serial_counter;

int pager_savepoint(PagerTxn *txn, uint32_t *savepoint_id, Error *err)
{
    if (!txn->is_write && !txn->is_speculative) {
        return error_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                         "cannot set a savepoint in a read-only transaction");
    }
    if (txn->savepoint_count == txn->savepoint_capacity) {
        size_t capacity = txn->savepoint_capacity ? txn->savepoint_capacity * 2 : 4;
        Savepoint *grown = mem_realloc(txn->savepoints, capacity * sizeof(*grown));
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        txn->savepoints = grown;
        txn->savepoint_capacity = capacity;
    }
    Savepoint *sp = &txn->savepoints[txn->savepoint_count++];
    memset(sp, 0, sizeof(*sp));
    sp->id = ++txn->next_savepoint_id;
    sp->serial = __atomic_add_fetch(&savepoint_serial_counter, 1, __ATOMIC_RELAXED);
    sp->pending_free_count = txn->pending_free_count;
    *savepoint_id = sp->id;
    return STRATA_OK;
}

static Savepoint *savepoint_find(PagerTxn *txn, uint32_t id, size_t *level)
{
    for (size_t at = 0; at < txn->savepoint_count; at++) {
        if (txn->savepoints[at].id == id) {
            *level = at;
            return &txn->savepoints[at];
        }
    }
    return NULL;
}

int pager_rollback_to(PagerTxn *txn, uint32_t savepoint_id, Error *err)
{
    size_t level = 0;
    if (savepoint_find(txn, savepoint_id, &level) == NULL) {
        return error_set(err, SQLSTATE_INVALID_SAVEPOINT_SPECIFICATION, "savepoint %u does not exist",
                         savepoint_id);
    }
    int rc = STRATA_OK;
    for (size_t at = txn->savepoint_count; at > level; at--) {
        Savepoint *sp = &txn->savepoints[at - 1];
        for (size_t image = sp->image_count; image > 0 && rc == STRATA_OK; image--) {
            rc = restore(txn, &sp->images[image - 1], err);
        }
        savepoint_clear(sp);
        if (at - 1 > level) {
            mem_free(sp->images);
        }
    }
    txn->savepoint_count = level + 1;
    Savepoint *kept = &txn->savepoints[level];
    kept->serial = __atomic_add_fetch(&savepoint_serial_counter, 1, __ATOMIC_RELAXED);
    txn->pending_free_count = kept->pending_free_count;
    if (rc != STRATA_OK) {
        /* The txn's state is uncertain now: make the commit fail. */
        pager_enter_error_state(txn->pager);
    }
    return rc;
}

void pager_release_savepoint(PagerTxn *txn, uint32_t savepoint_id)
{
    size_t level = 0;
    if (savepoint_find(txn, savepoint_id, &level) == NULL) {
        return;
    }
    if (level == 0) {
        txn_drop_savepoints(txn);
        return;
    }
    Savepoint *below = &txn->savepoints[level - 1];
    for (size_t image = 0; image < below->image_count; image++) {
        Page *page = map_find(txn, below->images[image].pgno);
        if (page != NULL) {
            page->sp_serial = below->serial;
        }
    }
    for (size_t at = level; at < txn->savepoint_count; at++) {
        Savepoint *sp = &txn->savepoints[at];
        for (size_t image = 0; image < sp->image_count; image++) {
            PreImage *pre = &sp->images[image];
            Page *page = map_find(txn, pre->pgno);
            bool keep = page != NULL && page->sp_serial != below->serial &&
                        below->image_count < below->image_capacity;
            if (!keep && page != NULL && page->sp_serial != below->serial) {
                /* Grow below; on failure the pre-image is lost, so keep it
                 * conservatively by not releasing (rare: out of memory). */
                size_t capacity = below->image_capacity ? below->image_capacity * 2 : 16;
                PreImage *grown = mem_realloc(below->images, capacity * sizeof(*grown));
                if (grown != NULL) {
                    below->images = grown;
                    below->image_capacity = capacity;
                    keep = true;
                }
            }
            if (keep) {
                below->images[below->image_count++] = *pre;
                page->sp_serial = below->serial;
            } else {
                mem_free(pre->bytes);
            }
        }
        mem_free(sp->images);
    }
    txn->savepoint_count = level;
}

void txn_drop_savepoints(PagerTxn *txn)
{
    for (size_t at = 0; at < txn->savepoint_count; at++) {
        savepoint_clear(&txn->savepoints[at]);
        mem_free(txn->savepoints[at].images);
    }
    mem_free(txn->savepoints);
    txn->savepoints = NULL;
    txn->savepoint_count = txn->savepoint_capacity = 0;
}

/* ---- writing ---- */

static int write_check(PagerTxn *txn, Error *err)
{
    if (!txn->is_write && !txn->is_speculative) {
        return error_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                         "cannot write in a read-only transaction");
    }
    if (pager_in_error_state(txn->pager)) { /* set by any thread */
        return error_set(err, SQLSTATE_IO_ERROR,
                         "database \"%s\" is in an error state after a failed write; reopen it",
                         txn->pager->path);
    }
    return STRATA_OK;
}

int pager_write(PagerTxn *txn, Page *page, uint8_t **data, Error *err)
{
    int rc = write_check(txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    ST_ASSERT(page->txn == txn && page->pin_count > 0);
    if ((rc = capture(txn, page, err)) != STRATA_OK) {
        return rc;
    }
    if (page->buf == NULL) {
        if ((rc = ensure_buf(txn, page, err)) != STRATA_OK) {
            return rc;
        }
        memcpy(page->buf, page->clean->data, PAGE_SIZE);
        /* The caller may now change the bytes before the owner sees them
         * (a test scribbling "disk" corruption does): check once more. */
        page->buf_is_validated = false;
        release_clean(txn, page);
    }
    page->in_write_set = true;
    page->buf_matches_spill = false;
    *data = page->buf;
    return STRATA_OK;
}

int txn_header_writable(PagerTxn *txn, uint8_t **hdr, Error *err)
{
    return pager_write(txn, txn->hdr, hdr, err);
}

/* A pinned, writable, zeroed handle for pgno without reading its old bytes. */
static int handle_overwrite(PagerTxn *txn, Pgno pgno, Page **out, Error *err)
{
    Page *page = map_find(txn, pgno);
    if (page == NULL) {
        page = handle_new(txn, pgno, err);
        if (page == NULL) {
            return STRATA_NOMEM;
        }
    }
    int rc = capture(txn, page, err);
    if (rc == STRATA_OK) {
        release_clean(txn, page);
        rc = ensure_buf(txn, page, err);
    }
    if (rc != STRATA_OK) {
        if (page->pin_count == 0 && !page->in_write_set && page->last_spill_frame == 0) {
            handle_forget(txn, page);
        }
        return rc;
    }
    memset(page->buf, 0, PAGE_SIZE);
    page->buf_is_validated = false;
    page->in_write_set = true;
    page->buf_matches_spill = false;
    page->pin_count++;
    *out = page;
    return STRATA_OK;
}

int pager_alloc(PagerTxn *txn, Page **out, Error *err)
{
    uint8_t *hdr = NULL;
    int rc = write_check(txn, err);
    if (rc == STRATA_OK) {
        rc = maybe_spill(txn, err);
    }
    if (rc == STRATA_OK) {
        rc = txn_header_writable(txn, &hdr, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    Pgno head = get_u32(hdr + HDR_OFF_FREELIST_HEAD);
    Pgno pgno;
    if (head != 0) {
        Page *trunk = NULL;
        uint8_t *trunk_data = NULL;
        if ((rc = txn_get_handle(txn, head, &trunk, err)) != STRATA_OK) {
            return rc;
        }
        rc = pager_write(txn, trunk, &trunk_data, err);
        if (rc != STRATA_OK) {
            pager_unpin(trunk);
            return rc;
        }
        uint32_t count = get_u32(trunk_data + 4);
        if (count > TRUNK_CAPACITY) {
            pager_unpin(trunk);
            return error_corrupt(err, "freelist trunk page %u of file \"%s\" has %u entries", head,
                                 txn->pager->path, count);
        }
        if (count > 0) {
            pgno = get_u32(trunk_data + 8 + 4 * (count - 1));
            put_u32(trunk_data + 4, count - 1);
        } else {
            pgno = head;
            put_u32(hdr + HDR_OFF_FREELIST_HEAD, get_u32(trunk_data));
        }
        pager_unpin(trunk);
        Pgno page_count = get_u32(hdr + HDR_OFF_PAGE_COUNT);
        if (pgno == 0 || pgno >= page_count) {
            return error_corrupt(err, "freelist of file \"%s\" holds page %u out of range",
                                 txn->pager->path, pgno);
        }
        put_u32(hdr + HDR_OFF_FREELIST_COUNT, get_u32(hdr + HDR_OFF_FREELIST_COUNT) - 1);
    } else {
        pgno = get_u32(hdr + HDR_OFF_PAGE_COUNT);
        if (pgno >= UINT32_MAX - 1) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "database \"%s\" is full",
                             txn->pager->path);
        }
        put_u32(hdr + HDR_OFF_PAGE_COUNT, pgno + 1);
    }
    return handle_overwrite(txn, pgno, out, err);
}

int pager_free(PagerTxn *txn, Pgno pgno, Error *err)
{
    int rc = write_check(txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (pgno == 0 || pgno >= txn_page_count(txn)) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "cannot free page %u: out of range", pgno);
    }
    if (txn->pending_free_count == txn->pending_free_capacity) {
        size_t capacity = txn->pending_free_capacity ? txn->pending_free_capacity * 2 : 16;
        Pgno *grown = mem_realloc(txn->pending_free, capacity * sizeof(Pgno));
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        txn->pending_free = grown;
        txn->pending_free_capacity = capacity;
    }
    txn->pending_free[txn->pending_free_count++] = pgno;
    return STRATA_OK;
}

/* Adds one page to the freelist: into the head trunk if it has room, else
 * the page becomes the new head trunk. */
static int freelist_push(PagerTxn *txn, Pgno pgno, Error *err)
{
    uint8_t *hdr = NULL;
    int rc = txn_header_writable(txn, &hdr, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    Pgno head = get_u32(hdr + HDR_OFF_FREELIST_HEAD);
    Page *page = NULL;
    uint8_t *data = NULL;
    if (head != 0) {
        if ((rc = txn_get_handle(txn, head, &page, err)) != STRATA_OK) {
            return rc;
        }
        if ((rc = pager_write(txn, page, &data, err)) != STRATA_OK) {
            pager_unpin(page);
            return rc;
        }
        uint32_t count = get_u32(data + 4);
        if (count < TRUNK_CAPACITY) {
            put_u32(data + 8 + 4 * count, pgno);
            put_u32(data + 4, count + 1);
            pager_unpin(page);
            put_u32(hdr + HDR_OFF_FREELIST_COUNT, get_u32(hdr + HDR_OFF_FREELIST_COUNT) + 1);
            return STRATA_OK;
        }
        pager_unpin(page);
    }
    if ((rc = handle_overwrite(txn, pgno, &page, err)) != STRATA_OK) {
        return rc;
    }
    put_u32(page->buf, head);
    put_u32(page->buf + 4, 0);
    page->buf_is_validated = false;
    pager_unpin(page);
    put_u32(hdr + HDR_OFF_FREELIST_HEAD, pgno);
    put_u32(hdr + HDR_OFF_FREELIST_COUNT, get_u32(hdr + HDR_OFF_FREELIST_COUNT) + 1);
    return STRATA_OK;
}

int txn_push_pending_frees(PagerTxn *txn, Error *err)
{
    for (size_t at = 0; at < txn->pending_free_count; at++) {
        int rc = freelist_push(txn, txn->pending_free[at], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    txn->pending_free_count = 0;
    return STRATA_OK;
}

/* Every free page (trunks and entries) in freelist order; *out owned (mem_free). */
int txn_free_list_collect(PagerTxn *txn, Pgno **out, size_t *count, Error *err)
{
    const uint8_t *hdr = page_data(txn->hdr);
    Pgno page_count = get_u32(hdr + HDR_OFF_PAGE_COUNT);
    size_t expected = get_u32(hdr + HDR_OFF_FREELIST_COUNT);
    Pgno *list = mem_alloc((expected + 1) * sizeof(Pgno));
    size_t used = 0;
    if (list == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = STRATA_OK;
    for (Pgno trunk = get_u32(hdr + HDR_OFF_FREELIST_HEAD); trunk != 0 && rc == STRATA_OK;) {
        if (trunk >= page_count || used >= expected) {
            rc = error_corrupt(err, "freelist of file \"%s\" is corrupt at trunk page %u",
                               txn->pager->path, trunk);
            break;
        }
        list[used++] = trunk;
        Page *page = NULL;
        if ((rc = txn_get_handle(txn, trunk, &page, err)) != STRATA_OK) {
            break;
        }
        const uint8_t *data = page_data(page);
        uint32_t entries = get_u32(data + 4);
        if (entries > TRUNK_CAPACITY || used + entries > expected) {
            rc = error_corrupt(err, "freelist trunk page %u of file \"%s\" has a bad entry count %u",
                               trunk, txn->pager->path, entries);
        }
        for (uint32_t at = 0; rc == STRATA_OK && at < entries; at++) {
            list[used++] = get_u32(data + 8 + 4 * at);
        }
        trunk = get_u32(data);
        pager_unpin(page);
    }
    if (rc == STRATA_OK && used != expected) {
        rc = error_corrupt(err, "freelist of file \"%s\" holds %zu pages, header says %zu",
                           txn->pager->path, used, expected);
    }
    if (rc != STRATA_OK) {
        mem_free(list);
        return rc;
    }
    *out = list;
    *count = used;
    return STRATA_OK;
}

/* ---- meta slots ---- */

int pager_get_meta(PagerTxn *txn, int slot, uint64_t *value)
{
    if (slot < 0 || slot >= PAGER_META_SLOTS) {
        return STRATA_MISUSE;
    }
    *value = get_u64(page_data(txn->hdr) + HDR_OFF_META + 8 * slot);
    return STRATA_OK;
}

int pager_set_meta(PagerTxn *txn, int slot, uint64_t value, Error *err)
{
    if (slot < 0 || slot >= PAGER_META_SLOTS) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "meta slot %d is out of range", slot);
    }
    uint8_t *hdr = NULL;
    int rc = txn_header_writable(txn, &hdr, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    put_u64(hdr + HDR_OFF_META + 8 * slot, value);
    return STRATA_OK;
}

/* ---- counter slots ---- */

/* Slots in use in hdr; the count was checked when the image was read
 * (pager_header_validate), the cap keeps a bad one from reading past. */
static uint32_t counter_count(const uint8_t *hdr)
{
    uint32_t count = get_u32(hdr + HDR_OFF_COUNTER_COUNT);
    return count > PAGER_COUNTER_SLOTS ? PAGER_COUNTER_SLOTS : count;
}

/* Index of key's slot in hdr, or -1. */
static int counter_find(const uint8_t *hdr, Pgno key)
{
    uint32_t count = counter_count(hdr);
    for (uint32_t slot = 0; slot < count; slot++) {
        if (get_u32(hdr + HDR_OFF_COUNTERS + slot * HDR_COUNTER_BYTES) == key) {
            return (int)slot;
        }
    }
    return -1;
}

bool pager_counter_get(PagerTxn *txn, Pgno key, uint64_t values[2])
{
    const uint8_t *hdr = page_data(txn->hdr);
    int slot = key == PGNO_NONE ? -1 : counter_find(hdr, key);
    if (slot < 0) {
        return false;
    }
    const uint8_t *at = hdr + HDR_OFF_COUNTERS + (size_t)slot * HDR_COUNTER_BYTES;
    values[0] = get_u64(at + 8);
    values[1] = get_u64(at + 16);
    return true;
}

int pager_counter_set(PagerTxn *txn, Pgno key, const uint64_t values[2], bool *stored,
                      Error *err)
{
    ST_ASSERT(key != PGNO_NONE);
    const uint8_t *view = page_data(txn->hdr);
    int slot = counter_find(view, key);
    uint32_t count = counter_count(view);
    *stored = false;
    if (slot < 0 && count == PAGER_COUNTER_SLOTS) {
        return STRATA_OK;
    }
    uint8_t *hdr = NULL;
    int rc = txn_header_writable(txn, &hdr, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (slot < 0) {
        slot = (int)count;
        put_u32(hdr + HDR_OFF_COUNTER_COUNT, count + 1);
        put_u32(hdr + HDR_OFF_VERSION, HDR_FORMAT_VERSION);
    }
    uint8_t *at = hdr + HDR_OFF_COUNTERS + (size_t)slot * HDR_COUNTER_BYTES;
    put_u32(at, key);
    put_u32(at + 4, 0);
    put_u64(at + 8, values[0]);
    put_u64(at + 16, values[1]);
    *stored = true;
    return STRATA_OK;
}

int pager_counter_drop(PagerTxn *txn, Pgno key, Error *err)
{
    const uint8_t *view = page_data(txn->hdr);
    int slot = key == PGNO_NONE ? -1 : counter_find(view, key);
    if (slot < 0) {
        return STRATA_OK;
    }
    uint8_t *hdr = NULL;
    int rc = txn_header_writable(txn, &hdr, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* Packed: the last slot moves into the hole. */
    uint32_t last = counter_count(hdr) - 1;
    uint8_t *at = hdr + HDR_OFF_COUNTERS + (size_t)slot * HDR_COUNTER_BYTES;
    const uint8_t *from = hdr + HDR_OFF_COUNTERS + (size_t)last * HDR_COUNTER_BYTES;
    if (at != from) {
        memcpy(at, from, HDR_COUNTER_BYTES);
    }
    memset(hdr + HDR_OFF_COUNTERS + (size_t)last * HDR_COUNTER_BYTES, 0, HDR_COUNTER_BYTES);
    put_u32(hdr + HDR_OFF_COUNTER_COUNT, last);
    return STRATA_OK;
}

Pgno pager_page_count(PagerTxn *txn) { return txn_page_count(txn); }
