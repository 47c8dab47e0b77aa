/*
 * util/checksum.c - XXH3-based checksums and hashes (see checksum.h).
 */
#include "util/checksum.h"

#include <xxhash.h>

uint64_t checksum64(const void *data, size_t size_bytes, uint64_t seed)
{
    return XXH3_64bits_withSeed(data, size_bytes, seed);
}

uint64_t hash_bytes(const void *data, size_t size_bytes) { return XXH3_64bits(data, size_bytes); }

uint64_t hash_u64(uint64_t value)
{
    value ^= value >> 33;
    value *= 0xff51afd7ed558ccdULL;
    value ^= value >> 33;
    value *= 0xc4ceb9fe1a85ec53ULL;
    value ^= value >> 33;
    return value;
}
