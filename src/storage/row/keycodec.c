/*
 * storage/row/keycodec.c - memcomparable key encoding (format in keycodec.h).
 *
 * Descending columns are encoded ascending and then inverted byte by byte;
 * the decoder reads through an xor mask instead of copying. Every read is
 * bounds-checked: keys come from disk.
 */
#include "storage/row/keycodec.h"

#include <math.h>
#include <string.h>

#include "types/numeric.h"

#define USECS_PER_DAY INT64_C(86400000000)

enum {
    NUM_NEG_INF = 0x01, NUM_NEG = 0x02, NUM_ZERO = 0x03, NUM_POS = 0x04, NUM_POS_INF = 0x05,
    NUM_NAN = 0x06,
};

static const unsigned __int128 POW10_38 =
    (unsigned __int128)10000000000000000000ULL * 10000000000000000000ULL;

size_t keycodec_value_size_max(const Value *value)
{
    if (value->is_null) {
        return 1;
    }
    switch (type_phys(value->type.id)) {
    case PHYS_BOOL:
        return 2;
    case PHYS_I64:
    case PHYS_F64:
        return 9;
    case PHYS_DECIMAL:
        if (numeric_is_big(&value->dec)) {
            /* marker, tag, escaped exponent (6), the digits themselves as
             * scratch (encode_big_decimal), terminator */
            return 1 + 1 + 8 + (size_t)value->dec.big.len * 5 / 2 + 4 + 1;
        }
        return 1 + 1 + 2 + 21 + 1;
    case PHYS_STRING:
        return 1 + 2 * (size_t)value->str.len + 2;
    case PHYS_INTERVAL:
    case PHYS_UUID:
        return 17;
    }
    return 1;
}

static size_t put_be64(uint8_t *out, uint64_t value)
{
    for (int pos = 7; pos >= 0; pos--) {
        out[pos] = (uint8_t)value;
        value >>= 8;
    }
    return 8;
}

/* Writes the biased exponent: u16 E + 0x8000, or for E >= 0x7FFF (only big
 * values reach it) 0xFFFF then u32 E + 0x80000000, both big-endian. */
static size_t put_exponent(int64_t exponent, uint8_t *out)
{
    if (exponent < 0x7FFF) {
        uint32_t biased = (uint32_t)(exponent + 0x8000);
        out[0] = (uint8_t)(biased >> 8);
        out[1] = (uint8_t)biased;
        return 2;
    }
    uint32_t biased = (uint32_t)(exponent + 0x80000000LL);
    out[0] = out[1] = 0xFF;
    for (int pos = 0; pos < 4; pos++) {
        out[2 + pos] = (uint8_t)(biased >> (24 - 8 * pos));
    }
    return 6;
}

/* A big value: its decimal digits are written as scratch at out + 8, where
 * the pairs written from out + 1 on never overtake them. */
static size_t encode_big_decimal(const Decimal *dec, uint8_t *out)
{
    char *digits = (char *)out + 8;
    int scale;
    size_t count = numeric_digits_into(dec, digits, &scale);
    while (count > 1 && digits[count - 1] == '0') {
        count--;
        scale--;
    }
    bool negative = dec->big.negative;
    out[0] = negative ? NUM_NEG : NUM_POS;
    size_t len = 1 + put_exponent((int64_t)count - scale, out + 1);
    for (size_t pos = 0; pos < count; pos += 2) {
        int high = digits[pos] - '0';
        int low = pos + 1 < count ? digits[pos + 1] - '0' : 0;
        out[len++] = (uint8_t)(high * 10 + low + 1);
    }
    out[len++] = 0x00;
    if (negative) {
        for (size_t pos = 1; pos < len; pos++) {
            out[pos] = (uint8_t)~out[pos];
        }
    }
    return len;
}

