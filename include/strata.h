/*
 * strata.h - the public C API of strata, an embedded SQL database engine
 * (PostgreSQL dialect) whose tables each pick their physical model.
 *
 * This header is the API manual. The shape follows sqlite3's: open a
 * connection, prepare statements, bind $n parameters, step through rows,
 * read columns, finalize.
 *
 * Ownership, in one word per returned pointer:
 *   borrowed - valid until the call named beside it; do not free.
 *   owned    - the caller frees it with the function named beside it.
 *
 * Threads: a strata_db (a connection) and its statements are used by one
 * thread at a time. Several connections, in any threads of one process, may
 * open the same database file: they share one database (page cache, WAL,
 * catalog) and see consistent snapshots; one write transaction runs at a time
 * (others wait up to the busy timeout, then fail with STRATA_BUSY). A second
 * *process* opening a file already open elsewhere gets STRATA_BUSY ("database
 * is locked"). strata_interrupt() is the one call that may come from another
 * thread.
 *
 * Errors: every function returning int returns STRATA_OK (0) or a result code
 * below; the connection then holds the error: strata_errmsg, strata_sqlstate
 * (PostgreSQL's five-character SQLSTATE), strata_error_position.
 */
#ifndef STRATA_H
#define STRATA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define STRATA_API __attribute__((visibility("default")))
#else
#define STRATA_API
#endif

/* Result codes. */
#define STRATA_OK 0
#define STRATA_ERROR 1        /* SQL error or missing database; see the SQLSTATE */
#define STRATA_INTERNAL 2     /* a bug in strata */
#define STRATA_BUSY 5         /* the database file or the write lock is taken */
#define STRATA_NOMEM 7        /* out of memory or over a memory budget (SQLSTATE 53200) */
#define STRATA_READONLY 8     /* write to a read-only database */
#define STRATA_INTERRUPT 9    /* cancelled by strata_interrupt (SQLSTATE 57014) */
#define STRATA_IOERR 10       /* the operating system reported an I/O error */
#define STRATA_CORRUPT 11     /* a page or log record failed validation */
#define STRATA_FULL 13        /* the disk is full */
#define STRATA_CANTOPEN 14    /* the file could not be opened */
#define STRATA_CONSTRAINT 19  /* a constraint was violated (SQLSTATE class 23) */
#define STRATA_MISUSE 21      /* the API was used wrongly */
#define STRATA_ROW 100        /* strata_step has a row ready */
#define STRATA_DONE 101       /* strata_step has finished */
#define STRATA_COPY_IN 102    /* COPY ... FROM STDIN waits for strata_copy_put */
#define STRATA_COPY_OUT 103   /* COPY ... TO STDOUT has data for strata_copy_get */

/* Flags for strata_open_v2. */
#define STRATA_OPEN_READONLY 0x01
#define STRATA_OPEN_READWRITE 0x02
#define STRATA_OPEN_CREATE 0x04

/* Column value kinds, as returned by strata_column_type. */
#define STRATA_NULL 0
#define STRATA_INTEGER 1   /* boolean, smallint, integer, bigint */
#define STRATA_FLOAT 2     /* real, double precision */
#define STRATA_TEXT 3      /* everything else, in PostgreSQL's text output form */
#define STRATA_BLOB 4      /* bytea */

typedef struct strata_db strata_db;
typedef struct strata_stmt strata_stmt;

/* The library version, e.g. "0.1.0" (borrowed: static). */
STRATA_API const char *strata_libversion(void);

/* Opens (creating if needed) the database at path; ":memory:" gives a private
 * in-memory database. *db is set even on failure (so the error can be read)
 * unless memory ran out; close it with strata_close in both cases. */
STRATA_API int strata_open(const char *path, strata_db **db);
STRATA_API int strata_open_v2(const char *path, strata_db **db, int flags);

/* Rolls back any open transaction, finalizes nothing (finalize statements
 * first: STRATA_BUSY if some remain), and frees the connection. NULL is fine. */
STRATA_API int strata_close(strata_db *db);

