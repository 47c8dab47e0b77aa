/*
 * sql/parse_ddl.c - CREATE TABLE / INDEX / VIEW / MATERIALIZED VIEW / SCHEMA /
 * SEQUENCE, column and table constraints, DROP, ALTER TABLE and friends,
 * TRUNCATE and REFRESH MATERIALIZED VIEW. Roles, COMMENT and GRANT live in
 * parse_admin.c.
 *
 * Invariants
 *   1. Access-method names (USING x, SET ACCESS METHOD x) accept any label,
 *      reserved words included, so strata's `USING column` parses.
 *   2. CREATE TABLE name (...) AS query is told apart from a column-definition
 *      list by looking past the matching ')' for AS.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <string.h>

#include "sql/parser_int.h"

/* Index of the ')' matching the '(' at token index open, or -1. */
static int matching_paren(Parser *p, int open)
{
    int nesting = 0;
    for (int index = open; index < p->count; index++) {
        TokenKind kind = p->tokens[index].kind;
        if (kind == TOK_LPAREN) {
            nesting++;
        } else if (kind == TOK_RPAREN) {
            if (--nesting == 0) {
                return index;
            }
        } else if (kind == TOK_EOF || kind == TOK_SEMICOLON) {
            return -1;
        }
    }
    return -1;
}

static bool if_not_exists(Parser *p)
{
    if (p_is_kw(p, KW_IF) && p_peek_kw(p, 1, KW_NOT) && p_peek_kw(p, 2, KW_EXISTS)) {
        p_advance(p);
        p_advance(p);
        p_advance(p);
        return true;
    }
    return false;
}

static Stmt *create_enum(Parser *p, int loc);
static Stmt *create_domain(Parser *p, int loc);

static bool if_exists(Parser *p)
{
    if (p_is_kw(p, KW_IF) && p_peek_kw(p, 1, KW_EXISTS)) {
        p_advance(p);
        p_advance(p);
        return true;
    }
    return false;
}

/* CASCADE -> true; RESTRICT or nothing -> false */
static bool opt_drop_behavior(Parser *p)
{
    if (p_accept_kw(p, KW_CASCADE)) {
        return true;
    }
    p_accept_kw(p, KW_RESTRICT);
    return false;
}

static char *access_method_name(Parser *p)
{
    return p_col_label(p);
}

/* ---------------- sequence options ---------------- */

static bool seq_number(Parser *p, DefElem **out, const char *name, int loc)
{
    Node *value = p_expr_level(p, 8);
    *out = value == NULL ? NULL : p_make_def(p, name, NULL, value, loc);
    return *out != NULL;
}

/* One SeqOptElem; false (no error) if the current token starts none. */
static bool seq_option(Parser *p, NodeList *out, bool *matched)
{
    int loc = p_loc(p);
    DefElem *def = NULL;
    *matched = true;
    if (p_accept_kw(p, KW_AS)) {
        TypeName *type = p_type_name(p);
        def = type == NULL ? NULL : p_make_def(p, "as", NULL, (Node *)type, loc);
    } else if (p_accept_kw(p, KW_CACHE)) {
        seq_number(p, &def, "cache", loc);
    } else if (p_accept_kw(p, KW_CYCLE)) {
        def = p_make_def(p, "cycle", "true", NULL, loc);
    } else if (p_is_kw(p, KW_NO)) {
        p_advance(p);
        if (p_accept_kw(p, KW_CYCLE)) {
            def = p_make_def(p, "cycle", "false", NULL, loc);
        } else if (p_accept_kw(p, KW_MINVALUE)) {
            def = p_make_def(p, "minvalue", NULL, NULL, loc);
        } else if (p_accept_kw(p, KW_MAXVALUE)) {
            def = p_make_def(p, "maxvalue", NULL, NULL, loc);
        } else {
            return p_syntax_error(p) != NULL;
        }
    } else if (p_accept_kw(p, KW_INCREMENT)) {
        p_accept_kw(p, KW_BY);
        seq_number(p, &def, "increment", loc);
    } else if (p_accept_kw(p, KW_MINVALUE)) {
        seq_number(p, &def, "minvalue", loc);
    } else if (p_accept_kw(p, KW_MAXVALUE)) {
        seq_number(p, &def, "maxvalue", loc);
    } else if (p_accept_kw(p, KW_START)) {
        p_accept_kw(p, KW_WITH);
        seq_number(p, &def, "start", loc);
    } else if (p_accept_kw(p, KW_RESTART)) {
        if (p_accept_kw(p, KW_WITH) || p_is(p, TOK_INTEGER) || p_is_op(p, "-")) {
            seq_number(p, &def, "restart", loc);
        } else {
            def = p_make_def(p, "restart", NULL, NULL, loc);
        }
    } else if (p_is_kw(p, KW_SEQUENCE) && p_peek_kw(p, 1, KW_NAME)) {
        /* identity columns: SEQUENCE NAME name */
        p_advance(p);
        p_advance(p);
        RangeVar *name = p_qualified_name(p);
        def = name == NULL ? NULL : p_make_def(p, "sequence_name", NULL, (Node *)name, loc);
    } else if (p_is_kw(p, KW_OWNED) && p_peek_kw(p, 1, KW_BY)) {
        p_advance(p);
        p_advance(p);
        if (p_is_kw(p, KW_NONE_P)) {
            p_advance(p);
            def = p_make_def(p, "owned_by", "none", NULL, loc);
        } else {
            Node *column = p_expr_level(p, 13);
            def = column == NULL ? NULL : p_make_def(p, "owned_by", NULL, column, loc);
        }
    } else {
        *matched = false;
        return true;
    }
    return p_append(p, out, (Node *)def);
}

static bool seq_option_list(Parser *p, NodeList *out)
{
    for (;;) {
        bool matched;
        if (!seq_option(p, out, &matched)) {
            return false;
        }
        if (!matched) {
            return true;
        }
    }
}

/* ---------------- constraints ---------------- */

static bool fk_action(Parser *p, FkAction *out)
{
    if (p_accept_kw(p, KW_CASCADE)) {
        *out = FK_ACTION_CASCADE;
    } else if (p_accept_kw(p, KW_RESTRICT)) {
        *out = FK_ACTION_RESTRICT;
    } else if (p_accept_kw(p, KW_NO)) {
        if (!p_expect_kw(p, KW_ACTION)) {
            return false;
        }
        *out = FK_ACTION_NO_ACTION;
    } else if (p_accept_kw(p, KW_SET)) {
        if (p_accept_kw(p, KW_NULL)) {
            *out = FK_ACTION_SET_NULL;
        } else if (p_expect_kw(p, KW_DEFAULT)) {
            *out = FK_ACTION_SET_DEFAULT;
        } else {
            return false;
        }
    } else {
        p_syntax_error(p);
        return false;
    }
    return true;
}

/* REFERENCES t [(cols)] [MATCH x] [ON DELETE a] [ON UPDATE a] */
static bool references(Parser *p, Constraint *con)
{
    con->ref_table = p_qualified_name(p);
    if (con->ref_table == NULL) {
        return false;
    }
    if (p_is(p, TOK_LPAREN) && !p_paren_name_list(p, &con->ref_columns)) {
        return false;
    }
    if (p_accept_kw(p, KW_MATCH)) {
        if (p_accept_kw(p, KW_FULL)) {
            con->match = FK_MATCH_FULL;
        } else if (p_accept_kw(p, KW_PARTIAL)) {
            con->match = FK_MATCH_PARTIAL;
        } else if (p_accept_kw(p, KW_SIMPLE)) {
            con->match = FK_MATCH_SIMPLE;
        } else {
            p_syntax_error(p);
            return false;
        }
    }
    while (p_is_kw(p, KW_ON) && (p_peek_kw(p, 1, KW_DELETE) || p_peek_kw(p, 1, KW_UPDATE))) {
        p_advance(p);
        bool is_delete = p_accept_kw(p, KW_DELETE);
        if (!is_delete) {
            p_advance(p);
        }
        if (!fk_action(p, is_delete ? &con->on_delete : &con->on_update)) {
            return false;
        }
    }
    return true;
}

