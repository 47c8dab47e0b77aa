/*
 * api/api_grant.c - object privileges: GRANT / REVOKE on tables, views and
 * materialized views, the ownership rule of DDL, and the owner change of ALTER
 * ... OWNER TO.
 *
 * The model is PostgreSQL's for relations: the creating role owns a relation and
 * holds every privilege on it; other roles (or PUBLIC) hold what was granted
 * (CatTable.acl, persisted in the table's catalog record); superusers pass every
 * check. Queries are checked when they are planned (plan/bind_select.c,
 * bind_dml.c: SELECT on what a query reads, a view's contents for the view's
 * owner; INSERT / UPDATE / DELETE on a target, SELECT too when the statement
 * reads its rows); a cached plan is planned again when the session's role
 * changes. DDL on a relation needs its owner (42501 "must be owner of ...").
 * A role holds the privileges (and ownership) of the roles it inherits
 * (catalog_role_has_privs_of); GRANT role TO role is api_role_member.c.
 */
#include <stdio.h>
#include <string.h>

#include "api/ddl_int.h"

static const char *relation_word(const CatTable *t)
{
    return t->kind == CAT_VIEW ? "view" : cat_is_matview(t) ? "materialized view" : "table";
}

static bool is_superuser(Ddl *d)
{
    return api_role_is_superuser(d->conn, d->conn->catalog);
}

int api_ddl_require_owner(Ddl *d, const CatTable *t, Error *err)
{
    if (t->kind == CAT_VIRTUAL || is_superuser(d) ||
        catalog_table_owned_by(d->conn->catalog, t, d->conn->role_id)) {
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be owner of %s %s",
                     relation_word(t), t->name);
}

int api_ddl_require_privilege(Ddl *d, const CatTable *t, uint32_t privs, Error *err)
{
    if (t->kind == CAT_VIRTUAL || is_superuser(d) ||
        catalog_table_allows(d->conn->catalog, t, d->conn->role_id, privs)) {
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for %s %s",
                     relation_word(t), t->name);
}

int api_ddl_require_schema_privilege(Ddl *d, const char *schema, uint32_t privs, uint64_t role,
                                     Error *err)
{
    const Catalog *c = d->conn->catalog;
    const CatSchema *s = catalog_find_schema(c, schema);
    const CatRole *r = catalog_role_by_id(c, role);
    if (s == NULL || strncmp(schema, "pg_temp", 7) == 0 ||
        (role == d->conn->role_id && is_superuser(d)) || (r != NULL && r->superuser) ||
        (catalog_schema_privileges(c, s, role, false) & privs) == privs) {
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for schema %s",
                     schema);
}

/* The role id of an OWNER TO / grantee name: current_user and friends are the
 * session's role; public is 0 when allowed. 42704 for an unknown role. */
static int role_of(Ddl *d, const char *name, bool allow_public, uint64_t *out, Error *err)
{
    if (strcmp(name, "current_user") == 0 || strcmp(name, "current_role") == 0 ||
        strcmp(name, "session_user") == 0) {
        *out = d->conn->role_id;
        return STRATA_OK;
    }
    if (allow_public && strcmp(name, "public") == 0) {
        *out = 0;
        return STRATA_OK;
    }
    const CatRole *role = catalog_find_role(d->conn->catalog, name);
    if (role == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
    }
    *out = role->id;
    return STRATA_OK;
}

int api_ddl_set_owner(Ddl *d, CatTable *t, const char *role, Error *err)
{
    uint64_t id;
    int rc = role_of(d, role, false, &id, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if ((rc = api_ddl_require_owner(d, t, err)) != STRATA_OK) {
        return rc;
    }
    if (!is_superuser(d) && !catalog_role_is_member_of(d->conn->catalog, d->conn->role_id, id)) {
        /* PostgreSQL 15: the new owner must be a role the current one is a member of */
        const CatRole *target = catalog_role_by_id(d->conn->catalog, id);
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be member of role \"%s\"",
                         target != NULL ? target->name : role);
    }
    /* PostgreSQL: the new owner must be able to create in the schema */
    if (!is_superuser(d) && (rc = api_ddl_require_schema_privilege(d, t->schema, CAT_PRIV_CREATE,
                                                                    id, err)) != STRATA_OK) {
        return rc;
    }
    t->owner_id = id;
    return STRATA_OK;
}

