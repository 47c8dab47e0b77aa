/*
 * catalog/catalog_sysview.c - the definitions of the built-in system views
 * and the "virtual" TableAm that scans them through the thread's provider.
 *
 * Threads: definitions are static and read-only; the provider pointer is
 * thread-local; registration runs once (pthread_once).
 * See src/catalog/README.md and sysview.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "catalog/sysview.h"

typedef struct ViewColumn {
    const char *name;
    TypeId type;
} ViewColumn;

typedef struct ViewDef {
    const char *schema;
    const char *name;
    ViewColumn columns[24];
} ViewDef;

#define T TYPE_TEXT
#define I8 TYPE_INT8
#define OID TYPE_OID /* PostgreSQL's oid columns (asyncpg's introspection reads them) */
#define I4 TYPE_INT4
#define B TYPE_BOOL
#define F8 TYPE_FLOAT8
#define TS TYPE_TIMESTAMPTZ

static const ViewDef views[] = {
    {"information_schema",
     "tables",
     {{"table_catalog", T}, {"table_schema", T}, {"table_name", T}, {"table_type", T}}},
    {"information_schema",
     "columns",
     {{"table_catalog", T},
      {"table_schema", T},
      {"table_name", T},
      {"column_name", T},
      {"ordinal_position", I4},
      {"column_default", T},
      {"is_nullable", T},
      {"data_type", T},
      {"character_maximum_length", I4},
      {"numeric_precision", I4},
      {"numeric_scale", I4},
      {"is_identity", T},
      {"identity_generation", T}}},
    {"information_schema",
     "schemata",
     {{"catalog_name", T}, {"schema_name", T}, {"schema_owner", T}}},
    {"information_schema",
     "table_constraints",
     {{"constraint_catalog", T},
      {"constraint_schema", T},
      {"constraint_name", T},
      {"table_schema", T},
      {"table_name", T},
      {"constraint_type", T}}},
    {"information_schema",
     "views",
     {{"table_catalog", T}, {"table_schema", T}, {"table_name", T}, {"view_definition", T}}},
    {"pg_catalog", "pg_namespace", {{"oid", OID}, {"nspname", T}, {"nspowner", OID}}},
    {"pg_catalog",
     "pg_class",
     {{"oid", OID},
      {"relname", T},
      {"relnamespace", OID},
      {"relkind", T},
      {"reltuples", F8},
      {"relnatts", I4},
      {"relhasindex", B},
      {"relam", T},
      {"relowner", OID},
      {"relchecks", I4},
      {"relhasrules", B},
      {"relhastriggers", B},
      {"relrowsecurity", B},
      {"relforcerowsecurity", B},
      {"relispartition", B},
      {"reltablespace", OID},
      {"reloftype", OID},
      {"relpersistence", T},
      {"relreplident", T},
      {"reltoastrelid", OID},
      {"relpartbound", T},
      {"reloptions", TYPE_TEXT_ARRAY},
      {"reltype", OID}}},
    {"pg_catalog",
     "pg_attribute",
     {{"attrelid", OID},
      {"attname", T},
      {"atttypid", OID},
      {"attnum", I4},
      {"attnotnull", B},
      {"atthasdef", B},
      {"atttypmod", I4},
      {"attidentity", T},
      {"attisdropped", B},
      {"attcollation", OID},
      {"attgenerated", T},
      {"attstorage", T},
      {"attcompression", T},
      {"attstattarget", I4}}},
    {"pg_catalog",
     "pg_type",
     {{"oid", OID},
      {"typname", T},
      {"typnamespace", OID},
      {"typlen", I4},
      {"typtype", T},
      {"typcategory", T},
      {"typcollation", OID},
      {"typelem", OID},
      {"typarray", OID},
      {"typdelim", T},
      {"typrelid", OID},
      {"typbasetype", OID},
      {"typtypmod", I4},
      {"typnotnull", B},
      {"typdefault", T},
      {"typowner", OID},
      {"typacl", TYPE_TEXT_ARRAY}}},
    {"pg_catalog",
     "pg_index",
     {{"indexrelid", OID},
      {"indrelid", OID},
      {"indnatts", I4},
      {"indisunique", B},
      {"indisprimary", B},
      {"indkey", TYPE_INT2VECTOR},
      {"indisclustered", B},
      {"indisvalid", B},
      {"indisreplident", B},
      {"indnkeyatts", I4},
      {"indimmediate", B},
      {"indnullsnotdistinct", B},
      {"indpred", T},
      {"indoption", TYPE_INT2VECTOR},
      {"indexprs", T}}},
    {"pg_catalog",
     "pg_indexes",
     {{"schemaname", T}, {"tablename", T}, {"indexname", T}, {"tablespace", T}, {"indexdef", T}}},
    {"pg_catalog",
     "pg_views",
     {{"schemaname", T}, {"viewname", T}, {"viewowner", T}, {"definition", T}}},
    {"pg_catalog",
     "pg_tables",
     {{"schemaname", T},
      {"tablename", T},
      {"tableowner", T},
      {"tablespace", T},
      {"hasindexes", B}}},
    {"pg_catalog",
     "pg_sequences",
     {{"schemaname", T},
      {"sequencename", T},
      {"start_value", I8},
      {"min_value", I8},
      {"max_value", I8},
      {"increment_by", I8},
      {"cycle", B},
      {"last_value", I8}}},
    /* one row: the file's database, named as the connection calls it */
    {"pg_catalog",
     "pg_database",
     {{"oid", OID},
      {"datname", T},
      {"datdba", OID},
      {"encoding", I4},
      {"datlocprovider", T},
      {"datistemplate", B},
      {"datallowconn", B},
      {"datconnlimit", I4},
      {"dattablespace", OID},
      {"datcollate", T},
      {"datctype", T},
      {"daticulocale", T},
      {"datacl", TYPE_TEXT_ARRAY}}},
    /* roles: pg_authid holds rolpassword (superusers only, 42501 otherwise);
     * pg_roles and pg_user show '********' for a set password */
    {"pg_catalog",
     "pg_authid",
     {{"oid", OID},
      {"rolname", T},
      {"rolsuper", B},
      {"rolinherit", B},
      {"rolcreaterole", B},
      {"rolcreatedb", B},
      {"rolcanlogin", B},
      {"rolreplication", B},
      {"rolbypassrls", B},
      {"rolconnlimit", I4},
      {"rolpassword", T},
      {"rolvaliduntil", TS}}},
    {"pg_catalog",
     "pg_roles",
     {{"rolname", T},
      {"rolsuper", B},
      {"rolinherit", B},
      {"rolcreaterole", B},
      {"rolcreatedb", B},
      {"rolcanlogin", B},
      {"rolreplication", B},
      {"rolconnlimit", I4},
      {"rolpassword", T},
      {"rolvaliduntil", TS},
      {"rolbypassrls", B},
      {"rolconfig", T},
      {"oid", OID}}},
    {"pg_catalog",
     "pg_user",
     {{"usename", T},
      {"usesysid", OID},
      {"usecreatedb", B},
      {"usesuper", B},
      {"userepl", B},
      {"usebypassrls", B},
      {"passwd", T},
      {"valuntil", TS},
      {"useconfig", T}}},
    {"pg_catalog",
     "pg_settings",
     {{"name", T},
      {"setting", T},
      {"unit", T},
      {"category", T},
      {"short_desc", T},
      {"vartype", T},
      {"source", T},
      {"boot_val", T},
      {"reset_val", T}}},
    {"pg_catalog",
     "pg_stat_user_tables",
     {{"relid", OID},
      {"schemaname", T},
      {"relname", T},
      {"seq_scan", I8},
      {"seq_tup_read", I8},
      {"idx_scan", I8},
      {"idx_tup_fetch", I8},
      {"n_tup_ins", I8},
      {"n_tup_upd", I8},
      {"n_tup_del", I8},
      {"n_live_tup", I8},
      {"n_dead_tup", I8}}},
    {"pg_catalog",
     "pg_stat_user_indexes",
     {{"relid", OID},
      {"indexrelid", OID},
      {"schemaname", T},
      {"relname", T},
      {"indexrelname", T},
      {"idx_scan", I8},
      {"idx_tup_read", I8},
      {"idx_tup_fetch", I8}}},
    /* ANALYZE statistics per column (api_analyze.c); n_distinct is always the
     * estimated count (PostgreSQL writes -fraction for columns it expects to
     * grow with the table) */
    {"pg_catalog",
     "pg_stats",
     {{"schemaname", T},
      {"tablename", T},
      {"attname", T},
      {"null_frac", F8},
      {"n_distinct", F8},
      {"most_common_vals", TYPE_TEXT_ARRAY},
      {"most_common_freqs", TYPE_FLOAT8_ARRAY},
      {"histogram_bounds", TYPE_TEXT_ARRAY}}},
    {"pg_catalog",
     "pg_stat_statements",
     {{"queryid", I8},
      {"query", T},
      {"calls", I8},
      {"total_exec_time", F8},
      {"mean_exec_time", F8},
      {"rows", I8}}},
    {"pg_catalog",
     "pg_stat_activity",
     {{"datname", T}, {"pid", I4}, {"application_name", T}, {"state", T}, {"query", T}}},
    /* strata's own: one row per column of a table whose access method stores
     * columns (TableAm.storage_info: the column store), for \d+ and psql */
    {"pg_catalog",
     "strata_column_storage",
     {{"schemaname", T},
      {"relname", T},
      {"attname", T},
      {"attnum", I4},
      {"row_groups", I8},
      {"buffered_rows", I8},
      {"encodings", T},
      {"compressed_bytes", I8},
      {"raw_bytes", I8}}},
    /* oid is the method's name: pg_class.relam holds that name */
    {"pg_catalog", "pg_am", {{"oid", T}, {"amname", T}, {"amtype", T}}},
    {"pg_catalog", "pg_attrdef", {{"oid", OID}, {"adrelid", OID}, {"adnum", I4}, {"adbin", T}}},
    {"pg_catalog", "pg_collation", {{"oid", OID}, {"collname", T}}},
    /* one row per PRIMARY KEY / UNIQUE / FOREIGN KEY / CHECK constraint; oid from
     * catalog_constraint_oid, definition from catalog_constraint_def */
    {"pg_catalog",
     "pg_constraint",
     {{"oid", OID},
      {"conname", T},
      {"connamespace", OID},
      {"contype", T},
      {"condeferrable", B},
      {"condeferred", B},
      {"convalidated", B},
      {"conrelid", OID},
      {"conindid", OID},
      {"confrelid", OID},
      {"conparentid", OID},
      {"conkey", TYPE_INT2_ARRAY},
      {"confkey", TYPE_INT2_ARRAY},
      {"confupdtype", T},
      {"confdeltype", T},
      {"confmatchtype", T},
      {"conislocal", B},
      {"connoinherit", B},
      {"contypid", OID}}},
    /* no rows: strata has no row-level security, publications,
     * statistics objects or triggers; psql's \d reads them */
    {"pg_catalog",
     "pg_policy",
     {{"oid", OID},
      {"polname", T},
      {"polrelid", OID},
      {"polcmd", T},
      {"polpermissive", B},
      {"polroles", TYPE_INT8_ARRAY},
      {"polqual", T},
      {"polwithcheck", T}}},
    {"pg_catalog",
     "pg_statistic_ext",
     {{"oid", OID},
      {"stxrelid", OID},
      {"stxname", T},
      {"stxnamespace", OID},
      {"stxkind", TYPE_TEXT_ARRAY},
      {"stxstattarget", I4}}},
    {"pg_catalog", "pg_publication", {{"oid", OID}, {"pubname", T}, {"puballtables", B}}},
    {"pg_catalog", "pg_publication_namespace", {{"oid", OID}, {"pnpubid", OID}, {"pnnspid", OID}}},
    {"pg_catalog",
     "pg_publication_rel",
     {{"oid", OID}, {"prpubid", OID}, {"prrelid", OID}, {"prqual", T}, {"prattrs", TYPE_INT2_ARRAY}}},
    {"pg_catalog",
     "pg_inherits",
     {{"inhrelid", OID}, {"inhparent", OID}, {"inhseqno", I4}, {"inhdetachpending", B}}},
    {"pg_catalog",
     "pg_partitioned_table",
     {{"partrelid", OID}, {"partstrat", T}, {"partnatts", I4}, {"partdefid", OID}, {"partattrs", T}}},
    /* role memberships (GRANT role TO role), PostgreSQL 16's columns */
    {"pg_catalog",
     "pg_auth_members",
     {{"oid", OID}, {"roleid", OID}, {"member", OID}, {"grantor", OID}, {"admin_option", B},
      {"inherit_option", B}, {"set_option", B}}},
    {"pg_catalog",
     "pg_trigger",
     {{"oid", OID},
      {"tgrelid", OID},
      {"tgname", T},
      {"tgenabled", T},
      {"tgisinternal", B},
      {"tgparentid", OID}}},
    /* psql's \d SEQUENCE; seqtypid follows the owning column's type */
    {"pg_catalog",
     "pg_sequence",
     {{"seqrelid", OID},
      {"seqtypid", OID},
      {"seqstart", I8},
      {"seqincrement", I8},
      {"seqmax", I8},
      {"seqmin", I8},
      {"seqcache", I8},
      {"seqcycle", B}}},
    /* the dependencies psql reads: a serial or identity sequence on its column */
    {"pg_catalog",
     "pg_depend",
     {{"classid", OID},
      {"objid", OID},
      {"objsubid", I4},
      {"refclassid", OID},
      {"refobjid", OID},
      {"refobjsubid", I4},
      {"deptype", T}}},
    /* the built-in functions (psql's \df): oid = PG_PROC_OID_BASE + registry index */
    {"pg_catalog",
     "pg_proc",
     {{"oid", OID},
      {"proname", T},
      {"pronamespace", OID},
      {"prokind", T},
      {"pronargs", I4},
      {"prorettype", OID},
      {"proretset", B},
      {"provolatile", T},
      {"proisstrict", B},
      {"proargtypes", TYPE_OIDVECTOR}}},
    /* no rows: strata keeps no comments (COMMENT ON); ORMs' reflection joins it */
    {"pg_catalog",
     "pg_description",
     {{"objoid", OID}, {"classoid", OID}, {"objsubid", I4}, {"description", T}}},
    /* no rows: strata has no range types; asyncpg's type introspection joins it */
    {"pg_catalog",
     "pg_range",
     {{"rngtypid", OID}, {"rngsubtype", OID}, {"rngmultitypid", OID}, {"rngcollation", OID},
      {"rngsubopc", OID}}},
    /* the labels of the enum types (CREATE TYPE ... AS ENUM) */
    {"pg_catalog",
     "pg_enum",
     {{"oid", OID}, {"enumtypid", OID}, {"enumsortorder", F8}, {"enumlabel", T}}},
    {"pg_catalog",
     "pg_matviews",
     {{"schemaname", T},
      {"matviewname", T},
      {"matviewowner", T},
      {"tablespace", T},
      {"hasindexes", B},
      {"ispopulated", B},
      {"definition", T}}},
    /* strata's own: the storage engine's counters since the database was
     * opened by this process (PagerStats; docs/storage.md), one row */
    {"pg_catalog",
     "strata_stat_storage",
     {{"cache_hits", I8},
      {"cache_misses", I8},
      {"commits", I8},
      {"wal_syncs", I8},
      {"wal_frames", I8},
      {"spilled_pages", I8},
      {"checkpoints", I8},
      {"background_checkpoints", I8},
      {"wal_restarts", I8},
      {"locked_copies", I8},
      {"held_copies", I8},
      {"restarts_beside_writer", I8},
      {"stale_checkpoint_requests", I8},
      {"stale_wal_discards", I8},
      {"speculative_begins", I8},
      {"speculative_kept", I8},
      {"speculative_restarts", I8},
      {"speculative_conflicts", I8}}},
};

