/*
 * api/api_int.h - private structures of the public API implementation:
 * shared databases, connections (sessions) and statements.
 *
 * Never included from outside src/api/.
 *
 * Objects and their locks
 *   Database   one per open database file (canonical path) in the process,
 *              shared by its connections; fields marked [db->lock] are
 *              guarded by its mutex, the rest are set at open and read-only.
 *   strata_db  a connection: one thread at a time (strata.h); only
 *              `interrupt` is written by other threads.
 *   strata_stmt belongs to its connection's thread.
 *
 * Transaction state machine of a connection (see api_session.c):
 *
 *   IDLE --first statement (autocommit)--> AUTOCOMMIT --statement end--> IDLE
 *   IDLE --BEGIN (session_begin_block)--> BLOCK --COMMIT/ROLLBACK--> IDLE
 *   BLOCK --error in a statement (session_fail)--> FAILED --ROLLBACK--> IDLE
 *
 * In BLOCK the pager transaction starts lazily at the first statement (as a
 * read transaction, upgraded on the first write: api_session_ensure_txn).
 */
#ifndef STRATA_API_API_INT_H
#define STRATA_API_API_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "catalog/catalog.h"
#include "catalog/sysview.h"
#include "exec/executor.h"
#include "plan/planner.h"
#include "sql/ast.h"
#include "types/enumtype.h"
#include "sql/parser.h"
#include "storage/pager/pager.h"
#include "strata.h"
#include "util/arena.h"
#include "util/error.h"

/* ---- database (api_database.c) ----------------------------------------------------- */

/* pg_stat_user_tables / pg_stat_user_indexes: one entry per table (is_index
 * false) or index (is_index: idx_scan, idx_tup_read, idx_tup_fetch). */
typedef struct TableCounters {
    uint64_t id;
    bool is_index;
    uint64_t seq_scan, seq_tup_read, idx_scan, idx_tup_read, idx_tup_fetch;
    uint64_t n_tup_ins, n_tup_upd, n_tup_del;
} TableCounters;

typedef struct StatementStats {
    char *query; /* normalized text (mem_alloc) */
    uint64_t query_id;
    uint64_t calls;
    double total_ms;
    uint64_t rows;
} StatementStats;

/* A connection's statistics not yet added to its Database's (which takes
 * db->lock): a statement adds its figures here, and they are flushed in one
 * locked step when the connection has no transaction after a statement, when
 * its transaction rolls back, before it reads the statistics views, and when
 * full. Before, each statement took db->lock for its pg_stat_statements entry
 * and again for each table's row and scan counters. */
enum { STATS_PENDING_MAX = 8 };
typedef struct StatsPending {
    struct {
        int slot; /* index in Database.statements */
        uint64_t calls, rows;
        double total_ms;
    } statements[STATS_PENDING_MAX];
    int statement_count;
    TableCounters counters[STATS_PENDING_MAX]; /* deltas, by (id, is_index) */
    int counter_count;
} StatsPending;

typedef struct Database {
    char *path; /* canonical path, the registry key (mem) */
    bool is_memory;
    Pager *pager;
    pthread_mutex_t lock;
    int connection_count;    /* [registry lock] */
    Catalog *current;        /* [db->lock] newest committed catalog (retained) */
    TableCounters *counters; /* [db->lock] */
    int counter_count, counter_capacity;
    StatementStats *statements; /* [db->lock] pg_stat_statements */
    int statement_count, statement_capacity;
    struct Database *next; /* [registry lock] */
    pid_t pid;             /* the process that opened it (a forked child must not share it) */
    int next_temp_schema;  /* [registry lock] number of the next session's pg_temp_N */
    bool stale_temp;       /* [registry lock] pg_temp_N schemas left by a crash, to drop */
    uint64_t xact_id_last; /* [db->lock] the last txid_current() handed out */
    struct SequenceHigh *sequences; /* [db->lock] api_sequence.c */
    int sequence_count, sequence_capacity;
} Database;

/* ---- sequences outside transactions (api_sequence.c) ---------------------------------- */

