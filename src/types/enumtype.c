/*
 * types/enumtype.c - enum values and the thread's user-type resolver (see
 * enumtype.h).
 */
#include "types/enumtype.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static __thread const UserTypeResolver *thread_resolver;

void user_type_set_resolver(const UserTypeResolver *r)
{
    thread_resolver = r;
}

bool user_type_find(const char *name, SqlType *out)
{
    const UserTypeResolver *r = thread_resolver;
    return r != NULL && r->find != NULL && r->find(r->ctx, name, out);
}

const char *user_type_name(int32_t type_id)
{
    const UserTypeResolver *r = thread_resolver;
    return r != NULL && r->name != NULL && type_id >= 0 ? r->name(r->ctx, type_id) : NULL;
}

const char *enum_type_name(int32_t type_id)
{
    const char *name = user_type_name(type_id);
    return name != NULL ? name : "anyenum";
}

int enum_input(SqlType type, const char *text, size_t length, Arena *arena, StrRef *out,
               Error *err)
{
    const UserTypeResolver *r = thread_resolver;
    if (r == NULL || r->enum_input == NULL || type.typmod < 0) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type with OID %d does not exist",
                         (int)type.typmod);
    }
    return r->enum_input(r->ctx, type.typmod, text, length, arena, out, err);
}

int enum_value_encode(uint64_t key, const char *label, size_t label_length, Arena *a, StrRef *out,
                      Error *err)
{
    char *bytes = arena_alloc(a, ENUM_KEY_CHARS + label_length + 1);
    if (bytes == NULL) {
        return arena_error(a, err);
    }
    snprintf(bytes, ENUM_KEY_CHARS + 1, "%016" PRIx64, key);
    memcpy(bytes + ENUM_KEY_CHARS, label, label_length);
    bytes[ENUM_KEY_CHARS + label_length] = '\0';
    *out = (StrRef){bytes, (uint32_t)(ENUM_KEY_CHARS + label_length)};
    return STRATA_OK;
}

StrRef enum_value_label(StrRef encoded)
{
    if (encoded.len < ENUM_KEY_CHARS) {
        return encoded; /* not an encoded value: shown as it is */
    }
    return (StrRef){encoded.ptr + ENUM_KEY_CHARS, encoded.len - ENUM_KEY_CHARS};
}
