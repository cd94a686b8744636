/* racedet_macros: include/racedet.h's macros mean what the dynamic
 * annotations of the same purpose mean. Silent: a hand-off through a
 * flag racedet cannot see, annotated with RACEDET_HAPPENS_BEFORE/AFTER; a
 * race inside RACEDET_IGNORE_READS/WRITES; one on a RACEDET_BENIGN_RACE
 * range; a custom lock (RACEDET_MUTEX_ACQUIRED/RELEASED) guarding data. */
#include "asm_flag.h"

#include <pthread.h>
#include <racedet.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>


static int handed, ready, ignored, benign, done;
static atomic_int spin;            /* a custom lock: relaxed, orders nothing itself */
static int guarded;

static void lock(void)
{
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(&spin, &expected, 1, memory_order_relaxed,
                                                  memory_order_relaxed)) {
        expected = 0;
        sched_yield();
    }
    RACEDET_MUTEX_ACQUIRED(&spin, 1);
}

static void unlock(void)
{
    RACEDET_MUTEX_RELEASED(&spin, 1);
    atomic_store_explicit(&spin, 0, memory_order_relaxed);
}

static void *worker(void *arg)
{
    (void)arg;
    RACEDET_THREAD_NAME("worker");
    lock();
    guarded++;
    unlock();
    handed = 1;
    RACEDET_HAPPENS_BEFORE(&ready);
    flag_raise(&ready);
    /* after the hand-off: unordered with main's reads */
    RACEDET_IGNORE_WRITES_BEGIN();
    ignored = 2;
    RACEDET_IGNORE_WRITES_END();
    benign = 3;
    flag_raise(&done);
    return NULL;
}

int main(void)
{
    pthread_t t;
    int s;

    RACEDET_BENIGN_RACE(&benign, sizeof benign, "racy on purpose");
    pthread_create(&t, NULL, worker, NULL);
    lock();
    guarded++;
    unlock();
    flag_wait(&ready);
    RACEDET_HAPPENS_AFTER(&ready);
    s = handed;
    flag_wait(&done);
    RACEDET_IGNORE_READS_BEGIN();
    s += ignored;
    RACEDET_IGNORE_READS_END();
    s += benign;
    pthread_join(t, NULL);
    printf("%d %d\n", s, guarded);
    return s == 6 ? 0 : 1;
}
