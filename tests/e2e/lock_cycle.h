/*
 * lock_cycle.h: a lock-order cycle for the end-to-end helpers that need a
 * finding to report: one thread takes cycle_first then cycle_second; after
 * it ended, another takes them the other way round (second_then_first).
 * Included by the helper's one source file; inline, so that a helper
 * using only part of it builds warning-free.
 */
#ifndef RD_E2E_LOCK_CYCLE_H
#define RD_E2E_LOCK_CYCLE_H

#include <pthread.h>

static pthread_mutex_t cycle_first = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cycle_second = PTHREAD_MUTEX_INITIALIZER;

static inline void nest(pthread_mutex_t *outer, pthread_mutex_t *inner)
{
    pthread_mutex_lock(outer);
    pthread_mutex_lock(inner);
    pthread_mutex_unlock(inner);
    pthread_mutex_unlock(outer);
}

static inline void *first_then_second(void *arg)
{
    nest(&cycle_first, &cycle_second);
    return arg;
}

static inline void *second_then_first(void *arg)
{
    nest(&cycle_second, &cycle_first);
    return arg;
}

static inline void make_lock_cycle(void)
{
    pthread_t t;
    pthread_create(&t, NULL, first_then_second, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, second_then_first, NULL);
    pthread_join(t, NULL);
}

#endif
