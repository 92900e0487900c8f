/* lower_placement.c - zones, pod anti-affinity and topology spread (design section 14).
 * Empty until the production-topology work lands: the calls are wired in lower.c. */
#include "lower/lower_internal.h"

void lower_placement_knobs(Lower *l)
{
    (void)l;
}

void lower_placement_pass(Lower *l)
{
    (void)l;
}
