/*
 * storage/pager/wal.c - WAL file format, append, recovery scan, index.
 * The byte layout is in wal.h. See src/storage/pager/README.md.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storage/pager/pager_int.h"
#include "storage/pager/wal.h"
#include "util/assert.h"
#include "util/checksum.h"
#include "util/mem.h"

static uint64_t salt_state;

static uint32_t new_salt(void)
{
    if (salt_state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        salt_state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
    }
    uint64_t z = __atomic_add_fetch(&salt_state, 0x9e3779b97f4a7c15ULL, __ATOMIC_RELAXED);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)(z ^ (z >> 31));
}

/* Format 1 hashed every page twice per append: once for its own tail
 * checksum (pager_page_finalize) and once here. Format 2 chains the frame
 * header with the page's tail (pgno, flags, page checksum), which already
 * covers every byte of the page; recovery checks that tail checksum against
 * the bytes (frame_page_intact), so a torn page still ends the valid WAL. */
static uint64_t frame_checksum(uint32_t version, const uint8_t *header, const uint8_t *page,
                               uint64_t previous)
{
    uint64_t sum = checksum64(header, 24, previous);
    if (version == 1) {
        return checksum64(page, PAGE_SIZE, sum);
    }
    return checksum64(page + PAGE_USABLE_SIZE, PAGE_RESERVED_BYTES, sum);
}

static bool frame_page_intact(uint32_t version, const uint8_t *page)
{
    return version == 1 || get_u64(page + TAIL_OFF_CHECKSUM) ==
                               checksum64(page, TAIL_OFF_CHECKSUM, PAGE_CHECKSUM_SEED);
}

static uint64_t frame_offset(uint64_t frame_index)
{
    return WAL_HEADER_BYTES + frame_index * (uint64_t)WAL_FRAME_BYTES;
}

/* Preallocation: a fill writes zeros in pieces of this many frames (a writer
 * that reaches the piece in flight waits for one piece write at most), and is
 * requested once the append point comes within WAL_FILL_AHEAD_FRAMES of the
 * fill target, for twice that far ahead. */
#define WAL_FILL_PIECE_FRAMES 32u
#define WAL_FILL_AHEAD_FRAMES 512u

void wal_init(Wal *wal)
{
    pthread_mutex_init(&wal->fill_mutex, NULL);
    pthread_cond_init(&wal->fill_cond, NULL);
}

void wal_set_preallocation(Wal *wal, uint64_t prealloc_frames, bool sync,
                           void (*wake)(void *arg), void *arg)
{
    pthread_mutex_lock(&wal->fill_mutex);
    wal->prealloc_frames = prealloc_frames;
    wal->fill_sync = sync;
    wal->fill_wake = wake;
    wal->fill_wake_arg = arg;
    pthread_mutex_unlock(&wal->fill_mutex);
}

/* Called by the writer before it writes frame frame_index: waits while that
 * frame is inside the piece being zero-filled, records that the file now
 * reaches past it, and says whether a fill is due. */
static bool reserve_frame(Wal *wal, uint64_t frame_index)
{
    pthread_mutex_lock(&wal->fill_mutex);
    while (frame_index >= wal->fill_busy_start && frame_index < wal->fill_busy_end) {
        pthread_cond_wait(&wal->fill_cond, &wal->fill_mutex);
    }
    if (frame_index >= wal->filled_frames) {
        wal->filled_frames = frame_index + 1;
    }
    bool is_due = false;
    if (wal->prealloc_frames > 0 && !wal->is_bulk) {
        uint64_t want = frame_index + WAL_FILL_AHEAD_FRAMES;
        want = want < wal->prealloc_frames ? want : wal->prealloc_frames;
        if (want > wal->fill_target_frames && want > wal->filled_frames) {
            uint64_t target = frame_index + 2 * WAL_FILL_AHEAD_FRAMES;
            wal->fill_target_frames = target < wal->prealloc_frames ? target
                                                                    : wal->prealloc_frames;
            is_due = true;
        }
    }
    pthread_mutex_unlock(&wal->fill_mutex);
    return is_due;
}

