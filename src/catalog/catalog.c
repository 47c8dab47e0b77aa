/*
 * catalog/catalog.c - building immutable Catalog snapshots from encoded
 * records, lookups, and reference counting.
 *
 * A Catalog is built once (catalog_build) from the records of the system
 * table plus the built-in schemas and system views, and never changes; every
 * lookup is a read of immutable memory, so connections share it without locks.
 *
 * Threads: see catalog.h.
 * See src/catalog/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "catalog/partition.h"
#include "util/assert.h"

static atomic_uint_fast64_t next_version = 1;

/* ---- build ------------------------------------------------------------------- */

static int compare_objects(const void *a, const void *b)
{
    const CatObject *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int compare_tables(const void *a, const void *b)
{
    const CatTable *x = *(const CatTable *const *)a, *y = *(const CatTable *const *)b;
    int c = strcmp(x->schema, y->schema);
    return c != 0 ? c : strcmp(x->name, y->name);
}

static int compare_schemas(const void *a, const void *b)
{
    const CatSchema *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static int compare_sequences(const void *a, const void *b)
{
    const CatSequence *x = *(const CatSequence *const *)a, *y = *(const CatSequence *const *)b;
    int c = strcmp(x->schema, y->schema);
    return c != 0 ? c : strcmp(x->name, y->name);
}

static int compare_roles(const void *a, const void *b)
{
    return strcmp(((const CatRole *)a)->name, ((const CatRole *)b)->name);
}

static int compare_types(const void *a, const void *b)
{
    const CatType *x = a, *y = b;
    int c = strcmp(x->schema, y->schema);
    return c != 0 ? c : strcmp(x->name, y->name);
}

static int compare_fk(const void *a, const void *b)
{
    const FkRef *x = a, *y = b;
    return x->ref_table_id < y->ref_table_id ? -1 : x->ref_table_id > y->ref_table_id;
}

static int decode_objects(Catalog *c, int *table_count, int *sequence_count, Error *err)
{
    int rc = STRATA_OK;
    for (int k = 0; k < c->object_count && rc == STRATA_OK; k++) {
        const CatObject *o = &c->objects[k];
        if (o->kind == CAT_OBJ_SCHEMA) {
            CatSchema *s;
            rc = cat_decode_schema(o->data, o->size_bytes, c->arena, &s, err);
            if (rc == STRATA_OK) {
                c->schemas[c->schema_count++] = *s;
            }
        } else if (o->kind == CAT_OBJ_TABLE) {
            CatTable *t;
            rc = cat_decode_table(o->data, o->size_bytes, c->arena, &t, err);
            if (rc == STRATA_OK) {
                rc = cat_table_finish(t, c->arena, err);
            }
            if (rc == STRATA_OK) {
                c->tables[(*table_count)++] = t;
            }
        } else if (o->kind == CAT_OBJ_ROLE) {
            CatRole *role;
            rc = cat_decode_role(o->data, o->size_bytes, c->arena, &role, err);
            if (rc == STRATA_OK) {
                c->roles[c->role_count++] = *role;
            }
        } else if (o->kind == CAT_OBJ_TYPE) {
            CatType *type;
            rc = cat_decode_type(o->data, o->size_bytes, c->arena, &type, err);
            if (rc == STRATA_OK) {
                c->types[c->type_count++] = *type;
            }
        } else if (o->kind == CAT_OBJ_DATABASE) {
            CatSchema *s;
            rc = cat_decode_schema(o->data, o->size_bytes, c->arena, &s, err);
            if (rc == STRATA_OK) {
                c->database = (CatDatabase){.owner_id = s->owner_id, .has_acl = s->has_acl,
                                            .acl_count = s->acl_count, .acl = s->acl};
            }
        } else if (o->kind == CAT_OBJ_SEQUENCE) {
            CatSequence *s;
            rc = cat_decode_sequence(o->data, o->size_bytes, c->arena, &s, err);
            if (rc == STRATA_OK) {
                c->sequences[(*sequence_count)++] = s;
            }
        }
    }
    return rc;
}

static int build_fk_index(Catalog *c, Error *err)
{
    int n = 0;
    for (int k = 0; k < c->table_count; k++) {
        const CatTable *t = c->tables[k];
        for (int con = 0; con < t->constraint_count; con++) {
            n += t->constraints[con].kind == CAT_CONSTRAINT_FOREIGN;
        }
    }
    if (n == 0) {
        return STRATA_OK;
    }
    FkRef *refs = arena_alloc(c->arena, sizeof(FkRef) * (size_t)n);
    c->fk_constraints = arena_alloc(c->arena, sizeof(void *) * (size_t)n);
    c->fk_owners = arena_alloc(c->arena, sizeof(void *) * (size_t)n);
    c->fk_ref_ids = arena_alloc(c->arena, sizeof(uint64_t) * (size_t)n);
    if (refs == NULL || c->fk_constraints == NULL || c->fk_owners == NULL ||
        c->fk_ref_ids == NULL) {
        return arena_error(c->arena, err);
    }
    int at = 0;
    for (int k = 0; k < c->table_count; k++) {
        const CatTable *t = c->tables[k];
        for (int con = 0; con < t->constraint_count; con++) {
            if (t->constraints[con].kind == CAT_CONSTRAINT_FOREIGN) {
                refs[at].ref_table_id = t->constraints[con].ref_table_id;
                refs[at].constraint = &t->constraints[con];
                refs[at].owner = t;
                at++;
            }
        }
    }
    qsort(refs, (size_t)n, sizeof(FkRef), compare_fk);
    for (int k = 0; k < n; k++) {
        c->fk_constraints[k] = refs[k].constraint;
        c->fk_owners[k] = refs[k].owner;
        c->fk_ref_ids[k] = refs[k].ref_table_id;
    }
    c->fk_count = n;
    return STRATA_OK;
}

static void add_builtin_schema(Catalog *c, uint64_t id, const char *name)
{
    CatSchema *s = &c->schemas[c->schema_count++];
    s->id = id;
    s->name = name;
    s->is_builtin = true;
}

/* pg_database_owner (catalog.h), in a database that has roles (one made before roles
 * existed has none and runs as its implicit superuser: api_role_is_superuser), and
 * as the owner of a public schema never given to another role. */
static void add_database_owner_role(Catalog *c)
{
    bool has_roles = false;
    for (int k = 0; k < c->role_count; k++) {
        if (c->roles[k].id == CAT_ID_DATABASE_OWNER_ROLE) {
            return;
        }
        has_roles |= c->roles[k].id == CAT_ID_BOOTSTRAP_ROLE;
    }
    if (!has_roles) {
        return;
    }
    c->roles[c->role_count++] = (CatRole){.id = CAT_ID_DATABASE_OWNER_ROLE,
                                          .name = "pg_database_owner",
                                          .inherit = true,
                                          .connection_limit = -1};
    for (int k = 0; k < c->schema_count; k++) {
        if (c->schemas[k].id == CAT_ID_PUBLIC && c->schemas[k].owner_id == 0) {
            c->schemas[k].owner_id = CAT_ID_DATABASE_OWNER_ROLE;
        }
    }
}

int catalog_build(const CatObject *objects, int object_count, uint64_t disk_version, Catalog **out,
                  Error *err)
{
    *out = NULL;
    Arena *arena = arena_create(NULL, 0, "catalog");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    Catalog *c = arena_zalloc(arena, sizeof(*c));
    int slots = object_count + 2;
    if (c == NULL) {
        goto out_nomem;
    }
    c->arena = arena;
    atomic_init(&c->refcount, 1);
    c->version = atomic_fetch_add(&next_version, 1);
    c->disk_version = disk_version;
    c->objects = arena_alloc(arena, sizeof(CatObject) * (size_t)(object_count ? object_count : 1));
    c->schemas = arena_zalloc(arena, sizeof(CatSchema) * (size_t)slots);
    c->tables = arena_alloc(arena, sizeof(void *) * (size_t)(slots + cat_sysview_count()));
    c->sequences = arena_alloc(arena, sizeof(void *) * (size_t)slots);
    c->roles = arena_zalloc(arena, sizeof(CatRole) * (size_t)slots);
    c->types = arena_zalloc(arena, sizeof(CatType) * (size_t)slots);
    if (c->objects == NULL || c->schemas == NULL || c->tables == NULL || c->sequences == NULL ||
        c->roles == NULL || c->types == NULL) {
        goto out_nomem;
    }
    for (int k = 0; k < object_count; k++) {
        c->objects[k] = objects[k];
        c->objects[k].data = cat_copy_bytes(arena, objects[k].data, objects[k].size_bytes);
        if (c->objects[k].data == NULL) {
            goto out_nomem;
        }
    }
    c->object_count = object_count;
    qsort(c->objects, (size_t)object_count, sizeof(CatObject), compare_objects);
    add_builtin_schema(c, CAT_ID_PG_CATALOG, "pg_catalog");
    add_builtin_schema(c, CAT_ID_INFORMATION_SCHEMA, "information_schema");
    int table_count = 0, sequence_count = 0;
    int rc = decode_objects(c, &table_count, &sequence_count, err);
    if (rc != STRATA_OK) {
        arena_destroy(arena);
        return rc;
    }
    for (int k = 0; k < c->schema_count; k++) {
        if (strcmp(c->schemas[k].name, "public") == 0) {
            c->schemas[k].is_builtin = true;
        }
    }
    add_database_owner_role(c);
    int added = cat_sysview_build(arena, c->tables + table_count);
    if (added < 0) {
        goto out_nomem;
    }
    c->table_count = table_count + added;
    c->sequence_count = sequence_count;
    qsort(c->tables, (size_t)c->table_count, sizeof(void *), compare_tables);
    qsort(c->schemas, (size_t)c->schema_count, sizeof(CatSchema), compare_schemas);
    qsort(c->sequences, (size_t)c->sequence_count, sizeof(void *), compare_sequences);
    qsort(c->roles, (size_t)c->role_count, sizeof(CatRole), compare_roles);
    qsort(c->types, (size_t)c->type_count, sizeof(CatType), compare_types);
    rc = build_fk_index(c, err);
    if (rc == STRATA_OK) {
        rc = cat_partition_link(arena, c->tables, c->table_count, err);
    }
    if (rc != STRATA_OK) {
        arena_destroy(arena);
        return rc;
    }
    *out = c;
    return STRATA_OK;
out_nomem:
    rc = arena_error(arena, err);
    arena_destroy(arena);
    return rc;
}

/* ---- reference counting ---------------------------------------------------------- */

void catalog_retain(const Catalog *c)
{
    if (c != NULL) {
        atomic_fetch_add(&((Catalog *)c)->refcount, 1);
    }
}

void catalog_release(const Catalog *c)
{
    if (c == NULL) {
        return;
    }
    Catalog *m = (Catalog *)c;
    if (atomic_fetch_sub(&m->refcount, 1) == 1) {
        arena_destroy(m->arena);
    }
}

uint64_t catalog_version(const Catalog *c)
{
    return c->version;
}
uint64_t catalog_disk_version_of(const Catalog *c)
{
    return c->disk_version;
}

/* ---- lookups ------------------------------------------------------------------- */

static const CatTable *find_in_schema(const Catalog *c, const char *schema, const char *name)
{
    int lo = 0, hi = c->table_count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const CatTable *t = c->tables[mid];
        int cmp = strcmp(t->schema, schema);
        if (cmp == 0) {
            cmp = strcmp(t->name, name);
        }
        if (cmp == 0) {
            return t;
        }
        if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return NULL;
}

static const char *const default_path[] = {"public", "information_schema"};

const CatTable *catalog_find_table_in_path(const Catalog *c, const char *const *path,
                                           int path_count, const char *name)
{
    bool has_pg_catalog = false;
    for (int k = 0; k < path_count; k++) {
        has_pg_catalog |= strcmp(path[k], "pg_catalog") == 0;
    }
    if (!has_pg_catalog) {
        const CatTable *t = find_in_schema(c, "pg_catalog", name);
        if (t != NULL) {
            return t;
        }
    }
    for (int k = 0; k < path_count; k++) {
        const CatTable *t = find_in_schema(c, path[k], name);
        if (t != NULL) {
            return t;
        }
    }
    return NULL;
}

/* The session's search path for this thread (catalog_set_thread_search_path). */
static __thread const char *const *thread_path;
static __thread int thread_path_count;

void catalog_set_thread_search_path(const char *const *path, int count)
{
    thread_path = path;
    thread_path_count = count;
}

int catalog_search_path(const char *const **out)
{
    if (thread_path != NULL) {
        *out = thread_path;
        return thread_path_count;
    }
    *out = default_path;
    return 1; /* "public" */
}

/* The session's temporary schema, which the name pg_temp stands for. */
static __thread const char *thread_temp_schema;

void catalog_set_thread_temp_schema(const char *schema)
{
    thread_temp_schema = schema;
}

const char *catalog_resolve_schema_name(const char *schema)
{
    if (schema != NULL && thread_temp_schema != NULL && strcmp(schema, "pg_temp") == 0) {
        return thread_temp_schema;
    }
    return schema;
}

const CatTable *catalog_find_table(const Catalog *c, const char *schema, const char *name)
{
    if (schema != NULL) {
        return find_in_schema(c, catalog_resolve_schema_name(schema), name);
    }
    if (thread_path != NULL) {
        const CatTable *t = catalog_find_table_in_path(c, thread_path, thread_path_count, name);
        /* information_schema stays reachable after the session's path, as
         * the default path promises (catalog.h). */
        return t != NULL ? t : find_in_schema(c, "information_schema", name);
    }
    return catalog_find_table_in_path(c, default_path, 2, name);
}

const CatTable *catalog_table_by_id(const Catalog *c, uint64_t id)
{
    for (int k = 0; k < c->table_count; k++) {
        if (c->tables[k]->id == id) {
            return c->tables[k];
        }
    }
    return NULL;
}

static bool schema_matches(const char *want, const char *have)
{
    if (want != NULL) {
        return strcmp(catalog_resolve_schema_name(want), have) == 0;
    }
    if (thread_path != NULL) {
        for (int k = 0; k < thread_path_count; k++) {
            if (strcmp(thread_path[k], have) == 0) {
                return true;
            }
        }
        return strcmp(have, "pg_catalog") == 0;
    }
    return strcmp(have, "public") == 0 || strcmp(have, "pg_catalog") == 0 ||
           strcmp(have, "information_schema") == 0;
}

const CatIndex *catalog_find_index(const Catalog *c, const char *schema, const char *name,
                                   const CatTable **owner)
{
    for (int k = 0; k < c->table_count; k++) {
        const CatTable *t = c->tables[k];
        if (!schema_matches(schema, t->schema)) {
            continue;
        }
        for (int x = 0; x < t->index_count; x++) {
            if (strcmp(t->indexes[x]->name, name) == 0) {
                if (owner != NULL) {
                    *owner = t;
                }
                return t->indexes[x];
            }
        }
    }
    return NULL;
}

const CatIndex *catalog_index_by_id(const Catalog *c, uint64_t id, const CatTable **owner)
{
    for (int k = 0; k < c->table_count; k++) {
        const CatTable *t = c->tables[k];
        for (int x = 0; x < t->index_count; x++) {
            if (t->indexes[x]->id == id) {
                if (owner != NULL) {
                    *owner = t;
                }
                return t->indexes[x];
            }
        }
    }
    return NULL;
}

const CatSequence *catalog_find_sequence(const Catalog *c, const char *schema, const char *name)
{
    for (int k = 0; k < c->sequence_count; k++) {
        const CatSequence *s = c->sequences[k];
        if (strcmp(s->name, name) == 0 && schema_matches(schema, s->schema)) {
            return s;
        }
    }
    return NULL;
}

int catalog_type_count(const Catalog *c)
{
    return c->type_count;
}

const CatType *catalog_type_at(const Catalog *c, int index)
{
    ST_ASSERT(index >= 0 && index < c->type_count);
    return &c->types[index];
}

const CatType *catalog_find_type(const Catalog *c, const char *schema, const char *name)
{
    for (int k = 0; k < c->type_count; k++) {
        const CatType *t = &c->types[k];
        if (strcmp(t->name, name) == 0 && schema_matches(schema, t->schema)) {
            return t;
        }
    }
    return NULL;
}

const CatType *catalog_type_by_id(const Catalog *c, uint64_t id)
{
    for (int k = 0; k < c->type_count; k++) {
        if (c->types[k].id == id) {
            return &c->types[k];
        }
    }
    return NULL;
}

int catalog_table_count(const Catalog *c)
{
    return c->table_count;
}
const CatTable *catalog_table_at(const Catalog *c, int index)
{
    ST_ASSERT(index >= 0 && index < c->table_count);
    return c->tables[index];
}
int catalog_schema_count(const Catalog *c)
{
    return c->schema_count;
}
const CatSchema *catalog_schema_at(const Catalog *c, int index)
{
    ST_ASSERT(index >= 0 && index < c->schema_count);
    return &c->schemas[index];
}
const CatSchema *catalog_find_schema(const Catalog *c, const char *name)
{
    name = catalog_resolve_schema_name(name);
    for (int k = 0; k < c->schema_count; k++) {
        if (strcmp(c->schemas[k].name, name) == 0) {
            return &c->schemas[k];
        }
    }
    return NULL;
}
int catalog_sequence_count(const Catalog *c)
{
    return c->sequence_count;
}
const CatSequence *catalog_sequence_at(const Catalog *c, int index)
{
    ST_ASSERT(index >= 0 && index < c->sequence_count);
    return c->sequences[index];
}

void catalog_foreign_keys_referencing(const Catalog *c, uint64_t table_id,
                                      const CatConstraint *const **out,
                                      const CatTable *const **owners, int *count)
{
    int first = -1, n = 0;
    for (int k = 0; k < c->fk_count; k++) {
        if (c->fk_ref_ids[k] == table_id) {
            if (first < 0) {
                first = k;
            }
            n++;
        }
    }
    *count = n;
    *out = n ? (const CatConstraint *const *)&c->fk_constraints[first] : NULL;
    *owners = n ? (const CatTable *const *)&c->fk_owners[first] : NULL;
}

int cat_table_column_index(const CatTable *t, const char *name)
{
    for (int col = 0; col < t->column_count; col++) {
        if (strcmp(t->columns[col].name, name) == 0) {
            return col;
        }
    }
    return -1;
}

/* Internal: the encoded objects of a Catalog (catalog/edit.c copies them). */

int catalog_role_count(const Catalog *c)
{
    return c->role_count;
}

const CatRole *catalog_role_at(const Catalog *c, int index)
{
    ST_ASSERT(index >= 0 && index < c->role_count);
    return &c->roles[index];
}

const CatRole *catalog_find_role(const Catalog *c, const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (int k = 0; k < c->role_count; k++) {
        if (strcmp(c->roles[k].name, name) == 0) {
            return &c->roles[k];
        }
    }
    return NULL;
}

const CatRole *catalog_role_by_id(const Catalog *c, uint64_t id)
{
    for (int k = 0; k < c->role_count; k++) {
        if (c->roles[k].id == id) {
            return &c->roles[k];
        }
    }
    return NULL;
}

/* ---- role membership ---- */

enum { MEMBERSHIP_DEPTH_MAX = 64, MEMBERSHIP_SEEN_MAX = 128 };

typedef struct Walk {
    const Catalog *c;
    uint64_t target;
    bool need_inherit; /* follow only the memberships of roles that INHERIT */
    bool need_admin;   /* the last step must carry ADMIN OPTION */
    uint64_t seen[MEMBERSHIP_SEEN_MAX];
    int seen_count;
} Walk;

/* Depth-first over the memberships of role: whether it reaches w->target. Cycles
 * cannot be granted (GRANT checks), but a damaged catalog may hold one: the depth
 * bound and the seen list end the walk anyway. */
static bool walk_reaches(Walk *w, uint64_t role_id, int depth)
{
    const CatRole *role = catalog_role_by_id(w->c, role_id);
    if (role == NULL || depth > MEMBERSHIP_DEPTH_MAX || (w->need_inherit && !role->inherit)) {
        return false;
    }
    for (int k = 0; k < w->seen_count; k++) {
        if (w->seen[k] == role_id) {
            return false;
        }
    }
    if (w->seen_count < MEMBERSHIP_SEEN_MAX) {
        w->seen[w->seen_count++] = role_id;
    }
    /* PostgreSQL: the database owner is implicitly a member of pg_database_owner
     * (without ADMIN OPTION), and so is whoever reaches the owner */
    if (w->target == CAT_ID_DATABASE_OWNER_ROLE && !w->need_admin &&
        role_id == catalog_database_owner(w->c)) {
        return true;
    }
    for (int k = 0; k < role->member_of_count; k++) {
        const CatRoleMember *m = &role->member_of[k];
        if (m->role_id == w->target && (!w->need_admin || m->admin_option)) {
            return true;
        }
        if (walk_reaches(w, m->role_id, depth + 1)) {
            return true;
        }
    }
    return false;
}

static bool is_superuser_id(const Catalog *c, uint64_t id)
{
    const CatRole *role = catalog_role_by_id(c, id);
    return role != NULL && role->superuser;
}

bool catalog_role_reaches(const Catalog *c, uint64_t member, uint64_t role)
{
    Walk w = {.c = c, .target = role};
    return member == role || walk_reaches(&w, member, 0);
}

bool catalog_role_has_privs_of(const Catalog *c, uint64_t member, uint64_t role)
{
    if (member == role || is_superuser_id(c, member)) {
        return true;
    }
    Walk w = {.c = c, .target = role, .need_inherit = true};
    return walk_reaches(&w, member, 0);
}

bool catalog_role_is_member_of(const Catalog *c, uint64_t member, uint64_t role)
{
    return is_superuser_id(c, member) || catalog_role_reaches(c, member, role);
}

bool catalog_role_is_admin_of(const Catalog *c, uint64_t member, uint64_t role)
{
    if (is_superuser_id(c, member)) {
        return true;
    }
    /* PostgreSQL 15: member itself, or any role it is a member of, holds role WITH
     * ADMIN OPTION */
    Walk w = {.c = c, .target = role, .need_admin = true};
    return walk_reaches(&w, member, 0);
}

bool catalog_table_owned_by(const Catalog *c, const CatTable *t, uint64_t role)
{
    return catalog_role_has_privs_of(c, role, cat_table_owner(t));
}

bool catalog_table_allows(const Catalog *c, const CatTable *t, uint64_t role, uint32_t privs)
{
    if (catalog_table_owned_by(c, t, role)) {
        return true;
    }
    uint32_t held = 0;
    for (int k = 0; k < t->acl_count; k++) {
        uint64_t grantee = t->acl[k].grantee;
        if (grantee == 0 || grantee == role || catalog_role_has_privs_of(c, role, grantee)) {
            held |= t->acl[k].privileges;
        }
    }
    return (held & privs) == privs;
}

static uint32_t acl_held(const Catalog *c, const CatAclItem *acl, int count, uint64_t role,
                         bool grant_options)
{
    uint32_t held = 0;
    for (int k = 0; k < count; k++) {
        if (acl[k].grantee == 0 || catalog_role_has_privs_of(c, role, acl[k].grantee)) {
            held |= grant_options ? acl[k].grant_options : acl[k].privileges;
        }
    }
    return held;
}

uint32_t catalog_schema_privileges(const Catalog *c, const CatSchema *s, uint64_t role,
                                   bool grant_options)
{
    uint64_t owner = s->owner_id != 0 ? s->owner_id : CAT_ID_BOOTSTRAP_ROLE;
    if (catalog_role_has_privs_of(c, role, owner)) {
        return CAT_PRIV_SCHEMA_ALL;
    }
    if (!s->has_acl) {
        /* PostgreSQL 15's defaults: PUBLIC may use the built-in schemas (public included,
         * where it may no longer create) */
        return s->is_builtin && !grant_options ? CAT_PRIV_USAGE : 0;
    }
    return acl_held(c, s->acl, s->acl_count, role, grant_options);
}

uint32_t catalog_sequence_privileges(const Catalog *c, const CatSequence *s, uint64_t role,
                                     bool grant_options)
{
    uint64_t owner = s->owner_id != 0 ? s->owner_id : CAT_ID_BOOTSTRAP_ROLE;
    if (catalog_role_has_privs_of(c, role, owner)) {
        return CAT_PRIV_SEQUENCE_ALL;
    }
    return acl_held(c, s->acl, s->acl_count, role, grant_options);
}

const CatDatabase *catalog_database(const Catalog *c)
{
    return &c->database;
}

uint64_t catalog_database_owner(const Catalog *c)
{
    return c->database.owner_id != 0 ? c->database.owner_id : CAT_ID_BOOTSTRAP_ROLE;
}

uint32_t catalog_database_privileges(const Catalog *c, uint64_t role, bool grant_options)
{
    const CatDatabase *d = &c->database;
    uint64_t owner = d->owner_id != 0 ? d->owner_id : CAT_ID_BOOTSTRAP_ROLE;
    if (catalog_role_has_privs_of(c, role, owner)) {
        return CAT_PRIV_DATABASE_ALL;
    }
    if (!d->has_acl) {
        return grant_options ? 0 : CAT_PRIV_CONNECT | CAT_PRIV_TEMPORARY;
    }
    return acl_held(c, d->acl, d->acl_count, role, grant_options);
}

uint32_t catalog_column_privileges(const Catalog *c, const CatTable *t, int col, uint64_t role)
{
    if (col < 0 || col >= t->column_count) {
        return 0;
    }
    return acl_held(c, t->columns[col].acl, t->columns[col].acl_count, role, false);
}
