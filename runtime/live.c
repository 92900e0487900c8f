/* live.c - live objects from YAML/JSON text: `kubectl get -o yaml` output (a v1 List), a saved dump
 * (a List, or a stream of objects), or any mix; JSON is read as the YAML it is. Lists are expanded
 * into their items; empty documents are skipped; anything else is a located error. */
#include <string.h>

#include "drift.h"
#include "support/diag.h"
#include "support/source.h"
#include "yaml/yamlio.h"

typedef struct ObjList {
    Data **items;
    size_t n, cap;
} ObjList;

static void push(Arena *a, ObjList *l, Data *d)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        Data **items = ARENA_ARRAY(a, Data *, cap);
        if (l->n)
            memcpy(items, l->items, l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = d;
}

static bool is_list(const Data *doc)
{
    const Data *kind = data_get(doc, "kind"), *items = data_get(doc, "items");
    if (!items || items->kind != DATA_SEQ)
        return false;
    size_t len = kind && kind->kind == DATA_STR ? kind->u.str.len : 0;
    return !kind || (len >= 4 && !strcmp(kind->u.str.s + len - 4, "List"));
}

static bool is_object(const Data *d)
{
    const Data *kind = data_get(d, "kind"), *name = data_path(d, "metadata.name");
    return d && d->kind == DATA_MAP && kind && kind->kind == DATA_STR && name && name->kind == DATA_STR;
}

long drift_parse_live(Arena *a, const char *name, const char *text, size_t len, Data ***objs, FILE *err)
{
    SourceMap map;
    source_map_init(&map, a);
    SourceFile *file = source_add(&map, name, text, len);
    DiagSink sink;
    diag_init(&sink, &map, a);
    Data **docs = NULL;
    int n = yaml_read(a, file, &docs, &sink);
    if (n < 0) {
        diag_render(&sink, err, false);
        return -1;
    }
    ObjList out = {0};
    for (int i = 0; i < n; i++) {
        Data *doc = docs[i];
        if (!doc || doc->kind == DATA_NULL)
            continue;
        if (doc->kind == DATA_MAP && is_list(doc)) {
            for (Data *it = data_get(doc, "items")->u.kids.first; it; it = it->next)
                if (is_object(it))
                    push(a, &out, it);
            continue;
        }
        if (!is_object(doc)) {
            fprintf(err, "goversec diff: %s: document %d is not a Kubernetes object (no kind and metadata.name)\n",
                    name, i + 1);
            return -1;
        }
        push(a, &out, doc);
    }
    *objs = out.items;
    return (long)out.n;
}
