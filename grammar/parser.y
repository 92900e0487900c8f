/* parser.y - the .gv grammar (docs/grammar.md) as a pure Bison LALR(1) parser.
 * Every action is one call into syntax/ast.c; the lexer is grammar/lexer.re. Errors are reported
 * by parse_report_error (compiler/syntax/parse.c) with quoted source text, and the parser recovers
 * at statement ends (newline, ';') and block boundaries so one run reports every error it can. */
%require "3.8"
%define api.pure full
%define api.prefix {gv}
%define api.token.prefix {TOK_}
%define api.location.type {Span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {ParseCtx *ctx}

%code requires {
#include "syntax/parse_ctx.h"
}

%code provides {
int gvlex(GVSTYPE *lval, Span *lloc, ParseCtx *ctx);
void gverror(Span *lloc, ParseCtx *ctx, const char *msg);
int parse_report_error(ParseCtx *ctx, int unexpected, Span loc, const int *expected, int nexpected);
}

%code {
/* A rule's span joins its first and last symbols; an empty rule sits where the previous ended. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                        \
    do {                                                                                   \
        if ((N) == 1) /* a one-symbol rule spans that symbol: no call */                   \
            (Cur) = YYRHSLOC(Rhs, 1);                                                      \
        else if (N)                                                                        \
            (Cur) = span_join(YYRHSLOC(Rhs, 1), YYRHSLOC(Rhs, N));                         \
        else                                                                               \
            (Cur) = (Span){YYRHSLOC(Rhs, 0).file, YYRHSLOC(Rhs, 0).end, YYRHSLOC(Rhs, 0).end}; \
    } while (0)
#define YYLOCATION_PRINT(File, Loc) ((void)0)
/* The stacks start small and grow on the heap when a description nests deeper (YYMAXDEPTH stays
 * Bison's): 200 entries of three stacks on the stack were ~5 KB, two stack pages first touched. */
#define YYINITDEPTH 32
}

%initial-action { @$ = parse_span(ctx, ctx->cur, ctx->cur); }

%union {
    const char *text;
    Value *value;
    Stmt *stmt;
    Block *block;
    Decl *decl;
    Use *use;
}

%token <text> NAME "name" STRING "string" NUMBER "number" CLOCK "time of day"
%token USE "use" EXTENDS "extends"
%token LBRACE "{" RBRACE "}" LBRACK "[" RBRACK "]" COMMA "," SEMI ";" DOTDOT ".."
%token NEWLINE "end of line"

/* A statement takes every word up to the end of its line: on a following NAME, shift (it is one
 * more argument) rather than end the statement. The checker splits `class nginx  tls "x"`. */
%precedence STMT_END
%precedence NAME

%type <value> args arg primary list list_items
%type <stmt> stmts stmt
%type <block> block
%type <decl> decl
%type <use> use
%type <text> extends_opt

%%

file
    : %empty
    | file sep
    | file use            { ast_unit_add_use(ctx->arena, ctx->unit, $2); }
    | file decl           { ast_unit_add_decl(ctx->arena, ctx->unit, $2); }
    | file error sep      { yyerrok; }
    | file error block    { yyerrok; }
    ;

sep : NEWLINE | SEMI ;

use : USE STRING          { $$ = ast_use(ctx->arena, $2, @$); } ;

decl
    : NAME STRING extends_opt block
        { $$ = ast_decl(ctx->arena, $1, @1, $2, @2, $3, @3, $4, @$); }
    ;

extends_opt
    : %empty              { $$ = NULL; }
    | EXTENDS STRING      { $$ = $2; @$ = @2; }
    ;

block
    : LBRACE stmts RBRACE
        { $$ = ast_block(ctx->arena, @$, $2, parse_single_line(ctx, @$)); }
    | LBRACE stmts error RBRACE
        { $$ = ast_block(ctx->arena, @$, $2, parse_single_line(ctx, @$)); yyerrok; }
    ;

