/*
 * slt/strata-slt_main.c - the strata-slt program: runs sqllogictest files
 * (SQLite's format, see ../shared/slt/README.md) against strata.
 *
 *   strata-slt [--name NAME] [--summary] [--verbose] [--stop-on-fail]
 *              [--timeout-per-file S] [--no-fork] [--default-am NAME] FILE|DIR...
 *
 * DIR arguments are walked recursively for *.test files, in sorted order.
 * Each file runs in a child process (unless --no-fork), so an engine crash
 * costs only that file: the parent reads how far the child got from shared
 * memory and counts the crashed record and the rest of the file as failed.
 * The output ends with "skipped: N" and then exactly "N passed, N failed";
 * the exit status is 0 only when nothing failed.
 *
 * Threads: single-threaded apart from the runner's watchdog (slt_run.c).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "slt/slt.h"
#include "strata.h"
#include "util/mem.h"

enum { KILL_GRACE_SECONDS = 15 };

typedef struct TestFile {
    char *path;  /* owned (mem_free) */
    char *group; /* owned: the top-level folder it is summarised under */
} TestFile;

typedef struct FileList {
    TestFile *files;
    size_t count;
    size_t capacity;
} FileList;

typedef struct Group {
    const char *name;
    SltCounts counts;
    double seconds;
} Group;

typedef struct Config {
    SltOptions options;
    bool summary;
    bool use_fork;
} Config;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: strata-slt [--name NAME] [--summary] [--verbose] [--stop-on-fail]\n"
            "                  [--timeout-per-file S] [--no-fork] [--default-am NAME]\n"
            "                  FILE|DIR...\n"
            "Runs sqllogictest files against strata, each in a fresh in-memory database.\n"
            "  --name NAME             engine name for skipif/onlyif (default postgresql)\n"
            "  --summary               one line per file and per top-level folder\n"
            "  --verbose               print every failure with file:line, SQL, expected, got\n"
            "  --stop-on-fail          stop at the first failure\n"
            "  --timeout-per-file S    seconds per file (default 300); the rest fails\n"
            "  --no-fork               run files in this process (for debuggers)\n"
            "  --default-am NAME       start each file with SET default_table_access_method\n"
            "                          = NAME (column: tables without USING are column tables)\n");
}

static bool list_add(FileList *list, const char *path, const char *group)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 64 : list->capacity * 2;
        TestFile *grown = mem_realloc(list->files, capacity * sizeof(TestFile));
        if (grown == NULL) {
            return false;
        }
        list->files = grown;
        list->capacity = capacity;
    }
    TestFile *file = &list->files[list->count];
    file->path = mem_strdup(path);
    file->group = mem_strdup(group);
    if (file->path == NULL || file->group == NULL) {
        mem_free(file->path);
        mem_free(file->group);
        return false;
    }
    list->count++;
    return true;
}

static bool has_test_suffix(const char *name)
{
    size_t length = strlen(name);
    return length > 5 && strcmp(name + length - 5, ".test") == 0;
}

/* Adds every *.test under dir; root is the argument, for the group name. */
static bool walk_directory(FileList *list, const char *root, const char *dir)
{
    DIR *handle = opendir(dir);
    if (handle == NULL) {
        fprintf(stderr, "strata-slt: could not open directory \"%s\": %s\n", dir,
                strerror(errno));
        return false;
    }
    bool is_ok = true;
    struct dirent *entry;
    while (is_ok && (entry = readdir(handle)) != NULL) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        size_t length = strlen(dir) + strlen(entry->d_name) + 2;
        char *path = mem_alloc(length);
        if (path == NULL) {
            is_ok = false;
            break;
        }
        snprintf(path, length, "%s/%s", dir, entry->d_name);
        struct stat info;
        if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
            is_ok = walk_directory(list, root, path);
        } else if (has_test_suffix(entry->d_name)) {
            /* The group is root/<first component below root>, or root itself. */
            const char *below = path + strlen(root) + 1;
            const char *slash = strchr(below, '/');
            size_t group_length = slash != NULL ? (size_t)(slash - path) : strlen(root);
            char *group = mem_alloc(group_length + 1);
            is_ok = group != NULL;
            if (is_ok) {
                memcpy(group, path, group_length);
                group[group_length] = '\0';
                is_ok = list_add(list, path, group);
            }
            mem_free(group);
        }
        mem_free(path);
    }
    closedir(handle);
    return is_ok;
}

