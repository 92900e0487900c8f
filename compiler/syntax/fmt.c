/* fmt.c - syntax_format: prints a Unit in canonical form (goversec fmt).
 * Canonical: 4-space indentation, one setting per line (single-line blocks stay single-line),
 * `a .. b`, `["a", "b"]`, re-escaped strings, at most one blank line kept between items.
 * Every comment is kept: the printer walks the comment list alongside the tree and emits each
 * comment before the first element that follows it in the source (own-line comments on their own
 * line, the others at the end of the current line). */
#include <string.h>

#include "support/strbuf.h"
#include "syntax/syntax.h"

typedef struct Printer {
    Arena *arena;
    const char *src;
    StrBuf text;              /* the output so far */
    const Comment *comment;   /* next comment not yet printed */
    int indent;
    uint32_t last_end;        /* source offset of the last printed element */
    bool blank_ok;            /* a blank line may precede the next element */
    size_t *trailing;         /* buffer offsets where a trailing `//` comment's gap starts */
    size_t ntrailing, captrailing;
} Printer;

static void put_n(Printer *p, const char *s, size_t n) { strbuf_addn(&p->text, s, n); }

static void put(Printer *p, const char *s)
{
    put_n(p, s, strlen(s));
}

static bool at_line_start(const Printer *p)
{
    return p->text.len == 0 || p->text.data[p->text.len - 1] == '\n';
}

static void line_break(Printer *p)
{
    if (!at_line_start(p))
        put(p, "\n");
}

static void put_indent(Printer *p)
{
    for (int i = 0; i < p->indent; i++)
        put(p, "    ");
}

/* True when the source between two offsets holds an empty line. */
static bool blank_between(const Printer *p, uint32_t from, uint32_t to)
{
    bool after_newline = false;
    for (uint32_t i = from; i < to; i++) {
        char c = p->src[i];
        if (c == '\n') {
            if (after_newline)
                return true;
            after_newline = true;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            after_newline = false;
        }
    }
    return false;
}

static void put_comment_text(Printer *p, const Comment *c)
{
    size_t n = strlen(c->text);
    if (c->text[1] == '/')
        while (n > 2 && (c->text[n - 1] == ' ' || c->text[n - 1] == '\t' || c->text[n - 1] == '\r'))
            n--;
    put_n(p, c->text, n);
}

static void note_trailing(Printer *p)
{
    if (p->ntrailing == p->captrailing) {
        size_t cap = p->captrailing ? p->captrailing * 2 : 32;
        size_t *t = ARENA_ARRAY(p->arena, size_t, cap);
        if (p->ntrailing)
            memcpy(t, p->trailing, sizeof *t * p->ntrailing);
        p->trailing = t;
        p->captrailing = cap;
    }
    p->trailing[p->ntrailing++] = p->text.len;
}

/* Trailing `//` comments on consecutive lines start in one column (as gofmt aligns them); a line
 * without one ends the run. Done on the finished text, where line widths are known. */
static char *align_trailing_comments(Printer *p)
{
    if (p->ntrailing < 2)
        return p->text.data;
    Printer out = {.arena = p->arena};
    strbuf_init(&out.text, p->arena);
    size_t t = 0, pos = 0;
    while (pos < p->text.len) {
        /* A run: lines that each hold the next trailing offset. */
        size_t run_start = pos, line = pos, width = 0, n = 0, k = t;
        while (line < p->text.len && k < p->ntrailing) {
            const char *nl = memchr(p->text.data + line, '\n', p->text.len - line);
            size_t end = nl ? (size_t)(nl - p->text.data) : p->text.len;
            if (p->trailing[k] < line || p->trailing[k] >= end)
                break;
            if (p->trailing[k] - line > width)
                width = p->trailing[k] - line;
            n++, k++;
            line = end + 1;
        }
        if (n >= 2) {
            for (size_t i = 0; i < n; i++, t++) {
                const char *nl = memchr(p->text.data + run_start, '\n', p->text.len - run_start);
                size_t end = nl ? (size_t)(nl - p->text.data) + 1 : p->text.len;
                size_t code = p->trailing[t] - run_start;
                put_n(&out, p->text.data + run_start, code);
                for (size_t w = code; w < width; w++)
                    put(&out, " ");
                put_n(&out, p->text.data + p->trailing[t], end - p->trailing[t]);
                run_start = end;
            }
            pos = run_start;
            continue;
        }
        const char *nl = memchr(p->text.data + pos, '\n', p->text.len - pos);
        size_t end = nl ? (size_t)(nl - p->text.data) + 1 : p->text.len;
        while (t < p->ntrailing && p->trailing[t] < end)
            t++;
        put_n(&out, p->text.data + pos, end - pos);
        pos = end;
    }
    return out.text.data;
}

