/*
 * slt/slt_render.c - rendering values the way the sqllogictest corpus
 * expects them, sort modes, and MD5 hashing of results (see slt.h).
 *
 * The expected results were produced by SQLite's harness, so the rules are
 * its C semantics: I truncates reals toward zero and takes a text's leading
 * integer; R is printf("%.3f") with ties away from zero (SQLite's own printf,
 * not glibc's round-half-even); T replaces each byte outside 0x20..0x7E with
 * '@' and shows the empty string as "(empty)".
 *
 * Invariants
 *   1. Rendering is pure: the same value and letter give the same string.
 *   2. R rounding works on the exact decimal expansion of the double, so a
 *      tie is a tie only when the binary value really is one (2.0625), and
 *      like SQLite's printf it keeps at most 16 significant digits
 *      (-9223372036854775808 prints as -9223372036854776000.000).
 */
#include "slt/slt.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

enum { REAL_DIGITS_SIZE = 512 };

int64_t slt_real_truncate(double value)
{
    if (isnan(value)) {
        return 0;
    }
    if (value >= 9223372036854775807.0) {
        return INT64_MAX;
    }
    if (value <= -9223372036854775808.0) {
        return INT64_MIN;
    }
    return (int64_t)value;
}

int64_t slt_text_leading_integer(const char *text)
{
    if (text == NULL) {
        return 0;
    }
    while (isspace((unsigned char)*text)) {
        text++;
    }
    bool is_negative = false;
    if (*text == '-' || *text == '+') {
        is_negative = *text == '-';
        text++;
    }
    /* Accumulate as a negative number so INT64_MIN fits; clamp on overflow. */
    int64_t value = 0;
    for (; isdigit((unsigned char)*text); text++) {
        int digit = *text - '0';
        if (value < (INT64_MIN + digit) / 10) {
            return is_negative ? INT64_MIN : INT64_MAX;
        }
        value = value * 10 - digit;
    }
    if (is_negative) {
        return value;
    }
    return value == INT64_MIN ? INT64_MAX : -value;
}

/* Adds one to the decimal digit string digits[0..last], carrying left.
 * Returns true if the carry ran off the front (the caller prepends '1'). */
static bool decimal_increment(char *digits, size_t last)
{
    for (size_t index = last + 1; index-- > 0;) {
        if (digits[index] == '.') {
            continue;
        }
        if (digits[index] == '9') {
            digits[index] = '0';
            continue;
        }
        digits[index]++;
        return false;
    }
    return true;
}

/* Index of the next digit after index in digits (skipping the point). */
static size_t next_digit(const char *digits, size_t index)
{
    index++;
    return digits[index] == '.' ? index + 1 : index;
}

void slt_format_real(double value, char *out, size_t out_size)
{
    if (isnan(value)) {
        snprintf(out, out_size, "NaN");
        return;
    }
    if (isinf(value)) {
        snprintf(out, out_size, value < 0 ? "-Inf" : "Inf");
        return;
    }
    /* SQLite prints "-" only for values below zero, so -0.0 is "0.000". */
    bool is_negative = value < 0.0;
    char digits[REAL_DIGITS_SIZE];
    /* 70 fractional digits are exact for every double at or above 2^-18;
     * smaller ones cannot sit on a tie at the third decimal. */
    snprintf(digits, sizeof digits, "%.70f", fabs(value));
    size_t keep = (size_t)(strchr(digits, '.') - digits) + 3; /* the third decimal */
    /* SQLite's printf keeps at most 16 significant digits: round at the 16th
     * significant digit when that comes before the third decimal. */
    size_t round_at = keep;
    size_t first = strcspn(digits, "123456789");
    if (first < keep) {
        size_t index = first;
        for (int significant = 1; significant < 16; significant++) {
            index = next_digit(digits, index);
        }
        round_at = index < keep ? index : keep;
    }
    bool round_up = digits[next_digit(digits, round_at)] >= '5';
    size_t index = next_digit(digits, round_at);
    for (; index <= keep; index = next_digit(digits, index)) {
        digits[index] = '0';
    }
    digits[keep + 1] = '\0';
    bool carried = round_up && decimal_increment(digits, round_at);
    snprintf(out, out_size, "%s%s%s", is_negative ? "-" : "", carried ? "1" : "", digits);
}

