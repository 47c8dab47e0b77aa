/*
 * server/scram.c - SCRAM-SHA-256 server exchange and verifiers (see scram.h).
 *
 * Message parsing is strict and bounded: each SCRAM message is at most
 * SCRAM_MESSAGE_MAX_BYTES, attributes are "x=value" separated by commas, and
 * everything the client sends is validated before use.
 */
#include "server/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scram_server_init(ScramServer *scram, const ScramVerifier *verifier, const char *server_nonce,
                      Error *err)
{
    memset(scram, 0, sizeof *scram);
    scram->verifier = verifier;
    if (server_nonce != NULL) {
        snprintf(scram->server_nonce, sizeof scram->server_nonce, "%s", server_nonce);
        return STRATA_OK;
    }
    uint8_t random[18];
    if (RAND_bytes(random, sizeof random) != 1) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not generate random nonce");
    }
    scram_base64_encode(random, sizeof random, scram->server_nonce);
    return STRATA_OK;
}

static int bad_message(Error *err, const char *what)
{
    return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, "malformed SCRAM message: %s", what);
}

/* Copies a SCRAM message into a NUL-terminated buffer, refusing embedded NULs. */
static int copy_message(const uint8_t *message, size_t length, char *out, Error *err)
{
    if (message == NULL || length == 0 || length >= SCRAM_MESSAGE_MAX_BYTES ||
        memchr(message, 0, length) != NULL) {
        return bad_message(err, "empty, too long or contains a NUL byte");
    }
    memcpy(out, message, length);
    out[length] = '\0';
    return STRATA_OK;
}

static bool is_printable_nonce(const char *text, size_t length)
{
    if (length == 0) {
        return false;
    }
    for (size_t index = 0; index < length; index++) {
        if (text[index] < 0x21 || text[index] > 0x7e || text[index] == ',') {
            return false;
        }
    }
    return true;
}

/* Splits off the gs2 header "n,," / "y,," / "n,a=authzid," and returns the bare part. */
static const char *parse_gs2_header(ScramServer *scram, const char *text, Error *err)
{
    if (text[0] == 'p') {
        bad_message(err, "channel binding is not supported by this server");
        return NULL;
    }
    if ((text[0] != 'n' && text[0] != 'y') || text[1] != ',') {
        bad_message(err, "unexpected channel-binding flag");
        return NULL;
    }
    const char *after_authzid = strchr(text + 2, ',');
    if (after_authzid == NULL || (after_authzid != text + 2 && strncmp(text + 2, "a=", 2) != 0)) {
        bad_message(err, "bad authorization identity");
        return NULL;
    }
    size_t header_length = (size_t)(after_authzid - text) + 1;
    memcpy(scram->gs2_header, text, header_length);
    scram->gs2_header[header_length] = '\0';
    return after_authzid + 1;
}

