/* sha256.h - SHA-256 (FIPS 180-4) for content hashes in manifests (config checksums that roll
 * pods when a ConfigMap changes). Streaming context plus a one-shot hex helper. */
#ifndef GOVERSEC_SHA256_H
#define GOVERSEC_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct Sha256 {
    uint32_t h[8];
    uint64_t total;      /* bytes hashed so far */
    unsigned char block[64];
    size_t fill;         /* bytes pending in block */
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t len);
void sha256_final(Sha256 *s, unsigned char digest[32]);
/* Lowercase hex digest of data into hex (65 bytes incl. NUL); returns hex. */
char *sha256_hex(const void *data, size_t len, char hex[65]);

#endif
