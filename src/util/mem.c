/*
 * util/mem.c - heap wrappers (see mem.h).
 */
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void *mem_alloc(size_t size_bytes) { return malloc(size_bytes == 0 ? 1 : size_bytes); }
void *mem_zalloc(size_t size_bytes) { return calloc(1, size_bytes == 0 ? 1 : size_bytes); }
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