int wal_fill(Wal *wal, Error *err)
{
    pthread_mutex_lock(&wal->fill_mutex);
    if (wal->fill_running || wal->filled_frames >= wal->fill_target_frames) {
        pthread_mutex_unlock(&wal->fill_mutex);
        return STRATA_OK;
    }
    wal->fill_running = true;
    pthread_mutex_unlock(&wal->fill_mutex);
    size_t piece_bytes = (size_t)WAL_FILL_PIECE_FRAMES * WAL_FRAME_BYTES;
    uint8_t *zeros = mem_zalloc(piece_bytes);
    int rc = zeros != NULL ? STRATA_OK : error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    pthread_mutex_lock(&wal->fill_mutex);
    while (rc == STRATA_OK && wal->filled_frames < wal->fill_target_frames) {
        uint64_t start = wal->filled_frames, end = start + WAL_FILL_PIECE_FRAMES;
        end = end < wal->fill_target_frames ? end : wal->fill_target_frames;
        wal->fill_busy_start = start;
        wal->fill_busy_end = end;
        pthread_mutex_unlock(&wal->fill_mutex);
        rc = vfs_write(wal->file, zeros, (size_t)(end - start) * WAL_FRAME_BYTES,
                       WAL_HEADER_BYTES + start * (uint64_t)WAL_FRAME_BYTES, err);
        pthread_mutex_lock(&wal->fill_mutex);
        wal->fill_busy_start = wal->fill_busy_end = 0;
        wal->fill_needs_sync = true;
        if (rc == STRATA_OK && wal->filled_frames < end) {
            wal->filled_frames = end;
        }
        pthread_cond_broadcast(&wal->fill_cond);
    }
    bool needs_sync = rc == STRATA_OK && wal->fill_sync && wal->fill_needs_sync;
    wal->fill_needs_sync = false;
    pthread_mutex_unlock(&wal->fill_mutex);
    mem_free(zeros);
    /* Makes the new length durable now, so that the commits' fdatasyncs that
     * follow only overwrite. */
    if (needs_sync) {
        rc = vfs_sync(wal->file, err);
    }
    pthread_mutex_lock(&wal->fill_mutex);
    wal->fill_running = false;
    pthread_mutex_unlock(&wal->fill_mutex);
    return rc;
}

int wal_trim(Wal *wal, Error *err)
{
    pthread_mutex_lock(&wal->fill_mutex);
    uint64_t keep = wal->prealloc_frames;
    bool trim = keep > 0 && !wal->fill_running && wal->filled_frames > keep &&
                wal->frame_count <= keep;
    pthread_mutex_unlock(&wal->fill_mutex);
    if (!trim) {
        return STRATA_OK;
    }
    int rc = vfs_truncate(wal->file, WAL_HEADER_BYTES + keep * (uint64_t)WAL_FRAME_BYTES, err);
    if (rc == STRATA_OK) {
        pthread_mutex_lock(&wal->fill_mutex);
        wal->filled_frames = keep;
        if (wal->fill_target_frames > keep) {
            wal->fill_target_frames = keep;
        }
        pthread_mutex_unlock(&wal->fill_mutex);
    }
    return rc;
}

static int write_header(Wal *wal, bool sync_header, Error *err)
{
    uint8_t header[WAL_HEADER_BYTES];
    put_u32(header, WAL_MAGIC);
    put_u32(header + 4, WAL_FORMAT_VERSION);
    wal->format_version = WAL_FORMAT_VERSION;
    put_u32(header + 8, PAGE_SIZE);
    put_u32(header + 12, wal->checkpoint_seq);
    put_u32(header + 16, wal->salt1);
    put_u32(header + 20, wal->salt2);
    uint64_t sum = checksum64(header, 24, 0);
    put_u64(header + 24, sum);
    int rc = vfs_write(wal->file, header, sizeof(header), 0, err);
    if (rc == STRATA_OK && sync_header) {
        rc = vfs_sync(wal->file, err);
    }
    if (rc == STRATA_OK) {
        wal->chain_checksum = sum;
        wal->frame_count = 0;
    }
    return rc;
}

int wal_restart(Wal *wal, bool sync_header, Error *err)
{
    wal->checkpoint_seq++;
    wal->salt1 = new_salt();
    wal->salt2 = new_salt();
    wal_index_clear(wal);
    return write_header(wal, sync_header, err);
}

