/*
 * api/api_speculate.c - speculative write transactions: several clients'
 * transaction blocks write at once, and each commits as if it had run alone.
 *
 * strata has one writer at a time (the pager's writer lock). A transaction
 * block that holds the lock from its first write to its COMMIT holds it across
 * its client's round trips, and every other writer waits that long: over the
 * wire a TPC-B transaction holds it for five round trips, so two clients ran
 * no faster than one. Instead, a block whose first write finds the lock busy
 * begins speculatively (pager_begin_write_or_speculate): it reads the newest
 * commit and writes private pages without the lock, and this log keeps each
 * statement it runs with a digest of what its client was sent (the rows it
 * stepped, then the command tag). At COMMIT, or before any utility statement
 * (DDL, SET, SAVEPOINT, COPY, cursors: what the log cannot run again), it
 * takes the lock (api_spec_promote):
 *   - if nothing committed since its snapshot, its pages are still of the
 *     newest commit and it goes on as an ordinary writer;
 *   - otherwise the pager discards its pages and starts it over on the newest
 *     commit, and the logged statements run again, in order, under the lock.
 *     If every one returns exactly what its client was sent, the client cannot
 *     tell this execution from the first, and this one is serial: it commits.
 *     If any differs (or fails), COMMIT fails with 40001 and nothing of the
 *     transaction remains, as a serializable transaction's would.
 * A blind update (balance = balance + 1) returns the same row count on any
 * snapshot, so concurrent transfers that touch the same row both commit.
 *
 * nextval: a replay takes new values (its rows must follow those of the
 * transactions that committed before it, as in a serial execution), so a
 * statement that returned a sequence value to its client (INSERT ...
 * RETURNING id) conflicts when replayed: 40001, and the client retries.
 * What a replay does not reproduce: volatile functions'
 * values not sent (random(), clock_timestamp(): the replay's values are the
 * ones stored, which a serial execution could have produced too), and the
 * statistics of pg_stat_statements (replays count as executions). now() is the
 * transaction's start, the same for both runs. Digests hash values as
 * hash joins compare them (value_hash: 1.0 and 1.00 are equal).
 */
#include <string.h>

#include "api/api_int.h"
#include "storage/pager/pager.h"
#include "types/compare.h"
#include "types/numeric.h"
#include "util/checksum.h"
#include "util/mem.h"

enum {
    SPEC_MAX_STATEMENTS = 4096,       /* past this the log gives up (a restart then fails) */
    SPEC_MAX_LOG_BYTES = 16u << 20,   /* text and parameters kept */
};

#define SPEC_SEED 0x5350454355ULL

void api_spec_start(strata_db *conn)
{
    SpecLog *log = &conn->spec;
    api_spec_end(conn);
    log->is_active = true;
}

void api_spec_end(strata_db *conn)
{
    SpecLog *log = &conn->spec;
    if (log->arena != NULL) {
        arena_destroy(log->arena);
    }
    mem_free(log->items);
    uint64_t generation = log->generation + 1;
    memset(log, 0, sizeof(*log));
    log->generation = generation;
}

static SpecStatement *slot_of(strata_stmt *stmt)
{
    SpecLog *log = &stmt->conn->spec;
    if (stmt->spec_slot < 0 || stmt->spec_generation != log->generation ||
        stmt->spec_slot >= log->count) {
        return NULL;
    }
    return &log->items[stmt->spec_slot];
}

/* A copy of v whose bytes live in a. */
static bool copy_value(Arena *a, const Value *v, Value *out)
{
    *out = *v;
    if (v->is_null) {
        return true;
    }
    PhysKind phys = type_phys(v->type.id);
    if (phys == PHYS_STRING && v->str.len > 0) {
        char *bytes = arena_alloc(a, v->str.len);
        if (bytes == NULL) {
            return false;
        }
        memcpy(bytes, v->str.ptr, v->str.len);
        out->str.ptr = bytes;
    } else if (phys == PHYS_DECIMAL && numeric_is_big(&v->dec) && v->dec.big.len > 0) {
        uint8_t *mag = arena_alloc(a, v->dec.big.len);
        if (mag == NULL) {
            return false;
        }
        memcpy(mag, v->dec.big.mag, v->dec.big.len);
        out->dec.big.mag = mag;
    }
    return true;
}

