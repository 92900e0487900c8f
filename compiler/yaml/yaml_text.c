/* yaml_text.c - the general scalar path of goversec's YAML writer: any UTF-8 text (non-ASCII,
 * line separators, "|+" blocks, text in single quotes) written exactly as libyaml 0.2.5 writes it
 * with the settings goversec has always used (block style, indent 2, unlimited width, unicode
 * output, "\n" breaks): its UTF-8 check, its scalar analysis, its style choice, and its plain,
 * single-quoted, double-quoted and literal writers, over the writer state of yaml_emit.h. Most
 * scalars never come here: yaml_scalar.c writes ASCII text directly, and yaml_write.c sends only
 * what it declines. libyaml stays the oracle (tests/unit/test_yaml_oracle.c, tests/fuzz). */
#include <string.h>

#include "yaml/yaml_emit.h"

typedef const unsigned char *Ptr;

/* ---- output primitives (libyaml's PUT, PUT_BREAK, WRITE, WRITE_BREAK) ----------------------- */

static void put(YamlW *w, char c)
{
    strbuf_addc(w->b, c);
    w->column++;
}

static void put_break(YamlW *w)
{
    strbuf_addc(w->b, '\n');
    w->column = 0;
}

static size_t width(Ptr p)
{
    return (*p & 0x80) == 0 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
}

/* One character (of `n` bytes) copied. */
static void write_char(YamlW *w, Ptr p, size_t n)
{
    strbuf_addn(w->b, (const char *)p, n);
    w->column++;
}

static void write_break(YamlW *w, Ptr p, size_t n)
{
    if (*p == '\n') {
        put_break(w);
        return;
    }
    strbuf_addn(w->b, (const char *)p, n);
    w->column = 0;
}

/* ---- character classes (libyaml's yaml_private.h macros; the text is valid UTF-8) ------------ */

static bool is_break(Ptr p, Ptr end)
{
    if (p >= end)
        return false;
    if (*p == '\r' || *p == '\n')
        return true;
    if (p[0] == 0xC2)
        return p[1] == 0x85;
    return p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
}

/* IS_BLANKZ: space, tab, a break, or NUL (the end of the text counts as its NUL). */
static bool is_blankz(Ptr p, Ptr end)
{
    return p >= end || *p == ' ' || *p == '\t' || *p == '\0' || is_break(p, end);
}

static bool is_printable(Ptr p)
{
    unsigned c = p[0];
    if (c == 0x0A || (c >= 0x20 && c <= 0x7E))
        return true;
    if (c == 0xC2)
        return p[1] >= 0xA0;
    if (c > 0xC2 && c < 0xED)
        return true;
    if (c == 0xED)
        return p[1] < 0xA0;
    if (c == 0xEE)
        return true;
    if (c == 0xEF)
        return !(p[1] == 0xBB && p[2] == 0xBF) && !(p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF));
    return false;
}

static bool is_bom(Ptr p, Ptr end)
{
    return end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
}

bool yaml_utf8_valid(const char *str, size_t len)
{
    Ptr p = (Ptr)str, end = p + len;
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!n || (size_t)(end - p) < n)
            return false;
        unsigned v = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        for (size_t k = 1; k < n; k++) {
            if ((p[k] & 0xC0) != 0x80)
                return false;
            v = (v << 6) + (p[k] & 0x3F);
        }
        if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
            return false; /* overlong */
        /* Not a Unicode scalar value: libyaml's emitter would write "\uD800" or "\U00110000",
         * which its own parser (and YAML itself) refuses: refused here instead (the oracle
         * counts it as a refusal, tests/unit/yaml_oracle.c). */
        if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
            return false;
        p += n;
    }
    return true;
}

/* ---- analysis (yaml_emitter_analyze_scalar) ------------------------------------------------- */

static bool first_indicator(unsigned c)
{
    switch (c) {
    case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*': case '!':
    case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
        return true;
    default:
        return false;
    }
}

typedef struct Seen {
    bool block_ind, breaks, special, lead_space, lead_break, trail_space, trail_break;
    bool break_space, space_break;
} Seen;

