/*
 * server/strata-server_main.c - the strata-server program: `strata serve`
 * until the shell dispatches that subcommand to server_main itself.
 */
#include "server/server.h"

int main(int argc, char **argv) { return server_main(argc, argv); }
