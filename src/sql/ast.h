/*
 * sql/ast.h - the abstract syntax tree produced by the SQL parser (PostgreSQL dialect).
 *
 * The parser builds these nodes; the binder (plan/) reads them. The tree is purely
 * syntactic: names are not resolved, types are not checked, `*` is not expanded.
 * Every node starts with NODE_HEADER (a tag and a source location), so any node
 * pointer can be viewed as a Node * and dispatched on node->tag.
 *
 * Invariants
 *   1. Every node, list and string lives in the arena passed to sql_parse() and is
 *      never freed separately; the tree is read-only once sql_parse() returns.
 *   2. node->location is the byte offset of the node's first token in the source
 *      text, or -1 when the node has no token of its own. Convert it to the
 *      1-based character position PostgreSQL reports with sql_char_position().
 *   3. Unquoted identifiers are folded to lower case; quoted identifiers keep
 *      their case. Names are NUL-terminated and never NULL when present.
 *   4. NodeList and NameList are embedded by value; an empty list has count 0
 *      (items may be NULL). Optional child nodes are NULL when absent.
 *   5. Type names are canonical PostgreSQL internal names (int4, int8, float8,
 *      varchar, bpchar, timestamptz, ...); see TypeName.
 *
 * Threads: a tree belongs to whoever owns its arena; no locking.
 * See src/sql/README.md.
 */
#ifndef STRATA_SQL_AST_H
#define STRATA_SQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef enum NodeTag {
    N_INVALID = 0,
    /* ---- expressions ---- */
    N_COLUMN_REF,    /* ColumnRef: a, t.a, s.t.a, *, t.* */
    N_CONST,         /* Const: literals */
    N_PARAM,         /* Param: $1 */
    N_CAST,          /* Cast: CAST(x AS t), x::t, DATE '...' */
    N_OP_EXPR,       /* OpExpr: binary or prefix operator */
    N_BOOL_EXPR,     /* BoolExpr: AND / OR / NOT */
    N_FUNC_CALL,     /* FuncCall: f(args), aggregates, window calls, EXTRACT, ... */
    N_CASE,          /* CaseExpr */
    N_CASE_WHEN,     /* CaseWhen: one WHEN ... THEN ... */
    N_COALESCE,      /* CoalesceExpr */
    N_NULLIF,        /* NullIfExpr */
    N_MINMAX,        /* MinMaxExpr: GREATEST / LEAST */
    N_SUBLINK,       /* SubLink: EXISTS, IN/ANY/ALL (subquery), scalar, ARRAY(subquery) */
    N_IN_LIST,       /* InList: x [NOT] IN (a, b, ...) */
    N_ARRAY_OP,      /* ArrayOp: x op ANY|ALL (array expression) */
    N_BETWEEN,       /* BetweenExpr */
    N_LIKE,          /* LikeExpr: LIKE / ILIKE / SIMILAR TO */
    N_NULL_TEST,     /* NullTest: IS [NOT] NULL, ISNULL, NOTNULL */
    N_BOOL_TEST,     /* BoolTest: IS [NOT] TRUE / FALSE / UNKNOWN */
    N_DISTINCT_EXPR, /* DistinctExpr: IS [NOT] DISTINCT FROM */
    N_ROW,           /* RowExpr: (a, b) or ROW(a, b) */
    N_ARRAY,         /* ArrayExpr: ARRAY[...] */
    N_SUBSCRIPT,     /* Subscript: x[i] or x[lo:hi] */
    N_FIELD_SELECT,  /* FieldSelect: (expr).field */
    N_SQL_VALUE,     /* SqlValue: CURRENT_DATE, CURRENT_USER, ... */
    N_DEFAULT,       /* DefaultExpr: DEFAULT in VALUES or SET */
    N_GROUPING_SET,  /* GroupingSet: ROLLUP / CUBE / GROUPING SETS / () */
    N_COLLATE,       /* CollateExpr: x COLLATE name */
    /* ---- clauses and helpers ---- */
    N_TYPE_NAME,       /* TypeName */
    N_RES_TARGET,      /* ResTarget: one select-list / RETURNING entry */
    N_SORT_BY,         /* SortBy: ORDER BY item */
    N_WINDOW_DEF,      /* WindowDef: OVER (...) or WINDOW w AS (...) */
    N_RANGE_VAR,       /* RangeVar: table reference */
    N_RANGE_SUBSELECT, /* RangeSubselect: (query) alias in FROM */
    N_RANGE_FUNCTION,  /* RangeFunction: f(...) alias in FROM */
    N_JOIN_EXPR,       /* JoinExpr */
    N_ALIAS,           /* Alias: name (col, ...) */
    N_WITH_CLAUSE,     /* WithClause */
    N_CTE,             /* CommonTableExpr */
    N_LOCKING_CLAUSE,  /* LockingClause: FOR UPDATE / SHARE ... */
    N_SET_CLAUSE,      /* SetClause: col = expr or (a, b) = expr */
    N_ON_CONFLICT,     /* OnConflictClause */
    N_INDEX_ELEM,      /* IndexElem: index column / conflict target / partition key */
    N_COLUMN_DEF,      /* ColumnDef */
    N_CONSTRAINT,      /* Constraint: column or table constraint */
    N_TABLE_LIKE,      /* TableLike: LIKE other in CREATE TABLE */
    N_PARTITION_SPEC,  /* PartitionSpec */
    N_DEF_ELEM,        /* DefElem: generic "name [value]" option */
    N_ALTER_TABLE_CMD, /* AlterTableCmd */
    N_QUALIFIED_NAME,  /* QualifiedName: [schema.]name for DROP and friends */
    /* ---- statements ---- */
    N_SELECT_STMT, /* SelectStmt (also VALUES and set operations) */
    N_INSERT_STMT,
    N_UPDATE_STMT,
    N_DELETE_STMT,
    N_CREATE_TABLE_STMT,
    N_CREATE_INDEX_STMT,
    N_CREATE_VIEW_STMT, /* views and materialized views */
    N_REFRESH_MATVIEW_STMT,
    N_CREATE_SCHEMA_STMT,
    N_CREATE_SEQUENCE_STMT, /* CREATE and ALTER SEQUENCE */
    N_DROP_STMT,
    N_ALTER_TABLE_STMT, /* ALTER TABLE / INDEX / VIEW / SEQUENCE ... */
    N_TRUNCATE_STMT,
    N_ROLE_STMT, /* CREATE / ALTER / DROP ROLE | USER */
    N_COMMENT_STMT,
    N_GRANT_STMT, /* GRANT and REVOKE */
    N_TRANSACTION_STMT,
    N_SET_STMT, /* SET / RESET / SET TRANSACTION */
    N_SHOW_STMT,
    N_PREPARE_STMT,
    N_EXECUTE_STMT,
    N_DEALLOCATE_STMT,
    N_EXPLAIN_STMT,
    N_COPY_STMT,
    N_VACUUM_STMT, /* VACUUM and ANALYZE */
    N_CHECKPOINT_STMT,
    N_DISCARD_STMT,
    N_LISTEN_STMT, /* LISTEN / UNLISTEN / NOTIFY */
    /* ---- added after the first release of this header ---- */
    N_NAMED_ARG,       /* NamedArgExpr: f(name => value) */
    N_PARTITION_BOUND, /* PartitionBound: FOR VALUES ... of CREATE TABLE ... PARTITION OF */
    N_CREATE_ENUM_STMT, /* CreateEnumStmt: CREATE TYPE name AS ENUM (...) */
    N_ALTER_ENUM_STMT,  /* AlterEnumStmt: ALTER TYPE name ADD VALUE ... */
    N_CREATE_DOMAIN_STMT, /* CreateDomainStmt */
    N_ALTER_DOMAIN_STMT,  /* AlterDomainStmt */
    N_TAG_COUNT
} NodeTag;