/* The privileges of one kind of object: their names, and what ALL means. */
typedef struct PrivKind {
    const char *word; /* "table", "schema", "sequence" (messages) */
    uint32_t all;
} PrivKind;

static const PrivKind KIND_TABLE = {"table", CAT_PRIV_ALL};
static const PrivKind KIND_SCHEMA = {"schema", CAT_PRIV_SCHEMA_ALL};
static const PrivKind KIND_SEQUENCE = {"sequence", CAT_PRIV_SEQUENCE_ALL};
static const PrivKind KIND_DATABASE = {"database", CAT_PRIV_DATABASE_ALL};

/* The CAT_PRIV_* bit of privilege name p valid for kind: 0 when p is a known privilege
 * of another kind (0LP01 from the caller), -1 when p is no privilege at all. */
static int64_t privilege_bit(const PrivKind *kind, const char *p)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {
        {"select", CAT_PRIV_SELECT},     {"insert", CAT_PRIV_INSERT},
        {"update", CAT_PRIV_UPDATE},     {"delete", CAT_PRIV_DELETE},
        {"truncate", CAT_PRIV_TRUNCATE}, {"references", CAT_PRIV_REFERENCES},
        {"trigger", CAT_PRIV_TRIGGER},   {"usage", CAT_PRIV_USAGE},
        {"create", CAT_PRIV_CREATE},     {"connect", CAT_PRIV_CONNECT},
        {"temporary", CAT_PRIV_TEMPORARY}, {"temp", CAT_PRIV_TEMPORARY},
    };
    for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
        if (strcmp(p, names[j].name) == 0) {
            return (names[j].bit & kind->all) != 0 ? names[j].bit : 0;
        }
    }
    bool known = strcmp(p, "execute") == 0;
    return known ? 0 : -1;
}

static int privilege_error(const PrivKind *kind, const char *p, Error *err)
{
    char upper[32];
    size_t n = 0;
    for (; p[n] != '\0' && n + 1 < sizeof upper; n++) {
        upper[n] = (char)(p[n] >= 'a' && p[n] <= 'z' ? p[n] - 32 : p[n]);
    }
    upper[n] = '\0';
    return error_set(err, SQLSTATE_INVALID_GRANT_OPERATION, "invalid privilege type %s for %s",
                     upper, kind->word);
}

/* The bits of the statement's privileges (those without columns when columns is
 * false, those with columns when true) for kind. */
static int privilege_bits(const GrantStmt *s, const PrivKind *kind, uint32_t *out, Error *err)
{
    if (s->all_privileges) {
        *out = kind->all;
        return STRATA_OK;
    }
    *out = 0;
    for (int k = 0; k < s->privileges.count; k++) {
        const char *p = s->privileges.items[k];
        int64_t bit = privilege_bit(kind, p);
        if (bit < 0) {
            return error_set(err, SQLSTATE_SYNTAX_ERROR, "unrecognized privilege type \"%s\"", p);
        }
        if (bit == 0) {
            return privilege_error(kind, p, err);
        }
        if (s->columns == NULL || s->columns[k].count == 0) {
            *out |= (uint32_t)bit;
        }
    }
    return STRATA_OK;
}

/* What GRANT / REVOKE changes on one object's acl. */
typedef struct AclChange {
    const char *name;   /* the object, for warnings */
    uint64_t owner;     /* the grantor recorded for new items */
    uint32_t held;      /* the current role's privileges (all of them as owner) */
    uint32_t allowed;   /* those it may grant (its grant options) */
    const CatAclItem *acl;
    int acl_count;
} AclChange;

