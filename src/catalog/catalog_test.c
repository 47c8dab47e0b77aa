/*
 * catalog/catalog_test.c - unit tests of the catalog: the record codec (round
 * trip, corrupt input), snapshots and lookups, the system table store through
 * the pager and the row TableAm (bootstrap, edit, commit, rollback, reload),
 * sequences, foreign-key reverse lookups and the system views.
 */
#include <string.h>

#include "catalog/catalog_int.h"
#include "catalog/edit.h"
#include "catalog/sysview.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static CatTable *sample_table(Arena *a, uint64_t id, const char *name)
{
    CatTable *t = arena_zalloc(a, sizeof(*t));
    CatColumn *cols = arena_zalloc(a, sizeof(CatColumn) * 3);
    cols[0].name = "id";
    cols[0].type = sql_type(TYPE_INT4);
    cols[0].not_null = true;
    cols[0].identity = CAT_IDENTITY_SERIAL;
    cols[0].sequence_name = "t_id_seq";
    cols[0].default_sql = "nextval('t_id_seq'::regclass)";
    cols[1].name = "name";
    cols[1].type = sql_type_mod(TYPE_VARCHAR, 20);
    cols[2].name = "price";
    cols[2].type = sql_type_mod(TYPE_NUMERIC, (10 << 16) | 2);
    cols[2].default_sql = "0";
    static int pk[1] = {0};
    static int key1[1] = {1};
    static SqlType pk_types[1] = {{TYPE_INT4, -1}};
    static SqlType name_types[1] = {{TYPE_VARCHAR, 20}};
    static bool flags[2] = {false, false};
    CatIndex *pkey = arena_zalloc(a, sizeof(CatIndex));
    pkey->id = id + 1;
    pkey->name = "t_pkey";
    pkey->key_count = 1;
    pkey->key_columns = pk;
    pkey->key_types = pk_types;
    pkey->key_descending = flags;
    pkey->key_nulls_first = flags + 1;
    pkey->unique = true;
    pkey->primary = true;
    pkey->am_name = "btree";
    CatIndex *byname = arena_zalloc(a, sizeof(CatIndex));
    byname->id = id + 2;
    byname->name = "t_name_idx";
    byname->key_count = 1;
    byname->key_columns = key1;
    byname->key_types = name_types;
    byname->key_descending = flags;
    byname->key_nulls_first = flags + 1;
    byname->predicate_sql = "price > 0";
    byname->am_name = "btree";
    byname->desc.storage_root = 77;
    const CatIndex **idx = arena_alloc(a, sizeof(void *) * 2);
    idx[0] = pkey;
    idx[1] = byname;
    CatConstraint *cons = arena_zalloc(a, sizeof(CatConstraint) * 2);
    cons[0].name = "t_pkey";
    cons[0].kind = CAT_CONSTRAINT_PRIMARY;
    cons[0].column_count = 1;
    cons[0].columns = pk;
    cons[0].index_id = id + 1;
    cons[1].name = "t_price_check";
    cons[1].kind = CAT_CONSTRAINT_CHECK;
    cons[1].check_sql = "price >= 0";
    t->id = id;
    t->schema = "public";
    t->name = name;
    t->kind = CAT_TABLE;
    t->column_count = 3;
    t->columns = cols;
    t->pkey_count = 1;
    t->pkey_columns = pk;
    t->index_count = 2;
    t->indexes = idx;
    t->constraint_count = 2;
    t->constraints = cons;
    t->am_name = "row";
    t->desc.storage_root = 42;
    return t;
}

