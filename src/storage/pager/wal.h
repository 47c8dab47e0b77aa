/*
 * storage/pager/wal.h - the write-ahead log file and its in-memory index.
 *
 * The WAL "<db>-wal" is a 32-byte header followed by frames of one page each
 * (SQLite WAL-mode style). A commit appends the transaction's pages; the
 * last one is the commit frame (db_page_count != 0). Layout (little-endian):
 *
 *   header  0 u32 magic 0x5354574c ("STWL")   4 u32 format version (2; 1 is read)
 *           8 u32 page size                   12 u32 checkpoint sequence
 *          16 u32 salt1   20 u32 salt2        24 u64 checksum64(bytes 0..24, seed 0)
 *   frame   0 u32 pgno    4 u32 db_page_count (commit frame: pages after commit; else 0)
 *           8 u32 salt1  12 u32 salt2         16 u64 commit_seq (commit frame; else 0)
 *          24 u64 checksum = checksum64(page tail, checksum64(frame bytes 0..24, previous))
 *          32 .. 32+PAGE_SIZE  the page image
 * "previous" is the previous frame's checksum, or the header's for frame 0:
 * the checksums chain, so a frame is valid only if every frame before it is.
 * The page tail (its last PAGE_RESERVED_BYTES: pgno, flags, checksum64 of the
 * page) is what the chain covers; a frame also counts as valid only if that
 * page checksum matches the page's bytes. Format 1 chained over the whole page
 * instead (checksum64(page, ...)), hashing each page twice per append.
 *
 * Recycling: wal_restart starts a new generation at frame 0 with new salts,
 * so the file's space is reused (overwritten) after every full checkpoint;
 * a stale frame of an earlier generation fails the salt check and ends the
 * scan. With preallocation (wal_set_preallocation) the file is also grown
 * ahead of the append point by writing zeros (and syncing them), so that a
 * commit's fdatasync overwrites allocated blocks instead of extending the
 * file: on ext4 an extending fdatasync commits a metadata journal
 * transaction and costs about twice an overwriting one.
 *
 * Invariants
 *   1. Frames are only appended; the writer rewinds the append position only
 *      over its own uncommitted (spilled) frames when it rolls back.
 *   2. Recovery accepts frames while salts match and checksums chain, and
 *      keeps exactly the frames up to the last valid commit frame.
 *   3. The index holds committed frames only; each entry carries the commit
 *      sequence number of its transaction.
 *   4. The zero fill writes only at or past the file's frame end (filled_frames)
 *      at the time it claims a piece, and a writer never writes a frame inside
 *      the piece being filled (it waits): zeros never overwrite a frame.
 *
 * Threads: the pager serializes appends (writer lock) and guards the index
 * with its mutex. wal_read_frame may run concurrently with appends, and so may
 * wal_fill (the pager's checkpointer thread); fill state is under fill_mutex.
 * See src/storage/pager/README.md.
 */
#ifndef STRATA_STORAGE_PAGER_WAL_H
#define STRATA_STORAGE_PAGER_WAL_H

#include <pthread.h>

#include "storage/pager/pager.h"
#include "storage/vfs/vfs.h"

#define WAL_MAGIC 0x5354574cu
#define WAL_FORMAT_VERSION 2u
#define WAL_HEADER_BYTES 32
#define WAL_FRAME_HEADER_BYTES 32
#define WAL_FRAME_BYTES (WAL_FRAME_HEADER_BYTES + PAGE_SIZE)

typedef struct WalIndexEntry {
    uint64_t commit_seq;
    uint64_t frame_index; /* 0-based frame number in the current generation */
} WalIndexEntry;

typedef struct WalIndexSlot {
    Pgno pgno; /* PGNO_NONE... never used: page 0 is a valid key, see used */
    bool is_used;
    uint32_t entry_count, entry_capacity;
    WalIndexEntry *entries; /* ascending commit_seq */
} WalIndexSlot;

typedef struct Wal {
    VfsFile *file; /* borrowed from the pager */
    uint32_t salt1, salt2;
    uint32_t checkpoint_seq;
    uint64_t frame_count;    /* frames written in this generation (committed + spilled) */
    uint64_t chain_checksum; /* checksum of the last frame written (or of the header) */
    uint32_t format_version; /* of this generation's header: 1 or WAL_FORMAT_VERSION */
    uint8_t *frame_buf;      /* one frame, reused by wal_append (writer only) */
    /* staging (writer only): between wal_stage_begin and wal_stage_end, appended
     * frames [stage_first, frame_count) wait in stage_buf and are written in
     * runs of up to WAL_STAGE_FRAMES with one write each */
    uint8_t *stage_buf;
    bool is_staging;
    bool is_bulk;            /* this staging asks for no zero fills (fill_mutex; see
                              * wal_stage_begin) */
    uint64_t stage_first;
    /* preallocation (fill_mutex): frames [0, filled_frames) exist in the file */
    pthread_mutex_t fill_mutex;
    pthread_cond_t fill_cond;     /* a fill piece finished */
    uint64_t filled_frames;       /* the file's length in whole frames (as far as we know) */
    uint64_t fill_target_frames;  /* wal_fill grows the file up to here */
    uint64_t fill_busy_start, fill_busy_end; /* the piece being zero-filled (empty: none) */
    uint64_t prealloc_frames;     /* 0 = no preallocation; else the file size to keep */
    bool fill_running;            /* a wal_fill call is active */
    bool fill_sync;               /* wal_fill syncs what it wrote */
    bool fill_needs_sync;         /* zeros written since the last fill sync */
    void (*fill_wake)(void *arg); /* asks a background thread to run wal_fill; NULL = inline */
    void *fill_wake_arg;
    /* index: open addressing on pgno */
    WalIndexSlot *slots;
    uint32_t slot_count, slot_used;
} Wal;

