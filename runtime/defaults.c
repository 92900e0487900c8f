/* defaults.c - THE table of values the Kubernetes API server fills in when a manifest leaves a
 * field unset (documented row for row in docs/diff.md). A live value at a listed path is ignored
 * when the desired object lacks that path and the live value equals the listed default; a value
 * the description sets is always compared. Patterns: see drift_path_match (path.c). */
#include <stdlib.h>
#include <string.h>

#include "drift.h"

#define WORKLOADS "Deployment,StatefulSet,DaemonSet,ReplicaSet,Job,CronJob"

static const DriftDefault DEFAULTS[] = {
    /* pod spec */
    {WORKLOADS, "POD.dnsPolicy", DEF_STR, "ClusterFirst"},
    {WORKLOADS, "POD.restartPolicy", DEF_STR, "Always"},
    {"Job,CronJob", "POD.restartPolicy", DEF_STR, "Never"},
    {WORKLOADS, "POD.schedulerName", DEF_STR, "default-scheduler"},
    {WORKLOADS, "POD.securityContext", DEF_EMPTY, NULL},
    {WORKLOADS, "POD.terminationGracePeriodSeconds", DEF_INT, "30"},
    {WORKLOADS, "POD.serviceAccount", DEF_SAME_AS, "serviceAccountName"},
    {WORKLOADS, "POD.enableServiceLinks", DEF_BOOL, "true"},
    {WORKLOADS, "POD.priority", DEF_INT, "0"},
    {WORKLOADS, "POD.preemptionPolicy", DEF_STR, "PreemptLowerPriority"},
    /* containers and init containers */
    {WORKLOADS, "POD.*.[].terminationMessagePath", DEF_STR, "/dev/termination-log"},
    {WORKLOADS, "POD.*.[].terminationMessagePolicy", DEF_STR, "File"},
    {WORKLOADS, "POD.*.[].imagePullPolicy", DEF_PULL_POLICY, NULL}, /* Always for :latest/no tag */
    {WORKLOADS, "POD.*.[].resources", DEF_EMPTY, NULL},
    {WORKLOADS, "POD.*.[].ports.[].protocol", DEF_STR, "TCP"},
    {WORKLOADS, "POD.*.[].env.[].valueFrom.fieldRef.apiVersion", DEF_STR, "v1"},
    {WORKLOADS, "POD.*.[].*.timeoutSeconds", DEF_INT, "1"},
    {WORKLOADS, "POD.*.[].*.successThreshold", DEF_INT, "1"},
    {WORKLOADS, "POD.*.[].*.failureThreshold", DEF_INT, "3"},
    {WORKLOADS, "POD.*.[].*.periodSeconds", DEF_INT, "10"},
    {WORKLOADS, "POD.*.[].*.httpGet.scheme", DEF_STR, "HTTP"},
    {WORKLOADS, "POD.volumes.[].configMap.defaultMode", DEF_INT, "420"},
    {WORKLOADS, "POD.volumes.[].secret.defaultMode", DEF_INT, "420"},
    {WORKLOADS, "POD.volumes.[].projected.defaultMode", DEF_INT, "420"},
    {WORKLOADS, "POD.volumes.[].emptyDir", DEF_EMPTY, NULL},
    /* Deployment / StatefulSet */
    {"Deployment,StatefulSet,DaemonSet", "spec.revisionHistoryLimit", DEF_INT, "10"},
    {"Deployment", "spec.progressDeadlineSeconds", DEF_INT, "600"},
    {"Deployment", "spec.strategy.type", DEF_STR, "RollingUpdate"},
    {"Deployment", "spec.strategy.rollingUpdate.maxSurge", DEF_STR, "25%"},
    {"Deployment", "spec.strategy.rollingUpdate.maxUnavailable", DEF_STR, "25%"},
    {"StatefulSet", "spec.updateStrategy.type", DEF_STR, "RollingUpdate"},
    {"StatefulSet", "spec.updateStrategy.rollingUpdate.partition", DEF_INT, "0"},
    /* Kubernetes >= 1.35 (MaxUnavailableStatefulSet) fills maxUnavailable 1 (seen on v1.37.2, tests/k8s). */
    {"StatefulSet", "spec.updateStrategy.rollingUpdate.maxUnavailable", DEF_INT, "1"},
    {"StatefulSet", "spec.podManagementPolicy", DEF_STR, "OrderedReady"},
    {"StatefulSet", "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", DEF_STR, "Retain"},
    {"StatefulSet", "spec.persistentVolumeClaimRetentionPolicy.whenScaled", DEF_STR, "Retain"},
    {"StatefulSet", "spec.volumeClaimTemplates.[].apiVersion", DEF_STR, "v1"},
    {"StatefulSet", "spec.volumeClaimTemplates.[].kind", DEF_STR, "PersistentVolumeClaim"},
    {"StatefulSet", "spec.volumeClaimTemplates.[].spec.volumeMode", DEF_STR, "Filesystem"},
    {"StatefulSet", "spec.volumeClaimTemplates.[].status", DEF_ANY, NULL},
    /* Service */
    {"Service", "spec.type", DEF_STR, "ClusterIP"},
    {"Service", "spec.clusterIP", DEF_ANY, NULL},
    {"Service", "spec.clusterIPs", DEF_ANY, NULL},
    {"Service", "spec.ipFamilies", DEF_ANY, NULL},
    {"Service", "spec.ipFamilyPolicy", DEF_STR, "SingleStack"},
    {"Service", "spec.sessionAffinity", DEF_STR, "None"},
    {"Service", "spec.internalTrafficPolicy", DEF_STR, "Cluster"},
    {"Service", "spec.ports.[].protocol", DEF_STR, "TCP"},
    {"Service", "spec.ports.[].targetPort", DEF_SAME_AS, "port"},
    /* Namespace: the API server labels every namespace with its own name. */
    {"Namespace", "metadata.labels.<kubernetes.io/metadata.name>", DEF_ANY, NULL},
    {"Namespace", "spec.finalizers", DEF_ANY, NULL},
    /* Ingress, PDB, HPA, NetworkPolicy */
    {"Ingress", "spec.rules.[].http.paths.[].pathType", DEF_STR, "ImplementationSpecific"},
    {"NetworkPolicy", "spec.policyTypes", DEF_ANY, NULL},
    {"NetworkPolicy", "spec.*.[].ports.[].protocol", DEF_STR, "TCP"},
    {"HorizontalPodAutoscaler", "spec.minReplicas", DEF_INT, "1"},
    /* autoscaling/v2 fills CPU 80% when no metric is given (both targets set to 0). */
    {"HorizontalPodAutoscaler", "spec.metrics", DEF_ANY, NULL},
    /* Job / CronJob */
    {"CronJob", "spec.concurrencyPolicy", DEF_STR, "Allow"},
    {"CronJob", "spec.suspend", DEF_BOOL, "false"},
    {"CronJob", "spec.successfulJobsHistoryLimit", DEF_INT, "3"},
    {"CronJob", "spec.failedJobsHistoryLimit", DEF_INT, "1"},
    {"Job", "spec.backoffLimit", DEF_INT, "6"},
    {"CronJob", "spec.jobTemplate.spec.backoffLimit", DEF_INT, "6"},
    {"Job", "spec.completions", DEF_INT, "1"},
    {"Job", "spec.parallelism", DEF_INT, "1"},
    {"Job", "spec.completionMode", DEF_STR, "NonIndexed"},
    {"CronJob", "spec.jobTemplate.spec.completionMode", DEF_STR, "NonIndexed"},
    {"CronJob", "spec.jobTemplate.metadata", DEF_EMPTY, NULL},
    /* PersistentVolumeClaim (created from volumeClaimTemplates) */
    {"PersistentVolumeClaim", "spec.volumeMode", DEF_STR, "Filesystem"},
    {"PersistentVolumeClaim", "spec.volumeName", DEF_ANY, NULL},
    /* the StorageObjectInUseProtection admission plugin (on by default) adds kubernetes.io/pvc-protection */
    {"PersistentVolumeClaim", "metadata.finalizers", DEF_ANY, NULL},
    /* ServiceAccount: clusters before 1.24 attach a token Secret to every account. */
    {"ServiceAccount", "secrets", DEF_ANY, NULL},
    /* Secret */
    {"Secret", "type", DEF_STR, "Opaque"},
};

