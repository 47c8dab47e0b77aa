/*
 * storage/vfs/vfs_posix.c - the POSIX VFS: pread/pwrite/fdatasync, flock.
 *
 * Writes loop over short pwrite results and EINTR, so a write either
 * completes or fails. ENOSPC and EDQUOT map to SQLSTATE 53100 (STRATA_FULL),
 * other failures to 58030 (STRATA_IOERR). The one-process rule is an
 * exclusive flock on the database file: flock locks belong to the open file
 * description, so a forked child that opens the file again is refused while
 * the parent holds it, and the kernel drops the lock when a process dies.
 * See src/storage/vfs/README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/vfs/vfs.h"
#include "util/mem.h"

typedef struct PosixFile {
    VfsFile base;
    int fd;
    bool is_locked;
} PosixFile;

static int posix_error(Error *err, int errno_value, const char *what, const char *path)
{
    if (errno_value == ENOSPC || errno_value == EDQUOT) {
        return error_set(err, SQLSTATE_DISK_FULL, "could not %s file \"%s\": %s", what, path,
                         strerror(errno_value));
    }
    return error_set(err, SQLSTATE_IO_ERROR, "could not %s file \"%s\": %s", what, path,
                     strerror(errno_value));
}

static int posix_open(Vfs *vfs, const char *path, int flags, VfsFile **out, Error *err)
{
    int oflags = O_RDWR | O_CLOEXEC | ((flags & VFS_OPEN_CREATE) ? O_CREAT : 0);
    int fd = open(path, oflags, 0644);
    if (fd < 0) {
        int saved = errno;
        if (saved == ENOENT) {
            return error_set(err, SQLSTATE_UNDEFINED_FILE, "could not open file \"%s\": %s", path,
                             strerror(saved));
        }
        return posix_error(err, saved, "open", path);
    }
    PosixFile *file = mem_zalloc(sizeof(*file));
    char *copy = mem_strdup(path);
    if (file == NULL || copy == NULL) {
        mem_free(file);
        mem_free(copy);
        close(fd);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    file->base.vfs = vfs;
    file->base.path = copy;
    file->fd = fd;
    *out = &file->base;
    return STRATA_OK;
}

static void posix_close(VfsFile *base)
{
    PosixFile *file = (PosixFile *)base;
    if (file->is_locked) {
        flock(file->fd, LOCK_UN);
    }
    close(file->fd);
    mem_free(file->base.path);
    mem_free(file);
}

static int posix_read(VfsFile *base, void *buf, size_t size_bytes, uint64_t offset,
                      size_t *read_bytes, Error *err)
{
    PosixFile *file = (PosixFile *)base;
    size_t done = 0;
    while (done < size_bytes) {
        ssize_t n = pread(file->fd, (char *)buf + done, size_bytes - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return posix_error(err, errno, "read", base->path);
        }
        if (n == 0) {
            break;
        }
        done += (size_t)n;
    }
    *read_bytes = done;
    return STRATA_OK;
}

static int posix_write(VfsFile *base, const void *buf, size_t size_bytes, uint64_t offset,
                       Error *err)
{
    PosixFile *file = (PosixFile *)base;
    size_t done = 0;
    while (done < size_bytes) {
        ssize_t n = pwrite(file->fd, (const char *)buf + done, size_bytes - done,
                           (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return posix_error(err, errno, "write to", base->path);
        }
        if (n == 0) {
            return posix_error(err, ENOSPC, "write to", base->path);
        }
        done += (size_t)n;
    }
    return STRATA_OK;
}

static int posix_sync(VfsFile *base, Error *err)
{
    PosixFile *file = (PosixFile *)base;
    if (fdatasync(file->fd) != 0) {
        return posix_error(err, errno, "fsync", base->path);
    }
    return STRATA_OK;
}

static int posix_truncate(VfsFile *base, uint64_t size_bytes, Error *err)
{
    PosixFile *file = (PosixFile *)base;
    if (ftruncate(file->fd, (off_t)size_bytes) != 0) {
        return posix_error(err, errno, "truncate", base->path);
    }
    return STRATA_OK;
}

static int posix_size(VfsFile *base, uint64_t *size_bytes, Error *err)
{
    PosixFile *file = (PosixFile *)base;
    struct stat st;
    if (fstat(file->fd, &st) != 0) {
        return posix_error(err, errno, "stat", base->path);
    }
    *size_bytes = (uint64_t)st.st_size;
    return STRATA_OK;
}

static int posix_lock(VfsFile *base, Error *err)
{
    PosixFile *file = (PosixFile *)base;
    if (flock(file->fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK || errno == EAGAIN) {
            error_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, "database is locked");
            error_detail(err, "The file \"%s\" is open in another process.", base->path);
            return STRATA_BUSY;
        }
        return posix_error(err, errno, "lock", base->path);
    }
    file->is_locked = true;
    return STRATA_OK;
}

static void posix_unlock(VfsFile *base)
{
    PosixFile *file = (PosixFile *)base;
    if (file->is_locked) {
        flock(file->fd, LOCK_UN);
        file->is_locked = false;
    }
}

static int posix_delete(Vfs *vfs, const char *path, Error *err)
{
    if (unlink(path) != 0 && errno != ENOENT) {
        return posix_error(err, errno, "remove", path);
    }
    return STRATA_OK;
}

static bool posix_exists(Vfs *vfs, const char *path) { return access(path, F_OK) == 0; }

static Vfs posix_vfs = {
    .name = "posix",
    .open = posix_open,
    .close = posix_close,
    .read = posix_read,
    .write = posix_write,
    .sync = posix_sync,
    .truncate = posix_truncate,
    .size = posix_size,
    .lock = posix_lock,
    .unlock = posix_unlock,
    .delete_file = posix_delete,
    .exists = posix_exists,
    .destroy = NULL,
};

Vfs *vfs_posix(void) { return &posix_vfs; }
