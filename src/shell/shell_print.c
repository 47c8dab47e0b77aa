/*
 * shell/shell_print.c - result tables printed the way psql prints them, and
 * psql's error layout (see shell.h).
 *
 * Aligned (border 1): a centered header, a dashed separator joined by '+',
 * numbers right-aligned, the last column unpadded when left-aligned, '+' at
 * the edge of a cell that continues on the next line, "(N rows)" and a blank
 * line. Expanded (\x): "-[ RECORD n ]" lines filled with dashes to the
 * table's width, then "name | value" per column. Unaligned: fields joined by
 * the separator. CSV: RFC 4180 quoting, NULL as the null text.
 *
 * Invariants
 *   1. Widths count UTF-8 code points, so multibyte text lines up.
 *   2. Printing never fails: a value is printed or skipped, never dropped
 *      silently from an aligned table.
 */
#include "shell/shell.h"

#include <string.h>

enum {
    ERROR_DISPLAY_SIZE = 60,  /* psql's DISPLAY_SIZE for the LINE excerpt */
    ERROR_MIN_RIGHT_CUT = 10, /* psql's MIN_RIGHT_CUT */
};

size_t shell_text_width(const char *text, size_t length_bytes)
{
    size_t width = 0;
    for (size_t index = 0; index < length_bytes; index++) {
        if (((unsigned char)text[index] & 0xC0) != 0x80) {
            width++;
        }
    }
    return width;
}

/* Byte offset of the char_index-th code point of text (or its length). */
static size_t utf8_offset(const char *text, size_t length_bytes, size_t char_index)
{
    size_t chars = 0;
    for (size_t index = 0; index < length_bytes; index++) {
        if (((unsigned char)text[index] & 0xC0) != 0x80) {
            if (chars == char_index) {
                return index;
            }
            chars++;
        }
    }
    return length_bytes;
}

ResultTable *shell_result_create(int column_count, const char *const *names,
                                 const bool *is_numeric)
{
    Arena *arena = arena_create(NULL, 0, "shell result");
    if (arena == NULL) {
        return NULL;
    }
    ResultTable *table = arena_zalloc(arena, sizeof *table);
    size_t columns = column_count > 0 ? (size_t)column_count : 1;
    if (table != NULL) {
        table->arena = arena;
        table->column_count = column_count;
        table->names = arena_zalloc(arena, columns * sizeof(char *));
        table->is_numeric = arena_zalloc(arena, columns * sizeof(bool));
    }
    if (table == NULL || table->names == NULL || table->is_numeric == NULL) {
        arena_destroy(arena);
        return NULL;
    }
    for (int column = 0; column < column_count; column++) {
        const char *name = names != NULL && names[column] != NULL ? names[column] : "";
        table->names[column] = arena_strdup(arena, name);
        table->is_numeric[column] = is_numeric != NULL && is_numeric[column];
    }
    if (arena_failed(arena)) {
        arena_destroy(arena);
        return NULL;
    }
    return table;
}

void shell_result_free(ResultTable *table)
{
    if (table != NULL) {
        arena_destroy(table->arena);
    }
}

bool shell_result_add_row(ResultTable *table, const char *const *values)
{
    size_t columns = (size_t)table->column_count;
    size_t needed = (table->row_count + 1) * columns;
    if (needed > table->cell_capacity) {
        size_t capacity = table->cell_capacity == 0 ? 64 * columns : table->cell_capacity * 2;
        char **grown = arena_realloc(table->arena, table->cells,
                                     table->cell_capacity * sizeof(char *),
                                     capacity * sizeof(char *));
        if (grown == NULL) {
            return false;
        }
        table->cells = grown;
        table->cell_capacity = capacity;
    }
    char **row = table->cells + table->row_count * columns;
    for (size_t column = 0; column < columns; column++) {
        row[column] = NULL;
        if (values[column] != NULL) {
            row[column] = arena_strdup(table->arena, values[column]);
            if (row[column] == NULL) {
                return false;
            }
        }
    }
    table->row_count++;
    return true;
}

