/*
 * server/wire.c - protocol 3.0 message encoding and decoding (see wire.h).
 *
 * Decoders validate every length and terminator against the body they are
 * given and report 08P01; encoders build whole messages in a WireBuf and patch
 * the length word at the end (the way pqformat.c builds a message before
 * sending it), so a message is never sent half-built.
 */
#include "server/wire.h"

#include <stdio.h>
#include <string.h>

#include "util/mem.h"

/* ---- WireBuf --------------------------------------------------------------- */

void wire_buf_init(WireBuf *buf) { memset(buf, 0, sizeof *buf); }

void wire_buf_free(WireBuf *buf)
{
    mem_free(buf->data);
    memset(buf, 0, sizeof *buf);
}

void wire_buf_clear(WireBuf *buf)
{
    buf->length_bytes = 0;
    buf->message_start = 0;
    buf->is_failed = false;
}

bool wire_buf_failed(const WireBuf *buf) { return buf->is_failed; }

static bool reserve(WireBuf *buf, size_t extra_bytes)
{
    if (buf->is_failed) {
        return false;
    }
    size_t needed = buf->length_bytes + extra_bytes;
    if (needed <= buf->capacity_bytes) {
        return true;
    }
    size_t capacity = buf->capacity_bytes < 256 ? 256 : buf->capacity_bytes;
    while (capacity < needed) {
        capacity *= 2;
    }
    uint8_t *data = mem_realloc(buf->data, capacity);
    if (data == NULL) {
        buf->is_failed = true;
        return false;
    }
    buf->data = data;
    buf->capacity_bytes = capacity;
    return true;
}

void wire_put_bytes(WireBuf *buf, const void *data, size_t length_bytes)
{
    if (length_bytes == 0 || !reserve(buf, length_bytes)) {
        return;
    }
    memcpy(buf->data + buf->length_bytes, data, length_bytes);
    buf->length_bytes += length_bytes;
}

void wire_put_byte(WireBuf *buf, uint8_t value) { wire_put_bytes(buf, &value, 1); }

void wire_put_int16(WireBuf *buf, int16_t value)
{
    uint16_t v = (uint16_t)value;
    uint8_t bytes[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    wire_put_bytes(buf, bytes, 2);
}

void wire_put_int32(WireBuf *buf, int32_t value)
{
    uint32_t v = (uint32_t)value;
    uint8_t bytes[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    wire_put_bytes(buf, bytes, 4);
}

void wire_put_cstring(WireBuf *buf, const char *text)
{
    wire_put_bytes(buf, text, strlen(text) + 1);
}

void wire_patch_int32(WireBuf *buf, size_t offset, int32_t value)
{
    if (buf->is_failed || offset + 4 > buf->length_bytes) {
        return;
    }
    uint32_t v = (uint32_t)value;
    buf->data[offset] = (uint8_t)(v >> 24);
    buf->data[offset + 1] = (uint8_t)(v >> 16);
    buf->data[offset + 2] = (uint8_t)(v >> 8);
    buf->data[offset + 3] = (uint8_t)v;
}

void wire_msg_begin(WireBuf *buf, char type)
{
    buf->message_start = buf->length_bytes;
    wire_put_byte(buf, (uint8_t)type);
    wire_put_int32(buf, 0);
}

void wire_msg_end(WireBuf *buf)
{
    if (buf->is_failed) {
        return;
    }
    size_t length = buf->length_bytes - buf->message_start - 1;
    wire_patch_int32(buf, buf->message_start + 1, (int32_t)length);
}

uint32_t wire_read_uint32(const uint8_t *bytes)
{
    return ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) | ((uint32_t)bytes[2] << 8) |
           (uint32_t)bytes[3];
}

uint16_t wire_read_uint16(const uint8_t *bytes)
{
    return (uint16_t)(((uint16_t)bytes[0] << 8) | bytes[1]);
}

/* ---- WireReader ------------------------------------------------------------ */

void wire_reader_init(WireReader *reader, const void *data, size_t length_bytes)
{
    reader->data = data;
    reader->length_bytes = length_bytes;
    reader->offset = 0;
    reader->is_failed = false;
}

size_t wire_remaining(const WireReader *reader)
{
    return reader->is_failed ? 0 : reader->length_bytes - reader->offset;
}

const uint8_t *wire_get_bytes(WireReader *reader, size_t length_bytes)
{
    if (reader->is_failed || length_bytes > reader->length_bytes - reader->offset) {
        reader->is_failed = true;
        return NULL;
    }
    const uint8_t *at = reader->data + reader->offset;
    reader->offset += length_bytes;
    return at;
}

uint8_t wire_get_byte(WireReader *reader)
{
    const uint8_t *at = wire_get_bytes(reader, 1);
    return at == NULL ? 0 : at[0];
}

int16_t wire_get_int16(WireReader *reader)
{
    const uint8_t *at = wire_get_bytes(reader, 2);
    return at == NULL ? 0 : (int16_t)wire_read_uint16(at);
}

int32_t wire_get_int32(WireReader *reader)
{
    const uint8_t *at = wire_get_bytes(reader, 4);
    return at == NULL ? 0 : (int32_t)wire_read_uint32(at);
}

const char *wire_get_cstring(WireReader *reader)
{
    if (reader->is_failed) {
        return NULL;
    }
    if (reader->offset >= reader->length_bytes) {
        /* nothing left (an empty body has no buffer at all): no terminator */
        reader->is_failed = true;
        return NULL;
    }
    const uint8_t *start = reader->data + reader->offset;
    const uint8_t *nul = memchr(start, 0, reader->length_bytes - reader->offset);
    if (nul == NULL) {
        reader->is_failed = true;
        return NULL;
    }
    reader->offset += (size_t)(nul - start) + 1;
    return (const char *)start;
}

/* ---- Startup --------------------------------------------------------------- */

int wire_check_startup_length(uint32_t length_bytes, Error *err)
{
    if (length_bytes < 8 || length_bytes > WIRE_STARTUP_MAX_BYTES) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid length of startup packet");
    }
    return STRATA_OK;
}

