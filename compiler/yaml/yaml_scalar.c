/* yaml_scalar.c - the YAML writer's quoting policy (which strings must be double-quoted) and a
 * direct writer for single scalars that reproduces, byte for byte, what libyaml's emitter writes
 * with goversec's settings (width -1, unicode, indent 2): the fast path of the YAML writer
 * (yaml_write.c) and of the chart printer's template text. Only the cases whose libyaml output
 * is fully determined by the rules below are written here - ASCII text, plain, double-quoted or
 * as a `|` block; anything else (non-ASCII, "|+" blocks, keys libyaml would not write as simple
 * keys) is declined and goes through the general path (yaml_text.c).
 * tests/unit/test_yaml_scalar.c compares them over a large table, and the policy with the
 * previous, straightforward implementation of it. */
#include <stdint.h>
#include <string.h>

#include "support/swar.h"
#include "yaml/yaml_emit.h"
#include "yaml/yamlio.h"

/* ---- byte classes ------------------------------------------------------------------------- */

/* Every string written goes through one pass over this table (the policy and the ASCII check of
 * the direct writer together); most bytes (letters, '-', '.', '/') have no class at all. */
enum {
    C_CTRL = 1,    /* C0 controls (an embedded NUL too) and DEL: always quoted */
    C_BREAK = 2,   /* '\n', '\r' (also C_CTRL): a key libyaml writes as "? key" */
    C_DIGIT = 4,   /* the number and timestamp checks are only needed with a digit */
    C_COLON = 8,   /* ": " inside */
    C_SPACE = 16,  /* " #" inside */
    C_HIGH = 32,   /* non-ASCII: the direct writer declines */
    C_INSIDE = 64, /* (scan result) ": " or " #" seen */
    C_FIRST = 128, /* an indicator that cannot start a plain scalar (only s[0]'s class is read) */
};

#define C_ C_CTRL
#define B_ (C_CTRL | C_BREAK)
#define H_ C_HIGH
#define D_ C_DIGIT
#define F_ C_FIRST
#define H16 H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_
static const uint8_t CLASS[256] = {
    C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, B_, C_, C_, B_, C_, C_, /* 0x00 */
    C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, /* 0x10 */
    C_SPACE, F_, F_, F_, 0, F_, F_, F_, 0, 0, F_, 0, F_, 0, 0, 0,   /* 0x20  !"#$%&'()*+,-./ */
    D_, D_, D_, D_, D_, D_, D_, D_, D_, D_, C_COLON, 0, 0, 0, F_, 0, /* 0x30 0-9:;<=>? */
    F_, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                /* 0x40 @A-O */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, F_, 0, F_, 0, 0,               /* 0x50 P-Z[\]^_ */
    F_, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                /* 0x60 `a-o */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, F_, F_, F_, 0, C_,             /* 0x70 p-z{|}~DEL */
    H16, H16, H16, H16, H16, H16, H16, H16,                         /* 0x80-0xff */
};
#undef C_
#undef B_
#undef H_
#undef D_
#undef F_
#undef H16

/* How a byte stands inside double quotes and in a `|` block, one load per byte for the two
 * writers that copy text byte by byte (put_double_quoted, block_check). */
enum {
    E_AS_IS = 0, /* printable ASCII: as it is in both */
    E_QUOTE = 1, /* '"' and '\\': escaped in double quotes, as they are in a block */
    E_LF = 2,    /* '\n': a line of a block */
    E_CTRL = 3,  /* other C0 controls and DEL: escaped; no block */
    E_HIGH = 4,  /* non-ASCII: the direct writer declines */
};
#define Q_ E_QUOTE
#define L_ E_LF
#define X_ E_CTRL
#define H_ E_HIGH
#define X16 X_, X_, X_, X_, X_, X_, X_, X_, X_, X_, X_, X_, X_, X_, X_, X_
#define H16 H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_
static const uint8_t ESCAPE[256] = {
    X_, X_, X_, X_, X_, X_, X_, X_, X_, X_, L_, X_, X_, X_, X_, X_, /* 0x00 */
    X16,                                                            /* 0x10 */
    0, 0, Q_, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                /* 0x20  '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                 /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                 /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Q_, 0, 0, 0,                /* 0x50  '\\' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                 /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, X_,                /* 0x70  DEL */
    H16, H16, H16, H16, H16, H16, H16, H16,                         /* 0x80-0xff */
};
#undef Q_
#undef L_
#undef X_
#undef H_
#undef X16
#undef H16

