/* defaults.c - the knob defaults as a values tree (what values.yaml holds, and what -f and --set
 * override): ir_default_values's tree, node for node, built in one pass over the knobs.
 *
 * Knobs are registered grouped by their maps ("nodes.image.registry", "nodes.image.tag", ...),
 * so the maps along the previous knob's path are kept and a path is compared with the previous
 * one once; a map is looked up in its parent only when a path leaves them. A knob's last
 * component is appended without a lookup: that rests on the IR invariant values_validate_defaults
 * states (knob paths are unique and none is a map on the way to another), which debug builds
 * check here by comparing the tree with ir_default_values's. The generic path setter looked up
 * every component of every path (~350 instructions a knob; this is ~100). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/knob_walk.h"
#include "values/values.h"


/* The map at `key` (`len` bytes, no NUL among them) in `map`, created at the end when absent;
 * an entry that is not a map is replaced in place by an empty one, as data_set_path does. */
static Data *child_map(Arena *a, Data *map, const char *key, size_t len)
{
    for (Data **link = &map->u.kids.first; *link; link = &(*link)->next) {
        Data *e = *link;
        if (e->key[0] != key[0] || strncmp(e->key, key, len) != 0 || e->key[len] != '\0')
            continue;
        if (e->kind == DATA_MAP)
            return e;
        Data *m = data_map(a);
        m->key = e->key;
        m->next = e->next;
        *link = m;
        if (map->u.kids.last == e)
            map->u.kids.last = m;
        return m;
    }
    return data_append(map, arena_strndup(a, key, len), data_map(a));
}

#ifndef NDEBUG
/* Equal trees, keys and order included (data_equal ignores the order of map entries). */
static bool same_tree(const Data *x, const Data *y)
{
    if (!data_equal(x, y) || (x->key != y->key && (!x->key || !y->key || strcmp(x->key, y->key) != 0)))
        return false;
    if (x->kind != DATA_MAP && x->kind != DATA_SEQ)
        return true;
    const Data *kx = x->u.kids.first, *ky = y->u.kids.first;
    for (; kx && ky; kx = kx->next, ky = ky->next)
        if (!same_tree(kx, ky))
            return false;
    return !kx && !ky && x->u.kids.count == y->u.kids.count;
}
#endif

Data *values_defaults(Arena *a, const IrCluster *c)
{
    Data *root = data_map(a);
    Data *maps[KNOB_WALK_DEPTH] = {root}; /* maps[i]: the map at the previous path's first i components */
    KnobWalk w = KNOB_WALK_INIT;
    for (const Knob *k = c->knobs; k; k = k->next) {
        const char *path = k->path, *p;
        int d = knob_walk_from(&w, path, &p);
        Data *cur = maps[d];
        const char *dot;
        while ((dot = strchr(p, '.')) && dot > p) {
            cur = child_map(a, cur, p, (size_t)(dot - p));
            if (knob_walk_down(&w, &d, path, dot))
                maps[d] = cur;
            p = dot + 1;
        }
        knob_walk_done(&w, path, d);
        if (dot || !*p) { /* an empty component: nothing set, as data_set_path; start over */
            w = KNOB_WALK_INIT;
            continue;
        }
        data_append(cur, p, ir_knob_default_node(a, k)); /* a new key: the invariant above */
    }
#ifndef NDEBUG
    if (!same_tree(root, ir_default_values(a, c))) {
        fprintf(stderr, "goversec: internal error: values_defaults differs from ir_default_values\n");
        abort();
    }
#endif
    return root;
}
