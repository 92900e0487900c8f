/* chart_values.c - a chart's values.yaml (see chart_values.h): the values tree as YAML, every
 * entry that is a knob preceded by its description as comments, a blank line between top-level
 * entries.
 *
 * Three ways to the same text, the first that applies:
 *  - direct (values_direct): the tree written here, the YAML writer's layout (block maps, indent 2,
 *    sequences not indented under their key, "{}"/"[]" when empty) with its own scalar and key
 *    texts (yaml_scalar_append, yaml_key_append). It covers what values hold - maps, lists of
 *    scalars or of maps, ASCII strings, integers, booleans, null - and gives up (false) on anything
 *    else: floats, `|` blocks, non-ASCII text, "? key" keys, lists in lists. It finds the knobs by
 *    walking the knob tree along with the values (direct_map).
 *  - splice: libyaml's text of the whole tree, comments spliced in before each entry's line.
 *  - values_map: an emitter per entry (the reference the other two reproduce).
 * Writing directly costs a third of the splice: no second text, no search for lines, no paths
 * copied into the arena. */
#include "emit/chart_values.h"

#include <string.h>

#include "yaml/yamlio.h"

/* No two knobs of c with the same path hash (the paths' hashes, set by ir_knob, in a small table on
 * the stack); false when in doubt: a collision, a zero hash or too many knobs for the table. */
static bool knob_paths_unique(const IrCluster *c)
{
    enum { SLOTS = 512 };
    if (c->nknobs > SLOTS / 2)
        return false;
    uint32_t seen[SLOTS] = {0};
    for (const Knob *k = c->knobs; k; k = k->next) {
        if (!k->path_hash)
            return false;
        uint32_t i = k->path_hash & (SLOTS - 1);
        for (; seen[i]; i = (i + 1) & (SLOTS - 1))
            if (seen[i] == k->path_hash)
                return false;
        seen[i] = k->path_hash;
    }
    return true;
}

typedef struct ValuesCtx {
    Arena *a;
    const IrCluster *c;
    KnobValues *seen;       /* the direct path's record of the knobs' values, or NULL */
    const KnobLevel *knobs; /* knob_tree(c), or NULL */
} ValuesCtx;

/* ---- output ------------------------------------------------------------------------------------ */

/* Room for `n` more bytes and a NUL; the caller advances b->len. */
static inline char *room(StrBuf *b, size_t n)
{
    if (b->len + n + 1 > b->cap)
        return strbuf_reserve(b, n, 4096);
    return b->data + b->len;
}

static inline void put(StrBuf *b, const char *s, size_t n)
{
    memcpy(room(b, n), s, n);
    b->len += n;
}

#define PUT(b, lit) put((b), "" lit, sizeof(lit) - 1)

/* Spaces, eight per store, the excess overwritten by what follows. */
static inline void put_indent(StrBuf *b, int n)
{
    char *at = room(b, (size_t)n + 8);
    for (int i = 0; i < n; i += 8)
        memcpy(at + i, "        ", 8);
    b->len += (size_t)n;
}

/* `text` as comment lines ("# " after `indent` spaces), one per line of it. */
static void comment_lines(StrBuf *b, const char *text, int indent)
{
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        char *at = room(b, (size_t)indent + n + 11);
        for (int i = 0; i < indent; i += 8)
            memcpy(at + i, "        ", 8);
        at += indent;
        memcpy(at, "# ", 2);
        memcpy(at + 2, text, n);
        at[2 + n] = '\n';
        b->len += (size_t)indent + n + 3;
        text += n + (nl != NULL);
    }
}

/* Appends `text` with every line indented. */
static void indented(StrBuf *b, const char *text, int indent)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        strbuf_indent(b, indent);
        strbuf_addn(b, text, n);
        strbuf_addc(b, '\n');
        text += n + (text[n] == '\n');
    }
}

static void values_map(const ValuesCtx *ch, StrBuf *b, const Data *map, const char *prefix, int indent)
{
    for (const Data *e = map->u.kids.first; e; e = e->next) {
        const char *path = *prefix ? arena_printf(ch->a, "%s.%s", prefix, e->key) : e->key;
        const Knob *k = ir_find_knob(ch->c, path);
        if (indent == 0 && e != map->u.kids.first)
            strbuf_addc(b, '\n');
        if (k)
            comment_lines(b, k->description, indent);
        if (!k && e->kind == DATA_MAP && e->u.kids.first) {
            Data *m = data_map(ch->a);
            data_put(ch->a, m, e->key, data_null(ch->a));
            size_t len;
            const char *line = yaml_write_one(ch->a, m, &len);
            size_t keylen = strcspn(line, ":");
            strbuf_indent(b, indent);
            strbuf_addn(b, line, keylen);
            strbuf_add(b, ":\n");
            values_map(ch, b, e, path, indent + 2);
            continue;
        }
        Data *one = data_map(ch->a);
        data_put(ch->a, one, e->key, data_clone(ch->a, e));
        size_t len;
        indented(b, yaml_write_one(ch->a, one, &len), indent);
    }
}

