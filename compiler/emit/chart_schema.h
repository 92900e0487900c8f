/* chart_schema.h - a chart's values.schema.json (draft-07), from the cluster's knobs. */
#ifndef GOVERSEC_CHART_SCHEMA_H
#define GOVERSEC_CHART_SCHEMA_H
#include "emit/knob_tree.h"
#include "ir/ir.h"
#include "support/strbuf.h"

/* Appends the document (ending with a newline) to `b`; `chart_name` is in its title. `knobs`:
 * knob_tree(a, c), or NULL to have it built here. */
void chart_schema(Arena *a, const IrCluster *c, const KnobLevel *knobs, const char *chart_name, StrBuf *b);

#endif
