/*
 * server/session.c - one connection from start-up to Terminate: SSL and
 * GSSENC negotiation, cancel requests, authentication, the parameter
 * report, and the message loop that dispatches to query.c and copy.c.
 *
 * Connection states (the function making each transition in brackets):
 *
 *   STARTUP --SSLRequest--> STARTUP (TLS or not)            [read_startup]
 *   STARTUP --CancelRequest--> closed                       [handle_cancel]
 *   STARTUP --StartupMessage--> AUTH --ok--> READY          [authenticate]
 *   READY  --Q/P/B/D/E/C/S/H--> READY                       [dispatch]
 *   READY  --error in P/B/D/E/C--> SKIP --Sync--> READY     [dispatch]
 *   any    --Terminate/EOF/bad bytes/shutdown--> closed     [session_run]
 *
 * Invariants
 *   1. Malformed input ends this connection with FATAL 08P01; it never
 *      reaches the engine and never affects other connections.
 *   2. The connection's strata_db is opened after the startup packet (the
 *      roles to authenticate against are in the database; until the login
 *      succeeds it runs only the pg_authid lookup) and closed (rolling back
 *      any open transaction) on every exit path.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/server_int.h"
#include "util/mem.h"

void server_conn_send_error(Conn *conn, const Error *err, const char *severity)
{
    wire_put_error(&conn->out, strcmp(severity, "NOTICE") == 0 ? 'N' : 'E', severity,
                   err->sqlstate, err->message, err->detail, err->hint, err->position);
}

static void send_fatal(Conn *conn, const char *sqlstate, const char *message)
{
    wire_put_error(&conn->out, 'E', "FATAL", sqlstate, message, NULL, NULL, 0);
    server_conn_flush(conn);
}

void server_conn_send_ready(Conn *conn)
{
    int state = conn->db == NULL ? 0 : strata_txn_state(conn->db);
    wire_put_ready(&conn->out, state == 1 ? 'T' : state == 2 ? 'E' : 'I');
    conn->is_ready = true;
}

void server_conn_begin_execution(Conn *conn)
{
    Server *server = conn->server;
    pthread_mutex_lock(&server->lock);
    conn->is_executing = true;
    conn->is_timed_out = false;
    conn->statement_deadline_ms =
        conn->statement_timeout_ms > 0 ? server_now_ms() + conn->statement_timeout_ms : 0;
    pthread_mutex_unlock(&server->lock);
}

void server_conn_end_execution(Conn *conn)
{
    Server *server = conn->server;
    pthread_mutex_lock(&server->lock);
    conn->is_executing = false;
    conn->statement_deadline_ms = 0;
    pthread_mutex_unlock(&server->lock);
    server_conn_send_notices(conn);
}

void server_conn_send_notices(Conn *conn)
{
    int count = conn->db == NULL ? 0 : strata_notice_count(conn->db);
    for (int index = 0; index < count; index++) {
        wire_put_error(&conn->out, 'N', strata_notice_severity(conn->db, index),
                       strata_notice_sqlstate(conn->db, index),
                       strata_notice_message(conn->db, index),
                       strata_notice_detail(conn->db, index), strata_notice_hint(conn->db, index),
                       0);
    }
    if (count > 0) {
        strata_notices_clear(conn->db);
    }
}

void server_conn_engine_error(Conn *conn, int position_offset, Error *err)
{
    const char *sqlstate = strata_sqlstate(conn->db);
    if (sqlstate == NULL || strlen(sqlstate) != 5 || strcmp(sqlstate, "00000") == 0) {
        sqlstate = SQLSTATE_INTERNAL_ERROR;
    }
    error_set(err, sqlstate, "%s", strata_errmsg(conn->db));
    if (strata_errdetail(conn->db)[0] != '\0') {
        error_detail(err, "%s", strata_errdetail(conn->db));
    }
    if (strata_errhint(conn->db)[0] != '\0') {
        error_hint(err, "%s", strata_errhint(conn->db));
    }
    int position = strata_error_position(conn->db);
    if (position > 0) {
        error_position(err, position + position_offset);
    }
    pthread_mutex_lock(&conn->server->lock);
    bool is_timed_out = conn->is_timed_out;
    pthread_mutex_unlock(&conn->server->lock);
    if (is_timed_out && strcmp(sqlstate, SQLSTATE_QUERY_CANCELED) == 0) {
        error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to statement timeout");
    } else if (strcmp(sqlstate, SQLSTATE_QUERY_CANCELED) == 0 &&
               atomic_load(&conn->server->is_shutting_down)) {
        error_set(err, SQLSTATE_ADMIN_SHUTDOWN,
                  "terminating connection due to administrator command");
    }
}

/* ---- Start-up -------------------------------------------------------------- */