/* ---- values.yaml in one libyaml pass, comments spliced in ---------------------------------------
 * values_map above writes every entry with an emitter of its own so that comments can sit
 * between entries: ~340 emitters, a fifth of a single-cluster build. Here libyaml writes the whole
 * tree once (width unlimited, so an entry's text does not depend on its column) and the comments
 * and blank lines go in before each entry's first line, found in order: an entry at depth d starts
 * with 2d spaces, its key and ':'; what lies between two such lines belongs to the earlier entry
 * (its value's lines are deeper, or "- " items at its own column). Any line not found where
 * expected makes the caller fall back to values_map, so the text never depends on the splice. */
typedef struct Splice {
    const char *cur, *end; /* the part of libyaml's text not copied yet */
    StrBuf key;            /* scratch: the expected start of an entry's line */
} Splice;

/* The start of the first line at or after sp->cur that begins with `prefix` followed by ' ' or a
 * line break; NULL when there is none. */
static const char *find_line(const Splice *sp, const char *prefix, size_t n)
{
    for (const char *line = sp->cur; line < sp->end;) {
        if ((size_t)(sp->end - line) > n && memcmp(line, prefix, n) == 0 && (line[n] == ' ' || line[n] == '\n'))
            return line;
        const char *nl = memchr(line, '\n', (size_t)(sp->end - line));
        if (!nl)
            break;
        line = nl + 1;
    }
    return NULL;
}

static bool splice_map(const ValuesCtx *ch, StrBuf *b, Splice *sp, const Data *map, const char *prefix, int indent)
{
    for (const Data *e = map->u.kids.first; e; e = e->next) {
        const char *path = *prefix ? arena_concat(ch->a, prefix, ".", e->key, (char *)NULL) : e->key;
        const Knob *k = ir_find_knob(ch->c, path);
        sp->key.len = 0;
        strbuf_indent(&sp->key, indent);
        if (!yaml_key_append_str(&sp->key, e->key))
            return false;
        strbuf_addc(&sp->key, ':');
        const char *line = find_line(sp, sp->key.data, sp->key.len);
        if (!line)
            return false;
        strbuf_addn(b, sp->cur, (size_t)(line - sp->cur));
        sp->cur = line;
        if (indent == 0 && e != map->u.kids.first)
            strbuf_addc(b, '\n');
        if (k)
            comment_lines(b, k->description, indent);
        if (!k && e->kind == DATA_MAP && e->u.kids.first) {
            const char *nl = memchr(line, '\n', (size_t)(sp->end - line));
            if (!nl || nl != line + sp->key.len)
                return false; /* a container's line is its key alone */
            strbuf_addn(b, line, sp->key.len + 1);
            sp->cur = nl + 1;
            if (!splice_map(ch, b, sp, e, path, indent + 2))
                return false;
        }
    }
    return true;
}

/* The entries of `values` with their comments: one libyaml pass when the splice finds every
 * entry, values_map otherwise. */
static void values_entries(const ValuesCtx *ch, StrBuf *b, const Data *values)
{
    size_t start = b->len, len = 0;
    const char *text = yaml_write_one(ch->a, values, &len);
    Splice sp = {text, text ? text + len : NULL, {0}};
    strbuf_init(&sp.key, ch->a);
    if (text && values->u.kids.first && splice_map(ch, b, &sp, values, "", 0)) {
        strbuf_addn(b, sp.cur, (size_t)(sp.end - sp.cur));
        return;
    }
    b->len = start;
    b->data[start] = '\0';
    values_map(ch, b, values, "", 0);
}

/* ---- direct --------------------------------------------------------------------------------- */

/* The key of an entry at column `indent` (its ':' is written with the value: direct_value). */
static bool put_key(StrBuf *b, const char *key, size_t len, int indent)
{
    put_indent(b, indent);
    return yaml_key_append(b, key, len);
}

static bool direct_value(StrBuf *b, const Data *v, int indent, char lead);

/* The entries of a non-empty map, the first at column `indent` (its first line's last two
 * spaces become "- " for an item of a list). */
