/* drift.h - internals of `goversec diff` shared by the runtime/ files: the compared objects and
 * their classified changes (DriftReport), object paths, and the entry points of each stage
 * (live loading, normalisation, defaults table, classification, line diff, reports).
 * Nothing here is global: every stage takes the Arena and the values it needs. */
#ifndef GOVERSEC_DRIFT_H
#define GOVERSEC_DRIFT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ir/data.h"
#include "support/arena.h"

typedef enum DriftStatus { DRIFT_UNCHANGED, DRIFT_CHANGED, DRIFT_MISSING, DRIFT_ORPHANED } DriftStatus;

/* Ordered by severity: an object's impact is the maximum of its changes'. */
typedef enum DriftImpact {
    IMPACT_NONE,
    IMPACT_IN_PLACE,
    IMPACT_ROLLING_RESTART,
    IMPACT_RECREATE,
    IMPACT_DATA_RISK,
} DriftImpact;

typedef struct DriftChange {
    const char *path;           /* display path: spec.template.spec.containers[node].image */
    DriftImpact impact;
    const char *reason;
    const char *todo;           /* what to do about it: set for every needs-recreate / data-risk change */
    struct DriftChange *next;
} DriftChange;

typedef struct DriftObject {
    const char *group, *kind, *ns, *name; /* identity: API group + kind + namespace + name */
    Data *desired, *live;       /* as compiled / as read back (NULL when absent) */
    Data *want, *have;          /* normalised: what is compared and shown (want may alias desired) */
    DriftStatus status;
    DriftImpact impact;
    DriftChange *changes, *changes_tail;
    const char *diff_text;      /* unified diff live -> desired, for changed objects */
    const char *todo;           /* orphans that risk data: what to do about them */
    struct DriftObject *next;
} DriftObject;

typedef struct DriftReport {
    const char *cluster, *namespace_name;
    DriftObject *objects, *tail;
    size_t count, nchanged, nmissing, norphaned, nunchanged;
    bool destructive;
} DriftReport;

typedef struct DriftInput {
    const char *cluster, *namespace_name;
    Data **desired;
    size_t ndesired;
    Data **live;
    size_t nlive;
    const char **inventory;     /* "Kind/name" or "Kind.group/name" previously applied; may be NULL */
    size_t ninventory;
    bool want_diff_text;        /* compute unified diffs (the benchmark measures without them) */
} DriftInput;

/* ---- paths ------------------------------------------------------------------------------------ */

enum { DRIFT_PATH_MAX = 48 };

/* Path from an object's root: map keys, and "[]" for a sequence element (patterns match on it);
 * label[] holds what a human reads for the element (its name, or its index). */
typedef struct DriftPath {
    const char *seg[DRIFT_PATH_MAX];
    const char *label[DRIFT_PATH_MAX];
    int n;
} DriftPath;

bool drift_path_push(DriftPath *p, const char *seg, const char *label);
void drift_path_pop(DriftPath *p);
const char *drift_path_text(Arena *a, const DriftPath *p);
/* Matches "a.b.[].c" style patterns ("*" = any key, "<x.y/z>" = a key containing dots, "POD" = the
 * pod spec of `kind`) against p from segment `from`. */
bool drift_path_match(const char *pattern, const char *kind, const DriftPath *p);
/* "spec.template.spec" for workloads, the jobTemplate one for CronJob, NULL otherwise. */
const char *drift_pod_spec_path(const char *kind);

/* ---- stages ----------------------------------------------------------------------------------- */

/* compare.c: matching, normalisation, classification of every object. */
DriftReport *drift_compare(Arena *a, const DriftInput *in);
DriftObject *drift_find(const DriftReport *r, const char *group, const char *kind, const char *name);
const char *drift_scalar_text(Arena *a, const Data *d); /* NULL for maps/seqs */

/* normalize.c */
Data *drift_strip_server_fields(Arena *a, const Data *live);
void drift_normalize_pair(Arena *a, const char *kind, const Data *want, Data *have);
void drift_mask_secret(Arena *a, Data *want, Data *have);
void drift_drop_replicas(Data *obj);
const char *drift_item_key(const char *list_key, const Data *item);
bool drift_env_order_matters(const Data *env_seq);
bool drift_quantity_key(const DriftPath *p);
bool drift_int_or_string_key(const DriftPath *p);

/* defaults.c: the one table of values the API server fills in. */
typedef enum DefaultMatch { DEF_STR, DEF_INT, DEF_BOOL, DEF_EMPTY, DEF_ANY, DEF_SAME_AS,
                           DEF_PULL_POLICY } DefaultMatch;
typedef struct DriftDefault {
    const char *kinds;          /* comma-separated kinds, "*" for any */
    const char *path;
    DefaultMatch match;
    const char *value;          /* STR/INT/BOOL: the value; SAME_AS: the sibling key */
} DriftDefault;
const DriftDefault *drift_defaults(size_t *n);
/* True when `live` at p (in a map `parent`) is a server default the description left unset. */
bool drift_is_server_default(const char *kind, const DriftPath *p, const Data *live, const Data *parent);

/* classify.c */
void drift_collect_changes(Arena *a, DriftObject *o);
void drift_classify_report(Arena *a, DriftReport *r);
const char *drift_impact_name(DriftImpact impact);
const char *drift_status_name(DriftStatus status);

/* linediff.c: unified diff with 3 lines of context; "" when equal. */
const char *drift_unified_diff(Arena *a, const char *old_text, const char *new_text,
                               const char *old_label, const char *new_label);

/* report.c / report_json.c */
void drift_report_text(const DriftReport *r, FILE *out, bool color);
void drift_report_json(const DriftReport *r, FILE *out);
int drift_exit_status(const DriftReport *r);

/* live.c: YAML/JSON stream -> object list (Lists expanded). -1 after writing errors to err. */
long drift_parse_live(Arena *a, const char *name, const char *text, size_t len, Data ***objs, FILE *err);

/* kubectl.c */
typedef struct KubectlResult {
    int status;                 /* exit status; -1 when it could not be started */
    bool not_found;             /* program not on PATH */
    const char *out, *err;
    size_t out_len, err_len;
} KubectlResult;
void kubectl_run(Arena *a, const char *program, const char *const *argv, KubectlResult *res);
/* "statefulsets.apps" for ("apps", "StatefulSet"). */
const char *kubectl_resource_name(Arena *a, const char *group, const char *kind);

#endif
