/*
 * sql/deparse_expr.c - expressions, type names and identifiers back to SQL text.
 *
 * Every operator expression is printed inside parentheses, so precedence never
 * depends on the reader; postfix forms (::, [ ], .field) wrap their argument in
 * parentheses unless it is a simple term. See deparse_int.h for the contract.
 *
 * Threads: reentrant. See src/sql/README.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sql/deparse_int.h"
#include "sql/parser_int.h"

/* ---------------- buffer ---------------- */

static bool buf_reserve(Buf *buf, size_t more)
{
    if (buf->failed) {
        return false;
    }
    if (buf->length + more + 1 <= buf->capacity) {
        return true;
    }
    size_t capacity = buf->capacity == 0 ? 256 : buf->capacity;
    while (capacity < buf->length + more + 1) {
        capacity *= 2;
    }
    char *grown = arena_realloc(buf->arena, buf->data, buf->capacity, capacity);
    if (grown == NULL) {
        buf->failed = true;
        return false;
    }
    buf->data = grown;
    buf->capacity = capacity;
    return true;
}

void buf_putn(Buf *buf, const char *text, size_t length)
{
    if (!buf_reserve(buf, length)) {
        return;
    }
    memcpy(buf->data + buf->length, text, length);
    buf->length += length;
    buf->data[buf->length] = '\0';
}

void buf_put(Buf *buf, const char *text)
{
    buf_putn(buf, text, strlen(text));
}

void buf_printf(Buf *buf, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int length = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (length < 0) {
        buf->failed = true;
        return;
    }
    if ((size_t)length < sizeof(small)) {
        buf_putn(buf, small, (size_t)length);
        return;
    }
    if (!buf_reserve(buf, (size_t)length)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->length, (size_t)length + 1, fmt, ap);
    va_end(ap);
    buf->length += (size_t)length;
}

/* ---------------- identifiers and literals ---------------- */

static bool needs_quotes(const char *name, IdentContext context)
{
    if (name[0] == '\0' || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) {
        return true;
    }
    for (const char *scan = name; *scan != '\0'; scan++) {
        char c = *scan;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return true;
        }
    }
    KeywordId kw = keyword_lookup(name, strlen(name));
    if (kw == KW_NONE) {
        return false;
    }
    switch (keyword_category(kw)) {
    case KEYWORD_UNRESERVED:
        return false;
    case KEYWORD_COL_NAME:
        return context == IDENT_FUNC;
    case KEYWORD_TYPE_FUNC_NAME:
        return context == IDENT_COLID;
    case KEYWORD_RESERVED:
        return context != IDENT_LABEL;
    }
    return true;
}

void buf_ident(Buf *buf, const char *name, IdentContext context)
{
    if (!needs_quotes(name, context)) {
        buf_put(buf, name);
        return;
    }
    buf_put(buf, "\"");
    for (const char *scan = name; *scan != '\0'; scan++) {
        if (*scan == '"') {
            buf_put(buf, "\"\"");
        } else {
            buf_putn(buf, scan, 1);
        }
    }
    buf_put(buf, "\"");
}

char *sql_quote_identifier(const char *name, Arena *arena)
{
    Buf buf = {.arena = arena};
    buf_ident(&buf, name, IDENT_COLID);
    return buf.failed ? NULL : buf.data;
}

void buf_string_literal(Buf *buf, const char *text, size_t length)
{
    buf_put(buf, "'");
    size_t start = 0;
    for (size_t index = 0; index < length; index++) {
        if (text[index] == '\'') {
            buf_putn(buf, text + start, index + 1 - start);
            buf_put(buf, "'");
            start = index + 1;
        }
    }
    buf_putn(buf, text + start, length - start);
    buf_put(buf, "'");
}

void buf_name_list(Buf *buf, const NameList *names, IdentContext first_context)
{
    for (int index = 0; index < names->count; index++) {
        if (index > 0) {
            buf_put(buf, ".");
        }
        buf_ident(buf, names->items[index], index == 0 ? first_context : IDENT_LABEL);
    }
}

/* ---------------- types ---------------- */

