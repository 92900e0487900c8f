/* types.c - the value types of the language: integers (overflow-checked), CPU and memory
 * quantities, durations, percentages, times of day, ports, DNS-1123 labels, host names, image
 * references and Kubernetes versions. Each converter reports a located error and returns false. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/checkint.h"
#include "support/names.h"

static bool expect_kind(Checker *ck, const Value *v, ValueKind kind, const char *what)
{
    if (v->kind == kind)
        return true;
    Diag *d = ck_error(ck, v->span, "expected %s, found a %s", what, ast_value_kind_name(v->kind));
    if (v->kind == VAL_RANGE)
        ck_help(ck, d, "a range `A .. B` is not accepted here");
    return false;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

bool ty_int(Checker *ck, const Value *v, const char *what, long lo, long hi, int *out)
{
    if (!expect_kind(ck, v, VAL_NUMBER, "an integer"))
        return false;
    if (!all_digits(v->u.text)) {
        ck_error(ck, v->span, "expected an integer for %s, found `%s`", what, v->u.text);
        return false;
    }
    errno = 0;
    long long n = strtoll(v->u.text, NULL, 10);
    if (errno == ERANGE || n > INT32_MAX) {
        Diag *d = ck_error(ck, v->span, "integer `%s` is too large", v->u.text);
        ck_help(ck, d, "%s must be between %ld and %ld", what, lo, hi);
        return false;
    }
    if (n < lo || n > hi) {
        Diag *d = ck_error(ck, v->span, "%s must be between %ld and %ld, found %lld", what, lo, hi, n);
        (void)d;
        return false;
    }
    *out = (int)n;
    return true;
}

/* What a number looks like, for "expected X, found Y" messages. */
static const char *number_looks_like(const char *t)
{
    const char *s = t;
    while (*s && (isdigit((unsigned char)*s) || *s == '.'))
        s++;
    if (!*s)
        return "a plain number";
    if (!strcmp(s, "%"))
        return "a percentage";
    if (!strcmp(s, "m"))
        return "a CPU quantity";
    static const char *const mem[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E"};
    for (size_t i = 0; i < sizeof mem / sizeof *mem; i++)
        if (!strcmp(s, mem[i]))
            return "a memory quantity";
    int64_t ms;
    if (duration_parse(t, &ms))
        return "a duration";
    return NULL;
}

static void mismatch(Checker *ck, const Value *v, const char *expected, const char *help)
{
    const char *like = number_looks_like(v->u.text);
    Diag *d = like ? ck_error(ck, v->span, "expected %s, found %s `%s`", expected, like, v->u.text)
                   : ck_error(ck, v->span, "expected %s, found `%s`", expected, v->u.text);
    if (help)
        ck_help(ck, d, "%s", help);
}

bool ty_cpu(Checker *ck, const Value *v, Quantity *out)
{
    if (!expect_kind(ck, v, VAL_NUMBER, "a CPU quantity"))
        return false;
    const char *like = number_looks_like(v->u.text);
    bool ok = like && (!strcmp(like, "a plain number") || !strcmp(like, "a CPU quantity"));
    Quantity q;
    QuantityError err = ok ? quantity_parse(v->u.text, &q) : QTY_SYNTAX;
    if (!ok || err != QTY_OK) {
        if (err == QTY_OVERFLOW)
            ck_error(ck, v->span, "CPU quantity `%s` is too large", v->u.text);
        else if (err == QTY_PRECISION)
            ck_error(ck, v->span, "CPU quantity `%s` is finer than 1m", v->u.text);
        else
            mismatch(ck, v, "a CPU quantity", "CPU is written in cores (`2`, `1.5`) or millicores (`500m`)");
        return false;
    }
    if (q.milli <= 0) {
        ck_error(ck, v->span, "CPU quantity must be positive");
        return false;
    }
    *out = q;
    return true;
}

bool ty_memory(Checker *ck, const Value *v, Quantity *out)
{
    if (!expect_kind(ck, v, VAL_NUMBER, "a memory quantity"))
        return false;
    const char *t = v->u.text;
    size_t n = strlen(t);
    if (n >= 2 && (!strcmp(t + n - 2, "GB") || !strcmp(t + n - 2, "MB") || !strcmp(t + n - 2, "KB") ||
                   !strcmp(t + n - 2, "TB"))) {
        Diag *d = ck_error(ck, v->span, "unknown unit in `%s`", t);
        ck_help(ck, d, "use %ci (%s) or %c", t[n - 2] == 'K' ? 'K' : t[n - 2],
                t[n - 2] == 'G' ? "gibibytes" : t[n - 2] == 'M' ? "mebibytes" : t[n - 2] == 'T' ? "tebibytes" : "kibibytes",
                t[n - 2] == 'K' ? 'k' : t[n - 2]);
        return false;
    }
    const char *like = number_looks_like(t);
    bool ok = like && (!strcmp(like, "a plain number") || !strcmp(like, "a memory quantity"));
    Quantity q;
    QuantityError err = ok ? quantity_parse(t, &q) : QTY_SYNTAX;
    if (!ok || err != QTY_OK) {
        if (err == QTY_OVERFLOW)
            ck_error(ck, v->span, "memory quantity `%s` is too large", t);
        else
            mismatch(ck, v, "a memory quantity", "memory is written with a unit: `512Mi`, `2Gi`");
        return false;
    }
    if (q.milli <= 0) {
        ck_error(ck, v->span, "memory quantity must be positive");
        return false;
    }
    *out = q;
    return true;
}

bool ty_duration(Checker *ck, const Value *v, int64_t *ms)
{
    if (!expect_kind(ck, v, VAL_NUMBER, "a duration"))
        return false;
    if (!duration_parse(v->u.text, ms) || *ms <= 0) {
        mismatch(ck, v, "a duration", "durations use units ms, s, m, h, d: `10s`, `1m30s`, `6h`");
        return false;
    }
    return true;
}

bool ty_percent(Checker *ck, const Value *v, int *out)
{
    if (!expect_kind(ck, v, VAL_NUMBER, "a percentage"))
        return false;
    const char *t = v->u.text;
    size_t n = strlen(t);
    if (n < 2 || t[n - 1] != '%') {
        mismatch(ck, v, "a percentage", "write a percentage as `70%`");
        return false;
    }
    char digits[16];
    if (n - 1 >= sizeof digits) {
        ck_error(ck, v->span, "percentage `%s` is too large (at most %d%%)", t, INT32_MAX);
        return false;
    }
    memcpy(digits, t, n - 1);
    digits[n - 1] = 0;
    if (!all_digits(digits)) {
        ck_error(ck, v->span, "percentage `%s` must be a whole number", t);
        return false;
    }
    /* Utilization targets are a share of the request: Kubernetes takes any positive int32, and
     * above 100% is common for bursty CPU (requests below the usual use). */
    long long p = strtoll(digits, NULL, 10);
    if (p < 1) {
        Diag *d = ck_error(ck, v->span, "percentage `%s` must be at least 1%%", t);
        ck_help(ck, d, "leave out a metric the autoscaler should not use");
        return false;
    }
    if (p > INT32_MAX) {
        ck_error(ck, v->span, "percentage `%s` is too large (at most %d%%)", t, INT32_MAX);
        return false;
    }
    *out = (int)p;
    return true;
}

bool ty_clock(Checker *ck, const Value *v, int *hour, int *minute)
{
    if (!expect_kind(ck, v, VAL_CLOCK, "a time of day (HH:MM)"))
        return false;
    const char *t = v->u.text;
    int h = -1, m = -1;
    if (strlen(t) == 5 && isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) && t[2] == ':' &&
        isdigit((unsigned char)t[3]) && isdigit((unsigned char)t[4])) {
        h = (t[0] - '0') * 10 + (t[1] - '0');
        m = (t[3] - '0') * 10 + (t[4] - '0');
    }
    if (h < 0 || h > 23 || m > 59) {
        Diag *d = ck_error(ck, v->span, "invalid time of day `%s`", t);
        ck_help(ck, d, "times are written HH:MM, from 00:00 to 23:59");
        return false;
    }
    *hour = h;
    *minute = m;
    return true;
}