/* Prints every comment that starts before `limit`. */
static void put_comments_before(Printer *p, uint32_t limit)
{
    for (const Comment *c = p->comment; c && c->span.start < limit; c = p->comment) {
        if (c->own_line) {
            line_break(p);
            if (p->blank_ok && blank_between(p, p->last_end, c->span.start))
                put(p, "\n");
            put_indent(p);
        } else if (at_line_start(p)) {
            put_indent(p);
        } else {
            if (c->text[1] == '/')
                note_trailing(p);
            put(p, " ");
        }
        put_comment_text(p, c);
        p->last_end = c->span.end;
        p->blank_ok = true;
        p->comment = c->next;
    }
}

/* Starts the line of an element at source offset `pos`: comments first, then the indentation. */
static void start_line(Printer *p, uint32_t pos)
{
    put_comments_before(p, pos);
    /* A block comment followed by a setting on its line stays there: it is about that setting. */
    bool after_block_comment = p->text.len >= 2 && p->text.data[p->text.len - 1] == '/' && p->text.data[p->text.len - 2] == '*';
    if (after_block_comment && p->last_end <= pos &&
        !memchr(p->src + p->last_end, '\n', pos - p->last_end)) {
        put(p, " ");
        return;
    }
    line_break(p);
    if (p->blank_ok && p->text.len > 0 && blank_between(p, p->last_end, pos))
        put(p, "\n");
    put_indent(p);
}

static bool comment_within(const Printer *p, Span span)
{
    return p->comment && p->comment->span.start < span.end;
}

static bool spans_lines(const Printer *p, Span span)
{
    return memchr(p->src + span.start, '\n', span.end - span.start) != NULL;
}

static void put_string(Printer *p, const char *s)
{
    put(p, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"')
            put(p, "\\\"");
        else if (c == '\\')
            put(p, "\\\\");
        else if (c == '\n')
            put(p, "\\n");
        else if (c == '\t')
            put(p, "\\t");
        else if (c < 0x20 || c == 0x7f)
            put(p, arena_printf(p->arena, "\\u{%x}", c));
        else
            put_n(p, s, 1);
    }
    put(p, "\"");
}

static void put_value(Printer *p, const Value *v);

static void put_list(Printer *p, const Value *v)
{
    if (!spans_lines(p, v->span) && !comment_within(p, v->span)) {
        put(p, "[");
        for (const Value *it = v->u.list.items; it; it = it->next) {
            put_value(p, it);
            if (it->next)
                put(p, ", ");
        }
        put(p, "]");
        return;
    }
    put(p, "[");
    p->indent++;
    for (const Value *it = v->u.list.items; it; it = it->next) {
        p->blank_ok = false;
        start_line(p, it->span.start);
        put_value(p, it);
        put(p, ",");
        p->last_end = it->span.end;
    }
    p->blank_ok = false;
    put_comments_before(p, v->span.end - 1);
    p->indent--;
    line_break(p);
    put_indent(p);
    put(p, "]");
}

static void put_value(Printer *p, const Value *v)
{
    switch (v->kind) {
    case VAL_IDENT:
    case VAL_NUMBER:
    case VAL_CLOCK:
        put(p, v->u.text);
        break;
    case VAL_STRING:
        put_string(p, v->u.text);
        break;
    case VAL_RANGE:
        put_value(p, v->u.range.lo);
        put(p, " .. ");
        put_value(p, v->u.range.hi);
        break;
    case VAL_LIST:
        put_list(p, v);
        break;
    }
}

/* Two or more spaces between words on one line mark where the author started a new setting
 * (`class nginx  tls "x"`); the printer keeps that as exactly two spaces. */
static const char *word_gap(const Printer *p, uint32_t from, uint32_t to)
{
    if (to < from + 2)
        return " ";
    for (uint32_t i = from; i < to; i++)
        if (p->src[i] != ' ' && p->src[i] != '\t')
            return " ";
    return "  ";
}

static void put_block(Printer *p, const Block *b);

/* `key_width` > 0 pads the key so the arguments of a group of settings line up (as gofmt lines
 * up struct fields): `namespace  "x"` / `tier       dev`. */
