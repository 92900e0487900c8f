/* chart_values.h - a chart's values.yaml: the values, each knob's description as comments. */
#ifndef GOVERSEC_CHART_VALUES_H
#define GOVERSEC_CHART_VALUES_H
#include "ir/ir.h"
#include "support/strbuf.h"

/* Appends the file's text to `b`: a header naming `chart_name`, then the entries of `values`.
 * `by_knob`, when not NULL, has c->nknobs slots: on the way, slot k->ordinal - 1 is set to the
 * entry of `values` at knob k's path (NULL when the writer did not come across it: a knob inside
 * another knob's value, or none). The slots hold that only when true is returned (the direct
 * path ran); the README's table reads them instead of looking each path up again. */
bool chart_values_yaml(Arena *a, const IrCluster *c, const char *chart_name, const Data *values, StrBuf *b,
                       const Data **by_knob);

/* Appends the YAML text of `values` (a non-empty map), as yaml_write_one writes it, and returns
 * true; false (nothing appended) for what only the YAML writer handles (see chart_values.c). */
bool chart_values_plain(const Data *values, StrBuf *b);

#endif
