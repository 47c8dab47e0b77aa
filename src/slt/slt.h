/*
 * slt/slt.h - sqllogictest: the record parser, value rendering and the
 * per-file runner behind the strata-slt program.
 *
 * The format is SQLite's sqllogictest exactly as ../shared/slt/README.md
 * describes it (CRLF stripped, '#' lines removed before parsing, records
 * separated by blank lines, skipif/onlyif conditions, statement ok|error,
 * query TYPES [SORT [LABEL]], "----", hash-threshold, halt). The runner is a
 * plain client of include/strata.h: each file runs in a fresh ":memory:"
 * database.
 *
 * Split by concern:
 *   slt_parse.c   records out of a file's text (pure, no engine)
 *   slt_render.c  I/R/T rendering, sort modes, MD5 hashing (pure, no engine)
 *   slt_run.c     runs one file against the engine, with a timeout watchdog
 *
 * Invariants
 *   1. The parser never fails: a record it cannot understand comes back as
 *      SLT_RECORD_INVALID with a message, and the runner counts it failed.
 *   2. Rendering depends only on the record's type letter and the value, not
 *      on the engine's type, so results compare the way the corpus expects.
 *   3. Every string a record or a rendered value points to lives in the
 *      arena passed in (or in the parser's text buffer), never the heap.
 *
 * Threads: a parser and a run belong to one thread; the runner's watchdog
 * thread only calls strata_interrupt. See src/slt/README.md.
 */
#ifndef STRATA_SLT_H
#define STRATA_SLT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/arena.h"

typedef enum {
    SLT_RECORD_STATEMENT = 0,
    SLT_RECORD_QUERY,
    SLT_RECORD_HASH_THRESHOLD,
    SLT_RECORD_HALT,
    SLT_RECORD_INVALID, /* unknown record type or malformed header */
} SltRecordKind;

typedef enum { SLT_SORT_NONE = 0, SLT_SORT_ROW, SLT_SORT_VALUE } SltSortMode;

enum {
    SLT_CONDITIONS_MAX = 16, /* skipif/onlyif lines honoured per record */
    SLT_MD5_HEX_SIZE = 33,   /* 32 hex digits and a NUL */
    SLT_MESSAGE_MAX = 160,
};

/* The default hash threshold: more values than this are compared by MD5. */
#define SLT_HASH_THRESHOLD_DEFAULT 8

typedef struct SltCondition {
    bool is_skipif;     /* false: onlyif */
    const char *engine; /* arena: the NAME word, case as written */
} SltCondition;

typedef struct SltRecord {
    SltRecordKind kind;
    int line;                   /* 1-based line of the record's first line */
    int condition_count;
    SltCondition conditions[SLT_CONDITIONS_MAX];
    /* statement */
    bool expect_error;
    char expected_sqlstate[6]; /* "statement error 42710": that SQLSTATE ("" = any) */
    const char *expected_message; /* text after it: must occur in the message (NULL = any) */
    /* statement and query: lines joined by '\n' (arena) */
    char *sql;
    /* query */
    char *types;                /* one letter per column (arena) */
    int column_count;
    SltSortMode sort;
    char *label;                /* NULL when the query has none (arena) */
    char **expected;            /* expected value lines (arena) */
    size_t expected_count;
    bool expected_is_hash;      /* expected is "N values hashing to HASH" */
    long hash_value_count;
    char hash[SLT_MD5_HEX_SIZE];
    /* hash-threshold */
    long threshold;
    /* invalid */
    char message[SLT_MESSAGE_MAX];
} SltRecord;

typedef struct SltParser {
    char *text;      /* borrowed, modified in place (lines get NUL-terminated) */
    size_t length_bytes;
    size_t position; /* next unread byte */
    int line;        /* 1-based number of the next unread line */
} SltParser;

/* Starts parsing text (length_bytes long; need not be NUL-terminated, but
 * text[length_bytes] must be writable, e.g. a buffer of length_bytes + 1).
 * The parser writes NULs into text; records point into it. */
