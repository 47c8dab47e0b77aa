/*
 * slt/slt_parse.c - sqllogictest records out of a file's text (see slt.h).
 *
 * Lines: a trailing '\r' is stripped; a line starting with '#' is a comment
 * and is dropped before records are formed, so it never separates two
 * records; a line of only whitespace is blank; one or more blank lines
 * separate records. The parser NUL-terminates lines in the caller's buffer
 * and records point into it, so parsing copies only what it joins (SQL).
 *
 * Invariants
 *   1. Every line is read once; parser->line is the number of the next one.
 *   2. A record never fails to parse: anything unexpected is
 *      SLT_RECORD_INVALID with a message naming the problem.
 */
#include "slt/slt.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct RecordLines {
    char **text;
    int *number;
    size_t count;
    size_t capacity;
} RecordLines;

void slt_parser_init(SltParser *parser, char *text, size_t length_bytes)
{
    parser->text = text;
    parser->length_bytes = length_bytes;
    parser->position = 0;
    parser->line = 1;
}

/* The next line, NUL-terminated in place with its '\r' stripped. */
static bool next_line(SltParser *parser, char **line, int *number)
{
    if (parser->position >= parser->length_bytes) {
        return false;
    }
    char *start = parser->text + parser->position;
    size_t left = parser->length_bytes - parser->position;
    char *newline = memchr(start, '\n', left);
    size_t length = newline != NULL ? (size_t)(newline - start) : left;
    start[length] = '\0';
    parser->position += length + 1;
    if (length > 0 && start[length - 1] == '\r') {
        start[length - 1] = '\0';
    }
    *line = start;
    *number = parser->line++;
    return true;
}

static bool line_is_blank(const char *line)
{
    for (; *line != '\0'; line++) {
        if (!isspace((unsigned char)*line)) {
            return false;
        }
    }
    return true;
}

static bool lines_push(Arena *arena, RecordLines *lines, char *text, int number)
{
    if (lines->count == lines->capacity) {
        size_t capacity = lines->capacity == 0 ? 16 : lines->capacity * 2;
        char **texts = arena_realloc(arena, lines->text, lines->capacity * sizeof(char *),
                                     capacity * sizeof(char *));
        int *numbers = arena_realloc(arena, lines->number, lines->capacity * sizeof(int),
                                     capacity * sizeof(int));
        if (texts == NULL || numbers == NULL) {
            return false;
        }
        lines->text = texts;
        lines->number = numbers;
        lines->capacity = capacity;
    }
    lines->text[lines->count] = text;
    lines->number[lines->count] = number;
    lines->count++;
    return true;
}

/* The word_index-th whitespace-separated word of line (arena), or NULL. */
static char *line_word(Arena *arena, const char *line, int word_index)
{
    int word = 0;
    const char *cursor = line;
    for (;;) {
        while (*cursor != '\0' && isspace((unsigned char)*cursor)) {
            cursor++;
        }
        if (*cursor == '\0') {
            return NULL;
        }
        const char *start = cursor;
        while (*cursor != '\0' && !isspace((unsigned char)*cursor)) {
            cursor++;
        }
        if (word == word_index) {
            return arena_strndup(arena, start, (size_t)(cursor - start));
        }
        word++;
    }
}

/* Joins lines [first, end) with '\n' into one arena string. */
static char *join_lines(Arena *arena, const RecordLines *lines, size_t first, size_t end)
{
    size_t total = 1;
    for (size_t index = first; index < end; index++) {
        total += strlen(lines->text[index]) + 1;
    }
    char *joined = arena_alloc(arena, total);
    if (joined == NULL) {
        return NULL;
    }
    size_t length = 0;
    for (size_t index = first; index < end; index++) {
        size_t part = strlen(lines->text[index]);
        if (index > first) {
            joined[length++] = '\n';
        }
        memcpy(joined + length, lines->text[index], part);
        length += part;
    }
    joined[length] = '\0';
    return joined;
}

static void set_invalid(SltRecord *record, const char *message, const char *word)
{
    record->kind = SLT_RECORD_INVALID;
    snprintf(record->message, sizeof record->message, "%s%s%.60s%s", message,
             word != NULL ? " \"" : "", word != NULL ? word : "", word != NULL ? "\"" : "");
}

/* "N values hashing to HASH" -> expected_is_hash. */
static void parse_hash_line(SltRecord *record)
{
    if (record->expected_count != 1) {
        return;
    }
    long count = 0;
    char hash[SLT_MD5_HEX_SIZE] = {0};
    int consumed = 0;
    if (sscanf(record->expected[0], "%ld values hashing to %32[0-9a-f]%n", &count, hash,
               &consumed) == 2 &&
        strlen(hash) == 32 && line_is_blank(record->expected[0] + consumed)) {
        record->expected_is_hash = true;
        record->hash_value_count = count;
        memcpy(record->hash, hash, sizeof hash);
    }
}

