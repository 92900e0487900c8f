/* yaml_scalar.c - the YAML writer's quoting policy (which strings must be double-quoted) and a
 * direct writer for single scalars that reproduces, byte for byte, what libyaml writes with the
 * settings of yaml_write.c (width -1, unicode, indent 2). The chart printer writes thousands of
 * single scalars into template text; starting a libyaml emitter for each one was most of its
 * cost (bench/README.md). Only the cases whose libyaml output is fully determined by the rules
 * below are written directly - ASCII text, plain, double-quoted or as a `|` block; anything else
 * (non-ASCII, "|+" blocks, keys libyaml would not write as simple keys) goes through libyaml. tests/unit/test_yaml_scalar.c compares them over a large table. */
#include <string.h>

#include "yaml/yamlio.h"

static bool all_in(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i]))
            return false;
    return true;
}

static bool word_in(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

/* YAML 1.1/1.2 infinity and not-a-number (each starts with '.'). */
static const char *const SPECIAL_FLOATS[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL};

/* Ints, floats, hex/octal/binary, sexagesimal (YAML 1.1 "1:30"), versions like "1.2.3" (a 1.1
 * float), exponents, .inf/.nan: anything some resolver would not keep as a string. */
static bool looks_numeric(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b' || s[1] == 'X' || s[1] == 'O' || s[1] == 'B'))
        return s[2] && all_in(s + 2, strlen(s + 2), "0123456789abcdefABCDEF_");
    if (s[0] == '.' && word_in(s, SPECIAL_FLOATS))
        return true;
    size_t n = strlen(s);
    const char *e = strpbrk(s, "eE");
    if (e) {
        const char *x = e + 1;
        if (*x == '+' || *x == '-')
            x++;
        if (!*x || !all_in(x, strlen(x), "0123456789"))
            return false;
        n = (size_t)(e - s);
    }
    if (n == 0 || !all_in(s, n, "0123456789._:"))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return true;
    return false;
}

static bool looks_timestamp(const char *s)
{
    return strlen(s) >= 6 && all_in(s, 4, "0123456789") && s[4] == '-' && s[5] >= '0' && s[5] <= '9';
}

static bool is_word(const char *s)
{
    static const char *const words[] = {
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
        "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
        "~", "=", "<<", NULL};
    return strchr("yYnNtTfFoO~=<", s[0]) && word_in(s, words);
}

/* One pass over the string for the checks that look at every byte; the word and number tests
 * only for the strings that can match them. Called for every string scalar written. */
bool yaml_needs_quotes(const char *s, size_t len)
{
    if (len == 0 || s[len] != '\0') /* s[len] != 0: not the NUL-terminated string of len bytes */
        return true;
    if (s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':')
        return true;
    if (strchr(",[]{}#&*!|>'\"%@`", s[0]))
        return true;
    if ((s[0] == '-' || s[0] == '?' || s[0] == ':') && (len == 1 || s[1] == ' '))
        return true;
    if ((s[0] == '-' && s[1] == '-' && s[2] == '-') || (s[0] == '.' && s[1] == '.' && s[2] == '.'))
        return true;
    bool digit = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c > ':') { /* letters and most punctuation: only DEL matters */
            if (c == 0x7f)
                return true;
        } else if (c >= '0') {
            if (c <= '9')
                digit = true;
            else if (s[i + 1] == ' ') /* ':' */
                return true;
        } else if (c < ' ') { /* controls, also an embedded NUL */
            return true;
        } else if (c == ' ' && s[i + 1] == '#') {
            return true;
        }
    }
    /* The words are at most 5 bytes. */
    if (len <= 5 && is_word(s))
        return true;
    if (!digit) {
        /* Without a digit, only .inf/.nan (optionally signed) read as numbers; timestamps need
         * digits too. */
        const char *t = s + (s[0] == '+' || s[0] == '-');
        return t[0] == '.' && word_in(t, SPECIAL_FLOATS);
    }
    return looks_numeric(s) || looks_timestamp(s);
}

/* libyaml's double-quoted writer for ASCII input (yaml_emitter_write_double_quoted): printable
 * characters as they are, except `"` and `\`; the named escapes it knows; \xHH (upper-case hex)
 * for other control characters. Never folds: yaml_write sets an unlimited width. */
