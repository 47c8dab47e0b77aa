/*
 * types/jsonb.h - strata's binary jsonb and the json operators and functions.
 *
 * A jsonb value is a StrRef holding one encoded JSON value. Encoding (all
 * integers little-endian, no alignment):
 *
 *   value   := tag:u8 body
 *   tag 0 null, 1 false, 2 true                  body: empty
 *   tag 3 number   body: len:u32, canonical numeric text (PostgreSQL's numeric
 *                  output of the number: "1.50", "-3", "100" for 1e2); kept as
 *                  text so any precision survives, compared as numbers
 *   tag 4 string   body: len:u32, UTF-8 bytes (unescaped)
 *   tag 5 array    body: count:u32, end:u32[count], elements
 *   tag 6 object   body: count:u32, end:u32[2*count], keys[count], values[count]
 *
 * In arrays and objects, end[i] is the offset (from the first byte after the
 * end table) where item i ends; item i starts at end[i-1] (or 0). An object's
 * items are its count keys (raw UTF-8 bytes, no tag) followed by its count
 * values (encoded values). Keys are sorted shorter first, then bytewise (the
 * output order PostgreSQL uses) and are unique (the last duplicate wins), so
 * -> on an object is a binary search.
 *
 * Invariants
 *   1. Every StrRef of type jsonb produced by strata is a valid encoding
 *      (jsonb_validate checks bytes from disk or clients).
 *   2. Object keys strictly increase in (length, bytes) order.
 *
 * The json type is text that passed json_validate; its output is the input.
 *
 * Threads: pure functions, thread-safe. Results live in the arena passed in.
 * See src/types/README.md.
 */
#ifndef STRATA_TYPES_JSONB_H
#define STRATA_TYPES_JSONB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

typedef enum JsonbKind {
    JSONB_NULL = 0,
    JSONB_FALSE = 1,
    JSONB_TRUE = 2,
    JSONB_NUMBER = 3,
    JSONB_STRING = 4,
    JSONB_ARRAY = 5,
    JSONB_OBJECT = 6,
} JsonbKind;

/* Maximum nesting depth of arrays and objects (PostgreSQL stops on stack depth;
 * strata names a limit): deeper input is 54000 `json nesting too deep`. */
#define JSONB_DEPTH_MAX 1000

/* Parses JSON text into the binary form. Errors: 22P02 `invalid input syntax
 * for type json` with a detail (`Token "x" is invalid.`, `The input string
 * ended unexpectedly.`); 22P05 for \u0000 in strings. */
int jsonb_parse(const char *text, size_t length, Arena *arena, StrRef *out, Error *err);

/* Checks that text is valid JSON (the json type's input); same errors. */
int json_validate(const char *text, size_t length, Error *err);

/* Normalized output: {"a": 1, "b": [1, 2]}. */
int jsonb_format(StrRef jsonb, Arena *arena, StrRef *out, Error *err);
/* jsonb_pretty: four-space indentation as PostgreSQL. */
int jsonb_format_pretty(StrRef jsonb, Arena *arena, StrRef *out, Error *err);

/* Checks an encoding from outside (22P03 `invalid jsonb encoding`). */
int jsonb_validate(StrRef jsonb, Error *err);

JsonbKind jsonb_kind(StrRef jsonb);
/* jsonb_typeof: "object", "array", "string", "number", "boolean", "null". */
const char *jsonb_typeof_name(StrRef jsonb);

/* Element count of an array or pair count of an object; -1 for scalars. */
int64_t jsonb_length(StrRef jsonb);

/* Navigation; each returns true and sets out (borrowed from jsonb) when found.
 * Index may be negative (from the end) as PostgreSQL's ->. */
bool jsonb_object_get(StrRef jsonb, const char *key, size_t key_length, StrRef *out);
bool jsonb_array_get(StrRef jsonb, int64_t index, StrRef *out);
/* #> with a path; path elements are keys for objects and integers for arrays. */
bool jsonb_path_get(StrRef jsonb, const StrRef *path, int path_count, StrRef *out);
/* i-th key / value of an object (0 <= i < count), in key order. */
StrRef jsonb_object_key_at(StrRef jsonb, int64_t index);
StrRef jsonb_object_value_at(StrRef jsonb, int64_t index);

