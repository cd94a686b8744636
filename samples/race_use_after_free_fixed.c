/* race_use_after_free_fixed: the owner joins the worker before freeing the
 * job it handed over. The join orders every read of the worker before the
 * free, so the job is never used after it is gone. racedet is silent.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
    long id;
    long payload[4];
    int priority;
};

static void *worker(void *arg)
{
    struct job *job = arg;
    long sum = 0;

    for (int i = 0; i < 4; i++)
        sum += job->payload[i];
    sum += job->priority;
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
    pthread_join(t, NULL);                      /* the worker is done with it */
    free(job);
    printf("done\n");
    return 0;
}
