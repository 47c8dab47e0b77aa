/*
 * api/api_session.c - connections: open/close, errors, notices, busy timeout,
 * interrupts, and the transaction state machine (see api_int.h for the
 * diagram), savepoints, and the QueryHooks the executor calls back into.
 *
 * Transactions: a statement calls api_session_ensure_txn() before it runs and
 * api_session_end_statement() after. Autocommit statements get their own pager
 * transaction (read or write); in a BEGIN block the pager transaction starts
 * at the first statement and is upgraded on the first write, which fails with
 * 40001 if another connection committed since the snapshot.
 *
 * Savepoints taken while the transaction is still read-only have no pager
 * savepoint yet; at the upgrade one pager savepoint is taken for all of them
 * (nothing was written before it, so rolling back to it is exact).
 *
 * See src/api/README.md.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "catalog/edit.h"
#include "util/mem.h"

int64_t api_session_now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* PostgreSQL's epoch is 2000-01-01 00:00:00 UTC. */
    return ((int64_t)ts.tv_sec - 946684800) * 1000000 + ts.tv_nsec / 1000;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int api_conn_error(strata_db *conn, const Error *err)
{
    error_copy(&conn->err, err);
    if (conn->err.code == STRATA_OK) {
        conn->err.code = STRATA_ERROR;
    }
    return conn->err.code;
}

static void notice_free(Notice *notice)
{
    mem_free(notice->text);
    mem_free(notice->detail);
    mem_free(notice->hint);
}

static void add_notice(strata_db *conn, NoticeSeverity severity, const char *sqlstate,
                       const char *detail, const char *hint, const char *fmt, va_list ap)
{
    /* client_min_messages: warning drops notices, error drops warnings too */
    const char *least = api_settings_get(conn, "client_min_messages", NULL);
    if (least != NULL && (strcmp(least, "error") == 0 ||
                          (strcmp(least, "warning") == 0 && severity == NOTICE_SEVERITY_NOTICE))) {
        return;
    }
    const char *word = severity == NOTICE_SEVERITY_WARNING ? "WARNING" : "NOTICE";
    char buf[512];
    int prefix = snprintf(buf, sizeof buf, "%s:  ", word);
    vsnprintf(buf + prefix, sizeof buf - (size_t)prefix, fmt, ap);
    if (conn->notice_count == conn->notice_capacity) {
        int cap = conn->notice_capacity ? conn->notice_capacity * 2 : 8;
        /* Bounded: a loop of notices nobody reads keeps only the newest. */
        if (cap > 1024) {
            notice_free(&conn->notices[0]);
            memmove(conn->notices, conn->notices + 1,
                    sizeof(Notice) * (size_t)(conn->notice_count - 1));
            conn->notice_count--;
        } else {
            Notice *grown = mem_realloc(conn->notices, sizeof(Notice) * (size_t)cap);
            if (grown == NULL) {
                return;
            }
            conn->notices = grown;
            conn->notice_capacity = cap;
        }
    }
    char *text = mem_strdup(buf);
    if (text != NULL) {
        Notice *notice = &conn->notices[conn->notice_count++];
        notice->text = text;
        notice->message_offset = (size_t)prefix;
        snprintf(notice->severity, sizeof notice->severity, "%s", word);
        snprintf(notice->sqlstate, sizeof notice->sqlstate, "%s", sqlstate);
        /* out of memory for these: the notice goes without them */
        notice->detail = detail != NULL ? mem_strdup(detail) : NULL;
        notice->hint = hint != NULL ? mem_strdup(hint) : NULL;
    }
}

void api_session_add_notice(strata_db *conn, NoticeSeverity severity, const char *sqlstate,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_notice(conn, severity, sqlstate, NULL, NULL, fmt, ap);
    va_end(ap);
}

void api_session_add_notice_detail(strata_db *conn, NoticeSeverity severity, const char *sqlstate,
                                   const char *detail, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_notice(conn, severity, sqlstate, detail, hint, fmt, ap);
    va_end(ap);
}

/* PostgreSQL's MAX_REPORTED_DEPS: lines of a cascade notice's DETAIL. */
enum { CASCADE_LINES_MAX = 100 };

/* Whether lines ('\n'-separated) holds line. */
static bool has_line(const char *lines, const char *line)
{
    size_t length = strlen(line);
    const char *at = lines;
    for (;;) {
        if (strncmp(at, line, length) == 0 && (at[length] == '\n' || at[length] == '\0')) {
            return true;
        }
        const char *next = strchr(at, '\n');
        if (next == NULL) {
            return false;
        }
        at = next + 1;
    }
}

void api_session_cascade(strata_db *conn, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (conn->cascade_lines != NULL && has_line(conn->cascade_lines, line)) {
        return; /* one object reached twice (a view over two dropped tables) */
    }
    conn->cascade_count++;
    if (conn->cascade_count > CASCADE_LINES_MAX) {
        return; /* counted in the "and N other objects" line */
    }
    size_t used = conn->cascade_lines != NULL ? strlen(conn->cascade_lines) : 0;
    char *grown = mem_realloc(conn->cascade_lines, used + strlen(line) + 2);
    if (grown == NULL) {
        return; /* out of memory: the line is missing from the report */
    }
    snprintf(grown + used, strlen(line) + 2, "%s%s", used > 0 ? "\n" : "", line);
    conn->cascade_lines = grown;
}

void api_session_cascade_flush(strata_db *conn)
{
    int count = conn->cascade_count;
    char *lines = conn->cascade_lines;
    conn->cascade_count = 0;
    conn->cascade_lines = NULL;
    if (count == 1 && lines != NULL) {
        api_session_notice(conn, "%s", lines);
    } else if (count > 1) {
        char *detail = lines;
        if (count > CASCADE_LINES_MAX && lines != NULL) {
            size_t size = strlen(lines) + 64;
            detail = mem_realloc(lines, size);
            if (detail == NULL) {
                detail = lines;
            } else {
                size_t used = strlen(detail);
                int rest = count - CASCADE_LINES_MAX;
                snprintf(detail + used, size - used, "\nand %d other %s (see server log for list)",
                         rest, rest == 1 ? "object" : "objects");
            }
        }
        api_session_add_notice_detail(conn, NOTICE_SEVERITY_NOTICE,
                                      SQLSTATE_SUCCESSFUL_COMPLETION, detail, NULL,
                                      "drop cascades to %d other objects", count);
        lines = detail;
    }
    mem_free(lines);
}

