/*
 * catalog/edit.h - changing the catalog (the DDL side, used by src/api/).
 *
 * A CatalogEdit starts from a base Catalog inside a write transaction. Each
 * change (put or delete of a schema, table/view or sequence record) is written
 * at once to the strata_catalog system table through the transaction, so a
 * rollback or a rollback to a savepoint undoes it with everything else; the
 * edit also keeps the records in memory and catalog_edit_commit() builds the
 * new immutable Catalog from them and bumps CATALOG_META_VERSION.
 *
 * Invariants
 *   1. The base Catalog stays retained by the caller for the edit's lifetime
 *      (records not changed by the edit are shared with it until commit).
 *   2. Mutable copies (catalog_edit_copy_table) live in the edit's arena; a
 *      change becomes visible in the built Catalog only through a put.
 *
 * Threads: an edit belongs to the thread of its transaction.
 * See src/catalog/README.md.
 */
#ifndef STRATA_CATALOG_EDIT_H
#define STRATA_CATALOG_EDIT_H

#include "catalog/catalog.h"

typedef struct CatalogEdit CatalogEdit;

/* Starts an edit of base in the write transaction txn. *out is owned: end it
 * with catalog_edit_commit or catalog_edit_abort. */
int catalog_edit_begin(const Catalog *base, PagerTxn *txn, CatalogEdit **out, Error *err);

/* The edit's arena (for new CatTable structs and their arrays). */
Arena *catalog_edit_arena(CatalogEdit *e);
const Catalog *catalog_edit_base(CatalogEdit *e);

/* A fresh object id (CATALOG_META_NEXT_ID, bumped in the transaction). */
int catalog_edit_new_id(CatalogEdit *e, uint64_t *out, Error *err);

/* A deep, mutable copy of a persisted table or view of the base (NULL for a
 * system view or when the arena fails). Its desc and am are filled. */
CatTable *catalog_edit_copy_table(CatalogEdit *e, const CatTable *t, Error *err);

/* Fills t->desc (and index descs) and t->am from the other fields, as a
 * Catalog does (needed before tam_create on a new table). */
int catalog_edit_finish_table(CatalogEdit *e, CatTable *t, Error *err);

/* Writes (inserts or replaces by id) one record. */
int catalog_edit_put_table(CatalogEdit *e, const CatTable *t, Error *err);
int catalog_edit_put_schema(CatalogEdit *e, const CatSchema *s, Error *err);
/* The database's owner and privileges (one record). */
int catalog_edit_put_database(CatalogEdit *e, const CatDatabase *d, Error *err);
int catalog_edit_put_sequence(CatalogEdit *e, const CatSequence *s, Error *err);
int catalog_edit_put_role(CatalogEdit *e, const CatRole *r, Error *err);
int catalog_edit_put_type(CatalogEdit *e, const CatType *t, Error *err);

/* Removes the record with this id (no-op if absent). */
int catalog_edit_delete(CatalogEdit *e, uint64_t id, Error *err);

/* True while the edit holds a record with this id (false once deleted). */
bool catalog_edit_contains(const CatalogEdit *e, uint64_t id);

/* The catalog as edited so far, without ending the edit (for a DDL step that
 * needs to look up what it just created). Owned: catalog_release. */
int catalog_edit_snapshot(CatalogEdit *e, Catalog **out, Error *err);

/* Bumps CATALOG_META_VERSION, builds the new Catalog (*out owned, refcount 1)
 * and frees the edit (also on error). */
int catalog_edit_commit(CatalogEdit *e, Catalog **out, Error *err);

/* Frees the edit; changes already written stay in the transaction (the
 * caller rolls back its savepoint). NULL is fine. */
void catalog_edit_abort(CatalogEdit *e);

/* Sequence counters, stored in the system table with the transaction that
 * writes them; src/api/api_sequence.c keeps what nextval and setval handed out
 * apart from transactions, so a rollback gives no value back (PostgreSQL). */
int catalog_sequence_next(PagerTxn *txn, const CatSequence *s, int64_t *out, Error *err);
/* The value after last (called: last was handed out; else last itself comes
 * next), wrapping when s cycles; 2200H at the end of a sequence that does not. */
int catalog_sequence_step(const CatSequence *s, int64_t last, bool called, int64_t *out, Error *err);
int catalog_sequence_get(PagerTxn *txn, const CatSequence *s, int64_t *last_value, bool *is_called,
                         Error *err);
int catalog_sequence_set(PagerTxn *txn, const CatSequence *s, int64_t last_value, bool is_called,
                         Error *err);
int catalog_sequence_drop_counter(PagerTxn *txn, const CatSequence *s, Error *err);

/* Low-level record writes (catalog_store.c), used by the edit. */
int cat_store_put(PagerTxn *txn, uint64_t id, int kind, const uint8_t *data, size_t size,
                  Error *err);
int cat_store_delete(PagerTxn *txn, uint64_t id, Error *err);

#endif
