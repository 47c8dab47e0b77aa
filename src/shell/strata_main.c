/*
 * shell/strata_main.c - the strata program: options, the input loop, line
 * editing and signals (see shell.h and docs/shell.md).
 *
 *   strata [options] [DBFILE]     (default ./strata.db, ":memory:" for a
 *                                  throwaway database)
 *
 * Input is read line by line and each statement runs as soon as its ';' has
 * been read, so a program can drive the shell through a pipe. On a terminal,
 * libedit gives line editing and history (~/.strata_history) and the prompt
 * shows the transaction state like psql (=>, =*>, =!>, -> for more input).
 *
 * Exit status: 0 on success (SQL errors without ON_ERROR_STOP included, as
 * psql), 1 on usage errors and unreadable files, 3 when ON_ERROR_STOP is set
 * and a statement failed.
 *
 * Threads: one. SIGINT calls strata_interrupt while a statement runs and
 * clears the typed input at the prompt.
 */
#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/server.h"
#include "shell/shell.h"
#include "util/mem.h"

enum { EXIT_USAGE = 1, EXIT_ON_ERROR_STOP = 3, ACTIONS_MAX = 64, HISTORY_SIZE = 2000 };

typedef struct Action {
    char kind;          /* 'c' command string, 'f' file */
    const char *text;   /* borrowed: argv */
} Action;

static void on_sigint(int signal_number)
{
    (void)signal_number;
    shell_interrupted = 1;
    strata_db *db = shell_running_db;
    if (db != NULL) {
        strata_interrupt(db);
    }
}

bool shell_read_line(Shell *shell, InputSource *source, char **line, size_t *capacity)
{
    (void)shell;
    size_t length = 0;
    for (;;) {
        if (*capacity - length < 2 || *line == NULL) {
            size_t grown = *capacity == 0 ? 1024 : *capacity * 2;
            char *bigger = mem_realloc(*line, grown);
            if (bigger == NULL) {
                return false;
            }
            *line = bigger;
            *capacity = grown;
        }
        if (fgets(*line + length, (int)(*capacity - length), source->file) == NULL) {
            if (length == 0) {
                return false;
            }
            break;
        }
        length += strlen(*line + length);
        if (length > 0 && (*line)[length - 1] == '\n') {
            break;
        }
    }
    while (length > 0 && ((*line)[length - 1] == '\n' || (*line)[length - 1] == '\r')) {
        (*line)[--length] = '\0';
    }
    source->line_number++;
    return true;
}

/* Runs every complete statement and meta command in the splitter. Returns
 * false when ON_ERROR_STOP stops the input. */
static bool drain(Shell *shell, Splitter *splitter)
{
    const char *text;
    SplitResult result;
    while (!shell->should_quit &&
           (result = shell_splitter_next(splitter, &text)) != SPLIT_NEED_MORE) {
        bool is_ok;
        if (result == SPLIT_STATEMENT) {
            is_ok = shell_run_sql(shell, text);
        } else {
            char *command = mem_strdup(text);
            is_ok = command != NULL && shell_run_meta(shell, command, splitter);
            mem_free(command);
            if (!is_ok) {
                shell->had_error = true;
            }
        }
        if (!is_ok && shell->on_error_stop && !(shell->source && shell->source->is_interactive)) {
            return false;
        }
    }
    return true;
}

/* At the end of script input: psql runs a last statement without ';'. */
static bool run_rest(Shell *shell, Splitter *splitter)
{
    const char *text;
    if (shell->should_quit || !shell_splitter_take_rest(splitter, &text)) {
        return true;
    }
    return shell_run_sql(shell, text) || !shell->on_error_stop;
}

