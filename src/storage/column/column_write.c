/*
 * storage/column/column_write.c - the write side of the column store:
 * create / drop / truncate, insert into the write buffer, bulk load straight
 * into row groups, delete through delete vectors, update as delete plus
 * insert, the primary-key map, buffer merges and compaction (maintain).
 *
 * Invariants
 *   1. Every buffered row's number is greater than every row number in any
 *      row group (rows get numbers from one counter; a merge always takes the
 *      buffer's lowest rows; bulk loads put buffered rows first).
 *   2. After every call, buffer_rows < row_group_rows (a full buffer is
 *      merged in the same call), so the buffer stays small.
 *   3. Row numbers never change while a row lives: merges and compactions
 *      carry them into the new row group (its row-number segment).
 *   4. The meta record's counters match the tree (live_rows = buffered rows +
 *      rows of groups not deleted), updated in the same transaction.
 * Threads: the PagerTxn's thread. See README.md.
 */
#include <stdio.h>
#include <string.h>

#include "storage/btree/btree.h"
#include "storage/column/column_am_int.h"
#include "storage/row/keycodec.h"
#include "storage/row/rowcodec.h"
#include "types/numeric.h"
#include "util/assert.h"

static uint32_t default_group_rows = COLUMN_ROW_GROUP_ROWS;

void column_set_row_group_rows(uint32_t rows)
{
    default_group_rows = rows == 0 ? COLUMN_ROW_GROUP_ROWS : rows;
}

/* ---- Row sets: rows gathered column by column before a group is written ------------ */

bool rowset_init(RowSet *rs, Arena *arena, const TableDesc *desc, uint32_t capacity)
{
    memset(rs, 0, sizeof *rs);
    rs->desc = desc;
    rs->arena = arena;
    rs->capacity = capacity;
    rs->cols = arena_zalloc(arena, sizeof *rs->cols * (size_t)(desc->column_count + 1));
    rs->rownums = arena_alloc(arena, sizeof *rs->rownums * (capacity + 1));
    if (rs->cols == NULL || rs->rownums == NULL) {
        return false;
    }
    for (int col = 0; col < desc->column_count; col++) {
        PhysKind kind = type_phys(desc->column_types[col].id);
        rs->cols[col].kind = kind;
        rs->cols[col].values = arena_zalloc(arena, (size_t)phys_width(kind) * (capacity + 1));
        if (rs->cols[col].values == NULL) {
            return false;
        }
    }
    return true;
}

bool rowset_add(RowSet *rs, const Value *values, int64_t rownum)
{
    ST_ASSERT(rs->count < rs->capacity);
    uint32_t row = rs->count;
    for (int col = 0; col < rs->desc->column_count; col++) {
        ColumnData *data = &rs->cols[col];
        size_t width = (size_t)phys_width(data->kind);
        uint8_t *slot = (uint8_t *)data->values + width * row;
        if (values[col].is_null) {
            if (data->nulls == NULL) {
                data->nulls = arena_zalloc(rs->arena, rs->capacity + 1);
                if (data->nulls == NULL) {
                    return false;
                }
            }
            data->nulls[row] = 1;
            memset(slot, 0, width);
            continue;
        }
        Value copy = values[col];
        if (data->kind == PHYS_STRING && copy.str.len > 0) {
            copy.str.ptr = arena_memdup(rs->arena, copy.str.ptr, copy.str.len);
            if (copy.str.ptr == NULL) {
                return false;
            }
        }
        if (data->kind == PHYS_DECIMAL &&
            numeric_copy(&values[col].dec, rs->arena, &copy.dec, NULL) != STRATA_OK) {
            return false;
        }
        memcpy(slot, &copy.b, width);
    }
    rs->rownums[row] = rownum;
    rs->count++;
    return true;
}

/* Appends rows [from, from + count) of batch (no selection, column kinds as
 * the table's) to rs column by column, numbered from first_rownum. Strings are
 * borrowed from the batch: the caller writes the group before the batch
 * changes. Copying a COPY batch through a Value per field was 8% of a column
 * COPY's cycles. False when a column's kind differs (then use rowset_add). */