/* The last value nextval or setval handed out for a sequence, by any
 * transaction, committed or not. */
typedef struct SequenceHigh {
    uint64_t id;
    int64_t last;
    bool called;
} SequenceHigh;

/* false when no transaction handed out a value of sequence id since the open. */
bool api_sequence_peek(Database *db, uint64_t id, int64_t *last, bool *called);
void api_sequence_note(Database *db, uint64_t id, int64_t last, bool called);
/* nextval: the value after the entry's (or, without one, after the stored
 * stored_last/stored_called), noted as the entry, atomically. */
int api_sequence_next(Database *db, const CatSequence *s, int64_t stored_last,
                      bool stored_called, int64_t *out, Error *err);
/* RESTART: the counter the transaction stores is what comes next. */
void api_sequence_forget(Database *db, uint64_t id);
/* Drops the entries of sequences c (NULL: the newest committed catalog) does
 * not have: a rolled-back CREATE SEQUENCE gives its id back. */
void api_sequence_prune(Database *db, const Catalog *c);
/* ALTER SEQUENCE ... RESTART / TRUNCATE ... RESTART IDENTITY in conn's transaction:
 * what the transaction's counter holds comes next; a rollback (of the transaction
 * or of a savepoint older than the RESTART) puts back what was handed out before. */
typedef struct SequenceRestart {
    SequenceHigh before;
    bool had_before;
    int depth; /* savepoints open at the RESTART */
} SequenceRestart;
void api_sequence_restart(strata_db *conn, uint64_t id);
/* Rollback to the savepoint with index depth (-1: the whole transaction). */
void api_sequence_undo_restarts(strata_db *conn, int depth);
/* End of the transaction: the RESTARTs stand (commit) or were undone. */
void api_sequence_end_txn(strata_db *conn);

/* Opens (or finds) the shared database for path. */
int api_database_acquire(const char *path, int flags, Database **out, Error *err);
/* The number of a new session's pg_temp_N schema; *drop_stale is true (once per
 * opened file) when schemas of a crashed process's sessions are left to drop. */
int api_database_take_temp_schema(Database *db, bool *drop_stale);
/* Drops one connection's reference; the last closes the pager. */
void api_database_release(Database *db);
/* The catalog for txn's snapshot (retained: release with catalog_release). */
int api_database_catalog_for(Database *db, PagerTxn *txn, const Catalog **out, Error *err);
/* After a commit that changed the catalog: makes c the current one if newer. */
void api_database_publish_catalog(Database *db, const Catalog *c);
/* Statistics counters, added to pending (a connection's) or, if NULL, to db's
 * at once; api_database_flush_stats adds pending to db's. */
void api_database_count_rows(Database *db, StatsPending *pending, uint64_t table_id,
                             uint64_t ins, uint64_t upd, uint64_t del);
/* norm: the normalized statement text (api_normalize_statement). *slot: the
 * caller's memo of norm's entry (-1 at first: found or made under db->lock,
 * then the figures go to pending). */
void api_database_record_statement(Database *db, StatsPending *pending, const char *norm,
                                   double ms, uint64_t rows, int *slot);
/* Scans of a table (index_id 0: sequential) and the rows they read / fetched. */
void api_database_count_scans(Database *db, StatsPending *pending, uint64_t table_id,
                              uint64_t index_id, uint64_t scans, uint64_t rows_read,
                              uint64_t rows_fetched);
void api_database_flush_stats(Database *db, StatsPending *pending);
/* Copies of the counters (arena a). */
int api_database_copy_counters(Database *db, Arena *a, TableCounters **out, int *count);
int api_database_copy_statements(Database *db, Arena *a, StatementStats **out, int *count);

/* ---- settings (api_settings.c) ------------------------------------------------------ */

enum { SETTING_COUNT_MAX = 48 };

/* The connection's roles (strata_db fields of the same names), saved and restored
 * as a whole: ROLLBACK and ROLLBACK TO SAVEPOINT undo SET ROLE and SET SESSION
 * AUTHORIZATION as PostgreSQL does, and SET LOCAL ROLE ends with its block. */