static int decode_startup_params(WireReader *reader, StartupPacket *out, Error *err)
{
    for (;;) {
        const char *name = wire_get_cstring(reader);
        if (name == NULL) {
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                             "invalid startup packet layout: expected terminator as last byte");
        }
        if (name[0] == '\0') {
            break;
        }
        const char *value = wire_get_cstring(reader);
        if (value == NULL) {
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                             "invalid startup packet layout: expected terminator as last byte");
        }
        if (out->param_count >= WIRE_STARTUP_PARAMS_MAX) {
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                             "too many parameters in startup packet");
        }
        out->param_names[out->param_count] = name;
        out->param_values[out->param_count] = value;
        out->param_count++;
    }
    if (wire_remaining(reader) != 0) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                         "invalid startup packet layout: expected terminator as last byte");
    }
    return STRATA_OK;
}

int wire_decode_startup(const uint8_t *body, size_t length_bytes, StartupPacket *out, Error *err)
{
    memset(out, 0, sizeof *out);
    WireReader reader;
    wire_reader_init(&reader, body, length_bytes);
    uint32_t code = (uint32_t)wire_get_int32(&reader);
    if (reader.is_failed) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid length of startup packet");
    }
    if (code == WIRE_SSL_REQUEST_CODE || code == WIRE_GSSENC_REQUEST_CODE) {
        if (wire_remaining(&reader) != 0) {
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid length of startup packet");
        }
        out->kind = code == WIRE_SSL_REQUEST_CODE ? STARTUP_SSL_REQUEST : STARTUP_GSSENC_REQUEST;
        return STRATA_OK;
    }
    if (code == WIRE_CANCEL_REQUEST_CODE) {
        out->kind = STARTUP_CANCEL;
        out->cancel_pid = (uint32_t)wire_get_int32(&reader);
        out->cancel_key = (uint32_t)wire_get_int32(&reader);
        if (reader.is_failed || wire_remaining(&reader) != 0) {
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid length of cancel request");
        }
        return STRATA_OK;
    }
    if ((code >> 16) != 3) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
                         code >> 16, code & 0xffff);
    }
    out->kind = STARTUP_PROTOCOL;
    out->minor_version = (uint16_t)(code & 0xffff);
    return decode_startup_params(&reader, out, err);
}

const char *wire_startup_param(const StartupPacket *packet, const char *name)
{
    for (int index = 0; index < packet->param_count; index++) {
        if (strcmp(packet->param_names[index], name) == 0) {
            return packet->param_values[index];
        }
    }
    return NULL;
}

/* ---- Frontend messages ----------------------------------------------------- */