static int compare_files(const void *left, const void *right)
{
    return strcmp(((const TestFile *)left)->path, ((const TestFile *)right)->path);
}

static bool add_argument(FileList *list, const char *argument)
{
    struct stat info;
    if (stat(argument, &info) == 0 && S_ISDIR(info.st_mode)) {
        size_t first = list->count;
        char *root = mem_strdup(argument);
        if (root == NULL) {
            return false;
        }
        size_t length = strlen(root);
        while (length > 1 && root[length - 1] == '/') {
            root[--length] = '\0';
        }
        bool is_ok = walk_directory(list, root, root);
        mem_free(root);
        qsort(list->files + first, list->count - first, sizeof(TestFile), compare_files);
        return is_ok;
    }
    /* A file (or a missing path: the runner reports it as a failure). */
    char *group = mem_strdup(argument);
    if (group == NULL) {
        return false;
    }
    char *slash = strrchr(group, '/');
    if (slash != NULL) {
        *slash = '\0';
    } else {
        group[0] = '.';
        group[1] = '\0';
    }
    bool is_ok = list_add(list, argument, group);
    mem_free(group);
    return is_ok;
}

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Waits for child; kills it once it overruns the timeout by the grace. */
static int wait_child(pid_t child, double started, double timeout_seconds)
{
    int status = 0;
    long sleep_us = 200;
    for (;;) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) {
            return status;
        }
        if (done < 0 && errno != EINTR) {
            return 0;
        }
        if (timeout_seconds > 0 && now_seconds() - started > timeout_seconds + KILL_GRACE_SECONDS) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            return status;
        }
        struct timespec pause = {0, sleep_us * 1000};
        nanosleep(&pause, NULL);
        sleep_us = sleep_us < 50000 ? sleep_us * 2 : 50000;
    }
}

/* Runs one file in a child process, counting into *counts. */
static bool run_file_forked(const Config *config, const char *path, SltCounts *counts)
{
    SltCounts *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        return slt_run_file(path, &config->options, counts);
    }
    memset((void *)shared, 0, sizeof *shared);
    fflush(stdout);
    fflush(stderr);
    double started = now_seconds();
    pid_t child = fork();
    if (child == 0) {
        bool go_on = slt_run_file(path, &config->options, shared);
        fflush(stdout);
        fflush(stderr);
        _exit(go_on ? 0 : 2);
    }
    bool go_on = true;
    if (child < 0) {
        go_on = slt_run_file(path, &config->options, shared);
    } else {
        int status = wait_child(child, started, config->options.timeout_seconds);
        /* The child exits 0 (go on) or 2 (stop on failure); any other exit
         * (a sanitizer report exits 1, exit() inside the engine) or a signal
         * means the run died on its current record. */
        if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 2)) {
            go_on = WEXITSTATUS(status) == 0;
        } else {
            int line = shared->current_line;
            if (WIFEXITED(status)) {
                fprintf(stderr, "%s:%d: the run died (exit status %d) on this record; it and the "
                        "rest of the file count as failed\n", path, line, WEXITSTATUS(status));
            } else {
                fprintf(stderr, "%s:%d: the run died (signal %d) on this record; it and the rest "
                        "of the file count as failed\n", path, line,
                        WIFSIGNALED(status) ? WTERMSIG(status) : 0);
            }
            shared->failed++;
            slt_count_remaining(path, line, config->options.engine, shared);
            go_on = !config->options.stop_on_fail;
        }
    }
    counts->passed += shared->passed;
    counts->failed += shared->failed;
    counts->skipped += shared->skipped;
    munmap((void *)shared, sizeof *shared);
    return go_on;
}

static Group *group_for(Group *groups, size_t *group_count, const char *name)
{
    for (size_t index = 0; index < *group_count; index++) {
        if (strcmp(groups[index].name, name) == 0) {
            return &groups[index];
        }
    }
    Group *group = &groups[(*group_count)++];
    memset(group, 0, sizeof *group);
    group->name = name;
    return group;
}

/* Parses options (anywhere on the command line; "--" ends them) into config
 * and moves the paths to the front of argv. Returns the path count, or -1
 * on a usage error, or -2 after --help. */
