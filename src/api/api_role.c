/*
 * api/api_role.c - roles: CREATE / ALTER / DROP ROLE | USER, the bootstrap
 * superuser of a new database, the connection's role (current_user,
 * session_user, strata_set_user) and the privilege checks of role DDL.
 *
 * Roles are catalog records (catalog.h CatRole), so role DDL is transactional
 * like every other DDL. A password is stored only as a SCRAM-SHA-256 verifier
 * (util/scram_verifier.h): a plaintext PASSWORD is converted before it
 * reaches the catalog, a verifier is stored as given.
 *
 * Invariants
 *   1. No plaintext password is ever written to a CatRole, an error message
 *      or a notice.
 *   2. The bootstrap role (CAT_ID_BOOTSTRAP_ROLE) exists in every writable
 *      database, cannot be dropped and keeps SUPERUSER.
 *   3. A connection's role is identified by id (strata_db.role_id), so a
 *      RENAME seen by another connection changes its current_user, as in
 *      PostgreSQL.
 *
 * Privileges (PostgreSQL 16's rules, simplified): a superuser may do
 * anything; a CREATEROLE role may create, alter, rename and drop roles that
 * are not superusers and may not give SUPERUSER, REPLICATION or BYPASSRLS;
 * any role may change its own password. Otherwise 42501.
 *
 * Threads: as the connection. See src/api/README.md.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/ddl_int.h"
#include "types/cast.h"
#include "types/value_io.h"
#include "util/mem.h"
#include "util/scram_verifier.h"

/* ---- the operating-system user and the bootstrap role ---- */

void api_role_os_user(char *out, size_t size)
{
    struct passwd entry, *found = NULL;
    char buffer[1024];
    if (getpwuid_r(geteuid(), &entry, buffer, sizeof buffer, &found) == 0 && found != NULL &&
        found->pw_name[0] != '\0') {
        snprintf(out, size, "%s", found->pw_name);
        return;
    }
    const char *user = getenv("USER");
    snprintf(out, size, "%s", user != NULL && user[0] != '\0' ? user : "strata");
}

int api_role_ensure_bootstrap(Database *db, Error *err)
{
    if (catalog_role_by_id(db->current, CAT_ID_BOOTSTRAP_ROLE) != NULL) {
        return STRATA_OK;
    }
    PagerTxn *txn;
    Error ignored;
    error_clear(&ignored);
    if (pager_begin(db->pager, true, &txn, &ignored) != STRATA_OK) {
        /* A file we may not write (an old database on read-only media): its
         * connections run as the implicit superuser (api_role_current). */
        return STRATA_OK;
    }
    Catalog *base = NULL, *next = NULL;
    CatalogEdit *edit = NULL;
    int rc = catalog_load(txn, &base, err);
    if (rc == STRATA_OK && catalog_role_by_id(base, CAT_ID_BOOTSTRAP_ROLE) == NULL) {
        char name[64];
        api_role_os_user(name, sizeof name);
        CatRole role = {.id = CAT_ID_BOOTSTRAP_ROLE,
                        .name = name,
                        .superuser = true,
                        .inherit = true,
                        .createrole = true,
                        .createdb = true,
                        .login = true,
                        .replication = true,
                        .bypassrls = true,
                        .connection_limit = -1};
        rc = catalog_edit_begin(base, txn, &edit, err);
        if (rc == STRATA_OK) {
            rc = catalog_edit_put_role(edit, &role, err);
        }
        if (rc == STRATA_OK) {
            rc = catalog_edit_commit(edit, &next, err);
            edit = NULL;
        }
    }
    catalog_edit_abort(edit);
    catalog_release(base);
    if (rc != STRATA_OK || next == NULL) {
        pager_rollback(txn);
        return rc;
    }
    rc = pager_commit(txn, err);
    if (rc != STRATA_OK) {
        catalog_release(next);
        return rc;
    }
    catalog_release(db->current);
    db->current = next;
    return STRATA_OK;
}

/* ---- the connection's role ---- */

