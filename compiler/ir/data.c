/* data.c - plain data trees: constructors, dotted-path access, Helm-style merging, equality and
 * Go-template truth. Everything lives in the caller's arena; maps are ordered linked lists (small,
 * insertion order matters more than lookup speed here). */
#include "ir/data.h"

#include <assert.h>
#include <string.h>

static Data *data_new(Arena *a, DataKind kind)
{
    Data *d = ARENA_NEW(a, Data);
    d->kind = kind;
    return d;
}

Data *data_null(Arena *a) { return data_new(a, DATA_NULL); }

Data *data_bool(Arena *a, bool b)
{
    Data *d = data_new(a, DATA_BOOL);
    d->u.b = b;
    return d;
}

Data *data_int(Arena *a, int64_t i)
{
    Data *d = data_new(a, DATA_INT);
    d->u.i = i;
    return d;
}

Data *data_strn(Arena *a, const char *s, size_t len)
{
    Data *d = data_new(a, DATA_STR);
    d->u.str.s = arena_strndup(a, s, len);
    d->u.str.len = len;
    return d;
}

Data *data_str(Arena *a, const char *s) { return data_strn(a, s, strlen(s)); }

Data *data_str_kept(Arena *a, const char *s, size_t len)
{
    Data *d = data_new(a, DATA_STR);
    d->u.str.s = s;
    d->u.str.len = len;
    return d;
}

Data *data_map(Arena *a) { return data_new(a, DATA_MAP); }
Data *data_seq(Arena *a) { return data_new(a, DATA_SEQ); }

/* Appends `value` keeping the key it has (data_append in data.h). */
static void kids_append(Data *parent, Data *value)
{
    data_append(parent, value->key, value);
}

Data *data_put(Arena *a, Data *map, const char *key, Data *value)
{
    value->key = arena_strdup(a, key);
    kids_append(map, value);
    return value;
}

Data *data_push(Data *seq, Data *value)
{
    value->key = NULL;
    kids_append(seq, value);
    return value;
}

Data *data_get(const Data *map, const char *key)
{
    if (!map || map->kind != DATA_MAP)
        return NULL;
    for (Data *e = map->u.kids.first; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

/* `k` is the `len` bytes of `key` (which hold no NUL). Inline: most keys differ in their first
 * bytes, and a strncmp call per sibling (and strlen of every key before it) was most of a
 * values lookup. A shorter `k` differs at its NUL. */
static bool key_is(const char *k, const char *key, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (k[i] != key[i])
            return false;
    return k[len] == '\0';
}

static Data *data_getn(const Data *map, const char *key, size_t len)
{
    if (!map || map->kind != DATA_MAP)
        return NULL;
    /* The same address first: the keys of a defaults tree are its knobs' path tails
     * (data_set_path_cached), which is what a knob's lookup ends with. */
    for (Data *e = map->u.kids.first; e; e = e->next)
        if ((e->key == key && key[len] == '\0') || key_is(e->key, key, len))
            return e;
    return NULL;
}

/* Dotted paths split on every '.', so a key that itself contains a dot (e.g. an annotation
 * "app.kubernetes.io/name") is not addressable this way; use data_get on its parent map. */
Data *data_path(const Data *root, const char *dotted_path)
{
    const Data *cur = root;
    const char *p = dotted_path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        cur = data_getn(cur, p, len);
        if (!cur || !dot)
            return (Data *)cur;
        p = dot + 1;
    }
}

/* data_getn trying `hint` (an entry of `map`, or NULL) first. */
static Data *getn_hinted(const Data *map, const Data *hint, const char *key, size_t len)
{
    if (hint && ((hint->key == key && key[len] == '\0') || key_is(hint->key, key, len))) {
        assert(data_getn(map, key, len) == hint); /* the keys of a map are distinct */
        return (Data *)hint;
    }
    return data_getn(map, key, len);
}

Data *data_path_cached(const Data *root, const char *dotted_path, DataGetCache *cache)
{
    /* The deepest map of the previous path whose path (its components and the '.' after them)
     * the new path starts with, as data_set_path_cached finds it; only that map keeps a hint
     * (the maps below it are new to this path, and their first entries are tried first anyway). */
    bool same_root = cache->prev && cache->root == root;
    int depth = same_root ? cache->depth - 1 : 0;
    for (; depth > 0; depth--)
        if (strncmp(dotted_path, cache->prev, cache->ends[depth] + 1) == 0)
            break;
    const Data *cur = depth ? cache->maps[depth] : root;
    const char *p = dotted_path + (depth ? cache->ends[depth] + 1 : 0);
    const Data *hint = same_root && cache->at[depth] ? cache->at[depth]->next : NULL;
    cache->prev = dotted_path;
    cache->root = root;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        const Data *e = cur && cur->kind == DATA_MAP ? getn_hinted(cur, hint, p, len) : NULL;
        hint = NULL;
        if (depth < DATA_PATH_CACHE_DEPTH) {
            cache->maps[depth] = cur;
            cache->at[depth] = e;
            cache->ends[depth] = (size_t)(p - dotted_path) - 1;
            cache->depth = depth + 1;
        } else {
            cache->prev = NULL; /* too deep to remember: the next path starts at the root */
        }
        if (!e || !dot)
            return (Data *)e;
        cur = e;
        p = dot + 1;
        depth++;
    }
}