/* ---- eight bytes at a time ---------------------------------------------------------------- */

/* Most text is long runs of letters, digits and punctuation: the loops below test eight bytes
 * per step as one 64-bit word (loaded with memcpy: no alignment or aliasing assumption). */
static const uint64_t ONES = 0x0101010101010101u, HIGHS = 0x8080808080808080u;
/* The first byte of a word is its lowest (the ctz and shift steps below rely on it). */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "yaml_scalar.c's word loops assume a little-endian machine"
#endif

static inline uint64_t load8(const char *s) { return swar_load(s); }

/* The high bit of every byte of `w` that is >= c (c in 1..0x80). Exact per byte only when all
 * bytes of `w` are ASCII (< 0x80): then no byte sum overflows into the next byte. */
static inline uint64_t ge(uint64_t w, unsigned c)
{
    return (w + ONES * (0x80 - c)) & HIGHS;
}

/* Whether `w` has a byte < 0x20, 0x7f or >= 0x80: a yes/no answer that is exact even with
 * non-ASCII bytes (any carry between bytes starts at a byte >= 0x80, which answers yes). */
static inline bool word_rare(uint64_t w)
{
    return ((w | (w + ONES) | ~(w + ONES * 0x60)) & HIGHS) != 0;
}

/* Whether s[0..len) holds ": " or " #", each looked for from its rarer byte with memchr: prose
 * has many spaces and few colons or hashes (a pair test on every word cost ~300 instructions for
 * a line of text). The byte after the last counts as a NUL, as it is in a C string. */
static bool has_pair(const char *s, size_t len)
{
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, ':', (size_t)(end - p))) && p + 1 < end; p++)
        if (p[1] == ' ')
            return true;
    for (const char *p = s; (p = memchr(p, '#', (size_t)(end - p))); p++)
        if (p > s && p[-1] == ' ')
            return true;
    return false;
}

/* The union of the table classes of s[0..len): four bytes per step into two accumulators (a
 * load and an OR each, without a branch per byte). */
static inline unsigned class_union(const char *s, size_t len)
{
    unsigned a = 0, b = 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        a |= CLASS[(unsigned char)s[i]] | CLASS[(unsigned char)s[i + 1]];
        b |= CLASS[(unsigned char)s[i + 2]] | CLASS[(unsigned char)s[i + 3]];
    }
    for (; i < len; i++)
        a |= CLASS[(unsigned char)s[i]];
    return a | b;
}

/* The union of the classes of s[0..len), plus C_INSIDE for ": " or " #" (the byte after the
 * last one counts as a NUL, as it is in a C string). */
static unsigned scan(const char *s, size_t len)
{
    unsigned acc = class_union(s, len);
    if ((acc & C_SPACE) && has_pair(s, len)) /* both pairs have a space */
        acc |= C_INSIDE;
    return acc;
}

/* scan() as far as a value needs it: once a control character is seen, the value is double-
 * quoted whatever else it holds (quotes_needed's first test), and only a non-ASCII byte (the
 * direct writer declines it) still matters: the rest is looked at a word at a time for one. The
 * long strings written are scripts, whose first line break comes early. Not for keys, which
 * also need C_BREAK. */
static unsigned scan_value(const char *s, size_t len)
{
    unsigned acc = 0;
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        acc |= class_union(s + i, 16);
        if (acc & C_CTRL) {
            uint64_t any = 0;
            for (i += 16; i + 8 <= len; i += 8)
                any |= load8(s + i);
            for (; i < len; i++)
                any |= (unsigned char)s[i];
            return acc | (any & HIGHS ? C_HIGH : 0);
        }
    }
    acc |= class_union(s + i, len - i);
    if ((acc & (C_SPACE | C_CTRL)) == C_SPACE && has_pair(s, len)) /* both pairs have a space */
        acc |= C_INSIDE;
    return acc;
}