static bool start_tls(Conn *conn)
{
    conn->ssl = SSL_new(conn->server->ssl_ctx);
    if (conn->ssl == NULL || SSL_set_fd(conn->ssl, conn->fd) != 1) {
        return false;
    }
    /* The socket is blocking; the handshake is bounded by the receive timeout
     * set from the authentication deadline. */
    struct timeval timeout = {.tv_sec = conn->server->config.auth_timeout_ms / 1000 + 1};
    setsockopt(conn->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    int rc = SSL_accept(conn->ssl);
    struct timeval none = {0};
    setsockopt(conn->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    return rc == 1;
}

/* Reads startup packets until a StartupMessage or CancelRequest arrives;
 * answers SSLRequest and GSSENCRequest on the way. */
static int read_startup(Conn *conn, uint8_t *body, StartupPacket *packet, Error *err)
{
    for (int round = 0; round < 3; round++) {
        uint8_t length_word[4];
        if (!server_conn_read_exact(conn, length_word, 4)) {
            return STRATA_DONE;
        }
        uint32_t length = wire_read_uint32(length_word);
        int rc = wire_check_startup_length(length, err);
        if (rc == STRATA_OK && !server_conn_read_exact(conn, body, length - 4)) {
            return STRATA_DONE;
        }
        if (rc == STRATA_OK) {
            rc = wire_decode_startup(body, length - 4, packet, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        if (packet->kind == STARTUP_SSL_REQUEST && conn->ssl == NULL) {
            bool can_tls = conn->server->ssl_ctx != NULL && !conn->is_local;
            wire_put_byte(&conn->out, can_tls ? 'S' : 'N');
            if (!server_conn_flush(conn)) {
                return STRATA_DONE;
            }
            if (can_tls && (conn->in_start != conn->in_end || !start_tls(conn))) {
                return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                                 "could not complete TLS handshake");
            }
            continue;
        }
        if (packet->kind == STARTUP_GSSENC_REQUEST) {
            wire_put_byte(&conn->out, 'N');
            if (!server_conn_flush(conn)) {
                return STRATA_DONE;
            }
            continue;
        }
        if (packet->kind == STARTUP_SSL_REQUEST) {
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "SSLRequest inside TLS");
        }
        return STRATA_OK;
    }
    return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "too many negotiation requests");
}

static void handle_cancel(Conn *conn, const StartupPacket *packet)
{
    Server *server = conn->server;
    pthread_mutex_lock(&server->lock);
    for (int index = 0; index < server->slot_count; index++) {
        Conn *target = server->slots[index];
        if (target != NULL && target != conn && target->pid == packet->cancel_pid &&
            target->secret == packet->cancel_key && target->db != NULL && target->is_executing) {
            strata_interrupt(target->db);
        }
    }
    pthread_mutex_unlock(&server->lock);
}

static void negotiate_version(Conn *conn, const StartupPacket *packet)
{
    int unknown = 0;
    for (int index = 0; index < packet->param_count; index++) {
        unknown += strncmp(packet->param_names[index], "_pq_.", 5) == 0;
    }
    if (packet->minor_version == 0 && unknown == 0) {
        return;
    }
    wire_msg_begin(&conn->out, 'v');
    wire_put_int32(&conn->out, (int32_t)WIRE_PROTOCOL_3_0);
    wire_put_int32(&conn->out, unknown);
    for (int index = 0; index < packet->param_count; index++) {
        if (strncmp(packet->param_names[index], "_pq_.", 5) == 0) {
            wire_put_cstring(&conn->out, packet->param_names[index]);
        }
    }
    wire_msg_end(&conn->out);
}

static int take_params(Conn *conn, const StartupPacket *packet, Error *err)
{
    const char *user = wire_startup_param(packet, "user");
    if (user == NULL || user[0] == '\0') {
        return error_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                         "no PostgreSQL user name specified in startup packet");
    }
    const char *database = wire_startup_param(packet, "database");
    const char *application = wire_startup_param(packet, "application_name");
    snprintf(conn->user, sizeof conn->user, "%s", user);
    snprintf(conn->database, sizeof conn->database, "%s",
             database != NULL && database[0] != '\0' ? database : user);
    snprintf(conn->application_name, sizeof conn->application_name, "%s",
             application ? application : "");
    negotiate_version(conn, packet);
    return STRATA_OK;
}

