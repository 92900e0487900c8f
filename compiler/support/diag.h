/* diag.h - diagnostics: collected during a run, sorted by position, rendered once.
 * Rendering (exact format, relied on by tests/diagnostics):
 *
 *   path:LINE:COL: error: MESSAGE
 *      LINE | source line
 *           |     ^~~~~~~
 *           = help: HINT
 *
 * Notes attached to a diagnostic (diag_note) render after it in the same shape with `note:`.
 * Colour only when the caller asks (a terminal and no NO_COLOR). */
#ifndef GOVERSEC_DIAG_H
#define GOVERSEC_DIAG_H
#include <stdbool.h>
#include <stdio.h>

#include "support/source.h"

typedef enum DiagLevel { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagLevel;

typedef struct Diag {
    DiagLevel level;
    Span span;
    const char *message;
    const char *help;        /* NULL when there is no hint */
    struct Diag *notes;      /* attached notes, in order */
    struct Diag *next;
    unsigned seq;            /* insertion order, for a stable sort */
} Diag;

enum { DIAG_MAX_ERRORS = 100 };

typedef struct DiagSink {
    const SourceMap *sources;
    Arena *arena;
    Diag *head, *tail;
    unsigned count, errors, warnings;
    bool warnings_as_errors;
} DiagSink;

void diag_init(DiagSink *sink, const SourceMap *sources, Arena *arena);
Diag *diag_error(DiagSink *sink, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
Diag *diag_warning(DiagSink *sink, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_help(DiagSink *sink, Diag *d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(DiagSink *sink, Diag *d, Span span, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool diag_has_errors(const DiagSink *sink);

/* Writes every diagnostic sorted by (file, offset, insertion), in one fwrite. Does not print a
 * summary. */
void diag_render(DiagSink *sink, FILE *out, bool color);
/* The same text appended to `b`; and the summary line ("2 errors and 1 warning generated."), or
 * nothing when there is no diagnostic. */
struct StrBuf;
void diag_render_to(DiagSink *sink, struct StrBuf *b, bool color);
void diag_summary_to(const DiagSink *sink, struct StrBuf *b);
/* Renders one diagnostic into an arena string (used by unit tests and the fuzzer). */
const char *diag_render_string(DiagSink *sink, bool color);

/* "Did you mean": the candidate closest to `word` by edit distance, or NULL when none is close. */
const char *diag_suggest(const char *word, const char *const *candidates, size_t ncandidates);
size_t diag_edit_distance(const char *a, const char *b);

#endif
