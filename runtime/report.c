/* report.c - the human report of `goversec diff`: one line per object that is not in sync (status,
 * kind/name, impact), its classified changes (each needs-recreate / data-risk one with what to do), the unified YAML diff (coloured +/- only when asked),
 * and the summary line "N objects: C changed, M missing, O orphaned, U unchanged". */
#include <string.h>

#include "drift.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static const char *impact_phrase(const DriftObject *o)
{
    if (o->status == DRIFT_MISSING)
        return "to create";
    if (o->status == DRIFT_ORPHANED)
        return o->impact == IMPACT_DATA_RISK ? "to delete, data risk" : "to delete";
    switch (o->impact) {
    case IMPACT_NONE:
        return "";
    case IMPACT_IN_PLACE:
        return "in place";
    case IMPACT_ROLLING_RESTART:
        return "rolling restart";
    case IMPACT_RECREATE:
        return "needs recreate";
    case IMPACT_DATA_RISK:
        return "DATA RISK";
    }
    return "";
}

static void print_diff(const char *text, FILE *out, bool color)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        int len = (int)(nl ? (size_t)(nl - p) : strlen(p));
        const char *c = NULL;
        if (color && (!strncmp(p, "---", 3) || !strncmp(p, "+++", 3)))
            c = BOLD;
        else if (color && p[0] == '@')
            c = CYAN;
        else if (color && p[0] == '-')
            c = RED;
        else if (color && p[0] == '+')
            c = GREEN;
        fprintf(out, "    %s%.*s%s\n", c ? c : "", len, p, c ? RESET : "");
        p += len + (nl ? 1 : 0);
    }
}

static void print_object(const DriftObject *o, FILE *out, bool color)
{
    const char *kind_name = o->group[0] ? "%s.%s/%s" : "%s%s/%s";
    fprintf(out, "%-10s ", drift_status_name(o->status));
    fprintf(out, kind_name, o->kind, o->group, o->name);
    fprintf(out, "  [%s]\n", impact_phrase(o));
    if (o->todo)
        fprintf(out, "    what to do: %s\n", o->todo);
    for (const DriftChange *c = o->changes; c; c = c->next) {
        fprintf(out, "    %s: %s (%s)\n", c->path, drift_impact_name(c->impact), c->reason);
        if (c->todo)
            fprintf(out, "      what to do: %s\n", c->todo);
    }
    if (o->diff_text && *o->diff_text)
        print_diff(o->diff_text, out, color);
}

void drift_report_text(const DriftReport *r, FILE *out, bool color)
{
    fprintf(out, "cluster %s (namespace %s)\n", r->cluster ? r->cluster : "?",
            r->namespace_name ? r->namespace_name : "?");
    for (const DriftObject *o = r->objects; o; o = o->next)
        if (o->status != DRIFT_UNCHANGED)
            print_object(o, out, color);
    fprintf(out, "%zu objects: %zu changed, %zu missing, %zu orphaned, %zu unchanged\n", r->count,
            r->nchanged, r->nmissing, r->norphaned, r->nunchanged);
    if (r->destructive)
        fprintf(out, "%sdestructive drift: applying needs a recreate or risks data%s\n",
                color ? RED BOLD : "", color ? RESET : "");
}
