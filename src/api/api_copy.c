/*
 * api/api_copy.c - COPY table FROM 'file' / TO 'file' (server-side paths) in
 * PostgreSQL's text and CSV formats, with the options FORMAT, HEADER,
 * DELIMITER, QUOTE, ESCAPE, NULL.
 *
 * COPY FROM parses each field with the column type's input function (so a bad
 * value names its line and column: detail `COPY t, line 3, column b: "x"`),
 * then inserts chunks of rows through a planned multi-row INSERT, so every
 * constraint, default and index is handled exactly as for INSERT. The whole
 * COPY is one statement: any error loads nothing.
 *
 * COPY ... FROM STDIN / TO STDOUT stream through the statement (strata.h:
 * strata_step gives STRATA_COPY_IN or STRATA_COPY_OUT, then strata_copy_put /
 * strata_copy_end or strata_copy_get). COPY FROM STDIN takes data in chunks of
 * any size: each chunk's complete records (up to the last newline outside CSV
 * quotes) are read by the same reader as a file, through fmemopen, and the
 * rest waits for the next chunk. COPY TO STDOUT hands out the rows of one
 * executor batch per call. Either way it is one statement: an error, or an
 * abandoned COPY, loads nothing.
 *
 * See src/api/README.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "types/pg_binary.h"
#include "types/value_io.h"
#include "util/limits.h"
#include "util/mem.h"

enum { COPY_CHUNK_ROWS = 256, COPY_STREAM_BATCH_BYTES = 64 * 1024 };

typedef struct CopyOptions {
    bool csv;
    bool binary; /* FORMAT binary: PostgreSQL's PGCOPY file (copy_binary_* below) */
    bool header;
    char delimiter;
    char quote;
    char escape;
    const char *null_text;
} CopyOptions;

static int option_char(const DefElem *d, char *out, Error *err)
{
    const char *text = d->word;
    if (text == NULL && d->arg != NULL && d->arg->tag == N_CONST) {
        text = ((const Const *)d->arg)->text;
    }
    if (text == NULL || strlen(text) != 1) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "COPY %s must be a single one-byte character", d->name);
    }
    *out = text[0];
    return STRATA_OK;
}

static int parse_options(const CopyStmt *s, CopyOptions *o, Error *err)
{
    memset(o, 0, sizeof(*o));
    bool has_delim = false, has_null = false, has_escape = false;
    for (int k = 0; k < s->options.count; k++) {
        const DefElem *d = (const DefElem *)s->options.items[k];
        int rc = STRATA_OK;
        if (strcmp(d->name, "format") == 0) {
            const char *w = d->word != NULL ? d->word : "";
            if (d->word == NULL && d->arg != NULL && d->arg->tag == N_CONST) {
                w = ((const Const *)d->arg)->text; /* FORMAT 'binary', as asyncpg writes it */
            }
            if (strcmp(w, "csv") == 0) {
                o->csv = true;
            } else if (strcmp(w, "binary") == 0) {
                o->binary = true;
            } else if (strcmp(w, "text") != 0) {
                return error_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                                 "COPY format \"%s\" not recognized", w);
            }
        } else if (strcmp(d->name, "header") == 0) {
            o->header = d->word == NULL || strcmp(d->word, "true") == 0 ||
                        strcmp(d->word, "on") == 0 || strcmp(d->word, "match") == 0;
        } else if (strcmp(d->name, "delimiter") == 0) {
            rc = option_char(d, &o->delimiter, err);
            has_delim = true;
        } else if (strcmp(d->name, "quote") == 0) {
            rc = option_char(d, &o->quote, err);
        } else if (strcmp(d->name, "escape") == 0) {
            rc = option_char(d, &o->escape, err);
            has_escape = true;
        } else if (strcmp(d->name, "null") == 0) {
            o->null_text = d->word;
            if (o->null_text == NULL && d->arg != NULL && d->arg->tag == N_CONST) {
                o->null_text = ((const Const *)d->arg)->text;
            }
            has_null = true;
        } else if (strcmp(d->name, "encoding") == 0) {
            /* UTF8 only. */
        } else if (strcmp(d->name, "freeze") == 0) {
            /* PostgreSQL's hint to skip later visibility work (pgbench -i sends it):
             * strata keeps no per-row visibility, so there is nothing to skip. */
        } else {
            return error_set(err, SQLSTATE_SYNTAX_ERROR, "option \"%s\" not recognized", d->name);
        }
        if (rc != STRATA_OK) {
            return rc;
        }
    }
    if (!has_delim) {
        o->delimiter = o->csv ? ',' : '\t';
    }
    if (o->quote == 0) {
        o->quote = '"';
    }
    if (!has_escape) {
        o->escape = o->quote;
    }
    if (!has_null || o->null_text == NULL) {
        o->null_text = o->csv ? "" : "\\N";
    }
    if (o->header && !o->csv) {
        /* PostgreSQL 15+ allows HEADER for text too. */
    }
    return STRATA_OK;
}

/* ---- reading records --------------------------------------------------------------------- */

typedef struct Field {
    char *text;
    size_t length;
    bool is_null;
} Field;

typedef struct Reader {
    FILE *file;
    CopyOptions *o;
    char *buf; /* the current field's bytes (grown by mem) */
    size_t size, capacity;
    Field *fields;
    int field_count, field_capacity;
    struct Bounds *bounds; /* LIMIT_COLUMNS + 1 entries (mem) */
    uint64_t line;
    bool eof;
    bool end_marker; /* saw the "\." line: the data ends there */
} Reader;

static inline bool buf_put(Reader *r, char ch)
{
    if (r->size + 1 >= r->capacity) {
        size_t cap = r->capacity ? r->capacity * 2 : 256;
        char *grown = mem_realloc(r->buf, cap);
        if (grown == NULL) {
            return false;
        }
        r->buf = grown;
        r->capacity = cap;
    }
    r->buf[r->size++] = ch;
    return true;
}

/* Field boundaries are kept as offsets into buf; converted to Fields at the end. */
typedef struct Bounds {
    size_t start, end;
    bool quoted;
} Bounds;