int scram_server_first(ScramServer *scram, const uint8_t *message, size_t length_bytes, char *out,
                       size_t out_size_bytes, Error *err)
{
    char text[SCRAM_MESSAGE_MAX_BYTES];
    int rc = copy_message(message, length_bytes, text, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (scram->state != 0) {
        return bad_message(err, "unexpected client-first message");
    }
    const char *bare = parse_gs2_header(scram, text, err);
    if (bare == NULL) {
        return err != NULL ? err->code : STRATA_ERROR;
    }
    if (strncmp(bare, "n=", 2) != 0) {
        return bad_message(err, "expected user name attribute");
    }
    const char *nonce_attr = strchr(bare, ',');
    if (nonce_attr == NULL || strncmp(nonce_attr + 1, "r=", 2) != 0) {
        return bad_message(err, "expected nonce attribute");
    }
    const char *client_nonce = nonce_attr + 3;
    const char *nonce_end = strchr(client_nonce, ',');
    size_t nonce_length = nonce_end == NULL ? strlen(client_nonce)
                                            : (size_t)(nonce_end - client_nonce);
    if (!is_printable_nonce(client_nonce, nonce_length) ||
        (nonce_end != NULL && strncmp(nonce_end + 1, "m=", 2) == 0)) {
        return bad_message(err, "bad client nonce or mandatory extension");
    }
    snprintf(scram->client_first_bare, sizeof scram->client_first_bare, "%s", bare);
    snprintf(scram->nonce, sizeof scram->nonce, "%.*s%s", (int)nonce_length, client_nonce,
             scram->server_nonce);
    char salt_text[SCRAM_SALT_MAX_BYTES * 2];
    scram_base64_encode(scram->verifier->salt, scram->verifier->salt_length_bytes, salt_text);
    int written = snprintf(scram->server_first, sizeof scram->server_first, "r=%s,s=%s,i=%d",
                           scram->nonce, salt_text, scram->verifier->iterations);
    if (written < 0 || (size_t)written >= sizeof scram->server_first ||
        (size_t)written >= out_size_bytes) {
        return bad_message(err, "client nonce too long");
    }
    memcpy(out, scram->server_first, (size_t)written + 1);
    scram->state = 1;
    return STRATA_OK;
}

/* Checks "c=<base64 gs2 header>,r=<nonce>" at the start of the client-final. */
static int check_binding_and_nonce(ScramServer *scram, const char *text, const char *proof_attr,
                                   Error *err)
{
    const char *comma = strchr(text, ',');
    if (strncmp(text, "c=", 2) != 0 || comma == NULL || comma > proof_attr) {
        return bad_message(err, "expected channel binding attribute");
    }
    uint8_t binding[SCRAM_MESSAGE_MAX_BYTES];
    int binding_length = scram_base64_decode(text + 2, (size_t)(comma - text - 2), binding,
                                             sizeof binding);
    if (binding_length < 0 || (size_t)binding_length != strlen(scram->gs2_header) ||
        memcmp(binding, scram->gs2_header, (size_t)binding_length) != 0) {
        return bad_message(err, "channel binding does not match");
    }
    const char *nonce = comma + 1;
    size_t nonce_length = strlen(scram->nonce);
    if (strncmp(nonce, "r=", 2) != 0 || strncmp(nonce + 2, scram->nonce, nonce_length) != 0 ||
        (nonce[2 + nonce_length] != ',')) {
        return bad_message(err, "nonce does not match");
    }
    return STRATA_OK;
}

static int password_failed(Error *err)
{
    return error_set(err, SQLSTATE_INVALID_PASSWORD, "password authentication failed");
}

int scram_server_final(ScramServer *scram, const uint8_t *message, size_t length_bytes, char *out,
                       size_t out_size_bytes, Error *err)
{
    char text[SCRAM_MESSAGE_MAX_BYTES];
    int rc = copy_message(message, length_bytes, text, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (scram->state != 1) {
        return bad_message(err, "unexpected client-final message");
    }
    scram->state = 2;
    const char *proof_attr = strstr(text, ",p=");
    if (proof_attr == NULL || strchr(proof_attr + 3, ',') != NULL) {
        return bad_message(err, "expected proof as the last attribute");
    }
    rc = check_binding_and_nonce(scram, text, proof_attr, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t proof[SCRAM_KEY_BYTES];
    if (scram_base64_decode(proof_attr + 3, strlen(proof_attr + 3), proof, sizeof proof) !=
        SCRAM_KEY_BYTES) {
        return bad_message(err, "bad proof");
    }
    char auth_message[SCRAM_MESSAGE_MAX_BYTES * 3 + 4];
    int auth_length = snprintf(auth_message, sizeof auth_message, "%s,%s,%.*s",
                               scram->client_first_bare, scram->server_first,
                               (int)(proof_attr - text), text);
    uint8_t signature[SCRAM_KEY_BYTES], client_key[SCRAM_KEY_BYTES], check[SCRAM_KEY_BYTES];
    const ScramVerifier *verifier = scram->verifier;
    if (!scram_hmac_sha256(verifier->stored_key, SCRAM_KEY_BYTES, auth_message, (size_t)auth_length,
                           signature)) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not compute SCRAM signature");
    }
    for (int index = 0; index < SCRAM_KEY_BYTES; index++) {
        client_key[index] = proof[index] ^ signature[index];
    }
    if (!scram_sha256(client_key, sizeof client_key, check) ||
        CRYPTO_memcmp(check, verifier->stored_key, SCRAM_KEY_BYTES) != 0) {
        return password_failed(err);
    }
    uint8_t server_signature[SCRAM_KEY_BYTES];
    if (!scram_hmac_sha256(verifier->server_key, SCRAM_KEY_BYTES, auth_message, (size_t)auth_length,
                           server_signature) ||
        out_size_bytes < 64) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not compute SCRAM signature");
    }
    memcpy(out, "v=", 2);
    size_t length = scram_base64_encode(server_signature, sizeof server_signature, out + 2);
    out[2 + length] = '\0';
    return STRATA_OK;
}
