/*
 * examples/c/hello.c - the smallest complete program using strata's C API.
 *
 * Opens (creating) a database, creates a table, inserts rows with a prepared
 * statement and bound parameters inside one transaction, and reads them back.
 * Build against an installed strata:
 *     cc hello.c $(pkg-config --cflags --libs --static strata) -o hello
 */
#include <stdio.h>
#include <strata.h>

static int fail(strata_db *db, const char *what)
{
    fprintf(stderr, "%s: %s (SQLSTATE %s)\n", what, strata_errmsg(db), strata_sqlstate(db));
    strata_close(db);
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : ":memory:";
    strata_db *db = NULL;
    if (strata_open(path, &db) != STRATA_OK) {
        return fail(db, "open");
    }
    if (strata_exec(db, "CREATE TABLE IF NOT EXISTS greeting (id int PRIMARY KEY, word text)",
                    NULL, NULL) != STRATA_OK) {
        return fail(db, "create");
    }
    strata_stmt *insert = NULL;
    if (strata_prepare(db, "INSERT INTO greeting VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", -1,
                       &insert, NULL) != STRATA_OK) {
        return fail(db, "prepare");
    }
    const char *words[] = {"hello", "strata"};
    strata_exec(db, "BEGIN", NULL, NULL);
    for (int i = 0; i < 2; i++) {
        strata_bind_int64(insert, 1, i + 1);
        strata_bind_text(insert, 2, words[i], -1);
        if (strata_step(insert) != STRATA_DONE) {
            return fail(db, "insert");
        }
        strata_reset(insert);
    }
    strata_finalize(insert);
    if (strata_exec(db, "COMMIT", NULL, NULL) != STRATA_OK) {
        return fail(db, "commit");
    }
    strata_stmt *query = NULL;
    if (strata_prepare(db, "SELECT string_agg(word, ', ' ORDER BY id) FROM greeting", -1, &query,
                       NULL) != STRATA_OK) {
        return fail(db, "prepare query");
    }
    while (strata_step(query) == STRATA_ROW) {
        printf("%s\n", strata_column_text(query, 0));
    }
    strata_finalize(query);
    return strata_close(db) == STRATA_OK ? 0 : 1;
}