/* ---- the quoting policy ------------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* YAML 1.1/1.2 infinity and not-a-number, `t` being the text after an optional sign. */
static bool special_float(const char *t, size_t n)
{
    static const char *const floats[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    if (n != 4 || t[0] != '.')
        return false;
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
        if (memcmp(t, floats[i], 4) == 0)
            return true;
    return false;
}

/* Ints, floats, hex/octal/binary, sexagesimal (YAML 1.1 "1:30"), versions like "1.2.3" (a 1.1
 * float), exponents: anything some resolver would not keep as a string. Called only for text
 * with a digit (so .inf/.nan cannot be it). */
static bool looks_numeric(const char *s, size_t len)
{
    if (*s == '+' || *s == '-')
        s++, len--;
    /* (No NUL inside: scan() classed it as a control character.) */
    if (len >= 2 && s[0] == '0' && strchr("xoXObB", s[1])) {
        /* 0o/0b accept hex digits too: over-quoting is harmless, the policy is kept as is. */
        for (size_t i = 2; i < len; i++)
            if (!strchr("0123456789abcdefABCDEF_", s[i]))
                return false;
        return len > 2;
    }
    size_t n = len;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != 'e' && s[i] != 'E')
            continue;
        size_t x = i + 1;
        if (x < len && (s[x] == '+' || s[x] == '-'))
            x++;
        if (x == len || !all_digits(s + x, len - x))
            return false;
        n = i;
        break;
    }
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        if (is_digit(s[i]))
            digit = true;
        else if (s[i] != '.' && s[i] != '_' && s[i] != ':')
            return false;
    }
    return digit;
}

static bool looks_timestamp(const char *s, size_t len)
{
    return len >= 6 && all_digits(s, 4) && s[4] == '-' && is_digit(s[5]);
}

/* `s` (n bytes) is `lower` in lower case, Capitalized or UPPER case, as YAML 1.1's words are. */
static bool word_is(const char *s, size_t n, const char *lower)
{
    bool cap = s[0] == lower[0] - 32;
    if (!cap && s[0] != lower[0])
        return false;
    if (memcmp(s + 1, lower + 1, n - 1) == 0)
        return true;
    for (size_t i = 1; cap && i < n; i++)
        if (s[i] != lower[i] - 32)
            return false;
    return cap;
}

/* y/yes/n/no/true/false/on/off/null in their three spellings, "~", "=" and "<<". */
static inline bool is_word(const char *s, size_t len)
{
    if (len > 5)
        return false;
    /* Every word starts with y, n, t, f or o in either case, '<', '~' or '=' (and | 0x20 keeps
     * those three): most texts are ruled out by this one test. */
    switch (s[0] | 0x20) {
    case 'y': case 'n': case 't': case 'f': case 'o': case '<': case '~': case '=': break;
    default: return false;
    }
    switch (len) {
    case 1: return s[0] == 'y' || s[0] == 'Y' || s[0] == 'n' || s[0] == 'N' || s[0] == '~' || s[0] == '=';
    case 2: return (s[0] == '<' && s[1] == '<') || word_is(s, 2, "no") || word_is(s, 2, "on");
    case 3: return word_is(s, 3, "yes") || word_is(s, 3, "off");
    case 4: return word_is(s, 4, "true") || word_is(s, 4, "null");
    case 5: return word_is(s, 5, "false");
    default: return false;
    }
}

/* The policy for the NUL-terminated `s` of len >= 1 bytes whose scan() is `acc`. */
static bool quotes_needed(const char *s, size_t len, unsigned acc)
{
    if (acc & (C_CTRL | C_INSIDE))
        return true;
    /* (Spaces and colons only matter when the scan saw one: most strings skip these tests.) */
    if ((acc & (C_SPACE | C_COLON)) && (s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':'))
        return true;
    if (CLASS[(unsigned char)s[0]] & C_FIRST) /* ,[]{}#&*!|>'"%@` */
        return true;
    if ((len == 1 || (acc & C_SPACE)) && (s[0] == '-' || s[0] == '?' || s[0] == ':') && (len == 1 || s[1] == ' '))
        return true;
    if ((s[0] == '-' && s[1] == '-' && s[2] == '-') || (s[0] == '.' && s[1] == '.' && s[2] == '.'))
        return true;
    if (!(acc & C_DIGIT)) {
        /* Without a digit: the words, and .inf/.nan (optionally signed); timestamps and the
         * other numbers need digits. */
        size_t sign = s[0] == '+' || s[0] == '-';
        return is_word(s, len) || special_float(s + sign, len - sign);
    }
    return looks_numeric(s, len) || looks_timestamp(s, len);
}

