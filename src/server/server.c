/*
 * server/server.c - the listener: options, sockets, the accept loop, the
 * statement-timeout watchdog, signals and clean shutdown.
 *
 * Shutdown (SIGTERM/SIGINT): the handler writes to signal_pipe; the accept
 * loop wakes, sets is_shutting_down, writes shutdown_pipe (every connection
 * polls it, so idle ones end at once with FATAL 57P01), interrupts running
 * statements, and waits for the connection threads; each closes its strata_db,
 * which rolls back an open transaction. Threads still blocked after a grace
 * period get their sockets shut down.
 *
 * Invariants: see server_int.h (Server.lock guards slots and counters).
 */
#include "server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/server_int.h"
#include "util/limits.h"
#include "util/mem.h"

enum { EXTRA_SLOTS = 16, SHUTDOWN_GRACE_MS = 5000, WATCHDOG_TICK_MS = 20 };

static int signal_write_fd = -1;

static void on_signal(int signo)
{
    int saved = errno;
    char byte = (char)signo;
    if (write(signal_write_fd, &byte, 1) < 0) {
        /* Nothing to do: the pipe is full, so a wake-up is already pending. */
    }
    errno = saved;
}

static void usage(FILE *to)
{
    fprintf(to,
            "usage: strata serve [options] DBFILE\n"
            "  --listen HOST:PORT       TCP address, * for all (default 127.0.0.1:5432)\n"
            "  --socket DIR             unix socket directory (default /tmp)\n"
            "  --no-socket | --no-tcp   do not listen there\n"
            "  --max-connections N      default %d\n"
            "  --hba-file FILE          rules: local ROLE METHOD | host ROLE ADDR/BITS METHOD\n"
            "  --trust                  trust TCP logins (loopback listening only)\n"
            "  --ssl-cert FILE --ssl-key FILE   enable TLS\n"
            "  --auth-timeout SECONDS   default 60\n"
            "  --auth-fail-delay MS     delay before answering a failed login (default 1000)\n"
            "  --statement-timeout MS   default for every session (0 = none)\n"
            "  --busy-timeout MS        wait for the write lock (default 10000)\n"
            "  --database NAME          the only database name clients may connect to\n"
            "                           (default: any name, each session's current_database())\n"
            "  --verbose                log connection errors\n"
            "  --make-verifier ROLE PASSWORD   print CREATE ROLE ROLE LOGIN PASSWORD 'verifier'\n"
            "                           and exit (- reads the password from stdin)\n"
            "  --import-roles FILE      create the roles of an old roles file (name:verifier\n"
            "                           lines) in DBFILE and exit\n",
            LIMIT_CONNECTIONS_DEFAULT);
}

static int make_verifier(const char *role, const char *password)
{
    uint8_t salt[16];
    char verifier[256], line[1024];
    Error err;
    if (strcmp(password, "-") == 0) {
        /* Read from stdin, so the password stays out of ps and shell history. */
        if (fgets(line, sizeof line, stdin) == NULL) {
            fprintf(stderr, "strata serve: no password on standard input\n");
            return 1;
        }
        line[strcspn(line, "\r\n")] = '\0';
        password = line;
    }
    if (RAND_bytes(salt, sizeof salt) != 1 ||
        scram_make_verifier(password, salt, sizeof salt, SCRAM_DEFAULT_ITERATIONS, verifier,
                            sizeof verifier, &err) != STRATA_OK) {
        fprintf(stderr, "strata serve: could not compute the verifier\n");
        return 1;
    }
    if (strchr(role, '"') != NULL) {
        fprintf(stderr, "strata serve: invalid role name\n");
        return 1;
    }
    printf("CREATE ROLE \"%s\" LOGIN PASSWORD '%s';\n", role, verifier);
    return 0;
}

