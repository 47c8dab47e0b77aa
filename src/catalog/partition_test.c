/*
 * catalog/partition_test.c - unit tests of partition bounds
 * (catalog/partition.h): RANGE containment with MINVALUE / MAXVALUE and
 * several key columns, LIST with NULL, HASH remainders covering every key
 * once, routing with a DEFAULT partition, overlap rules, the bound text,
 * and the partitioning trailer of the catalog record (round trip).
 */
#include <string.h>

#include "catalog/catalog_int.h"
#include "catalog/partition.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static const int first_two[2] = {0, 1};

static CatPartitionBound range(Value *low, uint8_t *low_kind, Value *high, uint8_t *high_kind,
                               int count)
{
    CatPartitionBound bd = {0};
    bd.count = count;
    bd.lower = low;
    bd.lower_kind = low_kind;
    bd.upper = high;
    bd.upper_kind = high_kind;
    return bd;
}

static void test_range(void)
{
    CatPartitionKey key = {CAT_PART_RANGE, 1, first_two};
    Value low[1] = {value_i64(TYPE_INT4, 10)}, high[1] = {value_i64(TYPE_INT4, 20)};
    uint8_t plain[1] = {CAT_BOUND_VALUE}, min[1] = {CAT_BOUND_MINVALUE};
    CatPartitionBound bd = range(low, plain, high, plain, 1);
    Value row[2] = {value_i64(TYPE_INT4, 10), value_null(sql_type(TYPE_TEXT))};
    CHECK(partition_bound_contains(&key, &bd, row));
    row[0].i64 = 19;
    CHECK(partition_bound_contains(&key, &bd, row));
    row[0].i64 = 20;
    CHECK(!partition_bound_contains(&key, &bd, row)); /* upper bound excluded */
    row[0] = value_null(sql_type(TYPE_INT4));
    CHECK(!partition_bound_contains(&key, &bd, row)); /* NULL fits no range */
    CatPartitionBound below = range(low, min, low, plain, 1);
    row[0] = value_i64(TYPE_INT4, -1000000);
    CHECK(partition_bound_contains(&key, &below, row));
    CHECK(!partition_bounds_overlap(&key, &below, &bd)); /* [MIN, 10) and [10, 20) touch */
    Value mid[1] = {value_i64(TYPE_INT4, 15)};
    CatPartitionBound inside = range(mid, plain, high, plain, 1);
    CHECK(partition_bounds_overlap(&key, &inside, &bd));
    Arena *a = arena_create(NULL, 0, "test");
    CHECK_EQ_STR(partition_bound_text(&below, a), "FOR VALUES FROM (MINVALUE) TO (10)");
    arena_destroy(a);
}

static void test_range_two_columns(void)
{
    CatPartitionKey key = {CAT_PART_RANGE, 2, first_two};
    Value low[2] = {value_i64(TYPE_INT4, 1), value_i64(TYPE_INT4, 5)};
    Value high[2] = {value_i64(TYPE_INT4, 2), value_i64(TYPE_INT4, 0)};
    uint8_t plain[2] = {CAT_BOUND_VALUE, CAT_BOUND_VALUE};
    CatPartitionBound bd = range(low, plain, high, plain, 2);
    Value row[2] = {value_i64(TYPE_INT4, 1), value_i64(TYPE_INT4, 4)};
    CHECK(!partition_bound_contains(&key, &bd, row)); /* (1,4) < (1,5) */
    row[1].i64 = 99;
    CHECK(partition_bound_contains(&key, &bd, row)); /* (1,99) < (2,0) */
    row[0].i64 = 2;
    row[1].i64 = 0;
    CHECK(!partition_bound_contains(&key, &bd, row));
}