static const char *cell_text(const PrintOptions *options, const ResultTable *table, size_t row,
                             int column)
{
    const char *value = table->cells[row * (size_t)table->column_count + (size_t)column];
    return value != NULL ? value : (options->null_text != NULL ? options->null_text : "");
}

/* Widest line of text (lines split at '\n'); *line_count gets the lines. */
static size_t widest_line(const char *text, size_t *line_count)
{
    size_t widest = 0, lines = 0;
    for (;;) {
        const char *newline = strchr(text, '\n');
        size_t length = newline != NULL ? (size_t)(newline - text) : strlen(text);
        size_t width = shell_text_width(text, length);
        widest = width > widest ? width : widest;
        lines++;
        if (newline == NULL) {
            break;
        }
        text = newline + 1;
    }
    if (line_count != NULL) {
        *line_count = lines;
    }
    return widest;
}

/* The line_index-th line of text: *start and *length; false past the end. */
static bool text_line(const char *text, size_t line_index, const char **start, size_t *length)
{
    for (size_t index = 0; index < line_index; index++) {
        const char *newline = strchr(text, '\n');
        if (newline == NULL) {
            return false;
        }
        text = newline + 1;
    }
    const char *newline = strchr(text, '\n');
    *start = text;
    *length = newline != NULL ? (size_t)(newline - text) : strlen(text);
    return true;
}

static void put_repeated(FILE *out, char byte, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        fputc(byte, out);
    }
}

static void print_row_count(FILE *out, size_t row_count)
{
    fprintf(out, "(%zu row%s)\n", row_count, row_count == 1 ? "" : "s");
}

static void print_footers(FILE *out, const char *const *footers, int footer_count)
{
    for (int index = 0; index < footer_count; index++) {
        fprintf(out, "%s\n", footers[index]);
    }
}

/* One physical line of a data row: line_index of every cell. */
static void print_aligned_line(FILE *out, const PrintOptions *options, const ResultTable *table,
                               size_t row, size_t line_index, const size_t *widths)
{
    for (int column = 0; column < table->column_count; column++) {
        const char *text = cell_text(options, table, row, column);
        const char *start = "";
        size_t length = 0, lines = 1;
        widest_line(text, &lines);
        text_line(text, line_index, &start, &length);
        bool is_continued = line_index + 1 < lines;
        bool is_last = column + 1 == table->column_count;
        size_t pad = widths[column] - shell_text_width(start, length);
        fputs(column == 0 ? " " : "| ", out);
        if (table->is_numeric[column] && lines == 1) {
            put_repeated(out, ' ', pad);
            fwrite(start, 1, length, out);
        } else {
            fwrite(start, 1, length, out);
            if (!is_last || is_continued) {
                put_repeated(out, ' ', pad);
            }
        }
        if (is_continued) {
            fputc('+', out);
        } else if (!is_last) {
            fputc(' ', out);
        }
    }
    fputc('\n', out);
}

static void print_aligned(FILE *out, const PrintOptions *options, const ResultTable *table,
                          const char *title, size_t *widths)
{
    size_t total = 0;
    for (int column = 0; column < table->column_count; column++) {
        widths[column] = widest_line(table->names[column], NULL);
        for (size_t row = 0; row < table->row_count; row++) {
            size_t width = widest_line(cell_text(options, table, row, column), NULL);
            widths[column] = width > widths[column] ? width : widths[column];
        }
        total += widths[column] + 3;
    }
    total = total > 0 ? total - 1 : 0;
    if (!options->tuples_only) {
        if (title != NULL) {
            size_t title_width = shell_text_width(title, strlen(title));
            put_repeated(out, ' ', total > title_width ? (total - title_width) / 2 : 0);
            fprintf(out, "%s\n", title);
        }
        for (int column = 0; column < table->column_count; column++) {
            size_t pad = widths[column] - widest_line(table->names[column], NULL);
            fputs(column == 0 ? " " : "| ", out);
            put_repeated(out, ' ', pad / 2);
            fputs(table->names[column], out);
            put_repeated(out, ' ', (pad + 1) / 2 + 1);
        }
        fputc('\n', out);
        for (int column = 0; column < table->column_count; column++) {
            if (column > 0) {
                fputc('+', out);
            }
            put_repeated(out, '-', widths[column] + 2);
        }
        fputc('\n', out);
    }
    for (size_t row = 0; row < table->row_count; row++) {
        size_t height = 1;
        for (int column = 0; column < table->column_count; column++) {
            size_t lines = 1;
            widest_line(cell_text(options, table, row, column), &lines);
            height = lines > height ? lines : height;
        }
        for (size_t line = 0; line < height; line++) {
            print_aligned_line(out, options, table, row, line, widths);
        }
    }
}