static int parse_listen(ServerConfig *config, const char *text)
{
    const char *colon = strrchr(text, ':');
    const char *host = text;
    size_t host_length = colon == NULL ? strlen(text) : (size_t)(colon - text);
    if (host[0] == '[' && host_length >= 2 && host[host_length - 1] == ']') {
        host++;
        host_length -= 2;
    }
    if (host_length >= sizeof config->listen_host) {
        return -1;
    }
    if (host_length > 0) {
        memcpy(config->listen_host, host, host_length);
        config->listen_host[host_length] = '\0';
    }
    if (colon != NULL) {
        char *end = NULL;
        long port = strtol(colon + 1, &end, 10);
        if (*end != '\0' || port < 0 || port > 65535) {
            return -1;
        }
        config->port = (int)port;
    }
    return 0;
}

static bool number_arg(const char *text, int *out)
{
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 0 || value > 1000000000) {
        return false;
    }
    *out = (int)value;
    return true;
}

/* What the command line names besides ServerConfig. */
typedef struct Arguments {
    const char *import_file;
    const char *hba_file;
    bool trust_tcp;
} Arguments;

/* A flag without a value; false if arg is not one. */
static bool parse_flag(ServerConfig *config, const char *arg, Arguments *args)
{
    if (strcmp(arg, "--no-socket") == 0) {
        config->listen_unix = false;
    } else if (strcmp(arg, "--no-tcp") == 0) {
        config->listen_tcp = false;
    } else if (strcmp(arg, "--trust") == 0) {
        args->trust_tcp = true;
    } else if (strcmp(arg, "--verbose") == 0) {
        config->is_verbose = true;
    } else {
        return false;
    }
    return true;
}

/* An option with a value; false if arg is not one or the value is bad. */
static bool parse_value_option(ServerConfig *config, const char *arg, const char *value,
                               Arguments *args)
{
    if (strcmp(arg, "--listen") == 0) {
        return parse_listen(config, value) == 0;
    }
    if (strcmp(arg, "--socket") == 0) {
        snprintf(config->socket_dir, sizeof config->socket_dir, "%s", value);
        return strlen(value) < sizeof config->socket_dir - 32;
    }
    if (strcmp(arg, "--max-connections") == 0) {
        return number_arg(value, &config->max_connections) && config->max_connections > 0;
    }
    if (strcmp(arg, "--auth-timeout") == 0) {
        bool ok = number_arg(value, &config->auth_timeout_ms) && config->auth_timeout_ms > 0 &&
                  config->auth_timeout_ms <= 86400;
        config->auth_timeout_ms *= 1000;
        return ok;
    }
    int *number = strcmp(arg, "--auth-fail-delay") == 0     ? &config->auth_fail_delay_ms
                  : strcmp(arg, "--statement-timeout") == 0 ? &config->statement_timeout_ms
                  : strcmp(arg, "--busy-timeout") == 0      ? &config->busy_timeout_ms
                                                            : NULL;
    if (number != NULL) {
        return number_arg(value, number);
    }
    if (strcmp(arg, "--auth-file") == 0) {
        fprintf(stderr,
                "strata serve: --auth-file is gone: roles live in the database now\n"
                "HINT: strata serve --import-roles %s DBFILE creates them once.\n",
                value);
        return false;
    }
    if (strcmp(arg, "--database") == 0) {
        config->database_name = value;
        return value[0] != '\0' && strlen(value) < 64;
    }
    const char **path = strcmp(arg, "--import-roles") == 0 ? &args->import_file
                        : strcmp(arg, "--hba-file") == 0   ? &args->hba_file
                        : strcmp(arg, "--ssl-cert") == 0   ? &config->ssl_cert_path
                        : strcmp(arg, "--ssl-key") == 0    ? &config->ssl_key_path
                                                           : NULL;
    if (path != NULL) {
        *path = value;
    }
    return path != NULL;
}

/* Returns 0 to run, 2 for bad usage, 3 when done (help, verifier); *status
 * is the exit status for the latter two. */
