/*
 * util/arena.c - bump-pointer arenas in a tree (see arena.h).
 *
 * Each arena holds a list of blocks; a block is one malloc. Small requests
 * bump within the current block; a request larger than a quarter of the
 * standard block gets a block of its own, so big allocations do not waste the
 * tail of the current block. Budgets are charged per block, up the tree.
 *
 * Freed blocks of up to BLOCK_CACHE_CLASS_MAX bytes go to a small process-wide
 * cache, one free list per power-of-two size class, instead of back to malloc:
 * every statement creates and resets the same arenas (executor state, batches
 * of up to 2048 rows), and glibc's malloc/free of blocks past its per-thread
 * cache cost about 700 instructions a pair, a tenth of a point select. A block
 * is malloc'd at its class size; the budget is charged for the bytes asked
 * for, as before, so work_mem limits do not move. The cache holds at most
 * BLOCK_CACHE_BYTES_MAX bytes under a mutex (threads share it; an arena itself
 * is still one thread's at a time). ASan builds skip the cache, so a use after
 * reset still hits freed memory there.
 *
 * The cache holds 64 MiB: an analytic statement fills tens of megabytes of
 * blocks (hash tables, count(DISTINCT) sets, groups), and handed back to glibc
 * at the reset they were returned to the kernel (heap trim, munmap), so the
 * next statement page-faulted the same amount in again: a warm star q02 took
 * 185 ms of CPU with the 8 MiB cache and 32 ms with this one, q09 96 and 35 ms
 * (bench/README.md, run colq). The classes reach 32 MiB, past the largest
 * growth block (1 MiB): a join's build side over a million-row dimension takes
 * blocks of its own of 1-8 MiB (row pointers, keys, chains, a direct array),
 * and with classes only up to 1 MiB every warm star q07 faulted 7,500 pages
 * (30 MB) in again, about 110 of its 270 ms of CPU (branch colrow). Memory
 * beyond the cache, and blocks past 32 MiB, go back to malloc.
 */
#include "util/arena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

enum { BLOCK_SIZE_DEFAULT = 8192, BLOCK_SIZE_MAX_GROWTH = 1 << 20, ALIGN = 16 };

typedef struct Block {
    struct Block *next;
    size_t size_bytes;   /* usable bytes after the header */
    size_t used_bytes;
    size_t class_bytes;  /* > 0: malloc'd with this many usable bytes (a cache class) */
    _Alignas(16) unsigned char data[];
} Block;

/* Size classes of the block cache: 8 KiB, 16 KiB, ... 32 MiB of usable bytes. */
enum {
    BLOCK_CACHE_CLASS_MIN = BLOCK_SIZE_DEFAULT,
    BLOCK_CACHE_CLASSES = 13,
    BLOCK_CACHE_CLASS_MAX = BLOCK_CACHE_CLASS_MIN << (BLOCK_CACHE_CLASSES - 1),
    BLOCK_CACHE_BYTES_MAX = 64 << 20,
};
_Static_assert((BLOCK_CACHE_CLASS_MIN & (BLOCK_CACHE_CLASS_MIN - 1)) == 0,
               "cache classes are powers of two");

#if defined(__SANITIZE_ADDRESS__)
enum { BLOCK_CACHE_ON = 0 };
#else
enum { BLOCK_CACHE_ON = 1 };
#endif

static struct {
    pthread_mutex_t lock;
    Block *free[BLOCK_CACHE_CLASSES];
    size_t bytes;
} block_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The cache class holding size_bytes usable bytes, or -1 if it is too big. */
static int cache_class_of(size_t size_bytes, size_t *class_bytes)
{
    size_t bytes = BLOCK_CACHE_CLASS_MIN;
    for (int k = 0; k < BLOCK_CACHE_CLASSES; k++, bytes <<= 1) {
        if (size_bytes <= bytes) {
            *class_bytes = bytes;
            return k;
        }
    }
    return -1;
}

static Block *block_malloc(size_t size_bytes)
{
    size_t class_bytes = 0;
    int k = cache_class_of(size_bytes, &class_bytes);
    if (k < 0) {
        Block *block = malloc(sizeof(Block) + size_bytes);
        if (block != NULL) {
            block->class_bytes = 0;
        }
        return block;
    }
    pthread_mutex_lock(&block_cache.lock);
    Block *block = block_cache.free[k];
    if (block != NULL) {
        block_cache.free[k] = block->next;
        block_cache.bytes -= class_bytes;
    }
    pthread_mutex_unlock(&block_cache.lock);
    if (block == NULL) {
        block = malloc(sizeof(Block) + class_bytes);
        if (block != NULL) {
            block->class_bytes = class_bytes;
        }
    }
    return block;
}