/* The acl after adding (GRANT) or removing (REVOKE) privs for grantees, in the
 * edit's arena; *out NULL when nothing changes. PostgreSQL's rules: a role without
 * any privilege on the object is 42501 (denied), one without the grant option on
 * some of privs gets a warning and grants (revokes) only the rest. */
static int acl_apply(Ddl *d, const GrantStmt *s, const AclChange *c, const char *word,
                     uint32_t privs, const uint64_t *grantees, int grantee_count,
                     CatAclItem **out, int *out_count, Error *err)
{
    *out = NULL;
    if (c->held == 0) {
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for %s %s",
                         word, c->name);
    }
    if ((privs & c->allowed) != privs) {
        bool none = (privs & c->allowed) == 0;
        api_session_add_notice(d->conn, NOTICE_SEVERITY_WARNING, SQLSTATE_WARNING,
                               s->is_grant ? "%s privileges were granted for \"%s\""
                                           : "%s privileges could be revoked for \"%s\"",
                               none ? "no" : "not all", c->name);
        privs &= c->allowed;
        if (privs == 0) {
            return STRATA_OK;
        }
    }
    CatAclItem *acl = api_ddl_dup(d->a, c->acl, c->acl_count, grantee_count, sizeof(CatAclItem));
    if (acl == NULL) {
        return arena_error(d->a, err);
    }
    int count = c->acl_count;
    for (int g = 0; g < grantee_count; g++) {
        int at = -1;
        for (int k = 0; k < count; k++) {
            if (acl[k].grantee == grantees[g]) {
                at = k;
            }
        }
        if (s->is_grant) {
            if (at < 0) {
                at = count++;
                acl[at] = (CatAclItem){.grantee = grantees[g], .grantor = c->owner};
            }
            acl[at].privileges |= privs;
            if (s->with_grant_option) {
                acl[at].grant_options |= privs;
            }
        } else if (at >= 0) {
            acl[at].grant_options &= ~privs;
            if (!s->with_grant_option) { /* REVOKE GRANT OPTION FOR keeps the privilege */
                acl[at].privileges &= ~privs;
            }
            if (acl[at].privileges == 0) {
                acl[at] = acl[--count];
            }
        }
    }
    *out = acl;
    *out_count = count;
    return STRATA_OK;
}

/* held / allowed of the current role on an object: everything for a superuser or the
 * owner, else its acl's. */
static void acl_rights(Ddl *d, AclChange *c, uint32_t all, uint32_t held, uint32_t allowed)
{
    bool full = is_superuser(d) || catalog_role_has_privs_of(d->conn->catalog, d->conn->role_id,
                                                             c->owner);
    c->held = full ? all : held;
    c->allowed = full ? all : allowed;
}

/* ---- column privileges ---- */

enum { COLUMN_PRIVS = CAT_PRIV_SELECT | CAT_PRIV_INSERT | CAT_PRIV_UPDATE | CAT_PRIV_REFERENCES };

/* The current role's privileges (grant_options: its grant options) on any column of t. */
static uint32_t column_held(Ddl *d, const CatTable *t, bool grant_options)
{
    const Catalog *c = d->conn->catalog;
    uint32_t held = 0;
    for (int col = 0; col < t->column_count; col++) {
        const CatColumn *column = &t->columns[col];
        for (int k = 0; k < column->acl_count; k++) {
            uint64_t grantee = column->acl[k].grantee;
            if (grantee == 0 || catalog_role_has_privs_of(c, d->conn->role_id, grantee)) {
                held |= grant_options ? column->acl[k].grant_options : column->acl[k].privileges;
            }
        }
    }
    return held;
}

