/* test_yaml.c - the YAML writer's quoting table and layout, the reader's core-schema resolution,
 * write -> read round trips, alias expansion and the alias-bomb bound, duplicate keys, and
 * located errors. Also data.c: paths, Helm-style merge, truth. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yaml/yamlio.h"

static const char *write1(Arena *a, const Data *d)
{
    size_t len;
    const char *s = yaml_write_one(a, d, &len);
    assert_non_null(s);
    assert_int_equal(strlen(s), len);
    return s;
}

typedef struct Quote {
    const char *in, *out;
} Quote;

static const Quote QUOTES[] = {
    {"hello", "v: hello\n"},      {"true", "v: \"true\"\n"},     {"yes", "v: \"yes\"\n"},
    {"on", "v: \"on\"\n"},        {"Off", "v: \"Off\"\n"},       {"y", "v: \"y\"\n"},
    {"n", "v: \"n\"\n"},          {"null", "v: \"null\"\n"},     {"~", "v: \"~\"\n"},
    {"8080", "v: \"8080\"\n"},    {"-1", "v: \"-1\"\n"},         {"1.5", "v: \"1.5\"\n"},
    {"1.2.3", "v: \"1.2.3\"\n"},  {"0x1F", "v: \"0x1F\"\n"},     {"0o17", "v: \"0o17\"\n"},
    {"017", "v: \"017\"\n"},      {"1e3", "v: \"1e3\"\n"},       {".inf", "v: \".inf\"\n"},
    {"-.inf", "v: \"-.inf\"\n"},  {".NaN", "v: \".NaN\"\n"},     {"1:30", "v: \"1:30\"\n"},
    {"2024-01-02", "v: \"2024-01-02\"\n"},                       {"", "v: \"\"\n"},
    {" lead", "v: \" lead\"\n"},  {"trail ", "v: \"trail \"\n"}, {"*star", "v: \"*star\"\n"},
    {"&amp", "v: \"&amp\"\n"},    {"!tag", "v: \"!tag\"\n"},     {"#c", "v: \"#c\"\n"},
    {"- x", "v: \"- x\"\n"},      {"a: b", "v: \"a: b\"\n"},     {"a #b", "v: \"a #b\"\n"},
    {"{x}", "v: \"{x}\"\n"},      {"[x]", "v: \"[x]\"\n"},       {"'q'", "v: \"'q'\"\n"},
    {"@at", "v: \"@at\"\n"},      {"%p", "v: \"%p\"\n"},         {"|", "v: \"|\"\n"},
    {"a\nb", "v: \"a\\nb\"\n"},   {"500m", "v: 500m\n"},         {"1Gi", "v: 1Gi\n"},
    {"-Xmx1g", "v: -Xmx1g\n"},    {"a:b", "v: a:b\n"},           {"http://x:80/p", "v: http://x:80/p\n"},
    {"ghcr.io/a/b:1.0", "v: ghcr.io/a/b:1.0\n"},                 {"10s", "v: 10s\n"},
    {"héllo", "v: héllo\n"},      {"$(POD_NAME).ns", "v: $(POD_NAME).ns\n"},
};

static void test_quoting_table(void **state)
{
    (void)state;
    Arena *a = arena_new();
    for (size_t i = 0; i < sizeof QUOTES / sizeof QUOTES[0]; i++) {
        Data *m = data_map(a);
        data_put(a, m, "v", data_str(a, QUOTES[i].in));
        const char *got = write1(a, m);
        if (strcmp(got, QUOTES[i].out) != 0)
            fail_msg("'%s' -> '%s', want '%s'", QUOTES[i].in, got, QUOTES[i].out);
    }
    arena_free(a);
}

static void test_layout(void **state)
{
    (void)state;
    Arena *a = arena_new();
    Data *m = data_map(a);
    data_put(a, m, "empty", data_map(a));
    data_put(a, m, "none", data_seq(a));
    Data *s = data_put(a, m, "list", data_seq(a));
    Data *item = data_push(s, data_map(a));
    data_put(a, item, "name", data_str(a, "x"));
    data_put(a, item, "port", data_int(a, 80));
    data_push(s, data_bool(a, false));
    data_push(s, data_null(a));
    Data *lit = data_put(a, m, "config", data_str(a, "a: 1\nb: [2]\n"));
    lit->style = STYLE_LITERAL;
    Data *q = data_put(a, m, "quoted", data_str(a, "plain"));
    q->style = STYLE_QUOTED;
    data_put(a, m, "8080", data_str(a, "key is quoted"));
    char longline[300];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    for (int i = 10; i < 290; i += 10)
        longline[i] = ' ';
    data_put(a, m, "long", data_str(a, longline));
    const char *want = arena_printf(a,
                                    "empty: {}\nnone: []\nlist:\n- name: x\n  port: 80\n- false\n- null\n"
                                    "config: |\n  a: 1\n  b: [2]\nquoted: \"plain\"\n\"8080\": key is quoted\n"
                                    "long: %s\n",
                                    longline);
    assert_string_equal(write1(a, m), want);
    /* Multi-document stream. */
    const Data *docs[2] = {m, s};
    const char *out, *err;
    size_t len;
    assert_true(yaml_write(a, docs, 2, &out, &len, &err));
    assert_non_null(strstr(out, "\n---\n- name: x\n"));
    assert_true(strncmp(out, "empty: {}", 9) == 0);
    arena_free(a);
}

