/*
 * types/numeric_format.c - to_char(number, format) (see numeric.h).
 *
 * The format is scanned once into positions: digit places (9 = blank when
 * not needed, 0 = always a digit), the decimal point (. or D), group
 * separators (, or G), sign places (S, MI, PL, SG), EEEE, the FM prefix, and
 * literal characters. Without an explicit S/MI/SG the output reserves one
 * place for the sign right before the first digit, as PostgreSQL does; a
 * value with more integer digits than the format allows prints '#' in every
 * digit place.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "types/numeric.h"
#include "types/numeric_big.h"

typedef struct NumFormat {
    int int_places, frac_places;
    int zero_start; /* index of the first '0' integer place, or int_places */
    bool has_point, fill_mode, eeee, sign_s, s_leading, sign_mi, sign_pl, sign_sg;
    char frac_kind[64]; /* '9' or '0' per fraction place */
} NumFormat;

static void scan_format(const char *f, size_t n, NumFormat *nf)
{
    memset(nf, 0, sizeof *nf);
    nf->zero_start = -1;
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if ((c == 'F' || c == 'f') && i + 1 < n && (f[i + 1] == 'M' || f[i + 1] == 'm')) {
            nf->fill_mode = true;
            i++;
        } else if (c == '9' || c == '0') {
            if (nf->has_point) {
                if (nf->frac_places < (int)sizeof nf->frac_kind) {
                    nf->frac_kind[nf->frac_places++] = c;
                }
            } else {
                if (c == '0' && nf->zero_start < 0) {
                    nf->zero_start = nf->int_places;
                }
                nf->int_places++;
            }
        } else if (c == '.' || c == 'D' || c == 'd') {
            nf->has_point = true;
        } else if ((c == 'E' || c == 'e') && i + 3 < n && strncasecmp(f + i, "EEEE", 4) == 0) {
            nf->eeee = true;
            i += 3;
        } else if ((c == 'S' || c == 's') && i + 1 < n && (f[i + 1] == 'G' || f[i + 1] == 'g')) {
            nf->sign_sg = true;
            i++;
        } else if (c == 'S' || c == 's') {
            nf->sign_s = true;
            if (nf->int_places == 0 && !nf->has_point) {
                nf->s_leading = true;
            }
        } else if ((c == 'M' || c == 'm') && i + 1 < n && (f[i + 1] == 'I' || f[i + 1] == 'i')) {
            nf->sign_mi = true;
            i++;
        } else if ((c == 'P' || c == 'p') && i + 1 < n && (f[i + 1] == 'L' || f[i + 1] == 'l')) {
            nf->sign_pl = true;
            i++;
        }
    }
    if (nf->zero_start < 0) {
        nf->zero_start = nf->int_places;
    }
}

typedef struct Out {
    char *buf;
    size_t length, cap;
} Out;

static void put(Out *o, char c)
{
    if (o->length + 1 < o->cap) {
        o->buf[o->length++] = c;
    }
}

/* The sign that goes right before the first digit: the reserved slot (or
 * only '-' in fill mode), or a leading S. */
static void put_sign(Out *o, const NumFormat *nf, bool sign_slot, bool negative)
{
    if (sign_slot && !(nf->fill_mode && !negative)) {
        put(o, negative ? '-' : ' ');
    }
    if (nf->s_leading) {
        put(o, negative ? '-' : '+');
    }
}