/* One privilege's columns: privs on each named column of *copy (made on first use). */
static int grant_column_list(Ddl *d, const GrantStmt *s, const CatTable *t, CatTable **copy,
                             const NameList *columns, uint32_t privs, const AclChange *rights,
                             const uint64_t *grantees, Error *err)
{
    for (int k = 0; k < columns->count; k++) {
        int col = cat_table_column_index(t, columns->items[k]);
        if (col < 0) {
            return error_set(err, SQLSTATE_UNDEFINED_COLUMN,
                             "column \"%s\" of relation \"%s\" does not exist", columns->items[k],
                             t->name);
        }
        if (*copy == NULL) {
            if ((*copy = catalog_edit_copy_table(d->edit, t, err)) == NULL) {
                return err->code;
            }
        }
        if ((*copy)->columns == t->columns && api_ddl_columns(d, *copy) == NULL) {
            return arena_error(d->a, err);
        }
        CatColumn *column = (CatColumn *)&(*copy)->columns[col];
        AclChange change = *rights;
        change.acl = column->acl;
        change.acl_count = column->acl_count;
        CatAclItem *acl;
        int count;
        int rc = acl_apply(d, s, &change, relation_word(t), privs, grantees, s->grantees.count,
                           &acl, &count, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (acl != NULL) {
            column->acl = acl;
            column->acl_count = count;
        }
    }
    return STRATA_OK;
}

/* GRANT SELECT (a, b), UPDATE (c) ON t: each privilege naming columns. */
static int grant_columns(Ddl *d, const GrantStmt *s, const CatTable *t, CatTable **copy,
                         const AclChange *rights, const uint64_t *grantees, Error *err)
{
    if (s->all_privileges) {
        return grant_column_list(d, s, t, copy, &s->all_columns, COLUMN_PRIVS, rights, grantees,
                                 err);
    }
    for (int k = 0; k < s->privileges.count; k++) {
        if (s->columns[k].count == 0) {
            continue;
        }
        uint32_t bit = (uint32_t)privilege_bit(&KIND_TABLE, s->privileges.items[k]);
        if ((bit & COLUMN_PRIVS) == 0) {
            return privilege_error(&(PrivKind){"column", COLUMN_PRIVS}, s->privileges.items[k],
                                   err);
        }
        int rc = grant_column_list(d, s, t, copy, &s->columns[k], bit, rights, grantees, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* REVOKE of a table privilege takes it from every column too, as PostgreSQL. */
static int revoke_from_columns(Ddl *d, const GrantStmt *s, const CatTable *t, CatTable *copy,
                               uint32_t privs, const uint64_t *grantees, Error *err)
{
    NameList all = {0};
    all.items = arena_alloc(d->a, sizeof(char *) * (size_t)(t->column_count + 1));
    if (all.items == NULL) {
        return arena_error(d->a, err);
    }
    for (int col = 0; col < t->column_count; col++) {
        if (t->columns[col].acl_count > 0) {
            all.items[all.count++] = (char *)t->columns[col].name;
        }
    }
    AclChange rights = {.name = t->name, .owner = cat_table_owner(t), .held = CAT_PRIV_ALL,
                        .allowed = CAT_PRIV_ALL};
    return grant_column_list(d, s, t, &copy, &all, privs & COLUMN_PRIVS, &rights, grantees, err);
}

static int grant_on(Ddl *d, const GrantStmt *s, const CatTable *t, uint32_t privs,
                    const uint64_t *grantees, Error *err)
{
    if (t->kind == CAT_VIRTUAL) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "privileges of system views cannot be changed");
    }
    const Catalog *c = d->conn->catalog;
    AclChange change = {.name = t->name, .owner = cat_table_owner(t), .acl = t->acl,
                        .acl_count = t->acl_count};
    uint32_t held = 0, allowed = 0;
    for (int k = 0; k < t->acl_count; k++) {
        uint64_t grantee = t->acl[k].grantee;
        if (grantee == 0 || catalog_role_has_privs_of(c, d->conn->role_id, grantee)) {
            allowed |= t->acl[k].grant_options;
            held |= t->acl[k].privileges;
        }
    }
    acl_rights(d, &change, CAT_PRIV_ALL, held | column_held(d, t, false),
               allowed | column_held(d, t, true));
    CatTable *copy = NULL;
    int rc = STRATA_OK;
    if (privs != 0 || !s->column_privileges) {
        CatAclItem *acl;
        int count;
        rc = acl_apply(d, s, &change, relation_word(t), privs, grantees, s->grantees.count, &acl,
                       &count, err);
        if (rc != STRATA_OK || acl == NULL) {
            return rc;
        }
        if ((copy = catalog_edit_copy_table(d->edit, t, err)) == NULL) {
            return err->code;
        }
        copy->acl = acl;
        copy->acl_count = count;
        if (!s->is_grant && !s->with_grant_option) {
            rc = revoke_from_columns(d, s, t, copy, privs & change.allowed, grantees, err);
        }
    }
    if (rc == STRATA_OK && s->column_privileges) {
        rc = grant_columns(d, s, t, &copy, &change, grantees, err);
    }
    return rc != STRATA_OK || copy == NULL ? rc : catalog_edit_put_table(d->edit, copy, err);
}

static int grant_on_schema(Ddl *d, const GrantStmt *s, const CatSchema *schema, uint32_t privs,
                           const uint64_t *grantees, Error *err)
{
    const Catalog *c = d->conn->catalog;
    AclChange change = {.name = schema->name,
                        .owner = schema->owner_id != 0 ? schema->owner_id : CAT_ID_BOOTSTRAP_ROLE};
    CatAclItem public_usage = {.grantee = 0, .grantor = change.owner, .privileges = CAT_PRIV_USAGE};
    if (schema->has_acl) {
        change.acl = schema->acl;
        change.acl_count = schema->acl_count;
    } else if (schema->is_builtin) {
        change.acl = &public_usage; /* the default made explicit */
        change.acl_count = 1;
    }
    acl_rights(d, &change, CAT_PRIV_SCHEMA_ALL,
               catalog_schema_privileges(c, schema, d->conn->role_id, false),
               catalog_schema_privileges(c, schema, d->conn->role_id, true));
    CatAclItem *acl;
    int count;
    int rc = acl_apply(d, s, &change, "schema", privs, grantees, s->grantees.count, &acl, &count,
                       err);
    if (rc != STRATA_OK || acl == NULL) {
        return rc;
    }
    CatSchema copy = *schema;
    copy.has_acl = true;
    copy.acl = acl;
    copy.acl_count = count;
    return catalog_edit_put_schema(d->edit, &copy, err);
}

static int grant_on_sequence(Ddl *d, const GrantStmt *s, const CatSequence *seq, uint32_t privs,
                             const uint64_t *grantees, Error *err)
{
    const Catalog *c = d->conn->catalog;
    AclChange change = {.name = seq->name,
                        .owner = seq->owner_id != 0 ? seq->owner_id : CAT_ID_BOOTSTRAP_ROLE,
                        .acl = seq->acl,
                        .acl_count = seq->acl_count};
    acl_rights(d, &change, CAT_PRIV_SEQUENCE_ALL,
               catalog_sequence_privileges(c, seq, d->conn->role_id, false),
               catalog_sequence_privileges(c, seq, d->conn->role_id, true));
    CatAclItem *acl;
    int count;
    int rc = acl_apply(d, s, &change, "sequence", privs, grantees, s->grantees.count, &acl, &count,
                       err);
    if (rc != STRATA_OK || acl == NULL) {
        return rc;
    }
    CatSequence *copy = arena_memdup(d->a, seq, sizeof(*seq));
    if (copy == NULL) {
        return arena_error(d->a, err);
    }
    copy->acl = acl;
    copy->acl_count = count;
    return catalog_edit_put_sequence(d->edit, copy, err);
}

static int grant_schemas(Ddl *d, const GrantStmt *s, const uint64_t *grantees, Error *err)
{
    uint32_t privs;
    int rc = privilege_bits(s, &KIND_SCHEMA, &privs, err);
    for (int k = 0; rc == STRATA_OK && k < s->objects.count; k++) {
        const QualifiedName *q = (const QualifiedName *)s->objects.items[k];
        const char *name = q->parts.items[q->parts.count - 1];
        const CatSchema *schema = catalog_find_schema(d->conn->catalog, name);
        if (schema == NULL) {
            return error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                             name);
        }
        rc = grant_on_schema(d, s, schema, privs, grantees, err);
    }
    return rc;
}

/* GRANT ... ON DATABASE name: the file's one database, under the name the
 * connection gives it (current_database()). */
static int grant_database(Ddl *d, const GrantStmt *s, const uint64_t *grantees, Error *err)
{
    uint32_t privs;
    int rc = privilege_bits(s, &KIND_DATABASE, &privs, err);
    const Catalog *c = d->conn->catalog;
    const CatDatabase *db = catalog_database(c);
    for (int k = 0; rc == STRATA_OK && k < s->objects.count; k++) {
        const QualifiedName *q = (const QualifiedName *)s->objects.items[k];
        const char *name = q->parts.items[q->parts.count - 1];
        if (q->parts.count != 1 || strcmp(name, d->conn->database_name) != 0) {
            return error_set(err, SQLSTATE_INVALID_CATALOG_NAME, "database \"%s\" does not exist",
                             name);
        }
    }
    AclChange change = {.name = d->conn->database_name,
                        .owner = db->owner_id != 0 ? db->owner_id : CAT_ID_BOOTSTRAP_ROLE};
    CatAclItem defaults[2] = {
        {.grantee = 0, .grantor = change.owner, .privileges = CAT_PRIV_CONNECT | CAT_PRIV_TEMPORARY},
        {.grantee = change.owner, .grantor = change.owner, .privileges = CAT_PRIV_DATABASE_ALL}};
    if (db->has_acl) {
        change.acl = db->acl;
        change.acl_count = db->acl_count;
    } else {
        change.acl = defaults; /* the default made explicit, as PostgreSQL prints it */
        change.acl_count = 2;
    }
    acl_rights(d, &change, CAT_PRIV_DATABASE_ALL,
               catalog_database_privileges(c, d->conn->role_id, false),
               catalog_database_privileges(c, d->conn->role_id, true));
    CatAclItem *acl;
    int count;
    if (rc == STRATA_OK) {
        rc = acl_apply(d, s, &change, "database", privs, grantees, s->grantees.count, &acl, &count,
                       err);
    }
    if (rc != STRATA_OK || acl == NULL) {
        return rc;
    }
    CatDatabase copy = *db;
    copy.has_acl = true;
    copy.acl = acl;
    copy.acl_count = count;
    return catalog_edit_put_database(d->edit, &copy, err);
}

static int grant_sequences(Ddl *d, const GrantStmt *s, const uint64_t *grantees, Error *err)
{
    uint32_t privs;
    int rc = privilege_bits(s, &KIND_SEQUENCE, &privs, err);
    const Catalog *c = d->conn->catalog;
    for (int k = 0; rc == STRATA_OK && k < s->objects.count; k++) {
        const QualifiedName *q = (const QualifiedName *)s->objects.items[k];
        const char *last = q->parts.items[q->parts.count - 1];
        if (s->all_in_schema) {
            if (catalog_find_schema(c, last) == NULL) {
                return error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                                 last);
            }
            for (int j = 0; j < catalog_sequence_count(c) && rc == STRATA_OK; j++) {
                const CatSequence *seq = catalog_sequence_at(c, j);
                if (strcmp(seq->schema, last) == 0) {
                    rc = grant_on_sequence(d, s, seq, privs, grantees, err);
                }
            }
            continue;
        }
        const char *schema = q->parts.count > 1 ? q->parts.items[q->parts.count - 2] : NULL;
        const CatSequence *seq = catalog_find_sequence(c, schema, last);
        if (seq == NULL) {
            return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", last);
        }
        rc = grant_on_sequence(d, s, seq, privs, grantees, err);
    }
    return rc;
}

