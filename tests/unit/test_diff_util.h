/* test_diff_util.h - shared fixture for the `goversec diff` unit tests: compiles a fixture .gv with
 * the real pipeline, loads the matching live dump (API-server form), and small helpers to mutate
 * live objects and inspect the resulting DriftReport. */
#ifndef TEST_DIFF_UTIL_H
#define TEST_DIFF_UTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver/driver.h"
#include "drift.h"
#include "support/source.h"

typedef struct DiffFixture {
    Compilation comp;
    Arena *a;
    Data **desired;
    size_t ndesired;
    Data **live;
    size_t nlive;
} DiffFixture;

static inline void fixture_load_live(DiffFixture *f, const char *file)
{
    const char *path = arena_printf(f->a, "%s/diff/fixtures/%s", TESTS_DIR, file);
    SourceMap map;
    source_map_init(&map, f->a);
    const char *why = NULL;
    SourceFile *src = source_load(&map, path, &why);
    if (!src)
        fail_msg("cannot read %s: %s", path, why);
    Data **objs = NULL;
    long n = drift_parse_live(f->a, path, src->text, src->len, &objs, stderr);
    assert_true(n > 0);
    Data **all = ARENA_ARRAY(f->a, Data *, f->nlive + (size_t)n + 1);
    if (f->nlive)
        memcpy(all, f->live, f->nlive * sizeof *all);
    memcpy(all + f->nlive, objs, (size_t)n * sizeof *objs);
    f->live = all;
    f->nlive += (size_t)n;
}

/* name: "design" or "zalando" (fixtures/<name>.gv, live-<name>-all.json). */
static inline DiffFixture *fixture_open(const char *name)
{
    DiffFixture *f = calloc(1, sizeof *f);
    driver_init(&f->comp);
    f->a = f->comp.arena;
    DriverOptions opts = {0};
    const char *gv = arena_printf(f->a, "%s/diff/fixtures/%s.gv", TESTS_DIR, name);
    int status = driver_compile_file(&f->comp, gv, &opts);
    if (status != DRIVER_OK) {
        diag_render(&f->comp.diags, stderr, false);
        fail_msg("compiling %s failed (%d)", gv, status);
    }
    const IrCluster *c = f->comp.ir->clusters[0];
    size_t n = 0;
    for (const IrObject *o = c->objects; o; o = o->next)
        n++;
    f->desired = ARENA_ARRAY(f->a, Data *, n + 8);
    for (const IrObject *o = c->objects; o; o = o->next) {
        Data *d = ir_eval_object(f->a, c, o, f->comp.values[0]);
        if (d)
            f->desired[f->ndesired++] = d;
    }
    fixture_load_live(f, arena_printf(f->a, "live-%s-all.json", name));
    return f;
}

static inline void fixture_close(DiffFixture *f)
{
    driver_dispose(&f->comp);
    free(f);
}

/* Every needs-recreate / data-risk change, and every data-risk orphan, says what to do. */
static inline void assert_todos(const DriftReport *r)
{
    for (const DriftObject *o = r->objects; o; o = o->next) {
        if (o->status == DRIFT_ORPHANED && o->impact == IMPACT_DATA_RISK && !o->todo)
            fail_msg("orphaned %s/%s: no 'what to do'", o->kind, o->name);
        for (const DriftChange *c = o->changes; c; c = c->next)
            if (c->impact >= IMPACT_RECREATE && (!c->todo || !*c->todo))
                fail_msg("%s/%s %s (%s): no 'what to do'", o->kind, o->name, c->path, c->reason);
    }
}

static inline DriftReport *fixture_compare(DiffFixture *f)
{
    const IrCluster *c = f->comp.ir->clusters[0];
    DriftInput in = {.cluster = c->name, .namespace_name = c->namespace_name, .desired = f->desired,
                     .ndesired = f->ndesired, .live = f->live, .nlive = f->nlive, .want_diff_text = true};
    DriftReport *r = drift_compare(f->a, &in);
    assert_todos(r);
    return r;
}

static inline Data *live_object(DiffFixture *f, const char *kind, const char *name)
{
    for (size_t i = 0; i < f->nlive; i++) {
        const Data *k = data_get(f->live[i], "kind"), *n = data_path(f->live[i], "metadata.name");
        if (k && n && !strcmp(k->u.str.s, kind) && !strcmp(n->u.str.s, name))
            return f->live[i];
    }
    fail_msg("no live %s/%s", kind, name);
    return NULL;
}

static inline void live_remove(DiffFixture *f, const char *kind, const char *name)
{
    Data *obj = live_object(f, kind, name);
    size_t k = 0;
    for (size_t i = 0; i < f->nlive; i++)
        if (f->live[i] != obj)
            f->live[k++] = f->live[i];
    f->nlive = k;
}

static inline void live_add(DiffFixture *f, Data *obj)
{
    Data **all = ARENA_ARRAY(f->a, Data *, f->nlive + 2);
    memcpy(all, f->live, f->nlive * sizeof *all);
    all[f->nlive++] = obj;
    f->live = all;
}

static inline Data *seq_named(Data *seq, const char *field, const char *name)
{
    assert_non_null(seq);
    for (Data *d = seq->u.kids.first; d; d = d->next) {
        const Data *n = data_path(d, field);
        if (n && n->kind == DATA_STR && !strcmp(n->u.str.s, name))
            return d;
    }
    fail_msg("no item %s=%s", field, name);
    return NULL;
}

static inline Data *container_of(Data *workload, const char *name)
{
    return seq_named(data_path(workload, "spec.template.spec.containers"), "name", name);
}

static inline DriftObject *report_object(const DriftReport *r, const char *kind, const char *name)
{
    DriftObject *o = drift_find(r, NULL, kind, name);
    if (!o)
        fail_msg("no %s/%s in the report", kind, name);
    return o;
}

static inline const DriftChange *change_at(const DriftObject *o, const char *path)
{
    for (const DriftChange *c = o->changes; c; c = c->next)
        if (!strcmp(c->path, path))
            return c;
    for (const DriftChange *c = o->changes; c; c = c->next)
        fprintf(stderr, "  change: %s (%s)\n", c->path, c->reason);
    fail_msg("no change at %s for %s/%s", path, o->kind, o->name);
    return NULL;
}

static inline size_t change_count(const DriftObject *o)
{
    size_t n = 0;
    for (const DriftChange *c = o->changes; c; c = c->next)
        n++;
    return n;
}

/* Everything in the report is in sync except the listed object. */
static inline void assert_only_changed(const DriftReport *r, const char *kind, const char *name)
{
    for (const DriftObject *o = r->objects; o; o = o->next) {
        bool target = !strcmp(o->kind, kind) && !strcmp(o->name, name);
        if (!target && o->status != DRIFT_UNCHANGED)
            fail_msg("unexpected %s %s/%s", drift_status_name(o->status), o->kind, o->name);
    }
}

static inline char *report_string(const DriftReport *r, bool json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (json)
        drift_report_json(r, f);
    else
        drift_report_text(r, f, false);
    fclose(f);
    return buf;
}

#endif