static size_t encode_decimal(const Decimal *dec, uint8_t *out)
{
    if (numeric_is_big(dec) && dec->big.len > 0) {
        return encode_big_decimal(dec, out);
    }
    if (numeric_is_big(dec)) {
        out[0] = NUM_ZERO; /* zero with more than 38 fraction digits */
        return 1;
    }
    if (dec->flags == DECIMAL_NAN || dec->flags == DECIMAL_POS_INF ||
        dec->flags == DECIMAL_NEG_INF) {
        out[0] = dec->flags == DECIMAL_NAN ? NUM_NAN
                                           : (dec->flags == DECIMAL_POS_INF ? NUM_POS_INF
                                                                            : NUM_NEG_INF);
        return 1;
    }
    if (dec->coef == 0) {
        out[0] = NUM_ZERO;
        return 1;
    }
    bool negative = dec->coef < 0;
    unsigned __int128 magnitude = negative ? (unsigned __int128)(-dec->coef)
                                           : (unsigned __int128)dec->coef;
    int scale = dec->scale;
    while (magnitude % 10 == 0) {
        magnitude /= 10;
        scale--;
    }
    uint8_t digits[40];
    int digit_count = 0;
    while (magnitude > 0) {
        digits[digit_count++] = (uint8_t)(magnitude % 10);
        magnitude /= 10;
    }
    /* digits[] holds them least significant first. */
    int exponent = digit_count - scale;
    out[0] = negative ? NUM_NEG : NUM_POS;
    size_t len = 1;
    uint32_t biased = (uint32_t)(exponent + 0x8000);
    out[len++] = (uint8_t)(biased >> 8);
    out[len++] = (uint8_t)biased;
    for (int pos = digit_count - 1; pos >= 0; pos -= 2) {
        int high = digits[pos];
        int low = pos >= 1 ? digits[pos - 1] : 0;
        out[len++] = (uint8_t)(high * 10 + low + 1);
    }
    out[len++] = 0x00;
    if (negative) {
        for (size_t pos = 1; pos < len; pos++) {
            out[pos] = (uint8_t)~out[pos];
        }
    }
    return len;
}

static size_t encode_body(const Value *value, uint8_t *out)
{
    switch (type_phys(value->type.id)) {
    case PHYS_BOOL:
        out[0] = value->b ? 1 : 0;
        return 1;
    case PHYS_I64:
        return put_be64(out, (uint64_t)value->i64 ^ (UINT64_C(1) << 63));
    case PHYS_F64: {
        double f = value->f64;
        uint64_t bits;
        if (isnan(f)) {
            bits = UINT64_C(0x7FF8000000000000);
        } else if (f == 0.0) {
            bits = 0;
        } else {
            memcpy(&bits, &f, sizeof bits);
        }
        bits = (bits >> 63) ? ~bits : bits ^ (UINT64_C(1) << 63);
        return put_be64(out, bits);
    }
    case PHYS_DECIMAL:
        return encode_decimal(&value->dec, out);
    case PHYS_STRING: {
        size_t len = 0;
        for (uint32_t pos = 0; pos < value->str.len; pos++) {
            uint8_t byte = (uint8_t)value->str.ptr[pos];
            out[len++] = byte;
            if (byte == 0x00) {
                out[len++] = 0xFF;
            }
        }
        out[len++] = 0x00;
        out[len++] = 0x01;
        return len;
    }
    case PHYS_INTERVAL: {
        __int128 span = (__int128)value->iv.micros +
                        ((__int128)value->iv.months * 30 + value->iv.days) * USECS_PER_DAY;
        unsigned __int128 bits = (unsigned __int128)span ^ ((unsigned __int128)1 << 127);
        put_be64(out, (uint64_t)(bits >> 64));
        put_be64(out + 8, (uint64_t)bits);
        return 16;
    }
    case PHYS_UUID:
        memcpy(out, value->uuid.bytes, 16);
        return 16;
    }
    return 0;
}

size_t keycodec_encode_value(const Value *value, bool descending, uint8_t *out)
{
    size_t len;
    if (value->is_null) {
        out[0] = KEYCODEC_NULL;
        len = 1;
    } else {
        out[0] = KEYCODEC_NOT_NULL;
        len = 1 + encode_body(value, out + 1);
    }
    if (descending) {
        for (size_t pos = 0; pos < len; pos++) {
            out[pos] = (uint8_t)~out[pos];
        }
    }
    return len;
}

int keycodec_encode(Arena *arena, const Value *values, const bool *descending, int count,
                    const uint8_t *suffix, size_t suffix_len, uint8_t **out, size_t *out_len,
                    Error *err)
{
    size_t size = suffix_len;
    for (int col = 0; col < count; col++) {
        size += keycodec_value_size_max(&values[col]);
    }
    uint8_t *buf = arena_alloc(arena, size > 0 ? size : 1);
    if (buf == NULL) {
        return arena_error(arena, err);
    }
    size_t len = 0;
    for (int col = 0; col < count; col++) {
        bool is_descending = descending != NULL && descending[col];
        len += keycodec_encode_value(&values[col], is_descending, buf + len);
    }
    if (suffix_len > 0) {
        memcpy(buf + len, suffix, suffix_len);
        len += suffix_len;
    }
    *out = buf;
    *out_len = len;
    return STRATA_OK;
}

/* ---- Decoding ------------------------------------------------------------------ */

typedef struct Reader {
    const uint8_t *data;
    size_t len, pos;
    uint8_t mask;       /* 0xFF for descending columns */
    bool failed;
} Reader;

