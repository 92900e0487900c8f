/* template.h - prints IR trees as Helm templates: the chart half of "one IR, two printers".
 * IR_REF -> {{ $.Values.path }}, `when` -> {{- if }} ... {{- end }}, IR_EXPR -> its template
 * form. YAML subtrees (EXPR_YAML, the Goverse config) become named templates whose output is
 * byte-identical to what the manifest emitter writes, so config checksums agree too. */
#ifndef GOVERSEC_TEMPLATE_H
#define GOVERSEC_TEMPLATE_H
#include "ir/ir.h"
#include "support/strbuf.h"

typedef struct TemplateDefine {
    const char *name;    /* "goverse.yaml.1" */
    const char *body;    /* template text, no trailing newline */
    struct TemplateDefine *next;
} TemplateDefine;

typedef struct TemplatePrinter TemplatePrinter;

TemplatePrinter *template_printer_new(Arena *a, const IrCluster *c, const char *chart_name);
/* The whole template file for one object (wrapped in its condition); the text stays valid. */
const char *template_object(TemplatePrinter *p, const IrObject *obj);
/* The same text appended to `b` (NUL-terminated), for a caller that reuses one buffer. */
void template_object_to(TemplatePrinter *p, const IrObject *obj, StrBuf *b);
/* Defines collected while printing objects (YAML subtrees), in first-use order. */
const TemplateDefine *template_defines(const TemplatePrinter *p);
/* A Go template condition expression for `cond` (without braces). */
const char *template_cond(TemplatePrinter *p, const IrCond *cond);

#endif
