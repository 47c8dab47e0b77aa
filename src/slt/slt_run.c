/*
 * slt/slt_run.c - runs one sqllogictest file against the engine through the
 * public API (see slt.h).
 *
 * Each file gets a fresh ":memory:" database, a record arena (reset before
 * every record) and a file arena for the label table. A watchdog thread
 * enforces the per-file timeout: once the deadline passes it calls
 * strata_interrupt every 100 ms (a statement started after one interrupt
 * still gets the next), and the runner counts the records left as failed.
 *
 * Invariants
 *   1. Every record that runs adds exactly one to passed or failed; every
 *      skipped statement or query adds one to skipped.
 *   2. Every prepared statement is finalized before the next record, so the
 *      database always closes.
 *   3. Labels: the first query (run or skipped) with a label records its MD5;
 *      later queries that run must match it.
 *
 * Threads: the run's thread plus the watchdog, which only reads the deadline
 * under its mutex and calls strata_interrupt (allowed from any thread).
 */
#include "slt/slt.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "strata.h"
#include "util/mem.h"

enum {
    PREVIEW_VALUES_MAX = 12,   /* values shown per side in a verbose failure */
    PREVIEW_SQL_BYTES = 400,   /* SQL shown in a verbose failure */
    WATCHDOG_REPEAT_MS = 100,
};

typedef struct Label {
    char *name;
    char hash[SLT_MD5_HEX_SIZE];
} Label;

typedef struct LabelTable {
    Label *slots; /* open addressing; name NULL = empty */
    size_t capacity;
    size_t count;
} LabelTable;

typedef struct Watchdog {
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    strata_db *db;
    struct timespec deadline;
    bool should_stop;
    atomic_int fired;
    bool is_running;
} Watchdog;

typedef struct Result {
    char **values;
    size_t count;
    size_t capacity;
    int column_count;
} Result;

typedef struct FileRun {
    const char *path;
    const SltOptions *options;
    SltCounts *counts;
    strata_db *db;
    Arena *file_arena;
    Arena *record_arena;
    long threshold;
    LabelTable labels;
    Watchdog watchdog;
    bool stopped_on_failure;
    char last_sqlstate[6]; /* of the last failed statement */
} FileRun;

/* ---- labels ---- */

static uint64_t hash_name(const char *name)
{
    uint64_t hash = 1469598103934665603ULL;
    for (; *name != '\0'; name++) {
        hash = (hash ^ (unsigned char)*name) * 1099511628211ULL;
    }
    return hash;
}

static Label *label_slot(LabelTable *table, const char *name)
{
    size_t index = (size_t)hash_name(name) & (table->capacity - 1);
    while (table->slots[index].name != NULL && strcmp(table->slots[index].name, name) != 0) {
        index = (index + 1) & (table->capacity - 1);
    }
    return &table->slots[index];
}

/* Finds name, or inserts it with hash; returns the stored entry (NULL on
 * memory failure). *was_new tells which. */
static Label *label_find_or_add(Arena *arena, LabelTable *table, const char *name,
                                const char *hash, bool *was_new)
{
    if (table->count * 2 >= table->capacity) {
        LabelTable grown = {0};
        grown.capacity = table->capacity == 0 ? 64 : table->capacity * 2;
        grown.slots = arena_zalloc(arena, grown.capacity * sizeof(Label));
        if (grown.slots == NULL) {
            return NULL;
        }
        for (size_t index = 0; index < table->capacity; index++) {
            if (table->slots[index].name != NULL) {
                *label_slot(&grown, table->slots[index].name) = table->slots[index];
                grown.count++;
            }
        }
        *table = grown;
    }
    Label *slot = label_slot(table, name);
    *was_new = slot->name == NULL;
    if (*was_new) {
        slot->name = arena_strdup(arena, name);
        if (slot->name == NULL) {
            return NULL;
        }
        memcpy(slot->hash, hash, SLT_MD5_HEX_SIZE);
        table->count++;
    }
    return slot;
}

