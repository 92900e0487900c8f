/* validate.c - checks a values tree against the cluster's knobs: the rules values.schema.json
 * states for Helm (types, bounds, enums, formats, required-when, unknown keys) plus the ones the
 * chart enforces with `fail` (odd etcd replicas, `not_above` pairs such as HPA min <= max). Every
 * problem is reported, not just the first. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/names.h"
#include "support/strbuf.h"
#include "support/quantity.h"
#include "values/values.h"

typedef struct Validator {
    const IrCluster *c;
    const Data *root;
    DiagSink *diags;
    Arena *a;
    /* By Knob.ordinal: the value check_unknown met at the knob's path, so check_knob need not
     * look each knob's path up again (data_path per knob was a third of a validation). NULL:
     * not met; check_knob then asks data_path, which also settles the cases below. */
    const Data **found;
    /* A key met twice on one path, or a key with a dot in it: the walk's first value for a path
     * may then not be data_path's, so check_knob asks data_path for every knob. */
    bool ambiguous;
    /* The knob after the last one check_unknown met. Values built from the knobs' defaults list
     * them mostly in registration order, so the next entry is usually this knob: compared
     * directly before the hashed lookup. Either way the knob found has the entry's path. */
    const Knob *next;
    /* The values are ir_default_values(c) untouched: every knob's value is its own default
     * (values_validate_defaults). */
    bool defaults_only;
} Validator;

static const char *data_kind_name(const Data *d)
{
    switch (d->kind) {
    case DATA_NULL: return "null";
    case DATA_BOOL: return "a boolean";
    case DATA_INT: return "an integer";
    case DATA_FLOAT: return "a number";
    case DATA_STR: return "a string";
    case DATA_MAP: return "a map";
    case DATA_SEQ: return "a list";
    }
    return "a value";
}

static void bad(Validator *v, const Knob *k, const char *what)
{
    Diag *d = diag_error(v->diags, SPAN_NONE, "value `%s` %s", k->path, what);
    if (k->description)
        diag_help(v->diags, d, "`%s`: %s", k->path, k->description);
}

static bool is_empty(const Data *d)
{
    return !d || d->kind == DATA_NULL || (d->kind == DATA_STR && d->u.str.len == 0) ||
           (d->kind == DATA_SEQ && d->u.kids.count == 0);
}

/* `k` must not exceed the knob it names (its value, or its default when the values omit it). */
static void check_not_above(Validator *v, const Knob *k, int64_t value)
{
    const Knob *other = ir_find_knob(v->c, k->not_above);
    const Data *o = data_path(v->root, k->not_above);
    if (!o && other)
        o = other->default_value;
    if (o && o->kind == DATA_INT && value > o->u.i)
        bad(v, k, arena_printf(v->a, "must not be greater than `%s` (%lld), not %lld", k->not_above,
                               (long long)o->u.i, (long long)value));
}

static void check_int(Validator *v, const Knob *k, const Data *d)
{
    if (d->kind != DATA_INT) {
        bad(v, k, arena_printf(v->a, "must be an integer, not %s", data_kind_name(d)));
        return;
    }
    bool bounded = k->min != 0 || k->max != 0;
    if (bounded && (d->u.i < k->min || d->u.i > k->max))
        bad(v, k, arena_printf(v->a, "must be between %lld and %lld, not %lld", (long long)k->min,
                               (long long)k->max, (long long)d->u.i));
    else if (k->must_be_odd && d->u.i % 2 == 0)
        bad(v, k, arena_printf(v->a, "must be odd so a quorum survives a failure, not %lld",
                               (long long)d->u.i));
    else if (k->not_above)
        check_not_above(v, k, d->u.i);
}

static void check_enum(Validator *v, const Knob *k, const Data *d)
{
    if (d->kind == DATA_STR && k->choices)
        for (const char *const *c = k->choices; *c; c++)
            if (strcmp(*c, d->u.str.s) == 0)
                return;
    char *list = "";
    for (const char *const *c = k->choices; c && *c; c++)
        list = arena_printf(v->a, "%s%s%s", list, *list ? ", " : "", *c);
    bad(v, k, arena_printf(v->a, "must be one of: %s", list));
}

