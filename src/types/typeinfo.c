/*
 * types/typeinfo.c - type names, OIDs and categories (see typeinfo.h).
 */
#include "types/typeinfo.h"

#include "types/enumtype.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct TypeInfo {
    const char *name; /* PostgreSQL's format_type name */
    uint32_t oid;
    TypeCategory category;
    bool is_preferred;
} TypeInfo;

static const TypeInfo TYPE_INFO[TYPE_COUNT] = {
    [TYPE_UNKNOWN] = {"unknown", 705, TYPCAT_UNKNOWN, false},
    [TYPE_BOOL] = {"boolean", 16, TYPCAT_BOOLEAN, true},
    [TYPE_INT2] = {"smallint", 21, TYPCAT_NUMERIC, false},
    [TYPE_INT4] = {"integer", 23, TYPCAT_NUMERIC, false},
    [TYPE_INT8] = {"bigint", 20, TYPCAT_NUMERIC, false},
    [TYPE_FLOAT4] = {"real", 700, TYPCAT_NUMERIC, false},
    [TYPE_FLOAT8] = {"double precision", 701, TYPCAT_NUMERIC, true},
    [TYPE_NUMERIC] = {"numeric", 1700, TYPCAT_NUMERIC, false},
    [TYPE_TEXT] = {"text", 25, TYPCAT_STRING, true},
    [TYPE_VARCHAR] = {"character varying", 1043, TYPCAT_STRING, false},
    [TYPE_BPCHAR] = {"character", 1042, TYPCAT_STRING, false},
    [TYPE_BYTEA] = {"bytea", 17, TYPCAT_USER, false},
    [TYPE_DATE] = {"date", 1082, TYPCAT_DATETIME, false},
    [TYPE_TIME] = {"time without time zone", 1083, TYPCAT_DATETIME, false},
    [TYPE_TIMESTAMP] = {"timestamp without time zone", 1114, TYPCAT_DATETIME, false},
    [TYPE_TIMESTAMPTZ] = {"timestamp with time zone", 1184, TYPCAT_DATETIME, true},
    [TYPE_INTERVAL] = {"interval", 1186, TYPCAT_TIMESPAN, true},
    [TYPE_UUID] = {"uuid", 2950, TYPCAT_USER, false},
    [TYPE_JSON] = {"json", 114, TYPCAT_USER, false},
    [TYPE_JSONB] = {"jsonb", 3802, TYPCAT_USER, false},
    [TYPE_BOOL_ARRAY] = {"boolean[]", 1000, TYPCAT_ARRAY, false},
    [TYPE_INT2_ARRAY] = {"smallint[]", 1005, TYPCAT_ARRAY, false},
    [TYPE_INT4_ARRAY] = {"integer[]", 1007, TYPCAT_ARRAY, false},
    [TYPE_INT8_ARRAY] = {"bigint[]", 1016, TYPCAT_ARRAY, false},
    [TYPE_FLOAT4_ARRAY] = {"real[]", 1021, TYPCAT_ARRAY, false},
    [TYPE_FLOAT8_ARRAY] = {"double precision[]", 1022, TYPCAT_ARRAY, false},
    [TYPE_NUMERIC_ARRAY] = {"numeric[]", 1231, TYPCAT_ARRAY, false},
    [TYPE_TEXT_ARRAY] = {"text[]", 1009, TYPCAT_ARRAY, false},
    [TYPE_VARCHAR_ARRAY] = {"character varying[]", 1015, TYPCAT_ARRAY, false},
    [TYPE_BPCHAR_ARRAY] = {"character[]", 1014, TYPCAT_ARRAY, false},
    [TYPE_BYTEA_ARRAY] = {"bytea[]", 1001, TYPCAT_ARRAY, false},
    [TYPE_DATE_ARRAY] = {"date[]", 1182, TYPCAT_ARRAY, false},
    [TYPE_TIME_ARRAY] = {"time without time zone[]", 1183, TYPCAT_ARRAY, false},
    [TYPE_TIMESTAMP_ARRAY] = {"timestamp without time zone[]", 1115, TYPCAT_ARRAY, false},
    [TYPE_TIMESTAMPTZ_ARRAY] = {"timestamp with time zone[]", 1185, TYPCAT_ARRAY, false},
    [TYPE_INTERVAL_ARRAY] = {"interval[]", 1187, TYPCAT_ARRAY, false},
    [TYPE_UUID_ARRAY] = {"uuid[]", 2951, TYPCAT_ARRAY, false},
    [TYPE_JSON_ARRAY] = {"json[]", 199, TYPCAT_ARRAY, false},
    [TYPE_JSONB_ARRAY] = {"jsonb[]", 3807, TYPCAT_ARRAY, false},
    [TYPE_INT2VECTOR] = {"int2vector", 22, TYPCAT_ARRAY, false},
    [TYPE_OIDVECTOR] = {"oidvector", 30, TYPCAT_ARRAY, false},
    [TYPE_ENUM] = {"anyenum", 3500, TYPCAT_ENUM, false},
    /* oid is numeric and preferred in its category, as in PostgreSQL's pg_type */
    [TYPE_OID] = {"oid", 26, TYPCAT_NUMERIC, true},
    [TYPE_OID_ARRAY] = {"oid[]", 1028, TYPCAT_ARRAY, false},
    /* anyarray: a value's own oid is user_type_array_oid of its typmod */
    [TYPE_ENUM_ARRAY] = {"anyenum[]", 2277, TYPCAT_ARRAY, false},
};