/* The newest committed catalog (retained) when no transaction is open. */
static const Catalog *latest_catalog(strata_db *conn)
{
    if (conn->catalog != NULL) {
        catalog_retain(conn->catalog);
        return conn->catalog;
    }
    pthread_mutex_lock(&conn->db->lock);
    const Catalog *c = conn->db->current;
    catalog_retain(c);
    pthread_mutex_unlock(&conn->db->lock);
    return c;
}

const CatRole *api_role_current(strata_db *conn, const Catalog *c)
{
    return c == NULL ? NULL : catalog_role_by_id(c, conn->role_id);
}

bool api_role_is_superuser(strata_db *conn, const Catalog *c)
{
    const CatRole *role = api_role_current(conn, c);
    if (role != NULL) {
        return role->superuser;
    }
    /* A database without roles (not writable, made before roles existed):
     * the embedded connection is its implicit superuser. */
    return c != NULL && catalog_role_count(c) == 0 && conn->role_id == CAT_ID_BOOTSTRAP_ROLE;
}

/* Refreshes name from role id in c (kept as last seen when the role is gone). */
static const char *role_name_of(strata_db *conn, const Catalog *c, uint64_t id, char *name,
                                size_t size)
{
    const CatRole *role = c == NULL ? NULL : catalog_role_by_id(c, id);
    if (role != NULL) {
        if (strncmp(name, role->name, size - 1) != 0) {
            snprintf(name, size, "%s", role->name);
        }
    } else if (name[0] == '\0') {
        (void)conn;
        api_role_os_user(name, size);
    }
    return name;
}

const char *api_role_user_name(strata_db *conn, const Catalog *c)
{
    return role_name_of(conn, c, conn->role_id, conn->user_name, sizeof conn->user_name);
}

const char *api_role_session_user_name(strata_db *conn, const Catalog *c)
{
    return role_name_of(conn, c, conn->session_role_id, conn->session_user_name,
                        sizeof conn->session_user_name);
}

void api_role_save(const strata_db *conn, RoleState *out)
{
    out->role_id = conn->role_id;
    out->session_role_id = conn->session_role_id;
    out->set_role_id = conn->set_role_id;
    memcpy(out->user_name, conn->user_name, sizeof out->user_name);
    memcpy(out->session_user_name, conn->session_user_name, sizeof out->session_user_name);
}

void api_role_restore(strata_db *conn, const RoleState *state)
{
    conn->role_id = state->role_id;
    conn->session_role_id = state->session_role_id;
    conn->set_role_id = state->set_role_id;
    memcpy(conn->user_name, state->user_name, sizeof conn->user_name);
    memcpy(conn->session_user_name, state->session_user_name, sizeof conn->session_user_name);
}

void api_role_session_init(strata_db *conn)
{
    conn->role_id = CAT_ID_BOOTSTRAP_ROLE;
    conn->session_role_id = CAT_ID_BOOTSTRAP_ROLE;
    conn->set_role_id = 0;
    conn->login_role_id = CAT_ID_BOOTSTRAP_ROLE;
    if (conn->db != NULL) {
        const Catalog *c = latest_catalog(conn);
        api_role_user_name(conn, c);
        api_role_session_user_name(conn, c);
        catalog_release(c);
    }
}

const char *api_role_show(strata_db *conn, const char *name)
{
    const Catalog *c = latest_catalog(conn);
    const char *value = NULL;
    if (strcmp(name, "is_superuser") == 0) {
        value = api_role_is_superuser(conn, c) ? "on" : "off";
    } else if (strcmp(name, "session_authorization") == 0) {
        value = api_role_session_user_name(conn, c);
    } else if (strcmp(name, "role") == 0) {
        value = conn->set_role_id == 0 ? "none" : api_role_user_name(conn, c);
    }
    catalog_release(c);
    return value;
}

/* After a role change: a change that is not LOCAL is what the block's COMMIT keeps. */
static void role_changed(strata_db *conn, bool is_local)
{
    if (conn->settings.in_block && !is_local) {
        api_role_save(conn, &conn->settings.commit_roles);
    }
}

