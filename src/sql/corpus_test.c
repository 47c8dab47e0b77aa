/*
 * sql/corpus_test.c - parses the SQL of the sqllogictest corpus (../shared/slt).
 *
 * Goal: every statement and query that PostgreSQL itself can parse parses here.
 * The runner follows the corpus README: '#' lines are deleted, records are
 * separated by blank lines, `skipif postgresql` and `onlyif <other>` skip a
 * record, `halt` ends a file. `statement error` records may fail to parse (an
 * error is what they expect); `statement ok` and `query` records must parse,
 * except the SQLite-only forms listed in sqlite_only() (PostgreSQL rejects
 * them too, see the corpus README "Known differences").
 *
 * Every parsed statement of every 10th record (all of them with STRATA_TEST_FULL=1)
 * also goes through the deparser's fixed-point check: deparse, parse the text,
 * deparse again, and the two texts must be equal.
 *
 * The whole corpus is parsed by default (a few seconds); with STRATA_TEST_QUICK=1
 * a fixed sample (every record of select1 and evidence/, every 40th record
 * elsewhere), unless STRATA_TEST_FULL=1. STRATA_SLT_ENGINE=name changes the
 * engine name matched by skipif/onlyif (default postgresql); STRATA_TEST_VERBOSE
 * lists the rejected records. The corpus
 * directory is STRATA_SLT_DIR or ../shared/slt/test; if it is absent the test
 * reports that and passes nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sql/parser.h"
#include "util/mem.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

typedef struct Counts {
    long files;
    long parsed_ok;
    long parse_failed;      /* ok/query records that failed: must stay 0 */
    long expected_failures; /* statement error records that failed to parse */
    long sqlite_only;       /* SQLite-only syntax, rejected as PostgreSQL does */
    long skipped;
    long roundtrip_failed; /* deparse(parse(deparse(parse(x)))) != deparse(parse(x)) */
} Counts;

static bool full_run;
static bool roundtrip_all;
static bool verbose;
static const char *engine = "postgresql";
static Counts counts;
static int failures_printed;

/* SQLite-only syntax that PostgreSQL rejects as well. */
static bool sqlite_only(const char *sql)
{
    static const char *const prefixes[] = {"CREATE TRIGGER", "DROP TRIGGER", "REPLACE INTO",
                                           "INSERT OR ",     "REINDEX",      "CREATE TEMP TRIGGER"};
    for (size_t index = 0; index < sizeof(prefixes) / sizeof(prefixes[0]); index++) {
        if (strncasecmp(sql, prefixes[index], strlen(prefixes[index])) == 0) {
            return true;
        }
    }
    /* x IN () with an empty list */
    const char *scan = sql;
    while ((scan = strstr(scan, "IN")) != NULL) {
        const char *after = scan + 2;
        while (*after == ' ' || *after == '\n') {
            after++;
        }
        if (after[0] == '(') {
            after++;
            while (*after == ' ') {
                after++;
            }
            if (after[0] == ')') {
                return true;
            }
        }
        scan += 2;
    }
    return false;
}

/* The deparser's fixed point: text1 = deparse(parse(sql)) parses, and
 * deparse(parse(text1)) == text1. */
static void check_roundtrip(const char *file, int line, const StmtList *list, Arena *arena)
{
    for (int index = 0; index < list->count; index++) {
        char *first = sql_deparse_stmt(list->items[index], arena);
        Stmt *again = NULL;
        Error err;
        char *second = NULL;
        if (first != NULL &&
            sql_parse_one(first, strlen(first), arena, &again, &err) == STRATA_OK) {
            second = sql_deparse_stmt(again, arena);
        }
        if (first == NULL || second == NULL || strcmp(first, second) != 0) {
            counts.roundtrip_failed++;
            if (failures_printed++ < 40) {
                fprintf(stderr, "  round trip failure %s:%d:\n    %s\n    %s\n", file, line,
                        first != NULL ? first : "(null)", second != NULL ? second : err.message);
            }
        }
    }
}

