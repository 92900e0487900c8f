/* syntax.h - the front end's entry points: parse a source file into a Unit, format a Unit back.
 * Lexer: grammar/lexer.re (re2c). Parser: grammar/parser.y (Bison, pure, %locations).
 * Syntax errors go to the DiagSink; the parser recovers at line and block boundaries so one run
 * reports every syntax error it can. Input limits (nesting depth, string length, NUL bytes,
 * invalid UTF-8) are reported as ordinary located errors. */
#ifndef GOVERSEC_SYNTAX_H
#define GOVERSEC_SYNTAX_H
#include "support/diag.h"
#include "syntax/ast.h"

enum {
    SYNTAX_MAX_DEPTH = 32,          /* nested blocks/lists */
    SYNTAX_MAX_STRING = 4096,       /* bytes in one string literal */
};

Unit *syntax_parse(Arena *arena, const SourceFile *file, DiagSink *diags);

/* Canonical formatting (goversec fmt). Idempotent: format(parse(format(x))) == format(x).
 * Comments are kept. Returns NUL-terminated text in the arena. */
const char *syntax_format(Arena *arena, const Unit *unit);

#endif