/* SET LOCAL outside a block: PostgreSQL's warning, and nothing changes. */
static bool local_outside_block(strata_db *conn, bool is_local)
{
    if (is_local && !conn->settings.in_block) {
        api_session_add_notice(conn, NOTICE_SEVERITY_WARNING, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                               "SET LOCAL can only be used in transaction blocks");
        return true;
    }
    return false;
}

int api_role_set_session_authorization(strata_db *conn, const char *role, bool is_local,
                                       Error *err)
{
    const Catalog *c = latest_catalog(conn);
    const CatRole *login = catalog_role_by_id(c, conn->login_role_id);
    const CatRole *target = role == NULL ? login : catalog_find_role(c, role);
    bool may = login != NULL ? login->superuser : api_role_is_superuser(conn, c);
    int rc = STRATA_OK;
    if (role != NULL && target == NULL) {
        /* PostgreSQL's setting check: 22023, not 42704 */
        rc = error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "role \"%s\" does not exist", role);
    } else if (role != NULL && !may && (login == NULL || login->id != target->id)) {
        rc = error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                       "permission denied to set session authorization");
    } else if (!local_outside_block(conn, is_local)) {
        uint64_t id = role == NULL ? conn->login_role_id : target->id;
        /* as PostgreSQL, the new session user is also the current user: SET ROLE ends */
        conn->session_role_id = id;
        conn->role_id = id;
        conn->set_role_id = 0;
        if (target != NULL) {
            snprintf(conn->user_name, sizeof conn->user_name, "%s", target->name);
            snprintf(conn->session_user_name, sizeof conn->session_user_name, "%s", target->name);
        }
        role_changed(conn, is_local);
    }
    catalog_release(c);
    return rc;
}

int api_role_set_role(strata_db *conn, const char *role, bool is_local, Error *err)
{
    const Catalog *c = latest_catalog(conn);
    const CatRole *target = NULL;
    int rc = STRATA_OK;
    if (role != NULL && strcmp(role, "none") != 0) {
        target = catalog_find_role(c, role);
        if (target == NULL) {
            rc = error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "role \"%s\" does not exist",
                           role);
        } else if (!catalog_role_is_member_of(c, conn->session_role_id, target->id) &&
                   !(catalog_role_count(c) == 0 && conn->session_role_id == CAT_ID_BOOTSTRAP_ROLE)) {
            /* PostgreSQL 15: the session user must be a member of the role (directly or
             * not, INHERIT or not); a superuser session user may take any role */
            rc = error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                           "permission denied to set role \"%s\"", role);
        }
    }
    if (rc == STRATA_OK && !local_outside_block(conn, is_local)) {
        conn->set_role_id = target != NULL ? target->id : 0;
        conn->role_id = target != NULL ? target->id : conn->session_role_id;
        if (target != NULL) {
            snprintf(conn->user_name, sizeof conn->user_name, "%s", target->name);
        } else {
            memcpy(conn->user_name, conn->session_user_name, sizeof conn->user_name);
        }
        role_changed(conn, is_local);
    }
    catalog_release(c);
    return rc;
}

STRATA_API int strata_set_database_name(strata_db *db, const char *name)
{
    if (db == NULL || name == NULL || name[0] == '\0' || strlen(name) >= sizeof db->database_name) {
        return STRATA_MISUSE;
    }
    snprintf(db->database_name, sizeof db->database_name, "%s", name);
    api_stmt_cache_clear(db); /* plans hold has_database_privilege answers */
    return STRATA_OK;
}

STRATA_API int strata_set_user(strata_db *db, const char *role)
{
    if (db == NULL || role == NULL) {
        return STRATA_MISUSE;
    }
    if (db->db == NULL) {
        return error_set(&db->err, SQLSTATE_CONNECTION_EXCEPTION, "database is not open");
    }
    const Catalog *c = latest_catalog(db);
    const CatRole *found = catalog_find_role(c, role);
    int rc = STRATA_OK;
    if (found == NULL) {
        rc = error_set(&db->err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                       "role \"%s\" does not exist", role);
    } else {
        db->role_id = found->id;
        db->session_role_id = found->id;
        db->set_role_id = 0;
        db->login_role_id = found->id;
        snprintf(db->user_name, sizeof db->user_name, "%s", found->name);
        snprintf(db->session_user_name, sizeof db->session_user_name, "%s", found->name);
    }
    catalog_release(c);
    return rc;
}