int numeric_to_char(const Decimal *value, const char *format, size_t format_length, char *buf,
                    size_t cap)
{
    NumFormat nf;
    scan_format(format, format_length, &nf);
    Out o = {buf, 0, cap};
    if (!numeric_is_finite(value)) {
        /* PostgreSQL prints NaN / Infinity as '#' in every digit place. */
        for (int i = 0; i < nf.int_places + nf.frac_places + (nf.has_point ? 1 : 0) + 1; i++) {
            put(&o, i == 0 ? ' ' : '#');
        }
        buf[o.length] = '\0';
        return (int)o.length;
    }
    Decimal rounded = *value;
    int exponent = 0;
    Error ignored;
    if (nf.eeee && numeric_is_big(value)) {
        /* the mantissa of a big value, rounded: always the fast form */
        exponent = (int)big_leading_exponent(value);
        if (big_shift_round(value, exponent, nf.frac_places, &rounded, &ignored) != STRATA_OK) {
            rounded = numeric_make(0, 0);
        }
    } else if (nf.eeee && value->coef != 0) {
        exponent = numeric_digit_count(value->coef) - 1 - value->scale;
        rounded.scale = (int16_t)(rounded.scale + exponent);
        if (rounded.scale < 0) {
            rounded.coef *= numeric_pow10(-rounded.scale);
            rounded.scale = 0;
        }
    }
    if (numeric_round(&rounded, nf.frac_places, &rounded, &ignored) != STRATA_OK) {
        rounded = numeric_make(0, 0);
    }
    if (nf.eeee && !numeric_is_big(&rounded) &&
        (rounded.coef < 0 ? -rounded.coef : rounded.coef) >= numeric_pow10(rounded.scale + 1)) {
        exponent++; /* 9.99 rounded up to 10.0 */
        rounded.coef /= 10;
    }
    bool negative = big_sign(&rounded) < 0;
    char text_small[NUMERIC_TEXT_MAX];
    char *text = text_small;
    Decimal magnitude;
    numeric_abs(&rounded, &magnitude);
    if (numeric_is_big(&magnitude)) {
        Arena *arena = big_current_arena();
        text = arena != NULL ? arena_alloc(arena, numeric_text_size(&magnitude)) : NULL;
        if (text == NULL) {
            text = text_small;
            magnitude = numeric_make(0, 0);
        }
    }
    numeric_format(&magnitude, text);
    char *point = strchr(text, '.');
    const char *int_digits = text;
    size_t int_count = point ? (size_t)(point - text) : strlen(text);
    if (int_count == 1 && int_digits[0] == '0') {
        int_count = 0;
    }
    const char *frac_digits = point ? point + 1 : "";
    bool overflow = (int)int_count > nf.int_places;
    int first_digit_place = nf.int_places - (int)int_count;
    bool zero_only = int_count == 0 && nf.frac_places == 0 && nf.int_places > 0;
    bool sign_slot = !nf.sign_s && !nf.sign_mi && !nf.sign_sg;
    bool sign_done = false;
    int place = 0, frac_place = 0;
    bool past_point = false, printed = false;
    for (size_t i = 0; i < format_length; i++) {
        char c = format[i];
        if ((c == 'F' || c == 'f') && i + 1 < format_length &&
            (format[i + 1] == 'M' || format[i + 1] == 'm')) {
            i++;
            continue;
        }
        if (c == '9' || c == '0') {
            if (!past_point) {
                bool digit = place >= first_digit_place || place >= nf.zero_start ||
                             (zero_only && place == nf.int_places - 1);
                if ((digit || overflow) && !sign_done) {
                    put_sign(&o, &nf, sign_slot, negative);
                    sign_done = true;
                }
                if (overflow) {
                    put(&o, '#');
                } else if (place >= first_digit_place) {
                    put(&o, int_digits[place - first_digit_place]);
                    printed = true;
                } else if (digit) {
                    put(&o, '0');
                    printed = true;
                } else if (!nf.fill_mode) {
                    put(&o, ' ');
                }
                place++;
            } else {
                char d = overflow ? '#' : (frac_digits[frac_place] ? frac_digits[frac_place] : '0');
                bool trailing_zero_nine = true;
                for (int k = frac_place; k < nf.frac_places; k++) {
                    char dk = frac_digits[k] ? frac_digits[k] : '0';
                    if (dk != '0' || nf.frac_kind[k] == '0') {
                        trailing_zero_nine = false;
                    }
                }
                if (!(nf.fill_mode && trailing_zero_nine && !overflow)) {
                    put(&o, d);
                }
                frac_place++;
            }
            continue;
        }
        if (c == '.' || c == 'D' || c == 'd') {
            if (!sign_done) {
                put_sign(&o, &nf, sign_slot, negative);
                sign_done = true;
            }
            put(&o, '.');
            past_point = true;
            continue;
        }
        if (c == ',' || c == 'G' || c == 'g') {
            if (printed || overflow) {
                put(&o, overflow ? '#' : ',');
            } else if (!nf.fill_mode) {
                put(&o, ' ');
            }
            continue;
        }
        if ((c == 'E' || c == 'e') && i + 3 < format_length &&
            strncasecmp(format + i, "EEEE", 4) == 0) {
            char e[16];
            int n = snprintf(e, sizeof e, "e%c%02d", exponent < 0 ? '-' : '+',
                             exponent < 0 ? -exponent : exponent);
            for (int k = 0; k < n; k++) {
                put(&o, e[k]);
            }
            i += 3;
            continue;
        }
        if ((c == 'S' || c == 's') && i + 1 < format_length &&
            (format[i + 1] == 'G' || format[i + 1] == 'g')) {
            put(&o, negative ? '-' : '+');
            i++;
            continue;
        }
        if (c == 'S' || c == 's') {
            if (!nf.s_leading) {
                put(&o, negative ? '-' : '+');
            }
            continue;
        }
        if ((c == 'M' || c == 'm') && i + 1 < format_length &&
            (format[i + 1] == 'I' || format[i + 1] == 'i')) {
            if (negative) {
                put(&o, '-');
            } else if (!nf.fill_mode) {
                put(&o, ' ');
            }
            i++;
            continue;
        }
        if ((c == 'P' || c == 'p') && i + 1 < format_length &&
            (format[i + 1] == 'L' || format[i + 1] == 'l')) {
            if (!negative) {
                put(&o, '+');
            } else if (!nf.fill_mode) {
                put(&o, ' ');
            }
            i++;
            continue;
        }
        put(&o, c);
    }
    buf[o.length] = '\0';
    return (int)o.length;
}

