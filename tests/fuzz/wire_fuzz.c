/*
 * tests/fuzz/wire_fuzz.c - libFuzzer target for the wire-protocol decoders
 * (src/server/wire.c): the startup packet, every frontend message type, the
 * SASL initial response, and the SCRAM client messages (src/server/scram.c).
 *
 * Input layout: byte 0 picks the decoder, the rest is the body. Every input
 * must decode or fail with an Error; ASan/UBSan report anything else.
 * The Makefile does not build it (its name is not *_test.c); build and run:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
 *       -Iinclude -Isrc -Ibuild/release/gen tests/fuzz/wire_fuzz.c \
 *       src/server/wire.c src/server/scram.c src/util/error.c src/util/arena.c \
 *       src/util/mem.c src/util/assert.c -lcrypto -o build/wire_fuzz
 *   build/wire_fuzz -max_total_time=60
 *
 * (build/release/gen/util/errcodes.h comes from any `make` run.)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "server/scram.h"
#include "server/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_scram(const uint8_t *body, size_t length)
{
    static ScramVerifier verifier;
    static int is_ready;
    Error err;
    if (!is_ready) {
        char text[256];
        const uint8_t salt[4] = {1, 2, 3, 4};
        if (scram_make_verifier("pw", salt, sizeof salt, 2, text, sizeof text, &err) != STRATA_OK ||
            scram_parse_verifier(text, &verifier, &err) != STRATA_OK) {
            return;
        }
        is_ready = 1;
    }
    const uint8_t *split = memchr(body, '\n', length);
    size_t first_length = split == NULL ? length : (size_t)(split - body);
    ScramServer scram;
    char reply[SCRAM_MESSAGE_MAX_BYTES];
    scram_server_init(&scram, &verifier, "srv", &err);
    if (scram_server_first(&scram, body, first_length, reply, sizeof reply, &err) == STRATA_OK &&
        split != NULL) {
        scram_server_final(&scram, split + 1, length - first_length - 1, reply, sizeof reply, &err);
    }
    char verifier_text[512];
    size_t copy = length < sizeof verifier_text - 1 ? length : sizeof verifier_text - 1;
    memcpy(verifier_text, body, copy);
    verifier_text[copy] = '\0';
    ScramVerifier parsed;
    scram_parse_verifier(verifier_text, &parsed, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Arena *arena;
    if (size == 0) {
        return 0;
    }
    if (arena == NULL) {
        arena = arena_create(NULL, 0, "fuzz");
        if (arena == NULL) {
            return 0;
        }
    }
    arena_reset(arena);
    Error err;
    const uint8_t *body = data + 1;
    size_t length = size - 1;
    uint8_t selector = data[0];
    if (selector < 16) {
        StartupPacket packet;
        wire_decode_startup(body, length, &packet, &err);
    } else if (selector < 32) {
        const char *mechanism;
        const uint8_t *payload;
        size_t payload_length;
        wire_decode_sasl_initial(body, length, &mechanism, &payload, &payload_length, &err);
    } else if (selector < 48) {
        fuzz_scram(body, length);
    } else {
        FrontendMsg msg;
        if (wire_check_header((char)selector, (uint32_t)(length + 4), 1u << 20, &err) ==
            STRATA_OK) {
            wire_decode_frontend((char)selector, body, length, arena, &msg, &err);
        }
    }
    return 0;
}