/* ---- options ---- */

enum {
    FLAG_SUPERUSER,
    FLAG_INHERIT,
    FLAG_CREATEROLE,
    FLAG_CREATEDB,
    FLAG_LOGIN,
    FLAG_REPLICATION,
    FLAG_BYPASSRLS,
    FLAG_COUNT
};

static const char *const FLAG_NAMES[FLAG_COUNT] = {
    "superuser", "inherit", "createrole", "createdb", "login", "replication", "bypassrls"};

typedef struct RoleOptions {
    int flags[FLAG_COUNT]; /* -1 not given, else 0 / 1 */
    RoleMemberOptions members; /* CREATE ROLE ... IN ROLE / ROLE / ADMIN */
    bool has_password;
    const char *password; /* plaintext or verifier as given; NULL = PASSWORD NULL */
    bool has_connection_limit;
    int connection_limit;
    bool has_valid_until;
    const char *valid_until;
} RoleOptions;

static bool *flag_field(CatRole *role, int flag)
{
    bool *fields[FLAG_COUNT] = {&role->superuser, &role->inherit, &role->createrole,
                                &role->createdb,  &role->login,   &role->replication,
                                &role->bypassrls};
    return fields[flag];
}

static int redundant(Error *err)
{
    return error_set(err, SQLSTATE_SYNTAX_ERROR, "conflicting or redundant options");
}

static int integer_option(const DefElem *o, int *out, Error *err)
{
    const Node *n = o->arg;
    bool negate = false;
    if (n != NULL && n->tag == N_OP_EXPR && ((const OpExpr *)n)->left == NULL) {
        negate = true;
        n = ((const OpExpr *)n)->right;
    }
    if (n == NULL || n->tag != N_CONST || ((const Const *)n)->kind != CONST_INTEGER ||
        ((const Const *)n)->int_value > INT32_MAX) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "option \"%s\" needs an integer", o->name);
    }
    int64_t value = negate ? -((const Const *)n)->int_value : ((const Const *)n)->int_value;
    if (value < -1) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid connection limit: %lld",
                         (long long)value);
    }
    *out = (int)value;
    return STRATA_OK;
}

static int flag_option(const DefElem *o, RoleOptions *opts, bool *matched, Error *err)
{
    *matched = false;
    for (int flag = 0; flag < FLAG_COUNT; flag++) {
        if (strcmp(o->name, FLAG_NAMES[flag]) == 0) {
            *matched = true;
            if (opts->flags[flag] >= 0) {
                return redundant(err);
            }
            opts->flags[flag] = o->word != NULL && strcmp(o->word, "true") == 0;
        }
    }
    return STRATA_OK;
}

static int value_option(Ddl *d, const DefElem *o, RoleOptions *opts, Error *err)
{
    if (strcmp(o->name, "password") == 0) {
        if (opts->has_password) {
            return redundant(err);
        }
        opts->has_password = true;
        opts->password = o->arg == NULL ? NULL : ((const Const *)o->arg)->text;
        return STRATA_OK;
    }
    if (strcmp(o->name, "connection_limit") == 0) {
        if (opts->has_connection_limit) {
            return redundant(err);
        }
        opts->has_connection_limit = true;
        return integer_option(o, &opts->connection_limit, err);
    }
    if (strcmp(o->name, "valid_until") == 0) {
        if (opts->has_valid_until) {
            return redundant(err);
        }
        opts->has_valid_until = true;
        opts->valid_until = ((const Const *)o->arg)->text;
        return STRATA_OK;
    }
    if (strcmp(o->name, "sysid") == 0) {
        api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_SUCCESSFUL_COMPLETION,
                               "SYSID can no longer be specified");
        return STRATA_OK;
    }
    NameList *list = strcmp(o->name, "in_role") == 0 ? &opts->members.in_role
                     : strcmp(o->name, "admin") == 0 ? &opts->members.admins
                                                      : &opts->members.members;
    if (d->stmt != NULL && ((const RoleStmt *)d->stmt->ast)->action != ROLE_CREATE) {
        return error_set(err, SQLSTATE_SYNTAX_ERROR, "option \"%s\" is only valid in CREATE ROLE",
                         o->name);
    }
    if (list->count == list->capacity) {
        int cap = list->capacity * 2 + 4;
        char **items = arena_alloc(d->a, sizeof(char *) * (size_t)cap);
        if (items == NULL) {
            return arena_error(d->a, err);
        }
        if (list->count > 0) {
            memcpy(items, list->items, sizeof(char *) * (size_t)list->count);
        }
        list->items = items;
        list->capacity = cap;
    }
    list->items[list->count++] = o->word;
    return STRATA_OK;
}

