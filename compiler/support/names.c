/* names.c - DNS-1123 label and RFC 1123 host name rules (see names.h). The reasons read as the
 * end of a sentence ("invalid host name `x`: it is empty") for the checker and the values
 * validator alike. */
#include "support/names.h"

#include <string.h>

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

const char *names_dns1123_label_error(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return "it is empty";
    if (n > 63)
        return "it is longer than 63 characters";
    for (size_t i = 0; i < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-')
            return "it may contain only lowercase letters, digits and `-`";
    if (s[0] == '-' || s[n - 1] == '-')
        return "it must start and end with a letter or digit";
    return NULL;
}

/* Kubernetes validates Ingress hosts as lowercase RFC 1123 subdomains, so uppercase is refused
 * here rather than by the API server at apply time. */
const char *names_hostname_error(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return "it is empty";
    if (n > 253)
        return "it is longer than 253 characters";
    const char *label = s;
    for (const char *p = s;; p++) {
        /* The usual byte first; the tests below are disjoint, so their order decides nothing. */
        if ((unsigned)(*p - 'a') < 26u || (unsigned)(*p - '0') < 10u || *p == '-')
            continue;
        if (*p == '.' || *p == '\0') {
            size_t len = (size_t)(p - label);
            if (len == 0)
                return "it has an empty label";
            if (len > 63)
                return "a label is longer than 63 characters";
            if (label[0] == '-' || p[-1] == '-')
                return "a label starts or ends with `-`";
            if (*p == '\0')
                return NULL;
            label = p + 1;
            continue;
        }
        if (*p == '_')
            return "`_` is not allowed in host names";
        if (*p >= 'A' && *p <= 'Z')
            return "it must be lowercase";
        return "it may contain only letters, digits, `-` and `.`";
    }
}
