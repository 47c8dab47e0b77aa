/*
 * server/server_int.h - structures shared by the files of src/server/ (never
 * included from outside the folder).
 *
 * One Server per process; one Conn per client connection, each served by its
 * own thread with its own strata_db on the shared database file.
 *
 * Invariants
 *   1. Server.lock guards the connection slots (Server.slots, Conn.db as seen
 *      by other threads, Conn.is_executing, Conn.statement_deadline_ms):
 *      another thread calls strata_interrupt(conn->db) only under the lock and
 *      only while is_executing, and a connection clears conn->db under the lock
 *      before strata_close, so an interrupt never touches a closed connection.
 *   2. Everything else in a Conn belongs to its thread.
 *   3. Output is buffered in Conn.out and flushed before the thread blocks on
 *      input (as PostgreSQL's pq_flush before reading), so pipelined clients
 *      get whole batches.
 *
 * Lock order: Server.lock is a leaf; no engine call is made while holding it
 * except strata_interrupt, which is safe from any thread.
 */
#ifndef STRATA_SERVER_SERVER_INT_H
#define STRATA_SERVER_SERVER_INT_H

#include <limits.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "server/auth.h"
#include "server/wire.h"
#include "strata.h"
#include "util/arena.h"

typedef struct ServerConfig {
    char listen_host[256];
    int port;
    bool listen_tcp;
    char socket_dir[PATH_MAX];
    bool listen_unix;
    int max_connections;
    const char *db_path;              /* borrowed: argv */
    const char *database_name;        /* --database: the only name clients may ask for
                                       * (NULL: any name; borrowed: argv) */
    const char *ssl_cert_path;
    const char *ssl_key_path;
    int auth_timeout_ms;
    int auth_fail_delay_ms;
    int statement_timeout_ms;         /* default for new connections, 0 = none */
    int busy_timeout_ms;
    bool is_verbose;
    AuthConfig auth;
} ServerConfig;

typedef struct Conn Conn;

enum { SERVER_REPORTED_COUNT = 9, SERVER_REPORTED_VALUE_BYTES = 128 };

typedef struct Server {
    ServerConfig config;
    int listen_fds[4];
    int listen_count;
    char socket_path[PATH_MAX + 32];  /* unlinked at shutdown */
    int signal_pipe[2];               /* the signal handler writes here */
    int shutdown_pipe[2];             /* written once at shutdown; every poll watches [0] */
    SSL_CTX *ssl_ctx;                 /* NULL when no certificate is configured */
    pthread_mutex_t lock;
    pthread_cond_t changed;           /* a connection ended, or shutdown began */
    Conn **slots;                     /* slot_count entries, NULL = free (lock) */
    int slot_count;
    int backend_count;                /* sessions past start-up (lock) */
    int thread_count;                 /* running connection threads (lock) */
    uint32_t next_pid;                /* lock */
    atomic_bool is_shutting_down;
    pthread_t watchdog;
} Server;

typedef struct PreparedStatement PreparedStatement;
typedef struct Portal Portal;

typedef enum { IO_OK = 0, IO_EOF, IO_TIMEOUT, IO_SHUTDOWN, IO_ERROR } IoStatus;

struct Conn {
    Server *server;
    int fd;
    SSL *ssl;
    bool is_local;
    struct sockaddr_storage peer;
    char peer_text[96];
    uint32_t pid;
    uint32_t secret;
    int slot_index;                   /* in server->slots, -1 if not registered */
    strata_db *db;                    /* lock, for other threads (invariant 1) */
    bool is_executing;                /* lock */
    int64_t statement_deadline_ms;    /* lock; 0 = none */
    bool is_timed_out;                /* lock: the watchdog interrupted this statement */
    IoStatus io_status;
    int64_t read_deadline_ms;         /* 0 = wait forever (after authentication) */
    uint8_t in[16384];
    size_t in_start;
    size_t in_end;
    WireBuf out;
    uint8_t *message;                 /* owned (mem): the body of the current message */
    size_t message_capacity_bytes;
    size_t message_length_bytes;
    char message_type;
    Arena *message_arena;             /* reset before each message */
    char user[64];
    char auth_reason[128]; /* why a login failed, for the log only (never sent) */
    char database[64];
    char application_name[64];
    int statement_timeout_ms;         /* from the engine's statement_timeout setting */
    int idle_in_txn_timeout_ms;       /* idle_in_transaction_session_timeout, 0 = none */
    bool is_ready;                    /* ReadyForQuery sent, no message read since */
    bool is_idle_timed_out;           /* idle in a transaction past the timeout */
    char reported[SERVER_REPORTED_COUNT][SERVER_REPORTED_VALUE_BYTES]; /* last ParameterStatus */
    bool has_reported;
    PreparedStatement *statements;   /* owned list (mem) */
    Portal *portals;                 /* owned list (mem) */
    bool is_skipping_to_sync;        /* extended protocol: an error happened */
    bool is_dropping_copy;           /* a COPY FROM failed: drop stray CopyData */
    bool has_fatal;                  /* a protocol violation inside a sub-protocol (COPY) */
    Error fatal;                     /* ... which ends the session with this FATAL */
};

