/*
 * storage/pager/pager.h - the durable page layer: buffer pool, WAL-backed page
 * transactions on snapshots, checkpoints and recovery.
 *
 * A database is one file of PAGE_SIZE pages plus a write-ahead log "<db>-wal"
 * (SQLite WAL-mode style page frames). Page 0 is the file header; pages
 * 1..page_count-1 belong to the caller (B+trees etc.) or the freelist.
 *
 * Invariants
 *   1. One writer at a time (pager_begin(write=true) / pager_upgrade), any
 *      number of readers; every transaction reads one committed snapshot.
 *   2. A commit is visible to new transactions only after it is durable
 *      (per `synchronous`), so nobody reads data that a crash could lose;
 *      the exception is an asynchronous commit (pager_txn_set_synchronous
 *      0), which is visible at once, as in PostgreSQL.
 *   3. Every page on disk carries a checksum and its own page number in its
 *      reserved tail; both are verified on every read from disk.
 *   4. After a failed write or fsync the pager is in the error state: every
 *      later write transaction and commit fails with STRATA_IOERR until the
 *      database is closed and reopened (which runs recovery).
 *
 * Threads: a Pager is shared by all threads of the process (internally
 * locked). A PagerTxn, and the Pages pinned through it, are used by one thread.
 *
 * Ownership: Page pointers are borrowed until pager_unpin(); page_data() and the
 * *data of pager_write() are valid while the page is pinned. Every page must be
 * unpinned before the transaction commits or rolls back (the txn frees any it
 * still holds, but do not rely on that).
 *
 * See src/storage/pager/README.md and docs/storage.md.
 */
#ifndef STRATA_STORAGE_PAGER_H
#define STRATA_STORAGE_PAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define PAGE_SIZE 8192 /* file-format constant, power of two */
/* Tail of every page owned by the pager: checksum64 (8 bytes), pgno (4), flags (4). */
#define PAGE_RESERVED_BYTES 16
/* Bytes [0, PAGE_USABLE_SIZE) belong to the caller. */
#define PAGE_USABLE_SIZE (PAGE_SIZE - PAGE_RESERVED_BYTES)

_Static_assert((PAGE_SIZE & (PAGE_SIZE - 1)) == 0, "PAGE_SIZE must be a power of two");

typedef uint32_t Pgno;               /* page 0 is the file header, never handed out */
#define PGNO_NONE ((Pgno)0)

typedef struct Pager Pager;          /* one per open database file */
typedef struct PagerTxn PagerTxn;    /* a read or write transaction on a snapshot */
typedef struct Page Page;            /* a pinned page */

struct Vfs;

typedef struct PagerOptions {
    size_t cache_pages;               /* buffer pool bound (0 = default: 32 MiB worth) */
    int synchronous;                  /* 0 off, 1 normal, 2 full (default 2) */
    int busy_timeout_ms;              /* wait for the writer lock */
    size_t wal_autocheckpoint_pages;  /* 0 = default (4096 frames) */
    struct Vfs *vfs;                  /* NULL = POSIX ("" or ":memory:" = memory VFS) */
    /* Keep the WAL file zero-filled ahead of the append point, up to 2 x
     * wal_autocheckpoint_pages frames (synced), so commits overwrite allocated
     * blocks instead of extending the file. Default off (the database API
     * turns it on). */
    bool wal_preallocate;
    /* With wal_preallocate: keep the file (emptied: a new generation) on close
     * for the next open to reuse, instead of deleting it as a closed database
     * otherwise does. Default off: a closed database is its file alone (the
     * server holds its database open for its whole life instead). */
    bool wal_keep_on_close;
    /* Run the automatic checkpoints (and the WAL zero fill) in a checkpointer
     * thread owned by the pager instead of in the committing thread. It copies
     * pages without the writer lock and takes the lock only for the last
     * frames, the fsync of the file and the WAL restart. Default off (the
     * database API turns it on for files). */
    bool checkpoint_in_background;
} PagerOptions;

/* Fills opts with the defaults (cache 32 MiB, synchronous full, busy 5000 ms). */
void pager_options_default(PagerOptions *opts);

