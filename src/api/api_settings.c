/*
 * api/api_settings.c - session settings (SET / SHOW / RESET, pg_settings,
 * current_setting()).
 *
 * Every setting has a name (matched case-insensitively), a type that decides
 * how SET values are checked and normalized, and a default. Values are kept
 * per connection as normalized text.
 *
 * transaction_isolation accepts PostgreSQL's four level names, but every
 * transaction runs as SERIALIZABLE (one writer at a time, readers on
 * snapshots), which satisfies every weaker level (docs/api.md).
 *
 * See src/api/README.md.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "types/datetime.h"
#include "util/mem.h"

typedef enum SettingType {
    ST_STRING,
    ST_BOOL,
    ST_INT,
    ST_MEMORY,
    ST_TIME,
    ST_ENUM,
    ST_READONLY
} SettingType;

typedef struct SettingDef {
    const char *name; /* display name */
    SettingType type;
    const char *boot; /* default */
    const char *unit;
    const char *desc;
    long min, max;       /* ST_INT bounds */
    const char *choices; /* ST_ENUM: '|'-separated lower-case values */
} SettingDef;

static const SettingDef defs[] = {
    {"application_name", ST_STRING, "", NULL,
     "Sets the application name to be reported in statistics and logs.", 0, 0, NULL},
    {"check_function_bodies", ST_BOOL, "on", NULL,
     "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE.", 0, 0, NULL},
    {"client_encoding", ST_STRING, "UTF8", NULL, "Sets the client's character set encoding.", 0, 0,
     NULL},
    {"client_min_messages", ST_ENUM, "notice", NULL,
     "Sets the message levels that are sent to the client.", 0, 0,
     "debug5|debug4|debug3|debug2|debug1|log|notice|warning|error"},
    {"DateStyle", ST_STRING, "ISO, MDY", NULL, "Sets the display format for date and time values.",
     0, 0, NULL},
    {"default_table_access_method", ST_STRING, "row", NULL,
     "Sets the default table access method for new tables.", 0, 0, NULL},
    {"default_tablespace", ST_STRING, "", NULL,
     "Sets the default tablespace to create tables and indexes in.", 0, 0, NULL},
    {"default_transaction_isolation", ST_ENUM, "serializable", NULL,
     "Sets the transaction isolation level of each new transaction.", 0, 0,
     "serializable|repeatable read|read committed|read uncommitted"},
    {"enable_bitmapscan", ST_BOOL, "on", NULL,
     "Enables the planner's use of bitmap-scan plans (strata has none: no effect).", 0, 0, NULL},
    {"enable_speculative_writes", ST_BOOL, "on", NULL,
     "Lets a transaction block whose first write finds another writer run beside it, "
     "checked by replay at commit (strata's own).", 0, 0, NULL},
    {"enable_hashjoin", ST_BOOL, "on", NULL,
     "Enables the planner's use of hash join plans.", 0, 0, NULL},
    {"enable_nestloop", ST_BOOL, "on", NULL,
     "Enables the planner's use of nested-loop join plans.", 0, 0, NULL},
    {"enable_vectorize", ST_BOOL, "on", NULL,
     "Enables vectorized execution of aggregates over column-table star joins.", 0, 0, NULL},
    {"extra_float_digits", ST_INT, "1", NULL,
     "Sets the number of digits displayed for floating-point values.", -15, 3, NULL},
    {"idle_in_transaction_session_timeout", ST_TIME, "0", "ms",
     "Sets the maximum allowed idle time between queries, when in a transaction (strata serve).",
     0, 0, NULL},
    {"integer_datetimes", ST_READONLY, "on", NULL, "Shows whether datetimes are integer based.", 0,
     0, NULL},
    {"IntervalStyle", ST_ENUM, "postgres", NULL, "Sets the display format for interval values.", 0,
     0, "postgres"},
    {"lock_timeout", ST_TIME, "0", "ms",
     "Sets the maximum allowed duration of any wait for a lock.", 0, 0, NULL},
    {"max_parallel_maintenance_workers", ST_INT, "2", NULL,
     "Sets the maximum number of parallel processes per maintenance operation.", 0, 1024, NULL},
    {"max_parallel_workers_per_gather", ST_INT, "2", NULL,
     "Sets the maximum number of parallel processes per executor node.", 0, 1024, NULL},
    {"row_security", ST_BOOL, "on", NULL, "Enable row security.", 0, 0, NULL},
    {"search_path", ST_STRING, "\"$user\", public", NULL,
     "Sets the schema search order for names that are not schema-qualified.", 0, 0, NULL},
    {"server_encoding", ST_READONLY, "UTF8", NULL,
     "Shows the server (database) character set encoding.", 0, 0, NULL},
    {"server_version", ST_READONLY, "15.0", NULL, "Shows the server version.", 0, 0, NULL},
    {"server_version_num", ST_READONLY, "150000", NULL, "Shows the server version as an integer.", 0, 0, NULL},
    {"shared_buffers", ST_MEMORY, "32MB", "kB",
     "Sets the size of the database's buffer pool (shared by all its connections).", 0, 0,
     NULL},
    {"standard_conforming_strings", ST_BOOL, "on", NULL,
     "Causes '...' strings to treat backslashes literally.", 0, 0, NULL},
    {"statement_timeout", ST_TIME, "0", "ms", "Sets the maximum allowed duration of any statement.",
     0, 0, NULL},
    {"synchronous_commit", ST_ENUM, "on", NULL,
     "Sets the current transaction's synchronization level.", 0, 0,
     "on|off|local|remote_write|remote_apply"},
    {"TimeZone", ST_STRING, "UTC", NULL,
     "Sets the time zone for displaying and interpreting time stamps.", 0, 0, NULL},
    {"transaction_isolation", ST_ENUM, "serializable", NULL,
     "Sets the current transaction's isolation level.", 0, 0,
     "serializable|repeatable read|read committed|read uncommitted"},
    {"transaction_read_only", ST_BOOL, "off", NULL,
     "Sets the current transaction's read-only status.", 0, 0, NULL},
    {"work_mem", ST_MEMORY, "64MB", "kB",
     "Sets the maximum memory to be used for query workspaces.", 0, 0, NULL},
    {"bytea_output", ST_ENUM, "hex", NULL, "Sets the output format for bytea.", 0, 0, "hex"},
    {"xmloption", ST_ENUM, "content", NULL,
     "Sets whether XML data in implicit parsing and serialization operations is to be considered "
     "as documents or content fragments.",
     0, 0, "content|document"},
};