/* Runs every statement in sql in turn. If callback is not NULL it is called for
 * each result row with the values as text (NULL pointers for SQL NULL; borrowed
 * until the callback returns); a non-zero return stops with STRATA_ABORT-like
 * STRATA_INTERRUPT. */
typedef int (*strata_callback)(void *arg, int column_count, char **values, char **names);
STRATA_API int strata_exec(strata_db *db, const char *sql, strata_callback callback, void *arg);

/* Compiles the first statement of sql (length_bytes < 0: NUL-terminated).
 * *stmt is NULL if sql holds only whitespace and comments. *tail (if not NULL)
 * points just past the statement (borrowed: into sql). */
STRATA_API int strata_prepare(strata_db *db, const char *sql, int length_bytes,
                              strata_stmt **stmt, const char **tail);

/* The statement cache: strata_finalize keeps a planned statement (SELECT,
 * INSERT, UPDATE, DELETE, EXPLAIN) by its text, and a strata_prepare of the same
 * text (strata_exec too) gets it back without parsing or planning it again; it
 * is planned again when DDL, a SET or a role change happened since, as a fresh
 * statement would be. Sets the number of statements kept (default 16; 0 turns
 * the cache off; either empties it) and returns the previous number; entries < 0
 * only returns it. DISCARD PLANS and DISCARD ALL empty the cache. */
STRATA_API int strata_statement_cache(strata_db *db, int entries);

/* Binds parameter $index (1-based). Values are copied. Text is UTF-8; a
 * length of -1 means NUL-terminated. strata_bind_text accepts any type's
 * PostgreSQL text form (dates, numerics, json, ...). A value for a boolean,
 * numeric, string, bytea, uuid or json parameter is converted to it here, so a
 * bad one fails the bind (22P02, 22003, ...; stepping anyway fails the same
 * way); other types are converted when the statement runs. */
STRATA_API int strata_bind_null(strata_stmt *stmt, int index);
STRATA_API int strata_bind_int64(strata_stmt *stmt, int index, int64_t value);
STRATA_API int strata_bind_double(strata_stmt *stmt, int index, double value);
STRATA_API int strata_bind_text(strata_stmt *stmt, int index, const char *text, int length_bytes);
STRATA_API int strata_bind_blob(strata_stmt *stmt, int index, const void *data, int length_bytes);
STRATA_API int strata_bind_parameter_count(strata_stmt *stmt);
/* The PostgreSQL type OID the statement infers for $index (1-based) from its
 * use ($1 compared with an integer column: 23), as PostgreSQL's
 * ParameterDescription reports it; 0 when the statement does not tell. */
STRATA_API uint32_t strata_bind_parameter_type_oid(strata_stmt *stmt, int index);
STRATA_API int strata_clear_bindings(strata_stmt *stmt);

/* Runs the statement to its next row: STRATA_ROW, STRATA_DONE or an error. */
STRATA_API int strata_step(strata_stmt *stmt);

/* Back to before the first step; bindings are kept. */
STRATA_API int strata_reset(strata_stmt *stmt);

/* Frees the statement. NULL is fine. */
STRATA_API int strata_finalize(strata_stmt *stmt);

/* Result columns: available after prepare. Names and type names are borrowed
 * until finalize. strata_column_type_name gives PostgreSQL's name
 * ("integer", "numeric", "timestamp with time zone", ...);
 * strata_column_type_oid PostgreSQL's type OID (23 for integer, ...). */
STRATA_API int strata_column_count(strata_stmt *stmt);
STRATA_API const char *strata_column_name(strata_stmt *stmt, int column);
STRATA_API const char *strata_column_type_name(strata_stmt *stmt, int column);
STRATA_API uint32_t strata_column_type_oid(strata_stmt *stmt, int column);

/* Values of the current row (after strata_step returned STRATA_ROW). The
 * pointers from strata_column_text / strata_column_blob are borrowed until the
 * next strata_step, strata_reset or strata_finalize on the statement.
 * strata_column_text renders any type in PostgreSQL's text output form
 * (NULL for SQL NULL). */
