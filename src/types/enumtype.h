/*
 * types/enumtype.h - values of user-defined enum types, and the per-thread
 * resolver through which types/ reaches user-defined types in the catalog.
 *
 * An enum value (TYPE_ENUM, typmod = the enum type's catalog id) is a
 * PHYS_STRING holding its label's sort key as ENUM_KEY_CHARS lower-case hex
 * digits, then the label's bytes. The catalog gives every label a key
 * (CREATE TYPE spaces them ENUM_KEY_STEP apart; ALTER TYPE ... ADD VALUE
 * BEFORE / AFTER takes the midpoint of its neighbours), so comparing two
 * values of one enum bytewise gives PostgreSQL's declaration order, in
 * indexes and sorts too, and the output function needs no catalog.
 *
 * Reading a label (value_parse of TYPE_ENUM), finding a type by name
 * (type_from_name) and naming a type (type_name) need the catalog, which
 * types/ cannot include: the session installs a UserTypeResolver for its
 * thread around each statement (src/api/api_session.c), as it installs the
 * system-view provider.
 *
 * Invariants
 *   1. An encoded value is at least ENUM_KEY_CHARS bytes long.
 *   2. Keys of one enum type are distinct, so equal bytes = equal labels.
 *
 * Threads: the resolver is thread-local. See src/types/README.md.
 */
#ifndef STRATA_TYPES_ENUMTYPE_H
#define STRATA_TYPES_ENUMTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

#define ENUM_KEY_CHARS 16
/* The distance between the keys of consecutive labels of CREATE TYPE: 2^32
 * leaves 32 successive insertions BEFORE / AFTER one label. */
#define ENUM_KEY_STEP (UINT64_C(1) << 32)

typedef struct UserTypeResolver {
    void *ctx;
    /* A user-defined type by name (as the parser folds it, optionally
     * "schema.name"): true and *out filled when it exists. */
    bool (*find)(void *ctx, const char *name, SqlType *out);
    /* The name of the user type with this id (borrowed), NULL when none. */
    const char *(*name)(void *ctx, int32_t type_id);
    /* The encoded value of label text of enum type_id into *out (arena);
     * 22P02 `invalid input value for enum mood: "x"` when it is no label. */
    int (*enum_input)(void *ctx, int32_t type_id, const char *text, size_t length, Arena *arena,
                      StrRef *out, Error *err);
} UserTypeResolver;

/* Installs r (borrowed until removed; NULL removes) for the calling thread. */
void user_type_set_resolver(const UserTypeResolver *r);

/* Looks name up through the thread's resolver; false without one. */
bool user_type_find(const char *name, SqlType *out);

/* The name of the user type with this id through the resolver (borrowed),
 * NULL when there is none. */
const char *user_type_name(int32_t type_id);

/* The enum type's name through the resolver, else "anyenum" (static or
 * borrowed from the resolver's catalog). */
const char *enum_type_name(int32_t type_id);

/* PostgreSQL's enum_in for type (TYPE_ENUM with its typmod): through the
 * resolver; 42704 when there is none or the type does not exist. */
int enum_input(SqlType type, const char *text, size_t length, Arena *arena, StrRef *out,
               Error *err);

/* Encodes (key, label) into *out (arena a). */
int enum_value_encode(uint64_t key, const char *label, size_t label_length, Arena *a, StrRef *out,
                      Error *err);

/* The label of an encoded value (borrowed from it). */
StrRef enum_value_label(StrRef encoded);

#endif
