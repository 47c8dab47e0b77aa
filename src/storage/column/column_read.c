/*
 * storage/column/column_read.c - the read side of the column store: scans
 * (projection, zone-map skipping, pushed-down filters and key ranges applied
 * to decoded rows), fetch by row id, and the row locator shared with deletes.
 *
 * Scan order: row groups in row-number order, then the write buffer in
 * row-number order. A scan re-seeks the B+tree for every row group and every
 * batch of buffered rows instead of keeping a cursor, so it never reads
 * through an invalidated cursor. `reverse` is not honoured (a column table
 * is not clustered by its key; see README.md, "Gaps").
 *
 * Filters: a ScanFilter is used only when its constants have the column's
 * comparison family (integers with integers, text with varchar, ...), whose
 * order colzone_compare() reproduces exactly; others are ignored, which is
 * allowed (the executor re-checks). Rows failing a used filter or the key
 * range are dropped.
 *
 * Threads: the PagerTxn's thread.
 */
#include <string.h>

#include "storage/btree/btree.h"
#include "storage/column/column_am_int.h"
#include "types/numeric.h"
#include "util/assert.h"

/* ---- Decoded values ------------------------------------------------------------------- */

void colcol_get(const ColumnData *col, uint32_t row, SqlType type, Value *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    if (col->nulls != NULL && col->nulls[row]) {
        out->is_null = true;
        return;
    }
    size_t width = (size_t)phys_width(col->kind);
    memcpy(&out->b, (const uint8_t *)col->values + width * row, width);
}

int colgroup_next(PagerTxn *txn, const TableDesc *desc, Arena *arena, const uint64_t *at,
                  GroupDesc *out, bool *found, Error *err)
{
    *found = false;
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_GROUP, *at);
    BTreeCursor *cursor;
    int rc = btree_cursor_open(txn, (Pgno)desc->storage_root, arena, &cursor, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_seek(cursor, key, sizeof key, BTREE_SEEK_GE, err);
    }
    if (rc != STRATA_OK || !btree_cursor_valid(cursor) || !btree_cursor_key_has_prefix(cursor, key, 1)) {
        return rc;
    }
    const uint8_t *value;
    size_t len;
    rc = btree_cursor_value(cursor, arena, &value, &len, err);
    if (rc == STRATA_OK) {
        value = arena_memdup(arena, value, len);
        rc = value == NULL ? arena_error(arena, err) : colgroup_parse(desc, arena, value, len, out, err);
    }
    *found = rc == STRATA_OK;
    return rc;
}

/* ---- Filters -------------------------------------------------------------------------- */

/* Types whose values compare with each other exactly as colzone_compare orders them. */
static int compare_family(TypeId id)
{
    switch (id) {
    case TYPE_INT2:
    case TYPE_INT4:
    case TYPE_INT8:
        return 1;
    case TYPE_FLOAT4:
    case TYPE_FLOAT8:
        return 2;
    case TYPE_TEXT:
    case TYPE_VARCHAR:
        return 3;
    case TYPE_BYTEA:
        return 4;
    case TYPE_NUMERIC:
        return 5;
    case TYPE_BOOL:
        return 6;
    case TYPE_DATE:
        return 7;
    case TYPE_TIME:
        return 8;
    case TYPE_TIMESTAMP:
        return 9;
    case TYPE_TIMESTAMPTZ:
        return 10;
    case TYPE_INTERVAL:
        return 11;
    case TYPE_UUID:
        return 12;
    default:
        return 0;
    }
}

static bool filter_usable(const TableDesc *desc, const ScanFilter *filter)
{
    if (filter->column < 0 || filter->column >= desc->column_count) {
        return false;
    }
    if (filter->op == FILTER_IS_NULL || filter->op == FILTER_IS_NOT_NULL) {
        return true;
    }
    int family = compare_family(desc->column_types[filter->column].id);
    int count = filter->op == FILTER_IN ? filter->value_count : 1;
    if (family == 0 || filter->values == NULL || count < 1) {
        return false;
    }
    for (int index = 0; index < count; index++) {
        const Value *value = &filter->values[index];
        if (!value->is_null && compare_family(value->type.id) != family) {
            return false;
        }
    }
    return true;
}

static bool value_passes(PhysKind kind, const Value *value, const ScanFilter *filter)
{
    if (filter->op == FILTER_IS_NULL || filter->op == FILTER_IS_NOT_NULL) {
        return value->is_null == (filter->op == FILTER_IS_NULL);
    }
    if (value->is_null) {
        return false;
    }
    if (filter->op == FILTER_IN) {
        for (int index = 0; index < filter->value_count; index++) {
            if (!filter->values[index].is_null && colzone_compare(kind, value, &filter->values[index]) == 0) {
                return true;
            }
        }
        return false;
    }
    if (filter->values[0].is_null) {
        return false;
    }
    int cmp = colzone_compare(kind, value, &filter->values[0]);
    switch (filter->op) {
    case FILTER_EQ:
        return cmp == 0;
    case FILTER_NE:
        return cmp != 0;
    case FILTER_LT:
        return cmp < 0;
    case FILTER_LE:
        return cmp <= 0;
    case FILTER_GT:
        return cmp > 0;
    case FILTER_GE:
        return cmp >= 0;
    default:
        return true;
    }
}

/* ---- Scans --------------------------------------------------------------------------- */

enum { PHASE_GROUPS, PHASE_BUFFER, PHASE_DONE };

struct TableScan {
    PagerTxn *txn;
    const TableDesc *desc;
    Arena *arena;
    Arena *group_arena;
    int *columns;
    int column_count;
    bool want_row_id;
    ScanFilter *filters;
    int filter_count;
    KeyRange range;
    bool has_range;
    bool *needed;           /* per table column: decode it */
    int phase;
    uint64_t next_group;    /* first row number of the next group to look at */
    bool group_loaded;
    GroupDesc group;
    ColumnData *cols;       /* per table column, valid when needed */
    const int64_t *rownums;
    DeleteVector dv;
    uint32_t pos;
    uint64_t buffer_next;
    Value *row;             /* one row of every table column */
    int *all_columns;
    ColumnScanCounters counters;
    bool row_filters;   /* filters also drop rows (not ScanSpec.filters_skip_only) */
    bool *check_column; /* columns row_passes reads: filtered columns, key columns of the range */
    ScanClaim *claim;   /* parallel scan (ScanSpec.claim), or NULL */
    uint64_t *claim_ticket;
    uint64_t ordinal;   /* position of the next group among the table's groups */
    uint64_t ticket;    /* the ticket this scan holds; TICKET_NONE: none */
};

#define TICKET_NONE UINT64_MAX

