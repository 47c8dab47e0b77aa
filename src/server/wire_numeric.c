/*
 * server/wire_numeric.c - NUMERIC's binary wire format (PostgreSQL's
 * numeric_send / numeric_recv), converted from and to the value's text.
 *
 * Format (all big-endian): int16 ndigits, int16 weight, uint16 sign (0x0000
 * positive, 0x4000 negative, 0xC000 NaN, 0xD000 +Infinity, 0xF000
 * -Infinity), int16 dscale, then ndigits base-10000 digits as int16; digit i
 * is worth digit * 10000^(weight - i). Leading and trailing zero digits are
 * not sent; zero is ndigits 0, weight 0.
 *
 * Working from the text keeps one path for the 128-bit and the big form of
 * NUMERIC (types.h): the engine formats and parses, this file only regroups
 * digits, so any value the engine holds (131072 digits before the point, 16383
 * after) travels both ways.
 *
 * Invariants
 *   1. Received bytes are input: every length, digit and dscale is checked
 *      before use (22P03 `invalid ... in external "numeric" value`).
 *
 * See src/server/README.md.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "server/wire.h"
#include "util/mem.h"

enum {
    NUMERIC_POS = 0x0000,
    NUMERIC_NEG = 0x4000,
    NUMERIC_NAN = 0xC000,
    NUMERIC_PINF = 0xD000,
    NUMERIC_NINF = 0xF000,
    NUMERIC_DSCALE_LIMIT = 0x3FFF,
};

static void put_header(WireBuf *out, int ndigits, int weight, uint16_t sign, int dscale)
{
    wire_put_int32(out, 8 + 2 * ndigits);
    wire_put_int16(out, (int16_t)ndigits);
    wire_put_int16(out, (int16_t)weight);
    wire_put_int16(out, (int16_t)sign);
    wire_put_int16(out, (int16_t)dscale);
}

/* The base-10000 digit of the decimal digits at [index*4 - pad, +4) of the
 * digit string (positions outside it count as zeros). */
static int group_at(const char *digits, size_t count, size_t pad, size_t group)
{
    int value = 0;
    for (size_t k = 0; k < 4; k++) {
        size_t pos = group * 4 + k; /* position in the padded string */
        int digit = pos >= pad && pos - pad < count ? digits[pos - pad] - '0' : 0;
        value = value * 10 + digit;
    }
    return value;
}

void wire_put_numeric_text(WireBuf *out, const char *text)
{
    if (strcmp(text, "NaN") == 0 || strcmp(text, "Infinity") == 0 ||
        strcmp(text, "-Infinity") == 0) {
        put_header(out, 0, 0,
                   text[0] == 'N' ? NUMERIC_NAN : text[0] == 'I' ? NUMERIC_PINF : NUMERIC_NINF, 0);
        return;
    }
    bool negative = text[0] == '-';
    const char *body = text + (negative ? 1 : 0);
    const char *point = strchr(body, '.');
    size_t int_count = point != NULL ? (size_t)(point - body) : strlen(body);
    const char *frac = point != NULL ? point + 1 : "";
    size_t frac_count = strlen(frac);
    /* One digit string: the integer digits padded on the left to whole groups,
     * then the fraction digits; group g covers padded positions 4g..4g+3. */
    size_t int_groups = (int_count + 3) / 4, pad = int_groups * 4 - int_count;
    size_t frac_groups = (frac_count + 3) / 4;
    size_t total = int_groups + frac_groups;
    size_t first = 0, last = total; /* nonzero groups [first, last) */
    char *joined = mem_alloc(int_count + frac_count + 1);
    if (joined == NULL) {
        put_header(out, 0, 0, NUMERIC_NAN, 0); /* out of memory: the connection fails later */
        return;
    }
    memcpy(joined, body, int_count);
    memcpy(joined + int_count, frac, frac_count);
    size_t count = int_count + frac_count;
    while (first < total && group_at(joined, count, pad, first) == 0) {
        first++;
    }
    while (last > first && group_at(joined, count, pad, last - 1) == 0) {
        last--;
    }
    int ndigits = (int)(last - first);
    int weight = ndigits == 0 ? 0 : (int)int_groups - 1 - (int)first;
    put_header(out, ndigits, weight, negative && ndigits > 0 ? NUMERIC_NEG : NUMERIC_POS,
               (int)frac_count);
    for (size_t group = first; group < last; group++) {
        wire_put_int16(out, (int16_t)group_at(joined, count, pad, group));
    }
    mem_free(joined);
}

