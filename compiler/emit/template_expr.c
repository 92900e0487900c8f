/* template_expr.c - the template printer's expressions (see template_impl.h): conditions as Go
 * template expressions, IR expressions as pipelines (printf, include of the image and YAML named
 * templates, sha256sum, the release name and namespace), joins over repeats, and Go string
 * literals. Values are referenced from `$` so that they also work inside `range`. */
#include "emit/template_impl.h"
#include "support/swar.h"

#include <stdint.h>
#include <string.h>

/* ---- Go string literals ---------------------------------------------------------------------- */

static inline char *go_escape_byte(char *p, unsigned char ch)
{
    static const char hex[] = "0123456789abcdef";
    if (ch >= 0x20 && ch != '"' && ch != '\\') {
        *p++ = (char)ch;
    } else if (ch == '"' || ch == '\\') {
        *p++ = '\\';
        *p++ = (char)ch;
    } else if (ch == '\n') {
        *p++ = '\\';
        *p++ = 'n';
    } else {
        memcpy(p, (char[4]){'\\', 'x', hex[ch >> 4], hex[ch & 0xf]}, 4);
        p += 4;
    }
    return p;
}

/* Room for go_quote of `len` bytes: every byte as \xHH at worst, the quotes, and the slack of an
 * 8-byte store past the end (a short string's word, overwritten by what follows). */
#define GO_QUOTE_ROOM(len) (4 * (len) + 2 + 8)

/* A Go string literal (Go escapes are a superset of what we need) of s[0, len) at `p`, eight
 * bytes at a time: almost none need an escape. Short strings (most: "", ":", ".svc.cluster.local"
 * pieces) and the tail of longer ones are tested and stored as one word, as json_quote does (the
 * two escape the same bytes: swar_escape_bits). Returns its end. */