/* Opens (creating if missing) the database at path and runs recovery from its
 * WAL. ":memory:" uses a private in-memory VFS. A file open in another process
 * -> STRATA_BUSY "database is locked" (SQLSTATE 55P03). Wrong magic, a newer
 * format version or a bad header checksum -> STRATA_CORRUPT / STRATA_ERROR
 * naming the file. *out is owned: free with pager_close(). opts may be NULL. */
int pager_open(const char *path, const PagerOptions *opts, Pager **out, Error *err);

/* Checkpoints (if possible) and closes. All transactions must be finished.
 * Frees the pager even when an error is returned. NULL is fine. */
int pager_close(Pager *pager, Error *err);

/* Changes the buffer pool's bound to cache_pages (at least 8) for the whole
 * pager: every transaction shares the pool, and a write transaction spills its
 * private pages to the WAL past the same bound. Shrinking evicts unpinned images
 * at once. Any thread. Out of memory for the new hash table -> STRATA_NOMEM
 * (SQLSTATE 53200), the old bound stays. */
int pager_set_cache_pages(Pager *pager, size_t cache_pages, Error *err);
/* The current bound, in pages. */
size_t pager_cache_pages(Pager *pager);
/* Begins a transaction on the latest committed (durable) snapshot.
 * write=true takes the single writer lock, waiting up to busy_timeout_ms, then
 * STRATA_BUSY (55P03). In the error state write=true fails with STRATA_IOERR.
 * *out is owned until pager_commit()/pager_rollback(). */
int pager_begin(Pager *pager, bool write, PagerTxn **out, Error *err);

/* pager_begin, waiting up to wait_ms (not busy_timeout_ms) for the writer
 * lock. The wait sleeps on the lock's condition variable, so a waiter takes
 * the lock as soon as its holder ends, rather than on its next poll. */
int pager_begin_wait(Pager *pager, bool write, long wait_ms, PagerTxn **out, Error *err);

/* Read -> write. If another transaction committed after this snapshot:
 * SQLSTATE 40001 "could not serialize access due to concurrent update"
 * (the txn stays a valid read transaction). */
int pager_upgrade(PagerTxn *txn, Error *err);

/* pager_upgrade, waiting up to wait_ms for the writer lock (as
 * pager_begin_wait); 40001 if a commit happened meanwhile. */
int pager_upgrade_wait(PagerTxn *txn, long wait_ms, Error *err);

/* Begins a write transaction: with the writer lock if it is free (as
 * pager_begin(write)), otherwise, without waiting, a speculative one
 * (*speculative = true): it reads the newest appended commit and writes private
 * pages like a writer, but holds no lock and cannot spill, so several run at
 * once beside the lock's holder. It commits only through pager_promote_wait.
 * A speculative txn whose private pages outgrow the pool takes the lock in
 * place if nothing committed since its snapshot, else fails with 40001. */
int pager_begin_write_or_speculate(Pager *pager, PagerTxn **out, bool *speculative, Error *err);

/* Read -> speculative, keeping its snapshot (a transaction block that read
 * before its first write, and found the lock busy then). */
void pager_speculate(PagerTxn *txn);

/* Speculative (or read) -> write: waits up to wait_ms for the writer lock
 * (STRATA_BUSY after that, unchanged). If nothing committed since its snapshot the
 * txn keeps its pages (*restarted = false); otherwise, if may_restart, they are
 * discarded and the txn starts over as an empty write txn on the newest commit
 * (*restarted = true; savepoints gone; no page of it may be pinned), for its
 * caller to redo its work; if not, 40001 (the txn stays speculative, for its
 * caller to roll back). */
int pager_promote_wait(PagerTxn *txn, long wait_ms, bool may_restart, bool *restarted,
                       Error *err);

/* Counts a restarted txn whose redo could not reproduce what it did first. */
void pager_count_conflict(Pager *pager);

/* Whether txn is speculative (see pager_begin_write_or_speculate). */
bool pager_txn_is_speculative(const PagerTxn *txn);

/* Commits; durable per `synchronous` when it returns STRATA_OK. Frees txn in
 * all cases (on error nothing of the txn is visible). A read txn just ends. */
int pager_commit(PagerTxn *txn, Error *err);

/* Discards the txn's changes and frees it. NULL is fine. */
void pager_rollback(PagerTxn *txn);

/* Whether txn may write pages: a write txn or a speculative one. */
bool pager_txn_is_write(const PagerTxn *txn);

