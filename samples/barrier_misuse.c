/* barrier_misuse: a barrier initialised with a count of 0, then waited on.
 *
 * run_pipeline() runs each stage on its helper threads and on the calling
 * thread, which all meet at a barrier between stages, but it sizes the
 * barrier with the helper count alone. Here every core is reserved for
 * other work, so there are no helpers and the count is 0:
 * pthread_barrier_init() fails with EINVAL, nobody checks, and the caller
 * then waits on a barrier that was never initialised. That is undefined
 * behaviour; glibc divides by the count and the program dies of SIGFPE
 * (with one helper the barrier would be one thread short and hang instead).
 * racedet reports the bad initialisation and the wait on the barrier it did
 * not create (and does not make that wait, so the program carries on).
 * The fixed twin counts the calling thread too and checks the result.
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

static void run_pipeline(unsigned helpers)
{
    pthread_t t[CORES];

    pthread_barrier_init(&stage_done, NULL, helpers); /* BUG: the caller waits too */
    for (unsigned i = 0; i < helpers; i++)
        pthread_create(&t[i], NULL, helper, NULL);
    for (int s = 0; s < STAGES; s++) {
        __atomic_fetch_add(&stage_runs, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&stage_done);      /* on a barrier that does not exist */
    }
    for (unsigned i = 0; i < helpers; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&stage_done);
}

int main(void)
{
    run_pipeline(CORES - RESERVED_CORES);
    printf("%d stage run(s)\n", stage_runs);
    return 0;
}
