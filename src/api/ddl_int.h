/*
 * api/ddl_int.h - helpers shared by the DDL files of src/api/ (api_ddl.c,
 * api_ddl_alter.c, api_analyze.c).
 *
 * A DDL statement runs in a write transaction: it opens a CatalogEdit on the
 * transaction's catalog, changes records and storage, and on success makes
 * the edited catalog the transaction's (api_session_set_catalog). On failure the
 * statement fails and the transaction is rolled back (or marked failed).
 *
 * Never included from outside src/api/.
 */
#ifndef STRATA_API_DDL_INT_H
#define STRATA_API_DDL_INT_H

#include "api/api_int.h"
#include "catalog/edit.h"

typedef struct Ddl {
    strata_stmt *stmt;
    strata_db *conn;
    CatalogEdit *edit;
    Arena *a;                /* the edit's arena */
    QueryEnv env;            /* for binding expressions / building indexes */
    const char *pending[64]; /* names created by this statement, not yet in a catalog */
    int pending_count;
} Ddl;

/* Resolves the schema for a new object (rv schema or the first schema of
 * search_path that exists). 3F000 if it does not exist. */
int api_ddl_target_schema(Ddl *d, const char *schema, const char **out, Error *err);
/* Finds a relation (table, view, system view) by optional schema. */
const CatTable *api_ddl_find_relation(Ddl *d, const char *schema, const char *name);
/* True if name is taken in schema by a relation, index or sequence. */
bool api_ddl_name_taken(Ddl *d, const char *schema, const char *name);
/* PostgreSQL's default-name choice: base, else base1, base2, ... (arena). */
const char *api_ddl_choose_name(Ddl *d, const char *schema, const char *base);
void api_ddl_reserve_name(Ddl *d, const char *name);

/* Appends one zeroed element to an arena array (NULL when the arena fails). */
void *api_ddl_push(Arena *a, void *items_ptr, int *count, size_t elem_size);

/* A copy of count elements with room for extra more (zeroed); items may be
 * NULL when count is 0. NULL when the arena fails. */
void *api_ddl_dup(Arena *a, const void *items, int count, int extra, size_t elem_size);

/* Mutable arrays of a copied table (arena copies, one spare element). */
CatColumn *api_ddl_columns(Ddl *d, CatTable *t);
CatConstraint *api_ddl_constraints(Ddl *d, CatTable *t);

/* Creates the storage of index x of table t (not for the primary key). */
int api_ddl_create_index_storage(Ddl *d, CatTable *t, CatIndex *x, Error *err);
/* Inserts entries for every existing row of t into index x. */
int api_ddl_build_index(Ddl *d, const CatTable *t, const CatIndex *x, Error *err);
/* A new secondary index x already in t->indexes: writes t's record, creates
 * x's storage and fills it from t's rows. */
int api_ddl_store_new_index(Ddl *d, CatTable *t, CatIndex *x, Error *err);
/* Appends x to t->indexes, then api_ddl_store_new_index. */
int api_ddl_add_index(Ddl *d, CatTable *t, CatIndex *x, Error *err);
/* Rewrites t's rows from old storage (old_table) into new storage for t
 * (columns mapped by source_columns[new column] = old column or -1 for the
 * default / NULL; defaults evaluated), rebuilding every index. Frees the old
 * storage. t's indexes get new storage. */
int api_ddl_rewrite_table(Ddl *d, const CatTable *old_table, CatTable *t, const int *source_columns,
                          Error *err);
/* Frees the storage of a table (and its indexes). */
int api_ddl_drop_storage(Ddl *d, const CatTable *t, Error *err);

/* True if sql mentions name as an identifier (unquoted words fold to lower
 * case); the lexical dependency test of views. */
bool api_sql_mentions(const char *sql, const char *name);
/* True when view v reads relation t (column NULL) or its column: from v's
 * recorded dependencies, or for a view without them (made before they were
 * recorded) when its SQL text mentions the names. */
bool api_ddl_view_uses(const CatTable *v, const CatTable *t, const char *column);
/* True when view v's recorded dependencies name user type type_id. */
bool api_ddl_view_uses_type(const CatTable *v, uint64_t type_id);
/* Views (other than t) that read t (api_ddl_view_uses); at most max. */
int api_ddl_dependent_views(const Catalog *c, const CatTable *t, const CatTable **out, int max);
/* A relation as PostgreSQL's cascade notices name it: qualified by its schema
 * unless that schema is on the search_path (or pg_catalog). Arena: d->a. */
const char *api_ddl_cascade_name(Ddl *d, const char *schema, const char *name);
/* Drops relation t and (as DROP ... CASCADE, with their notices) what depends
 * on it; the caller reports t itself. A no-op when this statement already
 * dropped t. */
int api_ddl_drop_relation_cascade(Ddl *d, const CatTable *t, Error *err);
/* Drops count columns of table t by name, as one ALTER TABLE t DROP COLUMN
 * ... CASCADE per column (views that read one go too, with their notices),
 * rewriting the table once (api_ddl_alter.c). 0A000 for a partitioned table
 * or a partition, as ALTER TABLE. */
int api_ddl_drop_columns(Ddl *d, const CatTable *t, const char *const *columns, int count,
                         Error *err);