STRATA_API int strata_column_type(strata_stmt *stmt, int column);
STRATA_API int strata_column_is_null(strata_stmt *stmt, int column);
STRATA_API int64_t strata_column_int64(strata_stmt *stmt, int column);
STRATA_API double strata_column_double(strata_stmt *stmt, int column);
STRATA_API const char *strata_column_text(strata_stmt *stmt, int column);
STRATA_API const void *strata_column_blob(strata_stmt *stmt, int column);
STRATA_API int strata_column_bytes(strata_stmt *stmt, int column);

/* PostgreSQL's binary format: the bytes of a result column or parameter of
 * format 1 in the wire protocol, and of a COPY (FORMAT binary) field (the
 * layouts, PostgreSQL's *_send / *_recv, are listed in docs/api.md).
 *
 * strata_pg_binary_supported: 1 if values of the type with this PostgreSQL
 * OID have a binary form (every strata type: numbers, numeric, strings,
 * bytea, dates and times, interval, uuid, json, jsonb, arrays of them,
 * int2vector / oidvector; oid, name and "char" parameters too), else 0.
 *
 * strata_column_pg_binary: the current row's value of column in binary form:
 * *data (borrowed until the next strata_step, strata_reset or
 * strata_finalize) and *length_bytes; *data is NULL for SQL NULL. Returns
 * STRATA_OK or an error code (the error is the connection's).
 *
 * strata_bind_pg_binary: binds $index from length_bytes bytes in the binary
 * form of the type with OID type_oid (0: the type the statement infers for
 * $index, text if none), converted to the parameter's type as
 * strata_bind_text does. Bad bytes are errors as PostgreSQL's: 22P03
 * `incorrect binary data format` (bytes left over) or the type's own message
 * (`invalid digit in external "numeric" value`, `invalid array flags`, ...),
 * 08P01 `insufficient data left in message` (too few bytes), 22008 for dates
 * and times out of range, 22021 for text that is not UTF-8, 42804 for an array
 * of another element type, 0A000 for a type without a binary form. */
STRATA_API int strata_pg_binary_supported(uint32_t type_oid);
STRATA_API int strata_column_pg_binary(strata_stmt *stmt, int column, const void **data,
                                       int *length_bytes);
STRATA_API int strata_bind_pg_binary(strata_stmt *stmt, int index, uint32_t type_oid,
                                     const void *data, int length_bytes);

/* The statement's command tag once it is done, as psql prints it
 * ("INSERT 0 1", "UPDATE 3", "SELECT 2", "CREATE TABLE"); borrowed until the
 * next step/reset/finalize. */
STRATA_API const char *strata_command_tag(strata_stmt *stmt);

/* COPY ... FROM STDIN and COPY ... TO STDOUT (text or CSV, with PostgreSQL's
 * options). strata_step on such a statement returns STRATA_COPY_IN or
 * STRATA_COPY_OUT instead of a row.
 *
 * COPY FROM STDIN: pass the data with strata_copy_put, in chunks of any size
 * (a record may span chunks; a "\." line ends the data early, as in psql
 * scripts), then call strata_copy_end(stmt, NULL): it loads the rest and
 * returns STRATA_DONE, with strata_command_tag "COPY n" and strata_changes n.
 * strata_copy_end(stmt, "reason") abandons the COPY instead (SQLSTATE 57014,
 * "COPY from stdin failed: reason"). A bad record fails strata_copy_put or
 * strata_copy_end with the error naming its line and column. Either way the
 * COPY is one statement: after an error, or an abandoned COPY, nothing of it
 * is loaded; strata_reset and strata_finalize abandon it too.
 *
 * COPY TO STDOUT: call strata_copy_get until it returns STRATA_DONE; each
 * STRATA_ROW hands out one or more whole rows, header first if asked
 * (*data borrowed until the next call on the statement, *length bytes, not
 * NUL-terminated). */
STRATA_API int strata_copy_put(strata_stmt *stmt, const void *data, int length_bytes);
STRATA_API int strata_copy_end(strata_stmt *stmt, const char *error_message);
STRATA_API int strata_copy_get(strata_stmt *stmt, const char **data, int *length_bytes);

/* Rows changed by the last INSERT/UPDATE/DELETE of the connection. */
STRATA_API int64_t strata_changes(strata_db *db);

