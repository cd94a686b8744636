/* race_benign_counter_fixed: the twin of race_benign_counter.c, the benign race annotated.
 *
 * Every worker() writes its number into `last_worker`, a hint read after
 * the joins for which any value will do; main() declares the race on it
 * intended with AnnotateBenignRaceSized before starting the workers.
 * racedet reports nothing.
 */
#include <pthread.h>
#include <stdio.h>

/* as a library's dynamic_annotations.h declares it */
void AnnotateBenignRaceSized(const char *file, int line, const volatile void *addr, long size,
                             const char *description);

static int last_worker;                     /* a hint: any worker's number will do */

static void *worker(void *arg)
{
    int id = (int)(long)arg;

    last_worker = id;                       /* racy on purpose */
    return NULL;
}

int main(void)
{
    pthread_t t[2];

    AnnotateBenignRaceSized(__FILE__, __LINE__, &last_worker, sizeof last_worker,
                            "which worker finished last: any answer will do");

    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("last worker: %d\n", last_worker);
    return 0;
}
