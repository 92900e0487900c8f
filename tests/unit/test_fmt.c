/* test_fmt.c - the formatter: exact canonical output for each rule (indentation, spacing, lists,
 * ranges, strings, blank lines, comments, single-line blocks), and on every example and stdlib
 * file plus inline inputs: idempotence and an unchanged parse (AST equal modulo spans). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "syntax/syntax.h"

typedef struct Fx {
    Arena *arena;
    SourceMap map;
    DiagSink diags;
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

static Unit *parse_ok(Fx *fx, const char *path, const char *text)
{
    SourceFile *f = source_add(&fx->map, path, text, strlen(text));
    Unit *u = syntax_parse(fx->arena, f, &fx->diags);
    if (u->syntax_errors)
        fail_msg("%s", diag_render_string(&fx->diags, false));
    return u;
}

static const char *format(Fx *fx, const char *text)
{
    return syntax_format(fx->arena, parse_ok(fx, "t.gv", text));
}

/* ---- structural equality, ignoring spans ----------------------------------------------------- */

static bool values_equal(const Value *a, const Value *b);

static bool value_equal(const Value *a, const Value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case VAL_IDENT:
    case VAL_STRING:
    case VAL_NUMBER:
    case VAL_CLOCK:
        return strcmp(a->u.text, b->u.text) == 0;
    case VAL_LIST:
        return a->u.list.count == b->u.list.count && values_equal(a->u.list.items, b->u.list.items);
    case VAL_RANGE:
        return value_equal(a->u.range.lo, b->u.range.lo) && value_equal(a->u.range.hi, b->u.range.hi);
    }
    return false;
}

static bool values_equal(const Value *a, const Value *b)
{
    for (; a && b; a = a->next, b = b->next)
        if (!value_equal(a, b))
            return false;
    return !a && !b;
}

static bool block_equal(const Block *a, const Block *b);

static bool stmts_equal(const Stmt *a, const Stmt *b)
{
    for (; a && b; a = a->next, b = b->next) {
        if (strcmp(a->key, b->key) != 0 || a->nargs != b->nargs || !values_equal(a->args, b->args))
            return false;
        if (!!a->block != !!b->block || (a->block && !block_equal(a->block, b->block)))
            return false;
    }
    return !a && !b;
}

static bool block_equal(const Block *a, const Block *b)
{
    return stmts_equal(a->stmts, b->stmts);
}

