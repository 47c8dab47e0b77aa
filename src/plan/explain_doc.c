/*
 * plan/explain_doc.c - EXPLAIN (FORMAT JSON | YAML | XML): the plan tree as
 * PostgreSQL's document of that format, built as explain.c walks the plan.
 *
 * The three documents hold the same things: the root node under "Plan", then
 * "Execution Time" when EXPLAIN ANALYZE reports it. A node's properties come first
 * ("Node Type", relation, estimates, actuals, conditions) and its children follow in
 * "Plans", each child naming its "Parent Relationship" (Outer, Inner, Member,
 * SubPlan, InitPlan) and, for subplans and CTEs, its "Subplan Name". Lists ("Sort
 * Key", "Group Key") are lists of strings, counts and times numbers, everything else
 * strings. Layout, as PostgreSQL's explain.c writes it:
 *
 *   JSON  [ { "Plan": { "Node Type": "Sort", "Sort Key": ["a", "b"],
 *         "Plans": [ { ... } ] }, "Execution Time": 0.1 } ]; two spaces a level.
 *   YAML  "- Plan: " then "Node Type: \"Sort\"" lines, strings quoted and escaped
 *         as JSON strings, numbers and booleans bare; a list is "Sort Key: " then
 *         one "- \"a\"" line per item; each child opens with "- " under "Plans: ".
 *   XML   <explain xmlns="http://www.postgresql.org/2009/explain"><Query><Plan>,
 *         a property is <Node-Type>Sort</Node-Type> (spaces in names become '-',
 *         &, <, > escaped), a list holds <Item>s, children are <Plan>s in <Plans>.
 *
 * The builder keeps a stack of open nodes; a node's properties must all come
 * before its first child (explain.c prints details first). Out of memory makes
 * every later call a no-op and explain_doc_finish return NULL.
 */
#include <stdio.h>
#include <string.h>

#include "plan/explain_doc.h"

enum { DOC_DEPTH_MAX = 256 };

struct ExplainDoc {
    Arena *a;
    ExplainFormat format;
    char *buf;
    size_t len, cap;
    bool failed;
    int depth;                      /* open nodes */
    bool plans_open[DOC_DEPTH_MAX]; /* per open node: its "Plans" list is open */
    bool has_child[DOC_DEPTH_MAX];  /* per open node: a child was written */
    bool is_first;                  /* the next property is its node's first */
    const char *relationship;       /* for the next node: its Parent Relationship */
    const char *subplan_name;
};

static void put(ExplainDoc *d, const char *s, size_t n)
{
    if (d->failed) {
        return;
    }
    if (d->len + n + 1 > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        while (cap < d->len + n + 1) {
            cap *= 2;
        }
        char *grown = arena_alloc(d->a, cap);
        if (grown == NULL) {
            d->failed = true;
            return;
        }
        if (d->len > 0) {
            memcpy(grown, d->buf, d->len);
        }
        d->buf = grown;
        d->cap = cap;
    }
    memcpy(d->buf + d->len, s, n);
    d->len += n;
    d->buf[d->len] = '\0';
}

static void puts_(ExplainDoc *d, const char *s)
{
    put(d, s, strlen(s));
}

/* A new line indented by spaces. */
static void line(ExplainDoc *d, int spaces)
{
    put(d, "\n", 1);
    for (int k = 0; k < spaces; k++) {
        put(d, " ", 1);
    }
}

/* Where the open node's properties start: the root's under "Plan" (JSON: [ { "Plan": {,
 * XML: <explain><Query><Plan>, YAML: "- Plan: "), each level of children four
 * spaces further ("Plans" and the child's own opening). */
static int property_spaces(const ExplainDoc *d)
{
    int root = d->format == EXPLAIN_FORMAT_YAML ? 4 : 6;
    return root + 4 * (d->depth - 1);
}

/* A JSON string, which YAML uses too (PostgreSQL's escape_yaml is escape_json). */
static void quoted(ExplainDoc *d, const char *s)
{
    put(d, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char esc[8];
        switch (*p) {
        case '"': puts_(d, "\\\""); break;
        case '\\': puts_(d, "\\\\"); break;
        case '\n': puts_(d, "\\n"); break;
        case '\r': puts_(d, "\\r"); break;
        case '\t': puts_(d, "\\t"); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                puts_(d, esc);
            } else {
                put(d, (const char *)p, 1);
            }
        }
    }
    put(d, "\"", 1);
}