static bool rowset_add_batch(RowSet *rs, const Batch *batch, uint32_t from, uint32_t count,
                             uint64_t first_rownum)
{
    ST_ASSERT(rs->count + count <= rs->capacity);
    for (int col = 0; col < rs->desc->column_count; col++) {
        if (type_phys(batch->columns[col].type.id) != rs->cols[col].kind) {
            return false;
        }
    }
    uint32_t at = rs->count;
    for (int col = 0; col < rs->desc->column_count; col++) {
        ColumnData *data = &rs->cols[col];
        const Vector *vector = &batch->columns[col];
        size_t width = (size_t)phys_width(data->kind);
        uint8_t *slots = (uint8_t *)data->values + width * at;
        memcpy(slots, (const uint8_t *)vector->data + width * from, width * count);
        if (vector->nulls == NULL || memchr(vector->nulls + from, 1, count) == NULL) {
            continue;
        }
        if (data->nulls == NULL) {
            data->nulls = arena_zalloc(rs->arena, rs->capacity + 1);
            if (data->nulls == NULL) {
                return false;
            }
        }
        for (uint32_t row = 0; row < count; row++) {
            data->nulls[at + row] = vector->nulls[from + row] != 0;
            if (data->nulls[at + row]) {
                memset(slots + width * row, 0, width); /* as rowset_add: no stale bytes */
            }
        }
    }
    for (uint32_t row = 0; row < count; row++) {
        rs->rownums[at + row] = (int64_t)(first_rownum + row);
    }
    rs->count += count;
    return true;
}