static int decode_text_escape(Reader *r, Error *err)
{
    int ch = getc_unlocked(r->file);
    switch (ch) {
    case 'b':
        return buf_put(r, '\b') ? STRATA_OK : STRATA_NOMEM;
    case 'f':
        return buf_put(r, '\f') ? STRATA_OK : STRATA_NOMEM;
    case 'n':
        return buf_put(r, '\n') ? STRATA_OK : STRATA_NOMEM;
    case 'r':
        return buf_put(r, '\r') ? STRATA_OK : STRATA_NOMEM;
    case 't':
        return buf_put(r, '\t') ? STRATA_OK : STRATA_NOMEM;
    case 'v':
        return buf_put(r, '\v') ? STRATA_OK : STRATA_NOMEM;
    case EOF:
        return buf_put(r, '\\') ? STRATA_OK : STRATA_NOMEM;
    default:
        if (ch >= '0' && ch <= '7') {
            int v = ch - '0';
            for (int k = 0; k < 2; k++) {
                int next = getc_unlocked(r->file);
                if (next < '0' || next > '7') {
                    ungetc(next, r->file);
                    break;
                }
                v = v * 8 + (next - '0');
            }
            return buf_put(r, (char)v) ? STRATA_OK : STRATA_NOMEM;
        }
        return buf_put(r, (char)ch) ? STRATA_OK : STRATA_NOMEM;
    }
    (void)err;
}

/* Reads one record into r->fields. Returns STRATA_OK with field_count 0 at EOF. */
static int read_record(Reader *r, Bounds **bounds_out, Error *err)
{
    Bounds *bounds = r->bounds;
    r->size = 0;
    r->field_count = 0;
    int nb = 0;
    size_t start = 0;
    bool in_quotes = false, quoted = false, any = false;
    r->line++;
    for (;;) {
        int ch = getc_unlocked(r->file);
        if (ch == EOF) {
            if (!any && r->size == 0 && nb == 0) {
                r->line--; /* no record here: the data may go on in the next chunk */
                r->eof = true;
                *bounds_out = bounds;
                return STRATA_OK;
            }
            if (in_quotes) {
                error_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
                return err->code;
            }
            break;
        }
        any = true;
        if (r->o->csv && in_quotes) {
            if (ch == r->o->escape && r->o->escape != r->o->quote) {
                int next = getc_unlocked(r->file);
                if (next == r->o->quote || next == r->o->escape) {
                    if (!buf_put(r, (char)next)) {
                        return STRATA_NOMEM;
                    }
                    continue;
                }
                ungetc(next, r->file);
            }
            if (ch == r->o->quote) {
                int next = getc_unlocked(r->file);
                if (next == r->o->quote && r->o->escape == r->o->quote) {
                    if (!buf_put(r, (char)next)) {
                        return STRATA_NOMEM;
                    }
                    continue;
                }
                ungetc(next, r->file);
                in_quotes = false;
                continue;
            }
            if (ch == '\n') {
                r->line++;
            }
            if (!buf_put(r, (char)ch)) {
                return STRATA_NOMEM;
            }
            continue;
        }
        if (ch == '\r') {
            int next = getc_unlocked(r->file);
            if (next != '\n') {
                ungetc(next, r->file);
            }
            ch = '\n';
        }
        if (ch == '\n' || ch == r->o->delimiter) {
            if (nb >= LIMIT_COLUMNS) {
                return error_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                                 "extra data after last expected column");
            }
            bounds[nb].start = start;
            bounds[nb].end = r->size;
            bounds[nb].quoted = quoted;
            nb++;
            start = r->size;
            quoted = false;
            if (ch == '\n') {
                r->field_count = nb;
                *bounds_out = bounds;
                return STRATA_OK;
            }
            continue;
        }
        if (r->o->csv && ch == r->o->quote) {
            in_quotes = true;
            quoted = true;
            continue;
        }
        if (!r->o->csv && ch == '\\') {
            int next = getc_unlocked(r->file);
            if (next == 'N' && r->size == start) {
                /* \N written raw stays as is, so it matches the NULL marker. */
                if (!buf_put(r, '\\') || !buf_put(r, 'N')) {
                    return STRATA_NOMEM;
                }
                continue;
            }
            if (next == '.' && r->size == 0 && nb == 0) {
                /* End-of-data marker "\." */
                r->eof = true;
                r->end_marker = true;
                r->field_count = 0;
                *bounds_out = bounds;
                return STRATA_OK;
            }
            ungetc(next, r->file);
            int rc = decode_text_escape(r, err);
            if (rc != STRATA_OK) {
                return rc;
            }
            /* A decoded field can never be the NULL marker. */
            quoted = true;
            continue;
        }
        if (!buf_put(r, (char)ch)) {
            return STRATA_NOMEM;
        }
    }
    bounds[nb].start = start;
    bounds[nb].end = r->size;
    bounds[nb].quoted = quoted;
    nb++;
    r->field_count = nb;
    *bounds_out = bounds;
    return STRATA_OK;
}

/* ---- COPY FROM --------------------------------------------------------------------------- */

typedef struct CopyFrom {
    strata_stmt *stmt;
    const CatTable *t;
    int *cols;
    int col_count;
    Arena *a; /* chunk arena */
    Value *params;
    int rows;
    uint64_t first_line;
    uint64_t lines[COPY_CHUNK_ROWS]; /* the line each row of the chunk came from */
    uint64_t total;
    Arena *plan_arena;
    Plan *full_plan; /* for COPY_CHUNK_ROWS rows */
    const char *null_text;
    size_t null_len;
    const char *tz;  /* TimeZone, read once per COPY */
    Batch *bulk;     /* direct load (copy_bulk_applies): rows in table column order */
    Arena *bulk_arena;
} CopyFrom;

/* A table with nothing an INSERT would add to its rows or check beyond what
 * the access method itself enforces (no secondary index, no constraint but
 * NOT NULL and the primary key, no identity, no type modifier to apply, not
 * partitioned and not a partition) and every column in the COPY list takes
 * the direct path: parsed values go into a Batch of COPY_BULK_ROWS rows that
 * TableAm.bulk_load writes (a column table as whole row groups, a row table
 * with one metadata update per batch), instead of planned INSERTs of one
 * row at a time. The access method enforces the primary key (23505); NOT
 * NULL is checked here (bulk_append). */
enum { COPY_BULK_ROWS = 65536 };
_Static_assert(COPY_BULK_ROWS <= UINT16_MAX + 1, "a batch's rows are uint16_t indexes");

static bool copy_bulk_applies(const CatTable *t, int col_count)
{
    if (t->am == NULL || t->am->bulk_load == NULL || t->am_name == NULL ||
        (strcmp(t->am_name, "column") != 0 && strcmp(t->am_name, "row") != 0) ||
        t->partition_key != NULL || t->parent_id != 0 || col_count != t->column_count) {
        return false;
    }
    for (int k = 0; k < t->index_count; k++) {
        if (!t->indexes[k]->primary) {
            return false;
        }
    }
    for (int k = 0; k < t->constraint_count; k++) {
        if (t->constraints[k].kind != CAT_CONSTRAINT_PRIMARY) {
            return false;
        }
    }
    for (int k = 0; k < t->column_count; k++) {
        if (t->columns[k].identity != CAT_IDENTITY_NONE || t->columns[k].type.typmod != -1 ||
            t->columns[k].domain_id != 0) {
            return false;
        }
    }
    return true;
}