typedef struct Ctx {
    Arena *a;
    SourceMap sm;
    DiagSink diags;
} Ctx;

static int read_text(Ctx *c, const char *text, Data ***docs)
{
    c->a = arena_new();
    source_map_init(&c->sm, c->a);
    diag_init(&c->diags, &c->sm, c->a);
    SourceFile *f = source_add(&c->sm, "values.yaml", text, strlen(text));
    return yaml_read(c->a, f, docs, &c->diags);
}

/* yaml_write_to remembers plain keys by address across documents: a key whose memory now holds
 * another text (one that must be quoted, a shorter and a longer one) is written as that text. */
static void test_key_cache_reused_address(void **state)
{
    (void)state;
    Arena *a = arena_new();
    YamlOut out = {0};
    char key[16] = "name";
    static const struct {
        const char *text, *yaml;
    } cases[] = {
        {"name", "name: x\n"}, {"name", "name: x\n"}, {"yes", "\"yes\": x\n"},
        {"nam", "nam: x\n"},   {"names", "names: x\n"}, {"8080", "\"8080\": x\n"},
        {"names", "names: x\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        strcpy(key, cases[i].text);
        Data *doc = data_map(a);
        data_append(doc, key, data_str(a, "x"));
        assert_true(yaml_write_to(&out, doc));
        assert_string_equal(out.text, cases[i].yaml);
        assert_int_equal(out.len, strlen(cases[i].yaml));
    }
    yaml_out_free(&out);
    arena_free(a);
}

static void test_read_scalars(void **state)
{
    (void)state;
    Ctx c;
    Data **docs;
    assert_int_equal(read_text(&c, "a: 1\nb: true\nc: ~\nd: 1.5\ne: '8080'\nf: hello\ng: 0x10\n"
                                   "h: yes\ni: \"true\"\nj:\nk: -7\nl: 1e3\n",
                               &docs), 1);
    Data *d = docs[0];
    assert_int_equal(data_get(d, "a")->kind, DATA_INT);
    assert_true(data_get(d, "b")->u.b);
    assert_int_equal(data_get(d, "c")->kind, DATA_NULL);
    assert_int_equal(data_get(d, "d")->kind, DATA_FLOAT);
    assert_true(data_get(d, "d")->u.f == 1.5);
    assert_string_equal(data_get(d, "e")->u.str.s, "8080");
    assert_string_equal(data_get(d, "f")->u.str.s, "hello");
    assert_int_equal(data_get(d, "g")->u.i, 16);
    assert_string_equal(data_get(d, "h")->u.str.s, "yes"); /* 1.2 core: not a bool */
    assert_int_equal(data_get(d, "i")->kind, DATA_STR);
    assert_int_equal(data_get(d, "j")->kind, DATA_NULL);
    assert_int_equal(data_get(d, "k")->u.i, -7);
    assert_int_equal(data_get(d, "l")->kind, DATA_FLOAT);
    assert_false(diag_has_errors(&c.diags));
    arena_free(c.a);
}

/* Infinite and NaN floats are written in YAML's spelling and read back as floats (the writer
 * fuzzer found -inf written as "-inf", which reads back as a string). */
static void test_float_specials_round_trip(void **state)
{
    (void)state;
    Ctx c;
    Data **docs;
    assert_int_equal(read_text(&c, "a: -.inf\nb: .inf\nc: .nan\n", &docs), 1);
    size_t len;
    const char *text = yaml_write_one(c.a, docs[0], &len);
    assert_string_equal(text, "a: -.inf\nb: .inf\nc: .nan\n");
    Ctx c2;
    Data **again;
    assert_int_equal(read_text(&c2, text, &again), 1);
    assert_int_equal(data_get(again[0], "a")->kind, DATA_FLOAT);
    assert_true(data_get(again[0], "a")->u.f < 0 && isinf(data_get(again[0], "a")->u.f));
    assert_true(isinf(data_get(again[0], "b")->u.f));
    assert_true(isnan(data_get(again[0], "c")->u.f));
    arena_free(c2.a);
    arena_free(c.a);
}

static void test_round_trip(void **state)
{
    (void)state;
    Arena *a = arena_new();
    Data *root = data_map(a);
    data_set_path(a, root, "nodes.replicas", data_int(a, 3));
    data_set_path(a, root, "nodes.image.tag", data_str(a, "1.2.0"));
    data_set_path(a, root, "nodes.enabled", data_bool(a, true));
    data_set_path(a, root, "weird.keys", data_str(a, "yes"));
    data_set_path(a, root, "empty.str", data_str(a, ""));
    data_set_path(a, root, "empty.map", data_map(a));
    Data *seq = data_set_path(a, root, "list", data_seq(a)) ? data_path(root, "list") : NULL;
    data_push(seq, data_str(a, "null"));
    data_push(seq, data_int(a, -42));
    data_push(seq, data_null(a));
    Data *inner = data_push(seq, data_map(a));
    data_put(a, inner, "true", data_str(a, "multi\nline\n"));
    data_put(a, inner, "f", data_str(a, "1:2"));
    Data *lit = data_put(a, inner, "cfg", data_str(a, "x: 1\n"));
    lit->style = STYLE_LITERAL;
    const char *text = write1(a, root);
    Ctx c;
    Data **docs;
    assert_int_equal(read_text(&c, text, &docs), 1);
    assert_true(data_equal(docs[0], root));
    /* Writing what was read gives the same bytes. */
    assert_string_equal(write1(c.a, docs[0]), text);
    arena_free(c.a);
    arena_free(a);
}

static void test_aliases_and_multi_docs(void **state)
{
    (void)state;
    Ctx c;
    Data **docs;
    assert_int_equal(read_text(&c, "base: &b {x: 1, y: [1, 2]}\nuse: *b\n---\n- 1\n---\nplain\n", &docs), 3);
    assert_true(data_equal(data_get(docs[0], "base"), data_get(docs[0], "use")));
    assert_ptr_not_equal(data_get(docs[0], "base"), data_get(docs[0], "use"));
    assert_int_equal(docs[1]->kind, DATA_SEQ);
    assert_string_equal(docs[2]->u.str.s, "plain");
    arena_free(c.a);
    assert_int_equal(read_text(&c, "", &docs), 0);
    arena_free(c.a);
}

static void test_alias_bomb(void **state)
{
    (void)state;
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    Ctx c;
    Data **docs;
    assert_int_equal(read_text(&c, bomb, &docs), -1);
    assert_true(diag_has_errors(&c.diags));
    assert_non_null(strstr(c.diags.head->message, "alias"));
    arena_free(c.a);
}

/* A document of more than a million nodes read from the text itself (a `kubectl get -A` dump of
 * 100 000 objects has tens of millions): the budget grows with the text, aliases keep theirs. */
static void test_large_document(void **state)
{
    (void)state;
    enum { ITEMS = 1100000 };
    char *text = malloc(ITEMS * 4 + 1);
    assert_non_null(text);
    for (size_t i = 0; i < ITEMS; i++)
        memcpy(text + i * 4, "- 0\n", 4);
    text[ITEMS * 4] = '\0';
    Ctx c;
    Data **docs;
    assert_int_equal(read_text(&c, text, &docs), 1);
    assert_int_equal(docs[0]->u.kids.count, ITEMS);
    arena_free(c.a);
    free(text);
}

static void test_errors_located(void **state)
{
    (void)state;
    Ctx c;
    Data **docs;
    assert_int_equal(read_text(&c, "a: 1\nb: 2\na: 3\n", &docs), -1);
    assert_string_equal(c.diags.head->message, "duplicate key 'a'");
    uint32_t line, col;
    source_linecol(source_get(&c.sm, 0), c.diags.head->span.start, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 1);
    arena_free(c.a);

    assert_int_equal(read_text(&c, "a: 1\nb: [1, 2\nc: 3\n", &docs), -1);
    assert_non_null(strstr(c.diags.head->message, "invalid YAML"));
    source_linecol(source_get(&c.sm, 0), c.diags.head->span.start, &line, &col);
    assert_true(line >= 2);
    arena_free(c.a);

    assert_int_equal(read_text(&c, "x: *nope\n", &docs), -1);
    assert_true(diag_has_errors(&c.diags));
    arena_free(c.a);

    assert_int_equal(read_text(&c, "? [a]\n: 1\n", &docs), -1);
    assert_non_null(strstr(c.diags.head->message, "scalar mapping keys"));
    arena_free(c.a);
}

static void test_data_merge_and_truth(void **state)
{
    (void)state;
    Arena *a = arena_new();
    Ctx c1, c2;
    Data **dst, **src, **want;
    assert_int_equal(read_text(&c1, "a: {x: 1, y: 2, z: {k: v}}\nl: [1, 2]\nkeep: 1\ndrop: 5\n", &dst), 1);
    assert_int_equal(read_text(&c2, "a: {y: 3, z: {k2: v2}}\nl: [9]\ndrop: null\nnew: s\n", &src), 1);
    data_merge(c1.a, dst[0], src[0]);
    Ctx c3;
    assert_int_equal(read_text(&c3, "a: {x: 1, y: 3, z: {k: v, k2: v2}}\nl: [9]\nkeep: 1\nnew: s\n", &want), 1);
    assert_true(data_equal(dst[0], want[0]));
    assert_string_equal(write1(a, dst[0]), "a:\n  x: 1\n  \"y\": 3\n  z:\n    k: v\n    k2: v2\nl:\n- 9\nkeep: 1\nnew: s\n");
    assert_false(data_equal(dst[0], src[0]));
    /* Paths. */
    assert_int_equal(data_path(dst[0], "a.z.k2")->kind, DATA_STR);
    assert_null(data_path(dst[0], "a.z.nope"));
    assert_null(data_path(dst[0], "keep.x"));
    assert_true(data_set_path(a, dst[0], "keep.x", data_int(a, 1))); /* scalar replaced by a map */
    assert_int_equal(data_path(dst[0], "keep.x")->u.i, 1);
    assert_false(data_set_path(a, dst[0], "a..b", data_int(a, 1)));
    /* Truth. */
    assert_false(data_truthy(data_str(a, "")));
    assert_true(data_truthy(data_str(a, "0")));
    assert_false(data_truthy(data_int(a, 0)));
    assert_false(data_truthy(data_map(a)));
    assert_false(data_truthy(data_null(a)));
    assert_false(data_truthy(NULL));
    assert_true(data_truthy(data_get(dst[0], "l")));
    arena_free(c1.a);
    arena_free(c2.a);
    arena_free(c3.a);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting_table),     cmocka_unit_test(test_layout),
        cmocka_unit_test(test_read_scalars),      cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_aliases_and_multi_docs), cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_large_document),    cmocka_unit_test(test_float_specials_round_trip),
        cmocka_unit_test(test_errors_located),    cmocka_unit_test(test_data_merge_and_truth),
        cmocka_unit_test(test_key_cache_reused_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