static int parse_options(Ddl *d, const RoleStmt *s, RoleOptions *opts, Error *err)
{
    memset(opts, 0, sizeof *opts);
    for (int flag = 0; flag < FLAG_COUNT; flag++) {
        opts->flags[flag] = -1;
    }
    for (int k = 0; k < s->options.count; k++) {
        const DefElem *o = (const DefElem *)s->options.items[k];
        bool matched;
        int rc = flag_option(o, opts, &matched, err);
        if (rc == STRATA_OK && !matched) {
            rc = value_option(d, o, opts, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* The verifier to store for a PASSWORD option (NULL for none), in the edit's
 * arena. A plaintext never leaves this function. */
static int password_verifier(Ddl *d, const char *password, const char **out, Error *err)
{
    *out = NULL;
    if (password == NULL) {
        return STRATA_OK;
    }
    if (password[0] == '\0') {
        api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_SUCCESSFUL_COMPLETION,
                               "empty string is not a valid password, clearing password");
        return STRATA_OK;
    }
    if (strncmp(password, "md5", 3) == 0 && strlen(password) == 35 &&
        strspn(password + 3, "0123456789abcdef") == 32) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "MD5 password verifiers are not supported");
    }
    ScramVerifier parsed;
    Error scratch;
    error_clear(&scratch);
    if (scram_looks_like_verifier(password) &&
        scram_parse_verifier(password, &parsed, &scratch) == STRATA_OK) {
        *out = arena_strdup(d->a, password);
    } else {
        /* As PostgreSQL: anything that is not a valid verifier is a plaintext. */
        char verifier[SCRAM_VERIFIER_MAX_BYTES];
        int rc = scram_make_verifier_random(password, verifier, sizeof verifier, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        *out = arena_strdup(d->a, verifier);
    }
    return *out == NULL ? arena_error(d->a, err) : STRATA_OK;
}

/* VALID UNTIL: checked and normalized as a timestamptz in the session zone. */
static int valid_until_text(Ddl *d, const char *text, const char **out, Error *err)
{
    const char *zone = api_settings_get(d->conn, "TimeZone", NULL);
    Value in = value_str(TYPE_TEXT, text, (uint32_t)strlen(text)), ts;
    StrRef formatted;
    int rc = value_cast_tz(&in, sql_type(TYPE_TIMESTAMPTZ), CAST_EXPLICIT, zone, d->a, &ts, err);
    if (rc == STRATA_OK) {
        rc = value_format_tz(&ts, "UTC", d->a, &formatted, err);
    }
    if (rc == STRATA_OK) {
        *out = arena_strndup(d->a, formatted.ptr, formatted.len);
        rc = *out == NULL ? arena_error(d->a, err) : STRATA_OK;
    }
    return rc;
}

/* Applies opts to role (verifier conversion included). */
static int apply_options(Ddl *d, const RoleOptions *opts, CatRole *role, Error *err)
{
    for (int flag = 0; flag < FLAG_COUNT; flag++) {
        if (opts->flags[flag] >= 0) {
            *flag_field(role, flag) = opts->flags[flag] == 1;
        }
    }
    if (opts->has_connection_limit) {
        role->connection_limit = opts->connection_limit;
    }
    int rc = STRATA_OK;
    if (opts->has_password) {
        rc = password_verifier(d, opts->password, &role->password, err);
    }
    if (rc == STRATA_OK && opts->has_valid_until) {
        rc = valid_until_text(d, opts->valid_until, &role->valid_until, err);
    }
    return rc;
}

/* ---- privilege checks ---- */

static int denied(Error *err, const char *action, const char *detail)
{
    error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied to %s role", action);
    return error_detail(err, "%s", detail);
}

/* May the current role give these attributes? Only superusers give
 * SUPERUSER, REPLICATION and BYPASSRLS. */
static int check_attributes(Ddl *d, const RoleOptions *opts, const char *action, Error *err)
{
    if (api_role_is_superuser(d->conn, d->conn->catalog)) {
        return STRATA_OK;
    }
    static const int guarded[] = {FLAG_SUPERUSER, FLAG_REPLICATION, FLAG_BYPASSRLS};
    static const char *const details[] = {
        "Only roles with the SUPERUSER attribute may %s roles with the SUPERUSER attribute.",
        "Only roles with the SUPERUSER attribute may %s roles with the REPLICATION attribute.",
        "Only roles with the SUPERUSER attribute may %s roles with the BYPASSRLS attribute.",
    };
    for (size_t k = 0; k < sizeof guarded / sizeof guarded[0]; k++) {
        if (opts->flags[guarded[k]] >= 0) {
            char detail[160];
            snprintf(detail, sizeof detail, details[k], action);
            return denied(err, action, detail);
        }
    }
    return STRATA_OK;
}

/* CREATEROLE (or SUPERUSER) is needed; a superuser target needs SUPERUSER. */
static int check_manage(Ddl *d, const CatRole *target, const char *action, Error *err)
{
    const Catalog *c = d->conn->catalog;
    if (api_role_is_superuser(d->conn, c)) {
        return STRATA_OK;
    }
    const CatRole *self = api_role_current(d->conn, c);
    if (target != NULL && target->superuser) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "Only roles with the SUPERUSER attribute may %s roles with the SUPERUSER "
                 "attribute.",
                 action);
        return denied(err, action, detail);
    }
    if (self == NULL || !self->createrole) {
        char detail[160];
        snprintf(detail, sizeof detail, "Only roles with the CREATEROLE attribute may %s roles.",
                 action);
        return denied(err, action, detail);
    }
    return STRATA_OK;
}

