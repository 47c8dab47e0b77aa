/*
 * util/checksum.h - checksums for pages and WAL records, and hashing.
 *
 * XXH3 (Debian's libxxhash) everywhere: it is fast enough to checksum every
 * page on every read and write. The 64-bit checksum of a page or record is
 * stored on disk; changing the function is a file-format change.
 */
#ifndef STRATA_UTIL_CHECKSUM_H
#define STRATA_UTIL_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit checksum of data, seeded (seed lets chained checksums depend on the
 * previous record). */
uint64_t checksum64(const void *data, size_t size_bytes, uint64_t seed);

/*
 * The hash helpers every module uses (types/compare.c's value_hash, the executor's
 * hash tables, partitioning), so that one function has one definition. They are not
 * checksums, yet one of their results is persisted: value_hash (hash_combine'd over
 * the key columns) places each row of a PARTITION BY HASH table, so changing any of
 * these changes where existing rows belong.
 */

/* XXH3 of data (in-memory hash tables). */
uint64_t hash_bytes(const void *data, size_t size_bytes);

/* The murmur3 64-bit finalizer: mixes every bit of value into every bit of the
 * result. Inline: the executor's hash loops call it per row. */
static inline uint64_t hash_u64(uint64_t value)
{
    value ^= value >> 33;
    value *= 0xff51afd7ed558ccdULL;
    value ^= value >> 33;
    value *= 0xc4ceb9fe1a85ec53ULL;
    value ^= value >> 33;
    return value;
}

/* Combines the hash h of the next column into seed (order-dependent, as Boost's
 * hash_combine with the 64-bit golden ratio). */
static inline uint64_t hash_combine(uint64_t seed, uint64_t h)
{
    return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

#endif