/* ---- Authentication -------------------------------------------------------- */

static int read_password_message(Conn *conn, Error *err)
{
    int rc = server_conn_read_message(conn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (conn->message_type != 'p') {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                         "expected SASL response, got message type %d", conn->message_type);
    }
    return STRATA_OK;
}

static int scram_exchange(Conn *conn, const ScramVerifier *verifier, Error *err)
{
    static const char mechanisms[] = "SCRAM-SHA-256\0";
    wire_put_auth(&conn->out, 10, mechanisms, sizeof mechanisms);
    int rc = read_password_message(conn, err);
    const char *mechanism;
    const uint8_t *data;
    size_t length;
    if (rc == STRATA_OK) {
        rc = wire_decode_sasl_initial(conn->message, conn->message_length_bytes, &mechanism,
                                      &data, &length, err);
    }
    if (rc == STRATA_OK && strcmp(mechanism, "SCRAM-SHA-256") != 0) {
        rc = error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                       "client selected an invalid SASL authentication mechanism");
    }
    ScramServer scram;
    char reply[SCRAM_MESSAGE_MAX_BYTES];
    if (rc == STRATA_OK) {
        rc = scram_server_init(&scram, verifier, NULL, err);
    }
    if (rc == STRATA_OK) {
        rc = scram_server_first(&scram, data, length, reply, sizeof reply, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    wire_put_auth(&conn->out, 11, reply, strlen(reply));
    rc = read_password_message(conn, err);
    if (rc == STRATA_OK) {
        rc = scram_server_final(&scram, conn->message, conn->message_length_bytes, reply,
                                sizeof reply, err);
    }
    if (rc == STRATA_OK) {
        wire_put_auth(&conn->out, 12, reply, strlen(reply));
    }
    return rc;
}

/* Answers a failed login after the configured delay, and logs it (with the
 * reason the client is not told, as PostgreSQL's log DETAIL). */
static void login_failed(Conn *conn, Error *err)
{
    fprintf(stderr, "strata-server: authentication failed for user \"%s\" from %s: %s%s%s\n",
            conn->user, conn->peer_text, err->message, conn->auth_reason[0] != '\0' ? ": " : "",
            conn->auth_reason);
    int delay_ms = conn->server->config.auth_fail_delay_ms;
    struct timespec pause = {.tv_sec = delay_ms / 1000, .tv_nsec = (delay_ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

/* A verifier no password matches, so a role without one goes through a full
 * exchange and fails like a wrong password (PostgreSQL's mock
 * authentication): the client cannot tell the two apart. */
static int mock_verifier(ScramVerifier *verifier, Error *err)
{
    uint8_t random[32];
    char password[64], text[SCRAM_VERIFIER_MAX_BYTES];
    if (RAND_bytes(random, sizeof random) != 1) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not generate random bytes");
    }
    scram_base64_encode(random, sizeof random, password);
    int rc = scram_make_verifier_random(password, text, sizeof text, err);
    return rc != STRATA_OK ? rc : scram_parse_verifier(text, verifier, err);
}

static int password_failed(Conn *conn, const char *reason, Error *err)
{
    snprintf(conn->auth_reason, sizeof conn->auth_reason, "%s", reason);
    return error_set(err, SQLSTATE_INVALID_PASSWORD,
                     "password authentication failed for user \"%s\"", conn->user);
}

/* SCRAM against the role's verifier (or a mock one), then its expiry. */
static int check_password(Conn *conn, const AuthRoleInfo *info, Error *err)
{
    ScramVerifier mock;
    const ScramVerifier *verifier = &info->verifier;
    if (!info->has_verifier) {
        int rc = mock_verifier(&mock, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        verifier = &mock;
    }
    int rc = scram_exchange(conn, verifier, err);
    if (rc != STRATA_OK && strcmp(err->sqlstate, SQLSTATE_INVALID_PASSWORD) == 0) {
        return password_failed(
            conn, info->has_verifier ? "wrong password" : "the role has no password", err);
    }
    if (rc == STRATA_OK && !info->has_verifier) {
        return password_failed(conn, "the role has no password", err);
    }
    if (rc == STRATA_OK && info->is_expired) {
        return password_failed(conn, "the role's password has expired (VALID UNTIL)", err);
    }
    return rc;
}

static int authenticate(Conn *conn, Error *err)
{
    const AuthConfig *auth = &conn->server->config.auth;
    AuthMethod method = server_auth_method_for(auth, conn->is_local, &conn->peer, conn->user);
    if (method == AUTH_REJECT) {
        return error_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                         "no hba rule allows user \"%s\" from %s%s", conn->user, conn->peer_text,
                         conn->ssl != NULL ? " (TLS)" : "");
    }
    AuthRoleInfo info;
    int rc = server_auth_lookup_role(conn->db, conn->user, &info, err);
    if (rc == STRATA_DONE) {
        return error_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                         "role \"%s\" does not exist", conn->user);
    }
    if (rc == STRATA_OK && method == AUTH_SCRAM) {
        rc = check_password(conn, &info, err);
    }
    if (rc == STRATA_OK && !info.can_login) {
        return error_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                         "role \"%s\" is not permitted to log in", conn->user);
    }
    if (rc == STRATA_OK && strata_set_user(conn->db, conn->user) != STRATA_OK) {
        /* Dropped between the lookup and now. */
        return error_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                         "role \"%s\" does not exist", conn->user);
    }
    if (rc == STRATA_OK) {
        wire_put_auth(&conn->out, 0, NULL, 0);
    }
    return rc;
}

