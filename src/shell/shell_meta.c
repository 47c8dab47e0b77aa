/*
 * shell/shell_meta.c - the shell's backslash commands (see shell.h).
 *
 * psql's names and messages: \q \? \h \timing \x \pset \a \t \i \o \copy
 * \d \dt \di \dv \conninfo \set \unset \echo \g \r \p. The \d family asks the
 * engine's catalog views through SQL (information_schema.tables,
 * information_schema.columns, pg_catalog.pg_indexes); if a view is missing
 * the engine's error is printed and the command fails, nothing else.
 *
 * Invariants
 *   1. A meta command never exits the process; \q only sets should_quit.
 *   2. Arguments are split psql-style: whitespace separates, '...' and "..."
 *      quote (a doubled quote inside stands for one).
 */
#include "shell/shell.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"

enum { ARGUMENT_MAX = 1024 };

bool shell_next_argument(const char **cursor, char *out, size_t out_size)
{
    const char *text = *cursor;
    while (isspace((unsigned char)*text)) {
        text++;
    }
    if (*text == '\0') {
        *cursor = text;
        return false;
    }
    size_t length = 0;
    while (*text != '\0' && !isspace((unsigned char)*text)) {
        if (*text == '\'' || *text == '"') {
            char quote = *text++;
            while (*text != '\0') {
                if (*text == quote && text[1] == quote) {
                    text++;
                } else if (*text == quote) {
                    break;
                }
                if (length + 1 < out_size) {
                    out[length++] = *text;
                }
                text++;
            }
            if (*text == quote) {
                text++;
            }
            continue;
        }
        if (length + 1 < out_size) {
            out[length++] = *text;
        }
        text++;
    }
    out[length] = '\0';
    *cursor = text;
    return true;
}

/* psql's boolean words: on/off, true/false, yes/no, 1/0 (prefixes allowed). */
static int parse_bool(const char *value)
{
    size_t length = strlen(value);
    if (length == 0) {
        return -1;
    }
    if (strncasecmp(value, "true", length) == 0 || strncasecmp(value, "yes", length) == 0 ||
        (length > 1 && strncasecmp(value, "on", length) == 0) || strcmp(value, "1") == 0) {
        return 1;
    }
    if (strncasecmp(value, "false", length) == 0 || strncasecmp(value, "no", length) == 0 ||
        (length > 1 && strncasecmp(value, "off", length) == 0) || strcmp(value, "0") == 0) {
        return 0;
    }
    return -1;
}

static void say(Shell *shell, const char *fmt, const char *value)
{
    if (!shell->is_quiet) {
        fprintf(shell->out, fmt, value);
        fflush(shell->out);
    }
}

const char *shell_get_variable(const Shell *shell, const char *name)
{
    for (int index = 0; index < shell->variable_count; index++) {
        if (strcmp(shell->variables[index].name, name) == 0) {
            return shell->variables[index].value;
        }
    }
    return NULL;
}

/* The variables that change the shell's behaviour. */
static void apply_setting(Shell *shell, const char *name, const char *value)
{
    if (strcmp(name, "ON_ERROR_STOP") == 0) {
        shell->on_error_stop = parse_bool(value) == 1;
    } else if (strcmp(name, "VERBOSITY") == 0) {
        shell->is_verbose_errors = strcasecmp(value, "verbose") == 0;
    } else if (strcmp(name, "QUIET") == 0) {
        shell->is_quiet = parse_bool(value) == 1;
    }
}

void shell_set_variable(Shell *shell, const char *name, const char *value)
{
    apply_setting(shell, name, value);
    int index = 0;
    while (index < shell->variable_count && strcmp(shell->variables[index].name, name) != 0) {
        index++;
    }
    if (index == shell->variable_count) {
        if (index == SHELL_VARIABLES_MAX) {
            fprintf(stderr, "strata: too many variables\n");
            return;
        }
        shell->variables[index].name = mem_strdup(name);
        shell->variables[index].value = NULL;
        if (shell->variables[index].name == NULL) {
            return;
        }
        shell->variable_count++;
    }
    char *copy = mem_strdup(value);
    if (copy != NULL) {
        mem_free(shell->variables[index].value);
        shell->variables[index].value = copy;
    }
}

static void unset_variable(Shell *shell, const char *name)
{
    for (int index = 0; index < shell->variable_count; index++) {
        if (strcmp(shell->variables[index].name, name) == 0) {
            mem_free(shell->variables[index].name);
            mem_free(shell->variables[index].value);
            shell->variables[index] = shell->variables[--shell->variable_count];
            apply_setting(shell, name, "");
            return;
        }
    }
}

