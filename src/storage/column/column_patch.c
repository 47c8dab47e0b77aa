/*
 * storage/column/column_patch.c - patched frame of reference (PFOR) for int64
 * columns: bit packing at the width most values need, the few values that do
 * not fit (outliers, the day boundary of a time-of-day column, the jump of a
 * session number) stored again in full after the packed bits. Layout and
 * contract in column_int.h; used by column_encode.c for COLENC_FOR_PATCHED
 * (the values) and COLENC_DELTA_PATCHED (their differences).
 *
 * Invariants
 *   1. A value is an exception exactly when value < base (signed) or
 *      value - base >= 2^width; the planner and the writer use the same test
 *      (is_exception), so plan->bytes is the written size.
 *   2. Arithmetic wraps modulo 2^64 (exceptions keep zigzag_encode of the wrapped
 *      difference), so any int64 sequence round-trips.
 *   3. The reader checks every length, position and varint against its input:
 *      segments come from disk (malformed -> 0, the caller reports corruption).
 *
 * The planner tries two bases: the minimum (no value below it) and the 1st
 * percentile of a sample of 256 values (a few low outliers become exceptions),
 * and for each base every width, from a histogram of the residuals' bit
 * lengths: one pass over the values per base.
 * Threads: pure functions. See README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/column/column_int.h"
#include "util/varint.h"

enum { PATCH_SAMPLE = 256, PATCH_SAMPLE_MIN_VALUES = 1024 };

static bool is_exception(int64_t value, uint64_t base, int width)
{
    if (value < (int64_t)base) {
        return true;
    }
    return width < 64 && ((uint64_t)value - base) >> width != 0;
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* The best width for base: fills plan when smaller than plan->bytes. */
static void plan_base(const int64_t *values, uint32_t count, uint64_t base, ColPatchPlan *plan)
{
    /* fits[b]: values >= base whose residual has b bits; their exception size is
     * the zigzag_encode varint of a (b + 1)-bit number. below: bytes of those < base. */
    uint32_t fits[65] = {0};
    uint32_t below = 0;
    size_t below_bytes = 0;
    for (uint32_t row = 0; row < count; row++) {
        uint64_t residual = (uint64_t)values[row] - base;
        if (values[row] < (int64_t)base) {
            below++;
            below_bytes += varint_size(zigzag_encode((int64_t)residual));
        } else {
            fits[bits_for(residual)]++;
        }
    }
    uint32_t exceptions = below;
    size_t exception_bytes = below_bytes;
    for (int width = 64; width >= 0; width--) {
        if (width < 64) {
            /* Values of width + 1 bits stop fitting. */
            exceptions += fits[width + 1];
            exception_bytes += (size_t)fits[width + 1] * (((size_t)width + 2 + 6) / 7);
        }
        size_t gaps = exceptions > 0 ? exceptions * varint_size(count / exceptions) : 0;
        size_t bytes = 9 + varint_size(exceptions) + ((size_t)count * (size_t)width + 7) / 8 +
                       exception_bytes + gaps;
        if (bytes < plan->bytes) {
            plan->bytes = bytes;
            plan->base = base;
            plan->width = width;
            plan->exceptions = exceptions;
        }
    }
}

/* The exact size of plan's encoding and its exception count (the estimate
 * above approximates the gaps). */
static size_t exact_bytes(const int64_t *values, uint32_t count, ColPatchPlan *plan)
{
    size_t bytes = 0;
    uint32_t exceptions = 0;
    int64_t previous = -1;
    for (uint32_t row = 0; row < count; row++) {
        if (is_exception(values[row], plan->base, plan->width)) {
            bytes += varint_size((uint64_t)((int64_t)row - previous - 1)) +
                     varint_size(zigzag_encode((int64_t)((uint64_t)values[row] - plan->base)));
            previous = row;
            exceptions++;
        }
    }
    plan->exceptions = exceptions;
    return bytes + 9 + varint_size(exceptions) + ((size_t)count * (size_t)plan->width + 7) / 8;
}