static void put_stmt(Printer *p, const Stmt *s, size_t key_width)
{
    put(p, s->key);
    for (size_t n = strlen(s->key); n < key_width; n++)
        put(p, " ");
    uint32_t prev = s->key_span.end;
    for (const Value *v = s->args; v; v = v->next) {
        put(p, v == s->args ? " " : word_gap(p, prev, v->span.start));
        put_value(p, v);
        prev = v->span.end;
    }
    if (s->block) {
        put(p, " ");
        put_block(p, s->block);
    }
    p->last_end = s->span.end;
    p->blank_ok = true;
}

/* A setting that sits on one line: arguments, or a single-line block, and no multi-line block. */
/* Any not-yet-printed comment inside `span` (comment_within only looks at the next one, which is
 * all the printer needs at the current position; alignment looks ahead). */
static bool comment_inside(const Printer *p, Span span)
{
    for (const Comment *c = p->comment; c && c->span.start < span.end; c = c->next)
        if (c->span.start >= span.start)
            return true;
    return false;
}

static bool alignable(const Printer *p, const Stmt *s)
{
    if (s->block && (!s->block->single_line || comment_inside(p, s->block->span)))
        return false;
    return s->nargs > 0 || s->block;
}

/* An own-line comment between two settings ends an alignment group; a trailing one does not. */
static bool own_line_comment_between(const Printer *p, uint32_t from, uint32_t to)
{
    for (const Comment *c = p->comment; c && c->span.start < to; c = c->next)
        if (c->span.start >= from && c->own_line)
            return true;
    return false;
}

/* The run of settings starting at `s` whose arguments line up: consecutive one-line settings with
 * no blank line or comment between them. Returns the key width (0: nothing to align) and sets
 * *end to the first statement after the run. */
static size_t align_group(const Printer *p, const Stmt *s, const Stmt **end)
{
    size_t width = 0, count = 0;
    const Stmt *t = s;
    while (t && alignable(p, t)) {
        size_t n = strlen(t->key);
        if (n > width)
            width = n;
        count++;
        const Stmt *next = t->next;
        if (!next || blank_between(p, t->span.end, next->span.start) ||
            own_line_comment_between(p, t->span.end, next->span.start))
        {
            t = next;
            break;
        }
        t = next;
    }
    *end = t == s ? s->next : t;
    return count > 1 ? width : 0;
}

static void put_block(Printer *p, const Block *b)
{
    if (!comment_within(p, b->span) && (b->single_line || !b->stmts)) {
        if (!b->stmts) {
            put(p, "{}");
            return;
        }
        put(p, "{ ");
        for (const Stmt *s = b->stmts; s; s = s->next) {
            put_stmt(p, s, 0);
            put(p, s->next ? "; " : " }");
        }
        return;
    }
    put(p, "{");
    p->indent++;
    p->last_end = b->span.start + 1;
    p->blank_ok = false;
    const Stmt *next_group = b->stmts;
    size_t width = 0;
    for (const Stmt *s = b->stmts; s; s = s->next) {
        if (s == next_group)
            width = align_group(p, s, &next_group);
        start_line(p, s->span.start);
        put_stmt(p, s, width);
    }
    put_comments_before(p, b->span.end - 1);
    p->indent--;
    line_break(p);
    put_indent(p);
    put(p, "}");
    p->last_end = b->span.end;
    p->blank_ok = true;
}

static void put_item(Printer *p, const Item *item)
{
    if (item->kind == ITEM_USE) {
        start_line(p, item->u.use->span.start);
        put(p, "use ");
        put_string(p, item->u.use->path);
        p->last_end = item->u.use->span.end;
        p->blank_ok = true;
        return;
    }
    const Decl *d = item->u.decl;
    start_line(p, d->span.start);
    put(p, d->kind);
    put(p, " ");
    put_string(p, d->name);
    if (d->extends) {
        put(p, " extends ");
        put_string(p, d->extends);
    }
    put(p, " ");
    put_block(p, d->body);
    p->last_end = d->span.end;
    p->blank_ok = true;
}

const char *syntax_format(Arena *arena, const Unit *unit)
{
    Printer p = {0};
    p.arena = arena;
    p.src = unit->file->text;
    p.comment = unit->comments;
    strbuf_init(&p.text, arena);
    for (const Item *item = unit->items; item; item = item->next)
        put_item(&p, item);
    put_comments_before(&p, UINT32_MAX);
    line_break(&p);
    return align_trailing_comments(&p);
}