typedef struct RoleState {
    uint64_t role_id, session_role_id, set_role_id;
    char user_name[64], session_user_name[64];
} RoleState;

typedef struct Settings {
    char *values[SETTING_COUNT_MAX];         /* mem_alloc'd current values */
    char *block_start[SETTING_COUNT_MAX];    /* value at BEGIN of each setting changed in
                                              * the block (restored by ROLLBACK); NULL =
                                              * unchanged */
    RoleState block_roles;  /* the roles at BEGIN (ROLLBACK restores them) */
    RoleState commit_roles; /* what COMMIT keeps (SET LOCAL ROLE excluded) */
    char *session_values[SETTING_COUNT_MAX]; /* what COMMIT keeps of a session-level SET in
                                              * the block (NULL = none: COMMIT puts back
                                              * block_start, undoing SET LOCAL) */
    bool in_block;
    uint64_t generation; /* bumped by every change, for caches (starts at 1) */
    uint64_t plan_generation; /* bumped by a change of a setting a plan or a kept
                               * executor may depend on (all but the runtime-only ones,
                               * api_settings.c), for prepared plans (starts at 1) */
} Settings;

int api_settings_init(Settings *s);
void api_settings_free(Settings *s);
/* SET name = value (value NULL = DEFAULT). is_local: SET LOCAL (undone at the
 * end of the transaction block). Errors: 42704, 22023. */
int api_settings_set(strata_db *conn, const char *name, const char *value, bool is_local,
                     Error *err);
/* Transaction blocks: SET is transactional as in PostgreSQL (ROLLBACK undoes
 * it, SET LOCAL lasts until the end of the block). transaction_isolation and
 * transaction_read_only always end with their block. */
void api_settings_begin_block(strata_db *conn);
void api_settings_end_block(strata_db *conn, bool commit);
/* SAVEPOINT / ROLLBACK TO: a copy of the settings and the session's role
 * (mem_alloc'd, NULL when out of memory: the savepoint then does not undo
 * SET), put back by restore, freed by free. */
typedef struct SettingsSnapshot SettingsSnapshot;
SettingsSnapshot *api_settings_snapshot(const strata_db *conn);
void api_settings_restore(strata_db *conn, const SettingsSnapshot *snap);
void api_settings_snapshot_free(SettingsSnapshot *snap);
/* The value text or NULL + 42704. */
const char *api_settings_get(const strata_db *conn, const char *name, Error *err);
int api_settings_count(void);
/* The i-th setting's name, unit, short description, type, default. */
void api_settings_describe(int i, const char **name, const char **unit, const char **desc,
                           const char **vartype, const char **boot);
const char *api_settings_value_at(const strata_db *conn, int i);
void api_settings_reset_all(strata_db *conn);

/* ---- connection and session (api_session.c) ---------------------------------------- */

typedef struct Savepoint {
    char *name; /* mem */
    uint32_t pager_id;
    bool has_pager_id;      /* false while the txn was still read-only */
    const Catalog *catalog; /* retained: the txn catalog at the savepoint */
    struct SettingsSnapshot *settings; /* SET and SET SESSION AUTHORIZATION undone by ROLLBACK TO */
} Savepoint;

typedef struct PreparedQuery PreparedQuery;

typedef struct SessionPrepared {
    char *name;        /* mem */
    strata_stmt *stmt; /* the statement holding the parse tree and plan */
} SessionPrepared;

typedef enum NoticeSeverity {
    NOTICE_SEVERITY_NOTICE,
    NOTICE_SEVERITY_WARNING,
} NoticeSeverity;

typedef struct Notice {
    char *text;            /* mem: "NOTICE:  message", as psql prints it */
    size_t message_offset; /* the message alone starts here in text */
    char severity[8];      /* "NOTICE" / "WARNING" */
    char sqlstate[6];
    char *detail;          /* mem: full sentences (lines joined by '\n'), or NULL */
    char *hint;            /* mem, or NULL */
} Notice;

typedef enum TxnMode { TXN_IDLE, TXN_AUTOCOMMIT, TXN_BLOCK, TXN_FAILED } TxnMode;

