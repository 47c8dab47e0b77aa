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

/* Hash for in-memory hash tables (not stored on disk). */
uint64_t hash_bytes(const void *data, size_t size_bytes);
uint64_t hash_u64(uint64_t value);
static inline uint64_t hash_combine(uint64_t a, uint64_t b)
{
    return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
}

#endif