static bool type_id_valid(TypeId id)
{
    return (int)id >= 0 && id < TYPE_COUNT;
}

const char *type_id_name(TypeId id)
{
    return type_id_valid(id) ? TYPE_INFO[id].name : "???";
}

const char *type_name(SqlType t, Arena *a)
{
    if (!type_id_valid(t.id)) {
        return "???";
    }
    if (t.id == TYPE_ENUM) {
        return enum_type_name(t.typmod);
    }
    if (t.typmod < 0) {
        return TYPE_INFO[t.id].name;
    }
    if (type_is_array(t.id)) {
        const char *elem = type_name(sql_type_mod(type_array_elem(t.id), t.typmod), a);
        return elem != NULL ? arena_sprintf(a, "%s[]", elem) : NULL;
    }
    switch (t.id) {
    case TYPE_VARCHAR:
        return arena_sprintf(a, "character varying(%d)", (int)t.typmod);
    case TYPE_BPCHAR:
        return arena_sprintf(a, "character(%d)", (int)t.typmod);
    case TYPE_NUMERIC:
        return arena_sprintf(a, "numeric(%d,%d)", numeric_typmod_precision(t.typmod),
                             numeric_typmod_scale(t.typmod));
    case TYPE_TIME:
        return arena_sprintf(a, "time(%d) without time zone", (int)t.typmod);
    case TYPE_TIMESTAMP:
        return arena_sprintf(a, "timestamp(%d) without time zone", (int)t.typmod);
    case TYPE_TIMESTAMPTZ:
        return arena_sprintf(a, "timestamp(%d) with time zone", (int)t.typmod);
    case TYPE_INTERVAL:
        return arena_sprintf(a, "interval(%d)", (int)t.typmod);
    default:
        return TYPE_INFO[t.id].name;
    }
}

uint32_t type_oid(TypeId id)
{
    return type_id_valid(id) ? TYPE_INFO[id].oid : 0;
}

uint32_t type_value_oid(SqlType t)
{
    if (t.id == TYPE_ENUM && t.typmod >= 0) {
        return (uint32_t)t.typmod;
    }
    if (t.id == TYPE_ENUM_ARRAY && t.typmod >= 0) {
        return user_type_array_oid((uint64_t)t.typmod);
    }
    return type_oid(t.id);
}

bool type_from_oid(uint32_t oid, TypeId *out)
{
    for (int id = 0; id < TYPE_COUNT; id++) {
        /* anyarray (2277) is no type of values: an enum array has its own oid */
        if (TYPE_INFO[id].oid == oid && id != TYPE_ENUM_ARRAY) {
            *out = (TypeId)id;
            return true;
        }
    }
    return false;
}