bool yaml_needs_quotes(const char *s, size_t len)
{
    if (len == 0 || s[len] != '\0') /* s[len] != 0: not the NUL-terminated string of len bytes */
        return true;
    return quotes_needed(s, len, scan_value(s, len));
}

/* Whether the word `w` has a byte that is a control character or a space (< 0x21), DEL or
 * non-ASCII (>= 0x7f), or ':': a yes/no answer, exact for any bytes (the "< 0x21" sum cannot
 * carry out of an ASCII byte, and any carry starts at a byte >= 0x80, which answers yes; the
 * ':' test is the classic "has a zero byte" on w ^ ':'). */
static inline bool word_unsimple(uint64_t w)
{
    uint64_t x = w ^ (ONES * ':');
    return ((w | (w + ONES) | ~(w + ONES * (0x80 - 0x21)) | ((x - ONES) & ~x)) & HIGHS) != 0;
}

/* A text that starts with a letter and has no control character, space, DEL, non-ASCII byte or
 * ':' (most keys and names: "apiVersion", "app.kubernetes.io/name", "goverse-node", "apps/v1"):
 * the direct writer takes it, and of the quoting policy only is_word() can say yes (no ": ",
 * " #" or edge space or colon without those bytes; a letter first is no indicator, number,
 * timestamp, .inf/.nan, "---" or "..."). Read a word at a time, the last word overlapping the
 * one before it (short texts as two half-words, or bytes), never past the text: ~1.5
 * instructions a byte where scan() and quotes_needed() cost ~200-300 instructions a string. */
static bool name_text(const char *s, size_t len)
{
    if (len == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return false;
    if (len < 4) { /* the other bytes of the word: a letter */
        uint64_t w = ONES * 'a' & ~(uint64_t)0xffffff;
        w |= (unsigned char)s[0] | (unsigned)(unsigned char)s[len / 2] << 8 | (unsigned)(unsigned char)s[len - 1] << 16;
        return !word_unsimple(w);
    }
    if (len < 8) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + len - 4, 4);
        return !word_unsimple(x | (uint64_t)y << 32);
    }
    for (size_t i = 0; i + 8 < len; i += 8)
        if (word_unsimple(load8(s + i)))
            return false;
    return !word_unsimple(load8(s + len - 8));
}

/* A STYLE_AUTO value or a key that name_text() takes and that is plain (not a YAML 1.1 word):
 * only a C string of len bytes can be plain (yaml_needs_quotes). */
static inline bool plain_name(const char *s, size_t len)
{
    return name_text(s, len) && s[len] == '\0' && !is_word(s, len);
}

/* ---- the direct writer -------------------------------------------------------------------- */

/* Room for `n` more bytes and the NUL strbuf_str relies on: the writers below reserve once per
 * scalar and store bytes directly, instead of a call per piece. */
static char *room(StrBuf *b, size_t n) { return strbuf_reserve(b, n, 256); }

static void finish(StrBuf *b, char *end)
{
    *end = '\0';
    b->len = (size_t)(end - b->data);
}

static void put_plain(StrBuf *b, const char *s, size_t len)
{
    char *p = room(b, len);
    swar_copy_short(p, s, len);
    finish(b, p + len);
}

/* Nonzero when the word `w` has a byte that is not copied as it is inside double quotes: a
 * control character, '"' or '\\' (swar_escape_bits: exact for the lowest such byte), DEL or
 * non-ASCII (>= 0x7f: w + 1 carries only out of 0xff, itself flagged by w). The lowest flagged
 * byte is the first such byte of the word (little-endian: the lowest byte is first). */
static inline uint64_t escapes_mask(uint64_t w)
{
    return swar_escape_bits(w) | ((w | (w + ONES)) & HIGHS);
}