/* Writes rows [start, start + count) of rs as one row group. */
static int rowset_write(PagerTxn *txn, const TableDesc *desc, RowSet *rs, uint32_t start,
                        uint32_t count, ColumnMeta *meta, Error *err)
{
    Arena *scratch = arena_create(rs->arena, 0, "column group write");
    ColumnData *slices = scratch != NULL ? arena_alloc(scratch, sizeof *slices * (size_t)(desc->column_count + 1)) : NULL;
    if (slices == NULL) {
        arena_destroy(scratch);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    for (int col = 0; col < desc->column_count; col++) {
        size_t width = (size_t)phys_width(rs->cols[col].kind);
        slices[col].kind = rs->cols[col].kind;
        slices[col].count = count;
        slices[col].values = (uint8_t *)rs->cols[col].values + width * start;
        slices[col].nulls = rs->cols[col].nulls != NULL ? rs->cols[col].nulls + start : NULL;
    }
    uint64_t bytes = 0;
    int rc = colgroup_write(txn, desc, scratch, slices, rs->rownums + start, count, &bytes, err);
    if (rc == STRATA_OK) {
        meta->group_count++;
        meta->segment_bytes += bytes;
    }
    arena_destroy(scratch);
    return rc;
}

/* ---- Primary key map ------------------------------------------------------------------ */

static int pkey_key(Arena *arena, const TableDesc *desc, const Value *row, uint8_t **key,
                    size_t *key_len, Error *err)
{
    Value *keys = arena_alloc(arena, sizeof *keys * (size_t)desc->key_count);
    if (keys == NULL) {
        return arena_error(arena, err);
    }
    for (int index = 0; index < desc->key_count; index++) {
        keys[index] = row[desc->key_columns[index]];
    }
    uint8_t tag = COLKEY_PKEY;
    uint8_t *body;
    size_t body_len;
    int rc = keycodec_encode(arena, keys, NULL, desc->key_count, NULL, 0, &body, &body_len, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    *key = arena_alloc(arena, body_len + 1);
    if (*key == NULL) {
        return arena_error(arena, err);
    }
    (*key)[0] = tag;
    memcpy(*key + 1, body, body_len);
    *key_len = body_len + 1;
    return STRATA_OK;
}

/* "(1, abc)" for the 23505 detail: integers, text and booleans spelled out. */
static const char *format_key(Arena *arena, const TableDesc *desc, const Value *row)
{
    char *text = arena_strdup(arena, "");
    for (int index = 0; index < desc->key_count && text != NULL; index++) {
        const Value *value = &row[desc->key_columns[index]];
        const char *sep = index > 0 ? ", " : "";
        if (value->is_null) {
            text = arena_sprintf(arena, "%s%snull", text, sep);
        } else if (type_phys(value->type.id) == PHYS_I64) {
            text = arena_sprintf(arena, "%s%s%lld", text, sep, (long long)value->i64);
        } else if (type_phys(value->type.id) == PHYS_STRING) {
            text = arena_sprintf(arena, "%s%s%.*s", text, sep, (int)value->str.len, value->str.ptr);
        } else if (type_phys(value->type.id) == PHYS_BOOL) {
            text = arena_sprintf(arena, "%s%s%s", text, sep, value->b ? "t" : "f");
        } else {
            text = arena_sprintf(arena, "%s%s?", text, sep);
        }
    }
    return text != NULL ? text : "?";
}

static const char *format_names(Arena *arena, const TableDesc *desc)
{
    char *text = arena_strdup(arena, "");
    for (int index = 0; index < desc->key_count && text != NULL; index++) {
        int col = desc->key_columns[index];
        text = arena_sprintf(arena, "%s%s%s", text, index > 0 ? ", " : "",
                             desc->column_names != NULL ? desc->column_names[col] : "?");
    }
    return text != NULL ? text : "?";
}

int colpkey_insert(PagerTxn *txn, const TableDesc *desc, Arena *arena, const Value *row,
                   uint64_t rownum, Error *err)
{
    uint8_t *key;
    size_t key_len;
    int rc = pkey_key(arena, desc, row, &key, &key_len, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t value[8];
    col_put_be64(value, rownum);
    bool existed = false;
    rc = btree_insert(txn, (Pgno)desc->storage_root, key, key_len, value, 8, BTREE_INSERT_NEW,
                      &existed, err);
    if (rc != STRATA_OK || !existed) {
        return rc;
    }
    rc = error_set(err, SQLSTATE_UNIQUE_VIOLATION,
                   "duplicate key value violates unique constraint \"%s_pkey\"", desc->name);
    error_detail(err, "Key (%s)=(%s) already exists.", format_names(arena, desc),
                 format_key(arena, desc, row));
    snprintf(err->table_name, sizeof err->table_name, "%s", desc->name);
    snprintf(err->constraint_name, sizeof err->constraint_name, "%s_pkey", desc->name);
    return rc;
}

int colpkey_delete(PagerTxn *txn, const TableDesc *desc, Arena *arena, const Value *row, Error *err)
{
    uint8_t *key;
    size_t key_len;
    int rc = pkey_key(arena, desc, row, &key, &key_len, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    bool found;
    rc = btree_delete(txn, (Pgno)desc->storage_root, key, key_len, &found, err);
    if (rc == STRATA_OK && !found) {
        rc = error_corrupt(err, "primary key map of column table \"%s\" is missing a row",
                           desc->name);
    }
    return rc;
}

/* ---- create / drop / truncate ----------------------------------------------------------- */

static int col_create(PagerTxn *txn, TableDesc *desc, Error *err)
{
    Pgno root;
    int rc = btree_create(txn, &root, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    desc->storage_root = root;
    ColumnMeta meta = {.row_group_rows = default_group_rows, .next_rownum = 1};
    return colmeta_store(txn, desc, &meta, err);
}

/* Frees the pages of every row group (the tree entries stay). */
static int free_groups(PagerTxn *txn, const TableDesc *desc, Error *err)
{
    Arena *arena = arena_create(NULL, 0, "column free");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    BTreeCursor *cursor;
    uint8_t start[1] = {COLKEY_GROUP};
    int rc = btree_cursor_open(txn, (Pgno)desc->storage_root, arena, &cursor, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_seek(cursor, start, 1, BTREE_SEEK_GE, err);
    }
    while (rc == STRATA_OK && btree_cursor_valid(cursor) && btree_cursor_key_has_prefix(cursor, start, 1)) {
        const uint8_t *value;
        size_t len;
        GroupDesc group;
        rc = btree_cursor_value(cursor, arena, &value, &len, err);
        if (rc == STRATA_OK) {
            rc = colgroup_parse(desc, arena, value, len, &group, err);
        }
        for (uint32_t index = 0; rc == STRATA_OK && index < group.page_count; index++) {
            rc = pager_free(txn, group.pages[index], err);
        }
        if (rc == STRATA_OK) {
            rc = btree_cursor_next(cursor, err);
        }
    }
    arena_destroy(arena);
    return rc;
}

static int col_drop(PagerTxn *txn, const TableDesc *desc, Error *err)
{
    int rc = free_groups(txn, desc, err);
    return rc != STRATA_OK ? rc : btree_destroy(txn, (Pgno)desc->storage_root, err);
}

static int col_truncate(PagerTxn *txn, const TableDesc *desc, Error *err)
{
    ColumnMeta meta;
    int rc = colmeta_load(txn, desc, &meta, err);
    if (rc == STRATA_OK) {
        rc = free_groups(txn, desc, err);
    }
    if (rc == STRATA_OK) {
        rc = btree_clear(txn, (Pgno)desc->storage_root, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    ColumnMeta fresh = {.row_group_rows = meta.row_group_rows, .next_rownum = meta.next_rownum};
    return colmeta_store(txn, desc, &fresh, err);
}

/* ---- The write buffer ------------------------------------------------------------------ */

static int buffer_put(PagerTxn *txn, const TableDesc *desc, Arena *arena, const Value *row,
                      uint64_t rownum, Error *err)
{
    uint8_t *bytes;
    size_t len;
    int rc = rowcodec_encode(arena, row, desc->column_count, &bytes, &len, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_BUFFER, rownum);
    return btree_insert(txn, (Pgno)desc->storage_root, key, sizeof key, bytes, len,
                        BTREE_INSERT_NEW, NULL, err);
}

int colbuf_decode(const TableDesc *desc, const uint8_t *bytes, size_t len, const int *columns,
                  int column_count, Value *out, Error *err)
{
    int rc = rowcodec_decode(bytes, len, desc->column_types, desc->column_count, columns,
                             column_count, out, err);
    if (rc != STRATA_OK && err != NULL) {
        char why[ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", err->message);
        return error_corrupt(err, "write buffer of column table \"%s\" is corrupted: %s", desc->name,
                             why);
    }
    return STRATA_OK;
}

/* Reads up to limit buffered rows (lowest row numbers first) into rs. */
static int buffer_read(PagerTxn *txn, const TableDesc *desc, RowSet *rs, uint32_t limit, Error *err)
{
    Arena *scratch = arena_create(rs->arena, 0, "column buffer read");
    Value *row = scratch != NULL ? arena_alloc(scratch, sizeof *row * (size_t)desc->column_count + 1) : NULL;
    int *all = scratch != NULL ? arena_alloc(scratch, sizeof *all * (size_t)desc->column_count + 1) : NULL;
    if (row == NULL || all == NULL) {
        arena_destroy(scratch);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    for (int col = 0; col < desc->column_count; col++) {
        all[col] = col;
    }
    BTreeCursor *cursor;
    uint8_t start[1] = {COLKEY_BUFFER};
    int rc = btree_cursor_open(txn, (Pgno)desc->storage_root, scratch, &cursor, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_seek(cursor, start, 1, BTREE_SEEK_GE, err);
    }
    uint32_t taken = 0;
    while (rc == STRATA_OK && taken < limit && btree_cursor_valid(cursor) &&
           btree_cursor_key_has_prefix(cursor, start, 1)) {
        size_t key_len, len;
        const uint8_t *key = btree_cursor_key(cursor, &key_len);
        uint64_t rownum = key_len == COLKEY_NUM_BYTES ? col_get_be64(key + 1) : 0;
        const uint8_t *value;
        rc = btree_cursor_value(cursor, scratch, &value, &len, err);
        if (rc == STRATA_OK) {
            rc = colbuf_decode(desc, value, len, all, desc->column_count, row, err);
        }
        if (rc == STRATA_OK && !rowset_add(rs, row, (int64_t)rownum)) {
            rc = arena_error(rs->arena, err);
        }
        taken++;
        if (rc == STRATA_OK) {
            rc = btree_cursor_next(cursor, err);
        }
    }
    arena_destroy(scratch);
    return rc;
}

static int buffer_remove(PagerTxn *txn, const TableDesc *desc, const int64_t *rownums,
                         uint32_t count, Error *err)
{
    for (uint32_t row = 0; row < count; row++) {
        uint8_t key[COLKEY_NUM_BYTES];
        colkey_num(key, COLKEY_BUFFER, (uint64_t)rownums[row]);
        int rc = btree_delete(txn, (Pgno)desc->storage_root, key, sizeof key, NULL, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* Merges the buffer into row groups: whole groups only, or everything (all). */
int colbuf_merge(PagerTxn *txn, const TableDesc *desc, ColumnMeta *meta, bool all, Error *err)
{
    int rc = STRATA_OK;
    while (rc == STRATA_OK && meta->buffer_rows > 0 &&
           (all || meta->buffer_rows >= meta->row_group_rows)) {
        uint32_t take = meta->buffer_rows < meta->row_group_rows ? (uint32_t)meta->buffer_rows
                                                                 : meta->row_group_rows;
        Arena *arena = arena_create(NULL, 0, "column merge");
        RowSet rs;
        if (arena == NULL || !rowset_init(&rs, arena, desc, take)) {
            arena_destroy(arena);
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        rc = buffer_read(txn, desc, &rs, take, err);
        if (rc == STRATA_OK && rs.count != take) {
            rc = error_corrupt(err, "write buffer of column table \"%s\" is corrupted: "
                               "%u rows found, %u counted", desc->name, rs.count, take);
        }
        if (rc == STRATA_OK) {
            rc = rowset_write(txn, desc, &rs, 0, rs.count, meta, err);
        }
        if (rc == STRATA_OK) {
            rc = buffer_remove(txn, desc, rs.rownums, rs.count, err);
            meta->buffer_rows -= rs.count;
        }
        arena_destroy(arena);
    }
    return rc;
}

/* ---- insert / bulk load ------------------------------------------------------------------ */

static int row_values(const TableDesc *desc, const Batch *rows, int row, Value *out)
{
    for (int col = 0; col < desc->column_count; col++) {
        batch_get_value(rows, col, row, &out[col]);
        out[col].type = desc->column_types[col];
    }
    return STRATA_OK;
}

/* Inserts the active rows into the buffer (row ids to ids_out when not NULL). */
static int insert_buffered(PagerTxn *txn, const TableDesc *desc, ColumnMeta *meta, const Batch *rows,
                           StrRef *ids_out, Arena *arena, Error *err)
{
    Arena *own = arena_create(NULL, 0, "column insert");
    Value *row = own != NULL ? arena_alloc(own, sizeof *row * (size_t)desc->column_count + 1) : NULL;
    Arena *scratch = own != NULL ? arena_create(own, 0, "column insert row") : NULL;
    if (row == NULL || scratch == NULL) {
        arena_destroy(own);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = STRATA_OK;
    int active = batch_active_count(rows);
    for (int index = 0; index < active && rc == STRATA_OK; index++) {
        uint64_t rownum = meta->next_rownum++;
        row_values(desc, rows, batch_active_row(rows, index), row);
        if (desc->key_count > 0) {
            rc = colpkey_insert(txn, desc, scratch, row, rownum, err);
        }
        if (rc == STRATA_OK) {
            rc = buffer_put(txn, desc, scratch, row, rownum, err);
        }
        if (rc == STRATA_OK) {
            meta->buffer_rows++;
            meta->live_rows++;
        }
        if (rc == STRATA_OK && ids_out != NULL) {
            uint8_t *id = arena_alloc(arena, 8);
            if (id == NULL) {
                rc = arena_error(arena, err);
                break;
            }
            col_put_be64(id, rownum);
            ids_out[index].ptr = (const char *)id;
            ids_out[index].len = 8;
        }
        arena_reset(scratch);
    }
    arena_destroy(own);
    return rc;
}

static int col_insert(PagerTxn *txn, const TableDesc *desc, const Batch *rows, StrRef *row_ids_out,
                      Arena *arena, Error *err)
{
    ColumnMeta meta;
    int rc = colmeta_load(txn, desc, &meta, err);
    if (rc == STRATA_OK) {
        rc = insert_buffered(txn, desc, &meta, rows, row_ids_out, arena, err);
    }
    if (rc == STRATA_OK) {
        rc = colbuf_merge(txn, desc, &meta, false, err);
    }
    if (rc == STRATA_OK) {
        rc = colmeta_store(txn, desc, &meta, err);
    }
    return rc;
}

/* Rows of a bulk load that go into row groups: buffered rows first, then the
 * batch's, in whole groups; the remainder too when it is at least a quarter
 * of a group (a COPY's last batch), as one smaller group. A smaller remainder
 * stays in the write buffer (a B+tree row costs about five times the bytes of
 * the same row in a group, so a big remainder is better as a group; a small
 * one would be a tiny group for maintain() to merge). 0 = all to the buffer. */
static uint32_t bulk_group_rows(const ColumnMeta *meta, uint32_t active)
{
    uint32_t total = (uint32_t)meta->buffer_rows + active;
    uint32_t whole = total / meta->row_group_rows * meta->row_group_rows;
    uint32_t rest = total - whole;
    return rest >= meta->row_group_rows / COLUMN_BULK_TAIL_FRACTION ? total : whole;
}

/* Bulk load: buffered rows first, then the batch's rows; the first
 * bulk_group_rows() of them are written as row groups, the rest stays in the
 * buffer. */
static int bulk_groups(PagerTxn *txn, const TableDesc *desc, ColumnMeta *meta, const Batch *rows,
                       Arena *arena, Error *err)
{
    uint32_t active = (uint32_t)batch_active_count(rows);
    uint32_t buffered = (uint32_t)meta->buffer_rows;
    uint32_t grouped = bulk_group_rows(meta, active);
    RowSet rs;
    Value *row = arena_alloc(arena, sizeof *row * (size_t)desc->column_count + 1);
    if (row == NULL || !rowset_init(&rs, arena, desc, grouped)) {
        return arena_error(arena, err);
    }
    uint32_t from_buffer = buffered < grouped ? buffered : grouped;
    int rc = buffer_read(txn, desc, &rs, from_buffer, err);
    Arena *scratch = arena_create(arena, 0, "column bulk row");
    uint32_t index = 0;
    /* Without a primary key (nothing to check per row) the rows that go into
     * groups are copied a column at a time. */
    uint32_t direct = grouped - rs.count < active ? grouped - rs.count : active;
    if (rc == STRATA_OK && desc->key_count == 0 && rows->selection == NULL && direct > 0 &&
        rowset_add_batch(&rs, rows, 0, direct, meta->next_rownum)) {
        meta->next_rownum += direct;
        meta->live_rows += direct;
        index = direct;
    }
    if (rc == STRATA_OK && arena_failed(arena)) {
        rc = arena_error(arena, err);
    }
    for (; rc == STRATA_OK && index < active; index++) {
        uint64_t rownum = meta->next_rownum++;
        row_values(desc, rows, batch_active_row(rows, (int)index), row);
        if (desc->key_count > 0) {
            rc = colpkey_insert(txn, desc, scratch, row, rownum, err);
        }
        if (rc != STRATA_OK) {
            break;
        }
        meta->live_rows++;
        if (rs.count < grouped) {
            if (!rowset_add(&rs, row, (int64_t)rownum)) {
                rc = arena_error(arena, err);
            }
        } else {
            rc = buffer_put(txn, desc, scratch, row, rownum, err);
            meta->buffer_rows++;
        }
        arena_reset(scratch);
    }
    for (uint32_t start = 0; rc == STRATA_OK && start < grouped; start += meta->row_group_rows) {
        uint32_t count = grouped - start < meta->row_group_rows ? grouped - start : meta->row_group_rows;
        rc = rowset_write(txn, desc, &rs, start, count, meta, err);
    }
    if (rc == STRATA_OK) {
        rc = buffer_remove(txn, desc, rs.rownums, from_buffer, err);
        meta->buffer_rows -= from_buffer;
    }
    return rc;
}

static int col_bulk_load(PagerTxn *txn, const TableDesc *desc, const Batch *rows, Error *err)
{
    ColumnMeta meta;
    int rc = colmeta_load(txn, desc, &meta, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (bulk_group_rows(&meta, (uint32_t)batch_active_count(rows)) == 0) {
        rc = insert_buffered(txn, desc, &meta, rows, NULL, NULL, err);
    } else {
        Arena *arena = arena_create(NULL, 0, "column bulk load");
        if (arena == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        rc = bulk_groups(txn, desc, &meta, rows, arena, err);
        arena_destroy(arena);
    }
    if (rc == STRATA_OK) {
        rc = colmeta_store(txn, desc, &meta, err);
    }
    return rc;
}

/* ---- delete / update ---------------------------------------------------------------------- */

/* Deletes one row: from the buffer, or by its group's delete vector. */
static int delete_one(PagerTxn *txn, const TableDesc *desc, ColLocator *loc, uint64_t rownum,
                      ColumnMeta *meta, Error *err)
{
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_BUFFER, rownum);
    Value *row = NULL;
    bool in_buffer = false, found = false;
    int rc = colloc_row(loc, rownum, loc->key_columns, loc->key_column_count, &row, &in_buffer,
                        &found, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (!found) {
        return error_set(err, SQLSTATE_INTERNAL_ERROR,
                         "row %llu of column table \"%s\" does not exist",
                         (unsigned long long)rownum, desc->name);
    }
    if (desc->key_count > 0) {
        Value *full = arena_zalloc(loc->row_arena, sizeof *full * (size_t)desc->column_count);
        if (full == NULL) {
            return arena_error(loc->row_arena, err);
        }
        for (int index = 0; index < loc->key_column_count; index++) {
            full[loc->key_columns[index]] = row[index];
        }
        rc = colpkey_delete(txn, desc, loc->row_arena, full, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    meta->live_rows--;
    if (in_buffer) {
        meta->buffer_rows--;
        return btree_delete(txn, (Pgno)desc->storage_root, key, sizeof key, NULL, err);
    }
    return colloc_mark_deleted(loc, rownum, err);
}

static int delete_ids(PagerTxn *txn, const TableDesc *desc, ColumnMeta *meta, const StrRef *row_ids,
                      int count, Error *err)
{
    ColLocator loc;
    int rc = colloc_open(&loc, txn, desc, err);
    for (int index = 0; rc == STRATA_OK && index < count; index++) {
        if (row_ids[index].len != 8) {
            rc = error_set(err, SQLSTATE_INTERNAL_ERROR, "invalid row id for column table \"%s\"",
                           desc->name);
            break;
        }
        rc = delete_one(txn, desc, &loc, col_get_be64((const uint8_t *)row_ids[index].ptr), meta, err);
    }
    if (rc == STRATA_OK) {
        rc = colloc_flush(&loc, err);
    }
    colloc_close(&loc);
    return rc;
}

static int col_delete(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                      Error *err)
{
    ColumnMeta meta;
    int rc = colmeta_load(txn, desc, &meta, err);
    if (rc == STRATA_OK) {
        rc = delete_ids(txn, desc, &meta, row_ids, count, err);
    }
    if (rc == STRATA_OK) {
        rc = colmeta_store(txn, desc, &meta, err);
    }
    return rc;
}

/* An update deletes the old rows, then inserts the new ones: every updated
 * row gets a new row id (a column store does not update in place). */
static int col_update(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids,
                      const Batch *new_rows, StrRef *new_row_ids_out, Arena *arena, Error *err)
{
    ColumnMeta meta;
    int rc = colmeta_load(txn, desc, &meta, err);
    if (rc == STRATA_OK) {
        rc = delete_ids(txn, desc, &meta, row_ids, batch_active_count(new_rows), err);
    }
    if (rc == STRATA_OK) {
        rc = insert_buffered(txn, desc, &meta, new_rows, new_row_ids_out, arena, err);
    }
    if (rc == STRATA_OK) {
        rc = colbuf_merge(txn, desc, &meta, false, err);
    }
    if (rc == STRATA_OK) {
        rc = colmeta_store(txn, desc, &meta, err);
    }
    return rc;
}

/* ---- maintain: merge the buffer, compact groups ------------------------------------------ */

/* Rewrites groups[0..count) (adjacent in row-number order) into new groups of
 * their live rows, keeping row numbers. */
static int compact_run(PagerTxn *txn, const TableDesc *desc, ColumnMeta *meta, GroupDesc *groups,
                       const DeleteVector *dvs, int count, uint32_t live, Arena *arena, Error *err)
{
    RowSet rs;
    if (!rowset_init(&rs, arena, desc, live > 0 ? live : 1)) {
        return arena_error(arena, err);
    }
    Value *row = arena_alloc(arena, sizeof *row * (size_t)desc->column_count + 1);
    ColumnData *cols = arena_alloc(arena, sizeof *cols * (size_t)desc->column_count + 1);
    if (row == NULL || cols == NULL) {
        return arena_error(arena, err);
    }
    for (int index = 0; index < count; index++) {
        const int64_t *rownums;
        int rc = colgroup_rownums(txn, desc, arena, &groups[index], &rownums, err);
        for (int col = 0; rc == STRATA_OK && col < desc->column_count; col++) {
            rc = colgroup_read_segment(txn, desc, arena, &groups[index], col, &cols[col], NULL, err);
        }
        for (uint32_t r = 0; rc == STRATA_OK && r < groups[index].row_count; r++) {
            if (coldel_is_deleted(&dvs[index], r)) {
                continue;
            }
            for (int col = 0; col < desc->column_count; col++) {
                colcol_get(&cols[col], r, desc->column_types[col], &row[col]);
            }
            if (!rowset_add(&rs, row, rownums[r])) {
                rc = arena_error(arena, err);
            }
        }
        if (rc == STRATA_OK) {
            rc = colgroup_remove(txn, desc, &groups[index], err);
            meta->group_count--;
            meta->segment_bytes -= (uint64_t)groups[index].page_count * PAGE_SIZE;
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    for (uint32_t start = 0; start < rs.count; start += meta->row_group_rows) {
        uint32_t take = rs.count - start < meta->row_group_rows ? rs.count - start : meta->row_group_rows;
        int rc = rowset_write(txn, desc, &rs, start, take, meta, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    return STRATA_OK;
}

/* A group needs rewriting when a fifth of it is deleted or it is under half full. */
static bool group_needs_compaction(const ColumnMeta *meta, const GroupDesc *group, const DeleteVector *dv)
{
    uint32_t live = group->row_count - dv->deleted;
    return dv->deleted * 5 >= group->row_count || live * 2 < meta->row_group_rows;
}

static int compact(PagerTxn *txn, const TableDesc *desc, ColumnMeta *meta, Error *err)
{
    Arena *arena = arena_create(NULL, 0, "column compact");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    uint64_t next = 0;
    int rc = STRATA_OK;
    enum { RUN_MAX = 64 };
    GroupDesc groups[RUN_MAX];
    DeleteVector dvs[RUN_MAX];
    for (;;) {
        /* Collect a run of adjacent groups that need compaction and fit one group. */
        int count = 0;
        uint32_t live = 0;
        bool more = false;
        arena_reset(arena);
        while (rc == STRATA_OK && count < RUN_MAX) {
            bool found;
            GroupDesc group;
            uint64_t at = next;
            rc = colgroup_next(txn, desc, arena, &at, &group, &found, err);
            if (rc != STRATA_OK || !found) {
                break;
            }
            DeleteVector dv;
            rc = coldel_load(txn, desc, arena, &group, &dv, err);
            if (rc != STRATA_OK) {
                break;
            }
            uint32_t group_live = group.row_count - dv.deleted;
            bool wanted = group_needs_compaction(meta, &group, &dv);
            if (!wanted || (count > 0 && live + group_live > meta->row_group_rows)) {
                if (count == 0) {
                    next = group.last_rownum + 1;
                    continue;
                }
                more = true;
                break;
            }
            groups[count] = group;
            dvs[count++] = dv;
            live += group_live;
            next = group.last_rownum + 1;
            more = true;
        }
        if (rc != STRATA_OK || count == 0) {
            break;
        }
        /* A single group that is only small (no deletes) is left alone. */
        if (count > 1 || dvs[0].deleted > 0) {
            rc = compact_run(txn, desc, meta, groups, dvs, count, live, arena, err);
            if (rc != STRATA_OK) {
                break;
            }
        }
        if (!more) {
            break;
        }
    }
    arena_destroy(arena);
    return rc;
}

static int col_maintain(PagerTxn *txn, const TableDesc *desc, Error *err)
{
    ColumnMeta meta;
    int rc = colmeta_load(txn, desc, &meta, err);
    if (rc == STRATA_OK) {
        rc = colbuf_merge(txn, desc, &meta, true, err);
    }
    if (rc == STRATA_OK) {
        rc = compact(txn, desc, &meta, err);
    }
    if (rc == STRATA_OK) {
        rc = colmeta_store(txn, desc, &meta, err);
    }
    return rc;
}

static int col_stats(PagerTxn *txn, const TableDesc *desc, TableStats *out, Error *err)
{
    ColumnMeta meta;
    int rc = colmeta_load(txn, desc, &meta, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    out->row_count = meta.live_rows;
    out->row_count_is_exact = true;
    out->bytes_on_disk = meta.segment_bytes + meta.buffer_rows * 64;
    return STRATA_OK;
}

static const TableAm column_table_am = {
    .name = "column",
    .scans_share_claims = true,
    .create = col_create,
    .drop = col_drop,
    .truncate = col_truncate,
    .scan_begin = colscan_begin,
    .scan_next = colscan_next,
    .scan_end = colscan_end,
    .fetch = colscan_fetch,
    .fetch_cached = colscan_fetch_cached,
    .insert = col_insert,
    .update = col_update,
    .delete_rows = col_delete,
    .bulk_load = col_bulk_load,
    .stats = col_stats,
    .maintain = col_maintain,
    .scan_counters = colscan_counters,
    .scan_preview = colscan_preview,
    .storage_info = colscan_storage_info,
};

const TableAm *column_am(void) { return &column_table_am; }
