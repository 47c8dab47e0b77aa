/*
 * shell/shell_describe.c - \d, \dt, \di, \dv: relations listed and described
 * through the engine's catalog views (see shell.h).
 *
 * The queries use only information_schema.tables, information_schema.columns,
 * pg_catalog.pg_indexes and pg_class, a column's type as psql names it
 * (format_type over pg_attribute: mood, not its data_type USER-DEFINED), and
 * for \d+ of a column table
 * pg_catalog.strata_column_storage (encodings and sizes per column), so the
 * shell stays an API client. The layout is
 * psql's: a centered title ("List of relations", Table "public.t"), the
 * aligned table, and for a table an "Indexes:" footer.
 *
 * Invariants
 *   1. A failing catalog query prints the engine's error and makes the
 *      command fail; it never takes the shell down.
 */
#include "shell/shell.h"

#include <string.h>

enum { NAME_MAX_BYTES = 512 };

/* psql's wildcard pattern (* and ?) as a LIKE pattern. */
static void pattern_to_like(const char *pattern, char *out, size_t out_size)
{
    size_t length = 0;
    for (; *pattern != '\0' && length + 2 < out_size; pattern++) {
        if (*pattern == '*') {
            out[length++] = '%';
        } else if (*pattern == '?') {
            out[length++] = '_';
        } else if (*pattern == '%' || *pattern == '_') {
            out[length++] = '\\';
            out[length++] = *pattern;
        } else {
            out[length++] = *pattern;
        }
    }
    out[length] = '\0';
}

static bool list_relations(Shell *shell, char kind, const char *pattern)
{
    char sql[1024];
    char like[NAME_MAX_BYTES];
    if (kind == 'i') {
        snprintf(sql, sizeof sql,
                 "SELECT schemaname AS \"Schema\", indexname AS \"Name\", 'index' AS \"Type\", "
                 "tablename AS \"Table\" FROM pg_catalog.pg_indexes "
                 "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')%s "
                 "ORDER BY 1, 2",
                 pattern != NULL ? " AND indexname LIKE $1" : "");
    } else {
        const char *filter = kind == 't'   ? " AND table_type = 'BASE TABLE'"
                             : kind == 'v' ? " AND table_type = 'VIEW'"
                                           : "";
        snprintf(sql, sizeof sql,
                 "SELECT table_schema AS \"Schema\", table_name AS \"Name\", "
                 "CASE table_type WHEN 'BASE TABLE' THEN 'table' WHEN 'VIEW' THEN 'view' "
                 "ELSE lower(table_type) END AS \"Type\" FROM information_schema.tables "
                 "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')%s%s "
                 "ORDER BY 1, 2",
                 filter, pattern != NULL ? " AND table_name LIKE $1" : "");
    }
    if (pattern != NULL) {
        pattern_to_like(pattern, like, sizeof like);
    }
    ResultTable *table = shell_query_table(shell, sql, pattern != NULL ? like : NULL);
    if (table == NULL) {
        return false;
    }
    if (table->row_count == 0) {
        fflush(shell->out);
        if (pattern != NULL) {
            fprintf(stderr, "Did not find any relation named \"%s\".\n", pattern);
        } else {
            fprintf(stderr, "Did not find any relations.\n");
        }
    } else {
        shell_print_table(shell->out, &shell->print, table, "List of relations", NULL, 0, true);
    }
    shell_result_free(table);
    return true;
}

/* "CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)" -> psql's summary
 * ("PRIMARY KEY, btree (id)"), in the table's arena. */
static char *index_summary(ResultTable *table, const char *name, const char *definition)
{
    const char *using = definition != NULL ? strstr(definition, " USING ") : NULL;
    const char *method = using != NULL ? using + 7 : (definition != NULL ? definition : "");
    size_t name_length = strlen(name);
    const char *kind = "";
    if (name_length > 5 && strcmp(name + name_length - 5, "_pkey") == 0) {
        kind = "PRIMARY KEY, ";
    } else if (definition != NULL && strncmp(definition, "CREATE UNIQUE", 13) == 0) {
        kind = "UNIQUE, ";
    }
    return arena_sprintf(table->arena, "    \"%s\" %s%s", name, kind, method);
}