/* Row check: key range (prefix comparison) and used filters over row[]. */
static bool row_passes(const TableScan *scan, const Value *row)
{
    const TableDesc *desc = scan->desc;
    for (int index = 0; scan->row_filters && index < scan->filter_count; index++) {
        const ScanFilter *filter = &scan->filters[index];
        PhysKind kind = type_phys(desc->column_types[filter->column].id);
        if (!value_passes(kind, &row[filter->column], filter)) {
            return false;
        }
    }
    if (!scan->has_range) {
        return true;
    }
    const KeyRange *range = &scan->range;
    for (int side = 0; side < 2; side++) {
        const Value *bound = side == 0 ? range->low : range->high;
        int count = side == 0 ? range->low_count : range->high_count;
        int cmp = 0;
        for (int index = 0; index < count && cmp == 0; index++) {
            int col = desc->key_columns[index];
            const Value *value = &row[col];
            if (value->is_null || bound[index].is_null) {
                cmp = value->is_null == bound[index].is_null ? 0 : (value->is_null ? 1 : -1);
            } else {
                cmp = colzone_compare(type_phys(desc->column_types[col].id), value, &bound[index]);
            }
        }
        bool inclusive = side == 0 ? range->low_inclusive : range->high_inclusive;
        if (count > 0 && ((side == 0 && (cmp < 0 || (cmp == 0 && !inclusive))) ||
                          (side == 1 && (cmp > 0 || (cmp == 0 && !inclusive))))) {
            return false;
        }
    }
    return true;
}

/* Adds zone-map filters derived from the range's first key column. */
static void range_filters(TableScan *scan)
{
    const KeyRange *range = &scan->range;
    int col = scan->desc->key_columns[0];
    if (range->low_count > 0 && !range->low[0].is_null) {
        ScanFilter *filter = &scan->filters[scan->filter_count];
        *filter = (ScanFilter){col, range->low_count > 1 || range->low_inclusive ? FILTER_GE : FILTER_GT,
                               &range->low[0], 1};
        scan->filter_count += filter_usable(scan->desc, filter);
    }
    if (range->high_count > 0 && !range->high[0].is_null) {
        ScanFilter *filter = &scan->filters[scan->filter_count];
        *filter = (ScanFilter){col, range->high_count > 1 || range->high_inclusive ? FILTER_LE : FILTER_LT,
                               &range->high[0], 1};
        scan->filter_count += filter_usable(scan->desc, filter);
    }
}

int colscan_begin(PagerTxn *txn, const TableDesc *desc, const ScanSpec *spec, Arena *arena,
                  TableScan **out, Error *err)
{
    TableScan *scan = arena_zalloc(arena, sizeof *scan);
    size_t columns = (size_t)desc->column_count + 1;
    if (scan == NULL) {
        return arena_error(arena, err);
    }
    scan->txn = txn;
    scan->desc = desc;
    scan->arena = arena;
    scan->group_arena = arena_create(arena, 0, "column scan group");
    scan->columns = arena_alloc(arena, sizeof(int) * (size_t)(spec->column_count + 1));
    if (scan->columns != NULL && spec->column_count > 0) {
        memcpy(scan->columns, spec->columns, sizeof(int) * (size_t)spec->column_count);
    }
    scan->column_count = spec->column_count;
    scan->want_row_id = spec->want_row_id;
    scan->row_filters = !spec->filters_skip_only;
    scan->filters = arena_alloc(arena, sizeof(ScanFilter) * (size_t)(spec->filter_count + 2));
    scan->needed = arena_zalloc(arena, columns);
    scan->cols = arena_zalloc(arena, sizeof(ColumnData) * columns);
    scan->row = arena_zalloc(arena, sizeof(Value) * columns);
    scan->all_columns = arena_alloc(arena, sizeof(int) * columns);
    if (scan->group_arena == NULL || scan->columns == NULL || scan->filters == NULL ||
        scan->needed == NULL || scan->cols == NULL || scan->row == NULL || scan->all_columns == NULL) {
        return arena_error(arena, err);
    }
    for (int col = 0; col < desc->column_count; col++) {
        scan->all_columns[col] = col;
    }
    for (int index = 0; index < spec->filter_count; index++) {
        if (filter_usable(desc, &spec->filters[index])) {
            scan->filters[scan->filter_count++] = spec->filters[index];
        }
    }
    if (spec->range != NULL && desc->key_count > 0 &&
        (spec->range->low_count > 0 || spec->range->high_count > 0)) {
        scan->range = *spec->range;
        scan->has_range = true;
        for (int index = 0; index < desc->key_count; index++) {
            scan->needed[desc->key_columns[index]] = true;
        }
        range_filters(scan);
    }
    for (int index = 0; index < spec->column_count; index++) {
        if (spec->columns[index] < 0 || spec->columns[index] >= desc->column_count) {
            return error_set(err, SQLSTATE_INTERNAL_ERROR, "column %d of table \"%s\" does not exist",
                             spec->columns[index], desc->name);
        }
        scan->needed[spec->columns[index]] = true;
    }
    scan->check_column = arena_zalloc(arena, columns);
    if (scan->check_column == NULL) {
        return arena_error(arena, err);
    }
    for (int index = 0; index < scan->filter_count; index++) {
        scan->needed[scan->filters[index].column] = true;
        scan->check_column[scan->filters[index].column] = true;
    }
    for (int index = 0; scan->has_range && index < desc->key_count; index++) {
        scan->check_column[desc->key_columns[index]] = true;
    }
    scan->next_group = 0;
    scan->buffer_next = 0;
    scan->claim = spec->claim;
    scan->claim_ticket = spec->claim_ticket;
    scan->ticket = TICKET_NONE;
    *out = scan;
    return STRATA_OK;
}

/* True if the zone maps say no row of the group can pass the filters. */
static bool group_skippable(const TableScan *scan, const GroupDesc *group)
{
    for (int index = 0; index < scan->filter_count; index++) {
        const ScanFilter *filter = &scan->filters[index];
        PhysKind kind = type_phys(scan->desc->column_types[filter->column].id);
        if (!colzone_may_match(kind, &group->zones[filter->column], group->row_count, filter)) {
            return true;
        }
    }
    return false;
}

/* Loads the next row group that the zone maps do not exclude; switches to
 * the buffer phase at the end. */
/* Whether some live row of the loaded group passes the filters and the key
 * range (only the check_column segments need to be decoded). */
static bool group_has_match(TableScan *scan)
{
    const TableDesc *desc = scan->desc;
    for (uint32_t r = 0; r < scan->group.row_count; r++) {
        if (coldel_is_deleted(&scan->dv, r)) {
            continue;
        }
        for (int col = 0; col < desc->column_count; col++) {
            if (scan->check_column[col]) {
                colcol_get(&scan->cols[col], r, desc->column_types[col], &scan->row[col]);
            }
        }
        if (row_passes(scan, scan->row)) {
            return true;
        }
    }
    return false;
}

/* Parallel scans: whether this scan reads the group (or, at the end, the
 * buffer) at scan->ordinal. It takes a new ticket when it holds none; tickets
 * only grow and a scan passes a group only while holding a later ticket, so
 * every group is read by exactly one scan. */
