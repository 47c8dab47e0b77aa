/*
 * shell/shell_split.c - cuts input into SQL statements and backslash
 * commands (see shell.h).
 *
 * A statement ends at a ';' outside quotes, comments and parentheses, the
 * way psql's lexer decides it: '...' (with '' inside), E'...' (backslash
 * escapes), "...", $tag$...$tag$, -- comments and nested block comments.
 * A backslash outside all of those starts a meta command that runs to the
 * end of its line; the statement typed so far stays collected (psql again).
 * Leading whitespace and leading "--" comment lines are not part of the
 * statement handed out, so error positions count from its first token.
 *
 * Invariants
 *   1. input[input_position..input_length) is the unscanned input; every
 *      byte scanned is appended to buffer or handed out as a meta command.
 *   2. state, paren_depth, comment_depth and dollar_tag describe the end of
 *      buffer; they are reset whenever a statement is handed out.
 */
#include "shell/shell.h"

#include <ctype.h>
#include <string.h>

#include "util/mem.h"

void shell_splitter_init(Splitter *splitter)
{
    memset(splitter, 0, sizeof *splitter);
}

void shell_splitter_free(Splitter *splitter)
{
    mem_free(splitter->input);
    mem_free(splitter->buffer);
    mem_free(splitter->result);
    memset(splitter, 0, sizeof *splitter);
}

/* Makes room for extra more bytes (plus a NUL) in a heap buffer. */
static bool reserve(char **data, size_t *capacity, size_t length, size_t extra)
{
    if (length + extra + 1 <= *capacity) {
        return true;
    }
    size_t grown = *capacity == 0 ? 256 : *capacity;
    while (grown < length + extra + 1) {
        grown *= 2;
    }
    char *bigger = mem_realloc(*data, grown);
    if (bigger == NULL) {
        return false;
    }
    *data = bigger;
    *capacity = grown;
    return true;
}

bool shell_splitter_feed(Splitter *splitter, const char *text, size_t length)
{
    if (splitter->is_failed) {
        return false;
    }
    /* Drop what was scanned before growing. */
    if (splitter->input_position > 0) {
        memmove(splitter->input, splitter->input + splitter->input_position,
                splitter->input_length - splitter->input_position);
        splitter->input_length -= splitter->input_position;
        splitter->input_position = 0;
    }
    if (!reserve(&splitter->input, &splitter->input_capacity, splitter->input_length, length)) {
        splitter->is_failed = true;
        return false;
    }
    memcpy(splitter->input + splitter->input_length, text, length);
    splitter->input_length += length;
    splitter->input[splitter->input_length] = '\0';
    return true;
}

static bool append(Splitter *splitter, const char *text, size_t length)
{
    if (!reserve(&splitter->buffer, &splitter->buffer_capacity, splitter->buffer_length, length)) {
        splitter->is_failed = true;
        return false;
    }
    memcpy(splitter->buffer + splitter->buffer_length, text, length);
    splitter->buffer_length += length;
    splitter->buffer[splitter->buffer_length] = '\0';
    return true;
}

static bool is_identifier_byte(unsigned char byte)
{
    return isalnum(byte) || byte == '_' || byte >= 0x80;
}

/* Skips leading whitespace and "--" comment lines. */
static const char *skip_leading_blank(const char *text)
{
    for (;;) {
        while (isspace((unsigned char)*text)) {
            text++;
        }
        if (text[0] != '-' || text[1] != '-') {
            return text;
        }
        const char *newline = strchr(text, '\n');
        if (newline == NULL) {
            return text + strlen(text);
        }
        text = newline + 1;
    }
}

bool shell_split_is_blank(const char *text)
{
    text = skip_leading_blank(text);
    while (text[0] == '/' && text[1] == '*') {
        const char *end = strstr(text + 2, "*/");
        if (end == NULL) {
            return false;
        }
        text = skip_leading_blank(end + 2);
    }
    return *text == '\0';
}