#define DEF_COUNT ((int)(sizeof(defs) / sizeof(defs[0])))
_Static_assert(DEF_COUNT <= SETTING_COUNT_MAX, "raise SETTING_COUNT_MAX");

int api_settings_count(void)
{
    return DEF_COUNT;
}

void api_settings_describe(int i, const char **name, const char **unit, const char **desc,
                           const char **vartype, const char **boot)
{
    static const char *const types[] = {"string",  "bool", "integer", "integer",
                                        "integer", "enum", "string"};
    *name = defs[i].name;
    *unit = defs[i].unit;
    *desc = defs[i].desc;
    *vartype = types[defs[i].type];
    *boot = defs[i].boot;
}

static void free_array(char **values);

/* Settings that no plan and no kept executor reads: they act when a statement
 * starts or a transaction ends (timeouts, commit durability, the isolation
 * level, which is always SERIALIZABLE), on the database (shared_buffers), or
 * only on the messages sent (application_name, client_min_messages); a SET of
 * one re-plans nothing. Every other setting may reach a plan (search_path,
 * TimeZone, the enable_* switches, work_mem, ...), so changing it re-plans
 * each prepared statement before its next execution. */
static bool is_runtime_only(int k)
{
    static const char *const names[] = {
        "application_name",    "client_min_messages", "default_transaction_isolation",
        "idle_in_transaction_session_timeout",        "lock_timeout",
        "shared_buffers",      "statement_timeout",   "synchronous_commit",
        "transaction_isolation",
    };
    for (size_t at = 0; at < sizeof(names) / sizeof(names[0]); at++) {
        if (strcmp(defs[k].name, names[at]) == 0) {
            return true;
        }
    }
    return false;
}

/* Setting k changed value: caches of the values (generation) and, unless
 * it is runtime-only, prepared plans (plan_generation) are stale. */
static void note_change(Settings *s, int k)
{
    s->generation++;
    if (!is_runtime_only(k)) {
        s->plan_generation++;
    }
}