/* The first members of every node. */
#define NODE_HEADER                                                                                \
    NodeTag tag;                                                                                   \
    int location

typedef struct Node {
    NODE_HEADER;
} Node;

/* A statement is any N_*_STMT node. */
typedef Node Stmt;

/* Growable arrays in the arena; embedded by value (count 0 = empty). */
typedef struct NodeList {
    int count;
    int capacity;
    Node **items;
} NodeList;

typedef struct NameList {
    int count;
    int capacity;
    char **items;
} NameList;

/* ============================ expressions ============================ */

/* a, t.a, s.t.a; is_star: *, t.* (fields then hold the qualifier, possibly none). */
typedef struct ColumnRef {
    NODE_HEADER;
    NameList fields;
    bool is_star;
} ColumnRef;

typedef enum ConstKind {
    CONST_INTEGER,    /* digits only; see int_class */
    CONST_NUMERIC,    /* has '.' or exponent: 1.5, .5, 1e10 (PostgreSQL types it numeric) */
    CONST_STRING,     /* '...', E'...', U&'...', $$...$$; text is the decoded value */
    CONST_BIT_STRING, /* B'0101'; text holds the binary digits */
    CONST_HEX_STRING, /* X'1F'; text holds the hex digits */
    CONST_BOOL,
    CONST_NULL,
} ConstKind;

/* Which PostgreSQL type an integer literal gets: the smallest of int4, int8 and
 * numeric that holds it (a leading '-' folded by the parser counts). */
typedef enum IntClass { INT_CLASS_INT4, INT_CLASS_INT8, INT_CLASS_NUMERIC } IntClass;

typedef struct Const {
    NODE_HEADER;
    ConstKind kind;
    char *text; /* original digits (with '-' if negated) or decoded string; NULL for BOOL/NULL */
    size_t text_length; /* bytes of text (strings may be compared by length) */
    IntClass int_class; /* CONST_INTEGER only */
    int64_t int_value;  /* CONST_INTEGER when int_class != INT_CLASS_NUMERIC */
    bool bool_value;    /* CONST_BOOL */
} Const;

typedef struct Param {
    NODE_HEADER;
    int number; /* $1 -> 1 */
} Param;

typedef enum IntervalField {
    INTERVAL_FIELD_NONE = 0,
    INTERVAL_YEAR = 1 << 0,
    INTERVAL_MONTH = 1 << 1,
    INTERVAL_DAY = 1 << 2,
    INTERVAL_HOUR = 1 << 3,
    INTERVAL_MINUTE = 1 << 4,
    INTERVAL_SECOND = 1 << 5,
} IntervalField;

/*
 * A type name. name is the canonical internal name: bool, int2, int4, int8,
 * float4, float8, numeric, varchar, bpchar, text, bytea, date, time, timetz,
 * timestamp, timestamptz, interval, uuid, json, jsonb, bit, varbit, serial2,
 * serial4, serial8 (smallserial/serial/bigserial), or any other identifier as
 * written (folded). schema is set for qualified names (pg_catalog.int4).
 * typmods: the parenthesized modifiers (varchar(10) -> [10], numeric(10,2) ->
 * [10, 2]; char and bit without length -> [1] as PostgreSQL does; float(p) is
 * mapped to float4/float8 and has no typmod; timestamp(3) -> [3]; for INTERVAL
 * '..' SECOND(3) the precision is the typmod). array_dims counts [] suffixes
 * (or ARRAY); declared sizes such as int[3] are not kept, as in PostgreSQL.
 */
typedef struct TypeName {
    NODE_HEADER;
    char *schema;
    char *name;
    NodeList typmods;
    int array_dims;
    int interval_fields; /* IntervalField bits for INTERVAL '..' HOUR TO MINUTE */
} TypeName;

typedef enum CastSyntax {
    CAST_SYNTAX_CAST,   /* CAST(x AS t) */
    CAST_SYNTAX_COLONS, /* x::t */
    CAST_SYNTAX_PREFIX, /* DATE '2024-01-01' (arg is a CONST_STRING) */
} CastSyntax;

typedef struct Cast {
    NODE_HEADER;
    Node *arg;
    TypeName *type;
    CastSyntax syntax;
} Cast;

/* Binary (left and right) or prefix (left NULL) operator. op is the operator
 * text ("+", "<=", "||", "->>", "~~" is never produced: LIKE has its own node).
 * "!=" is normalized to "<>". op_schema is set for OPERATOR(schema.op). */
typedef struct OpExpr {
    NODE_HEADER;
    char *op;
    char *op_schema;
    Node *left;
    Node *right;
} OpExpr;

typedef enum BoolOp { BOOL_AND, BOOL_OR, BOOL_NOT } BoolOp;

/* AND / OR with two or more args (flattened), NOT with one. */
typedef struct BoolExpr {
    NODE_HEADER;
    BoolOp op;
    NodeList args;
} BoolExpr;

