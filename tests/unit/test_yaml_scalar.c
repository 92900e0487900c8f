/* test_yaml_scalar.c - yaml_scalar_append / yaml_key_append / yaml_scalar_text (yaml_scalar.c)
 * against libyaml itself: for every string of a large table of tricky ones (indicators, YAML 1.1
 * words, numbers, timestamps, spaces, control characters, Unicode, very long text) and thousands
 * of generated ones, the direct writer must produce exactly the bytes libyaml's emitter produces
 * for {v: string} (and {string: 0} for keys; yaml_oracle.c), or decline. It must not decline for
 * ASCII text. The
 * quoting policy is also compared with its first, straightforward implementation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yaml/yaml_emit.h"
#include "yaml/yamlio.h"
#include "yaml_oracle.h"

static const char *const TRICKY[] = {
    "", " ", "  ", "a", "hello", "hello world", " lead", "trail ", " both ", "a  b", "a\tb", "\tlead",
    ":", "::", ":a", ": a", "a:", "a:b", "a: b", "a :b", "http://x:80/p", "ghcr.io/a/b:1.0",
    "#", "#c", "a#b", "a #b", "a# b", "-", "--", "---", "---x", "- x", "-x", "-Xmx1g", "-1", "- ",
    "?", "?x", "? x", "a?b", "...", "..", ".x", "{", "{x}", "a{b}", "[", "[x]", "a[0]", "}", "]",
    ",", ",x", "a,b", "*", "*star", "a*", "&", "&amp", "!", "!tag", "a!", "|", "|x", "a|b", ">", ">x",
    "'", "'q'", "it's", "\"", "\"q\"", "say \"hi\"", "%", "%p", "50%", "@", "@at", "a@b", "`", "`x`",
    "\\", "a\\b", "C:\\path", "\\n", "=", "==", "<<", "<", "~", "~x", "a~",
    "y", "Y", "yes", "Yes", "YES", "yEs", "n", "N", "no", "No", "NO", "nO", "true", "True", "TRUE",
    "tRUE", "false", "False", "FALSE", "on", "On", "ON", "oN", "off", "Off", "OFF", "null", "Null",
    "NULL", "nULL", "none", "None", "yes!", "truey", "nullable",
    "0", "1", "-1", "+1", "8080", "017", "1_000", "1.5", "-1.5", "+.5", ".5", "5.", "1.2.3", "1e3", "1E3",
    "1e+3", "1e-3", "e3", "1e", "1ex", "0x1F", "0X1f", "0x", "0xg", "0o17", "0O17", "0b101", "0B1",
    "1:30", "1:30:00", "12:", ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", ".nAn",
    "inf", "nan", "2024-01-02", "2024-01-02T03:04:05Z", "2024-1-2", "20240102", "2024-x", "1234-5",
    "500m", "1Gi", "10s", "1h30m", "v1.2.3", "1.2.3-rc1", "$(POD_NAME).ns", "{{ .Values.x }}",
    "a\nb", "a\n", "\nb", "\n", "a\rb", "a\r\nb", "a\x01b", "\x07\x08\x0b\x0c\x1b", "\x7f", "a\x7f",
    "tab\there", "x\x1f", "h\xc3\xa9llo", "\xc3\xa9", "\xe2\x80\xa8", "\xc2\x85", "\xef\xbb\xbf" "bom",
    "\xc2\xa0nbsp", "\xf0\x9f\x98\x80", "caf\xc3\xa9 au lait",
    "app.kubernetes.io/name", "helm.sh/chart", "apiVersion", "key with spaces", "key: value # c",
    "a\nb\n", "a\n\nb\n", "a\n\n", "a\n\n\n", "\na\n", " a\nb\n", "a\n b\n", "a \nb\n", "a\nb ",
    "a\n\tb\n", "{\n  \"k\": 1\n}\n", "#!/bin/sh\nset -e\necho ok\n", "x\n\n\ny", "\n\nx",
    "--set=a", "@@", "a b c d e f g h i j k l m n o p", "0.0.0.0:8080", "[::1]:80", "::1", "a,b,c",
    /* words in other spellings, near-numbers (the policy is compared with reference_needs_quotes) */
    "oFF", "OfF", "FaLse", "fALSE", "NuLL", "TRUe", "YeS", "yES", "nO", "<<<", "~~", ".inF", "+.inf",
    "-.NaN", "+.NaN", "-.nan", "+.nan.", "0o19", "0b12", "0x_", "-0x1", "+0b1", "0xG", "1e+", "1e-x",
    "1.e5", "1_0e1_0", "12:34:56.7", "2024-01", "12345-6", "0000-0a", "e", "E5", "-e5", "._:", "1._:",
    "1 #x", "a:\tb", "a:b:", "x ", "-a-", "?-", ":-", "...x", "..x", "--x", "a---", "1e3e3", "1E+3",
    /* bytes that fold (| 0x20) to a word's first byte; pairs at the ends (has_pair) */
    "^", "^^", "^a", "\x1c", "\x1d", "\x1c<", "o", "O", "t", "f", "<", ":", "a:", ": ", "a: ", " #", "#",
    "a #", "# a", "a:: b", "a::b", "x: #", "##", "a ##b", "a:\x01 b",
};