/* ---- Settings -------------------------------------------------------------- */

/* Parameters reported with ParameterStatus whenever they change, as
 * PostgreSQL's GUC_REPORT settings; values are read back from the engine. */
static const char *const REPORTED[SERVER_REPORTED_COUNT] = {
    "application_name", "DateStyle", "IntervalStyle", "TimeZone",
    "client_encoding", "standard_conforming_strings", "integer_datetimes", "is_superuser",
    "session_authorization", /* SET SESSION AUTHORIZATION reports it and is_superuser */
};
static const char *const REPORTED_DEFAULTS[SERVER_REPORTED_COUNT] = {
    "", "ISO, MDY", "postgres", "UTC", "UTF8", "on", "on", "on", "",
};

/* Runs one statement that returns at most one row; copies its first column
 * into out (may be NULL). */
static int run_internal(Conn *conn, const char *sql, char *out, size_t out_size_bytes)
{
    strata_stmt *stmt = NULL;
    int rc = strata_prepare(conn->db, sql, -1, &stmt, NULL);
    if (rc == STRATA_OK && stmt != NULL) {
        rc = strata_step(stmt);
        if (rc == STRATA_ROW && out != NULL) {
            const char *text = strata_column_text(stmt, 0);
            snprintf(out, out_size_bytes, "%s", text != NULL ? text : "");
        }
        rc = rc == STRATA_ROW || rc == STRATA_DONE ? STRATA_OK : rc;
    }
    strata_finalize(stmt);
    return rc;
}

/* SET name TO 'value' for a client-supplied setting; names are restricted to
 * identifier characters so they cannot inject SQL, values are quoted. */