static void print_record_header(FILE *out, size_t record, size_t name_width, size_t value_width)
{
    char header[64];
    int length = snprintf(header, sizeof header, "-[ RECORD %zu ]", record);
    fputs(header, out);
    if ((size_t)length < name_width + 1) {
        put_repeated(out, '-', name_width + 1 - (size_t)length);
        fputc('+', out);
        put_repeated(out, '-', value_width + 1);
    } else if ((size_t)length < name_width + 3 + value_width) {
        put_repeated(out, '-', name_width + 3 + value_width - (size_t)length);
    }
    fputc('\n', out);
}

static void print_expanded(FILE *out, const PrintOptions *options, const ResultTable *table)
{
    size_t name_width = 0, value_width = 0;
    for (int column = 0; column < table->column_count; column++) {
        size_t width = widest_line(table->names[column], NULL);
        name_width = width > name_width ? width : name_width;
        for (size_t row = 0; row < table->row_count; row++) {
            width = widest_line(cell_text(options, table, row, column), NULL);
            value_width = width > value_width ? width : value_width;
        }
    }
    if (table->row_count == 0 && !options->tuples_only) {
        print_row_count(out, 0);
    }
    for (size_t row = 0; row < table->row_count; row++) {
        if (!options->tuples_only) {
            print_record_header(out, row + 1, name_width, value_width);
        } else if (row > 0) {
            fputc('\n', out);
        }
        for (int column = 0; column < table->column_count; column++) {
            const char *text = cell_text(options, table, row, column);
            const char *start;
            size_t length, lines = 1;
            widest_line(text, &lines);
            for (size_t line = 0; text_line(text, line, &start, &length); line++) {
                const char *name = line == 0 ? table->names[column] : "";
                fputs(name, out);
                put_repeated(out, ' ', name_width - shell_text_width(name, strlen(name)));
                fputs(" | ", out);
                fwrite(start, 1, length, out);
                if (line + 1 < lines) {
                    put_repeated(out, ' ', value_width - shell_text_width(start, length));
                    fputc('+', out);
                }
                fputc('\n', out);
            }
        }
    }
}

static void print_unaligned(FILE *out, const PrintOptions *options, const ResultTable *table,
                            bool is_expanded)
{
    const char *separator = options->field_separator != NULL ? options->field_separator : "|";
    if (is_expanded) {
        for (size_t row = 0; row < table->row_count; row++) {
            if (row > 0) {
                fputc('\n', out);
            }
            for (int column = 0; column < table->column_count; column++) {
                fprintf(out, "%s%s%s\n", table->names[column], separator,
                        cell_text(options, table, row, column));
            }
        }
        return;
    }
    if (!options->tuples_only) {
        for (int column = 0; column < table->column_count; column++) {
            fprintf(out, "%s%s", column > 0 ? separator : "", table->names[column]);
        }
        fputc('\n', out);
    }
    for (size_t row = 0; row < table->row_count; row++) {
        for (int column = 0; column < table->column_count; column++) {
            fprintf(out, "%s%s", column > 0 ? separator : "",
                    cell_text(options, table, row, column));
        }
        fputc('\n', out);
    }
}

