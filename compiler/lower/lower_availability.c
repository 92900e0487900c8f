/* lower_availability.c - PodDisruptionBudgets, the gate HorizontalPodAutoscaler and rollout strategies (design 7.3, 11.1, 13.3).
 * Empty until the production-topology work lands: the calls are wired in lower.c. */
#include "lower/lower_internal.h"

void lower_availability_knobs(Lower *l)
{
    (void)l;
}

void lower_availability_objects(Lower *l)
{
    (void)l;
}

void lower_availability_pass(Lower *l)
{
    (void)l;
}