static void interval_fields(Buf *buf, int fields)
{
    static const char *const names[] = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
    int first = -1;
    int last = -1;
    for (int bit = 0; bit < 6; bit++) {
        if (fields & (1 << bit)) {
            if (first < 0) {
                first = bit;
            }
            last = bit;
        }
    }
    if (first < 0) {
        return;
    }
    buf_printf(buf, " %s", names[first]);
    if (last != first) {
        buf_printf(buf, " TO %s", names[last]);
    }
}

void deparse_type(Buf *buf, const TypeName *type)
{
    if (type->schema != NULL) {
        buf_ident(buf, type->schema, IDENT_COLID);
        buf_put(buf, ".");
        buf_ident(buf, type->name, IDENT_LABEL);
    } else if (strcmp(type->name, "numeric") == 0 || strcmp(type->name, "varchar") == 0 ||
               strcmp(type->name, "time") == 0 || strcmp(type->name, "timestamp") == 0 ||
               strcmp(type->name, "interval") == 0 || strcmp(type->name, "bit") == 0) {
        buf_put(buf, type->name); /* keyword spellings that parse to themselves */
    } else {
        buf_ident(buf, type->name, IDENT_FUNC);
    }
    if (type->interval_fields != 0) {
        interval_fields(buf, type->interval_fields);
    }
    if (type->typmods.count > 0) {
        buf_put(buf, "(");
        deparse_expr_list(buf, &type->typmods);
        buf_put(buf, ")");
    }
    for (int dim = 0; dim < type->array_dims; dim++) {
        buf_put(buf, "[]");
    }
}

/* ---------------- expressions ---------------- */

void deparse_expr_list(Buf *buf, const NodeList *list)
{
    for (int index = 0; index < list->count; index++) {
        if (index > 0) {
            buf_put(buf, ", ");
        }
        deparse_expr(buf, list->items[index]);
    }
}

/* Terms that may take a postfix operator without parentheses. */
static bool is_simple_term(const Node *node)
{
    switch (node->tag) {
    case N_COLUMN_REF:
        return !((const ColumnRef *)node)->is_star;
    case N_PARAM:
    case N_FUNC_CALL:
    case N_SUBSCRIPT:
    case N_FIELD_SELECT:
    case N_OP_EXPR: /* these print their own parentheses */
    case N_BOOL_EXPR:
    case N_IN_LIST:
    case N_ARRAY_OP:
    case N_BETWEEN:
    case N_LIKE:
    case N_NULL_TEST:
    case N_BOOL_TEST:
    case N_DISTINCT_EXPR:
    case N_COLLATE:
    case N_CASE:
    case N_COALESCE:
    case N_NULLIF:
    case N_MINMAX:
    case N_ARRAY:
    case N_ROW:
        return true;
    case N_SUBLINK:
        return ((const SubLink *)node)->kind != SUBLINK_EXISTS;
    case N_CAST:
        return ((const Cast *)node)->syntax != CAST_SYNTAX_PREFIX;
    case N_CONST: {
        const Const *c = (const Const *)node;
        return !((c->kind == CONST_INTEGER || c->kind == CONST_NUMERIC) && c->text[0] == '-');
    }
    default:
        return false;
    }
}

static void postfix_arg(Buf *buf, const Node *node)
{
    if (is_simple_term(node)) {
        deparse_expr(buf, node);
    } else {
        buf_put(buf, "(");
        deparse_expr(buf, node);
        buf_put(buf, ")");
    }
}

static void deparse_const(Buf *buf, const Const *c)
{
    switch (c->kind) {
    case CONST_INTEGER:
    case CONST_NUMERIC:
        buf_put(buf, c->text);
        break;
    case CONST_STRING:
        buf_string_literal(buf, c->text, c->text_length);
        break;
    case CONST_BIT_STRING:
        buf_printf(buf, "B'%s'", c->text);
        break;
    case CONST_HEX_STRING:
        buf_printf(buf, "X'%s'", c->text);
        break;
    case CONST_BOOL:
        buf_put(buf, c->bool_value ? "TRUE" : "FALSE");
        break;
    case CONST_NULL:
        buf_put(buf, "NULL");
        break;
    }
}