static bool direct_entries(StrBuf *b, const Data *map, int indent)
{
    for (const Data *e = map->u.kids.first; e; e = e->next)
        if (!e->key || !put_key(b, e->key, strlen(e->key), indent) || !direct_value(b, e, indent, ':'))
            return false;
    return true;
}

/* The items of a non-empty list whose "- " are at column `indent`. */
static bool direct_items(StrBuf *b, const Data *seq, int indent)
{
    for (const Data *item = seq->u.kids.first; item; item = item->next) {
        if (item->kind == DATA_SEQ && item->u.kids.first)
            return false; /* a list in a list: "- - x", left to the other paths */
        if (item->kind == DATA_MAP && item->u.kids.first) {
            size_t at = b->len + (size_t)indent;
            if (!direct_entries(b, item, indent + 2))
                return false;
            b->data[at] = '-';
            b->data[at + 1] = ' ';
            continue;
        }
        put_indent(b, indent);
        if (!direct_value(b, item, indent, '-'))
            return false;
    }
    return true;
}

/* `lead` (an entry's ':' or an item's '-' at column `indent`), then " value" and the line break,
 * or the line break and the block of a non-empty collection. What goes on the lead's line is
 * stored after one room check (a few thousand entries per fleet cluster's values.yaml). */
static bool direct_value(StrBuf *b, const Data *v, int indent, char lead)
{
    char *at = room(b, 32); /* the lead, " ", at most 20 digits and the line break */
    at[0] = lead;
    switch (v->kind) {
    case DATA_NULL:
        memcpy(at + 1, " null\n", 6);
        b->len += 7;
        return true;
    case DATA_BOOL:
        if (v->u.b) {
            memcpy(at + 1, " true\n", 6);
            b->len += 7;
        } else {
            memcpy(at + 1, " false\n", 7);
            b->len += 8;
        }
        return true;
    case DATA_INT: {
        char digits[24];
        size_t n;
        const char *t = int64_dec(digits, v->u.i, &n);
        at[1] = ' ';
        memcpy(at + 2, t, n);
        at[2 + n] = '\n';
        b->len += n + 3;
        return true;
    }
    case DATA_FLOAT: return false;
    case DATA_STR:
        if (v->style == STYLE_LITERAL)
            return false;
        at[1] = ' ';
        b->len += 2;
        if (!yaml_scalar_append(b, v->u.str.s, v->u.str.len, v->style))
            return false;
        PUT(b, "\n");
        return true;
    case DATA_MAP:
        if (!v->u.kids.first) {
            memcpy(at + 1, " {}\n", 4);
            b->len += 5;
            return true;
        }
        at[1] = '\n';
        b->len += 2;
        return direct_entries(b, v, indent + 2);
    case DATA_SEQ:
        if (!v->u.kids.first) {
            memcpy(at + 1, " []\n", 4);
            b->len += 5;
            return true;
        }
        at[1] = '\n';
        b->len += 2;
        return direct_items(b, v, indent); /* not indented under its key, as libyaml writes it */
    }
    return false;
}

/* ---- the direct path's knobs ----------------------------------------------------------------
 * values_map's text with no path spelt out: the values tree is walked together with the knob
 * tree (knob_tree.h), whose maps and leaves come in the order values_defaults builds the values
 * in, so an entry's level is most often the one after the previous entry's, met by comparing
 * names (a knob's leaf even by address: the values' key is the knob path's last segment). An
 * entry the knob tree does not lead to (a key of -f values under `global`, a key with a dot) has
 * its path spelt out from its ancestors' keys and looked up (ir_find_knob), as has everything
 * below it.
 *
 * The level found for a name is the knob ir_find_knob finds at that path, or the map on the way
 * to knobs, given that no two knobs share a path (knob_paths_unique, checked once: otherwise
 * every path is looked up) and that no knob path is also a map on the way to another (the IR
 * invariant values_defaults and values_validate_defaults rest on, checked by debug builds). */

/* The keys above an entry, innermost first: its path is spelt out only when looked up. */
typedef struct PathUp {
    const char *key;
    size_t len;
    const struct PathUp *up;
} PathUp;

enum { PATH_MAX_LEN = 512 };

/* The knob at the path of `key` under `up`; false when the path is too long to spell out. */
static bool knob_by_path(const IrCluster *c, const PathUp *up, const char *key, size_t klen, const Knob **k)
{
    size_t len = klen;
    for (const PathUp *u = up; u; u = u->up)
        len += u->len + 1;
    if (len >= PATH_MAX_LEN)
        return false;
    char path[PATH_MAX_LEN];
    size_t at = len - klen;
    memcpy(path + at, key, klen);
    for (const PathUp *u = up; u; u = u->up) {
        path[--at] = '.';
        at -= u->len;
        memcpy(path + at, u->key, u->len);
    }
    path[len] = '\0';
    *k = ir_find_knob(c, path);
    return true;
}

