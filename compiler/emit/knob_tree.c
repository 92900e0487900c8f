/* knob_tree.c - the knobs' paths as a tree (see knob_tree.h). */
#include "emit/knob_tree.h"

#include <string.h>

#include "ir/knob_walk.h"

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

/* The levels along the previous knob's path are kept (ir/knob_walk.h): a sibling costs one
 * comparison instead of a walk from the root. */
const KnobLevel *knob_tree(Arena *a, const IrCluster *c)
{
    KnobLevel *root = ARENA_NEW(a, KnobLevel);
    add_level(a, root, "global", 6, NULL)->open = true;
    KnobLevel *levels[KNOB_WALK_DEPTH] = {root};
    KnobWalk w = KNOB_WALK_INIT;
    for (const Knob *k = c->knobs; k; k = k->next) {
        const char *path = k->path, *p;
        int d = knob_walk_from(&w, path, &p);
        KnobLevel *parent = levels[d];
        for (const char *dot; (dot = strchr(p, '.')); p = dot + 1) {
            parent = object_level(a, parent, p, (size_t)(dot - p));
            if (knob_walk_down(&w, &d, path, dot))
                levels[d] = parent;
        }
        knob_walk_done(&w, path, d);
        add_level(a, parent, p, strlen(p), k);
    }
    return root;
}

