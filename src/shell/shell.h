/*
 * shell/shell.h - the strata shell's modules, shared by its .c files.
 *
 * The shell is a client of include/strata.h and nothing else (plus util/ for
 * heap wrappers and arenas). It reads input line by line, cuts statements
 * with a small splitter that knows PostgreSQL's quoting, runs each statement
 * as soon as its ';' arrives, and prints results the way psql does.
 *
 *   shell_split.c   statement splitter (quotes, E'', $tag$, comments, parens)
 *   shell_print.c   aligned / unaligned / csv / expanded output, error layout
 *   shell_exec.c    running SQL: results, command tags, errors, timing
 *   shell_meta.c    backslash commands (\d family, \pset, \x, \i, \o, ...)
 *   shell_copy.c    \copy, client side: loading and unloading
 *   shell_copy_format.c  \copy command parsing, CSV and text record splitting
 *   strata_main.c   options, input loop, line editing, signals
 *
 * Invariants
 *   1. Nothing here exits the process: errors are printed and reported up as
 *      return values; only main() decides the exit status.
 *   2. A statement handed to the engine is the splitter's text exactly, minus
 *      leading whitespace, so error positions map back onto it.
 *
 * Threads: one thread; the SIGINT handler only calls strata_interrupt and
 * sets a flag. See src/shell/README.md.
 */
#ifndef STRATA_SHELL_H
#define STRATA_SHELL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "strata.h"
#include "util/arena.h"

/* ---- splitter (shell_split.c) ---- */

typedef enum {
    SPLIT_NORMAL = 0,
    SPLIT_SINGLE_QUOTE,   /* '...' with '' as an escaped quote */
    SPLIT_ESCAPE_QUOTE,   /* E'...' where backslash escapes the next byte */
    SPLIT_DOUBLE_QUOTE,   /* "identifier" */
    SPLIT_DOLLAR_QUOTE,   /* $tag$ ... $tag$ */
    SPLIT_LINE_COMMENT,   /* -- to the end of the line */
    SPLIT_BLOCK_COMMENT,  /* nested slash-star comments */
} SplitState;

typedef enum {
    SPLIT_NEED_MORE = 0, /* all input consumed, no complete statement */
    SPLIT_STATEMENT,     /* a statement ending in ';' is ready */
    SPLIT_META,          /* a backslash command (rest of its line) is ready */
} SplitResult;

enum { SPLIT_DOLLAR_TAG_MAX = 64 };

typedef struct Splitter {
    char *input;          /* heap: fed text not yet scanned */
    size_t input_length;
    size_t input_position;
    size_t input_capacity;
    char *buffer;         /* heap: the statement being collected */
    size_t buffer_length;
    size_t buffer_capacity;
    char *result;         /* heap: the last statement or meta command returned */
    size_t result_capacity;
    SplitState state;
    int paren_depth;
    int comment_depth;
    char dollar_tag[SPLIT_DOLLAR_TAG_MAX]; /* "$tag$" while in a dollar quote */
    bool is_failed;       /* out of memory: feed and next do nothing */
} Splitter;

/* A splitter with nothing in it; free with shell_splitter_free. */
void shell_splitter_init(Splitter *splitter);
void shell_splitter_free(Splitter *splitter);

/* Appends text (e.g. one line with its '\n') to the input. False on memory
 * failure. */
bool shell_splitter_feed(Splitter *splitter, const char *text, size_t length);

/* Scans fed input. SPLIT_STATEMENT: *text is the statement with its ';'
 * (leading whitespace removed). SPLIT_META: *text is the backslash command
 * (from the backslash to the end of its line); the statement collected so far
 * stays in the buffer. *text is borrowed until the next call. */
SplitResult shell_splitter_next(Splitter *splitter, const char **text);

/* The statement collected so far without a ';' (leading whitespace removed),
 * and clears it; *text borrowed until the next call. Returns false if it
 * holds only whitespace and comments. */
bool shell_splitter_take_rest(Splitter *splitter, const char **text);

/* Drops the collected statement and resets the quoting state (Ctrl-C). */
void shell_splitter_clear(Splitter *splitter);

/* True while a statement is partly typed (for the continuation prompt). */
bool shell_splitter_has_partial(const Splitter *splitter);

