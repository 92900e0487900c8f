/* chart_schema.c - values.schema.json (see chart_schema.h): an object schema per level of the
 * values tree (closed: additionalProperties false, except `global`), one schema per knob with its
 * type, bounds, choices and pattern, and a root if/then rule per knob that another one makes
 * required.
 *
 * The nesting comes from the knobs' dotted paths in registration order: the tree of their path
 * segments (knob_tree.h) groups them (a level's properties in first-seen order), and the JSON is
 * written straight from it and from the knobs, with no Data tree in between (building and
 * walking one was most of the schema's cost). */
#include "emit/chart_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/json.h"

/* ---- writing -------------------------------------------------------------------------------
 * json.h's layout (JsonWriter's: "{" / "[", a member or item per line indented by two more
 * spaces, "," between them, the closing bracket at the container's indentation), written with a
 * cursor of our own: the schema is ~2000 short lines, and JsonWriter's room check, StrBuf update
 * and variable-length copy per piece were most of its cost. Room is reserved once per knob, per
 * object level and per rule, from a bound on what goes in (reserve); every piece is then stored
 * unchecked, constant ones with their compile-time length.
 *
 * The cursor is a local `char *p` passed to and returned by each writer, the indentation an
 * argument, and whether a member is its object's first is known where it is written: kept in a
 * struct behind a pointer, they were reloaded from memory after every byte stored (a char store
 * may alias them), a third of the schema's instructions. */

typedef struct Out {
    StrBuf *b;   /* b->len catches up with the cursor in reserve and out_finish */
    char *limit; /* the end of the room reserved last (checked: room_check) */
} Out;

/* Bytes a line may take besides its indentation and its escaped strings: ",\n", a key such as
 * "additionalProperties" and a constant or integer value; and the overshoot of the stores of
 * 32 bytes (line, quoted). */
enum { LINE_ROOM = 64, OVERSHOOT = 32 };

/* Room for `lines` lines at `indent`, or at most `opens` containers deeper, and for `strings`
 * string literals of `text` bytes in all, escaped (JSON_QUOTE_ROOM). */
static size_t room_for(int indent, size_t lines, size_t opens, size_t text, size_t strings)
{
    return lines * ((size_t)indent + 2 * opens + LINE_ROOM) + 6 * text + 10 * strings;
}

/* A bound too small is a bug here (the slack past the limit took the excess, or did not): stop
 * rather than write a file from a damaged buffer. Checked once per reservation, not per piece. */
static void room_check(const Out *o, const char *p)
{
    if (p > o->limit) {
        fputs("goversec: internal error: values.schema.json outgrew its reserved room\n", stderr);
        abort();
    }
}

/* Room for `n` bytes at the cursor `p`; returns the cursor (the buffer may have moved). */
static char *reserve(Out *o, char *p, size_t n)
{
    room_check(o, p);
    o->b->len = (size_t)(p - o->b->data);
    p = strbuf_reserve(o->b, n + OVERSHOOT, 64 * 1024);
    o->limit = p + n;
    return p;
}

static void out_finish(Out *o, char *p)
{
    room_check(o, p);
    o->b->len = (size_t)(p - o->b->data);
}

/* The line break and `indent` spaces: 32 spaces stored at once (the schema's lines are indented
 * by 24 at most; deeper ones take a loop), the excess overwritten by what follows or lying in
 * the reserved slack. */
static inline char *line(char *p, int indent)
{
    static const char spaces[OVERSHOOT + 1] = "                                ";
    *p++ = '\n';
    memcpy(p, spaces, OVERSHOOT);
    for (int i = OVERSHOOT; i < indent; i += OVERSHOOT)
        memcpy(p + i, spaces, OVERSHOOT);
    return p + indent;
}

/* A member or item after the first of its container, on a line at `indent`. */
static inline char *next(char *p, int indent)
{
    *p++ = ',';
    return line(p, indent);
}

static inline char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* Constant text: the copy's length is known at compile time (a few moves). */
#define PUT(p, lit) put((p), "" lit, sizeof(lit) - 1)
/* A member whose key is a plain identifier, up to its value, at `indent`: the first of its
 * object, or one after another. */
#define FIRST(p, indent, key) PUT(line((p), (indent)), "\"" key "\": ")
#define MEMBER(p, indent, key) PUT(next((p), (indent)), "\"" key "\": ")

/* "key": , the key escaped. */
static inline char *key(char *p, const char *s, size_t len)
{
    p = json_quote(p, s, len);
    return PUT(p, ": ");
}

/* Closes `n` objects, the innermost with its members at `indent` (none is empty). */
static char *close_objects(char *p, int indent, int n)
{
    for (; n > 0; n--, indent -= 2) {
        p = line(p, indent - 2);
        *p++ = '}';
    }
    return p;
}