static int parse_args(ServerConfig *config, int argc, char **argv, Arguments *args, int *status)
{
    for (int index = 1; index < argc; index++) {
        const char *arg = argv[index];
        const char *next = index + 1 < argc ? argv[index + 1] : NULL;
        bool ok = true;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            *status = 0;
            return 3;
        } else if (strcmp(arg, "--make-verifier") == 0 && index + 2 < argc) {
            *status = make_verifier(argv[index + 1], argv[index + 2]);
            return 3;
        } else if (arg[0] != '-' && config->db_path == NULL) {
            config->db_path = arg;
        } else if (!parse_flag(config, arg, args)) {
            ok = next != NULL && parse_value_option(config, arg, next, args);
            index++;
        }
        if (!ok) {
            fprintf(stderr, "strata serve: invalid argument \"%s\"\n", arg);
            usage(stderr);
            *status = 2;
            return 2;
        }
    }
    if (config->db_path == NULL) {
        usage(stderr);
        *status = 2;
        return 2;
    }
    return 0;
}

/* ---- Listening ------------------------------------------------------------- */

static bool is_loopback(const struct sockaddr *address)
{
    if (address->sa_family == AF_INET) {
        const uint8_t *bytes = (const uint8_t *)&((const struct sockaddr_in *)address)->sin_addr;
        return bytes[0] == 127;
    }
    if (address->sa_family == AF_INET6) {
        const struct in6_addr *in6 = &((const struct sockaddr_in6 *)address)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(in6);
    }
    return false;
}

static int add_listener(Server *server, int fd)
{
    if (listen(fd, 128) != 0 || server->listen_count == 4) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    server->listen_fds[server->listen_count++] = fd;
    return 0;
}

static int listen_tcp(Server *server, Error *err)
{
    ServerConfig *config = &server->config;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *list = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", config->port);
    /* "*" (as in PostgreSQL's listen_addresses) means every address. */
    const char *host = strcmp(config->listen_host, "*") == 0 ? NULL : config->listen_host;
    if (getaddrinfo(host, port, &hints, &list) != 0) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not resolve \"%s\"",
                         config->listen_host);
    }
    bool all_loopback = true;
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        all_loopback &= is_loopback(ai->ai_addr);
    }
    int rc = server_auth_check_listen(&config->auth, all_loopback, err);
    for (struct addrinfo *ai = list; rc == STRATA_OK && ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        int one = 1;
        if (fd < 0) {
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6) {
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        }
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || add_listener(server, fd) != 0) {
            rc = error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not listen on %s:%d: %s",
                           config->listen_host, config->port, strerror(errno));
            close(fd);
        }
    }
    freeaddrinfo(list);
    return rc;
}

static int listen_unix(Server *server, Error *err)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf(server->socket_path, sizeof server->socket_path, "%s/.s.PGSQL.%d",
             server->config.socket_dir, server->config.port);
    if (strlen(server->socket_path) >= sizeof address.sun_path) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "socket path \"%s\" is too long",
                         server->socket_path);
    }
    memcpy(address.sun_path, server->socket_path, strlen(server->socket_path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not create socket: %s",
                         strerror(errno));
    }
    /* A socket file nobody answers on is stale (a crashed server); a live one
     * means another server owns this directory and port. */
    if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0) {
        close(fd);
        server->socket_path[0] = '\0';
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                         "another server is already listening on \"%s\"", address.sun_path);
    }
    close(fd);
    unlink(server->socket_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        add_listener(server, fd) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        server->socket_path[0] = '\0';
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not listen on \"%s\": %s",
                         address.sun_path, strerror(errno));
    }
    chmod(server->socket_path, 0777);
    return STRATA_OK;
}

static int setup_tls(Server *server, Error *err)
{
    const ServerConfig *config = &server->config;
    if (config->ssl_cert_path == NULL && config->ssl_key_path == NULL) {
        return STRATA_OK;
    }
    if (config->ssl_cert_path == NULL || config->ssl_key_path == NULL) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                         "--ssl-cert and --ssl-key must be given together");
    }
    server->ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (server->ssl_ctx == NULL ||
        SSL_CTX_set_min_proto_version(server->ssl_ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(server->ssl_ctx, config->ssl_cert_path) != 1 ||
        SSL_CTX_use_PrivateKey_file(server->ssl_ctx, config->ssl_key_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(server->ssl_ctx) != 1) {
        char reason[256];
        ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not load TLS certificate: %s",
                         reason);
    }
    return STRATA_OK;
}

/* ---- Connections ----------------------------------------------------------- */