/* ---- statement_timeout ----------------------------------------------------------
 * One process-wide watchdog thread keeps the deadlines of running statements
 * and sets their connection's interrupt flag to INTERRUPT_TIMEOUT when one
 * passes; the executor's ordinary interrupt checks then stop the statement. */

typedef struct TimeoutEntry {
    strata_db *conn;
    struct timespec deadline;
} TimeoutEntry;

enum { TIMEOUT_ENTRIES_MAX = 4096 };

static pthread_mutex_t timeout_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timeout_cond = PTHREAD_COND_INITIALIZER;
static TimeoutEntry timeout_entries[TIMEOUT_ENTRIES_MAX];
static int timeout_count;
static bool timeout_thread_started;

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *timeout_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&timeout_lock);
    for (;;) {
        if (timeout_count == 0) {
            pthread_cond_wait(&timeout_cond, &timeout_lock);
            continue;
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int earliest = 0;
        for (int k = 0; k < timeout_count; k++) {
            if (!before(&now, &timeout_entries[k].deadline)) {
                timeout_entries[k].conn->interrupt = INTERRUPT_TIMEOUT;
                timeout_entries[k--] = timeout_entries[--timeout_count];
                continue;
            }
            if (before(&timeout_entries[k].deadline, &timeout_entries[earliest].deadline)) {
                earliest = k;
            }
        }
        if (timeout_count > 0) {
            pthread_cond_timedwait(&timeout_cond, &timeout_lock,
                                   &timeout_entries[earliest].deadline);
        }
    }
    return NULL;
}

void api_timeout_arm(strata_db *conn, int64_t timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)(timeout_ms / 1000);
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&timeout_lock);
    if (!timeout_thread_started) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, timeout_main, NULL) == 0) {
            pthread_detach(thread);
            timeout_thread_started = true;
        }
    }
    if (timeout_count < TIMEOUT_ENTRIES_MAX) {
        timeout_entries[timeout_count].conn = conn;
        timeout_entries[timeout_count++].deadline = deadline;
        conn->timeout_armed = true;
        pthread_cond_signal(&timeout_cond);
    }
    pthread_mutex_unlock(&timeout_lock);
}

void api_timeout_disarm(strata_db *conn)
{
    if (!conn->timeout_armed) {
        return;
    }
    pthread_mutex_lock(&timeout_lock);
    for (int k = 0; k < timeout_count; k++) {
        if (timeout_entries[k].conn == conn) {
            timeout_entries[k--] = timeout_entries[--timeout_count];
        }
    }
    conn->timeout_armed = false;
    pthread_mutex_unlock(&timeout_lock);
}

/* ---- hooks ---------------------------------------------------------------------- */

/* Splits "schema.name" (either part may be double-quoted) into parts. */
static void split_name(const char *in, char *schema, char *name, size_t size)
{
    char parts[2][256] = {{0}, {0}};
    int part = 0;
    size_t len = 0;
    bool quoted = false;
    for (const char *p = in; *p; p++) {
        if (*p == '"') {
            if (quoted && p[1] == '"') {
                p++;
            } else {
                quoted = !quoted;
                continue;
            }
        } else if (*p == '.' && !quoted && part == 0) {
            part = 1;
            len = 0;
            continue;
        }
        if (len + 1 < sizeof(parts[0])) {
            char ch = *p;
            if (!quoted && ch >= 'A' && ch <= 'Z') {
                ch = (char)(ch - 'A' + 'a');
            }
            parts[part][len++] = ch;
        }
    }
    if (part == 1) {
        snprintf(schema, size, "%s", parts[0]);
        snprintf(name, size, "%s", parts[1]);
    } else {
        schema[0] = '\0';
        snprintf(name, size, "%s", parts[0]);
    }
}

static int find_sequence(strata_db *conn, const char *text, const CatSequence **out, Error *err)
{
    char schema[256], name[256];
    split_name(text, schema, name, sizeof(name));
    const CatSequence *s = catalog_find_sequence(conn->catalog, schema[0] ? schema : NULL, name);
    if (s == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", text);
    }
    *out = s;
    return STRATA_OK;
}

static void remember_value(strata_db *conn, uint64_t id, int64_t value)
{
    for (int k = 0; k < conn->seq_last_count; k++) {
        if (conn->seq_last[k].id == id) {
            conn->seq_last[k].value = value;
            return;
        }
    }
    if (conn->seq_last_count == conn->seq_last_capacity) {
        int cap = conn->seq_last_capacity ? conn->seq_last_capacity * 2 : 8;
        struct SeqLast *grown = mem_realloc(conn->seq_last, sizeof(*grown) * (size_t)cap);
        if (grown == NULL) {
            return;
        }
        conn->seq_last = grown;
        conn->seq_last_capacity = cap;
    }
    conn->seq_last[conn->seq_last_count].id = id;
    conn->seq_last[conn->seq_last_count++].value = value;
}

