/* report_json.c - the machine report of `goversec diff -o json` (schema in docs/diff.md; stable:
 * fields are only ever added). Written by hand with full string escaping so it is always valid
 * JSON whatever the object names and diff text contain. */
#include <string.h>

#include "drift.h"

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void json_field(FILE *out, const char *name, const char *value, bool comma)
{
    json_string(out, name);
    fputc(':', out);
    json_string(out, value);
    if (comma)
        fputc(',', out);
}

static void json_object(const DriftObject *o, FILE *out)
{
    fputc('{', out);
    json_field(out, "group", o->group, true);
    json_field(out, "kind", o->kind, true);
    json_field(out, "namespace", o->ns, true);
    json_field(out, "name", o->name, true);
    json_field(out, "status", drift_status_name(o->status), true);
    json_field(out, "impact", drift_impact_name(o->impact), true);
    if (o->todo)
        json_field(out, "todo", o->todo, true);
    fprintf(out, "\"destructive\":%s,\"changes\":[", o->impact >= IMPACT_RECREATE ? "true" : "false");
    for (const DriftChange *c = o->changes; c; c = c->next) {
        fputc('{', out);
        json_field(out, "path", c->path, true);
        json_field(out, "impact", drift_impact_name(c->impact), true);
        json_field(out, "reason", c->reason, !!c->todo);
        if (c->todo)
            json_field(out, "todo", c->todo, false);
        fputs(c->next ? "}," : "}", out);
    }
    fputs("],", out);
    json_field(out, "diff", o->diff_text ? o->diff_text : "", false);
    fputc('}', out);
}

void drift_report_json(const DriftReport *r, FILE *out)
{
    fputs("{\"schema\":\"goversec.diff/v1\",", out);
    json_field(out, "cluster", r->cluster, true);
    json_field(out, "namespace", r->namespace_name, true);
    fprintf(out,
            "\"exitCode\":%d,\"summary\":{\"objects\":%zu,\"changed\":%zu,\"missing\":%zu,"
            "\"orphaned\":%zu,\"unchanged\":%zu,\"destructive\":%s},\"objects\":[",
            drift_exit_status(r), r->count, r->nchanged, r->nmissing, r->norphaned, r->nunchanged,
            r->destructive ? "true" : "false");
    bool first = true;
    for (const DriftObject *o = r->objects; o; o = o->next) {
        if (!first)
            fputc(',', out);
        first = false;
        json_object(o, out);
    }
    fputs("]}\n", out);
}
