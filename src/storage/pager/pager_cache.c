/*
 * storage/pager/pager_cache.c - the buffer pool: shared immutable page images
 * keyed by (pgno, version), LRU eviction of unpinned images.
 *
 * Invariants
 *   1. An entry's bytes never change after insertion; a new version of a
 *      page is a new entry, so readers on older snapshots stay correct.
 *   2. Only unpinned entries are on the LRU list and may be evicted; pinned
 *      entries may push the pool past its bound (it shrinks again on unpin).
 *   3. An invalidated entry leaves the hash at once and is freed at its
 *      last unpin.
 * Threads: every function runs under the pager mutex.
 * See src/storage/pager/README.md.
 */
#include "storage/pager/pager_int.h"
#include "util/assert.h"
#include "util/mem.h"

static uint32_t bucket_of(const Pager *pager, Pgno pgno, uint64_t version)
{
    uint64_t h = (uint64_t)pgno * 0x9e3779b97f4a7c15ULL ^ (version * 0xbf58476d1ce4e5b9ULL);
    return (uint32_t)(h >> 32) & (pager->cache_bucket_count - 1);
}

static uint32_t bucket_count_for(size_t cache_pages)
{
    uint32_t count = 64;
    while (count < cache_pages * 2 && count < (1u << 24)) {
        count *= 2;
    }
    return count;
}

int cache_init(Pager *pager)
{
    uint32_t count = bucket_count_for(pager->opts.cache_pages);
    pager->cache_buckets = mem_zalloc((size_t)count * sizeof(CacheEntry *));
    if (pager->cache_buckets == NULL) {
        return STRATA_NOMEM;
    }
    pager->cache_bucket_count = count;
    return STRATA_OK;
}

static void evict(Pager *pager);

int cache_resize(Pager *pager, size_t cache_pages)
{
    uint32_t count = bucket_count_for(cache_pages);
    if (count != pager->cache_bucket_count) {
        CacheEntry **buckets = mem_zalloc((size_t)count * sizeof(CacheEntry *));
        if (buckets == NULL) {
            return STRATA_NOMEM;
        }
        CacheEntry **old = pager->cache_buckets;
        uint32_t old_count = pager->cache_bucket_count;
        pager->cache_buckets = buckets;
        pager->cache_bucket_count = count;
        for (uint32_t bucket = 0; bucket < old_count; bucket++) {
            CacheEntry *entry = old[bucket];
            while (entry != NULL) {
                CacheEntry *next = entry->hash_next;
                uint32_t at = bucket_of(pager, entry->pgno, entry->version);
                entry->hash_next = buckets[at];
                buckets[at] = entry;
                entry = next;
            }
        }
        mem_free(old);
    }
    /* Read without the mutex by a write txn deciding whether to spill. */
    __atomic_store_n(&pager->opts.cache_pages, cache_pages, __ATOMIC_RELAXED);
    evict(pager);
    return STRATA_OK;
}

CacheEntry *cache_entry_new(Pgno pgno, uint64_t version)
{
    CacheEntry *entry = mem_zalloc(sizeof(*entry));
    if (entry == NULL) {
        return NULL;
    }
    entry->data = mem_alloc(PAGE_SIZE);
    if (entry->data == NULL) {
        mem_free(entry);
        return NULL;
    }
    entry->pgno = pgno;
    entry->version = version;
    return entry;
}

CacheEntry *cache_entry_adopt(Pgno pgno, uint8_t *data)
{
    CacheEntry *entry = mem_zalloc(sizeof(*entry));
    if (entry != NULL) {
        entry->data = data;
        entry->pgno = pgno;
    }
    return entry;
}

void cache_entry_free(CacheEntry *entry)
{
    if (entry != NULL) {
        mem_free(entry->data);
        mem_free(entry);
    }
}

static void lru_remove(Pager *pager, CacheEntry *entry)
{
    if (entry->lru_prev) {
        entry->lru_prev->lru_next = entry->lru_next;
    } else {
        pager->lru_head = entry->lru_next;
    }
    if (entry->lru_next) {
        entry->lru_next->lru_prev = entry->lru_prev;
    } else {
        pager->lru_tail = entry->lru_prev;
    }
    entry->lru_prev = entry->lru_next = NULL;
}

