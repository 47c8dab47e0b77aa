/*
 * storage/vfs/vfs_memory.c - an in-memory file system with a durable image.
 *
 * Each named file holds its current bytes and a 'durable image': the bytes as
 * of its last sync. vfs_memory_crash() replaces every file's bytes by its
 * durable image, which is what a power failure does to unsynced writes (the
 * pessimistic case: none of them survive). Deleting a file is immediate and
 * durable. Locks are per file node, so two opens of one name conflict like
 * two processes would.
 *
 * Threads: one mutex per VFS guards the node list and every node's bytes.
 * See src/storage/vfs/README.md.
 */
#include <pthread.h>
#include <string.h>

#include "storage/vfs/vfs.h"
#include "util/assert.h"
#include "util/mem.h"

struct MemFile;
typedef struct MemNode {
    struct MemNode *next;
    char *name;
    uint8_t *data;
    size_t size_bytes, capacity_bytes;
    uint8_t *durable;
    size_t durable_size_bytes;
    struct MemFile *lock_owner; /* NULL = unlocked */
    int open_count;
    bool is_deleted; /* unlinked while open: freed on last close */
} MemNode;

typedef struct MemVfs {
    Vfs base;
    pthread_mutex_t mutex;
    MemNode *nodes;
    bool keeps_durable_image; /* false for ":memory:" databases: sync is free */
} MemVfs;

typedef struct MemFile {
    VfsFile base;
    MemNode *node;
} MemFile;

static void node_free(MemNode *node)
{
    mem_free(node->name);
    mem_free(node->data);
    mem_free(node->durable);
    mem_free(node);
}

static MemNode *node_find(MemVfs *mv, const char *name)
{
    for (MemNode *node = mv->nodes; node != NULL; node = node->next) {
        if (strcmp(node->name, name) == 0) {
            return node;
        }
    }
    return NULL;
}

static void node_unlink(MemVfs *mv, MemNode *target)
{
    for (MemNode **link = &mv->nodes; *link != NULL; link = &(*link)->next) {
        if (*link == target) {
            *link = target->next;
            return;
        }
    }
}

