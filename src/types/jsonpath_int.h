/*
 * types/jsonpath_int.h - the parsed form of a jsonpath, shared by
 * jsonpath.c (parser) and jsonpath_exec.c (evaluator); private to types/.
 *
 * A path is a tree of JpNodes. A primary ($, @, $var, literal, last, or a
 * parenthesized expression) carries its accessors as a chain through next:
 * `$.a[0]` is ROOT -> KEY a -> SUBSCRIPTS [0]. Operators keep their
 * operands in left / right (and are chained through next like a primary
 * when followed by accessors: `($.a + 1).type()`).
 */
#ifndef STRATA_TYPES_JSONPATH_INT_H
#define STRATA_TYPES_JSONPATH_INT_H

#include "types/jsonpath.h"

typedef enum JpKind {
    /* primaries */
    JP_ROOT,
    JP_CURRENT,
    JP_VARIABLE,
    JP_LAST,
    JP_NULL,
    JP_TRUE,
    JP_FALSE,
    JP_NUMBER,
    JP_STRING,
    /* accessors */
    JP_KEY,
    JP_ANY_KEY,
    JP_ANY_ARRAY,
    JP_SUBSCRIPTS,
    JP_ANY,
    JP_FILTER,
    JP_METHOD,
    /* arithmetic */
    JP_ADD,
    JP_SUB,
    JP_MUL,
    JP_DIV,
    JP_MOD,
    JP_PLUS,
    JP_MINUS,
    /* predicates */
    JP_EQ,
    JP_NE,
    JP_LT,
    JP_LE,
    JP_GT,
    JP_GE,
    JP_AND,
    JP_OR,
    JP_NOT,
    JP_IS_UNKNOWN,
    JP_EXISTS,
    JP_LIKE_REGEX,
    JP_STARTS_WITH,
} JpKind;

typedef enum JpMethod {
    JP_METHOD_TYPE,
    JP_METHOD_SIZE,
    JP_METHOD_DOUBLE,
    JP_METHOD_CEILING,
    JP_METHOD_FLOOR,
    JP_METHOD_ABS,
} JpMethod;

typedef struct JpNode {
    JpKind kind;
    JpMethod method;
    const char *text; /* key, string, variable name, regex; number: its jsonb encoding */
    uint32_t length;
    bool regex_icase;
    struct JpNode *left, *right;
    struct JpNode *next; /* the next accessor */
    /* JP_SUBSCRIPTS: from[i] (and to[i] or NULL) */
    struct JpNode **from, **to;
    int subscript_count;
} JpNode;

struct JsonPath {
    bool strict;
    JpNode *expr;
};

static inline bool jp_is_predicate(JpKind kind)
{
    return kind >= JP_EQ;
}

#endif
