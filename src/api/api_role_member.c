/*
 * api/api_role_member.c - role membership: GRANT role TO role [WITH ADMIN OPTION],
 * REVOKE [ADMIN OPTION FOR] role FROM role, and the memberships DROP ROLE removes.
 *
 * A membership is kept in the member's catalog record (CatRole.member_of, PostgreSQL
 * 15's pg_auth_members row: role, member, grantor, admin option), so it is
 * transactional like the rest of role DDL. What a membership gives is decided in
 * catalog.c (catalog_role_has_privs_of and friends); this file only changes them, with
 * PostgreSQL 15's checks (src/backend/commands/user.c, AddRoleMems / DelRoleMems):
 *
 *   - a superuser role is granted only by a superuser (42501 "must be superuser to
 *     alter superusers"); any other role by a superuser, a CREATEROLE role, or a role
 *     holding it WITH ADMIN OPTION (42501 "must have admin option on role ...");
 *   - a grant that would make a cycle (the granted role is, or reaches, the member)
 *     is 0LP01 "role "a" is a member of role "b"";
 *   - granting an existing membership is a NOTICE (unless it adds the admin option),
 *     revoking a missing one a WARNING.
 *
 * Threads: as the connection. See src/api/README.md.
 */
#include <stdio.h>
#include <string.h>

#include "api/ddl_int.h"
#include "util/assert.h"

/* A member's record being edited: the statement's changes accumulate here and are
 * written once (the catalog the statement reads does not see its own edit). */
typedef struct MemberEdit {
    CatRole role;
    CatRoleMember *items;
    int count, capacity;
} MemberEdit;

static int role_named(Ddl *d, const char *name, const CatRole **out, Error *err)
{
    const Catalog *c = d->conn->catalog;
    if (strcmp(name, "current_user") == 0 || strcmp(name, "current_role") == 0) {
        *out = catalog_role_by_id(c, d->conn->role_id);
    } else if (strcmp(name, "session_user") == 0) {
        *out = catalog_role_by_id(c, d->conn->session_role_id);
    } else {
        *out = catalog_find_role(c, name);
    }
    if (*out == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
    }
    return STRATA_OK;
}

static int member_edit_init(Ddl *d, const CatRole *member, int extra, MemberEdit *out, Error *err)
{
    out->role = *member;
    out->capacity = member->member_of_count + extra;
    out->count = member->member_of_count;
    out->items = api_ddl_dup(d->a, member->member_of, member->member_of_count, extra,
                             sizeof(CatRoleMember));
    if (out->items == NULL) {
        return arena_error(d->a, err);
    }
    return STRATA_OK;
}

static int member_edit_put(Ddl *d, MemberEdit *m, Error *err)
{
    if (m->role.id == CAT_ID_DATABASE_OWNER_ROLE) {
        return STRATA_OK; /* no record; grant_one refuses to add to it, a REVOKE only warns */
    }
    m->role.member_of = m->items;
    m->role.member_of_count = m->count;
    return catalog_edit_put_role(d->edit, &m->role, err);
}

/* May the current role grant or revoke membership in role? */
static int check_grant_role(Ddl *d, const CatRole *role, Error *err)
{
    const Catalog *c = d->conn->catalog;
    bool superuser = api_role_is_superuser(d->conn, c);
    if (role->superuser) {
        return superuser ? STRATA_OK
                         : error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                                     "must be superuser to alter superusers");
    }
    const CatRole *self = api_role_current(d->conn, c);
    if (superuser || (self != NULL && self->createrole) ||
        catalog_role_is_admin_of(c, d->conn->role_id, role->id)) {
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must have admin option on role \"%s\"",
                     role->name);
}

static int find_item(const MemberEdit *m, uint64_t role_id)
{
    for (int k = 0; k < m->count; k++) {
        if (m->items[k].role_id == role_id) {
            return k;
        }
    }
    return -1;
}

static int grant_one(Ddl *d, const GrantStmt *s, const CatRole *role, MemberEdit *m, Error *err)
{
    const Catalog *c = d->conn->catalog;
    /* pg_database_owner's one member is the database owner, implicitly (PostgreSQL 15
     * raises these without a code, XX000; 16 with 0LP01) */
    if (role->id == CAT_ID_DATABASE_OWNER_ROLE) {
        return error_set(err, SQLSTATE_INVALID_GRANT_OPERATION,
                         "role \"%s\" cannot have explicit members", role->name);
    }
    if (m->role.id == CAT_ID_DATABASE_OWNER_ROLE) {
        return error_set(err, SQLSTATE_INVALID_GRANT_OPERATION,
                         "role \"%s\" cannot be a member of any role", m->role.name);
    }
    /* a cycle: role already is (or reaches) the member, superusers included */
    if (catalog_role_reaches(c, role->id, m->role.id)) {
        return error_set(err, SQLSTATE_INVALID_GRANT_OPERATION, "role \"%s\" is a member of role \"%s\"",
                         role->name, m->role.name);
    }
    int at = find_item(m, role->id);
    if (at >= 0) {
        if (!s->with_grant_option || m->items[at].admin_option) {
            api_session_notice(d->conn, "role \"%s\" is already a member of role \"%s\"",
                               m->role.name, role->name);
            return STRATA_OK;
        }
        m->items[at].admin_option = true;
        return STRATA_OK;
    }
    ST_ASSERT(m->count < m->capacity);
    m->items[m->count++] = (CatRoleMember){
        .role_id = role->id, .grantor = d->conn->role_id, .admin_option = s->with_grant_option};
    return STRATA_OK;
}