static int find_def(const char *name)
{
    /* Called several times per statement (work_mem, search_path, ...), mostly
     * with string literals: a per-thread memo keyed by the name's address
     * answers with one strcasecmp (the hit is still verified, so a reused
     * buffer is fine); otherwise comparing the first letter first skips most
     * strcasecmp calls. */
    static _Thread_local struct {
        const char *name;
        char text[40]; /* the name as last seen at that address (exact case) */
        int k;
    } memo[16];
    unsigned slot = (unsigned)(((uintptr_t)name >> 3) & 15);
    if (memo[slot].name == name && strcmp(memo[slot].text, name) == 0) {
        return memo[slot].k;
    }
    int first = tolower((unsigned char)name[0]);
    for (int k = 0; k < DEF_COUNT; k++) {
        if (tolower((unsigned char)defs[k].name[0]) == first &&
            strcasecmp(defs[k].name, name) == 0) {
            size_t length = strlen(name);
            if (length < sizeof memo[slot].text) {
                memcpy(memo[slot].text, name, length + 1);
                memo[slot].name = name;
                memo[slot].k = k;
            }
            return k;
        }
    }
    return -1;
}

int api_settings_init(Settings *s)
{
    memset(s, 0, sizeof(*s));
    s->generation = 1;
    s->plan_generation = 1;
    for (int k = 0; k < DEF_COUNT; k++) {
        s->values[k] = mem_strdup(defs[k].boot);
        if (s->values[k] == NULL) {
            api_settings_free(s);
            return STRATA_NOMEM;
        }
    }
    return STRATA_OK;
}

void api_settings_free(Settings *s)
{
    free_array(s->block_start);
    free_array(s->session_values);
    s->in_block = false;
    for (int k = 0; k < SETTING_COUNT_MAX; k++) {
        mem_free(s->values[k]);
        s->values[k] = NULL;
    }
}

const char *api_settings_value_at(const strata_db *conn, int i)
{
    return conn->settings.values[i];
}

const char *api_settings_get(const strata_db *conn, const char *name, Error *err)
{
    int k = find_def(name);
    if (k < 0) {
        error_set(err, SQLSTATE_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"",
                  name);
        return NULL;
    }
    return conn->settings.values[k];
}

static int invalid_value(Error *err, const char *name, const char *value)
{
    return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                     "invalid value for parameter \"%s\": \"%s\"", name, value);
}

static int normalize_bool(const char *name, const char *value, char *out, Error *err)
{
    static const char *const on[] = {"on", "true", "yes", "1", "t", "y"};
    static const char *const off[] = {"off", "false", "no", "0", "f", "n"};
    for (int k = 0; k < 6; k++) {
        if (strcasecmp(value, on[k]) == 0) {
            strcpy(out, "on");
            return STRATA_OK;
        }
        if (strcasecmp(value, off[k]) == 0) {
            strcpy(out, "off");
            return STRATA_OK;
        }
    }
    return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                     "parameter \"%s\" requires a Boolean value", name);
}

/* Parses "<number>[unit]" with units from the table; base unit factor 1. */
static int parse_with_unit(const char *value, const char *const *units, const long *factors,
                           int unit_count, long default_factor, long *out)
{
    char *end;
    long n = strtol(value, &end, 10);
    if (end == value) {
        return -1;
    }
    while (isspace((unsigned char)*end)) {
        end++;
    }
    long factor = default_factor;
    if (*end != '\0') {
        factor = 0;
        for (int k = 0; k < unit_count; k++) {
            if (strcmp(end, units[k]) == 0) {
                factor = factors[k];
            }
        }
        if (factor == 0) {
            return -1;
        }
    }
    *out = n * factor;
    return 0;
}

static void format_memory(long kb, char *out, size_t size)
{
    if (kb != 0 && kb % (1024L * 1024) == 0) {
        snprintf(out, size, "%ldGB", kb / (1024L * 1024));
    } else if (kb != 0 && kb % 1024 == 0) {
        snprintf(out, size, "%ldMB", kb / 1024);
    } else {
        snprintf(out, size, "%ldkB", kb);
    }
}

