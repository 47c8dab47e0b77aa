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
 * COPY ... FROM STDIN / TO STDOUT needs a data channel the public API does
 * not have yet (the wire server will need one: a strata_copy_* API taking and
 * giving buffers); they fail with 0A000 for now.
 *
 * See src/api/README.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "types/value_io.h"
#include "util/limits.h"
#include "util/mem.h"

enum { COPY_CHUNK_ROWS = 256 };

typedef struct CopyOptions {
    bool csv;
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
            if (strcmp(w, "csv") == 0) {
                o->csv = true;
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
    uint64_t total;
    Arena *plan_arena;
    Plan *full_plan; /* for COPY_CHUNK_ROWS rows */
    const char *null_text;
    size_t null_len;
    const char *tz;  /* TimeZone, read once per COPY */
    Batch *bulk;     /* direct load (copy_bulk_applies): rows in table column order */
    Arena *bulk_arena;
} CopyFrom;

/* A column table with nothing an INSERT would add to its rows (no index, no
 * constraint but NOT NULL, no identity, no type modifier to apply) and every
 * column in the COPY list takes the direct path: parsed values go into a
 * Batch of COPY_BULK_ROWS rows that TableAm.bulk_load writes as whole row
 * groups, instead of planned INSERTs into the write buffer. */
enum { COPY_BULK_ROWS = 65536 };
_Static_assert(COPY_BULK_ROWS <= UINT16_MAX + 1, "a batch's rows are uint16_t indexes");

static bool copy_bulk_applies(const CatTable *t, int col_count)
{
    if (t->am == NULL || t->am->bulk_load == NULL || t->am_name == NULL ||
        strcmp(t->am_name, "column") != 0 || t->index_count != 0 || t->constraint_count != 0 ||
        col_count != t->column_count) {
        return false;
    }
    for (int k = 0; k < t->column_count; k++) {
        if (t->columns[k].identity != CAT_IDENTITY_NONE || t->columns[k].type.typmod != -1) {
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
    s = s != NULL ? arena_sprintf(a, "%s) VALUES ", s) : NULL;
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
    if (ex != NULL) {
        executor_end(ex);
    }
    if (rc != STRATA_OK && err->detail[0] == '\0') {
        error_detail(err, "COPY %s, line %llu", c->t->name, (unsigned long long)c->first_line);
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

static int copy_from(strata_stmt *stmt, const CopyStmt *s, const CatTable *t, CopyOptions *o,
                     Error *err)
{
    FILE *file = fopen(s->filename, "rb");
    if (file == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_FILE, "could not open file \"%s\" for reading: %s",
                         s->filename, strerror(errno));
    }
    CopyFrom c = {.stmt = stmt,
                  .t = t,
                  .null_text = o->null_text,
                  .null_len = strlen(o->null_text),
                  .tz = api_settings_get(stmt->conn, "TimeZone", NULL)};
    Reader r = {.file = file, .o = o};
    int rc = resolve_columns(stmt, s, t, &c.cols, &c.col_count, err);
    c.a = arena_create(stmt->exec_arena, 0, "copy chunk");
    c.plan_arena = arena_create(stmt->exec_arena, 0, "copy plan");
    c.params = arena_alloc(stmt->exec_arena,
                           sizeof(Value) * (size_t)COPY_CHUNK_ROWS * (size_t)(c.col_count + 1));
    r.bounds = mem_alloc(sizeof(Bounds) * (LIMIT_COLUMNS + 1));
    if (rc == STRATA_OK &&
        (c.a == NULL || c.plan_arena == NULL || c.params == NULL || r.bounds == NULL)) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (rc == STRATA_OK && copy_bulk_applies(t, c.col_count)) {
        SqlType *types = arena_alloc(stmt->exec_arena, sizeof(SqlType) * (size_t)t->column_count);
        c.bulk_arena = arena_create(stmt->exec_arena, 0, "copy bulk");
        if (types == NULL || c.bulk_arena == NULL) {
            rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
        for (int k = 0; rc == STRATA_OK && k < t->column_count; k++) {
            types[k] = t->columns[k].type;
        }
        if (rc == STRATA_OK &&
            (c.bulk = batch_create_unzeroed(c.bulk_arena, types, t->column_count, COPY_BULK_ROWS)) == NULL) {
            rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
        }
    }
    Bounds *b;
    if (rc == STRATA_OK && o->header) {
        rc = read_record(&r, &b, err);
    }
    while (rc == STRATA_OK) {
        rc = read_record(&r, &b, err);
        if (rc != STRATA_OK || r.eof) {
            break;
        }
        rc = convert_record(&c, &r, b, err);
        if (rc == STRATA_OK && stmt->conn->interrupt) {
            rc = error_set(err, SQLSTATE_QUERY_CANCELED, "canceling statement due to user request");
        }
    }
    if (rc == STRATA_NOMEM && !error_is_set(err)) {
        rc = error_set(err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    }
    if (rc == STRATA_OK) {
        rc = c.bulk != NULL ? bulk_flush(&c, err) : flush_chunk(&c, err);
    }
    if (rc == STRATA_OK && ferror(file)) {
        rc = error_set(err, SQLSTATE_IO_ERROR, "could not read from file \"%s\": %s", s->filename,
                       strerror(errno));
    }
    fclose(file);
    mem_free(r.buf);
    mem_free(r.bounds);
    if (rc == STRATA_OK) {
        snprintf(stmt->tag, sizeof(stmt->tag), "COPY %llu", (unsigned long long)c.total);
        stmt->conn->changes = (int64_t)c.total;
    }
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

static void write_field(FILE *f, const char *text, size_t len, const CopyOptions *o)
{
    if (o->csv) {
        if (!needs_csv_quotes(text, len, o)) {
            fwrite(text, 1, len, f);
            return;
        }
        fputc(o->quote, f);
        for (size_t k = 0; k < len; k++) {
            if (text[k] == o->quote || text[k] == o->escape) {
                fputc(o->escape, f);
            }
            fputc(text[k], f);
        }
        fputc(o->quote, f);
        return;
    }
    for (size_t k = 0; k < len; k++) {
        char ch = text[k];
        switch (ch) {
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '\b':
            fputs("\\b", f);
            break;
        case '\f':
            fputs("\\f", f);
            break;
        case '\v':
            fputs("\\v", f);
            break;
        default:
            if (ch == o->delimiter) {
                fputc('\\', f);
            }
            fputc(ch, f);
        }
    }
}

static int copy_to(strata_stmt *stmt, const CopyStmt *s, const CatTable *t, CopyOptions *o,
                   Error *err)
{
    strata_db *conn = stmt->conn;
    Arena *a = stmt->exec_arena;
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
    QueryEnv env;
    api_session_fill_env(conn, &env, a, a, sql);
    Plan *plan = NULL;
    if (rc == STRATA_OK) {
        rc = plan_statement(&env, ast, &plan, err);
    }
    if (rc != STRATA_OK) {
        return rc;
    }
    FILE *f = fopen(s->filename, "wb");
    if (f == NULL) {
        return error_set(err, SQLSTATE_UNDEFINED_FILE, "could not open file \"%s\" for writing: %s",
                         s->filename, strerror(errno));
    }
    const PlanInfo *info = plan_info(plan);
    if (o->header) {
        for (int col = 0; col < info->column_count; col++) {
            if (col) {
                fputc(o->delimiter, f);
            }
            write_field(f, info->column_names[col], strlen(info->column_names[col]), o);
        }
        fputc('\n', f);
    }
    Executor *ex;
    rc = executor_start(plan, &env, &ex, err);
    Arena *text_arena = arena_create(a, 0, "copy text");
    const char *tz = api_settings_get(conn, "TimeZone", NULL);
    uint64_t rows = 0;
    Batch *batch;
    while (rc == STRATA_OK && text_arena != NULL &&
           (rc = executor_next(ex, &batch, err)) == STRATA_OK && batch != NULL) {
        for (int k = 0; k < batch_active_count(batch) && rc == STRATA_OK; k++) {
            int row = batch_active_row(batch, k);
            for (int col = 0; col < batch->column_count && rc == STRATA_OK; col++) {
                if (col) {
                    fputc(o->delimiter, f);
                }
                if (vector_is_null(&batch->columns[col], row)) {
                    fputs(o->null_text, f);
                    continue;
                }
                Value v;
                StrRef text;
                batch_get_value(batch, col, row, &v);
                rc = value_format_tz(&v, tz, text_arena, &text, err);
                if (rc == STRATA_OK) {
                    write_field(f, text.ptr, text.len, o);
                }
            }
            fputc('\n', f);
            rows++;
        }
        arena_reset(text_arena);
    }
    if (rc == STRATA_OK) {
        executor_end(ex);
    }
    if (fclose(f) != 0 && rc == STRATA_OK) {
        rc = error_set(err, SQLSTATE_IO_ERROR, "could not write to file \"%s\": %s", s->filename,
                       strerror(errno));
    }
    if (rc == STRATA_OK) {
        snprintf(stmt->tag, sizeof(stmt->tag), "COPY %llu", (unsigned long long)rows);
    }
    return rc;
}

int api_copy_run(strata_stmt *stmt, Error *err)
{
    const CopyStmt *s = (const CopyStmt *)stmt->ast;
    strata_db *conn = stmt->conn;
    if (s->filename == NULL) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "COPY %s STDIN/STDOUT is not supported through this API yet",
                         s->is_from ? "FROM" : "TO");
    }
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
        } else if (s->is_from && t->kind != CAT_TABLE) {
            rc = error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "cannot copy to %s \"%s\"",
                           t->kind == CAT_VIEW ? "view" : "system view", t->name);
        }
    }
    if (rc == STRATA_OK) {
        rc = s->is_from ? copy_from(stmt, s, t, &o, err) : copy_to(stmt, s, t, &o, err);
    }
    api_session_remove_provider();
    return rc;
}