static void apply_setting(Conn *conn, const char *name, const char *value)
{
    if (name[0] == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_.") != strlen(name) ||
        strlen(name) > 63 || strlen(value) > 1024) {
        return;
    }
    char sql[1200];
    size_t used = (size_t)snprintf(sql, sizeof sql, "SET %s TO '", name);
    for (const char *at = value; *at != '\0' && used + 4 < sizeof sql; at++) {
        if (*at == '\'') {
            sql[used++] = '\'';
        }
        sql[used++] = *at;
    }
    sql[used++] = '\'';
    sql[used] = '\0';
    if (run_internal(conn, sql, NULL, 0) != STRATA_OK && conn->server->config.is_verbose) {
        fprintf(stderr, "strata-server: ignoring startup setting %s: %s\n", name,
                strata_errmsg(conn->db));
    }
}

/* Applies "-c name=value" and "--name=value" words of the startup "options". */
static void apply_options(Conn *conn, const char *options)
{
    char word[1200];
    const char *at = options;
    bool expect_setting = false;
    while (*at != '\0') {
        size_t length = 0;
        while (*at == ' ' || *at == '\t') {
            at++;
        }
        while (*at != '\0' && *at != ' ' && *at != '\t' && length + 1 < sizeof word) {
            if (*at == '\\' && at[1] != '\0') {
                at++;
            }
            word[length++] = *at++;
        }
        word[length] = '\0';
        const char *setting = expect_setting ? word
                              : strncmp(word, "--", 2) == 0 ? word + 2 : NULL;
        expect_setting = strcmp(word, "-c") == 0;
        char *equals = setting == NULL ? NULL : strchr(setting, '=');
        if (equals != NULL) {
            *equals = '\0';
            apply_setting(conn, setting, equals + 1);
        }
    }
}

/* Parses SHOW statement_timeout output ("0", "250ms", "5s", "2min", "1h"). */
static int parse_timeout_ms(const char *text)
{
    char *unit = NULL;
    double value = strtod(text, &unit);
    double scale = strcmp(unit, "s") == 0 ? 1000 : strcmp(unit, "min") == 0 ? 60000
                 : strcmp(unit, "h") == 0 ? 3600000 : strcmp(unit, "d") == 0 ? 86400000 : 1;
    double ms = value * scale;
    return ms < 0 ? 0 : ms > 2147483647.0 ? 2147483647 : (int)ms;
}

void server_conn_refresh_settings(Conn *conn, bool send)
{
    char value[SERVER_REPORTED_VALUE_BYTES];
    for (int index = 0; index < SERVER_REPORTED_COUNT; index++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SHOW %s", REPORTED[index]);
        if (run_internal(conn, sql, value, sizeof value) != STRATA_OK) {
            snprintf(value, sizeof value, "%s", conn->reported[index][0] != '\0'
                                                    ? conn->reported[index]
                                                    : REPORTED_DEFAULTS[index]);
        }
        if (!conn->has_reported || strcmp(value, conn->reported[index]) != 0) {
            snprintf(conn->reported[index], sizeof conn->reported[index], "%s", value);
            if (send) {
                wire_put_parameter_status(&conn->out, REPORTED[index], value);
            }
        }
    }
    conn->has_reported = true;
    if (run_internal(conn, "SHOW statement_timeout", value, sizeof value) == STRATA_OK) {
        conn->statement_timeout_ms = parse_timeout_ms(value);
    }
    if (run_internal(conn, "SHOW idle_in_transaction_session_timeout", value, sizeof value) ==
        STRATA_OK) {
        conn->idle_in_txn_timeout_ms = parse_timeout_ms(value);
    }
}

/* Session defaults, then the client's startup parameters, go to the engine
 * as SET statements (unknown ones are ignored, unlike PostgreSQL's FATAL). */
