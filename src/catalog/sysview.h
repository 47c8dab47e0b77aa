/*
 * catalog/sysview.h - system views (information_schema, pg_catalog) and the
 * "virtual" TableAm that produces their rows through a provider.
 *
 * System views are CatTables of kind CAT_VIRTUAL that every Catalog contains
 * (their columns are fixed here). Their rows depend on the session (catalog
 * snapshot, settings, statistics), which the TableAm contract cannot pass:
 * so the session installs a VirtualProvider for its thread around each
 * statement (virtual_set_provider), and the virtual TableAm asks it for the
 * rows of the view being scanned.
 *
 * Invariants
 *   1. System view ids are fixed (CAT_ID_FIRST_VIRTUAL + position) and never
 *      collide with user object ids.
 *   2. Writes to a system view fail with 42809.
 *
 * Threads: the provider is thread-local; the TableAm itself is stateless.
 * See src/catalog/README.md.
 */
#ifndef STRATA_CATALOG_SYSVIEW_H
#define STRATA_CATALOG_SYSVIEW_H

#include "catalog/catalog.h"

typedef struct VirtualProvider {
    void *ctx;
    /* Produces every row of the system view desc (desc->name is the view's
     * name, e.g. "pg_class"): *rows holds *row_count rows of
     * desc->column_count values each, row-major, in arena a. */
    int (*rows)(void *ctx, const TableDesc *desc, Arena *a, Value **rows, int *row_count,
                Error *err);
} VirtualProvider;

/* Installs p as this thread's provider (NULL = none); returns the previous
 * one so calls can nest. p is borrowed until it is replaced. */
const VirtualProvider *virtual_set_provider(const VirtualProvider *p);

/* Registers the "virtual" TableAm (idempotent, thread-safe). */
void sysview_register_am(void);

/* The schema of a system view id ("pg_catalog" / "information_schema"), or
 * NULL if id is not a system view. */
const char *sysview_schema(uint64_t id);

#endif
