/*
 * types/jsonb_int.h - private helpers shared by jsonb.c and jsonb_ops.c
 * (never included from outside types/).
 *
 * JNode is a decoded (or partly decoded) jsonb value used to build new
 * encodings: a node is either "raw" (bytes = an existing encoding, copied
 * as is) or built (kind plus text / children).
 */
#ifndef STRATA_TYPES_JSONB_INT_H
#define STRATA_TYPES_JSONB_INT_H

#include <string.h>

#include "types/jsonb.h"

typedef struct JNode {
    JsonbKind kind;
    bool is_raw;
    StrRef bytes;        /* raw: the encoding; string: its bytes; number: canonical text */
    int64_t count;       /* array elements or object pairs */
    StrRef *keys;        /* objects: count keys */
    struct JNode *items; /* arrays: elements; objects: values */
} JNode;

static inline uint32_t jsonb_read32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* For a container encoding: count, the end table and the data start. */
static inline uint32_t jsonb_container_count(StrRef v)
{
    return jsonb_read32(v.ptr + 1);
}

/* Item i of a container's item list (objects: keys 0..n-1, then values n..2n-1). */
static inline StrRef jsonb_item(StrRef v, uint32_t entries, uint32_t i)
{
    const char *ends = v.ptr + 5;
    const char *data = ends + 4 * (size_t)entries;
    uint32_t start = i == 0 ? 0 : jsonb_read32(ends + 4 * (size_t)(i - 1));
    uint32_t end = jsonb_read32(ends + 4 * (size_t)i);
    StrRef r = {data + start, end - start};
    return r;
}

/* Encodes a node tree into arena memory. */
int jsonb_encode(const JNode *node, Arena *arena, StrRef *out, Error *err);

/* Sorts an object's keys (shorter first, then bytewise) and removes duplicate
 * keys, the last one winning. */
int jsonb_object_normalize(JNode *node, Arena *arena, Error *err);

/* Raw node for an existing encoding. */
static inline JNode jsonb_raw_node(StrRef encoded)
{
    JNode n;
    memset(&n, 0, sizeof n);
    n.kind = (JsonbKind)(uint8_t)encoded.ptr[0];
    n.is_raw = true;
    n.bytes = encoded;
    return n;
}

/* Key order: length first, then bytes. */
static inline int jsonb_key_compare(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len) {
        return a_len < b_len ? -1 : 1;
    }
    int c = memcmp(a, b, a_len);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

/* Numeric comparison of two canonical number texts. */
int jsonb_number_compare(StrRef a, StrRef b);

#endif
