/* ir_eval.c - evaluates the symbolic IR against a values tree into plain Data (what the manifest
 * emitter writes and what `goversec diff` compares). Failures (a repeat count out of range, an
 * index outside a repeat, a non-scalar where text is needed) make the evaluation return NULL. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ir/ir.h"
#include "ir/ir_eval_impl.h"
#include "support/sha256.h"
#include "support/strbuf.h"
#include "yaml/yamlio.h"

enum { IR_REPEAT_MAX = 1000 };

static Data *eval(Eval *ev, const IrNode *n);

/* Evaluated documents share their strings and keys with the IR and the values tree instead of
 * copying them: both outlive every document evaluated from them (same or longer-lived arena), and
 * no Data string is ever written in place. A document has ~10^3 scalars and keys; a copy each was
 * most of the evaluation's allocations. */
static Data *str_ref(Eval *ev, const char *s, size_t len)
{
    Data *d = ARENA_NEW(ev->a, Data);
    d->kind = DATA_STR;
    d->u.str.s = s;
    d->u.str.len = len;
    return d;
}

/* Out of line: inlined into knob_value, the lookup's registers made every call save and restore
 * them (~15 instructions), where ~4 in 5 calls are answered by the memo. */
__attribute__((noinline)) static const Data *knob_lookup(const Eval *ev, const Knob *k)
{
    const Data *values = ev->values;
    const Data *v = !values ? NULL : ev->paths ? data_path_cached(values, k->path, ev->paths) : data_path(values, k->path);
    return v ? v : k->default_value;
}

static const Data SWITCHED_ON = {.kind = DATA_BOOL, .u.b = true};

/* The memo's slot for `k`: its own, or the free one where it goes (NULL when the table is full
 * and `k` is not in it). */
static IrKnobSlot *knob_slot(IrEvalMemo *m, const Knob *k)
{
    enum { N = sizeof m->knobs / sizeof *m->knobs };
    size_t i = ((uintptr_t)k >> 4) * 2654435761u % N;
    for (int probes = 0; probes < N; probes++, i = (i + 1) % N)
        if (m->knobs[i].knob == k || !m->knobs[i].knob)
            return &m->knobs[i];
    return NULL;
}

static const Data *knob_value(const Eval *ev, const Knob *k)
{
    if (k == ev->on)
        return &SWITCHED_ON;
    IrEvalMemo *m = ev->memo;
    IrKnobSlot *slot = m ? knob_slot(m, k) : NULL;
    if (slot && slot->knob)
        return slot->value;
    const Data *v = knob_lookup(ev, k);
    /* Filled up to 3/4 at most, so a probe always ends at a free slot quickly. */
    if (slot && m->nknobs < (int)(sizeof m->knobs / sizeof *m->knobs) * 3 / 4) {
        slot->knob = k;
        slot->value = v;
        m->nknobs++;
    }
    return v;
}

/* Scalar -> text as Go templates print it; NULL for maps and sequences. */
static const char *scalar_text(Arena *a, const Data *d)
{
    if (!d)
        return "";
    switch (d->kind) {
    case DATA_NULL:
        return "";
    case DATA_BOOL:
        return d->u.b ? "true" : "false";
    case DATA_INT: {
        char digits[24];
        size_t n;
        const char *t = int64_dec(digits, d->u.i, &n); /* as "%" PRId64, without printf */
        return arena_strndup(a, t, n);
    }
    case DATA_FLOAT:
        return arena_printf(a, "%g", d->u.f);
    case DATA_STR:
        return d->u.str.s;
    case DATA_MAP:
    case DATA_SEQ:
        return NULL;
    }
    return NULL;
}

static bool cond_eval(const Eval *ev, const IrCond *cond)
{
    if (!cond)
        return true;
    switch (cond->op) {
    case COND_TRUE_KNOB:
        return data_truthy(knob_value(ev, cond->knob));
    case COND_NOT:
        return !cond_eval(ev, cond->a);
    case COND_AND:
        return cond_eval(ev, cond->a) && cond_eval(ev, cond->b);
    case COND_OR:
        return cond_eval(ev, cond->a) || cond_eval(ev, cond->b);
    case COND_EQ: {
        const Data *v = knob_value(ev, cond->knob);
        if (v && v->kind == DATA_STR)
            return strcmp(v->u.str.s, cond->literal) == 0;
        if (v && v->kind == DATA_INT) { /* the chart compares `toString` of the value */
            char digits[24];
            size_t n;
            const char *text = int64_dec(digits, v->u.i, &n);
            return strlen(cond->literal) == n && memcmp(text, cond->literal, n) == 0;
        }
        return false;
    }
    }
    return false;
}