static void apply_startup_settings(Conn *conn, const StartupPacket *packet)
{
    conn->statement_timeout_ms = conn->server->config.statement_timeout_ms;
    if (conn->statement_timeout_ms > 0) {
        char value[16];
        snprintf(value, sizeof value, "%d", conn->statement_timeout_ms);
        apply_setting(conn, "statement_timeout", value);
    }
    for (int index = 0; index < packet->param_count; index++) {
        const char *name = packet->param_names[index];
        if (strcmp(name, "user") == 0 || strcmp(name, "database") == 0 ||
            strcmp(name, "replication") == 0 || strncmp(name, "_pq_.", 5) == 0) {
            continue;
        }
        if (strcmp(name, "options") == 0) {
            apply_options(conn, packet->param_values[index]);
        } else {
            apply_setting(conn, name, packet->param_values[index]);
        }
    }
    int saved = conn->statement_timeout_ms;
    server_conn_refresh_settings(conn, false);
    if (conn->statement_timeout_ms == 0 && saved > 0) {
        /* The engine does not know statement_timeout: keep the server's. */
        conn->statement_timeout_ms = saved;
    }
}

/* ---- Session --------------------------------------------------------------- */

static int become_backend(Conn *conn, Error *err)
{
    Server *server = conn->server;
    uint32_t secret = 0;
    if (RAND_bytes((unsigned char *)&secret, sizeof secret) != 1) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not generate cancel key");
    }
    pthread_mutex_lock(&server->lock);
    bool is_full = server->backend_count >= server->config.max_connections;
    if (!is_full) {
        server->backend_count++;
        conn->pid = server->next_pid++;
        conn->secret = secret;
    }
    pthread_mutex_unlock(&server->lock);
    if (is_full) {
        return error_set(err, SQLSTATE_TOO_MANY_CONNECTIONS, "sorry, too many clients already");
    }
    return STRATA_OK;
}

/* The text form and port of a TCP address (false for other families). */
static bool address_text(const struct sockaddr_storage *address, char *out, size_t size, int *port)
{
    if (address->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)address;
        *port = ntohs(in->sin_port);
        return inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)size) != NULL;
    }
    if (address->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
        *port = ntohs(in6->sin6_port);
        return inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)size) != NULL;
    }
    return false;
}

/* inet_client_addr() and friends: the TCP connection's two ends (a Unix
 * socket leaves them NULL, as in PostgreSQL). */
static void set_network(Conn *conn, strata_db *db)
{
    struct sockaddr_storage local;
    socklen_t length = sizeof local;
    char client[64], server[64];
    int client_port = 0, server_port = 0;
    if (conn->is_local || getsockname(conn->fd, (struct sockaddr *)&local, &length) != 0 ||
        !address_text(&conn->peer, client, sizeof client, &client_port) ||
        !address_text(&local, server, sizeof server, &server_port)) {
        return;
    }
    strata_set_network(db, client, client_port, server, server_port);
}

static int open_database(Conn *conn, Error *err)
{
    strata_db *db = NULL;
    int rc = strata_open(conn->server->config.db_path, &db);
    if (rc != STRATA_OK) {
        if (db != NULL) {
            error_set(err, SQLSTATE_CONNECTION_FAILURE, "could not open database \"%s\": %s",
                      conn->server->config.db_path, strata_errmsg(db));
        } else {
            error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory opening the database");
        }
        strata_close(db);
        return err->code;
    }
    strata_busy_timeout(db, conn->server->config.busy_timeout_ms);
    set_network(conn, db);
    pthread_mutex_lock(&conn->server->lock);
    conn->db = db;
    pthread_mutex_unlock(&conn->server->lock);
    return STRATA_OK;
}

/* One server serves one database file. With --database only that name may be
 * asked for (after authentication, as PostgreSQL checks the database); without
 * it any name is the file, and the session calls it by the name asked for. The
 * role must hold CONNECT on it (PUBLIC does unless revoked; superusers always). */
static int name_database(Conn *conn, Error *err)
{
    const char *only = conn->server->config.database_name;
    if (only != NULL && strcmp(conn->database, only) != 0) {
        return error_set(err, SQLSTATE_INVALID_CATALOG_NAME, "database \"%s\" does not exist",
                         conn->database);
    }
    const char *name = only != NULL ? only : conn->database;
    if (strata_set_database_name(conn->db, name) != STRATA_OK) {
        return error_set(err, SQLSTATE_INVALID_CATALOG_NAME, "invalid database name \"%s\"", name);
    }
    char sql[200], quoted[130], answer[8] = "";
    size_t q = 0;
    for (const char *p = name; *p != '\0' && q + 2 < sizeof quoted; p++) {
        if (*p == '\'') {
            quoted[q++] = '\'';
        }
        quoted[q++] = *p;
    }
    quoted[q] = '\0';
    snprintf(sql, sizeof sql, "SELECT has_database_privilege('%s', 'CONNECT')", quoted);
    int rc = run_internal(conn, sql, answer, sizeof answer);
    if (rc != STRATA_OK) {
        return error_set(err, strata_sqlstate(conn->db), "%s", strata_errmsg(conn->db));
    }
    if (strcmp(answer, "t") != 0) {
        error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for database \"%s\"",
                  name);
        error_detail(err, "User does not have CONNECT privilege.");
        return err->code;
    }
    return STRATA_OK;
}

