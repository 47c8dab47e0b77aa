/*
 * sql/keywords.c - keyword lookup over the single keyword list (keywords.h).
 *
 * The list is sorted by text, so lookup is a binary search over a table built
 * at compile time from the X-macro list; keyword ids index the same table.
 *
 * Invariants
 *   1. entries[id - 1] describes KeywordId id (both come from keywords.h in order).
 *   2. The list is sorted and unique (keyword_list_is_sorted, checked by tests).
 *
 * Threads: read-only tables. See src/sql/README.md.
 */
#include <string.h>

#include "sql/parser_int.h"

typedef struct KeywordEntry {
    const char *text;
    KeywordCategory category;
    bool bare_label;
} KeywordEntry;

static const KeywordEntry entries[] = {
#define KEYWORD(text, id, category, bare) {text, category, bare},
#include "sql/keywords.h"
};

enum { ENTRY_COUNT = (int)(sizeof(entries) / sizeof(entries[0])) };
_Static_assert(ENTRY_COUNT == KW_COUNT - 1, "keyword ids and entries agree");

static int compare_word(const char *entry, const char *word, size_t length)
{
    int cmp = strncmp(entry, word, length);
    if (cmp != 0) {
        return cmp;
    }
    return entry[length] == '\0' ? 0 : 1;
}

KeywordId keyword_lookup(const char *word, size_t length)
{
    if (length == 0 || length > 32) {
        return KW_NONE;
    }
    int low = 0;
    int high = ENTRY_COUNT - 1;
    while (low <= high) {
        int mid = (low + high) / 2;
        int cmp = compare_word(entries[mid].text, word, length);
        if (cmp == 0) {
            return (KeywordId)(mid + 1);
        }
        if (cmp < 0) {
            low = mid + 1;
        } else {
            high = mid - 1;
        }
    }
    return KW_NONE;
}

KeywordCategory keyword_category(KeywordId id)
{
    if (id <= KW_NONE || id >= KW_COUNT) {
        return KEYWORD_UNRESERVED;
    }
    return entries[id - 1].category;
}

bool keyword_is_bare_label(KeywordId id)
{
    if (id <= KW_NONE || id >= KW_COUNT) {
        return true;
    }
    return entries[id - 1].bare_label;
}

const char *keyword_text(KeywordId id)
{
    if (id <= KW_NONE || id >= KW_COUNT) {
        return "";
    }
    return entries[id - 1].text;
}

bool keyword_list_is_sorted(void)
{
    for (int index = 1; index < ENTRY_COUNT; index++) {
        if (strcmp(entries[index - 1].text, entries[index].text) >= 0) {
            return false;
        }
    }
    return true;
}
