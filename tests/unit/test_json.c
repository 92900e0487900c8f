/* test_json.c - the JSON writer's string escaping (json.c: clean strings tested and copied 16 bytes
 * or a word at a time, the rest byte by byte) against a byte-at-a-time reference: every length
 * from 0 to 40 with each byte that needs an escape (and some that must not be escaped) at every
 * position, so each 16-byte and word boundary, the short-string stores and the overlapping tails
 * are crossed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "emit/json.h"
#include "support/swar.h"

/* RFC 8259 as json.c documents it: \" \\ \n \r \t, \u00XX for the other bytes below 0x20. */
static void reference(char *out, const char *s, size_t len)
{
    char *p = out;
    *p++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            p += sprintf(p, "\\%c", c);
        else if (c == '\n')
            p += sprintf(p, "\\n");
        else if (c == '\r')
            p += sprintf(p, "\\r");
        else if (c == '\t')
            p += sprintf(p, "\\t");
        else if (c < 0x20)
            p += sprintf(p, "\\u%04x", c);
        else
            *p++ = (char)c;
    }
    *p++ = '"';
    *p = '\0';
}

static void test_strings_escape_like_the_reference(void **state)
{
    (void)state;
    static const unsigned char specials[] = {'"', '\\', '\n', '\r', '\t', 0x01, 0x1f, 0x20, 0x7f, 0xc3, '!', '#'};
    Arena *a = arena_new();
    char s[48], want[48 * 6 + 3];
    for (size_t len = 0; len <= 40; len++)
        for (size_t at = 0; at < (len ? len : 1); at++)
            for (size_t k = 0; k < sizeof specials; k++) {
                for (size_t i = 0; i < len; i++)
                    s[i] = (char)('a' + (i % 26));
                if (len)
                    s[at] = (char)specials[k];
                if (len > 3) /* a second special further on: two hits in one word, or in two */
                    s[(at + 9) % len] = (char)specials[(k + 1) % sizeof specials];
                s[len] = '\0';
                StrBuf b;
                strbuf_init(&b, a);
                JsonWriter w;
                json_writer_init(&w, &b);
                json_str(&w, s, len);
                reference(want, s, len);
                if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
                    fail_msg("len %zu, byte 0x%02x at %zu: got %.*s, want %s", len, specials[k], at,
                             (int)b.len, b.data, want);
            }
    arena_free(a);
}

static void test_escape_bits_finds_the_first_hit(void **state)
{
    (void)state;
    for (int at = 0; at < 8; at++)
        for (int c = 0; c < 256; c++) {
            char s[8];
            memset(s, 'x', sizeof s);
            s[at] = (char)c;
            uint64_t bits = swar_escape_bits(swar_load(s));
            bool needs = c < 0x20 || c == '"' || c == '\\';
            assert_int_equal(bits != 0, needs);
            if (needs)
                assert_int_equal(__builtin_ctzll(bits) / 8, at);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_escape_like_the_reference),
        cmocka_unit_test(test_escape_bits_finds_the_first_hit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