/* The quoting policy as it was first written (straightforward, one libc call per test): the
 * optimised yaml_needs_quotes must agree with it on every string checked here. */
static bool ref_all_in(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i]))
            return false;
    return true;
}

static bool ref_word_in(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

static const char *const REF_SPECIAL_FLOATS[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL};

static bool ref_looks_numeric(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b' || s[1] == 'X' || s[1] == 'O' || s[1] == 'B'))
        return s[2] && ref_all_in(s + 2, strlen(s + 2), "0123456789abcdefABCDEF_");
    if (s[0] == '.' && ref_word_in(s, REF_SPECIAL_FLOATS))
        return true;
    size_t n = strlen(s);
    const char *e = strpbrk(s, "eE");
    if (e) {
        const char *x = e + 1;
        if (*x == '+' || *x == '-')
            x++;
        if (!*x || !ref_all_in(x, strlen(x), "0123456789"))
            return false;
        n = (size_t)(e - s);
    }
    if (n == 0 || !ref_all_in(s, n, "0123456789._:"))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return true;
    return false;
}

static bool reference_needs_quotes(const char *s, size_t len)
{
    static const char *const words[] = {
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
        "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
        "~", "=", "<<", NULL};
    if (len == 0 || s[len] != '\0' || memchr(s, '\0', len))
        return true;
    if (s[0] == ' ' || s[len - 1] == ' ' || s[len - 1] == ':' || strchr(",[]{}#&*!|>'\"%@`", s[0]))
        return true;
    if ((s[0] == '-' || s[0] == '?' || s[0] == ':') && (len == 1 || s[1] == ' '))
        return true;
    if (strncmp(s, "---", 3) == 0 || strncmp(s, "...", 3) == 0 || strstr(s, ": ") || strstr(s, " #"))
        return true;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return true;
    if (ref_word_in(s, words))
        return true;
    const char *t = s + (s[0] == '+' || s[0] == '-');
    if (t[0] == '.' && ref_word_in(t, REF_SPECIAL_FLOATS))
        return true;
    bool timestamp = len >= 6 && ref_all_in(s, 4, "0123456789") && s[4] == '-' && s[5] >= '0' && s[5] <= '9';
    return ref_looks_numeric(s) || timestamp;
}

/* `text` with `indent` spaces after every line break. */
static const char *shifted(Arena *a, const char *text, int indent)
{
    StrBuf b;
    strbuf_init(&b, a);
    for (const char *nl; (nl = strchr(text, '\n')); text = nl + 1) {
        strbuf_addn(&b, text, (size_t)(nl - text + 1));
        strbuf_indent(&b, indent);
    }
    strbuf_add(&b, text);
    return strbuf_str(&b);
}

/* libyaml's text for {v: s} (style `style`) minus "v: " and the final newline. */
static const char *via_libyaml(Arena *a, const char *s, size_t len, DataStyle style)
{
    Data *m = data_map(a);
    Data *d = data_put(a, m, "v", data_strn(a, s, len));
    d->style = style;
    size_t n;
    const char *text, *err;
    const Data *doc = m;
    assert_true(yaml_oracle_libyaml(a, &doc, 1, &text, &n, &err));
    assert_true(n >= 4 && strncmp(text, "v: ", 3) == 0 && text[n - 1] == '\n');
    while (text[n - 1] == '\n') /* a `|` block may end the document with more than one */
        n--;
    return arena_strndup(a, text + 3, n - 3);
}

/* libyaml's text for the key of {s: 0}, or NULL when it is not a "key: 0" line. */
static const char *key_via_libyaml(Arena *a, const char *s, size_t len)
{
    Data *m = data_map(a);
    data_put(a, m, arena_strndup(a, s, len), data_int(a, 0));
    size_t n;
    const char *text, *err;
    const Data *doc = m;
    assert_true(yaml_oracle_libyaml(a, &doc, 1, &text, &n, &err));
    if (n < 4 || strcmp(text + n - 4, ": 0\n") != 0 || memchr(text, '\n', n - 1))
        return NULL;
    return arena_strndup(a, text, n - 4);
}

static bool is_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

static int checked;

static void check_one(Arena *a, const char *s, size_t len)
{
    static const DataStyle styles[] = {STYLE_AUTO, STYLE_QUOTED, STYLE_LITERAL};
    for (size_t k = 0; k < sizeof styles / sizeof styles[0]; k++) {
        DataStyle st = styles[k];
        const char *want = via_libyaml(a, s, len, st);
        StrBuf b;
        strbuf_init(&b, a);
        bool direct = yaml_scalar_append(&b, s, len, st);
        if (direct && strcmp(strbuf_str(&b), want) != 0)
            fail_msg("style %d: '%s': direct '%s', libyaml '%s'", (int)st, s, strbuf_str(&b), want);
        if (!direct && b.len != 0)
            fail_msg("style %d: '%s': declined but appended '%s'", (int)st, s, strbuf_str(&b));
        /* ASCII is always written directly, but for "|+" blocks (ending in two newlines). */
        bool keep = len && s[len - 1] == '\n' && (len == 1 || s[len - 2] == '\n');
        if (is_ascii(s, len) && !direct && !(st == STYLE_LITERAL && keep))
            fail_msg("style %d: ASCII '%s' declined", (int)st, s);
        const char *text = yaml_scalar_text(a, s, len, st);
        if (strcmp(text, want) != 0)
            fail_msg("style %d: '%s': yaml_scalar_text '%s', libyaml '%s'", (int)st, s, text, want);
        /* At a column: the same text, shifted after every line break. */
        for (int indent = 2; indent <= 6; indent += 4) {
            StrBuf c;
            strbuf_init(&c, a);
            bool at = yaml_scalar_append_indented(&c, s, len, st, indent);
            if (at != direct || (at && strcmp(strbuf_str(&c), shifted(a, strbuf_str(&b), indent)) != 0))
                fail_msg("style %d: '%s' at %d: '%s'", (int)st, s, indent, at ? strbuf_str(&c) : "(declined)");
            if (memchr(s, '\0', len))
                continue;
            /* The C-string form finds the length itself: the same text. */
            StrBuf d;
            strbuf_init(&d, a);
            bool str = yaml_scalar_append_str(&d, s, st, indent);
            if (str != at || (str && strcmp(strbuf_str(&d), strbuf_str(&c)) != 0))
                fail_msg("style %d: '%s' at %d: _str '%s'", (int)st, s, indent, str ? strbuf_str(&d) : "(declined)");
        }
        checked++;
    }
    if (yaml_needs_quotes(s, len) != reference_needs_quotes(s, len))
        fail_msg("'%s': yaml_needs_quotes %d, reference %d", s, yaml_needs_quotes(s, len), !yaml_needs_quotes(s, len));
    if (memchr(s, '\0', len))
        return; /* a key is a C string */
    const char *want = key_via_libyaml(a, s, len);
    StrBuf b;
    strbuf_init(&b, a);
    bool direct = yaml_key_append(&b, s, len);
    if (direct && (!want || strcmp(strbuf_str(&b), want) != 0))
        fail_msg("key '%s': direct '%s', libyaml '%s'", s, strbuf_str(&b), want ? want : "(complex key)");
    if (!direct && want && is_ascii(s, len) && len <= 128 && !strpbrk(s, "\r\n"))
        fail_msg("key: ASCII '%s' declined", s);
    StrBuf k;
    strbuf_init(&k, a);
    if (yaml_key_append_str(&k, s) != direct || strcmp(strbuf_str(&k), strbuf_str(&b)) != 0)
        fail_msg("key '%s': yaml_key_append_str '%s'", s, strbuf_str(&k));
}

static void test_tricky_table(void **state)
{
    (void)state;
    Arena *a = arena_new();
    for (size_t i = 0; i < sizeof TRICKY / sizeof TRICKY[0]; i++)
        check_one(a, TRICKY[i], strlen(TRICKY[i]));
    check_one(a, "a\0b", 3); /* embedded NUL */
    arena_free(a);
}

static void test_long_strings(void **state)
{
    (void)state;
    Arena *a = arena_new();
    /* Around libyaml's 128-byte simple-key limit and its default 80-column width (which
     * yaml_write disables: nothing may fold). */
    size_t lens[] = {79, 80, 81, 127, 128, 129, 200, 1000, 5000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char *s = arena_alloc(a, lens[i] + 1);
        for (size_t j = 0; j < lens[i]; j++)
            s[j] = (j % 7 == 6) ? ' ' : (char)('a' + j % 26);
        check_one(a, s, lens[i]);
        s[lens[i] / 2] = ':';
        s[lens[i] / 2 + 1] = ' ';
        check_one(a, s, lens[i]); /* quoted */
        s[lens[i] / 3] = '"';
        s[lens[i] / 4] = '\n';
        check_one(a, s, lens[i]);
    }
    arena_free(a);
}

/* `text` with `indent` spaces after every line break that a non-empty line follows: libyaml's
 * indentation of a nested `|` block (yaml_scalar_append_at) leaves empty lines empty. */
static const char *shifted_nonempty(Arena *a, const char *text, int indent)
{
    StrBuf b;
    strbuf_init(&b, a);
    for (const char *nl; (nl = strchr(text, '\n')); text = nl + 1) {
        strbuf_addn(&b, text, (size_t)(nl - text + 1));
        if (nl[1] && nl[1] != '\n')
            strbuf_indent(&b, indent);
    }
    strbuf_add(&b, text);
    return strbuf_str(&b);
}

/* A `|` request at every indentation from 0 to 40 (the one-pass block writer's line starts and
 * room), appended after text already in the buffer, against libyaml's text shifted: both forms
 * (empty lines indented or not). A declined text leaves the buffer as it was. */
static void check_block(Arena *a, const char *s, size_t len)
{
    check_one(a, s, len);
    const char *want = via_libyaml(a, s, len, STYLE_LITERAL);
    StrBuf z;
    strbuf_init(&z, a);
    bool direct = yaml_scalar_append(&z, s, len, STYLE_LITERAL);
    for (int indent = 0; indent <= 40; indent++) {
        for (int empty = 0; empty < 2; empty++) {
            StrBuf b;
            strbuf_init(&b, a);
            strbuf_add(&b, "k:");
            bool ok = empty ? yaml_scalar_append_indented(&b, s, len, STYLE_LITERAL, indent)
                            : yaml_scalar_append_at(&b, s, len, STYLE_LITERAL, indent);
            const char *text = strbuf_str(&b);
            if (ok != direct || strncmp(text, "k:", 2) != 0 || strlen(text) != b.len)
                fail_msg("block '%s' at %d (%d): %s '%s'", s, indent, empty, ok ? "wrote" : "declined", text);
            const char *body = empty ? shifted(a, want, indent) : shifted_nonempty(a, want, indent);
            if (ok && strcmp(text + 2, body) != 0)
                fail_msg("block '%s' at %d (%d): '%s', want '%s'", s, indent, empty, text + 2, body);
        }
    }
}

/* Blocks of two and three lines of every length up to 17 (the word loop's every phase), empty
 * lines, leading spaces; then one text with a byte that stops the one-pass writer (a control
 * character, DEL, non-ASCII, a space before a break or at the end, "|+") at every position. */
static void test_blocks(void **state)
{
    (void)state;
    static const char fill[] = "abcdefghijklmnopq\"{}: #";
    char buf[80];
    for (size_t l1 = 0; l1 <= 17; l1++) {
        Arena *a = arena_new();
        for (size_t l2 = 0; l2 <= 17; l2++) {
            for (int form = 0; form < 4; form++) {
                size_t n = 0;
                if (form == 3)
                    buf[n++] = ' ';
                memcpy(buf + n, fill, l1), n += l1;
                buf[n++] = '\n';
                if (form == 2)
                    buf[n++] = '\n';
                memcpy(buf + n, fill + 17 - l2, l2), n += l2;
                if (form != 1)
                    buf[n++] = '\n';
                buf[n] = '\0';
                check_block(a, buf, n);
            }
        }
        arena_free(a);
    }
    static const char base[] = "{\n  \"panels\": [\n    {\"id\": 1}\n  ]\n}\n";
    static const char *const stops[] = {"\t", "\x01", "\x7f", "\xc3\xa9", " \n", "\n\n", " "};
    Arena *a = arena_new();
    for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++) {
        for (size_t at = 0; at <= sizeof base - 1; at++) {
            size_t n = 0, m = strlen(stops[k]);
            memcpy(buf, base, at), n += at;
            memcpy(buf + n, stops[k], m), n += m;
            memcpy(buf + n, base + at, sizeof base - 1 - at), n += sizeof base - 1 - at;
            buf[n] = '\0';
            check_block(a, buf, n);
        }
    }
    arena_free(a);
}