#undef T
#undef I8
#undef OID
#undef I4
#undef B
#undef F8

#define VIEW_COUNT ((int)(sizeof(views) / sizeof(views[0])))

int cat_sysview_count(void)
{
    return VIEW_COUNT;
}

const char *sysview_schema(uint64_t id)
{
    if (id < CAT_ID_FIRST_VIRTUAL || id >= CAT_ID_FIRST_VIRTUAL + (uint64_t)VIEW_COUNT) {
        return NULL;
    }
    return views[id - CAT_ID_FIRST_VIRTUAL].schema;
}

/* As PostgreSQL's initdb grants: PUBLIC may read every system view but pg_authid
 * (whose passwords only superusers see), so has_table_privilege and
 * has_column_privilege answer from this ACL, as for any table. */
static const CatAclItem public_select = {.grantee = 0,
                                         .grantor = CAT_ID_BOOTSTRAP_ROLE,
                                         .privileges = CAT_PRIV_SELECT,
                                         .grant_options = 0};

int cat_sysview_build(Arena *a, const CatTable **tables)
{
    sysview_register_am();
    for (int v = 0; v < VIEW_COUNT; v++) {
        const ViewDef *def = &views[v];
        int n = 0;
        while (n < (int)(sizeof(def->columns) / sizeof(def->columns[0])) && def->columns[n].name != NULL) {
            n++;
        }
        CatTable *t = arena_zalloc(a, sizeof(*t));
        CatColumn *cols = arena_zalloc(a, sizeof(CatColumn) * (size_t)n);
        if (t == NULL || cols == NULL) {
            return -1;
        }
        for (int col = 0; col < n; col++) {
            cols[col].name = def->columns[col].name;
            cols[col].type = sql_type(def->columns[col].type);
        }
        t->id = CAT_ID_FIRST_VIRTUAL + (uint64_t)v;
        t->schema = def->schema;
        t->name = def->name;
        t->kind = CAT_VIRTUAL;
        t->column_count = n;
        t->columns = cols;
        t->am_name = "virtual";
        t->acl_count = strcmp(def->name, "pg_authid") == 0 ? 0 : 1;
        t->acl = &public_select;
        if (cat_table_finish(t, a, NULL) != STRATA_OK) {
            return -1;
        }
        tables[v] = t;
    }
    return VIEW_COUNT;
}

