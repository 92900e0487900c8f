/* test_syntax.c - lexer and parser: every token and grammar form, exact spans, newline rules,
 * CRLF and tabs, every located error with its exact rendered text, recovery from several errors,
 * and ast_split_statement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "syntax/syntax.h"

typedef struct Fx {
    Arena *arena;
    SourceMap map;
    DiagSink diags;
    SourceFile *file;
} Fx;

static int fx_setup(void **state)
{
    Fx *fx = calloc(1, sizeof *fx);
    fx->arena = arena_new();
    source_map_init(&fx->map, fx->arena);
    diag_init(&fx->diags, &fx->map, fx->arena);
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    Fx *fx = *state;
    arena_free(fx->arena);
    free(fx);
    return 0;
}

static Unit *parse_n(Fx *fx, const char *text, size_t len)
{
    fx->file = source_add(&fx->map, "t.gv", text, len);
    return syntax_parse(fx->arena, fx->file, &fx->diags);
}

static Unit *parse(Fx *fx, const char *text)
{
    return parse_n(fx, text, strlen(text));
}

static const char *rendered(Fx *fx)
{
    return diag_render_string(&fx->diags, false);
}

static void assert_at(Fx *fx, Span span, uint32_t line, uint32_t col)
{
    uint32_t l, c;
    source_linecol(fx->file, span.start, &l, &c);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
}

static Stmt *stmt_at(const Unit *u, int index)
{
    Stmt *s = u->decls->body->stmts;
    for (int i = 0; s && i < index; i++)
        s = s->next;
    assert_non_null(s);
    return s;
}

static Value *arg_at(const Stmt *s, int index)
{
    Value *v = s->args;
    for (int i = 0; v && i < index; i++)
        v = v->next;
    assert_non_null(v);
    return v;
}

/* Parses a source that must have exactly one error and checks its full rendering. */
static void assert_one_error(Fx *fx, const char *text, size_t len, const char *expected)
{
    Unit *u = parse_n(fx, text, len);
    assert_int_equal(u->syntax_errors, 1);
    assert_string_equal(rendered(fx), expected);
}

/* ---- grammar forms ------------------------------------------------------------------------- */

static void test_declarations_and_use(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "use \"tiers\"\ncluster \"prod\" extends \"base\" {\n}\ntier \"dev\" { replicas 1 }\n");
    assert_int_equal(u->syntax_errors, 0);
    assert_string_equal(u->uses->path, "tiers");
    assert_int_equal(u->items->kind, ITEM_USE);
    Decl *d = u->decls;
    assert_string_equal(d->kind, "cluster");
    assert_string_equal(d->name, "prod");
    assert_string_equal(d->extends, "base");
    assert_at(fx, d->extends_span, 2, 24);
    assert_null(d->body->stmts);
    assert_false(d->body->single_line);
    Decl *t = d->next;
    assert_string_equal(t->kind, "tier");
    assert_null(t->extends);
    assert_true(t->body->single_line);
    assert_string_equal(t->body->stmts->key, "replicas");
    assert_null(u->items->next->next->next);
}

static void test_statement_forms(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "cluster \"c\" {\n"
                        "    cpu 500m .. 2\n"
                        "    mix 10Gi 70% 1.5 6h 02:00 fast-ssd \"s\" 1m30s\n"
                        "    autoscale 2..10 { cpu 70% }\n"
                        "    zones [\"a\", \"b\",]\n"
                        "    empty []\n"
                        "}\n");
    assert_int_equal(u->syntax_errors, 0);
    Stmt *cpu = stmt_at(u, 0);
    assert_string_equal(cpu->key, "cpu");
    assert_int_equal(cpu->nargs, 1);
    assert_int_equal(cpu->args->kind, VAL_RANGE);
    assert_string_equal(cpu->args->u.range.lo->u.text, "500m");
    assert_string_equal(cpu->args->u.range.hi->u.text, "2");

    Stmt *mix = stmt_at(u, 1);
    static const char *const texts[] = {"10Gi", "70%", "1.5", "6h", "02:00", "fast-ssd", "s", "1m30s"};
    static const ValueKind kinds[] = {VAL_NUMBER, VAL_NUMBER, VAL_NUMBER, VAL_NUMBER,
                                      VAL_CLOCK, VAL_IDENT, VAL_STRING, VAL_NUMBER};
    assert_int_equal(mix->nargs, 8);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(arg_at(mix, i)->kind, kinds[i]);
        assert_string_equal(arg_at(mix, i)->u.text, texts[i]);
    }

    Stmt *as = stmt_at(u, 2);
    assert_int_equal(as->args->kind, VAL_RANGE);
    assert_string_equal(as->args->u.range.lo->u.text, "2");
    assert_string_equal(as->args->u.range.hi->u.text, "10");
    assert_non_null(as->block);
    assert_true(as->block->single_line);
    assert_string_equal(as->block->stmts->key, "cpu");

    Value *zones = stmt_at(u, 3)->args;
    assert_int_equal(zones->kind, VAL_LIST);
    assert_int_equal(zones->u.list.count, 2);
    assert_string_equal(zones->u.list.items->next->u.text, "b");
    assert_int_equal(stmt_at(u, 4)->args->u.list.count, 0);
    assert_string_equal(ast_value_kind_name(VAL_CLOCK), "time of day");
}

