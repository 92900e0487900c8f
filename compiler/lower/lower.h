/* lower.h - lowering: the typed Model of one cluster -> its IrCluster (Kubernetes objects as
 * symbolic trees + the chart knobs they reference). Object names, labels and field order follow
 * ../docs/architecture.md and the design document, field for field. */
#ifndef GOVERSEC_LOWER_H
#define GOVERSEC_LOWER_H
#include "check/model.h"
#include "ir/ir.h"
#include "support/diag.h"

IrCluster *lower_cluster(Arena *arena, const Cluster *cluster, DiagSink *diags);

/* What lowering builds the same for every cluster (the Grafana dashboard's ~20 KB of JSON), built
 * once and kept for the next clusters of a build: a fleet's driver creates one in an arena that
 * outlives every IR lowered with it and lowers each cluster with lower_cluster_shared. The IRs
 * then point into that arena (and the shape comparison finds the text equal by address). The
 * result is the same IR as lower_cluster's, which is lower_cluster_shared with NULL. */
typedef struct LowerShared LowerShared;
LowerShared *lower_shared_new(Arena *a);
IrCluster *lower_cluster_shared(Arena *arena, LowerShared *shared, const Cluster *cluster, DiagSink *diags);
Ir *lower_model(Arena *arena, const Model *model, DiagSink *diags);

#endif
