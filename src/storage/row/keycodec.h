/*
 * storage/row/keycodec.h - memcomparable (order-preserving) encoding of a
 * sequence of typed SQL values, for B+tree keys.
 *
 * memcmp order of two encodings equals the SQL order of the value sequences
 * (lexicographic, per-column direction). Each value is a marker byte
 * (KEYCODEC_NOT_NULL 0x01, KEYCODEC_NULL 0x02: NULLs sort last ascending, as
 * PostgreSQL's default NULLS LAST), then the body:
 *
 *   bool                      1 byte 0x00 / 0x01
 *   int2/4/8, date, time,     8 bytes big-endian, sign bit flipped
 *   timestamp(tz)
 *   float4/8                  8 bytes: IEEE bits, sign flipped for >= 0, all bits
 *                             inverted for < 0; -0 encodes as 0; every NaN as one
 *                             canonical NaN, greater than +Infinity (PostgreSQL)
 *   numeric                   tag (0x01 -inf, 0x02 negative, 0x03 zero, 0x04 positive,
 *                             0x05 +inf, 0x06 NaN); finite non-zero: value = 0.D x 10^E
 *                             with D the digits without trailing zeros: u16 big-endian
 *                             E + 0x8000 (for E >= 0x7FFF, reached only by values
 *                             past 38 digits: 0xFFFF then u32 big-endian E + 2^31),
 *                             then digit pairs as bytes 1..100 (a lone last
 *                             digit d as d*10+1), then 0x00; all of it (not the tag)
 *                             inverted for negatives. 1.0 and 1.00 encode identically.
 *                             Values past 38 digits (types.h DECIMAL_BIG) use the same
 *                             form with more pairs, so they sort among the others.
 *   text, varchar, bpchar,    the bytes with 0x00 escaped as 0x00 0xFF, then the
 *   bytea, json, jsonb        terminator 0x00 0x01, so "a" < "ab" and prefixes compose
 *   interval                  16 bytes: the 128-bit span months*30 days + days + micros
 *                             (PostgreSQL compares intervals by it), big-endian,
 *                             sign flipped
 *   uuid                      the 16 bytes
 *
 * A descending column inverts every byte of its encoding (marker included,
 * so NULLs sort first: PostgreSQL's default NULLS FIRST for DESC).
 *
 * The first byte of any encoding is 0x01, 0x02, 0xFD or 0xFE, so keys that
 * start with 0x00 are free for an access method's private entries.
 *
 * Lossy types: numeric (the scale: 1.0 decodes as 1), interval (decodes as
 * days + micros with months 0), float (-0 decodes as 0, NaN payloads) and
 * bpchar/json compare bytewise. keycodec_is_lossless() tells the planner
 * when an index-only scan may return decoded keys.
 *
 * Threads: pure functions.
 */
#ifndef STRATA_STORAGE_ROW_KEYCODEC_H
#define STRATA_STORAGE_ROW_KEYCODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

enum { KEYCODEC_NOT_NULL = 0x01, KEYCODEC_NULL = 0x02 };

/* Upper bound of the encoded size of one value. */
size_t keycodec_value_size_max(const Value *value);

/* Encodes values[0..count) (descending may be NULL = all ascending) followed by
 * suffix[0..suffix_len) into arena memory: *out is arena-owned. */
int keycodec_encode(Arena *arena, const Value *values, const bool *descending, int count,
                    const uint8_t *suffix, size_t suffix_len, uint8_t **out, size_t *out_len,
                    Error *err);

/* Encodes one value at out (room for keycodec_value_size_max bytes); returns
 * the bytes written. */
size_t keycodec_encode_value(const Value *value, bool descending, uint8_t *out);

/* Decodes count values of the given types from key. Strings are copied into
 * arena; *consumed (may be NULL) = bytes used, so a suffix (a row id) follows.
 * Malformed bytes -> STRATA_CORRUPT. */
int keycodec_decode(const uint8_t *key, size_t key_len, const SqlType *types,
                    const bool *descending, int count, Arena *arena, Value *out,
                    size_t *consumed, Error *err);

/* Bytes the first `count` encoded values occupy in key (skipping without
 * decoding); STRATA_CORRUPT when malformed. */
int keycodec_skip(const uint8_t *key, size_t key_len, const SqlType *types,
                  const bool *descending, int count, size_t *consumed, Error *err);

/* True when decoding gives back exactly the value that was encoded. */
bool keycodec_is_lossless(TypeId type);

/* The smallest byte string greater than every string that starts with prefix
 * (increment after dropping trailing 0xFF bytes). Returns false when none
 * exists (the prefix is all 0xFF or empty): the range is unbounded above.
 * out needs prefix_len bytes; *out_len receives the length. */
bool keycodec_prefix_successor(const uint8_t *prefix, size_t prefix_len, uint8_t *out,
                               size_t *out_len);

#endif