static int hook_nextval(void *ctx, const char *sequence, int64_t *out, Error *err)
{
    strata_db *conn = ctx;
    const CatSequence *s;
    int rc = find_sequence(conn, sequence, &s, err);
    if (rc == STRATA_OK) {
        rc = api_session_ensure_txn(conn, true, err);
    }
    int64_t last = 0;
    bool called = false;
    if (rc == STRATA_OK) {
        rc = catalog_sequence_get(conn->txn, s, &last, &called, err);
    }
    if (rc == STRATA_OK) {
        /* After the last value any transaction was handed, even one that
         * rolled back. A speculative transaction's replay takes new values
         * too: reusing its first run's would put its rows before those of
         * transactions that committed ahead of it, an order no serial
         * execution gives (a later "latest row by id" would miss them). */
        rc = api_sequence_next(conn->db, s, last, called, out, err);
    }
    if (rc == STRATA_OK) {
        rc = catalog_sequence_set(conn->txn, s, *out, true, err);
    }
    if (rc == STRATA_OK) {
        remember_value(conn, s->id, *out);
    }
    return rc;
}

static int hook_sequence_check(void *ctx, const char *sequence, uint32_t privs, Error *err)
{
    strata_db *conn = ctx;
    const Catalog *c = conn->catalog;
    if (api_role_is_superuser(conn, c)) {
        return STRATA_OK;
    }
    char schema[256], name[256];
    split_name(sequence, schema, name, sizeof(name));
    const CatSequence *s = catalog_find_sequence(c, schema[0] ? schema : NULL, name);
    if (s == NULL) {
        return STRATA_OK; /* the call reports 42P01 */
    }
    const CatSchema *ns = schema[0] ? catalog_find_schema(c, s->schema) : NULL;
    if (ns != NULL && (catalog_schema_privileges(c, ns, conn->role_id, false) & CAT_PRIV_USAGE) == 0) {
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for schema %s",
                         ns->name);
    }
    if ((catalog_sequence_privileges(c, s, conn->role_id, false) & privs) == 0) {
        return error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for sequence %s",
                         s->name);
    }
    return STRATA_OK;
}

static int hook_currval(void *ctx, const char *sequence, int64_t *out, Error *err)
{
    strata_db *conn = ctx;
    const CatSequence *s;
    int rc = find_sequence(conn, sequence, &s, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    for (int k = 0; k < conn->seq_last_count; k++) {
        if (conn->seq_last[k].id == s->id) {
            *out = conn->seq_last[k].value;
            return STRATA_OK;
        }
    }
    return error_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                     "currval of sequence \"%s\" is not yet defined in this session", s->name);
}

static int hook_setval(void *ctx, const char *sequence, int64_t value, bool is_called, Error *err)
{
    strata_db *conn = ctx;
    const CatSequence *s;
    int rc = find_sequence(conn, sequence, &s, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (value < s->min_value || value > s->max_value) {
        return error_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                         "setval: value %lld is out of bounds for sequence \"%s\" (%lld..%lld)",
                         (long long)value, s->name, (long long)s->min_value,
                         (long long)s->max_value);
    }
    rc = api_session_ensure_txn(conn, true, err);
    if (rc == STRATA_OK) {
        rc = catalog_sequence_set(conn->txn, s, value, is_called, err);
    }
    if (rc == STRATA_OK) {
        api_sequence_note(conn->db, s->id, value, is_called);
    }
    if (rc == STRATA_OK && is_called) {
        remember_value(conn, s->id, value);
    }
    return rc;
}

static void hook_rows_written(void *ctx, uint64_t table_id, uint64_t inserted, uint64_t updated,
                              uint64_t deleted)
{
    strata_db *conn = ctx;
    api_database_count_rows(conn->db, &conn->stats_pending, table_id, inserted, updated, deleted);
}

static void hook_scans_counted(void *ctx, uint64_t table_id, uint64_t index_id, uint64_t scans,
                               uint64_t rows_read, uint64_t rows_fetched)
{
    strata_db *conn = ctx;
    api_database_count_scans(conn->db, &conn->stats_pending, table_id, index_id, scans, rows_read,
                             rows_fetched);
}

static int hook_current_setting(void *ctx, const char *name, Arena *a, const char **out, Error *err)
{
    strata_db *conn = ctx;
    /* role, session_authorization and is_superuser are the session's roles */
    const char *v = api_role_show(conn, name);
    if (v == NULL) {
        v = api_settings_get(conn, name, err);
    }
    if (v == NULL) {
        return err != NULL ? err->code : STRATA_ERROR;
    }
    *out = arena_strdup(a, v);
    return *out != NULL ? STRATA_OK : arena_error(a, err);
}

static int hook_set_config(void *ctx, const char *name, const char *value, bool is_local,
                           Arena *a, const char **out, Error *err)
{
    strata_db *conn = ctx;
    int rc = api_settings_set(conn, name, value, is_local, err);
    return rc != STRATA_OK ? rc : hook_current_setting(ctx, name, a, out, err);
}

void api_session_hooks_init(strata_db *conn)
{
    conn->hooks.ctx = conn;
    conn->hooks.nextval = hook_nextval;
    conn->hooks.currval = hook_currval;
    conn->hooks.setval = hook_setval;
    conn->hooks.sequence_check = hook_sequence_check;
    conn->hooks.rows_written = hook_rows_written;
    conn->hooks.scans_counted = hook_scans_counted;
    conn->hooks.current_setting = hook_current_setting;
    conn->hooks.set_config = hook_set_config;
    conn->provider.ctx = conn;
    conn->provider.rows = api_sysviews_rows;
    api_types_init_resolver(conn);
}

/* Splits search_path ("a, \"B\", $user") into names; $user is skipped (there
 * are no roles yet). */
static void load_search_path(strata_db *conn)
{
    if (conn->path_generation == conn->settings.generation && conn->path_generation != 0) {
        return; /* no setting changed since the path was split */
    }
    const char *p = api_settings_get(conn, "search_path", NULL);
    conn->path_generation = conn->settings.generation;
    size_t at = 0;
    conn->path_count = 0;
    if (conn->temp_schema_used) {
        /* PostgreSQL searches the session's temporary schema first. */
        conn->path_items[conn->path_count++] = conn->temp_schema;
    }
    while (p != NULL && *p != '\0' && conn->path_count < 16) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        size_t start = at;
        bool quoted = false;
        while (*p != '\0' && (quoted || *p != ',')) {
            if (*p == '"') {
                quoted = !quoted;
            } else if (at + 1 < sizeof(conn->path_text) && (quoted || *p != ' ')) {
                char ch = *p;
                conn->path_text[at++] = quoted ? ch : (char)tolower((unsigned char)ch);
            }
            p++;
        }
        conn->path_text[at++] = '\0';
        const char *name = &conn->path_text[start];
        if (name[0] != '\0' && strcmp(name, "$user") != 0) {
            conn->path_items[conn->path_count++] = name;
        }
    }
}

