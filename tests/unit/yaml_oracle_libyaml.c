/* yaml_oracle_libyaml.c - libyaml's emitter writing Data documents with the settings goversec
 * used before it had its own writer (block style, indent 2, unlimited width, unicode, "\n"
 * breaks, strings quoted by yaml_needs_quotes): the oracle's reference text (yaml_oracle.h). Test
 * and benchmark code only (tests/unit/yaml_oracle.c, bench/yaml-throughput.c); the product never
 * links libyaml's emitter. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml/yamlio.h"
#include "yaml_oracle.h"

typedef struct OracleBuf {
    char *text;
    size_t len, cap;
} OracleBuf;

/* Appends libyaml's output to a YamlOut, keeping a NUL after the text. */
static int out_handler(void *data, unsigned char *buffer, size_t size)
{
    OracleBuf *b = data;
    if (b->len + size + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + size + 1 > cap)
            cap *= 2;
        char *np = realloc(b->text, cap);
        if (!np)
            return 0;
        b->text = np;
        b->cap = cap;
    }
    memcpy(b->text + b->len, buffer, size);
    b->len += size;
    b->text[b->len] = '\0';
    return 1;
}

static int emit_scalar(yaml_emitter_t *em, const char *s, size_t len, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style))
        return 0;
    return yaml_emitter_emit(em, &ev);
}

static int emit_string(yaml_emitter_t *em, const char *s, size_t len, DataStyle style)
{
    yaml_scalar_style_t ys = YAML_PLAIN_SCALAR_STYLE;
    if (style == STYLE_QUOTED || (style == STYLE_AUTO && yaml_needs_quotes(s, len)))
        ys = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    else if (style == STYLE_LITERAL)
        ys = YAML_LITERAL_SCALAR_STYLE;
    return emit_scalar(em, s, len, ys);
}

static int emit_float(yaml_emitter_t *em, double f)
{
    char buf[40];
    if (isnan(f))
        snprintf(buf, sizeof buf, ".nan");
    else if (isinf(f)) /* (1e308 * 10 is itself infinite: no comparison can stand in for this) */
        snprintf(buf, sizeof buf, f > 0 ? ".inf" : "-.inf");
    else {
        snprintf(buf, sizeof buf, "%.17g", f);
        if (!strpbrk(buf, ".eEn"))
            strcat(buf, ".0"); /* keep it a float when read back */
    }
    return emit_scalar(em, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
}

static int emit_node(yaml_emitter_t *em, const Data *d);

static int emit_collection(yaml_emitter_t *em, const Data *d)
{
    yaml_event_t ev;
    bool map = d->kind == DATA_MAP;
    bool empty = d->u.kids.count == 0;
    int ok = map ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                       empty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
                 : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                        empty ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
    if (!ok || !yaml_emitter_emit(em, &ev))
        return 0;
    for (const Data *k = d->u.kids.first; k; k = k->next) {
        if (map && !emit_string(em, k->key ? k->key : "", k->key ? strlen(k->key) : 0, STYLE_AUTO))
            return 0;
        if (!emit_node(em, k))
            return 0;
    }
    ok = map ? yaml_mapping_end_event_initialize(&ev) : yaml_sequence_end_event_initialize(&ev);
    return ok && yaml_emitter_emit(em, &ev);
}

static int emit_node(yaml_emitter_t *em, const Data *d)
{
    char buf[32];
    switch (d->kind) {
    case DATA_NULL:
        return emit_scalar(em, "null", 4, YAML_PLAIN_SCALAR_STYLE);
    case DATA_BOOL:
        return emit_scalar(em, d->u.b ? "true" : "false", d->u.b ? 4 : 5, YAML_PLAIN_SCALAR_STYLE);
    case DATA_INT:
        snprintf(buf, sizeof buf, "%" PRId64, d->u.i);
        return emit_scalar(em, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
    case DATA_FLOAT:
        return emit_float(em, d->u.f);
    case DATA_STR:
        return emit_string(em, d->u.str.s, d->u.str.len, d->style);
    case DATA_MAP:
    case DATA_SEQ:
        return emit_collection(em, d);
    }
    return 0;
}

static int emit_document(yaml_emitter_t *em, const Data *doc, bool explicit_start)
{
    yaml_event_t ev;
    if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, explicit_start ? 0 : 1) ||
        !yaml_emitter_emit(em, &ev) || !emit_node(em, doc))
        return 0;
    return yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(em, &ev);
}

static bool write_docs(yaml_emitter_t *em, const Data *const *docs, size_t n)
{
    yaml_event_t ev;
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || !yaml_emitter_emit(em, &ev))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!emit_document(em, docs[i], n > 1 && i > 0))
            return false;
    return yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev) && yaml_emitter_flush(em);
}

/* The documents appended to `out` by one emitter; NULL, or libyaml's reason for failing. */
static const char *write_to(OracleBuf *out, const Data *const *docs, size_t n)
{
    yaml_emitter_t em;
    if (!yaml_emitter_initialize(&em))
        return "cannot initialise the YAML emitter";
    yaml_emitter_set_output(&em, out_handler, out);
    yaml_emitter_set_width(&em, -1);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_indent(&em, 2);
    yaml_emitter_set_break(&em, YAML_LN_BREAK);
    const char *problem = NULL;
    if (!write_docs(&em, docs, n)) /* libyaml's problems are string literals: they outlive em */
        problem = em.problem ? em.problem : "YAML emitter failed";
    yaml_emitter_delete(&em);
    return problem;
}

bool yaml_oracle_libyaml(Arena *a, const Data *const *docs, size_t n, const char **out, size_t *len,
                         const char **err)
{
    OracleBuf buf = {0};
    const char *problem = write_to(&buf, docs, n);
    if (problem)
        *err = problem;
    else {
        *out = arena_strndup(a, buf.text ? buf.text : "", buf.len);
        *len = buf.len;
    }
    free(buf.text);
    return !problem;
}
