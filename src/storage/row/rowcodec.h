/*
 * storage/row/rowcodec.h - compact encoding of a whole row, the row store's
 * B+tree value (and the btree index's INCLUDE columns).
 *
 * Format 2 (written since issue 6; integers little-endian unless varint):
 *   byte 0          format: ROWCODEC_FORMAT_V2 (0x02)
 *   column_count    LEB128 varint (at most 3 bytes)
 *   null bitmap     ceil(column_count / 8) bytes, bit c%8 of byte c/8 = column c is NULL
 *   fields          for each non-NULL column in order, by physical kind:
 *                     bool 1 byte; int64 kinds (integers, dates, times, timestamps)
 *                     zigzag LEB128 varint, 1 to 10 bytes; float 8 (IEEE bits);
 *                     numeric 19 (coef i128, scale i16, flags u8; flags 4 = a value
 *                     past 38 digits: magnitude length and sign in the coef bytes,
 *                     the magnitude after: numeric_serialize in types/numeric.h);
 *                     interval 16
 *                     (months i32, days i32, micros i64); uuid 16;
 *                     strings: length as LEB128 varint, then the bytes
 * Format 1 (still read): format byte 0x01, column_count u16, the same bitmap,
 *   int64 kinds as 8 fixed bytes, the rest as format 2. Format 2 saves 5 to 7
 *   bytes per small integer or date (star benchmark dim_user: 57 -> 46 bytes a row).
 *
 * A row with fewer columns than the table reads the missing trailing columns
 * as NULL (room for ALTER TABLE ADD COLUMN without a rewrite); more columns
 * than the table, an unknown format, or a field running past the buffer is
 * STRATA_CORRUPT.
 *
 * Projection: rowcodec_decode() steps over unwanted fields (fixed widths and
 * length prefixes) without materializing them.
 * Threads: pure functions.
 */
#ifndef STRATA_STORAGE_ROW_ROWCODEC_H
#define STRATA_STORAGE_ROW_ROWCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "types/batch.h"
#include "types/types.h"
#include "util/arena.h"
#include "util/error.h"

#define ROWCODEC_FORMAT_V1 0x01
#define ROWCODEC_FORMAT_V2 0x02
/* Longest varint of a 64-bit value. */
#define ROWCODEC_VARINT_MAX 10

/* Encodes values[0..count) into arena memory (*out arena-owned).
 * Each value's physical kind must match its type. */
int rowcodec_encode(Arena *arena, const Value *values, int count, uint8_t **out,
                    size_t *out_len, Error *err);

/* rowcodec_encode of columns [0, count) of row `row` of batch (a row index,
 * not a selection position), read straight from the column vectors: the same
 * bytes as rowcodec_encode of the row's Values typed types[0..count) (each
 * type's physical kind must be its vector's). *out is arena-owned. Every vector of
 * an INSERT ... SELECT's batch went through a Value per cell and the generic
 * encoder before (star q09: about 630 instructions a six-column row). */
int rowcodec_encode_batch_row(Arena *arena, const Batch *batch, const SqlType *types, int count,
                              int row, uint8_t **out, size_t *out_len, Error *err);

/* Decodes the columns listed in columns[0..column_count) (table column
 * indexes, any order) into out[0..column_count), typed by types[0..type_count)
 * (the table's columns). Strings are borrowed from data. */
int rowcodec_decode(const uint8_t *data, size_t len, const SqlType *types, int type_count,
                    const int *columns, int column_count, Value *out, Error *err);

/* As rowcodec_decode, straight into row `row` of out (out's column c takes
 * columns[c]); columns must be strictly ascending. Strings are copied into
 * out's arena (batch_set_value). For scans: no intermediate Values. */
int rowcodec_decode_batch(const uint8_t *data, size_t len, const SqlType *types, int type_count,
                          const int *columns, int column_count, Batch *out, int row, Error *err);

/* A scan's ascending projection compiled once (rowcodec_plan_init), so that
 * decoding a row walks a byte per stored column instead of re-deriving kinds
 * and positions: a dimension build decodes a million rows with it (issue 6). */
typedef struct RowcodecPlan {
    const SqlType *types; /* the table's column types (borrowed) */
    int type_count;
    int column_count;     /* output columns */
    int walk_count;       /* stored columns to walk: the last wanted one + 1 */
    uint8_t *op;          /* per stored column < walk_count: ROWCODEC_OP_* */
    int *out;             /* per stored column < walk_count: output column, or -1 */
} RowcodecPlan;

/* Compiles the projection columns[0..column_count) (strictly ascending table
 * columns) with output columns c < 64 in skip left to the caller (the row
 * store fills its integer key columns from the key). The plan's
 * arrays live in arena. Returns STRATA_NOMEM when it runs out. */
int rowcodec_plan_init(Arena *arena, const SqlType *types, int type_count, const int *columns,
                       int column_count, uint64_t skip, RowcodecPlan *plan);

/* rowcodec_decode_batch through a plan (skipped outputs left alone): the same
 * results and errors. */
int rowcodec_decode_plan(const uint8_t *data, size_t len, const RowcodecPlan *plan, Batch *out,
                         int row, Error *err);

#endif
