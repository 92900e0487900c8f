/* emit.h - emitters: walk the IR and add files to an OutTree.
 * Manifests: <cluster>/manifests/{namespace.yaml, configmap.yaml, etcd/, nodes/, gates/,
 * postgres/, inspector/, ...} + kustomization.yaml listing every file, evaluated under `values`.
 * Chart (issue 3): <cluster>/chart/ printed from the same IR. */
#ifndef GOVERSEC_EMIT_H
#define GOVERSEC_EMIT_H
#include <stdbool.h>

#include "emit/outtree.h"
#include "ir/ir.h"

/* Writes one YAML document (through libyaml) to `path` in the tree; false with *err otherwise. */
bool emit_add_yaml(Arena *a, OutTree *out, const char *path, const Data *doc, const char **err);

/* prefix: directory inside the tree for this cluster ("chat-prod"). */
bool emit_manifests(Arena *a, const IrCluster *c, const Data *values, OutTree *out,
                    const char *prefix, const char **err);
/* The same, writing through `yaml` (yamlio.h), which a build keeps for all its clusters: the
 * text buffer and the YAML writer's caches of the keys and values written (the same IR literals
 * in every cluster) then serve every cluster. */
struct YamlOut;
bool emit_manifests_with(struct YamlOut *yaml, Arena *a, const IrCluster *c, const Data *values, OutTree *out,
                         const char *prefix, const char **err);

/* The Helm chart: <prefix>/chart/{Chart.yaml, values.yaml, values.schema.json, README.md,
 * templates/...}. `values` are the resolved values (defaults + overrides): they become the
 * chart's defaults, except namespace.create which Helm users get as false. */
bool emit_chart(Arena *a, const IrCluster *c, const Data *values, OutTree *out, const char *prefix,
                const char **err);

/* A fleet's shared charts: OUT/charts/<name>/ serves every cluster of c's shape (ir_same_shape),
 * printed from c with c's values as defaults; each cluster then gets only OUT/<cluster>/values.yaml
 * (emit_cluster_values: all its values, with namespace.create false as in a chart). */
#define SHARED_CHARTS_DIR "charts"
bool emit_shared_chart(Arena *a, const IrCluster *c, const Data *values, OutTree *out, const char *name,
                       const char **err);
bool emit_cluster_values(Arena *a, const IrCluster *c, const Data *values, OutTree *out, const char *prefix,
                         const char *chart_name, const char **err);

#endif
