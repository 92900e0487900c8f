/* ir_yaml_api.c - the entry point of ir_yaml.c, alone in this file so that the test suite can
 * link its check in front of it (tests/unit/yaml_oracle.c: every object is also evaluated into
 * Data, written by yaml_write_to - itself compared with libyaml's emitter - and the two texts
 * compared byte for byte), as it does for yaml_api.c. */
#include "ir/ir_yaml.h"

bool ir_yaml_object(YamlOut *out, IrYamlCache *cache, Arena *a, const IrCluster *c, const IrObject *obj,
                    const Data *values, IrEvalMemo *memo, bool *present, IrYamlMeta *meta)
{
    return ir_yaml_object_direct(out, cache, a, c, obj, values, memo, present, meta);
}
