/* lower_security.c - pod security, network policies, RBAC and mTLS certificates (design section 9).
 * Empty until the production-topology work lands: the calls are wired in lower.c. */
#include "lower/lower_internal.h"

void lower_security_knobs(Lower *l)
{
    (void)l;
}

void lower_security_objects(Lower *l)
{
    (void)l;
}

void lower_security_pass(Lower *l)
{
    (void)l;
}
