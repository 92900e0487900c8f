/* chart_schema.c - values.schema.json (see chart_schema.h): an object schema per level of the
 * values tree (closed: additionalProperties false, except `global`), one schema per knob with its
 * type, bounds, choices and pattern, and a root if/then rule per knob that another one makes
 * required.
 *
 * The nesting comes from the knobs' dotted paths in registration order: a small tree of path
 * segments groups them (a level's properties in first-seen order), then the JSON is written
 * straight from it and from the knobs, with no Data tree in between (building and walking one was
 * most of the schema's cost). */
#include "emit/chart_schema.h"

#include <string.h>

#include "emit/json.h"

/* A level of the values tree: an object schema (knob == NULL) or a knob's. */
typedef struct Level {
    const char *name;
    size_t len;
    const Knob *knob;
    bool open;                        /* `global`: open to parent charts' keys */
    struct Level *first, *last, *next;
} Level;

static Level *add_level(Arena *a, Level *parent, const char *name, size_t len, const Knob *k)
{
    Level *l = ARENA_NEW(a, Level);
    *l = (Level){.name = name, .len = len, .knob = k};
    if (parent->last)
        parent->last->next = l;
    else
        parent->first = l;
    parent->last = l;
    return l;
}

/* The object level `name` under `parent`, made on first use. */
static Level *object_level(Arena *a, Level *parent, const char *name, size_t len)
{
    for (Level *l = parent->first; l; l = l->next)
        if (!l->knob && l->len == len && memcmp(l->name, name, len) == 0)
            return l;
    return add_level(a, parent, name, len, NULL);
}

static Level *levels(Arena *a, const IrCluster *c)
{
    Level *root = ARENA_NEW(a, Level);
    add_level(a, root, "global", 6, NULL)->open = true;
    for (const Knob *k = c->knobs; k; k = k->next) {
        Level *parent = root;
        const char *p = k->path;
        for (const char *dot; (dot = strchr(p, '.')); p = dot + 1)
            parent = object_level(a, parent, p, (size_t)(dot - p));
        add_level(a, parent, p, strlen(p), k);
    }
    return root;
}

/* ---- writing ------------------------------------------------------------------------------- */

/* A JSON string literal known to need no escape, with its quotes: written as it is. */
typedef struct Quoted {
    const char *text;
    size_t len;
} Quoted;
#define QUOTED(lit) ((Quoted){"\"" lit "\"", sizeof(lit) + 1})

/* Members with a key of plain letters (JSON_KEY). */
#define STR_MEMBER(w, key, value) (JSON_KEY((w), key), json_str((w), (value), strlen(value)))
#define INT_MEMBER(w, key, i) (JSON_KEY((w), key), json_int((w), (i)))

/* "type": t, or the union [t, t2] (t2 "null" for a nullable knob of one type). */
static void type_member(JsonWriter *w, Quoted t, const Quoted *t2)
{
    JSON_KEY(w, "type");
    if (!t2) {
        json_raw(w, t.text, t.len);
        return;
    }
    json_begin(w, '[');
    json_item(w);
    json_raw(w, t.text, t.len);
    json_item(w);
    json_raw(w, t2->text, t2->len);
    json_end(w, ']');
}

static void knob_schema(Arena *a, JsonWriter *w, const Knob *k)
{
    static const Quoted null_type = QUOTED("null"), integer = QUOTED("integer");
    json_begin(w, '{');
    STR_MEMBER(w, "description", k->description ? k->description : k->path);
    const Quoted *null = k->nullable ? &null_type : NULL; /* a second type for a one-type knob */
    const char *pattern = NULL;
    switch (k->type) {
    case KNOB_BOOL: type_member(w, QUOTED("boolean"), null); break;
    case KNOB_INT:
        type_member(w, integer, null);
        if (k->min != INT64_MIN)
            INT_MEMBER(w, "minimum", k->min);
        if (k->max != INT64_MAX)
            INT_MEMBER(w, "maximum", k->max);
        break;
    case KNOB_ENUM:
        type_member(w, QUOTED("string"), null);
        JSON_KEY(w, "enum");
        json_begin(w, '[');
        for (const char *const *c = k->choices; c && *c; c++) {
            json_item(w);
            json_str(w, *c, strlen(*c));
        }
        json_end(w, ']');
        break;
    case KNOB_CPU:
        type_member(w, QUOTED("string"), &integer);
        pattern = "^([0-9]+(\\.[0-9]{1,3})?|[0-9]+m)$";
        break;
    case KNOB_MEMORY:
        type_member(w, QUOTED("string"), &integer);
        pattern = "^[0-9]+(\\.[0-9]+)?([EPTGMK]i|[EPTGMk]|m)?$";
        break;
    case KNOB_DURATION:
        type_member(w, QUOTED("string"), null);
        pattern = "^([0-9]+(ms|s|m|h|d))+$";
        break;
    case KNOB_CRON:
        /* The subset the Zalando CRD's logicalBackupSchedule accepts, so one knob fits both. */
        type_member(w, QUOTED("string"), null);
        pattern = "^(\\*|[0-9]+)(/[0-9]+)?( +(\\*|[0-9]+)(/[0-9]+)?){4}$";
        break;
    case KNOB_HOST:
        type_member(w, QUOTED("string"), null);
        pattern = "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
        INT_MEMBER(w, "maxLength", 253);
        break;
    case KNOB_NAME:
        type_member(w, QUOTED("string"), null);
        pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
        INT_MEMBER(w, "maxLength", 63);
        break;
    case KNOB_STRING: type_member(w, QUOTED("string"), null); break;
    case KNOB_STRING_LIST:
    case KNOB_OBJECT_LIST:
        type_member(w, QUOTED("array"), null);
        JSON_KEY(w, "items");
        json_begin(w, '{');
        JSON_KEY(w, "type");
        if (k->type == KNOB_STRING_LIST)
            JSON_STR(w, "string");
        else
            JSON_STR(w, "object");
        json_end(w, '}');
        break;
    }
    /* An empty string means "unset" for optional values (e.g. the default storage class). */
    if (pattern)
        STR_MEMBER(w, "pattern", k->nullable ? arena_concat(a, "^$|", pattern, (char *)NULL) : pattern);
    json_end(w, '}');
}

