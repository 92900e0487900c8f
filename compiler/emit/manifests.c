/* manifests.c - the manifest emitter: evaluates every IR object of a cluster under a values tree
 * and adds plain YAML files to the output tree, plus kustomization.yaml (apply order = IR order)
 * and inventory.yaml (identity of every emitted object, which `goversec diff` uses for orphans). */
#include <string.h>

#include "emit/emit.h"
#include "ir/ir_yaml.h"
#include "yaml/yamlio.h"

static const char *text_or(const Data *v, const char *fallback)
{
    return v && v->kind == DATA_STR ? v->u.str.s : fallback;
}

/* A string of the IR, or one already in the kept arena: no copy. */
static Data *kept(Arena *a, const char *s)
{
    return data_str_kept(a, s, strlen(s));
}

/* The entry's keys are literals (data_append keeps them) and its strings the IR's where they
 * can be, not copies. The name and namespace come from the document's metadata, evaluated in the
 * scratch arena: copied. `file` ("manifests/" + the object's path) is kept. */
static Data *inventory_entry(Arena *a, const IrObject *obj, const IrYamlMeta *meta, const char *file, size_t len)
{
    Data *e = data_map(a);
    data_append(e, "apiVersion", kept(a, obj->api_version));
    data_append(e, "kind", kept(a, obj->kind));
    const char *ns = text_or(meta->namespace_, NULL);
    if (ns) /* cluster-scoped objects (Namespace) have none */
        data_append(e, "namespace", data_str(a, ns));
    data_append(e, "name", data_str(a, text_or(meta->name, obj->name)));
    data_append(e, "file", data_str_kept(a, file, len));
    return e;
}

/* Writes one YAML document to `path` through `buf`, whose memory the caller reuses. */
static bool add_yaml(YamlOut *buf, Arena *a, OutTree *out, const char *path, const Data *doc,
                     const char **err)
{
    if (!yaml_write_to(buf, doc)) {
        *err = arena_printf(a, "cannot write YAML for '%s'", path);
        return false;
    }
    if (!outtree_add(out, path, buf->text, buf->len)) {
        *err = arena_printf(a, "'%s' is not a safe relative path or is emitted twice", path);
        return false;
    }
    return true;
}

/* Writes one YAML document to `path` in the tree (shared by every emitter). */
bool emit_add_yaml(Arena *a, OutTree *out, const char *path, const Data *doc, const char **err)
{
    YamlOut buf = {0};
    bool ok = add_yaml(&buf, a, out, path, doc, err);
    yaml_out_free(&buf);
    return ok;
}

/* Where one cluster's objects go while they are emitted. */
typedef struct Objects {
    YamlOut *buf;          /* the text of each file, memory reused */
    Arena *a;              /* what is kept: resources, inventory entries, messages */
    Arena *scratch;        /* one document at a time */
    OutTree *out;
    const char *dir;       /* "<prefix>/manifests/": every object's file is under it */
    size_t dir_len;        /* its length; "manifests/..." starts 10 bytes before its end */
    Data *resources, *objects; /* kustomization.yaml's resources, the inventory's objects */
    IrYamlCache *texts;    /* the cluster's IR texts written plain (ir_yaml.h) */
} Objects;

/* An object that ir_yaml_object could not write: evaluated into Data and written from it, which
 * says why it fails (or writes it, should the two paths ever disagree on failing). */
static bool emit_object_data(Objects *o, const IrCluster *c, const IrObject *obj, const Data *values,
                             IrEvalMemo *memo, const char *path, IrYamlMeta *meta, const char **err)
{
    bool present;
    Data *doc = ir_eval_object_written(o->scratch, c, obj, values, memo, &present);
    if (!doc) {
        *err = arena_printf(o->a, "cannot evaluate '%s' (%s %s) under the given values", obj->path,
                            obj->kind, obj->name);
        return false;
    }
    if (!add_yaml(o->buf, o->a, o->out, path, doc, err))
        return false;
    const Data *metadata = data_get(doc, "metadata");
    *meta = (IrYamlMeta){data_get(metadata, "name"), data_get(metadata, "namespace")};
    return true;
}

/* The object's file path (*n: the length of obj->path), in the kept arena: its tail
 * "manifests/<path>" is the inventory's file. Two copies of known lengths, where two
 * arena_concat calls cost ~400 instructions. Out of line: inlined into the emitter's loop, its
 * code tipped the link-time inlining of the chart printer (~+14 000 instructions there). */
