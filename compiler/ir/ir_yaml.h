/* ir_yaml.h - an IR object written straight to YAML text (ir_yaml.c): the manifest emitter's
 * path. The text is the YAML writer's for the object's evaluated document (ir_eval_object_written
 * then yaml_write_to), byte for byte, without building the document: literal maps, sequences and
 * strings of the IR are written as they are walked, and only references and expressions are
 * evaluated into Data. The test build checks every object written this way against that path
 * (tests/unit/yaml_oracle.c, which also holds it to libyaml's emitter). */
#ifndef GOVERSEC_IR_YAML_H
#define GOVERSEC_IR_YAML_H
#include "ir/ir.h"
#include "yaml/yamlio.h"

/* The written texts of IR keys and literal strings, by address (IR text is never written in
 * place and outlives the cluster's emission): one per cluster, in an arena that lives as long as
 * its IR. */
typedef struct IrYamlCache IrYamlCache;
IrYamlCache *ir_yaml_cache_new(Arena *a);

/* What the inventory needs of a written object: data_get(data_get(doc, "metadata"), field) of
 * its document (NULL: absent). */
typedef struct IrYamlMeta {
    const Data *name, *namespace_;
} IrYamlMeta;

/* Replaces out's text by obj's document. *present is false when the object is not written (its
 * condition does not hold; nothing written). Returns false when the evaluation or the writing
 * fails: the caller then takes the Data path for the object's error. Evaluates in `a`. */
bool ir_yaml_object(YamlOut *out, IrYamlCache *cache, Arena *a, const IrCluster *c, const IrObject *obj,
                    const Data *values, IrEvalMemo *memo, bool *present, IrYamlMeta *meta);
/* ir_yaml_object as ir_yaml.c implements it; ir_yaml_object is this in the product (ir_yaml_api.c)
 * and this plus the comparison with the Data path in the test build. */
bool ir_yaml_object_direct(YamlOut *out, IrYamlCache *cache, Arena *a, const IrCluster *c, const IrObject *obj,
                           const Data *values, IrEvalMemo *memo, bool *present, IrYamlMeta *meta);

#endif