void api_session_install_provider(strata_db *conn)
{
    virtual_set_provider(&conn->provider);
    user_type_set_resolver(&conn->type_resolver);
    load_search_path(conn);
    catalog_set_thread_search_path(conn->path_items, conn->path_count);
    catalog_set_thread_temp_schema(conn->temp_schema);
}

void api_session_remove_provider(void)
{
    virtual_set_provider(NULL);
    user_type_set_resolver(NULL);
    catalog_set_thread_search_path(NULL, 0);
    catalog_set_thread_temp_schema(NULL);
}

static size_t work_mem_bytes(const strata_db *conn)
{
    const char *v = api_settings_get(conn, "work_mem", NULL);
    if (v == NULL) {
        return 64u << 20;
    }
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (strcmp(end, "GB") == 0) {
        return (size_t)n << 30;
    }
    if (strcmp(end, "MB") == 0) {
        return (size_t)n << 20;
    }
    return (size_t)n << 10;
}

/* txid_current(): one id per transaction, taken at the first call from a
 * per-database counter that starts above the snapshot's commit count, so ids
 * increase across the connections of a process (after a restart they start
 * again from the number of commits). */
static int64_t session_xact_id(void *arg)
{
    strata_db *conn = arg;
    if (conn->xact_id == 0) {
        Database *db = conn->db;
        uint64_t base = conn->txn != NULL ? pager_txn_snapshot(conn->txn) : 0;
        pthread_mutex_lock(&db->lock);
        db->xact_id_last = (db->xact_id_last > base ? db->xact_id_last : base) + 1;
        conn->xact_id = (int64_t)db->xact_id_last;
        pthread_mutex_unlock(&db->lock);
    }
    return conn->xact_id;
}

STRATA_API int strata_set_network(strata_db *db, const char *client_addr, int client_port,
                                  const char *server_addr, int server_port)
{
    if (db == NULL) {
        return STRATA_MISUSE;
    }
    snprintf(db->client_addr, sizeof db->client_addr, "%s", client_addr != NULL ? client_addr : "");
    snprintf(db->server_addr, sizeof db->server_addr, "%s", server_addr != NULL ? server_addr : "");
    db->client_port = client_port;
    db->server_port = server_port;
    return STRATA_OK;
}

/* The settings each statement reads, looked up and parsed again only after a
 * setting changed (a point select is a few thousand instructions; five lookups
 * and parses per statement were a tenth of it). */
static void load_hot_settings(strata_db *conn)
{
    if (conn->hot.generation == conn->settings.generation && conn->hot.generation != 0) {
        return;
    }
    conn->hot.generation = conn->settings.generation;
    conn->hot.timezone = api_settings_get(conn, "TimeZone", NULL);
    conn->hot.work_mem_bytes = work_mem_bytes(conn);
    conn->hot.statement_timeout_ms = api_settings_ms(conn, "statement_timeout");
    const char *vectorize = api_settings_get(conn, "enable_vectorize", NULL);
    conn->hot.vectorize = vectorize == NULL || strcmp(vectorize, "off") != 0;
    const char *workers = api_settings_get(conn, "max_parallel_workers_per_gather", NULL);
    conn->hot.parallel_workers = workers != NULL ? atoi(workers) : 0;
    const char *nestloop = api_settings_get(conn, "enable_nestloop", NULL);
    conn->hot.no_nestloop = nestloop != NULL && strcmp(nestloop, "off") == 0;
    const char *hashjoin = api_settings_get(conn, "enable_hashjoin", NULL);
    conn->hot.no_hashjoin = hashjoin != NULL && strcmp(hashjoin, "off") == 0;
    const char *sync = api_settings_get(conn, "synchronous_commit", NULL);
    conn->hot.sync_off = sync != NULL && strcmp(sync, "off") == 0;
    const char *speculate = api_settings_get(conn, "enable_speculative_writes", NULL);
    conn->hot.speculate = speculate == NULL || strcmp(speculate, "off") != 0;
    const char *read_only = api_settings_get(conn, "transaction_read_only", NULL);
    conn->hot.txn_read_only = read_only != NULL && strcmp(read_only, "on") == 0;
}

int64_t api_session_statement_timeout_ms(strata_db *conn)
{
    load_hot_settings(conn);
    return conn->hot.statement_timeout_ms;
}

void api_session_fill_env(strata_db *conn, QueryEnv *env, Arena *plan_arena, Arena *exec_arena,
                          const char *sql)
{
    load_hot_settings(conn);
    memset(env, 0, sizeof(*env));
    env->catalog = conn->catalog;
    env->txn = conn->txn;
    env->plan_arena = plan_arena;
    env->exec_arena = exec_arena;
    env->func_ctx.arena = exec_arena;
    env->func_ctx.txn_start_micros = conn->txn_start_micros;
    env->func_ctx.statement_start_micros = api_session_now_micros();
    env->func_ctx.timezone = conn->hot.timezone;
    env->func_ctx.user_name = api_role_user_name(conn, conn->catalog);
    env->func_ctx.session_user_name = api_role_session_user_name(conn, conn->catalog);
    env->func_ctx.database_name = conn->database_name;
    env->role_id = conn->role_id;
    env->is_superuser = api_role_is_superuser(conn, conn->catalog);
    env->func_ctx.client_addr = conn->client_addr[0] != '\0' ? conn->client_addr : NULL;
    env->func_ctx.client_port = conn->client_port;
    env->func_ctx.server_addr = conn->server_addr[0] != '\0' ? conn->server_addr : NULL;
    env->func_ctx.server_port = conn->server_port;
    if (conn->db != NULL) {
        env->func_ctx.xact_id = session_xact_id;
        env->func_ctx.xact_id_arg = conn;
    }
    env->work_mem_bytes = conn->hot.work_mem_bytes;
    env->vectorize = conn->hot.vectorize;
    env->parallel_workers = conn->hot.parallel_workers;
    env->no_nestloop = conn->hot.no_nestloop;
    env->no_hashjoin = conn->hot.no_hashjoin;
    env->interrupt = &conn->interrupt;
    env->func_ctx.interrupt = &conn->interrupt;
    env->sql = sql;
    env->hooks = &conn->hooks;
}