static uint8_t read_byte(Reader *reader)
{
    if (reader->pos >= reader->len) {
        reader->failed = true;
        return 0;
    }
    return (uint8_t)(reader->data[reader->pos++] ^ reader->mask);
}

static uint64_t read_be64(Reader *reader)
{
    uint64_t value = 0;
    for (int pos = 0; pos < 8; pos++) {
        value = (value << 8) | read_byte(reader);
    }
    return value;
}

/* The digits of a big value from the pairs at reader->pos into arena (NULL:
 * only step over them). */
static bool decode_big_decimal(Reader *reader, uint8_t flip, bool negative, int64_t exponent,
                               Arena *arena, Decimal *out, bool *nomem)
{
    size_t start = reader->pos, pair_count = 0;
    for (;;) {
        uint8_t byte = (uint8_t)(read_byte(reader) ^ flip);
        if (reader->failed || byte > 100) {
            return false;
        }
        if (byte == 0) {
            break;
        }
        pair_count++;
    }
    if (pair_count == 0 || arena == NULL) {
        return pair_count > 0;
    }
    char *digits = arena_alloc(arena, pair_count * 2);
    if (digits == NULL) {
        *nomem = true;
        return false;
    }
    size_t count = 0;
    for (size_t pair = 0; pair < pair_count; pair++) {
        int value = (uint8_t)((reader->data[start + pair] ^ reader->mask) ^ flip) - 1;
        digits[count++] = (char)('0' + value / 10);
        digits[count++] = (char)('0' + value % 10);
    }
    if (digits[count - 1] == '0') {
        count--; /* a lone last digit */
    }
    return numeric_from_digits(negative, digits, count, (int64_t)count - exponent, arena, out,
                               NULL) == STRATA_OK;
}

static bool decode_decimal(Reader *reader, Arena *arena, Decimal *out, bool *nomem)
{
    memset(out, 0, sizeof *out);
    uint8_t tag = read_byte(reader);
    switch (tag) {
    case NUM_NAN:
        out->flags = DECIMAL_NAN;
        return true;
    case NUM_POS_INF:
        out->flags = DECIMAL_POS_INF;
        return true;
    case NUM_NEG_INF:
        out->flags = DECIMAL_NEG_INF;
        return true;
    case NUM_ZERO:
        return true;
    case NUM_POS:
    case NUM_NEG:
        break;
    default:
        return false;
    }
    uint8_t flip = tag == NUM_NEG ? 0xFF : 0x00;
    uint32_t biased = (uint32_t)((uint8_t)(read_byte(reader) ^ flip) << 8) |
                      (uint8_t)(read_byte(reader) ^ flip);
    int64_t exponent = (int64_t)biased - 0x8000;
    if (biased == 0xFFFF) {
        biased = 0;
        for (int pos = 0; pos < 4; pos++) {
            biased = biased << 8 | (uint8_t)(read_byte(reader) ^ flip);
        }
        exponent = (int64_t)biased - 0x80000000LL;
    }
    size_t start = reader->pos;
    unsigned __int128 coef = 0;
    int digit_count = 0;
    bool is_big = false;
    for (;;) {
        uint8_t byte = (uint8_t)(read_byte(reader) ^ flip);
        if (reader->failed || byte > 100) {
            return false;
        }
        if (byte == 0) {
            break;
        }
        if (digit_count >= 38) {
            is_big = true;
            break;
        }
        coef = coef * 100 + (unsigned)(byte - 1);
        digit_count += 2;
    }
    int64_t scale = digit_count - exponent;
    while (!is_big && scale > 0 && coef % 10 == 0 && coef != 0) {
        coef /= 10;
        scale--;
    }
    for (; !is_big && scale < 0; scale++) {
        is_big = coef >= POW10_38 / 10; /* checked before it could wrap */
        coef *= 10;
    }
    if (is_big || coef >= POW10_38 || scale > DECIMAL_SCALE_MAX) {
        reader->pos = start;
        return decode_big_decimal(reader, flip, tag == NUM_NEG, exponent, arena, out, nomem);
    }
    if (digit_count == 0) {
        return false;
    }
    out->coef = tag == NUM_NEG ? -(__int128)coef : (__int128)coef;
    out->scale = (int16_t)scale;
    return true;
}

