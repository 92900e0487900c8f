/* json.c - the JSON writer (see json.h). */
#include "emit/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "support/strbuf.h"

static void json_string(StrBuf *b, const char *s, size_t len)
{
    strbuf_addc(b, '"');
    for (size_t i = 0; i < len; i++) {
        /* Copy runs that need no escaping in one go. */
        size_t run = i;
        while (run < len && (unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            strbuf_addn(b, s + i, run - i);
            i = run - 1;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': strbuf_add(b, "\\\""); break;
        case '\\': strbuf_add(b, "\\\\"); break;
        case '\n': strbuf_add(b, "\\n"); break;
        case '\r': strbuf_add(b, "\\r"); break;
        case '\t': strbuf_add(b, "\\t"); break;
        default:
            if (c < 0x20)
                strbuf_printf(b, "\\u%04x", c);
            else
                strbuf_addc(b, (char)c);
        }
    }
    strbuf_addc(b, '"');
}

static void json_value(StrBuf *b, const Data *d, int indent)
{
    switch (d->kind) {
    case DATA_NULL: strbuf_add(b, "null"); return;
    case DATA_BOOL: strbuf_add(b, d->u.b ? "true" : "false"); return;
    case DATA_INT: strbuf_printf(b, "%" PRId64, d->u.i); return;
    case DATA_FLOAT:
        if (isfinite(d->u.f))
            strbuf_printf(b, "%.17g", d->u.f);
        else
            strbuf_add(b, "null");
        return;
    case DATA_STR: json_string(b, d->u.str.s, d->u.str.len); return;
    case DATA_MAP:
    case DATA_SEQ: break;
    }
    bool map = d->kind == DATA_MAP;
    if (!d->u.kids.first) {
        strbuf_add(b, map ? "{}" : "[]");
        return;
    }
    strbuf_add(b, map ? "{\n" : "[\n");
    for (const Data *e = d->u.kids.first; e; e = e->next) {
        strbuf_indent(b, indent + 2);
        if (map) {
            json_string(b, e->key, strlen(e->key));
            strbuf_add(b, ": ");
        }
        json_value(b, e, indent + 2);
        strbuf_add(b, e->next ? ",\n" : "\n");
    }
    strbuf_indent(b, indent);
    strbuf_addc(b, map ? '}' : ']');
}

const char *json_write(Arena *a, const Data *d)
{
    StrBuf b;
    strbuf_init(&b, a);
    json_value(&b, d, 0);
    strbuf_addc(&b, '\n');
    return strbuf_str(&b);
}