static void deparse_cast(Buf *buf, const Cast *cast)
{
    switch (cast->syntax) {
    case CAST_SYNTAX_CAST:
        buf_put(buf, "CAST(");
        deparse_expr(buf, cast->arg);
        buf_put(buf, " AS ");
        deparse_type(buf, cast->type);
        buf_put(buf, ")");
        break;
    case CAST_SYNTAX_COLONS:
        postfix_arg(buf, cast->arg);
        buf_put(buf, "::");
        deparse_type(buf, cast->type);
        break;
    case CAST_SYNTAX_PREFIX: {
        /* type 'literal' [fields [(precision)]]: fields follow the literal */
        TypeName plain = *cast->type;
        bool has_fields = plain.interval_fields != 0;
        plain.interval_fields = 0;
        if (has_fields) {
            plain.typmods.count = 0;
        }
        deparse_type(buf, &plain);
        buf_put(buf, " ");
        deparse_expr(buf, cast->arg);
        interval_fields(buf, cast->type->interval_fields);
        if (has_fields && cast->type->typmods.count > 0) {
            buf_put(buf, "(");
            deparse_expr_list(buf, &cast->type->typmods);
            buf_put(buf, ")");
        }
        break;
    }
    }
}

static void deparse_op(Buf *buf, const OpExpr *op)
{
    buf_put(buf, "(");
    if (op->left != NULL) {
        deparse_expr(buf, op->left);
        buf_put(buf, " ");
    }
    if (op->op_schema != NULL) {
        buf_put(buf, "OPERATOR(");
        buf_ident(buf, op->op_schema, IDENT_COLID);
        buf_printf(buf, ".%s)", op->op);
    } else {
        buf_put(buf, op->op);
    }
    buf_put(buf, " ");
    deparse_expr(buf, op->right);
    buf_put(buf, ")");
}

static void deparse_bool(Buf *buf, const BoolExpr *expr)
{
    buf_put(buf, "(");
    if (expr->op == BOOL_NOT) {
        buf_put(buf, "NOT ");
        deparse_expr(buf, expr->args.items[0]);
    } else {
        for (int index = 0; index < expr->args.count; index++) {
            if (index > 0) {
                buf_put(buf, expr->op == BOOL_AND ? " AND " : " OR ");
            }
            deparse_expr(buf, expr->args.items[index]);
        }
    }
    buf_put(buf, ")");
}

void deparse_sort_list(Buf *buf, const NodeList *list)
{
    for (int index = 0; index < list->count; index++) {
        const SortBy *sort = (const SortBy *)list->items[index];
        if (index > 0) {
            buf_put(buf, ", ");
        }
        deparse_expr(buf, sort->expr);
        if (sort->dir != SORT_DEFAULT) {
            buf_put(buf, sort->dir == SORT_ASC ? " ASC" : " DESC");
        }
        if (sort->nulls != SORT_NULLS_DEFAULT) {
            buf_put(buf, sort->nulls == SORT_NULLS_FIRST ? " NULLS FIRST" : " NULLS LAST");
        }
    }
}

static void frame_bound(Buf *buf, FrameBoundKind kind, const Node *offset)
{
    switch (kind) {
    case FRAME_BOUND_DEFAULT:
        break;
    case FRAME_BOUND_UNBOUNDED_PRECEDING:
        buf_put(buf, "UNBOUNDED PRECEDING");
        break;
    case FRAME_BOUND_UNBOUNDED_FOLLOWING:
        buf_put(buf, "UNBOUNDED FOLLOWING");
        break;
    case FRAME_BOUND_CURRENT_ROW:
        buf_put(buf, "CURRENT ROW");
        break;
    case FRAME_BOUND_OFFSET_PRECEDING:
        deparse_expr(buf, offset);
        buf_put(buf, " PRECEDING");
        break;
    case FRAME_BOUND_OFFSET_FOLLOWING:
        deparse_expr(buf, offset);
        buf_put(buf, " FOLLOWING");
        break;
    }
}