static void put_double_quoted(StrBuf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    strbuf_addc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            continue;
        strbuf_addn(b, s + run, i - run);
        run = i + 1;
        char esc[4] = {'\\', 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case 0x00: esc[1] = '0'; break;
        case 0x07: esc[1] = 'a'; break;
        case 0x08: esc[1] = 'b'; break;
        case 0x09: esc[1] = 't'; break;
        case 0x0a: esc[1] = 'n'; break;
        case 0x0b: esc[1] = 'v'; break;
        case 0x0c: esc[1] = 'f'; break;
        case 0x0d: esc[1] = 'r'; break;
        case 0x1b: esc[1] = 'e'; break;
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        default:
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 0xf];
            n = 4;
        }
        strbuf_addn(b, esc, n);
    }
    strbuf_addn(b, s + run, len - run);
    strbuf_addc(b, '"');
}

static bool is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* How libyaml writes a `|` request for ASCII text (yaml_emitter_analyze_scalar and
 * select_scalar_style): as a block unless it is empty, has a control character other than '\n',
 * a space before a line break or a trailing space - then double-quoted. */
static bool block_allowed(const char *s, size_t len)
{
    if (len == 0 || s[len - 1] == ' ')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f || (c == ' ' && s[i + 1] == '\n'))
            return false;
    }
    return true;
}

/* yaml_emitter_write_literal_scalar under a key at column 0: "|", the indentation hint "2" when
 * the text starts with a space or a break, "-" when it has no final newline, then every line
 * indented by 2 (empty lines stay empty). The final newline itself is left to the caller, like
 * the newline after any other value. Text ending in two newlines ("|+", after which libyaml
 * also ends the document explicitly) is not handled here. */
static bool put_literal_block(StrBuf *b, const char *s, size_t len)
{
    bool final_break = s[len - 1] == '\n';
    if (final_break && (len == 1 || s[len - 2] == '\n'))
        return false;
    strbuf_addc(b, '|');
    if (s[0] == ' ' || s[0] == '\n')
        strbuf_addc(b, '2');
    if (!final_break)
        strbuf_addc(b, '-');
    if (final_break)
        len--;
    for (size_t i = 0; i < len;) {
        size_t eol = i;
        while (eol < len && s[eol] != '\n')
            eol++;
        strbuf_addc(b, '\n');
        if (eol > i) {
            strbuf_addn(b, "  ", 2);
            strbuf_addn(b, s + i, eol - i);
        }
        i = eol + 1;
    }
    return true;
}

bool yaml_scalar_append(StrBuf *b, const char *s, size_t len, DataStyle style)
{
    /* Non-ASCII: libyaml's printable/break classes of Unicode are not reproduced here. */
    if (!is_ascii(s, len))
        return false;
    if (style == STYLE_LITERAL) {
        if (block_allowed(s, len))
            return put_literal_block(b, s, len);
        put_double_quoted(b, s, len);
        return true;
    }
    if (style == STYLE_AUTO && !yaml_needs_quotes(s, len)) {
        /* A plain request libyaml honours: for ASCII, every case where libyaml's analysis
         * forbids a block plain scalar (indicator first, ": " or " #" inside, leading/trailing
         * space, "---"/"...", breaks, empty) is one where yaml_needs_quotes already said yes. */
        strbuf_addn(b, s, len);
        return true;
    }
    put_double_quoted(b, s, len);
    return true;
}

bool yaml_key_append(StrBuf *b, const char *s, size_t len)
{
    /* libyaml writes a key longer than 128 bytes, or one with a line break, as a complex key
     * ("? key"): not a single scalar, left to libyaml. */
    if (len > 128 || memchr(s, '\n', len) || memchr(s, '\r', len))
        return false;
    return yaml_scalar_append(b, s, len, STYLE_AUTO);
}

/* Where libyaml is still needed: the value as written for {k: value} minus "k: " and the final
 * newline (a `|` block keeps its continuation lines, indented for column 0). */
static const char *scalar_via_libyaml(Arena *a, const char *s, size_t len, DataStyle style)
{
    Data *m = data_map(a);
    Data *d = data_put(a, m, "k", data_strn(a, s, len));
    d->style = style;
    size_t n;
    const char *text = yaml_write_one(a, m, &n);
    if (!text)
        return NULL;
    while (n && text[n - 1] == '\n')
        n--;
    return arena_strndup(a, text + 3, n >= 3 ? n - 3 : 0);
}

const char *yaml_scalar_text(Arena *a, const char *s, size_t len, DataStyle style)
{
    if (style == STYLE_AUTO && is_ascii(s, len) && !yaml_needs_quotes(s, len))
        return s[len] == '\0' ? s : arena_strndup(a, s, len); /* plain: the string itself */
    StrBuf b;
    strbuf_init(&b, a);
    if (yaml_scalar_append(&b, s, len, style))
        return strbuf_str(&b);
    return scalar_via_libyaml(a, s, len, style);
}
