/* lexer.re - the .gv tokenizer (re2c) over the NUL-terminated text of one SourceFile.
 * Owns the lexical rules of docs/grammar.md: newline handling, comments (kept in Unit.comments for
 * the formatter), string unescaping, and every hostile-input limit (NUL bytes, invalid UTF-8,
 * over-long strings and numbers, nesting depth), each reported as a located error. */
#include <stdint.h>
#include <string.h>

#include "parser.h"
#include "syntax/parse_ctx.h"

enum { LEX_SKIP = -1, LEX_MAX_DIGITS = 30 };

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:yyfill:enable = 0;

    u8_2 = [\xc2-\xdf][\x80-\xbf];
    u8_3 = "\xe0"[\xa0-\xbf][\x80-\xbf] | [\xe1-\xec\xee\xef][\x80-\xbf][\x80-\xbf]
         | "\xed"[\x80-\x9f][\x80-\xbf];
    u8_4 = "\xf0"[\x90-\xbf][\x80-\xbf][\x80-\xbf] | [\xf1-\xf3][\x80-\xbf][\x80-\xbf][\x80-\xbf]
         | "\xf4"[\x80-\x8f][\x80-\xbf][\x80-\xbf];
    u8_multi = u8_2 | u8_3 | u8_4;
*/

/* Length of the valid UTF-8 sequence at p (0 when invalid); its code point in *cp. */
static int utf8_sequence(const unsigned char *p, const unsigned char *lim, uint32_t *cp)
{
    const unsigned char *YYCURSOR = p, *YYMARKER = p;
    (void)lim; /* the NUL sentinel stops every pattern before lim */
/*!re2c
    [\x01-\x7f] { *cp = p[0]; return 1; }
    u8_2 { *cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f); return 2; }
    u8_3 { *cp = ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
           return 3; }
    u8_4 { *cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12)
               | ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
           return 4; }
    * { (void)YYMARKER; return 0; }
*/
}

static Span span_of(const ParseCtx *ctx, const char *start, const char *end)
{
    return parse_span(ctx, start, end);
}

/* Errors from here on would only repeat the first one: stop scanning. */
static int lex_fatal(ParseCtx *ctx, Span *lloc)
{
    ctx->fatal = true;
    ctx->cur = ctx->lim;
    *lloc = span_of(ctx, ctx->lim, ctx->lim);
    return TOK_YYEOF;
}

static void add_comment(ParseCtx *ctx, const char *start, const char *end)
{
    Comment *c = ARENA_NEW(ctx->arena, Comment);
    c->span = span_of(ctx, start, end);
    c->text = arena_strndup(ctx->arena, start, (size_t)(end - start));
    const char *p = start;
    while (p > ctx->file->text && (p[-1] == ' ' || p[-1] == '\t'))
        p--;
    c->own_line = p == ctx->file->text || p[-1] == '\n';
    if (ctx->comments_tail)
        ctx->comments_tail->next = c;
    else
        ctx->unit->comments = c;
    ctx->comments_tail = c;
}

static void report_bad_byte(ParseCtx *ctx, const char *p)
{
    if (p == ctx->lim)
        return;
    if (*p == '\0')
        diag_error(ctx->diags, span_of(ctx, p, p + 1), "NUL byte in source text");
    else
        diag_error(ctx->diags, span_of(ctx, p, p + 1), "invalid UTF-8 byte 0x%02X",
                   (unsigned char)*p);
}

/* Scans the rest of a comment, byte by byte, so that it can validate UTF-8 as it goes. */
static const char *scan_comment(ParseCtx *ctx, const char *p, bool block)
{
    const unsigned char *lim = (const unsigned char *)ctx->lim;
    for (;;) {
        uint32_t cp;
        if (p == ctx->lim || (!block && (*p == '\n' || (*p == '\r' && p[1] == '\n'))))
            return p;
        if (block && p[0] == '*' && p[1] == '/')
            return p + 2;
        int n = utf8_sequence((const unsigned char *)p, lim, &cp);
        if (n == 0) {
            report_bad_byte(ctx, p);
            n = 1;
        }
        p += n;
    }
}

static int lex_comment(ParseCtx *ctx, const char *start, bool block)
{
    const char *end = scan_comment(ctx, start + 2, block);
    if (block && (end - start < 4 || end[-2] != '*' || end[-1] != '/')) {
        diag_error(ctx->diags, span_of(ctx, start, start + 2), "unterminated block comment");
        end = ctx->lim;
    }
    add_comment(ctx, start, end);
    ctx->cur = end;
    return LEX_SKIP;
}

static int lex_open(ParseCtx *ctx, const char *start, Span *lloc, char kind)
{
    if (ctx->depth >= SYNTAX_MAX_DEPTH) {
        Diag *d = diag_error(ctx->diags, *lloc, "nesting too deep: more than %d blocks and lists",
                             SYNTAX_MAX_DEPTH);
        diag_help(ctx->diags, d, "move deeply nested settings into a flatter structure");
        return lex_fatal(ctx, lloc);
    }
    ctx->opens[ctx->depth] = span_of(ctx, start, start + 1);
    ctx->open_kind[ctx->depth++] = kind;
    return kind == '{' ? TOK_LBRACE : TOK_LBRACK;
}