void slt_parser_init(SltParser *parser, char *text, size_t length_bytes);

/* Parses the next record into *record, allocating from arena. Returns false at
 * the end of the text (or if the arena failed). Never fails otherwise: a bad
 * record comes back as SLT_RECORD_INVALID. */
bool slt_parser_next(SltParser *parser, Arena *arena, SltRecord *record);

/* True if the record's conditions skip it for engine (compared
 * case-insensitively): a skipif naming engine, or an onlyif naming another. */
bool slt_record_is_skipped(const SltRecord *record, const char *engine);

/* One engine value, as the runner reads it through strata.h. kind is one of
 * STRATA_NULL, STRATA_INTEGER, STRATA_FLOAT, STRATA_TEXT, STRATA_BLOB; text
 * is the engine's text form (borrowed, may be NULL for NULL). */
typedef struct SltValue {
    int kind;
    int64_t integer;
    double real;
    const char *text;
    size_t text_length;
} SltValue;

/* Renders value for the type letter ('I', 'R', 'T'; anything else renders as
 * 'T'): NULL -> "NULL"; I -> integer (reals truncated toward zero, text as its
 * leading integer or 0); R -> %.3f with ties away from zero; T -> the text,
 * "(empty)" when empty, each byte outside 0x20..0x7E as '@'. Returns an
 * arena string, NULL if the arena failed. */
char *slt_render_value(Arena *arena, char type_letter, const SltValue *value);

/* printf("%.3f") as SQLite's printf does it: ties rounded away from zero on
 * the exact binary value, at most 16 significant digits (later integer digits
 * print as 0). Writes into out (at least 400 bytes). */
void slt_format_real(double value, char *out, size_t out_size);

/* The leading integer of text (spaces, optional sign, digits) or 0; clamped
 * to the int64 range. */
int64_t slt_text_leading_integer(const char *text);

/* A real truncated toward zero, clamped to the int64 range, NaN -> 0. */
int64_t slt_real_truncate(double value);

/* Sorts count values (rows of column_count values each) in place: ROW
 * compares rows column by column with strcmp, VALUE sorts values one by one,
 * NONE does nothing. For ROW, a count that is not a multiple of column_count
 * is left unsorted. Uses arena for scratch space; false if it failed. */
bool slt_sort_values(Arena *arena, char **values, size_t count, int column_count, SltSortMode mode);

/* The lowercase hex MD5 of every value followed by '\n'. */
void slt_md5_values(char *const *values, size_t count, char out[SLT_MD5_HEX_SIZE]);

/* Runner options and counts. */
typedef struct SltOptions {
    const char *engine;       /* name for skipif/onlyif ("postgresql") */
    bool verbose;             /* print each failure */
    bool stop_on_fail;        /* stop the file at its first failure */
    double timeout_seconds;   /* per file; <= 0: none */
    FILE *out;                /* where failures are printed */
    const char *default_am;   /* NULL, or a table access method every file's
                                 session starts with (SET default_table_access_method) */
} SltOptions;

/* Counts of one run. The runner updates them record by record, so a process
 * that watches a child running a file can read how far it got. */
typedef struct SltCounts {
    volatile long passed;
    volatile long failed;
    volatile long skipped;
    volatile int current_line; /* line of the record being run, 0 if none */
    volatile int timed_out;
} SltCounts;

/* Runs the file at path in a fresh in-memory database, adding to *counts.
 * A file that cannot be read counts as one failure. Returns false if the run
 * stopped on a failure with stop_on_fail set, true otherwise. */
bool slt_run_file(const char *path, const SltOptions *options, SltCounts *counts);

/* For a run that died while running the record at after_line (a crash):
 * adds every later statement/query record of the file to counts, as failed
 * (or as skipped if its conditions skip it), honouring halt. The record at
 * after_line itself is not counted. */
void slt_count_remaining(const char *path, int after_line, const char *engine, SltCounts *counts);

#endif
