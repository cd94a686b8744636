/* race_relaxed_flag: data published through a relaxed atomic flag.
 *
 * publish_result() writes `result` (a plain int), then sets the atomic flag
 * `published` with memory_order_relaxed; consume_result() spins until it sees
 * the flag (also relaxed) and reads `result`. The flag itself is race-free,
 * but relaxed operations order nothing else: the compiler or the CPU (ARM,
 * POWER) may make the flag visible before the result, and the consumer reads
 * garbage. Seeing the flag does not make the data visible; only a release
 * store read by an acquire load does. racedet reports the write and the read
 * of `result`.
 * The fixed twin stores with memory_order_release, loads with acquire.
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
    result = 42;                            /* plain write */
    atomic_store_explicit(&published, 1, memory_order_relaxed); /* BUG */
    return NULL;
}

static void *consume_result(void *arg)
{
    int *seen = arg;

    while (!atomic_load_explicit(&published, memory_order_relaxed)) /* BUG */
        sched_yield();
    *seen = result;                         /* plain read: not ordered */
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