static int lex_close(ParseCtx *ctx, char kind)
{
    if (kind == '}') {
        while (ctx->depth > 0 && ctx->open_kind[ctx->depth - 1] == '[')
            ctx->depth--;
        if (ctx->depth > 0)
            ctx->depth--;
        return TOK_RBRACE;
    }
    if (ctx->depth > 0 && ctx->open_kind[ctx->depth - 1] == '[')
        ctx->depth--;
    return TOK_RBRACK;
}

static int lex_number(ParseCtx *ctx, const char *start, const char *end, GVSTYPE *lval,
                      Span *lloc)
{
    int digits = 0;
    for (const char *p = start; p < end; p++)
        digits += *p >= '0' && *p <= '9';
    if (digits > LEX_MAX_DIGITS)
        diag_error(ctx->diags, *lloc, "number has %d digits; at most %d are allowed", digits,
                   LEX_MAX_DIGITS);
    lval->text = arena_strndup(ctx->arena, start, (size_t)(end - start));
    return TOK_NUMBER;
}

static void lex_unexpected(ParseCtx *ctx, const char *start, Span *lloc)
{
    unsigned char c = (unsigned char)*start;
    uint32_t cp;
    int n = utf8_sequence((const unsigned char *)start, (const unsigned char *)ctx->lim, &cp);
    if (c >= 0x80 && n > 0) {
        *lloc = span_of(ctx, start, start + n);
        diag_error(ctx->diags, *lloc, "unexpected character U+%04X", (unsigned)cp);
        ctx->cur = start + n;
        return;
    }
    ctx->cur = start + 1;
    if (c >= 0x80)
        diag_error(ctx->diags, *lloc, "invalid UTF-8 byte 0x%02X", c);
    else if (c < 0x20 || c == 0x7f)
        diag_error(ctx->diags, *lloc, "unexpected character U+%04X", c);
    else
        diag_error(ctx->diags, *lloc, "unexpected character '%c'", c);
}


/* The unescaped text of one string literal, built on the stack (a fleet file has thousands of
 * strings; only the final text goes to the arena). */
typedef struct LexString {
    char data[SYNTAX_MAX_STRING + 1];
    size_t len;
    bool too_long;
} LexString;