TypeCategory type_category(TypeId id)
{
    return type_id_valid(id) ? TYPE_INFO[id].category : TYPCAT_UNKNOWN;
}

bool type_is_preferred(TypeId id)
{
    return type_id_valid(id) && TYPE_INFO[id].is_preferred;
}

bool type_is_comparable(TypeId id)
{
    return id != TYPE_JSON && id != TYPE_JSON_ARRAY && type_id_valid(id);
}

bool type_is_hashable(TypeId id)
{
    return id != TYPE_JSON && id != TYPE_JSON_ARRAY && type_id_valid(id);
}

typedef struct TypeAlias {
    const char *name;
    TypeId id;
    char modifier_kind; /* 'n' none, 'l' length, 'p' numeric, 't' time precision, 'f' float(p) */
} TypeAlias;

static const TypeAlias ALIASES[] = {
    {"bool", TYPE_BOOL, 'n'},
    {"boolean", TYPE_BOOL, 'n'},
    {"int2", TYPE_INT2, 'n'},
    {"smallint", TYPE_INT2, 'n'},
    {"int", TYPE_INT4, 'n'},
    {"int4", TYPE_INT4, 'n'},
    {"integer", TYPE_INT4, 'n'},
    {"int8", TYPE_INT8, 'n'},
    {"bigint", TYPE_INT8, 'n'},
    {"real", TYPE_FLOAT4, 'n'},
    {"float4", TYPE_FLOAT4, 'n'},
    {"float8", TYPE_FLOAT8, 'n'},
    {"double precision", TYPE_FLOAT8, 'n'},
    {"float", TYPE_FLOAT8, 'f'},
    {"numeric", TYPE_NUMERIC, 'p'},
    {"decimal", TYPE_NUMERIC, 'p'},
    {"dec", TYPE_NUMERIC, 'p'},
    {"text", TYPE_TEXT, 'n'},
    {"varchar", TYPE_VARCHAR, 'l'},
    {"character varying", TYPE_VARCHAR, 'l'},
    {"char varying", TYPE_VARCHAR, 'l'},
    {"char", TYPE_BPCHAR, 'c'},
    {"character", TYPE_BPCHAR, 'c'},
    {"bpchar", TYPE_BPCHAR, 'l'},
    {"bytea", TYPE_BYTEA, 'n'},
    {"date", TYPE_DATE, 'n'},
    {"time", TYPE_TIME, 't'},
    {"time without time zone", TYPE_TIME, 't'},
    {"timestamp", TYPE_TIMESTAMP, 't'},
    {"timestamp without time zone", TYPE_TIMESTAMP, 't'},
    {"timestamptz", TYPE_TIMESTAMPTZ, 't'},
    {"timestamp with time zone", TYPE_TIMESTAMPTZ, 't'},
    {"interval", TYPE_INTERVAL, 't'},
    {"uuid", TYPE_UUID, 'n'},
    {"json", TYPE_JSON, 'n'},
    {"jsonb", TYPE_JSONB, 'n'},
    /* no jsonpath type: the name reads as text, so '$.a'::jsonpath reaches the
     * jsonb_path_* functions (which parse it) as PostgreSQL code writes it */
    {"jsonpath", TYPE_TEXT, 'n'},
    {"int2vector", TYPE_INT2VECTOR, 'n'},
    {"oidvector", TYPE_OIDVECTOR, 'n'},
    {"oid", TYPE_OID, 'n'},
    {"unknown", TYPE_UNKNOWN, 'n'},
};