bool ir_cond_eval(const IrCond *cond, const Data *values)
{
    Eval ev = {.values = values};
    return cond_eval(&ev, cond);
}

static Data *eval_text(Eval *ev, const IrNode *n, const char **out)
{
    Data *d = eval(ev, n);
    if (!d)
        return NULL;
    *out = scalar_text(ev->a, d);
    return *out ? d : NULL;
}

/* An argument's text as eval_text makes it, without a Data node where the text is at hand (a
 * literal, a string or number knob, the namespace, a repeat's index: most of the pieces of a
 * concatenation or an image), numbers written into `digits` (NUL-terminated: int64_dec's text
 * ends at digits[24]). */
static bool piece_text(Eval *ev, const IrNode *n, char digits[25], const char **t)
{
    const Data *v = NULL;
    size_t len;
    digits[24] = '\0';
    if (n->kind == IR_STR) {
        *t = n->u.str;
        return true;
    }
    if (n->kind == IR_EXPR && n->op == EXPR_NAMESPACE) {
        *t = ir_cluster_name_in(ev, n);
        return true;
    }
    if (n->kind == IR_INDEX && ev->in_repeat) {
        *t = int64_dec(digits, ev->index, &len);
        return true;
    }
    if (n->kind == IR_REF)
        v = knob_value(ev, n->u.ref);
    if (v && (v->kind == DATA_STR || v->kind == DATA_INT)) { /* (a text knob's number: its digits too) */
        *t = v->kind == DATA_STR ? v->u.str.s : int64_dec(digits, v->u.i, &len);
        return true;
    }
    return eval_text(ev, n, t) != NULL;
}

static Data *eval_concat(Eval *ev, const IrNode *args)
{
    size_t len = 0, cap = 64;
    char *buf = arena_alloc_raw(ev->a, cap);
    for (const IrNode *arg = args; arg; arg = arg->next) {
        char digits[25];
        const char *t;
        if (!piece_text(ev, arg, digits, &t))
            return NULL;
        size_t tl = strlen(t);
        if (len + tl + 1 > cap) {
            while (len + tl + 1 > cap)
                cap *= 2;
            char *nb = arena_alloc_raw(ev->a, cap);
            memcpy(nb, buf, len);
            buf = nb;
        }
        memcpy(buf + len, t, tl);
        len += tl;
    }
    buf[len] = '\0';
    return str_ref(ev, buf, len);
}

static Data *eval_image(Eval *ev, const IrNode *args)
{
    const char *t[4];
    char digits[4][25];
    const IrNode *arg = args;
    for (int i = 0; i < 4; i++, arg = arg->next)
        if (!arg || !piece_text(ev, arg, digits[i], &t[i]))
            return NULL;
    const char *reg = *t[0] ? t[0] : t[1];
    const char *image = *reg ? arena_concat(ev->a, reg, "/", t[2], ":", t[3], NULL)
                             : arena_concat(ev->a, t[2], ":", t[3], NULL);
    return str_ref(ev, image, strlen(image));
}

static Data *eval_repeat(Eval *ev, const IrNode *args)
{
    if (!args || !args->next)
        return NULL;
    Data *count = eval(ev, args);
    if (!count || count->kind != DATA_INT || count->u.i < 0 || count->u.i > IR_REPEAT_MAX)
        return NULL;
    Eval inner = *ev;
    inner.in_repeat = true;
    Data *seq = data_seq(ev->a);
    for (int64_t i = 0; i < count->u.i; i++) {
        inner.index = i;
        Data *item = eval(&inner, args->next);
        if (!item)
            return NULL;
        data_append(seq, NULL, item);
    }
    return seq;
}

