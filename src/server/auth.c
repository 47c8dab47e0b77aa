/*
 * server/auth.c - hba rules, the role lookup in pg_authid and the import of
 * roles files of earlier versions (see auth.h).
 */
#include "server/auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static void add_rule(AuthConfig *config, bool is_local, AuthMethod method)
{
    HbaRule *rule = &config->rules[config->rule_count++];
    memset(rule, 0, sizeof *rule);
    rule->is_local = is_local;
    snprintf(rule->role, sizeof rule->role, "all");
    rule->family = 0; /* 0 with prefix 0: any address of any family */
    rule->prefix_bits = 0;
    rule->method = method;
}

void server_auth_config_init(AuthConfig *config, bool trust_tcp)
{
    memset(config, 0, sizeof *config);
    add_rule(config, true, AUTH_TRUST);
    if (trust_tcp) {
        add_rule(config, false, AUTH_TRUST);
    }
    add_rule(config, false, AUTH_SCRAM);
}

static int parse_method(const char *word, AuthMethod *method, Error *err)
{
    if (strcmp(word, "trust") == 0) {
        *method = AUTH_TRUST;
    } else if (strcmp(word, "scram-sha-256") == 0) {
        *method = AUTH_SCRAM;
    } else if (strcmp(word, "reject") == 0) {
        *method = AUTH_REJECT;
    } else {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "invalid authentication method \"%s\"",
                         word);
    }
    return STRATA_OK;
}

static int parse_address(const char *text, HbaRule *rule, Error *err)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", text);
    char *slash = strchr(copy, '/');
    if (strcmp(copy, "all") == 0) {
        rule->family = 0;
        rule->prefix_bits = 0;
        return STRATA_OK;
    }
    if (slash == NULL) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                         "invalid address \"%s\": expected ADDRESS/BITS or all", text);
    }
    *slash = '\0';
    char *end = NULL;
    long bits = strtol(slash + 1, &end, 10);
    if (inet_pton(AF_INET, copy, rule->address) == 1) {
        rule->family = AF_INET;
    } else if (inet_pton(AF_INET6, copy, rule->address) == 1) {
        rule->family = AF_INET6;
    } else {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "invalid IP address \"%s\"", copy);
    }
    long max_bits = rule->family == AF_INET ? 32 : 128;
    if (end == slash + 1 || *end != '\0' || bits < 0 || bits > max_bits) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "invalid prefix length in \"%s\"",
                         text);
    }
    rule->prefix_bits = (int)bits;
    return STRATA_OK;
}

int server_auth_parse_rule(const char *line, HbaRule *rule, Error *err)
{
    char type[32] = "", role[64] = "", third[128] = "", fourth[64] = "", extra[8] = "";
    int count = sscanf(line, "%31s %63s %127s %63s %7s", type, role, third, fourth, extra);
    memset(rule, 0, sizeof *rule);
    snprintf(rule->role, sizeof rule->role, "%s", role);
    if (count == 3 && strcmp(type, "local") == 0) {
        rule->is_local = true;
        return parse_method(third, &rule->method, err);
    }
    if (count == 4 && strcmp(type, "host") == 0) {
        int rc = parse_address(third, rule, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        return parse_method(fourth, &rule->method, err);
    }
    return error_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                     "invalid rule: expected \"local ROLE METHOD\" or "
                     "\"host ROLE ADDRESS/BITS METHOD\"");
}

int server_auth_load_hba_file(AuthConfig *config, const char *path, Error *err)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not open rule file \"%s\"", path);
    }
    HbaRule rules[AUTH_RULES_MAX];
    int count = 0, line_number = 0, rc = STRATA_OK;
    char line[512];
    while (rc == STRATA_OK && fgets(line, sizeof line, file) != NULL) {
        line_number++;
        char *hash = strchr(line, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        if (strspn(line, " \t\r\n") == strlen(line)) {
            continue;
        }
        if (count == AUTH_RULES_MAX) {
            rc = error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "too many rules in \"%s\"", path);
            break;
        }
        rc = server_auth_parse_rule(line, &rules[count++], err);
        if (rc != STRATA_OK) {
            error_detail(err, "In file \"%s\" line %d.", path, line_number);
        }
    }
    fclose(file);
    if (rc == STRATA_OK) {
        memcpy(config->rules, rules, sizeof rules[0] * (size_t)count);
        config->rule_count = count;
    }
    return rc;
}

static bool address_matches(const HbaRule *rule, const struct sockaddr_storage *address)
{
    if (rule->family == 0) {
        return true;
    }
    const uint8_t *bytes;
    if (address->ss_family == AF_INET && rule->family == AF_INET) {
        bytes = (const uint8_t *)&((const struct sockaddr_in *)address)->sin_addr;
    } else if (address->ss_family == AF_INET6 && rule->family == AF_INET6) {
        bytes = (const uint8_t *)&((const struct sockaddr_in6 *)address)->sin6_addr;
    } else {
        return false;
    }
    int bits = rule->prefix_bits;
    for (int byte = 0; bits > 0; byte++, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
        if ((bytes[byte] & mask) != (rule->address[byte] & mask)) {
            return false;
        }
    }
    return true;
}