static int modifiers_apply(const TypeAlias *alias, const char *name, const int32_t *mods,
                           int mod_count, SqlType *out, Error *err)
{
    out->id = alias->id;
    out->typmod = -1;
    switch (alias->modifier_kind) {
    case 'n':
        if (mod_count > 0) {
            return error_set(err, SQLSTATE_SYNTAX_ERROR,
                             "type modifier is not allowed for type \"%s\"", name);
        }
        return STRATA_OK;
    case 'f':
        if (mod_count == 0) {
            return STRATA_OK;
        }
        if (mod_count > 1 || mods[0] < 1) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "precision for type float must be at least 1 bit");
        }
        if (mods[0] > 53) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "precision for type float must be less than 54 bits");
        }
        out->id = mods[0] <= 24 ? TYPE_FLOAT4 : TYPE_FLOAT8;
        return STRATA_OK;
    case 'p': {
        if (mod_count == 0) {
            return STRATA_OK;
        }
        if (mod_count > 2) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "invalid NUMERIC type modifier");
        }
        int32_t precision = mods[0], scale = mod_count == 2 ? mods[1] : 0;
        if (precision < 1 || precision > DECIMAL_PRECISION_MAX) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "NUMERIC precision %d must be between 1 and %d", (int)precision,
                             DECIMAL_PRECISION_MAX);
        }
        if (scale < 0 || scale > precision) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "NUMERIC scale %d must be between 0 and precision %d", (int)scale,
                             (int)precision);
        }
        out->typmod = numeric_typmod(precision, scale);
        return STRATA_OK;
    }
    case 'c':
    case 'l':
        if (mod_count == 0) {
            if (alias->modifier_kind == 'c') {
                out->typmod = 1; /* char without length is char(1) */
            }
            return STRATA_OK;
        }
        if (mod_count > 1) {
            return error_set(err, SQLSTATE_SYNTAX_ERROR, "invalid type modifier");
        }
        if (mods[0] < 1) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "length for type %s must be at least 1",
                             alias->id == TYPE_VARCHAR ? "varchar" : "char");
        }
        if (mods[0] > 10485760) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "length for type %s cannot exceed 10485760",
                             alias->id == TYPE_VARCHAR ? "varchar" : "char");
        }
        out->typmod = mods[0];
        return STRATA_OK;
    case 't':
        if (mod_count == 0) {
            return STRATA_OK;
        }
        if (mod_count > 1 || mods[0] < 0) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "%s precision must not be negative", TYPE_INFO[alias->id].name);
        }
        out->typmod = mods[0] > 6 ? 6 : mods[0];
        return STRATA_OK;
    }
    return STRATA_OK;
}

/* "_int4" (pg_type's name of an array type) and "integer[]". */
static int array_from_name(const char *lower, size_t length, const int32_t *mods, int mod_count,
                           SqlType *out, Error *err)
{
    char elem_name[64];
    if (lower[0] == '_') {
        memcpy(elem_name, lower + 1, length);
    } else {
        memcpy(elem_name, lower, length - 2);
        elem_name[length - 2] = '\0';
    }
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++) {
        if (strcmp(ALIASES[i].name, elem_name) == 0 && ALIASES[i].id != TYPE_UNKNOWN) {
            int rc = modifiers_apply(&ALIASES[i], elem_name, mods, mod_count, out, err);
            out->id = type_array_of(out->id);
            return rc;
        }
    }
    /* an array of an enum (mood[], _mood) */
    if (mod_count == 0 && user_type_find(elem_name, out) && out->id == TYPE_ENUM) {
        out->id = TYPE_ENUM_ARRAY;
        return STRATA_OK;
    }
    return -1; /* not an array name: the caller reports 42704 */
}

int type_from_name(const char *name, const int32_t *mods, int mod_count, SqlType *out, Error *err)
{
    char lower[64];
    size_t length = strlen(name);
    if (length < sizeof lower) {
        for (size_t i = 0; i <= length; i++) {
            lower[i] = (char)tolower((unsigned char)name[i]);
        }
        if (strncmp(lower, "pg_catalog.", 11) == 0) {
            memmove(lower, lower + 11, length - 10);
        }
        for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++) {
            if (strcmp(ALIASES[i].name, lower) == 0) {
                return modifiers_apply(&ALIASES[i], lower, mods, mod_count, out, err);
            }
        }
        length = strlen(lower);
        if (length > 2 && (lower[0] == '_' || strcmp(lower + length - 2, "[]") == 0)) {
            int rc = array_from_name(lower, length, mods, mod_count, out, err);
            if (rc != -1) {
                return rc;
            }
        }
    }
    if (mod_count == 0 && user_type_find(name, out)) {
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
}
