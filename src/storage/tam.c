/*
 * storage/tam.c - the registries of table access methods and index methods
 * (storage/tam.h).
 *
 * Invariants
 *   1. A registered method has every required callback (asserted).
 *   2. Names are unique; registering a name again replaces the old entry
 *      (lets tests substitute a method).
 *   3. The built-in methods ("row", "btree") are registered exactly once, on
 *      the first lookup.
 *
 * Threads: registration and lookup take a mutex; built-ins via pthread_once.
 */
#include "storage/tam.h"

#include <pthread.h>
#include <string.h>

#include "storage/column/column.h"
#include "storage/row/row_am.h"
#include "util/assert.h"

enum { AM_SLOTS = 32 };

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t builtins_once = PTHREAD_ONCE_INIT;
static const TableAm *table_ams[AM_SLOTS];
static const IndexAm *index_ams[AM_SLOTS];

void tam_register(const TableAm *am)
{
    ST_ASSERT(am != NULL && am->name != NULL);
    ST_ASSERT(am->create != NULL && am->drop != NULL && am->truncate != NULL);
    ST_ASSERT(am->scan_begin != NULL && am->scan_next != NULL && am->scan_end != NULL);
    ST_ASSERT(am->fetch != NULL && am->insert != NULL && am->update != NULL);
    ST_ASSERT(am->delete_rows != NULL && am->stats != NULL);
    pthread_mutex_lock(&registry_lock);
    int free_slot = -1;
    for (int slot = 0; slot < AM_SLOTS; slot++) {
        if (table_ams[slot] != NULL && strcmp(table_ams[slot]->name, am->name) == 0) {
            free_slot = slot;
            break;
        }
        if (table_ams[slot] == NULL && free_slot < 0) {
            free_slot = slot;
        }
    }
    ST_ASSERT(free_slot >= 0);
    table_ams[free_slot] = am;
    pthread_mutex_unlock(&registry_lock);
}

void index_am_register(const IndexAm *am)
{
    ST_ASSERT(am != NULL && am->name != NULL);
    ST_ASSERT(am->create != NULL && am->drop != NULL && am->truncate != NULL);
    ST_ASSERT(am->insert != NULL && am->delete_entry != NULL);
    ST_ASSERT(am->scan_begin != NULL && am->scan_next != NULL && am->scan_end != NULL);
    ST_ASSERT(am->estimate != NULL);
    ST_ASSERT((am->build_begin == NULL) == (am->build_add == NULL));
    ST_ASSERT((am->build_begin == NULL) == (am->build_finish == NULL));
    pthread_mutex_lock(&registry_lock);
    int free_slot = -1;
    for (int slot = 0; slot < AM_SLOTS; slot++) {
        if (index_ams[slot] != NULL && strcmp(index_ams[slot]->name, am->name) == 0) {
            free_slot = slot;
            break;
        }
        if (index_ams[slot] == NULL && free_slot < 0) {
            free_slot = slot;
        }
    }
    ST_ASSERT(free_slot >= 0);
    index_ams[free_slot] = am;
    pthread_mutex_unlock(&registry_lock);
}

static void register_builtins(void)
{
    tam_register(row_table_am());
    tam_register(column_am());
    index_am_register(btree_index_am());
}

const TableAm *tam_lookup(const char *name)
{
    pthread_once(&builtins_once, register_builtins);
    const TableAm *found = NULL;
    pthread_mutex_lock(&registry_lock);
    for (int slot = 0; slot < AM_SLOTS && found == NULL; slot++) {
        if (table_ams[slot] != NULL && strcmp(table_ams[slot]->name, name) == 0) {
            found = table_ams[slot];
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return found;
}

const IndexAm *index_am_lookup(const char *name)
{
    pthread_once(&builtins_once, register_builtins);
    const IndexAm *found = NULL;
    pthread_mutex_lock(&registry_lock);
    for (int slot = 0; slot < AM_SLOTS && found == NULL; slot++) {
        if (index_ams[slot] != NULL && strcmp(index_ams[slot]->name, name) == 0) {
            found = index_ams[slot];
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return found;
}
