/*
 * util/error.h - errors as values: result codes and the Error record.
 *
 * A function that can fail returns an int result code (STRATA_OK = 0, then the
 * STRATA_* codes of include/strata.h) or a pointer (NULL = failure), and writes
 * the details into an Error passed in by the caller. error_set() fills it and
 * returns the code that matches the SQLSTATE, so each error path is one line:
 *
 *     if (n < 0)
 *         return error_set(err, SQLSTATE_DATA_CORRUPTED, "bad cell count on page %u", pgno);
 *
 * Invariants
 *   1. An Error with code STRATA_OK has an empty message and sqlstate "00000".
 *   2. The first error set wins only if the caller asks (error_set_if_ok);
 *      error_set always overwrites, since the latest failure is the precise one.
 *   3. Messages follow PostgreSQL's style: short, lowercase, no final period.
 *
 * Threads: an Error belongs to one thread at a time; no locking.
 * See src/util/README.md.
 */
#ifndef STRATA_UTIL_ERROR_H
#define STRATA_UTIL_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "strata.h"
#include "util/errcodes.h"

enum {
    ERROR_MESSAGE_MAX = 512,
    ERROR_DETAIL_MAX = 512,
    ERROR_NAME_MAX = 128,
};

typedef enum { SEVERITY_ERROR = 0, SEVERITY_FATAL, SEVERITY_NOTICE, SEVERITY_WARNING } Severity;

typedef struct Error {
    int code;                          /* STRATA_OK or a STRATA_* error code */
    char sqlstate[6];                  /* five characters and a NUL */
    Severity severity;
    int position;                      /* 1-based character offset in the SQL text, 0 = none */
    char message[ERROR_MESSAGE_MAX];
    char detail[ERROR_DETAIL_MAX];     /* a full sentence, or empty */
    char hint[ERROR_DETAIL_MAX];       /* a full sentence, or empty */
    char table_name[ERROR_NAME_MAX];   /* object names when known, else empty */
    char column_name[ERROR_NAME_MAX];
    char constraint_name[ERROR_NAME_MAX];
    const char *source_file;           /* where strata raised it (debugging aid) */
    int source_line;
} Error;

/* Resets err to the OK state. */
void error_clear(Error *err);

/* Sets code, sqlstate and message (printf format) and returns the result code
 * for the SQLSTATE (see error_code_for_sqlstate). Detail, hint, position and
 * names are cleared. err may be NULL: then only the code is returned. */
#define error_set(err, sqlstate, ...) error_set_at((err), __FILE__, __LINE__, (sqlstate), __VA_ARGS__)
int error_set_at(Error *err, const char *file, int line, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int error_set_va(Error *err, const char *file, int line, const char *sqlstate, const char *fmt,
                 va_list ap);

/* Like error_set, but keeps an error that is already set ("first failure wins"). */
#define error_set_if_ok(err, sqlstate, ...)                                             \
    ((err) != NULL && (err)->code != STRATA_OK ? (err)->code                             \
                                              : error_set((err), (sqlstate), __VA_ARGS__))

/* Bytes from disk or the network failed validation: one macro, so one breakpoint
 * on error_corrupt_hook catches every case. The message should name the file and
 * page (or connection and message). */
#define error_corrupt(err, ...) \
    (error_corrupt_hook(), error_set_at((err), __FILE__, __LINE__, SQLSTATE_DATA_CORRUPTED, __VA_ARGS__))
void error_corrupt_hook(void);

/* Optional parts; each returns the error's code so it can end a return line. */
int error_detail(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int error_hint(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int error_position(Error *err, int position);

/* Copies src into dst (both may be NULL-safe: a NULL dst is ignored). */
void error_copy(Error *dst, const Error *src);

/* Maps a SQLSTATE to a result code: 53100 -> STRATA_FULL, 53200 -> STRATA_NOMEM,
 * 58xxx -> STRATA_IOERR, XX001/XX002 -> STRATA_CORRUPT, 55P03 -> STRATA_BUSY,
 * 23xxx -> STRATA_CONSTRAINT, 57014 -> STRATA_INTERRUPT, anything else -> STRATA_ERROR. */
int error_code_for_sqlstate(const char *sqlstate);

/* True if err holds an error. */
static inline bool error_is_set(const Error *err) { return err != NULL && err->code != STRATA_OK; }

#endif