/* True if text holds only whitespace and SQL comments. */
bool shell_split_is_blank(const char *text);

/* ---- output (shell_print.c) ---- */

typedef enum { FORMAT_ALIGNED = 0, FORMAT_UNALIGNED, FORMAT_CSV } OutputFormat;
typedef enum { EXPANDED_OFF = 0, EXPANDED_ON, EXPANDED_AUTO } ExpandedMode;

typedef struct PrintOptions {
    OutputFormat format;
    ExpandedMode expanded;
    bool tuples_only;       /* no header, no footer */
    const char *null_text;  /* borrowed: how NULL prints ("" by default) */
    const char *field_separator; /* borrowed: unaligned ("|") */
    int terminal_width;     /* for \x auto; 0 = not a terminal */
} PrintOptions;

/* A result held in memory, all cells as text (NULL = SQL NULL). */
typedef struct ResultTable {
    Arena *arena;           /* owns everything below */
    int column_count;
    char **names;
    bool *is_numeric;       /* right-align the column */
    char **cells;           /* row-major; NULL for SQL NULL */
    size_t row_count;
    size_t cell_capacity;
} ResultTable;

/* A table with column_count columns named names[i] (copied; names may be
 * NULL: all empty, is_numeric may be NULL: all false). NULL on memory
 * failure. Free with shell_result_free. */
ResultTable *shell_result_create(int column_count, const char *const *names,
                                 const bool *is_numeric);
void shell_result_free(ResultTable *table);
/* Appends one row of column_count values (copied; NULL = SQL NULL). */
bool shell_result_add_row(ResultTable *table, const char *const *values);

/* Prints table in the chosen format, psql's layout. title (or NULL) is
 * centered above an aligned table; footers (or NULL) follow the rows; the
 * "(N rows)" footer is printed when show_row_count and not tuples_only. Aligned
 * and expanded output expand tabs to the next multiple of 8 characters, as psql does. */
void shell_print_table(FILE *out, const PrintOptions *options, const ResultTable *table,
                 const char *title, const char *const *footers, int footer_count,
                 bool show_row_count);

/* Writes an error the way psql does: "ERROR:  message" (with "SQLSTATE: "
 * first when verbose), then, if position > 0, "LINE n: ..." and a caret
 * under the position within statement, then DETAIL and HINT lines. prefix
 * (e.g. "strata:file.sql:3: ") may be NULL. */
void shell_print_error(FILE *out, const char *prefix, const char *message, const char *sqlstate,
                 const char *detail, const char *hint, int position, const char *statement,
                 bool is_verbose);

/* Display width of UTF-8 text (code points; control bytes count one). */
size_t shell_text_width(const char *text, size_t length_bytes);

/* ---- the shell session ---- */

enum { SHELL_VARIABLES_MAX = 64, SHELL_INCLUDE_DEPTH_MAX = 16 };

typedef struct ShellVariable {
    char *name;  /* heap */
    char *value; /* heap */
} ShellVariable;

/* Where input lines come from: a file, a string (-c) or the terminal. */
typedef struct InputSource {
    FILE *file;              /* NULL for a string source */
    const char *name;        /* for error prefixes ("<stdin>", a path) */
    int line_number;         /* lines read so far */
    bool is_interactive;
    bool uses_prefix;        /* error messages get "strata:name:line: " */
} InputSource;

typedef struct Shell {
    strata_db *db;
    const char *db_path;
    PrintOptions print;
    char null_text[64];
    char field_separator[16];
    bool is_quiet;
    bool is_timing;
    bool is_verbose_errors;
    bool on_error_stop;
    bool had_error;          /* a SQL error happened (for exit status 3) */
    bool should_quit;        /* \q */
    FILE *out;               /* query output: stdout or the \o file */
    bool out_is_file;
    InputSource *source;     /* the current input, for \copy ... from stdin */
    int include_depth;
    char restrict_key[1024]; /* \restrict: only \unrestrict KEY runs until it ends */
    bool is_restricted;
    ShellVariable variables[SHELL_VARIABLES_MAX];
    int variable_count;
} Shell;