static Data *eval_join(Eval *ev, const IrNode *args)
{
    const char *sep;
    if (!args || !args->next || !eval_text(ev, args, &sep))
        return NULL;
    Data *seq = eval(ev, args->next);
    if (!seq || seq->kind != DATA_SEQ)
        return NULL;
    const char *acc = "";
    for (const Data *item = seq->u.kids.first; item; item = item->next) {
        const char *t = scalar_text(ev->a, item);
        if (!t)
            return NULL;
        acc = item == seq->u.kids.first ? t : arena_printf(ev->a, "%s%s%s", acc, sep, t);
    }
    return str_ref(ev, acc, strlen(acc));
}

/* Strings inside an embedded YAML document are always double-quoted: the chart prints the same
 * document with `quote`, and the two texts must agree byte for byte (the config checksum). */
static void quote_strings(Data *d)
{
    if (d->kind == DATA_STR)
        d->style = STYLE_QUOTED;
    if (d->kind == DATA_MAP || d->kind == DATA_SEQ)
        for (Data *k = d->u.kids.first; k; k = k->next)
            quote_strings(k);
}

/* The memo entry for (op, subtree), or a free one to fill (NULL when full or not memoizing). The
 * Goverse config is one IR subtree shared by the ConfigMap and each workload's checksum
 * annotation: its YAML text and hash are computed once per cluster instead of once per use. Not
 * inside a repetition, where IR_INDEX changes the text. */
static IrEvalMemoEntry *memo_slot(Eval *ev, IrExprOp op, const IrNode *subtree, bool *hit)
{
    *hit = false;
    if (!ev->memo || ev->in_repeat || ev->on || !subtree)
        return NULL;
    IrEvalMemo *m = ev->memo;
    for (int i = 0; i < m->n; i++)
        if (m->e[i].op == op && m->e[i].subtree == subtree) {
            *hit = true;
            return &m->e[i];
        }
    if (m->n == (int)(sizeof m->e / sizeof *m->e))
        return NULL;
    IrEvalMemoEntry *e = &m->e[m->n++];
    e->op = op;
    e->subtree = subtree;
    e->text = NULL;
    return e;
}

/* A text to remember: copied when the memo keeps its texts apart from the evaluation. */
static const char *keep_text(const Eval *ev, const char *text, size_t len)
{
    return ev->memo->arena ? arena_strndup(ev->memo->arena, text, len) : text;
}

static Data *eval_yaml(Eval *ev, const IrNode *args)
{
    bool hit;
    IrEvalMemoEntry *memo = memo_slot(ev, EXPR_YAML, args, &hit);
    const char *text;
    size_t len;
    if (hit) {
        text = memo->text;
        len = memo->len;
    } else {
        Data *tree = args ? eval(ev, args) : NULL;
        if (!tree)
            return NULL;
        quote_strings(tree);
        text = yaml_write_one(ev->a, tree, &len);
        if (!text)
            return NULL;
        if (memo)
            memo->text = keep_text(ev, text, len), memo->len = len;
    }
    Data *d = str_ref(ev, text, len);
    d->style = STYLE_LITERAL;
    return d;
}

static Data *eval_sha256(Eval *ev, const IrNode *args)
{
    bool yaml = args && args->kind == IR_EXPR && args->op == EXPR_YAML, hit = false;
    IrEvalMemoEntry *memo = yaml ? memo_slot(ev, EXPR_SHA256, args->u.expr.args, &hit) : NULL;
    if (hit)
        return str_ref(ev, memo->text, memo->len);
    const char *t;
    if (!args || !eval_text(ev, args, &t))
        return NULL;
    char hex[65];
    Data *d = data_str(ev->a, sha256_hex(t, strlen(t), hex));
    if (memo)
        memo->text = keep_text(ev, d->u.str.s, d->u.str.len), memo->len = d->u.str.len;
    return d;
}

static Data *eval_expr(Eval *ev, const IrNode *n)
{
    const IrNode *args = n->u.expr.args;
    switch (n->op) {
    case EXPR_CONCAT:
        return eval_concat(ev, args);
    case EXPR_IMAGE:
        return eval_image(ev, args);
    case EXPR_REPEAT:
        return eval_repeat(ev, args);
    case EXPR_JOIN:
        return eval_join(ev, args);
    case EXPR_YAML:
        return eval_yaml(ev, args);
    case EXPR_SHA256:
        return eval_sha256(ev, args);
    case EXPR_FIRST: {
        Data *list = args ? eval(ev, args) : NULL;
        if (!list || list->kind != DATA_SEQ)
            return NULL;
        const Data *f = list->u.kids.first; /* a copy: the item stays linked into its list */
        return f && f->kind == DATA_STR ? data_strn(ev->a, f->u.str.s, f->u.str.len) : data_str(ev->a, "");
    }
    case EXPR_NAMESPACE: {
        const char *ns = ir_cluster_name_in(ev, n);
        return str_ref(ev, ns, strlen(ns));
    }
    case EXPR_RELEASE_NAME: {
        const char *name = ev->c && ev->c->name ? ev->c->name : "";
        size_t len = strlen(name);
        if (args && args->kind == IR_INT && args->u.i >= 0 && (uint64_t)args->u.i < len)
            len = (size_t)args->u.i;
        return data_strn(ev->a, name, len);
    }
    }
    return NULL;
}

