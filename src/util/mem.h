/*
 * util/mem.h - the heap, for long-lived objects that no arena owns.
 *
 * Everything outside util/ and the buffer pool allocates through arenas or
 * through these wrappers, so allocation failure is handled in one way:
 * they return NULL, never abort. mem_free(NULL) is a no-op.
 */
#ifndef STRATA_UTIL_MEM_H
#define STRATA_UTIL_MEM_H

#include <stddef.h>

void *mem_alloc(size_t size_bytes);
void *mem_zalloc(size_t size_bytes);
void *mem_realloc(void *ptr, size_t size_bytes);
char *mem_strdup(const char *text);
void mem_free(void *ptr);

#endif
