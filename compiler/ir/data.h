/* data.h - plain data trees (what a YAML document holds): the values of a chart (defaults and
 * --set/-f overrides), evaluated manifests, and live objects read back for `goversec diff`.
 * Maps keep insertion order; the YAML writer emits them in that order, which is what makes the
 * output deterministic. */
#ifndef GOVERSEC_DATA_H
#define GOVERSEC_DATA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/arena.h"

typedef enum DataKind { DATA_NULL, DATA_BOOL, DATA_INT, DATA_FLOAT, DATA_STR, DATA_MAP, DATA_SEQ } DataKind;

/* How a string should be written; the writer may still quote a PLAIN string that would otherwise
 * read back as another type ("true", "8080", "1.5", "null"). */
typedef enum DataStyle { STYLE_AUTO, STYLE_QUOTED, STYLE_LITERAL } DataStyle;

typedef struct Data {
    DataKind kind;
    DataStyle style;
    const char *key;          /* set when the node is a value in a map */
    struct Data *next;        /* next entry of the parent map/seq */
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *s;
            size_t len;
        } str;
        struct {
            struct Data *first, *last;
            size_t count;
        } kids;
    } u;
} Data;

Data *data_null(Arena *a);
Data *data_bool(Arena *a, bool b);
Data *data_int(Arena *a, int64_t i);
Data *data_str(Arena *a, const char *s);
Data *data_strn(Arena *a, const char *s, size_t len);
/* A string node that keeps `s` (no copy): for strings that outlive the tree. */
Data *data_str_kept(Arena *a, const char *s, size_t len);
Data *data_map(Arena *a);
Data *data_seq(Arena *a);
Data *data_put(Arena *a, Data *map, const char *key, Data *value);  /* append; returns value */
Data *data_push(Data *seq, Data *value);                             /* append; returns value */
/* Appends with `key` kept, not copied (NULL in a sequence): for keys that outlive the tree.
 * Inline: the evaluator appends every node of every document this way. */
static inline Data *data_append(Data *parent, const char *key, Data *value)
{
    value->key = key;
    value->next = NULL;
    if (parent->u.kids.last)
        parent->u.kids.last->next = value;
    else
        parent->u.kids.first = value;
    parent->u.kids.last = value;
    parent->u.kids.count++;
    return value;
}
Data *data_get(const Data *map, const char *key);                    /* NULL if absent */
Data *data_path(const Data *root, const char *dotted_path);          /* "nodes.image.tag" */
/* Sets root.path = value, creating maps on the way; replaces an existing entry in place. */
bool data_set_path(Arena *a, Data *root, const char *dotted_path, Data *value);
/* data_set_path for paths set one after another under one root, most sharing their first
 * components with the path before ("nodes.resources.limits.cpu", "nodes.resources.limits.memory"):
 * the maps along the previous path are remembered and the walk starts at the deepest one the new
 * path shares. Start with a zeroed cache. The paths are kept (their last component is the
 * key of the value set): they must outlive the cache and the tree. */
enum { DATA_PATH_CACHE_DEPTH = 16 };
typedef struct DataPathCache {
    const char *prev;                   /* the previous path set, NULL: none */
    int depth;                          /* maps[0..depth-1] are the maps along it */
    Data *maps[DATA_PATH_CACHE_DEPTH];  /* maps[i]: the map at its first i components */
    size_t ends[DATA_PATH_CACHE_DEPTH]; /* ends[i], i > 0: offset of the '.' after them in prev */
} DataPathCache;
bool data_set_path_cached(Arena *a, Data *root, const char *dotted_path, Data *value, DataPathCache *cache);
/* data_path for paths looked up one after another under one root, most sharing their first
 * components with the path before and coming in the order the tree was built in (a cluster's
 * knobs, registered in the order the IR reads them): the maps along the previous path are
 * remembered, the walk starts at the deepest one the new path shares, and there the entry after
 * the one the previous path went through is tried first. Exact because the keys of a map are
 * distinct (data_set_path and data_merge replace, the YAML reader refuses duplicate keys): the
 * entry found is the one data_path finds. Start with a zeroed cache; the paths must outlive it,
 * and the tree must not change while it is used. */
typedef struct DataGetCache {
    const char *prev;                        /* the previous path, NULL: none */
    const Data *root;                        /* the root it was looked up under */
    int depth;                               /* maps[0..depth-1] are the maps along it */
    const Data *maps[DATA_PATH_CACHE_DEPTH]; /* maps[i]: the map at its first i components */
    const Data *at[DATA_PATH_CACHE_DEPTH];   /* at[i]: the entry of maps[i] it went through */
    size_t ends[DATA_PATH_CACHE_DEPTH];      /* ends[i], i > 0: offset of the '.' after them in prev */
} DataGetCache;
Data *data_path_cached(const Data *root, const char *dotted_path, DataGetCache *cache);
Data *data_clone(Arena *a, const Data *d);
/* Deep merge as Helm merges values files: maps merge key by key, anything else replaces. */
void data_merge(Arena *a, Data *dst, const Data *src);
bool data_equal(const Data *a, const Data *b);
bool data_truthy(const Data *d);  /* Go template truth: false, 0, "", null, empty map/seq are false */

#endif
