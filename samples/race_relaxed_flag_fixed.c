/* race_relaxed_flag_fixed: the twin of race_relaxed_flag.c, release/acquire.
 *
 * publish_result() sets the flag with memory_order_release, and
 * consume_result() reads it with memory_order_acquire. When the acquire load
 * sees the value written by the release store, everything written before the
 * store (the result) happens-before everything after the load (its read): the
 * consumer always sees 42. This is the cheapest correct way to publish data
 * through a flag. racedet reports nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static int result;
static atomic_int published;

static void *publish_result(void *arg)
{
    (void)arg;
    result = 42;
    atomic_store_explicit(&published, 1, memory_order_release); /* FIX */
    return NULL;
}

static void *consume_result(void *arg)
{
    int *seen = arg;

    while (!atomic_load_explicit(&published, memory_order_acquire)) /* FIX */
        sched_yield();
    *seen = result;
    return NULL;
}

int main(void)
{
    pthread_t producer, consumer;
    int seen = 0;

    pthread_create(&consumer, NULL, consume_result, &seen);
    pthread_create(&producer, NULL, publish_result, NULL);
    pthread_join(producer, NULL);
    pthread_join(consumer, NULL);
    printf("consumer saw %d\n", seen);
    return 0;
}
