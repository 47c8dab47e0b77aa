/*
 * shell/shell_copy_format.c - \copy's pure part: parsing the command (see
 * shell.h). Kept apart from shell_copy.c so it is unit-tested without an
 * engine; the records themselves are read by the engine's COPY.
 *
 * Invariants
 *   1. Parsing never fails silently: false comes with a message.
 */
#include "shell/shell.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* ---- parsing the command ---- */

static const char *skip_spaces(const char *text)
{
    while (isspace((unsigned char)*text)) {
        text++;
    }
    return text;
}

/* Copies a parenthesized group starting at '(' (quotes respected) into out,
 * with or without its parentheses. Returns the text after ')' or NULL. */
static const char *read_group(const char *text, char *out, size_t out_size, bool keep_parens)
{
    int depth = 0;
    char quote = 0;
    const char *start = text;
    for (; *text != '\0'; text++) {
        if (quote != 0) {
            quote = *text == quote ? 0 : quote;
        } else if (*text == '\'' || *text == '"') {
            quote = *text;
        } else if (*text == '(') {
            depth++;
        } else if (*text == ')' && --depth == 0) {
            const char *from = keep_parens ? start : start + 1;
            size_t length = (size_t)(text - from) + (keep_parens ? 1 : 0);
            if (length >= out_size) {
                return NULL;
            }
            memcpy(out, from, length);
            out[length] = '\0';
            return text + 1;
        }
    }
    return NULL;
}

/* A relation name: bare characters and "quoted" parts, up to a space or '('. */
static const char *read_name(const char *text, char *out, size_t out_size)
{
    size_t length = 0;
    bool in_quote = false;
    for (; *text != '\0'; text++) {
        if (!in_quote && (isspace((unsigned char)*text) || *text == '(')) {
            break;
        }
        in_quote = *text == '"' ? !in_quote : in_quote;
        if (length + 1 >= out_size) {
            return NULL;
        }
        out[length++] = *text;
    }
    out[length] = '\0';
    return length > 0 ? text : NULL;
}

/* A word or a '...' string; *was_quoted tells which. */
static const char *read_token(const char *text, char *out, size_t out_size, bool *was_quoted)
{
    size_t length = 0;
    text = skip_spaces(text);
    *was_quoted = *text == '\'';
    if (*was_quoted) {
        for (text++; *text != '\0'; text++) {
            if (*text == '\'' && text[1] == '\'') {
                text++;
            } else if (*text == '\'') {
                text++;
                break;
            }
            if (length + 1 < out_size) {
                out[length++] = *text;
            }
        }
    } else {
        while (*text != '\0' && !isspace((unsigned char)*text) && *text != ',' &&
               *text != '(' && *text != ')') {
            if (length + 1 < out_size) {
                out[length++] = *text;
            }
            text++;
        }
    }
    out[length] = '\0';
    return text;
}

/* One option ("format csv", "header", "delimiter ';'", "null 'x'"). */
static bool apply_option(CopySpec *spec, const char *name, const char *value, bool has_value,
                         char *error, size_t error_size)
{
    if (strcasecmp(name, "format") == 0 && has_value) {
        if (strcasecmp(value, "csv") != 0 && strcasecmp(value, "text") != 0) {
            snprintf(error, error_size, "\\copy: format \"%s\" not supported", value);
            return false;
        }
        spec->is_csv = strcasecmp(value, "csv") == 0;
    } else if (strcasecmp(name, "csv") == 0) {
        spec->is_csv = true;
    } else if (strcasecmp(name, "text") == 0) {
        spec->is_csv = false;
    } else if (strcasecmp(name, "header") == 0) {
        spec->has_header = !has_value || strcasecmp(value, "true") == 0 ||
                           strcasecmp(value, "on") == 0 || strcmp(value, "1") == 0;
    } else if (strcasecmp(name, "delimiter") == 0 && has_value && strlen(value) == 1) {
        spec->delimiter = value[0];
    } else if (strcasecmp(name, "null") == 0 && has_value &&
               strlen(value) < sizeof spec->null_text) {
        snprintf(spec->null_text, sizeof spec->null_text, "%.63s", value);
    } else if (strcasecmp(name, "encoding") == 0 && has_value) {
        /* UTF-8 is the only encoding strata speaks; accepted for scripts. */
    } else {
        snprintf(error, error_size, "\\copy: option \"%s\" not recognized or missing a value",
                 name);
        return false;
    }
    return true;
}

