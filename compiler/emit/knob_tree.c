/* knob_tree.c - the knobs' paths as a tree (see knob_tree.h). */
#include "emit/knob_tree.h"

#include <string.h>

static KnobLevel *add_level(Arena *a, KnobLevel *parent, const char *name, size_t len, const Knob *k)
{
    KnobLevel *l = ARENA_NEW(a, KnobLevel);
    *l = (KnobLevel){.name = name, .len = len, .knob = k};
    if (parent->last)
        parent->last->next = l;
    else
        parent->first = l;
    parent->last = l;
    return l;
}

/* The object level `name` under `parent`, made on first use (there is one per name). The
 * parent's last child is tried first: knobs come grouped by their maps, so the level a path
 * walks through is most often the one made or reached last (the root has a dozen children). */
static KnobLevel *object_level(Arena *a, KnobLevel *parent, const char *name, size_t len)
{
    KnobLevel *last = parent->last;
    if (last && !last->knob && last->len == len && memcmp(last->name, name, len) == 0)
        return last;
    for (KnobLevel *l = parent->first; l; l = l->next)
        if (!l->knob && l->len == len && memcmp(l->name, name, len) == 0)
            return l;
    return add_level(a, parent, name, len, NULL);
}

/* Knobs registered one after another mostly share their maps ("nodes.image.tag",
 * "nodes.image.pullPolicy"): the levels along the previous knob's path are kept, and a path is
 * walked only from the deepest of them it starts with (as values_defaults walks the values), one
 * comparison for a sibling instead of a walk from the root. */
enum { DEPTH = 16 }; /* levels remembered along a path (knob paths are ~4 deep) */

const KnobLevel *knob_tree(Arena *a, const IrCluster *c)
{
    KnobLevel *root = ARENA_NEW(a, KnobLevel);
    add_level(a, root, "global", 6, NULL)->open = true;
    KnobLevel *stack[DEPTH] = {root}; /* stack[i]: the level of the previous path's first i segments */
    size_t ends[DEPTH];           /* ends[i], 0 < i < n: offset in `prev` of the '.' after them */
    int n = 1;                    /* stack[0..n-1] hold */
    const char *prev = NULL;
    for (const Knob *k = c->knobs; k; k = k->next) {
        const char *path = k->path;
        int d = prev ? n - 1 : 0;
        while (d > 0 && strncmp(path, prev, ends[d] + 1) != 0)
            d--;
        KnobLevel *parent = stack[d];
        const char *p = path + (d ? ends[d] + 1 : 0);
        for (const char *dot; (dot = strchr(p, '.')); p = dot + 1) {
            parent = object_level(a, parent, p, (size_t)(dot - p));
            if (++d < DEPTH) {
                stack[d] = parent;
                ends[d] = (size_t)(dot - path);
            }
        }
        n = (d < DEPTH ? d : DEPTH - 1) + 1;
        prev = path;
        add_level(a, parent, p, strlen(p), k);
    }
    return root;
}

