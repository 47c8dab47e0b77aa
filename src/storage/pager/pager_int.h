/*
 * storage/pager/pager_int.h - private structures shared by the pager's .c
 * files. Never included from outside src/storage/pager/.
 *
 * Lock order: checkpoint_lock -> writer lock (writer_active flag) ->
 * appends (the append barrier: is_appending / appends_held) -> wal_rwlock ->
 * mutex -> wal.fill_mutex.
 * The mutex is never held across I/O except the short WAL header write of
 * a restart (which holds wal_rwlock exclusively anyway).
 * See src/storage/pager/README.md.
 */
#ifndef STRATA_STORAGE_PAGER_INT_H
#define STRATA_STORAGE_PAGER_INT_H

#include <pthread.h>

#include "storage/pager/pager.h"
#include "storage/pager/wal.h"
#include "storage/vfs/vfs.h"

/* Header page (page 0) layout, in its usable area; little-endian. */
#define HDR_MAGIC "STRATADB"
/* Version 2 added the counter slots (pager_counter_set); a version 1 file has
 * zeros there (no slot) and is upgraded to 2 by its first counter slot. */
#define HDR_FORMAT_VERSION 2u
enum {
    HDR_OFF_MAGIC = 0,
    HDR_OFF_VERSION = 8,
    HDR_OFF_PAGE_SIZE = 12,
    HDR_OFF_PAGE_COUNT = 16,
    HDR_OFF_FREELIST_HEAD = 20,
    HDR_OFF_FREELIST_COUNT = 24,
    HDR_OFF_COMMIT_SEQ = 32,
    HDR_OFF_META = 40, /* PAGER_META_SLOTS u64 */
    HDR_OFF_COUNTER_COUNT = 256, /* u32: counter slots in use (packed from the first) */
    HDR_OFF_COUNTERS = 264,      /* PAGER_COUNTER_SLOTS x {u32 key, u32 0, u64 values[2]} */
};
#define HDR_COUNTER_BYTES 24
_Static_assert(HDR_OFF_META + 8 * PAGER_META_SLOTS <= HDR_OFF_COUNTER_COUNT,
               "meta slots overlap the counter slots");
_Static_assert(HDR_OFF_COUNTERS + PAGER_COUNTER_SLOTS * HDR_COUNTER_BYTES <= PAGE_USABLE_SIZE,
               "counter slots must fit in the header page");
/* Page tail: pgno u32, flags u32, checksum64 of bytes [0, PAGE_SIZE-8). */
#define TAIL_OFF_PGNO (PAGE_USABLE_SIZE)
#define TAIL_OFF_FLAGS (PAGE_USABLE_SIZE + 4)
#define TAIL_OFF_CHECKSUM (PAGE_SIZE - 8)
#define PAGE_CHECKSUM_SEED 0x5354524154414442ULL

/* Freelist trunk page: next trunk u32, entry count u32, entries u32[]. */
#define TRUNK_CAPACITY ((PAGE_USABLE_SIZE - 8) / 4)

/* A shared, immutable page image in the buffer pool, keyed by (pgno, version);
 * version = commit_seq of the WAL frame it came from, 0 = the database file. */
typedef struct CacheEntry {
    Pgno pgno;
    uint64_t version;
    uint32_t refcount;        /* pins; guarded by the pager mutex */
    bool is_hashed;           /* false once invalidated (freed at refcount 0) */
    bool is_validated;        /* passed its owner's structural check (atomic access) */
    struct CacheEntry *hash_next;
    struct CacheEntry *lru_prev, *lru_next; /* only while refcount == 0 */
    uint8_t *data;
} CacheEntry;

/* A page as one transaction sees it (the Page handed to callers). */
struct Page {
    PagerTxn *txn;
    Pgno pgno;
    uint32_t pin_count;
    CacheEntry *clean;    /* pinned shared image, when buf == NULL */
    uint8_t *buf;         /* private image of a write txn */
    bool buf_is_validated; /* owner's memo for buf (page_mark_validated); cleared
                            * whenever the pager itself refills or rewrites buf */
    bool in_write_set;    /* written at commit */
    bool buf_matches_spill; /* buf equals the spilled frame: no need to re-spill */
    uint64_t spill_frame; /* 1 + frame index of the current image in the WAL, 0 = none */
    uint64_t last_spill_frame; /* 1 + frame index of the newest frame spilled for this
                                * pgno in this txn (recovery would pick that one) */
    uint64_t sp_serial;   /* savepoint whose pre-image holds this page */
    Page *hash_next;
};