static void send_parameters(Conn *conn)
{
    char version[64];
    snprintf(version, sizeof version, "15.0 (strata %s)", strata_libversion());
    wire_put_parameter_status(&conn->out, "server_version", version);
    wire_put_parameter_status(&conn->out, "server_encoding", "UTF8");
    for (int index = 0; index < SERVER_REPORTED_COUNT; index++) {
        wire_put_parameter_status(&conn->out, REPORTED[index], conn->reported[index]);
    }
    wire_msg_begin(&conn->out, 'K');
    wire_put_int32(&conn->out, (int32_t)conn->pid);
    wire_put_int32(&conn->out, (int32_t)conn->secret);
    wire_msg_end(&conn->out);
    server_conn_send_ready(conn);
}

/* Runs an extended-protocol message; after an error, skips until Sync. */
static void dispatch_extended(Conn *conn, const FrontendMsg *msg)
{
    if (conn->is_skipping_to_sync) {
        return;
    }
    int rc;
    switch (msg->type) {
    case 'P':
        rc = server_query_parse(conn, msg);
        break;
    case 'B':
        rc = server_query_bind(conn, msg);
        break;
    case 'D':
        rc = server_query_describe(conn, msg);
        break;
    case 'E':
        rc = server_query_execute(conn, msg);
        break;
    default:
        rc = server_query_close(conn, msg);
        break;
    }
    if (rc != STRATA_OK) {
        conn->is_skipping_to_sync = true;
    }
}

/* Handles one decoded message; false ends the session. */
static bool dispatch(Conn *conn, const FrontendMsg *msg, Error *err)
{
    switch (msg->type) {
    case 'Q':
        conn->is_dropping_copy = false;
        server_query_simple(conn, msg->sql);
        return true;
    case 'P':
    case 'B':
    case 'D':
    case 'E':
    case 'C':
        conn->is_dropping_copy = false;
        dispatch_extended(conn, msg);
        return true;
    case 'S':
        conn->is_skipping_to_sync = false;
        conn->is_dropping_copy = false;
        server_query_sync(conn);
        server_conn_send_ready(conn);
        return true;
    case 'H':
        return server_conn_flush(conn);
    case 'X':
        return false;
    case 'd':
    case 'c':
    case 'f':
        /* Stray COPY messages after a failed COPY FROM are dropped, as
         * PostgreSQL does; anywhere else they are a protocol violation. */
        if (conn->is_dropping_copy) {
            return true;
        }
        error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "unexpected COPY message type \"%c\"",
                  msg->type);
        return false;
    default:
        error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "message type \"%c\" is not supported",
                  msg->type);
        return false;
    }
}

static void message_loop(Conn *conn, Error *err)
{
    for (;;) {
        error_clear(err);
        arena_reset(conn->message_arena);
        /* idle_in_transaction_session_timeout: waiting for the next query inside a
         * transaction block (ReadyForQuery 'T' or 'E' sent) ends the session past it */
        bool idle_in_txn = conn->is_ready && conn->idle_in_txn_timeout_ms > 0 &&
                           strata_txn_state(conn->db) != 0;
        conn->read_deadline_ms = idle_in_txn ? server_now_ms() + conn->idle_in_txn_timeout_ms : 0;
        int rc = server_conn_read_message(conn, err);
        conn->read_deadline_ms = 0;
        conn->is_ready = false;
        if (rc == STRATA_DONE) {
            conn->is_idle_timed_out = idle_in_txn && conn->io_status == IO_TIMEOUT;
            return;
        }
        FrontendMsg msg;
        if (rc == STRATA_OK) {
            rc = wire_decode_frontend(conn->message_type, conn->message,
                                      conn->message_length_bytes, conn->message_arena, &msg, err);
        }
        if (rc != STRATA_OK || !dispatch(conn, &msg, err)) {
            return;
        }
        if (conn->has_fatal) {
            error_copy(err, &conn->fatal);
            return;
        }
        if (conn->io_status != IO_OK) {
            return;
        }
        if (atomic_load(&conn->server->is_shutting_down)) {
            conn->io_status = IO_SHUTDOWN;
            return;
        }
    }
}