int wire_check_header(char type, uint32_t length_bytes, size_t max_body_bytes, Error *err)
{
    if (length_bytes < 4) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                         "invalid message length %u for message type \"%c\"", length_bytes,
                         type >= 32 && type < 127 ? type : '?');
    }
    if ((size_t)length_bytes - 4 > max_body_bytes) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                         "message of type \"%c\" is too long: %u bytes (at most %zu allowed)",
                         type >= 32 && type < 127 ? type : '?', length_bytes, max_body_bytes);
    }
    return STRATA_OK;
}

static int malformed(Error *err, char type)
{
    return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid message format for message \"%c\"",
                     type);
}

static int decode_parse(WireReader *reader, Arena *arena, FrontendMsg *out, Error *err)
{
    out->statement_name = wire_get_cstring(reader);
    out->sql = wire_get_cstring(reader);
    int16_t count = wire_get_int16(reader);
    if (reader->is_failed || count < 0 || wire_remaining(reader) != (size_t)count * 4) {
        return malformed(err, 'P');
    }
    out->param_type_count = count;
    out->param_types = arena_alloc(arena, (size_t)count * sizeof(uint32_t) + 1);
    if (out->param_types == NULL) {
        return arena_error(arena, err);
    }
    for (int index = 0; index < count; index++) {
        out->param_types[index] = (uint32_t)wire_get_int32(reader);
    }
    return STRATA_OK;
}

static int16_t *get_format_list(WireReader *reader, Arena *arena, int *count_out)
{
    int16_t count = wire_get_int16(reader);
    if (reader->is_failed || count < 0 || wire_remaining(reader) < (size_t)count * 2) {
        reader->is_failed = true;
        return NULL;
    }
    int16_t *formats = arena_alloc(arena, (size_t)count * sizeof(int16_t) + 1);
    if (formats == NULL) {
        reader->is_failed = true;
        return NULL;
    }
    for (int index = 0; index < count; index++) {
        formats[index] = wire_get_int16(reader);
        if (formats[index] != 0 && formats[index] != 1) {
            reader->is_failed = true;
            return NULL;
        }
    }
    *count_out = count;
    return formats;
}

static int decode_bind(WireReader *reader, Arena *arena, FrontendMsg *out, Error *err)
{
    out->portal_name = wire_get_cstring(reader);
    out->statement_name = wire_get_cstring(reader);
    out->param_formats = get_format_list(reader, arena, &out->param_format_count);
    int16_t count = wire_get_int16(reader);
    /* Each parameter needs at least its 4-byte length: bound the allocation by
     * the bytes actually present. */
    if (reader->is_failed || count < 0 || wire_remaining(reader) < (size_t)count * 4) {
        return malformed(err, 'B');
    }
    out->param_count = count;
    out->params = arena_alloc(arena, (size_t)count * sizeof(WireParam) + 1);
    if (out->params == NULL) {
        return arena_error(arena, err);
    }
    for (int index = 0; index < count; index++) {
        int32_t length = wire_get_int32(reader);
        if (length < -1) {
            return malformed(err, 'B');
        }
        out->params[index].length_bytes = length;
        out->params[index].value = length < 0 ? NULL : wire_get_bytes(reader, (size_t)length);
    }
    out->result_formats = get_format_list(reader, arena, &out->result_format_count);
    if (reader->is_failed || wire_remaining(reader) != 0) {
        return malformed(err, 'B');
    }
    if (wire_format_for(out->param_format_count, out->param_formats, 0, count) < 0) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                         "bind message has %d parameter formats but %d parameters",
                         out->param_format_count, count);
    }
    return STRATA_OK;
}

static int decode_simple(char type, WireReader *reader, FrontendMsg *out, Error *err)
{
    switch (type) {
    case 'Q':
        out->sql = wire_get_cstring(reader);
        break;
    case 'D':
    case 'C':
        out->target_kind = (char)wire_get_byte(reader);
        out->portal_name = wire_get_cstring(reader);
        if (!reader->is_failed && out->target_kind != 'S' && out->target_kind != 'P') {
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION,
                             "invalid %s message subtype %d",
                             type == 'D' ? "DESCRIBE" : "CLOSE", out->target_kind);
        }
        break;
    case 'E':
        out->portal_name = wire_get_cstring(reader);
        out->max_rows = wire_get_int32(reader);
        break;
    case 'f':
        out->sql = wire_get_cstring(reader);
        break;
    case 'S':
    case 'H':
    case 'X':
    case 'c':
        break;
    default:
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "invalid frontend message type %d",
                         (int)(uint8_t)type);
    }
    if (reader->is_failed || wire_remaining(reader) != 0) {
        return malformed(err, type);
    }
    return STRATA_OK;
}

