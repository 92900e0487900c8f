/* lower_backup.c - etcd snapshot and pg_dump CronJobs with their PVCs, and restore Jobs (design section 10).
 * Empty until the production-topology work lands: the calls are wired in lower.c. */
#include "lower/lower_internal.h"

void lower_backup_knobs(Lower *l)
{
    (void)l;
}

void lower_backup_objects(Lower *l)
{
    (void)l;
}