static void check_sql(const char *file, int line, const char *sql, bool expect_error)
{
    Arena *arena = arena_create(NULL, 0, "corpus");
    REQUIRE(arena != NULL);
    StmtList *list;
    Error err;
    int rc = sql_parse(sql, strlen(sql), arena, &list, &err);
    if (rc == STRATA_OK) {
        counts.parsed_ok++;
        if (roundtrip_all || counts.parsed_ok % 10 == 0) {
            check_roundtrip(file, line, list, arena);
        }
    } else if (expect_error || sqlite_only(sql)) {
        if (expect_error) {
            counts.expected_failures++;
        } else {
            counts.sqlite_only++;
        }
        if (verbose) {
            fprintf(stderr, "  rejected %s:%d: %s\n    %s\n", file, line, err.message, sql);
        }
    } else {
        counts.parse_failed++;
        if (failures_printed++ < 40) {
            fprintf(stderr, "  parse failure %s:%d: %s (position %d)\n    %s\n", file, line,
                    err.message, err.position, sql);
        }
    }
    arena_destroy(arena);
}

/* Evaluates skipif/onlyif lines; true if the record runs for "postgresql". */
static bool condition_allows(const char *line, bool *allowed)
{
    char name[64];
    if (sscanf(line, "skipif %63s", name) == 1) {
        if (strcasecmp(name, engine) == 0) {
            *allowed = false;
        }
        return true;
    }
    if (sscanf(line, "onlyif %63s", name) == 1) {
        if (strcasecmp(name, engine) != 0) {
            *allowed = false;
        }
        return true;
    }
    return false;
}

typedef struct Record {
    char **lines;
    int *line_numbers;
    int count;
    int capacity;
} Record;

/* Handles one record; returns false after a halt that applies. */
static bool run_record(const char *file, Record *record, long record_index, long stride)
{
    int first = 0;
    bool allowed = true;
    while (first < record->count && condition_allows(record->lines[first], &allowed)) {
        first++;
    }
    if (first >= record->count) {
        return true;
    }
    const char *head = record->lines[first];
    if (strncmp(head, "halt", 4) == 0) {
        return !allowed;
    }
    bool is_statement = strncmp(head, "statement", 9) == 0;
    bool is_query = strncmp(head, "query", 5) == 0;
    if (!is_statement && !is_query) {
        return true; /* hash-threshold and the like */
    }
    if (!allowed || record_index % stride != 0) {
        counts.skipped++;
        return true;
    }
    bool expect_error = is_statement && strstr(head, "error") != NULL;
    size_t size = 1;
    for (int index = first + 1; index < record->count; index++) {
        size += strlen(record->lines[index]) + 1;
    }
    char *sql = mem_alloc(size);
    if (sql == NULL) {
        return false;
    }
    sql[0] = '\0';
    size_t used = 0;
    for (int index = first + 1; index < record->count; index++) {
        if (is_query && strcmp(record->lines[index], "----") == 0) {
            break;
        }
        size_t length = strlen(record->lines[index]);
        if (used > 0) {
            sql[used++] = '\n';
        }
        memcpy(sql + used, record->lines[index], length);
        used += length;
        sql[used] = '\0';
    }
    check_sql(file, record->line_numbers[first], sql, expect_error);
    mem_free(sql);
    return true;
}