static int get_int16(const uint8_t *bytes)
{
    return (int16_t)(uint16_t)((bytes[0] << 8) | bytes[1]);
}

/* Writes 4 decimal digits of a base-10000 digit. */
static void put_group(char *out, int digit)
{
    for (int k = 3; k >= 0; k--) {
        out[k] = (char)('0' + digit % 10);
        digit /= 10;
    }
}

char *wire_numeric_to_text(const uint8_t *bytes, int length, const char **problem)
{
    *problem = "length";
    if (length < 8) {
        return NULL;
    }
    int ndigits = get_int16(bytes), weight = get_int16(bytes + 2);
    uint16_t sign = (uint16_t)get_int16(bytes + 4);
    int dscale = get_int16(bytes + 6);
    if (ndigits < 0 || length != 8 + 2 * ndigits) {
        return NULL;
    }
    *problem = "sign";
    if (sign != NUMERIC_POS && sign != NUMERIC_NEG && sign != NUMERIC_NAN &&
        sign != NUMERIC_PINF && sign != NUMERIC_NINF) {
        return NULL;
    }
    *problem = "scale";
    if (dscale < 0 || dscale > NUMERIC_DSCALE_LIMIT) {
        return NULL;
    }
    *problem = "digit";
    if (sign == NUMERIC_NAN || sign == NUMERIC_PINF || sign == NUMERIC_NINF) {
        const char *word = sign == NUMERIC_NAN    ? "NaN"
                           : sign == NUMERIC_PINF ? "Infinity"
                                                  : "-Infinity";
        char *text = mem_alloc(strlen(word) + 1);
        if (text != NULL) {
            strcpy(text, word);
        }
        *problem = NULL;
        return text;
    }
    for (int index = 0; index < ndigits; index++) {
        if (get_int16(bytes + 8 + 2 * index) < 0 || get_int16(bytes + 8 + 2 * index) >= 10000) {
            return NULL;
        }
    }
    /* integer groups: weight + 1 of them (at least one), then dscale digits */
    int int_groups = weight >= 0 ? weight + 1 : 1;
    size_t size = 2 + (size_t)int_groups * 4 + 1 + (size_t)dscale + 4 + 1;
    char *text = mem_alloc(size);
    *problem = NULL; /* from here NULL means out of memory */
    if (text == NULL) {
        return NULL;
    }
    size_t pos = 0;
    if (sign == NUMERIC_NEG) {
        text[pos++] = '-';
    }
    size_t int_start = pos;
    for (int group = 0; group < int_groups; group++) {
        int index = weight >= 0 ? group : -1; /* digit index of integer group */
        int digit = index >= 0 && index < ndigits ? get_int16(bytes + 8 + 2 * index) : 0;
        put_group(text + pos, digit);
        pos += 4;
    }
    /* drop leading zeros of the integer part, keeping one */
    size_t zeros = 0;
    while (int_start + zeros + 1 < pos && text[int_start + zeros] == '0') {
        zeros++;
    }
    memmove(text + int_start, text + int_start + zeros, pos - int_start - zeros);
    pos -= zeros;
    if (dscale > 0) {
        text[pos++] = '.';
        for (int place = 0; place < dscale; place += 4) {
            int index = weight + 1 + place / 4; /* the fraction's group place/4 */
            int digit = index >= 0 && index < ndigits ? get_int16(bytes + 8 + 2 * index) : 0;
            char group[4];
            put_group(group, digit);
            for (int k = 0; k < 4 && place + k < dscale; k++) {
                text[pos++] = group[k]; /* digits past dscale are truncated, as numeric_recv */
            }
        }
    }
    text[pos] = '\0';
    return text;
}
