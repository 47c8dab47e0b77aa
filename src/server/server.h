/*
 * server/server.h - strata's PostgreSQL wire-protocol server (`strata serve`).
 *
 *     strata serve [--listen HOST:PORT] [--socket DIR] [--max-connections N] DBFILE
 *
 * One process serves one database file to many clients (psql, libpq, JDBC,
 * psycopg2, node-postgres, pgbench): one thread per connection, each with its
 * own strata_db on the same file, which the engine shares among connections of
 * a process (one page cache, one WAL, one writer at a time). See
 * docs/server.md for every option, the authentication rules and the protocol
 * coverage, and src/server/README.md for the design.
 *
 * Threads: server_main runs the accept loop on the calling thread until
 * SIGTERM or SIGINT, then stops every connection (rolling back its open
 * transaction) and returns. It installs handlers for SIGTERM, SIGINT and
 * ignores SIGPIPE, so call it from a program's main thread, once.
 */
#ifndef STRATA_SERVER_SERVER_H
#define STRATA_SERVER_SERVER_H

/* Parses the command line (argv[0] is the program or subcommand name), runs
 * the server, and returns the process exit status: 0 after a clean shutdown,
 * 1 for a start-up error (printed on stderr), 2 for bad usage. Also handles
 * `--make-verifier ROLE PASSWORD` (prints a CREATE ROLE statement holding a
 * SCRAM verifier) and `--import-roles FILE` (creates the roles of a roles
 * file of earlier versions in the database), which exit when done. */
int server_main(int argc, char **argv);

#endif
