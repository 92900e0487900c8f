/* validate.c - checks a values tree against the cluster's knobs: the rules values.schema.json
 * states for Helm (types, bounds, enums, formats, required-when, unknown keys) plus the ones the
 * chart enforces with `fail` (odd etcd replicas, `not_above` pairs such as HPA min <= max). Every
 * problem is reported, not just the first. */
#include <ctype.h>
#include <string.h>

#include "support/names.h"
#include "support/quantity.h"
#include "values/values.h"

typedef struct Validator {
    const IrCluster *c;
    const Data *root;
    DiagSink *diags;
    Arena *a;
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
    const Data *d = data_path(v->root, k->path);
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

static bool is_prefix_of_knob(const IrCluster *c, const char *path)
{
    size_t n = strlen(path);
    for (const Knob *k = c->knobs; k; k = k->next)
        if (strncmp(k->path, path, n) == 0 && k->path[n] == '.')
            return true;
    return false;
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

static void check_unknown(Validator *v, const Data *map, const char *prefix)
{
    for (const Data *e = map->u.kids.first; e; e = e->next) {
        const char *path = *prefix ? arena_printf(v->a, "%s.%s", prefix, e->key) : e->key;
        if (!*prefix && strcmp(e->key, "global") == 0 && e->kind == DATA_MAP) {
            /* `global` is shared with parent charts: unknown keys there belong to others; our
             * own global knobs are still type-checked by check_knob. */
            continue;
        }
        if (ir_find_knob(v->c, path))
            continue;
        if (e->kind == DATA_MAP && is_prefix_of_knob(v->c, path)) {
            check_unknown(v, e, path);
            continue;
        }
        Diag *d = diag_error(v->diags, SPAN_NONE, "unknown value `%s`", path);
        suggest_path(v, d, path);
    }
}

bool values_validate(const IrCluster *c, const Data *values, DiagSink *diags)
{
    unsigned before = diags->errors;
    Validator v = {c, values, diags, diags->arena};
    if (values->kind != DATA_MAP) {
        diag_error(diags, SPAN_NONE, "values must be a map");
        return false;
    }
    check_unknown(&v, values, "");
    for (const Knob *k = c->knobs; k; k = k->next)
        check_knob(&v, k);
    return diags->errors == before;
}