static void run_file(const char *path, long stride)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        return;
    }
    counts.files++;
    Record record = {0};
    char *line = NULL;
    size_t line_capacity = 0;
    ssize_t length;
    int line_number = 0;
    long record_index = 0;
    bool running = true;
    while (running) {
        length = getline(&line, &line_capacity, in);
        line_number++;
        if (length >= 0) {
            while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) {
                line[--length] = '\0';
            }
            if (line[0] == '#') {
                continue;
            }
        }
        bool blank = length < 0 || strspn(line, " \t") == (size_t)length;
        if (blank) {
            if (record.count > 0) {
                running = run_record(path, &record, record_index++, stride);
                for (int index = 0; index < record.count; index++) {
                    mem_free(record.lines[index]);
                }
                record.count = 0;
            }
            if (length < 0) {
                break;
            }
            continue;
        }
        if (record.count == record.capacity) {
            int capacity = record.capacity == 0 ? 16 : record.capacity * 2;
            record.lines = mem_realloc(record.lines, (size_t)capacity * sizeof(char *));
            record.line_numbers = mem_realloc(record.line_numbers, (size_t)capacity * sizeof(int));
            if (record.lines == NULL || record.line_numbers == NULL) {
                break;
            }
            record.capacity = capacity;
        }
        record.line_numbers[record.count] = line_number;
        record.lines[record.count++] = mem_strdup(line);
    }
    for (int index = 0; index < record.count; index++) {
        mem_free(record.lines[index]);
    }
    mem_free(record.lines);
    mem_free(record.line_numbers);
    free(line);
    fclose(in);
}

static void walk(const char *dir, int depth)
{
    if (depth > 8) {
        return;
    }
    DIR *handle = opendir(dir);
    if (handle == NULL) {
        return;
    }
    /* Sorted order keeps the sample fixed. */
    char **names = NULL;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(handle)) != NULL) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        names = mem_realloc(names, (size_t)(count + 1) * sizeof(char *));
        if (names == NULL) {
            break;
        }
        names[count++] = mem_strdup(entry->d_name);
    }
    closedir(handle);
    for (int outer = 0; outer < count; outer++) {
        for (int inner = outer + 1; inner < count; inner++) {
            if (strcmp(names[inner], names[outer]) < 0) {
                char *swap = names[outer];
                names[outer] = names[inner];
                names[inner] = swap;
            }
        }
    }
    for (int index = 0; index < count; index++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[index]);
        struct stat info;
        if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
            walk(path, depth + 1);
        } else if (strstr(names[index], ".test") != NULL) {
            /* select1 and evidence/ in full; elsewhere a stride sample. */
            bool whole = full_run || strstr(path, "evidence/") != NULL ||
                         strstr(path, "select1.test") != NULL;
            run_file(path, whole ? 1 : 40);
        }
        mem_free(names[index]);
    }
    mem_free(names);
}

static void test_corpus(void)
{
    const char *dir = getenv("STRATA_SLT_DIR");
    if (dir == NULL || *dir == '\0') {
        dir = "../shared/slt/test";
    }
    struct stat info;
    if (stat(dir, &info) != 0) {
        printf("corpus_test: %s not found, corpus not parsed\n", dir);
        return;
    }
    walk(dir, 0);
    printf(
        "corpus_test: %s run as %s: %ld files, %ld parsed, %ld parse failures, %ld statement-error "
        "records rejected, %ld SQLite-only rejected, %ld skipped, %ld round-trip failures\n",
        full_run ? "full" : "sample", engine, counts.files, counts.parsed_ok, counts.parse_failed,
        counts.expected_failures, counts.sqlite_only, counts.skipped, counts.roundtrip_failed);
    CHECK(counts.files > 0);
    CHECK_EQ_INT(counts.parse_failed, 0);
    CHECK_EQ_INT(counts.roundtrip_failed, 0);
}

int main(void)
{
    /* The whole corpus parses in a few seconds in a release build, so it is the
     * default; STRATA_TEST_QUICK=1 (sanitizer runs) parses the sample unless
     * STRATA_TEST_FULL=1 asks for everything. */
    const char *full = getenv("STRATA_TEST_FULL");
    const char *quick = getenv("STRATA_TEST_QUICK");
    roundtrip_all = full != NULL && strcmp(full, "1") == 0;
    full_run = roundtrip_all || quick == NULL || strcmp(quick, "1") != 0;
    verbose = getenv("STRATA_TEST_VERBOSE") != NULL;
    if (getenv("STRATA_SLT_ENGINE") != NULL) {
        engine = getenv("STRATA_SLT_ENGINE");
    }
    TEST_RUN(test_corpus);
    return test_summary("corpus_test");
}