int wire_decode_frontend(char type, const uint8_t *body, size_t length_bytes, Arena *arena,
                         FrontendMsg *out, Error *err)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    WireReader reader;
    wire_reader_init(&reader, body, length_bytes);
    switch (type) {
    case 'P':
        return decode_parse(&reader, arena, out, err);
    case 'B':
        return decode_bind(&reader, arena, out, err);
    case 'd':
    case 'p':
        out->data = body;
        out->data_length_bytes = length_bytes;
        return STRATA_OK;
    default:
        return decode_simple(type, &reader, out, err);
    }
}

int wire_format_for(int format_count, const int16_t *formats, int index, int item_count)
{
    if (format_count == 0) {
        return 0;
    }
    if (format_count == 1) {
        return formats[0];
    }
    if (format_count != item_count) {
        return -1;
    }
    return index < format_count ? formats[index] : 0;
}

int wire_decode_sasl_initial(const uint8_t *body, size_t length_bytes, const char **mechanism,
                             const uint8_t **data, size_t *data_length_bytes, Error *err)
{
    WireReader reader;
    wire_reader_init(&reader, body, length_bytes);
    *mechanism = wire_get_cstring(&reader);
    int32_t length = wire_get_int32(&reader);
    *data = NULL;
    *data_length_bytes = 0;
    if (!reader.is_failed && length >= 0) {
        *data = wire_get_bytes(&reader, (size_t)length);
        *data_length_bytes = (size_t)length;
    }
    if (reader.is_failed || length < -1 || wire_remaining(&reader) != 0) {
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "malformed SASLInitialResponse message");
    }
    return STRATA_OK;
}

/* ---- Backend messages ------------------------------------------------------ */

void wire_put_error(WireBuf *buf, char type, const char *severity, const char *sqlstate,
                    const char *message, const char *detail, const char *hint, int position)
{
    wire_msg_begin(buf, type);
    wire_put_byte(buf, 'S');
    wire_put_cstring(buf, severity);
    wire_put_byte(buf, 'V');
    wire_put_cstring(buf, severity);
    wire_put_byte(buf, 'C');
    wire_put_cstring(buf, sqlstate);
    wire_put_byte(buf, 'M');
    wire_put_cstring(buf, message);
    if (detail != NULL && detail[0] != '\0') {
        wire_put_byte(buf, 'D');
        wire_put_cstring(buf, detail);
    }
    if (hint != NULL && hint[0] != '\0') {
        wire_put_byte(buf, 'H');
        wire_put_cstring(buf, hint);
    }
    if (position > 0) {
        char text[16];
        snprintf(text, sizeof text, "%d", position);
        wire_put_byte(buf, 'P');
        wire_put_cstring(buf, text);
    }
    wire_put_byte(buf, 0);
    wire_msg_end(buf);
}

void wire_put_parameter_status(WireBuf *buf, const char *name, const char *value)
{
    wire_msg_begin(buf, 'S');
    wire_put_cstring(buf, name);
    wire_put_cstring(buf, value);
    wire_msg_end(buf);
}

void wire_put_auth(WireBuf *buf, int32_t code, const void *payload, size_t length_bytes)
{
    wire_msg_begin(buf, 'R');
    wire_put_int32(buf, code);
    wire_put_bytes(buf, payload, length_bytes);
    wire_msg_end(buf);
}

void wire_put_ready(WireBuf *buf, char status)
{
    wire_msg_begin(buf, 'Z');
    wire_put_byte(buf, (uint8_t)status);
    wire_msg_end(buf);
}

void wire_put_command_complete(WireBuf *buf, const char *tag)
{
    wire_msg_begin(buf, 'C');
    wire_put_cstring(buf, tag);
    wire_msg_end(buf);
}

void wire_put_empty(WireBuf *buf, char type)
{
    wire_msg_begin(buf, type);
    wire_msg_end(buf);
}

int16_t wire_type_length(uint32_t type_oid)
{
    switch (type_oid) {
    case 16: /* bool */
    case 18: /* char */
        return 1;
    case 21: /* int2 */
        return 2;
    case 23: /* int4 */
    case 26: /* oid */
    case 700: /* float4 */
    case 1082: /* date */
        return 4;
    case 20: /* int8 */
    case 701: /* float8 */
    case 1083: /* time */
    case 1114: /* timestamp */
    case 1184: /* timestamptz */
        return 8;
    case 2950: /* uuid */
    case 1186: /* interval */
        return 16;
    default:
        return -1;
    }
}
