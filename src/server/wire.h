/*
 * server/wire.h - PostgreSQL frontend/backend protocol 3.0: message encoding
 * and decoding, with no I/O and no engine calls.
 *
 * Everything the network hands us passes through the decoders here first, so
 * one place validates lengths, terminators and counts (and one fuzz target,
 * tests/fuzz/wire_fuzz.c, covers them). Byte layout of a regular message:
 *
 *     byte1  type ('Q', 'P', 'B', ...)
 *     int32  length, big-endian, counting itself but not the type byte (>= 4)
 *     ...    body: int16/int32 big-endian, strings NUL-terminated
 *
 * The startup packet has no type byte: int32 length, int32 code (196608 =
 * protocol 3.0, 80877103 SSLRequest, 80877102 CancelRequest, 80877104
 * GSSENCRequest), then for 3.0 name/value string pairs ending in an empty name.
 *
 * Invariants
 *   1. A decoder never reads past the body it was given; every failure is an
 *      Error with SQLSTATE 08P01 (protocol_violation) and a message naming the
 *      message type, never an assertion.
 *   2. Decoded strings and byte ranges are borrowed: they point into the body
 *      (valid while the caller keeps it); arrays come from the arena passed in.
 *   3. A WireBuf keeps its first allocation failure (sticky): callers check
 *      wire_buf_failed() once after building a message.
 *
 * Threads: no shared state; each connection uses its own buffers.
 * See src/server/README.md.
 */
#ifndef STRATA_SERVER_WIRE_H
#define STRATA_SERVER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/error.h"

/* Startup codes (the int32 after the length of a startup packet). */
#define WIRE_PROTOCOL_3_0 196608u
#define WIRE_SSL_REQUEST_CODE 80877103u
#define WIRE_CANCEL_REQUEST_CODE 80877102u
#define WIRE_GSSENC_REQUEST_CODE 80877104u

/* PostgreSQL's own bound on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
#define WIRE_STARTUP_MAX_BYTES 10000u

/* Parameters and result columns in one Bind are counted in an int16. */
#define WIRE_PARAMS_MAX 65535

/* A growable output buffer holding one or more complete messages. */
typedef struct WireBuf {
    uint8_t *data;          /* owned: mem_free via wire_buf_free */
    size_t length_bytes;
    size_t capacity_bytes;
    size_t message_start;   /* offset of the type byte of the message being built */
    bool is_failed;         /* an allocation failed; contents are unusable */
} WireBuf;

void wire_buf_init(WireBuf *buf);
void wire_buf_free(WireBuf *buf);
/* Empties the buffer, keeping its memory; clears the failure flag. */
void wire_buf_clear(WireBuf *buf);
bool wire_buf_failed(const WireBuf *buf);

/* Starts a message of the given type; wire_msg_end patches its length. The
 * put functions append to the open message (or to the buffer, for the raw
 * single-byte SSL answers). */
void wire_msg_begin(WireBuf *buf, char type);
void wire_msg_end(WireBuf *buf);
void wire_put_byte(WireBuf *buf, uint8_t value);
void wire_put_int16(WireBuf *buf, int16_t value);
void wire_put_int32(WireBuf *buf, int32_t value);
void wire_put_bytes(WireBuf *buf, const void *data, size_t length_bytes);
void wire_put_cstring(WireBuf *buf, const char *text);

/* Appends a big-endian int32 at an earlier offset (used to patch lengths). */
void wire_patch_int32(WireBuf *buf, size_t offset, int32_t value);

/* Big-endian readers over raw bytes (no bounds check: callers checked). */
uint32_t wire_read_uint32(const uint8_t *bytes);
uint16_t wire_read_uint16(const uint8_t *bytes);

/* A cursor over one message body with sticky failure (invariant 1). */
typedef struct WireReader {
    const uint8_t *data;
    size_t length_bytes;
    size_t offset;
    bool is_failed;
} WireReader;

void wire_reader_init(WireReader *reader, const void *data, size_t length_bytes);
uint8_t wire_get_byte(WireReader *reader);
int16_t wire_get_int16(WireReader *reader);
int32_t wire_get_int32(WireReader *reader);
/* A NUL-terminated string inside the body (borrowed); NULL on failure. */
const char *wire_get_cstring(WireReader *reader);
/* length_bytes raw bytes (borrowed); NULL on failure. */
const uint8_t *wire_get_bytes(WireReader *reader, size_t length_bytes);
size_t wire_remaining(const WireReader *reader);

/* ---- Startup packets --------------------------------------------------- */

typedef enum {
    STARTUP_PROTOCOL = 0,   /* a 3.x startup with parameters */
    STARTUP_SSL_REQUEST,
    STARTUP_GSSENC_REQUEST,
    STARTUP_CANCEL,
} StartupKind;

