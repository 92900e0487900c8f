/* path.c - object paths for `goversec diff`: the segment stack walked while comparing, its
 * display text (spec.template.spec.containers[node].image), and the small pattern language the
 * defaults table and the classifier use ("POD.containers.[].imagePullPolicy", "*", "<a.b/c>"). */
#include <string.h>

#include "drift.h"

bool drift_path_push(DriftPath *p, const char *seg, const char *label)
{
    if (p->n >= DRIFT_PATH_MAX)
        return false;
    p->seg[p->n] = seg;
    p->label[p->n] = label;
    p->n++;
    return true;
}

void drift_path_pop(DriftPath *p)
{
    if (p->n > 0)
        p->n--;
}

const char *drift_path_text(Arena *a, const DriftPath *p)
{
    size_t cap = 1;
    for (int i = 0; i < p->n; i++)
        cap += strlen(p->label[i] ? p->label[i] : p->seg[i]) + 3;
    char *buf = arena_alloc(a, cap), *w = buf;
    for (int i = 0; i < p->n; i++) {
        const char *s = p->label[i] ? p->label[i] : p->seg[i];
        size_t len = strlen(s);
        bool item = strcmp(p->seg[i], "[]") == 0;
        if (item) {
            *w++ = '[';
        } else if (i > 0) {
            *w++ = '.';
        }
        memcpy(w, s, len);
        w += len;
        if (item)
            *w++ = ']';
    }
    *w = '\0';
    return buf;
}

const char *drift_pod_spec_path(const char *kind)
{
    static const char *const workloads[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"};
    for (size_t i = 0; i < sizeof workloads / sizeof *workloads; i++)
        if (strcmp(kind, workloads[i]) == 0)
            return "spec.template.spec";
    if (strcmp(kind, "CronJob") == 0)
        return "spec.jobTemplate.spec.template.spec";
    return NULL;
}

/* Next segment of a pattern: [*start, *end) and advances *pat past the separator. */
static bool next_segment(const char **pat, const char **start, size_t *len)
{
    const char *s = *pat;
    if (!*s)
        return false;
    if (*s == '<') {
        const char *close = strchr(s, '>');
        if (!close)
            return false;
        *start = s + 1;
        *len = (size_t)(close - s - 1);
        s = close + 1;
    } else {
        const char *dot = strchr(s, '.');
        *start = s;
        *len = dot ? (size_t)(dot - s) : strlen(s);
        s += *len;
    }
    if (*s == '.')
        s++;
    *pat = s;
    return true;
}

static bool match_from(const char *pattern, const char *kind, const DriftPath *p, int *at)
{
    const char *seg;
    size_t len;
    while (next_segment(&pattern, &seg, &len)) {
        if (len == 3 && memcmp(seg, "POD", 3) == 0) {
            const char *pod = drift_pod_spec_path(kind);
            if (!pod || !match_from(pod, kind, p, at))
                return false;
            continue;
        }
        if (*at >= p->n)
            return false;
        const char *have = p->seg[*at];
        bool any = len == 1 && seg[0] == '*';
        if (!any && (strlen(have) != len || memcmp(have, seg, len) != 0))
            return false;
        (*at)++;
    }
    return true;
}

bool drift_path_match(const char *pattern, const char *kind, const DriftPath *p)
{
    int at = 0;
    return match_from(pattern, kind, p, &at) && at == p->n;
}