/* XML character data, escaped as PostgreSQL's escape_xml. */
static void xml_text(ExplainDoc *d, const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        switch (*p) {
        case '&': puts_(d, "&amp;"); break;
        case '<': puts_(d, "&lt;"); break;
        case '>': puts_(d, "&gt;"); break;
        case '\r': puts_(d, "&#x0d;"); break;
        default: put(d, p, 1);
        }
    }
}

/* An XML tag of a property name: "Node Type" is <Node-Type> (closing: </Node-Type>). */
static void xml_tag(ExplainDoc *d, const char *name, bool is_closing)
{
    puts_(d, is_closing ? "</" : "<");
    for (const char *p = name; *p != '\0'; p++) {
        put(d, *p == ' ' ? "-" : p, 1);
    }
    puts_(d, ">");
}

/* Opens a property: what comes before its value. A YAML child's first property
 * follows its "- " on the same line. */
static void key(ExplainDoc *d, const char *name)
{
    bool first = d->is_first;
    d->is_first = false;
    switch (d->format) {
    case EXPLAIN_FORMAT_JSON:
        puts_(d, first ? "" : ",");
        line(d, property_spaces(d));
        quoted(d, name);
        puts_(d, ": ");
        break;
    case EXPLAIN_FORMAT_YAML:
        if (!first || d->depth == 1) {
            line(d, property_spaces(d));
        }
        puts_(d, name);
        puts_(d, ": ");
        break;
    default:
        line(d, property_spaces(d));
        xml_tag(d, name, false);
        break;
    }
}

/* A scalar property; is_string quotes it in JSON and YAML. */
static void property(ExplainDoc *d, const char *name, const char *value, bool is_string)
{
    key(d, name);
    if (d->format == EXPLAIN_FORMAT_XML) {
        xml_text(d, value);
        xml_tag(d, name, true);
    } else if (is_string) {
        quoted(d, value);
    } else {
        puts_(d, value);
    }
}

ExplainDoc *explain_doc_new(Arena *a, ExplainFormat format)
{
    ExplainDoc *d = arena_zalloc(a, sizeof(ExplainDoc));
    if (d == NULL) {
        return NULL;
    }
    d->a = a;
    d->format = format;
    puts_(d, format == EXPLAIN_FORMAT_JSON   ? "[\n  {\n    \"Plan\": "
             : format == EXPLAIN_FORMAT_YAML ? "- Plan: "
                                             : "<explain xmlns=\"http://www.postgresql.org/2009/"
                                               "explain\">\n  <Query>\n    <Plan>");
    return d;
}

void explain_doc_relation(ExplainDoc *d, const char *relationship, const char *subplan_name)
{
    d->relationship = relationship;
    d->subplan_name = subplan_name;
}

/* Opens the parent's "Plans" before its first child, then the child itself. */
static void child_open(ExplainDoc *d)
{
    int parent = d->depth - 1;
    if (!d->plans_open[parent]) {
        d->is_first = false;
        key(d, "Plans"); /* the parent's last property */
        puts_(d, d->format == EXPLAIN_FORMAT_JSON ? "[" : "");
        d->plans_open[parent] = true;
    }
    if (d->format == EXPLAIN_FORMAT_JSON && d->has_child[parent]) {
        puts_(d, ",");
    }
    d->has_child[parent] = true;
    line(d, property_spaces(d) + 2);
    puts_(d, d->format == EXPLAIN_FORMAT_JSON   ? "{"
             : d->format == EXPLAIN_FORMAT_YAML ? "- "
                                                : "<Plan>");
}

void explain_doc_node_begin(ExplainDoc *d, const char *node_type)
{
    if (d->depth >= DOC_DEPTH_MAX) {
        d->failed = true;
        return;
    }
    if (d->depth > 0) {
        child_open(d);
    } else if (d->format == EXPLAIN_FORMAT_JSON) {
        puts_(d, "{");
    }
    d->plans_open[d->depth] = false;
    d->has_child[d->depth] = false;
    d->depth++;
    d->is_first = true;
    explain_doc_string(d, "Node Type", node_type);
    if (d->relationship != NULL) {
        explain_doc_string(d, "Parent Relationship", d->relationship);
    }
    if (d->subplan_name != NULL) {
        explain_doc_string(d, "Subplan Name", d->subplan_name);
    }
    d->relationship = NULL;
    d->subplan_name = NULL;
}