static char *go_quote(char *p, const char *s, size_t len)
{
    *p++ = '"';
    char *quoted = swar_quote_short(p, s, len);
    if (quoted)
        return quoted;
    size_t i = 0;
    while (i + 8 <= len) {
        /* The word is stored whole (the room holds it) and kept up to its first byte to escape:
         * PromQL in the chart's expressions has a '"' every few words. The lowest flagged byte
         * is exact (swar_escape_bits); on little-endian machines byte k of the word is s[i + k]. */
        uint64_t w = swar_load(s + i), hits = swar_escape_bits(w);
        memcpy(p, &w, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        size_t clean = hits ? (size_t)__builtin_ctzll(hits) / 8 : 8;
#else
        size_t clean = hits ? 0 : 8; /* no cheap "lowest address" there: byte by byte */
#endif
        p += clean;
        i += clean;
        if (clean < 8)
            p = go_escape_byte(p, (unsigned char)s[i++]);
    }
    if (i < len && len >= 8) {
        /* The tail as the last eight bytes, overlapping what is already written (the same bytes
         * when none of them needed an escape). */
        uint64_t w = swar_load(s + len - 8);
        if (!swar_escape_bits(w)) {
            memcpy(p - (8 - (len - i)), &w, 8);
            p += len - i;
            i = len;
        }
    }
    for (; i < len; i++)
        p = go_escape_byte(p, (unsigned char)s[i]);
    *p++ = '"';
    return p;
}

static void go_string(StrBuf *b, const char *s)
{
    size_t len = strlen(s);
    char *at = room(b, GO_QUOTE_ROOM(len));
    b->len += (size_t)(go_quote(at, s, len) - at);
}

/* (eq (toString $.Values.<path>) "<literal>"), with one room check: the pieces' lengths are
 * known before any is written. */
static void cond_eq(StrBuf *b, const IrCond *cond)
{
    static const char head[] = "(eq (toString $.Values.";
    size_t plen = strlen(cond->knob->path), llen = strlen(cond->literal);
    char *at = room(b, sizeof head - 1 + plen + 2 + GO_QUOTE_ROOM(llen) + 1), *p = at;
    memcpy(p, head, sizeof head - 1);
    p += sizeof head - 1;
    memcpy(p, cond->knob->path, plen);
    p += plen;
    memcpy(p, ") ", 2);
    p = go_quote(p + 2, cond->literal, llen);
    *p++ = ')';
    b->len += (size_t)(p - at);
}

/* ---- conditions ---------------------------------------------------------------------------- */

/* An operand of NOT, AND or OR. Lowering builds conditions from shared parts (a component's
 * "enabled" condition is an operand of most conditions under it, and the `when` of entries
 * before), so an operand is often a condition already printed as an `if` line: copied from it. */
static void operand(TemplatePrinter *p, StrBuf *b, const IrCond *cond)
{
    if (!tp_cached_cond(p, b, cond))
        tp_cond(p, b, cond);
}

void tp_cond(TemplatePrinter *p, StrBuf *b, const IrCond *cond)
{
    switch (cond->op) {
    case COND_TRUE_KNOB: values_ref(b, cond->knob); return;
    case COND_NOT:
        PUT(b, "(not ");
        operand(p, b, cond->a);
        put_c(b, ')');
        return;
    case COND_AND:
    case COND_OR:
        if (cond->op == COND_AND)
            PUT(b, "(and ");
        else
            PUT(b, "(or ");
        operand(p, b, cond->a);
        put_c(b, ' ');
        operand(p, b, cond->b);
        put_c(b, ')');
        return;
    case COND_EQ: cond_eq(b, cond); return;
    }
    PUT(b, "false");
}

const char *template_cond(TemplatePrinter *p, const IrCond *cond)
{
    StrBuf b;
    strbuf_init(&b, p->a);
    tp_cond(p, &b, cond);
    return text_of(&b);
}

void tp_pipeline(TemplatePrinter *p, StrBuf *b, const IrNode *n)
{
    const IrNode *a = n->kind == IR_EXPR ? n->u.expr.args : NULL;
    switch (n->kind) {
    case IR_STR: go_string(b, n->u.str); return;
    case IR_INT: strbuf_add_int(b, n->u.i); return;
    case IR_BOOL:
        if (n->u.b)
            PUT(b, "true");
        else
            PUT(b, "false");
        return;
    case IR_NULL: PUT(b, "nil"); return;
    case IR_REF: values_ref(b, n->u.ref); return;
    case IR_INDEX: PUT(b, "$i"); return;
    case IR_MAP:
    case IR_SEQ: PUT(b, "nil"); return;
    case IR_EXPR: break;
    }
    switch (n->op) {
    case EXPR_CONCAT:
        PUT(b, "(printf \"");
        for (const IrNode *x = a; x; x = x->next)
            PUT(b, "%v");
        put_c(b, '"');
        for (const IrNode *x = a; x; x = x->next) {
            put_c(b, ' ');
            tp_pipeline(p, b, x);
        }
        put_c(b, ')');
        return;
    case EXPR_IMAGE:
        PUT(b, "(include \"");
        put_str(b, p->chart);
        PUT(b, ".image\" (list");
        for (int i = 0; i < 4; i++, a = a->next) { /* registry, image registry, repository, tag */
            put_c(b, ' ');
            tp_pipeline(p, b, a);
        }
        PUT(b, "))");
        return;
    case EXPR_YAML: {
        /* tp_define_yaml prints into its own buffer; it never touches `b`. */
        const char *name = tp_define_yaml(p, a);
        PUT(b, "(include \"");
        put_str(b, name);
        PUT(b, "\" $)");
        return;
    }
    case EXPR_SHA256:
        /* Named YAML templates drop the final newline the manifest text has: add it back. */
        if (a->kind == IR_EXPR && a->op == EXPR_YAML)
            PUT(b, "(sha256sum (printf \"%s\\n\" ");
        else
            PUT(b, "(sha256sum (toString ");
        tp_pipeline(p, b, a);
        PUT(b, "))");
        return;
    case EXPR_FIRST:
        PUT(b, "(default \"\" (first ");
        tp_pipeline(p, b, a);
        PUT(b, "))");
        return;
    case EXPR_NAMESPACE: PUT(b, "$.Release.Namespace"); return;
    case EXPR_RELEASE_NAME:
        if (a && a->kind == IR_INT) {
            PUT(b, "($.Release.Name | trunc ");
            strbuf_add_int(b, a->u.i);
            put_c(b, ')');
        } else {
            PUT(b, "$.Release.Name");
        }
        return;
    case EXPR_JOIN:
    case EXPR_REPEAT: PUT(b, "nil"); return; /* only in statement position (see put_value) */
    }
    PUT(b, "nil");
}

void tp_join(TemplatePrinter *p, StrBuf *b, const IrNode *join)
{
    const IrNode *sep = join->u.expr.args, *rep = sep->next;
    if (!rep || rep->kind != IR_EXPR || rep->op != EXPR_REPEAT) {
        PUT(b, "null");
        return;
    }
    const IrNode *count = rep->u.expr.args, *body = count->next;
    int v = ++p->nvars;
    PUT(b, "{{ $j");
    strbuf_add_int(b, v);
    PUT(b, " := list }}{{ range $i := until (int ");
    tp_pipeline(p, b, count);
    PUT(b, ") }}{{ $j");
    strbuf_add_int(b, v);
    PUT(b, " = append $j");
    strbuf_add_int(b, v);
    put_c(b, ' ');
    tp_pipeline(p, b, body);
    PUT(b, " }}{{ end }}{{ join ");
    tp_pipeline(p, b, sep);
    PUT(b, " $j");
    strbuf_add_int(b, v);
    PUT(b, " | quote }}");
}
