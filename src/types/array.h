/*
 * types/array.h - SQL arrays: the in-memory / on-disk encoding of an array
 * value, PostgreSQL's text input and output, ordering and hashing.
 *
 * strata's arrays have lower bound 1 in every dimension (PostgreSQL's
 * default; explicit bounds are 0A000) and up to ARRAY_DIMS_MAX dimensions
 * ('{{1,2},{3,4}}', ARRAY[[1,2],[3,4]]), kept as the flat elements in row-major
 * order plus the dimension lengths. An array
 * value is a StrRef (PHYS_STRING) of an array type (types.h); its element type
 * is type_array_elem of the value's type and the array's typmod is the
 * element's (varchar(10)[]).
 *
 * Encoding (little-endian, unaligned):
 *
 *   count:u32                    number of elements (0 = the empty array '{}'); with
 *                                ARRAY_MULTI_DIM set, the count is the low 31 bits and
 *   ndims:u8 dims:u32[ndims]     follow: 2..ARRAY_DIMS_MAX dimension lengths whose
 *                                product is the count (one-dimensional arrays never
 *                                have this header, so their encoding is unchanged)
 *   nulls:u8[(count + 7) / 8]    bit i (byte i / 8, bit i % 8) set = element i is NULL
 *   the non-NULL elements in order, by the element type's physical kind:
 *     PHYS_BOOL      1 byte (0 / 1)
 *     PHYS_I64       8 bytes
 *     PHYS_F64       8 bytes (the double's bits)
 *     PHYS_DECIMAL   coef:16 (int128) scale:i16 flags:u8     (19 bytes)
 *     PHYS_INTERVAL  months:i32 days:i32 micros:i64          (16 bytes)
 *     PHYS_UUID      16 bytes
 *     PHYS_STRING    len:u32 bytes (text, bytea bytes, json text, jsonb encoding)
 *
 * Invariants
 *   1. Every array StrRef strata produces is a complete encoding: exactly
 *      count elements and nothing after them.
 *   2. Readers never trust the bytes: ArrayReader stops (is_corrupt) instead
 *      of reading past the end, so a damaged value cannot crash a compare.
 *
 * Threads: pure functions, thread-safe. Results live in the arena passed in.
 * See src/types/README.md.
 */
#ifndef STRATA_TYPES_ARRAY_H
#define STRATA_TYPES_ARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

enum { ARRAY_DIMS_MAX = 6 };
#define ARRAY_MULTI_DIM 0x80000000u

/* Walks the elements of an encoded array without allocating (row-major for
 * a multi-dimensional one). Elements that are strings borrow the array's
 * bytes. */
typedef struct ArrayReader {
    SqlType elem; /* element type, with the array's typmod */
    uint32_t count;
    int ndims; /* 0 for '{}', else the dimension count */
    uint32_t dims[ARRAY_DIMS_MAX];
    uint32_t index; /* next element */
    const uint8_t *nulls;
    const uint8_t *pos, *end;
    bool is_corrupt;
} ArrayReader;

/* Starts reading bytes as an array of type array_type (type_is_array). False
 * (and is_corrupt set) if the header does not fit. */
bool array_reader_init(ArrayReader *reader, SqlType array_type, StrRef bytes);

/* The next element into out (is_null set for NULL elements); false at the end
 * or when the encoding is damaged (then reader->is_corrupt). */
bool array_reader_next(ArrayReader *reader, Value *out);

/* Element count of an encoded array (0 if damaged); for a multi-dimensional
 * array, of all its dimensions. */
uint32_t array_count(StrRef bytes);

/* The dimensions of an encoded array: returns ndims (0 for '{}' or a damaged
 * value) and fills dims[0..ndims). */
int array_shape(StrRef bytes, uint32_t *dims);

/* array_encode with a shape: ndims dimension lengths (ndims <= 1: one
 * dimension of count) whose product must be count. */
int array_encode_dims(TypeId elem, const Value *items, int64_t count, int ndims,
                      const uint32_t *dims, Arena *arena, StrRef *out, Error *err);

/* Encodes count elements (values of the element type elem; NULLs allowed) as
 * an array. Errors: 54000 past LIMIT_ARRAY_ELEMENTS, 53200 arena. */
