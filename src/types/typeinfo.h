/*
 * types/typeinfo.h - names, OIDs and categories of SQL types.
 *
 * The binder turns type names from the parser into SqlType values here, the
 * wire server asks for PostgreSQL OIDs, and overload resolution (func.h) uses
 * the categories and preferred types of PostgreSQL's pg_type.
 *
 * Invariants
 *   1. type_from_name(type_name(t)) == t for every valid t.
 *   2. Exactly one preferred type per category (bool, float8, text, timestamptz,
 *      interval); category U (bytea, uuid, json, jsonb) has none.
 *
 * Threads: all functions are pure and thread-safe. See src/types/README.md.
 */
#ifndef STRATA_TYPES_TYPEINFO_H
#define STRATA_TYPES_TYPEINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

/* PostgreSQL's typcategory letters. */
typedef enum TypeCategory {
    TYPCAT_BOOLEAN = 'B',
    TYPCAT_NUMERIC = 'N',
    TYPCAT_STRING = 'S',
    TYPCAT_DATETIME = 'D',
    TYPCAT_TIMESPAN = 'T',
    TYPCAT_USER = 'U',
    TYPCAT_ARRAY = 'A',
    TYPCAT_ENUM = 'E',
    TYPCAT_UNKNOWN = 'X',
} TypeCategory;

/* numeric(p,s) typmod helpers: typmod = (p << 16) | s; -1 = unconstrained. */
static inline int32_t numeric_typmod(int precision, int scale)
{
    return (precision << 16) | scale;
}
static inline int numeric_typmod_precision(int32_t typmod)
{
    return (typmod >> 16) & 0xffff;
}
static inline int numeric_typmod_scale(int32_t typmod)
{
    return typmod & 0xffff;
}

/* PostgreSQL's display name with modifiers: "integer", "character varying(10)",
 * "numeric(10,2)", "timestamp with time zone", "double precision", "timestamp(3)
 * without time zone". Returns a static string when the type has no modifier,
 * else a string in arena a (NULL only if the arena fails). */
const char *type_name(SqlType t, Arena *a);

/* The display name without modifiers; a static string ("integer", "text"). */
const char *type_id_name(TypeId id);

/* PostgreSQL's OID of the type (int4 23, text 25, ...); unknown is 705. */
uint32_t type_oid(TypeId id);

/* Reverse of type_oid; false when the OID is not a type strata knows. */
bool type_from_oid(uint32_t oid, TypeId *out);

/* The pg_type oid of the array type of user-defined type type_id (mood[] is
 * PostgreSQL's _mood, with an oid of its own): type_id with bit 31 set.
 * Derived rather than stored, so databases created before arrays of user
 * types have them too; user type ids are typmods (below 2^31), so the two
 * ranges never meet. */
#define USER_ARRAY_OID_BIT (UINT32_C(1) << 31)
static inline uint32_t user_type_array_oid(uint64_t type_id)
{
    return (uint32_t)type_id | USER_ARRAY_OID_BIT;
}

/* True when oid is user_type_array_oid of some type: *type_id receives it. */
static inline bool user_type_of_array_oid(int64_t oid, uint64_t *type_id)
{
    if (oid < 0 || oid > (int64_t)UINT32_MAX || ((uint32_t)oid & USER_ARRAY_OID_BIT) == 0) {
        return false;
    }
    *type_id = (uint32_t)oid & ~USER_ARRAY_OID_BIT;
    return true;
}

/* The pg_type oid of values of type t: an enum's is its type's catalog id
 * (the typmod), an enum array's user_type_array_oid of it, else type_oid. */
uint32_t type_value_oid(SqlType t);

/* Resolves a type name as written in SQL (case-insensitive, already lower-cased
 * by the parser or not) with its modifiers: int, int4, integer, bigint, int8,
 * smallint, int2, real, float4, float8, float, float(p) (p <= 24 -> real,
 * 25..53 -> double precision), double precision, numeric(p[,s]), decimal(p[,s]),
 * bool, boolean, text, varchar(n), character varying(n), char(n), character(n)
 * (no modifier = char(1)), bpchar, bytea, date, time[(p)], time without time zone,
 * timestamp[(p)], timestamptz, timestamp with/without time zone, interval,
 * uuid, json, jsonb; arrays as "_int4" (pg_type's name) or "integer[]" (the
 * binder handles the int[] syntax itself). Multi-word names are passed as one string with single
 * spaces ("double precision", "timestamp with time zone").
 * Errors: 42704 `type "x" does not exist`; 22023 for bad modifiers
 * (`NUMERIC precision 0 must be between 1 and 38`, `length for type varchar
 * must be at least 1`). Serial types are the binder's job. */
int type_from_name(const char *name, const int32_t *mods, int mod_count, SqlType *out, Error *err);

TypeCategory type_category(TypeId id);

/* True for the preferred type of its category (PostgreSQL's typispreferred). */
bool type_is_preferred(TypeId id);

/* True for text, varchar, bpchar (and unknown): the string types. */
static inline bool type_is_string(TypeId id)
{
    return id == TYPE_TEXT || id == TYPE_VARCHAR || id == TYPE_BPCHAR || id == TYPE_UNKNOWN;
}

/* True for int2, int4, int8. */
static inline bool type_is_integer(TypeId id)
{
    return id == TYPE_INT2 || id == TYPE_INT4 || id == TYPE_INT8;
}

/* Types with a total order usable by ORDER BY, min/max and btree indexes
 * (everything but json). */
bool type_is_comparable(TypeId id);

/* Types usable as hash keys (GROUP BY, hash join): everything but json. */
bool type_is_hashable(TypeId id);

#endif