static int parse_options(int argc, char **argv, Config *config)
{
    int path_count = 0;
    bool options_done = false;
    for (int index = 1; index < argc; index++) {
        const char *option = argv[index];
        if (options_done || option[0] != '-' || option[1] == '\0') {
            argv[path_count++] = argv[index];
        } else if (strcmp(option, "--") == 0) {
            options_done = true;
        } else if (strcmp(option, "--name") == 0 && index + 1 < argc) {
            config->options.engine = argv[++index];
        } else if (strcmp(option, "--summary") == 0) {
            config->summary = true;
        } else if (strcmp(option, "--verbose") == 0 || strcmp(option, "-v") == 0) {
            config->options.verbose = true;
        } else if (strcmp(option, "--stop-on-fail") == 0) {
            config->options.stop_on_fail = true;
        } else if (strcmp(option, "--default-am") == 0 && index + 1 < argc) {
            config->options.default_am = argv[++index];
        } else if (strcmp(option, "--no-fork") == 0) {
            config->use_fork = false;
        } else if (strcmp(option, "--timeout-per-file") == 0 && index + 1 < argc) {
            char *end = NULL;
            config->options.timeout_seconds = strtod(argv[++index], &end);
            if (*end != '\0' || end == argv[index]) {
                fprintf(stderr, "strata-slt: bad timeout \"%s\"\n", argv[index]);
                return -1;
            }
        } else if (strcmp(option, "--help") == 0 || strcmp(option, "-h") == 0) {
            usage(stdout);
            return -2;
        } else {
            fprintf(stderr, "strata-slt: unknown or incomplete option \"%s\"\n", option);
            usage(stderr);
            return -1;
        }
    }
    return path_count;
}

static void print_counts(const char *name, const SltCounts *counts, double seconds)
{
    printf("%s: %ld passed, %ld failed, %ld skipped, %.2f s\n", name, counts->passed,
           counts->failed, counts->skipped, seconds);
}

static int run_all(const Config *config, FileList *list)
{
    SltCounts total = {0};
    Group *groups = mem_zalloc((list->count + 1) * sizeof(Group));
    size_t group_count = 0;
    if (groups == NULL) {
        fprintf(stderr, "strata-slt: out of memory\n");
        return 1;
    }
    for (size_t index = 0; index < list->count; index++) {
        SltCounts counts = {0};
        double started = now_seconds();
        const char *path = list->files[index].path;
        bool go_on = config->use_fork ? run_file_forked(config, path, &counts)
                                      : slt_run_file(path, &config->options, &counts);
        double seconds = now_seconds() - started;
        if (config->summary) {
            print_counts(path, &counts, seconds);
        }
        Group *group = group_for(groups, &group_count, list->files[index].group);
        group->counts.passed += counts.passed;
        group->counts.failed += counts.failed;
        group->counts.skipped += counts.skipped;
        group->seconds += seconds;
        total.passed += counts.passed;
        total.failed += counts.failed;
        total.skipped += counts.skipped;
        fflush(stdout);
        if (!go_on) {
            break;
        }
    }
    if (config->summary) {
        for (size_t index = 0; index < group_count; index++) {
            char name[1024];
            snprintf(name, sizeof name, "folder %s", groups[index].name);
            print_counts(name, &groups[index].counts, groups[index].seconds);
        }
    }
    mem_free(groups);
    printf("skipped: %ld\n", total.skipped);
    printf("%ld passed, %ld failed\n", total.passed, total.failed);
    fflush(stdout);
    return total.failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    Config config = {0};
    config.options.engine = "postgresql";
    config.options.timeout_seconds = 300;
    config.options.out = stdout;
    config.use_fork = true;
    int path_count = parse_options(argc, argv, &config);
    if (path_count < 0) {
        return path_count == -2 ? 0 : 1;
    }
    if (path_count == 0) {
        usage(stderr);
        return 1;
    }
    FileList list = {0};
    int status = 0;
    for (int index = 0; index < path_count; index++) {
        if (!add_argument(&list, argv[index])) {
            status = 1;
        }
    }
    int run_status = run_all(&config, &list);
    for (size_t index = 0; index < list.count; index++) {
        mem_free(list.files[index].path);
        mem_free(list.files[index].group);
    }
    mem_free(list.files);
    return status != 0 ? status : run_status;
}