static void object_schema(Arena *a, JsonWriter *w, const Level *level)
{
    json_begin(w, '{');
    JSON_KEY(w, "type");
    JSON_STR(w, "object");
    JSON_KEY(w, "properties");
    json_begin(w, '{');
    for (const Level *l = level->first; l; l = l->next) {
        json_key(w, l->name, l->len);
        if (l->knob)
            knob_schema(a, w, l->knob);
        else
            object_schema(a, w, l);
    }
    json_end(w, '}');
    if (!level->open) {
        JSON_KEY(w, "additionalProperties");
        json_bool(w, false);
    }
    json_end(w, '}');
}

/* Opens {"properties": {"<segment>": { for each segment of `path` before the last; returns the
 * last segment and the number of objects opened. */
static const char *open_path(JsonWriter *w, const char *path, int *opened)
{
    for (const char *dot; (dot = strchr(path, '.')); path = dot + 1) {
        JSON_KEY(w, "properties");
        json_begin(w, '{');
        json_key(w, path, (size_t)(dot - path));
        json_begin(w, '{');
        *opened += 2;
    }
    return path;
}

/* draft-07 if/then: when the gate is true, the knob is required and non-empty. */
static void required_when_rule(JsonWriter *w, const Knob *k)
{
    json_item(w);
    json_begin(w, '{');
    JSON_KEY(w, "if");
    json_begin(w, '{');
    int opened = 0;
    const char *gate = open_path(w, k->required_when, &opened);
    JSON_KEY(w, "properties");
    json_begin(w, '{');
    json_key(w, gate, strlen(gate));
    json_begin(w, '{');
    JSON_KEY(w, "const");
    json_bool(w, true);
    for (opened += 2; opened > 0; opened--)
        json_end(w, '}');
    json_end(w, '}');

    JSON_KEY(w, "then");
    json_begin(w, '{');
    const char *leaf = open_path(w, k->path, &opened);
    JSON_KEY(w, "required");
    json_begin(w, '[');
    json_item(w);
    json_str(w, leaf, strlen(leaf));
    json_end(w, ']');
    JSON_KEY(w, "properties");
    json_begin(w, '{');
    json_key(w, leaf, strlen(leaf));
    json_begin(w, '{');
    bool list = k->type == KNOB_STRING_LIST || k->type == KNOB_OBJECT_LIST;
    if (list)
        JSON_KEY(w, "minItems");
    else
        JSON_KEY(w, "minLength");
    json_int(w, 1);
    for (opened += 2; opened > 0; opened--)
        json_end(w, '}');
    json_end(w, '}');
    json_end(w, '}');
}

void chart_schema(Arena *a, const IrCluster *c, const char *chart_name, StrBuf *b)
{
    const Level *root = levels(a, c);
    JsonWriter w;
    json_writer_init(&w, b);
    json_begin(&w, '{');
    STR_MEMBER(&w, "$schema", "http://json-schema.org/draft-07/schema#");
    STR_MEMBER(&w, "title", arena_concat(a, "Values of the ", chart_name, " chart", (char *)NULL));
    JSON_KEY(&w, "type");
    JSON_STR(&w, "object");
    JSON_KEY(&w, "properties");
    json_begin(&w, '{');
    for (const Level *l = root->first; l; l = l->next) {
        json_key(&w, l->name, l->len);
        if (l->knob)
            knob_schema(a, &w, l->knob);
        else
            object_schema(a, &w, l);
    }
    json_end(&w, '}');
    JSON_KEY(&w, "additionalProperties");
    json_bool(&w, false);
    bool rules = false;
    for (const Knob *k = c->knobs; k; k = k->next) {
        if (!k->required_when)
            continue;
        if (!rules) {
            JSON_KEY(&w, "allOf");
            json_begin(&w, '[');
            rules = true;
        }
        required_when_rule(&w, k);
    }
    if (rules)
        json_end(&w, ']');
    json_end(&w, '}');
    strbuf_addc(b, '\n');
}
