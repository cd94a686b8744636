/*
 * rt_spin: the runtime's internal lock. A test-and-test-and-set spinlock
 * that yields after spinning, so it is cheap when uncontended and harmless
 * when a holder is descheduled. It is never a pthread object, so it never
 * enters the lock-order graph and can be taken where the program's locks
 * cannot (early constructors, fork handlers). Holders keep it for short,
 * bounded work and never call program code while holding it.
 */
#ifndef RT_SPIN_H
#define RT_SPIN_H

#include <sched.h>
#include <stdatomic.h>

typedef struct { atomic_int v; } rt_spin_t;
#define RT_SPIN_INIT { 0 }

static inline void rt_spin_lock(rt_spin_t *s)
{
    int spins = 0;
    for (;;) {
        if (atomic_exchange_explicit(&s->v, 1, memory_order_acquire) == 0)
            return;
        while (atomic_load_explicit(&s->v, memory_order_relaxed) != 0) {
            if (++spins > 100) {
                sched_yield();
                spins = 0;
            } else {
                __builtin_ia32_pause();
            }
        }
    }
}

static inline void rt_spin_unlock(rt_spin_t *s)
{
    atomic_store_explicit(&s->v, 0, memory_order_release);
}

/* In a forked child, whatever the parent's other threads held is gone. */
static inline void rt_spin_reset(rt_spin_t *s)
{
    atomic_store_explicit(&s->v, 0, memory_order_relaxed);
}

#endif