/* ---- transactions ---------------------------------------------------------------- */

static void release_savepoints(strata_db *conn, int keep)
{
    for (int k = keep; k < conn->savepoint_count; k++) {
        mem_free(conn->savepoints[k].name);
        api_settings_snapshot_free(conn->savepoints[k].settings);
        catalog_release(conn->savepoints[k].catalog);
    }
    conn->savepoint_count = keep;
}

static void end_txn_state(strata_db *conn)
{
    api_spec_end(conn);
    api_sequence_end_txn(conn);
    release_savepoints(conn, 0);
    catalog_release(conn->catalog);
    conn->catalog = NULL;
    conn->catalog_changed = false;
    conn->txn = NULL;
    conn->xact_id = 0;
    conn->autocommit_users = 0;
    conn->autocommit_doomed = false;
    conn->mode = TXN_IDLE;
}

void api_session_rollback(strata_db *conn)
{
    api_settings_end_block(conn, false);
    if (conn->txn != NULL) {
        if (pager_txn_is_write(conn->txn)) {
            /* before the writer lock goes */
            api_sequence_undo_restarts(conn, -1);
            api_sequence_prune(conn->db, NULL);
        }
        pager_rollback(conn->txn);
    }
    end_txn_state(conn);
    api_database_flush_stats(conn->db, &conn->stats_pending);
}

int api_session_commit(strata_db *conn, Error *err)
{
    int rc = STRATA_OK;
    if (conn->txn != NULL && pager_txn_is_speculative(conn->txn)) {
        rc = api_spec_promote(conn, err);
        if (rc != STRATA_OK) {
            api_session_rollback(conn);
            return rc;
        }
    }
    if (conn->txn != NULL) {
        /* synchronous_commit as of COMMIT (before SET LOCAL unwinds): off
         * commits without waiting for the WAL fsync; every other value syncs. */
        load_hot_settings(conn);
        pager_txn_set_synchronous(conn->txn, conn->hot.sync_off ? 0 : 2);
    }
    api_settings_end_block(conn, true);
    if (conn->txn != NULL) {
        rc = pager_commit(conn->txn, err);
        conn->txn = NULL;
        if (rc != STRATA_OK) {
            api_sequence_prune(conn->db, NULL); /* the transaction's CREATE SEQUENCE is gone */
        }
        if (rc == STRATA_OK && conn->catalog_changed && conn->catalog != NULL) {
            api_database_publish_catalog(conn->db, conn->catalog);
        }
    }
    end_txn_state(conn);
    return rc;
}

/* Waits for the write lock until the connection's busy timeout, in slices
 * on the pager's condition variable: a waiter is woken the moment the holder
 * ends (polling with sleeps left the lock idle for up to the sleep, which
 * cost two-client pgbench much of its throughput), and between slices it
 * sees a cancel or statement timeout (strata_interrupt). */
enum { WRITER_WAIT_SLICE_MS = 20 };

static int with_busy_retry(strata_db *conn, int (*attempt)(strata_db *, long, Error *),
                           Error *err)
{
    int64_t wait_limit_ms = conn->busy_timeout_ms > 0 ? conn->busy_timeout_ms : 0;
    /* lock_timeout (PostgreSQL's setting) caps the wait and names itself when it ends it */
    int64_t lock_timeout_ms = api_settings_ms(conn, "lock_timeout");
    bool by_lock_timeout = lock_timeout_ms > 0 && (wait_limit_ms == 0 || lock_timeout_ms < wait_limit_ms);
    if (by_lock_timeout) {
        wait_limit_ms = lock_timeout_ms;
    }
    int64_t deadline = monotonic_ms() + wait_limit_ms;
    for (;;) {
        int64_t left_ms = deadline - monotonic_ms();
        long wait_ms = left_ms <= 0 ? 0 : left_ms < WRITER_WAIT_SLICE_MS ? (long)left_ms
                                                                        : WRITER_WAIT_SLICE_MS;
        int rc = attempt(conn, wait_ms, err);
        if (rc == STRATA_OK) {
            /* Earlier attempts left "database is locked" behind. */
            error_clear(err);
            return rc;
        }
        if (rc == STRATA_BUSY && by_lock_timeout && monotonic_ms() >= deadline) {
            return error_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout");
        }
        if (rc != STRATA_BUSY || monotonic_ms() >= deadline) {
            return rc;
        }
        if (conn->interrupt) {
            return error_set(err, SQLSTATE_QUERY_CANCELED,
                             "canceling statement due to user request");
        }
    }
}

static int attempt_begin_write(strata_db *conn, long wait_ms, Error *err)
{
    return pager_begin_wait(conn->db->pager, true, wait_ms, &conn->txn, err);
}

static int attempt_upgrade(strata_db *conn, long wait_ms, Error *err)
{
    return pager_upgrade_wait(conn->txn, wait_ms, err);
}

static int attempt_promote(strata_db *conn, long wait_ms, Error *err)
{
    return pager_promote_wait(conn->txn, wait_ms, conn->spec.may_restart, &conn->spec.restarted,
                              err);
}

