/*
 * util/arena.h - memory arenas (memory contexts) with lifetimes and budgets.
 *
 * Memory is freed by lifetime, not piece by piece: an arena hands out blocks
 * by bumping a pointer and frees everything at once on arena_reset() or
 * arena_destroy(). Arenas form a tree: destroying a parent destroys its
 * children. Every arena has a byte budget (0 = no budget of its own); an
 * allocation that would pass the budget of the arena or of any ancestor fails
 * and the arena remembers the failure (arena_failed), so a burst of small
 * allocations can be checked once. The error to report is SQLSTATE 53200.
 *
 * Invariants
 *   1. used_bytes of an arena counts the blocks it holds plus those of its
 *      children, and never exceeds budget_bytes when budget_bytes > 0.
 *   2. Memory returned by arena_alloc is 16-byte aligned and lives until the
 *      arena (or an ancestor) is reset or destroyed.
 *
 * Threads: an arena is used by one thread at a time.
 * Only util/ (this file and util/mem.h) and the buffer pool call malloc/free.
 */
#ifndef STRATA_UTIL_ARENA_H
#define STRATA_UTIL_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

typedef struct Arena Arena;

/* Creates an arena under parent (NULL for a root). budget_bytes 0 = no budget of
 * its own (ancestors' budgets still apply). name is borrowed (a string literal).
 * Returns NULL only when malloc fails. Owned: free with arena_destroy. */
Arena *arena_create(Arena *parent, size_t budget_bytes, const char *name);

/* Frees the arena, its children and all their memory. NULL is ignored. */
void arena_destroy(Arena *arena);

/* Frees everything allocated from the arena and destroys its children, keeping
 * the arena itself (and one block for reuse). Clears the failure flag. */
void arena_reset(Arena *arena);

/* As arena_reset, but keeps every block (still charged to the budgets) for the
 * next allocations: for an arena refilled with the same sizes over and over
 * (a column scan's decoded row group), so big blocks are not returned to the
 * system and faulted in again each time. arena_reset and arena_destroy free
 * them, and so does the next arena_reset_keep for blocks not reused since this one. */
void arena_reset_keep(Arena *arena);

/* Allocation; NULL on failure (budget or malloc), after which arena_failed()
 * is true. Memory is arena-owned. */
void *arena_alloc(Arena *arena, size_t size_bytes);
void *arena_zalloc(Arena *arena, size_t size_bytes);
void *arena_memdup(Arena *arena, const void *data, size_t size_bytes);
char *arena_strdup(Arena *arena, const char *text);
char *arena_strndup(Arena *arena, const char *text, size_t length);
char *arena_sprintf(Arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vsprintf(Arena *arena, const char *fmt, va_list ap);

/* Grows an allocation made from this arena (the old block is not reclaimed
 * unless it was the last allocation). */
void *arena_realloc(Arena *arena, void *old, size_t old_size_bytes, size_t new_size_bytes);

bool arena_failed(const Arena *arena);
size_t arena_used_bytes(const Arena *arena);
size_t arena_budget_bytes(const Arena *arena);
void arena_set_budget(Arena *arena, size_t budget_bytes);
/* Blocks of small allocations double in size up to 1 MiB; this stops them at bytes
 * instead (at least the first block's 8 KiB), so the arena's used bytes stay close
 * to what it holds: for an arena kept to a bound by arena_used_bytes. */
void arena_set_block_size_max(Arena *arena, size_t bytes);

/* Bytes of freed blocks the process-wide block cache holds for reuse (arena.c);
 * 0 when the cache is off (ASan builds). For tests and statistics. */
size_t arena_cache_bytes(void);

/* Fills err with the arena's failure (SQLSTATE 53200, naming the arena and its
 * budget) and returns STRATA_NOMEM. */
int arena_error(const Arena *arena, Error *err);

#endif
