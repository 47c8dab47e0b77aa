/*
 * catalog/catalog_int.h - private structures shared by the .c files of
 * catalog/: the Catalog struct, the object records it is built from, and the
 * binary codec of those records.
 *
 * Never included from outside src/catalog/.
 *
 * Invariants
 *   1. A Catalog's objects[] hold the encoded record of every persisted object
 *      (schemas, tables, views, sequences); the decoded structs are derived
 *      from them by catalog_build and never edited afterwards.
 *   2. Every pointer in a decoded struct points into the Catalog's arena.
 *
 * Threads: see catalog.h (immutable after build; refcount atomic).
 */
#ifndef STRATA_CATALOG_CATALOG_INT_H
#define STRATA_CATALOG_CATALOG_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "catalog/catalog.h"
#include "util/limits.h"

/* Key columns of one index: PostgreSQL's INDEX_MAX_KEYS. */
#define LIMIT_INDEX_KEYS 32

/* Record kinds in the system table (column "kind"). */
typedef enum CatObjectKind {
    CAT_OBJ_SCHEMA = 1,
    CAT_OBJ_TABLE = 2, /* tables and views */
    CAT_OBJ_SEQUENCE = 3,
    CAT_OBJ_SEQ_VALUE = 4, /* a sequence's counter: not part of the Catalog snapshot */
    CAT_OBJ_ROLE = 5,
    CAT_OBJ_TYPE = 6, /* CREATE TYPE ... AS ENUM */
    CAT_OBJ_DATABASE = 7, /* the database's owner and privileges, in a schema's record
                           * form (id CAT_ID_DATABASE; older versions skip it) */
} CatObjectKind;

/* Sequence counter rows live at id | CAT_SEQ_VALUE_BIT. */
#define CAT_SEQ_VALUE_BIT (UINT64_C(1) << 62)

/* Object ids: user objects start at CAT_FIRST_USER_ID (as PostgreSQL's
 * FirstNormalObjectId); built-in schemas and system views use fixed ids below. */
#define CAT_FIRST_USER_ID UINT64_C(16384)
#define CAT_ID_PG_CATALOG UINT64_C(11)
#define CAT_ID_PUBLIC UINT64_C(2200)
#define CAT_ID_INFORMATION_SCHEMA UINT64_C(13000)
#define CAT_ID_SYSTEM_TABLE UINT64_C(1)
#define CAT_ID_DATABASE UINT64_C(5)
#define CAT_ID_FIRST_VIRTUAL UINT64_C(12000)

typedef struct CatObject {
    uint64_t id;
    int kind;            /* CatObjectKind */
    const uint8_t *data; /* encoded record */
    size_t size_bytes;
} CatObject;

typedef struct FkRef {
    uint64_t ref_table_id;
    const CatConstraint *constraint;
    const CatTable *owner;
} FkRef;

struct Catalog {
    atomic_int refcount;
    uint64_t version;      /* unique in the process (catalog.h invariant 2) */
    uint64_t disk_version; /* CATALOG_META_VERSION it was loaded / committed at */
    Arena *arena;
    int object_count;
    CatObject *objects; /* sorted by id */
    int schema_count;
    CatSchema *schemas; /* sorted by name */
    int table_count;
    const CatTable **tables; /* sorted by (schema, name) */
    int sequence_count;
    const CatSequence **sequences;
    int role_count;
    CatRole *roles; /* sorted by name */
    int type_count;
    CatType *types; /* sorted by (schema, name) */
    CatDatabase database; /* zero (the defaults) without a CAT_OBJ_DATABASE record */
    int fk_count;
    const CatConstraint **fk_constraints; /* sorted by referenced table id */
    const CatTable **fk_owners;
    uint64_t *fk_ref_ids;
};

/* Copies size bytes (data may be NULL when size is 0) and a NUL after them. */
static inline void *cat_copy_bytes(Arena *a, const void *data, size_t size)
{
    char *copy = arena_alloc(a, size + 1);
    if (copy != NULL) {
        if (size > 0) {
            memcpy(copy, data, size);
        }
        copy[size] = '\0';
    }
    return copy;
}

/* ---- codec (catalog_codec.c) ---------------------------------------------- */

/* Encodes a table / view record (arena a). NULL when the arena fails. */
uint8_t *cat_encode_table(const CatTable *t, Arena *a, size_t *size_bytes);
uint8_t *cat_encode_schema(const CatSchema *s, Arena *a, size_t *size_bytes);
uint8_t *cat_encode_sequence(const CatSequence *s, Arena *a, size_t *size_bytes);
uint8_t *cat_encode_role(const CatRole *r, Arena *a, size_t *size_bytes);
uint8_t *cat_encode_type(const CatType *t, Arena *a, size_t *size_bytes);

/* Decodes into arena a; the result's derived fields (desc, am) are filled by
 * cat_table_finish. Returns STRATA_OK or XX001 (corrupt record). */
int cat_decode_table(const uint8_t *data, size_t size_bytes, Arena *a, CatTable **out, Error *err);
int cat_decode_schema(const uint8_t *data, size_t size_bytes, Arena *a, CatSchema **out,
                      Error *err);
int cat_decode_sequence(const uint8_t *data, size_t size_bytes, Arena *a, CatSequence **out,
                        Error *err);

int cat_decode_role(const uint8_t *data, size_t size_bytes, Arena *a, CatRole **out, Error *err);
int cat_decode_type(const uint8_t *data, size_t size_bytes, Arena *a, CatType **out, Error *err);
/* Fills t->desc (and its arrays), t->am, and each index's desc and am, in arena a. */
int cat_table_finish(CatTable *t, Arena *a, Error *err);

/* ---- build (catalog.c) ------------------------------------------------------ */

/* Builds a Catalog (refcount 1) from encoded objects (copied), adding the
 * built-in schemas and system views. */
int catalog_build(const CatObject *objects, int object_count, uint64_t disk_version, Catalog **out,
                  Error *err);

/* ---- system views (catalog_sysview.c) -------------------------------------- */

/* Appends the built-in system views to tables[] (arena a); returns the number
 * added, or -1 when the arena fails. tables must have room for
 * cat_sysview_count() entries. */
int cat_sysview_build(Arena *a, const CatTable **tables);
int cat_sysview_count(void);

/* The system table's TableDesc (static). */
const TableDesc *cat_system_desc(uint64_t storage_root, TableDesc *out);

#endif
