/* ir_yaml_oracle.c - the check of the manifest emitter's direct path (ir/ir_yaml.c), test suite
 * only: linked in front of libgoversec_core in goversec-oracle (as yaml_oracle.c is), this
 * ir_yaml_object writes every object both ways - walked straight to text, and evaluated into
 * Data then written by yaml_write_to, which yaml_oracle.c holds to libyaml's emitter - and stops
 * the program (abort) at the first object where they differ: the text, whether the object is
 * written, whether it fails, or the metadata its inventory entry takes. The golden, fleet and
 * determinism suites run goversec-oracle over every example and fleet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir_yaml.h"

static void differ(const IrObject *obj, const char *what)
{
    fprintf(stderr, "ir_yaml oracle: '%s' (%s %s): the direct path and the Data path differ: %s\n", obj->path,
            obj->kind, obj->name, what);
    fflush(stderr);
    abort();
}

bool ir_yaml_object(YamlOut *out, IrYamlCache *cache, Arena *a, const IrCluster *c, const IrObject *obj,
                    const Data *values, IrEvalMemo *memo, bool *present, IrYamlMeta *meta)
{
    bool ok = ir_yaml_object_direct(out, cache, a, c, obj, values, memo, present, meta);
    const char *direct = ok && *present ? arena_strndup(a, out->text, out->len) : NULL;
    size_t direct_len = ok && *present ? out->len : 0;
    bool data_present;
    Data *doc = ir_eval_object_written(a, c, obj, values, memo, &data_present);
    if (data_present != *present)
        differ(obj, "whether the object is written");
    if (!*present)
        return ok;
    bool data_ok = doc && yaml_write_to(out, doc); /* yaml_oracle.c's: checked against libyaml */
    if (data_ok != ok)
        differ(obj, ok ? "only the Data path fails" : "only the direct path fails");
    if (!ok)
        return false;
    if (out->len != direct_len || memcmp(out->text, direct, direct_len) != 0)
        differ(obj, "the texts");
    const Data *metadata = data_get(doc, "metadata");
    if (!data_equal(meta->name, data_get(metadata, "name")) ||
        !data_equal(meta->namespace_, data_get(metadata, "namespace")))
        differ(obj, "metadata.name or metadata.namespace");
    return true;
}