AuthMethod server_auth_method_for(const AuthConfig *config, bool is_local,
                           const struct sockaddr_storage *address, const char *role)
{
    for (int index = 0; index < config->rule_count; index++) {
        const HbaRule *rule = &config->rules[index];
        if (rule->is_local != is_local) {
            continue;
        }
        if (strcmp(rule->role, "all") != 0 && strcmp(rule->role, role) != 0) {
            continue;
        }
        if (!is_local && (address == NULL || !address_matches(rule, address))) {
            continue;
        }
        return rule->method;
    }
    return AUTH_REJECT;
}

int server_auth_check_listen(const AuthConfig *config, bool listen_is_loopback, Error *err)
{
    if (listen_is_loopback) {
        return STRATA_OK;
    }
    for (int index = 0; index < config->rule_count; index++) {
        const HbaRule *rule = &config->rules[index];
        if (!rule->is_local && rule->method == AUTH_TRUST) {
            error_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                      "refusing to start: trust authentication for TCP connections while "
                      "listening on a non-loopback address");
            return error_hint(err, "Use scram-sha-256 for host rules, or listen on 127.0.0.1.");
        }
    }
    return STRATA_OK;
}

/* ---- roles from the catalog ------------------------------------------------ */

static int engine_error(strata_db *db, Error *err)
{
    const char *sqlstate = strata_sqlstate(db);
    if (sqlstate == NULL || strlen(sqlstate) != 5 || strcmp(sqlstate, "00000") == 0) {
        sqlstate = SQLSTATE_INTERNAL_ERROR;
    }
    return error_set(err, sqlstate, "%s", strata_errmsg(db));
}

int server_auth_lookup_role(strata_db *db, const char *role, AuthRoleInfo *info, Error *err)
{
    static const char sql[] = "SELECT rolpassword, rolcanlogin, "
                              "rolvaliduntil IS NOT NULL AND rolvaliduntil < now() "
                              "FROM pg_catalog.pg_authid WHERE rolname = $1";
    memset(info, 0, sizeof *info);
    strata_stmt *stmt = NULL;
    if (strata_prepare(db, sql, -1, &stmt, NULL) != STRATA_OK ||
        strata_bind_text(stmt, 1, role, -1) != STRATA_OK) {
        strata_finalize(stmt);
        return engine_error(db, err);
    }
    int rc = strata_step(stmt);
    if (rc == STRATA_ROW) {
        const char *verifier = strata_column_text(stmt, 0);
        Error ignored;
        error_clear(&ignored);
        info->has_verifier = verifier != NULL &&
                             scram_parse_verifier(verifier, &info->verifier, &ignored) == STRATA_OK;
        info->can_login = strata_column_int64(stmt, 1) != 0;
        info->is_expired = strata_column_int64(stmt, 2) != 0;
        rc = STRATA_OK;
    } else if (rc == STRATA_DONE) {
        rc = STRATA_DONE;
    } else {
        rc = engine_error(db, err);
    }
    strata_finalize(stmt);
    return rc;
}

static int run_sql(strata_db *db, const char *sql, Error *err)
{
    strata_stmt *stmt = NULL;
    int rc = strata_prepare(db, sql, -1, &stmt, NULL);
    while (rc == STRATA_OK && (rc = strata_step(stmt)) == STRATA_ROW) {
    }
    strata_finalize(stmt);
    return rc == STRATA_DONE || rc == STRATA_OK ? STRATA_OK : engine_error(db, err);
}

/* One roles-file line as a CREATE ROLE or ALTER ROLE statement. */
static int import_line(strata_db *db, char *line, Error *err)
{
    line[strcspn(line, "\r\n")] = '\0';
    char *colon = strchr(line, ':');
    ScramVerifier verifier;
    if (colon == NULL || colon == line || colon - line >= 64) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR,
                         "invalid role line: expected name:verifier");
    }
    *colon = '\0';
    int rc = scram_parse_verifier(colon + 1, &verifier, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (strchr(line, '"') != NULL) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "invalid role name \"%s\"", line);
    }
    AuthRoleInfo existing;
    rc = server_auth_lookup_role(db, line, &existing, err);
    if (rc != STRATA_OK && rc != STRATA_DONE) {
        return rc;
    }
    /* A verifier is base64 and '$', ':' and digits: nothing to quote. */
    char sql[1200];
    int length = snprintf(sql, sizeof sql, "%s ROLE \"%s\" LOGIN PASSWORD '%s'",
                          rc == STRATA_DONE ? "CREATE" : "ALTER", line, colon + 1);
    if (length < 0 || (size_t)length >= sizeof sql) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "role line too long");
    }
    return run_sql(db, sql, err);
}

int server_auth_import_roles(strata_db *db, const char *path, int *count, Error *err)
{
    *count = 0;
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return error_set(err, SQLSTATE_CONFIG_FILE_ERROR, "could not open roles file \"%s\"", path);
    }
    int rc = run_sql(db, "BEGIN", err), line_number = 0;
    char line[1024];
    while (rc == STRATA_OK && fgets(line, sizeof line, file) != NULL) {
        line_number++;
        if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line)) {
            continue;
        }
        rc = import_line(db, line, err);
        if (rc != STRATA_OK) {
            error_detail(err, "In file \"%s\" line %d.", path, line_number);
        } else {
            (*count)++;
        }
    }
    fclose(file);
    if (rc != STRATA_OK) {
        Error ignored;
        error_clear(&ignored);
        run_sql(db, "ROLLBACK", &ignored);
        *count = 0;
        return rc;
    }
    return run_sql(db, "COMMIT", err);
}
