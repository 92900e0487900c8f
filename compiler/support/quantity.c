/* quantity.c - Kubernetes quantities and Go durations: exact integer parsing (no floating point,
 * so "0.1" is exactly 100m) and the canonical text the API server prints, mirroring
 * k8s.io/apimachinery resource.Quantity.CanonicalizeBytes so drift checks compare like with like. */
#include "support/quantity.h"

#include <stdio.h>
#include <string.h>

typedef struct Suffix {
    const char *text;
    int base;   /* 10 or 2 */
    int exp;    /* power of `base` */
} Suffix;

static const Suffix SUFFIXES[] = {
    {"Ki", 2, 10}, {"Mi", 2, 20}, {"Gi", 2, 30}, {"Ti", 2, 40}, {"Pi", 2, 50}, {"Ei", 2, 60},
    {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3}, {"", 10, 0},   {"k", 10, 3},  {"M", 10, 6},
    {"G", 10, 9},  {"T", 10, 12}, {"P", 10, 15}, {"E", 10, 18},
};

/* Every suffix is at most two bytes: compared inline (a strcmp per table entry was most of
 * parsing a quantity). */
static const Suffix *suffix_find(const char *s)
{
    if (s[0] && s[1] && s[2])
        return NULL;
    for (size_t i = 0; i < sizeof SUFFIXES / sizeof SUFFIXES[0]; i++) {
        const char *t = SUFFIXES[i].text;
        if (t[0] == s[0] && (!t[0] || t[1] == s[1]))
            return &SUFFIXES[i];
    }
    return NULL;
}

static bool mul_ok(int64_t *v, int64_t by) { return !__builtin_mul_overflow(*v, by, v); }

/* 10^0 .. 10^18: every power of ten an int64_t holds. */
static const int64_t POW10[] = {1,
                                10,
                                100,
                                1000,
                                10000,
                                100000,
                                1000000,
                                10000000,
                                100000000,
                                1000000000,
                                10000000000,
                                100000000000,
                                1000000000000,
                                10000000000000,
                                100000000000000,
                                1000000000000000,
                                10000000000000000,
                                100000000000000000,
                                1000000000000000000};
enum { POW10_MAX = sizeof POW10 / sizeof POW10[0] - 1 };

/* by^times when it is 10^0..10^18 or 2^0..2^62 (the factors quantities scale by), else false.
 * One multiplication or division by the power then does what `times` steps would: it overflows
 * exactly when one of the steps would, and divides exactly exactly when every step would. */
static bool small_power(int64_t by, int times, int64_t *pow)
{
    if (by == 10 && times >= 0 && times <= POW10_MAX) {
        *pow = POW10[times];
        return true;
    }
    if (by == 2 && times >= 0 && times < 63) {
        *pow = (int64_t)1 << times;
        return true;
    }
    return false;
}

/* Divides *v by `by` `times` times, failing unless every division is exact. */
static bool div_exact(int64_t *v, int64_t by, int times)
{
    int64_t pow;
    if (small_power(by, times, &pow)) {
        if (*v % pow != 0)
            return false;
        *v /= pow;
        return true;
    }
    for (int i = 0; i < times; i++) {
        if (*v % by != 0)
            return false;
        *v /= by;
    }
    return true;
}

static bool mul_times(int64_t *v, int64_t by, int times)
{
    int64_t pow;
    if (small_power(by, times, &pow))
        return mul_ok(v, pow);
    for (int i = 0; i < times; i++)
        if (!mul_ok(v, by))
            return false;
    return true;
}