static int mem_open(Vfs *vfs, const char *path, int flags, VfsFile **out, Error *err)
{
    MemVfs *mv = (MemVfs *)vfs;
    MemFile *file = mem_zalloc(sizeof(*file));
    char *copy = mem_strdup(path);
    if (file == NULL || copy == NULL) {
        mem_free(file);
        mem_free(copy);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    pthread_mutex_lock(&mv->mutex);
    MemNode *node = node_find(mv, path);
    if (node == NULL) {
        if (!(flags & VFS_OPEN_CREATE)) {
            pthread_mutex_unlock(&mv->mutex);
            mem_free(file);
            mem_free(copy);
            return error_set(err, SQLSTATE_UNDEFINED_FILE,
                             "could not open file \"%s\": No such file or directory", path);
        }
        node = mem_zalloc(sizeof(*node));
        char *name = mem_strdup(path);
        if (node == NULL || name == NULL) {
            pthread_mutex_unlock(&mv->mutex);
            mem_free(node);
            mem_free(name);
            mem_free(file);
            mem_free(copy);
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        node->name = name;
        node->next = mv->nodes;
        mv->nodes = node;
    }
    node->open_count++;
    pthread_mutex_unlock(&mv->mutex);
    file->base.vfs = vfs;
    file->base.path = copy;
    file->node = node;
    *out = &file->base;
    return STRATA_OK;
}

static void mem_close(VfsFile *base)
{
    MemFile *file = (MemFile *)base;
    MemVfs *mv = (MemVfs *)base->vfs;
    pthread_mutex_lock(&mv->mutex);
    MemNode *node = file->node;
    if (node->lock_owner == file) {
        node->lock_owner = NULL;
    }
    node->open_count--;
    if (node->open_count == 0 && node->is_deleted) {
        node_free(node);
    }
    pthread_mutex_unlock(&mv->mutex);
    mem_free(base->path);
    mem_free(file);
}

static int mem_read(VfsFile *base, void *buf, size_t size_bytes, uint64_t offset,
                    size_t *read_bytes, Error *err)
{
    MemFile *file = (MemFile *)base;
    MemVfs *mv = (MemVfs *)base->vfs;
    pthread_mutex_lock(&mv->mutex);
    MemNode *node = file->node;
    size_t got = 0;
    if (offset < node->size_bytes) {
        got = node->size_bytes - (size_t)offset;
        if (got > size_bytes) {
            got = size_bytes;
        }
        memcpy(buf, node->data + offset, got);
    }
    pthread_mutex_unlock(&mv->mutex);
    *read_bytes = got;
    return STRATA_OK;
}

static int node_reserve(MemNode *node, size_t size_bytes)
{
    if (size_bytes <= node->capacity_bytes) {
        return STRATA_OK;
    }
    size_t capacity = node->capacity_bytes ? node->capacity_bytes : 65536;
    while (capacity < size_bytes) {
        capacity *= 2;
    }
    uint8_t *data = mem_realloc(node->data, capacity);
    if (data == NULL) {
        return STRATA_NOMEM;
    }
    node->data = data;
    node->capacity_bytes = capacity;
    return STRATA_OK;
}

static int mem_write(VfsFile *base, const void *buf, size_t size_bytes, uint64_t offset,
                     Error *err)
{
    MemFile *file = (MemFile *)base;
    MemVfs *mv = (MemVfs *)base->vfs;
    pthread_mutex_lock(&mv->mutex);
    MemNode *node = file->node;
    size_t end = (size_t)offset + size_bytes;
    if (node_reserve(node, end) != STRATA_OK) {
        pthread_mutex_unlock(&mv->mutex);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "could not write to file \"%s\": out of memory",
                         base->path);
    }
    if (offset > node->size_bytes) {
        memset(node->data + node->size_bytes, 0, (size_t)offset - node->size_bytes);
    }
    memcpy(node->data + offset, buf, size_bytes);
    if (end > node->size_bytes) {
        node->size_bytes = end;
    }
    pthread_mutex_unlock(&mv->mutex);
    return STRATA_OK;
}

static int mem_sync(VfsFile *base, Error *err)
{
    MemFile *file = (MemFile *)base;
    MemVfs *mv = (MemVfs *)base->vfs;
    if (!mv->keeps_durable_image) {
        /* Nothing outlives the process, so there is no durable state to
         * model; copying the whole file on every commit made each commit
         * cost O(database size). */
        return STRATA_OK;
    }
    pthread_mutex_lock(&mv->mutex);
    MemNode *node = file->node;
    uint8_t *copy = mem_alloc(node->size_bytes ? node->size_bytes : 1);
    if (copy == NULL) {
        pthread_mutex_unlock(&mv->mutex);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "could not fsync file \"%s\": out of memory",
                         base->path);
    }
    if (node->size_bytes > 0) {
        memcpy(copy, node->data, node->size_bytes);
    }
    mem_free(node->durable);
    node->durable = copy;
    node->durable_size_bytes = node->size_bytes;
    pthread_mutex_unlock(&mv->mutex);
    return STRATA_OK;
}

static int mem_truncate(VfsFile *base, uint64_t size_bytes, Error *err)
{
    MemFile *file = (MemFile *)base;
    MemVfs *mv = (MemVfs *)base->vfs;
    pthread_mutex_lock(&mv->mutex);
    MemNode *node = file->node;
    if (node_reserve(node, (size_t)size_bytes) != STRATA_OK) {
        pthread_mutex_unlock(&mv->mutex);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "could not truncate file \"%s\": out of memory",
                         base->path);
    }
    if (size_bytes > node->size_bytes) {
        memset(node->data + node->size_bytes, 0, (size_t)size_bytes - node->size_bytes);
    }
    node->size_bytes = (size_t)size_bytes;
    pthread_mutex_unlock(&mv->mutex);
    return STRATA_OK;
}

static int mem_size(VfsFile *base, uint64_t *size_bytes, Error *err)
{
    MemFile *file = (MemFile *)base;
    MemVfs *mv = (MemVfs *)base->vfs;
    pthread_mutex_lock(&mv->mutex);
    *size_bytes = file->node->size_bytes;
    pthread_mutex_unlock(&mv->mutex);
    return STRATA_OK;
}