typedef enum { PRE_ABSENT, PRE_BUF, PRE_SPILL } PreImageKind;

typedef struct PreImage {
    Pgno pgno;
    PreImageKind kind;
    uint64_t spill_frame;
    uint8_t *bytes; /* PRE_BUF */
} PreImage;

typedef struct Savepoint {
    uint32_t id;
    uint64_t serial;
    size_t pending_free_count;
    PreImage *images;
    size_t image_count, image_capacity;
} Savepoint;

struct PagerTxn {
    Pager *pager;
    bool is_write;       /* holds the writer lock */
    bool is_speculative; /* writes private pages without the lock (pager_promote_wait) */
    uint64_t snapshot;
    Pgno snapshot_page_count;
    PagerTxn *prev, *next; /* active list, under the pager mutex */
    Page **pages;          /* hash of handles by pgno */
    uint32_t page_slots, page_count_in_map;
    uint32_t buffered_count; /* handles holding a private buf */
    Page *spare_pages;     /* forgotten handles kept for reuse (linked by hash_next) */
    uint32_t spare_count;
    Page *hdr;             /* page 0, pinned for the whole txn */
    Pgno *pending_free;
    size_t pending_free_count, pending_free_capacity;
    Savepoint *savepoints;
    size_t savepoint_count, savepoint_capacity;
    uint32_t next_savepoint_id;
    uint64_t wal_frames_at_begin, wal_chain_at_begin; /* rewind point for spills: the
                                                      * append point before the txn's
                                                      * first frame (set then) */
    uint64_t base_seq, base_lsn; /* a writer's base: the newest appended commit it reads */
    bool has_spilled;
    int synchronous;       /* this txn's commit durability: 0 off, 1 normal, 2 full */
};

struct Pager {
    char *path, *wal_path;
    Vfs *vfs, *owned_vfs;
    VfsFile *db, *wal_file;
    PagerOptions opts;

    pthread_mutex_t mutex;
    pthread_cond_t writer_cond; /* writer lock released */
    pthread_cond_t sync_cond;   /* durable_lsn advanced or error */
    pthread_rwlock_t wal_rwlock; /* shared: a WAL index lookup + frame read; exclusive: restart */

    bool writer_active;
    /* Group commit with speculative writers (pager_promote_wait): a commit
     * about to fsync waits briefly while one of them is waiting for the lock
     * or holds it after promotion, so that its frames share the fsync. */
    uint32_t promote_waiters;
    bool writer_promoted;       /* the lock's holder was speculative */
    /* The append barrier (under mutex): a writer appends frames (commit or
     * spill) only between pager_appends_enter and _leave, and not while the
     * checkpointer thread holds appends (to restart the WAL with a writer
     * inside its transaction, not appending). */
    bool is_appending;
    bool appends_held;
    pthread_cond_t appends_cond; /* is_appending or appends_held cleared */
    bool error_state;           /* stored atomically under mutex; read under it, or
                                 * atomically without it (pager_in_error_state) */
    bool sync_in_progress;
    Wal wal;                    /* frame_count/chain: writer only; index: mutex */
    uint64_t appended_seq;      /* last commit written to the WAL (writers read this) */
    uint64_t durable_seq;       /* last commit durable: new readers' snapshot */
    uint64_t appended_lsn;      /* frames ever appended up to the last commit */
    uint64_t durable_lsn;       /* frames ever made durable (synced, or not needing it) */
    uint64_t async_seq;         /* last commit published without a WAL sync (0 = none) */
    uint64_t generation_base_lsn; /* lsn of frame 0 of the current WAL generation */
    uint64_t backfilled_seq;    /* commits copied into the database file */
    PagerTxn *txns;             /* active transactions */
    PagerTxn *spare_txn;        /* an ended txn kept for the next begin (its handle
                                 * table and spare handles), or NULL */

    /* buffer pool */
    CacheEntry **cache_buckets;
    uint32_t cache_bucket_count;
    size_t cache_entry_count;
    CacheEntry *lru_head, *lru_tail; /* head = most recently unpinned */

    /* checkpoints: one at a time (checkpoint_lock); the checkpointer thread
     * sleeps on checkpointer_cond (under mutex) until a commit asks */
    pthread_mutex_t checkpoint_lock;
    pthread_cond_t checkpointer_cond;
    pthread_t checkpointer;
    bool has_checkpointer;
    bool checkpointer_stop;
    bool checkpoint_requested;
    bool fill_requested;
    uint64_t checkpoint_next_lsn; /* no new request before this lsn (a checkpoint
                                   * that could not restart is not retried per commit) */

