/*
 * util/varint.h - LEB128 varints and zigzag coding, shared by the on-disk codecs
 * (row values, packed index blocks, column segments).
 *
 * A varint is 7 bits a byte, least significant group first, the high bit set on
 * every byte but the last: at most 10 bytes for 64 bits. The byte layout is part
 * of those file formats; changing it is a format change.
 */
#ifndef STRATA_UTIL_VARINT_H
#define STRATA_UTIL_VARINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { VARINT_MAX_BYTES = 10 };

static inline size_t varint_size(uint64_t value)
{
    size_t len = 1;
    while (value >= 0x80) {
        value >>= 7;
        len++;
    }
    return len;
}

/* Writes value at out (room for VARINT_MAX_BYTES); its byte count. */
static inline size_t varint_put(uint8_t *out, uint64_t value)
{
    size_t pos = 0;
    while (value >= 0x80) {
        out[pos++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    out[pos++] = (uint8_t)value;
    return pos;
}

/*
 * Reads the varint at in[*pos_io..len) into *out and moves *pos_io past it;
 * false (nothing moved) when it runs past len or past VARINT_MAX_BYTES, so
 * corrupt input is an error, never a read out of bounds. One to three bytes
 * are decoded without a loop: most values in the codecs are that small.
 */
static inline bool varint_get(const uint8_t *in, size_t len, size_t *pos_io, uint64_t *out)
{
    size_t pos = *pos_io;
    if (pos < len && in[pos] < 0x80) {
        *out = in[pos];
        *pos_io = pos + 1;
        return true;
    }
    if (pos + 3 <= len) {
        uint64_t value = (uint64_t)(in[pos] & 0x7F) | (uint64_t)(in[pos + 1] & 0x7F) << 7;
        if (in[pos + 1] < 0x80) {
            *out = value;
            *pos_io = pos + 2;
            return true;
        }
        if (in[pos + 2] < 0x80) {
            *out = value | (uint64_t)in[pos + 2] << 14;
            *pos_io = pos + 3;
            return true;
        }
    }
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= len) {
            return false;
        }
        uint8_t byte = in[pos++];
        value |= (uint64_t)(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) {
            *out = value;
            *pos_io = pos;
            return true;
        }
    }
    return false;
}

/* Signed to unsigned so that small magnitudes of either sign get short varints. */
static inline uint64_t zigzag_encode(int64_t value)
{
    return ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
}

static inline int64_t zigzag_decode(uint64_t value)
{
    return (int64_t)(value >> 1) ^ -(int64_t)(value & 1);
}

#endif