bool ty_port(Checker *ck, const Value *v, int *out)
{
    return ty_int(ck, v, "a port", 1, 65535, out);
}

bool ty_string(Checker *ck, const Value *v, const char *what, const char **out)
{
    if (v->kind != VAL_STRING) {
        ck_error(ck, v->span, "expected a string for %s, found a %s", what, ast_value_kind_name(v->kind));
        return false;
    }
    *out = v->u.text;
    return true;
}

bool ty_word(Checker *ck, const Value *v, const char *what, const char **out)
{
    if (v->kind != VAL_STRING && v->kind != VAL_IDENT) {
        ck_error(ck, v->span, "expected a name for %s, found a %s", what, ast_value_kind_name(v->kind));
        return false;
    }
    *out = v->u.text;
    return true;
}

bool ty_enum(Checker *ck, const Value *v, const char *what, const char *const *choices, int n, int *out)
{
    if (v->kind == VAL_IDENT || v->kind == VAL_STRING) {
        for (int i = 0; i < n; i++)
            if (!strcmp(v->u.text, choices[i])) {
                *out = i;
                return true;
            }
        Diag *d = ck_error(ck, v->span, "unknown %s `%s`", what, v->u.text);
        const char *s = diag_suggest(v->u.text, choices, (size_t)n);
        if (s)
            ck_help(ck, d, "did you mean `%s`?", s);
        else
            ck_help(ck, d, "expected one of %s", ck_list_names(ck, choices, n));
        return false;
    }
    Diag *d = ck_error(ck, v->span, "expected %s, found a %s", what, ast_value_kind_name(v->kind));
    ck_help(ck, d, "expected one of %s", ck_list_names(ck, choices, n));
    return false;
}

