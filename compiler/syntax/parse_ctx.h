/* parse_ctx.h - private to the front end: the state shared by the re2c lexer (grammar/lexer.re),
 * the Bison parser (grammar/parser.y) and parse.c. One ParseCtx per parsed file; it replaces
 * every global a classic lex/yacc pair would use. */
#ifndef GOVERSEC_SYNTAX_PARSE_CTX_H
#define GOVERSEC_SYNTAX_PARSE_CTX_H
#include <stdbool.h>

#include "support/diag.h"
#include "syntax/ast.h"
#include "syntax/syntax.h"

typedef struct ParseCtx {
    Arena *arena;
    const SourceFile *file;
    DiagSink *diags;
    Unit *unit;
    const char *cur;               /* next byte to scan */
    const char *lim;               /* file->text + file->len: the NUL that really ends the file */
    const char *last_end;          /* end of the last token that is not a newline */
    int last_tok;                  /* last token returned, to drop redundant newlines */
    int depth;                     /* open `{` and `[` */
    Span opens[SYNTAX_MAX_DEPTH + 1];
    char open_kind[SYNTAX_MAX_DEPTH + 1];
    bool fatal;                    /* input limit hit: stop scanning, report nothing more */
    Comment *comments_tail;
} ParseCtx;

/* Span of bytes [start, end) of the file being parsed. */
Span parse_span(const ParseCtx *ctx, const char *start, const char *end);
/* True when `span` lies on a single source line. */
bool parse_single_line(const ParseCtx *ctx, Span span);
/* Text of the source bytes covered by `span` (for quoting tokens in messages). */
const char *parse_span_text(const ParseCtx *ctx, Span span);

#endif