/* Copies text into the splitter's result area; *out borrowed. */
static bool set_result(Splitter *splitter, const char *text, size_t length, const char **out)
{
    if (!reserve(&splitter->result, &splitter->result_capacity, 0, length)) {
        splitter->is_failed = true;
        return false;
    }
    memcpy(splitter->result, text, length);
    splitter->result[length] = '\0';
    *out = splitter->result;
    return true;
}

void shell_splitter_clear(Splitter *splitter)
{
    splitter->buffer_length = 0;
    if (splitter->buffer != NULL) {
        splitter->buffer[0] = '\0';
    }
    splitter->state = SPLIT_NORMAL;
    splitter->paren_depth = 0;
    splitter->comment_depth = 0;
    splitter->dollar_tag[0] = '\0';
}

bool shell_splitter_take_rest(Splitter *splitter, const char **text)
{
    bool has_text = false;
    if (splitter->buffer_length > 0) {
        const char *start = skip_leading_blank(splitter->buffer);
        has_text = !shell_split_is_blank(start) &&
                   set_result(splitter, start, strlen(start), text);
    }
    shell_splitter_clear(splitter);
    return has_text;
}

bool shell_splitter_has_partial(const Splitter *splitter)
{
    if (splitter->state != SPLIT_NORMAL || splitter->paren_depth > 0) {
        return true;
    }
    return splitter->buffer_length > 0 && !shell_split_is_blank(splitter->buffer);
}

/* At a '$' in normal state: the length of a dollar-quote opening tag
 * ("$$" or "$name$") starting at text, or 0. */
static size_t dollar_tag_length(const Splitter *splitter, const char *text, size_t available)
{
    if (splitter->buffer_length > 0 &&
        is_identifier_byte((unsigned char)splitter->buffer[splitter->buffer_length - 1])) {
        return 0; /* part of an identifier such as a$b */
    }
    size_t length = 1;
    if (length < available && (isalpha((unsigned char)text[length]) || text[length] == '_' ||
                               (unsigned char)text[length] >= 0x80)) {
        while (length < available && is_identifier_byte((unsigned char)text[length])) {
            length++;
        }
    }
    if (length < available && text[length] == '$' && length + 1 < SPLIT_DOLLAR_TAG_MAX) {
        return length + 1;
    }
    return 0;
}

/* Scans one byte (or token) in normal state. Returns how many input bytes
 * it consumed and appended. */
static size_t scan_normal(Splitter *splitter, const char *text, size_t available)
{
    char byte = text[0];
    char next = available > 1 ? text[1] : '\0';
    if (byte == '\'') {
        bool is_escape = false;
        if (splitter->buffer_length > 0) {
            char before = splitter->buffer[splitter->buffer_length - 1];
            bool is_prefix_start = splitter->buffer_length == 1 ||
                !is_identifier_byte((unsigned char)splitter->buffer[splitter->buffer_length - 2]);
            is_escape = (before == 'E' || before == 'e') && is_prefix_start;
        }
        splitter->state = is_escape ? SPLIT_ESCAPE_QUOTE : SPLIT_SINGLE_QUOTE;
    } else if (byte == '"') {
        splitter->state = SPLIT_DOUBLE_QUOTE;
    } else if (byte == '-' && next == '-') {
        splitter->state = SPLIT_LINE_COMMENT;
        return 2;
    } else if (byte == '/' && next == '*') {
        splitter->state = SPLIT_BLOCK_COMMENT;
        splitter->comment_depth = 1;
        return 2;
    } else if (byte == '$') {
        size_t tag = dollar_tag_length(splitter, text, available);
        if (tag > 0) {
            memcpy(splitter->dollar_tag, text, tag);
            splitter->dollar_tag[tag] = '\0';
            splitter->state = SPLIT_DOLLAR_QUOTE;
            return tag;
        }
    } else if (byte == '(') {
        splitter->paren_depth++;
    } else if (byte == ')' && splitter->paren_depth > 0) {
        splitter->paren_depth--;
    }
    return 1;
}