/* ---- the virtual TableAm ---------------------------------------------------------- */

static __thread const VirtualProvider *thread_provider;

const VirtualProvider *virtual_set_provider(const VirtualProvider *p)
{
    const VirtualProvider *old = thread_provider;
    thread_provider = p;
    return old;
}

struct TableScan {
    const TableDesc *desc;
    Value *rows;
    int row_count;
    int next_row;
    int *columns;
    int column_count;
};

static int read_only(const TableDesc *desc, Error *err)
{
    return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "cannot change system view \"%s\"",
                     desc->name);
}

static int v_create(PagerTxn *txn, TableDesc *desc, Error *err)
{
    return read_only(desc, err);
}
static int v_drop(PagerTxn *txn, const TableDesc *desc, Error *err)
{
    return read_only(desc, err);
}
static int v_truncate(PagerTxn *txn, const TableDesc *desc, Error *err)
{
    return read_only(desc, err);
}

static int v_scan_begin(PagerTxn *txn, const TableDesc *desc, const ScanSpec *spec, Arena *arena,
                        TableScan **out, Error *err)
{
    if (thread_provider == NULL) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "system view \"%s\" cannot be read in this context", desc->name);
    }
    TableScan *scan = arena_zalloc(arena, sizeof(*scan));
    if (scan == NULL) {
        return arena_error(arena, err);
    }
    scan->desc = desc;
    int rc = thread_provider->rows(thread_provider->ctx, desc, arena, &scan->rows, &scan->row_count,
                                   err);
    if (rc != STRATA_OK) {
        return rc;
    }
    scan->column_count = spec->column_count;
    scan->columns = arena_memdup(
        arena, spec->columns, sizeof(int) * (size_t)(spec->column_count ? spec->column_count : 1));
    if (scan->columns == NULL) {
        return arena_error(arena, err);
    }
    *out = scan;
    return STRATA_OK;
}