/* What the character at `p` adds (`first`: it starts the text). */
static void see_char(Seen *k, Ptr p, Ptr end, bool first, bool preceded_ws, bool followed_ws,
                     bool *prev_space, bool *prev_break)
{
    unsigned c = *p;
    if (first) {
        if (first_indicator(c) || ((c == '?' || c == ':' || c == '-') && followed_ws))
            k->block_ind = true;
    } else if ((c == ':' && followed_ws) || (c == '#' && preceded_ws)) {
        k->block_ind = true;
    }
    if (!is_printable(p))
        k->special = true;
    bool brk = is_break(p, end), last = p + width(p) == end;
    if (brk)
        k->breaks = true;
    if (c == ' ') {
        k->lead_space |= first;
        k->trail_space |= last;
        k->break_space |= *prev_break;
        *prev_space = true;
        *prev_break = false;
    } else if (brk) {
        k->lead_break |= first;
        k->trail_break |= last;
        k->space_break |= *prev_space;
        *prev_space = false;
        *prev_break = true;
    } else {
        *prev_space = *prev_break = false;
    }
}

void yaml_analyze(const char *str, size_t len, YamlScalarInfo *info)
{
    if (len == 0) {
        *info = (YamlScalarInfo){.block_plain_allowed = true, .single_quoted_allowed = true};
        return;
    }
    Ptr s = (Ptr)str, end = s + len;
    Seen k = {0};
    if (len >= 3 && ((s[0] == '-' && s[1] == '-' && s[2] == '-') || (s[0] == '.' && s[1] == '.' && s[2] == '.')))
        k.block_ind = true;
    bool preceded_ws = true, followed_ws = is_blankz(s + width(s), end);
    bool prev_space = false, prev_break = false;
    for (Ptr p = s; p < end;) {
        see_char(&k, p, end, p == s, preceded_ws, followed_ws, &prev_space, &prev_break);
        preceded_ws = is_blankz(p, end);
        p += width(p);
        if (p < end)
            followed_ws = is_blankz(p + width(p), end);
    }
    info->multiline = k.breaks;
    info->block_plain_allowed = info->single_quoted_allowed = info->block_allowed = true;
    if (k.lead_space || k.lead_break || k.trail_space || k.trail_break || k.breaks || k.block_ind)
        info->block_plain_allowed = false;
    if (k.trail_space)
        info->block_allowed = false;
    if (k.break_space)
        info->block_plain_allowed = info->single_quoted_allowed = false;
    if (k.space_break || k.special)
        info->block_plain_allowed = info->single_quoted_allowed = info->block_allowed = false;
}

/* ---- the writers ---------------------------------------------------------------------------- */

static void write_plain(YamlW *w, Ptr s, size_t len)
{
    if (!w->whitespace && len)
        put(w, ' ');
    for (Ptr p = s, end = s + len; p < end;) {
        size_t n = width(p);
        write_char(w, p, n); /* plain text has no breaks; spaces never fold (unlimited width) */
        p += n;
    }
    w->whitespace = w->indention = false;
}

static void write_single_quoted(YamlW *w, Ptr s, size_t len)
{
    yaml_w_indicator(w, "'", true, false, false);
    bool breaks = false;
    for (Ptr p = s, end = s + len; p < end;) {
        size_t n = width(p);
        if (is_break(p, end)) {
            if (!breaks && *p == '\n')
                put_break(w);
            write_break(w, p, n);
            w->indention = true;
            breaks = true;
        } else {
            if (breaks)
                yaml_w_indent(w);
            if (*p == '\'')
                put(w, '\'');
            write_char(w, p, n);
            w->indention = false;
            breaks = false;
        }
        p += n;
    }
    if (breaks)
        yaml_w_indent(w);
    yaml_w_indicator(w, "'", false, false, false);
    w->whitespace = w->indention = false;
}

static unsigned decode(Ptr p, size_t n)
{
    unsigned v = n == 1 ? p[0] : n == 2 ? p[0] & 0x1F : n == 3 ? p[0] & 0x0F : p[0] & 0x07;
    for (size_t k = 1; k < n; k++)
        v = (v << 6) + (p[k] & 0x3F);
    return v;
}

