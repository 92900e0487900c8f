/* diag.c - collecting, sorting and rendering diagnostics (format documented in diag.h). */
#include "support/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

typedef struct Out {
    FILE *fp;
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
        fputs(code, o->fp);
}

static void render_snippet(const Out *o, const SourceFile *f, Span span, DiagLevel level)
{
    uint32_t line, col;
    source_linecol(f, span.start, &line, &col);
    uint32_t len;
    const char *text = source_line(f, line, &len);
    char gutter[16];
    int width = snprintf(gutter, sizeof gutter, "%u", line);
    if (width < 4)
        width = 4;
    fprintf(o->fp, " %*u | ", width, line);
    fwrite(text, 1, len, o->fp);
    fputc('\n', o->fp);
    fprintf(o->fp, " %*s | ", width, "");
    /* Copy tabs from the source line so the caret lines up whatever the tab width. */
    for (uint32_t i = 0; i + 1 < col && i < len; i++)
        fputc(text[i] == '\t' ? '\t' : ' ', o->fp);
    uint32_t start = col - 1;
    uint32_t stop = span.end > span.start ? start + (span.end - span.start) : start + 1;
    if (stop > len)
        stop = len > start ? len : start + 1;
    paint(o, level_color(level));
    fputc('^', o->fp);
    for (uint32_t i = start + 1; i < stop; i++)
        fputc('~', o->fp);
    paint(o, "\033[0m");
    fputc('\n', o->fp);
}

static void render_one(const Out *o, const SourceMap *sources, const Diag *d)
{
    const SourceFile *f = sources ? source_get(sources, d->span.file) : NULL;
    paint(o, "\033[1m");
    if (f) {
        uint32_t line, col;
        source_linecol(f, d->span.start, &line, &col);
        fprintf(o->fp, "%s:%u:%u: ", f->path, line, col);
    } else {
        fputs("goversec: ", o->fp);
    }
    paint(o, level_color(d->level));
    fprintf(o->fp, "%s:", level_name(d->level));
    paint(o, "\033[0m\033[1m");
    fprintf(o->fp, " %s", d->message);
    paint(o, "\033[0m");
    fputc('\n', o->fp);
    if (f)
        render_snippet(o, f, d->span, d->level);
    if (d->help) {
        paint(o, "\033[1;32m");
        fputs(f ? "      = help:" : "help:", o->fp);
        paint(o, "\033[0m");
        fprintf(o->fp, " %s\n", d->help);
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

void diag_render(DiagSink *sink, FILE *out, bool color)
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
    Out o = {out, color};
    size_t shown_errors = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i]->level == DIAG_ERROR && ++shown_errors > DIAG_MAX_ERRORS) {
            fprintf(out, "goversec: too many errors (%u); stopping after %d\n", sink->errors,
                    DIAG_MAX_ERRORS);
            break;
        }
        render_one(&o, sink->sources, v[i]);
    }
}

const char *diag_render_string(DiagSink *sink, bool color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return "";
    diag_render(sink, fp, color);
    fclose(fp);
    const char *s = arena_strndup(sink->arena, buf ? buf : "", len);
    free(buf);
    return s;
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