void deparse_window(Buf *buf, const WindowDef *window)
{
    const char *sep = "";
    buf_put(buf, "(");
    if (window->refname != NULL) {
        buf_ident(buf, window->refname, IDENT_COLID);
        sep = " ";
    }
    if (window->partition_by.count > 0) {
        buf_printf(buf, "%sPARTITION BY ", sep);
        deparse_expr_list(buf, &window->partition_by);
        sep = " ";
    }
    if (window->order_by.count > 0) {
        buf_printf(buf, "%sORDER BY ", sep);
        deparse_sort_list(buf, &window->order_by);
        sep = " ";
    }
    if (window->frame_mode != FRAME_NONE) {
        static const char *const modes[] = {"", "ROWS", "RANGE", "GROUPS"};
        buf_printf(buf, "%s%s ", sep, modes[window->frame_mode]);
        if (window->end_kind != FRAME_BOUND_DEFAULT) {
            buf_put(buf, "BETWEEN ");
            frame_bound(buf, window->start_kind, window->start_offset);
            buf_put(buf, " AND ");
            frame_bound(buf, window->end_kind, window->end_offset);
        } else {
            frame_bound(buf, window->start_kind, window->start_offset);
        }
        static const char *const excludes[] = {"", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP",
                                               " EXCLUDE TIES"};
        buf_put(buf, excludes[window->exclude]);
    }
    buf_put(buf, ")");
}

static void deparse_special_call(Buf *buf, const FuncCall *call)
{
    const NodeList *args = &call->args;
    switch (call->syntax) {
    case FUNC_SYNTAX_EXTRACT:
        buf_put(buf, "EXTRACT(");
        deparse_expr(buf, args->items[0]);
        buf_put(buf, " FROM ");
        deparse_expr(buf, args->items[1]);
        buf_put(buf, ")");
        return;
    case FUNC_SYNTAX_SUBSTRING:
        buf_put(buf, "SUBSTRING(");
        deparse_expr(buf, args->items[0]);
        buf_put(buf, " FROM ");
        deparse_expr(buf, args->items[1]);
        if (args->count > 2) {
            buf_put(buf, " FOR ");
            deparse_expr(buf, args->items[2]);
        }
        buf_put(buf, ")");
        return;
    case FUNC_SYNTAX_POSITION:
        buf_put(buf, "POSITION(");
        deparse_expr(buf, args->items[1]);
        buf_put(buf, " IN ");
        deparse_expr(buf, args->items[0]);
        buf_put(buf, ")");
        return;
    case FUNC_SYNTAX_TRIM: {
        const char *name = call->name.items[call->name.count - 1];
        buf_printf(buf, "TRIM(%s ",
                   strcmp(name, "ltrim") == 0   ? "LEADING"
                   : strcmp(name, "rtrim") == 0 ? "TRAILING"
                                                : "BOTH");
        if (args->count > 1) {
            deparse_expr(buf, args->items[1]);
            buf_put(buf, " ");
        }
        buf_put(buf, "FROM ");
        deparse_expr(buf, args->items[0]);
        buf_put(buf, ")");
        return;
    }
    case FUNC_SYNTAX_OVERLAY:
        buf_put(buf, "OVERLAY(");
        deparse_expr(buf, args->items[0]);
        buf_put(buf, " PLACING ");
        deparse_expr(buf, args->items[1]);
        buf_put(buf, " FROM ");
        deparse_expr(buf, args->items[2]);
        if (args->count > 3) {
            buf_put(buf, " FOR ");
            deparse_expr(buf, args->items[3]);
        }
        buf_put(buf, ")");
        return;
    case FUNC_SYNTAX_AT_TIME_ZONE:
        buf_put(buf, "(");
        deparse_expr(buf, args->items[1]);
        buf_put(buf, " AT TIME ZONE ");
        deparse_expr(buf, args->items[0]);
        buf_put(buf, ")");
        return;
    case FUNC_SYNTAX_NORMAL:
        return;
    }
}

static bool special_args_ok(const FuncCall *call)
{
    int count = call->args.count;
    switch (call->syntax) {
    case FUNC_SYNTAX_EXTRACT:
    case FUNC_SYNTAX_POSITION:
    case FUNC_SYNTAX_AT_TIME_ZONE:
        return count == 2;
    case FUNC_SYNTAX_SUBSTRING:
        return count == 2 || count == 3;
    case FUNC_SYNTAX_TRIM:
        return count == 1 || count == 2;
    case FUNC_SYNTAX_OVERLAY:
        return count == 3 || count == 4;
    case FUNC_SYNTAX_NORMAL:
        return false;
    }
    return false;
}

