/*
 * util/mem.c - heap wrappers (see mem.h).
 */
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void *mem_alloc(size_t size_bytes) { return malloc(size_bytes == 0 ? 1 : size_bytes); }
void *mem_zalloc(size_t size_bytes)
{
    size_bytes = size_bytes == 0 ? 1 : size_bytes;
    /* Small sizes not through calloc: glibc's calloc skips the per-thread
     * cache, so a small calloc/free pair cost about 430 instructions against
     * about 180 for malloc + memset (pager handles, arenas: several per
     * statement). Large ones keep calloc, which gets fresh pages zeroed by
     * the kernel. The empty asm keeps the compiler from folding the pair
     * back into calloc. */
    if (size_bytes > 1024) {
        return calloc(1, size_bytes);
    }
    void *ptr = malloc(size_bytes);
    if (ptr != NULL) {
        __asm__ volatile("" : : "r"(ptr) : "memory");
        memset(ptr, 0, size_bytes);
    }
    return ptr;
}
void *mem_realloc(void *ptr, size_t size_bytes) { return realloc(ptr, size_bytes == 0 ? 1 : size_bytes); }
void mem_free(void *ptr) { free(ptr); }

char *mem_strdup(const char *text)
{
    size_t length = strlen(text);
    char *copy = malloc(length + 1);
    if (copy != NULL) {
        memcpy(copy, text, length + 1);
    }
    return copy;
}