/* ---- statements ---- */

static int check_new_name(const char *name, Error *err)
{
    if (strcmp(name, "public") == 0 || strcmp(name, "none") == 0) {
        return error_set(err, SQLSTATE_RESERVED_NAME, "role name \"%s\" is reserved", name);
    }
    if (strncmp(name, "pg_", 3) == 0) {
        error_set(err, SQLSTATE_RESERVED_NAME, "role name \"%s\" is reserved", name);
        return error_detail(err, "Role names starting with \"pg_\" are reserved.");
    }
    if (strcmp(name, "current_user") == 0 || strcmp(name, "session_user") == 0 ||
        strcmp(name, "current_role") == 0) {
        return error_set(err, SQLSTATE_RESERVED_NAME, "%s cannot be used as a role name here",
                         name);
    }
    return STRATA_OK;
}

/* A role named in ALTER / DROP: CURRENT_USER, SESSION_USER and CURRENT_ROLE
 * name the connection's role. */
static const CatRole *find_named(Ddl *d, const char *name)
{
    if (strcmp(name, "current_user") == 0 || strcmp(name, "session_user") == 0 ||
        strcmp(name, "current_role") == 0) {
        return api_role_current(d->conn, d->conn->catalog);
    }
    return catalog_find_role(d->conn->catalog, name);
}

static int missing(const char *name, Error *err)
{
    return error_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
}