static void format_time(long ms, char *out, size_t size)
{
    if (ms != 0 && ms % 3600000 == 0) {
        snprintf(out, size, "%ldh", ms / 3600000);
    } else if (ms != 0 && ms % 60000 == 0) {
        snprintf(out, size, "%ldmin", ms / 60000);
    } else if (ms != 0 && ms % 1000 == 0) {
        snprintf(out, size, "%lds", ms / 1000);
    } else if (ms != 0) {
        snprintf(out, size, "%ldms", ms);
    } else {
        snprintf(out, size, "0");
    }
}

static int normalize(const SettingDef *d, const char *value, char *out, size_t size, Error *err)
{
    switch (d->type) {
    case ST_READONLY:
        return error_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                         "parameter \"%s\" cannot be changed", d->name);
    case ST_BOOL:
        return normalize_bool(d->name, value, out, err);
    case ST_INT: {
        char *end;
        long n = strtol(value, &end, 10);
        if (end == value || *end != '\0') {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "invalid value for parameter \"%s\": \"%s\"", d->name, value);
        }
        if (n < d->min || n > d->max) {
            return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                             "%ld is outside the valid range for parameter \"%s\" (%ld .. %ld)", n,
                             d->name, d->min, d->max);
        }
        snprintf(out, size, "%ld", n);
        return STRATA_OK;
    }
    case ST_MEMORY: {
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
        static const long factors[] = {1, 1, 1024, 1024L * 1024, 1024L * 1024 * 1024};
        long kb;
        if (parse_with_unit(value, units, factors, 5, 1, &kb) != 0) {
            return invalid_value(err, d->name, value);
        }
        if (kb < 64) {
            return error_set(
                err, SQLSTATE_INVALID_PARAMETER_VALUE,
                "%ld kB is outside the valid range for parameter \"%s\" (64 kB .. 2147483647 kB)",
                kb, d->name);
        }
        format_memory(kb, out, size);
        return STRATA_OK;
    }
    case ST_TIME: {
        static const char *const units[] = {"us", "ms", "s", "min", "h", "d"};
        static const long factors[] = {1, 1, 1000, 60000, 3600000, 86400000};
        long ms;
        if (parse_with_unit(value, units, factors, 6, 1, &ms) != 0 || ms < 0) {
            return invalid_value(err, d->name, value);
        }
        format_time(ms, out, size);
        return STRATA_OK;
    }
    case ST_ENUM: {
        char lower[128];
        snprintf(lower, sizeof(lower), "%s", value);
        for (char *p = lower; *p; p++) {
            *p = (char)tolower((unsigned char)*p);
        }
        const char *c = d->choices;
        size_t n = strlen(lower);
        while (c != NULL && *c) {
            const char *bar = strchr(c, '|');
            size_t len = bar ? (size_t)(bar - c) : strlen(c);
            if (len == n && strncmp(c, lower, n) == 0) {
                snprintf(out, size, "%s", lower);
                return STRATA_OK;
            }
            c = bar ? bar + 1 : NULL;
        }
        return invalid_value(err, d->name, value);
    }
    case ST_STRING:
        if (strcasecmp(d->name, "client_encoding") == 0) {
            if (strcasecmp(value, "utf8") != 0 && strcasecmp(value, "utf-8") != 0 &&
                strcasecmp(value, "unicode") != 0) {
                return invalid_value(err, d->name, value);
            }
            snprintf(out, size, "UTF8");
            return STRATA_OK;
        }
        if (strcasecmp(d->name, "TimeZone") == 0) {
            int32_t offset;
            Error ignored;
            if (tz_offset_seconds(value, 0, &offset, &ignored) != STRATA_OK) {
                return invalid_value(err, d->name, value);
            }
        }
        if (strcasecmp(d->name, "default_table_access_method") == 0) {
            if (strcmp(value, "heap") == 0) {
                value = "row"; /* PostgreSQL's name of the row store (pg_dump sets it) */
            }
            if (tam_lookup(value) == NULL) {
                return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                 "invalid value for parameter \"%s\": \"%s\"", d->name, value);
            }
        }
        if (strcasecmp(d->name, "default_tablespace") == 0 && value[0] != '\0' &&
            strcmp(value, "pg_default") != 0) {
            error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "invalid value for parameter \"%s\": \"%s\"", d->name, value);
            return error_detail(err, "Tablespace \"%s\" does not exist.", value);
        }
        snprintf(out, size, "%s", value);
        return STRATA_OK;
    }
    return STRATA_OK;
}

