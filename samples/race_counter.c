/* race_counter: two threads increment a shared counter without a lock.
 *
 * `processed++` is three steps: load, add, store. When two threads do it at
 * the same time, both can load the same old value and one increment is lost,
 * so the total comes out below 200000, differently on every run (or, after
 * the optimizer turns each loop into one big addition, a whole half goes
 * missing). It is also a data race, which in C is undefined behaviour.
 * racedet (built with racedet-cc) sees the two threads' accesses to
 * `processed` unordered by any synchronisation and reports both stacks.
 * The fixed twin increments the counter under a mutex.
 */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 100000

static long processed;
static pthread_barrier_t start;

static void *process_first_half(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);           /* both halves run at once */
    for (int i = 0; i < ROUNDS; i++) processed++;      /* BUG: unprotected */
    return NULL;
}

static void *process_second_half(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < ROUNDS; i++) processed++;      /* BUG: unprotected */
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
