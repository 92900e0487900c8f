/* chart_values.h - a chart's values.yaml: the values, each knob's description as comments. */
#ifndef GOVERSEC_CHART_VALUES_H
#define GOVERSEC_CHART_VALUES_H
#include "emit/knob_tree.h"
#include "ir/ir.h"
#include "support/strbuf.h"

/* What values.yaml's direct writer saw of each knob, in slots by k->ordinal - 1 (c->nknobs of
 * each): the entry of the values at the knob's path (NULL when the writer did not come across
 * it: a knob inside another knob's value, or none), and a bit set when that entry is a string
 * written as it is (yaml_scalar_append's text is the string itself), else that text. The
 * README's table reads them instead of looking each path up and writing each string again. */
typedef struct KnobValues {
    const Data **entry;
    uint64_t *plain;
    /* When not NULL: for a string entry not written as it is, its text as written (quotes and
     * escapes included, copied to the arena), which is what yaml_scalar_text gives for it. */
    struct WrittenScalar {
        const char *text;
        size_t len;
    } *written;
} KnobValues;

/* Appends the file's text to `b`: a header naming `chart_name`, then the entries of `values`.
 * `knobs`: knob_tree(a, c), or NULL to have it built here when needed. Fills `seen` when not
 * NULL; its slots hold what KnobValues says only when true is returned (the direct path ran). */
bool chart_values_yaml(Arena *a, const IrCluster *c, const KnobLevel *knobs, const char *chart_name,
                       const Data *values, StrBuf *b, KnobValues *seen);

/* Appends the YAML text of `values` (a non-empty map), as yaml_write_one writes it, and returns
 * true; false (nothing appended) for what only the YAML writer handles (see chart_values.c). */
bool chart_values_plain(const Data *values, StrBuf *b);

#endif