int api_session_promote(strata_db *conn, bool may_restart, Error *err)
{
    conn->spec.may_restart = may_restart;
    conn->spec.restarted = false;
    return with_busy_retry(conn, attempt_promote, err);
}

/* A transaction block's first write: with the writer lock if it is free,
 * speculatively if not (api_speculate.c). */
static int begin_block_write(strata_db *conn, Error *err)
{
    bool speculative = false;
    int rc = pager_begin_write_or_speculate(conn->db->pager, &conn->txn, &speculative, err);
    if (rc == STRATA_OK && speculative) {
        api_spec_start(conn);
    }
    return rc;
}

static int map_pending_savepoints(strata_db *conn, Error *err)
{
    bool taken = false;
    uint32_t id = 0;
    for (int k = 0; k < conn->savepoint_count; k++) {
        if (!conn->savepoints[k].has_pager_id) {
            if (!taken) {
                int rc = pager_savepoint(conn->txn, &id, err);
                if (rc != STRATA_OK) {
                    return rc;
                }
                taken = true;
            }
            conn->savepoints[k].pager_id = id;
            conn->savepoints[k].has_pager_id = true;
        }
    }
    return STRATA_OK;
}

static int ensure_txn(strata_db *conn, bool need_write, bool may_speculate, Error *err);

int api_session_ensure_txn(strata_db *conn, bool need_write, Error *err)
{
    return ensure_txn(conn, need_write, false, err);
}

int api_session_ensure_txn_planned(strata_db *conn, bool need_write, bool may_speculate,
                                   Error *err)
{
    return ensure_txn(conn, need_write, may_speculate, err);
}

static int ensure_txn(strata_db *conn, bool need_write, bool may_speculate, Error *err)
{
    if (need_write && conn->is_read_only) {
        error_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                  "cannot execute statement in a read-only database");
        err->code = STRATA_READONLY;
        return STRATA_READONLY;
    }
    load_hot_settings(conn);
    if (need_write && conn->hot.txn_read_only) {
        return error_set(err, SQLSTATE_READ_ONLY_SQL_TRANSACTION,
                         "cannot execute statement in a read-only transaction");
    }
    int rc;
    if (conn->txn == NULL) {
        if (need_write && may_speculate && conn->mode == TXN_BLOCK && conn->hot.speculate &&
            conn->savepoint_count == 0) {
            rc = begin_block_write(conn, err);
        } else if (need_write) {
            rc = with_busy_retry(conn, attempt_begin_write, err);
        } else {
            rc = pager_begin(conn->db->pager, false, &conn->txn, err);
            if (rc == STRATA_OK && may_speculate && conn->mode == TXN_BLOCK &&
                conn->hot.speculate && conn->savepoint_count == 0) {
                /* a block that reads first: logged, so that its first write
                 * need not fail with 40001 if something committed meanwhile */
                api_spec_start(conn);
            }
        }
        if (rc != STRATA_OK) {
            conn->txn = NULL;
            return rc;
        }
        rc = api_database_catalog_for(conn->db, conn->txn, &conn->catalog, err);
        if (rc != STRATA_OK) {
            pager_rollback(conn->txn);
            conn->txn = NULL;
            api_spec_end(conn);
            return rc;
        }
        conn->txn_start_micros = api_session_now_micros();
        if (conn->mode == TXN_IDLE) {
            conn->mode = TXN_AUTOCOMMIT;
        }
        return need_write ? map_pending_savepoints(conn, err) : STRATA_OK;
    }
    if (need_write && !pager_txn_is_write(conn->txn) && conn->spec.is_active &&
        conn->savepoint_count == 0) {
        return api_spec_upgrade(conn, may_speculate, err);
    }
    if (need_write && !pager_txn_is_write(conn->txn)) {
        rc = with_busy_retry(conn, attempt_upgrade, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        return map_pending_savepoints(conn, err);
    }
    return STRATA_OK;
}

int api_session_end_statement(strata_db *conn, bool ok, Error *err)
{
    if (conn->mode == TXN_AUTOCOMMIT) {
        if (conn->autocommit_users > 0) {
            conn->autocommit_users--;
        }
        /* A statement that failed while others share the transaction dooms
         * it: the last one out rolls back (the failure may have written). */
        conn->autocommit_doomed |= !ok;
        if (conn->autocommit_users > 0) {
            return STRATA_OK;
        }
        if (!conn->autocommit_doomed) {
            return api_session_commit(conn, err);
        }
        api_session_rollback(conn);
        return STRATA_OK;
    }
    if (conn->mode == TXN_BLOCK && !ok) {
        conn->mode = TXN_FAILED;
    }
    return STRATA_OK;
}

void api_session_set_catalog(strata_db *conn, const Catalog *c)
{
    catalog_release(conn->catalog);
    conn->catalog = c;
    conn->catalog_changed = true;
}

static int find_savepoint(strata_db *conn, const char *name)
{
    for (int k = conn->savepoint_count - 1; k >= 0; k--) {
        if (strcmp(conn->savepoints[k].name, name) == 0) {
            return k;
        }
    }
    return -1;
}