static const char help_text[] =
    "General\n"
    "  \\q                     quit strata\n"
    "  \\? [commands]          show help on backslash commands\n"
    "  \\h [NAME]              syntax summary of SQL commands\n"
    "  \\conninfo              display information about the current database\n"
    "\n"
    "Query Buffer\n"
    "  \\g                     execute the query buffer\n"
    "  \\p                     show the contents of the query buffer\n"
    "  \\r                     reset (clear) the query buffer\n"
    "\n"
    "Input/Output\n"
    "  \\copy ...              client-side COPY: \\copy t [(cols)] from|to 'file'|stdin|stdout\n"
    "                         [with] (format csv|text, header, delimiter 'c', null 'str')\n"
    "  \\echo [STRING]         write string to standard output\n"
    "  \\i FILE                execute commands from file\n"
    "  \\o [FILE]              send all query results to file (or back to stdout)\n"
    "\n"
    "Informational\n"
    "  \\d [NAME]              list tables, views and indexes, or describe NAME\n"
    "  \\dt, \\di, \\dv          list tables, indexes, views\n"
    "\n"
    "Formatting\n"
    "  \\a                     toggle between unaligned and aligned output mode\n"
    "  \\pset NAME [VALUE]     set table output option: format (aligned|unaligned|csv),\n"
    "                         null, fieldsep, tuples_only, expanded\n"
    "  \\t [on|off]            show only rows\n"
    "  \\x [on|off|auto]       toggle expanded output\n"
    "  \\timing [on|off]       toggle timing of commands\n"
    "\n"
    "Variables\n"
    "  \\set [NAME [VALUE]]    set a variable, or list all (ON_ERROR_STOP, VERBOSITY, QUIET)\n"
    "  \\unset NAME            unset (delete) a variable\n";

static const char *const syntax_help[][2] = {
    {"SELECT", "SELECT [ DISTINCT ] expression [ [ AS ] name ] [, ...]\n"
               "    [ FROM from_item [, ...] ] [ WHERE condition ]\n"
               "    [ GROUP BY expression [, ...] ] [ HAVING condition ]\n"
               "    [ { UNION | INTERSECT | EXCEPT } [ ALL ] select ]\n"
               "    [ ORDER BY expression [ ASC | DESC ] [, ...] ]\n"
               "    [ LIMIT count ] [ OFFSET start ]"},
    {"INSERT", "INSERT INTO table_name [ ( column_name [, ...] ) ]\n"
               "    { VALUES ( expression [, ...] ) [, ...] | query }\n"
               "    [ RETURNING expression [, ...] ]"},
    {"UPDATE", "UPDATE table_name SET column_name = expression [, ...]\n"
               "    [ WHERE condition ] [ RETURNING expression [, ...] ]"},
    {"DELETE", "DELETE FROM table_name [ WHERE condition ] [ RETURNING expression [, ...] ]"},
    {"CREATE TABLE", "CREATE TABLE [ IF NOT EXISTS ] table_name (\n"
                     "    column_name data_type [ NOT NULL | NULL | DEFAULT expr |\n"
                     "        PRIMARY KEY | UNIQUE | REFERENCES t (c) | CHECK (expr) ] [, ...]\n"
                     "    [, table_constraint [, ...] ] )\n"
                     "    [ PARTITION BY RANGE ( column ) ] [ USING access_method ]"},
    {"CREATE INDEX", "CREATE [ UNIQUE ] INDEX [ IF NOT EXISTS ] [ name ] ON table_name\n"
                     "    [ USING method ] ( { column_name | ( expression ) } [, ...] )\n"
                     "    [ INCLUDE ( column_name [, ...] ) ] [ WHERE predicate ]"},
    {"CREATE VIEW", "CREATE [ OR REPLACE ] VIEW name [ ( column_name [, ...] ) ] AS query"},
    {"ALTER TABLE", "ALTER TABLE name { ADD COLUMN column data_type | DROP COLUMN column |\n"
                    "    RENAME TO new_name | SET ACCESS METHOD method }"},
    {"DROP", "DROP { TABLE | INDEX | VIEW } [ IF EXISTS ] name [, ...] [ CASCADE | RESTRICT ]"},
    {"BEGIN", "BEGIN [ TRANSACTION ] [ ISOLATION LEVEL SERIALIZABLE ]"},
    {"COMMIT", "COMMIT"},
    {"ROLLBACK", "ROLLBACK"},
    {"EXPLAIN", "EXPLAIN [ ANALYZE ] statement"},
};

