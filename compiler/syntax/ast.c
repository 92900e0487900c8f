/* ast.c - constructors for the syntax tree (one call per parser action) and the statement
 * splitting the checker uses when several settings share a line. Everything lives in the arena. */
#include "syntax/ast.h"

const char *ast_value_kind_name(ValueKind kind)
{
    switch (kind) {
#define X(k, name) case k: return name;
        AST_VALUE_KINDS(X)
#undef X
    }
    return "value";
}

Value *ast_value_text(Arena *a, ValueKind kind, Span span, const char *text)
{
    Value *v = ARENA_NEW(a, Value);
    v->kind = kind;
    v->span = span;
    v->u.text = text;
    return v;
}

Value *ast_value_list(Arena *a, Span span, Value *items)
{
    Value *v = ARENA_NEW(a, Value);
    v->kind = VAL_LIST;
    v->span = span;
    v->u.list.items = items;
    for (Value *it = items; it; it = it->next)
        v->u.list.count++;
    return v;
}

Value *ast_value_range(Arena *a, Value *lo, Value *hi)
{
    Value *v = ARENA_NEW(a, Value);
    v->kind = VAL_RANGE;
    v->span = span_join(lo->span, hi->span);
    v->u.range.lo = lo;
    v->u.range.hi = hi;
    return v;
}

Value *ast_value_append(Value *list, Value *item)
{
    if (!list)
        return item;
    Value *last = list;
    while (last->next)
        last = last->next;
    last->next = item;
    return list;
}

static int count_values(const Value *v)
{
    int n = 0;
    for (; v; v = v->next)
        n++;
    return n;
}

Stmt *ast_stmt(Arena *a, const char *key, Span key_span, Value *args, Block *block, Span span)
{
    Stmt *s = ARENA_NEW(a, Stmt);
    s->key = key;
    s->key_span = key_span;
    s->span = span;
    s->args = args;
    s->nargs = count_values(args);
    s->block = block;
    return s;
}

Stmt *ast_stmt_append(Stmt *list, Stmt *stmt)
{
    if (!list)
        return stmt;
    Stmt *last = list;
    while (last->next)
        last = last->next;
    last->next = stmt;
    return list;
}

Block *ast_block(Arena *a, Span span, Stmt *stmts, bool single_line)
{
    Block *b = ARENA_NEW(a, Block);
    b->span = span;
    b->stmts = stmts;
    b->single_line = single_line;
    return b;
}

Decl *ast_decl(Arena *a, const char *kind, Span kind_span, const char *name, Span name_span,
               const char *extends, Span extends_span, Block *body, Span span)
{
    Decl *d = ARENA_NEW(a, Decl);
    d->kind = kind;
    d->kind_span = kind_span;
    d->name = name;
    d->name_span = name_span;
    d->extends = extends;
    d->extends_span = extends ? extends_span : SPAN_NONE;
    d->body = body;
    d->span = span;
    return d;
}

Use *ast_use(Arena *a, const char *path, Span span)
{
    Use *u = ARENA_NEW(a, Use);
    u->path = path;
    u->span = span;
    return u;
}

static void add_item(Unit *unit, Item *item)
{
    Item **tail = unit->items_tail ? unit->items_tail : &unit->items;
    *tail = item;
    unit->items_tail = &item->next;
}

void ast_unit_add_use(Arena *a, Unit *unit, Use *use)
{
    Use **tail = unit->uses_tail ? unit->uses_tail : &unit->uses;
    *tail = use;
    unit->uses_tail = &use->next;
    Item *item = ARENA_NEW(a, Item);
    item->kind = ITEM_USE;
    item->u.use = use;
    add_item(unit, item);
}

void ast_unit_add_decl(Arena *a, Unit *unit, Decl *decl)
{
    Decl **tail = unit->decls_tail ? unit->decls_tail : &unit->decls;
    *tail = decl;
    unit->decls_tail = &decl->next;
    Item *item = ARENA_NEW(a, Item);
    item->kind = ITEM_DECL;
    item->u.decl = decl;
    add_item(unit, item);
}

Stmt *ast_split_statement(Arena *a, Stmt *stmt, int consumed)
{
    Value *prev = NULL, *v = stmt->args;
    for (int i = 0; v && i < consumed; i++) {
        prev = v;
        v = v->next;
    }
    if (!v || v->kind != VAL_IDENT || consumed < 0)
        return NULL;
    Span span = {stmt->span.file, v->span.start, stmt->span.end};
    /* The block belongs to the last setting on the line: `a 1  b 2 { ... }` gives b the block. */
    Stmt *rest = ast_stmt(a, v->u.text, v->span, v->next, stmt->block, span);
    if (prev)
        prev->next = NULL;
    else
        stmt->args = NULL;
    stmt->nargs = consumed;
    stmt->block = NULL;
    stmt->span.end = prev ? prev->span.end : stmt->key_span.end;
    rest->next = stmt->next;
    stmt->next = rest;
    return rest;
}
