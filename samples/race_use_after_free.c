/* race_use_after_free: a worker reads a job after its owner freed it.
 *
 * The owner hands a job to a worker and frees it when it thinks the worker
 * is done: it waits on a plain "done" flag the worker sets before its last
 * read, not after. The flag is a relaxed atomic, so it orders nothing: the
 * worker's read of job->priority is not ordered after the free, and once
 * malloc hands the block to someone else it reads their data. (Here the
 * worker waits for the free on a second relaxed flag, so the bad order
 * happens on every run.) racedet reports two data races: the free races
 * with the worker's earlier reads ("free of memory in use"), and the late
 * read races with the free ("use after free", with the free's stack). The
 * fix (race_use_after_free_fixed) joins the worker before freeing the job.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
    long id;
    long payload[4];
    int priority;
};

static atomic_int started, freed;

static void *worker(void *arg)
{
    struct job *job = arg;
    long sum = 0;

    for (int i = 0; i < 4; i++)
        sum += job->payload[i];
    atomic_store_explicit(&started, 1, memory_order_relaxed);   /* "done", too early */
    while (!atomic_load_explicit(&freed, memory_order_relaxed))
        ;
    sum += job->priority;                       /* the job is gone */
    return (void *)sum;
}

int main(void)
{
    struct job *job = calloc(1, sizeof *job);
    pthread_t t;

    if (!job)
        return 1;
    job->priority = 3;
    pthread_create(&t, NULL, worker, job);
    while (!atomic_load_explicit(&started, memory_order_relaxed))
        ;
    free(job);                                  /* the worker still uses it */
    atomic_store_explicit(&freed, 1, memory_order_relaxed);
    pthread_join(t, NULL);
    printf("done\n");
    return 0;
}