/* Scans one byte (or token) inside a quote or comment; returns bytes used. */
static size_t scan_quoted(Splitter *splitter, const char *text, size_t available)
{
    char byte = text[0];
    char next = available > 1 ? text[1] : '\0';
    switch (splitter->state) {
    case SPLIT_SINGLE_QUOTE:
        splitter->state = byte == '\'' ? SPLIT_NORMAL : splitter->state;
        return 1;
    case SPLIT_ESCAPE_QUOTE:
        if (byte == '\\' && available > 1) {
            return 2;
        }
        splitter->state = byte == '\'' ? SPLIT_NORMAL : splitter->state;
        return 1;
    case SPLIT_DOUBLE_QUOTE:
        splitter->state = byte == '"' ? SPLIT_NORMAL : splitter->state;
        return 1;
    case SPLIT_DOLLAR_QUOTE: {
        size_t tag = strlen(splitter->dollar_tag);
        if (byte == '$' && available >= tag && memcmp(text, splitter->dollar_tag, tag) == 0) {
            splitter->state = SPLIT_NORMAL;
            return tag;
        }
        return 1;
    }
    case SPLIT_LINE_COMMENT:
        splitter->state = byte == '\n' ? SPLIT_NORMAL : splitter->state;
        return 1;
    case SPLIT_BLOCK_COMMENT:
        if (byte == '/' && next == '*') {
            splitter->comment_depth++;
            return 2;
        }
        if (byte == '*' && next == '/') {
            if (--splitter->comment_depth == 0) {
                splitter->state = SPLIT_NORMAL;
            }
            return 2;
        }
        return 1;
    case SPLIT_NORMAL:
        break;
    }
    return 1;
}

/* A backslash command at input_position: hand out the rest of its line. */
static SplitResult take_meta(Splitter *splitter, const char **text)
{
    const char *start = splitter->input + splitter->input_position;
    const char *newline = memchr(start, '\n', splitter->input_length - splitter->input_position);
    size_t length = newline != NULL ? (size_t)(newline - start)
                                    : splitter->input_length - splitter->input_position;
    splitter->input_position += length + (newline != NULL ? 1 : 0);
    if (!set_result(splitter, start, length, text)) {
        return SPLIT_NEED_MORE;
    }
    return SPLIT_META;
}

/* The ';' was appended: hand out the statement unless it is empty. */
static bool take_statement(Splitter *splitter, const char **text)
{
    char *start = (char *)skip_leading_blank(splitter->buffer);
    size_t length = strlen(start);
    start[length - 1] = '\0'; /* look at it without its ';' */
    bool is_empty = shell_split_is_blank(start);
    start[length - 1] = ';';
    bool is_ok = !is_empty && set_result(splitter, start, length, text);
    shell_splitter_clear(splitter);
    return is_ok;
}

SplitResult shell_splitter_next(Splitter *splitter, const char **text)
{
    while (!splitter->is_failed && splitter->input_position < splitter->input_length) {
        const char *cursor = splitter->input + splitter->input_position;
        size_t available = splitter->input_length - splitter->input_position;
        size_t used;
        if (splitter->state == SPLIT_NORMAL) {
            if (*cursor == '\\') {
                return take_meta(splitter, text);
            }
            if (*cursor == ';' && splitter->paren_depth == 0) {
                splitter->input_position++;
                if (append(splitter, ";", 1) && take_statement(splitter, text)) {
                    return SPLIT_STATEMENT;
                }
                continue;
            }
            used = scan_normal(splitter, cursor, available);
        } else {
            used = scan_quoted(splitter, cursor, available);
        }
        if (!append(splitter, cursor, used)) {
            break;
        }
        splitter->input_position += used;
    }
    return SPLIT_NEED_MORE;
}
