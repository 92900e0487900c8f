/* json.h - Data trees as pretty-printed JSON (values.schema.json, machine-readable reports).
 * Keys keep insertion order; strings are escaped per RFC 8259; output ends with a newline. */
#ifndef GOVERSEC_JSON_H
#define GOVERSEC_JSON_H
#include "ir/data.h"

const char *json_write(Arena *a, const Data *d);

#endif
