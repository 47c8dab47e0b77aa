/*
 * shell/shell_exec.c - running SQL for the shell: results, command tags,
 * errors and timing (see shell.h).
 *
 * A statement's rows are collected into a ResultTable first (psql does the
 * same, since aligned output needs every width before the first line), then
 * printed; a statement without result columns prints its command tag. The
 * output is flushed after every statement so a program driving the shell
 * through a pipe sees each result as soon as it exists.
 *
 * Invariants
 *   1. Every prepared statement is finalized before the function returns.
 *   2. shell_running_db is set exactly while strata_step may run, so Ctrl-C
 *      interrupts a statement and never a later one.
 */
#include "shell/shell.h"

#include <string.h>
#include <strings.h>
#include <time.h>

volatile sig_atomic_t shell_interrupted = 0;
strata_db *volatile shell_running_db = NULL;

static double now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* psql right-aligns the number types: int2/4/8, oid, float4/8, money, numeric. */
static bool column_is_numeric(strata_stmt *stmt, int column)
{
    switch (strata_column_type_oid(stmt, column)) {
    case 20: case 21: case 23: case 26: case 700: case 701: case 790: case 1700:
        return true;
    case 0:
        break;
    default:
        return false;
    }
    const char *name = strata_column_type_name(stmt, column);
    static const char *const numeric_names[] = {"smallint", "integer", "bigint", "real",
                                                "double precision", "numeric", "oid"};
    for (size_t index = 0; name != NULL && index < sizeof numeric_names / sizeof *numeric_names;
         index++) {
        if (strcasecmp(name, numeric_names[index]) == 0) {
            return true;
        }
    }
    return false;
}

void shell_report_error(Shell *shell, const char *statement)
{
    char prefix[512] = "";
    fflush(shell->out);
    if (shell->source != NULL && shell->source->uses_prefix) {
        snprintf(prefix, sizeof prefix, "strata:%s:%d: ", shell->source->name,
                 shell->source->line_number);
    }
    shell_print_error(stderr, prefix, strata_errmsg(shell->db), strata_sqlstate(shell->db),
                      strata_errdetail(shell->db), strata_errhint(shell->db),
                      strata_error_position(shell->db), statement, shell->is_verbose_errors);
    shell->had_error = true;
}

/* Prints the connection's notices to stderr as psql does ("NOTICE:  ...",
 * with the file:line prefix when reading a file, and the SQLSTATE under
 * VERBOSITY verbose) and forgets them. */
void shell_report_notices(Shell *shell)
{
    int count = strata_notice_count(shell->db);
    if (count == 0) {
        return;
    }
    char prefix[512] = "";
    fflush(shell->out);
    if (shell->source != NULL && shell->source->uses_prefix) {
        snprintf(prefix, sizeof prefix, "strata:%s:%d: ", shell->source->name,
                 shell->source->line_number);
    }
    for (int index = 0; index < count; index++) {
        if (shell->is_verbose_errors) {
            fprintf(stderr, "%s%s:  %s: %s\n", prefix, strata_notice_severity(shell->db, index),
                    strata_notice_sqlstate(shell->db, index),
                    strata_notice_message(shell->db, index));
        } else {
            fprintf(stderr, "%s%s\n", prefix, strata_notice(shell->db, index));
        }
        /* psql's DETAIL: and HINT: lines (a detail's further lines as they are) */
        const char *detail = strata_notice_detail(shell->db, index);
        const char *hint = strata_notice_hint(shell->db, index);
        if (detail != NULL) {
            fprintf(stderr, "DETAIL:  %s\n", detail);
        }
        if (hint != NULL) {
            fprintf(stderr, "HINT:  %s\n", hint);
        }
    }
    fflush(stderr);
    strata_notices_clear(shell->db);
}

/* A table with the statement's result columns; NULL on memory failure. */
static ResultTable *table_for(strata_stmt *stmt)
{
    int column_count = strata_column_count(stmt);
    const char *names_local[64];
    bool numeric_local[64];
    if (column_count > 64) {
        ResultTable *wide = shell_result_create(column_count, NULL, NULL);
        for (int column = 0; wide != NULL && column < column_count; column++) {
            const char *name = strata_column_name(stmt, column);
            wide->names[column] = arena_strdup(wide->arena, name != NULL ? name : "");
            wide->is_numeric[column] = column_is_numeric(stmt, column);
        }
        return wide;
    }
    for (int column = 0; column < column_count; column++) {
        names_local[column] = strata_column_name(stmt, column);
        numeric_local[column] = column_is_numeric(stmt, column);
    }
    return shell_result_create(column_count, names_local, numeric_local);
}

/* Steps stmt to the end, collecting rows into table (if not NULL). Returns
 * the last step code. */