enum { WIRE_STARTUP_PARAMS_MAX = 64 };

typedef struct StartupPacket {
    StartupKind kind;
    uint16_t minor_version;                 /* protocol 3.minor */
    int param_count;
    const char *param_names[WIRE_STARTUP_PARAMS_MAX];   /* borrowed: body */
    const char *param_values[WIRE_STARTUP_PARAMS_MAX];
    uint32_t cancel_pid;                    /* STARTUP_CANCEL only */
    uint32_t cancel_key;
} StartupPacket;

/* Checks a startup packet's length word: 8 <= length <= WIRE_STARTUP_MAX_BYTES.
 * Returns STRATA_OK or an 08P01 error. */
int wire_check_startup_length(uint32_t length_bytes, Error *err);

/* Decodes a startup body (everything after the length word, starting with the
 * code). Unknown major versions give 0A000 (feature_not_supported). */
int wire_decode_startup(const uint8_t *body, size_t length_bytes, StartupPacket *out, Error *err);

/* The value of a startup parameter, or NULL (borrowed). */
const char *wire_startup_param(const StartupPacket *packet, const char *name);

/* ---- Frontend messages -------------------------------------------------- */

/* Checks a regular message header (type byte and length word): the length is
 * at least 4 and the body at most max_body_bytes. Returns STRATA_OK or 08P01. */
int wire_check_header(char type, uint32_t length_bytes, size_t max_body_bytes, Error *err);

typedef struct WireParam {
    const uint8_t *value;   /* borrowed: body; NULL for SQL NULL */
    int32_t length_bytes;   /* -1 for NULL */
} WireParam;

typedef struct FrontendMsg {
    char type;
    /* Query ('Q'), Parse ('P'): the SQL text (borrowed). */
    const char *sql;
    /* Parse: statement name; Bind: statement name. */
    const char *statement_name;
    /* Bind, Execute: portal name; Describe/Close: object name. */
    const char *portal_name;
    /* Parse: declared parameter types (arena). */
    int param_type_count;
    uint32_t *param_types;
    /* Bind: parameter formats (0 text, 1 binary), values, result formats. */
    int param_format_count;
    int16_t *param_formats;
    int param_count;
    WireParam *params;
    int result_format_count;
    int16_t *result_formats;
    /* Describe / Close: 'S' statement or 'P' portal. */
    char target_kind;
    /* Execute: row limit, 0 = all. */
    int32_t max_rows;
    /* CopyData: the payload (borrowed); CopyFail: the message in sql. */
    const uint8_t *data;
    size_t data_length_bytes;
} FrontendMsg;

/* Decodes a frontend message body of the given type. Unknown types and any
 * malformed body give 08P01. Password/SASL ('p') messages are context
 * dependent: their raw body is left in data for the authentication code.
 * arena holds the arrays of Parse and Bind. */
int wire_decode_frontend(char type, const uint8_t *body, size_t length_bytes, Arena *arena,
                         FrontendMsg *out, Error *err);

/* The format code of parameter (or result column) index given a Bind format
 * list: PostgreSQL's rule (0 codes = all text, 1 code = applies to all, else
 * one per item). Returns -1 if the list length fits neither rule. */
int wire_format_for(int format_count, const int16_t *formats, int index, int item_count);

/* Decodes SASLInitialResponse: mechanism name and the client-first message
 * (borrowed; length -1 in the message means none: *data NULL). */
int wire_decode_sasl_initial(const uint8_t *body, size_t length_bytes, const char **mechanism,
                             const uint8_t **data, size_t *data_length_bytes, Error *err);

/* ---- Backend messages ----------------------------------------------------- */

/* ErrorResponse ('E') or NoticeResponse ('N') with fields S, V, C, M and,
 * when not empty/zero, D, H, P. severity is "ERROR", "FATAL", "NOTICE", ... */
void wire_put_error(WireBuf *buf, char type, const char *severity, const char *sqlstate,
                    const char *message, const char *detail, const char *hint, int position);

/* ParameterStatus, AuthenticationX with an int32 code and optional payload,
 * ReadyForQuery, CommandComplete, and messages with no body. */
void wire_put_parameter_status(WireBuf *buf, const char *name, const char *value);
void wire_put_auth(WireBuf *buf, int32_t code, const void *payload, size_t length_bytes);
void wire_put_ready(WireBuf *buf, char status);
void wire_put_command_complete(WireBuf *buf, const char *tag);
void wire_put_empty(WireBuf *buf, char type);

/* typlen of a type OID as RowDescription reports it (-1 if variable). */
int16_t wire_type_length(uint32_t type_oid);

#endif
