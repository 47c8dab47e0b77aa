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
    t->owner_id = id;
    return STRATA_OK;
}

static int privilege_bits(const GrantStmt *s, uint32_t *out, Error *err)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {
        {"select", CAT_PRIV_SELECT},     {"insert", CAT_PRIV_INSERT},
        {"update", CAT_PRIV_UPDATE},     {"delete", CAT_PRIV_DELETE},
        {"truncate", CAT_PRIV_TRUNCATE}, {"references", CAT_PRIV_REFERENCES},
        {"trigger", CAT_PRIV_TRIGGER},
    };
    if (s->all_privileges) {
        *out = CAT_PRIV_ALL;
        return STRATA_OK;
    }
    *out = 0;
    for (int k = 0; k < s->privileges.count; k++) {
        const char *p = s->privileges.items[k];
        uint32_t bit = 0;
        for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
            if (strcmp(p, names[j].name) == 0) {
                bit = names[j].bit;
            }
        }
        if (bit == 0) {
            bool known = strcmp(p, "usage") == 0 || strcmp(p, "create") == 0 ||
                         strcmp(p, "connect") == 0 || strcmp(p, "temporary") == 0 ||
                         strcmp(p, "temp") == 0 || strcmp(p, "execute") == 0;
            if (known) {
                char upper[32];
                size_t n = 0;
                for (; p[n] != '\0' && n + 1 < sizeof upper; n++) {
                    upper[n] = (char)(p[n] >= 'a' && p[n] <= 'z' ? p[n] - 32 : p[n]);
                }
                upper[n] = '\0';
                return error_set(err, SQLSTATE_INVALID_GRANT_OPERATION,
                                 "invalid privilege type %s for table", upper);
            }
            return error_set(err, SQLSTATE_SYNTAX_ERROR, "unrecognized privilege type \"%s\"", p);
        }
        *out |= bit;
    }
    return STRATA_OK;
}

/* Adds (GRANT) or removes (REVOKE) privs for each grantee on a copy of t. */
static int change_acl(Ddl *d, const CatTable *old, const GrantStmt *s, uint32_t privs,
                      const uint64_t *grantees, int grantee_count, Error *err)
{
    CatTable *t = catalog_edit_copy_table(d->edit, old, err);
    if (t == NULL) {
        return err->code;
    }
    CatAclItem *acl = api_ddl_dup(d->a, t->acl, t->acl_count, grantee_count, sizeof(CatAclItem));
    if (acl == NULL) {
        return arena_error(d->a, err);
    }
    int count = t->acl_count;
    for (int g = 0; g < grantee_count; g++) {
    uint64_t grantee = grantees[g];
    int at = -1;
    for (int k = 0; k < count; k++) {
        if (acl[k].grantee == grantee) {
            at = k;
        }
    }
    if (s->is_grant) {
        if (at < 0) {
            at = count++;
            acl[at] = (CatAclItem){.grantee = grantee, .grantor = cat_table_owner(t)};
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
    t->acl = acl;
    t->acl_count = count;
    return catalog_edit_put_table(d->edit, t, err);
}

static int grant_on(Ddl *d, const GrantStmt *s, const CatTable *t, uint32_t privs, Error *err)
{
    if (t->kind == CAT_VIRTUAL) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "privileges of system views cannot be changed");
    }
    /* the owner (or a superuser) grants and revokes anything; another role what it
     * holds WITH GRANT OPTION, as PostgreSQL: a role with some privilege but no such
     * option gets a warning and changes nothing; one with none, 42501 */
    uint32_t allowed = CAT_PRIV_ALL, held = CAT_PRIV_ALL;
    const Catalog *c = d->conn->catalog;
    if (!is_superuser(d) && !catalog_table_owned_by(c, t, d->conn->role_id)) {
        allowed = held = 0;
        for (int k = 0; k < t->acl_count; k++) {
            uint64_t grantee = t->acl[k].grantee;
            if (grantee == 0 || catalog_role_has_privs_of(c, d->conn->role_id, grantee)) {
                allowed |= t->acl[k].grant_options;
                held |= t->acl[k].privileges;
            }
        }
    }
    if (held == 0) {
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for %s %s",
                         relation_word(t), t->name);
    }
    if ((privs & allowed) != privs) {
        bool none = (privs & allowed) == 0;
        api_session_add_notice(d->conn, NOTICE_SEVERITY_WARNING, SQLSTATE_WARNING,
                               s->is_grant ? "%s privileges were granted for \"%s\""
                                           : "%s privileges could be revoked for \"%s\"",
                               none ? "no" : "not all", t->name);
        privs &= allowed;
        if (privs == 0) {
            return STRATA_OK;
        }
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
    return change_acl(d, t, s, privs, grantees, s->grantees.count, err);
}

int api_ddl_grant(Ddl *d, Error *err)
{
    const GrantStmt *s = (const GrantStmt *)d->stmt->ast;
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "%s", s->is_grant ? "GRANT" : "REVOKE");
    if (s->is_role_grant) {
        return api_ddl_grant_role(d, s, err);
    }
    if (s->kind != OBJECT_TABLE && s->kind != OBJECT_VIEW && s->kind != OBJECT_MATVIEW) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "privileges on schemas, sequences, databases, types and functions are "
                         "not supported");
    }
    if (s->column_privileges) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "column privileges are not supported");
    }
    uint32_t privs;
    int rc = privilege_bits(s, &privs, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    const Catalog *c = d->conn->catalog;
    for (int k = 0; k < s->objects.count; k++) {
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
                    rc = grant_on(d, s, t, privs, err);
                }
            }
            continue;
        }
        const char *schema = q->parts.count > 1 ? q->parts.items[q->parts.count - 2] : NULL;
        const CatTable *t = api_ddl_find_relation(d, schema, last);
        if (t == NULL) {
            return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", last);
        }
        if ((rc = grant_on(d, s, t, privs, err)) != STRATA_OK) {
            return rc;
        }
    }
    return rc;
}