static void show_syntax(Shell *shell, const char *topic)
{
    size_t count = sizeof syntax_help / sizeof *syntax_help;
    bool is_found = false;
    for (size_t index = 0; index < count; index++) {
        if (topic[0] == '\0' || strncasecmp(syntax_help[index][0], topic, strlen(topic)) == 0) {
            fprintf(shell->out, "Command:     %s\nSyntax:\n%s\n\n", syntax_help[index][0],
                    syntax_help[index][1]);
            is_found = true;
        }
    }
    if (!is_found) {
        fprintf(shell->out, "No help available for \"%s\".\n", topic);
    }
}

/* \pset NAME [VALUE] */
static bool run_pset(Shell *shell, const char *arguments)
{
    char name[ARGUMENT_MAX], value[ARGUMENT_MAX];
    if (!shell_next_argument(&arguments, name, sizeof name)) {
        fprintf(stderr, "\\pset: missing required argument\n");
        return false;
    }
    bool has_value = shell_next_argument(&arguments, value, sizeof value);
    if (strcmp(name, "format") == 0) {
        static const char *const formats[] = {"aligned", "unaligned", "csv"};
        for (int index = 0; has_value && index < 3; index++) {
            if (strncasecmp(value, formats[index], strlen(value)) == 0) {
                shell->print.format = (OutputFormat)index;
                say(shell, "Output format is %s.\n", formats[index]);
                return true;
            }
        }
        fprintf(stderr, "\\pset: allowed formats are aligned, csv, unaligned\n");
        return false;
    }
    if (strcmp(name, "null") == 0) {
        snprintf(shell->null_text, sizeof shell->null_text, "%.63s", has_value ? value : "");
        say(shell, "Null display is \"%s\".\n", shell->null_text);
        return true;
    }
    if (strcmp(name, "fieldsep") == 0) {
        snprintf(shell->field_separator, sizeof shell->field_separator, "%.15s",
                 has_value ? value : "|");
        say(shell, "Field separator is \"%s\".\n", shell->field_separator);
        return true;
    }
    if (strcmp(name, "tuples_only") == 0) {
        shell->print.tuples_only = has_value ? parse_bool(value) == 1 : !shell->print.tuples_only;
        say(shell, "Tuples only is %s.\n", shell->print.tuples_only ? "on" : "off");
        return true;
    }
    if (strcmp(name, "expanded") == 0) {
        return shell_run_meta(shell, has_value ? (strcasecmp(value, "auto") == 0 ? "\\x auto"
                                                 : parse_bool(value) == 1 ? "\\x on" : "\\x off")
                                               : "\\x", NULL);
    }
    fprintf(stderr, "\\pset: unknown option: %s\n", name);
    return false;
}

static bool run_expanded(Shell *shell, const char *arguments)
{
    char value[ARGUMENT_MAX];
    if (!shell_next_argument(&arguments, value, sizeof value)) {
        shell->print.expanded = shell->print.expanded == EXPANDED_ON ? EXPANDED_OFF : EXPANDED_ON;
    } else if (strcasecmp(value, "auto") == 0) {
        shell->print.expanded = EXPANDED_AUTO;
    } else if (parse_bool(value) >= 0) {
        shell->print.expanded = parse_bool(value) == 1 ? EXPANDED_ON : EXPANDED_OFF;
    } else {
        fprintf(stderr, "\\x: unrecognized value \"%s\": Boolean or \"auto\" expected\n", value);
        return false;
    }
    static const char *const messages[] = {"Expanded display is off.\n",
                                           "Expanded display is on.\n",
                                           "Expanded display is used automatically.\n"};
    say(shell, "%s", messages[shell->print.expanded]);
    return true;
}

static bool run_toggle(Shell *shell, bool *flag, const char *arguments, const char *what)
{
    char value[ARGUMENT_MAX];
    if (shell_next_argument(&arguments, value, sizeof value)) {
        int parsed = parse_bool(value);
        if (parsed < 0) {
            fprintf(stderr, "unrecognized value \"%s\": Boolean expected\n", value);
            return false;
        }
        *flag = parsed == 1;
    } else {
        *flag = !*flag;
    }
    if (!shell->is_quiet) {
        fprintf(shell->out, "%s is %s.\n", what, *flag ? "on" : "off");
    }
    return true;
}

static bool run_output(Shell *shell, const char *arguments)
{
    char path[ARGUMENT_MAX];
    if (shell->out_is_file) {
        fclose(shell->out);
    }
    shell->out = stdout;
    shell->out_is_file = false;
    if (!shell_next_argument(&arguments, path, sizeof path)) {
        return true;
    }
    FILE *file = fopen(path, "w");
    if (file == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return false;
    }
    shell->out = file;
    shell->out_is_file = true;
    return true;
}