static void test_list_hash_and_route(void)
{
    CatPartitionKey key = {CAT_PART_LIST, 1, first_two};
    Value eu[2] = {value_str(TYPE_TEXT, "de", 2), value_str(TYPE_TEXT, "fr", 2)};
    Value nulls[1] = {value_null(sql_type(TYPE_TEXT))};
    CatPartitionBound b_eu = {.count = 2, .values = eu};
    CatPartitionBound b_null = {.count = 1, .values = nulls};
    CatPartitionBound b_default = {.is_default = true};
    CatTable parts[3] = {{0}};
    parts[0].name = "eu";
    parts[0].partition_bound = &b_eu;
    parts[1].name = "nulls";
    parts[1].partition_bound = &b_null;
    parts[2].name = "rest";
    parts[2].partition_bound = &b_default;
    const CatTable *list[3] = {&parts[0], &parts[1], &parts[2]};
    CatTable parent = {0};
    parent.partition_key = &key;
    parent.partitions = list;
    parent.partition_count = 3;
    Value row[1] = {value_str(TYPE_TEXT, "fr", 2)};
    CHECK(partition_route(&parent, row) == &parts[0]);
    row[0] = value_null(sql_type(TYPE_TEXT));
    CHECK(partition_route(&parent, row) == &parts[1]);
    row[0] = value_str(TYPE_TEXT, "jp", 2);
    CHECK(partition_route(&parent, row) == &parts[2]);
    CHECK(partition_row_fits(&parent, &parts[2], row));
    row[0] = value_str(TYPE_TEXT, "de", 2);
    CHECK(!partition_row_fits(&parent, &parts[2], row)); /* DEFAULT holds only the rest */
    CHECK(partition_bounds_overlap(&key, &b_default, &b_default));
    CHECK(!partition_bounds_overlap(&key, &b_eu, &b_null));
    /* HASH: each key in exactly one of four remainders */
    CatPartitionKey hash = {CAT_PART_HASH, 1, first_two};
    for (int64_t id = 0; id < 200; id++) {
        Value v = value_i64(TYPE_INT8, id);
        int holders = 0;
        for (int r = 0; r < 4; r++) {
            CatPartitionBound bd = {.modulus = 4, .remainder = r};
            holders += partition_bound_contains(&hash, &bd, &v);
        }
        CHECK_EQ_INT(holders, 1);
    }
    CatPartitionBound m2r1 = {.modulus = 2, .remainder = 1};
    CatPartitionBound m4r3 = {.modulus = 4, .remainder = 3};
    CatPartitionBound m4r2 = {.modulus = 4, .remainder = 2};
    CHECK(partition_bounds_overlap(&hash, &m2r1, &m4r3));
    CHECK(!partition_bounds_overlap(&hash, &m2r1, &m4r2));
}

static void test_codec_round_trip(void)
{
    Arena *a = arena_create(NULL, 0, "test");
    static const int key_columns[1] = {0};
    static CatColumn columns[1] = {{.name = "ts", .type = {TYPE_DATE, -1}}};
    CatPartitionKey key = {CAT_PART_RANGE, 1, key_columns};
    Value low[1] = {value_i64(TYPE_DATE, 100)}, high[1] = {value_null(sql_type(TYPE_DATE))};
    uint8_t low_kind[1] = {CAT_BOUND_VALUE}, high_kind[1] = {CAT_BOUND_MAXVALUE};
    CatPartitionBound bd = range(low, low_kind, high, high_kind, 1);
    CatTable t = {0};
    t.id = 20000;
    t.schema = "public";
    t.name = "p";
    t.kind = CAT_TABLE;
    t.column_count = 1;
    t.columns = columns;
    t.am_name = "row";
    t.partition_key = &key;
    t.parent_id = 19999;
    t.partition_bound = &bd;
    size_t size;
    uint8_t *data = cat_encode_table(&t, a, &size);
    REQUIRE(data != NULL);
    CatTable *back;
    Error err;
    error_clear(&err);
    REQUIRE(cat_decode_table(data, size, a, &back, &err) == STRATA_OK);
    REQUIRE(back->partition_key != NULL && back->partition_bound != NULL);
    CHECK_EQ_INT(back->partition_key->strategy, CAT_PART_RANGE);
    CHECK_EQ_INT(back->partition_key->key_columns[0], 0);
    CHECK(back->parent_id == 19999);
    CHECK_EQ_INT(back->partition_bound->upper_kind[0], CAT_BOUND_MAXVALUE);
    CHECK_EQ_INT((int)back->partition_bound->lower[0].i64, 100);
    /* a cut trailer is corrupt, never read past the record */
    CHECK(cat_decode_table(data, size - 3, a, &back, &err) != STRATA_OK);
    arena_destroy(a);
}

int main(void)
{
    TEST_RUN(test_range);
    TEST_RUN(test_range_two_columns);
    TEST_RUN(test_list_hash_and_route);
    TEST_RUN(test_codec_round_trip);
    return test_summary("partition_test");
}