static void test_codec_round_trip(void)
{
    Arena *a = arena_create(NULL, 0, "test");
    CatTable *t = sample_table(a, 20000, "t");
    CatStats *st = arena_zalloc(a, sizeof(CatStats));
    CatColumnStats *cs = arena_zalloc(a, sizeof(CatColumnStats) * 3);
    Value *hist = arena_zalloc(a, sizeof(Value) * 2);
    hist[0] = value_i64(TYPE_INT4, 1);
    hist[1] = value_str(TYPE_TEXT, "zz", 2);
    cs[0].distinct_count = 10;
    cs[0].null_fraction = 0.25;
    cs[0].histogram_count = 2;
    cs[0].histogram = hist;
    st->row_count = 123;
    st->columns = cs;
    t->stats = st;
    size_t size;
    uint8_t *data = cat_encode_table(t, a, &size);
    REQUIRE(data != NULL);
    CatTable *back;
    Error err;
    error_clear(&err);
    REQUIRE(cat_decode_table(data, size, a, &back, &err) == STRATA_OK);
    CHECK_EQ_INT(back->id, 20000);
    CHECK_EQ_STR(back->name, "t");
    CHECK_EQ_INT(back->column_count, 3);
    CHECK_EQ_STR(back->columns[1].name, "name");
    CHECK_EQ_INT(back->columns[1].type.typmod, 20);
    CHECK_EQ_STR(back->columns[0].default_sql, "nextval('t_id_seq'::regclass)");
    CHECK(back->columns[1].default_sql == NULL);
    CHECK_EQ_INT(back->index_count, 2);
    CHECK_EQ_STR(back->indexes[1]->predicate_sql, "price > 0");
    CHECK_EQ_INT(back->indexes[1]->desc.storage_root, 77);
    CHECK(back->indexes[0]->primary);
    CHECK_EQ_INT(back->constraint_count, 2);
    CHECK_EQ_STR(back->constraints[1].check_sql, "price >= 0");
    REQUIRE(back->stats != NULL);
    CHECK_EQ_INT(back->stats->row_count, 123);
    CHECK_EQ_INT(back->stats->columns[0].histogram_count, 2);
    CHECK_EQ_INT(back->stats->columns[0].histogram[1].str.len, 2);
    CHECK(memcmp(back->stats->columns[0].histogram[1].str.ptr, "zz", 2) == 0);
    CHECK_EQ_INT(back->desc.storage_root, 42);
    /* Every truncation of the record is rejected with XX001, never a crash. */
    int rejected = 0;
    for (size_t cut = 0; cut < size; cut++) {
        error_clear(&err);
        rejected += cat_decode_table(data, cut, a, &back, &err) == STRATA_CORRUPT;
    }
    CHECK_EQ_INT(rejected, (int)size);
    /* Flipped bytes: any outcome but a crash; errors carry XX001. */
    uint64_t seed = test_seed("catalog_codec"), state = seed;
    for (int round = 0; round < 2000; round++) {
        uint8_t *copy = arena_memdup(a, data, size);
        copy[test_rand(&state) % size] ^= (uint8_t)(1 + test_rand(&state) % 255);
        error_clear(&err);
        if (cat_decode_table(copy, size, a, &back, &err) != STRATA_OK) {
            CHECK_EQ_STR(err.sqlstate, "XX001");
        }
    }
    arena_destroy(a);
}

/* A view's dependency list (trailer 6) and an enum array column survive the
 * codec; a record written without the list (a view made before it existed, as
 * by a database of an earlier version) decodes with has_deps false, the
 * caller's signal to find its dependencies in its text. */