static void free_array(char **values)
{
    for (int k = 0; k < SETTING_COUNT_MAX; k++) {
        mem_free(values[k]);
        values[k] = NULL;
    }
}

/* Nothing is copied at BEGIN: a setting's value at BEGIN is saved by the first
 * SET of the block that changes it (block_start), and the value COMMIT keeps
 * by a session-level SET (session_values). Copying all of them at every BEGIN
 * and putting them back at every COMMIT was about 5% of a TPC-B transaction,
 * and bumped the generation, so the next statement parsed its settings again. */
void api_settings_begin_block(strata_db *conn)
{
    Settings *s = &conn->settings;
    api_settings_end_block(conn, true);
    api_role_save(conn, &s->block_roles);
    s->commit_roles = s->block_roles;
    s->in_block = true;
}

struct SettingsSnapshot {
    char *values[SETTING_COUNT_MAX];
    char *session_values[SETTING_COUNT_MAX];
    RoleState roles, commit_roles;
};

SettingsSnapshot *api_settings_snapshot(const strata_db *conn)
{
    const Settings *s = &conn->settings;
    SettingsSnapshot *snap = mem_zalloc(sizeof(SettingsSnapshot));
    if (snap == NULL) {
        return NULL;
    }
    for (int k = 0; k < DEF_COUNT; k++) {
        snap->values[k] = s->values[k] != NULL ? mem_strdup(s->values[k]) : NULL;
        snap->session_values[k] =
            s->session_values[k] != NULL ? mem_strdup(s->session_values[k]) : NULL;
        if ((s->values[k] != NULL && snap->values[k] == NULL) ||
            (s->session_values[k] != NULL && snap->session_values[k] == NULL)) {
            api_settings_snapshot_free(snap);
            return NULL;
        }
    }
    api_role_save(conn, &snap->roles);
    snap->commit_roles = s->commit_roles;
    return snap;
}

static void restore_array(Settings *s, char **into, char *const *from)
{
    for (int k = 0; k < DEF_COUNT; k++) {
        if (from[k] == NULL || (into[k] != NULL && strcmp(into[k], from[k]) == 0)) {
            continue;
        }
        char *copy = mem_strdup(from[k]);
        if (copy != NULL) {
            mem_free(into[k]);
            into[k] = copy;
            note_change(s, k);
        }
    }
}

/* session_values as at the savepoint: NULL there (no session-level SET in the
 * block yet) is put back as NULL. */
static void restore_session_values(char **into, char *const *from)
{
    for (int k = 0; k < DEF_COUNT; k++) {
        if (from[k] == NULL) {
            mem_free(into[k]);
            into[k] = NULL;
        } else if (into[k] == NULL || strcmp(into[k], from[k]) != 0) {
            char *copy = mem_strdup(from[k]);
            if (copy != NULL) {
                mem_free(into[k]);
                into[k] = copy;
            }
        }
    }
}

void api_settings_restore(strata_db *conn, const SettingsSnapshot *snap)
{
    if (snap == NULL) {
        return;
    }
    Settings *s = &conn->settings;
    restore_array(s, s->values, snap->values);
    if (s->in_block) {
        restore_session_values(s->session_values, snap->session_values);
    }
    api_role_restore(conn, &snap->roles);
    if (s->in_block) {
        s->commit_roles = snap->commit_roles;
    }
}

void api_settings_snapshot_free(SettingsSnapshot *snap)
{
    if (snap == NULL) {
        return;
    }
    free_array(snap->values);
    free_array(snap->session_values);
    mem_free(snap);
}

static bool ends_with_block(int k)
{
    return defs[k].name[0] == 't' && (strcmp(defs[k].name, "transaction_isolation") == 0 ||
                                      strcmp(defs[k].name, "transaction_read_only") == 0);
}

/* Makes value (owned, may be NULL) the setting's value unless it already is. */
static void replace_value(Settings *s, int k, char *value)
{
    if (value == NULL) {
        return;
    }
    if (strcmp(s->values[k], value) == 0) {
        mem_free(value);
        return;
    }
    mem_free(s->values[k]);
    s->values[k] = value;
    note_change(s, k);
}

