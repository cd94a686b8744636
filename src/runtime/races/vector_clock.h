/*
 * vector_clock: the logical clocks of the happens-before engine
 * (docs/design.md "Happens-before"; Lamport 1978, Mattern 1989; FastTrack,
 * Flanagan & Freund, PLDI 2009).
 *
 * A vector clock maps a thread slot (see happens_before.h: slots are small
 * integers, reused after a thread is joined) to the last epoch of that slot
 * known to happen-before the owner of the clock. Absent entries are 0. The
 * array grows on demand (memory from rt_alloc, never the program's malloc).
 * A clock is not thread-safe: its owner (a thread, or a sync object under
 * its lock) serialises access.
 */
#ifndef RT_VECTOR_CLOCK_H
#define RT_VECTOR_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct rt_vc {
    uint32_t n;          /* entries in use: slots [0, n) */
    uint32_t cap;        /* allocated entries */
    uint32_t *c;
};

static inline uint32_t rt_vc_get(const struct rt_vc *v, uint32_t slot)
{
    return slot < v->n ? v->c[slot] : 0;
}

void rt_vc_set(struct rt_vc *v, uint32_t slot, uint32_t epoch);
/* dst := max(dst, src), entry by entry. Returns true if dst changed. */
bool rt_vc_join(struct rt_vc *dst, const struct rt_vc *src);
/* dst := src */
void rt_vc_copy(struct rt_vc *dst, const struct rt_vc *src);
/* Every entry of a <= the same entry of b: a happens-before (or equals) b. */
bool rt_vc_leq(const struct rt_vc *a, const struct rt_vc *b);
/* All entries 0 (memory kept). */
void rt_vc_clear(struct rt_vc *v);
void rt_vc_free(struct rt_vc *v);

#endif
