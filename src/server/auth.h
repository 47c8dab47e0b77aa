/*
 * server/auth.h - who may log in, and how: hba-style rules and the role
 * lookup that SCRAM authenticates against.
 *
 * Rules are checked in order, first match wins, as in pg_hba.conf. A rule
 * file (--hba-file) has one rule a line ('#' starts a comment):
 *
 *     local  ROLE          METHOD
 *     host   ROLE  ADDR/BITS  METHOD      (ADDR is IPv4 or IPv6)
 *
 * ROLE is a role name or "all"; METHOD is trust, scram-sha-256 or reject.
 * Without a file the rules are: local all trust; host all all scram-sha-256
 * (with --trust: host all all trust first, allowed on loopback listening only).
 *
 * Roles come from a RoleSource: today the roles file (--auth-file) with lines
 * "name:SCRAM-SHA-256$<iter>:<salt>$<storedkey>:<serverkey>"; later the
 * engine's catalog (CREATE ROLE ... PASSWORD) plugs in behind the same struct.
 *
 * Invariants
 *   1. A TCP trust rule is refused at start-up when the server listens on a
 *      non-loopback address (server_auth_check_listen).
 *   2. A rule or role file that fails to parse stops the start-up with an
 *      error naming the file and line; nothing is half-loaded.
 *
 * Threads: an AuthConfig is built before the listener starts and is
 * read-only afterwards, so connection threads read it without locks.
 */
#ifndef STRATA_SERVER_AUTH_H
#define STRATA_SERVER_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "server/scram.h"
#include "util/error.h"

typedef enum { AUTH_REJECT = 0, AUTH_TRUST, AUTH_SCRAM } AuthMethod;

typedef struct HbaRule {
    bool is_local;            /* unix socket rule; else TCP */
    char role[64];            /* a role name or "all" */
    int family;               /* AF_INET, AF_INET6 (TCP rules) */
    uint8_t address[16];
    int prefix_bits;
    AuthMethod method;
} HbaRule;

/* A source of roles: lookup fills *verifier and returns STRATA_OK when the
 * role exists, STRATA_DONE when it does not, or an error. */
typedef struct RoleSource {
    int (*lookup)(void *context, const char *role, ScramVerifier *verifier, Error *err);
    void *context;
} RoleSource;

enum { AUTH_RULES_MAX = 64, AUTH_ROLES_MAX = 1024 };

typedef struct AuthRole {
    char name[64];
    ScramVerifier verifier;
} AuthRole;

typedef struct AuthConfig {
    HbaRule rules[AUTH_RULES_MAX];
    int rule_count;
    AuthRole *roles;          /* owned (mem_free in server_auth_config_free); from --auth-file */
    int role_count;
    bool has_role_file;       /* roles are checked only when a source is configured */
    RoleSource source;        /* defaults to the roles file */
} AuthConfig;

/* Sets the default rules described above. */
void server_auth_config_init(AuthConfig *config, bool trust_tcp);
void server_auth_config_free(AuthConfig *config);

/* Replaces the rules with those of an hba file. */
int server_auth_load_hba_file(AuthConfig *config, const char *path, Error *err);
/* Parses one rule line (no comment); used by server_auth_load_hba_file and tests. */
int server_auth_parse_rule(const char *line, HbaRule *rule, Error *err);

/* Loads the roles file and makes it the role source. */
int server_auth_load_role_file(AuthConfig *config, const char *path, Error *err);

/* The method for a connection: is_local for the unix socket, else address
 * (AF_INET/AF_INET6). AUTH_REJECT when no rule matches. */
AuthMethod server_auth_method_for(const AuthConfig *config, bool is_local,
                           const struct sockaddr_storage *address, const char *role);

/* Looks role up through the configured source: STRATA_OK (found),
 * STRATA_DONE (no such role) or an error. Without any source every role
 * "exists" for trust but has no verifier: STRATA_DONE is returned. */
int server_auth_lookup_role(const AuthConfig *config, const char *role, ScramVerifier *verifier,
                     Error *err);

/* Invariant 1: an error (F0000) if a TCP trust rule exists and
 * listen_is_loopback is false. */
int server_auth_check_listen(const AuthConfig *config, bool listen_is_loopback, Error *err);

#endif