static bool log_statement(SpecLog *log, strata_stmt *stmt, SpecStatement *out)
{
    if (log->count >= SPEC_MAX_STATEMENTS) {
        return false;
    }
    if (log->arena == NULL) {
        log->arena = arena_create(NULL, 0, "speculative log");
        if (log->arena == NULL) {
            return false;
        }
    }
    if (arena_used_bytes(log->arena) > SPEC_MAX_LOG_BYTES) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    char *sql = arena_alloc(log->arena, stmt->sql_length + 1);
    if (sql == NULL) {
        return false;
    }
    memcpy(sql, stmt->sql, stmt->sql_length);
    sql[stmt->sql_length] = '\0';
    out->sql = sql;
    out->sql_length = stmt->sql_length;
    /* EXECUTE runs again by name with its own arguments: its parameters are
     * not the client's. */
    int count = stmt->kind == STMT_EXECUTE ? 0 : stmt->env.param_count;
    if (count > 0) {
        out->params = arena_alloc(log->arena, sizeof(Value) * (size_t)count);
        if (out->params == NULL) {
            return false;
        }
        for (int k = 0; k < count; k++) {
            if (!copy_value(log->arena, &stmt->params[k], &out->params[k])) {
                return false;
            }
        }
    }
    out->param_count = count;
    out->digest = SPEC_SEED;
    out->is_open = true;
    return true;
}

void api_spec_log(strata_stmt *stmt)
{
    strata_db *conn = stmt->conn;
    SpecLog *log = &conn->spec;
    stmt->spec_slot = -1;
    if (!log->is_active || log->is_unreplayable) {
        return;
    }
    if (log->count == log->capacity) {
        int capacity = log->capacity ? log->capacity * 2 : 8;
        SpecStatement *grown = mem_realloc(log->items, sizeof(*grown) * (size_t)capacity);
        if (grown == NULL) {
            log->is_unreplayable = true;
            return;
        }
        log->items = grown;
        log->capacity = capacity;
    }
    if (!log_statement(log, stmt, &log->items[log->count])) {
        log->is_unreplayable = true;
        return;
    }
    stmt->spec_slot = log->count++;
    stmt->spec_generation = log->generation;
    log->open_count++;
}

/* The digest of the row stmt is on, folded into h. */
static uint64_t fold_row(strata_stmt *stmt, uint64_t h)
{
    int columns = strata_column_count(stmt);
    h = hash_combine(h, (uint64_t)columns);
    for (int col = 0; col < columns; col++) {
        Value v;
        if (!api_stmt_current_value(stmt, col, &v)) {
            h = hash_combine(h, 0x6e6f6e65ULL);
            continue;
        }
        h = hash_combine(h, (uint64_t)v.type.id);
        h = hash_combine(h, value_hash(&v));
    }
    return h;
}

static uint64_t fold_tag(strata_stmt *stmt, uint64_t h)
{
    return hash_combine(h, checksum64(stmt->tag, strlen(stmt->tag), SPEC_SEED));
}

void api_spec_row(strata_stmt *stmt)
{
    SpecStatement *it = slot_of(stmt);
    if (it != NULL && it->is_open) {
        it->digest = fold_row(stmt, it->digest);
        it->rows++;
    }
}

void api_spec_done(strata_stmt *stmt)
{
    SpecStatement *it = slot_of(stmt);
    if (it != NULL && it->is_open) {
        it->digest = fold_tag(stmt, it->digest);
        it->is_finished = true;
    }
    api_spec_close(stmt);
}

void api_spec_close(strata_stmt *stmt)
{
    SpecStatement *it = slot_of(stmt);
    if (it != NULL && it->is_open) {
        it->is_open = false;
        stmt->conn->spec.open_count--;
    }
    stmt->spec_slot = -1;
}