bool shell_run_source(Shell *shell, InputSource *source)
{
    Splitter splitter;
    shell_splitter_init(&splitter);
    InputSource *outer = shell->source;
    shell->source = source;
    char *line = NULL;
    size_t capacity = 0;
    bool is_ok = true;
    while (is_ok && !shell->should_quit && shell_read_line(shell, source, &line, &capacity)) {
        is_ok = shell_splitter_feed(&splitter, line, strlen(line)) &&
                shell_splitter_feed(&splitter, "\n", 1) && drain(shell, &splitter);
    }
    if (is_ok) {
        is_ok = run_rest(shell, &splitter);
    }
    mem_free(line);
    shell_splitter_free(&splitter);
    shell->source = outer;
    return is_ok;
}

bool shell_run_string(Shell *shell, const char *text)
{
    Splitter splitter;
    shell_splitter_init(&splitter);
    bool is_ok = shell_splitter_feed(&splitter, text, strlen(text)) &&
                 shell_splitter_feed(&splitter, "\n", 1) && drain(shell, &splitter) &&
                 run_rest(shell, &splitter);
    shell_splitter_free(&splitter);
    return is_ok;
}

/* ---- interactive ---- */

static char prompt_text[32];

static char *current_prompt(EditLine *editor)
{
    (void)editor;
    return prompt_text;
}

static void set_prompt(Shell *shell, const Splitter *splitter)
{
    const char *marker = "=";
    if (shell_splitter_has_partial(splitter)) {
        marker = "-";
    } else if (strata_txn_state(shell->db) == 1) {
        marker = "=*";
    } else if (strata_txn_state(shell->db) == 2) {
        marker = "=!";
    }
    snprintf(prompt_text, sizeof prompt_text, "strata%s> ", marker);
}

static void history_path(char *path, size_t size)
{
    const char *home = getenv("HOME");
    snprintf(path, size, "%s/.strata_history", home != NULL ? home : ".");
}

/* One interactive line: history, then run what is complete. */
static void interactive_line(Shell *shell, Splitter *splitter, History *history_state,
                             const char *line, int count)
{
    HistEvent event;
    size_t length = (size_t)count;
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) {
        length--;
    }
    char *copy = mem_alloc(length + 1);
    if (copy == NULL) {
        return;
    }
    memcpy(copy, line, length);
    copy[length] = '\0';
    if (!shell_split_is_blank(copy)) {
        history(history_state, &event, H_ENTER, copy);
    }
    shell_splitter_feed(splitter, copy, length);
    shell_splitter_feed(splitter, "\n", 1);
    mem_free(copy);
    drain(shell, splitter);
}

static void run_interactive(Shell *shell, const char *program)
{
    char path[1024];
    HistEvent event;
    InputSource source = {stdin, "<stdin>", 0, true, false};
    Splitter splitter;
    EditLine *editor = el_init(program, stdin, stdout, stderr);
    History *history_state = history_init();
    if (editor == NULL || history_state == NULL) {
        fprintf(stderr, "strata: could not start line editing; reading plain input\n");
        source.is_interactive = false;
        shell_run_source(shell, &source);
        return;
    }
    history_path(path, sizeof path);
    history(history_state, &event, H_SETSIZE, HISTORY_SIZE);
    history(history_state, &event, H_SETUNIQUE, 1);
    history(history_state, &event, H_LOAD, path);
    el_set(editor, EL_EDITOR, "emacs");
    el_set(editor, EL_HIST, history, history_state);
    el_set(editor, EL_PROMPT, current_prompt);
    el_source(editor, NULL);
    shell_splitter_init(&splitter);
    shell->source = &source;
    printf("strata %s\nType \"\\?\" for help.\n\n", strata_libversion());
    while (!shell->should_quit) {
        set_prompt(shell, &splitter);
        shell_interrupted = 0;
        int count = 0;
        const char *line = el_gets(editor, &count);
        if (line == NULL || count <= 0) {
            if (shell_interrupted) {
                /* Ctrl-C at the prompt: forget the typed statement. */
                shell_splitter_clear(&splitter);
                el_reset(editor);
                fputc('\n', stdout);
                continue;
            }
            fputs("\\q\n", stdout);
            break;
        }
        source.line_number++;
        interactive_line(shell, &splitter, history_state, line, count);
    }
    history(history_state, &event, H_SAVE, path);
    shell_splitter_free(&splitter);
    history_end(history_state);
    el_end(editor);
    shell->source = NULL;
}