/* Startup and authentication; leaves err set (FATAL) on failure. */
static int start_session(Conn *conn, Error *err)
{
    uint8_t *body = arena_alloc(conn->message_arena, WIRE_STARTUP_MAX_BYTES);
    if (body == NULL) {
        return arena_error(conn->message_arena, err);
    }
    StartupPacket packet;
    conn->read_deadline_ms = server_now_ms() + conn->server->config.auth_timeout_ms;
    int rc = read_startup(conn, body, &packet, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (packet.kind == STARTUP_CANCEL) {
        handle_cancel(conn, &packet);
        return STRATA_DONE;
    }
    rc = take_params(conn, &packet, err);
    if (rc == STRATA_OK) {
        /* Opened before authentication: the roles live in the database. */
        rc = open_database(conn, err);
    }
    if (rc == STRATA_OK) {
        rc = authenticate(conn, err);
        if (rc != STRATA_OK && err->sqlstate[0] == '2' && err->sqlstate[1] == '8') {
            login_failed(conn, err);
        }
    }
    if (rc == STRATA_OK) {
        rc = name_database(conn, err);
    }
    if (rc == STRATA_OK) {
        rc = become_backend(conn, err);
    }
    if (rc == STRATA_OK) {
        apply_startup_settings(conn, &packet);
    }
    conn->read_deadline_ms = 0;
    return rc;
}

static void end_session(Conn *conn, Error *err)
{
    if (error_is_set(err)) {
        if (strcmp(err->sqlstate, SQLSTATE_PROTOCOL_VIOLATION) == 0 &&
            conn->server->config.is_verbose) {
            fprintf(stderr, "strata-server: closing connection from %s: %s\n", conn->peer_text,
                    err->message);
        }
        wire_put_error(&conn->out, 'E', "FATAL", err->sqlstate, err->message, err->detail,
                       err->hint, 0);
        server_conn_flush(conn);
    } else if (conn->io_status == IO_SHUTDOWN) {
        send_fatal(conn, SQLSTATE_ADMIN_SHUTDOWN,
                   "terminating connection due to administrator command");
    } else if (conn->io_status == IO_TIMEOUT && conn->is_idle_timed_out) {
        send_fatal(conn, SQLSTATE_IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                   "terminating connection due to idle-in-transaction timeout");
    } else if (conn->io_status == IO_TIMEOUT) {
        send_fatal(conn, SQLSTATE_PROTOCOL_VIOLATION, "authentication timeout expired");
    }
    server_query_free_all(conn);
    pthread_mutex_lock(&conn->server->lock);
    strata_db *db = conn->db;
    conn->db = NULL;
    pthread_mutex_unlock(&conn->server->lock);
    /* strata_close rolls back whatever transaction the client left open. */
    strata_close(db);
}

void *server_conn_thread_main(void *arg)
{
    Conn *conn = arg;
    Error err;
    error_clear(&err);
    conn->message_arena = arena_create(NULL, 0, "connection messages");
    wire_buf_init(&conn->out);
    if (conn->message_arena != NULL) {
        int rc = start_session(conn, &err);
        if (rc == STRATA_OK) {
            send_parameters(conn);
            message_loop(conn, &err);
        }
    } else {
        error_set(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    end_session(conn, &err);
    arena_destroy(conn->message_arena);
    wire_buf_free(&conn->out);
    mem_free(conn->message);
    server_conn_finished(conn);
    return NULL;
}