static void block_free(Block *block)
{
    size_t class_bytes = 0;
    int k = BLOCK_CACHE_ON && block->class_bytes > 0 ? cache_class_of(block->class_bytes, &class_bytes) : -1;
    if (k >= 0) {
        pthread_mutex_lock(&block_cache.lock);
        bool kept = block_cache.bytes + class_bytes <= BLOCK_CACHE_BYTES_MAX;
        if (kept) {
            block->next = block_cache.free[k];
            block_cache.free[k] = block;
            block_cache.bytes += class_bytes;
        }
        pthread_mutex_unlock(&block_cache.lock);
        if (kept) {
            return;
        }
    }
    free(block);
}

size_t arena_cache_bytes(void)
{
    pthread_mutex_lock(&block_cache.lock);
    size_t bytes = block_cache.bytes;
    pthread_mutex_unlock(&block_cache.lock);
    return bytes;
}

struct Arena {
    Arena *parent;
    Arena *first_child;
    Arena *next_sibling;
    Block *blocks;           /* current block first */
    Block *spare;            /* emptied by arena_reset_keep, reused before malloc */
    size_t used_bytes;       /* bytes of blocks held by this arena and its children */
    size_t budget_bytes;
    size_t next_block_size;
    size_t block_size_max;   /* growth stops here (0: BLOCK_SIZE_MAX_GROWTH) */
    bool failed;
    const char *name;
};

Arena *arena_create(Arena *parent, size_t budget_bytes, const char *name)
{
    Arena *arena = mem_zalloc(sizeof *arena); /* not calloc: see mem_zalloc */
    if (arena == NULL) {
        if (parent != NULL) {
            parent->failed = true;
        }
        return NULL;
    }
    arena->parent = parent;
    arena->budget_bytes = budget_bytes;
    arena->next_block_size = BLOCK_SIZE_DEFAULT;
    arena->name = name != NULL ? name : "arena";
    if (parent != NULL) {
        arena->next_sibling = parent->first_child;
        parent->first_child = arena;
    }
    return arena;
}

static void charge(Arena *arena, long long delta)
{
    for (Arena *a = arena; a != NULL; a = a->parent) {
        a->used_bytes = (size_t)((long long)a->used_bytes + delta);
    }
}

static bool fits_budgets(const Arena *arena, size_t extra)
{
    for (const Arena *a = arena; a != NULL; a = a->parent) {
        if (a->budget_bytes > 0 && a->used_bytes + extra > a->budget_bytes) {
            return false;
        }
    }
    return true;
}

static void free_blocks(Arena *arena, Block *keep)
{
    Block *block = arena->blocks;
    while (block != NULL) {
        Block *next = block->next;
        if (block != keep) {
            charge(arena, -(long long)(sizeof(Block) + block->size_bytes));
            block_free(block);
        }
        block = next;
    }
    arena->blocks = keep;
    if (keep != NULL) {
        keep->next = NULL;
        keep->used_bytes = 0;
    }
    for (Block *spare = arena->spare; spare != NULL;) {
        Block *next = spare->next;
        charge(arena, -(long long)(sizeof(Block) + spare->size_bytes));
        free(spare);
        spare = next;
    }
    arena->spare = NULL;
}

static void unlink_from_parent(Arena *arena)
{
    Arena *parent = arena->parent;
    if (parent == NULL) {
        return;
    }
    for (Arena **link = &parent->first_child; *link != NULL; link = &(*link)->next_sibling) {
        if (*link == arena) {
            *link = arena->next_sibling;
            return;
        }
    }
}

static void destroy_tree(Arena *arena)
{
    while (arena->first_child != NULL) {
        Arena *child = arena->first_child;
        arena->first_child = child->next_sibling;
        child->parent = arena;   /* still charged to us until freed */
        destroy_tree(child);
    }
    free_blocks(arena, NULL);
    free(arena);
}