/* Result of wal_recover. */
typedef struct WalRecovery {
    uint64_t frames_valid;     /* committed frames kept */
    uint64_t frames_discarded; /* valid-looking frames after the last commit */
    uint64_t last_commit_seq;  /* 0 = no commit in the WAL */
    bool header_was_valid;
} WalRecovery;

/* Scans the WAL file, builds the index of committed frames and positions
 * the append point after the last commit frame. An empty or invalid header
 * starts a new generation (header written; synced if sync_header). */
int wal_recover(Wal *wal, VfsFile *file, bool sync_header, WalRecovery *out, Error *err);

/* Appends one frame at frame_count (the page's tail checksum must already be
 * set). db_page_count != 0 makes it a commit frame. */
int wal_append(Wal *wal, Pgno pgno, const uint8_t *page, uint32_t db_page_count,
               uint64_t commit_seq, Error *err);

/* Frames a staging buffer holds: one write of up to this many frames (526 KiB). */
#define WAL_STAGE_FRAMES 64u

/* Staging (writer only): the frames appended until wal_stage_end are kept in
 * memory and written in runs of WAL_STAGE_FRAMES frames, one write per run,
 * instead of one write per frame (a commit or a spill writes many frames in a
 * row). frame_count and the chain advance at append as before; a staged
 * frame must not be read back (wal_read_frame) before wal_stage_end. A torn
 * run leaves a valid prefix of frames, as torn single frames did, and no
 * commit frame becomes valid without all the frames before it (the chain).
 * Nothing staged counts
 * until wal_stage_end has written it, so the caller ends staging before it
 * publishes or syncs. A staging of at least WAL_FILL_AHEAD_FRAMES expected
 * frames (a big transaction's commit or spill) is *bulk*: it asks for no
 * preallocation fills: zeros written just ahead of the append
 * point, and the fill's fdatasync, would only be overwritten by this same
 * append, and a write into pages under that sync's writeback waits for it
 * (measured: a 7,500-frame commit appended 5,000 frames/s behind the fills,
 * 18,000/s past them). The file then grows by the writes themselves, and the
 * next restart trims it back to the preallocated size. On a failed write the
 * staged frames are lost: the caller rewinds (the transaction's has_spilled)
 * and the pager enters its error state, as for a failed wal_append. */
int wal_stage_begin(Wal *wal, uint64_t frames_expected, Error *err);
int wal_stage_end(Wal *wal, Error *err);

/* Sets up the fill state (call once, before wal_recover). */
void wal_init(Wal *wal);

/* Preallocation: keep the file zero-filled ahead of the append point, up to
 * prealloc_frames frames (0 = off); sync: wal_fill syncs the zeros. wake(arg)
 * is called (no lock held) when a fill is due, and must make some thread call
 * wal_fill soon; wake == NULL means the appending writer fills inline. */
void wal_set_preallocation(Wal *wal, uint64_t prealloc_frames, bool sync,
                           void (*wake)(void *arg), void *arg);

/* Zero-fills the file from its frame end up to the fill target, in pieces,
 * then syncs it. Any thread; concurrent with appends; a second concurrent call
 * returns at once. A failed write or sync returns the error (the caller
 * enters the error state). */
int wal_fill(Wal *wal, Error *err);

/* Shrinks a file that grew past prealloc_frames back to it (writer lock held,
 * no fill running: called by the checkpoint right after a restart). */
int wal_trim(Wal *wal, Error *err);

/* Reads the page image of frame frame_index into page (PAGE_SIZE bytes). */
int wal_read_frame(Wal *wal, uint64_t frame_index, uint8_t *page, Error *err);
/* Reads count whole frames (WAL_FRAME_BYTES each: header, then page) from
 * first on into frames, with one read (the checkpoint's runs). */
int wal_read_frames(Wal *wal, uint64_t first, uint32_t count, uint8_t *frames, Error *err);

/* Starts a new generation: new salts, header rewritten at offset 0 (synced
 * if sync_header), frame_count 0, index cleared. */
int wal_restart(Wal *wal, bool sync_header, Error *err);

/* Index. Adds (commit_seq, frame_index) for pgno (commit_seq >= any before). */
int wal_index_add(Wal *wal, Pgno pgno, uint64_t commit_seq, uint64_t frame_index);
/* Newest entry of pgno with commit_seq <= snapshot; false if none. */
bool wal_index_find(const Wal *wal, Pgno pgno, uint64_t snapshot, WalIndexEntry *out);
void wal_index_clear(Wal *wal);
void wal_free(Wal *wal);

/* Little-endian helpers shared by the pager's on-disk formats. */
static inline void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}
static inline uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

#endif