/* ---- watchdog ---- */

static void *watchdog_main(void *argument)
{
    Watchdog *watchdog = argument;
    pthread_mutex_lock(&watchdog->mutex);
    while (!watchdog->should_stop) {
        int rc = pthread_cond_timedwait(&watchdog->wake, &watchdog->mutex, &watchdog->deadline);
        if (rc == ETIMEDOUT && !watchdog->should_stop) {
            atomic_store(&watchdog->fired, 1);
            strata_interrupt(watchdog->db);
            watchdog->deadline.tv_nsec += WATCHDOG_REPEAT_MS * 1000000L;
            if (watchdog->deadline.tv_nsec >= 1000000000L) {
                watchdog->deadline.tv_sec++;
                watchdog->deadline.tv_nsec -= 1000000000L;
            }
        }
    }
    pthread_mutex_unlock(&watchdog->mutex);
    return NULL;
}

static void watchdog_start(Watchdog *watchdog, strata_db *db, double timeout_seconds)
{
    memset(watchdog, 0, sizeof *watchdog);
    atomic_init(&watchdog->fired, 0);
    if (timeout_seconds <= 0) {
        return;
    }
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&watchdog->wake, &attributes);
    pthread_condattr_destroy(&attributes);
    pthread_mutex_init(&watchdog->mutex, NULL);
    watchdog->db = db;
    clock_gettime(CLOCK_MONOTONIC, &watchdog->deadline);
    double whole = (double)(long)timeout_seconds;
    watchdog->deadline.tv_sec += (time_t)whole;
    watchdog->deadline.tv_nsec += (long)((timeout_seconds - whole) * 1e9);
    if (watchdog->deadline.tv_nsec >= 1000000000L) {
        watchdog->deadline.tv_sec++;
        watchdog->deadline.tv_nsec -= 1000000000L;
    }
    watchdog->is_running = pthread_create(&watchdog->thread, NULL, watchdog_main, watchdog) == 0;
}

static void watchdog_stop(Watchdog *watchdog)
{
    if (!watchdog->is_running) {
        return;
    }
    pthread_mutex_lock(&watchdog->mutex);
    watchdog->should_stop = true;
    pthread_cond_signal(&watchdog->wake);
    pthread_mutex_unlock(&watchdog->mutex);
    pthread_join(watchdog->thread, NULL);
    pthread_cond_destroy(&watchdog->wake);
    pthread_mutex_destroy(&watchdog->mutex);
    watchdog->is_running = false;
}

/* ---- reading a file ---- */

/* Reads the whole file; *text is owned (mem_free), with one spare byte. */
static bool read_whole_file(const char *path, char **text, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return false;
    }
    size_t capacity = 1 << 16, used = 0;
    char *buffer = mem_alloc(capacity);
    while (buffer != NULL) {
        if (used + 1 >= capacity) {
            char *grown = mem_realloc(buffer, capacity * 2);
            if (grown == NULL) {
                mem_free(buffer);
                buffer = NULL;
                break;
            }
            buffer = grown;
            capacity *= 2;
        }
        size_t got = fread(buffer + used, 1, capacity - used - 1, file);
        used += got;
        if (got == 0) {
            break;
        }
    }
    bool is_ok = buffer != NULL && !ferror(file);
    fclose(file);
    if (!is_ok) {
        mem_free(buffer);
        return false;
    }
    buffer[used] = '\0';
    *text = buffer;
    *length = used;
    return true;
}

/* ---- running SQL ---- */

static bool result_push(Arena *arena, Result *result, char *value)
{
    if (result->count == result->capacity) {
        size_t capacity = result->capacity == 0 ? 64 : result->capacity * 2;
        char **grown = arena_realloc(arena, result->values, result->capacity * sizeof(char *),
                                     capacity * sizeof(char *));
        if (grown == NULL) {
            return false;
        }
        result->values = grown;
        result->capacity = capacity;
    }
    result->values[result->count++] = value;
    return true;
}