/* Footers for a table's indexes; false if the catalog query failed. */
static bool index_footers(Shell *shell, ResultTable *table, const char *name,
                          const char ***footers, int *footer_count)
{
    ResultTable *indexes = shell_query_table(
        shell,
        "SELECT indexname, indexdef FROM pg_catalog.pg_indexes WHERE tablename = $1 "
        "ORDER BY indexname",
        name);
    if (indexes == NULL) {
        return false;
    }
    if (indexes->row_count > 0 && indexes->column_count == 2) {
        const char **lines = arena_alloc(table->arena, (indexes->row_count + 1) * sizeof(char *));
        if (lines != NULL) {
            lines[0] = "Indexes:";
            for (size_t row = 0; row < indexes->row_count; row++) {
                const char *index_name = indexes->cells[row * 2];
                lines[row + 1] = index_summary(table, index_name != NULL ? index_name : "?",
                                               indexes->cells[row * 2 + 1]);
            }
            *footers = lines;
            *footer_count = (int)indexes->row_count + 1;
        }
    }
    shell_result_free(indexes);
    return true;
}

/* \d+ of a table: psql's "Access method:" footer, and for a table whose
 * access method stores columns (pg_catalog.strata_column_storage has its
 * rows) the row groups and buffered rows. *is_columnar tells the caller to
 * ask for the storage columns. False if a catalog query failed. */
static bool storage_footers(Shell *shell, ResultTable *table, const char *name,
                            const char ***footers, int *footer_count, bool *is_columnar)
{
    *is_columnar = false;
    ResultTable *am = shell_query_table(
        shell,
        "SELECT c.relam, (SELECT max(s.row_groups) FROM pg_catalog.strata_column_storage s "
        "WHERE s.relname = c.relname), (SELECT max(s.buffered_rows) FROM "
        "pg_catalog.strata_column_storage s WHERE s.relname = c.relname) "
        "FROM pg_catalog.pg_class c WHERE c.relname = $1 AND c.relkind IN ('r', 'p')",
        name);
    if (am == NULL) {
        return false;
    }
    if (am->row_count == 1 && am->column_count == 3 && am->cells[0] != NULL) {
        const char **lines =
            arena_alloc(table->arena, sizeof(char *) * (size_t)(*footer_count + 2));
        if (lines != NULL) {
            for (int k = 0; k < *footer_count; k++) {
                lines[k] = (*footers)[k];
            }
            lines[(*footer_count)++] =
                arena_sprintf(table->arena, "Access method: %s", am->cells[0]);
            if (am->cells[1] != NULL) {
                *is_columnar = true;
                lines[(*footer_count)++] =
                    arena_sprintf(table->arena, "Row groups: %s, rows in the write buffer: %s",
                                  am->cells[1], am->cells[2] != NULL ? am->cells[2] : "0");
            }
            *footers = lines;
        }
    }
    shell_result_free(am);
    return true;
}

/* The Type of information_schema.columns row c, as psql shows it. */
#define COLUMN_TYPE_SQL                                                                            \
    "(SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "     \
    "JOIN pg_catalog.pg_class k ON k.oid = a.attrelid "                                           \
    "JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace "                                   \
    "WHERE k.relname = c.table_name AND n.nspname = c.table_schema "                              \
    "AND a.attname = c.column_name)"

/* \d+ columns of a column table: psql's columns plus how each is stored. */
static const char *const columnar_columns_sql =
    "SELECT c.column_name AS \"Column\", " COLUMN_TYPE_SQL " AS \"Type\", "
    "CASE WHEN c.is_nullable = 'NO' THEN 'not null' ELSE '' END AS \"Nullable\", "
    "CASE WHEN c.is_identity = 'YES' THEN 'generated ' || lower(c.identity_generation) || "
    "' as identity' ELSE coalesce(c.column_default, '') END AS \"Default\", "
    "coalesce(s.encodings, '') AS \"Encoding\", "
    "s.compressed_bytes AS \"Compressed bytes\", s.raw_bytes AS \"Raw bytes\" "
    "FROM information_schema.columns c LEFT JOIN pg_catalog.strata_column_storage s "
    "ON s.relname = c.table_name AND s.attname = c.column_name "
    "WHERE c.table_name = $1 ORDER BY c.ordinal_position";