stmts
    : %empty              { $$ = NULL; }
    | stmts sep           { $$ = $1; }
    | stmts stmt          { $$ = ast_stmt_append($1, $2); }
    | stmts error sep     { $$ = $1; yyerrok; }
    | stmts error block   { $$ = $1; yyerrok; }
    ;

stmt
    : NAME args %prec STMT_END { $$ = ast_stmt(ctx->arena, $1, @1, $2, NULL, @$); }
    | NAME args block     { $$ = ast_stmt(ctx->arena, $1, @1, $2, $3, @$); }
    ;

args
    : %empty              { $$ = NULL; }
    | args arg            { $$ = ast_value_append($1, $2); }
    ;

arg
    : primary
    | primary DOTDOT primary  { $$ = ast_value_range(ctx->arena, $1, $3); }
    ;

primary
    : NAME                { $$ = ast_value_text(ctx->arena, VAL_IDENT, @$, $1); }
    | STRING              { $$ = ast_value_text(ctx->arena, VAL_STRING, @$, $1); }
    | NUMBER              { $$ = ast_value_text(ctx->arena, VAL_NUMBER, @$, $1); }
    | CLOCK               { $$ = ast_value_text(ctx->arena, VAL_CLOCK, @$, $1); }
    | list
    ;

list
    : LBRACK nls RBRACK                          { $$ = ast_value_list(ctx->arena, @$, NULL); }
    | LBRACK nls list_items nls RBRACK           { $$ = ast_value_list(ctx->arena, @$, $3); }
    | LBRACK nls list_items nls COMMA nls RBRACK { $$ = ast_value_list(ctx->arena, @$, $3); }
    ;

list_items
    : arg                                 { $$ = $1; }
    | list_items nls COMMA nls arg        { $$ = ast_value_append($1, $5); }
    ;

nls : %empty | nls NEWLINE ;

%%

void gverror(Span *lloc, ParseCtx *ctx, const char *msg)
{
    if (!ctx->fatal)
        diag_error(ctx->diags, *lloc, "%s", msg);
}

/* Symbol kinds are private to this file; parse.c works with the token codes of parser.h. */
static int symbol_token(yysymbol_kind_t sym)
{
    switch (sym) {
    case YYSYMBOL_NAME: return TOK_NAME;
    case YYSYMBOL_STRING: return TOK_STRING;
    case YYSYMBOL_NUMBER: return TOK_NUMBER;
    case YYSYMBOL_CLOCK: return TOK_CLOCK;
    case YYSYMBOL_USE: return TOK_USE;
    case YYSYMBOL_EXTENDS: return TOK_EXTENDS;
    case YYSYMBOL_LBRACE: return TOK_LBRACE;
    case YYSYMBOL_RBRACE: return TOK_RBRACE;
    case YYSYMBOL_LBRACK: return TOK_LBRACK;
    case YYSYMBOL_RBRACK: return TOK_RBRACK;
    case YYSYMBOL_COMMA: return TOK_COMMA;
    case YYSYMBOL_SEMI: return TOK_SEMI;
    case YYSYMBOL_DOTDOT: return TOK_DOTDOT;
    case YYSYMBOL_NEWLINE: return TOK_NEWLINE;
    case YYSYMBOL_YYEOF: return TOK_YYEOF;
    default: return TOK_GVUNDEF;
    }
}

static int yyreport_syntax_error(const yypcontext_t *pctx, ParseCtx *ctx)
{
    yysymbol_kind_t syms[YYNTOKENS];
    int expected[YYNTOKENS];
    int n = yypcontext_expected_tokens(pctx, syms, YYNTOKENS);
    for (int i = 0; i < n; i++)
        expected[i] = symbol_token(syms[i]);
    return parse_report_error(ctx, symbol_token(yypcontext_token(pctx)),
                              *yypcontext_location(pctx), expected, n < 0 ? 0 : n);
}