/* One byte inside double quotes, escaped as libyaml does it (see put_double_quoted). */
static inline char *dq_byte(char *p, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char named[0x20] = {
        ['\0'] = '0', ['\a'] = 'a', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
        ['\v'] = 'v', ['\f'] = 'f', ['\r'] = 'r', [0x1b] = 'e',
    };
    if (ESCAPE[c] == E_AS_IS) {
        *p++ = (char)c;
        return p;
    }
    *p++ = '\\';
    if (c == '"' || c == '\\') {
        *p++ = (char)c;
    } else if (c < 0x20 && named[c]) {
        *p++ = named[c];
    } else {
        *p++ = 'x';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 0xf];
    }
    return p;
}

/* libyaml's double-quoted writer for ASCII input (yaml_emitter_write_double_quoted): printable
 * characters as they are, except `"` and `\`; the named escapes it knows; \xHH (upper-case hex)
 * for other control characters. Never folds: yaml_write sets an unlimited width. */
static void put_double_quoted(StrBuf *b, const char *s, size_t len)
{
    /* 4 bytes per input byte at worst, the quotes, and 8 for a word stored whole. */
    char *p = room(b, 4 * len + 10);
    *p++ = '"';
    size_t i = 0;
    while (i + 8 <= len) {
        /* Eight bytes at a time: stored whole, then kept up to the first byte to escape (the
         * excess is overwritten by what follows), which is written escaped. Scripts have a
         * '\n' every few dozen bytes: the runs between escapes go a word at a time. */
        uint64_t w = load8(s + i);
        uint64_t esc = escapes_mask(w);
        memcpy(p, &w, 8);
        if (!esc) {
            p += 8;
            i += 8;
            continue;
        }
        size_t k = (size_t)__builtin_ctzll(esc) / 8; /* little-endian: the lowest byte is s[i] */
        p += k;
        i += k;
        p = dq_byte(p, (unsigned char)s[i++]);
    }
    for (; i < len; i++)
        p = dq_byte(p, (unsigned char)s[i]);
    *p++ = '"';
    finish(b, p);
}

/* How libyaml writes a `|` request for ASCII text (yaml_emitter_analyze_scalar and
 * select_scalar_style): as a block unless it is empty, has a control character other than '\n',
 * a space before a line break or a trailing space - then double-quoted. One pass that also
 * counts the line breaks (for the room the block needs) and finds non-ASCII bytes. */
typedef enum BlockCheck { BLOCK_NON_ASCII, BLOCK_QUOTED, BLOCK_OK } BlockCheck;

static BlockCheck block_check(const char *s, size_t len, size_t *breaks)
{
    bool ok = len && s[len - 1] != ' ';
    size_t n = 0;
    size_t i = 0;
    while (i + 8 <= len) {
        /* Eight bytes at a time, to the next control character (a '\n' every line) or DEL;
         * '"' and '\\' are as they are in a block. */
        uint64_t w = load8(s + i);
        if (w & HIGHS)
            return BLOCK_NON_ASCII;
        uint64_t ctrl = (~(w + ONES * 0x60) & HIGHS) | ge(w, 0x7f); /* exact: ASCII */
        if (!ctrl) {
            i += 8;
            continue;
        }
        i += (size_t)__builtin_ctzll(ctrl) / 8; /* little-endian: the lowest byte is s[i] */
        if (s[i] != '\n')
            ok = false;
        else if (n++, i && s[i - 1] == ' ')
            ok = false;
        i++;
    }
    for (; i < len; i++) {
        unsigned k = ESCAPE[(unsigned char)s[i]];
        if (k <= E_QUOTE)
            continue;
        if (k == E_HIGH)
            return BLOCK_NON_ASCII;
        if (k == E_CTRL)
            ok = false;
        else if (n++, i && s[i - 1] == ' ')
            ok = false;
    }
    *breaks = n;
    return ok ? BLOCK_OK : BLOCK_QUOTED;
}

/* yaml_emitter_write_literal_scalar under a key at column 0: "|", the indentation hint "2" when
 * the text starts with a space or a break, "-" when it has no final newline, then every line
 * indented by 2 (empty lines stay empty). The final newline itself is left to the caller, like
 * the newline after any other value. Text ending in two newlines ("|+", after which libyaml
 * also ends the document explicitly) is not handled here. `indent` more spaces follow every
 * line break written (the block of an entry at that column). */