/* Sets this transaction's commit durability (PostgreSQL's synchronous_commit):
 * 2 = the commit returns once its WAL frames are synced (group commit: one
 * fsync covers every commit appended before it); 0 or 1 = asynchronous: the
 * commit is visible at once and returns without waiting for a sync; its frames
 * are synced by the next synchronous commit or checkpoint, so a crash may lose
 * it (never half of it: recovery keeps whole commits only). Capped at the
 * pager's own `synchronous` (a database opened with synchronous off never
 * syncs). Default: the pager's level. Any time before pager_commit(). */
void pager_txn_set_synchronous(PagerTxn *txn, int synchronous);

/* The level in effect for txn (after the cap above). */
int pager_txn_synchronous(const PagerTxn *txn);

/* Test hook: hook(arg) runs in the committing thread that performs a group
 * commit WAL sync, just before the fsync and without the pager lock, so a test
 * can hold the syncer while other committers queue up. NULL clears it. */
void pager_test_set_sync_hook(Pager *pager, void (*hook)(void *arg), void *arg);

/* Test hook: hook(arg) runs in the checkpointer thread after the first pass
 * of each of its checkpoints, holding no lock but the checkpoint lock (it may
 * commit, as a session committing during the copy would). NULL clears it. */
void pager_test_set_checkpoint_hook(Pager *pager, void (*hook)(void *arg), void *arg);

/* Commit sequence number of the snapshot the txn reads (0 = empty database
 * never committed through this WAL generation; numbers grow monotonically
 * across checkpoints and reopen). */
uint64_t pager_txn_snapshot(const PagerTxn *txn);

/* The pager the txn belongs to (borrowed), e.g. to begin read txns on other
 * threads for a parallel scan of the same snapshot (compare pager_txn_snapshot). */
Pager *pager_txn_pager(const PagerTxn *txn);

/* Savepoints (write txns): pager_rollback_to undoes page changes, allocations,
 * frees and meta changes made after the savepoint; the savepoint stays.
 * Releasing a savepoint also releases later ones. */
int pager_savepoint(PagerTxn *txn, uint32_t *savepoint_id, Error *err);
int pager_rollback_to(PagerTxn *txn, uint32_t savepoint_id, Error *err);
void pager_release_savepoint(PagerTxn *txn, uint32_t savepoint_id);

/* Pins page pgno as of the txn's snapshot (or the txn's own writes), read-only.
 * Verifies the checksum on a read from disk -> STRATA_CORRUPT naming file and
 * page. pgno 0 or >= page count -> STRATA_CORRUPT (a reference to a missing page
 * is corruption in the caller's structure). */
int pager_get(PagerTxn *txn, Pgno pgno, Page **out, Error *err);

/* The page's PAGE_SIZE bytes (only [0, PAGE_USABLE_SIZE) are the caller's).
 * Borrowed while pinned. */
const uint8_t *page_data(const Page *page);
Pgno page_pgno(const Page *page);

/* A memo for the structure that owns the page (e.g. the B+tree), so it checks
 * a page image's layout once rather than on every pin: page_mark_validated()
 * records that the bytes passed the owner's check, page_is_validated() asks.
 * On a shared buffer-pool image (immutable, keyed by page and commit) the memo
 * lives as long as the image; a write txn's private image starts without it
 * (the first pager_write() of the page in the txn) and loses it whenever the
 * pager itself refills the bytes (alloc, savepoint rollback, reload of a
 * spilled page, freelist use), so once set it stays true only while every
 * change came through the owner's own (trusted) code. Shared images: any
 * thread; private: the txn's. */
bool page_is_validated(const Page *page);
void page_mark_validated(Page *page);

/* Makes a pinned page writable in this write txn (copy-on-write into the txn);
 * *data valid while pinned. After this, page_data(page) shows the new bytes. */
int pager_write(PagerTxn *txn, Page *page, uint8_t **data, Error *err);

/* New zeroed, writable, pinned page (from the freelist or the end of file).
 * Use page_data()/pager_write() to get its bytes. */
int pager_alloc(PagerTxn *txn, Page **out, Error *err);

/* Returns pgno to the freelist at commit (it is reusable by later
 * transactions; not within this one). The page must not be pinned. */
int pager_free(PagerTxn *txn, Pgno pgno, Error *err);