/* How a FuncCall was written; only the deparser cares. */
typedef enum FuncSyntax {
    FUNC_SYNTAX_NORMAL,
    FUNC_SYNTAX_EXTRACT,   /* EXTRACT(field FROM x): name extract, args [Const field, x] */
    FUNC_SYNTAX_SUBSTRING, /* SUBSTRING(x FROM a FOR b): substring(x, a[, b]); FOR-only:
                              substring(x, 1, b) */
    FUNC_SYNTAX_POSITION,  /* POSITION(a IN b): position(b, a) as PostgreSQL */
    FUNC_SYNTAX_TRIM,      /* TRIM([BOTH|LEADING|TRAILING] [c] FROM x): btrim|ltrim|rtrim(x[, c]) */
    FUNC_SYNTAX_OVERLAY,   /* OVERLAY(x PLACING y FROM a [FOR b]): overlay(x, y, a[, b]) */
    FUNC_SYNTAX_AT_TIME_ZONE, /* x AT TIME ZONE z: timezone(z, x) */
} FuncSyntax;

typedef struct WindowDef WindowDef;

typedef struct FuncCall {
    NODE_HEADER;
    NameList name; /* [schema,] function name, folded */
    NodeList args;
    NodeList agg_order;    /* SortBy: f(x ORDER BY ...) or WITHIN GROUP (ORDER BY ...) */
    Node *agg_filter;      /* FILTER (WHERE ...) */
    WindowDef *over;       /* OVER (...) or OVER name */
    bool agg_star;         /* f(*) */
    bool agg_distinct;     /* f(DISTINCT ...) */
    bool agg_within_group; /* agg_order came from WITHIN GROUP */
    bool func_variadic;    /* VARIADIC before the last argument */
    FuncSyntax syntax;
} FuncCall;

/* A named function argument: name => value (or name := value) in FuncCall args. */
typedef struct NamedArgExpr {
    NODE_HEADER;
    char *name;
    Node *arg;
} NamedArgExpr;

typedef struct CaseWhen {
    NODE_HEADER;
    Node *condition;
    Node *result;
} CaseWhen;

/* CASE [arg] WHEN ... THEN ... [ELSE default_result] END */
typedef struct CaseExpr {
    NODE_HEADER;
    Node *arg;            /* NULL for the searched form */
    NodeList whens;       /* CaseWhen */
    Node *default_result; /* NULL if no ELSE */
} CaseExpr;

typedef struct CoalesceExpr {
    NODE_HEADER;
    NodeList args;
} CoalesceExpr;

typedef struct NullIfExpr {
    NODE_HEADER;
    Node *left;
    Node *right;
} NullIfExpr;

typedef struct MinMaxExpr {
    NODE_HEADER;
    bool is_greatest; /* GREATEST, else LEAST */
    NodeList args;
} MinMaxExpr;

typedef enum SubLinkKind {
    SUBLINK_EXISTS, /* EXISTS (q) */
    SUBLINK_ANY,    /* test op ANY|SOME (q); x IN (q) is ANY with op "=" */
    SUBLINK_ALL,    /* test op ALL (q); x NOT IN (q) is NOT (x = ANY (q)) as in PostgreSQL */
    SUBLINK_EXPR,   /* (q) as a scalar */
    SUBLINK_ARRAY,  /* ARRAY(q) */
} SubLinkKind;

typedef struct SubLink {
    NODE_HEADER;
    SubLinkKind kind;
    Node *test_expr; /* ANY / ALL only (may be a RowExpr) */
    char *op;        /* ANY / ALL only */
    bool is_in;      /* written as IN (q): deparse only */
    Node *subquery;  /* a SelectStmt */
} SubLink;

typedef struct InList {
    NODE_HEADER;
    Node *expr;
    NodeList list;
    bool is_not;
} InList;

/* left op ANY|SOME|ALL (right), right being an array expression (not a subquery). */
typedef struct ArrayOp {
    NODE_HEADER;
    char *op;
    Node *left;
    Node *right;
    bool is_all;
} ArrayOp;

typedef struct BetweenExpr {
    NODE_HEADER;
    Node *expr;
    Node *low;
    Node *high;
    bool is_not;
    bool is_symmetric;
} BetweenExpr;

typedef enum LikeKind { LIKE_LIKE, LIKE_ILIKE, LIKE_SIMILAR } LikeKind;

typedef struct LikeExpr {
    NODE_HEADER;
    LikeKind kind;
    Node *expr;
    Node *pattern;
    Node *escape; /* NULL unless ESCAPE given */
    bool is_not;
} LikeExpr;

typedef struct NullTest {
    NODE_HEADER;
    Node *arg;
    bool is_not; /* IS NOT NULL / NOTNULL */
} NullTest;

typedef enum BoolTestKind {
    BOOL_TEST_IS_TRUE,
    BOOL_TEST_IS_NOT_TRUE,
    BOOL_TEST_IS_FALSE,
    BOOL_TEST_IS_NOT_FALSE,
    BOOL_TEST_IS_UNKNOWN,
    BOOL_TEST_IS_NOT_UNKNOWN,
} BoolTestKind;

typedef struct BoolTest {
    NODE_HEADER;
    Node *arg;
    BoolTestKind kind;
} BoolTest;

typedef struct DistinctExpr {
    NODE_HEADER;
    Node *left;
    Node *right;
    bool is_not; /* IS NOT DISTINCT FROM */
} DistinctExpr;

typedef struct RowExpr {
    NODE_HEADER;
    NodeList args;
    bool is_explicit; /* ROW(...) keyword used */
} RowExpr;

typedef struct ArrayExpr {
    NODE_HEADER;
    NodeList elements; /* nested ARRAY[[1,2],[3,4]] gives ArrayExpr elements */
} ArrayExpr;

/* arg[lower] or arg[lower:upper] (is_slice; either bound may be NULL). */
typedef struct Subscript {
    NODE_HEADER;
    Node *arg;
    Node *lower;
    Node *upper;
    bool is_slice;
} Subscript;

typedef struct FieldSelect {
    NODE_HEADER;
    Node *arg;
    char *field; /* NULL for (expr).* */
} FieldSelect;

typedef enum SqlValueKind {
    SQL_VALUE_CURRENT_DATE,
    SQL_VALUE_CURRENT_TIME,
    SQL_VALUE_CURRENT_TIMESTAMP,
    SQL_VALUE_LOCALTIME,
    SQL_VALUE_LOCALTIMESTAMP,
    SQL_VALUE_CURRENT_USER,
    SQL_VALUE_CURRENT_ROLE,
    SQL_VALUE_SESSION_USER,
    SQL_VALUE_USER,
    SQL_VALUE_CURRENT_SCHEMA,
    SQL_VALUE_CURRENT_CATALOG,
} SqlValueKind;

typedef struct SqlValue {
    NODE_HEADER;
    SqlValueKind kind;
    int precision; /* CURRENT_TIMESTAMP(3); -1 if none */
} SqlValue;

typedef struct DefaultExpr {
    NODE_HEADER;
} DefaultExpr;