/* WITH ( name [value], ... ) or the old forms (csv header delimiter 'x'). */
static bool parse_options(const char *text, CopySpec *spec, char *error, size_t error_size)
{
    char word[COPY_TEXT_MAX], value[COPY_TEXT_MAX];
    bool was_quoted, is_delimiter_set = false, is_null_set = false;
    text = skip_spaces(text);
    if (strncasecmp(text, "with", 4) == 0 && !isalnum((unsigned char)text[4])) {
        text = skip_spaces(text + 4);
    }
    bool in_list = *text == '(';
    text += in_list ? 1 : 0;
    for (;;) {
        text = skip_spaces(text);
        if (*text == ',') {
            text++;
            continue;
        }
        if (*text == '\0' || (in_list && *text == ')')) {
            break;
        }
        text = read_token(text, word, sizeof word, &was_quoted);
        if (word[0] == '\0') {
            snprintf(error, error_size, "\\copy: parse error at \"%.40s\"", text);
            return false;
        }
        const char *after = skip_spaces(text);
        if (strncasecmp(after, "as ", 3) == 0) {
            after += 3;
        }
        bool has_value = *after != '\0' && *after != ',' && *after != ')' &&
                         (in_list || *after == '\'' || strcasecmp(word, "format") == 0);
        if (has_value) {
            text = read_token(after, value, sizeof value, &was_quoted);
        }
        if (!apply_option(spec, word, has_value ? value : "", has_value, error, error_size)) {
            return false;
        }
        is_delimiter_set |= strcasecmp(word, "delimiter") == 0;
        is_null_set |= strcasecmp(word, "null") == 0;
    }
    if (!is_delimiter_set) {
        spec->delimiter = spec->is_csv ? ',' : '\t';
    }
    if (!is_null_set) {
        snprintf(spec->null_text, sizeof spec->null_text, "%s", spec->is_csv ? "" : "\\N");
    }
    return true;
}

bool shell_copy_parse(const char *arguments, CopySpec *spec, char *error, size_t error_size)
{
    memset(spec, 0, sizeof *spec);
    const char *text = skip_spaces(arguments);
    if (*text == '(') {
        spec->is_query = true;
        text = read_group(text, spec->relation, sizeof spec->relation, false);
    } else {
        text = read_name(text, spec->relation, sizeof spec->relation);
    }
    if (text == NULL) {
        snprintf(error, error_size, "\\copy: arguments required (table or (query))");
        return false;
    }
    text = skip_spaces(text);
    if (*text == '(') {
        text = read_group(text, spec->columns, sizeof spec->columns, true);
        if (text == NULL) {
            snprintf(error, error_size, "\\copy: unterminated column list");
            return false;
        }
    }
    char word[COPY_TEXT_MAX];
    bool was_quoted;
    text = read_token(text, word, sizeof word, &was_quoted);
    if (strcasecmp(word, "from") != 0 && strcasecmp(word, "to") != 0) {
        snprintf(error, error_size, "\\copy: expected FROM or TO, got \"%s\"", word);
        return false;
    }
    spec->is_from = strcasecmp(word, "from") == 0;
    text = read_token(text, spec->path, sizeof spec->path, &was_quoted);
    if (spec->path[0] == '\0') {
        snprintf(error, error_size, "\\copy: missing file name, stdin or stdout");
        return false;
    }
    static const char *const names[] = {"", "stdin", "stdout", "pstdin", "pstdout"};
    spec->target = COPY_FILE;
    for (int index = 1; !was_quoted && index < 5; index++) {
        if (strcasecmp(spec->path, names[index]) == 0) {
            spec->target = (CopyTarget)index;
        }
    }
    if (spec->is_query && spec->is_from) {
        snprintf(error, error_size, "\\copy: COPY FROM needs a table, not a query");
        return false;
    }
    return parse_options(text, spec, error, error_size);
}