static bool collect_row(Arena *arena, strata_stmt *stmt, const char *types, Result *result)
{
    size_t type_count = types != NULL ? strlen(types) : 0;
    for (int column = 0; column < result->column_count; column++) {
        SltValue value = {0};
        value.kind = strata_column_type(stmt, column);
        if (value.kind == STRATA_INTEGER) {
            value.integer = strata_column_int64(stmt, column);
        } else if (value.kind == STRATA_FLOAT) {
            value.real = strata_column_double(stmt, column);
        }
        value.text = strata_column_text(stmt, column);
        if (value.text == NULL && value.kind != STRATA_NULL) {
            value.text = "";
        }
        value.text_length = value.text != NULL ? strlen(value.text) : 0;
        char letter = (size_t)column < type_count ? types[column] : 'T';
        char *rendered = slt_render_value(arena, letter, &value);
        if (rendered == NULL || !result_push(arena, result, rendered)) {
            return false;
        }
    }
    return true;
}

/* Runs every statement in sql; rows of statements that return columns go to
 * result (when not NULL). Returns STRATA_OK or the failing code; the message
 * is then in *message (arena). */
static int run_sql(FileRun *run, const char *sql, const char *types, Result *result,
                   const char **message)
{
    const char *cursor = sql;
    const char *end = sql + strlen(sql);
    *message = NULL;
    while (cursor < end) {
        strata_stmt *stmt = NULL;
        const char *tail = NULL;
        int rc = strata_prepare(run->db, cursor, -1, &stmt, &tail);
        if (rc == STRATA_OK && stmt != NULL) {
            if (result != NULL && strata_column_count(stmt) > 0) {
                result->column_count = strata_column_count(stmt);
            }
            while ((rc = strata_step(stmt)) == STRATA_ROW) {
                if (result != NULL && strata_column_count(stmt) > 0 &&
                    !collect_row(run->record_arena, stmt, types, result)) {
                    *message = "out of memory collecting the result";
                    strata_finalize(stmt);
                    return STRATA_NOMEM;
                }
            }
            rc = rc == STRATA_DONE ? STRATA_OK : rc;
        }
        if (rc != STRATA_OK) {
            *message = arena_sprintf(run->record_arena, "%s (SQLSTATE %s)",
                                     strata_errmsg(run->db), strata_sqlstate(run->db));
            snprintf(run->last_sqlstate, sizeof run->last_sqlstate, "%s", strata_sqlstate(run->db));
            strata_finalize(stmt);
            return rc;
        }
        strata_finalize(stmt);
        /* No statement left, or an engine that did not advance: stop. */
        if (stmt == NULL || tail == NULL || tail <= cursor || tail > end) {
            break;
        }
        cursor = tail;
    }
    return STRATA_OK;
}

/* ---- reporting ---- */

static void print_values(FILE *out, const char *title, char *const *values, size_t count)
{
    fprintf(out, "  %s (%zu values):", title, count);
    for (size_t index = 0; index < count && index < PREVIEW_VALUES_MAX; index++) {
        fprintf(out, " %.60s%s", values[index], index + 1 < count ? "," : "");
    }
    fprintf(out, "%s\n", count > PREVIEW_VALUES_MAX ? " ..." : "");
}

static void record_failure(FileRun *run, const SltRecord *record, const char *reason,
                           char *const *expected, size_t expected_count, const Result *got)
{
    run->counts->failed++;
    if (run->options->stop_on_fail) {
        run->stopped_on_failure = true;
    }
    if (!run->options->verbose) {
        return;
    }
    FILE *out = run->options->out;
    fprintf(out, "%s:%d: %s\n", run->path, record->line, reason);
    if (record->sql != NULL) {
        size_t length = strlen(record->sql);
        int shown = (int)(length < PREVIEW_SQL_BYTES ? length : PREVIEW_SQL_BYTES);
        fprintf(out, "  sql: %.*s%s\n", shown, record->sql,
                length > PREVIEW_SQL_BYTES ? " ..." : "");
    }
    if (expected != NULL) {
        print_values(out, "expected", expected, expected_count);
    }
    if (got != NULL) {
        print_values(out, "got", got->values, got->count);
    }
    fflush(out);
}