typedef enum GroupingSetKind {
    GROUPING_SET_EMPTY, /* () */
    GROUPING_SET_ROLLUP,
    GROUPING_SET_CUBE,
    GROUPING_SET_SETS, /* GROUPING SETS (...) */
} GroupingSetKind;

/* Items of ROLLUP/CUBE are expressions or RowExprs (parenthesized groups). */
typedef struct GroupingSet {
    NODE_HEADER;
    GroupingSetKind kind;
    NodeList content;
} GroupingSet;

typedef struct CollateExpr {
    NODE_HEADER;
    Node *arg;
    NameList collation;
} CollateExpr;

/* ============================ clauses ============================ */

/* Select-list entry (val, optional alias name), RETURNING entry, or a column
 * of INSERT's column list (name only, val NULL). */
typedef struct ResTarget {
    NODE_HEADER;
    char *name;
    Node *val;
} ResTarget;

typedef enum SortDir { SORT_DEFAULT, SORT_ASC, SORT_DESC } SortDir;
typedef enum SortNulls { SORT_NULLS_DEFAULT, SORT_NULLS_FIRST, SORT_NULLS_LAST } SortNulls;

typedef struct SortBy {
    NODE_HEADER;
    Node *expr;
    SortDir dir;
    SortNulls nulls;
} SortBy;

typedef enum FrameMode { FRAME_NONE, FRAME_ROWS, FRAME_RANGE, FRAME_GROUPS } FrameMode;

typedef enum FrameBoundKind {
    FRAME_BOUND_DEFAULT, /* not given */
    FRAME_BOUND_UNBOUNDED_PRECEDING,
    FRAME_BOUND_OFFSET_PRECEDING,
    FRAME_BOUND_CURRENT_ROW,
    FRAME_BOUND_OFFSET_FOLLOWING,
    FRAME_BOUND_UNBOUNDED_FOLLOWING,
} FrameBoundKind;

typedef enum FrameExclude {
    FRAME_EXCLUDE_NONE, /* or EXCLUDE NO OTHERS */
    FRAME_EXCLUDE_CURRENT_ROW,
    FRAME_EXCLUDE_GROUP,
    FRAME_EXCLUDE_TIES,
} FrameExclude;

/* OVER name: only refname set. OVER ([refname] PARTITION BY ... ORDER BY ... frame).
 * WINDOW w AS (...): name = w. Without BETWEEN, the frame end is DEFAULT. */
struct WindowDef {
    NODE_HEADER;
    char *name;
    char *refname;
    NodeList partition_by;
    NodeList order_by; /* SortBy */
    FrameMode frame_mode;
    FrameBoundKind start_kind;
    Node *start_offset;
    FrameBoundKind end_kind;
    Node *end_offset;
    FrameExclude exclude;
    bool is_bare_name; /* OVER w (no parentheses) */
};

typedef struct Alias {
    NODE_HEADER;
    char *name;
    NameList columns;
} Alias;

/* [ONLY] [schema.]name [[AS] alias [(cols)]] */
typedef struct RangeVar {
    NODE_HEADER;
    char *catalog; /* db.schema.name: rarely used */
    char *schema;
    char *name;
    Alias *alias;
    bool only;
} RangeVar;

typedef struct RangeSubselect {
    NODE_HEADER;
    bool lateral;
    Node *subquery; /* SelectStmt (VALUES in FROM too) */
    Alias *alias;   /* may be NULL (PostgreSQL 16+ allows that) */
} RangeSubselect;

typedef struct RangeFunction {
    NODE_HEADER;
    bool lateral;
    bool with_ordinality;
    bool rows_from; /* written ROWS FROM (f(...) [AS (col type, ...)]) */
    Node *function; /* FuncCall or other function-like expression */
    Alias *alias;
    /* AS [name] (col type, ...): the column definition list of a function
     * returning record (ColumnDef nodes, names and types only); alias->columns
     * is then empty */
    NodeList column_defs;
} RangeFunction;

typedef enum JoinKind { JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_CROSS } JoinKind;

typedef struct JoinExpr {
    NODE_HEADER;
    JoinKind kind;
    bool is_natural;
    Node *left;
    Node *right;
    NameList using_columns; /* USING (a, b) */
    Node *quals;            /* ON expr */
    Alias *alias;           /* (a JOIN b ON ...) AS j, or USING (...) AS j */
} JoinExpr;

typedef enum CteMaterialize {
    CTE_MATERIALIZE_DEFAULT,
    CTE_MATERIALIZED,
    CTE_NOT_MATERIALIZED
} CteMaterialize;

typedef struct CommonTableExpr {
    NODE_HEADER;
    char *name;
    NameList columns;
    Node *query; /* SelectStmt, or INSERT/UPDATE/DELETE with RETURNING */
    CteMaterialize materialize;
} CommonTableExpr;

typedef struct WithClause {
    NODE_HEADER;
    bool recursive;
    NodeList ctes; /* CommonTableExpr */
} WithClause;

typedef enum LockStrength {
    LOCK_FOR_UPDATE,
    LOCK_FOR_NO_KEY_UPDATE,
    LOCK_FOR_SHARE,
    LOCK_FOR_KEY_SHARE,
} LockStrength;

typedef enum LockWait { LOCK_WAIT_BLOCK, LOCK_WAIT_NOWAIT, LOCK_WAIT_SKIP_LOCKED } LockWait;

typedef struct LockingClause {
    NODE_HEADER;
    LockStrength strength;
    NodeList tables; /* RangeVar (no alias) from FOR UPDATE OF a, b */
    LockWait wait;
} LockingClause;

/* UPDATE ... SET col = value, or (a, b) = value (value a RowExpr or SubLink),
 * ON CONFLICT DO UPDATE SET likewise. subscripts of col[1] = x are not supported. */
typedef struct SetClause {
    NODE_HEADER;
    NameList columns;
    bool is_multi; /* parenthesized column list */
    Node *value;
} SetClause;

/* Index column, ON CONFLICT target, or partition key: a column name or an expression. */
typedef struct IndexElem {
    NODE_HEADER;
    char *name; /* column, or NULL when expr is set */
    Node *expr; /* (expr) or func(col) */
    NameList collation;
    NameList opclass;
    SortDir dir;
    SortNulls nulls;
} IndexElem;

typedef enum OnConflictAction { ON_CONFLICT_NOTHING, ON_CONFLICT_UPDATE } OnConflictAction;