/* Statements. */
int api_ddl_alter_table(Ddl *d, Error *err);
int api_ddl_truncate(Ddl *d, Error *err);
int api_ddl_add_identity(Ddl *d, CatTable *t, CatColumn *col, const Constraint *c, Error *err);
int api_ddl_analyze(Ddl *d, Error *err);
int api_ddl_create_index(Ddl *d, Error *err);
int api_ddl_role(Ddl *d, Error *err); /* CREATE / ALTER / DROP ROLE (api_role.c) */
/* Enum types (api_ddl_type.c): CREATE TYPE ... AS ENUM, ALTER TYPE ... ADD
 * VALUE, DROP TYPE (2BP01 while a column or view uses the type; CASCADE drops
 * those columns, as ALTER TABLE ... DROP COLUMN, and views). */
int api_ddl_create_enum(Ddl *d, Error *err);
int api_ddl_alter_enum(Ddl *d, Error *err);
int api_ddl_drop_types(Ddl *d, const DropStmt *s, Error *err);
/* Domains (api_ddl_type.c): CREATE DOMAIN, ALTER DOMAIN (a new CHECK or NOT
 * NULL is checked against the rows of every column of the domain: 23514 /
 * 23502), DROP DOMAIN (as DROP TYPE). */
int api_ddl_create_domain(Ddl *d, Error *err);
int api_ddl_alter_domain(Ddl *d, Error *err);
/* A column declared with type name tn: when tn names a domain, the column
 * gets its id and, lacking one of its own so far, the domain's default. */
void api_ddl_column_domain(Ddl *d, const TypeName *tn, CatColumn *col);

/* Privileges (api_grant.c). */
int api_ddl_grant(Ddl *d, Error *err); /* GRANT / REVOKE */
/* GRANT role TO role / REVOKE role FROM role (api_role_member.c). */
int api_ddl_grant_role(Ddl *d, const GrantStmt *s, Error *err);
/* CREATE ROLE's membership options: IN ROLE (the new role becomes a member of each),
 * ROLE / USER (each becomes a member of it), ADMIN (the same, WITH ADMIN OPTION). */
typedef struct RoleMemberOptions {
    NameList in_role, members, admins;
} RoleMemberOptions;
/* Fills created->member_of (IN ROLE; the caller puts created) and adds the members'
 * memberships in created, with GRANT's checks. */
int api_role_create_memberships(Ddl *d, CatRole *created, const RoleMemberOptions *opts,
                                Error *err);
/* DROP ROLE: removes the memberships of other roles in dropped. */
int api_role_drop_memberships(Ddl *d, const CatRole *dropped, Error *err);
/* 42501 unless the session's role owns t (or is a superuser). */
int api_ddl_require_owner(Ddl *d, const CatTable *t, Error *err);
/* 42501 "permission denied for schema s" unless role (a superuser current role passes
 * when role is the current one) holds privs (CAT_PRIV_USAGE / CREATE) on schema;
 * a session's temporary schema is its own. */
int api_ddl_require_schema_privilege(Ddl *d, const char *schema, uint32_t privs, uint64_t role,
                                     Error *err);
/* 42501 unless the session's role holds privs (CAT_PRIV_*) on t. */
int api_ddl_require_privilege(Ddl *d, const CatTable *t, uint32_t privs, Error *err);
/* ALTER ... OWNER TO role on a copy of a relation: 42501 unless owner or superuser. */
int api_ddl_set_owner(Ddl *d, CatTable *t, const char *role, Error *err);

/* Partitioning (api_ddl_partition.c). */
/* Sets t->partition_key from PARTITION BY (t's columns and indexes filled);
 * 0A000 when a unique index lacks a key column. */
int api_ddl_partition_key(Ddl *d, CatTable *t, const PartitionSpec *spec, Error *err);
/* CREATE TABLE ... PARTITION OF parent FOR VALUES ... | DEFAULT. */
int api_ddl_create_partition(Ddl *d, Error *err);
/* ALTER TABLE parent ATTACH / DETACH PARTITION. */
int api_ddl_partition_alter(Ddl *d, const CatTable *parent, const AlterTableCmd *cmd, Error *err);
/* Creates index x of partitioned table parent on each of its partitions. */
int api_ddl_partition_index(Ddl *d, const CatTable *parent, const CatIndex *x, Error *err);

/* Parses a type name from the AST into a SqlType (serial types map to their
 * integer type and set *serial). */
/* Refuses index keys the B+tree key codec cannot order like the type
 * (arrays: 0A000 `index keys of type integer[] are not supported`). */
int api_ddl_check_key_type(SqlType type, Error *err);
int api_ddl_type(const TypeName *tn, SqlType *out, bool *serial, Error *err);

/* Binds expr_sql / expr over t (validation); *type receives its type. */
int api_ddl_bind_expr(Ddl *d, const CatTable *t, const Node *expr, SqlType *type, Error *err);
/* DEFAULT 'literal' (CREATE TABLE, ALTER COLUMN SET DEFAULT): an untyped
 * literal must read as the column's type now, as PostgreSQL checks it (22P02,
 * 22003), not on the first INSERT; a string too long for varchar(n) / char(n)
 * fails only when used, as there. Other expressions: STRATA_OK. */
int api_ddl_check_default_literal(Ddl *d, SqlType type, const Node *expr, Error *err);

/* Every row of t through its TableAm: calls fn(ctx, row, row_id) per row. */
typedef int (*DdlRowFn)(Ddl *d, void *ctx, const Value *row, StrRef row_id, Error *err);
int api_ddl_scan_rows(Ddl *d, const CatTable *t, DdlRowFn fn, void *ctx, Error *err);
/* As api_ddl_scan_rows, reading only the columns with needed[col] (NULL: all);
 * the others are NULL in the row passed to fn. */
int api_ddl_scan_columns(Ddl *d, const CatTable *t, const bool *needed, DdlRowFn fn, void *ctx,
                         Error *err);

#endif