/* ---- records ---- */

static void run_statement(FileRun *run, const SltRecord *record)
{
    const char *message = NULL;
    int rc = run_sql(run, record->sql, NULL, NULL, &message);
    if (rc == STRATA_OK && record->expect_error) {
        record_failure(run, record, "statement succeeded but an error was expected", NULL, 0,
                       NULL);
    } else if (rc != STRATA_OK && !record->expect_error) {
        record_failure(run, record,
                       arena_sprintf(run->record_arena, "statement failed: %s",
                                     message != NULL ? message : "?"),
                       NULL, 0, NULL);
    } else if (rc != STRATA_OK && record->expected_sqlstate[0] != '\0' &&
               strcmp(record->expected_sqlstate, run->last_sqlstate) != 0) {
        record_failure(run, record,
                       arena_sprintf(run->record_arena, "expected SQLSTATE %s, got: %s",
                                     record->expected_sqlstate, message != NULL ? message : "?"),
                       NULL, 0, NULL);
    } else if (rc != STRATA_OK && record->expected_message != NULL &&
               (message == NULL || strstr(message, record->expected_message) == NULL)) {
        record_failure(run, record,
                       arena_sprintf(run->record_arena, "expected an error with \"%s\", got: %s",
                                     record->expected_message, message != NULL ? message : "?"),
                       NULL, 0, NULL);
    } else {
        run->counts->passed++;
    }
}

/* The MD5 a skipped or run query stands for, from its expected lines. */
static bool expected_hash(FileRun *run, const SltRecord *record, char **sorted, char *hash)
{
    if (record->expected_is_hash) {
        memcpy(hash, record->hash, SLT_MD5_HEX_SIZE);
        return true;
    }
    if (!slt_sort_values(run->record_arena, sorted, record->expected_count,
                         record->column_count, record->sort)) {
        return false;
    }
    slt_md5_values(sorted, record->expected_count, hash);
    return true;
}

static char **copy_expected(FileRun *run, const SltRecord *record)
{
    char **copy = arena_alloc(run->record_arena, (record->expected_count + 1) * sizeof(char *));
    if (copy != NULL && record->expected_count > 0) {
        memcpy(copy, record->expected, record->expected_count * sizeof(char *));
    }
    return copy;
}

static void note_skipped_label(FileRun *run, const SltRecord *record)
{
    char hash[SLT_MD5_HEX_SIZE];
    char **sorted = copy_expected(run, record);
    bool was_new;
    if (record->label != NULL && sorted != NULL && expected_hash(run, record, sorted, hash)) {
        label_find_or_add(run->file_arena, &run->labels, record->label, hash, &was_new);
    }
}

/* Compares a query's sorted result with its expected section; NULL if equal,
 * else the reason (arena). */
static const char *compare_result(FileRun *run, const SltRecord *record, const Result *result,
                                  const char *hash)
{
    if (record->expected_is_hash) {
        if ((long)result->count != record->hash_value_count || strcmp(hash, record->hash) != 0) {
            return arena_sprintf(run->record_arena,
                                 "wrong result: %zu values hashing to %s, expected %ld values "
                                 "hashing to %s",
                                 result->count, hash, record->hash_value_count, record->hash);
        }
        return NULL;
    }
    char **sorted = copy_expected(run, record);
    if (sorted == NULL || !slt_sort_values(run->record_arena, sorted, record->expected_count,
                                           record->column_count, record->sort)) {
        return "out of memory comparing the result";
    }
    if (result->count != record->expected_count) {
        return arena_sprintf(run->record_arena, "wrong result: %zu values, expected %zu",
                             result->count, record->expected_count);
    }
    for (size_t index = 0; index < result->count; index++) {
        if (strcmp(result->values[index], sorted[index]) != 0) {
            return arena_sprintf(run->record_arena, "wrong result at value %zu", index + 1);
        }
    }
    return NULL;
}