static int bulk_flush(CopyFrom *c, Error *err)
{
    if (c->bulk->row_count == 0) {
        return STRATA_OK;
    }
    strata_db *conn = c->stmt->conn;
    int rc = c->t->am->bulk_load(conn->txn, &c->t->desc, c->bulk, err);
    if (rc != STRATA_OK && err->detail[0] == '\0') {
        error_detail(err, "COPY %s, line %llu", c->t->name, (unsigned long long)c->first_line);
    }
    if (rc == STRATA_OK && conn->hooks.rows_written != NULL) {
        conn->hooks.rows_written(conn->hooks.ctx, c->t->id, (uint64_t)c->bulk->row_count, 0, 0);
    }
    c->total += (uint64_t)c->bulk->row_count;
    batch_reset(c->bulk);
    arena_reset(c->a);
    return rc;
}

/* Appends the converted row (c->params, COPY column order) to the bulk batch. */
static int bulk_append(CopyFrom *c, const Value *row, uint64_t line, Error *err)
{
    Batch *b = c->bulk;
    if (b->row_count == 0) {
        c->first_line = line;
    }
    int r = b->row_count;
    for (int k = 0; k < c->col_count; k++) {
        const CatColumn *col = &c->t->columns[c->cols[k]];
        if (row[k].is_null) {
            if (col->not_null) {
                error_set(err, SQLSTATE_NOT_NULL_VIOLATION,
                          "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                          col->name, c->t->name);
                snprintf(err->table_name, sizeof(err->table_name), "%s", c->t->name);
                snprintf(err->column_name, sizeof(err->column_name), "%s", col->name);
                return error_detail(err, "COPY %s, line %llu", c->t->name, (unsigned long long)line);
            }
            if (!batch_set_null(b, c->cols[k], r)) {
                return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
            }
        } else if (!batch_set_value(b, c->cols[k], r, &row[k])) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    }
    b->row_count++;
    c->rows = 0;
    arena_reset(c->a);
    return b->row_count == b->capacity ? bulk_flush(c, err) : STRATA_OK;
}

static char *insert_sql(CopyFrom *c, int rows, Arena *a)
{
    char *s = arena_sprintf(a, "INSERT INTO %s.%s (", sql_quote_identifier(c->t->schema, a),
                            sql_quote_identifier(c->t->name, a));
    for (int k = 0; s != NULL && k < c->col_count; k++) {
        s = arena_sprintf(a, "%s%s%s", s, k ? ", " : "",
                          sql_quote_identifier(c->t->columns[c->cols[k]].name, a));
    }
    /* COPY writes identity columns as given, GENERATED ALWAYS too (as PostgreSQL's) */
    s = s != NULL ? arena_sprintf(a, "%s) OVERRIDING SYSTEM VALUE VALUES ", s) : NULL;
    int p = 1;
    for (int r = 0; s != NULL && r < rows; r++) {
        s = arena_sprintf(a, "%s%s(", s, r ? ", " : "");
        for (int k = 0; s != NULL && k < c->col_count; k++) {
            s = arena_sprintf(a, "%s%s$%d", s, k ? ", " : "", p++);
        }
        s = s != NULL ? arena_sprintf(a, "%s)", s) : NULL;
    }
    return s;
}

static int plan_insert(CopyFrom *c, int rows, Arena *a, Plan **out, Error *err)
{
    strata_db *conn = c->stmt->conn;
    char *sql = insert_sql(c, rows, a);
    if (sql == NULL) {
        return arena_error(a, err);
    }
    Stmt *ast;
    int rc = sql_parse_one(sql, strlen(sql), a, &ast, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    QueryEnv env;
    api_session_fill_env(conn, &env, a, c->a, sql);
    env.params = c->params;
    env.param_count = rows * c->col_count;
    return plan_statement(&env, ast, out, err);
}

static int flush_chunk(CopyFrom *c, Error *err)
{
    if (c->rows == 0) {
        return STRATA_OK;
    }
    strata_db *conn = c->stmt->conn;
    Plan *plan = c->full_plan;
    int rc = STRATA_OK;
    if (c->rows != COPY_CHUNK_ROWS || plan == NULL) {
        Arena *pa = c->rows == COPY_CHUNK_ROWS ? c->plan_arena : c->a;
        rc = plan_insert(c, c->rows, pa, &plan, err);
        if (rc == STRATA_OK && c->rows == COPY_CHUNK_ROWS) {
            c->full_plan = plan;
        }
    }
    QueryEnv env;
    api_session_fill_env(conn, &env, c->plan_arena, c->a, c->stmt->sql);
    env.params = c->params;
    env.param_count = c->rows * c->col_count;
    Executor *ex = NULL;
    if (rc == STRATA_OK) {
        rc = executor_start(plan, &env, &ex, err);
    }
    Batch *batch;
    while (rc == STRATA_OK && (rc = executor_next(ex, &batch, err)) == STRATA_OK && batch != NULL) {
    }
    /* the line of the row that failed (the chunk's rows are the INSERT's, in order) */
    int64_t failed = executor_failed_row(ex);
    uint64_t line = failed >= 0 && failed < c->rows ? c->lines[failed] : c->first_line;
    if (ex != NULL) {
        executor_end(ex);
    }
    if (rc != STRATA_OK && err->detail[0] == '\0') {
        error_detail(err, "COPY %s, line %llu", c->t->name, (unsigned long long)line);
    } else if (rc != STRATA_OK && strncmp(err->detail, "Failing row contains", 20) == 0) {
        /* PostgreSQL gives the line as CONTEXT, which strata has not: after the row */
        size_t used = strlen(err->detail);
        snprintf(err->detail + used, sizeof(err->detail) - used, "\nCOPY %s, line %llu", c->t->name,
                 (unsigned long long)line);
    }
    c->total += (uint64_t)c->rows;
    c->rows = 0;
    arena_reset(c->a);
    return rc;
}

static int convert_record(CopyFrom *c, Reader *r, const Bounds *b, Error *err)
{
    if (r->field_count < c->col_count) {
        error_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "missing data for column \"%s\"",
                  c->t->columns[c->cols[r->field_count]].name);
        return error_detail(err, "COPY %s, line %llu: \"%.*s\"", c->t->name,
                            (unsigned long long)r->line, (int)(r->size > 100 ? 100 : r->size),
                            r->buf);
    }
    if (r->field_count > c->col_count) {
        error_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "extra data after last expected column");
        return error_detail(err, "COPY %s, line %llu: \"%.*s\"", c->t->name,
                            (unsigned long long)r->line, (int)(r->size > 100 ? 100 : r->size),
                            r->buf);
    }
    if (c->rows == 0) {
        c->first_line = r->line;
    }
    Value *row = &c->params[c->rows * c->col_count];
    c->lines[c->rows % COPY_CHUNK_ROWS] = r->line;
    const char *tz = c->tz;
    for (int k = 0; k < c->col_count; k++) {
        const char *text = r->buf + b[k].start;
        size_t len = b[k].end - b[k].start;
        const CatColumn *col = &c->t->columns[c->cols[k]];
        if (!b[k].quoted && len == c->null_len && memcmp(text, c->null_text, len) == 0) {
            row[k] = value_null(col->type);
            continue;
        }
        Error local;
        error_clear(&local);
        if (value_parse_tz(col->type, text, len, tz, c->a, &row[k], &local) != STRATA_OK) {
            error_copy(err, &local);
            return error_detail(err, "COPY %s, line %llu, column %s: \"%.*s\"", c->t->name,
                                (unsigned long long)r->line, col->name,
                                (int)(len > 100 ? 100 : len), text);
        }
    }
    c->rows++;
    if (c->bulk != NULL) {
        return bulk_append(c, row, r->line, err);
    }
    return c->rows == COPY_CHUNK_ROWS ? flush_chunk(c, err) : STRATA_OK;
}

