/* linediff.c - unified line diff (3 lines of context, `diff -u` hunk headers) of two YAML texts,
 * by longest common subsequence over the lines left after trimming the common prefix and suffix
 * (objects differ in a few lines, so the quadratic middle stays small). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"

enum { CONTEXT = 3 };
static const size_t MAX_CELLS = (size_t)16 * 1024 * 1024; /* beyond this: delete all, insert all */

typedef struct Line {
    const char *s;
    size_t len;
} Line;

typedef struct Op {
    char tag;      /* ' ', '-', '+' */
    size_t old_no; /* 0-based line in old (for ' ' and '-') */
    size_t new_no; /* 0-based line in new (for ' ' and '+') */
} Op;

static Line *split_lines(Arena *a, const char *text, size_t *n)
{
    size_t count = 0;
    for (const char *p = text; *p; p++)
        if (*p == '\n')
            count++;
    Line *lines = ARENA_ARRAY(a, Line, count + 2);
    size_t k = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lines[k++] = (Line){p, len};
        p += len + (nl ? 1 : 0);
    }
    *n = k;
    return lines;
}

static bool line_eq(Line x, Line y)
{
    return x.len == y.len && memcmp(x.s, y.s, x.len) == 0;
}

/* Edit script of the middle part old[p, p+n) vs new[p, p+m), appended to ops. */
static size_t lcs_ops(Arena *a, const Line *o, const Line *nw, size_t p, size_t n, size_t m, Op *ops, size_t k)
{
    if ((n + 1) * (m + 1) > MAX_CELLS) {
        for (size_t i = 0; i < n; i++)
            ops[k++] = (Op){'-', p + i, 0};
        for (size_t j = 0; j < m; j++)
            ops[k++] = (Op){'+', 0, p + j};
        return k;
    }
    uint32_t *t = ARENA_ARRAY(a, uint32_t, (n + 1) * (m + 1));
#define T(i, j) t[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            T(i, j) = line_eq(o[p + i], nw[p + j]) ? T(i + 1, j + 1) + 1
                      : T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && line_eq(o[p + i], nw[p + j])) {
            ops[k++] = (Op){' ', p + i++, p + j++};
        } else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
            ops[k++] = (Op){'-', p + i++, 0};
        } else {
            ops[k++] = (Op){'+', 0, p + j++};
        }
    }
#undef T
    return k;
}

static void write_hunk(FILE *f, const Op *ops, size_t from, size_t to, const Line *o, const Line *nw)
{
    size_t old_start = 0, new_start = 0, old_n = 0, new_n = 0;
    bool old_set = false, new_set = false;
    for (size_t i = from; i < to; i++) {
        if (ops[i].tag != '+') {
            if (!old_set)
                old_start = ops[i].old_no + 1, old_set = true;
            old_n++;
        }
        if (ops[i].tag != '-') {
            if (!new_set)
                new_start = ops[i].new_no + 1, new_set = true;
            new_n++;
        }
    }
    /* An empty side names the line before the hunk, as diff -u does. */
    if (!old_set)
        old_start = from > 0 ? ops[from - 1].old_no + 1 : 0;
    if (!new_set)
        new_start = from > 0 ? ops[from - 1].new_no + 1 : 0;
    fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n", old_start, old_n, new_start, new_n);
    for (size_t i = from; i < to; i++) {
        Line l = ops[i].tag == '+' ? nw[ops[i].new_no] : o[ops[i].old_no];
        fprintf(f, "%c%.*s\n", ops[i].tag, (int)l.len, l.s);
    }
}

static void write_hunks(FILE *f, const Op *ops, size_t k, const Line *o, const Line *nw)
{
    size_t i = 0;
    while (i < k) {
        while (i < k && ops[i].tag == ' ')
            i++;
        if (i == k)
            break;
        size_t from = i > CONTEXT ? i - CONTEXT : 0, last = i;
        /* Extend while the next change is within 2*CONTEXT equal lines. */
        for (size_t j = i; j < k; j++) {
            if (ops[j].tag != ' ')
                last = j;
            else if (j - last > 2 * CONTEXT)
                break;
        }
        size_t to = last + 1 + CONTEXT < k ? last + 1 + CONTEXT : k;
        write_hunk(f, ops, from, to, o, nw);
        i = last + 1;
    }
}

const char *drift_unified_diff(Arena *a, const char *old_text, const char *new_text,
                               const char *old_label, const char *new_label)
{
    size_t n, m;
    Line *o = split_lines(a, old_text ? old_text : "", &n);
    Line *nw = split_lines(a, new_text ? new_text : "", &m);
    size_t p = 0;
    while (p < n && p < m && line_eq(o[p], nw[p]))
        p++;
    size_t s = 0;
    while (s < n - p && s < m - p && line_eq(o[n - 1 - s], nw[m - 1 - s]))
        s++;
    if (p == n && p == m)
        return "";
    Op *ops = ARENA_ARRAY(a, Op, n + m + 1);
    size_t k = 0;
    for (size_t i = 0; i < p; i++)
        ops[k++] = (Op){' ', i, i};
    k = lcs_ops(a, o, nw, p, n - p - s, m - p - s, ops, k);
    for (size_t i = s; i-- > 0;)
        ops[k++] = (Op){' ', n - 1 - i, m - 1 - i};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return "";
    fprintf(f, "--- %s\n+++ %s\n", old_label, new_label);
    write_hunks(f, ops, k, o, nw);
    fclose(f);
    const char *out = arena_strndup(a, buf, len);
    free(buf);
    return out;
}