static void constraint_attributes(Parser *p, Constraint *con)
{
    for (;;) {
        if (p_accept_kw(p, KW_DEFERRABLE)) {
            con->deferrable = true;
        } else if (p_is_kw(p, KW_NOT) && p_peek_kw(p, 1, KW_DEFERRABLE)) {
            p_advance(p);
            p_advance(p);
            con->deferrable = false;
        } else if (p_is_kw(p, KW_INITIALLY) &&
                   (p_peek_kw(p, 1, KW_DEFERRED) || p_peek_kw(p, 1, KW_IMMEDIATE))) {
            p_advance(p);
            con->initially_deferred = p_accept_kw(p, KW_DEFERRED);
            if (!con->initially_deferred) {
                p_advance(p);
            }
        } else {
            return;
        }
    }
}

static bool nulls_distinct(Parser *p, bool *not_distinct)
{
    if (p_is_kw(p, KW_NULLS)) {
        p_advance(p);
        *not_distinct = p_accept_kw(p, KW_NOT);
        return p_expect_kw(p, KW_DISTINCT);
    }
    return true;
}

/* INCLUDE (cols), WITH (...), USING INDEX TABLESPACE are index parameters of
 * PRIMARY KEY / UNIQUE; only INCLUDE is kept. */
static bool index_params(Parser *p, Constraint *con)
{
    if (p_accept_kw(p, KW_INCLUDE) && !p_paren_name_list(p, &con->include)) {
        return false;
    }
    return true;
}

static Constraint *new_constraint(Parser *p, ConstraintKind kind, char *name, int loc)
{
    Constraint *con = P_NEW(p, Constraint, N_CONSTRAINT, loc);
    if (con != NULL) {
        con->kind = kind;
        con->name = name;
    }
    return con;
}

static bool check_expr(Parser *p, Constraint *con)
{
    if (!p_expect(p, TOK_LPAREN)) {
        return false;
    }
    con->expr = p_expr(p);
    if (con->expr == NULL || !p_expect(p, TOK_RPAREN)) {
        return false;
    }
    if (p_is_kw(p, KW_NO) && p_peek_kw(p, 1, KW_INHERIT)) {
        p_advance(p);
        p_advance(p);
        con->no_inherit = true;
    }
    return true;
}

/* GENERATED ALWAYS|BY DEFAULT AS IDENTITY [(opts)] | GENERATED ALWAYS AS (expr) STORED */
static Constraint *generated(Parser *p, char *name, int loc)
{
    p_advance(p); /* GENERATED */
    bool always = true;
    if (p_accept_kw(p, KW_BY)) {
        if (!p_expect_kw(p, KW_DEFAULT)) {
            return NULL;
        }
        always = false;
    } else if (!p_expect_kw(p, KW_ALWAYS)) {
        return NULL;
    }
    if (!p_expect_kw(p, KW_AS)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_IDENTITY)) {
        Constraint *con = new_constraint(p, CONSTRAINT_IDENTITY, name, loc);
        if (con == NULL) {
            return NULL;
        }
        con->identity_always = always;
        if (p_accept(p, TOK_LPAREN)) {
            if (!seq_option_list(p, &con->options) || !p_expect(p, TOK_RPAREN)) {
                return NULL;
            }
        }
        return con;
    }
    if (!always) {
        return p_syntax_error(p);
    }
    Constraint *con = new_constraint(p, CONSTRAINT_GENERATED, name, loc);
    if (con == NULL || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    con->expr = p_expr(p);
    if (con->expr == NULL || !p_expect(p, TOK_RPAREN) || !p_expect_kw(p, KW_STORED)) {
        return NULL;
    }
    return con;
}

/* One column constraint; NULL without error (matched false) if none starts here. */
static Constraint *column_constraint(Parser *p, bool *matched)
{
    int loc = p_loc(p);
    char *name = NULL;
    *matched = true;
    if (p_accept_kw(p, KW_CONSTRAINT)) {
        name = p_col_id(p);
        if (name == NULL) {
            return NULL;
        }
    }
    Constraint *con = NULL;
    if (p_is_kw(p, KW_NOT) && p_peek_kw(p, 1, KW_NULL)) {
        p_advance(p);
        p_advance(p);
        con = new_constraint(p, CONSTRAINT_NOT_NULL, name, loc);
    } else if (p_accept_kw(p, KW_NULL)) {
        con = new_constraint(p, CONSTRAINT_NULL, name, loc);
    } else if (p_accept_kw(p, KW_CHECK)) {
        con = new_constraint(p, CONSTRAINT_CHECK, name, loc);
        if (con != NULL && !check_expr(p, con)) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_DEFAULT)) {
        con = new_constraint(p, CONSTRAINT_DEFAULT, name, loc);
        if (con != NULL && (con->expr = p_expr_level(p, 5)) == NULL) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_UNIQUE)) {
        con = new_constraint(p, CONSTRAINT_UNIQUE, name, loc);
        if (con == NULL || !nulls_distinct(p, &con->nulls_not_distinct) || !index_params(p, con)) {
            return NULL;
        }
    } else if (p_is_kw(p, KW_PRIMARY)) {
        p_advance(p);
        if (!p_expect_kw(p, KW_KEY)) {
            return NULL;
        }
        con = new_constraint(p, CONSTRAINT_PRIMARY, name, loc);
        if (con == NULL || !index_params(p, con)) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_REFERENCES)) {
        con = new_constraint(p, CONSTRAINT_FOREIGN, name, loc);
        if (con == NULL || !references(p, con)) {
            return NULL;
        }
    } else if (p_is_kw(p, KW_GENERATED)) {
        con = generated(p, name, loc);
    } else {
        if (name != NULL) {
            return p_syntax_error(p);
        }
        *matched = false;
        return NULL;
    }
    if (con != NULL) {
        constraint_attributes(p, con);
    }
    return con;
}

ColumnDef *p_column_def(Parser *p)
{
    ColumnDef *column = P_NEW(p, ColumnDef, N_COLUMN_DEF, p_loc(p));
    if (column == NULL || (column->name = p_col_id(p)) == NULL ||
        (column->type = p_type_name(p)) == NULL) {
        return NULL;
    }
    return p_column_constraints(p, column) ? column : NULL;
}

bool p_column_constraints(Parser *p, ColumnDef *column)
{
    for (;;) {
        if (p_accept_kw(p, KW_COLLATE)) {
            QualifiedName *name = p_any_name(p);
            if (name == NULL) {
                return false;
            }
            column->collation = name->parts;
            continue;
        }
        bool matched;
        Constraint *con = column_constraint(p, &matched);
        if (!matched) {
            break;
        }
        if (!p_append(p, &column->constraints, (Node *)con)) {
            return false;
        }
    }
    return !p->failed;
}

bool p_is_table_constraint_start(Parser *p)
{
    return p_is_kw(p, KW_CONSTRAINT) || p_is_kw(p, KW_CHECK) || p_is_kw(p, KW_UNIQUE) ||
           p_is_kw(p, KW_PRIMARY) || p_is_kw(p, KW_FOREIGN);
}

Constraint *p_table_constraint(Parser *p)
{
    int loc = p_loc(p);
    char *name = NULL;
    if (p_accept_kw(p, KW_CONSTRAINT)) {
        name = p_col_id(p);
        if (name == NULL) {
            return NULL;
        }
    }
    Constraint *con = NULL;
    if (p_accept_kw(p, KW_CHECK)) {
        con = new_constraint(p, CONSTRAINT_CHECK, name, loc);
        if (con != NULL && !check_expr(p, con)) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_UNIQUE)) {
        con = new_constraint(p, CONSTRAINT_UNIQUE, name, loc);
        if (con == NULL || !nulls_distinct(p, &con->nulls_not_distinct) ||
            !p_paren_name_list(p, &con->keys) || !index_params(p, con)) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_PRIMARY)) {
        con = new_constraint(p, CONSTRAINT_PRIMARY, name, loc);
        if (con == NULL || !p_expect_kw(p, KW_KEY) || !p_paren_name_list(p, &con->keys) ||
            !index_params(p, con)) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_FOREIGN)) {
        con = new_constraint(p, CONSTRAINT_FOREIGN, name, loc);
        if (con == NULL || !p_expect_kw(p, KW_KEY) || !p_paren_name_list(p, &con->keys) ||
            !p_expect_kw(p, KW_REFERENCES) || !references(p, con)) {
            return NULL;
        }
    } else {
        return p_syntax_error(p);
    }
    if (con != NULL) {
        constraint_attributes(p, con);
    }
    return con;
}