static void write_escape(YamlW *w, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    char named = 0;
    switch (v) {
    case 0x00: named = '0'; break;
    case 0x07: named = 'a'; break;
    case 0x08: named = 'b'; break;
    case 0x09: named = 't'; break;
    case 0x0A: named = 'n'; break;
    case 0x0B: named = 'v'; break;
    case 0x0C: named = 'f'; break;
    case 0x0D: named = 'r'; break;
    case 0x1B: named = 'e'; break;
    case 0x22: named = '"'; break;
    case 0x5C: named = '\\'; break;
    case 0x85: named = 'N'; break;
    case 0xA0: named = '_'; break;
    case 0x2028: named = 'L'; break;
    case 0x2029: named = 'P'; break;
    default: break;
    }
    put(w, '\\');
    if (named) {
        put(w, named);
        return;
    }
    int digits = v <= 0xFF ? 2 : v <= 0xFFFF ? 4 : 8;
    put(w, digits == 2 ? 'x' : digits == 4 ? 'u' : 'U');
    for (int k = (digits - 1) * 4; k >= 0; k -= 4)
        put(w, hex[(v >> k) & 0xF]);
}

static void write_double_quoted(YamlW *w, Ptr s, size_t len)
{
    yaml_w_indicator(w, "\"", true, false, false);
    for (Ptr p = s, end = s + len; p < end;) {
        size_t n = width(p);
        if (!is_printable(p) || is_bom(p, end) || is_break(p, end) || *p == '"' || *p == '\\')
            write_escape(w, decode(p, n));
        else
            write_char(w, p, n); /* spaces never fold: unlimited width */
        p += n;
    }
    yaml_w_indicator(w, "\"", false, false, false);
    w->whitespace = w->indention = false;
}

/* The start of the character that ends at `end` (> s). */
static Ptr last_char(Ptr s, Ptr end)
{
    Ptr p = end;
    do
        p--;
    while (p > s && (*p & 0xC0) == 0x80);
    return p;
}

/* yaml_emitter_write_block_scalar_hints for a non-empty text (a block is never empty). */
static void block_hints(YamlW *w, Ptr s, size_t len)
{
    Ptr end = s + len;
    if (*s == ' ' || is_break(s, end))
        yaml_w_indicator(w, "2", false, false, false);
    w->open_ended = 0;
    const char *chomp = NULL;
    Ptr last = last_char(s, end);
    if (!is_break(last, end)) {
        chomp = "-";
    } else if (last == s || is_break(last_char(s, last), end)) {
        chomp = "+";
        w->open_ended = 2;
    }
    if (chomp)
        yaml_w_indicator(w, chomp, false, false, false);
}

static void write_literal(YamlW *w, Ptr s, size_t len)
{
    yaml_w_indicator(w, "|", true, false, false);
    block_hints(w, s, len);
    put_break(w);
    w->indention = w->whitespace = true;
    bool breaks = true;
    for (Ptr p = s, end = s + len; p < end;) {
        size_t n = width(p);
        if (is_break(p, end)) {
            write_break(w, p, n);
            w->indention = true;
            breaks = true;
        } else {
            if (breaks)
                yaml_w_indent(w);
            write_char(w, p, n);
            w->indention = false;
            breaks = false;
        }
        p += n;
    }
}

void yaml_w_scalar_general(YamlW *w, const char *s, size_t len, bool plain, DataStyle style,
                           bool simple_key)
{
    YamlScalarInfo in;
    yaml_analyze(s, len, &in);
    enum { PLAIN, SINGLE, DOUBLE, LITERAL } st = plain ? PLAIN : style == STYLE_LITERAL ? LITERAL : DOUBLE;
    if (simple_key && in.multiline)
        st = DOUBLE;
    if (st == PLAIN && (!in.block_plain_allowed || (!len && simple_key)))
        st = SINGLE;
    if (st == SINGLE && !in.single_quoted_allowed)
        st = DOUBLE;
    if (st == LITERAL && (!in.block_allowed || simple_key))
        st = DOUBLE;
    switch (st) {
    case PLAIN: write_plain(w, (Ptr)s, len); break;
    case SINGLE: write_single_quoted(w, (Ptr)s, len); break;
    case DOUBLE: write_double_quoted(w, (Ptr)s, len); break;
    case LITERAL: write_literal(w, (Ptr)s, len); break;
    }
}