int numeric_from_char(const char *text, size_t length, const char *format, size_t format_length,
                      Decimal *out, Error *err)
{
    char digits[128];
    size_t n = 0, pos = 0;
    bool negative = false, point = false, any_digit = false;
    /* A sign (or blank) may occupy the reserved sign place before the number. */
    if (pos < length && (text[pos] == ' ' || text[pos] == '-' || text[pos] == '+')) {
        negative = text[pos] == '-';
        pos++;
    }
    for (size_t i = 0; i < format_length && pos <= length; i++) {
        char c = format[i];
        if ((c == 'F' || c == 'f') && i + 1 < format_length &&
            (format[i + 1] == 'M' || format[i + 1] == 'm')) {
            i++;
            continue;
        }
        if (pos >= length) {
            break;
        }
        char in = text[pos];
        if (c == '9' || c == '0') {
            if (in >= '0' && in <= '9' && n + 2 < sizeof digits) {
                digits[n++] = in;
                any_digit = true;
            } else if (in == '-' && !any_digit) {
                negative = true;
            } else if (in == '.' && !point) {
                /* fewer integer digits than places: the point ends the integer part */
                size_t k = i + 1;
                while (k < format_length && format[k] != '.' && (format[k] | 32) != 'd') {
                    k++;
                }
                if (k < format_length) {
                    digits[n++] = '.';
                    point = true;
                    i = k;
                }
            }
            pos++;
        } else if (c == '.' || c == 'D' || c == 'd') {
            if (in == '.') {
                if (!point && n + 2 < sizeof digits) {
                    digits[n++] = '.';
                }
                point = true;
                pos++;
            }
        } else if (c == 'S' || c == 's' ||
                   ((c == 'M' || c == 'm') && i + 1 < format_length &&
                    (format[i + 1] == 'I' || format[i + 1] == 'i'))) {
            if (in == '-' || in == '+') {
                negative = in == '-';
                pos++;
            }
            if (c == 'M' || c == 'm') {
                i++;
            }
        } else if ((c == 'P' || c == 'p') && i + 1 < format_length &&
                   (format[i + 1] == 'R' || format[i + 1] == 'r')) {
            i++;
        } else {
            pos++; /* a group separator or literal consumes one character */
        }
    }
    if (!any_digit) {
        return error_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                         "invalid input syntax for type numeric: \" \"");
    }
    int rc = numeric_parse(digits, n, out, err);
    if (rc == STRATA_OK && negative) {
        numeric_neg(out, out);
    }
    return rc;
}
