/*
 * shell/shell_copy.c - \copy, and the data phase of SQL COPY ... FROM STDIN /
 * TO STDOUT (see shell.h).
 *
 * \copy is psql's: the shell reads or writes the file, the engine does the
 * rest. The command becomes COPY ... FROM STDIN / TO STDOUT with the same
 * options, and the shell streams the file (or its own input up to a "\."
 * line) into strata_copy_put, or writes what strata_copy_get gives to the
 * file. So \copy, SQL COPY and the wire server share one implementation of
 * the formats, and a load is one statement: a bad record loads nothing and
 * the error names its line and column.
 *
 * Invariant: reading from the shell's own input always consumes up to "\."
 * (even after an error), so data lines are never run as SQL.
 */
#include "shell/shell.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/mem.h"

enum { FILE_CHUNK_BYTES = 64 * 1024, PROGRESS_EVERY_BYTES = 16 << 20 };

/* ---- input: a file, or lines of the shell's input up to "\." ---- */

typedef struct CopyInput {
    Shell *shell;
    InputSource *source;
    InputSource own;      /* a file or the process's stdin */
    bool is_line_input;   /* the shell's input or a terminal: lines up to "\." */
    char *line;           /* heap (mem_free) */
    size_t capacity;
} CopyInput;

/* The next data line (false at "\." or the end of the input). */
static bool copy_next_line(CopyInput *input)
{
    if (!shell_read_line(input->shell, input->source, &input->line, &input->capacity)) {
        return false;
    }
    return strcmp(input->line, "\\.") != 0;
}

/* Feeds every remaining line into the COPY; after a failed put the lines are
 * still read (and dropped) up to "\.". Returns the first failing code. */
static int put_lines(Shell *shell, CopyInput *input, strata_stmt *stmt)
{
    int rc = STRATA_OK;
    while (copy_next_line(input)) {
        if (rc != STRATA_OK) {
            continue;
        }
        size_t length = strlen(input->line);
        input->line[length] = '\n'; /* shell_read_line leaves room past the NUL */
        shell_running_db = shell->db;
        rc = strata_copy_put(stmt, input->line, (int)length + 1);
        shell_running_db = NULL;
        input->line[length] = '\0';
    }
    return rc;
}

static void show_progress(long long bytes, bool is_done)
{
    if (is_done) {
        fprintf(stderr, "\r%40s\r", "");
    } else {
        fprintf(stderr, "\rCOPY: %lld MB read", bytes >> 20);
    }
}

/* Feeds a whole file in chunks (records may span chunks). */
static int put_file(Shell *shell, FILE *file, strata_stmt *stmt)
{
    char *chunk = mem_alloc(FILE_CHUNK_BYTES);
    bool wants_progress = isatty(STDERR_FILENO);
    long long total = 0, shown = 0;
    int rc = chunk != NULL ? STRATA_OK : STRATA_NOMEM;
    size_t got;
    while (rc == STRATA_OK && (got = fread(chunk, 1, FILE_CHUNK_BYTES, file)) > 0) {
        shell_running_db = shell->db;
        rc = strata_copy_put(stmt, chunk, (int)got);
        shell_running_db = NULL;
        total += (long long)got;
        if (wants_progress && total - shown >= PROGRESS_EVERY_BYTES) {
            show_progress(total, false);
            shown = total;
        }
    }
    if (shown > 0) {
        show_progress(total, true);
    }
    mem_free(chunk);
    return rc;
}

