/*
 * types/datetime_int.h - private helpers shared by the datetime*.c files
 * (never included from outside types/).
 */
#ifndef STRATA_TYPES_DATETIME_INT_H
#define STRATA_TYPES_DATETIME_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>

/* Named (tzdata) zones: offset east of UTC at a UTC instant, with the zone's
 * abbreviation (borrowed, static for the process); false if the zone is
 * unknown. */
bool tz_named_offset(const char *name, int64_t utc_micros, int32_t *offset, const char **abbrev);

/* Local wall time -> UTC in a named zone (gaps use the offset before the
 * transition, ambiguous times standard time, as PostgreSQL). */
bool tz_named_local_to_utc(const char *name, int64_t local_micros, int64_t *utc_micros);

/* A time zone abbreviation (EST, CEST, PST, ...; PostgreSQL's Default set)
 * as a fixed offset east of UTC; false if unknown. */
bool tz_abbreviation_offset(const char *name, size_t length, int32_t *east);

#endif
