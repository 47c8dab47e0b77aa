/*
 * api/api_binary.c - PostgreSQL's binary format through the C API:
 * strata_pg_binary_supported, strata_column_pg_binary, strata_bind_pg_binary
 * (include/strata.h). The encodings themselves are types/pg_binary.c; this
 * file maps PostgreSQL type OIDs to strata's types and keeps the results'
 * lifetimes (a column's bytes live in the statement's row arena until the
 * next step, a bound value is copied into the parameter slot).
 *
 * See src/api/README.md.
 */
#include "api/api_int.h"
#include "types/pg_binary.h"
#include "types/typeinfo.h"

/* PostgreSQL types a parameter may be declared as that strata represents by
 * one of its own: oid (4 bytes, unsigned) as bigint, name / char / unknown as
 * text. */
enum {
    OID_CHAR = 18,
    OID_NAME = 19,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_UNKNOWN = 705,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043
};

STRATA_API int strata_pg_binary_supported(uint32_t type_oid)
{
    TypeId id;
    if (type_oid == OID_NAME || type_oid == OID_CHAR || type_oid == OID_OID) {
        return 1;
    }
    return type_from_oid(type_oid, &id) && pg_binary_can_send(id) ? 1 : 0;
}

STRATA_API int strata_column_pg_binary(strata_stmt *stmt, int column, const void **data,
                                       int *length_bytes)
{
    if (stmt == NULL || data == NULL || length_bytes == NULL) {
        return STRATA_MISUSE;
    }
    *data = NULL;
    *length_bytes = 0;
    Value v;
    if (!api_stmt_current_value(stmt, column, &v) || v.is_null) {
        return STRATA_OK;
    }
    Error err;
    error_clear(&err);
    if (!pg_binary_can_send(v.type.id)) {
        error_set(&err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                  "binary output format is not supported for type %s", type_id_name(v.type.id));
        return api_conn_error(stmt->conn, &err);
    }
    StrRef bytes;
    if (pg_binary_send(&v, stmt->row_arena, &bytes, &err) != STRATA_OK) {
        return api_conn_error(stmt->conn, &err);
    }
    *data = bytes.ptr;
    *length_bytes = (int)bytes.len;
    return STRATA_OK;
}

/* The type PostgreSQL would receive $index as when the client named none: the
 * one the plan inferred, else untyped text. */
static SqlType inferred_type(const strata_stmt *stmt, int index)
{
    if (stmt->kind == STMT_PLANNED && stmt->plan != NULL) {
        const PlanInfo *info = plan_info(stmt->plan);
        if (index <= info->param_count && info->param_types[index - 1].id != TYPE_UNKNOWN) {
            return info->param_types[index - 1];
        }
    }
    return sql_type(TYPE_UNKNOWN);
}

/* The type to read a value declared as type_oid as (false: none). */
static bool receive_type(const strata_stmt *stmt, int index, uint32_t type_oid, SqlType *out)
{
    TypeId id;
    if (type_oid == 0) {
        *out = inferred_type(stmt, index);
        /* An enum's binary form is its label: read it as untyped text, as
         * strata_bind_text does, and cast to the enum when bound or run. */
        if (out->id == TYPE_ENUM) {
            *out = sql_type(TYPE_UNKNOWN);
        }
        return true;
    }
    /* Text declared as any string type is read (UTF-8 checked) as untyped
     * text, exactly as a text-format parameter: it then converts to whatever
     * the statement uses it as. */
    if (type_oid == OID_NAME || type_oid == OID_CHAR || type_oid == OID_UNKNOWN ||
        type_oid == OID_TEXT || type_oid == OID_VARCHAR || type_oid == OID_BPCHAR) {
        *out = sql_type(TYPE_UNKNOWN);
        return true;
    }
    if (type_from_oid(type_oid, &id) && pg_binary_can_recv(id)) {
        *out = sql_type(id);
        return true;
    }
    SqlType inferred = inferred_type(stmt, index);
    if (inferred.id == TYPE_ENUM && inferred.typmod == (int32_t)type_oid) {
        *out = sql_type(TYPE_UNKNOWN); /* the enum's label, cast when bound or run */
        return true;
    }
    return false;
}

STRATA_API int strata_bind_pg_binary(strata_stmt *stmt, int index, uint32_t type_oid,
                                     const void *data, int length_bytes)
{
    if (stmt == NULL || length_bytes < 0 || (data == NULL && length_bytes > 0)) {
        return STRATA_MISUSE;
    }
    Error err;
    error_clear(&err);
    SqlType type;
    if (!receive_type(stmt, index, type_oid, &type)) {
        error_set(&err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                  "binary format for parameter %d of type %u is not supported", index, type_oid);
        return api_conn_error(stmt->conn, &err);
    }
    Value v;
    const uint8_t *bytes = data != NULL ? data : (const uint8_t *)"";
    int rc;
    if (type_oid == OID_OID) {
        /* an oid is an unsigned 4-byte number; strata's oids are bigint */
        if (length_bytes != 4) {
            rc = error_set(&err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                           "incorrect binary data format");
        } else {
            v = value_i64(TYPE_INT8, (int64_t)((uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 |
                                               (uint32_t)bytes[2] << 8 | bytes[3]));
            rc = STRATA_OK;
        }
    } else {
        rc = pg_binary_recv(type, bytes, (size_t)length_bytes, stmt->row_arena, &v, &err);
    }
    if (rc != STRATA_OK) {
        return api_conn_error(stmt->conn, &err);
    }
    /* v's strings stay in the row arena until the next step; the slot gets a copy */
    return api_stmt_bind_value(stmt, index, &v);
}

STRATA_API uint32_t strata_bind_parameter_type_oid(strata_stmt *stmt, int index)
{
    if (stmt == NULL || index < 1 || stmt->kind != STMT_PLANNED || stmt->plan == NULL) {
        return 0;
    }
    const PlanInfo *info = plan_info(stmt->plan);
    if (index > info->param_count) {
        return 0;
    }
    SqlType type = info->param_types[index - 1];
    if ((type.id == TYPE_ENUM || type.id == TYPE_ENUM_ARRAY) && type.typmod < 0) {
        return 0;
    }
    return type.id == TYPE_UNKNOWN ? 0 : type_value_oid(type);
}