/* Writes the staged frames [stage_first, frame_count) in one write. */
static int stage_flush(Wal *wal, Error *err)
{
    uint64_t count = wal->frame_count - wal->stage_first;
    if (count == 0) {
        return STRATA_OK;
    }
    int rc = vfs_write(wal->file, wal->stage_buf, (size_t)count * WAL_FRAME_BYTES,
                       frame_offset(wal->stage_first), err);
    if (rc == STRATA_OK) {
        wal->stage_first = wal->frame_count;
    }
    return rc;
}

int wal_stage_begin(Wal *wal, uint64_t frames_expected, Error *err)
{
    ST_ASSERT(!wal->is_staging);
    if (wal->stage_buf == NULL &&
        (wal->stage_buf = mem_alloc((size_t)WAL_STAGE_FRAMES * WAL_FRAME_BYTES)) == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    wal->is_staging = true;
    wal->stage_first = wal->frame_count;
    pthread_mutex_lock(&wal->fill_mutex);
    wal->is_bulk = frames_expected >= WAL_FILL_AHEAD_FRAMES;
    pthread_mutex_unlock(&wal->fill_mutex);
    return STRATA_OK;
}

int wal_stage_end(Wal *wal, Error *err)
{
    if (!wal->is_staging) {
        return STRATA_OK;
    }
    int rc = stage_flush(wal, err);
    wal->is_staging = false;
    pthread_mutex_lock(&wal->fill_mutex);
    wal->is_bulk = false;
    pthread_mutex_unlock(&wal->fill_mutex);
    return rc;
}

int wal_append(Wal *wal, Pgno pgno, const uint8_t *page, uint32_t db_page_count,
               uint64_t commit_seq, Error *err)
{
    uint8_t header[WAL_FRAME_HEADER_BYTES];
    put_u32(header, pgno);
    put_u32(header + 4, db_page_count);
    put_u32(header + 8, wal->salt1);
    put_u32(header + 12, wal->salt2);
    put_u64(header + 16, commit_seq);
    uint64_t sum = frame_checksum(wal->format_version, header, page, wal->chain_checksum);
    put_u64(header + 24, sum);
    /* Unstaged: one write per frame. The buffers are kept: appends are
     * serialized by the writer lock. */
    if (!wal->is_staging && wal->frame_buf == NULL &&
        (wal->frame_buf = mem_alloc(WAL_FRAME_BYTES)) == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (reserve_frame(wal, wal->frame_count)) {
        if (wal->fill_wake != NULL) {
            wal->fill_wake(wal->fill_wake_arg);
        } else {
            int fill_rc = wal_fill(wal, err);
            if (fill_rc != STRATA_OK) {
                return fill_rc;
            }
        }
    }
    if (wal->is_staging) {
        /* Reserved above like any frame, so no fill piece overlaps the run. */
        uint8_t *frame = wal->stage_buf + (size_t)(wal->frame_count - wal->stage_first) *
                                              WAL_FRAME_BYTES;
        memcpy(frame, header, sizeof(header));
        memcpy(frame + WAL_FRAME_HEADER_BYTES, page, PAGE_SIZE);
        wal->chain_checksum = sum;
        wal->frame_count++;
        return wal->frame_count - wal->stage_first == WAL_STAGE_FRAMES ? stage_flush(wal, err)
                                                                       : STRATA_OK;
    }
    uint8_t *frame = wal->frame_buf;
    memcpy(frame, header, sizeof(header));
    memcpy(frame + WAL_FRAME_HEADER_BYTES, page, PAGE_SIZE);
    int rc = vfs_write(wal->file, frame, WAL_FRAME_BYTES, frame_offset(wal->frame_count), err);
    if (rc != STRATA_OK) {
        return rc;
    }
    wal->chain_checksum = sum;
    wal->frame_count++;
    return STRATA_OK;
}

int wal_read_frame(Wal *wal, uint64_t frame_index, uint8_t *page, Error *err)
{
    /* Staged frames are the writer's uncommitted ones, and it never reads
     * them back before wal_stage_end (pager_page.c, txn_load_spill). */
    bool complete = false;
    int rc = vfs_read_full(wal->file, page, PAGE_SIZE,
                           frame_offset(frame_index) + WAL_FRAME_HEADER_BYTES, &complete, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!complete) {
        return error_corrupt(err, "frame %llu is missing from file \"%s\"",
                             (unsigned long long)frame_index, vfs_file_path(wal->file));
    }
    return STRATA_OK;
}

int wal_read_frames(Wal *wal, uint64_t first, uint32_t count, uint8_t *frames, Error *err)
{
    bool complete = false;
    int rc = vfs_read_full(wal->file, frames, (size_t)count * WAL_FRAME_BYTES, frame_offset(first),
                           &complete, err);
    if (rc == STRATA_OK && !complete) {
        rc = error_corrupt(err, "frames %llu to %llu are missing from file \"%s\"",
                           (unsigned long long)first, (unsigned long long)(first + count - 1),
                           vfs_file_path(wal->file));
    }
    return rc;
}

typedef struct PendingFrame {
    Pgno pgno;
    uint64_t frame_index;
} PendingFrame;

/* Reads frames from the append point on; returns the index of committed frames. */
static int scan_frames(Wal *wal, WalRecovery *out, Error *err)
{
    uint8_t *frame = mem_alloc(WAL_FRAME_BYTES);
    size_t pending_capacity = 64, pending_count = 0;
    PendingFrame *pending = mem_alloc(pending_capacity * sizeof(*pending));
    int rc = STRATA_OK;
    if (frame == NULL || pending == NULL) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        goto out_free;
    }
    uint64_t chain = wal->chain_checksum, index = 0;
    for (;;) {
        bool complete = false;
        rc = vfs_read_full(wal->file, frame, WAL_FRAME_BYTES, frame_offset(index), &complete, err);
        if (rc != STRATA_OK || !complete) {
            break;
        }
        if (get_u32(frame + 8) != wal->salt1 || get_u32(frame + 12) != wal->salt2) {
            break;
        }
        uint64_t sum = frame_checksum(wal->format_version, frame, frame + WAL_FRAME_HEADER_BYTES,
                                      chain);
        if (sum != get_u64(frame + 24) ||
            !frame_page_intact(wal->format_version, frame + WAL_FRAME_HEADER_BYTES)) {
            break;
        }
        chain = sum;
        if (pending_count == pending_capacity) {
            pending_capacity *= 2;
            PendingFrame *grown = mem_realloc(pending, pending_capacity * sizeof(*pending));
            if (grown == NULL) {
                rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
                goto out_free;
            }
            pending = grown;
        }
        pending[pending_count++] = (PendingFrame){get_u32(frame), index};
        index++;
        if (get_u32(frame + 4) != 0) { /* commit frame: its transaction is complete */
            uint64_t seq = get_u64(frame + 16);
            for (size_t at = 0; at < pending_count; at++) {
                if (wal_index_add(wal, pending[at].pgno, seq, pending[at].frame_index) != 0) {
                    rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
                    goto out_free;
                }
            }
            pending_count = 0;
            out->frames_valid = index;
            out->last_commit_seq = seq;
            wal->frame_count = index;
            wal->chain_checksum = chain;
        }
    }
    out->frames_discarded = index - out->frames_valid;
out_free:
    mem_free(frame);
    mem_free(pending);
    return rc;
}

int wal_recover(Wal *wal, VfsFile *file, bool sync_header, WalRecovery *out, Error *err)
{
    memset(out, 0, sizeof(*out));
    wal->file = file;
    uint8_t header[WAL_HEADER_BYTES];
    bool complete = false;
    uint64_t size_bytes = 0;
    int rc = vfs_size(file, &size_bytes, err);
    if (rc == STRATA_OK) {
        rc = vfs_read_full(file, header, sizeof(header), 0, &complete, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    pthread_mutex_lock(&wal->fill_mutex);
    wal->filled_frames = size_bytes > WAL_HEADER_BYTES
                             ? (size_bytes - WAL_HEADER_BYTES) / WAL_FRAME_BYTES
                             : 0;
    pthread_mutex_unlock(&wal->fill_mutex);
    uint32_t version = get_u32(header + 4);
    bool valid = complete && get_u32(header) == WAL_MAGIC &&
                 (version == 1 || version == WAL_FORMAT_VERSION) &&
                 get_u32(header + 8) == PAGE_SIZE &&
                 checksum64(header, 24, 0) == get_u64(header + 24);
    if (!valid) {
        /* Nothing committed can be behind an invalid header: a header is
         * written before any frame after it, and a commit is durable only
         * once a sync of this file (which covers the header) has returned. */
        wal->checkpoint_seq = 0;
        return wal_restart(wal, sync_header, err);
    }
    out->header_was_valid = true;
    /* A format 1 WAL is read and appended to as format 1 until its next restart. */
    wal->format_version = version;
    wal->checkpoint_seq = get_u32(header + 12);
    wal->salt1 = get_u32(header + 16);
    wal->salt2 = get_u32(header + 20);
    wal->chain_checksum = get_u64(header + 24);
    wal->frame_count = 0;
    return scan_frames(wal, out, err);
}

/* ---- index ---- */

static uint32_t slot_hash(Pgno pgno) { return (uint32_t)(pgno * 2654435761u); }

static int index_grow(Wal *wal)
{
    uint32_t count = wal->slot_count ? wal->slot_count * 2 : 1024;
    WalIndexSlot *slots = mem_zalloc((size_t)count * sizeof(*slots));
    if (slots == NULL) {
        return STRATA_NOMEM;
    }
    for (uint32_t at = 0; at < wal->slot_count; at++) {
        WalIndexSlot *old = &wal->slots[at];
        if (!old->is_used) {
            continue;
        }
        uint32_t pos = slot_hash(old->pgno) & (count - 1);
        while (slots[pos].is_used) {
            pos = (pos + 1) & (count - 1);
        }
        slots[pos] = *old;
    }
    mem_free(wal->slots);
    wal->slots = slots;
    wal->slot_count = count;
    return STRATA_OK;
}

static WalIndexSlot *slot_find(const Wal *wal, Pgno pgno)
{
    if (wal->slot_count == 0) {
        return NULL;
    }
    uint32_t pos = slot_hash(pgno) & (wal->slot_count - 1);
    while (wal->slots[pos].is_used) {
        if (wal->slots[pos].pgno == pgno) {
            return &wal->slots[pos];
        }
        pos = (pos + 1) & (wal->slot_count - 1);
    }
    return NULL;
}

int wal_index_add(Wal *wal, Pgno pgno, uint64_t commit_seq, uint64_t frame_index)
{
    WalIndexSlot *slot = slot_find(wal, pgno);
    if (slot == NULL) {
        if ((wal->slot_used + 1) * 2 > wal->slot_count && index_grow(wal) != STRATA_OK) {
            return STRATA_NOMEM;
        }
        uint32_t pos = slot_hash(pgno) & (wal->slot_count - 1);
        while (wal->slots[pos].is_used) {
            pos = (pos + 1) & (wal->slot_count - 1);
        }
        slot = &wal->slots[pos];
        slot->is_used = true;
        slot->pgno = pgno;
        wal->slot_used++;
    }
    if (slot->entry_count > 0 && slot->entries[slot->entry_count - 1].commit_seq == commit_seq) {
        /* A page written twice in one transaction: the later frame wins. */
        slot->entries[slot->entry_count - 1].frame_index = frame_index;
        return STRATA_OK;
    }
    if (slot->entry_count == slot->entry_capacity) {
        uint32_t capacity = slot->entry_capacity ? slot->entry_capacity * 2 : 2;
        WalIndexEntry *grown = mem_realloc(slot->entries, capacity * sizeof(*grown));
        if (grown == NULL) {
            return STRATA_NOMEM;
        }
        slot->entries = grown;
        slot->entry_capacity = capacity;
    }
    slot->entries[slot->entry_count++] = (WalIndexEntry){commit_seq, frame_index};
    return STRATA_OK;
}

bool wal_index_find(const Wal *wal, Pgno pgno, uint64_t snapshot, WalIndexEntry *out)
{
    const WalIndexSlot *slot = slot_find(wal, pgno);
    if (slot == NULL) {
        return false;
    }
    for (uint32_t at = slot->entry_count; at > 0; at--) {
        if (slot->entries[at - 1].commit_seq <= snapshot) {
            *out = slot->entries[at - 1];
            return true;
        }
    }
    return false;
}

void wal_index_clear(Wal *wal)
{
    for (uint32_t at = 0; at < wal->slot_count; at++) {
        mem_free(wal->slots[at].entries);
    }
    mem_free(wal->slots);
    wal->slots = NULL;
    wal->slot_count = 0;
    wal->slot_used = 0;
}

void wal_free(Wal *wal)
{
    wal_index_clear(wal);
    pthread_mutex_destroy(&wal->fill_mutex);
    pthread_cond_destroy(&wal->fill_cond);
    mem_free(wal->frame_buf);
    wal->frame_buf = NULL;
    mem_free(wal->stage_buf);
    wal->stage_buf = NULL;
}