int api_session_savepoint(strata_db *conn, const char *name, Error *err)
{
    int rc = api_session_ensure_txn(conn, false, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (conn->savepoint_count == conn->savepoint_capacity) {
        int cap = conn->savepoint_capacity ? conn->savepoint_capacity * 2 : 8;
        Savepoint *grown = mem_realloc(conn->savepoints, sizeof(Savepoint) * (size_t)cap);
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        conn->savepoints = grown;
        conn->savepoint_capacity = cap;
    }
    Savepoint *sp = &conn->savepoints[conn->savepoint_count];
    memset(sp, 0, sizeof(*sp));
    sp->name = mem_strdup(name);
    if (sp->name == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (pager_txn_is_write(conn->txn)) {
        rc = pager_savepoint(conn->txn, &sp->pager_id, err);
        if (rc != STRATA_OK) {
            mem_free(sp->name);
            return rc;
        }
        sp->has_pager_id = true;
    }
    catalog_retain(conn->catalog);
    sp->catalog = conn->catalog;
    sp->settings = api_settings_snapshot(conn);
    conn->savepoint_count++;
    return STRATA_OK;
}

int api_session_release(strata_db *conn, const char *name, Error *err)
{
    int k = find_savepoint(conn, name);
    if (k < 0) {
        return error_set(err, SQLSTATE_INVALID_SAVEPOINT_SPECIFICATION,
                         "savepoint \"%s\" does not exist", name);
    }
    if (conn->savepoints[k].has_pager_id && conn->txn != NULL) {
        /* Later savepoints may share the same pager id (taken at upgrade): only
         * release it if no earlier savepoint uses it. */
        bool shared = k > 0 && conn->savepoints[k - 1].has_pager_id &&
                      conn->savepoints[k - 1].pager_id == conn->savepoints[k].pager_id;
        if (!shared) {
            pager_release_savepoint(conn->txn, conn->savepoints[k].pager_id);
        }
    }
    release_savepoints(conn, k);
    return STRATA_OK;
}

int api_session_rollback_to(strata_db *conn, const char *name, Error *err)
{
    int k = find_savepoint(conn, name);
    if (k < 0) {
        return error_set(err, SQLSTATE_INVALID_SAVEPOINT_SPECIFICATION,
                         "savepoint \"%s\" does not exist", name);
    }
    Savepoint *sp = &conn->savepoints[k];
    if (sp->has_pager_id && conn->txn != NULL) {
        int rc = pager_rollback_to(conn->txn, sp->pager_id, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    catalog_retain(sp->catalog);
    catalog_release(conn->catalog);
    conn->catalog = sp->catalog;
    if (conn->txn != NULL && pager_txn_is_write(conn->txn)) {
        api_sequence_undo_restarts(conn, k);
        api_sequence_prune(conn->db, conn->catalog);
    }
    api_settings_restore(conn, sp->settings);
    release_savepoints(conn, k + 1);
    if (conn->mode == TXN_FAILED) {
        conn->mode = TXN_BLOCK;
    }
    return STRATA_OK;
}

/* Drops the pg_temp_K schemas (K < below) that sessions of a crashed process left
 * behind, best effort: a failure leaves them for the next open. */
static void drop_stale_temp_schemas(strata_db *conn, int below)
{
    int stale[64];
    int count = 0;
    Error err;
    error_clear(&err);
    if (api_session_ensure_txn(conn, false, &err) != STRATA_OK) {
        return;
    }
    for (int k = 0; k < catalog_schema_count(conn->catalog) && count < 64; k++) {
        const char *name = catalog_schema_at(conn->catalog, k)->name;
        int n;
        if (sscanf(name, "pg_temp_%d", &n) == 1 && n < below) {
            stale[count++] = n;
        }
    }
    api_session_rollback(conn);
    for (int k = 0; k < count; k++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS \"pg_temp_%d\" CASCADE", stale[k]);
        strata_exec(conn, sql, NULL, NULL);
    }
    strata_notices_clear(conn);
    error_clear(&conn->err);
}

/* ---- public: open / close / errors ------------------------------------------------- */

STRATA_API const char *strata_libversion(void)
{
    return STRATA_VERSION;
}

STRATA_API int strata_open(const char *path, strata_db **db)
{
    return strata_open_v2(path, db, STRATA_OPEN_READWRITE | STRATA_OPEN_CREATE);
}

STRATA_API int strata_open_v2(const char *path, strata_db **db, int flags)
{
    strata_db *conn = mem_zalloc(sizeof(*conn));
    *db = conn;
    if (conn == NULL) {
        return STRATA_NOMEM;
    }
    error_clear(&conn->err);
    conn->busy_timeout_ms = 5000;
    conn->stmt_cache_capacity = API_STMT_CACHE_ENTRIES_DEFAULT;
    conn->is_read_only = (flags & STRATA_OPEN_READONLY) != 0;
    snprintf(conn->database_name, sizeof conn->database_name, "strata");
    api_session_hooks_init(conn);
    if (api_settings_init(&conn->settings) != STRATA_OK) {
        return error_set(&conn->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (path == NULL) {
        return error_set(&conn->err, SQLSTATE_IO_ERROR, "no database path given");
    }
    if (flags & STRATA_OPEN_READONLY) {
        flags &= ~STRATA_OPEN_CREATE;
    }
    int rc = api_database_acquire(path, flags, &conn->db, &conn->err);
    if (rc == STRATA_OK) {
        api_role_session_init(conn);
        bool drop_stale;
        int n = api_database_take_temp_schema(conn->db, &drop_stale);
        snprintf(conn->temp_schema, sizeof(conn->temp_schema), "pg_temp_%d", n);
        if (drop_stale && !conn->is_read_only) {
            drop_stale_temp_schemas(conn, n);
        }
    }
    if (rc != STRATA_OK && rc != STRATA_BUSY && rc != STRATA_CORRUPT && rc != STRATA_NOMEM) {
        conn->err.code = STRATA_CANTOPEN;
        rc = STRATA_CANTOPEN;
    }
    return rc;
}

int api_session_add_temp(strata_db *conn, uint64_t id, Error *err)
{
    if (conn->temp_count == conn->temp_capacity) {
        int cap = conn->temp_capacity ? conn->temp_capacity * 2 : 8;
        uint64_t *grown = mem_realloc(conn->temp_ids, sizeof(uint64_t) * (size_t)cap);
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        conn->temp_ids = grown;
        conn->temp_capacity = cap;
    }
    conn->temp_ids[conn->temp_count++] = id;
    return STRATA_OK;
}

/* Drops the connection's TEMP objects that still exist (best effort: a
 * failure leaves them behind, as a crash would). */
static void drop_temp_objects(strata_db *conn)
{
    for (int k = conn->temp_count - 1; k >= 0; k--) {
        Error err;
        error_clear(&err);
        if (api_session_ensure_txn(conn, false, &err) != STRATA_OK) {
            break;
        }
        const CatTable *t = catalog_table_by_id(conn->catalog, conn->temp_ids[k]);
        char sql[600];
        if (t != NULL) {
            snprintf(sql, sizeof(sql), "DROP %s IF EXISTS \"%s\".\"%s\" CASCADE",
                     t->kind == CAT_VIEW ? "VIEW" : "TABLE", t->schema, t->name);
        }
        api_session_rollback(conn);
        if (t != NULL) {
            strata_exec(conn, sql, NULL, NULL);
        }
    }
    conn->temp_count = 0;
    if (conn->temp_schema_used) {
        char sql[96];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS \"%s\" CASCADE", conn->temp_schema);
        strata_exec(conn, sql, NULL, NULL);
        conn->temp_schema_used = false;
    }
}

static void free_prepared(strata_db *conn)
{
    for (int k = 0; k < conn->prepared_count; k++) {
        mem_free(conn->prepared[k].name);
        api_stmt_free(conn->prepared[k].stmt);
    }
    mem_free(conn->prepared);
    conn->prepared = NULL;
    conn->prepared_count = conn->prepared_capacity = 0;
}

STRATA_API int strata_close(strata_db *conn)
{
    if (conn == NULL) {
        return STRATA_OK;
    }
    if (conn->live_statements > 0) {
        error_set(&conn->err, SQLSTATE_OBJECT_IN_USE,
                  "unable to close due to unfinalized statements");
        conn->err.code = STRATA_BUSY;
        return STRATA_BUSY;
    }
    api_timeout_disarm(conn);
    if (conn->db != NULL) {
        api_session_rollback(conn);
        drop_temp_objects(conn);
    }
    api_stmt_cache_clear(conn);
    free_prepared(conn);
    strata_notices_clear(conn);
    mem_free(conn->notices);
    mem_free(conn->cascade_lines);
    mem_free(conn->savepoints);
    mem_free(conn->seq_last);
    mem_free(conn->seq_restarts);
    mem_free(conn->temp_ids);
    mem_free(conn->active_query);
    api_settings_free(&conn->settings);
    api_database_release(conn->db);
    mem_free(conn);
    return STRATA_OK;
}

STRATA_API int strata_errcode(strata_db *db)
{
    return db == NULL ? STRATA_NOMEM : db->err.code;
}

STRATA_API const char *strata_errmsg(strata_db *db)
{
    if (db == NULL) {
        return "out of memory";
    }
    return db->err.code == STRATA_OK ? "not an error" : db->err.message;
}

STRATA_API const char *strata_sqlstate(strata_db *db)
{
    if (db == NULL) {
        return "53200";
    }
    return db->err.code == STRATA_OK ? "00000" : db->err.sqlstate;
}

STRATA_API const char *strata_errdetail(strata_db *db)
{
    return db == NULL ? "" : db->err.detail;
}
STRATA_API const char *strata_errhint(strata_db *db)
{
    return db == NULL ? "" : db->err.hint;
}
STRATA_API int strata_error_position(strata_db *db)
{
    return db == NULL ? 0 : db->err.position;
}

STRATA_API int strata_txn_state(strata_db *db)
{
    if (db == NULL) {
        return 0;
    }
    return db->mode == TXN_BLOCK ? 1 : db->mode == TXN_FAILED ? 2 : 0;
}

STRATA_API int strata_busy_timeout(strata_db *db, int timeout_ms)
{
    if (db == NULL) {
        return STRATA_MISUSE;
    }
    db->busy_timeout_ms = timeout_ms < 0 ? 0 : timeout_ms;
    return STRATA_OK;
}

STRATA_API void strata_interrupt(strata_db *db)
{
    if (db != NULL) {
        db->interrupt = INTERRUPT_USER;
    }
}

STRATA_API int64_t strata_changes(strata_db *db)
{
    return db == NULL ? 0 : db->changes;
}

STRATA_API int strata_notice_count(strata_db *db)
{
    return db == NULL ? 0 : db->notice_count;
}

static const Notice *notice_at(strata_db *db, int index)
{
    if (db == NULL || index < 0 || index >= db->notice_count) {
        return NULL;
    }
    return &db->notices[index];
}

STRATA_API const char *strata_notice(strata_db *db, int index)
{
    const Notice *notice = notice_at(db, index);
    return notice == NULL ? NULL : notice->text;
}

STRATA_API const char *strata_notice_severity(strata_db *db, int index)
{
    const Notice *notice = notice_at(db, index);
    return notice == NULL ? NULL : notice->severity;
}

STRATA_API const char *strata_notice_sqlstate(strata_db *db, int index)
{
    const Notice *notice = notice_at(db, index);
    return notice == NULL ? NULL : notice->sqlstate;
}

STRATA_API const char *strata_notice_message(strata_db *db, int index)
{
    const Notice *notice = notice_at(db, index);
    return notice == NULL ? NULL : notice->text + notice->message_offset;
}

STRATA_API const char *strata_notice_detail(strata_db *db, int index)
{
    const Notice *notice = notice_at(db, index);
    return notice == NULL ? NULL : notice->detail;
}

STRATA_API const char *strata_notice_hint(strata_db *db, int index)
{
    const Notice *notice = notice_at(db, index);
    return notice == NULL ? NULL : notice->hint;
}

void api_session_truncate_notices(strata_db *conn, int count)
{
    while (conn->notice_count > count && conn->notice_count > 0) {
        notice_free(&conn->notices[--conn->notice_count]);
    }
}

STRATA_API void strata_notices_clear(strata_db *db)
{
    if (db == NULL) {
        return;
    }
    for (int k = 0; k < db->notice_count; k++) {
        notice_free(&db->notices[k]);
    }
    db->notice_count = 0;
}