/* GRANT ... ON [TABLE] a_sequence: the privileges a sequence has, PostgreSQL's warning
 * for the others. */
static int sequence_through_table(Ddl *d, const GrantStmt *s, const CatSequence *seq,
                                  uint32_t privs, const uint64_t *grantees, Error *err)
{
    uint32_t kept = s->all_privileges ? CAT_PRIV_SEQUENCE_ALL : privs & CAT_PRIV_SEQUENCE_ALL;
    if (!s->all_privileges && kept != privs) {
        api_session_add_notice(d->conn, NOTICE_SEVERITY_WARNING, SQLSTATE_WARNING,
                               "sequence \"%s\" only supports USAGE, SELECT, and UPDATE privileges",
                               seq->name);
    }
    return grant_on_sequence(d, s, seq, kept, grantees, err);
}

static int grant_tables(Ddl *d, const GrantStmt *s, const uint64_t *grantees, Error *err)
{
    uint32_t privs;
    int rc = privilege_bits(s, &KIND_TABLE, &privs, err);
    const Catalog *c = d->conn->catalog;
    for (int k = 0; rc == STRATA_OK && k < s->objects.count; k++) {
        const QualifiedName *q = (const QualifiedName *)s->objects.items[k];
        const char *last = q->parts.items[q->parts.count - 1];
        if (s->all_in_schema) {
            if (catalog_find_schema(c, last) == NULL) {
                return error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                                 last);
            }
            for (int j = 0; j < catalog_table_count(c) && rc == STRATA_OK; j++) {
                const CatTable *t = catalog_table_at(c, j);
                if (strcmp(t->schema, last) == 0 && t->kind != CAT_VIRTUAL) {
                    rc = grant_on(d, s, t, privs, grantees, err);
                }
            }
            continue;
        }
        const char *schema = q->parts.count > 1 ? q->parts.items[q->parts.count - 2] : NULL;
        const CatTable *t = api_ddl_find_relation(d, schema, last);
        if (t == NULL) {
            const CatSequence *seq = catalog_find_sequence(c, schema, last);
            if (seq != NULL && !s->column_privileges) {
                /* GRANT ... ON [TABLE] a_sequence: its own privileges, as PostgreSQL */
                rc = sequence_through_table(d, s, seq, privs, grantees, err);
                continue;
            }
            return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", last);
        }
        rc = grant_on(d, s, t, privs, grantees, err);
    }
    return rc;
}

