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

#include "values/values.h"

enum { DEPTH = 16 }; /* maps remembered along a path (knob paths are ~4 deep) */

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
    Data *maps[DEPTH] = {root}; /* maps[i]: the map at the previous path's first i components */
    size_t ends[DEPTH];         /* ends[i], 0 < i < n: offset in `prev` of the '.' after them */
    int n = 1;                  /* maps[0..n-1] hold */
    const char *prev = NULL;
    for (const Knob *k = c->knobs; k; k = k->next) {
        const char *path = k->path;
        /* The deepest remembered map whose path, with its '.', starts this path. */
        int d = prev ? n - 1 : 0;
        while (d > 0 && strncmp(path, prev, ends[d] + 1) != 0)
            d--;
        Data *cur = maps[d];
        const char *p = path + (d ? ends[d] + 1 : 0);
        const char *dot;
        while ((dot = strchr(p, '.')) && dot > p) {
            cur = child_map(a, cur, p, (size_t)(dot - p));
            if (++d < DEPTH) {
                maps[d] = cur;
                ends[d] = (size_t)(dot - path);
            }
            p = dot + 1;
        }
        n = (d < DEPTH ? d : DEPTH - 1) + 1;
        prev = path;
        if (dot || !*p) { /* an empty component: nothing set, as data_set_path; start over */
            n = 1;
            prev = NULL;
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
