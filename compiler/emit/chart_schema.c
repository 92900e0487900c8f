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

#include <stdio.h>
#include <stdlib.h>
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

/* The object level `name` under `parent`, made on first use (there is one per name). The
 * parent's last child is tried first: knobs come grouped by their maps, so the level a path
 * walks through is most often the one made or reached last (the root has a dozen children). */
static Level *object_level(Arena *a, Level *parent, const char *name, size_t len)
{
    Level *last = parent->last;
    if (last && !last->knob && last->len == len && memcmp(last->name, name, len) == 0)
        return last;
    for (Level *l = parent->first; l; l = l->next)
        if (!l->knob && l->len == len && memcmp(l->name, name, len) == 0)
            return l;
    return add_level(a, parent, name, len, NULL);
}

/* Knobs registered one after another mostly share their parent ("nodes.image.tag",
 * "nodes.image.pullPolicy"): the parent level found for the previous knob is reused when the
 * paths agree up to the last dot, one comparison instead of a walk from the root. */
static Level *levels(Arena *a, const IrCluster *c)
{
    Level *root = ARENA_NEW(a, Level);
    add_level(a, root, "global", 6, NULL)->open = true;
    const char *prev = NULL; /* the previous knob's path: its first prev_len bytes name `parent` */
    size_t prev_len = 0;
    Level *parent = root;
    for (const Knob *k = c->knobs; k; k = k->next) {
        const char *path = k->path, *last = strrchr(path, '.');
        size_t len = last ? (size_t)(last - path) : 0;
        if (!prev || len != prev_len || memcmp(path, prev, len) != 0) {
            parent = root;
            const char *p = path;
            for (const char *dot; (dot = memchr(p, '.', len - (size_t)(p - path))); p = dot + 1)
                parent = object_level(a, parent, p, (size_t)(dot - p));
            if (last)
                parent = object_level(a, parent, p, (size_t)(last - p));
            prev = path;
            prev_len = len;
        }
        const char *leaf = last ? last + 1 : path;
        add_level(a, parent, leaf, strlen(leaf), k);
    }
    return root;
}

/* ---- writing -------------------------------------------------------------------------------
 * json.h's layout (JsonWriter's: "{" / "[", a member or item per line indented by two more
 * spaces, "," between them, the closing bracket at the container's indentation), written with a
 * cursor of our own: the schema is ~2000 short lines, and JsonWriter's room check, StrBuf update
 * and variable-length copy per piece were most of its cost. Room is reserved once per knob, per
 * object level and per rule, from a bound on what goes in (reserve); every piece is then stored
 * unchecked, constant ones with their compile-time length. */

typedef struct Out {
    StrBuf *b;
    char *p;     /* the end of the text: b->len catches up with it in reserve and out_finish */
    char *limit; /* the end of the room reserved last (checked: room_check) */
    int indent;  /* of the innermost open container */
    bool empty;  /* the innermost open container has no member yet */
} Out;

/* Bytes a line may take besides its indentation and its escaped strings: ",\n", a key such as
 * "additionalProperties" and a constant or integer value; and the overshoot of the stores of
 * 32 bytes (newline, quoted). */
enum { LINE_ROOM = 64, OVERSHOOT = 32 };

/* Room for `lines` lines, indented at most `opens` containers deeper than the current one, and
 * for `strings` string literals of `text` bytes in all, escaped (JSON_QUOTE_ROOM). */
static size_t room_for(const Out *o, size_t lines, size_t opens, size_t text, size_t strings)
{
    return lines * ((size_t)o->indent + 2 * opens + LINE_ROOM) + 6 * text + 10 * strings;
}

/* A bound too small is a bug here (the slack past the limit took the excess, or did not): stop
 * rather than write a file from a damaged buffer. Checked once per reservation, not per piece. */
static void room_check(const Out *o)
{
    if (o->p > o->limit) {
        fputs("goversec: internal error: values.schema.json outgrew its reserved room\n", stderr);
        abort();
    }
}

static void reserve(Out *o, size_t n)
{
    room_check(o);
    o->b->len = (size_t)(o->p - o->b->data);
    o->p = strbuf_reserve(o->b, n + OVERSHOOT, 64 * 1024);
    o->limit = o->p + n;
}

