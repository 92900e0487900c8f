/* yaml_api.c - the writer's entry points (yamlio.h): a document or a stream of them into an arena
 * buffer, or into memory reused from one document to the next. They are alone in this file so
 * that the test suite can link its oracle in front of them (tests/unit/yaml_oracle.c: every
 * document is also written by libyaml's emitter and compared byte for byte) without another
 * build of the compiler. */
#include "yaml/yaml_emit.h"
#include "yaml/yamlio.h"

bool yaml_write(Arena *a, const Data *const *docs, size_t n, const char **out, size_t *len,
                const char **err)
{
    StrBuf b;
    strbuf_init(&b, a);
    const char *problem = yaml_emit_stream(&b, docs, n);
    if (problem) {
        *err = problem;
        return false;
    }
    *out = strbuf_str(&b);
    *len = b.len;
    return true;
}

const char *yaml_write_one(Arena *a, const Data *doc, size_t *len)
{
    const char *out, *err;
    size_t n;
    if (!yaml_write(a, &doc, 1, &out, &n, &err))
        return NULL;
    if (len)
        *len = n;
    return out;
}

bool yaml_write_to(YamlOut *out, const Data *doc)
{
    if (!out->arena) {
        out->arena = arena_new();
        out->keys = yaml_key_cache_new(out->arena);
        strbuf_init(&out->buf, out->arena);
    }
    out->buf.len = 0;
    const char *problem = yaml_emit_stream_keys(&out->buf, &doc, 1, out->keys);
    out->text = (char *)strbuf_str(&out->buf);
    out->len = out->buf.len;
    return problem == NULL;
}

void yaml_out_free(YamlOut *out)
{
    if (out->arena)
        arena_free(out->arena);
    *out = (YamlOut){0};
}
