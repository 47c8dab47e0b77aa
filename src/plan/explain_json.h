/*
 * plan/explain_json.h - the JSON document of EXPLAIN (FORMAT JSON), PostgreSQL's
 * shape (explain_json.c). explain.c calls these as it walks the plan.
 */
#ifndef STRATA_PLAN_EXPLAIN_JSON_H
#define STRATA_PLAN_EXPLAIN_JSON_H

#include <stdbool.h>

#include "util/arena.h"

typedef struct ExplainJson ExplainJson;

/* NULL when out of memory. */
ExplainJson *explain_json_new(Arena *a);
/* The Parent Relationship (and Subplan Name, or NULL) of the next node begun. */
void explain_json_relation(ExplainJson *j, const char *relationship, const char *subplan_name);
/* Opens a node (a child of the open one, if any); its properties follow, then
 * its children, then explain_json_node_end. */
void explain_json_node_begin(ExplainJson *j, const char *node_type);
void explain_json_node_end(ExplainJson *j);
void explain_json_string(ExplainJson *j, const char *name, const char *value);
void explain_json_number(ExplainJson *j, const char *name, double value, int decimals);
void explain_json_bool(ExplainJson *j, const char *name, bool value);
/* An array of the items of joined ("a, b DESC"), split where the text form
 * joined them. */
void explain_json_list(ExplainJson *j, const char *name, const char *joined);
/* The document (in the arena), or NULL when a call failed. */
const char *explain_json_finish(ExplainJson *j, bool has_execution_time, double execution_ms);

#endif
