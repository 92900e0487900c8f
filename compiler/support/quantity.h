/* quantity.h - Kubernetes resource quantities ("500m", "2", "512Mi", "10Gi", "1.5G") and
 * durations ("10s", "6h", "1m30s"): exact parsing into integers and canonical formatting the way
 * the API server prints them (2000m -> "2", 1024Mi -> "1Gi"), shared by the checker, the lowering
 * and the drift detector (which compares quantities by value). */
#ifndef GOVERSEC_QUANTITY_H
#define GOVERSEC_QUANTITY_H
#include <stdbool.h>
#include <stdint.h>

typedef enum QuantityFormat { QTY_DECIMAL_SI, QTY_BINARY_SI } QuantityFormat;

typedef struct Quantity {
    int64_t milli;          /* value in thousandths of the base unit (cores, bytes) */
    QuantityFormat format;  /* binary when written with Ki/Mi/Gi/..., decimal otherwise */
} Quantity;

typedef enum QuantityError {
    QTY_OK,
    QTY_SYNTAX,             /* not a number with an optional suffix */
    QTY_BAD_SUFFIX,         /* e.g. "10GB", "5mi" */
    QTY_OVERFLOW,           /* does not fit */
    QTY_PRECISION,          /* finer than 1m */
} QuantityError;

QuantityError quantity_parse(const char *text, Quantity *out);
/* Canonical text, as `kubectl get -o yaml` shows it, into buf (>= 32 bytes). */
const char *quantity_format(Quantity q, char *buf, unsigned size);
bool quantity_equal_text(const char *a, const char *b); /* "1000m" == "1"; false if either is bad */
const char *quantity_error_text(QuantityError err);

/* Durations in milliseconds: a sequence of NUMBER UNIT with units ms, s, m, h, d ("1h30m"). */
bool duration_parse(const char *text, int64_t *ms);
/* Go's time.Duration String() form ("10s", "1m30s", "1h0m0s"), which Goverse's config reads. */
const char *duration_format_go(int64_t ms, char *buf, unsigned size);

#endif
