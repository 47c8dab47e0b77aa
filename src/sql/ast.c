/*
 * sql/ast.c - node allocation, list growth and tag names for the AST (ast.h).
 *
 * Invariants
 *   1. Nodes and list arrays come from the caller's arena; nothing is freed here.
 *   2. ast_tag_name covers every NodeTag (checked at compile time by the table size).
 *
 * Threads: none of this has shared state. See src/sql/README.md.
 */
#include "sql/ast.h"

#include <string.h>

#include "util/assert.h"

Node *ast_new_node(Arena *arena, size_t size_bytes, NodeTag tag, int location)
{
    ST_ASSERT(size_bytes >= sizeof(Node));
    Node *node = arena_zalloc(arena, size_bytes);
    if (node == NULL) {
        return NULL;
    }
    node->tag = tag;
    node->location = location;
    return node;
}

static int grow(Arena *arena, void **items, int *capacity, int count, size_t item_size)
{
    if (count < *capacity) {
        return STRATA_OK;
    }
    int new_capacity = *capacity == 0 ? 4 : *capacity * 2;
    void *grown = arena_realloc(arena, *items, (size_t)*capacity * item_size,
                                (size_t)new_capacity * item_size);
    if (grown == NULL) {
        return STRATA_NOMEM;
    }
    *items = grown;
    *capacity = new_capacity;
    return STRATA_OK;
}

int node_list_append(Arena *arena, NodeList *list, Node *item)
{
    void *items = list->items;
    if (grow(arena, &items, &list->capacity, list->count, sizeof(Node *)) != STRATA_OK) {
        return STRATA_NOMEM;
    }
    list->items = items;
    list->items[list->count++] = item;
    return STRATA_OK;
}

int name_list_append(Arena *arena, NameList *list, char *name)
{
    void *items = list->items;
    if (grow(arena, &items, &list->capacity, list->count, sizeof(char *)) != STRATA_OK) {
        return STRATA_NOMEM;
    }
    list->items = items;
    list->items[list->count++] = name;
    return STRATA_OK;
}

static const char *const tag_names[N_TAG_COUNT] = {
    [N_INVALID] = "Invalid",
    [N_COLUMN_REF] = "ColumnRef",
    [N_CONST] = "Const",
    [N_PARAM] = "Param",
    [N_CAST] = "Cast",
    [N_OP_EXPR] = "OpExpr",
    [N_BOOL_EXPR] = "BoolExpr",
    [N_FUNC_CALL] = "FuncCall",
    [N_CASE] = "CaseExpr",
    [N_CASE_WHEN] = "CaseWhen",
    [N_COALESCE] = "CoalesceExpr",
    [N_NULLIF] = "NullIfExpr",
    [N_MINMAX] = "MinMaxExpr",
    [N_SUBLINK] = "SubLink",
    [N_IN_LIST] = "InList",
    [N_ARRAY_OP] = "ArrayOp",
    [N_BETWEEN] = "BetweenExpr",
    [N_LIKE] = "LikeExpr",
    [N_NULL_TEST] = "NullTest",
    [N_BOOL_TEST] = "BoolTest",
    [N_DISTINCT_EXPR] = "DistinctExpr",
    [N_ROW] = "RowExpr",
    [N_ARRAY] = "ArrayExpr",
    [N_SUBSCRIPT] = "Subscript",
    [N_FIELD_SELECT] = "FieldSelect",
    [N_SQL_VALUE] = "SqlValue",
    [N_DEFAULT] = "DefaultExpr",
    [N_GROUPING_SET] = "GroupingSet",
    [N_COLLATE] = "CollateExpr",
    [N_TYPE_NAME] = "TypeName",
    [N_RES_TARGET] = "ResTarget",
    [N_SORT_BY] = "SortBy",
    [N_WINDOW_DEF] = "WindowDef",
    [N_RANGE_VAR] = "RangeVar",
    [N_RANGE_SUBSELECT] = "RangeSubselect",
    [N_RANGE_FUNCTION] = "RangeFunction",
    [N_JOIN_EXPR] = "JoinExpr",
    [N_ALIAS] = "Alias",
    [N_WITH_CLAUSE] = "WithClause",
    [N_CTE] = "CommonTableExpr",
    [N_LOCKING_CLAUSE] = "LockingClause",
    [N_SET_CLAUSE] = "SetClause",
    [N_ON_CONFLICT] = "OnConflictClause",
    [N_INDEX_ELEM] = "IndexElem",
    [N_COLUMN_DEF] = "ColumnDef",
    [N_CONSTRAINT] = "Constraint",
    [N_TABLE_LIKE] = "TableLike",
    [N_PARTITION_SPEC] = "PartitionSpec",
    [N_DEF_ELEM] = "DefElem",
    [N_ALTER_TABLE_CMD] = "AlterTableCmd",
    [N_QUALIFIED_NAME] = "QualifiedName",
    [N_SELECT_STMT] = "SelectStmt",
    [N_INSERT_STMT] = "InsertStmt",
    [N_UPDATE_STMT] = "UpdateStmt",
    [N_DELETE_STMT] = "DeleteStmt",
    [N_CREATE_TABLE_STMT] = "CreateTableStmt",
    [N_CREATE_INDEX_STMT] = "CreateIndexStmt",
    [N_CREATE_VIEW_STMT] = "CreateViewStmt",
    [N_REFRESH_MATVIEW_STMT] = "RefreshMatViewStmt",
    [N_CREATE_SCHEMA_STMT] = "CreateSchemaStmt",
    [N_CREATE_SEQUENCE_STMT] = "CreateSequenceStmt",
    [N_DROP_STMT] = "DropStmt",
    [N_ALTER_TABLE_STMT] = "AlterTableStmt",
    [N_TRUNCATE_STMT] = "TruncateStmt",
    [N_ROLE_STMT] = "RoleStmt",
    [N_COMMENT_STMT] = "CommentStmt",
    [N_GRANT_STMT] = "GrantStmt",
    [N_TRANSACTION_STMT] = "TransactionStmt",
    [N_SET_STMT] = "SetStmt",
    [N_SHOW_STMT] = "ShowStmt",
    [N_PREPARE_STMT] = "PrepareStmt",
    [N_EXECUTE_STMT] = "ExecuteStmt",
    [N_DEALLOCATE_STMT] = "DeallocateStmt",
    [N_EXPLAIN_STMT] = "ExplainStmt",
    [N_COPY_STMT] = "CopyStmt",
    [N_VACUUM_STMT] = "VacuumStmt",
    [N_CHECKPOINT_STMT] = "CheckpointStmt",
    [N_DISCARD_STMT] = "DiscardStmt",
    [N_LISTEN_STMT] = "ListenStmt",
    [N_NAMED_ARG] = "NamedArgExpr",
    [N_PARTITION_BOUND] = "PartitionBound",
    [N_CREATE_ENUM_STMT] = "CreateEnumStmt",
    [N_ALTER_ENUM_STMT] = "AlterEnumStmt",
    [N_CREATE_DOMAIN_STMT] = "CreateDomainStmt",
    [N_ALTER_DOMAIN_STMT] = "AlterDomainStmt",
};

const char *ast_tag_name(NodeTag tag)
{
    if ((int)tag < 0 || tag >= N_TAG_COUNT || tag_names[tag] == NULL) {
        return "Unknown";
    }
    return tag_names[tag];
}

Node *ast_check_tag(Node *node, NodeTag tag)
{
    ST_ASSERT(node == NULL || node->tag == tag);
    (void)tag;
    return node;
}