void colpatch_plan(Arena *arena, const int64_t *values, uint32_t count, bool quick,
                   ColPatchPlan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->bytes = SIZE_MAX;
    int64_t min = count > 0 ? values[0] : 0, max = min;
    for (uint32_t row = 1; row < count; row++) {
        min = values[row] < min ? values[row] : min;
        max = values[row] > max ? values[row] : max;
    }
    int64_t *sample = count >= PATCH_SAMPLE_MIN_VALUES
                          ? arena_alloc(arena, sizeof *sample * PATCH_SAMPLE)
                          : NULL;
    int64_t low = min;
    if (sample != NULL) {
        for (uint32_t index = 0; index < PATCH_SAMPLE; index++) {
            sample[index] = values[(uint64_t)index * count / PATCH_SAMPLE];
        }
        qsort(sample, PATCH_SAMPLE, sizeof *sample, compare_i64);
        low = sample[PATCH_SAMPLE / 100];
        int64_t high = sample[PATCH_SAMPLE - 1 - PATCH_SAMPLE / 100];
        /* When the sample's 1st to 99th percentile needs as many bits as the
         * whole range, exceptions cannot pay: leave it to FOR and delta (the
         * planning passes were a tenth of a COPY's cycles). */
        if (quick && bits_for((uint64_t)high - (uint64_t)low) >=
                         bits_for((uint64_t)max - (uint64_t)min)) {
            return;
        }
    }
    plan_base(values, count, (uint64_t)min, plan);
    if (low != min) {
        plan_base(values, count, (uint64_t)low, plan);
    }
    plan->bytes = exact_bytes(values, count, plan);
}

bool colpatch_write(Arena *arena, const int64_t *values, uint32_t count,
                    const ColPatchPlan *plan, uint8_t *out)
{
    uint64_t *packed = arena_alloc(arena, sizeof *packed * ((size_t)count + 1));
    if (packed == NULL) {
        return false;
    }
    col_put_u64(out, plan->base);
    out[8] = (uint8_t)plan->width;
    size_t pos = 9 + varint_put(out + 9, plan->exceptions);
    for (uint32_t row = 0; row < count; row++) {
        bool exception = is_exception(values[row], plan->base, plan->width);
        packed[row] = exception ? 0 : (uint64_t)values[row] - plan->base;
    }
    colbits_pack(out + pos, packed, count, plan->width);
    pos += ((size_t)count * (size_t)plan->width + 7) / 8;
    int64_t previous = -1;
    for (uint32_t row = 0; row < count; row++) {
        if (is_exception(values[row], plan->base, plan->width)) {
            pos += varint_put(out + pos, (uint64_t)((int64_t)row - previous - 1));
            pos += varint_put(out + pos, zigzag_encode((int64_t)((uint64_t)values[row] - plan->base)));
            previous = row;
        }
    }
    return pos == plan->bytes;
}

size_t colpatch_read(Arena *arena, const uint8_t *in, size_t avail, int64_t *values,
                     uint32_t count)
{
    if (avail < 9 || in[8] > 64) {
        return 0;
    }
    uint64_t base = col_get_u64(in);
    int width = in[8];
    size_t pos = 9;
    uint64_t exceptions;
    if (!varint_get(in, avail, &pos, &exceptions) || exceptions > count) {
        return 0;
    }
    size_t packed_bytes = ((size_t)count * (size_t)width + 7) / 8;
    uint64_t *packed = arena_alloc(arena, sizeof *packed * ((size_t)count + 1));
    if (packed == NULL || packed_bytes > avail - pos) {
        return 0;
    }
    colbits_unpack(in + pos, packed, count, width);
    pos += packed_bytes;
    for (uint32_t row = 0; row < count; row++) {
        values[row] = (int64_t)(base + packed[row]);
    }
    uint64_t next = 0; /* the lowest position the next exception may have */
    for (uint64_t index = 0; index < exceptions; index++) {
        uint64_t gap, zigzagged;
        if (!varint_get(in, avail, &pos, &gap) || gap >= count - next ||
            !varint_get(in, avail, &pos, &zigzagged)) {
            return 0;
        }
        uint64_t row = next + gap;
        values[row] = (int64_t)(base + (uint64_t)zigzag_decode(zigzagged));
        next = row + 1;
    }
    return pos;
}

