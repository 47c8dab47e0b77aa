/*
 * server/scram.h - SCRAM-SHA-256 (RFC 5802, RFC 7677) for the server side of
 * PostgreSQL's SASL authentication, over OpenSSL's HMAC, SHA-256 and PBKDF2.
 *
 * A role's secret is a verifier (util/scram_verifier.h) in PostgreSQL's text form:
 *
 *     SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *
 * StoredKey = SHA-256(ClientKey), ClientKey = HMAC(SaltedPassword, "Client Key"),
 * ServerKey = HMAC(SaltedPassword, "Server Key"), SaltedPassword =
 * PBKDF2-HMAC-SHA-256(password, salt, iterations). The server never sees or
 * stores the password.
 *
 * Exchange (one ScramServer per login attempt):
 *
 *     client-first  "n,,n=<user>,r=<cnonce>"            -> scram_server_first
 *     server-first  "r=<cnonce><snonce>,s=<salt>,i=<n>"  <-
 *     client-final  "c=biws,r=<nonce>,p=<proof>"        -> scram_server_final
 *     server-final  "v=<ServerSignature>"                <- (only on success)
 *
 * Invariants
 *   1. scram_server_final succeeds only if SHA-256(proof XOR ClientSignature)
 *      equals StoredKey (compared in constant time) and the nonce and channel
 *      binding echo what was sent; otherwise it returns 28P01.
 *   2. Malformed SCRAM messages give 08P01; they are client input, never asserted.
 *   3. Channel binding is not offered (no SCRAM-SHA-256-PLUS): a client-first
 *      with "p=" is refused.
 *
 * Threads: a ScramServer belongs to one connection thread; the functions here
 * share no state.
 */
#ifndef STRATA_SERVER_SCRAM_H
#define STRATA_SERVER_SCRAM_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/scram_verifier.h"

typedef struct ScramServer {
    const ScramVerifier *verifier;                /* borrowed for the exchange */
    int state;                                    /* 0 new, 1 sent server-first, 2 done */
    char gs2_header[SCRAM_MESSAGE_MAX_BYTES];
    char client_first_bare[SCRAM_MESSAGE_MAX_BYTES];
    char server_first[SCRAM_MESSAGE_MAX_BYTES];
    char nonce[SCRAM_MESSAGE_MAX_BYTES];          /* client nonce + server nonce */
    char server_nonce[64];
} ScramServer;

/* Starts an exchange against verifier (borrowed until the exchange ends).
 * server_nonce NULL draws 18 random bytes (base64); tests pass RFC 7677's. */
int scram_server_init(ScramServer *scram, const ScramVerifier *verifier, const char *server_nonce,
                      Error *err);

/* Consumes client-first, writes server-first (NUL-terminated) into out. */
int scram_server_first(ScramServer *scram, const uint8_t *message, size_t length_bytes, char *out,
                       size_t out_size_bytes, Error *err);

/* Consumes client-final; on a valid proof writes server-final into out and
 * returns STRATA_OK, else 28P01 (wrong password) or 08P01 (malformed). */
int scram_server_final(ScramServer *scram, const uint8_t *message, size_t length_bytes, char *out,
                       size_t out_size_bytes, Error *err);

#endif
