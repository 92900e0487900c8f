/* test_quantity.c - table-driven tests for quantity parsing/canonical formatting and durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support/quantity.h"

typedef struct Canon {
    const char *in, *out;
} Canon;

static const Canon CANON[] = {
    {"2000m", "2"},       {"1500m", "1500m"},  {"0.5", "500m"},       {"1024Mi", "1Gi"},
    {"1536Mi", "1536Mi"}, {"1000M", "1G"},     {"1.5Gi", "1536Mi"},   {"128974848", "128974848"},
    {"0", "0"},           {"0Gi", "0"},        {"100m", "100m"},      {"1", "1"},
    {"1200", "1200"},     {"12000", "12k"},    {"0.1", "100m"},       {"512Ki", "512Ki"},
    {"0.5Ki", "512"},     {"1Ki", "1Ki"},      {"1000Ki", "1000Ki"},  {"1024Ki", "1Mi"},
    {"10Gi", "10Gi"},     {"1.5", "1500m"},    {"-2", "-2"},          {"+3k", "3k"},
    {"1000000u", "1"},    {"5000000n", "5m"},  {"2P", "2P"},          {"1Pi", "1Pi"},
    {"1.000", "1"},       {"0.001", "1m"},     {"1500", "1500"},      {"64M", "64M"},
    {"-1500m", "-1500m"}, {"-2Gi", "-2Gi"},    {"-1Ki", "-1Ki"},      {"-0.5", "-500m"},
    {"8Pi", "8Pi"},       {"9P", "9P"},        {"-8Pi", "-8Pi"},      {"9223372036854775807m", "9223372036854775807m"},
    {"-9223372036854775807m", "-9223372036854775807m"},
};

static void test_canonical(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CANON / sizeof CANON[0]; i++) {
        Quantity q;
        char buf[32];
        assert_int_equal(quantity_parse(CANON[i].in, &q), QTY_OK);
        const char *got = quantity_format(q, buf, sizeof buf);
        if (strcmp(got, CANON[i].out) != 0)
            fail_msg("%s -> %s, want %s", CANON[i].in, got, CANON[i].out);
        /* Canonical text is a fixed point. */
        Quantity q2;
        char buf2[32];
        assert_int_equal(quantity_parse(got, &q2), QTY_OK);
        assert_true(q2.milli == q.milli);
        assert_string_equal(quantity_format(q2, buf2, sizeof buf2), got);
    }
}

typedef struct Bad {
    const char *in;
    QuantityError err;
} Bad;

static const Bad BAD[] = {
    {"", QTY_SYNTAX},           {"abc", QTY_SYNTAX},       {".", QTY_SYNTAX},
    {"1.2.3", QTY_SYNTAX},      {"1 Gi", QTY_SYNTAX},      {"10GB", QTY_BAD_SUFFIX},
    {"5mi", QTY_BAD_SUFFIX},    {"1Kib", QTY_BAD_SUFFIX},  {"0.5m", QTY_PRECISION},
    {"1500u", QTY_PRECISION},   {"1n", QTY_PRECISION},     {"10E", QTY_OVERFLOW},
    {"9223372036854775808", QTY_OVERFLOW}, {"16Ei", QTY_OVERFLOW},
    {"99999999999999999999999", QTY_OVERFLOW},
};

/* The text is cut to the buffer, always NUL-terminated, as snprintf cuts it. */
static void test_format_truncates(void **state)
{
    (void)state;
    Quantity q = {.milli = -1536, .format = QTY_DECIMAL_SI};
    char buf[8];
    assert_string_equal(quantity_format(q, buf, sizeof buf), "-1536m");
    assert_string_equal(quantity_format(q, buf, 6), "-1536");
    assert_string_equal(quantity_format(q, buf, 3), "-1");
    assert_string_equal(quantity_format(q, buf, 1), "");
    q = (Quantity){.milli = 3LL * 1024 * 1024 * 1000, .format = QTY_BINARY_SI};
    assert_string_equal(quantity_format(q, buf, 3), "3M");
    q.milli = 0;
    assert_string_equal(quantity_format(q, buf, 2), "0");
    char big[32];
    q = (Quantity){.milli = INT64_MIN, .format = QTY_DECIMAL_SI};
    assert_string_equal(quantity_format(q, big, sizeof big), "-9223372036854775808m");
}

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        Quantity q;
        QuantityError e = quantity_parse(BAD[i].in, &q);
        if (e != BAD[i].err)
            fail_msg("'%s': got %d want %d", BAD[i].in, (int)e, (int)BAD[i].err);
        assert_non_null(quantity_error_text(e));
    }
}

static void test_values(void **state)
{
    (void)state;
    Quantity q;
    assert_int_equal(quantity_parse("1.5Gi", &q), QTY_OK);
    assert_true(q.milli == 1610612736000LL);
    assert_int_equal(q.format, QTY_BINARY_SI);
    assert_int_equal(quantity_parse("250m", &q), QTY_OK);
    assert_true(q.milli == 250);
    assert_int_equal(q.format, QTY_DECIMAL_SI);
    assert_true(quantity_equal_text("1000m", "1"));
    assert_true(quantity_equal_text("1Gi", "1024Mi"));
    assert_false(quantity_equal_text("1G", "1Gi"));
    assert_false(quantity_equal_text("1G", "bogus"));
}

typedef struct Dur {
    const char *in;
    int64_t ms;
    const char *go;
} Dur;

static const Dur DURS[] = {
    {"10s", 10000, "10s"},        {"90s", 90000, "1m30s"},     {"1m30s", 90000, "1m30s"},
    {"1h", 3600000, "1h0m0s"},    {"500ms", 500, "500ms"},     {"6h", 21600000, "6h0m0s"},
    {"1d", 86400000, "24h0m0s"},  {"1500ms", 1500, "1.5s"},    {"0", 0, "0s"},
    {"1h30m", 5400000, "1h30m0s"}, {"61.5s", 61500, "1m1.5s"}, {"0.25s", 250, "250ms"},
    {"2m0.01s", 120010, "2m0.01s"},
};

static void test_durations(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof DURS / sizeof DURS[0]; i++) {
        int64_t ms = -1;
        char buf[48];
        if (!duration_parse(DURS[i].in, &ms))
            fail_msg("'%s' rejected", DURS[i].in);
        assert_true(ms == DURS[i].ms);
        assert_string_equal(duration_format_go(ms, buf, sizeof buf), DURS[i].go);
        int64_t back;
        assert_true(duration_parse(buf, &back));
        assert_true(back == ms);
    }
    static const char *const bad[] = {"", "10", "s", "10x", "1.0001s", "5 s", "1h-3m",
                                      "999999999999999999d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        if (duration_parse(bad[i], &ms))
            fail_msg("'%s' accepted", bad[i]);
    }
    char buf[48];
    assert_string_equal(duration_format_go(-1500, buf, sizeof buf), "-1.5s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
