/* test_template.c - the IR printed as Helm templates: references, conditions, repeats, joins,
 * images, multi-line literals in maps and sequences, YAML defines and Helm's chart label. The
 * rendering itself is proven equal to the manifests by tests/chart; these pin the printer's text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emit/template.h"

typedef struct Fx {
    Arena *a;
    IrCluster *c;
    IrObject *o;
    TemplatePrinter *p;
} Fx;

static int setup(void **state)
{
    Fx *fx = calloc(1, sizeof *fx);
    fx->a = arena_new();
    fx->c = ir_cluster_new(fx->a, "demo", "demo-ns");
    ir_knob(fx->a, fx->c, "x.enabled", KNOB_BOOL, data_bool(fx->a, true), "switch");
    ir_knob(fx->a, fx->c, "x.replicas", KNOB_INT, data_int(fx->a, 3), "count");
    ir_knob(fx->a, fx->c, "x.name", KNOB_STRING, data_str(fx->a, "n"), "name");
    fx->o = ir_object(fx->a, fx->c, "x/thing.yaml", "x", "v1", "ConfigMap", "thing", NULL);
    fx->p = template_printer_new(fx->a, fx->c, "demo");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    arena_free(fx->a);
    free(fx);
    return 0;
}

static const Knob *knob(Fx *fx, const char *path)
{
    return ir_find_knob(fx->c, path);
}

static void test_refs_conditions_and_labels(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    IrNode *md = ir_put(a, fx->o->root, "metadata", ir_map(a));
    IrNode *labels = ir_put(a, md, "labels", ir_map(a));
    ir_put(a, labels, "app", ir_str(a, "x"));
    ir_put(a, fx->o->root, "replicas", ir_ref(a, knob(fx, "x.replicas")));
    ir_when(a, ir_put(a, fx->o->root, "name", ir_ref(a, knob(fx, "x.name"))),
            ir_cond_not(a, ir_cond_knob(a, knob(fx, "x.enabled"))));
    assert_string_equal(template_object(fx->p, fx->o),
                        "metadata:\n"
                        "  labels:\n"
                        "    app: x\n"
                        "    helm.sh/chart: {{ include \"demo.chart\" $ }}\n"
                        "replicas: {{ $.Values.x.replicas }}\n"
                        "{{- if (not $.Values.x.enabled) }}\n"
                        "name: {{ $.Values.x.name | quote }}\n"
                        "{{- end }}\n");
}

static void test_repeat_and_join(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    IrNode *body = ir_expr(a, EXPR_CONCAT, ir_chain(ir_str(a, "m-"), ir_index(a), NULL));
    ir_put(a, fx->o->root, "members",
           ir_expr(a, EXPR_REPEAT, ir_chain(ir_ref(a, knob(fx, "x.replicas")), body, NULL)));
    IrNode *body2 = ir_expr(a, EXPR_CONCAT, ir_chain(ir_str(a, "m-"), ir_index(a), NULL));
    IrNode *rep = ir_expr(a, EXPR_REPEAT, ir_chain(ir_ref(a, knob(fx, "x.replicas")), body2, NULL));
    ir_put(a, fx->o->root, "joined", ir_expr(a, EXPR_JOIN, ir_chain(ir_str(a, ","), rep, NULL)));
    assert_string_equal(template_object(fx->p, fx->o),
                        "{{- if gt (int $.Values.x.replicas) 0 }}\n"
                        "members:\n"
                        "{{- range $i := until (int $.Values.x.replicas) }}\n"
                        "- {{ (printf \"%v%v\" \"m-\" $i) | quote }}\n"
                        "{{- end }}\n"
                        "{{- else }}\n"
                        "members: []\n" /* zero repetitions: the empty list the manifests have */
                        "{{- end }}\n"
                        "joined: {{ $j1 := list }}{{ range $i := until (int $.Values.x.replicas) }}"
                        "{{ $j1 = append $j1 (printf \"%v%v\" \"m-\" $i) }}{{ end }}{{ join \",\" $j1 | quote }}\n");
}