__attribute__((noinline)) static const char *object_file(const Objects *o, const IrObject *obj, size_t *n)
{
    *n = strlen(obj->path);
    char *path = arena_alloc_raw(o->a, o->dir_len + *n + 1);
    memcpy(path, o->dir, o->dir_len);
    memcpy(path + o->dir_len, obj->path, *n + 1);
    return path;
}

/* One object's file, its kustomization.yaml resource and its inventory entry. */
static bool emit_object(Objects *o, const IrCluster *c, const IrObject *obj, const Data *values,
                        IrEvalMemo *memo, const char **err)
{
    bool present;
    IrYamlMeta meta;
    bool written = ir_yaml_object(o->buf, o->texts, o->scratch, c, obj, values, memo, &present, &meta);
    if (!present)
        return true;
    size_t n;
    const char *path = object_file(o, obj, &n);
    if (!written) {
        if (!emit_object_data(o, c, obj, values, memo, path, &meta, err))
            return false;
    } else if (!outtree_add(o->out, path, o->buf->text, o->buf->len)) {
        *err = arena_printf(o->a, "'%s' is not a safe relative path or is emitted twice", path);
        return false;
    }
    if (obj->manual_switch)
        return true; /* written for the operator to apply by hand, never applied with the rest */
    data_push(o->resources, kept(o->a, obj->path));
    size_t file_at = o->dir_len - (sizeof "manifests/" - 1);
    data_push(o->objects, inventory_entry(o->a, obj, &meta, path + file_at, o->dir_len + n - file_at));
    return true;
}

/* The objects' files; kustomization.yaml's resources and the inventory's objects. Each document
 * is evaluated in a scratch arena cleared after its file is written: the same few warm pages
 * serve every object instead of new ones per object (a first-touched page costs as much as
 * ~15 000 instructions), and the memory goes back to malloc for the chart printed next. */
static bool emit_objects(YamlOut *buf, Arena *a, const IrCluster *c, const Data *values, OutTree *out,
                         const char *prefix, Data *resources, Data *objects, const char **err)
{
    /* In the arena, not on the stack: its 8 KB zeroed there were two more stack pages faulted in
     * (~2 us each), where the arena's memory is on the heap's huge page already. */
    IrEvalMemo *memo = ARENA_NEW(a, IrEvalMemo);
    memo->arena = a;
    const char *dir = arena_concat(a, prefix, "/manifests/", NULL);
    Objects o = {buf, a, arena_new(), out, dir, strlen(dir), resources, objects, ir_yaml_cache_new(a)};
    bool ok = true;
    for (const IrObject *obj = c->objects; ok && obj; obj = obj->next) {
        ok = emit_object(&o, c, obj, values, memo, err);
        arena_clear(o.scratch);
    }
    arena_free(o.scratch);
    return ok;
}

bool emit_manifests(Arena *a, const IrCluster *c, const Data *values, OutTree *out,
                    const char *prefix, const char **err)
{
    /* One text buffer for every file of the cluster: outtree_add writes (or copies) the text. */
    YamlOut buf = {0};
    bool ok = emit_manifests_with(&buf, a, c, values, out, prefix, err);
    yaml_out_free(&buf);
    return ok;
}

bool emit_manifests_with(YamlOut *buf, Arena *a, const IrCluster *c, const Data *values, OutTree *out,
                         const char *prefix, const char **err)
{
    Data *resources = data_seq(a);
    Data *objects = data_seq(a);
    bool ok = emit_objects(buf, a, c, values, out, prefix, resources, objects, err);
    if (ok) {
        Data *kust = data_map(a);
        data_put(a, kust, "apiVersion", data_str(a, "kustomize.config.k8s.io/v1beta1"));
        data_put(a, kust, "kind", data_str(a, "Kustomization"));
        data_put(a, kust, "resources", resources);
        ok = add_yaml(buf, a, out, arena_printf(a, "%s/manifests/kustomization.yaml", prefix), kust, err);
    }
    if (ok) {
        Data *inv = data_map(a);
        data_put(a, inv, "cluster", data_str(a, c->name));
        data_put(a, inv, "namespace", data_str(a, c->namespace_name));
        data_put(a, inv, "objects", objects);
        ok = add_yaml(buf, a, out, arena_printf(a, "%s/inventory.yaml", prefix), inv, err);
    }
    return ok;
}
