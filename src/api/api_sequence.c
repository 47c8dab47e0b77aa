/*
 * api/api_sequence.c - sequence values outside transactions.
 *
 * PostgreSQL never gives a sequence value back: nextval and setval take effect
 * at once, and a rollback (of the transaction, of a savepoint or of a failed
 * statement) does not undo them, so two transactions never see the same value
 * and a failed INSERT leaves a gap. strata stores a sequence's counter in the
 * system table, written by the transaction that calls nextval (so a committed
 * value survives a crash with the commit that used it). The Database keeps, per
 * sequence, the last value handed out or set by any transaction, committed or
 * not; nextval continues from it rather than from the stored counter. It is
 * memory only: after a restart the counter continues from the last committed
 * value, so values handed out only by transactions that never committed may
 * come again (PostgreSQL logs its sequences ahead and skips them instead).
 *
 * The entries are keyed by sequence id. Object ids come from a counter in the
 * transaction, so a rolled-back CREATE SEQUENCE gives its id back and the next
 * one may get it: every rollback first drops the entries of sequences its
 * catalog does not have (api_sequence_prune, against the newest committed catalog while the
 * rollback still holds the writer lock, or against a savepoint's). ALTER SEQUENCE ... RESTART and
 * TRUNCATE ... RESTART IDENTITY are transactional in PostgreSQL (a new relfilenode):
 * they set the counter in the transaction and forget the entry, and a rollback
 * puts the entry back (api_sequence_undo_restarts). Nextval and setval run in
 * write transactions, which may run at once (a speculative one beside the
 * lock's holder, api_speculate.c): nextval reads and advances the entry in one
 * hold of db->lock (api_sequence_next), so two never get the same value.
 */
#include <stdlib.h>

#include "api/api_int.h"
#include "catalog/catalog.h"
#include "catalog/edit.h"
#include "util/mem.h"

bool api_sequence_peek(Database *db, uint64_t id, int64_t *last, bool *called)
{
    bool found = false;
    pthread_mutex_lock(&db->lock);
    for (int k = 0; k < db->sequence_count; k++) {
        if (db->sequences[k].id == id) {
            *last = db->sequences[k].last;
            *called = db->sequences[k].called;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&db->lock);
    return found;
}

static void note_locked(Database *db, uint64_t id, int64_t last, bool called);

void api_sequence_note(Database *db, uint64_t id, int64_t last, bool called)
{
    pthread_mutex_lock(&db->lock);
    note_locked(db, id, last, called);
    pthread_mutex_unlock(&db->lock);
}

int api_sequence_next(Database *db, const CatSequence *s, int64_t stored_last,
                      bool stored_called, int64_t *out, Error *err)
{
    pthread_mutex_lock(&db->lock);
    int64_t last = stored_last;
    bool called = stored_called;
    for (int k = 0; k < db->sequence_count; k++) {
        if (db->sequences[k].id == s->id) {
            last = db->sequences[k].last;
            called = db->sequences[k].called;
            break;
        }
    }
    int rc = catalog_sequence_step(s, last, called, out, err);
    if (rc == STRATA_OK) {
        note_locked(db, s->id, *out, true);
    }
    pthread_mutex_unlock(&db->lock);
    return rc;
}

static void note_locked(Database *db, uint64_t id, int64_t last, bool called)
{
    int k = 0;
    while (k < db->sequence_count && db->sequences[k].id != id) {
        k++;
    }
    if (k == db->sequence_capacity) {
        int cap = db->sequence_capacity ? db->sequence_capacity * 2 : 8;
        SequenceHigh *grown = mem_realloc(db->sequences, sizeof(*grown) * (size_t)cap);
        if (grown == NULL) {
            /* Without the entry the counter follows the transaction: a rollback
             * would give values back, never hand one out twice to committers. */
            return;
        }
        db->sequences = grown;
        db->sequence_capacity = cap;
    }
    db->sequences[k] = (SequenceHigh){.id = id, .last = last, .called = called};
    if (k == db->sequence_count) {
        db->sequence_count++;
    }
}

void api_sequence_forget(Database *db, uint64_t id)
{
    pthread_mutex_lock(&db->lock);
    for (int k = 0; k < db->sequence_count; k++) {
        if (db->sequences[k].id == id) {
            db->sequences[k] = db->sequences[--db->sequence_count];
            break;
        }
    }
    pthread_mutex_unlock(&db->lock);
}

static bool catalog_has_sequence(const Catalog *c, uint64_t id)
{
    for (int q = 0; q < catalog_sequence_count(c); q++) {
        if (catalog_sequence_at(c, q)->id == id) {
            return true;
        }
    }
    return false;
}

void api_sequence_prune(Database *db, const Catalog *c)
{
    pthread_mutex_lock(&db->lock);
    if (c == NULL) {
        c = db->current;
    }
    for (int k = 0; k < db->sequence_count;) {
        if (catalog_has_sequence(c, db->sequences[k].id)) {
            k++;
        } else {
            db->sequences[k] = db->sequences[--db->sequence_count];
        }
    }
    pthread_mutex_unlock(&db->lock);
}

void api_sequence_restart(strata_db *conn, uint64_t id)
{
    if (conn->seq_restart_count == conn->seq_restart_capacity) {
        int cap = conn->seq_restart_capacity ? conn->seq_restart_capacity * 2 : 4;
        SequenceRestart *grown = mem_realloc(conn->seq_restarts, sizeof(*grown) * (size_t)cap);
        if (grown == NULL) {
            api_sequence_forget(conn->db, id); /* a rollback then gives values back */
            return;
        }
        conn->seq_restarts = grown;
        conn->seq_restart_capacity = cap;
    }
    SequenceRestart *r = &conn->seq_restarts[conn->seq_restart_count++];
    r->before.id = id;
    r->had_before = api_sequence_peek(conn->db, id, &r->before.last, &r->before.called);
    r->depth = conn->savepoint_count;
    api_sequence_forget(conn->db, id);
}

void api_sequence_undo_restarts(strata_db *conn, int depth)
{
    while (conn->seq_restart_count > 0 && conn->seq_restarts[conn->seq_restart_count - 1].depth > depth) {
        const SequenceRestart *r = &conn->seq_restarts[--conn->seq_restart_count];
        if (r->had_before) {
            api_sequence_note(conn->db, r->before.id, r->before.last, r->before.called);
        } else {
            api_sequence_forget(conn->db, r->before.id);
        }
    }
}

void api_sequence_end_txn(strata_db *conn)
{
    conn->seq_restart_count = 0;
}
