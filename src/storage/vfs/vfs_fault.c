/*
 * storage/vfs/vfs_fault.c - the fault-injecting VFS wrapper (see vfs_fault.h).
 *
 * Each call first asks fault_decide() what happens to it, under the mutex,
 * then forwards to the inner file outside it. See src/storage/vfs/README.md.
 */
#include <pthread.h>
#include <string.h>

#include "storage/vfs/vfs_fault.h"
#include "util/mem.h"

typedef struct FaultVfs {
    Vfs base;
    Vfs *inner;
    pthread_mutex_t mutex;
    FaultConfig config;
    FaultStats stats;
    uint64_t rng;
} FaultVfs;

typedef struct FaultFile {
    VfsFile base;
    VfsFile *inner;
} FaultFile;

static uint64_t fault_rand(FaultVfs *fv)
{
    uint64_t z = (fv->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static bool chance(FaultVfs *fv, double probability)
{
    if (probability <= 0.0) {
        return false;
    }
    return (double)(fault_rand(fv) >> 11) / (double)(1ULL << 53) < probability;
}

static int inject_eio(FaultVfs *fv, Error *err, const char *what, const char *path)
{
    fv->stats.injected++;
    return error_set(err, SQLSTATE_IO_ERROR, "could not %s file \"%s\": Input/output error", what,
                     path);
}

static int fault_open(Vfs *vfs, const char *path, int flags, VfsFile **out, Error *err)
{
    FaultVfs *fv = (FaultVfs *)vfs;
    FaultFile *file = mem_zalloc(sizeof(*file));
    char *copy = mem_strdup(path);
    if (file == NULL || copy == NULL) {
        mem_free(file);
        mem_free(copy);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = vfs_open(fv->inner, path, flags, &file->inner, err);
    if (rc != STRATA_OK) {
        mem_free(file);
        mem_free(copy);
        return rc;
    }
    file->base.vfs = vfs;
    file->base.path = copy;
    *out = &file->base;
    return STRATA_OK;
}

static void fault_close(VfsFile *base)
{
    FaultFile *file = (FaultFile *)base;
    vfs_close(file->inner);
    mem_free(base->path);
    mem_free(file);
}

static int fault_read(VfsFile *base, void *buf, size_t size_bytes, uint64_t offset,
                      size_t *read_bytes, Error *err)
{
    FaultFile *file = (FaultFile *)base;
    FaultVfs *fv = (FaultVfs *)base->vfs;
    pthread_mutex_lock(&fv->mutex);
    uint64_t n = ++fv->stats.reads;
    bool fail = n == fv->config.read_error_at || chance(fv, fv->config.read_error_probability);
    if (fail) {
        int rc = inject_eio(fv, err, "read", base->path);
        pthread_mutex_unlock(&fv->mutex);
        return rc;
    }
    pthread_mutex_unlock(&fv->mutex);
    return vfs_read(file->inner, buf, size_bytes, offset, read_bytes, err);
}

typedef enum { WRITE_ALL, WRITE_DROP, WRITE_EIO, WRITE_SHORT, WRITE_TORN, WRITE_FULL } WriteFate;

static WriteFate write_fate(FaultVfs *fv, size_t size_bytes, size_t *prefix_bytes)
{
    const FaultConfig *c = &fv->config;
    uint64_t n = ++fv->stats.writes;
    if (fv->stats.crashed) {
        return WRITE_DROP;
    }
    if (n == c->crash_at_write) {
        fv->stats.crashed = true;
        return WRITE_DROP;
    }
    if (n == c->torn_write_at) {
        size_t sectors = size_bytes / 512;
        *prefix_bytes = sectors > 1 ? (size_t)(fault_rand(fv) % sectors) * 512 : size_bytes / 2;
        fv->stats.crashed = true;
        fv->stats.injected++;
        return WRITE_TORN;
    }
    if (n == c->short_write_at) {
        *prefix_bytes = size_bytes / 2;
        return WRITE_SHORT;
    }
    if (n == c->write_error_at || chance(fv, c->write_error_probability)) {
        return WRITE_EIO;
    }
    if (c->disk_full_bytes != 0 && fv->stats.bytes_written + size_bytes > c->disk_full_bytes) {
        *prefix_bytes = (size_t)(c->disk_full_bytes - fv->stats.bytes_written);
        return WRITE_FULL;
    }
    fv->stats.bytes_written += size_bytes;
    return WRITE_ALL;
}

static int fault_write(VfsFile *base, const void *buf, size_t size_bytes, uint64_t offset,
                       Error *err)
{
    FaultFile *file = (FaultFile *)base;
    FaultVfs *fv = (FaultVfs *)base->vfs;
    size_t prefix_bytes = 0;
    pthread_mutex_lock(&fv->mutex);
    WriteFate fate = write_fate(fv, size_bytes, &prefix_bytes);
    if (fate == WRITE_SHORT || fate == WRITE_FULL) {
        fv->stats.injected++;
        fv->stats.bytes_written += prefix_bytes;
    }
    pthread_mutex_unlock(&fv->mutex);
    switch (fate) {
    case WRITE_ALL:
        return vfs_write(file->inner, buf, size_bytes, offset, err);
    case WRITE_DROP:
        return STRATA_OK;
    case WRITE_TORN:
        /* The prefix reaches the file; the caller believes all of it did. */
        if (prefix_bytes > 0) {
            (void)vfs_write(file->inner, buf, prefix_bytes, offset, NULL);
        }
        return STRATA_OK;
    case WRITE_SHORT:
        if (prefix_bytes > 0) {
            (void)vfs_write(file->inner, buf, prefix_bytes, offset, NULL);
        }
        return error_set(err, SQLSTATE_IO_ERROR,
                         "could not write to file \"%s\": wrote only %zu of %zu bytes", base->path,
                         prefix_bytes, size_bytes);
    case WRITE_FULL:
        if (prefix_bytes > 0) {
            (void)vfs_write(file->inner, buf, prefix_bytes, offset, NULL);
        }
        return error_set(err, SQLSTATE_DISK_FULL,
                         "could not write to file \"%s\": No space left on device", base->path);
    case WRITE_EIO:
    default:
        pthread_mutex_lock(&fv->mutex);
        int rc = inject_eio(fv, err, "write to", base->path);
        pthread_mutex_unlock(&fv->mutex);
        return rc;
    }
}

static int fault_sync(VfsFile *base, Error *err)
{
    FaultFile *file = (FaultFile *)base;
    FaultVfs *fv = (FaultVfs *)base->vfs;
    pthread_mutex_lock(&fv->mutex);
    uint64_t n = ++fv->stats.syncs;
    if (fv->stats.crashed) {
        pthread_mutex_unlock(&fv->mutex);
        return STRATA_OK;
    }
    if (n == fv->config.sync_error_at || chance(fv, fv->config.sync_error_probability)) {
        int rc = inject_eio(fv, err, "fsync", base->path);
        pthread_mutex_unlock(&fv->mutex);
        return rc;
    }
    pthread_mutex_unlock(&fv->mutex);
    return vfs_sync(file->inner, err);
}

static int fault_truncate(VfsFile *base, uint64_t size_bytes, Error *err)
{
    FaultFile *file = (FaultFile *)base;
    FaultVfs *fv = (FaultVfs *)base->vfs;
    pthread_mutex_lock(&fv->mutex);
    bool crashed = fv->stats.crashed;
    pthread_mutex_unlock(&fv->mutex);
    if (crashed) {
        return STRATA_OK;
    }
    return vfs_truncate(file->inner, size_bytes, err);
}

static int fault_size(VfsFile *base, uint64_t *size_bytes, Error *err)
{
    return vfs_size(((FaultFile *)base)->inner, size_bytes, err);
}

static int fault_lock(VfsFile *base, Error *err) { return vfs_lock(((FaultFile *)base)->inner, err); }

static void fault_unlock(VfsFile *base) { vfs_unlock(((FaultFile *)base)->inner); }

static int fault_delete(Vfs *vfs, const char *path, Error *err)
{
    FaultVfs *fv = (FaultVfs *)vfs;
    pthread_mutex_lock(&fv->mutex);
    bool crashed = fv->stats.crashed;
    pthread_mutex_unlock(&fv->mutex);
    if (crashed) {
        return STRATA_OK;
    }
    return vfs_delete(fv->inner, path, err);
}

static bool fault_exists(Vfs *vfs, const char *path)
{
    return vfs_exists(((FaultVfs *)vfs)->inner, path);
}

static void fault_destroy(Vfs *vfs)
{
    FaultVfs *fv = (FaultVfs *)vfs;
    pthread_mutex_destroy(&fv->mutex);
    mem_free(fv);
}

Vfs *vfs_fault_create(Vfs *inner, const FaultConfig *config)
{
    FaultVfs *fv = mem_zalloc(sizeof(*fv));
    if (fv == NULL) {
        return NULL;
    }
    pthread_mutex_init(&fv->mutex, NULL);
    fv->inner = inner;
    fv->base = (Vfs){
        .name = "fault",
        .open = fault_open,
        .close = fault_close,
        .read = fault_read,
        .write = fault_write,
        .sync = fault_sync,
        .truncate = fault_truncate,
        .size = fault_size,
        .lock = fault_lock,
        .unlock = fault_unlock,
        .delete_file = fault_delete,
        .exists = fault_exists,
        .destroy = fault_destroy,
    };
    vfs_fault_configure(&fv->base, config);
    return &fv->base;
}

void vfs_fault_configure(Vfs *vfs, const FaultConfig *config)
{
    FaultVfs *fv = (FaultVfs *)vfs;
    pthread_mutex_lock(&fv->mutex);
    if (config != NULL) {
        fv->config = *config;
    } else {
        memset(&fv->config, 0, sizeof(fv->config));
    }
    memset(&fv->stats, 0, sizeof(fv->stats));
    fv->rng = fv->config.seed ^ 0x5eed5eed5eedULL;
    pthread_mutex_unlock(&fv->mutex);
}

void vfs_fault_stats(Vfs *vfs, FaultStats *out)
{
    FaultVfs *fv = (FaultVfs *)vfs;
    pthread_mutex_lock(&fv->mutex);
    *out = fv->stats;
    pthread_mutex_unlock(&fv->mutex);
}
