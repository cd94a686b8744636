/* race_counter_fixed: the twin of race_counter.c, the counter under a mutex.
 *
 * Each increment of `processed` now happens with count_lock held, so the
 * load-add-store of one thread can never interleave with the other's: the
 * total is always 200000. Every unlock happens-before the next lock of the
 * same mutex, which orders all the accesses, and racedet reports nothing.
 * (For a lone counter, an atomic_long with atomic_fetch_add is cheaper.)
 */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 100000

static long processed;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;

static void *process_first_half(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&count_lock);    /* FIX */
        processed++;
        pthread_mutex_unlock(&count_lock);
    }
    return NULL;
}

static void *process_second_half(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&count_lock);    /* FIX */
        processed++;
        pthread_mutex_unlock(&count_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t first, second;

    pthread_barrier_init(&start, NULL, 2);
    pthread_create(&first, NULL, process_first_half, NULL);
    pthread_create(&second, NULL, process_second_half, NULL);
    pthread_join(first, NULL);
    pthread_join(second, NULL);
    printf("processed %ld items (expected %d)\n", processed, 2 * ROUNDS);
    pthread_barrier_destroy(&start);
    return 0;
}