typedef struct OnConflictClause {
    NODE_HEADER;
    OnConflictAction action;
    NodeList target;       /* IndexElem; empty if no target */
    Node *target_where;    /* ON CONFLICT (cols) WHERE pred */
    char *constraint_name; /* ON CONFLICT ON CONSTRAINT name */
    NodeList set;          /* SetClause (DO UPDATE) */
    Node *where;           /* DO UPDATE ... WHERE */
} OnConflictClause;

/* ============================ statements: queries ============================ */

typedef enum SetOp { SETOP_NONE, SETOP_UNION, SETOP_INTERSECT, SETOP_EXCEPT } SetOp;
typedef enum DistinctKind {
    DISTINCT_NONE,
    DISTINCT_ALL,
    DISTINCT_ON_ALL,
    DISTINCT_ON
} DistinctKind;
typedef enum LimitKind {
    LIMIT_NONE,
    LIMIT_COUNT,
    LIMIT_ALL,
    LIMIT_FETCH_ONLY,
    LIMIT_FETCH_WITH_TIES
} LimitKind;

/*
 * SELECT, VALUES, and set operations, as PostgreSQL's SelectStmt:
 *   - simple SELECT: op == SETOP_NONE, targets/from/where/... set;
 *   - VALUES: op == SETOP_NONE, values_lists non-empty (each a RowExpr-like
 *     NodeList held as a RowExpr node), targets empty;
 *   - set operation: op != SETOP_NONE, left/right set, set_all for ALL.
 * ORDER BY / LIMIT / OFFSET / locking / WITH may decorate any of the three.
 * distinct: DISTINCT_NONE (nothing written), DISTINCT_ALL (SELECT ALL),
 * DISTINCT_ON_ALL (SELECT DISTINCT), DISTINCT_ON (DISTINCT ON (distinct_on)).
 * limit_kind: LIMIT_COUNT with limit_count (LIMIT NULL is a LIMIT_COUNT whose
 * count is a NULL Const: no limit, as in PostgreSQL); LIMIT_ALL for LIMIT ALL;
 * LIMIT_FETCH_* from FETCH FIRST (limit_count NULL means 1 row).
 */
typedef struct SelectStmt {
    NODE_HEADER;
    WithClause *with;
    DistinctKind distinct;
    NodeList distinct_on;
    NodeList targets; /* ResTarget */
    NodeList from;    /* RangeVar / RangeSubselect / RangeFunction / JoinExpr */
    Node *where;
    NodeList group_by; /* expressions or GroupingSet */
    bool group_by_distinct;
    Node *having;
    NodeList windows;      /* WindowDef with name */
    NodeList values_lists; /* RowExpr per VALUES row */
    NodeList sort;         /* SortBy */
    LimitKind limit_kind;
    Node *limit_count;
    Node *limit_offset;
    NodeList locking; /* LockingClause */
    SetOp op;
    bool set_all;
    struct SelectStmt *left;
    struct SelectStmt *right;
} SelectStmt;

/* INSERT INTO relation [(columns)] { select | DEFAULT VALUES } [ON CONFLICT] [RETURNING] */
typedef struct InsertStmt {
    NODE_HEADER;
    WithClause *with;
    RangeVar *relation; /* alias = AS alias */
    NodeList columns;   /* ResTarget with name only */
    SelectStmt *select; /* VALUES or query; NULL for DEFAULT VALUES */
    bool default_values;
    bool overriding_system; /* OVERRIDING SYSTEM VALUE */
    bool overriding_user;   /* OVERRIDING USER VALUE */
    OnConflictClause *on_conflict;
    NodeList returning; /* ResTarget */
} InsertStmt;

typedef struct UpdateStmt {
    NODE_HEADER;
    WithClause *with;
    RangeVar *relation;
    NodeList set; /* SetClause */
    NodeList from;
    Node *where;
    NodeList returning;
} UpdateStmt;

typedef struct DeleteStmt {
    NODE_HEADER;
    WithClause *with;
    RangeVar *relation;
    NodeList using_items;
    Node *where;
    NodeList returning;
} DeleteStmt;

/* ============================ statements: DDL ============================ */

typedef enum Persistence {
    PERSISTENCE_PERMANENT,
    PERSISTENCE_TEMP,
    PERSISTENCE_UNLOGGED
} Persistence;

typedef enum ConstraintKind {
    CONSTRAINT_NULL,     /* NULL (column only) */
    CONSTRAINT_NOT_NULL, /* NOT NULL (column only) */
    CONSTRAINT_DEFAULT,  /* DEFAULT expr (column only) */
    CONSTRAINT_CHECK,
    CONSTRAINT_PRIMARY,
    CONSTRAINT_UNIQUE,
    CONSTRAINT_FOREIGN,   /* REFERENCES (column) or FOREIGN KEY (table) */
    CONSTRAINT_IDENTITY,  /* GENERATED ALWAYS|BY DEFAULT AS IDENTITY */
    CONSTRAINT_GENERATED, /* GENERATED ALWAYS AS (expr) STORED */
} ConstraintKind;

/* Foreign key actions, as the letters PostgreSQL uses. */
typedef enum FkAction {
    FK_ACTION_NONE = 0, /* not given (means NO ACTION) */
    FK_ACTION_NO_ACTION = 'a',
    FK_ACTION_RESTRICT = 'r',
    FK_ACTION_CASCADE = 'c',
    FK_ACTION_SET_NULL = 'n',
    FK_ACTION_SET_DEFAULT = 'd',
} FkAction;

typedef enum FkMatch { FK_MATCH_SIMPLE, FK_MATCH_FULL, FK_MATCH_PARTIAL } FkMatch;

typedef struct Constraint {
    NODE_HEADER;
    ConstraintKind kind;
    char *name;              /* CONSTRAINT name, or NULL */
    Node *expr;              /* CHECK / DEFAULT / GENERATED expression */
    NameList keys;           /* table PRIMARY KEY / UNIQUE / FOREIGN KEY columns */
    NameList include;        /* INCLUDE (cols) of PRIMARY KEY / UNIQUE */
    bool nulls_not_distinct; /* UNIQUE NULLS NOT DISTINCT */
    RangeVar *ref_table;     /* FOREIGN */
    NameList ref_columns;    /* FOREIGN: referenced columns (may be empty) */
    FkAction on_delete;
    FkAction on_update;
    FkMatch match;
    bool identity_always; /* IDENTITY: ALWAYS (true) or BY DEFAULT */
    NodeList options;     /* IDENTITY (sequence options): DefElem */
    bool deferrable;
    bool initially_deferred;
    bool no_inherit;
} Constraint;

typedef struct ColumnDef {
    NODE_HEADER;
    char *name;
    TypeName *type;       /* NULL only for column options in CREATE TABLE ... PARTITION OF */
    NodeList constraints; /* Constraint */
    NameList collation;   /* COLLATE name */
} ColumnDef;

