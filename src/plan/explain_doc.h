/*
 * plan/explain_doc.h - the document of EXPLAIN (FORMAT JSON | YAML | XML), in
 * PostgreSQL's shapes (explain_doc.c). explain.c calls these as it walks the plan;
 * the three formats share the calls and differ only in how the document is written.
 */
#ifndef STRATA_PLAN_EXPLAIN_DOC_H
#define STRATA_PLAN_EXPLAIN_DOC_H

#include <stdbool.h>

#include "util/arena.h"

/* EXPLAIN's FORMAT option; TEXT is explain.c's lines, the others a document. */
typedef enum ExplainFormat {
    EXPLAIN_FORMAT_TEXT,
    EXPLAIN_FORMAT_JSON,
    EXPLAIN_FORMAT_YAML,
    EXPLAIN_FORMAT_XML,
} ExplainFormat;

typedef struct ExplainDoc ExplainDoc;

/* A document of format (JSON, YAML or XML); NULL when out of memory. */
ExplainDoc *explain_doc_new(Arena *a, ExplainFormat format);
/* The Parent Relationship (and Subplan Name, or NULL) of the next node begun. */
void explain_doc_relation(ExplainDoc *d, const char *relationship, const char *subplan_name);
/* Opens a node (a child of the open one, if any); its properties follow, then
 * its children, then explain_doc_node_end. */
void explain_doc_node_begin(ExplainDoc *d, const char *node_type);
void explain_doc_node_end(ExplainDoc *d);
void explain_doc_string(ExplainDoc *d, const char *name, const char *value);
void explain_doc_number(ExplainDoc *d, const char *name, double value, int decimals);
void explain_doc_bool(ExplainDoc *d, const char *name, bool value);
/* A list of the items of joined ("a, b DESC"), split where the text form
 * joined them. */
void explain_doc_list(ExplainDoc *d, const char *name, const char *joined);
/* The document (in the arena), or NULL when a call failed. */
const char *explain_doc_finish(ExplainDoc *d, bool has_execution_time, double execution_ms);

#endif
