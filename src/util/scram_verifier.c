/*
 * util/scram_verifier.c - SCRAM-SHA-256 verifiers and base64 (see
 * scram_verifier.h), over OpenSSL's PBKDF2, HMAC and SHA-256.
 */
#include "util/scram_verifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const VERIFIER_PREFIX = "SCRAM-SHA-256$";

size_t scram_base64_encode(const uint8_t *data, size_t length_bytes, char *out)
{
    return (size_t)EVP_EncodeBlock((unsigned char *)out, data, (int)length_bytes);
}

int scram_base64_decode(const char *text, size_t length, uint8_t *out, size_t out_size_bytes)
{
    if (length % 4 != 0 || length / 4 * 3 > out_size_bytes + 2) {
        return -1;
    }
    for (size_t index = 0; index < length; index++) {
        char c = text[index];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/' || (c == '=' && index >= length - 2);
        if (!ok) {
            return -1;
        }
    }
    size_t padding = 0;
    if (length >= 1 && text[length - 1] == '=') {
        padding++;
        if (length >= 2 && text[length - 2] == '=') {
            padding++;
        }
    } else if (length >= 2 && text[length - 2] == '=') {
        return -1;
    }
    uint8_t scratch[SCRAM_MESSAGE_MAX_BYTES];
    if (length / 4 * 3 > sizeof scratch) {
        return -1;
    }
    int decoded = EVP_DecodeBlock(scratch, (const unsigned char *)text, (int)length);
    if (decoded < 0 || (size_t)decoded < padding || (size_t)decoded - padding > out_size_bytes) {
        return -1;
    }
    memcpy(out, scratch, (size_t)decoded - padding);
    return decoded - (int)padding;
}

bool scram_hmac_sha256(const uint8_t *key, size_t key_length, const void *data, size_t length,
                       uint8_t out[SCRAM_KEY_BYTES])
{
    unsigned int out_length = 0;
    return HMAC(EVP_sha256(), key, (int)key_length, data, length, out, &out_length) != NULL &&
           out_length == SCRAM_KEY_BYTES;
}

bool scram_sha256(const uint8_t *data, size_t length, uint8_t out[SCRAM_KEY_BYTES])
{
    unsigned int out_length = 0;
    return EVP_Digest(data, length, out, &out_length, EVP_sha256(), NULL) == 1 &&
           out_length == SCRAM_KEY_BYTES;
}

static int decode_key(const char *text, size_t length, uint8_t out[SCRAM_KEY_BYTES], Error *err)
{
    if (scram_base64_decode(text, length, out, SCRAM_KEY_BYTES) != SCRAM_KEY_BYTES) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "invalid SCRAM verifier: a key is not 32 bytes of base64");
    }
    return STRATA_OK;
}

int scram_parse_verifier(const char *text, ScramVerifier *out, Error *err)
{
    memset(out, 0, sizeof *out);
    size_t prefix_length = strlen(VERIFIER_PREFIX);
    if (strncmp(text, VERIFIER_PREFIX, prefix_length) != 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "invalid SCRAM verifier: it must start with \"SCRAM-SHA-256$\"");
    }
    const char *at = text + prefix_length;
    char *end = NULL;
    long iterations = strtol(at, &end, 10);
    if (end == at || *end != ':' || iterations < 1 || iterations > 100000000) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "invalid SCRAM verifier: bad iteration count");
    }
    out->iterations = (int)iterations;
    const char *salt = end + 1;
    const char *dollar = strchr(salt, '$');
    const char *colon = dollar == NULL ? NULL : strchr(dollar, ':');
    if (dollar == NULL || colon == NULL) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                         "invalid SCRAM verifier: expected $<salt>$<storedkey>:<serverkey>");
    }
    int salt_length =
        scram_base64_decode(salt, (size_t)(dollar - salt), out->salt, sizeof out->salt);
    if (salt_length <= 0) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid SCRAM verifier: bad salt");
    }
    out->salt_length_bytes = (size_t)salt_length;
    int rc = decode_key(dollar + 1, (size_t)(colon - dollar - 1), out->stored_key, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    return decode_key(colon + 1, strlen(colon + 1), out->server_key, err);
}

int scram_make_verifier(const char *password, const uint8_t *salt, size_t salt_length_bytes,
                        int iterations, char *out, size_t out_size_bytes, Error *err)
{
    uint8_t salted[SCRAM_KEY_BYTES], client_key[SCRAM_KEY_BYTES];
    uint8_t stored_key[SCRAM_KEY_BYTES], server_key[SCRAM_KEY_BYTES];
    if (salt_length_bytes == 0 || salt_length_bytes > SCRAM_SALT_MAX_BYTES || iterations < 1) {
        return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid SCRAM salt or iterations");
    }
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_length_bytes, iterations,
                          EVP_sha256(), SCRAM_KEY_BYTES, salted) != 1 ||
        !scram_hmac_sha256(salted, sizeof salted, "Client Key", 10, client_key) ||
        !scram_sha256(client_key, sizeof client_key, stored_key) ||
        !scram_hmac_sha256(salted, sizeof salted, "Server Key", 10, server_key)) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not compute SCRAM keys");
    }
    char salt_text[SCRAM_SALT_MAX_BYTES * 2], stored_text[64], server_text[64];
    scram_base64_encode(salt, salt_length_bytes, salt_text);
    scram_base64_encode(stored_key, sizeof stored_key, stored_text);
    scram_base64_encode(server_key, sizeof server_key, server_text);
    int written = snprintf(out, out_size_bytes, "%s%d:%s$%s:%s", VERIFIER_PREFIX, iterations,
                           salt_text, stored_text, server_text);
    if (written < 0 || (size_t)written >= out_size_bytes) {
        return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "SCRAM verifier buffer too small");
    }
    return STRATA_OK;
}

bool scram_looks_like_verifier(const char *text)
{
    return strncmp(text, VERIFIER_PREFIX, strlen(VERIFIER_PREFIX)) == 0;
}

int scram_make_verifier_random(const char *password, char *out, size_t out_size_bytes, Error *err)
{
    uint8_t salt[SCRAM_SALT_DEFAULT_BYTES];
    if (RAND_bytes(salt, sizeof salt) != 1) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR, "could not generate random salt");
    }
    return scram_make_verifier(password, salt, sizeof salt, SCRAM_DEFAULT_ITERATIONS, out,
                               out_size_bytes, err);
}
