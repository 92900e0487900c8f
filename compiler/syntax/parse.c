/* parse.c - syntax_parse: runs the Bison parser over one file, and words its syntax errors.
 * The messages quote source text (`unexpected ','; expected a value`) and an unclosed `{` or `[`
 * at end of file is reported with a note at the opener, which is more useful than a token list. */
#include <string.h>

#include "parser.h"
#include "syntax/parse_ctx.h"

Span parse_span(const ParseCtx *ctx, const char *start, const char *end)
{
    return (Span){ctx->file->id, (uint32_t)(start - ctx->file->text),
                  (uint32_t)(end - ctx->file->text)};
}

bool parse_single_line(const ParseCtx *ctx, Span span)
{
    return memchr(ctx->file->text + span.start, '\n', span.end - span.start) == NULL;
}

const char *parse_span_text(const ParseCtx *ctx, Span span)
{
    return arena_strndup(ctx->arena, ctx->file->text + span.start, span.end - span.start);
}

static const char *describe_token(ParseCtx *ctx, int tok, Span loc)
{
    enum { QUOTE_MAX = 24 };
    switch (tok) {
    case TOK_YYEOF:
        return "end of file";
    case TOK_NEWLINE:
        return "end of line";
    case TOK_STRING:
        if (loc.end - loc.start > QUOTE_MAX)
            return arena_printf(ctx->arena, "string %.*s...\"", QUOTE_MAX - 4,
                                ctx->file->text + loc.start);
        return arena_printf(ctx->arena, "string %s", parse_span_text(ctx, loc));
    default:
        if (loc.end - loc.start > QUOTE_MAX)
            return arena_printf(ctx->arena, "'%.*s...'", QUOTE_MAX - 4, ctx->file->text + loc.start);
        return arena_printf(ctx->arena, "'%s'", parse_span_text(ctx, loc));
    }
}

static bool has_token(const int *expected, int n, int tok)
{
    for (int i = 0; i < n; i++)
        if (expected[i] == tok)
            return true;
    return false;
}

typedef struct Parts {
    const char *items[8];
    int n;
} Parts;

static void parts_add(Parts *p, const char *s)
{
    if (p->n < 8)
        p->items[p->n++] = s;
}

/* Names what the parser could accept, by category rather than by token: "a value" stands for
 * names, strings, numbers, times of day and lists; closers are implied where a value fits. */
static const char *describe_expected(ParseCtx *ctx, const int *exp, int n)
{
    bool values = has_token(exp, n, TOK_NUMBER);
    bool in_args = values && has_token(exp, n, TOK_DOTDOT);
    bool top = ctx->depth == 0;
    Parts p = {{0}, 0};
    if (values)
        parts_add(&p, "a value");
    else if (has_token(exp, n, TOK_STRING))
        parts_add(&p, "a string");
    if (!values && has_token(exp, n, TOK_NAME))
        parts_add(&p, top ? "a declaration" : "a setting name");
    if (has_token(exp, n, TOK_EXTENDS))
        parts_add(&p, "'extends'");
    if (has_token(exp, n, TOK_LBRACE))
        parts_add(&p, "'{'");
    if (has_token(exp, n, TOK_COMMA))
        parts_add(&p, "','");
    if (has_token(exp, n, TOK_RBRACK) && !values)
        parts_add(&p, "']'");
    if (has_token(exp, n, TOK_RBRACE) && !values)
        parts_add(&p, "'}'");
    if ((has_token(exp, n, TOK_NEWLINE) || has_token(exp, n, TOK_SEMI)) && (!values || in_args) &&
        !top)
        parts_add(&p, "end of line");
    if (p.n == 0)
        return NULL;
    const char *s = p.items[0];
    for (int i = 1; i < p.n; i++)
        s = arena_printf(ctx->arena, "%s%s%s", s, i == p.n - 1 ? " or " : ", ", p.items[i]);
    return s;
}

/* End of file inside `{` or `[`: name the opener, which is where the mistake usually is. */
static bool report_unclosed(ParseCtx *ctx, Span loc, const int *expected, int n)
{
    if (ctx->depth == 0)
        return false;
    char kind = ctx->open_kind[ctx->depth - 1];
    int closer = kind == '{' ? TOK_RBRACE : TOK_RBRACK;
    if (!has_token(expected, n, closer) && !(kind == '[' && has_token(expected, n, TOK_COMMA)))
        return false;
    Span open = ctx->opens[ctx->depth - 1];
    uint32_t line, col;
    source_linecol(ctx->file, open.start, &line, &col);
    const char *what = kind == '{' ? "block" : "list";
    Diag *d = diag_error(ctx->diags, loc, "expected '%c' to close the %s opened at line %u",
                         kind == '{' ? '}' : ']', what, (unsigned)line);
    diag_note(ctx->diags, d, open, "the %s opened here", what);
    return true;
}

int parse_report_error(ParseCtx *ctx, int unexpected, Span loc, const int *expected, int nexpected)
{
    if (ctx->fatal)
        return 0;
    if (unexpected == TOK_YYEOF && report_unclosed(ctx, loc, expected, nexpected))
        return 0;
    const char *what = describe_token(ctx, unexpected, loc);
    const char *exp = describe_expected(ctx, expected, nexpected);
    if (exp)
        diag_error(ctx->diags, loc, "unexpected %s; expected %s", what, exp);
    else
        diag_error(ctx->diags, loc, "unexpected %s", what);
    return 0;
}

Unit *syntax_parse(Arena *arena, const SourceFile *file, DiagSink *diags)
{
    Unit *unit = ARENA_NEW(arena, Unit);
    unit->file = file;
    ParseCtx ctx = {0};
    ctx.arena = arena;
    ctx.file = file;
    ctx.diags = diags;
    ctx.unit = unit;
    ctx.cur = file->text;
    ctx.lim = file->text + file->len;
    ctx.last_tok = TOK_NEWLINE;
    unsigned before = diags->errors;
    gvparse(&ctx);
    unit->syntax_errors = (int)(diags->errors - before);
    return unit;
}
