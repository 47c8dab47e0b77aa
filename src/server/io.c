/*
 * server/io.c - a connection's byte stream: buffered reads with deadlines and
 * shutdown wake-ups, whole-buffer writes, plain TCP/unix or TLS.
 *
 * Every blocking read polls the client socket and the server's shutdown pipe
 * together, so SIGTERM reaches idle connections at once; reads during
 * start-up carry the authentication deadline.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/server_int.h"
#include "util/limits.h"
#include "util/mem.h"

enum { FLUSH_THRESHOLD_BYTES = 64 * 1024, MESSAGE_KEEP_BYTES = 1024 * 1024 };

int64_t server_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the socket is readable; false with io_status on timeout/shutdown. */
static bool wait_readable(Conn *conn)
{
    if (conn->ssl != NULL && SSL_pending(conn->ssl) > 0) {
        return true;
    }
    for (;;) {
        struct pollfd fds[2] = {
            {.fd = conn->fd, .events = POLLIN},
            {.fd = conn->server->shutdown_pipe[0], .events = POLLIN},
        };
        int timeout = -1;
        if (conn->read_deadline_ms > 0) {
            int64_t left = conn->read_deadline_ms - server_now_ms();
            if (left <= 0) {
                conn->io_status = IO_TIMEOUT;
                return false;
            }
            timeout = (int)left;
        }
        int ready = poll(fds, 2, timeout);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0) {
            conn->io_status = IO_ERROR;
            return false;
        }
        if (fds[1].revents != 0) {
            conn->io_status = IO_SHUTDOWN;
            return false;
        }
        if (fds[0].revents != 0) {
            return true;
        }
    }
}

/* Reads what is available (at least one byte) into the input buffer. */
static bool fill(Conn *conn)
{
    if (conn->in_start == conn->in_end) {
        conn->in_start = conn->in_end = 0;
    }
    for (;;) {
        if (!wait_readable(conn)) {
            return false;
        }
        size_t room = sizeof conn->in - conn->in_end;
        ssize_t got;
        if (conn->ssl != NULL) {
            got = SSL_read(conn->ssl, conn->in + conn->in_end, (int)room);
            if (got <= 0) {
                int reason = SSL_get_error(conn->ssl, (int)got);
                if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
                    continue;
                }
                conn->io_status = reason == SSL_ERROR_ZERO_RETURN ? IO_EOF : IO_ERROR;
                return false;
            }
        } else {
            got = recv(conn->fd, conn->in + conn->in_end, room, 0);
            if (got < 0 && (errno == EINTR || errno == EAGAIN)) {
                continue;
            }
            if (got <= 0) {
                conn->io_status = got == 0 ? IO_EOF : IO_ERROR;
                return false;
            }
        }
        conn->in_end += (size_t)got;
        return true;
    }
}

bool server_conn_read_exact(Conn *conn, void *data, size_t length_bytes)
{
    uint8_t *to = data;
    while (length_bytes > 0) {
        if (conn->in_start == conn->in_end) {
            /* About to block: the client may be waiting for our answers. */
            if (!server_conn_flush(conn) || !fill(conn)) {
                return false;
            }
        }
        size_t take = conn->in_end - conn->in_start;
        if (take > length_bytes) {
            take = length_bytes;
        }
        memcpy(to, conn->in + conn->in_start, take);
        conn->in_start += take;
        to += take;
        length_bytes -= take;
    }
    return true;
}

bool server_conn_has_buffered_input(Conn *conn)
{
    return conn->in_start < conn->in_end || (conn->ssl != NULL && SSL_pending(conn->ssl) > 0);
}

static bool send_all(Conn *conn, const uint8_t *data, size_t length)
{
    while (length > 0) {
        ssize_t sent;
        if (conn->ssl != NULL) {
            sent = SSL_write(conn->ssl, data, (int)length);
            if (sent <= 0) {
                int reason = SSL_get_error(conn->ssl, (int)sent);
                if (reason == SSL_ERROR_WANT_WRITE || reason == SSL_ERROR_WANT_READ) {
                    continue;
                }
                return false;
            }
        } else {
            sent = send(conn->fd, data, length, MSG_NOSIGNAL);
            if (sent < 0 && errno == EINTR) {
                continue;
            }
            if (sent <= 0) {
                return false;
            }
        }
        data += sent;
        length -= (size_t)sent;
    }
    return true;
}

bool server_conn_flush(Conn *conn)
{
    if (wire_buf_failed(&conn->out)) {
        /* A response could not be built: the stream is no longer well formed. */
        wire_buf_clear(&conn->out);
        conn->io_status = IO_ERROR;
        return false;
    }
    if (conn->out.length_bytes == 0) {
        return conn->io_status == IO_OK || conn->io_status == IO_SHUTDOWN;
    }
    bool ok = send_all(conn, conn->out.data, conn->out.length_bytes);
    wire_buf_clear(&conn->out);
    if (!ok) {
        conn->io_status = IO_ERROR;
    }
    return ok;
}

bool server_conn_maybe_flush(Conn *conn)
{
    if (conn->out.length_bytes < FLUSH_THRESHOLD_BYTES) {
        return true;
    }
    return server_conn_flush(conn);
}

/* Reads the body, growing the buffer as bytes arrive rather than trusting the
 * length word up front: a hostile length costs the sender the bytes. */
static bool read_body(Conn *conn, size_t length)
{
    size_t have = 0;
    while (have < length) {
        if (have == conn->message_capacity_bytes) {
            size_t capacity = conn->message_capacity_bytes < 4096 ? 4096
                                                                 : conn->message_capacity_bytes * 2;
            if (capacity > length) {
                capacity = length;
            }
            uint8_t *grown = mem_realloc(conn->message, capacity + 1);
            if (grown == NULL) {
                conn->io_status = IO_ERROR;
                return false;
            }
            conn->message = grown;
            conn->message_capacity_bytes = capacity;
        }
        size_t take = conn->message_capacity_bytes - have;
        if (take > length - have) {
            take = length - have;
        }
        if (!server_conn_read_exact(conn, conn->message + have, take)) {
            return false;
        }
        have += take;
    }
    return true;
}

int server_conn_read_message(Conn *conn, Error *err)
{
    if (conn->message_capacity_bytes > MESSAGE_KEEP_BYTES) {
        mem_free(conn->message);
        conn->message = NULL;
        conn->message_capacity_bytes = 0;
    }
    uint8_t header[5];
    if (!server_conn_read_exact(conn, header, sizeof header)) {
        return STRATA_DONE;
    }
    uint32_t length = wire_read_uint32(header + 1);
    int rc = wire_check_header((char)header[0], length, LIMIT_MESSAGE_BYTES, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!read_body(conn, length - 4)) {
        return STRATA_DONE;
    }
    conn->message_type = (char)header[0];
    conn->message_length_bytes = length - 4;
    return STRATA_OK;
}