static void run_query(FileRun *run, const SltRecord *record)
{
    Result result = {0};
    const char *message = NULL;
    int rc = run_sql(run, record->sql, record->types, &result, &message);
    if (rc != STRATA_OK) {
        record_failure(run, record,
                       arena_sprintf(run->record_arena, "query failed: %s",
                                     message != NULL ? message : "?"),
                       NULL, 0, NULL);
        return;
    }
    if (result.column_count != record->column_count) {
        record_failure(run, record,
                       arena_sprintf(run->record_arena, "query returned %d columns, expected %d",
                                     result.column_count, record->column_count),
                       NULL, 0, NULL);
        return;
    }
    char hash[SLT_MD5_HEX_SIZE];
    if (!slt_sort_values(run->record_arena, result.values, result.count, result.column_count,
                         record->sort)) {
        record_failure(run, record, "out of memory sorting the result", NULL, 0, NULL);
        return;
    }
    slt_md5_values(result.values, result.count, hash);
    const char *reason = compare_result(run, record, &result, hash);
    if (reason == NULL && record->label != NULL) {
        bool was_new = false;
        Label *label = label_find_or_add(run->file_arena, &run->labels, record->label, hash,
                                         &was_new);
        if (label != NULL && !was_new && strcmp(label->hash, hash) != 0) {
            reason = arena_sprintf(run->record_arena,
                                   "label %s: result hashes to %s, earlier queries to %s",
                                   record->label, hash, label->hash);
        }
    }
    if (reason != NULL) {
        record_failure(run, record, reason, record->expected, record->expected_count, &result);
        return;
    }
    run->counts->passed++;
}

/* Counts every remaining record of parser as failed (or skipped). */
static void count_rest(SltParser *parser, Arena *arena, const char *engine, SltCounts *counts)
{
    SltRecord record;
    for (;;) {
        arena_reset(arena);
        if (!slt_parser_next(parser, arena, &record)) {
            return;
        }
        bool is_skipped = slt_record_is_skipped(&record, engine);
        if (record.kind == SLT_RECORD_HALT && !is_skipped) {
            return;
        }
        if (record.kind == SLT_RECORD_STATEMENT || record.kind == SLT_RECORD_QUERY ||
            record.kind == SLT_RECORD_INVALID) {
            if (is_skipped) {
                counts->skipped++;
            } else {
                counts->failed++;
            }
        }
    }
}

/* With --default-am NAME, "skipif NAME-am" also skips a record: one whose
 * expected result depends on the physical model itself (a plan shape, relam),
 * documented in docs/testing.md. */
static bool skipped_for_am(const FileRun *run, const SltRecord *record)
{
    const char *am = run->options->default_am;
    size_t length = am != NULL ? strlen(am) : 0;
    for (int index = 0; am != NULL && index < record->condition_count; index++) {
        const char *engine = record->conditions[index].engine;
        if (record->conditions[index].is_skipif && strncasecmp(engine, am, length) == 0 &&
            strcasecmp(engine + length, "-am") == 0) {
            return true;
        }
    }
    return false;
}

/* Runs one record; false when the file must stop (halt). */
static bool run_record(FileRun *run, const SltRecord *record)
{
    bool is_skipped =
        slt_record_is_skipped(record, run->options->engine) || skipped_for_am(run, record);
    switch (record->kind) {
    case SLT_RECORD_HALT:
        return is_skipped;
    case SLT_RECORD_HASH_THRESHOLD:
        run->threshold = record->threshold;
        return true;
    case SLT_RECORD_INVALID:
        if (is_skipped) {
            run->counts->skipped++;
        } else {
            record_failure(run, record, record->message, NULL, 0, NULL);
        }
        return true;
    case SLT_RECORD_STATEMENT:
        if (is_skipped) {
            run->counts->skipped++;
        } else {
            run_statement(run, record);
        }
        return true;
    case SLT_RECORD_QUERY:
        if (is_skipped) {
            run->counts->skipped++;
            note_skipped_label(run, record);
        } else {
            run_query(run, record);
        }
        return true;
    }
    return true;
}

