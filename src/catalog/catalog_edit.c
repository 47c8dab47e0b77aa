/*
 * catalog/catalog_edit.c - copy-on-write edits of the catalog (see edit.h).
 *
 * The edit holds the list of encoded records (shared with the base until
 * replaced); a put encodes into the edit arena, writes the system-table row
 * through the transaction and replaces the list entry.
 *
 * Threads: one thread (the transaction's).
 * See src/catalog/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "catalog/edit.h"

struct CatalogEdit {
    const Catalog *base;
    PagerTxn *txn;
    Arena *arena;
    CatObject *objects;
    int count;
    int capacity;
};

int catalog_edit_begin(const Catalog *base, PagerTxn *txn, CatalogEdit **out, Error *err)
{
    Arena *a = arena_create(NULL, 0, "catalog edit");
    if (a == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    CatalogEdit *e = arena_zalloc(a, sizeof(*e));
    int cap = base->object_count + 8;
    if (e == NULL || (e->objects = arena_alloc(a, sizeof(CatObject) * (size_t)cap)) == NULL) {
        int rc = arena_error(a, err);
        arena_destroy(a);
        return rc;
    }
    e->base = base;
    e->txn = txn;
    e->arena = a;
    e->capacity = cap;
    memcpy(e->objects, base->objects, sizeof(CatObject) * (size_t)base->object_count);
    e->count = base->object_count;
    *out = e;
    return STRATA_OK;
}

Arena *catalog_edit_arena(CatalogEdit *e)
{
    return e->arena;
}
const Catalog *catalog_edit_base(CatalogEdit *e)
{
    return e->base;
}

int catalog_edit_new_id(CatalogEdit *e, uint64_t *out, Error *err)
{
    uint64_t next = 0;
    pager_get_meta(e->txn, CATALOG_META_NEXT_ID, &next);
    if (next < CAT_FIRST_USER_ID) {
        next = CAT_FIRST_USER_ID;
    }
    int rc = pager_set_meta(e->txn, CATALOG_META_NEXT_ID, next + 1, err);
    if (rc == STRATA_OK) {
        *out = next;
    }
    return rc;
}

static int find_object(const CatalogEdit *e, uint64_t id)
{
    for (int k = 0; k < e->count; k++) {
        if (e->objects[k].id == id) {
            return k;
        }
    }
    return -1;
}

CatTable *catalog_edit_copy_table(CatalogEdit *e, const CatTable *t, Error *err)
{
    int at = find_object(e, t->id);
    if (at < 0) {
        error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "permission denied: \"%s\" is a system catalog",
                  t->name);
        return NULL;
    }
    CatTable *copy;
    if (cat_decode_table(e->objects[at].data, e->objects[at].size_bytes, e->arena, &copy, err) !=
        STRATA_OK) {
        return NULL;
    }
    if (cat_table_finish(copy, e->arena, err) != STRATA_OK) {
        return NULL;
    }
    return copy;
}

int catalog_edit_finish_table(CatalogEdit *e, CatTable *t, Error *err)
{
    return cat_table_finish(t, e->arena, err);
}

static int put_object(CatalogEdit *e, uint64_t id, int kind, uint8_t *data, size_t size, Error *err)
{
    if (data == NULL) {
        return arena_error(e->arena, err);
    }
    int rc = cat_store_put(e->txn, id, kind, data, size, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    int at = find_object(e, id);
    if (at < 0) {
        if (e->count == e->capacity) {
            int cap = e->capacity * 2;
            CatObject *grown =
                arena_realloc(e->arena, e->objects, sizeof(CatObject) * (size_t)e->capacity,
                              sizeof(CatObject) * (size_t)cap);
            if (grown == NULL) {
                return arena_error(e->arena, err);
            }
            e->objects = grown;
            e->capacity = cap;
        }
        at = e->count++;
    }
    e->objects[at].id = id;
    e->objects[at].kind = kind;
    e->objects[at].data = data;
    e->objects[at].size_bytes = size;
    return STRATA_OK;
}

int catalog_edit_put_table(CatalogEdit *e, const CatTable *t, Error *err)
{
    size_t size = 0;
    uint8_t *data = cat_encode_table(t, e->arena, &size);
    return put_object(e, t->id, CAT_OBJ_TABLE, data, size, err);
}

int catalog_edit_put_schema(CatalogEdit *e, const CatSchema *s, Error *err)
{
    size_t size = 0;
    uint8_t *data = cat_encode_schema(s, e->arena, &size);
    return put_object(e, s->id, CAT_OBJ_SCHEMA, data, size, err);
}

int catalog_edit_put_database(CatalogEdit *e, const CatDatabase *d, Error *err)
{
    CatSchema s = {.id = CAT_ID_DATABASE, .name = "", .owner_id = d->owner_id,
                   .has_acl = d->has_acl, .acl_count = d->acl_count, .acl = d->acl};
    size_t size = 0;
    uint8_t *data = cat_encode_schema(&s, e->arena, &size);
    return put_object(e, CAT_ID_DATABASE, CAT_OBJ_DATABASE, data, size, err);
}

int catalog_edit_put_sequence(CatalogEdit *e, const CatSequence *s, Error *err)
{
    size_t size = 0;
    uint8_t *data = cat_encode_sequence(s, e->arena, &size);
    return put_object(e, s->id, CAT_OBJ_SEQUENCE, data, size, err);
}

int catalog_edit_put_type(CatalogEdit *e, const CatType *t, Error *err)
{
    size_t size = 0;
    uint8_t *data = cat_encode_type(t, e->arena, &size);
    return put_object(e, t->id, CAT_OBJ_TYPE, data, size, err);
}

int catalog_edit_put_role(CatalogEdit *e, const CatRole *r, Error *err)
{
    size_t size = 0;
    uint8_t *data = cat_encode_role(r, e->arena, &size);
    return put_object(e, r->id, CAT_OBJ_ROLE, data, size, err);
}

bool catalog_edit_contains(const CatalogEdit *e, uint64_t id)
{
    return find_object(e, id) >= 0;
}

int catalog_edit_delete(CatalogEdit *e, uint64_t id, Error *err)
{
    int at = find_object(e, id);
    if (at < 0) {
        return STRATA_OK;
    }
    int rc = cat_store_delete(e->txn, id, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    e->objects[at] = e->objects[--e->count];
    return STRATA_OK;
}

int catalog_edit_snapshot(CatalogEdit *e, Catalog **out, Error *err)
{
    return catalog_build(e->objects, e->count, catalog_disk_version(e->txn), out, err);
}

int catalog_edit_commit(CatalogEdit *e, Catalog **out, Error *err)
{
    uint64_t version = catalog_disk_version(e->txn) + 1;
    int rc = pager_set_meta(e->txn, CATALOG_META_VERSION, version, err);
    if (rc == STRATA_OK) {
        rc = catalog_build(e->objects, e->count, version, out, err);
    }
    catalog_edit_abort(e);
    return rc;
}

void catalog_edit_abort(CatalogEdit *e)
{
    if (e != NULL) {
        arena_destroy(e->arena);
    }
}
