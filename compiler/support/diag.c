/* diag.c - collecting, sorting and rendering diagnostics (format documented in diag.h). */
#include "support/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "support/strbuf.h"

void diag_init(DiagSink *sink, const SourceMap *sources, Arena *arena)
{
    memset(sink, 0, sizeof *sink);
    sink->sources = sources;
    sink->arena = arena;
}

static Diag *diag_make(DiagSink *sink, DiagLevel level, Span span, const char *fmt, va_list ap)
{
    Diag *d = ARENA_NEW(sink->arena, Diag);
    d->level = level;
    d->span = span;
    d->message = arena_vprintf(sink->arena, fmt, ap);
    d->seq = sink->count++;
    return d;
}

static Diag *diag_push(DiagSink *sink, DiagLevel level, Span span, const char *fmt, va_list ap)
{
    Diag *d = diag_make(sink, level, span, fmt, ap);
    if (level == DIAG_ERROR)
        sink->errors++;
    else
        sink->warnings++;
    if (sink->tail)
        sink->tail->next = d;
    else
        sink->head = d;
    sink->tail = d;
    return d;
}

Diag *diag_error(DiagSink *sink, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *d = diag_push(sink, DIAG_ERROR, span, fmt, ap);
    va_end(ap);
    return d;
}

Diag *diag_warning(DiagSink *sink, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *d = diag_push(sink, DIAG_WARNING, span, fmt, ap);
    va_end(ap);
    return d;
}

void diag_help(DiagSink *sink, Diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    d->help = arena_vprintf(sink->arena, fmt, ap);
    va_end(ap);
}

void diag_note(DiagSink *sink, Diag *d, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *n = diag_make(sink, DIAG_NOTE, span, fmt, ap);
    va_end(ap);
    Diag **tail = &d->notes;
    while (*tail)
        tail = &(*tail)->next;
    *tail = n;
}

bool diag_has_errors(const DiagSink *sink)
{
    return sink->errors > 0 || (sink->warnings_as_errors && sink->warnings > 0);
}

/* ---- rendering ---------------------------------------------------------------------------- */

/* Rendering builds the text in a StrBuf, without stdio: a build that warns (the design-doc
 * example's `latest` tags) spent ~40 us on three warnings through open_memstream and fprintf,
 * most of it stdio code run once, cold. */
typedef struct Out {
    StrBuf *b;
    bool color;
} Out;

static const char *level_name(DiagLevel level)
{
    switch (level) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    case DIAG_NOTE: return "note";
    }
    return "error";
}

static const char *level_color(DiagLevel level)
{
    switch (level) {
    case DIAG_ERROR: return "\033[1;31m";
    case DIAG_WARNING: return "\033[1;35m";
    case DIAG_NOTE: return "\033[1;36m";
    }
    return "";
}

static void paint(const Out *o, const char *code)
{
    if (o->color)
        strbuf_add(o->b, code);
}

/* `n` right-aligned in at least `width` columns (printf's "%*u"). */
static void add_uint_padded(StrBuf *b, uint32_t n, int width)
{
    char digits[24];
    size_t len;
    const char *d = int64_dec(digits, n, &len);
    if ((size_t)width > len)
        strbuf_indent(b, width - (int)len);
    strbuf_addn(b, d, len);
}

static void render_snippet(const Out *o, const SourceFile *f, Span span, DiagLevel level)
{
    StrBuf *b = o->b;
    uint32_t line, col;
    source_linecol(f, span.start, &line, &col);
    uint32_t len;
    const char *text = source_line(f, line, &len);
    char digits[24];
    size_t ndigits;
    int64_dec(digits, line, &ndigits);
    int width = ndigits < 4 ? 4 : (int)ndigits;
    strbuf_addc(b, ' ');
    add_uint_padded(b, line, width);
    strbuf_add(b, " | ");
    strbuf_addn(b, text, len); /* with its length: a source line may hold a NUL byte */
    strbuf_addc(b, '\n');
    strbuf_indent(b, width + 1);
    strbuf_add(b, " | ");
    /* Copy tabs from the source line so the caret lines up whatever the tab width. */
    for (uint32_t i = 0; i + 1 < col && i < len; i++)
        strbuf_addc(b, text[i] == '\t' ? '\t' : ' ');
    uint32_t start = col - 1;
    uint32_t stop = span.end > span.start ? start + (span.end - span.start) : start + 1;
    if (stop > len)
        stop = len > start ? len : start + 1;
    paint(o, level_color(level));
    strbuf_addc(b, '^');
    for (uint32_t i = start + 1; i < stop; i++)
        strbuf_addc(b, '~');
    paint(o, "\033[0m");
    strbuf_addc(b, '\n');
}