static void parse_query(Arena *arena, const RecordLines *lines, size_t header, SltRecord *record)
{
    const char *header_line = lines->text[header];
    record->kind = SLT_RECORD_QUERY;
    record->types = line_word(arena, header_line, 1);
    if (record->types == NULL) {
        set_invalid(record, "query record without column types", NULL);
        return;
    }
    for (const char *letter = record->types; *letter != '\0'; letter++) {
        if (*letter != 'I' && *letter != 'R' && *letter != 'T') {
            set_invalid(record, "unknown column type letter in", record->types);
            return;
        }
    }
    record->column_count = (int)strlen(record->types);
    char *sort = line_word(arena, header_line, 2);
    if (sort == NULL || strcmp(sort, "nosort") == 0) {
        record->sort = SLT_SORT_NONE;
    } else if (strcmp(sort, "rowsort") == 0) {
        record->sort = SLT_SORT_ROW;
    } else if (strcmp(sort, "valuesort") == 0) {
        record->sort = SLT_SORT_VALUE;
    } else {
        set_invalid(record, "unknown sort mode", sort);
        return;
    }
    record->label = line_word(arena, header_line, 3);
    size_t separator = header + 1;
    while (separator < lines->count && strcmp(lines->text[separator], "----") != 0) {
        separator++;
    }
    record->sql = join_lines(arena, lines, header + 1, separator);
    if (separator < lines->count) {
        record->expected = &lines->text[separator + 1];
        record->expected_count = lines->count - separator - 1;
    }
    parse_hash_line(record);
}

static void parse_header(Arena *arena, const RecordLines *lines, size_t header, SltRecord *record)
{
    char *kind = line_word(arena, lines->text[header], 0);
    if (kind == NULL) {
        set_invalid(record, "empty record", NULL);
    } else if (strcmp(kind, "statement") == 0) {
        char *mode = line_word(arena, lines->text[header], 1);
        record->kind = SLT_RECORD_STATEMENT;
        if (mode != NULL && strcmp(mode, "ok") == 0) {
            record->expect_error = false;
        } else if (mode != NULL && strcmp(mode, "error") == 0) {
            /* strata's extensions: an optional SQLSTATE the error must have (five
             * digits and capitals, at least one digit), then optional text that
             * must occur in its message. */
            char *code = line_word(arena, lines->text[header], 2);
            record->expect_error = true;
            bool is_code = code != NULL && strlen(code) == 5;
            bool has_digit = false;
            for (int k = 0; is_code && k < 5; k++) {
                is_code = isdigit((unsigned char)code[k]) || isupper((unsigned char)code[k]);
                has_digit |= isdigit((unsigned char)code[k]) != 0;
            }
            if (is_code && has_digit) {
                memcpy(record->expected_sqlstate, code, 6);
            }
            const char *rest = strstr(lines->text[header], "error") + strlen("error");
            while (isspace((unsigned char)*rest)) {
                rest++;
            }
            if (is_code && has_digit) {
                rest += 5;
                while (isspace((unsigned char)*rest)) {
                    rest++;
                }
            }
            size_t length = strlen(rest);
            while (length > 0 && isspace((unsigned char)rest[length - 1])) {
                length--;
            }
            record->expected_message = length > 0 ? arena_strndup(arena, rest, length) : NULL;
        } else {
            set_invalid(record, "statement record needs ok or error, got", mode ? mode : "");
            return;
        }
        record->sql = join_lines(arena, lines, header + 1, lines->count);
    } else if (strcmp(kind, "query") == 0) {
        parse_query(arena, lines, header, record);
    } else if (strcmp(kind, "hash-threshold") == 0) {
        char *number = line_word(arena, lines->text[header], 1);
        char *end = NULL;
        record->kind = SLT_RECORD_HASH_THRESHOLD;
        record->threshold = number != NULL ? strtol(number, &end, 10) : 0;
        if (number == NULL || *end != '\0' || record->threshold < 0) {
            set_invalid(record, "bad hash-threshold", number);
        }
    } else if (strcmp(kind, "halt") == 0) {
        record->kind = SLT_RECORD_HALT;
    } else {
        set_invalid(record, "unknown record type", kind);
    }
}

/* Reads the lines of the next record (comments dropped); false at the end. */
static bool read_record_lines(SltParser *parser, Arena *arena, RecordLines *lines)
{
    char *line;
    int number;
    while (next_line(parser, &line, &number)) {
        if (line[0] == '#') {
            continue;
        }
        if (line_is_blank(line)) {
            if (lines->count > 0) {
                return true;
            }
            continue;
        }
        if (!lines_push(arena, lines, line, number)) {
            return false;
        }
    }
    return lines->count > 0;
}

bool slt_parser_next(SltParser *parser, Arena *arena, SltRecord *record)
{
    RecordLines lines = {0};
    memset(record, 0, sizeof *record);
    record->threshold = SLT_HASH_THRESHOLD_DEFAULT;
    if (!read_record_lines(parser, arena, &lines)) {
        return false;
    }
    record->line = lines.number[0];
    size_t header = 0;
    while (header < lines.count) {
        char *word = line_word(arena, lines.text[header], 0);
        bool is_skipif = word != NULL && strcmp(word, "skipif") == 0;
        bool is_onlyif = word != NULL && strcmp(word, "onlyif") == 0;
        if (!is_skipif && !is_onlyif) {
            break;
        }
        char *engine = line_word(arena, lines.text[header], 1);
        if (engine != NULL && record->condition_count < SLT_CONDITIONS_MAX) {
            record->conditions[record->condition_count].is_skipif = is_skipif;
            record->conditions[record->condition_count].engine = engine;
            record->condition_count++;
        }
        header++;
    }
    if (header == lines.count) {
        set_invalid(record, "record holds only conditions", NULL);
        return !arena_failed(arena);
    }
    parse_header(arena, &lines, header, record);
    return !arena_failed(arena);
}

bool slt_record_is_skipped(const SltRecord *record, const char *engine)
{
    for (int index = 0; index < record->condition_count; index++) {
        const SltCondition *condition = &record->conditions[index];
        bool names_engine = strcasecmp(condition->engine, engine) == 0;
        if (condition->is_skipif == names_engine) {
            return true;
        }
    }
    return false;
}