static int v_scan_next(TableScan *scan, Batch *out, Error *err)
{
    batch_reset(out);
    int ncols = scan->desc->column_count;
    while (scan->next_row < scan->row_count && out->row_count < out->capacity) {
        const Value *row = &scan->rows[(size_t)scan->next_row * (size_t)ncols];
        int r = out->row_count;
        for (int k = 0; k < scan->column_count; k++) {
            const Value *v = &row[scan->columns[k]];
            if (v->is_null) {
                if (!batch_set_null(out, k, r)) {
                    return arena_error(out->arena, err);
                }
            } else if (!batch_set_value(out, k, r, v)) {
                return arena_error(out->arena, err);
            }
        }
        if (out->column_count > scan->column_count) {
            /* A row id was asked for: system views have none worth keeping. */
            Value rid = value_str(TYPE_BYTEA, "", 0);
            batch_set_value(out, scan->column_count, r, &rid);
        }
        out->row_count++;
        scan->next_row++;
    }
    return STRATA_OK;
}

static void v_scan_end(TableScan *scan)
{
    (void)scan;
}

static int v_fetch(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                   const int *columns, int column_count, bool want_row_id, Batch *out, Error *err)
{
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                     "system view \"%s\" has no row identifiers", desc->name);
}

static int v_insert(PagerTxn *txn, const TableDesc *desc, const Batch *rows, StrRef *row_ids_out,
                    Arena *arena, Error *err)
{
    return read_only(desc, err);
}

static int v_update(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids,
                    const Batch *new_rows, StrRef *new_row_ids_out, Arena *arena, Error *err)
{
    return read_only(desc, err);
}

static int v_delete(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                    Error *err)
{
    return read_only(desc, err);
}

static int v_stats(PagerTxn *txn, const TableDesc *desc, TableStats *out, Error *err)
{
    memset(out, 0, sizeof(*out));
    out->row_count = 100;
    return STRATA_OK;
}

static const TableAm virtual_am = {
    .name = "virtual",
    .create = v_create,
    .drop = v_drop,
    .truncate = v_truncate,
    .scan_begin = v_scan_begin,
    .scan_next = v_scan_next,
    .scan_end = v_scan_end,
    .fetch = v_fetch,
    .insert = v_insert,
    .update = v_update,
    .delete_rows = v_delete,
    .stats = v_stats,
};

static pthread_once_t register_once = PTHREAD_ONCE_INIT;

static void register_virtual(void)
{
    tam_register(&virtual_am);
}

void sysview_register_am(void)
{
    pthread_once(&register_once, register_virtual);
}