void server_conn_finished(Conn *conn)
{
    Server *server = conn->server;
    if (conn->ssl != NULL) {
        SSL_shutdown(conn->ssl);
        SSL_free(conn->ssl);
    }
    close(conn->fd);
    /* Free this thread's OpenSSL state (random generator, error queue) now:
     * the main thread may exit as soon as thread_count reaches zero. */
    OPENSSL_thread_stop();
    pthread_mutex_lock(&server->lock);
    server->slots[conn->slot_index] = NULL;
    server->backend_count -= conn->pid != 0;
    server->thread_count--;
    pthread_cond_broadcast(&server->changed);
    pthread_mutex_unlock(&server->lock);
    mem_free(conn);
}

static void describe_peer(Conn *conn)
{
    char host[64] = "";
    if (conn->is_local) {
        snprintf(conn->peer_text, sizeof conn->peer_text, "[local]");
        return;
    }
    const void *address = conn->peer.ss_family == AF_INET
                              ? (const void *)&((struct sockaddr_in *)&conn->peer)->sin_addr
                              : (const void *)&((struct sockaddr_in6 *)&conn->peer)->sin6_addr;
    inet_ntop(conn->peer.ss_family, address, host, sizeof host);
    snprintf(conn->peer_text, sizeof conn->peer_text, "%s", host);
}

/* Registers and starts a thread for an accepted socket, or closes it. */
static void start_connection(Server *server, int fd, const struct sockaddr_storage *peer)
{
    Conn *conn = mem_zalloc(sizeof *conn);
    if (conn == NULL) {
        close(fd);
        return;
    }
    conn->server = server;
    conn->fd = fd;
    conn->peer = *peer;
    conn->is_local = peer->ss_family == AF_UNIX;
    conn->slot_index = -1;
    describe_peer(conn);
    int one = 1;
    if (!conn->is_local) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    pthread_mutex_lock(&server->lock);
    for (int index = 0; index < server->slot_count && conn->slot_index < 0; index++) {
        if (server->slots[index] == NULL) {
            server->slots[index] = conn;
            conn->slot_index = index;
            server->thread_count++;
        }
    }
    pthread_mutex_unlock(&server->lock);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 8u * 1024 * 1024);
    if (conn->slot_index < 0) {
        /* Past max_connections plus the slots kept for cancel requests. */
        close(fd);
        mem_free(conn);
    } else if (pthread_create(&thread, &attr, server_conn_thread_main, conn) != 0) {
        pthread_mutex_lock(&server->lock);
        server->slots[conn->slot_index] = NULL;
        server->thread_count--;
        pthread_mutex_unlock(&server->lock);
        close(fd);
        mem_free(conn);
    }
    pthread_attr_destroy(&attr);
}

static void accept_ready(Server *server, int listen_fd)
{
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t length = sizeof peer;
        memset(&peer, 0, sizeof peer);
        int fd = accept4(listen_fd, (struct sockaddr *)&peer, &length, SOCK_CLOEXEC);
        if (fd < 0) {
            return; /* EAGAIN, or a transient error such as EMFILE: retry on next poll */
        }
        start_connection(server, fd, &peer);
    }
}

static void *watchdog_main(void *arg)
{
    Server *server = arg;
    while (!atomic_load(&server->is_shutting_down)) {
        struct pollfd wake = {.fd = server->shutdown_pipe[0], .events = POLLIN};
        poll(&wake, 1, WATCHDOG_TICK_MS);
        int64_t now = server_now_ms();
        pthread_mutex_lock(&server->lock);
        for (int index = 0; index < server->slot_count; index++) {
            Conn *conn = server->slots[index];
            if (conn != NULL && conn->is_executing && conn->statement_deadline_ms > 0 &&
                now >= conn->statement_deadline_ms && !conn->is_timed_out && conn->db != NULL) {
                conn->is_timed_out = true;
                strata_interrupt(conn->db);
            }
        }
        pthread_mutex_unlock(&server->lock);
    }
    return NULL;
}

/* ---- Shutdown and main ------------------------------------------------------- */