static bool put_literal_block(StrBuf *b, const char *s, size_t len, size_t breaks, int indent,
                              bool indent_empty)
{
    bool final_break = s[len - 1] == '\n';
    if (final_break && (len == 1 || s[len - 2] == '\n'))
        return false;
    size_t shift = indent > 0 ? (size_t)indent : 0;
    char *p = room(b, 3 + len + (breaks + 1) * (shift + 3));
    *p++ = '|';
    if (s[0] == ' ' || s[0] == '\n')
        *p++ = '2';
    if (!final_break)
        *p++ = '-';
    if (final_break)
        len--;
    for (const char *line = s, *end = s + len; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        *p++ = '\n';
        if (eol > line || indent_empty) {
            memset(p, ' ', shift);
            p += shift;
        }
        if (eol > line) {
            *p++ = ' ';
            *p++ = ' ';
            memcpy(p, line, (size_t)(eol - line));
            p += eol - line;
        }
        line = eol + 1;
    }
    finish(b, p);
    return true;
}

/* The start of a block's line, after the line break before it: `shift` spaces and the block's
 * own two, none on an empty line (libyaml) or only `shift` (`indent_empty`). 32 spaces per
 * constant-size copy, no memset call for the usual depths: `p` has room for n + 32 bytes. */
static inline char *block_line(char *p, bool empty, size_t shift, bool indent_empty)
{
    static const char blanks[32] = "                                ";
    size_t n = !empty ? shift + 2 : indent_empty ? shift : 0;
    memcpy(p, blanks, 32);
    for (size_t k = 32; k < n; k += 32)
        memcpy(p + k, blanks, 32);
    return p + n;
}

/* block_check and put_literal_block in one pass for the usual block (ASCII, no control character
 * but '\n', no space before a line break or at the end, not "|+": scripts, the dashboard JSON),
 * eight bytes per step: each word is stored whole and kept up to its first line break (the rest
 * is overwritten by the next line). The two-pass path cost ~5 instructions a byte (a class pass,
 * then memchr, memset and memcpy calls per line). Returns false with nothing appended for any
 * other text, which the two-pass path then decides. */
static bool put_block_fast(StrBuf *b, const char *s, size_t len, int indent, bool indent_empty)
{
    if (len == 0 || s[len - 1] == ' ')
        return false;
    bool final_break = s[len - 1] == '\n';
    if (final_break && (len == 1 || s[len - 2] == '\n' || s[len - 2] == ' '))
        return false; /* "|+", or a space before the final break (the loop stops short of it) */
    size_t end = len - final_break; /* the lines' text: it never ends with a '\n' */
    size_t shift = indent > 0 ? (size_t)indent : 0;
    size_t slack = 1 + shift + 2 + 32 + 8; /* a line's break and start (block_line), a word */
    size_t mark = b->len;
    char *p = room(b, 2 + end + slack), saved = *p;
    *p++ = '|';
    if (s[0] == ' ' || s[0] == '\n')
        *p++ = '2';
    if (!final_break)
        *p++ = '-';
    *p++ = '\n';
    p = block_line(p, s[0] == '\n', shift, indent_empty);
    size_t i = 0;
    while (i < end) {
        uint64_t w;
        for (; i + 8 <= end; i += 8, p += 8) {
            w = load8(s + i);
            memcpy(p, &w, 8);
            if (word_rare(w))
                break;
        }
        if (i + 8 <= end) {
            if (w & HIGHS)
                break; /* non-ASCII: declined (the masks below are exact for ASCII only) */
            uint64_t ctrl = (~(w + ONES * 0x60) & HIGHS) | ge(w, 0x7f);
            size_t k = (size_t)__builtin_ctzll(ctrl) / 8; /* little-endian: the lowest byte is s[i] */
            p += k;
            i += k;
        } else if (i == end) {
            break;
        } else if (ESCAPE[(unsigned char)s[i]] <= E_QUOTE) {
            *p++ = s[i++];
            continue;
        }
        /* s[i] is a control character, DEL or non-ASCII: only a '\n' after a non-space goes on */
        if (s[i] != '\n' || (i && s[i - 1] == ' '))
            break;
        i++;
        size_t need = (end - i) + slack; /* the rest of the text fits, whatever its lines */
        if ((size_t)(p - b->data) + need + 1 > b->cap) {
            b->len = (size_t)(p - b->data);
            p = strbuf_grow(b, need, 256);
        }
        *p++ = '\n';
        p = block_line(p, s[i] == '\n', shift, indent_empty);
    }
    if (i < end) {
        b->len = mark;
        b->data[mark] = saved;
        return false;
    }
    finish(b, p);
    return true;
}