/* ---------------- CREATE TABLE ---------------- */

static Node *table_like(Parser *p)
{
    TableLike *like = P_NEW(p, TableLike, N_TABLE_LIKE, p_loc(p));
    if (like == NULL) {
        return NULL;
    }
    p_advance(p); /* LIKE */
    like->relation = p_qualified_name(p);
    if (like->relation == NULL) {
        return NULL;
    }
    while (p_is_kw(p, KW_INCLUDING) || p_is_kw(p, KW_EXCLUDING)) {
        bool including = p_is_kw(p, KW_INCLUDING);
        int loc = p_loc(p);
        p_advance(p);
        char *what = p_col_label(p);
        if (what == NULL) {
            return NULL;
        }
        char *name = arena_sprintf(p->arena, "%s_%s", including ? "including" : "excluding", what);
        if (name == NULL) {
            return p_nomem(p);
        }
        if (!p_append(p, &like->options, (Node *)p_make_def(p, name, NULL, NULL, loc))) {
            return NULL;
        }
    }
    return (Node *)like;
}

static Node *table_element(Parser *p)
{
    if (p_is_table_constraint_start(p)) {
        return (Node *)p_table_constraint(p);
    }
    if (p_is_kw(p, KW_LIKE)) {
        return table_like(p);
    }
    return (Node *)p_column_def(p);
}