static void hash_remove(Pager *pager, CacheEntry *entry)
{
    CacheEntry **link = &pager->cache_buckets[bucket_of(pager, entry->pgno, entry->version)];
    while (*link != NULL) {
        if (*link == entry) {
            *link = entry->hash_next;
            break;
        }
        link = &(*link)->hash_next;
    }
    entry->is_hashed = false;
    pager->cache_entry_count--;
}

CacheEntry *cache_lookup(Pager *pager, Pgno pgno, uint64_t version)
{
    for (CacheEntry *entry = pager->cache_buckets[bucket_of(pager, pgno, version)]; entry != NULL;
         entry = entry->hash_next) {
        if (entry->pgno == pgno && entry->version == version) {
            if (entry->refcount == 0) {
                lru_remove(pager, entry);
            }
            entry->refcount++;
            pager->stats.cache_hits++;
            return entry;
        }
    }
    return NULL;
}

static void evict(Pager *pager)
{
    while (pager->cache_entry_count > pager->opts.cache_pages && pager->lru_tail != NULL) {
        CacheEntry *victim = pager->lru_tail;
        lru_remove(pager, victim);
        hash_remove(pager, victim);
        cache_entry_free(victim);
    }
}

/* Inserts a new entry, pinned once by the caller. */
void cache_insert(Pager *pager, CacheEntry *entry)
{
    uint32_t bucket = bucket_of(pager, entry->pgno, entry->version);
    entry->hash_next = pager->cache_buckets[bucket];
    pager->cache_buckets[bucket] = entry;
    entry->is_hashed = true;
    entry->refcount = 1;
    pager->cache_entry_count++;
    pager->stats.cache_misses++;
    evict(pager);
}

void cache_unpin(Pager *pager, CacheEntry *entry)
{
    ST_ASSERT(entry->refcount > 0);
    if (--entry->refcount > 0) {
        return;
    }
    if (!entry->is_hashed) {
        cache_entry_free(entry);
        return;
    }
    entry->lru_next = pager->lru_head;
    entry->lru_prev = NULL;
    if (pager->lru_head) {
        pager->lru_head->lru_prev = entry;
    } else {
        pager->lru_tail = entry;
    }
    pager->lru_head = entry;
    evict(pager);
}

void cache_invalidate(Pager *pager, Pgno pgno, uint64_t version)
{
    for (CacheEntry *entry = pager->cache_buckets[bucket_of(pager, pgno, version)]; entry != NULL;
         entry = entry->hash_next) {
        if (entry->pgno == pgno && entry->version == version) {
            hash_remove(pager, entry);
            if (entry->refcount == 0) {
                lru_remove(pager, entry);
                cache_entry_free(entry);
            }
            return;
        }
    }
}

void cache_rekey_as_file(Pager *pager, Pgno pgno, uint64_t version)
{
    CacheEntry *found = NULL;
    for (CacheEntry *entry = pager->cache_buckets[bucket_of(pager, pgno, version)]; entry != NULL;
         entry = entry->hash_next) {
        if (entry->pgno == pgno && entry->version == version) {
            found = entry;
            break;
        }
    }
    if (found == NULL) {
        return;
    }
    cache_invalidate(pager, pgno, 0);
    hash_remove(pager, found);
    found->version = 0;
    uint32_t bucket = bucket_of(pager, pgno, 0);
    found->hash_next = pager->cache_buckets[bucket];
    pager->cache_buckets[bucket] = found;
    found->is_hashed = true;
    pager->cache_entry_count++;
}

void cache_free(Pager *pager)
{
    for (uint32_t bucket = 0; bucket < pager->cache_bucket_count; bucket++) {
        CacheEntry *entry = pager->cache_buckets[bucket];
        while (entry != NULL) {
            CacheEntry *next = entry->hash_next;
            cache_entry_free(entry);
            entry = next;
        }
    }
    mem_free(pager->cache_buckets);
    pager->cache_buckets = NULL;
}
