/*
 * util/limits.h - every unbounded thing gets a named bound.
 *
 * Exceeding one is an error with SQLSTATE 54000 (program_limit_exceeded),
 * never an assertion. Each limit says why it has the value it has.
 */
#ifndef STRATA_UTIL_LIMITS_H
#define STRATA_UTIL_LIMITS_H

/* One SQL statement's text: large enough for generated multi-row INSERTs,
 * small enough that a hostile client cannot make the parser allocate without bound. */
#define LIMIT_STATEMENT_BYTES (64u * 1024 * 1024)

/* One value (text, bytea, jsonb): the issue asks for at least 64 MiB; 1 GiB is
 * PostgreSQL's own varlena limit. */
#define LIMIT_VALUE_BYTES (1024u * 1024 * 1024)

/* Nesting of expressions and subqueries: keeps recursive descent in the parser,
 * binder and evaluator far from the thread's stack limit. */
#define LIMIT_EXPRESSION_DEPTH 1000

/* Columns in a table or a select list: PostgreSQL's MaxTupleAttributeNumber is 1664. */
#define LIMIT_COLUMNS 1600

/* Tables in one FROM clause (after flattening joins). */
#define LIMIT_JOIN_TABLES 256

/* Identifier length: PostgreSQL's NAMEDATALEN - 1; longer names are truncated
 * with a notice, as PostgreSQL does. */
#define LIMIT_IDENTIFIER_BYTES 63

/* Wire protocol: one message, and concurrent connections of one server. */
#define LIMIT_MESSAGE_BYTES (256u * 1024 * 1024)
#define LIMIT_CONNECTIONS_DEFAULT 100

/* Recursive CTE iterations before the query is stopped (cycle guard). */
#define LIMIT_RECURSION_ITERATIONS 10000000

/* Elements of one array value: PostgreSQL's MaxArraySize, so an array that
 * PostgreSQL accepts is accepted here (54000 past it). */
#define LIMIT_ARRAY_ELEMENTS 134217727

/* What a statement may hold in memory beyond 4 x work_mem before it fails with
 * 53200 (exec_check_work_mem): the fixed part of an execution (operator state,
 * 2048-row batches and vectors of every scan, sort merge buffers, hash table
 * heads) that no operator can spill. Without it a small work_mem (64kB, where
 * PostgreSQL runs every operator) failed ordinary queries on overheads alone;
 * with it a runaway operator is still stopped at 4 x work_mem + 4 MiB. */
#define LIMIT_EXEC_MEMORY_FLOOR_BYTES ((size_t)4 * 1024 * 1024)

#endif
