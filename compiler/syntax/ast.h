/* ast.h - the syntax tree of a .gv file: a generic tree of declarations, statements and values.
 *
 * The grammar is deliberately uniform (like HCL or nginx.conf): every setting is a statement
 *     KEY ARG* [BLOCK]
 * and the meaning of a key and the types of its arguments come from the schema in check/.
 * Several settings may share a line (`{ class nginx  tls "x" }`): the parser keeps them as one
 * statement with all the words as arguments, and the checker splits it where a known key starts
 * (ast_split_statement). Kinds and their names come from one X-macro list. */
#ifndef GOVERSEC_AST_H
#define GOVERSEC_AST_H
#include <stdbool.h>

#include "support/arena.h"
#include "support/source.h"

#define AST_VALUE_KINDS(X)                 \
    X(VAL_IDENT, "name")                   \
    X(VAL_STRING, "string")                \
    X(VAL_NUMBER, "number")                \
    X(VAL_CLOCK, "time of day")            \
    X(VAL_LIST, "list")                    \
    X(VAL_RANGE, "range")

typedef enum ValueKind {
#define X(kind, name) kind,
    AST_VALUE_KINDS(X)
#undef X
} ValueKind;

const char *ast_value_kind_name(ValueKind kind);

/* One argument of a statement. NUMBER keeps its raw text ("500m", "10Gi", "70%", "1.5", "6h"):
 * the checker decides whether it is CPU, memory, a duration or a percentage from the key. */
typedef struct Value {
    ValueKind kind;
    Span span;
    struct Value *next;            /* next argument / next list item */
    union {
        const char *text;          /* IDENT (the name), STRING (unescaped), NUMBER/CLOCK (raw) */
        struct {
            struct Value *items;
            int count;
        } list;
        struct {
            struct Value *lo, *hi; /* `lo .. hi` */
        } range;
    } u;
} Value;

typedef struct Block Block;

/* A comment, kept so `goversec fmt` can put it back. */
typedef struct Comment {
    Span span;
    const char *text;              /* including the // or the delimiters */
    bool own_line;                 /* nothing but white space before it on its line */
    struct Comment *next;
} Comment;

typedef struct Stmt {
    const char *key;
    Span key_span;
    Span span;                     /* the whole statement, key to end of block */
    Value *args;                   /* linked through Value.next */
    int nargs;
    Block *block;                  /* NULL when the statement has no { } */
    struct Stmt *next;
} Stmt;

struct Block {
    Span span;                     /* from `{` to `}` */
    Stmt *stmts;
    bool single_line;              /* `{` and `}` on the same line in the source */
};

/* Top-level:  KIND "NAME" [extends "PARENT"] { ... }   e.g. cluster, tier, cloud */
typedef struct Decl {
    const char *kind;
    Span kind_span;
    const char *name;
    Span name_span;
    const char *extends;           /* NULL when absent */
    Span extends_span;
    Block *body;
    Span span;
    struct Decl *next;
} Decl;

/* use "tiers" */
typedef struct Use {
    const char *path;
    Span span;
    struct Use *next;
} Use;

/* One parsed file. Items keep their source order in `items` for the formatter. */
typedef enum ItemKind { ITEM_USE, ITEM_DECL } ItemKind;
typedef struct Item {
    ItemKind kind;
    union {
        Use *use;
        Decl *decl;
    } u;
    struct Item *next;
} Item;

typedef struct Unit {
    const SourceFile *file;
    Item *items;
    Use *uses;
    Decl *decls;
    Comment *comments;             /* every comment, in source order */
    int syntax_errors;
    /* Where the next item, use and declaration go: appending stays O(1) in files of thousands of
     * clusters (ast_unit_add_use/_decl; NULL means the list's head). */
    Item **items_tail;
    Use **uses_tail;
    Decl **decls_tail;
} Unit;

/* Constructors used by the parser's actions: one call per grammar action. */
Value *ast_value_text(Arena *a, ValueKind kind, Span span, const char *text);
Value *ast_value_list(Arena *a, Span span, Value *items);
Value *ast_value_range(Arena *a, Value *lo, Value *hi);
Value *ast_value_append(Value *list, Value *item);   /* returns the head */
Stmt *ast_stmt(Arena *a, const char *key, Span key_span, Value *args, Block *block, Span span);
Stmt *ast_stmt_append(Stmt *list, Stmt *stmt);
Block *ast_block(Arena *a, Span span, Stmt *stmts, bool single_line);
Decl *ast_decl(Arena *a, const char *kind, Span kind_span, const char *name, Span name_span,
               const char *extends, Span extends_span, Block *body, Span span);
Use *ast_use(Arena *a, const char *path, Span span);
void ast_unit_add_use(Arena *a, Unit *unit, Use *use);
void ast_unit_add_decl(Arena *a, Unit *unit, Decl *decl);

/* Splits `class nginx tls "x"` into two statements after `consumed` arguments: the argument at
 * that position must be an IDENT; it becomes the key of a new statement inserted after `stmt`.
 * The new statement takes the remaining arguments and the block; it is returned, or NULL (and
 * nothing changes) when there is no IDENT argument at that position. */
Stmt *ast_split_statement(Arena *a, Stmt *stmt, int consumed);

#endif
