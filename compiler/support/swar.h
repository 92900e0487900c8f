/* swar.h - byte tests eight bytes at a time ("SIMD within a register") for the text writers that
 * escape strings: a clean run of a string is copied a word at a time, only a word holding a byte
 * to escape goes byte by byte. Shared by the JSON writer (emit/json.c) and the Go-template
 * string writer (emit/template_expr.c); the YAML
 * scalar writer (yaml/yaml_scalar.c) loads its words here and keeps its own YAML byte classes. */
#ifndef GOVERSEC_SWAR_H
#define GOVERSEC_SWAR_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* s[0..n) to p: a short text (keys, names: most scalars) as two overlapping fixed-size copies
 * that read and write only those bytes, without a call to memcpy; longer or shorter ones by
 * memcpy. The YAML scalar writer's (most of its scalars are short). */
static inline void swar_copy_short(char *p, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        memcpy(p, s, 8);
        memcpy(p + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(p, s, 4);
        memcpy(p + n - 4, s + n - 4, 4);
    } else {
        memcpy(p, s, n);
    }
}

/* The 8 bytes at p (any alignment), byte i of the result's little-endian order being p[i]. */
static inline uint64_t swar_load(const void *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Nonzero when one of the 8 bytes of w is '"', '\\' or a control byte below 0x20 (what a JSON or
 * a Go string literal escapes): the classic "has a zero byte" test, (x - 0x01..) & ~x & 0x80..,
 * on w ^ '"' and w ^ '\\', and its "has a byte below n" form on w. Exact as a yes/no answer. As a
 * mask it flags the lowest hit exactly (borrows run upwards only) and may flag bytes above it, so
 * on little-endian machines __builtin_ctzll(bits) / 8 is the index of the first byte to escape. */
static inline uint64_t swar_escape_bits(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    return ((w - ones * 0x20) | (q - ones) | (b - ones)) & ~w & highs;
}

/* Copies s[*i..] to p a word at a time while the next 8 bytes hold nothing to escape; stops at
 * the first word that does or when fewer than 8 bytes are left (*i says where). Returns the
 * new end of p. The caller escapes the word it stopped at byte by byte, and the tail. */
static inline char *swar_copy_clean(char *p, const char *s, size_t len, size_t *i)
{
    for (; *i + 8 <= len; *i += 8, p += 8) {
        uint64_t w = swar_load(s + *i);
        if (swar_escape_bits(w))
            break;
        memcpy(p, &w, 8);
    }
    return p;
}

/* A string shorter than 8 bytes with nothing to escape (keys, names: most strings of JSON and Go
 * templates), quoted in one go: checked as one word padded with spaces (which need no escape) and
 * stored whole after p's opening quote, the padding overwritten by what follows (p has room for
 * 8 bytes and the closing quote). Returns the end, or NULL when the string needs the general path. */
static inline char *swar_quote_short(char *p, const char *s, size_t len)
{
    if (len >= 8)
        return NULL;
    uint64_t w = 0x2020202020202020u;
    memcpy(&w, s, len);
    if (swar_escape_bits(w))
        return NULL;
    memcpy(p, &w, 8);
    p[len] = '"';
    return p + len + 1;
}

#endif
