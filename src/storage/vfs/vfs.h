/*
 * storage/vfs/vfs.h - the file-system interface under the pager.
 *
 * Every byte strata reads or writes on disk goes through a Vfs, a struct of
 * function pointers, so tests can swap in an in-memory file system or a
 * fault-injecting wrapper. Callers use the static inline wrappers below
 * (vfs_read(file, ...)), never file->vfs->read directly.
 *
 * Implementations
 *   - POSIX (vfs_posix()): pread/pwrite/fdatasync; lock = flock(LOCK_EX|LOCK_NB)
 *     on the database file, so a second process (or a second open in the
 *     same process) gets STRATA_BUSY.
 *   - memory (vfs_memory_create()): named files in memory. Each file keeps
 *     a 'durable image' updated only by sync; vfs_memory_crash() throws away
 *     everything unsynced, as a power failure would.
 *   - fault (vfs_fault_create()): wraps another Vfs and injects EIO, short and
 *     torn writes, ENOSPC and crash-at-Nth-write (see vfs_fault.h).
 *
 * Invariants
 *   1. read past the end of a file returns the bytes that exist (*read_bytes
 *      tells how many); it is not an error.
 *   2. write either writes every byte or returns an error (STRATA_IOERR, or
 *      STRATA_FULL for a full disk); a partial write may have reached the file.
 *   3. Error messages name the file.
 *
 * Threads: a Vfs may be used by many threads; a VfsFile's read/write are
 * positional and may be called concurrently; the pager serializes the rest.
 * See src/storage/vfs/README.md.
 */
#ifndef STRATA_STORAGE_VFS_H
#define STRATA_STORAGE_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct Vfs Vfs;

/* The base of every open file; implementations embed it first. */
typedef struct VfsFile {
    Vfs *vfs;
    char *path; /* owned by the implementation */
} VfsFile;

enum {
    VFS_OPEN_CREATE = 0x1, /* create the file if missing */
};

struct Vfs {
    const char *name;
    /* Opens path; *out is owned, free with close. Missing file without
     * VFS_OPEN_CREATE -> STRATA_IOERR (58P01). */
    int (*open)(Vfs *vfs, const char *path, int flags, VfsFile **out, Error *err);
    /* Closes and frees the file (releases its lock). */
    void (*close)(VfsFile *file);
    int (*read)(VfsFile *file, void *buf, size_t size_bytes, uint64_t offset,
                size_t *read_bytes, Error *err);
    int (*write)(VfsFile *file, const void *buf, size_t size_bytes, uint64_t offset, Error *err);
    /* Makes every completed write durable (fdatasync). */
    int (*sync)(VfsFile *file, Error *err);
    int (*truncate)(VfsFile *file, uint64_t size_bytes, Error *err);
    int (*size)(VfsFile *file, uint64_t *size_bytes, Error *err);
    /* Exclusive, non-blocking lock for the one-process rule: taken ->
     * STRATA_BUSY "database is locked" (55P03). */
    int (*lock)(VfsFile *file, Error *err);
    void (*unlock)(VfsFile *file);
    int (*delete_file)(Vfs *vfs, const char *path, Error *err); /* missing is fine */
    bool (*exists)(Vfs *vfs, const char *path);
    /* Frees a heap-allocated Vfs (NULL for the static POSIX one). */
    void (*destroy)(Vfs *vfs);
};

static inline int vfs_open(Vfs *vfs, const char *path, int flags, VfsFile **out, Error *err)
{
    return vfs->open(vfs, path, flags, out, err);
}
static inline void vfs_close(VfsFile *file)
{
    if (file != NULL) {
        file->vfs->close(file);
    }
}
static inline int vfs_read(VfsFile *file, void *buf, size_t size_bytes, uint64_t offset,
                           size_t *read_bytes, Error *err)
{
    return file->vfs->read(file, buf, size_bytes, offset, read_bytes, err);
}
static inline int vfs_write(VfsFile *file, const void *buf, size_t size_bytes, uint64_t offset,
                            Error *err)
{
    return file->vfs->write(file, buf, size_bytes, offset, err);
}
static inline int vfs_sync(VfsFile *file, Error *err) { return file->vfs->sync(file, err); }
static inline int vfs_truncate(VfsFile *file, uint64_t size_bytes, Error *err)
{
    return file->vfs->truncate(file, size_bytes, err);
}
static inline int vfs_size(VfsFile *file, uint64_t *size_bytes, Error *err)
{
    return file->vfs->size(file, size_bytes, err);
}
static inline int vfs_lock(VfsFile *file, Error *err) { return file->vfs->lock(file, err); }
static inline void vfs_unlock(VfsFile *file) { file->vfs->unlock(file); }
static inline int vfs_delete(Vfs *vfs, const char *path, Error *err)
{
    return vfs->delete_file(vfs, path, err);
}
static inline bool vfs_exists(Vfs *vfs, const char *path) { return vfs->exists(vfs, path); }
static inline void vfs_destroy(Vfs *vfs)
{
    if (vfs != NULL && vfs->destroy != NULL) {
        vfs->destroy(vfs);
    }
}
static inline const char *vfs_file_path(const VfsFile *file) { return file->path; }

/* Reads exactly size_bytes at offset; fewer bytes available -> *complete =
 * false (not an error; the caller decides whether that is corruption). */
int vfs_read_full(VfsFile *file, void *buf, size_t size_bytes, uint64_t offset, bool *complete,
                  Error *err);

/* The process-wide POSIX VFS (static; never destroyed). */
Vfs *vfs_posix(void);

/* A new, empty in-memory file system; owned, free with vfs_destroy(). */
Vfs *vfs_memory_create(void);

/* Like vfs_memory_create, but without the durable image: sync does nothing
 * and vfs_memory_crash must not be used. For ":memory:" databases, whose
 * commits would otherwise copy the whole file on every sync. */
Vfs *vfs_memory_create_volatile(void);

/* Power failure: every file of the memory VFS reverts to its durable image
 * (the bytes as of its last sync) and every lock is released. Files still
 * open keep working on the reverted contents. */
void vfs_memory_crash(Vfs *memory_vfs);

/* True if vfs was made by vfs_memory_create. */
bool vfs_is_memory(const Vfs *vfs);

#endif