static void test_codec_view_dependencies(void)
{
    Arena *a = arena_create(NULL, 0, "test");
    CatTable *v = sample_table(a, 20010, "v");
    CatColumn *cols = arena_memdup(a, v->columns, sizeof(CatColumn) * 3);
    cols[2].type = sql_type_mod(TYPE_ENUM_ARRAY, 16500);
    v->columns = cols;
    v->kind = CAT_VIEW;
    v->view_sql = "SELECT id FROM t";
    size_t size;
    Error err;
    error_clear(&err);
    CatTable *back;
    uint8_t *data = cat_encode_table(v, a, &size);
    REQUIRE(cat_decode_table(data, size, a, &back, &err) == STRATA_OK);
    CHECK(!back->has_deps);
    CHECK_EQ_INT(back->dep_count, 0);
    CHECK_EQ_INT(back->columns[2].type.id, TYPE_ENUM_ARRAY);
    CHECK_EQ_INT(back->columns[2].type.typmod, 16500);
    static const CatDependency deps[3] = {{.object_id = 20000},
                                          {.object_id = 20000, .column = "id"},
                                          {.object_id = 16500, .is_type = true}};
    v->has_deps = true;
    v->deps = deps;
    v->dep_count = 3;
    data = cat_encode_table(v, a, &size);
    REQUIRE(cat_decode_table(data, size, a, &back, &err) == STRATA_OK);
    CHECK(back->has_deps);
    REQUIRE(back->dep_count == 3);
    CHECK(back->deps[0].column == NULL && !back->deps[0].is_type);
    CHECK_EQ_STR(back->deps[1].column, "id");
    CHECK_EQ_INT(back->deps[1].object_id, 20000);
    CHECK(back->deps[2].is_type);
    CHECK_EQ_INT(back->deps[2].object_id, 16500);
    /* an empty list is still a list: a view that reads nothing (SELECT 1) */
    v->dep_count = 0;
    v->deps = NULL;
    data = cat_encode_table(v, a, &size);
    REQUIRE(cat_decode_table(data, size, a, &back, &err) == STRATA_OK);
    CHECK(back->has_deps);
    /* every truncation is rejected but the one that drops the whole trailer,
     * which leaves the record of a view without a list */
    int rejected = 0;
    for (size_t cut = 0; cut < size; cut++) {
        rejected += cat_decode_table(data, cut, a, &back, &err) == STRATA_CORRUPT;
    }
    CHECK_EQ_INT(rejected, (int)size - 1);
    REQUIRE(cat_decode_table(data, size - 5, a, &back, &err) == STRATA_OK);
    CHECK(!back->has_deps);
    arena_destroy(a);
}