static char *integer(char *p, int64_t i)
{
    char digits[24];
    size_t n;
    const char *d = int64_dec(digits, i, &n);
    return put(p, d, n);
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

static inline char *quoted(char *p, const Quoted *q)
{
    memcpy(p, q->text, OVERSHOOT);
    return p + q->len;
}

/* "type": t, or the union [t, t2] (t2 "null" for a nullable knob of one type), a member after
 * the first at `indent`. */
static char *type_member(char *p, int indent, const Quoted *t, const Quoted *t2)
{
    p = MEMBER(p, indent, "type");
    if (!t2)
        return quoted(p, t);
    *p++ = '[';
    p = quoted(line(p, indent + 2), t);
    p = quoted(next(p, indent + 2), t2);
    p = line(p, indent);
    *p++ = ']';
    return p;
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

/* The member `name` whose value is the schema of knob k, on a line at `indent`. */
static char *knob_schema(Out *o, char *p, int indent, bool first, const char *name, size_t name_len, const Knob *k)
{
    const char *description = k->description ? k->description : k->path;
    size_t desc_len = strlen(description), choices = 0, text = name_len + desc_len;
    for (const char *const *c = k->choices; c && *c; c++, choices++)
        text += strlen(*c);
    Pattern pattern = knob_pattern(k);
    p = reserve(o, p, room_for(indent, 14 + choices, 2, text, 3 + choices) + pattern.len);

    int in = indent + 2; /* the knob's members */
    *p = ',';
    p = line(p + !first, indent);
    p = key(p, name, name_len);
    *p++ = '{';
    p = FIRST(p, in, "description");
    p = json_quote(p, description, desc_len);
    const Quoted *null = k->nullable ? &T_NULL : NULL; /* a second type for a one-type knob */
    switch (k->type) {
    case KNOB_BOOL: p = type_member(p, in, &T_BOOLEAN, null); break;
    case KNOB_INT:
        p = type_member(p, in, &T_INTEGER, null);
        if (k->min != INT64_MIN)
            p = integer(MEMBER(p, in, "minimum"), k->min);
        if (k->max != INT64_MAX)
            p = integer(MEMBER(p, in, "maximum"), k->max);
        break;
    case KNOB_ENUM:
        p = type_member(p, in, &T_STRING, null);
        p = MEMBER(p, in, "enum");
        *p++ = '[';
        for (const char *const *c = k->choices; c && *c; c++) {
            *p = ',';
            p = line(p + (c != k->choices), in + 2);
            p = json_quote(p, *c, strlen(*c));
        }
        if (k->choices && *k->choices)
            p = line(p, in);
        *p++ = ']';
        break;
    case KNOB_CPU:
    case KNOB_MEMORY: p = type_member(p, in, &T_STRING, &T_INTEGER); break;
    case KNOB_DURATION:
    case KNOB_CRON:
    case KNOB_STRING: p = type_member(p, in, &T_STRING, null); break;
    case KNOB_HOST:
        p = type_member(p, in, &T_STRING, null);
        p = PUT(MEMBER(p, in, "maxLength"), "253");
        break;
    case KNOB_NAME:
        p = type_member(p, in, &T_STRING, null);
        p = PUT(MEMBER(p, in, "maxLength"), "63");
        break;
    case KNOB_STRING_LIST:
    case KNOB_OBJECT_LIST:
        p = type_member(p, in, &T_ARRAY, null);
        p = MEMBER(p, in, "items");
        *p++ = '{';
        p = FIRST(p, in + 2, "type");
        if (k->type == KNOB_STRING_LIST)
            p = PUT(p, "\"string\"");
        else
            p = PUT(p, "\"object\"");
        p = line(p, in);
        *p++ = '}';
        break;
    }
    if (pattern.json)
        p = put(MEMBER(p, in, "pattern"), pattern.json, pattern.len);
    p = line(p, indent);
    *p++ = '}';
    return p;
}

/* The members of `level`'s "properties", on lines at `indent`. */
static char *properties(Out *o, char *p, int indent, const KnobLevel *level);

/* The member `l->name` whose value is the object schema of level l, on a line at `indent`. */
static char *object_schema(Out *o, char *p, int indent, bool first, const KnobLevel *l)
{
    p = reserve(o, p, room_for(indent, 3, 2, l->len, 1));
    int in = indent + 2;
    *p = ',';
    p = line(p + !first, indent);
    p = key(p, l->name, l->len);
    *p++ = '{';
    p = PUT(FIRST(p, in, "type"), "\"object\"");
    p = MEMBER(p, in, "properties");
    *p++ = '{';
    p = properties(o, p, in + 2, l);
    p = reserve(o, p, room_for(indent, 3, 1, 0, 0));
    if (l->first)
        p = line(p, in);
    *p++ = '}';
    if (!l->open)
        p = PUT(MEMBER(p, in, "additionalProperties"), "false");
    p = line(p, indent);
    *p++ = '}';
    return p;
}

static char *properties(Out *o, char *p, int indent, const KnobLevel *level)
{
    for (const KnobLevel *l = level->first; l; l = l->next) {
        bool first = l == level->first;
        if (l->knob)
            p = knob_schema(o, p, indent, first, l->name, l->len, l->knob);
        else
            p = object_schema(o, p, indent, first, l);
    }
    return p;
}

/* Opens "properties": {"<segment>": { for each segment of `path` before the last, the first
 * member of an object whose members are at *indent (moved to the innermost's); returns the last
 * segment and counts the objects opened in *opened. */
static char *open_path(char *p, int *indent, const char *path, const char **leaf, int *opened)
{
    for (const char *dot; (dot = strchr(path, '.')); path = dot + 1) {
        p = FIRST(p, *indent, "properties");
        *p++ = '{';
        p = key(line(p, *indent + 2), path, (size_t)(dot - path));
        *p++ = '{';
        *indent += 4;
        *opened += 2;
    }
    *leaf = path;
    return p;
}

static size_t dots(const char *path)
{
    size_t n = 0;
    for (; (path = strchr(path, '.')); path++)
        n++;
    return n;
}

/* draft-07 if/then: when the gate is true, the knob is required and non-empty. An item of the
 * root's "allOf" (at indentation 4). */
static char *required_when_rule(Out *o, char *p, bool first, const Knob *k)
{
    size_t gate_len = strlen(k->required_when), path_len = strlen(k->path);
    size_t segments = 2 + dots(k->required_when) + dots(k->path);
    /* Two lines and two containers per segment, the rest constant. */
    p = reserve(o, p, room_for(4, 16 + 2 * segments, 4 + 2 * segments, gate_len + 2 * path_len, 3 + segments));
    *p = ',';
    p = line(p + !first, 4);
    *p++ = '{';
    p = FIRST(p, 6, "if");
    *p++ = '{';
    int in = 8, opened = 0;
    const char *gate;
    p = open_path(p, &in, k->required_when, &gate, &opened);
    p = FIRST(p, in, "properties");
    *p++ = '{';
    p = key(line(p, in + 2), gate, strlen(gate));
    *p++ = '{';
    p = PUT(FIRST(p, in + 4, "const"), "true");
    p = close_objects(p, in + 4, opened + 3); /* and the "if" object */

    p = MEMBER(p, 6, "then");
    *p++ = '{';
    in = 8;
    opened = 0;
    const char *leaf;
    p = open_path(p, &in, k->path, &leaf, &opened);
    size_t leaf_len = strlen(leaf);
    p = FIRST(p, in, "required");
    *p++ = '[';
    p = json_quote(line(p, in + 2), leaf, leaf_len);
    p = line(p, in);
    *p++ = ']';
    p = MEMBER(p, in, "properties");
    *p++ = '{';
    p = key(line(p, in + 2), leaf, leaf_len);
    *p++ = '{';
    if (k->type == KNOB_STRING_LIST || k->type == KNOB_OBJECT_LIST)
        p = FIRST(p, in + 4, "minItems");
    else
        p = FIRST(p, in + 4, "minLength");
    *p++ = '1';
    return close_objects(p, in + 4, opened + 4); /* and "then" and the rule */
}

void chart_schema(Arena *a, const IrCluster *c, const KnobLevel *knobs, const char *chart_name, StrBuf *b)
{
    const KnobLevel *root = knobs ? knobs : knob_tree(a, c);
    Out out = {b, b->data + b->len}, *o = &out;
    char *p = b->data + b->len;
    const char *title = arena_concat(a, "Values of the ", chart_name, " chart", (char *)NULL);
    size_t title_len = strlen(title);
    p = reserve(o, p, room_for(0, 6, 1, title_len, 1));
    *p++ = '{';
    p = PUT(FIRST(p, 2, "$schema"), "\"http://json-schema.org/draft-07/schema#\"");
    p = json_quote(MEMBER(p, 2, "title"), title, title_len);
    p = PUT(MEMBER(p, 2, "type"), "\"object\"");
    p = MEMBER(p, 2, "properties");
    *p++ = '{';
    p = properties(o, p, 4, root);
    p = reserve(o, p, room_for(0, 4, 1, 0, 0));
    if (root->first)
        p = line(p, 2);
    *p++ = '}';
    p = PUT(MEMBER(p, 2, "additionalProperties"), "false");
    bool rules = false;
    for (const Knob *k = c->knobs; k; k = k->next) {
        if (!k->required_when)
            continue;
        if (!rules) {
            p = reserve(o, p, room_for(0, 1, 1, 0, 0));
            p = MEMBER(p, 2, "allOf");
            *p++ = '[';
        }
        p = required_when_rule(o, p, !rules, k);
        rules = true;
    }
    p = reserve(o, p, room_for(0, 3, 1, 0, 0));
    if (rules) {
        p = line(p, 2);
        *p++ = ']';
    }
    p = line(p, 0);
    *p++ = '}';
    *p++ = '\n';
    out_finish(o, p);
    b->data[b->len] = '\0';
}