/* A statement of a speculative transaction as its client saw it
 * (api_speculate.c): enough to run it again and to tell whether it returned
 * the same. */
typedef struct SpecStatement {
    const char *sql; /* the statement's text (log arena) */
    size_t sql_length;
    Value *params;   /* its parameters as bound (log arena) */
    int param_count;
    uint64_t digest; /* of the rows stepped, then of the command tag */
    uint64_t rows;   /* rows the client stepped */
    bool is_finished; /* stepped to its end (the tag is in the digest) */
    bool is_open;
} SpecStatement;

/* The statements of the connection's speculative transaction, in order. */
typedef struct SpecLog {
    bool is_active;       /* the pager txn is speculative: planned statements are logged */
    bool is_unreplayable; /* the log lost a statement (memory, size): a restart fails */
    bool restarted;       /* the last promotion started the pager txn over */
    bool may_restart;     /* argument of the promotion under way */
    Arena *arena;
    SpecStatement *items;
    int count, capacity;
    int open_count;       /* logged statements not yet reset */
    uint64_t generation;  /* bumped per transaction: a statement's slot is of this log */
} SpecLog;

struct strata_db {
    Database *db;
    Error err;
    TxnMode mode;
    PagerTxn *txn;          /* NULL until a statement needs one */
    const Catalog *catalog; /* retained: the transaction's catalog (may be private) */
    bool catalog_changed;   /* DDL ran in this transaction */
    int64_t txn_start_micros;
    Savepoint *savepoints;
    int savepoint_count, savepoint_capacity;
    SessionPrepared *prepared;
    int prepared_count, prepared_capacity;
    Notice *notices;
    int notice_count, notice_capacity;
    /* "drop cascades to ..." lines of the running DDL statement, reported as
     * one notice when it ends (api_session_cascade_flush); mem or NULL */
    char *cascade_lines;
    int cascade_count;
    Settings settings;
    int64_t changes;
    volatile int interrupt;
    int busy_timeout_ms;
    int live_statements;
    int autocommit_users;   /* statements sharing the autocommit txn */
    bool autocommit_doomed; /* a statement sharing the autocommit txn failed */
    bool is_read_only;      /* opened with STRATA_OPEN_READONLY */
    QueryHooks hooks;
    VirtualProvider provider;
    UserTypeResolver type_resolver; /* enum labels and type names (api_ddl_type.c) */
    struct SeqLast {
        uint64_t id;
        int64_t value;
    } * seq_last; /* currval(): last nextval per sequence (mem) */
    int seq_last_count, seq_last_capacity;
    struct SequenceRestart *seq_restarts; /* RESTARTs of this transaction (api_sequence.c) */
    int seq_restart_count, seq_restart_capacity;
    char *active_query;         /* pg_stat_activity (mem) */
    bool timeout_armed;         /* [timeout lock] a statement_timeout deadline is registered */
    char path_text[512];        /* search_path split into NUL-separated names */
    const char *path_items[16]; /* the names, for catalog_set_thread_search_path */
    uint64_t path_generation;   /* settings.generation path_items was split at (0 = never) */
    struct {                    /* settings every statement reads, parsed once per change */
        uint64_t generation;    /* settings.generation they were read at (0 = never) */
        const char *timezone;   /* borrowed from settings.values */
        size_t work_mem_bytes;
        int64_t statement_timeout_ms;
        bool vectorize;
        int parallel_workers;   /* max_parallel_workers_per_gather */
        bool no_nestloop;       /* enable_nestloop = off */
        bool no_hashjoin;       /* enable_hashjoin = off */
        bool sync_off;          /* synchronous_commit = off */
        bool txn_read_only;     /* transaction_read_only = on (checked by every write) */
        bool speculate;         /* enable_speculative_writes (api_speculate.c) */
    } hot;
    int path_count;
    uint64_t role_id;       /* current_user: the role privileges are checked for (CatRole id;
                             * CAT_ID_BOOTSTRAP_ROLE by default); set_role_id, else
                             * session_role_id */
    uint64_t session_role_id; /* session_user (SET SESSION AUTHORIZATION) */
    uint64_t set_role_id;   /* SET ROLE's role, 0 = none (RESET ROLE) */
    uint64_t login_role_id; /* the role that logged in (strata_set_user): SET SESSION
                             * AUTHORIZATION needs it to be a superuser, RESET returns to it */
    char user_name[64];     /* current_user's name as last seen (kept when the role is gone) */
    char session_user_name[64]; /* session_user's name as last seen */
    char database_name[64];     /* current_database(), pg_database.datname ("strata" unless
                                 * strata_set_database_name: the wire server's) */
    int64_t xact_id;        /* txid_current() of the current transaction (0 = none yet) */
    char client_addr[64];   /* strata_set_network ("" = not a network connection) */
    char server_addr[64];
    int client_port, server_port;
    uint64_t *temp_ids; /* TEMP tables and views, dropped by strata_close (mem) */
    int temp_count, temp_capacity;
    char temp_schema[32];  /* "pg_temp_N": this session's schema for TEMP objects */
    bool temp_schema_used; /* a TEMP object was made: the schema leads the search path */
    /* The statement cache (api_statement.c): finalized planned statements kept by
     * the text they were prepared from, least recently used first (mem). */
    strata_stmt **stmt_cache;
    int stmt_cache_count;
    int stmt_cache_capacity;   /* entries kept at most (strata_statement_cache; 0 = off) */
    uint64_t stmt_cache_hits;  /* prepares answered from the cache (tests) */
    StatsPending stats_pending; /* statistics not yet in db's (api_database.c) */
    SpecLog spec;               /* a speculative write transaction's statements */
};