static bool run_include(Shell *shell, const char *arguments)
{
    char path[ARGUMENT_MAX];
    if (!shell_next_argument(&arguments, path, sizeof path)) {
        fprintf(stderr, "\\i: missing required argument\n");
        return false;
    }
    if (shell->include_depth >= SHELL_INCLUDE_DEPTH_MAX) {
        fprintf(stderr, "\\i: files nested too deeply (at most %d)\n", SHELL_INCLUDE_DEPTH_MAX);
        return false;
    }
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "strata: %s: %s\n", path, strerror(errno));
        return false;
    }
    InputSource source = {file, path, 0, false, true};
    InputSource *outer = shell->source;
    shell->include_depth++;
    bool is_ok = shell_run_source(shell, &source);
    shell->include_depth--;
    shell->source = outer;
    fclose(file);
    return is_ok;
}

static void list_variables(Shell *shell)
{
    for (int index = 0; index < shell->variable_count; index++) {
        fprintf(shell->out, "%s = '%s'\n", shell->variables[index].name,
                shell->variables[index].value);
    }
}

static bool run_set(Shell *shell, const char *arguments)
{
    char name[ARGUMENT_MAX], value[ARGUMENT_MAX];
    if (!shell_next_argument(&arguments, name, sizeof name)) {
        list_variables(shell);
        return true;
    }
    /* The value is every further argument, concatenated (psql). */
    size_t length = 0;
    char part[ARGUMENT_MAX];
    value[0] = '\0';
    while (shell_next_argument(&arguments, part, sizeof part)) {
        length += (size_t)snprintf(value + length, sizeof value - length, "%s", part);
        if (length >= sizeof value) {
            length = sizeof value - 1;
        }
    }
    shell_set_variable(shell, name, value);
    return true;
}

/* ---- the command table ---- */

typedef bool (*MetaHandler)(Shell *shell, const char *arguments, Splitter *splitter);

static bool meta_quit(Shell *shell, const char *arguments, Splitter *splitter)
{
    shell->should_quit = true;
    return true;
}

static bool meta_help(Shell *shell, const char *arguments, Splitter *splitter)
{
    fputs(help_text, shell->out);
    return true;
}

static bool meta_syntax(Shell *shell, const char *arguments, Splitter *splitter)
{
    while (isspace((unsigned char)*arguments)) {
        arguments++;
    }
    show_syntax(shell, arguments);
    return true;
}

static bool meta_timing(Shell *shell, const char *arguments, Splitter *splitter)
{
    return run_toggle(shell, &shell->is_timing, arguments, "Timing");
}

static bool meta_expanded(Shell *shell, const char *arguments, Splitter *splitter)
{
    return run_expanded(shell, arguments);
}

static bool meta_pset(Shell *shell, const char *arguments, Splitter *splitter)
{
    return run_pset(shell, arguments);
}

static bool meta_align(Shell *shell, const char *arguments, Splitter *splitter)
{
    bool was_aligned = shell->print.format == FORMAT_ALIGNED;
    shell->print.format = was_aligned ? FORMAT_UNALIGNED : FORMAT_ALIGNED;
    say(shell, "Output format is %s.\n", was_aligned ? "unaligned" : "aligned");
    return true;
}

static bool meta_tuples(Shell *shell, const char *arguments, Splitter *splitter)
{
    return run_toggle(shell, &shell->print.tuples_only, arguments, "Tuples only");
}

static bool meta_include(Shell *shell, const char *arguments, Splitter *splitter)
{
    return run_include(shell, arguments);
}

static bool meta_output(Shell *shell, const char *arguments, Splitter *splitter)
{
    return run_output(shell, arguments);
}

static bool meta_copy(Shell *shell, const char *arguments, Splitter *splitter)
{
    return shell_copy(shell, arguments);
}

static bool meta_conninfo(Shell *shell, const char *arguments, Splitter *splitter)
{
    fprintf(shell->out, "You are connected to database \"%s\" (strata %s).\n", shell->db_path,
            strata_libversion());
    return true;
}

static bool meta_set(Shell *shell, const char *arguments, Splitter *splitter)
{
    return run_set(shell, arguments);
}

static bool meta_unset(Shell *shell, const char *arguments, Splitter *splitter)
{
    char name[ARGUMENT_MAX];
    if (shell_next_argument(&arguments, name, sizeof name)) {
        unset_variable(shell, name);
    }
    return true;
}