static void test_build_and_lookups(void)
{
    Arena *a = arena_create(NULL, 0, "test");
    CatSchema public_schema = {.id = CAT_ID_PUBLIC, .name = "public"};
    CatTable *parent = sample_table(a, 20000, "parent");
    CatTable *child = sample_table(a, 30000, "child");
    CatConstraint *cons = arena_zalloc(a, sizeof(CatConstraint) * 3);
    memcpy(cons, child->constraints, sizeof(CatConstraint) * 2);
    static int fk_cols[1] = {0};
    cons[2].name = "child_id_fkey";
    cons[2].kind = CAT_CONSTRAINT_FOREIGN;
    cons[2].column_count = 1;
    cons[2].columns = fk_cols;
    cons[2].ref_columns = fk_cols;
    cons[2].ref_table_id = 20000;
    cons[2].on_delete = CAT_FK_CASCADE;
    cons[2].on_update = CAT_FK_NO_ACTION;
    child->constraints = cons;
    child->constraint_count = 3;
    ((CatIndex *)child->indexes[1])->name = "child_name_idx";
    ((CatIndex *)child->indexes[0])->name = "child_pkey";
    CatObject objects[3];
    objects[0] = (CatObject){CAT_ID_PUBLIC, CAT_OBJ_SCHEMA, NULL, 0};
    objects[0].data = cat_encode_schema(&public_schema, a, &objects[0].size_bytes);
    objects[1] = (CatObject){20000, CAT_OBJ_TABLE, NULL, 0};
    objects[1].data = cat_encode_table(parent, a, &objects[1].size_bytes);
    objects[2] = (CatObject){30000, CAT_OBJ_TABLE, NULL, 0};
    objects[2].data = cat_encode_table(child, a, &objects[2].size_bytes);
    Catalog *c;
    Error err;
    error_clear(&err);
    REQUIRE(catalog_build(objects, 3, 5, &c, &err) == STRATA_OK);
    const CatTable *t = catalog_find_table(c, NULL, "parent");
    REQUIRE(t != NULL);
    CHECK_EQ_INT(t->id, 20000);
    CHECK(catalog_find_table(c, "public", "child") != NULL);
    CHECK(catalog_find_table(c, "other", "child") == NULL);
    CHECK(catalog_table_by_id(c, 30000) != NULL);
    const CatTable *owner = NULL;
    const CatIndex *x = catalog_find_index(c, NULL, "child_name_idx", &owner);
    REQUIRE(x != NULL);
    CHECK(owner != NULL && owner->id == 30000);
    CHECK(catalog_find_index(c, NULL, "nope", NULL) == NULL);
    const CatConstraint *const *fks;
    const CatTable *const *owners;
    int count;
    catalog_foreign_keys_referencing(c, 20000, &fks, &owners, &count);
    CHECK_EQ_INT(count, 1);
    if (count == 1) {
        CHECK_EQ_STR(fks[0]->name, "child_id_fkey");
        CHECK_EQ_INT(owners[0]->id, 30000);
    }
    catalog_foreign_keys_referencing(c, 30000, &fks, &owners, &count);
    CHECK_EQ_INT(count, 0);
    /* System views are part of every catalog and resolve without a schema. */
    const CatTable *pg_class = catalog_find_table(c, NULL, "pg_class");
    REQUIRE(pg_class != NULL);
    CHECK_EQ_INT(pg_class->kind, CAT_VIRTUAL);
    CHECK(pg_class->am != NULL && strcmp(pg_class->am->name, "virtual") == 0);
    CHECK(catalog_find_table(c, "information_schema", "columns") != NULL);
    CHECK(catalog_find_schema(c, "pg_catalog") != NULL);
    CHECK_EQ_INT(cat_table_column_index(t, "price"), 2);
    CHECK_EQ_INT(cat_table_column_index(t, "nope"), -1);
    /* Versions are unique per build. */
    Catalog *c2;
    REQUIRE(catalog_build(objects, 3, 5, &c2, &err) == STRATA_OK);
    CHECK(catalog_version(c) != catalog_version(c2));
    CHECK_EQ_INT(catalog_disk_version_of(c2), 5);
    catalog_retain(c);
    catalog_release(c);
    catalog_release(c);
    catalog_release(c2);
    arena_destroy(a);
}

