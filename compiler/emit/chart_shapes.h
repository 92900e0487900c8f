/* chart_shapes.h - which shared chart serves which cluster of a fleet. A build that shares charts
 * (driver: more than one cluster, or --charts shared) keeps one representative IR per shape
 * (ir_same_shape) and the name of the chart printed from it; every cluster is then mapped to a
 * chart, which emit_fleet reads to point each Argo CD Application at it. */
#ifndef GOVERSEC_CHART_SHAPES_H
#define GOVERSEC_CHART_SHAPES_H
#include "ir/ir.h"

typedef struct ChartShapes ChartShapes;

/* `a` must live for the whole build: representatives are lowered into it (chart_shapes_arena). */
ChartShapes *chart_shapes_new(Arena *a);
Arena *chart_shapes_arena(ChartShapes *s);
/* The chart serving clusters of c's shape, or NULL when c's shape is new. */
const char *chart_shapes_find(ChartShapes *s, const IrCluster *c);
/* Registers `representative` (allocated in chart_shapes_arena) as the shape of chart `name`.
 * After a chart_shapes_find that found nothing, `representative` must have the shape of the
 * cluster looked up (the driver lowers that cluster again): its hash is not computed again. */
void chart_shapes_add(ChartShapes *s, const IrCluster *representative, const char *name);
/* Cluster -> chart, for the Argo CD Applications. */
void chart_shapes_assign(ChartShapes *s, const char *cluster, const char *chart);
const char *chart_shapes_chart_of(const ChartShapes *s, const char *cluster);
int chart_shapes_count(const ChartShapes *s);

#endif