static int mem_lock(VfsFile *base, Error *err)
{
    MemFile *file = (MemFile *)base;
    MemVfs *mv = (MemVfs *)base->vfs;
    pthread_mutex_lock(&mv->mutex);
    if (file->node->lock_owner != NULL && file->node->lock_owner != file) {
        pthread_mutex_unlock(&mv->mutex);
        error_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, "database is locked");
        error_detail(err, "The file \"%s\" is open elsewhere.", base->path);
        return STRATA_BUSY;
    }
    file->node->lock_owner = file;
    pthread_mutex_unlock(&mv->mutex);
    return STRATA_OK;
}

static void mem_unlock(VfsFile *base)
{
    MemFile *file = (MemFile *)base;
    MemVfs *mv = (MemVfs *)base->vfs;
    pthread_mutex_lock(&mv->mutex);
    if (file->node->lock_owner == file) {
        file->node->lock_owner = NULL;
    }
    pthread_mutex_unlock(&mv->mutex);
}

static int mem_delete(Vfs *vfs, const char *path, Error *err)
{
    MemVfs *mv = (MemVfs *)vfs;
    pthread_mutex_lock(&mv->mutex);
    MemNode *node = node_find(mv, path);
    if (node != NULL) {
        node_unlink(mv, node);
        if (node->open_count == 0) {
            node_free(node);
        } else {
            node->is_deleted = true;
        }
    }
    pthread_mutex_unlock(&mv->mutex);
    return STRATA_OK;
}

static bool mem_exists(Vfs *vfs, const char *path)
{
    MemVfs *mv = (MemVfs *)vfs;
    pthread_mutex_lock(&mv->mutex);
    bool found = node_find(mv, path) != NULL;
    pthread_mutex_unlock(&mv->mutex);
    return found;
}

static void mem_destroy(Vfs *vfs)
{
    MemVfs *mv = (MemVfs *)vfs;
    MemNode *node = mv->nodes;
    while (node != NULL) {
        MemNode *next = node->next;
        node_free(node);
        node = next;
    }
    pthread_mutex_destroy(&mv->mutex);
    mem_free(mv);
}

static Vfs *memory_create(bool keeps_durable_image)
{
    MemVfs *mv = mem_zalloc(sizeof(*mv));
    if (mv == NULL) {
        return NULL;
    }
    mv->keeps_durable_image = keeps_durable_image;
    pthread_mutex_init(&mv->mutex, NULL);
    mv->base = (Vfs){
        .name = "memory",
        .open = mem_open,
        .close = mem_close,
        .read = mem_read,
        .write = mem_write,
        .sync = mem_sync,
        .truncate = mem_truncate,
        .size = mem_size,
        .lock = mem_lock,
        .unlock = mem_unlock,
        .delete_file = mem_delete,
        .exists = mem_exists,
        .destroy = mem_destroy,
    };
    return &mv->base;
}

Vfs *vfs_memory_create(void) { return memory_create(true); }

Vfs *vfs_memory_create_volatile(void) { return memory_create(false); }

bool vfs_is_memory(const Vfs *vfs) { return vfs != NULL && vfs->open == mem_open; }

void vfs_memory_crash(Vfs *vfs)
{
    MemVfs *mv = (MemVfs *)vfs;
    ST_ASSERT(mv->keeps_durable_image);
    pthread_mutex_lock(&mv->mutex);
    for (MemNode *node = mv->nodes; node != NULL; node = node->next) {
        /* Shrinking never fails; growing back to the durable size may need
         * room, which node_reserve provides (on failure keep what we have). */
        if (node_reserve(node, node->durable_size_bytes) == STRATA_OK) {
            if (node->durable_size_bytes > 0) {
                memcpy(node->data, node->durable, node->durable_size_bytes);
            }
            node->size_bytes = node->durable_size_bytes;
        }
        node->lock_owner = NULL;
    }
    pthread_mutex_unlock(&mv->mutex);
}