/* ->> : the text of a value: strings unquoted, null -> SQL NULL (is_null set),
 * others their normalized text. */
int jsonb_to_text(StrRef jsonb, Arena *arena, StrRef *out, bool *is_null, Error *err);

/* Parses a PostgreSQL text[] literal '{a,b,"c d"}' into its elements (used
 * for #>, #>>, ?|, ?&, jsonb_set paths). 22P02 `malformed array literal`. */
int text_array_parse(const char *text, size_t length, Arena *arena, StrRef **elements, int *count,
                     Error *err);

/* @> : a contains b (PostgreSQL's rules: arrays contain elements in any order,
 * a top-level array contains a scalar). */
bool jsonb_contains(StrRef a, StrRef b);
/* ? : key exists at top level (object key, or string element of an array). */
bool jsonb_exists(StrRef jsonb, const char *key, size_t key_length);

/* || : objects merge (right wins), arrays concatenate, scalars become arrays. */
int jsonb_concat(StrRef a, StrRef b, Arena *arena, StrRef *out, Error *err);
/* - key (objects; array string elements equal to key), - index (arrays).
 * 22023 `cannot delete from scalar`. */
int jsonb_delete_key(StrRef jsonb, const char *key, size_t key_length, Arena *arena, StrRef *out,
                     Error *err);
int jsonb_delete_index(StrRef jsonb, int64_t index, Arena *arena, StrRef *out, Error *err);
/* jsonb_set(target, path, new, create_missing). */
int jsonb_set_path(StrRef jsonb, const StrRef *path, int path_count, StrRef new_value,
                   bool create_missing, Arena *arena, StrRef *out, Error *err);
int jsonb_strip_nulls(StrRef jsonb, Arena *arena, StrRef *out, Error *err);

/* Converts a SQL value to jsonb (to_jsonb): numbers -> number, bool ->
 * true/false, text -> string, json/jsonb -> itself, NULL -> null, dates and
 * timestamps -> ISO strings ("2024-01-31T12:00:00"). */
int jsonb_from_value(const Value *v, const char *timezone, Arena *arena, StrRef *out, Error *err);

/* The json text of a SQL value (to_json): numbers as their output text
 * (NaN/Infinity quoted), booleans true/false, NULL null, json as is, jsonb
 * normalized, dates and timestamps as quoted ISO strings, everything else as
 * a quoted, escaped string of its output text. */
int json_from_value(const Value *v, const char *timezone, Arena *arena, StrRef *out, Error *err);

/* Appends s as a quoted JSON string (with PostgreSQL's escapes) to a buffer
 * of cap bytes at *length; returns false if it does not fit. */
/* The escape sequence JSON output uses for byte c, or NULL if c needs none. */
const char *json_char_escape(unsigned char c, char tmp[8]);
bool json_quote(const char *s, size_t n, char *buf, size_t *length, size_t cap);

/* Builders, for jsonb_build_object / jsonb_build_array / jsonb_agg /
 * jsonb_object_agg. Values are already encoded jsonb. Keys are sorted and
 * de-duplicated (last wins) by jsonb_build_object_from. */
int jsonb_build_array_from(const StrRef *elements, int count, Arena *arena, StrRef *out,
                           Error *err);
int jsonb_build_object_from(const StrRef *keys, const StrRef *values, int count, Arena *arena,
                            StrRef *out, Error *err);

/* Total order for jsonb (see compare.h); equality of numbers is numeric. */
int jsonb_compare(StrRef a, StrRef b);
uint64_t jsonb_hash(StrRef a);

/* Encoded scalars, for builders. */
int jsonb_make_string(const char *bytes, size_t length, Arena *arena, StrRef *out, Error *err);
int jsonb_make_number_text(const char *numeric_text, size_t length, Arena *arena, StrRef *out,
                           Error *err);
StrRef jsonb_make_null(void);
StrRef jsonb_make_bool(bool b);

#endif