/* A plain or double-quoted scalar whose scan() is `acc`. */
static bool put_flow(StrBuf *b, const char *s, size_t len, DataStyle style, unsigned acc)
{
    /* Non-ASCII: libyaml's printable/break classes of Unicode are not reproduced here. */
    if (acc & C_HIGH)
        return false;
    /* A plain request libyaml honours: for ASCII, every case where libyaml's analysis forbids a
     * block plain scalar (indicator first, ": " or " #" inside, leading/trailing space,
     * "---"/"...", breaks, empty) is one where the quoting policy already said yes. */
    if (style == STYLE_AUTO && len && s[len] == '\0' && !quotes_needed(s, len, acc))
        put_plain(b, s, len);
    else
        put_double_quoted(b, s, len);
    return true;
}

/* `indent_empty`: the empty lines of a `|` block get the `indent` spaces too (template text:
 * every line of it is shifted); libyaml leaves them empty (the YAML writer). */
static bool append_at(StrBuf *b, const char *s, size_t len, DataStyle style, int indent, bool indent_empty)
{
    if (style == STYLE_LITERAL) {
        if (put_block_fast(b, s, len, indent, indent_empty))
            return true;
        size_t breaks;
        switch (block_check(s, len, &breaks)) {
        case BLOCK_NON_ASCII: return false;
        case BLOCK_OK: return put_literal_block(b, s, len, breaks, indent, indent_empty);
        case BLOCK_QUOTED: break;
        }
        put_double_quoted(b, s, len);
        return true;
    }
    if (style == STYLE_AUTO && plain_name(s, len)) {
        put_plain(b, s, len);
        return true;
    }
    return put_flow(b, s, len, style, scan_value(s, len));
}

bool yaml_scalar_append_indented(StrBuf *b, const char *s, size_t len, DataStyle style, int indent)
{
    return append_at(b, s, len, style, indent, true);
}

bool yaml_scalar_append_at(StrBuf *b, const char *s, size_t len, DataStyle style, int indent)
{
    return append_at(b, s, len, style, indent, false);
}

bool yaml_scalar_append_str(StrBuf *b, const char *s, DataStyle style, int indent)
{
    size_t len = strlen(s);
    return append_at(b, s, len, style, indent, true);
}

bool yaml_scalar_append(StrBuf *b, const char *s, size_t len, DataStyle style)
{
    return yaml_scalar_append_indented(b, s, len, style, 0);
}

/* A key whose scan() is `acc`. libyaml writes a key longer than 128 bytes, or one with a line
 * break, as a complex key ("? key"): not a single scalar, left to the general path. */
static bool put_key(StrBuf *b, const char *s, size_t len, unsigned acc)
{
    if (len > 128 || (acc & (C_BREAK | C_HIGH)))
        return false;
    if (len && s[len] == '\0' && !quotes_needed(s, len, acc))
        put_plain(b, s, len);
    else
        put_double_quoted(b, s, len);
    return true;
}


bool yaml_key_append(StrBuf *b, const char *s, size_t len)
{
    if (len <= 128 && plain_name(s, len)) {
        put_plain(b, s, len);
        return true;
    }
    return put_key(b, s, len, len > 128 ? 0 : scan(s, len));
}

bool yaml_key_append_str(StrBuf *b, const char *key)
{
    return yaml_key_append(b, key, strlen(key));
}

/* The general path: the value as yaml_write writes {k: value}, minus "k: " and the final newline
 * (a `|` block keeps its continuation lines, indented for column 0). */
static const char *scalar_via_writer(Arena *a, const char *s, size_t len, DataStyle style)
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
    if (style == STYLE_AUTO && plain_name(s, len))
        return s;
    if (style == STYLE_AUTO && len && s[len] == '\0') {
        unsigned acc = scan_value(s, len);
        if (!(acc & C_HIGH) && !quotes_needed(s, len, acc))
            return s; /* plain: the string itself */
    }
    StrBuf b;
    strbuf_init(&b, a);
    if (yaml_scalar_append(&b, s, len, style))
        return strbuf_str(&b);
    return scalar_via_writer(a, s, len, style);
}