/* Replaces `old` (an entry of `map`) by `value`, keeping its position. */
static void replace_entry(Data *map, Data *old, Data *value)
{
    value->key = old->key;
    value->next = old->next;
    Data **link = &map->u.kids.first;
    while (*link != old)
        link = &(*link)->next;
    *link = value;
    if (map->u.kids.last == old)
        map->u.kids.last = value;
}

static void remove_entry(Data *map, Data *old)
{
    Data *prev = NULL;
    for (Data *e = map->u.kids.first; e; prev = e, e = e->next) {
        if (e != old)
            continue;
        if (prev)
            prev->next = e->next;
        else
            map->u.kids.first = e->next;
        if (map->u.kids.last == e)
            map->u.kids.last = prev;
        map->u.kids.count--;
        return;
    }
}

/* data_set_path's walk from `cur`, the map at the path's first `depth` components, with `p` the
 * rest of the path. With a cache, each map walked through is noted in it (while there is room)
 * with the offset in `path` of the '.' after its path, and the last key is kept, not copied. */
static bool set_path_from(Arena *a, Data *cur, const char *path, const char *p, Data *value, DataPathCache *cache,
                          int depth)
{
    for (;;) {
        if (cache && depth < DATA_PATH_CACHE_DEPTH) {
            cache->maps[depth] = cur;
            cache->ends[depth] = (size_t)(p - path) - 1;
            cache->depth = depth + 1;
        }
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0)
            return false;
        Data *e = data_getn(cur, p, len);
        if (!dot) {
            if (e) {
                replace_entry(cur, e, value);
            } else {
                value->key = cache ? p : arena_strndup(a, p, len);
                kids_append(cur, value);
            }
            return true;
        }
        if (!e) {
            e = data_map(a);
            e->key = arena_strndup(a, p, len);
            kids_append(cur, e);
        } else if (e->kind != DATA_MAP) {
            Data *m = data_map(a);
            replace_entry(cur, e, m);
            e = m;
        }
        cur = e;
        p = dot + 1;
        depth++;
    }
}

bool data_set_path(Arena *a, Data *root, const char *dotted_path, Data *value)
{
    if (!root || root->kind != DATA_MAP || !*dotted_path)
        return false;
    return set_path_from(a, root, dotted_path, dotted_path, value, NULL, 0);
}

/* The maps along the previous path are still the maps at those paths: setting a path replaces
 * only its last component's entry (and non-maps on the way), and the previous path's maps past
 * what the two paths share are not reused. So the walk starts at the deepest map of the previous
 * path whose path (its components and the '.' after them) the new path starts with. */
