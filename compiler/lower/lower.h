/* lower.h - lowering: the typed Model of one cluster -> its IrCluster (Kubernetes objects as
 * symbolic trees + the chart knobs they reference). Object names, labels and field order follow
 * ../docs/architecture.md and the design document, field for field. */
#ifndef GOVERSEC_LOWER_H
#define GOVERSEC_LOWER_H
#include "check/model.h"
#include "ir/ir.h"
#include "support/diag.h"

IrCluster *lower_cluster(Arena *arena, const Cluster *cluster, DiagSink *diags);
Ir *lower_model(Arena *arena, const Model *model, DiagSink *diags);

#endif