static void test_multi_line_literals_keep_their_indentation(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    IrNode *spec = ir_put(a, fx->o->root, "spec", ir_map(a));
    IrNode *script = ir_str(a, "set -e\necho ok\n");
    script->style = STYLE_LITERAL;
    IrNode *cmd = ir_put(a, spec, "command", ir_seq(a));
    ir_push(cmd, ir_str(a, "/bin/sh"));
    ir_push(cmd, script);
    IrNode *text = ir_str(a, "a\nb\n");
    text->style = STYLE_LITERAL;
    ir_put(a, spec, "text", text);
    assert_string_equal(template_object(fx->p, fx->o),
                        "spec:\n"
                        "  command:\n"
                        "  - /bin/sh\n"
                        "  - |\n"
                        "    set -e\n"
                        "    echo ok\n"
                        "  text: |\n"
                        "    a\n"
                        "    b\n");
}

static void test_yaml_subtree_becomes_a_define(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    IrNode *cfg = ir_map(a);
    ir_put(a, cfg, "count", ir_ref(a, knob(fx, "x.replicas")));
    ir_put(a, cfg, "ns", ir_expr(a, EXPR_NAMESPACE, NULL));
    IrNode *data = ir_put(a, fx->o->root, "data", ir_map(a));
    ir_put(a, data, "config.yaml", ir_expr(a, EXPR_YAML, cfg));
    assert_string_equal(template_object(fx->p, fx->o),
                        "data:\n"
                        "  config.yaml: |\n"
                        "    {{- (include \"demo.yaml.1\" $) | nindent 4 }}\n");
    const TemplateDefine *d = template_defines(fx->p);
    assert_non_null(d);
    assert_string_equal(d->name, "demo.yaml.1");
    assert_string_equal(d->body, "count: {{ $.Values.x.replicas }}\nns: {{ $.Release.Namespace | quote }}");
    assert_null(d->next);
}

/* Templates share the printer's output blocks: each one stays intact while later ones are printed,
 * also when one overflows a block, and a YAML subtree printed twice is defined once. */
static void test_templates_stay_valid_across_blocks(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    IrNode *data = ir_put(a, fx->o->root, "data", ir_map(a));
    for (int i = 0; i < 3000; i++) /* ~40 KB of text: two of them do not fit one 64 KB block */
        ir_put(a, data, arena_printf(a, "key-%04d", i), ir_str(a, i % 2 ? "value with : colon" : "plain"));
    IrNode *cfg = ir_map(a);
    ir_put(a, cfg, "count", ir_int(a, 1));
    ir_put(a, fx->o->root, "cfg", ir_expr(a, EXPR_SHA256, ir_expr(a, EXPR_YAML, cfg)));
    const char *texts[4];
    for (int i = 0; i < 4; i++)
        texts[i] = arena_strdup(a, template_object(fx->p, fx->o));
    const char *again[4];
    for (int i = 0; i < 4; i++)
        again[i] = template_object(fx->p, fx->o);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(again[i], texts[0]);
        assert_string_equal(texts[i], texts[0]);
    }
    assert_non_null(strstr(texts[0], "  key-0001: \"value with : colon\"\n  key-0002: plain\n"));
    assert_non_null(strstr(texts[0], "cfg: {{ (sha256sum (printf \"%s\\n\" (include \"demo.yaml.1\" $))) | quote }}\n"));
    const TemplateDefine *d = template_defines(fx->p);
    assert_string_equal(d->body, "count: 1");
    assert_null(d->next);
}

/* The printer copies cached texts (keys, literals, references, "{{- if }}" lines) in fixed-size
 * pieces and indents with fixed-size stores: texts and indentation past those sizes (16/32
 * bytes, 32 columns), printed once and again from the caches, give the same text as short ones
 * would, inside the room each line reserves. */