static void test_newline_rules(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "cluster \"c\" {\n"
                        "    zones [\n        \"a\"\n        , \"b\"\n    ]\n"
                        "    cpu 1 ..\n        2\n"
                        "    a 1; b 2\n"
                        "    class nginx  tls \"x\"\n"
                        "}\n");
    assert_int_equal(u->syntax_errors, 0);
    assert_int_equal(stmt_at(u, 0)->args->u.list.count, 2);
    assert_int_equal(stmt_at(u, 1)->args->kind, VAL_RANGE);
    assert_string_equal(stmt_at(u, 2)->key, "a");
    assert_string_equal(stmt_at(u, 3)->key, "b");
    assert_int_equal(stmt_at(u, 4)->nargs, 3); /* one statement: the checker splits it */
    assert_null(stmt_at(u, 4)->next);
}

static void test_string_escapes(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "c \"x\" { s \"q\\\"b\\\\n\\n t\\t \\u{e9}\\u{1F600}\" }");
    assert_int_equal(u->syntax_errors, 0);
    assert_string_equal(stmt_at(u, 0)->args->u.text, "q\"b\\n\n t\t \xc3\xa9\xf0\x9f\x98\x80");
}

static void test_comments_kept(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "// head\ncluster \"c\" { // after brace\n  /* own */ a 1 /* mid */\n}\n");
    assert_int_equal(u->syntax_errors, 0);
    const Comment *c = u->comments;
    assert_string_equal(c->text, "// head");
    assert_true(c->own_line);
    assert_string_equal(c->next->text, "// after brace");
    assert_false(c->next->own_line);
    assert_string_equal(c->next->next->text, "/* own */");
    assert_true(c->next->next->own_line);
    assert_false(c->next->next->next->own_line);
    assert_at(fx, c->next->next->next->span, 3, 17);
}

/* ---- spans --------------------------------------------------------------------------------- */

static void test_spans_exact(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "cluster \"c\" {\n    nodes {\n        replicas 3 .. 5\n    }\n}\n");
    Stmt *nodes = stmt_at(u, 0);
    assert_at(fx, nodes->key_span, 2, 5);
    assert_at(fx, nodes->block->span, 2, 11);
    Stmt *r = nodes->block->stmts;
    assert_at(fx, r->key_span, 3, 9);
    assert_at(fx, r->args->span, 3, 18);
    assert_int_equal(r->args->span.end - r->args->span.start, 6);
    assert_at(fx, r->args->u.range.hi->span, 3, 23);
    assert_int_equal(nodes->span.end, nodes->block->span.end);
}

static void test_crlf_and_tabs(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "cluster \"c\" {\r\n\treplicas\t3\r\n\t// note\r\n\tzones [\"a\",\r\n\t\"b\"]\r\n}\r\n");
    assert_int_equal(u->syntax_errors, 0);
    Stmt *r = stmt_at(u, 0);
    assert_at(fx, r->key_span, 2, 2);
    assert_at(fx, r->args->span, 2, 11);
    assert_string_equal(u->comments->text, "// note");
    assert_int_equal(stmt_at(u, 1)->args->u.list.count, 2);
}

/* ---- errors -------------------------------------------------------------------------------- */

#define ONE_ERROR(fx, text, expected) assert_one_error(fx, text, sizeof(text) - 1, expected)

static void test_error_unexpected_character(void **state)
{
    ONE_ERROR(*state, "c \"x\" { a @ }\n",
              "t.gv:1:11: error: unexpected character '@'\n"
              "    1 | c \"x\" { a @ }\n"
              "      |           ^\n");
}

static void test_error_non_ascii_outside_string(void **state)
{
    ONE_ERROR(*state, "c \"x\" { a \xc3\xa9 }\n",
              "t.gv:1:11: error: unexpected character U+00E9\n"
              "    1 | c \"x\" { a \xc3\xa9 }\n"
              "      |           ^~\n");
}