static void lexstr_put(LexString *b, const char *bytes, size_t n)
{
    if (b->len + n > SYNTAX_MAX_STRING) {
        b->too_long = true;
        return;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

static void lexstr_put_codepoint(LexString *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    lexstr_put(b, u, n);
}

/* `\u{HEX}`: at most 6 digits, a Unicode scalar value, and not NUL (strings are C strings). */
static void lex_unicode_escape(ParseCtx *ctx, LexString *b, const char *s, const char *end)
{
    uint32_t cp = 0;
    int digits = 0;
    for (const char *p = s + 3; p < end - 1; p++, digits++) {
        int d = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;
        cp = digits < 7 ? cp * 16 + (uint32_t)d : cp;
    }
    if (digits > 6 || cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        Diag *d = diag_error(ctx->diags, span_of(ctx, s, end), "invalid Unicode escape '%.*s'",
                             (int)(end - s), s);
        diag_help(ctx->diags, d, "\\u{...} takes 1 to 6 hex digits naming a Unicode scalar value "
                                 "other than 0");
        return;
    }
    lexstr_put_codepoint(b, cp);
}

static void lex_bad_escape(ParseCtx *ctx, const char *s)
{
    unsigned char c = (unsigned char)s[1];
    Diag *d;
    if (c > 0x20 && c < 0x7f)
        d = diag_error(ctx->diags, span_of(ctx, s, s + 2), "invalid escape '\\%c' in string", c);
    else
        d = diag_error(ctx->diags, span_of(ctx, s, s + 1), "invalid escape in string");
    diag_help(ctx->diags, d, "valid escapes are \\\" \\\\ \\n \\t and \\u{HEX}");
}

/* Reads a string literal after its opening quote; the token's value is the unescaped text. */
static int lex_string(ParseCtx *ctx, const char *open, GVSTYPE *lval, Span *lloc)
{
    LexString text;
    text.len = 0;
    text.too_long = false;
    LexString *b = &text;
    const char *YYCURSOR = open + 1, *YYMARKER = open + 1;
    for (;;) {
        const char *s = YYCURSOR;
/*!re2c
        ["]          { goto done; }
        "\\\""       { lexstr_put(b, "\"", 1); continue; }
        "\\\\"       { lexstr_put(b, "\\", 1); continue; }
        "\\n"        { lexstr_put(b, "\n", 1); continue; }
        "\\t"        { lexstr_put(b, "\t", 1); continue; }
        "\\u{" [0-9a-fA-F]+ "}" { lex_unicode_escape(ctx, b, s, YYCURSOR); continue; }
        "\\"         { lex_bad_escape(ctx, s); continue; }
        "\x00"       {
            if (s != ctx->lim) {
                report_bad_byte(ctx, s);
                continue;
            }
            YYCURSOR = s;
            goto unterminated;
        }
        "\n" | "\r\n" { YYCURSOR = s; goto unterminated; }
        [\x01-\x7f]  { lexstr_put(b, s, 1); continue; }
        u8_multi     { lexstr_put(b, s, (size_t)(YYCURSOR - s)); continue; }
        *            { (void)YYMARKER; report_bad_byte(ctx, s); continue; }
*/
    unterminated: {
            Diag *d = diag_error(ctx->diags, span_of(ctx, open, open + 1), "unterminated string");
            diag_help(ctx->diags, d, "strings end on the line they start: add the closing '\"'");
            goto done;
        }
    }
done:
    if (b->too_long)
        diag_error(ctx->diags, span_of(ctx, open, open + 1),
                   "string longer than %d bytes", SYNTAX_MAX_STRING);
    ctx->cur = YYCURSOR;
    *lloc = span_of(ctx, open, YYCURSOR);
    lval->text = arena_strndup(ctx->arena, b->data, b->len);
    return TOK_STRING;
}

static int lex_token(ParseCtx *ctx, GVSTYPE *lval, Span *lloc)
{
    const char *start = ctx->cur;
    const char *YYCURSOR = start, *YYMARKER = start;
#define TOKEN(t) do { ctx->cur = YYCURSOR; *lloc = span_of(ctx, start, YYCURSOR); return (t); } while (0)
    *lloc = span_of(ctx, start, start + 1);
/*!re2c
    digits = [0-9]+;
    name = [A-Za-z_][A-Za-z0-9_-]*;

    "\x00" {
        if (start == ctx->lim) {
            ctx->cur = start;
            *lloc = span_of(ctx, ctx->lim, ctx->lim);
            return TOK_YYEOF;
        }
        diag_error(ctx->diags, *lloc, "NUL byte in source text");
        ctx->cur = YYCURSOR;
        return LEX_SKIP;
    }
    [ \t\r]+ { ctx->cur = YYCURSOR; return LEX_SKIP; }
    "\n"     { TOKEN(TOK_NEWLINE); }
    "//"     { return lex_comment(ctx, start, false); }
    "/*"     { return lex_comment(ctx, start, true); }
    "use"    { TOKEN(TOK_USE); }
    "extends" { TOKEN(TOK_EXTENDS); }
    name     { lval->text = arena_strndup(ctx->arena, start, (size_t)(YYCURSOR - start)); TOKEN(TOK_NAME); }
    /* A number with an optional unit; durations may chain units (`1m30s`, `1h0m0s`). */
    digits ("." digits)? ([A-Za-z]+ (digits ("." digits)? [A-Za-z]+)* | "%")? {
        ctx->cur = YYCURSOR;
        *lloc = span_of(ctx, start, YYCURSOR);
        return lex_number(ctx, start, YYCURSOR, lval, lloc);
    }
    [0-9][0-9]? ":" [0-9][0-9] {
        lval->text = arena_strndup(ctx->arena, start, (size_t)(YYCURSOR - start));
        TOKEN(TOK_CLOCK);
    }
    ["]  { return lex_string(ctx, start, lval, lloc); }
    "{"  { *lloc = span_of(ctx, start, YYCURSOR); ctx->cur = YYCURSOR; return lex_open(ctx, start, lloc, '{'); }
    "["  { *lloc = span_of(ctx, start, YYCURSOR); ctx->cur = YYCURSOR; return lex_open(ctx, start, lloc, '['); }
    "}"  { ctx->cur = YYCURSOR; *lloc = span_of(ctx, start, YYCURSOR); return lex_close(ctx, '}'); }
    "]"  { ctx->cur = YYCURSOR; *lloc = span_of(ctx, start, YYCURSOR); return lex_close(ctx, ']'); }
    ","  { TOKEN(TOK_COMMA); }
    ";"  { TOKEN(TOK_SEMI); }
    ".." { TOKEN(TOK_DOTDOT); }
    *    { (void)YYMARKER; lex_unexpected(ctx, start, lloc); return LEX_SKIP; }
*/
#undef TOKEN
}

/* A newline only matters where it ends a statement: never twice, never at the start of a block or
 * the file, never after `,` or `..` (the value continues on the next line). */
static bool newline_redundant(int last)
{
    return last == TOK_NEWLINE || last == TOK_SEMI || last == TOK_LBRACE || last == TOK_COMMA ||
           last == TOK_DOTDOT;
}

int gvlex(GVSTYPE *lval, Span *lloc, ParseCtx *ctx)
{
    for (;;) {
        if (ctx->fatal)
            return lex_fatal(ctx, lloc);
        int tok = lex_token(ctx, lval, lloc);
        if (tok == LEX_SKIP || (tok == TOK_NEWLINE && newline_redundant(ctx->last_tok)))
            continue;
        if (tok == TOK_YYEOF && ctx->last_end)
            *lloc = parse_span(ctx, ctx->last_end, ctx->last_end);
        else if (tok != TOK_NEWLINE && tok != TOK_YYEOF)
            ctx->last_end = ctx->cur;
        ctx->last_tok = tok;
        return tok;
    }
}
