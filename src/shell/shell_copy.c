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
        return shell_text_split(arena, input->line, spec->delimiter, spec->null_text, fields);
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
    if (rows >= 0 && !shell->is_quiet && !shell->print.tuples_only) {
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

/* ---- COPY ... FROM STDIN / TO STDOUT run as SQL ---- */

/* Streams the shell's input up to a "\." line into a COPY FROM STDIN (as psql
 * does for the inline data of a script), and finishes it. The data lines are
 * consumed even after an error, so they never run as SQL. */
static int stream_copy_in(Shell *shell, strata_stmt *stmt)
{
    CopyInput input = {.shell = shell, .is_shell_input = true};
    if (shell->source != NULL && shell->source->file != NULL) {
        input.source = shell->source;
    } else {
        input.own = (InputSource){stdin, "<stdin>", 0, isatty(STDIN_FILENO) != 0, false};
        input.source = &input.own;
    }
    if (input.source->is_interactive) {
        fprintf(stdout, "Enter data to be copied followed by a newline.\n"
                        "End with a backslash and a period on a line by itself, or an EOF "
                        "signal.\n");
    }
    int rc = STRATA_OK;
    while (copy_next_line(&input)) {
        if (rc != STRATA_OK) {
            continue;
        }
        size_t length = strlen(input.line);
        input.line[length] = '\n'; /* the line buffer has room: shell_read_line keeps 2 bytes */
        shell_running_db = shell->db;
        rc = strata_copy_put(stmt, input.line, (int)length + 1);
        shell_running_db = NULL;
        input.line[length] = '\0';
    }
    if (rc == STRATA_OK) {
        shell_running_db = shell->db;
        rc = strata_copy_end(stmt, NULL);
        shell_running_db = NULL;
    }
    mem_free(input.line);
    return rc;
}

/* Writes a COPY TO STDOUT's rows to the shell's output. */
static int stream_copy_out(Shell *shell, strata_stmt *stmt)
{
    const char *data;
    int length;
    int rc;
    shell_running_db = shell->db;
    while ((rc = strata_copy_get(stmt, &data, &length)) == STRATA_ROW) {
        fwrite(data, 1, (size_t)length, shell->out);
    }
    shell_running_db = NULL;
    fflush(shell->out);
    return rc;
}

int shell_copy_stream(Shell *shell, strata_stmt *stmt, int step_rc)
{
    return step_rc == STRATA_COPY_IN ? stream_copy_in(shell, stmt) : stream_copy_out(shell, stmt);
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
    if (rows >= 0 && !shell->is_quiet && !shell->print.tuples_only) {
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