/* The child of `level` named `key`, tried at *next (the one after the last found) first, then
 * from the first; NULL when none. */
static const KnobLevel *child_named(const KnobLevel *level, const KnobLevel **next, const char *key)
{
    const KnobLevel *l = *next;
    if (!l || ((!l->knob || l->name != key) && (strncmp(l->name, key, l->len) != 0 || key[l->len] != '\0'))) {
        for (l = level->first; l; l = l->next)
            if (strncmp(l->name, key, l->len) == 0 && key[l->len] == '\0')
                break;
        if (!l)
            return NULL;
    }
    *next = l->next;
    return l;
}

/* The entries of `map`, whose level in the knob tree is `level` (NULL: not in the tree) and
 * whose keys above it are `up`. */
static bool direct_map(const ValuesCtx *ch, StrBuf *b, const Data *map, const KnobLevel *level, const PathUp *up,
                       int indent)
{
    const KnobLevel *next = level ? level->first : NULL;
    for (const Data *e = map->u.kids.first; e; e = e->next) {
        if (!e->key)
            return false;
        const KnobLevel *l = level ? child_named(level, &next, e->key) : NULL;
        size_t klen = l ? l->len : strlen(e->key);
        const Knob *k = l ? l->knob : NULL;
        if (!l && !knob_by_path(ch->c, up, e->key, klen, &k))
            return false;
        uint32_t slot = k && ch->seen ? k->ordinal - 1 : UINT32_MAX;
        if (slot < ch->c->nknobs)
            ch->seen->entry[slot] = e;
        if (indent == 0 && e != map->u.kids.first)
            PUT(b, "\n");
        if (k)
            comment_lines(b, k->description, indent);
        if (!put_key(b, e->key, klen, indent))
            return false;
        if (!k && e->kind == DATA_MAP && e->u.kids.first) {
            PUT(b, ":\n");
            PathUp here = {e->key, klen, up};
            if (!direct_map(ch, b, e, l, &here, indent + 2))
                return false;
        } else {
            size_t at = b->len;
            if (!direct_value(b, e, indent, ':'))
                return false;
            /* ": " text "\n": the text is the string itself when it has its length, as every
             * other form of a scalar adds quotes or a block indicator to it. */
            if (slot < ch->c->nknobs && e->kind == DATA_STR) {
                size_t len = b->len - at - 3;
                if (len == e->u.str.len)
                    ch->seen->plain[slot / 64] |= (uint64_t)1 << (slot % 64);
                else if (ch->seen->written)
                    ch->seen->written[slot] = (struct WrittenScalar){arena_strndup(ch->a, b->data + at + 2, len), len};
            }
        }
    }
    return true;
}

static bool values_direct(const ValuesCtx *ctx, StrBuf *b, const Data *values)
{
    const KnobLevel *root = NULL; /* with two knobs at one path, every path is looked up */
    if (knob_paths_unique(ctx->c))
        root = ctx->knobs ? ctx->knobs : knob_tree(ctx->a, ctx->c);
    return values->u.kids.first && direct_map(ctx, b, values, root, NULL, 0);
}

bool chart_values_plain(const Data *values, StrBuf *b)
{
    size_t start = b->len;
    if (values->kind == DATA_MAP && values->u.kids.first && direct_entries(b, values, 0)) {
        *room(b, 0) = '\0';
        return true;
    }
    b->len = start;
    b->data[start] = '\0';
    return false;
}

bool chart_values_yaml(Arena *a, const IrCluster *c, const KnobLevel *knobs, const char *chart_name,
                       const Data *values, StrBuf *b, KnobValues *seen)
{
    if (seen) {
        memset(seen->entry, 0, c->nknobs * sizeof *seen->entry);
        memset(seen->plain, 0, (c->nknobs + 63) / 64 * sizeof *seen->plain);
    }
    const ValuesCtx ctx = {a, c, seen, knobs}, *ch = &ctx;
    comment_lines(b, arena_concat(a, "Values of the ", chart_name,
                                  " chart, generated by goversec from the cluster description.\n"
                                  "Defaults are the description's settings; values.schema.json types them all.\n"
                                  "No secret belongs here: PostgreSQL credentials come from an existing Secret.",
                                  (char *)NULL),
                  0);
    strbuf_addc(b, '\n');
    size_t start = b->len;
    bool direct = values_direct(ch, b, values);
    if (!direct) {
        b->len = start;
        values_entries(ch, b, values);
    }
    *room(b, 0) = '\0';
    return direct;
}