static bool opt_str_equal(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool units_equal(const Unit *a, const Unit *b)
{
    const Item *x = a->items, *y = b->items;
    for (; x && y; x = x->next, y = y->next) {
        if (x->kind != y->kind)
            return false;
        if (x->kind == ITEM_USE && strcmp(x->u.use->path, y->u.use->path) != 0)
            return false;
        if (x->kind == ITEM_DECL) {
            const Decl *d = x->u.decl, *e = y->u.decl;
            if (strcmp(d->kind, e->kind) || strcmp(d->name, e->name) ||
                !opt_str_equal(d->extends, e->extends) || !block_equal(d->body, e->body))
                return false;
        }
    }
    int ca = 0, cb = 0;
    for (const Comment *c = a->comments; c; c = c->next)
        ca++;
    for (const Comment *c = b->comments; c; c = c->next)
        cb++;
    return !x && !y && ca == cb;
}

/* format(parse(format(x))) == format(x), and the formatted text parses to the same tree. */
static void assert_stable(Fx *fx, const char *path, const char *text)
{
    Unit *u1 = parse_ok(fx, path, text);
    const char *once = syntax_format(fx->arena, u1);
    Unit *u2 = parse_ok(fx, path, once);
    const char *twice = syntax_format(fx->arena, u2);
    if (strcmp(once, twice) != 0)
        fail_msg("%s: not idempotent\n--- once\n%s--- twice\n%s", path, once, twice);
    if (!units_equal(u1, u2))
        fail_msg("%s: formatting changed the parse\n%s", path, once);
}

/* ---- canonical output ---------------------------------------------------------------------- */

static void test_canonical_layout(void **state)
{
    Fx *fx = *state;
    assert_string_equal(format(fx, "use   \"tiers\"\ncluster   \"p\"   extends \"b\"{\n"
                                   "  replicas    3\n\t\tcpu 500m..2\n  zones [ \"a\" ,\"b\" ]\n"
                                   "  s \"q\\\"\\\\\\n\\t\\u{1}\"; t 1\n  e {\n  }\n}"),
                        "use \"tiers\"\ncluster \"p\" extends \"b\" {\n"
                        "    replicas 3\n    cpu      500m .. 2\n    zones    [\"a\", \"b\"]\n"
                        "    s        \"q\\\"\\\\\\n\\t\\u{1}\"\n    t        1\n    e {}\n}\n");
}

static void test_single_line_blocks_and_gaps(void **state)
{
    Fx *fx = *state;
    assert_string_equal(format(fx, "c \"x\" {\n  ingress \"h\" {class nginx   tls \"s\"}\n"
                                   "  a { b 1;c 2 }\n}\n"),
                        "c \"x\" {\n    ingress \"h\" { class nginx  tls \"s\" }\n"
                        "    a       { b 1; c 2 }\n}\n");
}

/* Consecutive one-line settings line up their arguments (as gofmt aligns fields); a blank line,
 * an own-line comment or a multi-line block ends the group; a trailing comment does not. */
static void test_alignment_groups(void **state)
{
    Fx *fx = *state;
    assert_string_equal(format(fx, "c \"x\" {\n  namespace \"n\"\n  tier dev // why\n  cloud aws\n\n"
                                   "  shards 8\n  stability 10s\n  // own line\n  registry \"r\"\n"
                                   "  nodes {\n    image \"i:1\"\n  }\n  zones []\n}\n"),
                        "c \"x\" {\n    namespace \"n\"\n    tier      dev // why\n    cloud     aws\n\n"
                        "    shards    8\n    stability 10s\n    // own line\n    registry \"r\"\n"
                        "    nodes {\n        image \"i:1\"\n    }\n    zones []\n}\n");
}

/* Trailing `//` comments on consecutive lines start in one column; a line without one ends it. */
static void test_trailing_comments_aligned(void **state)
{
    Fx *fx = *state;
    assert_string_equal(format(fx, "c \"x\" {\n  a 1 // one\n  bbb 22    // two\n  c 3\n  d 4   // alone\n}\n"),
                        "c \"x\" {\n    a   1  // one\n    bbb 22 // two\n    c   3\n    d   4 // alone\n}\n");
}

static void test_multi_line_list(void **state)
{
    Fx *fx = *state;
    assert_string_equal(format(fx, "c \"x\" {\n  zones [\"a\",\n    \"b\" ]\n}\n"),
                        "c \"x\" {\n    zones [\n        \"a\",\n        \"b\",\n    ]\n}\n");
}

static void test_blank_lines(void **state)
{
    Fx *fx = *state;
    assert_string_equal(format(fx, "\n\nuse \"a\"\n\n\n\nc \"x\" {\n\n  a 1\n\n\n  b 2\n  c 3\n\n}\n"
                                   "d \"y\" {}\n\n"),
                        "use \"a\"\n\nc \"x\" {\n    a 1\n\n    b 2\n    c 3\n}\nd \"y\" {}\n");
}

static void test_comments_placed(void **state)
{
    Fx *fx = *state;
    assert_string_equal(format(fx, "// head   \n\nc \"x\" { // open\n   // lead\n  a 1   // tail\n"
                                   "  /* b */ b 2\n  // end\n}\n// final\n"),
                        "// head\n\nc \"x\" { // open\n    // lead\n    a 1 // tail\n"
                        "    /* b */ b 2\n    // end\n}\n// final\n");
    /* A comment inside a single-line block makes it multi-line rather than lose its place. */
    assert_string_equal(format(fx, "c \"x\" { a 1 /* why */ }\n"),
                        "c \"x\" {\n    a 1 /* why */\n}\n");
}

static void test_empty_unit(void **state)
{
    Fx *fx = *state;
    assert_string_equal(format(fx, ""), "");
    assert_string_equal(format(fx, "\n\n// only\n"), "// only\n");
}

/* ---- stability ----------------------------------------------------------------------------- */

static const char *const inline_inputs[] = {
    "cluster \"a\" extends \"b\" { nodes { replicas 3  cpu 1..2 } zones [\"x\",\n\"y\"] }\n",
    "// c1\nuse \"tiers\" // c2\n/* c3\n   spans */\ncluster \"a\" {\n  x [ // in list\n    1, /* one */\n"
    "    2\n  ]\n  backup daily at 02:00 keep 14 ; y 1\n\n\n  /* before end */\n}\n",
    "c \"x\" {\r\n\ta \"tab\\there\"\r\n\tb [1 .. 2, [3, 4]]\r\n}\r\n",
    "c \"x\" { a { b { c { d 1 } } } }\n",
    "c \"x\" { e {}  f { }\n}\n",
};

static void test_inline_inputs_stable(void **state)
{
    for (size_t i = 0; i < sizeof inline_inputs / sizeof *inline_inputs; i++)
        assert_stable(*state, "inline.gv", inline_inputs[i]);
}

static char *slurp(Arena *arena, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = arena_alloc(arena, (size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    buf[got] = '\0';
    fclose(fp);
    return buf;
}

static int check_dir(Fx *fx, const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".gv") != 0)
            continue;
        const char *path = arena_printf(fx->arena, "%s/%s", dir, e->d_name);
        char *text = slurp(fx->arena, path);
        assert_non_null(text);
        assert_stable(fx, path, text);
        n++;
    }
    closedir(d);
    return n;
}

static void test_repository_files_stable(void **state)
{
    Fx *fx = *state;
    int n = check_dir(fx, TESTS_DIR "/../examples") + check_dir(fx, TESTS_DIR "/../stdlib");
    print_message("formatted %d example/stdlib files\n", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_canonical_layout),
        T(test_single_line_blocks_and_gaps),
        T(test_alignment_groups),
        T(test_trailing_comments_aligned),
        T(test_multi_line_list),
        T(test_blank_lines),
        T(test_comments_placed),
        T(test_empty_unit),
        T(test_inline_inputs_stable),
        T(test_repository_files_stable),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
