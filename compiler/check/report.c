/* report.c - the checker's reporting helpers: deduplicated errors and warnings (a value inherited
 * through `extends` or a tier may fail the same rule once per cluster), strict-or-relaxed
 * diagnostics, span overrides for tier layers, and name lists for help lines. */
#include <stdarg.h>
#include <string.h>

#include "check/checkint.h"

static bool same_span(Span a, Span b)
{
    return a.file == b.file && a.start == b.start && a.end == b.end;
}

static Diag *report(Checker *ck, DiagLevel level, Span span, const char *fmt, va_list ap)
{
    const char *msg = arena_vprintf(ck->arena, fmt, ap);
    for (Diag *d = ck->diags->head; d; d = d->next)
        if (d->level == level && same_span(d->span, span) && !strcmp(d->message, msg)) {
            /* Already reported: hand back a detached copy so help/notes land nowhere visible. */
            Diag *dup = ARENA_NEW(ck->arena, Diag);
            *dup = *d;
            dup->notes = NULL;
            dup->next = NULL;
            return dup;
        }
    return level == DIAG_ERROR ? diag_error(ck->diags, span, "%s", msg) : diag_warning(ck->diags, span, "%s", msg);
}

Diag *ck_error(Checker *ck, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *d = report(ck, DIAG_ERROR, span, fmt, ap);
    va_end(ap);
    return d;
}

Diag *ck_warning(Checker *ck, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *d = report(ck, DIAG_WARNING, span, fmt, ap);
    va_end(ap);
    return d;
}

Diag *ck_strict(Checker *ck, bool strict, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *d = report(ck, strict ? DIAG_ERROR : DIAG_WARNING, span, fmt, ap);
    va_end(ap);
    return d;
}

void ck_help(Checker *ck, Diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    d->help = arena_vprintf(ck->arena, fmt, ap);
    va_end(ap);
}

void ck_note(Checker *ck, Diag *d, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = arena_vprintf(ck->arena, fmt, ap);
    va_end(ap);
    diag_note(ck->diags, d, span, "%s", msg);
}

Span ck_span(const Checker *ck, Span span)
{
    return ck->override.file >= 0 ? ck->override : span;
}

const char *ck_list_names(Checker *ck, const char *const *names, int n)
{
    const char *out = "";
    for (int i = 0; i < n; i++)
        out = arena_printf(ck->arena, "%s%s`%s`", out, i ? ", " : "", names[i]);
    return n ? out : "(none)";
}