static bool meta_echo(Shell *shell, const char *arguments, Splitter *splitter)
{
    char part[ARGUMENT_MAX];
    bool is_first = true;
    while (shell_next_argument(&arguments, part, sizeof part)) {
        fprintf(shell->out, "%s%s", is_first ? "" : " ", part);
        is_first = false;
    }
    fputc('\n', shell->out);
    /* A program driving the shell through a pipe uses \echo as a marker
     * between results, so it must reach the pipe now, as psql's does. */
    fflush(shell->out);
    return true;
}

static bool meta_print_buffer(Shell *shell, const char *arguments, Splitter *splitter)
{
    bool has_pending = splitter != NULL && shell_splitter_has_partial(splitter);
    fprintf(shell->out, "%s\n", has_pending ? splitter->buffer : "Query buffer is empty.");
    return true;
}

static bool meta_go(Shell *shell, const char *arguments, Splitter *splitter)
{
    const char *pending = NULL;
    bool has_pending = splitter != NULL && shell_splitter_take_rest(splitter, &pending);
    return has_pending ? shell_run_sql(shell, pending) : true;
}

static bool meta_reset_buffer(Shell *shell, const char *arguments, Splitter *splitter)
{
    if (splitter != NULL) {
        shell_splitter_clear(splitter);
    }
    say(shell, "%s", "Query buffer reset (cleared).\n");
    return true;
}

/* \restrict KEY / \unrestrict KEY, as pg_dump writes around a dump: in between no
 * other backslash command runs, so a dump's data cannot smuggle one in. */
static bool meta_restrict(Shell *shell, const char *arguments, Splitter *splitter)
{
    char key[ARGUMENT_MAX];
    if (!shell_next_argument(&arguments, key, sizeof key) || key[0] == '\0') {
        fprintf(stderr, "\\restrict: missing required argument\n");
        return false;
    }
    for (const char *c = key; *c; c++) {
        if (!isalnum((unsigned char)*c)) {
            fprintf(stderr, "\\restrict: invalid key: only alphanumeric characters\n");
            return false;
        }
    }
    snprintf(shell->restrict_key, sizeof shell->restrict_key, "%s", key);
    shell->is_restricted = true;
    return true;
}

static bool meta_unrestrict(Shell *shell, const char *arguments, Splitter *splitter)
{
    char key[ARGUMENT_MAX];
    if (!shell_next_argument(&arguments, key, sizeof key) || key[0] == '\0') {
        fprintf(stderr, "\\unrestrict: missing required argument\n");
        return false;
    }
    if (!shell->is_restricted) {
        fprintf(stderr, "\\unrestrict: not currently in restricted mode\n");
        return false;
    }
    if (strcmp(key, shell->restrict_key) != 0) {
        fprintf(stderr, "\\unrestrict: wrong key\n");
        return false;
    }
    shell->is_restricted = false;
    return true;
}

static const struct {
    const char *name;
    MetaHandler handler;
} meta_commands[] = {
    {"q", meta_quit},         {"quit", meta_quit},       {"?", meta_help},
    {"h", meta_syntax},       {"help", meta_syntax},     {"timing", meta_timing},
    {"x", meta_expanded},     {"pset", meta_pset},       {"a", meta_align},
    {"t", meta_tuples},       {"i", meta_include},       {"include", meta_include},
    {"o", meta_output},       {"out", meta_output},      {"copy", meta_copy},
    {"conninfo", meta_conninfo}, {"set", meta_set},      {"unset", meta_unset},
    {"echo", meta_echo},      {"p", meta_print_buffer},  {"g", meta_go},
    {"r", meta_reset_buffer}, {"restrict", meta_restrict}, {"unrestrict", meta_unrestrict},
};

bool shell_run_meta(Shell *shell, const char *line, Splitter *splitter)
{
    char command[64];
    const char *cursor = line + 1;
    size_t length = 0;
    while (*cursor != '\0' && !isspace((unsigned char)*cursor) && *cursor != '\\' &&
           length + 1 < sizeof command) {
        command[length++] = *cursor++;
    }
    command[length] = '\0';
    if (shell->is_restricted && strcmp(command, "unrestrict") != 0) {
        fprintf(stderr, "backslash commands are restricted; only \\unrestrict is allowed\n");
        return false;
    }
    for (size_t index = 0; index < sizeof meta_commands / sizeof *meta_commands; index++) {
        if (strcmp(command, meta_commands[index].name) == 0) {
            return meta_commands[index].handler(shell, cursor, splitter);
        }
    }
    if (command[0] == 'd') {
        return shell_describe(shell, command, cursor);
    }
    fprintf(stderr, "invalid command \\%s\nTry \\? for help.\n", command);
    return false;
}