bool colpatch_next_exception(const uint8_t *in, size_t avail, size_t *pos, uint64_t *next,
                             uint32_t count, uint32_t *row, uint64_t *residual)
{
    uint64_t gap, zigzagged;
    if (!varint_get(in, avail, pos, &gap) || gap >= count - *next ||
        !varint_get(in, avail, pos, &zigzagged)) {
        return false;
    }
    *row = (uint32_t)(*next + gap);
    *residual = (uint64_t)zigzag_decode(zigzagged);
    *next = *row + 1ULL;
    return true;
}

bool colpatch_exceptions_sum(const uint8_t *in, size_t avail, uint32_t count,
                             uint32_t exception_count, ColPatchWalk *walk, uint64_t from,
                             uint64_t to, uint64_t *sum)
{
    size_t pos = walk->pos;
    uint64_t next = walk->next, total = 0;
    uint32_t done = walk->done;
    while (done < exception_count) {
        if (done + 4 <= exception_count && pos + 8 <= avail) {
            uint64_t word;
            memcpy(&word, in + pos, 8);
            if ((word & UINT64_C(0x8080808080808080)) == 0) {
                /* Four (gap, residual) pairs of one byte: the fourth exception
                 * is at next + the gaps + 3. */
                uint64_t gaps = (word & 0xff) + (word >> 16 & 0xff) + (word >> 32 & 0xff) +
                                (word >> 48 & 0xff);
                uint64_t last = next + gaps + 3;
                if (last < from) {
                    next = last + 1;
                    pos += 8;
                    done += 4;
                    continue;
                }
            }
        }
        size_t at = pos;
        uint64_t gap, zigzagged;
        bool ok = varint_get(in, avail, &pos, &gap) && gap < count - next;
        uint64_t row = next + gap;
        if (ok && row >= to) {
            pos = at; /* the walk stays before it */
            break;
        }
        if (!ok || !varint_get(in, avail, &pos, &zigzagged)) {
            /* The walk and sum stop before this exception: a reader of the list
             * in pieces (column_point.c) goes on from there with the next piece. */
            walk->pos = at;
            walk->next = next;
            walk->done = done;
            *sum += total;
            return false;
        }
        if (row >= from) {
            total += (uint64_t)zigzag_decode(zigzagged);
        }
        next = row + 1;
        done++;
    }
    walk->pos = pos;
    walk->next = next;
    walk->done = done;
    *sum += total;
    return true;
}

/* Bytes of word whose top bit is clear (a varint's last byte): summed in the
 * top byte by one multiplication, as the build may have no popcount instruction
 * (__builtin_popcountll was a library call, a fifth of a point read's skip). */
static uint64_t last_bytes_in(uint64_t word)
{
    return (((~word & UINT64_C(0x8080808080808080)) >> 7) * UINT64_C(0x0101010101010101)) >> 56;
}

/* Skips n varints from *pos (their terminating bytes counted a word at a
 * time); false when the bytes end first. marks (when not NULL) gets, per word
 * walked whole, how many varints ended before it, while that fits 16 bits (a
 * group of more rows than the format's usual 65,536 marks fewer words);
 * *mark_count how many. */
static bool skip_varints_marked(const uint8_t *in, size_t avail, size_t *pos_io, uint64_t n,
                                uint16_t *marks, uint32_t *mark_count)
{
    size_t pos = *pos_io;
    uint32_t words = 0;
    uint64_t ended = 0;
    while (n >= 8 && pos + 8 <= avail) {
        uint64_t word;
        memcpy(&word, in + pos, 8);
        uint64_t ends = last_bytes_in(word);
        if (ends > n) {
            break;
        }
        if (marks != NULL && ended <= UINT16_MAX) { /* ended only grows: marks stay contiguous */
            marks[words++] = (uint16_t)ended;
        }
        ended += ends;
        n -= ends;
        pos += 8;
    }
    if (mark_count != NULL) {
        *mark_count = words;
    }
    while (n > 0 && pos < avail) {
        n -= (in[pos++] & 0x80) == 0;
    }
    *pos_io = pos;
    return n == 0;
}

static bool skip_varints(const uint8_t *in, size_t avail, size_t *pos_io, uint64_t n)
{
    return skip_varints_marked(in, avail, pos_io, n, NULL, NULL);
}

