/*
 * shell/shell_copy.c - \copy, done on the client side (see shell.h).
 *
 * FROM: the shell reads the file (or its own input up to a "\." line), splits
 * each record (text format: delimiter, \N and backslash escapes; CSV: RFC
 * 4180 quoting, records may span lines) and runs one prepared
 * INSERT ... VALUES ($1, ...) per record with bound text parameters, all in
 * one transaction (its own, unless one is already open). TO: the shell runs
 * SELECT and writes each row in the chosen format. Both end with "COPY n".
 *
 * Invariants
 *   1. A failing record rolls back the whole load when the shell opened the
 *      transaction, and the error names the input line (CONTEXT).
 *   2. Reading from the shell's own input always consumes up to "\." (even
 *      after an error), so data lines are never run as SQL.
 */
#include "shell/shell.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/mem.h"

enum { PROGRESS_EVERY_ROWS = 10000 };

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
    } else if (strcasecmp(name, "null") == 0 && has_value) {
        snprintf(spec->null_text, sizeof spec->null_text, "%s", value);
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

/* ---- splitting records ---- */

typedef struct FieldList {
    char **fields;
    int count;
    int capacity;
} FieldList;

static bool field_push(Arena *arena, FieldList *list, char *field)
{
    if (list->count == list->capacity) {
        int capacity = list->capacity == 0 ? 16 : list->capacity * 2;
        char **grown = arena_realloc(arena, list->fields, (size_t)list->capacity * sizeof(char *),
                                     (size_t)capacity * sizeof(char *));
        if (grown == NULL) {
            return false;
        }
        list->fields = grown;
        list->capacity = capacity;
    }
    list->fields[list->count++] = field;
    return true;
}

int shell_csv_split(Arena *arena, const char *line, char delimiter, const char *null_text,
                    char ***fields)
{
    FieldList list = {0};
    size_t line_length = strlen(line);
    char *field = arena_alloc(arena, line_length + 1);
    if (field == NULL) {
        return -2;
    }
    for (const char *cursor = line;;) {
        size_t length = 0;
        bool was_quoted = false, in_quote = false;
        for (; *cursor != '\0'; cursor++) {
            if (in_quote) {
                if (*cursor == '"' && cursor[1] == '"') {
                    field[length++] = '"';
                    cursor++;
                } else if (*cursor == '"') {
                    in_quote = false;
                } else {
                    field[length++] = *cursor;
                }
            } else if (*cursor == delimiter) {
                break;
            } else if (*cursor == '"') {
                in_quote = was_quoted = true;
            } else {
                field[length++] = *cursor;
            }
        }
        if (in_quote) {
            return -1;
        }
        field[length] = '\0';
        bool is_null = !was_quoted && strcmp(field, null_text) == 0;
        if (!field_push(arena, &list, is_null ? NULL : arena_strdup(arena, field))) {
            return -2;
        }
        if (*cursor == '\0') {
            break;
        }
        cursor++;
    }
    *fields = list.fields;
    return list.count;
}

/* Text format: delimiter-separated, null_text for NULL, backslash escapes. */
static int text_split(Arena *arena, const char *line, char delimiter, const char *null_text,
                      char ***fields)
{
    FieldList list = {0};
    char *field = arena_alloc(arena, strlen(line) + 1);
    if (field == NULL) {
        return -2;
    }
    for (const char *cursor = line;;) {
        const char *start = cursor;
        size_t length = 0;
        for (; *cursor != '\0' && *cursor != delimiter; cursor++) {
            if (*cursor == '\\' && cursor[1] != '\0') {
                cursor++;
                static const char from[] = "bfnrtv", to[] = "\b\f\n\r\t\v";
                const char *escape = strchr(from, *cursor);
                field[length++] = escape != NULL ? to[escape - from] : *cursor;
            } else {
                field[length++] = *cursor;
            }
        }
        field[length] = '\0';
        bool is_null = (size_t)(cursor - start) == strlen(null_text) &&
                       strncmp(start, null_text, (size_t)(cursor - start)) == 0;
        if (!field_push(arena, &list, is_null ? NULL : arena_strdup(arena, field))) {
            return -2;
        }
        if (*cursor == '\0') {
            break;
        }
        cursor++;
    }
    *fields = list.fields;
    return list.count;
}

/* ---- running COPY FROM ---- */

typedef struct CopyInput {
    Shell *shell;
    InputSource *source;
    InputSource own;        /* a file or the process's stdin */
    bool is_shell_input;    /* the shell's own input: ends at "\." */
    char *line;             /* heap (mem_free) */
    size_t capacity;
    long line_number;
} CopyInput;

static bool copy_next_line(CopyInput *input)
{
    if (!shell_read_line(input->shell, input->source, &input->line, &input->capacity)) {
        return false;
    }
    input->line_number++;
    return strcmp(input->line, "\\.") != 0;
}

/* The next record's fields: >= 0 the count, -1 an unterminated quoted field,
 * -2 out of memory, -3 the end of the data. */
static int read_record(CopyInput *input, const CopySpec *spec, Arena *arena, char ***fields)
{
    if (!copy_next_line(input)) {
        return -3;
    }
    if (!spec->is_csv) {
        return text_split(arena, input->line, spec->delimiter, spec->null_text, fields);
    }
    char *record = arena_strdup(arena, input->line);
    for (;;) {
        if (record == NULL) {
            return -2;
        }
        int count = shell_csv_split(arena, record, spec->delimiter, spec->null_text, fields);
        if (count != -1) {
            return count;
        }
        if (!copy_next_line(input)) {
            return -1;
        }
        record = arena_sprintf(arena, "%s\n%s", record, input->line);
    }
}

/* Runs a statement without output; true if it completed. */
static bool exec_simple(Shell *shell, const char *sql)
{
    strata_stmt *stmt = NULL;
    if (strata_prepare(shell->db, sql, -1, &stmt, NULL) != STRATA_OK) {
        strata_finalize(stmt);
        return false;
    }
    int rc = STRATA_DONE;
    while (stmt != NULL && (rc = strata_step(stmt)) == STRATA_ROW) {
    }
    strata_finalize(stmt);
    return rc == STRATA_DONE;
}

static int count_columns(Shell *shell, const CopySpec *spec)
{
    if (spec->columns[0] != '\0') {
        int count = 1;
        char quote = 0;
        for (const char *cursor = spec->columns; *cursor != '\0'; cursor++) {
            if (quote != 0) {
                quote = *cursor == quote ? 0 : quote;
            } else if (*cursor == '"') {
                quote = '"';
            } else if (*cursor == ',') {
                count++;
            }
        }
        return count;
    }
    char sql[COPY_TEXT_MAX + 32];
    snprintf(sql, sizeof sql, "SELECT * FROM %s", spec->relation);
    strata_stmt *stmt = NULL;
    if (strata_prepare(shell->db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        shell_report_error(shell, sql);
        strata_finalize(stmt);
        return -1;
    }
    int count = strata_column_count(stmt);
    strata_finalize(stmt);
    return count;
}

static void copy_error(Shell *shell, const CopySpec *spec, const CopyInput *input,
                       const char *message)
{
    fflush(shell->out);
    if (message != NULL) {
        shell_print_error(stderr, NULL, message, "22P04", "", "", 0, NULL, false);
        shell->had_error = true;
    }
    fprintf(stderr, "CONTEXT:  COPY %s, line %ld\n", spec->relation, input->line_number);
}

static void show_progress(long rows, bool is_done)
{
    if (is_done) {
        fprintf(stderr, "\r%40s\r", "");
    } else {
        fprintf(stderr, "\rCOPY: %ld rows loaded", rows);
    }
}

/* Loads every record through the prepared INSERT; returns the row count or
 * -1 after printing the error. */
static long load_records(Shell *shell, const CopySpec *spec, CopyInput *input,
                         strata_stmt *insert, int column_count, const char *insert_sql)
{
    Arena *arena = arena_create(NULL, 0, "copy record");
    bool wants_progress = spec->target == COPY_FILE && isatty(STDERR_FILENO);
    long rows = 0;
    bool is_first = true;
    char **fields = NULL;
    int count;
    while (arena != NULL && (count = read_record(input, spec, arena, &fields)) != -3) {
        if (count >= 0 && is_first && spec->has_header) {
            is_first = false;
            arena_reset(arena);
            continue;
        }
        is_first = false;
        if (count < 0 || count != column_count) {
            copy_error(shell, spec, input,
                       count == -1 ? "unterminated CSV quoted field"
                       : count == -2 ? "out of memory reading COPY data"
                       : count < column_count ? "missing data for a column"
                                              : "extra data after last expected column");
            rows = -1;
            break;
        }
        for (int column = 0; column < column_count; column++) {
            if (fields[column] == NULL) {
                strata_bind_null(insert, column + 1);
            } else {
                strata_bind_text(insert, column + 1, fields[column], -1);
            }
        }
        shell_running_db = shell->db;
        int rc = strata_step(insert);
        shell_running_db = NULL;
        if (rc != STRATA_DONE) {
            shell_report_error(shell, insert_sql);
            copy_error(shell, spec, input, NULL);
            rows = -1;
            break;
        }
        strata_reset(insert);
        strata_clear_bindings(insert);
        arena_reset(arena);
        if (++rows % PROGRESS_EVERY_ROWS == 0 && wants_progress) {
            show_progress(rows, false);
        }
    }
    if (wants_progress && rows >= PROGRESS_EVERY_ROWS) {
        show_progress(rows, true);
    }
    arena_destroy(arena);
    return rows;
}

static char *insert_statement(Arena *arena, const CopySpec *spec, int column_count)
{
    char *sql = arena_sprintf(arena, "INSERT INTO %s %s VALUES (", spec->relation, spec->columns);
    for (int column = 0; sql != NULL && column < column_count; column++) {
        sql = arena_sprintf(arena, "%s%s$%d", sql, column > 0 ? ", " : "", column + 1);
    }
    return sql != NULL ? arena_sprintf(arena, "%s)", sql) : NULL;
}

static bool open_input(Shell *shell, const CopySpec *spec, CopyInput *input)
{
    input->shell = shell;
    if (spec->target == COPY_FILE) {
        FILE *file = fopen(spec->path, "r");
        if (file == NULL) {
            fprintf(stderr, "%s: %s\n", spec->path, strerror(errno));
            return false;
        }
        input->own = (InputSource){file, spec->path, 0, false, false};
        input->source = &input->own;
        return true;
    }
    if (spec->target == COPY_STDIN && shell->source != NULL && shell->source->file != NULL) {
        input->source = shell->source;
    } else {
        input->own = (InputSource){stdin, "<stdin>", 0, isatty(STDIN_FILENO) != 0, false};
        input->source = &input->own;
    }
    input->is_shell_input = true;
    if (input->source->is_interactive) {
        fprintf(stdout, "Enter data to be copied followed by a newline.\n"
                        "End with a backslash and a period on a line by itself, or an EOF "
                        "signal.\n");
    }
    return true;
}

static bool copy_from(Shell *shell, const CopySpec *spec)
{
    CopyInput input = {0};
    if (!open_input(shell, spec, &input)) {
        return false;
    }
    Arena *arena = arena_create(NULL, 0, "copy");
    int column_count = count_columns(shell, spec);
    char *sql = arena != NULL && column_count > 0 ? insert_statement(arena, spec, column_count)
                                                  : NULL;
    bool owns_txn = strata_txn_state(shell->db) == 0;
    strata_stmt *insert = NULL;
    long rows = -1;
    if (sql != NULL && owns_txn && !exec_simple(shell, "BEGIN")) {
        shell_report_error(shell, "BEGIN");
    } else if (sql != NULL && strata_prepare(shell->db, sql, -1, &insert, NULL) != STRATA_OK) {
        shell_report_error(shell, sql);
    } else if (sql != NULL && insert != NULL) {
        rows = load_records(shell, spec, &input, insert, column_count, sql);
    }
    strata_finalize(insert);
    if (sql != NULL && owns_txn) {
        if (rows >= 0 && !exec_simple(shell, "COMMIT")) {
            shell_report_error(shell, "COMMIT");
            rows = -1;
        } else if (rows < 0) {
            exec_simple(shell, "ROLLBACK");
        }
    }
    /* Data lines of the shell's own input must never run as SQL. */
    while (input.is_shell_input && rows < 0 && copy_next_line(&input)) {
    }
    if (rows >= 0 && !shell->is_quiet) {
        fprintf(shell->out, "COPY %ld\n", rows);
        fflush(shell->out);
    }
    if (input.source == &input.own && spec->target == COPY_FILE) {
        fclose(input.own.file);
    }
    mem_free(input.line);
    arena_destroy(arena);
    return rows >= 0;
}

/* ---- running COPY TO ---- */

static void write_text_field(FILE *out, const char *value, char delimiter)
{
    for (; *value != '\0'; value++) {
        switch (*value) {
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*value == delimiter) {
                fputc('\\', out);
            }
            fputc(*value, out);
        }
    }
}

static void write_csv_field(FILE *out, const char *value, char delimiter, const char *null_text)
{
    bool needs_quotes = value[0] == '\0' || strcmp(value, null_text) == 0 ||
                        strchr(value, delimiter) != NULL || strpbrk(value, "\"\n\r") != NULL;
    if (!needs_quotes) {
        fputs(value, out);
        return;
    }
    fputc('"', out);
    for (; *value != '\0'; value++) {
        if (*value == '"') {
            fputc('"', out);
        }
        fputc(*value, out);
    }
    fputc('"', out);
}

static void write_field(FILE *out, const CopySpec *spec, const char *value)
{
    if (value == NULL) {
        fputs(spec->null_text, out);
    } else if (spec->is_csv) {
        write_csv_field(out, value, spec->delimiter, spec->null_text);
    } else {
        write_text_field(out, value, spec->delimiter);
    }
}

static bool copy_to(Shell *shell, const CopySpec *spec)
{
    char sql[2 * COPY_TEXT_MAX + 32];
    if (spec->is_query) {
        snprintf(sql, sizeof sql, "%s", spec->relation);
    } else if (spec->columns[0] != '\0') {
        snprintf(sql, sizeof sql, "SELECT %.*s FROM %s", (int)strlen(spec->columns) - 2,
                 spec->columns + 1, spec->relation);
    } else {
        snprintf(sql, sizeof sql, "SELECT * FROM %s", spec->relation);
    }
    FILE *out = shell->out;
    if (spec->target == COPY_FILE) {
        out = fopen(spec->path, "w");
        if (out == NULL) {
            fprintf(stderr, "%s: %s\n", spec->path, strerror(errno));
            return false;
        }
    }
    strata_stmt *stmt = NULL;
    long rows = -1;
    if (strata_prepare(shell->db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        shell_report_error(shell, sql);
    } else {
        int column_count = strata_column_count(stmt);
        for (int column = 0; spec->has_header && column < column_count; column++) {
            fputs(column > 0 ? (char[]){spec->delimiter, '\0'} : "", out);
            write_field(out, spec, strata_column_name(stmt, column));
        }
        if (spec->has_header) {
            fputc('\n', out);
        }
        int rc;
        rows = 0;
        shell_running_db = shell->db;
        while ((rc = strata_step(stmt)) == STRATA_ROW) {
            for (int column = 0; column < column_count; column++) {
                if (column > 0) {
                    fputc(spec->delimiter, out);
                }
                write_field(out, spec, strata_column_text(stmt, column));
            }
            fputc('\n', out);
            rows++;
        }
        shell_running_db = NULL;
        if (rc != STRATA_DONE) {
            shell_report_error(shell, sql);
            rows = -1;
        }
    }
    strata_finalize(stmt);
    if (spec->target == COPY_FILE && fclose(out) != 0 && rows >= 0) {
        fprintf(stderr, "%s: %s\n", spec->path, strerror(errno));
        rows = -1;
    }
    if (rows >= 0 && !shell->is_quiet) {
        fprintf(shell->out, "COPY %ld\n", rows);
    }
    fflush(shell->out);
    return rows >= 0;
}

bool shell_copy(Shell *shell, const char *arguments)
{
    CopySpec spec;
    char error[256];
    if (!shell_copy_parse(arguments, &spec, error, sizeof error)) {
        fprintf(stderr, "%s\n", error);
        return false;
    }
    return spec.is_from ? copy_from(shell, &spec) : copy_to(shell, &spec);
}