/* T: the text with "(empty)" and '@' for bytes outside 0x20..0x7E. */
static char *render_text(Arena *arena, const char *text, size_t length)
{
    if (text == NULL || length == 0) {
        return arena_strdup(arena, "(empty)");
    }
    char *out = arena_alloc(arena, length + 1);
    if (out == NULL) {
        return NULL;
    }
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = (unsigned char)text[index];
        out[index] = byte >= 0x20 && byte <= 0x7E ? (char)byte : '@';
    }
    out[length] = '\0';
    return out;
}

static double value_as_real(const SltValue *value)
{
    switch (value->kind) {
    case STRATA_INTEGER:
        return (double)value->integer;
    case STRATA_FLOAT:
        return value->real;
    default:
        return value->text != NULL ? strtod(value->text, NULL) : 0.0;
    }
}

static int64_t value_as_integer(const SltValue *value)
{
    switch (value->kind) {
    case STRATA_INTEGER:
        return value->integer;
    case STRATA_FLOAT:
        return slt_real_truncate(value->real);
    default:
        return slt_text_leading_integer(value->text);
    }
}

char *slt_render_value(Arena *arena, char type_letter, const SltValue *value)
{
    if (value->kind == STRATA_NULL) {
        return arena_strdup(arena, "NULL");
    }
    if (type_letter == 'I') {
        return arena_sprintf(arena, "%lld", (long long)value_as_integer(value));
    }
    if (type_letter == 'R') {
        char real[REAL_DIGITS_SIZE];
        slt_format_real(value_as_real(value), real, sizeof real);
        return arena_strdup(arena, real);
    }
    return render_text(arena, value->text, value->text_length);
}

static int compare_rows(const void *left, const void *right, void *argument)
{
    int column_count = *(const int *)argument;
    char *const *left_row = *(char *const *const *)left;
    char *const *right_row = *(char *const *const *)right;
    for (int column = 0; column < column_count; column++) {
        int order = strcmp(left_row[column], right_row[column]);
        if (order != 0) {
            return order;
        }
    }
    return 0;
}

static int compare_values(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

bool slt_sort_values(Arena *arena, char **values, size_t count, int column_count, SltSortMode mode)
{
    if (count == 0) {
        return true; /* values may be NULL: nothing to sort (qsort/memcpy need non-NULL) */
    }
    if (mode == SLT_SORT_VALUE) {
        qsort(values, count, sizeof(char *), compare_values);
        return true;
    }
    if (mode != SLT_SORT_ROW || column_count <= 0 || count % (size_t)column_count != 0) {
        return true;
    }
    size_t row_count = count / (size_t)column_count;
    char ***rows = arena_alloc(arena, (row_count + 1) * sizeof(char **));
    char **sorted = arena_alloc(arena, (count + 1) * sizeof(char *));
    if (rows == NULL || sorted == NULL) {
        return false;
    }
    for (size_t row = 0; row < row_count; row++) {
        rows[row] = values + row * (size_t)column_count;
    }
    qsort_r(rows, row_count, sizeof(char **), compare_rows, &column_count);
    for (size_t row = 0; row < row_count; row++) {
        memcpy(sorted + row * (size_t)column_count, rows[row],
               (size_t)column_count * sizeof(char *));
    }
    memcpy(values, sorted, count * sizeof(char *));
    return true;
}

void slt_md5_values(char *const *values, size_t count, char out[SLT_MD5_HEX_SIZE])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    out[0] = '\0';
    if (context == NULL) {
        return;
    }
    if (EVP_DigestInit_ex(context, EVP_md5(), NULL) == 1) {
        for (size_t index = 0; index < count; index++) {
            EVP_DigestUpdate(context, values[index], strlen(values[index]));
            EVP_DigestUpdate(context, "\n", 1);
        }
        EVP_DigestFinal_ex(context, digest, &digest_length);
    }
    EVP_MD_CTX_free(context);
    for (unsigned int index = 0; index < digest_length && index < 16; index++) {
        snprintf(out + 2 * index, 3, "%02x", digest[index]);
    }
}