bool ty_onoff(Checker *ck, const Value *v, bool *out)
{
    static const char *const onoff[] = {"off", "on"};
    int i;
    if (!ty_enum(ck, v, "switch", onoff, 2, &i))
        return false;
    *out = i == 1;
    return true;
}

bool ty_dns_label(Checker *ck, const Value *v, const char *what, const char **out)
{
    if (!ty_string(ck, v, what, out))
        return false;
    const char *problem = names_dns1123_label_error(*out);
    if (problem) {
        Diag *d = ck_error(ck, v->span, "invalid %s `%s`: %s", what, *out, problem);
        ck_help(ck, d, "a DNS-1123 label: at most 63 characters of [a-z0-9-], starting and ending with a letter or digit");
        return false;
    }
    return true;
}

bool ty_host(Checker *ck, const Value *v, const char **out)
{
    if (!ty_string(ck, v, "a host name", out))
        return false;
    const char *problem = names_hostname_error(*out);
    if (problem) {
        Diag *d = ck_error(ck, v->span, "invalid host name `%s`: %s", *out, problem);
        ck_help(ck, d, "host names follow RFC 1123: labels of [a-z0-9-] up to 63 characters, 253 in all");
        return false;
    }
    return true;
}

static bool looks_like_registry(const char *s, size_t n)
{
    if (n == 9 && !strncmp(s, "localhost", 9))
        return true;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '.' || s[i] == ':')
            return true;
    return false;
}

static bool image_chars_ok(const char *s)
{
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || strchr("._-/", *s)))
            return false;
    return true;
}

bool ty_image(Checker *ck, const Value *v, Image *out)
{
    const char *text;
    if (!ty_string(ck, v, "an image", &text))
        return false;
    Arena *a = ck->arena;
    const char *at = strchr(text, '@');
    const char *digest = NULL;
    char *ref = at ? arena_strndup(a, text, (size_t)(at - text)) : arena_strdup(a, text);
    if (at) {
        digest = at + 1;
        bool ok = !strncmp(digest, "sha256:", 7) && strlen(digest) == 71;
        for (size_t i = 7; ok && digest[i]; i++)
            ok = isxdigit((unsigned char)digest[i]) != 0;
        if (!ok) {
            Diag *d = ck_error(ck, v->span, "invalid digest in image `%s`", text);
            ck_help(ck, d, "a digest is `sha256:` followed by 64 hex digits");
            return false;
        }
    }
    const char *slash = strchr(ref, '/');
    const char *registry = "";
    const char *rest = ref;
    if (slash && looks_like_registry(ref, (size_t)(slash - ref))) {
        registry = arena_strndup(a, ref, (size_t)(slash - ref));
        rest = slash + 1;
    }
    const char *last = strrchr(rest, '/');
    const char *colon = strchr(last ? last : rest, ':');
    char *repo = colon ? arena_strndup(a, rest, (size_t)(colon - rest)) : arena_strdup(a, rest);
    const char *tag = colon ? colon + 1 : NULL;
    if (!*repo || !image_chars_ok(repo) || repo[0] == '/' || repo[strlen(repo) - 1] == '/' ||
        (tag && !*tag)) {
        Diag *d = ck_error(ck, v->span, "invalid image reference `%s`", text);
        ck_help(ck, d, "expected `[REGISTRY/]REPOSITORY:TAG[@sha256:DIGEST]`, e.g. `goverse/node:1.2.0`");
        return false;
    }
    if (!tag && !digest) {
        Diag *d = ck_error(ck, v->span, "image `%s` has no tag", text);
        ck_help(ck, d, "pin a version, e.g. `%s:1.2.0`", text);
        return false;
    }
    out->registry = registry;
    out->repository = repo;
    out->tag = tag ? tag : "";
    out->digest = digest;
    out->span = ck_span(ck, v->span);
    return true;
}

/* Accepts "1.27", ">= 1.27" (the lowest version targeted). */
bool ty_kube_version(Checker *ck, const Value *v, int *major, int *minor)
{
    const char *t;
    if (!ty_string(ck, v, "a Kubernetes version", &t))
        return false;
    const char *p = t;
    if (p[0] == '>' && p[1] == '=')
        p += 2;
    while (*p == ' ')
        p++;
    if (*p == 'v')
        p++;
    int ma = 0, mi = 0, used = 0;
    if (sscanf(p, "%3d.%3d%n", &ma, &mi, &used) != 2 || p[used] != 0 || !isdigit((unsigned char)*p)) {
        Diag *d = ck_error(ck, v->span, "malformed Kubernetes version `%s`", t);
        ck_help(ck, d, "write the lowest version targeted, e.g. `\">= 1.27\"`");
        return false;
    }
    if (ma != 1 || mi < 23 || mi > 34) {
        Diag *d = ck_error(ck, v->span, "Kubernetes version %d.%d is not supported", ma, mi);
        ck_help(ck, d, "goversec targets Kubernetes 1.23 to 1.34");
        return false;
    }
    *major = ma;
    *minor = mi;
    return true;
}