static bool describe_relation(Shell *shell, const char *pattern, bool verbose)
{
    const char *dot = strchr(pattern, '.');
    const char *name = dot != NULL ? dot + 1 : pattern;
    ResultTable *kind = shell_query_table(
        shell,
        "SELECT table_schema, table_type FROM information_schema.tables WHERE table_name = $1",
        name);
    if (kind == NULL) {
        return false;
    }
    if (kind->row_count == 0 || kind->column_count != 2) {
        fflush(shell->out);
        fprintf(stderr, "Did not find any relation named \"%s\".\n", pattern);
        shell_result_free(kind);
        return false;
    }
    bool is_view = kind->cells[1] != NULL && strcmp(kind->cells[1], "VIEW") == 0;
    char title[2 * NAME_MAX_BYTES];
    snprintf(title, sizeof title, "%s \"%s.%s\"", is_view ? "View" : "Table",
             kind->cells[0] != NULL ? kind->cells[0] : "public", name);
    shell_result_free(kind);
    ResultTable *columns = shell_query_table(
        shell,
        "SELECT column_name AS \"Column\", " COLUMN_TYPE_SQL " AS \"Type\", "
        "CASE WHEN is_nullable = 'NO' THEN 'not null' ELSE '' END AS \"Nullable\", "
        "CASE WHEN is_identity = 'YES' THEN 'generated ' || lower(identity_generation) || "
        "' as identity' ELSE coalesce(column_default, '') END AS \"Default\" "
        "FROM information_schema.columns c "
        "WHERE table_name = $1 ORDER BY ordinal_position",
        name);
    if (columns == NULL) {
        return false;
    }
    const char **footers = NULL;
    int footer_count = 0;
    bool is_ok = is_view || index_footers(shell, columns, name, &footers, &footer_count);
    bool is_columnar = false;
    if (is_ok && verbose && !is_view) {
        is_ok = storage_footers(shell, columns, name, &footers, &footer_count, &is_columnar);
    }
    if (is_ok && is_columnar) {
        ResultTable *storage = shell_query_table(shell, columnar_columns_sql, name);
        if (storage == NULL) {
            shell_result_free(columns);
            return false;
        }
        /* The footers live in the first table's arena: keep it until printed. */
        shell_print_table(shell->out, &shell->print, storage, title, footers, footer_count, false);
        shell_result_free(storage);
        shell_result_free(columns);
        return true;
    }
    const char **head = NULL, **tail = NULL;
    int head_count = 0, tail_count = 0;
    bool is_partitioned = false;
    if (is_ok && !is_view) {
        is_ok = shell_partition_footers(shell, columns, name, &head, &head_count, &tail,
                                        &tail_count, &is_partitioned);
    }
    if (is_partitioned) {
        char *partitioned = arena_sprintf(columns->arena, "Partitioned %s", title);
        if (partitioned != NULL && partitioned[12] == 'T') {
            partitioned[12] = 't';
        }
        snprintf(title, sizeof title, "%s", partitioned != NULL ? partitioned : "");
    }
    if (head_count + tail_count > 0) {
        const char **all = arena_alloc(columns->arena, sizeof(char *) *
                                       (size_t)(head_count + footer_count + tail_count + 1));
        if (all != NULL) {
            for (int k = 0; k < head_count; k++) {
                all[k] = head[k];
            }
            for (int k = 0; k < footer_count; k++) {
                all[head_count + k] = footers[k];
            }
            for (int k = 0; k < tail_count; k++) {
                all[head_count + footer_count + k] = tail[k];
            }
            footers = all;
            footer_count += head_count + tail_count;
        }
    }
    shell_print_table(shell->out, &shell->print, columns, title, footers, footer_count, false);
    shell_result_free(columns);
    return is_ok;
}

bool shell_describe(Shell *shell, const char *command, const char *arguments)
{
    char kind = command[1];
    if (kind != '\0' && kind != 't' && kind != 'i' && kind != 'v' && kind != '+' && kind != 'S') {
        fprintf(stderr, "invalid command \\%s\nTry \\? for help.\n", command);
        return false;
    }
    char name[NAME_MAX_BYTES];
    bool has_name = shell_next_argument(&arguments, name, sizeof name);
    if ((kind == '\0' || kind == '+' || kind == 'S') && has_name) {
        return describe_relation(shell, name, kind == '+');
    }
    return list_relations(shell, kind == '+' || kind == 'S' ? '\0' : kind,
                          has_name ? name : NULL);
}