size_t colpatch_checkpoints_skip(const uint8_t *in, size_t avail, uint32_t count,
                                 uint32_t *interval, uint32_t *checkpoint_count,
                                 size_t *values_at, uint16_t *marks, uint32_t *mark_count)
{
    size_t pos = 0;
    uint64_t every, stored;
    if (count == 0 || !varint_get(in, avail, &pos, &every) || every < 8 ||
        every > COLPATCH_CHECKPOINT_ROWS_MAX || every % 8 != 0 ||
        !varint_get(in, avail, &pos, &stored) || stored != (count - 1) / every) {
        return 0;
    }
    *values_at = pos;
    if (!skip_varints_marked(in, avail, &pos, stored, marks, mark_count)) {
        return 0;
    }
    *interval = (uint32_t)every;
    *checkpoint_count = (uint32_t)stored;
    return pos;
}

bool colpatch_checkpoint_at(const uint8_t *in, size_t avail, size_t values_at,
                            const uint16_t *marks, uint32_t mark_count, uint32_t index,
                            uint64_t *out)
{
    /* The last word walked whole before which fewer than index varints end (a
     * varint may start in the word before it; the skip of at least one end
     * passes it): from there at most a word's varints, or the tail the skip
     * walked bytewise. Word 0 starts on varint 0. */
    uint32_t low = 0, high = marks != NULL ? mark_count : 0;
    while (high - low > 1) {
        uint32_t mid = low + (high - low) / 2;
        if (marks[mid] < index) {
            low = mid;
        } else {
            high = mid;
        }
    }
    uint32_t before = high > 0 ? marks[low] : 0;
    size_t pos = values_at + (high > 0 ? (size_t)low * 8 : 0);
    uint64_t zigzagged;
    if (before > index || !skip_varints(in, avail, &pos, index - before) ||
        !varint_get(in, avail, &pos, &zigzagged)) {
        return false;
    }
    *out = (uint64_t)zigzag_decode(zigzagged);
    return true;
}

/* The checkpoint interval for count values: the default, so the point reader's
 * block scratch is bounded. */
static uint32_t checkpoint_count_for(uint32_t count)
{
    return count > 0 ? (count - 1) / COLPATCH_CHECKPOINT_ROWS : 0;
}

size_t colpatch_checkpoints_size(const int64_t *values, uint32_t count)
{
    uint32_t checkpoints = checkpoint_count_for(count);
    size_t bytes = varint_size(COLPATCH_CHECKPOINT_ROWS) + varint_size(checkpoints);
    for (uint32_t index = 1; index <= checkpoints; index++) {
        uint64_t diff = (uint64_t)values[(size_t)index * COLPATCH_CHECKPOINT_ROWS] - (uint64_t)values[0];
        bytes += varint_size(zigzag_encode((int64_t)diff));
    }
    return bytes;
}

size_t colpatch_checkpoints_write(const int64_t *values, uint32_t count, uint8_t *out)
{
    uint32_t checkpoints = checkpoint_count_for(count);
    size_t pos = varint_put(out, COLPATCH_CHECKPOINT_ROWS);
    pos += varint_put(out + pos, checkpoints);
    for (uint32_t index = 1; index <= checkpoints; index++) {
        uint64_t diff = (uint64_t)values[(size_t)index * COLPATCH_CHECKPOINT_ROWS] - (uint64_t)values[0];
        pos += varint_put(out + pos, zigzag_encode((int64_t)diff));
    }
    return pos;
}

size_t colpatch_checkpoints_read(const uint8_t *in, size_t avail, uint32_t count,
                                 uint32_t *interval, uint64_t *checkpoints,
                                 uint32_t *checkpoint_count)
{
    size_t pos = 0;
    uint64_t every, stored;
    if (count == 0 || !varint_get(in, avail, &pos, &every) || every < 8 ||
        every > COLPATCH_CHECKPOINT_ROWS_MAX || every % 8 != 0 ||
        !varint_get(in, avail, &pos, &stored) || stored != (count - 1) / every) {
        return 0;
    }
    for (uint64_t index = 0; index < stored; index++) {
        uint64_t zigzagged;
        if (!varint_get(in, avail, &pos, &zigzagged)) {
            return 0;
        }
        if (checkpoints != NULL) {
            checkpoints[index] = (uint64_t)zigzag_decode(zigzagged);
        }
    }
    *interval = (uint32_t)every;
    *checkpoint_count = (uint32_t)stored;
    return pos;
}