/* ---- server.c ------------------------------------------------------------ */

/* Unregisters a connection whose thread is ending, closes its socket and
 * frees it (called last by the connection thread). */
void server_conn_finished(Conn *conn);

/* ---- io.c ---------------------------------------------------------------- */

/* Current monotonic time in milliseconds. */
int64_t server_now_ms(void);
/* Reads exactly length bytes (honouring read_deadline_ms and shutdown);
 * false with conn->io_status set on failure. */
bool server_conn_read_exact(Conn *conn, void *data, size_t length_bytes);
/* Sends the output buffer; false if the client is gone. */
bool server_conn_flush(Conn *conn);
/* Flushes when the output holds more than a batch worth of bytes. */
bool server_conn_maybe_flush(Conn *conn);
/* True if unread input is buffered (so the thread will not block). */
bool server_conn_has_buffered_input(Conn *conn);
/* Reads one regular message into conn->message/_type/_length (limit:
 * LIMIT_MESSAGE_BYTES). Returns STRATA_OK, or an error (08P01) in err, or
 * STRATA_DONE with io_status set when the connection ended. */
int server_conn_read_message(Conn *conn, Error *err);

/* ---- session.c ----------------------------------------------------------- */

/* Serves one accepted connection to its end (thread body). */
void *server_conn_thread_main(void *arg);
/* Queues an ErrorResponse/NoticeResponse from an Error. */
void server_conn_send_error(Conn *conn, const Error *err, const char *severity);
/* Queues ReadyForQuery with the engine's transaction state. */
void server_conn_send_ready(Conn *conn);
/* Reads the reported settings (and statement_timeout) back from the engine
 * after SET/RESET; queues ParameterStatus for each changed one when send. */
void server_conn_refresh_settings(Conn *conn, bool send);
/* Marks the connection as running a statement (for cancel and timeouts). */
void server_conn_begin_execution(Conn *conn);
void server_conn_end_execution(Conn *conn);
/* Queues a NoticeResponse (severity, SQLSTATE, message) for each notice the
 * engine kept, and clears them; end_execution calls it, so notices precede
 * the statement's CommandComplete or ErrorResponse, as in PostgreSQL. */
void server_conn_send_notices(Conn *conn);
/* Copies the connection's last engine error into err, applying the timeout
 * message when the watchdog interrupted, and adding position_offset
 * characters to a position. */
void server_conn_engine_error(Conn *conn, int position_offset, Error *err);

/* ---- query.c ------------------------------------------------------------- */

/* Handles a Query message; queues every response including ReadyForQuery. */
void server_query_simple(Conn *conn, const char *sql);
/* Extended-protocol messages; each returns STRATA_OK or an error already
 * sent (the caller then skips to Sync). */
int server_query_parse(Conn *conn, const FrontendMsg *msg);
int server_query_bind(Conn *conn, const FrontendMsg *msg);
int server_query_describe(Conn *conn, const FrontendMsg *msg);
int server_query_execute(Conn *conn, const FrontendMsg *msg);
int server_query_close(Conn *conn, const FrontendMsg *msg);
/* At Sync: drops the unnamed portal, and every portal outside a transaction. */
void server_query_sync(Conn *conn);
/* Frees every prepared statement and portal (connection end). */
void server_query_free_all(Conn *conn);
/* Queues a RowDescription for stmt with the given result formats. */
void server_query_send_row_description(Conn *conn, strata_stmt *stmt, int format_count,
                                const int16_t *formats);
/* Byte offset just past the SQL statement starting at sql (past its ';', or
 * the end), skipping quotes, comments and dollar quotes. */
size_t server_query_statement_end(const char *sql);
/* Returns sql advanced past whitespace and comments. */
const char *server_query_skip_space(const char *sql);

/* ---- copy.c -------------------------------------------------------------- */

/* True if the statement (already past leading space) is a COPY to or from the
 * client (STDIN/STDOUT), which the server runs itself. */
bool server_copy_is_client(const char *statement, size_t length);
/* Runs a COPY ... FROM STDIN / TO STDOUT statement of a simple query; queues
 * all responses but ReadyForQuery. Returns STRATA_OK or an error already sent. */
int server_copy_run(Conn *conn, const char *statement, size_t length);

#endif