static void test_error_nul_byte(void **state)
{
    Fx *fx = *state;
    static const char text[] = "c \"x\" { a\0 1 }\n";
    Unit *u = parse_n(fx, text, sizeof text - 1);
    assert_int_equal(u->syntax_errors, 1);
    /* The rendered source line holds the NUL itself, so compare only up to it. */
    const char *r = rendered(fx);
    assert_string_equal(r, "t.gv:1:10: error: NUL byte in source text\n    1 | c \"x\" { a");
    assert_int_equal(stmt_at(u, 0)->nargs, 1); /* the NUL is skipped, parsing goes on */
}

static void test_error_invalid_utf8_in_string(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "c \"x\" {\n  a \"b\xff\"\n}\n");
    assert_int_equal(u->syntax_errors, 1);
    assert_non_null(strstr(rendered(fx), "t.gv:2:7: error: invalid UTF-8 byte 0xFF\n"));
}

static void test_error_invalid_utf8_in_comment(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "// ok \xc3\x28 bad\nc \"x\" {}\n");
    assert_int_equal(u->syntax_errors, 1);
    assert_non_null(strstr(rendered(fx), "t.gv:1:7: error: invalid UTF-8 byte 0xC3\n"));
    assert_non_null(u->decls);
}

static void test_error_unterminated_string(void **state)
{
    ONE_ERROR(*state, "c \"x\" {\n  a \"open\n}\n",
              "t.gv:2:5: error: unterminated string\n"
              "    2 |   a \"open\n"
              "      |     ^\n"
              "      = help: strings end on the line they start: add the closing '\"'\n");
}

static void test_error_unterminated_block_comment(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "c \"x\" {}\n  /* never\nclosed\n");
    assert_int_equal(u->syntax_errors, 1);
    assert_string_equal(rendered(fx), "t.gv:2:3: error: unterminated block comment\n"
                                      "    2 |   /* never\n"
                                      "      |   ^~\n");
}

static void test_error_bad_escape(void **state)
{
    ONE_ERROR(*state, "c \"x\" { a \"\\q\" }\n",
              "t.gv:1:12: error: invalid escape '\\q' in string\n"
              "    1 | c \"x\" { a \"\\q\" }\n"
              "      |            ^~\n"
              "      = help: valid escapes are \\\" \\\\ \\n \\t and \\u{HEX}\n");
}

static void test_error_bad_unicode_escape(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "c \"x\" { a \"\\u{110000}\" b \"\\u{0}\" }\n");
    assert_int_equal(u->syntax_errors, 2);
    const char *r = rendered(fx);
    assert_non_null(strstr(r, "t.gv:1:12: error: invalid Unicode escape '\\u{110000}'\n"));
    assert_non_null(strstr(r, "t.gv:1:27: error: invalid Unicode escape '\\u{0}'\n"));
}

static void test_error_string_too_long(void **state)
{
    Fx *fx = *state;
    size_t n = SYNTAX_MAX_STRING + 1;
    char *text = arena_alloc(fx->arena, n + 32);
    strcpy(text, "c \"x\" { a \"");
    memset(text + strlen(text), 'x', n);
    strcat(text, "\" }\n");
    Unit *u = parse(fx, text);
    assert_int_equal(u->syntax_errors, 1);
    assert_non_null(strstr(rendered(fx), "t.gv:1:11: error: string longer than 4096 bytes\n"));
}

static void test_error_string_at_limit_is_fine(void **state)
{
    Fx *fx = *state;
    char *text = arena_alloc(fx->arena, SYNTAX_MAX_STRING + 32);
    strcpy(text, "c \"x\" { a \"");
    memset(text + strlen(text), 'x', SYNTAX_MAX_STRING);
    strcat(text, "\" }\n");
    Unit *u = parse(fx, text);
    assert_int_equal(u->syntax_errors, 0);
    assert_int_equal(strlen(stmt_at(u, 0)->args->u.text), SYNTAX_MAX_STRING);
}

static void test_error_too_deep(void **state)
{
    Fx *fx = *state;
    char text[256] = "c \"x\" { a ";
    for (int i = 0; i < SYNTAX_MAX_DEPTH; i++)
        strcat(text, "[");
    Unit *u = parse(fx, text);
    assert_int_equal(u->syntax_errors, 1);
    assert_non_null(strstr(rendered(fx),
                           "t.gv:1:42: error: nesting too deep: more than 32 blocks and lists\n"));
}