typedef struct TableLike {
    NODE_HEADER;
    RangeVar *relation;
    NodeList options; /* DefElem: INCLUDING/EXCLUDING x (name "including_x" / "excluding_x") */
} TableLike;

typedef enum PartitionStrategy {
    PARTITION_RANGE,
    PARTITION_LIST,
    PARTITION_HASH
} PartitionStrategy;

typedef struct PartitionSpec {
    NODE_HEADER;
    PartitionStrategy strategy;
    NodeList keys; /* IndexElem */
} PartitionSpec;

/*
 * Generic option "name [= value]": WITH (fillfactor = 70), COPY options, EXPLAIN
 * options, sequence options, role options, transaction modes. name is folded to
 * lower case. The value is either a word (an identifier or keyword, e.g. csv, on,
 * true, text), or an expression node (Const number / string, TypeName for
 * AS type), or absent (both NULL: a bare flag such as ANALYZE or HEADER).
 * word "*" stands for a literal * (COPY ... FORCE QUOTE *).
 */
typedef struct DefElem {
    NODE_HEADER;
    char *name;
    char *word;
    Node *arg;
} DefElem;

typedef enum OnCommitAction {
    ON_COMMIT_NOOP = 0, /* not given */
    ON_COMMIT_PRESERVE_ROWS,
    ON_COMMIT_DELETE_ROWS,
    ON_COMMIT_DROP,
} OnCommitAction;

/* FOR VALUES of a partition: FROM (lower) TO (upper) for RANGE, IN (values) for
 * LIST, WITH (MODULUS m, REMAINDER r) for HASH, or DEFAULT. MINVALUE and
 * MAXVALUE in range bounds are ColumnRefs named "minvalue" / "maxvalue", as in
 * PostgreSQL's raw parse tree. */
typedef struct PartitionBound {
    NODE_HEADER;
    bool is_default;
    PartitionStrategy strategy; /* which form was written */
    NodeList lower;             /* RANGE FROM (...) */
    NodeList upper;             /* RANGE TO (...) */
    NodeList values;            /* LIST IN (...) */
    int modulus;                /* HASH */
    int remainder;
} PartitionBound;

typedef struct CreateTableStmt {
    NODE_HEADER;
    RangeVar *relation;
    Persistence persistence;
    bool if_not_exists;
    NodeList elements;        /* ColumnDef / Constraint / TableLike */
    char *access_method;      /* USING am, or NULL */
    PartitionSpec *partition; /* PARTITION BY, or NULL */
    NodeList options;         /* WITH (...): DefElem */
    /* CREATE TABLE ... AS query */
    Node *as_query;           /* SelectStmt (or EXECUTE), NULL for a normal CREATE TABLE */
    NameList as_columns;      /* CREATE TABLE name (a, b) AS ... */
    bool with_no_data;        /* WITH NO DATA */
    OnCommitAction on_commit; /* ON COMMIT ... (temporary tables) */
    /* CREATE TABLE name PARTITION OF parent [(constraints)] FOR VALUES ... | DEFAULT:
     * elements then hold only column options and table constraints. */
    RangeVar *partition_of;
    PartitionBound *bound;
} CreateTableStmt;

typedef struct CreateIndexStmt {
    NODE_HEADER;
    char *name; /* NULL: engine picks one */
    RangeVar *relation;
    char *access_method; /* USING method, or NULL */
    NodeList params;     /* IndexElem */
    NameList include;
    Node *where;
    NodeList options; /* WITH (...) */
    bool unique;
    bool nulls_not_distinct;
    bool concurrently;
    bool if_not_exists;
    bool only; /* ON ONLY t */
} CreateIndexStmt;

/* CREATE [OR REPLACE] [TEMP] [RECURSIVE] VIEW and CREATE MATERIALIZED VIEW. */
typedef struct CreateViewStmt {
    NODE_HEADER;
    RangeVar *view;
    NameList columns;
    Node *query;      /* SelectStmt */
    char *query_text; /* the source text of query (arena copy) */
    bool replace;
    bool temporary;
    bool materialized;
    bool if_not_exists; /* materialized only */
    bool with_no_data;  /* materialized only */
    char *access_method; /* materialized only: USING method, or NULL */
    NodeList options;   /* WITH (...) */
    int check_option;   /* 0 none, 'l' LOCAL, 'c' CASCADED */
} CreateViewStmt;

typedef struct RefreshMatViewStmt {
    NODE_HEADER;
    RangeVar *view;
    bool concurrently;
    bool with_no_data;
} RefreshMatViewStmt;

typedef struct CreateSchemaStmt {
    NODE_HEADER;
    char *name;          /* may be NULL with AUTHORIZATION */
    char *authorization; /* AUTHORIZATION role, or NULL */
    bool if_not_exists;
} CreateSchemaStmt;

/* CREATE [TEMP] SEQUENCE / ALTER SEQUENCE. options: DefElem named increment,
 * minvalue, maxvalue (arg NULL = NO MINVALUE/MAXVALUE), start, restart, cache,
 * cycle (word "true"/"false"), owned_by (arg a ColumnRef or word "none"),
 * as (arg TypeName). */
typedef struct CreateSequenceStmt {
    NODE_HEADER;
    RangeVar *sequence;
    NodeList options;
    bool is_alter;
    bool if_not_exists; /* CREATE ... IF NOT EXISTS */
    bool if_exists;     /* ALTER ... IF EXISTS */
    bool temporary;
} CreateSequenceStmt;

typedef enum ObjectKind {
    OBJECT_TABLE,
    OBJECT_INDEX,
    OBJECT_VIEW,
    OBJECT_MATVIEW,
    OBJECT_SEQUENCE,
    OBJECT_SCHEMA,
    OBJECT_ROLE,
    OBJECT_DATABASE,
    OBJECT_COLUMN,
    OBJECT_FUNCTION,
    OBJECT_TYPE,
    OBJECT_CONSTRAINT,
    OBJECT_EXTENSION,
    OBJECT_TRIGGER,
    OBJECT_DOMAIN,
} ObjectKind;

/* [catalog.][schema.]name for DROP, COMMENT, GRANT; parts holds every part in
 * order. COMMENT ON COLUMN t.c: the last part is the column. COMMENT ON
 * CONSTRAINT c ON t (and TRIGGER): the table's parts, then the constraint name. */
typedef struct QualifiedName {
    NODE_HEADER;
    NameList parts;
} QualifiedName;

/* CREATE TYPE name AS ENUM ('a', 'b', ...) */
typedef struct CreateEnumStmt {
    NODE_HEADER;
    QualifiedName *name;
    NameList labels;
} CreateEnumStmt;

/* ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'label' [BEFORE | AFTER 'neighbor'] */
typedef struct AlterEnumStmt {
    NODE_HEADER;
    QualifiedName *name;
    char *label;
    char *neighbor; /* NULL: at the end */
    bool is_before;
    bool if_not_exists;
} AlterEnumStmt;

/* CREATE DOMAIN name [AS] type [DEFAULT expr] [[CONSTRAINT n] NOT NULL | NULL |
 * CHECK (expr)] ...: constraints are Constraint nodes (CONSTRAINT_DEFAULT,
 * _NOT_NULL, _NULL, _CHECK). */
typedef struct CreateDomainStmt {
    NODE_HEADER;
    QualifiedName *name;
    TypeName *type;
    NodeList constraints;
} CreateDomainStmt;

typedef enum AlterDomainAction {
    ALTER_DOMAIN_ADD_CONSTRAINT,  /* constraint (CHECK or NOT NULL) */
    ALTER_DOMAIN_DROP_CONSTRAINT, /* constraint_name; if_exists */
    ALTER_DOMAIN_SET_DEFAULT,     /* default_expr */
    ALTER_DOMAIN_DROP_DEFAULT,
    ALTER_DOMAIN_SET_NOT_NULL,
    ALTER_DOMAIN_DROP_NOT_NULL,
} AlterDomainAction;

typedef struct AlterDomainStmt {
    NODE_HEADER;
    QualifiedName *name;
    AlterDomainAction action;
    Constraint *constraint;
    char *constraint_name;
    Node *default_expr;
    bool if_exists;
} AlterDomainStmt;

typedef struct DropStmt {
    NODE_HEADER;
    ObjectKind kind;
    NodeList objects; /* QualifiedName */
    bool if_exists;
    bool cascade;      /* CASCADE (else RESTRICT / default) */
    bool concurrently; /* DROP INDEX CONCURRENTLY */
} DropStmt;

typedef enum AlterTableKind {
    ALTER_ADD_COLUMN,           /* def: ColumnDef; if_not_exists */
    ALTER_DROP_COLUMN,          /* name; if_exists; cascade */
    ALTER_RENAME_COLUMN,        /* name -> new_name */
    ALTER_RENAME,               /* the relation itself -> new_name */
    ALTER_ADD_CONSTRAINT,       /* def: Constraint */
    ALTER_DROP_CONSTRAINT,      /* name; if_exists; cascade */
    ALTER_RENAME_CONSTRAINT,    /* name -> new_name */
    ALTER_COLUMN_SET_DEFAULT,   /* name; def: expression */
    ALTER_COLUMN_DROP_DEFAULT,  /* name */
    ALTER_COLUMN_SET_NOT_NULL,  /* name */
    ALTER_COLUMN_DROP_NOT_NULL, /* name */
    ALTER_COLUMN_TYPE,          /* name; def: TypeName; using_expr */
    ALTER_SET_ACCESS_METHOD,    /* new_name = method */
    ALTER_SET_SCHEMA,           /* new_name = schema */
    ALTER_OWNER,                /* new_name = role */
    ALTER_SET_OPTIONS,          /* options: SET (...) */
    ALTER_RESET_OPTIONS,        /* options: RESET (...) */
    ALTER_ATTACH_PARTITION,     /* def: RangeVar of the partition; bound */
    ALTER_DETACH_PARTITION,     /* def: RangeVar of the partition */
    ALTER_COLUMN_ADD_IDENTITY,  /* name; def: Constraint (CONSTRAINT_IDENTITY, options) */
} AlterTableKind;

typedef struct AlterTableCmd {
    NODE_HEADER;
    AlterTableKind kind;
    char *name;
    char *new_name;
    Node *def;
    Node *using_expr;
    NodeList options;
    NameList collation;
    bool if_exists;
    bool if_not_exists;
    bool cascade;
    struct PartitionBound *bound; /* ATTACH PARTITION: FOR VALUES ... | DEFAULT */
} AlterTableCmd;

/* ALTER TABLE | INDEX | VIEW | MATERIALIZED VIEW | SEQUENCE [IF EXISTS] name cmd, ... */
typedef struct AlterTableStmt {
    NODE_HEADER;
    ObjectKind kind;
    RangeVar *relation;
    bool if_exists;
    NodeList cmds; /* AlterTableCmd */
} AlterTableStmt;

typedef struct TruncateStmt {
    NODE_HEADER;
    NodeList relations; /* RangeVar */
    bool restart_identity;
    bool cascade;
} TruncateStmt;

typedef enum RoleAction { ROLE_CREATE, ROLE_ALTER, ROLE_DROP } RoleAction;

/* Role options as DefElem: login/superuser/createdb/createrole/inherit/
 * replication/bypassrls (word "true"/"false"), password (arg Const or NULL),
 * connection_limit (arg), valid_until (arg), in_role/role/admin (word list as
 * several DefElems). ALTER ROLE a RENAME TO b: new_name. */
typedef struct RoleStmt {
    NODE_HEADER;
    RoleAction action;
    bool is_user;   /* spelled USER */
    bool if_exists; /* DROP ... IF EXISTS */
    NameList names; /* one for CREATE / ALTER, several for DROP */
    NodeList options;
    char *new_name;
} RoleStmt;

typedef struct CommentStmt {
    NODE_HEADER;
    ObjectKind kind;
    QualifiedName *object;
    char *comment; /* NULL for IS NULL */
} CommentStmt;

/* GRANT privileges ON [kind] objects TO grantees [WITH GRANT OPTION], REVOKE
 * likewise; GRANT role TO role (is_role_grant: privileges hold the roles). */
typedef struct GrantStmt {
    NODE_HEADER;
    bool is_grant;
    bool is_role_grant;
    bool all_privileges;
    NameList privileges; /* select, insert, ... (lower case) */
    ObjectKind kind;
    NodeList objects;   /* QualifiedName */
    bool all_in_schema; /* ON ALL TABLES IN SCHEMA s */
    NameList grantees;  /* role names, "public" for PUBLIC */
    bool with_grant_option;
    bool cascade;
    bool column_privileges; /* a privilege named columns: GRANT SELECT (a) ON t */
    NameList *columns;      /* per privilege (privileges.count entries; count 0 = the whole
                             * object), NULL when no privilege names columns */
    NameList all_columns;   /* ALL [PRIVILEGES] (a, b): the columns */
    NameList granted_by;    /* GRANTED BY role (one name), else empty */
} GrantStmt;

/* ============================ statements: other ============================ */

