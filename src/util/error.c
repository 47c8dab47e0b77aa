/*
 * util/error.c - the Error record (see error.h).
 */
#include "util/error.h"

#include <stdio.h>
#include <string.h>

void error_clear(Error *err)
{
    if (err == NULL) {
        return;
    }
    /* Field by field: a memset of the whole ~2 KiB struct was 4% of a point select,
     * which clears an Error several times per statement. Strings become empty. */
    err->code = STRATA_OK;
    memcpy(err->sqlstate, "00000", 6);
    err->severity = SEVERITY_ERROR;
    err->position = 0;
    err->message[0] = '\0';
    err->detail[0] = '\0';
    err->hint[0] = '\0';
    err->table_name[0] = '\0';
    err->column_name[0] = '\0';
    err->constraint_name[0] = '\0';
    err->source_file = NULL;
    err->source_line = 0;
}

int error_code_for_sqlstate(const char *sqlstate)
{
    if (strcmp(sqlstate, "00000") == 0) {
        return STRATA_OK;
    }
    if (strcmp(sqlstate, SQLSTATE_DISK_FULL) == 0) {
        return STRATA_FULL;
    }
    if (strcmp(sqlstate, SQLSTATE_OUT_OF_MEMORY) == 0) {
        return STRATA_NOMEM;
    }
    if (strncmp(sqlstate, "58", 2) == 0) {
        return STRATA_IOERR;
    }
    if (strcmp(sqlstate, SQLSTATE_DATA_CORRUPTED) == 0 ||
        strcmp(sqlstate, SQLSTATE_INDEX_CORRUPTED) == 0) {
        return STRATA_CORRUPT;
    }
    if (strcmp(sqlstate, SQLSTATE_LOCK_NOT_AVAILABLE) == 0) {
        return STRATA_BUSY;
    }
    if (strncmp(sqlstate, "23", 2) == 0) {
        return STRATA_CONSTRAINT;
    }
    if (strcmp(sqlstate, SQLSTATE_QUERY_CANCELED) == 0) {
        return STRATA_INTERRUPT;
    }
    return STRATA_ERROR;
}

int error_set_va(Error *err, const char *file, int line, const char *sqlstate, const char *fmt,
                 va_list ap)
{
    int code = error_code_for_sqlstate(sqlstate);
    if (err == NULL) {
        return code;
    }
    error_clear(err);
    err->code = code;
    memcpy(err->sqlstate, sqlstate, 5);
    err->sqlstate[5] = '\0';
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    err->source_file = file;
    err->source_line = line;
    return code;
}

int error_set_at(Error *err, const char *file, int line, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int code = error_set_va(err, file, line, sqlstate, fmt, ap);
    va_end(ap);
    return code;
}

void error_corrupt_hook(void)
{
    /* Intentionally empty: a debugger breakpoint here sees every corruption report. */
}

int error_detail(Error *err, const char *fmt, ...)
{
    if (err == NULL) {
        return STRATA_ERROR;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
    return err->code;
}

int error_hint(Error *err, const char *fmt, ...)
{
    if (err == NULL) {
        return STRATA_ERROR;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
    return err->code;
}

int error_position(Error *err, int position)
{
    if (err == NULL) {
        return STRATA_ERROR;
    }
    err->position = position;
    return err->code;
}

void error_copy(Error *dst, const Error *src)
{
    if (dst != NULL && src != NULL && dst != src) {
        memcpy(dst, src, sizeof *dst);
    }
}
