/* template.c - the IR printed as Helm templates (see template.h).
 *
 * Layout mirrors what libyaml writes for the evaluated tree (2-space maps, sequences not indented
 * under their key), so a YAML subtree printed here renders to exactly the bytes the manifest
 * emitter produces. Conditional entries use the usual Helm idiom: `{{- if X }}` on its own line at
 * the entry's indentation; the left trim eats the preceding newline, so nothing is left behind.
 * Every value reference is rooted at `$` so it also works inside `range`. Scalars the template
 * computes are piped through `quote` (strings) and literals are quoted by libyaml itself. */
#include "emit/template.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "support/strbuf.h"
#include "yaml/yamlio.h"

struct TemplatePrinter {
    Arena *a;
    const IrCluster *c;
    const char *chart;           /* chart name: prefix of the defines */
    TemplateDefine *defines, *defines_tail;
    int ndefines, nvars;
    bool in_define;              /* printing a YAML subtree: strings always double-quoted */
};

TemplatePrinter *template_printer_new(Arena *a, const IrCluster *c, const char *chart_name)
{
    TemplatePrinter *p = ARENA_NEW(a, TemplatePrinter);
    p->a = a;
    p->c = c;
    p->chart = chart_name;
    return p;
}

const TemplateDefine *template_defines(const TemplatePrinter *p)
{
    return p->defines;
}

/* Where a map sits, so the chart can add Helm's label to each object's metadata.labels. */
typedef enum Hook { HOOK_NONE, HOOK_ROOT, HOOK_METADATA, HOOK_LABELS } Hook;

static void print_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent, Hook hook);
static void print_items(TemplatePrinter *p, StrBuf *b, const IrNode *seq, int indent);
static const char *pipeline(TemplatePrinter *p, const IrNode *n);

/* ---- literals through libyaml ------------------------------------------------------------- */

/* How libyaml writes `d` as a mapping value: "key: <this>". */
static const char *yaml_inline(TemplatePrinter *p, Data *d)
{
    Data *m = data_map(p->a);
    data_put(p->a, m, "k", d);
    size_t len;
    const char *text = yaml_write_one(p->a, m, &len);
    while (len && text[len - 1] == '\n')
        len--;
    return arena_strndup(p->a, text + 3, len >= 3 ? len - 3 : 0);
}

/* True when libyaml writes `key` plain and unchanged: letter first, then letters, digits and
 * `_-./` only, not a YAML 1.1 boolean/null word, short enough to stay a simple key. Most
 * Kubernetes keys (`apiVersion`, `app.kubernetes.io/name`) are, and this spares a whole emitter
 * per key - the chart printer's main cost (bench/README.md). Anything else goes through libyaml. */
