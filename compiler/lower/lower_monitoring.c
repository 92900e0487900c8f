/* lower_monitoring.c - ServiceMonitors, the PrometheusRule and the Grafana dashboard (design section 8).
 * Empty until the production-topology work lands: the calls are wired in lower.c. */
#include "lower/lower_internal.h"

void lower_monitoring_knobs(Lower *l)
{
    (void)l;
}

void lower_monitoring_objects(Lower *l)
{
    (void)l;
}