static void test_long_keys_values_conditions_and_deep_indentation(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    static const char key[] = "a-key-that-is-longer-than-thirty-two-bytes-and-sixty-four-bytes-too-padding";
    static const char val[] = "a value longer than the sixteen and thirty-two byte copies: with colon";
    static const char lit[] = "a-plain-value-of-more-than-thirty-two-bytes-and-then-some";
    ir_knob(a, fx->c, "x.a.rather.long.path.to.a.knob.that.makes.long.references", KNOB_STRING,
            data_str(a, "s"), "long");
    const Knob *lk = knob(fx, "x.a.rather.long.path.to.a.knob.that.makes.long.references");
    const IrCond *cond = ir_cond_and(a, ir_cond_eq(a, knob(fx, "x.name"), "a literal \"quoted\" and long enough"),
                                     ir_cond_not(a, ir_cond_knob(a, knob(fx, "x.enabled"))));
    IrNode *m = fx->o->root;
    for (int depth = 0; depth < 20; depth++) /* 40 columns deep at the innermost map */
        m = ir_put(a, m, "d", ir_map(a));
    for (int i = 0; i < 2; i++) { /* the second time from the caches */
        IrNode *e = ir_put(a, m, key, ir_str(a, val));
        ir_when(a, e, cond);
        ir_put(a, m, key, ir_str(a, lit));
        ir_when(a, ir_put(a, m, "ref", ir_ref(a, lk)), cond);
        IrNode *seq = ir_put(a, m, key, ir_seq(a));
        ir_when(a, ir_push(seq, ir_str(a, lit)), cond);
        ir_push(seq, ir_ref(a, lk));
    }
    char ind[41];
    memset(ind, ' ', 40);
    ind[40] = '\0';
    char *want = arena_strdup(a, "");
    for (int depth = 0; depth < 20; depth++)
        want = arena_printf(a, "%s%.*sd:\n", want, 2 * depth, ind);
    const char *if_line = "{{- if (and (eq (toString $.Values.x.name) \"a literal \\\"quoted\\\" and long enough\") "
                          "(not $.Values.x.enabled)) }}\n";
    /* Keys and values of every length around the copies' sizes, in a map 40 columns deep. */
    static const int lengths[] = {1, 7, 8, 15, 16, 17, 24, 31, 32, 33, 47, 48, 49, 64, 65, 100};
    enum { NLEN = sizeof lengths / sizeof *lengths };
    const char *texts[NLEN];
    for (int i = 0; i < NLEN; i++) {
        char *t = arena_alloc(a, (size_t)lengths[i] + 1);
        for (int j = 0; j < lengths[i]; j++)
            t[j] = (char)('a' + (i + j) % 26);
        t[lengths[i]] = '\0';
        texts[i] = t;
    }
    IrNode *sized = ir_put(a, m, "sized", ir_map(a));
    for (int i = 0; i < NLEN; i++)
        for (int j = 0; j < NLEN; j++)
            ir_put(a, sized, texts[i], ir_str(a, texts[j]));
    for (int i = 0; i < 2; i++)
        want = arena_printf(a,
                            "%s"
                            "%s%s" "%s%s: \"%s\"\n" "%s{{- end }}\n"
                            "%s%s: %s\n"
                            "%s%s" "%sref: {{ $.Values.x.a.rather.long.path.to.a.knob.that.makes.long.references | quote }}\n"
                            "%s{{- end }}\n"
                            "%s%s:\n"
                            "%s%s" "%s- %s\n" "%s{{- end }}\n"
                            "%s- {{ $.Values.x.a.rather.long.path.to.a.knob.that.makes.long.references | quote }}\n",
                            want, ind, if_line, ind, key, val, ind, ind, key, lit, ind, if_line, ind, ind, ind, key, ind,
                            if_line, ind, lit, ind, ind);
    want = arena_printf(a, "%s%ssized:\n", want, ind);
    for (int i = 0; i < NLEN; i++)
        for (int j = 0; j < NLEN; j++)
            want = arena_printf(a, "%s%s  %s: %s\n", want, ind, texts[i], texts[j]);
    assert_string_equal(template_object(fx->p, fx->o), want);
}