static bool key_is_plain(const char *key)
{
    static const char *const words[] = {"y", "yes", "n", "no", "true", "false", "on", "off", "null", NULL};
    size_t n = strlen(key);
    if (n == 0 || n > 100 || !((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z')))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./", key[i]))
            return false;
    for (const char *const *w = words; *w; w++)
        if (strcasecmp(key, *w) == 0)
            return false;
    return true;
}

static const char *yaml_key(TemplatePrinter *p, const char *key)
{
    if (key_is_plain(key))
        return key;
    Data *m = data_map(p->a);
    data_put(p->a, m, key, data_int(p->a, 0));
    size_t len;
    const char *text = yaml_write_one(p->a, m, &len);
    const char *colon = strstr(text, ": 0");
    return arena_strndup(p->a, text, colon ? (size_t)(colon - text) : strlen(key));
}

static const char *literal(TemplatePrinter *p, const IrNode *n)
{
    switch (n->kind) {
    case IR_STR: {
        /* The same plain-word fast path as keys: libyaml would print it unchanged. */
        if (!p->in_define && n->style == STYLE_AUTO && key_is_plain(n->u.str))
            return n->u.str;
        Data *d = data_str(p->a, n->u.str);
        d->style = p->in_define ? STYLE_QUOTED : n->style;
        return yaml_inline(p, d);
    }
    case IR_INT: return arena_printf(p->a, "%" PRId64, n->u.i);
    case IR_BOOL: return n->u.b ? "true" : "false";
    case IR_NULL:
    case IR_MAP:
    case IR_SEQ:
    case IR_REF:
    case IR_EXPR:
    case IR_INDEX: return "null";
    }
    return "null";
}

/* A Go string literal (Go escapes are a superset of what we need). */
static const char *go_string(TemplatePrinter *p, const char *s)
{
    StrBuf b;
    strbuf_init(&b, p->a);
    strbuf_addc(&b, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            strbuf_addc(&b, '\\'), strbuf_addc(&b, (char)ch);
        else if (ch == '\n')
            strbuf_add(&b, "\\n");
        else if (ch < 0x20)
            strbuf_printf(&b, "\\x%02x", ch);
        else
            strbuf_addc(&b, (char)ch);
    }
    strbuf_addc(&b, '"');
    return strbuf_str(&b);
}

/* ---- expressions -------------------------------------------------------------------------- */

static const char *values_ref(TemplatePrinter *p, const Knob *k)
{
    return arena_printf(p->a, "$.Values.%s", k->path);
}

const char *template_cond(TemplatePrinter *p, const IrCond *cond)
{
    switch (cond->op) {
    case COND_TRUE_KNOB: return values_ref(p, cond->knob);
    case COND_NOT: return arena_printf(p->a, "(not %s)", template_cond(p, cond->a));
    case COND_AND:
        return arena_printf(p->a, "(and %s %s)", template_cond(p, cond->a), template_cond(p, cond->b));
    case COND_OR:
        return arena_printf(p->a, "(or %s %s)", template_cond(p, cond->a), template_cond(p, cond->b));
    case COND_EQ:
        return arena_printf(p->a, "(eq (toString %s) %s)", values_ref(p, cond->knob),
                            go_string(p, cond->literal));
    }
    return "false";
}

static bool knob_is_text(const Knob *k)
{
    return k->type != KNOB_INT && k->type != KNOB_BOOL;
}

/* Registers a YAML subtree as a named template (deduplicated by text) and returns its name. */
static const char *define_yaml(TemplatePrinter *p, const IrNode *subtree)
{
    StrBuf b;
    strbuf_init(&b, p->a);
    bool saved = p->in_define;
    p->in_define = true;
    if (subtree->kind == IR_MAP)
        print_map(p, &b, subtree, 0, HOOK_NONE);
    p->in_define = saved;
    const char *body = strbuf_str(&b);
    size_t len = strlen(body);
    if (len && body[len - 1] == '\n')
        body = arena_strndup(p->a, body, len - 1);
    for (TemplateDefine *d = p->defines; d; d = d->next)
        if (strcmp(d->body, body) == 0)
            return d->name;
    TemplateDefine *d = ARENA_NEW(p->a, TemplateDefine);
    d->name = arena_printf(p->a, "%s.yaml.%d", p->chart, ++p->ndefines);
    d->body = body;
    if (p->defines_tail)
        p->defines_tail->next = d;
    else
        p->defines = d;
    p->defines_tail = d;
    return d->name;
}

/* A template pipeline (no braces) computing node `n`'s value. */
static const char *pipeline(TemplatePrinter *p, const IrNode *n)
{
    const IrNode *a = n->kind == IR_EXPR ? n->u.expr.args : NULL;
    switch (n->kind) {
    case IR_STR: return go_string(p, n->u.str);
    case IR_INT: return arena_printf(p->a, "%" PRId64, n->u.i);
    case IR_BOOL: return n->u.b ? "true" : "false";
    case IR_NULL: return "nil";
    case IR_REF: return values_ref(p, n->u.ref);
    case IR_INDEX: return "$i";
    case IR_MAP:
    case IR_SEQ: return "nil";
    case IR_EXPR: break;
    }
    switch (n->u.expr.op) {
    case EXPR_CONCAT: {
        StrBuf fmt, args;
        strbuf_init(&fmt, p->a);
        strbuf_init(&args, p->a);
        for (const IrNode *x = a; x; x = x->next) {
            strbuf_add(&fmt, "%v");
            strbuf_addc(&args, ' ');
            strbuf_add(&args, pipeline(p, x));
        }
        return arena_printf(p->a, "(printf \"%s\"%s)", strbuf_str(&fmt), strbuf_str(&args));
    }
    case EXPR_IMAGE: {
        const IrNode *reg = a, *ireg = reg->next, *repo = ireg->next, *tag = repo->next;
        return arena_printf(p->a, "(include \"%s.image\" (list %s %s %s %s))", p->chart, pipeline(p, reg),
                            pipeline(p, ireg), pipeline(p, repo), pipeline(p, tag));
    }
    case EXPR_YAML: return arena_printf(p->a, "(include \"%s\" $)", define_yaml(p, a));
    case EXPR_SHA256:
        /* Named YAML templates drop the final newline the manifest text has: add it back. */
        if (a->kind == IR_EXPR && a->u.expr.op == EXPR_YAML)
            return arena_printf(p->a, "(sha256sum (printf \"%%s\\n\" %s))", pipeline(p, a));
        return arena_printf(p->a, "(sha256sum (toString %s))", pipeline(p, a));
    case EXPR_NAMESPACE: return "$.Release.Namespace";
    case EXPR_JOIN:
    case EXPR_REPEAT: return "nil"; /* only in statement position (see inline_value) */
    }
    return "nil";
}

/* JOIN over a REPEAT, as actions on one line that leave only the joined text behind. */
static const char *inline_join(TemplatePrinter *p, const IrNode *join)
{
    const IrNode *sep = join->u.expr.args, *rep = sep->next;
    if (!rep || rep->kind != IR_EXPR || rep->u.expr.op != EXPR_REPEAT)
        return "null";
    const IrNode *count = rep->u.expr.args, *body = count->next;
    int v = ++p->nvars;
    return arena_printf(p->a,
                        "{{ $j%d := list }}{{ range $i := until (int %s) }}{{ $j%d = append $j%d %s }}"
                        "{{ end }}{{ join %s $j%d | quote }}",
                        v, pipeline(p, count), v, v, pipeline(p, body), pipeline(p, sep), v);
}

/* The text after "key: " (or "- ") for a scalar-valued node. */
static const char *inline_value(TemplatePrinter *p, const IrNode *n)
{
    switch (n->kind) {
    case IR_STR:
    case IR_INT:
    case IR_BOOL:
    case IR_NULL: return literal(p, n);
    case IR_REF:
        if (knob_is_text(n->u.ref))
            return arena_printf(p->a, "{{ %s | quote }}", values_ref(p, n->u.ref));
        return arena_printf(p->a, "{{ %s }}", values_ref(p, n->u.ref));
    case IR_INDEX: return "{{ $i }}";
    case IR_MAP:
    case IR_SEQ: return "null";
    case IR_EXPR: break;
    }
    if (n->u.expr.op == EXPR_JOIN)
        return inline_join(p, n);
    return arena_printf(p->a, "{{ %s | quote }}", pipeline(p, n));
}

/* ---- blocks ------------------------------------------------------------------------------- */

static bool is_repeat(const IrNode *n)
{
    return n->kind == IR_EXPR && n->u.expr.op == EXPR_REPEAT;
}

static bool is_list_ref(const IrNode *n)
{
    return n->kind == IR_REF && (n->u.ref->type == KNOB_STRING_LIST || n->u.ref->type == KNOB_OBJECT_LIST);
}

static void open_when(TemplatePrinter *p, StrBuf *b, const IrCond *when, int indent)
{
    if (!when)
        return;
    strbuf_indent(b, indent);
    strbuf_printf(b, "{{- if %s }}\n", template_cond(p, when));
}

static void close_when(StrBuf *b, const IrCond *when, int indent)
{
    if (!when)
        return;
    strbuf_indent(b, indent);
    strbuf_add(b, "{{- end }}\n");
}

static void print_repeat(TemplatePrinter *p, StrBuf *b, const IrNode *rep, int indent);

/* Writes a scalar after "key: " or "- " at `indent`. A multi-line literal (a `|` block such as the
 * dashboard JSON or a script) comes from libyaml indented for column 0: its continuation lines
 * are shifted to this entry's indentation. */
static void put_scalar(StrBuf *b, const char *v, int indent)
{
    for (const char *nl; (nl = strchr(v, '\n')); v = nl + 1) {
        strbuf_addn(b, v, (size_t)(nl - v + 1));
        if (nl[1])
            strbuf_indent(b, indent);
    }
    strbuf_printf(b, "%s\n", v);
}

/* "key:" followed by the value's block, or "key: value". */
static void print_entry(TemplatePrinter *p, StrBuf *b, const IrNode *e, int indent, Hook hook)
{
    const char *key = yaml_key(p, e->key);
    strbuf_indent(b, indent);
    if (e->kind == IR_MAP) {
        if (!e->u.kids.first) {
            strbuf_printf(b, "%s: {}\n", key);
            return;
        }
        strbuf_printf(b, "%s:\n", key);
        print_map(p, b, e, indent + 2, hook);
    } else if (e->kind == IR_SEQ) {
        if (!e->u.kids.first) {
            strbuf_printf(b, "%s: []\n", key);
            return;
        }
        strbuf_printf(b, "%s:\n", key);
        print_items(p, b, e, indent);
    } else if (is_repeat(e)) {
        strbuf_printf(b, "%s:\n", key);
        print_repeat(p, b, e, indent);
    } else if (is_list_ref(e) && p->in_define && e->u.ref->type == KNOB_STRING_LIST) {
        /* Inside a YAML define the text must match libyaml's: quoted items, `[]` when empty. */
        const char *v = values_ref(p, e->u.ref);
        strbuf_printf(b, "{{- if %s }}\n", v);
        strbuf_indent(b, indent);
        strbuf_printf(b, "%s:\n", key);
        strbuf_indent(b, indent);
        strbuf_printf(b, "{{- range $e := %s }}\n", v);
        strbuf_indent(b, indent);
        strbuf_add(b, "- {{ $e | quote }}\n");
        strbuf_indent(b, indent);
        strbuf_add(b, "{{- end }}\n");
        strbuf_indent(b, indent);
        strbuf_add(b, "{{- else }}\n");
        strbuf_indent(b, indent);
        strbuf_printf(b, "%s: []\n", key);
        strbuf_indent(b, indent);
        strbuf_add(b, "{{- end }}\n");
    } else if (is_list_ref(e)) {
        strbuf_printf(b, "%s:\n", key);
        strbuf_indent(b, indent + 2);
        strbuf_printf(b, "{{- toYaml %s | nindent %d }}\n", values_ref(p, e->u.ref), indent + 2);
    } else if (e->kind == IR_EXPR && e->u.expr.op == EXPR_YAML) {
        strbuf_printf(b, "%s: |\n", key);
        strbuf_indent(b, indent + 2);
        strbuf_printf(b, "{{- %s | nindent %d }}\n", pipeline(p, e), indent + 2);
    } else {
        strbuf_printf(b, "%s: ", key);
        put_scalar(b, inline_value(p, e), indent);
    }
}

static Hook child_hook(Hook hook, const char *key)
{
    if (hook == HOOK_ROOT && strcmp(key, "metadata") == 0)
        return HOOK_METADATA;
    if (hook == HOOK_METADATA && strcmp(key, "labels") == 0)
        return HOOK_LABELS;
    return HOOK_NONE;
}

static void print_map(TemplatePrinter *p, StrBuf *b, const IrNode *map, int indent, Hook hook)
{
    for (const IrNode *e = map->u.kids.first; e; e = e->next) {
        open_when(p, b, e->when, indent);
        print_entry(p, b, e, indent, child_hook(hook, e->key));
        close_when(b, e->when, indent);
    }
    if (hook == HOOK_LABELS) {
        /* metadata.labels of an object: the chart adds Helm's own label. */
        strbuf_indent(b, indent);
        strbuf_printf(b, "helm.sh/chart: {{ include \"%s.chart\" $ }}\n", p->chart);
    }
}

/* One sequence item at `indent` ("- " at that column). */
static void print_item(TemplatePrinter *p, StrBuf *b, const IrNode *item, int indent)
{
    if (item->kind == IR_MAP && item->u.kids.first) {
        StrBuf inner;
        strbuf_init(&inner, p->a);
        print_map(p, &inner, item, indent + 2, HOOK_NONE);
        const char *text = strbuf_str(&inner);
        strbuf_indent(b, indent);
        if (item->u.kids.first->when) {
            strbuf_add(b, "-\n");
            strbuf_add(b, text);
        } else {
            strbuf_add(b, "- ");
            strbuf_add(b, text + indent + 2);
        }
    } else if (item->kind == IR_MAP) {
        strbuf_indent(b, indent);
        strbuf_add(b, "- {}\n");
    } else if (item->kind == IR_SEQ) {
        strbuf_indent(b, indent);
        strbuf_add(b, "-\n");
        print_items(p, b, item, indent + 2);
    } else {
        strbuf_indent(b, indent);
        strbuf_add(b, "- ");
        put_scalar(b, inline_value(p, item), indent);
    }
}

static void print_repeat(TemplatePrinter *p, StrBuf *b, const IrNode *rep, int indent)
{
    const IrNode *count = rep->u.expr.args, *body = count->next;
    strbuf_indent(b, indent);
    strbuf_printf(b, "{{- range $i := until (int %s) }}\n", pipeline(p, count));
    print_item(p, b, body, indent);
    strbuf_indent(b, indent);
    strbuf_add(b, "{{- end }}\n");
}

static void print_items(TemplatePrinter *p, StrBuf *b, const IrNode *seq, int indent)
{
    for (const IrNode *item = seq->u.kids.first; item; item = item->next) {
        open_when(p, b, item->when, indent);
        if (is_repeat(item))
            print_repeat(p, b, item, indent);
        else
            print_item(p, b, item, indent);
        close_when(b, item->when, indent);
    }
}

const char *template_object(TemplatePrinter *p, const IrObject *obj)
{
    StrBuf b;
    strbuf_init(&b, p->a);
    if (obj->when)
        strbuf_printf(&b, "{{- if %s }}\n", template_cond(p, obj->when));
    print_map(p, &b, obj->root, 0, HOOK_ROOT);
    if (obj->when)
        strbuf_add(&b, "{{- end }}\n");
    return strbuf_str(&b);
}
