/* test_data_util.h - navigating evaluated Data trees in unit tests: every step asserts what it
 * expects (a missing path or a wrong kind fails the test with the path, not a crash). */
#ifndef GOVERSEC_TEST_DATA_UTIL_H
#define GOVERSEC_TEST_DATA_UTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ir/data.h"

static inline Data *at(const Data *d, const char *path)
{
    Data *v = data_path(d, path);
    if (!v)
        fail_msg("missing %s", path);
    return v;
}

static inline Data *nth(const Data *seq, size_t i)
{
    assert_int_equal(seq->kind, DATA_SEQ);
    Data *d = seq->u.kids.first;
    for (size_t k = 0; d && k < i; k++)
        d = d->next;
    if (!d)
        fail_msg("no item %zu", i);
    return d;
}

static inline const char *str(const Data *d)
{
    assert_non_null(d);
    assert_int_equal(d->kind, DATA_STR);
    return d->u.str.s;
}

static inline int64_t num(const Data *d)
{
    assert_non_null(d);
    assert_int_equal(d->kind, DATA_INT);
    return d->u.i;
}

#endif
