/*
 * util/scram_verifier.h - SCRAM-SHA-256 verifiers: the only form in which
 * strata stores a role's password (catalog, CREATE ROLE ... PASSWORD), and
 * the secret the wire server authenticates against (server/scram.h).
 *
 * A verifier in PostgreSQL's text form (what pg_authid.rolpassword holds):
 *
 *     SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *
 * SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations),
 * ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey =
 * SHA-256(ClientKey), ServerKey = HMAC(SaltedPassword, "Server Key").
 * The password cannot be recovered from a verifier.
 *
 * Invariants
 *   1. scram_parse_verifier accepts exactly the text form above (32-byte
 *      keys, a non-empty salt of at most SCRAM_SALT_MAX_BYTES, iterations
 *      1..100,000,000); anything else is 22023.
 *   2. Passwords are used as their bytes (no SASLprep normalization).
 *
 * Threads: no shared state; OpenSSL's functions used here are thread-safe.
 * See src/util/README.md.
 */
#ifndef STRATA_UTIL_SCRAM_VERIFIER_H
#define STRATA_UTIL_SCRAM_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define SCRAM_KEY_BYTES 32
#define SCRAM_SALT_MAX_BYTES 64
#define SCRAM_SALT_DEFAULT_BYTES 16 /* PostgreSQL's SCRAM_DEFAULT_SALT_LEN */
#define SCRAM_MESSAGE_MAX_BYTES 1024
#define SCRAM_DEFAULT_ITERATIONS 4096
#define SCRAM_VERIFIER_MAX_BYTES 256 /* the text form of any verifier fits */

typedef struct ScramVerifier {
    int iterations;
    uint8_t salt[SCRAM_SALT_MAX_BYTES];
    size_t salt_length_bytes;
    uint8_t stored_key[SCRAM_KEY_BYTES];
    uint8_t server_key[SCRAM_KEY_BYTES];
} ScramVerifier;

/* Parses a verifier in the text form above. Returns STRATA_OK or an error
 * (22023, invalid_parameter_value) saying what is wrong. */
int scram_parse_verifier(const char *text, ScramVerifier *out, Error *err);

/* True if text starts like a verifier ("SCRAM-SHA-256$"): CREATE ROLE stores
 * such a PASSWORD as given (after scram_parse_verifier accepts it). */
bool scram_looks_like_verifier(const char *text);

/* Builds the verifier text for password with the given salt and iteration
 * count into out (out_size_bytes >= SCRAM_VERIFIER_MAX_BYTES is enough). */
int scram_make_verifier(const char *password, const uint8_t *salt, size_t salt_length_bytes,
                        int iterations, char *out, size_t out_size_bytes, Error *err);

/* scram_make_verifier with SCRAM_SALT_DEFAULT_BYTES random bytes of salt and
 * SCRAM_DEFAULT_ITERATIONS, as PostgreSQL does for a plaintext password. */
int scram_make_verifier_random(const char *password, char *out, size_t out_size_bytes, Error *err);

/* HMAC-SHA-256 and SHA-256 into out; false if OpenSSL fails. */
bool scram_hmac_sha256(const uint8_t *key, size_t key_length, const void *data, size_t length,
                       uint8_t out[SCRAM_KEY_BYTES]);
bool scram_sha256(const uint8_t *data, size_t length, uint8_t out[SCRAM_KEY_BYTES]);

/* Base64 (standard alphabet, padded). Encode returns the text length; decode
 * returns the byte count or -1 on invalid input or if it exceeds out_size. */
size_t scram_base64_encode(const uint8_t *data, size_t length_bytes, char *out);
int scram_base64_decode(const char *text, size_t length, uint8_t *out, size_t out_size_bytes);

#endif