void arena_destroy(Arena *arena)
{
    if (arena == NULL) {
        return;
    }
    unlink_from_parent(arena);
    /* Charges of the subtree are removed from the ancestors as blocks are freed;
     * detach first so the charge walk still reaches them. */
    Arena *parent = arena->parent;
    while (arena->first_child != NULL) {
        Arena *child = arena->first_child;
        arena->first_child = child->next_sibling;
        child->next_sibling = NULL;
        child->parent = arena;
        destroy_tree(child);
    }
    free_blocks(arena, NULL);
    (void)parent;
    free(arena);
}

void arena_reset(Arena *arena)
{
    if (arena == NULL) {
        return;
    }
    Block *only = arena->blocks;
    if (arena->first_child == NULL &&
        (only == NULL || (only->next == NULL && only->size_bytes == BLOCK_SIZE_DEFAULT))) {
        /* The common per-row reset: nothing to free, the one block is rewound. */
        if (only != NULL) {
            only->used_bytes = 0;
        }
        arena->next_block_size = BLOCK_SIZE_DEFAULT;
        arena->failed = false;
        return;
    }
    while (arena->first_child != NULL) {
        Arena *child = arena->first_child;
        arena->first_child = child->next_sibling;
        child->next_sibling = NULL;
        destroy_tree(child);
    }
    /* Keep the smallest standard block for reuse; drop the rest. */
    Block *keep = NULL;
    for (Block *block = arena->blocks; block != NULL; block = block->next) {
        if (block->size_bytes == BLOCK_SIZE_DEFAULT) {
            keep = block;
            break;
        }
    }
    free_blocks(arena, keep);
    arena->next_block_size = BLOCK_SIZE_DEFAULT;
    arena->failed = false;
}

void arena_reset_keep(Arena *arena)
{
    if (arena == NULL) {
        return;
    }
    while (arena->first_child != NULL) {
        Arena *child = arena->first_child;
        arena->first_child = child->next_sibling;
        child->next_sibling = NULL;
        destroy_tree(child);
    }
    /* Spares the last round did not reuse go back to the system, so the kept
     * memory stays within two rounds' worth when sizes vary. */
    for (Block *unused = arena->spare; unused != NULL;) {
        Block *next = unused->next;
        charge(arena, -(long long)(sizeof(Block) + unused->size_bytes));
        free(unused);
        unused = next;
    }
    arena->spare = NULL;
    while (arena->blocks != NULL) {
        Block *block = arena->blocks;
        arena->blocks = block->next;
        block->used_bytes = 0;
        block->next = arena->spare;
        arena->spare = block;
    }
    arena->next_block_size = BLOCK_SIZE_DEFAULT;
    arena->failed = false;
}

/* A spare block of at least size_bytes and at most twice that, unlinked. */
static Block *take_spare(Arena *arena, size_t size_bytes)
{
    for (Block **link = &arena->spare; *link != NULL; link = &(*link)->next) {
        Block *block = *link;
        if (block->size_bytes >= size_bytes && block->size_bytes / 2 <= size_bytes) {
            *link = block->next;
            block->used_bytes = 0;
            return block;
        }
    }
    return NULL;
}

static Block *new_block(Arena *arena, size_t size_bytes)
{
    if (arena->spare != NULL) {
        Block *block = take_spare(arena, size_bytes);
        if (block != NULL) {
            return block;
        }
    }
    size_t total = sizeof(Block) + size_bytes;
    if (!fits_budgets(arena, total)) {
        arena->failed = true;
        return NULL;
    }
    Block *block = block_malloc(size_bytes);
    if (block == NULL) {
        arena->failed = true;
        return NULL;
    }
    block->size_bytes = size_bytes;
    block->used_bytes = 0;
    charge(arena, (long long)total);
    return block;
}

