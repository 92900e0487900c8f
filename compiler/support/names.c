/* names.c - DNS-1123 label and RFC 1123 host name rules (see names.h). */
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
        return "must not be empty";
    if (n > 63)
        return "must be at most 63 characters";
    for (size_t i = 0; i < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '-')
            return "may contain only lowercase letters, digits and '-'";
    if (!is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return "must start and end with a lowercase letter or digit";
    return NULL;
}

const char *names_hostname_error(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return "must not be empty";
    if (n > 253)
        return "must be at most 253 characters";
    const char *label = s;
    for (;;) {
        const char *dot = strchr(label, '.');
        size_t len = dot ? (size_t)(dot - label) : strlen(label);
        if (len == 0)
            return "has an empty label (two dots in a row, or a leading or trailing dot)";
        if (len > 63)
            return "has a label longer than 63 characters";
        for (size_t i = 0; i < len; i++) {
            char c = label[i];
            if (c >= 'A' && c <= 'Z')
                return "must be lowercase";
            if (!is_lower_alnum(c) && c != '-')
                return c == '_' ? "may not contain '_'" : "may contain only letters, digits, '-' and '.'";
        }
        if (label[0] == '-' || label[len - 1] == '-')
            return "has a label that starts or ends with '-'";
        if (!dot)
            return NULL;
        label = dot + 1;
    }
}