static void render_one(const Out *o, const SourceMap *sources, const Diag *d)
{
    StrBuf *b = o->b;
    const SourceFile *f = sources ? source_get(sources, d->span.file) : NULL;
    paint(o, "\033[1m");
    if (f) {
        uint32_t line, col;
        source_linecol(f, d->span.start, &line, &col);
        strbuf_add(b, f->path);
        strbuf_addc(b, ':');
        strbuf_add_int(b, line);
        strbuf_addc(b, ':');
        strbuf_add_int(b, col);
        strbuf_add(b, ": ");
    } else {
        strbuf_add(b, "goversec: ");
    }
    paint(o, level_color(d->level));
    strbuf_add(b, level_name(d->level));
    strbuf_addc(b, ':');
    paint(o, "\033[0m\033[1m");
    strbuf_addc(b, ' ');
    strbuf_add(b, d->message);
    paint(o, "\033[0m");
    strbuf_addc(b, '\n');
    if (f)
        render_snippet(o, f, d->span, d->level);
    if (d->help) {
        paint(o, "\033[1;32m");
        strbuf_add(b, f ? "      = help:" : "help:");
        paint(o, "\033[0m");
        strbuf_addc(b, ' ');
        strbuf_add(b, d->help);
        strbuf_addc(b, '\n');
    }
    for (const Diag *n = d->notes; n; n = n->next)
        render_one(o, sources, n);
}

static int diag_cmp(const void *pa, const void *pb)
{
    const Diag *a = *(const Diag *const *)pa, *b = *(const Diag *const *)pb;
    if (a->span.file != b->span.file)
        return a->span.file < b->span.file ? -1 : 1;
    if (a->span.start != b->span.start)
        return a->span.start < b->span.start ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_render_to(DiagSink *sink, StrBuf *b, bool color)
{
    size_t n = 0;
    for (Diag *d = sink->head; d; d = d->next)
        n++;
    if (n == 0)
        return;
    Diag **v = ARENA_ARRAY(sink->arena, Diag *, n);
    n = 0;
    for (Diag *d = sink->head; d; d = d->next)
        v[n++] = d;
    qsort(v, n, sizeof *v, diag_cmp);
    Out o = {b, color};
    size_t shown_errors = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i]->level == DIAG_ERROR && ++shown_errors > DIAG_MAX_ERRORS) {
            strbuf_add(b, "goversec: too many errors (");
            strbuf_add_int(b, sink->errors);
            strbuf_add(b, "); stopping after ");
            strbuf_add_int(b, DIAG_MAX_ERRORS);
            strbuf_addc(b, '\n');
            break;
        }
        render_one(&o, sink->sources, v[i]);
    }
}

void diag_summary_to(const DiagSink *sink, StrBuf *b)
{
    unsigned e = sink->errors, w = sink->warnings;
    if (e) {
        strbuf_add_int(b, e);
        strbuf_add(b, e == 1 ? " error" : " errors");
    }
    if (e && w)
        strbuf_add(b, " and ");
    if (w) {
        strbuf_add_int(b, w);
        strbuf_add(b, w == 1 ? " warning" : " warnings");
    }
    if (e || w)
        strbuf_add(b, " generated.\n");
}

void diag_render(DiagSink *sink, FILE *out, bool color)
{
    StrBuf b;
    strbuf_init(&b, sink->arena);
    diag_render_to(sink, &b, color);
    if (b.len)
        fwrite(b.data, 1, b.len, out); /* with the length: a source line may hold a NUL byte */
}

const char *diag_render_string(DiagSink *sink, bool color)
{
    StrBuf b;
    strbuf_init(&b, sink->arena);
    diag_render_to(sink, &b, color);
    return strbuf_str(&b);
}

/* ---- suggestions --------------------------------------------------------------------------- */

size_t diag_edit_distance(const char *a, const char *b)
{
    /* Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return (size_t)-1;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *diag_suggest(const char *word, const char *const *candidates, size_t ncandidates)
{
    size_t len = strlen(word);
    size_t limit = len < 4 ? 1 : len / 3 + 1;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < ncandidates; i++) {
        size_t dist = diag_edit_distance(word, candidates[i]);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}