void *arena_alloc(Arena *arena, size_t size_bytes)
{
    size_t need = (size_bytes + (ALIGN - 1)) & ~(size_t)(ALIGN - 1);
    if (need == 0) {
        need = ALIGN;
    }
    if (need < size_bytes) {
        arena->failed = true;
        return NULL;
    }
    Block *current = arena->blocks;
    if (current != NULL && current->size_bytes - current->used_bytes >= need) {
        void *ptr = current->data + current->used_bytes;
        current->used_bytes += need;
        return ptr;
    }
    if (need > BLOCK_SIZE_DEFAULT / 4) {
        /* A block of its own, placed behind the current one so the current
         * block keeps serving small requests. */
        Block *block = new_block(arena, need);
        if (block == NULL) {
            return NULL;
        }
        block->used_bytes = need;
        if (current != NULL) {
            block->next = current->next;
            current->next = block;
        } else {
            block->next = NULL;
            arena->blocks = block;
        }
        return block->data;
    }
    Block *block = new_block(arena, arena->next_block_size);
    if (block == NULL) {
        return NULL;
    }
    size_t growth_max = arena->block_size_max > 0 ? arena->block_size_max : BLOCK_SIZE_MAX_GROWTH;
    if (arena->next_block_size < growth_max) {
        arena->next_block_size *= 2;
    }
    block->next = arena->blocks;
    arena->blocks = block;
    block->used_bytes = need;
    return block->data;
}

void *arena_zalloc(Arena *arena, size_t size_bytes)
{
    void *ptr = arena_alloc(arena, size_bytes);
    if (ptr != NULL) {
        memset(ptr, 0, size_bytes);
    }
    return ptr;
}

void *arena_memdup(Arena *arena, const void *data, size_t size_bytes)
{
    void *ptr = arena_alloc(arena, size_bytes);
    if (ptr != NULL && size_bytes > 0) {
        memcpy(ptr, data, size_bytes);
    }
    return ptr;
}

char *arena_strndup(Arena *arena, const char *text, size_t length)
{
    char *copy = arena_alloc(arena, length + 1);
    if (copy != NULL) {
        memcpy(copy, text, length);
        copy[length] = '\0';
    }
    return copy;
}

char *arena_strdup(Arena *arena, const char *text)
{
    return arena_strndup(arena, text, strlen(text));
}

char *arena_vsprintf(Arena *arena, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int length = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (length < 0) {
        arena->failed = true;
        return NULL;
    }
    char *text = arena_alloc(arena, (size_t)length + 1);
    if (text != NULL) {
        vsnprintf(text, (size_t)length + 1, fmt, ap);
    }
    return text;
}

char *arena_sprintf(Arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = arena_vsprintf(arena, fmt, ap);
    va_end(ap);
    return text;
}

void *arena_realloc(Arena *arena, void *old, size_t old_size_bytes, size_t new_size_bytes)
{
    if (new_size_bytes <= old_size_bytes && old != NULL) {
        return old;
    }
    Block *current = arena->blocks;
    size_t old_need = (old_size_bytes + (ALIGN - 1)) & ~(size_t)(ALIGN - 1);
    size_t new_need = (new_size_bytes + (ALIGN - 1)) & ~(size_t)(ALIGN - 1);
    if (old != NULL && current != NULL &&
        (unsigned char *)old + old_need == current->data + current->used_bytes &&
        current->used_bytes - old_need + new_need <= current->size_bytes) {
        current->used_bytes = current->used_bytes - old_need + new_need;
        return old;
    }
    void *ptr = arena_alloc(arena, new_size_bytes);
    if (ptr != NULL && old != NULL && old_size_bytes > 0) {
        memcpy(ptr, old, old_size_bytes);
    }
    return ptr;
}

bool arena_failed(const Arena *arena) { return arena->failed; }
size_t arena_used_bytes(const Arena *arena) { return arena->used_bytes; }
void arena_set_block_size_max(Arena *arena, size_t bytes)
{
    arena->block_size_max = bytes < BLOCK_SIZE_DEFAULT ? BLOCK_SIZE_DEFAULT : bytes;
}
size_t arena_budget_bytes(const Arena *arena) { return arena->budget_bytes; }
void arena_set_budget(Arena *arena, size_t budget_bytes) { arena->budget_bytes = budget_bytes; }

int arena_error(const Arena *arena, Error *err)
{
    for (const Arena *a = arena; a != NULL; a = a->parent) {
        if (a->budget_bytes > 0 && a->used_bytes + BLOCK_SIZE_DEFAULT > a->budget_bytes) {
            error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
            error_detail(err, "Memory budget of %zu bytes for \"%s\" was exhausted.",
                         a->budget_bytes, a->name);
            error_hint(err, "Raise work_mem or make the query use less memory.");
            return STRATA_NOMEM;
        }
    }
    error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    error_detail(err, "Failed on request in \"%s\".", arena->name);
    return STRATA_NOMEM;
}
