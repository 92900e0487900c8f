/* knob_walk.h - a cluster's knob paths walked one after another, each from the deepest map it
 * shares with the previous path. Knobs are registered grouped by their maps ("nodes.image.tag",
 * then "nodes.image.pullPolicy"): a sibling costs one comparison instead of a walk from the root.
 * The caller keeps its own node per level (values_defaults: Data maps; knob_tree: KnobLevels),
 * level 0 being the root:
 *     KnobWalk w = KNOB_WALK_INIT;
 *     for each knob path:
 *         const char *p; int d = knob_walk_from(&w, path, &p);   -- start at node[d], p below it
 *         for each segment p..dot: node = child(node, p); if (knob_walk_down(&w, &d, path, dot))
 *                                      node[d] = node;
 *         knob_walk_done(&w, path, d);                             -- p is the last segment
 * Levels past KNOB_WALK_DEPTH are walked but not remembered (knob paths are ~4 deep). */
#ifndef GOVERSEC_KNOB_WALK_H
#define GOVERSEC_KNOB_WALK_H
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum { KNOB_WALK_DEPTH = 16 };

typedef struct KnobWalk {
    const char *prev;             /* the previous path, NULL at the start */
    size_t ends[KNOB_WALK_DEPTH]; /* ends[i], 0 < i < n: offset in prev of the '.' after its first i segments */
    int n;                        /* levels 0..n-1 of prev are remembered */
} KnobWalk;

#define KNOB_WALK_INIT ((KnobWalk){.prev = NULL, .n = 1})

/* The deepest remembered level whose path, with its '.', starts `path`; *rest: the part below it. */
static inline int knob_walk_from(const KnobWalk *w, const char *path, const char **rest)
{
    int d = w->prev ? w->n - 1 : 0;
    while (d > 0 && strncmp(path, w->prev, w->ends[d] + 1) != 0)
        d--;
    *rest = path + (d ? w->ends[d] + 1 : 0);
    return d;
}

/* One level down, through the segment that ends at `dot` in path; true when the caller is to
 * remember its node at level *d. */
static inline bool knob_walk_down(KnobWalk *w, int *d, const char *path, const char *dot)
{
    if (++*d >= KNOB_WALK_DEPTH)
        return false;
    w->ends[*d] = (size_t)(dot - path);
    return true;
}

/* `path` was walked down to level d: the next path starts from its levels. */
static inline void knob_walk_done(KnobWalk *w, const char *path, int d)
{
    w->n = (d < KNOB_WALK_DEPTH ? d : KNOB_WALK_DEPTH - 1) + 1;
    w->prev = path;
}

#endif