/* ---- speculative write transactions (api_speculate.c) ---- */

/* Starts the log: the pager txn just began speculatively. */
void api_spec_start(strata_db *conn);
/* Logs stmt (running src's plan), just started in a speculative txn. */
void api_spec_log(strata_stmt *stmt);
/* stmt returned a row / reached its end / was reset or failed. */
void api_spec_row(strata_stmt *stmt);
void api_spec_done(strata_stmt *stmt);
void api_spec_close(strata_stmt *stmt);
/* Makes the speculative txn an ordinary write txn holding the writer lock,
 * running its logged statements again on the newest commit if the pager had
 * to start it over; 40001 when they do not return what they returned the
 * first time. The caller rolls back on failure. */
int api_spec_promote(strata_db *conn, Error *err);
/* The first write of a logged read txn (a block that read first): takes the
 * writer lock if it is free, replaying the log on the newest commit if the
 * snapshot is stale (40001 when it returns something else), or else turns the
 * txn speculative (may_speculate), or waits for the lock (not). */
int api_spec_upgrade(strata_db *conn, bool may_speculate, Error *err);
/* Forgets the log (the transaction ended). */
void api_spec_end(strata_db *conn);
/* pager_promote_wait under the connection's busy timeout (api_session.c);
 * sets conn->spec.restarted. */
int api_session_promote(strata_db *conn, bool may_restart, Error *err);
/* Drops the notices queued after the first count (a replay's). */
void api_session_truncate_notices(strata_db *conn, int count);


/* Registers a TEMP table or view: strata_close drops it. As in PostgreSQL,
 * temporary objects live in the session's own schema pg_temp_N (created on
 * first use, first in the session's search path, reachable as pg_temp), so other
 * sessions neither see them unqualified nor collide with their names; the
 * schema is dropped when the session closes, and schemas left by a crash are
 * dropped by the next process that opens the file. */
int api_session_add_temp(strata_db *conn, uint64_t id, Error *err);

/* ---- roles (api_role.c) ---- */

/* The operating-system user's name (the bootstrap role's name, as initdb). */
void api_role_os_user(char *out, size_t size);
/* Adds the bootstrap superuser to db when it has none (a new database, or
 * one made before roles existed); a database it cannot write is left as is. */
