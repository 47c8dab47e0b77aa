/*
 * catalog/partition.h - declarative partitioning over the catalog: which
 * partition a row belongs to, whether two bounds overlap, and the text of
 * keys and bounds (\d, pg_get_expr, error details).
 *
 * A partitioned table (PARTITION BY) has a CatPartitionKey; each partition
 * has the parent's id and a CatPartitionBound whose values are typed as the
 * key columns. catalog_build links every parent to its partitions
 * (CatTable.partitions, in bound order, DEFAULT last). Partitions have the
 * parent's columns in the parent's order, so a row of the parent is a row of
 * every partition.
 *
 * Semantics follow PostgreSQL: a RANGE bound holds keys with lower <= key <
 * upper (row-wise comparison, MINVALUE / MAXVALUE below / above every value);
 * a NULL key fits no RANGE bound; a LIST bound holds the keys equal to one of
 * its values (NULL matches a NULL in the list); a HASH bound holds the keys
 * whose hash modulo the modulus is the remainder; the DEFAULT partition holds
 * every row no other partition of its parent holds.
 *
 * Threads: pure functions over an immutable Catalog. See src/catalog/README.md.
 */
#ifndef STRATA_CATALOG_PARTITION_H
#define STRATA_CATALOG_PARTITION_H

#include "catalog/catalog.h"

/* Columns of a partition key: PostgreSQL's PARTITION_MAX_KEYS. */
#define PARTITION_KEYS_MAX 32

/* Fills every parent's partitions[] from the partitions' parent ids (arena a;
 * tables are the built catalog's tables). Called by catalog_build. Returns
 * XX001 when a partition names a missing parent or a key names a missing
 * column. */
int cat_partition_link(Arena *a, const CatTable **tables, int table_count, Error *err);

/* True if row (the parent's columns) fits bd, a non-DEFAULT bound under key. */
bool partition_bound_contains(const CatPartitionKey *key, const CatPartitionBound *bd,
                             const Value *row);

/* The partition of parent that row belongs to (one level; NULL: none). */
const CatTable *partition_route(const CatTable *parent, const Value *row);

/* True if row satisfies part's partition constraint (part a partition of
 * parent): its bound, or for DEFAULT no sibling's bound. */
bool partition_row_fits(const CatTable *parent, const CatTable *part, const Value *row);

/* True if two non-DEFAULT bounds under key share a key value. */
bool partition_bounds_overlap(const CatPartitionKey *key, const CatPartitionBound *x,
                              const CatPartitionBound *y);

/* Range compare of two bound datums (kind CAT_BOUND_*), row-wise over count. */
int partition_range_compare(int count, const Value *x, const uint8_t *x_kind, const Value *y,
                            const uint8_t *y_kind);

/* "RANGE (posted_at)", "LIST (region)", "HASH (id)" (arena a). */
const char *partition_key_text(const CatTable *t, Arena *a);

/* "FOR VALUES FROM ('2024-01-01') TO (MAXVALUE)", "FOR VALUES IN (1, 2)",
 * "FOR VALUES WITH (modulus 4, remainder 0)", "DEFAULT" (arena a). */
const char *partition_bound_text(const CatPartitionBound *bd, Arena *a);

/* The text of one value as PostgreSQL prints it in a bound: numbers bare,
 * everything else quoted ('x'), NULL as NULL (arena a). */
const char *partition_value_text(const Value *v, Arena *a);

/* "'a', MAXVALUE": a list of bound datums (kinds may be NULL; arena a). */
const char *partition_datums_text(const Value *values, const uint8_t *kinds, int count, Arena *a);

#endif