typedef enum TransactionKind {
    TXN_BEGIN,    /* BEGIN / START TRANSACTION */
    TXN_COMMIT,   /* COMMIT / END */
    TXN_ROLLBACK, /* ROLLBACK / ABORT */
    TXN_SAVEPOINT,
    TXN_RELEASE,
    TXN_ROLLBACK_TO,
} TransactionKind;

/* options: DefElem transaction_isolation (word "serializable", "repeatable read",
 * "read committed", "read uncommitted"), transaction_read_only (word "true" /
 * "false"), transaction_deferrable (word). */
typedef struct TransactionStmt {
    NODE_HEADER;
    TransactionKind kind;
    bool is_start; /* written START TRANSACTION */
    char *savepoint;
    NodeList options;
    bool chain; /* AND CHAIN */
} TransactionStmt;

typedef enum SetKind {
    SET_VALUE,       /* SET name TO values */
    SET_DEFAULT,     /* SET name TO DEFAULT */
    SET_RESET,       /* RESET name */
    SET_RESET_ALL,   /* RESET ALL */
    SET_TRANSACTION, /* SET [SESSION CHARACTERISTICS AS] TRANSACTION modes: options */
} SetKind;

/* SET [SESSION | LOCAL] name {TO | =} value, ... ; SET TIME ZONE x sets name
 * "timezone"; SET NAMES / SET SCHEMA 'x' map to client_encoding / search_path.
 * Each value is a Const: numbers stay numbers, strings and bare words (on, off,
 * public) become CONST_STRING, TRUE/FALSE become CONST_STRING "true"/"false"
 * as PostgreSQL treats them as words here. */
typedef struct SetStmt {
    NODE_HEADER;
    SetKind kind;
    char *name;
    NodeList values;
    bool is_local;
    bool is_session_characteristics;
    NodeList options; /* SET_TRANSACTION modes (see TransactionStmt) */
} SetStmt;

typedef struct ShowStmt {
    NODE_HEADER;
    char *name; /* "all" for SHOW ALL; "timezone" for SHOW TIME ZONE */
} ShowStmt;

typedef struct PrepareStmt {
    NODE_HEADER;
    char *name;
    NodeList arg_types; /* TypeName */
    Stmt *query;
    char *query_text; /* source text of query (arena copy) */
} PrepareStmt;

typedef struct ExecuteStmt {
    NODE_HEADER;
    char *name;
    NodeList params; /* expressions */
} ExecuteStmt;

typedef struct DeallocateStmt {
    NODE_HEADER;
    char *name; /* NULL for ALL */
} DeallocateStmt;

/* EXPLAIN [ANALYZE] [VERBOSE] stmt or EXPLAIN (opt [value], ...) stmt: all
 * options end up in options (DefElem analyze / verbose / format / costs / ...). */
typedef struct ExplainStmt {
    NODE_HEADER;
    Stmt *query;
    NodeList options;
} ExplainStmt;

/* COPY relation [(columns)] FROM {'file' | STDIN} / TO {'file' | STDOUT}, or
 * COPY (query) TO ...; options normalised to DefElem: format (word csv/text/
 * binary), header (word true/false/match or none = true), delimiter, quote,
 * escape, null, encoding (arg Const string), force_quote / force_not_null
 * (word "*" or NameList in a Const-free form: word is the comma-joined list). */
typedef struct CopyStmt {
    NODE_HEADER;
    RangeVar *relation;
    NameList columns;
    Node *query; /* COPY (query) TO */
    bool is_from;
    bool is_program; /* FROM/TO PROGRAM 'cmd' */
    char *filename;  /* NULL for STDIN / STDOUT */
    NodeList options;
    Node *where; /* COPY FROM ... WHERE */
} CopyStmt;

/* VACUUM / ANALYZE [table [(columns)], ...]: relations are RangeVar; a column
 * list, when given, is in rv->alias->columns (that Alias has no name). */
typedef struct VacuumStmt {
    NODE_HEADER;
    bool is_vacuum; /* VACUUM (else ANALYZE) */
    bool full;
    bool analyze; /* VACUUM ANALYZE */
    bool verbose;
    bool freeze;
    NodeList options;   /* VACUUM (opt, ...) */
    NodeList relations; /* RangeVar; RangeVar.alias->columns holds (cols) */
} VacuumStmt;

typedef struct CheckpointStmt {
    NODE_HEADER;
} CheckpointStmt;

typedef enum DiscardKind {
    DISCARD_ALL,
    DISCARD_PLANS,
    DISCARD_SEQUENCES,
    DISCARD_TEMP
} DiscardKind;

typedef struct DiscardStmt {
    NODE_HEADER;
    DiscardKind kind;
} DiscardStmt;

typedef enum ListenKind { LISTEN_LISTEN, LISTEN_UNLISTEN, LISTEN_NOTIFY } ListenKind;

typedef struct ListenStmt {
    NODE_HEADER;
    ListenKind kind;
    char *channel; /* NULL for UNLISTEN * */
    char *payload; /* NOTIFY channel, 'payload' */
} ListenStmt;

/* ============================ statement lists ============================ */

typedef struct SourceRange {
    size_t start; /* byte offset of the statement's first token */
    size_t end;   /* byte offset just past its last token (before any ';') */
} SourceRange;

/* The result of sql_parse(): statements in source order (empty statements such
 * as ";;" are skipped), each with its byte range in the source. */
typedef struct StmtList {
    int count;
    Stmt **items;
    SourceRange *ranges;
} StmtList;

/* ============================ helpers (ast.c) ============================ */

/* Allocates a zeroed node of size_bytes with tag and location; NULL when the
 * arena fails. Arena-owned. Use the AST_NEW macro. */
Node *ast_new_node(Arena *arena, size_t size_bytes, NodeTag tag, int location);
#define AST_NEW(arena, Type, tag, location)                                                        \
    ((Type *)ast_new_node((arena), sizeof(Type), (tag), (location)))

/* Appends to a list, growing it in the arena. Returns STRATA_OK or STRATA_NOMEM
 * (the arena then reports the failure through arena_failed / arena_error). */
int node_list_append(Arena *arena, NodeList *list, Node *item);
int name_list_append(Arena *arena, NameList *list, char *name);

/* The tag's name ("SelectStmt", "OpExpr", ...), for debugging and errors. */
const char *ast_tag_name(NodeTag tag);

/* Checked downcast: the node must have the given tag (ST_ASSERT). */
#define AST_CAST(Type, tag_value, node) ((Type *)ast_check_tag((Node *)(node), (tag_value)))
Node *ast_check_tag(Node *node, NodeTag tag);

#endif