int api_ddl_grant(Ddl *d, Error *err)
{
    const GrantStmt *s = (const GrantStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "%s", s->is_grant ? "GRANT" : "REVOKE");
    if (s->is_role_grant) {
        return api_ddl_grant_role(d, s, err);
    }
    if (s->kind != OBJECT_TABLE && s->kind != OBJECT_VIEW && s->kind != OBJECT_MATVIEW &&
        s->kind != OBJECT_SCHEMA && s->kind != OBJECT_SEQUENCE && s->kind != OBJECT_DATABASE) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "privileges on types and functions are not supported");
    }
    if (s->column_privileges && s->kind != OBJECT_TABLE && s->kind != OBJECT_VIEW &&
        s->kind != OBJECT_MATVIEW) {
        return error_set(err, SQLSTATE_INVALID_GRANT_OPERATION,
                         "column privileges are only valid for relations");
    }
    uint64_t *grantees = arena_alloc(d->a, sizeof(uint64_t) * (size_t)(s->grantees.count + 1));
    if (grantees == NULL) {
        return arena_error(d->a, err);
    }
    for (int k = 0; k < s->grantees.count; k++) {
        int rc = role_of(d, s->grantees.items[k], true, &grantees[k], err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (s->kind == OBJECT_SCHEMA) {
        return grant_schemas(d, s, grantees, err);
    }
    if (s->kind == OBJECT_SEQUENCE) {
        return grant_sequences(d, s, grantees, err);
    }
    if (s->kind == OBJECT_DATABASE) {
        return grant_database(d, s, grantees, err);
    }
    return grant_tables(d, s, grantees, err);
}