/* ---- options ---- */

static void usage(FILE *out)
{
    fprintf(out,
            "strata is the interactive terminal of the strata database.\n\n"
            "Usage:\n  strata [OPTION]... [DBFILE]\n\n"
            "DBFILE is opened (created if needed); the default is ./strata.db and\n"
            "\":memory:\" gives a throwaway in-memory database.\n\n"
            "General options:\n"
            "  -c, --command=COMMAND    run only single command (SQL or internal) and exit\n"
            "                           (repeatable; with -f, in the order given)\n"
            "  -f, --file=FILENAME      execute commands from file, then exit (repeatable)\n"
            "  -v, --set=, --variable=NAME=VALUE\n"
            "                           set variable NAME to VALUE (e.g. -v ON_ERROR_STOP=1)\n"
            "  -X, --no-psqlrc          accepted for psql compatibility (no startup file)\n"
            "  -V, --version            output version information, then exit\n"
            "  -?, --help               show this help, then exit\n\n"
            "Output format options:\n"
            "  -A, --no-align           unaligned table output mode\n"
            "      --csv                CSV (Comma-Separated Values) table output mode\n"
            "  -F, --field-separator=STRING\n"
            "                           field separator for unaligned output (default: \"|\")\n"
            "  -q, --quiet              run quietly (no messages, only query output)\n"
            "  -t, --tuples-only        print rows only\n\n"
            "With no -c or -f, statements are read from standard input and each runs as\n"
            "soon as its terminating semicolon has been read.\n");
}

static bool set_from_assignment(Shell *shell, const char *assignment)
{
    const char *equals = strchr(assignment, '=');
    char name[128];
    if (equals == NULL) {
        snprintf(name, sizeof name, "%s", assignment);
        shell_set_variable(shell, name, "");
        return true;
    }
    if ((size_t)(equals - assignment) >= sizeof name || equals == assignment) {
        fprintf(stderr, "strata: invalid variable assignment \"%s\"\n", assignment);
        return false;
    }
    snprintf(name, sizeof name, "%.*s", (int)(equals - assignment), assignment);
    shell_set_variable(shell, name, equals + 1);
    return true;
}

