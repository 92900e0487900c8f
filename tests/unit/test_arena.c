/* test_arena.c - the arena's growing and clearing (arena_grow, arena_clear) and a StrBuf grown
 * through them: contents kept whichever way a block grows (in place, realloc'd big block, copy),
 * and a cleared arena usable again. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/arena.h"
#include "support/strbuf.h"

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static bool filled(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 7))
            return false;
    return true;
}

static void test_grow(void **state)
{
    (void)state;
    Arena *a = arena_new();
    /* The last allocation of the chunk grows where it is. */
    unsigned char *p = arena_alloc_raw(a, 100);
    fill(p, 100, 1);
    unsigned char *q = arena_grow(a, p, 100, 1000, 100);
    assert_ptr_equal(q, p);
    assert_true(filled(q, 100, 1));
    /* Not the last one any more: a new block with the bytes in use, the old one untouched. */
    unsigned char *other = arena_alloc_raw(a, 16);
    fill(other, 16, 9);
    unsigned char *r = arena_grow(a, q, 1000, 2000, 100);
    assert_ptr_not_equal(r, q);
    assert_true(filled(r, 100, 1));
    assert_true(filled(q, 100, 1));
    assert_true(filled(other, 16, 9));
    /* A big block (behind the chunk) grows by realloc, twice, keeping its contents. */
    unsigned char *big = arena_alloc_raw(a, 40000);
    fill(big, 40000, 3);
    big = arena_grow(a, big, 40000, 200000, 40000);
    assert_true(filled(big, 40000, 3));
    fill(big, 200000, 4);
    big = arena_grow(a, big, 200000, 900000, 200000);
    assert_true(filled(big, 200000, 4));
    assert_true(filled(other, 16, 9));
    /* No block yet. */
    unsigned char *none = arena_grow(a, NULL, 0, 64, 0);
    assert_non_null(none);
    fill(none, 64, 5);
    assert_true(filled(none, 64, 5));
    arena_free(a);
}

static void test_clear(void **state)
{
    (void)state;
    Arena *a = arena_new();
    for (int round = 0; round < 3; round++) {
        unsigned char *first = arena_alloc_raw(a, 32);
        fill(first, 32, 11);
        for (int i = 0; i < 1000; i++)
            fill(arena_alloc_raw(a, 300), 300, (unsigned)i);
        unsigned char *big = arena_alloc_raw(a, 100000);
        fill(big, 100000, 12);
        assert_true(filled(first, 32, 11));
        assert_true(filled(big, 100000, 12));
        assert_true(arena_bytes_used(a) >= 32 + 300 * 1000 + 100000);
        arena_clear(a);
        /* One chunk kept, nothing in use. */
        assert_int_equal(arena_bytes_used(a), 0);
    }
    char *s = arena_strdup(a, "after a clear");
    assert_string_equal(s, "after a clear");
    arena_free(a);
}

static void test_strbuf_growth(void **state)
{
    (void)state;
    Arena *a = arena_new();
    StrBuf b, other;
    strbuf_init(&b, a);
    strbuf_init(&other, a);
    /* Two buffers growing in turns: neither is always the last allocation, both get big. */
    for (int i = 0; i < 20000; i++) {
        char piece[16];
        int n = snprintf(piece, sizeof piece, "%d,", i);
        strbuf_addn(&b, piece, (size_t)n);
        strbuf_addc(&other, (char)('a' + i % 26));
    }
    size_t at = 0;
    for (int i = 0; i < 20000; i++) {
        char piece[16];
        int n = snprintf(piece, sizeof piece, "%d,", i);
        assert_memory_equal(strbuf_str(&b) + at, piece, (size_t)n);
        at += (size_t)n;
        assert_int_equal(strbuf_str(&other)[i], 'a' + i % 26);
    }
    assert_int_equal(b.len, at);
    assert_int_equal(strbuf_str(&b)[at], '\0');
    assert_int_equal(other.len, 20000);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_strbuf_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
