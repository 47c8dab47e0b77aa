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