static int resolve_columns(strata_stmt *stmt, const CopyStmt *s, const CatTable *t, int **cols,
                           int *count, Error *err)
{
    int n = s->columns.count > 0 ? s->columns.count : t->column_count;
    int *list = arena_alloc(stmt->exec_arena, sizeof(int) * (size_t)(n ? n : 1));
    if (list == NULL) {
        return arena_error(stmt->exec_arena, err);
    }
    for (int k = 0; k < n; k++) {
        if (s->columns.count == 0) {
            list[k] = k;
            continue;
        }
        list[k] = cat_table_column_index(t, s->columns.items[k]);
        if (list[k] < 0) {
            return error_set(err, SQLSTATE_UNDEFINED_COLUMN,
                             "column \"%s\" of relation \"%s\" does not exist", s->columns.items[k],
                             t->name);
        }
        for (int j = 0; j < k; j++) {
            if (list[j] == list[k]) {
                return error_set(err, SQLSTATE_DUPLICATE_COLUMN,
                                 "column \"%s\" specified more than once", s->columns.items[k]);
            }
        }
    }
    *cols = list;
    *count = n;
    return STRATA_OK;
}

/* Sets up c and r for a COPY FROM into t (memory from the statement's arenas
 * and the heap: copy_from_free releases the heap part). */
static int copy_from_open(strata_stmt *stmt, const CopyStmt *s, const CatTable *t, CopyOptions *o,
                          CopyFrom *c, Reader *r, Error *err)
{
    *c = (CopyFrom){.stmt = stmt,
                    .t = t,
                    .null_text = o->null_text,
                    .null_len = strlen(o->null_text),
                    .tz = api_settings_get(stmt->conn, "TimeZone", NULL)};
    *r = (Reader){.o = o};
    int rc = resolve_columns(stmt, s, t, &c->cols, &c->col_count, err);
    c->a = arena_create(stmt->exec_arena, 0, "copy chunk");
    c->plan_arena = arena_create(stmt->exec_arena, 0, "copy plan");
    c->params = arena_alloc(stmt->exec_arena,
                            sizeof(Value) * (size_t)COPY_CHUNK_ROWS * (size_t)(c->col_count + 1));
    r->bounds = mem_alloc(sizeof(Bounds) * (LIMIT_COLUMNS + 1));
    if (rc == STRATA_OK &&
        (c->a == NULL || c->plan_arena == NULL || c->params == NULL || r->bounds == NULL)) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (rc == STRATA_OK && copy_bulk_applies(t, c->col_count)) {
        SqlType *types = arena_alloc(stmt->exec_arena, sizeof(SqlType) * (size_t)t->column_count);
        c->bulk_arena = arena_create(stmt->exec_arena, 0, "copy bulk");
        if (types == NULL || c->bulk_arena == NULL) {
            rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        for (int k = 0; rc == STRATA_OK && k < t->column_count; k++) {
            types[k] = t->columns[k].type;
        }
        if (rc == STRATA_OK && (c->bulk = batch_create_unzeroed(c->bulk_arena, types, t->column_count,
                                                                 COPY_BULK_ROWS)) == NULL) {
            rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    }
    return rc;
}

static void copy_from_free(Reader *r)
{
    mem_free(r->buf);
    mem_free(r->bounds);
    r->buf = NULL;
    r->bounds = NULL;
}

/* Loads every record of file (the first one is the header if *skip_header),
 * stopping at its end or at a "\." line. */
static int copy_from_feed(CopyFrom *c, Reader *r, FILE *file, bool *skip_header, Error *err)
{
    r->file = file;
    r->eof = false;
    Bounds *b = NULL;
    int rc = STRATA_OK;
    while (rc == STRATA_OK && !r->end_marker) {
        rc = read_record(r, &b, err);
        if (rc != STRATA_OK || r->eof) {
            break;
        }
        if (*skip_header) {
            *skip_header = false;
            continue;
        }
        rc = convert_record(c, r, b, err);
        if (rc == STRATA_OK && c->stmt->conn->interrupt) {
            rc = error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to user request");
        }
    }
    if (rc == STRATA_NOMEM && !error_is_set(err)) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    return rc;
}

static int copy_from_finish(CopyFrom *c, Error *err)
{
    int rc = c->bulk != NULL ? bulk_flush(c, err) : flush_chunk(c, err);
    if (rc == STRATA_OK) {
        snprintf(c->stmt->tag, sizeof(c->stmt->tag), "COPY %llu", (unsigned long long)c->total);
        c->stmt->conn->changes = (int64_t)c->total;
    }
    return rc;
}

static int copy_from_binary_file(CopyFrom *c, FILE *file, Error *err);

static int copy_from_file(strata_stmt *stmt, const CopyStmt *s, const CatTable *t, CopyOptions *o,
                          Error *err)
{
    FILE *file = fopen(s->filename, "rb");
    if (file == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_FILE, "could not open file \"%s\" for reading: %s",
                         s->filename, strerror(errno));
    }
    /* Read in 1 MiB pieces: stdio's default 4 KiB made 33,000 read calls for the
     * star benchmark's 134 MB fact file. */
    setvbuf(file, NULL, _IOFBF, (size_t)1 << 20);
    CopyFrom c;
    Reader r;
    bool skip_header = o->header;
    int rc = copy_from_open(stmt, s, t, o, &c, &r, err);
    if (rc == STRATA_OK && o->binary) {
        rc = copy_from_binary_file(&c, file, err);
    } else if (rc == STRATA_OK) {
        rc = copy_from_feed(&c, &r, file, &skip_header, err);
    }
    if (rc == STRATA_OK && ferror(file)) {
        rc = error_set(err, SQLSTATE_IO_ERROR, "could not read from file \"%s\": %s", s->filename,
                       strerror(errno));
    }
    if (rc == STRATA_OK) {
        rc = copy_from_finish(&c, err);
    }
    fclose(file);
    copy_from_free(&r);
    return rc;
}

/* ---- COPY TO ---------------------------------------------------------------------------- */

static bool needs_csv_quotes(const char *text, size_t len, const CopyOptions *o)
{
    if (len == 0) {
        return o->null_text[0] == '\0';
    }
    if (len == strlen(o->null_text) && memcmp(text, o->null_text, len) == 0) {
        return true;
    }
    for (size_t k = 0; k < len; k++) {
        char ch = text[k];
        if (ch == o->delimiter || ch == o->quote || ch == o->escape || ch == '\n' || ch == '\r') {
            return true;
        }
    }
    return false;
}

/* The rows COPY TO renders, appended to a heap buffer (written to the file, or
 * handed to strata_copy_get, after each batch). */
typedef struct OutBuf {
    char *data;
    size_t len, cap;
    bool failed; /* out of memory */
} OutBuf;

static void out_write(OutBuf *b, const char *p, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) {
            cap *= 2;
        }
        char *grown = mem_realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
}

