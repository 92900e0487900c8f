/* names.h - validity of the names Kubernetes and DNS accept: DNS-1123 labels (object names,
 * namespaces), RFC 1123 host names. Shared by the checker and the values validator. */
#ifndef GOVERSEC_NAMES_H
#define GOVERSEC_NAMES_H
#include <stdbool.h>

/* NULL when valid, else a short reason ("must be at most 63 characters"). */
const char *names_dns1123_label_error(const char *s);
const char *names_hostname_error(const char *s);

#endif