int api_role_ensure_bootstrap(Database *db, Error *err);
/* Sets a new connection's role: the bootstrap superuser. */
void api_role_session_init(strata_db *conn);
/* The connection's role in catalog c (NULL when dropped or c has none). */
const CatRole *api_role_current(strata_db *conn, const Catalog *c);
bool api_role_is_superuser(strata_db *conn, const Catalog *c);
/* current_user (borrowed: conn->user_name) and session_user (conn->session_user_name). */
const char *api_role_user_name(strata_db *conn, const Catalog *c);
const char *api_role_session_user_name(strata_db *conn, const Catalog *c);
/* SET [LOCAL] SESSION AUTHORIZATION role (NULL: DEFAULT / RESET, back to the login
 * role); it also ends SET ROLE. 42501 unless the login role is a superuser; 42704
 * unknown role. */
int api_role_set_session_authorization(strata_db *conn, const char *role, bool is_local,
                                       Error *err);
/* SET [LOCAL] ROLE role (NULL: NONE / DEFAULT / RESET ROLE, back to session_user).
 * 42501 "permission denied to set role" unless session_user is a member of role (or a
 * superuser); 42704 unknown role. */
int api_role_set_role(strata_db *conn, const char *role, bool is_local, Error *err);
/* Saves / restores the connection's roles (RoleState). */
void api_role_save(const strata_db *conn, RoleState *out);
void api_role_restore(strata_db *conn, const RoleState *state);
/* SHOW is_superuser / session_authorization, or NULL for other names. */
const char *api_role_show(strata_db *conn, const char *name);

/* Values of strata_db.interrupt. */
enum { INTERRUPT_NONE = 0, INTERRUPT_USER = 1, INTERRUPT_TIMEOUT = 2 };

/* statement_timeout: registers / removes the running statement's deadline. */
void api_timeout_arm(strata_db *conn, int64_t timeout_ms);
void api_timeout_disarm(strata_db *conn);
/* A time setting ("5s", "250ms", "0") in milliseconds. */
int64_t api_settings_ms(const strata_db *conn, const char *name);

/* Starts (or joins) the transaction a statement needs. need_write upgrades. */
int api_session_ensure_txn(strata_db *conn, bool need_write, Error *err);
/* api_session_ensure_txn for a planned statement (logged if speculative): in a
 * transaction block, a first write that finds the writer lock busy begins a
 * speculative transaction instead of waiting (api_speculate.c), if
 * may_speculate. */
int api_session_ensure_txn_planned(strata_db *conn, bool need_write, bool may_speculate,
                                   Error *err);
/* Ends a statement's use of the transaction: in autocommit, commits (ok) or
 * rolls back (failed). In a block, a failure moves to TXN_FAILED. */
int api_session_end_statement(strata_db *conn, bool ok, Error *err);
/* Rolls back everything (close, ROLLBACK, failed COMMIT). */
void api_session_rollback(strata_db *conn);
int api_session_commit(strata_db *conn, Error *err);
/* Makes c the transaction's catalog (after DDL). Takes over the reference. */
void api_session_set_catalog(strata_db *conn, const Catalog *c);
/* Keeps a notice (severity, SQLSTATE, message) for strata_notice*; the
 * message is PostgreSQL's wording, lower case, never a password. */