const char *ir_cluster_name_in(const Eval *ev, const IrNode *n)
{
    const IrCluster *c = ev->c;
    if (n->op == EXPR_NAMESPACE)
        return c && c->namespace_name ? c->namespace_name : "";
    const char *name = c && c->name ? c->name : "";
    const IrNode *args = n->u.expr.args; /* as eval_expr: an IR_INT shorter than the name cuts it */
    if (args && args->kind == IR_INT && args->u.i >= 0 && (uint64_t)args->u.i < strlen(name))
        return NULL;
    return name;
}

/* A knob's value; text-typed knobs (quantities, names, ...) always yield a string, as the chart's
 * `quote` does, so `--set nodes.resources.limits.cpu=2` means "2" in both. */
static Data *ref_value(Eval *ev, const Knob *k)
{
    const Data *v = knob_value(ev, k);
    if (!v)
        return NULL;
    if (v->kind == DATA_MAP || v->kind == DATA_SEQ)
        return data_clone(ev->a, v); /* lists: their entries are relinked into the document */
    if (ir_knob_is_text(k) && (v->kind == DATA_INT || v->kind == DATA_FLOAT || v->kind == DATA_BOOL)) {
        const char *t = scalar_text(ev->a, v);
        return str_ref(ev, t, strlen(t));
    }
    Data *d = ARENA_NEW(ev->a, Data); /* a scalar: a node of its own, its string shared */
    *d = *v;
    d->key = NULL;
    d->next = NULL;
    return d;
}

/* eval() of an IR_STR node. */
static inline Data *str_literal(Eval *ev, const IrNode *n)
{
    Data *d = str_ref(ev, n->u.str, strlen(n->u.str));
    d->style = n->style;
    return d;
}

/* Children of a MAP or SEQ, skipping those whose condition is false. */
static Data *eval_kids(Eval *ev, const IrNode *n, Data *out)
{
    for (const IrNode *k = n->u.kids.first; k; k = k->next) {
        if (k->has_when && !cond_eval(ev, k->keyed.kw->when)) /* (most children have no condition: no call) */
            continue;
        /* A literal string (most children) here, without the recursive eval's frame. */
        Data *v = k->kind == IR_STR ? str_literal(ev, k) : eval(ev, k);
        if (!v)
            return NULL;
        data_append(out, out->kind == DATA_MAP ? (ir_node_key(k) ? ir_node_key(k) : "") : NULL, v); /* an IR key: see str_ref */
    }
    return out;
}

static Data *eval_scalar(Eval *ev, const IrNode *n)
{
    switch (n->kind) {
    case IR_STR:
        return str_ref(ev, n->u.str, strlen(n->u.str));
    case IR_INT:
        return data_int(ev->a, n->u.i);
    case IR_BOOL:
        return data_bool(ev->a, n->u.b);
    case IR_NULL:
        return data_null(ev->a);
    case IR_REF:
        return ref_value(ev, n->u.ref);
    case IR_INDEX:
        return ev->in_repeat ? data_int(ev->a, ev->index) : NULL;
    case IR_MAP:
    case IR_SEQ:
    case IR_EXPR:
        break;
    }
    return NULL;
}

static Data *eval(Eval *ev, const IrNode *n)
{
    Data *d;
    switch (n->kind) {
    case IR_MAP:
        d = eval_kids(ev, n, data_map(ev->a));
        break;
    case IR_SEQ:
        d = eval_kids(ev, n, data_seq(ev->a));
        break;
    case IR_EXPR:
        d = eval_expr(ev, n);
        break;
    case IR_STR:
    case IR_INT:
    case IR_BOOL:
    case IR_NULL:
    case IR_REF:
    case IR_INDEX:
        d = eval_scalar(ev, n);
        break;
    default:
        d = NULL;
    }
    if (d && n->style != STYLE_AUTO && d->kind == DATA_STR)
        d->style = n->style;
    if (d)
        d->key = NULL;
    return d;
}

