/*
 * storage/vfs/vfs.c - helpers shared by every VFS implementation.
 * See vfs.h and src/storage/vfs/README.md.
 */
#include "storage/vfs/vfs.h"

int vfs_read_full(VfsFile *file, void *buf, size_t size_bytes, uint64_t offset, bool *complete,
                  Error *err)
{
    size_t got = 0;
    int rc = vfs_read(file, buf, size_bytes, offset, &got, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *complete = got == size_bytes;
    return STRATA_OK;
}