int array_encode(TypeId elem, const Value *items, int64_t count, Arena *arena, StrRef *out,
                 Error *err);

/* Decodes an array into a Value vector in arena (elements borrow bytes).
 * Errors: XX001 `array value is corrupted` for a damaged encoding, 53200. */
int array_decode(SqlType array_type, StrRef bytes, Arena *arena, Value **items, int *count,
                 Error *err);

/* PostgreSQL's array_in: '{1,2,NULL}', '{"a b","c\"d"}', '{}', surrounding
 * whitespace, backslash escapes, unquoted NULL (any case) = a NULL element.
 * Each element goes through the element type's input function (value_parse_tz,
 * typmod applied); nested braces give a multi-dimensional array
 * ('{{1,2},{3,4}}'). Errors: 22P02 `malformed array literal: "..."` with
 * PostgreSQL's detail (also for sub-arrays of different lengths); 54000 past
 * ARRAY_DIMS_MAX dimensions; 0A000 for explicit bounds ('[0:1]={1,2}'); the
 * element type's input errors. */
int array_parse(SqlType array_type, const char *text, size_t length, const char *timezone,
                Arena *arena, StrRef *out, Error *err);

/* Formats element texts as an array literal ({a,b,"c d",NULL}; is_null may be
 * NULL = none), quoting as PostgreSQL's array_out. */
int text_array_format(const StrRef *elements, const bool *is_null, int count, Arena *arena,
                      StrRef *out, Error *err);
/* The same with a shape ({{1,2},{3,4}}); ndims <= 1 is text_array_format. */
int text_array_format_dims(const StrRef *elements, const bool *is_null, int count, int ndims,
                           const uint32_t *dims, Arena *arena, StrRef *out, Error *err);

/* PostgreSQL's array_out: {1,2,NULL}, elements quoted when empty, equal to
 * NULL (any case), or holding whitespace, braces, commas, quotes or
 * backslashes (the latter two escaped). */
int array_format(SqlType array_type, StrRef bytes, const char *timezone, Arena *arena, StrRef *out,
                 Error *err);

/* int2vector / oidvector (types.h: the encoding of their type_vector_array):
 * vector_format writes the elements separated by single spaces ("1 2", "" for
 * none), vector_parse reads whitespace-separated integers (PostgreSQL's
 * int2vectorin / oidvectorin; a bad element is the element type's 22P02 or
 * 22003). */
int vector_format(SqlType vector_type, StrRef bytes, Arena *arena, StrRef *out, Error *err);
int vector_parse(SqlType vector_type, const char *text, size_t length, Arena *arena, StrRef *out,
                 Error *err);

/* Applies target's typmod (the element typmod) to every element of the array
 * v (value_apply_typmod's rules and errors); v->str is re-encoded in arena. */
int array_apply_typmod(Value *v, SqlType target, bool is_explicit, Arena *arena, Error *err);

/* Casts every element of in (an array) to target's element type (value_cast_tz's
 * rules in context; NULL elements stay NULL). */
int array_cast(const Value *in, SqlType target, int context, const char *timezone, Arena *arena,
               Value *out, Error *err);

/* array_agg(anyarray) and ARRAY(subquery of arrays): count arrays of
 * array_type, all of one shape, stacked into an array of one more dimension
 * (none: '{}'). Errors as PostgreSQL's accumArrayResultArr: 22004 `cannot
 * accumulate null arrays`, 2202E for an empty first array or different
 * shapes, 54000 past ARRAY_DIMS_MAX dimensions or the element limit. */
int array_accumulate(TypeId array_type, const Value *arrays, int64_t count, Arena *arena,
                     StrRef *out, Error *err);

/* PostgreSQL's btree order of arrays of the same type: element by element
 * (a NULL element sorts after every non-NULL one), then the longer array
 * is greater, then the one with more dimensions, then by dimension lengths. */
int array_compare(SqlType array_type, StrRef a, StrRef b);

/* Hash consistent with array_compare == 0. */
uint64_t array_hash(SqlType array_type, StrRef bytes);

#endif
