/* vector_clock: see vector_clock.h. */
#include "vector_clock.h"
#include "core/core.h"

#include <string.h>

static void grow(struct rt_vc *v, uint32_t n)
{
    uint32_t ncap;
    if (n <= v->cap) {
        if (n > v->n) {
            memset(v->c + v->n, 0, sizeof *v->c * (n - v->n));
            v->n = n;
        }
        return;
    }
    ncap = v->cap ? v->cap : 8;
    while (ncap < n)
        ncap *= 2;
    v->c = rt_realloc(v->c, sizeof *v->c * v->cap, sizeof *v->c * ncap);
    /* rt_realloc keeps the block when the size class does not change: the
     * tail beyond n may hold old values */
    memset(v->c + v->n, 0, sizeof *v->c * (ncap - v->n));
    v->cap = ncap;
    v->n = n;
}

void rt_vc_set(struct rt_vc *v, uint32_t slot, uint32_t epoch)
{
    if (slot >= v->n)
        grow(v, slot + 1);
    v->c[slot] = epoch;
}

bool rt_vc_join(struct rt_vc *dst, const struct rt_vc *src)
{
    bool changed = false;
    if (src->n > dst->n)
        grow(dst, src->n);
    for (uint32_t i = 0; i < src->n; i++) {
        if (src->c[i] > dst->c[i]) {
            dst->c[i] = src->c[i];
            changed = true;
        }
    }
    return changed;
}

void rt_vc_copy(struct rt_vc *dst, const struct rt_vc *src)
{
    if (src->n > dst->cap)
        grow(dst, src->n);
    if (src->n)
        memcpy(dst->c, src->c, sizeof *dst->c * src->n);
    if (dst->n > src->n)
        memset(dst->c + src->n, 0, sizeof *dst->c * (dst->n - src->n));
    if (src->n > dst->n)
        dst->n = src->n;
}

bool rt_vc_leq(const struct rt_vc *a, const struct rt_vc *b)
{
    for (uint32_t i = 0; i < a->n; i++)
        if (a->c[i] > rt_vc_get(b, i))
            return false;
    return true;
}

void rt_vc_clear(struct rt_vc *v)
{
    if (v->n)
        memset(v->c, 0, sizeof *v->c * v->n);
}

void rt_vc_free(struct rt_vc *v)
{
    if (v->c)
        rt_free(v->c, sizeof *v->c * v->cap);
    v->c = NULL;
    v->n = v->cap = 0;
}