static void out_finish(Out *o)
{
    room_check(o);
    o->b->len = (size_t)(o->p - o->b->data);
}

/* The line break and the indentation: 32 spaces stored at once (the schema's lines are indented
 * by 24 at most; deeper ones take a loop), the excess overwritten by what follows or lying in
 * the reserved slack. */
static inline void newline(Out *o)
{
    static const char spaces[OVERSHOOT + 1] = "                                ";
    char *p = o->p;
    *p++ = '\n';
    memcpy(p, spaces, OVERSHOOT);
    for (int i = OVERSHOOT; i < o->indent; i += OVERSHOOT)
        memcpy(p + i, spaces, OVERSHOOT);
    o->p = p + o->indent;
}

/* A member or item of the open container starts: "," after the previous one, then a new line. */
static inline void item(Out *o)
{
    *o->p = ',';
    o->p += !o->empty;
    o->empty = false;
    newline(o);
}

static inline void put(Out *o, const char *s, size_t n)
{
    memcpy(o->p, s, n);
    o->p += n;
}

/* Constant text: the copy's length is known at compile time (a few moves). */
#define PUT(o, lit) put((o), "" lit, sizeof(lit) - 1)
/* A member whose key is a plain identifier, up to its value. */
#define MEMBER(o, key) (item(o), PUT((o), "\"" key "\": "))

static inline void begin(Out *o, char open)
{
    *o->p++ = open;
    o->indent += 2;
    o->empty = true;
}

static inline void end(Out *o, char close)
{
    o->indent -= 2;
    if (!o->empty)
        newline(o);
    *o->p++ = close;
    o->empty = false; /* the enclosing container has this one as a member */
}

static inline void str(Out *o, const char *s, size_t len)
{
    o->p = json_quote(o->p, s, len);
}

static inline void key(Out *o, const char *s, size_t len)
{
    item(o);
    str(o, s, len);
    PUT(o, ": ");
}

static void integer(Out *o, int64_t i)
{
    char digits[24];
    size_t n;
    const char *d = int64_dec(digits, i, &n);
    put(o, d, n);
}

/* A JSON string literal known to need no escape, with its quotes, padded so that it is copied
 * with one fixed-size store (the padding lies in the line's room). */
typedef struct Quoted {
    char text[OVERSHOOT];
    size_t len;
} Quoted;
#define QUOTED(lit) {"\"" lit "\"", sizeof(lit) + 1}

static const Quoted T_NULL = QUOTED("null"), T_INTEGER = QUOTED("integer"), T_BOOLEAN = QUOTED("boolean"),
                    T_STRING = QUOTED("string"), T_ARRAY = QUOTED("array");

static inline void quoted(Out *o, const Quoted *q)
{
    memcpy(o->p, q->text, OVERSHOOT);
    o->p += q->len;
}

/* "type": t, or the union [t, t2] (t2 "null" for a nullable knob of one type). */
static void type_member(Out *o, const Quoted *t, const Quoted *t2)
{
    MEMBER(o, "type");
    if (!t2) {
        quoted(o, t);
        return;
    }
    begin(o, '[');
    item(o);
    quoted(o, t);
    item(o);
    quoted(o, t2);
    end(o, ']');
}

/* The pattern of a knob's strings as JSON text, quotes and escapes included (a regex's '\' is
 * "\\" in JSON and "\\\\" below); with "^$|" first for a nullable knob, as an empty string means
 * "unset" for optional values (e.g. the default storage class). Written as it is: escaping the
 * same few patterns again for every knob was a sixteenth of the schema's cost. */
typedef struct Pattern {
    const char *json;
    size_t len;
} Pattern;