/* Parses argv; returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, Shell *shell, Action *actions, int *action_count)
{
    static const struct option long_options[] = {
        {"command", required_argument, NULL, 'c'},
        {"file", required_argument, NULL, 'f'},
        {"set", required_argument, NULL, 'v'},
        {"variable", required_argument, NULL, 'v'},
        {"no-psqlrc", no_argument, NULL, 'X'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, '?'},
        {"no-align", no_argument, NULL, 'A'},
        {"csv", no_argument, NULL, 1},
        {"field-separator", required_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'q'},
        {"tuples-only", no_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    int option;
    opterr = 0;
    while ((option = getopt_long(argc, argv, "c:f:v:XV?hAF:qt", long_options, NULL)) != -1) {
        switch (option) {
        case 'c':
        case 'f':
            if (*action_count == ACTIONS_MAX) {
                fprintf(stderr, "strata: too many -c/-f options (at most %d)\n", ACTIONS_MAX);
                return EXIT_USAGE;
            }
            actions[(*action_count)++] = (Action){(char)option, optarg};
            break;
        case 'v':
            if (!set_from_assignment(shell, optarg)) {
                return EXIT_USAGE;
            }
            break;
        case 'X':
            break;
        case 'V':
            printf("strata %s\n", strata_libversion());
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        case '?':
            if (optopt == 0 || optopt == '?') {
                if (optind > 0 && strcmp(argv[optind - 1], "-?") != 0 &&
                    strcmp(argv[optind - 1], "--help") != 0) {
                    fprintf(stderr, "strata: invalid option \"%s\"\n", argv[optind - 1]);
                    fprintf(stderr, "Try \"strata --help\" for more information.\n");
                    return EXIT_USAGE;
                }
                usage(stdout);
                return 0;
            }
            fprintf(stderr, "strata: invalid or incomplete option -- '%c'\n", optopt);
            fprintf(stderr, "Try \"strata --help\" for more information.\n");
            return EXIT_USAGE;
        case 'A':
            shell->print.format = FORMAT_UNALIGNED;
            break;
        case 1:
            shell->print.format = FORMAT_CSV;
            break;
        case 'F':
            snprintf(shell->field_separator, sizeof shell->field_separator, "%s", optarg);
            break;
        case 'q':
            shell->is_quiet = true;
            break;
        case 't':
            shell->print.tuples_only = true;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "strata: too many command-line arguments (first is \"%s\")\n",
                argv[optind + 1]);
        return EXIT_USAGE;
    }
    shell->db_path = optind < argc ? argv[optind] : "strata.db";
    return -1;
}

/* Runs the -c and -f actions in order; returns the exit status. */
static int run_actions(Shell *shell, const Action *actions, int action_count)
{
    for (int index = 0; index < action_count; index++) {
        bool is_ok;
        if (actions[index].kind == 'c') {
            is_ok = shell_run_string(shell, actions[index].text);
        } else {
            bool is_stdin = strcmp(actions[index].text, "-") == 0;
            FILE *file = is_stdin ? stdin : fopen(actions[index].text, "r");
            if (file == NULL) {
                fprintf(stderr, "strata: error: %s: %s\n", actions[index].text, strerror(errno));
                return EXIT_USAGE;
            }
            InputSource source = {file, is_stdin ? "<stdin>" : actions[index].text, 0, false, true};
            is_ok = shell_run_source(shell, &source);
            if (!is_stdin) {
                fclose(file);
            }
        }
        if (!is_ok && shell->on_error_stop) {
            return EXIT_ON_ERROR_STOP;
        }
        if (shell->should_quit) {
            break;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* `strata serve ...` is the PostgreSQL wire-protocol server (docs/server.md). */
    if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
        return server_main(argc - 1, argv + 1);
    }
    static Shell shell;
    static Action actions[ACTIONS_MAX];
    int action_count = 0;
    shell.out = stdout;
    snprintf(shell.field_separator, sizeof shell.field_separator, "|");
    shell.print.null_text = shell.null_text;
    shell.print.field_separator = shell.field_separator;
    int status = parse_options(argc, argv, &shell, actions, &action_count);
    if (status >= 0) {
        return status;
    }
    if (strata_open(shell.db_path, &shell.db) != STRATA_OK) {
        fprintf(stderr, "strata: error: could not open database \"%s\": %s\n", shell.db_path,
                shell.db != NULL ? strata_errmsg(shell.db) : "out of memory");
        strata_close(shell.db);
        return EXIT_USAGE;
    }
    struct sigaction action = {0};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    bool is_terminal = isatty(STDIN_FILENO) != 0;
    if (isatty(STDOUT_FILENO)) {
        const char *columns = getenv("COLUMNS");
        shell.print.terminal_width = columns != NULL ? atoi(columns) : 80;
    }
    status = 0;
    if (action_count > 0) {
        status = run_actions(&shell, actions, action_count);
    } else if (is_terminal) {
        run_interactive(&shell, argv[0]);
    } else {
        InputSource source = {stdin, "<stdin>", 0, false, true};
        if (!shell_run_source(&shell, &source) && shell.on_error_stop) {
            status = EXIT_ON_ERROR_STOP;
        }
    }
    if (shell.out_is_file) {
        fclose(shell.out);
    }
    fflush(stdout);
    strata_close(shell.db);
    for (int index = 0; index < shell.variable_count; index++) {
        mem_free(shell.variables[index].name);
        mem_free(shell.variables[index].value);
    }
    return status;
}