/* Notices: the NOTICE and WARNING messages PostgreSQL sends beside results
 * (`DROP TABLE IF EXISTS missing` gives NOTICE 00000 `table "missing" does
 * not exist, skipping`; COMMIT outside a block gives WARNING 25P01 `there is
 * no transaction in progress`). A connection keeps them, oldest first, until
 * strata_notices_clear (at most 1024: past that the oldest are dropped).
 * Statements never clear them, so read and clear them after each statement
 * (the shell prints them to stderr, the server sends NoticeResponse).
 *   strata_notice           "NOTICE:  message", as psql prints it
 *   strata_notice_severity  "NOTICE" or "WARNING"
 *   strata_notice_sqlstate  the SQLSTATE ("00000" for most notices)
 *   strata_notice_message   the message alone
 *   strata_notice_detail    its DETAIL (lines joined by '\n'), NULL if none:
 *                           `DROP TABLE t CASCADE` with two dependent views gives
 *                           `drop cascades to 2 other objects` with the detail
 *                           "drop cascades to view v\ndrop cascades to view w"
 *   strata_notice_hint      its HINT, NULL if none
 * Each returns NULL when index is out of range; strings are borrowed until
 * strata_notices_clear or strata_close. */
STRATA_API int strata_notice_count(strata_db *db);
STRATA_API const char *strata_notice(strata_db *db, int index);
STRATA_API const char *strata_notice_severity(strata_db *db, int index);
STRATA_API const char *strata_notice_sqlstate(strata_db *db, int index);
STRATA_API const char *strata_notice_message(strata_db *db, int index);
STRATA_API const char *strata_notice_detail(strata_db *db, int index);
STRATA_API const char *strata_notice_hint(strata_db *db, int index);
STRATA_API void strata_notices_clear(strata_db *db);

/* Makes role the connection's user (current_user and session_user, the role
 * whose privileges role DDL checks). A new connection is the database's
 * bootstrap superuser, named after the operating-system user that created
 * the file. The wire server calls this after authenticating a login; the
 * caller is trusted (no password is checked). Errors: 28000 `role "x" does
 * not exist`. */
STRATA_API int strata_set_user(strata_db *db, const char *role);

/* The name the connection gives its database: current_database(),
 * current_catalog, pg_database.datname, the catalog columns of
 * information_schema and the name GRANT ... ON DATABASE accepts. A file holds
 * one database; its name is "strata" unless the caller names it (the wire
 * server: the database the client asked for, or its --database). At most 63
 * bytes. */
STRATA_API int strata_set_database_name(strata_db *db, const char *name);

/* The network addresses of a connection the wire server serves, as
 * inet_client_addr() / inet_client_port() / inet_server_addr() /
 * inet_server_port() report them (text addresses; NULL or "" = none: the
 * functions return NULL, as for a Unix-socket or embedded connection). */
STRATA_API int strata_set_network(strata_db *db, const char *client_addr, int client_port,
                                  const char *server_addr, int server_port);

/* The last error of the connection (borrowed until the next call on db). */
STRATA_API int strata_errcode(strata_db *db);
STRATA_API const char *strata_errmsg(strata_db *db);
STRATA_API const char *strata_sqlstate(strata_db *db);
STRATA_API const char *strata_errdetail(strata_db *db);  /* "" if none */
STRATA_API const char *strata_errhint(strata_db *db);    /* "" if none */
/* 1-based character position in the statement text of a syntax or name
 * error, 0 if none. */
STRATA_API int strata_error_position(strata_db *db);

/* 1 if the connection is inside an explicit transaction block, 2 if that
 * transaction has failed (only ROLLBACK is accepted), 0 otherwise. */
STRATA_API int strata_txn_state(strata_db *db);

/* How long a connection waits for the write lock before STRATA_BUSY. */
STRATA_API int strata_busy_timeout(strata_db *db, int timeout_ms);

/* Asks the statement running on db to stop with STRATA_INTERRUPT (SQLSTATE
 * 57014) at its next check. Safe to call from another thread or a signal
 * handler. */
STRATA_API void strata_interrupt(strata_db *db);

#ifdef __cplusplus
}
#endif

#endif