static void out_putc(OutBuf *b, char ch)
{
    out_write(b, &ch, 1);
}

static void write_field(OutBuf *f, const char *text, size_t len, const CopyOptions *o)
{
    if (o->csv) {
        if (!needs_csv_quotes(text, len, o)) {
            out_write(f, text, len);
            return;
        }
        out_putc(f, o->quote);
        for (size_t k = 0; k < len; k++) {
            if (text[k] == o->quote || text[k] == o->escape) {
                out_putc(f, o->escape);
            }
            out_putc(f, text[k]);
        }
        out_putc(f, o->quote);
        return;
    }
    size_t run = 0; /* bytes of text[run, k) that need no escape */
    for (size_t k = 0; k < len; k++) {
        char ch = text[k];
        const char *escaped = NULL;
        switch (ch) {
        case '\\':
            escaped = "\\\\";
            break;
        case '\n':
            escaped = "\\n";
            break;
        case '\r':
            escaped = "\\r";
            break;
        case '\t':
            escaped = "\\t";
            break;
        case '\b':
            escaped = "\\b";
            break;
        case '\f':
            escaped = "\\f";
            break;
        case '\v':
            escaped = "\\v";
            break;
        default:
            if (ch != o->delimiter) {
                continue;
            }
        }
        out_write(f, text + run, k - run);
        if (escaped != NULL) {
            out_write(f, escaped, 2);
        } else {
            out_putc(f, '\\');
            out_putc(f, ch);
        }
        run = k + 1;
    }
    out_write(f, text + run, len - run);
}

/* COPY TO's running query. */
typedef struct CopyTo {
    CopyOptions *o;
    QueryEnv env;
    Executor *ex;
    Arena *text_arena;
    const char *tz;
    uint64_t rows;
    OutBuf out;
} CopyTo;

/* ---- FORMAT binary ---------------------------------------------------------------------- *
 *
 * PostgreSQL's binary COPY file:
 *
 *   signature "PGCOPY\n\377\r\n\0" (11 bytes)  flags:i32  extension_length:i32  extension
 *   per row:  field_count:i16, then per field length:i32 (-1 = NULL) and the value's
 *             binary form (types/pg_binary.h)
 *   trailer:  field_count -1
 *
 * All integers big-endian. Flag bit 16 (WITH OIDS) and any other bit of the high
 * half are critical: refused; the low half and the extension are skipped. */

static const char COPY_SIGNATURE[11] = "PGCOPY\n\377\r\n";

static void out_be(OutBuf *b, uint32_t value, int bytes)
{
    char data[4];
    for (int k = 0; k < bytes; k++) {
        data[k] = (char)(value >> (8 * (bytes - 1 - k)));
    }
    out_write(b, data, (size_t)bytes);
}

static void copy_binary_put_header(OutBuf *b)
{
    out_write(b, COPY_SIGNATURE, sizeof COPY_SIGNATURE);
    out_be(b, 0, 4); /* flags */
    out_be(b, 0, 4); /* no header extension */
}

static int copy_binary_put_rows(CopyTo *c, Batch *batch, Error *err)
{
    int rc = STRATA_OK;
    for (int k = 0; k < batch_active_count(batch) && rc == STRATA_OK; k++) {
        int row = batch_active_row(batch, k);
        out_be(&c->out, (uint32_t)batch->column_count, 2);
        for (int col = 0; col < batch->column_count && rc == STRATA_OK; col++) {
            if (vector_is_null(&batch->columns[col], row)) {
                out_be(&c->out, UINT32_MAX, 4);
                continue;
            }
            Value v;
            StrRef bytes;
            batch_get_value(batch, col, row, &v);
            rc = pg_binary_send(&v, c->text_arena, &bytes, err);
            if (rc == STRATA_OK) {
                out_be(&c->out, bytes.len, 4);
                out_write(&c->out, bytes.ptr, bytes.len);
            }
        }
        c->rows++;
    }
    arena_reset(c->text_arena);
    if (rc == STRATA_OK && c->out.failed) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    return rc;
}

/* COPY FROM's reading state: bytes not yet read (at most one incomplete row). */
typedef struct BinaryIn {
    uint8_t *pending; /* heap */
    size_t len, cap;
    bool has_header;
    bool has_trailer;
    uint64_t row; /* rows read, reported as the "line" */
} BinaryIn;

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int bad_file(Error *err, const char *message)
{
    return error_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "%s", message);
}

