/*
 * rt_hash: uthash, wired to the runtime's own allocator (rt_alloc) so that
 * the runtime's hash tables never touch the program's malloc. Include this
 * instead of <uthash.h> anywhere in src/runtime.
 */
#ifndef RT_HASH_H
#define RT_HASH_H

#include "rt_alloc.h"

#define uthash_malloc(sz) rt_alloc(sz)
#define uthash_free(ptr, sz) rt_free((ptr), (sz))
#define uthash_fatal(msg) rt_fatal(msg)
#define HASH_FUNCTION HASH_SAX_FAST
/* Keys here are small integers and addresses: a cheap multiplicative mix. */
#define HASH_SAX_FAST(key, keylen, hashv)                                   \
    do {                                                                    \
        const unsigned char *hk_ = (const unsigned char *)(key);            \
        unsigned long long h_ = 0x9e3779b97f4a7c15ull;                      \
        for (unsigned kl_ = 0; kl_ < (unsigned)(keylen); kl_++)             \
            h_ = (h_ ^ hk_[kl_]) * 0x100000001b3ull;                        \
        (hashv) = (unsigned)(h_ ^ (h_ >> 32));                              \
    } while (0)
#include <uthash.h>

/* 64-bit mixer for direct-mapped caches. */
static inline unsigned long long rt_mix64(unsigned long long x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

#endif