static void print_csv_field(FILE *out, const char *text)
{
    if (strpbrk(text, ",\"\n\r") == NULL) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (; *text != '\0'; text++) {
        if (*text == '"') {
            fputc('"', out);
        }
        fputc(*text, out);
    }
    fputc('"', out);
}

static void print_csv(FILE *out, const PrintOptions *options, const ResultTable *table)
{
    if (!options->tuples_only) {
        for (int column = 0; column < table->column_count; column++) {
            if (column > 0) {
                fputc(',', out);
            }
            print_csv_field(out, table->names[column]);
        }
        fputc('\n', out);
    }
    for (size_t row = 0; row < table->row_count; row++) {
        for (int column = 0; column < table->column_count; column++) {
            if (column > 0) {
                fputc(',', out);
            }
            const char *value = table->cells[row * (size_t)table->column_count + (size_t)column];
            if (value == NULL) {
                fputs(options->null_text != NULL ? options->null_text : "", out);
            } else {
                print_csv_field(out, value);
            }
        }
        fputc('\n', out);
    }
}

/* Width of the aligned table, for \x auto. */
static size_t aligned_width(const PrintOptions *options, const ResultTable *table)
{
    size_t total = 0;
    for (int column = 0; column < table->column_count; column++) {
        size_t width = widest_line(table->names[column], NULL);
        for (size_t row = 0; row < table->row_count; row++) {
            size_t cell = widest_line(cell_text(options, table, row, column), NULL);
            width = cell > width ? cell : width;
        }
        total += width + 3;
    }
    return total;
}

/* A copy of text with each tab replaced by spaces up to the next multiple of 8 characters of
 * its line (psql's aligned output); text itself when it has no tab or the arena is full. */
static char *expand_tabs(Arena *arena, char *text)
{
    if (strchr(text, '\t') == NULL) {
        return text;
    }
    size_t tabs = 0, length = strlen(text);
    for (size_t index = 0; index < length; index++) {
        tabs += text[index] == '\t';
    }
    char *expanded = arena_alloc(arena, length + tabs * 7 + 1);
    if (expanded == NULL) {
        return text;
    }
    size_t out = 0, column = 0;
    for (size_t index = 0; index < length; index++) {
        char byte = text[index];
        if (byte == '\t') {
            do {
                expanded[out++] = ' ';
                column++;
            } while (column % 8 != 0);
            continue;
        }
        expanded[out++] = byte;
        if (byte == '\n') {
            column = 0;
        } else if (((unsigned char)byte & 0xC0) != 0x80) {
            column++;
        }
    }
    expanded[out] = '\0';
    return expanded;
}

/* table itself, or a copy of it whose cells have their tabs expanded (cells in table's arena). */
static const ResultTable *with_expanded_tabs(const ResultTable *table, ResultTable *copy)
{
    size_t cells = table->row_count * (size_t)table->column_count;
    char **expanded = NULL;
    for (size_t cell = 0; cell < cells; cell++) {
        char *text = table->cells[cell];
        if (text == NULL || strchr(text, '\t') == NULL) {
            continue;
        }
        if (expanded == NULL) {
            expanded = arena_alloc(table->arena, cells * sizeof(char *));
            if (expanded == NULL) {
                return table;
            }
            memcpy(expanded, table->cells, cells * sizeof(char *));
        }
        expanded[cell] = expand_tabs(table->arena, text);
    }
    if (expanded == NULL) {
        return table;
    }
    *copy = *table;
    copy->cells = expanded;
    return copy;
}