/* Digits "123.4500" -> mantissa 12345, frac 2 (trailing fraction zeros dropped). */
static QuantityError parse_number(const char **pp, int64_t *mantissa, int *frac)
{
    const char *p = *pp;
    int64_t m = 0;
    int f = 0, digits = 0;
    bool in_frac = false;
    int pending_zeros = 0; /* fraction zeros not yet known to be significant */
    for (;; p++) {
        if (*p == '.' && !in_frac) {
            in_frac = true;
            continue;
        }
        if (*p < '0' || *p > '9')
            break;
        digits++;
        if (in_frac && *p == '0') {
            pending_zeros++;
            continue;
        }
        if (in_frac) {
            if (!mul_times(&m, 10, pending_zeros + 1))
                return QTY_OVERFLOW;
            f += pending_zeros + 1;
            pending_zeros = 0;
        } else if (!mul_ok(&m, 10)) {
            return QTY_OVERFLOW;
        }
        if (__builtin_add_overflow(m, *p - '0', &m))
            return QTY_OVERFLOW;
    }
    if (digits == 0)
        return QTY_SYNTAX;
    *pp = p;
    *mantissa = m;
    *frac = f;
    return QTY_OK;
}

static QuantityError scale_decimal(int64_t m, int frac, int exp, int64_t *milli)
{
    int p = exp + 3 - frac;
    if (p >= 0)
        return mul_times(&m, 10, p) ? (*milli = m, QTY_OK) : QTY_OVERFLOW;
    if (!div_exact(&m, 10, -p))
        return QTY_PRECISION;
    *milli = m;
    return QTY_OK;
}

/* m / 10^frac * 2^exp * 1000, exactly: 10^frac = 2^frac * 5^frac. */
static QuantityError scale_binary(int64_t m, int frac, int exp, int64_t *milli)
{
    if (!mul_ok(&m, 1000))
        return QTY_OVERFLOW;
    if (!div_exact(&m, 5, frac))
        return QTY_PRECISION;
    int shift = exp - frac;
    if (shift >= 0) {
        if (!mul_times(&m, 2, shift))
            return QTY_OVERFLOW;
    } else if (!div_exact(&m, 2, -shift)) {
        return QTY_PRECISION;
    }
    *milli = m;
    return QTY_OK;
}