static void deparse_call(Buf *buf, const FuncCall *call)
{
    if (call->syntax != FUNC_SYNTAX_NORMAL && special_args_ok(call)) {
        deparse_special_call(buf, call);
        return;
    }
    buf_name_list(buf, &call->name, call->name.count > 1 ? IDENT_COLID : IDENT_FUNC);
    buf_put(buf, "(");
    if (call->agg_star) {
        buf_put(buf, "*");
    }
    if (call->agg_distinct) {
        buf_put(buf, "DISTINCT ");
    }
    for (int index = 0; index < call->args.count; index++) {
        if (index > 0) {
            buf_put(buf, ", ");
        }
        if (call->func_variadic && index == call->args.count - 1) {
            buf_put(buf, "VARIADIC ");
        }
        deparse_expr(buf, call->args.items[index]);
    }
    if (call->agg_order.count > 0 && !call->agg_within_group) {
        buf_put(buf, " ORDER BY ");
        deparse_sort_list(buf, &call->agg_order);
    }
    buf_put(buf, ")");
    if (call->agg_within_group) {
        buf_put(buf, " WITHIN GROUP (ORDER BY ");
        deparse_sort_list(buf, &call->agg_order);
        buf_put(buf, ")");
    }
    if (call->agg_filter != NULL) {
        buf_put(buf, " FILTER (WHERE ");
        deparse_expr(buf, call->agg_filter);
        buf_put(buf, ")");
    }
    if (call->over != NULL) {
        buf_put(buf, " OVER ");
        if (call->over->is_bare_name) {
            buf_ident(buf, call->over->refname, IDENT_COLID);
        } else {
            deparse_window(buf, call->over);
        }
    }
}

static void deparse_case(Buf *buf, const CaseExpr *expr)
{
    buf_put(buf, "CASE");
    if (expr->arg != NULL) {
        buf_put(buf, " ");
        deparse_expr(buf, expr->arg);
    }
    for (int index = 0; index < expr->whens.count; index++) {
        const CaseWhen *when = (const CaseWhen *)expr->whens.items[index];
        buf_put(buf, " WHEN ");
        deparse_expr(buf, when->condition);
        buf_put(buf, " THEN ");
        deparse_expr(buf, when->result);
    }
    if (expr->default_result != NULL) {
        buf_put(buf, " ELSE ");
        deparse_expr(buf, expr->default_result);
    }
    buf_put(buf, " END");
}

static void deparse_sublink(Buf *buf, const SubLink *link)
{
    switch (link->kind) {
    case SUBLINK_EXISTS:
        buf_put(buf, "EXISTS (");
        break;
    case SUBLINK_ARRAY:
        buf_put(buf, "ARRAY(");
        break;
    case SUBLINK_EXPR:
        buf_put(buf, "(");
        break;
    case SUBLINK_ANY:
    case SUBLINK_ALL:
        buf_put(buf, "(");
        deparse_expr(buf, link->test_expr);
        if (link->is_in && link->kind == SUBLINK_ANY && strcmp(link->op, "=") == 0) {
            buf_put(buf, " IN (");
        } else {
            buf_printf(buf, " %s %s (", link->op, link->kind == SUBLINK_ANY ? "ANY" : "ALL");
        }
        deparse_stmt(buf, link->subquery);
        buf_put(buf, "))");
        return;
    }
    deparse_stmt(buf, link->subquery);
    buf_put(buf, ")");
}

static void deparse_sql_value(Buf *buf, const SqlValue *value)
{
    static const char *const names[] = {
        [SQL_VALUE_CURRENT_DATE] = "CURRENT_DATE",
        [SQL_VALUE_CURRENT_TIME] = "CURRENT_TIME",
        [SQL_VALUE_CURRENT_TIMESTAMP] = "CURRENT_TIMESTAMP",
        [SQL_VALUE_LOCALTIME] = "LOCALTIME",
        [SQL_VALUE_LOCALTIMESTAMP] = "LOCALTIMESTAMP",
        [SQL_VALUE_CURRENT_USER] = "CURRENT_USER",
        [SQL_VALUE_CURRENT_ROLE] = "CURRENT_ROLE",
        [SQL_VALUE_SESSION_USER] = "SESSION_USER",
        [SQL_VALUE_USER] = "USER",
        [SQL_VALUE_CURRENT_SCHEMA] = "CURRENT_SCHEMA",
        [SQL_VALUE_CURRENT_CATALOG] = "CURRENT_CATALOG",
    };
    buf_put(buf, names[value->kind]);
    if (value->precision >= 0) {
        buf_printf(buf, "(%d)", value->precision);
    }
}