void shell_print_table(FILE *out, const PrintOptions *options, const ResultTable *table,
                 const char *title, const char *const *footers, int footer_count,
                 bool show_row_count)
{
    if (options->format == FORMAT_CSV) {
        print_csv(out, options, table);
        return;
    }
    bool is_expanded = options->expanded == EXPANDED_ON ||
                       (options->expanded == EXPANDED_AUTO && options->terminal_width > 0 &&
                        aligned_width(options, table) > (size_t)options->terminal_width);
    if (options->format == FORMAT_UNALIGNED) {
        print_unaligned(out, options, table, is_expanded);
        if (!options->tuples_only && !is_expanded) {
            print_footers(out, footers, footer_count);
            if (show_row_count) {
                print_row_count(out, table->row_count);
            }
        }
        return;
    }
    ResultTable expanded_copy;
    table = with_expanded_tabs(table, &expanded_copy);
    if (is_expanded) {
        print_expanded(out, options, table);
    } else {
        size_t widths_local[64];
        size_t *widths = widths_local;
        if (table->column_count > 64) {
            widths = arena_zalloc(table->arena, (size_t)table->column_count * sizeof(size_t));
            if (widths == NULL) {
                return;
            }
        }
        print_aligned(out, options, table, title, widths);
        if (!options->tuples_only) {
            print_footers(out, footers, footer_count);
            if (show_row_count) {
                print_row_count(out, table->row_count);
            }
        }
    }
    fputc('\n', out);
}

/* Prints "LINE n: ..." and the caret for a 1-based character position. */
static void print_error_position(FILE *out, const char *statement, int position)
{
    size_t length = strlen(statement);
    size_t offset = utf8_offset(statement, length, (size_t)position - 1);
    size_t line_start = offset;
    while (line_start > 0 && statement[line_start - 1] != '\n') {
        line_start--;
    }
    int line_number = 1;
    for (size_t index = 0; index < line_start; index++) {
        line_number += statement[index] == '\n';
    }
    const char *line = statement + line_start;
    size_t line_bytes = strcspn(line, "\n");
    size_t line_chars = shell_text_width(line, line_bytes);
    size_t location = shell_text_width(line, offset - line_start);
    size_t begin = 0, end = line_chars;
    bool is_cut_left = false, is_cut_right = false;
    if (line_chars > ERROR_DISPLAY_SIZE) {
        if (location + ERROR_MIN_RIGHT_CUT <= ERROR_DISPLAY_SIZE) {
            end = ERROR_DISPLAY_SIZE;
            is_cut_right = true;
        } else {
            if (location + ERROR_MIN_RIGHT_CUT < line_chars) {
                end = location + ERROR_MIN_RIGHT_CUT;
                is_cut_right = true;
            }
            if (end - begin > ERROR_DISPLAY_SIZE) {
                begin = end - ERROR_DISPLAY_SIZE;
                is_cut_left = true;
            }
        }
    }
    char prefix[32];
    int prefix_length = snprintf(prefix, sizeof prefix, "LINE %d: ", line_number);
    size_t begin_byte = utf8_offset(line, line_bytes, begin);
    size_t end_byte = utf8_offset(line, line_bytes, end);
    fprintf(out, "%s%s%.*s%s\n", prefix, is_cut_left ? "..." : "",
            (int)(end_byte - begin_byte), line + begin_byte, is_cut_right ? "..." : "");
    put_repeated(out, ' ', (size_t)prefix_length + (is_cut_left ? 3 : 0) + location - begin);
    fputs("^\n", out);
}

void shell_print_error(FILE *out, const char *prefix, const char *message, const char *sqlstate,
                 const char *detail, const char *hint, int position, const char *statement,
                 bool is_verbose)
{
    fprintf(out, "%sERROR:  ", prefix != NULL ? prefix : "");
    if (is_verbose && sqlstate != NULL && sqlstate[0] != '\0') {
        fprintf(out, "%s: ", sqlstate);
    }
    fprintf(out, "%s\n", message != NULL ? message : "unknown error");
    if (position > 0 && statement != NULL && (size_t)position <= strlen(statement) + 1) {
        print_error_position(out, statement, position);
    }
    if (detail != NULL && detail[0] != '\0') {
        fprintf(out, "DETAIL:  %s\n", detail);
    }
    if (hint != NULL && hint[0] != '\0') {
        fprintf(out, "HINT:  %s\n", hint);
    }
    fflush(out);
}