static int create_role(Ddl *d, const RoleStmt *s, Error *err)
{
    const char *name = s->names.items[0];
    RoleOptions opts;
    int rc = parse_options(d, s, &opts, err);
    if (rc == STRATA_OK) {
        rc = check_manage(d, NULL, "create", err);
    }
    if (rc == STRATA_OK) {
        rc = check_attributes(d, &opts, "create", err);
    }
    if (rc == STRATA_OK) {
        rc = check_new_name(name, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (catalog_find_role(d->conn->catalog, name) != NULL) {
        return error_set(err, SQLSTATE_DUPLICATE_OBJECT, "role \"%s\" already exists", name);
    }
    CatRole role = {.name = name, .inherit = true, .login = s->is_user, .connection_limit = -1};
    rc = apply_options(d, &opts, &role, err);
    if (rc == STRATA_OK) {
        rc = catalog_edit_new_id(d->edit, &role.id, err);
    }
    /* IN ROLE / ROLE / ADMIN: the memberships, as GRANT would make them */
    if (rc == STRATA_OK) {
        rc = api_role_create_memberships(d, &role, &opts.members, err);
    }
    return rc != STRATA_OK ? rc : catalog_edit_put_role(d->edit, &role, err);
}

/* Only PASSWORD (and VALID UNTIL) given for the connection's own role: any
 * role may change its own password, as in PostgreSQL. */
static bool is_own_password_change(Ddl *d, const CatRole *target, const RoleOptions *opts)
{
    for (int flag = 0; flag < FLAG_COUNT; flag++) {
        if (opts->flags[flag] >= 0) {
            return false;
        }
    }
    return target->id == d->conn->role_id && opts->has_password && !opts->has_connection_limit &&
           !opts->has_valid_until;
}

/* Predefined roles (pg_database_owner): their names start with "pg_", which
 * CREATE ROLE refuses. */
static bool is_reserved_role(const char *name)
{
    return strncmp(name, "pg_", 3) == 0;
}

static int alter_role(Ddl *d, const RoleStmt *s, Error *err)
{
    const char *name = s->names.items[0];
    const CatRole *old = find_named(d, name);
    RoleOptions opts;
    int rc = parse_options(d, s, &opts, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* by name as PostgreSQL, and also as CURRENT_USER: a predefined role is no
     * catalog record, so even its own password change (which PostgreSQL allows)
     * has nowhere to go */
    if (is_reserved_role(name) || (old != NULL && is_reserved_role(old->name))) {
        const char *shown = old != NULL && is_reserved_role(old->name) ? old->name : name;
        error_set(err, SQLSTATE_RESERVED_NAME, "role name \"%s\" is reserved", shown);
        return error_detail(err, "Cannot alter reserved roles.");
    }
    if (old == NULL) {
        return missing(name, err);
    }
    if (!is_own_password_change(d, old, &opts)) {
        rc = check_manage(d, old, "alter", err);
        if (rc == STRATA_OK) {
            rc = check_attributes(d, &opts, "alter", err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (old->id == CAT_ID_BOOTSTRAP_ROLE && opts.flags[FLAG_SUPERUSER] == 0) {
        return denied(err, "alter", "The bootstrap user must have the SUPERUSER attribute.");
    }
    CatRole role = *old;
    role.name = arena_strdup(d->a, old->name);
    rc = role.name == NULL ? arena_error(d->a, err) : apply_options(d, &opts, &role, err);
    return rc != STRATA_OK ? rc : catalog_edit_put_role(d->edit, &role, err);
}

static int rename_role(Ddl *d, const RoleStmt *s, Error *err)
{
    const char *name = s->names.items[0];
    const CatRole *old = find_named(d, name);
    if (old == NULL) {
        return missing(name, err);
    }
    if (old->id == d->conn->role_id) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "session user cannot be renamed");
    }
    if (is_reserved_role(old->name)) {
        error_set(err, SQLSTATE_RESERVED_NAME, "role name \"%s\" is reserved", old->name);
        return error_detail(err, "Role names starting with \"pg_\" are reserved.");
    }
    int rc = check_manage(d, old, "rename", err);
    if (rc == STRATA_OK) {
        rc = check_new_name(s->new_name, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (catalog_find_role(d->conn->catalog, s->new_name) != NULL) {
        return error_set(err, SQLSTATE_DUPLICATE_OBJECT, "role \"%s\" already exists", s->new_name);
    }
    CatRole role = *old;
    role.name = s->new_name;
    return catalog_edit_put_role(d->edit, &role, err);
}

static int compare_table_ids(const void *a, const void *b)
{
    uint64_t x = (*(const CatTable *const *)a)->id, y = (*(const CatTable *const *)b)->id;
    return x < y ? -1 : x > y;
}

static int drop_one(Ddl *d, const RoleStmt *s, const char *name, Error *err)
{
    const CatRole *role = find_named(d, name);
    if (role == NULL) {
        if (s->if_exists) {
            api_session_add_notice(d->conn, NOTICE_SEVERITY_NOTICE, SQLSTATE_SUCCESSFUL_COMPLETION,
                                   "role \"%s\" does not exist, skipping", name);
            return STRATA_OK;
        }
        return missing(name, err);
    }
    if (role->id == d->conn->role_id) {
        return error_set(err, SQLSTATE_OBJECT_IN_USE, "current user cannot be dropped");
    }
    if (role->id == d->conn->session_role_id) {
        return error_set(err, SQLSTATE_OBJECT_IN_USE, "session user cannot be dropped");
    }
    if (role->id == CAT_ID_BOOTSTRAP_ROLE || role->id == CAT_ID_DATABASE_OWNER_ROLE) {
        return error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                         "cannot drop role %s because it is required by the database system",
                         role->name);
    }
    int rc = check_manage(d, role, "drop", err);
    if (rc != STRATA_OK) {
        return rc;
    }
    /* a role that owns relations or holds grants on them stays (PostgreSQL's 2BP01,
     * one detail line per object) */
    const Catalog *c = d->conn->catalog;
    char detail[1024];
    size_t used = 0;
    detail[0] = '\0';
    /* in creation (id) order, as PostgreSQL lists them */
    const CatTable **order = arena_alloc(d->a, sizeof(CatTable *) * (size_t)(catalog_table_count(c) + 1));
    if (order == NULL) {
        return arena_error(d->a, err);
    }
    int n_order = catalog_table_count(c);
    for (int k = 0; k < n_order; k++) {
        order[k] = catalog_table_at(c, k);
    }
    qsort(order, (size_t)n_order, sizeof(order[0]), compare_table_ids);
    for (int k = 0; k < n_order; k++) {
        const CatTable *t = order[k];
        bool owns = t->kind != CAT_VIRTUAL && cat_table_owner(t) == role->id;
        bool granted = false;
        for (int a = 0; a < t->acl_count; a++) {
            granted |= t->acl[a].grantee == role->id;
        }
        if ((owns || granted) && used < sizeof detail) {
            int n = snprintf(detail + used, sizeof detail - used, "%s%s %s %s", used ? "\n" : "",
                             owns ? "owner of" : "privileges for",
                             t->kind == CAT_VIEW ? "view" : cat_is_matview(t) ? "materialized view" : "table",
                             t->name);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    if (detail[0] != '\0') {
        error_set(err, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                  "role \"%s\" cannot be dropped because some objects depend on it", role->name);
        return error_detail(err, "%s", detail);
    }
    rc = api_role_drop_memberships(d, role, err);
    return rc != STRATA_OK ? rc : catalog_edit_delete(d->edit, role->id, err);
}

static int drop_roles(Ddl *d, const RoleStmt *s, Error *err)
{
    int rc = check_manage(d, NULL, "drop", err);
    for (int k = 0; rc == STRATA_OK && k < s->names.count; k++) {
        rc = drop_one(d, s, s->names.items[k], err);
    }
    return rc;
}

int api_ddl_role(Ddl *d, Error *err)
{
    const RoleStmt *s = (const RoleStmt *)d->stmt->ast;
    switch (s->action) {
    case ROLE_CREATE:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "CREATE ROLE");
        return create_role(d, s, err);
    case ROLE_ALTER:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "ALTER ROLE");
        return s->new_name != NULL ? rename_role(d, s, err) : alter_role(d, s, err);
    case ROLE_DROP:
        snprintf(d->stmt->tag, sizeof(d->stmt->tag), "DROP ROLE");
        return drop_roles(d, s, err);
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, "unknown role statement");
}