QuantityError quantity_parse(const char *text, Quantity *out)
{
    const char *p = text;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    int64_t m;
    int frac;
    QuantityError err = parse_number(&p, &m, &frac);
    if (err != QTY_OK)
        return err;
    const Suffix *sfx = suffix_find(p);
    if (!sfx) {
        /* Distinguish junk ("1x2", "1.2.3") from a wrong unit ("10GB", "5mi"). */
        for (const char *q = p; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
                return QTY_SYNTAX;
        return QTY_BAD_SUFFIX;
    }
    int64_t milli;
    err = sfx->base == 10 ? scale_decimal(m, frac, sfx->exp, &milli)
                          : scale_binary(m, frac, sfx->exp, &milli);
    if (err != QTY_OK)
        return err;
    out->milli = neg ? -milli : milli;
    out->format = sfx->base == 2 ? QTY_BINARY_SI : QTY_DECIMAL_SI;
    return QTY_OK;
}

static const char *decimal_suffix(int exp)
{
    switch (exp) {
    case -3: return "m";
    case 0: return "";
    case 3: return "k";
    case 6: return "M";
    case 9: return "G";
    case 12: return "T";
    case 15: return "P";
    default: return "E";
    }
}

static const char *binary_suffix(int exp)
{
    static const char *const names[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    return names[exp / 10];
}

/* Writes "<v><suffix>" into buf, truncated to size - 1 bytes as snprintf would. The digits are
 * written directly: snprintf's format machinery cost ~1 k instructions per quantity. */
static void put_number(char *buf, unsigned size, int64_t v, const char *suffix)
{
    char tmp[48];
    char *end = tmp + sizeof tmp, *p = end;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(end - p), slen = strlen(suffix);
    if (size == 0)
        return;
    size_t room = size - 1;
    size_t dn = n < room ? n : room;
    memcpy(buf, p, dn);
    size_t sn = slen < room - dn ? slen : room - dn;
    memcpy(buf + dn, suffix, sn);
    buf[dn + sn] = '\0';
}

/* As apimachinery: strip factors of ten, then lower the exponent to a multiple of three. */
static void format_decimal(int64_t milli, char *buf, unsigned size)
{
    int64_t v = milli;
    int exp = -3;
    while (v % 10 == 0) {
        v /= 10;
        exp++;
    }
    while (((exp % 3) + 3) % 3 != 0) {
        v *= 10; /* cannot overflow: it undoes a division above */
        exp--;
    }
    put_number(buf, size, v, decimal_suffix(exp));
}

static void format_binary(int64_t bytes, char *buf, unsigned size)
{
    int exp = 0;
    while (exp < 60 && bytes % 1024 == 0) {
        bytes /= 1024;
        exp += 10;
    }
    put_number(buf, size, bytes, binary_suffix(exp));
}

const char *quantity_format(Quantity q, char *buf, unsigned size)
{
    if (q.milli == 0) {
        put_number(buf, size, 0, "");
        return buf;
    }
    /* Binary only for whole byte counts of at least 1Ki, as the API server does. */
    int64_t bytes = q.milli / 1000;
    bool binary = q.format == QTY_BINARY_SI && q.milli % 1000 == 0 && (bytes >= 1024 || bytes <= -1024);
    if (binary)
        format_binary(bytes, buf, size);
    else
        format_decimal(q.milli, buf, size);
    return buf;
}

bool quantity_equal_text(const char *a, const char *b)
{
    Quantity x, y;
    return quantity_parse(a, &x) == QTY_OK && quantity_parse(b, &y) == QTY_OK && x.milli == y.milli;
}

const char *quantity_error_text(QuantityError err)
{
    switch (err) {
    case QTY_OK: return "ok";
    case QTY_SYNTAX: return "not a quantity (expected a number with an optional unit suffix)";
    case QTY_BAD_SUFFIX: return "unknown unit suffix (use m, k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei)";
    case QTY_OVERFLOW: return "quantity is too large";
    case QTY_PRECISION: return "quantity is finer than 1m (one thousandth)";
    }
    return "invalid quantity";
}

/* ---- durations --------------------------------------------------------------------------- */

static int64_t unit_ms(const char **pp)
{
    const char *p = *pp;
    int64_t ms = 0;
    size_t n = 1;
    if (p[0] == 'm' && p[1] == 's') {
        ms = 1;
        n = 2;
    } else if (p[0] == 's') {
        ms = 1000;
    } else if (p[0] == 'm') {
        ms = 60 * 1000;
    } else if (p[0] == 'h') {
        ms = 3600 * 1000;
    } else if (p[0] == 'd') {
        ms = 24 * 3600 * 1000;
    }
    if (ms)
        *pp = p + n;
    return ms;
}

bool duration_parse(const char *text, int64_t *ms)
{
    const char *p = text;
    if (strcmp(p, "0") == 0) {
        *ms = 0;
        return true;
    }
    int64_t total = 0;
    if (!*p)
        return false;
    while (*p) {
        int64_t m;
        int frac;
        if (parse_number(&p, &m, &frac) != QTY_OK)
            return false;
        int64_t unit = unit_ms(&p);
        if (!unit || !mul_ok(&m, unit) || !div_exact(&m, 10, frac) ||
            __builtin_add_overflow(total, m, &total))
            return false;
    }
    *ms = total;
    return true;
}

const char *duration_format_go(int64_t ms, char *buf, unsigned size)
{
    const char *sign = ms < 0 ? "-" : "";
    uint64_t u = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    if (u == 0) {
        snprintf(buf, size, "0s");
    } else if (u < 1000) {
        snprintf(buf, size, "%s%llums", sign, (unsigned long long)u);
    } else {
        char secs[32];
        unsigned long long whole = (u / 1000) % 60, milli = u % 1000;
        if (milli == 0) {
            snprintf(secs, sizeof secs, "%llus", whole);
        } else {
            char fr[4];
            snprintf(fr, sizeof fr, "%03llu", milli);
            for (int i = 2; i > 0 && fr[i] == '0'; i--)
                fr[i] = '\0';
            snprintf(secs, sizeof secs, "%llu.%ss", whole, fr);
        }
        unsigned long long mins = u / 60000, hours = u / 3600000;
        if (hours)
            snprintf(buf, size, "%s%lluh%llum%s", sign, hours, mins % 60, secs);
        else if (mins)
            snprintf(buf, size, "%s%llum%s", sign, mins, secs);
        else
            snprintf(buf, size, "%s%s", sign, secs);
    }
    return buf;
}