static bool wait_for_threads(Server *server, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&server->lock);
    while (server->thread_count > 0) {
        if (pthread_cond_timedwait(&server->changed, &server->lock, &deadline) != 0) {
            break;
        }
    }
    bool done = server->thread_count == 0;
    pthread_mutex_unlock(&server->lock);
    return done;
}

static void shutdown_connections(Server *server)
{
    atomic_store(&server->is_shutting_down, true);
    if (write(server->shutdown_pipe[1], "x", 1) < 0) {
        /* The pipe is fresh and written once: this cannot fill it. */
    }
    pthread_mutex_lock(&server->lock);
    for (int index = 0; index < server->slot_count; index++) {
        Conn *conn = server->slots[index];
        if (conn != NULL && conn->db != NULL && conn->is_executing) {
            strata_interrupt(conn->db);
        }
    }
    pthread_mutex_unlock(&server->lock);
    if (wait_for_threads(server, SHUTDOWN_GRACE_MS)) {
        return;
    }
    /* A thread blocked writing to a client that does not read: cut it off. */
    pthread_mutex_lock(&server->lock);
    for (int index = 0; index < server->slot_count; index++) {
        if (server->slots[index] != NULL) {
            shutdown(server->slots[index]->fd, SHUT_RDWR);
        }
    }
    pthread_mutex_unlock(&server->lock);
    wait_for_threads(server, SHUTDOWN_GRACE_MS);
}