static int stream_copy_in(Shell *shell, strata_stmt *stmt, CopyInput *input, FILE *file)
{
    int rc = file != NULL ? put_file(shell, file, stmt) : put_lines(shell, input, stmt);
    if (rc == STRATA_NOMEM && strata_errcode(shell->db) == STRATA_OK) {
        strata_copy_end(stmt, "out of memory reading the input");
        return STRATA_NOMEM;
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    shell_running_db = shell->db;
    rc = strata_copy_end(stmt, NULL);
    shell_running_db = NULL;
    return rc;
}

/* The shell's own input (a script or the terminal), or the process's stdin
 * when the shell runs -c. */
static void open_line_input(Shell *shell, CopyInput *input)
{
    input->shell = shell;
    input->is_line_input = true;
    if (shell->source != NULL && shell->source->file != NULL) {
        input->source = shell->source;
    } else {
        input->own = (InputSource){stdin, "<stdin>", 0, isatty(STDIN_FILENO) != 0, false};
        input->source = &input->own;
    }
    if (input->source->is_interactive) {
        fprintf(stdout, "Enter data to be copied followed by a newline.\n"
                        "End with a backslash and a period on a line by itself, or an EOF "
                        "signal.\n");
    }
}

/* ---- output ---- */

static int stream_copy_out(Shell *shell, strata_stmt *stmt, FILE *out)
{
    const char *data;
    int length;
    int rc;
    shell_running_db = shell->db;
    while ((rc = strata_copy_get(stmt, &data, &length)) == STRATA_ROW) {
        if (fwrite(data, 1, (size_t)length, out) != (size_t)length) {
            strata_copy_end(stmt, "could not write the output");
            rc = STRATA_ERROR;
            break;
        }
    }
    shell_running_db = NULL;
    fflush(out);
    return rc;
}

/* ---- SQL COPY ... FROM STDIN / TO STDOUT ---- */

int shell_copy_stream(Shell *shell, strata_stmt *stmt, int step_rc)
{
    if (step_rc == STRATA_COPY_OUT) {
        return stream_copy_out(shell, stmt, shell->out);
    }
    CopyInput input = {0};
    open_line_input(shell, &input);
    int rc = stream_copy_in(shell, stmt, &input, NULL);
    mem_free(input.line);
    return rc;
}

/* ---- \copy ---- */

/* Appends 'text' as a SQL string literal. */
static char *append_literal(Arena *arena, char *sql, const char *text)
{
    sql = arena_sprintf(arena, "%s'", sql);
    for (; sql != NULL && *text != '\0'; text++) {
        sql = arena_sprintf(arena, *text == '\'' ? "%s''" : "%s%c", sql, *text);
    }
    return sql != NULL ? arena_sprintf(arena, "%s'", sql) : NULL;
}

/* The COPY statement \copy stands for. */
static char *copy_statement(Arena *arena, const CopySpec *spec)
{
    char delimiter[2] = {spec->delimiter, '\0'};
    char *sql = arena_sprintf(arena, spec->is_query ? "COPY (%s) %s %s WITH (FORMAT %s, HEADER %s, "
                                                      "DELIMITER "
                                                    : "COPY %s %s %s WITH (FORMAT %s, HEADER %s, "
                                                      "DELIMITER ",
                              spec->relation, spec->columns,
                              spec->is_from ? "FROM STDIN" : "TO STDOUT",
                              spec->is_csv ? "csv" : "text", spec->has_header ? "true" : "false");
    sql = sql != NULL ? append_literal(arena, sql, delimiter) : NULL;
    sql = sql != NULL ? arena_sprintf(arena, "%s, NULL ", sql) : NULL;
    sql = sql != NULL ? append_literal(arena, sql, spec->null_text) : NULL;
    return sql != NULL ? arena_sprintf(arena, "%s)", sql) : NULL;
}

/* Opens the file of \copy (NULL with a message on failure). */
static FILE *open_file(const CopySpec *spec)
{
    FILE *file = fopen(spec->path, spec->is_from ? "r" : "w");
    if (file == NULL) {
        fprintf(stderr, "%s: %s\n", spec->path, strerror(errno));
    }
    return file;
}

static bool run_copy(Shell *shell, const CopySpec *spec, const char *sql)
{
    bool is_file = spec->target == COPY_FILE;
    FILE *file = is_file ? open_file(spec) : NULL;
    if (is_file && file == NULL) {
        shell->had_error = true;
        return false;
    }
    CopyInput input = {0};
    strata_stmt *stmt = NULL;
    int rc = strata_prepare(shell->db, sql, -1, &stmt, NULL);
    if (rc == STRATA_OK && stmt != NULL) {
        shell_running_db = shell->db;
        rc = strata_step(stmt);
        shell_running_db = NULL;
    }
    if (spec->is_from && !is_file) {
        open_line_input(shell, &input);
    }
    bool lines_read = false;
    if (rc == STRATA_COPY_IN) {
        rc = stream_copy_in(shell, stmt, &input, file);
        lines_read = input.is_line_input; /* put_lines reads up to "\." even after an error */
    } else if (rc == STRATA_COPY_OUT) {
        rc = stream_copy_out(shell, stmt, is_file ? file : shell->out);
    }
    /* Data lines of the shell's own input must never run as SQL, also when
     * the COPY could not start. */
    while (input.is_line_input && !lines_read && copy_next_line(&input)) {
    }
    bool ok = rc == STRATA_DONE;
    if (!ok && rc == STRATA_NOMEM && strata_errcode(shell->db) == STRATA_OK) {
        fprintf(stderr, "strata: out of memory during \\copy\n");
        shell->had_error = true;
    } else if (!ok) {
        shell_report_error(shell, NULL);
    }
    if (ok && !shell->is_quiet && !shell->print.tuples_only) {
        fprintf(shell->out, "%s\n", strata_command_tag(stmt));
    }
    strata_finalize(stmt);
    if (file != NULL && fclose(file) != 0 && ok) {
        fprintf(stderr, "%s: %s\n", spec->path, strerror(errno));
        shell->had_error = true;
        ok = false;
    }
    mem_free(input.line);
    fflush(shell->out);
    return ok;
}

bool shell_copy(Shell *shell, const char *arguments)
{
    CopySpec spec;
    char error[256];
    if (!shell_copy_parse(arguments, &spec, error, sizeof error)) {
        fprintf(stderr, "%s\n", error);
        return false;
    }
    Arena *arena = arena_create(NULL, 0, "copy");
    char *sql = arena != NULL ? copy_statement(arena, &spec) : NULL;
    bool ok = sql != NULL && run_copy(shell, &spec, sql);
    if (sql == NULL) {
        fprintf(stderr, "strata: out of memory\n");
    }
    arena_destroy(arena);
    return ok;
}