void api_session_add_notice(strata_db *conn, NoticeSeverity severity, const char *sqlstate,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with a DETAIL and a HINT (either may be NULL). */
void api_session_add_notice_detail(strata_db *conn, NoticeSeverity severity, const char *sqlstate,
                                   const char *detail, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* One object a DROP ... CASCADE drops besides its targets ("view v"); the
 * statement's objects become one NOTICE when api_session_cascade_flush runs
 * at its end, as PostgreSQL reports them: `drop cascades to view v` for one,
 * `drop cascades to N other objects` with a DETAIL line per object for more
 * (at most 100 lines, then `and N other objects (see server log for list)`);
 * an object reported twice in one statement is listed once. */
void api_session_cascade(strata_db *conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void api_session_cascade_flush(strata_db *conn);
/* A NOTICE with SQLSTATE 00000, the common case. */
#define api_session_notice(conn, ...)                                                              \
    api_session_add_notice((conn), NOTICE_SEVERITY_NOTICE, SQLSTATE_SUCCESSFUL_COMPLETION,         \
                           __VA_ARGS__)
int api_session_savepoint(strata_db *conn, const char *name, Error *err);
int api_session_release(strata_db *conn, const char *name, Error *err);
int api_session_rollback_to(strata_db *conn, const char *name, Error *err);
int64_t api_session_now_micros(void);
/* statement_timeout in milliseconds (0 = none), parsed once per settings change. */
int64_t api_session_statement_timeout_ms(strata_db *conn);
/* Fills env with the session's context for one statement. */
void api_session_fill_env(strata_db *conn, QueryEnv *env, Arena *plan_arena, Arena *exec_arena,
                          const char *sql);
/* Sets the connection's error from err and returns its code. */
int api_conn_error(strata_db *conn, const Error *err);
/* Fills conn->type_resolver (api_ddl_type.c); the session installs it for
 * its thread with the system-view provider. */
void api_types_init_resolver(strata_db *conn);
void api_session_install_provider(strata_db *conn);
void api_session_remove_provider(void);
void api_session_hooks_init(strata_db *conn);

/* ---- statements (api_statement.c) ---------------------------------------------------- */

typedef enum StmtKind { STMT_PLANNED, STMT_UTILITY, STMT_EXECUTE } StmtKind;

/* Materialized result rows of a utility statement. */
typedef struct RowSet {
    int column_count;
    const char **names;
    SqlType *types;
    Value *rows; /* row-major */
    int row_count;
    int capacity;
} RowSet;

/* A bound parameter's text buffer, kept across bindings so that binding a
 * string of at most size bytes allocates nothing (a malloc and a free per
 * bound string were a twentieth of a one-row INSERT). A slot's value holds
 * either this buffer or a string of its own (mem-owned). */
typedef struct ParamBuffer {
    char *ptr;
    size_t size;
} ParamBuffer;

struct strata_stmt {
    strata_db *conn;
    Arena *arena;      /* statement lifetime: text, parse tree */
    Arena *plan_arena; /* the current plan (reset when re-planned) */
    Arena *exec_arena; /* one execution */
    Arena *keep_arena; /* the kept executor of the current plan (reset with the plan) */
    Arena *row_arena;  /* rendered text of the current row */
    char *sql;         /* the statement text (NUL-terminated copy) */
    size_t sql_length;
    Stmt *ast;
    StmtKind kind;
    Plan *plan;
    uint64_t plan_version;
    uint64_t plan_role;      /* the role the plan's privileges were checked for */
    uint64_t plan_generation; /* settings.plan_generation the plan was made at (search_path, ...) */
    int column_count;
    const char **column_names;
    SqlType *column_types;
    Value *params;   /* param_capacity entries; unbound = NULL text */
    ParamBuffer *param_buffers; /* param_capacity entries: each slot's text buffer */
    int param_count; /* $n count the plan wants */
    SqlType *declared_params; /* PREPARE name (types): arena; NULL when none */
    int declared_param_count;
    int param_capacity;
    /* execution */
    bool started;
    bool done;
    bool holds_txn;
    Executor *executor;
    Executor *kept;           /* executor_start_kept's tree, restarted by the next
                               * execution of the same plan (keep_arena); NULL = none */
    uint64_t kept_generation; /* settings.plan_generation it was built at */
    QueryEnv env;
    Batch *batch;
    int batch_pos;
    RowSet *rowset; /* utility results */
    int rowset_pos;
    Value *row;            /* current row values (column_count) */
    const char **row_text; /* rendered lazily */
    int *row_text_bytes;    /* strlen of row_text[i], set with it */
    char tag[64];
    uint64_t row_count;
    int64_t start_micros;
    strata_stmt *execute_target; /* EXECUTE: the session-prepared statement run */
    char *normalized;            /* pg_stat_statements text, computed once (arena) */
    int stats_slot;              /* its entry in Database.statements (-1 = not known) */
    struct CopyStream *copy;     /* COPY FROM STDIN / TO STDOUT in progress (api_copy.c) */
    int spec_slot;               /* its entry in conn->spec, -1 = not logged */
    uint64_t spec_generation;    /* conn->spec.generation of that entry */
    /* The statement cache's key: the prepared text up to the statement's end
     * (arena; NULL = not from strata_prepare, never cached). key_terminated: it
     * ends with the statement's ';', so any text starting with it holds the
     * same first statement; otherwise only the same text does. */
    char *cache_key;
    size_t cache_key_length;
    bool cache_key_terminated;
};

/* Creates a statement over sql[0, length) holding one parsed statement. */
int api_stmt_create(strata_db *conn, const char *sql, size_t length, Stmt *ast, strata_stmt **out,
                    Error *err);
int api_stmt_plan(strata_stmt *stmt, Error *err);
void api_stmt_free(strata_stmt *stmt);
/* Statements the statement cache keeps by default (strata_statement_cache). */
#define API_STMT_CACHE_ENTRIES_DEFAULT 16
/* Frees every statement of the connection's statement cache (DISCARD, close). */
void api_stmt_cache_clear(strata_db *conn);
/* The current row's value of column (false if there is no current row);
 * strings are borrowed until the next step. */
bool api_stmt_current_value(strata_stmt *stmt, int column, Value *out);
/* Binds a copy of v (strings copied) to $index and converts it to the plan's
 * parameter type as strata_bind_* do; errors go to the connection. */
int api_stmt_bind_value(strata_stmt *stmt, int index, const Value *v);

/* ---- utility statements (api_utility.c, api_ddl.c, api_copy.c) ------------------------------- */

/* True if the statement is run by the session (not planned). */
bool api_utility_is_utility(const Stmt *ast);
/* Columns of a utility statement's result known before running (SHOW). */
int api_utility_describe(strata_stmt *stmt, Error *err);
/* Runs a utility statement; rows (if any) go into stmt->rowset, tag into stmt->tag. */
int api_utility_run(strata_stmt *stmt, Error *err);
/* True if the statement may run in a failed transaction (ROLLBACK, COMMIT). */
bool api_utility_allowed_when_failed(const Stmt *ast);
/* COMMIT and ROLLBACK: utilities a speculative transaction runs without first
 * taking the writer lock (api_speculate.c). */
bool api_utility_keeps_speculation(const Stmt *ast);
/* True if the statement only reads (no write transaction needed). */

int api_ddl_run(strata_stmt *stmt, Error *err);
int api_copy_run(strata_stmt *stmt, Error *err);
/* COPY FROM STDIN / TO STDOUT after api_copy_run opened stmt->copy: put takes
 * data in chunks of any size, end loads the rest and sets the tag; get gives
 * the next rendered rows (STRATA_ROW; borrowed until the next call) or
 * STRATA_DONE. stream_free releases it (also after an error). */
typedef struct CopyStream CopyStream;
int api_copy_stream_put(strata_stmt *stmt, const char *data, size_t length, Error *err);
int api_copy_stream_end(strata_stmt *stmt, Error *err);
int api_copy_stream_get(strata_stmt *stmt, const char **data, size_t *length, Error *err);
bool api_copy_stream_is_from(const strata_stmt *stmt);
void api_copy_stream_free(strata_stmt *stmt);
/* The integrity check: "ok" or the first problem (arena a). */
int api_check_database(strata_db *conn, Arena *a, const char **out, Error *err);

/* Copies size bytes (data may be NULL when size is 0) and a NUL after them
 * (arena a); NULL when the arena fails. */
static inline char *api_copy_bytes(Arena *a, const void *data, size_t size)
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

/* RowSet helpers. */
RowSet *api_rowset_create(Arena *a, int column_count, const char *const *names,
                          const SqlType *types);
int api_rowset_append(RowSet *rs, Arena *a, const Value *row, Error *err);

/* Provider of system view rows (api_sysviews.c). */
int api_sysviews_rows(void *ctx, const TableDesc *desc, Arena *a, Value **rows, int *row_count,
                      Error *err);

/* Normalizes a statement for pg_stat_statements (literals -> $n), arena a. */
char *api_normalize_statement(const char *sql, size_t length, Arena *a);

#endif
