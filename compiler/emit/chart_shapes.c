/* chart_shapes.c - the shapes of a fleet's clusters and the charts printed for them. Lookups are
 * hashed (a 1000-cluster fleet asks once per cluster); a hash match is confirmed by comparing the
 * whole IR, so two shapes never share a chart by a hash collision. */
#include "emit/chart_shapes.h"

#include <assert.h>
#include <string.h>

#define uthash_malloc(sz) arena_alloc(uthash_arena, (sz))
#define uthash_free(ptr, sz) ((void)(ptr), (void)(sz))
#include <uthash.h>

typedef struct Shape {
    uint64_t hash;
    const IrCluster *representative;
    const char *chart;
    struct Shape *same_hash; /* other shapes with this hash (compared exactly) */
    UT_hash_handle hh;
} Shape;

typedef struct Assignment {
    const char *cluster, *chart;
    UT_hash_handle hh;
} Assignment;

struct ChartShapes {
    Arena *a;
    const Shape *last;    /* the shape found or added last: a fleet's next cluster is most often of it */
    /* The hash of the cluster chart_shapes_find last looked up in vain: its representative, added
     * next, has that cluster's shape and so that hash (a walk of the whole IR, done once, not twice) */
    uint64_t missed_hash;
    bool missed;
    Shape *by_hash;
    Assignment *by_cluster;
    int count;
};

ChartShapes *chart_shapes_new(Arena *a)
{
    ChartShapes *s = ARENA_NEW(a, ChartShapes);
    s->a = a;
    return s;
}

Arena *chart_shapes_arena(ChartShapes *s) { return s->a; }
int chart_shapes_count(const ChartShapes *s) { return s->count; }

const char *chart_shapes_find(ChartShapes *s, const IrCluster *c)
{
    s->missed = false;
    if (s->last && ir_same_shape(s->last->representative, c))
        return s->last->chart;
    uint64_t h = ir_shape_hash(c);
    Shape *first = NULL;
    HASH_FIND(hh, s->by_hash, &h, sizeof h, first);
    for (const Shape *sh = first; sh; sh = sh->same_hash)
        if (sh != s->last && ir_same_shape(sh->representative, c)) {
            s->last = sh;
            return sh->chart;
        }
    s->missed_hash = h;
    s->missed = true;
    return NULL;
}

void chart_shapes_add(ChartShapes *s, const IrCluster *representative, const char *name)
{
    Arena *uthash_arena = s->a;
    Shape *sh = ARENA_NEW(s->a, Shape);
    /* A representative of another shape than the cluster missed would only be filed under the
     * wrong hash (found by no lookup: a chart printed twice), never share a chart wrongly. */
    sh->hash = s->missed ? s->missed_hash : ir_shape_hash(representative);
    assert(sh->hash == ir_shape_hash(representative));
    s->missed = false;
    sh->representative = representative;
    sh->chart = arena_strdup(s->a, name);
    sh->same_hash = NULL;
    Shape *first = NULL;
    HASH_FIND(hh, s->by_hash, &sh->hash, sizeof sh->hash, first);
    if (first) {
        sh->same_hash = first->same_hash;
        first->same_hash = sh;
    } else {
        HASH_ADD(hh, s->by_hash, hash, sizeof sh->hash, sh);
    }
    s->last = sh;
    s->count++;
}

void chart_shapes_assign(ChartShapes *s, const char *cluster, const char *chart)
{
    Arena *uthash_arena = s->a;
    Assignment *as = ARENA_NEW(s->a, Assignment);
    as->cluster = arena_strdup(s->a, cluster);
    as->chart = arena_strdup(s->a, chart);
    HASH_ADD_KEYPTR(hh, s->by_cluster, as->cluster, strlen(as->cluster), as);
}

const char *chart_shapes_chart_of(const ChartShapes *s, const char *cluster)
{
    Assignment *as = NULL;
    if (s)
        HASH_FIND_STR(s->by_cluster, cluster, as);
    return as ? as->chart : NULL;
}