static int collect_rows(Shell *shell, strata_stmt *stmt, ResultTable *table)
{
    int rc;
    int column_count = strata_column_count(stmt);
    const char *values_local[64];
    const char **values = values_local;
    if (table != NULL && column_count > 64) {
        values = arena_alloc(table->arena, (size_t)column_count * sizeof(char *));
        if (values == NULL) {
            return STRATA_NOMEM;
        }
    }
    shell_running_db = shell->db;
    while ((rc = strata_step(stmt)) == STRATA_ROW) {
        if (table == NULL) {
            continue;
        }
        for (int column = 0; column < column_count; column++) {
            values[column] = strata_column_text(stmt, column);
        }
        if (!shell_result_add_row(table, values)) {
            rc = STRATA_NOMEM;
            break;
        }
    }
    shell_running_db = NULL;
    if (rc == STRATA_COPY_IN || rc == STRATA_COPY_OUT) {
        rc = shell_copy_stream(shell, stmt, rc);
    }
    return rc;
}

/* Runs one prepared statement and prints what it gives. */
static bool run_prepared(Shell *shell, strata_stmt *stmt, const char *statement)
{
    ResultTable *table = NULL;
    if (strata_column_count(stmt) > 0) {
        table = table_for(stmt);
        if (table == NULL) {
            fprintf(stderr, "strata: out of memory\n");
            return false;
        }
    }
    int rc = collect_rows(shell, stmt, table);
    /* Notices come before the result and the tag, as psql shows them. */
    shell_report_notices(shell);
    if (rc != STRATA_DONE) {
        if (rc == STRATA_NOMEM && strata_errcode(shell->db) == STRATA_OK) {
            fprintf(stderr, "strata: out of memory holding the result\n");
            shell->had_error = true;
        } else {
            shell_report_error(shell, statement);
        }
        shell_result_free(table);
        return false;
    }
    const char *tag = strata_command_tag(stmt);
    if (table != NULL) {
        shell_print_table(shell->out, &shell->print, table, NULL, NULL, 0, true);
    }
    /* As psql: after rows, only a data-modifying statement (INSERT/UPDATE/DELETE
     * ... RETURNING) also prints its tag; SELECT, EXPLAIN, SHOW and VALUES do not. */
    bool is_modify_tag = tag != NULL && (strncmp(tag, "INSERT", 6) == 0 ||
                                         strncmp(tag, "UPDATE", 6) == 0 ||
                                         strncmp(tag, "DELETE", 6) == 0 ||
                                         strncmp(tag, "MERGE", 5) == 0);
    if (!shell->is_quiet && !shell->print.tuples_only && tag != NULL && tag[0] != '\0' &&
        (table == NULL || is_modify_tag)) {
        fprintf(shell->out, "%s\n", tag);
    }
    shell_result_free(table);
    return true;
}

bool shell_run_sql(Shell *shell, const char *sql)
{
    const char *cursor = sql;
    const char *end = sql + strlen(sql);
    bool is_ok = true;
    while (is_ok && cursor < end) {
        strata_stmt *stmt = NULL;
        const char *tail = NULL;
        double started = now_ms();
        shell_interrupted = 0;
        if (strata_prepare(shell->db, cursor, -1, &stmt, &tail) != STRATA_OK) {
            shell_report_error(shell, cursor);
            strata_finalize(stmt);
            is_ok = false;
            break;
        }
        if (stmt == NULL) {
            break;
        }
        is_ok = run_prepared(shell, stmt, cursor);
        strata_finalize(stmt);
        if (shell->is_timing) {
            fprintf(shell->out, "Time: %.3f ms\n", now_ms() - started);
        }
        fflush(shell->out);
        if (tail == NULL || tail <= cursor || tail > end) {
            break;
        }
        cursor = tail;
    }
    fflush(shell->out);
    return is_ok;
}

ResultTable *shell_query_table(Shell *shell, const char *sql, const char *parameter)
{
    strata_stmt *stmt = NULL;
    if (strata_prepare(shell->db, sql, -1, &stmt, NULL) != STRATA_OK || stmt == NULL) {
        if (stmt == NULL && strata_errcode(shell->db) == STRATA_OK) {
            return NULL;
        }
        shell_report_error(shell, sql);
        strata_finalize(stmt);
        return NULL;
    }
    if (parameter != NULL && strata_bind_text(stmt, 1, parameter, -1) != STRATA_OK) {
        shell_report_error(shell, sql);
        strata_finalize(stmt);
        return NULL;
    }
    ResultTable *table = table_for(stmt);
    int rc = table != NULL ? collect_rows(shell, stmt, table) : STRATA_NOMEM;
    if (rc != STRATA_DONE) {
        shell_report_error(shell, sql);
        shell_result_free(table);
        table = NULL;
    }
    strata_finalize(stmt);
    return table;
}
