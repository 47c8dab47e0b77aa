/*
 * shell/shell_describe_partition.c - the partitioning footers of \d, as
 * psql prints them: "Partition of: parent FOR VALUES ..." for a partition,
 * "Partition key: RANGE (col)" and the list of partitions for a
 * partitioned table. Read from pg_class, pg_inherits and
 * pg_partitioned_table, so they work over any connection.
 *
 * See src/shell/README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "shell/shell.h"

/* Appends text to a footer array in arena a; false when the arena fails. */
static bool add_line(Arena *a, const char ***lines, int *count, const char *text)
{
    const char **grown = arena_alloc(a, sizeof(char *) * (size_t)(*count + 1));
    if (grown == NULL || text == NULL) {
        return false;
    }
    if (*count > 0) {
        memcpy(grown, *lines, sizeof(char *) * (size_t)*count);
    }
    grown[(*count)++] = text;
    *lines = grown;
    return true;
}

static const char *cell(const ResultTable *t, size_t row, int col)
{
    const char *text = t->cells[row * (size_t)t->column_count + (size_t)col];
    return text != NULL ? text : "";
}

/* "RANGE (a, b)" from partstrat and partattrs over the described columns. */
static const char *key_text(Arena *a, const ResultTable *columns, const char *strategy,
                            const char *attrs)
{
    const char *word = strcmp(strategy, "r") == 0   ? "RANGE"
                       : strcmp(strategy, "l") == 0 ? "LIST"
                                                    : "HASH";
    const char *text = arena_sprintf(a, "%s (", word);
    for (const char *p = attrs; text != NULL && *p != '\0';) {
        char *end;
        long attnum = strtol(p, &end, 10);
        if (end == p) {
            break;
        }
        bool known = attnum >= 1 && (size_t)attnum <= columns->row_count;
        text = arena_sprintf(a, "%s%s%s", text, p == attrs ? "" : ", ",
                             known ? cell(columns, (size_t)attnum - 1, 0) : "?");
        p = end;
    }
    return text != NULL ? arena_sprintf(a, "%s)", text) : NULL;
}

bool shell_partition_footers(Shell *shell, ResultTable *columns, const char *name,
                             const char ***head, int *head_count, const char ***tail,
                             int *tail_count, bool *is_partitioned)
{
    Arena *a = columns->arena;
    *is_partitioned = false;
    ResultTable *of = shell_query_table(
        shell,
        "SELECT p.relname, c.relpartbound FROM pg_catalog.pg_inherits i "
        "JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_catalog.pg_class p ON p.oid = i.inhparent WHERE c.relname = $1",
        name);
    if (of == NULL) {
        return false;
    }
    bool ok = true;
    if (of->row_count > 0 && of->column_count == 2) {
        ok = add_line(a, head, head_count,
                      arena_sprintf(a, "Partition of: %s %s", cell(of, 0, 0), cell(of, 0, 1)));
    }
    shell_result_free(of);
    ResultTable *key = shell_query_table(
        shell,
        "SELECT p.partstrat, p.partattrs FROM pg_catalog.pg_partitioned_table p "
        "JOIN pg_catalog.pg_class c ON c.oid = p.partrelid WHERE c.relname = $1",
        name);
    if (key == NULL) {
        return false;
    }
    if (ok && key->row_count > 0 && key->column_count == 2) {
        *is_partitioned = true;
        ok = add_line(a, head, head_count,
                      arena_sprintf(a, "Partition key: %s",
                                    key_text(a, columns, cell(key, 0, 0), cell(key, 0, 1))));
    }
    shell_result_free(key);
    if (!ok || !*is_partitioned) {
        return ok;
    }
    ResultTable *parts = shell_query_table(
        shell,
        "SELECT c.relname, c.relpartbound FROM pg_catalog.pg_inherits i "
        "JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_catalog.pg_class p ON p.oid = i.inhparent WHERE p.relname = $1 "
        "ORDER BY c.relpartbound = 'DEFAULT', c.relname",
        name);
    if (parts == NULL) {
        return false;
    }
    for (size_t row = 0; ok && parts->column_count == 2 && row < parts->row_count; row++) {
        bool is_last = row + 1 == parts->row_count;
        ok = add_line(a, tail, tail_count,
                      arena_sprintf(a, "%s%s %s%s", row == 0 ? "Partitions: " : "            ",
                                    cell(parts, row, 0), cell(parts, row, 1), is_last ? "" : ","));
    }
    if (ok && parts->row_count == 0) {
        ok = add_line(a, tail, tail_count, "Number of partitions: 0");
    }
    shell_result_free(parts);
    return ok;
}
