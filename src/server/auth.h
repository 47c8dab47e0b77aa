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
 * Roles are the database's own (CREATE ROLE ... LOGIN PASSWORD, catalog
 * records read back from pg_authid): server_auth_lookup_role asks the
 * connection's strata_db, which runs as the bootstrap superuser until the
 * login succeeds (strata_set_user). The roles file of earlier versions is
 * gone; server_auth_import_roles turns one into CREATE ROLE statements.
 *
 * Invariants
 *   1. A TCP trust rule is refused at start-up when the server listens on a
 *      non-loopback address (server_auth_check_listen).
 *   2. A rule file that fails to parse stops the start-up with an error
 *      naming the file and line; nothing is half-loaded.
 *   3. Only verifiers are read or logged, never a password.
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
#include "strata.h"
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

enum { AUTH_RULES_MAX = 64 };

typedef struct AuthConfig {
    HbaRule rules[AUTH_RULES_MAX];
    int rule_count;
} AuthConfig;

/* What a login needs to know about a role (a pg_authid row). */
typedef struct AuthRoleInfo {
    bool has_verifier;      /* rolpassword is not NULL */
    ScramVerifier verifier; /* parsed rolpassword */
    bool can_login;         /* rolcanlogin */
    bool is_expired;        /* rolvaliduntil has passed */
} AuthRoleInfo;

/* Sets the default rules described above. */
void server_auth_config_init(AuthConfig *config, bool trust_tcp);

/* Replaces the rules with those of an hba file. */
int server_auth_load_hba_file(AuthConfig *config, const char *path, Error *err);
/* Parses one rule line (no comment); used by server_auth_load_hba_file and tests. */
int server_auth_parse_rule(const char *line, HbaRule *rule, Error *err);

/* The method for a connection: is_local for the unix socket, else address
 * (AF_INET/AF_INET6). AUTH_REJECT when no rule matches. */
AuthMethod server_auth_method_for(const AuthConfig *config, bool is_local,
                           const struct sockaddr_storage *address, const char *role);

/* Reads role's row from pg_authid through db (a connection still running as
 * the bootstrap superuser): STRATA_OK and *info, STRATA_DONE when there is
 * no such role, or an error (a verifier that does not parse is 28P01's
 * business: has_verifier is false then). */
int server_auth_lookup_role(strata_db *db, const char *role, AuthRoleInfo *info, Error *err);

/* Migration from the roles file of earlier versions: each line
 * "name:SCRAM-SHA-256$..." becomes CREATE ROLE "name" LOGIN PASSWORD
 * 'verifier' (ALTER ROLE ... LOGIN PASSWORD for a role that exists), run in
 * one transaction on db. *count receives the number of roles. Errors name
 * the file and line; nothing is imported then. */
int server_auth_import_roles(strata_db *db, const char *path, int *count, Error *err);

/* Invariant 1: an error (F0000) if a TCP trust rule exists and
 * listen_is_loopback is false. */
int server_auth_check_listen(const AuthConfig *config, bool listen_is_loopback, Error *err);

#endif
