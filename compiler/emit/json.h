/* json.h - pretty-printed JSON, written as it is produced (JsonWriter) or from a Data tree
 * (json_write); values.schema.json keeps a cursor of its own in the same layout (chart_schema.c)
 * and takes its strings from json_quote. One layout: "{" / "[", every member or item on its own
 * line indented by two more spaces, "key": value, "," between them, the closing bracket at the
 * container's indentation, "{}" / "[]" when empty. Keys keep the order they are written in;
 * strings are escaped per RFC 8259. */
#ifndef GOVERSEC_JSON_H
#define GOVERSEC_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir/data.h"
#include "support/strbuf.h"

/* Appends to `b`. The caller opens and closes containers in order; `empty` is whether the
 * innermost open container has no member yet (the next one starts on a new line without ",").
 * No stack: the enclosing container always has a member by the time an inner one closes. */
typedef struct JsonWriter {
    StrBuf *b;
    int indent;   /* of the innermost open container */
    bool empty;
} JsonWriter;

void json_writer_init(JsonWriter *w, StrBuf *b);
/* Opens '{' or '[' where a value goes; json_end closes it with the matching '}' or ']'. */
void json_begin(JsonWriter *w, char open);
void json_end(JsonWriter *w, char close);
/* Starts a member of the open object: the separator, indentation and "key": . */
void json_key(JsonWriter *w, const char *key, size_t len);
/* Starts an item of the open array: the separator and indentation. */
void json_item(JsonWriter *w);
/* Values, after json_key or json_item (or at the top). */
void json_str(JsonWriter *w, const char *s, size_t len);
void json_int(JsonWriter *w, int64_t i);
void json_bool(JsonWriter *w, bool b);
/* For writers that keep their own cursor (chart_schema.c): writes `s` as a JSON string literal,
 * quotes included, at `p`, which has room for JSON_QUOTE_ROOM(len) bytes (every byte escaped as
 * \u00XX at worst, and 8 more for the word stores); returns the end of what it wrote. */
#define JSON_QUOTE_ROOM(len) (6 * (len) + 10)
char *json_quote(char *p, const char *s, size_t len);
/* A whole Data tree as a value. */
void json_data(JsonWriter *w, const Data *d);

/* The document for `d`, ending with a newline. */
const char *json_write(Arena *a, const Data *d);

#endif