/* Runs logged statement it again; true if its client would have seen the same. */
static bool replay_one(strata_db *conn, const SpecStatement *it)
{
    strata_stmt *stmt = NULL;
    if (strata_prepare(conn, it->sql, (int)it->sql_length, &stmt, NULL) != STRATA_OK ||
        stmt == NULL) {
        strata_finalize(stmt);
        return false;
    }
    bool same = true;
    for (int k = 0; k < it->param_count && same; k++) {
        same = api_stmt_bind_value(stmt, k + 1, &it->params[k]) == STRATA_OK;
    }
    uint64_t digest = SPEC_SEED, rows = 0;
    while (same && rows < it->rows) {
        if (strata_step(stmt) != STRATA_ROW) {
            same = false;
            break;
        }
        digest = fold_row(stmt, digest);
        rows++;
    }
    if (same && it->is_finished) {
        same = strata_step(stmt) == STRATA_DONE;
        if (same) {
            digest = fold_tag(stmt, digest);
        }
    }
    same = same && digest == it->digest;
    strata_finalize(stmt);
    return same;
}

static int conflict(strata_db *conn, Error *err, const char *detail, int statement)
{
    pager_count_conflict(pager_txn_pager(conn->txn));
    int rc = error_set(err, SQLSTATE_SERIALIZATION_FAILURE,
                       "could not serialize access due to concurrent update");
    if (statement > 0) {
        error_detail(err, detail, statement);
    } else {
        error_detail(err, "%s", detail);
    }
    error_hint(err, "The transaction might succeed if retried.");
    return rc;
}

/* The pager started the txn over on the newest commit: its catalog, then
 * every logged statement again. */
static int replay_log(strata_db *conn, Error *err)
{
    SpecLog *log = &conn->spec;
    const Catalog *catalog = NULL;
    int rc = api_database_catalog_for(conn->db, conn->txn, &catalog, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    catalog_release(conn->catalog);
    conn->catalog = catalog;
    log->is_active = false; /* the replays are not logged */
    int notices = conn->notice_count;
    for (int k = 0; k < log->count; k++) {
        if (!replay_one(conn, &log->items[k])) {
            api_session_truncate_notices(conn, notices);
            error_clear(&conn->err);
            return conflict(conn, err,
                            "Statement %d of the transaction returned other results when run "
                            "again after a concurrent commit.",
                            k + 1);
        }
    }
    api_session_truncate_notices(conn, notices);
    return STRATA_OK;
}

/* Whether the pager may start the txn over: a statement still running holds
 * pages of the old snapshot, and a log that lost statements cannot redo them. */
static bool may_restart(const strata_db *conn)
{
    const SpecLog *log = &conn->spec;
    return log->open_count == 0 && !log->is_unreplayable && !conn->catalog_changed;
}

int api_spec_promote(strata_db *conn, Error *err)
{
    if (conn->txn == NULL || !pager_txn_is_speculative(conn->txn)) {
        return STRATA_OK;
    }
    int rc = api_session_promote(conn, may_restart(conn), err);
    if (rc == STRATA_OK && conn->spec.restarted) {
        rc = replay_log(conn, err);
    }
    if (rc == STRATA_OK || !pager_txn_is_speculative(conn->txn)) {
        api_spec_end(conn);
    }
    return rc;
}

int api_spec_upgrade(strata_db *conn, bool may_speculate, Error *err)
{
    bool restarted = false;
    int rc;
    if (may_speculate) {
        rc = pager_promote_wait(conn->txn, 0, may_restart(conn), &restarted, err);
    } else {
        rc = api_session_promote(conn, may_restart(conn), err);
        restarted = conn->spec.restarted;
    }
    if (rc == STRATA_BUSY && may_speculate) {
        /* Another writer holds the lock: go on beside it. */
        error_clear(err);
        pager_speculate(conn->txn);
        return STRATA_OK;
    }
    if (rc == STRATA_OK && restarted) {
        rc = replay_log(conn, err);
    }
    if (rc == STRATA_OK) {
        api_spec_end(conn); /* a writer holding the lock: nothing more to log */
    }
    return rc;
}
