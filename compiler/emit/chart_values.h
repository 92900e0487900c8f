/* chart_values.h - a chart's values.yaml: the values, each knob's description as comments. */
#ifndef GOVERSEC_CHART_VALUES_H
#define GOVERSEC_CHART_VALUES_H
#include "ir/ir.h"
#include "support/strbuf.h"

/* Appends the file's text to `b`: a header naming `chart_name`, then the entries of `values`. */
void chart_values_yaml(Arena *a, const IrCluster *c, const char *chart_name, const Data *values, StrBuf *b);

/* Appends the YAML text of `values` (a non-empty map), as yaml_write_one writes it, and returns
 * true; false (nothing appended) for what only the YAML writer handles (see chart_values.c). */
bool chart_values_plain(const Data *values, StrBuf *b);

#endif
