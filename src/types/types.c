/*
 * types/types.c - physical kinds of SQL types (see types.h).
 */
#include "types/types.h"

#include "util/assert.h"

PhysKind type_phys(TypeId id)
{
    switch (id) {
    case TYPE_BOOL:
        return PHYS_BOOL;
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
    case TYPE_DATE:
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
        return PHYS_I64;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        return PHYS_F64;
    case TYPE_NUMERIC:
        return PHYS_DECIMAL;
    case TYPE_INTERVAL:
        return PHYS_INTERVAL;
    case TYPE_UUID:
        return PHYS_UUID;
    case TYPE_UNKNOWN:
    case TYPE_TEXT:
    case TYPE_VARCHAR:
    case TYPE_BPCHAR:
    case TYPE_BYTEA:
    case TYPE_JSON:
    case TYPE_JSONB:
    default: /* arrays, TYPE_COUNT */
        return PHYS_STRING;
    }
    return PHYS_STRING;
}

int phys_width(PhysKind kind)
{
    switch (kind) {
    case PHYS_BOOL:
        return (int)sizeof(bool);
    case PHYS_I64:
        return (int)sizeof(int64_t);
    case PHYS_F64:
        return (int)sizeof(double);
    case PHYS_DECIMAL:
        return (int)sizeof(Decimal);
    case PHYS_STRING:
        return (int)sizeof(StrRef);
    case PHYS_INTERVAL:
        return (int)sizeof(Interval);
    case PHYS_UUID:
        return (int)sizeof(Uuid);
    }
    return 0;
}
