/* barrier_misuse_fixed: the correct twin of barrier_misuse.c.
 *
 * The barrier counts every thread that waits on it, the calling thread
 * included, so it is never 0; and the result of pthread_barrier_init() is
 * checked, so a bad count could not go unnoticed.
 */
#include <pthread.h>
#include <stdio.h>

#define CORES 2
#define RESERVED_CORES 2   /* for the I/O threads */
#define STAGES 3

static pthread_barrier_t stage_done;
static int stage_runs;

static void *helper(void *arg)
{
    (void)arg;
    for (int s = 0; s < STAGES; s++) {
        __atomic_fetch_add(&stage_runs, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&stage_done);
    }
    return NULL;
}

static int run_pipeline(unsigned helpers)
{
    pthread_t t[CORES];

    if (pthread_barrier_init(&stage_done, NULL, helpers + 1) != 0) /* the caller waits too */
        return -1;
    for (unsigned i = 0; i < helpers; i++)
        pthread_create(&t[i], NULL, helper, NULL);
    for (int s = 0; s < STAGES; s++) {
        __atomic_fetch_add(&stage_runs, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&stage_done);
    }
    for (unsigned i = 0; i < helpers; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&stage_done);
    return 0;
}

int main(void)
{
    if (run_pipeline(CORES - RESERVED_CORES) != 0)
        return 1;
    printf("%d stage run(s)\n", stage_runs);
    return 0;
}
