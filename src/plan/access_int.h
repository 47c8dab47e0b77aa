/*
 * plan/access_int.h - what access.c (path choice and costs) and
 * access_terms.c (usable conjuncts, partial-index implication) share.
 *
 * Everything lives in the binder's arena. Key expressions and terms
 * reference the scan's output columns (PlanNode.scan_columns positions).
 *
 * See src/plan/README.md.
 */
#ifndef STRATA_PLAN_ACCESS_INT_H
#define STRATA_PLAN_ACCESS_INT_H

#include "plan/bind_int.h"

enum { ACCESS_TERMS_MAX = 64 };

typedef enum TermKind {
    TERM_CMP,   /* key op value */
    TERM_IN,    /* key IN (values) */
    TERM_ROW,   /* (keys...) op (values...) */
} TermKind;

/* A conjunct of the scan's predicate that an index can answer, normalized
 * with the key on the left. */
typedef struct KeyTerm {
    TermKind kind;
    int op;                 /* CMP / ROW: COMPARE_EQ / LT / LE / GT / GE */
    const Expr *key;        /* CMP / IN: the keyed expression */
    Expr *value;            /* CMP: the value (no input columns) */
    Expr **keys;            /* ROW: the left items */
    Expr **values;          /* IN: the list; ROW: the right items */
    bool is_array;          /* IN from `key = ANY (array)`: values[0] is the array */
    int value_count;
    const Expr *display;    /* the conjunct as EXPLAIN prints it (key on the left) */
    const Expr *source;     /* the conjunct itself (in the scan's qual) */
} KeyTerm;

typedef struct KeyTerms {
    KeyTerm items[ACCESS_TERMS_MAX];
    int count;
} KeyTerms;

/* One key of a candidate index: a scan output column, or an expression over
 * the scan's output columns (expr NULL: unusable). */
typedef struct IndexKey {
    int column;             /* scan output position, -1 for an expression key */
    int table_column;       /* table column (statistics), -1 for an expression key */
    Expr *expr;
    SqlType type;
    bool desc;
    bool not_null;          /* a NOT NULL column: a range never meets NULLs */
} IndexKey;

/* Collects the usable conjuncts of qual (at most ACCESS_TERMS_MAX). */
void access_collect_terms(Binder *b, const PlanNode *scan, const Expr *qual, KeyTerms *out);

/* The keys of index ix of scan's table (ix NULL or the primary key: the
 * clustering key) over the scan's output columns, at most max of them;
 * returns how many (0 when the arena failed). Expression keys are bound from
 * their SQL text (unusable ones have expr NULL). */
int access_index_keys(Binder *b, const PlanNode *scan, const CatIndex *ix, IndexKey *keys, int max);

/* True if key is the expression e. */
bool access_key_matches(const IndexKey *key, const Expr *e);

/* SQL text over the table (an index expression or predicate) bound, folded
 * and remapped to the scan's output columns; NULL when unusable. */
Expr *access_bind_table_sql(Binder *b, const PlanNode *scan, const char *sql);

/* True if the scan's predicate implies the partial-index predicate
 * predicate_sql: each of its conjuncts is one of the query's, or follows
 * from one (col = const or any comparison implies col IS NOT NULL; a
 * comparison with a constant implies a looser one on the same key).
 * *fraction = the estimated fraction of the table the index holds. */
bool access_predicate_implied(Binder *b, const PlanNode *scan, const char *predicate_sql,
                              double *fraction);

#endif