/* An operand printed before as an `if` line is copied from that line (the condition cache): the
 * text is the same as printed whole, as an operand of NOT, AND and OR, nested, long or short, and
 * when the operand's own line was never printed. */
static void test_conditions_reuse_printed_operands(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    const IrCond *on = ir_cond_knob(a, knob(fx, "x.enabled"));
    const IrCond *eq = ir_cond_eq(a, knob(fx, "x.name"), "a \"quoted\" literal, long enough for two copies");
    const IrCond *both = ir_cond_and(a, on, eq);
    const IrCond *unseen = ir_cond_not(a, on); /* never an `if` line of its own */
    IrNode *root = fx->o->root;
    ir_when(a, ir_put(a, root, "one", ir_str(a, "a")), on);
    ir_when(a, ir_put(a, root, "two", ir_str(a, "b")), both);
    ir_when(a, ir_put(a, root, "three", ir_str(a, "c")), ir_cond_or(a, ir_cond_not(a, both), unseen));
    ir_when(a, ir_put(a, root, "four", ir_str(a, "d")), ir_cond_and(a, ir_cond_or(a, eq, on), both));
    const char *t_on = "$.Values.x.enabled";
    const char *t_eq = "(eq (toString $.Values.x.name) \"a \\\"quoted\\\" literal, long enough for two copies\")";
    const char *t_both = arena_printf(a, "(and %s %s)", t_on, t_eq);
    const char *want = arena_printf(a,
                                    "{{- if %s }}\none: a\n{{- end }}\n"
                                    "{{- if %s }}\ntwo: b\n{{- end }}\n"
                                    "{{- if (or (not %s) (not %s)) }}\nthree: c\n{{- end }}\n"
                                    "{{- if (and (or %s %s) %s) }}\nfour: d\n{{- end }}\n",
                                    t_on, t_both, t_both, t_on, t_eq, t_on, t_both);
    assert_string_equal(template_object(fx->p, fx->o), want);
}

/* A `|` block concatenated from literal text and the release name (the dashboard JSON) is
 * assembled in the output buffer past the template and moved down into place: its text is the
 * one literal of the same text (the actions spelled out) would print, whether the block fits the
 * buffer's room or not (~200 KB: it does not), at any indentation, and for non-ASCII text (the
 * writer's general path). */
static void test_concatenated_blocks(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    static const size_t sizes[] = {10, 20000, 200000};
    static const char *const tails[] = {"}\n", "tail without a break", "caf\xc3\xa9\n"};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
            char *body = arena_alloc(a, sizes[s] + 1);
            for (size_t i = 0; i < sizes[s]; i++)
                body[i] = i % 40 == 39 ? '\n' : (char)('a' + i % 26);
            const char *rest = arena_concat(a, body, tails[t], (char *)NULL);
            IrObject *cat = ir_object(a, fx->c, "x/cat.yaml", "x", "v1", "ConfigMap", "cat", NULL);
            IrObject *lit = ir_object(a, fx->c, "x/lit.yaml", "x", "v1", "ConfigMap", "lit", NULL);
            IrNode *cm = ir_put(a, ir_put(a, cat->root, "data", ir_map(a)), "more", ir_map(a));
            IrNode *lm = ir_put(a, ir_put(a, lit->root, "data", ir_map(a)), "more", ir_map(a));
            ir_put(a, cm, "json", ir_expr(a, EXPR_CONCAT,
                                          ir_chain(ir_str(a, "{\n  \"uid\": \""),
                                                   ir_expr(a, EXPR_RELEASE_NAME, ir_int(a, 32)), ir_str(a, "\",\n"),
                                                   ir_expr(a, EXPR_RELEASE_NAME, NULL), ir_str(a, rest), NULL)))
                ->style = STYLE_LITERAL;
            const char *same = arena_concat(a, "{\n  \"uid\": \"{{ ($.Release.Name | trunc 32) }}\",\n",
                                            "{{ $.Release.Name }}", rest, (char *)NULL);
            ir_put(a, lm, "json", ir_str(a, same))->style = STYLE_LITERAL;
            ir_put(a, cm, "after", ir_str(a, "x"));
            ir_put(a, lm, "after", ir_str(a, "x"));
            const char *want = arena_strdup(a, template_object(fx->p, lit));
            assert_non_null(strstr(want, "    json: |"));
            assert_string_equal(template_object(fx->p, cat), want);
        }
}