    PagerStats stats;
    void (*sync_hook)(void *arg); /* test hook: runs before each group-commit WAL sync */
    void *sync_hook_arg;
    void (*checkpoint_hook)(void *arg); /* test hook: the checkpointer thread runs it
                                         * after its first pass */
    void *checkpoint_hook_arg;
};

/* pager.c */
void pager_page_finalize(uint8_t *page, Pgno pgno);
int pager_page_verify(const uint8_t *page, Pgno pgno, const char *file, const char *where,
                      Error *err);
void pager_enter_error_state(Pager *pager);
int pager_acquire_writer(Pager *pager, Error *err);      /* mutex held */
int pager_acquire_writer_ms(Pager *pager, long wait_ms, Error *err); /* mutex held */
void pager_release_writer_locked(Pager *pager);          /* mutex held */
/* The append barrier: a writer brackets every append of frames (a commit's, up
 * to its publish, or a spill) with these; enter waits while the checkpointer
 * holds appends. Mutex not held. */
void pager_appends_enter(Pager *pager);
void pager_appends_leave(Pager *pager);
void pager_appends_leave_locked(Pager *pager);           /* mutex held */
/* The writer's first frame: remember where to rewind to (between enter and leave). */
void txn_note_first_append(PagerTxn *txn);
int pager_error_state_error(Pager *pager, Error *err);
int pager_header_validate(const uint8_t *page, const char *file, const char *where, Error *err);
int pager_read_version(Pager *pager, Pgno pgno, uint64_t snapshot, uint8_t *out, Error *err);

/* pager_cache.c (all under the pager mutex) */
int cache_init(Pager *pager);
/* Rebinds the pool to cache_pages (rehashing), evicting down to it. */
int cache_resize(Pager *pager, size_t cache_pages);
void cache_free(Pager *pager);
CacheEntry *cache_lookup(Pager *pager, Pgno pgno, uint64_t version);
void cache_insert(Pager *pager, CacheEntry *entry);
void cache_unpin(Pager *pager, CacheEntry *entry);
void cache_invalidate(Pager *pager, Pgno pgno, uint64_t version);
/* The image of (pgno, version), if cached, becomes (pgno, 0), the database
 * file's (whose copy of the page it is now), replacing any (pgno, 0). */
void cache_rekey_as_file(Pager *pager, Pgno pgno, uint64_t version);
CacheEntry *cache_entry_new(Pgno pgno, uint64_t version);
/* An entry (version 0, unhashed) that takes over data, a PAGE_SIZE block from
 * mem_alloc (a committing transaction's own image); NULL if out of memory,
 * data then still the caller's. */
CacheEntry *cache_entry_adopt(Pgno pgno, uint8_t *data);
void cache_entry_free(CacheEntry *entry);

/* pager_page.c: a transaction's page handles */
int txn_get_handle(PagerTxn *txn, Pgno pgno, Page **out, Error *err);
/* Unpins and frees what the txn's handles hold; keeps its handle table (at its
 * first size, emptied) and a few spare handles for reuse (pager.c, txn_new). */
void txn_release_all(PagerTxn *txn);
/* Frees a txn struct with its table and spare handles (after txn_release_all). */
void txn_free(PagerTxn *txn);
int txn_push_pending_frees(PagerTxn *txn, Error *err);
int txn_header_writable(PagerTxn *txn, uint8_t **hdr, Error *err);
int txn_load_spill(PagerTxn *txn, uint64_t spill_frame, uint8_t *dst, Error *err);
void txn_drop_savepoints(PagerTxn *txn);
Pgno txn_page_count(PagerTxn *txn);
int txn_read_uncached(PagerTxn *txn, Pgno pgno, uint8_t *out, Error *err);
int txn_free_list_collect(PagerTxn *txn, Pgno **out, size_t *count, Error *err);

int pager_wait_durable(Pager *pager, uint64_t end_lsn, Error *err);

/* pager_checkpoint.c */
int pager_checkpoint_internal(Pager *pager, bool wait_for_writer, Error *err);
/* The checkpointer thread's checkpoint: copy without the writer lock until
 * the file has caught up, then restart holding it (or, if writers keep the
 * file from catching up, finish there: last frames, fsync, restart). */
int pager_checkpoint_background(Pager *pager, Error *err);

#endif