/* Set by the SIGINT handler; the shell clears it. */
extern volatile sig_atomic_t shell_interrupted;
/* The connection the SIGINT handler interrupts while a statement runs. */
extern strata_db *volatile shell_running_db;

/* Runs one SQL statement and prints its result, tag or error. Returns false
 * if it failed (the error is printed). */
bool shell_run_sql(Shell *shell, const char *sql);

/* Runs a statement and collects its rows into a new table (owned: free with
 * shell_result_free); NULL on error, which is printed. */
ResultTable *shell_query_table(Shell *shell, const char *sql, const char *parameter);

/* Prints the connection's notices to stderr ("NOTICE:  ...", as psql) and
 * clears them. */
void shell_report_notices(Shell *shell);
/* The partitioning footers of \d name (shell_describe_partition.c): head
 * lines ("Partition of: ...", "Partition key: ...") go before the indexes,
 * tail lines (the partitions) after them; arrays in columns->arena. False if
 * a catalog query failed. */
bool shell_partition_footers(Shell *shell, ResultTable *columns, const char *name,
                             const char ***head, int *head_count, const char ***tail,
                             int *tail_count, bool *is_partitioned);

/* Prints the engine's current error for statement (psql layout). */
void shell_report_error(Shell *shell, const char *statement);

/* Runs one backslash command line (starting with '\'). pending is the
 * statement buffer's text so far (for \g), may be NULL. Returns false if it
 * failed. */
bool shell_run_meta(Shell *shell, const char *line, Splitter *splitter);

/* Copies the next argument of *cursor into out (quotes removed: '...' and
 * "..." with doubled quotes inside), advancing *cursor; false if none. */
bool shell_next_argument(const char **cursor, char *out, size_t out_size);

/* Runs a \d-family command (command is "d", "dt", "di", "dv", "d+", ...)
 * with its argument text, through the engine's catalog views. */
bool shell_describe(Shell *shell, const char *command, const char *arguments);

/* A parsed \copy command. */
typedef enum { COPY_FILE = 0, COPY_STDIN, COPY_STDOUT, COPY_PSTDIN, COPY_PSTDOUT } CopyTarget;

enum { COPY_TEXT_MAX = 4096 };

typedef struct CopySpec {
    char relation[COPY_TEXT_MAX]; /* table name as written, or the query of (query) */
    bool is_query;
    char columns[COPY_TEXT_MAX];  /* "(a, b)" as written, or "" */
    bool is_from;
    CopyTarget target;
    char path[COPY_TEXT_MAX];     /* COPY_FILE */
    bool is_csv;
    bool has_header;
    char delimiter;               /* '\t' for text, ',' for csv unless given */
    char null_text[64];           /* "\\N" for text, "" for csv unless given */
} CopySpec;

/* Parses the arguments of \copy (after "\copy"). On failure returns false
 * with a message in error. */
bool shell_copy_parse(const char *arguments, CopySpec *spec, char *error, size_t error_size);

/* Runs \copy with its argument text (after "\copy"). */
bool shell_copy(Shell *shell, const char *arguments);
/* Runs the data phase of a COPY ... FROM STDIN (the shell's input up to "\.")
 * or TO STDOUT (to the shell's output) after strata_step gave step_rc
 * (STRATA_COPY_IN / STRATA_COPY_OUT); returns strata's final code
 * (STRATA_DONE when the COPY completed). */
int shell_copy_stream(Shell *shell, strata_stmt *stmt, int step_rc);

/* Reads lines from source and runs them; returns false when ON_ERROR_STOP
 * stopped it. Used for the main input, -f and \i. */
bool shell_run_source(Shell *shell, InputSource *source);

/* Runs a whole string as input (-c): statements and backslash commands. */
bool shell_run_string(Shell *shell, const char *text);

/* Sets a variable (\set, -v); recognizes ON_ERROR_STOP, VERBOSITY, QUIET. */
void shell_set_variable(Shell *shell, const char *name, const char *value);
const char *shell_get_variable(const Shell *shell, const char *name);

/* Reads one line from source into a heap buffer (*line, *capacity) without
 * its newline; false at end of input. Used by \copy from stdin too. */
bool shell_read_line(Shell *shell, InputSource *source, char **line, size_t *capacity);

#endif