static void run_records(FileRun *run, SltParser *parser)
{
    SltRecord record;
    for (;;) {
        arena_reset(run->record_arena);
        if (!slt_parser_next(parser, run->record_arena, &record)) {
            return;
        }
        run->counts->current_line = record.line;
        if (atomic_load(&run->watchdog.fired)) {
            run->counts->timed_out = 1;
            if (record.kind == SLT_RECORD_STATEMENT || record.kind == SLT_RECORD_QUERY) {
                run->counts->failed++;
            }
            fprintf(stderr, "%s:%d: timed out after %g s; the rest of the file counts as failed\n",
                    run->path, record.line, run->options->timeout_seconds);
            count_rest(parser, run->record_arena, run->options->engine, run->counts);
            return;
        }
        if (!run_record(run, &record) || run->stopped_on_failure) {
            return;
        }
    }
}

/* --default-am: the file's session starts with that default access method, so
 * every CREATE TABLE without USING makes a table of it. A failure (an unknown
 * name) counts as one failed record and stops the file. */
static bool set_default_am(FileRun *run)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SET default_table_access_method = '%.100s'",
             run->options->default_am);
    if (strata_exec(run->db, sql, NULL, NULL) == STRATA_OK) {
        return true;
    }
    fprintf(stderr, "%s: %s: %s\n", run->path, sql, strata_errmsg(run->db));
    run->counts->failed++;
    run->stopped_on_failure = run->options->stop_on_fail;
    return false;
}

bool slt_run_file(const char *path, const SltOptions *options, SltCounts *counts)
{
    char *text = NULL;
    size_t length = 0;
    FileRun run = {0};
    run.path = path;
    run.options = options;
    run.counts = counts;
    run.threshold = SLT_HASH_THRESHOLD_DEFAULT;
    if (!read_whole_file(path, &text, &length)) {
        fprintf(stderr, "%s: could not read file: %s\n", path, strerror(errno));
        counts->failed++;
        return !options->stop_on_fail;
    }
    run.file_arena = arena_create(NULL, 0, "slt file");
    run.record_arena = arena_create(NULL, 0, "slt record");
    int rc = strata_open(":memory:", &run.db);
    if (rc != STRATA_OK || run.file_arena == NULL || run.record_arena == NULL) {
        fprintf(stderr, "%s: could not open an in-memory database: %s\n", path,
                run.db != NULL ? strata_errmsg(run.db) : "out of memory");
        counts->failed++;
        run.stopped_on_failure = options->stop_on_fail;
        goto out_close;
    }
    if (options->default_am != NULL && !set_default_am(&run)) {
        goto out_close;
    }
    SltParser parser;
    slt_parser_init(&parser, text, length);
    watchdog_start(&run.watchdog, run.db, options->timeout_seconds);
    run_records(&run, &parser);
    watchdog_stop(&run.watchdog);
out_close:
    counts->current_line = 0;
    strata_close(run.db);
    arena_destroy(run.record_arena);
    arena_destroy(run.file_arena);
    mem_free(text);
    return !run.stopped_on_failure;
}

void slt_count_remaining(const char *path, int after_line, const char *engine, SltCounts *counts)
{
    char *text = NULL;
    size_t length = 0;
    if (!read_whole_file(path, &text, &length)) {
        return;
    }
    Arena *arena = arena_create(NULL, 0, "slt count");
    if (arena != NULL) {
        SltParser parser;
        SltRecord record;
        slt_parser_init(&parser, text, length);
        /* Skip the records that ran, up to and including the one at after_line. */
        while (parser.line <= after_line) {
            arena_reset(arena);
            if (!slt_parser_next(&parser, arena, &record) || record.line >= after_line) {
                break;
            }
        }
        count_rest(&parser, arena, engine, counts);
    }
    arena_destroy(arena);
    mem_free(text);
}
