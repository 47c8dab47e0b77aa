/*
 * server/protocol_test.c - unit tests of the wire codec, SCRAM-SHA-256 and the
 * hba rules: message encoding byte for byte, decoding of every frontend
 * message, malformed and truncated inputs (each must be an 08P01 error, never
 * a crash), the RFC 7677 SCRAM test vector, and a deterministic randomized
 * decoder test (seeded; STRATA_SEED replays it).
 *
 * No engine and no sockets: these files sit below the session layer.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "server/auth.h"
#include "server/scram.h"
#include "server/wire.h"
#include "util/mem.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static size_t put(uint8_t *at, const void *data, size_t length)
{
    memcpy(at, data, length);
    return length;
}

static size_t put16(uint8_t *at, uint16_t value)
{
    at[0] = (uint8_t)(value >> 8);
    at[1] = (uint8_t)value;
    return 2;
}

static size_t put32(uint8_t *at, uint32_t value)
{
    at[0] = (uint8_t)(value >> 24);
    at[1] = (uint8_t)(value >> 16);
    at[2] = (uint8_t)(value >> 8);
    at[3] = (uint8_t)value;
    return 4;
}

static void test_encode_messages(void)
{
    WireBuf buf;
    wire_buf_init(&buf);
    wire_put_ready(&buf, 'I');
    const uint8_t ready[] = {'Z', 0, 0, 0, 5, 'I'};
    CHECK_EQ_INT(buf.length_bytes, sizeof ready);
    CHECK(memcmp(buf.data, ready, sizeof ready) == 0);

    wire_buf_clear(&buf);
    wire_put_parameter_status(&buf, "a", "b");
    const uint8_t status[] = {'S', 0, 0, 0, 8, 'a', 0, 'b', 0};
    CHECK_EQ_INT(buf.length_bytes, sizeof status);
    CHECK(memcmp(buf.data, status, sizeof status) == 0);

    wire_buf_clear(&buf);
    wire_put_error(&buf, 'E', "ERROR", "42P01", "no", "", "h", 7);
    const char expected[] = "E\0\0\0\x24" "SERROR\0VERROR\0C42P01\0Mno\0Hh\0P7\0";
    CHECK_EQ_INT(buf.length_bytes, sizeof expected);
    CHECK(memcmp(buf.data, expected, sizeof expected) == 0);

    wire_buf_clear(&buf);
    wire_put_command_complete(&buf, "SELECT 1");
    wire_put_empty(&buf, '1');
    CHECK_EQ_INT(buf.length_bytes, 14 + 5);
    CHECK_EQ_INT(wire_read_uint32(buf.data + 1), 13);
    CHECK_EQ_INT(buf.data[14], '1');
    CHECK_EQ_INT(wire_read_uint32(buf.data + 15), 4);
    CHECK(!wire_buf_failed(&buf));
    wire_buf_free(&buf);
}

static void test_decode_startup(void)
{
    uint8_t body[256];
    size_t length = put32(body, WIRE_PROTOCOL_3_0);
    length += put(body + length, "user\0bob\0database\0db\0\0", 22);
    StartupPacket packet;
    Error err;
    CHECK_EQ_INT(wire_decode_startup(body, length, &packet, &err), STRATA_OK);
    CHECK_EQ_INT(packet.kind, STARTUP_PROTOCOL);
    CHECK_EQ_INT(packet.param_count, 2);
    CHECK_EQ_STR(wire_startup_param(&packet, "user"), "bob");
    CHECK_EQ_STR(wire_startup_param(&packet, "database"), "db");
    CHECK(wire_startup_param(&packet, "options") == NULL);

    /* Missing the final empty name: the terminator is required. */
    CHECK(wire_decode_startup(body, length - 1, &packet, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "08P01");
    /* A value without its NUL. */
    CHECK(wire_decode_startup(body, 4 + 7, &packet, &err) != STRATA_OK);

    put32(body, WIRE_SSL_REQUEST_CODE);
    CHECK_EQ_INT(wire_decode_startup(body, 4, &packet, &err), STRATA_OK);
    CHECK_EQ_INT(packet.kind, STARTUP_SSL_REQUEST);
    CHECK(wire_decode_startup(body, 5, &packet, &err) != STRATA_OK);
    put32(body, WIRE_GSSENC_REQUEST_CODE);
    CHECK_EQ_INT(wire_decode_startup(body, 4, &packet, &err), STRATA_OK);
    CHECK_EQ_INT(packet.kind, STARTUP_GSSENC_REQUEST);

    put32(body, WIRE_CANCEL_REQUEST_CODE);
    put32(body + 4, 1234);
    put32(body + 8, 0xdeadbeef);
    CHECK_EQ_INT(wire_decode_startup(body, 12, &packet, &err), STRATA_OK);
    CHECK_EQ_INT(packet.kind, STARTUP_CANCEL);
    CHECK_EQ_INT(packet.cancel_pid, 1234);
    CHECK_EQ_INT(packet.cancel_key, 0xdeadbeef);
    CHECK(wire_decode_startup(body, 8, &packet, &err) != STRATA_OK);

    put32(body, 2u << 16);
    CHECK(wire_decode_startup(body, 4, &packet, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "0A000");
    CHECK(wire_decode_startup(body, 2, &packet, &err) != STRATA_OK);

    CHECK(wire_check_startup_length(7, &err) != STRATA_OK);
    CHECK(wire_check_startup_length(10001, &err) != STRATA_OK);
    CHECK(wire_check_startup_length(0xffffffffu, &err) != STRATA_OK);
    CHECK_EQ_INT(wire_check_startup_length(8, &err), STRATA_OK);
}

static void test_decode_extended(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    REQUIRE(arena != NULL);
    Error err;
    FrontendMsg msg;
    uint8_t body[256];

    size_t length = put(body, "s1\0select $1\0", 13);
    length += put16(body + length, 1);
    length += put32(body + length, 23);
    CHECK_EQ_INT(wire_decode_frontend('P', body, length, arena, &msg, &err), STRATA_OK);
    CHECK_EQ_STR(msg.statement_name, "s1");
    CHECK_EQ_STR(msg.sql, "select $1");
    CHECK_EQ_INT(msg.param_type_count, 1);
    CHECK_EQ_INT(msg.param_types[0], 23);
    CHECK(wire_decode_frontend('P', body, length - 1, arena, &msg, &err) != STRATA_OK);
    CHECK(wire_decode_frontend('P', body, length + 1, arena, &msg, &err) != STRATA_OK);

    /* Bind: portal "", statement s1, one binary format, two params (one NULL),
     * one result format. */
    length = put(body, "\0s1\0", 4);
    length += put16(body + length, 1);
    length += put16(body + length, 1);
    length += put16(body + length, 2);
    length += put32(body + length, 4);
    length += put32(body + length, 42);
    length += put32(body + length, 0xffffffffu);
    length += put16(body + length, 1);
    length += put16(body + length, 0);
    CHECK_EQ_INT(wire_decode_frontend('B', body, length, arena, &msg, &err), STRATA_OK);
    CHECK_EQ_STR(msg.portal_name, "");
    CHECK_EQ_INT(msg.param_count, 2);
    CHECK_EQ_INT(msg.params[0].length_bytes, 4);
    CHECK_EQ_INT(wire_read_uint32(msg.params[0].value), 42);
    CHECK(msg.params[1].value == NULL);
    CHECK_EQ_INT(wire_format_for(msg.param_format_count, msg.param_formats, 1, 2), 1);
    CHECK_EQ_INT(msg.result_format_count, 1);
    for (size_t cut = 0; cut < length; cut++) {
        CHECK(wire_decode_frontend('B', body, cut, arena, &msg, &err) != STRATA_OK);
    }
    /* A parameter length past the body, and a length below -1. */
    put32(body + 10, 400);
    CHECK(wire_decode_frontend('B', body, length, arena, &msg, &err) != STRATA_OK);
    put32(body + 10, 0xfffffffeu);
    CHECK(wire_decode_frontend('B', body, length, arena, &msg, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "08P01");

    CHECK_EQ_INT(wire_decode_frontend('E', (const uint8_t *)"p\0\0\0\0\x05", 6, arena, &msg, &err),
                 STRATA_OK);
    CHECK_EQ_INT(msg.max_rows, 5);
    CHECK_EQ_INT(wire_decode_frontend('D', (const uint8_t *)"Sx\0", 3, arena, &msg, &err),
                 STRATA_OK);
    CHECK_EQ_INT(msg.target_kind, 'S');
    CHECK(wire_decode_frontend('D', (const uint8_t *)"Qx\0", 3, arena, &msg, &err) != STRATA_OK);
    CHECK(wire_decode_frontend('C', (const uint8_t *)"P", 1, arena, &msg, &err) != STRATA_OK);
    CHECK_EQ_INT(wire_decode_frontend('Q', (const uint8_t *)"select 1\0", 9, arena, &msg, &err),
                 STRATA_OK);
    CHECK(wire_decode_frontend('Q', (const uint8_t *)"select 1", 8, arena, &msg, &err) !=
          STRATA_OK);
    CHECK(wire_decode_frontend('S', (const uint8_t *)"x", 1, arena, &msg, &err) != STRATA_OK);
    CHECK_EQ_INT(wire_decode_frontend('S', NULL, 0, arena, &msg, &err), STRATA_OK);
    CHECK(wire_decode_frontend('z', NULL, 0, arena, &msg, &err) != STRATA_OK);
    CHECK(wire_decode_frontend(0, NULL, 0, arena, &msg, &err) != STRATA_OK);

    CHECK(wire_check_header('Q', 3, 100, &err) != STRATA_OK);
    CHECK(wire_check_header('Q', 0x7fffffffu, 1000, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "08P01");
    CHECK_EQ_INT(wire_check_header('Q', 104, 100, &err), STRATA_OK);
    CHECK(wire_check_header('Q', 105, 100, &err) != STRATA_OK);

    const uint8_t *data;
    const char *mechanism;
    size_t data_length;
    length = put(body, "SCRAM-SHA-256\0", 14);
    length += put32(body + length, 3);
    length += put(body + length, "n,,", 3);
    CHECK_EQ_INT(wire_decode_sasl_initial(body, length, &mechanism, &data, &data_length, &err),
                 STRATA_OK);
    CHECK_EQ_STR(mechanism, "SCRAM-SHA-256");
    CHECK_EQ_INT(data_length, 3);
    CHECK(wire_decode_sasl_initial(body, length - 1, &mechanism, &data, &data_length, &err) !=
          STRATA_OK);
    arena_destroy(arena);
}

/* RFC 7677 section 3: user "user", password "pencil". */
static void test_scram_rfc7677(void)
{
    const char *client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const char *client_final = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                               "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    uint8_t salt[32];
    int salt_length = scram_base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==", 24, salt, sizeof salt);
    REQUIRE(salt_length == 16);
    char text[256];
    Error err;
    REQUIRE(scram_make_verifier("pencil", salt, 16, 4096, text, sizeof text, &err) == STRATA_OK);
    ScramVerifier verifier;
    REQUIRE(scram_parse_verifier(text, &verifier, &err) == STRATA_OK);
    CHECK_EQ_INT(verifier.iterations, 4096);

    ScramServer scram;
    char reply[SCRAM_MESSAGE_MAX_BYTES];
    REQUIRE(scram_server_init(&scram, &verifier, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", &err) ==
            STRATA_OK);
    REQUIRE(scram_server_first(&scram, (const uint8_t *)client_first, strlen(client_first), reply,
                               sizeof reply, &err) == STRATA_OK);
    CHECK_EQ_STR(reply, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    REQUIRE(scram_server_final(&scram, (const uint8_t *)client_final, strlen(client_final), reply,
                               sizeof reply, &err) == STRATA_OK);
    CHECK_EQ_STR(reply, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");

    /* The same exchange with one bit of the proof flipped fails with 28P01. */
    char bad_final[256];
    snprintf(bad_final, sizeof bad_final, "%s", client_final);
    bad_final[strlen(bad_final) - 3] = bad_final[strlen(bad_final) - 3] == 'Q' ? 'R' : 'Q';
    scram_server_init(&scram, &verifier, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", &err);
    scram_server_first(&scram, (const uint8_t *)client_first, strlen(client_first), reply,
                       sizeof reply, &err);
    CHECK(scram_server_final(&scram, (const uint8_t *)bad_final, strlen(bad_final), reply,
                             sizeof reply, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "28P01");

    /* A verifier with a wrong password fails the right proof. */
    REQUIRE(scram_make_verifier("pencil2", salt, 16, 4096, text, sizeof text, &err) == STRATA_OK);
    REQUIRE(scram_parse_verifier(text, &verifier, &err) == STRATA_OK);
    scram_server_init(&scram, &verifier, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", &err);
    scram_server_first(&scram, (const uint8_t *)client_first, strlen(client_first), reply,
                       sizeof reply, &err);
    CHECK(scram_server_final(&scram, (const uint8_t *)client_final, strlen(client_final), reply,
                             sizeof reply, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "28P01");
}

static void test_scram_malformed(void)
{
    ScramVerifier verifier;
    Error err;
    CHECK(scram_parse_verifier("md5abc", &verifier, &err) != STRATA_OK);
    CHECK(scram_parse_verifier("SCRAM-SHA-256$0:AAAA$AAAA:AAAA", &verifier, &err) != STRATA_OK);
    CHECK(scram_parse_verifier("SCRAM-SHA-256$4096:AAAA$AAAA:AAAA", &verifier, &err) !=
          STRATA_OK);
    CHECK(scram_parse_verifier("SCRAM-SHA-256$4096:!!!!$", &verifier, &err) != STRATA_OK);
    uint8_t salt[4] = {1, 2, 3, 4};
    char text[256];
    REQUIRE(scram_make_verifier("pw", salt, 4, 10, text, sizeof text, &err) == STRATA_OK);
    REQUIRE(scram_parse_verifier(text, &verifier, &err) == STRATA_OK);
    const char *bad_first[] = {
        "", "p=tls-server-end-point,,n=u,r=abc", "x,,n=u,r=abc", "n,,r=abc", "n,,n=u",
        "n,,n=u,r=", "n,,n=u,r=a,m=ext", "n,b=z,n=u,r=abc", "n", "n,"};
    char reply[SCRAM_MESSAGE_MAX_BYTES];
    ScramServer scram;
    for (size_t index = 0; index < sizeof bad_first / sizeof bad_first[0]; index++) {
        scram_server_init(&scram, &verifier, "srv", &err);
        CHECK(scram_server_first(&scram, (const uint8_t *)bad_first[index],
                                 strlen(bad_first[index]), reply, sizeof reply,
                                 &err) != STRATA_OK);
        CHECK_EQ_STR(err.sqlstate, "08P01");
    }
    const char *bad_final[] = {
        "c=biws,r=abcsrv", "c=biws,r=abcXXX,p=AAAA", "c=eSws,r=abcsrv,p=AAAA",
        "r=abcsrv,p=AAAA", "c=biws,r=abcsrv,p=!!", "c=biws,r=abcsrv,p=AAAA,x=1"};
    for (size_t index = 0; index < sizeof bad_final / sizeof bad_final[0]; index++) {
        scram_server_init(&scram, &verifier, "srv", &err);
        REQUIRE(scram_server_first(&scram, (const uint8_t *)"n,,n=u,r=abc", 12, reply,
                                   sizeof reply, &err) == STRATA_OK);
        CHECK(scram_server_final(&scram, (const uint8_t *)bad_final[index],
                                 strlen(bad_final[index]), reply, sizeof reply,
                                 &err) != STRATA_OK);
        CHECK_EQ_STR(err.sqlstate, "08P01");
    }
    /* Client-final before client-first. */
    scram_server_init(&scram, &verifier, "srv", &err);
    CHECK(scram_server_final(&scram, (const uint8_t *)"c=biws,r=x,p=AAAA", 17, reply,
                             sizeof reply, &err) != STRATA_OK);
}

static void test_auth_rules(void)
{
    AuthConfig config;
    Error err;
    server_auth_config_init(&config, false);
    struct sockaddr_storage address;
    memset(&address, 0, sizeof address);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&address;
    in4->sin_family = AF_INET;
    inet_pton(AF_INET, "10.1.2.3", &in4->sin_addr);
    CHECK_EQ_INT(server_auth_method_for(&config, true, NULL, "x"), AUTH_TRUST);
    CHECK_EQ_INT(server_auth_method_for(&config, false, &address, "x"), AUTH_SCRAM);
    CHECK_EQ_INT(server_auth_check_listen(&config, false, &err), STRATA_OK);

    server_auth_config_init(&config, true);
    CHECK_EQ_INT(server_auth_method_for(&config, false, &address, "x"), AUTH_TRUST);
    CHECK(server_auth_check_listen(&config, false, &err) != STRATA_OK);
    CHECK_EQ_INT(server_auth_check_listen(&config, true, &err), STRATA_OK);

    HbaRule rule;
    CHECK_EQ_INT(server_auth_parse_rule("host alice 10.1.0.0/16 trust", &rule, &err), STRATA_OK);
    config.rules[0] = rule;
    CHECK_EQ_INT(server_auth_parse_rule("host all ::1/128 reject", &rule, &err), STRATA_OK);
    config.rules[1] = rule;
    config.rule_count = 2;
    CHECK_EQ_INT(server_auth_method_for(&config, false, &address, "alice"), AUTH_TRUST);
    CHECK_EQ_INT(server_auth_method_for(&config, false, &address, "bob"), AUTH_REJECT);
    inet_pton(AF_INET, "10.2.0.1", &in4->sin_addr);
    CHECK_EQ_INT(server_auth_method_for(&config, false, &address, "alice"), AUTH_REJECT);
    CHECK(server_auth_check_listen(&config, false, &err) != STRATA_OK);

    CHECK(server_auth_parse_rule("host all 10.0.0.0/33 trust", &rule, &err) != STRATA_OK);
    CHECK(server_auth_parse_rule("host all 10.0.0.0 trust", &rule, &err) != STRATA_OK);
    CHECK(server_auth_parse_rule("local all md5", &rule, &err) != STRATA_OK);
    CHECK(server_auth_parse_rule("hostssl all all trust", &rule, &err) != STRATA_OK);
    CHECK_EQ_INT(server_auth_parse_rule("local all scram-sha-256", &rule, &err), STRATA_OK);
    CHECK(rule.is_local);
}

/* Mutates valid messages and feeds random bytes to every decoder; all must
 * return an error or a result whose pointers stay inside the body. */
/* A message with an empty body arrives without a buffer (NULL, 0): every type that
 * needs content is a protocol violation, found without touching the NULL (UBSan in
 * CI: memchr(NULL, 0, 0) once took the server down). */
static void test_empty_bodies(void)
{
    Arena *arena = arena_create(NULL, 0, "empty");
    REQUIRE(arena != NULL);
    static const char types[] = "QPBDECXdcfpFz";
    for (size_t k = 0; k < sizeof types - 1; k++) {
        FrontendMsg msg;
        Error err;
        error_clear(&err);
        if (wire_decode_frontend(types[k], NULL, 0, arena, &msg, &err) != STRATA_OK) {
            CHECK_EQ_STR(err.sqlstate, "08P01");
        }
    }
    FrontendMsg msg;
    Error err;
    CHECK(wire_decode_frontend('Q', NULL, 0, arena, &msg, &err) != STRATA_OK);
    CHECK(wire_decode_frontend('P', NULL, 0, arena, &msg, &err) != STRATA_OK);
    arena_destroy(arena);
}

static void test_random_decoder(void)
{
    uint64_t state = test_seed("protocol_test");
    Arena *arena = arena_create(NULL, 0, "random");
    REQUIRE(arena != NULL);
    static const char types[] = "QPBDECSHXdcfpFz\0";
    uint8_t body[512];
    size_t rounds = getenv("STRATA_TEST_QUICK") != NULL ? 20000 : 200000;
    int accepted = 0;
    for (size_t round = 0; round < rounds; round++) {
        size_t length = test_rand(&state) % sizeof body;
        for (size_t index = 0; index < length; index++) {
            uint64_t r = test_rand(&state);
            /* Bias towards small numbers and NULs so structure is found. */
            body[index] = (uint8_t)((r & 3) == 0 ? 0 : (r & 3) == 1 ? (r >> 8) % 4 : r >> 16);
        }
        char type = types[test_rand(&state) % (sizeof types - 1)];
        FrontendMsg msg;
        Error err;
        arena_reset(arena);
        if (wire_decode_frontend(type, body, length, arena, &msg, &err) == STRATA_OK) {
            accepted++;
            for (int index = 0; index < msg.param_count; index++) {
                const uint8_t *value = msg.params[index].value;
                CHECK(value == NULL ||
                      (value >= body && value + msg.params[index].length_bytes <= body + length));
            }
            CHECK(msg.sql == NULL || ((const uint8_t *)msg.sql >= body &&
                                      (const uint8_t *)msg.sql < body + length));
        } else {
            CHECK_EQ_STR(err.sqlstate, "08P01");
        }
        StartupPacket packet;
        if (wire_decode_startup(body, length, &packet, &err) == STRATA_OK) {
            for (int index = 0; index < packet.param_count; index++) {
                CHECK((const uint8_t *)packet.param_values[index] < body + length);
            }
        }
    }
    printf("protocol_test: %d of %zu random messages decoded\n", accepted, rounds);
    CHECK(accepted > 0);
    arena_destroy(arena);
}

int main(void)
{
    TEST_RUN(test_encode_messages);
    TEST_RUN(test_decode_startup);
    TEST_RUN(test_decode_extended);
    TEST_RUN(test_scram_rfc7677);
    TEST_RUN(test_scram_malformed);
    TEST_RUN(test_auth_rules);
    TEST_RUN(test_empty_bodies);
    TEST_RUN(test_random_decoder);
    return test_summary("protocol_test");
}
