/* fleet.h - fleet-level output: the Argo CD objects that deploy every cluster of the tree from
 * git (OUT/argocd/<cluster>.yaml + OUT/argocd/kustomization.yaml). Built from the Model's
 * `gitops` settings directly: these objects have no chart knobs, so they bypass the IR. */
#ifndef GOVERSEC_FLEET_H
#define GOVERSEC_FLEET_H
#include <stdbool.h>

#include "check/model.h"
#include "emit/chart_shapes.h"
#include "emit/outtree.h"
#include "ir/data.h"

/* The directory of the fleet objects, at the top of the output tree. */
#define FLEET_DIR "argocd"

/* The Application (argoproj.io/v1alpha1) deploying cluster `c`; NULL when it has no gitops.
 * `shapes`: the fleet's shared charts (NULL: each cluster has its own OUT/<cluster>/chart/). */
Data *fleet_application(Arena *a, const Cluster *c, const ChartShapes *shapes);

/* Adds FLEET_DIR/<cluster>.yaml for each cluster with gitops, and FLEET_DIR/kustomization.yaml
 * listing them; adds nothing when no cluster uses gitops. False with *err on a write failure. */
bool emit_fleet(Arena *a, const Model *m, const ChartShapes *shapes, OutTree *out, const char **err);

#endif