/* Reads an escaped string; copies it into arena when arena is not NULL. */
static bool decode_string(Reader *reader, Arena *arena, StrRef *out, bool *nomem)
{
    size_t start = reader->pos, length = 0;
    for (;;) {
        uint8_t byte = read_byte(reader);
        if (reader->failed) {
            return false;
        }
        if (byte == 0x00) {
            uint8_t next = read_byte(reader);
            if (next == 0x01) {
                break;
            }
            if (next != 0xFF || reader->failed) {
                return false;
            }
        }
        length++;
    }
    if (length > UINT32_MAX) {
        return false;
    }
    out->len = (uint32_t)length;
    out->ptr = "";
    if (arena == NULL || length == 0) {
        return true;
    }
    char *copy = arena_alloc(arena, length);
    if (copy == NULL) {
        *nomem = true;
        return false;
    }
    size_t pos = start, written = 0;
    while (written < length) {
        uint8_t byte = (uint8_t)(reader->data[pos++] ^ reader->mask);
        if (byte == 0x00) {
            pos++;
        }
        copy[written++] = (char)byte;
    }
    out->ptr = copy;
    return true;
}

static bool decode_body(Reader *reader, TypeId type, Arena *arena, Value *out, bool *nomem)
{
    switch (type_phys(type)) {
    case PHYS_BOOL: {
        uint8_t byte = read_byte(reader);
        out->b = byte != 0;
        return byte <= 1;
    }
    case PHYS_I64:
        out->i64 = (int64_t)(read_be64(reader) ^ (UINT64_C(1) << 63));
        return true;
    case PHYS_F64: {
        uint64_t bits = read_be64(reader);
        bits = (bits >> 63) ? bits ^ (UINT64_C(1) << 63) : ~bits;
        memcpy(&out->f64, &bits, sizeof bits);
        return true;
    }
    case PHYS_DECIMAL:
        return decode_decimal(reader, arena, &out->dec, nomem);
    case PHYS_STRING:
        return decode_string(reader, arena, &out->str, nomem);
    case PHYS_INTERVAL: {
        unsigned __int128 bits = (unsigned __int128)read_be64(reader) << 64;
        bits |= read_be64(reader);
        __int128 span = (__int128)(bits ^ ((unsigned __int128)1 << 127));
        __int128 days = span / USECS_PER_DAY;
        if (days > INT32_MAX || days < INT32_MIN) {
            return false;
        }
        out->iv.months = 0;
        out->iv.days = (int32_t)days;
        out->iv.micros = (int64_t)(span - days * USECS_PER_DAY);
        return true;
    }
    case PHYS_UUID:
        for (int pos = 0; pos < 16; pos++) {
            out->uuid.bytes[pos] = read_byte(reader);
        }
        return true;
    }
    return false;
}

static int decode_values(const uint8_t *key, size_t key_len, const SqlType *types,
                         const bool *descending, int count, Arena *arena, Value *out,
                         size_t *consumed, Error *err)
{
    Reader reader = {key, key_len, 0, 0, false};
    for (int col = 0; col < count; col++) {
        reader.mask = descending != NULL && descending[col] ? 0xFF : 0x00;
        Value scratch;
        Value *value = out != NULL ? &out[col] : &scratch;
        memset(value, 0, sizeof *value);
        value->type = types[col];
        uint8_t marker = read_byte(&reader);
        bool nomem = false;
        if (marker == KEYCODEC_NULL) {
            value->is_null = true;
        } else if (marker != KEYCODEC_NOT_NULL ||
                   !decode_body(&reader, types[col].id, out != NULL ? arena : NULL, value,
                                &nomem)) {
            if (nomem) {
                return arena_error(arena, err);
            }
            return error_corrupt(err, "malformed key: column %d at byte %zu", col + 1, reader.pos);
        }
        if (reader.failed) {
            return error_corrupt(err, "malformed key: column %d is truncated", col + 1);
        }
    }
    if (consumed != NULL) {
        *consumed = reader.pos;
    }
    return STRATA_OK;
}

int keycodec_decode(const uint8_t *key, size_t key_len, const SqlType *types,
                    const bool *descending, int count, Arena *arena, Value *out,
                    size_t *consumed, Error *err)
{
    return decode_values(key, key_len, types, descending, count, arena, out, consumed, err);
}

int keycodec_skip(const uint8_t *key, size_t key_len, const SqlType *types,
                  const bool *descending, int count, size_t *consumed, Error *err)
{
    return decode_values(key, key_len, types, descending, count, NULL, NULL, consumed, err);
}

bool keycodec_is_lossless(TypeId type)
{
    switch (type) {
    case TYPE_NUMERIC:
    case TYPE_INTERVAL:
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        return false;
    default:
        return true;
    }
}

bool keycodec_prefix_successor(const uint8_t *prefix, size_t prefix_len, uint8_t *out,
                               size_t *out_len)
{
    size_t len = prefix_len;
    while (len > 0 && prefix[len - 1] == 0xFF) {
        len--;
    }
    if (len == 0) {
        return false;
    }
    memcpy(out, prefix, len);
    out[len - 1]++;
    *out_len = len;
    return true;
}