const DriftDefault *drift_defaults(size_t *n)
{
    *n = sizeof DEFAULTS / sizeof *DEFAULTS;
    return DEFAULTS;
}

static bool kind_listed(const char *kinds, const char *kind)
{
    if (strcmp(kinds, "*") == 0)
        return true;
    size_t klen = strlen(kind);
    for (const char *s = kinds; *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == klen && memcmp(s, kind, len) == 0)
            return true;
        s += len + (comma ? 1 : 0);
    }
    return false;
}

/* The API server's rule: Always when the image has no tag or the tag "latest" (and no digest). */
static const char *pull_policy_for(const Data *container)
{
    const Data *image = container ? data_get(container, "image") : NULL;
    if (!image || image->kind != DATA_STR)
        return "IfNotPresent";
    const char *s = image->u.str.s;
    if (strchr(s, '@'))
        return "IfNotPresent";
    const char *slash = strrchr(s, '/');
    const char *colon = strrchr(slash ? slash : s, ':');
    if (!colon || strcmp(colon, ":latest") == 0)
        return "Always";
    return "IfNotPresent";
}

static bool value_matches(const DriftDefault *d, const Data *live, const Data *parent)
{
    switch (d->match) {
    case DEF_ANY:
        return true;
    case DEF_EMPTY:
        return (live->kind == DATA_MAP || live->kind == DATA_SEQ) && live->u.kids.count == 0;
    case DEF_STR:
        return live->kind == DATA_STR && strcmp(live->u.str.s, d->value) == 0;
    case DEF_INT:
        return live->kind == DATA_INT && live->u.i == strtoll(d->value, NULL, 10);
    case DEF_BOOL:
        return live->kind == DATA_BOOL && live->u.b == (strcmp(d->value, "true") == 0);
    case DEF_PULL_POLICY:
        return live->kind == DATA_STR && strcmp(live->u.str.s, pull_policy_for(parent)) == 0;
    case DEF_SAME_AS: {
        const Data *sib = parent ? data_get(parent, d->value) : NULL;
        return sib && data_equal(sib, live);
    }
    }
    return false;
}

/* Cheap filter before the full match: the pattern's last segment against the path's. */
static bool last_segment_may_match(const char *pattern, const DriftPath *p)
{
    if (p->n == 0)
        return false;
    size_t plen = strlen(pattern);
    if (plen && pattern[plen - 1] == '>')
        return true;
    const char *dot = strrchr(pattern, '.');
    const char *last = dot ? dot + 1 : pattern;
    return !strcmp(last, "*") || !strcmp(last, p->seg[p->n - 1]);
}

bool drift_is_server_default(const char *kind, const DriftPath *p, const Data *live, const Data *parent)
{
    for (size_t i = 0; i < sizeof DEFAULTS / sizeof *DEFAULTS; i++) {
        const DriftDefault *d = &DEFAULTS[i];
        if (last_segment_may_match(d->path, p) && kind_listed(d->kinds, kind) &&
            drift_path_match(d->path, kind, p) &&
            value_matches(d, live, parent))
            return true;
    }
    return false;
}