static bool claimed(TableScan *scan)
{
    if (scan->claim == NULL) {
        return true;
    }
    if (scan->ticket == TICKET_NONE) {
        scan->ticket = atomic_fetch_add(&scan->claim->next, 1);
    }
    if (scan->ticket != scan->ordinal) {
        return false;
    }
    if (scan->claim_ticket != NULL) {
        *scan->claim_ticket = scan->ticket;
    }
    scan->ticket = TICKET_NONE;
    return true;
}

static int load_group(TableScan *scan, Error *err)
{
    const TableDesc *desc = scan->desc;
    for (;;) {
        /* Every group decodes the same columns into blocks of the same sizes: keep them. */
        arena_reset_keep(scan->group_arena);
        scan->group_loaded = false;
        bool found;
        int rc = colgroup_next(scan->txn, desc, scan->group_arena, &scan->next_group, &scan->group,
                               &found, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (!found) {
            scan->phase = claimed(scan) ? PHASE_BUFFER : PHASE_DONE;
            return STRATA_OK;
        }
        scan->next_group = scan->group.last_rownum + 1;
        if (!claimed(scan)) {
            scan->ordinal++;
            continue;
        }
        scan->ordinal++;
        if (group_skippable(scan, &scan->group)) {
            scan->counters.row_groups_skipped++;
            continue;
        }
        rc = coldel_load(scan->txn, desc, scan->group_arena, &scan->group, &scan->dv, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        if (scan->dv.deleted == scan->group.row_count) {
            scan->counters.row_groups_skipped++;
            continue;
        }
        /* Late materialization: with row filters, the filtered (and key) columns
         * come first; a group where no row passes is dropped before the other
         * columns are decoded (a selective filter over a wide projection). */
        bool late = scan->row_filters && scan->filter_count > 0;
        for (int col = 0; late && col < desc->column_count && rc == STRATA_OK; col++) {
            if (scan->check_column[col]) {
                rc = colgroup_read_segment(scan->txn, desc, scan->group_arena, &scan->group, col,
                                           &scan->cols[col], &scan->counters.segment_bytes_read, err);
            }
        }
        if (rc == STRATA_OK && late && !group_has_match(scan)) {
            scan->counters.row_groups_scanned++;
            continue;
        }
        for (int col = 0; col < desc->column_count && rc == STRATA_OK; col++) {
            if (scan->needed[col] && !(late && scan->check_column[col])) {
                rc = colgroup_read_segment(scan->txn, desc, scan->group_arena, &scan->group, col,
                                           &scan->cols[col], &scan->counters.segment_bytes_read, err);
            }
        }
        if (rc == STRATA_OK && scan->want_row_id) {
            rc = colgroup_rownums(scan->txn, desc, scan->group_arena, &scan->group, &scan->rownums, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        scan->counters.row_groups_scanned++;
        scan->group_loaded = true;
        scan->pos = 0;
        return STRATA_OK;
    }
}

static bool put_row_id(Batch *out, int col, int row, uint64_t rownum)
{
    uint8_t *id = arena_alloc(out->arena, 8);
    if (id == NULL) {
        return false;
    }
    col_put_be64(id, rownum);
    out->columns[col].str[row].ptr = (const char *)id;
    out->columns[col].str[row].len = 8;
    return true;
}

/* Copies a decoded slot into the batch (strings into the batch arena). */
static bool put_slot(Batch *out, int out_col, int row, const ColumnData *col, uint32_t r)
{
    if (col->nulls != NULL && col->nulls[r]) {
        return batch_set_null(out, out_col, row);
    }
    size_t width = (size_t)phys_width(col->kind);
    uint8_t *dst = (uint8_t *)out->columns[out_col].data + width * (size_t)row;
    memcpy(dst, (const uint8_t *)col->values + width * r, width);
    if (col->kind == PHYS_STRING) {
        StrRef *str = (StrRef *)dst;
        if (str->len > 0) {
            str->ptr = arena_memdup(out->arena, str->ptr, str->len);
            return str->ptr != NULL;
        }
    }
    if (col->kind == PHYS_DECIMAL) {
        /* a big numeric's bytes are in the group's decoded segment, like strings */
        return numeric_copy((Decimal *)dst, out->arena, (Decimal *)dst, NULL) == STRATA_OK;
    }
    return true;
}

/* Rows pos..pos+count-1 of the loaded group, none deleted and none to check,
 * column by column: one copy per fixed-width vector instead of a call per value. */
static bool emit_group_run(TableScan *scan, Batch *out, uint32_t count)
{
    int base = out->row_count;
    for (int index = 0; index < scan->column_count; index++) {
        const ColumnData *col = &scan->cols[scan->columns[index]];
        size_t width = (size_t)phys_width(col->kind);
        uint8_t *dst = (uint8_t *)out->columns[index].data + width * (size_t)base;
        memcpy(dst, (const uint8_t *)col->values + width * scan->pos, width * count);
        for (uint32_t k = 0; col->nulls != NULL && k < count; k++) {
            if (col->nulls[scan->pos + k] && !batch_set_null(out, index, base + (int)k)) {
                return false;
            }
        }
        if (col->kind == PHYS_DECIMAL) {
            /* big numerics' bytes are in the group's decoded segment: copy them */
            Decimal *dec = (Decimal *)dst;
            for (uint32_t k = 0; k < count; k++) {
                if (dec[k].flags == DECIMAL_BIG &&
                    numeric_copy(&dec[k], out->arena, &dec[k], NULL) != STRATA_OK) {
                    return false;
                }
            }
            continue;
        }
        if (col->kind != PHYS_STRING) {
            continue;
        }
        /* Equal strings decoded from a dictionary or a run share their bytes in
         * the group (dec_generic): they share one copy in the batch too, so a
         * low-cardinality column copies each value once per batch and readers
         * may find repeats by pointer (exec/vec_agg.c, text_group). */
        StrRef *str = (StrRef *)dst;
        StrRef seen[64] = {{0}}, copies[64];
        for (uint32_t k = 0; k < count; k++) {
            if (str[k].len == 0) {
                continue;
            }
            size_t slot = (size_t)(((uintptr_t)str[k].ptr * 0x9E3779B97F4A7C15ull) >> 58);
            if (seen[slot].ptr == str[k].ptr && seen[slot].len == str[k].len) {
                str[k].ptr = copies[slot].ptr;
                continue;
            }
            seen[slot] = str[k];
            if ((str[k].ptr = arena_memdup(out->arena, str[k].ptr, str[k].len)) == NULL) {
                return false;
            }
            copies[slot] = str[k];
        }
    }
    out->row_count += (int)count;
    scan->pos += count;
    return true;
}

static int emit_group_rows(TableScan *scan, Batch *out, Error *err)
{
    const TableDesc *desc = scan->desc;
    bool check = (scan->row_filters && scan->filter_count > 0) || scan->has_range;
    if (!check && !scan->want_row_id && scan->dv.deleted == 0) {
        uint32_t room = (uint32_t)(out->capacity - out->row_count);
        uint32_t left = scan->group.row_count - scan->pos;
        if (!emit_group_run(scan, out, room < left ? room : left)) {
            return arena_error(out->arena, err);
        }
    }
    while (out->row_count < out->capacity && scan->pos < scan->group.row_count) {
        uint32_t r = scan->pos++;
        if (coldel_is_deleted(&scan->dv, r)) {
            continue;
        }
        if (check) {
            for (int col = 0; col < desc->column_count; col++) {
                if (scan->needed[col]) {
                    colcol_get(&scan->cols[col], r, desc->column_types[col], &scan->row[col]);
                }
            }
            if (!row_passes(scan, scan->row)) {
                continue;
            }
        }
        int row = out->row_count;
        for (int index = 0; index < scan->column_count; index++) {
            if (!put_slot(out, index, row, &scan->cols[scan->columns[index]], r)) {
                return arena_error(out->arena, err);
            }
        }
        if (scan->want_row_id && !put_row_id(out, scan->column_count, row, (uint64_t)scan->rownums[r])) {
            return arena_error(out->arena, err);
        }
        out->row_count++;
    }
    if (scan->pos >= scan->group.row_count) {
        scan->group_loaded = false;
    }
    return STRATA_OK;
}

static int emit_buffer_rows(TableScan *scan, Batch *out, Error *err)
{
    const TableDesc *desc = scan->desc;
    arena_reset(scan->group_arena);
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_BUFFER, scan->buffer_next);
    BTreeCursor *cursor;
    int rc = btree_cursor_open(scan->txn, (Pgno)desc->storage_root, scan->group_arena, &cursor, err);
    if (rc == STRATA_OK) {
        rc = btree_cursor_seek(cursor, key, sizeof key, BTREE_SEEK_GE, err);
    }
    while (rc == STRATA_OK && out->row_count < out->capacity) {
        if (!btree_cursor_valid(cursor) || !btree_cursor_key_has_prefix(cursor, key, 1)) {
            scan->phase = PHASE_DONE;
            return STRATA_OK;
        }
        size_t key_len, len;
        const uint8_t *at = btree_cursor_key(cursor, &key_len);
        if (key_len != COLKEY_NUM_BYTES) {
            return error_corrupt(err, "write buffer of column table \"%s\" is corrupted: bad key",
                                 desc->name);
        }
        uint64_t rownum = col_get_be64(at + 1);
        scan->buffer_next = rownum + 1;
        const uint8_t *value;
        rc = btree_cursor_value(cursor, scan->group_arena, &value, &len, err);
        if (rc == STRATA_OK) {
            rc = colbuf_decode(desc, value, len, scan->all_columns, desc->column_count, scan->row, err);
        }
        scan->counters.buffer_rows_read++;
        if (rc == STRATA_OK && row_passes(scan, scan->row)) {
            int row = out->row_count;
            for (int index = 0; index < scan->column_count; index++) {
                const Value *v = &scan->row[scan->columns[index]];
                bool ok = v->is_null ? batch_set_null(out, index, row) : batch_set_value(out, index, row, v);
                if (!ok) {
                    return arena_error(out->arena, err);
                }
            }
            if (scan->want_row_id && !put_row_id(out, scan->column_count, row, rownum)) {
                return arena_error(out->arena, err);
            }
            out->row_count++;
        }
        if (rc == STRATA_OK) {
            rc = btree_cursor_next(cursor, err);
        }
    }
    return rc;
}

int colscan_next(TableScan *scan, Batch *out, Error *err)
{
    batch_reset(out);
    int rc = STRATA_OK;
    while (rc == STRATA_OK && out->row_count < out->capacity && scan->phase != PHASE_DONE) {
        if (scan->claim != NULL && out->row_count > 0 && scan->phase == PHASE_GROUPS &&
            !scan->group_loaded) {
            break; /* a batch holds one claim's rows (ScanSpec.claim_ticket) */
        }
        if (scan->phase == PHASE_GROUPS) {
            rc = scan->group_loaded ? emit_group_rows(scan, out, err) : load_group(scan, err);
        } else {
            rc = emit_buffer_rows(scan, out, err);
        }
    }
    return rc;
}

void colscan_end(TableScan *scan)
{
    if (scan != NULL) {
        arena_destroy(scan->group_arena);
        scan->group_arena = NULL;
    }
}

void column_scan_counters(const TableScan *scan, ColumnScanCounters *out) { *out = scan->counters; }

void colscan_counters(const TableScan *scan, TableScanCounters *out)
{
    out->row_groups_scanned = scan->counters.row_groups_scanned;
    out->row_groups_skipped = scan->counters.row_groups_skipped;
    out->bytes_read = scan->counters.segment_bytes_read;
}

/* Plain EXPLAIN: the groups the zone maps would let a scan with spec skip,
 * from the descriptors alone (delete vectors are not read: a wholly deleted
 * group counts as scanned). */
int colscan_preview(PagerTxn *txn, const TableDesc *desc, const ScanSpec *spec,
                    TableScanCounters *out, Error *err)
{
    memset(out, 0, sizeof *out);
    Arena *arena = arena_create(NULL, 0, "column scan preview");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    TableScan *scan = NULL;
    int rc = colscan_begin(txn, desc, spec, arena, &scan, err);
    for (bool found = rc == STRATA_OK; found;) {
        arena_reset(scan->group_arena);
        rc = colgroup_next(txn, desc, scan->group_arena, &scan->next_group, &scan->group, &found,
                           err);
        if (rc != STRATA_OK || !found) {
            break;
        }
        scan->next_group = scan->group.last_rownum + 1;
        if (group_skippable(scan, &scan->group)) {
            out->row_groups_skipped++;
        } else {
            out->row_groups_scanned++;
        }
    }
    colscan_end(scan);
    arena_destroy(arena);
    return rc;
}

/* ---- The locator ------------------------------------------------------------------------- */

int colloc_open(ColLocator *loc, PagerTxn *txn, const TableDesc *desc, Error *err)
{
    memset(loc, 0, sizeof *loc);
    loc->txn = txn;
    loc->desc = desc;
    loc->arena = arena_create(NULL, 0, "column locator");
    loc->group_arena = loc->arena != NULL ? arena_create(loc->arena, 0, "column locator group") : NULL;
    loc->row_arena = loc->arena != NULL ? arena_create(loc->arena, 0, "column locator row") : NULL;
    loc->find_arena =
        loc->arena != NULL ? arena_create(loc->arena, 0, "column locator descriptor") : NULL;
    if (loc->group_arena == NULL || loc->row_arena == NULL || loc->find_arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    loc->points = arena_zalloc(loc->arena, sizeof *loc->points * (size_t)(desc->column_count + 1));
    loc->used_points = arena_alloc(loc->arena, sizeof *loc->used_points * (size_t)(desc->column_count + 1));
    if (loc->points == NULL || loc->used_points == NULL) {
        return arena_error(loc->arena, err);
    }
    loc->key_columns = desc->key_columns;
    loc->key_column_count = desc->key_count;
    return STRATA_OK;
}

int colloc_flush(ColLocator *loc, Error *err)
{
    if (!loc->dv_dirty) {
        return STRATA_OK;
    }
    loc->dv_dirty = false;
    loc->deletes_floor = 0; /* a vector stored now: load every group's again */
    return coldel_store(loc->txn, loc->desc, loc->row_arena, &loc->dv, err);
}

void colloc_close(ColLocator *loc)
{
    colgroup_memo_release(&loc->memo);
    arena_destroy(loc->arena);
}

/* ---- The fetch cache ---------------------------------------------------------------------
 * An index scan fetches a few rows per row group, and a kept statement (the C API's
 * statement cache) fetches the same ones at every execution: opening a group (its
 * descriptor, each needed segment's header and parameters, a small compressed
 * segment's body, delta_blocked checkpoints) was nearly all of a point read's cost
 * (star q10: ~20K instructions per row, one group per row). colscan_fetch_cached
 * keeps every group a locator opened (ColLocator state, with its own arena) in the
 * caller's cache, for read-only txns of one snapshot of one database: the same
 * snapshot of a pager is the same bytes, so nothing kept can be stale. A write txn
 * fetches without it; another snapshot, pager or table, or more than
 * COLFETCH_CACHE_BYTES_MAX kept, empties it first. No page stays pinned between calls. */

/* Kept groups stop being added past this many bytes of arena blocks (star q10 at 2M
 * facts: 9 groups, about 280 KB); a cache past half as much again is emptied at the
 * next call. It lives in the kept statement's memory, which the C API's statement
 * cache bounds at 1 MiB. */
#define COLFETCH_CACHE_BYTES_MAX ((size_t)512 << 10)

typedef struct CachedGroup {
    GroupDesc group;
    const int64_t *rownums_or_null;
    DeleteVector dv;
    SegPoint **points;
    int *used_points;
    int used_point_count;
} CachedGroup;

typedef struct ColFetchCache {
    Arena *arena; /* under the caller's arena; reset when the key changes */
    const Pager *pager;
    uint64_t snapshot, table_id, storage_root;
    int column_count;
    bool has_floors;
    uint64_t buffer_floor, deletes_floor;
    CachedGroup *groups; /* ascending first row numbers */
    int group_count, group_capacity;
    uint32_t epoch; /* calls so far */
} ColFetchCache;

int column_fetch_cache_groups(const void *cache)
{
    return cache != NULL ? ((const ColFetchCache *)cache)->group_count : 0;
}

/* The index of the first kept group whose first row number is above rownum. */
static int cache_upper(const ColFetchCache *cache, uint64_t rownum)
{
    int low = 0, high = cache->group_count;
    while (low < high) {
        int mid = low + (high - low) / 2;
        if (cache->groups[mid].group.first_rownum <= rownum) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

/* Stores the locator's group state (the segments it opened since) in its entry. */
static void cache_put_back(ColLocator *loc)
{
    ColFetchCache *cache = loc->cache;
    int at = cache_upper(cache, loc->group.first_rownum) - 1;
    if (at >= 0 && cache->groups[at].group.first_rownum == loc->group.first_rownum) {
        cache->groups[at].used_point_count = loc->used_point_count;
    }
}

/* Makes the kept group holding rownum the locator's; false when none is kept. */
static bool cache_take(ColLocator *loc, uint64_t rownum)
{
    ColFetchCache *cache = loc->cache;
    int at = cache_upper(cache, rownum) - 1;
    if (at < 0 || rownum > cache->groups[at].group.last_rownum) {
        return false;
    }
    const CachedGroup *kept = &cache->groups[at];
    loc->group_arena = cache->arena;
    loc->group = kept->group;
    loc->group.memo = &loc->memo;
    loc->rownums_or_null = kept->rownums_or_null;
    loc->dv = kept->dv;
    loc->points = kept->points;
    loc->used_points = kept->used_points;
    loc->used_point_count = kept->used_point_count;
    loc->has_group = loc->group_is_kept = true;
    return true;
}

/* Fresh segment readers for a group about to be opened: in the cache's arena
 * (kept), or, once the cache holds COLFETCH_CACHE_BYTES_MAX, in an arena of this
 * call's that goes when the locator leaves the group. */
static int cache_new_group(ColLocator *loc, Error *err)
{
    size_t slots = (size_t)loc->desc->column_count + 1;
    arena_destroy(loc->passing_arena);
    loc->passing_arena = NULL;
    loc->group_is_kept = arena_used_bytes(loc->cache->arena) < COLFETCH_CACHE_BYTES_MAX;
    if (loc->group_is_kept) {
        loc->group_arena = loc->cache->arena;
    } else {
        loc->group_arena = loc->passing_arena =
            arena_create(loc->arena, 0, "column fetch group");
        if (loc->group_arena == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    }
    loc->points = arena_zalloc(loc->group_arena, sizeof *loc->points * slots);
    loc->used_points = arena_alloc(loc->group_arena, sizeof *loc->used_points * slots);
    loc->used_point_count = 0;
    if (loc->points == NULL || loc->used_points == NULL) {
        return arena_error(loc->group_arena, err);
    }
    return STRATA_OK;
}

/* Keeps the locator's newly opened group. */
static int cache_add(ColLocator *loc, Error *err)
{
    ColFetchCache *cache = loc->cache;
    if (cache->group_count == cache->group_capacity) {
        int capacity = cache->group_capacity > 0 ? cache->group_capacity * 2 : 16;
        CachedGroup *grown = arena_realloc(cache->arena, cache->groups,
                                           sizeof *grown * (size_t)cache->group_capacity,
                                           sizeof *grown * (size_t)capacity);
        if (grown == NULL) {
            return arena_error(cache->arena, err);
        }
        cache->groups = grown;
        cache->group_capacity = capacity;
    }
    int at = cache_upper(cache, loc->group.first_rownum);
    memmove(cache->groups + at + 1, cache->groups + at,
            sizeof *cache->groups * (size_t)(cache->group_count - at));
    CachedGroup *kept = &cache->groups[at];
    kept->group = loc->group;
    kept->group.memo = NULL;
    kept->rownums_or_null = loc->rownums_or_null;
    kept->dv = loc->dv;
    kept->points = loc->points;
    kept->used_points = loc->used_points;
    kept->used_point_count = loc->used_point_count;
    cache->group_count++;
    return STRATA_OK;
}

/* Makes the cache valid for txn (emptying it when it was kept for another
 * snapshot, database or table, or has grown past its bound) and gives the
 * locator what it holds. */
static void cache_attach(ColLocator *loc, ColFetchCache *cache)
{
    PagerTxn *txn = loc->txn;
    const TableDesc *desc = loc->desc;
    if (cache->pager != pager_txn_pager(txn) || cache->snapshot != pager_txn_snapshot(txn) ||
        cache->table_id != desc->table_id || cache->storage_root != desc->storage_root ||
        cache->column_count != desc->column_count ||
        arena_used_bytes(cache->arena) > COLFETCH_CACHE_BYTES_MAX / 2 * 3) {
        arena_reset(cache->arena);
        cache->pager = pager_txn_pager(txn);
        cache->snapshot = pager_txn_snapshot(txn);
        cache->table_id = desc->table_id;
        cache->storage_root = desc->storage_root;
        cache->column_count = desc->column_count;
        cache->has_floors = false;
        cache->groups = NULL;
        cache->group_count = cache->group_capacity = 0;
    }
    loc->cache = cache;
    loc->epoch = ++cache->epoch;
    if (cache->has_floors) {
        loc->has_buffer_floor = true;
        loc->buffer_floor = cache->buffer_floor;
        loc->deletes_floor = cache->deletes_floor;
    }
}

/* Ends the locator's use of the cache: its group and floors stay for the next call. */
static void cache_detach(ColLocator *loc)
{
    ColFetchCache *cache = loc->cache;
    if (loc->has_group) {
        cache_put_back(loc);
    }
    if (loc->has_buffer_floor && !cache->has_floors) {
        cache->has_floors = true;
        cache->buffer_floor = loc->buffer_floor;
        cache->deletes_floor = loc->deletes_floor;
    }
    loc->cache = NULL;
    loc->has_group = false;
}

/* Makes the group holding rownum the cached one; *found false if none. */
static int locate_group(ColLocator *loc, uint64_t rownum, bool *found, Error *err)
{
    if (loc->has_group && rownum >= loc->group.first_rownum && rownum <= loc->group.last_rownum) {
        *found = true;
        return STRATA_OK;
    }
    int rc = colloc_flush(loc, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    colgroup_memo_release(&loc->memo);
    if (loc->cache != NULL) {
        if (loc->has_group) {
            cache_put_back(loc);
        }
        loc->has_group = false;
        if (cache_take(loc, rownum)) {
            *found = true;
            return STRATA_OK;
        }
        rc = cache_new_group(loc, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    } else {
        arena_reset(loc->group_arena);
        loc->has_group = false;
        for (int used = 0; used < loc->used_point_count; used++) {
            loc->points[loc->used_points[used]] = NULL; /* its memory went with the group's */
        }
        loc->used_point_count = 0;
    }
    /* The descriptor is found and parsed in scratch memory (the B+tree cursor
     * alone is a page): a group keeps only its segment list and page numbers,
     * so a fetch cache holds many groups in its bound. */
    arena_reset(loc->find_arena);
    GroupDesc found_group;
    rc = colgroup_find(loc->txn, loc->desc, loc->find_arena, rownum, &found_group, found, err);
    if (rc != STRATA_OK || !*found) {
        return rc;
    }
    if (colgroup_copy(loc->group_arena, &found_group, &loc->group) != STRATA_OK) {
        return arena_error(loc->group_arena, err);
    }
    loc->group.memo = &loc->memo;
    /* A dense group's offsets are computed: no 65,536-entry row-number array
     * per group visited (a point lookup touches one row of it). */
    loc->rownums_or_null = NULL;
    if (loc->group.last_rownum - loc->group.first_rownum != (uint64_t)loc->group.row_count - 1) {
        rc = colgroup_rownums(loc->txn, loc->desc, loc->group_arena, &loc->group,
                              &loc->rownums_or_null, err);
    }
    if (rc == STRATA_OK && loc->has_buffer_floor && loc->group.first_rownum < loc->deletes_floor) {
        memset(&loc->dv, 0, sizeof loc->dv); /* as coldel_load finding no vector */
        loc->dv.first_rownum = loc->group.first_rownum;
        loc->dv.row_count = loc->group.row_count;
    } else if (rc == STRATA_OK) {
        rc = coldel_load(loc->txn, loc->desc, loc->group_arena, &loc->group, &loc->dv, err);
    }
    loc->has_group = rc == STRATA_OK;
    if (rc == STRATA_OK && loc->cache != NULL && loc->group_is_kept) {
        rc = cache_add(loc, err);
        loc->has_group = rc == STRATA_OK;
    }
    return rc;
}

/* The number of the first key tagged tag (the lowest buffered row number, the
 * first group with a delete vector) into *out, left alone when there is none. */
static int first_number(ColLocator *loc, int tag, uint64_t *out, Error *err)
{
    BTreeCursor *cursor;
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, tag, 0);
    int rc = btree_cursor_open(loc->txn, (Pgno)loc->desc->storage_root, loc->arena, &cursor, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    rc = btree_cursor_seek(cursor, key, sizeof key, BTREE_SEEK_GE, err);
    size_t key_len;
    const uint8_t *at = rc == STRATA_OK && btree_cursor_valid(cursor)
                            ? btree_cursor_key(cursor, &key_len)
                            : NULL;
    if (at != NULL && key_len == COLKEY_NUM_BYTES && at[0] == tag) {
        *out = col_get_be64(at + 1);
    }
    btree_cursor_close(cursor);
    return rc;
}

/* Whether rownum may be in the write buffer. Row numbers come from one counter and
 * every buffered row's is above every grouped row's (README.md invariant 1), so a
 * row of the cached group is not buffered, nor is one below the lowest buffered
 * row number (or the counter, when the buffer is empty), found once, at a
 * locator's second lookup: a fetch of many rows then skips one B+tree probe per
 * row. Rows inserted later get higher numbers. The same lookup finds the first
 * group with a delete vector: groups before it have none to load. */
static int may_be_buffered(ColLocator *loc, uint64_t rownum, bool *out, Error *err)
{
    *out = true;
    if (loc->has_group && rownum >= loc->group.first_rownum && rownum <= loc->group.last_rownum) {
        *out = false;
        return STRATA_OK;
    }
    if (!loc->has_buffer_floor && loc->lookups++ == 0) {
        return STRATA_OK;
    }
    if (!loc->has_buffer_floor) {
        ColumnMeta meta;
        int rc = colmeta_load(loc->txn, loc->desc, &meta, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        loc->buffer_floor = meta.next_rownum;
        loc->deletes_floor = UINT64_MAX;
        rc = meta.buffer_rows > 0 ? first_number(loc, COLKEY_BUFFER, &loc->buffer_floor, err)
                                  : STRATA_OK;
        if (rc == STRATA_OK) {
            rc = first_number(loc, COLKEY_DELETES, &loc->deletes_floor, err);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
        loc->has_buffer_floor = true;
    }
    *out = rownum >= loc->buffer_floor;
    return STRATA_OK;
}

int colloc_row(ColLocator *loc, uint64_t rownum, const int *columns, int column_count, Value **out,
               bool *in_buffer, bool *found, Error *err)
{
    const TableDesc *desc = loc->desc;
    arena_reset(loc->row_arena);
    *found = *in_buffer = false;
    *out = arena_zalloc(loc->row_arena, sizeof **out * (size_t)(column_count + 1));
    if (*out == NULL) {
        return arena_error(loc->row_arena, err);
    }
    bool buffered;
    int rc = may_be_buffered(loc, rownum, &buffered, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    uint8_t key[COLKEY_NUM_BYTES];
    colkey_num(key, COLKEY_BUFFER, rownum);
    const uint8_t *value = NULL;
    size_t len = 0;
    if (buffered) {
        rc = btree_get(loc->txn, (Pgno)desc->storage_root, key, sizeof key, loc->row_arena, &value,
                       &len, in_buffer, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (*in_buffer) {
        *found = true;
        return colbuf_decode(desc, value, len, columns, column_count, *out, err);
    }
    bool has_group;
    rc = locate_group(loc, rownum, &has_group, err);
    if (rc != STRATA_OK || !has_group) {
        return rc;
    }
    int64_t offset = colgroup_offset_of(&loc->group, loc->rownums_or_null, rownum);
    if (offset < 0 || coldel_is_deleted(&loc->dv, (uint32_t)offset)) {
        return STRATA_OK;
    }
    for (int index = 0; index < column_count; index++) {
        int col = columns[index];
        SegPoint *point = loc->points[col];
        if (point == NULL) {
            /* Only the segments read get a reader (a kept group holds no others). */
            point = arena_zalloc(loc->group_arena, sizeof *point);
            if (point == NULL) {
                return arena_error(loc->group_arena, err);
            }
            loc->points[col] = point;
            loc->used_points[loc->used_point_count++] = col;
        }
        if (point->reads_epoch != loc->epoch) {
            point->reads_epoch = loc->epoch; /* a kept segment: count this call's reads */
            point->reads = 0;
        }
        rc = colpoint_get(loc->txn, desc, loc->group_arena, &loc->group, col, point,
                          (uint32_t)offset, desc->column_types[col], &(*out)[index], NULL, err);
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    loc->last_offset = offset;
    *found = true;
    return STRATA_OK;
}

int colloc_mark_deleted(ColLocator *loc, uint64_t rownum, Error *err)
{
    ST_ASSERT(loc->has_group &&
              colgroup_offset_of(&loc->group, loc->rownums_or_null, rownum) == loc->last_offset);
    uint32_t row = (uint32_t)loc->last_offset;
    if (!coldel_mark(loc->group_arena, &loc->dv, row)) {
        return arena_error(loc->group_arena, err);
    }
    loc->dv_dirty = true;
    return STRATA_OK;
}

/* ---- fetch ------------------------------------------------------------------------------- */

static int fetch_rows(ColLocator *loc, const StrRef *row_ids, int count, const int *columns,
                      int column_count, bool want_row_id, Batch *out, Error *err);

int colscan_fetch(PagerTxn *txn, const TableDesc *desc, const StrRef *row_ids, int count,
                  const int *columns, int column_count, bool want_row_id, Batch *out, Error *err)
{
    ColLocator loc;
    int rc = colloc_open(&loc, txn, desc, err);
    if (rc == STRATA_OK) {
        rc = fetch_rows(&loc, row_ids, count, columns, column_count, want_row_id, out, err);
    }
    colloc_close(&loc);
    return rc;
}

int colscan_fetch_cached(PagerTxn *txn, const TableDesc *desc, void **cache, Arena *arena,
                         const StrRef *row_ids, int count, const int *columns, int column_count,
                         bool want_row_id, Batch *out, Error *err)
{
    ColFetchCache *kept = *cache;
    if (kept == NULL && !pager_txn_is_write(txn)) {
        kept = arena_zalloc(arena, sizeof *kept);
        Arena *kept_arena = kept != NULL ? arena_create(arena, 0, "column fetch cache") : NULL;
        if (kept_arena == NULL) {
            /* No cache, then: the fetch itself needs no memory of the caller's. */
            return colscan_fetch(txn, desc, row_ids, count, columns, column_count, want_row_id,
                                 out, err);
        }
        /* Blocks of 16 KiB: the bound counts the arena's blocks, and doubling
         * blocks would leave up to half of it empty. */
        arena_set_block_size_max(kept_arena, (size_t)16 << 10);
        kept->arena = kept_arena;
        *cache = kept;
    }
    if (kept == NULL || pager_txn_is_write(txn)) {
        return colscan_fetch(txn, desc, row_ids, count, columns, column_count, want_row_id, out,
                             err);
    }
    ColLocator loc;
    int rc = colloc_open(&loc, txn, desc, err);
    int rows_before = out->row_count;
    if (rc == STRATA_OK) {
        cache_attach(&loc, kept);
        rc = fetch_rows(&loc, row_ids, count, columns, column_count, want_row_id, out, err);
        cache_detach(&loc);
    }
    colloc_close(&loc);
    if (rc == STRATA_NOMEM) {
        /* The cache passed a budget of the caller's arena: empty it, fetch without. */
        arena_reset(kept->arena);
        kept->pager = NULL;
        kept->groups = NULL;
        kept->group_count = kept->group_capacity = 0;
        kept->has_floors = false;
        out->row_count = rows_before;
        error_clear(err);
        rc = colscan_fetch(txn, desc, row_ids, count, columns, column_count, want_row_id, out,
                           err);
    }
    return rc;
}

/* Appends the rows of row_ids that exist to out (the body of both fetches). */
static int fetch_rows(ColLocator *loc, const StrRef *row_ids, int count, const int *columns,
                      int column_count, bool want_row_id, Batch *out, Error *err)
{
    /* Per output column, the physical kind whose value is stored straight into the
     * batch's vector (int64, float64, bool), or STORE_GENERIC for batch_set_value (a
     * call and a type switch per value were 5% of star q10 at 20M facts). */
    enum { STORE_GENERIC = 0xff };
    uint8_t *direct = arena_alloc(loc->arena, (size_t)column_count + 1);
    if (direct == NULL) {
        return arena_error(loc->arena, err);
    }
    for (int col = 0; col < column_count; col++) {
        PhysKind kind = type_phys(out->columns[col].type.id);
        bool is_fixed = kind == PHYS_I64 || kind == PHYS_F64 || kind == PHYS_BOOL;
        direct[col] = (uint8_t)(is_fixed && kind == type_phys(loc->desc->column_types[columns[col]].id)
                                    ? kind
                                    : STORE_GENERIC);
    }
    int rc = STRATA_OK;
    for (int index = 0; rc == STRATA_OK && index < count; index++) {
        if (row_ids[index].len != 8) {
            continue;
        }
        uint64_t rownum = col_get_be64((const uint8_t *)row_ids[index].ptr);
        Value *values;
        bool in_buffer, found;
        rc = colloc_row(loc, rownum, columns, column_count, &values, &in_buffer, &found, err);
        if (rc != STRATA_OK || !found) {
            continue;
        }
        if (out->row_count >= out->capacity) {
            rc = error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, "too many rows for one fetch batch");
            break;
        }
        int row = out->row_count;
        for (int col = 0; col < column_count && rc == STRATA_OK; col++) {
            const Value *value = &values[col];
            Vector *vector = &out->columns[col];
            if (!value->is_null && direct[col] != STORE_GENERIC) {
                if (vector->nulls != NULL) {
                    vector->nulls[row] = 0;
                }
                if (direct[col] == PHYS_I64) {
                    vector->i64[row] = value->i64;
                } else if (direct[col] == PHYS_F64) {
                    vector->f64[row] = value->f64;
                } else {
                    vector->b[row] = value->b;
                }
                continue;
            }
            bool ok = value->is_null ? batch_set_null(out, col, row)
                                     : batch_set_value(out, col, row, value);
            rc = ok ? STRATA_OK : arena_error(out->arena, err);
        }
        if (rc == STRATA_OK && want_row_id && !put_row_id(out, column_count, row, rownum)) {
            rc = arena_error(out->arena, err);
        }
        if (rc == STRATA_OK) {
            out->row_count++;
        }
    }
    return rc;
}

/* ---- Introspection -------------------------------------------------------------------- */

/* Bytes of one non-NULL value at its SQL type's width (strings: counted apart). */
static uint64_t raw_width(TypeId id, PhysKind kind)
{
    switch (id) {
    case TYPE_INT2:
        return 2;
    case TYPE_INT4:
    case TYPE_DATE:
    case TYPE_FLOAT4:
        return 4;
    default:
        return phys_serialized_size(kind);
    }
}

enum { STORAGE_KINDS = COLENC_COUNT * 3 }; /* encoding x compression (none, lz4, zstd) */

/* "for x28, dictionary+zstd x2" from counts[encoding * 3 + compression], most used first. */
static const char *encodings_text(Arena *arena, const uint64_t *counts)
{
    static const char *const compressions[3] = {"", "+lz4", "+zstd"};
    uint64_t done[STORAGE_KINDS] = {0};
    int kinds = 0;
    for (int k = 0; k < STORAGE_KINDS; k++) {
        kinds += counts[k] > 0;
    }
    const char *text = "";
    for (int printed = 0; printed < kinds && text != NULL; printed++) {
        int best = -1;
        for (int k = 0; k < STORAGE_KINDS; k++) {
            if (!done[k] && counts[k] > 0 && (best < 0 || counts[k] > counts[best])) {
                best = k;
            }
        }
        done[best] = 1;
        const char *name =
            arena_sprintf(arena, "%s%s", colenc_name(best / 3), compressions[best % 3]);
        text = kinds == 1     ? name
               : name == NULL ? NULL
                              : arena_sprintf(arena, "%s%s%s x%llu", text, printed > 0 ? ", " : "",
                                              name, (unsigned long long)counts[best]);
    }
    return text;
}

/* Raw bytes of a string segment: its values' lengths (decodes the segment). */
static int string_raw_bytes(PagerTxn *txn, const TableDesc *desc, Arena *scratch,
                            const GroupDesc *group, int col, uint64_t *raw, Error *err)
{
    ColumnData data;
    int rc = colgroup_read_segment(txn, desc, scratch, group, col, &data, NULL, err);
    for (uint32_t row = 0; rc == STRATA_OK && row < data.count; row++) {
        if (data.nulls == NULL || !data.nulls[row]) {
            *raw += ((const StrRef *)data.values)[row].len;
        }
    }
    return rc;
}

int colscan_storage_info(PagerTxn *txn, const TableDesc *desc, Arena *arena, TableStorageInfo *out,
                         Error *err)
{
    ColumnMeta meta;
    int cols = desc->column_count;
    memset(out, 0, sizeof *out);
    uint64_t *counts = arena_zalloc(arena, sizeof *counts * (size_t)(cols * STORAGE_KINDS + 1));
    out->columns = arena_zalloc(arena, sizeof *out->columns * (size_t)(cols + 1));
    Arena *scratch = arena_create(NULL, 0, "column storage info");
    if (counts == NULL || out->columns == NULL || scratch == NULL) {
        arena_destroy(scratch);
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = colmeta_load(txn, desc, &meta, err);
    out->buffered_rows = meta.buffer_rows;
    uint64_t at = 0;
    for (bool found = rc == STRATA_OK; found && rc == STRATA_OK;) {
        GroupDesc group;
        arena_reset(scratch);
        rc = colgroup_next(txn, desc, scratch, &at, &group, &found, err);
        if (rc != STRATA_OK || !found) {
            break;
        }
        at = group.last_rownum + 1;
        out->row_groups++;
        for (int col = 0; col < cols && rc == STRATA_OK; col++) {
            const SegmentRef *seg = &group.segs[col];
            PhysKind kind = type_phys(desc->column_types[col].id);
            ColumnStorageInfo *info = &out->columns[col];
            counts[col * STORAGE_KINDS + (seg->encoding % COLENC_COUNT) * 3 +
                   seg->compression % 3]++;
            info->stored_bytes += seg->length;
            if (kind == PHYS_STRING) {
                rc = string_raw_bytes(txn, desc, scratch, &group, col, &info->raw_bytes, err);
            } else {
                info->raw_bytes += (uint64_t)(group.row_count - group.zones[col].null_count) *
                                   raw_width(desc->column_types[col].id, kind);
            }
        }
    }
    for (int col = 0; col < cols && rc == STRATA_OK; col++) {
        out->columns[col].encodings = encodings_text(arena, counts + col * STORAGE_KINDS);
        if (out->columns[col].encodings == NULL) {
            rc = arena_error(arena, err);
        }
    }
    arena_destroy(scratch);
    return rc;
}

const char *column_encoding_name(int encoding) { return colenc_name(encoding); }

int column_segment_info(PagerTxn *txn, const TableDesc *desc, uint32_t group_index, int column,
                        int *encoding, uint64_t *stored_bytes, Error *err)
{
    Arena *arena = arena_create(NULL, 0, "column segment info");
    if (arena == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    uint64_t at = 0;
    GroupDesc group;
    bool found = false;
    int rc = STRATA_OK;
    for (uint32_t index = 0; index <= group_index && rc == STRATA_OK; index++) {
        rc = colgroup_next(txn, desc, arena, &at, &group, &found, err);
        if (!found) {
            break;
        }
        at = group.last_rownum + 1;
    }
    if (rc == STRATA_OK && (!found || column < 0 || column > desc->column_count)) {
        rc = error_set(err, SQLSTATE_INTERNAL_ERROR, "no row group %u or column %d", group_index, column);
    }
    if (rc == STRATA_OK) {
        *encoding = group.segs[column].encoding;
        *stored_bytes = group.segs[column].length;
    }
    arena_destroy(arena);
    return rc;
}