void explain_doc_node_end(ExplainDoc *d)
{
    if (d->depth == 0) {
        d->failed = true;
        return;
    }
    int self = d->depth - 1;
    int spaces = property_spaces(d);
    if (d->plans_open[self] && d->format != EXPLAIN_FORMAT_YAML) {
        line(d, spaces);
        puts_(d, d->format == EXPLAIN_FORMAT_JSON ? "]" : "</Plans>");
    }
    if (d->format != EXPLAIN_FORMAT_YAML) {
        line(d, spaces - 2);
        puts_(d, d->format == EXPLAIN_FORMAT_JSON ? "}" : "</Plan>");
    }
    d->depth--;
}

void explain_doc_string(ExplainDoc *d, const char *name, const char *value)
{
    property(d, name, value != NULL ? value : "", true);
}

void explain_doc_number(ExplainDoc *d, const char *name, double value, int decimals)
{
    char text[64];
    snprintf(text, sizeof text, "%.*f", decimals, value);
    property(d, name, text, false);
}

void explain_doc_bool(ExplainDoc *d, const char *name, bool value)
{
    property(d, name, value ? "true" : "false", false);
}

/* One item of a list property. */
static void list_item(ExplainDoc *d, const char *item, int count)
{
    switch (d->format) {
    case EXPLAIN_FORMAT_JSON:
        puts_(d, count > 0 ? ", " : "");
        quoted(d, item);
        break;
    case EXPLAIN_FORMAT_YAML:
        line(d, property_spaces(d) + 2);
        puts_(d, "- ");
        quoted(d, item);
        break;
    default:
        line(d, property_spaces(d) + 2);
        puts_(d, "<Item>");
        xml_text(d, item);
        puts_(d, "</Item>");
        break;
    }
}

/* "a, f(b, c) DESC, 'x, y'": the items separated by ", " outside parentheses,
 * brackets and quotes, as the text form joined them. */
void explain_doc_list(ExplainDoc *d, const char *name, const char *joined)
{
    key(d, name);
    puts_(d, d->format == EXPLAIN_FORMAT_JSON ? "[" : "");
    const char *start = joined != NULL ? joined : "";
    int level = 0, count = 0;
    char quote = 0;
    for (const char *p = start;; p++) {
        bool end = *p == '\0' || (quote == 0 && level == 0 && p[0] == ',' && p[1] == ' ');
        if (end) {
            size_t n = (size_t)(p - start);
            char *item = arena_alloc(d->a, n + 1);
            if (item == NULL) {
                d->failed = true;
                return;
            }
            memcpy(item, start, n);
            item[n] = '\0';
            if (n > 0 || *p != '\0' || count > 0) {
                list_item(d, item, count++);
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
    if (d->format == EXPLAIN_FORMAT_JSON) {
        puts_(d, "]");
    } else if (d->format == EXPLAIN_FORMAT_XML) {
        line(d, property_spaces(d));
        xml_tag(d, name, true);
    }
}

const char *explain_doc_finish(ExplainDoc *d, bool has_execution_time, double execution_ms)
{
    if (d->depth != 0) {
        d->failed = true;
    }
    char text[64];
    snprintf(text, sizeof text, "%.3f", execution_ms);
    switch (d->format) {
    case EXPLAIN_FORMAT_JSON:
        if (has_execution_time) {
            puts_(d, ",\n    \"Execution Time\": ");
            puts_(d, text);
        }
        puts_(d, "\n  }\n]");
        break;
    case EXPLAIN_FORMAT_YAML:
        if (has_execution_time) {
            puts_(d, "\n  Execution Time: ");
            puts_(d, text);
        }
        break;
    default:
        if (has_execution_time) {
            puts_(d, "\n    <Execution-Time>");
            puts_(d, text);
            puts_(d, "</Execution-Time>");
        }
        puts_(d, "\n  </Query>\n</explain>");
        break;
    }
    return d->failed ? NULL : d->buf;
}