/* One cron field: `*` or a number, optionally `/STEP` (the schema pattern of KNOB_CRON). */
static const char *cron_field(const char *s)
{
    if (*s == '*')
        s++;
    else if (isdigit((unsigned char)*s))
        while (isdigit((unsigned char)*s))
            s++;
    else
        return NULL;
    if (*s == '/') {
        if (!isdigit((unsigned char)*++s))
            return NULL;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return s;
}

static bool cron_ok(const char *s)
{
    for (int field = 0; field < 5; field++) {
        if (field > 0) {
            if (*s != ' ')
                return false;
            while (*s == ' ')
                s++;
        }
        if (!(s = cron_field(s)))
            return false;
    }
    return *s == '\0';
}

static void check_string_form(Validator *v, const Knob *k, const Data *d)
{
    if (d->kind != DATA_STR && !(d->kind == DATA_INT && (k->type == KNOB_CPU || k->type == KNOB_MEMORY))) {
        bad(v, k, arena_printf(v->a, "must be a string, not %s", data_kind_name(d)));
        return;
    }
    const char *s = d->kind == DATA_STR ? d->u.str.s : arena_printf(v->a, "%lld", (long long)d->u.i);
    if (k->nullable && *s == '\0')
        return;
    const char *why = NULL;
    Quantity q;
    int64_t ms;
    switch (k->type) {
    case KNOB_CPU:
    case KNOB_MEMORY:
        if (quantity_parse(s, &q) != QTY_OK)
            why = arena_printf(v->a, "must be a Kubernetes quantity such as %s, not \"%s\"",
                               k->type == KNOB_CPU ? "500m or 2" : "512Mi or 10Gi", s);
        break;
    case KNOB_DURATION:
        if (!duration_parse(s, &ms))
            why = arena_printf(v->a, "must be a duration such as 10s or 1m30s, not \"%s\"", s);
        break;
    case KNOB_CRON:
        if (!cron_ok(s))
            why = arena_printf(v->a, "must be a cron schedule of 5 fields (N, *, N/S or */S) such as \"0 */6 * * *\", not \"%s\"", s);
        break;
    case KNOB_HOST:
        if ((why = names_hostname_error(s)))
            why = arena_printf(v->a, "\"%s\" is not a valid host name: %s", s, why);
        break;
    case KNOB_NAME:
        if ((why = names_dns1123_label_error(s)))
            why = arena_printf(v->a, "\"%s\" is not a valid name: %s", s, why);
        break;
    case KNOB_BOOL:
    case KNOB_INT:
    case KNOB_STRING:
    case KNOB_ENUM:
    case KNOB_STRING_LIST:
    case KNOB_OBJECT_LIST:
        break;
    }
    if (why)
        bad(v, k, why);
}

static void check_list(Validator *v, const Knob *k, const Data *d)
{
    if (d->kind != DATA_SEQ) {
        bad(v, k, arena_printf(v->a, "must be a list, not %s", data_kind_name(d)));
        return;
    }
    DataKind want = k->type == KNOB_STRING_LIST ? DATA_STR : DATA_MAP;
    for (const Data *item = d->u.kids.first; item; item = item->next)
        if (item->kind != want) {
            bad(v, k, arena_printf(v->a, "must hold only %s, not %s",
                                   want == DATA_STR ? "strings" : "maps", data_kind_name(item)));
            return;
        }
}

static void check_knob(Validator *v, const Knob *k)
{
    const Data *d;
    if (v->defaults_only)
        d = k->default_value;
    else if (!(d = !v->ambiguous && k->ordinal <= v->c->nknobs ? v->found[k->ordinal] : NULL))
        d = data_path(v->root, k->path);
    if (is_empty(d)) {
        const Data *gate = k->required_when ? data_path(v->root, k->required_when) : NULL;
        if (gate && data_truthy(gate))
            bad(v, k, arena_printf(v->a, "is required when `%s` is true", k->required_when));
        else if (d && d->kind == DATA_NULL && !k->nullable)
            bad(v, k, "must not be null");
        if (!d || is_empty(d))
            return;
    }
    switch (k->type) {
    case KNOB_BOOL:
        if (d->kind != DATA_BOOL)
            bad(v, k, arena_printf(v->a, "must be true or false, not %s", data_kind_name(d)));
        break;
    case KNOB_INT: check_int(v, k, d); break;
    case KNOB_ENUM: check_enum(v, k, d); break;
    case KNOB_STRING:
    case KNOB_CPU:
    case KNOB_MEMORY:
    case KNOB_DURATION:
    case KNOB_CRON:
    case KNOB_HOST:
    case KNOB_NAME: check_string_form(v, k, d); break;
    case KNOB_STRING_LIST:
    case KNOB_OBJECT_LIST: check_list(v, k, d); break;
    }
}

/* ---- unknown keys ------------------------------------------------------------------------- */

/* The proper prefixes of every knob path ("nodes", "nodes.image" for "nodes.image.tag"), so
 * that telling a map on the way to knobs from an unknown map is one hash lookup rather than a
 * scan of every knob path per values entry (that scan was ~40% of a cluster's validation).
 * Open addressing over (hash, text, length), hashed as the knob index hashes paths. Knobs are
 * registered grouped by their maps, so a knob's prefixes up to what it shares with the knob
 * before it are in the set already: only the longer ones are hashed and added. */
typedef struct Prefix {
    uint32_t hash;
    uint32_t len;
    const char *text; /* a knob path; the prefix is its first len bytes. NULL: empty slot */
    bool visited;     /* check_unknown went into a map at this path */
} Prefix;

typedef struct PrefixSet {
    Prefix *slots;
    uint32_t mask, count;
    Arena *a;
} PrefixSet;

static Prefix *prefix_slot(const PrefixSet *set, const char *text, size_t len, uint32_t h)
{
    for (uint32_t i = h & set->mask;; i = (i + 1) & set->mask) {
        Prefix *p = &set->slots[i];
        if (!p->text || (p->hash == h && p->len == len && memcmp(p->text, text, len) == 0))
            return p;
    }
}

static void prefix_set_alloc(PrefixSet *set, uint32_t size)
{
    set->slots = ARENA_ARRAY(set->a, Prefix, size);
    set->mask = size - 1;
}

static void prefix_add(PrefixSet *set, const char *text, size_t len)
{
    if ((set->count + 1) * 2 > set->mask + 1) { /* kept at most half full */
        Prefix *old = set->slots;
        uint32_t n = set->mask + 1;
        prefix_set_alloc(set, 2 * n);
        for (uint32_t i = 0; i < n; i++)
            if (old[i].text)
                *prefix_slot(set, old[i].text, old[i].len, old[i].hash) = old[i];
    }
    uint32_t h = ir_path_hash(text, len);
    Prefix *p = prefix_slot(set, text, len, h);
    if (!p->text) {
        *p = (Prefix){h, (uint32_t)len, text, false};
        set->count++;
    }
}

static void prefix_set_init(PrefixSet *set, Arena *a, const IrCluster *c)
{
    *set = (PrefixSet){.a = a};
    prefix_set_alloc(set, 256);
    const char *prev = "";
    size_t prev_map = 0; /* prev[0..prev_map) is the map prev's knob sits in, prev[prev_map] its dot */
    for (const Knob *k = c->knobs; k; k = k->next) {
        const char *s = k->path;
        size_t common = 0; /* s[0..common) == prev[0..common): its prefixes ending there are in */
        if (prev_map > 0 && strncmp(s, prev, prev_map + 1) == 0) /* a sibling: the usual case */
            common = prev_map + 1;
        else
            while (s[common] && s[common] == prev[common])
                common++;
        for (const char *dot = strchr(s + common, '.'); dot; dot = strchr(dot + 1, '.'))
            prefix_add(set, s, (size_t)(dot - s));
        const char *last = strrchr(s, '.');
        prev = s;
        prev_map = last ? (size_t)(last - s) : 0;
    }
}

static Prefix *prefix_find(const PrefixSet *set, const char *path, size_t len)
{
    Prefix *p = prefix_slot(set, path, len, ir_path_hash(path, len));
    return p->text ? p : NULL;
}

static void suggest_path(Validator *v, Diag *d, const char *path)
{
    size_t n = 0;
    for (const Knob *k = v->c->knobs; k; k = k->next)
        n++;
    const char **paths = ARENA_ARRAY(v->a, const char *, n + 1);
    n = 0;
    for (const Knob *k = v->c->knobs; k; k = k->next)
        paths[n++] = k->path;
    const char *best = diag_suggest(path, paths, n);
    if (best)
        diag_help(v->diags, d, "did you mean `%s`?", best);
}

/* `path` holds the dotted path of `map` (empty at the root); each entry's path is appended to it
 * and cut off again, so no path is allocated unless a diagnostic names it. */
static void check_unknown(Validator *v, const PrefixSet *prefixes, const Data *map, StrBuf *path)
{
    size_t base = path->len;
    for (const Data *e = map->u.kids.first; e; e = e->next) {
        if (base == 0 && strcmp(e->key, "global") == 0 && e->kind == DATA_MAP) {
            /* `global` is shared with parent charts: unknown keys there belong to others; our
             * own global knobs are still type-checked by check_knob. */
            continue;
        }
        size_t klen = strlen(e->key);
        if (memchr(e->key, '.', klen))
            v->ambiguous = true;
        char *end = strbuf_reserve(path, klen + 1, 256);
        if (base > 0)
            *end++ = '.';
        memcpy(end, e->key, klen);
        end[klen] = '\0';
        path->len = (size_t)(end + klen - path->data);
        const Knob *k = v->next;
        if (!k || strncmp(k->path, path->data, path->len) != 0 || k->path[path->len] != '\0')
            k = ir_find_knob_n(v->c, path->data, path->len);
        if (k)
            v->next = k->next;
        Prefix *p;
        if (k) {
            if (k->ordinal == 0 || k->ordinal > v->c->nknobs || v->found[k->ordinal])
                v->ambiguous = true;
            else
                v->found[k->ordinal] = e;
        } else if (e->kind == DATA_MAP && (p = prefix_find(prefixes, path->data, path->len))) {
            if (p->visited)
                v->ambiguous = true;
            p->visited = true;
            check_unknown(v, prefixes, e, path);
        } else {
            const char *name = arena_strndup(v->a, path->data, path->len);
            Diag *d = diag_error(v->diags, SPAN_NONE, "unknown value `%s`", name);
            suggest_path(v, d, name);
        }
        path->len = base;
        path->data[base] = '\0';
    }
}

bool values_validate(const IrCluster *c, const Data *values, DiagSink *diags)
{
    unsigned before = diags->errors;
    if (values->kind != DATA_MAP) {
        diag_error(diags, SPAN_NONE, "values must be a map");
        return false;
    }
    /* Paths, the prefix set and message parts are garbage once reported (diag_* copy their
     * text): a scratch arena keeps them out of the compilation's, which a fleet would otherwise
     * grow by every cluster. */
    Arena *scratch = arena_new();
    Validator v = {c, values, diags, scratch, ARENA_ARRAY(scratch, const Data *, c->nknobs + 1), false, c->knobs, false};
    PrefixSet prefixes;
    prefix_set_init(&prefixes, scratch, c);
    StrBuf path;
    strbuf_init(&path, scratch);
    check_unknown(&v, &prefixes, values, &path);
    for (const Knob *k = c->knobs; k; k = k->next)
        check_knob(&v, k);
    arena_free(scratch);
    return diags->errors == before;
}

#ifndef NDEBUG
/* The premise of values_validate_defaults, checked in debug builds (the sanitizer suites run
 * every example through it): each knob's value in the tree is its own default. It fails when
 * lowering registers a path twice with different defaults, or a path that is also a map on the
 * way to another knob. */
static void check_defaults_premise(const IrCluster *c, const Data *defaults)
{
    for (const Knob *k = c->knobs; k; k = k->next)
        if (!data_equal(data_path(defaults, k->path), k->default_value)) {
            fprintf(stderr, "goversec: internal error: knob '%s' is not its default in the values\n", k->path);
            abort();
        }
}
#endif

/* values_validate's verdict and diagnostics for values that are ir_default_values(c) untouched
 * (no -f, no --set: every build of a description without them, every cluster of a fleet).
 * Such a tree holds nothing but the knobs' paths, so no key is unknown, and the value at each
 * knob's path is a copy of that knob's default: the unknown-key walk and the lookup of each
 * knob's value (two thirds of a validation) are skipped. That rests on an IR invariant: knob
 * paths are unique and none is a map on the way to another (values.yaml could not hold both). */
bool values_validate_defaults(const IrCluster *c, const Data *defaults, DiagSink *diags)
{
#ifndef NDEBUG
    check_defaults_premise(c, defaults);
#endif
    unsigned before = diags->errors;
    Arena *scratch = arena_new(); /* message parts, as in values_validate */
    Validator v = {.c = c, .root = defaults, .diags = diags, .a = scratch, .defaults_only = true};
    for (const Knob *k = c->knobs; k; k = k->next)
        check_knob(&v, k);
    arena_free(scratch);
    return diags->errors == before;
}
