/* test_names.c - DNS-1123 labels and RFC 1123 host names, shared by the checker and the values
 * validator: each rule with an accepted and a refused example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/names.h"

static void test_dns_labels(void **state)
{
    (void)state;
    assert_null(names_dns1123_label_error("goverse-prod"));
    assert_null(names_dns1123_label_error("a"));
    assert_string_equal(names_dns1123_label_error(""), "it is empty");
    assert_string_equal(names_dns1123_label_error("Goverse"), "it may contain only lowercase letters, digits and `-`");
    assert_string_equal(names_dns1123_label_error("-a"), "it must start and end with a letter or digit");
    assert_string_equal(names_dns1123_label_error("a.b"), "it may contain only lowercase letters, digits and `-`");
    char long_label[65];
    for (int i = 0; i < 64; i++)
        long_label[i] = 'a';
    long_label[64] = '\0';
    assert_string_equal(names_dns1123_label_error(long_label), "it is longer than 63 characters");
    long_label[63] = '\0';
    assert_null(names_dns1123_label_error(long_label));
}

static void test_host_names(void **state)
{
    (void)state;
    assert_null(names_hostname_error("goverse.example.com"));
    assert_null(names_hostname_error("db-1.c9akciq32.us-west-2.rds.amazonaws.com"));
    assert_string_equal(names_hostname_error("Goverse.example.com"), "it must be lowercase");
    assert_string_equal(names_hostname_error("a..b"), "it has an empty label");
    assert_string_equal(names_hostname_error("a.b."), "it has an empty label");
    assert_string_equal(names_hostname_error("not_a_host"), "`_` is not allowed in host names");
    assert_string_equal(names_hostname_error("-a.com"), "a label starts or ends with `-`");
    assert_string_equal(names_hostname_error("a b"), "it may contain only letters, digits, `-` and `.`");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_labels),
        cmocka_unit_test(test_host_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
