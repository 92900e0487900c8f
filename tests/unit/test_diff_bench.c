/* test_diff_bench.c - performance of the drift comparison: 10,000 live objects (Deployments in
 * API-server form, defaults filled in, every tenth drifted) against their desired objects, under
 * 0.5 s on one core (process CPU time, so a loaded CI machine does not fail it; wall time is
 * printed too). The bound is asserted only in optimised builds without AddressSanitizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "drift.h"

enum { NOBJECTS = 10000 };

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif
/* The bound is the shipped binary's: only optimised, unsanitised builds assert it. */
#if defined(__OPTIMIZE__) && !UNDER_ASAN
#define ASSERT_BOUND 1
#else
#define ASSERT_BOUND 0
#endif

static Data *str(Arena *a, const char *s)
{
    return data_str(a, s);
}

static Data *deployment(Arena *a, int i, bool live)
{
    Data *d = data_map(a);
    data_put(a, d, "apiVersion", str(a, "apps/v1"));
    data_put(a, d, "kind", str(a, "Deployment"));
    Data *m = data_put(a, d, "metadata", data_map(a));
    data_put(a, m, "name", str(a, arena_printf(a, "worker-%d", i)));
    data_put(a, m, "namespace", str(a, "bench"));
    Data *labels = data_put(a, m, "labels", data_map(a));
    data_put(a, labels, "app", str(a, arena_printf(a, "worker-%d", i)));
    data_put(a, labels, "app.kubernetes.io/managed-by", str(a, "goversec"));
    Data *spec = data_put(a, d, "spec", data_map(a));
    data_put(a, spec, "replicas", data_int(a, live && i % 10 == 0 ? 4 : 3));
    data_put(a, data_put(a, spec, "selector", data_map(a)), "matchLabels", data_clone(a, labels));
    Data *pod = data_put(a, data_put(a, spec, "template", data_map(a)), "spec", data_map(a));
    Data *c = data_push(data_put(a, pod, "containers", data_seq(a)), data_map(a));
    data_put(a, c, "name", str(a, "worker"));
    data_put(a, c, "image", str(a, "goverse/worker:1.0.0"));
    Data *env = data_put(a, c, "env", data_seq(a));
    for (int k = 0; k < 4; k++) {
        Data *e = data_push(env, data_map(a));
        data_put(a, e, "name", str(a, arena_printf(a, "VAR_%d", k)));
        data_put(a, e, "value", str(a, "x"));
    }
    Data *limits = data_put(a, data_put(a, c, "resources", data_map(a)), "limits", data_map(a));
    data_put(a, limits, "cpu", str(a, live ? "1000m" : "1"));
    data_put(a, limits, "memory", str(a, live ? "1024Mi" : "1Gi"));
    if (live) {
        data_put(a, m, "uid", str(a, "0f0f"));
        data_put(a, m, "resourceVersion", str(a, "12"));
        data_put(a, spec, "revisionHistoryLimit", data_int(a, 10));
        data_put(a, spec, "progressDeadlineSeconds", data_int(a, 600));
        data_put(a, pod, "dnsPolicy", str(a, "ClusterFirst"));
        data_put(a, pod, "restartPolicy", str(a, "Always"));
        data_put(a, pod, "schedulerName", str(a, "default-scheduler"));
        data_put(a, c, "terminationMessagePath", str(a, "/dev/termination-log"));
        data_put(a, c, "terminationMessagePolicy", str(a, "File"));
        data_put(a, c, "imagePullPolicy", str(a, "IfNotPresent"));
        data_put(a, data_put(a, d, "status", data_map(a)), "replicas", data_int(a, 3));
    }
    return d;
}

static void test_ten_thousand_objects(void **state)
{
    (void)state;
    Arena *a = arena_new();
    Data **desired = ARENA_ARRAY(a, Data *, NOBJECTS), **live = ARENA_ARRAY(a, Data *, NOBJECTS);
    for (int i = 0; i < NOBJECTS; i++) {
        desired[i] = deployment(a, i, false);
        live[NOBJECTS - 1 - i] = deployment(a, i, true); /* different order than desired */
    }
    DriftInput in = {.cluster = "bench", .namespace_name = "bench", .desired = desired,
                     .ndesired = NOBJECTS, .live = live, .nlive = NOBJECTS, .want_diff_text = true};
    struct timespec c0, c1, w0, w1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    clock_gettime(CLOCK_MONOTONIC, &w0);
    DriftReport *r = drift_compare(a, &in);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double secs = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
    double wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
    printf("diff of %d live objects: %.3f s CPU (%.3f s wall)%s\n", NOBJECTS, secs, wall,
           ASSERT_BOUND ? "" : " (unoptimised or sanitised build: bound not asserted)");
    assert_int_equal(r->count, NOBJECTS);
    assert_int_equal(r->nchanged, NOBJECTS / 10);
    assert_int_equal(r->nunchanged, NOBJECTS - NOBJECTS / 10);
    if (ASSERT_BOUND)
        assert_true(secs < 0.5);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_thousand_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