static PartitionSpec *partition_spec(Parser *p)
{
    PartitionSpec *spec = P_NEW(p, PartitionSpec, N_PARTITION_SPEC, p_loc(p));
    if (spec == NULL) {
        return NULL;
    }
    p_advance(p); /* PARTITION */
    if (!p_expect_kw(p, KW_BY)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_RANGE)) {
        spec->strategy = PARTITION_RANGE;
    } else if (p_is(p, TOK_IDENT) && strcmp(p_tok(p)->text, "list") == 0) {
        p_advance(p);
        spec->strategy = PARTITION_LIST;
    } else if (p_is(p, TOK_IDENT) && strcmp(p_tok(p)->text, "hash") == 0) {
        p_advance(p);
        spec->strategy = PARTITION_HASH;
    } else {
        return p_error_at(p, p->pos, SQLSTATE_SYNTAX_ERROR, "unrecognized partitioning strategy");
    }
    if (!p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    do {
        IndexElem *elem = P_NEW(p, IndexElem, N_INDEX_ELEM, p_loc(p));
        if (elem == NULL) {
            return NULL;
        }
        if (p_is(p, TOK_LPAREN) || p_peek(p, 1)->kind == TOK_LPAREN) {
            bool paren = p_accept(p, TOK_LPAREN);
            elem->expr = paren ? p_expr(p) : p_expr_level(p, 13);
            if (elem->expr == NULL || (paren && !p_expect(p, TOK_RPAREN))) {
                return NULL;
            }
        } else if ((elem->name = p_col_id(p)) == NULL) {
            return NULL;
        }
        if (!p_append(p, &spec->keys, (Node *)elem)) {
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    return p_expect(p, TOK_RPAREN) ? spec : NULL;
}

static bool table_suffix(Parser *p, CreateTableStmt *create);

/* ON COMMIT PRESERVE ROWS | DELETE ROWS | DROP */
static bool on_commit(Parser *p, CreateTableStmt *create)
{
    p_advance(p);
    p_advance(p);
    if (p_accept_kw(p, KW_DROP)) {
        create->on_commit = ON_COMMIT_DROP;
        return true;
    }
    if (p_accept_kw(p, KW_PRESERVE)) {
        create->on_commit = ON_COMMIT_PRESERVE_ROWS;
    } else if (p_expect_kw(p, KW_DELETE)) {
        create->on_commit = ON_COMMIT_DELETE_ROWS;
    } else {
        return false;
    }
    return p_expect_kw(p, KW_ROWS);
}

/* FOR VALUES FROM (...) TO (...) | IN (...) | WITH (MODULUS m, REMAINDER r), or DEFAULT */
static PartitionBound *partition_bound(Parser *p)
{
    PartitionBound *bound = P_NEW(p, PartitionBound, N_PARTITION_BOUND, p_loc(p));
    if (bound == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_DEFAULT)) {
        bound->is_default = true;
        return bound;
    }
    if (!p_expect_kw(p, KW_FOR) || !p_expect_kw(p, KW_VALUES)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_FROM)) {
        bound->strategy = PARTITION_RANGE;
        bool ok = p_expect(p, TOK_LPAREN) && p_expr_list(p, &bound->lower) &&
                  p_expect(p, TOK_RPAREN) && p_expect_kw(p, KW_TO) && p_expect(p, TOK_LPAREN) &&
                  p_expr_list(p, &bound->upper) && p_expect(p, TOK_RPAREN);
        return ok ? bound : NULL;
    }
    if (p_accept_kw(p, KW_IN)) {
        bound->strategy = PARTITION_LIST;
        bool ok =
            p_expect(p, TOK_LPAREN) && p_expr_list(p, &bound->values) && p_expect(p, TOK_RPAREN);
        return ok ? bound : NULL;
    }
    if (!p_expect_kw(p, KW_WITH) || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    bound->strategy = PARTITION_HASH;
    bool seen_modulus = false;
    bool seen_remainder = false;
    do {
        int index = p->pos;
        char *name = p_col_label(p);
        int64_t value;
        if (name == NULL || !p_signed_int(p, &value)) {
            return NULL;
        }
        if (strcmp(name, "modulus") == 0 && !seen_modulus) {
            seen_modulus = true;
            bound->modulus = (int)value;
        } else if (strcmp(name, "remainder") == 0 && !seen_remainder) {
            seen_remainder = true;
            bound->remainder = (int)value;
        } else {
            return p_syntax_error_at(p, index);
        }
    } while (p_accept(p, TOK_COMMA));
    if (!seen_modulus || !seen_remainder) {
        return p_syntax_error(p);
    }
    return p_expect(p, TOK_RPAREN) ? bound : NULL;
}

/* In PARTITION OF: a table constraint, or column [WITH OPTIONS] constraints. */
static Node *partition_element(Parser *p)
{
    if (p_is_table_constraint_start(p)) {
        return (Node *)p_table_constraint(p);
    }
    ColumnDef *column = P_NEW(p, ColumnDef, N_COLUMN_DEF, p_loc(p));
    if (column == NULL || (column->name = p_col_id(p)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_WITH) && !p_expect_kw(p, KW_OPTIONS)) {
        return NULL;
    }
    if (!p_column_constraints(p, column)) {
        return NULL;
    }
    return (Node *)column;
}

static Stmt *partition_of(Parser *p, CreateTableStmt *create)
{
    p_advance(p); /* PARTITION */
    p_advance(p); /* OF */
    create->partition_of = p_qualified_name(p);
    if (create->partition_of == NULL) {
        return NULL;
    }
    if (p_accept(p, TOK_LPAREN)) {
        do {
            if (!p_append(p, &create->elements, partition_element(p))) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
        if (!p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    }
    create->bound = partition_bound(p);
    if (create->bound == NULL || !table_suffix(p, create)) {
        return NULL;
    }
    return (Stmt *)create;
}

/* The clauses after the element list: PARTITION BY, USING, WITH (...), ON COMMIT. */
static bool table_suffix(Parser *p, CreateTableStmt *create)
{
    for (;;) {
        if (p_is_kw(p, KW_PARTITION) && create->partition == NULL) {
            create->partition = partition_spec(p);
            if (create->partition == NULL) {
                return false;
            }
        } else if (p_accept_kw(p, KW_USING)) {
            create->access_method = access_method_name(p);
            if (create->access_method == NULL) {
                return false;
            }
        } else if (p_is_kw(p, KW_WITH) && p_peek(p, 1)->kind == TOK_LPAREN) {
            p_advance(p);
            if (!p_def_list(p, &create->options)) {
                return false;
            }
        } else if (p_is_kw(p, KW_WITHOUT) && p_peek_kw(p, 1, KW_OIDS)) {
            p_advance(p);
            p_advance(p);
        } else if (p_is_kw(p, KW_ON) && p_peek_kw(p, 1, KW_COMMIT)) {
            if (!on_commit(p, create)) {
                return false;
            }
        } else {
            return true;
        }
    }
}

/* [WITH [NO] DATA] */
static bool with_data(Parser *p, bool *no_data)
{
    *no_data = false;
    if (p_is_kw(p, KW_WITH) && (p_peek_kw(p, 1, KW_DATA) || p_peek_kw(p, 1, KW_NO))) {
        p_advance(p);
        *no_data = p_accept_kw(p, KW_NO);
        return p_expect_kw(p, KW_DATA);
    }
    return true;
}

static bool is_ctas(Parser *p)
{
    int index = p->pos;
    if (p->tokens[index].kind == TOK_LPAREN) {
        index = matching_paren(p, index);
        if (index < 0) {
            return false;
        }
        index++;
    }
    for (;;) {
        Token *t = &p->tokens[index];
        if (t->kind != TOK_IDENT) {
            return false;
        }
        if (t->keyword == KW_AS) {
            return true;
        }
        if (t->keyword == KW_USING) {
            index += 2;
        } else if (t->keyword == KW_WITH && p->tokens[index + 1].kind == TOK_LPAREN) {
            index = matching_paren(p, index + 1);
            if (index < 0) {
                return false;
            }
            index++;
        } else {
            return false;
        }
        if (index >= p->count) {
            return false;
        }
    }
}

static Stmt *create_table(Parser *p, int loc, Persistence persistence)
{
    CreateTableStmt *create = P_NEW(p, CreateTableStmt, N_CREATE_TABLE_STMT, loc);
    if (create == NULL || !p_expect_kw(p, KW_TABLE)) {
        return NULL;
    }
    create->persistence = persistence;
    create->if_not_exists = if_not_exists(p);
    create->relation = p_qualified_name(p);
    if (create->relation == NULL) {
        return NULL;
    }
    if (p_is_kw(p, KW_PARTITION) && p_peek_kw(p, 1, KW_OF)) {
        return partition_of(p, create);
    }
    if (is_ctas(p)) {
        if (p_is(p, TOK_LPAREN) && !p_paren_name_list(p, &create->as_columns)) {
            return NULL;
        }
        if (!table_suffix(p, create) || !p_expect_kw(p, KW_AS)) {
            return NULL;
        }
        if (p_is_kw(p, KW_EXECUTE)) {
            create->as_query = (Node *)p_execute(p);
        } else {
            create->as_query = (Node *)p_select(p);
        }
        if (create->as_query == NULL || !with_data(p, &create->with_no_data)) {
            return NULL;
        }
        return (Stmt *)create;
    }
    if (!p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    if (!p_is(p, TOK_RPAREN)) {
        do {
            if (!p_append(p, &create->elements, table_element(p))) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
    }
    if (!p_expect(p, TOK_RPAREN) || !table_suffix(p, create)) {
        return NULL;
    }
    return (Stmt *)create;
}

/* ---------------- CREATE INDEX ---------------- */

static IndexElem *index_elem(Parser *p)
{
    IndexElem *elem = P_NEW(p, IndexElem, N_INDEX_ELEM, p_loc(p));
    if (elem == NULL) {
        return NULL;
    }
    if (p_accept(p, TOK_LPAREN)) {
        elem->expr = p_expr(p);
        if (elem->expr == NULL || !p_expect(p, TOK_RPAREN)) {
            return NULL;
        }
    } else if (p_peek(p, 1)->kind == TOK_LPAREN || p_peek(p, 1)->kind == TOK_DOT) {
        elem->expr = p_expr_level(p, 13);
        if (elem->expr == NULL) {
            return NULL;
        }
        if (elem->expr->tag == N_COLUMN_REF && ((ColumnRef *)elem->expr)->fields.count == 1) {
            elem->name = ((ColumnRef *)elem->expr)->fields.items[0];
            elem->expr = NULL;
        }
    } else if ((elem->name = p_col_id(p)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_COLLATE)) {
        QualifiedName *name = p_any_name(p);
        if (name == NULL) {
            return NULL;
        }
        elem->collation = name->parts;
    }
    if (p_is_col_id(p, 0) && !p_is_kw(p, KW_NULLS)) {
        QualifiedName *name = p_any_name(p);
        if (name == NULL) {
            return NULL;
        }
        elem->opclass = name->parts;
    }
    if (p_accept_kw(p, KW_ASC)) {
        elem->dir = SORT_ASC;
    } else if (p_accept_kw(p, KW_DESC)) {
        elem->dir = SORT_DESC;
    }
    if (p_accept_kw(p, KW_NULLS)) {
        if (p_accept_kw(p, KW_FIRST)) {
            elem->nulls = SORT_NULLS_FIRST;
        } else if (p_expect_kw(p, KW_LAST)) {
            elem->nulls = SORT_NULLS_LAST;
        } else {
            return NULL;
        }
    }
    return elem;
}

static Stmt *create_index(Parser *p, int loc)
{
    CreateIndexStmt *index = P_NEW(p, CreateIndexStmt, N_CREATE_INDEX_STMT, loc);
    if (index == NULL) {
        return NULL;
    }
    index->unique = p_accept_kw(p, KW_UNIQUE);
    if (!p_expect_kw(p, KW_INDEX)) {
        return NULL;
    }
    index->concurrently = p_accept_kw(p, KW_CONCURRENTLY);
    index->if_not_exists = if_not_exists(p);
    if (index->if_not_exists || !p_is_kw(p, KW_ON)) {
        index->name = p_col_id(p);
        if (index->name == NULL) {
            return NULL;
        }
    }
    if (!p_expect_kw(p, KW_ON)) {
        return NULL;
    }
    index->only = p_accept_kw(p, KW_ONLY);
    index->relation = p_qualified_name(p);
    if (index->relation == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_USING) && (index->access_method = access_method_name(p)) == NULL) {
        return NULL;
    }
    if (!p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    do {
        if (!p_append(p, &index->params, (Node *)index_elem(p))) {
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    if (!p_expect(p, TOK_RPAREN)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_INCLUDE) && !p_paren_name_list(p, &index->include)) {
        return NULL;
    }
    if (!nulls_distinct(p, &index->nulls_not_distinct)) {
        return NULL;
    }
    if (p_is_kw(p, KW_WITH) && p_peek(p, 1)->kind == TOK_LPAREN) {
        p_advance(p);
        if (!p_def_list(p, &index->options)) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_WHERE) && (index->where = p_expr(p)) == NULL) {
        return NULL;
    }
    return (Stmt *)index;
}

/* ---------------- views ---------------- */

static char *source_text(Parser *p, int first_token)
{
    int start = p->tokens[first_token].start;
    int end = p->tokens[p->pos - 1].end;
    char *text = arena_strndup(p->arena, p->sql + start, (size_t)(end - start));
    return text == NULL ? p_nomem(p) : text;
}

static Stmt *create_view(Parser *p, int loc, bool replace, bool temporary, bool materialized)
{
    CreateViewStmt *view = P_NEW(p, CreateViewStmt, N_CREATE_VIEW_STMT, loc);
    if (view == NULL) {
        return NULL;
    }
    view->replace = replace;
    view->temporary = temporary;
    view->materialized = materialized;
    if (materialized) {
        p_advance(p); /* MATERIALIZED */
    }
    if (!p_expect_kw(p, KW_VIEW)) {
        return NULL;
    }
    if (materialized) {
        view->if_not_exists = if_not_exists(p);
    }
    view->view = p_qualified_name(p);
    if (view->view == NULL) {
        return NULL;
    }
    if (p_is(p, TOK_LPAREN) && !p_paren_name_list(p, &view->columns)) {
        return NULL;
    }
    if (materialized && p_accept_kw(p, KW_USING) &&
        (view->access_method = access_method_name(p)) == NULL) {
        return NULL;
    }
    if (p_is_kw(p, KW_WITH) && p_peek(p, 1)->kind == TOK_LPAREN) {
        p_advance(p);
        if (!p_def_list(p, &view->options)) {
            return NULL;
        }
    }
    if (!p_expect_kw(p, KW_AS)) {
        return NULL;
    }
    int first = p->pos;
    view->query = (Node *)p_select(p);
    if (view->query == NULL || (view->query_text = source_text(p, first)) == NULL) {
        return NULL;
    }
    if (materialized) {
        return with_data(p, &view->with_no_data) ? (Stmt *)view : NULL;
    }
    if (p_is_kw(p, KW_WITH) && !p_peek_kw(p, 1, KW_DATA)) {
        p_advance(p);
        view->check_option = 'c';
        if (p_accept_kw(p, KW_LOCAL)) {
            view->check_option = 'l';
        } else {
            p_accept_kw(p, KW_CASCADED);
        }
        if (!p_expect_kw(p, KW_CHECK) || !p_expect_kw(p, KW_OPTION)) {
            return NULL;
        }
    }
    return (Stmt *)view;
}

/* ---------------- CREATE SCHEMA / SEQUENCE ---------------- */

static Stmt *create_schema(Parser *p, int loc)
{
    CreateSchemaStmt *schema = P_NEW(p, CreateSchemaStmt, N_CREATE_SCHEMA_STMT, loc);
    if (schema == NULL || !p_expect_kw(p, KW_SCHEMA)) {
        return NULL;
    }
    schema->if_not_exists = if_not_exists(p);
    if (!p_is_kw(p, KW_AUTHORIZATION)) {
        schema->name = p_col_id(p);
        if (schema->name == NULL) {
            return NULL;
        }
    }
    if (p_accept_kw(p, KW_AUTHORIZATION)) {
        schema->authorization = p_nonreserved_word(p);
        if (schema->authorization == NULL) {
            return NULL;
        }
    }
    return (Stmt *)schema;
}

static Stmt *create_sequence(Parser *p, int loc, bool temporary)
{
    CreateSequenceStmt *seq = P_NEW(p, CreateSequenceStmt, N_CREATE_SEQUENCE_STMT, loc);
    if (seq == NULL || !p_expect_kw(p, KW_SEQUENCE)) {
        return NULL;
    }
    seq->temporary = temporary;
    seq->if_not_exists = if_not_exists(p);
    seq->sequence = p_qualified_name(p);
    if (seq->sequence == NULL || !seq_option_list(p, &seq->options)) {
        return NULL;
    }
    return (Stmt *)seq;
}

/* ---------------- CREATE dispatch ---------------- */

/*
 * CREATE of an object kind strata does not have (functions, triggers, ...): 0A000 naming the
 * kind, where a syntax error would suggest the user mistyped a statement that exists.
 */
static Stmt *create_unsupported(Parser *p)
{
    static const struct {
        KeywordId first;
        KeywordId second; /* KW_NONE: one word */
        const char *message;
    } kinds[] = {
        {KW_FUNCTION, KW_NONE, "CREATE FUNCTION is not supported"},
        {KW_PROCEDURE, KW_NONE, "CREATE PROCEDURE is not supported"},
        {KW_TRIGGER, KW_NONE, "CREATE TRIGGER is not supported"},
        {KW_CONSTRAINT, KW_TRIGGER, "CREATE CONSTRAINT TRIGGER is not supported"},
        {KW_EVENT, KW_TRIGGER, "CREATE EVENT TRIGGER is not supported"},
        {KW_AGGREGATE, KW_NONE, "CREATE AGGREGATE is not supported"},
        {KW_OPERATOR, KW_NONE, "CREATE OPERATOR is not supported"},
        {KW_LANGUAGE, KW_NONE, "CREATE LANGUAGE is not supported"},
        {KW_RULE, KW_NONE, "CREATE RULE is not supported"},
        {KW_EXTENSION, KW_NONE, "CREATE EXTENSION is not supported"},
        {KW_CAST, KW_NONE, "CREATE CAST is not supported"},
        {KW_COLLATION, KW_NONE, "CREATE COLLATION is not supported"},
        {KW_CONVERSION, KW_NONE, "CREATE CONVERSION is not supported"},
        {KW_POLICY, KW_NONE, "CREATE POLICY is not supported"},
        {KW_PUBLICATION, KW_NONE, "CREATE PUBLICATION is not supported"},
        {KW_SUBSCRIPTION, KW_NONE, "CREATE SUBSCRIPTION is not supported"},
        {KW_SERVER, KW_NONE, "CREATE SERVER is not supported"},
        {KW_STATISTICS, KW_NONE, "CREATE STATISTICS is not supported"},
        {KW_TABLESPACE, KW_NONE, "CREATE TABLESPACE is not supported"},
        {KW_DATABASE, KW_NONE, "CREATE DATABASE is not supported"},
        {KW_TRANSFORM, KW_NONE, "CREATE TRANSFORM is not supported"},
        {KW_ACCESS, KW_METHOD, "CREATE ACCESS METHOD is not supported"},
        {KW_FOREIGN, KW_TABLE, "CREATE FOREIGN TABLE is not supported"},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (p_is_kw(p, kinds[i].first) &&
            (kinds[i].second == KW_NONE || p_peek_kw(p, 1, kinds[i].second))) {
            return p_error_at(p, p->pos, SQLSTATE_FEATURE_NOT_SUPPORTED, kinds[i].message);
        }
    }
    return p_syntax_error(p);
}

Stmt *p_create(Parser *p)
{
    int loc = p_loc(p);
    p_advance(p); /* CREATE */
    bool replace = false;
    if (p_is_kw(p, KW_OR) && p_peek_kw(p, 1, KW_REPLACE)) {
        p_advance(p);
        p_advance(p);
        replace = true;
    }
    Persistence persistence = PERSISTENCE_PERMANENT;
    if ((p_is_kw(p, KW_LOCAL) || p_is_kw(p, KW_GLOBAL)) &&
        (p_peek_kw(p, 1, KW_TEMP) || p_peek_kw(p, 1, KW_TEMPORARY))) {
        p_advance(p);
    }
    if (p_accept_kw(p, KW_TEMP) || p_accept_kw(p, KW_TEMPORARY)) {
        persistence = PERSISTENCE_TEMP;
    } else if (p_accept_kw(p, KW_UNLOGGED)) {
        persistence = PERSISTENCE_UNLOGGED;
    }
    bool temporary = persistence == PERSISTENCE_TEMP;
    if (p_is_kw(p, KW_TABLE) && !replace) {
        return create_table(p, loc, persistence);
    }
    if ((p_is_kw(p, KW_UNIQUE) || p_is_kw(p, KW_INDEX)) && !replace && !temporary) {
        return create_index(p, loc);
    }
    if (p_is_kw(p, KW_VIEW)) {
        return create_view(p, loc, replace, temporary, false);
    }
    if (p_is_kw(p, KW_MATERIALIZED) && !replace && !temporary) {
        return create_view(p, loc, false, false, true);
    }
    if (p_is_kw(p, KW_SCHEMA) && !replace && !temporary) {
        return create_schema(p, loc);
    }
    if (p_is_kw(p, KW_SEQUENCE) && !replace) {
        return create_sequence(p, loc, temporary);
    }
    if ((p_is_kw(p, KW_ROLE) || p_is_kw(p, KW_USER) || p_is_kw(p, KW_GROUP)) && !replace &&
        !temporary) {
        return p_role_stmt(p, ROLE_CREATE, loc);
    }
    if (p_is_kw(p, KW_TYPE) && !replace && !temporary) {
        return create_enum(p, loc);
    }
    if (p_is_kw(p, KW_DOMAIN) && !replace && !temporary) {
        return create_domain(p, loc);
    }
    return create_unsupported(p);
}

/* ---------------- DROP ---------------- */

Stmt *p_drop(Parser *p)
{
    int loc = p_loc(p);
    p_advance(p); /* DROP */
    if (p_is_kw(p, KW_ROLE) || p_is_kw(p, KW_USER) || p_is_kw(p, KW_GROUP)) {
        return p_role_stmt(p, ROLE_DROP, loc);
    }
    DropStmt *drop = P_NEW(p, DropStmt, N_DROP_STMT, loc);
    if (drop == NULL) {
        return NULL;
    }
    switch (p_is(p, TOK_IDENT) ? p_tok(p)->keyword : KW_NONE) {
    case KW_TABLE:
        drop->kind = OBJECT_TABLE;
        break;
    case KW_INDEX:
        drop->kind = OBJECT_INDEX;
        break;
    case KW_VIEW:
        drop->kind = OBJECT_VIEW;
        break;
    case KW_SEQUENCE:
        drop->kind = OBJECT_SEQUENCE;
        break;
    case KW_SCHEMA:
        drop->kind = OBJECT_SCHEMA;
        break;
    case KW_TYPE:
        drop->kind = OBJECT_TYPE;
        break;
    case KW_DOMAIN:
        drop->kind = OBJECT_DOMAIN;
        break;
    case KW_EXTENSION:
        drop->kind = OBJECT_EXTENSION;
        break;
    case KW_MATERIALIZED:
        p_advance(p);
        if (!p_is_kw(p, KW_VIEW)) {
            return p_syntax_error(p);
        }
        drop->kind = OBJECT_MATVIEW;
        break;
    default:
        return p_syntax_error(p);
    }
    p_advance(p);
    if (drop->kind == OBJECT_INDEX) {
        drop->concurrently = p_accept_kw(p, KW_CONCURRENTLY);
    }
    drop->if_exists = if_exists(p);
    do {
        if (!p_append(p, &drop->objects, (Node *)p_any_name(p))) {
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    drop->cascade = opt_drop_behavior(p);
    return (Stmt *)drop;
}

/* ---------------- ALTER ---------------- */

static AlterTableCmd *new_cmd(Parser *p, AlterTableKind kind, int loc)
{
    AlterTableCmd *cmd = P_NEW(p, AlterTableCmd, N_ALTER_TABLE_CMD, loc);
    if (cmd != NULL) {
        cmd->kind = kind;
    }
    return cmd;
}

static AlterTableCmd *alter_column(Parser *p, int loc)
{
    p_accept_kw(p, KW_COLUMN);
    char *column = p_col_id(p);
    if (column == NULL) {
        return NULL;
    }
    AlterTableCmd *cmd = NULL;
    if (p_is_kw(p, KW_SET) && p_peek_kw(p, 1, KW_DEFAULT)) {
        p_advance(p);
        p_advance(p);
        cmd = new_cmd(p, ALTER_COLUMN_SET_DEFAULT, loc);
        if (cmd != NULL && (cmd->def = p_expr_level(p, 5)) == NULL) {
            return NULL;
        }
    } else if (p_is_kw(p, KW_DROP) && p_peek_kw(p, 1, KW_DEFAULT)) {
        p_advance(p);
        p_advance(p);
        cmd = new_cmd(p, ALTER_COLUMN_DROP_DEFAULT, loc);
    } else if (p_is_kw(p, KW_ADD) && p_peek_kw(p, 1, KW_GENERATED)) {
        p_advance(p);
        cmd = new_cmd(p, ALTER_COLUMN_ADD_IDENTITY, loc);
        Constraint *identity = cmd == NULL ? NULL : generated(p, NULL, loc);
        if (identity == NULL) {
            return NULL;
        }
        if (identity->kind != CONSTRAINT_IDENTITY) {
            return p_syntax_error(p);
        }
        cmd->def = (Node *)identity;
    } else if ((p_is_kw(p, KW_SET) || p_is_kw(p, KW_DROP)) && p_peek_kw(p, 1, KW_NOT)) {
        bool set = p_is_kw(p, KW_SET);
        p_advance(p);
        p_advance(p);
        if (!p_expect_kw(p, KW_NULL)) {
            return NULL;
        }
        cmd = new_cmd(p, set ? ALTER_COLUMN_SET_NOT_NULL : ALTER_COLUMN_DROP_NOT_NULL, loc);
    } else if (p_is_kw(p, KW_TYPE) || (p_is_kw(p, KW_SET) && p_peek_kw(p, 1, KW_DATA))) {
        if (p_accept_kw(p, KW_SET)) {
            p_advance(p); /* DATA */
        }
        if (!p_expect_kw(p, KW_TYPE)) {
            return NULL;
        }
        cmd = new_cmd(p, ALTER_COLUMN_TYPE, loc);
        if (cmd == NULL || (cmd->def = (Node *)p_type_name(p)) == NULL) {
            return NULL;
        }
        if (p_accept_kw(p, KW_COLLATE)) {
            QualifiedName *name = p_any_name(p);
            if (name == NULL) {
                return NULL;
            }
            cmd->collation = name->parts;
        }
        if (p_accept_kw(p, KW_USING) && (cmd->using_expr = p_expr(p)) == NULL) {
            return NULL;
        }
    } else {
        return p_syntax_error(p);
    }
    if (cmd != NULL) {
        cmd->name = column;
    }
    return cmd;
}

static AlterTableCmd *alter_add(Parser *p, int loc)
{
    if (p_is_table_constraint_start(p)) {
        AlterTableCmd *cmd = new_cmd(p, ALTER_ADD_CONSTRAINT, loc);
        if (cmd == NULL || (cmd->def = (Node *)p_table_constraint(p)) == NULL) {
            return NULL;
        }
        return cmd;
    }
    p_accept_kw(p, KW_COLUMN);
    AlterTableCmd *cmd = new_cmd(p, ALTER_ADD_COLUMN, loc);
    if (cmd == NULL) {
        return NULL;
    }
    cmd->if_not_exists = if_not_exists(p);
    if ((cmd->def = (Node *)p_column_def(p)) == NULL) {
        return NULL;
    }
    cmd->name = ((ColumnDef *)cmd->def)->name;
    return cmd;
}

static AlterTableCmd *alter_drop(Parser *p, int loc)
{
    AlterTableCmd *cmd;
    if (p_accept_kw(p, KW_CONSTRAINT)) {
        cmd = new_cmd(p, ALTER_DROP_CONSTRAINT, loc);
    } else {
        p_accept_kw(p, KW_COLUMN);
        cmd = new_cmd(p, ALTER_DROP_COLUMN, loc);
    }
    if (cmd == NULL) {
        return NULL;
    }
    cmd->if_exists = if_exists(p);
    if ((cmd->name = p_col_id(p)) == NULL) {
        return NULL;
    }
    cmd->cascade = opt_drop_behavior(p);
    return cmd;
}

static AlterTableCmd *alter_rename(Parser *p, int loc)
{
    AlterTableCmd *cmd;
    if (p_accept_kw(p, KW_TO)) {
        cmd = new_cmd(p, ALTER_RENAME, loc);
        if (cmd == NULL || (cmd->new_name = p_col_id(p)) == NULL) {
            return NULL;
        }
        return cmd;
    }
    if (p_accept_kw(p, KW_CONSTRAINT)) {
        cmd = new_cmd(p, ALTER_RENAME_CONSTRAINT, loc);
    } else {
        p_accept_kw(p, KW_COLUMN);
        cmd = new_cmd(p, ALTER_RENAME_COLUMN, loc);
    }
    if (cmd == NULL || (cmd->name = p_col_id(p)) == NULL || !p_expect_kw(p, KW_TO) ||
        (cmd->new_name = p_col_id(p)) == NULL) {
        return NULL;
    }
    return cmd;
}

static AlterTableCmd *alter_set(Parser *p, int loc)
{
    AlterTableCmd *cmd = NULL;
    if (p_is_kw(p, KW_ACCESS) && p_peek_kw(p, 1, KW_METHOD)) {
        p_advance(p);
        p_advance(p);
        cmd = new_cmd(p, ALTER_SET_ACCESS_METHOD, loc);
        if (cmd != NULL && (cmd->new_name = access_method_name(p)) == NULL) {
            return NULL;
        }
    } else if (p_accept_kw(p, KW_SCHEMA)) {
        cmd = new_cmd(p, ALTER_SET_SCHEMA, loc);
        if (cmd != NULL && (cmd->new_name = p_col_id(p)) == NULL) {
            return NULL;
        }
    } else if (p_is(p, TOK_LPAREN)) {
        cmd = new_cmd(p, ALTER_SET_OPTIONS, loc);
        if (cmd != NULL && !p_def_list(p, &cmd->options)) {
            return NULL;
        }
    } else {
        return p_syntax_error(p);
    }
    return cmd;
}

/* ATTACH PARTITION name FOR VALUES ... | DEFAULT, DETACH PARTITION name */
static AlterTableCmd *alter_partition(Parser *p, int loc)
{
    bool attach = strcmp(p_tok(p)->text, "attach") == 0;
    p_advance(p);
    p_advance(p);
    AlterTableCmd *cmd = new_cmd(p, attach ? ALTER_ATTACH_PARTITION : ALTER_DETACH_PARTITION, loc);
    if (cmd == NULL || (cmd->def = (Node *)p_qualified_name(p)) == NULL) {
        return NULL;
    }
    if (attach && (cmd->bound = partition_bound(p)) == NULL) {
        return NULL;
    }
    return cmd;
}

static AlterTableCmd *alter_cmd(Parser *p)
{
    int loc = p_loc(p);
    if (p_accept_kw(p, KW_ADD)) {
        return alter_add(p, loc);
    }
    if (p_accept_kw(p, KW_DROP)) {
        return alter_drop(p, loc);
    }
    if (p_accept_kw(p, KW_ALTER)) {
        return alter_column(p, loc);
    }
    if (p_accept_kw(p, KW_RENAME)) {
        return alter_rename(p, loc);
    }
    if (p_accept_kw(p, KW_SET)) {
        return alter_set(p, loc);
    }
    if (p_accept_kw(p, KW_RESET)) {
        AlterTableCmd *cmd = new_cmd(p, ALTER_RESET_OPTIONS, loc);
        return cmd != NULL && p_def_list(p, &cmd->options) ? cmd : NULL;
    }
    if (p_is(p, TOK_IDENT) && p_peek_kw(p, 1, KW_PARTITION) &&
        (strcmp(p_tok(p)->text, "attach") == 0 || strcmp(p_tok(p)->text, "detach") == 0)) {
        return alter_partition(p, loc);
    }
    if (p_is_kw(p, KW_OWNER) && p_peek_kw(p, 1, KW_TO)) {
        p_advance(p);
        p_advance(p);
        AlterTableCmd *cmd = new_cmd(p, ALTER_OWNER, loc);
        if (cmd != NULL && (p_is_kw(p, KW_CURRENT_USER) || p_is_kw(p, KW_SESSION_USER) ||
                            p_is_kw(p, KW_CURRENT_ROLE))) {
            cmd->new_name = p_is_kw(p, KW_CURRENT_USER)   ? "current_user"
                            : p_is_kw(p, KW_SESSION_USER) ? "session_user"
                                                          : "current_role";
            p_advance(p);
            return cmd;
        }
        return cmd != NULL && (cmd->new_name = p_nonreserved_word(p)) != NULL ? cmd : NULL;
    }
    return p_syntax_error(p);
}

static Stmt *alter_sequence(Parser *p, int loc)
{
    CreateSequenceStmt *seq = P_NEW(p, CreateSequenceStmt, N_CREATE_SEQUENCE_STMT, loc);
    if (seq == NULL) {
        return NULL;
    }
    seq->is_alter = true;
    seq->if_exists = if_exists(p);
    seq->sequence = p_qualified_name(p);
    if (seq->sequence == NULL || !seq_option_list(p, &seq->options)) {
        return NULL;
    }
    if (seq->options.count == 0) {
        return p_syntax_error(p);
    }
    return (Stmt *)seq;
}

/* CREATE TYPE name AS ENUM ('a', ...): other CREATE TYPE forms (composite,
 * range, base types) are syntax errors. */
static Stmt *create_enum(Parser *p, int loc)
{
    p_advance(p); /* TYPE */
    CreateEnumStmt *stmt = P_NEW(p, CreateEnumStmt, N_CREATE_ENUM_STMT, loc);
    if (stmt == NULL || (stmt->name = p_any_name(p)) == NULL || !p_expect_kw(p, KW_AS) ||
        !p_expect_kw(p, KW_ENUM) || !p_expect(p, TOK_LPAREN)) {
        return NULL;
    }
    if (!p_is(p, TOK_RPAREN)) {
        do {
            char *label = p_string(p);
            if (label == NULL || !p_append_name(p, &stmt->labels, label)) {
                return NULL;
            }
        } while (p_accept(p, TOK_COMMA));
    }
    return p_expect(p, TOK_RPAREN) ? (Stmt *)stmt : NULL;
}

/* CREATE DOMAIN name [AS] type [DEFAULT expr | [CONSTRAINT c] NOT NULL | NULL |
 * CHECK (expr)] ... */
static Stmt *create_domain(Parser *p, int loc)
{
    p_advance(p); /* DOMAIN */
    CreateDomainStmt *stmt = P_NEW(p, CreateDomainStmt, N_CREATE_DOMAIN_STMT, loc);
    if (stmt == NULL || (stmt->name = p_any_name(p)) == NULL) {
        return NULL;
    }
    p_accept_kw(p, KW_AS);
    if ((stmt->type = p_type_name(p)) == NULL) {
        return NULL;
    }
    for (;;) {
        bool matched;
        int at = p_loc(p);
        Constraint *con = column_constraint(p, &matched);
        if (!matched) {
            break;
        }
        if (con == NULL) {
            return NULL;
        }
        if (con->kind != CONSTRAINT_CHECK && con->kind != CONSTRAINT_NOT_NULL &&
            con->kind != CONSTRAINT_NULL && con->kind != CONSTRAINT_DEFAULT) {
            (void)at;
            return p_error_at(p, p->pos - 1, "42601", "unsupported constraint for a domain");
        }
        if (!p_append(p, &stmt->constraints, (Node *)con)) {
            return NULL;
        }
    }
    return (Stmt *)stmt;
}

/* ALTER DOMAIN name ADD constraint | DROP CONSTRAINT [IF EXISTS] c [RESTRICT |
 * CASCADE] | SET DEFAULT expr | DROP DEFAULT | SET NOT NULL | DROP NOT NULL */
static Stmt *alter_domain(Parser *p, int loc)
{
    p_advance(p); /* DOMAIN */
    AlterDomainStmt *stmt = P_NEW(p, AlterDomainStmt, N_ALTER_DOMAIN_STMT, loc);
    if (stmt == NULL || (stmt->name = p_any_name(p)) == NULL) {
        return NULL;
    }
    if (p_accept_kw(p, KW_ADD)) {
        bool matched;
        stmt->action = ALTER_DOMAIN_ADD_CONSTRAINT;
        stmt->constraint = column_constraint(p, &matched);
        if (stmt->constraint == NULL) {
            return matched ? NULL : p_syntax_error(p);
        }
        if (stmt->constraint->kind != CONSTRAINT_CHECK &&
            stmt->constraint->kind != CONSTRAINT_NOT_NULL) {
            return p_syntax_error(p);
        }
        return (Stmt *)stmt;
    }
    if (p_accept_kw(p, KW_DROP)) {
        if (p_accept_kw(p, KW_CONSTRAINT)) {
            stmt->action = ALTER_DOMAIN_DROP_CONSTRAINT;
            stmt->if_exists = if_exists(p);
            if ((stmt->constraint_name = p_col_id(p)) == NULL) {
                return NULL;
            }
            if (!p_accept_kw(p, KW_RESTRICT)) {
                p_accept_kw(p, KW_CASCADE);
            }
            return (Stmt *)stmt;
        }
        if (p_accept_kw(p, KW_DEFAULT)) {
            stmt->action = ALTER_DOMAIN_DROP_DEFAULT;
            return (Stmt *)stmt;
        }
        stmt->action = ALTER_DOMAIN_DROP_NOT_NULL;
        return p_expect_kw(p, KW_NOT) && p_expect_kw(p, KW_NULL) ? (Stmt *)stmt : NULL;
    }
    if (!p_expect_kw(p, KW_SET)) {
        return NULL;
    }
    if (p_accept_kw(p, KW_DEFAULT)) {
        stmt->action = ALTER_DOMAIN_SET_DEFAULT;
        return (stmt->default_expr = p_expr(p)) != NULL ? (Stmt *)stmt : NULL;
    }
    stmt->action = ALTER_DOMAIN_SET_NOT_NULL;
    return p_expect_kw(p, KW_NOT) && p_expect_kw(p, KW_NULL) ? (Stmt *)stmt : NULL;
}

/* ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'label' [BEFORE | AFTER 'other'] */
static Stmt *alter_enum(Parser *p, int loc)
{
    p_advance(p); /* TYPE */
    AlterEnumStmt *stmt = P_NEW(p, AlterEnumStmt, N_ALTER_ENUM_STMT, loc);
    if (stmt == NULL || (stmt->name = p_any_name(p)) == NULL || !p_expect_kw(p, KW_ADD) ||
        !p_expect_kw(p, KW_VALUE)) {
        return NULL;
    }
    stmt->if_not_exists = if_not_exists(p);
    if ((stmt->label = p_string(p)) == NULL) {
        return NULL;
    }
    if (p_is_kw(p, KW_BEFORE) || p_is_kw(p, KW_AFTER)) {
        stmt->is_before = p_is_kw(p, KW_BEFORE);
        p_advance(p);
        if ((stmt->neighbor = p_string(p)) == NULL) {
            return NULL;
        }
    }
    return (Stmt *)stmt;
}

Stmt *p_alter(Parser *p)
{
    int loc = p_loc(p);
    p_advance(p); /* ALTER */
    if (p_is_kw(p, KW_ROLE) || p_is_kw(p, KW_USER) || p_is_kw(p, KW_GROUP)) {
        return p_role_stmt(p, ROLE_ALTER, loc);
    }
    if (p_is_kw(p, KW_TYPE)) {
        return alter_enum(p, loc);
    }
    if (p_is_kw(p, KW_DOMAIN)) {
        return alter_domain(p, loc);
    }
    AlterTableStmt *alter = P_NEW(p, AlterTableStmt, N_ALTER_TABLE_STMT, loc);
    if (alter == NULL) {
        return NULL;
    }
    switch (p_is(p, TOK_IDENT) ? p_tok(p)->keyword : KW_NONE) {
    case KW_TABLE:
        alter->kind = OBJECT_TABLE;
        break;
    case KW_INDEX:
        alter->kind = OBJECT_INDEX;
        break;
    case KW_VIEW:
        alter->kind = OBJECT_VIEW;
        break;
    case KW_SCHEMA:
        alter->kind = OBJECT_SCHEMA;
        break;
    case KW_SEQUENCE: {
        /* ALTER SEQUENCE [IF EXISTS] name RENAME / OWNER TO / SET SCHEMA goes the ALTER
         * TABLE way; sequence options (INCREMENT, RESTART, ...) their own. Looked at
         * past the (possibly qualified) name, then parsed again from SEQUENCE. */
        ParseMark mark = p_mark(p);
        p_advance(p);
        (void)if_exists(p);
        bool is_cmd = p_qualified_name(p) != NULL &&
                      (p_is_kw(p, KW_RENAME) || p_is_kw(p, KW_OWNER) ||
                       (p_is_kw(p, KW_SET) && p_peek_kw(p, 1, KW_SCHEMA)));
        if (!p_backtrack(p, mark)) {
            return NULL;
        }
        if (!is_cmd) {
            p_advance(p);
            return alter_sequence(p, loc);
        }
        alter->kind = OBJECT_SEQUENCE;
        break;
    }
    case KW_MATERIALIZED:
        p_advance(p);
        if (!p_is_kw(p, KW_VIEW)) {
            return p_syntax_error(p);
        }
        alter->kind = OBJECT_MATVIEW;
        break;
    default:
        return p_syntax_error(p);
    }
    p_advance(p);
    alter->if_exists = if_exists(p);
    if (alter->kind == OBJECT_TABLE && p_accept_kw(p, KW_ONLY)) {
        /* ONLY: no inheritance in strata, so it changes nothing */
    }
    alter->relation = p_qualified_name(p);
    if (alter->relation == NULL) {
        return NULL;
    }
    do {
        AlterTableCmd *cmd = alter_cmd(p);
        if (!p_append(p, &alter->cmds, (Node *)cmd)) {
            return NULL;
        }
        if (cmd->kind == ALTER_RENAME || cmd->kind == ALTER_RENAME_COLUMN ||
            cmd->kind == ALTER_RENAME_CONSTRAINT || cmd->kind == ALTER_SET_SCHEMA) {
            break; /* RENAME and SET SCHEMA stand alone, as in PostgreSQL */
        }
    } while (p_accept(p, TOK_COMMA));
    return (Stmt *)alter;
}

/* ---------------- TRUNCATE, REFRESH ---------------- */

Stmt *p_truncate(Parser *p)
{
    TruncateStmt *truncate = P_NEW(p, TruncateStmt, N_TRUNCATE_STMT, p_loc(p));
    if (truncate == NULL) {
        return NULL;
    }
    p_advance(p);
    p_accept_kw(p, KW_TABLE);
    do {
        bool only = p_accept_kw(p, KW_ONLY);
        RangeVar *rv = p_qualified_name(p);
        if (rv == NULL) {
            return NULL;
        }
        rv->only = only;
        if (!only) {
            p_accept_op(p, "*");
        }
        if (!p_append(p, &truncate->relations, (Node *)rv)) {
            return NULL;
        }
    } while (p_accept(p, TOK_COMMA));
    if (p_accept_kw(p, KW_RESTART)) {
        if (!p_expect_kw(p, KW_IDENTITY)) {
            return NULL;
        }
        truncate->restart_identity = true;
    } else if (p_accept_kw(p, KW_CONTINUE)) {
        if (!p_expect_kw(p, KW_IDENTITY)) {
            return NULL;
        }
    }
    truncate->cascade = opt_drop_behavior(p);
    return (Stmt *)truncate;
}

Stmt *p_refresh(Parser *p)
{
    RefreshMatViewStmt *refresh = P_NEW(p, RefreshMatViewStmt, N_REFRESH_MATVIEW_STMT, p_loc(p));
    if (refresh == NULL) {
        return NULL;
    }
    p_advance(p);
    if (!p_expect_kw(p, KW_MATERIALIZED) || !p_expect_kw(p, KW_VIEW)) {
        return NULL;
    }
    refresh->concurrently = p_accept_kw(p, KW_CONCURRENTLY);
    refresh->view = p_qualified_name(p);
    if (refresh->view == NULL || !with_data(p, &refresh->with_no_data)) {
        return NULL;
    }
    return (Stmt *)refresh;
}