static void test_error_too_many_digits(void **state)
{
    ONE_ERROR(*state, "c \"x\" { a 1234567890123456789012345678901 }\n",
              "t.gv:1:11: error: number has 31 digits; at most 30 are allowed\n"
              "    1 | c \"x\" { a 1234567890123456789012345678901 }\n"
              "      |           ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

static void test_error_unclosed_block(void **state)
{
    ONE_ERROR(*state, "c \"x\" {\n  nodes {\n    replicas 2\n}\n",
              "t.gv:4:2: error: expected '}' to close the block opened at line 1\n"
              "    4 | }\n"
              "      |  ^\n"
              "t.gv:1:7: note: the block opened here\n"
              "    1 | c \"x\" {\n"
              "      |       ^\n");
}

static void test_error_missing_list_value(void **state)
{
    ONE_ERROR(*state, "c \"x\" { zones [\"a\", , \"b\"] }\n",
              "t.gv:1:21: error: unexpected ','; expected a value\n"
              "    1 | c \"x\" { zones [\"a\", , \"b\"] }\n"
              "      |                     ^\n");
}

static void test_error_declaration_name(void **state)
{
    ONE_ERROR(*state, "cluster prod {\n  a 1\n}\n",
              "t.gv:1:9: error: unexpected 'prod'; expected a string\n"
              "    1 | cluster prod {\n"
              "      |         ^~~~\n");
}

static void test_recovery_reports_every_error(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "cluster \"a\" {\n"
                        "    zones [\"a\", , \"b\"]\n"
                        "    replicas 3 ]\n"
                        "    good 1\n"
                        "    \"stray\" 2\n"
                        "    nodes { x , { y 1 } }\n"
                        "    last 2\n"
                        "}\n"
                        "cluster \"b\" { ok 1 }\n");
    assert_int_equal(u->syntax_errors, 4);
    const char *r = rendered(fx);
    assert_non_null(strstr(r, "t.gv:2:17: error: unexpected ','; expected a value\n"));
    assert_non_null(strstr(r, "t.gv:3:16: error: unexpected ']'; expected a value, '{' or end of line\n"));
    assert_non_null(strstr(r, "t.gv:5:5: error: unexpected string \"stray\"; expected a setting name, '}' or end of line\n"));
    assert_non_null(strstr(r, "t.gv:6:15: error: unexpected ','; expected a value or '{'\n"));
    /* Statements between and after the errors are still in the tree. */
    assert_string_equal(stmt_at(u, 0)->key, "good");
    assert_string_equal(stmt_at(u, 1)->key, "nodes");
    assert_string_equal(stmt_at(u, 2)->key, "last");
    assert_string_equal(u->decls->next->name, "b");
}

/* ---- ast ----------------------------------------------------------------------------------- */

static void test_split_statement(void **state)
{
    Fx *fx = *state;
    Unit *u = parse(fx, "c \"x\" { ingress \"h\" { class nginx  tls \"s\" { q 1 } }\n after 1 }");
    Stmt *cls = stmt_at(u, 0)->block->stmts;
    assert_int_equal(cls->nargs, 3);
    assert_null(ast_split_statement(fx->arena, cls, 2)); /* "s" is not a name */
    assert_null(ast_split_statement(fx->arena, cls, 3));
    Stmt *tls = ast_split_statement(fx->arena, cls, 1);
    assert_non_null(tls);
    assert_string_equal(tls->key, "tls");
    assert_int_equal(tls->nargs, 1);
    assert_string_equal(tls->args->u.text, "s");
    assert_non_null(tls->block);
    assert_null(cls->block);
    assert_int_equal(cls->nargs, 1);
    assert_null(cls->args->next);
    assert_ptr_equal(cls->next, tls);
    assert_at(fx, tls->key_span, 1, 36);
    assert_int_equal(cls->span.end, cls->args->span.end);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_declarations_and_use),
        T(test_statement_forms),
        T(test_newline_rules),
        T(test_string_escapes),
        T(test_comments_kept),
        T(test_spans_exact),
        T(test_crlf_and_tabs),
        T(test_error_unexpected_character),
        T(test_error_non_ascii_outside_string),
        T(test_error_nul_byte),
        T(test_error_invalid_utf8_in_string),
        T(test_error_invalid_utf8_in_comment),
        T(test_error_unterminated_string),
        T(test_error_unterminated_block_comment),
        T(test_error_bad_escape),
        T(test_error_bad_unicode_escape),
        T(test_error_string_too_long),
        T(test_error_string_at_limit_is_fine),
        T(test_error_too_deep),
        T(test_error_too_many_digits),
        T(test_error_unclosed_block),
        T(test_error_missing_list_value),
        T(test_error_declaration_name),
        T(test_recovery_reports_every_error),
        T(test_split_statement),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