static void revoke_one(Ddl *d, const GrantStmt *s, const CatRole *role, MemberEdit *m)
{
    int at = find_item(m, role->id);
    if (at < 0) {
        api_session_add_notice(d->conn, NOTICE_SEVERITY_WARNING, SQLSTATE_WARNING,
                               "role \"%s\" is not a member of role \"%s\"", m->role.name,
                               role->name);
        return;
    }
    if (s->with_grant_option) { /* REVOKE ADMIN OPTION FOR keeps the membership */
        m->items[at].admin_option = false;
        return;
    }
    m->items[at] = m->items[--m->count];
}

int api_ddl_grant_role(Ddl *d, const GrantStmt *s, Error *err)
{
    snprintf(d->stmt->tag, sizeof(d->stmt->tag), "%s", s->is_grant ? "GRANT ROLE" : "REVOKE ROLE");
    int granted_count = s->privileges.count;
    MemberEdit *members = arena_zalloc(d->a, sizeof(MemberEdit) * (size_t)(s->grantees.count + 1));
    const CatRole **roles = arena_zalloc(d->a, sizeof(CatRole *) * (size_t)(granted_count + 1));
    if (members == NULL || roles == NULL) {
        return arena_error(d->a, err);
    }
    /* the members first, then the roles, as PostgreSQL reports a missing one */
    int rc = STRATA_OK;
    for (int k = 0; rc == STRATA_OK && k < s->grantees.count; k++) {
        const CatRole *member;
        rc = role_named(d, s->grantees.items[k], &member, err);
        if (rc == STRATA_OK) {
            rc = member_edit_init(d, member, granted_count, &members[k], err);
        }
    }
    for (int k = 0; rc == STRATA_OK && k < s->granted_by.count; k++) {
        const CatRole *grantor;
        rc = role_named(d, s->granted_by.items[k], &grantor, err);
        if (rc == STRATA_OK && grantor->id != d->conn->role_id &&
            !api_role_is_superuser(d->conn, d->conn->catalog)) {
            rc = error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be superuser to set grantor");
        }
    }
    for (int k = 0; rc == STRATA_OK && k < granted_count; k++) {
        rc = role_named(d, s->privileges.items[k], &roles[k], err);
        if (rc == STRATA_OK) {
            rc = check_grant_role(d, roles[k], err);
        }
        for (int g = 0; rc == STRATA_OK && g < s->grantees.count; g++) {
            if (s->is_grant) {
                rc = grant_one(d, s, roles[k], &members[g], err);
            } else {
                revoke_one(d, s, roles[k], &members[g]);
            }
        }
    }
    for (int g = 0; rc == STRATA_OK && g < s->grantees.count; g++) {
        rc = member_edit_put(d, &members[g], err);
    }
    return rc;
}

int api_role_drop_memberships(Ddl *d, const CatRole *dropped, Error *err)
{
    const Catalog *c = d->conn->catalog;
    for (int k = 0; k < catalog_role_count(c); k++) {
        const CatRole *role = catalog_role_at(c, k);
        if (role->id == dropped->id) {
            continue;
        }
        MemberEdit m;
        int rc = member_edit_init(d, role, 0, &m, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        int at = find_item(&m, dropped->id);
        if (at < 0) {
            continue;
        }
        m.items[at] = m.items[--m.count];
        if ((rc = member_edit_put(d, &m, err)) != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

int api_role_create_memberships(Ddl *d, CatRole *created, const RoleMemberOptions *opts,
                                Error *err)
{
    /* as PostgreSQL's CreateRole: IN ROLE names first, then ROLE, then ADMIN */
    MemberEdit self = {.role = *created};
    self.capacity = opts->in_role.count;
    self.items = arena_zalloc(d->a, sizeof(CatRoleMember) * (size_t)(self.capacity + 1));
    if (self.items == NULL) {
        return arena_error(d->a, err);
    }
    GrantStmt plain = {.is_grant = true}, admin = {.is_grant = true, .with_grant_option = true};
    int rc = STRATA_OK;
    for (int k = 0; rc == STRATA_OK && k < opts->in_role.count; k++) {
        const CatRole *role;
        rc = role_named(d, opts->in_role.items[k], &role, err);
        if (rc == STRATA_OK) {
            rc = check_grant_role(d, role, err);
        }
        if (rc == STRATA_OK) {
            rc = grant_one(d, &plain, role, &self, err);
        }
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    created->member_of = self.items;
    created->member_of_count = self.count;
    const NameList *lists[2] = {&opts->members, &opts->admins};
    for (int l = 0; l < 2; l++) {
        for (int k = 0; rc == STRATA_OK && k < lists[l]->count; k++) {
            const CatRole *member;
            MemberEdit m;
            rc = role_named(d, lists[l]->items[k], &member, err);
            if (rc == STRATA_OK) {
                rc = member_edit_init(d, member, 1, &m, err);
            }
            if (rc == STRATA_OK) {
                rc = grant_one(d, l == 0 ? &plain : &admin, created, &m, err);
            }
            if (rc == STRATA_OK) {
                rc = member_edit_put(d, &m, err);
            }
        }
    }
    return rc;
}