Data *ir_eval_node(Arena *a, const IrCluster *c, const IrNode *node, const Data *values)
{
    Eval ev = {.a = a, .c = c, .values = values};
    return node ? eval(&ev, node) : NULL;
}

Data *ir_eval_object_memo(Arena *a, const IrCluster *c, const IrObject *obj, const Data *values,
                          IrEvalMemo *memo)
{
    Eval ev = {.a = a, .c = c, .values = values, .memo = memo};
    if (!cond_eval(&ev, obj->when))
        return NULL;
    return obj->root ? eval(&ev, obj->root) : NULL;
}

/* Whether reading `on` as true leaves every other knob as it is: no other knob has its path, a
 * path inside it or a path it is inside (setting it in a copy of the values would change what
 * those read). Lowering never registers such knobs; if it did, the copy is made. */
static bool switch_stands_alone(const IrCluster *c, const Knob *on)
{
    if (!c)
        return false;
    for (const Knob *k = c->knobs; k; k = k->next) {
        const char *x = k->path, *y = on->path;
        while (*x && *x == *y) /* (most paths differ in their first bytes) */
            x++, y++;
        if (k != on && ((!*x && (!*y || *y == '.')) || (!*y && *x == '.')))
            return false;
    }
    return true;
}

bool ir_eval_begin_written(Eval *out, Arena *a, const IrCluster *c, const IrObject *obj, const Data *values,
                           IrEvalMemo *memo, DataGetCache *paths)
{
    Eval ev = {.a = a, .c = c, .values = values, .memo = memo, .on = obj->manual_switch, .paths = paths};
    bool alone = false;
    if (ev.on && memo && memo->alone_switch == ev.on) {
        alone = true; /* checked for an earlier object with the same switch */
    } else if (ev.on) {
        alone = switch_stands_alone(c, ev.on);
        if (alone && memo)
            memo->alone_switch = ev.on;
    }
    if (ev.on && (!values || values->kind != DATA_MAP || !alone)) {
        Data *copy = data_clone(a, values); /* the general way: a copy with the switch set */
        data_set_path(a, copy, ev.on->path, data_bool(a, true));
        ev = (Eval){.a = a, .c = c, .values = copy};
    }
    *out = ev;
    return cond_eval(&ev, obj->when);
}

Data *ir_eval_object_written(Arena *a, const IrCluster *c, const IrObject *obj, const Data *values,
                             IrEvalMemo *memo, bool *present)
{
    Eval ev;
    *present = ir_eval_begin_written(&ev, a, c, obj, values, memo, NULL);
    if (!*present)
        return NULL;
    return obj->root ? eval(&ev, obj->root) : NULL;
}

Data *ir_eval_in(Eval *ev, const IrNode *n)
{
    return eval(ev, n);
}

bool ir_cond_in(const Eval *ev, const IrCond *cond)
{
    return cond_eval(ev, cond);
}

const Data *ir_knob_in(const Eval *ev, const Knob *k)
{
    return knob_value(ev, k);
}

Data *ir_eval_object(Arena *a, const IrCluster *c, const IrObject *obj, const Data *values)
{
    return ir_eval_object_memo(a, c, obj, values, NULL);
}

Data *ir_knob_default_node(Arena *a, const Knob *k)
{
    const Data *d = k->default_value;
    if (!d)
        return data_null(a);
    if (d->kind == DATA_MAP || d->kind == DATA_SEQ)
        return data_clone(a, d);
    Data *n = arena_alloc_raw(a, sizeof *n); /* every field written below */
    *n = *d;
    n->key = NULL;
    n->next = NULL;
    return n;
}

Data *ir_default_values(Arena *a, const IrCluster *c)
{
    Data *root = data_map(a);
    DataPathCache cache = {0}; /* knobs are registered grouped by their maps */
    for (const Knob *k = c->knobs; k; k = k->next)
        data_set_path_cached(a, root, k->path, ir_knob_default_node(a, k), &cache);
    return root;
}