/* Unpins (NULL is fine). */
void pager_unpin(Page *page);

#define PAGER_META_SLOTS 16
/* Transactional 64-bit slots in the header page (catalog root etc.).
 * get: STRATA_OK, or STRATA_MISUSE for a bad slot. set needs a write txn. */
int pager_get_meta(PagerTxn *txn, int slot, uint64_t *value);
int pager_set_meta(PagerTxn *txn, int slot, uint64_t value, Error *err);

/* Counter slots: up to PAGER_COUNTER_SLOTS pairs of u64 values kept in the
 * header page, each under a non-zero key (its owner's root page number). They
 * are transactional like the meta slots (savepoints, rollback, snapshots,
 * recovery), and setting one costs no page write of its own: the commit
 * appends the header page, once, with whatever else changed. The row store
 * keeps a table's exact row count here instead of in an entry of the table's
 * B+tree, which was a second leaf rewritten by every INSERT and DELETE.
 * get: true and values filled if key has a slot in the txn's view.
 * set: *stored false (and nothing changed) when key has no slot and none is
 * free; the caller then keeps the values elsewhere. The first slot set in a
 * format 1 file upgrades its header to format 2 (older strata refuse it).
 * drop: frees key's slot if it has one (the owner is gone, or a new structure
 * got its root page). set and drop need a write txn. */
#define PAGER_COUNTER_SLOTS 329
bool pager_counter_get(PagerTxn *txn, Pgno key, uint64_t values[2]);
int pager_counter_set(PagerTxn *txn, Pgno key, const uint64_t values[2], bool *stored,
                      Error *err);
int pager_counter_drop(PagerTxn *txn, Pgno key, Error *err);

/* Pages in the database as the txn sees it (including page 0). */
Pgno pager_page_count(PagerTxn *txn);

/* Copies committed WAL frames into the database file, and restarts the WAL
 * when no reader needs it. Safe to call any time (waits for the writer lock). */
int pager_checkpoint(Pager *pager, Error *err);

/* Gives free pages at the end of the file back (truncate), as far as possible.
 * Runs as a write transaction followed by a checkpoint. */
int pager_vacuum(Pager *pager, Error *err);

/* Integrity check: header, every page's checksum and page number, freelist
 * (no loops, no duplicates, in range). Returns the first problem
 * (STRATA_CORRUPT naming file and page) or STRATA_OK. */
int pager_check(Pager *pager, Error *err);

/* Statistics and test hooks. */
typedef struct PagerStats {
    uint64_t cache_hits, cache_misses;
    uint64_t wal_frames;          /* frames in the current WAL generation */
    uint64_t checkpoints, wal_restarts;
    uint64_t background_checkpoints; /* runs of the checkpointer thread */
    uint64_t spilled_pages;       /* dirty pages written to the WAL before commit */
    uint64_t wal_syncs;           /* fsyncs of the WAL */
    uint64_t commits;
    uint64_t stale_checkpoint_requests; /* dropped: the WAL had restarted since */
    uint64_t locked_copies;       /* checkpoint passes that copied pages (and fsynced the
                                   * database file) while holding the writer lock */
    uint64_t held_copies;         /* background passes that copied pages (and fsynced the
                                   * file) holding appends: writers ran their statements,
                                   * a commit waited before its append */
    uint64_t restarts_beside_writer; /* WAL restarts while a writer was inside its
                                      * transaction (holding appends, not the lock) */
    uint64_t stale_wal_discards;  /* recoveries that found a WAL older than the file's
                                   * checkpoint (a restart's header not on disk) */
    uint64_t speculative_begins;  /* write txns begun speculatively (lock busy) */
    uint64_t speculative_kept;    /* promoted with their pages (nothing committed since) */
    uint64_t speculative_restarts; /* speculative or read txns that took the lock by
                                   * starting over on the newest commit */
    uint64_t speculative_conflicts; /* restarts whose redo saw other results (40001;
                                     * counted by the caller: pager_count_conflict) */
} PagerStats;
void pager_stats(Pager *pager, PagerStats *out);

/* The file name given to pager_open (borrowed). */
const char *pager_path(const Pager *pager);

/* True once a write or fsync failed (the error state, see invariant 4). */
bool pager_in_error_state(Pager *pager);

#endif
