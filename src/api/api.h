/*
 * api/api.h - additions to the public API that include/strata.h does not have
 * yet (candidates for it): notices of the connection.
 *
 * PostgreSQL sends NOTICE / WARNING messages beside results (`relation "t"
 * already exists, skipping`, `there is no transaction in progress`). strata
 * keeps them in the connection until strata_notices_clear; the shell and the
 * wire server print or forward them after each statement.
 *
 * Threads: as the connection (one thread at a time).
 */
#ifndef STRATA_API_API_H
#define STRATA_API_API_H

#include "strata.h"

/* Number of notices kept since the last strata_notices_clear. */
STRATA_API int strata_notice_count(strata_db *db);
/* The index-th notice ("NOTICE:  ..." / "WARNING:  ..." as psql prints it);
 * borrowed until strata_notices_clear or strata_close. NULL if out of range. */
STRATA_API const char *strata_notice(strata_db *db, int index);
/* Forgets every kept notice. */
STRATA_API void strata_notices_clear(strata_db *db);

#endif