/* Reads the file header from in->pending; *used = 0 if it is not complete yet. */
static int binary_header(BinaryIn *in, size_t *used, Error *err)
{
    *used = 0;
    size_t have = in->len;
    if (have == 0) {
        return STRATA_OK; /* nothing buffered yet (pending may still be NULL) */
    }
    if (memcmp(in->pending, COPY_SIGNATURE, have < 11 ? have : 11) != 0) {
        return bad_file(err, "COPY file signature not recognized");
    }
    if (have < 19) {
        return STRATA_OK;
    }
    uint32_t flags = get_be32(in->pending + 11);
    if ((flags & (1u << 16)) != 0) {
        return bad_file(err, "invalid COPY file header (WITH OIDS)");
    }
    if ((flags >> 16) != 0) {
        return bad_file(err, "unrecognized critical flags in COPY file header");
    }
    uint32_t extension = get_be32(in->pending + 15);
    if (extension > INT32_MAX) {
        return bad_file(err, "invalid COPY file header (wrong length)");
    }
    if (have - 19 >= extension) {
        *used = 19 + extension;
        in->has_header = true;
    }
    return STRATA_OK;
}

/* Converts one complete row at p (its field count already checked) and loads it. */
static int binary_row(CopyFrom *c, BinaryIn *in, const uint8_t *p, Error *err)
{
    in->row++;
    if (c->rows == 0) {
        c->first_line = in->row;
    }
    Value *row = &c->params[c->rows * c->col_count];
    c->lines[c->rows % COPY_CHUNK_ROWS] = in->row;
    p += 2;
    for (int k = 0; k < c->col_count; k++) {
        int32_t length = (int32_t)get_be32(p);
        p += 4;
        const CatColumn *col = &c->t->columns[c->cols[k]];
        if (length < 0) {
            row[k] = value_null(col->type);
            continue;
        }
        Error local;
        error_clear(&local);
        if (pg_binary_recv(col->type, p, (size_t)length, c->a, &row[k], &local) != STRATA_OK) {
            error_copy(err, &local);
            return error_detail(err, "COPY %s, line %llu, column %s", c->t->name,
                                (unsigned long long)in->row, col->name);
        }
        p += length;
    }
    c->rows++;
    if (c->bulk != NULL) {
        return bulk_append(c, row, in->row, err);
    }
    return c->rows == COPY_CHUNK_ROWS ? flush_chunk(c, err) : STRATA_OK;
}

/* The size of the complete row at in->pending + at (0: not complete yet). */
static int binary_row_size(const CopyFrom *c, const BinaryIn *in, size_t at, size_t *size,
                           Error *err)
{
    *size = 0;
    const uint8_t *p = in->pending + at;
    size_t have = in->len - at;
    if (have < 2) {
        return STRATA_OK;
    }
    int16_t fields = (int16_t)((uint16_t)p[0] << 8 | p[1]);
    if (fields == -1) {
        *size = 2;
        return STRATA_OK;
    }
    if (fields != c->col_count) {
        error_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "row field count is %d, expected %d",
                  (int)fields, c->col_count);
        return error_detail(err, "COPY %s, line %llu", c->t->name,
                            (unsigned long long)in->row + 1);
    }
    size_t pos = 2;
    for (int k = 0; k < fields; k++) {
        if (have - pos < 4) {
            return STRATA_OK;
        }
        int32_t length = (int32_t)get_be32(p + pos);
        pos += 4;
        if (length < -1) {
            error_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "invalid field size");
            return error_detail(err, "COPY %s, line %llu", c->t->name,
                                (unsigned long long)in->row + 1);
        }
        if (length > 0 && have - pos < (size_t)length) {
            return STRATA_OK;
        }
        pos += length > 0 ? (size_t)length : 0;
    }
    *size = pos;
    return STRATA_OK;
}

/* Reads every complete row in in->pending and keeps the rest. */
static int binary_consume(CopyFrom *c, BinaryIn *in, Error *err)
{
    size_t at = 0, used = 0;
    int rc = STRATA_OK;
    if (!in->has_header) {
        rc = binary_header(in, &used, err);
        at = used;
    }
    while (rc == STRATA_OK && in->has_header && at < in->len) {
        if (in->has_trailer) {
            rc = bad_file(err, "received copy data after EOF marker");
            break;
        }
        size_t size;
        rc = binary_row_size(c, in, at, &size, err);
        if (rc != STRATA_OK || size == 0) {
            break;
        }
        if (size == 2 && in->pending[at] == 0xff) {
            in->has_trailer = true;
        } else {
            rc = binary_row(c, in, in->pending + at, err);
        }
        at += size;
        if (rc == STRATA_OK && c->stmt->conn->interrupt) {
            rc = error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to user request");
        }
    }
    if (at > 0) {
        memmove(in->pending, in->pending + at, in->len - at);
        in->len -= at;
    }
    return rc;
}

static int binary_put(CopyFrom *c, BinaryIn *in, const void *data, size_t length, Error *err)
{
    if (in->len + length > in->cap) {
        size_t cap = in->cap ? in->cap : 65536;
        while (cap < in->len + length) {
            cap *= 2;
        }
        if (cap > (size_t)LIMIT_MESSAGE_BYTES * 2) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                             "COPY row is longer than %u bytes", LIMIT_MESSAGE_BYTES);
        }
        uint8_t *grown = mem_realloc(in->pending, cap);
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        in->pending = grown;
        in->cap = cap;
    }
    if (length > 0) { /* an empty put may come before anything was buffered */
        memcpy(in->pending + in->len, data, length);
        in->len += length;
    }
    return binary_consume(c, in, err);
}

/* The data has ended: what is left must be nothing (a missing trailer is
 * accepted, as PostgreSQL does). */
static int binary_end(BinaryIn *in, Error *err)
{
    if (!in->has_header) {
        return bad_file(err, "COPY file signature not recognized");
    }
    if (in->len > 0) {
        return bad_file(err, "unexpected EOF in COPY data");
    }
    return STRATA_OK;
}

static int copy_from_binary_file(CopyFrom *c, FILE *file, Error *err)
{
    BinaryIn in = {0};
    char chunk[65536];
    size_t got;
    int rc = STRATA_OK;
    while (rc == STRATA_OK && (got = fread(chunk, 1, sizeof chunk, file)) > 0) {
        rc = binary_put(c, &in, chunk, got, err);
    }
    if (rc == STRATA_OK && !ferror(file)) {
        rc = binary_end(&in, err);
    }
    mem_free(in.pending);
    return rc;
}

/* Plans and starts the query of a COPY TO; the header line (if asked) goes
 * into the output buffer. */
