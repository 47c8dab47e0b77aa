/*
 * plan/explain_json.c - EXPLAIN (FORMAT JSON): the plan tree as PostgreSQL's JSON
 * document, built as explain.c walks the plan.
 *
 * The document is one array holding one object: "Plan" (the root node), then
 * "Execution Time" when EXPLAIN ANALYZE reports it. A node is an object whose
 * properties come first ("Node Type", relation, estimates, actuals, conditions)
 * and whose children follow in "Plans", each child naming its "Parent
 * Relationship" (Outer, Inner, Member, SubPlan, InitPlan) and, for subplans and
 * CTEs, its "Subplan Name". Lists ("Sort Key", "Group Key") are arrays of
 * strings, counts and times numbers, everything else strings. Indentation is
 * PostgreSQL's: two spaces a level.
 *
 * The builder keeps a stack of open nodes; a node's properties must all come
 * before its first child (explain.c prints details first). Out of memory makes
 * every later call a no-op and explain_json_finish return NULL.
 */
#include <stdio.h>
#include <string.h>

#include "plan/explain_json.h"

enum { JSON_DEPTH_MAX = 256 };

struct ExplainJson {
    Arena *a;
    char *buf;
    size_t len, cap;
    bool failed;
    int depth;                       /* open nodes */
    bool plans_open[JSON_DEPTH_MAX]; /* per open node: its "Plans" array is open */
    bool has_child[JSON_DEPTH_MAX];  /* per open node: a child was written */
    const char *relationship;        /* for the next node: its Parent Relationship */
    const char *subplan_name;
};

static void put(ExplainJson *j, const char *s, size_t n)
{
    if (j->failed) {
        return;
    }
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 1024;
        while (cap < j->len + n + 1) {
            cap *= 2;
        }
        char *grown = arena_alloc(j->a, cap);
        if (grown == NULL) {
            j->failed = true;
            return;
        }
        if (j->len > 0) {
            memcpy(grown, j->buf, j->len);
        }
        j->buf = grown;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void puts_(ExplainJson *j, const char *s)
{
    put(j, s, strlen(s));
}

static void indent(ExplainJson *j, int level)
{
    for (int k = 0; k < level; k++) {
        put(j, "  ", 2);
    }
}

/* The indentation of a node's properties: "[", "{", "Plan": {, then two levels
 * per nesting ("Plans": [ and the child's {). */
static int property_level(const ExplainJson *j)
{
    return 1 + 2 * j->depth;
}

static void quoted(ExplainJson *j, const char *s)
{
    put(j, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char esc[8];
        switch (*p) {
        case '"': puts_(j, "\\\""); break;
        case '\\': puts_(j, "\\\\"); break;
        case '\n': puts_(j, "\\n"); break;
        case '\r': puts_(j, "\\r"); break;
        case '\t': puts_(j, "\\t"); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                puts_(j, esc);
            } else {
                put(j, (const char *)p, 1);
            }
        }
    }
    put(j, "\"", 1);
}

/* Every property but a node's first is preceded by ",\n". */
static void key(ExplainJson *j, const char *name, bool first)
{
    puts_(j, first ? "\n" : ",\n");
    indent(j, property_level(j));
    quoted(j, name);
    puts_(j, ": ");
}

ExplainJson *explain_json_new(Arena *a)
{
    ExplainJson *j = arena_zalloc(a, sizeof(ExplainJson));
    if (j != NULL) {
        j->a = a;
        puts_(j, "[\n  {\n    \"Plan\": ");
    }
    return j;
}

void explain_json_relation(ExplainJson *j, const char *relationship, const char *subplan_name)
{
    j->relationship = relationship;
    j->subplan_name = subplan_name;
}

void explain_json_node_begin(ExplainJson *j, const char *node_type)
{
    if (j->depth >= JSON_DEPTH_MAX) {
        j->failed = true;
        return;
    }
    if (j->depth > 0) {
        int parent = j->depth - 1;
        if (!j->plans_open[parent]) {
            key(j, "Plans", false); /* the parent's last property */
            puts_(j, "[");
            j->plans_open[parent] = true;
        }
        puts_(j, j->has_child[parent] ? ",\n" : "\n");
        j->has_child[parent] = true;
        indent(j, property_level(j) + 1);
    }
    puts_(j, "{");
    j->plans_open[j->depth] = false;
    j->has_child[j->depth] = false;
    j->depth++;
    key(j, "Node Type", true);
    quoted(j, node_type);
    if (j->relationship != NULL) {
        explain_json_string(j, "Parent Relationship", j->relationship);
    }
    if (j->subplan_name != NULL) {
        explain_json_string(j, "Subplan Name", j->subplan_name);
    }
    j->relationship = NULL;
    j->subplan_name = NULL;
}

void explain_json_node_end(ExplainJson *j)
{
    if (j->depth == 0) {
        j->failed = true;
        return;
    }
    int self = j->depth - 1;
    if (j->plans_open[self]) {
        puts_(j, "\n");
        indent(j, property_level(j));
        puts_(j, "]");
    }
    j->depth--;
    puts_(j, "\n");
    indent(j, j->depth == 0 ? 2 : property_level(j) + 1);
    puts_(j, "}");
}

void explain_json_string(ExplainJson *j, const char *name, const char *value)
{
    key(j, name, false);
    quoted(j, value != NULL ? value : "");
}

void explain_json_number(ExplainJson *j, const char *name, double value, int decimals)
{
    char text[64];
    snprintf(text, sizeof text, "%.*f", decimals, value);
    key(j, name, false);
    puts_(j, text);
}

void explain_json_bool(ExplainJson *j, const char *name, bool value)
{
    key(j, name, false);
    puts_(j, value ? "true" : "false");
}

/* "a, f(b, c) DESC, 'x, y'": the items separated by ", " outside parentheses,
 * brackets and quotes, as the text form joined them. */
void explain_json_list(ExplainJson *j, const char *name, const char *joined)
{
    key(j, name, false);
    puts_(j, "[");
    const char *start = joined != NULL ? joined : "";
    int level = 0, count = 0;
    char quote = 0;
    for (const char *p = start;; p++) {
        bool end = *p == '\0' || (quote == 0 && level == 0 && p[0] == ',' && p[1] == ' ');
        if (end) {
            size_t n = (size_t)(p - start);
            char *item = arena_alloc(j->a, n + 1);
            if (item == NULL) {
                j->failed = true;
                return;
            }
            memcpy(item, start, n);
            item[n] = '\0';
            if (n > 0 || *p != '\0' || count > 0) {
                puts_(j, count > 0 ? ",\n" : "\n");
                indent(j, property_level(j) + 1);
                quoted(j, item);
                count++;
            }
            if (*p == '\0') {
                break;
            }
            start = p + 2;
            p++;
            continue;
        }
        if (quote != 0) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '(' || *p == '[') {
            level++;
        } else if ((*p == ')' || *p == ']') && level > 0) {
            level--;
        }
    }
    if (count > 0) {
        puts_(j, "\n");
        indent(j, property_level(j));
    }
    puts_(j, "]");
}

const char *explain_json_finish(ExplainJson *j, bool has_execution_time, double execution_ms)
{
    if (j->depth != 0) {
        j->failed = true;
    }
    if (has_execution_time) {
        puts_(j, ",\n    \"Execution Time\": ");
        char text[64];
        snprintf(text, sizeof text, "%.3f", execution_ms);
        puts_(j, text);
    }
    puts_(j, "\n  }\n]");
    return j->failed ? NULL : j->buf;
}