static int open_bootstrapped(Pager **pager, Error *err)
{
    int rc = pager_open(":memory:", NULL, pager, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    PagerTxn *txn;
    rc = pager_begin(*pager, true, &txn, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!catalog_needs_bootstrap(txn)) {
        pager_rollback(txn);
        return STRATA_MISUSE;
    }
    rc = catalog_bootstrap(txn, err);
    if (rc != STRATA_OK) {
        pager_rollback(txn);
        return rc;
    }
    return pager_commit(txn, err);
}

static void test_store_edit_commit_rollback(void)
{
    Pager *pager;
    Error err;
    error_clear(&err);
    REQUIRE(open_bootstrapped(&pager, &err) == STRATA_OK);
    PagerTxn *txn;
    Catalog *base;
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    REQUIRE(catalog_load(txn, &base, &err) == STRATA_OK);
    CHECK_EQ_INT(catalog_disk_version(txn), 1);
    pager_rollback(txn);
    CHECK(catalog_find_schema(base, "public") != NULL);
    CHECK(catalog_find_table(base, NULL, "t") == NULL);

    /* An edit that commits. */
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CatalogEdit *e;
    REQUIRE(catalog_edit_begin(base, txn, &e, &err) == STRATA_OK);
    uint64_t id;
    REQUIRE(catalog_edit_new_id(e, &id, &err) == STRATA_OK);
    CHECK(id >= CAT_FIRST_USER_ID);
    CatTable *t = sample_table(catalog_edit_arena(e), id, "t");
    ((CatIndex *)t->indexes[1])->desc.storage_root = 0;
    REQUIRE(catalog_edit_finish_table(e, t, &err) == STRATA_OK);
    REQUIRE(t->am != NULL);
    REQUIRE(tam_create(t->am, txn, &t->desc, &err) == STRATA_OK);
    REQUIRE(catalog_edit_put_table(e, t, &err) == STRATA_OK);
    uint64_t root = t->desc.storage_root; /* t lives in the edit's arena */
    CHECK(root != 0);
    CatSequence seq = {.schema = "public",
                       .name = "t_id_seq",
                       .start = 1,
                       .increment = 1,
                       .min_value = 1,
                       .max_value = 100,
                       .owner_table_id = id};
    REQUIRE(catalog_edit_new_id(e, &seq.id, &err) == STRATA_OK);
    REQUIRE(catalog_edit_put_sequence(e, &seq, &err) == STRATA_OK);
    Catalog *next;
    REQUIRE(catalog_edit_commit(e, &next, &err) == STRATA_OK);
    const CatSequence *s = catalog_find_sequence(next, NULL, "t_id_seq");
    REQUIRE(s != NULL);
    int64_t v = 0;
    REQUIRE(catalog_sequence_next(txn, s, &v, &err) == STRATA_OK);
    CHECK_EQ_INT(v, 1);
    REQUIRE(catalog_sequence_next(txn, s, &v, &err) == STRATA_OK);
    CHECK_EQ_INT(v, 2);
    REQUIRE(pager_commit(txn, &err) == STRATA_OK);
    CHECK(catalog_find_table(next, NULL, "t") != NULL);

    /* Reload from disk sees the table, its storage root and the sequence value. */
    Catalog *loaded;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    REQUIRE(catalog_load(txn, &loaded, &err) == STRATA_OK);
    CHECK_EQ_INT(catalog_disk_version(txn), 2);
    CHECK_EQ_INT(catalog_disk_version_of(loaded), 2);
    const CatTable *lt = catalog_find_table(loaded, NULL, "t");
    REQUIRE(lt != NULL);
    CHECK_EQ_INT(lt->desc.storage_root, root);
    CHECK_EQ_STR(lt->constraints[1].check_sql, "price >= 0");
    s = catalog_find_sequence(loaded, NULL, "t_id_seq");
    REQUIRE(s != NULL);
    REQUIRE(catalog_sequence_next(txn, s, &v, &err) == STRATA_OK);
    CHECK_EQ_INT(v, 3);

    /* An edit that is rolled back leaves nothing behind. */
    REQUIRE(catalog_edit_begin(loaded, txn, &e, &err) == STRATA_OK);
    REQUIRE(catalog_edit_delete(e, lt->id, &err) == STRATA_OK);
    Catalog *dropped;
    REQUIRE(catalog_edit_commit(e, &dropped, &err) == STRATA_OK);
    CHECK(catalog_find_table(dropped, NULL, "t") == NULL);
    pager_rollback(txn);
    REQUIRE(pager_begin(pager, false, &txn, &err) == STRATA_OK);
    Catalog *again;
    REQUIRE(catalog_load(txn, &again, &err) == STRATA_OK);
    CHECK(catalog_find_table(again, NULL, "t") != NULL);
    s = catalog_find_sequence(again, NULL, "t_id_seq");
    bool called = false;
    REQUIRE(s != NULL);
    REQUIRE(catalog_sequence_get(txn, s, &v, &called, &err) == STRATA_OK);
    CHECK_EQ_INT(v, 2);
    CHECK(called);
    pager_rollback(txn);
    catalog_release(base);
    catalog_release(next);
    catalog_release(loaded);
    catalog_release(dropped);
    catalog_release(again);
    pager_close(pager, NULL);
}

static void test_sequence_limits(void)
{
    Pager *pager;
    Error err;
    error_clear(&err);
    REQUIRE(open_bootstrapped(&pager, &err) == STRATA_OK);
    PagerTxn *txn;
    REQUIRE(pager_begin(pager, true, &txn, &err) == STRATA_OK);
    CatSequence s = {.id = 99999,
                     .schema = "public",
                     .name = "s",
                     .start = 1,
                     .increment = 1,
                     .min_value = 1,
                     .max_value = 2};
    int64_t v;
    CHECK(catalog_sequence_next(txn, &s, &v, &err) == STRATA_OK && v == 1);
    CHECK(catalog_sequence_next(txn, &s, &v, &err) == STRATA_OK && v == 2);
    CHECK(catalog_sequence_next(txn, &s, &v, &err) == STRATA_ERROR);
    CHECK_EQ_STR(err.sqlstate, "2200H");
    s.cycle = true;
    CHECK(catalog_sequence_next(txn, &s, &v, &err) == STRATA_OK && v == 1);
    pager_rollback(txn);
    pager_close(pager, NULL);
}

static int provider_rows(void *ctx, const TableDesc *desc, Arena *a, Value **rows, int *count,
                         Error *err)
{
    Value *r = arena_zalloc(a, sizeof(Value) * (size_t)desc->column_count * 3);
    for (int row = 0; row < 3; row++) {
        for (int col = 0; col < desc->column_count; col++) {
            r[row * desc->column_count + col] = value_null(desc->column_types[col]);
        }
        r[row * desc->column_count] = value_i64(TYPE_INT8, row + 1);
    }
    *rows = r;
    *count = 3;
    return STRATA_OK;
}

static void test_virtual_am(void)
{
    Catalog *c;
    Error err;
    error_clear(&err);
    REQUIRE(catalog_build(NULL, 0, 1, &c, &err) == STRATA_OK);
    const CatTable *ns = catalog_find_table(c, NULL, "pg_namespace");
    REQUIRE(ns != NULL && ns->am != NULL);
    Arena *a = arena_create(NULL, 0, "test");
    int cols[1] = {0};
    ScanSpec spec = {.columns = cols, .column_count = 1};
    TableScan *scan;
    /* Without a provider the scan fails cleanly. */
    CHECK(tam_scan_begin(ns->am, NULL, &ns->desc, &spec, a, &scan, &err) != STRATA_OK);
    VirtualProvider p = {.rows = provider_rows};
    virtual_set_provider(&p);
    REQUIRE(tam_scan_begin(ns->am, NULL, &ns->desc, &spec, a, &scan, &err) == STRATA_OK);
    SqlType types[1] = {{TYPE_INT8, -1}};
    Batch *b = batch_create(a, types, 1, 2);
    int total = 0;
    int64_t sum = 0;
    while (tam_scan_next(ns->am, scan, b, &err) == STRATA_OK && b->row_count > 0) {
        for (int row = 0; row < b->row_count; row++) {
            sum += b->columns[0].i64[row];
        }
        total += b->row_count;
    }
    tam_scan_end(ns->am, scan);
    CHECK_EQ_INT(total, 3);
    CHECK_EQ_INT(sum, 6);
    CHECK(tam_insert(ns->am, NULL, &ns->desc, b, NULL, a, &err) != STRATA_OK);
    CHECK_EQ_STR(err.sqlstate, "42809");
    virtual_set_provider(NULL);
    arena_destroy(a);
    catalog_release(c);
}

int main(void)
{
    TEST_RUN(test_codec_round_trip);
    TEST_RUN(test_codec_view_dependencies);
    TEST_RUN(test_build_and_lookups);
    TEST_RUN(test_store_edit_commit_rollback);
    TEST_RUN(test_sequence_limits);
    TEST_RUN(test_virtual_am);
    return test_summary("catalog_test");
}