static int copy_to_open(strata_stmt *stmt, const CopyStmt *s, const CatTable *t, CopyOptions *o,
                        CopyTo *c, Error *err)
{
    strata_db *conn = stmt->conn;
    Arena *a = stmt->exec_arena;
    *c = (CopyTo){.o = o};
    char *sql;
    if (s->query != NULL) {
        sql = sql_deparse_stmt(s->query, a);
    } else {
        int *cols, count;
        int rc = resolve_columns(stmt, s, t, &cols, &count, err);
        if (rc != STRATA_OK) {
            return rc;
        }
        sql = arena_strdup(a, "SELECT ");
        for (int k = 0; sql != NULL && k < count; k++) {
            sql = arena_sprintf(a, "%s%s%s", sql, k ? ", " : "",
                                sql_quote_identifier(t->columns[cols[k]].name, a));
        }
        if (sql != NULL) {
            sql = arena_sprintf(a, "%s FROM %s.%s", sql, sql_quote_identifier(t->schema, a),
                                sql_quote_identifier(t->name, a));
        }
    }
    if (sql == NULL) {
        return arena_error(a, err);
    }
    Stmt *ast;
    int rc = sql_parse_one(sql, strlen(sql), a, &ast, err);
    api_session_fill_env(conn, &c->env, a, a, sql);
    Plan *plan = NULL;
    if (rc == STRATA_OK) {
        rc = plan_statement(&c->env, ast, &plan, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    const PlanInfo *info = plan_info(plan);
    if (o->binary) {
        copy_binary_put_header(&c->out);
    } else if (o->header) {
        for (int col = 0; col < info->column_count; col++) {
            if (col) {
                out_putc(&c->out, o->delimiter);
            }
            write_field(&c->out, info->column_names[col], strlen(info->column_names[col]), o);
        }
        out_putc(&c->out, '\n');
    }
    c->text_arena = arena_create(a, 0, "copy text");
    c->tz = api_settings_get(conn, "TimeZone", NULL);
    if (c->text_arena == NULL) {
        return arena_error(a, err);
    }
    return executor_start(plan, &c->env, &c->ex, err);
}

/* Appends the rows of the query's next batch to c->out; *more is false at the end. */
static int copy_to_next(CopyTo *c, bool *more, Error *err)
{
    Batch *batch;
    *more = false;
    int rc = executor_next(c->ex, &batch, err);
    if (rc == STRATA_OK && batch == NULL && c->o->binary) {
        out_write(&c->out, "\xff\xff", 2); /* the file trailer: a field count of -1 */
    }
    if (rc != STRATA_OK || batch == NULL) {
        return rc;
    }
    *more = true;
    const CopyOptions *o = c->o;
    if (o->binary) {
        return copy_binary_put_rows(c, batch, err);
    }
    for (int k = 0; k < batch_active_count(batch) && rc == STRATA_OK; k++) {
        int row = batch_active_row(batch, k);
        for (int col = 0; col < batch->column_count && rc == STRATA_OK; col++) {
            if (col) {
                out_putc(&c->out, o->delimiter);
            }
            if (vector_is_null(&batch->columns[col], row)) {
                out_write(&c->out, o->null_text, strlen(o->null_text));
                continue;
            }
            Value v;
            StrRef text;
            batch_get_value(batch, col, row, &v);
            rc = value_format_tz(&v, c->tz, c->text_arena, &text, err);
            if (rc == STRATA_OK) {
                write_field(&c->out, text.ptr, text.len, o);
            }
        }
        out_putc(&c->out, '\n');
        c->rows++;
    }
    arena_reset(c->text_arena);
    if (rc == STRATA_OK && c->out.failed) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    return rc;
}

static void copy_to_close(CopyTo *c)
{
    if (c->ex != NULL) {
        executor_end(c->ex);
        c->ex = NULL;
    }
    mem_free(c->out.data);
    c->out = (OutBuf){0};
}

static void copy_to_tag(strata_stmt *stmt, const CopyTo *c)
{
    snprintf(stmt->tag, sizeof(stmt->tag), "COPY %llu", (unsigned long long)c->rows);
}

static int copy_to_file(strata_stmt *stmt, const CopyStmt *s, const CatTable *t, CopyOptions *o,
                        Error *err)
{
    CopyTo c;
    int rc = copy_to_open(stmt, s, t, o, &c, err);
    FILE *f = NULL;
    if (rc == STRATA_OK) {
        f = fopen(s->filename, "wb");
        if (f == NULL) {
            rc = error_set(err, SQLSTATE_UNDEFINED_FILE,
                           "could not open file \"%s\" for writing: %s", s->filename,
                           strerror(errno));
        }
    }
    bool more = rc == STRATA_OK;
    while (rc == STRATA_OK) {
        if (c.out.len > 0 && fwrite(c.out.data, 1, c.out.len, f) != c.out.len) {
            rc = error_set(err, SQLSTATE_IO_ERROR, "could not write to file \"%s\": %s",
                           s->filename, strerror(errno));
        }
        c.out.len = 0;
        if (rc != STRATA_OK || !more) {
            break;
        }
        rc = copy_to_next(&c, &more, err);
    }
    if (f != NULL && fclose(f) != 0 && rc == STRATA_OK) {
        rc = error_set(err, SQLSTATE_IO_ERROR, "could not write to file \"%s\": %s", s->filename,
                       strerror(errno));
    }
    if (rc == STRATA_OK) {
        copy_to_tag(stmt, &c);
    }
    copy_to_close(&c);
    return rc;
}

/* ---- COPY FROM STDIN / TO STDOUT through the statement -------------------------------------- */

struct CopyStream {
    bool is_from;
    CopyOptions o;
    /* FROM STDIN */
    CopyFrom from;
    Reader reader;
    bool skip_header;
    char *pending; /* bytes not yet read: at most one incomplete record (heap) */
    size_t pending_len, pending_cap;
    size_t scanned;  /* pending[0, scanned) holds no record end */
    bool in_quotes;  /* CSV quote state at pending[scanned] */
    bool skip_next;  /* CSV: the byte at pending[scanned] is escaped */
    BinaryIn binary; /* FORMAT binary */
    /* TO STDOUT */
    CopyTo to;
    bool to_done;
    bool handed_out; /* to.out was given to the caller: clear it before the next rows */
};

void api_copy_stream_free(strata_stmt *stmt)
{
    CopyStream *cs = stmt->copy;
    if (cs == NULL) {
        return;
    }
    stmt->copy = NULL;
    if (cs->is_from) {
        copy_from_free(&cs->reader);
        mem_free(cs->pending);
        mem_free(cs->binary.pending);
    } else {
        copy_to_close(&cs->to);
    }
}

static int stream_open(strata_stmt *stmt, const CopyStmt *s, const CatTable *t, CopyOptions *o,
                       Error *err)
{
    CopyStream *cs = arena_zalloc(stmt->exec_arena, sizeof(CopyStream));
    if (cs == NULL) {
        return arena_error(stmt->exec_arena, err);
    }
    cs->is_from = s->is_from;
    cs->o = *o;
    stmt->copy = cs;
    if (s->is_from) {
        cs->skip_header = o->header;
        return copy_from_open(stmt, s, t, &cs->o, &cs->from, &cs->reader, err);
    }
    return copy_to_open(stmt, s, t, &cs->o, &cs->to, err);
}

/* Reads pending[0, length) through the file reader. */
static int stream_feed(CopyStream *cs, size_t length, Error *err)
{
    if (length == 0 || cs->reader.end_marker) {
        return STRATA_OK;
    }
    FILE *f = fmemopen(cs->pending, length, "rb");
    if (f == NULL) {
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    int rc = copy_from_feed(&cs->from, &cs->reader, f, &cs->skip_header, err);
    fclose(f);
    return rc;
}

/* The end of the last complete record in pending (0 if none yet): the byte
 * after the last newline outside CSV quotes. */
static size_t stream_complete(CopyStream *cs)
{
    size_t end = 0;
    for (size_t k = cs->scanned; k < cs->pending_len; k++) {
        char ch = cs->pending[k];
        if (cs->skip_next) {
            cs->skip_next = false;
        } else if (cs->o.csv && cs->in_quotes && ch == cs->o.escape && cs->o.escape != cs->o.quote) {
            cs->skip_next = true;
        } else if (cs->o.csv && ch == cs->o.quote) {
            cs->in_quotes = !cs->in_quotes;
        } else if (ch == '\n' && !cs->in_quotes) {
            end = k + 1;
        }
    }
    cs->scanned = cs->pending_len;
    return end;
}

int api_copy_stream_put(strata_stmt *stmt, const char *data, size_t length, Error *err)
{
    CopyStream *cs = stmt->copy;
    if (cs->o.binary) {
        return binary_put(&cs->from, &cs->binary, data, length, err);
    }
    if (cs->pending_len + length > cs->pending_cap) {
        size_t cap = cs->pending_cap ? cs->pending_cap : 65536;
        while (cap < cs->pending_len + length) {
            cap *= 2;
        }
        if (cap > (size_t)LIMIT_MESSAGE_BYTES) {
            return error_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                             "COPY record is longer than %u bytes", LIMIT_MESSAGE_BYTES);
        }
        char *grown = mem_realloc(cs->pending, cap);
        if (grown == NULL) {
            return error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        cs->pending = grown;
        cs->pending_cap = cap;
    }
    if (length > 0) {
        memcpy(cs->pending + cs->pending_len, data, length);
        cs->pending_len += length;
    }
    if (cs->pending_len < COPY_STREAM_BATCH_BYTES) {
        return STRATA_OK; /* clients send a row per message: read them in batches */
    }
    size_t complete = stream_complete(cs);
    if (complete == 0) {
        return STRATA_OK;
    }
    int rc = stream_feed(cs, complete, err);
    memmove(cs->pending, cs->pending + complete, cs->pending_len - complete);
    cs->pending_len -= complete;
    cs->scanned -= complete;
    return rc;
}

int api_copy_stream_end(strata_stmt *stmt, Error *err)
{
    CopyStream *cs = stmt->copy;
    if (cs->o.binary) {
        int rc = binary_end(&cs->binary, err);
        return rc == STRATA_OK ? copy_from_finish(&cs->from, err) : rc;
    }
    int rc = stream_feed(cs, cs->pending_len, err);
    cs->pending_len = 0;
    if (rc == STRATA_OK && cs->in_quotes && !cs->reader.end_marker) {
        rc = error_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
    }
    if (rc == STRATA_OK) {
        rc = copy_from_finish(&cs->from, err);
    }
    return rc;
}

int api_copy_stream_get(strata_stmt *stmt, const char **data, size_t *length, Error *err)
{
    CopyStream *cs = stmt->copy;
    *data = NULL;
    *length = 0;
    if (cs->handed_out) {
        cs->to.out.len = 0;
        cs->handed_out = false;
    }
    int rc = STRATA_OK;
    /* The header (rendered at open) goes out first, with the first rows. */
    bool more = !cs->to_done;
    while (rc == STRATA_OK && more && cs->to.out.len == 0) {
        rc = copy_to_next(&cs->to, &more, err);
    }
    if (!more) {
        cs->to_done = true;
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    if (cs->to.out.len == 0) {
        copy_to_tag(stmt, &cs->to);
        return STRATA_DONE;
    }
    *data = cs->to.out.data;
    *length = cs->to.out.len;
    cs->handed_out = true;
    return STRATA_ROW;
}

bool api_copy_stream_is_from(const strata_stmt *stmt)
{
    return stmt->copy != NULL && stmt->copy->is_from;
}

int api_copy_run(strata_stmt *stmt, Error *err)
{
    const CopyStmt *s = (const CopyStmt *)stmt->ast;
    strata_db *conn = stmt->conn;
    if (s->is_program) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "COPY ... PROGRAM is not supported");
    }
    if (s->where != NULL) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "COPY FROM ... WHERE is not supported yet");
    }
    CopyOptions o;
    int rc = parse_options(s, &o, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    rc = api_session_ensure_txn(conn, s->is_from, err);
    if (rc != STRATA_OK) {
        return rc;
    }
    if (conn->mode == TXN_AUTOCOMMIT) {
        conn->autocommit_users++;
    }
    stmt->holds_txn = true;
    api_session_install_provider(conn);
    const CatTable *t = NULL;
    if (s->relation != NULL) {
        t = catalog_find_table(conn->catalog, s->relation->schema, s->relation->name);
        if (t == NULL) {
            rc = error_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                           s->relation->name);
        } else if (s->is_from && (t->kind != CAT_TABLE || cat_is_matview(t))) {
            rc = error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "cannot copy to %s \"%s\"",
                           t->kind == CAT_VIEW ? "view" : t->kind == CAT_TABLE ? "materialized view" : "system view",
                           t->name);
        } else if (t->kind != CAT_VIRTUAL && !api_role_is_superuser(conn, conn->catalog) &&
                   !catalog_table_allows(conn->catalog, t, conn->role_id, s->is_from ? CAT_PRIV_INSERT : CAT_PRIV_SELECT)) {
            /* COPY FROM may bypass INSERT's planning (bulk loads): checked here */
            rc = error_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied for %s %s",
                           t->kind == CAT_VIEW ? "view" : cat_is_matview(t) ? "materialized view" : "table",
                           t->name);
        }
    }
    if (rc == STRATA_OK) {
        if (s->filename == NULL) {
            rc = stream_open(stmt, s, t, &o, err); /* STDIN / STDOUT: strata_copy_* go on */
        } else {
            rc = s->is_from ? copy_from_file(stmt, s, t, &o, err)
                            : copy_to_file(stmt, s, t, &o, err);
        }
    }
    api_session_remove_provider();
    return rc;
}