/* Names (a letter first, then no control character, space, DEL, non-ASCII byte or ':': the
 * word-at-a-time fast path of keys and values) of every length to 40, the YAML 1.1 words and
 * near-numbers among them, and each with another byte at every position (the overlapping last
 * word): one the fast path declines, or an indicator it takes. */
static void test_names(void **state)
{
    (void)state;
    static const char *const words[] = {
        "y", "Y", "n", "N", "no", "No", "NO", "on", "On", "ON", "yes", "Yes", "YES", "off", "Off", "true",
        "True", "null", "NULL", "false", "FALSE", "nO", "oN", "yEs", "e5", "E5", "e", "x1", "v1", "k8s-app",
        "apps/v1", "a_b", "x-1.2", "x.inf", "z:", "Z", "a-", "a.", "a/", "a_", "inf", "nan", "e1_0"};
    static const char alpha[] = "aZz09-./_AqQ#\"'$={},!";
    static const char odd[] = ": #\t\x7f\n\"'@,[{~";
    Arena *a = arena_new();
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        check_one(a, words[i], strlen(words[i]));
    char buf[48];
    for (size_t len = 1; len <= 40; len++) {
        for (size_t j = 0; j < len; j++)
            buf[j] = j == 0 ? "kZ"[len % 2] : alpha[(j * 7 + len) % (sizeof alpha - 1)];
        buf[len] = '\0';
        check_one(a, buf, len);
        for (size_t at = 0; at < len; at++) {
            char keep = buf[at];
            buf[at] = odd[(at + len) % (sizeof odd - 1)];
            check_one(a, buf, len);
            buf[at] = keep;
            if (at + 1 < len) { /* non-ASCII: "\xc3\xa9" */
                char two[2] = {buf[at], buf[at + 1]};
                memcpy(buf + at, "\xc3\xa9", 2);
                check_one(a, buf, len);
                memcpy(buf + at, two, 2);
            }
        }
    }
    arena_free(a);
}