static Pattern knob_pattern(const Knob *k)
{
#define PATTERN(p) (k->nullable ? (Pattern){"\"^$|" p "\"", sizeof(p) + 4} : (Pattern){"\"" p "\"", sizeof(p) + 1})
    switch (k->type) {
    case KNOB_CPU: return PATTERN("^([0-9]+(\\\\.[0-9]{1,3})?|[0-9]+m)$");
    case KNOB_MEMORY: return PATTERN("^[0-9]+(\\\\.[0-9]+)?([EPTGMK]i|[EPTGMk]|m)?$");
    case KNOB_DURATION: return PATTERN("^([0-9]+(ms|s|m|h|d))+$");
    /* The subset the Zalando CRD's logicalBackupSchedule accepts, so one knob fits both. */
    case KNOB_CRON: return PATTERN("^(\\\\*|[0-9]+)(/[0-9]+)?( +(\\\\*|[0-9]+)(/[0-9]+)?){4}$");
    case KNOB_HOST:
        return PATTERN("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\\\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$");
    case KNOB_NAME: return PATTERN("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    case KNOB_BOOL:
    case KNOB_INT:
    case KNOB_STRING:
    case KNOB_ENUM:
    case KNOB_STRING_LIST:
    case KNOB_OBJECT_LIST: break;
    }
    return (Pattern){NULL, 0};
#undef PATTERN
}

/* The member `name` whose value is the schema of knob k. */
static void knob_schema(Out *o, const char *name, size_t name_len, const Knob *k)
{
    const char *description = k->description ? k->description : k->path;
    size_t desc_len = strlen(description), choices = 0, text = name_len + desc_len;
    for (const char *const *c = k->choices; c && *c; c++, choices++)
        text += strlen(*c);
    Pattern pattern = knob_pattern(k);
    reserve(o, room_for(o, 14 + choices, 2, text, 3 + choices) + pattern.len);

    key(o, name, name_len);
    begin(o, '{');
    MEMBER(o, "description");
    str(o, description, desc_len);
    const Quoted *null = k->nullable ? &T_NULL : NULL; /* a second type for a one-type knob */
    switch (k->type) {
    case KNOB_BOOL: type_member(o, &T_BOOLEAN, null); break;
    case KNOB_INT:
        type_member(o, &T_INTEGER, null);
        if (k->min != INT64_MIN) {
            MEMBER(o, "minimum");
            integer(o, k->min);
        }
        if (k->max != INT64_MAX) {
            MEMBER(o, "maximum");
            integer(o, k->max);
        }
        break;
    case KNOB_ENUM:
        type_member(o, &T_STRING, null);
        MEMBER(o, "enum");
        begin(o, '[');
        for (const char *const *c = k->choices; c && *c; c++) {
            item(o);
            str(o, *c, strlen(*c));
        }
        end(o, ']');
        break;
    case KNOB_CPU:
    case KNOB_MEMORY: type_member(o, &T_STRING, &T_INTEGER); break;
    case KNOB_DURATION:
    case KNOB_CRON:
    case KNOB_STRING: type_member(o, &T_STRING, null); break;
    case KNOB_HOST:
        type_member(o, &T_STRING, null);
        MEMBER(o, "maxLength");
        PUT(o, "253");
        break;
    case KNOB_NAME:
        type_member(o, &T_STRING, null);
        MEMBER(o, "maxLength");
        PUT(o, "63");
        break;
    case KNOB_STRING_LIST:
    case KNOB_OBJECT_LIST:
        type_member(o, &T_ARRAY, null);
        MEMBER(o, "items");
        begin(o, '{');
        MEMBER(o, "type");
        if (k->type == KNOB_STRING_LIST)
            PUT(o, "\"string\"");
        else
            PUT(o, "\"object\"");
        end(o, '}');
        break;
    }
    if (pattern.json) {
        MEMBER(o, "pattern");
        put(o, pattern.json, pattern.len);
    }
    end(o, '}');
}

/* The members of `level`'s "properties". */
static void properties(Out *o, const Level *level);

/* The member `l->name` whose value is the object schema of level l. */
static void object_schema(Out *o, const Level *l)
{
    reserve(o, room_for(o, 3, 2, l->len, 1));
    key(o, l->name, l->len);
    begin(o, '{');
    MEMBER(o, "type");
    PUT(o, "\"object\"");
    MEMBER(o, "properties");
    begin(o, '{');
    properties(o, l);
    reserve(o, room_for(o, 3, 0, 0, 0));
    end(o, '}');
    if (!l->open) {
        MEMBER(o, "additionalProperties");
        PUT(o, "false");
    }
    end(o, '}');
}

static void properties(Out *o, const Level *level)
{
    for (const Level *l = level->first; l; l = l->next) {
        if (l->knob)
            knob_schema(o, l->name, l->len, l->knob);
        else
            object_schema(o, l);
    }
}

/* Opens {"properties": {"<segment>": { for each segment of `path` before the last; returns the
 * last segment and the number of objects opened. */
static const char *open_path(Out *o, const char *path, int *opened)
{
    for (const char *dot; (dot = strchr(path, '.')); path = dot + 1) {
        MEMBER(o, "properties");
        begin(o, '{');
        key(o, path, (size_t)(dot - path));
        begin(o, '{');
        *opened += 2;
    }
    return path;
}

static size_t dots(const char *path)
{
    size_t n = 0;
    for (; (path = strchr(path, '.')); path++)
        n++;
    return n;
}

/* draft-07 if/then: when the gate is true, the knob is required and non-empty. */
static void required_when_rule(Out *o, const Knob *k)
{
    size_t gate_len = strlen(k->required_when), path_len = strlen(k->path);
    size_t segments = 2 + dots(k->required_when) + dots(k->path);
    /* Two lines and two containers per segment, the rest constant. */
    reserve(o, room_for(o, 16 + 2 * segments, 4 + 2 * segments, gate_len + 2 * path_len, 3 + segments));
    item(o);
    begin(o, '{');
    MEMBER(o, "if");
    begin(o, '{');
    int opened = 0;
    const char *gate = open_path(o, k->required_when, &opened);
    MEMBER(o, "properties");
    begin(o, '{');
    key(o, gate, strlen(gate));
    begin(o, '{');
    MEMBER(o, "const");
    PUT(o, "true");
    for (opened += 2; opened > 0; opened--)
        end(o, '}');
    end(o, '}');

    MEMBER(o, "then");
    begin(o, '{');
    const char *leaf = open_path(o, k->path, &opened);
    size_t leaf_len = strlen(leaf);
    MEMBER(o, "required");
    begin(o, '[');
    item(o);
    str(o, leaf, leaf_len);
    end(o, ']');
    MEMBER(o, "properties");
    begin(o, '{');
    key(o, leaf, leaf_len);
    begin(o, '{');
    if (k->type == KNOB_STRING_LIST || k->type == KNOB_OBJECT_LIST)
        MEMBER(o, "minItems");
    else
        MEMBER(o, "minLength");
    PUT(o, "1");
    for (opened += 2; opened > 0; opened--)
        end(o, '}');
    end(o, '}');
    end(o, '}');
}

void chart_schema(Arena *a, const IrCluster *c, const char *chart_name, StrBuf *b)
{
    const Level *root = levels(a, c);
    Out out = {b, b->data + b->len, b->data + b->len, 0, true}, *o = &out;
    const char *title = arena_concat(a, "Values of the ", chart_name, " chart", (char *)NULL);
    size_t title_len = strlen(title);
    reserve(o, room_for(o, 6, 1, title_len, 1));
    begin(o, '{');
    MEMBER(o, "$schema");
    PUT(o, "\"http://json-schema.org/draft-07/schema#\"");
    MEMBER(o, "title");
    str(o, title, title_len);
    MEMBER(o, "type");
    PUT(o, "\"object\"");
    MEMBER(o, "properties");
    begin(o, '{');
    properties(o, root);
    reserve(o, room_for(o, 4, 0, 0, 0));
    end(o, '}');
    MEMBER(o, "additionalProperties");
    PUT(o, "false");
    bool rules = false;
    for (const Knob *k = c->knobs; k; k = k->next) {
        if (!k->required_when)
            continue;
        if (!rules) {
            reserve(o, room_for(o, 1, 1, 0, 0));
            MEMBER(o, "allOf");
            begin(o, '[');
            rules = true;
        }
        required_when_rule(o, k);
    }
    reserve(o, room_for(o, 3, 0, 0, 0));
    if (rules)
        end(o, ']');
    end(o, '}');
    *o->p++ = '\n';
    out_finish(o);
    b->data[b->len] = '\0';
}