static void accept_loop(Server *server)
{
    for (;;) {
        struct pollfd fds[5];
        int count = 0;
        fds[count++] = (struct pollfd){.fd = server->signal_pipe[0], .events = POLLIN};
        for (int index = 0; index < server->listen_count; index++) {
            fds[count++] = (struct pollfd){.fd = server->listen_fds[index], .events = POLLIN};
        }
        if (poll(fds, (nfds_t)count, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if (fds[0].revents != 0) {
            return;
        }
        for (int index = 1; index < count; index++) {
            if (fds[index].revents != 0) {
                accept_ready(server, fds[index].fd);
            }
        }
    }
}

static void install_signals(Server *server)
{
    signal_write_fd = server->signal_pipe[1];
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int start_listening(Server *server, Error *err)
{
    if (pipe2(server->signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
        pipe2(server->shutdown_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        return error_set(err, SQLSTATE_SYSTEM_ERROR, "could not create pipes: %s",
                         strerror(errno));
    }
    int rc = setup_tls(server, err);
    /* The unix socket first: once the TCP port answers, both are ready
     * (scripts wait for the port). */
    if (rc == STRATA_OK && server->config.listen_unix) {
        rc = listen_unix(server, err);
    }
    if (rc == STRATA_OK && server->config.listen_tcp) {
        rc = listen_tcp(server, err);
    }
    if (rc == STRATA_OK && server->listen_count == 0) {
        rc = error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "nothing to listen on");
    }
    return rc;
}

static void config_defaults(ServerConfig *config)
{
    memset(config, 0, sizeof *config);
    snprintf(config->listen_host, sizeof config->listen_host, "127.0.0.1");
    config->port = 5432;
    config->listen_tcp = true;
    config->listen_unix = true;
    snprintf(config->socket_dir, sizeof config->socket_dir, "/tmp");
    config->max_connections = LIMIT_CONNECTIONS_DEFAULT;
    config->auth_timeout_ms = 60000;
    config->auth_fail_delay_ms = 1000;
    config->busy_timeout_ms = 10000;
}

static int load_auth(ServerConfig *config, const char *hba_file, bool trust_tcp, Error *err)
{
    server_auth_config_init(&config->auth, trust_tcp);
    return hba_file == NULL ? STRATA_OK : server_auth_load_hba_file(&config->auth, hba_file, err);
}

/* --import-roles: the migration from the roles file of earlier versions. */
static int import_roles(const ServerConfig *config, const char *path, Error *err)
{
    strata_db *db = NULL;
    int count = 0;
    int rc = strata_open(config->db_path, &db);
    if (rc != STRATA_OK) {
        rc = error_set(err, SQLSTATE_CONNECTION_FAILURE, "could not open database \"%s\": %s",
                       config->db_path, db != NULL ? strata_errmsg(db) : "out of memory");
    } else {
        rc = server_auth_import_roles(db, path, &count, err);
    }
    strata_close(db);
    if (rc == STRATA_OK) {
        fprintf(stderr, "strata-server: imported %d role%s from \"%s\" into \"%s\"\n", count,
                count == 1 ? "" : "s", path, config->db_path);
    }
    return rc;
}

static void close_listeners(Server *server)
{
    for (int index = 0; index < server->listen_count; index++) {
        close(server->listen_fds[index]);
    }
    server->listen_count = 0;
    if (server->socket_path[0] != '\0') {
        unlink(server->socket_path);
    }
}

static int run(Server *server, Error *err)
{
    int rc = start_listening(server, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    server->slot_count = server->config.max_connections + EXTRA_SLOTS;
    server->slots = mem_zalloc(sizeof(Conn *) * (size_t)server->slot_count);
    if (server->slots == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    /* The server holds its database open for its whole life: sessions come and
     * go without reopening it (recovery, catalog load), and its preallocated WAL
     * stays in use; the last close, at shutdown, checkpoints and removes it. */
    strata_db *keeper = NULL;
    if (strata_open(server->config.db_path, &keeper) != STRATA_OK) {
        rc = error_set(err, SQLSTATE_CONNECTION_FAILURE, "could not open database \"%s\": %s",
                       server->config.db_path,
                       keeper != NULL ? strata_errmsg(keeper) : "out of memory");
        strata_close(keeper);
        close_listeners(server);
        return rc;
    }
    if (pthread_create(&server->watchdog, NULL, watchdog_main, server) != 0) {
        strata_close(keeper);
        return error_set(err, SQLSTATE_SYSTEM_ERROR, "could not start the watchdog thread");
    }
    install_signals(server);
    fprintf(stderr, "strata-server: serving \"%s\" on %s%s:%d%s%s (strata %s)\n",
            server->config.db_path, server->config.listen_tcp ? "" : "(no tcp) ",
            server->config.listen_host, server->config.port,
            server->config.listen_unix ? " and " : "",
            server->config.listen_unix ? server->socket_path : "", strata_libversion());
    accept_loop(server);
    fprintf(stderr, "strata-server: shutting down\n");
    close_listeners(server);
    shutdown_connections(server);
    pthread_join(server->watchdog, NULL);
    strata_close(keeper);
    return STRATA_OK;
}

int server_main(int argc, char **argv)
{
    static Server server; /* one per process: the signal handler finds its pipe */
    memset(&server, 0, sizeof server);
    config_defaults(&server.config);
    Arguments args = {0};
    int status = 0;
    if (parse_args(&server.config, argc, argv, &args, &status) != 0) {
        return status;
    }
    Error err;
    error_clear(&err);
    server.signal_pipe[0] = server.signal_pipe[1] = -1;
    server.shutdown_pipe[0] = server.shutdown_pipe[1] = -1;
    server.next_pid = 1000;
    pthread_mutex_init(&server.lock, NULL);
    pthread_cond_init(&server.changed, NULL);
    int rc = load_auth(&server.config, args.hba_file, args.trust_tcp, &err);
    if (rc == STRATA_OK && args.import_file != NULL) {
        rc = import_roles(&server.config, args.import_file, &err);
    } else if (rc == STRATA_OK) {
        rc = run(&server, &err);
    }
    if (rc != STRATA_OK) {
        fprintf(stderr, "strata-server: %s\n", err.message);
        if (err.detail[0] != '\0') {
            fprintf(stderr, "DETAIL: %s\n", err.detail);
        }
        if (err.hint[0] != '\0') {
            fprintf(stderr, "HINT: %s\n", err.hint);
        }
        close_listeners(&server);
    }
    mem_free(server.slots);
    if (server.ssl_ctx != NULL) {
        SSL_CTX_free(server.ssl_ctx);
    }
    for (int index = 0; index < 2; index++) {
        if (server.signal_pipe[index] >= 0) {
            close(server.signal_pipe[index]);
        }
        if (server.shutdown_pipe[index] >= 0) {
            close(server.shutdown_pipe[index]);
        }
    }
    return rc == STRATA_OK ? 0 : 1;
}