/* Random strings over an alphabet of indicators, digits, word letters, spaces and controls. */
static void test_generated(void **state)
{
    (void)state;
    static const char alpha[] = "0123456789._:-+eExXoOb aftnyYNul~=<#?,[]{}&*!|>'\"%@`\\\t\n\r\x01\x7f";
    uint32_t seed = 12345;
    char buf[16];
    for (int round = 0; round < 40; round++) {
        Arena *a = arena_new(); /* one per round: keeps memory flat */
        for (int i = 0; i < 500; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t len = 1 + (seed >> 16) % 10;
            for (size_t j = 0; j < len; j++) {
                seed = seed * 1103515245u + 12345u;
                buf[j] = alpha[(seed >> 16) % (sizeof alpha - 1)];
            }
            buf[len] = '\0';
            check_one(a, buf, len);
        }
        arena_free(a);
    }
    assert_true(checked > 60000);
}

static void test_needs_quotes_policy(void **state)
{
    (void)state;
    /* The policy yaml_write applies (test_yaml.c has the full table through the writer). */
    assert_true(yaml_needs_quotes("", 0));
    assert_true(yaml_needs_quotes("yes", 3));
    assert_true(yaml_needs_quotes("-.inf", 5));
    assert_true(yaml_needs_quotes("0x1F", 4));
    assert_true(yaml_needs_quotes("2024-01-02", 10));
    assert_true(yaml_needs_quotes("a: b", 4));
    assert_true(yaml_needs_quotes("ab", 1)); /* not the NUL-terminated string of that length */
    assert_false(yaml_needs_quotes("yEs", 3));
    assert_false(yaml_needs_quotes("app.kubernetes.io/name", 22));
    assert_false(yaml_needs_quotes("500m", 4));
    assert_false(yaml_needs_quotes("-Xmx1g", 6));
    assert_false(yaml_needs_quotes("nO", 2));
    assert_true(yaml_needs_quotes("+.NaN", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tricky_table),
        cmocka_unit_test(test_long_strings),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_generated),
        cmocka_unit_test(test_needs_quotes_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