/* The release's namespace and name as values and items (constant lines), with `trunc` when the
 * name has a length limit. */
static void test_release_name_and_namespace(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    ir_put(a, fx->o->root, "namespace", ir_expr(a, EXPR_NAMESPACE, NULL));
    ir_put(a, fx->o->root, "name", ir_expr(a, EXPR_RELEASE_NAME, NULL));
    ir_put(a, fx->o->root, "short", ir_expr(a, EXPR_RELEASE_NAME, ir_int(a, 32)));
    IrNode *seq = ir_put(a, fx->o->root, "items", ir_seq(a));
    ir_push(seq, ir_expr(a, EXPR_RELEASE_NAME, NULL));
    ir_push(seq, ir_expr(a, EXPR_NAMESPACE, NULL));
    assert_string_equal(template_object(fx->p, fx->o),
                        "namespace: {{ $.Release.Namespace | quote }}\n"
                        "name: {{ $.Release.Name | quote }}\n"
                        "short: {{ ($.Release.Name | trunc 32) | quote }}\n"
                        "items:\n"
                        "- {{ $.Release.Name | quote }}\n"
                        "- {{ $.Release.Namespace | quote }}\n");
}

/* Go string literals (a condition's literal) of every length around the 8-byte words, with a
 * byte to escape at every position or none: equal to escaping byte by byte. */
static void test_go_strings(void **state)
{
    Fx *fx = *state;
    Arena *a = fx->a;
    static const char specials[] = {'"', '\\', '\n', '\t', '\x01', 'x', '\xc3'};
    for (size_t len = 0; len <= 20; len++)
        for (size_t at = 0; at <= len; at++) /* at == len: nothing to escape (or a non-ASCII byte) */
            for (size_t k = 0; k < sizeof specials; k++) {
                char *lit = arena_alloc(a, len + 1);
                for (size_t i = 0; i < len; i++)
                    lit[i] = (char)('a' + i % 26);
                if (at < len)
                    lit[at] = specials[k];
                char *want = arena_alloc(a, 4 * len + 64), *w = want;
                w += sprintf(w, "(eq (toString $.Values.x.name) \"");
                for (size_t i = 0; i < len; i++) {
                    unsigned char c = (unsigned char)lit[i];
                    if (c == '"' || c == '\\')
                        w += sprintf(w, "\\%c", c);
                    else if (c == '\n')
                        w += sprintf(w, "\\n");
                    else if (c < 0x20)
                        w += sprintf(w, "\\x%02x", c);
                    else
                        *w++ = (char)c;
                }
                sprintf(w, "\")");
                assert_string_equal(template_cond(fx->p, ir_cond_eq(a, knob(fx, "x.name"), lit)), want);
            }
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_refs_conditions_and_labels),
        T(test_repeat_and_join),
        T(test_multi_line_literals_keep_their_indentation),
        T(test_yaml_subtree_becomes_a_define),
        T(test_templates_stay_valid_across_blocks),
        T(test_long_keys_values_conditions_and_deep_indentation),
        T(test_conditions_reuse_printed_operands),
        T(test_concatenated_blocks),
        T(test_release_name_and_namespace),
        T(test_go_strings),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