bool data_set_path_cached(Arena *a, Data *root, const char *dotted_path, Data *value, DataPathCache *cache)
{
    if (!root || root->kind != DATA_MAP || !*dotted_path) {
        cache->prev = NULL;
        return false;
    }
    int depth = cache->prev && cache->maps[0] == root ? cache->depth - 1 : 0;
    for (; depth > 0; depth--) {
        size_t end = cache->ends[depth];
        if (strncmp(dotted_path, cache->prev, end + 1) == 0)
            break;
    }
    /* An empty component ("a..b") stops the walk as it would from the root (having created the
     * same maps before it: the ones shared were created for the previous path). */
    const char *rest = dotted_path + (depth ? cache->ends[depth] + 1 : 0);
    bool ok = set_path_from(a, depth ? cache->maps[depth] : root, dotted_path, rest, value, cache, depth);
    cache->prev = ok ? dotted_path : NULL;
    return ok;
}

Data *data_clone(Arena *a, const Data *d)
{
    if (!d)
        return NULL;
    Data *c = data_new(a, d->kind);
    c->style = d->style;
    c->key = d->key;
    switch (d->kind) {
    case DATA_NULL:
        break;
    case DATA_BOOL:
        c->u.b = d->u.b;
        break;
    case DATA_INT:
        c->u.i = d->u.i;
        break;
    case DATA_FLOAT:
        c->u.f = d->u.f;
        break;
    case DATA_STR:
        c->u.str.s = arena_strndup(a, d->u.str.s, d->u.str.len);
        c->u.str.len = d->u.str.len;
        break;
    case DATA_MAP:
    case DATA_SEQ:
        for (const Data *k = d->u.kids.first; k; k = k->next) {
            Data *kc = data_clone(a, k);
            kc->key = k->key;
            kids_append(c, kc);
        }
        break;
    }
    return c;
}

/* Helm coalescing: maps merge key by key, scalars and lists replace, and an explicit null in the
 * overriding values deletes the key (that is how users unset a chart default). */
void data_merge(Arena *a, Data *dst, const Data *src)
{
    if (!dst || !src || dst->kind != DATA_MAP || src->kind != DATA_MAP)
        return;
    for (const Data *s = src->u.kids.first; s; s = s->next) {
        Data *d = data_get(dst, s->key);
        if (s->kind == DATA_NULL) {
            if (d)
                remove_entry(dst, d);
            continue;
        }
        if (d && d->kind == DATA_MAP && s->kind == DATA_MAP) {
            data_merge(a, d, s);
            continue;
        }
        Data *copy = data_clone(a, s);
        if (d)
            replace_entry(dst, d, copy);
        else
            kids_append(dst, copy);
    }
}

bool data_equal(const Data *a, const Data *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind)
        return false;
    switch (a->kind) {
    case DATA_NULL:
        return true;
    case DATA_BOOL:
        return a->u.b == b->u.b;
    case DATA_INT:
        return a->u.i == b->u.i;
    case DATA_FLOAT:
        return a->u.f == b->u.f;
    case DATA_STR:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    case DATA_SEQ: {
        const Data *x = a->u.kids.first, *y = b->u.kids.first;
        for (; x && y; x = x->next, y = y->next)
            if (!data_equal(x, y))
                return false;
        return !x && !y;
    }
    case DATA_MAP:
        /* Maps compare as maps: same keys with equal values, order ignored. */
        if (a->u.kids.count != b->u.kids.count)
            return false;
        for (const Data *x = a->u.kids.first; x; x = x->next)
            if (!data_equal(x, data_get(b, x->key)))
                return false;
        return true;
    }
    return false;
}

bool data_truthy(const Data *d)
{
    if (!d)
        return false;
    switch (d->kind) {
    case DATA_NULL:
        return false;
    case DATA_BOOL:
        return d->u.b;
    case DATA_INT:
        return d->u.i != 0;
    case DATA_FLOAT:
        return d->u.f != 0.0;
    case DATA_STR:
        return d->u.str.len != 0;
    case DATA_MAP:
    case DATA_SEQ:
        return d->u.kids.count != 0;
    }
    return false;
}