void api_settings_end_block(strata_db *conn, bool commit)
{
    Settings *s = &conn->settings;
    if (!s->in_block) {
        return;
    }
    /* SET ROLE and SET SESSION AUTHORIZATION: a rolled-back block undoes them, a
     * committed one keeps all but SET LOCAL */
    api_role_restore(conn, commit ? &s->commit_roles : &s->block_roles);
    for (int k = 0; k < DEF_COUNT; k++) {
        /* COMMIT keeps a session-level SET and undoes a SET LOCAL; ROLLBACK
         * undoes both. */
        char **keep = commit && s->session_values[k] != NULL ? &s->session_values[k]
                                                              : &s->block_start[k];
        replace_value(s, k, *keep);
        *keep = NULL;
        if (ends_with_block(k)) {
            const char *reset = strcmp(defs[k].name, "transaction_isolation") == 0
                                    ? s->values[find_def("default_transaction_isolation")]
                                    : defs[k].boot;
            if (strcmp(s->values[k], reset) != 0) {
                replace_value(s, k, mem_strdup(reset));
            }
        }
    }
    free_array(s->block_start);
    free_array(s->session_values);
    s->in_block = false;
}

int api_settings_set(strata_db *conn, const char *name, const char *value, bool is_local,
                     Error *err)
{
    int k = find_def(name);
    if (k < 0) {
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT,
                         "unrecognized configuration parameter \"%s\"", name);
    }
    char buf[1024];
    const char *normalized = defs[k].boot;
    if (value != NULL) {
        int rc = normalize(&defs[k], value, buf, sizeof(buf), err);
        if (rc != STRATA_OK) {
            return rc;
        }
        normalized = buf;
    } else if (defs[k].type == ST_READONLY) {
        return error_set(err, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                         "parameter \"%s\" cannot be changed", defs[k].name);
    }
    Settings *s = &conn->settings;
    if (is_local && !s->in_block) {
        api_session_add_notice(conn, NOTICE_SEVERITY_WARNING, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                               "SET LOCAL can only be used in transaction blocks");
        return STRATA_OK;
    }
    char *copy = mem_strdup(normalized);
    char *session_copy = s->in_block && !is_local ? mem_strdup(normalized) : NULL;
    if (s->in_block && s->block_start[k] == NULL) {
        s->block_start[k] = mem_strdup(s->values[k]); /* the value ROLLBACK puts back */
        if (s->block_start[k] == NULL) {
            mem_free(copy);
            mem_free(session_copy);
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    }
    if (copy == NULL || (s->in_block && !is_local && session_copy == NULL)) {
        mem_free(copy);
        mem_free(session_copy);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    bool is_change = strcmp(s->values[k], copy) != 0;
    mem_free(s->values[k]);
    s->values[k] = copy;
    if (is_change) {
        note_change(s, k); /* a SET to the value it has is no change */
    }
    if (session_copy != NULL) {
        mem_free(s->session_values[k]);
        s->session_values[k] = session_copy;
    }
    /* transaction_isolation: every level runs as serializable (docs/api.md). */
    if (strcmp(defs[k].name, "shared_buffers") == 0 && conn->db != NULL) {
        /* The pool belongs to the database, not the session: the last SET of
         * any connection sizes it (SQLite's cache_size pragma likewise acts at
         * once; PostgreSQL would need a restart). */
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
        static const long factors[] = {1, 1, 1024, 1024L * 1024, 1024L * 1024 * 1024};
        long kb = 0;
        (void)parse_with_unit(normalized, units, factors, 5, 1, &kb);
        return pager_set_cache_pages(conn->db->pager, (size_t)kb * 1024 / PAGE_SIZE, err);
    }
    return STRATA_OK;
}

int64_t api_settings_ms(const strata_db *conn, const char *name)
{
    static const char *const units[] = {"us", "ms", "s", "min", "h", "d"};
    static const long factors[] = {1, 1, 1000, 60000, 3600000, 86400000};
    const char *v = api_settings_get(conn, name, NULL);
    long ms = 0;
    if (v == NULL || parse_with_unit(v, units, factors, 6, 1, &ms) != 0) {
        return 0;
    }
    return ms;
}

void api_settings_reset_all(strata_db *conn)
{
    for (int k = 0; k < DEF_COUNT; k++) {
        if (defs[k].type != ST_READONLY) {
            api_settings_set(conn, defs[k].name, NULL, false, NULL);
        }
    }
}
