/*
 * util/arena_test.c - arenas: lifetimes, budgets, sticky failure.
 */
#include "util/arena.h"
#include "util/test.h"

TEST_MAIN_GLOBALS

static void test_alloc_and_reset(void)
{
    Arena *arena = arena_create(NULL, 0, "test");
    REQUIRE(arena != NULL);
    for (int round = 0; round < 3; round++) {
        for (int n = 0; n < 10000; n++) {
            int *value = arena_alloc(arena, sizeof(int) * (size_t)(n % 50 + 1));
            REQUIRE(value != NULL);
            CHECK(((uintptr_t)value & 15) == 0);
            value[0] = n;
        }
        CHECK(arena_used_bytes(arena) > 0);
        arena_reset(arena);
    }
    char *text = arena_sprintf(arena, "%s-%d", "abc", 42);
    CHECK_EQ_STR(text, "abc-42");
    arena_destroy(arena);
}

static void test_budget_is_sticky_and_inherited(void)
{
    Arena *parent = arena_create(NULL, 64 * 1024, "parent");
    Arena *child = arena_create(parent, 0, "child");
    void *ptr = NULL;
    int allocations = 0;
    while ((ptr = arena_alloc(child, 1000)) != NULL) {
        allocations++;
        REQUIRE(allocations < 1000);
    }
    CHECK(arena_failed(child));
    CHECK(arena_used_bytes(parent) <= 64 * 1024);
    Error err;
    CHECK_EQ_INT(arena_error(child, &err), STRATA_NOMEM);
    CHECK_EQ_STR(err.sqlstate, "53200");
    arena_destroy(child);
    CHECK_EQ_INT(arena_used_bytes(parent), 0);
    arena_destroy(parent);
}

static void test_realloc_grows_in_place(void)
{
    Arena *arena = arena_create(NULL, 0, "realloc");
    char *buf = arena_alloc(arena, 16);
    memcpy(buf, "hello", 6);
    char *grown = arena_realloc(arena, buf, 16, 64);
    CHECK(grown == buf);
    CHECK_EQ_STR(grown, "hello");
    char *big = arena_realloc(arena, grown, 64, 100000);
    CHECK_EQ_STR(big, "hello");
    arena_destroy(arena);
}

/* arena_reset_keep: blocks stay charged and are reused for the same sizes;
 * arena_reset and arena_destroy release them. */
static void test_reset_keep_reuses_blocks(void)
{
    Arena *parent = arena_create(NULL, 0, "parent");
    Arena *arena = arena_create(parent, 0, "keep");
    REQUIRE(arena != NULL);
    unsigned char *first = arena_alloc(arena, 512 * 1024);
    REQUIRE(first != NULL);
    memset(first, 7, 512 * 1024);
    REQUIRE(arena_alloc(arena, 100) != NULL);
    size_t charged = arena_used_bytes(parent);
    CHECK(charged >= 512 * 1024);
    for (int round = 0; round < 5; round++) {
        arena_reset_keep(arena);
        CHECK_EQ_INT(arena_used_bytes(parent), charged); /* nothing freed, nothing new */
        unsigned char *again = arena_alloc(arena, 512 * 1024);
        REQUIRE(again != NULL);
        CHECK(again == first); /* the kept block, not a new malloc */
        int *small = arena_alloc(arena, 100);
        REQUIRE(small != NULL);
        small[0] = round;
        CHECK(!arena_failed(arena));
    }
    /* A request of another size still works (a new block beside the spares). */
    arena_reset_keep(arena);
    CHECK(arena_alloc(arena, 4 * 1024 * 1024) != NULL);
    CHECK(arena_used_bytes(parent) > charged);
    /* Blocks not reused between two arena_reset_keep calls are freed by the second. */
    arena_reset_keep(arena);
    CHECK(arena_used_bytes(parent) > charged);
    arena_reset_keep(arena);
    CHECK_EQ_INT(arena_used_bytes(parent), 0);
    CHECK(arena_alloc(arena, 512 * 1024) != NULL);
    arena_reset(arena);
    CHECK(arena_used_bytes(parent) < 512 * 1024); /* the spares are freed */
    arena_reset_keep(arena);
    CHECK(arena_alloc(arena, 300 * 1024) != NULL);
    arena_destroy(arena);
    CHECK_EQ_INT(arena_used_bytes(parent), 0);
    arena_destroy(parent);
}

/* A block of its own of a few MiB (a join's build arrays) goes to the block
 * cache when its arena is destroyed, and the next such request takes it back:
 * given back to malloc, the next statement page-faulted it in again. */
static void test_cache_keeps_large_blocks(void)
{
#if !defined(__SANITIZE_ADDRESS__)
    Arena *arena = arena_create(NULL, 0, "build");
    REQUIRE(arena != NULL);
    unsigned char *keys = arena_alloc(arena, 8 * 1000 * 1000);
    REQUIRE(keys != NULL);
    memset(keys, 1, 8 * 1000 * 1000);
    size_t before = arena_cache_bytes();
    arena_destroy(arena);
    CHECK(arena_cache_bytes() >= before + 8 * 1000 * 1000);
    arena = arena_create(NULL, 0, "build again");
    REQUIRE(arena != NULL);
    unsigned char *again = arena_alloc(arena, 7 * 1000 * 1000);
    REQUIRE(again != NULL);
    CHECK(arena_cache_bytes() < before + 8 * 1000 * 1000); /* taken from the cache */
    arena_destroy(arena);
#endif
}

int main(void)
{
    TEST_RUN(test_cache_keeps_large_blocks);
    TEST_RUN(test_reset_keep_reuses_blocks);
    TEST_RUN(test_alloc_and_reset);
    TEST_RUN(test_budget_is_sticky_and_inherited);
    TEST_RUN(test_realloc_grows_in_place);
    return test_summary("arena_test");
}