static void deparse_grouping_set(Buf *buf, const GroupingSet *set)
{
    switch (set->kind) {
    case GROUPING_SET_EMPTY:
        buf_put(buf, "()");
        return;
    case GROUPING_SET_ROLLUP:
        buf_put(buf, "ROLLUP (");
        break;
    case GROUPING_SET_CUBE:
        buf_put(buf, "CUBE (");
        break;
    case GROUPING_SET_SETS:
        buf_put(buf, "GROUPING SETS (");
        break;
    }
    deparse_expr_list(buf, &set->content);
    buf_put(buf, ")");
}

static void deparse_predicate(Buf *buf, const Node *node)
{
    switch (node->tag) {
    case N_IN_LIST: {
        const InList *in = (const InList *)node;
        buf_put(buf, "(");
        deparse_expr(buf, in->expr);
        buf_put(buf, in->is_not ? " NOT IN (" : " IN (");
        deparse_expr_list(buf, &in->list);
        buf_put(buf, "))");
        return;
    }
    case N_ARRAY_OP: {
        const ArrayOp *op = (const ArrayOp *)node;
        buf_put(buf, "(");
        deparse_expr(buf, op->left);
        buf_printf(buf, " %s %s (", op->op, op->is_all ? "ALL" : "ANY");
        deparse_expr(buf, op->right);
        buf_put(buf, "))");
        return;
    }
    case N_BETWEEN: {
        const BetweenExpr *between = (const BetweenExpr *)node;
        buf_put(buf, "(");
        deparse_expr(buf, between->expr);
        buf_put(buf, between->is_not ? " NOT BETWEEN " : " BETWEEN ");
        if (between->is_symmetric) {
            buf_put(buf, "SYMMETRIC ");
        }
        deparse_expr(buf, between->low);
        buf_put(buf, " AND ");
        deparse_expr(buf, between->high);
        buf_put(buf, ")");
        return;
    }
    case N_LIKE: {
        const LikeExpr *like = (const LikeExpr *)node;
        static const char *const names[] = {"LIKE", "ILIKE", "SIMILAR TO"};
        buf_put(buf, "(");
        deparse_expr(buf, like->expr);
        buf_printf(buf, " %s%s ", like->is_not ? "NOT " : "", names[like->kind]);
        deparse_expr(buf, like->pattern);
        if (like->escape != NULL) {
            buf_put(buf, " ESCAPE ");
            deparse_expr(buf, like->escape);
        }
        buf_put(buf, ")");
        return;
    }
    case N_NULL_TEST: {
        const NullTest *test = (const NullTest *)node;
        buf_put(buf, "(");
        deparse_expr(buf, test->arg);
        buf_put(buf, test->is_not ? " IS NOT NULL)" : " IS NULL)");
        return;
    }
    case N_BOOL_TEST: {
        const BoolTest *test = (const BoolTest *)node;
        static const char *const names[] = {" IS TRUE)",      " IS NOT TRUE)", " IS FALSE)",
                                            " IS NOT FALSE)", " IS UNKNOWN)",  " IS NOT UNKNOWN)"};
        buf_put(buf, "(");
        deparse_expr(buf, test->arg);
        buf_put(buf, names[test->kind]);
        return;
    }
    case N_DISTINCT_EXPR: {
        const DistinctExpr *expr = (const DistinctExpr *)node;
        buf_put(buf, "(");
        deparse_expr(buf, expr->left);
        buf_put(buf, expr->is_not ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        deparse_expr(buf, expr->right);
        buf_put(buf, ")");
        return;
    }
    default:
        buf_printf(buf, "<%s>", ast_tag_name(node->tag));
        return;
    }
}

static void deparse_column_ref(Buf *buf, const ColumnRef *ref)
{
    buf_name_list(buf, &ref->fields, IDENT_COLID);
    if (ref->is_star) {
        buf_put(buf, ref->fields.count > 0 ? ".*" : "*");
    }
}

static void deparse_misc(Buf *buf, const Node *node)
{
    switch (node->tag) {
    case N_COALESCE:
        buf_put(buf, "COALESCE(");
        deparse_expr_list(buf, &((const CoalesceExpr *)node)->args);
        buf_put(buf, ")");
        return;
    case N_NULLIF:
        buf_put(buf, "NULLIF(");
        deparse_expr(buf, ((const NullIfExpr *)node)->left);
        buf_put(buf, ", ");
        deparse_expr(buf, ((const NullIfExpr *)node)->right);
        buf_put(buf, ")");
        return;
    case N_MINMAX:
        buf_put(buf, ((const MinMaxExpr *)node)->is_greatest ? "GREATEST(" : "LEAST(");
        deparse_expr_list(buf, &((const MinMaxExpr *)node)->args);
        buf_put(buf, ")");
        return;
    case N_ROW: {
        const RowExpr *row = (const RowExpr *)node;
        buf_put(buf, row->is_explicit || row->args.count < 2 ? "ROW(" : "(");
        deparse_expr_list(buf, &row->args);
        buf_put(buf, ")");
        return;
    }
    case N_ARRAY:
        buf_put(buf, "ARRAY[");
        deparse_expr_list(buf, &((const ArrayExpr *)node)->elements);
        buf_put(buf, "]");
        return;
    case N_SUBSCRIPT: {
        const Subscript *sub = (const Subscript *)node;
        postfix_arg(buf, sub->arg);
        buf_put(buf, "[");
        if (sub->lower != NULL) {
            deparse_expr(buf, sub->lower);
        }
        if (sub->is_slice) {
            buf_put(buf, ":");
            if (sub->upper != NULL) {
                deparse_expr(buf, sub->upper);
            }
        }
        buf_put(buf, "]");
        return;
    }
    case N_FIELD_SELECT: {
        const FieldSelect *field = (const FieldSelect *)node;
        buf_put(buf, "(");
        deparse_expr(buf, field->arg);
        buf_put(buf, ").");
        if (field->field == NULL) {
            buf_put(buf, "*");
        } else {
            buf_ident(buf, field->field, IDENT_LABEL);
        }
        return;
    }
    case N_NAMED_ARG: {
        const NamedArgExpr *named = (const NamedArgExpr *)node;
        buf_ident(buf, named->name, IDENT_COLID);
        buf_put(buf, " => ");
        deparse_expr(buf, named->arg);
        return;
    }
    case N_COLLATE: {
        const CollateExpr *collate = (const CollateExpr *)node;
        buf_put(buf, "(");
        deparse_expr(buf, collate->arg);
        buf_put(buf, " COLLATE ");
        buf_name_list(buf, &collate->collation, IDENT_COLID);
        buf_put(buf, ")");
        return;
    }
    default:
        deparse_predicate(buf, node);
        return;
    }
}

void deparse_expr(Buf *buf, const Node *node)
{
    if (node == NULL) {
        buf_put(buf, "NULL");
        return;
    }
    switch (node->tag) {
    case N_COLUMN_REF:
        deparse_column_ref(buf, (const ColumnRef *)node);
        return;
    case N_CONST:
        deparse_const(buf, (const Const *)node);
        return;
    case N_PARAM:
        buf_printf(buf, "$%d", ((const Param *)node)->number);
        return;
    case N_CAST:
        deparse_cast(buf, (const Cast *)node);
        return;
    case N_OP_EXPR:
        deparse_op(buf, (const OpExpr *)node);
        return;
    case N_BOOL_EXPR:
        deparse_bool(buf, (const BoolExpr *)node);
        return;
    case N_FUNC_CALL:
        deparse_call(buf, (const FuncCall *)node);
        return;
    case N_CASE:
        deparse_case(buf, (const CaseExpr *)node);
        return;
    case N_SUBLINK:
        deparse_sublink(buf, (const SubLink *)node);
        return;
    case N_SQL_VALUE:
        deparse_sql_value(buf, (const SqlValue *)node);
        return;
    case N_DEFAULT:
        buf_put(buf, "DEFAULT");
        return;
    case N_GROUPING_SET:
        deparse_grouping_set(buf, (const GroupingSet *)node);
        return;
    case N_TYPE_NAME:
        deparse_type(buf, (const TypeName *)node);
        return;
    default:
        deparse_misc(buf, node);
        return;
    }
}

char *sql_deparse_expr(const Node *expr, Arena *arena)
{
    Buf buf = {.arena = arena};
    deparse_expr(&buf, expr);
    buf_put(&buf, "");
    return buf.failed ? NULL : buf.data;
}
