/* secret.c - Secret values never leave goversec: a desired Secret's stringData is encoded the way
 * the API server stores it (base64 in data), compared with the live data, and then every value on
 * both sides is replaced by a mask so reports only say "changed" or "unchanged". */
#include <string.h>

#include "drift.h"

static const char MASK[] = "***";
static const char MASK_CHANGED[] = "*** (changed)";

static const char *base64(Arena *a, const char *s, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = arena_alloc(a, (len + 2) / 3 * 4 + 1), *w = out;
    for (size_t i = 0; i < len; i += 3) {
        unsigned b0 = (unsigned char)s[i];
        unsigned b1 = i + 1 < len ? (unsigned char)s[i + 1] : 0;
        unsigned b2 = i + 2 < len ? (unsigned char)s[i + 2] : 0;
        *w++ = tbl[b0 >> 2];
        *w++ = tbl[((b0 & 3) << 4) | (b1 >> 4)];
        *w++ = i + 1 < len ? tbl[((b1 & 15) << 2) | (b2 >> 6)] : '=';
        *w++ = i + 2 < len ? tbl[b2 & 63] : '=';
    }
    *w = '\0';
    return out;
}

/* Folds stringData into data (base64) as the API server does on write. */
static void fold_string_data(Arena *a, Data *secret)
{
    Data *sd = data_get(secret, "stringData");
    if (!sd || sd->kind != DATA_MAP)
        return;
    Data *data = data_get(secret, "data");
    if (!data || data->kind != DATA_MAP)
        data = data_put(a, secret, "data", data_map(a));
    for (Data *e = sd->u.kids.first; e; e = e->next) {
        const char *text = drift_scalar_text(a, e);
        data_set_path(a, data, e->key, data_str(a, base64(a, text ? text : "", text ? strlen(text) : 0)));
    }
    sd->u.kids.first = sd->u.kids.last = NULL;
    sd->u.kids.count = 0;
    /* The server never returns stringData: drop the emptied key. */
    Data *prev = NULL;
    for (Data *d = secret->u.kids.first; d; prev = d, d = d->next)
        if (d == sd) {
            if (prev)
                prev->next = d->next;
            else
                secret->u.kids.first = d->next;
            if (secret->u.kids.last == d)
                secret->u.kids.last = prev;
            secret->u.kids.count--;
            break;
        }
}

static void set_mask(Arena *a, Data *entry, const char *mask)
{
    const char *key = entry->key;
    Data *next = entry->next;
    *entry = *data_str(a, mask);
    entry->key = key;
    entry->next = next;
}

static void mask_map(Arena *a, Data *mine, const Data *other, bool mine_is_desired)
{
    if (!mine || mine->kind != DATA_MAP)
        return;
    for (Data *e = mine->u.kids.first; e; e = e->next) {
        const Data *peer = other && other->kind == DATA_MAP ? data_get(other, e->key) : NULL;
        bool changed = peer && !data_equal(peer, e);
        set_mask(a, e, changed && mine_is_desired ? MASK_CHANGED : MASK);
    }
}

void drift_mask_secret(Arena *a, Data *want, Data *have)
{
    if (want)
        fold_string_data(a, want);
    if (have)
        fold_string_data(a, have);
    Data *wd = want ? data_get(want, "data") : NULL;
    Data *hd = have ? data_get(have, "data") : NULL;
    /* Decide "changed" on the real values, before either side is masked. */
    Data *wd_copy = wd ? data_clone(a, wd) : NULL;
    mask_map(a, wd, hd, true);
    mask_map(a, hd, wd_copy, false);
}
